/*
 * clv_int.h - the clv scoring component's private declarations, shared by
 * clv.c (descriptor, init), clv_config.c (settings), clv_fit.c (the fit
 * step) and clv_score.c (scores with explanations).
 */
#ifndef CLV_INT_H
#define CLV_INT_H

#include <stddef.h>
#include <stdint.h>

#include "crm/sdk.h"

#include "btyd.h"

#define CLV_DAY 86400
/* Purchase days one customer's summary holds exactly; later ones merge
 * into the last (btyd_acc): 11 years of daily purchases. */
#define CLV_DAYS_CAP 4096
#define CLV_TYPES "purchase,refund,cancel"
#define CLV_MONTH_DAYS 30.4375
#define CLV_MIN_GG_BUYERS 10
/* Gamma-Gamma is fitted on spend in major units (minor / money_scale,
 * 10^(ISO 4217 minor digits) of the currency: 100 for USD, 1 for JPY,
 * 1000 for KWD) so that gg_gamma reads like the published figures (15.44
 * dollars, not 1544 cents); every score and mean_spend stay in minor
 * units. The figure money_scale keeps the fit's scale (100 when absent). */
#define CLV_DEFAULT_DIGITS 2

/* Scores of equal summaries are equal: the staged model values of the
 * last summaries seen, direct-mapped by (x, t_x, T). */
#define CLV_CACHE_SIZE 8192 /* a power of two */

struct clv_cache_ent {
  double x, t_x, T;
  uint32_t gen;     /* valid when equal to clv_state.gen */
  double v[3][4];   /* expected_purchases, p_alive, clv per unit spend */
};

enum clv_model { CLV_BGNBD = 0, CLV_PNBD = 1 };

struct clv_config {
  double unit_days;      /* days per time unit: 1, 7, 30.4375, 365.25 */
  const char *unit_name; /* "day", "week", ... (static) */
  int64_t cal_end_day;   /* inclusive last day; -1: the fit's as_of day */
  double forecast;       /* expected_purchases horizon, time units */
  char currency[8];      /* "" = every currency */
  int model;             /* enum clv_model */
  int fit_pnbd;
  int horizon_months;
  double discount_rate;  /* annual */
  double margin;         /* share of spend that is profit */
};

/* The fitted figures, read once and cached (see clv_params_load). */
struct clv_params {
  int valid;
  double fitted_at;
  btyd_bgnbd bg;
  btyd_pnbd pn;
  int have_pnbd;
  btyd_gg gg;
  int have_gg;
  double mean_spend; /* population E[M], minor units */
  double money_scale; /* minor units per major unit of the fit */
  unsigned bg_boundary; /* btyd_bgnbd_boundary of the fitted bg */
  double unit_days;  /* the unit the parameters were fitted in */
  /* derived once per load, in the fitted unit */
  double forecast;   /* config forecast_period */
  double month;      /* one month */
  double month_rate; /* discount rate per month */
};

struct clv_state {
  const crm_host_api *api;
  struct clv_config cfg;
  struct clv_params par;
  btyd_day *days; /* the reusable day buffer, CLV_DAYS_CAP long */
  struct clv_cache_ent *cache; /* CLV_CACHE_SIZE entries */
  uint32_t gen;   /* bumped whenever the parameters or settings change */
  int warned_unfitted;
  /* the fitted_at of figures found unusable (no pnbd_* with model pnbd):
   * the next calls compare the stamp only */
  double unusable_at;
  int unusable;
};

/* One walk over stored events, building a summary per customer; `done`
 * runs at the end of each customer's events. */
struct clv_walk {
  struct clv_state *st;
  crm_host_ctx *ctx;
  btyd_acc acc;
  int64_t cur;      /* the customer being accumulated, 0: none yet */
  char ccy[8];      /* currency of its purchases, "" unknown or mixed */
  int ccy_mixed;
  int64_t events;   /* events seen */
  int progress;     /* report events done through host->progress */
  int rc;           /* why the callback stopped the walk */
  int (*done)(struct clv_walk *w);
  void *ud;
};

/* clv_config.c */
int clv_config_read(const crm_host_api *api, crm_host_ctx *ctx,
                    struct clv_config *out);
int64_t clv_day_of(int64_t t);
void clv_day_format(int64_t day, char *buf, size_t size);
/* ISO 4217 minor-unit digits of a currency code (2 when unknown or ""),
 * and minor units formatted as major ones with the code: "153.27 USD",
 * "15327 JPY", "1.234 KWD" (digits of ccy, or of scale when ccy is ""). */
int clv_ccy_digits(const char *ccy);
double clv_ccy_scale(const char *ccy);
void clv_money_format(char *buf, size_t size, double minor, const char *ccy,
                      double scale);

/* clv_score.c */
void clv_walk_init(struct clv_walk *w, struct clv_state *st,
                   crm_host_ctx *ctx);
int clv_walk_run(struct clv_walk *w, const crm_event_filter *f);
int clv_params_load(struct clv_state *st, crm_host_ctx *ctx);
void clv_params_derive(struct clv_state *st);
int clv_score_customer(struct clv_state *st, crm_host_ctx *ctx, int64_t id,
                       const btyd_cust *s, const char *currency);
int clv_score_batch(void *state, crm_host_ctx *ctx,
                    const crm_customer_view *const *customers, size_t n,
                    int64_t as_of);
int clv_score_event(void *state, crm_host_ctx *ctx, const crm_event_view *ev,
                    const crm_customer_view *customer, int64_t as_of);

/* clv_fit.c */
int clv_fit(void *state, crm_host_ctx *ctx, const crm_fit_request *req);

#endif
