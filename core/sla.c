/*
 * sla.c - the SLA clocks of a case (case_sla) and their stored due times
 * (case_due).
 *
 * A case gets a first-response and a resolution clock when a policy
 * (complaints.sla) matches its category and priority and it has a team
 * with a calendar; a clock whose target is 0 is not created. A clock
 * counts business time of its team's calendar (crm__sla_clock: used
 * before `since`, running from `since`). Whenever a clock starts,
 * pauses, resumes, is met or takes new targets, its case_due rows are
 * rewritten: the warning (used reaches warn_at x target), the breach
 * (used reaches the target) and each escalation level of that clock
 * (used reaches at x target), leaving out what already happened (the
 * warned_at / breached_at columns, the escalation steps). A paused or
 * met clock has no rows. crm_sla_run (sla_run.c) applies them.
 *
 * Everything runs inside the caller's transaction.
 */
#include <stdio.h>
#include <string.h>

#include "sla_int.h"

const char *const crm__sla_clock_names[2] = {"first_response",
                                             "resolution"};

static const char sql_load[] =
  "SELECT policy, team, target, used, since, running, due_at, warn_at,"
  " met_at, warned_at, breached_at FROM case_sla"
  " WHERE case_id = ?1 AND clock = ?2";
static const char sql_save[] =
  "INSERT OR REPLACE INTO case_sla(case_id, clock, policy, team, target,"
  " used, since, running, due_at, warn_at, met_at, warned_at, breached_at)"
  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
static const char sql_drop_clock[] =
  "DELETE FROM case_sla WHERE case_id = ?1 AND clock = ?2";
static const char sql_due_drop_clock[] =
  "DELETE FROM case_due WHERE case_id = ?1 AND clock = ?2";
static const char sql_due_drop_all[] =
  "DELETE FROM case_due WHERE case_id = ?1";
static const char sql_due_drop_close[] =
  "DELETE FROM case_due WHERE case_id = ?1 AND what = 'auto_close'";
static const char sql_due_add[] =
  "INSERT INTO case_due(case_id, what, clock, level, due_at)"
  " VALUES(?1, ?2, ?3, ?4, ?5)";
static const char sql_exempt[] =
  "SELECT sla_exempt FROM cases WHERE id = ?1";
static const char sql_step_done[] =
  "SELECT 1 FROM case_steps WHERE case_id = ?1 AND kind = ?2"
  " AND clock = ?3 AND level = ?4 LIMIT 1";

/* ---- rows --------------------------------------------------------------- */

static int64_t sla_col(sqlite3_stmt *st, int col)
{
  return sqlite3_column_type(st, col) == SQLITE_NULL
             ? 0 : sqlite3_column_int64(st, col);
}

static void sla_bind_opt(sqlite3_stmt *st, int col, int64_t v)
{
  if(v)
    sqlite3_bind_int64(st, col, v);
  else
    sqlite3_bind_null(st, col);
}

int crm__sla_load(crm *c, int64_t case_id, int clock, crm__sla_row *row)
{
  sqlite3_stmt *st = crm__stmt(c, sql_load);
  int rc;

  if(!st)
    return c->errcode;
  memset(row, 0, sizeof(*row));
  row->case_id = case_id;
  row->clock = clock;
  sqlite3_bind_int64(st, 1, case_id);
  sqlite3_bind_text(st, 2, crm__sla_clock_names[clock], -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc == SQLITE_DONE) {
    sqlite3_reset(st);
    return CRM_ENOTFOUND;
  }
  if(rc != SQLITE_ROW) {
    sqlite3_reset(st);
    return crm__sqlerr(c, rc, "reading an sla clock");
  }
  crm__col_text(st, 0, row->policy, sizeof(row->policy));
  crm__col_text(st, 1, row->team, sizeof(row->team));
  row->target = sqlite3_column_int64(st, 2);
  row->k.used = sqlite3_column_int64(st, 3);
  row->k.since = sqlite3_column_int64(st, 4);
  row->k.running = sqlite3_column_int(st, 5) != 0;
  row->due_at = sla_col(st, 6);
  row->warn_at = sla_col(st, 7);
  row->met_at = sla_col(st, 8);
  row->warned_at = sla_col(st, 9);
  row->breached_at = sla_col(st, 10);
  sqlite3_reset(st);
  return CRM_OK;
}

int crm__sla_save(crm *c, const crm__sla_row *row)
{
  sqlite3_stmt *st = crm__stmt(c, sql_save);

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, row->case_id);
  sqlite3_bind_text(st, 2, crm__sla_clock_names[row->clock], -1,
                    SQLITE_STATIC);
  sqlite3_bind_text(st, 3, row->policy, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, row->team, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 5, row->target);
  sqlite3_bind_int64(st, 6, row->k.used);
  sqlite3_bind_int64(st, 7, row->k.since);
  sqlite3_bind_int(st, 8, row->k.running);
  sla_bind_opt(st, 9, row->due_at);
  sla_bind_opt(st, 10, row->warn_at);
  sla_bind_opt(st, 11, row->met_at);
  sla_bind_opt(st, 12, row->warned_at);
  sla_bind_opt(st, 13, row->breached_at);
  return crm__step_end(c, st, "writing an sla clock");
}

/* Runs a DELETE with (case_id[, clock]). */
static int sla_drop(crm *c, const char *sql, int64_t case_id, int clock)
{
  sqlite3_stmt *st = crm__stmt(c, sql);

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, case_id);
  if(clock >= 0)
    sqlite3_bind_text(st, 2, crm__sla_clock_names[clock], -1,
                      SQLITE_STATIC);
  return crm__step_end(c, st, "removing sla due times");
}

static int sla_due_add(crm *c, int64_t case_id, const char *what,
                       const char *clock, int level, int64_t due_at)
{
  sqlite3_stmt *st = crm__stmt(c, sql_due_add);

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, case_id);
  sqlite3_bind_text(st, 2, what, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, clock, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 4, level);
  sqlite3_bind_int64(st, 5, due_at);
  return crm__step_end(c, st, "storing an sla due time");
}

int crm__sla_step_done(crm *c, int64_t case_id, const char *kind,
                       const char *clock, int level)
{
  sqlite3_stmt *st = crm__stmt(c, sql_step_done);
  int rc;

  if(!st)
    return -1;
  sqlite3_bind_int64(st, 1, case_id);
  sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, clock, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 4, level);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc == SQLITE_ROW)
    return 1;
  if(rc == SQLITE_DONE)
    return 0;
  crm__sqlerr(c, rc, "reading sla steps");
  return -1;
}

void crm__sla_fmt_duration(int64_t secs, char *buf, size_t size)
{
  long long h = (long long)(secs / 3600), m = (long long)(secs % 3600 / 60);

  if(h && m)
    snprintf(buf, size, "%lldh%02lldm", h, m);
  else if(h)
    snprintf(buf, size, "%lldh", h);
  else
    snprintf(buf, size, "%lldm", m);
}

/* ---- planning ----------------------------------------------------------- */

int crm__sla_cal(crm *c, const char *team, crm__bizcal *cal)
{
  const crm__team *t = crm__cases_team(crm__cases(c), team);

  if(!t)
    return crm__err(c, CRM_ENOTFOUND, "team \"%s\" is not configured "
                    "(complaints.teams)", team);
  return crm__team_cal(c, t, cal);
}

/* share x target, rounded to the second. */
static int64_t sla_share(double share, int64_t target)
{
  return (int64_t)(share * (double)target + 0.5);
}

static double sla_warn_share(crm *c, const crm__case_row *r)
{
  const crm__cases_cfg *cc = crm__cases(c);
  const crm__sla_policy *p = crm__cases_policy(cc, r->category,
                                               r->priority);

  return p && p->warn_at > 0.0 ? p->warn_at : cc->warn_at;
}

/* The escalation rows of a running clock. */
static int sla_plan_esc(crm *c, const crm__sla_row *row,
                        const crm__bizcal *cal)
{
  const crm__cases_cfg *cc = crm__cases(c);
  const char *name = crm__sla_clock_names[row->clock];
  size_t i;
  int rc;

  for(i = 0; i < cc->n_esc; i++) {
    const crm__escalation *e = &cc->esc[i];
    int64_t due;

    if(e->clock != row->clock)
      continue;
    rc = crm__sla_step_done(c, row->case_id, "escalation", name, e->level);
    if(rc < 0)
      return c->errcode;
    if(rc)
      continue;
    due = crm__sla_due(&row->k, cal, sla_share(e->at, row->target));
    if(due < 0)
      continue;
    rc = sla_due_add(c, row->case_id, "escalation", name, e->level, due);
    if(rc)
      return rc;
  }
  return CRM_OK;
}

/* The instant the used time of a running clock reaches amount. Reached
 * after since (the running stretch): worked out on the calendar, in the
 * past or the future. Reached before since (in a stretch folded into
 * used by a pause or a team change): the instant known from then (the
 * stored due time, else the one recorded when it happened), else since,
 * the earliest instant the clock is known to be past it. */
static int64_t sla_reach(const crm__sla_row *row, const crm__bizcal *cal,
                         int64_t amount, int64_t stored, int64_t recorded)
{
  if(amount > row->k.used)
    return crm__sla_due(&row->k, cal, amount);
  if(stored > 0 && stored <= row->k.since)
    return stored;
  if(recorded > 0 && recorded <= row->k.since)
    return recorded;
  return row->k.since;
}

int crm__sla_plan(crm *c, const crm__case_row *r, crm__sla_row *row,
                  const crm__bizcal *cal)
{
  const char *name = crm__sla_clock_names[row->clock];
  int64_t due, warn, was_due = row->due_at, was_warn = row->warn_at;
  int rc;

  rc = sla_drop(c, sql_due_drop_clock, row->case_id, row->clock);
  if(rc)
    return rc;
  row->due_at = 0;
  row->warn_at = 0;
  if(!row->k.running || row->met_at)
    return crm__sla_save(c, row);
  /* a breached clock keeps its breach; its due time stays the instant
   * the used time reached the target, never the time of the re-plan */
  warn = sla_reach(row, cal, sla_share(sla_warn_share(c, r), row->target),
                   was_warn, row->warned_at);
  due = sla_reach(row, cal, row->target, was_due, row->breached_at);
  row->warn_at = warn > 0 ? warn : 0;
  row->due_at = due > 0 ? due : 0;
  /* in this order: at equal times the warning comes before the breach,
   * the breach before an escalation level at 1.0 */
  if(row->warn_at && !row->warned_at)
    rc = sla_due_add(c, row->case_id, "warning", name, 0, row->warn_at);
  if(!rc && row->due_at && !row->breached_at)
    rc = sla_due_add(c, row->case_id, "breach", name, 0, row->due_at);
  if(!rc)
    rc = sla_plan_esc(c, row, cal);
  if(!rc)
    rc = crm__sla_save(c, row);
  return rc;
}

/* ---- hooks -------------------------------------------------------------- */

static void sla_policy_label(const crm__sla_policy *p, char *buf,
                             size_t size)
{
  if(p->priority)
    snprintf(buf, size, "%s/%d", p->category, p->priority);
  else
    snprintf(buf, size, "%s/*", p->category);
}

int crm__sla_final(crm *c, const crm__case_row *r, int cls)
{
  const crm__component *h;

  if(cls == CRM__CS_CLOSED || cls == CRM__CS_REJECTED ||
     cls == CRM__CS_DUPLICATE)
    return 1;
  if(cls != CRM__CS_OTHER)
    return 0;
  h = crm__case_handler_of(c, r);
  if(!h)
    crm__clear_err(c);
  return h && crm__case_is_final(h, r->state);
}

/* The team the case's clocks use: its own (must be configured), else the
 * route of its category; NULL with 0 when no team is configured. */
static int sla_team(crm *c, const crm__case_row *r, const crm__team **out)
{
  const crm__cases_cfg *cc = crm__cases(c);

  if(!r->team[0]) {
    *out = crm__cases_route(cc, r->category);
    return CRM_OK;
  }
  *out = crm__cases_team(cc, r->team);
  if(!*out)
    return crm__err(c, CRM_EINVAL, "case %s: team \"%s\" is not configured "
                    "(complaints.teams)", r->number, r->team);
  return CRM_OK;
}

int crm__sla_exempt(crm *c, int64_t case_id)
{
  sqlite3_stmt *st = crm__stmt(c, sql_exempt);
  int rc, v = 0;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, case_id);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW)
    v = sqlite3_column_int(st, 0) != 0;
  sqlite3_reset(st);
  if(rc != SQLITE_ROW && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading a case");
  return v;
}

int crm__sla_on_open(crm *c, crm__case_row *r, int64_t at)
{
  const crm__team *t;
  const crm__sla_policy *p;
  crm__bizcal cal;
  int clock, rc;

  rc = crm__sla_exempt(c, r->id);
  if(rc)
    return rc < 0 ? rc : CRM_OK;
  rc = sla_team(c, r, &t);
  if(rc || !t)
    return rc;
  if(!r->team[0])
    snprintf(r->team, sizeof(r->team), "%s", t->name);
  p = crm__cases_policy(crm__cases(c), r->category, r->priority);
  if(!p || crm__sla_final(c, r, crm__case_class(r->state)))
    return CRM_OK;
  rc = crm__team_cal(c, t, &cal);
  for(clock = 0; !rc && clock < 2; clock++) {
    crm__sla_row row;

    if(p->target[clock] <= 0)
      continue;
    memset(&row, 0, sizeof(row));
    row.case_id = r->id;
    row.clock = clock;
    sla_policy_label(p, row.policy, sizeof(row.policy));
    snprintf(row.team, sizeof(row.team), "%s", t->name);
    row.target = p->target[clock];
    crm__sla_start(&row.k, at);
    if(crm__case_class(r->state) == CRM__CS_WAITING)
      row.k.running = 0;
    rc = crm__sla_plan(c, r, &row, &cal);
  }
  return rc;
}

/* Meets a clock: stops it, drops its rows, stores a "met" step. */
static int sla_meet(crm *c, const crm__case_row *r, crm__sla_row *row,
                    const crm__bizcal *cal, int64_t at)
{
  char used[32], target[32], detail[128];
  int64_t due = row->due_at;
  int rc;

  if(row->met_at)
    return CRM_OK;
  crm__sla_pause(&row->k, cal, at);
  row->met_at = at;
  rc = crm__sla_plan(c, r, row, cal);
  if(rc)
    return rc;
  crm__sla_fmt_duration(row->k.used, used, sizeof(used));
  crm__sla_fmt_duration(row->target, target, sizeof(target));
  snprintf(detail, sizeof(detail), "met in %s of %s%s", used, target,
           row->breached_at ? " (late)" : "");
  return crm__sla_step(c, r->id, "met", crm__sla_clock_names[row->clock], 0,
                       "", detail, due, at);
}

/* Loads both clocks: found[i] says which exist; cal of their team. */
static int sla_load_both(crm *c, const crm__case_row *r,
                         crm__sla_row rows[2], int found[2],
                         crm__bizcal *cal)
{
  int i, rc;

  found[0] = found[1] = 0;
  for(i = 0; i < 2; i++) {
    rc = crm__sla_load(c, r->id, i, &rows[i]);
    if(rc == CRM_ENOTFOUND)
      continue;
    if(rc)
      return rc;
    found[i] = 1;
  }
  if(!found[0] && !found[1])
    return CRM_OK;
  return crm__sla_cal(c, rows[found[0] ? 0 : 1].team, cal);
}

static int sla_auto_close(crm *c, const crm__case_row *r, int64_t at)
{
  int days = crm__cases(c)->close_after_days;
  int rc = sla_drop(c, sql_due_drop_close, r->id, -1);

  if(rc || days <= 0)
    return rc;
  return sla_due_add(c, r->id, "auto_close", "", 0,
                     at + (int64_t)days * 86400);
}

/* A final state: first response met on a rejection, everything stops. */
static int sla_stop(crm *c, crm__case_row *r, int to_class,
                    crm__sla_row rows[2], const int found[2],
                    const crm__bizcal *cal, int64_t at)
{
  int i, rc = CRM_OK;

  if(found[CRM__SLA_FIRST] && to_class == CRM__CS_REJECTED)
    rc = sla_meet(c, r, &rows[CRM__SLA_FIRST], cal, at);
  for(i = 0; !rc && i < 2; i++) {
    if(!found[i])
      continue;
    crm__sla_pause(&rows[i].k, cal, at);
    rc = crm__sla_plan(c, r, &rows[i], cal);
  }
  if(!rc)
    rc = sla_drop(c, sql_due_drop_all, r->id, -1);
  return rc;
}

int crm__sla_on_move(crm *c, crm__case_row *r, int from_class, int to_class,
                     int64_t at)
{
  crm__sla_row rows[2];
  crm__bizcal cal;
  int found[2], i, rc;

  memset(&cal, 0, sizeof(cal));
  rc = sla_load_both(c, r, rows, found, &cal);
  if(rc)
    return rc;
  if(crm__sla_final(c, r, to_class))
    return sla_stop(c, r, to_class, rows, found, &cal, at);
  if(to_class == CRM__CS_RESOLVED) {
    for(i = 1; !rc && i >= 0; i--) {
      if(found[i])
        rc = sla_meet(c, r, &rows[i], &cal, at);
    }
    return rc ? rc : sla_auto_close(c, r, at);
  }
  if(from_class == CRM__CS_RESOLVED) {
    /* reopened: the resolution clock goes on with the time it had used */
    rc = sla_drop(c, sql_due_drop_close, r->id, -1);
    if(!rc && found[CRM__SLA_RESOLUTION])
      rows[CRM__SLA_RESOLUTION].met_at = 0;
  }
  for(i = 0; !rc && i < 2; i++) {
    if(!found[i] || rows[i].met_at)
      continue;
    if(to_class == CRM__CS_WAITING)
      crm__sla_pause(&rows[i].k, &cal, at);
    else
      crm__sla_resume(&rows[i].k, at);
    rc = crm__sla_plan(c, r, &rows[i], &cal);
  }
  return rc;
}

int crm__sla_on_response(crm *c, crm__case_row *r, int64_t at)
{
  crm__sla_row row;
  crm__bizcal cal;
  int rc = crm__sla_load(c, r->id, CRM__SLA_FIRST, &row);

  if(rc == CRM_ENOTFOUND)
    return CRM_OK;
  if(!rc && row.met_at)
    return CRM_OK;
  if(!rc)
    rc = crm__sla_cal(c, row.team, &cal);
  if(!rc)
    rc = sla_meet(c, r, &row, &cal, at);
  return rc;
}

/* Whether a clock the case has not got yet should start now. */
static int sla_wanted(const crm__case_row *r, int clock, int cls)
{
  if(cls == CRM__CS_RESOLVED)
    return 0;
  return clock == CRM__SLA_RESOLUTION || !r->first_response_at;
}

/* A new target: the stored due and warning times were those of the old
 * one. When the new target was reached in the running stretch by at,
 * the instant is worked out before a team change folds the stretch. */
static void sla_retarget_hint(crm *c, crm__sla_row *row, int64_t target,
                              const crm__bizcal *cal, int64_t at)
{
  crm__bizcal old;
  int64_t reach;

  row->due_at = 0;
  row->warn_at = 0;
  if(!row->k.running || target <= row->k.used)
    return;
  if(crm__sla_cal(c, row->team, &old)) {
    crm__clear_err(c);
    old = *cal;
  }
  reach = crm__sla_due(&row->k, &old, target);
  if(reach > 0 && reach <= at)
    row->due_at = reach;
}

int crm__sla_on_change(crm *c, crm__case_row *r, int64_t at)
{
  const crm__team *t;
  const crm__sla_policy *p;
  crm__bizcal cal, old;
  crm__sla_row row;
  int cls = crm__case_class(r->state);
  int clock, rc;

  if(crm__sla_final(c, r, cls))
    return CRM_OK;
  rc = crm__sla_exempt(c, r->id);
  if(rc)
    return rc < 0 ? rc : CRM_OK; /* imported: no clock, ever */
  rc = sla_team(c, r, &t);
  if(rc)
    return rc;
  p = t ? crm__cases_policy(crm__cases(c), r->category, r->priority) : NULL;
  if(t)
    rc = crm__team_cal(c, t, &cal);
  for(clock = 0; !rc && clock < 2; clock++) {
    int64_t target = p ? p->target[clock] : 0;
    int found;

    rc = crm__sla_load(c, r->id, clock, &row);
    found = rc == CRM_OK;
    if(rc && rc != CRM_ENOTFOUND)
      return rc;
    rc = CRM_OK;
    if(!target) {
      /* no policy (or no target) any more: the clock goes */
      if(found)
        rc = sla_drop(c, sql_due_drop_clock, r->id, clock);
      if(!rc && found)
        rc = sla_drop(c, sql_drop_clock, r->id, clock);
      continue;
    }
    if(found && row.met_at)
      target = row.target; /* kept: the target it was met against */
    if(found && target != row.target)
      sla_retarget_hint(c, &row, target, &cal, at);
    if(found && row.k.running && strcmp(row.team, t->name)) {
      /* a new team: the time used so far counts on the calendar it ran
       * on (the same team keeps its running stretch, so that a target
       * already reached is placed exactly) */
      if(crm__sla_cal(c, row.team, &old))
        old = cal;
      crm__sla_pause(&row.k, &old, at);
      crm__sla_resume(&row.k, at);
    }
    else if(!found) {
      if(!sla_wanted(r, clock, cls))
        continue;
      memset(&row, 0, sizeof(row));
      row.case_id = r->id;
      row.clock = clock;
      crm__sla_start(&row.k, at);
      row.k.running = cls != CRM__CS_WAITING;
    }
    sla_policy_label(p, row.policy, sizeof(row.policy));
    snprintf(row.team, sizeof(row.team), "%s", t->name);
    row.target = target;
    rc = crm__sla_plan(c, r, &row, &cal);
  }
  return rc;
}
