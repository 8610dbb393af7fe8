/*
 * crm/sdk.h - the crmcore plugin SDK.
 *
 * This is the only header a plugin includes. It is self-contained C11 and
 * names no type of SQLite, libconfig or the core: a plugin sees opaque
 * handles and reaches host services through the function table handed to
 * its init callback (struct crm_host_api), never through core symbols.
 *
 * Compatibility rules (checked by the loader, in this order):
 *   entry symbol, magic, descriptor size, ABI, build signature, mandatory
 *   callbacks, known component kind, name clash.
 *   - CRM_SDK_ABI_MAJOR must be equal; the plugin's minor must be <= the
 *     core's minor (a plugin built against an older minor runs unchanged).
 *   - Every struct that crosses the boundary starts with uint32_t
 *     struct_size and only ever grows at the end. The host reads
 *     min(struct_size, sizeof(known)) bytes and treats absent trailing
 *     members as zero / NULL; a plugin must do the same with host structs
 *     (use CRM_HAS_MEMBER).
 *
 * Ownership rules:
 *   - strings returned by cfg_get_str and the views passed to callbacks are
 *     borrowed: valid until the callback returns.
 *   - kv_get output is allocated with host->alloc; free it with host->free.
 *   - the plugin's state pointer is the plugin's own; it is released only
 *     by its fini callback. A plugin that has run is never unloaded.
 *
 * Errors: callbacks return 0 or a negative CRM_E* code; they describe the
 * failure with host->set_error (lowercase, reason first, no full stop).
 *
 * ABI history:
 *   1.0  descriptor, four component kinds, host table up to kv_put.
 *   1.1  appended: descriptor start/stop/reconfigure hooks; host table
 *        emit_event, score_put, customer_get, now. A 1.0 plugin runs on a
 *        1.1 core unchanged.
 *   1.2  the loyalty engine. Appended: crm_customer_view.birthday;
 *        crm_event_view.refund_of; crm_reward_result pending_until,
 *        expires_at, tier_credits, tier_count, flags; crm_reward_v1.flags
 *        (CRM_REWARD_CORE_REFUNDS); host table customer_attr, json_get,
 *        json_len, cfg_get_path. A 1.0 or 1.1 plugin runs on a 1.2 core
 *        unchanged (its reward results are read as before).
 *   1.3  scoring models. Appended: crm_score_factor, crm_score_value,
 *        crm_event_filter, crm_fit_request, crm_customer_filter;
 *        crm_scoring_v1 fit and score_event; host table score_write,
 *        events_walk, progress, figure_put, figure_get, score_get,
 *        customers_walk. A 1.0-1.2 plugin runs on a 1.3 core
 *        unchanged (score_one is still called when a component has no
 *        score_event).
 *   1.4  communication. Appended: crm_message_view idempotency_key,
 *        channel, template, language, priority, attempt, customer_name,
 *        external_id, unsubscribe_url; crm_send_result and CRM_SEND_*;
 *        crm_channel_v1.deliver (classified outcome: sent, temporary,
 *        permanent, rate limited). A 1.0-1.3 channel runs on a 1.4 core
 *        unchanged: its send is called, 0 is "sent" and an error is a
 *        temporary failure (retried with backoff).
 *   1.5  complaints. Appended: CRM_CASE_* state names; crm_case_view
 *        number, priority, origin, owner, team, reopen_count, actor,
 *        comp_points, comp_item, customer_text, closed_at;
 *        crm_case_decision reason,
 *        comp_points, comp_item, comp_note; crm_case_filter; crm_complaint_v1
 *        classify and train (a component with classify and no states is a
 *        triage component); host table cases_walk. A 1.0-1.4 complaint
 *        handler runs on a 1.5 core unchanged (its own states; the core's
 *        SLA reads the standard state names where it finds them).
 */
#ifndef CRM_SDK_H
#define CRM_SDK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CRM_SDK_ABI_MAJOR 1
#define CRM_SDK_ABI_MINOR 5
#define CRM_SDK_VERSION "1.5.0"

/* 'CRMP' */
#define CRM_PLUGIN_MAGIC 0x43524D50u

/* Name of the one symbol a plugin exports. */
#define CRM_PLUGIN_ENTRY_SYMBOL "crm_plugin_entry"

/*
 * Build signature: the properties of the compiler's data model that the
 * ABI depends on. A plugin built for another architecture or data model
 * is refused with a specific message instead of crashing.
 */
#define CRM__STR2(x) #x
#define CRM__STR(x) CRM__STR2(x)
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define CRM__ENDIAN "be"
#else
#define CRM__ENDIAN "le"
#endif
#define CRM_SDK_BUILD_SIG                                                  \
  "crm-sdk1 ptr" CRM__STR(__SIZEOF_POINTER__) " long" CRM__STR(          \
      __SIZEOF_LONG__) " dbl" CRM__STR(__SIZEOF_DOUBLE__) " " CRM__ENDIAN

#if defined(__GNUC__)
#define CRM_EXPORT __attribute__((visibility("default")))
#define CRM__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CRM_EXPORT
#define CRM__PRINTF(f, a)
#endif

/* True when a struct received with its struct_size holds member m. */
#define CRM_HAS_MEMBER(ptr, type, m)                                        \
  ((ptr) != NULL &&                                                      \
   (ptr)->struct_size >= offsetof(type, m) + sizeof(((type *)0)->m))

/* ---- error codes (shared with crm/crm.h) ---------------------------- */
#ifndef CRM_ERROR_CODES_DEFINED
#define CRM_ERROR_CODES_DEFINED
#define CRM_OK 0
#define CRM_ERROR (-1)     /* unspecified failure */
#define CRM_EINVAL (-2)    /* bad input: nothing was changed */
#define CRM_ENOMEM (-3)    /* out of memory */
#define CRM_ENOTFOUND (-4) /* no such customer, event, plugin, key */
#define CRM_EEXIST (-5)    /* already exists (external id, name) */
#define CRM_ERANGE (-6)    /* value or field too large */
#define CRM_ESTORE (-7)    /* the store failed (I/O, locked, corrupt) */
#define CRM_ECONFIG (-8)   /* configuration file is wrong */
#define CRM_EPLUGIN (-9)   /* a plugin was refused or failed */
#define CRM_ENOTSUP (-10)  /* not supported by this build or plugin */
#define CRM_ESTATE (-11)   /* not allowed in the current state */
#define CRM_ECORRUPT (-12) /* stored data disagrees with the ledger */
#define CRM_ECANCELED (-13) /* stopped on request (a progress callback) */
#endif

/* ---- log levels ------------------------------------------------------ */
#define CRM_LOG_ERROR 0
#define CRM_LOG_WARN 1
#define CRM_LOG_INFO 2
#define CRM_LOG_DEBUG 3

/* ---- lifecycle stages (shared with crm/crm.h) ------------------------ */
#ifndef CRM_STAGES_DEFINED
#define CRM_STAGES_DEFINED
#define CRM_STAGE_NONE 0
#define CRM_STAGE_PROSPECT 1
#define CRM_STAGE_QUALIFIED 2
#define CRM_STAGE_PARKED 3
#define CRM_STAGE_FIRST_PURCHASE 4
#define CRM_STAGE_REPEAT 5
#define CRM_STAGE_LOYAL 6
#define CRM_STAGE_AT_RISK 7
#define CRM_STAGE_LOST 8
#define CRM_STAGE_REACTIVATED 9
#define CRM_STAGE_COUNT 10
#endif

/* ---- component kinds -------------------------------------------------- */
#define CRM_KIND_SCORING 1
#define CRM_KIND_REWARD 2
#define CRM_KIND_CHANNEL 3
#define CRM_KIND_COMPLAINT 4

/* Opaque host handle given to every callback; identifies the plugin. */
typedef struct crm_host_ctx crm_host_ctx;

/* ---- views the host passes to plugins (borrowed, read-only) ----------- */

/* A customer as scoring and reward components see it. Times are UTC
 * seconds since the epoch, 0 when unknown; money in minor units. */
typedef struct crm_customer_view {
  uint32_t struct_size;
  int64_t customer_id;
  const char *external_id;
  const char *name;
  const char *email;
  const char *phone;
  const char *timezone; /* IANA name, e.g. "Europe/Paris" */
  int stage;            /* CRM_STAGE_* */
  int64_t created_at;
  int64_t first_purchase_at;
  int64_t last_purchase_at;
  int64_t purchase_count;  /* lifetime purchases */
  int64_t monetary_total;  /* lifetime net spend, minor units */
  int64_t points_balance;  /* derived from the ledger */
  int64_t contact_count;   /* contacts since the last purchase */
  const char *currency;    /* currency of monetary_total, may be NULL */
  /* 1.2 */
  const char *birthday;    /* "YYYY-MM-DD" or NULL when unknown */
} crm_customer_view;

/* An event as reward components see it. */
typedef struct crm_event_view {
  uint32_t struct_size;
  int64_t event_id;
  int64_t customer_id;
  const char *type; /* "purchase", "refund", "contact", ... */
  int64_t occurred_at;
  int64_t amount; /* minor units; >= 0 */
  const char *currency;
  int64_t quantity;
  const char *payload; /* JSON text or NULL */
  const char *idempotency_key;
  /* 1.2 */
  /* refund / cancel: the idempotency key of the purchase it gives money
   * back for (payload "refund_of"), NULL when it names none. */
  const char *refund_of;
} crm_event_view;

/* A message handed to a channel component. */
typedef struct crm_message_view {
  uint32_t struct_size;
  int64_t message_id;
  int64_t customer_id;
  const char *address; /* e-mail, phone, URL, as the channel needs */
  const char *subject;
  const char *body;
  int64_t created_at;
  const char *customer_timezone;
  /* 1.4 */
  /* The message's idempotency key ("crm-<store id>-<message id>", with
   * "-r<time>" added when an admin re-sends a message the provider had
   * accepted (crm outbox retry of a bounce)): the same on every attempt
   * of one message, never the same for two. A
   * channel passes it to the provider (Idempotency-Key header, SMTP
   * Message-ID) so that an attempt repeated after a crash between the
   * provider's acknowledgement and ours is not delivered twice. */
  const char *idempotency_key;
  const char *channel;  /* the channel ("email", "sms"): the route's name,
                           the component's own name when no routes */
  const char *template; /* the template's name, NULL for an ad-hoc message */
  const char *language; /* the template variant's language tag, or NULL */
  int priority;         /* CRM_PRIORITY_* */
  int attempt;          /* 1 on the first attempt */
  const char *customer_name;   /* for "To: Name <address>"; may be "" */
  const char *external_id;     /* the customer's external id */
  /* The customer's one-click unsubscribe URL for this channel, or NULL
   * (communication.unsubscribe_url in the admin config). */
  const char *unsubscribe_url;
} crm_message_view;

/* crm_message_view.priority */
#define CRM_PRIORITY_MARKETING 0 /* consent, caps, pause and quiet hours */
#define CRM_PRIORITY_SERVICE 1   /* about an order, a case: passes caps and
                                    needs no opt-in; opt-out, do-not-contact
                                    and quiet hours still hold */

/* The standard case states (1.5). The core's SLA, reopen, merge and
 * survey rules key on these names (case-insensitive): "Waiting on
 * customer" pauses the SLA clocks, "Resolved" stops the resolution clock
 * and opens the reopen window, "Closed", "Rejected" and "Duplicate" are
 * final. A handler may add states of its own (they count as in progress);
 * a 1.0-1.4 handler's last state is final too. */
#define CRM_CASE_NEW "New"
#define CRM_CASE_ASSIGNED "Assigned"
#define CRM_CASE_IN_PROGRESS "In progress"
#define CRM_CASE_WAITING "Waiting on customer"
#define CRM_CASE_RESOLVED "Resolved"
#define CRM_CASE_CLOSED "Closed"
#define CRM_CASE_REJECTED "Rejected"
#define CRM_CASE_DUPLICATE "Duplicate"

/* A complaint case handed to a complaint component. */
typedef struct crm_case_view {
  uint32_t struct_size;
  int64_t case_id;
  int64_t customer_id;
  const char *state;
  const char *category;
  const char *summary;
  int64_t opened_at;
  int64_t updated_at;
  /* 1.5 */
  const char *number;   /* "C-000042" */
  int priority;         /* 1 (urgent) .. 4 (low) */
  const char *origin;   /* channel of origin: "email", "phone", "web" ... */
  const char *owner;    /* "" unassigned */
  const char *team;     /* "" none */
  int reopen_count;
  const char *actor;    /* who asks for this open or move ("api") */
  /* On a move to Resolved: the compensation the agent asked for (goodwill
   * points in the reward scheme, and/or a reward item as a voucher); the
   * decision starts with the same values (see crm_case_decision). */
  int64_t comp_points;
  const char *comp_item; /* "" none */
  /* The customer's words: the summary, then their messages on the case,
   * up to 4 KiB (cut on a UTF-8 boundary); open and classify see the
   * summary only (a new case has no messages yet). */
  const char *customer_text;
  int64_t closed_at;     /* cases_walk: 0 while open */
} crm_case_view;

/* ---- results plugins fill in (host-allocated, zeroed, sized) --------- */

/* crm_send_result.outcome (1.4) */
#define CRM_SEND_SENT 0         /* the provider accepted the message */
#define CRM_SEND_TEMPORARY 1    /* try again later (5xx, timeout, 4xx SMTP,
                                   connection refused) */
#define CRM_SEND_PERMANENT 2    /* never deliverable to this address (SMTP
                                   5xx on the recipient, 4xx HTTP other
                                   than 408/429): the message is dead and
                                   the address is marked bad */
#define CRM_SEND_RATE_LIMITED 3 /* the provider said slow down (HTTP 429,
                                   SMTP 421/451 rate): the whole channel
                                   slows down; the attempt does not count */
#define CRM_SEND_REJECTED 4     /* the message itself is wrong for this
                                   provider (too long, bad content, HTTP 400
                                   / 413 / 422): dead, the address is not
                                   blamed */

#define CRM_SEND_REF_MAX 255
#define CRM_SEND_DETAIL_MAX 511

typedef struct crm_send_result {
  uint32_t struct_size;
  int outcome;                              /* CRM_SEND_* */
  char provider_ref[CRM_SEND_REF_MAX + 1];  /* provider's id, when sent */
  /* The provider's own words: "550 5.1.1 mailbox unavailable",
   * "HTTP 500: upstream timeout"; lowercase not required. */
  char detail[CRM_SEND_DETAIL_MAX + 1];
  /* RATE_LIMITED / TEMPORARY: the provider's Retry-After in milliseconds,
   * 0 when it gave none (the core's backoff then applies). */
  int64_t retry_after_ms;
  int provider_status;                      /* HTTP or SMTP code, 0: none */
} crm_send_result;

typedef struct crm_reward_result {
  uint32_t struct_size;
  int64_t points; /* to credit (>0) or take back (<0) for this event */
  char note[96];  /* why, shown in the ledger */
  /* 1.2: all zero means "the scheme's rules" */
  /* 0: the scheme's pending period (its return window); -1: available at
   * once; > 0: pending until this UTC time (e.g. a year-end rebate). */
  int64_t pending_until;
  /* 0: the scheme's expiry rule; -1: never expires; > 0: this UTC time. */
  int64_t expires_at;
  /* Tier-qualifying activity this event adds (negative on a return):
   * credits such as qualifying miles, and a count such as flights,
   * visits or cars. Spend is taken from the event by the core. */
  int64_t tier_credits;
  int64_t tier_count;
  uint32_t flags; /* CRM_RESULT_* */
} crm_reward_result;

/* crm_reward_result.flags */
/* The tier multiplier does not apply to these points (a fixed bonus). */
#define CRM_RESULT_NO_MULTIPLIER 0x1u
/* The scheme's daily/monthly earning caps do not apply (a settlement). */
#define CRM_RESULT_NO_CAP 0x2u

typedef struct crm_case_decision {
  uint32_t struct_size;
  char state[32];    /* state to start in / next state */
  char category[32]; /* classification, "" = keep */
  int priority;      /* 1 (urgent) .. 4 (low); 0 = keep */
  /* 1.5 */
  /* Why (shown with the case): "keywords: late, parcel; bayes 0.93
   * delivery; customer at risk: priority 2 -> 1". "" none. */
  char reason[256];
  /* A move to Resolved: the compensation to grant. The host fills these
   * with what the agent asked for; the handler may keep, change (an
   * airline's fixed amount) or clear them. The core checks them against
   * the category's limits (complaints.compensation) and writes them to
   * the ledger once per resolution. Ignored on other moves. */
  int64_t comp_points;
  char comp_item[33];
  char comp_note[96];
} crm_case_decision;

/* Which cases host->cases_walk visits (1.5). */
typedef struct crm_case_filter {
  uint32_t struct_size;
  int64_t customer_id; /* 0: all */
  uint32_t flags;      /* CRM_CASES_* */
  int64_t since;       /* opened_at >= since; 0: from the start */
  int64_t until;       /* opened_at < until; 0: no end */
} crm_case_filter;

#define CRM_CASES_CLOSED 0x1u /* only cases in a final state (not
                                 Duplicate), e.g. to train on */

/* Called for each case in id order; the view is valid during the call
 * (customer_text and closed_at are set). Non-zero stops the walk. */
typedef int (*crm_case_cb)(void *ud, const crm_case_view *c);

/* ---- scoring (1.3) ------------------------------------------------------ */

/* One factor of a score's explanation: what moved the score and by how
 * much, signed, in the unit the model documents (points of the score,
 * log-odds, minor units of money). */
typedef struct crm_score_factor {
  uint32_t struct_size;
  const char *factor;  /* "recency", "source=web", "p_alive"; 1..64 bytes */
  double contribution; /* finite */
  const char *detail;  /* optional, up to 128 bytes: "12 days ago" */
} crm_score_factor;

/* At most this many factors are stored with one score. */
#define CRM_SCORE_FACTORS_MAX 16

/* A score with its explanation, for host->score_write. The factors are
 * an array of n_factors elements, each of the plugin's
 * sizeof(crm_score_factor) (the host steps by factors[0].struct_size). */
typedef struct crm_score_value {
  uint32_t struct_size;
  const char *name; /* score name within the model; 1..64 bytes */
  double value;     /* finite */
  const char *label;                /* optional, up to 256 bytes */
  const crm_score_factor *factors;  /* may be NULL when n_factors is 0 */
  uint32_t n_factors;               /* 0..CRM_SCORE_FACTORS_MAX */
} crm_score_value;

/* Which stored events host->events_walk visits. */
typedef struct crm_event_filter {
  uint32_t struct_size;
  /* 0: every customer, in customer id order; else that customer only. */
  int64_t customer_id;
  /* Comma-separated event types ("purchase,refund"); NULL: all types. */
  const char *types;
  int64_t since; /* occurred_at >= since; 0: from the start */
  int64_t until; /* occurred_at < until; 0: no end */
} crm_event_filter;

/* Called for each event, in (customer id, occurred_at, event id) order.
 * The view and its strings are valid during the call only. Non-zero
 * stops the walk and is returned by events_walk. */
typedef int (*crm_event_cb)(void *ud, const crm_event_view *ev);

/* A fit (batch) request: learn the model from every customer's data up
 * to as_of, store its parameters with host->figure_put, and, with
 * CRM_FIT_SCORE, score every customer with the new parameters. */
typedef struct crm_fit_request {
  uint32_t struct_size;
  int64_t as_of; /* UTC seconds: the data's end and the model's "now" */
  uint32_t flags; /* CRM_FIT_* */
} crm_fit_request;

#define CRM_FIT_SCORE 0x1u

/* Which customers host->customers_walk visits. */
typedef struct crm_customer_filter {
  uint32_t struct_size;
  /* Bit mask of 1u << CRM_STAGE_*; 0: every stage. Bits of stages the
   * host does not know match no customer. */
  uint32_t stages;
  int64_t after_id; /* only ids > after_id (to resume); 0: from the start */
} crm_customer_filter;

/* Called for each customer, in id order. The view and its strings are
 * valid during the call only. Non-zero stops the walk and is returned by
 * customers_walk (a negative code with the message the callback set). */
typedef int (*crm_customer_cb)(void *ud, const crm_customer_view *c);

/* ---- host services: the function table (grows at the end only) ------- */

typedef struct crm_host_api {
  uint32_t struct_size;
  uint16_t abi_major;
  uint16_t abi_minor;

  /* 1.0 */
  void (*log)(crm_host_ctx *ctx, int level, const char *fmt, ...)
      CRM__PRINTF(3, 4);
  /* Records the error message for the current callback; returns code. */
  int (*set_error)(crm_host_ctx *ctx, int code, const char *fmt, ...)
      CRM__PRINTF(3, 4);
  void *(*alloc)(crm_host_ctx *ctx, size_t size);
  void (*free)(crm_host_ctx *ctx, void *ptr);
  /* The plugin's own `config` group. Paths use libconfig syntax relative
   * to it ("rate", "tiers.gold"). CRM_ENOTFOUND leaves *out untouched, so
   * preset the default. CRM_EINVAL: present but of another type. */
  int (*cfg_get_str)(crm_host_ctx *ctx, const char *path, const char **out);
  int (*cfg_get_int)(crm_host_ctx *ctx, const char *path, int64_t *out);
  int (*cfg_get_float)(crm_host_ctx *ctx, const char *path, double *out);
  int (*cfg_get_bool)(crm_host_ctx *ctx, const char *path, int *out);
  /* Plugin-scoped persistent key-value store. kv_put(NULL) deletes.
   * Keys are 1 to 192 bytes (an event's idempotency key, at most 128,
   * fits with a prefix of up to 64), values up to 64 KiB; longer is
   * CRM_ERANGE. A missing key is CRM_ENOTFOUND, a normal answer. */
  int (*kv_get)(crm_host_ctx *ctx, const char *key, char **out_value);
  int (*kv_put)(crm_host_ctx *ctx, const char *key, const char *value);

  /* 1.1 */
  /* Ingests an event on behalf of the plugin (e.g. "tier_changed"); the
   * idempotency key is required and scoped to the plugin. */
  int (*emit_event)(crm_host_ctx *ctx, int64_t customer_id, const char *type,
                    const char *payload_json, const char *idempotency_key);
  /* Stores one score of this plugin for a customer. */
  int (*score_put)(crm_host_ctx *ctx, int64_t customer_id, const char *name,
                   double value, const char *label);
  /* Fills a view of one customer; its strings stay valid until the
   * callback returns or the plugin calls customer_get again (copy what
   * must outlive that). */
  int (*customer_get)(crm_host_ctx *ctx, int64_t customer_id,
                      crm_customer_view *out);
  /* The host's clock (UTC seconds); tests and replays may fix it. */
  int64_t (*now)(crm_host_ctx *ctx);

  /* 1.2 */
  /* A customer attribute (crm customer attrs) copied into buf.
   * CRM_ENOTFOUND: no such customer or attribute; CRM_ERANGE: buf too
   * small (nothing copied). */
  int (*customer_attr)(crm_host_ctx *ctx, int64_t customer_id,
                       const char *name, char *buf, size_t size);
  /* JSON look-up with SQLite JSON path syntax ("$.segments[1].from").
   * Strings come unquoted, numbers as text, arrays and objects as JSON.
   * CRM_ENOTFOUND: absent or null; CRM_EINVAL: not JSON or a bad path;
   * CRM_ERANGE: buf too small. */
  int (*json_get)(crm_host_ctx *ctx, const char *json, const char *path,
                  char *buf, size_t size);
  /* Length of the array at path. CRM_ENOTFOUND: absent; CRM_EINVAL: not
   * an array, not JSON or a bad path. */
  int (*json_len)(crm_host_ctx *ctx, const char *json, const char *path,
                  int64_t *n);
  /* A string setting naming a file, resolved against the directory of
   * the admin config file when relative (so a vendor pack's data file
   * sits beside its config). Errors as cfg_get_str; CRM_ERANGE when the
   * result does not fit in buf. */
  int (*cfg_get_path)(crm_host_ctx *ctx, const char *path, char *buf,
                      size_t size);

  /* 1.3 */
  /* Stores one score with its explanation under the component being
   * called (replacing that customer's score of the same name). Does not
   * allocate. CRM_EINVAL: empty name, a value or contribution that is
   * not finite, more than CRM_SCORE_FACTORS_MAX factors; CRM_ERANGE: a
   * text too long; CRM_ENOTFOUND: no such customer. */
  int (*score_write)(crm_host_ctx *ctx, int64_t customer_id,
                     const crm_score_value *s);
  /* Visits the stored events that match f (see crm_event_filter). */
  int (*events_walk)(crm_host_ctx *ctx, const crm_event_filter *f,
                     crm_event_cb cb, void *ud);
  /* A fit step reports how far it is (done of total, in any unit it
   * likes, total 0 when unknown). CRM_ECANCELED: the user asked to stop;
   * return that code from fit, and the host rolls the fit back. */
  int (*progress)(crm_host_ctx *ctx, int64_t done, int64_t total);
  /* Model-level figures of the component being called (fitted
   * parameters, log-likelihood, company NPS), kept until replaced. A
   * fit starts with none: the figures it does not write again are gone
   * once it succeeds (a failed fit keeps the old ones). */
  int (*figure_put)(crm_host_ctx *ctx, const char *name, double value,
                    const char *label);
  /* Any model's figure (model NULL: the component being called), e.g.
   * churn reading clv's fitted parameters. CRM_ENOTFOUND: none. */
  int (*figure_get)(crm_host_ctx *ctx, const char *model, const char *name,
                    double *value);
  /* A stored score of any model (model NULL: the component being
   * called). CRM_ENOTFOUND: none. */
  int (*score_get)(crm_host_ctx *ctx, int64_t customer_id,
                   const char *model, const char *name, double *value);
  /* 1.3 */
  /* Visits the customers that match f (see crm_customer_filter) without
   * loading them into memory; a callback may call host services, walk
   * again included. */
  int (*customers_walk)(crm_host_ctx *ctx, const crm_customer_filter *f,
                        crm_customer_cb cb, void *ud);
  /* 1.5 */
  /* Visits the complaint cases that match f (see crm_case_filter). */
  int (*cases_walk)(crm_host_ctx *ctx, const crm_case_filter *f,
                    crm_case_cb cb, void *ud);
} crm_host_api;

/* ---- component vtables: one per kind, each starts with struct_size ---- */

/* Scoring: rank or score customers. score_batch is mandatory. */
typedef struct crm_scoring_v1 {
  uint32_t struct_size;
  /* Scores a population as of as_of; stores results with host->score_put. */
  int (*score_batch)(void *state, crm_host_ctx *ctx,
                     const crm_customer_view *const *customers, size_t n,
                     int64_t as_of);
  /* Optional cheap update after each event of one customer. */
  int (*score_one)(void *state, crm_host_ctx *ctx,
                   const crm_customer_view *customer, int64_t as_of);
  /* 1.3, optional */
  /* The fit step (crm score fit): a batch over all customers that
   * learns the model's parameters; reports host->progress. */
  int (*fit)(void *state, crm_host_ctx *ctx, const crm_fit_request *req);
  /* The score step: one customer, cheap, called inside the transaction
   * of each new event with that event (instead of score_one when both
   * exist), and by the core when a lifecycle rule asks this model about
   * a customer (ev NULL then). Must not allocate per call. */
  int (*score_event)(void *state, crm_host_ctx *ctx, const crm_event_view *ev,
                     const crm_customer_view *customer, int64_t as_of);
} crm_scoring_v1;

/* Reward: points for an event. on_event is mandatory. The core writes
 * the ledger from the result; a plugin never writes balances itself.
 *
 * The core owns everything around the number: the scheme's pending
 * period, lots and expiry, tier multipliers (a second ledger line),
 * earning caps and minimum spend, redemption and transfers (the `scheme`
 * group of the plugin's entry in crm.conf).
 *
 * Positive points are earned; negative points are taken back (from the
 * scheme's pending lots first, newest first, then available lots; a
 * shortfall is recorded or the balance goes negative as the scheme
 * says). With CRM_REWARD_CORE_REFUNDS the core itself reverses a refund
 * or cancel that names its purchase (refund_of): exactly what that
 * purchase earned, pro rata to the amount refunded, never twice; the
 * plugin is still called (to update its own state) but its points for
 * such an event are ignored. */
typedef struct crm_reward_v1 {
  uint32_t struct_size;
  int (*on_event)(void *state, crm_host_ctx *ctx, const crm_event_view *ev,
                  const crm_customer_view *customer, crm_reward_result *out);
  /* 1.2 */
  uint32_t flags; /* CRM_REWARD_* */
} crm_reward_v1;

/* crm_reward_v1.flags */
#define CRM_REWARD_CORE_REFUNDS 0x1u

/* Channel: deliver one message. send is mandatory unless deliver (1.4)
 * is set. provider_ref receives the provider's message id, if any. */
typedef struct crm_channel_v1 {
  uint32_t struct_size;
  int (*send)(void *state, crm_host_ctx *ctx, const crm_message_view *msg,
              char *provider_ref, size_t provider_ref_size);
  /* 1.4, optional: preferred over send when set (send may then be NULL).
   * Delivers one message and classifies the provider's answer in out
   * (host-allocated, zeroed, struct_size set). Returns 0 whenever out
   * says what happened, whatever the outcome; a negative CRM_E* return
   * (with set_error) is taken as CRM_SEND_TEMPORARY. */
  int (*deliver)(void *state, crm_host_ctx *ctx, const crm_message_view *msg,
                 crm_send_result *out);
} crm_channel_v1;

/* Complaint: a case state machine (a handler), or a triage component.
 *
 * A handler: states is a NULL-terminated list, the first being where
 * cases open; open and transition are mandatory. A 1.5 handler lists the
 * standard states (CRM_CASE_*), possibly with its own.
 *
 * A triage component (1.5): states NULL, open and transition NULL,
 * classify set. On every new case the core calls each loaded triage
 * component's classify (load order) before the handler's open; what the
 * caller gave (category, priority) is kept, the rest comes from the last
 * triage that set it, with its reason. */
typedef struct crm_complaint_v1 {
  uint32_t struct_size;
  const char *const *states;
  /* Classifies a new case; may set state, category and priority. */
  int (*open)(void *state, crm_host_ctx *ctx, const crm_case_view *c,
              crm_case_decision *out);
  /* Allows (0) or refuses (CRM_ESTATE + set_error) a move to `to`.
   * out->state "" means `to`; category "" and priority 0 keep the
   * case's. On a move to Resolved it may change the compensation in out
   * (pre-filled with the agent's request by crm_case_resolve; a plain
   * move to Resolved has none and grants nothing): fill out, do not
   * zero it whole. */
  int (*transition)(void *state, crm_host_ctx *ctx, const crm_case_view *c,
                    const char *to, crm_case_decision *out);
  /* 1.5, optional */
  /* Sets category, priority (and reason) of a new case; out->state is
   * ignored. Called (and train too) only for a triage component, one
   * with states, open and transition NULL: a handler's classify and
   * train are never called. A plugin may carry a handler and a triage
   * component side by side. */
  int (*classify)(void *state, crm_host_ctx *ctx, const crm_case_view *c,
                  crm_case_decision *out);
  /* Learns from the closed cases (host->cases_walk) up to req->as_of and
   * keeps the model (host->kv_put, figure_put); crm case train. */
  int (*train)(void *state, crm_host_ctx *ctx, const crm_fit_request *req);
} crm_complaint_v1;

/* ---- descriptor ------------------------------------------------------- */

typedef struct crm_component {
  uint32_t struct_size;
  uint32_t kind;          /* CRM_KIND_* */
  const char *name;       /* unique in the core, e.g. "rfm" */
  const char *description;
  const void *vtable;     /* crm_scoring_v1 *, crm_reward_v1 *, ... */
} crm_component;

typedef struct crm_plugin_desc {
  uint32_t magic; /* CRM_PLUGIN_MAGIC */
  uint32_t struct_size;
  uint16_t abi_major;
  uint16_t abi_minor;
  const char *build_sig; /* CRM_SDK_BUILD_SIG */
  const char *name;      /* must be unique among loaded plugins */
  const char *version;
  const char *vendor;
  const char *license;
  const char *description;
  const crm_component *const *components;
  uint32_t n_components;
  /* Mandatory: create the plugin's state. Config is read through ctx. */
  int (*init)(const crm_host_api *api, crm_host_ctx *ctx, void **state);
  /* Mandatory: release the state. */
  void (*fini)(void *state, crm_host_ctx *ctx);

  /* 1.1, optional */
  int (*start)(void *state, crm_host_ctx *ctx);
  void (*stop)(void *state, crm_host_ctx *ctx);
  /* The config group changed; re-read it. Absent: the host calls
   * stop, fini, init, start instead. */
  int (*reconfigure)(void *state, crm_host_ctx *ctx);
} crm_plugin_desc;

/* The fixed leading fields every descriptor version shares. */
#define CRM_PLUGIN_DESC_HEADER                                              \
  .magic = CRM_PLUGIN_MAGIC, .struct_size = sizeof(crm_plugin_desc),       \
  .abi_major = CRM_SDK_ABI_MAJOR, .abi_minor = CRM_SDK_ABI_MINOR,          \
  .build_sig = CRM_SDK_BUILD_SIG

/* Size of the first descriptor version: the loader refuses anything
 * smaller. */
#define CRM_PLUGIN_DESC_V1_0_SIZE                                           \
  (offsetof(crm_plugin_desc, fini) + sizeof(void (*)(void)))

typedef const crm_plugin_desc *(*crm_plugin_entry_fn)(void);

/* Emits the one exported symbol. A function, not data: dlsym is only
 * guaranteed to work on functions (PostgreSQL's reasoning). */
#define CRM_PLUGIN_DEFINE(desc_var)                                         \
  CRM_EXPORT const crm_plugin_desc *crm_plugin_entry(void);                \
  CRM_EXPORT const crm_plugin_desc *crm_plugin_entry(void) {               \
    return &(desc_var);                                                    \
  }

#ifdef __cplusplus
}
#endif
#endif /* CRM_SDK_H */
