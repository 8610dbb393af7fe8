/*
 * triage.c - the `triage` complaint component (SDK 1.5): classifies a new
 * case into a category and a priority from the customer's words and the
 * customer's value, and says why. A triage component has classify and
 * train and no states: the core runs it before the case's handler and
 * keeps what the caller gave (docs/complaints/plugins.md).
 *
 * Built only against crm/sdk.h, as any out-of-tree plugin is.
 *
 * Category (a case the caller gave one keeps it):
 *   1. keywords: each category of `categories` (in that order) has a list
 *      of keywords (matching as in triage_text.h); the category with the
 *      most distinct keywords found wins, ties going to the earlier one.
 *      Reason "keywords: late, parcel".
 *   2. else naive Bayes (triage_nb.h) learned by train from the closed
 *      cases, used when it learned from at least min_cases cases, the
 *      text has a word it knows, and the best posterior p reaches
 *      min_confidence. Reason "bayes: delivery p=0.91 over 120 cases".
 *   3. else "other", the reason saying why the model did not decide.
 * Priority: the category's (config group `priority`, defaults quality 2,
 * delivery 2, billing 2, service 3, other 4, any other 3), then one level
 * higher (number - 1, at least 1) for a high-value customer (the
 * clv_model's "clv" score >= high_value, minor units; high_value 0: off)
 * or one at risk (lifecycle stage at_risk, or the churn_model's "risk"
 * score >= churn_risk; churn_risk 0: stage only), with the reason
 * "customer at risk: priority 3 -> 2".
 *
 * The model lives in the plugin kv (a compact text form split across
 * keys of at most TRI_PART_MAX bytes):
 *   nb:meta  "v1 gen=<n> cases=<n> vocab=<n> cats=<n> parts=<n> bytes=<n>"
 *   nb:<i>   the i-th part of the text form
 * and is cached in the state: classify reads nb:meta once and reloads
 * the parts when it differs from the cached one (a training rolled back
 * with its transaction leaves the old meta, whose generation differs).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "crm/sdk.h"

#include "triage_store.h"

/* ---- lifecycle -------------------------------------------------------------- */

static int tri_init(const crm_host_api *api, crm_host_ctx *ctx, void **state)
{
  struct tri_state *st;
  int rc;

  if(!CRM_HAS_MEMBER(api, crm_host_api, cases_walk) || !api->cases_walk ||
     !api->score_get || !api->figure_put || !api->customer_get)
    return api->set_error(ctx, CRM_ENOTSUP, "host has no cases_walk "
                          "(core sdk %u.%u, triage needs 1.5)",
                          (unsigned)api->abi_major, (unsigned)api->abi_minor);
  st = api->alloc(ctx, sizeof(*st));
  if(!st)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  memset(st, 0, sizeof(*st));
  st->api = api;
  rc = tri_read_config(api, ctx, &st->cfg);
  if(rc) {
    api->free(ctx, st);
    return rc;
  }
  *state = st;
  return CRM_OK;
}

static void tri_fini(void *state, crm_host_ctx *ctx)
{
  struct tri_state *st = state;

  if(!st)
    return;
  tri_model_free(st->api, ctx, &st->model);
  st->api->free(ctx, st);
}

static int tri_reconfigure(void *state, crm_host_ctx *ctx)
{
  struct tri_state *st = state;
  struct tri_cfg *cfg;
  int rc;

  cfg = st->api->alloc(ctx, sizeof(*cfg));
  if(!cfg)
    return st->api->set_error(ctx, CRM_ENOMEM, "out of memory");
  rc = tri_read_config(st->api, ctx, cfg);
  if(!rc)
    st->cfg = *cfg; /* else the old settings stay */
  st->api->free(ctx, cfg);
  return rc;
}

/* ---- train ------------------------------------------------------------------- */

struct tri_train {
  struct tri_state *st;
  crm_host_ctx *ctx;
  struct tri_model *m;
  int64_t as_of;
  int64_t skipped; /* closed cases left out: no category, too many */
  int64_t seen;
};

static int tri_train_case(void *ud, const crm_case_view *c)
{
  struct tri_train *t = ud;
  const char *cat = c->category;
  long k;
  int rc;

  if(c->closed_at > t->as_of)
    return 0;
  t->seen++;
  if((t->seen & 255) == 0) {
    rc = t->st->api->progress(t->ctx, t->seen, 0);
    if(rc)
      return rc;
  }
  k = cat && *cat ? tri_cat_add(t->m, cat) : -1;
  if(k < 0) {
    t->skipped++;
    return 0;
  }
  return tri_model_add_doc(t->st->api, t->ctx, t->m, (size_t)k,
                           c->customer_text ? c->customer_text : c->summary);
}

/* Stores m (text form, meta, figures) after a walk. */
static int tri_train_store(struct tri_state *st, crm_host_ctx *ctx,
                           struct tri_model *m, char *meta_out)
{
  const crm_host_api *api = st->api;
  struct tri_buf b = {NULL, 0, 0};
  struct tri_meta old;
  char *meta = NULL;
  int64_t parts = 0;
  int rc;

  memset(&old, 0, sizeof(old));
  rc = api->kv_get(ctx, "nb:meta", &meta);
  if(rc == CRM_OK && tri_meta_parse(meta, &old))
    memset(&old, 0, sizeof(old)); /* a damaged meta is replaced */
  if(rc == CRM_ENOTFOUND)
    rc = CRM_OK;
  api->free(ctx, meta);
  if(!rc)
    rc = tri_model_dump(api, ctx, m, &b);
  if(!rc)
    rc = tri_parts_write(st, ctx, b.s ? b.s : (char *)"", b.len, old.parts,
                         &parts);
  if(!rc) {
    snprintf(meta_out, TRI_META_MAX, "v1 gen=%lld cases=%lld vocab=%lld "
             "cats=%lld parts=%lld bytes=%lld", (long long)old.gen + 1,
             (long long)m->n_docs, (long long)m->n_words, (long long)m->k,
             (long long)parts, (long long)b.len);
    rc = api->kv_put(ctx, "nb:meta", meta_out);
  }
  api->free(ctx, b.s);
  if(!rc)
    rc = api->figure_put(ctx, "trained_cases", (double)m->n_docs, NULL);
  if(!rc)
    rc = api->figure_put(ctx, "vocabulary", (double)m->n_words,
                         m->full ? "full" : NULL);
  if(!rc)
    rc = api->figure_put(ctx, "categories", (double)m->k, NULL);
  return rc;
}

static int tri_train(void *state, crm_host_ctx *ctx,
                     const crm_fit_request *req)
{
  struct tri_state *st = state;
  struct tri_model *m;
  struct tri_train t;
  crm_case_filter f;
  char meta[TRI_META_MAX];
  int rc;

  m = st->api->alloc(ctx, sizeof(*m));
  if(!m)
    return st->api->set_error(ctx, CRM_ENOMEM, "out of memory");
  memset(m, 0, sizeof(*m));
  memset(&t, 0, sizeof(t));
  t.st = st;
  t.ctx = ctx;
  t.m = m;
  t.as_of = req->as_of;
  memset(&f, 0, sizeof(f));
  f.struct_size = sizeof(f);
  f.flags = CRM_CASES_CLOSED;
  f.until = req->as_of + 1; /* opened at or before as_of */
  rc = st->api->cases_walk(ctx, &f, tri_train_case, &t);
  if(!rc)
    rc = tri_train_store(st, ctx, m, meta);
  if(!rc) {
    st->api->log(ctx, CRM_LOG_INFO, "trained on %lld closed cases (%lld "
                 "left out), %zu words, %zu categories",
                 (long long)m->n_docs, (long long)t.skipped, m->n_words,
                 m->k);
    tri_model_free(st->api, ctx, &st->model);
    st->model = *m;
    memcpy(st->meta, meta, strlen(meta) + 1);
  } else {
    tri_model_free(st->api, ctx, m);
  }
  st->api->free(ctx, m);
  return rc;
}

/* ---- classify ----------------------------------------------------------------- */

/* Drops a UTF-8 character that a cut at the end of s left incomplete
 * (snprintf cuts at a byte count; keywords may be non-ASCII). */
static void tri_utf8_trim(char *s)
{
  size_t len = strlen(s);
  size_t j = len;
  unsigned char lead;
  size_t need;

  while(j > 0 && ((unsigned char)s[j - 1] & 0xC0) == 0x80)
    j--;
  if(j == 0)
    return;
  lead = (unsigned char)s[j - 1];
  if(lead < 0x80)
    return;
  need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
  if(len - (j - 1) < need)
    s[j - 1] = '\0';
}

/* The category with the most distinct keywords in text; -1 none. The
 * matched keywords go to why ("keywords: late, parcel"), cut on a
 * character boundary. */
static long tri_by_keywords(const struct tri_cfg *cfg, const char *text,
                            char *why, size_t size)
{
  long best = -1;
  size_t best_n = 0;
  size_t i, k;

  for(i = 0; i < cfg->n_cats; i++) {
    size_t n = 0;

    for(k = 0; k < cfg->cats[i].n_kw; k++)
      n += tri_has_keyword(text, cfg->cats[i].kw[k]) != 0;
    if(n > best_n) {
      best_n = n;
      best = (long)i;
    }
  }
  if(best >= 0) {
    size_t len = (size_t)snprintf(why, size, "keywords:");
    const char *sep = " ";

    for(k = 0; k < cfg->cats[best].n_kw && len < size; k++) {
      if(!tri_has_keyword(text, cfg->cats[best].kw[k]))
        continue;
      len += (size_t)snprintf(why + len, size - len, "%s%s", sep,
                              cfg->cats[best].kw[k]);
      sep = ", ";
    }
    tri_utf8_trim(why);
  }
  return best;
}

/* Category by the model, or "other"; the reason in why. */
static void tri_by_bayes(struct tri_state *st, const char *text, char *cat,
                         size_t cat_size, char *why, size_t size)
{
  const struct tri_model *m = &st->model;
  const struct tri_cfg *cfg = &st->cfg;
  int64_t known;
  double p;
  long best;

  snprintf(cat, cat_size, "other");
  if(m->n_docs < cfg->min_cases) {
    snprintf(why, size, "no keyword; bayes not trained (%lld of %lld "
             "closed cases)", (long long)m->n_docs,
             (long long)cfg->min_cases);
    return;
  }
  best = tri_model_classify(m, text, &p, &known);
  if(best < 0 || !known) {
    snprintf(why, size, "no keyword; bayes knows no word of the text");
    return;
  }
  if(p < cfg->min_confidence) {
    snprintf(why, size, "no keyword; bayes unsure: %s p=%.2f below %.2f "
             "over %lld cases", m->cat[best], p, cfg->min_confidence,
             (long long)m->n_docs);
    return;
  }
  snprintf(cat, cat_size, "%s", m->cat[best]);
  snprintf(why, size, "bayes: %s p=%.2f over %lld cases", m->cat[best], p,
           (long long)m->n_docs);
}

/* The standard category's default (any letter case, as basic_case) or
 * CM_DEFAULT_PRIORITY, then priority.<cat> when set. */
static int tri_priority_of(struct tri_state *st, crm_host_ctx *ctx,
                           const char *cat)
{
  int i = cm_category_index(cat);

  return cm_priority_setting(st->api, ctx, cat, NULL,
                             i >= 0 ? cm_categories[i].priority
                                    : CM_DEFAULT_PRIORITY);
}

/* 1 high value, 2 at risk, 3 both; 0 neither. */
static int tri_customer_flags(struct tri_state *st, crm_host_ctx *ctx,
                              int64_t customer_id)
{
  const struct tri_cfg *cfg = &st->cfg;
  crm_customer_view cv;
  double v;
  int flags = 0;

  if(cfg->high_value > 0 &&
     st->api->score_get(ctx, customer_id, cfg->clv_model, "clv", &v) ==
         CRM_OK && v >= (double)cfg->high_value)
    flags |= 1;
  memset(&cv, 0, sizeof(cv));
  cv.struct_size = sizeof(cv);
  if(st->api->customer_get(ctx, customer_id, &cv) == CRM_OK &&
     cv.stage == CRM_STAGE_AT_RISK)
    flags |= 2;
  if(!(flags & 2) && cfg->churn_risk > 0 &&
     st->api->score_get(ctx, customer_id, cfg->churn_model, "risk", &v) ==
         CRM_OK && v >= cfg->churn_risk)
    flags |= 2;
  return flags;
}

static void tri_reason_add(char *reason, size_t size, const char *s)
{
  size_t len = strlen(reason);

  if(!*s || len + 1 >= size)
    return;
  snprintf(reason + len, size - len, "%s%s", len ? "; " : "", s);
  tri_utf8_trim(reason);
}

static int tri_classify(void *state, crm_host_ctx *ctx,
                        const crm_case_view *c, crm_case_decision *out)
{
  static const char *const who[] = {"", "high-value customer",
                                    "customer at risk",
                                    "high-value customer at risk"};
  struct tri_state *st = state;
  const char *text = c->summary;
  char cat[TRI_CAT_MAX + 1];
  char why[256];
  int prio, flags;
  long k;
  int rc;

  if(CRM_HAS_MEMBER(c, crm_case_view, customer_text) && c->customer_text)
    text = c->customer_text;
  why[0] = '\0';
  if(c->category && *c->category) {
    snprintf(cat, sizeof(cat), "%s", c->category);
  } else {
    k = tri_by_keywords(&st->cfg, text, why, sizeof(why));
    if(k >= 0) {
      snprintf(cat, sizeof(cat), "%s", st->cfg.cats[k].name);
    } else {
      rc = tri_model_load(st, ctx);
      if(rc)
        return rc;
      tri_by_bayes(st, text, cat, sizeof(cat), why, sizeof(why));
    }
    snprintf(out->category, sizeof(out->category), "%s", cat);
  }
  tri_reason_add(out->reason, sizeof(out->reason), why);
  prio = tri_priority_of(st, ctx, cat);
  flags = tri_customer_flags(st, ctx, c->customer_id);
  if(flags && prio > 1) {
    snprintf(why, sizeof(why), "%s: priority %d -> %d", who[flags], prio,
             prio - 1);
    tri_reason_add(out->reason, sizeof(out->reason), why);
    prio--;
  }
  out->priority = prio;
  return CRM_OK;
}

static const crm_complaint_v1 tri_vtable = {
  .struct_size = sizeof(crm_complaint_v1),
  .classify = tri_classify,
  .train = tri_train,
};

static const crm_component tri_component = {
  .struct_size = sizeof(crm_component),
  .kind = CRM_KIND_COMPLAINT,
  .name = "triage",
  .description = "category and priority of new cases: keywords, naive "
                 "Bayes on closed cases, the customer's value",
  .vtable = &tri_vtable,
};

static const crm_component *const tri_components[] = {&tri_component};

static const crm_plugin_desc tri_desc = {
  CRM_PLUGIN_DESC_HEADER,
  .name = "triage",
  .version = "1.5.0",
  .vendor = "crmcore",
  .license = "MIT",
  .description = "Complaint triage: keywords, naive Bayes, customer value",
  .components = tri_components,
  .n_components = 1,
  .init = tri_init,
  .fini = tri_fini,
  .reconfigure = tri_reconfigure,
};

CRM_PLUGIN_DEFINE(tri_desc)
