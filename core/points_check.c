/*
 * points_check.c - crm_points_check: a customer's points accounts held
 * against the ledger and the lots they summarise.
 *
 * For each account (one scheme, or all the customer's): balance and
 * pending equal the sums of its ledger lines; shortfall equals its open
 * shortfalls; each lot's remaining equals its original less what
 * entries drew and kept, and closed lots hold nothing; the available
 * lots less the overdraft hold the balance and the pending lots the
 * pending balance. Last, customers.points_balance is checked through
 * crm_points_balance. The first disagreement is CRM_ECORRUPT naming it.
 */
#include <string.h>

#include "points_int.h"

static const char crm__sql_accounts_of[] =
  "SELECT scheme FROM points_accounts WHERE customer_id = ?1 ORDER BY scheme";
static const char crm__sql_account_sums[] =
  "SELECT a.balance, a.pending, a.shortfall, a.overdraft,"
  " (SELECT coalesce(sum(points), 0) FROM points_ledger"
  "   WHERE customer_id = ?1 AND scheme = ?2),"
  " (SELECT coalesce(sum(pending), 0) FROM points_ledger"
  "   WHERE customer_id = ?1 AND scheme = ?2),"
  " (SELECT coalesce(sum(amount - recovered), 0) FROM points_shortfalls"
  "   WHERE customer_id = ?1 AND scheme = ?2 AND recovered < amount)"
  " FROM points_accounts a WHERE a.customer_id = ?1 AND a.scheme = ?2";
static const char crm__sql_lots_check[] =
  "SELECT l.id, l.original, l.remaining, l.state,"
  " (SELECT coalesce(sum(u.points - u.restored), 0) FROM points_lot_uses u"
  "   WHERE u.lot_id = l.id)"
  " FROM points_lots l WHERE l.customer_id = ?1 AND l.scheme = ?2"
  " ORDER BY l.id";

/* Every lot: remaining = original less what entries drew and kept;
 * closed lots hold nothing. Sums the open ones into avail / pend. */
static int crm__check_lots(crm *c, int64_t customer_id, const char *scheme,
                           int64_t *avail, int64_t *pend)
{
  sqlite3_stmt *st;
  int64_t id, original, remaining, drawn;
  const char *state;
  int rc;

  *avail = 0;
  *pend = 0;
  st = crm__stmt(c, crm__sql_lots_check);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    id = sqlite3_column_int64(st, 0);
    original = sqlite3_column_int64(st, 1);
    remaining = sqlite3_column_int64(st, 2);
    state = (const char *)sqlite3_column_text(st, 3);
    drawn = sqlite3_column_int64(st, 4);
    if(remaining != original - drawn) {
      sqlite3_reset(st);
      return crm__err(c, CRM_ECORRUPT, "lot #%lld of customer #%lld in "
                      "scheme \"%s\": remaining %lld but original %lld less "
                      "%lld drawn leaves %lld", (long long)id,
                      (long long)customer_id, scheme, (long long)remaining,
                      (long long)original, (long long)drawn,
                      (long long)(original - drawn));
    }
    if(strcmp(state, "closed") == 0 && remaining != 0) {
      sqlite3_reset(st);
      return crm__err(c, CRM_ECORRUPT, "lot #%lld of customer #%lld in "
                      "scheme \"%s\" is closed with %lld points remaining",
                      (long long)id, (long long)customer_id, scheme,
                      (long long)remaining);
    }
    if(strcmp(state, "available") == 0)
      *avail += remaining;
    else if(strcmp(state, "pending") == 0)
      *pend += remaining;
  }
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading points lots");
  return CRM_OK;
}

static int crm__check_account(crm *c, int64_t customer_id,
                              const char *scheme)
{
  sqlite3_stmt *st;
  int64_t v[7]; /* balance pending shortfall overdraft sum sumpend open */
  int64_t avail = 0, pend = 0;
  int rc;

  st = crm__stmt(c, crm__sql_account_sums);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc == SQLITE_DONE) {
    sqlite3_reset(st);
    return crm__err(c, CRM_ENOTFOUND, "customer #%lld has no account in "
                    "scheme \"%s\"", (long long)customer_id, scheme);
  }
  sqlite3_reset(st);
  rc = crm__step_row(c, st, v, 7, "reading a points account");
  if(rc)
    return rc;
  if(v[0] != v[4])
    return crm__err(c, CRM_ECORRUPT, "points account of customer #%lld in "
                    "scheme \"%s\": balance %lld but its ledger sums to %lld",
                    (long long)customer_id, scheme, (long long)v[0],
                    (long long)v[4]);
  if(v[1] != v[5])
    return crm__err(c, CRM_ECORRUPT, "points account of customer #%lld in "
                    "scheme \"%s\": pending %lld but its ledger sums to %lld",
                    (long long)customer_id, scheme, (long long)v[1],
                    (long long)v[5]);
  if(v[2] != v[6])
    return crm__err(c, CRM_ECORRUPT, "points account of customer #%lld in "
                    "scheme \"%s\": shortfall %lld but its open shortfalls "
                    "sum to %lld", (long long)customer_id, scheme,
                    (long long)v[2], (long long)v[6]);
  rc = crm__check_lots(c, customer_id, scheme, &avail, &pend);
  if(rc)
    return rc;
  if(avail - v[3] != v[0])
    return crm__err(c, CRM_ECORRUPT, "points account of customer #%lld in "
                    "scheme \"%s\": available lots hold %lld, less overdraft "
                    "%lld, but the balance is %lld", (long long)customer_id,
                    scheme, (long long)avail, (long long)v[3],
                    (long long)v[0]);
  if(pend != v[1])
    return crm__err(c, CRM_ECORRUPT, "points account of customer #%lld in "
                    "scheme \"%s\": pending lots hold %lld but pending is "
                    "%lld", (long long)customer_id, scheme, (long long)pend,
                    (long long)v[1]);
  return CRM_OK;
}

int crm_points_check(crm *c, int64_t customer_id, const char *scheme)
{
  char name[CRM__SCHEME_NAME_MAX + 1];
  sqlite3_stmt *st;
  int64_t total = 0;
  int step = SQLITE_DONE;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__customer_exists(c, customer_id);
  if(!rc && scheme)
    rc = crm__check_account(c, customer_id, scheme);
  if(rc || scheme)
    return rc ? rc : crm_points_balance(c, customer_id, &total);
  st = crm__stmt_fresh(c, crm__sql_accounts_of);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  while(!rc) {
    step = sqlite3_step(st);
    if(step != SQLITE_ROW)
      break;
    crm__col_text(st, 0, name, sizeof(name));
    rc = crm__check_account(c, customer_id, name);
  }
  crm__stmt_done(c, st);
  if(rc)
    return rc;
  if(step != SQLITE_DONE)
    return crm__sqlerr(c, step, "reading points accounts");
  return crm_points_balance(c, customer_id, &total);
}
