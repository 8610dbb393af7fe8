/*
 * case.c - complaint cases: opening, moving between the handler's states,
 * listing, and opening from "complaint" events.
 *
 * The complaint component owns the state machine (its states list and
 * transition callback); the core stores cases, writes one case_history
 * row per move (the opening included) and an audit entry, and sets
 * closed_at when a case enters the handler's final state (the last one of
 * its states list); leaving it clears closed_at again.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "case_int.h"

static const char crm__sql_case_insert[] =
  "INSERT INTO cases(customer_id, handler, state, category, summary,"
  " priority, event_id, opened_at, updated_at)"
  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)";
static const char crm__sql_case_update[] =
  "UPDATE cases SET state = ?2, category = ?3, priority = ?4,"
  " updated_at = ?5,"
  " closed_at = CASE WHEN ?6 THEN coalesce(closed_at, ?5) ELSE NULL END"
  " WHERE id = ?1";
static const char crm__sql_case_get[] =
  "SELECT id, customer_id, handler, state, category, summary, priority,"
  " opened_at, updated_at FROM cases WHERE id = ?1";
static const char crm__sql_case_history[] =
  "INSERT INTO case_history(case_id, from_state, to_state, note, at)"
  " VALUES(?1, ?2, ?3, ?4, ?5)";
static const char crm__sql_cases_one[] =
  "SELECT id, customer_id, handler, state, category, summary, priority,"
  " opened_at, updated_at FROM cases WHERE customer_id = ?1 ORDER BY id";
static const char crm__sql_cases_all[] =
  "SELECT id, customer_id, handler, state, category, summary, priority,"
  " opened_at, updated_at FROM cases ORDER BY id";
static const char crm__sql_case_payload[] =
  "SELECT CASE WHEN json_type(?1, '$.summary') = 'text'"
  "  THEN json_extract(?1, '$.summary') END,"
  " CASE WHEN json_type(?1, '$.category') = 'text'"
  "  THEN json_extract(?1, '$.category') END";

/* ---- helpers ----------------------------------------------------------------- */

static crm__component *crm__case_handler(crm *c, const char *name)
{
  crm__component *comp = crm__component_find(c, CRM_KIND_COMPLAINT, name);

  if(comp)
    return comp;
  if(name)
    crm__err(c, CRM_ENOTFOUND, "no complaint component \"%s\" is loaded",
             name);
  else
    crm__err(c, CRM_ENOTFOUND, "no complaint component is loaded");
  return NULL;
}

/* Index of state in the handler's list (case-insensitive), -1 if absent;
 * *is_final = it is the last one. */
static int crm__case_state_index(const crm__component *comp,
                                 const char *state, int *is_final)
{
  const char *const *s = comp->vt.complaint.states;
  int i;

  *is_final = 0;
  if(!s || !state)
    return -1;
  for(i = 0; s[i]; i++) {
    if(strcasecmp(s[i], state) == 0) {
      *is_final = s[i + 1] == NULL;
      return i;
    }
  }
  return -1;
}

static int crm__case_history(crm *c, int64_t case_id, const char *from,
                             const char *to, const char *note, int64_t at)
{
  sqlite3_stmt *st;
  int rc;

  st = crm__stmt(c, crm__sql_case_history);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, case_id);
  if(from)
    sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
  if(note && *note)
    sqlite3_bind_text(st, 4, note, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 5, at);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "writing case history");
  return CRM_OK;
}

static int crm__case_audit(crm *c, const char *action, int64_t case_id,
                           const char *detail)
{
  char obj[48];

  snprintf(obj, sizeof(obj), "case #%lld", (long long)case_id);
  return crm__audit(c, "api", action, obj, detail);
}

static void crm__case_view_of(const struct crm__case_row *r,
                              crm_case_view *v)
{
  memset(v, 0, sizeof(*v));
  v->struct_size = sizeof(*v);
  v->case_id = r->id;
  v->customer_id = r->customer_id;
  v->state = r->state;
  v->category = r->category;
  v->summary = r->summary;
  v->opened_at = r->opened_at;
  v->updated_at = r->updated_at;
}

/* "New, Assigned, ..." of the handler into buf. */
static void crm__case_states_text(const crm__component *comp, char *buf,
                                  size_t size)
{
  const char *const *s = comp->vt.complaint.states;
  size_t len = 0;
  int n;

  buf[0] = '\0';
  for(; s && *s && len < size; s++) {
    n = snprintf(buf + len, size - len, "%s%s", len ? ", " : "", *s);
    if(n < 0)
      return;
    len += (size_t)n;
  }
}

/* Checks a decision against the handler; an empty state means `dflt`
 * (the caller's target). *out gets the canonical spelling. */
static int crm__case_decided_state(crm *c, crm__component *comp,
                                   const crm_case_decision *d,
                                   const char *dflt, const char **out,
                                   int *is_final)
{
  const char *s = d->state[0] ? d->state : dflt;
  char list[256];
  int i = crm__case_state_index(comp, s, is_final);

  if(i < 0 && !d->state[0]) {
    crm__case_states_text(comp, list, sizeof(list));
    return crm__err(c, CRM_EINVAL, "unknown case state \"%s\"; states: %s",
                    s ? s : "", list);
  }
  if(i < 0)
    return crm__err(c, CRM_EPLUGIN, "plugin \"%s\" component \"%s\": "
                    "decided state \"%s\" is not in its states list",
                    comp->plugin->name, comp->name, s);
  *out = comp->vt.complaint.states[i];
  if(d->priority < 0 || d->priority > 4)
    return crm__err(c, CRM_EPLUGIN, "plugin \"%s\" component \"%s\": "
                    "priority %d is outside 1..4", comp->plugin->name,
                    comp->name, d->priority);
  return CRM_OK;
}

static int crm__case_update(crm *c, const struct crm__case_row *r,
                            int is_final, int64_t now)
{
  sqlite3_stmt *st;
  int rc;

  st = crm__stmt(c, crm__sql_case_update);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, r->id);
  sqlite3_bind_text(st, 2, r->state, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, r->category, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 4, r->priority);
  sqlite3_bind_int64(st, 5, now);
  sqlite3_bind_int(st, 6, is_final);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "updating case");
  return CRM_OK;
}

/* ---- opening -------------------------------------------------------------------- */

static int crm__case_insert(crm *c, struct crm__case_row *r, int64_t event_id)
{
  sqlite3_stmt *st;
  int rc;

  st = crm__stmt(c, crm__sql_case_insert);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, r->customer_id);
  sqlite3_bind_text(st, 2, r->handler, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, r->state, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, r->category, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, r->summary, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 6, r->priority);
  if(event_id > 0)
    sqlite3_bind_int64(st, 7, event_id);
  sqlite3_bind_int64(st, 8, r->opened_at);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    return crm__err(c, CRM_ENOTFOUND, "unknown customer #%lld",
                    (long long)r->customer_id);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "inserting case");
  r->id = sqlite3_last_insert_rowid(c->db);
  return CRM_OK;
}

/* Inside the caller's transaction: insert in the first state, ask the
 * handler, apply its decision, write history and audit. */
static int crm__case_open_tx(crm *c, crm__component *comp,
                             struct crm__case_row *r, int64_t event_id)
{
  const char *const *states = comp->vt.complaint.states;
  crm__plugin *pl = comp->plugin;
  crm_case_decision d;
  crm_case_view v;
  const char *state;
  char detail[256];
  int is_final;
  int rc;

  if(!states || !states[0])
    return crm__err(c, CRM_EPLUGIN, "plugin \"%s\" component \"%s\" has "
                    "no states", pl->name, comp->name);
  snprintf(r->state, sizeof(r->state), "%s", states[0]);
  rc = crm__case_insert(c, r, event_id);
  if(rc)
    return rc;
  crm__case_view_of(r, &v);
  memset(&d, 0, sizeof(d));
  d.struct_size = sizeof(d);
  crm__hctx_reset(&pl->hctx);
  rc = comp->vt.complaint.open(pl->state, &pl->hctx, &v, &d);
  if(rc)
    return crm__plugin_call_failed(c, comp, rc, "open");
  d.state[sizeof(d.state) - 1] = '\0';
  d.category[sizeof(d.category) - 1] = '\0';
  rc = crm__case_decided_state(c, comp, &d, states[0], &state, &is_final);
  if(rc)
    return rc;
  snprintf(r->state, sizeof(r->state), "%s", state);
  if(d.category[0])
    snprintf(r->category, sizeof(r->category), "%s", d.category);
  if(d.priority)
    r->priority = d.priority;
  rc = crm__case_update(c, r, is_final, r->opened_at);
  if(!rc)
    rc = crm__case_history(c, r->id, NULL, r->state,
                           event_id > 0 ? "opened from event" : "opened",
                           r->opened_at);
  if(rc)
    return rc;
  snprintf(detail, sizeof(detail), "handler %s, state %s, category %s, "
           "priority %d", r->handler, r->state, r->category, r->priority);
  rc = crm__case_audit(c, "case.open", r->id, detail);
  if(!rc && is_final) /* the handler closed it at once */
    rc = crm__trigger_on_case_closed(c, r->customer_id, r->id, r->opened_at);
  return rc;
}

static void crm__case_row_init(struct crm__case_row *r, crm__component *comp,
                               int64_t customer_id, const char *summary,
                               const char *category, int64_t at)
{
  memset(r, 0, sizeof(*r));
  r->customer_id = customer_id;
  snprintf(r->handler, sizeof(r->handler), "%s", comp->name);
  snprintf(r->summary, sizeof(r->summary), "%s", summary);
  snprintf(r->category, sizeof(r->category), "%s", category ? category : "");
  r->priority = CRM__CASE_DEFAULT_PRIORITY;
  r->opened_at = at;
  r->updated_at = at;
}

int crm_case_open(crm *c, int64_t customer_id, const char *handler,
                  const char *summary, const char *category,
                  int64_t *case_id)
{
  struct crm__case_row r;
  crm__component *comp;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__check_text(c, "summary", summary, CRM__CASE_SUMMARY_MAX, 1);
  if(!rc)
    rc = crm__check_text(c, "category", category, CRM__CASE_CATEGORY_MAX, 0);
  if(rc)
    return rc;
  comp = crm__case_handler(c, handler);
  if(!comp)
    return c->errcode;
  crm__case_row_init(&r, comp, customer_id, summary, category, crm_now(c));
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  rc = crm__case_open_tx(c, comp, &r, 0);
  if(!rc)
    rc = crm__tx_commit(c);
  else
    crm__tx_rollback(c);
  if(rc)
    return rc;
  if(case_id)
    *case_id = r.id;
  return CRM_OK;
}

int crm__case_open_from_event(crm *c, int64_t customer_id, int64_t event_id,
                              const char *payload, int64_t at)
{
  struct crm__case_row r;
  crm__component *comp = crm__component_find(c, CRM_KIND_COMPLAINT, NULL);
  sqlite3_stmt *st;
  const unsigned char *sum;
  const unsigned char *cat;
  int rc;

  if(!comp)
    return CRM_OK;
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
  sum = sqlite3_column_text(st, 0);
  cat = sqlite3_column_text(st, 1);
  rc = crm__check_text(c, "complaint summary", (const char *)sum,
                       CRM__CASE_SUMMARY_MAX, 0);
  if(!rc)
    rc = crm__check_text(c, "complaint category", (const char *)cat,
                         CRM__CASE_CATEGORY_MAX, 0);
  if(rc) {
    sqlite3_reset(st);
    return rc;
  }
  crm__case_row_init(&r, comp, customer_id,
                     sum && *sum ? (const char *)sum : "(no summary)",
                     (const char *)cat, at);
  sqlite3_reset(st);
  return crm__case_open_tx(c, comp, &r, event_id);
}

/* ---- moving --------------------------------------------------------------------- */

static void crm__case_row_read(sqlite3_stmt *st, struct crm__case_row *r)
{
  memset(r, 0, sizeof(*r));
  r->id = sqlite3_column_int64(st, 0);
  r->customer_id = sqlite3_column_int64(st, 1);
  crm__col_text(st, 2, r->handler, sizeof(r->handler));
  crm__col_text(st, 3, r->state, sizeof(r->state));
  crm__col_text(st, 4, r->category, sizeof(r->category));
  crm__col_text(st, 5, r->summary, sizeof(r->summary));
  r->priority = sqlite3_column_int(st, 6);
  r->opened_at = sqlite3_column_int64(st, 7);
  r->updated_at = sqlite3_column_int64(st, 8);
}

static int crm__case_get(crm *c, int64_t id, struct crm__case_row *r)
{
  sqlite3_stmt *st;
  int rc;

  st = crm__stmt(c, crm__sql_case_get);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, id);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW)
    crm__case_row_read(st, r);
  sqlite3_reset(st);
  if(rc == SQLITE_DONE)
    return crm__err(c, CRM_ENOTFOUND, "unknown case #%lld", (long long)id);
  if(rc != SQLITE_ROW)
    return crm__sqlerr(c, rc, "reading case");
  return CRM_OK;
}

static int crm__case_move_legacy(crm *c, struct crm__case_row *r,
                             const char *to, const char *note)
{
  crm__component *comp;
  crm__plugin *pl;
  crm_case_decision d;
  crm_case_view v;
  const char *state;
  char from[sizeof(r->state)];
  char detail[128];
  int is_final, was_final;
  int64_t now = crm_now(c);
  int rc;

  comp = crm__component_find(c, CRM_KIND_COMPLAINT, r->handler);
  if(!comp)
    return crm__err(c, CRM_ENOTFOUND, "complaint component \"%s\" of case "
                    "#%lld is not loaded", r->handler, (long long)r->id);
  pl = comp->plugin;
  crm__case_view_of(r, &v);
  memset(&d, 0, sizeof(d));
  d.struct_size = sizeof(d);
  crm__hctx_reset(&pl->hctx);
  rc = comp->vt.complaint.transition(pl->state, &pl->hctx, &v, to, &d);
  if(rc)
    return crm__plugin_call_failed(c, comp, rc, "transition");
  d.state[sizeof(d.state) - 1] = '\0';
  d.category[sizeof(d.category) - 1] = '\0';
  rc = crm__case_decided_state(c, comp, &d, to, &state, &is_final);
  if(rc)
    return rc;
  memcpy(from, r->state, sizeof(from));
  snprintf(r->state, sizeof(r->state), "%s", state);
  if(d.category[0])
    snprintf(r->category, sizeof(r->category), "%s", d.category);
  if(d.priority)
    r->priority = d.priority;
  rc = crm__case_update(c, r, is_final, now);
  if(!rc)
    rc = crm__case_history(c, r->id, from, r->state, note, now);
  if(rc)
    return rc;
  snprintf(detail, sizeof(detail), "%s -> %s", from, r->state);
  rc = crm__case_audit(c, "case.move", r->id, detail);
  if(!rc && is_final && crm__case_state_index(comp, from, &was_final) >= 0 &&
     !was_final)
    rc = crm__trigger_on_case_closed(c, r->customer_id, r->id, now);
  return rc;
}

int crm_case_move(crm *c, int64_t case_id, const char *to_state,
                  const char *note)
{
  struct crm__case_row r;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__check_text(c, "state", to_state, sizeof(r.state) - 1, 1);
  if(rc)
    return rc;
  if(note && strlen(note) > CRM__CASE_NOTE_MAX)
    return crm__err(c, CRM_ERANGE, "note is too long (more than %d bytes)",
                    CRM__CASE_NOTE_MAX);
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  rc = crm__case_get(c, case_id, &r);
  if(!rc)
    rc = crm__case_move_legacy(c, &r, to_state, note);
  if(!rc)
    rc = crm__tx_commit(c);
  else
    crm__tx_rollback(c);
  return rc;
}

/* ---- listing --------------------------------------------------------------------- */

int crm_cases_foreach(crm *c, int64_t customer_id,
                      int (*cb)(void *ud, const crm_case *), void *ud)
{
  sqlite3_stmt *st;
  struct crm__case_row r;
  crm_case k;
  int rc = SQLITE_DONE;
  int stop = 0;

  if(!c || !cb)
    return CRM_EINVAL;
  crm__clear_err(c);
  st = crm__stmt_fresh(c, customer_id > 0 ? crm__sql_cases_one
                                    : crm__sql_cases_all);
  if(!st)
    return c->errcode;
  if(customer_id > 0)
    sqlite3_bind_int64(st, 1, customer_id);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    crm__case_row_read(st, &r);
    k.id = r.id;
    k.customer_id = r.customer_id;
    k.handler = r.handler;
    k.state = r.state;
    k.category = r.category;
    k.summary = r.summary;
    k.priority = r.priority;
    k.opened_at = r.opened_at;
    k.updated_at = r.updated_at;
    stop = cb(ud, &k);
    if(stop)
      break;
  }
  crm__stmt_done(c, st);
  if(stop)
    return stop;
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading cases");
  return CRM_OK;
}

/* STUB (below): the issue-7 internal contract, replaced by the owner. */

int crm_case_create(crm *c, const crm_case_new *n, int64_t *case_id)
{
  if(!c || !n)
    return CRM_EINVAL;
  return crm_case_open(c, n->customer_id, n->handler, n->summary,
                       n->category, case_id);
}

int crm__case_load(crm *c, int64_t id, crm__case_row *r)
{
  return crm__case_get(c, id, r);
}

int crm__case_save(crm *c, const crm__case_row *r, int64_t at)
{
  (void)r; (void)at;
  return crm__err(c, CRM_ENOTSUP, "not implemented yet");
}

int crm__case_log(crm *c, int64_t case_id, const char *action,
                  const char *from, const char *to, const char *actor,
                  const char *why, const char *detail, int64_t at)
{
  (void)action; (void)actor; (void)detail;
  return crm__case_history(c, case_id, from, to, why, at);
}

int crm__case_move_tx(crm *c, crm__case_row *r, const char *to,
                      const crm_case_op *op, crm_case_decision *d)
{
  (void)d;
  return crm__case_move_legacy(c, r, to, op ? op->why : NULL);
}

crm__component *crm__case_handler_of(crm *c, const crm__case_row *r)
{
  return crm__case_handler(c, r->handler);
}

const char *crm__case_actor(const crm_case_op *op)
{
  return op && op->actor && *op->actor ? op->actor : "api";
}

int64_t crm__case_at(crm *c, const crm_case_op *op)
{
  return op && op->at ? op->at : crm_now(c);
}

void crm__case_view_fill(const crm__case_row *r, crm_case_view *v)
{
  crm__case_view_of(r, v);
}

int crm__case_class(const char *state)
{
  (void)state;
  return CRM__CS_OTHER;
}

int crm__case_is_final(const crm__component *handler, const char *state)
{
  int is_final = 0;

  crm__case_state_index(handler, state, &is_final);
  return is_final;
}
