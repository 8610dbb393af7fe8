/*
 * sp_config.h - the settings of the supermarket_points plugin: its state,
 * UTC calendar dates and the reading and checking of its `config` group
 * (the settings are described in supermarket_points.c). Private to that
 * plugin (static functions, included once by supermarket_points.c); the
 * plugin still builds against crm/sdk.h only.
 */
#ifndef SP_CONFIG_H
#define SP_CONFIG_H

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/sdk.h"

#define SP_BP 10000        /* x1 in basis points */
#define SP_MULT_MAX 1000000 /* x100 */
#define SP_MAX_RATE 1000000
#define SP_PROMOS_MAX 32
#define SP_CATS_MAX 256
#define SP_ITEMS_MAX 1000
#define SP_NAME_MAX 40
#define SP_CAT_MAX 63
#define SP_SEEN_MAX 16
#define SP_KEY_MAX 200
#define SP_BDAY_WINDOW_MAX 180
#define SP_SOURCES (SP_PROMOS_MAX + 1) /* 0: member day, 1..: promotions */

struct sp_promo {
  char name[SP_NAME_MAX + 1];
  char category[SP_CAT_MAX + 1]; /* "" = all */
  char from_text[11];
  int64_t from_day, to_day; /* days since 1970-01-01, inclusive */
  int64_t bp;
  int64_t max_uses; /* 0 unlimited */
};

struct sp_state {
  const crm_host_api *api;
  char currency[8];
  int64_t points_per_unit;
  int64_t minor_per_unit;
  struct sp_promo promos[SP_PROMOS_MAX];
  size_t n_promos;
  int member_weekday; /* -1 none */
  int member_mday;    /* 0 none */
  int64_t member_bp;  /* 0: no member day */
  int stack;
  int64_t welcome_bonus;
  int64_t birthday_bonus;
  int64_t birthday_window;
  char seen[SP_SEEN_MAX][8]; /* currencies already logged */
  size_t n_seen;
};

/* snprintf that may truncate on purpose (notes are for people). */
static void sp_fmt(char *buf, size_t size, const char *fmt, ...)
    CRM__PRINTF(3, 4);

static void sp_fmt(char *buf, size_t size, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(buf, size, fmt, ap);
  va_end(ap);
}

/* ---- dates (proleptic Gregorian, UTC) ---------------------------------- */

static int sp_leap(int64_t y)
{
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int sp_mdays(int64_t y, int m)
{
  static const int n[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

  return m == 2 && sp_leap(y) ? 29 : n[m - 1];
}

/* Days since 1970-01-01 (H. Hinnant's days_from_civil). */
static int64_t sp_days(int64_t y, int m, int d)
{
  int64_t era, yoe, doy;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static void sp_civil(int64_t z, int64_t *y, int *m, int *d)
{
  int64_t era, doe, yoe, doy, mp;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

static int64_t sp_day_of(int64_t t)
{
  return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

/* The value of n decimal digits (checked by the caller). */
static int64_t sp_digits(const char *s, int n)
{
  int64_t v = 0;
  int i;

  for(i = 0; i < n; i++)
    v = v * 10 + (s[i] - '0');
  return v;
}

/* "YYYY-MM-DD" (a real date) into y/m/d; 0 when malformed. */
static int sp_parse_date(const char *s, int64_t *y, int *m, int *d)
{
  int i;

  if(!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
    return 0;
  for(i = 0; i < 10; i++) {
    if(i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
      return 0;
  }
  *y = sp_digits(s, 4);
  *m = (int)sp_digits(s + 5, 2);
  *d = (int)sp_digits(s + 8, 2);
  return *y >= 1 && *m >= 1 && *m <= 12 && *d >= 1 &&
         *d <= sp_mdays(*y, *m);
}

/* ---- config ------------------------------------------------------------- */

static int sp_cfg_int(const crm_host_api *api, crm_host_ctx *ctx,
                      const char *name, int64_t lo, int64_t hi, int64_t *v)
{
  int rc = api->cfg_get_int(ctx, name, v);

  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be an integer", name);
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  if(*v < lo || *v > hi)
    return api->set_error(ctx, CRM_ECONFIG,
                          "%s must be between %lld and %lld (got %lld)", name,
                          (long long)lo, (long long)hi, (long long)*v);
  return CRM_OK;
}

/* A multiplier from lo_bp to x100 with at most 4 decimals, in bp. With
 * *bp preset to -1 it is required. */
static int sp_cfg_mult(const crm_host_api *api, crm_host_ctx *ctx,
                       const char *path, const char *what, int64_t lo_bp,
                       int64_t *bp)
{
  double m = 0;
  double scaled;
  int rc = api->cfg_get_float(ctx, path, &m);

  if(rc == CRM_ENOTFOUND && *bp >= 0)
    return CRM_OK;
  if(rc == CRM_ENOTFOUND)
    return api->set_error(ctx, CRM_ECONFIG, "%s is required", what);
  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be a number", what);
  if(rc)
    return rc;
  scaled = m * SP_BP;
  if(!isfinite(m) || scaled < (double)lo_bp - 1e-6 ||
     scaled > SP_MULT_MAX + 1e-6 || fabs(scaled - nearbyint(scaled)) > 1e-6)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be a number from %d to "
                          "100 with at most 4 decimals (got %g)", what,
                          (int)(lo_bp / SP_BP), m);
  *bp = (int64_t)llround(scaled);
  return CRM_OK;
}

/* A category name as a config name: [A-Za-z][A-Za-z0-9_-]*, <= 63. */
static int sp_cat_name_ok(const char *s)
{
  size_t i, n = strlen(s);

  if(n == 0 || n > SP_CAT_MAX || !isalpha((unsigned char)s[0]))
    return 0;
  for(i = 1; i < n; i++) {
    if(!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
      return 0;
  }
  return 1;
}

/* Checks every category multiplier ("categories.[i]"). */
static int sp_read_categories(const crm_host_api *api, crm_host_ctx *ctx)
{
  const char *s = NULL;
  char path[40];
  int64_t bp;
  int i, rc;

  if(api->cfg_get_str(ctx, "categories", &s) == CRM_OK)
    return api->set_error(ctx, CRM_ECONFIG, "categories must be a group "
                          "such as { produce = 2.0; alcohol = 0; }");
  for(i = 0; i <= SP_CATS_MAX; i++) {
    double v;

    sp_fmt(path, sizeof(path), "categories.[%d]", i);
    if(api->cfg_get_float(ctx, path, &v) == CRM_ENOTFOUND)
      return CRM_OK;
    if(i == SP_CATS_MAX)
      return api->set_error(ctx, CRM_ECONFIG, "more than %d categories",
                            SP_CATS_MAX);
    bp = -1;
    rc = sp_cfg_mult(api, ctx, path, path, 0, &bp);
    if(rc)
      return rc;
  }
  return CRM_OK;
}

static int sp_promo_str(const crm_host_api *api, crm_host_ctx *ctx,
                        size_t i, const char *key, const char **out)
{
  char path[64];
  int rc;

  sp_fmt(path, sizeof(path), "promotions.[%zu].%s", i, key);
  rc = api->cfg_get_str(ctx, path, out);
  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be a string", path);
  return rc;
}

static int sp_promo_dates(const crm_host_api *api, crm_host_ctx *ctx,
                          size_t i, struct sp_promo *p)
{
  const char *txt[2] = {NULL, NULL};
  static const char *const key[2] = {"from", "to"};
  int64_t day[2], y;
  int k, m, d, rc;

  for(k = 0; k < 2; k++) {
    rc = sp_promo_str(api, ctx, i, key[k], &txt[k]);
    if(rc && rc != CRM_ENOTFOUND)
      return rc;
    if(rc || !sp_parse_date(txt[k], &y, &m, &d))
      return api->set_error(ctx, CRM_ECONFIG, "promotion \"%s\": %s must be "
                            "a date \"YYYY-MM-DD\" (got \"%s\")", p->name,
                            key[k], txt[k] ? txt[k] : "");
    day[k] = sp_days(y, m, d);
  }
  if(day[1] < day[0])
    return api->set_error(ctx, CRM_ECONFIG, "promotion \"%s\": to %s is "
                          "before from %s", p->name, txt[1], txt[0]);
  p->from_day = day[0];
  p->to_day = day[1];
  memcpy(p->from_text, txt[0], 11);
  return CRM_OK;
}

static int sp_read_promo(const crm_host_api *api, crm_host_ctx *ctx,
                         size_t i, struct sp_promo *p)
{
  const char *name = NULL, *cat = "";
  char path[64], what[80];
  int rc;

  memset(p, 0, sizeof(*p));
  rc = sp_promo_str(api, ctx, i, "name", &name);
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  if(rc || !*name || strlen(name) > SP_NAME_MAX)
    return api->set_error(ctx, CRM_ECONFIG, "promotions.[%zu].name must be "
                          "1 to %d bytes", i, SP_NAME_MAX);
  memcpy(p->name, name, strlen(name) + 1);
  rc = sp_promo_dates(api, ctx, i, p);
  if(rc)
    return rc;
  sp_fmt(path, sizeof(path), "promotions.[%zu].multiplier", i);
  sp_fmt(what, sizeof(what), "promotion \"%.40s\": multiplier", p->name);
  p->bp = -1;
  rc = sp_cfg_mult(api, ctx, path, what, SP_BP, &p->bp);
  if(rc)
    return rc;
  rc = sp_promo_str(api, ctx, i, "category", &cat);
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  if(*cat && !sp_cat_name_ok(cat))
    return api->set_error(ctx, CRM_ECONFIG, "promotion \"%s\": category "
                          "\"%s\" is not a category name", p->name, cat);
  memcpy(p->category, cat, strlen(cat) + 1);
  sp_fmt(path, sizeof(path), "promotions.[%zu].max_uses", i);
  return sp_cfg_int(api, ctx, path, 0, INT32_MAX, &p->max_uses);
}

/* promotions.[i] exists: it has a name, or it is not a string. */
static int sp_promo_exists(const crm_host_api *api, crm_host_ctx *ctx,
                           size_t i)
{
  const char *s = NULL;
  char path[48];

  sp_fmt(path, sizeof(path), "promotions.[%zu].name", i);
  if(api->cfg_get_str(ctx, path, &s) != CRM_ENOTFOUND)
    return 1;
  sp_fmt(path, sizeof(path), "promotions.[%zu]", i);
  return api->cfg_get_str(ctx, path, &s) != CRM_ENOTFOUND;
}

static int sp_read_promos(const crm_host_api *api, crm_host_ctx *ctx,
                          struct sp_state *st)
{
  size_t i, j;
  int rc;

  st->n_promos = 0;
  for(i = 0; sp_promo_exists(api, ctx, i); i++) {
    if(i == SP_PROMOS_MAX)
      return api->set_error(ctx, CRM_ECONFIG, "more than %d promotions",
                            SP_PROMOS_MAX);
    rc = sp_read_promo(api, ctx, i, &st->promos[i]);
    if(rc)
      return rc;
    for(j = 0; j < i; j++) {
      if(!strcmp(st->promos[j].name, st->promos[i].name))
        return api->set_error(ctx, CRM_ECONFIG, "promotion \"%s\" is listed "
                              "twice", st->promos[i].name);
    }
    st->n_promos++;
  }
  return CRM_OK;
}

static int sp_read_member_day(const crm_host_api *api, crm_host_ctx *ctx,
                              struct sp_state *st)
{
  const char *s = NULL;
  int64_t wd = -1, md = 0;
  int has_wd, has_md, rc;

  st->member_weekday = -1;
  st->member_mday = 0;
  st->member_bp = 0;
  rc = api->cfg_get_str(ctx, "member_day", &s);
  if(rc == CRM_OK)
    return api->set_error(ctx, CRM_ECONFIG, "member_day must be a group "
                          "such as { weekday = 2; multiplier = 2.0; }");
  has_wd = api->cfg_get_int(ctx, "member_day.weekday", &wd) != CRM_ENOTFOUND;
  has_md = api->cfg_get_int(ctx, "member_day.day_of_month", &md) !=
           CRM_ENOTFOUND;
  if(rc == CRM_ENOTFOUND && !has_wd && !has_md &&
     api->cfg_get_float(ctx, "member_day.multiplier", &(double){0}) ==
         CRM_ENOTFOUND)
    return CRM_OK; /* no member day */
  if(has_wd == has_md)
    return api->set_error(ctx, CRM_ECONFIG, "member_day needs one of weekday "
                          "(0 = Sunday .. 6) or day_of_month (1 .. 31)");
  rc = has_wd ? sp_cfg_int(api, ctx, "member_day.weekday", 0, 6, &wd)
              : sp_cfg_int(api, ctx, "member_day.day_of_month", 1, 31, &md);
  if(rc)
    return rc;
  st->member_bp = -1;
  rc = sp_cfg_mult(api, ctx, "member_day.multiplier",
                   "member_day.multiplier", SP_BP, &st->member_bp);
  if(rc)
    return rc;
  st->member_weekday = (int)wd;
  st->member_mday = (int)md;
  return CRM_OK;
}

static int sp_read_currency(const crm_host_api *api, crm_host_ctx *ctx,
                            struct sp_state *out)
{
  const char *cur = "EUR";
  int rc = api->cfg_get_str(ctx, "currency", &cur);
  size_t i;

  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "currency must be a string");
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  for(i = 0; cur && i < 3; i++) {
    if(!isupper((unsigned char)cur[i]))
      break;
  }
  if(!cur || i != 3 || cur[3])
    return api->set_error(ctx, CRM_ECONFIG, "currency must be a 3-letter ISO "
                          "4217 code such as \"EUR\" (got \"%s\")",
                          cur ? cur : "");
  memcpy(out->currency, cur, 4);
  return CRM_OK;
}

static int sp_read_config(const crm_host_api *api, crm_host_ctx *ctx,
                          struct sp_state *out)
{
  int rc;

  out->points_per_unit = 1;
  out->minor_per_unit = 100;
  out->stack = 0;
  out->welcome_bonus = 0;
  out->birthday_bonus = 0;
  out->birthday_window = 7;
  rc = sp_read_currency(api, ctx, out);
  if(!rc)
    rc = sp_cfg_int(api, ctx, "points_per_unit", 0, SP_MAX_RATE,
                    &out->points_per_unit);
  if(!rc)
    rc = sp_cfg_int(api, ctx, "minor_per_unit", 1, SP_MAX_RATE,
                    &out->minor_per_unit);
  if(!rc)
    rc = sp_cfg_int(api, ctx, "welcome_bonus", 0, INT32_MAX,
                    &out->welcome_bonus);
  if(!rc)
    rc = sp_cfg_int(api, ctx, "birthday_bonus", 0, INT32_MAX,
                    &out->birthday_bonus);
  if(!rc)
    rc = sp_cfg_int(api, ctx, "birthday_window_days", 0, SP_BDAY_WINDOW_MAX,
                    &out->birthday_window);
  if(!rc && api->cfg_get_bool(ctx, "stack_promotions", &out->stack) ==
                CRM_EINVAL)
    rc = api->set_error(ctx, CRM_ECONFIG, "stack_promotions must be true "
                        "or false");
  if(!rc)
    rc = sp_read_categories(api, ctx);
  if(!rc)
    rc = sp_read_promos(api, ctx, out);
  if(!rc)
    rc = sp_read_member_day(api, ctx, out);
  return rc;
}

#endif
