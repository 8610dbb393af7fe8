/* comm_config.c - STUB (issue 6 contract): replaced by its owner. */
#include "comm_int.h"

static const crm__comm_cfg crm__comm_defaults = {
  1, -1, -1, 0x7fu, NULL, 0, NULL, 0, "", "en", NULL, NULL,
  8, 60, 6 * 3600, 0.2, 300, NULL, 0, NULL, 0
};

int crm__cfg_communication(struct crm__cfgread *r, const void *s,
                           crm__comm_cfg **out)
{
  (void)r;
  (void)s;
  *out = NULL;
  return CRM_OK;
}

void crm__comm_cfg_free(crm__comm_cfg *cc)
{
  (void)cc;
}

const crm__comm_cfg *crm__comm(crm *c)
{
  if(c->conf && c->conf->comm)
    return c->conf->comm;
  return &crm__comm_defaults;
}
