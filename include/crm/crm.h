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

/* Balance derived from the ledger; CRM_ECORRUPT when the cached balance
 * disagrees with the ledger sum. */
CRM_API int crm_points_balance(crm *c, int64_t customer_id,
                               int64_t *balance);

typedef struct crm_ledger_entry {
  int64_t id;
  int64_t customer_id;
  int64_t event_id;
  const char *kind; /* "earn", "reverse", "adjust" */
  int64_t points;
  const char *component;
  const char *note;
  int64_t at;
} crm_ledger_entry;

CRM_API int crm_ledger_foreach(crm *c, int64_t customer_id,
                               int (*cb)(void *ud, const crm_ledger_entry *),
                               void *ud);

/* ---- scores -------------------------------------------------------------- */

/* Runs scoring components (model NULL = all) over every customer. */
CRM_API int crm_score_run(crm *c, const char *model, int64_t as_of,
                          size_t *n_scored);

typedef struct crm_score {
  int64_t customer_id;
  const char *model; /* component name */
  const char *name;  /* score name within the model */
  double value;
  const char *label;
  int64_t computed_at;
} crm_score;

CRM_API int crm_scores_foreach(crm *c, int64_t customer_id,
                               int (*cb)(void *ud, const crm_score *),
                               void *ud);

/* ---- complaint cases -------------------------------------------------- */

typedef struct crm_case {
  int64_t id;
  int64_t customer_id;
  const char *handler;
  const char *state;
  const char *category;
  const char *summary;
  int priority;
  int64_t opened_at;
  int64_t updated_at;
} crm_case;

/* Opens a case with the named complaint component (NULL = the first
 * loaded one). */
CRM_API int crm_case_open(crm *c, int64_t customer_id, const char *handler,
                          const char *summary, const char *category,
                          int64_t *case_id);
CRM_API int crm_case_move(crm *c, int64_t case_id, const char *to_state,
                          const char *note);
CRM_API int crm_cases_foreach(crm *c, int64_t customer_id,
                              int (*cb)(void *ud, const crm_case *),
                              void *ud);

/* ---- messages ---------------------------------------------------------- */

/* Sends through the named channel component (NULL = the customer's
 * preferred channel attribute "channel", else the first loaded one). The
 * message is stored as queued and committed before the channel is called,
 * then marked sent or failed, so it is never lost; hence CRM_ESTATE inside
 * a batch (crm_begin): commit first. */
CRM_API int crm_message_send(crm *c, int64_t customer_id, const char *channel,
                             const char *subject, const char *body,
                             int64_t *message_id);

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
