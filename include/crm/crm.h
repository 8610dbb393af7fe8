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
