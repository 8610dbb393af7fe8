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

/* ---- due work in time order --------------------------------------------- */

static int64_t count_sql(crm *c, const char *sql)
{
  return pt_sql_int(c, sql);
}

#define AUTO_V5 "pending_days = 14; expiry = { mode = \"relative\"; " \
  "days = 20; }; auto_redeem = \"V5\"; catalogue = ( { code = \"V5\"; " \
  "type = \"voucher\"; cost = 500; } );"

/* Pending 14 days, expiry 20 days after earning, V5 (500) auto-redeemed.
 * a and b each earn 300 on day 0 (release 14, expiry 20) and 300 on day
 * 10 (release 24, expiry 30). In time order: day 14 300 available (too
 * few for V5), day 20 they expire, day 24 the next 300 (too few again),
 * day 30 they expire: no voucher, 600 released and 600 expired, balance
 * 0. (Releases before expiries would have redeemed V5 on day 24 from
 * 300 that had expired on day 20.) a by crm_points_process_due, b by
 * its own event of day 30. */
static void test_due_time_order(void **state)
{
  pt_env e;
  int64_t a, b;
  crm_due_stats st;
  pt_ledger g;

  (void)state;
  pt_open(&e, NOW, S, AUTO_V5);
  a = t_add_customer(e.c, "a");
  b = t_add_customer(e.c, "b");
  pt_ev(e.c, a, "purchase", D(0), 3000, "{\"pts\":300}", "a1");
  pt_ev(e.c, a, "purchase", D(10), 3000, "{\"pts\":300}", "a2");
  pt_ev(e.c, b, "purchase", D(0), 3000, "{\"pts\":300}", "b1");
  pt_ev(e.c, b, "purchase", D(10), 3000, "{\"pts\":300}", "b2");
  pt_ev(e.c, b, "contact", D(30), 0, NULL, "b3");
  pt_expect(e.c, b, S, 0, 0, 0, 0);
  st = due(e.c, D(30));
  assert_int_equal(st.lots_released, 2);
  assert_int_equal(st.points_released, 600);
  assert_int_equal(st.lots_expired, 2);
  assert_int_equal(st.points_expired, 600);
  pt_expect(e.c, a, S, 0, 0, 0, 0);
  assert_int_equal(count_sql(e.c, "SELECT count(*) FROM vouchers"), 0);
  g = pt_ledger_of(e.c, a);
  assert_int_equal(g.n, 6);
  pt_line(&g, 2, "release", 300, -300);
  assert_int_equal(g.at[2], D(14));
  pt_line(&g, 3, "expire", -300, 0);
  assert_int_equal(g.at[3], D(20));
  pt_line(&g, 4, "release", 300, -300);
  assert_int_equal(g.at[4], D(24));
  pt_line(&g, 5, "expire", -300, 0);
  assert_int_equal(g.at[5], D(30));
  g = pt_ledger_of(e.c, b);
  assert_int_equal(g.n, 6);
  pt_line(&g, 3, "expire", -300, 0);
  pt_line(&g, 4, "release", 300, -300);
  pt_close(&e);
}

/* Ties: points that expire at an instant are gone at that instant, so an
 * expiry is applied before a release due at the same time. Day 0 earns
 * 300 (release 14, expiry 20), day 6 earns 300 (release 20): on day 20
 * the first 300 expire before the second 300 are released; 300 are
 * never enough for V5. */
static void test_due_tie_expiry_first(void **state)
{
  pt_env e;
  int64_t a;
  crm_due_stats st;
  pt_ledger g;

  (void)state;
  pt_open(&e, NOW, S, AUTO_V5);
  a = t_add_customer(e.c, "a");
  pt_ev(e.c, a, "purchase", D(0), 3000, "{\"pts\":300}", "a1");
  pt_ev(e.c, a, "purchase", D(6), 3000, "{\"pts\":300}", "a2");
  st = due(e.c, D(20));
  assert_int_equal(st.lots_released, 2);
  assert_int_equal(st.lots_expired, 1);
  assert_int_equal(st.points_expired, 300);
  pt_expect(e.c, a, S, 300, 0, 0, 0);
  assert_int_equal(count_sql(e.c, "SELECT count(*) FROM vouchers"), 0);
  g = pt_ledger_of(e.c, a);
  assert_int_equal(g.n, 5);
  pt_line(&g, 3, "expire", -300, 0);
  pt_line(&g, 4, "release", 300, -300);
  assert_int_equal(g.at[4], D(20));
  pt_close(&e);
}

/* Payouts in time order: o1 (day 0) 100 available at once, expiring day
 * 20; o2 (day 10) 300 pending until day 24, expiring day 30. Day 20 o1's
 * 100 expire; day 24 o2 is released and its 300 paid out. Nothing is
 * left and the expired 100 were not paid out. */
static void test_due_payout_order(void **state)
{
  pt_env e;
  int64_t a;
  crm_due_stats st;
  pt_lots l;

  (void)state;
  pt_open(&e, NOW, S, "pending_days = 14; release_action = \"payout\";"
          " expiry = { mode = \"relative\"; days = 20; };");
  a = t_add_customer(e.c, "a");
  pt_ev(e.c, a, "purchase", D(0), 1000, "{\"pts\":100,\"pending_until\":-1}",
        "o1");
  pt_ev(e.c, a, "purchase", D(10), 3000, "{\"pts\":300}", "o2");
  st = due(e.c, D(29));
  assert_int_equal(st.lots_released, 1);
  assert_int_equal(st.lots_expired, 1);
  assert_int_equal(st.points_expired, 100);
  pt_expect(e.c, a, S, 0, 0, 0, 0);
  assert_int_equal(count_sql(e.c, "SELECT sum(amount) FROM payouts"), 300);
  assert_int_equal(count_sql(e.c, "SELECT count(*) FROM payouts WHERE at = "
                             "1767571200 + 24 * 86400"), 1);
  l = pt_lots_of(e.c, a, S, 1);
  assert_int_equal(l.n, 2);
  assert_int_equal(l.remaining[0], 0);
  assert_int_equal(l.remaining[1], 0);
  pt_close(&e);
}

/* A scheme whose plugin is not loaded: its releases wait (no default
 * rules: a payout scheme's rebate is not credited), and so do its
 * expiries behind a waiting release. Store on disk: loaded with the
 * payout scheme, p0 (day 0) 50 available expiring day 30, p1 (day 0)
 * 300 pending until day 14. Opened again without a config, the due run
 * of day 40 changes nothing. With the config loaded again: day 14 p1 is
 * released and 300 paid out (drawing p0's 50 first, soonest expiry, then
 * 250 of p1), day 30 p1's last 50 expire. */
static void test_due_waits_for_scheme(void **state)
{
  lt_dir dir;
  char db[LT_PATH], cf[LT_PATH];
  crm *c;
  int64_t a;
  crm_due_stats st;

  (void)state;
  lt_dir_init(&dir);
  snprintf(db, sizeof(db), "%s/crm.db", dir.path);
  snprintf(cf, sizeof(cf), "%s", lt_write(&dir, "crm.conf",
           "plugins = { load = ( { name = \"fx_points\"; scheme = {"
           " pending_days = 14; release_action = \"payout\";"
           " expiry = { mode = \"relative\"; days = 30; }; }; } ); };\n"));
  c = lt_open(db);
  crm_set_now(c, NOW);
  if(crm_load_config(c, cf, FIXDIR))
    fail_msg("crm_load_config: %s", crm_errmsg(c));
  a = t_add_customer(c, "a");
  pt_ev(c, a, "purchase", D(0), 500, "{\"pts\":50,\"pending_until\":-1}",
        "p0");
  pt_ev(c, a, "purchase", D(0), 3000, "{\"pts\":300}", "p1");
  crm_close(c);
  c = lt_open(db);
  crm_set_now(c, NOW);
  st = due(c, D(40));
  assert_int_equal(st.lots_released, 0);
  assert_int_equal(st.lots_expired, 0);
  assert_int_equal(pt_sql_int(c, "SELECT balance FROM points_accounts"), 50);
  assert_int_equal(pt_sql_int(c, "SELECT pending FROM points_accounts"),
                   300);
  assert_int_equal(pt_sql_int(c, "SELECT count(*) FROM payouts"), 0);
  if(crm_load_config(c, cf, FIXDIR))
    fail_msg("crm_load_config: %s", crm_errmsg(c));
  st = due(c, D(40));
  assert_int_equal(st.lots_released, 1);
  assert_int_equal(st.points_released, 300);
  assert_int_equal(st.lots_expired, 1);
  assert_int_equal(st.points_expired, 50);
  pt_expect(c, a, S, 0, 0, 0, 0);
  assert_int_equal(pt_sql_int(c, "SELECT sum(amount) FROM payouts"), 300);
  crm_close(c);
  lt_dir_done(&dir);
}

/* Expiry never before release. Pending 14 days, expiry at the end of
 * the calendar month of earning. o1 earned 2026-01-25 (day 20) is
 * released 2026-02-08 (day 34); the end of January (day 27) would come
 * first, so it expires at the end of the release month instead:
 * 2026-03-01 (day 55). o2's own pending_until (day 40) and expires_at
 * (day 38) are handled the same way: day 55. Due work of day 54 releases
 * both; day 55 expires both. */
static void test_expiry_after_release(void **state)
{
  pt_env e;
  int64_t a;
  crm_due_stats st;
  pt_lots l;
  char pl[128];

  (void)state;
  pt_open(&e, NOW, S, "pending_days = 14; expiry = { mode = \"period_end\";"
          " period = \"month\"; periods = 1; };");
  a = t_add_customer(e.c, "a");
  pt_ev(e.c, a, "purchase", D(20), 1000, "{\"pts\":10}", "o1");
  snprintf(pl, sizeof(pl), "{\"pts\":5,\"pending_until\":%lld,"
           "\"expires_at\":%lld}", (long long)D(40), (long long)D(38));
  pt_ev(e.c, a, "purchase", D(21), 500, pl, "o2");
  l = pt_lots_of(e.c, a, S, 0);
  assert_int_equal(l.n, 2);
  assert_int_equal(l.release_at[0], D(34));
  assert_int_equal(l.expires_at[0], D(55));
  assert_int_equal(l.release_at[1], D(40));
  assert_int_equal(l.expires_at[1], D(55));
  st = due(e.c, D(54));
  assert_int_equal(st.lots_released, 2);
  assert_int_equal(st.lots_expired, 0);
  pt_expect(e.c, a, S, 15, 0, 0, 0);
  st = due(e.c, D(55));
  assert_int_equal(st.lots_expired, 2);
  assert_int_equal(st.points_expired, 15);
  pt_expect(e.c, a, S, 0, 0, 0, 0);
  pt_close(&e);
}

/* A fixed expiry date before the release: the date is the rule (all
 * points end then), so points released after it expire at their
 * release. Date 2026-02-01 (day 27); o1 earned day 20 is released day
 * 34 and expires at once (an expire line dated day 34); nothing can be
 * spent in between. */
static void test_fixed_date_before_release(void **state)
{
  pt_env e;
  int64_t a;
  crm_due_stats st;
  pt_ledger g;
  pt_lots l;

  (void)state;
  pt_open(&e, NOW, S, "pending_days = 14; expiry = { mode = \"date\";"
          " date = \"2026-02-01\"; };");
  a = t_add_customer(e.c, "a");
  pt_ev(e.c, a, "purchase", D(20), 1000, "{\"pts\":10}", "o1");
  l = pt_lots_of(e.c, a, S, 0);
  assert_int_equal(l.expires_at[0], D(27));
  st = due(e.c, D(34));
  assert_int_equal(st.lots_released, 1);
  assert_int_equal(st.lots_expired, 1);
  assert_int_equal(st.points_expired, 10);
  pt_expect(e.c, a, S, 0, 0, 0, 0);
  g = pt_ledger_of(e.c, a);
  assert_int_equal(g.n, 3);
  pt_line(&g, 1, "release", 10, -10);
  pt_line(&g, 2, "expire", -10, 0);
  assert_int_equal(g.at[2], D(34));
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
    cmocka_unit_test(test_due_time_order),
    cmocka_unit_test(test_due_tie_expiry_first),
    cmocka_unit_test(test_due_payout_order),
    cmocka_unit_test(test_due_waits_for_scheme),
    cmocka_unit_test(test_expiry_after_release),
    cmocka_unit_test(test_fixed_date_before_release),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
