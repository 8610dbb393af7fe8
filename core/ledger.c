/*
 * ledger.c - the points ledger. Append-only; the balance cached on the
 * customer row is derived from it and checked against it.
 */
#include <string.h>

#include "points_int.h"

static const char crm__sql_ledger_insert[] =
  "INSERT INTO points_ledger(customer_id, event_id, kind, points,"
  " component, note, at, recorded_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char crm__sql_balance_add[] =
  "UPDATE customers SET points_balance = points_balance + ?2 WHERE id = ?1";
static const char crm__sql_balance_check[] =
  "SELECT points_balance, (SELECT coalesce(sum(points), 0)"
  " FROM points_ledger WHERE customer_id = ?1) FROM customers WHERE id = ?1";
static const char crm__sql_ledger_list[] =
  "SELECT id, coalesce(event_id, 0), kind, points, component, note, at"
  " FROM points_ledger WHERE customer_id = ?1 ORDER BY id";

int crm__ledger_write(crm *c, int64_t customer_id, int64_t event_id,
                      const char *kind, int64_t points, const char *component,
                      const char *note, int64_t at)
{
  sqlite3_stmt *st;
  int rc;

  if(strcmp(kind, "earn") && strcmp(kind, "reverse") && strcmp(kind, "adjust"))
    return crm__err(c, CRM_EINVAL, "unknown ledger entry kind \"%s\"", kind);
  st = crm__stmt(c, crm__sql_ledger_insert);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  if(event_id > 0)
    sqlite3_bind_int64(st, 2, event_id);
  sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, points);
  sqlite3_bind_text(st, 5, component, -1, SQLITE_STATIC);
  if(note && *note)
    sqlite3_bind_text(st, 6, note, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 7, at);
  sqlite3_bind_int64(st, 8, crm_now(c));
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if((rc & 0xff) == SQLITE_CONSTRAINT)
    return crm__err(c, CRM_EEXIST, "event #%lld already has a %s entry from "
                    "%s in the ledger", (long long)event_id, kind, component);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "writing points ledger");
  st = crm__stmt(c, crm__sql_balance_add);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_int64(st, 2, points);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "updating points balance");
  return CRM_OK;
}

int crm_points_balance(crm *c, int64_t customer_id, int64_t *balance)
{
  sqlite3_stmt *st;
  int64_t cached, summed;
  int rc;

  if(!c || !balance)
    return CRM_EINVAL;
  crm__clear_err(c);
  st = crm__stmt(c, crm__sql_balance_check);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  rc = sqlite3_step(st);
  if(rc == SQLITE_DONE) {
    sqlite3_reset(st);
    return crm__err(c, CRM_ENOTFOUND, "unknown customer #%lld",
                    (long long)customer_id);
  }
  if(rc != SQLITE_ROW) {
    sqlite3_reset(st);
    return crm__sqlerr(c, rc, "reading points balance");
  }
  cached = sqlite3_column_int64(st, 0);
  summed = sqlite3_column_int64(st, 1);
  sqlite3_reset(st);
  *balance = summed;
  if(cached != summed)
    return crm__err(c, CRM_ECORRUPT, "points balance of customer #%lld is "
                    "%lld but its ledger sums to %lld", (long long)customer_id,
                    (long long)cached, (long long)summed);
  return CRM_OK;
}

int crm_ledger_foreach(crm *c, int64_t customer_id,
                       int (*cb)(void *, const crm_ledger_entry *), void *ud)
{
  crm_ledger_entry e;
  sqlite3_stmt *st;
  int stop = 0;
  int rc;

  if(!c || !cb)
    return CRM_EINVAL;
  st = crm__stmt_fresh(c, crm__sql_ledger_list);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    memset(&e, 0, sizeof(e));
    e.id = sqlite3_column_int64(st, 0);
    e.customer_id = customer_id;
    e.event_id = sqlite3_column_int64(st, 1);
    e.kind = (const char *)sqlite3_column_text(st, 2);
    e.points = sqlite3_column_int64(st, 3);
    e.component = (const char *)sqlite3_column_text(st, 4);
    e.note = (const char *)sqlite3_column_text(st, 5);
    e.at = sqlite3_column_int64(st, 6);
    stop = cb(ud, &e);
    if(stop)
      break;
  }
  sqlite3_finalize(st);
  if(!stop && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading points ledger");
  return stop;
}

int crm_ledger_foreach_scheme(crm *c, int64_t customer_id, const char *scheme, int (*cb)(void *ud, const crm_ledger_entry *), void *ud)
{
  (void)c;
  (void)customer_id;
  (void)scheme;
  (void)cb;
  (void)ud;
  return CRM_ENOTSUP;
}

int crm__account_ensure(crm *c, int64_t customer_id, const char *scheme, const crm__scheme *s, int64_t at)
{
  (void)c;
  (void)customer_id;
  (void)scheme;
  (void)s;
  (void)at;
  return CRM_ENOTSUP;
}

int crm__account_read(crm *c, int64_t customer_id, const char *scheme, crm_points_account *out)
{
  (void)c;
  (void)customer_id;
  (void)scheme;
  (void)out;
  return CRM_ENOTSUP;
}

int crm__ledger_add(crm *c, const crm__line *l, int64_t *entry_id)
{
  (void)c;
  (void)l;
  (void)entry_id;
  return CRM_ENOTSUP;
}

int crm__ledger_set_lot(crm *c, int64_t entry_id, int64_t lot_id)
{
  (void)c;
  (void)entry_id;
  (void)lot_id;
  return CRM_ENOTSUP;
}

int crm__account_add_debt(crm *c, int64_t customer_id, const char *scheme, int64_t shortfall_delta, int64_t overdraft_delta)
{
  (void)c;
  (void)customer_id;
  (void)scheme;
  (void)shortfall_delta;
  (void)overdraft_delta;
  return CRM_ENOTSUP;
}
