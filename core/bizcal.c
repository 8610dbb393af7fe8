/*
 * bizcal.c - business-hours calendar arithmetic and the SLA clock.
 *
 * Everything works one LOCAL day at a time. A local day d (days since
 * 1970-01-01 of the local date) that is not a holiday contributes the
 * open intervals of its weekday, each mapped to UTC by crm__tz_to_utc of
 * its two ends (d * 86400 + minute * 60 as local wall time):
 * - a DST day is 23 or 25 hours long; an interval 00:00-24:00 spans
 *   to_utc(d 00:00) .. to_utc(d + 1 00:00), so it holds 23 or 25 hours;
 * - an end inside a spring-forward gap maps to the first instant after
 *   the gap (an interval 02:00-02:30 lost in the gap becomes empty and is
 *   skipped; 01:00-02:30 ends at the instant the clocks show 03:00);
 * - an end in a repeated fall-back hour maps to its earlier instant.
 * to_utc is non-decreasing in local time, so the UTC spans stay sorted
 * and disjoint across days, and an interval ending at 24:00 meets the
 * next day's interval starting at 00:00 exactly.
 * Loops are bounded by days, never by minutes.
 */
#include "bizcal.h"

#define BZ_DAY INT64_C(86400)

static const char *const bz_wdays[7] = {
  "sun", "mon", "tue", "wed", "thu", "fri", "sat"
};

static int bz_wday(int64_t d)
{
  int64_t w = (d + 4) % 7; /* 1970-01-01 was a Thursday */

  return (int)(w < 0 ? w + 7 : w);
}

/* The local day whose wall time utc shows. */
static int64_t bz_local_day(const crm__bizcal *cal, int64_t utc)
{
  crm__localtm lt;

  crm__tz_local(cal->tz, utc, &lt);
  return crm__civil_to_days(lt.year, lt.month, lt.day);
}

static int bz_holiday(const crm__bizcal *cal, int64_t d)
{
  size_t lo = 0, hi = cal->n_holidays;

  while(lo < hi) {
    size_t mid = lo + (hi - lo) / 2;

    if(cal->holidays[mid] == d)
      return 1;
    if(cal->holidays[mid] < d)
      lo = mid + 1;
    else
      hi = mid;
  }
  return 0;
}

/* The non-empty open spans [sp[i][0], sp[i][1]) in UTC of local day d,
 * in order; returns how many (0..2). */
static int bz_spans(const crm__bizcal *cal, int64_t d, int64_t sp[2][2])
{
  const int(*iv)[2] = cal->open[bz_wday(d)];
  int i, n = 0;

  if(bz_holiday(cal, d))
    return 0;
  for(i = 0; i < 2; i++) {
    int64_t a, b;

    if(iv[i][0] < 0)
      continue;
    a = crm__tz_to_utc(cal->tz, d * BZ_DAY + (int64_t)iv[i][0] * 60);
    b = crm__tz_to_utc(cal->tz, d * BZ_DAY + (int64_t)iv[i][1] * 60);
    if(b <= a)
      continue; /* wholly inside a spring-forward gap */
    sp[n][0] = a;
    sp[n][1] = b;
    n++;
  }
  return n;
}

/* ---- check ------------------------------------------------------------ */

static int bz_check_day(crm *c, int w, const int iv[2][2])
{
  int i;

  for(i = 0; i < 2; i++) {
    int s = iv[i][0], e = iv[i][1];

    if(s == -1 && e == -1)
      continue;
    if(s < 0 || e < 0 || s > 1440 || e > 1440 || s >= e)
      return crm__err(c, CRM_EINVAL,
                      "business hours out of range: %s interval %d is "
                      "%d-%d minutes, want 0 <= start < end <= 1440 "
                      "or -1 -1 for none",
                      bz_wdays[w], i + 1, s, e);
  }
  if(iv[0][0] == -1 && iv[1][0] != -1)
    return crm__err(c, CRM_EINVAL,
                    "business hours unsorted: %s has a second interval "
                    "without a first", bz_wdays[w]);
  if(iv[1][0] == -1 || iv[1][0] >= iv[0][1])
    return 0;
  if(iv[1][1] <= iv[0][0])
    return crm__err(c, CRM_EINVAL,
                    "business hours unsorted: %s %02d:%02d-%02d:%02d comes "
                    "before %02d:%02d-%02d:%02d", bz_wdays[w],
                    iv[1][0] / 60, iv[1][0] % 60, iv[1][1] / 60,
                    iv[1][1] % 60, iv[0][0] / 60, iv[0][0] % 60,
                    iv[0][1] / 60, iv[0][1] % 60);
  return crm__err(c, CRM_EINVAL,
                  "business hours overlapping: %s %02d:%02d-%02d:%02d and "
                  "%02d:%02d-%02d:%02d", bz_wdays[w],
                  iv[0][0] / 60, iv[0][0] % 60, iv[0][1] / 60,
                  iv[0][1] % 60, iv[1][0] / 60, iv[1][0] % 60,
                  iv[1][1] / 60, iv[1][1] % 60);
}

int crm__bizcal_check(crm *c, const crm__bizcal *cal)
{
  int w, open = 0, rc;
  size_t i;

  for(w = 0; w < 7; w++) {
    rc = bz_check_day(c, w, (const int(*)[2])cal->open[w]);
    if(rc)
      return rc;
    open |= cal->open[w][0][0] != -1;
  }
  if(!open)
    return crm__err(c, CRM_EINVAL,
                    "no business hours: no open minute in any weekday");
  if(cal->n_holidays && !cal->holidays)
    return crm__err(c, CRM_EINVAL, "holidays missing: %zu announced",
                    cal->n_holidays);
  for(i = 1; i < cal->n_holidays; i++) {
    int64_t y0, y1;
    int m0, d0, m1, d1;

    if(cal->holidays[i] > cal->holidays[i - 1])
      continue;
    crm__days_to_civil(cal->holidays[i - 1], &y0, &m0, &d0);
    crm__days_to_civil(cal->holidays[i], &y1, &m1, &d1);
    return crm__err(c, CRM_EINVAL,
                    "holidays unsorted: %04lld-%02d-%02d follows "
                    "%04lld-%02d-%02d (want increasing, no repeats)",
                    (long long)y1, m1, d1, (long long)y0, m0, d0);
  }
  return 0;
}

/* ---- queries ---------------------------------------------------------- */

int crm__bizcal_is_open(const crm__bizcal *cal, int64_t utc)
{
  int64_t d1 = bz_local_day(cal, utc), d, sp[2][2];
  int n, i;

  /* The day before too, in case of a zone whose midnight is odd. */
  for(d = d1 - 1; d <= d1; d++) {
    n = bz_spans(cal, d, sp);
    for(i = 0; i < n; i++) {
      if(utc >= sp[i][0] && utc < sp[i][1])
        return 1;
    }
  }
  return 0;
}

int64_t crm__bizcal_next_open(const crm__bizcal *cal, int64_t utc)
{
  int64_t d0 = bz_local_day(cal, utc), d, sp[2][2];
  int n, i;

  for(d = d0 - 1; d <= d0 + CRM__BIZCAL_SEARCH_DAYS; d++) {
    n = bz_spans(cal, d, sp);
    for(i = 0; i < n; i++) {
      if(sp[i][1] > utc)
        return sp[i][0] > utc ? sp[i][0] : utc;
    }
  }
  return -1;
}

int64_t crm__bizcal_add(const crm__bizcal *cal, int64_t start,
                        int64_t seconds)
{
  int64_t first, d, last, rem = seconds, sp[2][2];
  int n, i;

  if(seconds <= 0)
    return start;
  first = bz_local_day(cal, start) - 1;
  last = first; /* the last day that gave business time */
  for(d = first; d - last <= CRM__BIZCAL_SEARCH_DAYS &&
                 d - first <= CRM__BIZCAL_HORIZON_DAYS; d++) {
    n = bz_spans(cal, d, sp);
    for(i = 0; i < n; i++) {
      int64_t a = sp[i][0] > start ? sp[i][0] : start;

      if(sp[i][1] <= a)
        continue;
      last = d;
      if(rem <= sp[i][1] - a)
        return a + rem;
      rem -= sp[i][1] - a;
    }
  }
  return -1;
}

int64_t crm__bizcal_elapsed(const crm__bizcal *cal, int64_t from,
                            int64_t to)
{
  int64_t d, d1, sum = 0, sp[2][2];
  int n, i;

  if(to <= from)
    return 0;
  d1 = bz_local_day(cal, to);
  for(d = bz_local_day(cal, from) - 1; d <= d1; d++) {
    n = bz_spans(cal, d, sp);
    for(i = 0; i < n; i++) {
      int64_t a = sp[i][0] > from ? sp[i][0] : from;
      int64_t b = sp[i][1] < to ? sp[i][1] : to;

      if(b > a)
        sum += b - a;
    }
  }
  return sum;
}

/* ---- the SLA clock ---------------------------------------------------- */

void crm__sla_start(crm__sla_clock *k, int64_t at)
{
  k->used = 0;
  k->since = at;
  k->running = 1;
}

void crm__sla_pause(crm__sla_clock *k, const crm__bizcal *cal, int64_t at)
{
  if(!k->running)
    return;
  k->used += crm__bizcal_elapsed(cal, k->since, at);
  k->since = at;
  k->running = 0;
}

void crm__sla_resume(crm__sla_clock *k, int64_t at)
{
  if(k->running)
    return;
  k->since = at;
  k->running = 1;
}

int64_t crm__sla_used(const crm__sla_clock *k, const crm__bizcal *cal,
                      int64_t now)
{
  if(!k->running)
    return k->used;
  return k->used + crm__bizcal_elapsed(cal, k->since, now);
}

int64_t crm__sla_due(const crm__sla_clock *k, const crm__bizcal *cal,
                     int64_t target)
{
  if(!k->running)
    return -1;
  return crm__bizcal_add(cal, k->since, target - k->used);
}
