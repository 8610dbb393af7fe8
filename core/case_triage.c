/* STUB - triage: placeholder so the tree builds; the owner replaces it. */
#include <string.h>

#include "case_int.h"


int crm__case_triage(crm *c, const crm__case_row *r, int given_category,
                     int given_priority, const char *actor,
                     crm_case_decision *d)
{
  (void)c; (void)r; (void)given_category; (void)given_priority;
  (void)actor; (void)d;
  return CRM_OK;
}

int crm__complaint_is_triage(const crm__component *comp)
{
  (void)comp;
  return 0;
}

int crm_case_train(crm *c, int64_t as_of)
{
  (void)as_of;
  return crm__err(c, CRM_ENOTSUP, "not implemented yet");
}
