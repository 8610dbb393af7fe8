/*
 * test_plugin_clv_edge.c - the clv plugin on stores whose data cannot be
 * fitted (the fit is refused with the reason and the numbers, nothing is
 * stored), with model = "pnbd" over figures that have no Pareto/NBD (said
 * once, then one look-up per call), and the money labels of currencies
 * without cents (clv_money_format, compiled in from clv_config.c).
 */
#include <math.h>

#include "test_plugin_env.h"

#include "clv_int.h"
#include "crm_int.h" /* crm__score_ask */

static int64_t t_at(const char *text)
{
  int64_t t = 0;

  if(crm_time_parse(text, &t))
    fail_msg("bad time %s", text);
  return t;
}

static const char conf_bg[] =
  "plugins = { load = ( { name = \"clv\"; required = true; config = {\n"
  "  calibration_end = \"1997-09-30\"; currency = \"USD\";\n"
  "}; } ); };\n";

static const char conf_pn[] =
  "plugins = { load = ( { name = \"clv\"; required = true; config = {\n"
  "  calibration_end = \"1997-09-30\"; currency = \"USD\";\n"
  "  model = \"pnbd\";\n"
  "}; } ); };\n";

/* Customers "c1".."cN", each buying 1000 cents on the given dates. */
static void buy(crm *c, const char *ext, const char *const *dates, int n)
{
  int64_t id = t_add_customer(c, ext);
  char key[64];
  char when[32];
  int i;

  for(i = 0; i < n; i++) {
    snprintf(when, sizeof(when), "%sT10:00:00Z", dates[i]);
    snprintf(key, sizeof(key), "%s-%d", ext, i);
    pe_event(c, id, "purchase", t_at(when), 1000, "USD", NULL, key);
  }
}

static void open_store(pe_env *e, const char *conf)
{
  pe_open(e, NULL);
  crm_set_now(e->c, t_at("1998-01-01"));
  snprintf(e->conf, sizeof(e->conf), "%s/crm.conf", e->dir);
  t_write_file(e->conf, conf);
  if(crm_load_config(e->c, e->conf, CRM_TEST_PLUGIN_DIR))
    fail_msg("crm_load_config: %s", crm_errmsg(e->c));
}

/* The fit fails with `message` (after the core's "plugin ... component"
 * prefix), and stores no figure. */
static void expect_refused(pe_env *e, const char *message)
{
  size_t n = 99;
  double v;
  int rc = crm_score_fit(e->c, "clv", t_at("1997-10-01"), 0, NULL, NULL,
                         &n);

  if(rc != CRM_ESTATE || !strstr(crm_errmsg(e->c), message))
    fail_msg("fit: rc %d, \"%s\", want \"%s\"", rc, crm_errmsg(e->c),
             message);
  assert_int_equal(crm_figure_get(e->c, "clv", "fitted_at", &v),
                   CRM_ENOTFOUND);
  assert_int_equal(crm_figure_get(e->c, "clv", "bgnbd_r", &v),
                   CRM_ENOTFOUND);
}

/* Before: rc 0 with parameters of no meaning (the optimiser's start
 * point with LL 0 for T = 0, r = 1e-13 and a = 0.45 for one-time
 * buyers). */
static void test_refused(void **state)
{
  static const char *const jan1[] = {"1997-01-01"};
  static const char *const mar5[] = {"1997-03-05"};
  static const char *const sep1[] = {"1997-09-01"};
  static const char *const last[] = {"1997-09-30", "1997-09-30"};
  static const char *const two[] = {"1997-01-01", "1997-02-01"};
  pe_env e;

  (void)state;
  /* three one-time buyers */
  open_store(&e, conf_bg);
  buy(e.c, "c1", jan1, 1);
  buy(e.c, "c2", mar5, 1);
  buy(e.c, "c3", sep1, 1);
  expect_refused(&e, "clv fit refused: no repeat buyer among 3 customers "
                     "up to 1997-09-30");
  pe_close(&e);
  /* everybody first bought on the last day: T = 0 (the two purchases of
   * c1 are one purchase day) */
  open_store(&e, conf_bg);
  buy(e.c, "c1", last, 2);
  buy(e.c, "c2", last, 1);
  expect_refused(&e, "clv fit refused: no customer observed for any time "
                     "(T = 0) among 2 customers up to 1997-09-30: every "
                     "first purchase is on the last day");
  pe_close(&e);
  /* a repeat buyer (x 1, t_x 31 days, T 272 days) and a one-time buyer:
   * two distinct summaries for four parameters */
  open_store(&e, conf_bg);
  buy(e.c, "c1", two, 2);
  buy(e.c, "c2", mar5, 1);
  expect_refused(&e, "clv fit refused: too few distinct customers (2 "
                     "distinct summaries with T > 0 among 2 customers up "
                     "to 1997-09-30) to fit 4 parameters");
  pe_close(&e);
}

struct logs {
  int pnbd_missing;
  int unfitted;
};

static void log_cb(void *ud, int level, const char *source, const char *msg)
{
  struct logs *l = ud;

  (void)source;
  if(level == CRM_LOG_WARN &&
     strstr(msg, "clv model is pnbd but pareto/nbd is not fitted"))
    l->pnbd_missing++;
  if(strstr(msg, "clv is not fitted yet"))
    l->unfitted++;
}

/* Six customers with 4 distinct summaries and repeat buyers: BG/NBD
 * fits (at a limit of the model or not, rc 0). */
static void six_customers(crm *c)
{
  static const char *const d1[] = {"1997-01-01", "1997-02-01", "1997-05-01"};
  static const char *const d2[] = {"1997-01-10"};
  static const char *const d3[] = {"1997-02-15", "1997-03-01"};
  static const char *const d4[] = {"1997-03-01", "1997-04-01", "1997-06-01",
                                   "1997-09-01"};
  static const char *const d5[] = {"1997-06-15"};
  static const char *const d6[] = {"1997-07-01", "1997-08-15"};

  buy(c, "c1", d1, 3);
  buy(c, "c2", d2, 1);
  buy(c, "c3", d3, 2);
  buy(c, "c4", d4, 4);
  buy(c, "c5", d5, 1);
  buy(c, "c6", d6, 2);
}

/* model = "pnbd" over a bgnbd fit (no pnbd_* figures): no score, one
 * warning that says why, not "not fitted yet" (before: silence and a
 * figure re-read of 14 figures on every call, then "not fitted yet"). */
static void test_pnbd_not_fitted(void **state)
{
  pe_env e;
  struct logs l = {0, 0};
  size_t n = 0;
  double v;
  int i;

  (void)state;
  open_store(&e, conf_bg);
  crm_set_log(e.c, log_cb, &l, CRM_LOG_DEBUG); /* quiet: boundary, no GG */
  six_customers(e.c);
  if(crm_score_fit(e.c, "clv", t_at("1997-10-01"), 0, NULL, NULL, &n))
    fail_msg("fit: %s", crm_errmsg(e.c));
  assert_int_equal(n, 6);
  assert_int_equal(crm_figure_get(e.c, "clv", "pnbd_r", &v), CRM_ENOTFOUND);
  assert_int_equal(crm_figure_get(e.c, "clv", "bgnbd_boundary", &v),
                   CRM_OK);
  t_write_file(e.conf, conf_pn);
  assert_int_equal(crm_reload_config(e.c), CRM_OK);
  for(i = 0; i < 3; i++) {
    n = 99;
    assert_int_equal(crm_score_run(e.c, "clv", 0, &n), CRM_OK);
    assert_int_equal(n, 0);
  }
  assert_int_equal(l.pnbd_missing, 1);
  assert_int_equal(l.unfitted, 0);
  /* a new fit with the pnbd model is used at once */
  if(crm_score_fit(e.c, "clv", t_at("1997-10-01"), 0, NULL, NULL, &n))
    fail_msg("pnbd fit: %s", crm_errmsg(e.c));
  assert_int_equal(crm_figure_get(e.c, "clv", "pnbd_r", &v), CRM_OK);
  assert_int_equal(crm_figure_get(e.c, "clv", "pnbd_boundary", &v),
                   CRM_OK);
  assert_int_equal(l.pnbd_missing, 1);
  pe_close(&e);
}

/* ISO 4217 minor units: labels in major units with the currency's
 * digits, and the Gamma-Gamma scale. */
static void test_money_format(void **state)
{
  char b[48];

  (void)state;
  assert_int_equal(clv_ccy_digits("USD"), 2);
  assert_int_equal(clv_ccy_digits("HUF"), 2);
  assert_int_equal(clv_ccy_digits("JPY"), 0);
  assert_int_equal(clv_ccy_digits("KRW"), 0);
  assert_int_equal(clv_ccy_digits("XOF"), 0);
  assert_int_equal(clv_ccy_digits("KWD"), 3);
  assert_int_equal(clv_ccy_digits("TND"), 3);
  assert_int_equal(clv_ccy_digits(""), 2);
  assert_true(clv_ccy_scale("JPY") == 1 && clv_ccy_scale("EUR") == 100 &&
              clv_ccy_scale("BHD") == 1000);
  clv_money_format(b, sizeof(b), 15327, "USD", 100);
  assert_string_equal(b, "153.27 USD");
  clv_money_format(b, sizeof(b), 15327, "JPY", 100);
  assert_string_equal(b, "15327 JPY");
  clv_money_format(b, sizeof(b), 15327, "KWD", 100);
  assert_string_equal(b, "15.327 KWD");
  /* no currency: the digits of the fit's scale */
  clv_money_format(b, sizeof(b), 15327, "", 1);
  assert_string_equal(b, "15327");
  clv_money_format(b, sizeof(b), 15327, "", 100);
  assert_string_equal(b, "153.27");
}

/* The score step and the batch agree at a midnight as_of: both take the
 * last whole day before as_of as the end of the data (T ends on
 * 1997-12-31 for as_of 1998-01-01 00:00; before the fix the score step
 * asked by the lifecycle (ev NULL) counted 1998-01-01 too, a day more
 * of age, so its p_alive was lower than the batch's). */
static void test_step_matches_batch(void **state)
{
  pe_env e;
  crm_customer cu;
  int64_t as_of = t_at("1998-01-01");
  double batch = 0;
  double step = 0;
  size_t n = 0;

  (void)state;
  open_store(&e, conf_bg);
  six_customers(e.c);
  assert_int_equal(crm_score_fit(e.c, "clv", t_at("1997-10-01"),
                                 CRM_FIT_NO_SCORE, NULL, NULL, NULL), 0);
  assert_int_equal(crm_score_run(e.c, "clv", as_of, &n), 0);
  assert_int_equal(n, 6);
  assert_int_equal(crm_customer_resolve(e.c, "c1", &cu), 0);
  assert_int_equal(crm_score_get(e.c, cu.id, "clv", "p_alive", &batch), 0);
  assert_int_equal(crm__score_ask(e.c, "clv", &cu, as_of), 0);
  assert_int_equal(crm_score_get(e.c, cu.id, "clv", "p_alive", &step), 0);
  assert_true(batch > 0 && batch < 1);
  assert_true(fabs(step - batch) < 1e-12);
  pe_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_refused),
    cmocka_unit_test(test_pnbd_not_fitted),
    cmocka_unit_test(test_money_format),
    cmocka_unit_test(test_step_matches_batch),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
