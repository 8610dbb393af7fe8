/* scheme_config.c - STUB: replaced by the loyalty-engine work. */
#include "points_int.h"

int crm_schemes_foreach(crm *c, int (*cb)(void *ud, const crm_scheme_info *), void *ud)
{
  (void)c;
  (void)cb;
  (void)ud;
  return CRM_ENOTSUP;
}

int crm__scheme_parse(crm__cfgread *r, const void *setting, crm__scheme **out)
{
  (void)r;
  (void)setting;
  (void)out;
  return CRM_ENOTSUP;
}

void crm__scheme_free(crm__scheme *s)
{
  (void)s;
}

const crm__scheme *crm__scheme_default(void)
{
  return NULL;
}

int crm__scheme_find(crm *c, const char *name, crm__component **comp, const crm__scheme **scheme)
{
  (void)c;
  (void)name;
  (void)comp;
  (void)scheme;
  return CRM_ENOTSUP;
}

const crm__scheme *crm__scheme_of(const crm__component *comp)
{
  (void)comp;
  return NULL;
}

int64_t crm__scheme_expiry(const crm__scheme *s, int64_t at)
{
  (void)s;
  (void)at;
  return 0;
}

void crm__scheme_expiry_text(const crm__scheme *s, char *buf, size_t size)
{
  (void)s;
  (void)buf;
  (void)size;
}

int crm__scheme_member(crm *c, const crm__scheme *s, int64_t customer_id, int *member)
{
  (void)c;
  (void)s;
  (void)customer_id;
  (void)member;
  return CRM_ENOTSUP;
}

const crm__catalogue_item *crm__scheme_item(const crm__scheme *s, const char *code)
{
  (void)s;
  (void)code;
  return NULL;
}
