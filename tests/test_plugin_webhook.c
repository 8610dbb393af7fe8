/*
 * test_plugin_webhook.c - the webhook channel plugin in isolation,
 * against tests/servers/http_sink.py on loopback: the JSON document it
 * POSTs, its X-Crm-Signature (recomputed here with libcrypto's one-shot
 * HMAC(), itself checked on RFC 4231 test case 2), the URL it picks and
 * how answers are classified.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "test_plugin_fake.h"
#include "http_sink.h"

#define SECRET "whsec_test_0123456789"

static crm_host_ctx host;
static hs_sink sink;
static char dir[64];
static char logpath[128];
static char hook[128];

static int setup(void **state)
{
  (void)state;
  fake_reset(&host);
  snprintf(dir, sizeof(dir), "/tmp/crm_webhook_XXXXXX");
  assert_non_null(mkdtemp(dir));
  snprintf(logpath, sizeof(logpath), "%s/sink.jsonl", dir);
  hs_start(&sink, logpath, NULL);
  snprintf(hook, sizeof(hook), "%s/hook/c3", sink.url);
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  if(host.desc)
    fake_unload(&host);
  hs_stop(&sink);
  unlink(logpath);
  rmdir(dir);
  return 0;
}

static void load(void)
{
  fake_cfg_str(&host, "secret", SECRET);
  if(fake_load(&host, "webhook") != CRM_OK)
    fail_msg("webhook init: %s", host.errmsg);
}

static void message(crm_message_view *m, int64_t id, const char *address)
{
  memset(m, 0, sizeof(*m));
  m->struct_size = sizeof(*m);
  m->message_id = id;
  m->customer_id = 3;
  m->address = address;
  m->subject = "Hi \"you\"";
  m->body = "Line1\nLine2 caf\xc3\xa9";
  m->created_at = 1700000000; /* 2023-11-14T22:13:20Z */
  m->customer_timezone = "Europe/Paris";
  m->idempotency_key = "crm-s1-12";
  m->channel = "webhook";
  m->template = "welcome";
  m->language = "en";
  m->priority = CRM_PRIORITY_SERVICE;
  m->attempt = 1;
  m->external_id = "c3";
}

static crm_send_result deliver_view(const crm_message_view *m)
{
  const crm_channel_v1 *vt = fake_vtable(&host, CRM_KIND_CHANNEL);
  crm_send_result r;

  memset(&r, 0, sizeof(r));
  r.struct_size = sizeof(r);
  assert_int_equal(vt->deliver(host.state, &host, m, &r), CRM_OK);
  return r;
}

static crm_send_result deliver(int64_t id, const char *address)
{
  crm_message_view m;

  message(&m, id, address);
  return deliver_view(&m);
}

static const char *logtext(const char *sql, char *buf, size_t size)
{
  return hs_text(&sink, sql, buf, size);
}

/* HMAC-SHA256 in lowercase hex, with the one-shot HMAC() (not the
 * plugin's EVP_MAC path). */
static void hmac_hex(const char *key, size_t key_len, const void *data,
                     size_t len, char *hex)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  unsigned int i;

  assert_non_null(HMAC(EVP_sha256(), key, (int)key_len, data, len, md, &n));
  assert_int_equal(n, 32);
  for(i = 0; i < n; i++)
    snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* The helper above on RFC 4231 test case 2. */
static void test_hmac_vector(void **state)
{
  const char *data = "what do ya want for nothing?";
  char hex[65];

  (void)state;
  hmac_hex("Jefe", 4, data, strlen(data), hex);
  assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c7"
                           "5a003f089d2739839dec58b964ec3843");
}

/* The document, its headers, and a signature that verifies over
 * timestamp "." body with the secret (and not with another one). */
static void test_signed_post(void **state)
{
  static char body[4096], ts[64], sig[128], want[128], tmp[8192];
  crm_send_result r;
  long long t0 = (long long)time(NULL), t;

  (void)state;
  load();
  r = deliver(12, hook);
  assert_int_equal(r.outcome, CRM_SEND_SENT);
  assert_string_equal(r.provider_ref, "sink-1");
  assert_string_equal(logtext("SELECT j->>'path' FROM log", tmp,
                              sizeof(tmp)), "/hook/c3");
  logtext("SELECT j->>'body' FROM log", body, sizeof(body));
  /* keys in the documented order, strings JSON-escaped, by hand */
  assert_string_equal(body,
    "{\"id\":12,\"idempotency_key\":\"crm-s1-12\",\"customer_id\":3,"
    "\"external_id\":\"c3\",\"channel\":\"webhook\",\"template\":\"welcome\","
    "\"language\":\"en\",\"priority\":\"service\",\"subject\":\"Hi "
    "\\\"you\\\"\",\"body\":\"Line1\\nLine2 caf\xc3\xa9\","
    "\"created_at\":\"2023-11-14T22:13:20Z\"}");
  assert_string_equal(logtext("SELECT j->>'$.headers.content-type' FROM log",
                              tmp, sizeof(tmp)), "application/json");
  assert_string_equal(logtext("SELECT j->>'$.headers.idempotency-key' "
                              "FROM log", tmp, sizeof(tmp)), "crm-s1-12");
  logtext("SELECT j->>'$.headers.x-crm-timestamp' FROM log", ts,
          sizeof(ts));
  logtext("SELECT j->>'$.headers.x-crm-signature' FROM log", sig,
          sizeof(sig));
  t = strtoll(ts, NULL, 10);
  assert_true(t >= t0 && t <= (long long)time(NULL));
  /* what is signed: "<timestamp>.<body bytes>" */
  snprintf(tmp, sizeof(tmp), "%s.%s", ts, body);
  memcpy(want, "sha256=", 7);
  hmac_hex(SECRET, strlen(SECRET), tmp, strlen(tmp), want + 7);
  assert_string_equal(sig, want);
  hmac_hex("another secret", 14, tmp, strlen(tmp), want + 7);
  assert_string_not_equal(sig, want);
  /* the body alone is not what is signed */
  hmac_hex(SECRET, strlen(SECRET), body, strlen(body), want + 7);
  assert_string_not_equal(sig, want);
}

/* NULL strings are null; marketing priority; an empty address goes to
 * the configured url. */
static void test_nulls_and_config_url(void **state)
{
  static char body[4096], url[160];
  crm_message_view m;
  crm_send_result r;

  (void)state;
  snprintf(url, sizeof(url), "%s/default", sink.url);
  fake_cfg_str(&host, "url", url);
  fake_cfg_str(&host, "headers.[0]", "Authorization: Token abc");
  load();
  message(&m, 5, "");
  m.subject = NULL;
  m.template = NULL;
  m.language = NULL;
  m.external_id = NULL;
  m.priority = CRM_PRIORITY_MARKETING;
  r = deliver_view(&m);
  assert_int_equal(r.outcome, CRM_SEND_SENT);
  assert_string_equal(logtext("SELECT j->>'path' FROM log", body,
                              sizeof(body)), "/default");
  assert_string_equal(logtext("SELECT j->>'$.headers.authorization' "
                              "FROM log", body, sizeof(body)), "Token abc");
  assert_string_equal(logtext("SELECT j->>'body' FROM log", body,
                              sizeof(body)),
    "{\"id\":5,\"idempotency_key\":\"crm-s1-12\",\"customer_id\":3,"
    "\"external_id\":null,\"channel\":\"webhook\",\"template\":null,"
    "\"language\":null,\"priority\":\"marketing\",\"subject\":null,"
    "\"body\":\"Line1\\nLine2 caf\xc3\xa9\","
    "\"created_at\":\"2023-11-14T22:13:20Z\"}");
}

/* No URL at all: rejected; a customer URL that is not http(s):
 * permanent (the address is bad); nothing is sent. */
static void test_bad_urls(void **state)
{
  crm_send_result r;

  (void)state;
  load();
  r = deliver(1, "");
  assert_int_equal(r.outcome, CRM_SEND_REJECTED);
  assert_non_null(strstr(r.detail, "no webhook url"));
  r = deliver(2, "ftp://example.com/x");
  assert_int_equal(r.outcome, CRM_SEND_PERMANENT);
  assert_non_null(strstr(r.detail, "not an http:// or https:// URL"));
  assert_int_equal(hs_int(&sink, "SELECT count(*) FROM log"), 0);
}

/* allowed_hosts: a message's own URL must name an allowed host, as
 * libcurl parses it (userinfo and fragments cannot smuggle another host
 * past the check); refused is permanent and nothing is posted. The
 * configured url is the admin's and is not checked. */
static void test_allowed_hosts(void **state)
{
  static const struct {
    const char *url;
    const char *host;
  } refused[] = {
    {"http://localhost:%d/hook", "localhost"},         /* not listed */
    {"http://127.0.0.1@evil.example:%d/", "evil.example"}, /* userinfo */
    {"http://evil.example:%d#@127.0.0.1/", "evil.example"}, /* fragment */
    {"http://127.0.0.1.evil.example:%d/", "127.0.0.1.evil.example"},
    {"http://hooks.example:%d/", "hooks.example"},     /* not under it */
    {"http://xhooks.example:%d/", "xhooks.example"},
    {"http://10.0.0.1:%d/x", "10.0.0.1"},
  };
  char url[160], want[200], path[200];
  crm_send_result r;
  size_t i;

  (void)state;
  snprintf(url, sizeof(url), "%s/default", sink.url);
  fake_cfg_str(&host, "url", url);
  fake_cfg_str(&host, "allowed_hosts.[0]", "127.0.0.1");
  fake_cfg_str(&host, "allowed_hosts.[1]", "*.Hooks.Example.");
  load();
  assert_null(strstr(host.last_log, "allowed_hosts is not set"));
  r = deliver(1, hook);
  assert_int_equal(r.outcome, CRM_SEND_SENT);
  for(i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
    snprintf(url, sizeof(url), refused[i].url, sink.port);
    r = deliver((int64_t)i + 2, url);
    if(r.outcome != CRM_SEND_PERMANENT)
      fail_msg("%s: outcome %d (%s)", url, r.outcome, r.detail);
    snprintf(want, sizeof(want), "webhook url host \"%s\" is not in "
             "allowed_hosts", refused[i].host);
    assert_string_equal(r.detail, want);
  }
  /* a host under "*.hooks.example" passes: through the sink as an HTTP
   * proxy, so that no name is looked up */
  assert_int_equal(setenv("http_proxy", sink.url, 1), 0);
  r = deliver(20, "http://a.B.hooks.example/cb");
  unsetenv("http_proxy");
  assert_int_equal(r.outcome, CRM_SEND_SENT);
  assert_string_equal(hs_text(&sink, "SELECT j->>'path' FROM log WHERE "
                                     "j->>'$.headers.idempotency-key' = "
                                     "'crm-s1-12' ORDER BY seq DESC LIMIT 1",
                              path, sizeof(path)),
                      "http://a.B.hooks.example/cb");
  /* the configured url (empty address) is not checked */
  assert_int_equal(deliver(9, "").outcome, CRM_SEND_SENT);
  /* three posts reached the sink, none of the refused ones */
  assert_int_equal(hs_int(&sink, "SELECT count(*) FROM log"), 3);
  fake_unload(&host);

  /* an empty list allows no message URL at all */
  fake_reset(&host);
  fake_cfg_int(&host, "allowed_hosts", 0); /* present, not a string */
  load();
  assert_int_equal(deliver(10, hook).outcome, CRM_SEND_PERMANENT);
  fake_unload(&host);
  /* not set: any host, with a warning at load */
  fake_reset(&host);
  load();
  assert_non_null(strstr(host.last_log, "allowed_hosts is not set"));
  assert_int_equal(deliver(11, hook).outcome, CRM_SEND_SENT);
  assert_int_equal(hs_int(&sink, "SELECT count(*) FROM log"), 4);
}

/* The shared classification: 429 with Retry-After, 500, 410, 422,
 * connection refused. */
static void test_classification(void **state)
{
  char dead[64];
  crm_send_result r;
  int fd;

  (void)state;
  load();
  hs_control(&sink, "{\"script\": [{\"status\": 429, \"headers\": "
                    "{\"Retry-After\": \"7\"}}, 500, 410, 422]}");
  r = deliver(1, hook);
  assert_int_equal(r.outcome, CRM_SEND_RATE_LIMITED);
  assert_int_equal(r.retry_after_ms, 7000);
  r = deliver(2, hook);
  assert_int_equal(r.outcome, CRM_SEND_TEMPORARY);
  assert_string_equal(r.detail, "HTTP 500: {\"error\": \"scripted 500\"}");
  assert_int_equal(deliver(3, hook).outcome, CRM_SEND_PERMANENT);
  assert_int_equal(deliver(4, hook).outcome, CRM_SEND_REJECTED);
  snprintf(dead, sizeof(dead), "http://127.0.0.1:%d/x", hs_dead_port(&fd));
  r = deliver(5, dead);
  close(fd);
  assert_int_equal(r.outcome, CRM_SEND_TEMPORARY);
  assert_int_equal(r.provider_status, 0);
}

static void test_config_errors(void **state)
{
  (void)state;
  assert_int_equal(fake_load(&host, "webhook"), CRM_ECONFIG);
  assert_non_null(strstr(host.errmsg, "secret is required"));
  fake_unload(&host);
  fake_reset(&host);
  fake_cfg_str(&host, "secret", SECRET);
  fake_cfg_str(&host, "url", "mailto:x@y");
  assert_int_equal(fake_load(&host, "webhook"), CRM_ECONFIG);
  assert_non_null(strstr(host.errmsg, "url \"mailto:x@y\" is not"));
  fake_unload(&host);
  {
    static const char *const bad[] = {"bad host", "*.", "", "a..b",
                                      "http://x.example", "[::1", "*.0.0.1",
                                      "*.[::1]"};
    size_t i;

    for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
      fake_reset(&host);
      fake_cfg_str(&host, "secret", SECRET);
      fake_cfg_str(&host, "allowed_hosts.[0]", "ok.example");
      fake_cfg_str(&host, "allowed_hosts.[1]", bad[i]);
      assert_int_equal(fake_load(&host, "webhook"), CRM_ECONFIG);
      assert_string_equal(host.errmsg, "allowed_hosts[1] must be a host "
                                       "name, optionally after \"*.\"");
      assert_int_equal(host.allocs_live, 0);
      fake_unload(&host);
    }
    fake_reset(&host);
    fake_cfg_str(&host, "secret", SECRET);
    fake_cfg_str(&host, "allowed_hosts", "ok.example");
    assert_int_equal(fake_load(&host, "webhook"), CRM_ECONFIG);
    assert_string_equal(host.errmsg, "allowed_hosts must be a list of host "
                                     "names");
    fake_unload(&host);
  }
  fake_reset(&host);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_hmac_vector),
    cmocka_unit_test_setup_teardown(test_signed_post, setup, teardown),
    cmocka_unit_test_setup_teardown(test_nulls_and_config_url, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_bad_urls, setup, teardown),
    cmocka_unit_test_setup_teardown(test_allowed_hosts, setup, teardown),
    cmocka_unit_test_setup_teardown(test_classification, setup, teardown),
    cmocka_unit_test_setup_teardown(test_config_errors, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
