/*
 * test_plugin_clv.c - the clv scoring plugin end to end: the real core,
 * a generated crm.conf, the plugin from the build tree, events ingested
 * through the public API.
 *
 * Golden: the CDNOW 1/10 sample (tests/data/cdnowElog.csv, 2,357
 * customers, purchases 1997-01-01 .. 1998-06-30) with weeks 1-39 as the
 * calibration period (calibration_end 1997-09-30) gives the published
 * BG/NBD r = 0.2426, alpha = 4.4136, a = 0.7929, b = 2.4259, LL =
 * -9582.43 (Fader, Hardie and Lee 2005) and Gamma-Gamma p = 6.25, q =
 * 3.74, gamma = 15.44 (Fader, Hardie and Lee 2005b; spend in dollars,
 * the figure gg_gamma is in major units), 946 repeat buyers.
 *
 * Customer 1 of CDNOW bought on 1997-01-01 ($29.33), 1997-01-18 ($29.73),
 * 1997-08-02 ($14.96) and 1997-12-12. At the calibration end
 * (1997-09-30) its summary, in weeks from its first purchase day:
 *   x   = 2 repeat days (01-18, 08-02)
 *   t_x = 213 days / 7 (Jan 31 + Feb 28 + Mar 31 + Apr 30 + May 31 +
 *         Jun 30 + Jul 31 = 212 to Aug 1, +1)
 *   T   = 272 days / 7 (to Sep 30: 212 + 31 (Aug) + 29 = 272), the
 *         convention of the BTYD package (T.cal = 38.86)
 *   m_x = (2973 + 1496) / 2 = 2234.5 cents
 * The test recomputes its four scores from that summary with btyd.c at
 * the fitted figures.
 */
#include <math.h>
#include <time.h>

#include "test_plugin_env.h"

#include "btyd.h"

#define N_CDNOW 2357
#define CUST_T_DAYS(end_days) ((double)(end_days) / 7.0)

static const char conf_cdnow[] =
  "plugins = { load = ( { name = \"clv\"; required = true; config = {\n"
  "  time_unit = \"week\"; calibration_end = \"1997-09-30\";\n"
  "  currency = \"USD\";\n"
  "  clv = { horizon_months = 12; discount_rate = 0.10; margin = 1.0; };\n"
  "}; } ); };\n";

static int64_t t_at(const char *text)
{
  int64_t t = 0;

  if(crm_time_parse(text, &t))
    fail_msg("bad time %s", text);
  return t;
}

static double now_s(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of the process: the machines running the tests are shared */
static double cpu_s(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- CDNOW import --------------------------------------------------------- */

/* "19970101" -> UTC seconds at 00:00. */
static int64_t cdnow_date(const char *d)
{
  char iso[16];

  snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2s", d, d + 4, d + 6);
  return t_at(iso);
}

/* The currency of the imported purchases (test_jpy: JPY). */
static const char *g_import_ccy = "USD";

/* Customers 1..max_id (external id = sampleid) and their purchases: amount
 * = sales in cents, at 00:00 UTC, g_import_ccy, quantity = cds.
 * ids[sampleid]. */
static void cdnow_import(crm *c, int max_id, int64_t *ids)
{
  char path[1024], line[256], ext[16], key[32];
  FILE *f;
  int row = 0;
  int k;

  assert_int_equal(crm_begin(c), CRM_OK);
  for(k = 1; k <= max_id; k++) {
    snprintf(ext, sizeof(ext), "%d", k);
    ids[k] = t_add_customer(c, ext);
  }
  snprintf(path, sizeof(path), "%s/cdnowElog.csv", CRM_TEST_DATA_DIR);
  f = fopen(path, "r");
  assert_non_null(f);
  assert_non_null(fgets(line, sizeof(line), f)); /* header */
  while(fgets(line, sizeof(line), f)) {
    char *p = line, *end;
    long sid;
    char date[16];
    long cds;
    double sales;
    crm_event ev;

    row++;
    strtol(p, &end, 10); /* masterid */
    p = end + 1;
    sid = strtol(p, &end, 10);
    p = end + 1;
    snprintf(date, sizeof(date), "%.8s", p);
    p += 9;
    cds = strtol(p, &end, 10);
    p = end + 1;
    sales = strtod(p, &end);
    if(sid < 1 || sid > max_id)
      continue;
    snprintf(key, sizeof(key), "cdnow-r%d", row);
    memset(&ev, 0, sizeof(ev));
    ev.type = "purchase";
    ev.customer_id = ids[sid];
    ev.occurred_at = cdnow_date(date);
    ev.amount = llround(sales * 100.0);
    ev.currency = g_import_ccy;
    ev.quantity = cds;
    ev.idempotency_key = key;
    if(crm_event_ingest(c, &ev, NULL))
      fail_msg("row %d: %s", row, crm_errmsg(c));
  }
  fclose(f);
  assert_int_equal(crm_commit(c), CRM_OK);
}

/* ---- reading scores --------------------------------------------------------- */

struct sc {
  int found;
  double value;
  char label[64];
  size_t n;
  char factor[8][24];
  double contrib[8];
};

struct sc_want {
  const char *name;
  struct sc *out;
};

static int sc_cb(void *ud, const crm_score *s)
{
  struct sc_want *w = ud;
  size_t i;

  if(strcmp(s->model, "clv") != 0 || strcmp(s->name, w->name) != 0)
    return 0;
  w->out->found = 1;
  w->out->value = s->value;
  snprintf(w->out->label, sizeof(w->out->label), "%s",
           s->label ? s->label : "");
  w->out->n = s->n_reasons;
  for(i = 0; i < s->n_reasons && i < 8; i++) {
    snprintf(w->out->factor[i], sizeof(w->out->factor[i]), "%s",
             s->reasons[i].factor);
    w->out->contrib[i] = s->reasons[i].contribution;
  }
  return 0;
}

static struct sc get_score(crm *c, int64_t id, const char *name)
{
  struct sc out;
  struct sc_want w = {name, &out};

  memset(&out, 0, sizeof(out));
  assert_int_equal(crm_scores_foreach(c, id, sc_cb, &w), CRM_OK);
  return out;
}

static int fig_cb(void *ud, const crm_figure *f)
{
  struct sc_want *w = ud;

  if(strcmp(f->name, w->name) != 0)
    return 0;
  w->out->found = 1;
  w->out->value = f->value;
  snprintf(w->out->label, sizeof(w->out->label), "%s",
           f->label ? f->label : "");
  return 0;
}

/* A clv figure: value and label in a struct sc. */
static struct sc get_figure(crm *c, const char *name)
{
  struct sc out;
  struct sc_want w = {name, &out};

  memset(&out, 0, sizeof(out));
  assert_int_equal(crm_figures_foreach(c, "clv", fig_cb, &w), CRM_OK);
  if(!out.found)
    fail_msg("no figure %s", name);
  return out;
}

static double fig(crm *c, const char *name)
{
  double v = 0;

  if(crm_figure_get(c, "clv", name, &v))
    fail_msg("figure %s: %s", name, crm_errmsg(c));
  return v;
}

/* The model at the stored figures. */
struct model {
  btyd_bgnbd bg;
  btyd_gg gg;
};

static struct model model_read(crm *c)
{
  struct model m;

  m.bg.r = fig(c, "bgnbd_r");
  m.bg.alpha = fig(c, "bgnbd_alpha");
  m.bg.a = fig(c, "bgnbd_a");
  m.bg.b = fig(c, "bgnbd_b");
  m.gg.p = fig(c, "gg_p");
  m.gg.q = fig(c, "gg_q");
  m.gg.gamma = fig(c, "gg_gamma");
  return m;
}

static void assert_sums(const struct sc *s, const char *const *factors,
                        size_t n, double tol)
{
  double sum = 0;
  size_t i;

  assert_true(s->found);
  assert_int_equal(s->n, n);
  for(i = 0; i < n; i++) {
    assert_string_equal(s->factor[i], factors[i]);
    sum += s->contrib[i];
  }
  if(fabs(sum - s->value) > tol)
    fail_msg("factors sum to %.12g, value %.12g", sum, s->value);
}

static void assert_close(double got, double want, double tol,
                         const char *what)
{
  if(!(fabs(got - want) <= tol))
    fail_msg("%s: got %.10g, want %.10g (tol %g)", what, got, want, tol);
}

/* Customer id's four scores are the model's functions of (x, t_x, T,
 * m_x) with the config of conf_cdnow (52 weeks ahead; 12 months of 30.4375
 * days, 10% a year; margin 1), and the explanations add up. */
static void check_customer(crm *c, int64_t id, double x, double t_x,
                           double T, double m_x)
{
  static const char *const f4[] = {"base", "age", "frequency", "recency"};
  static const char *const f5[] = {"base", "age", "frequency", "recency",
                                   "spend"};
  static const char *const f2[] = {"base", "spend"};
  struct model m = model_read(c);
  double month_rate = pow(1.10, 1.0 / 12.0) - 1.0;
  double ep = btyd_bgnbd_expected(&m.bg, x, t_x, T, 52.0);
  double pa = btyd_bgnbd_p_alive(&m.bg, x, t_x, T);
  double es = btyd_gg_expected_spend(&m.gg, x, m_x / 100.0) * 100.0;
  double cv = btyd_bgnbd_clv(&m.bg, x, t_x, T, es, 1.0, 30.4375 / 7.0, 12,
                             month_rate);
  struct sc s;
  char lbl[64];

  s = get_score(c, id, "expected_purchases");
  assert_close(s.value, ep, 1e-9 * (1 + ep), "expected_purchases");
  assert_sums(&s, f4, 4, 1e-9);
  s = get_score(c, id, "p_alive");
  assert_close(s.value, pa, 1e-9, "p_alive");
  assert_sums(&s, f4, 4, 1e-9);
  s = get_score(c, id, "expected_spend");
  assert_close(s.value, es, 1e-9 * es, "expected_spend");
  assert_sums(&s, f2, 2, 1e-9 * es);
  snprintf(lbl, sizeof(lbl), "%.2f USD", es / 100.0);
  assert_string_equal(s.label, lbl);
  s = get_score(c, id, "clv");
  assert_true(s.value == floor(s.value));
  assert_close(s.value, cv, 0.5 + 1e-6, "clv");
  assert_sums(&s, f5, 5, 0.5 + 1e-6);
  snprintf(lbl, sizeof(lbl), "%.2f USD", s.value / 100.0);
  assert_string_equal(s.label, lbl);
}

/* ---- the CDNOW store, fitted once for the group ------------------------ */

static pe_env g_env;
static int64_t g_ids[N_CDNOW + 1];

struct prog {
  int calls;
  int cancel_at; /* 0: never */
  int bad_model;
};

static int prog_cb(void *ud, const char *model, int64_t done, int64_t total)
{
  struct prog *p = ud;

  (void)done;
  (void)total;
  p->calls++;
  if(!model || strcmp(model, "clv") != 0)
    p->bad_model = 1;
  return p->cancel_at && p->calls >= p->cancel_at;
}

static int cdnow_setup(void **state)
{
  struct prog pr = {0, 0, 0};
  size_t n = 0;
  double t0, t1, t2, c1, c2;

  (void)state;
  pe_open(&g_env, NULL);
  crm_set_now(g_env.c, t_at("1998-07-01"));
  snprintf(g_env.conf, sizeof(g_env.conf), "%s/crm.conf", g_env.dir);
  t_write_file(g_env.conf, conf_cdnow);
  if(crm_load_config(g_env.c, g_env.conf, CRM_TEST_PLUGIN_DIR))
    fail_msg("crm_load_config: %s", crm_errmsg(g_env.c));
  t0 = now_s();
  cdnow_import(g_env.c, N_CDNOW, g_ids);
  t1 = now_s();
  c1 = cpu_s();
  if(crm_score_fit(g_env.c, "clv", t_at("1997-10-01"), 0, prog_cb, &pr, &n))
    fail_msg("crm_score_fit: %s", crm_errmsg(g_env.c));
  t2 = now_s();
  c2 = cpu_s();
  print_message("cdnow: import %.3f s, fit + scoring of %zu customers "
                "%.3f s (cpu %.3f s, %d progress calls)\n", t1 - t0, n,
                t2 - t1, c2 - c1, pr.calls);
  assert_int_equal(n, N_CDNOW);
  assert_true(pr.calls >= 2);
  assert_false(pr.bad_model);
  return 0;
}

static int cdnow_teardown(void **state)
{
  (void)state;
  pe_close(&g_env);
  return 0;
}

/* The published parameters (see the top of the file). */
static void test_golden(void **state)
{
  crm *c = g_env.c;

  (void)state;
  assert_close(fig(c, "bgnbd_r"), 0.2426, 0.0005, "bgnbd_r");
  assert_close(fig(c, "bgnbd_alpha"), 4.4136, 0.0005, "bgnbd_alpha");
  assert_close(fig(c, "bgnbd_a"), 0.7929, 0.0005, "bgnbd_a");
  assert_close(fig(c, "bgnbd_b"), 2.4259, 0.0005, "bgnbd_b");
  assert_close(fig(c, "bgnbd_ll"), -9582.43, 0.01, "bgnbd_ll");
  assert_close(fig(c, "gg_p"), 6.25, 0.005, "gg_p");
  assert_close(fig(c, "gg_q"), 3.74, 0.005, "gg_q");
  assert_close(fig(c, "gg_gamma"), 15.44, 0.005, "gg_gamma");
  assert_true(fig(c, "customers") == N_CDNOW);
  assert_true(fig(c, "repeat_buyers") == 946);
  assert_true(fig(c, "unit_days") == 7);
  /* the end of 1997-09-30, exclusive */
  assert_true(fig(c, "calibration_end") == (double)t_at("1997-10-01"));
  /* population E[M] = p gamma / (q - 1), in cents */
  assert_close(fig(c, "mean_spend"),
               fig(c, "gg_p") * fig(c, "gg_gamma") / (fig(c, "gg_q") - 1) *
                   100.0,
               1e-6, "mean_spend");
}

/* Customer 1's scores from its hand-computed summary. */
static void test_customer_scores(void **state)
{
  (void)state;
  check_customer(g_env.c, g_ids[1], 2, 213.0 / 7.0, CUST_T_DAYS(272),
                 2234.5);
  /* customer 3: one purchase, 1997-01-01 ($6.79): x = 0, the population's
   * expected spend */
  check_customer(g_env.c, g_ids[3], 0, 0, CUST_T_DAYS(272), 0);
}

/* score_batch (crm score run) with the stored figures scores everybody
 * again, to the same values. */
static void test_batch(void **state)
{
  crm *c = g_env.c;
  struct sc before = get_score(c, g_ids[1], "clv");
  size_t n = 0;
  double t0, c0;

  (void)state;
  t0 = now_s();
  c0 = cpu_s();
  assert_int_equal(crm_score_run(c, "clv", t_at("1997-10-01"), &n), CRM_OK);
  print_message("cdnow: score run of %zu customers %.3f s (cpu %.3f s)\n",
                n, now_s() - t0, cpu_s() - c0);
  assert_int_equal(n, N_CDNOW);
  assert_true(get_score(c, g_ids[1], "clv").value == before.value);
  check_customer(c, g_ids[1], 2, 213.0 / 7.0, CUST_T_DAYS(272), 2234.5);
}

/* A purchase after the fit rescores its customer at once (score_event);
 * a refund of that whole day takes the repeat day away again. The
 * clock is 1997-10-20 12:00, so the summary runs to the end of
 * 1997-10-20 (292 days after 01-01) and the stored 1997-12-12 purchase
 * is still in the future. */
static void test_event_update(void **state)
{
  crm *c = g_env.c;
  int64_t id = g_ids[1];
  struct sc before = get_score(c, id, "expected_purchases");

  (void)state;
  crm_set_now(c, t_at("1997-10-20T12:00:00Z"));
  pe_event(c, id, "purchase", t_at("1997-10-15T10:00:00Z"), 5000, "USD",
           NULL, "late-1");
  /* 01-01 .. 10-15 = 272 + 15 = 287 days = 41 weeks; m_x = (2973 + 1496 +
   * 5000) / 3 */
  check_customer(c, id, 3, 41.0, CUST_T_DAYS(292),
                 (2973.0 + 1496.0 + 5000.0) / 3.0);
  assert_true(get_score(c, id, "expected_purchases").value != before.value);
  /* another customer is untouched */
  check_customer(c, g_ids[3], 0, 0, CUST_T_DAYS(272), 0);
  pe_event(c, id, "refund", t_at("1997-10-16T09:00:00Z"), 5000, "USD",
           "{\"refund_of\": \"late-1\"}", "late-1-back");
  check_customer(c, id, 2, 213.0 / 7.0, CUST_T_DAYS(292), 2234.5);
}

/* ---- small stores ---------------------------------------------------------- */

static const char conf_small[] =
  "plugins = { load = ( { name = \"clv\"; required = true; config = {\n"
  "  calibration_end = \"1997-09-30\";\n"
  "}; } ); };\n";

static void open_small(pe_env *e, const char *conf, int n_cust,
                       int64_t *ids)
{
  pe_open(e, NULL);
  crm_set_now(e->c, t_at("1998-07-01"));
  snprintf(e->conf, sizeof(e->conf), "%s/crm.conf", e->dir);
  t_write_file(e->conf, conf);
  if(crm_load_config(e->c, e->conf, CRM_TEST_PLUGIN_DIR))
    fail_msg("crm_load_config: %s", crm_errmsg(e->c));
  if(n_cust)
    cdnow_import(e->c, n_cust, ids);
}

struct logs {
  int unfitted;
};

static void log_cb(void *ud, int level, const char *source, const char *msg)
{
  struct logs *l = ud;

  (void)level;
  (void)source;
  if(strstr(msg, "clv is not fitted yet: run crm score fit clv"))
    l->unfitted++;
}

/* Before any fit, a score run stores nothing and says why, once. */
static void test_not_fitted(void **state)
{
  pe_env e;
  int64_t ids[41];
  struct logs l = {0};
  size_t n = 99;
  double v;

  (void)state;
  open_small(&e, conf_small, 40, ids);
  crm_set_log(e.c, log_cb, &l, CRM_LOG_DEBUG);
  assert_int_equal(crm_score_run(e.c, "clv", 0, &n), CRM_OK);
  assert_int_equal(n, 0);
  assert_int_equal(crm_score_run(e.c, "clv", 0, &n), CRM_OK);
  assert_int_equal(l.unfitted, 1);
  assert_int_equal(crm_score_get(e.c, ids[1], "clv", "p_alive", &v),
                   CRM_ENOTFOUND);
  assert_int_equal(crm_figure_get(e.c, "clv", "bgnbd_r", &v),
                   CRM_ENOTFOUND);
  pe_close(&e);
}

/* A progress callback that says stop: CRM_ECANCELED, nothing stored;
 * the same fit without it works (300 CDNOW customers). */
static void test_cancel(void **state)
{
  pe_env e;
  int64_t ids[301];
  struct prog pr = {0, 3, 0};
  size_t n = 99;
  double v;

  (void)state;
  open_small(&e, conf_small, 300, ids);
  assert_int_equal(crm_score_fit(e.c, "clv", t_at("1997-10-01"), 0,
                                 prog_cb, &pr, &n),
                   CRM_ECANCELED);
  assert_int_equal(pr.calls, 3);
  assert_int_equal(n, 0);
  assert_int_equal(crm_figure_get(e.c, "clv", "bgnbd_r", &v),
                   CRM_ENOTFOUND);
  assert_int_equal(crm_figure_get(e.c, "clv", "fitted_at", &v),
                   CRM_ENOTFOUND);
  assert_int_equal(crm_score_get(e.c, ids[1], "clv", "clv", &v),
                   CRM_ENOTFOUND);
  pr.cancel_at = 0;
  assert_int_equal(crm_score_fit(e.c, "clv", t_at("1997-10-01"), 0,
                                 prog_cb, &pr, &n),
                   CRM_OK);
  assert_int_equal(n, 300);
  assert_true(fig(e.c, "customers") == 300);
  /* 124 of them bought again on another day by 1997-09-30 */
  assert_true(fig(e.c, "repeat_buyers") == 124);
  assert_int_equal(crm_score_get(e.c, ids[1], "clv", "clv", &v), CRM_OK);
  pe_close(&e);
}

struct warn_log {
  int no_gg;
  int limit;
};

static void warn_cb(void *ud, int level, const char *source, const char *msg)
{
  struct warn_log *l = ud;

  (void)source;
  if(level == CRM_LOG_WARN && strstr(msg, "no gamma-gamma spend model"))
    l->no_gg++;
  if(level == CRM_LOG_WARN && strstr(msg, "bg/nbd parameter") &&
     strstr(msg, "ran to a limit of the model"))
    l->limit++;
}

/* Fewer than 10 repeat buyers: no Gamma-Gamma (no gg_* figure, a
 * warning); expected_spend is the customer's own m_x, or the repeat
 * buyers' mean for a one-time buyer. CDNOW customers 1..300 to the end
 * of 1997-01-10 (daily unit): 217 buyers, 6 of them again on another day
 * (merged per day, repeat days only):
 *   109: 3909   111: 1297   129: 958   142: (2714 + 5166) / 2 = 3940
 *   157: 997    159: 5906   -> mean 17007 / 6 = 2834.5 cents
 * Ten days say little about dropping out: BG/NBD's b runs off (past 1e6:
 * one dropout probability for all). No failure: a warning names it, the
 * figure bgnbd_boundary is 1 with the names as its label. */
static void test_no_gamma_gamma(void **state)
{
  static const char conf[] =
    "plugins = { load = ( { name = \"clv\"; required = true; config = {\n"
    "  time_unit = \"day\"; calibration_end = \"1997-01-10\";\n"
    "  forecast_period = 30; clv = { horizon_months = 1; };\n"
    "}; } ); };\n";
  pe_env e;
  int64_t ids[301];
  struct warn_log l = {0, 0};
  struct sc b;
  size_t n = 0;
  double v;

  (void)state;
  open_small(&e, conf, 300, ids);
  crm_set_log(e.c, warn_cb, &l, CRM_LOG_DEBUG);
  if(crm_score_fit(e.c, "clv", t_at("1997-01-11"), 0, NULL, NULL, &n))
    fail_msg("crm_score_fit: %s", crm_errmsg(e.c));
  assert_int_equal(n, 217);
  assert_int_equal(l.no_gg, 1);
  assert_int_equal(l.limit, 1);
  b = get_figure(e.c, "bgnbd_boundary");
  assert_true(b.value == 1 && strchr(b.label, 'b'));
  assert_true(fig(e.c, "bgnbd_b") > 1e6);
  assert_true(fig(e.c, "customers") == 217);
  assert_true(fig(e.c, "repeat_buyers") == 6);
  assert_true(fig(e.c, "unit_days") == 1);
  assert_close(fig(e.c, "mean_spend"), 2834.5, 1e-9, "mean_spend");
  assert_int_equal(crm_figure_get(e.c, "clv", "gg_p", &v), CRM_ENOTFOUND);
  assert_int_equal(crm_figure_get(e.c, "clv", "gg_gamma", &v),
                   CRM_ENOTFOUND);
  assert_close(get_score(e.c, ids[142], "expected_spend").value, 3940, 1e-9,
               "own mean");
  assert_close(get_score(e.c, ids[1], "expected_spend").value, 2834.5, 1e-9,
               "population mean");
  pe_close(&e);
}

/* model = "pnbd": Pareto/NBD is fitted too and the scores use it.
 * Published CDNOW weeks 1-39 (Fader, Hardie and Lee 2005, "A note on
 * implementing the Pareto/NBD model"): r = 0.5533, alpha = 10.5793, s =
 * 0.6061, beta = 11.6650, LL = -9594.98. Customer 1's scores are the
 * Pareto/NBD functions of its summary (see the top of the file), the
 * value a 12-month sum of discounted expected purchases. */
static void test_pnbd(void **state)
{
  static const char conf[] =
    "plugins = { load = ( { name = \"clv\"; required = true; config = {\n"
    "  calibration_end = \"1997-09-30\"; model = \"pnbd\";\n"
    "}; } ); };\n";
  static const char *const f4[] = {"base", "age", "frequency", "recency"};
  static int64_t ids[N_CDNOW + 1];
  pe_env e;
  btyd_pnbd pn;
  double x = 2, t_x = 213.0 / 7.0, T = 272.0 / 7.0, es, sum = 0, prev = 0;
  double disc = 1, rate = pow(1.10, 1.0 / 12.0) - 1.0;
  struct sc s;
  int i;

  (void)state;
  open_small(&e, conf, N_CDNOW, ids);
  if(crm_score_fit(e.c, "clv", t_at("1997-10-01"), 0, NULL, NULL, NULL))
    fail_msg("crm_score_fit: %s", crm_errmsg(e.c));
  pn.r = fig(e.c, "pnbd_r");
  pn.alpha = fig(e.c, "pnbd_alpha");
  pn.s = fig(e.c, "pnbd_s");
  pn.beta = fig(e.c, "pnbd_beta");
  assert_close(pn.r, 0.5533, 0.0005, "pnbd_r");
  assert_close(pn.alpha, 10.5793, 0.005, "pnbd_alpha");
  assert_close(pn.s, 0.6061, 0.0005, "pnbd_s");
  assert_close(pn.beta, 11.6650, 0.005, "pnbd_beta");
  assert_close(fig(e.c, "pnbd_ll"), -9594.98, 0.01, "pnbd_ll");
  s = get_score(e.c, ids[1], "p_alive");
  assert_close(s.value, btyd_pnbd_p_alive(&pn, x, t_x, T), 1e-9, "p_alive");
  assert_sums(&s, f4, 4, 1e-9);
  s = get_score(e.c, ids[1], "expected_purchases");
  assert_close(s.value, btyd_pnbd_expected(&pn, x, t_x, T, 52), 1e-9,
               "expected_purchases");
  assert_sums(&s, f4, 4, 1e-9);
  es = get_score(e.c, ids[1], "expected_spend").value;
  for(i = 1; i <= 12; i++) {
    double y = btyd_pnbd_expected(&pn, x, t_x, T, 30.4375 / 7.0 * i);

    disc *= 1.0 + rate;
    sum += (y - prev) * es / disc;
    prev = y;
  }
  assert_close(get_score(e.c, ids[1], "clv").value, sum, 0.5 + 1e-6, "clv");
  pe_close(&e);
}

/* Yen (0 minor digits): the CDNOW integers as yen. Gamma-Gamma is fitted
 * in yen (money_scale 1, was a fixed 1/100): p, q as in dollars (the
 * model is invariant to the money unit), gamma 100 x 15.44; labels
 * without decimals ("2234 JPY", was "22.34 JPY"). */
static void test_jpy(void **state)
{
  static const char conf[] =
    "plugins = { load = ( { name = \"clv\"; required = true; config = {\n"
    "  calibration_end = \"1997-09-30\"; currency = \"JPY\";\n"
    "}; } ); };\n";
  static int64_t ids[N_CDNOW + 1];
  pe_env e;
  btyd_gg gg;
  struct sc s;
  char want[64];

  (void)state;
  g_import_ccy = "JPY";
  open_small(&e, conf, N_CDNOW, ids);
  g_import_ccy = "USD";
  if(crm_score_fit(e.c, "clv", t_at("1997-10-01"), 0, NULL, NULL, NULL))
    fail_msg("crm_score_fit: %s", crm_errmsg(e.c));
  assert_true(fig(e.c, "money_scale") == 1);
  gg.p = fig(e.c, "gg_p");
  gg.q = fig(e.c, "gg_q");
  gg.gamma = fig(e.c, "gg_gamma");
  assert_close(gg.p, 6.25, 0.005, "gg_p");
  assert_close(gg.q, 3.74, 0.005, "gg_q");
  assert_close(gg.gamma, 1544, 0.5, "gg_gamma");
  s = get_figure(e.c, "mean_spend");
  snprintf(want, sizeof(want), "%.0f JPY", s.value);
  assert_string_equal(s.label, want);
  s = get_score(e.c, ids[1], "expected_spend");
  assert_close(s.value, btyd_gg_expected_spend(&gg, 2, 2234.5), 1e-9,
               "expected_spend");
  snprintf(want, sizeof(want), "%.0f JPY", s.value);
  assert_string_equal(s.label, want);
  s = get_score(e.c, ids[1], "clv");
  snprintf(want, sizeof(want), "%.0f JPY", s.value);
  assert_string_equal(s.label, want);
  pe_close(&e);
}

/* ---- configuration ------------------------------------------------------- */

struct bad_conf {
  const char *config;
  const char *message;
};

static void test_config_errors(void **state)
{
  static const struct bad_conf bad[] = {
    {"time_unit = \"fortnight\";",
     "time_unit \"fortnight\" is not one of day, week, month, year"},
    {"time_unit = 7;", "time_unit must be a string"},
    {"calibration_end = \"1997-02-30\";",
     "calibration_end \"1997-02-30\" is not a date (YYYY-MM-DD)"},
    {"forecast_period = 0;", "forecast_period must be a positive number"},
    {"currency = \"usd\";", "currency \"usd\" is not a 3-letter code"},
    {"model = \"pareto\";", "model \"pareto\" is not one of bgnbd, pnbd"},
    {"fit_pnbd = 1;", "fit_pnbd must be true or false"},
    {"clv = { horizon_months = 0; };",
     "clv.horizon_months must be a whole number from 1 to 1200 (got 0)"},
    {"clv = { discount_rate = 1.5; };",
     "clv.discount_rate must be an annual rate from 0 to 1 (got 1.5)"},
    {"clv = { margin = 0.0; };",
     "clv.margin must be above 0 and at most 1 (got 0)"},
  };
  char conf[512];
  size_t i;

  (void)state;
  for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    pe_env e;
    int rc;

    pe_open(&e, NULL);
    snprintf(conf, sizeof(conf),
             "plugins = { load = ( { name = \"clv\"; required = true; "
             "config = { %s }; } ); };\n", bad[i].config);
    snprintf(e.conf, sizeof(e.conf), "%s/crm.conf", e.dir);
    t_write_file(e.conf, conf);
    rc = crm_load_config(e.c, e.conf, CRM_TEST_PLUGIN_DIR);
    if(rc != CRM_EPLUGIN || !strstr(crm_errmsg(e.c), bad[i].message))
      fail_msg("config %s: rc %d, message \"%s\", want \"%s\"",
               bad[i].config, rc, crm_errmsg(e.c), bad[i].message);
    pe_close(&e);
  }
}

/* Reconfigure re-reads: a bad value is refused with its message. */
static void quiet(void *ud, int level, const char *source, const char *msg)
{
  (void)ud;
  (void)level;
  (void)source;
  (void)msg;
}

static void test_reconfigure(void **state)
{
  pe_env e;
  int rc;

  (void)state;
  open_small(&e, conf_small, 0, NULL);
  crm_set_log(e.c, quiet, NULL, CRM_LOG_ERROR);
  t_write_file(e.conf,
               "plugins = { load = ( { name = \"clv\"; required = true; "
               "config = { time_unit = \"fortnight\"; }; } ); };\n");
  rc = crm_reload_config(e.c);
  if(rc == CRM_OK || !strstr(crm_errmsg(e.c), "time_unit \"fortnight\""))
    fail_msg("reload: rc %d, message \"%s\"", rc, crm_errmsg(e.c));
  t_write_file(e.conf,
               "plugins = { load = ( { name = \"clv\"; required = true; "
               "config = { time_unit = \"day\"; }; } ); };\n");
  assert_int_equal(crm_reload_config(e.c), CRM_OK);
  pe_close(&e);
}

int main(void)
{
  const struct CMUnitTest cdnow[] = {
    cmocka_unit_test(test_golden),
    cmocka_unit_test(test_customer_scores),
    cmocka_unit_test(test_batch),
    cmocka_unit_test(test_event_update), /* last: adds events */
  };
  const struct CMUnitTest small[] = {
    cmocka_unit_test(test_not_fitted),
    cmocka_unit_test(test_cancel),
    cmocka_unit_test(test_no_gamma_gamma),
    cmocka_unit_test(test_pnbd),
    cmocka_unit_test(test_jpy),
    cmocka_unit_test(test_config_errors),
    cmocka_unit_test(test_reconfigure),
  };
  int rc;

  rc = cmocka_run_group_tests_name("clv_small", small, NULL, NULL);
  rc += cmocka_run_group_tests_name("clv_cdnow", cdnow, cdnow_setup,
                                    cdnow_teardown);
  return rc;
}
