/*
 * crm/crm.h - the public C API of libcrmcore.
 *
 * What the `crm` command, a daemon or an embedding program call. Every
 * function returns 0 (CRM_OK) or a negative CRM_E* code; the message of the
 * last failure is kept in the handle: crm_errmsg(). Bad input is refused
 * before anything is written, so a failed call changes nothing.
 *
 * Time is UTC seconds since the epoch (int64_t). Money is integer minor
 * units with an ISO 4217 currency code. Points are integers.
 */
#ifndef CRM_CRM_H
#define CRM_CRM_H

#include <stddef.h>
#include <stdint.h>

#include "crm/sdk.h" /* error codes, stages, kinds */

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define CRM_API __attribute__((visibility("default")))
#else
#define CRM_API
#endif

#define CRM_VERSION "0.1.0"

/* Field limits (bytes, without the terminating NUL). Longer input is
 * refused with CRM_ERANGE. */
#define CRM_EXTID_MAX 64
#define CRM_NAME_MAX 200
#define CRM_EMAIL_MAX 254
#define CRM_PHONE_MAX 32
#define CRM_TZ_MAX 64
#define CRM_ATTR_KEY_MAX 64
#define CRM_ATTR_VALUE_MAX 1024
#define CRM_EVENT_TYPE_MAX 32
#define CRM_IDEM_KEY_MAX 128
#define CRM_PAYLOAD_MAX 8192

typedef struct crm crm;

/* ---- open, close, errors --------------------------------------------- */

#define CRM_OPEN_CREATE 0x1   /* create the store if it does not exist */
#define CRM_OPEN_READONLY 0x2 /* never write (reports, plugin listing) */

/* Opens (and migrates forward) the store at path; ":memory:" works.
 * As with sqlite3_open, *out is set even on failure (unless memory ran
 * out) so crm_errmsg() can tell why; crm_close() it either way. */
CRM_API int crm_open(crm **out, const char *store_path, unsigned flags);
CRM_API void crm_close(crm *c);
CRM_API const char *crm_errmsg(const crm *c);
CRM_API int crm_errcode(const crm *c);
CRM_API const char *crm_strerror(int code);
CRM_API int crm_schema_version(crm *c);

/* Fixes the clock (UTC seconds) for replays and tests; 0 = real time. */
CRM_API void crm_set_now(crm *c, int64_t now);
CRM_API int64_t crm_now(crm *c);

/* A UTC instant as wall time in an IANA zone, read by the core from the
 * system tz database ($TZDIR, else the built-in zoneinfo directory)
 * without touching the process time zone. */
typedef struct crm_local_time {
  int year, month, day;      /* month 1..12, day 1..31 */
  int hour, minute, second;
  int weekday;               /* 0 Sunday .. 6 Saturday */
  int utc_offset;            /* seconds east of UTC */
  char abbrev[16];           /* "CEST", "EST", "UTC" */
} crm_local_time;
/* zone NULL or "" (or "UTC"): UTC. CRM_ENOTFOUND for an unknown zone,
 * CRM_EINVAL for a damaged zone file (message set). */
CRM_API int crm_time_local(crm *c, const char *zone, int64_t utc,
                           crm_local_time *out);

/* Log sink for core and plugin messages (default: stderr, warnings up). */
typedef void (*crm_log_fn)(void *ud, int level, const char *source,
                           const char *msg);
CRM_API void crm_set_log(crm *c, crm_log_fn fn, void *ud, int max_level);

/* ---- admin configuration and plugins ---------------------------------- */

/* Reads the libconfig file, applies lifecycle thresholds and loads the
 * enabled plugins. An optional plugin that fails is recorded and skipped;
 * a `required` one makes this return CRM_EPLUGIN with its refusal.
 * extra_plugin_dir (absolute, may be NULL) is searched before the
 * configured paths. */
CRM_API int crm_load_config(crm *c, const char *conf_path,
                            const char *extra_plugin_dir);
/* Re-reads the same file: plugins are reconfigured (or stopped and
 * started), newly enabled ones loaded, disabled ones stopped. */
CRM_API int crm_reload_config(crm *c);

/* The store named by the config's store.path, resolved against the
 * file's directory: CRM_OK and the path in buf, CRM_ENOTFOUND when the
 * file names none, or an error with "FILE:LINE: reason" in buf. */
CRM_API int crm_config_store_path(const char *conf_path, char *buf,
                                  size_t buf_size);

/* Checks a config file without applying it. On error, errbuf gets
 * "FILE:LINE: reason". */
CRM_API int crm_config_check(const char *conf_path, char *errbuf,
                             size_t errbuf_size);

typedef struct crm_plugin_info {
  const char *name;
  const char *path;
  const char *state; /* "loaded", "disabled", "refused", "failed" */
  const char *reason;
  const char *version;
  const char *vendor;
  const char *components; /* "rfm:scoring,..." */
  int required;
  int64_t updated_at;
} crm_plugin_info;

/* Lists plugin states as last recorded in the store. */
CRM_API int crm_plugins_foreach(crm *c,
                                int (*cb)(void *ud, const crm_plugin_info *),
                                void *ud);

/* Validates a plugin file in a forked child, without loading it into the
 * calling process. On refusal, msg holds the refusal; on success a one-
 * line summary (name, version, components). The child runs without exec:
 * call it from a single-threaded program (as the crm command is).
 * CRM_PLUGIN_CHECK_TIMEOUT (seconds, default 60) bounds the check. */
CRM_API int crm_plugin_check(const char *so_path, char *msg, size_t msg_size);

/* ---- customers -------------------------------------------------------- */

/* Input for add and update: NULL fields are not set / left unchanged.
 * birthday is YYYY-MM-DD; timezone an IANA name (default "UTC"). */
typedef struct crm_customer_fields {
  const char *external_id;
  const char *name;
  const char *email;
  const char *phone;
  const char *timezone;
  const char *birthday;
} crm_customer_fields;

typedef struct crm_customer {
  int64_t id;
  char external_id[CRM_EXTID_MAX + 1];
  char name[CRM_NAME_MAX + 1];
  char email[CRM_EMAIL_MAX + 1];
  char phone[CRM_PHONE_MAX + 1];
  char timezone[CRM_TZ_MAX + 1];
  char birthday[11];
  int stage; /* CRM_STAGE_* */
  int64_t stage_since;
  int64_t created_at;
  int64_t updated_at;
  int64_t first_purchase_at;
  int64_t last_purchase_at;
  int64_t purchase_count;
  int64_t monetary_total;
  char currency[4];
  int64_t points_balance;
  int64_t contact_count;
  int man_money, man_authority, man_need; /* -1 unknown, 0 no, 1 yes */
} crm_customer;

CRM_API int crm_customer_add(crm *c, const crm_customer_fields *f,
                             int64_t *id_out);
CRM_API int crm_customer_update(crm *c, int64_t id,
                                const crm_customer_fields *f);
CRM_API int crm_customer_get(crm *c, int64_t id, crm_customer *out);

#define CRM_FIND_ID 0
#define CRM_FIND_EXTERNAL_ID 1
#define CRM_FIND_EMAIL 2
/* Finds one customer by id (decimal text), external id or e-mail
 * (case-insensitive). */
CRM_API int crm_customer_find(crm *c, int by, const char *key,
                              crm_customer *out);
/* Resolves "#123" / "123" (id), an external id, or an e-mail. */
CRM_API int crm_customer_resolve(crm *c, const char *ref, crm_customer *out);

typedef struct crm_attr {
  const char *key;
  const char *value; /* NULL deletes */
} crm_attr;

/* Adds the customer, or updates the one with the same external id (which
 * f must then carry), and sets the attributes: all or nothing, in one
 * transaction. *added (may be NULL) is 1 for a new customer. */
CRM_API int crm_customer_upsert(crm *c, const crm_customer_fields *f,
                                const crm_attr *attrs, size_t n_attrs,
                                int64_t *id_out, int *added);

/* Updates customer id's fields (NULL: unchanged, "": cleared) and sets
 * or deletes the attributes: all or nothing, in one transaction. */
CRM_API int crm_customer_modify(crm *c, int64_t id,
                                const crm_customer_fields *f,
                                const crm_attr *attrs, size_t n_attrs);

/* Custom attributes; value NULL deletes. */
CRM_API int crm_customer_set_attr(crm *c, int64_t id, const char *key,
                                  const char *value);
CRM_API int crm_customer_get_attr(crm *c, int64_t id, const char *key,
                                  char *buf, size_t buf_size);
CRM_API int crm_customer_attrs_foreach(crm *c, int64_t id,
                                       int (*cb)(void *ud, const char *key,
                                                 const char *value),
                                       void *ud);

/* Iterates customers ordered by id; stage < 0 means all. A non-zero
 * return from cb stops the walk and is returned. */
CRM_API int crm_customers_foreach(crm *c, int stage,
                                  int (*cb)(void *ud, const crm_customer *),
                                  void *ud);

/* ---- lifecycle --------------------------------------------------------- */

CRM_API const char *crm_stage_name(int stage);
/* Parses "prospect", "at_risk" / "at-risk", ...; -1 if unknown. */
CRM_API int crm_stage_parse(const char *name);

typedef struct crm_transition {
  int64_t id;
  int64_t customer_id;
  int from_stage;
  int to_stage;
  int64_t at;
  int64_t cause_event_id; /* 0 when a rule caused it */
  const char *cause;      /* "event purchase #12" or "rule at_risk: ..." */
} crm_transition;

CRM_API int crm_transitions_foreach(crm *c, int64_t customer_id,
                                    int (*cb)(void *ud,
                                              const crm_transition *),
                                    void *ud);

/* Applies the time rules (at risk, lost) that fell due up to as_of, for
 * the customers due only (no full scan). n_changed may be NULL. */
CRM_API int crm_lifecycle_advance(crm *c, int64_t as_of, size_t *n_changed);

/* ---- events ------------------------------------------------------------ */

/* Known types: purchase, refund, contact, qualify (payload
 * {"money":true,"authority":true,"need":false}), complaint (payload
 * {"summary":"..","category":".."}); any other [a-z0-9_.]{1,32} is stored
 * and handed to plugins. */
typedef struct crm_event {
  const char *type;
  int64_t customer_id;      /* or 0 and customer_ref */
  const char *customer_ref; /* external id, e-mail or "#id" */
  int64_t occurred_at;      /* UTC seconds; 0 = now */
  int64_t amount;           /* minor units, >= 0 */
  const char *currency;     /* ISO 4217, required with an amount */
  int64_t quantity;         /* >= 0; 0 means 1 for purchases */
  const char *payload;      /* JSON object or NULL */
  const char *idempotency_key; /* required, unique per event */
} crm_event;

typedef struct crm_ingest_result {
  int64_t event_id;
  int duplicate;      /* 1: the key was seen before, nothing applied */
  int64_t points;     /* net points written by reward components */
  int stage_before;
  int stage_after;
} crm_ingest_result;

/* Records the event once (by idempotency key) and applies it: lifecycle,
 * reward components, scoring updates, complaint cases, in one
 * transaction. A replayed key returns 0 with duplicate = 1. */
CRM_API int crm_event_ingest(crm *c, const crm_event *ev,
                             crm_ingest_result *out);

/* Batches: everything between begin and commit is one transaction. An
 * event that fails inside a batch is rolled back alone. */
CRM_API int crm_begin(crm *c);
CRM_API int crm_commit(crm *c);
CRM_API int crm_rollback(crm *c);

/* ---- points ------------------------------------------------------------ */
/*
 * The loyalty engine (core/ledger.c, points_*.c, tier.c, redeem.c,
 * voucher.c, scheme*.c). Each reward
 * component is a scheme ("air_miles", "supermarket_points", ...) with its
 * own account per customer; the scheme's rules (pending period, expiry,
 * tiers, caps, transfers, catalogue) come from the `scheme` group of the
 * plugin's entry in crm.conf. In the calls below a NULL scheme means "the
 * only reward scheme loaded" (CRM_EINVAL naming the choices when there
 * are several).
 *
 * The ledger is the truth: every change of a balance is an entry naming
 * its event and scheme; cached balances are checked against the sums.
 */

/* Total available points over all schemes, derived from the ledger;
 * CRM_ECORRUPT when the cached balance disagrees with the ledger sum. */
CRM_API int crm_points_balance(crm *c, int64_t customer_id,
                               int64_t *balance);

/* Ledger entry kinds. */
#define CRM_LEDGER_KINDS                                                    \
  "earn, pending_earn, release, spend, expire, reverse, adjust, "           \
  "transfer_in, transfer_out"

typedef struct crm_ledger_entry {
  int64_t id;
  int64_t customer_id;
  int64_t event_id;  /* the event it belongs to (0 for migrated entries) */
  const char *kind;  /* one of CRM_LEDGER_KINDS */
  int64_t points;    /* change of the available balance */
  const char *component; /* the scheme (reward component) */
  const char *note;
  int64_t at;        /* when it took effect (UTC) */
  int64_t pending;   /* change of the pending balance */
  int64_t lot_id;    /* the lot it created or acted on, 0 if none */
  int64_t ref_event_id; /* reverse: the event whose points it takes back */
  int64_t ref_entry_id; /* reverse of a spend (voucher void): the spend */
  const char *reason;   /* adjust: the admin's reason */
  int64_t recorded_at;
} crm_ledger_entry;

/* Every entry of the customer, all schemes, oldest first. */
CRM_API int crm_ledger_foreach(crm *c, int64_t customer_id,
                               int (*cb)(void *ud, const crm_ledger_entry *),
                               void *ud);
/* The same for one scheme (NULL: all). */
CRM_API int crm_ledger_foreach_scheme(crm *c, int64_t customer_id,
                                      const char *scheme,
                                      int (*cb)(void *ud,
                                                const crm_ledger_entry *),
                                      void *ud);

typedef struct crm_points_account {
  int64_t customer_id;
  char scheme[65];
  char unit[33];          /* "points", "miles", "EUR" ... from the scheme */
  int64_t balance;        /* available, = sum of the ledger's points */
  int64_t pending;        /* in the return window, = sum of pending */
  int64_t shortfall;      /* refunded points that could not be taken back
                           * yet; recovered from later earnings */
  int64_t overdraft;      /* how far below zero the balance is (schemes
                           * that allow a negative balance) */
  int64_t lifetime_earned;
  char tier[33];          /* "" when the scheme has no tiers */
  int64_t tier_since;
  int64_t tier_review_at; /* 0: no review due */
  int64_t tier_grace_until; /* 0: not in a downgrade grace period */
  int64_t opened_at;
} crm_points_account;

/* CRM_ENOTFOUND when the customer has no account in the scheme yet. */
CRM_API int crm_points_account_get(crm *c, int64_t customer_id,
                                   const char *scheme,
                                   crm_points_account *out);
CRM_API int crm_points_accounts_foreach(crm *c, int64_t customer_id,
                                        int (*cb)(void *ud,
                                                  const crm_points_account *),
                                        void *ud);
/* Checks every invariant of the customer's account(s) (scheme NULL: all
 * of them): balance and pending equal the ledger sums, each lot's
 * remaining equals its original minus what entries drew from it (no lot
 * spent twice), available lots less overdraft equal the balance, pending
 * lots equal pending. CRM_ECORRUPT with the first disagreement. */
CRM_API int crm_points_check(crm *c, int64_t customer_id,
                             const char *scheme);

typedef struct crm_points_lot {
  int64_t id;
  int64_t customer_id;
  const char *scheme;
  int64_t event_id;   /* the event that earned it */
  int64_t entry_id;   /* the entry that created it */
  int64_t earned_at;
  int64_t original;
  int64_t remaining;
  const char *state;  /* "pending", "available", "closed" */
  int64_t release_at; /* pending: when it can be spent; else 0 */
  int64_t expires_at; /* 0: never */
} crm_points_lot;

/* Lots of a customer in a scheme: available ones first in the order
 * spends draw them (soonest expiry first, never-expiring last), then
 * pending ones by release time, then (all != 0) closed ones. */
CRM_API int crm_points_lots_foreach(crm *c, int64_t customer_id,
                                    const char *scheme, int all,
                                    int (*cb)(void *ud,
                                              const crm_points_lot *),
                                    void *ud);

/* What an operation needs besides its amounts. */
typedef struct crm_points_op {
  const char *scheme;          /* NULL: the only reward scheme */
  const char *idempotency_key; /* required: a retry with the same key
                                * returns the first result, changes
                                * nothing */
  int64_t at;                  /* 0: now (crm_set_now or the clock) */
  const char *actor;           /* who, for the audit log; NULL: "api" */
  const char *reason;          /* required by adjust */
} crm_points_op;

/* An admin correction, positive or negative, with a reason. A negative
 * adjustment draws lots like a spend and may not take the balance below
 * zero unless the scheme allows it. */
CRM_API int crm_points_adjust(crm *c, int64_t customer_id, int64_t points,
                              const crm_points_op *op);
/* Moves available points between two members of the same scheme, within
 * the scheme's transfer limits (per calendar month, both sides). */
CRM_API int crm_points_transfer(crm *c, int64_t from_customer,
                                int64_t to_customer, int64_t points,
                                const crm_points_op *op);

/* Applies what has fallen due by as_of, in index order and only that (no
 * scan of all customers): pending lots released, lots expired, tier
 * reviews and downgrades. Also run for one customer before each of its
 * events and operations. */
typedef struct crm_due_stats {
  int64_t lots_released;
  int64_t points_released;
  int64_t lots_expired;
  int64_t points_expired;
  int64_t tier_reviews;
  int64_t tier_changes;
} crm_due_stats;
CRM_API int crm_points_process_due(crm *c, int64_t as_of,
                                   crm_due_stats *out);

/* One period of a customer's statement in a scheme. */
typedef struct crm_points_period {
  int64_t from, to;        /* [from, to) UTC */
  int64_t earned;          /* earn + pending_earn (tier bonus included) */
  int64_t released;
  int64_t reversed;        /* refunds and take-backs (negative) */
  int64_t spent;           /* spend + transfer_out (negative) */
  int64_t expired;         /* negative */
  int64_t adjusted;
  int64_t transferred_in;
  int64_t activity_count;  /* tier activity: flights, visits, cars */
  int64_t activity_credits;
  int64_t activity_spend;  /* minor units */
  int64_t balance_end;     /* available at the end of the period */
  int64_t pending_end;
} crm_points_period;

#define CRM_PERIOD_MONTH 1
#define CRM_PERIOD_QUARTER 3
#define CRM_PERIOD_YEAR 12
/* Periods (months per period: 1, 3, 12) covering [from, to), calendar
 * aligned in UTC, from the ledger and the activity records. */
CRM_API int crm_points_statement(crm *c, int64_t customer_id,
                                 const char *scheme, int64_t from,
                                 int64_t to, int months_per_period,
                                 int (*cb)(void *ud,
                                           const crm_points_period *),
                                 void *ud);

/* ---- schemes, tiers ------------------------------------------------------ */

typedef struct crm_scheme_info {
  const char *name;        /* the reward component */
  const char *plugin;
  const char *unit;
  int pending_days;
  const char *expiry;      /* human summary: "365 days after earning" */
  int allow_negative;
  const char *enroll;      /* "all" or "attr NAME=VALUE" */
  size_t n_tiers;
  int64_t limit_day, limit_month, min_spend; /* 0: none */
  int flags;               /* the component's CRM_REWARD_* flags */
} crm_scheme_info;
CRM_API int crm_schemes_foreach(crm *c,
                                int (*cb)(void *ud, const crm_scheme_info *),
                                void *ud);

typedef struct crm_tier_status {
  char scheme[65];
  char tier[33];           /* current */
  double multiplier;       /* of the current tier */
  int64_t since;
  int64_t review_at;       /* 0: none */
  int64_t grace_until;     /* 0: none */
  int64_t window_from, window_to; /* the rolling qualification window */
  int64_t points, credits, count, spend; /* qualifying sums in it */
  char qualifies_for[33];  /* the tier these sums qualify for */
  char next_tier[33];      /* "" at the top */
  /* What the next tier asks for (0: not a criterion); any one is
   * enough. */
  int64_t next_points, next_credits, next_count, next_spend;
} crm_tier_status;
CRM_API int crm_tier_status_get(crm *c, int64_t customer_id,
                                const char *scheme, int64_t as_of,
                                crm_tier_status *out);

typedef struct crm_tier_change {
  int64_t id;
  int64_t customer_id;
  const char *scheme;
  const char *from_tier;
  const char *to_tier;
  int64_t at;
  const char *reason;      /* "qualified on ...", "review: ...", ... */
  int64_t event_id;        /* the stored "tier_changed" event */
} crm_tier_change;
CRM_API int crm_tier_history_foreach(crm *c, int64_t customer_id,
                                     const char *scheme,
                                     int (*cb)(void *ud,
                                               const crm_tier_change *),
                                     void *ud);

/* ---- redemption ------------------------------------------------------------ */

typedef struct crm_reward_item {
  const char *scheme;
  const char *code;        /* catalogue code, e.g. "V5" */
  const char *name;
  const char *type;        /* "voucher", "free_item", "upgrade",
                            * "cash_rebate" */
  int64_t cost;            /* points */
  int64_t value;           /* minor units (voucher, rebate) or 0 */
  int64_t stock;           /* -1: unlimited */
  int64_t issued;          /* vouchers issued and not voided */
  int64_t valid_from, valid_until; /* 0: open */
  int voucher_days;        /* a voucher's life after issue; 0: no end */
  int auto_redeem;         /* redeemed automatically when affordable */
} crm_reward_item;
CRM_API int crm_rewards_foreach(crm *c, const char *scheme,
                                int (*cb)(void *ud, const crm_reward_item *),
                                void *ud);

typedef struct crm_voucher {
  int64_t id;
  char code[32];           /* unique, e.g. "SM-7KQ2-M9XD" */
  int64_t customer_id;
  char scheme[65];
  char item[33];
  char type[16];
  int64_t cost;            /* points spent */
  int64_t value;
  char state[12];          /* "issued", "used", "voided", "expired" */
  int64_t issued_at;
  int64_t valid_until;     /* 0: no end */
  int64_t used_at;
  int64_t voided_at;
  int64_t event_id;        /* the redemption event */
  int64_t spend_entry_id;
} crm_voucher;

/* Spends the item's cost (soonest-expiring lots first) and issues a
 * voucher with a unique code. CRM_ESTATE: not enough points, out of
 * stock or outside the item's validity; nothing changes. */
CRM_API int crm_points_redeem(crm *c, int64_t customer_id, const char *item,
                              const crm_points_op *op, crm_voucher *out);
CRM_API int crm_voucher_get(crm *c, const char *code, crm_voucher *out);
/* Marks the voucher used; a second use is CRM_ESTATE ("already used"). */
CRM_API int crm_voucher_use(crm *c, const char *code,
                            const crm_points_op *op);
/* Voids an unused voucher: its points go back to the lots they came
 * from, the stock is released. */
CRM_API int crm_voucher_void(crm *c, const char *code,
                             const crm_points_op *op);
CRM_API int crm_vouchers_foreach(crm *c, int64_t customer_id,
                                 int (*cb)(void *ud, const crm_voucher *),
                                 void *ud);

/* Payouts: released points a scheme pays out instead of crediting
 * (release_action = "payout", e.g. a dealer's year-end rebate). */
typedef struct crm_payout {
  int64_t id;
  int64_t customer_id;
  const char *scheme;
  int64_t amount;
  int64_t at;
  int64_t event_id;
  int64_t entry_id;
  const char *note;
} crm_payout;
CRM_API int crm_payouts_foreach(crm *c, int64_t customer_id,
                                int (*cb)(void *ud, const crm_payout *),
                                void *ud);

/* ---- scores -------------------------------------------------------------- */

/* Runs scoring components (model NULL = all) over every customer. */
CRM_API int crm_score_run(crm *c, const char *model, int64_t as_of,
                          size_t *n_scored);

/* One factor of a stored score's explanation (see crm_score_factor in
 * crm/sdk.h for what a plugin writes). */
typedef struct crm_score_reason {
  const char *factor;
  double contribution;
  const char *detail; /* NULL when none */
} crm_score_reason;

typedef struct crm_score {
  int64_t customer_id;
  const char *model; /* component name */
  const char *name;  /* score name within the model */
  double value;
  const char *label;
  int64_t computed_at;
  /* The explanation, in the order the model wrote it (0 to
   * CRM_SCORE_FACTORS_MAX factors), and the same as JSON text (an array
   * of {"factor", "contribution", "detail"}; NULL when there is none). */
  const crm_score_reason *reasons;
  size_t n_reasons;
  const char *explain_json;
} crm_score;

CRM_API int crm_scores_foreach(crm *c, int64_t customer_id,
                               int (*cb)(void *ud, const crm_score *),
                               void *ud);

/* One customer's score of one model; CRM_ENOTFOUND when there is none.
 * *value only (no label or explanation). */
CRM_API int crm_score_get(crm *c, int64_t customer_id, const char *model,
                          const char *name, double *value);

/* Progress of a fit: done of total in the model's own unit (total 0 when
 * unknown). Return non-zero to cancel: the fit is rolled back and
 * crm_score_fit returns CRM_ECANCELED. */
typedef int (*crm_progress_fn)(void *ud, const char *model, int64_t done,
                               int64_t total);

#define CRM_FIT_NO_SCORE 0x1u /* fit only; keep the customers' scores */

/* Runs the fit step of one scoring component over the store's data up to
 * as_of (<= 0: now): the component stores its parameters as figures and,
 * unless CRM_FIT_NO_SCORE, scores every customer with them. The model's
 * figures (and, when scoring, its scores) are cleared first, so nothing
 * stale survives a refit. Everything happens in one transaction (a
 * failed or canceled fit keeps the old figures and scores); the fit is
 * recorded (crm_score_fits_foreach).
 * CRM_ENOTFOUND: no such scoring component; CRM_ENOTSUP: it has no fit
 * step. *n_scored (may be NULL) receives the customers scored. */
CRM_API int crm_score_fit(crm *c, const char *model, int64_t as_of,
                          unsigned flags, crm_progress_fn progress, void *ud,
                          size_t *n_scored);

/* A model-level figure: a fitted parameter, a log-likelihood, a company
 * figure such as NPS. */
typedef struct crm_figure {
  const char *model;
  const char *name;
  double value;
  const char *label; /* NULL when none */
  int64_t computed_at;
} crm_figure;

/* The figures of one model (NULL: all models), by model and name. */
CRM_API int crm_figures_foreach(crm *c, const char *model,
                                int (*cb)(void *ud, const crm_figure *),
                                void *ud);
CRM_API int crm_figure_get(crm *c, const char *model, const char *name,
                           double *value);

/* A recorded fit. */
typedef struct crm_score_fit_info {
  int64_t id;
  const char *model;
  int64_t as_of;
  int64_t started_at;
  int64_t finished_at;
  int64_t n_scored;
  const char *figures_json; /* {"name": value, ...} at the end of the fit */
} crm_score_fit_info;

/* Fits of one model (NULL: all), newest first. */
CRM_API int crm_score_fits_foreach(crm *c, const char *model,
                                   int (*cb)(void *ud,
                                             const crm_score_fit_info *),
                                   void *ud);

/* ---- complaint cases, SLA, survey, statistics: crm/case.h ------------- */
#include "crm/case.h"

/* ---- messages, communication, consent: crm/comm.h ----------------------- */
#include "crm/comm.h"

/* ---- helpers ------------------------------------------------------------ */

/* Parses "YYYY-MM-DD", "YYYYMMDD", "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM]" (also
 * with a space for T) into UTC seconds. */
CRM_API int crm_time_parse(const char *text, int64_t *out);
/* Formats as "YYYY-MM-DDTHH:MM:SSZ"; buf_size >= 21. */
CRM_API int crm_time_format(int64_t t, char *buf, size_t buf_size);
/* Parses a decimal amount ("29.33", "-5", "1,000.50" refused) into minor
 * units of the currency (2 decimals unless the currency has 0 or 3). */
CRM_API int crm_money_parse(const char *text, const char *currency,
                            int64_t *minor);
CRM_API int crm_money_format(int64_t minor, const char *currency, char *buf,
                             size_t buf_size);

#ifdef __cplusplus
}
#endif
#endif /* CRM_CRM_H */
