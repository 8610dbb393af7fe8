/*
 * btyd.c - summaries, BG/NBD, Gamma-Gamma and CLV (see btyd.h).
 *
 * BG/NBD: Fader, Hardie and Lee (2005), "Counting your customers the easy
 * way: an alternative to the Pareto/NBD model", Marketing Science 24(2),
 * eqs. (6), (10), (13). Gamma-Gamma: Fader, Hardie and Lee (2005), "RFM
 * and CLV: using iso-value curves", and Fader & Hardie, "The Gamma-Gamma
 * model of monetary value" (2013). Pareto/NBD lives in btyd_pnbd.c, 2F1 in
 * btyd_special.c, the optimiser in btyd_opt.c.
 */
#include <math.h>
#include <string.h>

#include "btyd_int.h"

const char *btyd_strerror(int rc)
{
  switch(rc) {
  case 0:
    return "ok";
  case BTYD_EDATA:
    return "no usable data";
  case BTYD_ENOAGE:
    return "no customer observed for any time (T = 0)";
  case BTYD_ENOREPEAT:
    return "no repeat buyer";
  case BTYD_EFEW:
    return "too few distinct customers (fewer distinct summaries than "
           "parameters) to fit the model";
  case BTYD_ECONVERGE:
    return "the optimiser did not converge (iteration or evaluation cap "
           "reached)";
  case BTYD_ENUM:
    return "numerical failure";
  default:
    return rc > 0 ? "stopped by the progress callback" : "unknown error";
  }
}

/* ---- compress: in-place introsort (no allocation, unlike qsort) ------ */

static int cust_cmp(const btyd_cust *p, const btyd_cust *q)
{
  if(p->x != q->x)
    return p->x < q->x ? -1 : 1;
  if(p->t_x != q->t_x)
    return p->t_x < q->t_x ? -1 : 1;
  if(p->T != q->T)
    return p->T < q->T ? -1 : 1;
  return 0;
}

static void cust_swap(btyd_cust *p, btyd_cust *q)
{
  btyd_cust t = *p;

  *p = *q;
  *q = t;
}

static void sift_down(btyd_cust *c, size_t i, size_t n)
{
  for(;;) {
    size_t m = i, l = 2 * i + 1, r = l + 1;

    if(l < n && cust_cmp(&c[l], &c[m]) > 0)
      m = l;
    if(r < n && cust_cmp(&c[r], &c[m]) > 0)
      m = r;
    if(m == i)
      return;
    cust_swap(&c[i], &c[m]);
    i = m;
  }
}

static void heap_sort(btyd_cust *c, size_t n)
{
  size_t i;

  for(i = n / 2; i-- > 0;)
    sift_down(c, i, n);
  for(i = n; i-- > 1;) {
    cust_swap(&c[0], &c[i]);
    sift_down(c, 0, i);
  }
}

static void insertion_sort(btyd_cust *c, size_t n)
{
  size_t i, j;

  for(i = 1; i < n; i++) {
    btyd_cust t = c[i];

    for(j = i; j > 0 && cust_cmp(&c[j - 1], &t) > 0; j--)
      c[j] = c[j - 1];
    c[j] = t;
  }
}

/* Hoare partition around the median of three; returns the split. */
static size_t partition(btyd_cust *c, size_t n)
{
  size_t i = 0, j = n - 1, mid = n / 2;
  btyd_cust pivot;

  if(cust_cmp(&c[mid], &c[0]) < 0)
    cust_swap(&c[mid], &c[0]);
  if(cust_cmp(&c[j], &c[0]) < 0)
    cust_swap(&c[j], &c[0]);
  if(cust_cmp(&c[j], &c[mid]) < 0)
    cust_swap(&c[j], &c[mid]);
  pivot = c[mid];
  for(;;) {
    while(cust_cmp(&c[i], &pivot) < 0)
      i++;
    while(cust_cmp(&c[j], &pivot) > 0)
      j--;
    if(i >= j)
      return j + 1;
    cust_swap(&c[i], &c[j]);
    i++;
    j--;
  }
}

static void intro_sort(btyd_cust *c, size_t n, int depth)
{
  while(n > 16) {
    size_t p;

    if(depth-- == 0) {
      heap_sort(c, n);
      return;
    }
    p = partition(c, n);
    /* recurse into the smaller part, loop on the larger */
    if(p < n - p) {
      intro_sort(c, p, depth);
      c += p;
      n -= p;
    } else {
      intro_sort(c + p, n - p, depth);
      n = p;
    }
  }
  insertion_sort(c, n);
}

size_t btyd_compress(btyd_cust *c, size_t n)
{
  size_t i, out = 0;
  int depth = 0;

  if(n == 0)
    return 0;
  for(i = n; i > 0; i >>= 1)
    depth += 2;
  intro_sort(c, n, depth);
  for(i = 0; i < n; i++) {
    if(out > 0 && cust_cmp(&c[out - 1], &c[i]) == 0) {
      c[out - 1].w += c[i].w;
      continue;
    }
    c[out] = c[i];
    c[out].m_x = 0;
    out++;
  }
  return out;
}

/* ---- summaries ------------------------------------------------------- */

void btyd_acc_reset(btyd_acc *a)
{
  a->n = 0;
}

void btyd_acc_purchase(btyd_acc *a, int64_t day, double amount)
{
  size_t i;

  if(a->cap == 0 || !a->days)
    return;
  if(a->n > 0 && a->days[a->n - 1].day >= day) {
    /* same day (or, against the contract, an earlier one: find it) */
    for(i = a->n; i-- > 0;) {
      if(a->days[i].day == day) {
        a->days[i].spend += amount;
        return;
      }
      if(a->days[i].day < day)
        break;
    }
    if(a->n == a->cap) { /* full: the earlier day cannot be kept apart */
      a->days[a->n - 1].spend += amount;
      return;
    }
    i++; /* insert at i (after the last day before it) */
    memmove(&a->days[i + 1], &a->days[i], (a->n - i) * sizeof(btyd_day));
    a->days[i].day = day;
    a->days[i].spend = amount;
    a->n++;
    return;
  }
  if(a->n == a->cap) { /* full: the last day moves to this one */
    a->days[a->n - 1].day = day;
    a->days[a->n - 1].spend += amount;
    return;
  }
  a->days[a->n].day = day;
  a->days[a->n].spend = amount;
  a->n++;
}

void btyd_acc_refund(btyd_acc *a, int64_t day, double amount)
{
  size_t i = a->n;

  while(i > 0 && a->days[i - 1].day > day)
    i--;
  while(i > 0 && amount > 0) {
    btyd_day *d = &a->days[--i];
    double take;

    if(d->spend <= 0)
      continue;
    take = amount < d->spend ? amount : d->spend;
    d->spend -= take;
    amount -= take;
    if(d->spend <= 0) { /* refunded away: no purchase day any more */
      memmove(d, d + 1, (a->n - i - 1) * sizeof(btyd_day));
      a->n--;
    }
  }
}

int btyd_acc_summary(const btyd_acc *a, int64_t end_day, double unit_days,
                     btyd_cust *out)
{
  size_t k = 0, i;
  double sum = 0;

  while(k < a->n && a->days[k].day <= end_day)
    k++;
  if(k == 0 || !(unit_days > 0))
    return -1;
  for(i = 1; i < k; i++)
    sum += a->days[i].spend;
  out->x = (double)(k - 1);
  out->t_x = (double)(a->days[k - 1].day - a->days[0].day) / unit_days;
  out->T = (double)(end_day - a->days[0].day) / unit_days;
  out->m_x = k > 1 ? sum / (double)(k - 1) : 0;
  out->w = 1;
  return 0;
}

/* ---- what the data can identify ------------------------------------ */

/* Counts distinct (u, v, w) up to `want` in seen[] (no allocation). */
static int distinct_add(double seen[][3], int *k, int want, double u,
                        double v, double w)
{
  int i;

  for(i = 0; i < *k; i++)
    if(seen[i][0] == u && seen[i][1] == v && seen[i][2] == w)
      return *k >= want;
  if(*k < want) {
    seen[*k][0] = u;
    seen[*k][1] = v;
    seen[*k][2] = w;
    ++*k;
  }
  return *k >= want;
}

int btyd_data_check(const btyd_cust *c, size_t n)
{
  double seen[BTYD_MIN_DISTINCT][3];
  int k = 0, rows = 0, aged = 0, repeat = 0;
  size_t i;

  for(i = 0; i < n; i++) {
    if(!btyd__row_ok(&c[i]))
      continue;
    rows = 1;
    if(!(c[i].T > 0))
      continue;
    aged = 1;
    repeat |= c[i].x > 0;
    distinct_add(seen, &k, BTYD_MIN_DISTINCT, c[i].x, c[i].t_x, c[i].T);
  }
  if(!rows)
    return BTYD_EDATA;
  if(!aged)
    return BTYD_ENOAGE;
  if(!repeat)
    return BTYD_ENOREPEAT;
  return k < BTYD_MIN_DISTINCT ? BTYD_EFEW : 0;
}

static int gg_row_ok(const btyd_cust *c)
{
  return btyd__row_ok(c) && c->x > 0 && c->m_x > 0 && isfinite(c->m_x);
}

int btyd_gg_data_check(const btyd_cust *c, size_t n)
{
  double seen[BTYD_MIN_DISTINCT_GG][3];
  int k = 0, rows = 0;
  size_t i;

  for(i = 0; i < n; i++) {
    rows |= btyd__row_ok(&c[i]);
    if(gg_row_ok(&c[i]))
      distinct_add(seen, &k, BTYD_MIN_DISTINCT_GG, c[i].x, c[i].m_x, 0);
  }
  if(!rows)
    return BTYD_EDATA;
  if(k == 0)
    return BTYD_ENOREPEAT;
  return k < BTYD_MIN_DISTINCT_GG ? BTYD_EFEW : 0;
}

/* The same limits on the log-parameters, for the optimiser: shape,
 * scale, shape, shape (BG/NBD: r alpha a b) or shape, scale, shape,
 * scale (Pareto/NBD: r alpha s beta): ln 1e6 = 13.8155 < 28. */
#define LN_SHAPE 13.815510557964274
const double btyd__lim_bg[4] = {LN_SHAPE, BTYD_SCALE_LIMIT_LN, LN_SHAPE,
                                LN_SHAPE};
const double btyd__lim_pn[4] = {LN_SHAPE, BTYD_SCALE_LIMIT_LN, LN_SHAPE,
                                BTYD_SCALE_LIMIT_LN};
const double btyd__lim_gg[3] = {LN_SHAPE, LN_SHAPE, BTYD_SCALE_LIMIT_LN};

static int shape_at_limit(double v)
{
  return !(v >= 1 / BTYD_SHAPE_LIMIT && v <= BTYD_SHAPE_LIMIT);
}

static int scale_at_limit(double v)
{
  return !(fabs(log(v)) <= BTYD_SCALE_LIMIT_LN);
}

unsigned btyd_bgnbd_boundary(const btyd_bgnbd *p)
{
  return (unsigned)shape_at_limit(p->r) | (unsigned)scale_at_limit(p->alpha)
         << 1 | (unsigned)shape_at_limit(p->a) << 2 |
         (unsigned)shape_at_limit(p->b) << 3;
}

unsigned btyd_pnbd_boundary(const btyd_pnbd *p)
{
  return (unsigned)shape_at_limit(p->r) | (unsigned)scale_at_limit(p->alpha)
         << 1 | (unsigned)shape_at_limit(p->s) << 2 |
         (unsigned)scale_at_limit(p->beta) << 3;
}

unsigned btyd_gg_boundary(const btyd_gg *p)
{
  return (unsigned)shape_at_limit(p->p) | (unsigned)shape_at_limit(p->q)
         << 1 | (unsigned)scale_at_limit(p->gamma) << 2;
}

/* ---- BG/NBD ---------------------------------------------------------- */

/* The x-dependent lgamma terms of the BG/NBD likelihood: lgamma(r+x) -
 * lgamma(r) and ln B(a, b+x) / B(a, b), by recurrence for integer x. */
typedef struct bg_tab {
  btyd__lgx rx;  /* lgamma(r+x) - lgamma(r) */
  btyd__lgx bx;  /* lgamma(b+x) - lgamma(b) */
  btyd__lgx abx; /* lgamma(a+b+x) - lgamma(a+b) */
} bg_tab;

static double bg_ll_row(const btyd_bgnbd *p, bg_tab *t, double x, double t_x,
                        double T)
{
  double head = btyd__lgx_get(&t->rx, x) + p->r * log(p->alpha) +
                btyd__lgx_get(&t->bx, x) - btyd__lgx_get(&t->abx, x);
  double l3 = -(p->r + x) * log(p->alpha + T), l4;

  if(x <= 0)
    return head + l3;
  l4 = log(p->a / (p->b + x - 1)) - (p->r + x) * log(p->alpha + t_x);
  if(l4 > l3)
    return head + l4 + log1p(exp(l3 - l4));
  return head + l3 + log1p(exp(l4 - l3));
}

static void bg_tab_init(bg_tab *t, const btyd_bgnbd *p)
{
  btyd__lgx_init(&t->rx, p->r);
  btyd__lgx_init(&t->bx, p->b);
  btyd__lgx_init(&t->abx, p->a + p->b);
}

double btyd_bgnbd_ll1(const btyd_bgnbd *p, double x, double t_x, double T)
{
  bg_tab t;

  btyd__lgx_direct(&t.rx, p->r);
  btyd__lgx_direct(&t.bx, p->b);
  btyd__lgx_direct(&t.abx, p->a + p->b);
  return bg_ll_row(p, &t, x, t_x, T);
}

double btyd_bgnbd_ll(const btyd_bgnbd *p, const btyd_cust *c, size_t n)
{
  bg_tab t;
  double ll = 0;
  size_t i;

  bg_tab_init(&t, p);
  for(i = 0; i < n; i++)
    if(btyd__row_ok(&c[i]))
      ll += c[i].w * bg_ll_row(p, &t, c[i].x, c[i].t_x, c[i].T);
  return ll;
}

typedef struct fit_data {
  const btyd_cust *c;
  size_t n;
  double wsum;
} fit_data;

#define TH_MAX 30.0 /* |log parameter| beyond it: not a sensible model */

static int th_ok(const double *th, int k)
{
  int i;

  for(i = 0; i < k; i++)
    if(!(fabs(th[i]) <= TH_MAX))
      return 0;
  return 1;
}

static double bg_objective(const double *th, void *ud)
{
  const fit_data *d = ud;
  btyd_bgnbd p;

  if(!th_ok(th, 4))
    return HUGE_VAL;
  p.r = exp(th[0]);
  p.alpha = exp(th[1]);
  p.a = exp(th[2]);
  p.b = exp(th[3]);
  return -btyd_bgnbd_ll(&p, d->c, d->n) / d->wsum;
}

static double weight_sum(const btyd_cust *c, size_t n, int need_spend)
{
  double w = 0;
  size_t i;

  for(i = 0; i < n; i++)
    if(need_spend ? gg_row_ok(&c[i]) : btyd__row_ok(&c[i]))
      w += c[i].w;
  return w;
}

int btyd_bgnbd_fit(const btyd_cust *c, size_t n, const btyd_fit_opts *o,
                   btyd_bgnbd *out, double *ll)
{
  fit_data d = {c, n, weight_sum(c, n, 0)};
  double th[4] = {0, 0, 0, 0}, f = 0;
  int rc = btyd_data_check(c, n);

  if(rc)
    return rc;
  rc = btyd__minimize(4, th, bg_objective, &d, btyd__lim_bg, NULL, o,
                      &f);
  if(rc != 0 && rc != BTYD_ECONVERGE && rc != BTYD__ECAPPED)
    return rc;
  out->r = exp(th[0]);
  out->alpha = exp(th[1]);
  out->a = exp(th[2]);
  out->b = exp(th[3]);
  if(ll)
    *ll = -f * d.wsum;
  return btyd__fit_rc(rc, btyd_bgnbd_boundary(out));
}

/* a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x), 0 for x = 0. */
static double bg_odds_dead(const btyd_bgnbd *p, double x, double t_x, double T)
{
  if(x <= 0)
    return 0;
  return p->a / (p->b + x - 1) *
         exp((p->r + x) * log((p->alpha + T) / (p->alpha + t_x)));
}

double btyd_bgnbd_p_alive(const btyd_bgnbd *p, double x, double t_x, double T)
{
  return 1 / (1 + bg_odds_dead(p, x, t_x, T));
}

/* E[Y(t)] of a customer surely alive when a >= BTYD_BG_LIMIT_A. Given
 * alive, lambda ~ Gamma(r+x, alpha+T) and p ~ Beta(a, b+x) independently,
 * and E[Y(t) | lambda, p] = (1 - e^(-lambda p t)) / p, so the exact value
 * is E_p[g(p)] with g(p) = (1 - (1 + p z)^-(r+x)) / p, z = t/(alpha+T)
 * (the 2F1 form below is that expectation in closed form). With a large
 * the Beta is narrow: E[g(p)] = g(mu) + g''(mu) var / 2 + O(1/a^2), mu =
 * a/(a+b+x), var = a (b+x) / ((a+b+x)^2 (a+b+x+1)). Against the 2F1 form
 * (computed to 30 digits) the relative error is below 2e-8 at a = 1e4 and
 * 1e-12 from a = 1e6 (r from 0.003 to 1e8, x to 1000, z to 1e5, b from
 * 1e-3 to 1e12); g(mu) alone is off by up to 1e-6 at a = 1e6, g(a/(a+b))
 * by up to 1e-3 (x = 1000). */
static double bg_limit_expected(const btyd_bgnbd *p, double x, double T,
                                double t)
{
  double z = t / (p->alpha + T), k = p->r + x, n = p->a + p->b + x;
  double mu = p->a / n, var = p->a / n * ((p->b + x) / n) / (n + 1);
  double u = 1 + mu * z, f0, f1, f2, g2;

  /* f0 = 1 - u^-k without cancellation when mu z is small */
  f0 = -expm1(-k * log1p(mu * z));
  f1 = k * z * exp(-(k + 1) * log(u));
  f2 = -k * (k + 1) * z * z * exp(-(k + 2) * log(u));
  g2 = f2 / mu - 2 * f1 / (mu * mu) + 2 * f0 / (mu * mu * mu);
  return f0 / mu + g2 * var / 2;
}

/* (a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x;
 * a+b+x-1; t/(alpha+T+t))]: E[Y(t)] of a customer surely alive. By Pfaff
 * the bracket is 1 - 2F1(r+x, a-1; a+b+x-1; -t/(alpha+T)), whose
 * parameters stay small, so no overflow however large x is. At a = 1 the
 * ratio is 0/0: the mean of a = 1 -+ 1e-5 (error ~1e-10). */
static double bg_alive_expected(const btyd_bgnbd *p, btyd__hyp *h, double x,
                                double T, double t)
{
  double g;

  if(t <= 0)
    return 0;
  if(p->a >= BTYD_BG_LIMIT_A)
    return bg_limit_expected(p, x, T, t);
  if(fabs(p->a - 1) < 1e-6) {
    btyd_bgnbd lo = *p, hi = *p;

    lo.a = 1 - 1e-5;
    hi.a = 1 + 1e-5;
    return (bg_alive_expected(&lo, NULL, x, T, t) +
            bg_alive_expected(&hi, NULL, x, T, t)) /
           2;
  }
  g = btyd__hyp2f1_h(h, p->r + x, p->a - 1, p->a + p->b + x - 1,
                     -t / (p->alpha + T));
  return (p->a + p->b + x - 1) / (p->a - 1) * (1 - g);
}

double btyd_bgnbd_expected(const btyd_bgnbd *p, double x, double t_x,
                           double T, double t)
{
  return bg_alive_expected(p, NULL, x, T, t) *
         btyd_bgnbd_p_alive(p, x, t_x, T);
}

double btyd_bgnbd_clv(const btyd_bgnbd *p, double x, double t_x, double T,
                      double spend, double margin, double step, int steps,
                      double rate)
{
  double pa = btyd_bgnbd_p_alive(p, x, t_x, T), prev = 0, disc = 1, sum = 0;
  btyd__hyp h = {0};
  int i;

  for(i = 1; i <= steps; i++) {
    double e = bg_alive_expected(p, &h, x, T, step * i);

    disc /= 1 + rate;
    sum += (e - prev) * disc;
    prev = e;
  }
  return sum * pa * spend * margin;
}

/* ---- Gamma-Gamma ----------------------------------------------------- */

static double gg_ll_row(const btyd_gg *p, double x, double m)
{
  double px = p->p * x;

  return lgamma(px + p->q) - lgamma(px) - lgamma(p->q) +
         p->q * log(p->gamma) + (px - 1) * log(m) + px * log(x) -
         (px + p->q) * log(p->gamma + x * m);
}

double btyd_gg_ll(const btyd_gg *p, const btyd_cust *c, size_t n)
{
  double ll = 0;
  size_t i;

  for(i = 0; i < n; i++)
    if(gg_row_ok(&c[i]))
      ll += c[i].w * gg_ll_row(p, c[i].x, c[i].m_x);
  return ll;
}

static double gg_objective(const double *th, void *ud)
{
  const fit_data *d = ud;
  btyd_gg p;

  if(!th_ok(th, 3))
    return HUGE_VAL;
  p.p = exp(th[0]);
  p.q = exp(th[1]);
  p.gamma = exp(th[2]);
  return -btyd_gg_ll(&p, d->c, d->n) / d->wsum;
}

int btyd_gg_fit(const btyd_cust *c, size_t n, const btyd_fit_opts *o,
                btyd_gg *out, double *ll)
{
  fit_data d = {c, n, weight_sum(c, n, 1)};
  double th[3] = {0, 0, 0}, f = 0;
  int rc = btyd_gg_data_check(c, n);

  if(rc)
    return rc;
  rc = btyd__minimize(3, th, gg_objective, &d, btyd__lim_gg, NULL, o, &f);
  if(rc != 0 && rc != BTYD_ECONVERGE && rc != BTYD__ECAPPED)
    return rc;
  out->p = exp(th[0]);
  out->q = exp(th[1]);
  out->gamma = exp(th[2]);
  if(ll)
    *ll = -f * d.wsum;
  return btyd__fit_rc(rc, btyd_gg_boundary(out));
}

double btyd_gg_expected_spend(const btyd_gg *p, double x, double m_x)
{
  double px;

  if(!(x > 0) || !(m_x > 0))
    return p->p * p->gamma / (p->q - 1);
  px = p->p * x;
  return (p->p * p->gamma + px * m_x) / (px + p->q - 1);
}
