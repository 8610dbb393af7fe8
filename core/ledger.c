/*
 * ledger.c - the points ledger and the accounts it feeds. Append-only;
 * every balance (an account's available and pending points, the
 * customer's total) is a cache of sums over it, written here and only
 * here, and checked against it.
 */
#include <stdio.h>
#include <string.h>

#include "points_int.h"

static const char *const crm__ledger_kinds[] = {
  "earn", "pending_earn", "release", "spend", "expire", "reverse",
  "adjust", "transfer_in", "transfer_out", NULL};

static const char crm__sql_account_ensure[] =
  "INSERT OR IGNORE INTO points_accounts(customer_id, scheme, tier,"
  " tier_since, opened_at) VALUES(?1, ?2, ?3, CASE WHEN ?3 = '' THEN 0"
  " ELSE ?4 END, ?4)";
static const char crm__sql_account_read[] =
  "SELECT balance, pending, shortfall, overdraft, lifetime_earned, tier,"
  " tier_since, coalesce(tier_review_at, 0), coalesce(tier_grace_until, 0),"
  " opened_at FROM points_accounts WHERE customer_id = ?1 AND scheme = ?2";
static const char crm__sql_ledger_insert[] =
  "INSERT INTO points_ledger(customer_id, scheme, event_id, kind, points,"
  " pending, lot_id, ref_event_id, ref_entry_id, line, note, reason, at,"
  " recorded_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
  " ?13, ?14)";
static const char crm__sql_account_apply[] =
  "UPDATE points_accounts SET balance = balance + ?3,"
  " pending = pending + ?4, lifetime_earned = lifetime_earned + ?5"
  " WHERE customer_id = ?1 AND scheme = ?2";
static const char crm__sql_customer_apply[] =
  "UPDATE customers SET points_balance = points_balance + ?2 WHERE id = ?1";
static const char crm__sql_set_lot[] =
  "UPDATE points_ledger SET lot_id = ?2 WHERE id = ?1";
static const char crm__sql_account_debt[] =
  "UPDATE points_accounts SET shortfall = shortfall + ?3,"
  " overdraft = overdraft + ?4 WHERE customer_id = ?1 AND scheme = ?2";
static const char crm__sql_newest_entry[] =
  "SELECT max(at) FROM points_ledger WHERE customer_id = ?1 AND scheme = ?2";
static const char crm__sql_balance_check[] =
  "SELECT points_balance, (SELECT coalesce(sum(points), 0)"
  " FROM points_ledger WHERE customer_id = ?1) FROM customers WHERE id = ?1";

#define CRM__LEDGER_COLS                                                    \
  "SELECT id, customer_id, coalesce(event_id, 0), kind, points, scheme,"   \
  " note, at, pending, coalesce(lot_id, 0), coalesce(ref_event_id, 0),"    \
  " coalesce(ref_entry_id, 0), reason, recorded_at FROM points_ledger"
static const char crm__sql_ledger_all[] =
  CRM__LEDGER_COLS " WHERE customer_id = ?1 ORDER BY id";
static const char crm__sql_ledger_scheme[] =
  CRM__LEDGER_COLS " WHERE customer_id = ?1 AND scheme = ?2 ORDER BY id";

static int crm__kind_known(const char *kind)
{
  size_t i;

  for(i = 0; kind && crm__ledger_kinds[i]; i++) {
    if(strcmp(kind, crm__ledger_kinds[i]) == 0)
      return 1;
  }
  return 0;
}

static void crm__bind_id(sqlite3_stmt *st, int col, int64_t id)
{
  if(id > 0)
    sqlite3_bind_int64(st, col, id);
}

static void crm__bind_str(sqlite3_stmt *st, int col, const char *s)
{
  if(s && *s)
    sqlite3_bind_text(st, col, s, -1, SQLITE_STATIC);
}

int crm__step_end(crm *c, sqlite3_stmt *st, const char *what)
{
  int rc = sqlite3_step(st);

  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, what);
  return CRM_OK;
}

int crm__step_row(crm *c, sqlite3_stmt *st, int64_t *cols, int n,
                  const char *what)
{
  int rc = sqlite3_step(st);
  int i;

  for(i = 0; rc == SQLITE_ROW && i < n; i++)
    cols[i] = sqlite3_column_int64(st, i);
  sqlite3_reset(st);
  if(rc == SQLITE_DONE)
    return crm__err(c, CRM_ESTORE, "store error: no row (%s)", what);
  if(rc != SQLITE_ROW)
    return crm__sqlerr(c, rc, what);
  return CRM_OK;
}

int crm__account_ensure(crm *c, int64_t customer_id, const char *scheme,
                        const crm__scheme *s, int64_t at)
{
  sqlite3_stmt *st;

  st = crm__stmt(c, crm__sql_account_ensure);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, s && s->n_tiers ? s->tiers[0].name : "", -1,
                    SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, at);
  return crm__step_end(c, st, "opening a points account");
}

static void crm__account_unit(crm *c, const char *scheme, char *buf,
                              size_t size)
{
  const crm__component *k = crm__component_find(c, CRM_KIND_REWARD, scheme);
  const crm__scheme *s = k ? crm__scheme_of(k) : NULL;

  snprintf(buf, size, "%s", s && s->unit[0] ? s->unit : "points");
}

int crm__account_read(crm *c, int64_t customer_id, const char *scheme,
                      crm_points_account *out)
{
  sqlite3_stmt *st;
  int rc;

  st = crm__stmt(c, crm__sql_account_read);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc != SQLITE_ROW) {
    sqlite3_reset(st);
    if(rc == SQLITE_DONE)
      return crm__err(c, CRM_ENOTFOUND, "customer #%lld has no account in "
                      "scheme \"%s\"", (long long)customer_id, scheme);
    return crm__sqlerr(c, rc, "reading a points account");
  }
  memset(out, 0, sizeof(*out));
  out->customer_id = customer_id;
  snprintf(out->scheme, sizeof(out->scheme), "%s", scheme);
  out->balance = sqlite3_column_int64(st, 0);
  out->pending = sqlite3_column_int64(st, 1);
  out->shortfall = sqlite3_column_int64(st, 2);
  out->overdraft = sqlite3_column_int64(st, 3);
  out->lifetime_earned = sqlite3_column_int64(st, 4);
  crm__col_text(st, 5, out->tier, sizeof(out->tier));
  out->tier_since = sqlite3_column_int64(st, 6);
  out->tier_review_at = sqlite3_column_int64(st, 7);
  out->tier_grace_until = sqlite3_column_int64(st, 8);
  out->opened_at = sqlite3_column_int64(st, 9);
  sqlite3_reset(st);
  crm__account_unit(c, scheme, out->unit, sizeof(out->unit));
  return CRM_OK;
}

static int crm__line_insert(crm *c, const crm__line *l, int64_t *entry_id)
{
  sqlite3_stmt *st;
  int rc;

  st = crm__stmt(c, crm__sql_ledger_insert);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, l->customer_id);
  sqlite3_bind_text(st, 2, l->scheme, -1, SQLITE_STATIC);
  crm__bind_id(st, 3, l->event_id);
  sqlite3_bind_text(st, 4, l->kind, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 5, l->points);
  sqlite3_bind_int64(st, 6, l->pending);
  crm__bind_id(st, 7, l->lot_id);
  crm__bind_id(st, 8, l->ref_event_id);
  crm__bind_id(st, 9, l->ref_entry_id);
  sqlite3_bind_int(st, 10, l->line);
  crm__bind_str(st, 11, l->note);
  crm__bind_str(st, 12, l->reason);
  sqlite3_bind_int64(st, 13, l->at);
  sqlite3_bind_int64(st, 14, crm_now(c));
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
    return crm__err(c, CRM_EEXIST, "event #%lld already has its %s line %d "
                    "in scheme \"%s\"", (long long)l->event_id, l->kind,
                    l->line, l->scheme);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "writing points ledger");
  if(entry_id)
    *entry_id = sqlite3_last_insert_rowid(c->db);
  return CRM_OK;
}

static int crm__account_apply(crm *c, const crm__line *l)
{
  int earns = strcmp(l->kind, "earn") == 0 ||
              strcmp(l->kind, "pending_earn") == 0;
  sqlite3_stmt *st;
  int rc;

  st = crm__stmt(c, crm__sql_account_apply);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, l->customer_id);
  sqlite3_bind_text(st, 2, l->scheme, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, l->points);
  sqlite3_bind_int64(st, 4, l->pending);
  sqlite3_bind_int64(st, 5, earns ? l->points + l->pending : 0);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc == SQLITE_CONSTRAINT_CHECK)
    return crm__err(c, CRM_ECORRUPT, "pending points of customer #%lld in "
                    "scheme \"%s\" would go below zero",
                    (long long)l->customer_id, l->scheme);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "updating a points account");
  if(sqlite3_changes(c->db) != 1)
    return crm__err(c, CRM_ENOTFOUND, "customer #%lld has no account in "
                    "scheme \"%s\"", (long long)l->customer_id, l->scheme);
  return CRM_OK;
}

int crm__ledger_add(crm *c, const crm__line *l, int64_t *entry_id)
{
  sqlite3_stmt *st;
  int rc;

  if(!crm__kind_known(l->kind))
    return crm__err(c, CRM_EINVAL, "unknown ledger entry kind \"%s\"",
                    l->kind ? l->kind : "");
  rc = crm__line_insert(c, l, entry_id);
  if(!rc)
    rc = crm__account_apply(c, l);
  if(rc || l->points == 0)
    return rc;
  st = crm__stmt(c, crm__sql_customer_apply);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, l->customer_id);
  sqlite3_bind_int64(st, 2, l->points);
  return crm__step_end(c, st, "updating points balance");
}

int crm__ledger_set_lot(crm *c, int64_t entry_id, int64_t lot_id)
{
  sqlite3_stmt *st;

  st = crm__stmt(c, crm__sql_set_lot);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, entry_id);
  sqlite3_bind_int64(st, 2, lot_id);
  return crm__step_end(c, st, "linking a ledger entry to its lot");
}

static void crm__iso(int64_t t, char *buf, size_t size)
{
  if(crm_time_format(t, buf, size))
    snprintf(buf, size, "%lld", (long long)t);
}

int crm__op_time_check(crm *c, int64_t customer_id, const char *scheme,
                       int64_t at)
{
  char a[32], b[32];
  sqlite3_stmt *st;
  int64_t newest;
  int rc;

  if(at > crm_now(c)) {
    crm__iso(at, a, sizeof(a));
    crm__iso(crm_now(c), b, sizeof(b));
    return crm__err(c, CRM_EINVAL, "operation time %s is in the future "
                    "(now %s)", a, b);
  }
  if(customer_id <= 0)
    return CRM_OK;
  st = crm__stmt(c, crm__sql_newest_entry);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  newest = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL
             ? sqlite3_column_int64(st, 0)
             : INT64_MIN;
  sqlite3_reset(st);
  if(rc != SQLITE_ROW)
    return crm__sqlerr(c, rc, "reading the newest ledger entry");
  if(at >= newest)
    return CRM_OK;
  crm__iso(at, a, sizeof(a));
  crm__iso(newest, b, sizeof(b));
  return crm__err(c, CRM_EINVAL, "operation time %s is before the newest "
                  "ledger entry of customer #%lld in scheme \"%s\" (%s)", a,
                  (long long)customer_id, scheme, b);
}

int crm__account_add_debt(crm *c, int64_t customer_id, const char *scheme,
                          int64_t shortfall_delta, int64_t overdraft_delta)
{
  sqlite3_stmt *st;
  int rc;

  if(shortfall_delta == 0 && overdraft_delta == 0)
    return CRM_OK;
  st = crm__stmt(c, crm__sql_account_debt);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, shortfall_delta);
  sqlite3_bind_int64(st, 4, overdraft_delta);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc == SQLITE_CONSTRAINT_CHECK)
    return crm__err(c, CRM_ECORRUPT, "shortfall or overdraft of customer "
                    "#%lld in scheme \"%s\" would go below zero",
                    (long long)customer_id, scheme);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "updating a points account");
  if(sqlite3_changes(c->db) != 1)
    return crm__err(c, CRM_ENOTFOUND, "customer #%lld has no account in "
                    "scheme \"%s\"", (long long)customer_id, scheme);
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

static void crm__entry_read(sqlite3_stmt *st, crm_ledger_entry *e)
{
  memset(e, 0, sizeof(*e));
  e->id = sqlite3_column_int64(st, 0);
  e->customer_id = sqlite3_column_int64(st, 1);
  e->event_id = sqlite3_column_int64(st, 2);
  e->kind = (const char *)sqlite3_column_text(st, 3);
  e->points = sqlite3_column_int64(st, 4);
  e->component = (const char *)sqlite3_column_text(st, 5);
  e->note = (const char *)sqlite3_column_text(st, 6);
  e->at = sqlite3_column_int64(st, 7);
  e->pending = sqlite3_column_int64(st, 8);
  e->lot_id = sqlite3_column_int64(st, 9);
  e->ref_event_id = sqlite3_column_int64(st, 10);
  e->ref_entry_id = sqlite3_column_int64(st, 11);
  e->reason = (const char *)sqlite3_column_text(st, 12);
  e->recorded_at = sqlite3_column_int64(st, 13);
}

int crm_ledger_foreach_scheme(crm *c, int64_t customer_id, const char *scheme,
                              int (*cb)(void *, const crm_ledger_entry *),
                              void *ud)
{
  crm_ledger_entry e;
  sqlite3_stmt *st;
  int stop = 0;
  int rc;

  if(!c || !cb)
    return CRM_EINVAL;
  crm__clear_err(c);
  st = crm__stmt_fresh(c, scheme ? crm__sql_ledger_scheme
                                 : crm__sql_ledger_all);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  if(scheme)
    sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    crm__entry_read(st, &e);
    stop = cb(ud, &e);
    if(stop)
      break;
  }
  crm__stmt_done(c, st);
  if(!stop && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading points ledger");
  return stop;
}

int crm_ledger_foreach(crm *c, int64_t customer_id,
                       int (*cb)(void *, const crm_ledger_entry *), void *ud)
{
  return crm_ledger_foreach_scheme(c, customer_id, NULL, cb, ud);
}
