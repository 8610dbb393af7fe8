/*
 * clv_score.c - the clv component's scores: the event walk that builds
 * customer summaries, the cached fitted figures, and the four scores of
 * one customer with their explanations (score_batch, score_event).
 *
 * Explanation: sequential attribution from a base, the same score for a
 * brand-new one-time buyer (x = 0, t_x = 0, T = 0, population mean
 * spend). With S the score as a function of (x, t_x, T, spend):
 *   base      S(0, 0, 0, pop)
 *   age       S(0, 0, T, pop)   - base
 *   frequency S(x, T, T, pop)   - S(0, 0, T, pop)   (t_x = T when x > 0)
 *   recency   S(x, t_x, T, pop) - S(x, T, T, pop)
 *   spend     S(x, t_x, T, E[M]) - S(x, t_x, T, pop) (expected_spend, clv)
 * so the factors add up to the value (expected_spend depends on spend
 * alone: base and spend). Nothing here allocates per customer.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clv_int.h"

#define CLV_PROGRESS_EVENTS 16383 /* report every 16384 events */

/* ---- the event walk ------------------------------------------------------ */

void clv_walk_init(struct clv_walk *w, struct clv_state *st,
                   crm_host_ctx *ctx)
{
  memset(w, 0, sizeof(*w));
  w->st = st;
  w->ctx = ctx;
  w->acc.days = st->days;
  w->acc.cap = CLV_DAYS_CAP;
  btyd_acc_reset(&w->acc);
}

static int clv_walk_flush(struct clv_walk *w)
{
  int rc;

  if(!w->cur)
    return CRM_OK;
  rc = w->done(w);
  w->cur = 0;
  return rc;
}

static void clv_walk_currency(struct clv_walk *w, const char *ccy)
{
  if(!ccy || w->ccy_mixed)
    return;
  if(!w->ccy[0]) {
    snprintf(w->ccy, sizeof(w->ccy), "%s", ccy);
    return;
  }
  if(strcmp(w->ccy, ccy) != 0) {
    w->ccy_mixed = 1;
    w->ccy[0] = '\0';
  }
}

static void clv_walk_apply(struct clv_walk *w, const crm_event_view *ev)
{
  const char *want = w->st->cfg.currency;
  int64_t day = clv_day_of(ev->occurred_at);

  if(want[0] && (!ev->currency || strcmp(ev->currency, want) != 0))
    return;
  if(!strcmp(ev->type, "purchase")) {
    btyd_acc_purchase(&w->acc, day, (double)ev->amount);
    clv_walk_currency(w, ev->currency);
  } else if(!strcmp(ev->type, "refund") || !strcmp(ev->type, "cancel")) {
    btyd_acc_refund(&w->acc, day, (double)ev->amount);
  }
}

static int clv_walk_cb(void *ud, const crm_event_view *ev)
{
  struct clv_walk *w = ud;
  int rc;

  if(ev->customer_id != w->cur) {
    rc = clv_walk_flush(w);
    if(rc) {
      w->rc = rc;
      return 1;
    }
    btyd_acc_reset(&w->acc);
    w->cur = ev->customer_id;
    w->ccy[0] = '\0';
    w->ccy_mixed = 0;
  }
  w->events++;
  if(w->progress && (w->events & CLV_PROGRESS_EVENTS) == 0) {
    rc = w->st->api->progress(w->ctx, w->events, 0);
    if(rc) {
      w->rc = rc;
      return 1;
    }
  }
  clv_walk_apply(w, ev);
  return 0;
}

int clv_walk_run(struct clv_walk *w, const crm_event_filter *f)
{
  int rc = w->st->api->events_walk(w->ctx, f, clv_walk_cb, w);

  if(rc > 0 && w->rc)
    return w->rc;
  if(rc)
    return rc;
  return clv_walk_flush(w);
}

/* ---- the fitted figures ---------------------------------------------------- */

static const char *clv_unit_name(double unit_days)
{
  if(unit_days == 1.0)
    return "day";
  if(unit_days == 7.0)
    return "week";
  if(unit_days == CLV_MONTH_DAYS)
    return "month";
  return "year";
}

void clv_params_derive(struct clv_state *st)
{
  struct clv_params *p = &st->par;

  p->forecast = st->cfg.forecast * st->cfg.unit_days / p->unit_days;
  p->month = CLV_MONTH_DAYS / p->unit_days;
  p->month_rate = pow(1.0 + st->cfg.discount_rate, 1.0 / 12.0) - 1.0;
  st->gen++;
  if(st->gen == 0)
    st->gen = 1; /* 0 marks an empty cache entry */
}

static int clv_get_all(struct clv_state *st, crm_host_ctx *ctx,
                       const char *const *names, double *const *out,
                       size_t n)
{
  size_t i;
  int rc;

  for(i = 0; i < n; i++) {
    rc = st->api->figure_get(ctx, NULL, names[i], out[i]);
    if(rc)
      return rc;
  }
  return CRM_OK;
}

static int clv_params_read(struct clv_state *st, crm_host_ctx *ctx,
                           struct clv_params *p)
{
  static const char *const need[] = {"bgnbd_r", "bgnbd_alpha", "bgnbd_a",
                                     "bgnbd_b", "unit_days", "mean_spend"};
  static const char *const gg[] = {"gg_p", "gg_q", "gg_gamma",
                                   "repeat_buyers"};
  static const char *const pn[] = {"pnbd_r", "pnbd_alpha", "pnbd_s",
                                   "pnbd_beta"};
  double rb = 0;
  double *const need_out[] = {&p->bg.r, &p->bg.alpha, &p->bg.a, &p->bg.b,
                              &p->unit_days, &p->mean_spend};
  double *const gg_out[] = {&p->gg.p, &p->gg.q, &p->gg.gamma, &rb};
  double *const pn_out[] = {&p->pn.r, &p->pn.alpha, &p->pn.s, &p->pn.beta};
  int rc;

  rc = clv_get_all(st, ctx, need, need_out, 6);
  if(rc)
    return rc;
  if(!(p->unit_days > 0))
    return CRM_ENOTFOUND;
  rc = clv_get_all(st, ctx, gg, gg_out, 4);
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  /* a fit with too few repeat buyers keeps no Gamma-Gamma */
  p->have_gg = !rc && rb >= CLV_MIN_GG_BUYERS && p->gg.q > 1;
  rc = clv_get_all(st, ctx, pn, pn_out, 4);
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  p->have_pnbd = !rc;
  /* fits before money_scale was a figure were in 1/100 */
  rc = st->api->figure_get(ctx, NULL, "money_scale", &p->money_scale);
  if(rc == CRM_ENOTFOUND || (!rc && !(p->money_scale > 0)))
    p->money_scale = 100.0;
  else if(rc)
    return rc;
  return CRM_OK;
}

/* Figures of fit `stamp` that cannot be used: remembered, so that the
 * next calls cost one look-up, and said once. */
static int clv_params_unusable(struct clv_state *st, crm_host_ctx *ctx,
                               double stamp, const char *why)
{
  st->par.valid = 0;
  st->unusable = 1;
  st->unusable_at = stamp;
  st->api->log(ctx, CRM_LOG_WARN, "%s: run crm score fit clv", why);
  st->warned_unfitted = 1; /* said: no "not fitted yet" on top */
  return 0;
}

/* 1: fitted (st->par valid), 0: not fitted or the figures do not fit the
 * settings, < 0: an error. One figure look-up when nothing changed since
 * the last call. */
int clv_params_load(struct clv_state *st, crm_host_ctx *ctx)
{
  struct clv_params p;
  double stamp = 0;
  int rc;

  rc = st->api->figure_get(ctx, NULL, "fitted_at", &stamp);
  if(rc == CRM_ENOTFOUND) {
    st->par.valid = 0;
    return 0;
  }
  if(rc)
    return rc;
  if(st->par.valid && stamp == st->par.fitted_at)
    return 1;
  if(st->unusable && stamp == st->unusable_at)
    return 0;
  memset(&p, 0, sizeof(p));
  rc = clv_params_read(st, ctx, &p);
  if(rc == CRM_ENOTFOUND)
    return clv_params_unusable(st, ctx, stamp,
                               "clv figures are incomplete (a bgnbd "
                               "parameter, unit_days or mean_spend is "
                               "missing)");
  if(rc)
    return rc;
  if(st->cfg.model == CLV_PNBD && !p.have_pnbd)
    return clv_params_unusable(st, ctx, stamp,
                               "clv model is pnbd but pareto/nbd is not "
                               "fitted (the last fit has no pnbd_* "
                               "figures)");
  st->unusable = 0;
  p.fitted_at = stamp;
  p.valid = 1;
  st->par = p;
  clv_params_derive(st);
  return 1;
}

/* ---- the model as functions of the summary ------------------------------- */

static double clv_f_expected(const struct clv_state *st, double x,
                             double t_x, double T)
{
  const struct clv_params *p = &st->par;

  if(st->cfg.model == CLV_PNBD)
    return btyd_pnbd_expected(&p->pn, x, t_x, T, p->forecast);
  return btyd_bgnbd_expected(&p->bg, x, t_x, T, p->forecast);
}

static double clv_f_alive(const struct clv_state *st, double x, double t_x,
                          double T)
{
  if(st->cfg.model == CLV_PNBD)
    return btyd_pnbd_p_alive(&st->par.pn, x, t_x, T);
  return btyd_bgnbd_p_alive(&st->par.bg, x, t_x, T);
}

/* Discounted value of one unit of spend over the horizon. */
static double clv_f_value(const struct clv_state *st, double x, double t_x,
                          double T)
{
  const struct clv_params *p = &st->par;
  const struct clv_config *c = &st->cfg;
  double sum = 0;
  double prev = 0;
  double disc = 1;
  int i;

  if(c->model != CLV_PNBD)
    return btyd_bgnbd_clv(&p->bg, x, t_x, T, 1.0, c->margin, p->month,
                          c->horizon_months, p->month_rate);
  for(i = 1; i <= c->horizon_months; i++) {
    double e = btyd_pnbd_expected(&p->pn, x, t_x, T, p->month * i);

    disc *= 1.0 + p->month_rate;
    sum += (e - prev) * c->margin / disc;
    prev = e;
  }
  return sum;
}

static double clv_f_spend(const struct clv_state *st, double x, double m_x)
{
  if(st->par.have_gg)
    return btyd_gg_expected_spend(&st->par.gg, x, m_x / st->par.money_scale) *
           st->par.money_scale;
  if(x > 0 && m_x > 0)
    return m_x;
  return st->par.mean_spend;
}

/* ---- writing one customer's scores ---------------------------------------- */

struct clv_expl {
  crm_score_factor f[5];
  char detail[5][96];
  uint32_t n;
};

/* Appends a factor; its detail is e->detail[which]. */
static void clv_expl_add(struct clv_expl *e, const char *factor,
                         double contribution, int which)
{
  crm_score_factor *f = &e->f[e->n];

  f->struct_size = sizeof(*f);
  f->factor = factor;
  f->contribution = contribution;
  f->detail = e->detail[which][0] ? e->detail[which] : NULL;
  e->n++;
}

/* Details shared by the four scores: index = factor (base, age, ...). */
static void clv_details(const struct clv_state *st, const btyd_cust *s,
                        double spend, const char *ccy, struct clv_expl *e)
{
  const char *u = clv_unit_name(st->par.unit_days);

  snprintf(e->detail[0], sizeof(e->detail[0]), "a new one-time buyer");
  snprintf(e->detail[1], sizeof(e->detail[1]),
           "%.1f %ss since the first purchase", s->T, u);
  snprintf(e->detail[2], sizeof(e->detail[2]), "%.0f repeat purchase days",
           s->x);
  if(s->x > 0)
    snprintf(e->detail[3], sizeof(e->detail[3]),
             "last purchase %.1f %ss after the first", s->t_x, u);
  else
    snprintf(e->detail[3], sizeof(e->detail[3]), "no repeat purchase");
  {
    char a[31];
    char b[31];

    clv_money_format(a, sizeof(a), spend, ccy, st->par.money_scale);
    clv_money_format(b, sizeof(b), st->par.mean_spend, "",
                     ccy[0] ? clv_ccy_scale(ccy) : st->par.money_scale);
    snprintf(e->detail[4], sizeof(e->detail[4]),
             "%s per purchase against %s on average", a, b);
  }
}

static int clv_write(struct clv_state *st, crm_host_ctx *ctx, int64_t id,
                     const char *name, double value, const char *label,
                     const struct clv_expl *e)
{
  crm_score_value v;

  memset(&v, 0, sizeof(v));
  v.struct_size = sizeof(v);
  v.name = name;
  v.value = value;
  v.label = label;
  v.factors = e->f;
  v.n_factors = e->n;
  return st->api->score_write(ctx, id, &v);
}

/* The staged values of a score: v[0] base .. v[3] the customer's with the
 * population's spend. */
static void clv_stages(const struct clv_state *st, const btyd_cust *s,
                       double (*f)(const struct clv_state *, double, double,
                                   double),
                       double v[4])
{
  double tx_freq = s->x > 0 ? s->T : 0;

  v[0] = f(st, 0, 0, 0);
  v[1] = f(st, 0, 0, s->T);
  v[2] = s->x > 0 ? f(st, s->x, tx_freq, s->T) : v[1];
  v[3] = s->x > 0 ? f(st, s->x, s->t_x, s->T) : v[1];
}

static uint64_t clv_bits(double d)
{
  uint64_t u;

  memcpy(&u, &d, sizeof(u));
  return u;
}

/* The staged values of the three model scores for summary s, computed
 * once per distinct (x, t_x, T) while the parameters stay. */
static const struct clv_cache_ent *clv_stages_all(struct clv_state *st,
                                                  const btyd_cust *s)
{
  uint64_t h = clv_bits(s->x) * UINT64_C(0x9E3779B97F4A7C15);
  struct clv_cache_ent *e;

  h = (h ^ clv_bits(s->t_x)) * UINT64_C(0xC2B2AE3D27D4EB4F);
  h = (h ^ clv_bits(s->T)) * UINT64_C(0x165667B19E3779F9);
  e = &st->cache[(h >> 40) & (CLV_CACHE_SIZE - 1)];
  if(e->gen == st->gen && e->x == s->x && e->t_x == s->t_x && e->T == s->T)
    return e;
  clv_stages(st, s, clv_f_expected, e->v[0]);
  clv_stages(st, s, clv_f_alive, e->v[1]);
  clv_stages(st, s, clv_f_value, e->v[2]);
  e->x = s->x;
  e->t_x = s->t_x;
  e->T = s->T;
  e->gen = st->gen;
  return e;
}

static void clv_expl_stages(struct clv_expl *e, const double v[4])
{
  e->n = 0;
  clv_expl_add(e, "base", v[0], 0);
  clv_expl_add(e, "age", v[1] - v[0], 1);
  clv_expl_add(e, "frequency", v[2] - v[1], 2);
  clv_expl_add(e, "recency", v[3] - v[2], 3);
}

static int clv_write_counts(struct clv_state *st, crm_host_ctx *ctx,
                            int64_t id, const struct clv_cache_ent *ce,
                            struct clv_expl *e)
{
  char label[64];
  const double *v = ce->v[0];
  int rc;

  clv_expl_stages(e, v);
  snprintf(label, sizeof(label), "%.2f in %g %ss", v[3], st->cfg.forecast,
           st->cfg.unit_name);
  rc = clv_write(st, ctx, id, "expected_purchases", v[3], label, e);
  if(rc)
    return rc;
  v = ce->v[1];
  clv_expl_stages(e, v);
  snprintf(label, sizeof(label), "%.0f%%", v[3] * 100.0);
  return clv_write(st, ctx, id, "p_alive", v[3], label, e);
}

static int clv_write_money(struct clv_state *st, crm_host_ctx *ctx,
                           int64_t id, const struct clv_cache_ent *ce,
                           double spend, const char *ccy,
                           struct clv_expl *e)
{
  double pop = st->par.mean_spend;
  char label[64];
  double v[4];
  double value;
  int rc;

  /* expected_spend depends on spend alone: base and spend */
  e->n = 0;
  clv_expl_add(e, "base", pop, 0);
  clv_expl_add(e, "spend", spend - pop, 4);
  clv_money_format(label, sizeof(label), spend, ccy, st->par.money_scale);
  rc = clv_write(st, ctx, id, "expected_spend", spend, label, e);
  if(rc)
    return rc;
  /* clv is linear in spend: one unit's value, scaled */
  value = ce->v[2][3] * spend;
  v[0] = ce->v[2][0] * pop;
  v[1] = ce->v[2][1] * pop;
  v[2] = ce->v[2][2] * pop;
  v[3] = ce->v[2][3] * pop;
  clv_expl_stages(e, v);
  clv_expl_add(e, "spend", value - v[3], 4);
  value = floor(value + 0.5);
  clv_money_format(label, sizeof(label), value, ccy, st->par.money_scale);
  return clv_write(st, ctx, id, "clv", value, label, e);
}

int clv_score_customer(struct clv_state *st, crm_host_ctx *ctx, int64_t id,
                       const btyd_cust *s, const char *currency)
{
  const struct clv_cache_ent *ce;
  struct clv_expl e;
  const char *ccy = st->cfg.currency[0] ? st->cfg.currency : currency;
  double spend;
  int rc;

  if(!ccy)
    ccy = "";
  spend = clv_f_spend(st, s->x, s->m_x);
  memset(&e, 0, sizeof(e));
  clv_details(st, s, spend, ccy, &e);
  ce = clv_stages_all(st, s);
  rc = clv_write_counts(st, ctx, id, ce, &e);
  if(!rc)
    rc = clv_write_money(st, ctx, id, ce, spend, ccy, &e);
  return rc;
}

/* ---- score_batch: the given customers, one walk over everybody ----------- */

struct clv_batch {
  const crm_customer_view **v; /* sorted by customer id */
  size_t n;
  size_t k;
  int64_t end_day;
};

static int clv_cmp_view(const void *a, const void *b)
{
  const crm_customer_view *x = *(const crm_customer_view *const *)a;
  const crm_customer_view *y = *(const crm_customer_view *const *)b;

  return (x->customer_id > y->customer_id) -
         (x->customer_id < y->customer_id);
}

static int clv_batch_done(struct clv_walk *w)
{
  struct clv_batch *b = w->ud;
  const crm_customer_view *cv;
  btyd_cust s;

  while(b->k < b->n && b->v[b->k]->customer_id < w->cur)
    b->k++;
  if(b->k == b->n || b->v[b->k]->customer_id != w->cur)
    return CRM_OK;
  cv = b->v[b->k];
  if(btyd_acc_summary(&w->acc, b->end_day, w->st->par.unit_days, &s))
    return CRM_OK;
  return clv_score_customer(w->st, w->ctx, w->cur, &s,
                            w->ccy[0] ? w->ccy : cv->currency);
}

static int clv_unfitted(struct clv_state *st, crm_host_ctx *ctx)
{
  if(!st->warned_unfitted)
    st->api->log(ctx, CRM_LOG_WARN,
                 "clv is not fitted yet: run crm score fit clv");
  st->warned_unfitted = 1;
  return CRM_OK;
}

int clv_score_batch(void *state, crm_host_ctx *ctx,
                    const crm_customer_view *const *customers, size_t n,
                    int64_t as_of)
{
  struct clv_state *st = state;
  struct clv_batch b;
  struct clv_walk w;
  crm_event_filter f;
  size_t i;
  int rc;

  rc = clv_params_load(st, ctx);
  if(rc < 0)
    return rc;
  if(rc == 0)
    return clv_unfitted(st, ctx);
  st->warned_unfitted = 0;
  memset(&b, 0, sizeof(b));
  b.v = st->api->alloc(ctx, (n ? n : 1) * sizeof(*b.v));
  if(!b.v)
    return st->api->set_error(ctx, CRM_ENOMEM, "out of memory");
  for(i = 0; i < n; i++) {
    if(customers[i])
      b.v[b.n++] = customers[i];
  }
  qsort(b.v, b.n, sizeof(*b.v), clv_cmp_view);
  b.end_day = clv_day_of(as_of - 1);
  memset(&f, 0, sizeof(f));
  f.struct_size = sizeof(f);
  f.types = CLV_TYPES;
  f.until = as_of;
  clv_walk_init(&w, st, ctx);
  w.done = clv_batch_done;
  w.ud = &b;
  rc = clv_walk_run(&w, &f);
  st->api->free(ctx, b.v);
  return rc;
}

/* ---- score_event: one customer after one of its events -------------------- */

struct clv_one {
  const crm_customer_view *cv;
  int64_t end_day;
};

static int clv_one_done(struct clv_walk *w)
{
  struct clv_one *o = w->ud;
  btyd_cust s;

  if(btyd_acc_summary(&w->acc, o->end_day, w->st->par.unit_days, &s))
    return CRM_OK;
  return clv_score_customer(w->st, w->ctx, w->cur, &s,
                            w->ccy[0] ? w->ccy : o->cv->currency);
}

static int clv_type_counts(const char *type)
{
  return type && (!strcmp(type, "purchase") || !strcmp(type, "refund") ||
                  !strcmp(type, "cancel"));
}

int clv_score_event(void *state, crm_host_ctx *ctx, const crm_event_view *ev,
                    const crm_customer_view *customer, int64_t as_of)
{
  struct clv_state *st = state;
  struct clv_one o;
  struct clv_walk w;
  crm_event_filter f;
  int64_t until = as_of;
  int rc;

  if(!customer || (ev && !clv_type_counts(ev->type)))
    return CRM_OK;
  rc = clv_params_load(st, ctx);
  if(rc <= 0)
    return rc;
  /* the event itself counts even when it is dated "now" exactly */
  if(ev && ev->occurred_at > until)
    until = ev->occurred_at;
  until++;
  o.cv = customer;
  /* as the batch does: the data ends with the last whole day before
   * as_of, or the event's own day when later (a purchase at as_of) */
  o.end_day = clv_day_of(as_of - 1);
  if(ev && clv_day_of(ev->occurred_at) > o.end_day)
    o.end_day = clv_day_of(ev->occurred_at);
  memset(&f, 0, sizeof(f));
  f.struct_size = sizeof(f);
  f.customer_id = customer->customer_id;
  f.types = CLV_TYPES;
  f.until = until;
  clv_walk_init(&w, st, ctx);
  w.done = clv_one_done;
  w.ud = &o;
  return clv_walk_run(&w, &f);
}
