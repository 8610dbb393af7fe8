/* STUB - SLA run and reading: placeholder so the tree builds; the owner replaces it. */
#include <string.h>

#include "case_int.h"


int crm__sla_step(crm *c, int64_t case_id, const char *kind,
                  const char *clock, int level, const char *action,
                  const char *detail, int64_t due_at, int64_t at)
{
  (void)c; (void)case_id; (void)kind; (void)clock; (void)level;
  (void)action; (void)detail; (void)due_at; (void)at;
  return CRM_OK;
}

int crm_sla_get(crm *c, int64_t case_id, crm_sla_info *out)
{
  (void)case_id; (void)out;
  return crm__err(c, CRM_ENOTSUP, "not implemented yet");
}

int crm_sla_steps_foreach(crm *c, int64_t case_id,
                          int (*cb)(void *ud, const crm_sla_step *), void *ud)
{
  (void)case_id; (void)cb; (void)ud;
  return crm__err(c, CRM_ENOTSUP, "not implemented yet");
}

int crm_sla_run(crm *c, int64_t as_of, crm_sla_run_stats *out)
{
  (void)as_of; (void)out;
  return crm__err(c, CRM_ENOTSUP, "not implemented yet");
}
