/*
 * test_plugin_rfm.c - the rfm scoring plugin in isolation (fake host).
 *
 * Binning rule under test (see rfm.c): equal values share one score. With
 * G distinct values (groups), g a group's index from the worst (0), L the
 * number of customers strictly worse and c the group's size:
 *   G == 1     ceil(bins / 2) for everybody
 *   G <= bins  1 + round(g * (bins - 1) / (G - 1)), halves up
 *   G > bins   1 + floor((L + (c - 1) / 2) * bins / n), but the worst
 *              group gets 1 and the best group bins
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "test_plugin_fake.h"

#define DAY 86400
#define AS_OF ((int64_t)20000 * DAY)

static crm_host_ctx host;

struct pop {
  crm_customer_view v[20];
  const crm_customer_view *p[20];
  size_t n;
};

static void pop_add(struct pop *pp, int64_t id, int64_t days_ago,
                    int64_t count, int64_t money)
{
  crm_customer_view *v = &pp->v[pp->n];

  memset(v, 0, sizeof(*v));
  v->struct_size = sizeof(*v);
  v->customer_id = id;
  v->last_purchase_at = count ? AS_OF - days_ago * DAY : 0;
  v->purchase_count = count;
  v->monetary_total = money;
  pp->p[pp->n] = v;
  pp->n++;
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

static double score(int64_t id, const char *name)
{
  const struct fake_score *s = fake_score_find(&host, id, name);

  assert_non_null(s);
  return s->value;
}

static const char *label(int64_t id, const char *name)
{
  const struct fake_score *s = fake_score_find(&host, id, name);

  assert_non_null(s);
  return s->label;
}

static void test_descriptor(void **state)
{
  const crm_plugin_desc *d;
  const crm_scoring_v1 *vt;

  (void)state;
  d = fake_open(&host, "rfm");
  assert_string_equal(d->name, "rfm");
  assert_string_equal(d->vendor, "crmcore");
  assert_string_equal(d->license, "MIT");
  assert_non_null(d->version);
  assert_non_null(d->description);
  assert_int_equal(d->n_components, 1);
  assert_string_equal(d->components[0]->name, "rfm");
  assert_non_null(d->reconfigure);
  vt = fake_vtable(&host, CRM_KIND_SCORING);
  assert_non_null(vt->score_batch);
  assert_null(vt->score_one);
}

/* Five buyers, all values distinct, ordered best to worst, and one
 * customer who never bought. G = bins = 5: the k-th worst gets k. */
static void test_distinct_quintiles(void **state)
{
  struct pop pp = {.n = 0};

  (void)state;
  assert_int_equal(fake_load(&host, "rfm"), CRM_OK);
  pop_add(&pp, 1, 1, 10, 50000);
  pop_add(&pp, 2, 10, 5, 20000);
  pop_add(&pp, 3, 30, 3, 10000);
  pop_add(&pp, 4, 90, 2, 5000);
  pop_add(&pp, 5, 365, 1, 1000);
  pop_add(&pp, 6, 0, 0, 0);
  assert_int_equal(run(&pp), CRM_OK);

  assert_true(score(1, "r") == 5 && score(1, "f") == 5 && score(1, "m") == 5);
  assert_true(score(3, "r") == 3 && score(3, "f") == 3 && score(3, "m") == 3);
  assert_true(score(5, "r") == 1 && score(5, "f") == 1 && score(5, "m") == 1);
  assert_true(score(1, "rfm") == 555);
  assert_string_equal(label(1, "rfm"), "555");
  assert_true(score(2, "rfm") == 444);
  assert_string_equal(label(4, "rfm"), "222");
  assert_string_equal(label(1, "r"), "1 days");
  assert_string_equal(label(5, "f"), "1 purchases");
  /* (R,F) = (5,5) Champions, (4,4) Loyal, (3,3) Need Attention,
   * (2,2) and (1,1) Hibernating. */
  assert_string_equal(label(1, "segment"), "Champions");
  assert_string_equal(label(2, "segment"), "Loyal");
  assert_string_equal(label(3, "segment"), "Need Attention");
  assert_string_equal(label(4, "segment"), "Hibernating");
  assert_string_equal(label(5, "segment"), "Hibernating");
  /* No purchase, no score of any kind. */
  assert_null(fake_score_find(&host, 6, "r"));
  assert_null(fake_score_find(&host, 6, "segment"));
  /* 5 customers x 5 scores. */
  assert_int_equal(host.n_scores, 25);
  fake_unload(&host);
}

/* Ten buyers; purchase counts 1,1,1,1,1,1,2,2,3,5: G = 4 <= 5 groups,
 * so g = 0..3 spreads to 1 + round(g * 4 / 3) = 1, 2 (1.33), 4 (3.67),
 * 5. Equal counts get equal scores. Everybody spent the same and bought
 * 5 days ago (hours apart): one group, the middle score 3. */
static void test_ties_share_one_score(void **state)
{
  static const int64_t counts[10] = {1, 1, 1, 1, 1, 1, 2, 2, 3, 5};
  static const int expect[10] = {1, 1, 1, 1, 1, 1, 2, 2, 4, 5};
  struct pop pp = {.n = 0};
  size_t i;

  (void)state;
  assert_int_equal(fake_load(&host, "rfm"), CRM_OK);
  for(i = 0; i < 10; i++)
    pop_add(&pp, (int64_t)i + 1, 5, counts[i], 1000);
  /* Same day, different hours: recency counts whole days. */
  pp.v[3].last_purchase_at -= 3 * 3600;
  pp.v[4].last_purchase_at -= 20 * 3600;
  assert_int_equal(run(&pp), CRM_OK);
  for(i = 0; i < 10; i++) {
    assert_true(score((int64_t)i + 1, "f") == expect[i]);
    assert_true(score((int64_t)i + 1, "m") == 3);
    assert_true(score((int64_t)i + 1, "r") == 3);
  }
  fake_unload(&host);
}

/* One buyer: every dimension is a single group, the middle score. */
static void test_one_customer(void **state)
{
  struct pop pp = {.n = 0};

  (void)state;
  assert_int_equal(fake_load(&host, "rfm"), CRM_OK);
  pop_add(&pp, 1, 40, 2, 5000);
  assert_int_equal(run(&pp), CRM_OK);
  assert_string_equal(label(1, "rfm"), "333");
  assert_true(score(1, "rfm") == 333);
  assert_string_equal(label(1, "segment"), "Need Attention");
  fake_unload(&host);
}

/* Two buyers: G = 2 -> 1 and bins. Customer 1 bought more recently but
 * less often and for less: R 5, F 1, M 1 = New; customer 2 is R 1, F 5,
 * M 5 = Can't Lose Them. */
static void test_two_customers(void **state)
{
  struct pop pp = {.n = 0};

  (void)state;
  assert_int_equal(fake_load(&host, "rfm"), CRM_OK);
  pop_add(&pp, 1, 2, 1, 900);
  pop_add(&pp, 2, 200, 8, 90000);
  assert_int_equal(run(&pp), CRM_OK);
  assert_string_equal(label(1, "rfm"), "511");
  assert_string_equal(label(2, "rfm"), "155");
  assert_string_equal(label(1, "segment"), "New");
  assert_string_equal(label(2, "segment"), "Can't Lose Them");
  fake_unload(&host);
}

/* The reviewer's case: three customers who all bought once today for the
 * same amount. One group in every dimension: 3, 3, 3, Need Attention
 * (the old rule gave 1, 1, 1 and Hibernating). With bins 4 the middle is
 * ceil(4 / 2) = 2. */
static void test_all_tied(void **state)
{
  struct pop pp = {.n = 0};
  int64_t id;

  (void)state;
  assert_int_equal(fake_load(&host, "rfm"), CRM_OK);
  for(id = 1; id <= 3; id++)
    pop_add(&pp, id, 0, 1, 2500);
  assert_int_equal(run(&pp), CRM_OK);
  for(id = 1; id <= 3; id++) {
    assert_string_equal(label(id, "rfm"), "333");
    assert_string_equal(label(id, "segment"), "Need Attention");
  }
  fake_cfg_int(&host, "bins", 4);
  assert_int_equal(host.desc->reconfigure(host.state, &host), CRM_OK);
  host.n_scores = 0;
  assert_int_equal(run(&pp), CRM_OK);
  assert_string_equal(label(2, "rfm"), "222");
  fake_unload(&host);
}

/* Ties at the best value. Money 100, 500, 500: G = 2, so 1 and 5 (the
 * old rule gave the two best 1 + floor(1 * 5 / 3) = 2).
 * Frequency 1, 2, 3, 4, 5 and five customers at 6: G = 6 > 5, quantile
 * of the average rank over n = 10: count 2 has L = 1, a = 1,
 * 1 + floor(5 / 10) = 1; 3: a = 2, 1 + floor(10 / 10) = 2; 4: a = 3,
 * 1 + floor(15 / 10) = 2; 5: a = 4, 1 + 2 = 3. The six-purchase crowd
 * has a = 5 + 2 = 7, 1 + floor(35 / 10) = 4, but the best value always
 * gets the top score: 5. */
static void test_ties_at_top(void **state)
{
  static const int64_t counts[10] = {1, 2, 3, 4, 5, 6, 6, 6, 6, 6};
  static const int expect[10] = {1, 1, 2, 2, 3, 5, 5, 5, 5, 5};
  struct pop pp = {.n = 0};
  size_t i;

  (void)state;
  assert_int_equal(fake_load(&host, "rfm"), CRM_OK);
  pop_add(&pp, 1, 10, 1, 100);
  pop_add(&pp, 2, 10, 1, 500);
  pop_add(&pp, 3, 10, 1, 500);
  assert_int_equal(run(&pp), CRM_OK);
  assert_true(score(1, "m") == 1);
  assert_true(score(2, "m") == 5);
  assert_true(score(3, "m") == 5);
  host.n_scores = 0;
  pp.n = 0;
  for(i = 0; i < 10; i++)
    pop_add(&pp, (int64_t)i + 1, 10, counts[i], 100);
  assert_int_equal(run(&pp), CRM_OK);
  for(i = 0; i < 10; i++)
    assert_true(score((int64_t)i + 1, "f") == expect[i]);
  fake_unload(&host);
}

/* Ties at the worst value. Recency 30 days for four customers, 1 day for
 * one: G = 2, 1 and 5.
 * Frequency 1 six times, then 2, 3, 4, 5, 6, 7 (n = 12, G = 7 > 5): the
 * crowd at 1 has a = 2.5, 1 + floor(2.5 * 5 / 12) = 2, but the worst
 * value always gets 1; 2: a = 6, 1 + floor(30 / 12) = 3; 3: a = 7,
 * 1 + floor(35 / 12) = 3; 4: a = 8, 1 + floor(40 / 12) = 4; 5: a = 9,
 * 1 + floor(45 / 12) = 4; 6: a = 10, 1 + floor(50 / 12) = 5; 7 is the
 * best: 5. */
static void test_ties_at_bottom(void **state)
{
  static const int64_t counts[12] = {1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 7};
  static const int expect[12] = {1, 1, 1, 1, 1, 1, 3, 3, 4, 4, 5, 5};
  struct pop pp = {.n = 0};
  size_t i;

  (void)state;
  assert_int_equal(fake_load(&host, "rfm"), CRM_OK);
  for(i = 0; i < 4; i++)
    pop_add(&pp, (int64_t)i + 1, 30, 1, 100);
  pop_add(&pp, 5, 1, 1, 100);
  assert_int_equal(run(&pp), CRM_OK);
  for(i = 0; i < 4; i++)
    assert_true(score((int64_t)i + 1, "r") == 1);
  assert_true(score(5, "r") == 5);
  host.n_scores = 0;
  pp.n = 0;
  for(i = 0; i < 12; i++)
    pop_add(&pp, (int64_t)i + 1, 10, counts[i], 100);
  assert_int_equal(run(&pp), CRM_OK);
  for(i = 0; i < 12; i++)
    assert_true(score((int64_t)i + 1, "f") == expect[i]);
  fake_unload(&host);
}

/* Ten distinct values, bins 5: G = 10 > 5 and each group is one
 * customer, a = L: 1 + floor(L * 5 / 10) = 1 + floor(L / 2), two per
 * bin. Customer i (1..10) has L = i - 1 in every dimension. */
static void test_ten_distinct_two_per_bin(void **state)
{
  struct pop pp = {.n = 0};
  int64_t i;

  (void)state;
  assert_int_equal(fake_load(&host, "rfm"), CRM_OK);
  for(i = 1; i <= 10; i++)
    pop_add(&pp, i, 100 - 7 * i, i, 1000 * i);
  assert_int_equal(run(&pp), CRM_OK);
  for(i = 1; i <= 10; i++) {
    int want = 1 + (int)((i - 1) / 2);

    assert_true(score(i, "r") == want);
    assert_true(score(i, "f") == want);
    assert_true(score(i, "m") == want);
  }
  assert_string_equal(label(1, "rfm"), "111");
  assert_string_equal(label(4, "rfm"), "222");
  assert_string_equal(label(10, "rfm"), "555");
  fake_unload(&host);
}

/* CDNOW-like skew: most customers bought once. 16 buyers, purchase
 * counts 1 x 9, 2 x 2, 3, 4, 5, 6, 11 (G = 7 > 5, n = 16). All nine
 * one-time buyers share the lowest F, 1 (their average rank 4 alone
 * would give 1 + floor(4 * 5 / 16) = 2). Count 2: L = 9, a = 9.5,
 * 1 + floor(47.5 / 16) = 3; 3: a = 11, 1 + floor(55 / 16) = 4; 4:
 * a = 12, 1 + floor(60 / 16) = 4; 5: a = 13, 1 + floor(65 / 16) = 5;
 * 6: a = 14, 1 + floor(70 / 16) = 5; 11: the best, 5. */
static void test_cdnow_like_skew(void **state)
{
  static const int64_t counts[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1,
                                     2, 2, 3, 4, 5, 6, 11};
  static const int expect[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1,
                                 3, 3, 4, 4, 5, 5, 5};
  struct pop pp = {.n = 0};
  size_t i;

  (void)state;
  assert_int_equal(fake_load(&host, "rfm"), CRM_OK);
  for(i = 0; i < 16; i++)
    pop_add(&pp, (int64_t)i + 1, 20 + (int64_t)i, counts[i],
            1500 * counts[i] + (int64_t)i);
  assert_int_equal(run(&pp), CRM_OK);
  for(i = 0; i < 16; i++) {
    assert_true(score((int64_t)i + 1, "f") == expect[i]);
    assert_true(score((int64_t)i + 1, "f") >= score(1, "f"));
  }
  fake_unload(&host);
}

/* Recency: a purchase stamped after as_of counts as 0 days, the best. */
static void test_future_purchase_is_recent(void **state)
{
  struct pop pp = {.n = 0};

  (void)state;
  assert_int_equal(fake_load(&host, "rfm"), CRM_OK);
  pop_add(&pp, 1, 3, 1, 100);
  pop_add(&pp, 2, 0, 1, 100);
  pp.v[1].last_purchase_at = AS_OF + 5 * DAY;
  assert_int_equal(run(&pp), CRM_OK);
  /* two distinct recencies (G = 2): the better 5, the other 1 */
  assert_true(score(2, "r") == 5);
  assert_true(score(1, "r") == 1);
  assert_string_equal(label(2, "r"), "0 days");
  fake_unload(&host);
}

/* Permutations of R and F ranks reach every segment of the table. */
static void test_segments(void **state)
{
  static const int fperm1[5] = {1, 2, 3, 5, 4};
  static const int fperm2[5] = {4, 1, 2, 3, 5};
  static const char *const seg1[5] = {
    "New", "Potential Loyalist", "Need Attention", "Can't Lose Them",
    "At Risk"};
  static const char *const seg2[5] = {
    "Champions", "Promising", "About To Sleep", "At Risk",
    "Can't Lose Them"};
  const int *fperm[2] = {fperm1, fperm2};
  const char *const *segs[2] = {seg1, seg2};
  size_t t, i;

  (void)state;
  assert_int_equal(fake_load(&host, "rfm"), CRM_OK);
  for(t = 0; t < 2; t++) {
    struct pop pp = {.n = 0};

    /* customer i: R rank 5 - i (days grow with i), F rank fperm[i] */
    for(i = 0; i < 5; i++)
      pop_add(&pp, (int64_t)i + 1, (int64_t)(i + 1) * 10, fperm[t][i],
              100);
    host.n_scores = 0;
    assert_int_equal(run(&pp), CRM_OK);
    for(i = 0; i < 5; i++) {
      assert_true(score((int64_t)i + 1, "r") == 5 - (int)i);
      assert_true(score((int64_t)i + 1, "f") == fperm[t][i]);
      assert_string_equal(label((int64_t)i + 1, "segment"), segs[t][i]);
    }
  }
  fake_unload(&host);
}

/* bins = 3 over five distinct (G = 5 > 3): a = L = 0..4 ->
 * 1 + floor(3L/5) = 1,1,2,2,3 (the ends are 1 and 3 anyway).
 * Segments scale R and F to 1..5 with ceil(s * 5 / 3): 3 -> 5, 1 -> 2. */
static void test_bins_config(void **state)
{
  struct pop pp = {.n = 0};

  (void)state;
  fake_cfg_int(&host, "bins", 3);
  assert_int_equal(fake_load(&host, "rfm"), CRM_OK);
  pop_add(&pp, 1, 1, 10, 50000);
  pop_add(&pp, 2, 10, 5, 20000);
  pop_add(&pp, 3, 30, 3, 10000);
  pop_add(&pp, 4, 90, 2, 5000);
  pop_add(&pp, 5, 365, 1, 1000);
  assert_int_equal(run(&pp), CRM_OK);
  assert_string_equal(label(1, "rfm"), "333");
  assert_string_equal(label(2, "rfm"), "222");
  assert_string_equal(label(3, "rfm"), "222");
  assert_string_equal(label(4, "rfm"), "111");
  assert_string_equal(label(1, "segment"), "Champions");
  assert_string_equal(label(5, "segment"), "Hibernating");
  fake_unload(&host);
}

static void test_bins_ten_label(void **state)
{
  struct pop pp = {.n = 0};
  size_t i;

  (void)state;
  fake_cfg_int(&host, "bins", 10);
  assert_int_equal(fake_load(&host, "rfm"), CRM_OK);
  for(i = 0; i < 10; i++)
    pop_add(&pp, (int64_t)i + 1, 100 - (int64_t)i, (int64_t)i + 1,
            (int64_t)i + 1);
  assert_int_equal(run(&pp), CRM_OK);
  /* G = bins = 10: 1 + g; customer 10 is best everywhere: 10 */
  assert_true(score(10, "r") == 10);
  assert_string_equal(label(10, "rfm"), "10-10-10");
  assert_string_equal(label(1, "rfm"), "1-1-1");
  fake_unload(&host);
}

static void test_bad_config(void **state)
{
  (void)state;
  fake_cfg_int(&host, "bins", 11);
  assert_int_equal(fake_load(&host, "rfm"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "bins must be between 2 and 10 (got 11)");
  assert_null(host.state);
  fake_cfg_int(&host, "bins", 1);
  assert_int_equal(fake_load(&host, "rfm"), CRM_ECONFIG);
  fake_cfg_str(&host, "bins", "five");
  assert_int_equal(fake_load(&host, "rfm"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "bins must be an integer");
  fake_unload(&host);
}

static void test_reconfigure(void **state)
{
  struct pop pp = {.n = 0};

  (void)state;
  assert_int_equal(fake_load(&host, "rfm"), CRM_OK);
  pop_add(&pp, 1, 1, 4, 400);
  pop_add(&pp, 2, 2, 3, 300);
  pop_add(&pp, 3, 3, 2, 200);
  pop_add(&pp, 4, 4, 1, 100);
  fake_cfg_int(&host, "bins", 2);
  assert_int_equal(host.desc->reconfigure(host.state, &host), CRM_OK);
  assert_int_equal(run(&pp), CRM_OK);
  /* n = 4, bins 2, G = 4 > 2: count 4 is the best -> 2; count 2 has
   * a = L = 1 -> 1 + floor(2/4) = 1. */
  assert_true(score(1, "f") == 2);
  assert_true(score(3, "f") == 1);
  /* A bad value is refused and the old one (2) stays. */
  fake_cfg_int(&host, "bins", 99);
  assert_int_equal(host.desc->reconfigure(host.state, &host), CRM_ECONFIG);
  host.n_scores = 0;
  assert_int_equal(run(&pp), CRM_OK);
  assert_true(score(1, "f") == 2);
  fake_unload(&host);
}

static void test_empty_population(void **state)
{
  struct pop pp = {.n = 0};

  (void)state;
  assert_int_equal(fake_load(&host, "rfm"), CRM_OK);
  assert_int_equal(run(&pp), CRM_OK);
  pop_add(&pp, 1, 0, 0, 0);
  assert_int_equal(run(&pp), CRM_OK);
  assert_int_equal(host.n_scores, 0);
  fake_unload(&host);
}

/* rfm needs score_put (1.1): on a 1.0 host it refuses cleanly. */
static void test_old_host(void **state)
{
  (void)state;
  fake_host_1_0(&host);
  assert_int_equal(fake_load(&host, "rfm"), CRM_ENOTSUP);
  assert_non_null(strstr(host.errmsg, "score_put"));
  fake_unload(&host);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup(test_descriptor, setup),
    cmocka_unit_test_setup(test_distinct_quintiles, setup),
    cmocka_unit_test_setup(test_ties_share_one_score, setup),
    cmocka_unit_test_setup(test_one_customer, setup),
    cmocka_unit_test_setup(test_two_customers, setup),
    cmocka_unit_test_setup(test_all_tied, setup),
    cmocka_unit_test_setup(test_ties_at_top, setup),
    cmocka_unit_test_setup(test_ties_at_bottom, setup),
    cmocka_unit_test_setup(test_ten_distinct_two_per_bin, setup),
    cmocka_unit_test_setup(test_cdnow_like_skew, setup),
    cmocka_unit_test_setup(test_future_purchase_is_recent, setup),
    cmocka_unit_test_setup(test_segments, setup),
    cmocka_unit_test_setup(test_bins_config, setup),
    cmocka_unit_test_setup(test_bins_ten_label, setup),
    cmocka_unit_test_setup(test_bad_config, setup),
    cmocka_unit_test_setup(test_reconfigure, setup),
    cmocka_unit_test_setup(test_empty_population, setup),
    cmocka_unit_test_setup(test_old_host, setup),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
