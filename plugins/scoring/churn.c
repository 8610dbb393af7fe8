/*
 * churn.c - the `churn` scoring component: how likely a buying customer
 * is to have stopped, from P(alive) and the customer's own rhythm.
 *
 * Built only against crm/sdk.h (SDK 1.3) and btyd.c, as any out-of-tree
 * plugin is.
 *
 * The customer's summary comes from the stored events (host->events_walk
 * over "purchase,refund,cancel" up to as_of, with btyd_acc and a day
 * buffer kept in the state): x repeat purchase days, t_x the last
 * purchase day and T the end day, both counted from the first purchase
 * day, in the time unit of the clv model (figure unit_days). Days are
 * UTC days by floor division (right for times before 1970 too). The end
 * day is clv's: the last whole day before the instant as_of, i.e.
 * day_of(as_of - 1); an event at exactly as_of is walked too (the score
 * step passes as_of = max(now, event time)), so the end day is never
 * before the latest purchase day walked:
 *   end_day = max(day_of(as_of - 1), latest purchase day).
 * At the same as_of churn's P(alive) is thus clv's.
 *
 *   P(alive)   BG/NBD with the parameters the clv model fitted (figures
 *              bgnbd_r, bgnbd_alpha, bgnbd_a, bgnbd_b); unknown when clv
 *              has not been fitted
 *   usual gap  t_x / x in days when x >= 1 (the customer's own mean gap
 *              between purchase days); a one-time buyer gets the
 *              population's typical gap alpha / r time units, or
 *              default_gap_days when clv is not fitted
 *   silence    days from the last purchase day to as_of's day
 *   overdue    silence / usual gap
 *   rhythm     1 - exp(-silence / usual gap): the chance that a customer
 *              still buying at their own rate would have bought by now
 *   risk       w_alive (1 - P(alive)) + w_rhythm rhythm, the weights
 *              renormalised to sum 1; rhythm alone (weight 1) when
 *              P(alive) is unknown, and for a one-time buyer (x = 0),
 *              whose BG/NBD P(alive) is 1 by construction and so says
 *              nothing about them. Label "high" (>= high), "medium"
 *              (>= medium) or "low".
 *
 * Scores: "risk" with the factors "p_alive" and "rhythm" (contributions
 * in points of risk, summing to it), "p_alive" (when known), "overdue".
 * Customers without a purchase day get no churn score.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/sdk.h"

#include "btyd.h"

#define CHURN_DAY 86400
#define CHURN_DAYS_CAP 4096 /* purchase days kept per customer */
#define CHURN_NAME_MAX 64
#define CHURN_TYPES "purchase,refund,cancel"
#define CHURN_PROGRESS_EVERY 4096

struct churn_cfg {
  char clv_model[CHURN_NAME_MAX];
  double w_alive; /* renormalised: w_alive + w_rhythm == 1 */
  double w_rhythm;
  double high;
  double medium;
  double default_gap_days;
};

/* The clv model's BG/NBD figures, read once per batch or per call. */
struct churn_params {
  int fitted;
  btyd_bgnbd bg;
  double unit_days; /* days per time unit (1 when not fitted) */
};

/* One customer's result. */
struct churn_result {
  double risk;
  double p_alive; /* valid when params.fitted */
  double w_alive; /* weights used: (0, 1) unfitted or for x = 0 */
  double w_rhythm;
  int one_time;   /* x = 0 */
  double overdue;
  double rhythm;
  double silence_days;
  double gap_days;
  const char *gap_kind; /* "" (own), " (population)", " (default)" */
};

struct churn_state {
  const crm_host_api *api;
  struct churn_cfg cfg;
  btyd_acc acc;
  btyd_day days[CHURN_DAYS_CAP];
};

/* The UTC day of time t (seconds), by floor division: -1 is day -1. */
static int64_t churn_day_of(int64_t t)
{
  if(t >= 0)
    return t / CHURN_DAY;
  return -((-t + CHURN_DAY - 1) / CHURN_DAY);
}

/* ---- configuration --------------------------------------------------- */

static int churn_cfg_num(const crm_host_api *api, crm_host_ctx *ctx,
                         const char *key, double *v)
{
  int rc = api->cfg_get_float(ctx, key, v);

  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be a number", key);
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  if(!isfinite(*v))
    return api->set_error(ctx, CRM_ECONFIG, "%s must be finite", key);
  return CRM_OK;
}

static int churn_cfg_model(const crm_host_api *api, crm_host_ctx *ctx,
                           struct churn_cfg *cfg)
{
  const char *s = "clv";
  int rc = api->cfg_get_str(ctx, "clv_model", &s);

  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "clv_model must be a string");
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  if(!*s || strlen(s) >= sizeof(cfg->clv_model))
    return api->set_error(ctx, CRM_ECONFIG, "clv_model must be 1 to %d "
                          "bytes", CHURN_NAME_MAX - 1);
  snprintf(cfg->clv_model, sizeof(cfg->clv_model), "%s", s);
  return CRM_OK;
}

static int churn_cfg_check(const crm_host_api *api, crm_host_ctx *ctx,
                           struct churn_cfg *cfg)
{
  double sum = cfg->w_alive + cfg->w_rhythm;

  if(cfg->w_alive < 0 || cfg->w_rhythm < 0 || !(sum > 0))
    return api->set_error(ctx, CRM_ECONFIG, "weights w_alive (%g) and "
                          "w_rhythm (%g) must be >= 0 and not both 0",
                          cfg->w_alive, cfg->w_rhythm);
  if(!(cfg->medium > 0) || cfg->medium > 1 || cfg->high < cfg->medium ||
     cfg->high > 1)
    return api->set_error(ctx, CRM_ECONFIG, "thresholds must satisfy 0 < "
                          "medium (%g) <= high (%g) <= 1", cfg->medium,
                          cfg->high);
  if(!(cfg->default_gap_days >= 1) || cfg->default_gap_days > 36500)
    return api->set_error(ctx, CRM_ECONFIG, "default_gap_days is %g; it "
                          "must be between 1 and 36500",
                          cfg->default_gap_days);
  cfg->w_alive /= sum;
  cfg->w_rhythm /= sum;
  return CRM_OK;
}

static int churn_read_config(const crm_host_api *api, crm_host_ctx *ctx,
                             struct churn_cfg *cfg)
{
  int rc;

  memset(cfg, 0, sizeof(*cfg));
  cfg->w_alive = 0.6;
  cfg->w_rhythm = 0.4;
  cfg->high = 0.7;
  cfg->medium = 0.4;
  cfg->default_gap_days = 90;
  rc = churn_cfg_model(api, ctx, cfg);
  if(!rc)
    rc = churn_cfg_num(api, ctx, "w_alive", &cfg->w_alive);
  if(!rc)
    rc = churn_cfg_num(api, ctx, "w_rhythm", &cfg->w_rhythm);
  if(!rc)
    rc = churn_cfg_num(api, ctx, "high", &cfg->high);
  if(!rc)
    rc = churn_cfg_num(api, ctx, "medium", &cfg->medium);
  if(!rc)
    rc = churn_cfg_num(api, ctx, "default_gap_days", &cfg->default_gap_days);
  if(!rc)
    rc = churn_cfg_check(api, ctx, cfg);
  return rc;
}

static int churn_init(const crm_host_api *api, crm_host_ctx *ctx,
                      void **state)
{
  struct churn_state *st;
  struct churn_cfg cfg;
  int rc;

  if(!CRM_HAS_MEMBER(api, crm_host_api, score_get) || !api->score_write ||
     !api->events_walk || !api->figure_get)
    return api->set_error(ctx, CRM_ENOTSUP, "host has no events_walk, "
                          "score_write or figure_get (core sdk %u.%u, churn "
                          "needs 1.3)", api->abi_major, api->abi_minor);
  rc = churn_read_config(api, ctx, &cfg);
  if(rc)
    return rc;
  st = api->alloc(ctx, sizeof(*st));
  if(!st)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  memset(st, 0, sizeof(*st));
  st->api = api;
  st->cfg = cfg;
  st->acc.days = st->days;
  st->acc.cap = CHURN_DAYS_CAP;
  *state = st;
  return CRM_OK;
}

static void churn_fini(void *state, crm_host_ctx *ctx)
{
  struct churn_state *st = state;

  if(st)
    st->api->free(ctx, st);
}

static int churn_reconfigure(void *state, crm_host_ctx *ctx)
{
  struct churn_state *st = state;
  struct churn_cfg cfg;
  int rc;

  rc = churn_read_config(st->api, ctx, &cfg);
  if(rc)
    return rc; /* the old setting stays */
  st->cfg = cfg;
  return CRM_OK;
}

/* ---- the clv model's figures ------------------------------------------ */

static int churn_figure(struct churn_state *st, crm_host_ctx *ctx,
                        const char *name, double *v)
{
  int rc = st->api->figure_get(ctx, st->cfg.clv_model, name, v);

  if(rc == CRM_ENOTFOUND || (!rc && !(isfinite(*v) && *v > 0)))
    return 1; /* not fitted */
  return rc;
}

/* Fills p; p->fitted 0 when any figure is missing or not positive. */
static int churn_params_read(struct churn_state *st, crm_host_ctx *ctx,
                             struct churn_params *p)
{
  int rc;

  memset(p, 0, sizeof(*p));
  p->unit_days = 1;
  rc = churn_figure(st, ctx, "bgnbd_r", &p->bg.r);
  if(!rc)
    rc = churn_figure(st, ctx, "bgnbd_alpha", &p->bg.alpha);
  if(!rc)
    rc = churn_figure(st, ctx, "bgnbd_a", &p->bg.a);
  if(!rc)
    rc = churn_figure(st, ctx, "bgnbd_b", &p->bg.b);
  if(!rc)
    rc = churn_figure(st, ctx, "unit_days", &p->unit_days);
  if(rc < 0)
    return rc;
  if(rc > 0) {
    memset(p, 0, sizeof(*p));
    p->unit_days = 1;
    return CRM_OK;
  }
  p->fitted = 1;
  return CRM_OK;
}

/* ---- the model -------------------------------------------------------- */

static void churn_compute(const struct churn_cfg *cfg,
                         const struct churn_params *p, const btyd_cust *s,
                         struct churn_result *r)
{
  memset(r, 0, sizeof(*r));
  r->silence_days = (s->T - s->t_x) * p->unit_days;
  if(r->silence_days < 0)
    r->silence_days = 0;
  r->gap_kind = "";
  if(s->x >= 1 && s->t_x > 0) {
    r->gap_days = s->t_x / s->x * p->unit_days;
  }
  else if(p->fitted) {
    r->gap_days = p->bg.alpha / p->bg.r * p->unit_days;
    r->gap_kind = " (population)";
  }
  else {
    r->gap_days = cfg->default_gap_days;
    r->gap_kind = " (default)";
  }
  r->overdue = r->silence_days / r->gap_days;
  r->rhythm = 1 - exp(-r->overdue);
  r->one_time = !(s->x >= 1);
  r->w_alive = 0;
  r->w_rhythm = 1;
  if(p->fitted) {
    r->p_alive = btyd_bgnbd_p_alive(&p->bg, s->x, s->t_x, s->T);
    if(!r->one_time) { /* x = 0: P(alive) is 1 whatever the silence */
      r->w_alive = cfg->w_alive;
      r->w_rhythm = cfg->w_rhythm;
    }
  }
  r->risk = r->w_alive * (1 - r->p_alive) + r->w_rhythm * r->rhythm;
}

static const char *churn_label(const struct churn_cfg *cfg, double risk)
{
  if(risk >= cfg->high)
    return "high";
  if(risk >= cfg->medium)
    return "medium";
  return "low";
}

static int churn_write(struct churn_state *st, crm_host_ctx *ctx, int64_t id,
                       const struct churn_params *p,
                       const struct churn_result *r)
{
  const crm_host_api *api = st->api;
  crm_score_factor f[2];
  crm_score_value v;
  char d_alive[64], d_rhythm[128], lbl[64];
  int rc;

  memset(f, 0, sizeof(f));
  f[0].struct_size = f[1].struct_size = sizeof(crm_score_factor);
  f[0].factor = "p_alive";
  f[0].contribution = r->w_alive * (1 - r->p_alive);
  if(!p->fitted)
    snprintf(d_alive, sizeof(d_alive), "clv not fitted");
  else if(r->one_time)
    snprintf(d_alive, sizeof(d_alive), "not informative for a one-time "
             "buyer");
  else
    snprintf(d_alive, sizeof(d_alive), "P(alive) %.2f", r->p_alive);
  f[0].detail = d_alive;
  f[1].factor = "rhythm";
  f[1].contribution = r->w_rhythm * r->rhythm;
  snprintf(d_rhythm, sizeof(d_rhythm), "%.0f days silent, usual gap %.0f "
           "days%s", r->silence_days, r->gap_days, r->gap_kind);
  f[1].detail = d_rhythm;
  memset(&v, 0, sizeof(v));
  v.struct_size = sizeof(v);
  v.name = "risk";
  v.value = f[0].contribution + f[1].contribution;
  v.label = churn_label(&st->cfg, v.value);
  v.factors = f;
  v.n_factors = 2;
  rc = api->score_write(ctx, id, &v);
  if(!rc && p->fitted) {
    snprintf(lbl, sizeof(lbl), "%.2f", r->p_alive);
    v.name = "p_alive";
    v.value = r->p_alive;
    v.label = lbl;
    v.factors = NULL;
    v.n_factors = 0;
    rc = api->score_write(ctx, id, &v);
  }
  if(!rc) {
    snprintf(lbl, sizeof(lbl), "%.1fx usual gap", r->overdue);
    v.name = "overdue";
    v.value = r->overdue;
    v.label = lbl;
    v.factors = NULL;
    v.n_factors = 0;
    rc = api->score_write(ctx, id, &v);
  }
  return rc;
}

/* The end day of a summary as of the instant as_of: clv's day_of(as_of -
 * 1), or the latest purchase day walked when a purchase lies at exactly
 * as_of (a midnight as_of of the score step). */
static int64_t churn_end_day(const btyd_acc *acc, int64_t as_of)
{
  int64_t end_day = churn_day_of(as_of - 1);

  if(acc->n > 0 && acc->days[acc->n - 1].day > end_day)
    end_day = acc->days[acc->n - 1].day;
  return end_day;
}

/* Scores the customer accumulated in st->acc; nothing when it has no
 * purchase day by as_of. */
static int churn_finish(struct churn_state *st, crm_host_ctx *ctx,
                        int64_t id, const struct churn_params *p,
                        int64_t as_of)
{
  struct churn_result r;
  btyd_cust s;

  if(btyd_acc_summary(&st->acc, churn_end_day(&st->acc, as_of),
                      p->unit_days, &s))
    return CRM_OK;
  churn_compute(&st->cfg, p, &s, &r);
  if(!isfinite(r.risk) || !isfinite(r.overdue))
    return st->api->set_error(ctx, CRM_ERROR, "churn of customer #%lld is "
                              "not a finite number", (long long)id);
  return churn_write(st, ctx, id, p, &r);
}

/* ---- the event walk ---------------------------------------------------- */

/* One walk over the events of one or all customers; each customer is
 * scored when its events end, if want() says so. */
struct churn_walk {
  struct churn_state *st;
  crm_host_ctx *ctx;
  const struct churn_params *p;
  int64_t as_of;
  int64_t cur;       /* customer being accumulated (0: none) */
  /* the population, sorted by id (NULL: everybody) */
  const crm_customer_view *const *views;
  size_t n_views;
  size_t next_view;  /* cursor */
  int progress;      /* report host->progress (fit) */
  int64_t n_done;
  int rc;
};

static int churn_wanted(struct churn_walk *w, int64_t id)
{
  if(!w->views)
    return 1;
  while(w->next_view < w->n_views &&
        w->views[w->next_view]->customer_id < id)
    w->next_view++;
  return w->next_view < w->n_views &&
         w->views[w->next_view]->customer_id == id;
}

static int churn_flush(struct churn_walk *w)
{
  int rc;

  if(!w->cur || !churn_wanted(w, w->cur))
    return CRM_OK;
  rc = churn_finish(w->st, w->ctx, w->cur, w->p, w->as_of);
  if(rc)
    return rc;
  w->n_done++;
  if(w->progress && w->n_done % CHURN_PROGRESS_EVERY == 0)
    return w->st->api->progress(w->ctx, w->n_done, 0);
  return CRM_OK;
}

static int churn_on_event(void *ud, const crm_event_view *ev)
{
  struct churn_walk *w = ud;
  int64_t day = churn_day_of(ev->occurred_at);

  if(ev->customer_id != w->cur) {
    w->rc = churn_flush(w);
    if(w->rc)
      return w->rc;
    w->cur = ev->customer_id;
    btyd_acc_reset(&w->st->acc);
  }
  if(!strcmp(ev->type, "purchase"))
    btyd_acc_purchase(&w->st->acc, day, (double)ev->amount);
  else
    btyd_acc_refund(&w->st->acc, day, (double)ev->amount);
  return CRM_OK;
}

/* Walks customer id's events (0: every customer's) up to as_of. */
static int churn_walk_run(struct churn_walk *w, int64_t id)
{
  crm_event_filter f;
  int rc;

  memset(&f, 0, sizeof(f));
  f.struct_size = sizeof(f);
  f.customer_id = id;
  f.types = CHURN_TYPES;
  f.until = w->as_of + 1;
  btyd_acc_reset(&w->st->acc);
  rc = w->st->api->events_walk(w->ctx, &f, churn_on_event, w);
  if(w->rc)
    return w->rc;
  if(rc)
    return rc;
  return churn_flush(w);
}

static void churn_walk_init(struct churn_walk *w, struct churn_state *st,
                            crm_host_ctx *ctx, const struct churn_params *p,
                            int64_t as_of)
{
  memset(w, 0, sizeof(*w));
  w->st = st;
  w->ctx = ctx;
  w->p = p;
  w->as_of = as_of;
}

/* ---- entry points -------------------------------------------------------- */

static int churn_cmp_view(const void *a, const void *b)
{
  const crm_customer_view *x = *(const crm_customer_view *const *)a;
  const crm_customer_view *y = *(const crm_customer_view *const *)b;

  return (x->customer_id > y->customer_id) - (x->customer_id < y->customer_id);
}

static int churn_sorted(const crm_customer_view *const *v, size_t n)
{
  size_t i;

  for(i = 1; i < n; i++) {
    if(v[i - 1]->customer_id > v[i]->customer_id)
      return 0;
  }
  return 1;
}

/* The population, buyers only, sorted by id: the caller's array when it
 * already is, else a copy in *owned (to free). */
static int churn_population(struct churn_state *st, crm_host_ctx *ctx,
                            const crm_customer_view *const *customers,
                            size_t n, const crm_customer_view ***owned,
                            size_t *n_out)
{
  size_t i, k = 0;

  *owned = NULL;
  *n_out = n;
  for(i = 0; i < n; i++) {
    if(!customers[i])
      break;
  }
  if(i == n && churn_sorted(customers, n))
    return CRM_OK;
  if(n > SIZE_MAX / sizeof(**owned))
    return st->api->set_error(ctx, CRM_ENOMEM, "population too large");
  *owned = st->api->alloc(ctx, n * sizeof(**owned));
  if(!*owned)
    return st->api->set_error(ctx, CRM_ENOMEM, "out of memory");
  for(i = 0; i < n; i++) {
    if(customers[i])
      (*owned)[k++] = customers[i];
  }
  qsort(*owned, k, sizeof(**owned), churn_cmp_view);
  *n_out = k;
  return CRM_OK;
}

static int churn_score_batch(void *state, crm_host_ctx *ctx,
                             const crm_customer_view *const *customers,
                             size_t n, int64_t as_of)
{
  struct churn_state *st = state;
  const crm_customer_view **owned = NULL;
  struct churn_params p;
  struct churn_walk w;
  int rc;

  if(n == 0)
    return CRM_OK;
  rc = churn_params_read(st, ctx, &p);
  if(!rc)
    rc = churn_population(st, ctx, customers, n, &owned, &n);
  if(rc)
    return rc;
  churn_walk_init(&w, st, ctx, &p, as_of);
  w.views = owned ? owned : customers;
  w.n_views = n;
  rc = churn_walk_run(&w, 0);
  if(owned)
    st->api->free(ctx, owned);
  return rc;
}

static int churn_score_event(void *state, crm_host_ctx *ctx,
                             const crm_event_view *ev,
                             const crm_customer_view *customer, int64_t as_of)
{
  struct churn_state *st = state;
  struct churn_params p;
  struct churn_walk w;
  int rc;

  if(!customer || customer->purchase_count <= 0)
    return CRM_OK;
  if(ev && strcmp(ev->type, "purchase") && strcmp(ev->type, "refund") &&
     strcmp(ev->type, "cancel"))
    return CRM_OK;
  rc = churn_params_read(st, ctx, &p);
  if(rc)
    return rc;
  churn_walk_init(&w, st, ctx, &p, as_of);
  return churn_walk_run(&w, customer->customer_id);
}

/* Nothing to learn: churn reads clv's parameters. With CRM_FIT_SCORE,
 * every customer with a purchase is scored as of req->as_of. */
static int churn_fit(void *state, crm_host_ctx *ctx,
                     const crm_fit_request *req)
{
  struct churn_state *st = state;
  struct churn_params p;
  struct churn_walk w;
  int rc;

  if(!(req->flags & CRM_FIT_SCORE))
    return CRM_OK;
  rc = churn_params_read(st, ctx, &p);
  if(rc)
    return rc;
  if(!p.fitted)
    st->api->log(ctx, CRM_LOG_WARN, "model %s is not fitted: churn risk "
                 "from the purchase rhythm alone", st->cfg.clv_model);
  churn_walk_init(&w, st, ctx, &p, req->as_of);
  w.progress = 1;
  rc = churn_walk_run(&w, 0);
  if(!rc)
    rc = st->api->progress(ctx, w.n_done, w.n_done);
  return rc;
}

static const crm_scoring_v1 churn_vtable = {
  .struct_size = sizeof(crm_scoring_v1),
  .score_batch = churn_score_batch,
  .fit = churn_fit,
  .score_event = churn_score_event,
};

static const crm_component churn_component = {
  .struct_size = sizeof(crm_component),
  .kind = CRM_KIND_SCORING,
  .name = "churn",
  .description = "churn risk from P(alive) (BG/NBD of clv) and the "
                 "customer's own purchase rhythm",
  .vtable = &churn_vtable,
};

static const crm_component *const churn_components[] = {&churn_component};

static const crm_plugin_desc churn_desc = {
  CRM_PLUGIN_DESC_HEADER,
  .name = "churn",
  .version = "1.0.0",
  .vendor = "crmcore",
  .license = "MIT",
  .description = "churn risk: P(alive) and the purchase rhythm",
  .components = churn_components,
  .n_components = 1,
  .init = churn_init,
  .fini = churn_fini,
  .reconfigure = churn_reconfigure,
};

CRM_PLUGIN_DEFINE(churn_desc)
