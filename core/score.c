/*
 * score.c - running scoring components and the scores table.
 *
 * crm_score_run hands every customer to each selected scoring component's
 * score_batch in one transaction; the component stores results through
 * host->score_put (crm__score_put). A batch run replaces the model's
 * previous scores, so a customer who left the population loses stale
 * ones. After each event, crm__score_on_event calls the optional cheap
 * score_one.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "crm_int.h"

#define CRM__SCORE_NAME_MAX 64
#define CRM__SCORE_LABEL_MAX 256
#define CRM__ARENA_BLOCK 65536

static const char crm__sql_score_put[] =
  "INSERT INTO scores(customer_id, model, name, value, label, computed_at)"
  " VALUES(?1, ?2, ?3, ?4, ?5, ?6)"
  " ON CONFLICT(customer_id, model, name) DO UPDATE SET"
  " value = excluded.value, label = excluded.label,"
  " computed_at = excluded.computed_at, explain = NULL";
static const char crm__sql_score_clear[] =
  "DELETE FROM scores WHERE model = ?1";
static const char crm__sql_score_count[] =
  "SELECT count(DISTINCT customer_id) FROM scores"
  " WHERE model IN (SELECT value FROM json_each(?1))";
static const char crm__sql_scores_one[] =
  "SELECT customer_id, model, name, value, label, computed_at, explain"
  " FROM scores WHERE customer_id = ?1 ORDER BY model, name";
static const char crm__sql_scores_all[] =
  "SELECT customer_id, model, name, value, label, computed_at, explain"
  " FROM scores ORDER BY customer_id, model, name";
/* The factors of an explanation, in the order the model wrote them. */
static const char crm__sql_score_reasons[] =
  "SELECT json_extract(value, '$.factor'),"
  " json_extract(value, '$.contribution'), json_extract(value, '$.detail')"
  " FROM json_each(?1) ORDER BY key";
static const char crm__sql_score_population[] =
  "SELECT id, external_id, name, email, phone, timezone, stage,"
  " created_at, first_purchase_at, last_purchase_at, purchase_count,"
  " monetary_total, points_balance, contact_count, currency"
  " FROM customers ORDER BY id";

/* ---- crm__score_put ---------------------------------------------------- */

/* ---- checks shared by scores and figures -------------------------------- */

int crm__check_named_value(crm *c, const char *what, const char *model,
                           const char *name, const char *label, double value)
{
  if(!model || !*model || !name || !*name)
    return crm__err(c, CRM_EINVAL, "%s name is empty", what);
  if(strlen(name) > CRM__SCORE_NAME_MAX)
    return crm__err(c, CRM_ERANGE, "%s name is longer than %d bytes", what,
                    CRM__SCORE_NAME_MAX);
  if(label && strlen(label) > CRM__SCORE_LABEL_MAX)
    return crm__err(c, CRM_ERANGE, "%s label is longer than %d bytes", what,
                    CRM__SCORE_LABEL_MAX);
  if(!isfinite(value))
    return crm__err(c, CRM_EINVAL, "%s \"%s\" is not a finite number",
                    what, name);
  return CRM_OK;
}

int crm__score_put(crm *c, int64_t customer_id, const char *model,
                   const char *name, double value, const char *label)
{
  sqlite3_stmt *st;
  int rc;

  rc = crm__check_named_value(c, "score", model, name, label, value);
  if(rc)
    return rc;
  st = crm__stmt(c, crm__sql_score_put);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, model, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
  sqlite3_bind_double(st, 4, value);
  if(label)
    sqlite3_bind_text(st, 5, label, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 6, crm_now(c));
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    return crm__err(c, CRM_ENOTFOUND, "unknown customer #%lld",
                    (long long)customer_id);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "storing a score");
  return CRM_OK;
}

/* ---- the population: views with their strings in an arena ------------- */

struct crm__arena_block {
  struct crm__arena_block *next;
  size_t used;
  size_t size;
  char data[];
};

struct crm__population {
  crm_customer_view *views;
  const crm_customer_view **ptrs;
  size_t n;
  size_t cap;
  struct crm__arena_block *blocks;
};

static void crm__population_free(struct crm__population *p)
{
  while(p->blocks) {
    struct crm__arena_block *b = p->blocks;

    p->blocks = b->next;
    crm__free(b);
  }
  crm__free(p->views);
  crm__free(p->ptrs);
  memset(p, 0, sizeof(*p));
}

/* Copies a text column into the arena; NULL column -> NULL. */
static int crm__arena_text(struct crm__population *p, sqlite3_stmt *st,
                           int col, const char **out)
{
  const unsigned char *t = sqlite3_column_text(st, col);
  size_t n;
  struct crm__arena_block *b = p->blocks;

  *out = NULL;
  if(!t)
    return CRM_OK;
  n = (size_t)sqlite3_column_bytes(st, col) + 1;
  if(!b || b->size - b->used < n) {
    size_t size = n > CRM__ARENA_BLOCK ? n : CRM__ARENA_BLOCK;

    b = crm__malloc(sizeof(*b) + size);
    if(!b)
      return CRM_ENOMEM;
    b->next = p->blocks;
    b->used = 0;
    b->size = size;
    p->blocks = b;
  }
  memcpy(b->data + b->used, t, n);
  *out = b->data + b->used;
  b->used += n;
  return CRM_OK;
}

static int crm__population_row(struct crm__population *p, sqlite3_stmt *st)
{
  crm_customer_view *v;
  int rc = CRM_OK;

  if(p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 256;
    crm_customer_view *nv = crm__realloc(p->views, cap * sizeof(*nv));

    if(!nv)
      return CRM_ENOMEM;
    p->views = nv;
    p->cap = cap;
  }
  v = &p->views[p->n];
  memset(v, 0, sizeof(*v));
  v->struct_size = sizeof(*v);
  v->customer_id = sqlite3_column_int64(st, 0);
  v->stage = sqlite3_column_int(st, 6);
  v->created_at = sqlite3_column_int64(st, 7);
  v->first_purchase_at = sqlite3_column_int64(st, 8);
  v->last_purchase_at = sqlite3_column_int64(st, 9);
  v->purchase_count = sqlite3_column_int64(st, 10);
  v->monetary_total = sqlite3_column_int64(st, 11);
  v->points_balance = sqlite3_column_int64(st, 12);
  v->contact_count = sqlite3_column_int64(st, 13);
  rc = crm__arena_text(p, st, 1, &v->external_id);
  if(!rc)
    rc = crm__arena_text(p, st, 2, &v->name);
  if(!rc)
    rc = crm__arena_text(p, st, 3, &v->email);
  if(!rc)
    rc = crm__arena_text(p, st, 4, &v->phone);
  if(!rc)
    rc = crm__arena_text(p, st, 5, &v->timezone);
  if(!rc)
    rc = crm__arena_text(p, st, 14, &v->currency);
  if(rc)
    return rc;
  p->n++;
  return CRM_OK;
}

static int crm__population_load(crm *c, struct crm__population *p)
{
  sqlite3_stmt *st;
  size_t i;
  int rc;

  st = crm__stmt(c, crm__sql_score_population);
  if(!st)
    return c->errcode;
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    if(crm__population_row(p, st)) {
      sqlite3_reset(st);
      return crm__err(c, CRM_ENOMEM, "out of memory loading customers");
    }
  }
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "loading customers for scoring");
  p->ptrs = crm__malloc((p->n ? p->n : 1) * sizeof(*p->ptrs));
  if(!p->ptrs)
    return crm__err(c, CRM_ENOMEM, "out of memory loading customers");
  /* views may have moved while growing: point at the final array */
  for(i = 0; i < p->n; i++)
    p->ptrs[i] = &p->views[i];
  return CRM_OK;
}

/* ---- crm_score_run ---------------------------------------------------------- */

static int crm__score_clear(crm *c, const char *model)
{
  sqlite3_stmt *st;
  int rc;

  st = crm__stmt(c, crm__sql_score_clear);
  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "clearing old scores");
  return CRM_OK;
}

static int crm__score_batch_one(crm *c, crm__component *comp,
                                const struct crm__population *p,
                                int64_t as_of)
{
  crm__plugin *pl = comp->plugin;
  int rc;

  rc = crm__score_clear(c, comp->name);
  if(rc)
    return rc;
  crm__hctx_reset(&pl->hctx);
  pl->hctx.cur_component = comp->name;
  rc = comp->vt.scoring.score_batch(pl->state, &pl->hctx, p->ptrs, p->n,
                                    as_of);
  pl->hctx.cur_component = NULL;
  if(rc)
    return crm__plugin_call_failed(c, comp, rc, "score_batch");
  return CRM_OK;
}

/* Appends "name" (JSON-escaped) to a JSON array being built in buf. */
static int crm__json_list_add(char *buf, size_t size, size_t *len,
                              const char *name)
{
  const char *s;

  if(*len + 4 >= size)
    return CRM_ERANGE;
  if(*len > 1)
    buf[(*len)++] = ',';
  buf[(*len)++] = '"';
  for(s = name; *s; s++) {
    if(*len + 4 >= size)
      return CRM_ERANGE;
    if(*s == '"' || *s == '\\')
      buf[(*len)++] = '\\';
    buf[(*len)++] = *s;
  }
  buf[(*len)++] = '"';
  buf[*len] = '\0';
  return CRM_OK;
}

static int crm__score_count(crm *c, const char *models_json, size_t *n)
{
  sqlite3_stmt *st;
  int rc;

  st = crm__stmt(c, crm__sql_score_count);
  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, models_json, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW)
    *n = (size_t)sqlite3_column_int64(st, 0);
  sqlite3_reset(st);
  if(rc != SQLITE_ROW)
    return crm__sqlerr(c, rc, "counting scored customers");
  return CRM_OK;
}

static int crm__score_run_tx(crm *c, const char *model,
                             const struct crm__population *p, int64_t as_of,
                             size_t *n_scored)
{
  char models[1024] = "[";
  size_t mlen = 1;
  size_t i;
  int rc = CRM_OK;

  for(i = 0; i < c->n_comps && !rc; i++) {
    crm__component *comp = &c->comps[i];

    if(comp->kind != CRM_KIND_SCORING || !comp->plugin->running)
      continue;
    if(model && strcmp(comp->name, model) != 0)
      continue;
    rc = crm__score_batch_one(c, comp, p, as_of);
    if(!rc && crm__json_list_add(models, sizeof(models) - 1, &mlen,
                                 comp->name))
      rc = crm__err(c, CRM_ERANGE, "too many scoring components");
  }
  if(rc)
    return rc;
  models[mlen++] = ']';
  models[mlen] = '\0';
  return crm__score_count(c, models, n_scored);
}

int crm_score_run(crm *c, const char *model, int64_t as_of, size_t *n_scored)
{
  struct crm__population pop;
  size_t n = 0;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(n_scored)
    *n_scored = 0;
  if(!crm__component_find(c, CRM_KIND_SCORING, model)) {
    if(model)
      return crm__err(c, CRM_ENOTFOUND,
                      "no scoring component \"%s\" is loaded", model);
    return crm__err(c, CRM_ENOTFOUND, "no scoring component is loaded");
  }
  if(as_of <= 0)
    as_of = crm_now(c);
  memset(&pop, 0, sizeof(pop));
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  rc = crm__population_load(c, &pop);
  if(!rc)
    rc = crm__score_run_tx(c, model, &pop, as_of, &n);
  crm__population_free(&pop);
  if(!rc)
    rc = crm__tx_commit(c);
  else
    crm__tx_rollback(c);
  if(rc)
    return rc;
  if(n_scored)
    *n_scored = n;
  return CRM_OK;
}

/* ---- after each event ------------------------------------------------------- */

/* payload.refund_of of a refund or cancel, when it is a string. */
static const char crm__sql_score_refund_of[] =
  "SELECT json_extract(?1, '$.refund_of')"
  " WHERE json_type(?1, '$.refund_of') = 'text'";

static int crm__score_refund_of(crm *c, crm_event_view *v, char *buf,
                                size_t size)
{
  sqlite3_stmt *st;
  int rc;

  if(v->refund_of || !v->payload || (strcmp(v->type, "refund") != 0 &&
                                     strcmp(v->type, "cancel") != 0))
    return CRM_OK;
  st = crm__stmt(c, crm__sql_score_refund_of);
  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, v->payload, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW) {
    crm__col_text(st, 0, buf, size);
    v->refund_of = buf;
  }
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if(rc != SQLITE_ROW && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading refund_of");
  return CRM_OK;
}

static int crm__score_call(crm *c, crm__component *comp,
                           const crm_event_view *ev,
                           const crm_customer_view *cv, int64_t now)
{
  crm__plugin *pl = comp->plugin;
  const crm_scoring_v1 *vt = &comp->vt.scoring;
  int rc;

  crm__hctx_reset(&pl->hctx);
  pl->hctx.cur_component = comp->name;
  if(vt->score_event)
    rc = vt->score_event(pl->state, &pl->hctx, ev, cv, now);
  else
    rc = vt->score_one(pl->state, &pl->hctx, cv, now);
  pl->hctx.cur_component = NULL;
  if(rc)
    return crm__plugin_call_failed(c, comp, rc, vt->score_event
                                                ? "score_event"
                                                : "score_one");
  return CRM_OK;
}

/* One component's score step in a savepoint of its own: a failure undoes
 * its writes alone and is logged; the event and the other components'
 * scores stay. Only a store or memory failure fails the event. */
static int crm__score_step(crm *c, crm__component *comp,
                           const crm_event_view *ev,
                           const crm_customer_view *cv, int64_t as_of)
{
  int rc;

  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  rc = crm__score_call(c, comp, ev, cv, as_of);
  if(!rc)
    return crm__tx_commit(c);
  crm__tx_rollback(c);
  if(rc == CRM_ENOMEM || rc == CRM_ESTORE)
    return rc;
  crm__log(c, CRM_LOG_WARN, "score", "score step on event #%lld failed: %s: "
           "scores of customer #%lld not updated; the event is kept",
           (long long)ev->event_id, crm_errmsg(c),
           (long long)cv->customer_id);
  crm__clear_err(c);
  return CRM_OK;
}

int crm__score_on_event(crm *c, const crm_customer *cust,
                        const crm_event_view *ev)
{
  char refund_of[CRM_IDEM_KEY_MAX + 1];
  crm_customer_view cv;
  crm_event_view v;
  int have_refund = 0;
  int64_t now;
  size_t i;
  int rc;

  if(!c || !cust || !ev)
    return CRM_EINVAL;
  /* as of the event when it is dated ahead of the clock (up to 24 h is
   * accepted), so that a model walking events up to as_of sees it */
  now = crm_now(c);
  if(ev->occurred_at > now)
    now = ev->occurred_at;
  crm__customer_view(cust, &cv);
  v = *ev;
  for(i = 0; i < c->n_comps; i++) {
    crm__component *comp = &c->comps[i];

    if(comp->kind != CRM_KIND_SCORING || !comp->plugin->running ||
       (!comp->vt.scoring.score_event && !comp->vt.scoring.score_one))
      continue;
    if(comp->vt.scoring.score_event && !have_refund) {
      rc = crm__score_refund_of(c, &v, refund_of, sizeof(refund_of));
      if(rc)
        return rc;
      have_refund = 1;
    }
    rc = crm__score_step(c, comp, &v, &cv, now);
    if(rc)
      return rc;
  }
  return CRM_OK;
}

int crm__score_ask(crm *c, const char *model, const crm_customer *cust,
                   int64_t as_of)
{
  crm__component *comp;
  crm__plugin *pl;
  crm_customer_view cv;
  int rc;

  if(!c || !model || !cust)
    return CRM_EINVAL;
  comp = crm__component_find(c, CRM_KIND_SCORING, model);
  if(!comp || !comp->plugin->running)
    return crm__err(c, CRM_ENOTFOUND, "no scoring component \"%s\" is "
                    "loaded", model);
  if(!comp->vt.scoring.score_event)
    return crm__err(c, CRM_ENOTSUP, "scoring component \"%s\" has no score "
                    "step (score_event)", model);
  if(as_of <= 0)
    as_of = crm_now(c);
  crm__customer_view(cust, &cv);
  pl = comp->plugin;
  /* a savepoint: a failed call leaves none of its writes */
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  crm__hctx_reset(&pl->hctx);
  pl->hctx.cur_component = comp->name;
  rc = comp->vt.scoring.score_event(pl->state, &pl->hctx, NULL, &cv, as_of);
  pl->hctx.cur_component = NULL;
  if(!rc)
    return crm__tx_commit(c);
  rc = crm__plugin_call_failed(c, comp, rc, "score_event");
  crm__tx_rollback(c);
  return rc;
}

/* ---- reading ------------------------------------------------------------------ */

/* A score's explanation decoded: strings copied so that they stay valid
 * through the callback (which may read scores itself). */
struct crm__reasons {
  crm_score_reason r[CRM_SCORE_FACTORS_MAX];
  char factor[CRM_SCORE_FACTORS_MAX][65];
  char detail[CRM_SCORE_FACTORS_MAX][129];
  size_t n;
};

static int crm__reasons_read(crm *c, const char *json,
                             struct crm__reasons *out)
{
  sqlite3_stmt *st;
  int rc;

  out->n = 0;
  if(!json)
    return CRM_OK;
  st = crm__stmt(c, crm__sql_score_reasons);
  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
  for(;;) {
    size_t i = out->n;

    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW || i == CRM_SCORE_FACTORS_MAX)
      break;
    crm__col_text(st, 0, out->factor[i], sizeof(out->factor[i]));
    crm__col_text(st, 2, out->detail[i], sizeof(out->detail[i]));
    out->r[i].factor = out->factor[i];
    out->r[i].contribution = sqlite3_column_double(st, 1);
    out->r[i].detail = sqlite3_column_type(st, 2) == SQLITE_NULL
                           ? NULL : out->detail[i];
    out->n++;
  }
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if(rc != SQLITE_ROW && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading a score's explanation");
  return CRM_OK;
}

static int crm__score_row(crm *c, sqlite3_stmt *st, crm_score *s,
                          struct crm__reasons *rs)
{
  s->customer_id = sqlite3_column_int64(st, 0);
  s->model = (const char *)sqlite3_column_text(st, 1);
  s->name = (const char *)sqlite3_column_text(st, 2);
  s->value = sqlite3_column_double(st, 3);
  s->label = (const char *)sqlite3_column_text(st, 4);
  s->computed_at = sqlite3_column_int64(st, 5);
  s->explain_json = (const char *)sqlite3_column_text(st, 6);
  s->reasons = rs->r;
  s->n_reasons = 0;
  if(crm__reasons_read(c, s->explain_json, rs))
    return c->errcode;
  s->n_reasons = rs->n;
  return CRM_OK;
}

int crm_scores_foreach(crm *c, int64_t customer_id,
                       int (*cb)(void *ud, const crm_score *), void *ud)
{
  struct crm__reasons rs;
  sqlite3_stmt *st;
  crm_score s;
  int rc = SQLITE_DONE;
  int stop = 0;

  if(!c || !cb)
    return CRM_EINVAL;
  crm__clear_err(c);
  st = crm__stmt_fresh(c, customer_id > 0 ? crm__sql_scores_one
                                    : crm__sql_scores_all);
  if(!st)
    return c->errcode;
  if(customer_id > 0)
    sqlite3_bind_int64(st, 1, customer_id);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    memset(&s, 0, sizeof(s));
    stop = crm__score_row(c, st, &s, &rs);
    if(!stop)
      stop = cb(ud, &s);
    if(stop)
      break;
  }
  crm__stmt_done(c, st);
  if(stop)
    return stop;
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading scores");
  return CRM_OK;
}
