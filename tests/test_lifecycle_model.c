/*
 * test_lifecycle_model.c - lifecycle.at_risk_model: the churn plugin
 * (loaded from the build tree) judges buying customers every check_days
 * after their last purchase; the lost deadline stays time-based; without
 * the component the factor x usual gap rule applies, and when the component stores no
 * such score the reviews are judged by that rule too (one warning per
 * handle). The due reviews are judged by asking the model as of the
 * advance, then the last due review, then bisecting (the score does not
 * fall during silence): O(log n) asks, and the stored scores are as of
 * the advance.
 *
 * Times: D(n) is noon of day n after 2000-01-01. Churn's risk (see
 * churn.c and test_plugin_churn.c): rhythm 1 - exp(-silence / usual gap)
 * alone while clv is not fitted, else 0.6 (1 - P(alive)) + 0.4 rhythm.
 */
#include <math.h>

#include "test_plugin_env.h"

#include "crm_int.h"

#define D(n) (T_EPOCH2000 + 12 * 3600 + (int64_t)(n) * T_DAY)

#define CONF_CHURN "plugins = { load = ( { name = \"churn\"; } ); };\n"
#define CONF_RULE(thr, extra)                                               \
  "lifecycle = {\n"                                                         \
  "  at_risk_model = { component = \"churn\"; score = \"risk\";\n"          \
  "                    threshold = " thr "; check_days = 7; };\n"           \
  extra "};\n"

static const char conf_model[] = CONF_CHURN CONF_RULE("0.6", "");

struct trans {
  int n;
  crm_transition t[16];
  char cause[16][192];
};

static int collect(void *ud, const crm_transition *t)
{
  struct trans *tr = ud;

  if(tr->n < 16) {
    tr->t[tr->n] = *t;
    snprintf(tr->cause[tr->n], sizeof(tr->cause[0]), "%s", t->cause);
    tr->n++;
  }
  return 0;
}

/* The customer's last transition. */
static const crm_transition *last_transition(crm *c, int64_t id,
                                             struct trans *tr)
{
  memset(tr, 0, sizeof(*tr));
  assert_int_equal(crm_transitions_foreach(c, id, collect, tr), CRM_OK);
  assert_true(tr->n > 0);
  return &tr->t[tr->n - 1];
}

static int64_t next_review(crm *c, int64_t id)
{
  sqlite3_stmt *st;
  int64_t v;

  assert_int_equal(sqlite3_prepare_v2(c->db, "SELECT coalesce(next_review_at,"
                                      " 0) FROM customers WHERE id = ?1", -1,
                                      &st, NULL), SQLITE_OK);
  sqlite3_bind_int64(st, 1, id);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

static double risk(crm *c, int64_t id)
{
  double v = -1;

  if(crm_score_get(c, id, "churn", "risk", &v))
    fail_msg("no churn risk for #%lld: %s", (long long)id, crm_errmsg(c));
  return v;
}

static void buy(crm *c, int64_t id, int day, const char *key)
{
  crm_set_now(c, D(day));
  pe_event(c, id, "purchase", D(day), 1000, "USD", NULL, key);
}

static size_t advance(crm *c, int day)
{
  size_t n = 0;

  crm_set_now(c, D(day));
  if(crm_lifecycle_advance(c, D(day), &n))
    fail_msg("crm_lifecycle_advance: %s", crm_errmsg(c));
  return n;
}

/* Warnings of one source whose message contains `what`. */
struct logs {
  const char *source;
  const char *what;
  int n;
  char last[512];
};

static void log_cb(void *ud, int level, const char *source, const char *msg)
{
  struct logs *l = ud;

  if(level != CRM_LOG_WARN || strcmp(source, l->source) != 0 ||
     !strstr(msg, l->what))
    return;
  l->n++;
  snprintf(l->last, sizeof(l->last), "%s", msg);
}

static void watch_log(crm *c, struct logs *l, const char *source,
                      const char *what)
{
  memset(l, 0, sizeof(*l));
  l->source = source;
  l->what = what;
  crm_set_log(c, log_cb, l, CRM_LOG_WARN);
}

/* Score writes (each model call writes the same number of scores). */
static int count_writes(unsigned type, void *ud, void *p, void *x)
{
  (void)type;
  (void)p;
  if(strncmp(x, "INSERT INTO scores(", 19) == 0)
    (*(int *)ud)++;
  return 0;
}

/* Purchase days 0, 10, 20: usual gap 10 days. Not fitted, so
 * risk = 1 - exp(-silence / 10); checks every 7 days from day 20:
 *   day 27: 1 - e^-0.7 = 0.503415 < 0.6
 *   day 34: 1 - e^-1.4 = 0.753403 >= 0.6 -> at risk as of day 34
 * The stored risk is as of the advance (day 30: 1 - e^-1 = 0.632121, above
 * the threshold but the review of day 27 was not; day 36: 1 - e^-1.6 =
 * 0.798103). */
static int64_t gap10_buyer(crm *c)
{
  int64_t id = t_add_customer(c, "g10");

  buy(c, id, 0, "b0");
  buy(c, id, 10, "b10");
  buy(c, id, 20, "b20");
  return id;
}

static void test_review_every_check_days(void **state)
{
  const crm_transition *t;
  struct trans tr;
  pe_env e;
  int64_t id;

  (void)state;
  pe_open(&e, conf_model);
  id = gap10_buyer(e.c);
  assert_int_equal(t_stage(e.c, id), CRM_STAGE_REPEAT);
  /* the first review one check after the last purchase, not at
   * max(60, 2 x 10) days */
  assert_int_equal(next_review(e.c, id), D(27));
  /* below the threshold at day 27: stays, the next check is scheduled;
   * the stored risk is current (day 30), not the review's */
  assert_int_equal(advance(e.c, 30), 0);
  assert_int_equal(t_stage(e.c, id), CRM_STAGE_REPEAT);
  assert_true(fabs(risk(e.c, id) - 0.632121) < 1e-6);
  assert_int_equal(next_review(e.c, id), D(34));
  /* crossing: at risk as of the check of day 34 */
  assert_int_equal(advance(e.c, 36), 1);
  assert_int_equal(t_stage(e.c, id), CRM_STAGE_AT_RISK);
  t = last_transition(e.c, id, &tr);
  assert_int_equal(t->from_stage, CRM_STAGE_REPEAT);
  assert_int_equal(t->at, D(34));
  assert_int_equal(t->cause_event_id, 0);
  assert_string_equal(tr.cause[tr.n - 1],
                      "churn risk 0.75 >= 0.60 (model churn)");
  assert_true(fabs(risk(e.c, id) - 0.798103) < 1e-6);
  /* at risk: the next review is the time-based lost deadline */
  assert_int_equal(next_review(e.c, id), D(20 + 365));
  /* a purchase reactivates; reviews restart from it */
  buy(e.c, id, 50, "b50");
  assert_int_equal(t_stage(e.c, id), CRM_STAGE_REACTIVATED);
  assert_int_equal(next_review(e.c, id), D(57));
  pe_close(&e);
}

static void test_late_advance_stops_at_first_crossing(void **state)
{
  const crm_transition *t;
  struct trans tr;
  pe_env e;
  int64_t id;

  (void)state;
  pe_open(&e, conf_model);
  id = gap10_buyer(e.c);
  /* one advance long after: the checks of days 27 (0.50) and 34 (0.75)
   * are judged in turn; the customer moves as of day 34 */
  assert_int_equal(advance(e.c, 100), 1);
  t = last_transition(e.c, id, &tr);
  assert_int_equal(t->to_stage, CRM_STAGE_AT_RISK);
  assert_int_equal(t->at, D(34));
  assert_string_equal(tr.cause[tr.n - 1],
                      "churn risk 0.75 >= 0.60 (model churn)");
  pe_close(&e);
}

/* No advance: the purchase of day 100 first applies the reviews due
 * before it (asked without the purchase, which is stored already), so
 * the customer turns at risk as of day 34, then the purchase reactivates
 * it; the risk is then as of the purchase (silence 0: 0). */
static void test_purchase_applies_due_reviews(void **state)
{
  struct trans tr;
  pe_env e;
  int64_t id;

  (void)state;
  pe_open(&e, conf_model);
  id = gap10_buyer(e.c);
  buy(e.c, id, 100, "b100");
  last_transition(e.c, id, &tr);
  assert_true(tr.n >= 2);
  assert_int_equal(tr.t[tr.n - 2].to_stage, CRM_STAGE_AT_RISK);
  assert_int_equal(tr.t[tr.n - 2].at, D(34));
  assert_string_equal(tr.cause[tr.n - 2],
                      "churn risk 0.75 >= 0.60 (model churn)");
  assert_int_equal(tr.t[tr.n - 1].to_stage, CRM_STAGE_REACTIVATED);
  assert_int_equal(tr.t[tr.n - 1].at, D(100));
  assert_true(risk(e.c, id) == 0);
  pe_close(&e);
}

static void test_reviews_never_past_lost(void **state)
{
  static const char conf[] =
    CONF_CHURN CONF_RULE("0.9", "  lost_days = 25;\n");
  const crm_transition *t;
  struct trans tr;
  pe_env e;
  int64_t id;

  (void)state;
  pe_open(&e, conf);
  id = gap10_buyer(e.c);
  /* threshold 0.9: days 27 (0.503), 34 (0.753), 41 (1 - e^-2.1 =
   * 0.877544) stay below; day 48 would be past lost (day 20 + 25). The
   * stored risk is as of day 42: 1 - e^-2.2 = 0.889197. */
  assert_int_equal(advance(e.c, 42), 0);
  assert_true(fabs(risk(e.c, id) - 0.889197) < 1e-6);
  assert_int_equal(next_review(e.c, id), D(45));
  assert_int_equal(advance(e.c, 46), 1);
  t = last_transition(e.c, id, &tr);
  assert_int_equal(t->to_stage, CRM_STAGE_LOST);
  assert_int_equal(t->at, D(45));
  assert_string_equal(tr.cause[tr.n - 1], "rule lost: no purchase for 25 "
                      "days");
  assert_int_equal(next_review(e.c, id), 0);
  pe_close(&e);
}

/* clv figures as a fitted clv would leave them (test-only insert):
 * r 0.25, alpha 4, a 0.8, b 2.4, weeks. */
static void put_clv_figures(crm *c)
{
  static const char sql[] =
    "INSERT INTO score_figures(model, name, value, computed_at) VALUES"
    " ('clv', 'bgnbd_r', 0.25, 0), ('clv', 'bgnbd_alpha', 4.0, 0),"
    " ('clv', 'bgnbd_a', 0.8, 0), ('clv', 'bgnbd_b', 2.4, 0),"
    " ('clv', 'unit_days', 7.0, 0)";

  assert_int_equal(sqlite3_exec(c->db, sql, NULL, NULL, NULL), SQLITE_OK);
}

static void test_fitted_clv_crossing(void **state)
{
  const crm_transition *t;
  struct trans tr;
  pe_env e;
  int64_t id;

  (void)state;
  pe_open(&e, conf_model);
  put_clv_figures(e.c);
  id = t_add_customer(e.c, "w");
  buy(e.c, id, 0, "w0");
  buy(e.c, id, 14, "w14");
  buy(e.c, id, 28, "w28");
  buy(e.c, id, 42, "w42");
  /* x = 3, t_x = 6 weeks, usual gap 14 days. At the check of day 70
   * (T = 10 weeks, 28 days silent):
   *   P(alive) = 1 / (1 + 0.8 / 4.4 * (14 / 10)^3.25)
   *            = 1 / (1 + 0.181818 * 2.984806) = 0.648218
   *   rhythm = 1 - e^-2 = 0.864665
   *   risk = 0.6 * 0.351782 + 0.4 * 0.864665 = 0.556935 < 0.6
   * (days 49, 56, 63: 0.276555, 0.401324, 0.490148). Day 77 (T = 11,
   * 35 days silent):
   *   P(alive) = 1 / (1 + 0.181818 * 1.5^3.25) = 1 / 1.679100 = 0.595557
   *   rhythm = 1 - e^-2.5 = 0.917915
   *   risk = 0.242666 + 0.367166 = 0.609832 >= 0.6 */
  assert_int_equal(advance(e.c, 70), 0);
  assert_int_equal(t_stage(e.c, id), CRM_STAGE_REPEAT);
  assert_true(fabs(risk(e.c, id) - 0.556935) < 1e-6);
  assert_int_equal(next_review(e.c, id), D(77));
  assert_int_equal(advance(e.c, 80), 1);
  t = last_transition(e.c, id, &tr);
  assert_int_equal(t->to_stage, CRM_STAGE_AT_RISK);
  assert_int_equal(t->at, D(77));
  assert_string_equal(tr.cause[tr.n - 1],
                      "churn risk 0.61 >= 0.60 (model churn)");
  pe_close(&e);
}

/* Not loaded: one warning per handle, on every handle (a second one in
 * the same process warns too). */
static void not_loaded_warns_once(void)
{
  static const char conf[] = CONF_RULE("0.6", "");
  struct logs l;
  pe_env e;
  int64_t id;

  pe_open(&e, conf);
  watch_log(e.c, &l, "lifecycle", "is not loaded");
  id = gap10_buyer(e.c);
  assert_int_equal(advance(e.c, 81), 1);
  assert_int_equal(t_stage(e.c, id), CRM_STAGE_AT_RISK);
  assert_int_equal(l.n, 1);
  assert_string_equal(l.last, "lifecycle.at_risk_model: scoring component "
                      "\"churn\" is not loaded (or has no score step): at "
                      "risk by the silence rule (at_risk_factor 2 x usual "
                      "gap) instead");
  pe_close(&e);
}

static void test_component_not_loaded_old_rule(void **state)
{
  static const char conf[] = CONF_RULE("0.6", "");
  const crm_transition *t;
  struct trans tr;
  pe_env e;
  int64_t id;

  (void)state;
  not_loaded_warns_once();
  not_loaded_warns_once();
  pe_open(&e, conf);
  id = gap10_buyer(e.c);
  /* factor rule: day 20 + max(60, 2 x 10) days */
  assert_int_equal(next_review(e.c, id), D(80));
  assert_int_equal(advance(e.c, 79), 0);
  assert_int_equal(advance(e.c, 81), 1);
  t = last_transition(e.c, id, &tr);
  assert_int_equal(t->to_stage, CRM_STAGE_AT_RISK);
  assert_int_equal(t->at, D(80));
  assert_non_null(strstr(tr.cause[tr.n - 1], "rule at_risk: no purchase "
                         "for 60 days"));
  assert_int_equal(crm_score_get(e.c, id, "churn", "risk", &(double){0}),
                   CRM_ENOTFOUND);
  pe_close(&e);
}


/* A score the component does not write (typo "riskk"): each review is
 * judged by the factor x usual gap rule instead, and one warning says so.
 * gap10: deadline day 20 + max(60, 2 x 10) = day 80; reviews on days
 * 27, 34, ..., 76, 83: at risk as of day 83, 63 days silent. */
static void test_missing_score_falls_back(void **state)
{
  static const char conf[] =
    CONF_CHURN "lifecycle = { at_risk_model = { component = \"churn\";"
    " score = \"riskk\"; threshold = 0.6; check_days = 7; }; };\n";
  const crm_transition *t;
  struct trans tr;
  struct logs l;
  char want[512];
  pe_env e;
  int64_t id;

  (void)state;
  pe_open(&e, conf);
  watch_log(e.c, &l, "lifecycle", "wrote no score");
  id = gap10_buyer(e.c);
  /* the review of day 7, judged at the purchase of day 10, warned */
  snprintf(want, sizeof(want), "lifecycle.at_risk_model: scoring component "
           "\"churn\" wrote no score \"riskk\" (customer #%lld as of "
           "2000-01-08T12:00:00Z): such reviews are judged by the silence "
           "rule (at_risk_factor 2 x usual gap) instead", (long long)id);
  assert_int_equal(l.n, 1);
  assert_string_equal(l.last, want);
  assert_int_equal(advance(e.c, 79), 0);
  assert_int_equal(t_stage(e.c, id), CRM_STAGE_REPEAT);
  assert_int_equal(advance(e.c, 100), 1);
  t = last_transition(e.c, id, &tr);
  assert_int_equal(t->to_stage, CRM_STAGE_AT_RISK);
  assert_int_equal(t->at, D(83));
  assert_string_equal(tr.cause[tr.n - 1], "rule at_risk: no purchase for 63 "
                      "days (usual gap 10 days, threshold 60 days; no churn "
                      "riskk)");
  /* once per handle: the other reviews said nothing more */
  assert_int_equal(l.n, 1);
  pe_close(&e);
}

/* check_days 1, threshold 0.99: risk 1 - e^-(silence / 10) reaches 0.99
 * after 10 ln 100 = 46.05 days, so the first crossing review is day 67
 * (silence 47: 0.990905; day 66: 0.989948). An advance at day 100 has 80
 * reviews due (days 21..100). Asks: day 100 (the advance, also the last
 * review: 0.999665, crossed), then the bisection over indexes 0..79 (day
 * 21 + k): k 39 (day 60, 0.981684 no), 59 (80 yes), 49 (70 yes), 44 (65,
 * 0.988891 no), 47 (68 yes), 46 (67 yes), 45 (66 no): 7 asks; then day
 * 100 again, since the last ask was day 67: 9 model calls in all, where
 * judging each review in turn took 47. */
static void test_reviews_bisect(void **state)
{
  static const char conf[] =
    CONF_CHURN "lifecycle = { at_risk_model = { component = \"churn\";"
    " score = \"risk\"; threshold = 0.99; check_days = 1; }; };\n";
  const crm_transition *t;
  crm_customer cust;
  struct trans tr;
  int writes = 0;
  int per_call;
  pe_env e;
  int64_t id;

  (void)state;
  pe_open(&e, conf);
  id = gap10_buyer(e.c);
  assert_int_equal(t_stage(e.c, id), CRM_STAGE_REPEAT);
  assert_int_equal(next_review(e.c, id), D(21));
  assert_int_equal(sqlite3_trace_v2(e.c->db, SQLITE_TRACE_STMT,
                                    count_writes, &writes), SQLITE_OK);
  /* the writes of one call */
  assert_int_equal(crm_customer_get(e.c, id, &cust), CRM_OK);
  assert_int_equal(crm__score_ask(e.c, "churn", &cust, D(21)), CRM_OK);
  per_call = writes;
  assert_true(per_call > 0);
  writes = 0;
  assert_int_equal(advance(e.c, 100), 1);
  assert_int_equal(writes % per_call, 0);
  assert_int_equal(writes / per_call, 9);
  sqlite3_trace_v2(e.c->db, 0, NULL, NULL);
  t = last_transition(e.c, id, &tr);
  assert_int_equal(t->to_stage, CRM_STAGE_AT_RISK);
  assert_int_equal(t->at, D(67));
  assert_string_equal(tr.cause[tr.n - 1],
                      "churn risk 0.99 >= 0.99 (model churn)");
  /* the stored risk is as of the advance: 1 - e^-8 */
  assert_true(fabs(risk(e.c, id) - 0.999665) < 1e-6);
  pe_close(&e);
}

/* An event dated ahead of the clock (accepted up to 24 h): the score step
 * runs as of the event, so churn's walk up to as_of sees it. Purchases on
 * days 0 and 10 (1 h ahead): silence 0 days, overdue 0, risk 0; as of the
 * clock the walk would miss it (one-time buyer, 10 days silent). */
static void test_score_step_event_ahead_of_clock(void **state)
{
  pe_env e;
  int64_t id;
  double v = -1;

  (void)state;
  pe_open(&e, CONF_CHURN);
  id = t_add_customer(e.c, "f");
  buy(e.c, id, 0, "f0");
  crm_set_now(e.c, D(10));
  pe_event(e.c, id, "purchase", D(10) + 3600, 1000, "USD", NULL, "f10");
  assert_int_equal(crm_score_get(e.c, id, "churn", "overdue", &v), CRM_OK);
  assert_true(v == 0);
  assert_true(risk(e.c, id) == 0);
  pe_close(&e);
}

static void test_changing_the_rule_rereviews(void **state)
{
  pe_env e;
  int64_t id;

  (void)state;
  pe_open(&e, CONF_CHURN);
  id = gap10_buyer(e.c);
  assert_int_equal(next_review(e.c, id), D(80)); /* no rule: factor */
  /* the rule switched on: the next check after the customer's clock
   * (day 20) */
  t_write_file(e.conf, conf_model);
  assert_int_equal(crm_reload_config(e.c), CRM_OK);
  assert_int_equal(advance(e.c, 22), 0);
  assert_int_equal(next_review(e.c, id), D(27));
  /* and off again: back to the factor deadline */
  t_write_file(e.conf, CONF_CHURN);
  assert_int_equal(crm_reload_config(e.c), CRM_OK);
  assert_int_equal(advance(e.c, 23), 0);
  assert_int_equal(next_review(e.c, id), D(80));
  pe_close(&e);
}

struct bad_conf {
  const char *text;
  int line;
  const char *reason;
};

static void test_config_refused(void **state)
{
  static const struct bad_conf bad[] = {
    {"lifecycle = {\n  at_risk_model = { component = \"churn\";\n"
     "    threshold = 0.0; };\n};\n", 3,
     "lifecycle.at_risk_model.threshold is 0; it must be greater than 0 "
     "and at most 1"},
    {"lifecycle = {\n  at_risk_model = { component = \"churn\";\n"
     "    threshold = 1.5; };\n};\n", 3,
     "lifecycle.at_risk_model.threshold is 1.5; it must be greater than 0 "
     "and at most 1"},
    {"lifecycle = {\n  at_risk_model = { component = \"churn\";\n"
     "    check_days = 0; };\n};\n", 3,
     "lifecycle.at_risk_model.check_days is 0; it must be between 1 and "
     "1000000"},
    {"lifecycle = {\n  at_risk_model = { score = \"risk\"; };\n};\n", 2,
     "lifecycle.at_risk_model.component is missing: name the scoring "
     "component"},
    {"lifecycle = {\n  at_risk_model = { component = \"churn\";\n"
     "    score = \"\"; };\n};\n", 3,
     "lifecycle.at_risk_model.score must be a non-empty string of at most "
     "63 bytes"},
    {"lifecycle = {\n  at_risk_model = { component = \"churn\";\n"
     "    every = 7; };\n};\n", 3,
     "unknown lifecycle.at_risk_model setting \"every\" (expected "
     "component, score, threshold or check_days)"},
    {"lifecycle = {\n  at_risk_model = \"churn\";\n};\n", 2,
     "lifecycle.at_risk_model must be a group: at_risk_model = { "
     "component = \"churn\"; ... }"},
  };
  char want[1024];
  size_t i;

  (void)state;
  for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    pe_env e;

    pe_open(&e, NULL);
    snprintf(e.conf, sizeof(e.conf), "%s/crm.conf", e.dir);
    t_write_file(e.conf, bad[i].text);
    assert_int_equal(crm_load_config(e.c, e.conf, CRM_TEST_PLUGIN_DIR),
                     CRM_ECONFIG);
    snprintf(want, sizeof(want), "%s:%d: %s", e.conf, bad[i].line,
             bad[i].reason);
    assert_string_equal(crm_errmsg(e.c), want);
    pe_close(&e);
  }
}

static void test_config_defaults(void **state)
{
  static const char conf[] =
    "lifecycle = { at_risk_model = { component = \"churn\"; }; };\n";
  pe_env e;

  (void)state;
  pe_open(&e, conf);
  assert_string_equal(e.c->lc.at_risk_component, "churn");
  assert_string_equal(e.c->lc.at_risk_score, "risk");
  assert_true(e.c->lc.at_risk_threshold == 0.6);
  assert_int_equal(e.c->lc.at_risk_check_days, 7);
  pe_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_review_every_check_days),
    cmocka_unit_test(test_late_advance_stops_at_first_crossing),
    cmocka_unit_test(test_purchase_applies_due_reviews),
    cmocka_unit_test(test_reviews_never_past_lost),
    cmocka_unit_test(test_fitted_clv_crossing),
    cmocka_unit_test(test_component_not_loaded_old_rule),
    cmocka_unit_test(test_missing_score_falls_back),
    cmocka_unit_test(test_reviews_bisect),
    cmocka_unit_test(test_score_step_event_ahead_of_clock),
    cmocka_unit_test(test_changing_the_rule_rereviews),
    cmocka_unit_test(test_config_refused),
    cmocka_unit_test(test_config_defaults),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
