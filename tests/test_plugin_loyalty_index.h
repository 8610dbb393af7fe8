/*
 * test_plugin_loyalty_index.h - helpers shared by the loyalty_index
 * plugin tests: reading a customer's stored scores with their
 * explanation, capturing log lines.
 */
#ifndef TEST_PLUGIN_LOYALTY_INDEX_H
#define TEST_PLUGIN_LOYALTY_INDEX_H

#include <math.h>

#include "test_plugin_env.h"

#define LI_CONF                                                             \
  "plugins = { load = ( { name = \"loyalty_index\"; required = true; }"     \
  " ); };\n"

#define LI_UNKNOWN_DETAIL "unknown, weight given to the other parts"

/* One stored score of loyalty_index, copied out of the callback. */
typedef struct li_score {
  double value;
  char label[160];
  size_t n;
  char factor[CRM_SCORE_FACTORS_MAX][64];
  double contribution[CRM_SCORE_FACTORS_MAX];
  char detail[CRM_SCORE_FACTORS_MAX][160];
} li_score;

struct li_find {
  const char *name;
  li_score *out;
  int found;
  size_t count;
};

static inline int li_find_cb(void *ud, const crm_score *s)
{
  struct li_find *f = ud;
  size_t i;

  if(strcmp(s->model, "loyalty_index") != 0)
    return 0;
  f->count++;
  if(!f->name || strcmp(s->name, f->name) != 0)
    return 0;
  f->found = 1;
  if(!f->out)
    return 0;
  memset(f->out, 0, sizeof(*f->out));
  f->out->value = s->value;
  snprintf(f->out->label, sizeof(f->out->label), "%s",
           s->label ? s->label : "(null)");
  f->out->n = s->n_reasons;
  for(i = 0; i < s->n_reasons && i < CRM_SCORE_FACTORS_MAX; i++) {
    snprintf(f->out->factor[i], sizeof(f->out->factor[i]), "%s",
             s->reasons[i].factor);
    f->out->contribution[i] = s->reasons[i].contribution;
    snprintf(f->out->detail[i], sizeof(f->out->detail[i]), "%s",
             s->reasons[i].detail ? s->reasons[i].detail : "(null)");
  }
  return 0;
}

static inline int li_has(crm *c, int64_t id, const char *name)
{
  struct li_find f;

  memset(&f, 0, sizeof(f));
  f.name = name;
  if(crm_scores_foreach(c, id, li_find_cb, &f))
    fail_msg("crm_scores_foreach: %s", crm_errmsg(c));
  return f.found;
}

/* Number of loyalty_index scores the customer has. */
static inline size_t li_count(crm *c, int64_t id)
{
  struct li_find f;

  memset(&f, 0, sizeof(f));
  if(crm_scores_foreach(c, id, li_find_cb, &f))
    fail_msg("crm_scores_foreach: %s", crm_errmsg(c));
  return f.count;
}

static inline void li_get(crm *c, int64_t id, const char *name, li_score *s)
{
  struct li_find f;

  memset(&f, 0, sizeof(f));
  f.name = name;
  f.out = s;
  if(crm_scores_foreach(c, id, li_find_cb, &f))
    fail_msg("crm_scores_foreach: %s", crm_errmsg(c));
  if(!f.found)
    fail_msg("customer #%lld has no loyalty_index score %s", (long long)id,
             name);
}

/* The factor `name` has this contribution (1e-9) and detail. */
static inline void li_factor_is(const li_score *s, const char *name,
                                double contribution, const char *detail)
{
  size_t i;

  for(i = 0; i < s->n; i++) {
    if(strcmp(s->factor[i], name) != 0)
      continue;
    if(fabs(s->contribution[i] - contribution) > 1e-9)
      fail_msg("factor %s: contribution %.12g, expected %.12g", name,
               s->contribution[i], contribution);
    assert_string_equal(s->detail[i], detail);
    return;
  }
  fail_msg("no factor %s", name);
}

/* The contributions add up to the value. */
static inline void li_sum_is(const li_score *s)
{
  double sum = 0;
  size_t i;

  for(i = 0; i < s->n; i++)
    sum += s->contribution[i];
  if(fabs(sum - s->value) > 1e-9)
    fail_msg("factors add up to %.12g, the value is %.12g", sum, s->value);
}

/* Warning lines of the plugin. */
typedef struct li_log {
  char text[32][256];
  int n;
} li_log;

static inline void li_log_cb(void *ud, int level, const char *source,
                             const char *msg)
{
  li_log *l = ud;

  if(level > CRM_LOG_WARN || !strstr(source, "loyalty_index"))
    return;
  if(l->n < 32)
    snprintf(l->text[l->n], sizeof(l->text[0]), "%s", msg);
  l->n++;
}

#endif
