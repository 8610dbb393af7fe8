/*
 * btyd_opt.c - Nelder-Mead (Lagarias et al. 1998 coefficients) with
 * restarts, for the 3 or 4 log-parameters of the btyd fits.
 *
 * A run stops when the simplex is small both in f (relative tol) and in
 * the parameters (XTOL); the search then restarts from a fresh simplex
 * around the best point, until a restart no longer improves f. Restarts
 * are what makes Nelder-Mead reliable: a collapsed simplex far from the
 * optimum is rebuilt instead of being taken for convergence.
 */
#include <math.h>
#include <string.h>

#include "btyd_int.h"

#define DEF_MAX_ITER 5000
#define DEF_TOL 1e-12
#define XTOL 1e-7
#define MAX_RESTARTS 12
#define STEP0 0.5
#define STEP_RESTART 0.1
/* At a limit of the model the likelihood creeps towards its supremum
 * along a ridge to infinity, and the parameters there are not identified
 * anyway: a simplex within 1e-8 in f has converged, and the search stops
 * LIMIT_ITERS iterations after its best point first got there. */
#define LIMIT_FTOL 1e-8
#define LIMIT_ITERS 1000

typedef struct nm {
  int k;
  double x[BTYD__KMAX + 1][BTYD__KMAX];
  double f[BTYD__KMAX + 1];
  btyd__objective fn;
  void *ud;
  const double *lim;
} nm;

static double eval(const nm *s, const double *th)
{
  double v = s->fn(th, s->ud);

  return isnan(v) ? HUGE_VAL : v;
}

/* Insertion sort of the vertices by f, best first. */
static void order(nm *s)
{
  int i, j;

  for(i = 1; i <= s->k; i++) {
    double f = s->f[i], x[BTYD__KMAX];

    memcpy(x, s->x[i], sizeof(x));
    for(j = i - 1; j >= 0 && s->f[j] > f; j--) {
      s->f[j + 1] = s->f[j];
      memcpy(s->x[j + 1], s->x[j], sizeof(x));
    }
    s->f[j + 1] = f;
    memcpy(s->x[j + 1], x, sizeof(x));
  }
}

static void simplex_init(nm *s, const double *th, double step)
{
  int i, j;

  for(i = 0; i <= s->k; i++) {
    for(j = 0; j < s->k; j++)
      s->x[i][j] = th[j] + (i == j + 1 ? step : 0);
    s->f[i] = eval(s, s->x[i]);
  }
  order(s);
}

/* p = c + t (q - c) */
static void along(int k, double *p, const double *c, const double *q,
                  double t)
{
  int j;

  for(j = 0; j < k; j++)
    p[j] = c[j] + t * (q[j] - c[j]);
}

static void replace_worst(nm *s, const double *p, double f)
{
  memcpy(s->x[s->k], p, sizeof(double) * (size_t)s->k);
  s->f[s->k] = f;
}

static void shrink(nm *s)
{
  int i;

  for(i = 1; i <= s->k; i++) {
    along(s->k, s->x[i], s->x[0], s->x[i], 0.5);
    s->f[i] = eval(s, s->x[i]);
  }
}

/* One Nelder-Mead iteration (the vertices are ordered before and after). */
static void step(nm *s)
{
  int k = s->k, i, j;
  double c[BTYD__KMAX] = {0}, r[BTYD__KMAX], e[BTYD__KMAX], q[BTYD__KMAX];
  double fr, fe, fq;

  for(i = 0; i < k; i++)
    for(j = 0; j < k; j++)
      c[j] += s->x[i][j] / k;
  along(k, r, c, s->x[k], -1);
  fr = eval(s, r);
  if(fr < s->f[0]) {
    along(k, e, c, s->x[k], -2);
    fe = eval(s, e);
    if(fe < fr)
      replace_worst(s, e, fe);
    else
      replace_worst(s, r, fr);
  } else if(fr < s->f[k - 1]) {
    replace_worst(s, r, fr);
  } else if(fr < s->f[k]) {
    along(k, q, c, r, 0.5);
    fq = eval(s, q);
    if(fq <= fr)
      replace_worst(s, q, fq);
    else
      shrink(s);
  } else {
    along(k, q, c, s->x[k], 0.5);
    fq = eval(s, q);
    if(fq < s->f[k])
      replace_worst(s, q, fq);
    else
      shrink(s);
  }
  order(s);
}

/* The best point has a log-parameter beyond its limit. */
static int at_limit(const nm *s)
{
  int j;

  if(!s->lim)
    return 0;
  for(j = 0; j < s->k; j++)
    if(fabs(s->x[0][j]) > s->lim[j])
      return 1;
  return 0;
}

static int converged(const nm *s, double tol)
{
  double span = 0;
  int i, j;

  if(!isfinite(s->f[0]))
    return 0;
  if(at_limit(s))
    return s->f[s->k] - s->f[0] <= LIMIT_FTOL * (fabs(s->f[0]) + 1e-30);
  if(s->f[s->k] - s->f[0] > tol * (fabs(s->f[0]) + 1e-30))
    return 0;
  for(i = 1; i <= s->k; i++)
    for(j = 0; j < s->k; j++)
      if(fabs(s->x[i][j] - s->x[0][j]) > span)
        span = fabs(s->x[i][j] - s->x[0][j]);
  return span <= XTOL;
}


int btyd__fit_rc(int rc, unsigned boundary)
{
  if(rc == BTYD__ECAPPED)
    return BTYD_ECONVERGE;
  if(rc == BTYD_ECONVERGE && boundary)
    return 0;
  return rc;
}

int btyd__minimize(int k, double *th, btyd__objective f, void *ud,
                   const double *lim, const int *stop,
                   const btyd_fit_opts *o, double *fmin)
{
  nm s;
  int max_iter = o && o->max_iter > 0 ? o->max_iter : DEF_MAX_ITER;
  double tol = o && o->tol > 0 ? o->tol : DEF_TOL;
  double best = HUGE_VAL;
  int iter = 0, restart, rc = BTYD_ECONVERGE, limit_iter = -1;

  if(k < 1 || k > BTYD__KMAX)
    return BTYD_ENUM;
  s.k = k;
  s.fn = f;
  s.ud = ud;
  s.lim = lim;
  for(restart = 0; restart <= MAX_RESTARTS && iter < max_iter; restart++) {
    simplex_init(&s, th, restart ? STEP_RESTART : STEP0);
    while(iter < max_iter && !converged(&s, tol)) {
      iter++;
      if(o && o->progress) {
        int prc = o->progress(o->ud, iter, max_iter);

        if(prc)
          return prc;
      }
      step(&s);
      if(limit_iter < 0 && at_limit(&s))
        limit_iter = iter;
      if(limit_iter >= 0 && iter - limit_iter >= LIMIT_ITERS) {
        max_iter = iter; /* drifting along the ridge: enough */
        break;
      }
      if(stop && *stop) {
        if(!isfinite(s.f[0]))
          return BTYD_ENUM;
        memcpy(th, s.x[0], sizeof(double) * (size_t)k);
        *fmin = best < s.f[0] ? best : s.f[0];
        return BTYD__ECAPPED;
      }
    }
    if(!isfinite(s.f[0]))
      return BTYD_ENUM;
    memcpy(th, s.x[0], sizeof(double) * (size_t)k);
    if(iter >= max_iter && !converged(&s, tol))
      break;
    if(restart > 0 && best - s.f[0] <= tol * (fabs(s.f[0]) + 1e-30)) {
      rc = 0;
      best = s.f[0] < best ? s.f[0] : best;
      break;
    }
    best = s.f[0];
  }
  *fmin = best < s.f[0] ? best : s.f[0];
  return rc;
}
