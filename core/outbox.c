/* outbox.c - STUB (issue 6 contract): replaced by its owner. */
#include "comm_int.h"

#define CRM__STUB(c) crm__err((c), CRM_ENOTSUP, "the outbox is not built yet")

int crm__outbox_insert(crm *c, const crm__outbox_row *r, int64_t *id,
                       int *dup)
{
  (void)r;
  (void)id;
  (void)dup;
  return CRM__STUB(c);
}

int crm_outbox_foreach(crm *c, const crm_outbox_filter *f,
                       int (*cb)(void *ud, const crm_outbox_msg *m), void *ud)
{
  (void)f;
  (void)cb;
  (void)ud;
  return CRM__STUB(c);
}

int crm_outbox_get(crm *c, int64_t id, crm_outbox_msg *out)
{
  (void)id;
  (void)out;
  return CRM__STUB(c);
}

int crm_outbox_enqueue(crm *c, const crm_outbox_new *m, int64_t *id)
{
  (void)m;
  (void)id;
  return CRM__STUB(c);
}

int crm_outbox_retry(crm *c, int64_t id)
{
  (void)id;
  return CRM__STUB(c);
}

int crm_outbox_purge(crm *c, int64_t before, const char *status, int64_t *n)
{
  (void)before;
  (void)status;
  (void)n;
  return CRM__STUB(c);
}

int crm_outbox_receipt(crm *c, const char *channel, const char *provider_ref,
                       const char *what, const char *detail)
{
  (void)channel;
  (void)provider_ref;
  (void)what;
  (void)detail;
  return CRM__STUB(c);
}

int crm_bad_address_foreach(crm *c,
                            int (*cb)(void *ud, const crm_bad_address *b),
                            void *ud)
{
  (void)cb;
  (void)ud;
  return CRM__STUB(c);
}

int crm_bad_address_clear(crm *c, const char *channel, const char *address)
{
  (void)channel;
  (void)address;
  return CRM__STUB(c);
}
