/* trigger.c - STUB (issue 6 contract): replaced by its owner. */
#include "comm_int.h"

int crm__trigger_on_stage(crm *c, int64_t customer_id, int from, int to,
                          int64_t at)
{
  (void)c;
  (void)customer_id;
  (void)from;
  (void)to;
  (void)at;
  return CRM_OK;
}

int crm__trigger_on_tier(crm *c, int64_t customer_id, const char *scheme,
                         const char *from, const char *to, int up, int64_t at)
{
  (void)c;
  (void)customer_id;
  (void)scheme;
  (void)from;
  (void)to;
  (void)up;
  (void)at;
  return CRM_OK;
}

int crm__trigger_on_event(crm *c, int64_t customer_id, int64_t event_id,
                          const char *type, int64_t at)
{
  (void)c;
  (void)customer_id;
  (void)event_id;
  (void)type;
  (void)at;
  return CRM_OK;
}

int crm__trigger_on_case_closed(crm *c, int64_t customer_id, int64_t case_id,
                                int64_t at)
{
  (void)c;
  (void)customer_id;
  (void)case_id;
  (void)at;
  return CRM_OK;
}

int crm__trigger_on_customer(crm *c, int64_t customer_id)
{
  (void)c;
  (void)customer_id;
  return CRM_OK;
}

int crm__trigger_on_expiry(crm *c, int64_t customer_id, const char *scheme,
                           int64_t expires_at)
{
  (void)c;
  (void)customer_id;
  (void)scheme;
  (void)expires_at;
  return CRM_OK;
}

int crm_trigger_foreach(crm *c,
                        int (*cb)(void *ud, const crm_trigger_info *t),
                        void *ud)
{
  (void)cb;
  (void)ud;
  return crm__err(c, CRM_ENOTSUP, "triggers are not built yet");
}

int crm_triggers_run(crm *c, int64_t now, int64_t *fired)
{
  (void)now;
  if(fired)
    *fired = 0;
  (void)c;
  return CRM_OK;
}
