/*
 * lifecycle_model.h - the at_risk_model lifecycle rule (lifecycle_model.c),
 * used by lifecycle.c.
 */
#ifndef CRM_LIFECYCLE_MODEL_H
#define CRM_LIFECYCLE_MODEL_H

#include "crm_int.h"

/* 1 when lifecycle.at_risk_model is set and its component is loaded with
 * a score step; warns once per process when it is set but not loaded. */
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
 * when its score is at or above the threshold. A model that fails or has
 * no score for the customer judges "not at risk" (logged). */
int crm__lcm_judge(crm *c, const crm_customer *cust, int64_t at, int *risky,
                   char *cause, size_t size);
/* Judges the reviews of a buying customer due after its lifecycle clock,
 * up to t and before lost, in order: *at is the first one at risk (cause
 * filled), 0 when none. */
int crm__lcm_due(crm *c, const crm_customer *cust, int64_t t, int64_t lost,
                 int64_t *at, char *cause, size_t size);

#endif
