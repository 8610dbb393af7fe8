/*
 * points_lot.c - lots: each credit of points (an earning line, a release,
 * a transfer in, a positive adjustment) is a lot that remembers when it
 * was earned, when it becomes available and when it expires. Spends draw
 * lots in spend order and record what they drew (points_lot_uses), so a
 * lot is never spent twice and a voided voucher gives back exactly what
 * it took. Release and expiry walk only the lots that are due, through
 * the partial indexes lots_release and lots_expiry, merged in due-time
 * order: the earliest due item is always handled next, and an expiry
 * comes before a release due at the same instant (points that expire
 * at t are gone at t), so a release never pays a payout or an automatic
 * redemption with points that had expired before it.
 */
#include <stdio.h>
#include <string.h>

#include "comm_int.h"
#include "points_int.h"

/* Lots fetched per query while drawing or processing due lots (the
 * LIMIT of the lot queries below). */
#define CRM__LOT_BATCH 32

typedef struct crm__lot_row {
  int64_t id;
  int64_t customer_id;
  char scheme[CRM__SCHEME_NAME_MAX + 1];
  int64_t event_id;
  int64_t remaining;
  int64_t release_at; /* 0 none */
  int64_t expires_at; /* 0 never */
  int pending;
  int available;
} crm__lot_row;

static const char crm__sql_lot_insert[] =
  "INSERT INTO points_lots(customer_id, scheme, event_id, entry_id,"
  " earned_at, original, remaining, state, release_at, expires_at)"
  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9)";
static const char crm__sql_use_add[] =
  "INSERT INTO points_lot_uses(entry_id, lot_id, points) VALUES(?1, ?2, ?3)"
  " ON CONFLICT(entry_id, lot_id) DO UPDATE SET"
  " points = points + excluded.points";
static const char crm__sql_lot_take[] =
  "UPDATE points_lots SET remaining = remaining - ?2,"
  " state = CASE WHEN remaining = ?2 THEN 'closed' ELSE state END"
  " WHERE id = ?1 AND remaining >= ?2";
static const char crm__sql_overdraft[] =
  "SELECT overdraft FROM points_accounts WHERE customer_id = ?1"
  " AND scheme = ?2";
static const char crm__sql_shortfall_next[] =
  "SELECT id, coalesce(event_id, 0), amount - recovered"
  " FROM points_shortfalls WHERE customer_id = ?1 AND scheme = ?2"
  " AND recovered < amount ORDER BY id LIMIT 1";
static const char crm__sql_shortfall_pay[] =
  "UPDATE points_shortfalls SET recovered = recovered + ?2 WHERE id = ?1";
static const char crm__sql_available_sum[] =
  "SELECT coalesce(sum(remaining), 0) FROM points_lots"
  " WHERE customer_id = ?1 AND scheme = ?2 AND state = 'available'";
static const char crm__sql_spend_order[] =
  "SELECT id, remaining, 0 FROM points_lots WHERE customer_id = ?1"
  " AND scheme = ?2 AND state = 'available'"
  " ORDER BY expires_at IS NULL, expires_at, id LIMIT 32";
static const char crm__sql_event_lots[] =
  "SELECT id, remaining, state = 'pending' FROM points_lots"
  " WHERE event_id = ?3 AND customer_id = ?1 AND scheme = ?2"
  " AND state IN ('pending', 'available')"
  " ORDER BY state = 'available', id LIMIT 32";
static const char crm__sql_pending_newest[] =
  "SELECT id, remaining, 1 FROM points_lots WHERE customer_id = ?1"
  " AND scheme = ?2 AND state = 'pending'"
  " ORDER BY release_at DESC, id DESC LIMIT 32";
static const char crm__sql_uses_of[] =
  "SELECT lot_id, points - restored FROM points_lot_uses"
  " WHERE entry_id = ?1 AND points > restored LIMIT 32";
static const char crm__sql_lot_restore[] =
  "UPDATE points_lots SET remaining = remaining + ?2,"
  " state = CASE WHEN state = 'closed' THEN 'available' ELSE state END"
  " WHERE id = ?1";
static const char crm__sql_use_restore[] =
  "UPDATE points_lot_uses SET restored = points"
  " WHERE entry_id = ?1 AND lot_id = ?2";
/* Per customer, the account list lets lots_customer seek (customer,
 * scheme, state[, expires_at]) instead of reading every lot the customer
 * ever had; globally the partial indexes lots_release / lots_expiry.
 * Each returns the next due lot after the cursor (?3 time, ?4 id). */
static const char crm__sql_due_release_one[] =
  "SELECT id, release_at FROM points_lots WHERE customer_id = ?1"
  " AND scheme IN (SELECT scheme FROM points_accounts"
  "   WHERE customer_id = ?1)"
  " AND state = 'pending' AND release_at <= ?2"
  " AND (release_at, id) > (?3, ?4)"
  " ORDER BY release_at, id LIMIT 1";
static const char crm__sql_due_release_all[] =
  "SELECT id, release_at FROM points_lots WHERE state = 'pending'"
  " AND release_at <= ?2 AND (release_at, id) > (?3, ?4)"
  " ORDER BY release_at, id LIMIT 1";
static const char crm__sql_due_expiry_one[] =
  "SELECT id, expires_at FROM points_lots WHERE customer_id = ?1"
  " AND scheme IN (SELECT scheme FROM points_accounts"
  "   WHERE customer_id = ?1)"
  " AND state = 'available' AND expires_at IS NOT NULL AND expires_at <= ?2"
  " AND (expires_at, id) > (?3, ?4)"
  " ORDER BY expires_at, id LIMIT 1";
static const char crm__sql_due_expiry_all[] =
  "SELECT id, expires_at FROM points_lots WHERE state = 'available'"
  " AND expires_at IS NOT NULL AND expires_at <= ?2"
  " AND (expires_at, id) > (?3, ?4)"
  " ORDER BY expires_at, id LIMIT 1";
/* A release of the account due before t (one that waits holds back the
 * account's later expiries). */
static const char crm__sql_release_before[] =
  "SELECT count(*) FROM points_lots WHERE customer_id = ?1 AND scheme = ?2"
  " AND state = 'pending' AND release_at < ?3";
/* What a voided spend gave back, soonest-expiring lot first, after the
 * cursor (?2 expiry key, ?3 lot id). */
static const char crm__sql_restored_next[] =
  "SELECT u.lot_id, u.restored,"
  " coalesce(l.expires_at, 9223372036854775807) FROM points_lot_uses u"
  " JOIN points_lots l ON l.id = u.lot_id"
  " WHERE u.entry_id = ?1 AND u.restored > 0"
  " AND (coalesce(l.expires_at, 9223372036854775807), u.lot_id) > (?2, ?3)"
  " ORDER BY 3, 1 LIMIT 1";
static const char crm__sql_lot_release[] =
  "UPDATE points_lots SET state = 'available' WHERE id = ?1"
  " AND state = 'pending'";
static const char crm__sql_lot_get[] =
  "SELECT customer_id, scheme, coalesce(event_id, 0), remaining, state,"
  " coalesce(release_at, 0), coalesce(expires_at, 0) FROM points_lots"
  " WHERE id = ?1";

static int64_t crm__min64(int64_t a, int64_t b)
{
  return a < b ? a : b;
}

/* Entry entry_id takes `points` out of lot lot_id (closed at zero). */
static int crm__lot_use(crm *c, int64_t entry_id, int64_t lot_id,
                        int64_t points)
{
  sqlite3_stmt *st;
  int rc;

  st = crm__stmt(c, crm__sql_lot_take);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, lot_id);
  sqlite3_bind_int64(st, 2, points);
  rc = crm__step_end(c, st, "drawing points from a lot");
  if(rc)
    return rc;
  if(sqlite3_changes(c->db) != 1)
    return crm__err(c, CRM_ECORRUPT, "lot #%lld holds less than the %lld "
                    "points drawn from it", (long long)lot_id,
                    (long long)points);
  st = crm__stmt(c, crm__sql_use_add);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, entry_id);
  sqlite3_bind_int64(st, 2, lot_id);
  sqlite3_bind_int64(st, 3, points);
  return crm__step_end(c, st, "recording a lot use");
}

/* The account's overdraft is paid from the new lot first. */
static int crm__absorb_overdraft(crm *c, int64_t customer_id,
                                 const char *scheme, int64_t entry_id,
                                 int64_t lot_id, int64_t *remaining)
{
  sqlite3_stmt *st;
  int64_t overdraft = 0;
  int64_t x;
  int rc;

  st = crm__stmt(c, crm__sql_overdraft);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  rc = crm__step_row(c, st, &overdraft, 1, "reading an overdraft");
  if(rc || overdraft <= 0)
    return rc;
  x = crm__min64(overdraft, *remaining);
  rc = crm__lot_use(c, entry_id, lot_id, x);
  if(!rc)
    rc = crm__account_add_debt(c, customer_id, scheme, 0, -x);
  if(!rc)
    *remaining -= x;
  return rc;
}

/* Pays the oldest open shortfall from the lot: a `reverse` line linked
 * to the shortfall's event. *done = 1 when there is none left. */
static int crm__pay_shortfall(crm *c, int64_t customer_id, const char *scheme,
                              int64_t event_id, int64_t lot_id, int64_t at,
                              int64_t *remaining, int *done)
{
  crm__line l;
  sqlite3_stmt *st;
  int64_t sf_id, sf_event, open, y, entry = 0;
  int rc;

  st = crm__stmt(c, crm__sql_shortfall_next);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc != SQLITE_ROW) {
    sqlite3_reset(st);
    *done = 1;
    return rc == SQLITE_DONE ? CRM_OK
                             : crm__sqlerr(c, rc, "reading shortfalls");
  }
  sf_id = sqlite3_column_int64(st, 0);
  sf_event = sqlite3_column_int64(st, 1);
  open = sqlite3_column_int64(st, 2);
  sqlite3_reset(st);
  y = crm__min64(open, *remaining);
  memset(&l, 0, sizeof(l));
  l.customer_id = customer_id;
  l.scheme = scheme;
  l.event_id = event_id;
  l.kind = "reverse";
  l.points = -y;
  l.lot_id = lot_id;
  l.ref_event_id = sf_event;
  l.note = "shortfall recovered";
  l.at = at;
  rc = crm__ledger_add(c, &l, &entry);
  if(!rc)
    rc = crm__lot_use(c, entry, lot_id, y);
  if(rc)
    return rc;
  st = crm__stmt(c, crm__sql_shortfall_pay);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, sf_id);
  sqlite3_bind_int64(st, 2, y);
  rc = crm__step_end(c, st, "recording a recovered shortfall");
  if(!rc)
    rc = crm__account_add_debt(c, customer_id, scheme, -y, 0);
  if(!rc)
    *remaining -= y;
  return rc;
}

/* A lot that just became available pays the account's debts. */
static int crm__lot_settle(crm *c, int64_t customer_id, const char *scheme,
                           int64_t event_id, int64_t entry_id, int64_t lot_id,
                           int64_t remaining, int64_t at,
                           int recover_shortfall)
{
  int done = 0;
  int rc;

  rc = crm__absorb_overdraft(c, customer_id, scheme, entry_id, lot_id,
                             &remaining);
  while(!rc && recover_shortfall && remaining > 0 && !done)
    rc = crm__pay_shortfall(c, customer_id, scheme, event_id, lot_id, at,
                            &remaining, &done);
  return rc;
}

int crm__lot_create(crm *c, const crm__scheme *s, int64_t customer_id,
                    const char *scheme, int64_t event_id, int64_t entry_id,
                    int64_t points, int64_t earned_at, int64_t release_at,
                    int64_t expires_at, int recover_shortfall,
                    int64_t *lot_id)
{
  sqlite3_stmt *st;
  int64_t id;
  int rc;

  if(points <= 0)
    return crm__err(c, CRM_EINVAL, "a lot needs a positive number of "
                    "points (got %lld)", (long long)points);
  /* points that would expire before they are released: their expiry is
   * counted from the release instead */
  if(s && release_at > 0 && expires_at > 0 && expires_at <= release_at)
    expires_at = crm__scheme_expiry(s, release_at);
  st = crm__stmt(c, crm__sql_lot_insert);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  if(event_id > 0)
    sqlite3_bind_int64(st, 3, event_id);
  if(entry_id > 0)
    sqlite3_bind_int64(st, 4, entry_id);
  sqlite3_bind_int64(st, 5, earned_at);
  sqlite3_bind_int64(st, 6, points);
  sqlite3_bind_text(st, 7, release_at > 0 ? "pending" : "available", -1,
                    SQLITE_STATIC);
  if(release_at > 0)
    sqlite3_bind_int64(st, 8, release_at);
  if(expires_at > 0)
    sqlite3_bind_int64(st, 9, expires_at);
  rc = crm__step_end(c, st, "creating a points lot");
  if(rc)
    return rc;
  id = sqlite3_last_insert_rowid(c->db);
  if(lot_id)
    *lot_id = id;
  if(expires_at > 0) {
    rc = crm__trigger_on_expiry(c, customer_id, scheme, expires_at);
    if(rc)
      return rc;
  }
  if(release_at > 0)
    return CRM_OK;
  return crm__lot_settle(c, customer_id, scheme, event_id, entry_id, id,
                         points, earned_at, recover_shortfall);
}

/* Reads up to CRM__LOT_BATCH rows (id, remaining, is_pending) of a
 * bound query into the arrays; the statement is reset. */
static int crm__lot_batch(crm *c, sqlite3_stmt *st, int64_t *ids,
                          int64_t *rem, int *pend, size_t *n)
{
  int rc = SQLITE_DONE;

  *n = 0;
  while(*n < CRM__LOT_BATCH) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    ids[*n] = sqlite3_column_int64(st, 0);
    rem[*n] = sqlite3_column_int64(st, 1);
    if(pend)
      pend[*n] = sqlite3_column_int(st, 2);
    (*n)++;
  }
  sqlite3_reset(st);
  if(rc != SQLITE_ROW && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading points lots");
  return CRM_OK;
}

/* Draws up to *need from the lots the query `sql` lists (rows: id,
 * remaining, is_pending; ?3 = lot_event_id), batch by batch. */
static int crm__draw_from(crm *c, const char *sql, int64_t customer_id,
                          const char *scheme, int64_t lot_event_id,
                          int64_t entry_id, int64_t *need,
                          int64_t *taken_available, int64_t *taken_pending)
{
  int64_t ids[CRM__LOT_BATCH], rem[CRM__LOT_BATCH];
  int pend[CRM__LOT_BATCH];
  sqlite3_stmt *st;
  int64_t before;
  size_t n, i;
  int rc;

  while(*need > 0) {
    st = crm__stmt(c, sql);
    if(!st)
      return c->errcode;
    sqlite3_bind_int64(st, 1, customer_id);
    sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
    if(lot_event_id > 0)
      sqlite3_bind_int64(st, 3, lot_event_id);
    rc = crm__lot_batch(c, st, ids, rem, pend, &n);
    if(rc || n == 0)
      return rc;
    before = *need;
    for(i = 0; i < n && *need > 0; i++) {
      int64_t x = crm__min64(rem[i], *need);

      if(x <= 0)
        continue;
      rc = crm__lot_use(c, entry_id, ids[i], x);
      if(rc)
        return rc;
      *need -= x;
      if(pend[i])
        *taken_pending += x;
      else
        *taken_available += x;
    }
    if(*need == before)
      return crm__err(c, CRM_ECORRUPT, "open lots of customer #%lld in "
                      "scheme \"%s\" hold nothing", (long long)customer_id,
                      scheme);
  }
  return CRM_OK;
}

int crm__lots_draw(crm *c, int64_t customer_id, const char *scheme,
                   int64_t entry_id, int64_t points)
{
  sqlite3_stmt *st;
  int64_t have = 0, need = points, ta = 0, tp = 0;
  int rc;

  if(points <= 0)
    return CRM_OK;
  st = crm__stmt(c, crm__sql_available_sum);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  rc = crm__step_row(c, st, &have, 1, "summing available lots");
  if(rc)
    return rc;
  if(have < points)
    return crm__err(c, CRM_ESTATE, "not enough points: available lots hold "
                    "%lld, needs %lld", (long long)have, (long long)points);
  rc = crm__draw_from(c, crm__sql_spend_order, customer_id, scheme, 0,
                      entry_id, &need, &ta, &tp);
  if(!rc && need)
    rc = crm__err(c, CRM_ECORRUPT, "available lots of customer #%lld in "
                  "scheme \"%s\" hold less than they sum to",
                  (long long)customer_id, scheme);
  return rc;
}

int crm__lots_take_back(crm *c, int64_t customer_id, const char *scheme,
                        int64_t entry_id, int64_t lot_event_id,
                        int from_pending, int64_t points,
                        int64_t *taken_available, int64_t *taken_pending)
{
  int64_t need = points;
  int rc = CRM_OK;

  *taken_available = 0;
  *taken_pending = 0;
  if(lot_event_id > 0)
    rc = crm__draw_from(c, crm__sql_event_lots, customer_id, scheme,
                        lot_event_id, entry_id, &need, taken_available,
                        taken_pending);
  if(!rc && from_pending)
    rc = crm__draw_from(c, crm__sql_pending_newest, customer_id, scheme, 0,
                        entry_id, &need, taken_available, taken_pending);
  if(!rc)
    rc = crm__draw_from(c, crm__sql_spend_order, customer_id, scheme, 0,
                        entry_id, &need, taken_available, taken_pending);
  return rc;
}

/* Gives one use back to its lot. */
static int crm__use_restore(crm *c, int64_t entry_id, int64_t lot_id,
                            int64_t points)
{
  sqlite3_stmt *st;
  int rc;

  st = crm__stmt(c, crm__sql_lot_restore);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, lot_id);
  sqlite3_bind_int64(st, 2, points);
  rc = crm__step_end(c, st, "restoring a points lot");
  if(rc)
    return rc;
  st = crm__stmt(c, crm__sql_use_restore);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, entry_id);
  sqlite3_bind_int64(st, 2, lot_id);
  return crm__step_end(c, st, "recording a restored lot use");
}

int crm__lots_restore(crm *c, int64_t entry_id, int64_t *restored)
{
  int64_t lots[CRM__LOT_BATCH], pts[CRM__LOT_BATCH];
  sqlite3_stmt *st;
  size_t n, i;
  int rc;

  *restored = 0;
  do {
    st = crm__stmt(c, crm__sql_uses_of);
    if(!st)
      return c->errcode;
    sqlite3_bind_int64(st, 1, entry_id);
    rc = crm__lot_batch(c, st, lots, pts, NULL, &n);
    for(i = 0; !rc && i < n; i++) {
      rc = crm__use_restore(c, entry_id, lots[i], pts[i]);
      *restored += pts[i];
    }
  } while(!rc && n == CRM__LOT_BATCH);
  return rc;
}

/* ---- due processing ----------------------------------------------------- */

/* Reads lot id afresh: a nested call (a payout, an automatic
 * redemption) may have changed it since its batch was read. */
static int crm__lot_get(crm *c, int64_t id, crm__lot_row *r)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_lot_get);
  const unsigned char *state;
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, id);
  rc = sqlite3_step(st);
  if(rc != SQLITE_ROW) {
    sqlite3_reset(st);
    if(rc == SQLITE_DONE)
      return crm__err(c, CRM_ESTORE, "points lot #%lld is not in the store",
                      (long long)id);
    return crm__sqlerr(c, rc, "reading a points lot");
  }
  memset(r, 0, sizeof(*r));
  r->id = id;
  r->customer_id = sqlite3_column_int64(st, 0);
  crm__col_text(st, 1, r->scheme, sizeof(r->scheme));
  r->event_id = sqlite3_column_int64(st, 2);
  r->remaining = sqlite3_column_int64(st, 3);
  state = sqlite3_column_text(st, 4);
  r->pending = state && strcmp((const char *)state, "pending") == 0;
  r->available = state && strcmp((const char *)state, "available") == 0;
  r->release_at = sqlite3_column_int64(st, 5);
  r->expires_at = sqlite3_column_int64(st, 6);
  sqlite3_reset(st);
  return CRM_OK;
}

/* What becomes available is paid out (release_action "payout") or may
 * be redeemed automatically. */
static int crm__after_release(crm *c, const crm__scheme *s, int64_t lot_id)
{
  crm__lot_row r;
  char note[64];
  int rc;

  if(!s->release_payout && !s->auto_redeem[0])
    return CRM_OK;
  rc = crm__lot_get(c, lot_id, &r);
  if(rc)
    return rc;
  if(!s->release_payout)
    return crm__redeem_auto(c, s, r.scheme, r.customer_id, r.event_id,
                            r.release_at);
  if(r.remaining <= 0 || !r.available)
    return CRM_OK;
  snprintf(note, sizeof(note), "payout of lot #%lld", (long long)lot_id);
  return crm__payout_release(c, r.customer_id, r.scheme, r.event_id,
                             r.remaining, r.release_at, note);
}

/* The next lot the voided spend gave back, after the cursor (*key, *lot);
 * *found = 0 when there is none. */
static int crm__restored_next(crm *c, int64_t spend_entry_id, int64_t *key,
                              int64_t *lot, int64_t *restored, int *found)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_restored_next);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, spend_entry_id);
  sqlite3_bind_int64(st, 2, *key);
  sqlite3_bind_int64(st, 3, *lot);
  rc = sqlite3_step(st);
  *found = rc == SQLITE_ROW;
  if(*found) {
    *lot = sqlite3_column_int64(st, 0);
    *restored = sqlite3_column_int64(st, 1);
    *key = sqlite3_column_int64(st, 2);
  }
  sqlite3_reset(st);
  if(rc != SQLITE_ROW && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading restored lot uses");
  return CRM_OK;
}

int crm__lots_restore_settle(crm *c, int64_t spend_entry_id, int64_t entry_id,
                             int64_t event_id, int64_t at)
{
  int64_t key = INT64_MIN, lot = 0, restored = 0;
  crm__lot_row r;
  int found = 1;
  int rc = CRM_OK;

  for(;;) {
    rc = crm__restored_next(c, spend_entry_id, &key, &lot, &restored,
                            &found);
    if(rc || !found)
      break;
    rc = crm__lot_get(c, lot, &r);
    if(rc)
      break;
    /* points past their date expire (due work) instead of paying */
    if(!r.available || r.remaining <= 0 || (r.expires_at &&
                                            r.expires_at <= at))
      continue;
    rc = crm__lot_settle(c, r.customer_id, r.scheme, event_id, entry_id, lot,
                         crm__min64(restored, r.remaining), at, 1);
    if(rc)
      break;
  }
  return rc;
}

/* An expiry of a scheme that is not loaded waits behind a release of
 * the same account due before it (the release waits for the scheme's
 * rules): *wait = 1. */
static int crm__expiry_waits(crm *c, const crm__lot_row *r, int *wait)
{
  sqlite3_stmt *st;
  int64_t n = 0;
  int rc;

  *wait = 0;
  if(crm__component_find(c, CRM_KIND_REWARD, r->scheme))
    return CRM_OK;
  st = crm__stmt(c, crm__sql_release_before);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, r->customer_id);
  sqlite3_bind_text(st, 2, r->scheme, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, r->expires_at);
  rc = crm__step_row(c, st, &n, 1, "finding waiting releases");
  *wait = n > 0;
  return rc;
}

static int crm__lot_expire(crm *c, int64_t id, int64_t as_of,
                           crm_due_stats *stats)
{
  crm__lot_row r;
  crm__line l;
  int64_t entry = 0;
  int wait = 0;
  int rc;

  rc = crm__lot_get(c, id, &r);
  if(rc || !r.available || r.remaining <= 0 || !r.expires_at ||
     r.expires_at > as_of)
    return rc;
  rc = crm__expiry_waits(c, &r, &wait);
  if(rc || wait)
    return rc;
  memset(&l, 0, sizeof(l));
  l.customer_id = r.customer_id;
  l.scheme = r.scheme;
  l.event_id = r.event_id;
  l.kind = "expire";
  l.points = -r.remaining;
  l.lot_id = id;
  l.note = "expired";
  /* a lot whose fixed expiry date came before its release expires the
   * moment it is released */
  l.at = r.expires_at > r.release_at ? r.expires_at : r.release_at;
  rc = crm__ledger_add(c, &l, &entry);
  if(!rc)
    rc = crm__lot_use(c, entry, id, r.remaining);
  if(rc)
    return rc;
  stats->lots_expired++;
  stats->points_expired += r.remaining;
  return CRM_OK;
}

/* A pending lot becomes available. A scheme that is not loaded has no
 * rules to follow (a payout scheme must not credit), so its releases
 * wait until it is loaded again. */
static int crm__lot_release(crm *c, int64_t id, int64_t as_of,
                            crm_due_stats *stats)
{
  const crm__component *k;
  sqlite3_stmt *st;
  crm__lot_row r;
  crm__line l;
  int64_t entry = 0;
  int rc;

  rc = crm__lot_get(c, id, &r);
  if(rc || !r.pending || r.release_at > as_of)
    return rc;
  k = crm__component_find(c, CRM_KIND_REWARD, r.scheme);
  if(!k)
    return CRM_OK;
  memset(&l, 0, sizeof(l));
  l.customer_id = r.customer_id;
  l.scheme = r.scheme;
  l.event_id = r.event_id;
  l.kind = "release";
  l.points = r.remaining;
  l.pending = -r.remaining;
  l.lot_id = id;
  l.note = "return window over";
  l.at = r.release_at;
  rc = crm__ledger_add(c, &l, &entry);
  if(rc)
    return rc;
  st = crm__stmt(c, crm__sql_lot_release);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, id);
  rc = crm__step_end(c, st, "releasing a points lot");
  if(rc)
    return rc;
  stats->lots_released++;
  stats->points_released += r.remaining;
  if(r.expires_at && r.expires_at <= r.release_at)
    return crm__lot_expire(c, id, as_of, stats);
  rc = crm__lot_settle(c, r.customer_id, r.scheme, r.event_id, entry, id,
                       r.remaining, r.release_at, 1);
  if(!rc)
    rc = crm__after_release(c, crm__scheme_of(k), id);
  return rc;
}

/* One stream of due lots (releases or expiries): the cursor is the last
 * lot taken, next_* the next one due after it (have = 0: none). */
typedef struct crm__due_head {
  const char *sql;
  int64_t t, id;
  int64_t next_t, next_id;
  int have;
} crm__due_head;

static int crm__due_next(crm *c, crm__due_head *h, int64_t customer_id,
                         int64_t as_of)
{
  sqlite3_stmt *st = crm__stmt(c, h->sql);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_int64(st, 2, as_of);
  sqlite3_bind_int64(st, 3, h->t);
  sqlite3_bind_int64(st, 4, h->id);
  rc = sqlite3_step(st);
  h->have = rc == SQLITE_ROW;
  if(h->have) {
    h->next_id = sqlite3_column_int64(st, 0);
    h->next_t = sqlite3_column_int64(st, 1);
  }
  sqlite3_reset(st);
  if(rc != SQLITE_ROW && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading due points lots");
  return CRM_OK;
}

/* Takes the head's next lot: the cursor moves past it whether it is
 * handled or left waiting. */
static int64_t crm__due_take(crm__due_head *h)
{
  h->t = h->next_t;
  h->id = h->next_id;
  return h->id;
}

int crm__lots_due(crm *c, int64_t customer_id, int64_t as_of,
                  crm_due_stats *stats)
{
  crm_due_stats scratch;
  crm__due_head rel, exp;
  int one = customer_id > 0;
  int rc;

  if(!stats) {
    memset(&scratch, 0, sizeof(scratch));
    stats = &scratch;
  }
  memset(&rel, 0, sizeof(rel));
  memset(&exp, 0, sizeof(exp));
  rel.sql = one ? crm__sql_due_release_one : crm__sql_due_release_all;
  exp.sql = one ? crm__sql_due_expiry_one : crm__sql_due_expiry_all;
  rel.t = INT64_MIN;
  exp.t = INT64_MIN;
  rc = crm__due_next(c, &rel, customer_id, as_of);
  if(!rc)
    rc = crm__due_next(c, &exp, customer_id, as_of);
  while(!rc && (rel.have || exp.have)) {
    /* the earliest next; an expiry before a release at the same time */
    if(exp.have && (!rel.have || exp.next_t <= rel.next_t)) {
      rc = crm__lot_expire(c, crm__due_take(&exp), as_of, stats);
    } else {
      rc = crm__lot_release(c, crm__due_take(&rel), as_of, stats);
      if(!rc)
        rc = crm__due_next(c, &rel, customer_id, as_of);
    }
    /* a release makes a lot available and may spend others */
    if(!rc)
      rc = crm__due_next(c, &exp, customer_id, as_of);
  }
  return rc;
}
