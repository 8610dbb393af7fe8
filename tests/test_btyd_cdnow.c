/*
 * test_btyd_cdnow.c - golden tests of the btyd models on CDNOW (Fader,
 * Hardie & Lee; 2,357 customers, calibration weeks 1-39, ending
 * 1997-09-30), from tests/data/cdnow_customers.csv (Hardie's summary,
 * 2 dp) and tests/data/cdnowElog.csv (the event log); see
 * tests/data/README.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_btyd.h"

#define NCUST 2357

static btyd_cust g_sum[NCUST];  /* cdnow_customers.csv */
static btyd_cust g_elog[NCUST]; /* rebuilt from cdnowElog.csv */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int y, int m, int d)
{
  int64_t era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static FILE *open_data(const char *name)
{
  char path[1024];
  FILE *f;

  snprintf(path, sizeof(path), "%s/%s", CRM_TEST_DATA_DIR, name);
  f = fopen(path, "r");
  if(!f)
    fail_msg("cannot open %s", path);
  return f;
}

static double field(char **p)
{
  char *end;
  double v = strtod(*p, &end);

  if(end == *p)
    fail_msg("bad number near \"%.20s\"", *p);
  *p = end;
  return v;
}

/* " ID  x   t_x     T" then " 0001    2   30.43   38.86" ... */
static void load_summary(void)
{
  FILE *f = open_data("cdnow_customers.csv");
  char line[256];
  size_t n = 0;

  if(!fgets(line, sizeof(line), f) || !strstr(line, "t_x"))
    fail_msg("cdnow_customers.csv: no header");
  while(fgets(line, sizeof(line), f)) {
    char *p = line;
    double id = field(&p);

    if(n >= NCUST || id != (double)(n + 1))
      fail_msg("cdnow_customers.csv: unexpected id %g", id);
    g_sum[n].x = field(&p);
    g_sum[n].t_x = field(&p);
    g_sum[n].T = field(&p);
    g_sum[n].m_x = 0;
    g_sum[n].w = 1;
    n++;
  }
  fclose(f);
  assert_int_equal(n, NCUST);
}

static void flush(btyd_acc *a, int cur, int64_t end)
{
  if(cur < 1 || cur > NCUST)
    fail_msg("cdnowElog.csv: sampleid %d", cur);
  if(btyd_acc_summary(a, end, 7, &g_elog[cur - 1]))
    fail_msg("customer %d: no purchase in the calibration period", cur);
}

/* masterid,sampleid,date,cds,sales - rows grouped by sampleid, dates in
 * order within a customer. */
static void load_elog(void)
{
  FILE *f = open_data("cdnowElog.csv");
  char line[256];
  btyd_day days[512];
  btyd_acc a = {days, 512, 0};
  int64_t end = days_from_civil(1997, 9, 30);
  int cur = 0;

  if(!fgets(line, sizeof(line), f) || !strstr(line, "sampleid"))
    fail_msg("cdnowElog.csv: no header");
  while(fgets(line, sizeof(line), f)) {
    char *p = line;
    int sid, date;
    double sales;

    field(&p);
    p++;
    sid = (int)field(&p);
    p++;
    date = (int)field(&p);
    p++;
    field(&p);
    p++;
    sales = field(&p);
    if(sid != cur) {
      if(cur)
        flush(&a, cur, end);
      cur = sid;
      btyd_acc_reset(&a);
    }
    btyd_acc_purchase(&a, days_from_civil(date / 10000, date / 100 % 100,
                                          date % 100),
                      sales);
  }
  flush(&a, cur, end);
  fclose(f);
}

static int setup(void **state)
{
  (void)state;
  load_summary();
  load_elog();
  return 0;
}

static void test_summary_from_elog(void **state)
{
  size_t i, repeat = 0;
  double xs = 0;

  (void)state;
  /* the README: recomputing from the event log gives the summary file */
  for(i = 0; i < NCUST; i++) {
    if(g_elog[i].x != g_sum[i].x)
      fail_msg("customer %zu: x %g, file %g", i + 1, g_elog[i].x, g_sum[i].x);
    assert_near(g_elog[i].t_x, g_sum[i].t_x, 0.005);
    assert_near(g_elog[i].T, g_sum[i].T, 0.005);
    xs += g_elog[i].x;
    repeat += g_elog[i].x > 0;
  }
  /* README counts: sum x = 2457, 946 customers with x > 0 */
  assert_near(xs, 2457, 0);
  assert_int_equal(repeat, 946);
}

static void test_bgnbd_golden(void **state)
{
  btyd_bgnbd pub = {0.2426, 4.4136, 0.7929, 2.4259}, fit;
  double ll = 0;

  (void)state;
  /* README: the published point gives LL = -9582.4256 on this file */
  assert_near(btyd_bgnbd_ll(&pub, g_sum, NCUST), -9582.4256, 0.001);
  /* the fit from r = alpha = a = b = 1 (log space 0) */
  assert_int_equal(btyd_bgnbd_fit(g_sum, NCUST, NULL, &fit, &ll), 0);
  assert_near(fit.r, 0.2426, 0.0005);
  assert_near(fit.alpha, 4.4136, 0.0005);
  assert_near(fit.a, 0.7929, 0.0005);
  assert_near(fit.b, 2.4259, 0.0005);
  assert_near(ll, -9582.43, 0.01);
  assert_true(ll >= -9582.4256 - 1e-6); /* at least the published LL */
  assert_near(btyd_bgnbd_ll(&fit, g_sum, NCUST), ll, 1e-6);
}

static void test_bgnbd_compressed(void **state)
{
  static btyd_cust c[NCUST];
  btyd_bgnbd full, comp;
  double ll_full = 0, ll_comp = 0;
  size_t n;

  (void)state;
  memcpy(c, g_sum, sizeof(c));
  n = btyd_compress(c, NCUST);
  assert_true(n < NCUST);
  /* same likelihood at any point, then the same fit */
  {
    btyd_bgnbd pub = {0.2426, 4.4136, 0.7929, 2.4259};

    assert_near(btyd_bgnbd_ll(&pub, c, n), btyd_bgnbd_ll(&pub, g_sum, NCUST),
                1e-8);
  }
  assert_int_equal(btyd_bgnbd_fit(g_sum, NCUST, NULL, &full, &ll_full), 0);
  assert_int_equal(btyd_bgnbd_fit(c, n, NULL, &comp, &ll_comp), 0);
  assert_near(ll_comp, ll_full, 1e-5);
  assert_near(comp.r, full.r, 1e-4);
  assert_near(comp.alpha, full.alpha, 1e-4);
  assert_near(comp.a, full.a, 1e-4);
  assert_near(comp.b, full.b, 1e-4);
}

static void test_gg_golden(void **state)
{
  btyd_gg pub = {6.25, 3.74, 15.44}, fit;
  double ll = 0, msum = 0;
  size_t i, k = 0;

  (void)state;
  /* m_x: same-day merged, first purchase left out, weeks 1-39 */
  for(i = 0; i < NCUST; i++)
    if(g_elog[i].x > 0) {
      msum += g_elog[i].m_x;
      k++;
    }
  assert_int_equal(k, 946);
  assert_near(msum / (double)k, 35.078, 0.001);
  /* README: LL at the published point is -4055.92 */
  assert_near(btyd_gg_ll(&pub, g_elog, NCUST), -4055.92, 0.01);
  assert_int_equal(btyd_gg_fit(g_elog, NCUST, NULL, &fit, &ll), 0);
  /* the MLE: p = 6.2496, q = 3.7442, gamma = 15.4435, LL = -4055.9177 */
  assert_near(fit.p, 6.25, 0.005);
  assert_near(fit.q, 3.74, 0.005);
  assert_near(fit.gamma, 15.44, 0.005);
  assert_true(ll >= -4055.92);
  /* population E[M] = p gamma / (q - 1): 6.25 * 15.44 / 2.74 = 35.22 at
   * the published point (README); 35.170 at the MLE */
  assert_near(btyd_gg_expected_spend(&pub, 0, 0), 35.22, 0.005);
  assert_near(btyd_gg_expected_spend(&fit, 0, 0), 35.170, 0.005);
}

static void test_pnbd_golden(void **state)
{
  /* BTYD vignette (pnbd.EstimateParameters on the cbs from cdnowElog,
   * unrounded t_x and T): r = 0.5534, alpha = 10.5802, s = 0.6061,
   * beta = 11.6562, LL = -9594.98. */
  btyd_pnbd pub = {0.5534, 10.5802, 0.6061, 11.6562}, fit;
  static btyd_cust c[NCUST];
  double ll = 0;
  size_t n;

  (void)state;
  assert_near(btyd_pnbd_ll(&pub, g_elog, NCUST), -9594.98, 0.005);
  memcpy(c, g_elog, sizeof(c));
  n = btyd_compress(c, NCUST);
  assert_int_equal(btyd_pnbd_fit(c, n, NULL, &fit, &ll), 0);
  /* our optimum: r = 0.55328, alpha = 10.5777, s = 0.60624, beta =
   * 11.6688, LL = -9594.97618, a little above the vignette's (whose
   * optimiser stopped earlier on this flat ridge): hence relative
   * tolerances of 0.1 - 0.2 % */
  assert_true(ll >= btyd_pnbd_ll(&pub, g_elog, NCUST));
  assert_near(ll, -9594.98, 0.01);
  assert_rel(fit.r, 0.5534, 0.001);
  assert_rel(fit.alpha, 10.5802, 0.001);
  assert_rel(fit.s, 0.6061, 0.001);
  assert_rel(fit.beta, 11.6562, 0.002);
}

static void test_pnbd_quadrature(void **state)
{
  /* At the vignette's point, P(alive), ln L and E[Y(t)] against an
   * independent evaluation with no 2F1 (mpmath, 30 digits):
   *   L = Gamma(r+x)/Gamma(r) alpha^r beta^s [ 1/((alpha+T)^(r+x)
   *       (beta+T)^s) + int_{t_x}^T s / ((alpha+u)^(r+x) (beta+u)^(s+1))
   *       du ] (death at u, integrated by quadrature),
   *   P(alive) = first term / bracket,
   *   E[Y(t)] = (r+x)/(alpha+T) int (1 - e^(-mu t))/mu g(mu) dmu
   *             P(alive), g the Gamma(s, beta+T) density.
   * x, t_x, T, t -> P(alive), ln L, E:
   *   2, 30.43, 38.86, 39 -> 0.869110643968, -9.554510694614, 1.455092843844
   *   0, 0, 38.86, 39     -> 0.294961486437, -0.521129195973, 0.107028946362
   *   15, 36, 38, 52      -> 0.965568064974, -33.727647044571, 12.707080048639
   */
  static const double want[3][7] = {
    {2, 30.43, 38.86, 39, 0.869110643968, -9.554510694614, 1.455092843844},
    {0, 0, 38.86, 39, 0.294961486437, -0.521129195973, 0.107028946362},
    {15, 36, 38, 52, 0.965568064974, -33.727647044571, 12.707080048639},
  };
  btyd_pnbd pub = {0.5534, 10.5802, 0.6061, 11.6562};
  int i;

  (void)state;
  for(i = 0; i < 3; i++) {
    const double *w = want[i];

    assert_near(btyd_pnbd_p_alive(&pub, w[0], w[1], w[2]), w[4], 1e-11);
    assert_near(btyd_pnbd_ll1(&pub, w[0], w[1], w[2]), w[5], 1e-11);
    assert_near(btyd_pnbd_expected(&pub, w[0], w[1], w[2], w[3]), w[6],
                1e-10);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_summary_from_elog),
    cmocka_unit_test(test_bgnbd_golden),
    cmocka_unit_test(test_bgnbd_compressed),
    cmocka_unit_test(test_gg_golden),
    cmocka_unit_test(test_pnbd_golden),
    cmocka_unit_test(test_pnbd_quadrature),
  };

  return cmocka_run_group_tests(tests, setup, NULL);
}
