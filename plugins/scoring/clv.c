/*
 * clv.c - the `clv` scoring component: customer lifetime value from the
 * BG/NBD (or Pareto/NBD) model of repeat purchasing and the Gamma-Gamma
 * model of spend, fitted by maximum likelihood on the store's purchase
 * events (docs/scoring/clv.md).
 *
 * Built only against crm/sdk.h (1.3: fit, score_event, score_write,
 * events_walk, figures); the model maths is btyd.c, compiled in.
 *
 *   fit          clv_fit.c: summaries, the fits, the figures, and with
 *                CRM_FIT_SCORE every customer's scores
 *   score_batch  clv_score.c: the given customers with the stored figures
 *   score_event  clv_score.c: one customer after a purchase, refund or
 *                cancel (or when the core asks), from its own events
 *
 * Scores per customer: expected_purchases (next forecast_period time
 * units), p_alive, expected_spend (minor units per purchase) and clv
 * (minor units over clv.horizon_months, discounted), each with its
 * explanation (base, age, frequency, recency, spend).
 */
#include <string.h>

#include "clv_int.h"

static int clv_host_ok(const crm_host_api *api, crm_host_ctx *ctx)
{
  if(!CRM_HAS_MEMBER(api, crm_host_api, score_get) || !api->score_write ||
     !api->events_walk || !api->progress || !api->figure_put ||
     !api->figure_get)
    return api->set_error(ctx, CRM_ENOTSUP,
                          "host has no score_write, events_walk or figures "
                          "(core sdk %u.%u, clv needs 1.3)",
                          api->abi_major, api->abi_minor);
  return CRM_OK;
}

static int clv_init(const crm_host_api *api, crm_host_ctx *ctx, void **state)
{
  struct clv_state *st;
  struct clv_config cfg;
  int rc;

  rc = clv_host_ok(api, ctx);
  if(!rc)
    rc = clv_config_read(api, ctx, &cfg);
  if(rc)
    return rc;
  st = api->alloc(ctx, sizeof(*st));
  if(!st)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  memset(st, 0, sizeof(*st));
  st->days = api->alloc(ctx, CLV_DAYS_CAP * sizeof(*st->days));
  st->cache = api->alloc(ctx, CLV_CACHE_SIZE * sizeof(*st->cache));
  if(!st->days || !st->cache) {
    api->free(ctx, st->days);
    api->free(ctx, st->cache);
    api->free(ctx, st);
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  }
  memset(st->cache, 0, CLV_CACHE_SIZE * sizeof(*st->cache));
  st->gen = 1;
  st->api = api;
  st->cfg = cfg;
  *state = st;
  return CRM_OK;
}

static void clv_fini(void *state, crm_host_ctx *ctx)
{
  struct clv_state *st = state;

  if(!st)
    return;
  st->api->free(ctx, st->days);
  st->api->free(ctx, st->cache);
  st->api->free(ctx, st);
}

static int clv_reconfigure(void *state, crm_host_ctx *ctx)
{
  struct clv_state *st = state;
  struct clv_config cfg;
  int rc;

  rc = clv_config_read(st->api, ctx, &cfg);
  if(rc)
    return rc; /* the old settings stay */
  st->cfg = cfg;
  st->par.valid = 0; /* derived horizons follow the new settings */
  st->warned_unfitted = 0;
  st->unusable = 0; /* the model may have changed: look again */
  return CRM_OK;
}

static const crm_scoring_v1 clv_vtable = {
  .struct_size = sizeof(crm_scoring_v1),
  .score_batch = clv_score_batch,
  .score_one = NULL,
  .fit = clv_fit,
  .score_event = clv_score_event,
};

static const crm_component clv_component = {
  .struct_size = sizeof(crm_component),
  .kind = CRM_KIND_SCORING,
  .name = "clv",
  .description = "customer lifetime value (BG/NBD or Pareto/NBD with "
                 "Gamma-Gamma spend)",
  .vtable = &clv_vtable,
};

static const crm_component *const clv_components[] = {&clv_component};

static const crm_plugin_desc clv_desc = {
  CRM_PLUGIN_DESC_HEADER,
  .name = "clv",
  .version = "1.0.0",
  .vendor = "crmcore",
  .license = "MIT",
  .description = "CLV scoring: BG/NBD, Pareto/NBD and Gamma-Gamma fitted "
                 "on purchase events",
  .components = clv_components,
  .n_components = 1,
  .init = clv_init,
  .fini = clv_fini,
  .reconfigure = clv_reconfigure,
};

CRM_PLUGIN_DEFINE(clv_desc)
