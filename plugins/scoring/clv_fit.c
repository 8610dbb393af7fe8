/*
 * clv_fit.c - the clv fit step: one walk over every customer's purchases,
 * refunds and cancels up to the end of the calibration day builds one
 * summary per customer (btyd_acc on the state's day buffer; the summary
 * array grows by doubling), then BG/NBD on the compressed summaries,
 * Gamma-Gamma on the repeat buyers, Pareto/NBD when asked, the figures,
 * and with CRM_FIT_SCORE a second walk up to as_of scoring everybody.
 *
 * Progress (host->progress): events summarised (total unknown), then
 * each optimiser's iterations (of its maximum), then customers scored.
 */
#include <stdio.h>
#include <string.h>

#include "clv_int.h"

#define CLV_PROGRESS_CUSTOMERS 1023

struct clv_fitdata {
  btyd_cust *c;
  size_t n;
  size_t cap;
  double day_spend; /* all calibration purchase days: spend and count */
  double day_count;
  int64_t end_day;
  double unit_days;
  char ccy[8];   /* the one currency of every customer's purchases */
  int ccy_mixed; /* more than one, or some unknown */
};

struct clv_fitctx {
  struct clv_state *st;
  crm_host_ctx *ctx;
};

static int clv_fit_grow(struct clv_state *st, crm_host_ctx *ctx,
                        struct clv_fitdata *d)
{
  size_t cap = d->cap ? d->cap * 2 : 1024;
  btyd_cust *c;

  if(cap > SIZE_MAX / sizeof(*c))
    return st->api->set_error(ctx, CRM_ENOMEM, "too many customers");
  c = st->api->alloc(ctx, cap * sizeof(*c));
  if(!c)
    return st->api->set_error(ctx, CRM_ENOMEM, "out of memory");
  if(d->n)
    memcpy(c, d->c, d->n * sizeof(*c));
  st->api->free(ctx, d->c);
  d->c = c;
  d->cap = cap;
  return CRM_OK;
}

static int clv_fit_push(struct clv_walk *w)
{
  struct clv_fitdata *d = w->ud;
  btyd_cust s;
  size_t i;
  int rc;

  if(btyd_acc_summary(&w->acc, d->end_day, d->unit_days, &s))
    return CRM_OK;
  if(d->n == d->cap) {
    rc = clv_fit_grow(w->st, w->ctx, d);
    if(rc)
      return rc;
  }
  d->c[d->n++] = s;
  if(!w->ccy[0] || (d->ccy[0] && strcmp(d->ccy, w->ccy) != 0))
    d->ccy_mixed = 1;
  else if(!d->ccy[0])
    snprintf(d->ccy, sizeof(d->ccy), "%s", w->ccy);
  for(i = 0; i < w->acc.n; i++) {
    if(w->acc.days[i].day <= d->end_day && w->acc.days[i].spend > 0) {
      d->day_spend += w->acc.days[i].spend;
      d->day_count += 1;
    }
  }
  return CRM_OK;
}

static int clv_fit_progress(void *ud, int iter, int max_iter)
{
  struct clv_fitctx *fc = ud;

  return fc->st->api->progress(fc->ctx, iter, max_iter);
}

/* A failure of the model maths as a CRM_* code with its reason. */
static int clv_fit_failed(struct clv_state *st, crm_host_ctx *ctx, int rc,
                          const char *what)
{
  if(rc == CRM_ECANCELED)
    return st->api->set_error(ctx, CRM_ECANCELED, "clv fit canceled");
  if(rc > -100)
    return rc;
  return st->api->set_error(ctx, CRM_ERROR, "%s fit failed: %s", what,
                            btyd_strerror(rc));
}

static void clv_fit_gg(struct clv_state *st, crm_host_ctx *ctx,
                       struct clv_fitdata *d, const btyd_fit_opts *o,
                       struct clv_params *p, double *gg_ll, size_t rb,
                       int *rc_out)
{
  size_t i;
  int rc;

  *rc_out = CRM_OK;
  p->have_gg = 0;
  if(rb < CLV_MIN_GG_BUYERS) {
    st->api->log(ctx, CRM_LOG_WARN,
                 "only %zu repeat buyers (fewer than %d): no gamma-gamma "
                 "spend model, expected_spend is each customer's own mean",
                 rb, CLV_MIN_GG_BUYERS);
    return;
  }
  for(i = 0; i < d->n; i++)
    d->c[i].m_x /= p->money_scale; /* the last use of the summaries */
  rc = btyd_gg_fit(d->c, d->n, o, &p->gg, gg_ll);
  if(rc == CRM_ECANCELED || (rc < 0 && rc > -100)) {
    *rc_out = rc;
    return;
  }
  if(rc || !(p->gg.q > 1)) {
    st->api->log(ctx, CRM_LOG_WARN,
                 "gamma-gamma fit failed (%s): expected_spend is each "
                 "customer's own mean",
                 rc ? btyd_strerror(rc) : "q <= 1, no finite mean");
    return;
  }
  p->have_gg = 1;
  if(btyd_gg_boundary(&p->gg))
    st->api->log(ctx, CRM_LOG_WARN,
                 "gamma-gamma parameters ran to a limit of the model (p = "
                 "%g, q = %g, gamma = %g): spend varies too little between "
                 "customers to identify them", p->gg.p, p->gg.q,
                 p->gg.gamma);
}

/* Population mean spend without Gamma-Gamma: the mean of the repeat
 * buyers' m_x, else of all purchase days. */
static double clv_fit_mean_spend(const struct clv_fitdata *d)
{
  double sum = 0;
  double cnt = 0;
  size_t i;

  for(i = 0; i < d->n; i++) {
    if(d->c[i].x > 0 && d->c[i].m_x > 0) {
      sum += d->c[i].m_x;
      cnt += 1;
    }
  }
  if(cnt > 0)
    return sum / cnt;
  return d->day_count > 0 ? d->day_spend / d->day_count : 0;
}

struct clv_fitout {
  struct clv_params p;
  double bg_ll, gg_ll, pn_ll;
  size_t repeat_buyers;
  unsigned pn_boundary;
  const char *ccy; /* of the money figures: "" when unknown or mixed */
};

/* "r, a" from a boundary mask over four names. */
static void clv_names(char *buf, size_t size, unsigned mask,
                      const char *const *names)
{
  size_t len = 0;
  int i;

  buf[0] = '\0';
  for(i = 0; i < 4 && len < size; i++) {
    if(mask & (1u << i))
      len += (size_t)snprintf(buf + len, size - len, "%s%s",
                              len ? ", " : "", names[i]);
  }
}

static const char *const clv_bg_names[] = {"r", "alpha", "a", "b"};
static const char *const clv_pn_names[] = {"r", "alpha", "s", "beta"};

/* Parameters that ran to a limit of the model: a warning, not a failure
 * (the scores are those of the limit model). */
static void clv_warn_boundary(struct clv_state *st, crm_host_ctx *ctx,
                              const char *model, unsigned mask,
                              const char *const *names, const double *v)
{
  char list[64];
  char vals[160];
  size_t len = 0;
  int i;

  if(!mask)
    return;
  clv_names(list, sizeof(list), mask, names);
  vals[0] = '\0';
  for(i = 0; i < 4 && len < sizeof(vals); i++) {
    if(mask & (1u << i))
      len += (size_t)snprintf(vals + len, sizeof(vals) - len, "%s%s = %g",
                              len ? ", " : "", names[i], v[i]);
  }
  st->api->log(ctx, CRM_LOG_WARN,
               "%s parameter%s %s ran to a limit of the model (%s): the "
               "data do not identify %s; the scores use the limit",
               model, strchr(list, ',') ? "s" : "", list, vals,
               strchr(list, ',') ? "them" : "it");
}

/* Data a 4-parameter model cannot be fitted on, said with its numbers. */
static int clv_fit_refused(struct clv_state *st, crm_host_ctx *ctx, int rc,
                           const struct clv_fitdata *d, const btyd_cust *c,
                           size_t m)
{
  char day[16];
  size_t i, aged = 0;

  clv_day_format(d->end_day, day, sizeof(day));
  for(i = 0; i < m; i++)
    aged += c[i].T > 0;
  if(rc == BTYD_ENOAGE)
    return st->api->set_error(ctx, CRM_ESTATE,
                              "clv fit refused: no customer observed for "
                              "any time (T = 0) among %zu customers up to "
                              "%s: every first purchase is on the last day",
                              d->n, day);
  if(rc == BTYD_ENOREPEAT)
    return st->api->set_error(ctx, CRM_ESTATE,
                              "clv fit refused: no repeat buyer among %zu "
                              "customers up to %s", d->n, day);
  if(rc == BTYD_EFEW)
    return st->api->set_error(ctx, CRM_ESTATE,
                              "clv fit refused: too few distinct customers "
                              "(%zu distinct summaries with T > 0 among %zu "
                              "customers up to %s) to fit 4 parameters",
                              aged, d->n, day);
  return st->api->set_error(ctx, CRM_ESTATE,
                            "clv fit refused: %s among %zu customers up to "
                            "%s", btyd_strerror(rc), d->n, day);
}

static int clv_fit_pnbd(struct clv_state *st, crm_host_ctx *ctx,
                        const btyd_cust *c, size_t m, const btyd_fit_opts *o,
                        struct clv_fitout *out)
{
  int rc;

  out->p.have_pnbd = 0;
  if(st->cfg.model != CLV_PNBD && !st->cfg.fit_pnbd)
    return CRM_OK;
  rc = btyd_pnbd_fit(c, m, o, &out->p.pn, &out->pn_ll);
  if(!rc) {
    const double v[4] = {out->p.pn.r, out->p.pn.alpha, out->p.pn.s,
                         out->p.pn.beta};

    out->pn_boundary = btyd_pnbd_boundary(&out->p.pn);
    clv_warn_boundary(st, ctx, "pareto/nbd", out->pn_boundary, clv_pn_names,
                      v);
  }
  /* needed for the scores, canceled, or not a failure of the maths */
  if(rc && (st->cfg.model == CLV_PNBD || rc > -100))
    return clv_fit_failed(st, ctx, rc, "pareto/nbd");
  if(rc) {
    st->api->log(ctx, CRM_LOG_WARN, "pareto/nbd fit failed: %s",
                 btyd_strerror(rc));
    return CRM_OK;
  }
  out->p.have_pnbd = 1;
  return CRM_OK;
}

static int clv_fit_models(struct clv_state *st, crm_host_ctx *ctx,
                          struct clv_fitdata *d, struct clv_fitout *out)
{
  struct clv_fitctx fc = {st, ctx};
  btyd_fit_opts o;
  btyd_cust *c;
  size_t m, i;
  int rc;

  memset(&o, 0, sizeof(o));
  o.progress = clv_fit_progress;
  o.ud = &fc;
  c = st->api->alloc(ctx, d->n * sizeof(*c));
  if(!c)
    return st->api->set_error(ctx, CRM_ENOMEM, "out of memory");
  memcpy(c, d->c, d->n * sizeof(*c));
  m = btyd_compress(c, d->n);
  rc = btyd_bgnbd_fit(c, m, &o, &out->p.bg, &out->bg_ll);
  if(BTYD_IS_EDATA(rc))
    rc = clv_fit_refused(st, ctx, rc, d, c, m);
  else if(rc)
    rc = clv_fit_failed(st, ctx, rc, "bg/nbd");
  if(!rc) {
    const double v[4] = {out->p.bg.r, out->p.bg.alpha, out->p.bg.a,
                         out->p.bg.b};

    out->p.bg_boundary = btyd_bgnbd_boundary(&out->p.bg);
    clv_warn_boundary(st, ctx, "bg/nbd", out->p.bg_boundary, clv_bg_names,
                      v);
    rc = clv_fit_pnbd(st, ctx, c, m, &o, out);
  }
  st->api->free(ctx, c);
  if(rc)
    return rc;
  out->repeat_buyers = 0;
  for(i = 0; i < d->n; i++)
    out->repeat_buyers += d->c[i].x > 0;
  /* the fallback mean first: the Gamma-Gamma fit rescales m_x */
  out->p.mean_spend = clv_fit_mean_spend(d);
  clv_fit_gg(st, ctx, d, &o, &out->p, &out->gg_ll, out->repeat_buyers, &rc);
  if(rc)
    return clv_fit_failed(st, ctx, rc, "gamma-gamma");
  if(out->p.have_gg)
    out->p.mean_spend = out->p.gg.p * out->p.gg.gamma /
                        (out->p.gg.q - 1) * out->p.money_scale;
  return CRM_OK;
}

/* ---- figures -------------------------------------------------------------- */

struct clv_fig {
  const char *name;
  double value;
  const char *label;
};

static int clv_put_all(struct clv_state *st, crm_host_ctx *ctx,
                       const struct clv_fig *f, size_t n)
{
  size_t i;
  int rc;

  for(i = 0; i < n; i++) {
    rc = st->api->figure_put(ctx, f[i].name, f[i].value, f[i].label);
    if(rc)
      return rc;
  }
  return CRM_OK;
}

static int clv_fit_figures(struct clv_state *st, crm_host_ctx *ctx,
                           const struct clv_fitout *o, size_t n,
                           int64_t end_day, double fitted_at)
{
  const struct clv_params *p = &o->p;
  char day[16];
  char mean[48];
  char bgb[64];
  char pnb[64];
  int rc;

  clv_day_format(end_day, day, sizeof(day));
  clv_money_format(mean, sizeof(mean), p->mean_spend, o->ccy,
                   p->money_scale);
  clv_names(bgb, sizeof(bgb), p->bg_boundary, clv_bg_names);
  clv_names(pnb, sizeof(pnb), o->pn_boundary, clv_pn_names);
  {
    const struct clv_fig base[] = {
      {"bgnbd_r", p->bg.r, NULL},
      {"bgnbd_alpha", p->bg.alpha, NULL},
      {"bgnbd_a", p->bg.a, NULL},
      {"bgnbd_b", p->bg.b, NULL},
      {"bgnbd_ll", o->bg_ll, "BG/NBD log-likelihood"},
      {"customers", (double)n, "customers summarised"},
      {"repeat_buyers", (double)o->repeat_buyers, "customers with x > 0"},
      {"unit_days", p->unit_days, st->cfg.unit_name},
      {"calibration_end", (double)((end_day + 1) * CLV_DAY), day},
      {"mean_spend", p->mean_spend, mean},
      {"money_scale", p->money_scale, o->ccy[0] ? o->ccy : NULL},
      {"bgnbd_boundary", p->bg_boundary ? 1 : 0,
       p->bg_boundary ? bgb : "no parameter at a limit"},
    };
    rc = clv_put_all(st, ctx, base, sizeof(base) / sizeof(base[0]));
  }
  if(!rc && p->have_gg) {
    const struct clv_fig gg[] = {
      {"gg_p", p->gg.p, NULL},
      {"gg_q", p->gg.q, NULL},
      {"gg_gamma", p->gg.gamma, NULL},
      {"gg_ll", o->gg_ll, "Gamma-Gamma log-likelihood"},
    };
    rc = clv_put_all(st, ctx, gg, sizeof(gg) / sizeof(gg[0]));
  }
  if(!rc && p->have_pnbd) {
    const struct clv_fig pn[] = {
      {"pnbd_r", p->pn.r, NULL},
      {"pnbd_alpha", p->pn.alpha, NULL},
      {"pnbd_s", p->pn.s, NULL},
      {"pnbd_beta", p->pn.beta, NULL},
      {"pnbd_ll", o->pn_ll, "Pareto/NBD log-likelihood"},
      {"pnbd_boundary", o->pn_boundary ? 1 : 0,
       o->pn_boundary ? pnb : "no parameter at a limit"},
    };
    rc = clv_put_all(st, ctx, pn, sizeof(pn) / sizeof(pn[0]));
  }
  /* last: the stamp score_event compares to see a new fit */
  if(!rc)
    rc = st->api->figure_put(ctx, "fitted_at", fitted_at, NULL);
  return rc;
}

/* ---- scoring everybody with the new parameters ------------------------- */

struct clv_fitscore {
  int64_t end_day;
  int64_t done;
  int64_t total;
};

static int clv_fit_score_one(struct clv_walk *w)
{
  struct clv_fitscore *fs = w->ud;
  btyd_cust s;
  int rc;

  if(btyd_acc_summary(&w->acc, fs->end_day, w->st->par.unit_days, &s))
    return CRM_OK;
  rc = clv_score_customer(w->st, w->ctx, w->cur, &s, w->ccy);
  if(rc)
    return rc;
  fs->done++;
  if((fs->done & CLV_PROGRESS_CUSTOMERS) == 0)
    return w->st->api->progress(w->ctx, fs->done, fs->total);
  return CRM_OK;
}

static int clv_fit_score(struct clv_state *st, crm_host_ctx *ctx,
                         int64_t as_of, size_t n)
{
  struct clv_fitscore fs;
  struct clv_walk w;
  crm_event_filter f;
  int rc;

  fs.end_day = clv_day_of(as_of - 1);
  fs.done = 0;
  fs.total = (int64_t)n;
  memset(&f, 0, sizeof(f));
  f.struct_size = sizeof(f);
  f.types = CLV_TYPES;
  f.until = as_of;
  clv_walk_init(&w, st, ctx);
  w.done = clv_fit_score_one;
  w.ud = &fs;
  rc = clv_walk_run(&w, &f);
  if(!rc)
    rc = st->api->progress(ctx, fs.done, fs.total);
  return rc;
}

/* ---- the fit step ----------------------------------------------------------- */

static int clv_fit_summarise(struct clv_state *st, crm_host_ctx *ctx,
                             struct clv_fitdata *d, int64_t until)
{
  struct clv_walk w;
  crm_event_filter f;

  memset(&f, 0, sizeof(f));
  f.struct_size = sizeof(f);
  f.types = CLV_TYPES;
  f.until = until;
  clv_walk_init(&w, st, ctx);
  w.done = clv_fit_push;
  w.ud = d;
  w.progress = 1;
  return clv_walk_run(&w, &f);
}

static int clv_fit_run(struct clv_state *st, crm_host_ctx *ctx,
                       const crm_fit_request *req, struct clv_fitdata *d)
{
  struct clv_fitout out;
  char day[16];
  int64_t until = (d->end_day + 1) * CLV_DAY;
  int rc;

  if(until > req->as_of)
    until = req->as_of;
  rc = st->api->progress(ctx, 0, 0);
  if(!rc)
    rc = clv_fit_summarise(st, ctx, d, until);
  if(rc)
    return clv_fit_failed(st, ctx, rc, "clv");
  clv_day_format(d->end_day, day, sizeof(day));
  if(d->n == 0)
    return st->api->set_error(ctx, CRM_ESTATE,
                              "no customer has a purchase on or before %s: "
                              "nothing to fit", day);
  memset(&out, 0, sizeof(out));
  out.p.unit_days = d->unit_days;
  out.ccy = st->cfg.currency[0] ? st->cfg.currency
                                : (d->ccy_mixed ? "" : d->ccy);
  out.p.money_scale = clv_ccy_scale(out.ccy);
  rc = clv_fit_models(st, ctx, d, &out);
  if(rc)
    return rc;
  out.p.fitted_at = (double)st->api->now(ctx);
  rc = clv_fit_figures(st, ctx, &out, d->n, d->end_day, out.p.fitted_at);
  if(rc)
    return rc;
  st->par = out.p;
  st->par.valid = 1;
  clv_params_derive(st);
  st->warned_unfitted = 0;
  st->unusable = 0;
  if(!(req->flags & CRM_FIT_SCORE))
    return CRM_OK;
  rc = clv_fit_score(st, ctx, req->as_of, d->n);
  return rc ? clv_fit_failed(st, ctx, rc, "clv") : CRM_OK;
}

int clv_fit(void *state, crm_host_ctx *ctx, const crm_fit_request *req)
{
  struct clv_state *st = state;
  struct clv_fitdata d;
  int64_t as_of_day;
  char a[16], b[16];
  int rc;

  if(!req)
    return st->api->set_error(ctx, CRM_EINVAL, "no fit request");
  as_of_day = clv_day_of(req->as_of - 1);
  memset(&d, 0, sizeof(d));
  d.unit_days = st->cfg.unit_days;
  d.end_day = st->cfg.cal_end_day < 0 ? as_of_day : st->cfg.cal_end_day;
  if(d.end_day > as_of_day) {
    clv_day_format(d.end_day, a, sizeof(a));
    clv_day_format(as_of_day, b, sizeof(b));
    return st->api->set_error(ctx, CRM_EINVAL,
                              "calibration_end %s is after the fit's last "
                              "day %s (as_of)", a, b);
  }
  /* the cached figures are stale whatever happens (a rolled-back fit
   * too): the next call reads them again */
  st->par.valid = 0;
  rc = clv_fit_run(st, ctx, req, &d);
  if(rc)
    st->par.valid = 0;
  st->api->free(ctx, d.c);
  return rc;
}
