/*
 * tz_int.h - what tz.c (TZif files, lookups, the cache) and tz_rule.c
 * (calendar helpers, POSIX TZ rules and their strings) share.
 */
#ifndef CRM_TZ_INT_H
#define CRM_TZ_INT_H

#include "comm_int.h"

#define TZ_FILE_MAX (1024 * 1024)
#define TZ_ABBR_MAX 15
/* RFC 8536: a UT offset lies in -89999..93599 (-24:59:59 .. 25:59:59). */
#define TZ_OFF_MIN (-89999)
#define TZ_OFF_MAX 93599
/* Instants are clamped to +-2^50 s (35 million years) so that no sum
 * below can overflow. */
#define TZ_T_LIMIT (INT64_C(1) << 50)
#define TZ_DAY INT64_C(86400)
/* Transitions looked at around one local time (crm__tz_to_utc). */
#define TZ_PTS_MAX 32

typedef struct tz_type {
  int32_t off; /* seconds east of UTC */
  int isdst;
  char abbr[TZ_ABBR_MAX + 1];
} tz_type;

/* A date and time of a POSIX TZ rule. */
typedef struct tz_when {
  char kind;    /* 'J': Jn (1..365, no Feb 29), 'D': n (0..365), 'M' */
  int m, w, d;  /* M: month 1..12, week 1..5 (5 last), weekday 0..6;
                   J and D: the day in d */
  int32_t time; /* seconds after local midnight, -167 h .. 167 h */
} tz_when;

typedef struct tz_rule {
  tz_type std;
  tz_type dst;
  int has_dst;
  tz_when start; /* DST starts (local standard time) */
  tz_when end;   /* DST ends (local daylight time) */
} tz_rule;

int64_t crm__tz_clamp(int64_t t);
int64_t crm__tz_floor_div(int64_t a, int64_t b);
int crm__tz_weekday(int64_t days);
const tz_type *crm__tz_rule_type(const tz_rule *r, int64_t t);
void crm__tz_rule_year(const tz_rule *r, int64_t y, int64_t *start,
                       int64_t *end);
int64_t crm__tz_year_of(int64_t t);
int crm__tz_rule_parse(const char *s, tz_rule *r);

#endif /* CRM_TZ_INT_H */
