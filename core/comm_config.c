/*
 * comm_config.c - the `communication` group of the admin config, parsed
 * and checked into crm__comm_cfg: consent policy, default quiet hours,
 * allowed weekdays, caps, retries, channel routes; templates and triggers
 * are handed to template.c and trigger_config.c (in that order: triggers
 * check their template). Every key is optional; unknown keys and wrong
 * types are refused as "FILE:LINE: reason" like the rest of config.c, and
 * nothing is half-applied (a failed parse frees what it built).
 */
#include <libconfig.h>
#include <stdio.h>
#include <string.h>

#include "comm_int.h"
#include "consent_int.h"
#include "points_int.h"

#define CC_INT_MAX 1000000
#define CC_RATE_MAX 10000.0
#define CC_SENDER_MAX 200
#define CC_URL_MAX 2000

/* The one place the defaults live (crm__comm when the group is absent,
 * and the starting values of a parsed group). */
static const crm__comm_cfg crm__comm_defaults = {
  1,             /* require_opt_in */
  -1, -1,        /* no default quiet hours */
  0x7fu,         /* every weekday */
  NULL, 0,       /* no caps */
  NULL, 0,       /* no routes: each channel component is a channel */
  "",            /* no default channel */
  "en",          /* language */
  NULL, NULL,    /* unsubscribe_url, sender_name */
  8,             /* max_attempts */
  60,            /* backoff_base */
  6 * 3600,      /* backoff_max */
  0.2,           /* jitter */
  300,           /* lease */
  NULL, 0, NULL, 0
};

static const char *const cc_days[] = {"sun", "mon", "tue", "wed", "thu",
                                      "fri", "sat", NULL};

/* ---- small readers ------------------------------------------------------ */

static int cc_nomem(crm__cfgread *r, const config_setting_t *s)
{
  crm__cfg_fail(r, s, "out of memory");
  return CRM_ENOMEM;
}

/* An integer member in [lo, hi]; absent: *out unchanged. what names the
 * group ("communication.retry"). */
static int cc_int(crm__cfgread *r, const config_setting_t *g,
                  const char *what, const char *key, long long lo,
                  long long hi, long long *out)
{
  const config_setting_t *s = config_setting_get_member(g, key);
  long long v;

  if(!s)
    return CRM_OK;
  if(config_setting_type(s) != CONFIG_TYPE_INT &&
     config_setting_type(s) != CONFIG_TYPE_INT64)
    return crm__cfg_fail(r, s, "%s.%s must be an integer", what, key);
  v = config_setting_get_int64(s);
  if(v < lo || v > hi)
    return crm__cfg_fail(r, s, "%s.%s is %lld; it must be between %lld "
                         "and %lld", what, key, v, lo, hi);
  *out = v;
  return CRM_OK;
}

/* A number (integer or float) member in [lo, hi]. */
static int cc_num(crm__cfgread *r, const config_setting_t *g,
                  const char *what, const char *key, double lo, double hi,
                  double *out)
{
  const config_setting_t *s = config_setting_get_member(g, key);
  double v;

  if(!s)
    return CRM_OK;
  if(!config_setting_is_number(s))
    return crm__cfg_fail(r, s, "%s.%s must be a number", what, key);
  v = config_setting_type(s) == CONFIG_TYPE_FLOAT
          ? config_setting_get_float(s)
          : (double)config_setting_get_int64(s);
  if(!(v >= lo && v <= hi))
    return crm__cfg_fail(r, s, "%s.%s is %g; it must be between %g and %g",
                         what, key, v, lo, hi);
  *out = v;
  return CRM_OK;
}

/* A string member; absent: *out NULL. */
static int cc_str(crm__cfgread *r, const config_setting_t *g,
                  const char *what, const char *key, const char **out)
{
  const config_setting_t *s = config_setting_get_member(g, key);

  *out = NULL;
  if(!s)
    return CRM_OK;
  if(config_setting_type(s) != CONFIG_TYPE_STRING)
    return crm__cfg_fail(r, s, "%s.%s must be a string", what, key);
  *out = config_setting_get_string(s);
  return CRM_OK;
}

/* Channel names: 1..32 bytes of [a-z0-9_] (as consent stores them). */
static int cc_channel_ok(const char *s)
{
  size_t i;
  size_t n = strlen(s);

  if(n == 0 || n > CRM__COMM_NAME_MAX)
    return 0;
  for(i = 0; i < n; i++) {
    if(!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
         s[i] == '_'))
      return 0;
  }
  return 1;
}

static int cc_2digits(const char *s, int max, int *out)
{
  if(s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
    return 0;
  *out = (s[0] - '0') * 10 + (s[1] - '0');
  return *out <= max;
}

/* "HH:MM" (00:00..23:59) -> minutes after midnight; -1 when malformed. */
static int cc_hhmm(const char *s)
{
  int h;
  int m;

  if(!cc_2digits(s, 23, &h) || s[2] != ':' || !cc_2digits(s + 3, 59, &m))
    return -1;
  return h * 60 + m;
}

static const crm__route *cc_route(const crm__comm_cfg *cc, const char *name)
{
  size_t i;

  for(i = 0; i < cc->n_routes; i++) {
    if(!strcmp(cc->routes[i].name, name))
      return &cc->routes[i];
  }
  return NULL;
}

/* With routes configured, a channel a setting names must be one of them. */
static int cc_routed(crm__cfgread *r, const config_setting_t *s,
                     const crm__comm_cfg *cc, const char *what,
                     const char *name)
{
  if(!cc->n_routes || cc_route(cc, name))
    return CRM_OK;
  return crm__cfg_fail(r, s, "%s \"%s\" is not a channel of "
                       "communication.channels", what, name);
}

/* ---- scalar settings ---------------------------------------------------- */

static int cc_require_opt_in(crm__cfgread *r, const config_setting_t *s,
                             crm__comm_cfg *cc)
{
  if(config_setting_type(s) != CONFIG_TYPE_BOOL)
    return crm__cfg_fail(r, s, "communication.require_opt_in must be true "
                         "or false");
  cc->require_opt_in = config_setting_get_bool(s) ? 1 : 0;
  return CRM_OK;
}

static int cc_quiet_hours(crm__cfgread *r, const config_setting_t *s,
                          crm__comm_cfg *cc)
{
  const char *v = config_setting_type(s) == CONFIG_TYPE_STRING
                      ? config_setting_get_string(s) : NULL;
  int a;
  int b;

  if(!v)
    return crm__cfg_fail(r, s, "communication.quiet_hours must be a string "
                         "\"HH:MM-HH:MM\" (\"\" for none)");
  if(!*v) {
    cc->quiet_start = -1;
    cc->quiet_end = -1;
    return CRM_OK;
  }
  a = strlen(v) == 11 && v[5] == '-' ? cc_hhmm(v) : -1;
  b = a >= 0 ? cc_hhmm(v + 6) : -1;
  if(a < 0 || b < 0)
    return crm__cfg_fail(r, s, "communication.quiet_hours \"%.40s\" is not "
                         "valid; expected \"HH:MM-HH:MM\" (00:00 to 23:59, "
                         "may cross midnight) or \"\" for none", v);
  if(a == b)
    return crm__cfg_fail(r, s, "communication.quiet_hours \"%s\" is empty: "
                         "start and end are equal (\"\" for none)", v);
  cc->quiet_start = a;
  cc->quiet_end = b;
  return CRM_OK;
}

static int cc_allowed_days(crm__cfgread *r, const config_setting_t *s,
                           crm__comm_cfg *cc)
{
  unsigned mask = 0;
  int n;
  int i;
  int d;

  if(!config_setting_is_array(s) && !config_setting_is_list(s))
    return crm__cfg_fail(r, s, "communication.allowed_days must be a list "
                         "of days: [ \"mon\", \"tue\" ]");
  n = config_setting_length(s);
  if(n == 0)
    return crm__cfg_fail(r, s, "communication.allowed_days is empty: "
                         "marketing could never be sent (leave it out for "
                         "every day)");
  for(i = 0; i < n; i++) {
    const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
    const char *v = config_setting_type(e) == CONFIG_TYPE_STRING
                        ? config_setting_get_string(e) : "";

    for(d = 0; cc_days[d] && strcmp(cc_days[d], v); d++)
      ;
    if(!cc_days[d])
      return crm__cfg_fail(r, e, "communication.allowed_days: unknown day "
                           "\"%.20s\"; expected sun, mon, tue, wed, thu, "
                           "fri or sat", v);
    if(mask & (1u << d))
      return crm__cfg_fail(r, e, "communication.allowed_days names \"%s\" "
                           "twice", v);
    mask |= 1u << d;
  }
  cc->allowed_days = mask;
  return CRM_OK;
}

static int cc_default_channel(crm__cfgread *r, const config_setting_t *s,
                              crm__comm_cfg *cc)
{
  const char *v = config_setting_type(s) == CONFIG_TYPE_STRING
                      ? config_setting_get_string(s) : NULL;

  if(!v || !cc_channel_ok(v))
    return crm__cfg_fail(r, s, "communication.default_channel must be a "
                         "channel name: 1 to %d of a-z, 0-9 and _",
                         CRM__COMM_NAME_MAX);
  snprintf(cc->default_channel, sizeof(cc->default_channel), "%s", v);
  return cc_routed(r, s, cc, "communication.default_channel", v);
}

static int cc_language(crm__cfgread *r, const config_setting_t *s,
                       crm__comm_cfg *cc)
{
  const char *v = config_setting_type(s) == CONFIG_TYPE_STRING
                      ? config_setting_get_string(s) : NULL;

  if(!v || !crm__lang_valid(v))
    return crm__cfg_fail(r, s, "communication.language must be a BCP 47 "
                         "tag such as \"en\" or \"fr-CA\"");
  snprintf(cc->language, sizeof(cc->language), "%s", v);
  return CRM_OK;
}

static int cc_sender_name(crm__cfgread *r, const config_setting_t *s,
                          crm__comm_cfg *cc)
{
  const char *v = config_setting_type(s) == CONFIG_TYPE_STRING
                      ? config_setting_get_string(s) : NULL;

  if(!v || strlen(v) > CC_SENDER_MAX)
    return crm__cfg_fail(r, s, "communication.sender_name must be a string "
                         "of at most %d bytes", CC_SENDER_MAX);
  if(!*v)
    return CRM_OK;
  cc->sender_name = crm__strdup(v);
  return cc->sender_name ? CRM_OK : cc_nomem(r, s);
}

/* Only {customer}, {channel} and {message} may appear. */
static int cc_url_check(crm__cfgread *r, const config_setting_t *s,
                        const char *v)
{
  static const char *const names[] = {"customer", "channel", "message",
                                      NULL};
  const char *p = strchr(v, '{');
  const char *close;
  size_t i;

  while(p) {
    close = strchr(p, '}');
    if(!close)
      return crm__cfg_fail(r, s, "communication.unsubscribe_url has an "
                           "unclosed \"{\"");
    for(i = 0; names[i]; i++) {
      if((size_t)(close - p - 1) == strlen(names[i]) &&
         !memcmp(p + 1, names[i], strlen(names[i])))
        break;
    }
    if(!names[i])
      return crm__cfg_fail(r, s, "communication.unsubscribe_url has an "
                           "unknown placeholder %.*s; only {customer}, "
                           "{channel} and {message} are allowed",
                           (int)(close - p + 1 > 40 ? 40 : close - p + 1), p);
    p = strchr(close + 1, '{');
  }
  return CRM_OK;
}

static int cc_unsubscribe_url(crm__cfgread *r, const config_setting_t *s,
                              crm__comm_cfg *cc)
{
  const char *v = config_setting_type(s) == CONFIG_TYPE_STRING
                      ? config_setting_get_string(s) : NULL;
  int rc;

  if(!v || strlen(v) > CC_URL_MAX)
    return crm__cfg_fail(r, s, "communication.unsubscribe_url must be a "
                         "string of at most %d bytes", CC_URL_MAX);
  rc = cc_url_check(r, s, v);
  if(rc || !*v)
    return rc;
  cc->unsubscribe_url = crm__strdup(v);
  return cc->unsubscribe_url ? CRM_OK : cc_nomem(r, s);
}

/* ---- retry -------------------------------------------------------------- */

static int cc_retry(crm__cfgread *r, const config_setting_t *g,
                    crm__comm_cfg *cc)
{
  static const char *const known[] = {"max_attempts", "base_seconds",
                                      "max_seconds", "jitter",
                                      "lease_seconds", NULL};
  static const char what[] = "communication.retry";
  long long attempts = cc->max_attempts;
  long long base = cc->backoff_base;
  long long max = cc->backoff_max;
  long long lease = cc->lease;
  int rc;

  if(!config_setting_is_group(g))
    return crm__cfg_fail(r, g, "communication.retry must be a group: "
                         "retry = { max_attempts = 8; }");
  rc = crm__cfg_check_keys(r, g, "communication.retry ", known,
                           "max_attempts, base_seconds, max_seconds, jitter "
                           "or lease_seconds");
  if(!rc)
    rc = cc_int(r, g, what, "max_attempts", 1, 100, &attempts);
  if(!rc)
    rc = cc_int(r, g, what, "base_seconds", 1, CC_INT_MAX, &base);
  if(!rc)
    rc = cc_int(r, g, what, "max_seconds", 1, CC_INT_MAX, &max);
  if(!rc)
    rc = cc_num(r, g, what, "jitter", 0.0, 1.0, &cc->jitter);
  if(!rc)
    rc = cc_int(r, g, what, "lease_seconds", 1, CC_INT_MAX, &lease);
  if(rc)
    return rc;
  if(max < base) {
    const config_setting_t *s = config_setting_get_member(g, "max_seconds");

    return crm__cfg_fail(r, s ? s : config_setting_get_member(g,
                                                              "base_seconds"),
                         "communication.retry.max_seconds (%lld) must be >= "
                         "base_seconds (%lld)", max, base);
  }
  cc->max_attempts = (int)attempts;
  cc->backoff_base = base;
  cc->backoff_max = max;
  cc->lease = lease;
  return CRM_OK;
}

/* ---- channels (routes) -------------------------------------------------- */

static int cc_route_name(crm__cfgread *r, const config_setting_t *g,
                         const crm__comm_cfg *cc, crm__route *rt)
{
  const config_setting_t *s = config_setting_get_member(g, "name");
  const char *v;
  size_t i;

  if(!s)
    return crm__cfg_fail(r, g, "communication.channels entry has no name; "
                         "add name = \"email\"");
  v = config_setting_type(s) == CONFIG_TYPE_STRING
          ? config_setting_get_string(s) : NULL;
  if(!v || !cc_channel_ok(v))
    return crm__cfg_fail(r, s, "communication.channels name \"%.40s\" is "
                         "not valid; use 1 to %d of a-z, 0-9 and _",
                         v ? v : "", CRM__COMM_NAME_MAX);
  for(i = 0; i < cc->n_routes; i++) {
    if(!strcmp(cc->routes[i].name, v))
      return crm__cfg_fail(r, s, "duplicate channel \"%s\" in "
                           "communication.channels; each channel is routed "
                           "once", v);
  }
  snprintf(rt->name, sizeof(rt->name), "%s", v);
  return CRM_OK;
}

static int cc_route_component(crm__cfgread *r, const config_setting_t *g,
                              crm__route *rt)
{
  const config_setting_t *s = config_setting_get_member(g, "component");
  const char *v;

  if(!s)
    return crm__cfg_fail(r, g, "communication.channels entry \"%s\" has no "
                         "component; add component = \"smtp\" (the channel "
                         "component that delivers it)", rt->name);
  v = config_setting_type(s) == CONFIG_TYPE_STRING
          ? config_setting_get_string(s) : NULL;
  if(!v || !crm__cfg_name_ok(v, CRM__COMM_NAME_MAX))
    return crm__cfg_fail(r, s, "communication.channels component \"%.40s\" "
                         "is not valid; use 1 to %d letters, digits, '_' or "
                         "'-'", v ? v : "", CRM__COMM_NAME_MAX);
  snprintf(rt->component, sizeof(rt->component), "%s", v);
  return CRM_OK;
}

static int cc_route_address(crm__cfgread *r, const config_setting_t *g,
                            crm__route *rt)
{
  const config_setting_t *s = config_setting_get_member(g, "address");
  const char *v;
  size_t n;

  if(!s) {
    snprintf(rt->address, sizeof(rt->address), "%s",
             strstr(rt->name, "sms") ? "phone" : "email");
    return CRM_OK;
  }
  v = config_setting_type(s) == CONFIG_TYPE_STRING
          ? config_setting_get_string(s) : "";
  n = strlen(v);
  if(strcmp(v, "email") && strcmp(v, "phone") &&
     (strncmp(v, "attr:", 5) || n == 5 || n - 5 > CRM_ATTR_KEY_MAX))
    return crm__cfg_fail(r, s, "communication.channels address \"%.40s\" is "
                         "not valid; expected \"email\", \"phone\" or "
                         "\"attr:NAME\" (a customer attribute)", v);
  snprintf(rt->address, sizeof(rt->address), "%s", v);
  return CRM_OK;
}

static int cc_route_read(crm__cfgread *r, const config_setting_t *g,
                         crm__comm_cfg *cc)
{
  static const char *const known[] = {"name", "component", "address", "rate",
                                      "max_attempts", NULL};
  crm__route *rt = &cc->routes[cc->n_routes];
  long long attempts = 0;
  int rc;

  if(!config_setting_is_group(g))
    return crm__cfg_fail(r, g, "communication.channels entries must be "
                         "groups: { name = \"email\"; component = "
                         "\"smtp\"; }");
  memset(rt, 0, sizeof(*rt));
  rc = crm__cfg_check_keys(r, g, "communication.channels ", known,
                           "name, component, address, rate or "
                           "max_attempts");
  if(!rc)
    rc = cc_route_name(r, g, cc, rt);
  if(!rc)
    rc = cc_route_component(r, g, rt);
  if(!rc)
    rc = cc_route_address(r, g, rt);
  if(!rc)
    rc = cc_num(r, g, "communication.channels", "rate", 0.0, CC_RATE_MAX,
                &rt->rate);
  if(!rc)
    rc = cc_int(r, g, "communication.channels", "max_attempts", 1, 100,
                &attempts);
  if(rc)
    return rc;
  rt->max_attempts = (int)attempts;
  cc->n_routes++;
  return CRM_OK;
}

static int cc_channels(crm__cfgread *r, const config_setting_t *l,
                       crm__comm_cfg *cc)
{
  int n;
  int i;
  int rc;

  if(!config_setting_is_list(l))
    return crm__cfg_fail(r, l, "communication.channels must be a list of "
                         "groups: channels = ( { name = \"email\"; "
                         "component = \"smtp\"; } )");
  n = config_setting_length(l);
  if(n == 0)
    return CRM_OK;
  cc->routes = crm__calloc((size_t)n, sizeof(crm__route));
  if(!cc->routes)
    return cc_nomem(r, l);
  for(i = 0; i < n; i++) {
    rc = cc_route_read(r, config_setting_get_elem(l, (unsigned)i), cc);
    if(rc)
      return rc;
  }
  return CRM_OK;
}

/* ---- caps --------------------------------------------------------------- */

static int cc_cap_window(crm__cfgread *r, const config_setting_t *g,
                         crm__cap *cap)
{
  static const char *const units[] = {"days", "hours", "minutes"};
  static const long long secs[] = {86400, 3600, 60};
  static const long long max[] = {3650, 3650 * 24, 3650 * 24 * 60};
  long long v;
  int found = 0;
  int i;
  int rc;

  for(i = 0; i < 3; i++) {
    if(!config_setting_get_member(g, units[i]))
      continue;
    if(found++)
      return crm__cfg_fail(r, config_setting_get_member(g, units[i]),
                           "communication.caps entry needs exactly one of "
                           "days, hours or minutes");
    v = 0;
    rc = cc_int(r, g, "communication.caps", units[i], 1, max[i], &v);
    if(rc)
      return rc;
    cap->window = v * secs[i];
  }
  if(!found)
    return crm__cfg_fail(r, g, "communication.caps entry needs exactly one "
                         "of days, hours or minutes");
  return CRM_OK;
}

static int cc_cap(crm__cfgread *r, const config_setting_t *g,
                  crm__comm_cfg *cc)
{
  static const char *const known[] = {"channel", "max", "days", "hours",
                                      "minutes", NULL};
  crm__cap *cap = &cc->caps[cc->n_caps];
  const config_setting_t *s;
  const char *ch = NULL;
  long long max = 0;
  int rc;

  if(!config_setting_is_group(g))
    return crm__cfg_fail(r, g, "communication.caps entries must be groups: "
                         "{ channel = \"*\"; max = 2; days = 7; }");
  rc = crm__cfg_check_keys(r, g, "communication.caps ", known,
                           "channel, max, days, hours or minutes");
  if(!rc)
    rc = cc_str(r, g, "communication.caps", "channel", &ch);
  if(rc)
    return rc;
  s = config_setting_get_member(g, "channel");
  if(!ch)
    return crm__cfg_fail(r, g, "communication.caps entry has no channel; "
                         "add channel = \"*\" (all channels) or a channel "
                         "name");
  if(strcmp(ch, "*") && !cc_channel_ok(ch))
    return crm__cfg_fail(r, s, "communication.caps channel \"%.40s\" is not "
                         "valid; use \"*\" or 1 to %d of a-z, 0-9 and _",
                         ch, CRM__COMM_NAME_MAX);
  if(strcmp(ch, "*")) {
    rc = cc_routed(r, s, cc, "communication.caps channel", ch);
    if(rc)
      return rc;
  }
  if(!config_setting_get_member(g, "max"))
    return crm__cfg_fail(r, g, "communication.caps entry has no max; add "
                         "max = 2 (messages in the window)");
  rc = cc_int(r, g, "communication.caps", "max", 1, CC_INT_MAX, &max);
  if(!rc)
    rc = cc_cap_window(r, g, cap);
  if(rc)
    return rc;
  snprintf(cap->channel, sizeof(cap->channel), "%s", ch);
  cap->max = (int)max;
  cc->n_caps++;
  return CRM_OK;
}

static int cc_caps(crm__cfgread *r, const config_setting_t *l,
                   crm__comm_cfg *cc)
{
  int n;
  int i;
  int rc;

  if(!config_setting_is_list(l))
    return crm__cfg_fail(r, l, "communication.caps must be a list of "
                         "groups: caps = ( { channel = \"*\"; max = 2; "
                         "days = 7; } )");
  n = config_setting_length(l);
  if(n == 0)
    return CRM_OK;
  cc->caps = crm__calloc((size_t)n, sizeof(crm__cap));
  if(!cc->caps)
    return cc_nomem(r, l);
  for(i = 0; i < n; i++) {
    rc = cc_cap(r, config_setting_get_elem(l, (unsigned)i), cc);
    if(rc)
      return rc;
  }
  return CRM_OK;
}

/* ---- the group ---------------------------------------------------------- */

typedef int (*cc_reader)(crm__cfgread *r, const config_setting_t *s,
                         crm__comm_cfg *cc);

/* In this order: channels first (other settings check their channel
 * against the routes), templates before triggers. */
static const struct cc_key {
  const char *key;
  cc_reader read;
} cc_keys[] = {
  {"channels", cc_channels},
  {"require_opt_in", cc_require_opt_in},
  {"quiet_hours", cc_quiet_hours},
  {"allowed_days", cc_allowed_days},
  {"default_channel", cc_default_channel},
  {"language", cc_language},
  {"sender_name", cc_sender_name},
  {"unsubscribe_url", cc_unsubscribe_url},
  {"caps", cc_caps},
  {"retry", cc_retry},
  {"templates", NULL},
  {"triggers", NULL},
  {NULL, NULL}
};

static int cc_parse(crm__cfgread *r, const config_setting_t *g,
                    crm__comm_cfg *cc)
{
  static const char *const known[] = {
    "require_opt_in", "quiet_hours", "allowed_days", "default_channel",
    "language", "sender_name", "unsubscribe_url", "caps", "retry",
    "channels", "templates", "triggers", NULL};
  const config_setting_t *s;
  size_t i;
  int rc;

  rc = crm__cfg_check_keys(r, g, "communication ", known,
                           "require_opt_in, quiet_hours, allowed_days, "
                           "default_channel, language, sender_name, "
                           "unsubscribe_url, caps, retry, channels, "
                           "templates or triggers");
  for(i = 0; !rc && cc_keys[i].key; i++) {
    s = config_setting_get_member(g, cc_keys[i].key);
    if(s && cc_keys[i].read)
      rc = cc_keys[i].read(r, s, cc);
  }
  if(rc)
    return rc;
  s = config_setting_get_member(g, "templates");
  if(s)
    rc = crm__cfg_templates(r, s, cc);
  s = config_setting_get_member(g, "triggers");
  if(!rc && s)
    rc = crm__cfg_triggers(r, s, cc);
  return rc;
}

int crm__cfg_communication(struct crm__cfgread *r, const void *setting,
                           crm__comm_cfg **out)
{
  const config_setting_t *g = setting;
  crm__comm_cfg *cc;
  int rc;

  *out = NULL;
  if(!config_setting_is_group(g))
    return crm__cfg_fail(r, g, "communication must be a group: "
                         "communication = { ... }");
  cc = crm__malloc(sizeof(*cc));
  if(!cc)
    return cc_nomem(r, g);
  *cc = crm__comm_defaults;
  rc = cc_parse(r, g, cc);
  if(rc) {
    crm__comm_cfg_free(cc);
    return rc;
  }
  *out = cc;
  return CRM_OK;
}

void crm__comm_cfg_free(crm__comm_cfg *cc)
{
  if(!cc)
    return;
  crm__triggers_free(cc);
  crm__templates_free(cc);
  crm__free(cc->caps);
  crm__free(cc->routes);
  crm__free(cc->unsubscribe_url);
  crm__free(cc->sender_name);
  crm__free(cc);
}

const crm__comm_cfg *crm__comm(crm *c)
{
  if(c && c->conf && c->conf->comm)
    return c->conf->comm;
  return &crm__comm_defaults;
}
