/*
 * test_plugin_dealer_rebate.c - the dealer_rebate reward plugin in
 * isolation (fake host).
 *
 * Bands throughout unless a test says otherwise: 0 cars -> 0 %,
 * 50 -> 1.5 % (150 bp), 100 -> 2.5 % (250 bp); currency EUR; amounts in
 * cents. Every expected number below is worked out in its comment.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "test_plugin_fake.h"

/* UTC instants, checked with date -u -d ... +%s */
#define T2026 1767225600LL /* 2026-01-01T00:00:00Z */
#define T2027 1798761600LL /* 2027-01-01T00:00:00Z */
#define T2028 1830297600LL /* 2028-01-01T00:00:00Z */
#define DAY 86400LL
#define MID2026 (T2026 + 100 * DAY) /* 2026-04-11, Q2 */
/* 2026's settlement: 2027-01-01 + 30 days = 2027-01-31T00:00:00Z */
#define SETTLE2026 1801353600LL
/* 2027's: 2028-01-31T00:00:00Z */
#define SETTLE2027 1832889600LL
#define FLAGS (CRM_RESULT_NO_MULTIPLIER | CRM_RESULT_NO_CAP)

static crm_host_ctx host;

static int setup(void **state)
{
  (void)state;
  fake_reset(&host);
  return 0;
}

static void bands(size_t n, const int64_t *from, const double *pct)
{
  char path[48];
  size_t i;

  for(i = 0; i < n; i++) {
    snprintf(path, sizeof(path), "bands.[%zu].from", i);
    fake_cfg_int(&host, path, from[i]);
    snprintf(path, sizeof(path), "bands.[%zu].percent", i);
    fake_cfg_float(&host, path, pct[i]);
  }
}

/* 0 -> 0 %, 50 -> 1.5 %, 100 -> 2.5 %, EUR. */
static void std_bands(void)
{
  static const int64_t from[] = {0, 50, 100};
  static const double pct[] = {0, 1.5, 2.5};

  bands(3, from, pct);
  fake_cfg_str(&host, "currency", "EUR");
}

static void load_std(void)
{
  std_bands();
  assert_int_equal(fake_load(&host, "dealer_rebate"), CRM_OK);
}

/* Runs one event of `customer` at `at`; returns on_event's code. */
static int ev(const char *type, int64_t customer, int64_t at, int64_t cars,
              int64_t amount, const char *currency, const char *key,
              const char *refund_of, crm_reward_result *out)
{
  const crm_reward_v1 *vt = fake_vtable(&host, CRM_KIND_REWARD);
  crm_event_view e;
  crm_customer_view cv;

  memset(&e, 0, sizeof(e));
  e.struct_size = sizeof(e);
  e.event_id = 1;
  e.customer_id = customer;
  e.type = type;
  e.occurred_at = at;
  e.amount = amount;
  e.currency = currency;
  e.quantity = cars;
  e.idempotency_key = key;
  e.refund_of = refund_of;
  memset(&cv, 0, sizeof(cv));
  cv.struct_size = sizeof(cv);
  cv.customer_id = customer;
  memset(out, 0, sizeof(*out));
  out->struct_size = sizeof(*out);
  out->points = 12345; /* must be overwritten */
  return vt->on_event(host.state, &host, &e, &cv, out);
}

static int buy(int64_t at, int64_t cars, int64_t amount, const char *key,
               crm_reward_result *out)
{
  return ev("purchase", 7, at, cars, amount, "EUR", key, NULL, out);
}

static int ret(const char *type, int64_t at, int64_t cars, int64_t amount,
               const char *key, const char *of, crm_reward_result *out)
{
  return ev(type, 7, at, cars, amount, "EUR", key, of, out);
}

static void test_descriptor(void **state)
{
  const crm_plugin_desc *d;
  const crm_reward_v1 *vt;

  (void)state;
  d = fake_open(&host, "dealer_rebate");
  assert_string_equal(d->name, "dealer_rebate");
  assert_int_equal(d->n_components, 1);
  assert_string_equal(d->components[0]->name, "dealer_rebate");
  assert_int_equal(d->components[0]->kind, CRM_KIND_REWARD);
  vt = d->components[0]->vtable;
  assert_true(vt->struct_size >= offsetof(crm_reward_v1, flags) +
                                     sizeof(vt->flags));
  /* returns are computed by the plugin (retroactive), not the core */
  assert_int_equal(vt->flags & CRM_REWARD_CORE_REFUNDS, 0);
}

/* Cars 1..49 at 20,000.00 each earn nothing (band 0 %). The 50th car at
 * 24,690.00 lifts the year to 50 cars and 49 x 2,000,000 + 2,469,000 =
 * 100,469,000 cents: 1.5 % of all of it at once, floor(100,469,000 x 150
 * / 10000) = 1,507,035. Cars 51..99 at 20,000.00 each add 1.5 % of
 * 2,000,000 = 30,000. The 100th car (20,000.00) makes 200,469,000 cents
 * at 2.5 % = 5,011,725; before it 198,469,000 at 1.5 % = 2,977,035, so it
 * brings 2,034,690. Sum: 1,507,035 + 49 x 30,000 + 2,034,690 = 5,011,725. */
static void test_retroactive_bands(void **state)
{
  crm_reward_result r;
  char key[16];
  int64_t sum = 0;
  int i;

  (void)state;
  load_std();
  for(i = 1; i <= 49; i++) {
    snprintf(key, sizeof(key), "c%d", i);
    assert_int_equal(buy(MID2026, 1, 2000000, key, &r), CRM_OK);
    assert_int_equal(r.points, 0);
  }
  assert_string_equal(r.note, "2026: 49 cars, band 0+ 0%, accrued 0.00 "
                              "(+0.00)");
  assert_int_equal(buy(MID2026, 1, 2469000, "c50", &r), CRM_OK);
  assert_int_equal(r.points, 1507035);
  assert_string_equal(r.note, "2026: 50 cars, band 50+ 1.5%, accrued "
                              "15070.35 (+15070.35)");
  assert_int_equal(r.pending_until, SETTLE2026);
  assert_int_equal(r.expires_at, -1);
  assert_int_equal(r.flags, FLAGS);
  assert_int_equal(r.tier_count, 1);
  assert_int_equal(r.tier_credits, 0);
  sum += r.points;
  for(i = 51; i <= 99; i++) {
    snprintf(key, sizeof(key), "c%d", i);
    assert_int_equal(buy(MID2026, 1, 2000000, key, &r), CRM_OK);
    assert_int_equal(r.points, 30000);
    sum += r.points;
  }
  assert_int_equal(buy(MID2026, 1, 2000000, "c100", &r), CRM_OK);
  assert_int_equal(r.points, 2034690);
  assert_string_equal(r.note, "2026: 100 cars, band 100+ 2.5%, accrued "
                              "50117.25 (+20346.90)");
  sum += r.points;
  assert_int_equal(sum, 5011725);
  assert_string_equal(fake_kv_find(&host, "y:7:2026"),
                      "100 200469000 5011725");
  assert_string_equal(fake_kv_find(&host, "q:7:2026:2"),
                      "100 200469000 5011725");
  assert_string_equal(fake_kv_find(&host, "p:c50"),
                      "2026 2 1 2469000 0 0 7");
  assert_int_equal(host.n_logs, 0);
  fake_unload(&host);
}

/* One order can jump a band: 60 cars for 120,000,000 -> 1.5 % =
 * 1,800,000 in one go. Floor: 50 cars for 100,000,033 cents -> 1.5 % =
 * 1,500,000.495 -> 1,500,000; 67 cents more (no car) make 100,000,100 ->
 * 1,500,001.5 -> 1,500,001: +1. */
static void test_jump_and_floor(void **state)
{
  crm_reward_result r;

  (void)state;
  load_std();
  assert_int_equal(ev("purchase", 8, MID2026, 60, 120000000, "EUR", "big",
                      NULL, &r), CRM_OK);
  assert_int_equal(r.points, 1800000);
  assert_int_equal(r.tier_count, 60);
  assert_int_equal(buy(MID2026, 50, 100000033, "f1", &r), CRM_OK);
  assert_int_equal(r.points, 1500000);
  assert_int_equal(buy(MID2026, 0, 67, "f2", &r), CRM_OK);
  assert_int_equal(r.points, 1);
  assert_int_equal(r.tier_count, 0);
  assert_string_equal(fake_kv_find(&host, "y:7:2026"),
                      "50 100000100 1500001");
  assert_string_equal(fake_kv_find(&host, "y:8:2026"),
                      "60 120000000 1800000");
  fake_unload(&host);
}

/* 49 cars for 98,000,000 (0) then 1 for 2,469,000 (+1,507,035). Returning
 * that car (refund of 2,469,000, quantity 1) drops the year to 49 cars:
 * the band is 0 % again and the whole retroactive rebate goes back. */
static void test_return_at_band_edge(void **state)
{
  crm_reward_result r;

  (void)state;
  load_std();
  assert_int_equal(buy(T2026 + 10 * DAY, 49, 98000000, "a", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(buy(T2026 + 20 * DAY, 1, 2469000, "b", &r), CRM_OK);
  assert_int_equal(r.points, 1507035);
  assert_int_equal(ret("refund", T2026 + 40 * DAY, 1, 2469000, "rb", "b",
                       &r), CRM_OK);
  assert_int_equal(r.points, -1507035);
  assert_int_equal(r.tier_count, -1);
  assert_int_equal(r.pending_until, SETTLE2026);
  assert_int_equal(r.expires_at, -1);
  assert_int_equal(r.flags, FLAGS);
  assert_string_equal(r.note, "2026: 49 cars, band 0+ 0%, accrued 0.00 "
                              "(-15070.35), refund of b");
  assert_string_equal(fake_kv_find(&host, "y:7:2026"), "49 98000000 0");
  assert_string_equal(fake_kv_find(&host, "p:b"),
                      "2026 1 1 2469000 1 2469000 7");
  fake_unload(&host);
}

/* Same 50 cars (100,469,000, accrued 1,507,035). A price reduction of
 * 4,690.00 on car b, no car returned: 50 cars, 100,000,000 at 1.5 % =
 * 1,500,000, so -7,035, tier_count 0. */
static void test_price_reduction(void **state)
{
  crm_reward_result r;

  (void)state;
  load_std();
  assert_int_equal(buy(MID2026, 49, 98000000, "a", &r), CRM_OK);
  assert_int_equal(buy(MID2026, 1, 2469000, "b", &r), CRM_OK);
  assert_int_equal(r.points, 1507035);
  assert_int_equal(ret("refund", MID2026, 0, 469000, "rb", "b", &r),
                   CRM_OK);
  assert_int_equal(r.points, -7035);
  assert_int_equal(r.tier_count, 0);
  assert_string_equal(fake_kv_find(&host, "y:7:2026"),
                      "50 100000000 1500000");
  assert_string_equal(fake_kv_find(&host, "p:b"),
                      "2026 2 1 2469000 0 469000 7");
  fake_unload(&host);
}

/* 60 cars for 120,000,000 earn 1,800,000. Returning 10 of them with
 * 20,000,000: 50 cars, 100,000,000 -> 1,500,000: -300,000. Cancelling the
 * order returns what is left (50 cars, 100,000,000): 0 -> -1,500,000. A
 * further refund finds nothing left: 0, noted. Refund amount 0 = all that
 * is left, like a cancel. */
static void test_cancel_and_refund_all(void **state)
{
  crm_reward_result r;

  (void)state;
  load_std();
  assert_int_equal(buy(MID2026, 60, 120000000, "o", &r), CRM_OK);
  assert_int_equal(r.points, 1800000);
  assert_int_equal(ret("refund", MID2026, 10, 20000000, "r1", "o", &r),
                   CRM_OK);
  assert_int_equal(r.points, -300000);
  assert_int_equal(r.tier_count, -10);
  assert_int_equal(ret("cancel", MID2026, 0, 0, "r2", "o", &r), CRM_OK);
  assert_int_equal(r.points, -1500000);
  assert_int_equal(r.tier_count, -50);
  assert_string_equal(r.note, "2026: 0 cars, band 0+ 0%, accrued 0.00 "
                              "(-15000.00), cancel of o");
  assert_int_equal(ret("refund", MID2026, 1, 100, "r3", "o", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(r.tier_count, 0);
  assert_non_null(strstr(r.note, "nothing left"));
  assert_string_equal(fake_kv_find(&host, "y:7:2026"), "0 0 0");
  /* refund with amount 0: everything left of p (55 cars, 110,000,000 ->
   * 1,650,000 earned, all back) */
  assert_int_equal(buy(MID2026, 55, 110000000, "p", &r), CRM_OK);
  assert_int_equal(r.points, 1650000);
  assert_int_equal(ret("refund", MID2026, 0, 0, "r4", "p", &r), CRM_OK);
  assert_int_equal(r.points, -1650000);
  assert_int_equal(r.tier_count, -55);
  fake_unload(&host);
}

/* A second refund of a car must not return more than was bought: car b
 * (1 car, 2,469,000) refunded as 2 cars and 5,000,000 is clamped to 1 car
 * and 2,469,000 (-1,507,035, as at the band edge); its next refund is 0. */
static void test_clamp(void **state)
{
  crm_reward_result r;

  (void)state;
  load_std();
  assert_int_equal(buy(MID2026, 49, 98000000, "a", &r), CRM_OK);
  assert_int_equal(buy(MID2026, 1, 2469000, "b", &r), CRM_OK);
  assert_int_equal(ret("refund", MID2026, 2, 5000000, "r1", "b", &r),
                   CRM_OK);
  assert_int_equal(r.points, -1507035);
  assert_int_equal(r.tier_count, -1);
  assert_non_null(strstr(r.note, "clamped"));
  assert_int_equal(ret("refund", MID2026, 1, 2469000, "r2", "b", &r),
                   CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(r.tier_count, 0);
  assert_string_equal(fake_kv_find(&host, "y:7:2026"), "49 98000000 0");
  /* a partial over-refund: 1 of 49 cars with more money than is left of
   * a is clamped on the amount only: 48 cars, 0 left -> 0 */
  assert_int_equal(ret("refund", MID2026, 1, 99000000, "r3", "a", &r),
                   CRM_OK);
  assert_int_equal(r.tier_count, -1);
  assert_non_null(strstr(r.note, "clamped"));
  assert_string_equal(fake_kv_find(&host, "y:7:2026"), "48 0 0");
  fake_unload(&host);
}

/* 49 cars on 31 Dec 2026, the 50th at 23:59:59 (+1,507,035 for 2026).
 * Returned on 10 Jan 2027: booked to 2026 (-1,507,035, 2026's settlement
 * date), 2027 untouched. A 2027 purchase starts a new year: 1 car, 0 %,
 * settled 2028-01-31. */
static void test_return_next_january(void **state)
{
  crm_reward_result r;

  (void)state;
  load_std();
  assert_int_equal(buy(T2027 - DAY, 49, 98000000, "a", &r), CRM_OK);
  assert_int_equal(buy(T2027 - 1, 1, 2469000, "b", &r), CRM_OK);
  assert_int_equal(r.points, 1507035);
  assert_int_equal(r.pending_until, SETTLE2026);
  assert_int_equal(ret("refund", T2027 + 9 * DAY, 1, 2469000, "rb", "b",
                       &r), CRM_OK);
  assert_int_equal(r.points, -1507035);
  assert_int_equal(r.pending_until, SETTLE2026);
  assert_int_equal(strncmp(r.note, "2026: 49 cars", 13), 0);
  assert_string_equal(fake_kv_find(&host, "y:7:2026"), "49 98000000 0");
  assert_string_equal(fake_kv_find(&host, "q:7:2026:4"), "49 98000000 0");
  assert_null(fake_kv_find(&host, "y:7:2027"));
  assert_null(fake_kv_find(&host, "q:7:2027:1"));
  assert_int_equal(buy(T2027 + 9 * DAY, 1, 2000000, "c", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(r.pending_until, SETTLE2027);
  assert_string_equal(r.note, "2027: 1 cars, band 0+ 0%, accrued 0.00 "
                              "(+0.00)");
  fake_unload(&host);
}

/* 30 cars at the last second of 2026 and 30 at the first of 2027: two
 * years of 30, neither in a band. 20 more in 2027 (40,000,000) make 2027
 * 50 cars, 100,000,000 -> 1,500,000 on 2027's amount only. Another
 * dealer's cars do not count. */
static void test_year_separation(void **state)
{
  crm_reward_result r;

  (void)state;
  load_std();
  assert_int_equal(buy(T2027 - 1, 30, 60000000, "y1", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(buy(T2027, 30, 60000000, "y2", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(ev("purchase", 8, T2027, 40, 80000000, "EUR", "o8",
                      NULL, &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(buy(T2027 + DAY, 20, 40000000, "y3", &r), CRM_OK);
  assert_int_equal(r.points, 1500000);
  assert_int_equal(r.pending_until, SETTLE2027);
  assert_string_equal(fake_kv_find(&host, "y:7:2026"), "30 60000000 0");
  assert_string_equal(fake_kv_find(&host, "y:7:2027"),
                      "50 100000000 1500000");
  assert_string_equal(fake_kv_find(&host, "y:8:2027"), "40 80000000 0");
  assert_string_equal(fake_kv_find(&host, "q:7:2026:4"), "30 60000000 0");
  assert_string_equal(fake_kv_find(&host, "q:7:2027:1"),
                      "50 100000000 1500000");
  fake_unload(&host);
}

/* Quarter counters hold what is booked to each quarter; a return goes to
 * its purchase's quarter. Q1: 49 cars 98,000,000 (0); Q3: 1 car 2,469,000
 * (+1,507,035). One car of the Q1 order returned in Q4 (2,000,000): the
 * year is 49 cars, 98,469,000, 0 % -> -1,507,035 booked to Q1. The
 * quarters' rebates add up to the year's accrued: -1,507,035 + 1,507,035
 * = 0. */
static void test_quarters(void **state)
{
  crm_reward_result r;

  (void)state;
  load_std();
  assert_int_equal(buy(T2026 + 10 * DAY, 49, 98000000, "a", &r), CRM_OK);
  assert_int_equal(buy(T2026 + 200 * DAY, 1, 2469000, "b", &r), CRM_OK);
  assert_string_equal(fake_kv_find(&host, "q:7:2026:1"), "49 98000000 0");
  assert_string_equal(fake_kv_find(&host, "q:7:2026:3"),
                      "1 2469000 1507035");
  assert_int_equal(ret("refund", T2026 + 300 * DAY, 1, 2000000, "ra", "a",
                       &r), CRM_OK);
  assert_int_equal(r.points, -1507035);
  assert_string_equal(fake_kv_find(&host, "q:7:2026:1"),
                      "48 96000000 -1507035");
  assert_string_equal(fake_kv_find(&host, "q:7:2026:3"),
                      "1 2469000 1507035");
  assert_null(fake_kv_find(&host, "q:7:2026:4"));
  assert_string_equal(fake_kv_find(&host, "y:7:2026"), "49 98469000 0");
  fake_unload(&host);
}

/* settle_days: 0 -> 2027-01-01 itself; 90 -> 2027-04-01 (1806537600). */
static void test_settle_days(void **state)
{
  crm_reward_result r;

  (void)state;
  std_bands();
  fake_cfg_int(&host, "settle_days", 0);
  assert_int_equal(fake_load(&host, "dealer_rebate"), CRM_OK);
  assert_int_equal(buy(MID2026, 1, 100, "s1", &r), CRM_OK);
  assert_int_equal(r.pending_until, T2027);
  fake_unload(&host);
  fake_reset(&host);
  std_bands();
  fake_cfg_int(&host, "settle_days", 90);
  assert_int_equal(fake_load(&host, "dealer_rebate"), CRM_OK);
  assert_int_equal(buy(MID2026, 1, 100, "s1", &r), CRM_OK);
  assert_int_equal(r.pending_until, 1806537600LL);
  fake_unload(&host);
}

/* Percent to basis points exactly: 2.55 (2.55 x 100 is 254.99999... in
 * binary) is 255 bp: 50 cars for 100,000,000 -> 2,550,000. An integer
 * percent (3, written without a decimal point) is 300 bp. */
static void test_percent_exact(void **state)
{
  static const int64_t from[] = {0, 50};
  static const double pct[] = {0, 2.55};
  crm_reward_result r;

  (void)state;
  bands(2, from, pct);
  fake_cfg_int(&host, "bands.[2].from", 100);
  fake_cfg_int(&host, "bands.[2].percent", 3);
  assert_int_equal(fake_load(&host, "dealer_rebate"), CRM_OK);
  assert_int_equal(buy(MID2026, 50, 100000000, "e1", &r), CRM_OK);
  assert_int_equal(r.points, 2550000);
  assert_string_equal(r.note, "2026: 50 cars, band 50+ 2.55%, accrued "
                              "25500.00 (+25500.00)");
  /* 100 cars, 200,000,000 at 3 % = 6,000,000: +3,450,000 */
  assert_int_equal(buy(MID2026, 50, 100000000, "e2", &r), CRM_OK);
  assert_int_equal(r.points, 3450000);
  assert_non_null(strstr(r.note, "band 100+ 3%"));
  fake_unload(&host);
}

/* Asserts an all-zero result with this note and one more warning in the
 * log (the fake host does not keep the level; the plugin logs these at
 * CRM_LOG_WARN) saying `log`. */
static void zero_with_warning(const crm_reward_result *r, const char *note,
                              int *logs, const char *log)
{
  assert_int_equal(r->points, 0);
  assert_int_equal(r->pending_until, 0);
  assert_int_equal(r->expires_at, 0);
  assert_int_equal(r->tier_credits, 0);
  assert_int_equal(r->tier_count, 0);
  assert_int_equal(r->flags, 0);
  assert_string_equal(r->note, note);
  assert_int_equal(host.n_logs, ++*logs);
  assert_string_equal(host.last_log, log);
}

/* Events the rebate cannot count are not refused (that would lose them
 * for every other scheme and the customer's totals): they earn 0, with a
 * note and a warning, and change nothing stored. A purchase of 50 cars
 * for 1,000,000.00 EUR accrues 1.5 % = 15,000.00 (1,500,000 cents). */
static void test_unattributable(void **state)
{
  crm_reward_result r;
  char longkey[140];
  int logs = 0;

  (void)state;
  load_std();
  assert_int_equal(buy(MID2026, 50, 100000000, "a", &r), CRM_OK);
  assert_int_equal(r.points, 1500000);
  assert_int_equal(host.n_kv, 3); /* p:a, y:7:2026, q:7:2026:2 */
  assert_int_equal(host.n_logs, 0);
  /* a purchase in another currency: a real purchase, not rebate volume */
  assert_int_equal(ev("purchase", 7, MID2026, 1, 100000, "USD", "u", NULL,
                      &r), CRM_OK);
  zero_with_warning(&r, "purchase in USD: not counted (EUR only), 0", &logs,
                    "dealer_rebate: purchase u of customer 7 earns 0: it "
                    "is in USD and the rebate counts EUR only (convert the "
                    "amount before ingesting)");
  /* a refund naming no purchase */
  assert_int_equal(ret("refund", MID2026, 1, 100, "r0", NULL, &r), CRM_OK);
  zero_with_warning(&r, "refund naming no purchase: cannot be attributed "
                    "to a year, 0", &logs, "dealer_rebate: refund r0 of "
                    "customer 7 earns 0: it names no purchase (payload "
                    "refund_of), so it cannot be attributed to a year");
  /* ... naming a purchase not counted here (before enrolment) */
  assert_int_equal(ret("refund", MID2026, 1, 100, "r1", "nope", &r),
                   CRM_OK);
  zero_with_warning(&r, "refund of nope: purchase not counted here, cannot "
                    "be attributed to a year, 0", &logs, "dealer_rebate: "
                    "refund r1 of customer 7 earns 0: purchase \"nope\" was "
                    "not counted by dealer_rebate (made before the dealer "
                    "was enrolled, or not ingested yet), so it cannot be "
                    "attributed to a year");
  assert_int_equal(ret("cancel", MID2026, 0, 0, "c1", "nope", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(host.n_logs, ++logs);
  /* a key longer than any purchase key cannot name one either */
  memset(longkey, 'k', 129);
  longkey[129] = '\0';
  assert_int_equal(ret("refund", MID2026, 1, 100, "r1b", longkey, &r),
                   CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(host.n_logs, ++logs);
  assert_non_null(strstr(host.last_log, "cannot be attributed to a year"));
  /* ... naming another customer's purchase */
  assert_int_equal(ev("refund", 8, MID2026, 1, 100, "EUR", "r2", "a", &r),
                   CRM_OK);
  zero_with_warning(&r, "refund of a: another customer's purchase, 0",
                    &logs, "dealer_rebate: refund r2 of customer 8 earns "
                    "0: purchase \"a\" is customer 7's, not this dealer's");
  /* a partial refund in another currency */
  assert_int_equal(ev("refund", 7, MID2026, 1, 100, "USD", "r3", "a", &r),
                   CRM_OK);
  zero_with_warning(&r, "refund in USD: not counted (EUR only), 0", &logs,
                    "dealer_rebate: refund r3 of customer 7 earns 0: it is "
                    "in USD and the rebate counts EUR only (convert the "
                    "amount before ingesting)");
  /* still refused: a purchase key counted twice */
  assert_int_equal(buy(MID2026, 1, 100, "a", &r), CRM_EEXIST);
  assert_int_equal(host.n_kv, 3);
  assert_string_equal(fake_kv_find(&host, "y:7:2026"),
                      "50 100000000 1500000");
  assert_string_equal(fake_kv_find(&host, "p:a"),
                      "2026 2 50 100000000 0 0 7");
  /* lower-case currency is the same currency */
  assert_int_equal(ev("purchase", 7, MID2026, 0, 100, "eur", "l", NULL,
                      &r), CRM_OK);
  assert_int_equal(r.points, 1);
  /* a cancel takes all that is left whatever its currency: 50 cars and
   * 1,000,000.00 back, leaving 0 cars and 1.00 at 0 %: -1,500,001 */
  assert_int_equal(ev("cancel", 7, MID2026, 0, 5000, "USD", "c2", "a", &r),
                   CRM_OK);
  assert_int_equal(r.points, -1500001);
  assert_int_equal(r.tier_count, -50);
  assert_int_equal(r.pending_until, SETTLE2026);
  assert_string_equal(r.note, "2026: 0 cars, band 0+ 0%, accrued 0.00 "
                              "(-15000.01), cancel of a");
  assert_int_equal(host.n_logs, logs);
  fake_unload(&host);
}

/* Other event types: nothing, no note, nothing stored. */
static void test_other_types(void **state)
{
  crm_reward_result r;

  (void)state;
  load_std();
  assert_int_equal(ev("contact", 7, MID2026, 0, 0, NULL, "c1", NULL, &r),
                   CRM_OK);
  assert_int_equal(r.points, 0);
  assert_string_equal(r.note, "");
  assert_int_equal(host.n_kv, 0);
  fake_unload(&host);
}

/* Loads with the bands given; expects CRM_ECONFIG and msg in the error. */
static void expect_config_error(size_t n, const int64_t *from,
                                const double *pct, const char *msg)
{
  fake_reset(&host);
  bands(n, from, pct);
  assert_int_equal(fake_load(&host, "dealer_rebate"), CRM_ECONFIG);
  if(!strstr(host.errmsg, msg))
    fail_msg("error \"%s\" does not say \"%s\"", host.errmsg, msg);
  assert_null(host.state);
  fake_unload(&host);
}

static void test_config_errors(void **state)
{
  static const int64_t desc_from[] = {0, 100, 50};
  static const int64_t late_from[] = {10, 50};
  static const int64_t two[] = {0, 50};
  static const int64_t same[] = {0, 0};
  static const double p3[] = {0, 1.5, 2.5};
  static const double p2[] = {0, 1.5};
  static const double fine[] = {0, 1.555};
  static const double big[] = {0, 101};
  static const double neg[] = {0, -1};
  static const double falling[] = {2, 1.5};

  (void)state;
  expect_config_error(3, desc_from, p3, "bands must ascend: bands[2].from "
                      "50 is not above 100");
  expect_config_error(2, late_from, p2, "bands[0].from must be 0");
  expect_config_error(2, same, p2, "bands must ascend");
  expect_config_error(0, NULL, NULL, "bands is required");
  expect_config_error(2, two, fine, "finer than a basis point");
  expect_config_error(2, two, big, "between 0 and 100");
  expect_config_error(2, two, neg, "between 0 and 100");
  expect_config_error(2, two, falling, "must not fall");

  /* a band without percent */
  fake_reset(&host);
  bands(2, two, p2);
  fake_cfg_int(&host, "bands.[2].from", 100);
  assert_int_equal(fake_load(&host, "dealer_rebate"), CRM_ECONFIG);
  assert_non_null(strstr(host.errmsg, "bands[2] needs from and percent"));
  fake_unload(&host);
  /* from must be an integer */
  fake_reset(&host);
  bands(2, two, p2);
  fake_cfg_float(&host, "bands.[1].from", 50.5);
  assert_int_equal(fake_load(&host, "dealer_rebate"), CRM_ECONFIG);
  assert_non_null(strstr(host.errmsg, "bands[1].from must be an integer"));
  fake_unload(&host);
  /* settle_days, currency, minor_per_unit */
  fake_reset(&host);
  bands(2, two, p2);
  fake_cfg_int(&host, "settle_days", -1);
  assert_int_equal(fake_load(&host, "dealer_rebate"), CRM_ECONFIG);
  assert_non_null(strstr(host.errmsg, "settle_days"));
  fake_unload(&host);
  fake_reset(&host);
  bands(2, two, p2);
  fake_cfg_str(&host, "currency", "euro");
  assert_int_equal(fake_load(&host, "dealer_rebate"), CRM_ECONFIG);
  assert_non_null(strstr(host.errmsg, "3-letter"));
  fake_unload(&host);
  fake_reset(&host);
  bands(2, two, p2);
  fake_cfg_int(&host, "minor_per_unit", 50);
  assert_int_equal(fake_load(&host, "dealer_rebate"), CRM_ECONFIG);
  assert_non_null(strstr(host.errmsg, "power of ten"));
  fake_unload(&host);
}

/* Defaults: currency EUR, settle_days 30 (checked via pending_until). */
static void test_defaults(void **state)
{
  static const int64_t two[] = {0, 50};
  static const double p2[] = {0, 1.5};
  crm_reward_result r;

  (void)state;
  bands(2, two, p2);
  assert_int_equal(fake_load(&host, "dealer_rebate"), CRM_OK);
  assert_int_equal(buy(MID2026, 50, 100000000, "d1", &r), CRM_OK);
  assert_int_equal(r.points, 1500000);
  assert_int_equal(r.pending_until, SETTLE2026);
  fake_unload(&host);
}

/* A 1.1 host cannot carry the year-end settlement: init refuses. */
static void test_needs_host_1_2(void **state)
{
  (void)state;
  std_bands();
  fake_host_1_1(&host);
  assert_int_equal(fake_load(&host, "dealer_rebate"), CRM_ENOTSUP);
  assert_non_null(strstr(host.errmsg, "needs a 1.2 host"));
  assert_null(host.state);
  fake_unload(&host);
}

/* New bands apply retroactively at the dealer's next event: 50 cars for
 * 100,000,000 accrued 1,500,000 at 1.5 %; with 50 -> 2 % the next
 * purchase (0 cars, 100 cents) makes 100,000,100 x 2 % = 2,000,002:
 * +500,002. A bad config on reconfigure keeps the old bands. */
static void test_reconfigure(void **state)
{
  static const int64_t two[] = {0, 50};
  static const double p2[] = {0, 2};
  static const double bad[] = {0, 1.555};
  crm_reward_result r;

  (void)state;
  load_std();
  assert_int_equal(buy(MID2026, 50, 100000000, "a", &r), CRM_OK);
  assert_int_equal(r.points, 1500000);
  bands(2, two, bad);
  assert_int_equal(host.desc->reconfigure(host.state, &host), CRM_ECONFIG);
  bands(2, two, p2);
  assert_int_equal(host.desc->reconfigure(host.state, &host), CRM_OK);
  assert_int_equal(buy(MID2026, 0, 100, "b", &r), CRM_OK);
  assert_int_equal(r.points, 500002);
  assert_string_equal(r.note, "2026: 50 cars, band 50+ 2%, accrued "
                              "20000.02 (+5000.02)");
  fake_unload(&host);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup(test_descriptor, setup),
    cmocka_unit_test_setup(test_retroactive_bands, setup),
    cmocka_unit_test_setup(test_jump_and_floor, setup),
    cmocka_unit_test_setup(test_return_at_band_edge, setup),
    cmocka_unit_test_setup(test_price_reduction, setup),
    cmocka_unit_test_setup(test_cancel_and_refund_all, setup),
    cmocka_unit_test_setup(test_clamp, setup),
    cmocka_unit_test_setup(test_return_next_january, setup),
    cmocka_unit_test_setup(test_year_separation, setup),
    cmocka_unit_test_setup(test_quarters, setup),
    cmocka_unit_test_setup(test_settle_days, setup),
    cmocka_unit_test_setup(test_percent_exact, setup),
    cmocka_unit_test_setup(test_unattributable, setup),
    cmocka_unit_test_setup(test_other_types, setup),
    cmocka_unit_test_setup(test_config_errors, setup),
    cmocka_unit_test_setup(test_defaults, setup),
    cmocka_unit_test_setup(test_needs_host_1_2, setup),
    cmocka_unit_test_setup(test_reconfigure, setup),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
