/*
 * outbox_int.h - internals shared by the outbox files: outbox.c (insert,
 * enqueue, get, foreach), outbox_admin.c (retry, purge, receipts, bad
 * addresses), outbox_pace.c (channel state: pacing, slow-down, recovery;
 * crm_channel_foreach), outbox_send.c (claim, the channel call, the
 * outcome) and outbox_run.c (the dispatcher, crash recovery,
 * crm__outbox_attempt). docs/communication/outbox.md tells the story.
 */
#ifndef CRM_OUTBOX_INT_H
#define CRM_OUTBOX_INT_H

#include "comm_int.h"

#define CRM__OB_SUBJECT_MAX 998
#define CRM__OB_BODY_MAX (64 * 1024)
#define CRM__OB_ADDR_MAX CRM_ATTR_VALUE_MAX
#define CRM__OB_TEXT_MAX 1023 /* error, hold reason */
#define CRM__OB_KEY_SIZE 96   /* "crm-<store id>-<id>" */
#define CRM__OB_CLAIM_SIZE 320 /* "<hostname>:<pid>" */
#define CRM__OB_URL_SIZE 2048
/* The longest Retry-After honoured (a channel's answer is clamped to it;
 * the in-tree HTTP channels stop at the same 365 days). */
#define CRM__OB_RETRY_AFTER_MAX_MS (INT64_C(365) * 86400 * 1000)

/* The strings of one message row (crm_outbox_get hands them out from
 * c->outbox_buf; one allocation, freed by crm_close). */
struct crm__outbox_buf {
  char channel[CRM__COMM_NAME_MAX + 1];
  char address[CRM__OB_ADDR_MAX + 1];
  char template_name[CRM__COMM_NAME_MAX + 1];
  char language[CRM__LANGUAGE_MAX + 1];
  char trigger[CRM__COMM_NAME_MAX + 1];
  char status[16];
  char key[CRM__OB_KEY_SIZE];
  char ref[CRM_SEND_REF_MAX + 1];
  char error[CRM__OB_TEXT_MAX + 1];
  char error_class[16];
  char hold_reason[CRM__OB_TEXT_MAX + 1];
  char claimed_by[CRM__OB_CLAIM_SIZE];
  char subject[CRM__OB_SUBJECT_MAX + 1];
  char body[CRM__OB_BODY_MAX + 1];
};

/* The selected columns, in the order crm__ob_row reads them. */
#define CRM__OB_COLS                                                       \
  "id, customer_id, channel, address, template, language, trigger,"       \
  " priority, subject, body, status, attempts, next_at, idempotency_key," \
  " provider_ref, error, error_class, hold_reason, created_at, sent_at,"  \
  " delivered_at, updated_at, claimed_by, claim_until"

/* One row: copied into b (b != NULL), else pointing into the statement
 * (valid until it steps again). *claim_until may be NULL. */
void crm__ob_row(sqlite3_stmt *st, struct crm__outbox_buf *b,
                 crm_outbox_msg *m, int64_t *claim_until);
/* Loads message id into b / m; CRM_ENOTFOUND "no message #id". */
int crm__ob_load(crm *c, int64_t id, struct crm__outbox_buf *b,
                 crm_outbox_msg *m, int64_t *claim_until);
/* CRM_EINVAL unless s is one of the CRM_MSG_* states. */
int crm__ob_check_status(crm *c, const char *s);
/* Binds s, or NULL when s is NULL or "". */
void crm__ob_bind_opt(sqlite3_stmt *st, int i, const char *s);
/* Audits "message #id" with a detail built from fmt. */
int crm__ob_audit(crm *c, const char *action, int64_t id, const char *fmt,
                  ...) CRM__PRINTF(4, 5);

/* Marks (channel, address) bad, found by message_id (outbox_admin.c);
 * nothing when address is empty. Audited. */
int crm__ob_bad_mark(crm *c, const char *channel, const char *address,
                     const char *reason, int64_t message_id);

/* The send gate's frequency caps alone (send_gate.c): out->decision
 * CRM_GATE_REFUSE (code "cap") when a cap is reached, else
 * CRM_GATE_SEND. The claim asks again inside its transaction: the gate
 * ran before it, and another sender may have sent to the customer since
 * (the write lock serialises the two claims). */
int crm__gate_caps(crm *c, const crm__gate_in *in, crm_gate_result *out);

/* ---- the clock (outbox_pace.c) ---------------------------------------- */

/* Milliseconds: crm_now(c) * 1000 while the clock is fixed
 * (crm_set_now), else CLOCK_REALTIME. */
int64_t crm__ob_now_ms(crm *c);

/* ---- channel state (outbox_pace.c) ------------------------------------ */

typedef struct crm__ob_chan {
  int found;            /* a channel_state row exists */
  int64_t next_slot_ms; /* the earliest start of the next message */
  double current_rate;  /* 0: not slowed (the configured rate applies) */
  int64_t slowed_until; /* UTC seconds, 0: none */
  int64_t ok_streak;
} crm__ob_chan;

int crm__ob_chan_get(crm *c, const char *channel, crm__ob_chan *out);
/* Inside the claim transaction: takes the channel's next slot when it has
 * come (*wait_ms = 0), else *wait_ms = how far away it is (the channel is
 * slowed down, or paced at its rate) and nothing is written. */
int crm__ob_pace_take(crm *c, const crm__route *r, int64_t now_ms,
                      int64_t *wait_ms);
/* A message was sent: counts the success; after 10 in a row a slowed
 * channel's rate doubles, back up to the configured one. */
int crm__ob_pace_ok(crm *c, const crm__route *r);
/* A rate-limit answer: halves the current rate (floor 0.01/s) and slows
 * the channel until now + retry_after_ms (0: backoff_base). *until
 * receives the end. */
int crm__ob_pace_slow(crm *c, const crm__route *r, int64_t retry_after_ms,
                      int64_t *until);

/* ---- one attempt (outbox_send.c, outbox_run.c) -------------------------- */

/* What became of a due message. */
#define CRM__OB_SENT 1
#define CRM__OB_FAILED 2       /* temporary failure: retried at next_at */
#define CRM__OB_DEAD 3         /* permanent, rejected, attempts exhausted */
#define CRM__OB_REFUSED 4      /* the gate said never */
#define CRM__OB_HELD 5         /* the gate said later */
#define CRM__OB_RATE_LIMITED 6 /* the channel was slowed down */
#define CRM__OB_DEFERRED 7     /* left for later: paced, slowed, no route */
#define CRM__OB_SKIPPED 8      /* no longer due (taken, changed) */

typedef struct crm__ob_run {
  int wait;        /* sleep for a pacing slot under max_wait_ms */
  int max_wait_ms;
  int any_time;    /* attempt whatever the due time (crm__outbox_attempt) */
  char claimer[CRM__OB_CLAIM_SIZE]; /* "<hostname>:<pid>" */
} crm__ob_run;

/* A message being attempted. */
typedef struct crm__ob_job {
  struct crm__outbox_buf b;
  crm_outbox_msg m;
  crm_customer cust;
  crm__route tmp;
  const crm__route *route;
  crm__component *comp;
  char address[CRM__OB_ADDR_MAX + 1];
  crm_gate_result gate;
  int outcome;           /* CRM__OB_* */
  int called;            /* the channel was called */
  int err;               /* failed / dead / rate limited: the error code */
  char errmsg[CRM__ERRMSG_SIZE + CRM_SEND_DETAIL_MAX + 64]; /* its text */
} crm__ob_job;

/* "<hostname>:<pid>" of this process. */
void crm__ob_claimer(char *buf, size_t size);
/* Claims the message (status sending, attempts + 1, the channel's slot)
 * in its own committed transaction; job->outcome DEFERRED when the slot
 * has not come, SKIPPED when another run took the message. */
int crm__ob_claim(crm *c, crm__ob_job *job, const crm__ob_run *run);
/* Calls the channel with the message claimed by claimer and records the
 * answer in a second transaction (job->outcome; job->err and errmsg when
 * it was not sent). */
int crm__ob_send(crm *c, crm__ob_job *job, const char *claimer);
/* The message waits (DEFERRED) for why, noted as its hold reason. */
int crm__ob_wait_note(crm *c, crm__ob_job *job, const char *why);
/* Writes the gate's refusal or hold (job->gate). */
int crm__ob_gate_outcome(crm *c, crm__ob_job *job);

#endif /* CRM_OUTBOX_INT_H */
