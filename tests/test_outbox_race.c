/*
 * test_outbox_race.c - the outbox when things go wrong at the same time:
 * two `crm outbox run` processes on one store, a frequency cap under two
 * senders, a process that crashes on every attempt of a message, a
 * provider's absurd Retry-After, a store that is busy when the
 * provider's answer comes back. The scripted fx_channel fixture answers;
 * its call log is what "the provider" saw.
 */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "outbox_test.h"

static int64_t ann(crm *c)
{
  return ot_customer(c, "ann", "Ann Lee", "ann@example.com", "+15550100");
}

/* A marketing message with an ad-hoc body. */
static int64_t enqueue_mkt(crm *c, int64_t cust, const char *body)
{
  crm_outbox_new m;
  int64_t id = 0;

  memset(&m, 0, sizeof(m));
  m.customer_id = cust;
  m.body = body;
  m.priority = CRM_PRIORITY_MARKETING;
  if(crm_outbox_enqueue(c, &m, &id))
    fail_msg("crm_outbox_enqueue: %s", crm_errmsg(c));
  return id;
}

/* ---- two runs on one store --------------------------------------------- */

#define RACE_N 300

/* One child: its own handle on the store, blocked on the pipe until the
 * parent lets both go, then one crm_outbox_run; writes "sent attempted"
 * to out. */
static void race_child(const ot_env *e, int gate_fd, const char *out)
{
  crm_outbox_stats s;
  char b;
  crm *c = NULL;
  FILE *f;
  int rc;

  if(crm_open(&c, e->store, 0)) {
    crm_close(c);
    _exit(2);
  }
  crm_set_now(c, OT_NOW);
  crm_set_log(c, NULL, NULL, CRM_LOG_ERROR);
  if(crm_load_config(c, e->conf, NULL))
    _exit(3);
  if(read(gate_fd, &b, 1) < 0)
    _exit(4);
  rc = crm_outbox_run(c, NULL, &s);
  f = fopen(out, "w");
  if(f) {
    fprintf(f, "%d %lld %lld %s\n", rc, (long long)s.sent,
            (long long)s.attempted, rc ? crm_errmsg(c) : "ok");
    fclose(f);
  }
  crm_close(c);
  _exit(rc ? 5 : 0);
}

/* 300 due messages, two processes running the outbox at once: each
 * message is claimed by one of them only. The provider saw 300 calls,
 * 300 different keys, each as attempt 1; the store says sent, attempts 1,
 * for all; the two runs' sent counts add up to 300. */
static void test_two_runs_one_store(void **state)
{
  ot_env e;
  char out[2][700];
  static char lines[RACE_N + 8][OT_LINE];
  char keys[RACE_N][96];
  pid_t pid[2];
  long long sent[2] = {0, 0};
  int fds[2];
  int status, rc, n, i, j, k;
  int64_t cust;
  FILE *f;

  (void)state;
  ot_open_file(&e, "", "communication = { require_opt_in = false; };");
  cust = ann(e.c);
  assert_int_equal(crm_begin(e.c), CRM_OK);
  for(i = 0; i < RACE_N; i++)
    ot_enqueue(e.c, cust, NULL, NULL, "race");
  assert_int_equal(crm_commit(e.c), CRM_OK);
  crm_close(e.c);
  e.c = NULL;
  assert_int_equal(pipe(fds), 0);
  for(k = 0; k < 2; k++) {
    snprintf(out[k], sizeof(out[k]), "%s/run%d.out", e.dir, k);
    pid[k] = fork();
    assert_true(pid[k] >= 0);
    if(pid[k] == 0) {
      close(fds[1]);
      race_child(&e, fds[0], out[k]);
    }
  }
  close(fds[0]);
  close(fds[1]); /* both children's reads return: they go */
  for(k = 0; k < 2; k++) {
    assert_int_equal(waitpid(pid[k], &status, 0), pid[k]);
    f = fopen(out[k], "r");
    assert_non_null(f);
    rc = -1;
    assert_int_equal(fscanf(f, "%d %lld", &rc, &sent[k]), 2);
    fclose(f);
    assert_int_equal(rc, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  assert_int_equal(sent[0] + sent[1], RACE_N);
  n = ot_log(e.log, lines, RACE_N + 8);
  assert_int_equal(n, RACE_N);
  for(i = 0; i < n; i++) {
    snprintf(keys[i], sizeof(keys[i]), "%s", ot_field(lines[i], "key"));
    assert_string_equal(ot_field(lines[i], "attempt"), "1");
    for(j = 0; j < i; j++)
      assert_string_not_equal(keys[i], keys[j]);
  }
  if(crm_open(&e.c, e.store, 0))
    fail_msg("crm_open: %s", crm_errmsg(e.c));
  assert_int_equal(ot_sql_int(e.c, "SELECT count(*) FROM messages WHERE "
                              "status = 'sent' AND attempts = 1 AND ?1 = ?1",
                              0), RACE_N);
  ot_close(&e);
}

/* ---- caps ---------------------------------------------------------------- */

#define CAP_COMM                                                          \
  "communication = { require_opt_in = false;"                            \
  " caps = ( { channel = \"*\"; max = 1; days = 7; } ); };"

/* A cap of 1 marketing message a week and two marketing messages due at
 * once: one run sends the first (sent_at = now) and must count it when
 * it checks the second a moment later, in the same second: the second is
 * refused "cap reached", the provider saw one call. */
static void test_cap_same_second(void **state)
{
  ot_env e;
  char lines[4][OT_LINE];
  crm_outbox_stats s;
  crm_outbox_msg m;
  int64_t cust, id1, id2;

  (void)state;
  ot_open(&e, "", CAP_COMM);
  cust = ann(e.c);
  id1 = enqueue_mkt(e.c, cust, "one");
  id2 = enqueue_mkt(e.c, cust, "two");
  s = ot_run(e.c);
  assert_int_equal(s.sent, 1);
  assert_int_equal(s.refused, 1);
  assert_int_equal(s.attempted, 1);
  assert_string_equal(ot_get(e.c, id1).status, "sent");
  m = ot_get(e.c, id2);
  assert_string_equal(m.status, "refused");
  assert_string_equal(m.error, "cap reached: 1 marketing message in 7 days "
                               "across all channels");
  assert_int_equal(ot_log(e.log, lines, 4), 1);
  assert_string_equal(ot_field(lines[0], "body"), "one");
  ot_close(&e);
}

/* Two senders, one cap: process A checks the gate for marketing message
 * m1 (cap 1 a week: nothing sent yet, it may go); before A claims it,
 * sender B sends m2 to the same customer. A must see m2 when it claims
 * m1 and refuse m1, or the customer gets two messages against a cap of
 * one. The interleaving is made deterministic with A's log: the gate
 * logs a warning about the customer's unknown time zone while it checks
 * m1's quiet hours (after the caps), and A's log callback makes B send
 * m2 right then (B on its own connection to the same store file). */
typedef struct cap_race {
  crm *b;
  int64_t m2;
  int fired;
  int rc;
} cap_race;

static void cap_race_log(void *ud, int level, const char *source,
                         const char *msg)
{
  cap_race *r = ud;

  (void)level;
  (void)source;
  if(r->fired || !strstr(msg, "unknown, UTC used"))
    return;
  r->fired = 1;
  r->rc = crm_outbox_send_now(r->b, r->m2);
}

static void test_cap_two_senders(void **state)
{
  ot_env e;
  char lines[4][OT_LINE];
  cap_race r;
  crm_outbox_stats s;
  crm_outbox_msg m;
  int64_t cust, m1;

  (void)state;
  ot_open_file(&e, "", "communication = { require_opt_in = false;"
               " quiet_hours = \"10:00-11:00\";"
               " caps = ( { channel = \"*\"; max = 1; days = 7; } ); };");
  cust = ann(e.c);
  ot_sql(e.c, "UPDATE customers SET timezone = 'Mars/Olympus'");
  m1 = enqueue_mkt(e.c, cust, "one");
  memset(&r, 0, sizeof(r));
  r.m2 = enqueue_mkt(e.c, cust, "two");
  if(crm_open(&r.b, e.store, 0))
    fail_msg("crm_open: %s", crm_errmsg(r.b));
  crm_set_now(r.b, OT_NOW);
  crm_set_log(r.b, NULL, NULL, CRM_LOG_ERROR);
  if(crm_load_config(r.b, e.conf, NULL))
    fail_msg("crm_load_config: %s", crm_errmsg(r.b));
  crm_set_log(e.c, cap_race_log, &r, CRM_LOG_WARN);
  s = ot_run(e.c);
  assert_int_equal(r.fired, 1);
  assert_int_equal(r.rc, CRM_OK);
  assert_string_equal(ot_get(e.c, r.m2).status, "sent");
  assert_int_equal(s.attempted, 0);
  assert_int_equal(s.refused, 1);
  m = ot_get(e.c, m1);
  assert_string_equal(m.status, "refused");
  assert_string_equal(m.error, "cap reached: 1 marketing message in 7 days "
                               "across all channels");
  assert_int_equal(m.attempts, 0);
  assert_int_equal(ot_log(e.log, lines, 4), 1);
  assert_string_equal(ot_field(lines[0], "body"), "two");
  crm_close(r.b);
  ot_close(&e);
}

/* The gate's answer must not be written over a message another sender
 * took meanwhile: A's gate holds m1 (quiet hours 00:00-01:00 at A's
 * midnight) while B, whose clock says 02:00, sends it. A's hold finds
 * the row sent and changes nothing: no "held" in A's stats, no
 * message.held in the audit, the row stays sent. */
static void test_gate_answer_after_other_sent(void **state)
{
  ot_env e;
  char want[160];
  cap_race r;
  crm_outbox_stats s;
  crm_outbox_msg m;
  int64_t cust;

  (void)state;
  ot_open_file(&e, "", "communication = { require_opt_in = false;"
               " quiet_hours = \"00:00-01:00\"; };");
  cust = ann(e.c);
  ot_sql(e.c, "UPDATE customers SET timezone = 'Mars/Olympus'");
  memset(&r, 0, sizeof(r));
  r.m2 = enqueue_mkt(e.c, cust, "one");
  if(crm_open(&r.b, e.store, 0))
    fail_msg("crm_open: %s", crm_errmsg(r.b));
  crm_set_now(r.b, OT_NOW + 2 * 3600);
  crm_set_log(r.b, NULL, NULL, CRM_LOG_ERROR);
  if(crm_load_config(r.b, e.conf, NULL))
    fail_msg("crm_load_config: %s", crm_errmsg(r.b));
  crm_set_log(e.c, cap_race_log, &r, CRM_LOG_WARN);
  s = ot_run(e.c);
  assert_int_equal(r.fired, 1);
  assert_int_equal(r.rc, CRM_OK);
  assert_int_equal(s.held, 0);
  assert_int_equal(s.attempted, 0);
  m = ot_get(e.c, r.m2);
  assert_string_equal(m.status, "sent");
  assert_null(m.hold_reason);
  assert_int_equal(ot_sql_int(e.c, "SELECT count(*) FROM audit_log WHERE "
                              "action = 'message.held' AND ?1 = ?1", 0), 0);
  /* the same through crm_outbox_send_now: CRM_ESTATE says what the
   * message is now (sent), not what A read before (queued) */
  r.fired = 0;
  r.m2 = enqueue_mkt(e.c, cust, "two");
  assert_int_equal(crm_outbox_send_now(e.c, r.m2), CRM_ESTATE);
  assert_int_equal(r.fired, 1);
  assert_int_equal(r.rc, CRM_OK);
  snprintf(want, sizeof(want), "message #%lld is sent; only a queued or "
           "failed message can be sent", (long long)r.m2);
  assert_string_equal(crm_errmsg(e.c), want);
  crm_close(r.b);
  ot_close(&e);
}

/* ---- a message that keeps crashing its sender -------------------------- */

/* Blocks until the call log has n lines (a bounded poll: 20 s at most). */
static void wait_calls(const char *log, int n)
{
  static char lines[8][OT_LINE];
  struct timespec ts = {0, 10 * 1000 * 1000};
  int i;

  for(i = 0; i < 2000; i++) {
    if(ot_log(log, lines, 8) >= n)
      return;
    nanosleep(&ts, NULL);
  }
  fail_msg("the channel was not called %d times", n);
}

/* One `crm outbox run` in a child process that hangs in the channel
 * call (the script's next answer is "hang"); killed with SIGKILL once
 * the call log shows the call. */
static void run_and_kill(const ot_env *e, int calls)
{
  crm_outbox_stats s;
  pid_t pid;
  crm *c = NULL;
  int status = 0;

  pid = fork();
  assert_true(pid >= 0);
  if(pid == 0) {
    if(crm_open(&c, e->store, 0))
      _exit(2);
    crm_set_now(c, OT_NOW);
    crm_set_log(c, NULL, NULL, CRM_LOG_ERROR);
    if(crm_load_config(c, e->conf, NULL))
      _exit(3);
    crm_outbox_run(c, NULL, &s);
    _exit(4); /* not reached: the channel hangs */
  }
  wait_calls(e->log, calls);
  assert_int_equal(kill(pid, SIGKILL), 0);
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFSIGNALED(status));
}

/* max_attempts 2. A message whose channel call kills the sending process
 * each time (a plugin that crashes on it, a power cut): attempt 1 dies,
 * the next run takes the row over and attempt 2 dies too. The run after
 * that takes it over again, but its attempts are used up: it becomes
 * dead ("interrupted ... no more tries") without a third call, instead
 * of being attempted (and crashing the run) for ever. */
static void test_recover_attempts_used_up(void **state)
{
  ot_env e;
  char text[2048];
  char lines[8][OT_LINE];
  crm_outbox_stats s;
  crm_outbox_msg m;
  int64_t cust, id;

  (void)state;
  ot_open_file(&e, "", NULL);
  snprintf(text, sizeof(text),
           "plugins = { path = [ \"%s\" ]; load = ( { name = \"fx_channel\";"
           " config = { script = [ \"hang\", \"hang\" ]; log = \"%s\";"
           " state = \"%s/calls.n\"; }; } ); };\n"
           "communication = { retry = { max_attempts = 2; }; };\n",
           CRM_TEST_FIXTURE_DIR, e.log, e.dir);
  t_write_file(e.conf, text);
  cust = ann(e.c);
  id = ot_enqueue(e.c, cust, NULL, "s", "b");
  crm_close(e.c);
  e.c = NULL;
  run_and_kill(&e, 1);
  run_and_kill(&e, 2);
  if(crm_open(&e.c, e.store, 0))
    fail_msg("crm_open: %s", crm_errmsg(e.c));
  crm_set_now(e.c, OT_NOW);
  if(crm_load_config(e.c, e.conf, NULL))
    fail_msg("crm_load_config: %s", crm_errmsg(e.c));
  m = ot_get(e.c, id);
  assert_string_equal(m.status, "sending");
  assert_int_equal(m.attempts, 2);
  s = ot_run(e.c);
  assert_int_equal(s.recovered, 1);
  assert_int_equal(s.attempted, 0);
  assert_int_equal(s.dead, 1);
  m = ot_get(e.c, id);
  assert_string_equal(m.status, "dead");
  assert_int_equal(m.attempts, 2);
  assert_string_equal(m.error_class, "temporary");
  assert_non_null(strstr(m.error, "interrupted: its sending process "));
  assert_non_null(strstr(m.error, "; attempt 2 of 2, no more tries"));
  assert_int_equal(ot_log(e.log, lines, 8), 2);
  assert_int_equal(ot_sql_int(e.c, "SELECT count(*) FROM audit_log WHERE "
                              "action = 'message.dead' AND object = "
                              "'message #' || ?1", id), 1);
  ot_close(&e);
}

/* ---- rate limits at the edges ------------------------------------------- */

static double current_rate(crm *c, const char *channel)
{
  sqlite3_stmt *st;
  double v = -1;

  if(sqlite3_prepare_v2(c->db, "SELECT coalesce(current_rate, 0) FROM "
                        "channel_state WHERE channel = ?1", -1, &st,
                        NULL) != SQLITE_OK)
    fail_msg("prepare: %s", sqlite3_errmsg(c->db));
  sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
  if(sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_double(st, 0);
  sqlite3_finalize(st);
  return v;
}

/* A channel configured slower than the 0.01/s floor (0.004/s: one message
 * every 250 s) gets a 429 at T (Retry-After 1 s): slowing down must not
 * speed it up to the floor (0.01/s would be one every 100 s). Its current
 * rate stays 0.004/s. The call at T took the slot, so the next call may
 * go at T+250 (not at T+100), and the one after at T+500. */
static void test_slow_below_floor(void **state)
{
  ot_env e;
  crm_outbox_stats s;
  int64_t cust;

  (void)state;
  ot_open(&e, "\"rate_limited:1000\"",
          "communication = { channels = ( { name = \"email\";"
          " component = \"fx_channel\"; rate = 0.004; } ); };");
  cust = ann(e.c);
  ot_enqueue(e.c, cust, "email", "s", "one");
  ot_enqueue(e.c, cust, "email", "s", "two");
  s = ot_run(e.c);
  assert_int_equal(s.rate_limited, 1);
  assert_true(current_rate(e.c, "email") > 0);
  assert_true(current_rate(e.c, "email") <= 0.004);
  crm_set_now(e.c, OT_NOW + 100);
  s = ot_run(e.c);
  assert_int_equal(s.sent, 0);
  assert_int_equal(s.deferred, 2);
  crm_set_now(e.c, OT_NOW + 249);
  assert_int_equal(ot_run(e.c).sent, 0);
  crm_set_now(e.c, OT_NOW + 250);
  assert_int_equal(ot_run(e.c).sent, 1);
  crm_set_now(e.c, OT_NOW + 499);
  assert_int_equal(ot_run(e.c).sent, 0);
  crm_set_now(e.c, OT_NOW + 500);
  assert_int_equal(ot_run(e.c).sent, 1);
  ot_close(&e);
}

/* The wall clock steps back an hour (an NTP correction, a VM restored
 * from a snapshot) after a message went on a 4/s channel: its next slot,
 * 250 ms after that message by the old clock, is an hour away by the new
 * one. A slot is never more than one interval ahead of the moment it was
 * taken (two, across a rate change), so one further ahead means the clock
 * moved back: the slot is taken now instead of idling the channel for an
 * hour. */
static void test_pace_clock_back(void **state)
{
  ot_env e;
  crm_outbox_stats s;
  int64_t cust;

  (void)state;
  ot_open(&e, "", "communication = { channels = ( { name = \"email\";"
          " component = \"fx_channel\"; rate = 4.0; } ); };");
  cust = ann(e.c);
  ot_enqueue(e.c, cust, "email", "s", "one");
  assert_int_equal(ot_run(e.c).sent, 1);
  crm_set_now(e.c, OT_NOW - 3600);
  ot_enqueue(e.c, cust, "email", "s", "two");
  ot_enqueue(e.c, cust, "email", "s", "three");
  s = ot_run(e.c);
  assert_int_equal(s.sent, 1);
  assert_int_equal(s.deferred, 1); /* the pace holds from there: 250 ms */
  ot_close(&e);
}

/* A channel (a third-party plugin) that answers a Retry-After of
 * INT64_MAX milliseconds, on a rate limit and on a temporary failure:
 * the outbox waits at most 365 days (the ceiling the in-tree HTTP
 * channels apply), without an integer overflow (UBSan would abort) and
 * without the wrap-around that would make the message due at once. */
static void test_retry_after_huge(void **state)
{
  ot_env e;
  crm_outbox_msg m;
  int64_t cust, id1, id2;
  const int64_t year = INT64_C(365) * 86400;

  (void)state;
  ot_open(&e, "\"rate_limited:9223372036854775807\"", NULL);
  cust = ann(e.c);
  id1 = ot_enqueue(e.c, cust, NULL, "s", "one");
  ot_run(e.c);
  m = ot_get(e.c, id1);
  assert_string_equal(m.status, "queued");
  assert_int_equal(m.next_at, OT_NOW + year);
  assert_int_equal(ot_sql_int(e.c, "SELECT slowed_until FROM channel_state "
                              "WHERE ?1 = ?1", 0), OT_NOW + year);
  /* a temporary failure with the same Retry-After, on another store */
  ot_close(&e);
  ot_open(&e, "\"temporary:9223372036854775807\"", NULL);
  cust = ann(e.c);
  id2 = ot_enqueue(e.c, cust, NULL, "s", "two");
  ot_run(e.c);
  m = ot_get(e.c, id2);
  assert_string_equal(m.status, "failed");
  assert_int_equal(m.next_at, OT_NOW + year);
  ot_close(&e);
}

/* ---- a busy store when the answer comes back ---------------------------- */

/* While the channel is being called, another connection takes the
 * store's write lock (BEGIN IMMEDIATE). When the outbox then begins the
 * transaction that records the provider's "sent", the store is busy:
 * A's busy handler releases the other connection's lock and answers
 * "give up" once, as a busy timeout running out would. The answer must
 * not be lost: it is recorded on a second try (the row says sent, the
 * run returns 0). Lost, the row would stay "sending" and a later run
 * would call the provider again for a message it had acknowledged. */
typedef struct busy_env {
  const char *store;
  sqlite3 *other;
  int locked;
  int busy_calls;
} busy_env;

static void busy_log(void *ud, int level, const char *source,
                     const char *msg)
{
  busy_env *b = ud;

  (void)level;
  (void)source;
  if(b->locked || !strstr(msg, "fx call 1: sent"))
    return;
  if(sqlite3_open(b->store, &b->other) != SQLITE_OK ||
     sqlite3_exec(b->other, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
     SQLITE_OK)
    fail_msg("cannot lock the store");
  b->locked = 1;
}

static int busy_handler(void *ud, int count)
{
  busy_env *b = ud;

  (void)count;
  b->busy_calls++;
  if(b->other) {
    sqlite3_exec(b->other, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(b->other);
    b->other = NULL;
  }
  return 0; /* this attempt gives up now */
}

static void test_answer_kept_when_busy(void **state)
{
  ot_env e;
  char lines[4][OT_LINE];
  busy_env b;
  crm_outbox_stats s;
  crm_outbox_msg m;
  int64_t cust, id;
  int rc;

  (void)state;
  ot_open_file(&e, "", NULL);
  cust = ann(e.c);
  id = ot_enqueue(e.c, cust, NULL, "s", "b");
  memset(&b, 0, sizeof(b));
  b.store = e.store;
  crm_set_log(e.c, busy_log, &b, CRM_LOG_DEBUG);
  sqlite3_busy_handler(e.c->db, busy_handler, &b);
  rc = crm_outbox_run(e.c, NULL, &s);
  assert_int_equal(b.locked, 1);
  assert_int_equal(b.busy_calls, 1);
  assert_null(b.other);
  assert_int_equal(rc, CRM_OK);
  assert_int_equal(s.sent, 1);
  m = ot_get(e.c, id);
  assert_string_equal(m.status, "sent");
  assert_string_equal(m.provider_ref, "fx-1");
  assert_int_equal(ot_log(e.log, lines, 4), 1);
  ot_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_two_runs_one_store),
    cmocka_unit_test(test_cap_same_second),
    cmocka_unit_test(test_cap_two_senders),
    cmocka_unit_test(test_gate_answer_after_other_sent),
    cmocka_unit_test(test_recover_attempts_used_up),
    cmocka_unit_test(test_slow_below_floor),
    cmocka_unit_test(test_pace_clock_back),
    cmocka_unit_test(test_retry_after_huge),
    cmocka_unit_test(test_answer_kept_when_busy),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
