/*
 * score_test.h - helpers of the scoring-model tests (test_host_1_3.c,
 * test_score_fit.c, test_score_event.c): a store with the fx_score
 * fixture loaded, events, and stored scores copied out for assertions.
 */
#ifndef SCORE_TEST_H
#define SCORE_TEST_H

#include <stdio.h>
#include <string.h>

#include "crm_test.h"
#include "loader_util.h"

/* lt_open's clock: 2000-01-01T00:00:00Z. */
#define ST_NOW INT64_C(946684800)
#define ST_DAY INT64_C(86400)
/* Events happen in the 100 days before ST_NOW. */
#define ST_T0 (ST_NOW - 100 * ST_DAY)

typedef struct st_fix {
  lt_dir dir;
  crm *c;
  const crm_host_api *api;
  crm_host_ctx *ctx; /* fx_score's */
} st_fix;

/* A store with conf_text loaded (plugins from the fixture dir). */
static inline void st_open(st_fix *f, const char *conf_text)
{
  const char *path;

  memset(f, 0, sizeof(*f));
  lt_dir_init(&f->dir);
  f->c = lt_open(NULL);
  path = lt_write(&f->dir, "crm.conf", conf_text);
  if(crm_load_config(f->c, path, FIXDIR))
    fail_msg("load: %s", crm_errmsg(f->c));
  f->api = crm__host_api();
  if(crm__plugin_by_name(f->c, "fx_score"))
    f->ctx = &crm__plugin_by_name(f->c, "fx_score")->hctx;
}

static inline void st_close(st_fix *f)
{
  crm_close(f->c);
  lt_dir_done(&f->dir);
}

static inline int64_t st_customer(crm *c, const char *ext)
{
  return t_add_customer(c, ext);
}

/* Ingests one event (USD for purchases, refunds and amounts); returns
 * its id. */
static inline int64_t st_event(crm *c, int64_t cust, const char *type,
                               int64_t at, int64_t amount,
                               const char *payload, const char *key)
{
  return t_event(c, cust, type, at, amount, payload, key).event_id;
}

/* One stored score, copied. */
typedef struct st_score {
  int64_t customer_id;
  char model[32];
  char name[32];
  double value;
  char label[64];
  int has_label;
  char explain[1024];
  int has_explain;
  size_t n_reasons;
  char factor[CRM_SCORE_FACTORS_MAX][72];
  double contribution[CRM_SCORE_FACTORS_MAX];
  char detail[CRM_SCORE_FACTORS_MAX][136];
  int has_detail[CRM_SCORE_FACTORS_MAX];
} st_score;

typedef struct st_scores {
  st_score s[32];
  size_t n;
} st_scores;

static inline int st_collect(void *ud, const crm_score *s)
{
  st_scores *g = ud;
  st_score *o;
  size_t i;

  if(g->n >= 32)
    return 0;
  o = &g->s[g->n++];
  memset(o, 0, sizeof(*o));
  o->customer_id = s->customer_id;
  snprintf(o->model, sizeof(o->model), "%s", s->model);
  snprintf(o->name, sizeof(o->name), "%s", s->name);
  o->value = s->value;
  o->has_label = s->label != NULL;
  snprintf(o->label, sizeof(o->label), "%s", s->label ? s->label : "");
  o->has_explain = s->explain_json != NULL;
  snprintf(o->explain, sizeof(o->explain), "%s",
           s->explain_json ? s->explain_json : "");
  o->n_reasons = s->n_reasons;
  for(i = 0; i < s->n_reasons && i < CRM_SCORE_FACTORS_MAX; i++) {
    snprintf(o->factor[i], sizeof(o->factor[i]), "%s",
             s->reasons[i].factor);
    o->contribution[i] = s->reasons[i].contribution;
    o->has_detail[i] = s->reasons[i].detail != NULL;
    snprintf(o->detail[i], sizeof(o->detail[i]), "%s",
             s->reasons[i].detail ? s->reasons[i].detail : "");
  }
  return 0;
}

/* Every stored score of a customer (0: all customers). */
static inline void st_scores_of(crm *c, int64_t cust, st_scores *g)
{
  memset(g, 0, sizeof(*g));
  if(crm_scores_foreach(c, cust, st_collect, g))
    fail_msg("crm_scores_foreach: %s", crm_errmsg(c));
}

/* The score model.name of a customer in g, or NULL. */
static inline const st_score *st_find(const st_scores *g, int64_t cust,
                                      const char *model, const char *name)
{
  size_t i;

  for(i = 0; i < g->n; i++) {
    if(g->s[i].customer_id == cust && !strcmp(g->s[i].model, model) &&
       !strcmp(g->s[i].name, name))
      return &g->s[i];
  }
  return NULL;
}

static inline int st_count_cb(void *ud, const crm_figure *fg)
{
  (void)fg;
  (*(int *)ud)++;
  return 0;
}

/* Number of figures of a model (NULL: all). */
static inline int st_n_figures(crm *c, const char *model)
{
  int n = 0;

  if(crm_figures_foreach(c, model, st_count_cb, &n))
    fail_msg("crm_figures_foreach: %s", crm_errmsg(c));
  return n;
}

#endif /* SCORE_TEST_H */
