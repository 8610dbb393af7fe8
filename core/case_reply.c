/* STUB - case messages: placeholder so the tree builds; the owner replaces it. */
#include <string.h>

#include "case_int.h"


int crm_case_reply(crm *c, int64_t case_id, int kind, const char *text,
                   uint32_t flags, const crm_case_op *op, int64_t *out_case,
                   int64_t *out_msg)
{
  (void)case_id; (void)kind; (void)text; (void)flags; (void)op;
  (void)out_case; (void)out_msg;
  return crm__err(c, CRM_ENOTSUP, "not implemented yet");
}
