/*
 * loyalty_index.c - the `loyalty_index` scoring component (SDK 1.3): the
 * parts of a customer's loyalty, each 0..100, and their weighted mean.
 *
 * Built only against crm/sdk.h, as any out-of-tree plugin is. Full
 * description with examples: docs/scoring/loyalty_index.md.
 *
 * Events read (host->events_walk, types purchase, refund, cancel, survey,
 * nps, referral, occurred_at <= as_of):
 *   satisfaction  "survey" {"score": N, "scale": 5|10} (scale default 5,
 *                 score 1..scale): each answer mapped to
 *                 (score - 1) / (scale - 1) * 100; the mean over the
 *                 answers of the last survey_window_days, else (with
 *                 survey_fallback) the last answer; unknown without one.
 *   recommend     the latest "nps" {"score": 0..10} (whole number):
 *                 nps_mapping "grouped" (promoter 9-10 -> 100, passive
 *                 7-8 -> 50, detractor 0-6 -> 0) or "linear" (score x 10).
 *   repeat        d = distinct UTC purchase days in the last
 *                 repeat_window_days, b = repeat_buyer_share:
 *                 100 x ((1 - b) x min(1, d / repeat_target_days)
 *                 + b x [2+ purchase days ever]); unknown without a
 *                 purchase. A purchase named by a cancel, by a refund of
 *                 amount 0, or by refunds adding up to its amount
 *                 (refund_of) does not count.
 *   referral      "referral" events of the customer: referral_scores[n]
 *                 (the last entry for more); known for every customer
 *                 scored.
 *   switching     mean of what is known of: tenure (first purchase to
 *                 as_of in years of 365.25 days, 100 at tenure_full_years,
 *                 linear) and the customer attribute "share_of_wallet"
 *                 (a fraction 0..1, or a percentage with %: "35%";
 *                 anything else is invalid and leaves it unknown).
 * A customer is scored when satisfaction, recommend or repeat is known or
 * they made a referral. Invalid survey/NPS payloads are logged (warning)
 * and ignored: they never fail an ingest or a run.
 *
 * index = sum over the known parts of weight / (sum of the known parts'
 * weights) x part: unknown parts are left out, not counted as 0. Its
 * explanation has one factor per part (contribution = renormalised
 * weight x part, so the factors add up to the index; an unknown part
 * contributes 0 with the detail "unknown, weight given to the other
 * parts"); label "loyal" (>= bands.loyal), "neutral" (>= bands.neutral)
 * or "at risk". Each known part is stored as its own score as well.
 *
 * Company figures (batch and fit only; score_event updates one customer):
 * customers, nps_answers, promoters, passives, detractors, nps (%
 * promoters - % detractors of the latest answers, -100..100),
 * repeat_rate (2+ purchase days / 1+), referral_rate (buyers with a
 * referral / buyers).
 *
 * Memory: one walk per run, the customer's sums reset in place; the only
 * buffer that grows is the purchase list (doubling, kept in the state).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/sdk.h"

#include "loyalty_index_cfg.h"
#include "loyalty_index_events.h"
#include "loyalty_index_parts.h"

#define LI_TYPES "purchase,refund,cancel,survey,nps,referral"
#define LI_STOP 1 /* the walk callback's "stop": st->rc says why */
#define LI_PROGRESS_EVERY 1024

/* ---- writing one customer's scores ----------------------------------- */

static int li_write(struct li_state *st, const char *name, double value,
                    const char *label, const crm_score_factor *f,
                    uint32_t n)
{
  crm_score_value sv;

  memset(&sv, 0, sizeof(sv));
  sv.struct_size = sizeof(sv);
  sv.name = name;
  sv.value = value;
  sv.label = label;
  sv.factors = n ? f : NULL;
  sv.n_factors = n;
  return st->api->score_write(st->ctx, st->acc.customer_id, &sv);
}

static void li_factor(crm_score_factor *f, const char *name, double c,
                      const char *detail)
{
  memset(f, 0, sizeof(*f));
  f->struct_size = sizeof(*f);
  f->factor = name;
  f->contribution = c;
  f->detail = detail;
}

static int li_write_repeat(struct li_state *st, const struct li_parts *p)
{
  crm_score_factor f[2];

  snprintf(st->sub[0], LI_DETAIL, "%lld of %lld days",
           (long long)p->days_window,
           (long long)st->cfg.repeat_target_days);
  snprintf(st->sub[1], LI_DETAIL, "%lld purchase day%s in all",
           (long long)p->days_total, p->days_total == 1 ? "" : "s");
  li_factor(&f[0], "purchase_days", p->recent, st->sub[0]);
  li_factor(&f[1], "repeat_buyer", p->buyer, st->sub[1]);
  return li_write(st, "repeat", p->v[LI_REP], st->detail[LI_REP], f, 2);
}

static int li_write_switching(struct li_state *st, const struct li_parts *p)
{
  crm_score_factor f[2];
  uint32_t n = 0;
  int k = p->has_tenure + p->has_sow;

  if(p->has_tenure) {
    snprintf(st->sub[0], LI_DETAIL, "%.1f years of %g", p->tenure_years,
             st->cfg.tenure_full_years);
    li_factor(&f[n++], "tenure", p->tenure_v / k, st->sub[0]);
  }
  if(p->has_sow) {
    snprintf(st->sub[1], LI_DETAIL, "%.0f%%", p->sow);
    li_factor(&f[n++], "share_of_wallet", p->sow / k, st->sub[1]);
  }
  return li_write(st, "switching", p->v[LI_SW], st->detail[LI_SW], f, n);
}

static const char *li_band(const struct li_cfg *cfg, double index)
{
  if(index >= cfg->band_loyal)
    return "loyal";
  if(index >= cfg->band_neutral)
    return "neutral";
  return "at risk";
}

static int li_write_index(struct li_state *st, const struct li_parts *p)
{
  crm_score_factor f[LI_NPARTS];
  int i;

  for(i = 0; i < LI_NPARTS; i++)
    li_factor(&f[i], li_part_names[i], p->contrib[i], st->detail[i]);
  return li_write(st, "index", p->index, li_band(&st->cfg, p->index), f,
                  LI_NPARTS);
}

static int li_write_all(struct li_state *st, const struct li_parts *p)
{
  int rc = CRM_OK;

  if(p->has_index)
    rc = li_write_index(st, p);
  if(!rc && p->known[LI_SAT])
    rc = li_write(st, "satisfaction", p->v[LI_SAT], st->detail[LI_SAT],
                  NULL, 0);
  if(!rc && p->known[LI_REC])
    rc = li_write(st, "recommend", p->v[LI_REC], st->detail[LI_REC], NULL,
                  0);
  if(!rc && p->known[LI_REP])
    rc = li_write_repeat(st, p);
  if(!rc && p->known[LI_REF])
    rc = li_write(st, "referral", p->v[LI_REF], st->detail[LI_REF], NULL,
                  0);
  if(!rc && p->known[LI_SW])
    rc = li_write_switching(st, p);
  return rc;
}

/* ---- one customer done ------------------------------------------------ */

static void li_figs_add(struct li_state *st, const struct li_parts *p)
{
  struct li_figs *g = &st->figs;

  g->customers++;
  if(st->acc.has_nps) {
    g->nps_answers++;
    if(st->acc.nps_score >= 9)
      g->promoters++;
    else if(st->acc.nps_score >= 7)
      g->passives++;
    else
      g->detractors++;
  }
  if(p->days_total >= 1) {
    g->buyers++;
    if(p->days_total >= 2)
      g->repeaters++;
    if(st->acc.referrals > 0)
      g->referrers++;
  }
}

static int li_finish(struct li_state *st)
{
  struct li_parts p;
  int rc = CRM_OK;

  if(!st->acc.customer_id || st->acc.skip)
    return CRM_OK;
  li_parts_compute(st, &p);
  if(!p.scored)
    return CRM_OK;
  li_figs_add(st, &p);
  if(st->write_scores)
    rc = li_write_all(st, &p);
  if(!rc && st->fit && st->figs.customers % LI_PROGRESS_EVERY == 0)
    rc = st->api->progress(st->ctx, st->figs.customers, 0);
  return rc;
}

/* ---- the walk --------------------------------------------------------- */

/* Is id in the batch's population? (ids ascend in the walk and pop.) */
static int li_pop_has(struct li_state *st, int64_t id)
{
  if(!st->pop)
    return 1;
  while(st->pop_pos < st->n_pop && st->pop[st->pop_pos] < id)
    st->pop_pos++;
  return st->pop_pos < st->n_pop && st->pop[st->pop_pos] == id;
}

static void li_acc_reset(struct li_state *st, int64_t id)
{
  memset(&st->acc, 0, sizeof(st->acc));
  st->acc.customer_id = id;
  st->acc.skip = id ? !li_pop_has(st, id) : 0;
}

static int li_walk_cb(void *ud, const crm_event_view *ev)
{
  struct li_state *st = ud;
  int rc;

  if(ev->customer_id != st->acc.customer_id) {
    rc = li_finish(st);
    if(rc) {
      st->rc = rc;
      return LI_STOP;
    }
    li_acc_reset(st, ev->customer_id);
  }
  if(st->acc.skip)
    return 0;
  rc = li_add_event(st, ev);
  if(rc) {
    st->rc = rc;
    return LI_STOP;
  }
  return 0;
}

/* Walks the events of one customer (customer_id) or all (0) up to as_of
 * and scores each customer at the end of their events. */
static int li_run(struct li_state *st, crm_host_ctx *ctx, int64_t customer_id,
                  int64_t as_of)
{
  crm_event_filter f;
  int rc;

  memset(&f, 0, sizeof(f));
  f.struct_size = sizeof(f);
  f.customer_id = customer_id;
  f.types = LI_TYPES;
  f.until = as_of < INT64_MAX ? as_of + 1 : 0;
  st->ctx = ctx;
  st->as_of = as_of;
  st->rc = CRM_OK;
  st->n_invalid = 0;
  st->pop_pos = 0;
  memset(&st->figs, 0, sizeof(st->figs));
  li_acc_reset(st, 0);
  rc = st->api->events_walk(ctx, &f, li_walk_cb, st);
  if(rc == LI_STOP && st->rc)
    return st->rc;
  if(rc)
    return rc;
  rc = li_finish(st);
  li_acc_reset(st, 0);
  if(!rc && st->log_event_id == 0 && st->n_invalid > LI_LOG_MAX)
    st->api->log(ctx, CRM_LOG_WARN, "%lld invalid survey or nps events "
                 "ignored in all (%d logged)", (long long)st->n_invalid,
                 LI_LOG_MAX);
  return rc;
}

/* ---- company figures --------------------------------------------------- */

static double li_ratio(int64_t a, int64_t b)
{
  return b > 0 ? (double)a / (double)b : 0;
}

static int li_put_figures(struct li_state *st)
{
  const crm_host_api *api = st->api;
  const struct li_figs *g = &st->figs;
  crm_host_ctx *ctx = st->ctx;
  char lbl[160];
  double nps = 100.0 * li_ratio(g->promoters - g->detractors, g->nps_answers);
  double rr = li_ratio(g->repeaters, g->buyers);
  double fr = li_ratio(g->referrers, g->buyers);
  int rc;

  rc = api->figure_put(ctx, "customers", (double)g->customers, NULL);
  if(!rc)
    rc = api->figure_put(ctx, "nps_answers", (double)g->nps_answers, NULL);
  if(!rc)
    rc = api->figure_put(ctx, "promoters", (double)g->promoters, NULL);
  if(!rc)
    rc = api->figure_put(ctx, "passives", (double)g->passives, NULL);
  if(!rc)
    rc = api->figure_put(ctx, "detractors", (double)g->detractors, NULL);
  if(rc)
    return rc;
  snprintf(lbl, sizeof(lbl), "%.1f (%lld promoter%s, %lld passive%s, %lld "
           "detractor%s)", nps, (long long)g->promoters,
           g->promoters == 1 ? "" : "s", (long long)g->passives,
           g->passives == 1 ? "" : "s", (long long)g->detractors,
           g->detractors == 1 ? "" : "s");
  rc = api->figure_put(ctx, "nps", nps,
                       g->nps_answers ? lbl : "no NPS answers");
  if(rc)
    return rc;
  snprintf(lbl, sizeof(lbl), "%.1f%% (%lld of %lld buyer%s)", rr * 100,
           (long long)g->repeaters, (long long)g->buyers,
           g->buyers == 1 ? "" : "s");
  rc = api->figure_put(ctx, "repeat_rate", rr, g->buyers ? lbl : "no buyers");
  if(rc)
    return rc;
  snprintf(lbl, sizeof(lbl), "%.1f%% (%lld of %lld buyer%s)", fr * 100,
           (long long)g->referrers, (long long)g->buyers,
           g->buyers == 1 ? "" : "s");
  return api->figure_put(ctx, "referral_rate", fr,
                         g->buyers ? lbl : "no buyers");
}

/* ---- the population of a batch ------------------------------------------ */

static int li_cmp_i64(const void *a, const void *b)
{
  int64_t x = *(const int64_t *)a;
  int64_t y = *(const int64_t *)b;

  return (x > y) - (x < y);
}

/* The population's ids, ascending, in one host allocation per batch. */
static int li_pop_load(struct li_state *st, crm_host_ctx *ctx,
                       const crm_customer_view *const *customers, size_t n)
{
  size_t i, k = 0;
  int sorted = 1;

  if(n > SIZE_MAX / sizeof(int64_t))
    return st->api->set_error(ctx, CRM_ENOMEM, "population too large");
  st->pop_buf = st->api->alloc(ctx, (n ? n : 1) * sizeof(int64_t));
  if(!st->pop_buf)
    return st->api->set_error(ctx, CRM_ENOMEM, "out of memory");
  for(i = 0; i < n; i++) {
    if(!customers[i])
      continue;
    st->pop_buf[k] = customers[i]->customer_id;
    if(k > 0 && st->pop_buf[k] <= st->pop_buf[k - 1])
      sorted = 0;
    k++;
  }
  if(!sorted)
    qsort(st->pop_buf, k, sizeof(int64_t), li_cmp_i64);
  st->pop = st->pop_buf;
  st->n_pop = k;
  return CRM_OK;
}

static void li_pop_free(struct li_state *st, crm_host_ctx *ctx)
{
  st->api->free(ctx, st->pop_buf);
  st->pop_buf = NULL;
  st->pop = NULL;
  st->n_pop = 0;
}

/* ---- callbacks ------------------------------------------------------------ */

static int li_init(const crm_host_api *api, crm_host_ctx *ctx, void **state)
{
  struct li_state *st;
  struct li_cfg cfg;
  int rc;

  if(!CRM_HAS_MEMBER(api, crm_host_api, score_get))
    return api->set_error(ctx, CRM_ENOTSUP,
                          "host has no score_write or events_walk (core sdk "
                          "%u.%u, loyalty_index needs 1.3)", api->abi_major,
                          api->abi_minor);
  rc = li_cfg_read(api, ctx, &cfg);
  if(rc)
    return rc;
  st = api->alloc(ctx, sizeof(*st));
  if(!st)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  memset(st, 0, sizeof(*st));
  st->api = api;
  st->cfg = cfg;
  st->ctx = ctx;
  rc = li_purch_grow(st);
  if(rc) {
    api->free(ctx, st);
    return rc;
  }
  *state = st;
  return CRM_OK;
}

static void li_fini(void *state, crm_host_ctx *ctx)
{
  struct li_state *st = state;

  if(!st)
    return;
  st->api->free(ctx, st->purch);
  st->api->free(ctx, st);
}

static int li_reconfigure(void *state, crm_host_ctx *ctx)
{
  struct li_state *st = state;
  struct li_cfg cfg;
  int rc;

  rc = li_cfg_read(st->api, ctx, &cfg);
  if(rc)
    return rc; /* the old settings stay */
  st->cfg = cfg;
  return CRM_OK;
}

static int li_score_batch(void *state, crm_host_ctx *ctx,
                          const crm_customer_view *const *customers,
                          size_t n, int64_t as_of)
{
  struct li_state *st = state;
  int rc;

  rc = li_pop_load(st, ctx, customers, n);
  if(rc)
    return rc;
  st->write_scores = 1;
  st->fit = 0;
  st->log_event_id = 0;
  rc = li_run(st, ctx, 0, as_of);
  li_pop_free(st, ctx);
  if(!rc)
    rc = li_put_figures(st);
  return rc;
}

/* The index learns nothing: a fit is the company figures over every
 * customer, and with CRM_FIT_SCORE their scores, with progress. */
static int li_fit(void *state, crm_host_ctx *ctx, const crm_fit_request *req)
{
  struct li_state *st = state;
  uint32_t flags = CRM_HAS_MEMBER(req, crm_fit_request, flags) ? req->flags
                                                               : 0;
  int rc;

  st->write_scores = (flags & CRM_FIT_SCORE) != 0;
  st->fit = 1;
  st->log_event_id = 0;
  rc = li_run(st, ctx, 0, req->as_of);
  st->fit = 0;
  if(!rc)
    rc = st->api->progress(ctx, st->figs.customers, st->figs.customers);
  if(!rc)
    rc = li_put_figures(st);
  return rc;
}

static int li_relevant(const char *type)
{
  static const char *const types[] = {"purchase", "refund", "cancel",
                                      "survey",   "nps",    "referral"};
  size_t i;

  for(i = 0; type && i < sizeof(types) / sizeof(types[0]); i++) {
    if(!strcmp(type, types[i]))
      return 1;
  }
  return 0;
}

/* One customer again (their events are re-read: a customer has few);
 * company figures are left to batch and fit. */
static int li_score_event(void *state, crm_host_ctx *ctx,
                          const crm_event_view *ev,
                          const crm_customer_view *customer, int64_t as_of)
{
  struct li_state *st = state;
  int64_t id = customer ? customer->customer_id : ev ? ev->customer_id : 0;

  if((ev && !li_relevant(ev->type)) || id <= 0)
    return CRM_OK;
  st->write_scores = 1;
  st->fit = 0;
  st->log_event_id = ev ? ev->event_id : -1;
  return li_run(st, ctx, id, as_of);
}

static const crm_scoring_v1 li_vtable = {
  .struct_size = sizeof(crm_scoring_v1),
  .score_batch = li_score_batch,
  .fit = li_fit,
  .score_event = li_score_event,
};

static const crm_component li_component = {
  .struct_size = sizeof(crm_component),
  .kind = CRM_KIND_SCORING,
  .name = "loyalty_index",
  .description = "loyalty index: satisfaction, recommendation (NPS), "
                 "repeat purchase, referrals, resistance to switching",
  .vtable = &li_vtable,
};

static const crm_component *const li_components[] = {&li_component};

static const crm_plugin_desc li_desc = {
  CRM_PLUGIN_DESC_HEADER,
  .name = "loyalty_index",
  .version = "1.0.0",
  .vendor = "crmcore",
  .license = "MIT",
  .description = "loyalty index with company NPS, repeat and referral rates",
  .components = li_components,
  .n_components = 1,
  .init = li_init,
  .fini = li_fini,
  .reconfigure = li_reconfigure,
};

CRM_PLUGIN_DEFINE(li_desc)
