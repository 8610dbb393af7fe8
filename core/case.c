/*
 * case.c - complaint cases: the row (load, save, history), the state
 * classes and the core move. Opening is in case_open.c.
 *
 * The handler (a complaint component) owns the state machine: its states
 * list and its transition callback. The core keys its own rules on the
 * standard state names (crm__case_class): the first response, the
 * resolution count, closed_at on entering a final state, the SLA clocks,
 * the case_closed trigger and the survey request on entering Closed.
 * The handler sees the customer's words (customer_text: the summary and
 * the customer's messages, up to 4 KiB); a category or priority it
 * changes on a move is logged as crm_case_update logs it. Its refusal
 * (CRM_ESTATE) reads reason first: "cannot move case C-000001 from New
 * to Closed; allowed: ... (handler basic_case)".
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "case_int.h"

static const char crm__sql_case_save[] =
  "UPDATE cases SET state = ?2, category = ?3, priority = ?4, owner = ?5,"
  " team = ?6, merged_into = ?7, reopen_count = ?8, resolutions = ?9,"
  " first_response_at = ?10, resolved_at = ?11, closed_at = ?12,"
  " triage_reason = ?13, updated_at = ?14 WHERE id = ?1";
static const char crm__sql_case_load[] =
  "SELECT " CRM__CASE_COLS " FROM cases WHERE id = ?1";
static const char crm__sql_case_log[] =
  "INSERT INTO case_history(case_id, action, from_state, to_state, actor,"
  " note, detail, at) VALUES(?1, ?2, ?3,"
  " coalesce(?4, (SELECT state FROM cases WHERE id = ?1)), ?5, ?6, ?7, ?8)";
static const char crm__sql_case_cust_msgs[] =
  "SELECT body FROM case_messages WHERE case_id = ?1 AND kind = 0"
  " ORDER BY id";

/* ---- state classes ----------------------------------------------------- */

static const struct {
  const char *name;
  int cls;
} crm__case_classes[] = {
  {CRM_CASE_NEW, CRM__CS_NEW},
  {CRM_CASE_ASSIGNED, CRM__CS_ASSIGNED},
  {CRM_CASE_IN_PROGRESS, CRM__CS_PROGRESS},
  {CRM_CASE_WAITING, CRM__CS_WAITING},
  {CRM_CASE_RESOLVED, CRM__CS_RESOLVED},
  {CRM_CASE_CLOSED, CRM__CS_CLOSED},
  {CRM_CASE_REJECTED, CRM__CS_REJECTED},
  {CRM_CASE_DUPLICATE, CRM__CS_DUPLICATE},
};

int crm__case_class(const char *state)
{
  size_t i;

  for(i = 0; state && i < sizeof(crm__case_classes) /
                                sizeof(crm__case_classes[0]); i++) {
    if(!strcasecmp(state, crm__case_classes[i].name))
      return crm__case_classes[i].cls;
  }
  return CRM__CS_OTHER;
}

static int crm__case_final_class(int cls)
{
  return cls == CRM__CS_CLOSED || cls == CRM__CS_REJECTED ||
         cls == CRM__CS_DUPLICATE;
}

int crm__case_is_final(const crm__component *handler, const char *state)
{
  const char *const *s;
  int i, at = -1, standard = 0;

  if(crm__case_final_class(crm__case_class(state)))
    return 1;
  s = handler ? handler->vt.complaint.states : NULL;
  if(!s || !state)
    return 0;
  for(i = 0; s[i]; i++) {
    if(crm__case_final_class(crm__case_class(s[i])))
      standard = 1;
    if(!strcasecmp(s[i], state))
      at = i;
  }
  if(at < 0 || s[at + 1])
    return 0;
  /* the last state: final for a 1.0-1.4 handler (or one that lists no
   * standard final state) */
  return !standard || (handler->plugin &&
                       handler->plugin->desc.abi_minor < 5);
}

crm__component *crm__case_handler_of(crm *c, const crm__case_row *r)
{
  crm__component *comp = crm__component_find(c, CRM_KIND_COMPLAINT,
                                             r->handler);

  if(!comp)
    crm__err(c, CRM_ENOTFOUND, "complaint component \"%s\" of case %s is "
             "not loaded", r->handler, r->number);
  return comp;
}

const char *crm__case_actor(const crm_case_op *op)
{
  return op && op->actor && *op->actor ? op->actor : "api";
}

int64_t crm__case_at(crm *c, const crm_case_op *op)
{
  return op && op->at ? op->at : crm_now(c);
}

int crm__case_check_at(crm *c, const crm__case_row *r, int64_t at)
{
  char when[32], opened[32];

  if(at >= r->opened_at)
    return CRM_OK;
  crm_time_format(at, when, sizeof(when));
  crm_time_format(r->opened_at, opened, sizeof(opened));
  return crm__err(c, CRM_EINVAL, "time %s is before case %s was opened "
                  "(%s): give a later time", when, r->number, opened);
}

int crm__case_check_name(crm *c, const char *field, const char *s)
{
  return crm__check_text(c, field, s, CRM__CASE_ACTOR_MAX, 1);
}

/* ---- the row ----------------------------------------------------------- */

void crm__case_row_read(sqlite3_stmt *st, crm__case_row *r)
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
  crm__col_text(st, 9, r->number, sizeof(r->number));
  crm__col_text(st, 10, r->origin, sizeof(r->origin));
  crm__col_text(st, 11, r->owner, sizeof(r->owner));
  crm__col_text(st, 12, r->team, sizeof(r->team));
  crm__col_text(st, 13, r->link_kind, sizeof(r->link_kind));
  crm__col_text(st, 14, r->link_ref, sizeof(r->link_ref));
  r->parent_id = sqlite3_column_int64(st, 15);
  r->merged_into = sqlite3_column_int64(st, 16);
  r->reopen_count = sqlite3_column_int(st, 17);
  r->resolutions = sqlite3_column_int(st, 18);
  r->first_response_at = sqlite3_column_int64(st, 19);
  r->resolved_at = sqlite3_column_int64(st, 20);
  r->closed_at = sqlite3_column_int64(st, 21);
  crm__col_text(st, 22, r->triage_reason, sizeof(r->triage_reason));
}

int crm__case_load(crm *c, int64_t id, crm__case_row *r)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_case_load);
  int rc;

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

int crm__case_save(crm *c, const crm__case_row *r, int64_t at)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_case_save);

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, r->id);
  sqlite3_bind_text(st, 2, r->state, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, r->category, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 4, r->priority);
  sqlite3_bind_text(st, 5, r->owner, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 6, r->team, -1, SQLITE_STATIC);
  crm__bind_opt_int(st, 7, r->merged_into);
  sqlite3_bind_int(st, 8, r->reopen_count);
  sqlite3_bind_int(st, 9, r->resolutions);
  crm__bind_opt_int(st, 10, r->first_response_at);
  crm__bind_opt_int(st, 11, r->resolved_at);
  crm__bind_opt_int(st, 12, r->closed_at);
  sqlite3_bind_text(st, 13, r->triage_reason, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 14, at);
  return crm__step_end(c, st, "updating case");
}

int crm__case_log(crm *c, int64_t case_id, const char *action,
                  const char *from, const char *to, const char *actor,
                  const char *why, const char *detail, int64_t at)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_case_log);
  char what[48], obj[48], text[2 * CRM__CASE_NOTE_MAX + 256];
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, case_id);
  sqlite3_bind_text(st, 2, action, -1, SQLITE_STATIC);
  crm__bind_opt_text(st, 3, from);
  crm__bind_opt_text(st, 4, to);
  sqlite3_bind_text(st, 5, actor && *actor ? actor : "api", -1,
                    SQLITE_STATIC);
  crm__bind_opt_text(st, 6, why);
  crm__bind_opt_text(st, 7, detail);
  sqlite3_bind_int64(st, 8, at);
  rc = crm__step_end(c, st, "writing case history");
  if(rc)
    return rc;
  snprintf(what, sizeof(what), "case.%s", action);
  snprintf(obj, sizeof(obj), "case C-%06lld", (long long)case_id);
  if(from && to)
    snprintf(text, sizeof(text), "%s -> %s%s%s", from, to,
             detail ? "; " : "", detail ? detail : "");
  else
    snprintf(text, sizeof(text), "%s", detail ? detail : "");
  if(why && *why)
    snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s",
             text[0] ? "; why: " : "why: ", why);
  return crm__audit(c, actor && *actor ? actor : "api", what, obj,
                    text[0] ? text : NULL);
}

void crm__case_view_fill(const crm__case_row *r, crm_case_view *v)
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
  v->number = r->number;
  v->priority = r->priority;
  v->origin = r->origin;
  v->owner = r->owner;
  v->team = r->team;
  v->reopen_count = r->reopen_count;
  v->actor = "api";
  v->comp_item = "";
  v->closed_at = r->closed_at;
}

/* ---- the customer's words ---------------------------------------------- */

/* Appends s (and a line break before it when buf is not empty) to buf of
 * size bytes; cuts at a UTF-8 character boundary. 1 when it is full. */
static int crm__text_add(char *buf, size_t size, size_t *len, const char *s)
{
  size_t room, n;

  if(*len && *len + 1 < size)
    buf[(*len)++] = '\n';
  room = size - 1 - *len;
  n = strlen(s);
  if(n > room) {
    n = room;
    /* do not split a character: back off over continuation bytes */
    while(n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
      n--;
  }
  memcpy(buf + *len, s, n);
  *len += n;
  buf[*len] = '\0';
  return *len + 1 >= size;
}

int crm__case_customer_text(crm *c, const crm__case_row *r, char *buf,
                            size_t size)
{
  sqlite3_stmt *st;
  size_t len = 0;
  int full;
  int rc = SQLITE_DONE;

  buf[0] = '\0';
  full = crm__text_add(buf, size, &len, r->summary);
  if(full)
    return CRM_OK;
  st = crm__stmt(c, crm__sql_case_cust_msgs);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, r->id);
  while(!full) {
    const unsigned char *body;

    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    body = sqlite3_column_text(st, 0);
    if(body && *body)
      full = crm__text_add(buf, size, &len, (const char *)body);
  }
  sqlite3_reset(st);
  if(!full && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading case messages");
  return CRM_OK;
}

/* ---- category and priority ----------------------------------------------- */

int crm__case_log_class(crm *c, crm__case_row *r, const char *old_category,
                        int old_priority, const crm_case_op *op, int64_t at)
{
  const char *actor = crm__case_actor(op);
  const char *why = op ? op->why : NULL;
  char detail[2 * CRM__CASE_CATEGORY_MAX + 32];
  int changed = 0;
  int rc = CRM_OK;

  if(strcmp(old_category, r->category) != 0) {
    snprintf(detail, sizeof(detail), "%s -> %s",
             old_category[0] ? old_category : "(none)",
             r->category[0] ? r->category : "(none)");
    rc = crm__case_log(c, r->id, "category", NULL, r->state, actor, why,
                       detail, at);
    changed = 1;
  }
  if(!rc && old_priority != r->priority) {
    snprintf(detail, sizeof(detail), "%d -> %d", old_priority, r->priority);
    rc = crm__case_log(c, r->id, "priority", NULL, r->state, actor, why,
                       detail, at);
    changed = 1;
  }
  /* no teams configured: no SLA calendar, no clocks to re-target */
  if(!rc && changed && crm__cases(c)->n_teams)
    rc = crm__sla_on_change(c, r, at);
  return rc;
}

/* ---- decisions --------------------------------------------------------- */

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

/* Checks a decision against the handler; an empty state means dflt (the
 * caller's target). *out gets the handler's spelling. */
int crm__case_decided(crm *c, const crm__component *comp,
                      crm_case_decision *d, const char *dflt,
                      const char **out)
{
  const char *const *states = comp->vt.complaint.states;
  const char *s;
  char list[256];
  int i;

  d->state[sizeof(d->state) - 1] = '\0';
  d->category[sizeof(d->category) - 1] = '\0';
  d->reason[sizeof(d->reason) - 1] = '\0';
  d->comp_item[sizeof(d->comp_item) - 1] = '\0';
  d->comp_note[sizeof(d->comp_note) - 1] = '\0';
  s = d->state[0] ? d->state : dflt;
  for(i = 0; states && states[i] && s; i++) {
    if(!strcasecmp(states[i], s))
      break;
  }
  if(!states || !states[i] || !s) {
    if(d->state[0])
      return crm__err(c, CRM_EPLUGIN, "plugin \"%s\" component \"%s\": "
                      "decided state \"%s\" is not in its states list",
                      comp->plugin->name, comp->name, d->state);
    crm__case_states_text(comp, list, sizeof(list));
    return crm__err(c, CRM_EINVAL, "unknown case state \"%s\"; states: %s",
                    s ? s : "", list);
  }
  *out = states[i];
  if(d->priority < 0 || d->priority > 4)
    return crm__err(c, CRM_EPLUGIN, "plugin \"%s\" component \"%s\": "
                    "priority %d is outside 1..4", comp->plugin->name,
                    comp->name, d->priority);
  return CRM_OK;
}

/* Entering a final state: the case_closed trigger and the survey request
 * on a closing one (not Rejected, not Duplicate). */
int crm__case_closed_hooks(crm *c, const crm__case_row *r, int cls,
                           int64_t at)
{
  int rc;

  if(cls == CRM__CS_REJECTED || cls == CRM__CS_DUPLICATE)
    return CRM_OK;
  rc = crm__trigger_on_case_closed(c, r->customer_id, r->id, at);
  if(!rc)
    rc = crm__survey_on_closed(c, r, at);
  return rc;
}

/* ---- the core move ----------------------------------------------------- */

/* A failed transition: a refusal (CRM_ESTATE with the handler's own
 * words) reads reason first, the handler after; anything else as any
 * plugin failure. */
static int crm__case_refused(crm *c, crm__component *comp, int rc)
{
  const crm__plugin *p = comp->plugin;

  if(rc == CRM_ESTATE && p->hctx.errmsg[0] && !p->hctx.errmsg_named)
    return crm__err(c, CRM_ESTATE, "%s (handler %s)", p->hctx.errmsg,
                    comp->name);
  return crm__plugin_call_failed(c, comp, rc, "transition");
}

int crm__case_move_tx(crm *c, crm__case_row *r, const char *to,
                      const crm_case_op *op, crm_case_decision *d)
{
  crm__component *comp = crm__case_handler_of(c, r);
  const char *actor = crm__case_actor(op);
  int64_t at = crm__case_at(c, op);
  crm_case_decision dd;
  crm_case_view v;
  const char *state;
  char from[sizeof(r->state)];
  char old_cat[sizeof(r->category)];
  char text[CRM__CASE_TEXT_MAX + 1];
  int from_cls, to_cls, was_final, is_final, old_prio;
  int rc;

  if(!comp)
    return c->errcode;
  rc = crm__case_check_at(c, r, at);
  if(rc)
    return rc;
  if(!comp->vt.complaint.transition)
    return crm__err(c, CRM_EPLUGIN, "plugin \"%s\" component \"%s\" has no "
                    "transition", comp->plugin->name, comp->name);
  memset(&dd, 0, sizeof(dd));
  dd.struct_size = sizeof(dd);
  if(d) {
    dd.comp_points = d->comp_points;
    memcpy(dd.comp_item, d->comp_item, sizeof(dd.comp_item));
    memcpy(dd.comp_note, d->comp_note, sizeof(dd.comp_note));
    dd.comp_item[sizeof(dd.comp_item) - 1] = '\0';
  }
  rc = crm__case_customer_text(c, r, text, sizeof(text));
  if(rc)
    return rc;
  crm__case_view_fill(r, &v);
  v.actor = actor;
  v.comp_points = dd.comp_points;
  v.comp_item = dd.comp_item;
  v.customer_text = text;
  crm__hctx_reset(&comp->plugin->hctx);
  rc = comp->vt.complaint.transition(comp->plugin->state, &comp->plugin->hctx,
                                     &v, to, &dd);
  if(rc)
    return crm__case_refused(c, comp, rc);
  rc = crm__case_decided(c, comp, &dd, to, &state);
  if(rc)
    return rc;
  memcpy(from, r->state, sizeof(from));
  from_cls = crm__case_class(from);
  to_cls = crm__case_class(state);
  was_final = crm__case_is_final(comp, from);
  is_final = crm__case_is_final(comp, state);
  memcpy(old_cat, r->category, sizeof(old_cat));
  old_prio = r->priority;
  snprintf(r->state, sizeof(r->state), "%s", state);
  if(dd.category[0])
    snprintf(r->category, sizeof(r->category), "%s", dd.category);
  if(dd.priority)
    r->priority = dd.priority;
  if((to_cls == CRM__CS_RESOLVED || to_cls == CRM__CS_REJECTED) &&
     !r->first_response_at)
    r->first_response_at = at;
  if(to_cls == CRM__CS_RESOLVED && from_cls != CRM__CS_RESOLVED) {
    r->resolutions++;
    r->resolved_at = at;
  }
  if(is_final && !was_final)
    r->closed_at = at;
  else if(!is_final)
    r->closed_at = 0;
  rc = crm__case_save(c, r, at);
  if(!rc)
    rc = crm__case_log(c, r->id, "move", from, r->state, actor,
                       op ? op->why : NULL, NULL, at);
  if(!rc) /* the handler re-classified the case */
    rc = crm__case_log_class(c, r, old_cat, old_prio, op, at);
  if(!rc)
    rc = crm__sla_on_move(c, r, from_cls, to_cls, at);
  if(!rc && is_final && !was_final)
    rc = crm__case_closed_hooks(c, r, to_cls, at);
  if(!rc && d)
    *d = dd;
  return rc;
}

int crm_case_move(crm *c, int64_t case_id, const char *to_state,
                  const char *note)
{
  crm_case_op op;

  memset(&op, 0, sizeof(op));
  op.why = note;
  return crm_case_move_op(c, case_id, to_state, &op);
}
