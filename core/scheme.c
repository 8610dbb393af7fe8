/*
 * scheme.c - a reward component's rules once parsed (scheme_config.c):
 * the defaults, look-up by component name, catalogue items, enrollment,
 * expiry dates and the public listing of the loaded schemes.
 *
 * Expiry rules (crm__scheme_expiry), all in UTC:
 *   never        0 (the lot never expires);
 *   relative     at + days x 86400;
 *   "YYYY-MM-DD" the midnight that starts that date (points are spendable
 *                up to the end of the day before), whenever earned;
 *   "MM-DD"      the end of the next such day whose start lies strictly
 *                after `at`, i.e. the midnight after it: "03-31" earned
 *                on 2026-03-30T23:00 expires 2026-04-01T00:00, earned on
 *                2026-03-31T00:00 (or later that day) 2027-04-01T00:00.
 *                "02-29" is refused (it does not occur every year);
 *   period_end   the first instant of the calendar period (month,
 *                quarter, year) that follows the periods-th one counting
 *                the earning one: quarter x 1 earned 2026-02-10 ->
 *                2026-04-01, quarter x 2 earned 2026-11-30 -> 2027-04-01.
 */
#include <stdio.h>
#include <string.h>

#include "points_int.h"

/* ---- defaults ----------------------------------------------------------- */

static const crm__scheme crm__scheme_defaults = {
  .unit = "points",
  .expiry_mode = CRM__EXPIRY_NEVER,
  .transfer_min = 1,
  .tier_window_days = 365,
  .tier_review_days = 365,
};

const crm__scheme *crm__scheme_default(void)
{
  return &crm__scheme_defaults;
}

/* ---- civil dates (UTC) -------------------------------------------------- */

static int64_t sc_days_from_civil(int64_t y, int m, int d)
{
  int64_t era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void sc_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
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

static int64_t sc_day_of(int64_t t)
{
  return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

/* ---- look-up ------------------------------------------------------------ */

/* "a, b" of the running reward components into buf; returns how many. */
static size_t sc_loaded(crm *c, char *buf, size_t size,
                        crm__component **only)
{
  size_t used = 0;
  size_t n = 0;
  size_t i;

  buf[0] = '\0';
  for(i = 0; i < c->n_comps; i++) {
    crm__component *k = &c->comps[i];
    int w;

    if(k->kind != CRM_KIND_REWARD || !k->plugin->running)
      continue;
    if(used < size) {
      w = snprintf(buf + used, size - used, "%s%s", n ? ", " : "", k->name);
      used += w > 0 ? (size_t)w : 0;
    }
    *only = k;
    n++;
  }
  return n;
}

int crm__scheme_find(crm *c, const char *name, crm__component **comp,
                     const crm__scheme **scheme)
{
  char names[256];
  crm__component *k = NULL;
  size_t n = sc_loaded(c, names, sizeof(names), &k);

  if(name)
    k = crm__component_find(c, CRM_KIND_REWARD, name);
  if(name && !k)
    return crm__err(c, CRM_ENOTFOUND, "no reward scheme \"%s\" is loaded "
                    "(loaded: %s)", name, n ? names : "none");
  if(!name && n == 0)
    return crm__err(c, CRM_ENOTFOUND, "no reward scheme is loaded");
  if(!name && n > 1)
    return crm__err(c, CRM_EINVAL, "several reward schemes are loaded (%s); "
                    "name one", names);
  if(comp)
    *comp = k;
  if(scheme)
    *scheme = crm__scheme_of(k);
  return CRM_OK;
}

const crm__scheme *crm__scheme_of(const crm__component *comp)
{
  if(comp && comp->plugin && comp->plugin->conf &&
     comp->plugin->conf->scheme)
    return comp->plugin->conf->scheme;
  return &crm__scheme_defaults;
}

const crm__catalogue_item *crm__scheme_item(const crm__scheme *s,
                                            const char *code)
{
  size_t i;

  for(i = 0; s && code && i < s->n_items; i++) {
    if(strcmp(s->items[i].code, code) == 0)
      return &s->items[i];
  }
  return NULL;
}

int crm__scheme_member(crm *c, const crm__scheme *s, int64_t customer_id,
                       int *member)
{
  static const char sql[] =
    "SELECT value = ?3 FROM customer_attrs WHERE customer_id = ?1"
    " AND key = ?2";
  sqlite3_stmt *st;
  int rc;

  *member = 1;
  if(!s->enroll_attr[0])
    return CRM_OK;
  st = crm__stmt(c, sql);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, s->enroll_attr, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, s->enroll_value, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  *member = rc == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
  sqlite3_reset(st);
  if(rc != SQLITE_ROW && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading the enroll attribute");
  return CRM_OK;
}

/* ---- expiry ------------------------------------------------------------- */

static int64_t sc_expiry_month_day(const crm__scheme *s, int64_t at)
{
  int64_t y;
  int m, d;
  int64_t start;

  sc_civil_from_days(sc_day_of(at), &y, &m, &d);
  start = sc_days_from_civil(y, s->expiry_month, s->expiry_day) * 86400;
  if(start <= at)
    start = sc_days_from_civil(y + 1, s->expiry_month, s->expiry_day) * 86400;
  return start + 86400;
}

static int64_t sc_expiry_period_end(const crm__scheme *s, int64_t at)
{
  int64_t y, months;
  int m, d;
  int p = s->expiry_period_months;

  sc_civil_from_days(sc_day_of(at), &y, &m, &d);
  months = y * 12 + ((m - 1) / p) * p + (int64_t)s->expiry_periods * p;
  return sc_days_from_civil(months / 12, (int)(months % 12) + 1, 1) * 86400;
}

int64_t crm__scheme_expiry(const crm__scheme *s, int64_t at)
{
  switch(s->expiry_mode) {
  case CRM__EXPIRY_RELATIVE:
    return at + (int64_t)s->expiry_days * 86400;
  case CRM__EXPIRY_FIXED_DATE:
    return s->expiry_date;
  case CRM__EXPIRY_MONTH_DAY:
    return sc_expiry_month_day(s, at);
  case CRM__EXPIRY_PERIOD_END:
    return sc_expiry_period_end(s, at);
  default:
    return 0;
  }
}

static const char *sc_ordinal(int n)
{
  if(n % 100 >= 11 && n % 100 <= 13)
    return "th";
  return n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
}

void crm__scheme_expiry_text(const crm__scheme *s, char *buf, size_t size)
{
  const char *per = s->expiry_period_months == 1   ? "month"
                    : s->expiry_period_months == 3 ? "quarter"
                                                   : "year";
  char date[24];

  if(!buf || !size)
    return;
  switch(s->expiry_mode) {
  case CRM__EXPIRY_RELATIVE:
    snprintf(buf, size, "%d day%s after earning", s->expiry_days,
             s->expiry_days == 1 ? "" : "s");
    break;
  case CRM__EXPIRY_FIXED_DATE:
    crm_time_format(s->expiry_date, date, sizeof(date));
    snprintf(buf, size, "at %.10s 00:00 UTC", date);
    break;
  case CRM__EXPIRY_MONTH_DAY:
    snprintf(buf, size, "at the end of the next %02d-%02d (UTC) after "
             "earning", s->expiry_month, s->expiry_day);
    break;
  case CRM__EXPIRY_PERIOD_END:
    if(s->expiry_periods == 1)
      snprintf(buf, size, "at the end of the calendar %s of earning", per);
    else
      snprintf(buf, size, "at the end of the %d%s calendar %s counting the "
               "one of earning", s->expiry_periods,
               sc_ordinal(s->expiry_periods), per);
    break;
  default:
    snprintf(buf, size, "never");
    break;
  }
}

/* ---- public listing ----------------------------------------------------- */

int crm_schemes_foreach(crm *c, int (*cb)(void *ud, const crm_scheme_info *),
                        void *ud)
{
  char expiry[128];
  char enroll[224];
  crm_scheme_info info;
  size_t i;
  int stop;

  if(!c || !cb)
    return CRM_EINVAL;
  crm__clear_err(c);
  for(i = 0; i < c->n_comps; i++) {
    const crm__component *k = &c->comps[i];
    const crm__scheme *s;

    if(k->kind != CRM_KIND_REWARD || !k->plugin->running)
      continue;
    s = crm__scheme_of(k);
    crm__scheme_expiry_text(s, expiry, sizeof(expiry));
    if(s->enroll_attr[0])
      snprintf(enroll, sizeof(enroll), "attr %s=%s", s->enroll_attr,
               s->enroll_value);
    else
      snprintf(enroll, sizeof(enroll), "all");
    memset(&info, 0, sizeof(info));
    info.name = k->name;
    info.plugin = k->plugin->name;
    info.unit = s->unit;
    info.pending_days = s->pending_days;
    info.expiry = expiry;
    info.allow_negative = s->allow_negative;
    info.enroll = enroll;
    info.n_tiers = s->n_tiers;
    info.limit_day = s->limit_day;
    info.limit_month = s->limit_month;
    info.min_spend = s->min_spend;
    info.flags = (int)k->vt.reward.flags;
    stop = cb(ud, &info);
    if(stop)
      return stop;
  }
  return CRM_OK;
}
