/*
 * trigger_config.c - communication.triggers of the admin config.
 *
 *   { name = "expiring"; on = "points_expiring"; days_before = 14;
 *     at = "10:00"; template = "expiring"; channel = "preferred";
 *     priority = "marketing"; delay_minutes = 0; enabled = true;
 *     condition = "points_balance >= 100 and stage != lost"; }
 *
 * Every key is checked for the trigger's kind (`on`) only: a stage
 * trigger has `stage`, a tier trigger `direction`, an event trigger
 * `event`, a member day `weekday` or `day_of_month`, points expiring
 * `days_before`; the schedule kinds have `at`. The template must exist
 * (communication.templates is parsed first) and every placeholder its
 * variants use must be one the trigger's kind gives; the condition is
 * parsed into clauses (trigger_cond.c), so nothing about a trigger is
 * found wrong at send time that could have been found at load. A disabled trigger is
 * checked and then left out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "points_int.h"
#include "trigger_int.h"

#define CRM__DELAY_MAX_MIN 525600 /* a year */
#define CRM__MAX_AGE_DEFAULT_H 48
#define CRM__MAX_AGE_MAX_H 87600 /* ten years */

typedef struct crm__trg_parse {
  crm__cfgread *r;
  const config_setting_t *g;
  crm__comm_cfg *cc;
  crm__trigger *t;
  char who[CRM__COMM_NAME_MAX + 16]; /* trigger "name" */
} crm__trg_parse;

static const char *const crm__kind_names[] = {
  "?", "stage", "tier", "event", "case_closed", "birthday", "member_day",
  "points_expiring"
};

static const char *const crm__weekdays[] = {
  "sun", "mon", "tue", "wed", "thu", "fri", "sat"
};

const char *crm__trigger_kind_name(int kind)
{
  if(kind < CRM__TRG_STAGE || kind > CRM__TRG_POINTS_EXPIRING)
    return "?";
  return crm__kind_names[kind];
}

int crm__trigger_is_schedule(int kind)
{
  return kind == CRM__TRG_BIRTHDAY || kind == CRM__TRG_MEMBER_DAY ||
         kind == CRM__TRG_POINTS_EXPIRING;
}

/* 1..max bytes of a-z, 0-9, _ (and extra). */
static int crm__trg_word(const char *s, size_t max, const char *extra)
{
  size_t n = 0;

  if(!s || !*s)
    return 0;
  for(; s[n]; n++) {
    char ch = s[n];

    if(!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
         ch == '_' || (extra && strchr(extra, ch))))
      return 0;
  }
  return n <= max;
}

/* ---- keys ------------------------------------------------------------- */

static const char *const crm__common_keys[] = {
  "name", "on", "template", "channel", "priority", "condition", "enabled",
  "delay_minutes", NULL
};

/* Kind-specific keys, and the text listing every key of the kind. */
static const char *crm__kind_key(int kind, int i)
{
  static const char *const k_stage[] = {"stage", "max_age_hours", NULL};
  static const char *const k_tier[] = {"direction", "max_age_hours", NULL};
  static const char *const k_event[] = {"event", "max_age_hours", NULL};
  static const char *const k_case[] = {"max_age_hours", NULL};
  static const char *const k_none[] = {NULL};
  static const char *const k_bday[] = {"at", NULL};
  static const char *const k_mday[] = {"weekday", "day_of_month", "at", NULL};
  static const char *const k_exp[] = {"days_before", "at", NULL};
  static const char *const *const all[] = {
    k_none, k_stage, k_tier, k_event, k_case, k_bday, k_mday, k_exp
  };

  return all[kind][i];
}

static int crm__trg_keys(crm__trg_parse *P, int kind)
{
  int n = config_setting_length(P->g);
  char expected[256];
  size_t o = 0;
  int i, k;

  for(i = 0; i < n; i++) {
    const config_setting_t *m = config_setting_get_elem(P->g, (unsigned)i);
    const char *name = config_setting_name(m);
    int known = 0;

    for(k = 0; name && crm__common_keys[k]; k++)
      known |= !strcmp(name, crm__common_keys[k]);
    for(k = 0; name && crm__kind_key(kind, k); k++)
      known |= !strcmp(name, crm__kind_key(kind, k));
    if(known)
      continue;
    expected[0] = '\0';
    for(k = 0; crm__kind_key(kind, k) && o < sizeof(expected); k++)
      o += (size_t)snprintf(expected + o, sizeof(expected) - o, "%s, ",
                            crm__kind_key(kind, k));
    return crm__cfg_fail(P->r, m, "%s: unknown setting \"%s\" for on = "
                         "\"%s\" (expected %sname, on, template, channel, "
                         "priority, condition, enabled or delay_minutes)",
                         P->who, name ? name : "?",
                         crm__trigger_kind_name(kind), expected);
  }
  return CRM_OK;
}

/* The string member key (NULL when absent). */
static int crm__trg_str(crm__trg_parse *P, const char *key,
                        const config_setting_t **s, const char **out)
{
  *out = NULL;
  *s = config_setting_get_member(P->g, key);
  if(!*s)
    return CRM_OK;
  if(config_setting_type(*s) != CONFIG_TYPE_STRING)
    return crm__cfg_fail(P->r, *s, "%s: %s must be a string: %s = \"...\";",
                         P->who, key, key);
  *out = config_setting_get_string(*s);
  return CRM_OK;
}

/* The integer member key in lo..hi (*found = 0 when absent). */
static int crm__trg_int(crm__trg_parse *P, const char *key, long long lo,
                        long long hi, int *found, long long *out)
{
  const config_setting_t *s = config_setting_get_member(P->g, key);

  *found = 0;
  if(!s)
    return CRM_OK;
  if(config_setting_type(s) != CONFIG_TYPE_INT &&
     config_setting_type(s) != CONFIG_TYPE_INT64)
    return crm__cfg_fail(P->r, s, "%s: %s must be a whole number (%lld to "
                         "%lld)", P->who, key, lo, hi);
  *out = config_setting_get_int64(s);
  if(*out < lo || *out > hi)
    return crm__cfg_fail(P->r, s, "%s: %s must be %lld to %lld, not %lld",
                         P->who, key, lo, hi, *out);
  *found = 1;
  return CRM_OK;
}

/* ---- name, kind and the kind's own keys ------------------------------- */

static int crm__trg_name(crm__trg_parse *P, size_t idx)
{
  const config_setting_t *s;
  const char *name;
  size_t i;
  int rc = crm__trg_str(P, "name", &s, &name);

  if(rc)
    return rc;
  if(!name)
    return crm__cfg_fail(P->r, P->g, "trigger %zu needs a name: name = "
                         "\"welcome\";", idx + 1);
  if(!crm__trg_word(name, CRM__COMM_NAME_MAX, NULL))
    return crm__cfg_fail(P->r, s, "invalid trigger name \"%s\": 1 to %d of "
                         "a-z, 0-9 and _", name, CRM__COMM_NAME_MAX);
  snprintf(P->who, sizeof(P->who), "trigger \"%s\"", name);
  for(i = 0; i < P->cc->n_triggers; i++) {
    if(!strcmp(P->cc->triggers[i].name, name))
      return crm__cfg_fail(P->r, s, "%s is defined twice (first at line "
                           "%d)", P->who, P->cc->triggers[i].line);
  }
  memcpy(P->t->name, name, strlen(name) + 1);
  return CRM_OK;
}

static int crm__trg_kind(crm__trg_parse *P)
{
  const config_setting_t *s;
  const char *on;
  int k;
  int rc = crm__trg_str(P, "on", &s, &on);

  if(rc)
    return rc;
  if(!on)
    return crm__cfg_fail(P->r, P->g, "%s needs on = \"stage\", \"tier\", "
                         "\"event\", \"case_closed\", \"birthday\", "
                         "\"member_day\" or \"points_expiring\";", P->who);
  for(k = CRM__TRG_STAGE; k <= CRM__TRG_POINTS_EXPIRING; k++) {
    if(!strcmp(on, crm__kind_names[k])) {
      P->t->kind = k;
      return CRM_OK;
    }
  }
  return crm__cfg_fail(P->r, s, "%s: unknown on = \"%s\" (expected stage, "
                       "tier, event, case_closed, birthday, member_day or "
                       "points_expiring)", P->who, on);
}

static int crm__trg_stage(crm__trg_parse *P)
{
  const config_setting_t *s;
  const char *v;
  int rc = crm__trg_str(P, "stage", &s, &v);

  if(rc)
    return rc;
  if(!v)
    return crm__cfg_fail(P->r, P->g, "%s needs stage = \"first_purchase\"; "
                         "(the stage the customer moves to)", P->who);
  P->t->stage = crm_stage_parse(v);
  if(P->t->stage < 0)
    return crm__cfg_fail(P->r, s, "%s: unknown stage \"%s\" (prospect, "
                         "qualified, parked, first_purchase, repeat, loyal, "
                         "at_risk, lost or reactivated)", P->who, v);
  return CRM_OK;
}

static int crm__trg_direction(crm__trg_parse *P)
{
  const config_setting_t *s;
  const char *v;
  int rc = crm__trg_str(P, "direction", &s, &v);

  if(rc || !v)
    return rc;
  if(!strcmp(v, "up"))
    P->t->direction = 1;
  else if(!strcmp(v, "down"))
    P->t->direction = -1;
  else if(strcmp(v, "any"))
    return crm__cfg_fail(P->r, s, "%s: direction must be \"up\", \"down\" "
                         "or \"any\", not \"%s\"", P->who, v);
  return CRM_OK;
}

static int crm__trg_event(crm__trg_parse *P)
{
  const config_setting_t *s;
  const char *v;
  int rc = crm__trg_str(P, "event", &s, &v);

  if(rc)
    return rc;
  if(!v)
    return crm__cfg_fail(P->r, P->g, "%s needs event = \"referral\"; (an "
                         "event type)", P->who);
  if(!crm__trg_word(v, CRM_EVENT_TYPE_MAX, "."))
    return crm__cfg_fail(P->r, s, "%s: invalid event type \"%s\": 1 to %d "
                         "of a-z, 0-9, _ and .", P->who, v,
                         CRM_EVENT_TYPE_MAX);
  memcpy(P->t->event_type, v, strlen(v) + 1);
  return CRM_OK;
}

static int crm__trg_at(crm__trg_parse *P)
{
  const config_setting_t *s;
  const char *v;
  int rc = crm__trg_str(P, "at", &s, &v);
  int h, m;

  P->t->at_minute = 9 * 60;
  if(rc || !v)
    return rc;
  if(strlen(v) != 5 || v[2] != ':' || v[0] < '0' || v[0] > '9' ||
     v[1] < '0' || v[1] > '9' || v[3] < '0' || v[3] > '9' || v[4] < '0' ||
     v[4] > '9')
    h = 99;
  else
    h = (v[0] - '0') * 10 + (v[1] - '0');
  m = h == 99 ? 99 : (v[3] - '0') * 10 + (v[4] - '0');
  if(h > 23 || m > 59)
    return crm__cfg_fail(P->r, s, "%s: at must be \"HH:MM\" (00:00 to "
                         "23:59), not \"%s\"", P->who, v);
  P->t->at_minute = h * 60 + m;
  return CRM_OK;
}

static int crm__trg_member_day(crm__trg_parse *P)
{
  const config_setting_t *s;
  const char *wd;
  long long dom = 0;
  int found = 0;
  int i;
  int rc = crm__trg_str(P, "weekday", &s, &wd);

  if(!rc)
    rc = crm__trg_int(P, "day_of_month", 1, 28, &found, &dom);
  if(rc)
    return rc;
  if(wd && found)
    return crm__cfg_fail(P->r, s, "%s: weekday and day_of_month are both "
                         "set (one only)", P->who);
  if(!wd && !found)
    return crm__cfg_fail(P->r, P->g, "%s needs weekday = \"tue\"; or "
                         "day_of_month = 1 to 28;", P->who);
  P->t->weekday = -1;
  P->t->day_of_month = (int)dom;
  for(i = 0; wd && i < 7; i++) {
    if(!strcmp(wd, crm__weekdays[i]))
      P->t->weekday = i;
  }
  if(wd && P->t->weekday < 0)
    return crm__cfg_fail(P->r, s, "%s: weekday must be one of sun, mon, "
                         "tue, wed, thu, fri, sat, not \"%s\"", P->who, wd);
  return CRM_OK;
}

static int crm__trg_days_before(crm__trg_parse *P)
{
  long long v = 0;
  int found = 0;
  int rc = crm__trg_int(P, "days_before", 1, 365, &found, &v);

  if(rc)
    return rc;
  if(!found)
    return crm__cfg_fail(P->r, P->g, "%s needs days_before = 1 to 365;",
                         P->who);
  P->t->days_before = (int)v;
  return CRM_OK;
}

/* The keys of the trigger's kind. */
static int crm__trg_params(crm__trg_parse *P)
{
  int rc = CRM_OK;

  P->t->weekday = -1;
  switch(P->t->kind) {
  case CRM__TRG_STAGE:
    return crm__trg_stage(P);
  case CRM__TRG_TIER:
    return crm__trg_direction(P);
  case CRM__TRG_EVENT:
    return crm__trg_event(P);
  case CRM__TRG_MEMBER_DAY:
    rc = crm__trg_member_day(P);
    break;
  case CRM__TRG_POINTS_EXPIRING:
    rc = crm__trg_days_before(P);
    break;
  default:
    break;
  }
  if(!rc && crm__trigger_is_schedule(P->t->kind))
    rc = crm__trg_at(P);
  return rc;
}

/* ---- template, channel, priority, delay ------------------------------ */

/* Every placeholder of variant v is given to the trigger's kind. */
static int crm__trg_placeholders(crm__trg_parse *P,
                                 const config_setting_t *s,
                                 const crm__template *v)
{
  const char *p = v->placeholders ? v->placeholders : "";
  unsigned need = CRM__PH_ALWAYS | (1u << P->t->kind);
  const char *kn = crm__trigger_kind_name(P->t->kind);

  while(*p) {
    char name[CRM__COMM_NAME_MAX + 1];
    size_t n = strcspn(p, ",");

    if(n < sizeof(name)) {
      memcpy(name, p, n);
      name[n] = '\0';
      if(!(crm__placeholder_kinds(name) & need))
        return crm__cfg_fail(P->r, s, "%s: template \"%s\" (%s, %s) uses "
                             "{{%s}}, which %s %s trigger does not give",
                             P->who, v->name, v->channel, v->language, name,
                             kn[0] == 'e' ? "an" : "a", kn);
    }
    p += n;
    if(*p == ',')
      p++;
  }
  return CRM_OK;
}

static int crm__trg_template(crm__trg_parse *P)
{
  const config_setting_t *s;
  const char *v;
  size_t i;
  int seen = 0;
  int preferred = !strcmp(P->t->channel, "preferred");
  int rc = crm__trg_str(P, "template", &s, &v);

  if(rc)
    return rc;
  if(!v)
    return crm__cfg_fail(P->r, P->g, "%s needs template = \"...\"; (a name "
                         "from communication.templates)", P->who);
  if(!crm__trg_word(v, CRM__COMM_NAME_MAX, NULL))
    return crm__cfg_fail(P->r, s, "%s: invalid template name \"%s\"",
                         P->who, v);
  memcpy(P->t->template_name, v, strlen(v) + 1);
  for(i = 0; i < P->cc->n_templates && !rc; i++) {
    const crm__template *t = &P->cc->templates[i];

    if(strcmp(t->name, v))
      continue;
    seen = 1;
    if(preferred || !strcmp(t->channel, "*") ||
       !strcmp(t->channel, P->t->channel))
      rc = crm__trg_placeholders(P, s, t);
  }
  if(rc)
    return rc;
  if(!seen)
    return crm__cfg_fail(P->r, s, "%s: no template \"%s\" "
                         "(communication.templates)", P->who, v);
  if(!preferred && !crm__template_find(P->cc, v, P->t->channel, NULL))
    return crm__cfg_fail(P->r, s, "%s: template \"%s\" has no variant for "
                         "channel \"%s\" (nor for \"*\")", P->who, v,
                         P->t->channel);
  return CRM_OK;
}

static int crm__trg_channel(crm__trg_parse *P)
{
  const config_setting_t *s;
  const char *v;
  size_t i;
  int rc = crm__trg_str(P, "channel", &s, &v);

  if(rc)
    return rc;
  if(!v)
    v = "preferred";
  if(!crm__trg_word(v, CRM__COMM_NAME_MAX, NULL))
    return crm__cfg_fail(P->r, s, "%s: invalid channel \"%s\": \"preferred\" "
                         "or 1 to %d of a-z, 0-9 and _", P->who, v,
                         CRM__COMM_NAME_MAX);
  memcpy(P->t->channel, v, strlen(v) + 1);
  if(!strcmp(v, "preferred") || !P->cc->n_routes)
    return CRM_OK;
  for(i = 0; i < P->cc->n_routes; i++) {
    if(!strcmp(P->cc->routes[i].name, v))
      return CRM_OK;
  }
  return crm__cfg_fail(P->r, s, "%s: unknown channel \"%s\" (not in "
                       "communication.channels)", P->who, v);
}

static int crm__trg_misc(crm__trg_parse *P, int *enabled)
{
  const config_setting_t *s;
  const char *v;
  long long delay = 0;
  int found = 0;
  int rc = crm__trg_str(P, "priority", &s, &v);

  if(rc)
    return rc;
  P->t->priority = P->t->kind == CRM__TRG_CASE_CLOSED
                       ? CRM_PRIORITY_SERVICE : CRM_PRIORITY_MARKETING;
  if(v && !strcmp(v, "marketing"))
    P->t->priority = CRM_PRIORITY_MARKETING;
  else if(v && !strcmp(v, "service"))
    P->t->priority = CRM_PRIORITY_SERVICE;
  else if(v)
    return crm__cfg_fail(P->r, s, "%s: priority must be \"marketing\" or "
                         "\"service\", not \"%s\"", P->who, v);
  rc = crm__trg_int(P, "delay_minutes", 0, CRM__DELAY_MAX_MIN, &found,
                    &delay);
  if(rc)
    return rc;
  P->t->delay = (int64_t)delay * 60;
  if(!crm__trigger_is_schedule(P->t->kind)) {
    long long age = CRM__MAX_AGE_DEFAULT_H;

    rc = crm__trg_int(P, "max_age_hours", 0, CRM__MAX_AGE_MAX_H, &found,
                      &age);
    if(rc)
      return rc;
    P->t->max_age = (int64_t)age * 3600;
  }
  *enabled = 1;
  s = config_setting_get_member(P->g, "enabled");
  if(!s)
    return CRM_OK;
  if(config_setting_type(s) != CONFIG_TYPE_BOOL)
    return crm__cfg_fail(P->r, s, "%s: enabled must be true or false",
                         P->who);
  *enabled = config_setting_get_bool(s);
  return CRM_OK;
}

static int crm__trg_condition(crm__trg_parse *P)
{
  const config_setting_t *s;
  const char *v;
  int rc = crm__trg_str(P, "condition", &s, &v);

  if(rc || !v)
    return rc;
  return crm__trigger_cond_parse(P->r, s, P->who, v, P->t);
}

/* ---- one trigger ------------------------------------------------------- */

/* What the due schedule depends on (a change reseeds its rows). */
static int crm__trg_definition(crm__trg_parse *P)
{
  char buf[128];
  crm__trigger *t = P->t;
  const char *kn = crm__trigger_kind_name(t->kind);
  int h = t->at_minute / 60, m = t->at_minute % 60;

  switch(t->kind) {
  case CRM__TRG_STAGE:
    snprintf(buf, sizeof(buf), "%s %s", kn, crm_stage_name(t->stage));
    break;
  case CRM__TRG_TIER:
    snprintf(buf, sizeof(buf), "%s %s", kn, t->direction > 0 ? "up" :
             t->direction < 0 ? "down" : "any");
    break;
  case CRM__TRG_EVENT:
    snprintf(buf, sizeof(buf), "%s %s", kn, t->event_type);
    break;
  case CRM__TRG_BIRTHDAY:
    snprintf(buf, sizeof(buf), "%s at %02d:%02d", kn, h, m);
    break;
  case CRM__TRG_MEMBER_DAY:
    if(t->weekday >= 0)
      snprintf(buf, sizeof(buf), "%s weekday %s at %02d:%02d", kn,
               crm__weekdays[t->weekday], h, m);
    else
      snprintf(buf, sizeof(buf), "%s day_of_month %d at %02d:%02d", kn,
               t->day_of_month, h, m);
    break;
  case CRM__TRG_POINTS_EXPIRING:
    snprintf(buf, sizeof(buf), "%s %d days before at %02d:%02d", kn,
             t->days_before, h, m);
    break;
  default:
    snprintf(buf, sizeof(buf), "%s", kn);
    break;
  }
  t->definition = crm__strdup(buf);
  if(!t->definition)
    return crm__cfg_fail(P->r, P->g, "out of memory");
  return CRM_OK;
}

static void crm__trigger_clear(crm__trigger *t)
{
  crm__free(t->conds);
  crm__free(t->condition);
  crm__free(t->definition);
  memset(t, 0, sizeof(*t));
}

static int crm__trg_one(crm__cfgread *r, const config_setting_t *g,
                        size_t idx, crm__comm_cfg *cc)
{
  crm__trg_parse P;
  crm__trigger *t = &cc->triggers[cc->n_triggers];
  int enabled = 1;
  int rc;

  memset(&P, 0, sizeof(P));
  memset(t, 0, sizeof(*t));
  P.r = r;
  P.g = g;
  P.cc = cc;
  P.t = t;
  if(!config_setting_is_group(g))
    return crm__cfg_fail(r, g, "each trigger must be a group: { name = "
                         "\"...\"; on = \"...\"; template = \"...\"; }");
  t->line = config_setting_source_line(g);
  rc = crm__trg_name(&P, idx);
  if(!rc)
    rc = crm__trg_kind(&P);
  if(!rc)
    rc = crm__trg_keys(&P, t->kind);
  if(!rc)
    rc = crm__trg_params(&P);
  if(!rc)
    rc = crm__trg_channel(&P);
  if(!rc)
    rc = crm__trg_template(&P);
  if(!rc)
    rc = crm__trg_misc(&P, &enabled);
  if(!rc)
    rc = crm__trg_condition(&P);
  if(!rc)
    rc = crm__trg_definition(&P);
  if(rc || !enabled) {
    /* a disabled trigger still takes its name */
    char name[CRM__COMM_NAME_MAX + 1];
    int line = t->line;

    memcpy(name, t->name, sizeof(name));
    crm__trigger_clear(t);
    if(!rc) {
      memcpy(t->name, name, sizeof(name));
      t->line = line;
      t->kind = 0; /* kind 0: disabled, never fires nor listed */
      cc->n_triggers++;
    }
    return rc;
  }
  cc->n_triggers++;
  return CRM_OK;
}

int crm__cfg_triggers(struct crm__cfgread *r, const void *list,
                      crm__comm_cfg *cc)
{
  const config_setting_t *l = list;
  size_t n, i;
  int rc = CRM_OK;

  crm__triggers_free(cc);
  if(!l)
    return CRM_OK;
  if(!config_setting_is_list(l))
    return crm__cfg_fail(r, l, "communication.triggers must be a list: "
                         "triggers = ( { name = \"...\"; on = \"...\"; "
                         "template = \"...\"; } );");
  n = (size_t)config_setting_length(l);
  if(!n)
    return CRM_OK;
  cc->triggers = crm__calloc(n, sizeof(*cc->triggers));
  if(!cc->triggers)
    return crm__cfg_fail(r, l, "out of memory");
  for(i = 0; i < n && !rc; i++)
    rc = crm__trg_one(r, config_setting_get_elem(l, (unsigned)i), i, cc);
  if(rc)
    crm__triggers_free(cc);
  return rc;
}

void crm__triggers_free(crm__comm_cfg *cc)
{
  size_t i;

  if(!cc)
    return;
  for(i = 0; i < cc->n_triggers; i++)
    crm__trigger_clear(&cc->triggers[i]);
  crm__free(cc->triggers);
  cc->triggers = NULL;
  cc->n_triggers = 0;
}
