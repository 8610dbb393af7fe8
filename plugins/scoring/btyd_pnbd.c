/*
 * btyd_pnbd.c - Pareto/NBD (Schmittlein, Morrison and Colombo 1987), in
 * the form of Fader and Hardie, "A note on deriving the Pareto/NBD model
 * and related expressions" (2005), eqs. (19)-(22):
 *
 *   L = Gamma(r+x) alpha^r beta^s / Gamma(r) *
 *       [ 1 / ((alpha+T)^(r+x) (beta+T)^s) + s / (r+s+x) * A0 ]
 *
 * with, for alpha >= beta (m = alpha, b2 = s + 1) and alpha < beta
 * (m = beta, b2 = r + x), d = |alpha - beta|:
 *
 *   A0 = 2F1(r+s+x, b2; r+s+x+1; d/(m+t_x)) / (m+t_x)^(r+s+x)
 *      - 2F1(r+s+x, b2; r+s+x+1; d/(m+T)) / (m+T)^(r+s+x).
 *
 * Both 2F1 arguments are in [0, 1), both branches keep the series'
 * parameters positive, and everything is combined in logs (A0 as
 * e^l1 (1 - e^(l2 - l1)) with expm1), so neither alpha > beta nor
 * alpha < beta, nor large x, overflows or cancels badly.
 */
#include <math.h>

#include "btyd_int.h"

/* ln of the first and second bracket terms of L (before the common
 * factor): *l_alive = -(r+x) ln(alpha+T) - s ln(beta+T), *l_dead = ln(s /
 * (r+s+x) A0), -inf when A0 = 0 (t_x = T). */
static int pn_parts(const btyd_pnbd *p, double x, double t_x, double T,
                    double *l_alive, double *l_dead, double *work)
{
  double rsx = p->r + p->s + x, m, b2, d, l1, l2;

  *l_alive = -(p->r + x) * log(p->alpha + T) - p->s * log(p->beta + T);
  if(p->alpha >= p->beta) {
    m = p->alpha;
    b2 = p->s + 1;
    d = p->alpha - p->beta;
  } else {
    m = p->beta;
    b2 = p->r + x;
    d = p->beta - p->alpha;
  }
  l1 = btyd__hyp2f1_ln(rsx, b2, rsx + 1, d / (m + t_x), work) -
       rsx * log(m + t_x);
  l2 = btyd__hyp2f1_ln(rsx, b2, rsx + 1, d / (m + T), work) -
       rsx * log(m + T);
  if(isnan(l1) || isnan(l2))
    return BTYD_ENUM;
  if(l2 >= l1)
    *l_dead = -HUGE_VAL;
  else
    *l_dead = log(p->s / rsx) + l1 + log(-expm1(l2 - l1));
  return 0;
}

static double logaddexp(double u, double v)
{
  if(u == -HUGE_VAL)
    return v;
  if(v == -HUGE_VAL)
    return u;
  return u > v ? u + log1p(exp(v - u)) : v + log1p(exp(u - v));
}

static double pn_ll_row(const btyd_pnbd *p, btyd__lgx *t, double x,
                        double t_x, double T, double *work)
{
  double la, ld;

  if(pn_parts(p, x, t_x, T, &la, &ld, work))
    return NAN;
  return btyd__lgx_get(t, x) + p->r * log(p->alpha) + p->s * log(p->beta) +
         logaddexp(la, ld);
}

double btyd_pnbd_ll1(const btyd_pnbd *p, double x, double t_x, double T)
{
  btyd__lgx t;

  btyd__lgx_direct(&t, p->r);
  return pn_ll_row(p, &t, x, t_x, T, NULL);
}

static double pn_ll_sum(const btyd_pnbd *p, const btyd_cust *c, size_t n,
                        double *work)
{
  btyd__lgx t;
  double ll = 0;
  size_t i;

  btyd__lgx_init(&t, p->r);
  for(i = 0; i < n; i++)
    if(btyd__row_ok(&c[i]))
      ll += c[i].w * pn_ll_row(p, &t, c[i].x, c[i].t_x, c[i].T, work);
  return ll;
}

double btyd_pnbd_ll(const btyd_pnbd *p, const btyd_cust *c, size_t n)
{
  return pn_ll_sum(p, c, n, NULL);
}

/* The fit's work budget, in 2F1 series terms (a few ns each): a fixed
 * allowance plus PN_WORK_ROW per row and evaluation. A fit of ordinary
 * data stays far below (CDNOW: about 10 terms per row and evaluation);
 * degenerate data, whose parameters run to where every 2F1 costs
 * thousands of terms, stop after some seconds with BTYD_ECONVERGE instead
 * of running for minutes. */
#define PN_WORK_FIXED 1e9

#define PN_WORK_ROW 1000.0

typedef struct pn_fit {
  const btyd_cust *c;
  size_t n;
  double wsum;
  double work;   /* series terms so far */
  double rows;   /* rows evaluated so far */
  int stop;      /* the budget is spent */
} pn_fit;

static double pn_objective(const double *th, void *ud)
{
  pn_fit *d = ud;
  btyd_pnbd p;
  int i;

  for(i = 0; i < 4; i++)
    if(!(fabs(th[i]) <= 30))
      return HUGE_VAL;
  p.r = exp(th[0]);
  p.alpha = exp(th[1]);
  p.s = exp(th[2]);
  p.beta = exp(th[3]);
  d->rows += (double)d->n;
  {
    double v = -pn_ll_sum(&p, d->c, d->n, &d->work) / d->wsum;

    if(d->work > PN_WORK_FIXED + PN_WORK_ROW * d->rows)
      d->stop = 1;
    return v;
  }
}

int btyd_pnbd_fit(const btyd_cust *c, size_t n, const btyd_fit_opts *o,
                  btyd_pnbd *out, double *ll)
{
  pn_fit d = {c, n, 0, 0, 0, 0};
  double th[4] = {0, 0, 0, 0}, f = 0;
  size_t i;
  int rc = btyd_data_check(c, n);

  if(rc)
    return rc;
  for(i = 0; i < n; i++)
    if(btyd__row_ok(&c[i]))
      d.wsum += c[i].w;
  rc = btyd__minimize(4, th, pn_objective, &d, btyd__lim_pn, &d.stop, o,
                      &f);
  if(rc != 0 && rc != BTYD_ECONVERGE && rc != BTYD__ECAPPED)
    return rc;
  out->r = exp(th[0]);
  out->alpha = exp(th[1]);
  out->s = exp(th[2]);
  out->beta = exp(th[3]);
  if(ll)
    *ll = -f * d.wsum;
  return btyd__fit_rc(rc, btyd_pnbd_boundary(out));
}

/* P(alive) = 1 / (1 + s/(r+s+x) (alpha+T)^(r+x) (beta+T)^s A0), note
 * eq. (18). */
double btyd_pnbd_p_alive(const btyd_pnbd *p, double x, double t_x, double T)
{
  double la, ld;

  if(pn_parts(p, x, t_x, T, &la, &ld, NULL))
    return NAN;
  if(ld == -HUGE_VAL)
    return 1;
  return 1 / (1 + exp(ld - la));
}

/* E[Y(t)] = (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^
 * (s-1)] P(alive), note eq. (20); the bracket over (s - 1) by expm1, so
 * s = 1 is its limit (beta+T) ln(1 + t/(beta+T)). */
double btyd_pnbd_expected(const btyd_pnbd *p, double x, double t_x,
                          double T, double t)
{
  double L = log1p(t / (p->beta + T)), k = p->s - 1, f;

  if(t <= 0)
    return 0;
  f = k == 0 ? L : -expm1(-k * L) / k;
  return (p->r + x) / (p->alpha + T) * (p->beta + T) * f *
         btyd_pnbd_p_alive(p, x, t_x, T);
}
