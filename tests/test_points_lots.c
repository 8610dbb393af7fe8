/*
 * test_points_lots.c - lots: pending points released when their window
 * ends, expiry soonest first, spends drawing in expiry order, due work
 * done incrementally (per customer before its events, globally by
 * crm_points_process_due), releases paying shortfalls.
 */
#include "points_test.h"

#define NOW (PT_T0 + 120 * T_DAY)
#define D(n) (PT_T0 + (n) * T_DAY)
#define S "fx_points"
#define SP "fx_points_plain"

static void adjust(crm *c, int64_t cust, int64_t points, int64_t at,
                   const char *key)
{
  crm_points_op op;

  memset(&op, 0, sizeof(op));
  op.idempotency_key = key;
  op.at = at;
  op.reason = "test";
  if(crm_points_adjust(c, cust, points, &op))
    fail_msg("crm_points_adjust: %s", crm_errmsg(c));
}

static crm_due_stats due(crm *c, int64_t as_of)
{
  crm_due_stats st;

  memset(&st, 0xff, sizeof(st));
  if(crm_points_process_due(c, as_of, &st))
    fail_msg("crm_points_process_due: %s", crm_errmsg(c));
  return st;
}

/* pending_days 14: o1 (day 0) earns 120 pending until day 14. Nothing
 * is released by a later event of day 13 or by due work a second before
 * day 14; at day 14 one lot of 120 is released (a release line of +120
 * available, -120 pending, dated day 14), and only once. A result's
 * pending_until -1 makes o2's 10 available at once; o3's 5 wait until
 * its own pending_until (day 40), released by the customer's next event
 * of day 40 before that event earns. */
static void test_pending_release(void **state)
{
  pt_env e;
  int64_t a;
  crm_ingest_result r;
  crm_due_stats st;
  pt_lots l;
  pt_ledger g;
  char pl[96];

  (void)state;
  pt_open(&e, NOW, S, "pending_days = 14;");
  a = t_add_customer(e.c, "a");
  r = pt_ev(e.c, a, "purchase", D(0), 1200, "{\"pts\":120}", "o1");
  assert_int_equal(r.points, 120);
  pt_expect(e.c, a, S, 0, 120, 0, 0);
  l = pt_lots_of(e.c, a, S, 0);
  assert_int_equal(l.n, 1);
  assert_string_equal(l.state[0], "pending");
  assert_int_equal(l.release_at[0], D(14));
  assert_int_equal(l.expires_at[0], 0);
  pt_ev(e.c, a, "contact", D(13), 0, NULL, "c1");
  st = due(e.c, D(14) - 1);
  assert_int_equal(st.lots_released, 0);
  pt_expect(e.c, a, S, 0, 120, 0, 0);
  st = due(e.c, D(14));
  assert_int_equal(st.lots_released, 1);
  assert_int_equal(st.points_released, 120);
  assert_int_equal(st.lots_expired, 0);
  pt_expect(e.c, a, S, 120, 0, 0, 0);
  st = due(e.c, D(20));
  assert_int_equal(st.lots_released, 0);
  g = pt_ledger_of(e.c, a);
  assert_int_equal(g.n, 2);
  pt_line(&g, 0, "pending_earn", 0, 120);
  pt_line(&g, 1, "release", 120, -120);
  assert_int_equal(g.at[1], D(14));
  assert_int_equal(g.lot[1], l.id[0]);
  pt_ev(e.c, a, "purchase", D(21), 100, "{\"pts\":10,\"pending_until\":-1}",
        "o2");
  pt_expect(e.c, a, S, 130, 0, 0, 0);
  snprintf(pl, sizeof(pl), "{\"pts\":5,\"pending_until\":%lld}",
           (long long)D(40));
  pt_ev(e.c, a, "purchase", D(22), 100, pl, "o3");
  pt_expect(e.c, a, S, 130, 5, 0, 0);
  r = pt_ev(e.c, a, "purchase", D(40), 100, "{\"pts\":1}", "o4");
  assert_int_equal(r.points, 1); /* o3's release is not this event's */
  pt_expect(e.c, a, S, 135, 1, 0, 0);
  pt_close(&e);
}

/* Expiry 30 days after earning. o1 (day 0) 100 expires day 30, o3 (day
 * 5) 70 never (expires_at -1), o2 (day 10) 50 day 40. Lots list in spend
 * order: o1, o2, o3. Spending 120 on day 11 draws o1's 100 then 20 of
 * o2. Day 35: nothing left to expire (o1 is spent); day 40: o2's 30
 * expire (an expire line dated day 40): 70 remain, o3's. */
static void test_expiry_soonest_first(void **state)
{
  pt_env e;
  int64_t a;
  crm_ingest_result o1, o2, o3;
  crm_due_stats st;
  pt_lots l;
  pt_ledger g;

  (void)state;
  pt_open(&e, NOW, S, "expiry = { mode = \"relative\"; days = 30; };");
  a = t_add_customer(e.c, "a");
  o1 = pt_ev(e.c, a, "purchase", D(0), 1000, "{\"pts\":100}", "o1");
  o3 = pt_ev(e.c, a, "purchase", D(5), 700,
             "{\"pts\":70,\"expires_at\":-1}", "o3");
  o2 = pt_ev(e.c, a, "purchase", D(10), 500, "{\"pts\":50}", "o2");
  l = pt_lots_of(e.c, a, S, 0);
  assert_int_equal(l.n, 3);
  assert_int_equal(l.event[0], o1.event_id);
  assert_int_equal(l.expires_at[0], D(30));
  assert_int_equal(l.event[1], o2.event_id);
  assert_int_equal(l.expires_at[1], D(40));
  assert_int_equal(l.event[2], o3.event_id);
  assert_int_equal(l.expires_at[2], 0);
  adjust(e.c, a, -120, D(11), "spend");
  l = pt_lots_of(e.c, a, S, 1);
  assert_int_equal(l.n, 3);
  assert_int_equal(l.event[0], o2.event_id);
  assert_int_equal(l.remaining[0], 30);
  assert_int_equal(l.event[1], o3.event_id);
  assert_int_equal(l.remaining[1], 70);
  assert_string_equal(l.state[2], "closed");
  assert_int_equal(l.remaining[2], 0);
  st = due(e.c, D(35));
  assert_int_equal(st.lots_expired, 0);
  st = due(e.c, D(40));
  assert_int_equal(st.lots_expired, 1);
  assert_int_equal(st.points_expired, 30);
  pt_expect(e.c, a, S, 70, 0, 0, 0);
  g = pt_ledger_of(e.c, a);
  assert_int_equal(g.n, 5);
  pt_line(&g, 4, "expire", -30, 0);
  assert_int_equal(g.at[4], D(40));
  pt_close(&e);
}

/* Expiry 10 days. a and b each earn on day 0 (10 and 20, expiring day
 * 10). a's event on day 12 expires a's lot first (its due work) and
 * leaves b's alone; the global run on day 12 then finds b's lot only. */
static void test_due_incremental(void **state)
{
  pt_env e;
  int64_t a, b;
  crm_due_stats st;
  pt_ledger g;

  (void)state;
  pt_open(&e, NOW, S, "expiry = { mode = \"relative\"; days = 10; };");
  a = t_add_customer(e.c, "a");
  b = t_add_customer(e.c, "b");
  pt_ev(e.c, a, "purchase", D(0), 100, "{\"pts\":10}", "oa");
  pt_ev(e.c, b, "purchase", D(0), 200, "{\"pts\":20}", "ob");
  pt_ev(e.c, a, "contact", D(12), 0, NULL, "ca");
  pt_expect(e.c, a, S, 0, 0, 0, 0);
  pt_expect(e.c, b, S, 20, 0, 0, 0);
  g = pt_ledger_of(e.c, a);
  assert_int_equal(g.n, 2);
  pt_line(&g, 1, "expire", -10, 0);
  assert_int_equal(g.at[1], D(10));
  st = due(e.c, D(12));
  assert_int_equal(st.lots_expired, 1);
  assert_int_equal(st.points_expired, 20);
  pt_expect(e.c, b, S, 0, 0, 0, 0);
  pt_close(&e);
}

/* Without CORE_REFUNDS, pending 14 days: p1 (day 0) 100 pending; -150 on
 * day 1 takes those 100 and leaves 50 short; p2 (day 2) 80 pending. At
 * its release (day 16) the 80 pay the 50 (a reverse line dated day 16):
 * balance 30. */
static void test_release_pays_shortfall(void **state)
{
  pt_env e;
  int64_t a;
  crm_due_stats st;
  pt_ledger g;

  (void)state;
  pt_open(&e, NOW, SP, "pending_days = 14;");
  a = t_add_customer(e.c, "a");
  pt_ev(e.c, a, "purchase", D(0), 1000, "{\"pts\":100}", "p1");
  pt_ev(e.c, a, "refund", D(1), 1500, "{\"pts\":-150}", "n1");
  pt_expect(e.c, a, SP, 0, 0, 50, 0);
  pt_ev(e.c, a, "purchase", D(2), 800, "{\"pts\":80}", "p2");
  pt_expect(e.c, a, SP, 0, 80, 50, 0);
  st = due(e.c, D(16));
  assert_int_equal(st.lots_released, 1);
  assert_int_equal(st.points_released, 80);
  pt_expect(e.c, a, SP, 30, 0, 0, 0);
  g = pt_ledger_of(e.c, a);
  assert_int_equal(g.n, 5);
  pt_line(&g, 3, "release", 80, -80);
  pt_line(&g, 4, "reverse", -50, 0);
  assert_int_equal(g.at[4], D(16));
  pt_close(&e);
}

/* Many lots: due work goes batch by batch. 70 purchases of 1 point, a
 * minute apart, expire 5 days after earning; on day 80 all 70 expire in
 * one run. */
static void test_due_many_lots(void **state)
{
  pt_env e;
  int64_t a;
  crm_due_stats st;
  char key[16];
  int i;

  (void)state;
  pt_open(&e, NOW, S, "expiry = { mode = \"relative\"; days = 5; };");
  a = t_add_customer(e.c, "a");
  for(i = 0; i < 70; i++) {
    snprintf(key, sizeof(key), "o%d", i);
    pt_ev(e.c, a, "purchase", D(0) + 60 * i, 100, "{\"pts\":1}", key);
  }
  st = due(e.c, D(80));
  assert_int_equal(st.lots_expired, 70);
  assert_int_equal(st.points_expired, 70);
  pt_expect(e.c, a, S, 0, 0, 0, 0);
  pt_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_pending_release),
    cmocka_unit_test(test_expiry_soonest_first),
    cmocka_unit_test(test_due_incremental),
    cmocka_unit_test(test_release_pays_shortfall),
    cmocka_unit_test(test_due_many_lots),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
