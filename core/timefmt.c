/*
 * timefmt.c - UTC timestamps and money amounts as text.
 *
 * Civil-date arithmetic is done here (Howard Hinnant's days-from-civil),
 * not with mktime or timegm, so that parsing never depends on the process
 * time zone and every calendar date is validated.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "crm_int.h"

static int crm__is_leap(int64_t y)
{
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int crm__days_in_month(int64_t y, int m)
{
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

  if(m == 2 && crm__is_leap(y))
    return 29;
  return days[m - 1];
}

/* Days since 1970-01-01 of a valid civil date. */
static int64_t crm__days_from_civil(int64_t y, int m, int d)
{
  int64_t era;
  int64_t yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void crm__civil_from_days(int64_t z, int64_t *y, int *m, int *d)
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

/* Shared with the other modules (crm_int.h). */
int64_t crm__civil_to_days(int64_t y, int m, int d)
{
  return crm__days_from_civil(y, m, d);
}

void crm__days_to_civil(int64_t days, int64_t *y, int *m, int *d)
{
  crm__civil_from_days(days, y, m, d);
}

/* Reads exactly n digits. */
static int crm__digits(const char **p, int n, int *out)
{
  int v = 0;
  int i;

  for(i = 0; i < n; i++) {
    if(!isdigit((unsigned char)(*p)[i]))
      return -1;
    v = v * 10 + ((*p)[i] - '0');
  }
  *p += n;
  *out = v;
  return 0;
}

static int crm__parse_date(const char **p, int *y, int *m, int *d)
{
  const char *s = *p;

  if(crm__digits(&s, 4, y))
    return -1;
  if(*s == '-') {
    s++;
    if(crm__digits(&s, 2, m) || *s != '-')
      return -1;
    s++;
    if(crm__digits(&s, 2, d))
      return -1;
  }
  else if(crm__digits(&s, 2, m) || crm__digits(&s, 2, d)) {
    return -1;
  }
  if(*y < 1 || *m < 1 || *m > 12 || *d < 1 ||
     *d > crm__days_in_month(*y, *m))
    return -1;
  *p = s;
  return 0;
}

static int crm__parse_clock(const char **p, int *secs)
{
  const char *s = *p;
  int hh, mm, ss = 0;

  if(crm__digits(&s, 2, &hh) || *s != ':')
    return -1;
  s++;
  if(crm__digits(&s, 2, &mm))
    return -1;
  if(*s == ':') {
    s++;
    if(crm__digits(&s, 2, &ss))
      return -1;
    if(*s == '.') { /* fractions of a second are dropped */
      s++;
      if(!isdigit((unsigned char)*s))
        return -1;
      while(isdigit((unsigned char)*s))
        s++;
    }
  }
  if(hh > 23 || mm > 59 || ss > 60)
    return -1;
  *secs = hh * 3600 + mm * 60 + (ss == 60 ? 59 : ss);
  *p = s;
  return 0;
}

static int crm__parse_zone(const char **p, int *offset)
{
  const char *s = *p;
  int sign, hh, mm = 0;

  *offset = 0;
  if(*s == 'Z' || *s == 'z') {
    *p = s + 1;
    return 0;
  }
  if(*s != '+' && *s != '-')
    return *s ? -1 : 0;
  sign = *s == '-' ? -1 : 1;
  s++;
  if(crm__digits(&s, 2, &hh))
    return -1;
  if(*s == ':')
    s++;
  if(*s && crm__digits(&s, 2, &mm))
    return -1;
  if(hh > 18 || mm > 59)
    return -1;
  *offset = sign * (hh * 3600 + mm * 60);
  *p = s;
  return 0;
}

int crm_time_parse(const char *text, int64_t *out)
{
  const char *s = text;
  int y, m, d, secs = 0, offset = 0;

  if(!text || !out)
    return CRM_EINVAL;
  while(isspace((unsigned char)*s))
    s++;
  if(crm__parse_date(&s, &y, &m, &d))
    return CRM_EINVAL;
  if(*s == 'T' || *s == 't' || *s == ' ') {
    s++;
    if(crm__parse_clock(&s, &secs))
      return CRM_EINVAL;
    if(crm__parse_zone(&s, &offset))
      return CRM_EINVAL;
  }
  while(isspace((unsigned char)*s))
    s++;
  if(*s)
    return CRM_EINVAL;
  *out = crm__days_from_civil(y, m, d) * 86400 + secs - offset;
  return CRM_OK;
}

int crm_time_format(int64_t t, char *buf, size_t buf_size)
{
  int64_t days, y;
  int64_t rem;
  int m, d;
  int n;

  if(!buf || buf_size < 21)
    return CRM_EINVAL;
  days = t / 86400;
  rem = t % 86400;
  if(rem < 0) {
    rem += 86400;
    days--;
  }
  crm__civil_from_days(days, &y, &m, &d);
  n = snprintf(buf, buf_size, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y,
               m, d, (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
  return n < 0 || (size_t)n >= buf_size ? CRM_ERANGE : CRM_OK;
}

/* ISO 4217 minor-unit exponents that are not 2. */
static int crm__currency_exponent(const char *cur)
{
  static const char zero[] =
      "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF";
  static const char three[] = "BHD IQD JOD KWD LYD OMR TND";

  if(!cur || strlen(cur) != 3)
    return 2;
  if(strstr(zero, cur))
    return 0;
  if(strstr(three, cur))
    return 3;
  return 2;
}

int crm_money_parse(const char *text, const char *currency, int64_t *minor)
{
  const char *s = text;
  int exp = crm__currency_exponent(currency);
  int neg = 0;
  int frac_digits = 0;
  int64_t v = 0;
  int any = 0;

  if(!text || !minor)
    return CRM_EINVAL;
  while(isspace((unsigned char)*s))
    s++;
  if(*s == '-' || *s == '+') {
    neg = *s == '-';
    s++;
  }
  for(; isdigit((unsigned char)*s); s++) {
    if(v > (INT64_MAX - 9) / 10)
      return CRM_ERANGE;
    v = v * 10 + (*s - '0');
    any = 1;
  }
  if(*s == '.') {
    s++;
    for(; isdigit((unsigned char)*s); s++) {
      if(++frac_digits > exp)
        return CRM_EINVAL; /* more precision than the currency has */
      if(v > (INT64_MAX - 9) / 10)
        return CRM_ERANGE;
      v = v * 10 + (*s - '0');
      any = 1;
    }
  }
  while(isspace((unsigned char)*s))
    s++;
  if(*s || !any)
    return CRM_EINVAL;
  for(; frac_digits < exp; frac_digits++) {
    if(v > INT64_MAX / 10)
      return CRM_ERANGE;
    v *= 10;
  }
  *minor = neg ? -v : v;
  return CRM_OK;
}

int crm_money_format(int64_t minor, const char *currency, char *buf,
                     size_t buf_size)
{
  int exp = crm__currency_exponent(currency);
  uint64_t a = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
  uint64_t unit = exp == 0 ? 1 : exp == 3 ? 1000 : 100;
  int n;

  if(!buf || !buf_size)
    return CRM_EINVAL;
  if(exp == 0)
    n = snprintf(buf, buf_size, "%s%llu", minor < 0 ? "-" : "",
                 (unsigned long long)a);
  else
    n = snprintf(buf, buf_size, "%s%llu.%0*llu", minor < 0 ? "-" : "",
                 (unsigned long long)(a / unit), exp,
                 (unsigned long long)(a % unit));
  return n < 0 || (size_t)n >= buf_size ? CRM_ERANGE : CRM_OK;
}

/* Internal: a date-only check for birthdays. */
int crm__date_valid(const char *s)
{
  int y, m, d;
  const char *p = s;

  if(!s || strlen(s) != 10 || s[4] != '-')
    return 0;
  if(crm__parse_date(&p, &y, &m, &d) || *p)
    return 0;
  return 1;
}
