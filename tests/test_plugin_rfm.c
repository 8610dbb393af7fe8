/*
 * test_plugin_rfm.c - the rfm scoring plugin in isolation (fake host).
 *
 * Binning rule under test: score = 1 + floor(L * bins / n), L = number of
 * customers strictly worse; equal values share the bin of their first
 * occurrence.
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
  crm_customer_view v[16];
  const crm_customer_view *p[16];
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
 * customer who never bought. With n = bins = 5 the k-th worst gets k. */
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

/* Ten buyers; purchase counts 1,1,1,1,1,1,2,2,3,5. For count 1, L = 0 ->
 * bin 1; for 2, L = 6 -> 1 + floor(30/10) = 4; for 3, L = 8 -> 5; for 5,
 * L = 9 -> 1 + floor(45/10) = 5. Equal counts get equal scores. */
static void test_ties_share_first_bin(void **state)
{
  static const int64_t counts[10] = {1, 1, 1, 1, 1, 1, 2, 2, 3, 5};
  static const int expect[10] = {1, 1, 1, 1, 1, 1, 4, 4, 5, 5};
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
    /* All spent and bought the same day ago: everybody L = 0 -> 1. */
    assert_true(score((int64_t)i + 1, "m") == 1);
    assert_true(score((int64_t)i + 1, "r") == 1);
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
  /* n = 2, bins 5: L = 1 -> 1 + floor(5/2) = 3; L = 0 -> 1. */
  assert_true(score(2, "r") == 3);
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

/* bins = 3 over five distinct: L = 0..4 -> 1 + floor(3L/5) = 1,1,2,2,3.
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
  /* customer 10 is best everywhere: L = 9 -> 1 + 9 = 10 */
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
  /* n = 4, bins 2: L = 3 -> 1 + floor(6/4) = 2; L = 1 -> 1 + 0 = 1. */
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
    cmocka_unit_test_setup(test_ties_share_first_bin, setup),
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
