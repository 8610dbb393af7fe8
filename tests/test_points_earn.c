/*
 * test_points_earn.c - the earning pipeline's rules around the plugin's
 * number: minimum spend, daily and monthly caps (the bonus cut first,
 * CRM_RESULT_NO_CAP), the tier multiplier's bonus line
 * (CRM_RESULT_NO_MULTIPLIER), enrollment (and refunds after leaving),
 * and the net an ingest reports.
 */
#include "points_test.h"

#define NOW (PT_T0 + 120 * T_DAY)
#define D(n) (PT_T0 + (n) * T_DAY)
#define H (INT64_C(3600))
#define S "fx_points"

/* per_day 100, per_month 250, min_spend 5.00, all in January:
 *   day 0: o1 80 -> 80; o2 50 -> 20 (the day's room); o3 10 NO_CAP -> 10
 *   day 1: o4 100 -> 100 (month so far 110, room 140)
 *   day 2: o5 100 -> 40 (month 210, room 40); o6 4.00 < 5.00 -> 0
 *   Feb 1st (day 27): o7 100 -> 100, a new month.
 * Balance 80 + 20 + 10 + 100 + 40 + 100 = 350. o6 still counts its
 * spend as tier activity, with 0 points. */
static void test_caps_and_min_spend(void **state)
{
  pt_env e;
  int64_t a;
  crm_ingest_result r;
  pt_ledger g;

  (void)state;
  pt_open(&e, NOW, S,
          "limits = { per_day = 100; per_month = 250; min_spend = 500; };");
  a = t_add_customer(e.c, "a");
  r = pt_ev(e.c, a, "purchase", D(0), 1000, "{\"pts\":80}", "o1");
  assert_int_equal(r.points, 80);
  r = pt_ev(e.c, a, "purchase", D(0) + H, 1000, "{\"pts\":50}", "o2");
  assert_int_equal(r.points, 20);
  r = pt_ev(e.c, a, "purchase", D(0) + 2 * H, 1000,
            "{\"pts\":10,\"flags\":2}", "o3");
  assert_int_equal(r.points, 10);
  r = pt_ev(e.c, a, "purchase", D(1), 1000, "{\"pts\":100}", "o4");
  assert_int_equal(r.points, 100);
  r = pt_ev(e.c, a, "purchase", D(2), 1000, "{\"pts\":100}", "o5");
  assert_int_equal(r.points, 40);
  r = pt_ev(e.c, a, "purchase", D(2) + H, 400, "{\"pts\":70}", "o6");
  assert_int_equal(r.points, 0);
  r = pt_ev(e.c, a, "purchase", D(27), 1000, "{\"pts\":100}", "o7");
  assert_int_equal(r.points, 100);
  pt_expect(e.c, a, S, 350, 0, 0, 0);
  g = pt_ledger_of(e.c, a);
  assert_int_equal(g.n, 6);
  assert_string_equal(g.note[1], "fx_points purchase (capped by the earning "
                                 "limit)");
  assert_int_equal(pt_sql_int(e.c, "SELECT points * 10000 + spend FROM "
                                   "points_activity WHERE event_id = 6"),
                   400);
  pt_close(&e);
}

/* Tiers: silver from 100 base points in the window, x1.5; day cap 200.
 *   day 0: o1 120 at base -> 120, and silver from now on.
 *   day 1: o2 101 -> 101 + floor(101 x 0.5) = 50 on line 1;
 *          o3 40 NO_MULTIPLIER -> 40 (day so far 191);
 *          o4 10 -> bonus 5, room 9: base 9, no bonus (the bonus is cut
 *          first).
 *   day 2: a full refund of o2 takes back both its lines, 151. */
static void test_tier_bonus_line(void **state)
{
  pt_env e;
  int64_t a;
  crm_ingest_result r, o2;
  pt_ledger g;

  (void)state;
  pt_open(&e, NOW, S,
          "limits = { per_day = 200; };"
          "tiers = { levels = ( { name = \"base\"; },"
          " { name = \"silver\"; points = 100; multiplier = 1.5; } ); };");
  a = t_add_customer(e.c, "a");
  r = pt_ev(e.c, a, "purchase", D(0), 1000, "{\"pts\":120}", "o1");
  assert_int_equal(r.points, 120);
  assert_string_equal(pt_acc(e.c, a, S).tier, "silver");
  o2 = pt_ev(e.c, a, "purchase", D(1), 1000, "{\"pts\":101}", "o2");
  assert_int_equal(o2.points, 151);
  r = pt_ev(e.c, a, "purchase", D(1) + H, 1000, "{\"pts\":40,\"flags\":1}",
            "o3");
  assert_int_equal(r.points, 40);
  r = pt_ev(e.c, a, "purchase", D(1) + 2 * H, 1000, "{\"pts\":10}", "o4");
  assert_int_equal(r.points, 9);
  g = pt_ledger_of(e.c, a);
  assert_int_equal(g.n, 5);
  pt_line(&g, 1, "earn", 101, 0);
  pt_line(&g, 2, "earn", 50, 0);
  assert_string_equal(g.note[2], "tier silver bonus x1.5");
  pt_line(&g, 4, "earn", 9, 0);
  r = pt_ev(e.c, a, "refund", D(2), 0, "{\"refund_of\":\"o2\"}", "r2");
  assert_int_equal(r.points, -151);
  pt_expect(e.c, a, S, 120 + 40 + 9, 0, 0, 0);
  pt_close(&e);
}

/* enroll "attr:program=club": a non-member's events earn nothing and
 * open no account; once a member, they earn. */
static void test_enrollment(void **state)
{
  pt_env e;
  int64_t a;
  crm_ingest_result r;
  crm_points_account acc;

  (void)state;
  pt_open(&e, NOW, S, "enroll = \"attr:program=club\";");
  a = t_add_customer(e.c, "a");
  r = pt_ev(e.c, a, "purchase", D(0), 1000, "{\"pts\":10}", "o1");
  assert_int_equal(r.points, 0);
  assert_int_equal(crm_points_account_get(e.c, a, S, &acc), CRM_ENOTFOUND);
  assert_int_equal(crm_customer_set_attr(e.c, a, "program", "club"), 0);
  r = pt_ev(e.c, a, "purchase", D(1), 1000, "{\"pts\":10}", "o2");
  assert_int_equal(r.points, 10);
  pt_expect(e.c, a, S, 10, 0, 0, 0);
  pt_close(&e);
}

/* A refund after the customer left the scheme (enroll attribute
 * removed): the plugin is not called, but the core still takes back what
 * the purchase earned while a member, and its tier activity. o1 10.00
 * earns 100 (count 2); r1 refunds 4.00: floor(100 x 400 / 1000) = 40 and
 * floor(2 x 0.4) = 0 of the count; the cancel takes the other 60 and 2.
 * A purchase made as a non-member earned nothing: its refund opens no
 * account. */
static void test_refund_after_leaving(void **state)
{
  pt_env e;
  int64_t a, b;
  crm_ingest_result r;
  crm_points_account acc;

  (void)state;
  pt_open(&e, NOW, S, "enroll = \"attr:program=club\";");
  a = t_add_customer(e.c, "a");
  b = t_add_customer(e.c, "b");
  assert_int_equal(crm_customer_set_attr(e.c, a, "program", "club"), 0);
  r = pt_ev(e.c, a, "purchase", D(0), 1000, "{\"pts\":100,\"count\":2}",
            "o1");
  assert_int_equal(r.points, 100);
  assert_int_equal(crm_customer_set_attr(e.c, a, "program", NULL), 0);
  r = pt_ev(e.c, a, "refund", D(1), 400, "{\"refund_of\":\"o1\"}", "r1");
  assert_int_equal(r.points, -40);
  pt_expect(e.c, a, S, 60, 0, 0, 0);
  assert_int_equal(pt_sql_int(e.c, "SELECT points * 1000000 + count * 10000"
                                   " + spend FROM points_activity WHERE "
                                   "event_id = 2"), -40 * 1000000 - 400);
  r = pt_ev(e.c, a, "cancel", D(2), 0, "{\"refund_of\":\"o1\"}", "c1");
  assert_int_equal(r.points, -60);
  pt_expect(e.c, a, S, 0, 0, 0, 0);
  assert_int_equal(pt_sql_int(e.c, "SELECT abs(sum(points)) + abs(sum("
                                   "count)) + abs(sum(spend)) FROM "
                                   "points_activity"), 0);
  pt_ev(e.c, b, "purchase", D(0), 1000, "{\"pts\":10}", "ob");
  r = pt_ev(e.c, b, "refund", D(1), 0, "{\"refund_of\":\"ob\"}", "rb");
  assert_int_equal(r.points, 0);
  assert_int_equal(crm_points_account_get(e.c, b, S, &acc), CRM_ENOTFOUND);
  pt_close(&e);
}

/* A plugin result beyond CRM__POINTS_MAX either way is the plugin's
 * error: the event is refused and nothing is written (no overflow of the
 * account sums later). */
static void test_plugin_points_bounded(void **state)
{
  pt_env e;
  int64_t a;

  (void)state;
  pt_open(&e, NOW, S, "");
  a = t_add_customer(e.c, "a");
  pt_ev_fails(e.c, a, "purchase", D(0), 1000,
              "{\"pts\":1000000000001}", "o1", CRM_EPLUGIN);
  assert_non_null(strstr(crm_errmsg(e.c), "on_event returned 1000000000001 "
                         "points (at most 1000000000000 either way)"));
  pt_ev_fails(e.c, a, "purchase", D(0), 1000,
              "{\"pts\":-9223372036854775807}", "o2", CRM_EPLUGIN);
  assert_int_equal(pt_sql_int(e.c, "SELECT count(*) FROM points_ledger"), 0);
  assert_int_equal(pt_sql_int(e.c, "SELECT count(*) FROM events"), 0);
  /* At the bound it is accepted. */
  assert_int_equal(pt_ev(e.c, a, "purchase", D(0), 1000,
                         "{\"pts\":1000000000000}", "o3").points,
                   INT64_C(1000000000000));
  pt_close(&e);
}

/* Two schemes side by side: each has its account; the customer's total
 * is their sum and each plugin sees the balance the earlier one left. */
static void test_two_schemes(void **state)
{
  pt_env e;
  int64_t a, bal = 0;
  crm_ingest_result r;
  crm_customer cu;

  (void)state;
  pt_open_conf(&e, NOW,
               "plugins = { load = ( { name = \"fx_points\"; },"
               " { name = \"fx_points_plain\"; } ); };\n");
  a = t_add_customer(e.c, "a");
  r = pt_ev(e.c, a, "purchase", D(0), 1000, "{\"pts\":30}", "o1");
  assert_int_equal(r.points, 60);
  pt_expect(e.c, a, "fx_points", 30, 0, 0, 0);
  pt_expect(e.c, a, "fx_points_plain", 30, 0, 0, 0);
  assert_int_equal(crm_points_balance(e.c, a, &bal), CRM_OK);
  assert_int_equal(bal, 60);
  assert_int_equal(crm_customer_get(e.c, a, &cu), CRM_OK);
  assert_int_equal(cu.points_balance, 60);
  pt_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_caps_and_min_spend),
    cmocka_unit_test(test_tier_bonus_line),
    cmocka_unit_test(test_enrollment),
    cmocka_unit_test(test_refund_after_leaving),
    cmocka_unit_test(test_plugin_points_bounded),
    cmocka_unit_test(test_two_schemes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
