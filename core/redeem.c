/* redeem.c - STUB: replaced by the loyalty-engine work. */
#include "points_int.h"

int crm_rewards_foreach(crm *c, const char *scheme, int (*cb)(void *ud, const crm_reward_item *), void *ud)
{
  (void)c;
  (void)scheme;
  (void)cb;
  (void)ud;
  return CRM_ENOTSUP;
}

int crm_points_redeem(crm *c, int64_t customer_id, const char *item, const crm_points_op *op, crm_voucher *out)
{
  (void)c;
  (void)customer_id;
  (void)item;
  (void)op;
  (void)out;
  return CRM_ENOTSUP;
}

int crm_voucher_get(crm *c, const char *code, crm_voucher *out)
{
  (void)c;
  (void)code;
  (void)out;
  return CRM_ENOTSUP;
}

int crm_voucher_use(crm *c, const char *code, const crm_points_op *op)
{
  (void)c;
  (void)code;
  (void)op;
  return CRM_ENOTSUP;
}

int crm_voucher_void(crm *c, const char *code, const crm_points_op *op)
{
  (void)c;
  (void)code;
  (void)op;
  return CRM_ENOTSUP;
}

int crm_vouchers_foreach(crm *c, int64_t customer_id, int (*cb)(void *ud, const crm_voucher *), void *ud)
{
  (void)c;
  (void)customer_id;
  (void)cb;
  (void)ud;
  return CRM_ENOTSUP;
}

int crm_payouts_foreach(crm *c, int64_t customer_id, int (*cb)(void *ud, const crm_payout *), void *ud)
{
  (void)c;
  (void)customer_id;
  (void)cb;
  (void)ud;
  return CRM_ENOTSUP;
}

int crm__redeem_auto(crm *c, const crm__scheme *s, const char *scheme, int64_t customer_id, int64_t cause_event_id, int64_t at)
{
  (void)c;
  (void)s;
  (void)scheme;
  (void)customer_id;
  (void)cause_event_id;
  (void)at;
  return CRM_ENOTSUP;
}

int crm__payout_release(crm *c, int64_t customer_id, const char *scheme, int64_t event_id, int64_t points, int64_t at, const char *note)
{
  (void)c;
  (void)customer_id;
  (void)scheme;
  (void)event_id;
  (void)points;
  (void)at;
  (void)note;
  return CRM_ENOTSUP;
}
