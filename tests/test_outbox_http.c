/*
 * test_outbox_http.c - the outbox end to end with the real core and the
 * real sms_http plugin, against tests/servers/http_sink.py on loopback:
 *
 *   - a 429 slowing the channel: the channel's current rate is halved,
 *     the message and a second one on that channel wait until
 *     slowed_until, then both go;
 *   - a 500 retried and then sent: attempts 2, the sink got two requests
 *     with the same Idempotency-Key;
 *   - a permanent failure marking the address: 404 -> dead, a
 *     bad_addresses row, the next message to that number refused by the
 *     gate ("bad_address");
 *   - the webhook channel routed with address "attr:webhook_url": the
 *     customer's own URL gets the signed document, the signature checks.
 *
 * The clock is fixed (crm_set_now) and moved by hand: the pace of a
 * channel and the backoff are read on it, so no test sleeps.
 */
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "crm_test.h"
#include "http_sink.h"

#define T0 (T_EPOCH2000 + 1000 * T_DAY) /* 2002-09-27 00:00 UTC */
#define WH_SECRET "s3cret-for-the-test"

typedef struct env {
  crm *c;
  hs_sink sink;
  char dir[512];
  char log[600];
  char conf[600];
  int64_t cust;
} env;

static void env_open(env *e, const char *phone)
{
  char text[2048];
  crm_customer_fields f;

  memset(e, 0, sizeof(*e));
  t_tmpdir(e->dir, sizeof(e->dir));
  snprintf(e->log, sizeof(e->log), "%s/sink.jsonl", e->dir);
  hs_start(&e->sink, e->log, NULL);
  /* jitter 0: the backoff is exactly base * 2^(attempts-1) */
  snprintf(text, sizeof(text),
    "plugins = { load = (\n"
    " { name = \"sms_http\"; config = {\n"
    "  url = \"%s/sms\";\n"
    "  headers = ( \"Authorization: Bearer t0k\" );\n"
    "  response_id_path = \"message_id\";\n"
    "  timeout_ms = 5000; }; },\n"
    " { name = \"webhook\"; config = { secret = \"" WH_SECRET "\"; }; }\n"
    " ); };\n"
    "communication = {\n"
    "  require_opt_in = false;\n"
    "  retry = { max_attempts = 5; base_seconds = 60; max_seconds = 3600;\n"
    "            jitter = 0.0; };\n"
    "  channels = ( { name = \"sms\"; component = \"sms_http\";\n"
    "                 address = \"phone\"; rate = 1.0; },\n"
    "               { name = \"webhook\"; component = \"webhook\";\n"
    "                 address = \"attr:webhook_url\"; } );\n"
    "};\n", e->sink.url);
  snprintf(e->conf, sizeof(e->conf), "%s/crm.conf", e->dir);
  t_write_file(e->conf, text);
  e->c = t_open_mem(T0);
  if(crm_load_config(e->c, e->conf, CRM_TEST_PLUGIN_DIR))
    fail_msg("crm_load_config: %s", crm_errmsg(e->c));
  memset(&f, 0, sizeof(f));
  f.external_id = "c1";
  f.name = "Ann";
  f.phone = phone;
  if(crm_customer_add(e->c, &f, &e->cust))
    fail_msg("crm_customer_add: %s", crm_errmsg(e->c));
}

static void env_close(env *e)
{
  crm_close(e->c);
  hs_stop(&e->sink);
  unlink(e->log);
  unlink(e->conf);
  rmdir(e->dir);
}

static int64_t enqueue_on(env *e, int64_t cust, const char *channel,
                          const char *body)
{
  crm_outbox_new m;
  int64_t id = 0;

  memset(&m, 0, sizeof(m));
  m.customer_id = cust;
  m.channel = channel;
  m.body = body;
  m.priority = CRM_PRIORITY_SERVICE;
  if(crm_outbox_enqueue(e->c, &m, &id))
    fail_msg("crm_outbox_enqueue: %s", crm_errmsg(e->c));
  return id;
}

static int64_t enqueue(env *e, int64_t cust, const char *body)
{
  return enqueue_on(e, cust, "sms", body);
}

static crm_outbox_stats run(env *e, int64_t now)
{
  crm_outbox_stats s;
  crm_outbox_run_opts o;

  memset(&o, 0, sizeof(o));
  o.no_triggers = 1;
  crm_set_now(e->c, now);
  if(crm_outbox_run(e->c, &o, &s))
    fail_msg("crm_outbox_run: %s", crm_errmsg(e->c));
  return s;
}

static crm_outbox_msg get(env *e, int64_t id)
{
  crm_outbox_msg m;

  if(crm_outbox_get(e->c, id, &m))
    fail_msg("crm_outbox_get(%lld): %s", (long long)id, crm_errmsg(e->c));
  return m;
}

static int64_t sink_count(env *e, const char *where)
{
  char sql[512];

  snprintf(sql, sizeof(sql), "SELECT count(*) FROM log WHERE %s", where);
  return hs_int(&e->sink, sql);
}

struct chan_seen {
  int n;
  double rate;
  double current_rate;
  int64_t slowed_until;
  int64_t queued;
};

static int chan_cb(void *ud, const crm_channel_status *s)
{
  struct chan_seen *seen = ud;

  if(strcmp(s->channel, "sms"))
    return 0;
  seen->n++;
  seen->rate = s->rate;
  seen->current_rate = s->current_rate;
  seen->slowed_until = s->slowed_until;
  seen->queued = s->queued;
  return 0;
}

static struct chan_seen channel(env *e)
{
  struct chan_seen seen;

  memset(&seen, 0, sizeof(seen));
  if(crm_channel_foreach(e->c, chan_cb, &seen))
    fail_msg("crm_channel_foreach: %s", crm_errmsg(e->c));
  assert_int_equal(seen.n, 1);
  return seen;
}

/* 429 with Retry-After: 3 at T0: the channel (1/s) drops to 0.5/s and
 * pauses until T0 + 3; neither message goes before; at T0 + 3 one goes,
 * the other waits for its slot at 0.5/s (2 s later) and goes at T0 + 5. */
static void test_429_slows_the_channel(void **state)
{
  crm_outbox_stats s;
  crm_outbox_msg m;
  struct chan_seen ch;
  env e;
  int64_t id1, id2, cust2;
  crm_customer_fields f;

  (void)state;
  env_open(&e, "+15550000001");
  memset(&f, 0, sizeof(f));
  f.external_id = "c2";
  f.phone = "+15550000002";
  if(crm_customer_add(e.c, &f, &cust2))
    fail_msg("crm_customer_add: %s", crm_errmsg(e.c));
  hs_control(&e.sink, "{\"script\": [{\"status\": 429, \"headers\": "
                      "{\"Retry-After\": \"3\"}, \"body\": \"slow down\"}]}");
  id1 = enqueue(&e, e.cust, "first");
  id2 = enqueue(&e, cust2, "second");

  s = run(&e, T0);
  assert_int_equal(s.attempted, 1);   /* the second never reached it */
  assert_int_equal(s.rate_limited, 1);
  assert_int_equal(s.sent, 0);
  assert_int_equal(sink_count(&e, "1"), 1);
  ch = channel(&e);
  assert_true(ch.rate == 1.0);
  assert_true(ch.current_rate == 0.5); /* halved */
  assert_int_equal(ch.slowed_until, T0 + 3);
  assert_int_equal(ch.queued, 2);
  m = get(&e, id1);
  assert_string_equal(m.status, CRM_MSG_QUEUED);
  assert_int_equal(m.attempts, 0);     /* a 429 does not count */
  assert_string_equal(m.error_class, "rate_limited");
  assert_string_equal(m.error, "HTTP 429: slow down");
  assert_int_equal(m.next_at, T0 + 3);
  m = get(&e, id2);
  assert_string_equal(m.status, CRM_MSG_QUEUED);
  assert_int_equal(m.attempts, 0);

  /* still slowed at T0 + 2: nothing is sent */
  s = run(&e, T0 + 2);
  assert_int_equal(s.attempted, 0);
  assert_int_equal(sink_count(&e, "1"), 1);

  /* at T0 + 3 one goes; the other waits for the next slot (1 / 0.5 s) */
  s = run(&e, T0 + 3);
  assert_int_equal(s.sent, 1);
  assert_int_equal(s.attempted, 1);
  assert_int_equal(sink_count(&e, "j->>'kind' = 'delivered'"), 1);
  s = run(&e, T0 + 5);
  assert_int_equal(s.sent, 1);
  assert_string_equal(get(&e, id1).status, CRM_MSG_SENT);
  assert_string_equal(get(&e, id2).status, CRM_MSG_SENT);
  assert_int_equal(get(&e, id1).attempts, 1);
  assert_int_equal(get(&e, id2).attempts, 1);
  /* two deliveries, one per message, plus the 429 */
  assert_int_equal(sink_count(&e, "j->>'kind' = 'delivered'"), 2);
  assert_int_equal(sink_count(&e, "j->>'kind' = 'failed' AND "
                                  "j->>'status' = 429"), 1);
  assert_int_equal(sink_count(&e, "j->>'body' LIKE '%\"text\":\"first\"%' "
                                  "AND j->>'kind' = 'delivered'"), 1);
  assert_int_equal(sink_count(&e, "j->>'body' LIKE '%\"text\":\"second\"%' "
                                  "AND j->>'kind' = 'delivered'"), 1);
  ch = channel(&e);
  assert_int_equal(ch.slowed_until, 0);
  assert_true(ch.current_rate == 0.5); /* recovers after 10 successes */
  assert_int_equal(ch.queued, 0);
  env_close(&e);
}

/* 500 then 200: failed (attempt 1, due again after base_seconds = 60),
 * then sent on attempt 2; both requests carry the message's key. */
static void test_500_retried_then_sent(void **state)
{
  crm_outbox_stats s;
  crm_outbox_msg m;
  char sql[256], key[128], ref[64];
  env e;
  int64_t id;

  (void)state;
  env_open(&e, "+15550000500");
  hs_control(&e.sink, "{\"script\": [500, 200]}");
  id = enqueue(&e, e.cust, "code 1234");
  s = run(&e, T0);
  assert_int_equal(s.attempted, 1);
  assert_int_equal(s.failed, 1);
  m = get(&e, id);
  assert_string_equal(m.status, CRM_MSG_FAILED);
  assert_int_equal(m.attempts, 1);
  assert_string_equal(m.error_class, "temporary");
  assert_string_equal(m.error, "HTTP 500: {\"error\": \"scripted 500\"}");
  assert_int_equal(m.next_at, T0 + 60); /* 60 * 2^0, no jitter */
  snprintf(key, sizeof(key), "%s", m.idempotency_key);
  assert_true(!strncmp(key, "crm-", 4));

  /* not due before its time */
  s = run(&e, T0 + 59);
  assert_int_equal(s.attempted, 0);
  s = run(&e, T0 + 60);
  assert_int_equal(s.sent, 1);
  m = get(&e, id);
  assert_string_equal(m.status, CRM_MSG_SENT);
  assert_int_equal(m.attempts, 2);
  assert_int_equal(m.sent_at, T0 + 60);
  snprintf(ref, sizeof(ref), "%s", m.provider_ref ? m.provider_ref : "");
  assert_string_equal(ref, "sink-2"); /* the sink's id of request 2 */
  assert_int_equal(sink_count(&e, "1"), 2);
  snprintf(sql, sizeof(sql), "j->>'$.headers.idempotency-key' = '%s'", key);
  assert_int_equal(sink_count(&e, sql), 2);
  assert_int_equal(sink_count(&e, "j->>'$.headers.authorization' = "
                                  "'Bearer t0k'"), 2);
  assert_int_equal(sink_count(&e, "j->>'kind' = 'delivered'"), 1);
  env_close(&e);
}

struct bad_seen {
  int n;
  char channel[40];
  char address[40];
  char reason[200];
  int64_t message_id;
};

static int bad_cb(void *ud, const crm_bad_address *b)
{
  struct bad_seen *seen = ud;

  seen->n++;
  snprintf(seen->channel, sizeof(seen->channel), "%s", b->channel);
  snprintf(seen->address, sizeof(seen->address), "%s", b->address);
  snprintf(seen->reason, sizeof(seen->reason), "%s", b->reason);
  seen->message_id = b->message_id;
  return 0;
}

/* 404: dead at once, the number marked bad; the gate refuses the next
 * message to it, which never reaches the provider. */
static void test_404_marks_the_address(void **state)
{
  crm_outbox_stats s;
  crm_outbox_msg m;
  crm_gate_result g;
  struct bad_seen bad;
  env e;
  int64_t id1, id2;

  (void)state;
  env_open(&e, "+15550000404");
  hs_control(&e.sink, "{\"script\": [{\"status\": 404, \"body\": "
                      "\"unknown number\"}]}");
  id1 = enqueue(&e, e.cust, "hello");
  s = run(&e, T0);
  assert_int_equal(s.attempted, 1);
  assert_int_equal(s.dead, 1);
  m = get(&e, id1);
  assert_string_equal(m.status, CRM_MSG_DEAD);
  assert_int_equal(m.attempts, 1);
  assert_string_equal(m.error_class, "permanent");
  assert_string_equal(m.error, "HTTP 404: unknown number");

  memset(&bad, 0, sizeof(bad));
  assert_int_equal(crm_bad_address_foreach(e.c, bad_cb, &bad), CRM_OK);
  assert_int_equal(bad.n, 1);
  assert_string_equal(bad.channel, "sms");
  assert_string_equal(bad.address, "+15550000404");
  assert_int_equal(bad.message_id, id1);
  assert_non_null(strstr(bad.reason, "HTTP 404: unknown number"));

  memset(&g, 0, sizeof(g));
  assert_int_equal(crm_send_check(e.c, e.cust, "sms", CRM_PRIORITY_SERVICE,
                                  0, &g), CRM_OK);
  assert_int_equal(g.decision, CRM_GATE_REFUSE);
  assert_string_equal(g.code, "bad_address");

  id2 = enqueue(&e, e.cust, "hello again");
  s = run(&e, T0 + 10);
  assert_int_equal(s.attempted, 0);
  assert_int_equal(s.refused, 1);
  m = get(&e, id2);
  assert_string_equal(m.status, CRM_MSG_REFUSED);
  assert_string_equal(m.error_class, "refused");
  assert_non_null(strstr(m.error, "bad address"));
  assert_int_equal(sink_count(&e, "1"), 1); /* only the 404 */
  env_close(&e);
}

/* The webhook route: the customer's webhook_url attribute is the
 * address; the document arrives there, signed over timestamp "." body
 * (recomputed here with libcrypto's HMAC()). */
static void test_webhook_route(void **state)
{
  static char url[128], body[4096], ts[32], sig[128], signed_[4200];
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0, i;
  char want[80], key[128];
  crm_outbox_stats s;
  crm_outbox_msg m;
  env e;
  int64_t id;

  (void)state;
  env_open(&e, "+15550000777");
  snprintf(url, sizeof(url), "%s/hook/c1", e.sink.url);
  if(crm_customer_set_attr(e.c, e.cust, "webhook_url", url))
    fail_msg("crm_customer_set_attr: %s", crm_errmsg(e.c));
  id = enqueue_on(&e, e.cust, "webhook", "points: 120");
  s = run(&e, T0);
  assert_int_equal(s.sent, 1);
  m = get(&e, id);
  assert_string_equal(m.status, CRM_MSG_SENT);
  assert_string_equal(m.address, url);
  snprintf(key, sizeof(key), "%s", m.idempotency_key);
  assert_int_equal(sink_count(&e, "j->>'path' = '/hook/c1' AND "
                                  "j->>'kind' = 'delivered'"), 1);
  hs_text(&e.sink, "SELECT j->>'body' FROM log", body, sizeof(body));
  hs_text(&e.sink, "SELECT j->>'$.headers.x-crm-timestamp' FROM log", ts,
          sizeof(ts));
  hs_text(&e.sink, "SELECT j->>'$.headers.x-crm-signature' FROM log", sig,
          sizeof(sig));
  snprintf(signed_, sizeof(signed_), "%s.%s", ts, body);
  assert_non_null(HMAC(EVP_sha256(), WH_SECRET, (int)strlen(WH_SECRET),
                       (const unsigned char *)signed_, strlen(signed_), md,
                       &n));
  assert_int_equal(n, 32);
  memcpy(want, "sha256=", 8);
  for(i = 0; i < n; i++)
    snprintf(want + 7 + 2 * i, 3, "%02x", md[i]);
  assert_string_equal(sig, want);
  /* the document names the message and carries its key */
  assert_int_equal(hs_int(&e.sink, "SELECT json_extract(j->>'body', '$.id')"
                                   " FROM log"), id);
  hs_text(&e.sink, "SELECT json_extract(j->>'body', '$.idempotency_key')"
                   " FROM log", sig, sizeof(sig));
  assert_string_equal(sig, key);
  hs_text(&e.sink, "SELECT json_extract(j->>'body', '$.body') FROM log",
          sig, sizeof(sig));
  assert_string_equal(sig, "points: 120");
  env_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_429_slows_the_channel),
    cmocka_unit_test(test_500_retried_then_sent),
    cmocka_unit_test(test_404_marks_the_address),
    cmocka_unit_test(test_webhook_route),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
