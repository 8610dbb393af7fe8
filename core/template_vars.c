/*
 * template_vars.c - placeholder values and rendering.
 *
 * Only the placeholders a variant uses are looked up. The caller's extra
 * pairs come first (they override the customer's own values); a
 * customer-level placeholder is then read from the customer and the
 * store; a placeholder with no value at all is an error naming it and
 * why, never a blank. Values go in verbatim (the body is text: no HTML
 * escaping); "{{" inside a value is not scanned again.
 *
 * {{unsubscribe_url}} is communication.unsubscribe_url with {customer}
 * and {channel} filled in and {message} removed: the message id is only
 * known when the outbox row exists, and the outbox builds the header
 * (List-Unsubscribe) itself from the same setting.
 */
#include <stdio.h>
#include <string.h>

#include "comm_int.h"
#include "consent_int.h"
#include "template_int.h"

#define CRM__SUBJECT_MAX 998
#define CRM__PH_SLOTS 32
#define CRM__WHY_SIZE 96

typedef struct crm__ph_val {
  const char *name;  /* in names[] */
  const char *value; /* NULL: none */
  char *own;         /* allocated value, freed at the end */
} crm__ph_val;

typedef struct crm__render {
  crm *c;
  const crm__template *t;
  const crm_customer *cust;
  const char *channel;
  char names[512];
  crm__ph_val v[CRM__PH_SLOTS];
  size_t n;
  char why[CRM__WHY_SIZE];
} crm__render;

/* ---- customer-level values ------------------------------------------------ */

static int crm__own(crm__render *R, crm__ph_val *pv, const char *s)
{
  pv->own = crm__strdup(s);
  if(!pv->own)
    return crm__err(R->c, CRM_ENOMEM, "out of memory");
  pv->value = pv->own;
  return CRM_OK;
}

static int crm__own_fmt_ll(crm__render *R, crm__ph_val *pv, long long v)
{
  char buf[32];

  snprintf(buf, sizeof(buf), "%lld", v);
  return crm__own(R, pv, buf);
}

/* A customer string field: the value, or none with why. */
static void crm__field(crm__render *R, crm__ph_val *pv, const char *s,
                       const char *why)
{
  if(s[0])
    pv->value = s;
  else
    snprintf(R->why, sizeof(R->why), "%s", why);
}

static int crm__first_name(crm__render *R, crm__ph_val *pv)
{
  const char *s = R->cust->name;
  size_t n;
  char buf[CRM_NAME_MAX + 1];

  while(*s == ' ' || *s == '\t')
    s++;
  n = strcspn(s, " \t");
  if(!n) {
    snprintf(R->why, sizeof(R->why), "no name");
    return CRM_OK;
  }
  memcpy(buf, s, n);
  buf[n] = '\0';
  return crm__own(R, pv, buf);
}

static int crm__tier_cb(void *ud, const crm_points_account *a)
{
  char *out = ud;

  if(!a->tier[0])
    return 0;
  snprintf(out, 33, "%s", a->tier);
  return 1;
}

/* The tier of the first account (scheme name order) that has one. */
static int crm__tier(crm__render *R, crm__ph_val *pv)
{
  char tier[33] = "";
  int rc = crm_points_accounts_foreach(R->c, R->cust->id, crm__tier_cb, tier);

  if(rc < 0)
    return rc;
  if(!tier[0]) {
    snprintf(R->why, sizeof(R->why), "no tier");
    return CRM_OK;
  }
  return crm__own(R, pv, tier);
}

/* The customer's local date now; an unknown zone is UTC. */
static int crm__today(crm__render *R, crm__ph_val *pv)
{
  const crm__tz *z = NULL;
  crm__localtm lt;
  char buf[40];
  int64_t now = crm_now(R->c);

  if(crm__tz_get(R->c, R->cust->timezone, &z) || !z)
    crm__tz_get(R->c, "UTC", &z);
  crm__clear_err(R->c);
  if(z) {
    crm__tz_local(z, now, &lt);
    snprintf(buf, sizeof(buf), "%04lld-%02d-%02d", (long long)lt.year,
             lt.month, lt.day);
  }
  else {
    /* no zone reader: the UTC date */
    crm_time_format(now, buf, sizeof(buf));
    buf[10] = '\0';
  }
  return crm__own(R, pv, buf);
}

/* unsubscribe_url with {customer} and {channel}; {message} as
 * CRM__MSG_MARK, which the outbox replaces with the message id. */
static int crm__unsubscribe(crm__render *R, crm__ph_val *pv)
{
  const char *u = crm__comm(R->c)->unsubscribe_url;
  char id[32];
  char *out;
  size_t cap;
  size_t o = 0;

  if(!u || !*u) {
    snprintf(R->why, sizeof(R->why), "communication.unsubscribe_url is not "
             "set");
    return CRM_OK;
  }
  snprintf(id, sizeof(id), "%lld", (long long)R->cust->id);
  /* each {..} of 9+ bytes is replaced by at most 32 */
  cap = strlen(u) * 4 + 64;
  out = crm__malloc(cap);
  if(!out)
    return crm__err(R->c, CRM_ENOMEM, "out of memory");
  while(*u) {
    const char *put = NULL;
    size_t skip = 0;

    if(!strncmp(u, "{customer}", 10)) {
      put = id;
      skip = 10;
    }
    else if(!strncmp(u, "{channel}", 9)) {
      put = R->channel;
      skip = 9;
    }
    else if(!strncmp(u, "{message}", 9)) {
      put = CRM__MSG_MARK;
      skip = 9;
    }
    if(put) {
      size_t n = strlen(put);

      memcpy(out + o, put, n);
      o += n;
      u += skip;
    }
    else
      out[o++] = *u++;
  }
  out[o] = '\0';
  pv->own = out;
  pv->value = out;
  return CRM_OK;
}

/* The customer-level value of pv->name, or none with R->why set. */
static int crm__cust_value(crm__render *R, crm__ph_val *pv)
{
  const crm_customer *cu = R->cust;
  const char *n = pv->name;
  const char *company = crm__comm(R->c)->sender_name;

  if(!strcmp(n, "name"))
    crm__field(R, pv, cu->name, "no name");
  else if(!strcmp(n, "first_name"))
    return crm__first_name(R, pv);
  else if(!strcmp(n, "email"))
    crm__field(R, pv, cu->email, "no e-mail");
  else if(!strcmp(n, "phone"))
    crm__field(R, pv, cu->phone, "no phone");
  else if(!strcmp(n, "external_id"))
    crm__field(R, pv, cu->external_id, "no external id");
  else if(!strcmp(n, "birthday"))
    crm__field(R, pv, cu->birthday, "no birthday");
  else if(!strcmp(n, "customer_id"))
    return crm__own_fmt_ll(R, pv, (long long)cu->id);
  else if(!strcmp(n, "points_balance"))
    return crm__own_fmt_ll(R, pv, (long long)cu->points_balance);
  else if(!strcmp(n, "stage"))
    pv->value = crm_stage_name(cu->stage);
  else if(!strcmp(n, "tier"))
    return crm__tier(R, pv);
  else if(!strcmp(n, "company"))
    crm__field(R, pv, company ? company : "",
               "communication.sender_name is not set");
  else if(!strcmp(n, "today"))
    return crm__today(R, pv);
  else if(!strcmp(n, "unsubscribe_url"))
    return crm__unsubscribe(R, pv);
  return CRM_OK;
}

/* ---- values of the placeholders used ---------------------------------- */

static const char *crm__extra(const crm__vars *extra, const char *name)
{
  const char *const *p;

  if(!extra || !extra->pairs)
    return NULL;
  for(p = extra->pairs; p[0] && p[1]; p += 2) {
    if(!strcmp(p[0], name))
      return p[1];
  }
  return NULL;
}

static int crm__need(crm__render *R, const char *name)
{
  const crm__template *t = R->t;

  return crm__err(R->c, CRM_EINVAL, "template \"%s\" (%s, %s) needs {{%s}}, "
                  "which has no value for customer #%lld (%s)", t->name,
                  t->channel, t->language, name, (long long)R->cust->id,
                  R->why[0] ? R->why : "not given for this message");
}

static int crm__values(crm__render *R, const crm__vars *extra)
{
  char *p;
  int rc;

  snprintf(R->names, sizeof(R->names), "%s", R->t->placeholders);
  p = R->names;
  while(*p && R->n < CRM__PH_SLOTS) {
    crm__ph_val *pv = &R->v[R->n++];
    char *comma = strchr(p, ',');

    if(comma)
      *comma = '\0';
    pv->name = p;
    p = comma ? comma + 1 : p + strlen(p);
    R->why[0] = '\0';
    pv->value = crm__extra(extra, pv->name);
    if(!pv->value && (crm__placeholder_kinds(pv->name) & CRM__PH_ALWAYS)) {
      rc = crm__cust_value(R, pv);
      if(rc)
        return rc;
    }
    if(!pv->value)
      return crm__need(R, pv->name);
  }
  return CRM_OK;
}

/* ---- rendering ---------------------------------------------------------- */

typedef struct crm__sink {
  char *buf;
  size_t max; /* bytes of content allowed */
  size_t len;
  int over;
} crm__sink;

static void crm__put(crm__sink *k, const char *p, size_t n)
{
  if(k->over || n > k->max - k->len) {
    k->over = 1;
    return;
  }
  memcpy(k->buf + k->len, p, n);
  k->len += n;
  k->buf[k->len] = '\0';
}

static const char *crm__value_of(const crm__render *R, const char *p,
                                 size_t n)
{
  size_t i;

  for(i = 0; i < R->n; i++) {
    if(strlen(R->v[i].name) == n && !memcmp(R->v[i].name, p, n))
      return R->v[i].value;
  }
  return "";
}

static void crm__fill(const crm__render *R, const char *text, crm__sink *k)
{
  crm__tpl_tok t;
  const char *v;

  k->len = 0;
  k->buf[0] = '\0';
  for(;;) {
    crm__tpl_next(text, &t);
    if(t.kind == CRM__TOK_END || t.kind == CRM__TOK_ERR)
      return;
    if(t.kind == CRM__TOK_TEXT)
      crm__put(k, t.p, t.n);
    else {
      v = crm__value_of(R, t.p, t.n);
      crm__put(k, v, strlen(v));
    }
    text += t.len;
  }
}

static int crm__render_out(crm__render *R, crm_rendered *out)
{
  const crm__template *t = R->t;
  crm__sink k;

  if(t->subject) {
    k.buf = out->subject;
    k.max = CRM__SUBJECT_MAX;
    k.over = 0;
    crm__fill(R, t->subject, &k);
    if(k.over)
      return crm__err(R->c, CRM_ERANGE, "template \"%s\" (%s, %s): the "
                      "subject is longer than %d bytes for customer #%lld",
                      t->name, t->channel, t->language, CRM__SUBJECT_MAX,
                      (long long)R->cust->id);
    if(strpbrk(out->subject, "\r\n"))
      return crm__err(R->c, CRM_EINVAL, "template \"%s\" (%s, %s): the "
                      "subject has a line break for customer #%lld (from a "
                      "placeholder's value)", t->name, t->channel,
                      t->language, (long long)R->cust->id);
  }
  k.buf = out->body;
  k.max = CRM__TEMPLATE_MAX;
  k.over = 0;
  crm__fill(R, t->body, &k);
  if(k.over)
    return crm__err(R->c, CRM_ERANGE, "template \"%s\" (%s, %s): the body is "
                    "longer than %d bytes for customer #%lld", t->name,
                    t->channel, t->language, CRM__TEMPLATE_MAX,
                    (long long)R->cust->id);
  return CRM_OK;
}

int crm__template_render_to(crm *c, const crm__template *t,
                            const char *channel, const crm_customer *cust,
                            const crm__vars *extra, crm_rendered *out)
{
  crm__render *R;
  size_t i;
  int rc;

  if(!t || !cust || !out)
    return crm__err(c, CRM_EINVAL, "template, customer and output are "
                    "required");
  out->channel[0] = '\0';
  out->language[0] = '\0';
  out->subject[0] = '\0';
  out->body[0] = '\0';
  R = crm__calloc(1, sizeof(*R));
  if(!R)
    return crm__err(c, CRM_ENOMEM, "out of memory");
  R->c = c;
  R->t = t;
  R->cust = cust;
  R->channel = channel && *channel ? channel : t->channel;
  rc = crm__values(R, extra);
  if(!rc)
    rc = crm__render_out(R, out);
  if(!rc) {
    snprintf(out->channel, sizeof(out->channel), "%s", R->channel);
    snprintf(out->language, sizeof(out->language), "%s", t->language);
  }
  else {
    out->subject[0] = '\0';
    out->body[0] = '\0';
  }
  for(i = 0; i < R->n; i++)
    crm__free(R->v[i].own);
  crm__free(R);
  return rc;
}

int crm__template_render(crm *c, const crm__template *t,
                         const crm_customer *cust, const crm__vars *extra,
                         crm_rendered *out)
{
  return crm__template_render_to(c, t, NULL, cust, extra, out);
}

/* ---- the public render ---------------------------------------------------- */

static int crm__has_name(const crm__comm_cfg *cc, const char *name)
{
  size_t i;

  for(i = 0; i < cc->n_templates; i++) {
    if(!strcmp(cc->templates[i].name, name))
      return 1;
  }
  return 0;
}

/* vars: NULL-terminated name/value pairs, no name without a value. */
static int crm__vars_check(crm *c, const char *const *vars)
{
  size_t i;

  for(i = 0; vars && vars[i]; i += 2) {
    if(!vars[i + 1])
      return crm__err(c, CRM_EINVAL, "vars: no value after \"%s\"",
                      vars[i]);
  }
  return CRM_OK;
}

/* The language asked, else the customer's, else the default, into lang. */
static int crm__render_lang(crm *c, int64_t id, const char *language,
                            char *lang, size_t size)
{
  crm_contact_prefs p;
  int rc;

  if(language) {
    if(!crm__lang_valid(language))
      return crm__err(c, CRM_EINVAL, "invalid language \"%s\": a BCP 47 tag "
                      "such as \"en\" or \"fr-CA\"", language);
    snprintf(lang, size, "%s", language);
    return CRM_OK;
  }
  rc = crm_prefs_get(c, id, &p);
  if(rc)
    return rc;
  snprintf(lang, size, "%s",
           p.language ? p.language : crm__comm(c)->language);
  return CRM_OK;
}

/* CRM__MSG_MARK -> "{message}" in place (shorter, so it fits). */
static void crm__unmark(char *s)
{
  static const char mark[] = CRM__MSG_MARK;
  const size_t n = sizeof(mark) - 1;
  char *p = strstr(s, mark);

  while(p) {
    memcpy(p, "{message}", 9);
    memmove(p + 9, p + n, strlen(p + n) + 1);
    p = strstr(p + 9, mark);
  }
}

int crm_template_render(crm *c, const char *template, int64_t customer_id,
                        const char *channel, const char *language,
                        const char *const *vars, crm_rendered *out)
{
  const crm__comm_cfg *cc;
  const crm__template *t;
  const crm__route *route;
  crm__route tmp;
  crm_customer cust;
  crm__vars extra;
  char ch[CRM__COMM_NAME_MAX + 1];
  char lang[CRM__LANGUAGE_MAX + 1];
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(!template || !out)
    return crm__err(c, CRM_EINVAL, "template and output are required");
  rc = crm__vars_check(c, vars);
  if(!rc)
    rc = crm_customer_get(c, customer_id, &cust);
  if(rc)
    return rc;
  cc = crm__comm(c);
  if(!crm__has_name(cc, template))
    return crm__err(c, CRM_ENOTFOUND, "unknown template \"%s\"", template);
  if(!channel || !strcmp(channel, "preferred")) {
    rc = crm__channel_resolve(c, customer_id, channel, &tmp, &route);
    if(rc)
      return rc;
    channel = route->name;
  }
  else {
    rc = crm__consent_check_channel(c, channel, "channel");
    if(rc)
      return rc;
  }
  snprintf(ch, sizeof(ch), "%s", channel);
  rc = crm__render_lang(c, customer_id, language, lang, sizeof(lang));
  if(rc)
    return rc;
  t = crm__template_find(cc, template, ch, lang);
  if(!t)
    return crm__err(c, CRM_ENOTFOUND, "template \"%s\" has no variant for "
                    "channel \"%s\" in \"%s\" or the default language "
                    "\"%s\"", template, ch, lang, cc->language);
  extra.pairs = vars;
  rc = crm__template_render_to(c, t, ch, &cust, &extra, out);
  if(!rc) {
    crm__unmark(out->subject);
    crm__unmark(out->body);
  }
  return rc;
}
