/*
 * tz_rule.c - the calendar arithmetic of time zones and the POSIX TZ
 * rules of a TZif footer ("CET-1CEST,M3.5.0,M10.5.0/3"): parsing the
 * string and the local time type a rule gives at an instant. tz.c reads
 * the files and answers the lookups.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tz_int.h"

/* ---- calendar -------------------------------------------------------- */

int64_t crm__tz_floor_div(int64_t a, int64_t b)
{
  int64_t q = a / b;

  if((a % b) != 0 && ((a < 0) != (b < 0)))
    q--;
  return q;
}

int crm__tz_weekday(int64_t days)
{
  return (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
}

static int tz_leap(int64_t y)
{
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int64_t crm__tz_clamp(int64_t t)
{
  if(t > TZ_T_LIMIT)
    return TZ_T_LIMIT;
  if(t < -TZ_T_LIMIT)
    return -TZ_T_LIMIT;
  return t;
}

/* ---- POSIX TZ rules -------------------------------------------------- */

/* Day (since the epoch) of the rule date w in year y. */
static int64_t tz_rule_day(const tz_when *w, int64_t y)
{
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
                              31};
  int64_t jan1 = crm__civil_to_days(y, 1, 1);
  int64_t first, day;
  int dim;

  if(w->kind == 'J')
    return jan1 + w->d - 1 + (tz_leap(y) && w->d >= 60);
  if(w->kind == 'D')
    return jan1 + w->d;
  first = crm__civil_to_days(y, w->m, 1);
  dim = mdays[w->m - 1] + (w->m == 2 && tz_leap(y));
  day = first + (w->d - crm__tz_weekday(first) + 7) % 7 + 7 * (w->w - 1);
  while(day >= first + dim)
    day -= 7;
  return day;
}

/* The instants DST starts and ends in year y. */
void crm__tz_rule_year(const tz_rule *r, int64_t y, int64_t *start,
                       int64_t *end)
{
  *start = tz_rule_day(&r->start, y) * TZ_DAY + r->start.time - r->std.off;
  *end = tz_rule_day(&r->end, y) * TZ_DAY + r->end.time - r->dst.off;
}

int64_t crm__tz_year_of(int64_t t)
{
  int64_t y;
  int m, d;

  crm__days_to_civil(crm__tz_floor_div(t, TZ_DAY), &y, &m, &d);
  return y;
}

/* The type the rule gives at t: the latest start or end of DST at or
 * before t over three years around t (rules with times past midnight or
 * negative ones can cross a year's edge). On a tie a start wins, so that
 * "all year DST" rules (start = end of the year before) stay in DST. */
const tz_type *crm__tz_rule_type(const tz_rule *r, int64_t t)
{
  const tz_type *best = &r->std;
  int64_t best_t = 0;
  int found = 0;
  int64_t y, k;

  if(!r->has_dst)
    return &r->std;
  y = crm__tz_year_of(t + r->std.off);
  for(k = y - 1; k <= y + 1; k++) {
    int64_t s, e;

    crm__tz_rule_year(r, k, &s, &e);
    if(e <= t && (!found || e >= best_t)) {
      best = &r->std;
      best_t = e;
      found = 1;
    }
    if(s <= t && (!found || s >= best_t)) {
      best = &r->dst;
      best_t = s;
      found = 1;
    }
  }
  return best;
}

/* ---- POSIX TZ strings ------------------------------------------------ */

/* A zone abbreviation: 3+ letters, or <...> of letters, digits, + and -. */
static const char *tzs_name(const char *s, char *out)
{
  const char *b;
  size_t n;

  if(*s == '<') {
    b = ++s;
    while(isalnum((unsigned char)*s) || *s == '+' || *s == '-')
      s++;
    if(*s != '>')
      return NULL;
    n = (size_t)(s - b);
    s++;
  }
  else {
    b = s;
    while(isalpha((unsigned char)*s))
      s++;
    n = (size_t)(s - b);
  }
  if(n < 3)
    return NULL;
  if(n > TZ_ABBR_MAX)
    n = TZ_ABBR_MAX;
  memcpy(out, b, n);
  out[n] = '\0';
  return s;
}

/* Up to `digits` decimal digits (at least one) not above max. */
static const char *tzs_num(const char *s, int digits, int max, int *out)
{
  int v = 0;
  int i;

  for(i = 0; i < digits && isdigit((unsigned char)s[i]); i++)
    v = v * 10 + (s[i] - '0');
  if(i == 0 || v > max)
    return NULL;
  *out = v;
  return s + i;
}

/* [+-]hh[:mm[:ss]] with hours up to max_h, into signed seconds. */
static const char *tzs_hms(const char *s, int max_h, int32_t *out)
{
  int neg = 0;
  int h, m = 0, sec = 0;

  if(*s == '+' || *s == '-')
    neg = *s++ == '-';
  s = tzs_num(s, 3, max_h, &h);
  if(s && *s == ':') {
    s = tzs_num(s + 1, 2, 59, &m);
    if(s && *s == ':')
      s = tzs_num(s + 1, 2, 59, &sec);
  }
  if(!s)
    return NULL;
  *out = (int32_t)((h * 3600 + m * 60 + sec) * (neg ? -1 : 1));
  return s;
}

/* Jn, n or Mm.w.d, then an optional /time (default 02:00:00). */
static const char *tzs_when(const char *s, tz_when *w)
{
  w->m = w->w = w->d = 0;
  if(*s == 'J') {
    w->kind = 'J';
    s = tzs_num(s + 1, 3, 365, &w->d);
    if(s && w->d < 1)
      return NULL;
  }
  else if(*s == 'M') {
    w->kind = 'M';
    s = tzs_num(s + 1, 2, 12, &w->m);
    if(s && *s == '.')
      s = tzs_num(s + 1, 1, 5, &w->w);
    else
      s = NULL;
    if(s && *s == '.')
      s = tzs_num(s + 1, 1, 6, &w->d);
    else
      s = NULL;
    if(s && (w->m < 1 || w->w < 1))
      return NULL;
  }
  else {
    w->kind = 'D';
    s = tzs_num(s, 3, 365, &w->d);
  }
  if(!s)
    return NULL;
  w->time = 7200;
  if(*s == '/')
    s = tzs_hms(s + 1, 167, &w->time);
  return s;
}

/* Parses a POSIX TZ string (with the RFC 8536 extensions: hours up to
 * 167 and signed in rule times). 0, or -1 when malformed. */
int crm__tz_rule_parse(const char *s, tz_rule *r)
{
  int32_t v;

  memset(r, 0, sizeof(*r));
  s = tzs_name(s, r->std.abbr);
  if(s)
    s = tzs_hms(s, 24, &v);
  if(!s)
    return -1;
  r->std.off = -v; /* POSIX offsets count west */
  if(!*s)
    return 0;
  s = tzs_name(s, r->dst.abbr);
  if(!s)
    return -1;
  r->has_dst = 1;
  r->dst.isdst = 1;
  r->dst.off = r->std.off + 3600;
  if(*s && *s != ',') {
    s = tzs_hms(s, 24, &v);
    if(!s)
      return -1;
    r->dst.off = -v;
  }
  if(!*s) {
    /* No rule: POSIX leaves it to the implementation; glibc's default. */
    r->start = (tz_when){'M', 3, 2, 0, 7200};
    r->end = (tz_when){'M', 11, 1, 0, 7200};
    return 0;
  }
  if(*s != ',')
    return -1;
  s = tzs_when(s + 1, &r->start);
  if(!s || *s != ',')
    return -1;
  s = tzs_when(s + 1, &r->end);
  return s && !*s ? 0 : -1;
}

