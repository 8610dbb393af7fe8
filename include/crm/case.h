/*
 * crm/case.h - complaint cases, their SLA, surveys and statistics.
 *
 * Part of the public API: crm/crm.h includes it. Include <crm/crm.h>.
 */
#ifndef CRM_CASE_H
#define CRM_CASE_H

#ifndef CRM_CRM_H
#error "include <crm/crm.h>, not <crm/case.h>"
#endif

/* ---- complaint cases ---------------------------------------------------- */
/*
 * A case belongs to a customer and optionally to an order, a flight or a
 * message (link_kind, link_ref). The complaint handler (a plugin, the
 * default `basic_case`) owns the state machine: New, Assigned, In
 * progress, Waiting on customer, Resolved, Closed, plus Rejected and
 * Duplicate (merged into another case). Every change is kept in the
 * case's history with who and why; notes and messages are kept on the
 * case. Cases are named by number ("C-000042") or id.
 *
 * SLA (complaints.sla in crm.conf): per category and priority a
 * first-response and a resolution target in business hours of the case's
 * team (its working hours, holidays and time zone). The clocks pause
 * while the case waits on the customer. The due, warning and escalation
 * times are stored when a clock starts, pauses or resumes; crm_sla_run
 * applies what has fallen due (warning, breach, escalation steps,
 * closing resolved cases) in due-time order, without a scan.
 *
 * Every operation below runs in one transaction: bad input or a refusal
 * changes nothing.
 */

typedef struct crm_case {
  int64_t id;
  int64_t customer_id;
  const char *handler;
  const char *state;
  const char *category;
  const char *summary;
  int priority;             /* 1 (urgent) .. 4 (low) */
  int64_t opened_at;
  int64_t updated_at;
  /* issue 7 */
  const char *number;       /* "C-000042" */
  const char *origin;       /* channel of origin: email, phone, web, ... */
  const char *owner;        /* "" unassigned */
  const char *team;         /* "" none */
  const char *link_kind;    /* "", "order", "flight" or "message" */
  const char *link_ref;
  int64_t parent_id;        /* a follow-up case: the case it follows; 0 */
  int64_t merged_into;      /* Duplicate: the case it went into; 0 */
  int reopen_count;
  int resolutions;          /* times resolved */
  int64_t first_response_at; /* 0: no answer yet */
  int64_t resolved_at;      /* last resolution; 0 */
  int64_t closed_at;        /* 0 while open */
  const char *triage_reason; /* "" none */
  const char *team_timezone; /* the team's zone (IANA name); "" = UTC */
} crm_case;

/* What an operation on a case needs besides its arguments. */
typedef struct crm_case_op {
  const char *actor; /* who: "maria", "sla"; NULL: "api" */
  const char *why;   /* the reason kept in the history; required by
                        reject, optional elsewhere (up to 2000 bytes) */
  int64_t at;        /* 0: now (crm_set_now or the clock) */
  /* Optional, up to 128 bytes; used by crm_case_reply: a retry with the
   * same key returns the first message's case and message ids and
   * changes nothing (the same key with another kind, text, customer or
   * time is CRM_EEXIST, as for events); other operations ignore it. */
  const char *idempotency_key;
} crm_case_op;

/* A new case. */
typedef struct crm_case_new {
  int64_t customer_id;
  const char *summary;   /* required: the customer's words, 1..2000 bytes */
  const char *category;  /* NULL: triage and the handler decide */
  int priority;          /* 0: triage and the handler decide; 1..4 */
  const char *origin;    /* NULL: "api"; email, phone, web, sms, store ... */
  const char *link_kind; /* NULL, "order", "flight" or "message" */
  const char *link_ref;  /* the order number, flight ("AF123 2026-11-20"),
                            message id (one of the customer's messages) */
  const char *handler;   /* NULL: complaints.handler, else the first
                            loaded handler */
  int64_t parent_id;     /* a follow-up of this case; 0 */
  /* Optional: a retry with the same key returns the first case and
   * changes nothing (up to 128 bytes). */
  const char *idempotency_key;
  crm_case_op op;
} crm_case_new;

CRM_API int crm_case_create(crm *c, const crm_case_new *n, int64_t *case_id);
/* Opens a case with the named complaint component (NULL = the default
 * handler); the short form of crm_case_create. */
CRM_API int crm_case_open(crm *c, int64_t customer_id, const char *handler,
                          const char *summary, const char *category,
                          int64_t *case_id);
/* "C-000042", "c-42", "42" or "#42" -> id; CRM_ENOTFOUND. */
CRM_API int crm_case_find(crm *c, const char *ref, int64_t *case_id);
/* Fills out; its strings stay valid until the next crm_case_get on c. */
CRM_API int crm_case_get(crm *c, int64_t case_id, crm_case *out);
/* Moves a case to another state of its handler (the handler decides; a
 * refusal is CRM_ESTATE "<the handler's reason> (handler NAME)"). A move
 * to Resolved is a resolution as crm_case_resolve makes it, asking for
 * no compensation (the handler's decision is granted; why defaults to
 * "moved to Resolved"; on a Resolved case: 0, nothing changes). A move
 * from Resolved to a state that is not over is a reopen (reopen_count
 * + 1, history "reopen"). */
CRM_API int crm_case_move(crm *c, int64_t case_id, const char *to_state,
                          const char *note);
CRM_API int crm_case_move_op(crm *c, int64_t case_id, const char *to_state,
                             const crm_case_op *op);

typedef struct crm_case_filter_q {
  int64_t customer_id;  /* 0: all */
  const char *state;    /* NULL: all; "open": not in a final state */
  const char *owner;    /* NULL: all; "": unassigned */
  const char *category; /* NULL: all */
  int breached;         /* 1: only cases with a breached clock */
} crm_case_filter_q;
CRM_API int crm_cases_foreach(crm *c, int64_t customer_id,
                              int (*cb)(void *ud, const crm_case *),
                              void *ud);
CRM_API int crm_cases_query(crm *c, const crm_case_filter_q *f,
                            int (*cb)(void *ud, const crm_case *), void *ud);

/* Assigns the case to owner (and team, NULL: keep); a New case moves to
 * Assigned. Reassigning names the previous owner in the history. */
CRM_API int crm_case_assign(crm *c, int64_t case_id, const char *owner,
                            const char *team, const crm_case_op *op);
/* Changes the category (NULL: keep) and the priority (0: keep; 1..4) of
 * an open case, validated as on open; each change is a history line
 * ("category" "other -> quality", "priority" "4 -> 2") and the SLA
 * clocks are re-targeted. CRM_ESTATE on a final case. */
CRM_API int crm_case_update(crm *c, int64_t case_id, const char *category,
                            int priority, const crm_case_op *op);

/* crm_case_reply kinds */
#define CRM_CASE_MSG_CUSTOMER 0 /* the customer wrote (any channel) */
#define CRM_CASE_MSG_AGENT 1    /* an answer to the customer: the first one
                                   meets the first-response target; it is
                                   sent through the outbox (service
                                   priority) unless CRM_CASE_REPLY_RECORD */
#define CRM_CASE_MSG_NOTE 2     /* an internal note, never sent */

/* crm_case_reply flags */
#define CRM_CASE_REPLY_WAIT 0x1u   /* agent: now waiting on the customer
                                      (the clocks pause) */
#define CRM_CASE_REPLY_RECORD 0x2u /* agent: already answered elsewhere
                                      (phone, counter); record only */

/* A message on a case. A customer message on a case waiting on them
 * resumes it (In progress); on a Resolved case within
 * complaints.reopen_days of its resolution it reopens it (In progress,
 * the resolution clock goes on); later, or on a Closed or Rejected case,
 * it opens a follow-up case linked to the old one; on a Duplicate it goes
 * to the case it was merged into. *out_case (may be NULL) receives the
 * case the message landed on; *out_msg the case message id. */
CRM_API int crm_case_reply(crm *c, int64_t case_id, int kind,
                           const char *text, uint32_t flags,
                           const crm_case_op *op, int64_t *out_case,
                           int64_t *out_msg);
/* The message stored by crm_case_reply under an idempotency key: its
 * case and case message id (either may be NULL); CRM_ENOTFOUND. */
CRM_API int crm_case_reply_find(crm *c, const char *key, int64_t *case_id,
                                int64_t *msg_id);

/* Resolution with optional service recovery. */
typedef struct crm_case_resolution {
  crm_case_op op;        /* why: the resolution text (required) */
  int64_t comp_points;   /* goodwill points to grant; 0 none */
  const char *comp_item; /* reward item to grant as a voucher; NULL none */
  const char *scheme;    /* NULL: the only reward scheme */
} crm_case_resolution;

/* Moves the case to Resolved; the handler may change the compensation;
 * it is checked against complaints.compensation limits for the category
 * (CRM_ERANGE over the limit, nothing changes) and written to the ledger
 * under the key "case-<id>-recovery-<n>" (n: the resolution number), so
 * a repeated call on a Resolved case changes nothing and grants nothing
 * again (returns 0). */
CRM_API int crm_case_resolve(crm *c, int64_t case_id,
                             const crm_case_resolution *r);
CRM_API int crm_case_close(crm *c, int64_t case_id, const crm_case_op *op);
CRM_API int crm_case_reject(crm *c, int64_t case_id, const crm_case_op *op);
/* Marks dup a Duplicate merged into `into` (both of the same customer,
 * into not final): its messages are copied to into, its clocks stop,
 * later customer messages go to into. */
CRM_API int crm_case_merge(crm *c, int64_t dup, int64_t into,
                           const crm_case_op *op);

/* One line of a case's history: state changes, assignment, priority,
 * reopen, merge, compensation, survey; each with who and why. */
typedef struct crm_case_event {
  int64_t id;
  int64_t case_id;
  const char *action;     /* "open", "move", "assign", "priority",
                             "reopen", "merge", "compensate", "survey",
                             "escalate" ... */
  const char *from_state; /* NULL when the state did not change */
  const char *to_state;
  const char *actor;
  const char *why;        /* may be NULL */
  const char *detail;     /* "owner ana -> ben", "500 points (ledger
                             #812)"; may be NULL */
  int64_t at;
} crm_case_event;
CRM_API int crm_case_history_foreach(crm *c, int64_t case_id,
                                     int (*cb)(void *ud,
                                               const crm_case_event *),
                                     void *ud);

typedef struct crm_case_msg {
  int64_t id;
  int64_t case_id;
  int kind;            /* CRM_CASE_MSG_* */
  const char *author;
  const char *body;
  int64_t message_id;  /* the outbox message of an agent reply; 0 */
  int64_t at;
} crm_case_msg;
CRM_API int crm_case_messages_foreach(crm *c, int64_t case_id,
                                      int (*cb)(void *ud,
                                                const crm_case_msg *),
                                      void *ud);

/* ---- SLA ------------------------------------------------------------------ */

typedef struct crm_sla_clock_info {
  const char *clock;   /* "first_response" or "resolution" */
  int64_t target;      /* business seconds */
  int64_t used;        /* business seconds used by now (crm_now) */
  int running;         /* 0: paused, stopped or met */
  int64_t due_at;      /* 0 while paused or met */
  int64_t warn_at;     /* 0: none or passed */
  int64_t met_at;      /* 0: not yet */
  int64_t warned_at;   /* 0: no warning */
  int64_t breached_at; /* 0: not breached */
  const char *status;  /* "running", "paused", "met", "met late",
                          "breached", "stopped", "none" (no target) */
} crm_sla_clock_info;

typedef struct crm_sla_info {
  int64_t case_id;
  /* The matching rule: "billing/2"; a rule for any category or any
   * priority shows "*" there. */
  const char *policy;
  const char *team;
  const char *timezone;
  crm_sla_clock_info first_response;
  crm_sla_clock_info resolution;
} crm_sla_info;

/* CRM_ENOTFOUND when the case has no SLA (no policy matched). Strings are
 * valid until the next crm_sla_get on c. */
CRM_API int crm_sla_get(crm *c, int64_t case_id, crm_sla_info *out);

/* One stored SLA step: a warning, a breach, an escalation level, a met
 * target or an automatic close. */
typedef struct crm_sla_step {
  int64_t id;
  int64_t case_id;
  const char *kind;   /* "warning", "breach", "escalation", "met",
                         "auto_close" */
  const char *clock;  /* "first_response", "resolution" or "" */
  int level;          /* escalation level (1..), else 0 */
  const char *action; /* "notify owner", "reassign to lead", ... or "" */
  const char *detail;
  int64_t due_at;     /* when it was due */
  int64_t at;         /* when it was applied */
} crm_sla_step;
CRM_API int crm_sla_steps_foreach(crm *c, int64_t case_id,
                                  int (*cb)(void *ud, const crm_sla_step *),
                                  void *ud);

typedef struct crm_sla_run_stats {
  int64_t warnings;
  int64_t breaches;
  int64_t escalations;
  int64_t closed;     /* resolved cases closed after close_after_days */
} crm_sla_run_stats;
/* Applies every stored due time <= as_of (0: now) in due order. */
CRM_API int crm_sla_run(crm *c, int64_t as_of, crm_sla_run_stats *out);

/* ---- after closure: survey ------------------------------------------------ */

/* Records the customer's answer to the case's satisfaction survey: a
 * "survey" event {"score", "scale", "case"} (and an "nps" event when nps
 * is 0..10) that the loyalty index reads; once per case, on a Closed
 * case only (a retry with the same answer returns 0 and changes nothing,
 * a different second answer is CRM_EEXIST). score 1..scale, scale 5 or
 * 10; nps -1: none. */
CRM_API int crm_case_survey_answer(crm *c, int64_t case_id, int score,
                                   int scale, int nps, const char *comment,
                                   const crm_case_op *op);

typedef struct crm_case_survey {
  int64_t case_id;
  int64_t requested_at;
  int64_t message_id;   /* the outbox message; 0: recorded as due */
  int64_t answered_at;  /* 0: no answer */
  int score, scale, nps; /* -1 when not answered */
  const char *comment;   /* the customer's words; "" none; valid until the
                            next crm_case_survey_get on c */
} crm_case_survey;
CRM_API int crm_case_survey_get(crm *c, int64_t case_id,
                                crm_case_survey *out);

/* ---- statistics --------------------------------------------------------- */

typedef struct crm_case_stats_row {
  const char *category;    /* "" in the total row */
  int64_t opened;          /* cases opened in the period */
  int64_t open_now;
  int64_t responded;       /* with a first response */
  int64_t resolved;
  double first_response_hours_mean;   /* business hours; -1: none */
  double first_response_hours_median;
  double resolve_hours_mean;          /* business hours; -1: none */
  double resolve_hours_median;
  int64_t breached;        /* cases with a breached clock */
  double breach_rate;      /* breached / opened; -1 when opened = 0 */
  int64_t reopened;
  double reopen_rate;      /* reopened / resolved; -1 */
  int64_t compensated_points;
} crm_case_stats_row;

typedef struct crm_case_churn {
  int64_t complainants;        /* customers with a case in the period */
  int64_t complainants_lost;   /* of them now at risk or lost */
  int64_t others;              /* customers without one */
  int64_t others_lost;
  double complainant_rate;     /* -1 when none */
  double other_rate;
  /* complainants whose cases were all resolved vs the rest */
  int64_t resolved_complainants, resolved_lost;
  double resolved_rate;
} crm_case_churn;

/* One row per category (by name), then the total (category ""). since
 * and until bound opened_at (0: open). churn may be NULL. */
CRM_API int crm_case_stats(crm *c, int64_t since, int64_t until,
                           int (*cb)(void *ud, const crm_case_stats_row *),
                           void *ud, crm_case_churn *churn);

/* Trains every triage component that can learn on the closed cases
 * (crm case train) as of as_of (0: now; negative: CRM_EINVAL). */
CRM_API int crm_case_train(crm *c, int64_t as_of);

#endif /* CRM_CASE_H */
