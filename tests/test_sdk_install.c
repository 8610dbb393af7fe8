/*
 * test_sdk_install.c - the checking half of test_sdk_install.sh: runs
 * crm_plugin_check (the public API, a forked child) on each plugin file
 * named on the command line and expects it accepted, its summary naming
 * the plugin (the file's stem).
 *
 * test_sdk_install --json FILE PATH...: prints the value at each PATH
 * ("messages.0.status", tj_path syntax) of the JSON document in FILE, one
 * a line (a string as is, a number as an integer, "null", or "absent"),
 * so that the shell script can assert on `crm --json` output without jq.
 *
 * test_sdk_install --echo PLUGIN.so DIR: loads the template's
 * echo_channel with a minimal fake host (as docs/sdk.md suggests for unit
 * tests) and checks what an end-to-end run cannot reach: a repeat of an
 * accepted idempotency key is answered SENT with the first provider_ref
 * and writes nothing, and each fake-provider answer is classified with
 * its status and Retry-After.
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli_json.h"
#include "crm/crm.h"
#include "crm/sdk.h"

static int n_paths;
static char **paths;

static void test_check_all(void **state)
{
  char msg[512];
  char stem[128];
  const char *base;
  const char *dot;
  int i;

  (void)state;
  assert_true(n_paths > 0);
  for(i = 0; i < n_paths; i++) {
    base = strrchr(paths[i], '/');
    base = base ? base + 1 : paths[i];
    dot = strrchr(base, '.');
    snprintf(stem, sizeof(stem), "%.*s",
             (int)(dot ? (size_t)(dot - base) : strlen(base)), base);
    msg[0] = '\0';
    if(crm_plugin_check(paths[i], msg, sizeof(msg)) != CRM_OK)
      fail_msg("%s refused: %s", paths[i], msg);
    if(!strstr(msg, stem))
      fail_msg("%s: summary \"%s\" does not name %s", paths[i], msg, stem);
    printf("ok %s: %s\n", paths[i], msg);
  }
}

/* The whole of a file, NUL-terminated (malloc'ed), or NULL. */
static char *slurp_file(const char *path)
{
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  size_t n = 0;
  size_t cap = 0;
  size_t got;

  if(!f)
    return NULL;
  do {
    if(cap - n < 4096) {
      char *nb = realloc(buf, cap + 65536);
      if(!nb) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = nb;
      cap += 65536;
    }
    got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
  } while(got > 0);
  fclose(f);
  buf[n] = '\0';
  return buf;
}

static int json_fields(int argc, char **argv)
{
  char err[160];
  char *text = slurp_file(argv[2]);
  tj *doc;
  const tj *v;
  int i;

  if(!text) {
    fprintf(stderr, "test_sdk_install: cannot read %s\n", argv[2]);
    return 2;
  }
  doc = tj_parse(text, err, sizeof(err));
  free(text);
  if(!doc) {
    fprintf(stderr, "test_sdk_install: %s is not JSON: %s\n", argv[2], err);
    return 2;
  }
  for(i = 3; i < argc; i++) {
    v = tj_path(doc, argv[i]);
    if(!v)
      puts("absent");
    else if(v->type == TJ_STR)
      puts(v->str);
    else if(v->type == TJ_NUM)
      printf("%.0f\n", v->num);
    else if(v->type == TJ_NULL)
      puts("null");
    else if(v->type == TJ_BOOL)
      puts(v->boolean ? "true" : "false");
    else
      printf("%s of %zu\n", v->type == TJ_ARR ? "array" : "object", v->n);
  }
  tj_free(doc);
  return 0;
}

/* ---- --echo: echo_channel with a fake host ------------------------------ */

struct crm_host_ctx {
  const char *path; /* echo_channel's config `path` */
  char err[256];
  long live;        /* allocations not freed */
};

static int fh_set_error(crm_host_ctx *h, int code, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(h->err, sizeof(h->err), fmt, ap);
  va_end(ap);
  return code;
}

static void *fh_alloc(crm_host_ctx *h, size_t n)
{
  h->live++;
  return malloc(n);
}

static void fh_free(crm_host_ctx *h, void *p)
{
  if(p)
    h->live--;
  free(p);
}

static int fh_cfg_get_path(crm_host_ctx *h, const char *path, char *buf,
                           size_t size)
{
  if(strcmp(path, "path"))
    return CRM_ENOTFOUND;
  if((size_t)snprintf(buf, size, "%s", h->path) >= size)
    return CRM_ERANGE;
  return CRM_OK;
}

static void echo_deliver_one(const crm_channel_v1 *vt, void *st,
                             crm_host_ctx *h, const char *key,
                             const char *address, crm_send_result *out)
{
  crm_message_view m;

  memset(&m, 0, sizeof(m));
  m.struct_size = sizeof(m);
  m.message_id = 1;
  m.customer_id = 1;
  m.address = address;
  m.subject = "Hi";
  m.body = "Hello";
  m.idempotency_key = key;
  m.channel = "email";
  m.attempt = 1;
  memset(out, 0, sizeof(*out));
  out->struct_size = sizeof(*out);
  assert_int_equal(vt->deliver(st, h, &m, out), CRM_OK);
}

static const char *echo_so;
static const char *echo_dir;

static void test_echo_channel(void **state)
{
  crm_host_api api;
  crm_host_ctx h;
  crm_send_result r;
  crm_plugin_entry_fn entry;
  const crm_plugin_desc *d;
  const crm_channel_v1 *vt;
  char path[1024];
  char *text;
  void *dl = dlopen(echo_so, RTLD_NOW | RTLD_LOCAL);
  void *st = NULL;

  (void)state;
  if(!dl)
    fail_msg("dlopen %s: %s", echo_so, dlerror());
  *(void **)&entry = dlsym(dl, CRM_PLUGIN_ENTRY_SYMBOL);
  assert_non_null(entry);
  d = entry();
  assert_string_equal(d->name, "echo_channel");
  assert_int_equal(d->n_components, 1);
  assert_int_equal(d->components[0]->kind, CRM_KIND_CHANNEL);
  vt = d->components[0]->vtable;
  assert_null(vt->send);
  assert_non_null(vt->deliver);

  snprintf(path, sizeof(path), "%s/unit.log", echo_dir);
  memset(&h, 0, sizeof(h));
  h.path = path;
  memset(&api, 0, sizeof(api));
  api.struct_size = sizeof(api);
  api.abi_major = CRM_SDK_ABI_MAJOR;
  api.abi_minor = CRM_SDK_ABI_MINOR;
  api.set_error = fh_set_error;
  api.alloc = fh_alloc;
  api.free = fh_free;
  api.cfg_get_path = fh_cfg_get_path;
  if(d->init(&api, &h, &st))
    fail_msg("init: %s", h.err);

  /* accepted: echo-1, one line */
  echo_deliver_one(vt, st, &h, "crm-t-1", "a@example.com", &r);
  assert_int_equal(r.outcome, CRM_SEND_SENT);
  assert_string_equal(r.provider_ref, "echo-1");
  /* the same key again (a retry after a lost acknowledgement): SENT with
   * the first ref, nothing written */
  echo_deliver_one(vt, st, &h, "crm-t-1", "a@example.com", &r);
  assert_int_equal(r.outcome, CRM_SEND_SENT);
  assert_string_equal(r.provider_ref, "echo-1");
  assert_string_equal(r.detail, "duplicate of echo-1, not delivered again");
  /* another key: echo-2 ("crm-t-1" is a prefix of it: no false match) */
  echo_deliver_one(vt, st, &h, "crm-t-12", "b@example.com", &r);
  assert_int_equal(r.outcome, CRM_SEND_SENT);
  assert_string_equal(r.provider_ref, "echo-2");
  /* the fake provider's refusals write nothing */
  echo_deliver_one(vt, st, &h, "crm-t-3", "x.bounce@example.com", &r);
  assert_int_equal(r.outcome, CRM_SEND_PERMANENT);
  assert_int_equal(r.provider_status, 550);
  assert_string_equal(r.provider_ref, "");
  echo_deliver_one(vt, st, &h, "crm-t-4", "x.busy@example.com", &r);
  assert_int_equal(r.outcome, CRM_SEND_TEMPORARY);
  assert_int_equal(r.provider_status, 503);
  assert_int_equal(r.retry_after_ms, 0);
  echo_deliver_one(vt, st, &h, "crm-t-5", "x.slow@example.com", &r);
  assert_int_equal(r.outcome, CRM_SEND_RATE_LIMITED);
  assert_int_equal(r.provider_status, 429);
  assert_int_equal(r.retry_after_ms, 2000);
  d->fini(st, &h);
  assert_int_equal(h.live, 0); /* fini freed the state and both keys */

  text = slurp_file(path);
  assert_non_null(text);
  assert_string_equal(text, "crm-t-1 a@example.com Hi\n"
                            "crm-t-12 b@example.com Hi\n");
  free(text);
  /* never dlclose a plugin that has run (docs/sdk.md) */
}

int main(int argc, char **argv)
{
  const struct CMUnitTest echo_tests[] = {
    cmocka_unit_test(test_echo_channel),
  };
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_check_all),
  };

  if(argc >= 3 && !strcmp(argv[1], "--json"))
    return json_fields(argc, argv);
  if(argc == 4 && !strcmp(argv[1], "--echo")) {
    echo_so = argv[2];
    echo_dir = argv[3];
    return cmocka_run_group_tests(echo_tests, NULL, NULL);
  }
  n_paths = argc - 1;
  paths = argv + 1;
  return cmocka_run_group_tests(tests, NULL, NULL);
}
