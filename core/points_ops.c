/*
 * points_ops.c - the public points operations and reads: accounts and
 * lots, admin adjustments, transfers between members, the due-work
 * driver and period statements (the invariant check is points_check.c).
 *
 * Operations are recorded as core events (crm__event_record), so a
 * retried idempotency key returns the first result and changes nothing.
 * A new operation's time may not be in the future nor before the newest
 * ledger entry of an account it touches (crm__op_time_check), and it
 * moves at most CRM__POINTS_MAX points. A transfer keeps the expiry of
 * the points it moves: the receiver gets a transfer_in line and its lot
 * per expiry date among the lots the sender's transfer_out drew.
 */
#include <stdio.h>
#include <string.h>

#include "points_int.h"

#define CRM__REASON_MAX 500
#define CRM__PAYLOAD_SIZE 1200

static const char crm__sql_customer_exists[] =
  "SELECT 1 FROM customers WHERE id = ?1";
static const char crm__sql_accounts_of[] =
  "SELECT scheme FROM points_accounts WHERE customer_id = ?1 ORDER BY scheme";
static const char crm__sql_lots_list[] =
  "SELECT id, coalesce(event_id, 0), coalesce(entry_id, 0), earned_at,"
  " original, remaining, state, coalesce(release_at, 0),"
  " coalesce(expires_at, 0) FROM points_lots"
  " WHERE customer_id = ?1 AND scheme = ?2 AND (?3 OR state <> 'closed')"
  " ORDER BY CASE state WHEN 'available' THEN 0 WHEN 'pending' THEN 1"
  " ELSE 2 END, CASE WHEN state = 'available' THEN expires_at IS NULL END,"
  " CASE state WHEN 'available' THEN expires_at"
  " WHEN 'pending' THEN release_at END, id";
static const char crm__sql_payload_adjust[] =
  "SELECT json_object('scheme', ?1, 'points', ?2, 'reason', ?3)";
static const char crm__sql_payload_transfer[] =
  "SELECT json_object('scheme', ?1, 'points', ?2, 'to', ?3)";
static const char crm__sql_month_sum[] =
  "SELECT coalesce(sum(points), 0) FROM points_ledger"
  " WHERE customer_id = ?1 AND scheme = ?2 AND kind = ?4"
  " AND at >= CAST(strftime('%s', ?3, 'unixepoch', 'start of month')"
  "   AS INTEGER)"
  " AND at < CAST(strftime('%s', ?3, 'unixepoch', 'start of month',"
  "   '+1 month') AS INTEGER)";
/* The lots a transfer_out drew, grouped by expiry (never last), after
 * the cursor ?2. */
static const char crm__sql_drawn_expiry[] =
  "SELECT coalesce(l.expires_at, 9223372036854775807) AS k,"
  " sum(u.points) FROM points_lot_uses u JOIN points_lots l"
  " ON l.id = u.lot_id WHERE u.entry_id = ?1"
  " AND coalesce(l.expires_at, 9223372036854775807) > ?2"
  " GROUP BY k ORDER BY k LIMIT 1";
static const char crm__sql_period_start[] =
  "SELECT CAST(strftime('%s', ?1, 'unixepoch', 'start of month',"
  " '-' || ((CAST(strftime('%m', ?1, 'unixepoch') AS INTEGER) - 1) % ?2)"
  " || ' months') AS INTEGER)";
static const char crm__sql_period_next[] =
  "SELECT CAST(strftime('%s', ?1, 'unixepoch', '+' || ?2 || ' months')"
  " AS INTEGER)";
static const char crm__sql_period_ledger[] =
  "SELECT"
  " coalesce(sum(CASE WHEN kind IN ('earn', 'pending_earn')"
  "   THEN points + pending END), 0),"
  " coalesce(sum(CASE WHEN kind = 'release' THEN points END), 0),"
  " coalesce(sum(CASE WHEN kind = 'reverse' AND ref_entry_id IS NULL"
  "   THEN points + pending END), 0),"
  /* a voided voucher's reverse line gives its spend back */
  " coalesce(sum(CASE WHEN kind IN ('spend', 'transfer_out')"
  "   OR ref_entry_id IS NOT NULL THEN points END), 0),"
  " coalesce(sum(CASE WHEN kind = 'expire' THEN points END), 0),"
  " coalesce(sum(CASE WHEN kind = 'adjust' THEN points END), 0),"
  " coalesce(sum(CASE WHEN kind = 'transfer_in' THEN points END), 0)"
  " FROM points_ledger WHERE customer_id = ?1 AND scheme = ?2"
  " AND at >= ?3 AND at < ?4";
static const char crm__sql_period_end[] =
  "SELECT coalesce(sum(points), 0), coalesce(sum(pending), 0)"
  " FROM points_ledger WHERE customer_id = ?1 AND scheme = ?2 AND at < ?3";
static const char crm__sql_period_activity[] =
  "SELECT coalesce(sum(count), 0), coalesce(sum(credits), 0),"
  " coalesce(sum(spend), 0) FROM points_activity"
  " WHERE customer_id = ?1 AND scheme = ?2 AND at >= ?3 AND at < ?4";

int crm__customer_exists(crm *c, int64_t id)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_customer_exists);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, id);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc == SQLITE_DONE)
    return crm__err(c, CRM_ENOTFOUND, "unknown customer #%lld",
                    (long long)id);
  if(rc != SQLITE_ROW)
    return crm__sqlerr(c, rc, "looking up a customer");
  return CRM_OK;
}

/* The scheme a read names: as given (loaded or not), or the only one. */
static int crm__read_scheme(crm *c, const char *scheme, const char **name)
{
  crm__component *k = NULL;
  int rc;

  *name = scheme;
  if(scheme)
    return CRM_OK;
  rc = crm__scheme_find(c, NULL, &k, NULL);
  if(!rc)
    *name = k->name;
  return rc;
}

/* ---- reads -------------------------------------------------------------- */

int crm_points_account_get(crm *c, int64_t customer_id, const char *scheme,
                           crm_points_account *out)
{
  const char *name = NULL;
  int rc;

  if(!c || !out)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__read_scheme(c, scheme, &name);
  if(!rc)
    rc = crm__account_read(c, customer_id, name, out);
  return rc;
}

int crm_points_accounts_foreach(crm *c, int64_t customer_id,
                                int (*cb)(void *ud,
                                          const crm_points_account *),
                                void *ud)
{
  crm_points_account a;
  char scheme[CRM__SCHEME_NAME_MAX + 1];
  sqlite3_stmt *st;
  int rc, stop = 0;

  if(!c || !cb)
    return CRM_EINVAL;
  crm__clear_err(c);
  st = crm__stmt_fresh(c, crm__sql_accounts_of);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    crm__col_text(st, 0, scheme, sizeof(scheme));
    stop = crm__account_read(c, customer_id, scheme, &a);
    if(!stop)
      stop = cb(ud, &a);
    if(stop)
      break;
  }
  crm__stmt_done(c, st);
  if(!stop && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading points accounts");
  return stop;
}

int crm_points_lots_foreach(crm *c, int64_t customer_id, const char *scheme,
                            int all,
                            int (*cb)(void *ud, const crm_points_lot *),
                            void *ud)
{
  crm_points_lot l;
  const char *name = NULL;
  sqlite3_stmt *st;
  int rc, stop = 0;

  if(!c || !cb)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__read_scheme(c, scheme, &name);
  if(rc)
    return rc;
  st = crm__stmt_fresh(c, crm__sql_lots_list);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(st, 3, all != 0);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    memset(&l, 0, sizeof(l));
    l.id = sqlite3_column_int64(st, 0);
    l.customer_id = customer_id;
    l.scheme = name;
    l.event_id = sqlite3_column_int64(st, 1);
    l.entry_id = sqlite3_column_int64(st, 2);
    l.earned_at = sqlite3_column_int64(st, 3);
    l.original = sqlite3_column_int64(st, 4);
    l.remaining = sqlite3_column_int64(st, 5);
    l.state = (const char *)sqlite3_column_text(st, 6);
    if(l.state && strcmp(l.state, "pending") == 0)
      l.release_at = sqlite3_column_int64(st, 7);
    l.expires_at = sqlite3_column_int64(st, 8);
    stop = cb(ud, &l);
    if(stop)
      break;
  }
  crm__stmt_done(c, st);
  if(!stop && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading points lots");
  return stop;
}

/* ---- operations --------------------------------------------------------- */

typedef struct crm__op {
  const crm__scheme *s;
  const char *scheme;
  int64_t at;
  const char *actor;
  const char *key;
} crm__op;

static int crm__op_start(crm *c, const crm_points_op *op, crm__op *o)
{
  crm__component *k = NULL;
  int rc;

  if(!op)
    return crm__err(c, CRM_EINVAL, "a points operation needs its options "
                    "(an idempotency key at least)");
  rc = crm__check_text(c, "idempotency key", op->idempotency_key,
                       CRM_IDEM_KEY_MAX, 1);
  if(rc)
    return rc;
  if(strncmp(op->idempotency_key, "core:", 5) == 0)
    return crm__err(c, CRM_EINVAL, "idempotency keys starting with "
                    "\"core:\" are reserved for events the core records");
  rc = crm__scheme_find(c, op->scheme, &k, &o->s);
  if(rc)
    return rc;
  o->scheme = k->name;
  o->at = op->at ? op->at : crm_now(c);
  o->actor = op->actor ? op->actor : "api";
  o->key = op->idempotency_key;
  return crm__op_time_check(c, 0, NULL, o->at);
}

/* A payload built by SQLite's json_object (?1 text, ?2 integer, ?3
 * text or integer) copied into buf. */
static int crm__payload(crm *c, const char *sql, const char *scheme,
                        int64_t points, const char *s3, int64_t i3,
                        char *buf, size_t size)
{
  sqlite3_stmt *st = crm__stmt(c, sql);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, scheme, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, points);
  if(s3)
    sqlite3_bind_text(st, 3, s3, -1, SQLITE_STATIC);
  else
    sqlite3_bind_int64(st, 3, i3);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW)
    crm__col_text(st, 0, buf, size);
  sqlite3_reset(st);
  if(rc != SQLITE_ROW)
    return crm__sqlerr(c, rc, "building an event payload");
  return CRM_OK;
}

/* Due work of one customer before an operation at `at`. */
static int crm__op_due(crm *c, int64_t customer_id, int64_t at)
{
  int rc = crm__lots_due(c, customer_id, at, NULL);

  if(!rc)
    rc = crm__tier_due(c, customer_id, at, NULL);
  return rc;
}

/* A credit of an operation: its line and an available lot. */
static int crm__op_credit(crm *c, const crm__op *o, int64_t customer_id,
                          int64_t event_id, const char *kind, int64_t points,
                          const char *reason)
{
  crm__line l;
  int64_t entry = 0, lot = 0;
  int rc;

  memset(&l, 0, sizeof(l));
  l.customer_id = customer_id;
  l.scheme = o->scheme;
  l.event_id = event_id;
  l.kind = kind;
  l.points = points;
  l.reason = reason;
  l.note = strcmp(kind, "adjust") == 0 ? "adjustment" : "transfer";
  l.at = o->at;
  rc = crm__ledger_add(c, &l, &entry);
  if(!rc)
    rc = crm__lot_create(c, o->s, customer_id, o->scheme, event_id, entry,
                         points, o->at, 0, crm__scheme_expiry(o->s, o->at), 1,
                         &lot);
  if(!rc)
    rc = crm__ledger_set_lot(c, entry, lot);
  if(!rc && o->s->auto_redeem[0])
    rc = crm__redeem_auto(c, o->s, o->scheme, customer_id, event_id, o->at);
  return rc;
}

/* A debit of an operation: its line, drawn from the lots; the part the
 * lots cannot cover (allow_negative only) becomes overdraft. */
static int crm__op_debit(crm *c, const crm__op *o, int64_t customer_id,
                         int64_t event_id, const char *kind, int64_t points,
                         const char *reason, int may_overdraw,
                         int64_t *entry_out)
{
  crm_points_account a;
  crm__line l;
  int64_t entry = 0, have;
  int rc;

  rc = crm__account_read(c, customer_id, o->scheme, &a);
  if(rc)
    return rc;
  if(a.balance < points && !may_overdraw)
    return crm__err(c, CRM_ESTATE, "not enough points: balance %lld, needs "
                    "%lld", (long long)a.balance, (long long)points);
  memset(&l, 0, sizeof(l));
  l.customer_id = customer_id;
  l.scheme = o->scheme;
  l.event_id = event_id;
  l.kind = kind;
  l.points = -points;
  l.reason = reason;
  l.note = strcmp(kind, "adjust") == 0 ? "adjustment" : "transfer";
  l.at = o->at;
  have = a.balance + a.overdraft; /* what the available lots hold */
  if(have > points)
    have = points;
  if(have < 0)
    have = 0;
  rc = crm__ledger_add(c, &l, &entry);
  if(!rc)
    rc = crm__lots_draw(c, customer_id, o->scheme, entry, have);
  if(!rc && points > have)
    rc = crm__account_add_debt(c, customer_id, o->scheme, 0, points - have);
  if(entry_out)
    *entry_out = entry;
  return rc;
}

static int crm__adjust_tx(crm *c, const crm__op *o, int64_t customer_id,
                          int64_t points, const char *reason)
{
  char payload[CRM__PAYLOAD_SIZE];
  char detail[CRM__REASON_MAX + 128];
  char object[48];
  int64_t event_id = 0;
  int rc;

  rc = crm__customer_exists(c, customer_id);
  if(!rc)
    rc = crm__payload(c, crm__sql_payload_adjust, o->scheme, points, reason,
                      0, payload, sizeof(payload));
  if(!rc)
    rc = crm__event_record(c, customer_id, "points_adjust", payload, o->key,
                           o->at, &event_id);
  if(rc)
    return rc < 0 ? rc : CRM_OK; /* 1: a retry, already applied */
  rc = crm__op_time_check(c, customer_id, o->scheme, o->at);
  if(!rc)
    rc = crm__op_due(c, customer_id, o->at);
  if(!rc)
    rc = crm__account_ensure(c, customer_id, o->scheme, o->s, o->at);
  if(!rc && points > 0)
    rc = crm__op_credit(c, o, customer_id, event_id, "adjust", points,
                        reason);
  else if(!rc)
    rc = crm__op_debit(c, o, customer_id, event_id, "adjust", -points,
                       reason, o->s->allow_negative, NULL);
  if(rc)
    return rc;
  snprintf(object, sizeof(object), "customer #%lld", (long long)customer_id);
  snprintf(detail, sizeof(detail), "%s: %+lld %s (%s)", o->scheme,
           (long long)points, o->s->unit, reason);
  return crm__audit(c, o->actor, "points_adjust", object, detail);
}

int crm_points_adjust(crm *c, int64_t customer_id, int64_t points,
                      const crm_points_op *op)
{
  crm__op o;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__op_start(c, op, &o);
  if(rc)
    return rc;
  if(points == 0)
    return crm__err(c, CRM_EINVAL, "an adjustment of 0 points changes "
                    "nothing");
  if(points > CRM__POINTS_MAX || points < -CRM__POINTS_MAX)
    return crm__err(c, CRM_ERANGE, "an adjustment is at most %lld points "
                    "either way (got %lld)", (long long)CRM__POINTS_MAX,
                    (long long)points);
  rc = crm__check_text(c, "reason", op->reason, CRM__REASON_MAX, 1);
  if(rc)
    return rc;
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  rc = crm__adjust_tx(c, &o, customer_id, points, op->reason);
  if(!rc)
    rc = crm__tx_commit(c);
  if(rc)
    crm__tx_rollback(c);
  return rc;
}

/* Room left under a monthly transfer limit (kind transfer_out / _in). */
static int crm__transfer_room(crm *c, const crm__op *o, int64_t customer_id,
                              const char *kind, int64_t limit,
                              int64_t points)
{
  sqlite3_stmt *st;
  int64_t used = 0;
  int rc;

  if(limit <= 0)
    return CRM_OK;
  st = crm__stmt(c, crm__sql_month_sum);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, o->scheme, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, o->at);
  sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
  rc = crm__step_row(c, st, &used, 1, "summing transfers");
  if(rc)
    return rc;
  if(used < 0)
    used = -used;
  if(used + points <= limit)
    return CRM_OK;
  return crm__err(c, CRM_ESTATE, "monthly transfer limit: customer #%lld "
                  "may %s %lld more %s this month (limit %lld)",
                  (long long)customer_id,
                  strcmp(kind, "transfer_out") == 0 ? "send" : "receive",
                  (long long)(limit > used ? limit - used : 0), o->s->unit,
                  (long long)limit);
}

static int crm__transfer_allowed(crm *c, const crm__op *o, int64_t from,
                                 int64_t to, int64_t points)
{
  int64_t who[2];
  int member = 0;
  int rc, i;

  if(!o->s->transfers)
    return crm__err(c, CRM_ESTATE, "transfers are not enabled in scheme "
                    "\"%s\"", o->scheme);
  if(points < o->s->transfer_min)
    return crm__err(c, CRM_EINVAL, "the smallest transfer in scheme \"%s\" "
                    "is %lld %s", o->scheme, (long long)o->s->transfer_min,
                    o->s->unit);
  who[0] = from;
  who[1] = to;
  for(i = 0; i < 2; i++) {
    rc = crm__customer_exists(c, who[i]);
    if(!rc)
      rc = crm__scheme_member(c, o->s, who[i], &member);
    if(rc)
      return rc;
    if(!member)
      return crm__err(c, CRM_ESTATE, "customer #%lld is not a member of "
                      "scheme \"%s\"", (long long)who[i], o->scheme);
  }
  return CRM_OK;
}

/* The next expiry group (*key: expires_at, INT64_MAX never) of what the
 * transfer_out entry drew after *key; *points 0 when there is none. */
static int crm__drawn_next(crm *c, int64_t out_entry, int64_t *key,
                           int64_t *points)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_drawn_expiry);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, out_entry);
  sqlite3_bind_int64(st, 2, *key);
  rc = sqlite3_step(st);
  *points = 0;
  if(rc == SQLITE_ROW) {
    *key = sqlite3_column_int64(st, 0);
    *points = sqlite3_column_int64(st, 1);
  }
  sqlite3_reset(st);
  if(rc != SQLITE_ROW && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading the lots a transfer drew");
  return CRM_OK;
}

/* The receiving side: for each expiry date among the lots the
 * transfer_out drew (soonest first, never last) one transfer_in line
 * (numbered 0, 1, ...) and its lot with that date, so moving points
 * never renews their expiry. */
static int crm__transfer_in(crm *c, const crm__op *o, int64_t to,
                            int64_t event_id, int64_t out_entry,
                            int64_t points)
{
  crm__line l;
  int64_t entry, lot, key = INT64_MIN, part = 0, moved = 0;
  int rc = CRM_OK;

  memset(&l, 0, sizeof(l));
  l.customer_id = to;
  l.scheme = o->scheme;
  l.event_id = event_id;
  l.kind = "transfer_in";
  l.note = "transfer";
  l.at = o->at;
  while(!rc) {
    rc = crm__drawn_next(c, out_entry, &key, &part);
    if(rc || part <= 0)
      break;
    l.points = part;
    entry = 0;
    lot = 0;
    rc = crm__ledger_add(c, &l, &entry);
    if(!rc)
      rc = crm__lot_create(c, o->s, to, o->scheme, event_id, entry, part,
                           o->at, 0, key == INT64_MAX ? 0 : key, 1, &lot);
    if(!rc)
      rc = crm__ledger_set_lot(c, entry, lot);
    moved += part;
    l.line++;
  }
  if(!rc && moved != points)
    rc = crm__err(c, CRM_ECORRUPT, "a transfer of %lld points drew %lld "
                  "from the lots", (long long)points, (long long)moved);
  if(!rc && o->s->auto_redeem[0])
    rc = crm__redeem_auto(c, o->s, o->scheme, to, event_id, o->at);
  return rc;
}

static int crm__transfer_tx(crm *c, const crm__op *o, int64_t from,
                            int64_t to, int64_t points)
{
  char payload[CRM__PAYLOAD_SIZE];
  char detail[160];
  char object[48];
  int64_t event_id = 0, out_entry = 0;
  int rc;

  rc = crm__transfer_allowed(c, o, from, to, points);
  if(!rc)
    rc = crm__payload(c, crm__sql_payload_transfer, o->scheme, points, NULL,
                      to, payload, sizeof(payload));
  if(!rc)
    rc = crm__event_record(c, from, "points_transfer", payload, o->key,
                           o->at, &event_id);
  if(rc)
    return rc < 0 ? rc : CRM_OK; /* 1: a retry, already applied */
  rc = crm__op_time_check(c, from, o->scheme, o->at);
  if(!rc)
    rc = crm__op_time_check(c, to, o->scheme, o->at);
  if(!rc)
    rc = crm__op_due(c, from, o->at);
  if(!rc)
    rc = crm__op_due(c, to, o->at);
  if(!rc)
    rc = crm__account_ensure(c, from, o->scheme, o->s, o->at);
  if(!rc)
    rc = crm__account_ensure(c, to, o->scheme, o->s, o->at);
  if(!rc)
    rc = crm__transfer_room(c, o, from, "transfer_out",
                            o->s->transfer_max_out_month, points);
  if(!rc)
    rc = crm__transfer_room(c, o, to, "transfer_in",
                            o->s->transfer_max_in_month, points);
  if(!rc)
    rc = crm__op_debit(c, o, from, event_id, "transfer_out", points, NULL, 0,
                       &out_entry);
  if(!rc)
    rc = crm__transfer_in(c, o, to, event_id, out_entry, points);
  if(rc)
    return rc;
  snprintf(object, sizeof(object), "customer #%lld", (long long)from);
  snprintf(detail, sizeof(detail), "%s: %lld %s to customer #%lld",
           o->scheme, (long long)points, o->s->unit, (long long)to);
  return crm__audit(c, o->actor, "points_transfer", object, detail);
}

int crm_points_transfer(crm *c, int64_t from_customer, int64_t to_customer,
                        int64_t points, const crm_points_op *op)
{
  crm__op o;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__op_start(c, op, &o);
  if(rc)
    return rc;
  if(points <= 0)
    return crm__err(c, CRM_EINVAL, "a transfer needs a positive number of "
                    "points (got %lld)", (long long)points);
  if(points > CRM__POINTS_MAX)
    return crm__err(c, CRM_ERANGE, "a transfer is at most %lld points (got "
                    "%lld)", (long long)CRM__POINTS_MAX, (long long)points);
  if(from_customer == to_customer)
    return crm__err(c, CRM_EINVAL, "customer #%lld cannot transfer points "
                    "to itself", (long long)from_customer);
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  rc = crm__transfer_tx(c, &o, from_customer, to_customer, points);
  if(!rc)
    rc = crm__tx_commit(c);
  if(rc)
    crm__tx_rollback(c);
  return rc;
}

int crm_points_process_due(crm *c, int64_t as_of, crm_due_stats *out)
{
  crm_due_stats st;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  memset(&st, 0, sizeof(st));
  if(!as_of)
    as_of = crm_now(c);
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  rc = crm__lots_due(c, 0, as_of, &st);
  if(!rc)
    rc = crm__tier_due(c, 0, as_of, &st);
  if(!rc)
    rc = crm__tx_commit(c);
  if(rc) {
    crm__tx_rollback(c);
    return rc;
  }
  if(out)
    *out = st;
  return CRM_OK;
}

/* ---- statements --------------------------------------------------------- */

/* A time computed by one of the period queries (?1 = t, ?2 = n). */
static int crm__period_time(crm *c, const char *sql, int64_t t, int n,
                            int64_t *out)
{
  sqlite3_stmt *st = crm__stmt(c, sql);

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, t);
  sqlite3_bind_int(st, 2, n);
  return crm__step_row(c, st, out, 1, "computing a statement period");
}

static int crm__period_fill(crm *c, int64_t customer_id, const char *scheme,
                            crm_points_period *p)
{
  sqlite3_stmt *st;
  int64_t v[7];
  int rc;

  st = crm__stmt(c, crm__sql_period_ledger);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, p->from);
  sqlite3_bind_int64(st, 4, p->to);
  rc = crm__step_row(c, st, v, 7, "summing a statement period");
  if(rc)
    return rc;
  p->earned = v[0];
  p->released = v[1];
  p->reversed = v[2];
  p->spent = v[3];
  p->expired = v[4];
  p->adjusted = v[5];
  p->transferred_in = v[6];
  st = crm__stmt(c, crm__sql_period_end);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, p->to);
  rc = crm__step_row(c, st, v, 2, "summing a statement period");
  p->balance_end = v[0];
  p->pending_end = v[1];
  if(rc)
    return rc;
  st = crm__stmt(c, crm__sql_period_activity);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, p->from);
  sqlite3_bind_int64(st, 4, p->to);
  rc = crm__step_row(c, st, v, 3, "summing a statement period");
  p->activity_count = v[0];
  p->activity_credits = v[1];
  p->activity_spend = v[2];
  return rc;
}

int crm_points_statement(crm *c, int64_t customer_id, const char *scheme,
                         int64_t from, int64_t to, int months_per_period,
                         int (*cb)(void *ud, const crm_points_period *),
                         void *ud)
{
  char name[CRM__SCHEME_NAME_MAX + 1];
  const char *sn = NULL;
  crm_points_period p;
  int64_t start = 0;
  int rc;

  if(!c || !cb)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(months_per_period != CRM_PERIOD_MONTH &&
     months_per_period != CRM_PERIOD_QUARTER &&
     months_per_period != CRM_PERIOD_YEAR)
    return crm__err(c, CRM_EINVAL, "a statement period is 1, 3 or 12 months "
                    "(got %d)", months_per_period);
  if(from >= to)
    return crm__err(c, CRM_EINVAL, "a statement needs from before to");
  rc = crm__read_scheme(c, scheme, &sn);
  if(!rc)
    rc = crm__customer_exists(c, customer_id);
  if(!rc)
    rc = crm__period_time(c, crm__sql_period_start, from, months_per_period,
                          &start);
  if(rc)
    return rc;
  snprintf(name, sizeof(name), "%s", sn);
  while(start < to) {
    memset(&p, 0, sizeof(p));
    p.from = start;
    rc = crm__period_time(c, crm__sql_period_next, start, months_per_period,
                          &p.to);
    if(!rc)
      rc = crm__period_fill(c, customer_id, name, &p);
    if(!rc)
      rc = cb(ud, &p);
    if(rc)
      return rc;
    start = p.to;
  }
  return CRM_OK;
}
