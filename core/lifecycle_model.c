/*
 * lifecycle_model.c - the at_risk_model lifecycle rule: a scoring
 * component judges a buying customer's silence.
 *
 *   lifecycle.at_risk_model = { component = "churn"; score = "risk";
 *                               threshold = 0.6; check_days = 7; };
 *
 * While the rule is set and the component is loaded (running, with a
 * score step), a buying customer's at-risk review falls due every
 * check_days after the last purchase, instead of at factor x usual gap.
 * A review asks the component about the customer as of the review time
 * (score_event with ev NULL) and reads its stored score: at or above the
 * threshold the customer turns at_risk as of that review, else the next
 * review is scheduled. The lost deadline stays time-based and bounds the
 * reviews. When the component is not loaded, the factor x usual gap rule
 * applies; when it answers without the score (a typo in `score`, or no
 * opinion on this customer), or fails, that review is judged by the
 * factor x usual gap rule. "Not loaded" and "no such score" are warned
 * once per handle (struct crm lcm_warned); a failed call each time.
 *
 * The reviews of one customer due up to a time t are those after its
 * lifecycle clock (lc_evaluated_at: every review up to the clock was
 * judged). The customer has been silent through all of them (an event
 * applies the due reviews first), and a silence model's score does not
 * fall while the customer stays silent (P(alive) decreases and the
 * rhythm risk increases with silence). So the core asks as of t first:
 * below the threshold, no review crossed and the stored score is
 * current. Else it asks about the last due review, and a bisection finds
 * the first review that crossed (O(log n) asks); the customer moves as of
 * it. A last ask as of t leaves the stored score current.
 */
#include <stdio.h>
#include <string.h>

#include "crm_int.h"
#include "lifecycle_model.h"

#define CRM__DAY 86400

/* 1 the first time `key` is warned about in slot i of this handle. */
static int crm__lcm_first_warning(crm *c, int i, const char *key)
{
  if(strcmp(c->lcm_warned[i], key) == 0)
    return 0;
  snprintf(c->lcm_warned[i], sizeof(c->lcm_warned[i]), "%s", key);
  return 1;
}

int crm__lcm_active(crm *c)
{
  const crm__lifecycle_cfg *lc = &c->lc;
  crm__component *comp;

  if(!lc->at_risk_component[0])
    return 0;
  comp = crm__component_find(c, CRM_KIND_SCORING, lc->at_risk_component);
  if(comp && comp->vt.scoring.score_event)
    return 1;
  if(crm__lcm_first_warning(c, 0, lc->at_risk_component)) {
    crm__log(c, CRM_LOG_WARN, "lifecycle", "lifecycle.at_risk_model: "
             "scoring component \"%s\" is not loaded (or has no score "
             "step): at risk by the silence rule (at_risk_factor %g x "
             "usual gap) instead", lc->at_risk_component, lc->at_risk_factor);
  }
  return 0;
}

/* The rule as part of the lifecycle signature: "" when it does not apply,
 * so that loading or losing the component re-reviews like a change of
 * at_risk_factor does. */
void crm__lcm_signature(crm *c, char *buf, size_t size)
{
  const crm__lifecycle_cfg *lc = &c->lc;

  if(!crm__lcm_active(c)) {
    if(size)
      buf[0] = '\0';
    return;
  }
  snprintf(buf, size, " model=%s/%s/%.6f/%d", lc->at_risk_component,
           lc->at_risk_score, lc->at_risk_threshold, lc->at_risk_check_days);
}

int crm__lcm_same(const crm__lifecycle_cfg *a, const crm__lifecycle_cfg *b)
{
  return strcmp(a->at_risk_component, b->at_risk_component) == 0 &&
         strcmp(a->at_risk_score, b->at_risk_score) == 0 &&
         a->at_risk_threshold == b->at_risk_threshold &&
         a->at_risk_check_days == b->at_risk_check_days;
}

int64_t crm__lcm_next_check(const crm *c, int64_t last, int64_t after)
{
  int64_t step = (int64_t)c->lc.at_risk_check_days * CRM__DAY;

  if(after < last)
    after = last;
  return last + ((after - last) / step + 1) * step;
}

/* The same review times as crm__lcm_next_check after each customer's
 * clock, for every customer (rule just applied). */
static const char crm__sql_lcm_rereview[] =
  "UPDATE customers SET next_review_at = CASE"
  " WHEN last_purchase_at = 0 THEN NULL"
  " WHEN stage IN (4, 5, 6, 9) THEN min(last_purchase_at + ?1 *"
  "   ((max(lc_evaluated_at, last_purchase_at) - last_purchase_at) / ?1"
  "   + 1), last_purchase_at + ?2)"
  " WHEN stage = 7 THEN last_purchase_at + ?2"
  " ELSE NULL END";

int crm__lcm_rereview_all(crm *c)
{
  sqlite3_stmt *st;
  int rc;

  st = crm__stmt(c, crm__sql_lcm_rereview);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, (int64_t)c->lc.at_risk_check_days * CRM__DAY);
  sqlite3_bind_int64(st, 2, (int64_t)c->lc.lost_days * CRM__DAY);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "rescheduling lifecycle reviews");
  crm__log(c, CRM_LOG_INFO, "lifecycle", "at_risk_model %s: review times "
           "recomputed for %d customers", c->lc.at_risk_component,
           sqlite3_changes(c->db));
  return CRM_OK;
}

/* The review judged by the factor x usual gap rule: the model gave no
 * answer. */
static void crm__lcm_fallback(crm *c, const crm_customer *cust, int64_t at,
                              int64_t risk_at, int *risky, char *cause,
                              size_t size)
{
  const crm__lifecycle_cfg *lc = &c->lc;

  if(at < risk_at)
    return;
  *risky = 1;
  snprintf(cause, size, "rule at_risk: no purchase for %lld days (usual gap "
           "%lld days, threshold %lld days; no %s %s)",
           (long long)((at - cust->last_purchase_at) / CRM__DAY),
           (long long)(crm__usual_gap(cust) / CRM__DAY),
           (long long)((risk_at - cust->last_purchase_at) / CRM__DAY),
           lc->at_risk_component, lc->at_risk_score);
}

/* The model answered but stored no such score. */
static void crm__lcm_warn_missing(crm *c, const crm_customer *cust,
                                  int64_t at)
{
  const crm__lifecycle_cfg *lc = &c->lc;
  char key[136];
  char day[24];

  snprintf(key, sizeof(key), "%s/%s", lc->at_risk_component,
           lc->at_risk_score);
  if(!crm__lcm_first_warning(c, 1, key))
    return;
  crm_time_format(at, day, sizeof(day));
  crm__log(c, CRM_LOG_WARN, "lifecycle", "lifecycle.at_risk_model: "
           "scoring component \"%s\" wrote no score \"%s\" (customer #%lld "
           "as of %s): such reviews are judged by the silence rule "
           "(at_risk_factor %g x usual gap) instead", lc->at_risk_component,
           lc->at_risk_score, (long long)cust->id, day, lc->at_risk_factor);
}

int crm__lcm_judge(crm *c, const crm_customer *cust, int64_t at,
                   int64_t risk_at, int *risky, char *cause, size_t size)
{
  const crm__lifecycle_cfg *lc = &c->lc;
  double v = 0;
  int asked;
  int rc;

  *risky = 0;
  rc = crm__score_ask(c, lc->at_risk_component, cust, at);
  asked = rc == CRM_OK;
  if(asked)
    rc = crm_score_get(c, cust->id, lc->at_risk_component, lc->at_risk_score,
                       &v);
  if(rc == CRM_ENOMEM || rc == CRM_ESTORE)
    return rc;
  if(asked && rc == CRM_ENOTFOUND)
    crm__lcm_warn_missing(c, cust, at);
  else if(rc)
    crm__log(c, CRM_LOG_WARN, "lifecycle", "at_risk_model: asking %s about "
             "customer #%lld failed (%s); judged by the silence rule",
             lc->at_risk_component, (long long)cust->id, crm_errmsg(c));
  if(rc) {
    crm__clear_err(c);
    crm__lcm_fallback(c, cust, at, risk_at, risky, cause, size);
    return CRM_OK;
  }
  if(v < lc->at_risk_threshold)
    return CRM_OK;
  *risky = 1;
  snprintf(cause, size, "%s %s %.2f >= %.2f (model %s)",
           lc->at_risk_component, lc->at_risk_score, v,
           lc->at_risk_threshold, lc->at_risk_component);
  return CRM_OK;
}

/* Asks the model once more as of t, so that the customer's stored scores
 * are current. */
static int crm__lcm_refresh(crm *c, const crm_customer *cust, int64_t t)
{
  int rc = crm__score_ask(c, c->lc.at_risk_component, cust, t);

  if(rc == CRM_ENOMEM || rc == CRM_ESTORE)
    return rc;
  if(rc)
    crm__log(c, CRM_LOG_WARN, "lifecycle", "at_risk_model: asking %s about "
             "customer #%lld failed (%s); its scores are not current",
             c->lc.at_risk_component, (long long)cust->id, crm_errmsg(c));
  crm__clear_err(c);
  return CRM_OK;
}

static const char crm__sql_lcm_clock[] =
  "SELECT lc_evaluated_at FROM customers WHERE id = ?1";

/* The due reviews: first + k * step for k in [0, *n). */
static int crm__lcm_reviews(crm *c, const crm_customer *cust, int64_t t,
                            int64_t lost, int64_t *first, int64_t *n)
{
  int64_t step = (int64_t)c->lc.at_risk_check_days * CRM__DAY;
  int64_t clock = 0;
  int64_t end;
  sqlite3_stmt *st;
  int rc;

  *n = 0;
  if(cust->last_purchase_at + step > t || cust->last_purchase_at + step >= lost)
    return CRM_OK; /* no review can be due yet: skip the clock look-up */
  st = crm__stmt(c, crm__sql_lcm_clock);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, cust->id);
  rc = crm__step_row(c, st, &clock, 1, "reading lifecycle clock");
  if(rc)
    return rc;
  *first = crm__lcm_next_check(c, cust->last_purchase_at, clock);
  end = t < lost - 1 ? t : lost - 1; /* the last review time allowed */
  if(*first <= end)
    *n = (end - *first) / step + 1;
  return CRM_OK;
}

/* The first review in [lo, hi] whose judgment is at risk, hi being at
 * risk (cause filled for hi): a bisection. *asked: the last review asked. */
static int crm__lcm_first_crossing(crm *c, const crm_customer *cust,
                                   int64_t first, int64_t risk_at,
                                   int64_t lo, int64_t *hi, int64_t *asked,
                                   char *cause, size_t size)
{
  int64_t step = (int64_t)c->lc.at_risk_check_days * CRM__DAY;
  char buf[192];
  int rc;

  while(lo < *hi) {
    int64_t mid = lo + (*hi - lo) / 2;
    int risky = 0;

    *asked = first + mid * step;
    rc = crm__lcm_judge(c, cust, *asked, risk_at, &risky, buf, sizeof(buf));
    if(rc)
      return rc;
    if(risky) {
      *hi = mid;
      snprintf(cause, size, "%s", buf);
    }
    else
      lo = mid + 1;
  }
  return CRM_OK;
}

int crm__lcm_due(crm *c, const crm_customer *cust, int64_t t, int64_t risk_at,
                 int64_t lost, int at_event, int64_t *at, char *cause,
                 size_t size)
{
  int64_t step = (int64_t)c->lc.at_risk_check_days * CRM__DAY;
  int64_t first = 0, n = 0, hi, last, asked;
  int risky = 1;
  int rc;

  *at = 0;
  rc = crm__lcm_reviews(c, cust, t, lost, &first, &n);
  if(rc || n == 0)
    return rc;
  hi = n - 1;
  last = first + hi * step;
  asked = 0;
  /* As of t first (between events): below the threshold, no earlier
   * review crossed (the score does not fall during silence), and the
   * stored score is current. Not before an event at t: stored already,
   * the model would see it. */
  if(!at_event) {
    asked = t;
    rc = crm__lcm_judge(c, cust, t, risk_at, &risky, cause, size);
  }
  if(!rc && risky && asked != last) {
    asked = last;
    rc = crm__lcm_judge(c, cust, last, risk_at, &risky, cause, size);
  }
  /* the last due review crossed: the first one that did is in [0, hi] */
  if(!rc && risky)
    rc = crm__lcm_first_crossing(c, cust, first, risk_at, 0, &hi, &asked,
                                 cause, size);
  if(rc)
    return rc;
  if(risky)
    *at = first + hi * step;
  if(!at_event && asked != t)
    rc = crm__lcm_refresh(c, cust, t);
  return rc;
}
