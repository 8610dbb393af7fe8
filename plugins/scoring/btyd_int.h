/*
 * btyd_int.h - internals shared by the btyd*.c sources (not an API).
 *
 * btyd.c: summaries, BG/NBD, Gamma-Gamma, CLV; btyd_pnbd.c: Pareto/NBD;
 * btyd_special.c: 2F1 and the log-gamma helpers; btyd_opt.c: the
 * Nelder-Mead optimiser the fits share.
 */
#ifndef BTYD_INT_H
#define BTYD_INT_H

#include "btyd.h"

/* ln 2F1(a, b; c; z) for a positive 2F1 (NaN otherwise): the value may
 * be far outside the double range (Pareto/NBD with many purchases).
 * work (may be NULL) gets the series terms summed added: the cost. */
double btyd__hyp2f1_ln(double a, double b, double c, double z,
                       double *work);

/* 2F1 at many z for the same (a, b, c): h keeps the Gamma factors of
 * the 1 - z formula (7 lgamma calls) between calls. Zero h->valid first. */
typedef struct btyd__hyp {
  double a, b, c, k1, k2;
  int s1, s2, valid;
} btyd__hyp;
double btyd__hyp2f1_h(btyd__hyp *h, double a, double b, double c, double z);

/* lgamma(r + x) - lgamma(r) for integer x, by a table that grows as it is
 * asked (sum of ln(r + i)); other x go to lgamma. No allocation. With
 * n = -1 (btyd__lgx_direct) every x goes to lgamma: for one-off calls. */
#define BTYD__LGX_MAX 512
typedef struct btyd__lgx {
  double r;
  int n; /* entries filled: v[0 .. n) */
  double v[BTYD__LGX_MAX];
} btyd__lgx;

void btyd__lgx_init(btyd__lgx *t, double r);
void btyd__lgx_direct(btyd__lgx *t, double r);
double btyd__lgx_get(btyd__lgx *t, double x);

/* A summary row the likelihoods use: finite, x >= 0, 0 <= t_x <= T,
 * weight > 0. */
int btyd__row_ok(const btyd_cust *c);

/* Minimises f over R^k (k <= BTYD__KMAX) from th (in: start, out: best
 * point) by Nelder-Mead with restarts. lim (may be NULL): |th[i]| beyond
 * lim[i] is a limit of the model where f is flat (btyd_*_boundary); a
 * simplex flat in f whose best point is there has converged whatever its
 * span, instead of drifting on to the iteration cap. Returns 0, BTYD_ECONVERGE (the
 * iteration cap; th and *fmin still the best point seen), BTYD__ECAPPED
 * (likewise, stopped by *stop (may be NULL), which f sets when it has
 * spent its work budget), BTYD_ENUM (f is not finite at any point tried)
 * or the progress callback's non-zero code. */
#define BTYD__KMAX 4
#define BTYD__ECAPPED (-199)
typedef double (*btyd__objective)(const double *th, void *ud);
int btyd__minimize(int k, double *th, btyd__objective f, void *ud,
                   const double *lim, const int *stop,
                   const btyd_fit_opts *o, double *fmin);

/* The limits of the fits' log-parameters (see btyd_*_boundary). */
extern const double btyd__lim_bg[4], btyd__lim_pn[4], btyd__lim_gg[3];

/* A fit's return code from the optimiser's and the parameters' boundary
 * mask: the iteration cap is success when some parameter ran to a limit
 * of the model (the optimiser drifted along the flat direction); the
 * work budget is BTYD_ECONVERGE. */
int btyd__fit_rc(int rc, unsigned boundary);

#endif
