/*
 * comm_int.h - internal interfaces of the communication layer (issue 6):
 * the admin settings (communication group), time zones, the send gate,
 * the outbox, templates and lifecycle triggers.
 *
 * Files and what each owns:
 *   comm_config.c     parse communication { ... } into crm__comm_cfg
 *                     (calls crm__cfg_templates / crm__cfg_triggers)
 *   tz.c              TZif reader on the system tz database (zoneinfo)
 *   send_gate.c       crm__gate_check, crm_send_check
 *   channel_route.c   channels -> components, preferred channel, address
 *   outbox.c          enqueue, get, foreach, retry, purge, receipts, bad
 *                     addresses
 *   outbox_run.c      the dispatcher: claims, attempts, classification,
 *                     backoff, pacing, crash recovery; crm_channel_foreach
 *   message.c         crm_message_send on top of the outbox
 *   template.c        template parsing (config) and rendering
 *   trigger_config.c  trigger parsing (config)
 *   trigger.c         event-time hooks, the due schedule, crm_triggers_run
 */
#ifndef CRM_COMM_INT_H
#define CRM_COMM_INT_H

#include "crm_int.h"

#ifndef CRM__ZONEINFO
#define CRM__ZONEINFO "/usr/share/zoneinfo"
#endif

struct crm__cfgread; /* points_int.h */

/* ---- settings (communication group of the admin config) ---------------- */

#define CRM__COMM_NAME_MAX 32    /* channel, template, trigger names */
#define CRM__COMM_KEY_MAX 128    /* dedupe keys */
#define CRM__TEMPLATE_MAX (64 * 1024)

/* A frequency cap: at most max marketing messages in window seconds on
 * channel ("*": across all channels). */
typedef struct crm__cap {
  char channel[CRM__COMM_NAME_MAX + 1];
  int max;
  int64_t window; /* seconds */
} crm__cap;

/* A route: channel name -> channel component, with its pacing. */
typedef struct crm__route {
  char name[CRM__COMM_NAME_MAX + 1];
  char component[CRM__COMM_NAME_MAX + 1];
  /* where the address comes from: "email", "phone" or "attr:NAME" */
  char address[CRM_ATTR_KEY_MAX + 8];
  double rate;        /* messages per second, 0: unlimited */
  int max_attempts;   /* 0: the global one */
} crm__route;

/* A template variant. placeholders: the names used, in order of first
 * use, comma-separated ("name,points_balance"). */
typedef struct crm__template {
  char *name;
  char *channel;  /* or "*" */
  char *language; /* BCP 47 tag */
  char *subject;  /* NULL when none */
  char *body;
  char *placeholders;
  int line;
} crm__template;

/* Trigger kinds */
#define CRM__TRG_STAGE 1           /* the customer moved to stage */
#define CRM__TRG_TIER 2            /* tier changed (direction) */
#define CRM__TRG_EVENT 3           /* an event of type event_type arrived */
#define CRM__TRG_CASE_CLOSED 4     /* a complaint case closed */
#define CRM__TRG_BIRTHDAY 5        /* schedule: each year, local time at */
#define CRM__TRG_MEMBER_DAY 6      /* schedule: weekday or day_of_month */
#define CRM__TRG_POINTS_EXPIRING 7 /* schedule: days_before an expiry */

/* A condition clause: field op value (all clauses must hold). */
typedef struct crm__cond {
  char field[CRM_ATTR_KEY_MAX + 16]; /* "points_balance", "stage",
                                         "tier", "attr.NAME", ... */
  char op[3];                         /* = != < <= > >= */
  char value[CRM_ATTR_VALUE_MAX + 1];
} crm__cond;

typedef struct crm__trigger {
  char name[CRM__COMM_NAME_MAX + 1];
  int kind;                  /* CRM__TRG_* */
  int stage;                 /* STAGE: CRM_STAGE_* */
  int direction;             /* TIER: 1 up, -1 down, 0 any */
  char event_type[CRM_EVENT_TYPE_MAX + 1]; /* EVENT */
  int at_minute;             /* schedule: local minute of day (09:00 = 540) */
  int weekday;               /* MEMBER_DAY: 0 Sunday .. 6, -1 none */
  int day_of_month;          /* MEMBER_DAY: 1..28, 0 none */
  int days_before;           /* POINTS_EXPIRING */
  int64_t delay;             /* seconds between the cause and the send */
  char template_name[CRM__COMM_NAME_MAX + 1];
  char channel[CRM__COMM_NAME_MAX + 1]; /* a channel or "preferred" */
  int priority;              /* CRM_PRIORITY_* */
  crm__cond *conds;
  size_t n_conds;
  char *condition;           /* as written, for display */
  char *definition;          /* canonical text, hashed for seeding */
  int line;
  /* Event-time kinds: a cause older than this (seconds before now) fires
   * nothing, so importing history does not write to every customer;
   * 0: no limit. Default 48 h (max_age_hours). */
  int64_t max_age;
} crm__trigger;

typedef struct crm__comm_cfg {
  int require_opt_in;      /* marketing needs an explicit opt-in (1) */
  int quiet_start;         /* default quiet hours, local minutes; */
  int quiet_end;           /* -1: none */
  unsigned allowed_days;   /* bit d = weekday d (0 Sunday); 0x7f all */
  crm__cap *caps;
  size_t n_caps;
  crm__route *routes;      /* none: each channel component is a channel */
  size_t n_routes;
  char default_channel[CRM__COMM_NAME_MAX + 1]; /* "" none */
  char language[CRM__LANGUAGE_MAX + 1];          /* default "en" */
  char *unsubscribe_url;   /* "https://x/u?c={customer}&k={token}" or NULL */
  char *sender_name;       /* {{company}} */
  int max_attempts;        /* default 8 */
  int64_t backoff_base;    /* seconds, default 60 */
  int64_t backoff_max;     /* seconds, default 6 h */
  double jitter;           /* 0..1, default 0.2: +-20 % */
  int64_t lease;           /* seconds a claim lasts, default 300 */
  crm__template *templates;
  size_t n_templates;
  crm__trigger *triggers;
  size_t n_triggers;
} crm__comm_cfg;

/* config.c calls this for the `communication` group (s: the setting) and
 * stores the result in crm__config.comm (NULL when the group is absent:
 * crm__comm_defaults applies). Errors through crm__cfg_fail. */
int crm__cfg_communication(struct crm__cfgread *r, const void *s,
                           crm__comm_cfg **out);
void crm__comm_cfg_free(crm__comm_cfg *cc);
/* The handle's settings (the defaults when the config has none). */
const crm__comm_cfg *crm__comm(crm *c);
/* template.c / trigger_config.c: parse the lists into cc (templates
 * first: triggers check their template and its placeholders). */
int crm__cfg_templates(struct crm__cfgread *r, const void *list,
                       crm__comm_cfg *cc);
int crm__cfg_triggers(struct crm__cfgread *r, const void *list,
                      crm__comm_cfg *cc);
void crm__templates_free(crm__comm_cfg *cc);
void crm__triggers_free(crm__comm_cfg *cc);

/* ---- time zones (tz.c) ------------------------------------------------- */
/*
 * Reads TZif files (v1-v4) of the system tz database (CRM__ZONEINFO,
 * overridable by the environment variable TZDIR), including the POSIX TZ
 * footer for instants after the last transition. Zones are cached per
 * handle (crm__tz_cache_free at close).
 */
typedef struct crm__tz crm__tz;

typedef struct crm__localtm {
  int64_t year;
  int month;      /* 1..12 */
  int day;        /* 1..31 */
  int wday;       /* 0 Sunday .. 6 */
  int minute;     /* of the day, 0..1439 */
  int second;     /* 0..59 */
  int offset;     /* seconds east of UTC */
  int is_dst;
  char abbr[16];  /* "CEST" */
} crm__localtm;

/* name "UTC" or "" is UTC; CRM_EINVAL for an unknown zone. */
int crm__tz_get(crm *c, const char *name, const crm__tz **out);
void crm__tz_local(const crm__tz *z, int64_t utc, crm__localtm *out);
/* The UTC instant of a local wall time (seconds since the epoch as if
 * local were UTC). A time skipped by a spring-forward gap maps to the
 * first instant after the gap; an ambiguous one to the earlier. */
int64_t crm__tz_to_utc(const crm__tz *z, int64_t local);
void crm__tz_cache_free(crm *c);

/* ---- channels and addresses (channel_route.c) ------------------------- */

/* Resolves channel (NULL / "preferred" as crm.h says) for the customer
 * into its route (a configured one, or one made for a component of that
 * name into *tmp). CRM_ENOTFOUND with a reason when none fits. */
int crm__channel_resolve(crm *c, int64_t customer_id, const char *channel,
                         crm__route *tmp, const crm__route **out);
/* The route's component, or NULL (with the error set) when not loaded. */
crm__component *crm__route_component(crm *c, const crm__route *r);
/* Logs a warning for each route whose component is not loaded (its
 * messages wait in the outbox); after a config is loaded or reloaded. */
void crm__routes_warn(crm *c);
/* The customer's address for the route into buf ("" when none). */
int crm__route_address(crm *c, const crm__route *r, const crm_customer *cust,
                       char *buf, size_t size);

/* ---- the send gate (send_gate.c) -------------------------------------- */

typedef struct crm__gate_in {
  int64_t customer_id;
  const char *channel;    /* resolved channel name */
  const char *address;    /* NULL or "": none */
  int priority;
  int64_t at;             /* UTC */
  int64_t message_id;     /* not counted against caps; 0: none */
} crm__gate_in;

/* Decides; never writes. */
int crm__gate_check(crm *c, const crm__gate_in *in, crm_gate_result *out);

/* ---- the outbox (outbox.c, outbox_run.c) ------------------------------ */

typedef struct crm__outbox_row {
  int64_t customer_id;
  const char *channel;    /* resolved channel name */
  const char *template;   /* NULL: ad hoc */
  const char *language;
  const char *trigger;    /* NULL: none */
  const char *dedupe_key; /* NULL: none */
  int priority;
  const char *subject;    /* NULL: none */
  const char *body;
  int64_t not_before;     /* 0: now */
  /* Non-NULL: the message is recorded as refused at once with this
   * reason (a trigger that could not render, no channel ...). */
  const char *refused_reason;
} crm__outbox_row;

/* Inserts a queued row in the caller's transaction (or savepoint). A
 * dedupe_key already present: *id = the existing row, returns CRM_OK and
 * sets *dup = 1 (dup may be NULL). */
int crm__outbox_insert(crm *c, const crm__outbox_row *r, int64_t *id,
                       int *dup);
/* Attempts one message now (crm_message_send): gate, claim, channel,
 * outcome. Returns as crm_message_send documents. */
int crm__outbox_attempt(crm *c, int64_t id);

/* ---- templates (template.c) ------------------------------------------- */

/* What {message} of communication.unsubscribe_url renders as in a
 * template: the message id is only known once the outbox has the row, so
 * crm__outbox_insert replaces this mark with it (crm_template_render,
 * which makes no message, shows "{message}"). Control bytes that no
 * customer value or config text carries. */
#define CRM__MSG_MARK "\x1f" "crm:message-id" "\x1f"

/* Placeholder values: a NULL-terminated list of name/value pairs. */
typedef struct crm__vars {
  const char *const *pairs;
} crm__vars;

/* The variant for (name, channel, language): exact, then the language's
 * primary subtag ("fr" for "fr-CA"), then the default language; channel
 * before "*". NULL when the name has no variant for the channel. */
const crm__template *crm__template_find(const crm__comm_cfg *cc,
                                        const char *name, const char *channel,
                                        const char *language);
/* Fills the customer's own placeholders (name, first_name, email, phone,
 * external_id, customer_id, points_balance, tier, stage, birthday,
 * company, today, unsubscribe_url) from the store, then the extra pairs,
 * and renders. CRM_EINVAL "template X needs {{Y}}, which has no value
 * here" when a used placeholder has none. */
int crm__template_render(crm *c, const crm__template *t,
                         const crm_customer *cust, const crm__vars *extra,
                         crm_rendered *out);
/* The same for a message on `channel` (the resolved channel: it fills
 * {channel} of {{unsubscribe_url}} and out->channel; NULL: t->channel).
 * crm__template_render(c, t, ...) is crm__template_render_to(c, t, NULL,
 * ...). */
int crm__template_render_to(crm *c, const crm__template *t,
                            const char *channel, const crm_customer *cust,
                            const crm__vars *extra, crm_rendered *out);
/* Which messages can fill placeholder `name`: 0 when unknown to the
 * product, else a mask: CRM__PH_ALWAYS (the customer's own data, any
 * message) and/or bit (1u << CRM__TRG_*) for each trigger kind that gives
 * it (case_number: 1u << CRM__TRG_CASE_CLOSED ...). */
#define CRM__PH_ALWAYS 1u
unsigned crm__placeholder_kinds(const char *name);

/* ---- triggers (trigger.c): hooks called inside the cause's transaction -- */

/* The customer moved from stage `from` to `to` at `at`. */
int crm__trigger_on_stage(crm *c, int64_t customer_id, int from, int to,
                          int64_t at);
/* The tier changed (names; from may be NULL or "" for none). */
int crm__trigger_on_tier(crm *c, int64_t customer_id, const char *scheme,
                         const char *from, const char *to, int up,
                         int64_t at);
/* An event was recorded (after the loyalty engine and the lifecycle). */
int crm__trigger_on_event(crm *c, int64_t customer_id, int64_t event_id,
                          const char *type, int64_t at);
/* A complaint case reached its closed state. */
int crm__trigger_on_case_closed(crm *c, int64_t customer_id,
                                int64_t case_id, int64_t at);
/* The customer was created or their birthday / time zone changed: the
 * birthday and member-day due rows are recomputed. */
int crm__trigger_on_customer(crm *c, int64_t customer_id);
/* A lot of points expiring at expires_at was written. */
int crm__trigger_on_expiry(crm *c, int64_t customer_id, const char *scheme,
                           int64_t expires_at);

#endif /* CRM_COMM_INT_H */
