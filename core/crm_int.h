/*
 * crm_int.h - internal declarations shared by the core's modules.
 * Never installed; plugins never see it.
 */
#ifndef CRM_INT_H
#define CRM_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "crm/crm.h"
#include "crm/sdk.h"

#define CRM__ERRMSG_SIZE 512

/* ---- allocation (alloc.c): every core allocation goes through here so
 * tests can fail the Nth one (curl torture, SQLite FAULTSIM). ---------- */
void *crm__malloc(size_t n);
void *crm__calloc(size_t n, size_t size);
void *crm__realloc(void *p, size_t n);
void crm__free(void *p);
char *crm__strdup(const char *s);
char *crm__strndup(const char *s, size_t n);
/* Fail the nth allocation from now (1 = the next one); 0 disables. */
void crm__alloc_fail_at(long n);
/* Allocations made by crm__* and not yet freed. */
long crm__alloc_outstanding(void);
/* Allocation calls counted since the last crm__alloc_fail_at(). */
long crm__alloc_count(void);

/* ---- lifecycle thresholds (crm.conf `lifecycle` group) ------------ */
typedef struct crm__lifecycle_cfg {
  int repeat_purchases;  /* purchases in the window to count as repeat */
  int loyal_purchases;   /* purchases in the window to count as loyal */
  int window_days;
  double at_risk_factor; /* silence > factor x usual gap -> at risk */
  int at_risk_floor_days;
  int lost_days;
  int park_after_contacts;
  /* at_risk_model: when at_risk_component is set, a buying customer's
   * silence is judged by that scoring component (lifecycle_model.c):
   * every check_days after the last purchase the core asks the model
   * (score_event with ev NULL) and reads its score at_risk_score; at or
   * above at_risk_threshold the customer turns at_risk. */
  char at_risk_component[64];
  char at_risk_score[64];
  double at_risk_threshold;
  int at_risk_check_days;
} crm__lifecycle_cfg;

void crm__lifecycle_defaults(crm__lifecycle_cfg *lc);

struct crm__scheme;

/* ---- configuration (config.c) ---------------------------------------- */
typedef struct crm__plugin_conf {
  char *name;
  char *file; /* absolute .so path, or NULL to search plugin paths */
  int enabled;
  int required;
  void *setting; /* config_setting_t * of its `config` group, or NULL */
  struct crm__scheme *scheme; /* its `scheme` group parsed, or NULL */
  int line;
} crm__plugin_conf;

typedef struct crm__config {
  char *path;       /* the file read */
  char *store_path; /* resolved against the file's directory */
  char **plugin_paths;
  size_t n_plugin_paths;
  crm__plugin_conf *plugins;
  size_t n_plugins;
  crm__lifecycle_cfg lifecycle;
  void *cfg; /* config_t *, kept alive for plugin config reads */
  char *extra_dir; /* crm_load_config's extra_plugin_dir, kept for reload */
  struct crm__comm_cfg *comm; /* communication group (comm_int.h), or NULL */
  struct crm__cases_cfg *cases; /* complaints group (case_int.h), or NULL */
} crm__config;

/* Parses and validates; on error fills errbuf "FILE:LINE: reason". */
int crm__config_read(const char *path, crm__config **out, char *errbuf,
                     size_t errbuf_size);
void crm__config_free(crm__config *conf);

/* ---- plugins (loader.c, host.c) ---------------------------------------- */
#define CRM__PSTATE_LOADED "loaded"
#define CRM__PSTATE_DISABLED "disabled"
#define CRM__PSTATE_REFUSED "refused"
#define CRM__PSTATE_FAILED "failed"

struct crm__plugin;

/* The handle a plugin receives; identifies it in host calls. */
struct crm_host_ctx {
  crm *c;
  struct crm__plugin *plugin;
  char errmsg[CRM__ERRMSG_SIZE]; /* set_error during the current call */
  int errcode;
  /* errmsg came from a nested call and already starts "plugin "x"
   * component "y": ": passed on without a second prefix. */
  int errmsg_named;
  /* Scoring component being called (its name is score_put's model);
   * NULL: the plugin's first scoring component. */
  const char *cur_component;
  crm_customer scratch; /* customer_get's strings point in here */
};

/* A component with its vtable normalised: copied into a zeroed struct
 * of the size this core knows, so absent members read as NULL. */
typedef struct crm__component {
  struct crm__plugin *plugin;
  int kind;
  char *name;
  union {
    crm_scoring_v1 scoring;
    crm_reward_v1 reward;
    crm_channel_v1 channel;
    crm_complaint_v1 complaint;
  } vt;
} crm__component;

typedef struct crm__plugin {
  char *name;
  char *path;
  void *dl;                   /* never dlclose'd once init has run */
  crm_plugin_desc desc;       /* normalised copy of the descriptor */
  void *state;                /* the plugin's own */
  struct crm_host_ctx hctx;
  const crm__plugin_conf *conf; /* points into c->conf */
  void *setting;              /* its config group (config_setting_t *) */
  int running;                /* init done and fini not yet called */
  int has_run;                /* init was called at least once */
  struct crm__plugin *next;
} crm__plugin;

/* Loads every enabled plugin of c->conf; records states in the store. */
int crm__plugins_load(crm *c, const char *extra_dir);
/* Stops and finalises all plugins (never dlclose after init). */
void crm__plugins_unload(crm *c);
/* Apply a freshly read config to running plugins (reconfigure / restart,
 * load new, stop disabled). */
int crm__plugins_reconfigure(crm *c, crm__config *newconf);
/* Component lookup: by kind and name (NULL name: first of that kind). */
crm__component *crm__component_find(crm *c, int kind, const char *name);
/* Host table (host.c). */
const crm_host_api *crm__host_api(void);
/* Resets the ctx error before a plugin call. */
void crm__hctx_reset(struct crm_host_ctx *h);
/* After a failed plugin call: copy its message into c's error. */
int crm__plugin_call_failed(crm *c, crm__component *comp, int rc,
                            const char *what);

/* ---- consent limits (consent.c) ------------------------------------------ */
#define CRM__CHANNEL_MAX 32
#define CRM__CONSENT_SOURCE_MAX 128
#define CRM__CONSENT_NOTE_MAX 256
#define CRM__LANGUAGE_MAX 35

/* ---- the handle --------------------------------------------------------- */
struct crm__stmt_slot {
  const char *sql; /* identity: the static string's address */
  sqlite3_stmt *stmt;
};

struct crm {
  sqlite3 *db;
  int readonly;
  char errmsg[CRM__ERRMSG_SIZE];
  int errcode;
  int64_t fixed_now;
  crm_log_fn log_fn;
  void *log_ud;
  int log_level;

  /* One slot per static SQL string; never evicted (the set is bounded by
   * the code), so a statement stepped by a caller stays valid. */
  struct crm__stmt_slot *stmts;
  size_t n_stmts;
  size_t cap_stmts;
  int tx_depth;    /* open transaction levels (BEGIN + savepoints) */
  int batch_depth; /* 1 while crm_begin() is open */
  int ingest_depth; /* emit_event recursion guard */
  uint64_t ingest_seq; /* events recorded by this handle (nesting probe) */

  crm__lifecycle_cfg lc;
  /* The silence thresholds the stored review times were computed with
   * have been checked against lc (lifecycle.c). */
  crm__lifecycle_cfg lc_synced;
  int lc_synced_ok;
  /* at_risk_model warnings given once per handle (lifecycle_model.c):
   * [0] the component not loaded, [1] "component/score" missing */
  char lcm_warned[2][136];
  crm__config *conf;
  crm__plugin *plugins; /* singly linked, load order */
  crm__component *comps;
  size_t n_comps;
  size_t cap_comps;
  /* Plugins refused or disabled keep their config lines alive here until
   * the next reload. */
  /* Configurations a reload replaced that a plugin still runs with (it
   * refused the new one); config_apply.c frees each once unused. */
  struct crm__held_conf *held_confs;

  /* crm_score_fit in progress (score_fit.c): host->progress reports here */
  crm_progress_fn fit_progress;
  void *fit_progress_ud;
  const char *fit_model;
  int fit_canceled; /* the progress callback asked to stop */

  /* Strings crm_consent_get / crm_prefs_get hand out (consent.c). */
  struct crm__consent_buf {
    char channel[CRM__CHANNEL_MAX + 1];
    char source[CRM__CONSENT_SOURCE_MAX + 1];
    char dnc_reason[16];
    char dnc_note[CRM__CONSENT_NOTE_MAX + 1];
    char pref_channel[CRM__CHANNEL_MAX + 1];
    char language[CRM__LANGUAGE_MAX + 1];
  } consent_buf;

  /* Communication (comm_int.h): time zones read from the tz database
   * (tz.c), the jitter generator of retries (outbox_run.c; 0: seed from
   * the clock and pid on first use), strings crm_outbox_get hands out. */
  struct crm__tz_cache *tz_cache;
  uint64_t comm_rng;
  struct crm__outbox_buf *outbox_buf;
  /* Strings crm_case_get hands out (case_read.c). */
  struct crm__case_buf *case_buf;
  /* Strings crm_sla_get hands out (sla_run.c). */
  struct crm__sla_buf {
    char policy[48];
    char team[40];
    char timezone[64];
  } sla_buf;
  /* trigger.c: the first lifecycle transition a time rule made while an
   * event was being applied (fired once the event is; 0 none). */
  int64_t trg_defer;
};

/* ---- errors (error.c) --------------------------------------------------- */
int crm__err(crm *c, int code, const char *fmt, ...) CRM__PRINTF(3, 4);
int crm__verr(crm *c, int code, const char *fmt, va_list ap);
/* Maps an SQLite result to a CRM code with "store error: ... (what)". */
int crm__sqlerr(crm *c, int rc, const char *what);
void crm__clear_err(crm *c);
void crm__log(crm *c, int level, const char *source, const char *fmt, ...)
    CRM__PRINTF(4, 5);

/* ---- store (store.c, store_schema.c) -------------------------------------- */
int crm__schema_latest(void);
const char *crm__schema_migration(int version);
/* Cached prepared statement for a static SQL string, reset and with
 * bindings cleared. NULL on error (c's error set). */
sqlite3_stmt *crm__stmt(crm *c, const char *sql);
/* A statement for a walk that calls back into user code (which may use
 * the cache, even re-enter the same walk): the cached one when it is not
 * being stepped, else one of its own. Always give it back with
 * crm__stmt_done (reset, or finalize). */
sqlite3_stmt *crm__stmt_fresh(crm *c, const char *sql);
void crm__stmt_done(crm *c, sqlite3_stmt *st);
/* Runs one statement without results. */
int crm__exec(crm *c, const char *sql);
/* Savepoints for one operation, nested inside any batch. */
int crm__tx_begin(crm *c);
int crm__tx_commit(crm *c);
void crm__tx_rollback(crm *c);
int crm__audit(crm *c, const char *actor, const char *action,
               const char *object, const char *detail);
/* Text column copied into buf (always NUL-terminated). */
void crm__col_text(sqlite3_stmt *st, int col, char *buf, size_t size);

/* ---- statement helpers (ledger.c; both reset the statement) --------------- */
/* Steps a statement that returns no row; anything else is a store error. */
int crm__step_end(crm *c, sqlite3_stmt *st, const char *what);
/* Steps to one row, copies its first n integer columns; none: CRM_ESTORE. */
int crm__step_row(crm *c, sqlite3_stmt *st, int64_t *cols, int n,
                  const char *what);

/* ---- plugin records in the store (store_plugins.c) ---------------------- */
int crm__plugin_record(crm *c, const char *name, const char *path,
                       const char *state, const char *reason,
                       const crm_plugin_desc *desc, int required);
int crm__kv_get(crm *c, const char *plugin, const char *key, char **out);
int crm__kv_put(crm *c, const char *plugin, const char *key,
                const char *value);
int crm__score_put(crm *c, int64_t customer_id, const char *model,
                   const char *name, double value, const char *label);

/* ---- customers (customer.c) --------------------------------------------- */
/* Fills a plugin view from a customer row; strings point into cust. */
void crm__customer_view(const crm_customer *cust, crm_customer_view *v);

/* ---- lifecycle (lifecycle.c) -------------------------------------------- */
/* Before an event at t: sets *te to the time the event is judged at
 * (t, or the customer's lifecycle clock when the event is late) and
 * applies the silence rules that fell due by t. */
int crm__lifecycle_before_event(crm *c, crm_customer *cust, int64_t t,
                                int64_t *te);
/* After the event's aggregates were applied to cust (prev_stage is the
 * stage after crm__lifecycle_before_event): moves the stage, schedules
 * the next review. */
int crm__lifecycle_on_event(crm *c, crm_customer *cust, int64_t event_id,
                            const char *type, int64_t t, int64_t te,
                            int prev_stage);
int crm__lifecycle_on_create(crm *c, int64_t customer_id, int64_t at);

/* ---- events (event.c) ------------------------------------------------------ */
/* Ingest with a source label: "api", "import", "plugin:<name>". */
int crm__event_ingest_src(crm *c, const crm_event *ev, const char *source,
                          crm_ingest_result *out);
/* The columns of an event that refund_of look-ups need. */
typedef struct crm__event_row {
  int64_t id;
  int64_t customer_id;
  int64_t occurred_at;
  int64_t amount;
  char type[CRM_EVENT_TYPE_MAX + 1];
} crm__event_row;
/* The event with that idempotency key; CRM_ENOTFOUND (no message) if none. */
int crm__event_find_key(crm *c, const char *key, crm__event_row *out);

/* ---- scoring, cases, messages (score.c, case.c, message.c) ---------------- */
/* Called inside the ingest transaction after an event changed cust: runs
 * every scoring component's score_event with ev (1.3), else its optional
 * score_one. ev->refund_of may be NULL: it is read from the payload of a
 * refund or cancel when a score_event needs it. */
int crm__score_on_event(crm *c, const crm_customer *cust,
                        const crm_event_view *ev);
/* Asks one scoring component about one customer (score_event with ev
 * NULL), as the lifecycle's at_risk_model rule does. CRM_ENOTFOUND: no
 * such component is loaded; CRM_ENOTSUP: it has no score_event. */
int crm__score_ask(crm *c, const char *model, const crm_customer *cust,
                   int64_t as_of);
/* SDK 1.3 host services behind host->score_write, figure_put/get,
 * score_get, events_walk, customers_walk and progress (host_score.c).
 * model is the component the score or figure belongs to. */
int crm__score_write(crm *c, int64_t customer_id, const char *model,
                     const crm_score_value *s);
/* The checks every score and figure passes (score.c): model and name
 * 1..64 bytes, label up to 256, a finite value; what = "score" or
 * "figure" names it in the message. */
int crm__check_named_value(crm *c, const char *what, const char *model,
                           const char *name, const char *label, double value);
int crm__figure_put(crm *c, const char *model, const char *name,
                    double value, const char *label);
int crm__events_walk(crm *c, const crm_event_filter *f, crm_event_cb cb,
                     void *ud);
int crm__customers_walk(crm *c, const crm_customer_filter *f,
                        crm_customer_cb cb, void *ud);
int crm__fit_progress(crm *c, int64_t done, int64_t total);
/* Called inside the ingest transaction for a "complaint" event: opens a
 * case with the first complaint component (no-op when none is loaded). */
int crm__case_open_from_event(crm *c, int64_t customer_id, int64_t event_id,
                              const char *payload, int64_t at);

/* ---- validation (validate.c) -------------------------------------------- */
int crm__check_text(crm *c, const char *field, const char *s, size_t max,
                    int required);
int crm__check_email(crm *c, const char *s);
int crm__check_phone(crm *c, const char *s);
int crm__check_timezone(crm *c, const char *s);
int crm__check_date(crm *c, const char *field, const char *s);
int crm__check_currency(crm *c, const char *s);
int crm__check_event_type(crm *c, const char *s);
int crm__check_json(crm *c, const char *field, const char *s);
/* timefmt.c: 1 when s is a valid YYYY-MM-DD calendar date. */
int crm__date_valid(const char *s);
/* timefmt.c: days since 1970-01-01 of a valid civil date (proleptic
 * Gregorian, H. Hinnant's days_from_civil), and back. */
int64_t crm__civil_to_days(int64_t y, int m, int d);
void crm__days_to_civil(int64_t days, int64_t *y, int *m, int *d);

#endif /* CRM_INT_H */
