/* STUB - complaint statistics: placeholder so the tree builds; the owner replaces it. */
#include <string.h>

#include "case_int.h"


int crm_case_stats(crm *c, int64_t since, int64_t until,
                   int (*cb)(void *ud, const crm_case_stats_row *), void *ud,
                   crm_case_churn *churn)
{
  (void)since; (void)until; (void)cb; (void)ud; (void)churn;
  return crm__err(c, CRM_ENOTSUP, "not implemented yet");
}
