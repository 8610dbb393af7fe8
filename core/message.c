/*
 * message.c - crm_message_send: one ad-hoc service message, now, through
 * the outbox like every other message.
 *
 * The message is queued (crm_outbox_enqueue: the channel named, else the
 * customer's preferred one; stored and committed), then attempted once at
 * once (crm__outbox_attempt: the send gate, the claim, the channel, the
 * answer). A message the gate holds stays queued for crm_outbox_run; one
 * that fails temporarily is retried by it. A send inside an open batch
 * (crm_begin) is refused: the queued row could not be committed before
 * the channel is called, and a rollback of the batch would leave a
 * delivered message with no row.
 */
#include <string.h>

#include "comm_int.h"

int crm_message_send(crm *c, int64_t customer_id, const char *channel,
                     const char *subject, const char *body,
                     int64_t *message_id)
{
  crm_outbox_new m;
  int64_t id = 0;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(c->batch_depth > 0)
    return crm__err(c, CRM_ESTATE, "cannot send a message inside a batch; "
                    "commit it first");
  memset(&m, 0, sizeof(m));
  m.customer_id = customer_id;
  m.channel = channel;
  m.subject = subject && *subject ? subject : NULL;
  m.body = body ? body : "";
  m.priority = CRM_PRIORITY_SERVICE;
  rc = crm_outbox_enqueue(c, &m, &id);
  if(rc)
    return rc;
  if(message_id)
    *message_id = id;
  return crm__outbox_attempt(c, id);
}
