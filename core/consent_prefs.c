/*
 * consent_prefs.c - contact preferences (preferred channel, language,
 * quiet hours, a pause) and the checks and history shared with consent.c.
 */
#include <stdio.h>
#include <string.h>

#include "consent_int.h"
#include "points_int.h"

#define CRM__MINUTES_PER_DAY 1440

static const char crm__sql_consent_hist[] =
  "INSERT INTO consent_history(customer_id, channel, kind, status, source,"
  " note, at, recorded_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char crm__sql_prefs_put[] =
  "INSERT INTO contact_prefs(customer_id, preferred_channel, language,"
  " quiet_start, quiet_end, pause_from, pause_until, updated_at)"
  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
  " ON CONFLICT(customer_id) DO UPDATE SET"
  " preferred_channel = excluded.preferred_channel,"
  " language = excluded.language, quiet_start = excluded.quiet_start,"
  " quiet_end = excluded.quiet_end, pause_from = excluded.pause_from,"
  " pause_until = excluded.pause_until, updated_at = excluded.updated_at";
static const char crm__sql_prefs_get[] =
  "SELECT preferred_channel, language, quiet_start, quiet_end,"
  " pause_from, pause_until FROM contact_prefs WHERE customer_id = ?1";

/* ---- shared checks ------------------------------------------------------- */

int crm__consent_check_channel(crm *c, const char *ch, const char *what)
{
  size_t i;
  size_t n;

  if(!ch || !*ch)
    return crm__err(c, CRM_EINVAL, "%s is required", what);
  n = strnlen(ch, CRM__CHANNEL_MAX + 1);
  if(n > CRM__CHANNEL_MAX)
    return crm__err(c, CRM_EINVAL, "invalid %s \"%.32s...\": more than "
                    "%d bytes", what, ch, CRM__CHANNEL_MAX);
  for(i = 0; i < n; i++) {
    char k = ch[i];

    if(!((k >= 'a' && k <= 'z') || (k >= '0' && k <= '9') || k == '_'))
      return crm__err(c, CRM_EINVAL, "invalid %s \"%s\": only a-z, 0-9 "
                      "and _ are allowed", what, ch);
  }
  return CRM_OK;
}

int crm__consent_time(crm *c, int64_t at, int64_t *out)
{
  int64_t now = crm_now(c);
  char t1[40];
  char t2[40];

  if(at <= 0) {
    *out = now;
    return CRM_OK;
  }
  if(at > now) {
    crm_time_format(at, t1, sizeof(t1));
    crm_time_format(now, t2, sizeof(t2));
    return crm__err(c, CRM_EINVAL, "time in the future: %s is after now "
                    "(%s)", t1, t2);
  }
  *out = at;
  return CRM_OK;
}

int crm__consent_history(crm *c, int64_t customer_id, const char *channel,
                         const char *kind, int status, const char *source,
                         const char *note, int64_t at)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_consent_hist);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  if(channel)
    sqlite3_bind_text(st, 2, channel, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 4, status);
  if(source)
    sqlite3_bind_text(st, 5, source, -1, SQLITE_STATIC);
  if(note && *note)
    sqlite3_bind_text(st, 6, note, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 7, at);
  sqlite3_bind_int64(st, 8, crm_now(c));
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "writing consent history");
  return CRM_OK;
}

int crm__consent_audit(crm *c, int64_t customer_id, const char *action,
                       const char *detail)
{
  char obj[48];

  snprintf(obj, sizeof(obj), "customer #%lld", (long long)customer_id);
  return crm__audit(c, "api", action, obj, detail);
}

/* ---- preferences ----------------------------------------------------------- */

static int crm__is_alpha(char k)
{
  return (k >= 'a' && k <= 'z') || (k >= 'A' && k <= 'Z');
}

static int crm__is_alnum(char k)
{
  return crm__is_alpha(k) || (k >= '0' && k <= '9');
}

/* [A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*, at most CRM__LANGUAGE_MAX bytes. */
int crm__lang_valid(const char *s)
{
  size_t i = 0;
  size_t n;

  if(strnlen(s, CRM__LANGUAGE_MAX + 1) > CRM__LANGUAGE_MAX)
    return 0;
  while(crm__is_alpha(s[i]))
    i++;
  if(i < 2 || i > 3)
    return 0;
  while(s[i] == '-') {
    i++;
    n = 0;
    while(crm__is_alnum(s[i + n]))
      n++;
    if(n < 2 || n > 8)
      return 0;
    i += n;
  }
  return s[i] == '\0';
}

static int crm__prefs_check(crm *c, const crm_contact_prefs *p)
{
  int rc;

  if(p->preferred_channel) {
    rc = crm__consent_check_channel(c, p->preferred_channel,
                                    "preferred channel");
    if(rc)
      return rc;
  }
  if(p->language && !crm__lang_valid(p->language))
    return crm__err(c, CRM_EINVAL, "invalid language tag \"%.40s\": "
                    "expected a BCP 47 tag such as \"en\" or \"fr-CA\"",
                    p->language);
  if(!(p->quiet_start == -1 && p->quiet_end == -1) &&
     (p->quiet_start < 0 || p->quiet_start >= CRM__MINUTES_PER_DAY ||
      p->quiet_end < 0 || p->quiet_end >= CRM__MINUTES_PER_DAY))
    return crm__err(c, CRM_EINVAL, "invalid quiet hours %d..%d: minutes "
                    "0..1439, both or neither (-1)", p->quiet_start,
                    p->quiet_end);
  if(!(p->pause_from == 0 && p->pause_until == 0) &&
     (p->pause_from <= 0 || p->pause_until <= p->pause_from))
    return crm__err(c, CRM_EINVAL, "invalid pause %lld..%lld: from before "
                    "until, both or neither (0)", (long long)p->pause_from,
                    (long long)p->pause_until);
  return CRM_OK;
}

static void crm__bind_opt_text(sqlite3_stmt *st, int col, const char *s)
{
  if(s && *s)
    sqlite3_bind_text(st, col, s, -1, SQLITE_STATIC);
}

static int crm__prefs_write(crm *c, int64_t customer_id,
                            const crm_contact_prefs *p, int64_t now)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_prefs_put);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  crm__bind_opt_text(st, 2, p->preferred_channel);
  crm__bind_opt_text(st, 3, p->language);
  if(p->quiet_start >= 0) {
    sqlite3_bind_int(st, 4, p->quiet_start);
    sqlite3_bind_int(st, 5, p->quiet_end);
  }
  if(p->pause_from > 0) {
    sqlite3_bind_int64(st, 6, p->pause_from);
    sqlite3_bind_int64(st, 7, p->pause_until);
  }
  sqlite3_bind_int64(st, 8, now);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "writing contact preferences");
  return CRM_OK;
}

/* "channel=sms language=fr-CA quiet=1320-420 pause=A-B" (history note). */
static void crm__prefs_text(const crm_contact_prefs *p, char *buf,
                            size_t size)
{
  snprintf(buf, size, "channel=%s language=%s quiet=%d-%d pause=%lld-%lld",
           p->preferred_channel ? p->preferred_channel : "-",
           p->language ? p->language : "-", p->quiet_start, p->quiet_end,
           (long long)p->pause_from, (long long)p->pause_until);
}

int crm_prefs_set(crm *c, int64_t customer_id, const crm_contact_prefs *p,
                  const char *source)
{
  char note[CRM__CONSENT_NOTE_MAX];
  int64_t now;
  int rc;

  crm__clear_err(c);
  if(!p)
    return crm__err(c, CRM_EINVAL, "preferences are required");
  rc = crm__customer_exists(c, customer_id);
  if(!rc)
    rc = crm__prefs_check(c, p);
  if(!rc)
    rc = crm__check_text(c, "source", source, CRM__CONSENT_SOURCE_MAX, 1);
  if(rc)
    return rc;
  now = crm_now(c);
  crm__prefs_text(p, note, sizeof(note));
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  rc = crm__prefs_write(c, customer_id, p, now);
  if(!rc)
    rc = crm__consent_history(c, customer_id, NULL, "prefs", 0, source,
                              note, now);
  if(!rc)
    rc = crm__consent_audit(c, customer_id, "consent.prefs", note);
  if(rc) {
    crm__tx_rollback(c);
    return rc;
  }
  return crm__tx_commit(c);
}

static const char *crm__col_buf(sqlite3_stmt *st, int col, char *buf,
                                size_t size)
{
  if(sqlite3_column_type(st, col) == SQLITE_NULL)
    return NULL;
  crm__col_text(st, col, buf, size);
  return buf;
}

int crm_prefs_get(crm *c, int64_t customer_id, crm_contact_prefs *p)
{
  struct crm__consent_buf *b = &c->consent_buf;
  sqlite3_stmt *st;
  int rc;

  crm__clear_err(c);
  memset(p, 0, sizeof(*p));
  p->quiet_start = -1;
  p->quiet_end = -1;
  rc = crm__customer_exists(c, customer_id);
  if(rc)
    return rc;
  st = crm__stmt(c, crm__sql_prefs_get);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW) {
    p->preferred_channel = crm__col_buf(st, 0, b->pref_channel,
                                        sizeof(b->pref_channel));
    p->language = crm__col_buf(st, 1, b->language, sizeof(b->language));
    if(sqlite3_column_type(st, 2) != SQLITE_NULL) {
      p->quiet_start = sqlite3_column_int(st, 2);
      p->quiet_end = sqlite3_column_int(st, 3);
    }
    p->pause_from = sqlite3_column_int64(st, 4);
    p->pause_until = sqlite3_column_int64(st, 5);
    rc = SQLITE_DONE;
  }
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading contact preferences");
  return CRM_OK;
}
