/*
 * test_points_ops.c - the points operations: adjustments with a reason,
 * transfers within the scheme's rules and monthly limits, idempotent
 * retries, crm_points_check finding each kind of corrupted row, period
 * statements, and the core's reserved event types and keys.
 */
#include "points_test.h"

#define NOW (PT_T0 + 120 * T_DAY)
#define D(n) (PT_T0 + (n) * T_DAY)
#define S "fx_points"

static crm_due_stats due_run(crm *c, int64_t as_of)
{
  crm_due_stats st;

  memset(&st, 0, sizeof(st));
  if(crm_points_process_due(c, as_of, &st))
    fail_msg("crm_points_process_due: %s", crm_errmsg(c));
  return st;
}

static crm_points_op op_of(const char *key, int64_t at, const char *reason)
{
  crm_points_op op;

  memset(&op, 0, sizeof(op));
  op.idempotency_key = key;
  op.at = at;
  op.reason = reason;
  op.actor = "tester";
  return op;
}

/* +50 "goodwill" then -30: balance 20. A retry of the first key changes
 * nothing; the same key for another amount is refused; -80 with 50 is
 * refused and leaves its key unused. */
static void test_adjust(void **state)
{
  pt_env e;
  int64_t a;
  crm_points_op op;
  pt_ledger g;

  (void)state;
  pt_open(&e, NOW, S, "unit = \"stars\";");
  a = t_add_customer(e.c, "a");
  op = op_of("k1", D(0), "goodwill");
  assert_int_equal(crm_points_adjust(e.c, a, 50, &op), CRM_OK);
  assert_int_equal(crm_points_adjust(e.c, a, 50, &op), CRM_OK);
  pt_expect(e.c, a, S, 50, 0, 0, 0);
  assert_int_equal(crm_points_adjust(e.c, a, 60, &op), CRM_EEXIST);
  assert_string_equal(crm_errmsg(e.c), "idempotency key \"k1\" was already "
                      "used by a different event (#1)");
  op = op_of("k2", D(1), NULL);
  assert_int_equal(crm_points_adjust(e.c, a, -30, &op), CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "reason is required");
  op = op_of("k2", D(1), "typo");
  assert_int_equal(crm_points_adjust(e.c, a, 0, &op), CRM_EINVAL);
  assert_int_equal(crm_points_adjust(e.c, a, -80, &op), CRM_ESTATE);
  assert_string_equal(crm_errmsg(e.c), "not enough points: balance 50, "
                      "needs 80");
  assert_int_equal(crm_points_adjust(e.c, 99, -80, &op), CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(e.c), "unknown customer #99");
  assert_int_equal(crm_points_adjust(e.c, a, -30, &op), CRM_OK);
  pt_expect(e.c, a, S, 20, 0, 0, 0);
  op = op_of("core:x", D(1), "typo");
  assert_int_equal(crm_points_adjust(e.c, a, 1, &op), CRM_EINVAL);
  assert_int_equal(crm_points_adjust(e.c, a, 1, NULL), CRM_EINVAL);
  g = pt_ledger_of(e.c, a);
  assert_int_equal(g.n, 2);
  pt_line(&g, 0, "adjust", 50, 0);
  assert_string_equal(g.reason[0], "goodwill");
  assert_string_equal(g.note[0], "adjustment");
  pt_line(&g, 1, "adjust", -30, 0);
  assert_string_equal(g.reason[1], "typo");
  assert_int_equal(g.at[1], D(1));
  assert_int_equal(pt_sql_int(e.c, "SELECT count(*) FROM events WHERE "
                                   "type = 'points_adjust'"), 2);
  assert_int_equal(pt_sql_int(e.c, "SELECT count(*) FROM audit_log WHERE "
                                   "action = 'points_adjust' AND actor = "
                                   "'tester' AND detail = 'fx_points: +50 "
                                   "stars (goodwill)'"), 1);
  pt_close(&e);
}

/* allow_negative: -30 from nothing is an overdraft of 30; +50 later pays
 * it and leaves 20. */
static void test_adjust_overdraft(void **state)
{
  pt_env e;
  int64_t a;
  crm_points_op op;

  (void)state;
  pt_open(&e, NOW, S, "allow_negative = true;");
  a = t_add_customer(e.c, "a");
  op = op_of("k1", D(0), "fee");
  assert_int_equal(crm_points_adjust(e.c, a, -30, &op), CRM_OK);
  pt_expect(e.c, a, S, -30, 0, 0, 30);
  op = op_of("k2", D(1), "bonus");
  assert_int_equal(crm_points_adjust(e.c, a, 50, &op), CRM_OK);
  pt_expect(e.c, a, S, 20, 0, 0, 0);
  pt_close(&e);
}

/* Members a, b, c, e (program=club), d is not. min 10, 300 out and 250 in
 * per calendar month. a has 1000.
 *   a->b 200 (Jan): ok. a->b 100: b may receive 50 more. a->c 100: ok,
 *   a has sent 300. a->c 10: a may send 0 more. Feb 1st: a->b 50 ok.
 *   e (0 points) -> b 20: not enough points.
 * End: a 650, b 250, c 100. */
static void test_transfer(void **state)
{
  pt_env e;
  int64_t a, b, c3, d, e5;
  crm_points_op op;
  pt_ledger g;

  (void)state;
  pt_open(&e, NOW, S,
          "enroll = \"attr:program=club\";"
          "transfers = { enabled = true; min = 10; max_out_per_month = 300;"
          " max_in_per_month = 250; };");
  a = t_add_customer(e.c, "a");
  b = t_add_customer(e.c, "b");
  c3 = t_add_customer(e.c, "c");
  d = t_add_customer(e.c, "d");
  e5 = t_add_customer(e.c, "e");
  assert_int_equal(crm_customer_set_attr(e.c, a, "program", "club"), 0);
  assert_int_equal(crm_customer_set_attr(e.c, b, "program", "club"), 0);
  assert_int_equal(crm_customer_set_attr(e.c, c3, "program", "club"), 0);
  assert_int_equal(crm_customer_set_attr(e.c, e5, "program", "club"), 0);
  op = op_of("seed", D(0), "seed");
  assert_int_equal(crm_points_adjust(e.c, a, 1000, &op), CRM_OK);
  op = op_of("k1", D(1), NULL);
  assert_int_equal(crm_points_transfer(e.c, a, a, 20, &op), CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "customer #1 cannot transfer points "
                      "to itself");
  assert_int_equal(crm_points_transfer(e.c, a, b, 5, &op), CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "the smallest transfer in scheme "
                      "\"fx_points\" is 10 points");
  assert_int_equal(crm_points_transfer(e.c, a, d, 20, &op), CRM_ESTATE);
  assert_string_equal(crm_errmsg(e.c), "customer #4 is not a member of "
                      "scheme \"fx_points\"");
  assert_int_equal(crm_points_transfer(e.c, a, b, 200, &op), CRM_OK);
  op = op_of("k2", D(2), NULL);
  assert_int_equal(crm_points_transfer(e.c, a, b, 100, &op), CRM_ESTATE);
  assert_string_equal(crm_errmsg(e.c), "monthly transfer limit: customer #2 "
                      "may receive 50 more points this month (limit 250)");
  op = op_of("k3", D(2), NULL);
  assert_int_equal(crm_points_transfer(e.c, a, c3, 100, &op), CRM_OK);
  op = op_of("k4", D(3), NULL);
  assert_int_equal(crm_points_transfer(e.c, a, c3, 10, &op), CRM_ESTATE);
  assert_string_equal(crm_errmsg(e.c), "monthly transfer limit: customer #1 "
                      "may send 0 more points this month (limit 300)");
  op = op_of("k1", D(1), NULL); /* a retry */
  assert_int_equal(crm_points_transfer(e.c, a, b, 200, &op), CRM_OK);
  op = op_of("k5", D(27), NULL); /* 2026-02-01 */
  assert_int_equal(crm_points_transfer(e.c, a, b, 50, &op), CRM_OK);
  op = op_of("k6", D(27), NULL);
  assert_int_equal(crm_points_transfer(e.c, e5, b, 20, &op), CRM_ESTATE);
  assert_string_equal(crm_errmsg(e.c), "not enough points: balance 0, "
                      "needs 20");
  pt_expect(e.c, a, S, 650, 0, 0, 0);
  pt_expect(e.c, b, S, 250, 0, 0, 0);
  pt_expect(e.c, c3, S, 100, 0, 0, 0);
  g = pt_ledger_of(e.c, b);
  assert_int_equal(g.n, 2);
  pt_line(&g, 0, "transfer_in", 200, 0);
  pt_line(&g, 1, "transfer_in", 50, 0);
  assert_true(g.lot[0] > 0);
  g = pt_ledger_of(e.c, a);
  assert_int_equal(g.n, 4);
  pt_line(&g, 1, "transfer_out", -200, 0);
  assert_int_equal(pt_sql_int(e.c, "SELECT count(*) FROM events WHERE "
                                   "type = 'points_transfer'"), 3);
  pt_close(&e);
}

static void test_transfer_disabled(void **state)
{
  pt_env e;
  int64_t a, b;
  crm_points_op op;

  (void)state;
  pt_open(&e, NOW, S, "unit = \"points\";");
  a = t_add_customer(e.c, "a");
  b = t_add_customer(e.c, "b");
  op = op_of("k1", D(1), NULL);
  assert_int_equal(crm_points_transfer(e.c, a, b, 20, &op), CRM_ESTATE);
  assert_string_equal(crm_errmsg(e.c), "transfers are not enabled in scheme "
                      "\"fx_points\"");
  pt_close(&e);
}

static void expect_corrupt(crm *c, const char *bad, const char *msg,
                           const char *fix)
{
  assert_int_equal(crm__exec(c, bad), CRM_OK);
  assert_int_equal(crm_points_check(c, 1, NULL), CRM_ECORRUPT);
  assert_string_equal(crm_errmsg(c), msg);
  assert_int_equal(crm__exec(c, fix), CRM_OK);
  assert_int_equal(crm_points_check(c, 1, NULL), CRM_OK);
}

/* Customer #1 earns 100 in one lot (#1); each corruption is found with
 * its numbers, and the check passes again once it is undone. */
static void test_check_finds_corruption(void **state)
{
  pt_env e;
  int64_t a;

  (void)state;
  pt_open(&e, NOW, S, "unit = \"points\";");
  a = t_add_customer(e.c, "a");
  pt_ev(e.c, a, "purchase", D(0), 1000, "{\"pts\":100}", "o1");
  assert_int_equal(crm_points_check(e.c, a, NULL), CRM_OK);
  expect_corrupt(e.c, "UPDATE points_lots SET remaining = 90",
                 "lot #1 of customer #1 in scheme \"fx_points\": remaining "
                 "90 but original 100 less 0 drawn leaves 100",
                 "UPDATE points_lots SET remaining = 100");
  expect_corrupt(e.c, "INSERT INTO points_lot_uses VALUES(99, 1, 10, 0)",
                 "lot #1 of customer #1 in scheme \"fx_points\": remaining "
                 "100 but original 100 less 10 drawn leaves 90",
                 "DELETE FROM points_lot_uses");
  expect_corrupt(e.c, "UPDATE points_lots SET state = 'closed'",
                 "lot #1 of customer #1 in scheme \"fx_points\" is closed "
                 "with 100 points remaining",
                 "UPDATE points_lots SET state = 'available'");
  expect_corrupt(e.c, "UPDATE points_accounts SET balance = 99",
                 "points account of customer #1 in scheme \"fx_points\": "
                 "balance 99 but its ledger sums to 100",
                 "UPDATE points_accounts SET balance = 100");
  expect_corrupt(e.c, "UPDATE points_accounts SET pending = 5",
                 "points account of customer #1 in scheme \"fx_points\": "
                 "pending 5 but its ledger sums to 0",
                 "UPDATE points_accounts SET pending = 0");
  expect_corrupt(e.c, "UPDATE points_accounts SET shortfall = 4",
                 "points account of customer #1 in scheme \"fx_points\": "
                 "shortfall 4 but its open shortfalls sum to 0",
                 "UPDATE points_accounts SET shortfall = 0");
  expect_corrupt(e.c, "UPDATE points_accounts SET overdraft = 3",
                 "points account of customer #1 in scheme \"fx_points\": "
                 "available lots hold 100, less overdraft 3, but the "
                 "balance is 100",
                 "UPDATE points_accounts SET overdraft = 0");
  expect_corrupt(e.c, "UPDATE customers SET points_balance = 1",
                 "points balance of customer #1 is 1 but its ledger sums to "
                 "100",
                 "UPDATE customers SET points_balance = 100");
  assert_int_equal(crm_points_check(e.c, a, "nope"), CRM_ENOTFOUND);
  assert_int_equal(crm_points_check(e.c, 42, NULL), CRM_ENOTFOUND);
  pt_close(&e);
}

struct periods {
  size_t n;
  crm_points_period p[4];
};

static int period_cb(void *ud, const crm_points_period *p)
{
  struct periods *g = ud;

  if(g->n < 4)
    g->p[g->n] = *p;
  g->n++;
  return 0;
}

/* Jan: o1 earns 100 (10.00 spent), 30 adjusted away. Feb: o2 earns 50
 * (5.00). Mar 1st: o2 refunded in full (-50; its spend given back in
 * Feb, the purchase's month). Monthly from Jan 5th to Mar 15th: three
 * calendar months; one quarter sums them. Boundaries: Jan 1st = day -4,
 * Feb 1st = day 27, Mar 1st = day 55, Apr 1st = day 86. */
static void test_statement(void **state)
{
  pt_env e;
  int64_t a;
  crm_points_op op;
  struct periods g;

  (void)state;
  pt_open(&e, NOW, S, "unit = \"points\";");
  a = t_add_customer(e.c, "a");
  pt_ev(e.c, a, "purchase", D(0), 1000, "{\"pts\":100}", "o1");
  op = op_of("k1", D(15), "correction");
  assert_int_equal(crm_points_adjust(e.c, a, -30, &op), CRM_OK);
  pt_ev(e.c, a, "purchase", D(36), 500, "{\"pts\":50}", "o2");
  pt_ev(e.c, a, "refund", D(55), 0, "{\"refund_of\":\"o2\"}", "r2");
  memset(&g, 0, sizeof(g));
  assert_int_equal(crm_points_statement(e.c, a, NULL, D(0), D(69),
                                        CRM_PERIOD_MONTH, period_cb, &g),
                   CRM_OK);
  assert_int_equal(g.n, 3);
  assert_int_equal(g.p[0].from, D(-4));
  assert_int_equal(g.p[0].to, D(27));
  assert_int_equal(g.p[0].earned, 100);
  assert_int_equal(g.p[0].adjusted, -30);
  assert_int_equal(g.p[0].balance_end, 70);
  assert_int_equal(g.p[0].activity_spend, 1000);
  assert_int_equal(g.p[1].to, D(55));
  assert_int_equal(g.p[1].earned, 50);
  assert_int_equal(g.p[1].reversed, 0);
  assert_int_equal(g.p[1].balance_end, 120);
  assert_int_equal(g.p[1].activity_spend, 0);
  assert_int_equal(g.p[2].to, D(86));
  assert_int_equal(g.p[2].reversed, -50);
  assert_int_equal(g.p[2].balance_end, 70);
  assert_int_equal(g.p[2].pending_end, 0);
  memset(&g, 0, sizeof(g));
  assert_int_equal(crm_points_statement(e.c, a, S, D(0), D(69),
                                        CRM_PERIOD_QUARTER, period_cb, &g),
                   CRM_OK);
  assert_int_equal(g.n, 1);
  assert_int_equal(g.p[0].from, D(-4));
  assert_int_equal(g.p[0].to, D(86));
  assert_int_equal(g.p[0].earned, 150);
  assert_int_equal(g.p[0].reversed, -50);
  assert_int_equal(g.p[0].adjusted, -30);
  assert_int_equal(g.p[0].balance_end, 70);
  assert_int_equal(crm_points_statement(e.c, a, S, D(0), D(69), 2,
                                        period_cb, &g), CRM_EINVAL);
  assert_int_equal(crm_points_statement(e.c, a, S, D(9), D(9), 1,
                                        period_cb, &g), CRM_EINVAL);
  pt_close(&e);
}

/* The core's own event types and "core:" keys are refused at ingest. */
static void test_reserved_at_ingest(void **state)
{
  pt_env e;
  int64_t a;

  (void)state;
  pt_open(&e, NOW, S, "unit = \"points\";");
  a = t_add_customer(e.c, "a");
  pt_ev_fails(e.c, a, "points_adjust", D(0), 0, NULL, "x1", CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "event type \"points_adjust\" is "
                      "reserved for events the core records");
  pt_ev_fails(e.c, a, "tier_changed", D(0), 0, NULL, "x1", CRM_EINVAL);
  pt_ev_fails(e.c, a, "contact", D(0), 0, NULL, "core:x1", CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "idempotency keys starting with "
                      "\"core:\" are reserved for events the core records");
  assert_int_equal(pt_sql_int(e.c, "SELECT count(*) FROM events"), 0);
  pt_close(&e);
}

/* An operation's time: never after now, never before the newest ledger
 * entry of an account it touches (the ledger only moves forward per
 * account). now = 2026-05-05 (day 120). a: +100 on day 10 (k1). A second
 * of the future, day 5 (before day 10) are refused with nothing
 * written; day 10 itself is fine. b's entry of day 50 stops a transfer
 * a -> b dated day 20 (a backdated transfer would get around monthly
 * limits). A retry of k1 (day 10) still returns its first result. */
static void test_op_time(void **state)
{
  pt_env e;
  int64_t a, b;
  crm_points_op op;

  (void)state;
  pt_open(&e, NOW, S, "transfers = { enabled = true; };");
  a = t_add_customer(e.c, "a");
  b = t_add_customer(e.c, "b");
  op = op_of("k1", D(10), "goodwill");
  assert_int_equal(crm_points_adjust(e.c, a, 100, &op), CRM_OK);
  op = op_of("k2", NOW + 1, "future");
  assert_int_equal(crm_points_adjust(e.c, a, 5, &op), CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "operation time 2026-05-05T00:00:01Z "
                      "is in the future (now 2026-05-05T00:00:00Z)");
  op = op_of("k2", D(5), "backdated");
  assert_int_equal(crm_points_adjust(e.c, a, 5, &op), CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "operation time 2026-01-10T00:00:00Z "
                      "is before the newest ledger entry of customer #1 in "
                      "scheme \"fx_points\" (2026-01-15T00:00:00Z)");
  op = op_of("k2", D(10), "same day");
  assert_int_equal(crm_points_adjust(e.c, a, 5, &op), CRM_OK);
  op = op_of("k3", D(50), "later");
  assert_int_equal(crm_points_adjust(e.c, b, 7, &op), CRM_OK);
  op = op_of("k4", D(20), NULL);
  assert_int_equal(crm_points_transfer(e.c, a, b, 10, &op), CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "operation time 2026-01-25T00:00:00Z "
                      "is before the newest ledger entry of customer #2 in "
                      "scheme \"fx_points\" (2026-02-24T00:00:00Z)");
  op = op_of("k4", NOW + T_DAY, NULL);
  assert_int_equal(crm_points_transfer(e.c, a, b, 10, &op), CRM_EINVAL);
  op = op_of("k4", 0, NULL); /* now */
  assert_int_equal(crm_points_transfer(e.c, a, b, 10, &op), CRM_OK);
  op = op_of("k1", D(10), "goodwill");
  assert_int_equal(crm_points_adjust(e.c, a, 100, &op), CRM_OK);
  pt_expect(e.c, a, S, 95, 0, 0, 0);
  pt_expect(e.c, b, S, 17, 0, 0, 0);
  assert_int_equal(pt_sql_int(e.c, "SELECT count(*) FROM events"), 4);
  pt_close(&e);
}

/* Adjustments and transfers are bounded to 10^12 points either way:
 * INT64_MIN would pass the balance check once negated, INT64_MAX would
 * overflow the balance. */
static void test_points_bounds(void **state)
{
  pt_env e;
  int64_t a, b;
  crm_points_op op;

  (void)state;
  pt_open(&e, NOW, S, "allow_negative = true;"
          " transfers = { enabled = true; };");
  a = t_add_customer(e.c, "a");
  b = t_add_customer(e.c, "b");
  op = op_of("k1", D(1), "huge");
  assert_int_equal(crm_points_adjust(e.c, a, INT64_MIN, &op), CRM_ERANGE);
  assert_string_equal(crm_errmsg(e.c), "an adjustment is at most "
                      "1000000000000 points either way (got "
                      "-9223372036854775808)");
  assert_int_equal(crm_points_adjust(e.c, a, INT64_MAX, &op), CRM_ERANGE);
  assert_int_equal(crm_points_adjust(e.c, a, INT64_C(1000000000001), &op),
                   CRM_ERANGE);
  assert_int_equal(crm_points_adjust(e.c, a, -INT64_C(1000000000001), &op),
                   CRM_ERANGE);
  assert_int_equal(crm_points_adjust(e.c, a, INT64_C(1000000000000), &op),
                   CRM_OK);
  op = op_of("k2", D(2), NULL);
  assert_int_equal(crm_points_transfer(e.c, a, b, INT64_C(1000000000001),
                                       &op), CRM_ERANGE);
  assert_string_equal(crm_errmsg(e.c), "a transfer is at most 1000000000000 "
                      "points (got 1000000000001)");
  assert_int_equal(crm_points_transfer(e.c, a, b, INT64_MAX, &op),
                   CRM_ERANGE);
  pt_expect(e.c, a, S, INT64_C(1000000000000), 0, 0, 0);
  assert_int_equal(pt_sql_int(e.c, "SELECT count(*) FROM events WHERE "
                                   "type = 'points_transfer'"), 0);
  pt_close(&e);
}

/* A transfer keeps the expiry of the points it moves: a earns 60 on day
 * 0 (expiring day 30) and 70 on day 10 (day 40). Day 29: a -> b 100: b
 * gets a transfer_in line and lot per date, 60 expiring day 30 and 40
 * expiring day 40. b -> a 100 back: the round trip gives no fresh
 * expiry, on day 30 a's 60 expire. */
static void test_transfer_keeps_expiry(void **state)
{
  pt_env e;
  int64_t a, b;
  crm_points_op op;
  crm_due_stats st;
  pt_lots l;
  pt_ledger g;

  (void)state;
  pt_open(&e, NOW, S, "expiry = { mode = \"relative\"; days = 30; };"
          " transfers = { enabled = true; };");
  a = t_add_customer(e.c, "a");
  b = t_add_customer(e.c, "b");
  pt_ev(e.c, a, "purchase", D(0), 600, "{\"pts\":60}", "o1");
  pt_ev(e.c, a, "purchase", D(10), 700, "{\"pts\":70}", "o2");
  op = op_of("t1", D(29), NULL);
  assert_int_equal(crm_points_transfer(e.c, a, b, 100, &op), CRM_OK);
  l = pt_lots_of(e.c, b, S, 0);
  assert_int_equal(l.n, 2);
  assert_int_equal(l.remaining[0], 60);
  assert_int_equal(l.expires_at[0], D(30));
  assert_int_equal(l.remaining[1], 40);
  assert_int_equal(l.expires_at[1], D(40));
  g = pt_ledger_of(e.c, b);
  assert_int_equal(g.n, 2);
  pt_line(&g, 0, "transfer_in", 60, 0);
  assert_int_equal(g.lot[0], l.id[0]);
  pt_line(&g, 1, "transfer_in", 40, 0);
  assert_int_equal(g.lot[1], l.id[1]);
  op = op_of("t2", D(29), NULL);
  assert_int_equal(crm_points_transfer(e.c, b, a, 100, &op), CRM_OK);
  pt_expect(e.c, a, S, 130, 0, 0, 0);
  pt_expect(e.c, b, S, 0, 0, 0, 0);
  st = due_run(e.c, D(30));
  assert_int_equal(st.lots_expired, 1);
  assert_int_equal(st.points_expired, 60);
  pt_expect(e.c, a, S, 70, 0, 0, 0);
  st = due_run(e.c, D(40));
  assert_int_equal(st.points_expired, 70);
  pt_expect(e.c, a, S, 0, 0, 0, 0);
  pt_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_adjust),
    cmocka_unit_test(test_adjust_overdraft),
    cmocka_unit_test(test_transfer),
    cmocka_unit_test(test_transfer_disabled),
    cmocka_unit_test(test_check_finds_corruption),
    cmocka_unit_test(test_statement),
    cmocka_unit_test(test_reserved_at_ingest),
    cmocka_unit_test(test_op_time),
    cmocka_unit_test(test_points_bounds),
    cmocka_unit_test(test_transfer_keeps_expiry),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
