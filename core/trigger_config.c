/* trigger_config.c - STUB (issue 6 contract): replaced by its owner. */
#include "comm_int.h"

int crm__cfg_triggers(struct crm__cfgread *r, const void *list,
                      crm__comm_cfg *cc)
{
  (void)r;
  (void)list;
  (void)cc;
  return CRM_OK;
}

void crm__triggers_free(crm__comm_cfg *cc)
{
  (void)cc;
}
