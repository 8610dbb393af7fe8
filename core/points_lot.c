/* points_lot.c - STUB: replaced by the loyalty-engine work. */
#include "points_int.h"

int crm__lot_create(crm *c, const crm__scheme *s, int64_t customer_id, const char *scheme, int64_t event_id, int64_t entry_id, int64_t points, int64_t earned_at, int64_t release_at, int64_t expires_at, int recover_shortfall, int64_t *lot_id)
{
  (void)c;
  (void)s;
  (void)customer_id;
  (void)scheme;
  (void)event_id;
  (void)entry_id;
  (void)points;
  (void)earned_at;
  (void)release_at;
  (void)expires_at;
  (void)recover_shortfall;
  (void)lot_id;
  return CRM_ENOTSUP;
}

int crm__lots_draw(crm *c, int64_t customer_id, const char *scheme, int64_t entry_id, int64_t points)
{
  (void)c;
  (void)customer_id;
  (void)scheme;
  (void)entry_id;
  (void)points;
  return CRM_ENOTSUP;
}

int crm__lots_take_back(crm *c, int64_t customer_id, const char *scheme, int64_t entry_id, int64_t lot_event_id, int from_pending, int64_t points, int64_t *taken_available, int64_t *taken_pending)
{
  (void)c;
  (void)customer_id;
  (void)scheme;
  (void)entry_id;
  (void)lot_event_id;
  (void)from_pending;
  (void)points;
  (void)taken_available;
  (void)taken_pending;
  return CRM_ENOTSUP;
}

int crm__lots_restore(crm *c, int64_t entry_id, int64_t *restored)
{
  (void)c;
  (void)entry_id;
  (void)restored;
  return CRM_ENOTSUP;
}

int crm__lots_due(crm *c, int64_t customer_id, int64_t as_of, crm_due_stats *stats)
{
  (void)c;
  (void)customer_id;
  (void)as_of;
  (void)stats;
  return CRM_ENOTSUP;
}
