/*
 * scheme_config.c - a reward component's rules: the `scheme` group of its
 * plugin's load entry in crm.conf, parsed and checked into crm__scheme.
 * What the rules then do (defaults, look-up, expiry dates, enrollment)
 * is in scheme.c.
 *
 * Every mistake is refused as "FILE:LINE: reason" like the rest of
 * config.c, unknown keys included; nothing is half-applied. A
 * `transfers` group enables transfers unless it says enabled = false.
 * The expiry modes are those described in scheme.c; "02-29" is refused
 * as an "MM-DD" date (it does not occur every year).
 */
#include <libconfig.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "points_int.h"

#define SC_DAYS_MAX 3650
#define SC_EXPIRY_DAYS_MAX 36500
#define SC_PERIODS_MAX 100
#define SC_LEVELS_MAX 16
#define SC_ITEMS_MAX 1000
#define SC_MULT_MAX 10.0
#define SC_NONE (-1) /* no upper bound */

/* ---- settings by table -------------------------------------------------- */

/* One setting of a group: its type, bounds and where it goes. */
typedef struct sc_field {
  const char *key;
  char type;  /* 'i' int64, 'd' int, 'b' bool, 's' string, 't' date,
               * 'x' known but read by hand */
  int64_t min, max; /* max SC_NONE: no upper bound */
  size_t off, size;
} sc_field;

#define SC_S(k, m) {k, 's', 0, 0, offsetof(crm__scheme, m), \
                    sizeof(((crm__scheme *)0)->m)}
#define SC_I(k, m, lo, hi) {k, 'i', lo, hi, offsetof(crm__scheme, m), 0}
#define SC_D(k, m, lo, hi) {k, 'd', lo, hi, offsetof(crm__scheme, m), 0}
#define SC_B(k, m) {k, 'b', 0, 0, offsetof(crm__scheme, m), 0}
#define SC_X(k) {k, 'x', 0, 0, 0, 0}
#define SC_END {NULL, 0, 0, 0, 0, 0}

static const sc_field sc_top[] = {
  SC_S("unit", unit), SC_D("pending_days", pending_days, 0, SC_DAYS_MAX),
  SC_B("allow_negative", allow_negative), SC_X("enroll"), SC_X("expiry"),
  SC_X("limits"), SC_X("transfers"), SC_X("release_action"),
  SC_X("auto_redeem"), SC_X("tiers"), SC_X("catalogue"), SC_END};
static const sc_field sc_limits[] = {
  SC_I("per_day", limit_day, 0, SC_NONE),
  SC_I("per_month", limit_month, 0, SC_NONE),
  SC_I("min_spend", min_spend, 0, SC_NONE), SC_END};
static const sc_field sc_transfers[] = {
  SC_B("enabled", transfers), SC_I("min", transfer_min, 1, SC_NONE),
  SC_I("max_out_per_month", transfer_max_out_month, 0, SC_NONE),
  SC_I("max_in_per_month", transfer_max_in_month, 0, SC_NONE),
  SC_END};
static const sc_field sc_tiers[] = {
  SC_D("window_days", tier_window_days, 1, SC_DAYS_MAX),
  SC_D("review_days", tier_review_days, 1, SC_DAYS_MAX),
  SC_D("grace_days", tier_grace_days, 0, SC_DAYS_MAX), SC_X("levels"),
  SC_END};
static const sc_field sc_level[] = {
  {"name", 's', 0, 0, offsetof(crm__tier_level, name), CRM__TIER_NAME_MAX + 1},
  {"points", 'i', 0, SC_NONE, offsetof(crm__tier_level, points), 0},
  {"credits", 'i', 0, SC_NONE, offsetof(crm__tier_level, credits), 0},
  {"count", 'i', 0, SC_NONE, offsetof(crm__tier_level, count), 0},
  {"spend", 'i', 0, SC_NONE, offsetof(crm__tier_level, spend), 0},
  SC_X("multiplier"), SC_END};
static const sc_field sc_item[] = {
  SC_X("code"),
  {"name", 's', 0, 0, offsetof(crm__catalogue_item, name),
   sizeof(((crm__catalogue_item *)0)->name)},
  SC_X("type"),
  {"cost", 'i', 1, SC_NONE, offsetof(crm__catalogue_item, cost), 0},
  {"value", 'i', 0, SC_NONE, offsetof(crm__catalogue_item, value), 0},
  {"stock", 'i', -1, SC_NONE, offsetof(crm__catalogue_item, stock), 0},
  {"valid_from", 't', 0, 0, offsetof(crm__catalogue_item, valid_from), 0},
  {"valid_until", 't', 0, 0, offsetof(crm__catalogue_item, valid_until), 0},
  {"voucher_days", 'd', 0, SC_DAYS_MAX,
   offsetof(crm__catalogue_item, voucher_days), 0},
  SC_END};

static int sc_nomem(crm__cfgread *r)
{
  if(r->errbuf && r->errsize)
    snprintf(r->errbuf, r->errsize, "%s: out of memory", r->path);
  return CRM_ENOMEM;
}

/* Every member of g must be one of the names (f or, if f is NULL, the
 * NULL-terminated list known). */
static int sc_keys(crm__cfgread *r, const config_setting_t *g,
                   const char *where, const sc_field *f,
                   const char *const *known)
{
  char expected[256];
  size_t used = 0;
  size_t n = 0;
  size_t i;
  int k;

  while(f ? f[n].key != NULL : known[n] != NULL)
    n++;
  expected[0] = '\0';
  for(i = 0; i < n && used < sizeof(expected); i++) {
    int w = snprintf(expected + used, sizeof(expected) - used, "%s%s",
                     i == 0 ? "" : (i + 1 == n ? " or " : ", "),
                     f ? f[i].key : known[i]);
    used += w > 0 ? (size_t)w : 0;
  }
  for(k = 0; k < config_setting_length(g); k++) {
    const config_setting_t *m = config_setting_get_elem(g, (unsigned)k);
    const char *name = config_setting_name(m);

    for(i = 0; name && i < n; i++) {
      if(strcmp(name, f ? f[i].key : known[i]) == 0)
        break;
    }
    if(!name || i == n)
      return crm__cfg_fail(r, m, "unknown %s setting \"%s\" (expected %s)",
                           where, name ? name : "?", expected);
  }
  return CRM_OK;
}

/* An optional integer in [min, max]. */
static int sc_int(crm__cfgread *r, const config_setting_t *g,
                  const char *where, const char *key, int64_t min,
                  int64_t max, int64_t *out)
{
  const config_setting_t *s = config_setting_get_member(g, key);
  long long v;

  if(!s)
    return CRM_OK;
  if(config_setting_type(s) != CONFIG_TYPE_INT &&
     config_setting_type(s) != CONFIG_TYPE_INT64)
    return crm__cfg_fail(r, s, "%s.%s must be an integer", where, key);
  v = config_setting_get_int64(s);
  if(max != SC_NONE && (v < min || v > max))
    return crm__cfg_fail(r, s, "%s.%s is %lld; it must be between %lld "
                         "and %lld", where, key, v, (long long)min,
                         (long long)max);
  if(v < min)
    return crm__cfg_fail(r, s, "%s.%s is %lld; it must be at least %lld",
                         where, key, v, (long long)min);
  *out = v;
  return CRM_OK;
}

/* An optional string of 1 to size-1 bytes copied into buf. */
static int sc_str(crm__cfgread *r, const config_setting_t *g,
                  const char *where, const char *key, char *buf,
                  size_t size, const config_setting_t **found)
{
  const config_setting_t *s = config_setting_get_member(g, key);
  const char *v;

  if(found)
    *found = s;
  if(!s)
    return CRM_OK;
  if(config_setting_type(s) != CONFIG_TYPE_STRING)
    return crm__cfg_fail(r, s, "%s.%s must be a string", where, key);
  v = config_setting_get_string(s);
  if(!*v || strlen(v) >= size)
    return crm__cfg_fail(r, s, "%s.%s must be 1 to %zu characters", where,
                         key, size - 1);
  memcpy(buf, v, strlen(v) + 1);
  return CRM_OK;
}

/* One field of a table into base. */
static int sc_field_read(crm__cfgread *r, const config_setting_t *g,
                         const char *where, const sc_field *f, char *base)
{
  const config_setting_t *s = config_setting_get_member(g, f->key);
  char date[16];
  int64_t v = 0;
  int rc = CRM_OK;

  if(!s || f->type == 'x')
    return CRM_OK;
  if(f->type == 's')
    return sc_str(r, g, where, f->key, base + f->off, f->size, NULL);
  if(f->type == 'b' && config_setting_type(s) != CONFIG_TYPE_BOOL)
    return crm__cfg_fail(r, s, "%s.%s must be true or false", where, f->key);
  if(f->type == 'b') {
    *(int *)(void *)(base + f->off) = config_setting_get_bool(s) ? 1 : 0;
    return CRM_OK;
  }
  if(f->type == 't') {
    rc = sc_str(r, g, where, f->key, date, sizeof(date), NULL);
    if(!rc && (!crm__date_valid(date) || crm_time_parse(date, &v)))
      rc = crm__cfg_fail(r, s, "%s.%s \"%s\" is not a date (YYYY-MM-DD)",
                         where, f->key, date);
  } else {
    rc = sc_int(r, g, where, f->key, f->min, f->max, &v);
  }
  if(!rc && f->type == 'd')
    *(int *)(void *)(base + f->off) = (int)v;
  else if(!rc)
    *(int64_t *)(void *)(base + f->off) = v;
  return rc;
}

static int sc_group(crm__cfgread *r, const config_setting_t *g,
                    const char *where)
{
  if(!config_setting_is_group(g))
    return crm__cfg_fail(r, g, "%s must be a group: %s = { ... }", where,
                         config_setting_name(g) ? config_setting_name(g)
                                                : "?");
  return CRM_OK;
}

/* A group: a group indeed, only known keys, the table's fields read. */
static int sc_fields(crm__cfgread *r, const config_setting_t *g,
                     const char *where, const sc_field *f, void *base)
{
  int rc = sc_group(r, g, where);

  if(!rc)
    rc = sc_keys(r, g, where, f, NULL);
  for(; !rc && f->key; f++)
    rc = sc_field_read(r, g, where, f, base);
  return rc;
}

/* ---- scalar settings read by hand --------------------------------------- */

static int sc_enroll(crm__cfgread *r, const config_setting_t *g,
                     crm__scheme *s)
{
  char buf[256];
  const config_setting_t *e;
  const char *eq;
  size_t nlen;
  int rc = sc_str(r, g, "scheme", "enroll", buf, sizeof(buf), &e);

  if(rc || !e || strcmp(buf, "all") == 0)
    return rc;
  eq = strchr(buf, '=');
  nlen = eq ? (size_t)(eq - buf) - 5 : 0;
  if(strncmp(buf, "attr:", 5) != 0 || !eq || nlen == 0 ||
     nlen >= sizeof(s->enroll_attr) || !eq[1] ||
     strlen(eq + 1) >= sizeof(s->enroll_value))
    return crm__cfg_fail(r, e, "scheme.enroll \"%s\" is not \"all\" or "
                         "\"attr:NAME=VALUE\"", buf);
  memcpy(s->enroll_attr, buf + 5, nlen);
  s->enroll_attr[nlen] = '\0';
  memcpy(s->enroll_value, eq + 1, strlen(eq + 1) + 1);
  return CRM_OK;
}

static int sc_release(crm__cfgread *r, const config_setting_t *g,
                      crm__scheme *s)
{
  char buf[16];
  const config_setting_t *e;
  int rc = sc_str(r, g, "scheme", "release_action", buf, sizeof(buf), &e);

  if(rc || !e)
    return rc;
  if(strcmp(buf, "credit") && strcmp(buf, "payout"))
    return crm__cfg_fail(r, e, "scheme.release_action \"%s\" is not "
                         "\"credit\" or \"payout\"", buf);
  s->release_payout = strcmp(buf, "payout") == 0;
  return CRM_OK;
}

static int sc_transfer_group(crm__cfgread *r, const config_setting_t *g,
                             crm__scheme *s)
{
  int rc;

  s->transfers = 1; /* the group says transfers are wanted */
  rc = sc_fields(r, g, "scheme.transfers", sc_transfers, s);
  if(!rc && s->transfer_max_out_month &&
     s->transfer_min > s->transfer_max_out_month)
    rc = crm__cfg_fail(r, config_setting_get_member(g, "min"),
                       "scheme.transfers.min (%lld) is above "
                       "max_out_per_month (%lld)",
                       (long long)s->transfer_min,
                       (long long)s->transfer_max_out_month);
  return rc;
}

/* ---- expiry ------------------------------------------------------------- */

/* "MM-DD" of a day every year has (02-29 is not one). */
static int sc_month_day(const char *s, int *m, int *d)
{
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int i;

  for(i = 0; i < 5; i++) {
    if(i == 2 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
      return 0;
  }
  if(s[5])
    return 0;
  *m = (s[0] - '0') * 10 + (s[1] - '0');
  *d = (s[3] - '0') * 10 + (s[4] - '0');
  return *m >= 1 && *m <= 12 && *d >= 1 && *d <= mdays[*m - 1];
}

static int sc_expiry_date(crm__cfgread *r, const config_setting_t *g,
                          crm__scheme *s)
{
  char buf[16];
  const config_setting_t *d;
  int rc = sc_str(r, g, "scheme.expiry", "date", buf, sizeof(buf), &d);

  if(rc)
    return rc;
  if(!d)
    return crm__cfg_fail(r, g, "scheme.expiry mode \"date\" needs date = "
                         "\"YYYY-MM-DD\" or \"MM-DD\"");
  s->expiry_mode = CRM__EXPIRY_FIXED_DATE;
  if(strlen(buf) == 10 && crm__date_valid(buf) &&
     crm_time_parse(buf, &s->expiry_date) == 0)
    return CRM_OK;
  s->expiry_mode = CRM__EXPIRY_MONTH_DAY;
  if(sc_month_day(buf, &s->expiry_month, &s->expiry_day))
    return CRM_OK;
  if(strcmp(buf, "02-29") == 0)
    return crm__cfg_fail(r, d, "scheme.expiry.date \"02-29\" does not occur "
                         "every year; use \"02-28\" or \"03-01\"");
  return crm__cfg_fail(r, d, "scheme.expiry.date \"%s\" is not a date: use "
                       "\"YYYY-MM-DD\" or \"MM-DD\"", buf);
}

static int sc_expiry_period(crm__cfgread *r, const config_setting_t *g,
                            crm__scheme *s)
{
  static const char *const names[] = {"month", "quarter", "year"};
  static const int months[] = {1, 3, 12};
  char buf[16];
  const config_setting_t *p;
  int64_t n = 1;
  int i;
  int rc = sc_str(r, g, "scheme.expiry", "period", buf, sizeof(buf), &p);

  if(rc)
    return rc;
  if(!p)
    return crm__cfg_fail(r, g, "scheme.expiry mode \"period_end\" needs "
                         "period = \"month\", \"quarter\" or \"year\"");
  for(i = 0; i < 3 && strcmp(buf, names[i]) != 0; i++)
    ;
  if(i == 3)
    return crm__cfg_fail(r, p, "scheme.expiry.period \"%s\" is not "
                         "\"month\", \"quarter\" or \"year\"", buf);
  rc = sc_int(r, g, "scheme.expiry", "periods", 1, SC_PERIODS_MAX, &n);
  s->expiry_mode = CRM__EXPIRY_PERIOD_END;
  s->expiry_period_months = months[i];
  s->expiry_periods = (int)n;
  return rc;
}

static int sc_expiry_relative(crm__cfgread *r, const config_setting_t *g,
                              crm__scheme *s)
{
  int64_t days = 0;
  int rc;

  if(!config_setting_get_member(g, "days"))
    return crm__cfg_fail(r, g, "scheme.expiry mode \"relative\" needs "
                         "days = N");
  rc = sc_int(r, g, "scheme.expiry", "days", 1, SC_EXPIRY_DAYS_MAX, &days);
  s->expiry_mode = CRM__EXPIRY_RELATIVE;
  s->expiry_days = (int)days;
  return rc;
}

/* The mode's name and the keys it uses ("days date period periods"). */
static const char *const sc_modes[][2] = {
  {"never", ""}, {"relative", "days"}, {"date", "date"},
  {"period_end", "period periods"}};

static int sc_expiry(crm__cfgread *r, const config_setting_t *g,
                     crm__scheme *s)
{
  static const char *const known[] = {"mode", "days", "date", "period",
                                      "periods", NULL};
  const config_setting_t *m;
  char mode[16];
  size_t i, k;
  int rc = sc_group(r, g, "scheme.expiry");

  if(!rc)
    rc = sc_keys(r, g, "scheme.expiry", NULL, known);
  if(!rc)
    rc = sc_str(r, g, "scheme.expiry", "mode", mode, sizeof(mode), &m);
  if(rc)
    return rc;
  if(!m)
    return crm__cfg_fail(r, g, "scheme.expiry needs mode = \"never\", "
                         "\"relative\", \"date\" or \"period_end\"");
  for(i = 0; i < 4 && strcmp(mode, sc_modes[i][0]) != 0; i++)
    ;
  if(i == 4)
    return crm__cfg_fail(r, m, "scheme.expiry.mode \"%s\" is not "
                         "\"never\", \"relative\", \"date\" or "
                         "\"period_end\"", mode);
  for(k = 1; known[k]; k++) {
    const config_setting_t *u = config_setting_get_member(g, known[k]);
    const char *uses = strstr(sc_modes[i][1], known[k]);

    if(u && (!uses || (uses[strlen(known[k])] != '\0' &&
                       uses[strlen(known[k])] != ' ')))
      return crm__cfg_fail(r, u, "scheme.expiry.%s does not apply to mode "
                           "\"%s\"", known[k], mode);
  }
  if(i == 1)
    return sc_expiry_relative(r, g, s);
  if(i == 2)
    return sc_expiry_date(r, g, s);
  return i == 3 ? sc_expiry_period(r, g, s) : CRM_OK;
}

/* ---- tiers -------------------------------------------------------------- */

static int sc_multiplier(crm__cfgread *r, const config_setting_t *g,
                         const char *where, double *out)
{
  const config_setting_t *f = config_setting_get_member(g, "multiplier");

  if(!f)
    return CRM_OK;
  if(!config_setting_is_number(f))
    return crm__cfg_fail(r, f, "%s.multiplier must be a number", where);
  *out = config_setting_type(f) == CONFIG_TYPE_FLOAT
             ? config_setting_get_float(f)
             : (double)config_setting_get_int64(f);
  if(!(*out >= 1.0) || *out > SC_MULT_MAX)
    return crm__cfg_fail(r, f, "%s.multiplier is %g; it must be between 1 "
                         "and %g", where, *out, SC_MULT_MAX);
  return CRM_OK;
}

/* The base takes no thresholds, the others at least one, and those used
 * by this level and the one below must rise. */
static int sc_level_check(crm__cfgread *r, const config_setting_t *g,
                          const char *where, const crm__scheme *s, size_t i)
{
  const crm__tier_level *l = &s->tiers[i];
  const int64_t b[] = {l->points, l->credits, l->count, l->spend};
  int any = b[0] || b[1] || b[2] || b[3];
  size_t k;

  if(i == 0 && any)
    return crm__cfg_fail(r, g, "%s (\"%s\") is the base level: it takes no "
                         "thresholds", where, l->name);
  if(i > 0 && !any)
    return crm__cfg_fail(r, g, "%s (\"%s\") needs at least one threshold "
                         "(points, credits, count or spend)", where,
                         l->name);
  for(k = 0; i > 1 && k < 4; k++) {
    const crm__tier_level *p = &s->tiers[i - 1];
    const int64_t a[] = {p->points, p->credits, p->count, p->spend};

    if(a[k] && b[k] && b[k] <= a[k])
      return crm__cfg_fail(r, config_setting_get_member(g,
                                                        sc_level[k + 1].key),
                           "%s.%s (%lld) must be above the level below "
                           "(\"%s\": %lld); levels are listed lowest first",
                           where, sc_level[k + 1].key, (long long)b[k],
                           p->name, (long long)a[k]);
  }
  return CRM_OK;
}

/* 1-based line of element j of list (for "first at line N"). */
static int sc_line(const config_setting_t *list, size_t j)
{
  return config_setting_source_line(config_setting_get_elem(list,
                                                            (unsigned)j));
}

static int sc_level_read(crm__cfgread *r, const config_setting_t *list,
                         size_t i, crm__scheme *s)
{
  const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
  crm__tier_level *l = &s->tiers[i];
  char where[64];
  size_t j;
  int rc;

  snprintf(where, sizeof(where), "scheme.tiers.levels[%zu]", i);
  l->multiplier = 1.0;
  rc = sc_fields(r, g, where, sc_level, l);
  if(!rc && !l->name[0])
    rc = crm__cfg_fail(r, g, "%s has no name; add name = \"...\"", where);
  if(!rc)
    rc = sc_multiplier(r, g, where, &l->multiplier);
  for(j = 0; !rc && j < i; j++) {
    if(strcmp(s->tiers[j].name, l->name) == 0)
      rc = crm__cfg_fail(r, config_setting_get_member(g, "name"),
                         "duplicate tier \"%s\" (first at line %d); tier "
                         "names must be unique", l->name, sc_line(list, j));
  }
  return rc ? rc : sc_level_check(r, g, where, s, i);
}

static int sc_tier_group(crm__cfgread *r, const config_setting_t *g,
                         crm__scheme *s)
{
  const config_setting_t *lv;
  size_t i;
  size_t n;
  int rc = sc_fields(r, g, "scheme.tiers", sc_tiers, s);

  if(rc)
    return rc;
  lv = config_setting_get_member(g, "levels");
  if(!lv || !config_setting_is_list(lv) || config_setting_length(lv) == 0 ||
     config_setting_length(lv) > SC_LEVELS_MAX)
    return crm__cfg_fail(r, lv ? lv : g, "scheme.tiers needs levels = ( "
                         "{ name = \"base\"; }, ... ): a list of 1 to %d "
                         "groups, lowest first", SC_LEVELS_MAX);
  n = (size_t)config_setting_length(lv);
  s->tiers = crm__calloc(n, sizeof(*s->tiers));
  if(!s->tiers)
    return sc_nomem(r);
  s->n_tiers = n;
  for(i = 0; !rc && i < n; i++)
    rc = sc_level_read(r, lv, i, s);
  return rc;
}

/* ---- catalogue ---------------------------------------------------------- */

static int sc_item_type(crm__cfgread *r, const config_setting_t *g,
                        const char *where, crm__catalogue_item *it)
{
  static const char *const types[] = {"voucher", "free_item", "upgrade",
                                      "cash_rebate", NULL};
  const config_setting_t *t;
  size_t i;
  int rc = sc_str(r, g, where, "type", it->type, sizeof(it->type), &t);

  for(i = 0; !rc && t && types[i]; i++) {
    if(strcmp(it->type, types[i]) == 0)
      return CRM_OK;
  }
  if(!rc && !t)
    rc = crm__cfg_fail(r, g, "%s has no type; add type = \"voucher\", "
                       "\"free_item\", \"upgrade\" or \"cash_rebate\"", where);
  if(!rc)
    rc = crm__cfg_fail(r, t, "%s.type \"%s\" is not \"voucher\", "
                       "\"free_item\", \"upgrade\" or \"cash_rebate\"", where,
                       it->type);
  return rc;
}

static int sc_item_code(crm__cfgread *r, const config_setting_t *list,
                        size_t i, const char *where, crm__scheme *s)
{
  const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
  crm__catalogue_item *it = &s->items[i];
  const config_setting_t *cs;
  const char *p;
  size_t j;
  int rc = sc_str(r, g, where, "code", it->code, sizeof(it->code), &cs);

  if(!rc && !cs)
    rc = crm__cfg_fail(r, g, "%s has no code; add code = \"...\"", where);
  for(p = it->code; !rc && *p; p++) {
    if(!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
         (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
      rc = crm__cfg_fail(r, cs, "%s.code \"%s\" is not valid; use letters, "
                         "digits, '_' or '-'", where, it->code);
  }
  for(j = 0; !rc && j < i; j++) {
    if(strcmp(s->items[j].code, it->code) == 0)
      rc = crm__cfg_fail(r, cs, "duplicate catalogue code \"%s\" (first at "
                         "line %d); codes must be unique", it->code,
                         sc_line(list, j));
  }
  return rc;
}

static int sc_item_read(crm__cfgread *r, const config_setting_t *list,
                        size_t i, crm__scheme *s)
{
  const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
  crm__catalogue_item *it = &s->items[i];
  char where[64];
  int rc;

  snprintf(where, sizeof(where), "scheme.catalogue[%zu]", i);
  it->stock = -1;
  rc = sc_fields(r, g, where, sc_item, it);
  if(!rc)
    rc = sc_item_code(r, list, i, where, s);
  if(!rc && !it->name[0])
    memcpy(it->name, it->code, sizeof(it->code));
  if(!rc)
    rc = sc_item_type(r, g, where, it);
  if(!rc && !config_setting_get_member(g, "cost"))
    rc = crm__cfg_fail(r, g, "%s has no cost; add cost = N (points)", where);
  if(!rc && it->valid_from && it->valid_until &&
     it->valid_from >= it->valid_until)
    rc = crm__cfg_fail(r, config_setting_get_member(g, "valid_until"),
                       "%s.valid_until (%s) must be after valid_from (%s)",
                       where, config_setting_get_string(
                           config_setting_get_member(g, "valid_until")),
                       config_setting_get_string(
                           config_setting_get_member(g, "valid_from")));
  return rc;
}

static int sc_catalogue(crm__cfgread *r, const config_setting_t *l,
                        crm__scheme *s)
{
  size_t i;
  size_t n;
  int rc = CRM_OK;

  if(!config_setting_is_list(l) || config_setting_length(l) > SC_ITEMS_MAX)
    return crm__cfg_fail(r, l, "scheme.catalogue must be a list of up to %d "
                         "groups: catalogue = ( { code = \"...\"; ... } )",
                         SC_ITEMS_MAX);
  n = (size_t)config_setting_length(l);
  if(n == 0)
    return CRM_OK;
  s->items = crm__calloc(n, sizeof(*s->items));
  if(!s->items)
    return sc_nomem(r);
  s->n_items = n;
  for(i = 0; !rc && i < n; i++)
    rc = sc_item_read(r, l, i, s);
  return rc;
}

static int sc_auto_redeem(crm__cfgread *r, const config_setting_t *g,
                          crm__scheme *s)
{
  char codes[200];
  size_t used = 0;
  size_t i;
  const config_setting_t *a;
  int rc = sc_str(r, g, "scheme", "auto_redeem", s->auto_redeem,
                  sizeof(s->auto_redeem), &a);

  if(rc || !a || crm__scheme_item(s, s->auto_redeem))
    return rc;
  codes[0] = '\0';
  for(i = 0; i < s->n_items && used < sizeof(codes); i++) {
    int w = snprintf(codes + used, sizeof(codes) - used, "%s%s",
                     i ? ", " : "", s->items[i].code);
    used += w > 0 ? (size_t)w : 0;
  }
  return crm__cfg_fail(r, a, "scheme.auto_redeem \"%s\" is not in the "
                       "catalogue (%s%s)", s->auto_redeem,
                       s->n_items ? "codes: " : "the catalogue is empty",
                       codes);
}

/* ---- the group ---------------------------------------------------------- */

/* Points must be usable at some time: a relative expiry counted from
 * earning has to come after the release (pending_days). */
static int sc_expiry_check(crm__cfgread *r, const config_setting_t *g,
                           const crm__scheme *s)
{
  const config_setting_t *e = config_setting_get_member(g, "expiry");
  const config_setting_t *d = e ? config_setting_get_member(e, "days") : NULL;

  if(s->expiry_mode != CRM__EXPIRY_RELATIVE ||
     s->expiry_days > s->pending_days)
    return CRM_OK;
  return crm__cfg_fail(r, d ? d : g, "scheme.expiry.days (%d) must be more "
                       "than pending_days (%d): points would expire before "
                       "they are released", s->expiry_days, s->pending_days);
}

static int sc_sub(crm__cfgread *r, const config_setting_t *g,
                  crm__scheme *s)
{
  const config_setting_t *m;
  int rc = CRM_OK;

  m = config_setting_get_member(g, "expiry");
  if(m)
    rc = sc_expiry(r, m, s);
  m = config_setting_get_member(g, "limits");
  if(!rc && m)
    rc = sc_fields(r, m, "scheme.limits", sc_limits, s);
  m = config_setting_get_member(g, "transfers");
  if(!rc && m)
    rc = sc_transfer_group(r, m, s);
  m = config_setting_get_member(g, "tiers");
  if(!rc && m)
    rc = sc_tier_group(r, m, s);
  m = config_setting_get_member(g, "catalogue");
  if(!rc && m)
    rc = sc_catalogue(r, m, s);
  if(!rc)
    rc = sc_auto_redeem(r, g, s);
  return rc;
}

int crm__scheme_parse(crm__cfgread *r, const void *setting,
                      crm__scheme **out)
{
  const config_setting_t *g = setting;
  crm__scheme *s;
  int rc;

  *out = NULL;
  if(!config_setting_is_group(g))
    return crm__cfg_fail(r, g, "plugin scheme must be a group: "
                         "scheme = { ... }");
  s = crm__malloc(sizeof(*s));
  if(!s)
    return sc_nomem(r);
  *s = *crm__scheme_default();
  rc = sc_fields(r, g, "scheme", sc_top, s);
  if(!rc)
    rc = sc_enroll(r, g, s);
  if(!rc)
    rc = sc_release(r, g, s);
  if(!rc)
    rc = sc_sub(r, g, s);
  if(!rc)
    rc = sc_expiry_check(r, g, s);
  if(rc) {
    crm__scheme_free(s);
    return rc;
  }
  *out = s;
  return CRM_OK;
}

void crm__scheme_free(crm__scheme *s)
{
  if(!s)
    return;
  crm__free(s->tiers);
  crm__free(s->items);
  crm__free(s);
}
