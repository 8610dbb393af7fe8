/* STUB - case operations: placeholder so the tree builds; the owner replaces it. */
#include <string.h>

#include "case_int.h"


int crm_case_move_op(crm *c, int64_t case_id, const char *to_state,
                     const crm_case_op *op)
{
  (void)op;
  return crm_case_move(c, case_id, to_state, NULL);
}

int crm_case_assign(crm *c, int64_t case_id, const char *owner,
                    const char *team, const crm_case_op *op)
{
  (void)case_id; (void)owner; (void)team; (void)op;
  return crm__err(c, CRM_ENOTSUP, "not implemented yet");
}

int crm_case_resolve(crm *c, int64_t case_id, const crm_case_resolution *r)
{
  (void)case_id; (void)r;
  return crm__err(c, CRM_ENOTSUP, "not implemented yet");
}

int crm_case_close(crm *c, int64_t case_id, const crm_case_op *op)
{
  (void)case_id; (void)op;
  return crm__err(c, CRM_ENOTSUP, "not implemented yet");
}

int crm_case_reject(crm *c, int64_t case_id, const crm_case_op *op)
{
  (void)case_id; (void)op;
  return crm__err(c, CRM_ENOTSUP, "not implemented yet");
}

int crm_case_merge(crm *c, int64_t dup, int64_t into, const crm_case_op *op)
{
  (void)dup; (void)into; (void)op;
  return crm__err(c, CRM_ENOTSUP, "not implemented yet");
}
