/*
 * loader_util.c - helpers shared by the loader, config, host and torture
 * tests.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loader_util.h"

void lt_dir_init(lt_dir *d)
{
  const char *base = getenv("TMPDIR");

  snprintf(d->path, sizeof(d->path), "%s/crmloader.XXXXXX",
           base ? base : "/tmp");
  if(!mkdtemp(d->path))
    fail_msg("mkdtemp failed");
}

static int lt_rm(const char *path, const struct stat *st, int flag,
                 struct FTW *ftw)
{
  (void)st;
  (void)flag;
  (void)ftw;
  remove(path);
  return 0;
}

void lt_dir_done(lt_dir *d)
{
  if(d->path[0])
    nftw(d->path, lt_rm, 8, FTW_DEPTH | FTW_PHYS);
  d->path[0] = '\0';
}

const char *lt_write(const lt_dir *d, const char *name, const char *text)
{
  static char path[LT_PATH];
  FILE *f;

  snprintf(path, sizeof(path), "%s/%s", d->path, name);
  f = fopen(path, "w");
  if(!f)
    fail_msg("cannot write %s", path);
  fputs(text, f);
  fclose(f);
  return path;
}

const char *lt_fmt(const char *fmt, ...)
{
  static char buf[8192];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  return buf;
}

static void lt_log_cb(void *ud, int level, const char *source,
                      const char *msg)
{
  lt_log *log = ud;
  size_t used = strlen(log->text);

  snprintf(log->text + used, sizeof(log->text) - used, "%d %s: %s\n", level,
           source, msg);
}

void lt_log_attach(crm *c, lt_log *log)
{
  log->text[0] = '\0';
  crm_set_log(c, lt_log_cb, log, CRM_LOG_DEBUG);
}

int lt_log_has(const lt_log *log, const char *needle)
{
  return strstr(log->text, needle) != NULL;
}

static void lt_copy(char *dst, size_t size, const char *src)
{
  snprintf(dst, size, "%s", src ? src : "");
}

struct lt_find {
  const char *name;
  lt_pstate *out;
  int count;
};

static int lt_state_cb(void *ud, const crm_plugin_info *pi)
{
  struct lt_find *f = ud;

  f->count++;
  if(!f->name || strcmp(pi->name, f->name) != 0)
    return 0;
  f->out->found = 1;
  lt_copy(f->out->state, sizeof(f->out->state), pi->state);
  lt_copy(f->out->reason, sizeof(f->out->reason), pi->reason);
  lt_copy(f->out->version, sizeof(f->out->version), pi->version);
  lt_copy(f->out->vendor, sizeof(f->out->vendor), pi->vendor);
  lt_copy(f->out->components, sizeof(f->out->components), pi->components);
  lt_copy(f->out->path, sizeof(f->out->path), pi->path);
  f->out->required = pi->required;
  return 0;
}

lt_pstate lt_state(crm *c, const char *name)
{
  lt_pstate s;
  struct lt_find f;

  memset(&s, 0, sizeof(s));
  f.name = name;
  f.out = &s;
  f.count = 0;
  assert_int_equal(crm_plugins_foreach(c, lt_state_cb, &f), 0);
  return s;
}

int lt_count_states(crm *c)
{
  lt_pstate s;
  struct lt_find f;

  f.name = NULL;
  f.out = &s;
  f.count = 0;
  assert_int_equal(crm_plugins_foreach(c, lt_state_cb, &f), 0);
  return f.count;
}

long lt_kv_int(crm *c, const char *plugin, const char *key)
{
  char *v = NULL;
  long n;

  if(crm__kv_get(c, plugin, key, &v) != 0)
    return 0;
  n = strtol(v, NULL, 10);
  crm__free(v);
  return n;
}

int lt_kv_has(crm *c, const char *plugin, const char *key)
{
  char *v = NULL;
  int rc = crm__kv_get(c, plugin, key, &v);

  crm__free(v);
  return rc == 0;
}

int lt_reward(crm *c, const char *comp, const char *type, int64_t *points)
{
  crm__component *k = crm__component_find(c, CRM_KIND_REWARD, comp);
  crm_event_view ev;
  crm_customer_view cv;
  crm_reward_result out;
  int rc;

  if(!k)
    fail_msg("no running reward component %s", comp);
  memset(&ev, 0, sizeof(ev));
  memset(&cv, 0, sizeof(cv));
  memset(&out, 0, sizeof(out));
  ev.struct_size = sizeof(ev);
  ev.event_id = 42;
  ev.customer_id = 1;
  ev.type = type;
  cv.struct_size = sizeof(cv);
  cv.customer_id = 1;
  out.struct_size = sizeof(out);
  crm__hctx_reset(&k->plugin->hctx);
  rc = k->vt.reward.on_event(k->plugin->state, &k->plugin->hctx, &ev, &cv,
                             &out);
  *points = out.points;
  return rc;
}

int lt_mapped(const char *path)
{
  void *h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);

  if(!h)
    return 0;
  dlclose(h);
  return 1;
}

crm *lt_open(const char *store_path)
{
  crm *c = NULL;
  int rc = crm_open(&c, store_path ? store_path : ":memory:",
                    CRM_OPEN_CREATE);

  if(rc)
    fail_msg("crm_open: %s", crm_errmsg(c));
  crm_set_now(c, INT64_C(946684800));
  return c;
}

static int lt_run_each(const char *self, const struct CMUnitTest *tests,
                       size_t n)
{
  size_t i;
  int failed = 0;

  for(i = 0; i < n; i++) {
    pid_t pid = fork();
    int status = 0;

    if(pid == 0) {
      execl(self, self, tests[i].name + 5, (char *)NULL);
      _exit(127);
    }
    if(pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
       WEXITSTATUS(status) != 0)
      failed++;
  }
  printf("%zu passed, %d failed\n", n - (size_t)failed, failed);
  return failed ? 1 : 0;
}

int lt_main(int argc, char **argv, const char *group,
            const struct CMUnitTest *tests, size_t n)
{
  char filter[128];
  size_t i;

  if(argc < 2)
    return lt_run_each(argv[0], tests, n);
  snprintf(filter, sizeof(filter), "case_%s", argv[1]);
  for(i = 0; i < n; i++) {
    if(strcmp(tests[i].name, filter) == 0)
      break;
  }
  if(i == n) {
    fprintf(stderr, "%s: unknown case %s\n", argv[0], argv[1]);
    return 2;
  }
  cmocka_set_test_filter(filter);
  return _cmocka_run_group_tests(group, tests, n, NULL, NULL);
}
