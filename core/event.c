/*
 * event.c - event ingestion: validation, idempotency, and the one
 * transaction that applies an event (customer aggregates, lifecycle,
 * reward components into the ledger, complaint cases, score updates);
 * the events the core records itself (crm__event_record: points
 * operations, tier changes), whose types and "core:" keys are refused at
 * ingest.
 */
#include <stdio.h>
#include <string.h>

#include "comm_int.h"
#include "points_int.h"

#define CRM__MAX_EMIT_DEPTH 4

static const char crm__sql_event_find[] =
  "SELECT id, customer_id = ?3 AND type = ?4 AND amount = ?5"
  " AND currency IS ?6 AND quantity = ?7 AND payload IS ?8"
  " AND (?9 = 0 OR occurred_at = ?9)"
  " FROM events WHERE idem_hash = ?1 AND idem_key = ?2";
static const char crm__sql_event_by_key[] =
  "SELECT id, customer_id, type, occurred_at, amount FROM events"
  " WHERE idem_hash = ?1 AND idem_key = ?2";
static const char crm__sql_record_find[] =
  "SELECT id, customer_id = ?3 AND type = ?4 AND payload IS ?5"
  " FROM events WHERE idem_hash = ?1 AND idem_key = ?2";
static const char crm__sql_event_insert[] =
  "INSERT INTO events(customer_id, type, occurred_at, recorded_at, amount,"
  " currency, quantity, payload, idem_hash, idem_key, source, day_first)"
  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
static const char crm__sql_same_day[] =
  "SELECT count(*) FROM events WHERE customer_id = ?1 AND type = 'purchase'"
  " AND occurred_at >= ?2 AND occurred_at < ?3";
static const char crm__sql_agg_purchase[] =
  "UPDATE customers SET"
  " purchase_count = purchase_count + ?2,"
  " monetary_total = monetary_total + CASE WHEN currency IS NULL OR"
  "   currency = ?4 THEN ?3 ELSE 0 END,"
  " currency = coalesce(currency, ?4),"
  " first_purchase_at = CASE WHEN first_purchase_at = 0 OR"
  "   first_purchase_at > ?5 THEN ?5 ELSE first_purchase_at END,"
  " last_purchase_at = max(last_purchase_at, ?5),"
  " contact_count = 0, updated_at = ?6"
  " WHERE id = ?1";
static const char crm__sql_agg_refund[] =
  "UPDATE customers SET monetary_total = max(0, monetary_total -"
  " CASE WHEN currency = ?3 THEN ?2 ELSE 0 END), updated_at = ?4"
  " WHERE id = ?1";
static const char crm__sql_agg_contact[] =
  "UPDATE customers SET contact_count = contact_count + 1, updated_at = ?2"
  " WHERE id = ?1";
static const char crm__sql_agg_qualify[] =
  "UPDATE customers SET"
  " man_money = coalesce(json_extract(?2, '$.money'), man_money),"
  " man_authority = coalesce(json_extract(?2, '$.authority'),"
  "   man_authority),"
  " man_need = coalesce(json_extract(?2, '$.need'), man_need),"
  " updated_at = ?3 WHERE id = ?1";
/* At least one of money, authority, need; each present one a boolean. */
static const char crm__sql_qualify_ok[] =
  "SELECT (json_type(?1, '$.money') IS NOT NULL"
  "   OR json_type(?1, '$.authority') IS NOT NULL"
  "   OR json_type(?1, '$.need') IS NOT NULL)"
  " AND coalesce(json_type(?1, '$.money'), 'true') IN ('true','false')"
  " AND coalesce(json_type(?1, '$.authority'), 'true') IN ('true','false')"
  " AND coalesce(json_type(?1, '$.need'), 'true') IN ('true','false')";

/* FNV-1a, 64 bits: the compact first column of the idempotency index. */
static int64_t crm__key_hash(const char *key)
{
  uint64_t h = 14695981039346656037ULL;

  for(; *key; key++) {
    h ^= (unsigned char)*key;
    h *= 1099511628211ULL;
  }
  return (int64_t)h;
}

static int crm__check_qualify(crm *c, const char *payload)
{
  sqlite3_stmt *st;
  int ok;
  int rc;

  if(!payload)
    return crm__err(c, CRM_EINVAL, "a qualify event needs a payload with "
                    "money, authority or need set to true or false");
  st = crm__stmt(c, crm__sql_qualify_ok);
  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, payload, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  ok = rc == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
  sqlite3_reset(st);
  if(!ok)
    return crm__err(c, CRM_EINVAL, "a qualify event needs a payload with "
                    "money, authority or need, each true or false");
  return CRM_OK;
}

static int crm__check_event(crm *c, const crm_event *ev, int64_t t)
{
  int is_money;
  int rc;

  rc = crm__check_event_type(c, ev->type);
  if(rc)
    return rc;
  rc = crm__check_text(c, "idempotency key", ev->idempotency_key,
                       CRM_IDEM_KEY_MAX, 1);
  if(rc)
    return rc;
  if(t < 0)
    return crm__err(c, CRM_EINVAL, "event time is before 1970-01-01");
  if(t > crm_now(c) + 86400)
    return crm__err(c, CRM_EINVAL, "event time is in the future");
  if(ev->amount < 0)
    return crm__err(c, CRM_EINVAL, "amount must not be negative (record "
                    "money back as a refund event)");
  if(ev->quantity < 0)
    return crm__err(c, CRM_EINVAL, "quantity must not be negative");
  is_money = strcmp(ev->type, "purchase") == 0 ||
             strcmp(ev->type, "refund") == 0;
  if((is_money || ev->amount > 0 || ev->currency) &&
     crm__check_currency(c, ev->currency))
    return c->errcode;
  rc = crm__check_json(c, "payload", ev->payload);
  if(rc)
    return rc;
  if(strcmp(ev->type, "qualify") == 0)
    return crm__check_qualify(c, ev->payload);
  return CRM_OK;
}

static int crm__event_customer(crm *c, const crm_event *ev,
                               crm_customer *cust)
{
  if(ev->customer_id > 0)
    return crm_customer_get(c, ev->customer_id, cust);
  if(ev->customer_ref && *ev->customer_ref)
    return crm_customer_resolve(c, ev->customer_ref, cust);
  return crm__err(c, CRM_EINVAL, "event names no customer");
}

/* 1: the key was seen (same event); 0: new; <0: error. The stored event
 * must be the same event (customer, type, amount, currency, quantity,
 * payload, and time when the caller gave one), else the key is refused. */
static int crm__event_seen(crm *c, const crm_event *ev, int64_t hash,
                           int64_t cust_id, int64_t *event_id)
{
  sqlite3_stmt *st;
  int same;
  int rc;

  st = crm__stmt(c, crm__sql_event_find);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, hash);
  sqlite3_bind_text(st, 2, ev->idempotency_key, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, cust_id);
  sqlite3_bind_text(st, 4, ev->type, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 5, ev->amount);
  if(ev->currency)
    sqlite3_bind_text(st, 6, ev->currency, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 7, ev->quantity);
  if(ev->payload)
    sqlite3_bind_text(st, 8, ev->payload, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 9, ev->occurred_at);
  rc = sqlite3_step(st);
  if(rc == SQLITE_DONE) {
    sqlite3_reset(st);
    return 0;
  }
  if(rc != SQLITE_ROW) {
    sqlite3_reset(st);
    return crm__sqlerr(c, rc, "looking up idempotency key");
  }
  *event_id = sqlite3_column_int64(st, 0);
  same = sqlite3_column_int(st, 1) == 1;
  sqlite3_reset(st);
  if(!same)
    return crm__err(c, CRM_EEXIST, "idempotency key \"%s\" was already "
                    "used by a different event (#%lld)", ev->idempotency_key,
                    (long long)*event_id);
  return 1;
}

static int crm__event_insert(crm *c, const crm_event *ev, int64_t cust_id,
                             int64_t t, int64_t hash, const char *source,
                             int day_first, int64_t *event_id)
{
  sqlite3_stmt *st;
  int rc;

  st = crm__stmt(c, crm__sql_event_insert);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, cust_id);
  sqlite3_bind_text(st, 2, ev->type, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, t);
  sqlite3_bind_int64(st, 4, crm_now(c));
  sqlite3_bind_int64(st, 5, ev->amount);
  if(ev->currency)
    sqlite3_bind_text(st, 6, ev->currency, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 7, ev->quantity);
  if(ev->payload)
    sqlite3_bind_text(st, 8, ev->payload, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 9, hash);
  sqlite3_bind_text(st, 10, ev->idempotency_key, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 11, source, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 12, day_first);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "recording event");
  *event_id = sqlite3_last_insert_rowid(c->db);
  c->ingest_seq++;
  return CRM_OK;
}

/* Several purchases on one day count as one purchase day. */
static int crm__new_purchase_day(crm *c, int64_t cust_id, int64_t t,
                                 int *is_new)
{
  sqlite3_stmt *st;
  int64_t day = (t >= 0 ? t : t - 86399) / 86400 * 86400;
  int rc;

  st = crm__stmt(c, crm__sql_same_day);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, cust_id);
  sqlite3_bind_int64(st, 2, day);
  sqlite3_bind_int64(st, 3, day + 86400);
  rc = sqlite3_step(st);
  if(rc != SQLITE_ROW) {
    sqlite3_reset(st);
    return crm__sqlerr(c, rc, "counting purchase days");
  }
  *is_new = sqlite3_column_int64(st, 0) == 0;
  sqlite3_reset(st);
  return CRM_OK;
}

static int crm__step_done(crm *c, sqlite3_stmt *st, const char *what)
{
  int rc = sqlite3_step(st);

  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, what);
  return CRM_OK;
}

static int crm__apply_aggregates(crm *c, const crm_event *ev, int64_t cust_id,
                                 int64_t t, int day_first)
{
  sqlite3_stmt *st = NULL;

  if(strcmp(ev->type, "purchase") == 0) {
    st = crm__stmt(c, crm__sql_agg_purchase);
    if(!st)
      return c->errcode;
    sqlite3_bind_int(st, 2, day_first);
    sqlite3_bind_int64(st, 3, ev->amount);
    sqlite3_bind_text(st, 4, ev->currency, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, t);
    sqlite3_bind_int64(st, 6, crm_now(c));
  }
  else if(strcmp(ev->type, "refund") == 0) {
    st = crm__stmt(c, crm__sql_agg_refund);
    if(!st)
      return c->errcode;
    sqlite3_bind_int64(st, 2, ev->amount);
    sqlite3_bind_text(st, 3, ev->currency, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, crm_now(c));
  }
  else if(strcmp(ev->type, "contact") == 0) {
    st = crm__stmt(c, crm__sql_agg_contact);
    if(!st)
      return c->errcode;
    sqlite3_bind_int64(st, 2, crm_now(c));
  }
  else if(strcmp(ev->type, "qualify") == 0) {
    st = crm__stmt(c, crm__sql_agg_qualify);
    if(!st)
      return c->errcode;
    sqlite3_bind_text(st, 2, ev->payload, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, crm_now(c));
  }
  if(!st)
    return CRM_OK;
  sqlite3_bind_int64(st, 1, cust_id);
  return crm__step_done(c, st, "updating customer totals");
}

/* The scoring components' score step, with the event as stored. */
static int crm__event_score(crm *c, const crm_event *ev,
                            const crm_customer *cust, int64_t t,
                            int64_t event_id)
{
  crm_event_view v;

  memset(&v, 0, sizeof(v));
  v.struct_size = sizeof(v);
  v.event_id = event_id;
  v.customer_id = cust->id;
  v.type = ev->type;
  v.occurred_at = t;
  v.amount = ev->amount;
  v.currency = ev->currency;
  v.quantity = ev->quantity;
  v.payload = ev->payload;
  v.idempotency_key = ev->idempotency_key;
  v.refund_of = NULL; /* read from the payload when a model needs it */
  return crm__score_on_event(c, cust, &v);
}

/* Everything an accepted event does, inside the caller's transaction. */
static int crm__event_apply(crm *c, const crm_event *ev, crm_customer *cust,
                            int64_t t, int64_t event_id, int day_first,
                            crm_ingest_result *res)
{
  int64_t te = t;
  int mid;
  int rc;

  rc = crm__lifecycle_before_event(c, cust, t, &te);
  if(rc)
    return rc;
  mid = cust->stage;
  rc = crm__apply_aggregates(c, ev, cust->id, t, day_first);
  if(!rc)
    rc = crm_customer_get(c, cust->id, cust);
  if(rc)
    return rc;
  cust->stage = mid;
  rc = crm__lifecycle_on_event(c, cust, event_id, ev->type, t, te, mid);
  if(!rc)
    rc = crm__points_on_event(c, ev, cust, event_id, t, &res->points);
  if(!rc && strcmp(ev->type, "complaint") == 0)
    rc = crm__case_open_from_event(c, cust->id, event_id, ev->payload, t);
  if(!rc)
    rc = crm__event_score(c, ev, cust, t, event_id);
  if(!rc)
    rc = crm__trigger_on_event(c, cust->id, event_id, ev->type, t);
  res->stage_after = cust->stage;
  return rc;
}

static int crm__ingest_tx(crm *c, const crm_event *ev, crm_customer *cust,
                          int64_t t, const char *source,
                          crm_ingest_result *res)
{
  int64_t hash = crm__key_hash(ev->idempotency_key);
  int day_first = 0;
  int rc;

  rc = crm__event_seen(c, ev, hash, cust->id, &res->event_id);
  if(rc < 0)
    return rc;
  if(rc == 1) {
    res->duplicate = 1;
    res->stage_after = cust->stage;
    return CRM_OK;
  }
  if(strcmp(ev->type, "purchase") == 0) {
    rc = crm__new_purchase_day(c, cust->id, t, &day_first);
    if(rc)
      return rc;
  }
  rc = crm__event_insert(c, ev, cust->id, t, hash, source, day_first,
                         &res->event_id);
  if(rc)
    return rc;
  return crm__event_apply(c, ev, cust, t, res->event_id, day_first, res);
}

static const char *const crm__reserved_types[] = {
  "points_adjust", "points_transfer", "points_redeem", "voucher_use",
  "voucher_void", "tier_changed", "points_payout", NULL};

#define CRM__CORE_KEY_PREFIX "core:"
#define CRM__PLUGIN_SOURCE "plugin:"

int crm__event_type_reserved(const char *type)
{
  size_t i;

  for(i = 0; type && crm__reserved_types[i]; i++) {
    if(strcmp(type, crm__reserved_types[i]) == 0)
      return 1;
  }
  return 0;
}

/* The core's own event types and keys are refused at ingest; a plugin
 * may still emit "tier_changed" (its own tiers, SDK 1.1). */
static int crm__check_reserved(crm *c, const crm_event *ev,
                               const char *source)
{
  int plugin = source && strncmp(source, CRM__PLUGIN_SOURCE,
                                 sizeof(CRM__PLUGIN_SOURCE) - 1) == 0;

  if(crm__event_type_reserved(ev->type) &&
     !(plugin && strcmp(ev->type, "tier_changed") == 0))
    return crm__err(c, CRM_EINVAL, "event type \"%s\" is reserved for "
                    "events the core records", ev->type);
  if(strncmp(ev->idempotency_key, CRM__CORE_KEY_PREFIX,
             sizeof(CRM__CORE_KEY_PREFIX) - 1) == 0)
    return crm__err(c, CRM_EINVAL, "idempotency keys starting with "
                    "\"core:\" are reserved for events the core records");
  return CRM_OK;
}

int crm__event_find_key(crm *c, const char *key, crm__event_row *out)
{
  sqlite3_stmt *st;
  int rc;

  st = crm__stmt(c, crm__sql_event_by_key);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, crm__key_hash(key));
  sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW) {
    memset(out, 0, sizeof(*out));
    out->id = sqlite3_column_int64(st, 0);
    out->customer_id = sqlite3_column_int64(st, 1);
    crm__col_text(st, 2, out->type, sizeof(out->type));
    out->occurred_at = sqlite3_column_int64(st, 3);
    out->amount = sqlite3_column_int64(st, 4);
  }
  sqlite3_reset(st);
  if(rc == SQLITE_DONE)
    return CRM_ENOTFOUND;
  if(rc != SQLITE_ROW)
    return crm__sqlerr(c, rc, "looking up idempotency key");
  return CRM_OK;
}

/* 1: recorded before as the same event; 0: new; <0: error. */
static int crm__record_seen(crm *c, int64_t customer_id, const char *type,
                            const char *payload, const char *key,
                            int64_t hash, int64_t *event_id)
{
  sqlite3_stmt *st;
  int same;
  int rc;

  st = crm__stmt(c, crm__sql_record_find);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, hash);
  sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, customer_id);
  sqlite3_bind_text(st, 4, type, -1, SQLITE_STATIC);
  if(payload)
    sqlite3_bind_text(st, 5, payload, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc == SQLITE_DONE) {
    sqlite3_reset(st);
    return 0;
  }
  if(rc != SQLITE_ROW) {
    sqlite3_reset(st);
    return crm__sqlerr(c, rc, "looking up idempotency key");
  }
  *event_id = sqlite3_column_int64(st, 0);
  same = sqlite3_column_int(st, 1) == 1;
  sqlite3_reset(st);
  if(!same)
    return crm__err(c, CRM_EEXIST, "idempotency key \"%s\" was already "
                    "used by a different event (#%lld)", key,
                    (long long)*event_id);
  return 1;
}

int crm__event_record(crm *c, int64_t customer_id, const char *type,
                      const char *payload_json, const char *idem_key,
                      int64_t at, int64_t *event_id)
{
  crm_event ev;
  int64_t hash;
  int64_t id = 0;
  int rc;

  rc = crm__check_text(c, "idempotency key", idem_key, CRM_IDEM_KEY_MAX, 1);
  if(rc)
    return rc;
  hash = crm__key_hash(idem_key);
  rc = crm__record_seen(c, customer_id, type, payload_json, idem_key, hash,
                        &id);
  if(rc == 0) {
    memset(&ev, 0, sizeof(ev));
    ev.type = type;
    ev.payload = payload_json;
    ev.idempotency_key = idem_key;
    rc = crm__event_insert(c, &ev, customer_id, at, hash, "core", 0, &id);
  }
  if(rc >= 0 && event_id)
    *event_id = id;
  return rc;
}

int crm__event_ingest_src(crm *c, const crm_event *evin, const char *source,
                          crm_ingest_result *out)
{
  crm_event e;
  const crm_event *ev = &e;
  crm_ingest_result res;
  crm_customer cust;
  int64_t t;
  int rc;

  if(!c || !evin)
    return CRM_EINVAL;
  crm__clear_err(c);
  memset(&res, 0, sizeof(res));
  /* A purchase of quantity 0 is a purchase of one: stored, compared and
   * shown to plugins as 1. */
  e = *evin;
  if(e.type && strcmp(e.type, "purchase") == 0 && e.quantity == 0)
    e.quantity = 1;
  t = ev->occurred_at ? ev->occurred_at : crm_now(c);
  rc = crm__check_event(c, ev, t);
  if(!rc)
    rc = crm__check_reserved(c, ev, source);
  if(!rc)
    rc = crm__event_customer(c, ev, &cust);
  if(rc)
    return rc;
  if(c->ingest_depth >= CRM__MAX_EMIT_DEPTH)
    return crm__err(c, CRM_ESTATE, "events emitted %d levels deep; a "
                    "plugin is emitting in a loop", c->ingest_depth);
  res.stage_before = cust.stage;
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  c->ingest_depth++;
  rc = crm__ingest_tx(c, ev, &cust, t, source ? source : "api", &res);
  c->ingest_depth--;
  if(!rc)
    rc = crm__tx_commit(c);
  if(rc) {
    crm__tx_rollback(c);
    return rc;
  }
  crm__clear_err(c); /* a plugin's harmless look-up miss is not an error */
  if(out)
    *out = res;
  return CRM_OK;
}

#define CRM__PLUGIN_KEY_PREFIX "plugin:"

int crm_event_ingest(crm *c, const crm_event *ev, crm_ingest_result *out)
{
  if(c && ev && ev->idempotency_key &&
     strncmp(ev->idempotency_key, CRM__PLUGIN_KEY_PREFIX,
             sizeof(CRM__PLUGIN_KEY_PREFIX) - 1) == 0)
    return crm__err(c, CRM_EINVAL, "idempotency keys starting with "
                    "\"plugin:\" are reserved for events plugins emit");
  return crm__event_ingest_src(c, ev, "api", out);
}
