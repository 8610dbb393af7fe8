/* STUB - host cases_walk: placeholder so the tree builds; the owner replaces it. */
#include <string.h>

#include "case_int.h"


int crm__host_cases_walk(crm_host_ctx *ctx, const crm_case_filter *f,
                         crm_case_cb cb, void *ud)
{
  (void)ctx; (void)f; (void)cb; (void)ud;
  return CRM_ENOTSUP;
}
