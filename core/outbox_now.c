/*
 * outbox_now.c - crm_outbox_send_now: one message attempted at once (for
 * `crm send test`), through the dispatcher's own attempt
 * (crm__outbox_attempt in outbox_run.c) so that the gate, the claim, the
 * channel and the recorded outcome are those of crm_outbox_run.
 */
#include "comm_int.h"

int crm_outbox_send_now(crm *c, int64_t id)
{
  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(id <= 0)
    return crm__err(c, CRM_EINVAL, "invalid message id %lld",
                    (long long)id);
  return crm__outbox_attempt(c, id);
}
