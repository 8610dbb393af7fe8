/*
 * voucher.c - vouchers once issued (redeem.c issues them): reading one
 * by code, listing a customer's, using and voiding.
 *
 * Codes are matched without regard to case. A voucher still "issued"
 * whose valid_until has passed reads as "expired".
 *
 * Using and voiding a voucher are core events ("voucher_use",
 * "voucher_void" {"code"}) under the caller's idempotency key: a retry
 * finds the event and changes nothing. A void gives each lot back what
 * the spend drew (crm__lots_restore), writes a `reverse` line naming the
 * spend (ref_entry_id), lets the restored points pay what the account
 * owes like any new points (overdraft, then open shortfalls: otherwise
 * points taken back by a refund could be spent again), releases the
 * stock and then expires what is past its date among the restored lots.
 * A voucher past its valid_until is not voided: its points are gone.
 *
 * The operation's time may not be in the future nor before the newest
 * ledger entry of the voucher's account (crm__op_time_check).
 *
 * The public entry points take their own transaction and first apply
 * what fell due for the customer by the operation's time.
 */
#include <stdio.h>
#include <string.h>

#include "points_int.h"

#define VC_VOUCHER_COLS                                                     \
  "SELECT id, code, customer_id, scheme, item, type, cost, value, state,"   \
  " issued_at, coalesce(valid_until, 0), coalesce(used_at, 0),"             \
  " coalesce(voided_at, 0), event_id, coalesce(spend_entry_id, 0)"         \
  " FROM vouchers"
static const char vc_sql_by_code[] = VC_VOUCHER_COLS " WHERE code = ?1";
static const char vc_sql_by_event[] = VC_VOUCHER_COLS " WHERE event_id = ?1";
static const char vc_sql_of_customer[] =
  VC_VOUCHER_COLS " WHERE customer_id = ?1 ORDER BY id";
static const char vc_sql_voucher_used[] =
  "UPDATE vouchers SET state = 'used', used_at = ?2 WHERE id = ?1"
  " AND state = 'issued'";
static const char vc_sql_voucher_voided[] =
  "UPDATE vouchers SET state = 'voided', voided_at = ?2 WHERE id = ?1"
  " AND state = 'issued'";
static const char vc_sql_code_payload[] =
  "SELECT json_object('code', ?1)";

/* ---- reading ------------------------------------------------------------ */

static void vc_voucher_row(crm *c, sqlite3_stmt *st, crm_voucher *v)
{
  memset(v, 0, sizeof(*v));
  v->id = sqlite3_column_int64(st, 0);
  crm__col_text(st, 1, v->code, sizeof(v->code));
  v->customer_id = sqlite3_column_int64(st, 2);
  crm__col_text(st, 3, v->scheme, sizeof(v->scheme));
  crm__col_text(st, 4, v->item, sizeof(v->item));
  crm__col_text(st, 5, v->type, sizeof(v->type));
  v->cost = sqlite3_column_int64(st, 6);
  v->value = sqlite3_column_int64(st, 7);
  crm__col_text(st, 8, v->state, sizeof(v->state));
  v->issued_at = sqlite3_column_int64(st, 9);
  v->valid_until = sqlite3_column_int64(st, 10);
  v->used_at = sqlite3_column_int64(st, 11);
  v->voided_at = sqlite3_column_int64(st, 12);
  v->event_id = sqlite3_column_int64(st, 13);
  v->spend_entry_id = sqlite3_column_int64(st, 14);
  if(strcmp(v->state, "issued") == 0 && v->valid_until &&
     crm_now(c) >= v->valid_until)
    snprintf(v->state, sizeof(v->state), "expired");
}

int crm__voucher_find(crm *c, const char *code, int64_t event_id,
                      crm_voucher *v)
{
  sqlite3_stmt *st = crm__stmt(c, code ? vc_sql_by_code : vc_sql_by_event);
  int rc;

  if(!st)
    return c->errcode;
  if(code)
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_int64(st, 1, event_id);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW)
    vc_voucher_row(c, st, v);
  sqlite3_reset(st);
  if(rc == SQLITE_DONE)
    return crm__err(c, CRM_ENOTFOUND, "unknown voucher %s",
                    code ? code : "");
  if(rc != SQLITE_ROW)
    return crm__sqlerr(c, rc, "reading a voucher");
  return CRM_OK;
}

/* Codes are matched without regard to case. */
static void vc_code_norm(const char *in, char *out, size_t size)
{
  size_t i;

  for(i = 0; in[i] && i + 1 < size; i++)
    out[i] = in[i] >= 'a' && in[i] <= 'z' ? (char)(in[i] - 32) : in[i];
  out[i] = '\0';
}

int crm_voucher_get(crm *c, const char *code, crm_voucher *out)
{
  char norm[64];

  if(!c || !code || !out)
    return CRM_EINVAL;
  crm__clear_err(c);
  vc_code_norm(code, norm, sizeof(norm));
  return crm__voucher_find(c, norm, 0, out);
}

int crm_vouchers_foreach(crm *c, int64_t customer_id,
                         int (*cb)(void *ud, const crm_voucher *), void *ud)
{
  crm_voucher v;
  sqlite3_stmt *st;
  int stop = 0;
  int rc;

  if(!c || !cb)
    return CRM_EINVAL;
  crm__clear_err(c);
  st = crm__stmt_fresh(c, vc_sql_of_customer);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    vc_voucher_row(c, st, &v);
    stop = cb(ud, &v);
    if(stop)
      break;
  }
  crm__stmt_done(c, st);
  if(!stop && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading vouchers");
  return stop;
}

/* ---- use and void ------------------------------------------------------- */

/* Records the voucher_use / voucher_void event; 1 when the key was seen. */
static int vc_voucher_event(crm *c, const crm_voucher *v, const char *type,
                            const crm_points_op *op, int64_t at,
                            int64_t *event_id)
{
  char payload[128];
  sqlite3_stmt *st = crm__stmt(c, vc_sql_code_payload);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, v->code, -1, SQLITE_STATIC);
  rc = crm__redeem_text(c, st, payload, sizeof(payload), "building an event");
  if(!rc)
    rc = crm__redeem_due(c, v->customer_id, at);
  if(!rc)
    rc = crm__event_record(c, v->customer_id, type, payload,
                           op->idempotency_key, at, event_id);
  if(!rc)
    rc = crm__op_time_check(c, v->customer_id, v->scheme, at);
  return rc;
}

/* CRM_ESTATE unless the voucher is still issued and not past its date. */
static int vc_voucher_open(crm *c, const crm_voucher *v, int64_t at,
                           int for_use)
{
  char when[32];

  if(v->used_at) {
    crm__redeem_iso(v->used_at, when, sizeof(when));
    return crm__err(c, CRM_ESTATE, "voucher %s was already used at %s",
                    v->code, when);
  }
  if(v->voided_at) {
    crm__redeem_iso(v->voided_at, when, sizeof(when));
    return crm__err(c, CRM_ESTATE, "voucher %s was voided at %s", v->code,
                    when);
  }
  if(v->valid_until && at >= v->valid_until) {
    crm__redeem_iso(v->valid_until, when, sizeof(when));
    if(!for_use)
      return crm__err(c, CRM_ESTATE, "voucher %s expired on %s; its points "
                      "are not returned", v->code, when);
    return crm__err(c, CRM_ESTATE, "voucher %s expired at %s", v->code,
                    when);
  }
  return CRM_OK;
}

static int vc_voucher_mark(crm *c, const char *sql, int64_t id, int64_t at)
{
  sqlite3_stmt *st = crm__stmt(c, sql);

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int64(st, 2, at);
  return crm__step_end(c, st, "updating a voucher");
}

/* Opens the transaction and reads the voucher; the caller finishes. */
static int vc_voucher_begin(crm *c, const char *code, const crm_points_op *op,
                            crm_voucher *v, int64_t *at)
{
  char norm[64];
  int rc;

  if(!c || !code)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__redeem_op_check(c, op);
  if(!rc)
    rc = crm__tx_begin(c);
  if(rc)
    return rc;
  *at = op->at ? op->at : crm_now(c);
  vc_code_norm(code, norm, sizeof(norm));
  rc = crm__op_time_check(c, 0, NULL, *at);
  if(!rc)
    rc = crm__voucher_find(c, norm, 0, v);
  if(rc)
    crm__tx_rollback(c);
  return rc;
}

int crm_voucher_use(crm *c, const char *code, const crm_points_op *op)
{
  crm_voucher v;
  int64_t event_id = 0;
  int64_t at = 0;
  int rc = vc_voucher_begin(c, code, op, &v, &at);

  if(rc)
    return rc;
  rc = vc_voucher_event(c, &v, "voucher_use", op, at, &event_id);
  if(rc == 1)
    return crm__redeem_finish(c, 0);
  if(!rc)
    rc = vc_voucher_open(c, &v, at, 1);
  if(!rc)
    rc = vc_voucher_mark(c, vc_sql_voucher_used, v.id, at);
  if(!rc)
    rc = crm__audit(c, op->actor ? op->actor : "api", "voucher_use", v.code,
                    v.item);
  return crm__redeem_finish(c, rc);
}

/* The points back to their lots, a reverse line naming the spend, the
 * debts paid from them. */
static int vc_void_points(crm *c, const crm_voucher *v, int64_t event_id,
                          int64_t at)
{
  crm__line l;
  int64_t restored = 0, entry = 0;
  int rc = crm__lots_restore(c, v->spend_entry_id, &restored);

  if(rc)
    return rc;
  memset(&l, 0, sizeof(l));
  l.customer_id = v->customer_id;
  l.scheme = v->scheme;
  l.event_id = event_id;
  l.kind = "reverse";
  l.points = restored;
  l.ref_entry_id = v->spend_entry_id;
  l.note = "voucher voided";
  l.at = at;
  rc = crm__ledger_add(c, &l, &entry);
  if(!rc)
    rc = crm__lots_restore_settle(c, v->spend_entry_id, entry, event_id, at);
  return rc;
}

/* The points given back (a goodwill voucher spent none), the stock
 * released; then what is past its date expires again. */
static int vc_void_apply(crm *c, const crm_voucher *v, int64_t event_id,
                         int64_t at)
{
  int rc = CRM_OK;

  if(v->spend_entry_id)
    rc = vc_void_points(c, v, event_id, at);
  if(!rc)
    rc = crm__redeem_stock(c, v->scheme, v->item, 0);
  if(!rc)
    rc = vc_voucher_mark(c, vc_sql_voucher_voided, v->id, at);
  if(!rc)
    rc = crm__lots_due(c, v->customer_id, at, NULL);
  return rc;
}

int crm_voucher_void(crm *c, const char *code, const crm_points_op *op)
{
  crm_voucher v;
  int64_t event_id = 0;
  int64_t at = 0;
  int rc = vc_voucher_begin(c, code, op, &v, &at);

  if(rc)
    return rc;
  rc = vc_voucher_event(c, &v, "voucher_void", op, at, &event_id);
  if(rc == 1)
    return crm__redeem_finish(c, 0);
  if(!rc)
    rc = vc_voucher_open(c, &v, at, 0);
  if(!rc)
    rc = vc_void_apply(c, &v, event_id, at);
  if(!rc)
    rc = crm__audit(c, op->actor ? op->actor : "api", "voucher_void", v.code,
                    v.item);
  return crm__redeem_finish(c, rc);
}
