/*
 * btyd.h - "buy till you die" models of repeat purchasing and spend:
 * BG/NBD (Fader, Hardie and Lee 2005), Pareto/NBD (Schmittlein, Morrison
 * and Colombo 1987), Gamma-Gamma spend (Fader, Hardie and Lee 2005b),
 * and the per-customer summary they are fitted on.
 *
 * btyd.c is compiled into each plugin that uses it (clv, churn) and into
 * the tests; it includes only the C library (no SDK, no allocation: the
 * caller owns every array). All functions are thread-compatible.
 *
 * Units: x is the number of repeat purchase days, t_x the time of the
 * last purchase day after the first, T the time from the first purchase
 * day to the end of the calibration period, all in the model's time unit
 * (a day, a week ...). m_x is the mean spend of the repeat purchase days
 * (any money unit; the scores come back in the same one).
 */
#ifndef BTYD_H
#define BTYD_H

#include <stddef.h>
#include <stdint.h>

/* Errors (negative), besides a code returned by a progress callback. */
#define BTYD_EDATA (-101)     /* no usable data: no row with a weight */
#define BTYD_ECONVERGE (-102) /* the optimiser did not converge (its
                                 iteration or evaluation cap) */
#define BTYD_ENUM (-103)      /* a numerical failure (NaN, overflow) */
/* The data carry no information on the parameters: the fits refuse them
 * (BTYD_IS_EDATA is true for these and BTYD_EDATA). */
#define BTYD_ENOAGE (-104)    /* every customer has T = 0 */
#define BTYD_ENOREPEAT (-105) /* no repeat buyer (x > 0) */
#define BTYD_EFEW (-106)      /* fewer distinct summaries than parameters */
#define BTYD_IS_EDATA(rc)                                                  \
  ((rc) == BTYD_EDATA || ((rc) <= BTYD_ENOAGE && (rc) >= BTYD_EFEW))

const char *btyd_strerror(int rc);

/* One customer's summary, or w customers with equal summaries. */
typedef struct btyd_cust {
  double x;   /* repeat purchase days */
  double t_x; /* time of the last purchase day since the first */
  double T;   /* time from the first purchase day to the calibration end */
  double m_x; /* mean spend of the repeat days (0 when x == 0) */
  double w;   /* weight: how many customers have this summary (>= 1) */
} btyd_cust;

typedef struct btyd_bgnbd {
  double r, alpha, a, b;
} btyd_bgnbd;

typedef struct btyd_pnbd {
  double r, alpha, s, beta;
} btyd_pnbd;

typedef struct btyd_gg {
  double p, q, gamma;
} btyd_gg;

/* Called about once per optimiser iteration; non-zero stops the fit,
 * which then returns that value. */
typedef int (*btyd_progress_fn)(void *ud, int iter, int max_iter);

typedef struct btyd_fit_opts {
  int max_iter;   /* 0: a default (e.g. 2000) */
  double tol;     /* 0: a default tight enough for 4 significant digits */
  btyd_progress_fn progress; /* may be NULL */
  void *ud;
} btyd_fit_opts;

/* The smallest data a fit accepts: at least one row with T > 0, one
 * repeat buyer, and BTYD_MIN_DISTINCT distinct (x, t_x, T) among the rows
 * with T > 0 (one per parameter). Gamma-Gamma: one repeat buyer with
 * m_x > 0 and BTYD_MIN_DISTINCT_GG distinct (x, m_x) among them. Returns
 * 0 or the BTYD_E* code the fit would refuse the data with. */
#define BTYD_MIN_DISTINCT 4
#define BTYD_MIN_DISTINCT_GG 3
int btyd_data_check(const btyd_cust *c, size_t n);
int btyd_gg_data_check(const btyd_cust *c, size_t n);

/* Parameters that ran to a limit of the model, where the likelihood is
 * flat and the data do not identify them: a shape parameter (r, a, b, s,
 * p, q) outside [1/BTYD_SHAPE_LIMIT, BTYD_SHAPE_LIMIT] (e.g. a, b -> inf:
 * every customer has the same dropout probability; r, alpha -> inf: the
 * same purchase rate), a scale (alpha, beta, gamma) within 2 of the fits'
 * bound e^+-30. A fit that ends there returns 0 even when the optimiser
 * stopped on its cap while drifting along the flat direction: the scores
 * are then those of the limit model. Bit i stands for the i-th member
 * of the struct (BG/NBD: 1 r, 2 alpha, 4 a, 8 b). */
#define BTYD_SHAPE_LIMIT 1e6
#define BTYD_SCALE_LIMIT_LN 28.0
unsigned btyd_bgnbd_boundary(const btyd_bgnbd *p);
unsigned btyd_pnbd_boundary(const btyd_pnbd *p); /* 1 r 2 alpha 4 s 8 beta */
unsigned btyd_gg_boundary(const btyd_gg *p);     /* 1 p 2 q 4 gamma */

/* ---- special functions --------------------------------------------- */

/* Gauss hypergeometric 2F1(a, b; c; z) for z < 1 (the cases these models
 * need); NaN when it cannot be computed to double precision. */
double btyd_hyp2f1(double a, double b, double c, double z);

/* ---- summaries ------------------------------------------------------- */

/* Sorts c[0..n) and merges equal (x, t_x, T) into one row with the
 * weights added (m_x is ignored, left 0): the BG/NBD and Pareto/NBD
 * likelihoods depend only on those three, so a fit over a million
 * customers costs as much as one over their distinct summaries. Returns
 * the new count. */
size_t btyd_compress(btyd_cust *c, size_t n);

/* Builds one customer's summary from purchase days given in ascending
 * order, with refunds. Holds no allocation: days live in a buffer the
 * caller provides and reuses for every customer. */
typedef struct btyd_day {
  int64_t day;  /* UTC day number (seconds / 86400) */
  double spend; /* net spend of that day */
} btyd_day;

typedef struct btyd_acc {
  btyd_day *days; /* caller's buffer */
  size_t cap;     /* its size; days beyond it are merged into the last */
  size_t n;
} btyd_acc;

void btyd_acc_reset(btyd_acc *a);
/* A purchase on `day` (>= the previous one): same-day purchases merge. */
void btyd_acc_purchase(btyd_acc *a, int64_t day, double amount);
/* A refund or cancel on `day`: takes amount from the latest purchase day
 * on or before it (and from the ones before while the amount lasts); a
 * day whose spend falls to zero or below by refunds is no purchase day. */
void btyd_acc_refund(btyd_acc *a, int64_t day, double amount);
/* The summary with the calibration ending at the end of end_day
 * (inclusive), in units of unit_days days; w = 1. Returns 0, or -1 when
 * the customer has no purchase day on or before end_day. */
int btyd_acc_summary(const btyd_acc *a, int64_t end_day, double unit_days,
                     btyd_cust *out);

/* ---- BG/NBD ---------------------------------------------------------- */

/* Log-likelihood of one summary (without its weight). */
double btyd_bgnbd_ll1(const btyd_bgnbd *p, double x, double t_x, double T);
/* Weighted sum over c[0..n). */
double btyd_bgnbd_ll(const btyd_bgnbd *p, const btyd_cust *c, size_t n);
/* Maximum-likelihood fit in log-parameter space. *ll gets the maximum. */
int btyd_bgnbd_fit(const btyd_cust *c, size_t n, const btyd_fit_opts *o,
                   btyd_bgnbd *out, double *ll);
/* P(alive | x, t_x, T). With a >= BTYD_BG_LIMIT_A the dropout
 * probability is nearly the same for everybody: btyd_bgnbd_expected and
 * btyd_bgnbd_clv use the expansion of the limit a -> inf (relative error
 * below 2e-8 at a = 1e4, 1e-12 from a = 1e6, see btyd.c), 0.1-0.5 us a
 * call, instead of a 2F1 with huge parameters (0.1-5 ms). */
#define BTYD_BG_LIMIT_A 1e4
double btyd_bgnbd_p_alive(const btyd_bgnbd *p, double x, double t_x,
                          double T);
/* E[Y(t) | x, t_x, T]: expected purchases in (T, T + t]. */
double btyd_bgnbd_expected(const btyd_bgnbd *p, double x, double t_x,
                           double T, double t);

/* ---- Pareto/NBD ------------------------------------------------------ */

double btyd_pnbd_ll1(const btyd_pnbd *p, double x, double t_x, double T);
double btyd_pnbd_ll(const btyd_pnbd *p, const btyd_cust *c, size_t n);
int btyd_pnbd_fit(const btyd_cust *c, size_t n, const btyd_fit_opts *o,
                  btyd_pnbd *out, double *ll);
double btyd_pnbd_p_alive(const btyd_pnbd *p, double x, double t_x,
                         double T);
double btyd_pnbd_expected(const btyd_pnbd *p, double x, double t_x,
                          double T, double t);

/* ---- Gamma-Gamma ----------------------------------------------------- */

/* Over the rows with x > 0 and m_x > 0 (the others are skipped). */
double btyd_gg_ll(const btyd_gg *p, const btyd_cust *c, size_t n);
int btyd_gg_fit(const btyd_cust *c, size_t n, const btyd_fit_opts *o,
                btyd_gg *out, double *ll);
/* E[M | x, m_x]: the customer's expected spend per purchase (the
 * population mean p * gamma / (q - 1) when x == 0). */
double btyd_gg_expected_spend(const btyd_gg *p, double x, double m_x);

/* ---- lifetime value -------------------------------------------------- */

/* Discounted value over `steps` periods of `step` time units each:
 * sum over i of (E[Y(i step)] - E[Y((i - 1) step)]) * spend * margin /
 * (1 + rate)^i, with E from BG/NBD. */
double btyd_bgnbd_clv(const btyd_bgnbd *p, double x, double t_x, double T,
                      double spend, double margin, double step, int steps,
                      double rate);

#endif
