/*
 * lead.c - the `lead` scoring component: qualifies prospects (customers in
 * stage prospect, qualified or parked) with the MAN rule and a naive Bayes
 * model learned from won and lost prospects. See docs/scoring/lead.md.
 *
 * Scores (per prospect):
 *   man   0..1: weighted money, authority and need parts (customer
 *         attributes, overridden by what qualify events said);
 *         explanation money/authority/need, contribution = weight x part
 *   nb    P(won | fields) by naive Bayes with Laplace smoothing, once the
 *         table holds min_outcomes outcomes of both classes; explanation
 *         "prior" and one factor per field ("source=web") in log-odds
 *         units: they sum to logit(nb)
 *   lead  100 x (w_man man + w_nb nb) (100 x man without nb), label
 *         hot / warm / cold; explanation "man", "nb" in points
 * A customer who leaves the prospect stages keeps the last scores (the
 * host has no way to delete a score); they are no longer updated.
 *
 * The frequency table (lead_table.c) is updated in score_event when an
 * outcome arrives, inside the event's transaction, so it rolls back with
 * it; fit (lead_fit.c) rebuilds it from every stored outcome event.
 */
#include <stdio.h>
#include <string.h>

#include "lead.h"

#define LEAD_HAS(api, m) (CRM_HAS_MEMBER(api, crm_host_api, m) && (api)->m)

static int lead_init(const crm_host_api *api, crm_host_ctx *ctx,
                     void **state)
{
  struct lead_state *st;
  int rc;

  *state = NULL;
  if(!LEAD_HAS(api, score_get) || !LEAD_HAS(api, score_write) ||
     !LEAD_HAS(api, events_walk) || !LEAD_HAS(api, customer_attr) ||
     !LEAD_HAS(api, json_get) || !LEAD_HAS(api, customers_walk))
    return api->set_error(ctx, CRM_ENOTSUP, "host too old for lead (core "
                          "sdk %u.%u, lead needs 1.3)", api->abi_major,
                          api->abi_minor);
  st = api->alloc(ctx, sizeof(*st));
  if(!st)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  memset(st, 0, sizeof(*st));
  st->api = api;
  rc = lead_config_read(api, ctx, &st->cfg);
  if(!rc) {
    st->buf = api->alloc(ctx, LEAD_KV_MAX);
    if(!st->buf)
      rc = api->set_error(ctx, CRM_ENOMEM, "out of memory");
  }
  if(rc) {
    api->free(ctx, st);
    return rc;
  }
  *state = st;
  return CRM_OK;
}

static void lead_fini(void *state, crm_host_ctx *ctx)
{
  struct lead_state *st = state;

  if(!st)
    return;
  lead_table_free(st, ctx);
  st->api->free(ctx, st->buf);
  st->api->free(ctx, st);
}

static int lead_reconfigure(void *state, crm_host_ctx *ctx)
{
  struct lead_state *st = state;
  struct lead_cfg *c;
  int rc;

  c = st->api->alloc(ctx, sizeof(*c));
  if(!c)
    return st->api->set_error(ctx, CRM_ENOMEM, "out of memory");
  rc = lead_config_read(st->api, ctx, c);
  if(!rc) {
    st->cfg = *c; /* else the old settings stay */
    lead_table_free(st, ctx);
    lead_table_reset(st, ctx);
  }
  st->api->free(ctx, c);
  return rc;
}

/* The class an event makes of the customer, or -1. seen: the plugin saw
 * the customer as a prospect before (its record existed). */
static int lead_outcome_class(const struct lead_state *st,
                              const crm_event_view *ev,
                              const crm_customer_view *cv, int seen)
{
  if(lead_type_in(st->cfg.won, st->cfg.n_won, ev->type))
    return LEAD_WON;
  if(lead_type_in(st->cfg.lost, st->cfg.n_lost, ev->type))
    return LEAD_LOST;
  if(st->cfg.won_on_first_purchase && seen && cv->purchase_count == 1 &&
     !strcmp(ev->type, "purchase"))
    return LEAD_WON;
  return -1;
}

/* Updates the customer's record and counts an outcome. */
static int lead_on_event(struct lead_state *st, crm_host_ctx *ctx,
                         const crm_event_view *ev, const crm_customer_view *cv,
                         struct lead_man_rec *rec, int found)
{
  int changed = 0;
  int cls;
  int rc = CRM_OK;

  if(ev->type && !strcmp(ev->type, "qualify"))
    changed = lead_man_qualify(st, ctx, ev->payload, rec);
  if(lead_is_prospect(cv->stage) && (rec->stage != cv->stage || !found)) {
    rec->stage = cv->stage;
    changed = 1;
  }
  if(changed)
    rc = lead_man_put(st, ctx, cv->customer_id, rec);
  cls = ev->type ? lead_outcome_class(st, ev, cv, found) : -1;
  if(!rc && cls >= 0)
    rc = lead_outcome_apply(st, ctx, cv, rec, cls);
  return rc;
}

static int lead_score_event(void *state, crm_host_ctx *ctx,
                            const crm_event_view *ev,
                            const crm_customer_view *cv, int64_t as_of)
{
  struct lead_state *st = state;
  struct lead_man_rec rec;
  int prospect;
  int found = 0;
  int rc;

  (void)as_of;
  if(!cv)
    return CRM_OK;
  prospect = lead_is_prospect(cv->stage);
  if(!ev && !prospect)
    return CRM_OK;
  rc = lead_man_get(st, ctx, cv->customer_id, &rec, &found);
  if(!rc && ev)
    rc = lead_on_event(st, ctx, ev, cv, &rec, found);
  if(!rc && prospect)
    rc = lead_table_sync(st, ctx);
  if(!rc && prospect)
    rc = lead_score_customer(st, ctx, cv, &rec);
  return rc;
}

static int lead_score_batch(void *state, crm_host_ctx *ctx,
                            const crm_customer_view *const *customers,
                            size_t n, int64_t as_of)
{
  struct lead_state *st = state;
  struct lead_man_rec rec;
  size_t i;
  int found;
  int rc;

  (void)as_of;
  rc = lead_table_sync(st, ctx);
  for(i = 0; i < n && !rc; i++) {
    const crm_customer_view *cv = customers[i];

    if(!cv || !lead_is_prospect(cv->stage))
      continue;
    rc = lead_man_get(st, ctx, cv->customer_id, &rec, &found);
    if(!rc)
      rc = lead_score_customer(st, ctx, cv, &rec);
  }
  return rc;
}

static const crm_scoring_v1 lead_vtable = {
  .struct_size = sizeof(crm_scoring_v1),
  .score_batch = lead_score_batch,
  .fit = lead_fit,
  .score_event = lead_score_event,
};

static const crm_component lead_component = {
  .struct_size = sizeof(crm_component),
  .kind = CRM_KIND_SCORING,
  .name = "lead",
  .description = "prospect qualification: MAN rule and naive Bayes on won "
                 "and lost leads",
  .vtable = &lead_vtable,
};

static const crm_component *const lead_components[] = {&lead_component};

static const crm_plugin_desc lead_desc = {
  CRM_PLUGIN_DESC_HEADER,
  .name = "lead",
  .version = "1.0.0",
  .vendor = "crmcore",
  .license = "MIT",
  .description = "lead scoring: MAN rule plus naive Bayes learned from "
                 "won and lost prospects",
  .components = lead_components,
  .n_components = 1,
  .init = lead_init,
  .fini = lead_fini,
  .reconfigure = lead_reconfigure,
};

CRM_PLUGIN_DEFINE(lead_desc)
