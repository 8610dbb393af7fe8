/* test_ledger.c - the points ledger is the truth for balances. */
#include "crm_test.h"
#include "crm_int.h"

static void write_entry(crm *c, int64_t cust, int64_t ev, const char *kind,
                        int64_t pts, int expect)
{
  assert_int_equal(crm__tx_begin(c), CRM_OK);
  assert_int_equal(crm__ledger_write(c, cust, ev, kind, pts, "test", "why",
                                     T_EPOCH2000), expect);
  if(expect == CRM_OK)
    assert_int_equal(crm__tx_commit(c), CRM_OK);
  else
    crm__tx_rollback(c);
}

struct sum {
  int n;
  int64_t total;
};

static int sum_cb(void *ud, const crm_ledger_entry *e)
{
  struct sum *s = ud;

  s->n++;
  s->total += e->points;
  assert_string_equal(e->component, "test");
  return 0;
}

static void test_ledger_balance_derived_and_checked(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000 + T_DAY);
  int64_t id = t_add_customer(c, "C-1");
  crm_ingest_result a = t_event(c, id, "purchase", T_EPOCH2000, 100, NULL,
                                "a");
  crm_ingest_result b = t_event(c, id, "refund", T_EPOCH2000, 50, NULL, "b");
  struct sum s = {0, 0};
  int64_t bal = -1;

  (void)state;
  write_entry(c, id, a.event_id, "earn", 120, CRM_OK);
  write_entry(c, id, b.event_id, "reverse", -20, CRM_OK);
  /* Nothing applied twice: same event, component and kind. */
  write_entry(c, id, a.event_id, "earn", 120, CRM_EEXIST);
  assert_int_equal(crm_points_balance(c, id, &bal), CRM_OK);
  assert_int_equal(bal, 100);
  assert_int_equal(crm_ledger_foreach(c, id, sum_cb, &s), CRM_OK);
  assert_int_equal(s.n, 2);
  assert_int_equal(s.total, bal);
  /* A cached balance that drifts from the ledger is reported. */
  assert_int_equal(crm__exec(c, "UPDATE customers SET points_balance = 7"),
                   CRM_OK);
  assert_int_equal(crm_points_balance(c, id, &bal), CRM_ECORRUPT);
  assert_int_equal(bal, 100); /* the ledger's answer */
  assert_string_equal(crm_errmsg(c), "points balance of customer #1 is 7 but "
                      "its ledger sums to 100");
  assert_int_equal(crm_points_balance(c, 42, &bal), CRM_ENOTFOUND);
  crm_close(c);
}

static void test_ledger_rejects_unknown_kind(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000);
  int64_t id = t_add_customer(c, "C-1");
  int64_t bal = 0;

  (void)state;
  write_entry(c, id, 0, "bogus", 5, CRM_EINVAL);
  assert_string_equal(crm_errmsg(c), "unknown ledger entry kind \"bogus\"");
  assert_int_equal(crm_points_balance(c, id, &bal), CRM_OK);
  assert_int_equal(bal, 0);
  crm_close(c);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_ledger_balance_derived_and_checked),
    cmocka_unit_test(test_ledger_rejects_unknown_kind),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
