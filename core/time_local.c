/*
 * time_local.c - crm_time_local: a UTC instant as wall time in an IANA
 * zone, through the core's own TZif reader (tz.c: $TZDIR, else the
 * built-in zoneinfo directory, zones cached per handle). The process time
 * zone (TZ, tzset, localtime) is never touched.
 */
#include <string.h>

#include "comm_int.h"

int crm_time_local(crm *c, const char *zone, int64_t utc,
                   crm_local_time *out)
{
  const crm__tz *z = NULL;
  crm__localtm lt;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(!out)
    return crm__err(c, CRM_EINVAL, "no output given");
  memset(out, 0, sizeof(*out));
  rc = crm__tz_get(c, zone, &z);
  /* tz.c says CRM_EINVAL for a name it has no file for (the store's
   * zone checks want that); here it is a lookup that found nothing */
  if(rc == CRM_EINVAL && !strncmp(crm_errmsg(c), "unknown time zone", 17))
    return crm__err(c, CRM_ENOTFOUND, "unknown time zone \"%.*s\"",
                    CRM_TZ_MAX, zone);
  if(rc)
    return rc;
  crm__tz_local(z, utc, &lt);
  if(lt.year < -999999 || lt.year > 999999)
    return crm__err(c, CRM_ERANGE, "time out of range: %lld",
                    (long long)utc);
  out->year = (int)lt.year;
  out->month = lt.month;
  out->day = lt.day;
  out->hour = lt.minute / 60;
  out->minute = lt.minute % 60;
  out->second = lt.second;
  out->weekday = lt.wday;
  out->utc_offset = lt.offset;
  memcpy(out->abbrev, lt.abbr, sizeof(out->abbrev));
  out->abbrev[sizeof(out->abbrev) - 1] = '\0';
  return CRM_OK;
}
