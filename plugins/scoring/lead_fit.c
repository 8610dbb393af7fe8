/*
 * lead_fit.c - the fit step of `lead`: rebuilds the frequency table from
 * every stored event up to as_of (after lost kv data or a change of
 * nb.fields), deletes the stored counts the new table has not (walking
 * the old value lists: the kv has no prefix delete), rewrites the
 * per-customer records and, with CRM_FIT_SCORE, scores every prospect
 * (host->customers_walk over the prospect stages, so prospects without
 * any event are scored too).
 *
 * One walk over all events, in (customer, time, id) order. Per customer:
 *   - the outcome is the last one in time: an event of an nb.won type
 *     (won), of an nb.lost type (lost) or, with won_on_first_purchase, the
 *     first purchase when an event of another type came before it (as the
 *     incremental path counts a first purchase only of a customer it saw
 *     as a prospect);
 *   - the features are those recorded with the outcome ("o:<id>") for the
 *     fields the record has, else the customer's values now;
 *   - the MAN facts are those of the customer's qualify events, in time
 *     order.
 */
#include <stdio.h>
#include <string.h>

#include "lead.h"

#define LEAD_PROGRESS_EVERY 256

struct lead_fit_run {
  struct lead_state *st;
  crm_host_ctx *ctx;
  const crm_fit_request *req;
  int64_t cur; /* customer being walked, 0 before the first */
  int had_other;
  int seen_purchase;
  int cls;
  struct lead_man_rec facts; /* from qualify events */
  int64_t customers; /* walked in the event walk */
  int64_t scored;    /* prospects scored */
  int rc;
};

/* The customer's record: qualify facts from the walk, stage kept. */
static int lead_fit_man(struct lead_fit_run *r, const crm_customer_view *cv,
                        struct lead_man_rec *rec)
{
  struct lead_state *st = r->st;
  struct lead_man_rec old;
  int found;
  int rc;

  rc = lead_man_get(st, r->ctx, cv->customer_id, rec, &found);
  if(rc)
    return rc;
  old = *rec;
  rec->money = r->facts.money;
  rec->authority = r->facts.authority;
  rec->need = r->facts.need;
  if(lead_is_prospect(cv->stage))
    rec->stage = cv->stage;
  if(found && !memcmp(&old, rec, sizeof(old)))
    return CRM_OK;
  if(!found && rec->stage == 0 && rec->money < 0 && rec->authority < 0 &&
     rec->need < 0)
    return CRM_OK;
  return lead_man_put(st, r->ctx, cv->customer_id, rec);
}

static int lead_fit_outcome(struct lead_fit_run *r,
                            const crm_customer_view *cv,
                            const struct lead_man_rec *rec)
{
  struct lead_state *st = r->st;
  unsigned have = 0;
  int old = 0;
  char key[48];
  int rc;

  lead_features(st, r->ctx, cv, rec, &st->feat);
  rc = lead_outcome_get(st, r->ctx, cv->customer_id, &old, &st->feat,
                        &have);
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  if(r->cls < 0) {
    if(rc == CRM_ENOTFOUND)
      return CRM_OK;
    snprintf(key, sizeof(key), "o:%lld", (long long)cv->customer_id);
    return st->api->kv_put(r->ctx, key, NULL);
  }
  rc = lead_table_count(st, r->ctx, r->cls, &st->feat, 1);
  if(!rc)
    rc = lead_outcome_put(st, r->ctx, cv->customer_id, r->cls, &st->feat);
  return rc;
}

static int lead_fit_finish(struct lead_fit_run *r)
{
  struct lead_state *st = r->st;
  crm_customer_view cv;
  struct lead_man_rec rec;
  int rc;

  if(!r->cur)
    return CRM_OK;
  memset(&cv, 0, sizeof(cv));
  cv.struct_size = sizeof(cv);
  rc = st->api->customer_get(r->ctx, r->cur, &cv);
  if(rc == CRM_ENOTFOUND)
    return CRM_OK;
  if(!rc)
    rc = lead_fit_man(r, &cv, &rec);
  if(!rc)
    rc = lead_fit_outcome(r, &cv, &rec);
  r->customers++;
  if(!rc && r->customers % LEAD_PROGRESS_EVERY == 0)
    rc = st->api->progress(r->ctx, r->customers, 0);
  return rc;
}

static void lead_fit_start(struct lead_fit_run *r, int64_t id)
{
  r->cur = id;
  r->had_other = 0;
  r->seen_purchase = 0;
  r->cls = -1;
  r->facts.money = r->facts.authority = r->facts.need = -1;
  r->facts.stage = 0;
}

static int lead_fit_event(void *ud, const crm_event_view *ev)
{
  struct lead_fit_run *r = ud;
  const struct lead_cfg *c = &r->st->cfg;

  if(ev->customer_id != r->cur) {
    r->rc = lead_fit_finish(r);
    if(r->rc)
      return 1;
    lead_fit_start(r, ev->customer_id);
  }
  if(!strcmp(ev->type, "purchase")) {
    if(!r->seen_purchase && r->had_other && c->won_on_first_purchase)
      r->cls = LEAD_WON;
    r->seen_purchase = 1;
  }
  else
    r->had_other = 1;
  if(lead_type_in(c->won, c->n_won, ev->type))
    r->cls = LEAD_WON;
  else if(lead_type_in(c->lost, c->n_lost, ev->type))
    r->cls = LEAD_LOST;
  else if(!strcmp(ev->type, "qualify"))
    lead_man_qualify(r->st, r->ctx, ev->payload, &r->facts);
  return 0;
}

/* One prospect of the customer walk: scored with its record. */
static int lead_fit_score_one(void *ud, const crm_customer_view *cv)
{
  struct lead_fit_run *r = ud;
  struct lead_state *st = r->st;
  struct lead_man_rec rec;
  int found;

  r->rc = lead_man_get(st, r->ctx, cv->customer_id, &rec, &found);
  if(!r->rc)
    r->rc = lead_score_customer(st, r->ctx, cv, &rec);
  if(!r->rc && ++r->scored % LEAD_PROGRESS_EVERY == 0)
    r->rc = st->api->progress(r->ctx, r->customers + r->scored, 0);
  return r->rc ? 1 : 0;
}

/* Scores every prospect, also those without events (whose scores the
 * fit cleared too), walking the customers in the prospect stages. */
static int lead_fit_score(struct lead_fit_run *r)
{
  crm_customer_filter f;
  int rc;

  memset(&f, 0, sizeof(f));
  f.struct_size = sizeof(f);
  f.stages = 1u << CRM_STAGE_PROSPECT | 1u << CRM_STAGE_QUALIFIED |
             1u << CRM_STAGE_PARKED;
  r->rc = CRM_OK;
  rc = r->st->api->customers_walk(r->ctx, &f, lead_fit_score_one, r);
  return rc > 0 ? r->rc : rc;
}

static int lead_fit_figures(struct lead_state *st, crm_host_ctx *ctx)
{
  const crm_host_api *api = st->api;
  int rc;

  rc = api->figure_put(ctx, "won", (double)st->tab.n[0], NULL);
  if(!rc)
    rc = api->figure_put(ctx, "lost", (double)st->tab.n[1], NULL);
  if(!rc)
    rc = api->figure_put(ctx, "outcomes",
                         (double)(st->tab.n[0] + st->tab.n[1]), NULL);
  return rc;
}

static int lead_fit_run(struct lead_fit_run *r)
{
  struct lead_state *st = r->st;
  crm_event_filter f;
  int rc;

  lead_table_reset(st, r->ctx);
  st->tab.loaded = st->tab.usable = 1;
  memset(&f, 0, sizeof(f));
  f.struct_size = sizeof(f);
  f.until = r->req->as_of > 0 ? r->req->as_of + 1 : 0;
  rc = st->api->events_walk(r->ctx, &f, lead_fit_event, r);
  if(rc > 0)
    rc = r->rc;
  if(!rc)
    rc = lead_fit_finish(r);
  if(!rc)
    rc = lead_table_drop_stale(st, r->ctx);
  if(rc)
    return rc;
  lead_table_prepare(st);
  rc = lead_table_save(st, r->ctx, 1);
  if(!rc)
    rc = lead_fit_figures(st, r->ctx);
  if(!rc && (r->req->flags & CRM_FIT_SCORE))
    rc = lead_fit_score(r);
  return rc;
}

int lead_fit(void *state, crm_host_ctx *ctx, const crm_fit_request *req)
{
  struct lead_fit_run r;
  int rc;

  memset(&r, 0, sizeof(r));
  r.st = state;
  r.ctx = ctx;
  r.req = req;
  rc = lead_fit_run(&r);
  if(rc)
    lead_table_reset(r.st, ctx); /* the fit is rolled back: reload */
  return rc;
}
