/* points_ops.c - STUB: replaced by the loyalty-engine work. */
#include "points_int.h"

int crm_points_account_get(crm *c, int64_t customer_id, const char *scheme, crm_points_account *out)
{
  (void)c;
  (void)customer_id;
  (void)scheme;
  (void)out;
  return CRM_ENOTSUP;
}

int crm_points_accounts_foreach(crm *c, int64_t customer_id, int (*cb)(void *ud, const crm_points_account *), void *ud)
{
  (void)c;
  (void)customer_id;
  (void)cb;
  (void)ud;
  return CRM_ENOTSUP;
}

int crm_points_check(crm *c, int64_t customer_id, const char *scheme)
{
  (void)c;
  (void)customer_id;
  (void)scheme;
  return CRM_ENOTSUP;
}

int crm_points_lots_foreach(crm *c, int64_t customer_id, const char *scheme, int all, int (*cb)(void *ud, const crm_points_lot *), void *ud)
{
  (void)c;
  (void)customer_id;
  (void)scheme;
  (void)all;
  (void)cb;
  (void)ud;
  return CRM_ENOTSUP;
}

int crm_points_adjust(crm *c, int64_t customer_id, int64_t points, const crm_points_op *op)
{
  (void)c;
  (void)customer_id;
  (void)points;
  (void)op;
  return CRM_ENOTSUP;
}

int crm_points_transfer(crm *c, int64_t from_customer, int64_t to_customer, int64_t points, const crm_points_op *op)
{
  (void)c;
  (void)from_customer;
  (void)to_customer;
  (void)points;
  (void)op;
  return CRM_ENOTSUP;
}

int crm_points_process_due(crm *c, int64_t as_of, crm_due_stats *out)
{
  (void)c;
  (void)as_of;
  (void)out;
  return CRM_ENOTSUP;
}

int crm_points_statement(crm *c, int64_t customer_id, const char *scheme, int64_t from, int64_t to, int months_per_period, int (*cb)(void *ud, const crm_points_period *), void *ud)
{
  (void)c;
  (void)customer_id;
  (void)scheme;
  (void)from;
  (void)to;
  (void)months_per_period;
  (void)cb;
  (void)ud;
  return CRM_ENOTSUP;
}
