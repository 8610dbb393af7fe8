/*
 * test_case.c - complaint cases through the public API with the
 * basic_case plugin: open, classify, move, history, closed_at, audit,
 * and cases opened by "complaint" events.
 */
#include "test_plugin_env.h"

#include "crm_int.h"

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
  char want[128];

  (void)state;
  pe_open(&e, conf_case);
  id = t_add_customer(e.c, "a");
  assert_int_equal(crm_case_open(e.c, id, NULL, "box arrived broken", NULL,
                                 &cid), CRM_OK);
  /* refused: the handler's message, nothing written */
  assert_int_equal(crm_case_move(e.c, cid, "Closed", "spam"), CRM_ESTATE);
  snprintf(want, sizeof(want), "cannot move case %lld from New to Closed; "
           "allowed: Assigned", (long long)cid);
  assert_non_null(strstr(crm_errmsg(e.c), want));
  cases_of(e.c, id, &g);
  assert_string_equal(g.state[0], "New");
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM case_history WHERE"
                         " case_id = ?1", cid), 1);

  crm_set_now(e.c, PE_NOW + 60);
  assert_int_equal(crm_case_move(e.c, cid, "Assigned", "to Bob"), CRM_OK);
  assert_int_equal(crm_case_move(e.c, cid, "Resolved", NULL), CRM_OK);
  assert_int_equal(q_int(e.c, "SELECT closed_at FROM cases WHERE id = ?1",
                         cid), -1);
  crm_set_now(e.c, PE_NOW + 120);
  assert_int_equal(crm_case_move(e.c, cid, "Closed", "customer happy"),
                   CRM_OK);
  /* entering the final state (last of the states list) sets closed_at */
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
                         " to_state = 'Resolved' AND note IS NULL", cid), 1);
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM case_history WHERE"
                         " case_id = ?1 AND note = 'to Bob'", cid), 1);
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM audit_log WHERE"
                         " action = 'case.move' AND ?1", 1), 3);
  /* Closed is final */
  assert_int_equal(crm_case_move(e.c, cid, "Assigned", NULL), CRM_ESTATE);
  assert_non_null(strstr(crm_errmsg(e.c), "none (Closed is final)"));
  pe_close(&e);
}

/* Reopen (Resolved -> Assigned) is allowed; state names are the
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
  assert_int_equal(crm_case_move(e.c, cid, "Assigned", "not fixed"), CRM_OK);
  cases_of(e.c, id, &g);
  assert_string_equal(g.state[0], "Assigned");
  assert_int_equal(crm_case_move(e.c, cid + 9, "Assigned", NULL),
                   CRM_ENOTFOUND);
  assert_non_null(strstr(crm_errmsg(e.c), "unknown case #"));
  assert_int_equal(crm_case_move(e.c, cid, "", NULL), CRM_EINVAL);
  pe_close(&e);
}

/* A complaint event opens a case linked to it, once. */
static void test_from_event(void **state)
{
  pe_env e;
  int64_t id;
  crm_ingest_result r;
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
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
