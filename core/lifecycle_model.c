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
 * At each review the core asks the component about the customer as of
 * the review time (score_event with ev NULL) and reads its stored score;
 * at or above the threshold the customer turns at_risk as of that
 * review, else the next review is scheduled. The lost deadline stays
 * time-based and bounds the reviews. When the component is not loaded,
 * the factor x usual gap rule applies (one warning per process).
 *
 * The reviews of one customer due up to a time are judged in order from
 * the first after its lifecycle clock (lc_evaluated_at: every review up
 * to the clock was judged), so a late crm_lifecycle_advance moves the
 * customer at the first review whose score crossed the threshold.
 */
#include <stdio.h>
#include <string.h>

#include "crm_int.h"

#define CRM__DAY 86400

static int crm__lcm_warned; /* per process: "component not loaded" */

int crm__lcm_active(crm *c)
{
  const crm__lifecycle_cfg *lc = &c->lc;
  crm__component *comp;

  if(!lc->at_risk_component[0])
    return 0;
  comp = crm__component_find(c, CRM_KIND_SCORING, lc->at_risk_component);
  if(comp && comp->vt.scoring.score_event)
    return 1;
  if(!crm__lcm_warned) {
    crm__lcm_warned = 1;
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

int crm__lcm_judge(crm *c, const crm_customer *cust, int64_t at, int *risky,
                   char *cause, size_t size)
{
  const crm__lifecycle_cfg *lc = &c->lc;
  double v = 0;
  int rc;

  *risky = 0;
  rc = crm__score_ask(c, lc->at_risk_component, cust, at);
  if(!rc)
    rc = crm_score_get(c, cust->id, lc->at_risk_component, lc->at_risk_score,
                       &v);
  if(rc == CRM_ENOMEM || rc == CRM_ESTORE)
    return rc;
  if(rc == CRM_ENOTFOUND) { /* the model has no opinion: not at risk */
    crm__clear_err(c);
    return CRM_OK;
  }
  if(rc) {
    crm__log(c, CRM_LOG_WARN, "lifecycle", "at_risk_model: asking %s about "
             "customer #%lld failed (%s); judged not at risk",
             lc->at_risk_component, (long long)cust->id, crm_errmsg(c));
    crm__clear_err(c);
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

static const char crm__sql_lcm_clock[] =
  "SELECT lc_evaluated_at FROM customers WHERE id = ?1";

int crm__lcm_due(crm *c, const crm_customer *cust, int64_t t, int64_t lost,
                 int64_t *at, char *cause, size_t size)
{
  int64_t step = (int64_t)c->lc.at_risk_check_days * CRM__DAY;
  int64_t clock = 0;
  int64_t check;
  sqlite3_stmt *st;
  int risky;
  int rc;

  *at = 0;
  if(cust->last_purchase_at + step > t || cust->last_purchase_at + step >= lost)
    return CRM_OK; /* no review can be due yet: skip the clock look-up */
  st = crm__stmt(c, crm__sql_lcm_clock);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, cust->id);
  rc = crm__step_row(c, st, &clock, 1, "reading lifecycle clock");
  if(rc)
    return rc;
  check = crm__lcm_next_check(c, cust->last_purchase_at, clock);
  for(; check <= t && check < lost; check += step) {
    rc = crm__lcm_judge(c, cust, check, &risky, cause, size);
    if(rc)
      return rc;
    if(risky) {
      *at = check;
      return CRM_OK;
    }
  }
  return CRM_OK;
}
