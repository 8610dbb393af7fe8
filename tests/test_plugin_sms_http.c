/*
 * test_plugin_sms_http.c - the sms_http channel plugin in isolation,
 * against tests/servers/http_sink.py on loopback: the request it sends
 * (body template, encodings, headers, Idempotency-Key) and how each
 * answer is classified.
 *
 * The plugin is dlopened and driven through the fake host
 * (test_plugin_fake.c); the sink records every request as a JSON line,
 * read back with SQLite's JSON functions.
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

#include "test_plugin_fake.h"
#include "http_sink.h"

static crm_host_ctx host;
static hs_sink sink;
static char dir[64];
static char logpath[128];
static char url[128];

static int setup(void **state)
{
  (void)state;
  fake_reset(&host);
  snprintf(dir, sizeof(dir), "/tmp/crm_sms_http_XXXXXX");
  assert_non_null(mkdtemp(dir));
  snprintf(logpath, sizeof(logpath), "%s/sink.jsonl", dir);
  hs_start(&sink, logpath, NULL);
  snprintf(url, sizeof(url), "%s/sms", sink.url);
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

/* Loads the plugin with url set (plus what the test set before). */
static void load(void)
{
  fake_cfg_str(&host, "url", url);
  if(fake_load(&host, "sms_http") != CRM_OK)
    fail_msg("sms_http init: %s", host.errmsg);
}

static void message(crm_message_view *m, int64_t id, const char *to,
                    const char *text)
{
  static char key[64];

  snprintf(key, sizeof(key), "crm-store1-%lld", (long long)id);
  memset(m, 0, sizeof(*m));
  m->struct_size = sizeof(*m);
  m->message_id = id;
  m->customer_id = 40 + id;
  m->address = to;
  m->body = text;
  m->created_at = 1700000000;
  m->customer_timezone = "UTC";
  m->idempotency_key = key;
  m->channel = "sms_http";
  m->attempt = 1;
}

static crm_send_result deliver(int64_t id, const char *to, const char *text)
{
  const crm_channel_v1 *vt = fake_vtable(&host, CRM_KIND_CHANNEL);
  crm_message_view m;
  crm_send_result r;

  message(&m, id, to, text);
  memset(&r, 0, sizeof(r));
  r.struct_size = sizeof(r);
  assert_non_null(vt->deliver);
  assert_int_equal(vt->deliver(host.state, &host, &m, &r), CRM_OK);
  return r;
}

static const char *logtext(const char *sql)
{
  static char buf[4096];

  return hs_text(&sink, sql, buf, sizeof(buf));
}

/* 200: sent, the provider's id read from the JSON body
 * (response_id_path), the headers and the default JSON body as sent. */
static void test_sent_with_id(void **state)
{
  crm_send_result r;

  (void)state;
  fake_cfg_str(&host, "headers.[0]", "Authorization: Bearer xyz");
  fake_cfg_str(&host, "headers.[1]", "X-Api-Version: 2");
  fake_cfg_str(&host, "response_id_path", "message_id");
  load();
  hs_control(&sink, "{\"script\": [{\"status\": 200, \"message_id\": "
                    "\"prov-77\"}]}");
  r = deliver(7, "+15551234567", "Hello");
  assert_int_equal(r.outcome, CRM_SEND_SENT);
  assert_string_equal(r.provider_ref, "prov-77");
  assert_int_equal(r.provider_status, 200);
  assert_int_equal(r.retry_after_ms, 0);
  assert_int_equal(hs_int(&sink, "SELECT count(*) FROM log"), 1);
  assert_string_equal(logtext("SELECT j->>'kind' FROM log"), "delivered");
  assert_string_equal(logtext("SELECT j->>'method' FROM log"), "POST");
  assert_string_equal(logtext("SELECT j->>'path' FROM log"), "/sms");
  assert_string_equal(logtext("SELECT j->>'$.headers.authorization' "
                              "FROM log"), "Bearer xyz");
  assert_string_equal(logtext("SELECT j->>'$.headers.x-api-version' "
                              "FROM log"), "2");
  assert_string_equal(logtext("SELECT j->>'$.headers.idempotency-key' "
                              "FROM log"), "crm-store1-7");
  assert_string_equal(logtext("SELECT j->>'$.headers.content-type' "
                              "FROM log"), "application/json");
  /* the default JSON template */
  assert_string_equal(logtext("SELECT j->>'body' FROM log"),
                      "{\"to\":\"+15551234567\",\"text\":\"Hello\","
                      "\"reference\":\"crm-store1-7\"}");
}

/* The provider's id: the JSON key, else X-Message-Id, else none. */
static void test_provider_ref_sources(void **state)
{
  crm_send_result r;

  (void)state;
  fake_cfg_str(&host, "response_id_path", "$.data.id");
  load();
  hs_control(&sink, "{\"script\": ["
             "{\"status\": 201, \"body\": \"{\\\"data\\\":{\\\"id\\\":"
             "\\\"nested-1\\\"}}\"},"
             "{\"status\": 200, \"message_id\": \"hdr-2\"},"
             "{\"status\": 202, \"body\": \"ok\", \"no_id_header\": true}]}");
  r = deliver(1, "+1555", "a");
  assert_int_equal(r.outcome, CRM_SEND_SENT);
  assert_string_equal(r.provider_ref, "nested-1");
  assert_int_equal(r.provider_status, 201);
  /* body {"message_id": "hdr-2", ...} has no data.id: the header */
  r = deliver(2, "+1555", "b");
  assert_int_equal(r.outcome, CRM_SEND_SENT);
  assert_string_equal(r.provider_ref, "hdr-2");
  r = deliver(3, "+1555", "c");
  assert_int_equal(r.outcome, CRM_SEND_SENT);
  assert_string_equal(r.provider_ref, "");
  assert_int_equal(r.provider_status, 202);
}

/* 429 with Retry-After: 3 -> rate limited, 3000 ms; an HTTP-date 120 s
 * ahead -> about 120000 ms. */
static void test_rate_limited(void **state)
{
  crm_send_result r;
  char date[64], script[256];
  time_t when = time(NULL) + 120;
  struct tm tm;

  (void)state;
  load();
  hs_control(&sink, "{\"script\": [{\"status\": 429, \"headers\": "
                    "{\"Retry-After\": \"3\"}, \"body\": \"slow down\"}]}");
  r = deliver(1, "+1555", "a");
  assert_int_equal(r.outcome, CRM_SEND_RATE_LIMITED);
  assert_int_equal(r.retry_after_ms, 3000);
  assert_int_equal(r.provider_status, 429);
  assert_string_equal(r.detail, "HTTP 429: slow down");

  gmtime_r(&when, &tm);
  strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  snprintf(script, sizeof(script), "{\"script\": [{\"status\": 429, "
           "\"headers\": {\"Retry-After\": \"%s\"}}]}", date);
  hs_control(&sink, script);
  r = deliver(2, "+1555", "b");
  assert_int_equal(r.outcome, CRM_SEND_RATE_LIMITED);
  /* whole seconds: 120 s less the seconds that passed since `when` was
   * made (read after the answer, so a slow machine does not fail it) */
  assert_true(r.retry_after_ms >= (int64_t)(120 - (time(NULL) -
                                                   (when - 120))) * 1000 &&
              r.retry_after_ms <= 120000);

  /* none given: 0, the core's backoff applies */
  hs_control(&sink, "{\"script\": [429]}");
  r = deliver(3, "+1555", "c");
  assert_int_equal(r.outcome, CRM_SEND_RATE_LIMITED);
  assert_int_equal(r.retry_after_ms, 0);
}

/* Retry-After values a provider should not send: negative, not a
 * number, a date in the past give 0 (the core's own backoff); a huge
 * number and a date decades ahead are capped at 24 hours (86400000 ms),
 * so that one answer cannot stop the channel for years. */
static void test_retry_after_limits(void **state)
{
  static const struct {
    const char *value;
    int64_t ms;
  } cases[] = {
    {"-5", 0},
    {"3.5", 0},
    {"12abc", 0},
    {"Wed, 21 Oct 2015 07:28:00 GMT", 0},       /* in the past */
    {"86400", INT64_C(86400000)},               /* exactly the cap */
    {"86401", INT64_C(86400000)},
    {"99999999999999999999999", INT64_C(86400000)},
    {"Sun, 06 Nov 2094 08:49:37 GMT", INT64_C(86400000)},
    {" 7 ", 7000},                              /* trimmed */
  };
  char script[256];
  crm_send_result r;
  size_t i;

  (void)state;
  load();
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    snprintf(script, sizeof(script), "{\"script\": [{\"status\": %d, "
             "\"headers\": {\"Retry-After\": \"%s\"}}]}",
             i % 2 ? 503 : 429, cases[i].value);
    hs_control(&sink, script);
    r = deliver((int64_t)i + 1, "+1555", "a");
    assert_int_equal(r.outcome, i % 2 ? CRM_SEND_TEMPORARY
                                      : CRM_SEND_RATE_LIMITED);
    if(r.retry_after_ms != cases[i].ms)
      fail_msg("Retry-After \"%s\": %lld ms, wanted %lld", cases[i].value,
               (long long)r.retry_after_ms, (long long)cases[i].ms);
  }
}

/* 5xx, 408, 425 -> temporary; the detail quotes 200 bytes of the body. */
static void test_temporary(void **state)
{
  crm_send_result r;
  char script[512], want[256];

  (void)state;
  load();
  hs_control(&sink, "{\"script\": [500, 503, 408, 425]}");
  r = deliver(1, "+1555", "a");
  assert_int_equal(r.outcome, CRM_SEND_TEMPORARY);
  assert_int_equal(r.provider_status, 500);
  assert_string_equal(r.detail, "HTTP 500: {\"error\": \"scripted 500\"}");
  assert_int_equal(deliver(2, "+1555", "a").outcome, CRM_SEND_TEMPORARY);
  assert_int_equal(deliver(3, "+1555", "a").outcome, CRM_SEND_TEMPORARY);
  assert_int_equal(deliver(4, "+1555", "a").outcome, CRM_SEND_TEMPORARY);

  /* 300 bytes of body, a newline in it: 200 bytes quoted, on one line */
  snprintf(script, sizeof(script), "{\"script\": [{\"status\": 502, "
           "\"body\": \"line1\\n%0295d\"}]}", 0);
  hs_control(&sink, script);
  r = deliver(5, "+1555", "a");
  assert_int_equal(r.outcome, CRM_SEND_TEMPORARY);
  snprintf(want, sizeof(want), "HTTP 502: line1 %0194d", 0);
  assert_string_equal(r.detail, want);
  assert_int_equal(strlen(r.detail), strlen("HTTP 502: ") + 200);
}

/* Default lists: 400, 404, 410 permanent; 413, 422 rejected; any other
 * 4xx rejected; 401, 403, 409 temporary. */
static void test_permanent_and_rejected(void **state)
{
  static const int want[][2] = {
    {404, CRM_SEND_PERMANENT}, {400, CRM_SEND_PERMANENT},
    {410, CRM_SEND_PERMANENT}, {422, CRM_SEND_REJECTED},
    {413, CRM_SEND_REJECTED}, {415, CRM_SEND_REJECTED},
    {401, CRM_SEND_TEMPORARY}, {403, CRM_SEND_TEMPORARY},
    {409, CRM_SEND_TEMPORARY}};
  crm_send_result r;
  size_t i;

  (void)state;
  load();
  hs_control(&sink, "{\"script\": [404, 400, 410, 422, 413, 415, 401, 403, "
                    "409]}");
  for(i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
    r = deliver((int64_t)i + 1, "+1555", "a");
    assert_int_equal(r.provider_status, want[i][0]);
    assert_int_equal(r.outcome, want[i][1]);
  }
  /* none of these was a delivery */
  assert_int_equal(hs_int(&sink, "SELECT count(*) FROM log WHERE "
                                 "j->>'kind' = 'delivered'"), 0);
}

/* Configured lists replace the defaults. */
static void test_configured_statuses(void **state)
{
  crm_send_result r;

  (void)state;
  fake_cfg_str(&host, "headers", "oops"); /* a string: refused */
  fake_cfg_str(&host, "url", url);
  assert_int_equal(fake_load(&host, "sms_http"), CRM_ECONFIG);
  assert_non_null(strstr(host.errmsg, "headers must be a list"));
  fake_unload(&host);
  fake_reset(&host);
  fake_cfg_int(&host, "permanent_statuses.[0]", 409);
  fake_cfg_int(&host, "rejected_statuses.[0]", 404);
  load();
  hs_control(&sink, "{\"script\": [409, 404, 400]}");
  r = deliver(1, "+1555", "a");
  assert_int_equal(r.outcome, CRM_SEND_PERMANENT);
  r = deliver(2, "+1555", "a");
  assert_int_equal(r.outcome, CRM_SEND_REJECTED);
  /* 400 is in neither list now: another 4xx, rejected */
  r = deliver(3, "+1555", "a");
  assert_int_equal(r.outcome, CRM_SEND_REJECTED);
}

/* Nothing listening, or no answer in time: temporary, no status. */
static void test_transport_errors(void **state)
{
  crm_send_result r;
  int fd;

  (void)state;
  snprintf(url, sizeof(url), "http://127.0.0.1:%d/sms", hs_dead_port(&fd));
  load();
  r = deliver(1, "+1555", "a");
  close(fd);
  assert_int_equal(r.outcome, CRM_SEND_TEMPORARY);
  assert_int_equal(r.provider_status, 0);
  assert_true(!strncmp(r.detail, "curl: ", 6));
  assert_non_null(strstr(r.detail, "onnect"));
  fake_unload(&host);
  fake_reset(&host);

  /* the sink holds the request: a 300 ms timeout */
  snprintf(url, sizeof(url), "%s/sms", sink.url);
  fake_cfg_int(&host, "timeout_ms", 300);
  load();
  hs_control(&sink, "{\"script\": [{\"hold\": true}]}");
  r = deliver(2, "+1555", "a");
  assert_int_equal(r.outcome, CRM_SEND_TEMPORARY);
  assert_int_equal(r.provider_status, 0);
  assert_non_null(strstr(r.detail, "timed out"));
  /* the handle is usable after the timeout: the next message goes out on
   * a new connection (the held one is never answered, so not reused) */
  r = deliver(3, "+1555", "b");
  assert_int_equal(r.outcome, CRM_SEND_SENT);
  assert_string_equal(r.provider_ref, "sink-2");
  assert_int_equal(hs_int(&sink, "SELECT count(DISTINCT j->>'peer') "
                                 "FROM log"), 2);
}

/* JSON template: quotes, backslash, newline, tab, control bytes and
 * UTF-8 escaped as JSON wants; {id}, {key}, {sender}. */
static void test_json_escaping(void **state)
{
  crm_send_result r;

  (void)state;
  fake_cfg_str(&host, "body", "{\"from\":\"{sender}\",\"to\":\"{to}\","
               "\"text\":\"{text}\",\"id\":{id},\"ref\":\"{key}\","
               "\"lit\":\"{unknown-ish}\"}");
  fake_cfg_str(&host, "sender", "Shop \"A\"");
  load();
  r = deliver(42, "+33 6 12", "Say \"hi\"\\\nnext\tline\x01 caf\xc3\xa9 "
              "\xf0\x9f\x98\x80 bad\xff");
  assert_int_equal(r.outcome, CRM_SEND_SENT);
  /* worked out by hand: " -> \", \ -> \\, LF -> \n, TAB -> \t, 0x01 ->
   * \u0001, UTF-8 as is, the invalid byte 0xff -> \ufffd; "{unknown-ish}"
   * is not a placeholder (a '-') and stays */
  assert_string_equal(logtext("SELECT j->>'body' FROM log"),
                      "{\"from\":\"Shop \\\"A\\\"\",\"to\":\"+33 6 12\","
                      "\"text\":\"Say \\\"hi\\\"\\\\\\nnext\\tline\\u0001 "
                      "caf\xc3\xa9 \xf0\x9f\x98\x80 bad\\ufffd\",\"id\":42,"
                      "\"ref\":\"crm-store1-42\",\"lit\":\"{unknown-ish}\"}");
  /* and it is valid JSON that decodes back to the text */
  assert_string_equal(logtext("SELECT json_extract(j->>'body', '$.text') "
                              "FROM log"),
                      "Say \"hi\"\\\nnext\tline\x01 caf\xc3\xa9 "
                      "\xf0\x9f\x98\x80 bad\xef\xbf\xbd");
}

/* A form body: values percent-encoded (UTF-8 bytes), space as '+'. */
static void test_form_encoding(void **state)
{
  crm_send_result r;

  (void)state;
  fake_cfg_str(&host, "content_type", "application/x-www-form-urlencoded");
  fake_cfg_str(&host, "method", "PUT");
  load();
  r = deliver(5, "+15551234567", "Hello w\xc3\xb6rld! a&b=c");
  assert_int_equal(r.outcome, CRM_SEND_SENT);
  assert_string_equal(logtext("SELECT j->>'method' FROM log"), "PUT");
  assert_string_equal(logtext("SELECT j->>'$.headers.content-type' "
                              "FROM log"),
                      "application/x-www-form-urlencoded");
  assert_string_equal(logtext("SELECT j->>'body' FROM log"),
                      "to=%2B15551234567&text=Hello+w%C3%B6rld%21+a%26b%3Dc"
                      "&reference=crm-store1-5");
}

/* An XML body: values are escaped as XML character data, so that a
 * message text (customer data in a template) cannot close an element
 * and add its own (another recipient); by hand: & -> &amp;, < -> &lt;,
 * > -> &gt;, " -> &quot;, ' -> &apos;. */
static void test_xml_escaping(void **state)
{
  crm_send_result r;

  (void)state;
  fake_cfg_str(&host, "content_type", "text/xml; charset=utf-8");
  fake_cfg_str(&host, "body", "<sms to=\"{to}\"><text>{text}</text>"
               "<from>{sender}</from></sms>");
  fake_cfg_str(&host, "sender", "A&B");
  load();
  r = deliver(6, "+1555\"/><sms to=\"+1900", "Hi</text><to>+1900</to>"
              "<text>'caf\xc3\xa9'");
  assert_int_equal(r.outcome, CRM_SEND_SENT);
  assert_string_equal(logtext("SELECT j->>'body' FROM log"),
                      "<sms to=\"+1555&quot;/&gt;&lt;sms to=&quot;+1900\">"
                      "<text>Hi&lt;/text&gt;&lt;to&gt;+1900&lt;/to&gt;"
                      "&lt;text&gt;&apos;caf\xc3\xa9&apos;</text>"
                      "<from>A&amp;B</from></sms>");
}

/* The same key twice: the sink dedupes (one delivery, one duplicate);
 * the plugin reuses its connection (same client port). */
static void test_key_and_reuse(void **state)
{
  crm_send_result r1, r2;

  (void)state;
  load();
  r1 = deliver(9, "+1555", "once");
  r2 = deliver(9, "+1555", "once");
  assert_int_equal(r1.outcome, CRM_SEND_SENT);
  assert_int_equal(r2.outcome, CRM_SEND_SENT);
  assert_string_equal(r1.provider_ref, "sink-1");
  assert_string_equal(r2.provider_ref, "sink-1");
  assert_int_equal(hs_int(&sink, "SELECT count(*) FROM log WHERE "
                                 "j->>'kind' = 'delivered'"), 1);
  assert_int_equal(hs_int(&sink, "SELECT count(*) FROM log WHERE "
                                 "j->>'kind' = 'duplicate'"), 1);
  assert_int_equal(hs_int(&sink, "SELECT count(DISTINCT j->>'peer') "
                                 "FROM log"), 1);
}

/* No number: rejected without a request. The 1.0-1.3 send entry: 0 and
 * the id on 200, an error with the detail otherwise. */
static void test_no_address_and_send(void **state)
{
  const crm_channel_v1 *vt;
  crm_message_view m;
  crm_send_result r;
  char ref[64];

  (void)state;
  load();
  r = deliver(1, "", "a");
  assert_int_equal(r.outcome, CRM_SEND_REJECTED);
  assert_string_equal(r.detail, "no phone number to send to");
  assert_int_equal(hs_int(&sink, "SELECT count(*) FROM log"), 0);

  vt = fake_vtable(&host, CRM_KIND_CHANNEL);
  hs_control(&sink, "{\"script\": [200, 500]}");
  message(&m, 2, "+1555", "x");
  assert_int_equal(vt->send(host.state, &host, &m, ref, sizeof(ref)),
                   CRM_OK);
  assert_string_equal(ref, "sink-1");
  message(&m, 3, "+1555", "x");
  assert_int_equal(vt->send(host.state, &host, &m, ref, sizeof(ref)),
                   CRM_ERROR);
  assert_string_equal(host.errmsg, "HTTP 500: {\"error\": \"scripted 500\"}");
}

/* Bad settings are refused at init with the reason. */
static void test_config_errors(void **state)
{
  static const struct {
    const char *key;
    const char *value;
    const char *msg;
  } bad[] = {
    {"url", "ftp://x/y", "is not an http:// or https:// URL"},
    {"body", "{\"t\":\"{txt}\"}", "unknown placeholder {txt}"},
    {"headers.[0]", "Bad Header", "headers[0] must be"},
    {"method", "GET", "is not POST or PUT"},
    {"content_type", "text/plain", "body is required"},
    {"response_id_path", "a.b", "must be a top-level key"},
  };
  size_t i;

  (void)state;
  fake_reset(&host);
  assert_int_equal(fake_load(&host, "sms_http"), CRM_ECONFIG);
  assert_non_null(strstr(host.errmsg, "url is required"));
  fake_unload(&host);
  for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    fake_reset(&host);
    if(strcmp(bad[i].key, "url"))
      fake_cfg_str(&host, "url", url);
    fake_cfg_str(&host, bad[i].key, bad[i].value);
    if(fake_load(&host, "sms_http") != CRM_ECONFIG)
      fail_msg("%s = %s was accepted", bad[i].key, bad[i].value);
    if(!strstr(host.errmsg, bad[i].msg))
      fail_msg("%s: got \"%s\"", bad[i].key, host.errmsg);
    fake_unload(&host);
  }
  fake_reset(&host);
  fake_cfg_int(&host, "timeout_ms", 0);
  fake_cfg_str(&host, "url", url);
  assert_int_equal(fake_load(&host, "sms_http"), CRM_ECONFIG);
  assert_non_null(strstr(host.errmsg, "timeout_ms 0 is out of range"));
  fake_unload(&host);
  fake_reset(&host);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_sent_with_id, setup, teardown),
    cmocka_unit_test_setup_teardown(test_provider_ref_sources, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_rate_limited, setup, teardown),
    cmocka_unit_test_setup_teardown(test_retry_after_limits, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_temporary, setup, teardown),
    cmocka_unit_test_setup_teardown(test_permanent_and_rejected, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_configured_statuses, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_transport_errors, setup, teardown),
    cmocka_unit_test_setup_teardown(test_json_escaping, setup, teardown),
    cmocka_unit_test_setup_teardown(test_form_encoding, setup, teardown),
    cmocka_unit_test_setup_teardown(test_xml_escaping, setup, teardown),
    cmocka_unit_test_setup_teardown(test_key_and_reuse, setup, teardown),
    cmocka_unit_test_setup_teardown(test_no_address_and_send, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_config_errors, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
