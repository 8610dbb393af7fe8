/*
 * points_refund.c - the refund side of earning: the points_refunds row
 * of a refund or cancel that names its purchase (payload "refund_of"),
 * held refunds of a purchase not yet in the store, and reconciliation.
 *
 * In a scheme with CRM_REWARD_CORE_REFUNDS the core brings what was
 * taken back from the purchase to
 *   floor(earned x min(refunded, amount) / amount)   (all after a full
 * refund or a cancel), computed from the ledger each time, so replays,
 * several partial refunds and refunds arriving before their purchase
 * all end in the same place. The taking back itself (lots, overdraft,
 * shortfall) is points_earn.c's crm__takeback_run. The purchase's tier
 * activity (base points, credits, count, spend) is reversed the same
 * way, at the purchase's time.
 *
 * A refund names a purchase in its own currency: one in another currency
 * is refused when the purchase is known; a held one's amount counts for
 * nothing when the purchase arrives in another currency.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "points_int.h"

static const char crm__sql_refund_of[] =
  "SELECT json_type(?1, '$.refund_of'), json_extract(?1, '$.refund_of')";
static const char crm__sql_refund_insert[] =
  "INSERT OR IGNORE INTO points_refunds(refund_event_id, customer_id,"
  " original_key, amount, full, at) VALUES(?1, ?2, ?3, ?4, ?5, ?6)";
static const char crm__sql_refunds_held[] =
  "SELECT count(*) FROM points_refunds WHERE customer_id = ?1"
  " AND original_key = ?2";
static const char crm__sql_purchase[] =
  "SELECT occurred_at, amount, currency, idem_key FROM events"
  " WHERE id = ?1 AND customer_id = ?2";
static const char crm__sql_currency[] =
  "SELECT currency FROM events WHERE id = ?1";
/* Amounts in another currency than the purchase's (?3) count for nothing
 * (a refund held before its purchase could not be refused). */
static const char crm__sql_refunded[] =
  "SELECT coalesce(sum(CASE WHEN ?3 IS NULL OR e.currency IS NULL"
  "   OR e.currency = ?3 THEN r.amount ELSE 0 END), 0),"
  " coalesce(max(r.full), 0), count(*),"
  " coalesce(max(r.refund_event_id), 0)"
  " FROM points_refunds r JOIN events e ON e.id = r.refund_event_id"
  " WHERE r.customer_id = ?1 AND r.original_key = ?2";
static const char crm__sql_earned[] =
  "SELECT coalesce(sum(original), 0) FROM points_lots WHERE event_id = ?1"
  " AND scheme = ?2";
static const char crm__sql_reversed[] =
  "SELECT -(SELECT coalesce(sum(points + pending), 0) FROM points_ledger"
  "   WHERE ref_event_id = ?1 AND scheme = ?2 AND kind = 'reverse')"
  " + (SELECT coalesce(sum(amount - recovered), 0) FROM points_shortfalls"
  "   WHERE customer_id = ?3 AND scheme = ?2 AND recovered < amount"
  "   AND event_id = ?1)";
/* The purchase's own activity rows in the scheme (dated like it). */
static const char crm__sql_activity_base[] =
  "SELECT coalesce(sum(points), 0), coalesce(sum(credits), 0),"
  " coalesce(sum(count), 0), coalesce(sum(spend), 0) FROM points_activity"
  " WHERE customer_id = ?1 AND scheme = ?2 AND at = ?3 AND event_id = ?4";
/* What the refunds naming it reversed in the scheme. */
static const char crm__sql_activity_done[] =
  "SELECT -coalesce(sum(points), 0), -coalesce(sum(credits), 0),"
  " -coalesce(sum(count), 0), -coalesce(sum(spend), 0)"
  " FROM points_activity WHERE customer_id = ?1 AND scheme = ?2"
  " AND event_id IN (SELECT refund_event_id FROM points_refunds"
  "   WHERE customer_id = ?1 AND original_key = ?3)";

/* floor(a * b / d) for a, b >= 0 and d > 0, without overflow. */
static int64_t crm__muldiv(int64_t a, int64_t b, int64_t d)
{
#ifdef __SIZEOF_INT128__
  __extension__ typedef unsigned __int128 crm__u128;

  return (int64_t)((crm__u128)(uint64_t)a * (uint64_t)b / (uint64_t)d);
#else
  return (int64_t)floorl((long double)a * b / d);
#endif
}

/* ---- refund rows -------------------------------------------------------- */

/* payload.refund_of of a refund or cancel: a string of at most 128 bytes
 * (the longest idempotency key). */
static int crm__refund_of_read(crm *c, crm__earn *e)
{
  sqlite3_stmt *st;
  const unsigned char *type, *key;
  int rc;

  st = crm__stmt(c, crm__sql_refund_of);
  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, e->ev->payload, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc != SQLITE_ROW) {
    sqlite3_reset(st);
    return crm__sqlerr(c, rc, "reading refund_of");
  }
  type = sqlite3_column_text(st, 0);
  key = sqlite3_column_text(st, 1);
  rc = CRM_OK;
  if(type && strcmp((const char *)type, "null") != 0) {
    if(strcmp((const char *)type, "text") != 0)
      rc = crm__err(c, CRM_EINVAL, "refund_of must be a string: the "
                    "idempotency key of the purchase");
    else if(strlen((const char *)key) > CRM_IDEM_KEY_MAX)
      rc = crm__err(c, CRM_EINVAL, "refund_of is longer than %d bytes (the "
                    "longest idempotency key)", CRM_IDEM_KEY_MAX);
    else
      snprintf(e->refund_of, sizeof(e->refund_of), "%s",
               (const char *)key);
  }
  sqlite3_reset(st);
  return rc;
}

/* A refund in another currency than its purchase's: CRM_EINVAL. */
static int crm__refund_currency(crm *c, const crm__earn *e)
{
  sqlite3_stmt *st;
  char cur[8] = "";
  int rc;

  if(!e->ev->currency)
    return CRM_OK;
  st = crm__stmt(c, crm__sql_currency);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, e->purchase.id);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW)
    crm__col_text(st, 0, cur, sizeof(cur));
  sqlite3_reset(st);
  if(rc != SQLITE_ROW)
    return crm__sqlerr(c, rc, "reading the currency of a purchase");
  if(cur[0] && strcmp(cur, e->ev->currency) != 0)
    return crm__err(c, CRM_EINVAL, "refund currency %s is not the currency "
                    "of purchase \"%s\" (%s)", e->ev->currency, e->refund_of,
                    cur);
  return CRM_OK;
}

/* Finds the purchase refund_of names and records the refund. */
static int crm__refund_record(crm *c, crm__earn *e)
{
  sqlite3_stmt *st;
  int rc;

  rc = crm__event_find_key(c, e->refund_of, &e->purchase);
  if(rc == CRM_ENOTFOUND)
    memset(&e->purchase, 0, sizeof(e->purchase));
  else if(rc)
    return rc;
  else if(e->purchase.customer_id != e->cust->id)
    return crm__err(c, CRM_EINVAL, "refund_of \"%s\" names a purchase of "
                    "another customer", e->refund_of);
  else if(strcmp(e->purchase.type, "purchase") != 0)
    return crm__err(c, CRM_EINVAL, "refund_of \"%s\" names a %s event, not "
                    "a purchase", e->refund_of, e->purchase.type);
  if(e->purchase.id) {
    rc = crm__refund_currency(c, e);
    if(rc)
      return rc;
  }
  st = crm__stmt(c, crm__sql_refund_insert);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, e->event_id);
  sqlite3_bind_int64(st, 2, e->cust->id);
  sqlite3_bind_text(st, 3, e->refund_of, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, e->ev->amount);
  sqlite3_bind_int(st, 5, e->full);
  sqlite3_bind_int64(st, 6, e->t);
  return crm__step_end(c, st, "recording a refund");
}

/* A purchase that refunds named before it arrived. */
static int crm__held_check(crm *c, crm__earn *e)
{
  sqlite3_stmt *st;
  int64_t n = 0;
  int rc;

  st = crm__stmt(c, crm__sql_refunds_held);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, e->cust->id);
  sqlite3_bind_text(st, 2, e->ev->idempotency_key, -1, SQLITE_STATIC);
  rc = crm__step_row(c, st, &n, 1, "looking up held refunds");
  e->held = n > 0;
  return rc;
}
int crm__refund_prepare(crm *c, crm__earn *e)
{
  int rc = CRM_OK;

  if(e->is_refund && e->ev->payload)
    rc = crm__refund_of_read(c, e);
  if(!rc && e->refund_of[0])
    rc = crm__refund_record(c, e);
  if(!rc && e->is_purchase)
    rc = crm__held_check(c, e);
  return rc;
}

/* ---- reconciliation ----------------------------------------------------- */

typedef struct crm__purchase {
  int64_t id, at, amount;
  char currency[4];
  char key[CRM_IDEM_KEY_MAX + 1];
  int64_t refunded, full, n_refunds, last_refund;
} crm__purchase;

static int crm__purchase_read(crm *c, int64_t customer_id, int64_t id,
                              crm__purchase *p)
{
  sqlite3_stmt *st;
  int64_t v[4] = {0, 0, 0, 0};
  int rc;

  memset(p, 0, sizeof(*p));
  p->id = id;
  st = crm__stmt(c, crm__sql_purchase);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int64(st, 2, customer_id);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW) {
    p->at = sqlite3_column_int64(st, 0);
    p->amount = sqlite3_column_int64(st, 1);
    crm__col_text(st, 2, p->currency, sizeof(p->currency));
    crm__col_text(st, 3, p->key, sizeof(p->key));
  }
  sqlite3_reset(st);
  if(rc == SQLITE_DONE)
    return crm__err(c, CRM_ESTORE, "refunded purchase #%lld of customer "
                    "#%lld is not in the store", (long long)id,
                    (long long)customer_id);
  if(rc != SQLITE_ROW)
    return crm__sqlerr(c, rc, "reading a refunded purchase");
  st = crm__stmt(c, crm__sql_refunded);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, p->key, -1, SQLITE_STATIC);
  if(p->currency[0])
    sqlite3_bind_text(st, 3, p->currency, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, 3);
  rc = crm__step_row(c, st, v, 4, "summing refunds");
  p->refunded = v[0];
  p->full = v[1];
  p->n_refunds = v[2];
  p->last_refund = v[3];
  return rc;
}

/* The share of `whole` the purchase's refunds give back (all of it after
 * a full refund; never more than all). */
static int64_t crm__refund_share(const crm__purchase *p, int64_t whole)
{
  int64_t part = p->refunded < p->amount ? p->refunded : p->amount;

  if(whole <= 0 || p->n_refunds == 0)
    return 0;
  if(p->full || p->amount <= 0)
    return p->full || p->refunded > 0 ? whole : 0;
  return crm__muldiv(whole, part, p->amount);
}

static int crm__reconcile_points(crm *c, const crm__scheme *s,
                                 const char *scheme, int64_t customer_id,
                                 const crm__purchase *p, int64_t at,
                                 int64_t cause_event_id)
{
  crm__takeback tb;
  sqlite3_stmt *st;
  int64_t earned = 0, already = 0;
  char note[160], a[40], b[40];
  int rc;

  st = crm__stmt(c, crm__sql_earned);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, p->id);
  sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  rc = crm__step_row(c, st, &earned, 1, "summing earned points");
  if(rc || earned <= 0)
    return rc;
  st = crm__stmt(c, crm__sql_reversed);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, p->id);
  sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, customer_id);
  rc = crm__step_row(c, st, &already, 1, "summing reversed points");
  if(rc || crm__refund_share(p, earned) <= already)
    return rc;
  if(p->full || p->refunded >= p->amount) {
    snprintf(note, sizeof(note), "refund of purchase #%lld (all of it)",
             (long long)p->id);
  }
  else {
    crm_money_format(p->refunded, p->currency[0] ? p->currency : NULL, a,
                     sizeof(a));
    crm_money_format(p->amount, p->currency[0] ? p->currency : NULL, b,
                     sizeof(b));
    snprintf(note, sizeof(note), "refund of purchase #%lld (%s of %s%s%s)",
             (long long)p->id, a, b, p->currency[0] ? " " : "", p->currency);
  }
  memset(&tb, 0, sizeof(tb));
  tb.s = s;
  tb.scheme = scheme;
  tb.customer_id = customer_id;
  tb.event_id = cause_event_id;
  tb.ref_event_id = p->id;
  tb.lot_event_id = p->id;
  tb.shortfall_event = p->id;
  tb.points = crm__refund_share(p, earned) - already;
  tb.note = note;
  tb.at = at;
  return crm__takeback_run(c, &tb);
}

/* The refunded share of each measure of the purchase's tier activity
 * (base points, credits, count, spend), booked at the purchase's time on
 * a refund event, less what refunds of it already reversed. */
static int crm__reconcile_activity(crm *c, const char *scheme,
                                   int64_t customer_id,
                                   const crm__purchase *p,
                                   int64_t cause_event_id)
{
  sqlite3_stmt *st;
  int64_t base[4] = {0, 0, 0, 0}, done[4] = {0, 0, 0, 0}, d[4];
  int any = 0;
  int k, rc;

  st = crm__stmt(c, crm__sql_activity_base);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, p->at);
  sqlite3_bind_int64(st, 4, p->id);
  rc = crm__step_row(c, st, base, 4, "reading tier activity");
  if(rc)
    return rc;
  st = crm__stmt(c, crm__sql_activity_done);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, p->key, -1, SQLITE_STATIC);
  rc = crm__step_row(c, st, done, 4, "reading tier activity");
  if(rc)
    return rc;
  for(k = 0; k < 4; k++) {
    d[k] = crm__refund_share(p, base[k]) - done[k];
    d[k] = d[k] > 0 ? -d[k] : 0;
    any |= d[k] != 0;
  }
  if(!any)
    return CRM_OK;
  /* the purchase's own rows keep its earning; what a refund gives back
   * is booked on a refund event, where the next reconciliation finds it */
  if(cause_event_id == p->id)
    cause_event_id = p->last_refund;
  return crm__tier_activity(c, customer_id, scheme, cause_event_id, p->at,
                            d[0], d[1], d[2], d[3]);
}

int crm__points_reconcile(crm *c, const crm__scheme *s, const char *scheme,
                          int64_t customer_id, int64_t purchase_event_id,
                          int64_t at, int64_t cause_event_id)
{
  crm__purchase p;
  int rc;

  rc = crm__purchase_read(c, customer_id, purchase_event_id, &p);
  if(rc || p.n_refunds == 0)
    return rc;
  rc = crm__reconcile_points(c, s, scheme, customer_id, &p, at,
                             cause_event_id);
  if(!rc)
    rc = crm__reconcile_activity(c, scheme, customer_id, &p,
                                 cause_event_id);
  return rc;
}
