/*
 * case_open.c - opening complaint cases: crm_case_create, crm_case_open
 * and cases opened by "complaint" events.
 *
 * The row is inserted in the handler's first state and numbered
 * ("C-%06d" of its id), triage components classify it, the handler's
 * open decides its state (and what neither the caller nor triage set),
 * the SLA clocks start, and an "open" history line is written. What the
 * caller gave wins over triage, triage over the handler. The handler's
 * open sees the summary as customer_text. A "message" link names one of
 * the customer's messages (its id). A retry with the
 * same idempotency key returns the first case. A "complaint" event more
 * than 48 hours older than now is imported history: its case opens
 * without SLA clocks (history "opened from history: no SLA clock"), or
 * the first crm_sla_run after an import would breach every old one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_int.h"

/* A complaint event older than this (before now) is imported history: its
 * case opens without SLA clocks, as communication triggers send nothing
 * for causes older than their max_age_hours (default 48). */
#define CRM__CASE_HISTORY_AGE (48 * INT64_C(3600))

static const char crm__sql_case_insert[] =
  "INSERT INTO cases(customer_id, handler, state, category, summary,"
  " priority, event_id, opened_at, updated_at, origin, link_kind, link_ref,"
  " parent_id, idem_key, actor)"
  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
static const char crm__sql_case_number[] =
  "UPDATE cases SET number = ?2 WHERE id = ?1";
static const char crm__sql_case_idem[] =
  "SELECT id FROM cases WHERE idem_key = ?1";
static const char crm__sql_case_customer[] =
  "SELECT 1 FROM customers WHERE id = ?1";
static const char crm__sql_case_message[] =
  "SELECT 1 FROM messages WHERE id = ?1 AND customer_id = ?2";
static const char crm__sql_case_parent[] =
  "SELECT customer_id, number FROM cases WHERE id = ?1";
static const char crm__sql_case_payload[] =
  "SELECT CASE WHEN json_type(?1, '$.summary') = 'text'"
  "  THEN json_extract(?1, '$.summary') END,"
  " CASE WHEN json_type(?1, '$.category') = 'text'"
  "  THEN json_extract(?1, '$.category') END,"
  " json_type(?1, '$.priority'), json_extract(?1, '$.priority'),"
  " CASE WHEN json_type(?1, '$.origin') = 'text'"
  "  THEN json_extract(?1, '$.origin') END,"
  " CASE WHEN json_type(?1, '$.order') IN ('text', 'integer')"
  "  THEN CAST(json_extract(?1, '$.order') AS TEXT) END,"
  " CASE WHEN json_type(?1, '$.flight') = 'text'"
  "  THEN json_extract(?1, '$.flight') END";

static void crm__bind_opt_int(sqlite3_stmt *st, int i, int64_t v)
{
  if(v)
    sqlite3_bind_int64(st, i, v);
  else
    sqlite3_bind_null(st, i);
}

static void crm__bind_opt_text(sqlite3_stmt *st, int i, const char *s)
{
  if(s && *s)
    sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, i);
}

/* ---- handlers ----------------------------------------------------------- */

static crm__component *crm__case_handler(crm *c, const char *name)
{
  crm__component *comp = crm__component_find(c, CRM_KIND_COMPLAINT, name);

  if(comp && !crm__complaint_is_triage(comp))
    return comp;
  if(comp)
    crm__err(c, CRM_EINVAL, "complaint component \"%s\" is a triage "
             "component, not a case handler", name);
  else
    crm__err(c, CRM_ENOTFOUND, "no complaint component \"%s\" is loaded",
             name);
  return NULL;
}

/* name, else complaints.handler, else the first loaded handler. */
static crm__component *crm__case_default_handler(crm *c, const char *name)
{
  const crm__cases_cfg *cc = crm__cases(c);
  size_t i;

  if(name && *name)
    return crm__case_handler(c, name);
  if(cc && cc->handler[0])
    return crm__case_handler(c, cc->handler);
  for(i = 0; i < c->n_comps; i++) {
    crm__component *k = &c->comps[i];

    if(k->kind == CRM_KIND_COMPLAINT && k->plugin->running &&
       !crm__complaint_is_triage(k))
      return k;
  }
  crm__err(c, CRM_ENOTFOUND, "no complaint component is loaded");
  return NULL;
}

/* ---- opening ----------------------------------------------------------- */

/* What the opening needs besides the row. */
struct crm__case_opening {
  int64_t event_id;       /* 0: none */
  const char *idem_key;   /* NULL: none */
  const char *actor;
  const char *why;
  int given_category;
  int given_priority;
  int from_history; /* imported: no SLA clocks */
};

static int crm__case_insert(crm *c, crm__case_row *r,
                            const struct crm__case_opening *o)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_case_insert);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, r->customer_id);
  sqlite3_bind_text(st, 2, r->handler, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, r->state, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, r->category, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, r->summary, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 6, r->priority);
  crm__bind_opt_int(st, 7, o->event_id);
  sqlite3_bind_int64(st, 8, r->opened_at);
  sqlite3_bind_text(st, 9, r->origin, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 10, r->link_kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 11, r->link_ref, -1, SQLITE_STATIC);
  crm__bind_opt_int(st, 12, r->parent_id);
  crm__bind_opt_text(st, 13, o->idem_key);
  sqlite3_bind_text(st, 14, o->actor, -1, SQLITE_STATIC);
  rc = crm__step_end(c, st, "inserting case");
  if(rc)
    return rc;
  r->id = sqlite3_last_insert_rowid(c->db);
  snprintf(r->number, sizeof(r->number), "C-%06lld", (long long)r->id);
  st = crm__stmt(c, crm__sql_case_number);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, r->id);
  sqlite3_bind_text(st, 2, r->number, -1, SQLITE_STATIC);
  return crm__step_end(c, st, "numbering case");
}

/* Triage (caller > triage), then the handler's open (caller and triage >
 * handler). */
static int crm__case_classify(crm *c, crm__component *comp, crm__case_row *r,
                              const struct crm__case_opening *o)
{
  crm__plugin *pl = comp->plugin;
  crm_case_decision d;
  crm_case_view v;
  const char *state;
  int tri_cat = 0, tri_prio = 0;
  int rc;

  memset(&d, 0, sizeof(d));
  d.struct_size = sizeof(d);
  rc = crm__case_triage(c, r, o->given_category, o->given_priority,
                        o->actor, &d);
  if(rc)
    return rc;
  d.category[sizeof(d.category) - 1] = '\0';
  d.reason[sizeof(d.reason) - 1] = '\0';
  if(!o->given_category && d.category[0]) {
    snprintf(r->category, sizeof(r->category), "%s", d.category);
    tri_cat = 1;
  }
  if(!o->given_priority && d.priority >= 1 && d.priority <= 4) {
    r->priority = d.priority;
    tri_prio = 1;
  }
  snprintf(r->triage_reason, sizeof(r->triage_reason), "%s", d.reason);
  crm__case_view_fill(r, &v);
  v.actor = o->actor;
  v.customer_text = r->summary; /* no messages yet: the summary */
  memset(&d, 0, sizeof(d));
  d.struct_size = sizeof(d);
  crm__hctx_reset(&pl->hctx);
  rc = comp->vt.complaint.open(pl->state, &pl->hctx, &v, &d);
  if(rc)
    return crm__plugin_call_failed(c, comp, rc, "open");
  rc = crm__case_decided(c, comp, &d, comp->vt.complaint.states[0], &state);
  if(rc)
    return rc;
  snprintf(r->state, sizeof(r->state), "%s", state);
  if(d.category[0] && !o->given_category && !tri_cat)
    snprintf(r->category, sizeof(r->category), "%s", d.category);
  if(d.priority && !o->given_priority && !tri_prio)
    r->priority = d.priority;
  return CRM_OK;
}

/* Without the SLA (imported history): the team by the category's route,
 * as crm__sla_on_open would set it. */
static void crm__case_route_team(crm *c, crm__case_row *r)
{
  const crm__team *t = crm__cases_route(crm__cases(c), r->category);

  if(!r->team[0] && t)
    snprintf(r->team, sizeof(r->team), "%s", t->name);
}

/* Inside the caller's transaction. */
static int crm__case_open_tx(crm *c, crm__component *comp, crm__case_row *r,
                             const struct crm__case_opening *o)
{
  const char *const *states = comp->vt.complaint.states;
  char detail[256];
  int is_final, cls;
  int rc;

  if(!states || !states[0] || !comp->vt.complaint.open)
    return crm__err(c, CRM_EPLUGIN, "plugin \"%s\" component \"%s\" has "
                    "no states", comp->plugin->name, comp->name);
  snprintf(r->state, sizeof(r->state), "%s", states[0]);
  rc = crm__case_insert(c, r, o);
  if(!rc)
    rc = crm__case_classify(c, comp, r, o);
  if(rc)
    return rc;
  cls = crm__case_class(r->state);
  is_final = crm__case_is_final(comp, r->state);
  if(is_final)
    r->closed_at = r->opened_at;
  rc = crm__case_save(c, r, r->opened_at);
  if(!rc && !o->from_history)
    rc = crm__sla_on_open(c, r, r->opened_at);
  else if(!rc)
    crm__case_route_team(c, r);
  if(!rc)
    rc = crm__case_save(c, r, r->opened_at);
  if(rc)
    return rc;
  snprintf(detail, sizeof(detail), "handler %s, state %s, category %s, "
           "priority %d%s", r->handler, r->state,
           r->category[0] ? r->category : "-", r->priority,
           o->from_history ? "; opened from history: no SLA clock" : "");
  rc = crm__case_log(c, r->id, "open", NULL, r->state, o->actor, o->why,
                     detail, r->opened_at);
  if(!rc && is_final) /* the handler closed it at once */
    rc = crm__case_closed_hooks(c, r, cls, r->opened_at);
  return rc;
}

static int crm__case_check_new(crm *c, const crm_case_new *n)
{
  const char *k = n->link_kind;
  int rc;

  rc = crm__check_text(c, "summary", n->summary, CRM__CASE_SUMMARY_MAX, 1);
  if(!rc)
    rc = crm__check_text(c, "category", n->category, CRM__CASE_CATEGORY_MAX,
                         0);
  if(!rc)
    rc = crm__check_text(c, "origin", n->origin, CRM__CASE_ORIGIN_MAX, 0);
  if(!rc)
    rc = crm__check_text(c, "link_ref", n->link_ref, CRM__CASE_LINK_REF_MAX,
                         0);
  if(!rc)
    rc = crm__check_text(c, "idempotency key", n->idempotency_key, 128, 0);
  if(!rc && n->op.actor)
    rc = crm__case_check_name(c, "actor", n->op.actor);
  if(!rc)
    rc = crm__check_text(c, "why", n->op.why, CRM__CASE_NOTE_MAX, 0);
  if(rc)
    return rc;
  if(n->priority < 0 || n->priority > 4)
    return crm__err(c, CRM_ERANGE, "priority must be 1 (urgent) .. 4 (low), "
                    "or 0 to let triage decide (got %d)", n->priority);
  if(k && *k && strcmp(k, "order") && strcmp(k, "flight") &&
     strcmp(k, "message"))
    return crm__err(c, CRM_EINVAL, "unknown link_kind \"%.32s\" (order, "
                    "flight or message)", k);
  if(k && *k && (!n->link_ref || !*n->link_ref))
    return crm__err(c, CRM_EINVAL, "link_ref is required with link_kind %s",
                    k);
  if((!k || !*k) && n->link_ref && *n->link_ref)
    return crm__err(c, CRM_EINVAL, "link_ref needs a link_kind (order, "
                    "flight or message)");
  if(n->parent_id < 0)
    return crm__err(c, CRM_EINVAL, "parent_id is negative");
  return CRM_OK;
}

/* A "message" link names one of the customer's messages (its id). */
static int crm__case_check_message(crm *c, const crm_case_new *n)
{
  sqlite3_stmt *st;
  const char *ref = n->link_ref;
  char *end = NULL;
  long long id;
  int rc;

  if(!n->link_kind || strcmp(n->link_kind, "message") != 0)
    return CRM_OK;
  errno = 0;
  id = ref[0] >= '0' && ref[0] <= '9' ? strtoll(ref, &end, 10) : -1;
  if(id <= 0 || errno || !end || *end)
    return crm__err(c, CRM_EINVAL, "link_ref \"%.32s\" is not a message id",
                    ref);
  st = crm__stmt(c, crm__sql_case_message);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, (int64_t)id);
  sqlite3_bind_int64(st, 2, n->customer_id);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc == SQLITE_DONE)
    return crm__err(c, CRM_ENOTFOUND, "no message #%lld of customer #%lld",
                    id, (long long)n->customer_id);
  if(rc != SQLITE_ROW)
    return crm__sqlerr(c, rc, "reading the linked message");
  return CRM_OK;
}

/* The customer exists; the parent case exists and is theirs; a linked
 * message is theirs. */
static int crm__case_check_refs(crm *c, const crm_case_new *n)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_case_customer);
  int64_t owner = 0;
  char number[24] = "";
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, n->customer_id);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc == SQLITE_DONE)
    return crm__err(c, CRM_ENOTFOUND, "unknown customer #%lld",
                    (long long)n->customer_id);
  if(rc != SQLITE_ROW)
    return crm__sqlerr(c, rc, "reading customer");
  rc = crm__case_check_message(c, n);
  if(rc || !n->parent_id)
    return rc;
  st = crm__stmt(c, crm__sql_case_parent);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, n->parent_id);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW) {
    owner = sqlite3_column_int64(st, 0);
    crm__col_text(st, 1, number, sizeof(number));
  }
  sqlite3_reset(st);
  if(rc == SQLITE_DONE)
    return crm__err(c, CRM_ENOTFOUND, "unknown parent case #%lld",
                    (long long)n->parent_id);
  if(rc != SQLITE_ROW)
    return crm__sqlerr(c, rc, "reading parent case");
  if(owner != n->customer_id)
    return crm__err(c, CRM_EINVAL, "parent case %s belongs to another "
                    "customer", number);
  return CRM_OK;
}

/* An earlier case with this idempotency key into *id (0: none). */
static int crm__case_find_idem(crm *c, const char *key, int64_t *id)
{
  sqlite3_stmt *st;
  int rc;

  *id = 0;
  if(!key || !*key)
    return CRM_OK;
  st = crm__stmt(c, crm__sql_case_idem);
  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW) {
    *id = sqlite3_column_int64(st, 0);
    rc = SQLITE_DONE;
  }
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "looking up case idempotency key");
  return CRM_OK;
}

/* Inside the caller's transaction; n checked. */
static int crm__case_create_tx(crm *c, crm__component *comp,
                               const crm_case_new *n, int64_t event_id,
                               int from_history, int64_t at,
                               int64_t *case_id)
{
  struct crm__case_opening o;
  crm__case_row r;
  int rc;

  rc = crm__case_find_idem(c, n->idempotency_key, case_id);
  if(rc || *case_id)
    return rc;
  rc = crm__case_check_refs(c, n);
  if(rc)
    return rc;
  memset(&o, 0, sizeof(o));
  o.event_id = event_id;
  o.idem_key = n->idempotency_key && *n->idempotency_key
                   ? n->idempotency_key : NULL;
  o.actor = crm__case_actor(&n->op);
  o.why = n->op.why;
  o.given_category = n->category && *n->category;
  o.given_priority = n->priority > 0;
  o.from_history = from_history;
  memset(&r, 0, sizeof(r));
  r.customer_id = n->customer_id;
  snprintf(r.handler, sizeof(r.handler), "%s", comp->name);
  snprintf(r.summary, sizeof(r.summary), "%s", n->summary);
  snprintf(r.category, sizeof(r.category), "%s",
           n->category ? n->category : "");
  r.priority = n->priority > 0 ? n->priority : CRM__CASE_DEFAULT_PRIORITY;
  snprintf(r.origin, sizeof(r.origin), "%s",
           n->origin && *n->origin ? n->origin : "api");
  snprintf(r.link_kind, sizeof(r.link_kind), "%s",
           n->link_kind ? n->link_kind : "");
  snprintf(r.link_ref, sizeof(r.link_ref), "%s",
           n->link_ref ? n->link_ref : "");
  r.parent_id = n->parent_id;
  r.opened_at = at;
  r.updated_at = at;
  rc = crm__case_open_tx(c, comp, &r, &o);
  if(!rc)
    *case_id = r.id;
  return rc;
}

int crm_case_create(crm *c, const crm_case_new *n, int64_t *case_id)
{
  crm__component *comp;
  int64_t id = 0;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(!n)
    return crm__err(c, CRM_EINVAL, "no case given");
  rc = crm__case_check_new(c, n);
  if(rc)
    return rc;
  comp = crm__case_default_handler(c, n->handler);
  if(!comp)
    return c->errcode;
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  rc = crm__case_create_tx(c, comp, n, 0, 0, crm__case_at(c, &n->op),
                           &id);
  if(!rc)
    rc = crm__tx_commit(c);
  else
    crm__tx_rollback(c);
  if(!rc && case_id)
    *case_id = id;
  return rc;
}

int crm_case_open(crm *c, int64_t customer_id, const char *handler,
                  const char *summary, const char *category,
                  int64_t *case_id)
{
  crm_case_new n;

  memset(&n, 0, sizeof(n));
  n.customer_id = customer_id;
  n.handler = handler;
  n.summary = summary;
  n.category = category;
  return crm_case_create(c, &n, case_id);
}

/* ---- "complaint" events ------------------------------------------------ */

static int crm__case_payload_priority(crm *c, sqlite3_stmt *st, int *out)
{
  const unsigned char *type = sqlite3_column_text(st, 2);
  int64_t v;

  *out = 0;
  if(!type || !strcmp((const char *)type, "null"))
    return CRM_OK;
  v = sqlite3_column_int64(st, 3);
  if(strcmp((const char *)type, "integer") || v < 1 || v > 4)
    return crm__err(c, CRM_EINVAL, "complaint priority must be an integer "
                    "1 (urgent) .. 4 (low)");
  *out = (int)v;
  return CRM_OK;
}

/* Copies column i (text or NULL) into buf; *p = buf or NULL. */
static void crm__case_payload_text(sqlite3_stmt *st, int i, char *buf,
                                   size_t size, const char **p)
{
  *p = NULL;
  if(sqlite3_column_type(st, i) == SQLITE_NULL)
    return;
  crm__col_text(st, i, buf, size);
  *p = buf;
}

int crm__case_open_from_event(crm *c, int64_t customer_id, int64_t event_id,
                              const char *payload, int64_t at)
{
  /* one byte over each limit: a longer text fails its check */
  char sum[CRM__CASE_SUMMARY_MAX + 2], cat[CRM__CASE_CATEGORY_MAX + 2];
  char origin[CRM__CASE_ORIGIN_MAX + 2], ref[CRM__CASE_LINK_REF_MAX + 2];
  char ref2[CRM__CASE_LINK_REF_MAX + 2];
  char msg[CRM__ERRMSG_SIZE];
  const char *order, *flight;
  crm__component *comp = crm__case_default_handler(c, NULL);
  sqlite3_stmt *st;
  crm_case_new n;
  int64_t id = 0;
  int rc, old;

  if(!comp) { /* no handler: the event is kept, no case */
    if(crm__cases(c)->handler[0])
      crm__log(c, CRM_LOG_WARN, "case", "complaint event #%lld opens no "
               "case: %s", (long long)event_id, crm_errmsg(c));
    crm__clear_err(c);
    return CRM_OK;
  }
  st = crm__stmt(c, crm__sql_case_payload);
  if(!st)
    return c->errcode;
  if(payload)
    sqlite3_bind_text(st, 1, payload, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc != SQLITE_ROW) {
    sqlite3_reset(st);
    return crm__sqlerr(c, rc, "reading complaint payload");
  }
  memset(&n, 0, sizeof(n));
  n.customer_id = customer_id;
  crm__case_payload_text(st, 0, sum, sizeof(sum), &n.summary);
  crm__case_payload_text(st, 1, cat, sizeof(cat), &n.category);
  crm__case_payload_text(st, 4, origin, sizeof(origin), &n.origin);
  crm__case_payload_text(st, 5, ref, sizeof(ref), &order);
  crm__case_payload_text(st, 6, ref2, sizeof(ref2), &flight);
  rc = crm__case_payload_priority(c, st, &n.priority);
  sqlite3_reset(st);
  if(rc)
    return rc;
  if(!n.summary || !*n.summary)
    n.summary = "(no summary)";
  n.link_kind = order ? "order" : flight ? "flight" : NULL;
  n.link_ref = order ? order : flight;
  n.op.why = "opened from event";
  rc = crm__case_check_new(c, &n);
  if(rc) {
    snprintf(msg, sizeof(msg), "%s", crm_errmsg(c));
    return crm__err(c, rc, "complaint %s", msg);
  }
  old = at < crm_now(c) - CRM__CASE_HISTORY_AGE;
  rc = crm__case_create_tx(c, comp, &n, event_id, old, at, &id);
  if(rc || !old || !id)
    return rc;
  /* imported history: no SLA clock later either (crm__sla_on_change) */
  st = crm__stmt(c, "UPDATE cases SET sla_exempt = 1 WHERE id = ?1");
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, id);
  return crm__step_end(c, st, "marking an imported case");
}
