/* STUB - complaints config: placeholder so the tree builds; the owner replaces it. */
#include <string.h>

#include "case_int.h"


static const crm__cases_cfg crm__cases_defaults = {
  .reopen_days = 7, .close_after_days = 7, .warn_at = 0.75};

int crm__cfg_complaints(struct crm__cfgread *r, const void *s,
                        crm__cases_cfg **out)
{
  (void)r; (void)s;
  *out = NULL;
  return CRM_OK;
}

void crm__cases_cfg_free(crm__cases_cfg *cc)
{
  (void)cc;
}

const crm__cases_cfg *crm__cases(crm *c)
{
  (void)c;
  return &crm__cases_defaults;
}

const crm__team *crm__cases_team(const crm__cases_cfg *cc, const char *name)
{
  (void)cc; (void)name;
  return NULL;
}

const crm__team *crm__cases_route(const crm__cases_cfg *cc,
                                  const char *category)
{
  (void)cc; (void)category;
  return NULL;
}

const crm__sla_policy *crm__cases_policy(const crm__cases_cfg *cc,
                                         const char *category, int priority)
{
  (void)cc; (void)category; (void)priority;
  return NULL;
}

const crm__comp_limit *crm__cases_limit(const crm__cases_cfg *cc,
                                        const char *category)
{
  (void)cc; (void)category;
  return NULL;
}

int crm__team_cal(crm *c, const crm__team *t, crm__bizcal *out)
{
  (void)t; (void)out;
  return crm__err(c, CRM_ENOTSUP, "not implemented yet");
}
