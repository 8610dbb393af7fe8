/*
 * sla_run.c - crm_sla_run applies the stored due times (case_due) that
 * fell due: warnings, breaches, escalation levels and the automatic close
 * of resolved cases; crm_sla_get and the steps walk read the clocks.
 *
 * Each due row is applied in a savepoint of its own, in (due_at, id)
 * order, taking the next row after each one (an escalation that raises
 * the priority re-targets the clocks, and rows it stores that are
 * already due are applied in the same run). A run of its own commits
 * every CRM__SLA_BATCH rows (a backlog must not hold the write lock for
 * seconds); inside the caller's transaction (crm_begin) it is one part
 * of it. A row whose application is refused (the handler will not close
 * a case, a team is gone from the config) is rolled back alone, logged
 * as a warning and dropped, so it cannot block the rows after it; a
 * store error rolls back the rows since the last commit (applied rows
 * are deleted, so running again finishes the rest). Each warning, breach
 * and escalation level happens at most once per clock (warned_at,
 * breached_at, the escalation steps).
 */
#include <stdio.h>
#include <string.h>

#include "sla_int.h"

typedef struct sla_due_row {
  int64_t id;
  int64_t case_id;
  char what[16];
  char clock[16];
  int level;
  int64_t due_at;
} sla_due_row;

/* Rows applied between two commits of a run of its own (about 11 ms of
 * write lock on the bench machine: bench/bench_sla.c). */
#define CRM__SLA_BATCH 500

static const char sql_next[] =
  "SELECT id, case_id, what, clock, level, due_at FROM case_due"
  " WHERE due_at <= ?1 ORDER BY due_at, id LIMIT 1";
static const char sql_due_del[] = "DELETE FROM case_due WHERE id = ?1";
static const char sql_state[] = "SELECT state FROM cases WHERE id = ?1";
static const char sql_step_add[] =
  "INSERT INTO case_steps(case_id, kind, clock, level, action, detail,"
  " due_at, at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char sql_steps[] =
  "SELECT id, case_id, kind, clock, level, action, detail, due_at, at"
  " FROM case_steps WHERE case_id = ?1 ORDER BY id";

/* ---- steps -------------------------------------------------------------- */

/* A clock's name in words for people ("first response", "resolution");
 * the stored and API name stays "first_response". */
static const char *sla_words(const char *clock)
{
  if(clock && !strcmp(clock, "first_response"))
    return "first response";
  return clock ? clock : "";
}

int crm__sla_step(crm *c, int64_t case_id, const char *kind,
                  const char *clock, int level, const char *action,
                  const char *detail, int64_t due_at, int64_t at)
{
  sqlite3_stmt *st = crm__stmt(c, sql_step_add);
  char state[32], line[512];
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, case_id);
  sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, clock ? clock : "", -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 4, level);
  sqlite3_bind_text(st, 5, action ? action : "", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 6, detail ? detail : "", -1, SQLITE_STATIC);
  if(due_at)
    sqlite3_bind_int64(st, 7, due_at);
  else
    sqlite3_bind_null(st, 7);
  sqlite3_bind_int64(st, 8, at);
  rc = crm__step_end(c, st, "storing an sla step");
  /* the automatic close is in the history as its move */
  if(rc || !strcmp(kind, "auto_close"))
    return rc;
  st = crm__stmt(c, sql_state);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, case_id);
  rc = sqlite3_step(st);
  if(rc != SQLITE_ROW) {
    sqlite3_reset(st);
    return crm__sqlerr(c, rc == SQLITE_DONE ? SQLITE_NOTFOUND : rc,
                       "reading the state of a case");
  }
  crm__col_text(st, 0, state, sizeof(state));
  sqlite3_reset(st);
  if(!strcmp(kind, "escalation"))
    snprintf(line, sizeof(line), "level %d %s: %s%s%s", level,
             sla_words(clock), action ? action : "",
             detail && *detail ? "; " : "", detail ? detail : "");
  else
    snprintf(line, sizeof(line), "%s %s%s%s", kind, sla_words(clock),
             detail && *detail ? ": " : "", detail ? detail : "");
  return crm__case_log(c, case_id,
                       strcmp(kind, "escalation") ? "sla" : "escalate", NULL,
                       state, "sla", NULL, line, at);
}

/* ---- applying one due row ----------------------------------------------- */

/* "12h of 16h" business time used at the instant the row was due. */
static void sla_used_of(const crm__sla_row *row, const crm__bizcal *cal,
                        int64_t when, char *buf, size_t size)
{
  char used[24], target[24]; /* "%lldh%02lldm" of an int64: 23 bytes */

  crm__sla_fmt_duration(crm__sla_used(&row->k, cal, when), used,
                        sizeof(used));
  crm__sla_fmt_duration(row->target, target, sizeof(target));
  snprintf(buf, size, "%s of %s", used, target);
}

static int sla_warning(crm *c, const crm__case_row *r, crm__sla_row *row,
                       const crm__bizcal *cal, const sla_due_row *d,
                       int64_t at)
{
  char detail[96], used[64];
  int rc;

  if(row->warned_at)
    return CRM_OK;
  row->warned_at = d->due_at;
  rc = crm__sla_save(c, row);
  sla_used_of(row, cal, d->due_at, used, sizeof(used));
  snprintf(detail, sizeof(detail), "%s used", used);
  if(!rc)
    rc = crm__sla_step(c, r->id, "warning", d->clock, 0, "", detail,
                       d->due_at, at);
  if(!rc)
    crm__log(c, CRM_LOG_INFO, "sla", "case %s: %s warning, %s", r->number,
             sla_words(d->clock), detail);
  return rc;
}

static int sla_breach(crm *c, const crm__case_row *r, crm__sla_row *row,
                      const sla_due_row *d, int64_t at)
{
  char detail[96], target[32];
  int rc;

  if(row->breached_at)
    return CRM_OK;
  row->breached_at = d->due_at;
  rc = crm__sla_save(c, row);
  crm__sla_fmt_duration(row->target, target, sizeof(target));
  snprintf(detail, sizeof(detail), "target %s exceeded", target);
  if(!rc)
    rc = crm__sla_step(c, r->id, "breach", d->clock, 0, "", detail,
                       d->due_at, at);
  if(!rc)
    crm__log(c, CRM_LOG_WARN, "sla", "case %s: %s breached, %s", r->number,
             sla_words(d->clock), detail);
  return rc;
}

/* Who an escalation's `to` names: *who the person ("" none), label the
 * words of the action ("owner ana", "lead maria", "team care", "ben"). */
static void sla_esc_target(const crm__cases_cfg *cc, const crm__case_row *r,
                           const crm__escalation *e, const char **who,
                           char *label, size_t size)
{
  const crm__team *t = crm__cases_team(cc, r->team);

  if(!strcmp(e->to, "owner") && e->action == CRM__ESC_NOTIFY &&
     !*r->owner) {
    /* nobody owns it: the team's lead hears of it instead */
    *who = t ? t->lead : "";
    if(**who)
      snprintf(label, size, "lead %s (no owner)", *who);
    else
      snprintf(label, size, "owner (no owner, no lead)");
  }
  else if(!strcmp(e->to, "owner")) {
    *who = r->owner;
    snprintf(label, size, "owner %s", *r->owner ? r->owner : "(none)");
  }
  else if(!strcmp(e->to, "lead")) {
    *who = t ? t->lead : "";
    snprintf(label, size, "lead %s", **who ? *who : "(none)");
  }
  else if(!strcmp(e->to, "team")) {
    *who = "";
    snprintf(label, size, "team %s", *r->team ? r->team : "(none)");
  }
  else {
    *who = e->to;
    snprintf(label, size, "%s", e->to);
  }
}

/* Why a notification to the owner or the lead reached nobody. */
static const char *sla_nobody(const crm__escalation *e,
                              const crm__case_row *r, char *buf, size_t size)
{
  snprintf(buf, size, "%steam %s has no lead",
           !strcmp(e->to, "owner") ? "no owner and " : "",
           *r->team ? r->team : "(none)");
  return buf;
}

/* A store failure: the run stops; anything else refuses one row. */
static int sla_fatal(int rc)
{
  return rc == CRM_ESTORE || rc == CRM_ENOMEM || rc == CRM_ECORRUPT;
}

/* A New case that now has an owner moves to Assigned (actor "sla"), as
 * crm_case_assign does, when the handler allows it: a refusal (CRM_ESTATE,
 * or a handler without that state or whose call fails) is undone alone
 * and the case keeps its state; the reassignment stands. */
static int sla_to_assigned(crm *c, crm__case_row *r, const char *why,
                           int64_t at)
{
  crm__case_row *keep = crm__malloc(sizeof(*keep));
  crm_case_op op;
  int rc;

  if(!keep)
    return crm__err(c, CRM_ENOMEM, "out of memory escalating a case");
  *keep = *r;
  memset(&op, 0, sizeof(op));
  op.actor = "sla";
  op.why = why;
  op.at = at;
  rc = crm__tx_begin(c);
  if(!rc) {
    rc = crm__case_move_tx(c, r, CRM_CASE_ASSIGNED, &op, NULL);
    if(!rc)
      rc = crm__tx_commit(c);
    else
      crm__tx_rollback(c);
  }
  if(rc && !sla_fatal(rc)) {
    crm__log(c, rc == CRM_ESTATE ? CRM_LOG_DEBUG : CRM_LOG_WARN, "sla",
             "case %s stays %s after its reassignment: %s", keep->number,
             keep->state, crm_errmsg(c));
    *r = *keep;
    crm__clear_err(c);
    rc = CRM_OK;
  }
  crm__free(keep);
  return rc;
}

/* Reassigns the case to who (or back to the team queue: ""); a New case
 * moves to Assigned. */
static int sla_reassign(crm *c, crm__case_row *r, const crm__escalation *e,
                        const char *who, int64_t at)
{
  char detail[200], why[64];
  int rc;

  if(!strcmp(e->to, "lead") && !*who)
    return CRM_OK; /* the team has no lead: the step says so */
  if(!strcmp(r->owner, who))
    return CRM_OK;
  if(*r->owner)
    snprintf(detail, sizeof(detail), "owner %s -> %s", r->owner,
             *who ? who : "(none)");
  else
    snprintf(detail, sizeof(detail), "owner %s", *who ? who : "(none)");
  snprintf(r->owner, sizeof(r->owner), "%s", who);
  snprintf(why, sizeof(why), "escalation level %d", e->level);
  if(crm__case_save(c, r, at))
    return c->errcode;
  rc = crm__case_log(c, r->id, "assign", NULL, r->state, "sla", why,
                     detail, at);
  if(!rc && *who && crm__case_class(r->state) == CRM__CS_NEW)
    rc = sla_to_assigned(c, r, why, at);
  return rc;
}

static int sla_raise(crm *c, crm__case_row *r, const crm__escalation *e,
                     int64_t at)
{
  char detail[64], why[64];
  int p = r->priority - e->raise_priority;
  int rc;

  if(p < 1)
    p = 1;
  if(!e->raise_priority || p == r->priority)
    return CRM_OK;
  snprintf(detail, sizeof(detail), "priority %d -> %d", r->priority, p);
  snprintf(why, sizeof(why), "escalation level %d", e->level);
  r->priority = p;
  rc = crm__case_save(c, r, at);
  if(!rc)
    rc = crm__case_log(c, r->id, "priority", NULL, r->state, "sla", why,
                       detail, at);
  if(!rc)
    rc = crm__sla_on_change(c, r, at);
  return rc;
}

static int sla_escalate(crm *c, crm__case_row *r, const crm__sla_row *row,
                        const crm__bizcal *cal, const sla_due_row *d,
                        int64_t at, int64_t *applied)
{
  const crm__cases_cfg *cc = crm__cases(c);
  const crm__escalation *e = NULL;
  char label[96], action[144], detail[128], used[64], nobody[96];
  const char *who = "";
  size_t i;
  int rc;

  for(i = 0; i < cc->n_esc; i++) {
    if(cc->esc[i].level == d->level && cc->esc[i].clock == row->clock)
      e = &cc->esc[i];
  }
  if(!e) { /* the config changed since it was stored */
    crm__log(c, CRM_LOG_WARN, "sla", "case %s: %s escalation level %d "
             "dropped: complaints.escalation has no such level for that "
             "clock any more", r->number, sla_words(d->clock), d->level);
    return CRM_OK;
  }
  rc = crm__sla_step_done(c, r->id, "escalation", d->clock, d->level);
  if(rc)
    return rc < 0 ? c->errcode : CRM_OK;
  sla_esc_target(cc, r, e, &who, label, sizeof(label));
  snprintf(action, sizeof(action), "%s %s%s",
           e->action == CRM__ESC_NOTIFY ? "notify" : "reassign to", label,
           e->action == CRM__ESC_REASSIGN && !strcmp(e->to, "lead") && !*who
               ? ": the team has no lead" : "");
  sla_used_of(row, cal, d->due_at, used, sizeof(used));
  snprintf(detail, sizeof(detail), "%.0f%% of the target, %s used",
           e->at * 100.0, used);
  rc = crm__sla_step(c, r->id, "escalation", d->clock, d->level, action,
                     detail, d->due_at, at);
  if(rc)
    return rc;
  (*applied)++;
  if(e->action == CRM__ESC_NOTIFY && !*who && strcmp(e->to, "team"))
    crm__log(c, CRM_LOG_WARN, "sla", "case %s: %s escalation level %d: "
             "nobody to notify: %s", r->number, sla_words(d->clock),
             d->level, sla_nobody(e, r, nobody, sizeof(nobody)));
  else if(e->action == CRM__ESC_NOTIFY)
    crm__log(c, CRM_LOG_WARN, "sla", "case %s: %s escalation level %d: %s",
             r->number, sla_words(d->clock), d->level, action);
  else
    rc = sla_reassign(c, r, e, who, at);
  if(!rc)
    rc = sla_raise(c, r, e, at);
  return rc;
}

static int sla_close(crm *c, crm__case_row *r, const sla_due_row *d,
                     int64_t at)
{
  crm_case_op op;
  char why[96];
  int rc;

  if(crm__case_class(r->state) != CRM__CS_RESOLVED)
    return CRM_OK;
  snprintf(why, sizeof(why), "closed automatically %d days after "
           "resolution", crm__cases(c)->close_after_days);
  memset(&op, 0, sizeof(op));
  op.actor = "sla";
  op.why = why;
  op.at = at;
  rc = crm__case_move_tx(c, r, CRM_CASE_CLOSED, &op, NULL);
  if(!rc)
    rc = crm__sla_step(c, r->id, "auto_close", "", 0, "close", why,
                       d->due_at, at);
  return rc;
}

/* Applies one row, counting what it did into st. */
static int sla_apply(crm *c, const sla_due_row *d, int64_t at,
                     crm_sla_run_stats *st)
{
  crm__case_row r;
  crm__sla_row row;
  crm__bizcal cal;
  int clock, rc;

  rc = crm__case_load(c, d->case_id, &r);
  if(rc)
    return rc;
  if(!strcmp(d->what, "auto_close")) {
    int was = crm__case_class(r.state) == CRM__CS_RESOLVED;

    rc = sla_close(c, &r, d, at);
    st->closed += !rc && was;
    return rc;
  }
  clock = strcmp(d->clock, "resolution") ? CRM__SLA_FIRST
                                         : CRM__SLA_RESOLUTION;
  rc = crm__sla_load(c, d->case_id, clock, &row);
  if(rc == CRM_ENOTFOUND)
    return CRM_OK;
  if(!rc && (!row.k.running || row.met_at))
    return CRM_OK; /* stale: a paused or met clock has no rows */
  if(!rc)
    rc = crm__sla_cal(c, row.team, &cal);
  if(rc)
    return rc;
  if(!strcmp(d->what, "warning")) {
    int64_t before = row.warned_at;

    rc = sla_warning(c, &r, &row, &cal, d, at);
    st->warnings += !rc && !before;
  }
  else if(!strcmp(d->what, "breach")) {
    int64_t before = row.breached_at;

    rc = sla_breach(c, &r, &row, d, at);
    st->breaches += !rc && !before;
  }
  else if(!strcmp(d->what, "escalation"))
    rc = sla_escalate(c, &r, &row, &cal, d, at, &st->escalations);
  return rc;
}

/* ---- the run ------------------------------------------------------------ */

/* The first row due by as_of; 0 found, CRM_ENOTFOUND none. */
static int sla_next(crm *c, int64_t as_of, sla_due_row *d)
{
  sqlite3_stmt *st = crm__stmt(c, sql_next);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, as_of);
  rc = sqlite3_step(st);
  if(rc == SQLITE_DONE) {
    sqlite3_reset(st);
    return CRM_ENOTFOUND;
  }
  if(rc != SQLITE_ROW) {
    sqlite3_reset(st);
    return crm__sqlerr(c, rc, "reading sla due times");
  }
  d->id = sqlite3_column_int64(st, 0);
  d->case_id = sqlite3_column_int64(st, 1);
  crm__col_text(st, 2, d->what, sizeof(d->what));
  crm__col_text(st, 3, d->clock, sizeof(d->clock));
  d->level = sqlite3_column_int(st, 4);
  d->due_at = sqlite3_column_int64(st, 5);
  sqlite3_reset(st);
  return CRM_OK;
}

static int sla_due_del(crm *c, int64_t id)
{
  sqlite3_stmt *st = crm__stmt(c, sql_due_del);

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, id);
  return crm__step_end(c, st, "removing an sla due time");
}

/* One row in its own savepoint; a refusal is logged and the row dropped. */
static int sla_one(crm *c, const sla_due_row *d, int64_t as_of,
                   crm_sla_run_stats *out)
{
  crm_sla_run_stats add;
  int rc;

  memset(&add, 0, sizeof(add));
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  rc = sla_apply(c, d, as_of, &add);
  if(!rc)
    rc = sla_due_del(c, d->id);
  if(!rc)
    rc = crm__tx_commit(c);
  if(!rc) {
    out->warnings += add.warnings;
    out->breaches += add.breaches;
    out->escalations += add.escalations;
    out->closed += add.closed;
    return CRM_OK;
  }
  crm__tx_rollback(c);
  if(sla_fatal(rc))
    return rc;
  crm__log(c, CRM_LOG_WARN, "sla", "case C-%06lld: %s%s%s dropped: %s",
           (long long)d->case_id, sla_words(d->clock), *d->clock ? " " : "",
           d->what, crm_errmsg(c));
  crm__clear_err(c);
  return sla_due_del(c, d->id);
}

static void sla_stats_add(crm_sla_run_stats *to, const crm_sla_run_stats *a)
{
  to->warnings += a->warnings;
  to->breaches += a->breaches;
  to->escalations += a->escalations;
  to->closed += a->closed;
}

int crm_sla_run(crm *c, int64_t as_of, crm_sla_run_stats *out)
{
  crm_sla_run_stats done, batch;
  sla_due_row d;
  int outer, n = 0, rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  memset(&done, 0, sizeof(done));
  memset(&batch, 0, sizeof(batch));
  if(out)
    memset(out, 0, sizeof(*out));
  if(as_of <= 0)
    as_of = crm_now(c);
  /* on its own the run commits every CRM__SLA_BATCH rows, so that a
   * backlog does not hold the write lock for seconds; inside the
   * caller's transaction it is part of it */
  outer = c->tx_depth == 0;
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  for(;;) {
    rc = sla_next(c, as_of, &d);
    if(rc == CRM_ENOTFOUND) {
      rc = CRM_OK;
      break;
    }
    if(!rc)
      rc = sla_one(c, &d, as_of, &batch);
    if(!rc && outer && ++n == CRM__SLA_BATCH) {
      n = 0;
      rc = crm__tx_commit(c);
      if(rc)
        break; /* the store rolled the batch back and closed it */
      sla_stats_add(&done, &batch);
      memset(&batch, 0, sizeof(batch));
      rc = crm__tx_begin(c);
      if(rc)
        break;
    }
    if(rc) {
      crm__tx_rollback(c);
      break;
    }
  }
  if(!rc)
    rc = crm__tx_commit(c);
  if(!rc)
    sla_stats_add(&done, &batch);
  if(out)
    *out = done;
  return rc;
}

/* ---- reading ------------------------------------------------------------ */

static const char *sla_status(const crm__sla_row *row, int final)
{
  if(row->met_at)
    return row->breached_at ? "met late" : "met";
  if(row->breached_at)
    return "breached";
  if(final)
    return "stopped";
  return row->k.running ? "running" : "paused";
}

static void sla_info(const crm__sla_row *row, const crm__bizcal *cal,
                     int final, int64_t now, crm_sla_clock_info *k)
{
  k->clock = crm__sla_clock_names[row->clock];
  k->target = row->target;
  k->used = crm__sla_used(&row->k, cal, now);
  k->running = row->k.running && !row->met_at && !final;
  k->due_at = k->running ? row->due_at : 0;
  k->warn_at = k->running && !row->warned_at && row->warn_at > now
                   ? row->warn_at : 0;
  k->met_at = row->met_at;
  k->warned_at = row->warned_at;
  k->breached_at = row->breached_at;
  k->status = sla_status(row, final);
}

int crm_sla_get(crm *c, int64_t case_id, crm_sla_info *out)
{
  crm__case_row r;
  crm__sla_row rows[2];
  crm__bizcal cal;
  const crm__team *t;
  int found[2], i, rc, final;
  int64_t now;

  if(!c || !out)
    return CRM_EINVAL;
  crm__clear_err(c);
  memset(out, 0, sizeof(*out));
  rc = crm__case_load(c, case_id, &r);
  if(rc)
    return rc;
  for(i = 0; i < 2; i++) {
    rc = crm__sla_load(c, case_id, i, &rows[i]);
    found[i] = rc == CRM_OK;
    if(rc && rc != CRM_ENOTFOUND)
      return rc;
  }
  rc = !found[0] && !found[1] ? crm__sla_exempt(c, case_id) : 0;
  if(rc < 0)
    return rc;
  if(rc)
    return crm__err(c, CRM_ENOTFOUND, "case %s has no SLA: it was opened "
                    "from imported history", r.number);
  if(!found[0] && !found[1])
    return crm__err(c, CRM_ENOTFOUND, "case %s has no SLA: no policy of "
                    "complaints.sla matches category \"%s\", priority %d, "
                    "or no team is configured", r.number, r.category,
                    r.priority);
  i = found[0] ? 0 : 1;
  rc = crm__sla_cal(c, rows[i].team, &cal);
  if(rc)
    return rc;
  t = crm__cases_team(crm__cases(c), rows[i].team);
  snprintf(c->sla_buf.policy, sizeof(c->sla_buf.policy), "%s",
           rows[i].policy);
  snprintf(c->sla_buf.team, sizeof(c->sla_buf.team), "%s", rows[i].team);
  snprintf(c->sla_buf.timezone, sizeof(c->sla_buf.timezone), "%s",
           t && t->timezone[0] ? t->timezone : "UTC");
  out->case_id = case_id;
  out->policy = c->sla_buf.policy;
  out->team = c->sla_buf.team;
  out->timezone = c->sla_buf.timezone;
  now = crm_now(c);
  final = crm__sla_final(c, &r, crm__case_class(r.state));
  out->first_response.clock = crm__sla_clock_names[0];
  out->first_response.status = "none";
  out->resolution.clock = crm__sla_clock_names[1];
  out->resolution.status = "none";
  if(found[0])
    sla_info(&rows[0], &cal, final, now, &out->first_response);
  if(found[1])
    sla_info(&rows[1], &cal, final, now, &out->resolution);
  return CRM_OK;
}

int crm_sla_steps_foreach(crm *c, int64_t case_id,
                          int (*cb)(void *ud, const crm_sla_step *), void *ud)
{
  crm__case_row r;
  crm_sla_step s;
  sqlite3_stmt *st;
  int rc, stop = 0;

  if(!c || !cb)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__case_load(c, case_id, &r);
  if(rc)
    return rc;
  st = crm__stmt_fresh(c, sql_steps);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, case_id);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    memset(&s, 0, sizeof(s));
    s.id = sqlite3_column_int64(st, 0);
    s.case_id = sqlite3_column_int64(st, 1);
    s.kind = (const char *)sqlite3_column_text(st, 2);
    s.clock = (const char *)sqlite3_column_text(st, 3);
    s.level = sqlite3_column_int(st, 4);
    s.action = (const char *)sqlite3_column_text(st, 5);
    s.detail = (const char *)sqlite3_column_text(st, 6);
    s.due_at = sqlite3_column_type(st, 7) == SQLITE_NULL
                   ? 0 : sqlite3_column_int64(st, 7);
    s.at = sqlite3_column_int64(st, 8);
    stop = cb(ud, &s);
    if(stop)
      break;
  }
  crm__stmt_done(c, st);
  if(stop)
    return stop;
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading sla steps");
  return CRM_OK;
}
