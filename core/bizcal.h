/*
 * bizcal.h - business-hours calendar and the SLA clock (internal).
 *
 * A calendar is a team's zone, up to two open intervals per weekday in
 * local wall time, and whole local days that are closed (holidays). All
 * arithmetic works day by day in local time: each local day's intervals
 * are mapped to UTC with crm__tz_to_utc, so a DST day is 23 or 25 hours
 * long and nothing is iterated minute by minute.
 */
#ifndef CRM_BIZCAL_H
#define CRM_BIZCAL_H

#include <stddef.h>
#include <stdint.h>

#include "comm_int.h"

/* Days searched without finding an open second before giving up. */
#define CRM__BIZCAL_SEARCH_DAYS 400
/* Longest span add() walks through (about 100 years), -1 beyond. */
#define CRM__BIZCAL_HORIZON_DAYS 36525

typedef struct crm__bizcal {
  /* The team's zone; NULL is UTC. */
  const crm__tz *tz;
  /* Per weekday (0 = Sunday): up to 2 intervals [start, end) in local
   * minutes 0..1440, {-1, -1} = none (e.g. 09:00-12:30 and 13:30-18:00).
   * The second one starts at or after the end of the first. An interval
   * ending at 1440 runs into the next day's interval starting at 0. */
  int open[7][2][2];
  /* Sorted, distinct local days (days since 1970-01-01 of the local date,
   * crm__civil_to_days) closed all day. */
  const int64_t *holidays;
  size_t n_holidays;
} crm__bizcal;

/* 0, or CRM_EINVAL with a message: an interval out of range or empty,
 * a second interval without a first, overlapping or unsorted intervals,
 * no open minute in the week, holidays unsorted or repeated. */
int crm__bizcal_check(crm *c, const crm__bizcal *cal);

/* 1 when utc lies in an open interval, else 0. */
int crm__bizcal_is_open(const crm__bizcal *cal, int64_t utc);

/* utc itself when open, else the start of the next open interval;
 * -1 if none within CRM__BIZCAL_SEARCH_DAYS days. */
int64_t crm__bizcal_next_open(const crm__bizcal *cal, int64_t utc);

/* The instant at which `seconds` of business time have passed since
 * start (time before the first open second does not count; the answer
 * may be the end of an open interval). start itself when seconds <= 0.
 * -1 when CRM__BIZCAL_SEARCH_DAYS days in a row have no open second or
 * the answer lies beyond CRM__BIZCAL_HORIZON_DAYS days. */
int64_t crm__bizcal_add(const crm__bizcal *cal, int64_t start,
                        int64_t seconds);

/* Business seconds in [from, to); 0 when to <= from. */
int64_t crm__bizcal_elapsed(const crm__bizcal *cal, int64_t from,
                            int64_t to);

/* The SLA clock: business time that runs except while paused. */
typedef struct crm__sla_clock {
  int64_t used;  /* business seconds consumed before `since` */
  int64_t since; /* when the clock last started or resumed */
  int running;   /* 1: counting from since; 0: paused */
} crm__sla_clock;

void crm__sla_start(crm__sla_clock *k, int64_t at);
/* Adds elapsed(since, at) to used and stops; no-op when paused. */
void crm__sla_pause(crm__sla_clock *k, const crm__bizcal *cal, int64_t at);
/* Counts again from at; no-op when running. */
void crm__sla_resume(crm__sla_clock *k, int64_t at);
/* Business seconds used by now. */
int64_t crm__sla_used(const crm__sla_clock *k, const crm__bizcal *cal,
                      int64_t now);
/* The instant the clock reaches target business seconds if it keeps
 * running; -1 while paused (or none found, as crm__bizcal_add). When the
 * target was already reached before since, since. */
int64_t crm__sla_due(const crm__sla_clock *k, const crm__bizcal *cal,
                     int64_t target);

#endif /* CRM_BIZCAL_H */
