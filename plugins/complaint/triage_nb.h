/*
 * triage_nb.h - the multinomial naive Bayes model of the triage plugin:
 * word counts per category, learned from closed cases, their compact
 * text form for the plugin kv, and the posterior of a new text. Private
 * to the triage plugin (static functions, included once by triage.c).
 *
 * The model: K categories c with D_c documents (closed cases) and T_c
 * counted tokens; a vocabulary V of words w with counts n(w, c). For a
 * text with tokens t_1..t_m (those in V; the others are ignored):
 *   log P(c | text) = log(D_c / D) + sum_i log((n(t_i, c) + 1) / (T_c + |V|))
 *                     - log Z
 * (Laplace smoothing, alpha = 1), Z normalising over the K categories.
 *
 * Text form (one record a line; words in byte order, so the same counts
 * always give the same text):
 *   c <docs> <tokens> <category>       K lines, in first-seen order
 *   w <word> <n(w,c_1)> ... <n(w,c_K)>  one line per word
 * A category name is the rest of its line (it may hold spaces).
 */
#ifndef TRIAGE_NB_H
#define TRIAGE_NB_H

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/sdk.h"

#include "triage_text.h"

#define TRI_CATS_MAX 24
#define TRI_CAT_MAX 31
#define TRI_VOCAB_MAX 20000

struct tri_word {
  char w[TRI_WORD_MAX + 1];
  uint32_t n[TRI_CATS_MAX];
};

struct tri_model {
  size_t k;
  char cat[TRI_CATS_MAX][TRI_CAT_MAX + 1];
  int64_t docs[TRI_CATS_MAX];
  int64_t tokens[TRI_CATS_MAX];
  int64_t n_docs;
  struct tri_word *words;
  size_t n_words, cap_words;
  uint32_t *slots; /* open addressing: word index + 1, 0 empty */
  size_t n_slots;  /* a power of two, at least 2 x cap_words */
  int full;        /* the vocabulary reached TRI_VOCAB_MAX */
};

static void tri_model_free(const crm_host_api *api, crm_host_ctx *ctx,
                           struct tri_model *m)
{
  api->free(ctx, m->words);
  api->free(ctx, m->slots);
  memset(m, 0, sizeof(*m));
}

static uint32_t tri_hash(const char *s)
{
  uint32_t h = 2166136261u;

  for(; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 16777619u;
  }
  return h;
}

/* The slot of w: its word's, or the empty one where it would go. */
static size_t tri_slot(const struct tri_model *m, const char *w)
{
  size_t mask = m->n_slots - 1;
  size_t i = tri_hash(w) & mask;

  while(m->slots[i] && strcmp(m->words[m->slots[i] - 1].w, w))
    i = (i + 1) & mask;
  return i;
}

/* Index of w, or -1. */
static long tri_word_find(const struct tri_model *m, const char *w)
{
  size_t i;

  if(!m->n_slots)
    return -1;
  i = tri_slot(m, w);
  return m->slots[i] ? (long)m->slots[i] - 1 : -1;
}

static int tri_grow(const crm_host_api *api, crm_host_ctx *ctx,
                    struct tri_model *m)
{
  size_t cap = m->cap_words ? m->cap_words * 2 : 256;
  size_t n_slots = 1;
  struct tri_word *words;
  uint32_t *slots;
  size_t i;

  if(cap > TRI_VOCAB_MAX)
    cap = TRI_VOCAB_MAX;
  while(n_slots < cap * 2)
    n_slots *= 2;
  words = api->alloc(ctx, cap * sizeof(*words));
  slots = api->alloc(ctx, n_slots * sizeof(*slots));
  if(!words || !slots) {
    api->free(ctx, words);
    api->free(ctx, slots);
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  }
  if(m->n_words)
    memcpy(words, m->words, m->n_words * sizeof(*words));
  memset(slots, 0, n_slots * sizeof(*slots));
  api->free(ctx, m->words);
  api->free(ctx, m->slots);
  m->words = words;
  m->cap_words = cap;
  m->slots = slots;
  m->n_slots = n_slots;
  for(i = 0; i < m->n_words; i++)
    m->slots[tri_slot(m, m->words[i].w)] = (uint32_t)i + 1;
  return CRM_OK;
}

/* Index of w, added with zero counts when new; -1 when the vocabulary
 * is full (the word is then not counted). */
static int tri_word_add(const crm_host_api *api, crm_host_ctx *ctx,
                        struct tri_model *m, const char *w, long *out)
{
  long i = tri_word_find(m, w);
  struct tri_word *e;
  int rc;

  *out = i;
  if(i >= 0)
    return CRM_OK;
  if(m->n_words == TRI_VOCAB_MAX) {
    m->full = 1;
    return CRM_OK;
  }
  if(m->n_words == m->cap_words) {
    rc = tri_grow(api, ctx, m);
    if(rc)
      return rc;
  }
  e = &m->words[m->n_words];
  memset(e, 0, sizeof(*e));
  memcpy(e->w, w, strlen(w) + 1);
  m->slots[tri_slot(m, w)] = (uint32_t)m->n_words + 1;
  *out = (long)m->n_words++;
  return CRM_OK;
}

/* Index of category name, added when new; -1 when K is at the limit. */
static long tri_cat_add(struct tri_model *m, const char *name)
{
  size_t i;

  for(i = 0; i < m->k; i++) {
    if(!strcmp(m->cat[i], name))
      return (long)i;
  }
  if(m->k == TRI_CATS_MAX || strlen(name) > TRI_CAT_MAX)
    return -1;
  memcpy(m->cat[m->k], name, strlen(name) + 1);
  m->docs[m->k] = 0;
  m->tokens[m->k] = 0;
  return (long)m->k++;
}

/* Counts one closed case of category cat. */
static int tri_model_add_doc(const crm_host_api *api, crm_host_ctx *ctx,
                             struct tri_model *m, size_t cat,
                             const char *text)
{
  const char *p = text ? text : "";
  char w[TRI_WORD_MAX + 1];
  long i;
  int rc;

  m->docs[cat]++;
  m->n_docs++;
  while(tri_next_token(&p, w)) {
    rc = tri_word_add(api, ctx, m, w, &i);
    if(rc)
      return rc;
    if(i < 0 || m->words[i].n[cat] == UINT32_MAX)
      continue;
    m->words[i].n[cat]++;
    m->tokens[cat]++;
  }
  return CRM_OK;
}

/* The posterior of text: *best the most likely category, *p its
 * probability, *known the tokens of the text found in the vocabulary
 * (0: no evidence, *best and *p are then the prior's). -1 when the
 * model has no category. */
static long tri_model_classify(const struct tri_model *m, const char *text,
                               double *p, int64_t *known)
{
  double lp[TRI_CATS_MAX];
  const char *s = text ? text : "";
  char w[TRI_WORD_MAX + 1];
  double v = (double)m->n_words;
  double max, z;
  size_t c, best = 0;

  *known = 0;
  *p = 0;
  if(!m->k || !m->n_docs)
    return -1;
  for(c = 0; c < m->k; c++)
    lp[c] = m->docs[c] ? log((double)m->docs[c] / (double)m->n_docs)
                       : -INFINITY;
  while(tri_next_token(&s, w)) {
    long i = tri_word_find(m, w);

    if(i < 0)
      continue;
    (*known)++;
    for(c = 0; c < m->k; c++)
      lp[c] += log(((double)m->words[i].n[c] + 1.0) /
                   ((double)m->tokens[c] + v));
  }
  for(c = 1; c < m->k; c++) {
    if(lp[c] > lp[best])
      best = c;
  }
  max = lp[best];
  z = 0;
  for(c = 0; c < m->k; c++)
    z += exp(lp[c] - max);
  *p = 1.0 / z;
  return (long)best;
}

/* ---- text form --------------------------------------------------------- */

struct tri_buf {
  char *s;
  size_t len, cap;
};

static int tri_buf_addf(const crm_host_api *api, crm_host_ctx *ctx,
                        struct tri_buf *b, const char *fmt, ...)
    CRM__PRINTF(4, 5);

static int tri_buf_addf(const crm_host_api *api, crm_host_ctx *ctx,
                        struct tri_buf *b, const char *fmt, ...)
{
  va_list ap;
  int n;

  for(;;) {
    size_t room = b->cap - b->len;

    if(b->s) {
      va_start(ap, fmt);
      n = vsnprintf(b->s + b->len, room, fmt, ap);
      va_end(ap);
      if(n < 0)
        return api->set_error(ctx, CRM_ERROR, "cannot format the model");
      if((size_t)n < room) {
        b->len += (size_t)n;
        return CRM_OK;
      }
    }
    {
      size_t cap = b->cap ? b->cap * 2 : 65536;
      char *s = api->alloc(ctx, cap);

      if(!s)
        return api->set_error(ctx, CRM_ENOMEM, "out of memory");
      if(b->len)
        memcpy(s, b->s, b->len);
      s[b->len] = '\0';
      api->free(ctx, b->s);
      b->s = s;
      b->cap = cap;
    }
  }
}

static int tri_cmp_words(const void *a, const void *b)
{
  return strcmp(((const struct tri_word *)a)->w,
                ((const struct tri_word *)b)->w);
}

/* Sorts the words (the hash is rebuilt) and writes the text form. */
static int tri_model_dump(const crm_host_api *api, crm_host_ctx *ctx,
                          struct tri_model *m, struct tri_buf *b)
{
  size_t c, i;
  int rc = CRM_OK;

  if(m->n_words) {
    qsort(m->words, m->n_words, sizeof(*m->words), tri_cmp_words);
    memset(m->slots, 0, m->n_slots * sizeof(*m->slots));
    for(i = 0; i < m->n_words; i++)
      m->slots[tri_slot(m, m->words[i].w)] = (uint32_t)i + 1;
  }
  for(c = 0; c < m->k && !rc; c++)
    rc = tri_buf_addf(api, ctx, b, "c %lld %lld %s\n",
                      (long long)m->docs[c], (long long)m->tokens[c],
                      m->cat[c]);
  for(i = 0; i < m->n_words && !rc; i++) {
    rc = tri_buf_addf(api, ctx, b, "w %s", m->words[i].w);
    for(c = 0; c < m->k && !rc; c++)
      rc = tri_buf_addf(api, ctx, b, " %lu", (unsigned long)m->words[i].n[c]);
    if(!rc)
      rc = tri_buf_addf(api, ctx, b, "\n");
  }
  return rc;
}

/* A non-negative decimal at *p, then a space or the end of the field. */
static int tri_parse_num(const char **p, int64_t *out)
{
  char *end;
  long long v;

  errno = 0;
  v = strtoll(*p, &end, 10);
  if(end == *p || errno || v < 0 || (*end != ' ' && *end != '\n' && *end))
    return -1;
  *out = v;
  *p = *end == ' ' ? end + 1 : end;
  return 0;
}

static int tri_parse_cat(struct tri_model *m, const char *p, const char *eol)
{
  int64_t docs, tokens;
  size_t n;

  if(m->n_words || m->k == TRI_CATS_MAX || tri_parse_num(&p, &docs) ||
     tri_parse_num(&p, &tokens) || p >= eol)
    return -1;
  n = (size_t)(eol - p);
  if(n > TRI_CAT_MAX)
    return -1;
  memcpy(m->cat[m->k], p, n);
  m->cat[m->k][n] = '\0';
  m->docs[m->k] = docs;
  m->tokens[m->k] = tokens;
  m->n_docs += docs;
  m->k++;
  return 0;
}

static int tri_parse_word(const crm_host_api *api, crm_host_ctx *ctx,
                          struct tri_model *m, const char *p,
                          const char *eol, int *rc)
{
  const char *sp = memchr(p, ' ', (size_t)(eol - p));
  char w[TRI_WORD_MAX + 1];
  int64_t v;
  long i;
  size_t c;

  if(!sp || sp == p || (size_t)(sp - p) > TRI_WORD_MAX)
    return -1;
  memcpy(w, p, (size_t)(sp - p));
  w[sp - p] = '\0';
  *rc = tri_word_add(api, ctx, m, w, &i);
  if(*rc || i < 0)
    return -1;
  p = sp + 1;
  for(c = 0; c < m->k; c++) {
    if(p >= eol || tri_parse_num(&p, &v) || v > UINT32_MAX)
      return -1;
    m->words[i].n[c] = (uint32_t)v;
  }
  return p == eol ? 0 : -1;
}

/* Reads the text form into an empty model. */
static int tri_model_parse(const crm_host_api *api, crm_host_ctx *ctx,
                           struct tri_model *m, const char *text)
{
  const char *p = text;
  int rc = CRM_OK;

  while(*p) {
    const char *eol = strchr(p, '\n');
    int bad;

    if(!eol)
      eol = p + strlen(p);
    if(p[0] == 'c' && p[1] == ' ')
      bad = tri_parse_cat(m, p + 2, eol);
    else if(p[0] == 'w' && p[1] == ' ')
      bad = tri_parse_word(api, ctx, m, p + 2, eol, &rc);
    else
      bad = -1;
    if(rc)
      return rc;
    if(bad)
      return api->set_error(ctx, CRM_ECORRUPT, "stored triage model is "
                            "damaged near \"%.40s\"; run crm case train",
                            p);
    p = *eol ? eol + 1 : eol;
  }
  return CRM_OK;
}

#endif /* TRIAGE_NB_H */
