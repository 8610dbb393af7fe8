/* test_ledger.c - the points ledger is the truth for balances: every
 * entry applies its deltas to the account caches and the customer's
 * total, and the caches are checked against the sums. */
#include "crm_test.h"
#include "points_int.h"

static crm__line line_of(int64_t cust, const char *scheme, int64_t ev,
                         const char *kind, int64_t points, int64_t pending)
{
  crm__line l;

  memset(&l, 0, sizeof(l));
  l.customer_id = cust;
  l.scheme = scheme;
  l.event_id = ev;
  l.kind = kind;
  l.points = points;
  l.pending = pending;
  l.note = "why";
  l.at = T_EPOCH2000;
  return l;
}

/* Writes one line in its own transaction; returns the entry id. */
static int64_t add(crm *c, const crm__line *l, int expect)
{
  int64_t id = 0;

  assert_int_equal(crm__tx_begin(c), CRM_OK);
  assert_int_equal(crm__ledger_add(c, l, &id), expect);
  if(expect == CRM_OK)
    assert_int_equal(crm__tx_commit(c), CRM_OK);
  else
    crm__tx_rollback(c);
  return id;
}

static void open_account(crm *c, int64_t cust, const char *scheme)
{
  assert_int_equal(crm__tx_begin(c), CRM_OK);
  assert_int_equal(crm__account_ensure(c, cust, scheme, NULL, T_EPOCH2000),
                   CRM_OK);
  assert_int_equal(crm__tx_commit(c), CRM_OK);
}

struct walk {
  int n;
  int64_t points, pending;
  char kinds[128];
  int64_t ref[8];
  char scheme[8][16];
  char reason[8][16];
  int stop_at;
};

static int walk_cb(void *ud, const crm_ledger_entry *e)
{
  struct walk *w = ud;

  if(w->n < 8) {
    w->ref[w->n] = e->ref_event_id;
    snprintf(w->scheme[w->n], sizeof(w->scheme[0]), "%s", e->component);
    snprintf(w->reason[w->n], sizeof(w->reason[0]), "%s",
             e->reason ? e->reason : "-");
  }
  w->n++;
  w->points += e->points;
  w->pending += e->pending;
  snprintf(w->kinds + strlen(w->kinds), sizeof(w->kinds) - strlen(w->kinds),
           "%s%s", w->n > 1 ? "," : "", e->kind);
  assert_int_equal(e->recorded_at, T_EPOCH2000 + T_DAY);
  return w->stop_at && w->n == w->stop_at ? 42 : 0;
}

/* earn 120 (line 0) and 30 pending (line 1) for a, 20 taken back by b:
 * balance 120 - 20 = 100, pending 30, lifetime earned 120 + 30 = 150;
 * the customer's total counts available points only (100). */
static void test_ledger_caches_follow_entries(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000 + T_DAY);
  int64_t id = t_add_customer(c, "C-1");
  crm_ingest_result a = t_event(c, id, "purchase", T_EPOCH2000, 100, NULL,
                                "a");
  crm_ingest_result b = t_event(c, id, "refund", T_EPOCH2000, 50, NULL, "b");
  crm_points_account acc;
  crm_customer cu;
  crm__line l;
  struct walk w;
  int64_t bal = -1;

  (void)state;
  open_account(c, id, "s1");
  l = line_of(id, "s1", a.event_id, "earn", 120, 0);
  assert_true(add(c, &l, CRM_OK) > 0);
  l = line_of(id, "s1", a.event_id, "pending_earn", 0, 30);
  l.line = 1;
  add(c, &l, CRM_OK);
  l = line_of(id, "s1", b.event_id, "reverse", -20, 0);
  l.ref_event_id = a.event_id;
  add(c, &l, CRM_OK);
  /* nothing applied twice: same event, scheme, kind and line */
  l = line_of(id, "s1", a.event_id, "earn", 120, 0);
  add(c, &l, CRM_EEXIST);
  assert_string_equal(crm_errmsg(c), "event #1 already has its earn line 0 in "
                      "scheme \"s1\"");
  assert_int_equal(crm__account_read(c, id, "s1", &acc), CRM_OK);
  assert_int_equal(acc.balance, 100);
  assert_int_equal(acc.pending, 30);
  assert_int_equal(acc.lifetime_earned, 150);
  assert_string_equal(acc.unit, "points"); /* scheme not loaded */
  assert_int_equal(crm_customer_get(c, id, &cu), CRM_OK);
  assert_int_equal(cu.points_balance, 100);
  assert_int_equal(crm_points_balance(c, id, &bal), CRM_OK);
  assert_int_equal(bal, 100);
  memset(&w, 0, sizeof(w));
  assert_int_equal(crm_ledger_foreach(c, id, walk_cb, &w), CRM_OK);
  assert_int_equal(w.n, 3);
  assert_string_equal(w.kinds, "earn,pending_earn,reverse");
  assert_int_equal(w.points, 100);
  assert_int_equal(w.pending, 30);
  assert_int_equal(w.ref[2], a.event_id);
  assert_string_equal(w.scheme[0], "s1");
  crm_close(c);
}

/* Two schemes: the customer's total is their sum; a walk of one scheme
 * sees only its entries; a callback's non-zero return stops the walk. */
static void test_ledger_schemes_and_walks(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000 + T_DAY);
  int64_t id = t_add_customer(c, "C-1");
  crm__line l;
  struct walk w;
  int64_t bal = -1;

  (void)state;
  open_account(c, id, "s1");
  open_account(c, id, "s2");
  l = line_of(id, "s1", 0, "adjust", 70, 0);
  l.reason = "goodwill";
  add(c, &l, CRM_OK);
  l = line_of(id, "s2", 0, "adjust", -5, 0);
  l.reason = "typo";
  add(c, &l, CRM_OK);
  l = line_of(id, "s2", 0, "adjust", 40, 0);
  add(c, &l, CRM_OK);
  assert_int_equal(crm_points_balance(c, id, &bal), CRM_OK);
  assert_int_equal(bal, 105); /* 70 + (-5 + 40) */
  memset(&w, 0, sizeof(w));
  assert_int_equal(crm_ledger_foreach_scheme(c, id, "s2", walk_cb, &w),
                   CRM_OK);
  assert_int_equal(w.n, 2);
  assert_int_equal(w.points, 35);
  assert_string_equal(w.reason[0], "typo");
  assert_string_equal(w.reason[1], "-");
  memset(&w, 0, sizeof(w));
  w.stop_at = 2;
  assert_int_equal(crm_ledger_foreach_scheme(c, id, NULL, walk_cb, &w), 42);
  assert_int_equal(w.n, 2);
  assert_string_equal(w.scheme[0], "s1");
  assert_string_equal(w.scheme[1], "s2");
  crm_close(c);
}

/* Walks reuse their cached statement; a callback that re-enters the same
 * walk gets a statement of its own, and the outer walk goes on where it
 * was. A walk stopped early leaves nothing half-stepped behind. */
struct nest {
  crm *c;
  int64_t cust;
  int outer;
  int inner;
  int64_t ids[8];
};

static int nest_inner_cb(void *ud, const crm_ledger_entry *e)
{
  struct nest *n = ud;

  (void)e;
  n->inner++;
  return 0;
}

static int nest_outer_cb(void *ud, const crm_ledger_entry *e)
{
  struct nest *n = ud;

  n->ids[n->outer++] = e->id;
  return crm_ledger_foreach(n->c, n->cust, nest_inner_cb, n);
}

static int stop_first_cb(void *ud, const crm_ledger_entry *e)
{
  int64_t *id = ud;

  *id = e->id;
  return 7;
}

static void test_ledger_walk_reentered(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000 + T_DAY);
  int64_t id = t_add_customer(c, "C-1");
  struct nest n;
  crm__line l;
  int64_t first = 0;
  int i;

  (void)state;
  open_account(c, id, "s1");
  for(i = 0; i < 3; i++) {
    l = line_of(id, "s1", 0, "adjust", 10 + i, 0);
    l.reason = "r";
    add(c, &l, CRM_OK);
  }
  /* Stopped after the first row: the next walk starts from the top. */
  assert_int_equal(crm_ledger_foreach(c, id, stop_first_cb, &first), 7);
  memset(&n, 0, sizeof(n));
  n.c = c;
  n.cust = id;
  assert_int_equal(crm_ledger_foreach(c, id, nest_outer_cb, &n), CRM_OK);
  assert_int_equal(n.outer, 3);
  assert_int_equal(n.inner, 9); /* each outer row saw all three */
  assert_int_equal(n.ids[0], first);
  assert_true(n.ids[0] < n.ids[1] && n.ids[1] < n.ids[2]);
  crm_close(c);
}

/* A cached balance that drifts from the ledger is reported, with the
 * ledger's answer. */
static void test_ledger_drift_reported(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000 + T_DAY);
  int64_t id = t_add_customer(c, "C-1");
  crm__line l;
  int64_t bal = -1;

  (void)state;
  open_account(c, id, "s1");
  l = line_of(id, "s1", 0, "adjust", 100, 0);
  add(c, &l, CRM_OK);
  assert_int_equal(crm__exec(c, "UPDATE customers SET points_balance = 7"),
                   CRM_OK);
  assert_int_equal(crm_points_balance(c, id, &bal), CRM_ECORRUPT);
  assert_int_equal(bal, 100);
  assert_string_equal(crm_errmsg(c), "points balance of customer #1 is 7 but "
                      "its ledger sums to 100");
  assert_int_equal(crm_points_balance(c, 42, &bal), CRM_ENOTFOUND);
  crm_close(c);
}

/* Refused lines change nothing: an unknown kind, a scheme without an
 * account, pending below zero; debts never go below zero either. */
static void test_ledger_refusals(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000);
  int64_t id = t_add_customer(c, "C-1");
  crm_points_account acc;
  crm__line l;
  int64_t bal = -1;

  (void)state;
  open_account(c, id, "s1");
  l = line_of(id, "s1", 0, "bogus", 5, 0);
  add(c, &l, CRM_EINVAL);
  assert_string_equal(crm_errmsg(c), "unknown ledger entry kind \"bogus\"");
  l = line_of(id, "nope", 0, "adjust", 5, 0);
  add(c, &l, CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(c), "customer #1 has no account in scheme "
                      "\"nope\"");
  l = line_of(id, "s1", 0, "release", 5, -5);
  add(c, &l, CRM_ECORRUPT);
  assert_string_equal(crm_errmsg(c), "pending points of customer #1 in "
                      "scheme \"s1\" would go below zero");
  assert_int_equal(crm_points_balance(c, id, &bal), CRM_OK);
  assert_int_equal(bal, 0);
  assert_int_equal(crm__tx_begin(c), CRM_OK);
  assert_int_equal(crm__account_add_debt(c, id, "s1", 30, 12), CRM_OK);
  assert_int_equal(crm__account_add_debt(c, id, "s1", -31, 0),
                   CRM_ECORRUPT);
  assert_int_equal(crm__tx_commit(c), CRM_OK);
  assert_int_equal(crm__account_read(c, id, "s1", &acc), CRM_OK);
  assert_int_equal(acc.shortfall, 30);
  assert_int_equal(acc.overdraft, 12);
  assert_int_equal(crm__account_read(c, id, "s9", &acc), CRM_ENOTFOUND);
  crm_close(c);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_ledger_caches_follow_entries),
    cmocka_unit_test(test_ledger_schemes_and_walks),
    cmocka_unit_test(test_ledger_walk_reentered),
    cmocka_unit_test(test_ledger_drift_reported),
    cmocka_unit_test(test_ledger_refusals),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
