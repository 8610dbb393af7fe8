/*
 * lifecycle_model.h - the at_risk_model lifecycle rule (lifecycle_model.c),
 * used by lifecycle.c.
 */
#ifndef CRM_LIFECYCLE_MODEL_H
#define CRM_LIFECYCLE_MODEL_H

#include "crm_int.h"

/* 1 when lifecycle.at_risk_model is set and its component is loaded with
 * a score step; warns once per handle when it is set but not loaded. */
int crm__lcm_active(crm *c);
/* " model=..." for the lifecycle signature ("" when the rule does not
 * apply). */
void crm__lcm_signature(crm *c, char *buf, size_t size);
/* 1 when a and b have the same at_risk_model settings. */
int crm__lcm_same(const crm__lifecycle_cfg *a, const crm__lifecycle_cfg *b);
/* The first review last + k * check_days (k >= 1) after `after`. */
int64_t crm__lcm_next_check(const crm *c, int64_t last, int64_t after);
/* Recomputes every customer's review time for the rule. */
int crm__lcm_rereview_all(crm *c);
/* Asks the model about cust as of `at`; *risky = 1 (and cause filled)
 * when its score is at or above the threshold. When the model stores no
 * such score (warned once per handle) or fails (logged), the review is
 * judged by the factor x usual gap rule: at risk when at >= risk_at. */
int crm__lcm_judge(crm *c, const crm_customer *cust, int64_t at,
                   int64_t risk_at, int *risky, char *cause, size_t size);
/* Judges the reviews of a buying customer due after its lifecycle clock,
 * up to t and before lost: *at is the first one at risk (cause filled),
 * 0 when none. Assumes the score does not fall while the customer stays
 * silent: asks as of t (not when at_event: the event at t is stored
 * already and the model would see it), then about the last due review,
 * then bisects (O(log n) asks), then, unless at_event (the score step
 * follows), asks as of t so that the stored scores are current. risk_at:
 * the factor x usual gap deadline, for reviews the model cannot judge. */
int crm__lcm_due(crm *c, const crm_customer *cust, int64_t t, int64_t risk_at,
                 int64_t lost, int at_event, int64_t *at, char *cause,
                 size_t size);
/* The customer's usual gap between purchases, in seconds (lifecycle.c). */
int64_t crm__usual_gap(const crm_customer *cust);

#endif
