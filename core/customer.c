/*
 * customer.c - the customer store: add, update, look-ups, attributes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comm_int.h"

#define CRM__CUSTOMER_COLS                                                  \
  "id, external_id, name, email, phone, timezone, birthday, stage,"       \
  " stage_since, created_at, updated_at, first_purchase_at,"              \
  " last_purchase_at, purchase_count, monetary_total, currency,"          \
  " points_balance, contact_count, man_money, man_authority, man_need"

static const char crm__sql_cust_by_id[] =
  "SELECT " CRM__CUSTOMER_COLS " FROM customers WHERE id = ?1";
static const char crm__sql_cust_by_ext[] =
  "SELECT " CRM__CUSTOMER_COLS " FROM customers WHERE external_id = ?1";
static const char crm__sql_cust_by_email[] =
  "SELECT " CRM__CUSTOMER_COLS " FROM customers WHERE email = ?1";
static const char crm__sql_cust_all[] =
  "SELECT " CRM__CUSTOMER_COLS " FROM customers WHERE id > ?1"
  " ORDER BY id LIMIT 256";
static const char crm__sql_cust_stage[] =
  "SELECT " CRM__CUSTOMER_COLS " FROM customers"
  " WHERE stage = ?2 AND id > ?1 ORDER BY stage, id LIMIT 256";
static const char crm__sql_cust_insert[] =
  "INSERT INTO customers(external_id, name, email, phone, timezone,"
  " birthday, stage, stage_since, created_at, updated_at)"
  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?8)";
static const char crm__sql_cust_update[] =
  "UPDATE customers SET"
  " external_id = CASE WHEN ?2 THEN ?3 ELSE external_id END,"
  " name = coalesce(?4, name),"
  " email = CASE WHEN ?5 THEN ?6 ELSE email END,"
  " phone = CASE WHEN ?7 THEN ?8 ELSE phone END,"
  " timezone = coalesce(?9, timezone),"
  " birthday = CASE WHEN ?10 THEN ?11 ELSE birthday END,"
  " updated_at = ?12"
  " WHERE id = ?1";
static const char crm__sql_attr_put[] =
  "INSERT INTO customer_attrs(customer_id, key, value) VALUES(?1, ?2, ?3)"
  " ON CONFLICT(customer_id, key) DO UPDATE SET value = excluded.value";
static const char crm__sql_attr_del[] =
  "DELETE FROM customer_attrs WHERE customer_id = ?1 AND key = ?2";
static const char crm__sql_attr_get[] =
  "SELECT value FROM customer_attrs WHERE customer_id = ?1 AND key = ?2";
static const char crm__sql_attr_all[] =
  "SELECT key, value FROM customer_attrs WHERE customer_id = ?1"
  " ORDER BY key";

static void crm__customer_row(sqlite3_stmt *st, crm_customer *out)
{
  memset(out, 0, sizeof(*out));
  out->id = sqlite3_column_int64(st, 0);
  crm__col_text(st, 1, out->external_id, sizeof(out->external_id));
  crm__col_text(st, 2, out->name, sizeof(out->name));
  crm__col_text(st, 3, out->email, sizeof(out->email));
  crm__col_text(st, 4, out->phone, sizeof(out->phone));
  crm__col_text(st, 5, out->timezone, sizeof(out->timezone));
  crm__col_text(st, 6, out->birthday, sizeof(out->birthday));
  out->stage = sqlite3_column_int(st, 7);
  out->stage_since = sqlite3_column_int64(st, 8);
  out->created_at = sqlite3_column_int64(st, 9);
  out->updated_at = sqlite3_column_int64(st, 10);
  out->first_purchase_at = sqlite3_column_int64(st, 11);
  out->last_purchase_at = sqlite3_column_int64(st, 12);
  out->purchase_count = sqlite3_column_int64(st, 13);
  out->monetary_total = sqlite3_column_int64(st, 14);
  crm__col_text(st, 15, out->currency, sizeof(out->currency));
  out->points_balance = sqlite3_column_int64(st, 16);
  out->contact_count = sqlite3_column_int64(st, 17);
  out->man_money = sqlite3_column_int(st, 18);
  out->man_authority = sqlite3_column_int(st, 19);
  out->man_need = sqlite3_column_int(st, 20);
}

void crm__customer_view(const crm_customer *cust, crm_customer_view *v)
{
  memset(v, 0, sizeof(*v));
  v->struct_size = sizeof(*v);
  v->customer_id = cust->id;
  v->external_id = cust->external_id;
  v->name = cust->name;
  v->email = cust->email;
  v->phone = cust->phone;
  v->timezone = cust->timezone;
  v->stage = cust->stage;
  v->created_at = cust->created_at;
  v->first_purchase_at = cust->first_purchase_at;
  v->last_purchase_at = cust->last_purchase_at;
  v->purchase_count = cust->purchase_count;
  v->monetary_total = cust->monetary_total;
  v->points_balance = cust->points_balance;
  v->contact_count = cust->contact_count;
  v->currency = cust->currency[0] ? cust->currency : NULL;
  v->birthday = cust->birthday[0] ? cust->birthday : NULL;
}

/* Runs a single-row customer query bound to one text or integer key. */
static int crm__customer_fetch(crm *c, const char *sql, const char *tkey,
                               int64_t ikey, crm_customer *out)
{
  sqlite3_stmt *st;
  int rc;

  st = crm__stmt(c, sql);
  if(!st)
    return c->errcode;
  if(tkey)
    sqlite3_bind_text(st, 1, tkey, -1, SQLITE_STATIC);
  else
    sqlite3_bind_int64(st, 1, ikey);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW) {
    if(out)
      crm__customer_row(st, out);
    sqlite3_reset(st);
    return CRM_OK;
  }
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading customer");
  return CRM_ENOTFOUND;
}

int crm_customer_get(crm *c, int64_t id, crm_customer *out)
{
  int rc;

  if(!c || !out)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__customer_fetch(c, crm__sql_cust_by_id, NULL, id, out);
  if(rc == CRM_ENOTFOUND)
    return crm__err(c, rc, "unknown customer #%lld", (long long)id);
  return rc;
}

static int crm__parse_id(const char *s, int64_t *out)
{
  char *end = NULL;
  long long v;

  if(!s || !isdigit((unsigned char)*s))
    return -1;
  v = strtoll(s, &end, 10);
  if(*end || v <= 0)
    return -1;
  *out = v;
  return 0;
}

int crm_customer_find(crm *c, int by, const char *key, crm_customer *out)
{
  int64_t id;
  int rc;

  if(!c || !key || !out)
    return CRM_EINVAL;
  crm__clear_err(c);
  switch(by) {
  case CRM_FIND_ID:
    if(crm__parse_id(key[0] == '#' ? key + 1 : key, &id))
      return crm__err(c, CRM_EINVAL, "malformed customer id \"%.40s\"", key);
    return crm_customer_get(c, id, out);
  case CRM_FIND_EXTERNAL_ID:
    rc = crm__customer_fetch(c, crm__sql_cust_by_ext, key, 0, out);
    break;
  case CRM_FIND_EMAIL:
    rc = crm__customer_fetch(c, crm__sql_cust_by_email, key, 0, out);
    break;
  default:
    return crm__err(c, CRM_EINVAL, "unknown look-up kind %d", by);
  }
  if(rc == CRM_ENOTFOUND)
    return crm__err(c, rc, "unknown customer \"%.80s\"", key);
  return rc;
}

int crm_customer_resolve(crm *c, const char *ref, crm_customer *out)
{
  int64_t id;
  int rc;

  if(!c || !ref || !out)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(ref[0] == '#')
    return crm_customer_find(c, CRM_FIND_ID, ref, out);
  rc = crm__customer_fetch(c, crm__sql_cust_by_ext, ref, 0, out);
  if(rc != CRM_ENOTFOUND)
    return rc;
  if(strchr(ref, '@')) {
    rc = crm__customer_fetch(c, crm__sql_cust_by_email, ref, 0, out);
    if(rc != CRM_ENOTFOUND)
      return rc;
  }
  if(!crm__parse_id(ref, &id)) {
    rc = crm__customer_fetch(c, crm__sql_cust_by_id, NULL, id, out);
    if(rc != CRM_ENOTFOUND)
      return rc;
  }
  return crm__err(c, CRM_ENOTFOUND, "unknown customer \"%.80s\"", ref);
}

static int crm__check_fields(crm *c, const crm_customer_fields *f, int adding)
{
  int rc;

  rc = crm__check_text(c, "external id", f->external_id, CRM_EXTID_MAX, 0);
  if(!rc)
    rc = crm__check_text(c, "name", f->name, CRM_NAME_MAX, 0);
  if(!rc)
    rc = crm__check_email(c, f->email);
  if(!rc)
    rc = crm__check_phone(c, f->phone);
  if(!rc)
    rc = crm__check_timezone(c, f->timezone);
  if(!rc)
    rc = crm__check_date(c, "birthday", f->birthday);
  if(!rc && adding && !(f->external_id && *f->external_id) &&
     !(f->email && *f->email) && !(f->name && *f->name))
    rc = crm__err(c, CRM_EINVAL, "a customer needs at least an external "
                  "id, an e-mail or a name");
  return rc;
}

/* Explains a UNIQUE failure on insert (self = 0) or update of self. */
static int crm__customer_conflict(crm *c, const crm_customer_fields *f,
                                  int64_t self)
{
  crm_customer other;

  if(f->external_id && *f->external_id &&
     crm__customer_fetch(c, crm__sql_cust_by_ext, f->external_id, 0,
                         &other) == CRM_OK && other.id != self)
    return crm__err(c, CRM_EEXIST, "external id \"%s\" already belongs to "
                    "customer #%lld", f->external_id, (long long)other.id);
  if(f->email && *f->email &&
     crm__customer_fetch(c, crm__sql_cust_by_email, f->email, 0,
                         &other) == CRM_OK && other.id != self)
    return crm__err(c, CRM_EEXIST, "e-mail \"%s\" already belongs to "
                    "customer #%lld", f->email, (long long)other.id);
  return crm__err(c, CRM_EEXIST, "customer already exists");
}

static void crm__bind_opt(sqlite3_stmt *st, int i, const char *s)
{
  if(s && *s)
    sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, i);
}

static int crm__customer_insert(crm *c, const crm_customer_fields *f,
                                int64_t now, int64_t *id)
{
  sqlite3_stmt *st;
  int rc;

  st = crm__stmt(c, crm__sql_cust_insert);
  if(!st)
    return c->errcode;
  crm__bind_opt(st, 1, f->external_id);
  sqlite3_bind_text(st, 2, f->name ? f->name : "", -1, SQLITE_STATIC);
  crm__bind_opt(st, 3, f->email);
  crm__bind_opt(st, 4, f->phone);
  sqlite3_bind_text(st, 5, f->timezone && *f->timezone ? f->timezone : "UTC",
                    -1, SQLITE_STATIC);
  crm__bind_opt(st, 6, f->birthday);
  sqlite3_bind_int(st, 7, CRM_STAGE_PROSPECT);
  sqlite3_bind_int64(st, 8, now);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if((rc & 0xff) == SQLITE_CONSTRAINT)
    return crm__customer_conflict(c, f, 0);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "adding customer");
  *id = sqlite3_last_insert_rowid(c->db);
  return CRM_OK;
}

/* Insert, first lifecycle transition and audit, inside the caller's
 * transaction; fields already checked. */
static int crm__customer_add_tx(crm *c, const crm_customer_fields *f,
                                int64_t *id)
{
  int64_t now = crm_now(c);
  char obj[32];
  int rc;

  rc = crm__customer_insert(c, f, now, id);
  if(!rc)
    rc = crm__lifecycle_on_create(c, *id, now);
  if(!rc)
    rc = crm__trigger_on_customer(c, *id); /* birthday, member day rows */
  if(!rc) {
    snprintf(obj, sizeof(obj), "customer #%lld", (long long)*id);
    rc = crm__audit(c, "api", "customer.add", obj, f->external_id);
  }
  return rc;
}

int crm_customer_add(crm *c, const crm_customer_fields *f, int64_t *id_out)
{
  int64_t id = 0;
  int rc;

  if(!c || !f)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__check_fields(c, f, 1);
  if(rc)
    return rc;
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  rc = crm__customer_add_tx(c, f, &id);
  if(!rc)
    rc = crm__tx_commit(c);
  if(rc) {
    crm__tx_rollback(c);
    return rc;
  }
  if(id_out)
    *id_out = id;
  return CRM_OK;
}

/* Binds "set this optional column" flag + value for update. */
static void crm__bind_upd(sqlite3_stmt *st, int i, const char *s)
{
  sqlite3_bind_int(st, i, s != NULL);
  crm__bind_opt(st, i + 1, s);
}

/* The row as it would be after the update keeps an identity. */
static int crm__check_identity(crm *c, const crm_customer *cur,
                               const crm_customer_fields *f)
{
  const char *ext = f->external_id ? f->external_id : cur->external_id;
  const char *email = f->email ? f->email : cur->email;
  const char *name = f->name ? f->name : cur->name;

  if(!*ext && !*email && !*name)
    return crm__err(c, CRM_EINVAL, "a customer needs at least an external "
                    "id, an e-mail or a name");
  return CRM_OK;
}

/* Update and audit inside the caller's transaction; fields checked. */
static int crm__customer_update_tx(crm *c, int64_t id,
                                   const crm_customer_fields *f)
{
  sqlite3_stmt *st;
  char obj[32];
  int rc;

  st = crm__stmt(c, crm__sql_cust_update);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, id);
  crm__bind_upd(st, 2, f->external_id);
  if(f->name)
    sqlite3_bind_text(st, 4, f->name, -1, SQLITE_STATIC);
  crm__bind_upd(st, 5, f->email);
  crm__bind_upd(st, 7, f->phone);
  if(f->timezone)
    sqlite3_bind_text(st, 9, *f->timezone ? f->timezone : "UTC", -1,
                      SQLITE_STATIC);
  crm__bind_upd(st, 10, f->birthday);
  sqlite3_bind_int64(st, 12, crm_now(c));
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if((rc & 0xff) == SQLITE_CONSTRAINT)
    return crm__customer_conflict(c, f, id);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "updating customer");
  if(f->birthday || f->timezone) {
    rc = crm__trigger_on_customer(c, id); /* the schedule moves with them */
    if(rc)
      return rc;
  }
  snprintf(obj, sizeof(obj), "customer #%lld", (long long)id);
  return crm__audit(c, "api", "customer.update", obj, NULL);
}

int crm_customer_update(crm *c, int64_t id, const crm_customer_fields *f)
{
  return crm_customer_modify(c, id, f, NULL, 0);
}

static int crm__check_attr(crm *c, const char *key, const char *value)
{
  int rc;

  rc = crm__check_text(c, "attribute name", key, CRM_ATTR_KEY_MAX, 1);
  if(!rc && value)
    rc = crm__check_text(c, "attribute value", value, CRM_ATTR_VALUE_MAX, 0);
  return rc;
}

static int crm__attr_write(crm *c, int64_t id, const char *key,
                           const char *value)
{
  sqlite3_stmt *st;
  int rc;

  st = crm__stmt(c, value ? crm__sql_attr_put : crm__sql_attr_del);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
  if(value)
    sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "writing customer attribute");
  return CRM_OK;
}

static int crm__upsert_tx(crm *c, const crm_customer_fields *f,
                          const crm_attr *attrs, size_t n_attrs, int64_t *id,
                          int *added)
{
  crm_customer cur;
  size_t i;
  int rc;

  rc = crm__customer_fetch(c, crm__sql_cust_by_ext, f->external_id, 0, &cur);
  if(rc == CRM_ENOTFOUND) {
    *added = 1;
    rc = crm__customer_add_tx(c, f, id);
  }
  else if(!rc) {
    *added = 0;
    *id = cur.id;
    rc = crm__check_identity(c, &cur, f);
    if(!rc)
      rc = crm__customer_update_tx(c, cur.id, f);
  }
  for(i = 0; i < n_attrs && !rc; i++)
    rc = crm__attr_write(c, *id, attrs[i].key, attrs[i].value);
  return rc;
}

int crm_customer_upsert(crm *c, const crm_customer_fields *f,
                        const crm_attr *attrs, size_t n_attrs,
                        int64_t *id_out, int *added)
{
  int64_t id = 0;
  int is_new = 0;
  size_t i;
  int rc;

  if(!c || !f || (n_attrs && !attrs))
    return CRM_EINVAL;
  crm__clear_err(c);
  if(!f->external_id || !*f->external_id)
    return crm__err(c, CRM_EINVAL, "external id is required to add or "
                    "update a customer by it");
  rc = crm__check_fields(c, f, 1);
  for(i = 0; i < n_attrs && !rc; i++)
    rc = crm__check_attr(c, attrs[i].key, attrs[i].value);
  if(rc)
    return rc;
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  rc = crm__upsert_tx(c, f, attrs, n_attrs, &id, &is_new);
  if(!rc)
    rc = crm__tx_commit(c);
  if(rc) {
    crm__tx_rollback(c);
    return rc;
  }
  if(id_out)
    *id_out = id;
  if(added)
    *added = is_new;
  return CRM_OK;
}

int crm_customer_modify(crm *c, int64_t id, const crm_customer_fields *f,
                        const crm_attr *attrs, size_t n_attrs)
{
  crm_customer cur;
  size_t i;
  int rc;

  if(!c || !f || (n_attrs && !attrs))
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__check_fields(c, f, 0);
  for(i = 0; i < n_attrs && !rc; i++)
    rc = crm__check_attr(c, attrs[i].key, attrs[i].value);
  if(rc)
    return rc;
  rc = crm__customer_fetch(c, crm__sql_cust_by_id, NULL, id, &cur);
  if(rc == CRM_ENOTFOUND)
    return crm__err(c, rc, "unknown customer #%lld", (long long)id);
  if(!rc)
    rc = crm__check_identity(c, &cur, f);
  if(rc)
    return rc;
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  rc = crm__customer_update_tx(c, id, f);
  for(i = 0; i < n_attrs && !rc; i++)
    rc = crm__attr_write(c, id, attrs[i].key, attrs[i].value);
  if(!rc)
    rc = crm__tx_commit(c);
  if(rc)
    crm__tx_rollback(c);
  return rc;
}

int crm_customer_set_attr(crm *c, int64_t id, const char *key,
                          const char *value)
{
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__check_attr(c, key, value);
  if(rc)
    return rc;
  rc = crm__customer_fetch(c, crm__sql_cust_by_id, NULL, id, NULL);
  if(rc == CRM_ENOTFOUND)
    return crm__err(c, rc, "unknown customer #%lld", (long long)id);
  if(rc)
    return rc;
  return crm__attr_write(c, id, key, value);
}

int crm_customer_get_attr(crm *c, int64_t id, const char *key, char *buf,
                          size_t buf_size)
{
  sqlite3_stmt *st;
  int rc;

  if(!c || !key || !buf || !buf_size)
    return CRM_EINVAL;
  crm__clear_err(c);
  st = crm__stmt(c, crm__sql_attr_get);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW) {
    crm__col_text(st, 0, buf, buf_size);
    sqlite3_reset(st);
    return CRM_OK;
  }
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading customer attribute");
  return crm__err(c, CRM_ENOTFOUND, "customer #%lld has no attribute \"%s\"",
                  (long long)id, key);
}

int crm_customer_attrs_foreach(crm *c, int64_t id,
                               int (*cb)(void *, const char *, const char *),
                               void *ud)
{
  sqlite3_stmt *st;
  int rc;
  int stop = 0;

  if(!c || !cb)
    return CRM_EINVAL;
  st = crm__stmt_fresh(c, crm__sql_attr_all);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, id);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    stop = cb(ud, (const char *)sqlite3_column_text(st, 0),
              (const char *)sqlite3_column_text(st, 1));
    if(stop)
      break;
  }
  crm__stmt_done(c, st);
  if(!stop && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading customer attributes");
  return stop;
}

/* Pages of 256 rows keyed on id, so that the callback may write to the
 * store (no statement stays open across callbacks). */
int crm_customers_foreach(crm *c, int stage,
                          int (*cb)(void *, const crm_customer *), void *ud)
{
  crm_customer *page;
  sqlite3_stmt *st;
  int64_t after = 0;
  size_t n, i;
  int rc = CRM_OK;

  if(!c || !cb)
    return CRM_EINVAL;
  page = crm__malloc(256 * sizeof(*page));
  if(!page)
    return crm__err(c, CRM_ENOMEM, "out of memory listing customers");
  for(;;) {
    st = crm__stmt(c, stage >= 0 ? crm__sql_cust_stage : crm__sql_cust_all);
    if(!st) {
      rc = c->errcode;
      break;
    }
    sqlite3_bind_int64(st, 1, after);
    if(stage >= 0)
      sqlite3_bind_int(st, 2, stage);
    n = 0;
    rc = SQLITE_DONE;
    while(n < 256) {
      rc = sqlite3_step(st);
      if(rc != SQLITE_ROW)
        break;
      crm__customer_row(st, &page[n++]);
    }
    sqlite3_reset(st);
    if(rc != SQLITE_ROW && rc != SQLITE_DONE) {
      rc = crm__sqlerr(c, rc, "listing customers");
      break;
    }
    rc = CRM_OK;
    for(i = 0; i < n && !rc; i++)
      rc = cb(ud, &page[i]);
    if(rc || n < 256)
      break;
    after = page[n - 1].id;
  }
  crm__free(page);
  return rc;
}
