/*
 * test_btyd_edge.c - the btyd maths on data that carry little or no
 * information: the fits refuse what identifies nothing (BTYD_ENOAGE,
 * BTYD_ENOREPEAT, BTYD_EFEW), report parameters that ran to a limit of
 * the model (btyd_*_boundary) and still finish quickly; the BG/NBD limit
 * a -> inf and the 2F1 forms Pareto/NBD needs there, against references
 * computed with mpmath at 40 digits.
 */
#include <stdlib.h>
#include <string.h>

#include "test_btyd.h"

#include "btyd_int.h"

#define N_SET 2000

static btyd_cust g_set[N_SET];

/* ---- the data gates ------------------------------------------------- */

static void test_strerror(void **state)
{
  (void)state;
  assert_string_equal(btyd_strerror(BTYD_ENOAGE),
                      "no customer observed for any time (T = 0)");
  assert_string_equal(btyd_strerror(BTYD_ENOREPEAT), "no repeat buyer");
  assert_non_null(strstr(btyd_strerror(BTYD_EFEW),
                         "too few distinct customers"));
  assert_true(BTYD_IS_EDATA(BTYD_EDATA) && BTYD_IS_EDATA(BTYD_ENOAGE) &&
              BTYD_IS_EDATA(BTYD_ENOREPEAT) && BTYD_IS_EDATA(BTYD_EFEW));
  assert_false(BTYD_IS_EDATA(BTYD_ECONVERGE) || BTYD_IS_EDATA(BTYD_ENUM) ||
               BTYD_IS_EDATA(0));
}

/* Both 4-parameter fits refuse data with the same code, leave the
 * output alone, and btyd_data_check says the same beforehand. */
static void expect_refused(const btyd_cust *c, size_t n, int want)
{
  btyd_bgnbd bg = {-1, -1, -1, -1};
  btyd_pnbd pn = {-1, -1, -1, -1};
  double ll = 7;

  assert_int_equal(btyd_data_check(c, n), want);
  assert_int_equal(btyd_bgnbd_fit(c, n, NULL, &bg, &ll), want);
  assert_int_equal(btyd_pnbd_fit(c, n, NULL, &pn, &ll), want);
  assert_near(bg.r, -1, 0);
  assert_near(pn.s, -1, 0);
  assert_near(ll, 7, 0);
}

/* The reviewer's sets (before: rc 0 at the start point with LL 0 for
 * T = 0; absurd parameters for one customer; ECONVERGE after 10 s of
 * Pareto/NBD for the one-time buyers). */
static void test_refused_sets(void **state)
{
  btyd_cust one0 = {0, 0, 5, 0, 1}, one3 = {3, 4, 5, 10, 1};
  btyd_cust *c = g_set;
  size_t i;

  (void)state;
  expect_refused(&one0, 1, BTYD_ENOREPEAT);
  expect_refused(&one3, 1, BTYD_EFEW);
  /* one customer standing for 100: still one summary */
  one3.w = 100;
  expect_refused(&one3, 1, BTYD_EFEW);
  for(i = 0; i < 200; i++) {
    btyd_cust r = {0, 0, (double)(i % 30), 0, 1};

    c[i] = r;
  }
  expect_refused(c, 200, BTYD_ENOREPEAT); /* all one-time buyers */
  for(i = 0; i < 200; i++)
    c[i].T = 0;
  expect_refused(c, 200, BTYD_ENOAGE); /* nobody observed for any time */
  /* a repeat buyer with T = 0 is impossible data (t_x > T): skipped */
  c[0].x = 1;
  c[0].t_x = 1;
  expect_refused(c, 200, BTYD_ENOAGE);
  /* three distinct summaries with T > 0 (and many at T = 0): too few */
  c[0] = one3;
  c[1].T = 7;
  c[2].T = 8;
  expect_refused(c, 200, BTYD_EFEW);
  c[3].T = 9; /* the fourth: enough to try */
  assert_int_equal(btyd_data_check(c, 200), 0);
}

/* Gamma-Gamma (3 parameters): one repeat buyer with spend, and 3
 * distinct (x, m_x) among them. */
static void test_gg_gate(void **state)
{
  btyd_cust c[4] = {{0, 0, 5, 0, 4}, {2, 3, 5, 10, 9}, {2, 4, 6, 10, 1},
                    {1, 1, 5, 0, 1}};
  btyd_gg gg = {-1, -1, -1};
  double ll;

  (void)state;
  /* repeat buyers (2, 10) twice and (1, no spend): one distinct */
  assert_int_equal(btyd_gg_data_check(c, 4), BTYD_EFEW);
  assert_int_equal(btyd_gg_fit(c, 4, NULL, &gg, &ll), BTYD_EFEW);
  c[2].m_x = 12;
  assert_int_equal(btyd_gg_data_check(c, 4), BTYD_EFEW);
  c[3].m_x = 30;
  assert_int_equal(btyd_gg_data_check(c, 4), 0);
  c[1].x = c[2].x = c[3].x = 0;
  assert_int_equal(btyd_gg_fit(c, 4, NULL, &gg, &ll), BTYD_ENOREPEAT);
  assert_near(gg.p, -1, 0);
}

/* ---- boundaries ------------------------------------------------------ */

static void test_boundary_masks(void **state)
{
  btyd_bgnbd cdnow = {0.2426, 4.4136, 0.7929, 2.4259};
  btyd_bgnbd homog = {1.4e8, 7e8, 4e-13, 7e-6};
  btyd_bgnbd scale = {1, exp(29), 1, 1};
  btyd_pnbd pn = {0.55, 10.58, 0.61, exp(-28.5)};
  btyd_gg gg_krw = {6.25, 3.74, 3e7}; /* gamma in won: a scale, fine */
  btyd_gg gg_flat = {6.25, 2e6, 1e8}; /* q -> inf: one spend for all */

  (void)state;
  assert_int_equal(btyd_bgnbd_boundary(&cdnow), 0);
  /* r 1.4e8 > 1e6 (bit 1), a 4e-13 < 1e-6 (4); alpha 7e8 < e^28 and
   * b 7e-6 > 1e-6 are not at a limit */
  assert_int_equal(btyd_bgnbd_boundary(&homog), 1 | 4);
  homog.b = 5e-7;
  assert_int_equal(btyd_bgnbd_boundary(&homog), 1 | 4 | 8);
  assert_int_equal(btyd_bgnbd_boundary(&scale), 2);
  assert_int_equal(btyd_pnbd_boundary(&pn), 8);
  assert_int_equal(btyd_gg_boundary(&gg_krw), 0);
  assert_int_equal(btyd_gg_boundary(&gg_flat), 2);
}

static unsigned long long g_rs;

static double urand(void)
{
  g_rs = g_rs * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(g_rs >> 11) * (1.0 / 9007199254740992.0);
}

/* Ten days of daily data: customers start on days 0..9 and buy on each
 * later day with probability 0.2, nobody drops out. Both models run to
 * their limits (one rate and no dropout for all). */
static size_t ten_days(btyd_cust *c)
{
  size_t i;

  g_rs = 12345;
  for(i = 0; i < N_SET; i++) {
    int s = (int)(urand() * 10), last = s, x = 0, d;

    for(d = s + 1; d < 10; d++) {
      if(urand() < 0.2) {
        x++;
        last = d;
      }
    }
    c[i].x = x;
    c[i].t_x = last - s;
    c[i].T = 9 - s;
    c[i].m_x = 0;
    c[i].w = 1;
  }
  return btyd_compress(c, N_SET);
}

/* Before: BG/NBD ECONVERGE (r 1.4e8, a 4e-13), Pareto/NBD over 55 s
 * (every 2F1 interpolated in c as s -> 0, 707 us each). Now both are
 * success at the limit, and the likelihoods agree (the limit model is
 * the same NBD without dropout). */
static void test_ten_days(void **state)
{
  btyd_bgnbd bg;
  btyd_pnbd pn;
  double llb = 0, llp = 0;
  size_t n = ten_days(g_set);

  (void)state;
  assert_int_equal(btyd_bgnbd_fit(g_set, n, NULL, &bg, &llb), 0);
  assert_true(btyd_bgnbd_boundary(&bg) & 1); /* r: one purchase rate */
  assert_true(btyd_bgnbd_boundary(&bg) & 4); /* a -> 0: nobody drops */
  assert_int_equal(btyd_pnbd_fit(g_set, n, NULL, &pn, &llp), 0);
  assert_true(btyd_pnbd_boundary(&pn) & 4); /* s -> 0: nobody drops */
  /* NBD without dropout on these data: LL -4671.546 (both fits) */
  assert_near(llb, -4671.546, 0.005);
  assert_near(llp, -4671.546, 0.005);
}

/* 199 one-time buyers and one repeat buyer: a -> inf for BG/NBD (before:
 * a = 8.6e9, each E[Y] 433 us, each 12-month clv 4.9 ms); Pareto/NBD ran
 * on for minutes, now its shapes run to a limit and it stops. */
static void test_one_repeat_buyer(void **state)
{
  btyd_cust *c = g_set;
  btyd_bgnbd bg;
  btyd_pnbd pn;
  double ll = 0;
  size_t i, n;

  (void)state;
  for(i = 0; i < 200; i++) {
    btyd_cust r = {0, 0, (double)(i % 30), 0, 1};

    c[i] = r;
  }
  c[199].x = 1;
  c[199].t_x = 3;
  c[199].T = 29;
  n = btyd_compress(c, 200);
  assert_int_equal(n, 31);
  assert_int_equal(btyd_bgnbd_fit(c, n, NULL, &bg, &ll), 0);
  assert_true(btyd_bgnbd_boundary(&bg) & 4);
  assert_true(bg.a >= BTYD_BG_LIMIT_A); /* scored by the limit formula */
  assert_near(ll, -8.5313, 1e-3);
  assert_int_equal(btyd_pnbd_fit(c, n, NULL, &pn, &ll), 0);
  assert_true(btyd_pnbd_boundary(&pn) != 0);
}

/* ---- the BG/NBD limit a -> inf -------------------------------------- */

/* References: given alive, p ~ Beta(a, b+x) and lambda ~ Gamma(r+x,
 * alpha+T), so E[Y(t)] = P(alive) E_p[(1 - (1 + p t/(alpha+T))^-(r+x))
 * / p], integrated with mpmath (40 digits) over the Beta density; the
 * same integral reproduces the 2F1 formula at the CDNOW parameters to 28
 * digits. */
static void test_bg_limit(void **state)
{
  static const struct {
    btyd_bgnbd p;
    double x, t_x, T, t, want;
  } ref[] = {
    {{0.2426, 4.4136, 2e6, 3e6}, 3, 20, 30, 52, 0.64707296336579995674},
    {{85.6, 21.07, 1.986e10, 9.912e12}, 500, 120, 200, 30.4375,
     2.1006384972374780911e-110},
    {{0.5, 10, 1e6, 10}, 1000, 40, 50, 5, 6.0742534928806680032e-83},
    {{0.01, 0.1, 5e6, 1e9}, 0, 0, 0, 1e4, 12.105508547898686493},
  };
  size_t i;

  (void)state;
  for(i = 0; i < sizeof(ref) / sizeof(ref[0]); i++) {
    const btyd_bgnbd *p = &ref[i].p;

    assert_rel(btyd_bgnbd_expected(p, ref[i].x, ref[i].t_x, ref[i].T,
                                   ref[i].t),
               ref[i].want, 1e-9);
  }
  /* a = 1e4, the smallest a on the limit's side: given alive (10 digits
   * of the same integral; the 2F1 form gives 1.67790740 as well) */
  {
    btyd_bgnbd p = {0.2426, 4.4, 1e4, 1e4};

    assert_rel(btyd_bgnbd_expected(&p, 3, 20, 30, 52) /
                   btyd_bgnbd_p_alive(&p, 3, 20, 30),
               1.677907409, 1e-8);
  }
  /* clv: the discounted increments of the same E (12 months of 4.348
   * weeks at 0.797 % a month, spend 1), summed here by hand */
  {
    const btyd_bgnbd *p = &ref[0].p;
    double pa = btyd_bgnbd_p_alive(p, 3, 20, 30), sum = 0, prev = 0;
    double disc = 1;
    int m;

    for(m = 1; m <= 12; m++) {
      double e = btyd_bgnbd_expected(p, 3, 20, 30, 30.4375 / 7 * m) / pa;

      disc /= 1.00797414;
      sum += (e - prev) * disc;
      prev = e;
    }
    assert_rel(btyd_bgnbd_clv(p, 3, 20, 30, 1, 1, 30.4375 / 7, 12,
                              0.00797414),
               sum * pa, 1e-12);
  }
}

/* ---- 2F1 for Pareto/NBD near its limits ----------------------------- */

/* References: mpmath at 40 digits, by the Euler form (1-z)^(1-b) *
 * 2F1(1, a+1-b; a+1; z) summed term by term. */
static void test_hyp2f1_unit_gap(void **state)
{
  double work = 0, v;

  (void)state;
  /* c - a - b = -1e-13: was interpolated in c, 707 us; now the Euler
   * series, ~1,500 terms */
  assert_rel(btyd_hyp2f1(1127263.111, 1.0000000000001, 1127264.111,
                         0.975590126842943),
             40.965577378714742485, 1e-10);
  /* large a: the alternating Pfaff series, a handful of terms */
  v = btyd__hyp2f1_ln(1250000.5, 1.0000000001, 1250001.5, 0.979, &work);
  assert_rel(exp(v), 47.61727180831017172, 1e-12);
  assert_true(work > 0 && work < 20);
  /* large a and b near z = 1, far beyond the double range */
  work = 0;
  v = btyd__hyp2f1_ln(143682651.1, 91363.89581, 143682652.1,
                      0.999996247642, &work);
  assert_near(v, 1141415.534282914646984, 1e-4);
  assert_true(work < 5000);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_strerror),
    cmocka_unit_test(test_refused_sets),
    cmocka_unit_test(test_gg_gate),
    cmocka_unit_test(test_boundary_masks),
    cmocka_unit_test(test_ten_days),
    cmocka_unit_test(test_one_repeat_buyer),
    cmocka_unit_test(test_bg_limit),
    cmocka_unit_test(test_hyp2f1_unit_gap),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
