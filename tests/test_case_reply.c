/*
 * test_case_reply.c - messages on a case (core/case_reply.c) with
 * basic_case on a fixed clock: the first response (once), agent replies
 * queued through the outbox or recorded, waiting -> customer answer ->
 * In progress, reopen within complaints.reopen_days (default 7) and a
 * follow-up case after it or on a closed case (one follow-up for two
 * messages), a Duplicate's messages going down the merge chain,
 * refusals, a message sent twice with one idempotency key applied once.
 */
#include "case_test.h"

#define T0 PE_NOW
#define HOUR INT64_C(3600)
#define DAY INT64_C(86400)

static int64_t reply(crm *c, int64_t id, int kind, const char *text,
                     uint32_t flags, const char *actor, int64_t at,
                     int64_t *landed)
{
  crm_case_op op = ct_op(actor, NULL, at);
  int64_t msg = 0, where = 0;

  if(crm_case_reply(c, id, kind, text, flags, &op, &where, &msg))
    fail_msg("crm_case_reply: %s", crm_errmsg(c));
  if(landed)
    *landed = where;
  return msg;
}

/* The first agent reply is the first response, once; a note is not. No
 * channel loaded: the reply is recorded only. */
static void test_first_response_once(void **state)
{
  pe_env e;
  ct_lines h;
  int64_t cust, id;

  (void)state;
  pe_open(&e, ct_conf);
  cust = t_add_customer(e.c, "a");
  id = ct_case(e.c, cust, "charged twice", NULL);
  reply(e.c, id, CRM_CASE_MSG_NOTE, "check the invoice", 0, "ben",
        T0 + 10, NULL);
  assert_int_equal(ct_get(e.c, id).first_response_at, 0);
  reply(e.c, id, CRM_CASE_MSG_AGENT, "We are on it.", 0, "ana", T0 + HOUR,
        NULL);
  assert_int_equal(ct_get(e.c, id).first_response_at, T0 + HOUR);
  reply(e.c, id, CRM_CASE_MSG_AGENT, "Refund sent.", CRM_CASE_REPLY_RECORD,
        "ana", T0 + 2 * HOUR, NULL);
  assert_int_equal(ct_get(e.c, id).first_response_at, T0 + HOUR);
  /* the first answer: someone works on it, New -> In progress (basic_case
   * allows it); the second answer moves nothing */
  assert_string_equal(ct_get(e.c, id).state, "In progress");
  ct_messages(e.c, id, &h);
  assert_int_equal(h.n, 3);
  assert_string_equal(h.line[0], "2|ben|check the invoice|-");
  assert_string_equal(h.line[1], "1|ana|We are on it.|-");
  assert_string_equal(h.line[2], "1|ana|Refund sent.|-");
  assert_int_equal(h.at[2], T0 + 2 * HOUR);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM messages WHERE ?1", 1),
                   0);
  /* messages are no history; the move is */
  ct_history(e.c, id, &h);
  assert_int_equal(h.n, 2);
  assert_string_equal(h.line[1], "move|New|In progress|ana|-|-");
  assert_int_equal(h.at[1], T0 + HOUR);
  pe_close(&e);
}

/* With a channel: the agent reply is queued as a service message; a
 * RECORD reply is not. */
static void test_agent_reply_queued(void **state)
{
  pe_env e;
  crm_outbox_msg m;
  crm_customer_fields f;
  ct_lines h;
  int64_t cust = 0, id, msg;

  (void)state;
  ct_open_with_file(&e);
  memset(&f, 0, sizeof(f));
  f.external_id = "a";
  f.name = "Ann";
  f.email = "ann@example.com";
  assert_int_equal(crm_customer_add(e.c, &f, &cust), CRM_OK);
  id = ct_case(e.c, cust, "parcel late", NULL);
  msg = reply(e.c, id, CRM_CASE_MSG_AGENT, "It ships today.\nSorry!", 0,
              "ana", T0 + 60, NULL);
  assert_true(msg > 0);
  assert_int_equal(crm_outbox_get(e.c, msg, &m), CRM_OK);
  assert_int_equal(m.customer_id, cust);
  assert_string_equal(m.channel, "file");
  assert_string_equal(m.subject, "Re: your case C-000001");
  assert_string_equal(m.body, "It ships today.\nSorry!");
  assert_int_equal(m.priority, CRM_PRIORITY_SERVICE);
  assert_string_equal(m.status, "queued");
  ct_messages(e.c, id, &h);
  assert_string_equal(h.line[0], "1|ana|It ships today.\nSorry!|sent");
  msg = reply(e.c, id, CRM_CASE_MSG_AGENT, "told by phone",
              CRM_CASE_REPLY_RECORD, "ana", T0 + 120, NULL);
  assert_true(msg > 0); /* the case message */
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM messages WHERE ?1", 1),
                   1);
  assert_int_equal(ct_int(e.c, "SELECT message_id FROM case_messages"
                          " WHERE id = ?1", msg), -1);
  pe_close(&e);
}

/* WAIT moves to Waiting on customer; their answer resumes the case. */
static void test_wait_then_answer(void **state)
{
  pe_env e;
  ct_lines h;
  int64_t cust, id, landed = 0;

  (void)state;
  pe_open(&e, ct_conf);
  cust = t_add_customer(e.c, "a");
  id = ct_case(e.c, cust, "screen broken", NULL);
  assert_int_equal(crm_case_assign(e.c, id, "ana", NULL, NULL), CRM_OK);
  reply(e.c, id, CRM_CASE_MSG_AGENT, "Photo please?", CRM_CASE_REPLY_WAIT,
        "ana", T0 + HOUR, NULL);
  assert_string_equal(ct_get(e.c, id).state, "Waiting on customer");
  reply(e.c, id, CRM_CASE_MSG_CUSTOMER, "here it is", 0, NULL, T0 + DAY,
        &landed);
  assert_int_equal(landed, id);
  assert_string_equal(ct_get(e.c, id).state, "In progress");
  ct_history(e.c, id, &h);
  assert_int_equal(h.n, 5);
  assert_string_equal(h.line[3], "move|Assigned|Waiting on customer|ana|-|-");
  assert_int_equal(h.at[3], T0 + HOUR);
  assert_string_equal(h.line[4], "move|Waiting on customer|In progress|api|"
                      "-|-");
  assert_int_equal(h.at[4], T0 + DAY);
  /* a customer message on an In progress case moves nothing */
  reply(e.c, id, CRM_CASE_MSG_CUSTOMER, "and another", 0, "ann",
        T0 + DAY + 1, NULL);
  ct_history(e.c, id, &h);
  assert_int_equal(h.n, 5);
  pe_close(&e);
}

static void resolve(crm *c, int64_t id, int64_t at)
{
  crm_case_resolution r;

  memset(&r, 0, sizeof(r));
  r.op = ct_op("ana", "reshipped", at);
  if(crm_case_resolve(c, id, &r))
    fail_msg("crm_case_resolve: %s", crm_errmsg(c));
}

/* Resolved at T0 + 1h; an answer 3 days later (within 7) reopens. */
static void test_reopen_within_window(void **state)
{
  pe_env e;
  crm_case k;
  ct_lines h;
  int64_t cust, id, landed = 0;

  (void)state;
  pe_open(&e, ct_conf);
  cust = t_add_customer(e.c, "a");
  id = ct_case(e.c, cust, "parcel late", NULL);
  resolve(e.c, id, T0 + HOUR);
  reply(e.c, id, CRM_CASE_MSG_CUSTOMER, "it did not come", 0, NULL,
        T0 + HOUR + 3 * DAY, &landed);
  assert_int_equal(landed, id);
  k = ct_get(e.c, id);
  assert_string_equal(k.state, "In progress");
  assert_int_equal(k.reopen_count, 1);
  assert_int_equal(k.resolutions, 1);
  assert_int_equal(k.resolved_at, T0 + HOUR);
  ct_history(e.c, id, &h);
  assert_int_equal(h.n, 4);
  assert_string_equal(h.line[2], "move|Resolved|In progress|api|-|-");
  assert_string_equal(h.line[3], "reopen|-|In progress|api|-|reopened by "
                      "the customer (reopen 1)");
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM cases WHERE ?1", 1), 1);
  /* resolved again at +4 days, answered exactly 7 days later: reopens */
  resolve(e.c, id, T0 + 4 * DAY);
  reply(e.c, id, CRM_CASE_MSG_CUSTOMER, "still broken", 0, NULL,
        T0 + 11 * DAY, &landed);
  k = ct_get(e.c, id);
  assert_int_equal(landed, id);
  assert_int_equal(k.reopen_count, 2);
  assert_int_equal(k.resolutions, 2);
  pe_close(&e);
}

/* complaints.reopen_days = 2: an answer 3 days after the resolution
 * opens a follow-up; 0 never reopens. */
static void test_reopen_days_config(void **state)
{
  static const char conf[] =
    "plugins = { load = ( { name = \"basic_case\"; } ); };\n"
    "complaints = { reopen_days = 2; };\n";
  pe_env e;
  int64_t cust, id, landed = 0;

  (void)state;
  pe_open(&e, conf);
  cust = t_add_customer(e.c, "a");
  id = ct_case(e.c, cust, "parcel late", NULL);
  resolve(e.c, id, T0);
  reply(e.c, id, CRM_CASE_MSG_CUSTOMER, "hm", 0, NULL, T0 + 2 * DAY,
        &landed);
  assert_int_equal(landed, id); /* 2 days: still within */
  resolve(e.c, id, T0 + 2 * DAY + 10);
  reply(e.c, id, CRM_CASE_MSG_CUSTOMER, "hm again", 0, NULL,
        T0 + 4 * DAY + 11, &landed);
  assert_int_equal(landed, id + 1); /* 2 days and 1 s */
  assert_int_equal(ct_get(e.c, id).reopen_count, 1);
  pe_close(&e);
}

/* After the window: a new case follows the old one, which stays as it
 * was. */
static void test_follow_up_after_window(void **state)
{
  pe_env e;
  crm_case_new n;
  crm_case k;
  ct_lines h;
  int64_t cust, id, landed = 0, msg;

  (void)state;
  pe_open(&e, ct_conf);
  cust = t_add_customer(e.c, "a");
  memset(&n, 0, sizeof(n));
  n.customer_id = cust;
  n.summary = "parcel late";
  n.priority = 1;
  n.origin = "email";
  assert_int_equal(crm_case_create(e.c, &n, &id), CRM_OK);
  resolve(e.c, id, T0 + HOUR);
  msg = reply(e.c, id, CRM_CASE_MSG_CUSTOMER, "late\nagain", 0, "ann",
              T0 + HOUR + 8 * DAY, &landed);
  assert_int_equal(landed, id + 1);
  k = ct_get(e.c, id);
  assert_string_equal(k.state, "Resolved");
  assert_int_equal(k.reopen_count, 0);
  assert_int_equal(k.updated_at, T0 + HOUR);
  k = ct_get(e.c, landed);
  assert_string_equal(k.number, "C-000002");
  assert_int_equal(k.parent_id, id);
  assert_int_equal(k.customer_id, cust);
  assert_string_equal(k.summary, "late again");
  assert_string_equal(k.category, "delivery");
  assert_int_equal(k.priority, 1);
  assert_string_equal(k.origin, "email");
  assert_string_equal(k.handler, "basic_case");
  assert_string_equal(k.state, "New");
  assert_int_equal(k.opened_at, T0 + HOUR + 8 * DAY);
  assert_int_equal(ct_int(e.c, "SELECT case_id FROM case_messages"
                          " WHERE id = ?1", msg), landed);
  ct_history(e.c, id, &h);
  assert_int_equal(h.n, 3);
  assert_string_equal(h.line[2], "follow_up|-|Resolved|ann|-|follow-up case "
                      "C-000002");
  ct_history(e.c, landed, &h);
  assert_int_equal(h.n, 2);
  assert_string_equal(h.line[1], "follow_up|-|New|ann|-|follows case "
                      "C-000001");
  pe_close(&e);
}

/* A customer message on a Closed or Rejected case opens a follow-up. */
static void test_reply_on_closed(void **state)
{
  pe_env e;
  crm_case_op op = ct_op("ana", "done", T0 + 2 * HOUR);
  int64_t cust, id, rej, landed = 0;

  (void)state;
  pe_open(&e, ct_conf);
  cust = t_add_customer(e.c, "a");
  id = ct_case(e.c, cust, "parcel late", NULL);
  resolve(e.c, id, T0 + HOUR);
  assert_int_equal(crm_case_close(e.c, id, &op), CRM_OK);
  reply(e.c, id, CRM_CASE_MSG_CUSTOMER, "thanks but one more thing", 0, NULL,
        T0 + 3 * HOUR, &landed);
  assert_int_equal(landed, id + 1);
  assert_int_equal(ct_get(e.c, landed).parent_id, id);
  assert_string_equal(ct_get(e.c, id).state, "Closed");
  rej = ct_case(e.c, cust, "buy watches", NULL);
  op.why = "spam";
  assert_int_equal(crm_case_reject(e.c, rej, &op), CRM_OK);
  reply(e.c, rej, CRM_CASE_MSG_CUSTOMER, "why rejected?", 0, NULL,
        T0 + 4 * HOUR, &landed);
  assert_int_equal(landed, rej + 1);
  assert_int_equal(ct_get(e.c, landed).parent_id, rej);
  /* an agent cannot answer on a closed case; a note is fine */
  op = ct_op("ana", NULL, T0 + 5 * HOUR);
  assert_int_equal(crm_case_reply(e.c, id, CRM_CASE_MSG_AGENT, "hello", 0,
                                  &op, NULL, NULL), CRM_ESTATE);
  assert_string_equal(crm_errmsg(e.c), "case C-000001 is Closed: an answer "
                      "goes on a new case");
  assert_int_equal(crm_case_reply(e.c, id, CRM_CASE_MSG_NOTE, "odd one", 0,
                                  &op, &landed, NULL), CRM_OK);
  assert_int_equal(landed, id);
  pe_close(&e);
}

/* A second customer message on a closed case goes to the follow-up the
 * first one opened (still open), not to a third case; once the
 * follow-up is closed too, a new one follows it. */
static void test_second_message_after_close(void **state)
{
  pe_env e;
  crm_case_op op = ct_op("ana", "done", T0 + 2 * HOUR);
  ct_lines h;
  int64_t cust, id, landed = 0, again = 0;

  (void)state;
  pe_open(&e, ct_conf);
  cust = t_add_customer(e.c, "a");
  id = ct_case(e.c, cust, "parcel late", NULL);
  resolve(e.c, id, T0 + HOUR);
  assert_int_equal(crm_case_close(e.c, id, &op), CRM_OK);
  reply(e.c, id, CRM_CASE_MSG_CUSTOMER, "one more thing", 0, NULL,
        T0 + 3 * HOUR, &landed);
  assert_int_equal(landed, id + 1);
  reply(e.c, id, CRM_CASE_MSG_CUSTOMER, "and another", 0, NULL,
        T0 + 4 * HOUR, &again);
  assert_int_equal(again, landed);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM cases WHERE ?1", 1), 2);
  ct_messages(e.c, landed, &h);
  assert_int_equal(h.n, 2);
  ct_history(e.c, id, &h);
  assert_int_equal(h.n, 4); /* open, Resolved, Closed, one follow_up */
  /* the follow-up closed as well: the next message follows it */
  resolve(e.c, landed, T0 + 5 * HOUR);
  op.at = T0 + 6 * HOUR;
  assert_int_equal(crm_case_close(e.c, landed, &op), CRM_OK);
  reply(e.c, id, CRM_CASE_MSG_CUSTOMER, "hello again", 0, NULL,
        T0 + 7 * HOUR, &again);
  assert_int_equal(again, landed + 1);
  assert_int_equal(ct_get(e.c, again).parent_id, landed);
  pe_close(&e);
}

/* A Duplicate's messages follow the merge chain: 1 -> 2 -> 3. */
static void test_duplicate_chain(void **state)
{
  pe_env e;
  int64_t cust, c1, c2, c3, landed = 0;

  (void)state;
  pe_open(&e, ct_conf);
  cust = t_add_customer(e.c, "a");
  c1 = ct_case(e.c, cust, "parcel late", NULL);
  c2 = ct_case(e.c, cust, "parcel late 2", NULL);
  c3 = ct_case(e.c, cust, "parcel late 3", NULL);
  assert_int_equal(crm_case_merge(e.c, c1, c2, NULL), CRM_OK);
  assert_int_equal(crm_case_merge(e.c, c2, c3, NULL), CRM_OK);
  reply(e.c, c1, CRM_CASE_MSG_CUSTOMER, "hello?", 0, NULL, T0 + HOUR,
        &landed);
  assert_int_equal(landed, c3);
  pe_close(&e);
}

static void test_reply_refusals(void **state)
{
  pe_env e;
  char big[2002];
  int64_t cust, id;

  (void)state;
  pe_open(&e, ct_conf);
  cust = t_add_customer(e.c, "a");
  id = ct_case(e.c, cust, "parcel late", NULL);
  assert_int_equal(crm_case_reply(e.c, id, CRM_CASE_MSG_AGENT, "", 0, NULL,
                                  NULL, NULL), CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "text is required");
  memset(big, 'x', 2001);
  big[2001] = '\0';
  assert_int_equal(crm_case_reply(e.c, id, CRM_CASE_MSG_AGENT, big, 0, NULL,
                                  NULL, NULL), CRM_ERANGE);
  assert_string_equal(crm_errmsg(e.c), "text is too long (more than 2000 "
                      "bytes)");
  big[2000] = '\0'; /* exactly 2000: fine */
  assert_int_equal(crm_case_reply(e.c, id, CRM_CASE_MSG_NOTE, big, 0, NULL,
                                  NULL, NULL), CRM_OK);
  assert_int_equal(crm_case_reply(e.c, id, 5, "x", 0, NULL, NULL, NULL),
                   CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "unknown message kind 5 (0 customer, "
                      "1 agent, 2 note)");
  assert_int_equal(crm_case_reply(e.c, id, CRM_CASE_MSG_CUSTOMER, "x",
                                  CRM_CASE_REPLY_WAIT, NULL, NULL, NULL),
                   CRM_EINVAL);
  assert_int_equal(crm_case_reply(e.c, id, CRM_CASE_MSG_AGENT, "x", 0x8,
                                  NULL, NULL, NULL), CRM_EINVAL);
  assert_int_equal(crm_case_reply(e.c, id, CRM_CASE_MSG_AGENT, "a\x01",
                                  0, NULL, NULL, NULL), CRM_EINVAL);
  assert_int_equal(crm_case_reply(e.c, id + 1, CRM_CASE_MSG_AGENT, "x", 0,
                                  NULL, NULL, NULL), CRM_ENOTFOUND);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM case_messages WHERE"
                          " ?1", 1), 1);
  assert_int_equal(ct_get(e.c, id).first_response_at, 0);
  pe_close(&e);
}

static int64_t reply_key(crm *c, int64_t id, int kind, const char *text,
                         int64_t at, const char *key, int64_t *landed)
{
  crm_case_op op = ct_op(NULL, NULL, at);
  int64_t msg = 0, where = 0;

  op.idempotency_key = key;
  if(crm_case_reply(c, id, kind, text, 0, &op, &where, &msg))
    fail_msg("crm_case_reply: %s", crm_errmsg(c));
  *landed = where;
  return msg;
}

/* A message delivered twice with the same idempotency key is applied
 * once: the reopen, the follow-up and the outbox message happen once and
 * the retry returns the first ids. */
static void test_reply_idempotent(void **state)
{
  static const char kmsg[] = "SELECT count(*) FROM case_messages WHERE ?1";
  pe_env e;
  crm_case_op op = ct_op(NULL, NULL, T0 + 12 * DAY);
  crm_customer_fields f;
  ct_lines h;
  char want[128], big[130];
  int64_t cust = 0, id, m1, m2, fu, a1, l1 = 0, l2 = 0, fc = 0, fm = 0;
  int n_hist;

  (void)state;
  ct_open_with_file(&e);
  memset(&f, 0, sizeof(f));
  f.external_id = "a";
  f.email = "ann@example.com";
  assert_int_equal(crm_customer_add(e.c, &f, &cust), CRM_OK);
  id = ct_case(e.c, cust, "parcel late", NULL);
  resolve(e.c, id, T0 + HOUR);
  /* 3 days after the resolution (within 7): reopens, reopen 1 */
  m1 = reply_key(e.c, id, CRM_CASE_MSG_CUSTOMER, "it did not come",
                 T0 + HOUR + 3 * DAY, "mail-1", &l1);
  assert_int_equal(l1, id);
  assert_int_equal(ct_get(e.c, id).reopen_count, 1);
  ct_history(e.c, id, &h);
  n_hist = h.n; /* open, Resolved, move back, reopen: 4 */
  assert_int_equal(n_hist, 4);
  /* delivered again, same time, then without a time: the first ids */
  m2 = reply_key(e.c, id, CRM_CASE_MSG_CUSTOMER, "it did not come",
                 T0 + HOUR + 3 * DAY, "mail-1", &l2);
  assert_int_equal(m2, m1);
  assert_int_equal(l2, id);
  m2 = reply_key(e.c, id, CRM_CASE_MSG_CUSTOMER, "it did not come", 0,
                 "mail-1", &l2);
  assert_int_equal(m2, m1);
  assert_int_equal(ct_get(e.c, id).reopen_count, 1);
  assert_string_equal(ct_get(e.c, id).state, "In progress");
  assert_int_equal(ct_int(e.c, kmsg, 1), 1);
  ct_history(e.c, id, &h);
  assert_int_equal(h.n, n_hist);
  /* resolved again at +4 days; the retry 8 days later (after the window)
   * opens no follow-up */
  resolve(e.c, id, T0 + 4 * DAY);
  m2 = reply_key(e.c, id, CRM_CASE_MSG_CUSTOMER, "it did not come",
                 T0 + HOUR + 3 * DAY, "mail-1", &l2);
  assert_int_equal(m2, m1);
  assert_int_equal(l2, id);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM cases WHERE ?1", 1), 1);
  assert_string_equal(ct_get(e.c, id).state, "Resolved");
  assert_int_equal(ct_get(e.c, id).reopen_count, 1);
  /* a new message after the window: one follow-up (C-000002); its retry
   * returns it and writes nothing */
  m2 = reply_key(e.c, id, CRM_CASE_MSG_CUSTOMER, "still nothing",
                 T0 + 12 * DAY, "mail-2", &fu);
  assert_int_equal(fu, id + 1);
  ct_history(e.c, id, &h);
  n_hist = h.n;
  assert_int_equal(reply_key(e.c, id, CRM_CASE_MSG_CUSTOMER, "still nothing",
                             T0 + 12 * DAY, "mail-2", &l2), m2);
  assert_int_equal(l2, fu);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM cases WHERE ?1", 1), 2);
  assert_int_equal(ct_int(e.c, kmsg, 1), 2);
  ct_history(e.c, id, &h);
  assert_int_equal(h.n, n_hist);
  /* the same key with another text or time: refused, as for events */
  op.idempotency_key = "mail-2";
  assert_int_equal(crm_case_reply(e.c, id, CRM_CASE_MSG_CUSTOMER, "other",
                                  0, &op, NULL, NULL), CRM_EEXIST);
  snprintf(want, sizeof(want), "idempotency key \"mail-2\" was already used "
           "by a different message (#%lld on C-000002)", (long long)m2);
  assert_string_equal(crm_errmsg(e.c), want);
  op.at = T0 + 12 * DAY + 1;
  assert_int_equal(crm_case_reply(e.c, id, CRM_CASE_MSG_CUSTOMER,
                                  "still nothing", 0, &op, NULL, NULL),
                   CRM_EEXIST);
  /* an agent answer retried: one outbox message, one first response */
  a1 = reply_key(e.c, fu, CRM_CASE_MSG_AGENT, "Sorry, it ships today.",
                 T0 + 12 * DAY + HOUR, "ans-1", &l2);
  assert_int_equal(reply_key(e.c, fu, CRM_CASE_MSG_AGENT,
                             "Sorry, it ships today.", T0 + 12 * DAY + HOUR,
                             "ans-1", &l2), a1);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM messages WHERE ?1", 1),
                   1);
  assert_int_equal(ct_int(e.c, kmsg, 1), 3);
  assert_int_equal(ct_get(e.c, fu).first_response_at, T0 + 12 * DAY + HOUR);
  assert_int_equal(crm_case_reply_find(e.c, "ans-1", &fc, &fm), CRM_OK);
  assert_int_equal(fc, fu);
  assert_int_equal(fm, a1);
  assert_int_equal(crm_case_reply_find(e.c, "nope", &fc, &fm),
                   CRM_ENOTFOUND);
  /* keys are 1..128 bytes of text */
  op.at = T0 + 13 * DAY;
  op.idempotency_key = "";
  assert_int_equal(crm_case_reply(e.c, fu, CRM_CASE_MSG_NOTE, "x", 0, &op,
                                  NULL, NULL), CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "idempotency key is required");
  memset(big, 'k', 129);
  big[129] = '\0';
  op.idempotency_key = big;
  assert_int_equal(crm_case_reply(e.c, fu, CRM_CASE_MSG_NOTE, "x", 0, &op,
                                  NULL, NULL), CRM_ERANGE);
  big[128] = '\0'; /* exactly 128: fine */
  assert_int_equal(crm_case_reply(e.c, fu, CRM_CASE_MSG_NOTE, "x", 0, &op,
                                  NULL, NULL), CRM_OK);
  op.idempotency_key = "a\x01";
  assert_int_equal(crm_case_reply(e.c, fu, CRM_CASE_MSG_NOTE, "x", 0, &op,
                                  NULL, NULL), CRM_EINVAL);
  assert_int_equal(ct_int(e.c, kmsg, 1), 4);
  pe_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_first_response_once),
    cmocka_unit_test(test_agent_reply_queued),
    cmocka_unit_test(test_wait_then_answer),
    cmocka_unit_test(test_reopen_within_window),
    cmocka_unit_test(test_reopen_days_config),
    cmocka_unit_test(test_follow_up_after_window),
    cmocka_unit_test(test_reply_on_closed),
    cmocka_unit_test(test_second_message_after_close),
    cmocka_unit_test(test_duplicate_chain),
    cmocka_unit_test(test_reply_refusals),
    cmocka_unit_test(test_reply_idempotent),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
