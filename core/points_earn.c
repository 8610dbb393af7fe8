/* points_earn.c - STUB: replaced by the loyalty-engine work. */
#include "points_int.h"

int crm__points_reconcile(crm *c, const crm__scheme *s, const char *scheme, int64_t customer_id, int64_t purchase_event_id, int64_t at, int64_t cause_event_id)
{
  (void)c;
  (void)s;
  (void)scheme;
  (void)customer_id;
  (void)purchase_event_id;
  (void)at;
  (void)cause_event_id;
  return CRM_ENOTSUP;
}

int crm__points_on_event(crm *c, const crm_event *ev, crm_customer *cust, int64_t event_id, int64_t t, int64_t *net)
{
  (void)c;
  (void)ev;
  (void)cust;
  (void)event_id;
  (void)t;
  (void)net;
  return CRM_ENOTSUP;
}
