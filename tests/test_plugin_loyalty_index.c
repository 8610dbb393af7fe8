/*
 * test_plugin_loyalty_index.c - the loyalty_index scoring plugin through
 * the real core: a store in memory, a generated crm.conf, the plugin
 * loaded from the build tree, events ingested with the public API, then
 * crm_score_run (batch). Every expected number is worked out by hand in
 * the comments (default settings unless a test says otherwise):
 *   weights satisfaction 0.3, recommend 0.25, repeat 0.2, referral 0.1,
 *   switching 0.15; bands loyal >= 70, neutral >= 40;
 *   survey: (score - 1) / (scale - 1) x 100, window 365 days;
 *   NPS grouped: 9-10 -> 100, 7-8 -> 50, 0-6 -> 0;
 *   repeat: 100 x (0.8 x min(1, days in 365 / 4) + 0.2 x [2+ days]);
 *   referral: 0 -> 0, 1 -> 60, 2+ -> 100;
 *   switching: mean of tenure (100 x years / 3, capped; a year is
 *   365.25 days = 31557600 s) and share of wallet in %.
 * The company figures, fit and score_event are in
 * test_plugin_loyalty_index_figures.c.
 */
#include <math.h>

#include "test_plugin_loyalty_index.h"

/* ---- one store with the four customers of the worked example ---------- */

#define YEAR INT64_C(31557600)

struct four {
  int64_t a, b, c, d, e, f;
};

static void survey(crm *c, int64_t id, int64_t days_ago, const char *json,
                   const char *key)
{
  pe_event(c, id, "survey", PE_NOW - days_ago * T_DAY, 0, NULL, json, key);
}

/* A: 3 surveys 4, 5, 4 of 5 (mapped 75, 100, 75: mean 83.3333, raw mean
 *    13/3 = 4.3); NPS 3 then 9 (latest: promoter, 100); purchases 2 years
 *    ago and 300, 200, 100 and 100 days (+1 h, same day) ago: 3 days in
 *    the window, 4 in all -> repeat 100 x (0.8 x 3/4 + 0.2) = 80;
 *    1 referral -> 60; tenure 2 years -> 66.6667, share of wallet 35%
 *    -> switching (66.6667 + 35) / 2 = 50.8333.
 *    index = 0.3 x 83.3333 + 0.25 x 100 + 0.2 x 80 + 0.1 x 60
 *            + 0.15 x 50.8333 = 25 + 25 + 16 + 6 + 7.625 = 79.625 loyal */
static void add_a(crm *c, int64_t id)
{
  survey(c, id, 10, "{\"score\": 4}", "a-s1");
  survey(c, id, 20, "{\"score\": 5, \"scale\": 5}", "a-s2");
  survey(c, id, 30, "{\"score\": 4}", "a-s3");
  pe_event(c, id, "nps", PE_NOW - 100 * T_DAY, 0, NULL, "{\"score\": 3}",
           "a-n1");
  pe_event(c, id, "nps", PE_NOW - 5 * T_DAY, 0, NULL, "{\"score\": 9}",
           "a-n2");
  pe_event(c, id, "purchase", PE_NOW - 2 * YEAR, 1000, "USD", NULL, "a-p1");
  pe_event(c, id, "purchase", PE_NOW - 300 * T_DAY, 1000, "USD", NULL,
           "a-p2");
  pe_event(c, id, "purchase", PE_NOW - 200 * T_DAY, 1000, "USD", NULL,
           "a-p3");
  pe_event(c, id, "purchase", PE_NOW - 100 * T_DAY, 1000, "USD", NULL,
           "a-p4");
  pe_event(c, id, "purchase", PE_NOW - 100 * T_DAY + 3600, 1000, "USD", NULL,
           "a-p5");
  pe_event(c, id, "referral", PE_NOW - 50 * T_DAY, 0, NULL,
           "{\"referred\": \"x@example.com\"}", "a-r1");
  assert_int_equal(crm_customer_set_attr(c, id, "share_of_wallet", "35%"),
                   CRM_OK);
}

/* B: no survey (satisfaction unknown); NPS 6 (detractor, 0); purchases
 *    1.5 years and 10 days ago: 1 day in the window, 2 in all -> repeat
 *    100 x (0.8 x 1/4 + 0.2) = 40; no referral -> 0; tenure 1.5 years
 *    -> 50, no share of wallet -> switching 50.
 *    Known weights 0.25 + 0.2 + 0.1 + 0.15 = 0.7:
 *    index = (0 + 0.2 x 40 + 0 + 0.15 x 50) / 0.7 = 15.5 / 0.7
 *          = 22.142857 at risk; repeat contributes 8 / 0.7 = 11.428571,
 *          switching 7.5 / 0.7 = 10.714286. */
static void add_b(crm *c, int64_t id)
{
  pe_event(c, id, "nps", PE_NOW - 3 * T_DAY, 0, NULL, "{\"score\": 6}",
           "b-n1");
  pe_event(c, id, "purchase", PE_NOW - YEAR - YEAR / 2, 500, "USD", NULL,
           "b-p1");
  pe_event(c, id, "purchase", PE_NOW - 10 * T_DAY, 500, "USD", NULL, "b-p2");
}

/* C: one survey 3 of 10, 500 days ago (outside the window: the last
 *    answer is used): (3 - 1) / 9 x 100 = 22.2222; invalid answers
 *    ignored; no purchase, NPS or referral: referral 0 is known.
 *    index = (0.3 x 22.2222 + 0.1 x 0) / 0.4 = 16.6667 at risk. */
static void add_c(crm *c, int64_t id)
{
  survey(c, id, 500, "{\"score\": 3, \"scale\": 10}", "c-s1");
  survey(c, id, 5, "{\"score\": 11, \"scale\": 10}", "c-s2");
  survey(c, id, 4, "{\"score\": \"great\"}", "c-s3");
  survey(c, id, 3, "{\"score\": 4, \"scale\": 7}", "c-s4");
  survey(c, id, 2, NULL, "c-s5");
  survey(c, id, 1, "{\"score\": 0}", "c-s6");
  pe_event(c, id, "nps", PE_NOW - T_DAY, 0, NULL, "{\"score\": 12}", "c-n1");
  pe_event(c, id, "nps", PE_NOW - T_DAY, 0, NULL, "{\"score\": 7.5}",
           "c-n2");
}

/* D: two referrals -> 100, never bought; share of wallet 0.8 -> 80 (no
 *    tenure). index = (0.1 x 100 + 0.15 x 80) / 0.25 = 22 / 0.25 = 88
 *    loyal; referral contributes 40, switching 48. */
static void add_d(crm *c, int64_t id)
{
  pe_event(c, id, "referral", PE_NOW - 40 * T_DAY, 0, NULL, NULL, "d-r1");
  pe_event(c, id, "referral", PE_NOW - 20 * T_DAY, 0, NULL, NULL, "d-r2");
  assert_int_equal(crm_customer_set_attr(c, id, "share_of_wallet", "0.8"),
                   CRM_OK);
}

/* E: nothing. F: one purchase, then cancelled: nothing left to score. */
static void add_f(crm *c, int64_t id)
{
  pe_event(c, id, "purchase", PE_NOW - 20 * T_DAY, 700, "USD", NULL, "f-p1");
  pe_event(c, id, "cancel", PE_NOW - 19 * T_DAY, 0, NULL,
           "{\"refund_of\": \"f-p1\"}", "f-c1");
}

static void populate(crm *c, struct four *k)
{
  k->a = t_add_customer(c, "alice");
  k->b = t_add_customer(c, "bob");
  k->c = t_add_customer(c, "carol");
  k->d = t_add_customer(c, "dave");
  k->e = t_add_customer(c, "erin");
  k->f = t_add_customer(c, "frank");
  add_a(c, k->a);
  add_b(c, k->b);
  add_c(c, k->c);
  add_d(c, k->d);
  add_f(c, k->f);
}

static void batch(crm *c, size_t expect_scored)
{
  size_t n = 0;

  if(crm_score_run(c, "loyalty_index", PE_NOW, &n))
    fail_msg("crm_score_run: %s", crm_errmsg(c));
  assert_int_equal(n, expect_scored);
}

/* ---- the worked example ---------------------------------------------- */

static void test_customer_a(void **state)
{
  pe_env e;
  struct four k;
  li_score s;

  (void)state;
  pe_open(&e, LI_CONF);
  populate(e.c, &k);
  batch(e.c, 4);
  li_get(e.c, k.a, "satisfaction", &s);
  assert_true(fabs(s.value - 250.0 / 3) < 1e-9);
  assert_string_equal(s.label, "3 surveys, mean 4.3/5");
  li_get(e.c, k.a, "recommend", &s);
  assert_true(s.value == 100);
  assert_string_equal(s.label, "NPS 9 (promoter)");
  li_get(e.c, k.a, "repeat", &s);
  assert_true(fabs(s.value - 80) < 1e-9);
  assert_string_equal(s.label, "3 purchase days in 365 days (target 4), "
                               "repeat buyer");
  /* factors: 0.8 x 3/4 x 100 = 60 for the days, 20 for being a repeater */
  assert_int_equal(s.n, 2);
  li_factor_is(&s, "purchase_days", 60, "3 of 4 days");
  li_factor_is(&s, "repeat_buyer", 20, "4 purchase days in all");
  li_get(e.c, k.a, "referral", &s);
  assert_true(s.value == 60);
  assert_string_equal(s.label, "1 referral");
  li_get(e.c, k.a, "switching", &s);
  assert_true(fabs(s.value - (200.0 / 3 + 35) / 2) < 1e-9);
  assert_string_equal(s.label, "tenure 2.0 years, share of wallet 35%");
  li_factor_is(&s, "tenure", 100.0 / 3, "2.0 years of 3");
  li_factor_is(&s, "share_of_wallet", 17.5, "35%");
  li_get(e.c, k.a, "index", &s);
  assert_true(fabs(s.value - 79.625) < 1e-9);
  assert_string_equal(s.label, "loyal");
  assert_int_equal(s.n, 5);
  li_factor_is(&s, "satisfaction", 25, "3 surveys, mean 4.3/5");
  li_factor_is(&s, "recommend", 25, "NPS 9 (promoter)");
  li_factor_is(&s, "repeat", 16, "3 purchase days in 365 days (target 4), "
                                 "repeat buyer");
  li_factor_is(&s, "referral", 6, "1 referral");
  li_factor_is(&s, "switching", 7.625,
               "tenure 2.0 years, share of wallet 35%");
  li_sum_is(&s);
  pe_close(&e);
}

/* B, C, D: unknown parts are left out and their weight renormalised. */
static void test_renormalised(void **state)
{
  pe_env e;
  struct four k;
  li_score s;

  (void)state;
  pe_open(&e, LI_CONF);
  populate(e.c, &k);
  batch(e.c, 4);
  li_get(e.c, k.b, "index", &s);
  assert_true(fabs(s.value - 15.5 / 0.7) < 1e-9);
  assert_string_equal(s.label, "at risk");
  li_factor_is(&s, "satisfaction", 0, LI_UNKNOWN_DETAIL);
  li_factor_is(&s, "recommend", 0, "NPS 6 (detractor)");
  li_factor_is(&s, "repeat", 8 / 0.7, "1 purchase day in 365 days (target "
                                      "4), repeat buyer");
  li_factor_is(&s, "referral", 0, "0 referrals");
  li_factor_is(&s, "switching", 7.5 / 0.7,
               "tenure 1.5 years, share of wallet unknown");
  li_sum_is(&s);
  assert_false(li_has(e.c, k.b, "satisfaction"));
  li_get(e.c, k.b, "repeat", &s);
  assert_true(fabs(s.value - 40) < 1e-9);
  li_get(e.c, k.b, "switching", &s);
  assert_true(fabs(s.value - 50) < 1e-9);
  assert_int_equal(s.n, 1); /* tenure only */

  li_get(e.c, k.c, "index", &s);
  assert_true(fabs(s.value - 0.3 * 200.0 / 9 / 0.4) < 1e-9);
  assert_string_equal(s.label, "at risk");
  li_factor_is(&s, "satisfaction", 0.75 * 200.0 / 9,
               "last survey 3/10 (none in 365 days)");
  li_factor_is(&s, "recommend", 0, LI_UNKNOWN_DETAIL);
  li_factor_is(&s, "repeat", 0, LI_UNKNOWN_DETAIL);
  li_factor_is(&s, "switching", 0, LI_UNKNOWN_DETAIL);
  li_sum_is(&s);
  assert_false(li_has(e.c, k.c, "recommend"));
  assert_false(li_has(e.c, k.c, "repeat"));
  assert_false(li_has(e.c, k.c, "switching"));

  li_get(e.c, k.d, "index", &s);
  assert_true(fabs(s.value - 88) < 1e-9);
  assert_string_equal(s.label, "loyal");
  li_factor_is(&s, "referral", 40, "2 referrals");
  li_factor_is(&s, "switching", 48, "no purchase yet, share of wallet 80%");
  li_sum_is(&s);
  li_get(e.c, k.d, "switching", &s);
  assert_true(fabs(s.value - 80) < 1e-9);

  /* E never did anything, F's only purchase was cancelled */
  assert_int_equal(li_count(e.c, k.e), 0);
  assert_int_equal(li_count(e.c, k.f), 0);
  pe_close(&e);
}

/* Invalid answers are stored by the core (the ingest succeeds) and each
 * is logged once, when it arrives, with the reason. */
static void test_invalid_payloads(void **state)
{
  pe_env e;
  struct four k;
  li_log log;

  (void)state;
  pe_open(&e, LI_CONF);
  memset(&log, 0, sizeof(log));
  crm_set_log(e.c, li_log_cb, &log, CRM_LOG_WARN);
  k.c = t_add_customer(e.c, "carol");
  add_c(e.c, k.c);
  assert_int_equal(log.n, 7);
  assert_non_null(strstr(log.text[0], "survey event #2 of customer #1 "
                                      "ignored: score 11 is out of range "
                                      "1..10"));
  assert_non_null(strstr(log.text[1], "survey event #3 of customer #1 "
                                      "ignored: score is not a number"));
  assert_non_null(strstr(log.text[2], "ignored: scale must be 5 or 10"));
  assert_non_null(strstr(log.text[3], "ignored: no payload"));
  assert_non_null(strstr(log.text[4], "ignored: score 0 is out of range "
                                      "1..5"));
  assert_non_null(strstr(log.text[5], "nps event #7 of customer #1 "
                                      "ignored: score 12 is out of range "
                                      "0..10"));
  assert_non_null(strstr(log.text[6], "ignored: score 7.5 is not a whole "
                                      "number 0..10"));
  /* a batch logs them again, the first 10 one by one */
  log.n = 0;
  batch(e.c, 1);
  assert_int_equal(log.n, 7);
  pe_close(&e);
}

/* Settings: grouped/linear NPS, referral list, weights, survey window. */
static void test_settings(void **state)
{
  static const char conf[] =
    "plugins = { load = ( { name = \"loyalty_index\"; required = true;\n"
    "  config = { nps_mapping = \"linear\"; referral_scores = [10, 20];\n"
    "    survey_window_days = 600; survey_fallback = false;\n"
    "    weights = { satisfaction = 1; recommend = 1; repeat = 0;\n"
    "                referral = 2; switching = 0; };\n"
    "    bands = { loyal = 90; neutral = 30; }; }; } ); };\n";
  pe_env e;
  struct four k;
  li_score s;

  (void)state;
  pe_open(&e, conf);
  populate(e.c, &k);
  batch(e.c, 4);
  /* A: NPS 9 linear -> 90; referral 1 -> 20; satisfaction 83.3333:
   * (83.3333 + 90 + 2 x 20) / 4 = 213.3333 / 4 = 53.3333 neutral */
  li_get(e.c, k.a, "index", &s);
  assert_true(fabs(s.value - (250.0 / 3 + 90 + 40) / 4) < 1e-9);
  assert_string_equal(s.label, "neutral");
  li_factor_is(&s, "repeat", 0, "3 purchase days in 365 days (target 4), "
                                "repeat buyer");
  li_get(e.c, k.a, "recommend", &s);
  assert_true(fabs(s.value - 90) < 1e-9);
  /* C: the survey of 500 days ago is inside 600 days now: 22.2222;
   * referral 0 -> 10: (22.2222 + 2 x 10) / 3 = 14.0741 at risk */
  li_get(e.c, k.c, "index", &s);
  assert_true(fabs(s.value - (200.0 / 9 + 20) / 3) < 1e-9);
  assert_string_equal(s.label, "at risk");
  li_get(e.c, k.c, "satisfaction", &s);
  assert_string_equal(s.label, "1 survey, mean 3.0/10");
  /* D: 2 referrals -> the last entry, 20; only referral weighs: 20 */
  li_get(e.c, k.d, "index", &s);
  assert_true(fabs(s.value - 20) < 1e-9);
  pe_close(&e);
}

/* Without the fallback, an old answer alone leaves satisfaction unknown;
 * a customer whose known parts all weigh 0 gets parts but no index. */
static void test_no_fallback(void **state)
{
  static const char conf[] =
    "plugins = { load = ( { name = \"loyalty_index\"; required = true;\n"
    "  config = { survey_fallback = false;\n"
    "    weights = { referral = 0; }; }; } ); };\n";
  pe_env e;
  int64_t id;
  li_score s;

  (void)state;
  pe_open(&e, conf);
  id = t_add_customer(e.c, "carol");
  add_c(e.c, id);
  /* only an answer of 500 days ago: nothing known, not scored */
  batch(e.c, 0);
  /* a referral: referral (60) is known but weighs 0: no index */
  pe_event(e.c, id, "referral", PE_NOW - T_DAY, 0, NULL, NULL, "c-r1");
  batch(e.c, 1);
  assert_false(li_has(e.c, id, "satisfaction"));
  assert_false(li_has(e.c, id, "index"));
  li_get(e.c, id, "referral", &s);
  assert_true(s.value == 60);
  pe_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_customer_a),
    cmocka_unit_test(test_renormalised),
    cmocka_unit_test(test_invalid_payloads),
    cmocka_unit_test(test_settings),
    cmocka_unit_test(test_no_fallback),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
