/* send_gate.c - STUB (issue 6 contract): replaced by its owner. */
#include "comm_int.h"

int crm__gate_check(crm *c, const crm__gate_in *in, crm_gate_result *out)
{
  (void)in;
  (void)out;
  return crm__err(c, CRM_ENOTSUP, "the send gate is not built yet");
}

int crm_send_check(crm *c, int64_t customer_id, const char *channel,
                   int priority, int64_t at, crm_gate_result *out)
{
  (void)customer_id;
  (void)channel;
  (void)priority;
  (void)at;
  (void)out;
  return crm__err(c, CRM_ENOTSUP, "the send gate is not built yet");
}
