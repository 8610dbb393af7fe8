/*
 * host_score.c - SDK 1.3 host services for scoring models: scores with
 * explanations, model figures, the event and customer walks and fit
 * progress.
 *
 * score_write validates everything before it touches the store, builds
 * the explanation JSON in a fixed buffer on the stack (it never
 * allocates) and upserts with a cached statement. events_walk runs one
 * of two cached statements (every customer / one customer) with
 * crm__stmt_fresh, so a callback may call host services and even walk
 * again; customers_walk likewise, with views that point into the
 * statement's row (nothing allocated per customer).
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm_int.h"

#define CRM__FACTOR_NAME_MAX 64
#define CRM__FACTOR_DETAIL_MAX 128
/* Event types in a filter: comma-separated type names. */
#define CRM__WALK_TYPES_MAX 1024

/* The 1.3 sizes: every member a 1.3 plugin sets. */
#define CRM__FACTOR_SIZE_13                                                  \
  (offsetof(crm_score_factor, detail) + sizeof(const char *))
#define CRM__VALUE_SIZE_13                                                   \
  (offsetof(crm_score_value, n_factors) + sizeof(uint32_t))
#define CRM__FILTER_SIZE_13                                                  \
  (offsetof(crm_event_filter, until) + sizeof(int64_t))
#define CRM__CFILTER_SIZE_13                                                 \
  (offsetof(crm_customer_filter, after_id) + sizeof(int64_t))

/* One factor as JSON, worst case: every byte of name and detail escaped
 * as \u00XX (6 bytes), a number of at most 24 characters, the keys. */
#define CRM__FACTOR_JSON_MAX                                                 \
  ((CRM__FACTOR_NAME_MAX + CRM__FACTOR_DETAIL_MAX) * 6 + 80)
#define CRM__EXPLAIN_MAX (CRM_SCORE_FACTORS_MAX * CRM__FACTOR_JSON_MAX + 8)

static const char crm__sql_score_write[] =
  "INSERT INTO scores(customer_id, model, name, value, label, computed_at,"
  " explain) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"
  " ON CONFLICT(customer_id, model, name) DO UPDATE SET"
  " value = excluded.value, label = excluded.label,"
  " computed_at = excluded.computed_at, explain = excluded.explain";
static const char crm__sql_figure_put[] =
  "INSERT INTO score_figures(model, name, value, label, computed_at)"
  " VALUES(?1, ?2, ?3, ?4, ?5)"
  " ON CONFLICT(model, name) DO UPDATE SET value = excluded.value,"
  " label = excluded.label, computed_at = excluded.computed_at";

/* Both walks: the same columns; refund_of only for refunds and cancels
 * that name a purchase as a string. ?1 types (",a,b," or NULL), ?2
 * since, ?3 until (0: none), ?4 customer. */
#define CRM__WALK_COLS                                                       \
  "SELECT id, customer_id, type, occurred_at, amount, currency, quantity,"  \
  " payload, idem_key,"                                                     \
  " CASE WHEN type IN ('refund', 'cancel') AND payload IS NOT NULL AND"     \
  "  json_type(payload, '$.refund_of') = 'text'"                            \
  "  THEN json_extract(payload, '$.refund_of') END"                         \
  " FROM events"
#define CRM__WALK_WHERE                                                      \
  " (?1 IS NULL OR instr(?1, ',' || type || ',') > 0)"                      \
  " AND occurred_at >= ?2 AND (?3 = 0 OR occurred_at < ?3)"
/* Every customer: one sequential scan and SQLite's sorter. Events are
 * stored in arrival (time) order, so walking the events_customer index
 * instead reads the table at random: measured on 1M events, 0.65 s of
 * CPU for scan + sort against 1.5 s (most of it page reads) for the
 * index. One customer: the index. */
static const char crm__sql_walk_all[] =
  CRM__WALK_COLS " NOT INDEXED WHERE" CRM__WALK_WHERE
  " ORDER BY customer_id, occurred_at, id";
static const char crm__sql_walk_one[] =
  CRM__WALK_COLS " INDEXED BY events_customer WHERE customer_id = ?4 AND"
  CRM__WALK_WHERE " ORDER BY occurred_at, id";

/* The customer walk: ?1 stage mask (0: all), ?2 after id. Walks the
 * table in rowid order, testing the stage of each row: a mask picking a
 * few stages still reads every row once, sequentially, where the
 * customers_stage index would need a sort to give id order. */
static const char crm__sql_customers_walk[] =
  "SELECT id, external_id, name, email, phone, timezone, stage,"
  " created_at, first_purchase_at, last_purchase_at, purchase_count,"
  " monetary_total, points_balance, contact_count, currency, birthday"
  " FROM customers WHERE id > ?2 AND (?1 = 0 OR (?1 >> stage) & 1)"
  " ORDER BY id";

/* ---- the explanation as JSON ------------------------------------------- */

struct crm__jbuf {
  char *p;
  size_t len;
  size_t size;
};

static void crm__jput(struct crm__jbuf *b, const char *s, size_t n)
{
  if(b->len + n < b->size) {
    memcpy(b->p + b->len, s, n);
    b->len += n;
  }
  else {
    b->len = b->size; /* overflow: detected by the caller */
  }
}

static void crm__jstr(struct crm__jbuf *b, const char *s)
{
  static const char hex[] = "0123456789abcdef";
  char esc[8];

  crm__jput(b, "\"", 1);
  for(; *s; s++) {
    unsigned char ch = (unsigned char)*s;

    if(ch == '"' || ch == '\\') {
      esc[0] = '\\';
      esc[1] = (char)ch;
      crm__jput(b, esc, 2);
    }
    else if(ch == '\n')
      crm__jput(b, "\\n", 2);
    else if(ch == '\t')
      crm__jput(b, "\\t", 2);
    else if(ch == '\r')
      crm__jput(b, "\\r", 2);
    else if(ch < 0x20) {
      memcpy(esc, "\\u00", 4);
      esc[4] = hex[ch >> 4];
      esc[5] = hex[ch & 15];
      crm__jput(b, esc, 6);
    }
    else
      crm__jput(b, s, 1);
  }
  crm__jput(b, "\"", 1);
}

/* The shortest of %.15g / %.17g that reads back as the same double. */
static void crm__jnum(struct crm__jbuf *b, double v)
{
  char num[40];
  int n;

  n = snprintf(num, sizeof(num), "%.15g", v);
  if(strtod(num, NULL) != v)
    n = snprintf(num, sizeof(num), "%.17g", v);
  crm__jput(b, num, (size_t)n);
}

static const crm_score_factor *crm__factor_at(const crm_score_value *s,
                                              uint32_t i)
{
  const char *base = (const char *)s->factors;

  return (const crm_score_factor *)(const void *)
      (base + (size_t)i * s->factors[0].struct_size);
}

/* [{"factor":"x","contribution":1.5,"detail":"..." or null},...] */
static int crm__explain_json(const crm_score_value *s, char *buf,
                             size_t size)
{
  struct crm__jbuf b;
  uint32_t i;

  b.p = buf;
  b.len = 0;
  b.size = size;
  crm__jput(&b, "[", 1);
  for(i = 0; i < s->n_factors; i++) {
    const crm_score_factor *f = crm__factor_at(s, i);

    if(i)
      crm__jput(&b, ",", 1);
    crm__jput(&b, "{\"factor\":", 10);
    crm__jstr(&b, f->factor);
    crm__jput(&b, ",\"contribution\":", 16);
    crm__jnum(&b, f->contribution);
    crm__jput(&b, ",\"detail\":", 10);
    if(f->detail)
      crm__jstr(&b, f->detail);
    else
      crm__jput(&b, "null", 4);
    crm__jput(&b, "}", 1);
  }
  crm__jput(&b, "]", 1);
  if(b.len >= size)
    return CRM_ERANGE;
  buf[b.len] = '\0';
  return CRM_OK;
}

/* ---- crm__score_write --------------------------------------------------- */

static int crm__check_factor(crm *c, const char *score,
                             const crm_score_factor *f, uint32_t i)
{
  if(!f->factor || !*f->factor)
    return crm__err(c, CRM_EINVAL, "score \"%s\" factor %u has no name",
                    score, i + 1);
  if(strlen(f->factor) > CRM__FACTOR_NAME_MAX)
    return crm__err(c, CRM_ERANGE, "score \"%s\" factor %u name is longer "
                    "than %d bytes", score, i + 1, CRM__FACTOR_NAME_MAX);
  if(!isfinite(f->contribution))
    return crm__err(c, CRM_EINVAL, "score \"%s\" factor \"%s\" "
                    "contribution is not a finite number", score, f->factor);
  if(f->detail && strlen(f->detail) > CRM__FACTOR_DETAIL_MAX)
    return crm__err(c, CRM_ERANGE, "score \"%s\" factor \"%s\" detail is "
                    "longer than %d bytes", score, f->factor,
                    CRM__FACTOR_DETAIL_MAX);
  return CRM_OK;
}

static int crm__check_factors(crm *c, const crm_score_value *s)
{
  uint32_t i;
  int rc;

  if(s->n_factors > CRM_SCORE_FACTORS_MAX)
    return crm__err(c, CRM_EINVAL, "score \"%s\" has %u factors (at most "
                    "%d)", s->name, s->n_factors, CRM_SCORE_FACTORS_MAX);
  if(!s->n_factors)
    return CRM_OK;
  if(!s->factors)
    return crm__err(c, CRM_EINVAL, "score \"%s\" has n_factors %u but no "
                    "factors", s->name, s->n_factors);
  if(s->factors[0].struct_size < CRM__FACTOR_SIZE_13)
    return crm__err(c, CRM_EINVAL, "score \"%s\" factor struct_size %u is "
                    "smaller than sdk 1.3's %u", s->name,
                    s->factors[0].struct_size,
                    (unsigned)CRM__FACTOR_SIZE_13);
  for(i = 0; i < s->n_factors; i++) {
    rc = crm__check_factor(c, s->name, crm__factor_at(s, i), i);
    if(rc)
      return rc;
  }
  return CRM_OK;
}

static int crm__check_score(crm *c, const char *model,
                            const crm_score_value *s)
{
  int rc;

  if(!s || s->struct_size < CRM__VALUE_SIZE_13)
    return crm__err(c, CRM_EINVAL, "score value struct_size %u is smaller "
                    "than sdk 1.3's %u", s ? s->struct_size : 0u,
                    (unsigned)CRM__VALUE_SIZE_13);
  rc = crm__check_named_value(c, "score", model, s->name, s->label,
                              s->value);
  if(rc)
    return rc;
  return crm__check_factors(c, s);
}

int crm__score_write(crm *c, int64_t customer_id, const char *model,
                     const crm_score_value *s)
{
  char explain[CRM__EXPLAIN_MAX];
  sqlite3_stmt *st;
  int rc;

  rc = crm__check_score(c, model, s);
  if(rc)
    return rc;
  if(s->n_factors && crm__explain_json(s, explain, sizeof(explain)))
    return crm__err(c, CRM_ERANGE, "score \"%s\" explanation is too long",
                    s->name);
  st = crm__stmt(c, crm__sql_score_write);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, model, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, s->name, -1, SQLITE_STATIC);
  sqlite3_bind_double(st, 4, s->value);
  if(s->label)
    sqlite3_bind_text(st, 5, s->label, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 6, crm_now(c));
  if(s->n_factors)
    sqlite3_bind_text(st, 7, explain, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if(rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    return crm__err(c, CRM_ENOTFOUND, "unknown customer #%lld",
                    (long long)customer_id);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "storing a score");
  return CRM_OK;
}

/* ---- crm__figure_put ----------------------------------------------------- */

int crm__figure_put(crm *c, const char *model, const char *name,
                    double value, const char *label)
{
  sqlite3_stmt *st;
  int rc;

  rc = crm__check_named_value(c, "figure", model, name, label, value);
  if(rc)
    return rc;
  st = crm__stmt(c, crm__sql_figure_put);
  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
  sqlite3_bind_double(st, 3, value);
  if(label)
    sqlite3_bind_text(st, 4, label, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 5, crm_now(c));
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "storing a figure");
  return CRM_OK;
}

/* ---- crm__events_walk ----------------------------------------------------- */

/* Each comma-separated element of a filter's types must be an event type
 * name: "purchase, refund" would never match a refund. */
static int crm__walk_types_check(crm *c, const char *types)
{
  char name[CRM_EVENT_TYPE_MAX + 1];
  const char *p = types;
  const char *end;
  size_t len;

  for(;;) {
    end = strchr(p, ',');
    len = end ? (size_t)(end - p) : strlen(p);
    if(len == 0)
      return crm__err(c, CRM_EINVAL, "event filter types \"%.200s\" has an "
                      "empty element; separate type names with single "
                      "commas", types);
    if(len > CRM_EVENT_TYPE_MAX)
      return crm__err(c, CRM_ERANGE, "event filter types element "
                      "\"%.*s...\" is longer than %d bytes",
                      CRM_EVENT_TYPE_MAX, p, CRM_EVENT_TYPE_MAX);
    memcpy(name, p, len);
    name[len] = '\0';
    if(crm__check_event_type(c, name))
      return crm__err(c, CRM_EINVAL, "event filter types element \"%s\" is "
                      "not an event type; use [a-z][a-z0-9_.]*, commas "
                      "without spaces", name);
    if(!end)
      return CRM_OK;
    p = end + 1;
  }
}

static int crm__walk_check(crm *c, const crm_event_filter *f, char *types,
                           size_t size)
{
  size_t n;

  if(!f || f->struct_size < CRM__FILTER_SIZE_13)
    return crm__err(c, CRM_EINVAL, "event filter struct_size %u is smaller "
                    "than sdk 1.3's %u", f ? f->struct_size : 0u,
                    (unsigned)CRM__FILTER_SIZE_13);
  if(f->customer_id < 0)
    return crm__err(c, CRM_EINVAL, "event filter customer #%lld is not a "
                    "customer id", (long long)f->customer_id);
  if(f->since < 0 || f->until < 0)
    return crm__err(c, CRM_EINVAL, "event filter times must not be "
                    "negative");
  if(f->since && f->until && f->since >= f->until)
    return crm__err(c, CRM_EINVAL, "event filter since (%lld) is not before "
                    "until (%lld)", (long long)f->since,
                    (long long)f->until);
  types[0] = '\0';
  if(!f->types)
    return CRM_OK;
  n = strlen(f->types);
  if(!n)
    return crm__err(c, CRM_EINVAL, "event filter types is empty (NULL "
                    "means every type)");
  if(n + 3 > size)
    return crm__err(c, CRM_ERANGE, "event filter types is longer than %d "
                    "bytes", (int)(size - 3));
  if(crm__walk_types_check(c, f->types))
    return c->errcode;
  /* ",a,b," so that instr finds ",type," for whole names only */
  types[0] = ',';
  memcpy(types + 1, f->types, n);
  types[n + 1] = ',';
  types[n + 2] = '\0';
  return CRM_OK;
}

static const char *crm__col(sqlite3_stmt *st, int col)
{
  return (const char *)sqlite3_column_text(st, col);
}

static void crm__walk_view(sqlite3_stmt *st, crm_event_view *v)
{
  memset(v, 0, sizeof(*v));
  v->struct_size = sizeof(*v);
  v->event_id = sqlite3_column_int64(st, 0);
  v->customer_id = sqlite3_column_int64(st, 1);
  v->type = crm__col(st, 2);
  v->occurred_at = sqlite3_column_int64(st, 3);
  v->amount = sqlite3_column_int64(st, 4);
  v->currency = crm__col(st, 5);
  v->quantity = sqlite3_column_int64(st, 6);
  v->payload = crm__col(st, 7);
  v->idempotency_key = crm__col(st, 8);
  v->refund_of = crm__col(st, 9);
}

int crm__events_walk(crm *c, const crm_event_filter *f, crm_event_cb cb,
                     void *ud)
{
  char types[CRM__WALK_TYPES_MAX + 3];
  crm_event_view v;
  sqlite3_stmt *st;
  int rc;
  int stop = 0;

  if(!cb)
    return crm__err(c, CRM_EINVAL, "event walk has no callback");
  rc = crm__walk_check(c, f, types, sizeof(types));
  if(rc)
    return rc;
  st = crm__stmt_fresh(c, f->customer_id ? crm__sql_walk_one
                                          : crm__sql_walk_all);
  if(!st)
    return c->errcode;
  if(types[0])
    sqlite3_bind_text(st, 1, types, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, f->since);
  sqlite3_bind_int64(st, 3, f->until);
  if(f->customer_id)
    sqlite3_bind_int64(st, 4, f->customer_id);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    crm__walk_view(st, &v);
    stop = cb(ud, &v);
    if(stop)
      break;
  }
  crm__stmt_done(c, st);
  if(stop)
    return stop;
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "walking events");
  return CRM_OK;
}

/* ---- crm__customers_walk --------------------------------------------------- */

/* A text column that is NULL or empty as NULL (as crm__customer_view
 * gives currency and birthday). */
static const char *crm__col_opt(sqlite3_stmt *st, int col)
{
  const char *s = crm__col(st, col);

  return s && *s ? s : NULL;
}

/* The view of the row, its strings in the statement (no allocation). */
static void crm__customer_row(sqlite3_stmt *st, crm_customer_view *v)
{
  memset(v, 0, sizeof(*v));
  v->struct_size = sizeof(*v);
  v->customer_id = sqlite3_column_int64(st, 0);
  v->external_id = crm__col(st, 1);
  v->name = crm__col(st, 2);
  v->email = crm__col(st, 3);
  v->phone = crm__col(st, 4);
  v->timezone = crm__col(st, 5);
  v->stage = sqlite3_column_int(st, 6);
  v->created_at = sqlite3_column_int64(st, 7);
  v->first_purchase_at = sqlite3_column_int64(st, 8);
  v->last_purchase_at = sqlite3_column_int64(st, 9);
  v->purchase_count = sqlite3_column_int64(st, 10);
  v->monetary_total = sqlite3_column_int64(st, 11);
  v->points_balance = sqlite3_column_int64(st, 12);
  v->contact_count = sqlite3_column_int64(st, 13);
  v->currency = crm__col_opt(st, 14);
  v->birthday = crm__col_opt(st, 15);
}

int crm__customers_walk(crm *c, const crm_customer_filter *f,
                        crm_customer_cb cb, void *ud)
{
  crm_customer_view v;
  sqlite3_stmt *st;
  int rc;
  int stop = 0;

  if(!cb)
    return crm__err(c, CRM_EINVAL, "customer walk has no callback");
  if(!f || f->struct_size < CRM__CFILTER_SIZE_13)
    return crm__err(c, CRM_EINVAL, "customer filter struct_size %u is "
                    "smaller than sdk 1.3's %u", f ? f->struct_size : 0u,
                    (unsigned)CRM__CFILTER_SIZE_13);
  if(f->after_id < 0)
    return crm__err(c, CRM_EINVAL, "customer filter after_id %lld is "
                    "negative", (long long)f->after_id);
  st = crm__stmt_fresh(c, crm__sql_customers_walk);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, (sqlite3_int64)f->stages);
  sqlite3_bind_int64(st, 2, f->after_id);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    crm__customer_row(st, &v);
    stop = cb(ud, &v);
    if(stop)
      break;
  }
  crm__stmt_done(c, st);
  if(stop)
    return stop;
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "walking customers");
  return CRM_OK;
}

/* ---- crm__fit_progress ------------------------------------------------------ */

int crm__fit_progress(crm *c, int64_t done, int64_t total)
{
  const char *model = c->fit_model ? c->fit_model : "?";

  if(!c->fit_progress)
    return CRM_OK;
  /* once canceled, the user is not asked again */
  if(!c->fit_canceled &&
     c->fit_progress(c->fit_progress_ud, model, done, total) == 0)
    return CRM_OK;
  c->fit_canceled = 1;
  return crm__err(c, CRM_ECANCELED, "fit of \"%s\" canceled", model);
}
