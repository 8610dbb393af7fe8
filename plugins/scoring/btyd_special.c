/*
 * btyd_special.c - the Gauss hypergeometric function 2F1 for real
 * arguments and z < 1, and the log-gamma helpers of the likelihoods.
 *
 * Every value is carried as a mantissa and a natural-log scale (value =
 * m * exp(scale)) so that 2F1 with many purchases (parameters in the
 * hundreds, values far beyond 1e308) still combines without overflow.
 *
 * Regions (Abramowitz & Stegun 15.1.1, 15.3.5, 15.3.6):
 *   z < 0         Pfaff: (1-z)^-b 2F1(c-a, b; c; z/(z-1)), keeping the
 *                 parameter that is a non-positive integer or the smaller
 *                 one, then as below with w = z/(z-1) in (0, 1);
 *   0 <= z <= 0.6 the power series (of 2F1 or of its Euler transform);
 *   0.6 < z < 1   the 1-z connection formula (the series when its two
 *                 terms cancel, as with large parameters). When c-a-b is
 *                 within BTYD__DEG of an integer the two terms blow up:
 *                 for z <= 0.9 the power series is used instead, above it
 *                 a series whose terms fall like z^n when there is one
 *                 (c = a + 1: Pareto/NBD), else 2F1 is interpolated in c
 *                 (quintic, nodes at c-a-b = m +-h, m +- 2h, m +- 3h),
 *                 relative error about 1e-12 (1e-10 for z within 1e-9
 *                 of 1).
 * Cancellation is tracked; NaN when less than about 8 digits survive.
 */
#include <math.h>

#include "btyd_int.h"

#define SERIES_MAX 200000
#define SERIES_EPS 1.2e-16
#define DIRECT_Z 0.6
#define DEG_DIRECT_Z 0.9
#define BTYD__DEG 5e-4
#define RESCALE 1e200
#define LN_RESCALE 460.51701859880913680 /* ln 1e200 */
#define MAX_ERR 1e-8
#define SERIES_OK 1e-12 /* 1-z result worse than this: try the series */
#define NEAR_SERIES_OK 1e-11 /* as good as the interpolation near_integer */

/* A scaled value: m * exp(l); err is a relative error estimate, n the
 * series terms it cost. */
typedef struct sval {
  double m, l, err, n;
} sval;

static int is_nonpos_int(double v)
{
  return v <= 0 && v == floor(v);
}

/* ln |Gamma(v)| and its sign; +inf (sign 1) at the poles so that
 * 1 / Gamma there comes out 0. */
static double lgam_sign(double v, int *sign)
{
  *sign = 1;
  if(is_nonpos_int(v))
    return HUGE_VAL;
  if(v < 0 && fmod(floor(v), 2.0) != 0)
    *sign = -1;
  return lgamma(v);
}

/* The power series sum (a)_n (b)_n / ((c)_n n!) z^n. A pole (c + n = 0
 * before a polynomial ends) makes a term infinite: NaN. */
static sval series(double a, double b, double c, double z)
{
  sval out = {NAN, 0, HUGE_VAL, 0};
  double term = 1, sum = 1, amax = 1, l = 0;
  double an = a, bn = b, cn = c, n1 = 1;
  /* no stop before n passes every negative parameter: with c < 0 the
   * terms shrink, then surge where c + n comes near 0 */
  double nsafe = fmax(0, fmax(-c, fmax(-a, -b)));
  int n;

  /* could not end in time: the terms' ratio tends to z, so the tail
   * alone needs about ln(1e-16) / ln z terms; give up at once */
  if(nsafe >= SERIES_MAX ||
     (!is_nonpos_int(a) && !is_nonpos_int(b) &&
      -36.8 / log(fabs(z)) >= SERIES_MAX))
    return out;
  for(n = 0; n < SERIES_MAX; n++) {
    double r = an * bn / (cn * n1) * z, at;

    term *= r;
    sum += term;
    an += 1;
    bn += 1;
    cn += 1;
    n1 += 1;
    at = fabs(term);
    if(!(at > 0) || at == HUGE_VAL) /* polynomial ended, or a pole */
      break;
    if(at > amax) {
      amax = at;
      if(amax > RESCALE) {
        sum /= RESCALE;
        term /= RESCALE;
        amax /= RESCALE;
        l += LN_RESCALE;
      }
    }
    if(at <= SERIES_EPS * (1 - fabs(r)) * fabs(sum) && n > nsafe)
      break;
  }
  out.n = n + 1.0;
  if(n == SERIES_MAX || sum == 0 || !isfinite(sum))
    return out;
  out.m = sum;
  out.l = l;
  out.err = 2e-16 * (n + 1.0) * amax / fabs(sum) + 1e-16;
  return out;
}

/* s1 * exp(l1) * v1 + s2 * exp(l2) * v2 as a scaled value. */
static sval combine(double c1, int s1, sval v1, double c2, int s2, sval v2)
{
  sval out = {NAN, 0, HUGE_VAL, v1.n + v2.n};
  double l1 = c1 + v1.l, l2 = c2 + v2.l, lm, t1, t2;

  if(c1 == -HUGE_VAL || v1.m == 0) /* first term absent */
    l1 = -HUGE_VAL;
  if(c2 == -HUGE_VAL || v2.m == 0)
    l2 = -HUGE_VAL;
  if(l1 == -HUGE_VAL && l2 == -HUGE_VAL)
    return out;
  lm = l1 > l2 ? l1 : l2;
  t1 = l1 == -HUGE_VAL ? 0 : s1 * v1.m * exp(l1 - lm);
  t2 = l2 == -HUGE_VAL ? 0 : s2 * v2.m * exp(l2 - lm);
  if(!isfinite(t1) || !isfinite(t2) || t1 + t2 == 0)
    return out;
  out.m = t1 + t2;
  out.l = lm;
  /* lgamma of arguments around g is good to about 1e-16 g in the log */
  out.err = 0;
  if(t1 != 0)
    out.err += fabs(t1) * (v1.err + 1e-16 * (1 + fabs(c1)));
  if(t2 != 0)
    out.err += fabs(t2) * (v2.err + 1e-16 * (1 + fabs(c2)));
  out.err /= fabs(out.m);
  return out;
}

/* The Gamma-function factors of A&S 15.3.6 for (a, b, c), in logs with
 * signs; k1 = -inf when 1/Gamma(c-a) or 1/Gamma(c-b) is 0. */
static void omz_coef(btyd__hyp *h, double a, double b, double c)
{
  double d = c - a - b, lc, la, lb, lca, lcb;
  int sc, sa, sb, sca, scb, sd, smd;

  lc = lgam_sign(c, &sc);
  la = lgam_sign(a, &sa);
  lb = lgam_sign(b, &sb);
  lca = lgam_sign(c - a, &sca);
  lcb = lgam_sign(c - b, &scb);
  h->k1 = lc + lgam_sign(d, &sd) - lca - lcb;
  h->s1 = sc * sd * sca * scb;
  if(lca == HUGE_VAL || lcb == HUGE_VAL)
    h->k1 = -HUGE_VAL;
  h->k2 = lc + lgam_sign(-d, &smd) - la - lb;
  h->s2 = sc * smd * sa * sb;
  h->a = a;
  h->b = b;
  h->c = c;
  h->valid = 1;
}

/* A&S 15.3.6: 2F1 from two series in 1 - z (c - a - b not an integer);
 * h (may be NULL) keeps the Gamma factors between calls. */
static sval one_minus_z(double a, double b, double c, double z, btyd__hyp *h)
{
  double u = 1 - z, d = c - a - b;
  btyd__hyp local;
  sval f1 = {0, 0, 0, 0}, f2;

  if(!h || !h->valid || h->a != a || h->b != b || h->c != c) {
    h = h ? h : &local;
    omz_coef(h, a, b, c);
  }
  if(h->k1 != -HUGE_VAL)
    f1 = series(a, b, 1 - d, u);
  f2 = series(c - a, c - b, 1 + d, u);
  if(isnan(f1.m) || isnan(f2.m)) {
    sval bad = {NAN, 0, HUGE_VAL, f1.n + f2.n};
    return bad;
  }
  return combine(h->k1, h->s1, f1, h->k2 + d * log(u), h->s2, f2);
}

/* 2F1 for 0.5 < z < 1 with c - a - b within BTYD__DEG of the integer m:
 * quintic interpolation in c through c - a - b = m +- h, +- 2h, +- 3h
 * (2F1 is analytic in c; only the two terms of 15.3.6 have poles). */
#define NODES 6
static sval near_integer(double a, double b, double c, double z, double m)
{
  static const double node[NODES] = {-3, -2, -1, 1, 2, 3};
  double e = (c - a - b - m) / BTYD__DEG, lref, acc = 0, err = 0, n = 0;
  int i, j;
  sval v[NODES];

  for(i = 0; i < NODES; i++) {
    v[i] = one_minus_z(a, b, a + b + m + node[i] * BTYD__DEG, z, NULL);
    n += v[i].n;
    if(isnan(v[i].m)) {
      v[i].n = n;
      return v[i];
    }
  }
  lref = v[0].l;
  for(i = 0; i < NODES; i++) {
    double w = 1, t;

    for(j = 0; j < NODES; j++)
      if(j != i)
        w *= (e - node[j]) / (node[i] - node[j]);
    t = w * v[i].m * exp(v[i].l - lref);
    acc += t;
    err += fabs(t) * v[i].err;
  }
  {
    sval out = {acc, lref, 1e-11 + (acc != 0 ? err / fabs(acc) : 1), n};
    return out;
  }
}

/* A series form is "clean" when no parameter is below -1: then the terms
 * change sign at most once (z >= 0) and cannot cancel each other. */
static int clean(double a, double b, double c)
{
  return a > -1 && b > -1 && c > -1;
}

static sval euler(double a, double b, double c, double z)
{
  sval v = series(c - a, c - b, c, z);

  v.l += (c - a - b) * log1p(-z);
  return v;
}

/* The chosen one of two tries, with the terms of both. */
static sval cost(sval chosen, sval v, sval w)
{
  chosen.n = v.n + w.n;
  return chosen;
}

/* The power series of 2F1 itself or, by Euler's transformation, of
 * (1-z)^(c-a-b) 2F1(c-a, c-b; c; z): a polynomial first, then a clean
 * form, then the smaller |a b / c| (the terms' growth); the other form
 * when the first loses digits. With a large a and c = a + 1 (Pareto/NBD)
 * the Euler form's terms fall from the first. */
static sval direct(double a, double b, double c, double z)
{
  double ea = c - a, eb = c - b;
  int use_euler, ce, co;
  sval v, w;

  if(is_nonpos_int(a) || is_nonpos_int(b))
    return series(a, b, c, z);
  if(is_nonpos_int(ea) || is_nonpos_int(eb))
    return euler(a, b, c, z);
  co = clean(a, b, c);
  ce = clean(ea, eb, c);
  use_euler = ce != co ? ce : fabs(ea * eb) < fabs(a * b);
  v = use_euler ? euler(a, b, c, z) : series(a, b, c, z);
  if(!isnan(v.m) && v.err <= SERIES_OK)
    return v;
  w = use_euler ? series(a, b, c, z) : euler(a, b, c, z);
  return cost(!isnan(w.m) && (isnan(v.m) || w.err < v.err) ? w : v, v, w);
}

/* Terms that fall at least as fast as z^n from the first: 0 < a <= 1
 * and 0 < b <= c, or the other way round (the slack covers c - a
 * rounded from a large a + 1). */
static int falls(double a, double b, double c)
{
  const double one = 1 + 1e-9;

  return (a > 0 && a <= one && b > 0 && b <= c) ||
         (b > 0 && b <= one && a > 0 && a <= c);
}

/* 2F1 near z = 1 with c - a - b near an integer by a series whose terms
 * fall like z^n: the series itself, or the Euler form, as with
 * 2F1(a, b; a + 1; z) = (1-z)^(1-b) 2F1(1, a+1-b; a+1; z) (Pareto/NBD
 * with s -> 0, where the interpolation in c would sum 12 series of huge
 * parameters). NaN when neither form falls or it would take too long. */
static sval near_integer_series(double a, double b, double c, double z)
{
  sval none = {NAN, 0, HUGE_VAL, 0}, v;

  if(-39.0 / log(z) > SERIES_MAX / 4) /* 1e-17 needs ~ -39 / ln z terms */
    return none;
  if(falls(c - a, c - b, c))
    v = euler(a, b, c, z);
  else if(falls(a, b, c))
    v = series(a, b, c, z);
  else
    return none;
  if(isnan(v.m) || v.err > NEAR_SERIES_OK) {
    v.m = NAN;
    v.err = HUGE_VAL;
  }
  return v;
}

/* 2F1(a, b; a+1; z) for large a near z = 1 (Pareto/NBD as r or x grow)
 * by Pfaff: (1-z)^-b 2F1(1, b; a+1; -k), k = z/(1-z), whose terms
 * (b)_n (-k)^n / (a+1)_n alternate and fall at first by b k / (a+1). The
 * series diverges in the end (k > 1), but while the terms fall the sum is
 * within the first omitted term of 2F1, and with b k / (a+1) < 1/4 that
 * is below 1e-16 of it after a few dozen terms. NaN when not so. */
static sval large_a(double a, double b, double z)
{
  sval v = {NAN, 0, HUGE_VAL, 0};
  double k = z / (1 - z), term = 1, sum = 1;
  int n;

  if(!(a > 0 && b > 0 && b * k < 0.25 * (a + 1)))
    return v;
  for(n = 0; n < 200; n++) {
    double r = (b + n) * k / (a + 1 + n);

    if(r >= 1) /* no longer falling: not accurate enough */
      return v;
    term *= -r;
    sum += term;
    if(fabs(term) <= SERIES_EPS * fabs(sum))
      break;
  }
  if(n == 200)
    return v;
  v.m = sum;
  v.l = -b * log1p(-z);
  v.err = 2e-16 * (n + 2.0) + 1e-16 * fabs(v.l);
  v.n = n + 1.0;
  return v;
}

/* 2F1 for 0 <= z < 1. */
static sval hyp_pos(double a, double b, double c, double z, btyd__hyp *h)
{
  double d, m;
  sval v;

  if(z <= DIRECT_Z || is_nonpos_int(a) || is_nonpos_int(b))
    return direct(a, b, c, z);
  /* c = a + 1 (or b + 1) within the rounding of a large a + 1 */
  if(fabs(c - a - 1) <= 1e-9 * c || fabs(c - b - 1) <= 1e-9 * c) {
    v = fabs(c - a - 1) <= 1e-9 * c ? large_a(c - 1, b, z)
                                    : large_a(c - 1, a, z);
    if(!isnan(v.m))
      return v;
  }
  d = c - a - b;
  m = nearbyint(d);
  if(fabs(d - m) >= BTYD__DEG)
    v = one_minus_z(a, b, c, z, h);
  else if(z <= DEG_DIRECT_Z)
    return direct(a, b, c, z);
  else {
    v = near_integer_series(a, b, c, z);
    if(!isnan(v.m))
      return v;
    {
      double spent = v.n;

      v = near_integer(a, b, c, z, m);
      v.n += spent;
    }
  }
  if(!isnan(v.m) && v.err <= SERIES_OK)
    return v;
  /* the two terms cancelled (large parameters): sum the series */
  {
    sval w = direct(a, b, c, z);

    return cost(!isnan(w.m) && (isnan(v.m) || w.err < v.err) ? w : v, v,
                w);
  }
}

/* 2F1(a, b; c; z) for z < 0 with a > 0 and c > b > 0 by its own power
 * series while the terms fall, even for |z| > 1: it is then completely
 * monotone in -z (Euler's integral of (1 - z t)^-a against a positive
 * measure), so the error after any term is below the next term. Worth it
 * when c is large (BG/NBD with a large b): the terms fall at once, where
 * Pfaff's transformation would sum series of huge parameters near 1. NaN
 * when the terms stop falling before reaching 1e-16 of the sum. */
static sval falling_neg(double a, double b, double c, double z)
{
  sval v = {NAN, 0, HUGE_VAL, 0};
  double term = 1, sum = 1, prev = HUGE_VAL;
  int n;

  if(!(a > 0 && b > 0 && c > b && a * b * -z < 0.5 * c))
    return v;
  for(n = 0; n < 400; n++) {
    double r = (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;

    if(!(fabs(r) < 1) || fabs(term * r) >= prev)
      return v;
    prev = fabs(term * r);
    term *= r;
    sum += term;
    if(fabs(term) <= SERIES_EPS * fabs(sum))
      break;
  }
  if(n == 400 || !(sum > 0))
    return v;
  v.m = sum;
  v.err = 2e-16 * (n + 2.0) / sum;
  v.n = n + 1.0;
  return v;
}

static sval hyp_scaled(double a, double b, double c, double z,
                       btyd__hyp *h)
{
  sval bad = {NAN, 0, HUGE_VAL, 0}, one = {1, 0, 0, 0}, v;
  double keep, other;

  if(!isfinite(a) || !isfinite(b) || !isfinite(c) || !isfinite(z) || z >= 1)
    return bad;
  if(z == 0 || a == 0 || b == 0)
    return one;
  if(is_nonpos_int(c) && !(is_nonpos_int(a) && a > c) &&
     !(is_nonpos_int(b) && b > c))
    return bad;
  if(z > 0)
    return hyp_pos(a, b, c, z, h);
  v = falling_neg(a, b, c, z);
  if(isnan(v.m))
    v = falling_neg(b, a, c, z);
  if(!isnan(v.m))
    return v;
  /* Pfaff: keep a polynomial parameter, else the smaller one */
  if(is_nonpos_int(a) || (!is_nonpos_int(b) && fabs(a) <= fabs(b))) {
    keep = a;
    other = b;
  } else {
    keep = b;
    other = a;
  }
  v = hyp_pos(keep, c - other, c, z / (z - 1), h);
  v.l -= keep * log1p(-z);
  return v;
}

double btyd__hyp2f1_h(btyd__hyp *h, double a, double b, double c, double z)
{
  sval v = hyp_scaled(a, b, c, z, h);

  if(isnan(v.m) || v.err > MAX_ERR)
    return NAN;
  return v.m * exp(v.l);
}

double btyd_hyp2f1(double a, double b, double c, double z)
{
  sval v = hyp_scaled(a, b, c, z, NULL);

  if(isnan(v.m) || v.err > MAX_ERR)
    return NAN;
  return v.m * exp(v.l);
}

double btyd__hyp2f1_ln(double a, double b, double c, double z,
                       double *work)
{
  sval v = hyp_scaled(a, b, c, z, NULL);

  if(work)
    *work += v.n;

  if(isnan(v.m) || v.err > MAX_ERR || v.m <= 0)
    return NAN;
  return log(v.m) + v.l;
}

void btyd__lgx_init(btyd__lgx *t, double r)
{
  t->r = r;
  t->n = 1;
  t->v[0] = 0;
}

void btyd__lgx_direct(btyd__lgx *t, double r)
{
  t->r = r;
  t->n = -1;
}

double btyd__lgx_get(btyd__lgx *t, double x)
{
  int i, k;

  if(t->n < 0 || !(x >= 0 && x < BTYD__LGX_MAX && x == floor(x)))
    return lgamma(t->r + x) - lgamma(t->r);
  k = (int)x;
  for(i = t->n; i <= k; i++)
    t->v[i] = t->v[i - 1] + log(t->r + (i - 1));
  if(k >= t->n)
    t->n = k + 1;
  return t->v[k];
}

int btyd__row_ok(const btyd_cust *c)
{
  return isfinite(c->x) && isfinite(c->t_x) && isfinite(c->T) &&
         isfinite(c->w) && c->w > 0 && c->x >= 0 && c->t_x >= 0 &&
         c->t_x <= c->T;
}
