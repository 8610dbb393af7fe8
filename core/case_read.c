/* STUB - case reading: placeholder so the tree builds; the owner replaces it. */
#include <string.h>

#include "case_int.h"


int crm_case_find(crm *c, const char *ref, int64_t *case_id)
{
  (void)ref; (void)case_id;
  return crm__err(c, CRM_ENOTSUP, "not implemented yet");
}

int crm_case_get(crm *c, int64_t case_id, crm_case *out)
{
  (void)case_id; (void)out;
  return crm__err(c, CRM_ENOTSUP, "not implemented yet");
}

int crm_cases_query(crm *c, const crm_case_filter_q *f,
                    int (*cb)(void *ud, const crm_case *), void *ud)
{
  (void)f; (void)cb; (void)ud;
  return crm__err(c, CRM_ENOTSUP, "not implemented yet");
}

int crm_case_history_foreach(crm *c, int64_t case_id,
                             int (*cb)(void *ud, const crm_case_event *),
                             void *ud)
{
  (void)case_id; (void)cb; (void)ud;
  return crm__err(c, CRM_ENOTSUP, "not implemented yet");
}

int crm_case_messages_foreach(crm *c, int64_t case_id,
                              int (*cb)(void *ud, const crm_case_msg *),
                              void *ud)
{
  (void)case_id; (void)cb; (void)ud;
  return crm__err(c, CRM_ENOTSUP, "not implemented yet");
}
