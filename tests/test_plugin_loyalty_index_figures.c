/*
 * test_plugin_loyalty_index_figures.c - the loyalty_index plugin through
 * the real core: company figures (NPS, repeat and referral rates) from a
 * batch and from a fit, a new event moving one customer's index at once
 * (score_event), and refused settings. Defaults as described in
 * test_plugin_loyalty_index.c.
 */
#include "test_plugin_loyalty_index.h"

#define YEAR INT64_C(31557600)

/* Ten customers with these latest NPS answers (customer 1 answered 0
 * before its 10: only the latest counts):
 *   promoters 10, 9, 9, 10, 9 (5); passives 7, 8, 7 (3); detractors 3, 6
 *   (2) -> NPS = 100 x (5 - 2) / 10 = 30.
 * Purchases: 1-4 on two days (repeat buyers), 5-8 once, 9 twice on the
 * same day (one purchase day), 10 never: 9 buyers, 4 with 2+ days ->
 * repeat_rate 4/9. Referrals by 1, 5 (buyers) and 10 (not a buyer) ->
 * referral_rate 2/9 (referrers among buyers). Everyone is scored: 10. */
static void populate(crm *c, int64_t ids[10])
{
  static const int nps[10] = {10, 9, 9, 10, 9, 7, 8, 7, 3, 6};
  char ext[16], key[32], json[32];
  int i;

  for(i = 0; i < 10; i++) {
    snprintf(ext, sizeof(ext), "n%d", i + 1);
    ids[i] = t_add_customer(c, ext);
    snprintf(key, sizeof(key), "n%d-nps", i + 1);
    snprintf(json, sizeof(json), "{\"score\": %d}", nps[i]);
    pe_event(c, ids[i], "nps", PE_NOW - 5 * T_DAY, 0, NULL, json, key);
    snprintf(key, sizeof(key), "n%d-p1", i + 1);
    if(i < 9)
      pe_event(c, ids[i], "purchase", PE_NOW - 10 * T_DAY, 100, "USD", NULL,
               key);
    snprintf(key, sizeof(key), "n%d-p2", i + 1);
    if(i < 4)
      pe_event(c, ids[i], "purchase", PE_NOW - 40 * T_DAY, 100, "USD", NULL,
               key);
    if(i == 8)
      pe_event(c, ids[i], "purchase", PE_NOW - 10 * T_DAY + 60, 100, "USD",
               NULL, key);
    snprintf(key, sizeof(key), "n%d-r", i + 1);
    if(i == 0 || i == 4 || i == 9)
      pe_event(c, ids[i], "referral", PE_NOW - 2 * T_DAY, 0, NULL, NULL,
               key);
  }
  pe_event(c, ids[0], "nps", PE_NOW - 50 * T_DAY, 0, NULL, "{\"score\": 0}",
           "n1-nps-old");
}

static double fig(crm *c, const char *name)
{
  double v = 0;

  if(crm_figure_get(c, "loyalty_index", name, &v))
    fail_msg("figure %s: %s", name, crm_errmsg(c));
  return v;
}

struct labels {
  char nps[128], repeat[128], referral[128];
};

static int label_cb(void *ud, const crm_figure *f)
{
  struct labels *l = ud;
  char *dst = NULL;

  if(!strcmp(f->name, "nps"))
    dst = l->nps;
  else if(!strcmp(f->name, "repeat_rate"))
    dst = l->repeat;
  else if(!strcmp(f->name, "referral_rate"))
    dst = l->referral;
  if(dst)
    snprintf(dst, 128, "%s", f->label ? f->label : "(null)");
  return 0;
}

static void check_figures(crm *c)
{
  struct labels l;

  assert_true(fig(c, "customers") == 10);
  assert_true(fig(c, "nps_answers") == 10);
  assert_true(fig(c, "promoters") == 5);
  assert_true(fig(c, "passives") == 3);
  assert_true(fig(c, "detractors") == 2);
  assert_true(fabs(fig(c, "nps") - 30) < 1e-9);
  assert_true(fabs(fig(c, "repeat_rate") - 4.0 / 9) < 1e-12);
  assert_true(fabs(fig(c, "referral_rate") - 2.0 / 9) < 1e-12);
  memset(&l, 0, sizeof(l));
  assert_int_equal(crm_figures_foreach(c, "loyalty_index", label_cb, &l),
                   CRM_OK);
  assert_string_equal(l.nps, "30.0 (5 promoters, 3 passives, 2 detractors)");
  assert_string_equal(l.repeat, "44.4% (4 of 9 buyers)");
  assert_string_equal(l.referral, "22.2% (2 of 9 buyers)");
}

static void test_batch_figures(void **state)
{
  pe_env e;
  int64_t ids[10];
  size_t n = 0;
  double v = 0;

  (void)state;
  pe_open(&e, LI_CONF);
  populate(e.c, ids);
  /* score_event alone writes no company figure */
  assert_int_equal(crm_figure_get(e.c, "loyalty_index", "nps", &v),
                   CRM_ENOTFOUND);
  assert_int_equal(crm_score_run(e.c, "loyalty_index", PE_NOW, &n), CRM_OK);
  assert_int_equal(n, 10);
  check_figures(e.c);
  pe_close(&e);
}

struct prog {
  int calls;
  int64_t done, total;
};

static int prog_cb(void *ud, const char *model, int64_t done, int64_t total)
{
  struct prog *p = ud;

  assert_string_equal(model, "loyalty_index");
  p->calls++;
  p->done = done;
  p->total = total;
  return 0;
}

/* A fit is the same figures over everyone, plus the scores. */
static void test_fit(void **state)
{
  pe_env e;
  int64_t ids[10];
  size_t n = 0;
  struct prog p;
  li_score s;

  (void)state;
  pe_open(&e, LI_CONF);
  populate(e.c, ids);
  memset(&p, 0, sizeof(p));
  if(crm_score_fit(e.c, "loyalty_index", PE_NOW, 0, prog_cb, &p, &n))
    fail_msg("crm_score_fit: %s", crm_errmsg(e.c));
  assert_int_equal(n, 10);
  check_figures(e.c);
  assert_true(p.calls >= 1);
  assert_int_equal(p.done, 10);
  assert_int_equal(p.total, 10);
  /* customer 9: NPS 3 -> 0; one purchase day 10 days ago -> repeat
   * 100 x 0.8 x 1/4 = 20; no referral -> 0; tenure 10 days ->
   * 100 x (864000 / 31557600) / 3 = 0.912617 -> switching 0.912617;
   * W = 0.7: index = (0 + 4 + 0 + 0.15 x 0.912617) / 0.7 = 5.909416 */
  li_get(e.c, ids[8], "index", &s);
  assert_true(fabs(s.value - (4 + 0.15 * 100.0 * 864000 / YEAR / 3) / 0.7) <
              1e-9);
  assert_string_equal(s.label, "at risk");
  li_sum_is(&s);
  pe_close(&e);
}

/* A new answer changes the index at once (score_event at ingest). */
static void test_score_event(void **state)
{
  pe_env e;
  int64_t id;
  li_score s;

  (void)state;
  pe_open(&e, LI_CONF);
  id = t_add_customer(e.c, "gina");
  /* NPS 9 -> 100; one purchase 3 years ago: tenure 100 -> switching
   * 100, no purchase day in the window, one-time buyer -> repeat 0;
   * referral 0. W = 0.25 + 0.2 + 0.1 + 0.15 = 0.7:
   * index = (25 + 0 + 0 + 15) / 0.7 = 57.142857 neutral */
  pe_event(e.c, id, "purchase", PE_NOW - 3 * YEAR, 1000, "USD", NULL, "g-p");
  pe_event(e.c, id, "nps", PE_NOW - 30 * T_DAY, 0, NULL, "{\"score\": 9}",
           "g-n1");
  li_get(e.c, id, "index", &s);
  assert_true(fabs(s.value - 40 / 0.7) < 1e-9);
  assert_string_equal(s.label, "neutral");
  li_factor_is(&s, "satisfaction", 0, LI_UNKNOWN_DETAIL);
  /* survey 4/5 -> 75, all parts known:
   * 0.3 x 75 + 25 + 0 + 0 + 15 = 62.5 neutral */
  pe_event(e.c, id, "survey", PE_NOW, 0, NULL, "{\"score\": 4}", "g-s1");
  li_get(e.c, id, "index", &s);
  assert_true(fabs(s.value - 62.5) < 1e-9);
  li_factor_is(&s, "satisfaction", 22.5, "1 survey, mean 4.0/5");
  li_get(e.c, id, "satisfaction", &s);
  assert_true(fabs(s.value - 75) < 1e-9);
  /* NPS 3 (detractor) -> 0: 22.5 + 15 = 37.5 at risk */
  pe_event(e.c, id, "nps", PE_NOW, 0, NULL, "{\"score\": 3}", "g-n2");
  li_get(e.c, id, "index", &s);
  assert_true(fabs(s.value - 37.5) < 1e-9);
  assert_string_equal(s.label, "at risk");
  li_get(e.c, id, "recommend", &s);
  assert_string_equal(s.label, "NPS 3 (detractor)");
  /* a referral -> 60: 37.5 + 6 = 43.5 neutral */
  pe_event(e.c, id, "referral", PE_NOW, 0, NULL, NULL, "g-r1");
  li_get(e.c, id, "index", &s);
  assert_true(fabs(s.value - 43.5) < 1e-9);
  assert_string_equal(s.label, "neutral");
  /* an invalid answer changes nothing and the ingest succeeds */
  pe_event(e.c, id, "survey", PE_NOW, 0, NULL, "{\"score\": 9}", "g-s2");
  li_get(e.c, id, "index", &s);
  assert_true(fabs(s.value - 43.5) < 1e-9);
  pe_close(&e);
}

/* Refused settings stop a required plugin with a clear message. */
static void test_config_errors(void **state)
{
  static const struct {
    const char *config;
    const char *msg;
  } cases[] = {
    {"weights = { satisfaction = 0; recommend = 0; repeat = 0;"
     " referral = 0; switching = 0; };",
     "weights are all 0: at least one part needs a positive weight"},
    {"weights = { repeat = -1.0; };",
     "weights.repeat must be between 0 and 1e+06 (got -1)"},
    {"weights = { repeat = \"high\"; };", "weights.repeat must be a number"},
    {"weights = 0.5;",
     "weights must be a group such as { satisfaction = 0.3; ... }"},
    {"bands = { loyal = 30; neutral = 50; };",
     "bands.neutral (50) must not be above bands.loyal (30)"},
    {"bands = { loyal = 120; };",
     "bands.loyal must be between 0 and 100 (got 120)"},
    {"survey_window_days = 0;",
     "survey_window_days must be between 1 and 36500 (got 0)"},
    {"survey_window_days = 30.5;", "survey_window_days must be an integer"},
    {"survey_fallback = 1;", "survey_fallback must be true or false"},
    {"nps_mapping = \"mean\";",
     "nps_mapping must be \"grouped\" or \"linear\" (got \"mean\")"},
    {"referral_scores = [];",
     "referral_scores must be a non-empty list of numbers 0..100 such as "
     "[0, 60, 100]"},
    {"referral_scores = [0, 150];",
     "referral_scores.[1] must be between 0 and 100 (got 150)"},
    {"repeat_target_days = 400;",
     "repeat_target_days (400) must not be above repeat_window_days (365)"},
    {"tenure_full_years = 0;",
     "tenure_full_years must be between 0.01 and 100 (got 0)"},
  };
  char conf[512];
  size_t i;

  (void)state;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    pe_env e;

    pe_open(&e, NULL);
    snprintf(e.conf, sizeof(e.conf), "%s/crm.conf", e.dir);
    snprintf(conf, sizeof(conf),
             "plugins = { load = ( { name = \"loyalty_index\";"
             " required = true; config = { %s }; } ); };\n",
             cases[i].config);
    t_write_file(e.conf, conf);
    crm_set_log(e.c, NULL, NULL, -1);
    assert_int_equal(crm_load_config(e.c, e.conf, CRM_TEST_PLUGIN_DIR),
                     CRM_EPLUGIN);
    if(!strstr(crm_errmsg(e.c), cases[i].msg))
      fail_msg("case %zu: \"%s\" does not say \"%s\"", i, crm_errmsg(e.c),
               cases[i].msg);
    pe_close(&e);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_batch_figures),
    cmocka_unit_test(test_fit),
    cmocka_unit_test(test_score_event),
    cmocka_unit_test(test_config_errors),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
