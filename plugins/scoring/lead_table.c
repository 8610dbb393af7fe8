/*
 * lead_table.c - the naive Bayes frequency table, kept in the plugin kv
 * and cached in the plugin's state.
 *
 * kv layout:
 *   nb:meta                "gen=7 stamp=<16 hex> won=6 lost=4
 *                           fields=source:category,..." (one line)
 *   nb:l:<field>           the field's values, sorted, one per line
 *   nb:v:<field>\t<value>  "<won> <lost>"
 *
 * An outcome writes only what it changes: the count of each value it
 * touches, the meta record and, when a value appears or its last count
 * goes, the field's value list - a few small writes, whatever the size
 * of the table. Keys stay within the host's 192 bytes: 5 + a field name
 * (64) + 1 + a value (100).
 *
 * The cache is current exactly when the kv's meta equals the cached one:
 * one kv read per scored prospect when nothing changed. The stamp is an
 * FNV-1a hash chained over every write made to the table (from the last
 * fit on), so two writers that start from the same table and write
 * different counts leave different metas. A write rolled back with its
 * event leaves the kv's old meta, which no longer equals the cache, so
 * the next call reloads.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lead.h"

/* entries per column: the values, (other), and values whose last count
 * went in the outcome being applied (dropped when it is saved) */
#define LEAD_COL_MAX (LEAD_VALUES_MAX + LEAD_TAGS_MAX + 2)
#define LEAD_FNV_BASIS 14695981039346656037ULL

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
  for(i = 0; i < LEAD_FIELDS_MAX; i++)
    st->tab.col[i].n = 0;
  st->tab.n[0] = st->tab.n[1] = 0;
  st->tab.gen = 0;
  st->tab.stamp = LEAD_FNV_BASIS;
  st->tab.meta[0] = '\0';
  st->tab.loaded = 0;
  st->tab.usable = 0;
  st->tab.old_layout = 0;
}

static int lead_col_grow(struct lead_state *st, crm_host_ctx *ctx,
                         struct lead_col *c)
{
  size_t cap = c->cap ? c->cap * 2 : 16;
  struct lead_entry *e;

  if(cap > LEAD_COL_MAX)
    cap = LEAD_COL_MAX;
  if(cap <= c->n)
    return st->api->set_error(ctx, CRM_ERANGE, "too many values in the "
                              "frequency table");
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

  if(!found || (!c->e[i].n[0] && !c->e[i].n[1]))
    return NULL;
  return &c->e[i];
}

/* Values with a count (not those whose last count just went). */
static size_t lead_col_live(const struct lead_col *c)
{
  size_t j, n = 0;

  for(j = 0; j < c->n; j++)
    n += c->e[j].n[0] || c->e[j].n[1];
  return n;
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
  c->e[at].fresh = 1;
  c->n++;
  return CRM_OK;
}

/* Counts one value: a new one beyond LEAD_VALUES_MAX goes to (other).
 * A value whose last count goes stays (marked) until the table is saved,
 * which deletes its key; one never saved is dropped at once. */
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
    if(lead_col_live(c) >= LEAD_VALUES_MAX) {
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
  e->dirty = 1;
  if(e->fresh && e->n[0] == 0 && e->n[1] == 0) {
    memmove(&c->e[i], &c->e[i + 1], (c->n - i - 1) * sizeof(c->e[0]));
    c->n--;
  }
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
      size_t len = strlen(s);

      if(len > LEAD_VALUE_MAX)
        len = LEAD_VALUE_MAX;
      memcpy(tag, s, len);
      tag[len] = '\0';
      rc = lead_col_count(st, ctx, c, cls, len ? tag : LEAD_NONE, sign);
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
    double k = set ? 2.0 : (double)lead_col_live(c) + 1.0;
    double d0 = n0 + a * k;
    double d1 = n1 + a * k;

    c->llr_unseen = log(a / d0) - log(a / d1);
    c->absent_sum = 0;
    for(j = 0; j < c->n; j++) {
      struct lead_entry *e = &c->e[j];

      if(!e->n[0] && !e->n[1])
        continue; /* its last count went: no longer a known value */
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


/* ---- keys ------------------------------------------------------------------- */

/* "nb:<kind>:<field>" */
static void lead_key_field(char key[LEAD_KEY_MAX + 1], const char *kind,
                           const char *field, size_t len)
{
  snprintf(key, LEAD_KEY_MAX + 1, "nb:%s:%.*s", kind, (int)len, field);
}

/* "nb:v:<field>\t<value>" */
static void lead_key_value(char key[LEAD_KEY_MAX + 1], const char *field,
                           size_t len, const char *value)
{
  snprintf(key, LEAD_KEY_MAX + 1, "nb:v:%.*s\t%s", (int)len, field, value);
}

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

/* Next line of a value list: *len its length, NULL at the end. */
static const char *lead_line(const char *s, size_t *len)
{
  const char *nl;

  if(!s || !*s)
    return NULL;
  nl = strchr(s, '\n');
  *len = nl ? (size_t)(nl - s) : strlen(s);
  return s;
}

/* ---- reading ---------------------------------------------------------------- */

static int lead_corrupt(struct lead_state *st, crm_host_ctx *ctx,
                        const char *key)
{
  return st->api->set_error(ctx, CRM_ECORRUPT, "corrupt frequency table "
                            "%s: run crm score fit lead", key);
}

/* Reads "nb:v:<field>\t<value>" into e. */
static int lead_entry_load(struct lead_state *st, crm_host_ctx *ctx,
                           const char *field, struct lead_entry *e)
{
  char key[LEAD_KEY_MAX + 1];
  const char *p;
  char *v = NULL;
  int rc;

  lead_key_value(key, field, strlen(field), e->value);
  rc = st->api->kv_get(ctx, key, &v);
  if(rc == CRM_ENOTFOUND)
    return lead_corrupt(st, ctx, key);
  if(rc)
    return rc;
  if(lead_i64(v, &p, &e->n[0]) || *p != ' ' || lead_i64(p + 1, &p, &e->n[1])
     || *p || (!e->n[0] && !e->n[1]))
    rc = lead_corrupt(st, ctx, key);
  st->api->free(ctx, v);
  return rc;
}

static int lead_col_parse(struct lead_state *st, crm_host_ctx *ctx,
                          size_t i, const char *list)
{
  struct lead_col *c = &st->tab.col[i];
  size_t len = 0;
  const char *s = lead_line(list, &len);
  int rc = CRM_OK;

  for(; s && !rc; s = lead_line(s, &len)) {
    if(!len || len > LEAD_VALUE_MAX || c->n >= LEAD_VALUES_MAX + 1)
      return CRM_EINVAL;
    if(c->n == c->cap) {
      rc = lead_col_grow(st, ctx, c);
      if(rc)
        return rc;
    }
    memset(&c->e[c->n], 0, sizeof(c->e[0]));
    memcpy(c->e[c->n].value, s, len);
    if(c->n && strcmp(c->e[c->n - 1].value, c->e[c->n].value) >= 0)
      return CRM_EINVAL;
    rc = lead_entry_load(st, ctx, st->cfg.fields[i].name, &c->e[c->n]);
    c->n++;
    s += len;
    if(*s)
      s++;
  }
  return rc;
}

static int lead_col_load(struct lead_state *st, crm_host_ctx *ctx, size_t i)
{
  const char *field = st->cfg.fields[i].name;
  char key[LEAD_KEY_MAX + 1];
  char *v = NULL;
  int rc;

  lead_key_field(key, "l", field, strlen(field));
  rc = st->api->kv_get(ctx, key, &v);
  if(rc == CRM_ENOTFOUND)
    return CRM_OK;
  if(rc)
    return rc;
  rc = lead_col_parse(st, ctx, i, v);
  st->api->free(ctx, v);
  return rc == CRM_EINVAL ? lead_corrupt(st, ctx, key) : rc;
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
  const char *h = lead_meta_field(meta, "stamp");
  const char *end;
  char *e = NULL;

  if(!w || !l || !g || lead_i64(w, &end, &st->tab.n[0]) ||
     lead_i64(l, &end, &st->tab.n[1]) || lead_i64(g, &end, &st->tab.gen))
    return CRM_EINVAL;
  if(!h)
    return CRM_OK; /* lead 1.0: "hash=" of nb:f: texts */
  errno = 0;
  st->tab.stamp = (uint64_t)strtoull(h, &e, 16);
  if(errno || e != h + 16 || *e != ' ')
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
  st->tab.old_layout = !lead_meta_field(meta, "stamp");
  st->tab.usable = !st->tab.old_layout && sig && !strcmp(sig, st->cfg.sig);
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
  h ^= 0xff; /* end of string: "ab"+"c" differs from "a"+"bc" */
  h *= 1099511628211ULL;
  return h;
}

/* A write to the table, chained into the stamp (value NULL: deleted). */
static int lead_put(struct lead_state *st, crm_host_ctx *ctx,
                    const char *key, const char *value)
{
  st->tab.stamp = lead_fnv(lead_fnv(st->tab.stamp, key),
                           value ? value : "\x01");
  return st->api->kv_put(ctx, key, value);
}

/* Writes "nb:l:<field>" from the column (deletes it when empty). */
static int lead_list_save(struct lead_state *st, crm_host_ctx *ctx,
                          size_t i)
{
  const struct lead_col *c = &st->tab.col[i];
  const char *field = st->cfg.fields[i].name;
  char key[LEAD_KEY_MAX + 1];
  size_t len = 0, j;

  st->buf[0] = '\0';
  for(j = 0; j < c->n; j++) {
    int n = snprintf(st->buf + len, LEAD_KV_MAX - len, "%s%s",
                     j ? "\n" : "", c->e[j].value);

    if(n < 0 || (size_t)n >= LEAD_KV_MAX - len)
      return st->api->set_error(ctx, CRM_ERANGE, "value list of %s is too "
                                "large", field);
    len += (size_t)n;
  }
  lead_key_field(key, "l", field, strlen(field));
  return lead_put(st, ctx, key, c->n ? st->buf : NULL);
}

/* Drops the values whose last count went; clears the marks. */
static void lead_col_settle(struct lead_col *c)
{
  size_t j, k = 0;

  for(j = 0; j < c->n; j++) {
    if(!c->e[j].n[0] && !c->e[j].n[1])
      continue;
    if(k != j)
      c->e[k] = c->e[j];
    c->e[k].dirty = c->e[k].fresh = 0;
    k++;
  }
  c->n = k;
}

/* Writes the column's changed counts (all: every one, and the list);
 * the value list only when a value came or went. */
static int lead_col_save(struct lead_state *st, crm_host_ctx *ctx, size_t i,
                         int all)
{
  struct lead_col *c = &st->tab.col[i];
  const char *field = st->cfg.fields[i].name;
  char key[LEAD_KEY_MAX + 1];
  char val[48];
  int relist = all;
  size_t j;
  int rc;

  for(j = 0; j < c->n; j++) {
    const struct lead_entry *e = &c->e[j];
    int gone = !e->n[0] && !e->n[1];

    if(!all && !e->dirty)
      continue;
    relist |= gone ? !e->fresh : e->fresh;
    if(gone && e->fresh)
      continue;
    snprintf(val, sizeof(val), "%lld %lld", (long long)e->n[0],
             (long long)e->n[1]);
    lead_key_value(key, field, strlen(field), e->value);
    rc = lead_put(st, ctx, key, gone ? NULL : val);
    if(rc)
      return rc;
  }
  lead_col_settle(c);
  return relist ? lead_list_save(st, ctx, i) : CRM_OK;
}

int lead_table_save(struct lead_state *st, crm_host_ctx *ctx, int all)
{
  char tot[64];
  size_t i;
  int rc;

  for(i = 0; i < st->cfg.n_fields; i++) {
    rc = lead_col_save(st, ctx, i, all);
    if(rc)
      return rc;
  }
  st->tab.gen++;
  snprintf(tot, sizeof(tot), "%lld %lld %lld", (long long)st->tab.gen,
           (long long)st->tab.n[0], (long long)st->tab.n[1]);
  st->tab.stamp = lead_fnv(st->tab.stamp, tot);
  snprintf(st->tab.meta, sizeof(st->tab.meta),
           "gen=%lld stamp=%016llx won=%lld lost=%lld fields=%s",
           (long long)st->tab.gen, (unsigned long long)st->tab.stamp,
           (long long)st->tab.n[0], (long long)st->tab.n[1], st->cfg.sig);
  st->tab.loaded = st->tab.usable = 1;
  st->tab.old_layout = 0;
  return st->api->kv_put(ctx, "nb:meta", st->tab.meta);
}

/* ---- a fit's clean-up ----------------------------------------------------- */

static int lead_field_of(const struct lead_cfg *cfg, const char *name,
                         size_t len)
{
  size_t i;

  for(i = 0; i < cfg->n_fields; i++) {
    if(strlen(cfg->fields[i].name) == len &&
       !strncmp(cfg->fields[i].name, name, len))
      return (int)i;
  }
  return -1;
}

/* Deletes the stored values of field name[0..len) that the rebuilt
 * column (col NULL: the field is gone) has not, then its list. */
static int lead_drop_field(struct lead_state *st, crm_host_ctx *ctx,
                           const char *name, size_t len,
                           const struct lead_col *col)
{
  char key[LEAD_KEY_MAX + 1];
  char value[LEAD_VALUE_MAX + 1];
  char *list = NULL;
  const char *s;
  size_t n;
  int rc;

  lead_key_field(key, "l", name, len);
  rc = st->api->kv_get(ctx, key, &list);
  if(rc)
    return rc == CRM_ENOTFOUND ? CRM_OK : rc;
  n = 0;
  for(s = lead_line(list, &n); s && !rc; s = lead_line(s, &n)) {
    if(n > 0 && n <= LEAD_VALUE_MAX) {
      memcpy(value, s, n);
      value[n] = '\0';
      lead_key_value(key, name, len, value);
      if(!col || !lead_col_get(col, value))
        rc = st->api->kv_put(ctx, key, NULL);
    }
    s += n;
    if(*s)
      s++;
  }
  st->api->free(ctx, list);
  lead_key_field(key, "l", name, len);
  if(!rc && (!col || !col->n))
    rc = st->api->kv_put(ctx, key, NULL);
  return rc;
}

int lead_table_drop_stale(struct lead_state *st, crm_host_ctx *ctx)
{
  char key[LEAD_KEY_MAX + 1];
  const char *s, *g;
  char *meta = NULL;
  int64_t gen;
  int old;
  int rc = st->api->kv_get(ctx, "nb:meta", &meta);

  if(rc)
    return rc == CRM_ENOTFOUND ? CRM_OK : rc;
  g = lead_meta_field(meta, "gen");
  if(g && !lead_i64(g, &s, &gen))
    st->tab.gen = gen; /* the rebuilt table's meta continues it */
  old = !lead_meta_field(meta, "stamp");
  s = lead_meta_field(meta, "fields");
  while(s && *s && !rc) {
    const char *colon = strchr(s, ':');
    const char *comma = strchr(s, ',');
    size_t len = colon ? (size_t)(colon - s) : strlen(s);
    int i;

    if(comma && (size_t)(comma - s) < len)
      len = (size_t)(comma - s);
    i = lead_field_of(&st->cfg, s, len);
    if(len > 0 && len <= LEAD_NAME_MAX && old) {
      lead_key_field(key, "f", s, len); /* lead 1.0 */
      rc = st->api->kv_put(ctx, key, NULL);
    }
    else if(len > 0 && len <= LEAD_NAME_MAX)
      rc = lead_drop_field(st, ctx, s, len, i >= 0 ? &st->tab.col[i] : NULL);
    s = comma ? comma + 1 : s + strlen(s);
  }
  st->api->free(ctx, meta);
  return rc;
}
