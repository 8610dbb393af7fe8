/*
 * score_fit.c - the fit step of scoring components, model figures and
 * the record of fits (crm_score_fit, crm_figures_foreach, ...).
 */
#include "crm_int.h"

int crm_score_fit(crm *c, const char *model, int64_t as_of, unsigned flags,
                  crm_progress_fn progress, void *ud, size_t *n_scored)
{
  (void)model; (void)as_of; (void)flags; (void)progress; (void)ud;
  if(n_scored)
    *n_scored = 0;
  return c ? crm__err(c, CRM_ENOTSUP, "not implemented yet") : CRM_EINVAL;
}

int crm_score_get(crm *c, int64_t customer_id, const char *model,
                  const char *name, double *value)
{
  (void)customer_id; (void)model; (void)name; (void)value;
  return c ? crm__err(c, CRM_ENOTSUP, "not implemented yet") : CRM_EINVAL;
}

int crm_figures_foreach(crm *c, const char *model,
                        int (*cb)(void *ud, const crm_figure *), void *ud)
{
  (void)model; (void)cb; (void)ud;
  return c ? crm__err(c, CRM_ENOTSUP, "not implemented yet") : CRM_EINVAL;
}

int crm_figure_get(crm *c, const char *model, const char *name,
                   double *value)
{
  (void)model; (void)name; (void)value;
  return c ? crm__err(c, CRM_ENOTSUP, "not implemented yet") : CRM_EINVAL;
}

int crm_score_fits_foreach(crm *c, const char *model,
                           int (*cb)(void *ud, const crm_score_fit_info *),
                           void *ud)
{
  (void)model; (void)cb; (void)ud;
  return c ? crm__err(c, CRM_ENOTSUP, "not implemented yet") : CRM_EINVAL;
}
