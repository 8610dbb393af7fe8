/* tier.c - STUB: replaced by the loyalty-engine work. */
#include "points_int.h"

int crm_tier_status_get(crm *c, int64_t customer_id, const char *scheme, int64_t as_of, crm_tier_status *out)
{
  (void)c;
  (void)customer_id;
  (void)scheme;
  (void)as_of;
  (void)out;
  return CRM_ENOTSUP;
}

int crm_tier_history_foreach(crm *c, int64_t customer_id, const char *scheme, int (*cb)(void *ud, const crm_tier_change *), void *ud)
{
  (void)c;
  (void)customer_id;
  (void)scheme;
  (void)cb;
  (void)ud;
  return CRM_ENOTSUP;
}

int crm__tier_activity(crm *c, int64_t customer_id, const char *scheme, int64_t event_id, int64_t at, int64_t points, int64_t credits, int64_t count, int64_t spend)
{
  (void)c;
  (void)customer_id;
  (void)scheme;
  (void)event_id;
  (void)at;
  (void)points;
  (void)credits;
  (void)count;
  (void)spend;
  return CRM_ENOTSUP;
}

int crm__tier_check(crm *c, const crm__scheme *s, int64_t customer_id, const char *scheme, int64_t as_of)
{
  (void)c;
  (void)s;
  (void)customer_id;
  (void)scheme;
  (void)as_of;
  return CRM_ENOTSUP;
}

int crm__tier_multiplier(crm *c, const crm__scheme *s, int64_t customer_id, const char *scheme, double *mult, char *tier, size_t tier_size)
{
  (void)c;
  (void)s;
  (void)customer_id;
  (void)scheme;
  (void)mult;
  (void)tier;
  (void)tier_size;
  return CRM_ENOTSUP;
}

int crm__tier_due(crm *c, int64_t customer_id, int64_t as_of, crm_due_stats *stats)
{
  (void)c;
  (void)customer_id;
  (void)as_of;
  (void)stats;
  return CRM_ENOTSUP;
}
