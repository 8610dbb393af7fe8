/*
 * test_plugin_supermarket_points.c - the supermarket_points reward plugin
 * in isolation, through the fake host.
 *
 * Every expected number is worked out by hand in the comment above it.
 * Dates (UTC, checked with Python's datetime):
 *   2026-03-01 Sun 1772323200   2026-03-02 Mon 1772409600
 *   2026-03-08 Sun 1772928000   2026-03-09 Mon 1773014400
 *   2026-03-10 Tue 1773100800   2026-03-15 Sun 1773532800
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "test_plugin_fake.h"

#define DAY INT64_C(86400)
#define NOON INT64_C(43200)
#define D20260301 INT64_C(1772323200)
#define D20260302 INT64_C(1772409600)
#define D20260308 INT64_C(1772928000)
#define D20260309 INT64_C(1773014400)
#define D20260310 INT64_C(1773100800)
#define D20260315 INT64_C(1773532800)

static crm_host_ctx host;
static int64_t ev_customer;
static const char *ev_birthday;
static int ev_key_n;

static int setup(void **state)
{
  (void)state;
  fake_reset(&host);
  ev_customer = 7;
  ev_birthday = NULL;
  ev_key_n = 0;
  return 0;
}

/* categories.<name> = v, also reachable as categories.[i] (as libconfig
 * resolves it on the real host). */
static void cat(int i, const char *name, double v)
{
  char path[64];

  snprintf(path, sizeof(path), "categories.%s", name);
  fake_cfg_float(&host, path, v);
  snprintf(path, sizeof(path), "categories.[%d]", i);
  fake_cfg_float(&host, path, v);
}

static void promo(int i, const char *name, const char *from, const char *to,
                  double mult, const char *category, int64_t max_uses)
{
  char path[64];

  snprintf(path, sizeof(path), "promotions.[%d].name", i);
  fake_cfg_str(&host, path, name);
  snprintf(path, sizeof(path), "promotions.[%d].from", i);
  fake_cfg_str(&host, path, from);
  snprintf(path, sizeof(path), "promotions.[%d].to", i);
  fake_cfg_str(&host, path, to);
  snprintf(path, sizeof(path), "promotions.[%d].multiplier", i);
  fake_cfg_float(&host, path, mult);
  if(category) {
    snprintf(path, sizeof(path), "promotions.[%d].category", i);
    fake_cfg_str(&host, path, category);
  }
  if(max_uses) {
    snprintf(path, sizeof(path), "promotions.[%d].max_uses", i);
    fake_cfg_int(&host, path, max_uses);
  }
}

/* One event for ev_customer at time `at`; result in *out. */
static int ev_at(const char *type, int64_t amount, const char *currency,
                 const char *payload, int64_t at, crm_reward_result *out)
{
  const crm_reward_v1 *vt = fake_vtable(&host, CRM_KIND_REWARD);
  static char key[32];
  crm_event_view e;
  crm_customer_view cv;

  snprintf(key, sizeof(key), "k%d", ++ev_key_n);
  memset(&e, 0, sizeof(e));
  e.struct_size = sizeof(e);
  e.event_id = ev_key_n;
  e.customer_id = ev_customer;
  e.type = type;
  e.occurred_at = at;
  e.amount = amount;
  e.currency = currency;
  e.payload = payload;
  e.idempotency_key = key;
  memset(&cv, 0, sizeof(cv));
  cv.struct_size = sizeof(cv);
  cv.customer_id = ev_customer;
  cv.birthday = ev_birthday;
  memset(out, 0, sizeof(*out));
  out->struct_size = sizeof(*out);
  out->points = 12345; /* must be overwritten */
  return vt->on_event(host.state, &host, &e, &cv, out);
}

/* A purchase in EUR; returns its points (asserting success). */
static int64_t buy(int64_t amount, const char *payload, int64_t at,
                   crm_reward_result *out)
{
  assert_int_equal(ev_at("purchase", amount, "EUR", payload, at, out),
                   CRM_OK);
  return out->points;
}

/* ---- descriptor and host version --------------------------------------- */

static void test_descriptor(void **state)
{
  const crm_plugin_desc *d;
  const crm_reward_v1 *vt;

  (void)state;
  d = fake_open(&host, "supermarket_points");
  assert_string_equal(d->name, "supermarket_points");
  assert_int_equal(d->n_components, 1);
  assert_string_equal(d->components[0]->name, "supermarket_points");
  vt = fake_vtable(&host, CRM_KIND_REWARD);
  assert_true(vt->struct_size >= offsetof(crm_reward_v1, flags) +
                                     sizeof(vt->flags));
  assert_int_equal(vt->flags, CRM_REWARD_CORE_REFUNDS);
}

static void test_needs_host_1_2(void **state)
{
  (void)state;
  fake_host_1_1(&host);
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_ENOTSUP);
  assert_string_equal(host.errmsg, "supermarket_points needs a host with "
                      "SDK 1.2 or later (basket items are read with "
                      "json_get); this host is 1.1");
  assert_int_equal(host.allocs_live, 0);
  fake_reset(&host);
  fake_host_1_0(&host);
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_ENOTSUP);
  assert_non_null(strstr(host.errmsg, "this host is 1.0"));
}

/* ---- base rate ---------------------------------------------------------- */

/* 1 pt per EUR: 45.67 EUR -> floor(45.67) = 45, one visit. 3 pts per EUR:
 * 29.33 -> floor(87.99) = 87. */
static void test_base_rate(void **state)
{
  crm_reward_result r;

  (void)state;
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  assert_int_equal(buy(4567, NULL, D20260301, &r), 45);
  assert_string_equal(r.note, "45.67 EUR: base 45");
  assert_int_equal(r.tier_count, 1);
  assert_int_equal(r.tier_credits, 0);
  assert_int_equal(r.flags, 0);
  assert_int_equal(r.pending_until, 0);
  assert_int_equal(r.expires_at, 0);
  /* an amount-0 purchase earns nothing and is no visit */
  assert_int_equal(buy(0, NULL, D20260301, &r), 0);
  assert_int_equal(r.tier_count, 0);
  fake_unload(&host);

  fake_reset(&host);
  fake_cfg_int(&host, "points_per_unit", 3);
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  assert_int_equal(buy(2933, NULL, D20260301, &r), 87);
  assert_string_equal(r.note, "29.33 EUR: base 87");
  fake_unload(&host);
}

/* JPY-like: minor_per_unit 1, 1 pt per 1 yen: 1500 -> 1500. */
static void test_zero_decimal_currency(void **state)
{
  crm_reward_result r;

  (void)state;
  fake_cfg_str(&host, "currency", "JPY");
  fake_cfg_int(&host, "minor_per_unit", 1);
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  assert_int_equal(ev_at("purchase", 1500, "JPY", NULL, D20260301, &r),
                   CRM_OK);
  assert_int_equal(r.points, 1500);
  assert_string_equal(r.note, "1500 JPY: base 1500");
  fake_unload(&host);
}

/* ---- categories and the uncovered rest ---------------------------------- */

/* produce x2, alcohol x0, bakery x1.5. 20.00 EUR with produce 2.50,
 * alcohol 10.00, bakery 3.33: items 15.83, rest 4.17 at x1.
 * exact: 2.50*2 + 0 + 3.33*1.5 + 4.17 = 5 + 4.995 + 4.17 = 14.165 -> 14
 * (floored once: per-line floors would give 5 + 4 + 4 = 13).
 * base floor(20.00) = 20, categories 14 - 20 = -6. */
static void test_categories(void **state)
{
  crm_reward_result r;
  const char *basket =
      "{\"items\":[{\"sku\":\"A1\",\"category\":\"produce\",\"amount\":250},"
      "{\"sku\":\"W7\",\"category\":\"alcohol\",\"amount\":1000},"
      "{\"sku\":\"B2\",\"category\":\"bakery\",\"amount\":333}]}";

  (void)state;
  cat(0, "produce", 2.0);
  cat(1, "alcohol", 0);
  cat(2, "bakery", 1.5);
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  assert_int_equal(buy(2000, basket, D20260301, &r), 14);
  assert_string_equal(r.note, "20.00 EUR: base 20, categories -6");
  assert_int_equal(r.tier_count, 1);
  /* unknown category, a name that is no config name, no category, a
   * category of another case: all x1. 10.00 -> 10. */
  assert_int_equal(buy(1000, "{\"items\":[{\"category\":\"dairy\","
                         "\"amount\":300},{\"category\":\"fresh produce\","
                         "\"amount\":300},{\"amount\":200},{\"category\":"
                         "\"Produce\",\"amount\":100}]}", D20260301, &r), 10);
  assert_string_equal(r.note, "10.00 EUR: base 10");
  /* items covering the whole amount: 3.00 produce + 2.00 alcohol = 5.00
   * -> 6 + 0 = 6; base 5 */
  assert_int_equal(buy(500, "{\"items\":[{\"category\":\"produce\","
                         "\"amount\":300},{\"category\":\"alcohol\","
                         "\"amount\":200}]}", D20260301, &r), 6);
  assert_string_equal(r.note, "5.00 EUR: base 5, categories +1");
  /* no items at all, or an empty list: everything at x1 */
  assert_int_equal(buy(999, "{\"store\":12}", D20260301, &r), 9);
  assert_int_equal(buy(999, "{\"items\":[]}", D20260301, &r), 9);
  fake_unload(&host);
}

/* Large amounts stay exact: 9e15 minor units of produce (x2) at 3 pts per
 * EUR = 9e13 EUR * 3 * 2 = 5.4e14. At 1000000 pts per EUR the result
 * (9e19) does not fit: CRM_ERANGE. */
static void test_large_amounts(void **state)
{
  crm_reward_result r;
  const char *all = "{\"items\":[{\"category\":\"produce\","
                    "\"amount\":9000000000000000}]}";

  (void)state;
  cat(0, "produce", 2.0);
  fake_cfg_int(&host, "points_per_unit", 3);
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  assert_int_equal(buy(9000000000000000LL, all, D20260301, &r),
                   540000000000000LL);
  fake_unload(&host);

  fake_cfg_int(&host, "points_per_unit", 1000000);
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  assert_int_equal(ev_at("purchase", 9000000000000000LL, "EUR", NULL,
                         D20260301, &r), CRM_ERANGE);
  assert_string_equal(host.errmsg, "points for amount 9000000000000000 "
                      "overflow");
  fake_unload(&host);
}

/* ---- basket errors --------------------------------------------------------- */

static void test_bad_items(void **state)
{
  crm_reward_result r;

  (void)state;
  fake_cfg_int(&host, "welcome_bonus", 50);
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  /* 3.00 + 3.00 = 6.00 > 5.00 */
  assert_int_equal(ev_at("purchase", 500, "EUR", "{\"items\":[{\"category\":"
                         "\"produce\",\"amount\":300},{\"amount\":300}]}",
                         D20260301, &r), CRM_EINVAL);
  assert_string_equal(host.errmsg, "basket items total 6.00 EUR, more than "
                      "the purchase amount 5.00 EUR");
  assert_int_equal(ev_at("purchase", 500, "EUR", "{\"items\":[{\"amount\":"
                         "100},{\"amount\":12.5}]}", D20260301, &r),
                   CRM_EINVAL);
  assert_string_equal(host.errmsg, "basket item 2: amount must be a whole "
                      "number of minor units >= 0");
  assert_int_equal(ev_at("purchase", 500, "EUR", "{\"items\":[{\"amount\":"
                         "-1}]}", D20260301, &r), CRM_EINVAL);
  assert_string_equal(host.errmsg, "basket item 1: amount must be a whole "
                      "number of minor units >= 0");
  assert_int_equal(ev_at("purchase", 500, "EUR", "{\"items\":[{\"sku\":"
                         "\"A1\"}]}", D20260301, &r), CRM_EINVAL);
  assert_string_equal(host.errmsg, "basket item 1: amount must be a whole "
                      "number of minor units >= 0");
  assert_int_equal(ev_at("purchase", 500, "EUR", "{\"items\":{\"amount\":"
                         "100}}", D20260301, &r), CRM_EINVAL);
  assert_string_equal(host.errmsg, "payload \"items\" must be an array of "
                      "{category, amount} objects");
  /* nothing was recorded by the refused purchases: the welcome bonus is
   * still to come */
  assert_int_equal(host.n_kv, 0);
  assert_int_equal(buy(500, NULL, D20260301, &r), 55);
  fake_unload(&host);
}

/* ---- promotions ------------------------------------------------------------ */

/* "spring" x2 from 2026-03-02 to 2026-03-08, both days inclusive (UTC).
 * 10.00 EUR earns 10, or 20 in the range. */
static void test_promotion_dates(void **state)
{
  crm_reward_result r;

  (void)state;
  promo(0, "spring", "2026-03-02", "2026-03-08", 2.0, NULL, 0);
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  assert_int_equal(buy(1000, NULL, D20260302 - 1, &r), 10);
  assert_string_equal(r.note, "10.00 EUR: base 10");
  assert_int_equal(buy(1000, NULL, D20260302, &r), 20);
  assert_string_equal(r.note, "10.00 EUR: base 10, spring x2 +10");
  assert_int_equal(buy(1000, NULL, D20260308 + DAY - 1, &r), 20);
  assert_int_equal(buy(1000, NULL, D20260309, &r), 10);
  /* unlimited promotions keep no counts */
  assert_int_equal(host.n_kv, 0);
  fake_unload(&host);
}

/* "veg" x3 on produce only. 10.00 EUR with 3.00 produce: 3*3 + 7 = 16,
 * base 10. With produce itself x2: 3*2*3 + 7 = 25, categories give
 * 3*2 + 7 - 10 = +3, the promotion 25 - 13 = +12. */
static void test_promotion_category(void **state)
{
  crm_reward_result r;
  const char *b = "{\"items\":[{\"category\":\"produce\",\"amount\":300}]}";

  (void)state;
  promo(0, "veg", "2026-03-01", "2026-03-31", 3.0, "produce", 0);
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  assert_int_equal(buy(1000, b, D20260310, &r), 16);
  assert_string_equal(r.note, "10.00 EUR: base 10, veg x3 +6");
  /* a basket without produce: the promotion does not apply */
  assert_int_equal(buy(1000, NULL, D20260310, &r), 10);
  fake_unload(&host);

  cat(0, "produce", 2.0);
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  assert_int_equal(buy(1000, b, D20260310, &r), 25);
  assert_string_equal(r.note, "10.00 EUR: base 10, categories +3, veg x3 "
                      "+12");
  fake_unload(&host);
}

/* "double" x2, max_uses 2 per customer: the third purchase in the range
 * earns x1. Another customer has uses of their own. A basket where the
 * promotion adds nothing (all alcohol, x0) uses nothing. */
static void test_promotion_max_uses(void **state)
{
  crm_reward_result r;
  const char *booze = "{\"items\":[{\"category\":\"alcohol\","
                      "\"amount\":1000}]}";

  (void)state;
  cat(0, "alcohol", 0);
  promo(0, "double", "2026-03-02", "2026-03-08", 2.0, "", 2);
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  assert_int_equal(buy(1000, booze, D20260302, &r), 0);
  assert_string_equal(r.note, "10.00 EUR: base 10, categories -10");
  assert_null(fake_kv_find(&host, "u:7:2026-03-02:double"));
  assert_int_equal(buy(1000, NULL, D20260302, &r), 20);
  assert_string_equal(fake_kv_find(&host, "u:7:2026-03-02:double"), "1");
  assert_int_equal(buy(1000, NULL, D20260302 + DAY, &r), 20);
  assert_string_equal(fake_kv_find(&host, "u:7:2026-03-02:double"), "2");
  assert_int_equal(buy(1000, NULL, D20260302 + 2 * DAY, &r), 10);
  assert_string_equal(r.note, "10.00 EUR: base 10");
  assert_string_equal(fake_kv_find(&host, "u:7:2026-03-02:double"), "2");
  ev_customer = 8;
  assert_int_equal(buy(1000, NULL, D20260302, &r), 20);
  assert_string_equal(fake_kv_find(&host, "u:8:2026-03-02:double"), "1");
  fake_unload(&host);
}

/* ---- member day -------------------------------------------------------- */

/* Tuesdays (weekday 2) x2: 10.00 on Tue 2026-03-10 -> 20, on Mon 03-09
 * -> 10. The weekday of a time before 1970: 1969-12-31 was a Wednesday. */
static void test_member_day_weekday(void **state)
{
  crm_reward_result r;

  (void)state;
  fake_cfg_int(&host, "member_day.weekday", 2);
  fake_cfg_float(&host, "member_day.multiplier", 2.0);
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  assert_int_equal(buy(1000, NULL, D20260310 + NOON, &r), 20);
  assert_string_equal(r.note, "10.00 EUR: base 10, member day x2 +10");
  assert_int_equal(buy(1000, NULL, D20260309 + NOON, &r), 10);
  assert_int_equal(buy(1000, NULL, D20260310 - 1, &r), 10);
  assert_int_equal(buy(1000, NULL, D20260310 + DAY - 1, &r), 20);
  fake_unload(&host);

  fake_cfg_int(&host, "member_day.weekday", 3);
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  assert_int_equal(buy(1000, NULL, -NOON, &r), 20);       /* Wed */
  assert_int_equal(buy(1000, NULL, NOON, &r), 10);        /* Thu 1970-01-01 */
  fake_unload(&host);
}

/* The 15th of each month x1.5: 10.00 -> 15 on 2026-03-15, 10 on the 14th. */
static void test_member_day_of_month(void **state)
{
  crm_reward_result r;

  (void)state;
  fake_cfg_int(&host, "member_day.day_of_month", 15);
  fake_cfg_float(&host, "member_day.multiplier", 1.5);
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  assert_int_equal(buy(1000, NULL, D20260315, &r), 15);
  assert_string_equal(r.note, "10.00 EUR: base 10, member day x1.5 +5");
  assert_int_equal(buy(1000, NULL, D20260315 - 1, &r), 10);
  fake_unload(&host);
}

/* Member day (Tue x2) and "spring" x1.5 (limited to 1 use) on Tue
 * 2026-03-10, 10.00 EUR. Without stacking the best one, x2: 20, and the
 * promotion is not used. With stacking 2 * 1.5 = x3: 30, one use. */
static void test_no_stacking_vs_stacking(void **state)
{
  crm_reward_result r;

  (void)state;
  fake_cfg_int(&host, "member_day.weekday", 2);
  fake_cfg_float(&host, "member_day.multiplier", 2.0);
  promo(0, "spring", "2026-03-09", "2026-03-15", 1.5, NULL, 1);
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  assert_int_equal(buy(1000, NULL, D20260310, &r), 20);
  assert_string_equal(r.note, "10.00 EUR: base 10, member day x2 +10");
  assert_null(fake_kv_find(&host, "u:7:2026-03-09:spring"));
  /* Monday: only spring */
  assert_int_equal(buy(1000, NULL, D20260309, &r), 15);
  assert_string_equal(r.note, "10.00 EUR: base 10, spring x1.5 +5");
  assert_string_equal(fake_kv_find(&host, "u:7:2026-03-09:spring"), "1");
  fake_unload(&host);

  fake_reset(&host);
  fake_cfg_int(&host, "member_day.weekday", 2);
  fake_cfg_float(&host, "member_day.multiplier", 2.0);
  promo(0, "spring", "2026-03-09", "2026-03-15", 1.5, NULL, 1);
  fake_cfg_bool(&host, "stack_promotions", 1);
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  assert_int_equal(buy(1000, NULL, D20260310, &r), 30);
  assert_string_equal(r.note, "10.00 EUR: base 10, promotions +20");
  assert_string_equal(fake_kv_find(&host, "u:7:2026-03-09:spring"), "1");
  /* Wednesday: spring is used up */
  assert_int_equal(buy(1000, NULL, D20260310 + DAY, &r), 10);
  fake_unload(&host);
}

/* The best factor is chosen per line. Tuesday x2 on everything, "veg" x3
 * on produce (1 use): 10.00 EUR with 5.00 produce: 5*3 + 5*2 = 25. A tie
 * goes to the member day (no use spent): "dbl" x2, 10.00 -> 20. */
static void test_best_per_line_and_ties(void **state)
{
  crm_reward_result r;
  const char *b = "{\"items\":[{\"category\":\"produce\",\"amount\":500}]}";

  (void)state;
  fake_cfg_int(&host, "member_day.weekday", 2);
  fake_cfg_float(&host, "member_day.multiplier", 2.0);
  promo(0, "veg", "2026-03-01", "2026-03-31", 3.0, "produce", 1);
  promo(1, "dbl", "2026-03-01", "2026-03-31", 2.0, NULL, 1);
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  assert_int_equal(buy(1000, b, D20260310, &r), 25);
  assert_string_equal(r.note, "10.00 EUR: base 10, promotions +15");
  assert_string_equal(fake_kv_find(&host, "u:7:2026-03-01:veg"), "1");
  assert_null(fake_kv_find(&host, "u:7:2026-03-01:dbl"));
  /* Wednesday: dbl alone, x2 */
  assert_int_equal(buy(1000, NULL, D20260310 + DAY, &r), 20);
  assert_string_equal(r.note, "10.00 EUR: base 10, dbl x2 +10");
  assert_string_equal(fake_kv_find(&host, "u:7:2026-03-01:dbl"), "1");
  fake_unload(&host);
}

/* Stacked factors are kept to 4 decimals, rounding down at each step:
 * 1.15 * 1.15 = 1.3225 (exact); * 1.15 = 1.520875 -> 1.5208. 20000.00 EUR
 * -> 20000 * 1.5208 = 30416 (the exact product would give 30417.5). */
static void test_stacking_rounding(void **state)
{
  crm_reward_result r;

  (void)state;
  fake_cfg_bool(&host, "stack_promotions", 1);
  promo(0, "a", "2026-03-01", "2026-03-31", 1.15, NULL, 0);
  promo(1, "b", "2026-03-01", "2026-03-31", 1.15, NULL, 0);
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  /* two: 100.00 * 1.3225 = 132.25 -> 132 */
  assert_int_equal(buy(10000, NULL, D20260310, &r), 132);
  fake_unload(&host);
  promo(2, "c", "2026-03-01", "2026-03-31", 1.15, NULL, 0);
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  assert_int_equal(buy(2000000, NULL, D20260310, &r), 30416);
  assert_string_equal(r.note, "20000.00 EUR: base 20000, promotions "
                      "+10416");
  fake_unload(&host);
}

/* ---- bonuses ---------------------------------------------------------------- */

/* birthday_bonus 100, window 7 days. Birthday 5 March: 2026-03-04 no,
 * 03-05 yes (10 + 100), 03-06 no (once a year). */
static void test_birthday_once_per_year(void **state)
{
  crm_reward_result r;
  int64_t d0305 = D20260301 + 4 * DAY;

  (void)state;
  fake_cfg_int(&host, "birthday_bonus", 100);
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  ev_birthday = "1990-03-05";
  assert_int_equal(buy(1000, NULL, d0305 - 1, &r), 10);
  assert_int_equal(buy(1000, NULL, d0305, &r), 110);
  assert_string_equal(r.note, "10.00 EUR: base 10, birthday +100");
  assert_non_null(fake_kv_find(&host, "b:7:2026"));
  assert_int_equal(buy(1000, NULL, d0305 + DAY, &r), 10);
  /* birthday 3 March: 03-10 is the 7th day after (in), 03-11 the 8th */
  ev_customer = 8;
  ev_birthday = "1985-03-03";
  assert_int_equal(buy(1000, NULL, D20260310 + DAY - 1, &r), 110);
  ev_customer = 9;
  assert_int_equal(buy(1000, NULL, D20260310 + DAY, &r), 10);
  /* no birthday known: nothing */
  ev_customer = 10;
  ev_birthday = NULL;
  assert_int_equal(buy(1000, NULL, d0305, &r), 10);
  /* another currency does not spend the bonus */
  ev_customer = 11;
  ev_birthday = "1990-03-05";
  assert_int_equal(ev_at("purchase", 1000, "GBP", NULL, d0305, &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(buy(1000, NULL, d0305, &r), 110);
  fake_unload(&host);
}

/* A window running into the next year belongs to the year it started:
 * birthday 28 December, 2026-01-04 is the 7th day after 2025-12-28
 * (key 2025); 2026-12-28 starts the next one. */
static void test_birthday_year_end(void **state)
{
  crm_reward_result r;
  int64_t d20260104 = INT64_C(1767484800);
  int64_t d20261228 = INT64_C(1798416000);

  (void)state;
  fake_cfg_int(&host, "birthday_bonus", 100);
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  ev_birthday = "1990-12-28";
  assert_int_equal(buy(1000, NULL, d20260104, &r), 110);
  assert_non_null(fake_kv_find(&host, "b:7:2025"));
  assert_int_equal(buy(1000, NULL, d20260104 + DAY, &r), 10);
  assert_int_equal(buy(1000, NULL, d20261228, &r), 110);
  assert_non_null(fake_kv_find(&host, "b:7:2026"));
  fake_unload(&host);
}

/* 29 February is 28 February in other years. Window 7: in 2025 it runs
 * 02-28 .. 03-07; in 2028 (leap) from 02-29, so 02-28 is before it. */
static void test_birthday_feb29(void **state)
{
  crm_reward_result r;
  int64_t d20250228 = INT64_C(1740700800);
  int64_t d20250307 = INT64_C(1741305600);
  int64_t d20250308 = INT64_C(1741392000);
  int64_t d20280229 = INT64_C(1835395200);

  (void)state;
  fake_cfg_int(&host, "birthday_bonus", 100);
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  ev_birthday = "2000-02-29";
  assert_int_equal(buy(1000, NULL, d20250228, &r), 110);
  assert_non_null(fake_kv_find(&host, "b:7:2025"));
  ev_customer = 8;
  assert_int_equal(buy(1000, NULL, d20250307, &r), 110);
  ev_customer = 9;
  assert_int_equal(buy(1000, NULL, d20250308, &r), 10);
  assert_int_equal(buy(1000, NULL, d20280229 - DAY, &r), 10);
  assert_int_equal(buy(1000, NULL, d20280229, &r), 110);
  assert_non_null(fake_kv_find(&host, "b:9:2028"));
  fake_unload(&host);
}

/* A customer view from an older host (no birthday member) gets no bonus. */
static void test_birthday_old_view(void **state)
{
  const crm_reward_v1 *vt;
  crm_reward_result r;
  crm_event_view e;
  crm_customer_view cv;

  (void)state;
  fake_cfg_int(&host, "birthday_bonus", 100);
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  vt = fake_vtable(&host, CRM_KIND_REWARD);
  memset(&e, 0, sizeof(e));
  e.struct_size = sizeof(e);
  e.customer_id = 7;
  e.type = "purchase";
  e.occurred_at = D20260301 + 4 * DAY;
  e.amount = 1000;
  e.currency = "EUR";
  e.idempotency_key = "old";
  memset(&cv, 0, sizeof(cv));
  cv.struct_size = (uint32_t)offsetof(crm_customer_view, birthday);
  cv.customer_id = 7;
  cv.birthday = "1990-03-05"; /* beyond struct_size: not to be read */
  memset(&r, 0, sizeof(r));
  r.struct_size = sizeof(r);
  assert_int_equal(vt->on_event(host.state, &host, &e, &cv, &r), CRM_OK);
  assert_int_equal(r.points, 10);
  fake_unload(&host);
}

/* welcome_bonus 50 on the first purchase in EUR with an amount; together
 * with a birthday and the member day: 10.00 on Tue 2026-03-10, birthday
 * 03-10: 10 * 2 + 50 + 100 = 170, all in one result. */
static void test_welcome_and_all_bonuses(void **state)
{
  crm_reward_result r;

  (void)state;
  fake_cfg_int(&host, "welcome_bonus", 50);
  fake_cfg_int(&host, "birthday_bonus", 100);
  fake_cfg_int(&host, "member_day.weekday", 2);
  fake_cfg_float(&host, "member_day.multiplier", 2.0);
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  ev_birthday = "1990-03-10";
  assert_int_equal(ev_at("purchase", 1000, "USD", NULL, D20260309, &r),
                   CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(buy(0, NULL, D20260309, &r), 0);
  assert_int_equal(buy(1000, NULL, D20260310, &r), 170);
  assert_string_equal(r.note, "10.00 EUR: base 10, member day x2 +10, "
                      "welcome +50, birthday +100");
  assert_string_equal(fake_kv_find(&host, "w:7"), "k3");
  assert_int_equal(buy(1000, NULL, D20260310 + DAY, &r), 10);
  fake_unload(&host);
}

/* ---- other events -------------------------------------------------------- */

static void test_other_currency(void **state)
{
  crm_reward_result r;

  (void)state;
  promo(0, "spring", "2026-03-01", "2026-03-31", 2.0, NULL, 1);
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  assert_int_equal(ev_at("purchase", 5000, "GBP", NULL, D20260310, &r),
                   CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(r.tier_count, 0);
  assert_string_equal(r.note, "no points: currency GBP, earns in EUR only");
  assert_int_equal(host.n_logs, 1);
  assert_non_null(strstr(host.last_log, "GBP"));
  assert_int_equal(ev_at("purchase", 7000, "GBP", NULL, D20260310, &r),
                   CRM_OK);
  assert_int_equal(host.n_logs, 1); /* logged once */
  assert_int_equal(host.n_kv, 0);   /* no promotion use */
  assert_int_equal(buy(1000, NULL, D20260310, &r), 20);
  fake_unload(&host);
}

/* CRM_REWARD_CORE_REFUNDS: the core reverses the points and the
 * purchase's tier activity; the plugin returns an all-zero result (a
 * tier_count of its own would count the visit back twice). It writes
 * every field itself: a result still holding a purchase's numbers comes
 * back zero. */
static void test_refund_returns_zero(void **state)
{
  crm_reward_result r;
  const crm_reward_v1 *vt;
  crm_event_view e;
  crm_customer_view cv;

  (void)state;
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  assert_int_equal(buy(3000, NULL, D20260301, &r), 30);
  vt = fake_vtable(&host, CRM_KIND_REWARD);
  memset(&e, 0, sizeof(e));
  e.struct_size = sizeof(e);
  e.customer_id = 7;
  e.type = "refund";
  e.occurred_at = D20260302;
  e.amount = 1000;
  e.currency = "EUR";
  e.payload = "{\"refund_of\":\"k1\"}";
  e.idempotency_key = "r1";
  e.refund_of = "k1";
  memset(&cv, 0, sizeof(cv));
  cv.struct_size = sizeof(cv);
  cv.customer_id = 7;
  assert_int_equal(r.tier_count, 1); /* the purchase's visit */
  r.pending_until = 99;
  r.expires_at = 99;
  r.tier_credits = 99;
  r.flags = CRM_RESULT_NO_CAP;
  assert_int_equal(vt->on_event(host.state, &host, &e, &cv, &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(r.tier_count, 0);
  assert_int_equal(r.tier_credits, 0);
  assert_int_equal(r.pending_until, 0);
  assert_int_equal(r.expires_at, 0);
  assert_int_equal(r.flags, 0);
  assert_string_equal(r.note, "refund of k1: the core takes back its points");
  e.type = "cancel";
  e.refund_of = NULL;
  e.payload = NULL;
  r.tier_count = 1;
  r.points = 12345;
  assert_int_equal(vt->on_event(host.state, &host, &e, &cv, &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(r.tier_count, 0);
  assert_string_equal(r.note, "cancel naming no purchase: no points taken "
                      "back");
  assert_int_equal(ev_at("contact", 0, NULL, NULL, D20260302, &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_string_equal(r.note, "");
  fake_unload(&host);
}

/* ---- config ---------------------------------------------------------------- */

/* Loads with the config set up by the caller and expects `msg`. */
static void load_fails(const char *msg)
{
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, msg);
  assert_null(host.state);
  assert_int_equal(host.allocs_live, 0);
  fake_reset(&host);
}

static void test_config_errors(void **state)
{
  (void)state;
  fake_cfg_int(&host, "points_per_unit", -1);
  load_fails("points_per_unit must be between 0 and 1000000 (got -1)");
  fake_cfg_str(&host, "currency", "eur");
  load_fails("currency must be a 3-letter ISO 4217 code such as \"EUR\" "
             "(got \"eur\")");
  fake_cfg_int(&host, "minor_per_unit", 0);
  load_fails("minor_per_unit must be between 1 and 1000000 (got 0)");
  fake_cfg_int(&host, "birthday_window_days", 200);
  load_fails("birthday_window_days must be between 0 and 180 (got 200)");
  fake_cfg_int(&host, "stack_promotions", 1);
  load_fails("stack_promotions must be true or false");
  cat(0, "produce", 150);
  load_fails("categories.[0] must be a number from 0 to 100 with at most "
             "4 decimals (got 150)");
  cat(0, "produce", 2.0);
  cat(1, "bakery", 1.23456);
  load_fails("categories.[1] must be a number from 0 to 100 with at most "
             "4 decimals (got 1.23456)");
  fake_cfg_str(&host, "categories.[0]", "x");
  load_fails("categories.[0] must be a number");
  fake_cfg_str(&host, "categories", "produce");
  load_fails("categories must be a group such as { produce = 2.0; alcohol "
             "= 0; }");
  promo(0, "spring", "2026-03-08", "2026-03-01", 2.0, NULL, 0);
  load_fails("promotion \"spring\": to 2026-03-01 is before from "
             "2026-03-08");
  promo(0, "spring", "2026-02-30", "2026-03-01", 2.0, NULL, 0);
  load_fails("promotion \"spring\": from must be a date \"YYYY-MM-DD\" "
             "(got \"2026-02-30\")");
  promo(0, "spring", "2026-03-01", "2026-3-9", 2.0, NULL, 0);
  load_fails("promotion \"spring\": to must be a date \"YYYY-MM-DD\" "
             "(got \"2026-3-9\")");
  promo(0, "spring", "2026-03-01", "2026-03-09", 0.5, NULL, 0);
  load_fails("promotion \"spring\": multiplier must be a number from 1 to "
             "100 with at most 4 decimals (got 0.5)");
  promo(0, "spring", "2026-03-01", "2026-03-09", 2.0, "fresh produce", 0);
  load_fails("promotion \"spring\": category \"fresh produce\" is not a "
             "category name");
  promo(0, "spring", "2026-03-01", "2026-03-09", 2.0, NULL, -1);
  load_fails("promotions.[0].max_uses must be between 0 and 2147483647 "
             "(got -1)");
  promo(0, "spring", "2026-03-01", "2026-03-09", 2.0, NULL, 0);
  fake_cfg_str(&host, "promotions.[1].from", "2026-03-01");
  fake_cfg_int(&host, "promotions.[1]", 0); /* libconfig: a group, no name */
  load_fails("promotions.[1].name must be 1 to 40 bytes");
  promo(0, "spring", "2026-03-01", "2026-03-09", 2.0, NULL, 0);
  promo(1, "spring", "2026-04-01", "2026-04-09", 2.0, NULL, 0);
  load_fails("promotion \"spring\" is listed twice");
  fake_cfg_str(&host, "promotions.[0].name", "spring");
  fake_cfg_str(&host, "promotions.[0].from", "2026-03-01");
  fake_cfg_str(&host, "promotions.[0].to", "2026-03-09");
  load_fails("promotion \"spring\": multiplier is required");
  fake_cfg_int(&host, "member_day.weekday", 2);
  fake_cfg_int(&host, "member_day.day_of_month", 15);
  fake_cfg_float(&host, "member_day.multiplier", 2.0);
  load_fails("member_day needs one of weekday (0 = Sunday .. 6) or "
             "day_of_month (1 .. 31)");
  fake_cfg_float(&host, "member_day.multiplier", 2.0);
  load_fails("member_day needs one of weekday (0 = Sunday .. 6) or "
             "day_of_month (1 .. 31)");
  fake_cfg_int(&host, "member_day.weekday", 7);
  fake_cfg_float(&host, "member_day.multiplier", 2.0);
  load_fails("member_day.weekday must be between 0 and 6 (got 7)");
  fake_cfg_int(&host, "member_day.day_of_month", 15);
  load_fails("member_day.multiplier is required");
  fake_cfg_str(&host, "member_day", "tuesday");
  load_fails("member_day must be a group such as { weekday = 2; multiplier "
             "= 2.0; }");
}

/* reconfigure: a good config takes effect, a bad one leaves the old. */
static void test_reconfigure(void **state)
{
  crm_reward_result r;

  (void)state;
  assert_int_equal(fake_load(&host, "supermarket_points"), CRM_OK);
  assert_int_equal(buy(1000, NULL, D20260310, &r), 10);
  fake_cfg_int(&host, "points_per_unit", 2);
  promo(0, "spring", "2026-03-01", "2026-03-31", 2.0, NULL, 0);
  assert_int_equal(host.desc->reconfigure(host.state, &host), CRM_OK);
  assert_int_equal(buy(1000, NULL, D20260310, &r), 40);
  fake_cfg_int(&host, "points_per_unit", -5);
  assert_int_equal(host.desc->reconfigure(host.state, &host), CRM_ECONFIG);
  assert_int_equal(buy(1000, NULL, D20260310, &r), 40);
  assert_int_equal(host.allocs_live, 1); /* the state only */
  fake_unload(&host);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup(test_descriptor, setup),
    cmocka_unit_test_setup(test_needs_host_1_2, setup),
    cmocka_unit_test_setup(test_base_rate, setup),
    cmocka_unit_test_setup(test_zero_decimal_currency, setup),
    cmocka_unit_test_setup(test_categories, setup),
    cmocka_unit_test_setup(test_large_amounts, setup),
    cmocka_unit_test_setup(test_bad_items, setup),
    cmocka_unit_test_setup(test_promotion_dates, setup),
    cmocka_unit_test_setup(test_promotion_category, setup),
    cmocka_unit_test_setup(test_promotion_max_uses, setup),
    cmocka_unit_test_setup(test_member_day_weekday, setup),
    cmocka_unit_test_setup(test_member_day_of_month, setup),
    cmocka_unit_test_setup(test_no_stacking_vs_stacking, setup),
    cmocka_unit_test_setup(test_best_per_line_and_ties, setup),
    cmocka_unit_test_setup(test_stacking_rounding, setup),
    cmocka_unit_test_setup(test_birthday_once_per_year, setup),
    cmocka_unit_test_setup(test_birthday_year_end, setup),
    cmocka_unit_test_setup(test_birthday_feb29, setup),
    cmocka_unit_test_setup(test_birthday_old_view, setup),
    cmocka_unit_test_setup(test_welcome_and_all_bonuses, setup),
    cmocka_unit_test_setup(test_other_currency, setup),
    cmocka_unit_test_setup(test_refund_returns_zero, setup),
    cmocka_unit_test_setup(test_config_errors, setup),
    cmocka_unit_test_setup(test_reconfigure, setup),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
