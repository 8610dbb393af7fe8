/*
 * test_outbox_run.c - the dispatcher (crm_outbox_run) with the scripted
 * fx_channel fixture, the clock fixed with crm_set_now: backoff, attempts
 * exhausted, permanent and rejected answers, rate limits and recovery,
 * pacing, crash recovery, due order, the message view, and what
 * crm_message_send answers.
 *
 * Retry settings unless a test sets them: max_attempts 8, base 60 s,
 * max 6 h, jitter 0.2, lease 300 s.
 */
#include <sys/wait.h>

#include "outbox_test.h"
#include "outbox_int.h"

static crm_outbox_stats ot_run_at(crm *c, int64_t now)
{
  crm_set_now(c, now);
  return ot_run(c);
}

static int64_t ann(crm *c)
{
  return ot_customer(c, "ann", "Ann Lee", "ann@example.com", "+15550100");
}

/* ---- temporary, then sent ---------------------------------------------- */

/* A 500-like answer, then success: attempt 1 fails, next_at = now + 60 s
 * * (1 + 0.2 u) with u in [-1, 1], i.e. within [now + 48, now + 72];
 * attempt 2 at that time is sent with the same idempotency key. */
static void test_temporary_then_sent(void **state)
{
  ot_env e;
  char lines[4][OT_LINE];
  char key[96];
  crm_outbox_msg m;
  crm_outbox_stats s;
  int64_t cust, id, next;

  (void)state;
  ot_open(&e, "\"temporary\"", NULL);
  cust = ann(e.c);
  id = ot_enqueue(e.c, cust, NULL, "Hi", "Body");
  m = ot_get(e.c, id);
  assert_string_equal(m.status, "queued");
  assert_int_equal(m.next_at, OT_NOW);
  snprintf(key, sizeof(key), "%s", m.idempotency_key);
  assert_true(strncmp(key, "crm-", 4) == 0);
  s = ot_run(e.c);
  assert_int_equal(s.attempted, 1);
  assert_int_equal(s.failed, 1);
  assert_int_equal(s.sent, 0);
  m = ot_get(e.c, id);
  assert_string_equal(m.status, "failed");
  assert_int_equal(m.attempts, 1);
  assert_string_equal(m.error, "fx temporary (call 1)");
  assert_string_equal(m.error_class, "temporary");
  assert_string_equal(m.address, "ann@example.com");
  next = m.next_at;
  assert_true(next >= OT_NOW + 48 && next <= OT_NOW + 72);
  /* not due before next_at */
  s = ot_run_at(e.c, next - 1);
  assert_int_equal(s.attempted, 0);
  s = ot_run_at(e.c, next);
  assert_int_equal(s.attempted, 1);
  assert_int_equal(s.sent, 1);
  m = ot_get(e.c, id);
  assert_string_equal(m.status, "sent");
  assert_int_equal(m.attempts, 2);
  assert_string_equal(m.provider_ref, "fx-2");
  assert_int_equal(m.sent_at, next);
  assert_null(m.error);
  assert_null(m.error_class);
  /* the provider saw both attempts under one key */
  assert_int_equal(ot_log(e.log, lines, 4), 2);
  assert_string_equal(ot_field(lines[0], "key"), key);
  assert_string_equal(ot_field(lines[0], "attempt"), "1");
  assert_string_equal(ot_field(lines[1], "key"), key);
  assert_string_equal(ot_field(lines[1], "attempt"), "2");
  assert_string_equal(ot_field(lines[1], "outcome"), "sent");
  /* audited: failed, then sent */
  assert_int_equal(ot_sql_int(e.c, "SELECT count(*) FROM audit_log WHERE "
                              "action IN ('message.failed', 'message.sent')"
                              " AND object = 'message #' || ?1", id), 2);
  ot_close(&e);
}

/* The jitter band, drawn from a seeded generator: base 100 s, jitter 0.5
 * gives delays in [50, 150]; max 150 caps attempt 2 (200 s) at 150 *
 * (1 +- 0.5), i.e. [75, 225]. */
static void test_backoff_bounds(void **state)
{
  ot_env e;
  crm_outbox_msg m;
  int64_t cust, id, now = OT_NOW;
  int i;

  (void)state;
  ot_open(&e, "\"temporary\", \"temporary\", \"temporary\", \"temporary\","
          " \"temporary\", \"temporary\"",
          "communication = { retry = { base_seconds = 100; "
          "max_seconds = 150; jitter = 0.5; max_attempts = 10; }; };");
  e.c->comm_rng = 12345;
  cust = ann(e.c);
  id = ot_enqueue(e.c, cust, NULL, NULL, "Body");
  for(i = 1; i <= 6; i++) {
    ot_run_at(e.c, now);
    m = ot_get(e.c, id);
    assert_string_equal(m.status, "failed");
    assert_int_equal(m.attempts, i);
    if(i == 1)
      assert_true(m.next_at >= now + 50 && m.next_at <= now + 150);
    else
      assert_true(m.next_at >= now + 75 && m.next_at <= now + 225);
    now = m.next_at;
  }
  ot_close(&e);
}

/* ---- attempts exhausted -------------------------------------------------- */

/* max_attempts 3, base 10 s, max 15 s, no jitter: attempt 1 at T fails
 * (next T+10), attempt 2 at T+10 fails (next T+10+min(15, 20) = T+25),
 * attempt 3 at T+25 fails and is the last: dead. */
static void test_max_attempts_dead(void **state)
{
  ot_env e;
  crm_outbox_msg m;
  crm_outbox_stats s;
  int64_t cust, id;

  (void)state;
  ot_open(&e, "\"temporary\", \"temporary\", \"error\"",
          "communication = { retry = { max_attempts = 3; base_seconds = 10;"
          " max_seconds = 15; jitter = 0.0; }; };");
  cust = ann(e.c);
  id = ot_enqueue(e.c, cust, NULL, "s", "b");
  ot_run(e.c);
  m = ot_get(e.c, id);
  assert_int_equal(m.next_at, OT_NOW + 10);
  ot_run_at(e.c, OT_NOW + 10);
  m = ot_get(e.c, id);
  assert_string_equal(m.status, "failed");
  assert_int_equal(m.attempts, 2);
  assert_int_equal(m.next_at, OT_NOW + 25);
  /* the third answer is an error return: a temporary failure too */
  s = ot_run_at(e.c, OT_NOW + 25);
  assert_int_equal(s.dead, 1);
  m = ot_get(e.c, id);
  assert_string_equal(m.status, "dead");
  assert_int_equal(m.attempts, 3);
  assert_string_equal(m.error_class, "temporary");
  assert_non_null(strstr(m.error, "scripted error (call 3)"));
  /* dead is not due any more */
  s = ot_run_at(e.c, OT_NOW + 10000);
  assert_int_equal(s.attempted, 0);
  ot_close(&e);
}

/* A route's max_attempts overrides the global one (2 instead of 8). */
static void test_route_max_attempts(void **state)
{
  ot_env e;
  crm_outbox_msg m;
  int64_t cust, id;

  (void)state;
  ot_open(&e, "\"temporary\", \"temporary\"",
          "communication = { retry = { base_seconds = 10; jitter = 0.0; };"
          " channels = ( { name = \"email\"; component = \"fx_channel\";"
          " address = \"email\"; max_attempts = 2; } ); };");
  cust = ann(e.c);
  id = ot_enqueue(e.c, cust, "email", "s", "b");
  ot_run(e.c);
  ot_run_at(e.c, OT_NOW + 10);
  m = ot_get(e.c, id);
  assert_string_equal(m.status, "dead");
  assert_int_equal(m.attempts, 2);
  assert_string_equal(m.channel, "email");
  ot_close(&e);
}

/* ---- permanent, rejected ------------------------------------------------- */

struct bad_seen {
  int n;
  char channel[40];
  char address[64];
  char reason[128];
  int64_t message_id;
  int64_t at;
};

static int bad_cb(void *ud, const crm_bad_address *b)
{
  struct bad_seen *s = ud;

  s->n++;
  snprintf(s->channel, sizeof(s->channel), "%s", b->channel);
  snprintf(s->address, sizeof(s->address), "%s", b->address);
  snprintf(s->reason, sizeof(s->reason), "%s", b->reason);
  s->message_id = b->message_id;
  s->at = b->at;
  return 0;
}

/* Permanent: dead, the address marked bad; a later message to that
 * address is refused by the gate ("bad_address") without a call; once
 * the mark is lifted, a retry goes out. */
static void test_permanent_marks_address(void **state)
{
  ot_env e;
  char lines[4][OT_LINE];
  struct bad_seen bad;
  crm_outbox_msg m;
  crm_outbox_stats s;
  int64_t cust, id1, id2;

  (void)state;
  ot_open(&e, "\"permanent\"", NULL);
  cust = ann(e.c);
  id1 = ot_enqueue(e.c, cust, NULL, "s", "b");
  s = ot_run(e.c);
  assert_int_equal(s.dead, 1);
  m = ot_get(e.c, id1);
  assert_string_equal(m.status, "dead");
  assert_int_equal(m.attempts, 1);
  assert_string_equal(m.error_class, "permanent");
  assert_string_equal(m.error, "fx permanent (call 1)");
  memset(&bad, 0, sizeof(bad));
  assert_int_equal(crm_bad_address_foreach(e.c, bad_cb, &bad), CRM_OK);
  assert_int_equal(bad.n, 1);
  assert_string_equal(bad.channel, "fx_channel");
  assert_string_equal(bad.address, "ann@example.com");
  assert_string_equal(bad.reason, "fx permanent (call 1)");
  assert_int_equal(bad.message_id, id1);
  assert_int_equal(bad.at, OT_NOW);
  id2 = ot_enqueue(e.c, cust, NULL, "s", "again");
  s = ot_run(e.c);
  assert_int_equal(s.refused, 1);
  assert_int_equal(s.attempted, 0);
  m = ot_get(e.c, id2);
  assert_string_equal(m.status, "refused");
  assert_string_equal(m.error_class, "refused");
  assert_non_null(m.error);
  assert_int_equal(ot_log(e.log, lines, 4), 1);
  /* the mark is lifted: a retry of the refused message goes out */
  assert_int_equal(crm_bad_address_clear(e.c, "fx_channel", "nobody@x.org"),
                   CRM_ENOTFOUND);
  assert_int_equal(crm_bad_address_clear(e.c, "fx_channel",
                                         "ann@example.com"), CRM_OK);
  assert_int_equal(crm_outbox_retry(e.c, id2), CRM_OK);
  s = ot_run(e.c);
  assert_int_equal(s.sent, 1);
  assert_string_equal(ot_get(e.c, id2).status, "sent");
  ot_close(&e);
}

/* Rejected: the message is dead, the address is not blamed. */
static void test_rejected(void **state)
{
  ot_env e;
  struct bad_seen bad;
  crm_outbox_msg m;
  crm_outbox_stats s;
  int64_t cust, id1, id2;

  (void)state;
  ot_open(&e, "\"rejected\"", NULL);
  cust = ann(e.c);
  id1 = ot_enqueue(e.c, cust, NULL, "s", "b");
  id2 = ot_enqueue(e.c, cust, NULL, "s", "b2");
  s = ot_run(e.c);
  assert_int_equal(s.attempted, 2);
  assert_int_equal(s.dead, 1);
  assert_int_equal(s.sent, 1);
  m = ot_get(e.c, id1);
  assert_string_equal(m.status, "dead");
  assert_string_equal(m.error_class, "rejected");
  memset(&bad, 0, sizeof(bad));
  assert_int_equal(crm_bad_address_foreach(e.c, bad_cb, &bad), CRM_OK);
  assert_int_equal(bad.n, 0);
  assert_string_equal(ot_get(e.c, id2).status, "sent");
  ot_close(&e);
}

/* ---- rate limits --------------------------------------------------------- */

struct chan_seen {
  int n;
  struct {
    char channel[40];
    char component[40];
    double rate;
    double current_rate;
    int64_t slowed_until;
    int64_t queued;
  } v[4];
};

static int chan_cb(void *ud, const crm_channel_status *st)
{
  struct chan_seen *s = ud;

  if(s->n < 4) {
    snprintf(s->v[s->n].channel, sizeof(s->v[0].channel), "%s", st->channel);
    snprintf(s->v[s->n].component, sizeof(s->v[0].component), "%s",
             st->component);
    s->v[s->n].rate = st->rate;
    s->v[s->n].current_rate = st->current_rate;
    s->v[s->n].slowed_until = st->slowed_until;
    s->v[s->n].queued = st->queued;
  }
  s->n++;
  return 0;
}

static struct chan_seen channels(crm *c)
{
  struct chan_seen s;

  memset(&s, 0, sizeof(s));
  if(crm_channel_foreach(c, chan_cb, &s))
    fail_msg("crm_channel_foreach: %s", crm_errmsg(c));
  return s;
}

#define RATE_COMM                                                         \
  "communication = { channels = ("                                        \
  " { name = \"email\"; component = \"fx_channel\"; address = \"email\";" \
  " rate = 4.0; },"                                                       \
  " { name = \"sms\"; component = \"fx_channel2\"; address = \"phone\"; }" \
  " ); };"

/* A 429 with Retry-After 3 s on email (rate 4/s): the attempt does not
 * count, email's current rate halves to 2/s and it is slowed until T+3;
 * the message and the other email message wait; sms is not affected.
 * At T+3 both email messages are due, but at 2/s (one per 500 ms) only
 * one goes at that instant; the other at T+4. After 10 successes in a
 * row the rate doubles back to the configured 4/s. */
static void test_rate_limited(void **state)
{
  ot_env e;
  char lines[16][OT_LINE];
  char key[96];
  struct chan_seen ch;
  crm_outbox_msg m;
  crm_outbox_stats s;
  int64_t cust, m1, m2, m3;
  int i;

  (void)state;
  ot_open2(&e, "\"rate_limited:3000\"", "", RATE_COMM);
  cust = ann(e.c);
  m1 = ot_enqueue(e.c, cust, "email", "one", "b");
  m2 = ot_enqueue(e.c, cust, "email", "two", "b");
  m3 = ot_enqueue(e.c, cust, "sms", NULL, "three");
  s = ot_run(e.c);
  assert_int_equal(s.attempted, 2);
  assert_int_equal(s.rate_limited, 1);
  assert_int_equal(s.deferred, 1);
  assert_int_equal(s.sent, 1);
  m = ot_get(e.c, m1);
  assert_string_equal(m.status, "queued");
  assert_int_equal(m.attempts, 0);
  assert_int_equal(m.next_at, OT_NOW + 3);
  assert_string_equal(m.error_class, "rate_limited");
  assert_string_equal(m.hold_reason, "channel email is slowed down until "
                                     "2002-09-27T00:00:03Z (rate limited)");
  m = ot_get(e.c, m2);
  assert_string_equal(m.status, "queued");
  assert_int_equal(m.attempts, 0);
  assert_string_equal(ot_get(e.c, m3).status, "sent");
  ch = channels(e.c);
  assert_int_equal(ch.n, 2);
  assert_string_equal(ch.v[0].channel, "email");
  assert_string_equal(ch.v[0].component, "fx_channel");
  assert_true(ch.v[0].rate == 4.0);
  assert_true(ch.v[0].current_rate == 2.0);
  assert_int_equal(ch.v[0].slowed_until, OT_NOW + 3);
  assert_int_equal(ch.v[0].queued, 2);
  assert_string_equal(ch.v[1].channel, "sms");
  assert_true(ch.v[1].current_rate == 0.0);
  assert_int_equal(ch.v[1].slowed_until, 0);
  assert_int_equal(ch.v[1].queued, 0);
  /* T+1: m1 not due, m2 waits for the channel */
  s = ot_run_at(e.c, OT_NOW + 1);
  assert_int_equal(s.attempted, 0);
  assert_int_equal(s.deferred, 1);
  /* T+3: one at that instant (2/s): m2, due since T, before m1 */
  s = ot_run_at(e.c, OT_NOW + 3);
  assert_int_equal(s.sent, 1);
  assert_int_equal(s.deferred, 1);
  assert_string_equal(ot_get(e.c, m2).status, "sent");
  s = ot_run_at(e.c, OT_NOW + 4);
  assert_int_equal(s.sent, 1);
  m = ot_get(e.c, m1);
  assert_string_equal(m.status, "sent");
  assert_int_equal(m.attempts, 1);
  assert_null(m.hold_reason);
  /* the provider saw m1 twice, both as attempt 1 (lines 1 and 3) */
  assert_int_equal(ot_log(e.log, lines, 16), 3);
  assert_string_equal(ot_field(lines[0], "attempt"), "1");
  assert_string_equal(ot_field(lines[2], "attempt"), "1");
  assert_string_equal(ot_field(lines[0], "subject"), "one");
  assert_string_equal(ot_field(lines[2], "subject"), "one");
  snprintf(key, sizeof(key), "%s", ot_field(lines[0], "key"));
  assert_string_equal(ot_field(lines[2], "key"), key);
  /* successes 3..9: still 2/s; the 10th doubles it back to 4/s */
  for(i = 3; i <= 10; i++) {
    ot_enqueue(e.c, cust, "email", "n", "b");
    s = ot_run_at(e.c, OT_NOW + 2 + i);
    assert_int_equal(s.sent, 1);
    ch = channels(e.c);
    assert_true(ch.v[0].current_rate == (i < 10 ? 2.0 : 4.0));
  }
  assert_int_equal(ot_sql_int(e.c, "SELECT current_rate IS NULL FROM "
                              "channel_state WHERE channel = 'email' AND "
                              "?1 = ?1", 0), 1);
  ot_close(&e);
}

/* Unlimited channel: a 429 without Retry-After slows it to 5/s (half of
 * 10/s) for backoff_base (60 s). */
static void test_rate_limited_unlimited(void **state)
{
  ot_env e;
  struct chan_seen ch;
  int64_t cust, id;

  (void)state;
  ot_open(&e, "\"rate_limited\"", NULL);
  cust = ann(e.c);
  id = ot_enqueue(e.c, cust, NULL, "s", "b");
  ot_run(e.c);
  ch = channels(e.c);
  assert_int_equal(ch.n, 1);
  assert_string_equal(ch.v[0].channel, "fx_channel");
  assert_true(ch.v[0].rate == 0.0);
  assert_true(ch.v[0].current_rate == 5.0);
  assert_int_equal(ch.v[0].slowed_until, OT_NOW + 60);
  assert_int_equal(ot_get(e.c, id).next_at, OT_NOW + 60);
  ot_close(&e);
}

/* ---- pacing -------------------------------------------------------------- */

/* email at 0.5/s (one per 2000 ms), sms at 2/s (one per 500 ms). Three
 * email messages at T: one at T, none at T+1, one at T+2, one at T+4.
 * Two sms messages at T: one at T, the other at T+1. */
static void test_pacing(void **state)
{
  ot_env e;
  crm_outbox_stats s;
  int64_t cust;

  (void)state;
  ot_open2(&e, "", "",
           "communication = { channels = ("
           " { name = \"email\"; component = \"fx_channel\";"
           " address = \"email\"; rate = 0.5; },"
           " { name = \"sms\"; component = \"fx_channel2\";"
           " address = \"phone\"; rate = 2.0; } ); };");
  cust = ann(e.c);
  ot_enqueue(e.c, cust, "email", "1", "b");
  ot_enqueue(e.c, cust, "email", "2", "b");
  ot_enqueue(e.c, cust, "email", "3", "b");
  ot_enqueue(e.c, cust, "sms", NULL, "4");
  ot_enqueue(e.c, cust, "sms", NULL, "5");
  s = ot_run(e.c);
  assert_int_equal(s.sent, 2);
  assert_int_equal(s.deferred, 3);
  s = ot_run_at(e.c, OT_NOW + 1);
  assert_int_equal(s.sent, 1); /* sms 5 */
  assert_int_equal(s.deferred, 2);
  s = ot_run_at(e.c, OT_NOW + 2);
  assert_int_equal(s.sent, 1);
  assert_int_equal(s.deferred, 1);
  s = ot_run_at(e.c, OT_NOW + 3);
  assert_int_equal(s.sent, 0);
  s = ot_run_at(e.c, OT_NOW + 4);
  assert_int_equal(s.sent, 1);
  assert_int_equal(s.deferred, 0);
  /* next_slot_ms: the last email at T+4 s -> T+4 s + 2000 ms */
  assert_int_equal(ot_sql_int(e.c, "SELECT next_slot_ms FROM channel_state "
                              "WHERE channel = 'email' AND ?1 = ?1", 0),
                   (OT_NOW + 6) * 1000);
  ot_close(&e);
}

/* max_messages bounds a run; due order is next_at, then id. */
static void test_due_order_and_max(void **state)
{
  ot_env e;
  char lines[4][OT_LINE];
  crm_outbox_new n;
  crm_outbox_run_opts o;
  crm_outbox_stats s;
  int64_t cust, a = 0;

  (void)state;
  ot_open(&e, "", NULL);
  cust = ann(e.c);
  memset(&n, 0, sizeof(n));
  n.customer_id = cust;
  n.subject = "A";
  n.body = "b";
  n.priority = CRM_PRIORITY_SERVICE;
  n.not_before = OT_NOW + 10;
  assert_int_equal(crm_outbox_enqueue(e.c, &n, &a), CRM_OK);
  ot_enqueue(e.c, cust, NULL, "B", "b");
  ot_enqueue(e.c, cust, NULL, "C", "b");
  memset(&o, 0, sizeof(o));
  o.max_messages = 1;
  crm_set_now(e.c, OT_NOW + 10);
  assert_int_equal(crm_outbox_run(e.c, &o, &s), CRM_OK);
  assert_int_equal(s.sent, 1);
  o.max_messages = -1;
  assert_int_equal(crm_outbox_run(e.c, &o, &s), CRM_EINVAL);
  ot_run(e.c);
  /* A was due at T+10, B and C at T: B, C, then A */
  assert_int_equal(ot_log(e.log, lines, 4), 3);
  assert_string_equal(ot_field(lines[0], "subject"), "B");
  assert_string_equal(ot_field(lines[1], "subject"), "C");
  assert_string_equal(ot_field(lines[2], "subject"), "A");
  /* not inside a batch */
  assert_int_equal(crm_begin(e.c), CRM_OK);
  assert_int_equal(crm_outbox_run(e.c, NULL, NULL), CRM_ESTATE);
  assert_int_equal(crm_rollback(e.c), CRM_OK);
  ot_close(&e);
}

/* ---- crash recovery ------------------------------------------------------ */

static void claim_as(crm *c, int64_t id, const char *by, int64_t until)
{
  sqlite3_stmt *st;

  assert_int_equal(sqlite3_prepare_v2(c->db,
                   "UPDATE messages SET status = 'sending', attempts = 1,"
                   " claimed_by = ?2, claim_until = ?3 WHERE id = ?1", -1,
                   &st, NULL), SQLITE_OK);
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, by, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, until);
  assert_int_equal(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
}

/* This process's claimer without its pid: "<host>/<pid namespace>". */
static void my_host(char *buf, size_t size)
{
  char *colon;

  crm__ob_claimer(buf, size);
  colon = strrchr(buf, ':');
  assert_non_null(colon);
  *colon = '\0';
}

/* The sending process died after its claim (a child that exited: its
 * pid is gone): the next run takes the row over at once and attempts it
 * again with the same key, as attempt 2. */
static void test_recover_dead_pid(void **state)
{
  ot_env e;
  char host[256];
  char by[320];
  char lines[4][OT_LINE];
  char key[96];
  crm_outbox_stats s;
  crm_outbox_msg m;
  int64_t cust, id;
  pid_t pid;
  int status = 0;

  (void)state;
  ot_open(&e, "", NULL);
  cust = ann(e.c);
  id = ot_enqueue(e.c, cust, NULL, "s", "b");
  snprintf(key, sizeof(key), "%s", ot_get(e.c, id).idempotency_key);
  pid = fork();
  assert_true(pid >= 0);
  if(pid == 0)
    _exit(0);
  assert_int_equal(waitpid(pid, &status, 0), pid);
  my_host(host, sizeof(host));
  snprintf(by, sizeof(by), "%s:%ld", host, (long)pid);
  claim_as(e.c, id, by, OT_NOW + 300);
  s = ot_run(e.c);
  assert_int_equal(s.recovered, 1);
  assert_int_equal(s.sent, 1);
  m = ot_get(e.c, id);
  assert_string_equal(m.status, "sent");
  assert_int_equal(m.attempts, 2);
  assert_int_equal(ot_log(e.log, lines, 4), 1);
  assert_string_equal(ot_field(lines[0], "key"), key);
  assert_string_equal(ot_field(lines[0], "attempt"), "2");
  assert_int_equal(ot_sql_int(e.c, "SELECT count(*) FROM audit_log WHERE "
                              "action = 'message.recover' AND object = "
                              "'message #' || ?1", id), 1);
  ot_close(&e);
}

/* A claim by another host, or by a live process of this host, is left
 * alone until claim_until; then it is taken over. */
static void test_recover_live_claims(void **state)
{
  ot_env e;
  char host[256];
  char by[320];
  char other[256];
  char by3[320];
  char *slash;
  crm_outbox_stats s;
  int64_t cust, id1, id2, id3;
  pid_t gone;
  int status = 0;

  (void)state;
  ot_open(&e, "", NULL);
  cust = ann(e.c);
  id1 = ot_enqueue(e.c, cust, NULL, "s", "b1");
  id2 = ot_enqueue(e.c, cust, NULL, "s", "b2");
  claim_as(e.c, id1, "other-host.invalid:12345", OT_NOW + 300);
  my_host(host, sizeof(host));
  snprintf(by, sizeof(by), "%s:%ld", host, (long)getppid());
  claim_as(e.c, id2, by, OT_NOW + 400);
  /* the same host name in another pid namespace (a container): its pid
   * says nothing here, even one that does not exist in ours */
  id3 = ot_enqueue(e.c, cust, NULL, "s", "b3");
  gone = fork();
  assert_true(gone >= 0);
  if(gone == 0)
    _exit(0);
  assert_int_equal(waitpid(gone, &status, 0), gone);
  snprintf(other, sizeof(other), "%s", host);
  slash = strrchr(other, '/');
  assert_non_null(slash);
  snprintf(by3, sizeof(by3), "%.*s/1:%ld", (int)(slash - other), other,
           (long)gone);
  claim_as(e.c, id3, by3, OT_NOW + 350);
  s = ot_run(e.c);
  assert_int_equal(s.recovered, 0);
  assert_int_equal(s.attempted, 0);
  assert_string_equal(ot_get(e.c, id3).status, "sending");
  assert_string_equal(ot_get(e.c, id1).status, "sending");
  s = ot_run_at(e.c, OT_NOW + 299);
  assert_int_equal(s.recovered, 0);
  s = ot_run_at(e.c, OT_NOW + 300);
  assert_int_equal(s.recovered, 1);
  assert_int_equal(s.sent, 1);
  assert_int_equal(ot_get(e.c, id1).attempts, 2);
  assert_string_equal(ot_get(e.c, id2).status, "sending");
  s = ot_run_at(e.c, OT_NOW + 400);
  assert_int_equal(s.recovered, 2);
  assert_string_equal(ot_get(e.c, id2).status, "sent");
  assert_string_equal(ot_get(e.c, id3).status, "sent");
  ot_close(&e);
}

/* ---- the view ------------------------------------------------------------ */

/* Every 1.4 member reaches the channel: key, attempt, channel (the
 * route "email"), template and language, priority, the customer's name and
 * external id, and the unsubscribe URL with the customer's id, the
 * channel and the message's id. */
static void test_view_members(void **state)
{
  ot_env e;
  char lines[4][OT_LINE];
  char want[256];
  crm_outbox_new n;
  int64_t cust, id = 0;

  (void)state;
  ot_open(&e, "",
          "communication = { unsubscribe_url = "
          "\"https://example.com/u?c={customer}&ch={channel}&m={message}\";"
          " channels = ( { name = \"email\"; component = \"fx_channel\";"
          " address = \"email\"; } );"
          " templates = ( { name = \"welcome\"; channel = \"*\";"
          " language = \"en\"; subject = \"Hi {{first_name}}\";"
          " body = \"Hello {{name}}\"; } ); };");
  cust = ot_customer(e.c, "ext/1", "Ann Lee", "ann@example.com", NULL);
  memset(&n, 0, sizeof(n));
  n.customer_id = cust;
  n.channel = "email";
  n.template = "welcome";
  n.priority = CRM_PRIORITY_SERVICE;
  assert_int_equal(crm_outbox_enqueue(e.c, &n, &id), CRM_OK);
  ot_run(e.c);
  assert_int_equal(ot_log(e.log, lines, 4), 1);
  assert_string_equal(ot_field(lines[0], "channel"), "email"); /* the route, not the component */
  assert_string_equal(ot_field(lines[0], "template"), "welcome");
  assert_string_equal(ot_field(lines[0], "language"), "en");
  assert_string_equal(ot_field(lines[0], "priority"), "1");
  assert_string_equal(ot_field(lines[0], "name"), "Ann Lee");
  assert_string_equal(ot_field(lines[0], "ext"), "ext/1");
  assert_string_equal(ot_field(lines[0], "subject"), "Hi Ann");
  assert_string_equal(ot_field(lines[0], "body"), "Hello Ann Lee");
  assert_string_equal(ot_field(lines[0], "address"), "ann@example.com");
  snprintf(want, sizeof(want), "https://example.com/u?c=%lld&ch=email"
           "&m=%lld", (long long)cust, (long long)id);
  assert_string_equal(ot_field(lines[0], "unsub"), want);
  ot_close(&e);
}

/* A route whose component is not loaded: the message waits (queued, its
 * hold reason says why), it is not its fault. */
static void test_missing_component_waits(void **state)
{
  ot_env e;
  crm_outbox_msg m;
  crm_outbox_stats s;
  int64_t cust, id;

  (void)state;
  ot_open(&e, "",
          "communication = { channels = ("
          " { name = \"email\"; component = \"fx_channel\"; },"
          " { name = \"sms\"; component = \"not_loaded\";"
          " address = \"phone\"; } ); };");
  cust = ann(e.c);
  id = ot_enqueue(e.c, cust, "sms", NULL, "b");
  s = ot_run(e.c);
  assert_int_equal(s.attempted, 0);
  assert_int_equal(s.deferred, 1);
  m = ot_get(e.c, id);
  assert_string_equal(m.status, "queued");
  assert_int_equal(m.attempts, 0);
  assert_non_null(m.hold_reason);
  assert_non_null(strstr(m.hold_reason, "not_loaded"));
  ot_close(&e);
}

/* ---- crm_message_send ---------------------------------------------------- */

/* Sent: 0 and the row sent. Refused (do-not-contact): CRM_ESTATE "not
 * sent: ..." and the row refused. Held (quiet hours 21:00-08:00 UTC at
 * midnight): 0, the row queued until 08:00 with its reason. Failed: the
 * channel's error, the row failed. Inside a batch: CRM_ESTATE. */
static void test_message_send(void **state)
{
  ot_env e;
  char why[512];
  crm_outbox_msg m;
  int64_t cust, bob, id = 0;

  (void)state;
  ot_open(&e, "\"sent\", \"temporary\"", NULL);
  cust = ann(e.c);
  bob = ot_customer(e.c, "bob", "Bob", "bob@example.com", NULL);
  assert_int_equal(crm_message_send(e.c, cust, NULL, "s", "b", &id), CRM_OK);
  m = ot_get(e.c, id);
  assert_string_equal(m.status, "sent");
  assert_int_equal(m.priority, CRM_PRIORITY_SERVICE);
  assert_string_equal(m.provider_ref, "fx-1");
  assert_int_equal(crm_message_send(e.c, cust, NULL, "s", "b", &id),
                   CRM_EPLUGIN);
  assert_string_equal(crm_errmsg(e.c), "channel fx_channel: temporary: fx "
                                       "temporary (call 2)");
  m = ot_get(e.c, id);
  assert_string_equal(m.status, "failed");
  assert_int_equal(crm_dnc_set(e.c, bob, "fx_channel", CRM_DNC_MANUAL, NULL,
                               0), CRM_OK);
  assert_int_equal(crm_message_send(e.c, bob, NULL, "s", "b", &id),
                   CRM_ESTATE);
  snprintf(why, sizeof(why), "%s", crm_errmsg(e.c));
  assert_string_equal(why, "not sent: do not contact on fx_channel: manual");
  m = ot_get(e.c, id);
  assert_string_equal(m.status, "refused");
  assert_string_equal(m.error_class, "refused");
  assert_string_equal(m.error, why + 10);
  assert_int_equal(crm_begin(e.c), CRM_OK);
  assert_int_equal(crm_message_send(e.c, cust, NULL, "s", "b", &id),
                   CRM_ESTATE);
  assert_int_equal(crm_rollback(e.c), CRM_OK);
  ot_close(&e);

  ot_open(&e, "", "communication = { quiet_hours = \"21:00-08:00\"; };");
  cust = ann(e.c);
  assert_int_equal(crm_message_send(e.c, cust, NULL, "s", "b", &id), CRM_OK);
  m = ot_get(e.c, id);
  assert_string_equal(m.status, "queued");
  assert_int_equal(m.next_at, OT_NOW + 8 * 3600);
  assert_non_null(m.hold_reason);
  assert_int_equal(m.attempts, 0);
  /* the run at 08:00 sends it */
  crm_set_now(e.c, OT_NOW + 8 * 3600);
  assert_int_equal(ot_run(e.c).sent, 1);
  ot_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_temporary_then_sent),
    cmocka_unit_test(test_backoff_bounds),
    cmocka_unit_test(test_max_attempts_dead),
    cmocka_unit_test(test_route_max_attempts),
    cmocka_unit_test(test_permanent_marks_address),
    cmocka_unit_test(test_rejected),
    cmocka_unit_test(test_rate_limited),
    cmocka_unit_test(test_rate_limited_unlimited),
    cmocka_unit_test(test_pacing),
    cmocka_unit_test(test_due_order_and_max),
    cmocka_unit_test(test_recover_dead_pid),
    cmocka_unit_test(test_recover_live_claims),
    cmocka_unit_test(test_view_members),
    cmocka_unit_test(test_missing_component_waits),
    cmocka_unit_test(test_message_send),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
