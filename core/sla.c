/* STUB - SLA clocks: placeholder so the tree builds; the owner replaces it. */
#include <string.h>

#include "case_int.h"


int crm__sla_on_open(crm *c, crm__case_row *r, int64_t at)
{
  (void)c; (void)r; (void)at;
  return CRM_OK;
}

int crm__sla_on_move(crm *c, crm__case_row *r, int from_class, int to_class,
                     int64_t at)
{
  (void)c; (void)r; (void)from_class; (void)to_class; (void)at;
  return CRM_OK;
}

int crm__sla_on_response(crm *c, crm__case_row *r, int64_t at)
{
  (void)c; (void)r; (void)at;
  return CRM_OK;
}

int crm__sla_on_change(crm *c, crm__case_row *r, int64_t at)
{
  (void)c; (void)r; (void)at;
  return CRM_OK;
}
