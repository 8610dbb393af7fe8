/* template.c - STUB (issue 6 contract): replaced by its owner. */
#include "comm_int.h"

int crm__cfg_templates(struct crm__cfgread *r, const void *list,
                       crm__comm_cfg *cc)
{
  (void)r;
  (void)list;
  (void)cc;
  return CRM_OK;
}

void crm__templates_free(crm__comm_cfg *cc)
{
  (void)cc;
}

const crm__template *crm__template_find(const crm__comm_cfg *cc,
                                        const char *name, const char *channel,
                                        const char *language)
{
  (void)cc;
  (void)name;
  (void)channel;
  (void)language;
  return NULL;
}

int crm__template_render(crm *c, const crm__template *t,
                         const crm_customer *cust, const crm__vars *extra,
                         crm_rendered *out)
{
  (void)t;
  (void)cust;
  (void)extra;
  (void)out;
  return crm__err(c, CRM_ENOTSUP, "templates are not built yet");
}

unsigned crm__placeholder_kinds(const char *name)
{
  (void)name;
  return 0;
}

int crm_template_foreach(crm *c,
                         int (*cb)(void *ud, const crm_template_info *t),
                         void *ud)
{
  (void)cb;
  (void)ud;
  return crm__err(c, CRM_ENOTSUP, "templates are not built yet");
}

int crm_template_render(crm *c, const char *template, int64_t customer_id,
                        const char *channel, const char *language,
                        const char *const *vars, crm_rendered *out)
{
  (void)template;
  (void)customer_id;
  (void)channel;
  (void)language;
  (void)vars;
  (void)out;
  return crm__err(c, CRM_ENOTSUP, "templates are not built yet");
}
