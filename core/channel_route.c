/* channel_route.c - STUB (issue 6 contract): replaced by its owner. */
#include "comm_int.h"

int crm__channel_resolve(crm *c, int64_t customer_id, const char *channel,
                         crm__route *tmp, const crm__route **out)
{
  (void)customer_id;
  (void)channel;
  (void)tmp;
  *out = NULL;
  return crm__err(c, CRM_ENOTSUP, "channel routes are not built yet");
}

crm__component *crm__route_component(crm *c, const crm__route *r)
{
  (void)r;
  crm__err(c, CRM_ENOTSUP, "channel routes are not built yet");
  return NULL;
}

int crm__route_address(crm *c, const crm__route *r, const crm_customer *cust,
                       char *buf, size_t size)
{
  (void)r;
  (void)cust;
  (void)size;
  buf[0] = '\0';
  return crm__err(c, CRM_ENOTSUP, "channel routes are not built yet");
}
