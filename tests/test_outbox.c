/*
 * test_outbox.c - the outbox's rows: crm_outbox_enqueue (validation of
 * every field, templates, dedupe keys, batches), crm_outbox_get /
 * crm_outbox_foreach, crm_outbox_retry, crm_outbox_purge,
 * crm_outbox_receipt, the bad addresses, and the migration of schema 4
 * rows. The channel is the scripted fx_channel fixture; the clock is
 * fixed at OT_NOW.
 */
#include "outbox_test.h"

#include "comm_int.h"

#define TPL_COMM                                                          \
  "communication = { templates = ("                                       \
  " { name = \"welcome\"; channel = \"*\"; language = \"en\";"            \
  " subject = \"Welcome {{first_name}}\";"                                \
  " body = \"Hello {{first_name}}, {{points_balance}} points\"; },"       \
  " { name = \"welcome\"; channel = \"*\"; language = \"fr\";"            \
  " body = \"Bonjour {{first_name}}\"; },"                                \
  " { name = \"case\"; channel = \"*\"; language = \"en\";"               \
  " body = \"Case {{case_number}}\"; } ); };"

static int64_t audit_rows(crm *c)
{
  return ot_sql_int(c, "SELECT count(*) FROM audit_log WHERE ?1 = ?1", 0);
}

static void store_key(crm *c, int64_t id, char *buf, size_t size)
{
  sqlite3_stmt *st;

  assert_int_equal(sqlite3_prepare_v2(c->db, "SELECT value FROM "
                                      "core_settings WHERE key = 'store_id'",
                                      -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  snprintf(buf, size, "crm-%s-%lld", sqlite3_column_text(st, 0),
           (long long)id);
  sqlite3_finalize(st);
}

/* ---- enqueue ---------------------------------------------------------- */

static void expect_bad(crm *c, const crm_outbox_new *m, int code,
                       const char *msg)
{
  int64_t id = -7;

  assert_int_equal(crm_outbox_enqueue(c, m, &id), code);
  if(msg)
    assert_string_equal(crm_errmsg(c), msg);
  assert_int_equal(id, -7);
}

/* Each bad field is refused with its reason; nothing is written. */
static void test_enqueue_validation(void **state)
{
  static const char *const no_vars[] = {"other", "x", NULL};
  ot_env e;
  crm_outbox_new m, good;
  char longkey[130];
  char *big;
  int64_t cust, audits;

  (void)state;
  ot_open(&e, "", TPL_COMM);
  cust = ot_customer(e.c, "ann", "Ann Lee", "ann@example.com", NULL);
  audits = audit_rows(e.c);
  memset(&good, 0, sizeof(good));
  good.customer_id = cust;
  good.subject = "s";
  good.body = "b";
  expect_bad(e.c, NULL, CRM_EINVAL, "no message given");
  m = good;
  m.customer_id = cust + 5;
  expect_bad(e.c, &m, CRM_ENOTFOUND, NULL);
  m = good;
  m.priority = 2;
  expect_bad(e.c, &m, CRM_EINVAL, "priority 2 is neither marketing (0) nor "
                                  "service (1)");
  m = good;
  m.not_before = -1;
  expect_bad(e.c, &m, CRM_EINVAL, "not_before is negative");
  m = good;
  m.dedupe_key = "";
  expect_bad(e.c, &m, CRM_EINVAL, "dedupe_key is empty (1 to 128 bytes, or "
                                  "none)");
  memset(longkey, 'k', 129);
  longkey[129] = '\0';
  m.dedupe_key = longkey;
  expect_bad(e.c, &m, CRM_ERANGE, "dedupe_key is too long (more than 128 "
                                  "bytes)");
  m = good;
  m.channel = "pigeon";
  expect_bad(e.c, &m, CRM_ENOTFOUND, NULL);
  assert_non_null(strstr(crm_errmsg(e.c), "pigeon"));
  m = good;
  m.template = "welcome";
  expect_bad(e.c, &m, CRM_EINVAL, "give either a template or a subject and "
                                  "body, not both");
  m.subject = NULL;
  m.body = NULL;
  m.template = "nope";
  expect_bad(e.c, &m, CRM_ENOTFOUND, "no template \"nope\" for channel "
                                     "fx_channel");
  /* a placeholder with no value here is refused, not left blank */
  m.template = "case";
  m.vars = no_vars;
  expect_bad(e.c, &m, CRM_EINVAL, NULL);
  assert_non_null(strstr(crm_errmsg(e.c), "case_number"));
  m = good;
  m.body = NULL;
  expect_bad(e.c, &m, CRM_EINVAL, "body is required");
  m.body = "";
  expect_bad(e.c, &m, CRM_EINVAL, "body is required");
  m = good;
  m.subject = "two\nlines";
  expect_bad(e.c, &m, CRM_EINVAL, "subject contains a control character");
  m = good;
  big = malloc(64 * 1024 + 2);
  assert_non_null(big);
  memset(big, 'x', 64 * 1024 + 1);
  big[64 * 1024 + 1] = '\0';
  m.body = big;
  expect_bad(e.c, &m, CRM_ERANGE, "body is too long (more than 65536 "
                                  "bytes)");
  free(big);
  m = good;
  m.language = "a-very-long-language-tag-that-is-too-long";
  expect_bad(e.c, &m, CRM_ERANGE, NULL);
  assert_int_equal(ot_count(e.c), 0);
  assert_int_equal(audit_rows(e.c), audits);
  ot_close(&e);
}

/* {{unsubscribe_url}} in a template carries the message's own id
 * ({message} of communication.unsubscribe_url): the second message
 * queued is id 2, in the subject and the body alike. */
static void test_unsubscribe_message_id(void **state)
{
  ot_env e;
  crm_outbox_new n;
  crm_outbox_msg m;
  int64_t cust, id1 = 0, id2 = 0;
  char want[128];

  (void)state;
  ot_open(&e, "",
          "communication = { unsubscribe_url ="
          " \"https://example.com/u?c={customer}&m={message}\";"
          " templates = ( { name = \"t\"; subject = \"u {{unsubscribe_url}}\";"
          " body = \"Bye: {{unsubscribe_url}}\"; } ); };");
  cust = ot_customer(e.c, "ann", "Ann Lee", "ann@example.com", NULL);
  memset(&n, 0, sizeof(n));
  n.customer_id = cust;
  n.template = "t";
  assert_int_equal(crm_outbox_enqueue(e.c, &n, &id1), CRM_OK);
  assert_int_equal(crm_outbox_enqueue(e.c, &n, &id2), CRM_OK);
  assert_int_equal(id2, 2);
  m = ot_get(e.c, id2);
  snprintf(want, sizeof(want), "Bye: https://example.com/u?c=%lld&m=2",
           (long long)cust);
  assert_string_equal(m.body, want);
  snprintf(want, sizeof(want), "u https://example.com/u?c=%lld&m=2",
           (long long)cust);
  assert_string_equal(m.subject, want);
  ot_close(&e);
}

/* An ad-hoc row as stored; a template rendered for the customer in their
 * language; vars fill what the customer's data does not give. */
static void test_enqueue_rows(void **state)
{
  static const char *const vars[] = {"case_number", "C-17", NULL};
  ot_env e;
  crm_outbox_new n;
  crm_outbox_msg m;
  crm_contact_prefs p;
  char key[96];
  int64_t cust, id = 0;

  (void)state;
  ot_open(&e, "", TPL_COMM);
  cust = ot_customer(e.c, "ann", "Ann Lee", "ann@example.com", NULL);
  memset(&n, 0, sizeof(n));
  n.customer_id = cust;
  n.subject = "Hi";
  n.body = "Body";
  n.not_before = OT_NOW + 30;
  assert_int_equal(crm_outbox_enqueue(e.c, &n, &id), CRM_OK);
  m = ot_get(e.c, id);
  store_key(e.c, id, key, sizeof(key));
  assert_string_equal(m.idempotency_key, key);
  assert_int_equal(m.customer_id, cust);
  assert_string_equal(m.channel, "fx_channel");
  assert_null(m.address);
  assert_null(m.template);
  assert_null(m.trigger);
  assert_int_equal(m.priority, CRM_PRIORITY_MARKETING);
  assert_string_equal(m.status, "queued");
  assert_int_equal(m.attempts, 0);
  assert_int_equal(m.next_at, OT_NOW + 30);
  assert_string_equal(m.subject, "Hi");
  assert_string_equal(m.body, "Body");
  assert_null(m.provider_ref);
  assert_null(m.error);
  assert_int_equal(m.created_at, OT_NOW);
  assert_int_equal(m.updated_at, OT_NOW);
  assert_int_equal(m.sent_at, 0);
  /* template, default language en */
  memset(&n, 0, sizeof(n));
  n.customer_id = cust;
  n.template = "welcome";
  assert_int_equal(crm_outbox_enqueue(e.c, &n, &id), CRM_OK);
  m = ot_get(e.c, id);
  assert_string_equal(m.template, "welcome");
  assert_string_equal(m.language, "en");
  assert_string_equal(m.subject, "Welcome Ann");
  assert_string_equal(m.body, "Hello Ann, 0 points");
  assert_int_equal(m.next_at, OT_NOW);
  /* the customer prefers French */
  memset(&p, 0, sizeof(p));
  p.language = "fr";
  p.quiet_start = -1;
  p.quiet_end = -1;
  assert_int_equal(crm_prefs_set(e.c, cust, &p, "test"), CRM_OK);
  assert_int_equal(crm_outbox_enqueue(e.c, &n, &id), CRM_OK);
  m = ot_get(e.c, id);
  assert_string_equal(m.language, "fr");
  assert_null(m.subject);
  assert_string_equal(m.body, "Bonjour Ann");
  /* ... unless the caller names a language */
  n.language = "en";
  assert_int_equal(crm_outbox_enqueue(e.c, &n, &id), CRM_OK);
  assert_string_equal(ot_get(e.c, id).body, "Hello Ann, 0 points");
  /* vars */
  memset(&n, 0, sizeof(n));
  n.customer_id = cust;
  n.template = "case";
  n.vars = vars;
  n.priority = CRM_PRIORITY_SERVICE;
  assert_int_equal(crm_outbox_enqueue(e.c, &n, &id), CRM_OK);
  m = ot_get(e.c, id);
  assert_string_equal(m.body, "Case C-17");
  assert_int_equal(m.priority, CRM_PRIORITY_SERVICE);
  assert_int_equal(crm_outbox_get(e.c, id + 1, &m), CRM_ENOTFOUND);
  ot_close(&e);
}

/* The same dedupe key twice queues one message: the second call returns
 * the first's id. */
static void test_dedupe_key(void **state)
{
  ot_env e;
  crm_outbox_new n;
  int64_t cust, a = 0, b = 0, d = 0;

  (void)state;
  ot_open(&e, "", NULL);
  cust = ot_customer(e.c, "ann", "Ann", "ann@example.com", NULL);
  memset(&n, 0, sizeof(n));
  n.customer_id = cust;
  n.body = "first";
  n.dedupe_key = "welcome:1";
  assert_int_equal(crm_outbox_enqueue(e.c, &n, &a), CRM_OK);
  n.body = "second";
  assert_int_equal(crm_outbox_enqueue(e.c, &n, &b), CRM_OK);
  assert_int_equal(a, b);
  assert_int_equal(ot_count(e.c), 1);
  assert_string_equal(ot_get(e.c, a).body, "first");
  n.dedupe_key = "welcome:2";
  assert_int_equal(crm_outbox_enqueue(e.c, &n, &d), CRM_OK);
  assert_int_equal(d, a + 1);
  assert_int_equal(ot_count(e.c), 2);
  ot_close(&e);
}

/* crm__outbox_insert (triggers): a refused row is recorded at once with
 * its reason and audited; a known dedupe key returns the first row with
 * *dup = 1. */
static void test_insert_refused_and_dup(void **state)
{
  ot_env e;
  crm__outbox_row r;
  crm_outbox_msg m;
  int64_t cust, id = 0, id2 = 0;
  int dup = -1;

  (void)state;
  ot_open(&e, "", NULL);
  cust = ot_customer(e.c, "ann", "Ann", "ann@example.com", NULL);
  memset(&r, 0, sizeof(r));
  r.customer_id = cust;
  r.channel = "fx_channel";
  r.template = "birthday";
  r.trigger = "birthday";
  r.dedupe_key = "birthday:1:2002";
  r.refused_reason = "template birthday needs {{age}}";
  assert_int_equal(crm__outbox_insert(e.c, &r, &id, &dup), CRM_OK);
  assert_int_equal(dup, 0);
  m = ot_get(e.c, id);
  assert_string_equal(m.status, "refused");
  assert_string_equal(m.error, "template birthday needs {{age}}");
  assert_string_equal(m.error_class, "refused");
  assert_string_equal(m.trigger, "birthday");
  assert_string_equal(m.body, "");
  assert_int_equal(ot_sql_int(e.c, "SELECT count(*) FROM audit_log WHERE "
                              "action = 'message.refused' AND object = "
                              "'message #' || ?1", id), 1);
  r.refused_reason = NULL;
  r.body = "Happy birthday";
  assert_int_equal(crm__outbox_insert(e.c, &r, &id2, &dup), CRM_OK);
  assert_int_equal(dup, 1);
  assert_int_equal(id2, id);
  assert_int_equal(ot_count(e.c), 1);
  /* a queued row without a body is refused */
  r.dedupe_key = NULL;
  r.body = NULL;
  assert_int_equal(crm__outbox_insert(e.c, &r, &id2, &dup), CRM_EINVAL);
  assert_int_equal(ot_count(e.c), 1);
  ot_close(&e);
}

/* Inside crm_begin the message joins the batch: a rollback removes it. */
static void test_enqueue_in_batch(void **state)
{
  ot_env e;
  int64_t cust;

  (void)state;
  ot_open(&e, "", NULL);
  cust = ot_customer(e.c, "ann", "Ann", "ann@example.com", NULL);
  assert_int_equal(crm_begin(e.c), CRM_OK);
  ot_enqueue(e.c, cust, NULL, "s", "b");
  assert_int_equal(ot_count(e.c), 1);
  assert_int_equal(crm_rollback(e.c), CRM_OK);
  assert_int_equal(ot_count(e.c), 0);
  assert_int_equal(crm_begin(e.c), CRM_OK);
  ot_enqueue(e.c, cust, NULL, "s", "b");
  assert_int_equal(crm_commit(e.c), CRM_OK);
  assert_int_equal(ot_count(e.c), 1);
  ot_close(&e);
}

/* ---- foreach ---------------------------------------------------------- */

struct seen {
  int n;
  int64_t ids[16];
  int stop_after;
};

static int seen_cb(void *ud, const crm_outbox_msg *m)
{
  struct seen *s = ud;

  if(s->n < 16)
    s->ids[s->n] = m->id;
  s->n++;
  return s->stop_after && s->n == s->stop_after ? 42 : 0;
}

static struct seen list(crm *c, const char *status, int64_t cust,
                        const char *channel, int64_t before, int limit)
{
  crm_outbox_filter f;
  struct seen s;

  memset(&f, 0, sizeof(f));
  memset(&s, 0, sizeof(s));
  f.status = status;
  f.customer_id = cust;
  f.channel = channel;
  f.before_id = before;
  f.limit = limit;
  if(crm_outbox_foreach(c, &f, seen_cb, &s))
    fail_msg("crm_outbox_foreach: %s", crm_errmsg(c));
  return s;
}

/* Five messages: 1 (ann, sent), 2 (bob, sent), 3 (ann, dead by the
 * script's "permanent" on call 3), 4 (bob, queued later), 5 (ann,
 * queued later). Newest first, with every filter. */
static void test_foreach_filters(void **state)
{
  ot_env e;
  crm_outbox_filter f;
  struct seen s;
  int64_t ann, bob, ids[6];

  (void)state;
  ot_open(&e, "\"sent\", \"sent\", \"permanent\"", NULL);
  ann = ot_customer(e.c, "ann", "Ann", "ann@example.com", NULL);
  bob = ot_customer(e.c, "bob", "Bob", "bob@example.com", NULL);
  ids[1] = ot_enqueue(e.c, ann, NULL, "s", "1");
  ids[2] = ot_enqueue(e.c, bob, NULL, "s", "2");
  ids[3] = ot_enqueue(e.c, ann, NULL, "s", "3");
  ot_run(e.c);
  ids[4] = ot_enqueue(e.c, bob, NULL, "s", "4");
  ids[5] = ot_enqueue(e.c, ann, NULL, "s", "5");
  s = list(e.c, NULL, 0, NULL, 0, 0);
  assert_int_equal(s.n, 5);
  assert_int_equal(s.ids[0], ids[5]);
  assert_int_equal(s.ids[4], ids[1]);
  s = list(e.c, "sent", 0, NULL, 0, 0);
  assert_int_equal(s.n, 2);
  assert_int_equal(s.ids[0], ids[2]);
  assert_int_equal(s.ids[1], ids[1]);
  s = list(e.c, "dead", 0, NULL, 0, 0);
  assert_int_equal(s.n, 1);
  assert_int_equal(s.ids[0], ids[3]);
  s = list(e.c, NULL, ann, NULL, 0, 0);
  assert_int_equal(s.n, 3);
  assert_int_equal(s.ids[0], ids[5]);
  assert_int_equal(s.ids[1], ids[3]);
  assert_int_equal(s.ids[2], ids[1]);
  s = list(e.c, "queued", bob, "fx_channel", 0, 0);
  assert_int_equal(s.n, 1);
  assert_int_equal(s.ids[0], ids[4]);
  s = list(e.c, NULL, 0, "other", 0, 0);
  assert_int_equal(s.n, 0);
  /* paging: two at a time below an id */
  s = list(e.c, NULL, 0, NULL, ids[4], 2);
  assert_int_equal(s.n, 2);
  assert_int_equal(s.ids[0], ids[3]);
  assert_int_equal(s.ids[1], ids[2]);
  /* the callback stops the walk with its value */
  memset(&s, 0, sizeof(s));
  s.stop_after = 2;
  assert_int_equal(crm_outbox_foreach(e.c, NULL, seen_cb, &s), 42);
  assert_int_equal(s.n, 2);
  memset(&f, 0, sizeof(f));
  f.status = "lost";
  assert_int_equal(crm_outbox_foreach(e.c, &f, seen_cb, &s), CRM_EINVAL);
  ot_close(&e);
}

/* ---- retry, purge -------------------------------------------------------- */

/* Only failed, dead or refused messages go back to the queue: due now,
 * attempts 0, the error cleared; audited. */
static void test_retry(void **state)
{
  ot_env e;
  crm_outbox_msg m;
  int64_t cust, id;

  (void)state;
  ot_open(&e, "\"rejected\"", NULL);
  cust = ot_customer(e.c, "ann", "Ann", "ann@example.com", NULL);
  id = ot_enqueue(e.c, cust, NULL, "s", "b");
  assert_int_equal(crm_outbox_retry(e.c, id), CRM_ESTATE);
  assert_string_equal(crm_errmsg(e.c), "message #1 is queued; only failed, "
                                       "dead or refused messages can be "
                                       "retried");
  assert_int_equal(crm_outbox_retry(e.c, id + 1), CRM_ENOTFOUND);
  ot_run(e.c);
  assert_string_equal(ot_get(e.c, id).status, "dead");
  crm_set_now(e.c, OT_NOW + 3600);
  assert_int_equal(crm_outbox_retry(e.c, id), CRM_OK);
  m = ot_get(e.c, id);
  assert_string_equal(m.status, "queued");
  assert_int_equal(m.attempts, 0);
  assert_int_equal(m.next_at, OT_NOW + 3600);
  assert_null(m.error);
  assert_null(m.error_class);
  assert_int_equal(ot_sql_int(e.c, "SELECT count(*) FROM audit_log WHERE "
                              "action = 'message.retry' AND detail = 'was "
                              "dead after 1 attempts: fx rejected (call 1)'"
                              " AND ?1 = ?1", 0), 1);
  /* the second call is "sent" */
  ot_run(e.c);
  m = ot_get(e.c, id);
  assert_string_equal(m.status, "sent");
  assert_int_equal(m.attempts, 1);
  assert_int_equal(crm_outbox_retry(e.c, id), CRM_ESTATE);
  ot_close(&e);
}

/* A trigger's message refused before it had content (no channel, no
 * template variant, a placeholder without a value) has an empty body:
 * a retry would send an empty message to whatever channel the customer
 * prefers now. It is refused (CRM_ESTATE, the reason said) and the row is
 * not changed; the run sends nothing. */
static void test_retry_refused_without_body(void **state)
{
  ot_env e;
  char lines[2][OT_LINE];
  crm__outbox_row r;
  crm_outbox_msg m;
  int64_t cust, id = 0, audits;
  char want[256];

  (void)state;
  ot_open(&e, "", NULL);
  cust = ot_customer(e.c, "ann", "Ann", "ann@example.com", NULL);
  memset(&r, 0, sizeof(r));
  r.customer_id = cust;
  r.channel = "preferred";
  r.template = "birthday";
  r.trigger = "birthday";
  r.refused_reason = "no template \"birthday\" for channel \"fx_channel\"";
  assert_int_equal(crm__outbox_insert(e.c, &r, &id, NULL), CRM_OK);
  audits = audit_rows(e.c);
  assert_int_equal(crm_outbox_retry(e.c, id), CRM_ESTATE);
  snprintf(want, sizeof(want), "message #%lld cannot be retried: it was "
           "refused before it had a body (no template \"birthday\" for "
           "channel \"fx_channel\")", (long long)id);
  assert_string_equal(crm_errmsg(e.c), want);
  m = ot_get(e.c, id);
  assert_string_equal(m.status, "refused");
  assert_string_equal(m.error_class, "refused");
  assert_int_equal(audit_rows(e.c), audits);
  ot_run(e.c);
  assert_int_equal(ot_log(e.log, lines, 2), 0);
  ot_close(&e);
}

/* A message the provider accepted and that then bounced (dead), retried
 * once the customer fixed their mailbox, is a new send: under its old
 * idempotency key the provider (or the file channel, which skips a key
 * it has already written) would take it for a repeat of the bounced one
 * and drop it while the outbox says sent. It gets the key
 * "<old key>-r<time of the retry>"; a message never accepted keeps its
 * key (an attempt may have reached the provider). */
static void test_retry_after_bounce_new_key(void **state)
{
  ot_env e;
  char lines[4][OT_LINE];
  char key[96];
  char want[128];
  crm_outbox_msg m;
  int64_t cust, id1, id2;

  (void)state;
  ot_open(&e, "\"sent\", \"rejected\"", NULL);
  cust = ot_customer(e.c, "ann", "Ann", "ann@example.com", NULL);
  id1 = ot_enqueue(e.c, cust, NULL, "s", "one");
  id2 = ot_enqueue(e.c, cust, NULL, "s", "two");
  ot_run(e.c);
  assert_string_equal(ot_get(e.c, id1).status, "sent");
  assert_string_equal(ot_get(e.c, id2).status, "dead");
  assert_int_equal(crm_outbox_receipt(e.c, "fx_channel", "fx-1", "bounced",
                                      "550 mailbox full"), CRM_OK);
  snprintf(key, sizeof(key), "%s", ot_get(e.c, id1).idempotency_key);
  assert_int_equal(crm_bad_address_clear(e.c, "fx_channel",
                                         "ann@example.com"), CRM_OK);
  crm_set_now(e.c, OT_NOW + 3600);
  assert_int_equal(crm_outbox_retry(e.c, id1), CRM_OK);
  m = ot_get(e.c, id1);
  snprintf(want, sizeof(want), "%s-r%lld", key, (long long)(OT_NOW + 3600));
  assert_string_equal(m.idempotency_key, want);
  /* never accepted: the same key */
  snprintf(key, sizeof(key), "%s", ot_get(e.c, id2).idempotency_key);
  assert_int_equal(crm_outbox_retry(e.c, id2), CRM_OK);
  assert_string_equal(ot_get(e.c, id2).idempotency_key, key);
  ot_run(e.c);
  assert_int_equal(ot_log(e.log, lines, 4), 4);
  assert_string_equal(ot_field(lines[2], "key"), want);
  assert_string_equal(ot_field(lines[3], "key"), key);
  ot_close(&e);
}

/* Purge deletes finished messages created before a time, never queued,
 * sending or failed ones. */
static void test_purge(void **state)
{
  ot_env e;
  crm_outbox_msg m;
  int64_t cust, n = -1, sent_old, dead_old, queued_old, sent_new;

  (void)state;
  ot_open(&e, "\"sent\", \"rejected\"", NULL);
  cust = ot_customer(e.c, "ann", "Ann", "ann@example.com", NULL);
  crm_set_now(e.c, OT_NOW - 100);
  sent_old = ot_enqueue(e.c, cust, NULL, "s", "1");
  dead_old = ot_enqueue(e.c, cust, NULL, "s", "2");
  ot_run(e.c);
  /* queued, but not due before the end of the test */
  queued_old = ot_enqueue(e.c, cust, NULL, "s", "3");
  ot_sql(e.c, "UPDATE messages SET next_at = 9999999999 WHERE body = '3'");
  crm_set_now(e.c, OT_NOW);
  sent_new = ot_enqueue(e.c, cust, NULL, "s", "4");
  ot_run(e.c);
  assert_string_equal(ot_get(e.c, sent_old).status, "sent");
  assert_string_equal(ot_get(e.c, dead_old).status, "dead");
  assert_string_equal(ot_get(e.c, sent_new).status, "sent");
  assert_int_equal(crm_outbox_purge(e.c, OT_NOW, "queued", &n), CRM_EINVAL);
  assert_int_equal(crm_outbox_purge(e.c, OT_NOW, "failed", &n), CRM_EINVAL);
  assert_int_equal(crm_outbox_purge(e.c, OT_NOW, "nope", &n), CRM_EINVAL);
  assert_int_equal(n, -1);
  assert_int_equal(crm_outbox_purge(e.c, OT_NOW, "dead", &n), CRM_OK);
  assert_int_equal(n, 1);
  assert_int_equal(crm_outbox_get(e.c, dead_old, &m), CRM_ENOTFOUND);
  assert_int_equal(ot_count(e.c), 3);
  assert_int_equal(crm_outbox_purge(e.c, OT_NOW, NULL, &n), CRM_OK);
  assert_int_equal(n, 1); /* sent_old; queued_old and sent_new stay */
  assert_int_equal(ot_count(e.c), 2);
  assert_string_equal(ot_get(e.c, queued_old).status, "queued");
  assert_int_equal(crm_outbox_purge(e.c, OT_NOW + 1, NULL, &n), CRM_OK);
  assert_int_equal(n, 1);
  assert_int_equal(ot_count(e.c), 1);
  ot_close(&e);
}

/* ---- receipts ------------------------------------------------------------ */

struct bad_count {
  int n;
  int64_t at;
  char reason[128];
};

static int bad_cb(void *ud, const crm_bad_address *b)
{
  struct bad_count *s = ud;

  s->n++;
  s->at = b->at;
  snprintf(s->reason, sizeof(s->reason), "%s", b->reason);
  return 0;
}

/* delivered: sent -> delivered (once); bounced: -> dead and the address
 * marked bad (once); complained: the channel becomes do-not-contact
 * "complained" (once). */
static void test_receipts(void **state)
{
  ot_env e;
  struct bad_count bad;
  crm_outbox_msg m;
  crm_consent cs;
  int64_t ann, bob, m1, m2, hist;

  (void)state;
  ot_open(&e, "", NULL);
  ann = ot_customer(e.c, "ann", "Ann", "ann@example.com", NULL);
  bob = ot_customer(e.c, "bob", "Bob", "bob@example.com", NULL);
  m1 = ot_enqueue(e.c, ann, NULL, "s", "1");
  m2 = ot_enqueue(e.c, bob, NULL, "s", "2");
  ot_run(e.c);
  assert_string_equal(ot_get(e.c, m1).provider_ref, "fx-1");
  assert_string_equal(ot_get(e.c, m2).provider_ref, "fx-2");
  /* bad input */
  assert_int_equal(crm_outbox_receipt(e.c, "fx_channel", "fx-1", "read",
                                      NULL), CRM_EINVAL);
  assert_int_equal(crm_outbox_receipt(e.c, "fx_channel", "fx-9",
                                      "delivered", NULL), CRM_ENOTFOUND);
  assert_int_equal(crm_outbox_receipt(e.c, "other", "fx-1", "delivered",
                                      NULL), CRM_ENOTFOUND);
  /* delivered, twice */
  crm_set_now(e.c, OT_NOW + 10);
  assert_int_equal(crm_outbox_receipt(e.c, "fx_channel", "fx-1",
                                      "delivered", ""), CRM_OK);
  assert_int_equal(ot_sql_int(e.c, "SELECT count(*) FROM audit_log WHERE "
                              "action = 'message.receipt' AND detail = "
                              "'channel fx_channel ref fx-1: delivered' AND "
                              "object = 'message #' || ?1", m1), 1);
  m = ot_get(e.c, m1);
  assert_string_equal(m.status, "delivered");
  assert_int_equal(m.delivered_at, OT_NOW + 10);
  crm_set_now(e.c, OT_NOW + 20);
  assert_int_equal(crm_outbox_receipt(e.c, "fx_channel", "fx-1",
                                      "delivered", NULL), CRM_OK);
  assert_int_equal(ot_get(e.c, m1).delivered_at, OT_NOW + 10);
  /* bounced, twice */
  assert_int_equal(crm_outbox_receipt(e.c, "fx_channel", "fx-2", "bounced",
                                      "550 mailbox gone"), CRM_OK);
  m = ot_get(e.c, m2);
  assert_string_equal(m.status, "dead");
  assert_string_equal(m.error_class, "permanent");
  assert_string_equal(m.error, "bounced: 550 mailbox gone");
  memset(&bad, 0, sizeof(bad));
  assert_int_equal(crm_bad_address_foreach(e.c, bad_cb, &bad), CRM_OK);
  assert_int_equal(bad.n, 1);
  assert_int_equal(bad.at, OT_NOW + 20);
  crm_set_now(e.c, OT_NOW + 30);
  assert_int_equal(crm_outbox_receipt(e.c, "fx_channel", "fx-2", "bounced",
                                      "again"), CRM_OK);
  memset(&bad, 0, sizeof(bad));
  assert_int_equal(crm_bad_address_foreach(e.c, bad_cb, &bad), CRM_OK);
  assert_int_equal(bad.n, 1);
  assert_int_equal(bad.at, OT_NOW + 20);
  assert_string_equal(bad.reason, "bounced: 550 mailbox gone");
  /* a delivery receipt after a bounce is refused */
  assert_int_equal(crm_outbox_receipt(e.c, "fx_channel", "fx-2",
                                      "delivered", NULL), CRM_ESTATE);
  /* complained, twice: one do-not-contact record */
  assert_int_equal(crm_outbox_receipt(e.c, "fx_channel", "fx-1",
                                      "complained", "spam button"), CRM_OK);
  assert_int_equal(crm_consent_get(e.c, ann, "fx_channel", &cs), CRM_OK);
  assert_non_null(cs.dnc_reason);
  assert_string_equal(cs.dnc_reason, CRM_DNC_COMPLAINED);
  assert_string_equal(cs.dnc_note, "spam button");
  hist = ot_sql_int(e.c, "SELECT count(*) FROM consent_history WHERE "
                    "customer_id = ?1", ann);
  assert_true(hist >= 1);
  assert_int_equal(crm_outbox_receipt(e.c, "fx_channel", "fx-1",
                                      "complained", "again"), CRM_OK);
  assert_int_equal(ot_sql_int(e.c, "SELECT count(*) FROM consent_history "
                              "WHERE customer_id = ?1", ann), hist);
  assert_string_equal(ot_get(e.c, m1).status, "delivered");
  assert_int_equal(ot_sql_int(e.c, "SELECT count(*) FROM audit_log WHERE "
                              "action = 'message.receipt' AND ?1 = ?1", 0),
                   3); /* repeats change nothing, not even the audit */
  ot_close(&e);
}

/* ---- migration ----------------------------------------------------------- */

/* A store written at schema 4 with messages of the old shape (queued,
 * sent, failed) opens at schema 5: queued stays queued (attempts 0, due
 * at its creation), sent stays sent (attempts 1), failed becomes dead
 * (it was never retried) with error class "temporary"; every row gets its
 * idempotency key; the old queued one is then sent with that key. */
static void test_migration_from_v4(void **state)
{
  ot_env e;
  char path[700];
  char key[96];
  char lines[2][OT_LINE];
  sqlite3 *db = NULL;
  crm *c = NULL;
  crm_outbox_msg m;
  int v;

  (void)state;
  ot_open(&e, "", NULL);
  snprintf(path, sizeof(path), "%s/v4.db", e.dir);
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  for(v = 1; v <= 4; v++)
    assert_int_equal(sqlite3_exec(db, crm__schema_migration(v), NULL, NULL,
                                  NULL), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db,
    "PRAGMA user_version = 4;"
    "INSERT INTO customers(id, external_id, name, email, stage_since,"
    " created_at, updated_at) VALUES(1, 'ann', 'Ann', 'ann@example.com',"
    " 100, 100, 100);"
    "INSERT INTO messages(id, customer_id, channel, address, subject, body,"
    " status, created_at) VALUES(1, 1, 'fx_channel', NULL, 'q', 'queued',"
    " 'queued', 1000);"
    "INSERT INTO messages(id, customer_id, channel, address, subject, body,"
    " status, provider_ref, created_at, sent_at) VALUES(2, 1, 'fx_channel',"
    " 'ann@example.com', NULL, 'sent', 'sent', 'old-1', 1100, 1101);"
    "INSERT INTO messages(id, customer_id, channel, address, subject, body,"
    " status, error, created_at) VALUES(3, 1, 'fx_channel',"
    " 'ann@example.com', 's', 'failed', 'failed', 'smtp down', 1200);",
    NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  crm_close(e.c);
  assert_int_equal(crm_open(&c, path, 0), CRM_OK);
  e.c = c;
  crm_set_now(c, OT_NOW);
  assert_int_equal(crm_schema_version(c), crm__schema_latest()); /* 5: the outbox, 6: its trigger index, 7: complaints */
  m = ot_get(c, 1);
  assert_string_equal(m.status, "queued");
  assert_int_equal(m.attempts, 0);
  assert_int_equal(m.next_at, 1000);
  assert_int_equal(m.priority, CRM_PRIORITY_SERVICE);
  store_key(c, 1, key, sizeof(key));
  assert_string_equal(m.idempotency_key, key);
  m = ot_get(c, 2);
  assert_string_equal(m.status, "sent");
  assert_int_equal(m.attempts, 1);
  assert_int_equal(m.sent_at, 1101);
  assert_string_equal(m.provider_ref, "old-1");
  m = ot_get(c, 3);
  assert_string_equal(m.status, "dead");
  assert_int_equal(m.attempts, 1);
  assert_string_equal(m.error, "smtp down");
  assert_string_equal(m.error_class, "temporary");
  /* the old queued message goes out with its key */
  assert_int_equal(crm_load_config(c, e.conf, NULL), CRM_OK);
  assert_int_equal(ot_run(c).sent, 1);
  assert_int_equal(ot_log(e.log, lines, 2), 1);
  assert_string_equal(ot_field(lines[0], "key"), key);
  assert_string_equal(ot_get(c, 1).status, "sent");
  ot_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_enqueue_validation),
    cmocka_unit_test(test_enqueue_rows),
    cmocka_unit_test(test_unsubscribe_message_id),
    cmocka_unit_test(test_dedupe_key),
    cmocka_unit_test(test_insert_refused_and_dup),
    cmocka_unit_test(test_enqueue_in_batch),
    cmocka_unit_test(test_foreach_filters),
    cmocka_unit_test(test_retry),
    cmocka_unit_test(test_retry_refused_without_body),
    cmocka_unit_test(test_retry_after_bounce_new_key),
    cmocka_unit_test(test_purge),
    cmocka_unit_test(test_receipts),
    cmocka_unit_test(test_migration_from_v4),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
