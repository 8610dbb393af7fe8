/*
 * template.c - message templates: the placeholder registry, the scanner
 * of template text, parsing communication.templates from the admin
 * config, the lookup of a variant by (name, channel, language) and the
 * public walk. Placeholder values and rendering are in template_vars.c.
 *
 * A template is a list of variants, each one (name, channel or "*",
 * language); the config is refused (FILE:LINE: reason) when a variant
 * uses a placeholder the product does not know, has an unclosed "{{" or
 * an empty "{{}}", when two variants share (name, channel, language), or
 * when a name has no variant in the default language, so that nothing
 * is found wrong at send time that could have been found at load.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libconfig.h>

#include "comm_int.h"
#include "consent_int.h"
#include "points_int.h"
#include "template_int.h"

#define CRM__SUBJECT_MAX 998

/* ---- the placeholder registry ------------------------------------------- */

#define K(kind) (1u << (kind))

static const struct crm__ph {
  const char *name;
  unsigned kinds;
} crm__ph_registry[] = {
  {"name", CRM__PH_ALWAYS},
  {"first_name", CRM__PH_ALWAYS},
  {"email", CRM__PH_ALWAYS},
  {"phone", CRM__PH_ALWAYS},
  {"external_id", CRM__PH_ALWAYS},
  {"customer_id", CRM__PH_ALWAYS},
  {"points_balance", CRM__PH_ALWAYS},
  {"tier", CRM__PH_ALWAYS},
  {"stage", CRM__PH_ALWAYS},
  {"birthday", CRM__PH_ALWAYS},
  {"company", CRM__PH_ALWAYS},
  {"today", CRM__PH_ALWAYS},
  {"unsubscribe_url", CRM__PH_ALWAYS},
  {"old_stage", K(CRM__TRG_STAGE)},
  {"new_stage", K(CRM__TRG_STAGE)},
  {"old_tier", K(CRM__TRG_TIER)},
  {"new_tier", K(CRM__TRG_TIER)},
  {"scheme", K(CRM__TRG_TIER)},
  {"event_type", K(CRM__TRG_EVENT)},
  {"event_date", K(CRM__TRG_EVENT)},
  {"case_number", K(CRM__TRG_CASE_CLOSED)},
  {"case_summary", K(CRM__TRG_CASE_CLOSED)},
  {"age", K(CRM__TRG_BIRTHDAY)},
  {"expiring_points", K(CRM__TRG_POINTS_EXPIRING)},
  {"expiry_date", K(CRM__TRG_POINTS_EXPIRING)},
  {"member_day_date", K(CRM__TRG_MEMBER_DAY)},
};

#undef K

unsigned crm__placeholder_kinds(const char *name)
{
  size_t i;

  if(!name)
    return 0;
  for(i = 0; i < sizeof(crm__ph_registry) / sizeof(crm__ph_registry[0]);
      i++) {
    if(!strcmp(name, crm__ph_registry[i].name))
      return crm__ph_registry[i].kinds;
  }
  return 0;
}

/* ---- the scanner ---------------------------------------------------------- */

static int crm__ph_char(char k)
{
  return (k >= 'a' && k <= 'z') || (k >= '0' && k <= '9') || k == '_';
}

static int crm__blank(char k)
{
  return k == ' ' || k == '\t';
}

static int crm__at_open(const char *s)
{
  return s[0] == '{' && s[1] == '{';
}

static int crm__at_escape(const char *s)
{
  return s[0] == '\\' && s[1] == '{' && s[2] == '{';
}

/* s points at "{{". */
static void crm__tpl_placeholder(const char *s, crm__tpl_tok *t)
{
  const char *q = s + 2;
  const char *close = strstr(q, "}}");
  const char *a = q;
  const char *b;
  const char *k = q;

  t->kind = CRM__TOK_ERR;
  /* a line break before "}}" leaves it unclosed */
  while(close && k < close && *k != '\r' && *k != '\n')
    k++;
  if(!close || k < close) {
    t->why = "unclosed";
    t->p = q;
    t->n = close ? (size_t)(k - q) : strcspn(q, "\r\n");
    return;
  }
  b = close;
  while(a < b && crm__blank(*a))
    a++;
  while(b > a && crm__blank(b[-1]))
    b--;
  t->p = a;
  t->n = (size_t)(b - a);
  t->len = (size_t)(close + 2 - s);
  if(a == b) {
    t->why = "empty";
    return;
  }
  for(k = a; k < b; k++) {
    if(!crm__ph_char(*k)) {
      t->why = "invalid";
      return;
    }
  }
  t->kind = CRM__TOK_PH;
}

void crm__tpl_next(const char *s, crm__tpl_tok *t)
{
  size_t i = 0;

  memset(t, 0, sizeof(*t));
  if(!*s)
    return;
  if(crm__at_escape(s)) {
    t->kind = CRM__TOK_TEXT;
    t->p = s + 1;
    t->n = 2;
    t->len = 3;
    return;
  }
  if(crm__at_open(s)) {
    crm__tpl_placeholder(s, t);
    return;
  }
  while(s[i] && !crm__at_open(s + i) && !crm__at_escape(s + i))
    i++;
  t->kind = CRM__TOK_TEXT;
  t->p = s;
  t->n = i;
  t->len = i;
}

/* ---- parsing ---------------------------------------------------------------- */

/* What one variant's parse carries around for its messages. */
typedef struct crm__tpl_parse {
  crm__cfgread *r;
  const config_setting_t *g; /* the variant's group */
  char who[CRM__COMM_NAME_MAX * 2 + CRM__LANGUAGE_MAX + 32];
  char used[512];             /* placeholders, comma-separated */
  size_t n_used;
} crm__tpl_parse;

static int crm__name_ok(const char *s)
{
  size_t i;
  size_t n = strlen(s);

  if(n < 1 || n > CRM__COMM_NAME_MAX)
    return 0;
  for(i = 0; i < n; i++) {
    if(!crm__ph_char(s[i]))
      return 0;
  }
  return 1;
}

/* Up to max bytes of p[0..n) for a message, cut on a UTF-8 boundary;
 * *more when cut. */
static int crm__show_len(const char *p, size_t n, size_t max, int *more)
{
  *more = n > max;
  if(n <= max)
    return (int)n;
  n = max;
  while(n > 0 && ((unsigned char)p[n] & 0xc0) == 0x80)
    n--;
  return (int)n;
}

static int crm__tpl_err(crm__tpl_parse *P, const config_setting_t *s,
                        const crm__tpl_tok *t)
{
  int more;
  int n = crm__show_len(t->p, t->n, 24, &more);

  if(!strcmp(t->why, "unclosed"))
    return crm__cfg_fail(P->r, s, "%s: unclosed {{ at \"{{%.*s%s\"", P->who,
                         n, t->p, more ? "..." : "");
  if(!strcmp(t->why, "empty"))
    return crm__cfg_fail(P->r, s, "%s: empty placeholder {{}}", P->who);
  return crm__cfg_fail(P->r, s, "%s: invalid placeholder {{%.*s%s}}: names "
                       "are a-z, 0-9 and _", P->who, n, t->p,
                       more ? "..." : "");
}

/* Records name (n bytes) in P->used unless there already. */
static void crm__tpl_use(crm__tpl_parse *P, const char *name, size_t n)
{
  const char *u = P->used;

  while(*u) {
    const char *e = strchr(u, ',');
    size_t len = e ? (size_t)(e - u) : strlen(u);

    if(len == n && !memcmp(u, name, n))
      return;
    u += len + (e ? 1 : 0);
  }
  /* every name is in the registry, so the list cannot outgrow used */
  if(P->n_used + n + 2 > sizeof(P->used))
    return;
  if(P->n_used)
    P->used[P->n_used++] = ',';
  memcpy(P->used + P->n_used, name, n);
  P->n_used += n;
  P->used[P->n_used] = '\0';
}

/* Checks every placeholder of text (the setting s, for the line). */
static int crm__tpl_check(crm__tpl_parse *P, const config_setting_t *s,
                          const char *text)
{
  crm__tpl_tok t;
  char name[CRM__PH_NAME_MAX + 1];
  int more;
  int n;

  for(;;) {
    crm__tpl_next(text, &t);
    if(t.kind == CRM__TOK_END)
      return CRM_OK;
    if(t.kind == CRM__TOK_ERR)
      return crm__tpl_err(P, s, &t);
    if(t.kind == CRM__TOK_PH) {
      if(t.n > CRM__PH_NAME_MAX) {
        n = crm__show_len(t.p, t.n, CRM__PH_NAME_MAX, &more);
        return crm__cfg_fail(P->r, s, "%s: unknown placeholder {{%.*s...}}",
                             P->who, n, t.p);
      }
      memcpy(name, t.p, t.n);
      name[t.n] = '\0';
      if(!crm__placeholder_kinds(name))
        return crm__cfg_fail(P->r, s, "%s: unknown placeholder {{%s}}",
                             P->who, name);
      crm__tpl_use(P, t.p, t.n);
    }
    text += t.len;
  }
}

/* "a/b/crm.conf" + "x.txt" -> "a/b/x.txt" into buf. */
static int crm__tpl_path(const char *conf, const char *rel, char *buf,
                         size_t size)
{
  const char *slash = strrchr(conf, '/');
  int n;

  if(rel[0] == '/' || !slash)
    n = snprintf(buf, size, "%s", rel);
  else
    n = snprintf(buf, size, "%.*s/%s", (int)(slash - conf), conf, rel);
  return n >= 0 && (size_t)n < size;
}

/* Reads body_file (setting s) into a new string. */
static int crm__tpl_read_file(crm__tpl_parse *P, const config_setting_t *s,
                              const char *rel, char **out)
{
  char path[4096];
  char *buf;
  FILE *f;
  size_t n;
  int err;

  if(!*rel)
    return crm__cfg_fail(P->r, s, "%s: body_file is empty", P->who);
  if(!crm__tpl_path(P->r->path, rel, path, sizeof(path)))
    return crm__cfg_fail(P->r, s, "%s: body_file \"%s\" is too long",
                         P->who, rel);
  buf = crm__malloc(CRM__TEMPLATE_MAX + 2);
  if(!buf)
    return crm__cfg_fail(P->r, s, "out of memory");
  f = fopen(path, "rb");
  if(!f) {
    err = errno;
    crm__free(buf);
    return crm__cfg_fail(P->r, s, "%s: cannot read body_file \"%s\" (%s: "
                         "%s)", P->who, rel, path, strerror(err));
  }
  n = fread(buf, 1, CRM__TEMPLATE_MAX + 1, f);
  err = ferror(f);
  fclose(f);
  buf[n] = '\0';
  if(err || n > CRM__TEMPLATE_MAX || n == 0 || strlen(buf) != n) {
    crm__free(buf);
    if(err)
      return crm__cfg_fail(P->r, s, "%s: cannot read body_file \"%s\" (%s)",
                           P->who, rel, path);
    if(n == 0)
      return crm__cfg_fail(P->r, s, "%s: body_file \"%s\" is empty",
                           P->who, rel);
    if(n > CRM__TEMPLATE_MAX)
      return crm__cfg_fail(P->r, s, "%s: body_file \"%s\" is longer than "
                           "%d bytes", P->who, rel, CRM__TEMPLATE_MAX);
    return crm__cfg_fail(P->r, s, "%s: body_file \"%s\" contains a NUL "
                         "byte", P->who, rel);
  }
  *out = buf;
  return CRM_OK;
}

static const char *const crm__tpl_keys[] = {
  "name", "channel", "language", "subject", "body", "body_file", NULL
};

/* The string member key of g (NULL when absent) into *out. */
static int crm__tpl_str(crm__tpl_parse *P, const char *key,
                        const config_setting_t **s, const char **out)
{
  *out = NULL;
  *s = config_setting_get_member(P->g, key);
  if(!*s)
    return CRM_OK;
  if(config_setting_type(*s) != CONFIG_TYPE_STRING)
    return crm__cfg_fail(P->r, *s, "template %s must be a string: %s = "
                         "\"...\";", key, key);
  *out = config_setting_get_string(*s);
  return CRM_OK;
}

static int crm__tpl_keys_check(crm__tpl_parse *P)
{
  int i;
  int n = config_setting_length(P->g);
  size_t k;

  for(i = 0; i < n; i++) {
    const config_setting_t *m = config_setting_get_elem(P->g, (unsigned)i);
    const char *name = config_setting_name(m);
    int known = 0;

    for(k = 0; name && crm__tpl_keys[k]; k++)
      known |= !strcmp(name, crm__tpl_keys[k]);
    if(!known)
      return crm__cfg_fail(P->r, m, "unknown template setting \"%s\" "
                           "(expected name, channel, language, subject, "
                           "body or body_file)", name ? name : "?");
  }
  return CRM_OK;
}

/* name, channel and language: checked, and P->who made of them. */
static int crm__tpl_ids(crm__tpl_parse *P, const char *dflt_lang,
                        const char **name, const char **ch,
                        const char **lang)
{
  const config_setting_t *s;
  int rc = crm__tpl_str(P, "name", &s, name);

  if(rc)
    return rc;
  if(!*name)
    return crm__cfg_fail(P->r, P->g, "template needs a name: name = "
                         "\"welcome\";");
  if(!crm__name_ok(*name))
    return crm__cfg_fail(P->r, s, "invalid template name \"%s\": 1 to %d "
                         "of a-z, 0-9 and _", *name, CRM__COMM_NAME_MAX);
  rc = crm__tpl_str(P, "channel", &s, ch);
  if(rc)
    return rc;
  if(!*ch)
    *ch = "*";
  if(strcmp(*ch, "*") && !crm__name_ok(*ch))
    return crm__cfg_fail(P->r, s, "template \"%s\": invalid channel \"%s\": "
                         "\"*\" or 1 to %d of a-z, 0-9 and _", *name, *ch,
                         CRM__COMM_NAME_MAX);
  rc = crm__tpl_str(P, "language", &s, lang);
  if(rc)
    return rc;
  if(!*lang)
    *lang = dflt_lang;
  if(!crm__lang_valid(*lang))
    return crm__cfg_fail(P->r, s, "template \"%s\": invalid language "
                         "\"%s\": a BCP 47 tag such as \"en\" or \"fr-CA\"",
                         *name, *lang);
  snprintf(P->who, sizeof(P->who), "template \"%s\" (%s, %s)", *name, *ch,
           *lang);
  return CRM_OK;
}

static int crm__tpl_subject(crm__tpl_parse *P, const char **subject)
{
  const config_setting_t *s;
  int rc = crm__tpl_str(P, "subject", &s, subject);

  if(rc || !*subject)
    return rc;
  if(strlen(*subject) > CRM__SUBJECT_MAX)
    return crm__cfg_fail(P->r, s, "%s: the subject is longer than %d bytes",
                         P->who, CRM__SUBJECT_MAX);
  if(strpbrk(*subject, "\r\n"))
    return crm__cfg_fail(P->r, s, "%s: the subject has a line break",
                         P->who);
  rc = crm__tpl_check(P, s, *subject);
  if(!rc && !**subject)
    *subject = NULL;
  return rc;
}

/* The body, inline or read from body_file, into *body (new string). */
static int crm__tpl_body(crm__tpl_parse *P, char **body)
{
  const config_setting_t *sb;
  const config_setting_t *sf;
  const char *text;
  const char *file;
  int rc = crm__tpl_str(P, "body", &sb, &text);

  if(!rc)
    rc = crm__tpl_str(P, "body_file", &sf, &file);
  if(rc)
    return rc;
  if(text && file)
    return crm__cfg_fail(P->r, sf, "%s: body and body_file are both set "
                         "(one only)", P->who);
  if(!text && !file)
    return crm__cfg_fail(P->r, P->g, "%s: needs a body: body = \"...\"; or "
                         "body_file = \"FILE\";", P->who);
  if(file) {
    rc = crm__tpl_read_file(P, sf, file, body);
    sb = sf;
  }
  else if(!*text)
    return crm__cfg_fail(P->r, sb, "%s: the body is empty", P->who);
  else if(strlen(text) > CRM__TEMPLATE_MAX)
    return crm__cfg_fail(P->r, sb, "%s: the body is longer than %d bytes",
                         P->who, CRM__TEMPLATE_MAX);
  else {
    *body = crm__strdup(text);
    if(!*body)
      return crm__cfg_fail(P->r, sb, "out of memory");
  }
  if(!rc)
    rc = crm__tpl_check(P, sb, *body);
  if(rc) {
    crm__free(*body);
    *body = NULL;
  }
  return rc;
}

static int crm__lang_eq(const char *a, const char *b)
{
  return !strcasecmp(a, b);
}

/* The variant already parsed with the same (name, channel, language). */
static const crm__template *crm__tpl_dup(const crm__comm_cfg *cc,
                                         const char *name, const char *ch,
                                         const char *lang)
{
  size_t i;

  for(i = 0; i < cc->n_templates; i++) {
    const crm__template *t = &cc->templates[i];

    if(!strcmp(t->name, name) && !strcmp(t->channel, ch) &&
       crm__lang_eq(t->language, lang))
      return t;
  }
  return NULL;
}

/* With routes, a channel other than "*" must be one of them (without,
 * channel components are only known once plugins load). */
static int crm__tpl_routed(const crm__comm_cfg *cc, const char *ch)
{
  size_t i;

  if(!cc->n_routes || !strcmp(ch, "*"))
    return 1;
  for(i = 0; i < cc->n_routes; i++) {
    if(!strcmp(cc->routes[i].name, ch))
      return 1;
  }
  return 0;
}

/* Parses list element g into cc->templates[cc->n_templates]. */
static int crm__tpl_one(crm__cfgread *r, const config_setting_t *g,
                        size_t idx, const char *dflt, crm__comm_cfg *cc)
{
  crm__tpl_parse P;
  crm__template *t = &cc->templates[cc->n_templates];
  const crm__template *d;
  const char *name = NULL;
  const char *ch = NULL;
  const char *lang = NULL;
  const char *subject = NULL;
  char *body = NULL;
  int rc;

  memset(&P, 0, sizeof(P));
  P.r = r;
  P.g = g;
  if(!config_setting_is_group(g))
    return crm__cfg_fail(r, g, "communication.templates #%zu must be a "
                         "group: { name = \"...\"; body = \"...\"; }",
                         idx + 1);
  rc = crm__tpl_keys_check(&P);
  if(!rc)
    rc = crm__tpl_ids(&P, dflt, &name, &ch, &lang);
  if(rc)
    return rc;
  if(!crm__tpl_routed(cc, ch))
    return crm__cfg_fail(r, config_setting_get_member(g, "channel"),
                         "%s: no channel \"%s\" in communication.channels",
                         P.who, ch);
  d = crm__tpl_dup(cc, name, ch, lang);
  if(d)
    return crm__cfg_fail(r, g, "duplicate %s: first at line %d", P.who,
                         d->line);
  rc = crm__tpl_subject(&P, &subject);
  if(!rc)
    rc = crm__tpl_body(&P, &body);
  if(rc)
    return rc;
  memset(t, 0, sizeof(*t));
  t->body = body;
  t->name = crm__strdup(name);
  t->channel = crm__strdup(ch);
  t->language = crm__strdup(lang);
  t->subject = subject ? crm__strdup(subject) : NULL;
  t->placeholders = crm__strdup(P.used);
  t->line = config_setting_source_line(g);
  cc->n_templates++;
  if(!t->name || !t->channel || !t->language || !t->placeholders ||
     (subject && !t->subject))
    return crm__cfg_fail(r, g, "out of memory");
  return CRM_OK;
}

/* Language l matches the default language (itself or its primary
 * subtag, as crm__template_find falls back). */
static int crm__is_default(const char *l, const char *dflt)
{
  size_t n = strcspn(dflt, "-");

  return crm__lang_eq(l, dflt) ||
         (strlen(l) == n && !strncasecmp(l, dflt, n));
}

/* Every name has a variant in the default language. */
static int crm__tpl_defaults(crm__cfgread *r, const config_setting_t *list,
                             const char *dflt, const crm__comm_cfg *cc)
{
  size_t i;
  size_t j;

  for(i = 0; i < cc->n_templates; i++) {
    const crm__template *t = &cc->templates[i];
    int first = 1;
    int found = 0;

    for(j = 0; j < cc->n_templates; j++) {
      const crm__template *u = &cc->templates[j];

      if(strcmp(u->name, t->name))
        continue;
      if(j < i)
        first = 0;
      found |= crm__is_default(u->language, dflt);
    }
    if(first && !found)
      return crm__cfg_fail(r, config_setting_get_elem(list, (unsigned)i),
                           "template \"%s\" has no variant in the default "
                           "language \"%s\" (communication.language)",
                           t->name, dflt);
  }
  return CRM_OK;
}

int crm__cfg_templates(struct crm__cfgread *r, const void *list,
                       crm__comm_cfg *cc)
{
  const config_setting_t *l = list;
  const char *dflt = cc->language[0] ? cc->language : "en";
  size_t n;
  size_t i;
  int rc = CRM_OK;

  crm__templates_free(cc);
  if(!l)
    return CRM_OK;
  if(!config_setting_is_list(l))
    return crm__cfg_fail(r, l, "communication.templates must be a list: "
                         "templates = ( { name = \"...\"; body = \"...\"; } "
                         ");");
  n = (size_t)config_setting_length(l);
  if(!n)
    return CRM_OK;
  cc->templates = crm__calloc(n, sizeof(*cc->templates));
  if(!cc->templates)
    return crm__cfg_fail(r, l, "out of memory");
  for(i = 0; i < n && !rc; i++)
    rc = crm__tpl_one(r, config_setting_get_elem(l, (unsigned)i), i, dflt,
                      cc);
  if(!rc)
    rc = crm__tpl_defaults(r, l, dflt, cc);
  if(rc)
    crm__templates_free(cc);
  return rc;
}

void crm__templates_free(crm__comm_cfg *cc)
{
  size_t i;

  if(!cc)
    return;
  for(i = 0; i < cc->n_templates; i++) {
    crm__template *t = &cc->templates[i];

    crm__free(t->name);
    crm__free(t->channel);
    crm__free(t->language);
    crm__free(t->subject);
    crm__free(t->body);
    crm__free(t->placeholders);
  }
  crm__free(cc->templates);
  cc->templates = NULL;
  cc->n_templates = 0;
}

/* ---- lookup ----------------------------------------------------------------- */

static const crm__template *crm__tpl_get(const crm__comm_cfg *cc,
                                         const char *name, const char *ch,
                                         const char *lang, size_t lang_n)
{
  size_t i;

  for(i = 0; i < cc->n_templates; i++) {
    const crm__template *t = &cc->templates[i];

    if(!strcmp(t->name, name) && !strcmp(t->channel, ch) &&
       strlen(t->language) == lang_n &&
       !strncasecmp(t->language, lang, lang_n))
      return t;
  }
  return NULL;
}

/* (channel, lang), (channel, primary), ("*", lang), ("*", primary). */
static const crm__template *crm__tpl_in(const crm__comm_cfg *cc,
                                        const char *name, const char *ch,
                                        const char *lang)
{
  const char *chans[2];
  size_t full = strlen(lang);
  size_t primary = strcspn(lang, "-");
  const crm__template *t;
  int i;

  chans[0] = ch;
  chans[1] = "*";
  for(i = 0; i < 2; i++) {
    if(i == 1 && !strcmp(ch, "*"))
      break;
    t = crm__tpl_get(cc, name, chans[i], lang, full);
    if(!t && primary < full)
      t = crm__tpl_get(cc, name, chans[i], lang, primary);
    if(t)
      return t;
  }
  return NULL;
}

const crm__template *crm__template_find(const crm__comm_cfg *cc,
                                        const char *name, const char *channel,
                                        const char *language)
{
  const char *dflt;
  const crm__template *t = NULL;

  if(!cc || !name)
    return NULL;
  dflt = cc->language[0] ? cc->language : "en";
  if(!channel || !*channel)
    channel = "*";
  if(language && *language)
    t = crm__tpl_in(cc, name, channel, language);
  if(!t)
    t = crm__tpl_in(cc, name, channel, dflt);
  return t;
}

/* ---- the public walk ----------------------------------------------------- */

/* "a,b" -> "a, b" into a new string. */
static char *crm__tpl_list(const char *used)
{
  size_t n = strlen(used);
  char *out = crm__malloc(2 * n + 1);
  size_t i;
  size_t o = 0;

  if(!out)
    return NULL;
  for(i = 0; i < n; i++) {
    out[o++] = used[i];
    if(used[i] == ',')
      out[o++] = ' ';
  }
  out[o] = '\0';
  return out;
}

int crm_template_foreach(crm *c,
                         int (*cb)(void *ud, const crm_template_info *t),
                         void *ud)
{
  const crm__comm_cfg *cc;
  crm_template_info info;
  size_t i;
  int rc = 0;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(!cb)
    return crm__err(c, CRM_EINVAL, "callback is required");
  cc = crm__comm(c);
  for(i = 0; i < cc->n_templates && !rc; i++) {
    const crm__template *t = &cc->templates[i];
    char *list = crm__tpl_list(t->placeholders);

    if(!list)
      return crm__err(c, CRM_ENOMEM, "out of memory");
    info.name = t->name;
    info.channel = t->channel;
    info.language = t->language;
    info.subject = t->subject;
    info.body = t->body;
    info.placeholders = list;
    rc = cb(ud, &info);
    crm__free(list);
  }
  return rc;
}
