/*
 * crm/comm.h - messages, channels, the send gate, the outbox, templates, triggers, consent and contact preferences.
 *
 * Part of the public API: crm/crm.h includes it. Include <crm/crm.h>.
 */
#ifndef CRM_COMM_H
#define CRM_COMM_H

#ifndef CRM_CRM_H
#error "include <crm/crm.h>, not <crm/comm.h>"
#endif

/* ---- messages ---------------------------------------------------------- */

/* Sends one ad-hoc service message now (CRM_PRIORITY_SERVICE) through
 * `channel` (NULL = the customer's preferred channel, see "channels"
 * below). The message goes through the outbox like every other: stored
 * and committed as queued, then the send gate, then the channel. Returns
 * 0 when the channel accepted it or when the gate held it for later (the
 * row says queued and why); CRM_ESTATE "not sent: REASON" when the gate
 * refused it (the row says refused); the channel's error when the attempt
 * failed (the row says failed and is retried by crm_outbox_run, or dead).
 * CRM_ESTATE inside a batch (crm_begin): commit first. */
CRM_API int crm_message_send(crm *c, int64_t customer_id, const char *channel,
                             const char *subject, const char *body,
                             int64_t *message_id);

/* ---- communication: channels, send gate, outbox, templates, triggers --- */
/*
 * A channel is a medium the customer consents to ("email", "sms",
 * "webhook", ...): consent, preferences, caps, rate limits and the outbox
 * speak of channels. The admin config routes each channel to a channel
 * component (communication.channels: { name = "email"; component =
 * "smtp"; }); without routes every loaded channel component is a channel
 * of its own name. "preferred" (or NULL) means: the customer's preferred
 * channel (crm_prefs_set), else their "channel" attribute, else
 * communication.default_channel, else the first channel.
 *
 * Every message passes one gate before every attempt (crm_send_check):
 * the address is known and not marked bad; consent (opt-out and
 * do-not-contact refuse every message; marketing also needs an opt-in
 * when communication.require_opt_in); a pause (marketing refused, service
 * held to its end); quiet hours and allowed weekdays in the customer's
 * time zone (held to the next allowed minute); frequency caps per channel
 * and across channels (marketing only: refused). Every refusal is kept
 * on the message with its reason.
 */
#define CRM_GATE_SEND 0   /* may be sent now */
#define CRM_GATE_HOLD 1   /* not before not_before (quiet hours, weekday,
                             service during a pause) */
#define CRM_GATE_REFUSE 2 /* never: the reason is recorded */

typedef struct crm_gate_result {
  int decision;      /* CRM_GATE_* */
  /* A stable word: "ok", "no_address", "bad_address", "opted_out",
   * "no_opt_in", "do_not_contact", "paused", "cap", "quiet_hours",
   * "weekday", "no_template", "no_channel" */
  char code[24];
  /* lowercase, reason first: "quiet hours 21:00-08:00 in
   * Europe/Paris until 2026-03-29 08:00 CEST" */
  char reason[256];
  int64_t not_before; /* HOLD: the next allowed minute (UTC) */
} crm_gate_result;

/* Asks the gate whether a message of `priority` (CRM_PRIORITY_*) may go
 * to the customer on `channel` ("preferred" / NULL resolved as above) at
 * `at` (0: now). Changes nothing. */
CRM_API int crm_send_check(crm *c, int64_t customer_id, const char *channel,
                           int priority, int64_t at, crm_gate_result *out);

/* Message states, as stored and shown. "refused" is final: the gate
 * refused it (the reason is in error). "failed" waits for its next
 * attempt at next_at; "dead" will not be tried again (permanent failure,
 * rejected, or attempts exhausted) until crm_outbox_retry. */
#define CRM_MSG_QUEUED "queued"
#define CRM_MSG_SENDING "sending"
#define CRM_MSG_SENT "sent"
#define CRM_MSG_DELIVERED "delivered"
#define CRM_MSG_FAILED "failed"
#define CRM_MSG_DEAD "dead"
#define CRM_MSG_REFUSED "refused"

typedef struct crm_outbox_msg {
  int64_t id;
  int64_t customer_id;
  const char *channel;
  const char *address;     /* the address of the last attempt, or NULL */
  const char *template;    /* NULL: an ad-hoc message */
  const char *language;
  const char *trigger;     /* the trigger that made it, or NULL */
  int priority;            /* CRM_PRIORITY_* */
  const char *status;      /* CRM_MSG_* */
  int attempts;
  int64_t next_at;         /* queued / failed: due at (UTC) */
  const char *subject;     /* NULL when none */
  const char *body;
  const char *idempotency_key;
  const char *provider_ref;
  const char *error;       /* last provider answer or refusal reason */
  const char *error_class; /* "temporary", "permanent", "rate_limited",
                              "rejected", "refused" or NULL */
  const char *hold_reason; /* why a queued message waits, or NULL */
  int64_t created_at;
  int64_t sent_at;         /* 0: not sent */
  int64_t delivered_at;    /* 0: no delivery receipt */
  int64_t updated_at;
} crm_outbox_msg;

typedef struct crm_outbox_filter {
  const char *status;  /* CRM_MSG_* or NULL: all */
  int64_t customer_id; /* 0: all */
  const char *channel; /* NULL: all */
  int64_t before_id;   /* > 0: only ids below (paging newest first) */
  int limit;           /* 0: no limit */
} crm_outbox_filter;

/* Newest first. Strings are valid during the callback. */
CRM_API int crm_outbox_foreach(crm *c, const crm_outbox_filter *f,
                               int (*cb)(void *ud, const crm_outbox_msg *m),
                               void *ud);
/* Strings valid until the next call on c. */
CRM_API int crm_outbox_get(crm *c, int64_t id, crm_outbox_msg *out);

typedef struct crm_outbox_new {
  int64_t customer_id;
  const char *channel;  /* NULL / "preferred": resolved now */
  /* Either a template (rendered now for the customer; vars give the
   * values only the caller knows, NULL-terminated name/value pairs) ... */
  const char *template;
  const char *language; /* NULL: the customer's, else the default */
  const char *const *vars;
  /* ... or an ad-hoc subject (optional) and body. */
  const char *subject;
  const char *body;
  int priority;         /* CRM_PRIORITY_* */
  int64_t not_before;   /* 0: now */
  /* Optional: the same key twice queues one message (the second call
   * returns the first's id). 1..128 bytes. */
  const char *dedupe_key;
} crm_outbox_new;

/* Queues a message (one transaction; inside crm_begin it joins the
 * batch). Bad input changes nothing. */
CRM_API int crm_outbox_enqueue(crm *c, const crm_outbox_new *m, int64_t *id);

typedef struct crm_outbox_run_opts {
  int max_messages;   /* 0: every due message */
  /* 1: wait (sleep) for a channel's rate limit slot when it is under
   * max_wait_ms away; 0: leave such messages for the next run. */
  int wait;
  int max_wait_ms;    /* 0: 2000 */
  int no_triggers;    /* 1: do not run due schedule triggers first */
} crm_outbox_run_opts;

typedef struct crm_outbox_stats {
  int64_t triggers_fired; /* schedule triggers that queued a message */
  int64_t attempted;      /* channel calls */
  int64_t sent;
  int64_t failed;         /* temporary failures, will be retried */
  int64_t dead;
  int64_t refused;
  int64_t held;           /* held by the gate for later */
  int64_t rate_limited;   /* answers that slowed a channel down */
  int64_t deferred;       /* left for later: channel slowed or paced */
  int64_t recovered;      /* "sending" rows of a crashed run taken over */
} crm_outbox_stats;

/* Runs due schedule triggers, then sends every due message (queued or
 * failed with next_at <= now) in due order, each through the gate and its
 * channel: marked sending and committed, the channel called with the
 * message's idempotency key, the answer recorded. A message left
 * "sending" by a process that died is attempted again with the same
 * key (the interrupted attempt counts: with its attempts used up it is
 * dead instead). Not inside a batch. opts and stats may be NULL. */
CRM_API int crm_outbox_run(crm *c, const crm_outbox_run_opts *opts,
                           crm_outbox_stats *stats);
/* Attempts the one message `id` now, whatever its due time, as
 * crm_outbox_run would (gate, claim, channel, outcome recorded) without
 * touching any other message: for `crm send test`. Returns as
 * crm_message_send documents (0: sent or held; CRM_ESTATE: refused; the
 * channel's error: failed). Not inside a batch. */
CRM_API int crm_outbox_send_now(crm *c, int64_t id);
/* Puts a failed, dead or refused message back in the queue, due now,
 * with its attempts reset (audited). CRM_ESTATE for any other state, and
 * for a trigger's message refused before it had a body. A message the
 * provider had accepted (it bounced) gets a new idempotency key. */
CRM_API int crm_outbox_retry(crm *c, int64_t id);
/* Deletes finished messages (sent, delivered, dead, refused; never
 * queued, sending or failed) created before `before`; status NULL: all
 * finished states. *n receives the count. */
CRM_API int crm_outbox_purge(crm *c, int64_t before, const char *status,
                             int64_t *n);
/* A provider's delivery receipt for the message it knows as
 * provider_ref on channel: "delivered" (sent -> delivered), "bounced"
 * (-> dead, the address marked bad) or "complained" (the channel becomes
 * do-not-contact "complained" for that customer). Repeating a receipt
 * changes nothing. */
CRM_API int crm_outbox_receipt(crm *c, const char *channel,
                               const char *provider_ref, const char *what,
                               const char *detail);

/* Addresses marked bad by a permanent failure or a bounce. */
typedef struct crm_bad_address {
  const char *channel;
  const char *address;
  const char *reason;  /* the provider's answer */
  int64_t message_id;  /* the message that found it */
  int64_t at;
} crm_bad_address;

CRM_API int crm_bad_address_foreach(crm *c,
                                    int (*cb)(void *ud,
                                              const crm_bad_address *b),
                                    void *ud);
/* Lifts the mark (the customer fixed their mailbox); audited. */
CRM_API int crm_bad_address_clear(crm *c, const char *channel,
                                  const char *address);

/* A channel's pacing: its configured rate and the current one after
 * rate-limit answers (halved on each, recovering after successes). */
typedef struct crm_channel_status {
  const char *channel;
  const char *component;  /* the channel component it is routed to */
  double rate;            /* configured messages per second, 0: none */
  double current_rate;    /* now, 0: none */
  int64_t slowed_until;   /* a provider's Retry-After (UTC), 0: none */
  int64_t queued;         /* messages queued or failed on it */
} crm_channel_status;

CRM_API int crm_channel_foreach(crm *c,
                                int (*cb)(void *ud,
                                          const crm_channel_status *s),
                                void *ud);

/* Templates (communication.templates): per name, channel ("*": any) and
 * language; placeholders {{name}} checked when the config is read. */
typedef struct crm_template_info {
  const char *name;
  const char *channel;
  const char *language;
  const char *subject; /* NULL when none */
  const char *body;
  const char *placeholders; /* "name, points_balance" as used */
} crm_template_info;

CRM_API int crm_template_foreach(crm *c,
                                 int (*cb)(void *ud,
                                           const crm_template_info *t),
                                 void *ud);

typedef struct crm_rendered {
  char channel[33];
  char language[36];
  char subject[1000];
  char body[64 * 1024 + 1];
} crm_rendered;

/* Renders `template` for the customer (channel / language NULL: as a
 * message to them would be), with vars (NULL-terminated name/value
 * pairs) for the placeholders the customer's data does not give.
 * CRM_EINVAL names a placeholder without a value. */
CRM_API int crm_template_render(crm *c, const char *template,
                                int64_t customer_id, const char *channel,
                                const char *language,
                                const char *const *vars, crm_rendered *out);

/* Lifecycle triggers (communication.triggers). */
typedef struct crm_trigger_info {
  const char *name;
  const char *on;        /* "stage", "tier", "event", "case_closed",
                            "birthday", "member_day", "points_expiring" */
  const char *detail;    /* "stage first_purchase", "14 days before" */
  const char *template;
  const char *channel;   /* a channel or "preferred" */
  int priority;
  const char *condition; /* NULL: always */
  int64_t due;           /* schedule triggers: rows waiting */
  int64_t next_due_at;   /* the earliest, 0: none */
  int64_t fired;         /* messages it queued so far */
} crm_trigger_info;

CRM_API int crm_trigger_foreach(crm *c,
                                int (*cb)(void *ud,
                                          const crm_trigger_info *t),
                                void *ud);
/* Fires the schedule triggers due at `now` (0: now), each in its own
 * transaction; *fired receives the messages queued. crm_outbox_run does
 * this first. */
CRM_API int crm_triggers_run(crm *c, int64_t now, int64_t *fired);

/* ---- consent and contact preferences ----------------------------------- */
/*
 * What a customer agreed to, per channel ("email", "sms", "webhook",
 * "file" or any channel component's name; 1..32 bytes, [a-z0-9_]), kept
 * with when they said it and where it came from; do-not-contact with a
 * reason; and their contact preferences. Every change is kept in the
 * consent history (never rewritten) and audited; nothing is sent against
 * them (the send gate reads them).
 */
#define CRM_CONSENT_UNKNOWN 0 /* never asked: marketing may not be sent */
#define CRM_CONSENT_IN 1      /* opted in */
#define CRM_CONSENT_OUT 2     /* opted out */

/* Reasons for do-not-contact. */
#define CRM_DNC_UNSUBSCRIBED "unsubscribed"
#define CRM_DNC_BOUNCED "bounced"
#define CRM_DNC_COMPLAINED "complained"
#define CRM_DNC_MANUAL "manual"

typedef struct crm_consent {
  int64_t customer_id;
  const char *channel;
  int status;             /* CRM_CONSENT_* */
  const char *source;     /* "web form", "import", "unsubscribe link" */
  int64_t at;             /* when the customer said it (UTC) */
  const char *dnc_reason; /* CRM_DNC_* when the channel is do-not-contact,
                             else NULL */
  const char *dnc_note;   /* NULL when none */
  int64_t dnc_at;
  int64_t recorded_at;    /* history rows: when it was recorded */
} crm_consent;

/* Records an opt-in or opt-out (status CRM_CONSENT_IN/OUT) given at `at`
 * (<= 0: now; not in the future). source is required (1..128 bytes).
 * An opt-in older than the channel's latest change is kept in the history
 * but does not change the current status. */
CRM_API int crm_consent_set(crm *c, int64_t customer_id, const char *channel,
                            int status, const char *source, int64_t at);
/* The current consent of one channel (status CRM_CONSENT_UNKNOWN and the
 * strings NULL when nothing was recorded). Strings valid until the next
 * call on c. */
CRM_API int crm_consent_get(crm *c, int64_t customer_id, const char *channel,
                            crm_consent *out);
/* Marks a channel (NULL: every channel) do-not-contact with a CRM_DNC_*
 * reason and an optional note; crm_dnc_clear lifts it (source required).
 * Both are recorded in the history. */
CRM_API int crm_dnc_set(crm *c, int64_t customer_id, const char *channel,
                        const char *reason, const char *note, int64_t at);
CRM_API int crm_dnc_clear(crm *c, int64_t customer_id, const char *channel,
                          const char *source, int64_t at);
/* The current consent of each channel with a record (history 0), or the
 * whole history oldest first (history 1). */
CRM_API int crm_consent_foreach(crm *c, int64_t customer_id, int history,
                                int (*cb)(void *ud, const crm_consent *),
                                void *ud);

typedef struct crm_contact_prefs {
  const char *preferred_channel; /* NULL: none */
  const char *language;          /* "en", "fr-CA" (BCP 47); NULL: none */
  int quiet_start;     /* minutes after local midnight, -1: no quiet hours */
  int quiet_end;       /* the window may cross midnight (22:00-07:00) */
  int64_t pause_from;  /* a pause of all contact, UTC, [from, until); */
  int64_t pause_until; /* both 0: none */
} crm_contact_prefs;

/* Replaces the preferences (validated: a known channel name shape, the
 * language tag, 0..1439 minutes with both or neither quiet bound, pause
 * from < until); recorded in the history with source. */
CRM_API int crm_prefs_set(crm *c, int64_t customer_id,
                          const crm_contact_prefs *p, const char *source);
/* Fills p (defaults when nothing was set: NULLs, quiet -1, no pause);
 * strings valid until the next call on c. */
CRM_API int crm_prefs_get(crm *c, int64_t customer_id, crm_contact_prefs *p);

#endif /* CRM_COMM_H */
