/* STUB - service recovery: placeholder so the tree builds; the owner replaces it. */
#include <string.h>

#include "case_int.h"


int crm__recovery_grant(crm *c, const crm__case_row *r,
                        const crm_case_decision *d, const char *scheme,
                        const char *actor, int64_t at)
{
  (void)c; (void)r; (void)d; (void)scheme; (void)actor; (void)at;
  return CRM_OK;
}
