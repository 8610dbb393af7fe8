/*
 * lead_table.c - the naive Bayes frequency table, kept in the plugin kv
 * and cached in the plugin's state.
 *
 * kv layout:
 *   nb:meta         "gen=7 won=6 lost=4 hash=<16 hex> fields=source:category,..."
 *   nb:f:<field>    one line per value, sorted: "<value>\t<won>\t<lost>\n"
 *
 * The meta record names the table's content (a counter and an FNV-1a hash
 * of every field's text), so the cache is current exactly when the kv's
 * meta equals the cached one: one kv read per scored prospect when
 * nothing changed. A write that is rolled back with its event leaves the
 * kv's old meta, which no longer equals the cache, so the next call
 * reloads; two different contents never share a meta.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lead.h"

void lead_table_free(struct lead_state *st, crm_host_ctx *ctx)
{
  size_t i;

  for(i = 0; i < LEAD_FIELDS_MAX; i++) {
    st->api->free(ctx, st->tab.col[i].e);
    memset(&st->tab.col[i], 0, sizeof(st->tab.col[i]));
  }
}

/* Empty table; keeps the allocated entry arrays. */
void lead_table_reset(struct lead_state *st, crm_host_ctx *ctx)
{
  size_t i;

  (void)ctx;
  for(i = 0; i < LEAD_FIELDS_MAX; i++) {
    st->tab.col[i].n = 0;
    st->tab.col[i].dirty = 0;
  }
  st->tab.n[0] = st->tab.n[1] = 0;
  st->tab.gen = 0;
  st->tab.meta[0] = '\0';
  st->tab.loaded = 0;
  st->tab.usable = 0;
}

static int lead_col_grow(struct lead_state *st, crm_host_ctx *ctx,
                         struct lead_col *c)
{
  size_t cap = c->cap ? c->cap * 2 : 16;
  struct lead_entry *e;

  if(cap > LEAD_VALUES_MAX + 1)
    cap = LEAD_VALUES_MAX + 1;
  e = st->api->alloc(ctx, cap * sizeof(*e));
  if(!e)
    return st->api->set_error(ctx, CRM_ENOMEM, "out of memory");
  if(c->n)
    memcpy(e, c->e, c->n * sizeof(*e));
  st->api->free(ctx, c->e);
  c->e = e;
  c->cap = cap;
  return CRM_OK;
}

/* Index of value in c, or where it would go (*found 0). */
static size_t lead_col_find(const struct lead_col *c, const char *value,
                            int *found)
{
  size_t lo = 0, hi = c->n;

  while(lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int cmp = strcmp(c->e[mid].value, value);

    if(cmp == 0) {
      *found = 1;
      return mid;
    }
    if(cmp < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  *found = 0;
  return lo;
}

const struct lead_entry *lead_col_get(const struct lead_col *c,
                                      const char *value)
{
  int found;
  size_t i = lead_col_find(c, value, &found);

  return found ? &c->e[i] : NULL;
}

static int lead_col_insert(struct lead_state *st, crm_host_ctx *ctx,
                           struct lead_col *c, size_t at, const char *value)
{
  int rc;

  if(c->n == c->cap) {
    rc = lead_col_grow(st, ctx, c);
    if(rc)
      return rc;
  }
  memmove(&c->e[at + 1], &c->e[at], (c->n - at) * sizeof(c->e[0]));
  memset(&c->e[at], 0, sizeof(c->e[0]));
  snprintf(c->e[at].value, sizeof(c->e[at].value), "%s", value);
  c->n++;
  return CRM_OK;
}

/* Counts one value: a new one beyond LEAD_VALUES_MAX goes to (other). */
static int lead_col_count(struct lead_state *st, crm_host_ctx *ctx,
                          struct lead_col *c, int cls, const char *value,
                          int sign)
{
  int found;
  size_t i = lead_col_find(c, value, &found);
  struct lead_entry *e;
  int rc;

  if(!found && sign < 0) {
    i = lead_col_find(c, LEAD_OTHER, &found);
    if(!found)
      return CRM_OK; /* never counted: nothing to take back */
  }
  if(!found) {
    if(c->n >= LEAD_VALUES_MAX) {
      value = LEAD_OTHER;
      i = lead_col_find(c, value, &found);
    }
    if(!found) {
      rc = lead_col_insert(st, ctx, c, i, value);
      if(rc)
        return rc;
    }
  }
  e = &c->e[i];
  e->n[cls] += sign;
  if(e->n[cls] < 0)
    e->n[cls] = 0;
  if(e->n[0] == 0 && e->n[1] == 0) {
    memmove(&c->e[i], &c->e[i + 1], (c->n - i - 1) * sizeof(c->e[0]));
    c->n--;
  }
  c->dirty = 1;
  return CRM_OK;
}

int lead_table_count(struct lead_state *st, crm_host_ctx *ctx, int cls,
                     const struct lead_feat *f, int sign)
{
  char tag[LEAD_VALUE_MAX + 1];
  size_t i;
  int rc;

  for(i = 0; i < st->cfg.n_fields; i++) {
    struct lead_col *c = &st->tab.col[i];
    const char *s = f->v[i];

    if(st->cfg.fields[i].kind != LEAD_SET) {
      rc = lead_col_count(st, ctx, c, cls, s, sign);
      if(rc)
        return rc;
      continue;
    }
    while(*s) {
      const char *comma = strchr(s, ',');
      size_t len = comma ? (size_t)(comma - s) : strlen(s);

      if(len > LEAD_VALUE_MAX)
        len = LEAD_VALUE_MAX;
      memcpy(tag, s, len);
      tag[len] = '\0';
      rc = len ? lead_col_count(st, ctx, c, cls, tag, sign) : CRM_OK;
      if(rc)
        return rc;
      s = comma ? comma + 1 : s + strlen(s);
    }
    c->dirty = 1;
  }
  st->tab.n[cls] += sign;
  if(st->tab.n[cls] < 0)
    st->tab.n[cls] = 0;
  return CRM_OK;
}

/* P(v|c) = (n_c(v) + a) / (n_c + a K) for a category with K = values
 * seen + 1; a set's tag is Bernoulli: P(t|c) = (n_c(t) + a) / (n_c + 2a). */
void lead_table_prepare(struct lead_state *st)
{
  const double a = st->cfg.alpha;
  const double n0 = (double)st->tab.n[0];
  const double n1 = (double)st->tab.n[1];
  size_t i, j;

  for(i = 0; i < st->cfg.n_fields; i++) {
    struct lead_col *c = &st->tab.col[i];
    int set = st->cfg.fields[i].kind == LEAD_SET;
    double k = set ? 2.0 : (double)c->n + 1.0;
    double d0 = n0 + a * k;
    double d1 = n1 + a * k;

    c->llr_unseen = log(a / d0) - log(a / d1);
    c->absent_sum = 0;
    for(j = 0; j < c->n; j++) {
      struct lead_entry *e = &c->e[j];

      e->llr = log(((double)e->n[0] + a) / d0) -
               log(((double)e->n[1] + a) / d1);
      e->llr_absent = 0;
      if(set) {
        e->llr_absent = log((n0 - (double)e->n[0] + a) / d0) -
                        log((n1 - (double)e->n[1] + a) / d1);
        c->absent_sum += e->llr_absent;
      }
    }
  }
}

/* ---- reading ---------------------------------------------------------------- */

static int lead_i64(const char *s, const char **end, int64_t *out)
{
  char *e = NULL;
  long long v;

  errno = 0;
  v = strtoll(s, &e, 10);
  if(errno || e == s || v < 0)
    return CRM_EINVAL;
  *out = v;
  *end = e;
  return CRM_OK;
}

static int lead_col_parse(struct lead_state *st, crm_host_ctx *ctx,
                          struct lead_col *c, const char *s)
{
  while(*s) {
    const char *tab = strchr(s, '\t');
    const char *p;
    size_t len;
    int64_t w, l;
    int rc;

    if(!tab || tab == s)
      return CRM_EINVAL;
    len = (size_t)(tab - s);
    if(len > LEAD_VALUE_MAX || lead_i64(tab + 1, &p, &w) || *p != '\t' ||
       lead_i64(p + 1, &p, &l) || (*p != '\n' && *p))
      return CRM_EINVAL;
    if(c->n == c->cap) {
      rc = lead_col_grow(st, ctx, c);
      if(rc)
        return rc;
    }
    memset(&c->e[c->n], 0, sizeof(c->e[0]));
    memcpy(c->e[c->n].value, s, len);
    c->e[c->n].n[0] = w;
    c->e[c->n].n[1] = l;
    if(c->n && strcmp(c->e[c->n - 1].value, c->e[c->n].value) >= 0)
      return CRM_EINVAL;
    c->n++;
    s = *p ? p + 1 : p;
  }
  return CRM_OK;
}

static int lead_col_load(struct lead_state *st, crm_host_ctx *ctx, size_t i)
{
  char key[LEAD_NAME_MAX + 8];
  char *v = NULL;
  int rc;

  snprintf(key, sizeof(key), "nb:f:%s", st->cfg.fields[i].name);
  rc = st->api->kv_get(ctx, key, &v);
  if(rc == CRM_ENOTFOUND)
    return CRM_OK;
  if(rc)
    return rc;
  rc = lead_col_parse(st, ctx, &st->tab.col[i], v);
  st->api->free(ctx, v);
  if(rc == CRM_EINVAL)
    return st->api->set_error(ctx, CRM_ECORRUPT, "corrupt frequency table "
                              "%s: run crm score fit lead", key);
  return rc;
}

static const char *lead_meta_field(const char *meta, const char *name)
{
  size_t n = strlen(name);
  const char *s = meta;

  while(s && *s) {
    if(!strncmp(s, name, n) && s[n] == '=')
      return s + n + 1;
    s = strchr(s, ' ');
    if(s)
      s++;
  }
  return NULL;
}

static int lead_meta_parse(struct lead_state *st, const char *meta)
{
  const char *w = lead_meta_field(meta, "won");
  const char *l = lead_meta_field(meta, "lost");
  const char *g = lead_meta_field(meta, "gen");
  const char *end;

  if(!w || !l || !g || lead_i64(w, &end, &st->tab.n[0]) ||
     lead_i64(l, &end, &st->tab.n[1]) || lead_i64(g, &end, &st->tab.gen))
    return CRM_EINVAL;
  return CRM_OK;
}

int lead_table_sync(struct lead_state *st, crm_host_ctx *ctx)
{
  const char *sig;
  char *meta = NULL;
  size_t i;
  int rc = st->api->kv_get(ctx, "nb:meta", &meta);

  if(rc == CRM_ENOTFOUND) {
    if(st->tab.loaded && !st->tab.meta[0])
      return CRM_OK;
    lead_table_reset(st, ctx);
    st->tab.loaded = st->tab.usable = 1;
    lead_table_prepare(st);
    return CRM_OK;
  }
  if(rc)
    return rc;
  if(st->tab.loaded && !strcmp(meta, st->tab.meta)) {
    st->api->free(ctx, meta);
    return CRM_OK;
  }
  lead_table_reset(st, ctx);
  sig = lead_meta_field(meta, "fields");
  rc = strlen(meta) < sizeof(st->tab.meta) ? lead_meta_parse(st, meta)
                                            : CRM_EINVAL;
  if(rc) {
    st->api->free(ctx, meta);
    return st->api->set_error(ctx, CRM_ECORRUPT, "corrupt nb:meta record: "
                              "run crm score fit lead");
  }
  snprintf(st->tab.meta, sizeof(st->tab.meta), "%s", meta);
  st->tab.loaded = 1;
  st->tab.usable = sig && !strcmp(sig, st->cfg.sig);
  st->api->free(ctx, meta);
  for(i = 0; st->tab.usable && i < st->cfg.n_fields && !rc; i++)
    rc = lead_col_load(st, ctx, i);
  if(rc) {
    lead_table_reset(st, ctx);
    return rc;
  }
  lead_table_prepare(st);
  return CRM_OK;
}

/* ---- writing ---------------------------------------------------------------- */

static uint64_t lead_fnv(uint64_t h, const char *s)
{
  for(; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 1099511628211ULL;
  }
  return h;
}

static int lead_col_text(struct lead_state *st, const struct lead_col *c)
{
  size_t len = 0;
  size_t j;

  st->buf[0] = '\0';
  for(j = 0; j < c->n; j++) {
    int n = snprintf(st->buf + len, LEAD_KV_MAX - len, "%s\t%lld\t%lld\n",
                     c->e[j].value, (long long)c->e[j].n[0],
                     (long long)c->e[j].n[1]);

    if(n < 0 || (size_t)n >= LEAD_KV_MAX - len)
      return CRM_ERANGE;
    len += (size_t)n;
  }
  return CRM_OK;
}

int lead_table_save(struct lead_state *st, crm_host_ctx *ctx, int all)
{
  uint64_t h = 14695981039346656037ULL;
  char key[LEAD_NAME_MAX + 8];
  size_t i;
  int rc;

  for(i = 0; i < st->cfg.n_fields; i++) {
    struct lead_col *c = &st->tab.col[i];

    rc = lead_col_text(st, c);
    if(rc)
      return st->api->set_error(ctx, rc, "frequency table of %s is too "
                                "large", st->cfg.fields[i].name);
    h = lead_fnv(lead_fnv(h, st->cfg.fields[i].name), st->buf);
    if(!all && !c->dirty)
      continue;
    snprintf(key, sizeof(key), "nb:f:%s", st->cfg.fields[i].name);
    rc = st->api->kv_put(ctx, key, c->n ? st->buf : NULL);
    if(rc)
      return rc;
    c->dirty = 0;
  }
  st->tab.gen++;
  snprintf(st->tab.meta, sizeof(st->tab.meta),
           "gen=%lld won=%lld lost=%lld hash=%016llx fields=%s",
           (long long)st->tab.gen, (long long)st->tab.n[0],
           (long long)st->tab.n[1], (unsigned long long)h, st->cfg.sig);
  st->tab.loaded = st->tab.usable = 1;
  return st->api->kv_put(ctx, "nb:meta", st->tab.meta);
}
