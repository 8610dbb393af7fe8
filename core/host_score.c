/*
 * host_score.c - SDK 1.3 host services for scoring models: scores with
 * explanations, model figures, the event walk and fit progress.
 */
#include "crm_int.h"

int crm__score_write(crm *c, int64_t customer_id, const char *model,
                     const crm_score_value *s)
{
  (void)customer_id; (void)model; (void)s;
  return crm__err(c, CRM_ENOTSUP, "not implemented yet");
}

int crm__figure_put(crm *c, const char *model, const char *name,
                    double value, const char *label)
{
  (void)model; (void)name; (void)value; (void)label;
  return crm__err(c, CRM_ENOTSUP, "not implemented yet");
}

int crm__events_walk(crm *c, const crm_event_filter *f, crm_event_cb cb,
                     void *ud)
{
  (void)f; (void)cb; (void)ud;
  return crm__err(c, CRM_ENOTSUP, "not implemented yet");
}

int crm__fit_progress(crm *c, int64_t done, int64_t total)
{
  (void)c; (void)done; (void)total;
  return CRM_OK;
}
