/*
 * test_plugin_basic_points.c - the basic_points reward plugin in isolation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "test_plugin_fake.h"

static crm_host_ctx host;
/* The customer the next events are for, and the balance the view shows. */
static int64_t ev_customer;
static int64_t ev_balance;

static int setup(void **state)
{
  (void)state;
  fake_reset(&host);
  ev_customer = 7;
  ev_balance = 0;
  return 0;
}

/* Runs one event; returns on_event's code, result in *out. */
static int ev(const char *type, int64_t amount, const char *currency,
              const char *payload, const char *key, crm_reward_result *out)
{
  const crm_reward_v1 *vt = fake_vtable(&host, CRM_KIND_REWARD);
  crm_event_view e;
  crm_customer_view cv;

  memset(&e, 0, sizeof(e));
  e.struct_size = sizeof(e);
  e.event_id = 1;
  e.customer_id = ev_customer;
  e.type = type;
  e.amount = amount;
  e.currency = currency;
  e.payload = payload;
  e.idempotency_key = key;
  memset(&cv, 0, sizeof(cv));
  cv.struct_size = sizeof(cv);
  cv.customer_id = ev_customer;
  cv.points_balance = ev_balance;
  memset(out, 0, sizeof(*out));
  out->struct_size = sizeof(*out);
  out->points = 12345; /* must be overwritten */
  return vt->on_event(host.state, &host, &e, &cv, out);
}

static void test_descriptor(void **state)
{
  const crm_plugin_desc *d;

  (void)state;
  d = fake_open(&host, "basic_points");
  assert_string_equal(d->name, "basic_points");
  assert_string_equal(d->vendor, "crmcore");
  assert_string_equal(d->license, "MIT");
  assert_int_equal(d->n_components, 1);
  assert_string_equal(d->components[0]->name, "basic_points");
  assert_int_equal(d->components[0]->kind, CRM_KIND_REWARD);
}

/* Default: 1 point per whole USD, floor: 29.33 USD -> 29. */
static void test_earn_default(void **state)
{
  crm_reward_result r;

  (void)state;
  assert_int_equal(fake_load(&host, "basic_points"), CRM_OK);
  assert_int_equal(ev("purchase", 2933, "USD", NULL, "k1", &r), CRM_OK);
  assert_int_equal(r.points, 29);
  assert_string_equal(r.note, "1 pt per USD on 29.33 USD");
  /* 0.99 USD -> 0 */
  assert_int_equal(ev("purchase", 99, "USD", NULL, "k2", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  /* the purchase is remembered for refunds, with its customer */
  assert_string_equal(fake_kv_find(&host, "p:k1"), "2933 29 0 0 USD 7");
  fake_unload(&host);
}

/* 3 points per USD: floor(2933 * 3 / 100) = floor(87.99) = 87. */
static void test_earn_rate(void **state)
{
  crm_reward_result r;

  (void)state;
  fake_cfg_int(&host, "points_per_unit", 3);
  assert_int_equal(fake_load(&host, "basic_points"), CRM_OK);
  assert_int_equal(ev("purchase", 2933, "USD", NULL, "k1", &r), CRM_OK);
  assert_int_equal(r.points, 87);
  assert_string_equal(r.note, "3 pts per USD on 29.33 USD");
  /* Large amounts do not overflow: 9e15 minor = 9e13 USD -> 2.7e14. */
  assert_int_equal(ev("purchase", 9000000000000000LL, "USD", NULL, "k2",
                      &r), CRM_OK);
  assert_int_equal(r.points, 270000000000000LL);
  fake_unload(&host);
}

/* JPY-like: no minor unit; 1 point per 100 yen = points_per_unit 1 with
 * minor_per_unit 100 would be wrong, so: minor_per_unit 1, and 1 point per
 * yen; 1500 JPY -> 1500. */
static void test_zero_decimal_currency(void **state)
{
  crm_reward_result r;

  (void)state;
  fake_cfg_str(&host, "currency", "JPY");
  fake_cfg_int(&host, "minor_per_unit", 1);
  assert_int_equal(fake_load(&host, "basic_points"), CRM_OK);
  assert_int_equal(ev("purchase", 1500, "JPY", NULL, "k1", &r), CRM_OK);
  assert_int_equal(r.points, 1500);
  assert_string_equal(r.note, "1 pt per JPY on 1500 JPY");
  fake_unload(&host);
}

/* Another currency earns nothing and is logged once per currency. */
static void test_other_currency(void **state)
{
  crm_reward_result r;

  (void)state;
  assert_int_equal(fake_load(&host, "basic_points"), CRM_OK);
  assert_int_equal(ev("purchase", 5000, "EUR", NULL, "k1", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_non_null(strstr(r.note, "EUR"));
  assert_int_equal(host.n_logs, 1);
  assert_non_null(strstr(host.last_log, "EUR"));
  assert_int_equal(ev("purchase", 7000, "EUR", NULL, "k2", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(host.n_logs, 1);
  assert_int_equal(ev("purchase", 7000, "GBP", NULL, "k3", &r), CRM_OK);
  assert_int_equal(host.n_logs, 2);
  fake_unload(&host);
}

static void test_min_amount(void **state)
{
  crm_reward_result r;

  (void)state;
  fake_cfg_int(&host, "min_amount", 1000);
  assert_int_equal(fake_load(&host, "basic_points"), CRM_OK);
  assert_int_equal(ev("purchase", 999, "USD", NULL, "k1", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_string_equal(r.note, "no points: 9.99 USD is below the minimum "
                              "10.00 USD");
  assert_int_equal(ev("purchase", 1000, "USD", NULL, "k2", &r), CRM_OK);
  assert_int_equal(r.points, 10);
  fake_unload(&host);
}

/* Purchase 30.00 USD at 3 pts/USD earns 90. Refund 10.00 of it: one
 * third of 90 = 30 back. Refund 20.00 more: cumulative 30.00 of 30.00 ->
 * all 90, minus the 30 already reversed = 60. Anything further: 0. */
static void test_refund_pro_rata(void **state)
{
  crm_reward_result r;
  const char *pl = "{\"reason\":\"dented\", \"refund_of\" : \"order-1\"}";

  (void)state;
  fake_cfg_int(&host, "points_per_unit", 3);
  assert_int_equal(fake_load(&host, "basic_points"), CRM_OK);
  assert_int_equal(ev("purchase", 3000, "USD", NULL, "order-1", &r), CRM_OK);
  assert_int_equal(r.points, 90);
  assert_int_equal(ev("refund", 1000, "USD", pl, "ref-1", &r), CRM_OK);
  assert_int_equal(r.points, -30);
  assert_non_null(strstr(r.note, "order-1"));
  assert_int_equal(ev("refund", 2000, "USD", pl, "ref-2", &r), CRM_OK);
  assert_int_equal(r.points, -60);
  assert_int_equal(ev("refund", 500, "USD", pl, "ref-3", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  fake_unload(&host);
}

/* Rounding: 29.33 USD earned 29. Refunds 14.66 then 14.67: the first is
 * floor(29 * 1466 / 2933) = floor(14.49) = 14; the second completes the
 * amount, so the cumulative reversal is 29 and it takes 15. Per-refund
 * rate arithmetic would have left 1 point behind. */
static void test_refund_parts_sum_to_earned(void **state)
{
  crm_reward_result r;
  const char *pl = "{\"refund_of\":\"p-9\"}";

  (void)state;
  assert_int_equal(fake_load(&host, "basic_points"), CRM_OK);
  assert_int_equal(ev("purchase", 2933, "USD", NULL, "p-9", &r), CRM_OK);
  assert_int_equal(r.points, 29);
  assert_int_equal(ev("refund", 1466, "USD", pl, "r1", &r), CRM_OK);
  assert_int_equal(r.points, -14);
  assert_int_equal(ev("refund", 1467, "USD", pl, "r2", &r), CRM_OK);
  assert_int_equal(r.points, -15);
  fake_unload(&host);
}

/* Amount 0 with refund_of: everything left; a purchase that earned
 * nothing (below min) reverses nothing. */
static void test_refund_full_and_unearned(void **state)
{
  crm_reward_result r;

  (void)state;
  fake_cfg_int(&host, "min_amount", 500);
  assert_int_equal(fake_load(&host, "basic_points"), CRM_OK);
  assert_int_equal(ev("purchase", 4550, "USD", NULL, "a", &r), CRM_OK);
  assert_int_equal(r.points, 45);
  assert_int_equal(ev("refund", 0, NULL, "{\"refund_of\":\"a\"}", "ra", &r),
                   CRM_OK);
  assert_int_equal(r.points, -45);
  assert_int_equal(ev("purchase", 400, "USD", NULL, "b", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(ev("refund", 400, "USD", "{\"refund_of\":\"b\"}", "rb",
                      &r), CRM_OK);
  assert_int_equal(r.points, 0);
  fake_unload(&host);
}

/* Without refund_of: the refunded amount at the current rate, as long as
 * the balance covers it. */
static void test_refund_without_purchase(void **state)
{
  crm_reward_result r;

  (void)state;
  fake_cfg_int(&host, "points_per_unit", 2);
  assert_int_equal(fake_load(&host, "basic_points"), CRM_OK);
  ev_balance = 100;
  assert_int_equal(ev("refund", 1250, "USD", NULL, "r1", &r), CRM_OK);
  assert_int_equal(r.points, -25); /* floor(12.50 * 2) */
  assert_string_equal(r.note, "reversal at 2 pts per USD on 12.50 USD");
  /* a payload without refund_of (the "}" inside a string is skipped) */
  assert_int_equal(ev("refund", 1250, "USD",
                      "{\"items\":[1,{\"x\":\"}\"}],\"why\":\"zz\"}",
                      "r2", &r), CRM_OK);
  assert_int_equal(r.points, -25);
  assert_int_equal(ev("refund", 1250, "EUR", NULL, "r3", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(host.n_kv, 0);
  fake_unload(&host);
}

/* Without refund_of the reversal stops at the customer's balance: 12.50
 * USD at 2 pts/USD is 25, the balance is 10, so 10 are taken back and
 * the note says 15 were not. A zero or negative balance takes nothing. */
static void test_refund_without_purchase_capped_at_balance(void **state)
{
  crm_reward_result r;

  (void)state;
  fake_cfg_int(&host, "points_per_unit", 2);
  assert_int_equal(fake_load(&host, "basic_points"), CRM_OK);
  ev_balance = 10;
  assert_int_equal(ev("refund", 1250, "USD", NULL, "r1", &r), CRM_OK);
  assert_int_equal(r.points, -10);
  assert_string_equal(r.note, "reversal at 2 pts per USD on 12.50 USD; "
                              "balance 10, 15 not taken back");
  ev_balance = 25; /* exactly covered */
  assert_int_equal(ev("refund", 1250, "USD", NULL, "r2", &r), CRM_OK);
  assert_int_equal(r.points, -25);
  ev_balance = 0;
  assert_int_equal(ev("refund", 1250, "USD", NULL, "r3", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_non_null(strstr(r.note, "25 not taken back"));
  ev_balance = -4;
  assert_int_equal(ev("refund", 100, "USD", "{\"refund_of\":\"\"}", "r4",
                      &r), CRM_OK);
  assert_int_equal(r.points, 0);
  fake_unload(&host);
}

/* A refund naming another customer's purchase is bad input: refused with
 * CRM_EINVAL, the purchase record untouched, so the owner's own refund
 * still takes back everything. 10.00 USD at 100 pts/USD = 1000. */
static void test_refund_other_customers_purchase(void **state)
{
  crm_reward_result r;

  (void)state;
  fake_cfg_int(&host, "points_per_unit", 100);
  assert_int_equal(fake_load(&host, "basic_points"), CRM_OK);
  ev_customer = 1;
  assert_int_equal(ev("purchase", 1000, "USD", NULL, "pa", &r), CRM_OK);
  assert_int_equal(r.points, 1000);
  ev_customer = 2;
  ev_balance = 5000;
  assert_int_equal(ev("refund", 1000, "USD", "{\"refund_of\":\"pa\"}",
                      "rb", &r), CRM_EINVAL);
  assert_int_equal(host.errcode, CRM_EINVAL);
  assert_string_equal(host.errmsg, "refund_of \"pa\" names a purchase of "
                                   "another customer");
  assert_string_equal(fake_kv_find(&host, "p:pa"), "1000 1000 0 0 USD 1");
  ev_customer = 1;
  ev_balance = 1000;
  assert_int_equal(ev("refund", 1000, "USD", "{\"refund_of\":\"pa\"}",
                      "ra", &r), CRM_OK);
  assert_int_equal(r.points, -1000);
  fake_unload(&host);
}

/* Records written before the owner check have no customer: they are
 * still read, and not checked. */
static void test_refund_old_record(void **state)
{
  crm_reward_result r;

  (void)state;
  assert_int_equal(fake_load(&host, "basic_points"), CRM_OK);
  assert_int_equal(host.api.kv_put(&host, "p:old", "3000 30 0 0 USD"),
                   CRM_OK);
  assert_int_equal(ev("refund", 1500, "USD", "{\"refund_of\":\"old\"}",
                      "r", &r), CRM_OK);
  assert_int_equal(r.points, -15);
  assert_string_equal(fake_kv_find(&host, "p:old"), "3000 30 1500 15 USD 0");
  assert_int_equal(host.api.kv_put(&host, "p:bad", "3000 x"), CRM_OK);
  assert_int_equal(ev("refund", 1500, "USD", "{\"refund_of\":\"bad\"}",
                      "r2", &r), CRM_ECORRUPT);
  fake_unload(&host);
}

/* Refunds beyond the purchase are capped: 30.00 at 3 pts/USD earned 90;
 * a refund of 50.00 takes back 90, never more, and then nothing. */
static void test_refund_beyond_purchase(void **state)
{
  crm_reward_result r;
  const char *pl = "{\"refund_of\":\"o\"}";

  (void)state;
  fake_cfg_int(&host, "points_per_unit", 3);
  assert_int_equal(fake_load(&host, "basic_points"), CRM_OK);
  assert_int_equal(ev("purchase", 3000, "USD", NULL, "o", &r), CRM_OK);
  assert_int_equal(r.points, 90);
  assert_int_equal(ev("refund", 5000, "USD", pl, "r1", &r), CRM_OK);
  assert_int_equal(r.points, -90);
  assert_string_equal(r.note, "reversal of 30.00 USD of purchase o");
  assert_int_equal(ev("refund", 5000, "USD", pl, "r2", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_string_equal(fake_kv_find(&host, "p:o"), "3000 90 3000 90 USD 7");
  fake_unload(&host);
}

/* A refund of a purchase not seen yet takes nothing back and holds its
 * amount against the key. The purchase (30.00 at 3 pts/USD = 90) then
 * earns 90 less the held 10.00's share, 30: 60. The rest of the refund
 * (amount 0: what is left) takes the 60 back. Net 0, as in the other
 * order (90, -30, -60). */
static void test_refund_before_purchase(void **state)
{
  crm_reward_result r;
  const char *pl = "{\"refund_of\":\"late\"}";

  (void)state;
  fake_cfg_int(&host, "points_per_unit", 3);
  assert_int_equal(fake_load(&host, "basic_points"), CRM_OK);
  assert_int_equal(ev("refund", 600, "USD", pl, "r1", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_string_equal(r.note, "purchase not seen yet: 6.00 USD held "
                              "against it");
  assert_int_equal(ev("refund", 400, "USD", pl, "r2", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  /* held for customer 7, who is listed against the key */
  assert_string_equal(fake_kv_find(&host, "h:7:late"), "held 1000 0 USD 7");
  assert_string_equal(fake_kv_find(&host, "p:late"), "holders 7");
  assert_int_equal(ev("purchase", 3000, "USD", NULL, "late", &r), CRM_OK);
  assert_int_equal(r.points, 60);
  assert_string_equal(r.note, "3 pts per USD on 30.00 USD, less 10.00 USD "
                              "refunded before");
  assert_string_equal(fake_kv_find(&host, "p:late"),
                      "3000 90 1000 30 USD 7");
  assert_null(fake_kv_find(&host, "h:7:late")); /* consumed */
  assert_int_equal(ev("refund", 0, NULL, pl, "r3", &r), CRM_OK);
  assert_int_equal(r.points, -60);
  assert_int_equal(ev("refund", 100, "USD", pl, "r4", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  fake_unload(&host);
}

/* Rounding is the same in either order: 29.33 USD earns 29; 14.66 of it
 * refunded first reverses floor(29 * 1466 / 2933) = 14. Held first, the
 * purchase earns 29 - 14 = 15, and refunding the other 14.67 takes the
 * 15 back. */
static void test_refund_before_purchase_rounding(void **state)
{
  crm_reward_result r;
  const char *pl = "{\"refund_of\":\"p-9\"}";

  (void)state;
  assert_int_equal(fake_load(&host, "basic_points"), CRM_OK);
  assert_int_equal(ev("refund", 1466, "USD", pl, "r1", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(ev("purchase", 2933, "USD", NULL, "p-9", &r), CRM_OK);
  assert_int_equal(r.points, 15);
  assert_int_equal(ev("refund", 1467, "USD", pl, "r2", &r), CRM_OK);
  assert_int_equal(r.points, -15);
  fake_unload(&host);
}

/* Held refunds of the whole purchase or more: it earns nothing. Amount 0
 * (everything) is held whatever its currency. */
static void test_refund_before_purchase_whole(void **state)
{
  crm_reward_result r;

  (void)state;
  fake_cfg_int(&host, "points_per_unit", 3);
  assert_int_equal(fake_load(&host, "basic_points"), CRM_OK);
  assert_int_equal(ev("refund", 5000, "USD", "{\"refund_of\":\"a\"}", "r1",
                      &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(ev("purchase", 3000, "USD", NULL, "a", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_string_equal(fake_kv_find(&host, "p:a"), "3000 90 3000 90 USD 7");
  assert_int_equal(ev("refund", 0, NULL, "{\"refund_of\":\"a\"}", "r2",
                      &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(ev("refund", 0, NULL, "{\"refund_of\":\"b\"}", "r3",
                      &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_string_equal(r.note, "purchase not seen yet: the whole amount held "
                              "against it");
  assert_string_equal(fake_kv_find(&host, "h:7:b"), "held 0 1 USD 7");
  assert_int_equal(ev("purchase", 2000, "USD", NULL, "b", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  /* a held refund in another currency is not held: it would never
   * reverse anything */
  assert_int_equal(ev("refund", 500, "EUR", "{\"refund_of\":\"c\"}", "r4",
                      &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_null(fake_kv_find(&host, "p:c"));
  assert_null(fake_kv_find(&host, "h:7:c"));
  fake_unload(&host);
}

/* Held refunds are kept per customer: customer 1's refund naming q (a
 * purchase not seen yet, which turns out to be customer 2's) does not
 * block customer 2's own refund of q; both are held, each for its
 * customer. The purchase (30.00 at 3 pts/USD = 90) then counts only its
 * owner's held 5.00: 90 - floor(90 * 500 / 3000) = 90 - 15 = 75 (with
 * customer 1's 20.00 it would have been 90 - 75 = 15, with 20.00 alone
 * 90 - 60 = 30). Customer 1's held refund is logged and dropped, and
 * once the purchase is known customer 1's refunds of q are refused.
 * Customer 2's refund of the rest (amount 0) takes back the other 75. */
static void test_refund_before_purchase_other_customer(void **state)
{
  crm_reward_result r;
  const char *pl = "{\"refund_of\":\"q\"}";

  (void)state;
  fake_cfg_int(&host, "points_per_unit", 3);
  assert_int_equal(fake_load(&host, "basic_points"), CRM_OK);
  ev_customer = 1;
  assert_int_equal(ev("refund", 2000, "USD", pl, "r1", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  ev_customer = 2;
  assert_int_equal(ev("refund", 500, "USD", pl, "r2", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_string_equal(r.note, "purchase not seen yet: 5.00 USD held "
                              "against it");
  assert_string_equal(fake_kv_find(&host, "h:1:q"), "held 2000 0 USD 1");
  assert_string_equal(fake_kv_find(&host, "h:2:q"), "held 500 0 USD 2");
  assert_string_equal(fake_kv_find(&host, "p:q"), "holders 1 2");
  /* a second refund of customer 1 adds to its own hold only */
  ev_customer = 1;
  assert_int_equal(ev("refund", 100, "USD", pl, "r3", &r), CRM_OK);
  assert_string_equal(fake_kv_find(&host, "h:1:q"), "held 2100 0 USD 1");
  assert_string_equal(fake_kv_find(&host, "h:2:q"), "held 500 0 USD 2");
  assert_string_equal(fake_kv_find(&host, "p:q"), "holders 1 2");
  assert_int_equal(host.n_logs, 0);

  ev_customer = 2;
  assert_int_equal(ev("purchase", 3000, "USD", NULL, "q", &r), CRM_OK);
  assert_int_equal(r.points, 75);
  assert_string_equal(r.note, "3 pts per USD on 30.00 USD, less 5.00 USD "
                              "refunded before");
  assert_int_equal(host.n_logs, 1);
  assert_non_null(strstr(host.last_log, "customer #1"));
  assert_non_null(strstr(host.last_log, "ignored"));
  assert_string_equal(fake_kv_find(&host, "p:q"), "3000 90 500 15 USD 2");
  assert_null(fake_kv_find(&host, "h:1:q"));
  assert_null(fake_kv_find(&host, "h:2:q"));

  ev_customer = 1;
  assert_int_equal(ev("refund", 1000, "USD", pl, "r4", &r), CRM_EINVAL);
  assert_string_equal(host.errmsg, "refund_of \"q\" names a purchase of "
                                   "another customer");
  ev_customer = 2;
  assert_int_equal(ev("refund", 0, NULL, pl, "r5", &r), CRM_OK);
  assert_int_equal(r.points, -75);
  assert_string_equal(fake_kv_find(&host, "p:q"), "3000 90 3000 90 USD 2");
  fake_unload(&host);
}

/* Only someone else held refunds against the key: the purchase earns in
 * full (1 pt/USD on 30.00 = 30) and says nothing of them. */
static void test_refund_held_by_stranger_only(void **state)
{
  crm_reward_result r;

  (void)state;
  assert_int_equal(fake_load(&host, "basic_points"), CRM_OK);
  ev_customer = 1;
  assert_int_equal(ev("refund", 1000, "USD", "{\"refund_of\":\"s\"}",
                      "r1", &r), CRM_OK);
  ev_customer = 2;
  assert_int_equal(ev("purchase", 3000, "USD", NULL, "s", &r), CRM_OK);
  assert_int_equal(r.points, 30);
  assert_string_equal(r.note, "1 pt per USD on 30.00 USD");
  assert_int_equal(host.n_logs, 1);
  assert_non_null(strstr(host.last_log, "ignored"));
  assert_string_equal(fake_kv_find(&host, "p:s"), "3000 30 0 0 USD 2");
  assert_null(fake_kv_find(&host, "h:1:s"));
  fake_unload(&host);
}

/* A store written by the version that kept one customer's held refunds
 * under "p:<key>" (here customer 1 held 10.00 against "old"): another
 * customer's refund of the key is accepted (the old record moves to
 * h:1:old), and the owner's purchase counts the old hold: 30.00 at
 * 1 pt/USD earns 30 - floor(30 * 1000 / 3000) = 20. A purchase that
 * finds such a record of its own customer in place counts it too. */
static void test_refund_held_old_layout(void **state)
{
  crm_reward_result r;

  (void)state;
  assert_int_equal(fake_load(&host, "basic_points"), CRM_OK);
  assert_int_equal(host.api.kv_put(&host, "p:old", "held 1000 0 USD 1"),
                   CRM_OK);
  ev_customer = 2;
  assert_int_equal(ev("refund", 700, "USD", "{\"refund_of\":\"old\"}",
                      "r1", &r), CRM_OK);
  assert_string_equal(fake_kv_find(&host, "h:1:old"), "held 1000 0 USD 1");
  assert_string_equal(fake_kv_find(&host, "h:2:old"), "held 700 0 USD 2");
  assert_string_equal(fake_kv_find(&host, "p:old"), "holders 1 2");
  ev_customer = 1;
  assert_int_equal(ev("purchase", 3000, "USD", NULL, "old", &r), CRM_OK);
  assert_int_equal(r.points, 20);
  assert_null(fake_kv_find(&host, "h:1:old"));
  assert_null(fake_kv_find(&host, "h:2:old"));
  assert_int_equal(host.api.kv_put(&host, "p:old2", "held 1000 0 USD 1"),
                   CRM_OK);
  assert_int_equal(ev("purchase", 3000, "USD", NULL, "old2", &r), CRM_OK);
  assert_int_equal(r.points, 20);
  assert_string_equal(fake_kv_find(&host, "p:old2"), "3000 30 1000 10 USD 1");
  fake_unload(&host);
}

/* refund_of is a purchase's idempotency key, at most 128 bytes: 128 is
 * held like any other, 129 is refused as bad input (it used to fall back
 * silently to a refund at the rate). */
static void test_refund_of_too_long(void **state)
{
  crm_reward_result r;
  char key[140];
  char pl[200];
  char hkey[160];

  (void)state;
  assert_int_equal(fake_load(&host, "basic_points"), CRM_OK);
  ev_balance = 100;
  memset(key, 'k', 128);
  key[128] = '\0';
  snprintf(pl, sizeof(pl), "{\"refund_of\":\"%s\"}", key);
  assert_int_equal(ev("refund", 500, "USD", pl, "r1", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  snprintf(hkey, sizeof(hkey), "h:7:%s", key);
  assert_string_equal(fake_kv_find(&host, hkey), "held 500 0 USD 7");
  memset(key, 'k', 129);
  key[129] = '\0';
  snprintf(pl, sizeof(pl), "{\"refund_of\":\"%s\"}", key);
  assert_int_equal(ev("refund", 500, "USD", pl, "r2", &r), CRM_EINVAL);
  assert_string_equal(host.errmsg, "refund_of is longer than 128 bytes "
                                   "(purchase idempotency keys are at most "
                                   "128)");
  assert_int_equal(host.n_kv, 2); /* h:7:k..k and p:k..k only */
  fake_unload(&host);
}

static void test_other_types(void **state)
{
  crm_reward_result r;

  (void)state;
  assert_int_equal(fake_load(&host, "basic_points"), CRM_OK);
  assert_int_equal(ev("contact", 5000, "USD", NULL, "c1", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(ev("complaint", 0, NULL, "{}", "c2", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(host.n_kv, 0);
  fake_unload(&host);
}

static void test_bad_config(void **state)
{
  (void)state;
  fake_cfg_int(&host, "points_per_unit", -1);
  assert_int_equal(fake_load(&host, "basic_points"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "points_per_unit must be between 0 and "
                                   "1000000 (got -1)");
  fake_reset(&host);
  fake_cfg_str(&host, "currency", "usd");
  assert_int_equal(fake_load(&host, "basic_points"), CRM_ECONFIG);
  assert_non_null(strstr(host.errmsg, "currency"));
  fake_reset(&host);
  fake_cfg_int(&host, "minor_per_unit", 0);
  assert_int_equal(fake_load(&host, "basic_points"), CRM_ECONFIG);
  fake_reset(&host);
  fake_cfg_bool(&host, "min_amount", 1);
  assert_int_equal(fake_load(&host, "basic_points"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "min_amount must be an integer");
  fake_unload(&host);
}

static void test_reconfigure(void **state)
{
  crm_reward_result r;

  (void)state;
  assert_int_equal(fake_load(&host, "basic_points"), CRM_OK);
  fake_cfg_int(&host, "points_per_unit", 5);
  assert_int_equal(host.desc->reconfigure(host.state, &host), CRM_OK);
  assert_int_equal(ev("purchase", 1000, "USD", NULL, "k", &r), CRM_OK);
  assert_int_equal(r.points, 50);
  fake_cfg_int(&host, "points_per_unit", -5);
  assert_int_equal(host.desc->reconfigure(host.state, &host), CRM_ECONFIG);
  assert_int_equal(ev("purchase", 1000, "USD", NULL, "k2", &r), CRM_OK);
  assert_int_equal(r.points, 50);
  fake_unload(&host);
}

/* basic_points uses only the 1.0 host table: it runs on a 1.0 host. */
static void test_old_host(void **state)
{
  crm_reward_result r;

  (void)state;
  fake_host_1_0(&host);
  assert_int_equal(fake_load(&host, "basic_points"), CRM_OK);
  assert_int_equal(ev("purchase", 2933, "USD", NULL, "k1", &r), CRM_OK);
  assert_int_equal(r.points, 29);
  fake_unload(&host);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup(test_descriptor, setup),
    cmocka_unit_test_setup(test_earn_default, setup),
    cmocka_unit_test_setup(test_earn_rate, setup),
    cmocka_unit_test_setup(test_zero_decimal_currency, setup),
    cmocka_unit_test_setup(test_other_currency, setup),
    cmocka_unit_test_setup(test_min_amount, setup),
    cmocka_unit_test_setup(test_refund_pro_rata, setup),
    cmocka_unit_test_setup(test_refund_parts_sum_to_earned, setup),
    cmocka_unit_test_setup(test_refund_full_and_unearned, setup),
    cmocka_unit_test_setup(test_refund_without_purchase, setup),
    cmocka_unit_test_setup(test_refund_without_purchase_capped_at_balance,
                           setup),
    cmocka_unit_test_setup(test_refund_other_customers_purchase, setup),
    cmocka_unit_test_setup(test_refund_old_record, setup),
    cmocka_unit_test_setup(test_refund_beyond_purchase, setup),
    cmocka_unit_test_setup(test_refund_before_purchase, setup),
    cmocka_unit_test_setup(test_refund_before_purchase_rounding, setup),
    cmocka_unit_test_setup(test_refund_before_purchase_whole, setup),
    cmocka_unit_test_setup(test_refund_before_purchase_other_customer,
                           setup),
    cmocka_unit_test_setup(test_refund_held_by_stranger_only, setup),
    cmocka_unit_test_setup(test_refund_held_old_layout, setup),
    cmocka_unit_test_setup(test_refund_of_too_long, setup),
    cmocka_unit_test_setup(test_other_types, setup),
    cmocka_unit_test_setup(test_bad_config, setup),
    cmocka_unit_test_setup(test_reconfigure, setup),
    cmocka_unit_test_setup(test_old_host, setup),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
