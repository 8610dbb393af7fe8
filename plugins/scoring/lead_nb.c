/*
 * lead_nb.c - a prospect's features, outcomes and the scores "nb" and
 * "lead".
 *
 * Outcome record "o:<customer id>": the class and the feature values the
 * outcome was counted with ("won\nsource=web\nstage=qualified\n..."), so
 * that a later opposite outcome moves exactly those counts and the same
 * outcome twice counts once.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lead.h"

int lead_type_in(const char list[][LEAD_NAME_MAX + 1], size_t n,
                 const char *type)
{
  size_t i;

  for(i = 0; i < n; i++) {
    if(!strcmp(list[i], type))
      return 1;
  }
  return 0;
}

/* Copies s[0..len) trimmed, cut to LEAD_VALUE_MAX bytes, with tabs and
 * line breaks as spaces; returns the length. */
static size_t lead_clean(char *dst, const char *s, size_t len)
{
  size_t i, n = 0;

  while(len && isspace((unsigned char)*s)) {
    s++;
    len--;
  }
  while(len && isspace((unsigned char)s[len - 1]))
    len--;
  if(len > LEAD_VALUE_MAX)
    len = LEAD_VALUE_MAX;
  for(i = 0; i < len; i++)
    dst[n++] = (s[i] == '\t' || s[i] == '\n' || s[i] == '\r') ? ' ' : s[i];
  dst[n] = '\0';
  return n;
}

static int lead_cmp_str(const void *a, const void *b)
{
  return strcmp((const char *)a, (const char *)b);
}

/* "b, a,,b" -> "a,b": trimmed, sorted, without duplicates. */
static void lead_tags(const char *s, char *out, size_t size)
{
  char tags[LEAD_TAGS_MAX][LEAD_VALUE_MAX + 1];
  size_t n = 0, len = 0, i;

  while(*s && n < LEAD_TAGS_MAX) {
    const char *comma = strchr(s, ',');
    size_t l = comma ? (size_t)(comma - s) : strlen(s);

    if(lead_clean(tags[n], s, l) && !strchr(tags[n], ','))
      n++;
    s = comma ? comma + 1 : s + l;
  }
  qsort(tags, n, sizeof(tags[0]), lead_cmp_str);
  out[0] = '\0';
  for(i = 0; i < n; i++) {
    int w;

    if(i && !strcmp(tags[i], tags[i - 1]))
      continue;
    w = snprintf(out + len, size - len, "%s%s", len ? "," : "", tags[i]);
    if(w < 0 || (size_t)w >= size - len)
      break;
    len += (size_t)w;
  }
  out[len] = '\0';
}

static void lead_feature(struct lead_state *st, crm_host_ctx *ctx,
                         const crm_customer_view *cv,
                         const struct lead_man_rec *rec, size_t i, char *out)
{
  const struct lead_field *fd = &st->cfg.fields[i];
  int stage;
  int rc;

  if(fd->kind == LEAD_STAGE) {
    stage = lead_is_prospect(cv->stage) ? cv->stage : rec->stage;
    snprintf(out, LEAD_FEAT_MAX, "%s",
             stage ? lead_stage_name(stage) : LEAD_NONE);
    return;
  }
  rc = st->api->customer_attr(ctx, cv->customer_id, fd->name, st->attr,
                              sizeof(st->attr));
  if(fd->kind == LEAD_SET) {
    lead_tags(rc ? "" : st->attr, out, LEAD_FEAT_MAX);
    return;
  }
  if(rc == CRM_ERANGE)
    snprintf(out, LEAD_FEAT_MAX, "%s", LEAD_OTHER);
  else if(rc || !lead_clean(out, st->attr, strlen(st->attr)))
    snprintf(out, LEAD_FEAT_MAX, "%s", LEAD_NONE);
}

int lead_features(struct lead_state *st, crm_host_ctx *ctx,
                  const crm_customer_view *cv, const struct lead_man_rec *rec,
                  struct lead_feat *f)
{
  size_t i;

  for(i = 0; i < st->cfg.n_fields; i++)
    lead_feature(st, ctx, cv, rec, i, f->v[i]);
  return CRM_OK;
}

/* ---- outcome records ------------------------------------------------------ */

static int lead_field_index(const struct lead_cfg *c, const char *name,
                            size_t len)
{
  size_t i;

  for(i = 0; i < c->n_fields; i++) {
    if(strlen(c->fields[i].name) == len &&
       !strncmp(c->fields[i].name, name, len))
      return (int)i;
  }
  return -1;
}

int lead_outcome_get(struct lead_state *st, crm_host_ctx *ctx, int64_t id,
                     int *cls, struct lead_feat *f, unsigned *have)
{
  char key[48];
  char *v = NULL;
  const char *s;
  int rc;

  *have = 0;
  snprintf(key, sizeof(key), "o:%lld", (long long)id);
  rc = st->api->kv_get(ctx, key, &v);
  if(rc)
    return rc;
  *cls = !strncmp(v, "won", 3) ? LEAD_WON : LEAD_LOST;
  s = strchr(v, '\n');
  while(s && *s) {
    const char *line = s + 1;
    const char *eq = strchr(line, '=');
    const char *nl = strchr(line, '\n');
    size_t vlen;
    int i;

    if(!eq || (nl && eq > nl))
      break;
    vlen = nl ? (size_t)(nl - eq - 1) : strlen(eq + 1);
    i = lead_field_index(&st->cfg, line, (size_t)(eq - line));
    if(i >= 0 && vlen < LEAD_FEAT_MAX) {
      memcpy(f->v[i], eq + 1, vlen);
      f->v[i][vlen] = '\0';
      *have |= 1u << i;
    }
    s = nl;
  }
  st->api->free(ctx, v);
  return CRM_OK;
}

int lead_outcome_put(struct lead_state *st, crm_host_ctx *ctx, int64_t id,
                     int cls, const struct lead_feat *f)
{
  char key[48];
  size_t len, i;
  int n;

  n = snprintf(st->buf, LEAD_KV_MAX, "%s\n", cls == LEAD_WON ? "won"
                                                             : "lost");
  len = (size_t)n;
  for(i = 0; i < st->cfg.n_fields; i++) {
    n = snprintf(st->buf + len, LEAD_KV_MAX - len, "%s=%s\n",
                 st->cfg.fields[i].name, f->v[i]);
    if(n < 0 || (size_t)n >= LEAD_KV_MAX - len)
      return st->api->set_error(ctx, CRM_ERANGE, "outcome record too long");
    len += (size_t)n;
  }
  snprintf(key, sizeof(key), "o:%lld", (long long)id);
  return st->api->kv_put(ctx, key, st->buf);
}

static int lead_outcome_apply_tx(struct lead_state *st, crm_host_ctx *ctx,
                                 const crm_customer_view *cv,
                                 const struct lead_man_rec *rec, int cls)
{
  unsigned have = 0;
  int old = -1;
  int rc;

  lead_features(st, ctx, cv, rec, &st->feat);
  st->feat2 = st->feat; /* fields a record lacks: as they are now */
  rc = lead_outcome_get(st, ctx, cv->customer_id, &old, &st->feat2, &have);
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  if(!rc && old == cls)
    return CRM_OK; /* the same outcome again counts once */
  if(!rc)
    rc = lead_table_count(st, ctx, old, &st->feat2, -1);
  else
    rc = CRM_OK;
  if(!rc)
    rc = lead_table_count(st, ctx, cls, &st->feat, 1);
  if(!rc)
    rc = lead_table_save(st, ctx, 0);
  if(!rc)
    rc = lead_outcome_put(st, ctx, cv->customer_id, cls, &st->feat);
  lead_table_prepare(st);
  return rc;
}

int lead_outcome_apply(struct lead_state *st, crm_host_ctx *ctx,
                       const crm_customer_view *cv,
                       const struct lead_man_rec *rec, int cls)
{
  int rc = lead_table_sync(st, ctx);

  if(rc)
    return rc;
  if(!st->tab.usable) {
    st->api->log(ctx, CRM_LOG_WARN, "lead outcome of customer #%lld not "
                 "counted: the frequency table was %s; run crm score fit "
                 "lead", (long long)cv->customer_id, st->tab.old_layout ?
                 "stored by an older lead" : "built for other fields");
    return CRM_OK;
  }
  rc = lead_outcome_apply_tx(st, ctx, cv, rec, cls);
  if(rc)
    lead_table_reset(st, ctx); /* the cache may be half updated */
  return rc;
}

/* ---- the nb score ------------------------------------------------------------ */

static double lead_sigmoid(double x)
{
  double e;

  if(x >= 0)
    return 1.0 / (1.0 + exp(-x));
  e = exp(x);
  return e / (1.0 + e);
}

/* 1 when the table gives a score; else why says why not. */
static int lead_nb_ready(struct lead_state *st, char *why, size_t size)
{
  const struct lead_table *t = &st->tab;
  int64_t n = t->n[0] + t->n[1];

  if(!t->usable && t->old_layout) {
    snprintf(why, size, "table stored by an older lead: run crm score fit "
             "lead");
    return 0;
  }
  if(!t->usable) {
    snprintf(why, size, "table built for other fields: run crm score fit "
             "lead");
    return 0;
  }
  if(n < st->cfg.min_outcomes) {
    snprintf(why, size, "too few outcomes (%lld of %lld)", (long long)n,
             (long long)st->cfg.min_outcomes);
    return 0;
  }
  if(!t->n[0] || !t->n[1]) {
    snprintf(why, size, "no %s outcomes yet (%lld %s)",
             t->n[0] ? "lost" : "won", (long long)n,
             t->n[0] ? "won" : "lost");
    return 0;
  }
  return 1;
}

/* Log-likelihood ratio of one set field: every known tag, present or
 * absent; unknown tags are ignored. */
static double lead_set_llr(const struct lead_col *c, const char *tags,
                           int *known)
{
  char tag[LEAD_VALUE_MAX + 1];
  double llr = c->absent_sum;

  *known = 0;
  while(*tags) {
    const char *comma = strchr(tags, ',');
    size_t len = comma ? (size_t)(comma - tags) : strlen(tags);
    const struct lead_entry *e;

    if(len > LEAD_VALUE_MAX)
      len = LEAD_VALUE_MAX;
    memcpy(tag, tags, len);
    tag[len] = '\0';
    e = lead_col_get(c, tag);
    if(e) {
      llr += e->llr - e->llr_absent;
      (*known)++;
    }
    tags = comma ? comma + 1 : tags + strlen(tags);
  }
  return llr;
}

struct lead_expl {
  crm_score_factor f[LEAD_FIELDS_MAX + 1];
  char name[LEAD_FIELDS_MAX + 1][65];
  char detail[LEAD_FIELDS_MAX + 1][128];
};

static double lead_field_llr(struct lead_state *st, size_t i,
                             const char *v, char *detail, size_t size)
{
  const struct lead_col *c = &st->tab.col[i];
  const struct lead_entry *e;
  double llr;
  int known;

  if(st->cfg.fields[i].kind == LEAD_SET) {
    llr = lead_set_llr(c, v, &known);
    snprintf(detail, size, "x%.3g odds (log-odds %+.3f; %d of %zu known "
             "tags present)", exp(llr), llr, known, c->n);
    return llr;
  }
  e = lead_col_get(c, v);
  llr = e ? e->llr : c->llr_unseen;
  snprintf(detail, size, "x%.3g odds (log-odds %+.3f%s)", exp(llr), llr,
           e ? "" : "; value never seen in an outcome");
  return llr;
}

/* "field=value" cut to the 64 bytes a factor name may have. */
static void lead_factor_name(char out[65], const char *field,
                             const char *value)
{
  size_t n = strlen(field);
  size_t m = strlen(value);

  memcpy(out, field, n); /* field names are at most 64 bytes */
  if(n < 64)
    out[n++] = '=';
  if(m > 64 - n)
    m = 64 - n;
  memcpy(out + n, value, m);
  out[n + m] = '\0';
}

int lead_nb_score(struct lead_state *st, crm_host_ctx *ctx, int64_t id,
                  const struct lead_feat *f, double *nb)
{
  struct lead_expl x;
  crm_score_value sv;
  char label[32];
  double lo;
  size_t i, n = 0;

  memset(&x.f, 0, sizeof(x.f));
  lo = log((double)st->tab.n[0] / (double)st->tab.n[1]);
  snprintf(x.detail[0], sizeof(x.detail[0]), "%lld won / %lld lost "
           "(log-odds %+.3f)", (long long)st->tab.n[0],
           (long long)st->tab.n[1], lo);
  x.f[n].factor = "prior";
  x.f[n].contribution = lo;
  x.f[n].detail = x.detail[0];
  n++;
  for(i = 0; i < st->cfg.n_fields; i++, n++) {
    double llr = lead_field_llr(st, i, f->v[i], x.detail[n],
                                sizeof(x.detail[n]));

    lead_factor_name(x.name[n], st->cfg.fields[i].name,
                     f->v[i][0] ? f->v[i] : LEAD_NONE);
    x.f[n].factor = x.name[n];
    x.f[n].contribution = llr;
    x.f[n].detail = x.detail[n];
    lo += llr;
  }
  for(i = 0; i < n; i++)
    x.f[i].struct_size = sizeof(x.f[i]);
  memset(&sv, 0, sizeof(sv));
  sv.struct_size = sizeof(sv);
  sv.name = "nb";
  sv.value = lead_sigmoid(lo);
  snprintf(label, sizeof(label), "%.0f%% won", 100.0 * sv.value);
  sv.label = label;
  sv.factors = x.f;
  sv.n_factors = (uint32_t)n;
  *nb = sv.value;
  return st->api->score_write(ctx, id, &sv);
}

/* ---- the lead score ---------------------------------------------------------- */

static int lead_lead_score(struct lead_state *st, crm_host_ctx *ctx,
                           int64_t id, double man, double nb, const char *why)
{
  const struct lead_cfg *c = &st->cfg;
  crm_score_factor f[2];
  crm_score_value sv;
  char d[2][128];

  memset(f, 0, sizeof(f));
  memset(&sv, 0, sizeof(sv));
  f[0].struct_size = f[1].struct_size = sizeof(f[0]);
  f[0].factor = "man";
  f[1].factor = "nb";
  f[0].detail = d[0];
  f[1].detail = d[1];
  if(nb >= 0) {
    f[0].contribution = 100.0 * c->w_man * man;
    f[1].contribution = 100.0 * c->w_nb * nb;
    snprintf(d[0], sizeof(d[0]), "man %.3f x weight %.3f", man, c->w_man);
    snprintf(d[1], sizeof(d[1]), "nb %.3f x weight %.3f", nb, c->w_nb);
  }
  else {
    f[0].contribution = 100.0 * man;
    snprintf(d[0], sizeof(d[0]), "man %.3f alone (no nb score)", man);
    snprintf(d[1], sizeof(d[1]), "%s", why);
  }
  sv.struct_size = sizeof(sv);
  sv.name = "lead";
  sv.value = f[0].contribution + f[1].contribution;
  sv.label = sv.value >= c->hot ? "hot" : sv.value >= c->warm ? "warm"
                                                              : "cold";
  sv.factors = f;
  sv.n_factors = 2;
  return st->api->score_write(ctx, id, &sv);
}

int lead_score_customer(struct lead_state *st, crm_host_ctx *ctx,
                        const crm_customer_view *cv,
                        const struct lead_man_rec *rec)
{
  char why[128];
  double man = 0;
  double nb = -1;
  int rc;

  rc = lead_man_score(st, ctx, cv->customer_id, rec, &man);
  if(rc)
    return rc;
  if(lead_nb_ready(st, why, sizeof(why))) {
    lead_features(st, ctx, cv, rec, &st->feat);
    rc = lead_nb_score(st, ctx, cv->customer_id, &st->feat, &nb);
    if(rc)
      return rc;
  }
  return lead_lead_score(st, ctx, cv->customer_id, man, nb, why);
}
