/*
 * test_plugin_churn.c - the churn scoring plugin in isolation (fake host).
 *
 * The model under test (see churn.c), worked by hand below:
 *   P(alive) = 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r+x))
 *              (BG/NBD, 1 when x == 0)
 *   gap      = t_x / x time units (x >= 1), else alpha / r (clv fitted) or
 *              default_gap_days; silence = T - t_x; both in days
 *   rhythm   = 1 - exp(-silence / gap)
 *   risk     = 0.6 (1 - P(alive)) + 0.4 rhythm; rhythm alone (weight 1)
 *              unfitted or for a one-time buyer (x = 0)
 *   days     = floor(t / 86400); T ends on the end day max(day(as_of - 1),
 *              latest purchase day), clv's end day
 *
 * Figures used when "clv" is fitted: r 0.25, alpha 4, a 0.8, b 2.4, unit
 * 7 days (weeks).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "test_plugin_fake.h"

#define DAY INT64_C(86400)
#define D0 INT64_C(10000) /* first purchase day */
/* a moment inside day d (10:00 UTC) */
#define AT(d) ((D0 + (d)) * DAY + 10 * 3600)

static crm_host_ctx host;

static int setup(void **state)
{
  (void)state;
  fake_reset(&host);
  snprintf(host.model, sizeof(host.model), "churn");
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  fake_unload(&host);
  return 0;
}

static void fit_clv(void)
{
  fake_figure_set(&host, "clv", "bgnbd_r", 0.25);
  fake_figure_set(&host, "clv", "bgnbd_alpha", 4.0);
  fake_figure_set(&host, "clv", "bgnbd_a", 0.8);
  fake_figure_set(&host, "clv", "bgnbd_b", 2.4);
  fake_figure_set(&host, "clv", "unit_days", 7.0);
}

static void load(void)
{
  int rc = fake_load(&host, "churn");

  if(rc)
    fail_msg("init: %s", host.errmsg);
}

static const crm_scoring_v1 *vt(void)
{
  return fake_vtable(&host, CRM_KIND_SCORING);
}

static crm_customer_view view(int64_t id, int64_t purchases)
{
  crm_customer_view v;

  memset(&v, 0, sizeof(v));
  v.struct_size = sizeof(v);
  v.customer_id = id;
  v.purchase_count = purchases;
  return v;
}

static const struct fake_score *score(int64_t id, const char *name)
{
  const struct fake_score *s = fake_score_find(&host, id, name);

  if(!s)
    fail_msg("customer %lld has no score %s", (long long)id, name);
  return s;
}

/* The regular buyer: purchase days 0, 14, 28, 42 -> x = 3 repeat days,
 * t_x = 42 days = 6 weeks; usual gap 42 / 3 = 14 days. */
static void regular_buyer(int64_t id)
{
  fake_event(&host, id, "purchase", AT(0), 1000, "USD", NULL);
  fake_event(&host, id, "purchase", AT(14), 2000, "USD", NULL);
  fake_event(&host, id, "purchase", AT(28), 1500, "USD", NULL);
  fake_event(&host, id, "purchase", AT(42), 1200, "USD", NULL);
}

static int ask(int64_t id, int64_t purchases, int64_t as_of)
{
  crm_customer_view v = view(id, purchases);

  return vt()->score_event(host.state, &host, NULL, &v, as_of);
}

static void test_fitted_regular_buyer(void **state)
{
  const struct fake_score *s;
  double p_alive, rhythm;

  (void)state;
  fit_clv();
  load();
  regular_buyer(1);
  /* As of day 98: T = 98 / 7 = 14 weeks, t_x = 6, x = 3.
   *   ((4 + 14) / (4 + 6))^(0.25 + 3) = 1.8^3.25 = 6.755160
   *   a / (b + x - 1) = 0.8 / 4.4 = 0.181818
   *   P(alive) = 1 / (1 + 0.181818 * 6.755160) = 1 / 2.228211 = 0.448791
   * silence 56 days, gap 14 days: overdue 4, rhythm 1 - e^-4 = 0.981684
   * risk = 0.6 * 0.551209 + 0.4 * 0.981684 = 0.330726 + 0.392674
   *      = 0.723399 -> "high" (>= 0.7) */
  assert_int_equal(ask(1, 4, AT(98)), CRM_OK);
  p_alive = 1 / (1 + 0.8 / 4.4 * pow(1.8, 3.25));
  assert_true(fabs(p_alive - 0.448791) < 1e-6);
  rhythm = 1 - exp(-4.0);
  s = score(1, "risk");
  assert_true(fabs(s->value - 0.723399) < 1e-6);
  assert_true(fabs(s->value - (0.6 * (1 - p_alive) + 0.4 * rhythm)) < 1e-9);
  assert_string_equal(s->label, "high");
  assert_int_equal(s->n_factors, 2);
  assert_string_equal(s->factors[0].factor, "p_alive");
  assert_true(fabs(s->factors[0].contribution - 0.330726) < 1e-6);
  assert_string_equal(s->factors[0].detail, "P(alive) 0.45");
  assert_string_equal(s->factors[1].factor, "rhythm");
  assert_true(fabs(s->factors[1].contribution - 0.392674) < 1e-6);
  assert_string_equal(s->factors[1].detail,
                      "56 days silent, usual gap 14 days");
  /* the factors add up to the score */
  assert_true(fabs(s->factors[0].contribution + s->factors[1].contribution -
                   s->value) < 1e-12);
  s = score(1, "p_alive");
  assert_true(fabs(s->value - 0.448791) < 1e-6);
  assert_string_equal(s->label, "0.45");
  s = score(1, "overdue");
  assert_true(fabs(s->value - 4.0) < 1e-9);
  assert_string_equal(s->label, "4.0x usual gap");
  assert_int_equal(host.n_walks, 1);
}

static void test_not_fitted_rhythm_only(void **state)
{
  const struct fake_score *s;

  (void)state;
  load();
  regular_buyer(1);
  /* No clv figures: days as the unit, x = 3, t_x = 42, T = 98.
   * risk = rhythm = 1 - e^-(56 / 14) = 0.981684 -> "high" */
  assert_int_equal(ask(1, 4, AT(98)), CRM_OK);
  s = score(1, "risk");
  assert_true(fabs(s->value - 0.981684) < 1e-6);
  assert_string_equal(s->label, "high");
  assert_int_equal(s->n_factors, 2);
  assert_string_equal(s->factors[0].factor, "p_alive");
  assert_true(s->factors[0].contribution == 0.0);
  assert_string_equal(s->factors[0].detail, "clv not fitted");
  assert_true(fabs(s->factors[1].contribution - s->value) < 1e-12);
  assert_null(fake_score_find(&host, 1, "p_alive"));
  assert_true(fabs(score(1, "overdue")->value - 4.0) < 1e-9);
  /* A clv with only some figures is not fitted either. */
  fake_figure_set(&host, "clv", "bgnbd_r", 0.25);
  assert_int_equal(ask(1, 4, AT(98)), CRM_OK);
  assert_null(fake_score_find(&host, 1, "p_alive"));
}

static void test_one_time_buyer_gap(void **state)
{
  const struct fake_score *s;

  (void)state;
  fit_clv();
  load();
  fake_event(&host, 1, "purchase", AT(0), 1000, "USD", NULL);
  /* x = 0: P(alive) = 1 by construction, which says nothing: the risk
   * is the rhythm alone (weight 1). gap = alpha / r = 4 / 0.25 = 16
   * weeks = 112 days; 30 days silent: rhythm = 1 - e^-(30/112) =
   * 1 - e^-0.267857 = 0.234983 = risk -> "low" (the old 0.6 * 0 + 0.4 *
   * rhythm gave 0.093993) */
  assert_int_equal(ask(1, 1, AT(30)), CRM_OK);
  s = score(1, "risk");
  assert_true(fabs(s->value - 0.234983) < 1e-6);
  assert_string_equal(s->label, "low");
  assert_string_equal(s->factors[0].factor, "p_alive");
  assert_true(s->factors[0].contribution == 0.0);
  assert_string_equal(s->factors[0].detail,
                      "not informative for a one-time buyer");
  assert_true(fabs(s->factors[1].contribution - s->value) < 1e-12);
  assert_string_equal(s->factors[1].detail,
                      "30 days silent, usual gap 112 days (population)");
  assert_true(fabs(score(1, "p_alive")->value - 1.0) < 1e-12);
  assert_true(fabs(score(1, "overdue")->value - 30.0 / 112) < 1e-9);
  /* Three years silent (1095 days): rhythm = 1 - e^-(1095/112) =
   * 1 - e^-9.776786 = 0.999943 -> "high"; with the old 0.4 weight it
   * was 0.399977, "low" for ever. */
  assert_int_equal(ask(1, 1, AT(1095)), CRM_OK);
  s = score(1, "risk");
  assert_true(fabs(s->value - 0.999943) < 1e-6);
  assert_string_equal(s->label, "high");
}

/* The reviewer's case with CDNOW's figures (r 0.2426, alpha 4.4136
 * weeks): population gap 4.4136 / 0.2426 = 18.192910 weeks = 127.350371
 * days; a one-time buyer silent 1095 days: overdue 8.598326, rhythm
 * 1 - e^-8.598326 = 1 - 0.000184 = 0.999816 = risk, "high" (it was
 * 0.4 * 0.999816 = 0.399926, "low"). */
static void test_one_time_buyer_cdnow_figures(void **state)
{
  const struct fake_score *s;

  (void)state;
  fake_figure_set(&host, "clv", "bgnbd_r", 0.2426);
  fake_figure_set(&host, "clv", "bgnbd_alpha", 4.4136);
  fake_figure_set(&host, "clv", "bgnbd_a", 0.7929);
  fake_figure_set(&host, "clv", "bgnbd_b", 2.4259);
  fake_figure_set(&host, "clv", "unit_days", 7.0);
  load();
  fake_event(&host, 1, "purchase", AT(0), 1000, "USD", NULL);
  assert_int_equal(ask(1, 1, AT(1095)), CRM_OK);
  s = score(1, "risk");
  assert_true(fabs(s->value - 0.999816) < 1e-6);
  assert_string_equal(s->label, "high");
  assert_string_equal(s->factors[1].detail,
                      "1095 days silent, usual gap 127 days (population)");
  assert_true(fabs(score(1, "overdue")->value - 8.598326) < 1e-6);
}

static void test_one_time_buyer_default_gap(void **state)
{
  const struct fake_score *s;

  (void)state;
  load();
  fake_event(&host, 1, "purchase", AT(0), 1000, "USD", NULL);
  /* Not fitted: default_gap_days 90; 60 days silent:
   * risk = 1 - e^-(60/90) = 0.486583 -> "medium" (>= 0.4) */
  assert_int_equal(ask(1, 1, AT(60)), CRM_OK);
  s = score(1, "risk");
  assert_true(fabs(s->value - 0.486583) < 1e-6);
  assert_string_equal(s->label, "medium");
  assert_string_equal(s->factors[1].detail,
                      "60 days silent, usual gap 90 days (default)");
}

static void test_refund_removes_a_purchase_day(void **state)
{
  const struct fake_score *s;

  (void)state;
  load();
  fake_event(&host, 1, "purchase", AT(0), 1000, "USD", NULL);
  fake_event(&host, 1, "purchase", AT(10), 500, "USD", NULL);
  fake_event(&host, 1, "purchase", AT(20), 800, "USD", NULL);
  fake_event(&host, 1, "refund", AT(25), 800, "USD",
             "{\"refund_of\":\"ev-3\"}");
  fake_event(&host, 1, "contact", AT(26), 0, NULL, NULL);
  /* The refund takes all 800 of day 20, which is no purchase day any
   * more: x = 1, t_x = 10 days; as of day 40: 30 days silent, gap 10
   * days; risk = 1 - e^-3 = 0.950213 (not fitted). */
  assert_int_equal(ask(1, 3, AT(40)), CRM_OK);
  s = score(1, "risk");
  assert_true(fabs(s->value - 0.950213) < 1e-6);
  assert_string_equal(s->factors[1].detail,
                      "30 days silent, usual gap 10 days");
  assert_true(fabs(score(1, "overdue")->value - 3.0) < 1e-9);
  /* Events after as_of are not seen: as of day 22 the refund has not
   * happened, x = 2, t_x = 20, gap 10, 2 days silent:
   * risk = 1 - e^-0.2 = 0.181269 */
  assert_int_equal(ask(1, 3, AT(22)), CRM_OK);
  assert_true(fabs(score(1, "risk")->value - 0.181269) < 1e-6);
}

/* The end day is clv's: as of the instant day 98 00:00 the last whole day
 * is day 97 (day_of(as_of - 1)), so T = 97 / 7 = 13.857143 weeks, x = 3,
 * t_x = 6, silence 55 days:
 *   ((4 + 13.857143) / 10)^3.25 = 1.785714^3.25 = 6.582470
 *   P(alive) = 1 / (1 + 0.181818 * 6.582470) = 1 / 2.196813 = 0.455205
 *   rhythm = 1 - e^-(55/14) = 1 - 0.019672 = 0.980328
 *   risk = 0.6 * 0.544795 + 0.4 * 0.980328 = 0.326877 + 0.392131
 *        = 0.719008
 * (as_of / 86400 took day 98: T = 14, P(alive) 0.448791, as in
 * test_fitted_regular_buyer; clv said 0.455205.) One second later the
 * end day is 98. */
static void test_end_day_is_clvs(void **state)
{
  const struct fake_score *s;

  (void)state;
  fit_clv();
  load();
  regular_buyer(1);
  assert_int_equal(ask(1, 4, (D0 + 98) * DAY), CRM_OK);
  assert_true(fabs(score(1, "p_alive")->value - 0.455205) < 1e-6);
  s = score(1, "risk");
  assert_true(fabs(s->value - 0.719008) < 1e-6);
  assert_string_equal(s->factors[1].detail,
                      "55 days silent, usual gap 14 days");
  assert_true(fabs(score(1, "overdue")->value - 55.0 / 14) < 1e-9);
  assert_int_equal(ask(1, 4, (D0 + 98) * DAY + 1), CRM_OK);
  assert_true(fabs(score(1, "p_alive")->value - 0.448791) < 1e-6);
}

/* A purchase at exactly as_of (the score step passes as_of = max(now,
 * event time)) counts even at midnight, where day_of(as_of - 1) is the
 * day before: the end day is the purchase's day. Purchases on day 0 and
 * at day 14 00:00, as of that instant: x = 1, t_x = 14 days = T, 0 days
 * silent, gap 14: rhythm 1 - e^0 = 0, risk 0 (unfitted). Had the end day
 * stayed day 13 the summary would drop the purchase: a one-time buyer 13
 * days silent, risk 1 - e^-(13/90) = 0.134497. */
static void test_purchase_at_as_of_counts(void **state)
{
  crm_customer_view v = view(1, 2);
  crm_event_view ev;
  const struct fake_score *s;
  int64_t last;

  (void)state;
  load();
  fake_event(&host, 1, "purchase", AT(0), 1000, "USD", NULL);
  last = fake_event(&host, 1, "purchase", (D0 + 14) * DAY, 500, "USD",
                    NULL);
  fake_event_view(&host, last, &ev);
  assert_int_equal(vt()->score_event(host.state, &host, &ev, &v,
                                     (D0 + 14) * DAY), CRM_OK);
  s = score(1, "risk");
  assert_true(s->value == 0.0);
  assert_string_equal(s->factors[1].detail,
                      "0 days silent, usual gap 14 days");
  assert_true(score(1, "overdue")->value == 0.0);
}

/* Days by floor division, so times before 1970 fall on the right day.
 * Purchases at day -10 10:00 (t = -828000) and at 1969-12-31 23:59:59
 * (t = -1, day -1), as of day 5 10:00 (end day 5): x = 1, gap 9 days,
 * 6 days silent: risk = 1 - e^-(6/9) = 0.486583 "medium" (unfitted).
 * Truncating division put them on days -9 and 0: 5 days silent,
 * 1 - e^-(5/9) = 0.426247. */
static void test_days_before_1970(void **state)
{
  const struct fake_score *s;

  (void)state;
  load();
  fake_event(&host, 1, "purchase", -10 * DAY + 10 * 3600, 1000, "USD",
             NULL);
  fake_event(&host, 1, "purchase", -1, 1000, "USD", NULL);
  assert_int_equal(ask(1, 2, 5 * DAY + 10 * 3600), CRM_OK);
  s = score(1, "risk");
  assert_true(fabs(s->value - 0.486583) < 1e-6);
  assert_string_equal(s->label, "medium");
  assert_string_equal(s->factors[1].detail,
                      "6 days silent, usual gap 9 days");
}

static void test_score_event_types(void **state)
{
  crm_customer_view v = view(1, 4);
  crm_event_view ev;
  int64_t contact, purchase;

  (void)state;
  load();
  regular_buyer(1);
  contact = fake_event(&host, 1, "contact", AT(50), 0, NULL, NULL);
  purchase = fake_event(&host, 1, "purchase", AT(56), 900, "USD", NULL);
  fake_event_view(&host, contact, &ev);
  assert_int_equal(vt()->score_event(host.state, &host, &ev, &v, AT(60)),
                   CRM_OK);
  assert_int_equal(host.n_walks, 0);
  assert_null(fake_score_find(&host, 1, "risk"));
  /* the purchase of day 56: x = 4, t_x = 56, gap 14, 4 days silent:
   * risk = 1 - e^-(4/14) = 0.248522 */
  fake_event_view(&host, purchase, &ev);
  v.purchase_count = 5;
  assert_int_equal(vt()->score_event(host.state, &host, &ev, &v, AT(60)),
                   CRM_OK);
  assert_int_equal(host.n_walks, 1);
  assert_true(fabs(score(1, "risk")->value - 0.248522) < 1e-6);
  assert_string_equal(score(1, "risk")->label, "low");
  /* No purchase: no score, no walk. */
  assert_int_equal(ask(2, 0, AT(60)), CRM_OK);
  assert_int_equal(host.n_walks, 1);
  assert_null(fake_score_find(&host, 2, "risk"));
}

static void test_batch_one_walk_merged(void **state)
{
  crm_customer_view v[4];
  const crm_customer_view *p[4];

  (void)state;
  fit_clv();
  load();
  regular_buyer(3);
  regular_buyer(7);
  fake_event(&host, 5, "purchase", AT(0), 1000, "USD", NULL);
  fake_event(&host, 9, "purchase", AT(0), 1000, "USD", NULL);
  /* views out of id order; 4 has no events; 9 is not in the batch */
  v[0] = view(7, 4);
  v[1] = view(3, 4);
  v[2] = view(5, 1);
  v[3] = view(4, 0);
  p[0] = &v[0];
  p[1] = &v[1];
  p[2] = &v[2];
  p[3] = &v[3];
  assert_int_equal(vt()->score_batch(host.state, &host, p, 4, AT(98)),
                   CRM_OK);
  assert_int_equal(host.n_walks, 1);
  /* 3 and 7 as in test_fitted_regular_buyer; 5 a one-time buyer 98 days
   * silent, rhythm alone: 1 - e^-(98/112) = 0.583138 -> "medium" */
  assert_true(fabs(score(3, "risk")->value - 0.723399) < 1e-6);
  assert_true(fabs(score(7, "risk")->value - 0.723399) < 1e-6);
  assert_true(fabs(score(5, "risk")->value - 0.583138) < 1e-6);
  assert_string_equal(score(5, "risk")->label, "medium");
  assert_null(fake_score_find(&host, 4, "risk"));
  assert_null(fake_score_find(&host, 9, "risk"));
}

static void test_fit_scores_everybody(void **state)
{
  crm_fit_request req;

  (void)state;
  load();
  regular_buyer(1);
  fake_event(&host, 2, "contact", AT(1), 0, NULL, NULL);
  fake_event(&host, 3, "purchase", AT(0), 1000, "USD", NULL);
  memset(&req, 0, sizeof(req));
  req.struct_size = sizeof(req);
  req.as_of = AT(98);
  assert_int_equal(vt()->fit(host.state, &host, &req), CRM_OK);
  assert_int_equal(host.n_walks, 0); /* nothing to learn */
  req.flags = CRM_FIT_SCORE;
  assert_int_equal(vt()->fit(host.state, &host, &req), CRM_OK);
  assert_int_equal(host.n_walks, 1);
  assert_true(fabs(score(1, "risk")->value - 0.981684) < 1e-6);
  /* 3: 98 days silent, default gap 90: 1 - e^-(98/90) = 0.663410 */
  assert_true(fabs(score(3, "risk")->value - 0.663410) < 1e-6);
  assert_null(fake_score_find(&host, 2, "risk"));
  assert_int_equal(host.last_done, 2);
  assert_int_equal(host.last_total, 2);
}

static void test_weights_renormalised_and_reconfigure(void **state)
{
  const struct fake_score *s;

  (void)state;
  fit_clv();
  fake_cfg_int(&host, "w_alive", 3);
  fake_cfg_float(&host, "w_rhythm", 1.0);
  load();
  regular_buyer(1);
  /* weights 3 : 1 -> 0.75, 0.25:
   * risk = 0.75 * 0.551209 + 0.25 * 0.981684 = 0.413407 + 0.245421
   *      = 0.658828 -> "medium" */
  assert_int_equal(ask(1, 4, AT(98)), CRM_OK);
  s = score(1, "risk");
  assert_true(fabs(s->value - 0.658828) < 1e-6);
  assert_string_equal(s->label, "medium");
  /* a lower "high" threshold and a broken one kept out */
  fake_cfg_float(&host, "high", 0.6);
  assert_int_equal(host.desc->reconfigure(host.state, &host), CRM_OK);
  assert_int_equal(ask(1, 4, AT(98)), CRM_OK);
  assert_string_equal(score(1, "risk")->label, "high");
  fake_cfg_float(&host, "medium", 0.9);
  assert_int_equal(host.desc->reconfigure(host.state, &host), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "thresholds must satisfy 0 < medium "
                      "(0.9) <= high (0.6) <= 1");
  assert_int_equal(ask(1, 4, AT(98)), CRM_OK);
  assert_string_equal(score(1, "risk")->label, "high");
}

static void test_other_clv_model_name(void **state)
{
  (void)state;
  fake_figure_set(&host, "clv2", "bgnbd_r", 0.25);
  fake_figure_set(&host, "clv2", "bgnbd_alpha", 4.0);
  fake_figure_set(&host, "clv2", "bgnbd_a", 0.8);
  fake_figure_set(&host, "clv2", "bgnbd_b", 2.4);
  fake_figure_set(&host, "clv2", "unit_days", 7.0);
  fake_cfg_str(&host, "clv_model", "clv2");
  load();
  regular_buyer(1);
  assert_int_equal(ask(1, 4, AT(98)), CRM_OK);
  assert_true(fabs(score(1, "risk")->value - 0.723399) < 1e-6);
}

struct bad_cfg {
  const char *key;
  char type;
  double f;
  const char *s;
  const char *msg;
};

static void test_config_refused(void **state)
{
  static const struct bad_cfg bad[] = {
    {"w_alive", 'f', -1, NULL, "weights w_alive (-1) and w_rhythm (0.4) "
     "must be >= 0 and not both 0"},
    {"high", 'f', 0.3, NULL, "thresholds must satisfy 0 < medium (0.4) "
     "<= high (0.3) <= 1"},
    {"medium", 'f', 0, NULL, "thresholds must satisfy 0 < medium (0) <= "
     "high (0.7) <= 1"},
    {"default_gap_days", 'f', 0.5, NULL, "default_gap_days is 0.5; it must "
     "be between 1 and 36500"},
    {"high", 's', 0, "x", "high must be a number"},
    {"clv_model", 's', 0, "", "clv_model must be 1 to 63 bytes"},
    {"clv_model", 'f', 1, NULL, "clv_model must be a string"},
  };
  size_t i;

  (void)state;
  for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    fake_reset(&host);
    if(bad[i].type == 'f')
      fake_cfg_float(&host, bad[i].key, bad[i].f);
    else
      fake_cfg_str(&host, bad[i].key, bad[i].s);
    assert_int_equal(fake_load(&host, "churn"), CRM_ECONFIG);
    assert_string_equal(host.errmsg, bad[i].msg);
    assert_null(host.state);
  }
}

static void test_old_host_refused(void **state)
{
  (void)state;
  fake_host_1_2(&host);
  assert_int_equal(fake_load(&host, "churn"), CRM_ENOTSUP);
  assert_non_null(strstr(host.errmsg, "churn needs 1.3"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_fitted_regular_buyer, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_not_fitted_rhythm_only, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_one_time_buyer_gap, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_one_time_buyer_cdnow_figures,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(test_one_time_buyer_default_gap, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_end_day_is_clvs, setup, teardown),
    cmocka_unit_test_setup_teardown(test_purchase_at_as_of_counts, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_days_before_1970, setup, teardown),
    cmocka_unit_test_setup_teardown(test_refund_removes_a_purchase_day,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(test_score_event_types, setup, teardown),
    cmocka_unit_test_setup_teardown(test_batch_one_walk_merged, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_fit_scores_everybody, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_weights_renormalised_and_reconfigure,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(test_other_clv_model_name, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_config_refused, setup, teardown),
    cmocka_unit_test_setup_teardown(test_old_host_refused, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
