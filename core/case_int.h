/*
 * case_int.h - the internal contract between the complaint files.
 *
 *   case.c           the core move (handler transition + history + SLA +
 *                    close), row load/save, the history writer
 *   case_open.c      opening (triage, handler open, SLA start), from the
 *                    API and from "complaint" events
 *   case_read.c      crm_case_find/get, crm_cases_foreach/query, history
 *                    and messages walks
 *   case_ops.c       assign, resolve (with recovery), close, reject, merge
 *   case_reply.c     crm_case_reply: messages and notes, resume on a
 *                    customer answer, reopen or follow-up case
 *   case_config.c    the `complaints` group of crm.conf -> crm__cases_cfg
 *   sla.c            the SLA clocks of a case: start, pause, resume, met,
 *                    re-target; stored due times (case_sla, case_due)
 *   sla_run.c        crm_sla_run: warnings, breaches, escalation steps,
 *                    closing resolved cases; crm_sla_get, steps walk
 *   case_recovery.c  compensation on resolution: limits, ledger, once
 *   case_survey.c    the survey after closure and its answer
 *   case_stats.c     crm_case_stats
 *   case_triage.c    running triage components; crm_case_train
 *   host_case.c      host->cases_walk
 *
 * All crm__ functions here run inside the caller's transaction unless
 * said otherwise, return 0 or a negative CRM_E* code with the message set
 * (crm__err), and never commit.
 */
#ifndef CRM_CASE_INT_H
#define CRM_CASE_INT_H

#include <stdint.h>

#include "bizcal.h"
#include "comm_int.h"

#define CRM__CASE_SUMMARY_MAX 2000
#define CRM__CASE_NOTE_MAX 2000
#define CRM__CASE_CATEGORY_MAX 31
#define CRM__CASE_DEFAULT_PRIORITY 3
#define CRM__CASE_ACTOR_MAX 64
#define CRM__CASE_TEAM_MAX 32
#define CRM__CASE_ORIGIN_MAX 32
#define CRM__CASE_LINK_REF_MAX 128
#define CRM__CASE_TEXT_MAX 4096 /* customer_text handed to triage */

/* ---- state classes (by the standard names, case-insensitive) ---------- */

enum crm__case_class {
  CRM__CS_OTHER = 0, /* a handler's own state: counts as in progress */
  CRM__CS_NEW,
  CRM__CS_ASSIGNED,
  CRM__CS_PROGRESS,
  CRM__CS_WAITING,
  CRM__CS_RESOLVED,
  CRM__CS_CLOSED,
  CRM__CS_REJECTED,
  CRM__CS_DUPLICATE
};

/* The class of a state name (CRM__CS_OTHER for any other name). */
int crm__case_class(const char *state);
/* 1 when state is final for the handler: Closed, Rejected, Duplicate, or
 * the last state of the handler's list (1.0-1.4 handlers). */
int crm__case_is_final(const crm__component *handler, const char *state);

/* ---- the case row ------------------------------------------------------ */

typedef struct crm__case_row {
  int64_t id;
  int64_t customer_id;
  char handler[64];
  char state[32];
  char category[CRM__CASE_CATEGORY_MAX + 1];
  char summary[CRM__CASE_SUMMARY_MAX + 1];
  int priority;
  int64_t opened_at;
  int64_t updated_at;
  char number[24];
  char origin[CRM__CASE_ORIGIN_MAX + 1];
  char owner[CRM__CASE_ACTOR_MAX + 1];
  char team[CRM__CASE_TEAM_MAX + 1];
  char link_kind[16];
  char link_ref[CRM__CASE_LINK_REF_MAX + 1];
  int64_t parent_id;   /* 0: none */
  int64_t merged_into; /* 0: none */
  int reopen_count;
  int resolutions;
  int64_t first_response_at; /* 0: none */
  int64_t resolved_at;       /* 0: none */
  int64_t closed_at;         /* 0: open */
  char triage_reason[256];
} crm__case_row;

/* case.c */
int crm__case_load(crm *c, int64_t id, crm__case_row *r);
/* Writes every mutable column of r (state, category, priority, owner,
 * team, merged_into, counts, times, triage_reason; updated_at = at). */
int crm__case_save(crm *c, const crm__case_row *r, int64_t at);
/* One history line (case_history: action, from, to, actor, why, detail)
 * and its audit entry ("case.<action>"). from NULL: the state did not
 * change (to = the current state). */
int crm__case_log(crm *c, int64_t case_id, const char *action,
                  const char *from, const char *to, const char *actor,
                  const char *why, const char *detail, int64_t at);
/* The core move: asks the handler (transition), applies its decision,
 * saves, logs ("move"), tells the SLA (crm__sla_on_move), and on entering
 * Closed fires the case_closed trigger and records the survey request.
 * d (may be NULL) is pre-filled by the caller (compensation asked for)
 * and receives the handler's decision. op->actor/why go to the history. */
int crm__case_move_tx(crm *c, crm__case_row *r, const char *to,
                      const crm_case_op *op, crm_case_decision *d);
/* The handler component of a case, or NULL with CRM_ENOTFOUND set. */
crm__component *crm__case_handler_of(crm *c, const crm__case_row *r);
/* Actor and at of an op (NULL op: "api", now). */
const char *crm__case_actor(const crm_case_op *op);
int64_t crm__case_at(crm *c, const crm_case_op *op);
/* Fills a plugin view of r (strings borrowed from r). */
void crm__case_view_fill(const crm__case_row *r, crm_case_view *v);
/* The columns crm__case_row_read reads, in its order:
 * "SELECT " CRM__CASE_COLS " FROM cases ..." (alias-free). */
#define CRM__CASE_COLS                                                      \
  "id, customer_id, handler, state, category, summary, priority,"          \
  " opened_at, updated_at, number, origin, owner, team, link_kind,"         \
  " link_ref, parent_id, merged_into, reopen_count, resolutions,"           \
  " first_response_at, resolved_at, closed_at, triage_reason"
void crm__case_row_read(sqlite3_stmt *st, crm__case_row *r);
/* A person's name (actor, owner): 1..64 printable bytes, no control
 * characters; field names it in the message. */
int crm__case_check_name(crm *c, const char *field, const char *s);
/* Checks a handler's decision (its strings terminated): an empty state
 * means dflt; *out gets the handler's spelling of the state. */
int crm__case_decided(crm *c, const crm__component *comp,
                      crm_case_decision *d, const char *dflt,
                      const char **out);
/* The case entered final state of class cls: the case_closed trigger and
 * the survey request, unless Rejected or Duplicate. */
int crm__case_closed_hooks(crm *c, const crm__case_row *r, int cls,
                           int64_t at);

/* The customer's words of case r into buf of size bytes: the summary,
 * then the customer's own messages (kind CRM_CASE_MSG_CUSTOMER) in
 * order, one a line, cut on a UTF-8 character boundary; what open,
 * transition, classify and cases_walk get as customer_text (size
 * CRM__CASE_TEXT_MAX + 1). */
int crm__case_customer_text(crm *c, const crm__case_row *r, char *buf,
                            size_t size);
/* A changed category or priority of r (old_category, old_priority: what
 * it had): a "category" line ("other -> quality") and a "priority" line
 * ("4 -> 2") with op's actor and why, then the SLA re-targets
 * (crm__sla_on_change, when teams are configured). r is saved by the
 * caller. Nothing changed: 0, nothing written. */
int crm__case_log_class(crm *c, crm__case_row *r, const char *old_category,
                        int old_priority, const crm_case_op *op, int64_t at);
/* case_read.c: the buffer crm_case_survey.comment points into (valid
 * until the next crm_case_survey_get on c); NULL with CRM_ENOMEM set. */
char *crm__case_survey_buf(crm *c, size_t *size);

/* CRM_EINVAL when at is before r was opened (an operation cannot come
 * before the case). */
int crm__case_check_at(crm *c, const crm__case_row *r, int64_t at);
/* case_ops.c: sets owner (and team; NULL: keep) of r, logs "assign", the
 * SLA takes a changed team; a New case then moves to Assigned. */
int crm__case_assign_tx(crm *c, crm__case_row *r, const char *owner,
                        const char *team, const crm_case_op *op);

/* ---- config (case_config.c) ------------------------------------------- */

#define CRM__SLA_FIRST 0
#define CRM__SLA_RESOLUTION 1

typedef struct crm__team {
  char name[CRM__CASE_TEAM_MAX + 1];
  char lead[CRM__CASE_ACTOR_MAX + 1]; /* "" none */
  char timezone[64];                  /* IANA name; "" = UTC */
  int open[7][2][2];                  /* as crm__bizcal.open */
  int64_t *holidays;                  /* sorted local days */
  size_t n_holidays;
  int line;
} crm__team;

typedef struct crm__sla_policy {
  char category[CRM__CASE_CATEGORY_MAX + 1]; /* "*": any */
  int priority;                              /* 0: any */
  int64_t target[2];  /* business seconds by CRM__SLA_*; 0: no target */
  double warn_at;     /* share of the target, 0 < w < 1; 0: cfg default */
  int line;
} crm__sla_policy;

#define CRM__ESC_NOTIFY 0
#define CRM__ESC_REASSIGN 1

typedef struct crm__escalation {
  int level;          /* 1.. in config order */
  int clock;          /* CRM__SLA_* */
  double at;          /* share of the target, > 0 (1.0 = at the breach) */
  int action;         /* CRM__ESC_* */
  char to[CRM__CASE_ACTOR_MAX + 1]; /* "owner", "lead", "team" or a name */
  int raise_priority; /* levels to raise (priority - n, at least 1) */
  int line;
} crm__escalation;

typedef struct crm__comp_limit {
  char category[CRM__CASE_CATEGORY_MAX + 1]; /* "*": any */
  int64_t max_points;  /* per case, over all its resolutions */
  char **items;        /* reward items allowed as goodwill vouchers */
  size_t n_items;
  int line;
} crm__comp_limit;

typedef struct crm__case_route {
  char category[CRM__CASE_CATEGORY_MAX + 1];
  char team[CRM__CASE_TEAM_MAX + 1];
} crm__case_route;

typedef struct crm__cases_cfg {
  char handler[64];     /* "" : the first loaded handler */
  int reopen_days;      /* default 7 */
  int close_after_days; /* default 7; 0: resolved cases stay resolved */
  double warn_at;       /* default 0.75 */
  char default_team[CRM__CASE_TEAM_MAX + 1]; /* "" : the first team */
  crm__team *teams;
  size_t n_teams;
  crm__case_route *routes;
  size_t n_routes;
  crm__sla_policy *policies;
  size_t n_policies;
  crm__escalation *esc;
  size_t n_esc;
  crm__comp_limit *limits;
  size_t n_limits;
} crm__cases_cfg;

/* config.c calls this for the `complaints` group and stores the result in
 * crm__config.cases (NULL when absent: defaults, no teams, no SLA). */
int crm__cfg_complaints(struct crm__cfgread *r, const void *s,
                        crm__cases_cfg **out);
void crm__cases_cfg_free(crm__cases_cfg *cc);
/* The handle's settings (defaults when the config has none). */
const crm__cases_cfg *crm__cases(crm *c);
/* The team by name, NULL if none. */
const crm__team *crm__cases_team(const crm__cases_cfg *cc, const char *name);
/* The team a new case of this category goes to (routes, default_team,
 * the first team); NULL when no team is configured. */
const crm__team *crm__cases_route(const crm__cases_cfg *cc,
                                  const char *category);
/* The most specific policy for (category, priority): exact category and
 * priority, then category + any priority, then any category + priority,
 * then any + any; NULL when none. */
const crm__sla_policy *crm__cases_policy(const crm__cases_cfg *cc,
                                         const char *category, int priority);
/* The compensation limit of a category (exact, then "*"); NULL: none
 * configured (then no compensation is allowed). */
const crm__comp_limit *crm__cases_limit(const crm__cases_cfg *cc,
                                        const char *category);
/* The team's calendar, its zone loaded through the handle's tz cache. */
int crm__team_cal(crm *c, const crm__team *t, crm__bizcal *out);

/* ---- SLA (sla.c), inside the caller's transaction ---------------------- */

/* A new case: sets r->team by route when empty (caller saves), picks the
 * policy and starts both clocks, storing due, warning and escalation
 * times. No policy: no clocks (crm_sla_get says CRM_ENOTFOUND). */
int crm__sla_on_open(crm *c, crm__case_row *r, int64_t at);
/* A state change (classes CRM__CS_*): to Waiting pauses both clocks, back
 * from Waiting resumes them; to Resolved meets the resolution clock (and
 * the first response when none yet) and schedules the automatic close;
 * Resolved -> In progress (reopen) resumes the resolution clock and drops
 * the automatic close; a final state stops everything. */
int crm__sla_on_move(crm *c, crm__case_row *r, int from_class, int to_class,
                     int64_t at);
/* The first agent answer: meets the first-response clock. */
int crm__sla_on_response(crm *c, crm__case_row *r, int64_t at);
/* Priority, category or team changed: the clocks keep their used time
 * and take the new policy's targets (due times stored again). */
int crm__sla_on_change(crm *c, crm__case_row *r, int64_t at);
/* sla_run.c: stores one step (case_steps) and logs it in the history. */
int crm__sla_step(crm *c, int64_t case_id, const char *kind,
                  const char *clock, int level, const char *action,
                  const char *detail, int64_t due_at, int64_t at);

/* ---- service recovery (case_recovery.c) -------------------------------- */

/* On a move to Resolved, after the handler's decision d (r->resolutions
 * already counts this resolution): checks d's compensation against the
 * category's limit (over the case's earlier grants too) and writes it to
 * the ledger under "case-<id>-recovery-<n>" (points through the scheme's
 * ledger, an item as a voucher), one case_compensation row and a history
 * line. Nothing asked: 0. Over the limit: CRM_ERANGE, nothing written. */
int crm__recovery_grant(crm *c, const crm__case_row *r,
                        const crm_case_decision *d, const char *scheme,
                        const char *actor, int64_t at);

/* ---- survey (case_survey.c) -------------------------------------------- */

/* The case entered Closed (the case_closed trigger has run): records the
 * survey request with the message the trigger queued, if any. */
int crm__survey_on_closed(crm *c, const crm__case_row *r, int64_t at);

/* ---- triage (case_triage.c) -------------------------------------------- */

/* Runs every loaded triage component (classify) on a new case; fills d
 * with category, priority and reason (what r already has from the caller
 * is kept: given_category / given_priority say so). */
int crm__case_triage(crm *c, const crm__case_row *r, int given_category,
                     int given_priority, const char *actor,
                     crm_case_decision *d);
/* Whether a complaint component is a triage component (no states). */
int crm__complaint_is_triage(const crm__component *comp);

/* ---- host table (host_case.c) ------------------------------------------ */

int crm__host_cases_walk(crm_host_ctx *ctx, const crm_case_filter *f,
                         crm_case_cb cb, void *ud);

#endif /* CRM_CASE_INT_H */
