/* STUB - surveys: placeholder so the tree builds; the owner replaces it. */
#include <string.h>

#include "case_int.h"


int crm__survey_on_closed(crm *c, const crm__case_row *r, int64_t at)
{
  (void)c; (void)r; (void)at;
  return CRM_OK;
}

int crm_case_survey_answer(crm *c, int64_t case_id, int score, int scale,
                           int nps, const char *comment,
                           const crm_case_op *op)
{
  (void)case_id; (void)score; (void)scale; (void)nps; (void)comment;
  (void)op;
  return crm__err(c, CRM_ENOTSUP, "not implemented yet");
}

int crm_case_survey_get(crm *c, int64_t case_id, crm_case_survey *out)
{
  (void)case_id; (void)out;
  return crm__err(c, CRM_ENOTSUP, "not implemented yet");
}
