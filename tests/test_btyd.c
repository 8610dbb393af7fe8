/*
 * test_btyd.c - the btyd model maths on hand-worked cases: 2F1 against
 * closed forms, the summary builder, compress, BG/NBD / Pareto/NBD /
 * Gamma-Gamma formulas, CLV, bad data and the progress callback. The
 * CDNOW goldens are in test_btyd_cdnow.c.
 */
#include <string.h>

#include "test_btyd.h"

/* ---- 2F1 ------------------------------------------------------------- */

static void test_hyp2f1_log(void **state)
{
  /* 2F1(1, 1; 2; z) = -ln(1 - z) / z (A&S 15.1.3). c - a - b = 0: an
   * integer, so z > 0.9 goes through the interpolation in c. */
  static const double zs[] = {1e-3, 0.3, 0.6, 0.75, 0.95, 0.999, 0.999999,
                              -0.5, -3, -1e3};
  size_t i;

  (void)state;
  for(i = 0; i < sizeof(zs) / sizeof(zs[0]); i++) {
    double z = zs[i];

    assert_rel(btyd_hyp2f1(1, 1, 2, z), -log1p(-z) / z, 1e-11);
  }
}

static void test_hyp2f1_power(void **state)
{
  /* 2F1(a, b; b; z) = (1 - z)^-a (A&S 15.1.8): the 1-z formula with
   * 1/Gamma(c - b) = 0, and Pfaff for z < 0. */
  static const double zs[] = {0.2, 0.8, 0.99, -0.4, -4, -50};
  size_t i;

  (void)state;
  for(i = 0; i < sizeof(zs) / sizeof(zs[0]); i++) {
    assert_rel(btyd_hyp2f1(0.7, 2.3, 2.3, zs[i]), pow(1 - zs[i], -0.7), 1e-12);
    assert_rel(btyd_hyp2f1(2.3, 0.7, 2.3, zs[i]), pow(1 - zs[i], -0.7), 1e-12);
  }
}

static void test_hyp2f1_trig(void **state)
{
  (void)state;
  /* 2F1(1/2, 1; 3/2; z^2) = atanh(z) / z (A&S 15.1.4), c - a - b = 0 */
  assert_rel(btyd_hyp2f1(0.5, 1, 1.5, 0.81), atanh(0.9) / 0.9, 1e-12);
  assert_rel(btyd_hyp2f1(0.5, 1, 1.5, 0.9801), atanh(0.99) / 0.99, 1e-11);
  /* 2F1(1/2, 1/2; 3/2; z^2) = asin(z) / z (A&S 15.1.6), c - a - b = 1/2 */
  assert_rel(btyd_hyp2f1(0.5, 0.5, 1.5, 0.9801), asin(0.99) / 0.99, 1e-12);
  assert_rel(btyd_hyp2f1(0.5, 0.5, 1.5, 0.25), asin(0.5) / 0.5, 1e-13);
}

static void test_hyp2f1_polynomial_and_large(void **state)
{
  double b = 1.5, c = 2.5, z = -7;

  (void)state;
  /* 2F1(-2, b; c; z) = 1 - 2 b z / c + b (b+1) z^2 / (c (c+1))
   * = 1 + 8.4 + 1.5 * 2.5 * 49 / 8.75 = 30.4 */
  assert_rel(btyd_hyp2f1(-2, b, c, z), 30.4, 1e-13);
  assert_rel(btyd_hyp2f1(-2, b, c, 0.9),
             1 - 2 * b * 0.9 / c + b * (b + 1) * 0.81 / (c * (c + 1)), 1e-13);
  /* 2F1(1, b; 2; z) = ((1 - z)^(1 - b) - 1) / (z (b - 1)) (expand the
   * binomial): with b = 120.5, z = 0.99 it is about 1e237, so the sums
   * pass the internal rescaling. */
  b = 120.5;
  assert_rel(btyd_hyp2f1(1, b, 2, 0.99),
             (pow(0.01, 1 - b) - 1) / (0.99 * (b - 1)), 1e-10);
  assert_rel(btyd_hyp2f1(1, b, 2, 0.3),
             (pow(0.7, 1 - b) - 1) / (0.3 * (b - 1)), 1e-12);
  /* trivial and refused arguments */
  assert_near(btyd_hyp2f1(3, 4, 5, 0), 1, 0);
  assert_true(isnan(btyd_hyp2f1(1, 1, 2, 1)));
  assert_true(isnan(btyd_hyp2f1(1, 1, -2, 0.5)));
  assert_true(isnan(btyd_hyp2f1(NAN, 1, 2, 0.5)));
}

static void test_hyp2f1_pfaff_consistency(void **state)
{
  /* 2F1(a,b;c;z) = (1-z)^-a 2F1(a, c-b; c; z/(z-1)): the two sides go
   * through different regions (the BG/NBD expectation with x = 30). */
  double a = 30.24, b = 32.43, c = 33.22, z = 0.7;

  (void)state;
  assert_rel(btyd_hyp2f1(a, b, c, z),
             pow(1 - z, -a) * btyd_hyp2f1(a, c - b, c, z / (z - 1)), 1e-11);
}

/* ---- summaries ------------------------------------------------------- */

static void test_acc_summary(void **state)
{
  btyd_day buf[8];
  btyd_acc a = {buf, 8, 0};
  btyd_cust s;

  (void)state;
  btyd_acc_reset(&a);
  btyd_acc_purchase(&a, 100, 10);
  btyd_acc_purchase(&a, 100, 5); /* same day: merged */
  btyd_acc_purchase(&a, 107, 20);
  btyd_acc_purchase(&a, 114, 0); /* a zero-value purchase is a purchase */
  btyd_acc_purchase(&a, 121, 50); /* after the end day */
  assert_int_equal(a.n, 4);
  assert_near(buf[0].spend, 15, 0);
  /* end day 120 inclusive, weeks: days 100, 107, 114; x = 2, t_x = 14/7,
   * T = 20/7, m_x = (20 + 0) / 2 */
  assert_int_equal(btyd_acc_summary(&a, 120, 7, &s), 0);
  assert_near(s.x, 2, 0);
  assert_near(s.t_x, 2, 1e-15);
  assert_near(s.T, 20.0 / 7, 1e-15);
  assert_near(s.m_x, 10, 1e-15);
  assert_near(s.w, 1, 0);
  /* end day 121 includes the last purchase: x = 3, t_x = T = 3 */
  assert_int_equal(btyd_acc_summary(&a, 121, 7, &s), 0);
  assert_near(s.x, 3, 0);
  assert_near(s.t_x, 3, 1e-15);
  assert_near(s.T, 3, 1e-15);
  assert_near(s.m_x, 70.0 / 3, 1e-13);
  /* first purchase after the end day: no summary */
  assert_int_equal(btyd_acc_summary(&a, 99, 7, &s), -1);
  /* days: T in days, the end day itself counts: T = 0 on the first day */
  assert_int_equal(btyd_acc_summary(&a, 100, 1, &s), 0);
  assert_near(s.x, 0, 0);
  assert_near(s.T, 0, 0);
  assert_near(s.m_x, 0, 0);
}

static void test_acc_refund(void **state)
{
  btyd_day buf[8];
  btyd_acc a = {buf, 8, 0};
  btyd_cust s;

  (void)state;
  btyd_acc_reset(&a);
  btyd_acc_purchase(&a, 100, 15);
  btyd_acc_purchase(&a, 107, 20);
  btyd_acc_purchase(&a, 114, 30);
  /* a refund on day 108 of 5 comes off day 107 (the latest on or before
   * it): 15 left, still a purchase day */
  btyd_acc_refund(&a, 108, 5);
  assert_int_equal(a.n, 3);
  assert_near(buf[1].spend, 15, 0);
  /* 25 on day 110: day 107 falls to 0 and goes, 10 more from day 100 */
  btyd_acc_refund(&a, 110, 25);
  assert_int_equal(a.n, 2);
  assert_int_equal(buf[0].day, 100);
  assert_near(buf[0].spend, 5, 0);
  assert_int_equal(buf[1].day, 114);
  /* x = 1 (days 100, 114), t_x = 2 weeks, m_x = 30 */
  assert_int_equal(btyd_acc_summary(&a, 120, 7, &s), 0);
  assert_near(s.x, 1, 0);
  assert_near(s.t_x, 2, 1e-15);
  assert_near(s.m_x, 30, 0);
  /* a refund dated before every purchase takes nothing */
  btyd_acc_refund(&a, 50, 100);
  assert_int_equal(a.n, 2);
  /* refunding everything leaves no purchase day */
  btyd_acc_refund(&a, 200, 1000);
  assert_int_equal(a.n, 0);
  assert_int_equal(btyd_acc_summary(&a, 120, 7, &s), -1);
}

static void test_acc_cap_and_order(void **state)
{
  btyd_day buf[2];
  btyd_acc a = {buf, 2, 0};
  btyd_cust s;

  (void)state;
  btyd_acc_reset(&a);
  btyd_acc_purchase(&a, 10, 1);
  btyd_acc_purchase(&a, 20, 2);
  /* the buffer is full: day 30 merges into the last, which moves to 30 */
  btyd_acc_purchase(&a, 30, 4);
  assert_int_equal(a.n, 2);
  assert_int_equal(buf[1].day, 30);
  assert_near(buf[1].spend, 6, 0);
  assert_int_equal(btyd_acc_summary(&a, 30, 1, &s), 0);
  assert_near(s.t_x, 20, 0);
  /* out of order (against the contract) still lands in place */
  {
    btyd_day b2[4];
    btyd_acc o = {b2, 4, 0};

    btyd_acc_purchase(&o, 20, 1);
    btyd_acc_purchase(&o, 10, 2);
    btyd_acc_purchase(&o, 20, 3);
    assert_int_equal(o.n, 2);
    assert_int_equal(b2[0].day, 10);
    assert_int_equal(b2[1].day, 20);
    assert_near(b2[1].spend, 4, 0);
  }
}

static void test_compress(void **state)
{
  btyd_cust c[6] = {
    {2, 3, 9, 11, 1}, {0, 0, 5, 0, 1}, {2, 3, 9, 22, 2},
    {0, 0, 5, 0, 4},  {1, 1, 9, 5, 1}, {0, 0, 4, 0, 1},
  };
  size_t n;

  (void)state;
  n = btyd_compress(c, 6);
  assert_int_equal(n, 4);
  /* sorted by x, t_x, T; equal rows merged with weights added */
  assert_near(c[0].T, 4, 0);
  assert_near(c[0].w, 1, 0);
  assert_near(c[1].T, 5, 0);
  assert_near(c[1].w, 5, 0);
  assert_near(c[2].x, 1, 0);
  assert_near(c[3].x, 2, 0);
  assert_near(c[3].w, 3, 0);
  assert_near(c[3].m_x, 0, 0);
  assert_int_equal(btyd_compress(c, 0), 0);
}

static void test_compress_many(void **state)
{
  /* 5000 rows over 7 distinct summaries, in a scrambled order: exercises
   * the partitioning (and its equal keys) past the insertion sort */
  static btyd_cust c[5000];
  double wsum = 0;
  size_t i, n;

  (void)state;
  for(i = 0; i < 5000; i++) {
    unsigned k = (unsigned)((i * 2654435761u) % 7);

    c[i].x = k % 3;
    c[i].t_x = k;
    c[i].T = 10;
    c[i].m_x = 1;
    c[i].w = 1;
  }
  n = btyd_compress(c, 5000);
  assert_int_equal(n, 7);
  for(i = 0; i < n; i++) {
    wsum += c[i].w;
    if(i > 0)
      assert_true(c[i - 1].x < c[i].x ||
                  (c[i - 1].x == c[i].x && c[i - 1].t_x < c[i].t_x));
  }
  assert_near(wsum, 5000, 0);
}

/* ---- BG/NBD ---------------------------------------------------------- */

static void test_bgnbd_p_alive(void **state)
{
  btyd_bgnbd p = {1, 1, 1, 2};

  (void)state;
  /* P(alive) = 1 / (1 + a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)); x = 1,
   * t_x = 1, T = 3: 1 / (1 + 1/2 * (4/2)^2) = 1/3 */
  assert_near(btyd_bgnbd_p_alive(&p, 1, 1, 3), 1.0 / 3, 1e-15);
  /* no repeat purchase: BG/NBD customers die only at a purchase */
  assert_near(btyd_bgnbd_p_alive(&p, 0, 0, 30), 1, 0);
}

static void test_bgnbd_expected_hand(void **state)
{
  /* a = 2, r = b + 1: E[Y(t) | alive] = (a+b+x-1)/(a-1) [1 - 2F1(r+x,
   * a-1; a+b+x-1; -t/(alpha+T))] and, with x = 0, 2F1(2, 1; 2; w) =
   * 1/(1-w), so E = (b+1) t / (alpha+T+t). r=2, alpha=3, a=2, b=1, T=5:
   * t = 8 gives 2 * 8/16 = 1; t = 24 gives 2 * 24/32 = 1.5. */
  btyd_bgnbd p = {2, 3, 2, 1};

  (void)state;
  assert_near(btyd_bgnbd_expected(&p, 0, 0, 5, 8), 1, 1e-14);
  assert_near(btyd_bgnbd_expected(&p, 0, 0, 5, 24), 1.5, 1e-14);
  assert_near(btyd_bgnbd_expected(&p, 0, 0, 5, 0), 0, 0);
  /* CLV, x = 0, T = 5, steps of 4, rate 0.1, spend 10, margin 0.5:
   * E(4) = 8/12, E(8) = 1: (2/3 / 1.1 + 1/3 / 1.21) * 5 = 4.40771349... */
  assert_near(btyd_bgnbd_clv(&p, 0, 0, 5, 10, 0.5, 4, 2, 0.1),
              (2.0 / 3 / 1.1 + 1.0 / 3 / 1.21) * 5, 1e-13);
  /* rate 0: the sum telescopes to E(steps step) spend margin */
  assert_near(btyd_bgnbd_clv(&p, 0, 0, 5, 10, 0.5, 4, 6, 0),
              btyd_bgnbd_expected(&p, 0, 0, 5, 24) * 5, 1e-13);
}

static void test_bgnbd_expected_paper(void **state)
{
  /* Fader, Hardie & Lee (2005), section 4: with the CDNOW estimates, a
   * customer with x = 2, t_x = 30.43, T = 38.86 has E[Y(39)] = 1.226. */
  btyd_bgnbd p = {0.2426, 4.4136, 0.7929, 2.4259};

  (void)state;
  assert_near(btyd_bgnbd_expected(&p, 2, 30.43, 38.86, 39), 1.226, 0.001);
  /* a = 1 exactly is a removable 0/0: continuous across it */
  {
    btyd_bgnbd q = p, lo = p;

    q.a = 1;
    lo.a = 1 - 1e-4;
    assert_near(btyd_bgnbd_expected(&q, 2, 30.43, 38.86, 39),
                btyd_bgnbd_expected(&lo, 2, 30.43, 38.86, 39), 1e-4);
  }
}

static void test_bgnbd_ll1_hand(void **state)
{
  /* r = alpha = a = 1, b = 2, x = 1, t_x = 1, T = 3:
   * B(a,b+x)/B(a,b) = B(1,3)/B(1,2) = (1/3)/(1/2) = 2/3;
   * Gamma(r+x) alpha^r / Gamma(r) = 1;
   * L = 2/3 [ 1/(1+3)^2 + a/(b+x-1) 1/(1+1)^2 ] = 2/3 (1/16 + 1/8) = 1/8 */
  btyd_bgnbd p = {1, 1, 1, 2};

  (void)state;
  assert_near(btyd_bgnbd_ll1(&p, 1, 1, 3), log(0.125), 1e-14);
  /* x = 0: L = Gamma(r) alpha^r/(Gamma(r) (alpha+T)^r) = 1/4 (T = 3) */
  assert_near(btyd_bgnbd_ll1(&p, 0, 0, 3), log(0.25), 1e-14);
  /* the sums' lgamma recurrence tables agree with lgamma (x = 300) */
  {
    btyd_bgnbd q = {0.2426, 4.4136, 0.7929, 2.4259};
    btyd_pnbd pn = {0.5534, 10.5802, 0.6061, 11.6562};
    btyd_cust c = {300, 35, 38, 0, 1};

    assert_rel(btyd_bgnbd_ll(&q, &c, 1), btyd_bgnbd_ll1(&q, 300, 35, 38),
               1e-12);
    assert_rel(btyd_pnbd_ll(&pn, &c, 1), btyd_pnbd_ll1(&pn, 300, 35, 38),
               1e-12);
  }
}

/* ---- Pareto/NBD ------------------------------------------------------ */

static void test_pnbd_hand(void **state)
{
  /* alpha = beta: the 2F1 are 1 and A0 = (alpha+t_x)^-(r+s+x) -
   * (alpha+T)^-(r+s+x). r = s = alpha = beta = 1, x = 1, t_x = 1, T = 3:
   * A0 = 2^-3 - 4^-3 = 0.109375; P(alive) = 1 / (1 + s/(r+s+x)
   * (alpha+T)^(r+x) (beta+T)^s A0) = 1 / (1 + 1/3 * 16 * 4 * 0.109375)
   * = 1 / (1 + 7/3) = 0.3. L = Gamma(2)/Gamma(1) * [1/(16 * 4) + 1/3 *
   * 0.109375] = 0.015625 + 0.036458333 = 0.052083333 = 5/96. */
  btyd_pnbd p = {1, 1, 1, 1};
  btyd_pnbd q = {1, 1 + 1e-9, 1, 1}, q2 = {1, 1, 1, 1 + 1e-9};

  (void)state;
  assert_near(btyd_pnbd_p_alive(&p, 1, 1, 3), 0.3, 1e-14);
  assert_near(btyd_pnbd_ll1(&p, 1, 1, 3), log(5.0 / 96), 1e-13);
  /* both branches (alpha > beta, alpha < beta) meet at alpha = beta */
  assert_near(btyd_pnbd_p_alive(&q, 1, 1, 3), 0.3, 1e-8);
  assert_near(btyd_pnbd_p_alive(&q2, 1, 1, 3), 0.3, 1e-8);
  /* t_x = T: A0 = 0, so P(alive) = 1 */
  assert_near(btyd_pnbd_p_alive(&p, 1, 3, 3), 1, 0);
  /* s = 1: E = (r+x)(beta+T)/(alpha+T) ln(1 + t/(beta+T)) P(alive);
   * t = 4: 2 * 4/4 * ln 2 * 0.3 */
  assert_near(btyd_pnbd_expected(&p, 1, 1, 3, 4), 0.6 * log(2), 1e-14);
  /* and continuous in s around 1 */
  {
    btyd_pnbd s1 = {1, 1, 1 + 1e-7, 1};

    assert_near(btyd_pnbd_expected(&s1, 1, 1, 3, 4), 0.6 * log(2), 1e-6);
  }
}

static void test_pnbd_branches(void **state)
{
  /* alpha >> beta and alpha << beta with many purchases: finite, and
   * P(alive) in (0, 1] */
  btyd_pnbd a = {0.5, 40, 0.6, 0.5}, b = {0.5, 0.5, 0.6, 40};

  (void)state;
  assert_true(isfinite(btyd_pnbd_ll1(&a, 150, 30, 39)));
  assert_true(isfinite(btyd_pnbd_ll1(&b, 150, 30, 39)));
  assert_true(btyd_pnbd_p_alive(&a, 150, 30, 39) > 0);
  assert_true(btyd_pnbd_p_alive(&b, 3, 1, 39) <= 1);
}

/* ---- Gamma-Gamma ----------------------------------------------------- */

static void test_gg_expected_spend(void **state)
{
  btyd_gg p = {6, 4, 15};

  (void)state;
  /* (p gamma + p x m_x) / (p x + q - 1) = (90 + 12 * 40) / 15 = 38 */
  assert_near(btyd_gg_expected_spend(&p, 2, 40), 38, 1e-13);
  /* x = 0: the population mean p gamma / (q - 1) = 90 / 3 = 30 */
  assert_near(btyd_gg_expected_spend(&p, 0, 0), 30, 1e-13);
}

static void test_gg_ll_hand(void **state)
{
  /* p = q = gamma = 1, x = 1, m = 1: Gamma(2)/(Gamma(1) Gamma(1)) * 1 *
   * 1^0 * 1^1 / (1 + 1)^2 = 1/4 */
  btyd_gg p = {1, 1, 1};
  btyd_cust c = {1, 0, 1, 1, 1};

  (void)state;
  assert_near(btyd_gg_ll(&p, &c, 1), log(0.25), 1e-15);
}

/* ---- errors ---------------------------------------------------------- */

static void test_bad_data(void **state)
{
  btyd_cust c[2] = {{0, 0, 5, 0, 0}, {1, 2, 5, 10, 0}};
  btyd_bgnbd bg;
  btyd_pnbd pn;
  btyd_gg gg;
  double ll;

  (void)state;
  assert_int_equal(btyd_bgnbd_fit(c, 0, NULL, &bg, &ll), BTYD_EDATA);
  assert_int_equal(btyd_pnbd_fit(c, 0, NULL, &pn, &ll), BTYD_EDATA);
  assert_int_equal(btyd_gg_fit(c, 0, NULL, &gg, &ll), BTYD_EDATA);
  /* all weights 0 */
  assert_int_equal(btyd_bgnbd_fit(c, 2, NULL, &bg, &ll), BTYD_EDATA);
  assert_int_equal(btyd_pnbd_fit(c, 2, NULL, &pn, &ll), BTYD_EDATA);
  assert_int_equal(btyd_gg_fit(c, 2, NULL, &gg, &ll), BTYD_EDATA);
  /* weighted, but no repeat buyer: nothing for Gamma-Gamma (more such
   * data in test_btyd_edge.c) */
  c[0].w = 3;
  c[1].x = 0;
  c[1].w = 1;
  assert_int_equal(btyd_gg_fit(c, 2, NULL, &gg, &ll), BTYD_ENOREPEAT);
  assert_string_equal(btyd_strerror(BTYD_EDATA), "no usable data");
}

static int stop_at_3(void *ud, int iter, int max_iter)
{
  int *calls = ud;

  (void)max_iter;
  ++*calls;
  return iter == 3 ? 7 : 0;
}

static void test_progress_stops(void **state)
{
  btyd_cust c[4] = {{0, 0, 30, 0, 5}, {2, 20, 30, 10, 2}, {5, 25, 38, 9, 1},
                    {1, 3, 12, 7, 2}};
  btyd_bgnbd bg = {-1, -1, -1, -1};
  btyd_fit_opts o = {0, 0, stop_at_3, NULL};
  int calls = 0;
  double ll = 0;

  (void)state;
  o.ud = &calls;
  assert_int_equal(btyd_bgnbd_fit(c, 4, &o, &bg, &ll), 7);
  assert_int_equal(calls, 3);
  assert_near(bg.r, -1, 0); /* a stopped fit leaves the output alone */
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_hyp2f1_log),
    cmocka_unit_test(test_hyp2f1_power),
    cmocka_unit_test(test_hyp2f1_trig),
    cmocka_unit_test(test_hyp2f1_polynomial_and_large),
    cmocka_unit_test(test_hyp2f1_pfaff_consistency),
    cmocka_unit_test(test_acc_summary),
    cmocka_unit_test(test_acc_refund),
    cmocka_unit_test(test_acc_cap_and_order),
    cmocka_unit_test(test_compress),
    cmocka_unit_test(test_compress_many),
    cmocka_unit_test(test_bgnbd_p_alive),
    cmocka_unit_test(test_bgnbd_expected_hand),
    cmocka_unit_test(test_bgnbd_expected_paper),
    cmocka_unit_test(test_bgnbd_ll1_hand),
    cmocka_unit_test(test_pnbd_hand),
    cmocka_unit_test(test_pnbd_branches),
    cmocka_unit_test(test_gg_expected_spend),
    cmocka_unit_test(test_gg_ll_hand),
    cmocka_unit_test(test_bad_data),
    cmocka_unit_test(test_progress_stops),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
