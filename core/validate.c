/*
 * validate.c - input checks shared by the public entry points. Each check
 * sets a precise message and returns a CRM_E* code; callers validate
 * everything before they write anything.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "crm_int.h"

#define CRM__ZONEINFO "/usr/share/zoneinfo"

/* Length of the valid UTF-8 sequence at s (1..4), or 0: no overlong
 * forms, no surrogates, nothing above U+10FFFF. */
static size_t crm__utf8_len(const unsigned char *s)
{
  if(s[0] < 0x80)
    return 1;
  if(s[0] >= 0xc2 && s[0] <= 0xdf)
    return (s[1] & 0xc0) == 0x80 ? 2 : 0;
  if(s[0] >= 0xe0 && s[0] <= 0xef) {
    if((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
      return 0;
    if((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f))
      return 0;
    return 3;
  }
  if(s[0] >= 0xf0 && s[0] <= 0xf4) {
    if((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
       (s[3] & 0xc0) != 0x80)
      return 0;
    if((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
      return 0;
    return 4;
  }
  return 0;
}

int crm__check_text(crm *c, const char *field, const char *s, size_t max,
                    int required)
{
  size_t n;
  size_t i;

  if(!s || !*s) {
    if(required)
      return crm__err(c, CRM_EINVAL, "%s is required", field);
    return CRM_OK;
  }
  n = strnlen(s, max + 1);
  if(n > max)
    return crm__err(c, CRM_ERANGE, "%s is too long (more than %zu bytes)",
                    field, max);
  for(i = 0; i < n;) {
    size_t len;

    if((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
      return crm__err(c, CRM_EINVAL, "%s contains a control character",
                      field);
    len = crm__utf8_len((const unsigned char *)s + i);
    if(!len)
      return crm__err(c, CRM_EINVAL, "%s is not valid UTF-8 (byte %zu)",
                      field, i + 1);
    i += len;
  }
  return CRM_OK;
}

int crm__check_email(crm *c, const char *s)
{
  const char *at;
  const char *dot;
  size_t i;
  int rc;

  rc = crm__check_text(c, "e-mail", s, CRM_EMAIL_MAX, 0);
  if(rc || !s || !*s)
    return rc;
  at = strchr(s, '@');
  if(!at || at == s || strchr(at + 1, '@'))
    return crm__err(c, CRM_EINVAL, "malformed e-mail \"%s\"", s);
  dot = strrchr(at + 1, '.');
  if(!dot || dot == at + 1 || !dot[1])
    return crm__err(c, CRM_EINVAL, "malformed e-mail \"%s\"", s);
  for(i = 0; s[i]; i++) {
    if(isspace((unsigned char)s[i]))
      return crm__err(c, CRM_EINVAL, "malformed e-mail \"%s\"", s);
  }
  return CRM_OK;
}

int crm__check_phone(crm *c, const char *s)
{
  size_t i;
  int digits = 0;
  int rc;

  rc = crm__check_text(c, "phone", s, CRM_PHONE_MAX, 0);
  if(rc || !s || !*s)
    return rc;
  for(i = 0; s[i]; i++) {
    unsigned char ch = (unsigned char)s[i];

    if(isdigit(ch))
      digits++;
    else if(!(ch == '+' && i == 0) && !strchr(" -().", ch))
      return crm__err(c, CRM_EINVAL, "malformed phone number \"%s\"", s);
  }
  if(digits < 4)
    return crm__err(c, CRM_EINVAL, "malformed phone number \"%s\"", s);
  return CRM_OK;
}

int crm__check_timezone(crm *c, const char *s)
{
  char path[sizeof(CRM__ZONEINFO) + CRM_TZ_MAX + 2];
  struct stat st;
  size_t i;
  int rc;

  rc = crm__check_text(c, "time zone", s, CRM_TZ_MAX, 0);
  if(rc || !s || !*s)
    return rc;
  if(strcmp(s, "UTC") == 0)
    return CRM_OK;
  for(i = 0; s[i]; i++) {
    unsigned char ch = (unsigned char)s[i];

    if(!isalnum(ch) && !strchr("_+-/", ch))
      return crm__err(c, CRM_EINVAL, "unknown time zone \"%s\"", s);
  }
  if(s[0] == '/' || strstr(s, "..") || strstr(s, "//"))
    return crm__err(c, CRM_EINVAL, "unknown time zone \"%s\"", s);
  /* Where the tz database is installed, the name must exist in it. */
  if(stat(CRM__ZONEINFO, &st) == 0) {
    snprintf(path, sizeof(path), "%s/%s", CRM__ZONEINFO, s);
    if(stat(path, &st) != 0 || !S_ISREG(st.st_mode))
      return crm__err(c, CRM_EINVAL,
                      "unknown time zone \"%s\"; use an IANA name such as "
                      "Europe/Paris", s);
  }
  return CRM_OK;
}

int crm__check_date(crm *c, const char *field, const char *s)
{
  if(!s || !*s)
    return CRM_OK;
  if(!crm__date_valid(s))
    return crm__err(c, CRM_EINVAL, "malformed %s \"%.40s\"; expected "
                    "YYYY-MM-DD", field, s);
  return CRM_OK;
}

int crm__check_currency(crm *c, const char *s)
{
  if(!s || strlen(s) != 3 || !isupper((unsigned char)s[0]) ||
     !isupper((unsigned char)s[1]) || !isupper((unsigned char)s[2]))
    return crm__err(c, CRM_EINVAL,
                    "malformed currency \"%.16s\"; expected an ISO 4217 "
                    "code such as USD", s ? s : "");
  return CRM_OK;
}

int crm__check_event_type(crm *c, const char *s)
{
  size_t i;

  if(!s || !*s)
    return crm__err(c, CRM_EINVAL, "event type is required");
  if(strlen(s) > CRM_EVENT_TYPE_MAX)
    return crm__err(c, CRM_ERANGE, "event type is too long (more than %d "
                    "bytes)", CRM_EVENT_TYPE_MAX);
  if(!islower((unsigned char)s[0]))
    return crm__err(c, CRM_EINVAL, "malformed event type \"%s\"; use "
                    "[a-z][a-z0-9_.]*", s);
  for(i = 0; s[i]; i++) {
    unsigned char ch = (unsigned char)s[i];

    if(!islower(ch) && !isdigit(ch) && ch != '_' && ch != '.')
      return crm__err(c, CRM_EINVAL, "malformed event type \"%s\"; use "
                      "[a-z][a-z0-9_.]*", s);
  }
  return CRM_OK;
}

static const char crm__sql_json_object[] =
  "SELECT CASE WHEN json_valid(?1) THEN json_type(?1) = 'object'"
  " ELSE 0 END";

int crm__check_json(crm *c, const char *field, const char *s)
{
  sqlite3_stmt *st;
  int ok;
  int rc;

  if(!s)
    return CRM_OK;
  if(strlen(s) > CRM_PAYLOAD_MAX)
    return crm__err(c, CRM_ERANGE, "%s is too long (more than %d bytes)",
                    field, CRM_PAYLOAD_MAX);
  st = crm__stmt(c, crm__sql_json_object);
  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, s, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  ok = rc == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
  sqlite3_reset(st);
  if(rc != SQLITE_ROW)
    return crm__sqlerr(c, rc, "checking json");
  if(!ok)
    return crm__err(c, CRM_EINVAL, "%s is not a JSON object", field);
  return CRM_OK;
}
