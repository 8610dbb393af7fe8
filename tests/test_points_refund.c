/*
 * test_points_refund.c - refunds and take-backs through ingest: the core
 * reconciliation of CRM_REWARD_CORE_REFUNDS schemes (full, pro rata,
 * replayed, before the purchase, after the points were spent, of pending
 * points, more than the purchase) and negative plugin points. Every
 * number is worked out in the comment above its test.
 *
 * fx_points answers "pts" from the payload; for refunds naming their
 * purchase in the CORE_REFUNDS scheme the payload carries a poison
 * "pts" the core must ignore.
 */
#include "points_test.h"

#define NOW (PT_T0 + 120 * T_DAY)
#define D(n) (PT_T0 + (n) * T_DAY)
#define S "fx_points"
#define SP "fx_points_plain"

/* o1 10.00 USD earns 100; a refund of amount 0 naming it takes back all
 * 100 (one reverse line, its event the refund, its ref the purchase).
 * o2 earns 40; a cancel naming it takes back 40 (cancel = full). */
static void test_refund_full_and_cancel(void **state)
{
  pt_env e;
  int64_t a;
  crm_ingest_result o1, r;
  pt_ledger g;

  (void)state;
  pt_open(&e, NOW, S, "unit = \"points\";");
  a = t_add_customer(e.c, "a");
  o1 = pt_ev(e.c, a, "purchase", D(0), 1000, "{\"pts\":100}", "o1");
  assert_int_equal(o1.points, 100);
  r = pt_ev(e.c, a, "refund", D(1), 0,
            "{\"refund_of\":\"o1\",\"pts\":-999}", "r1");
  assert_int_equal(r.points, -100);
  pt_expect(e.c, a, S, 0, 0, 0, 0);
  g = pt_ledger_of(e.c, a);
  assert_int_equal(g.n, 2);
  pt_line(&g, 0, "earn", 100, 0);
  pt_line(&g, 1, "reverse", -100, 0);
  assert_int_equal(g.event[1], r.event_id);
  assert_int_equal(g.ref[1], o1.event_id);
  assert_int_equal(g.at[1], D(1));
  assert_string_equal(g.note[1], "refund of purchase #1 (all of it)");
  r = pt_ev(e.c, a, "purchase", D(2), 500, "{\"pts\":40}", "o2");
  assert_int_equal(r.points, 40);
  r = pt_ev(e.c, a, "cancel", D(3), 0, "{\"refund_of\":\"o2\",\"pts\":7}",
            "c2");
  assert_int_equal(r.points, -40);
  pt_expect(e.c, a, S, 0, 0, 0, 0);
  pt_close(&e);
}

/* o1 30.00 USD earns 100. Refunds of 10.00 each: the reversed total is
 * floor(100 x refunded / 30.00): 33, 66, 100, so the lines are -33, -33,
 * -34 (cumulative; rounding never takes more than earned). The first
 * refund replayed with its key is a duplicate and changes nothing; a
 * further 5.00 takes nothing (all is reversed). */
static void test_refund_partial_pro_rata(void **state)
{
  static const int64_t want[] = {100, -33, -33, -34};
  const char *pl = "{\"refund_of\":\"o1\",\"pts\":-999}";
  pt_env e;
  int64_t a;
  crm_ingest_result r;
  pt_ledger g;
  size_t i;

  (void)state;
  pt_open(&e, NOW, S, "unit = \"points\";");
  a = t_add_customer(e.c, "a");
  pt_ev(e.c, a, "purchase", D(0), 3000, "{\"pts\":100}", "o1");
  r = pt_ev(e.c, a, "refund", D(1), 1000, pl, "r1");
  assert_int_equal(r.points, -33);
  r = pt_ev(e.c, a, "refund", D(1), 1000, pl, "r1");
  assert_int_equal(r.duplicate, 1);
  assert_int_equal(r.points, 0);
  pt_expect(e.c, a, S, 67, 0, 0, 0);
  r = pt_ev(e.c, a, "refund", D(2), 1000, pl, "r2");
  assert_int_equal(r.points, -33);
  pt_expect(e.c, a, S, 34, 0, 0, 0);
  r = pt_ev(e.c, a, "refund", D(3), 1000, pl, "r3");
  assert_int_equal(r.points, -34);
  r = pt_ev(e.c, a, "refund", D(4), 500, pl, "r4");
  assert_int_equal(r.points, 0);
  pt_expect(e.c, a, S, 0, 0, 0, 0);
  g = pt_ledger_of(e.c, a);
  assert_int_equal(g.n, 4);
  for(i = 0; i < 4; i++)
    assert_int_equal(g.points[i], want[i]);
  assert_string_equal(g.note[1], "refund of purchase #1 (10.00 of 30.00 "
                                 "USD)");
  assert_string_equal(g.note[2], "refund of purchase #1 (20.00 of 30.00 "
                                 "USD)");
  assert_string_equal(g.note[3], "refund of purchase #1 (all of it)");
  pt_close(&e);
}

/* o1 10.00 earns 50. Refunds of 7.00 and 7.00 name it: the first takes
 * floor(50 x 700 / 1000) = 35, the second is capped at the purchase
 * amount (14.00 > 10.00): 50 in all, so 15 more. */
static void test_refund_more_than_purchase(void **state)
{
  const char *pl = "{\"refund_of\":\"o1\"}";
  pt_env e;
  int64_t a;
  crm_ingest_result r;

  (void)state;
  pt_open(&e, NOW, S, "unit = \"points\";");
  a = t_add_customer(e.c, "a");
  pt_ev(e.c, a, "purchase", D(0), 1000, "{\"pts\":50}", "o1");
  r = pt_ev(e.c, a, "refund", D(1), 700, pl, "r1");
  assert_int_equal(r.points, -35);
  r = pt_ev(e.c, a, "refund", D(2), 700, pl, "r2");
  assert_int_equal(r.points, -15);
  pt_expect(e.c, a, S, 0, 0, 0, 0);
  pt_close(&e);
}

/* A refund of 5.00 naming o9 before o9 exists is held (nothing taken).
 * o9 20.00 then earns 80 and is reconciled at once: floor(80 x 500 /
 * 2000) = 20 taken back, net 60 for the purchase event. A refund of the
 * rest (amount 0) takes the other 60. */
static void test_refund_before_purchase(void **state)
{
  pt_env e;
  int64_t a;
  crm_ingest_result r, o9;
  pt_ledger g;

  (void)state;
  pt_open(&e, NOW, S, "unit = \"points\";");
  a = t_add_customer(e.c, "a");
  r = pt_ev(e.c, a, "refund", D(0), 500, "{\"refund_of\":\"o9\"}", "r1");
  assert_int_equal(r.points, 0);
  assert_int_equal(pt_sql_int(e.c, "SELECT count(*) FROM points_refunds "
                                   "WHERE original_key = 'o9'"), 1);
  o9 = pt_ev(e.c, a, "purchase", D(1), 2000, "{\"pts\":80}", "o9");
  assert_int_equal(o9.points, 60);
  pt_expect(e.c, a, S, 60, 0, 0, 0);
  g = pt_ledger_of(e.c, a);
  assert_int_equal(g.n, 2);
  pt_line(&g, 0, "earn", 80, 0);
  pt_line(&g, 1, "reverse", -20, 0);
  assert_int_equal(g.event[1], o9.event_id);
  assert_int_equal(g.ref[1], o9.event_id);
  r = pt_ev(e.c, a, "refund", D(2), 0, "{\"refund_of\":\"o9\"}", "r2");
  assert_int_equal(r.points, -60);
  pt_expect(e.c, a, S, 0, 0, 0, 0);
  pt_close(&e);
}

static void adjust(crm *c, int64_t cust, int64_t points, int64_t at,
                   const char *key)
{
  crm_points_op op;

  memset(&op, 0, sizeof(op));
  op.idempotency_key = key;
  op.at = at;
  op.reason = "spent in store";
  if(crm_points_adjust(c, cust, points, &op))
    fail_msg("crm_points_adjust: %s", crm_errmsg(c));
}

/* o1 earns 100; 80 are spent (adjust -80), 20 left. A full refund of o1
 * takes the 20 and records a shortfall of 80. o2 earns 50, all of it
 * paying the shortfall (a reverse line linked to o1; the account stays
 * at 0, 30 owed); o3 earns 40: 30 pay the rest, 10 stay. A second refund
 * naming o1 finds all 100 reversed (20 taken + 80 owed) and takes
 * nothing. */
static void test_refund_after_spend_shortfall(void **state)
{
  pt_env e;
  int64_t a;
  crm_ingest_result o1, r;
  pt_ledger g;

  (void)state;
  pt_open(&e, NOW, S, "unit = \"points\";");
  a = t_add_customer(e.c, "a");
  o1 = pt_ev(e.c, a, "purchase", D(0), 1000, "{\"pts\":100}", "o1");
  adjust(e.c, a, -80, D(1), "spend1");
  pt_expect(e.c, a, S, 20, 0, 0, 0);
  r = pt_ev(e.c, a, "refund", D(2), 0, "{\"refund_of\":\"o1\"}", "r1");
  assert_int_equal(r.points, -20);
  pt_expect(e.c, a, S, 0, 0, 80, 0);
  assert_int_equal(pt_sql_int(e.c, "SELECT amount FROM points_shortfalls"),
                   80);
  r = pt_ev(e.c, a, "purchase", D(3), 500, "{\"pts\":50}", "o2");
  assert_int_equal(r.points, 0);
  pt_expect(e.c, a, S, 0, 0, 30, 0);
  r = pt_ev(e.c, a, "purchase", D(4), 400, "{\"pts\":40}", "o3");
  assert_int_equal(r.points, 10);
  pt_expect(e.c, a, S, 10, 0, 0, 0);
  r = pt_ev(e.c, a, "refund", D(5), 0, "{\"refund_of\":\"o1\"}", "r2");
  assert_int_equal(r.points, 0);
  pt_expect(e.c, a, S, 10, 0, 0, 0);
  g = pt_ledger_of(e.c, a);
  /* earn, adjust, reverse(r1), earn(o2), reverse(o2 pays), earn(o3),
   * reverse(o3 pays) */
  assert_int_equal(g.n, 7);
  pt_line(&g, 2, "reverse", -20, 0);
  pt_line(&g, 4, "reverse", -50, 0);
  pt_line(&g, 6, "reverse", -30, 0);
  assert_int_equal(g.ref[4], o1.event_id);
  assert_int_equal(g.ref[6], o1.event_id);
  assert_string_equal(g.note[4], "shortfall recovered");
  pt_close(&e);
}

/* allow_negative: o1 earns 100, 80 are spent; the full refund takes 100
 * in one line, 20 from the lot and 80 below zero (overdraft 80). o2's 50
 * are absorbed whole (its lot closed, overdraft 30, balance -30); o3's
 * 40 absorb 30 and leave a lot of 10. */
static void test_refund_overdraft(void **state)
{
  pt_env e;
  int64_t a;
  crm_ingest_result r;
  pt_lots l;

  (void)state;
  pt_open(&e, NOW, S, "allow_negative = true;");
  a = t_add_customer(e.c, "a");
  pt_ev(e.c, a, "purchase", D(0), 1000, "{\"pts\":100}", "o1");
  adjust(e.c, a, -80, D(1), "spend1");
  r = pt_ev(e.c, a, "refund", D(2), 0, "{\"refund_of\":\"o1\"}", "r1");
  assert_int_equal(r.points, -100);
  pt_expect(e.c, a, S, -80, 0, 0, 80);
  r = pt_ev(e.c, a, "purchase", D(3), 500, "{\"pts\":50}", "o2");
  assert_int_equal(r.points, 50);
  pt_expect(e.c, a, S, -30, 0, 0, 30);
  r = pt_ev(e.c, a, "purchase", D(4), 400, "{\"pts\":40}", "o3");
  assert_int_equal(r.points, 40);
  pt_expect(e.c, a, S, 10, 0, 0, 0);
  l = pt_lots_of(e.c, a, S, 1);
  assert_int_equal(l.n, 3);
  assert_string_equal(l.state[0], "available");
  assert_int_equal(l.original[0], 40);
  assert_int_equal(l.remaining[0], 10);
  assert_string_equal(l.state[1], "closed");
  assert_string_equal(l.state[2], "closed");
  pt_close(&e);
}

/* pending_days 14: o1 20.00 earns 100 pending, p2 (a day later) 30
 * pending. A refund of 10.00 naming o1 takes floor(100 x 1000 / 2000) =
 * 50 from o1's own pending lot (not the newer p2): pending 80. o1's lot
 * releases its 50 on day 14, p2 its 30 on day 15. */
static void test_refund_of_pending_points(void **state)
{
  pt_env e;
  int64_t a;
  crm_ingest_result r;
  crm_due_stats st;
  pt_lots l;
  pt_ledger g;

  (void)state;
  pt_open(&e, NOW, S, "pending_days = 14;");
  a = t_add_customer(e.c, "a");
  r = pt_ev(e.c, a, "purchase", D(0), 2000, "{\"pts\":100}", "o1");
  assert_int_equal(r.points, 100);
  pt_ev(e.c, a, "purchase", D(1), 300, "{\"pts\":30}", "p2");
  r = pt_ev(e.c, a, "refund", D(2), 1000, "{\"refund_of\":\"o1\"}", "r1");
  assert_int_equal(r.points, -50);
  pt_expect(e.c, a, S, 0, 80, 0, 0);
  g = pt_ledger_of(e.c, a);
  pt_line(&g, 2, "reverse", 0, -50);
  l = pt_lots_of(e.c, a, S, 0);
  assert_int_equal(l.n, 2);
  assert_int_equal(l.remaining[0], 50);
  assert_int_equal(l.release_at[0], D(14));
  assert_int_equal(l.remaining[1], 30);
  assert_int_equal(crm_points_process_due(e.c, D(14), &st), CRM_OK);
  assert_int_equal(st.lots_released, 1);
  assert_int_equal(st.points_released, 50);
  pt_expect(e.c, a, S, 50, 30, 0, 0);
  assert_int_equal(crm_points_process_due(e.c, D(15), &st), CRM_OK);
  pt_expect(e.c, a, S, 80, 0, 0, 0);
  pt_close(&e);
}

/* A plugin without CORE_REFUNDS answers negative points itself; the core
 * takes them from pending lots, newest release first, then available
 * ones (pending_days 14):
 *   p1 day 0: 100 pending (release day 14); p2 day 1: 60 pending (day
 *   15); p3 day 2: 30 available at once (pending_until -1).
 *   -80 on day 3: p2's 60 then 20 of p1 -> pending 80, balance 30.
 *   -200 on day 4: p1's 80 pending, p3's 30 available, 90 short.
 *   p4 day 5: 100 available; 90 pay the shortfall (linked to the -200
 *   event), 10 stay.
 * A refund naming p4 is not reconciled by the core in this scheme: the
 * plugin's 0 points stand. */
static void test_plugin_negative_points(void **state)
{
  pt_env e;
  int64_t a;
  crm_ingest_result r, n2;
  pt_lots l;
  pt_ledger g;

  (void)state;
  pt_open(&e, NOW, SP, "pending_days = 14;");
  a = t_add_customer(e.c, "a");
  pt_ev(e.c, a, "purchase", D(0), 1000, "{\"pts\":100}", "p1");
  pt_ev(e.c, a, "purchase", D(1), 600, "{\"pts\":60}", "p2");
  pt_ev(e.c, a, "purchase", D(2), 300, "{\"pts\":30,\"pending_until\":-1}",
        "p3");
  pt_expect(e.c, a, SP, 30, 160, 0, 0);
  r = pt_ev(e.c, a, "refund", D(3), 800, "{\"pts\":-80}", "n1");
  assert_int_equal(r.points, -80);
  pt_expect(e.c, a, SP, 30, 80, 0, 0);
  l = pt_lots_of(e.c, a, SP, 1);
  assert_int_equal(l.n, 3);
  assert_string_equal(l.state[0], "available"); /* p3 */
  assert_int_equal(l.remaining[0], 30);
  assert_string_equal(l.state[1], "pending"); /* p1 */
  assert_int_equal(l.remaining[1], 80);
  assert_string_equal(l.state[2], "closed"); /* p2 */
  n2 = pt_ev(e.c, a, "refund", D(4), 2000, "{\"pts\":-200}", "n2");
  assert_int_equal(n2.points, -110);
  pt_expect(e.c, a, SP, 0, 0, 90, 0);
  r = pt_ev(e.c, a, "purchase", D(5), 1000,
            "{\"pts\":100,\"pending_until\":-1}", "p4");
  assert_int_equal(r.points, 10);
  pt_expect(e.c, a, SP, 10, 0, 0, 0);
  g = pt_ledger_of(e.c, a);
  /* earn x3 (pending, pending, earn), reverse, reverse, earn, reverse */
  assert_int_equal(g.n, 7);
  pt_line(&g, 3, "reverse", 0, -80);
  pt_line(&g, 4, "reverse", -30, -80);
  pt_line(&g, 5, "earn", 100, 0);
  pt_line(&g, 6, "reverse", -90, 0);
  assert_int_equal(g.ref[6], n2.event_id);
  r = pt_ev(e.c, a, "refund", D(6), 0, "{\"refund_of\":\"p4\"}", "r4");
  assert_int_equal(r.points, 0);
  pt_expect(e.c, a, SP, 10, 0, 0, 0);
  pt_close(&e);
}

/* refund_of must name a purchase of the same customer by its key: a
 * string of at most 128 bytes. Refused events leave nothing behind. */
static void test_refund_of_refused(void **state)
{
  char longpl[200];
  pt_env e;
  int64_t a, b;

  (void)state;
  pt_open(&e, NOW, S, "unit = \"points\";");
  a = t_add_customer(e.c, "a");
  b = t_add_customer(e.c, "b");
  pt_ev(e.c, a, "purchase", D(0), 1000, "{\"pts\":10}", "pa");
  pt_ev(e.c, a, "contact", D(0), 0, NULL, "ca");
  pt_ev_fails(e.c, b, "refund", D(1), 100, "{\"refund_of\":\"pa\"}", "rb",
              CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "refund_of \"pa\" names a purchase of "
                      "another customer");
  pt_ev_fails(e.c, a, "refund", D(1), 100, "{\"refund_of\":\"ca\"}", "ra",
              CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "refund_of \"ca\" names a contact "
                      "event, not a purchase");
  pt_ev_fails(e.c, a, "refund", D(1), 100, "{\"refund_of\":12}", "ra",
              CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "refund_of must be a string: the "
                      "idempotency key of the purchase");
  snprintf(longpl, sizeof(longpl), "{\"refund_of\":\"%0129d\"}", 7);
  pt_ev_fails(e.c, a, "refund", D(1), 100, longpl, "ra", CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "refund_of is longer than 128 bytes "
                      "(the longest idempotency key)");
  assert_int_equal(pt_sql_int(e.c, "SELECT count(*) FROM points_refunds"),
                   0);
  assert_int_equal(pt_sql_int(e.c, "SELECT count(*) FROM events WHERE "
                                   "type = 'refund'"), 0);
  pt_expect(e.c, a, S, 10, 0, 0, 0);
  pt_close(&e);
}

/* The activity of refund event r as "points credits count spend" and
 * whether all its rows are dated d. */
static void activity_of(crm *c, int64_t r, int64_t d, char *buf,
                        size_t size)
{
  sqlite3_stmt *st;

  assert_int_equal(sqlite3_prepare_v2(c->db, "SELECT printf('%d %d %d %d %d',"
                   " sum(points), sum(credits), sum(count), sum(spend),"
                   " min(at = ?2)) FROM points_activity WHERE event_id = ?1",
                   -1, &st, NULL), SQLITE_OK);
  sqlite3_bind_int64(st, 1, r);
  sqlite3_bind_int64(st, 2, d);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
}

/* The refunded share of the purchase's tier activity is booked by the
 * core at the purchase's time, every measure pro rata like the points;
 * the plugin's answer for the refund (poison credits and count) is
 * ignored. o1 30.00: 100 base points, 3000 credits, count 3.
 *   r1 10.00: floor(x / 3) of each: -33 points, -1000 credits, -1 count,
 *      -10.00 spend;
 *   r2 10.00: 66, 2000, 2, 20.00 in all: -33, -1000, -1, -10.00 more;
 *   r3 amount 0 (the rest): -34, -1000, -1, -10.00.
 * Nothing is left in the window and spend is taken back once. */
static void test_refund_activity(void **state)
{
  const char *pl = "{\"refund_of\":\"o1\",\"credits\":-999,\"count\":-9,"
                   "\"pts\":-5}";
  pt_env e;
  int64_t a;
  crm_ingest_result r1, r2, r3;
  char got[64];

  (void)state;
  pt_open(&e, NOW, S, "unit = \"points\";");
  a = t_add_customer(e.c, "a");
  pt_ev(e.c, a, "purchase", D(0), 3000,
        "{\"pts\":100,\"credits\":3000,\"count\":3}", "o1");
  r1 = pt_ev(e.c, a, "refund", D(5), 1000, pl, "r1");
  activity_of(e.c, 1, D(0), got, sizeof(got));
  assert_string_equal(got, "100 3000 3 3000 1");
  activity_of(e.c, r1.event_id, D(0), got, sizeof(got));
  assert_string_equal(got, "-33 -1000 -1 -1000 1");
  r2 = pt_ev(e.c, a, "refund", D(6), 1000, pl, "r2");
  activity_of(e.c, r2.event_id, D(0), got, sizeof(got));
  assert_string_equal(got, "-33 -1000 -1 -1000 1");
  r3 = pt_ev(e.c, a, "refund", D(7), 0, pl, "r3");
  activity_of(e.c, r3.event_id, D(0), got, sizeof(got));
  assert_string_equal(got, "-34 -1000 -1 -1000 1");
  assert_int_equal(pt_sql_int(e.c, "SELECT abs(sum(points)) + abs(sum("
                                   "credits)) + abs(sum(count)) + abs(sum("
                                   "spend)) FROM points_activity"), 0);
  pt_close(&e);
}

/* A plugin without CORE_REFUNDS still reports its own activity for a
 * refund: its credits and count stand, spend is -amount. */
static void test_refund_activity_plain(void **state)
{
  pt_env e;
  int64_t a;
  crm_ingest_result r;
  char got[64];

  (void)state;
  pt_open(&e, NOW, SP, "unit = \"points\";");
  a = t_add_customer(e.c, "a");
  pt_ev(e.c, a, "purchase", D(0), 3000,
        "{\"pts\":100,\"credits\":3000,\"count\":3}", "o1");
  r = pt_ev(e.c, a, "refund", D(5), 1000,
            "{\"refund_of\":\"o1\",\"credits\":-999,\"count\":-1,"
            "\"pts\":-20}", "r1");
  assert_int_equal(r.points, -20);
  activity_of(e.c, r.event_id, D(0), got, sizeof(got));
  assert_string_equal(got, "-20 -999 -1 -1000 1");
  pt_close(&e);
}

/* Tier farming through a refund: gold at 100 base points (x1.5). o1
 * earns 150 and reaches gold; it is refunded in full the next day: the
 * 150 come back and gold is undone at once, so o2 earns 50 with no
 * bonus. */
static void test_refund_undoes_tier(void **state)
{
  pt_env e;
  int64_t a;
  crm_ingest_result r;
  crm_points_account acc;

  (void)state;
  pt_open(&e, NOW, S,
          "tiers = { levels = ( { name = \"base\"; },"
          " { name = \"gold\"; points = 100; multiplier = 1.5; } ); };");
  a = t_add_customer(e.c, "a");
  r = pt_ev(e.c, a, "purchase", D(0), 1000, "{\"pts\":150}", "o1");
  assert_int_equal(r.points, 150);
  assert_string_equal(pt_acc(e.c, a, S).tier, "gold");
  r = pt_ev(e.c, a, "refund", D(1), 0, "{\"refund_of\":\"o1\"}", "r1");
  assert_int_equal(r.points, -150);
  acc = pt_acc(e.c, a, S);
  assert_string_equal(acc.tier, "base");
  assert_int_equal(acc.tier_review_at, 0);
  assert_int_equal(pt_sql_int(e.c, "SELECT count(*) FROM tier_changes WHERE"
                                   " to_tier = 'base' AND reason LIKE "
                                   "'upgrade undone: %'"), 1);
  r = pt_ev(e.c, a, "purchase", D(2), 1000, "{\"pts\":50}", "o2");
  assert_int_equal(r.points, 50);
  pt_expect(e.c, a, S, 50, 0, 0, 0);
  pt_close(&e);
}

/* Ingests a money event in `currency`; returns crm_event_ingest's rc. */
static int ingest_in(crm *c, int64_t cust, const char *type, int64_t at,
                     int64_t amount, const char *currency,
                     const char *payload, const char *key)
{
  crm_event ev;
  crm_ingest_result r;

  memset(&ev, 0, sizeof(ev));
  ev.type = type;
  ev.customer_id = cust;
  ev.occurred_at = at;
  ev.amount = amount;
  ev.currency = currency;
  ev.payload = payload;
  ev.idempotency_key = key;
  return crm_event_ingest(c, &ev, &r);
}

/* A refund in another currency than its purchase is refused at ingest:
 * 5.00 JPY is no share of 10.00 USD. Nothing is stored. A refund held
 * before its purchase cannot be refused then: its amount in another
 * currency counts for nothing (a cancel still takes all). */
static void test_refund_currency(void **state)
{
  pt_env e;
  int64_t a;
  crm_ingest_result r;

  (void)state;
  pt_open(&e, NOW, S, "unit = \"points\";");
  a = t_add_customer(e.c, "a");
  pt_ev(e.c, a, "purchase", D(0), 1000, "{\"pts\":100}", "o1");
  assert_int_equal(ingest_in(e.c, a, "refund", D(1), 500, "JPY",
                             "{\"refund_of\":\"o1\"}", "rj"), CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "refund currency JPY is not the "
                      "currency of purchase \"o1\" (USD)");
  assert_int_equal(ingest_in(e.c, a, "cancel", D(1), 0, "EUR",
                             "{\"refund_of\":\"o1\"}", "cj"), CRM_EINVAL);
  assert_int_equal(pt_sql_int(e.c, "SELECT count(*) FROM points_refunds"),
                   0);
  assert_int_equal(pt_sql_int(e.c, "SELECT count(*) FROM events WHERE "
                                   "type IN ('refund', 'cancel')"), 0);
  pt_expect(e.c, a, S, 100, 0, 0, 0);
  /* the same currency goes through: floor(100 x 500 / 1000) */
  assert_int_equal(ingest_in(e.c, a, "refund", D(1), 500, "USD",
                             "{\"refund_of\":\"o1\"}", "ru"), 0);
  pt_expect(e.c, a, S, 50, 0, 0, 0);
  /* held */
  assert_int_equal(ingest_in(e.c, a, "refund", D(2), 500, "JPY",
                             "{\"refund_of\":\"o9\"}", "rh"), 0);
  r = pt_ev(e.c, a, "purchase", D(3), 2000, "{\"pts\":80}", "o9");
  assert_int_equal(r.points, 80);
  r = pt_ev(e.c, a, "cancel", D(4), 0, "{\"refund_of\":\"o9\"}", "c9");
  assert_int_equal(r.points, -80);
  pt_expect(e.c, a, S, 50, 0, 0, 0);
  pt_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_refund_full_and_cancel),
    cmocka_unit_test(test_refund_partial_pro_rata),
    cmocka_unit_test(test_refund_more_than_purchase),
    cmocka_unit_test(test_refund_before_purchase),
    cmocka_unit_test(test_refund_after_spend_shortfall),
    cmocka_unit_test(test_refund_overdraft),
    cmocka_unit_test(test_refund_of_pending_points),
    cmocka_unit_test(test_plugin_negative_points),
    cmocka_unit_test(test_refund_of_refused),
    cmocka_unit_test(test_refund_activity),
    cmocka_unit_test(test_refund_activity_plain),
    cmocka_unit_test(test_refund_undoes_tier),
    cmocka_unit_test(test_refund_currency),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
