/* outbox_run.c - STUB (issue 6 contract): replaced by its owner. */
#include "comm_int.h"

int crm_outbox_run(crm *c, const crm_outbox_run_opts *opts,
                   crm_outbox_stats *stats)
{
  (void)opts;
  (void)stats;
  return crm__err(c, CRM_ENOTSUP, "the outbox is not built yet");
}

int crm__outbox_attempt(crm *c, int64_t id)
{
  (void)id;
  return crm__err(c, CRM_ENOTSUP, "the outbox is not built yet");
}

int crm_channel_foreach(crm *c,
                        int (*cb)(void *ud, const crm_channel_status *s),
                        void *ud)
{
  (void)cb;
  (void)ud;
  return crm__err(c, CRM_ENOTSUP, "the outbox is not built yet");
}
