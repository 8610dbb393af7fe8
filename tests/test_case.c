/*
 * test_case.c - complaint cases through the public API with the
 * basic_case plugin: open (every field, number, idempotency, refusals),
 * classify, move, history, closed_at, audit, find/get/query, and cases
 * opened by "complaint" events; a message link names the customer's
 * own message.
 */
#include "case_test.h"

static const char conf_case[] =
  "plugins = { load = ( { name = \"basic_case\";"
  " config = { priority = { billing = 1; }; }; } ); };\n";

struct cases {
  crm_case k[8];
  char state[8][32];
  char category[8][32];
  char handler[8][32];
  size_t n;
};

static int collect(void *ud, const crm_case *k)
{
  struct cases *g = ud;

  if(g->n < 8) {
    g->k[g->n] = *k;
    snprintf(g->state[g->n], sizeof(g->state[0]), "%s", k->state);
    snprintf(g->category[g->n], sizeof(g->category[0]), "%s", k->category);
    snprintf(g->handler[g->n], sizeof(g->handler[0]), "%s", k->handler);
  }
  g->n++;
  return 0;
}

static void cases_of(crm *c, int64_t cust, struct cases *g)
{
  memset(g, 0, sizeof(*g));
  assert_int_equal(crm_cases_foreach(c, cust, collect, g), CRM_OK);
}

/* One integer from a query with one integer parameter; -1 for NULL. */
static int64_t q_int(crm *c, const char *sql, int64_t arg)
{
  sqlite3_stmt *st;
  int64_t v = -2;

  assert_int_equal(sqlite3_prepare_v2(c->db, sql, -1, &st, NULL),
                   SQLITE_OK);
  sqlite3_bind_int64(st, 1, arg);
  if(sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_type(st, 0) == SQLITE_NULL
            ? -1 : sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

static void test_no_component(void **state)
{
  pe_env e;
  int64_t id, cid = 0;
  struct cases g;

  (void)state;
  pe_open(&e, NULL);
  id = t_add_customer(e.c, "a");
  assert_int_equal(crm_case_open(e.c, id, NULL, "late", NULL, &cid),
                   CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(e.c), "no complaint component is loaded");
  /* a complaint event is stored but opens nothing */
  pe_event(e.c, id, "complaint", PE_NOW - 10, 0, NULL,
           "{\"summary\":\"late parcel\"}", "k1");
  cases_of(e.c, 0, &g);
  assert_int_equal(g.n, 0);
  pe_close(&e);
}

static void test_open_classifies(void **state)
{
  pe_env e;
  int64_t id, cid = 0;
  struct cases g;

  (void)state;
  pe_open(&e, conf_case);
  id = t_add_customer(e.c, "a");
  assert_int_equal(crm_case_open(e.c, id, NULL, "I was charged twice",
                                 NULL, &cid), CRM_OK);
  assert_true(cid > 0);
  cases_of(e.c, id, &g);
  assert_int_equal(g.n, 1);
  assert_int_equal(g.k[0].id, cid);
  assert_string_equal(g.handler[0], "basic_case");
  assert_string_equal(g.state[0], "New");
  assert_string_equal(g.category[0], "billing");
  assert_int_equal(g.k[0].priority, 1); /* config override */
  assert_int_equal(g.k[0].opened_at, PE_NOW);
  /* a given category is kept; its default priority applies */
  assert_int_equal(crm_case_open(e.c, id, "basic_case", "staff was rude",
                                 "quality", &cid), CRM_OK);
  cases_of(e.c, id, &g);
  assert_int_equal(g.n, 2);
  assert_string_equal(g.category[1], "quality");
  assert_int_equal(g.k[1].priority, 2);
  /* history: one "opened" row per case; audit entries */
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM case_history WHERE"
                         " case_id = ?1 AND from_state IS NULL AND"
                         " to_state = 'New'", cid), 1);
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM audit_log WHERE"
                         " action = 'case.open' AND ?1", 1), 2);
  pe_close(&e);
}

static void test_open_refusals(void **state)
{
  pe_env e;
  int64_t id, cid = 0;

  (void)state;
  pe_open(&e, conf_case);
  id = t_add_customer(e.c, "a");
  assert_int_equal(crm_case_open(e.c, id, NULL, "", NULL, &cid), CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "summary is required");
  assert_int_equal(crm_case_open(e.c, id, "zzz", "late", NULL, &cid),
                   CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(e.c),
                      "no complaint component \"zzz\" is loaded");
  assert_int_equal(crm_case_open(e.c, id + 50, NULL, "late", NULL, &cid),
                   CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(e.c), "unknown customer #51");
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM cases WHERE ?1", 1), 0);
  pe_close(&e);
}

static void test_moves(void **state)
{
  pe_env e;
  int64_t id, cid = 0;
  struct cases g;

  (void)state;
  pe_open(&e, conf_case);
  id = t_add_customer(e.c, "a");
  assert_int_equal(crm_case_open(e.c, id, NULL, "box arrived broken", NULL,
                                 &cid), CRM_OK);
  /* refused: the handler's message, nothing written */
  assert_int_equal(crm_case_move(e.c, cid, "Closed", "spam"), CRM_ESTATE);
  assert_non_null(strstr(crm_errmsg(e.c), "cannot move case C-000001 from "
                         "New to Closed; allowed: Assigned, In progress, "
                         "Waiting on customer, Resolved, Rejected, "
                         "Duplicate"));
  cases_of(e.c, id, &g);
  assert_string_equal(g.state[0], "New");
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM case_history WHERE"
                         " case_id = ?1", cid), 1);

  crm_set_now(e.c, PE_NOW + 60);
  assert_int_equal(crm_case_move(e.c, cid, "Assigned", "to Bob"), CRM_OK);
  assert_int_equal(crm_case_move(e.c, cid, "Resolved", NULL), CRM_OK);
  assert_int_equal(q_int(e.c, "SELECT closed_at FROM cases WHERE id = ?1",
                         cid), -1);
  /* Resolved: one resolution, the first response (none before) */
  assert_int_equal(q_int(e.c, "SELECT resolutions * 10000000000 +"
                         " resolved_at - first_response_at FROM cases"
                         " WHERE id = ?1", cid), 10000000000);
  crm_set_now(e.c, PE_NOW + 120);
  assert_int_equal(crm_case_move(e.c, cid, "Closed", "customer happy"),
                   CRM_OK);
  /* entering a final state sets closed_at */
  assert_int_equal(q_int(e.c, "SELECT closed_at FROM cases WHERE id = ?1",
                         cid), PE_NOW + 120);
  cases_of(e.c, id, &g);
  assert_string_equal(g.state[0], "Closed");
  assert_int_equal(g.k[0].updated_at, PE_NOW + 120);
  /* opened + 3 moves, notes kept */
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM case_history WHERE"
                         " case_id = ?1", cid), 4);
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM case_history WHERE"
                         " case_id = ?1 AND from_state = 'Assigned' AND"
                         " to_state = 'Resolved' AND"
                         " note = 'moved to Resolved' AND"
                         " action = 'move'", cid), 1);
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM case_history WHERE"
                         " case_id = ?1 AND note = 'to Bob'", cid), 1);
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM audit_log WHERE"
                         " action = 'case.move' AND"
                         " object = 'case C-000001'", 1), 3);
  /* Closed is final */
  assert_int_equal(crm_case_move(e.c, cid, "Assigned", NULL), CRM_ESTATE);
  assert_non_null(strstr(crm_errmsg(e.c), "none (Closed is final)"));
  /* a Duplicate comes only from a merge */
  assert_int_equal(crm_case_open(e.c, id, NULL, "again", NULL, &cid),
                   CRM_OK);
  assert_int_equal(crm_case_move(e.c, cid, "duplicate", NULL), CRM_EINVAL);
  pe_close(&e);
}

/* Reopen (Resolved -> In progress) is allowed; state names are the
 * handler's canonical spelling whatever the caller typed. */
static void test_reopen_and_case(void **state)
{
  pe_env e;
  int64_t id, cid = 0;
  struct cases g;

  (void)state;
  pe_open(&e, conf_case);
  id = t_add_customer(e.c, "a");
  assert_int_equal(crm_case_open(e.c, id, NULL, "rude", NULL, &cid), CRM_OK);
  assert_int_equal(crm_case_move(e.c, cid, "assigned", NULL), CRM_OK);
  assert_int_equal(crm_case_move(e.c, cid, "RESOLVED", NULL), CRM_OK);
  assert_int_equal(crm_case_move(e.c, cid, "in progress", "not fixed"),
                   CRM_OK);
  cases_of(e.c, id, &g);
  assert_string_equal(g.state[0], "In progress");
  assert_int_equal(g.k[0].resolutions, 1);
  assert_int_equal(crm_case_move(e.c, cid + 9, "Assigned", NULL),
                   CRM_ENOTFOUND);
  assert_non_null(strstr(crm_errmsg(e.c), "unknown case #"));
  assert_int_equal(crm_case_move(e.c, cid, "", NULL), CRM_EINVAL);
  pe_close(&e);
}

/* Every field of a new case is stored; the number follows the id. */
static void test_create_full(void **state)
{
  pe_env e;
  crm_case_new n;
  crm_case k;
  ct_lines h;
  int64_t cust, id = 0, found = 0;

  (void)state;
  pe_open(&e, ct_conf);
  cust = t_add_customer(e.c, "a");
  memset(&n, 0, sizeof(n));
  n.customer_id = cust;
  n.summary = "parcel AB12 never came";
  n.category = "delivery";
  n.priority = 1;               /* given: wins over basic_case's 2 */
  n.origin = "email";
  n.link_kind = "order";
  n.link_ref = "O-1001";
  n.handler = "basic_case";
  n.idempotency_key = "mail-77";
  n.op = ct_op("maria", "phoned in", PE_NOW - 30);
  assert_int_equal(crm_case_create(e.c, &n, &id), CRM_OK);
  assert_int_equal(id, 1);
  k = ct_get(e.c, id);
  assert_string_equal(k.number, "C-000001");
  assert_int_equal(k.customer_id, cust);
  assert_string_equal(k.handler, "basic_case");
  assert_string_equal(k.state, "New");
  assert_string_equal(k.category, "delivery");
  assert_string_equal(k.summary, "parcel AB12 never came");
  assert_int_equal(k.priority, 1);
  assert_string_equal(k.origin, "email");
  assert_string_equal(k.link_kind, "order");
  assert_string_equal(k.link_ref, "O-1001");
  assert_string_equal(k.owner, "");
  assert_int_equal(k.opened_at, PE_NOW - 30); /* op.at */
  assert_int_equal(k.updated_at, PE_NOW - 30);
  assert_int_equal(k.parent_id + k.merged_into + k.reopen_count +
                   k.resolutions + k.first_response_at + k.resolved_at +
                   k.closed_at, 0);
  assert_string_equal(k.triage_reason, "");
  ct_history(e.c, id, &h);
  assert_int_equal(h.n, 1);
  assert_string_equal(h.line[0], "open|-|New|maria|phoned in|handler "
                      "basic_case, state New, category delivery, "
                      "priority 1");
  assert_int_equal(h.at[0], PE_NOW - 30);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM audit_log WHERE"
                          " actor = 'maria' AND action = 'case.open' AND"
                          " object = 'case C-000001' AND ?1", 1), 1);
  /* the number in every spelling */
  assert_int_equal(crm_case_find(e.c, "C-000001", &found), CRM_OK);
  assert_int_equal(found, id);
  found = 0;
  assert_int_equal(crm_case_find(e.c, "c-1", &found), CRM_OK);
  assert_int_equal(found, id);
  found = 0;
  assert_int_equal(crm_case_find(e.c, "1", &found), CRM_OK);
  assert_int_equal(found, id);
  found = 0;
  assert_int_equal(crm_case_find(e.c, "#1", &found), CRM_OK);
  assert_int_equal(found, id);
  assert_int_equal(crm_case_find(e.c, "C-000002", &found), CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(e.c), "unknown case \"C-000002\"");
  assert_int_equal(crm_case_find(e.c, "C-1x", &found), CRM_ENOTFOUND);
  assert_int_equal(crm_case_find(e.c, "x1", &found), CRM_ENOTFOUND);
  assert_int_equal(crm_case_get(e.c, 2, &k), CRM_ENOTFOUND);
  /* the short form: defaults (origin api, actor api, handler's priority) */
  assert_int_equal(crm_case_open(e.c, cust, NULL, "charged twice", NULL,
                                 &id), CRM_OK);
  k = ct_get(e.c, id);
  assert_string_equal(k.number, "C-000002");
  assert_string_equal(k.origin, "api");
  assert_string_equal(k.category, "billing");
  assert_int_equal(k.priority, 2);
  assert_string_equal(k.link_kind, "");
  ct_history(e.c, id, &h);
  assert_string_equal(h.line[0], "open|-|New|api|-|handler basic_case, "
                      "state New, category billing, priority 2");
  pe_close(&e);
}

/* A retry with the same idempotency key returns the first case. */
static void test_create_idempotent(void **state)
{
  pe_env e;
  crm_case_new n;
  int64_t cust, id = 0, again = 0;

  (void)state;
  pe_open(&e, ct_conf);
  cust = t_add_customer(e.c, "a");
  memset(&n, 0, sizeof(n));
  n.customer_id = cust;
  n.summary = "late parcel";
  n.idempotency_key = "web-form-9";
  assert_int_equal(crm_case_create(e.c, &n, &id), CRM_OK);
  crm_set_now(e.c, PE_NOW + 60);
  n.summary = "late parcel (sent twice)";
  assert_int_equal(crm_case_create(e.c, &n, &again), CRM_OK);
  assert_int_equal(again, id);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM cases WHERE ?1", 1), 1);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM case_history WHERE ?1",
                          1), 1);
  assert_string_equal(ct_get(e.c, id).summary, "late parcel");
  assert_int_equal(ct_get(e.c, id).updated_at, PE_NOW);
  /* another key: another case */
  n.idempotency_key = "web-form-10";
  assert_int_equal(crm_case_create(e.c, &n, &again), CRM_OK);
  assert_int_equal(again, id + 1);
  pe_close(&e);
}

static void expect_refused(crm *c, const crm_case_new *n, int code,
                           const char *msg)
{
  int64_t id = 0;

  assert_int_equal(crm_case_create(c, n, &id), code);
  assert_string_equal(crm_errmsg(c), msg);
  assert_int_equal(id, 0);
}

/* Bad input: a clear error and nothing written. */
static void test_create_refusals(void **state)
{
  pe_env e;
  crm_case_new n, b;
  char big[2002], name[66];
  int64_t cust, other, parent, id = 0;

  (void)state;
  pe_open(&e, ct_conf);
  cust = t_add_customer(e.c, "a");
  other = t_add_customer(e.c, "b");
  memset(&n, 0, sizeof(n));
  n.customer_id = cust;
  n.summary = "late";
  b = n;
  b.customer_id = other + 40;
  expect_refused(e.c, &b, CRM_ENOTFOUND, "unknown customer #42");
  b = n;
  b.priority = 5;
  expect_refused(e.c, &b, CRM_ERANGE, "priority must be 1 (urgent) .. 4 "
                 "(low), or 0 to let triage decide (got 5)");
  b.priority = -1;
  expect_refused(e.c, &b, CRM_ERANGE, "priority must be 1 (urgent) .. 4 "
                 "(low), or 0 to let triage decide (got -1)");
  b = n;
  b.link_kind = "parcel";
  b.link_ref = "P1";
  expect_refused(e.c, &b, CRM_EINVAL, "unknown link_kind \"parcel\" (order, "
                 "flight or message)");
  b.link_kind = "flight";
  b.link_ref = NULL;
  expect_refused(e.c, &b, CRM_EINVAL, "link_ref is required with link_kind "
                 "flight");
  b = n;
  memset(big, 'x', 2001);
  big[2001] = '\0';
  b.summary = big;
  expect_refused(e.c, &b, CRM_ERANGE, "summary is too long (more than 2000 "
                 "bytes)");
  b.summary = "";
  expect_refused(e.c, &b, CRM_EINVAL, "summary is required");
  b = n;
  memset(name, 'm', 65);
  name[65] = '\0';
  b.op.actor = name;
  expect_refused(e.c, &b, CRM_ERANGE, "actor is too long (more than 64 "
                 "bytes)");
  b = n;
  b.handler = "zzz";
  expect_refused(e.c, &b, CRM_ENOTFOUND, "no complaint component \"zzz\" is "
                 "loaded");
  b = n;
  b.parent_id = 7;
  expect_refused(e.c, &b, CRM_ENOTFOUND, "unknown parent case #7");
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM cases WHERE ?1", 1), 0);
  assert_int_equal(ct_int(e.c, "SELECT (SELECT count(*) FROM case_history) +"
                          " (SELECT count(*) FROM audit_log WHERE action"
                          " LIKE 'case.%') WHERE ?1", 1), 0);
  /* a parent must be the same customer's */
  parent = ct_case(e.c, other, "broken", NULL);
  b = n;
  b.parent_id = parent;
  expect_refused(e.c, &b, CRM_EINVAL, "parent case C-000001 belongs to "
                 "another customer");
  b.customer_id = other;
  assert_int_equal(crm_case_create(e.c, &b, &id), CRM_OK);
  assert_int_equal(ct_get(e.c, id).parent_id, parent);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM cases WHERE ?1", 1), 2);
  pe_close(&e);
}

/* A case about a message names one of the customer's own messages. */
static void test_create_message_link(void **state)
{
  pe_env e;
  crm_case_new n;
  int64_t cust, other, id = 0;

  (void)state;
  pe_open(&e, ct_conf);
  cust = t_add_customer(e.c, "a");
  other = t_add_customer(e.c, "b");
  assert_int_equal(ct_int(e.c, "INSERT INTO messages(id, customer_id,"
                          " channel, body, status, created_at)"
                          " VALUES(?1, 2, 'email', 'hi', 'sent', 0)", 5),
                   -2);
  assert_int_equal(ct_int(e.c, "INSERT INTO messages(id, customer_id,"
                          " channel, body, status, created_at)"
                          " VALUES(?1, 1, 'email', 'hi', 'sent', 0)", 6),
                   -2);
  memset(&n, 0, sizeof(n));
  n.customer_id = cust;
  n.summary = "your mail was rude";
  n.link_kind = "message";
  n.link_ref = "999";
  expect_refused(e.c, &n, CRM_ENOTFOUND, "no message #999 of customer #1");
  n.link_ref = "5"; /* customer #2's */
  expect_refused(e.c, &n, CRM_ENOTFOUND, "no message #5 of customer #1");
  n.link_ref = "5x";
  expect_refused(e.c, &n, CRM_EINVAL, "link_ref \"5x\" is not a message id");
  n.link_ref = "-6";
  expect_refused(e.c, &n, CRM_EINVAL, "link_ref \"-6\" is not a message id");
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM cases WHERE ?1", 1), 0);
  n.link_ref = "6";
  assert_int_equal(crm_case_create(e.c, &n, &id), CRM_OK);
  assert_string_equal(ct_get(e.c, id).link_ref, "6");
  n.customer_id = other;
  n.link_ref = "5";
  assert_int_equal(crm_case_create(e.c, &n, &id), CRM_OK);
  assert_string_equal(ct_get(e.c, id).link_kind, "message");
  pe_close(&e);
}

/* crm_case_get's strings stay valid until the next get. */
static void test_get_buffer(void **state)
{
  pe_env e;
  crm_case a, b;
  int64_t cust, x, y;

  (void)state;
  pe_open(&e, ct_conf);
  cust = t_add_customer(e.c, "a");
  x = ct_case(e.c, cust, "charged twice", NULL);
  y = ct_case(e.c, cust, "rude staff", NULL);
  assert_int_equal(crm_case_get(e.c, x, &a), CRM_OK);
  assert_string_equal(a.summary, "charged twice");
  assert_int_equal(crm_case_get(e.c, y, &b), CRM_OK);
  assert_string_equal(b.summary, "rude staff");
  assert_string_equal(b.number, "C-000002");
  pe_close(&e);
}

struct ids {
  int64_t id[CT_N];
  size_t n;
};

static int ids_cb(void *ud, const crm_case *k)
{
  struct ids *g = ud;

  if(g->n < CT_N)
    g->id[g->n] = k->id;
  g->n++;
  return 0;
}

static size_t query(crm *c, const crm_case_filter_q *f, struct ids *g)
{
  memset(g, 0, sizeof(*g));
  if(crm_cases_query(c, f, ids_cb, g))
    fail_msg("crm_cases_query: %s", crm_errmsg(c));
  return g->n;
}

/* Filters: customer, state or "open", owner ("" unassigned), category,
 * breached. */
static void test_query(void **state)
{
  pe_env e;
  crm_case_filter_q f;
  crm_case_op op = ct_op("maria", "spam", 0);
  struct ids g;
  int64_t a, b, c1, c2, c3, c4;

  (void)state;
  pe_open(&e, ct_conf);
  a = t_add_customer(e.c, "a");
  b = t_add_customer(e.c, "b");
  c1 = ct_case(e.c, a, "charged twice", NULL);       /* billing, New */
  c2 = ct_case(e.c, a, "parcel late", NULL);         /* delivery */
  c3 = ct_case(e.c, b, "invoice wrong", NULL);       /* billing */
  c4 = ct_case(e.c, b, "buy cheap watches", NULL);   /* other, rejected */
  assert_int_equal(crm_case_assign(e.c, c2, "ana", NULL, NULL), CRM_OK);
  assert_int_equal(crm_case_reject(e.c, c4, &op), CRM_OK);
  /* c3's resolution clock breached (row written by hand) */
  assert_int_equal(sqlite3_exec(e.c->db, "INSERT INTO case_sla(case_id,"
                   " clock, policy, team, target, used, since, running,"
                   " breached_at) VALUES(3, 'resolution', '*/2', '', 3600,"
                   " 3600, 0, 1, 5)", NULL, NULL, NULL), SQLITE_OK);
  memset(&f, 0, sizeof(f));
  assert_int_equal(query(e.c, &f, &g), 4);
  assert_int_equal(query(e.c, NULL, &g), 4);
  f.customer_id = b;
  assert_int_equal(query(e.c, &f, &g), 2);
  assert_int_equal(g.id[0], c3);
  assert_int_equal(g.id[1], c4);
  memset(&f, 0, sizeof(f));
  f.state = "open";
  assert_int_equal(query(e.c, &f, &g), 3);
  assert_int_equal(g.id[2], c3);
  f.state = "new";
  assert_int_equal(query(e.c, &f, &g), 2);
  assert_int_equal(g.id[0], c1);
  assert_int_equal(g.id[1], c3);
  f.state = "Rejected";
  assert_int_equal(query(e.c, &f, &g), 1);
  assert_int_equal(g.id[0], c4);
  memset(&f, 0, sizeof(f));
  f.owner = "";
  assert_int_equal(query(e.c, &f, &g), 3);
  f.owner = "ana";
  assert_int_equal(query(e.c, &f, &g), 1);
  assert_int_equal(g.id[0], c2);
  memset(&f, 0, sizeof(f));
  f.category = "billing";
  f.state = "open";
  assert_int_equal(query(e.c, &f, &g), 2);
  memset(&f, 0, sizeof(f));
  f.breached = 1;
  assert_int_equal(query(e.c, &f, &g), 1);
  assert_int_equal(g.id[0], c3);
  f.customer_id = a;
  assert_int_equal(query(e.c, &f, &g), 0);
  pe_close(&e);
}

/* Full-scan steps of the statements reading the cases table, since the
 * last call (the counters are reset). */
static int64_t cases_scan_steps(crm *c)
{
  sqlite3_stmt *st = NULL;
  int64_t n = 0;

  for(;;) {
    st = sqlite3_next_stmt(c->db, st);
    if(!st)
      break;
    if(strstr(sqlite3_sql(st), " FROM cases WHERE"))
      n += sqlite3_stmt_status(st, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1);
  }
  return n;
}

/* A customer's cases and an owner's queue are read through their indexes
 * (cases_customer, cases_owner), not by scanning every case: 20 cases of
 * another customer, none of them read. */
static void test_query_uses_indexes(void **state)
{
  pe_env e;
  crm_case_filter_q f;
  struct ids g;
  int64_t a, b, mine;
  int i;

  (void)state;
  pe_open(&e, ct_conf);
  a = t_add_customer(e.c, "a");
  b = t_add_customer(e.c, "b");
  for(i = 0; i < 20; i++)
    ct_case(e.c, b, "parcel late", NULL);
  mine = ct_case(e.c, a, "charged twice", NULL);
  assert_int_equal(crm_case_assign(e.c, mine, "ana", NULL, NULL), CRM_OK);
  memset(&f, 0, sizeof(f));
  assert_int_equal(query(e.c, &f, &g), 21); /* warm the statement cache */
  f.customer_id = a;
  assert_int_equal(query(e.c, &f, &g), 1);
  memset(&f, 0, sizeof(f));
  f.owner = "ana";
  assert_int_equal(query(e.c, &f, &g), 1);
  cases_scan_steps(e.c);
  memset(&f, 0, sizeof(f));
  f.customer_id = a;
  assert_int_equal(query(e.c, &f, &g), 1);
  assert_int_equal(g.id[0], mine);
  assert_int_equal(cases_scan_steps(e.c), 0);
  memset(&f, 0, sizeof(f));
  f.owner = "ana";
  f.state = "open";
  assert_int_equal(query(e.c, &f, &g), 1);
  assert_int_equal(g.id[0], mine);
  assert_int_equal(cases_scan_steps(e.c), 0);
  /* no filter: the whole table is meant (20 steps past the first row) */
  memset(&f, 0, sizeof(f));
  assert_int_equal(query(e.c, &f, &g), 21);
  assert_int_equal(cases_scan_steps(e.c), 20);
  pe_close(&e);
}

/* A complaint event opens a case linked to it, once. */
static void test_from_event(void **state)
{
  pe_env e;
  int64_t id;
  crm_ingest_result r;
  crm_event ev;
  crm_case k;
  struct cases g;

  (void)state;
  pe_open(&e, conf_case);
  id = t_add_customer(e.c, "a");
  r = pe_event(e.c, id, "complaint", PE_NOW - 100, 0, NULL,
               "{\"summary\":\"parcel arrived late\"}", "c1");
  cases_of(e.c, id, &g);
  assert_int_equal(g.n, 1);
  assert_string_equal(g.category[0], "delivery");
  assert_string_equal(g.state[0], "New");
  assert_int_equal(g.k[0].opened_at, PE_NOW - 100);
  assert_int_equal(q_int(e.c, "SELECT event_id FROM cases WHERE id = ?1",
                         g.k[0].id), r.event_id);
  /* the same key again: duplicate, no second case */
  r = pe_event(e.c, id, "complaint", PE_NOW - 100, 0, NULL,
               "{\"summary\":\"parcel arrived late\"}", "c1");
  assert_int_equal(r.duplicate, 1);
  /* a category in the payload is kept; no summary is tolerated */
  pe_event(e.c, id, "complaint", PE_NOW - 50, 0, NULL,
           "{\"category\":\"packaging\"}", "c2");
  cases_of(e.c, id, &g);
  assert_int_equal(g.n, 2);
  assert_string_equal(g.category[1], "packaging");
  assert_int_equal(g.k[1].priority, 3);
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM case_history WHERE"
                         " case_id = ?1 AND note = 'opened from event'",
                         g.k[1].id), 1);
  /* 1.5 keys: priority, origin, order or flight */
  pe_event(e.c, id, "complaint", PE_NOW - 40, 0, NULL,
           "{\"summary\":\"parcel late\",\"priority\":1,"
           "\"origin\":\"web\",\"order\":\"O-7\"}", "c3");
  pe_event(e.c, id, "complaint", PE_NOW - 30, 0, NULL,
           "{\"summary\":\"bag lost\",\"flight\":\"AF123 2026-11-20\"}",
           "c4");
  cases_of(e.c, id, &g);
  assert_int_equal(g.n, 4);
  assert_int_equal(g.k[2].priority, 1);
  assert_string_equal(g.category[2], "delivery");
  k = ct_get(e.c, g.k[2].id);
  assert_string_equal(k.origin, "web");
  assert_string_equal(k.link_kind, "order");
  assert_string_equal(k.link_ref, "O-7");
  k = ct_get(e.c, g.k[3].id);
  assert_string_equal(k.origin, "api");
  assert_string_equal(k.link_kind, "flight");
  assert_string_equal(k.link_ref, "AF123 2026-11-20");
  assert_int_equal(k.priority, 4); /* other */
  /* a bad priority refuses the event */
  memset(&ev, 0, sizeof(ev));
  ev.type = "complaint";
  ev.customer_id = id;
  ev.occurred_at = PE_NOW - 20;
  ev.payload = "{\"summary\":\"x\",\"priority\":9}";
  ev.idempotency_key = "c5";
  assert_int_equal(crm_event_ingest(e.c, &ev, &r), CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "complaint priority must be an "
                      "integer 1 (urgent) .. 4 (low)");
  cases_of(e.c, id, &g);
  assert_int_equal(g.n, 4);
  pe_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_no_component),
    cmocka_unit_test(test_open_classifies),
    cmocka_unit_test(test_open_refusals),
    cmocka_unit_test(test_moves),
    cmocka_unit_test(test_reopen_and_case),
    cmocka_unit_test(test_from_event),
    cmocka_unit_test(test_create_full),
    cmocka_unit_test(test_create_idempotent),
    cmocka_unit_test(test_create_refusals),
    cmocka_unit_test(test_create_message_link),
    cmocka_unit_test(test_get_buffer),
    cmocka_unit_test(test_query),
    cmocka_unit_test(test_query_uses_indexes),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
