/*
 * test_plugin_rfm_grid.c - the rfm segment grid (config `segments`) in
 * isolation (fake host): assignment of every kind of cell, "other", the
 * explanation written through score_write (1.3), the score_put fallback
 * on a 1.1 host, and the messages of a refused grid.
 *
 * Populations of five customers with distinct values in every dimension
 * get ranks 1..5 (G = bins = 5: the k-th worst gets k, see
 * test_plugin_rfm.c), so a customer's (R, F, M) is chosen by hand:
 * R rank r <- last purchase (6 - r) * 10 days ago, F rank f <- f
 * purchases, M rank m <- m * 1000 minor units.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "test_plugin_fake.h"

#define DAY 86400
#define AS_OF ((int64_t)20000 * DAY)

static crm_host_ctx host;

struct pop {
  crm_customer_view v[16];
  const crm_customer_view *p[16];
  size_t n;
};

static void pop_raw(struct pop *pp, int64_t id, int64_t days_ago,
                    int64_t count, int64_t money, const char *currency)
{
  crm_customer_view *v = &pp->v[pp->n];

  memset(v, 0, sizeof(*v));
  v->struct_size = sizeof(*v);
  v->customer_id = id;
  v->last_purchase_at = AS_OF - days_ago * DAY;
  v->purchase_count = count;
  v->monetary_total = money;
  v->currency = currency;
  pp->p[pp->n] = v;
  pp->n++;
}

/* Customer id with ranks (r, f, m) in a population of five. */
static void pop_rank(struct pop *pp, int64_t id, int r, int f, int m)
{
  pop_raw(pp, id, (6 - r) * 10, f, (int64_t)m * 1000, "USD");
}

static int setup(void **state)
{
  (void)state;
  fake_reset(&host);
  return 0;
}

static int run(struct pop *pp)
{
  const crm_scoring_v1 *vt = fake_vtable(&host, CRM_KIND_SCORING);

  return vt->score_batch(host.state, &host, pp->p, pp->n, AS_OF);
}

static const struct fake_score *seg(int64_t id)
{
  const struct fake_score *s = fake_score_find(&host, id, "segment");

  assert_non_null(s);
  return s;
}

/* segments.[i] = { name; r = [r0, r1]; f = [f0, f1]; m = [m0, m1] }
 * (m left out when m0 is 0). */
static void cfg_seg(size_t i, const char *name, int r0, int r1, int f0,
                    int f1, int m0, int m1)
{
  char p[64];

  snprintf(p, sizeof(p), "segments.[%zu].name", i);
  fake_cfg_str(&host, p, name);
  snprintf(p, sizeof(p), "segments.[%zu].r.[0]", i);
  fake_cfg_int(&host, p, r0);
  snprintf(p, sizeof(p), "segments.[%zu].r.[1]", i);
  fake_cfg_int(&host, p, r1);
  snprintf(p, sizeof(p), "segments.[%zu].f.[0]", i);
  fake_cfg_int(&host, p, f0);
  snprintf(p, sizeof(p), "segments.[%zu].f.[1]", i);
  fake_cfg_int(&host, p, f1);
  if(!m0)
    return;
  snprintf(p, sizeof(p), "segments.[%zu].m.[0]", i);
  fake_cfg_int(&host, p, m0);
  snprintf(p, sizeof(p), "segments.[%zu].m.[1]", i);
  fake_cfg_int(&host, p, m1);
}

/* The custom grid of the assignment tests:
 *   1 vip           r 4..5  f 4..5  m 5..5
 *   2 active        r 4..5  f 1..5  (any m)
 *   3 big spenders  r 1..3  f 1..5  m 4..5
 *   4 sleeping      r 1..2  f 1..5  m 1..3
 * It leaves r = 3, m = 1..3 (any f) unmatched: 1 * 5 * 3 = 15 cells, the
 * first in r, f, m order being (3, 1, 1). */
static void cfg_custom(void)
{
  cfg_seg(0, "vip", 4, 5, 4, 5, 5, 5);
  cfg_seg(1, "active", 4, 5, 1, 5, 0, 0);
  cfg_seg(2, "big spenders", 1, 3, 1, 5, 4, 5);
  cfg_seg(3, "sleeping", 1, 2, 1, 5, 1, 3);
}

static void expect_seg(int64_t id, const char *name, double value)
{
  assert_string_equal(seg(id)->label, name);
  assert_true(seg(id)->value == value);
}

/* Two populations reach every segment of the custom grid and "other". */
static void test_custom_grid(void **state)
{
  struct pop a = {.n = 0};
  struct pop b = {.n = 0};

  (void)state;
  cfg_custom();
  assert_int_equal(fake_load(&host, "rfm"), CRM_OK);
  assert_int_equal(host.n_logs, 1);
  assert_string_equal(host.last_log,
                      "segments leave 15 of 125 (r, f, m) cells unmatched "
                      "(the first r=3 f=1 m=1): those customers get segment "
                      "\"other\"");
  /* a: (5,5,5) vip; (4,4,4) active (m 4 is not vip's 5); (3,3,3) is
   * unmatched; (2,2,2) and (1,1,1) sleeping. */
  pop_rank(&a, 1, 5, 5, 5);
  pop_rank(&a, 2, 4, 4, 4);
  pop_rank(&a, 3, 3, 3, 3);
  pop_rank(&a, 4, 2, 2, 2);
  pop_rank(&a, 5, 1, 1, 1);
  assert_int_equal(run(&a), CRM_OK);
  assert_true(fake_score_find(&host, 1, "rfm")->value == 555);
  assert_true(fake_score_find(&host, 3, "rfm")->value == 333);
  expect_seg(1, "vip", 1);
  expect_seg(2, "active", 2);
  expect_seg(3, "other", 0);
  expect_seg(4, "sleeping", 4);
  expect_seg(5, "sleeping", 4);
  /* b: (5,1,1) active (f 1 is not vip's); (4,4,5) vip; (3,5,4) big
   * spenders; (2,2,3) sleeping; (1,3,2) sleeping. */
  host.n_scores = 0;
  pop_rank(&b, 1, 5, 1, 1);
  pop_rank(&b, 2, 4, 4, 5);
  pop_rank(&b, 3, 3, 5, 4);
  pop_rank(&b, 4, 2, 2, 3);
  pop_rank(&b, 5, 1, 3, 2);
  assert_int_equal(run(&b), CRM_OK);
  assert_true(fake_score_find(&host, 2, "rfm")->value == 445);
  expect_seg(1, "active", 2);
  expect_seg(2, "vip", 1);
  expect_seg(3, "big spenders", 3);
  expect_seg(4, "sleeping", 4);
  expect_seg(5, "sleeping", 4);
  fake_unload(&host);
}

/* A single integer is a one-value range; with bins 10 the scores are
 * brought to 1..5 with ceil(s * 5 / 10) = ceil(s / 2), so r = 5 holds
 * R 9 and 10, and M too is scaled. Ten distinct customers: ranks 1..10
 * (G = bins). */
static void test_single_value_and_bins(void **state)
{
  struct pop pp = {.n = 0};
  int64_t i;

  (void)state;
  fake_cfg_int(&host, "bins", 10);
  fake_cfg_str(&host, "segments.[0].name", "top");
  fake_cfg_int(&host, "segments.[0].r", 5);
  fake_cfg_int(&host, "segments.[0].f.[0]", 1);
  fake_cfg_int(&host, "segments.[0].f.[1]", 5);
  fake_cfg_int(&host, "segments.[0].m", 1);
  cfg_seg(1, "rest", 1, 5, 1, 5, 0, 0);
  assert_int_equal(fake_load(&host, "rfm"), CRM_OK);
  assert_int_equal(host.n_logs, 0); /* "rest" holds every cell */
  /* customer i: R rank i (days 11 - i), F rank i, M rank 11 - i */
  for(i = 1; i <= 10; i++)
    pop_raw(&pp, i, 11 - i, i, (11 - i) * 100, NULL);
  assert_int_equal(run(&pp), CRM_OK);
  /* 9: R 9 -> 5, M 2 -> 1: top; 10: M 1: top; 8: R 8 -> 4: rest;
   * a customer with R 9 and M 3 -> 2 would be rest: none here. */
  expect_seg(9, "top", 1);
  expect_seg(10, "top", 1);
  expect_seg(8, "rest", 2);
  expect_seg(1, "rest", 2);
  assert_string_equal(fake_score_find(&host, 9, "rfm")->label, "9-9-2");
  fake_unload(&host);
}

/* The explanation of "segment" (1.3 host): r, f, m with their scores as
 * contributions and what they came from. */
static void test_explanation(void **state)
{
  struct pop pp = {.n = 0};
  const struct fake_score *s;

  (void)state;
  assert_int_equal(fake_load(&host, "rfm"), CRM_OK);
  assert_int_equal(host.n_logs, 0); /* the default grid is complete */
  /* distinct everywhere: customer 1 best (5,5,5) ... customer 5 worst */
  pop_raw(&pp, 1, 12, 7, 123456, "USD");
  pop_raw(&pp, 2, 20, 5, 100000, "EUR");
  pop_raw(&pp, 3, 30, 3, 50000, NULL);
  pop_raw(&pp, 4, 40, 2, 1005, "");
  pop_raw(&pp, 5, 1, 1, -250, "USD"); /* most recent, worst F and M */
  assert_int_equal(run(&pp), CRM_OK);

  s = seg(1); /* R: 12 days is 2nd best (4), F 5, M 5 -> (4,5): Loyal */
  assert_string_equal(s->label, "Loyal");
  assert_true(s->value == 2);
  assert_int_equal(s->n_factors, 3);
  assert_string_equal(s->factors[0].factor, "r");
  assert_true(s->factors[0].contribution == 4);
  assert_string_equal(s->factors[0].detail, "last purchase 12 days ago");
  assert_string_equal(s->factors[1].factor, "f");
  assert_true(s->factors[1].contribution == 5);
  assert_string_equal(s->factors[1].detail, "7 purchases");
  assert_string_equal(s->factors[2].factor, "m");
  assert_true(s->factors[2].contribution == 5);
  assert_string_equal(s->factors[2].detail, "spend 1234.56 USD");
  /* customer 5: R 5 (1 day), F 1, M 1 -> (5,1): New */
  s = seg(5);
  assert_string_equal(s->label, "New");
  assert_true(s->value == 4);
  assert_string_equal(s->factors[0].detail, "last purchase 1 day ago");
  assert_string_equal(s->factors[1].detail, "1 purchase");
  assert_string_equal(s->factors[2].detail, "spend -2.50 USD");
  assert_true(s->factors[2].contribution == 1);
  /* no currency or an empty one: the amount alone */
  assert_string_equal(seg(3)->factors[2].detail, "spend 500.00");
  assert_string_equal(seg(4)->factors[2].detail, "spend 10.05");
  assert_string_equal(seg(2)->factors[2].detail, "spend 1000.00 EUR");
  /* the other scores carry no explanation */
  assert_int_equal(fake_score_find(&host, 1, "r")->n_factors, 0);
  assert_int_equal(fake_score_find(&host, 1, "rfm")->n_factors, 0);
  fake_unload(&host);
}

/* A 1.1 host has no score_write: the same segments through score_put. */
static void test_host_1_1(void **state)
{
  struct pop pp = {.n = 0};

  (void)state;
  fake_host_1_1(&host);
  cfg_custom();
  assert_int_equal(fake_load(&host, "rfm"), CRM_OK);
  pop_rank(&pp, 1, 5, 5, 5);
  pop_rank(&pp, 2, 4, 4, 4);
  pop_rank(&pp, 3, 3, 3, 3);
  pop_rank(&pp, 4, 2, 2, 2);
  pop_rank(&pp, 5, 1, 1, 1);
  assert_int_equal(run(&pp), CRM_OK);
  expect_seg(1, "vip", 1);
  expect_seg(3, "other", 0);
  expect_seg(5, "sleeping", 4);
  assert_int_equal(seg(1)->n_factors, 0);
  fake_unload(&host);
}

/* The default grid on a 1.3 host: numbers 1..10 in table order. */
static void test_default_numbers(void **state)
{
  struct pop pp = {.n = 0};

  (void)state;
  assert_int_equal(fake_load(&host, "rfm"), CRM_OK);
  pop_rank(&pp, 1, 5, 5, 1);
  pop_rank(&pp, 2, 4, 2, 2);
  pop_rank(&pp, 3, 3, 3, 3);
  pop_rank(&pp, 4, 2, 4, 4);
  pop_rank(&pp, 5, 1, 1, 5);
  assert_int_equal(run(&pp), CRM_OK);
  expect_seg(1, "Champions", 1);
  expect_seg(2, "Potential Loyalist", 3);
  expect_seg(3, "Need Attention", 6);
  expect_seg(4, "At Risk", 9);
  expect_seg(5, "Hibernating", 10);
  fake_unload(&host);
}

/* A segment that earlier ones hide entirely is reported, not refused. */
static void test_shadowed_segment(void **state)
{
  (void)state;
  cfg_seg(0, "all", 1, 5, 1, 5, 0, 0);
  cfg_seg(1, "never", 5, 5, 5, 5, 0, 0);
  assert_int_equal(fake_load(&host, "rfm"), CRM_OK);
  assert_int_equal(host.n_logs, 1);
  assert_string_equal(host.last_log, "segments[1] (\"never\") never "
                      "matches: earlier segments hold all its cells");
  fake_unload(&host);
}

/* Loads rfm with the config built by the test and expects a refusal
 * with msg. */
static void expect_refused(const char *msg)
{
  assert_int_equal(fake_load(&host, "rfm"), CRM_ECONFIG);
  assert_int_equal(host.errcode, CRM_ECONFIG);
  assert_string_equal(host.errmsg, msg);
  assert_null(host.state);
  fake_unload(&host); /* nothing leaked */
  fake_reset(&host);
}

static void test_validation(void **state)
{
  size_t i;
  char p[48];

  (void)state;
  cfg_seg(0, "champions", 4, 5, 4, 5, 0, 0);
  cfg_seg(1, "loyal", 3, 5, 3, 5, 0, 0);
  cfg_seg(2, "at risk", 4, 2, 1, 5, 0, 0);
  expect_refused("segments[2] (\"at risk\"): r range 4..2 is empty");

  cfg_seg(0, "a", 1, 5, 0, 3, 0, 0);
  expect_refused("segments[0] (\"a\"): f range 0..3 is outside 1..5");

  cfg_seg(0, "a", 1, 5, 1, 5, 1, 6);
  expect_refused("segments[0] (\"a\"): m range 1..6 is outside 1..5");

  cfg_seg(0, "Loyal", 1, 5, 1, 5, 0, 0);
  cfg_seg(1, "loyal", 1, 5, 1, 5, 0, 0);
  expect_refused("segments[1] (\"loyal\"): name already used by "
                 "segments[0]");

  cfg_seg(0, "Other", 1, 5, 1, 5, 0, 0);
  expect_refused("segments[0] (\"Other\"): name \"other\" is reserved for "
                 "customers no segment matches");

  cfg_seg(0, "", 1, 5, 1, 5, 0, 0);
  expect_refused("segments[0]: name must be 1 to 64 bytes (got 0)");

  cfg_seg(0, "a", 1, 5, 1, 5, 0, 0);
  fake_cfg_int(&host, "segments.[1].r.[0]", 1);
  expect_refused("segments[1]: name is missing");

  fake_cfg_int(&host, "segments.[0].name", 7);
  fake_cfg_int(&host, "segments.[0].r", 1);
  expect_refused("segments[0]: name must be a string");

  fake_cfg_str(&host, "segments.[0].name", "a");
  fake_cfg_int(&host, "segments.[0].f", 1);
  expect_refused("segments[0] (\"a\"): r range is missing");

  fake_cfg_str(&host, "segments.[0].name", "a");
  fake_cfg_str(&host, "segments.[0].r", "high");
  fake_cfg_int(&host, "segments.[0].f", 1);
  expect_refused("segments[0] (\"a\"): r must be [lo, hi] or one integer "
                 "of 1..5");

  cfg_seg(0, "a", 1, 5, 1, 5, 0, 0);
  fake_cfg_int(&host, "segments.[0].f.[2]", 5);
  expect_refused("segments[0] (\"a\"): f must be [lo, hi] or one integer "
                 "of 1..5");

  fake_cfg_str(&host, "segments", "champions");
  expect_refused("segments must be a list of groups such as ( { name = "
                 "\"champions\"; r = [4, 5]; f = [4, 5]; } )");

  for(i = 0; i < 33; i++) {
    snprintf(p, sizeof(p), "s%zu", i);
    cfg_seg(i, p, 1, 5, 1, 5, 0, 0);
  }
  expect_refused("segments has more than 32 entries");
}

/* reconfigure: a bad grid is refused and the old one stays; a good one
 * replaces it. */
static void test_reconfigure(void **state)
{
  struct pop pp = {.n = 0};

  (void)state;
  cfg_custom();
  assert_int_equal(fake_load(&host, "rfm"), CRM_OK);
  pop_rank(&pp, 1, 5, 5, 5);
  pop_rank(&pp, 2, 4, 4, 4);
  pop_rank(&pp, 3, 3, 3, 3);
  pop_rank(&pp, 4, 2, 2, 2);
  pop_rank(&pp, 5, 1, 1, 1);
  cfg_seg(1, "active", 5, 4, 1, 5, 0, 0);
  assert_int_equal(host.desc->reconfigure(host.state, &host), CRM_ECONFIG);
  assert_string_equal(host.errmsg,
                      "segments[1] (\"active\"): r range 5..4 is empty");
  assert_int_equal(run(&pp), CRM_OK);
  expect_seg(2, "active", 2);
  /* now segments[1] holds r 1..5: (3,3,3) is "active" */
  cfg_seg(1, "active", 1, 5, 1, 5, 0, 0);
  assert_int_equal(host.desc->reconfigure(host.state, &host), CRM_OK);
  host.n_scores = 0;
  assert_int_equal(run(&pp), CRM_OK);
  expect_seg(3, "active", 2);
  expect_seg(5, "active", 2);
  expect_seg(1, "vip", 1);
  fake_unload(&host);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup(test_custom_grid, setup),
    cmocka_unit_test_setup(test_single_value_and_bins, setup),
    cmocka_unit_test_setup(test_explanation, setup),
    cmocka_unit_test_setup(test_host_1_1, setup),
    cmocka_unit_test_setup(test_default_numbers, setup),
    cmocka_unit_test_setup(test_shadowed_segment, setup),
    cmocka_unit_test_setup(test_validation, setup),
    cmocka_unit_test_setup(test_reconfigure, setup),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
