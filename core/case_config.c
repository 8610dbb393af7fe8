/*
 * case_config.c - the `complaints` group of the admin config, parsed and
 * checked into crm__cases_cfg: the default handler, reopen and automatic
 * close windows, teams with their business calendars, routing, SLA
 * policies, escalation levels and compensation limits; and the look-ups
 * the case and SLA files use. Every key is optional; unknown keys and
 * wrong types are refused as "FILE:LINE: reason" like the rest of
 * config.c, and a failed parse frees what it built.
 *
 * The teams (hours, holidays, zone) are read by case_teams.c.
 */
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_cfg_int.h"

#define CF_DAYS_MAX 3650
#define CF_DURATION_MAX (INT64_C(100000) * 3600) /* 100,000 business hours */
#define CF_POINTS_MAX INT64_C(1000000000)
#define CF_RAISE_MAX 3
#define CF_AT_MAX 10.0

static const crm__cases_cfg crm__cases_defaults = {
  .reopen_days = 7, .close_after_days = 7, .warn_at = 0.75};

int crm__cf_nomem(cf_ctx *x, const config_setting_t *s)
{
  crm__cfg_fail(x->r, s, "out of memory");
  return CRM_ENOMEM;
}

/* ---- small readers ------------------------------------------------------ */

int crm__cf_str(cf_ctx *x, const config_setting_t *g, const char *what,
                const char *key, const char **out)
{
  const config_setting_t *s = config_setting_get_member(g, key);

  *out = NULL;
  if(!s)
    return CRM_OK;
  if(config_setting_type(s) != CONFIG_TYPE_STRING)
    return crm__cfg_fail(x->r, s, "%s.%s must be a string", what, key);
  *out = config_setting_get_string(s);
  return CRM_OK;
}

static int cf_int(cf_ctx *x, const config_setting_t *g, const char *what,
                  const char *key, long long lo, long long hi,
                  long long *out)
{
  const config_setting_t *s = config_setting_get_member(g, key);
  long long v;

  if(!s)
    return CRM_OK;
  if(config_setting_type(s) != CONFIG_TYPE_INT &&
     config_setting_type(s) != CONFIG_TYPE_INT64)
    return crm__cfg_fail(x->r, s, "%s.%s must be an integer", what, key);
  v = config_setting_get_int64(s);
  if(v < lo || v > hi)
    return crm__cfg_fail(x->r, s, "%s.%s is %lld; it must be between %lld "
                         "and %lld", what, key, v, lo, hi);
  *out = v;
  return CRM_OK;
}

/* A share: lo < v < hi (open) or lo < v <= hi when hi_incl. */
static int cf_share(cf_ctx *x, const config_setting_t *g, const char *what,
                    const char *key, double hi, int hi_incl, double *out)
{
  const config_setting_t *s = config_setting_get_member(g, key);
  double v;

  if(!s)
    return CRM_OK;
  if(!config_setting_is_number(s))
    return crm__cfg_fail(x->r, s, "%s.%s must be a number", what, key);
  v = config_setting_type(s) == CONFIG_TYPE_FLOAT
          ? config_setting_get_float(s)
          : (double)config_setting_get_int64(s);
  if(!(v > 0.0) || !(hi_incl ? v <= hi : v < hi))
    return crm__cfg_fail(x->r, s, "%s.%s is %g; it must be greater than 0 "
                         "and %s %g", what, key, v,
                         hi_incl ? "at most" : "less than", hi);
  *out = v;
  return CRM_OK;
}

int crm__cf_actor_ok(const char *s)
{
  size_t i, n = strlen(s);

  if(n == 0 || n > CRM__CASE_ACTOR_MAX)
    return 0;
  for(i = 0; i < n; i++) {
    char ch = s[i];

    if(!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
         (ch >= '0' && ch <= '9') || strchr("_-.@", ch)))
      return 0;
  }
  return 1;
}

/* A category member: "*" (when star) or a name of up to 31 bytes. */
static int cf_category(cf_ctx *x, const config_setting_t *g,
                       const char *what, int star, char *buf)
{
  const config_setting_t *s = config_setting_get_member(g, "category");
  const char *v;
  int rc = crm__cf_str(x, g, what, "category", &v);

  if(rc)
    return rc;
  if(!v)
    return crm__cfg_fail(x->r, g, "%s entry has no category; add category "
                         "= \"%s\"", what, star ? "*" : "billing");
  if(!(star && !strcmp(v, "*")) &&
     !crm__cfg_name_ok(v, CRM__CASE_CATEGORY_MAX))
    return crm__cfg_fail(x->r, s, "%s.category \"%.40s\" is not valid; use "
                         "%s1 to %d letters, digits, '_' or '-'", what, v,
                         star ? "\"*\" (any) or " : "",
                         CRM__CASE_CATEGORY_MAX);
  snprintf(buf, CRM__CASE_CATEGORY_MAX + 1, "%s", v);
  return CRM_OK;
}

int crm__cf_list(cf_ctx *x, const config_setting_t *l, const char *what,
                 const char *example, size_t elem, void **out, size_t *n)
{
  int len;

  *out = NULL;
  *n = 0;
  if(!config_setting_is_list(l))
    return crm__cfg_fail(x->r, l, "%s must be a list of groups: %s", what,
                         example);
  len = config_setting_length(l);
  if(len == 0)
    return CRM_OK;
  *out = crm__calloc((size_t)len, elem);
  return *out ? CRM_OK : crm__cf_nomem(x, l);
}

/* ---- durations ---------------------------------------------------------- */

/* "90m", "4h", "1h30m" -> seconds; -1 when malformed or 0. */
static int64_t cf_duration(const char *s)
{
  int64_t total = 0;
  int seen_h = 0, seen_m = 0;
  char *end;

  if(!*s)
    return -1;
  while(*s) {
    long long v;

    if(*s < '0' || *s > '9')
      return -1;
    v = strtoll(s, &end, 10);
    if(v < 0 || v > CF_DURATION_MAX / 60)
      return -1;
    if(*end == 'h' && !seen_h && !seen_m) {
      seen_h = 1;
      total += (int64_t)v * 3600;
    }
    else if(*end == 'm' && !seen_m) {
      seen_m = 1;
      total += (int64_t)v * 60;
    }
    else
      return -1;
    s = end + 1;
  }
  return total > 0 && total <= CF_DURATION_MAX ? total : -1;
}

/* A team name member that must name a configured team. */
static int cf_team_ref(cf_ctx *x, const config_setting_t *g,
                       const char *what, const char *key, char *buf)
{
  const config_setting_t *s = config_setting_get_member(g, key);
  const char *v;
  int rc = crm__cf_str(x, g, what, key, &v);

  if(rc || !v)
    return rc;
  if(!crm__cases_team(x->cc, v))
    return crm__cfg_fail(x->r, s, "%s.%s \"%.40s\" is not a team of "
                         "complaints.teams", what, key, v);
  snprintf(buf, CRM__CASE_TEAM_MAX + 1, "%s", v);
  return CRM_OK;
}

static int cf_routing(cf_ctx *x, const config_setting_t *l)
{
  static const char *const known[] = {"category", "team", NULL};
  crm__cases_cfg *cc = x->cc;
  int i, rc;

  rc = crm__cf_list(x, l, "complaints.routing", "routing = ( { category = "
               "\"billing\"; team = \"finance\"; } )",
               sizeof(crm__case_route), (void **)&cc->routes, &cc->n_routes);
  for(i = 0; !rc && i < config_setting_length(l); i++) {
    const config_setting_t *g = config_setting_get_elem(l, (unsigned)i);
    crm__case_route *rt = &cc->routes[i];
    size_t k;

    if(!config_setting_is_group(g))
      return crm__cfg_fail(x->r, g, "complaints.routing entries must be "
                           "groups: { category = \"billing\"; team = "
                           "\"finance\"; }");
    rc = crm__cfg_check_keys(x->r, g, "complaints.routing ", known,
                             "category or team");
    if(!rc)
      rc = cf_category(x, g, "complaints.routing", 0, rt->category);
    if(!rc && !config_setting_get_member(g, "team"))
      rc = crm__cfg_fail(x->r, g, "complaints.routing entry has no team; "
                         "add team = \"care\"");
    if(!rc)
      rc = cf_team_ref(x, g, "complaints.routing", "team", rt->team);
    for(k = 0; !rc && k < (size_t)i; k++) {
      if(!strcmp(cc->routes[k].category, rt->category))
        rc = crm__cfg_fail(x->r, config_setting_get_member(g, "category"),
                           "complaints.routing routes category \"%s\" "
                           "twice", rt->category);
    }
    if(!rc)
      cc->n_routes = (size_t)i + 1;
  }
  return rc;
}

/* ---- SLA policies ------------------------------------------------------- */

static int cf_target(cf_ctx *x, const config_setting_t *g, const char *key,
                     int64_t *out)
{
  const config_setting_t *s = config_setting_get_member(g, key);
  const char *v;
  int rc = crm__cf_str(x, g, "complaints.sla", key, &v);

  if(rc || !v)
    return rc;
  *out = cf_duration(v);
  if(*out < 0)
    return crm__cfg_fail(x->r, s, "complaints.sla.%s \"%.40s\" is not a "
                         "duration; expected business time such as \"90m\","
                         " \"4h\" or \"1h30m\" (more than 0)", key, v);
  return CRM_OK;
}

static int cf_policy(cf_ctx *x, const config_setting_t *g, size_t i)
{
  static const char *const known[] = {"category", "priority",
                                      "first_response", "resolution",
                                      "warn_at", NULL};
  crm__sla_policy *p = &x->cc->policies[i];
  long long prio = 0;
  size_t k;
  int rc;

  if(!config_setting_is_group(g))
    return crm__cfg_fail(x->r, g, "complaints.sla entries must be groups: "
                         "{ category = \"*\"; priority = 2; first_response "
                         "= \"4h\"; resolution = \"16h\"; }");
  p->line = config_setting_source_line(g);
  rc = crm__cfg_check_keys(x->r, g, "complaints.sla ", known,
                           "category, priority, first_response, resolution "
                           "or warn_at");
  if(!rc)
    rc = cf_category(x, g, "complaints.sla", 1, p->category);
  if(!rc)
    rc = cf_int(x, g, "complaints.sla", "priority", 0, 4, &prio);
  if(!rc)
    rc = cf_target(x, g, "first_response", &p->target[CRM__SLA_FIRST]);
  if(!rc)
    rc = cf_target(x, g, "resolution", &p->target[CRM__SLA_RESOLUTION]);
  if(!rc)
    rc = cf_share(x, g, "complaints.sla", "warn_at", 1.0, 0, &p->warn_at);
  if(rc)
    return rc;
  p->priority = (int)prio;
  if(!p->target[0] && !p->target[1])
    return crm__cfg_fail(x->r, g, "complaints.sla entry %s/%d has no target;"
                         " add first_response or resolution", p->category,
                         p->priority);
  for(k = 0; k < i; k++) {
    const crm__sla_policy *o = &x->cc->policies[k];

    if(!strcmp(o->category, p->category) && o->priority == p->priority)
      return crm__cfg_fail(x->r, g, "duplicate complaints.sla entry for "
                           "category \"%s\" and priority %d (first at line "
                           "%d)", p->category, p->priority, o->line);
  }
  return CRM_OK;
}

static int cf_sla(cf_ctx *x, const config_setting_t *l)
{
  crm__cases_cfg *cc = x->cc;
  size_t n;
  int i, rc;

  rc = crm__cf_list(x, l, "complaints.sla", "sla = ( { category = \"*\"; "
               "priority = 2; first_response = \"4h\"; resolution = \"16h\";"
               " } )", sizeof(crm__sla_policy), (void **)&cc->policies, &n);
  for(i = 0; !rc && i < config_setting_length(l); i++) {
    rc = cf_policy(x, config_setting_get_elem(l, (unsigned)i), (size_t)i);
    if(!rc)
      cc->n_policies = (size_t)i + 1;
  }
  return rc;
}

/* ---- escalation --------------------------------------------------------- */

static int cf_esc_words(cf_ctx *x, const config_setting_t *g,
                        crm__escalation *e)
{
  static const char w[] = "complaints.escalation";
  const char *v;
  int rc = crm__cf_str(x, g, w, "clock", &v);

  if(!rc && !v)
    rc = crm__cfg_fail(x->r, g, "%s entry has no clock; add clock = "
                       "\"resolution\" or \"first_response\"", w);
  if(!rc && strcmp(v, "first_response") && strcmp(v, "resolution"))
    rc = crm__cfg_fail(x->r, config_setting_get_member(g, "clock"), "%s."
                       "clock \"%.40s\" is not valid; expected "
                       "\"first_response\" or \"resolution\"", w, v);
  if(rc)
    return rc;
  e->clock = strcmp(v, "resolution") ? CRM__SLA_FIRST : CRM__SLA_RESOLUTION;
  rc = crm__cf_str(x, g, w, "action", &v);
  if(!rc && !v)
    rc = crm__cfg_fail(x->r, g, "%s entry has no action; add action = "
                       "\"notify\" or \"reassign\"", w);
  if(!rc && strcmp(v, "notify") && strcmp(v, "reassign"))
    rc = crm__cfg_fail(x->r, config_setting_get_member(g, "action"), "%s."
                       "action \"%.40s\" is not valid; expected \"notify\" "
                       "or \"reassign\"", w, v);
  if(rc)
    return rc;
  e->action = strcmp(v, "notify") ? CRM__ESC_REASSIGN : CRM__ESC_NOTIFY;
  rc = crm__cf_str(x, g, w, "to", &v);
  if(rc)
    return rc;
  if(!v)
    v = e->action == CRM__ESC_NOTIFY ? "owner" : "lead";
  if(!crm__cf_actor_ok(v))
    return crm__cfg_fail(x->r, config_setting_get_member(g, "to"), "%s.to "
                         "\"%.40s\" is not valid; expected \"owner\", "
                         "\"lead\", \"team\" or an agent name", w, v);
  if(e->action == CRM__ESC_REASSIGN && !strcmp(v, "owner"))
    return crm__cfg_fail(x->r, config_setting_get_member(g, "to"), "%s: "
                         "reassign to \"owner\" changes nothing; use "
                         "\"lead\", \"team\" or an agent name", w);
  snprintf(e->to, sizeof(e->to), "%s", v);
  return CRM_OK;
}

static int cf_escalation(cf_ctx *x, const config_setting_t *l)
{
  static const char *const known[] = {"clock", "at", "action", "to",
                                      "raise_priority", NULL};
  crm__cases_cfg *cc = x->cc;
  size_t n;
  int i, rc;

  rc = crm__cf_list(x, l, "complaints.escalation", "escalation = ( { clock = "
               "\"resolution\"; at = 0.5; action = \"notify\"; to = "
               "\"owner\"; } )", sizeof(crm__escalation), (void **)&cc->esc,
               &n);
  for(i = 0; !rc && i < config_setting_length(l); i++) {
    const config_setting_t *g = config_setting_get_elem(l, (unsigned)i);
    crm__escalation *e = &cc->esc[i];
    long long raise = 0;

    if(!config_setting_is_group(g))
      return crm__cfg_fail(x->r, g, "complaints.escalation entries must be "
                           "groups: { clock = \"resolution\"; at = 1.0; "
                           "action = \"reassign\"; to = \"lead\"; }");
    e->level = i + 1;
    e->line = config_setting_source_line(g);
    rc = crm__cfg_check_keys(x->r, g, "complaints.escalation ", known,
                             "clock, at, action, to or raise_priority");
    if(!rc)
      rc = cf_esc_words(x, g, e);
    if(!rc && !config_setting_get_member(g, "at"))
      rc = crm__cfg_fail(x->r, g, "complaints.escalation entry has no at; "
                         "add at = 1.0 (the share of the target)");
    if(!rc)
      rc = cf_share(x, g, "complaints.escalation", "at", CF_AT_MAX, 1,
                    &e->at);
    if(!rc)
      rc = cf_int(x, g, "complaints.escalation", "raise_priority", 0,
                  CF_RAISE_MAX, &raise);
    e->raise_priority = (int)raise;
    if(!rc)
      cc->n_esc = (size_t)i + 1;
  }
  return rc;
}

/* ---- compensation ------------------------------------------------------- */

static int cf_items(cf_ctx *x, const config_setting_t *a, crm__comp_limit *m)
{
  int n, i;

  if(!config_setting_is_array(a) && !config_setting_is_list(a))
    return crm__cfg_fail(x->r, a, "complaints.compensation.items must be a "
                         "list of reward item codes: [ \"COFFEE\" ]");
  n = config_setting_length(a);
  if(n == 0)
    return CRM_OK;
  m->items = crm__calloc((size_t)n, sizeof(char *));
  if(!m->items)
    return crm__cf_nomem(x, a);
  for(i = 0; i < n; i++) {
    const config_setting_t *e = config_setting_get_elem(a, (unsigned)i);
    const char *v = config_setting_type(e) == CONFIG_TYPE_STRING
                        ? config_setting_get_string(e) : "";

    if(!crm__cfg_name_ok(v, CRM__ITEM_CODE_MAX))
      return crm__cfg_fail(x->r, e, "complaints.compensation.items: "
                           "\"%.40s\" is not an item code (1 to %d letters, "
                           "digits, '_' or '-')", v, CRM__ITEM_CODE_MAX);
    m->items[i] = crm__strdup(v);
    if(!m->items[i])
      return crm__cf_nomem(x, e);
    m->n_items = (size_t)i + 1;
  }
  return CRM_OK;
}

static int cf_compensation(cf_ctx *x, const config_setting_t *l)
{
  static const char *const known[] = {"category", "max_points", "items",
                                      NULL};
  crm__cases_cfg *cc = x->cc;
  size_t n, k;
  int i, rc;

  rc = crm__cf_list(x, l, "complaints.compensation", "compensation = ( { "
               "category = \"*\"; max_points = 500; } )",
               sizeof(crm__comp_limit), (void **)&cc->limits, &n);
  for(i = 0; !rc && i < config_setting_length(l); i++) {
    const config_setting_t *g = config_setting_get_elem(l, (unsigned)i);
    const config_setting_t *s;
    crm__comp_limit *m = &cc->limits[i];
    long long max = 0;

    if(!config_setting_is_group(g))
      return crm__cfg_fail(x->r, g, "complaints.compensation entries must "
                           "be groups: { category = \"*\"; max_points = "
                           "500; }");
    m->line = config_setting_source_line(g);
    cc->n_limits = (size_t)i + 1; /* freed with the config from here */
    rc = crm__cfg_check_keys(x->r, g, "complaints.compensation ", known,
                             "category, max_points or items");
    if(!rc)
      rc = cf_category(x, g, "complaints.compensation", 1, m->category);
    if(!rc)
      rc = cf_int(x, g, "complaints.compensation", "max_points", 0,
                  CF_POINTS_MAX, &max);
    m->max_points = max;
    s = config_setting_get_member(g, "items");
    if(!rc && s)
      rc = cf_items(x, s, m);
    for(k = 0; !rc && k < (size_t)i; k++) {
      if(!strcmp(cc->limits[k].category, m->category))
        rc = crm__cfg_fail(x->r, g, "duplicate complaints.compensation "
                           "entry for category \"%s\" (first at line %d)",
                           m->category, cc->limits[k].line);
    }
  }
  return rc;
}

/* ---- the group ---------------------------------------------------------- */

static int cf_scalars(cf_ctx *x, const config_setting_t *g)
{
  static const char w[] = "complaints";
  crm__cases_cfg *cc = x->cc;
  long long reopen = cc->reopen_days, close = cc->close_after_days;
  const char *v;
  int rc = crm__cf_str(x, g, w, "handler", &v);

  if(!rc && v && *v && !crm__cfg_name_ok(v, sizeof(cc->handler) - 1))
    rc = crm__cfg_fail(x->r, config_setting_get_member(g, "handler"),
                       "complaints.handler \"%.40s\" is not a component "
                       "name; use 1 to %zu letters, digits, '_' or '-' (\"\""
                       " for the first loaded handler)", v,
                       sizeof(cc->handler) - 1);
  if(!rc && v)
    snprintf(cc->handler, sizeof(cc->handler), "%s", v);
  if(!rc)
    rc = cf_int(x, g, w, "reopen_days", 0, CF_DAYS_MAX, &reopen);
  if(!rc)
    rc = cf_int(x, g, w, "close_after_days", 0, CF_DAYS_MAX, &close);
  if(!rc)
    rc = cf_share(x, g, w, "warn_at", 1.0, 0, &cc->warn_at);
  cc->reopen_days = (int)reopen;
  cc->close_after_days = (int)close;
  return rc;
}

static int cf_parse(cf_ctx *x, const config_setting_t *g)
{
  static const char *const known[] = {
    "handler", "reopen_days", "close_after_days", "warn_at", "default_team",
    "teams", "routing", "sla", "escalation", "compensation", NULL};
  const config_setting_t *s;
  int rc;

  rc = crm__cfg_check_keys(x->r, g, "complaints ", known,
                           "handler, reopen_days, close_after_days, warn_at,"
                           " default_team, teams, routing, sla, escalation "
                           "or compensation");
  if(!rc)
    rc = cf_scalars(x, g);
  s = config_setting_get_member(g, "teams");
  if(!rc && s)
    rc = crm__cf_teams(x, s);
  if(!rc)
    rc = cf_team_ref(x, g, "complaints", "default_team",
                     x->cc->default_team);
  s = config_setting_get_member(g, "routing");
  if(!rc && s)
    rc = cf_routing(x, s);
  s = config_setting_get_member(g, "sla");
  if(!rc && s)
    rc = cf_sla(x, s);
  s = config_setting_get_member(g, "escalation");
  if(!rc && s)
    rc = cf_escalation(x, s);
  s = config_setting_get_member(g, "compensation");
  if(!rc && s)
    rc = cf_compensation(x, s);
  return rc;
}

int crm__cfg_complaints(struct crm__cfgread *r, const void *setting,
                        crm__cases_cfg **out)
{
  const config_setting_t *g = setting;
  cf_ctx x;
  int rc;

  *out = NULL;
  memset(&x, 0, sizeof(x));
  x.r = r;
  if(!config_setting_is_group(g))
    return crm__cfg_fail(r, g, "complaints must be a group: complaints = "
                         "{ ... }");
  x.cc = crm__malloc(sizeof(*x.cc));
  if(!x.cc)
    return crm__cf_nomem(&x, g);
  *x.cc = crm__cases_defaults;
  rc = cf_parse(&x, g);
  if(x.scratch) {
    crm__tz_cache_free(x.scratch);
    crm__free(x.scratch);
  }
  if(rc) {
    crm__cases_cfg_free(x.cc);
    return rc;
  }
  *out = x.cc;
  return CRM_OK;
}

void crm__cases_cfg_free(crm__cases_cfg *cc)
{
  size_t i, k;

  if(!cc)
    return;
  for(i = 0; i < cc->n_teams; i++)
    crm__free(cc->teams[i].holidays);
  for(i = 0; i < cc->n_limits; i++) {
    for(k = 0; k < cc->limits[i].n_items; k++)
      crm__free(cc->limits[i].items[k]);
    crm__free(cc->limits[i].items);
  }
  crm__free(cc->teams);
  crm__free(cc->routes);
  crm__free(cc->policies);
  crm__free(cc->esc);
  crm__free(cc->limits);
  crm__free(cc);
}

/* ---- look-ups ----------------------------------------------------------- */

const crm__cases_cfg *crm__cases(crm *c)
{
  if(c && c->conf && c->conf->cases)
    return c->conf->cases;
  return &crm__cases_defaults;
}

const crm__team *crm__cases_route(const crm__cases_cfg *cc,
                                  const char *category)
{
  size_t i;

  if(!cc || !cc->n_teams)
    return NULL;
  for(i = 0; category && i < cc->n_routes; i++) {
    if(!strcmp(cc->routes[i].category, category))
      return crm__cases_team(cc, cc->routes[i].team);
  }
  if(cc->default_team[0])
    return crm__cases_team(cc, cc->default_team);
  return &cc->teams[0];
}

const crm__sla_policy *crm__cases_policy(const crm__cases_cfg *cc,
                                         const char *category, int priority)
{
  /* exact + exact, exact + any, any + exact, any + any */
  static const int want[4][2] = {{1, 1}, {1, 0}, {0, 1}, {0, 0}};
  size_t i;
  int k;

  if(!cc)
    return NULL;
  if(!category)
    category = "";
  for(k = 0; k < 4; k++) {
    for(i = 0; i < cc->n_policies; i++) {
      const crm__sla_policy *p = &cc->policies[i];
      int cat_ok = want[k][0] ? !strcmp(p->category, category)
                              : !strcmp(p->category, "*");
      int pri_ok = want[k][1] ? p->priority == priority && priority != 0
                              : p->priority == 0;

      if(cat_ok && pri_ok)
        return p;
    }
  }
  return NULL;
}

const crm__comp_limit *crm__cases_limit(const crm__cases_cfg *cc,
                                        const char *category)
{
  size_t i;
  int k;

  for(k = 0; cc && k < 2; k++) {
    for(i = 0; i < cc->n_limits; i++) {
      if(!strcmp(cc->limits[i].category,
                 k == 0 ? (category ? category : "") : "*"))
        return &cc->limits[i];
    }
  }
  return NULL;
}
