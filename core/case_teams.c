/*
 * case_teams.c - the teams of the complaints group: working hours per
 * weekday (with the weekdays shorthand), holidays, time zone and lead;
 * the team look-up and its business calendar.
 *
 * A team's time zone is read from the tz database when the file is
 * loaded (a scratch handle holds the zone for the check only), so an
 * unknown or damaged zone is a config error, never a surprise at the
 * first case. The week and the holidays go through crm__bizcal_check
 * there too. At run time crm__team_cal loads the zone again through the
 * handle's cache.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_cfg_int.h"

static const char *const cf_days[7] = {"sun", "mon", "tue", "wed", "thu",
                                       "fri", "sat"};

/* ---- hours -------------------------------------------------------------- */

static int cf_2digits(const char *s, int *out)
{
  if(s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
    return 0;
  *out = (s[0] - '0') * 10 + (s[1] - '0');
  return 1;
}

/* "HH:MM" 00:00..24:00 -> minutes; -1 when malformed. */
static int cf_hhmm(const char *s)
{
  int h, m;

  if(!cf_2digits(s, &h) || s[2] != ':' || !cf_2digits(s + 3, &m) ||
     m > 59 || h > 24 || (h == 24 && m))
    return -1;
  return h * 60 + m;
}

/* "HH:MM-HH:MM[,HH:MM-HH:MM]" or "" (closed) -> iv; 0 or -1. */
static int cf_day_hours(const char *v, int iv[2][2])
{
  size_t n = strlen(v);
  int i;

  iv[0][0] = iv[0][1] = iv[1][0] = iv[1][1] = -1;
  if(n == 0)
    return 0;
  if(n != 11 && n != 23)
    return -1;
  for(i = 0; i < (int)(n + 1) / 12; i++) {
    const char *p = v + i * 12;

    if(p[5] != '-' || (i == 0 && n == 23 && p[11] != ','))
      return -1;
    iv[i][0] = cf_hhmm(p);
    iv[i][1] = cf_hhmm(p + 6);
    if(iv[i][0] < 0 || iv[i][1] < 0 || iv[i][0] == 1440)
      return -1;
  }
  return 0;
}

/* ---- teams -------------------------------------------------------------- */

static int cf_hours(cf_ctx *x, const config_setting_t *g, crm__team *t)
{
  static const char *const known[] = {"sun", "mon", "tue", "wed", "thu",
                                      "fri", "sat", "weekdays", NULL};
  const config_setting_t *s;
  int iv[2][2];
  int w, rc;

  if(!config_setting_is_group(g))
    return crm__cfg_fail(x->r, g, "complaints.teams.hours must be a group: "
                         "hours = { weekdays = \"09:00-18:00\"; }");
  rc = crm__cfg_check_keys(x->r, g, "complaints.teams.hours ", known,
                           "mon, tue, wed, thu, fri, sat, sun or weekdays");
  if(rc)
    return rc;
  /* weekdays first: a named day overrides it */
  for(w = 7; w >= 0; w--) {
    const char *key = w == 7 ? "weekdays" : cf_days[w];
    const char *v;

    s = config_setting_get_member(g, key);
    if(!s)
      continue;
    v = config_setting_type(s) == CONFIG_TYPE_STRING
            ? config_setting_get_string(s) : NULL;
    if(!v || cf_day_hours(v, iv))
      return crm__cfg_fail(x->r, s, "complaints.teams.hours.%s \"%.40s\" is "
                           "not valid; expected \"HH:MM-HH:MM\" or two "
                           "intervals \"HH:MM-HH:MM,HH:MM-HH:MM\" (24:00 "
                           "may end a day; \"\" closed)", key, v ? v : "");
    if(w == 7) {
      int d;

      for(d = 1; d <= 5; d++)
        memcpy(t->open[d], iv, sizeof(iv));
    }
    else
      memcpy(t->open[w], iv, sizeof(iv));
  }
  return CRM_OK;
}

static int cf_day_cmp(const void *a, const void *b)
{
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

  return x < y ? -1 : x > y;
}

static int cf_holidays(cf_ctx *x, const config_setting_t *a, crm__team *t)
{
  int n, i;
  size_t k, out = 0;

  if(!config_setting_is_array(a) && !config_setting_is_list(a))
    return crm__cfg_fail(x->r, a, "complaints.teams.holidays must be a list "
                         "of dates: [ \"2026-12-25\" ]");
  n = config_setting_length(a);
  if(n == 0)
    return CRM_OK;
  t->holidays = crm__calloc((size_t)n, sizeof(int64_t));
  if(!t->holidays)
    return crm__cf_nomem(x, a);
  for(i = 0; i < n; i++) {
    const config_setting_t *e = config_setting_get_elem(a, (unsigned)i);
    const char *v = config_setting_type(e) == CONFIG_TYPE_STRING
                        ? config_setting_get_string(e) : "";
    char *end;

    if(!crm__date_valid(v))
      return crm__cfg_fail(x->r, e, "complaints.teams.holidays: \"%.40s\" "
                           "is not a date; expected YYYY-MM-DD", v);
    t->holidays[i] = crm__civil_to_days(strtoll(v, &end, 10),
                                        (int)strtol(v + 5, &end, 10),
                                        (int)strtol(v + 8, &end, 10));
  }
  qsort(t->holidays, (size_t)n, sizeof(int64_t), cf_day_cmp);
  for(k = 0; k < (size_t)n; k++) {
    if(out && t->holidays[out - 1] == t->holidays[k])
      continue;
    t->holidays[out++] = t->holidays[k];
  }
  t->n_holidays = out;
  return CRM_OK;
}

/* The zone must load and the week must hold business hours. */
static int cf_team_check(cf_ctx *x, const config_setting_t *g, crm__team *t)
{
  const config_setting_t *zs = config_setting_get_member(g, "timezone");
  crm__bizcal cal;
  int rc;

  if(!x->scratch) {
    x->scratch = crm__calloc(1, sizeof(*x->scratch));
    if(!x->scratch)
      return crm__cf_nomem(x, g);
  }
  memset(&cal, 0, sizeof(cal));
  rc = crm__tz_get(x->scratch, t->timezone, &cal.tz);
  if(rc == CRM_ENOMEM)
    return crm__cf_nomem(x, zs);
  if(rc)
    return crm__cfg_fail(x->r, zs, "complaints.teams \"%s\": %s; use an "
                         "IANA name such as Europe/Paris", t->name,
                         crm_errmsg(x->scratch));
  memcpy(cal.open, t->open, sizeof(cal.open));
  cal.holidays = t->holidays;
  cal.n_holidays = t->n_holidays;
  if(crm__bizcal_check(x->scratch, &cal))
    return crm__cfg_fail(x->r, config_setting_get_member(g, "hours"),
                         "complaints.teams \"%s\": %s", t->name,
                         crm_errmsg(x->scratch));
  return CRM_OK;
}

static int cf_team_names(cf_ctx *x, const config_setting_t *g, crm__team *t)
{
  const config_setting_t *s = config_setting_get_member(g, "name");
  const char *v;
  int rc = crm__cf_str(x, g, "complaints.teams", "name", &v);

  if(rc)
    return rc;
  if(!v)
    return crm__cfg_fail(x->r, g, "complaints.teams entry has no name; add "
                         "name = \"care\"");
  if(!crm__cfg_name_ok(v, CRM__CASE_TEAM_MAX))
    return crm__cfg_fail(x->r, s, "complaints.teams name \"%.40s\" is not "
                         "valid; use 1 to %d letters, digits, '_' or '-'", v,
                         CRM__CASE_TEAM_MAX);
  if(crm__cases_team(x->cc, v))
    return crm__cfg_fail(x->r, s, "duplicate team \"%s\" (first at line %d)",
                         v, crm__cases_team(x->cc, v)->line);
  snprintf(t->name, sizeof(t->name), "%s", v);
  rc = crm__cf_str(x, g, "complaints.teams", "lead", &v);
  if(!rc && v && *v && !crm__cf_actor_ok(v))
    rc = crm__cfg_fail(x->r, config_setting_get_member(g, "lead"),
                       "complaints.teams.lead \"%.40s\" is not a valid agent "
                       "name (1 to %d letters, digits, '_', '-', '.' or '@')",
                       v, CRM__CASE_ACTOR_MAX);
  if(!rc && v)
    snprintf(t->lead, sizeof(t->lead), "%s", v);
  if(!rc)
    rc = crm__cf_str(x, g, "complaints.teams", "timezone", &v);
  if(!rc && v && strlen(v) >= sizeof(t->timezone))
    rc = crm__cfg_fail(x->r, config_setting_get_member(g, "timezone"),
                       "complaints.teams.timezone is too long");
  if(!rc && v)
    snprintf(t->timezone, sizeof(t->timezone), "%s", v);
  return rc;
}

static int cf_team(cf_ctx *x, const config_setting_t *g)
{
  static const char *const known[] = {"name", "timezone", "lead", "hours",
                                      "holidays", NULL};
  crm__team *t = &x->cc->teams[x->cc->n_teams];
  const config_setting_t *s;
  int rc;

  if(!config_setting_is_group(g))
    return crm__cfg_fail(x->r, g, "complaints.teams entries must be groups: "
                         "{ name = \"care\"; hours = { ... }; }");
  memset(t, 0, sizeof(*t));
  memset(t->open, -1, sizeof(t->open));
  t->line = config_setting_source_line(g);
  rc = crm__cfg_check_keys(x->r, g, "complaints.teams ", known,
                           "name, timezone, lead, hours or holidays");
  if(!rc)
    rc = cf_team_names(x, g, t);
  /* the team counts from here: its holidays are freed with the config */
  if(!rc)
    x->cc->n_teams++;
  s = config_setting_get_member(g, "hours");
  if(!rc && !s)
    rc = crm__cfg_fail(x->r, g, "complaints.teams \"%s\" has no hours; add "
                       "hours = { weekdays = \"09:00-18:00\"; }", t->name);
  if(!rc)
    rc = cf_hours(x, s, t);
  s = config_setting_get_member(g, "holidays");
  if(!rc && s)
    rc = cf_holidays(x, s, t);
  if(!rc)
    rc = cf_team_check(x, g, t);
  return rc;
}

int crm__cf_teams(cf_ctx *x, const config_setting_t *l)
{
  int i, rc;

  rc = crm__cf_list(x, l, "complaints.teams", "teams = ( { name = \"care\"; "
               "hours = { weekdays = \"09:00-18:00\"; }; } )",
               sizeof(crm__team), (void **)&x->cc->teams, &x->cc->n_teams);
  for(i = 0; !rc && i < config_setting_length(l); i++)
    rc = cf_team(x, config_setting_get_elem(l, (unsigned)i));
  return rc;
}

/* ---- look-ups ----------------------------------------------------------- */

const crm__team *crm__cases_team(const crm__cases_cfg *cc, const char *name)
{
  size_t i;

  for(i = 0; cc && name && i < cc->n_teams; i++) {
    if(!strcmp(cc->teams[i].name, name))
      return &cc->teams[i];
  }
  return NULL;
}

int crm__team_cal(crm *c, const crm__team *t, crm__bizcal *out)
{
  int rc;

  memset(out, 0, sizeof(*out));
  rc = crm__tz_get(c, t->timezone, &out->tz);
  if(rc)
    return rc;
  memcpy(out->open, t->open, sizeof(out->open));
  out->holidays = t->holidays;
  out->n_holidays = t->n_holidays;
  return CRM_OK;
}
