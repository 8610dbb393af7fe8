/*
 * loyalty_index_cfg.h - the state of the loyalty_index plugin and the
 * reading and checking of its `config` group (the settings are described
 * in loyalty_index.c and docs/scoring/loyalty_index.md). Private to that
 * plugin (static functions, included once by loyalty_index.c); the plugin
 * still builds against crm/sdk.h only.
 */
#ifndef LOYALTY_INDEX_CFG_H
#define LOYALTY_INDEX_CFG_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "crm/sdk.h"

#define LI_DAY INT64_C(86400)
#define LI_YEAR 31557600.0 /* 365.25 days, in seconds */
#define LI_REFERRAL_MAX 16
#define LI_DAYS_MAX 36500
#define LI_WEIGHT_MAX 1e6
#define LI_DETAIL 128
#define LI_LOG_MAX 10 /* invalid events logged one by one in a batch */

/* The five parts, in the order of their explanation factors. */
enum { LI_SAT, LI_REC, LI_REP, LI_REF, LI_SW, LI_NPARTS };

static const char *const li_part_names[LI_NPARTS] = {
  "satisfaction", "recommend", "repeat", "referral", "switching"};

static const double li_default_weights[LI_NPARTS] = {0.3, 0.25, 0.2, 0.1,
                                                     0.15};

struct li_cfg {
  double weight[LI_NPARTS];
  double band_loyal;   /* index >= this: "loyal" */
  double band_neutral; /* index >= this: "neutral", below: "at risk" */
  int64_t survey_window_days;
  int survey_fallback; /* no answer in the window: use the last one */
  int nps_linear;      /* 0: grouped 100/50/0; 1: score * 10 */
  int64_t repeat_window_days;
  int64_t repeat_target_days;
  double repeat_buyer_share; /* part of `repeat` for being a repeat buyer */
  double tenure_full_years;
  double referral_score[LI_REFERRAL_MAX]; /* by number of referrals */
  size_t n_referral;
};

/* A purchase of the customer being summed up (for refund matching). */
struct li_purchase {
  int64_t at;
  uint64_t key; /* FNV-1a of the idempotency key, 0 when none */
  int64_t amount;
  int64_t refunded;
  int cancelled;
};

/* One customer's running sums over the walk; reset in place. */
struct li_acc {
  int64_t customer_id; /* 0: none yet */
  int skip;            /* not in the population being scored */
  int64_t sv_total;    /* valid survey answers */
  int64_t sv_n;        /* ... of which in the window */
  double sv_sum;       /* sum of the window's answers mapped to 0..100 */
  double sv_raw_sum;   /* sum of the window's raw answers */
  int sv_scale;        /* the window answers' scale; -1: mixed */
  double sv_last_raw;  /* the last valid answer */
  int sv_last_scale;
  int has_nps;
  int nps_score; /* the latest valid answer */
  int64_t referrals;
  size_t n_purch;
};

/* Company figures summed over the customers of a batch or fit. */
struct li_figs {
  int64_t customers; /* scored */
  int64_t nps_answers;
  int64_t promoters, passives, detractors;
  int64_t buyers;    /* >= 1 purchase day */
  int64_t repeaters; /* >= 2 purchase days */
  int64_t referrers; /* buyers with >= 1 referral */
};

struct li_state {
  const crm_host_api *api;
  struct li_cfg cfg;
  /* the run in progress (batch, fit or one customer) */
  crm_host_ctx *ctx;
  int64_t as_of;
  int write_scores;
  int fit;
  int rc;               /* the first failure inside the walk */
  int64_t log_event_id; /* 0: log invalid events (capped); else only it */
  int64_t n_invalid;
  const int64_t *pop;   /* sorted population ids; NULL: everyone */
  size_t n_pop, pop_pos;
  int64_t *pop_buf;     /* host-allocated copy when the views are unsorted */
  struct li_acc acc;
  struct li_figs figs;
  struct li_purchase *purch; /* grows (doubling), kept between runs */
  size_t cap_purch;
  char detail[LI_NPARTS][LI_DETAIL];
  char sub[2][LI_DETAIL];
};

/* ---- reading settings ------------------------------------------------- */

/* A number setting within [lo, hi]; absent keeps *v. */
static int li_cfg_num(const crm_host_api *api, crm_host_ctx *ctx,
                      const char *path, double lo, double hi, double *v)
{
  double x = *v;
  int rc = api->cfg_get_float(ctx, path, &x);

  if(rc == CRM_ENOTFOUND)
    return CRM_OK;
  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be a number", path);
  if(rc)
    return rc;
  if(!isfinite(x) || x < lo || x > hi)
    return api->set_error(ctx, CRM_ECONFIG,
                          "%s must be between %g and %g (got %g)", path, lo,
                          hi, x);
  *v = x;
  return CRM_OK;
}

/* An integer setting within [lo, hi]; absent keeps *v. */
static int li_cfg_int(const crm_host_api *api, crm_host_ctx *ctx,
                      const char *path, int64_t lo, int64_t hi, int64_t *v)
{
  int64_t x = *v;
  int rc = api->cfg_get_int(ctx, path, &x);

  if(rc == CRM_ENOTFOUND)
    return CRM_OK;
  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be an integer", path);
  if(rc)
    return rc;
  if(x < lo || x > hi)
    return api->set_error(ctx, CRM_ECONFIG,
                          "%s must be between %lld and %lld (got %lld)", path,
                          (long long)lo, (long long)hi, (long long)x);
  *v = x;
  return CRM_OK;
}

/* A group setting (weights, bands) given as a single value is an error
 * (its members would silently take their defaults). */
static int li_cfg_group(const crm_host_api *api, crm_host_ctx *ctx,
                        const char *path, const char *what)
{
  const char *s = NULL;
  double d = 0;

  if(api->cfg_get_float(ctx, path, &d) == CRM_OK ||
     api->cfg_get_str(ctx, path, &s) == CRM_OK)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be %s", path, what);
  return CRM_OK;
}

static int li_cfg_weights(const crm_host_api *api, crm_host_ctx *ctx,
                          struct li_cfg *cfg)
{
  char path[64];
  double sum = 0;
  int rc;
  int i;

  rc = li_cfg_group(api, ctx, "weights",
                    "a group such as { satisfaction = 0.3; ... }");
  for(i = 0; i < LI_NPARTS && !rc; i++) {
    snprintf(path, sizeof(path), "weights.%s", li_part_names[i]);
    rc = li_cfg_num(api, ctx, path, 0, LI_WEIGHT_MAX, &cfg->weight[i]);
    sum += cfg->weight[i];
  }
  if(rc)
    return rc;
  if(!(sum > 0))
    return api->set_error(ctx, CRM_ECONFIG, "weights are all 0: at least "
                          "one part needs a positive weight");
  return CRM_OK;
}

static int li_cfg_bands(const crm_host_api *api, crm_host_ctx *ctx,
                        struct li_cfg *cfg)
{
  int rc;

  rc = li_cfg_group(api, ctx, "bands",
                    "a group such as { loyal = 70; neutral = 40; }");
  if(!rc)
    rc = li_cfg_num(api, ctx, "bands.loyal", 0, 100, &cfg->band_loyal);
  if(!rc)
    rc = li_cfg_num(api, ctx, "bands.neutral", 0, 100, &cfg->band_neutral);
  if(!rc && cfg->band_neutral > cfg->band_loyal)
    rc = api->set_error(ctx, CRM_ECONFIG, "bands.neutral (%g) must not be "
                        "above bands.loyal (%g)", cfg->band_neutral,
                        cfg->band_loyal);
  return rc;
}

/* referral_scores = [0, 60, 100]: the part's value for 0, 1, 2 ...
 * referrals, the last entry for any more. */
static int li_cfg_referrals(const crm_host_api *api, crm_host_ctx *ctx,
                            struct li_cfg *cfg)
{
  char path[48];
  double d = 0;
  size_t n = 0;
  int rc;

  for(;;) {
    snprintf(path, sizeof(path), "referral_scores.[%zu]", n);
    rc = api->cfg_get_float(ctx, path, &d);
    if(rc == CRM_ENOTFOUND)
      break;
    if(n == LI_REFERRAL_MAX)
      return api->set_error(ctx, CRM_ECONFIG, "referral_scores has more "
                            "than %d entries", LI_REFERRAL_MAX);
    rc = li_cfg_num(api, ctx, path, 0, 100, &d);
    if(rc)
      return rc;
    cfg->referral_score[n++] = d;
  }
  if(n > 0) {
    cfg->n_referral = n;
    return CRM_OK;
  }
  rc = api->cfg_get_float(ctx, "referral_scores", &d);
  if(rc == CRM_ENOTFOUND)
    return CRM_OK; /* the default list stays */
  return api->set_error(ctx, CRM_ECONFIG, "referral_scores must be a "
                        "non-empty list of numbers 0..100 such as "
                        "[0, 60, 100]");
}

static int li_cfg_nps(const crm_host_api *api, crm_host_ctx *ctx,
                      struct li_cfg *cfg)
{
  const char *s = NULL;
  int rc = api->cfg_get_str(ctx, "nps_mapping", &s);

  if(rc == CRM_ENOTFOUND)
    return CRM_OK;
  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "nps_mapping must be a string");
  if(rc)
    return rc;
  if(!strcmp(s, "grouped"))
    cfg->nps_linear = 0;
  else if(!strcmp(s, "linear"))
    cfg->nps_linear = 1;
  else
    return api->set_error(ctx, CRM_ECONFIG, "nps_mapping must be "
                          "\"grouped\" or \"linear\" (got \"%.40s\")", s);
  return CRM_OK;
}

static int li_cfg_bool(const crm_host_api *api, crm_host_ctx *ctx,
                       const char *path, int *v)
{
  int rc = api->cfg_get_bool(ctx, path, v);

  if(rc == CRM_ENOTFOUND)
    return CRM_OK;
  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be true or false",
                          path);
  return rc;
}

static void li_cfg_defaults(struct li_cfg *cfg)
{
  memset(cfg, 0, sizeof(*cfg));
  memcpy(cfg->weight, li_default_weights, sizeof(cfg->weight));
  cfg->band_loyal = 70;
  cfg->band_neutral = 40;
  cfg->survey_window_days = 365;
  cfg->survey_fallback = 1;
  cfg->repeat_window_days = 365;
  cfg->repeat_target_days = 4;
  cfg->repeat_buyer_share = 0.2;
  cfg->tenure_full_years = 3;
  cfg->referral_score[0] = 0;
  cfg->referral_score[1] = 60;
  cfg->referral_score[2] = 100;
  cfg->n_referral = 3;
}

/* Reads and checks the whole group into *cfg (defaults first). */
static int li_cfg_read(const crm_host_api *api, crm_host_ctx *ctx,
                       struct li_cfg *cfg)
{
  int rc;

  li_cfg_defaults(cfg);
  rc = li_cfg_weights(api, ctx, cfg);
  if(!rc)
    rc = li_cfg_bands(api, ctx, cfg);
  if(!rc)
    rc = li_cfg_int(api, ctx, "survey_window_days", 1, LI_DAYS_MAX,
                    &cfg->survey_window_days);
  if(!rc)
    rc = li_cfg_bool(api, ctx, "survey_fallback", &cfg->survey_fallback);
  if(!rc)
    rc = li_cfg_nps(api, ctx, cfg);
  if(!rc)
    rc = li_cfg_int(api, ctx, "repeat_window_days", 1, LI_DAYS_MAX,
                    &cfg->repeat_window_days);
  if(!rc)
    rc = li_cfg_int(api, ctx, "repeat_target_days", 1, LI_DAYS_MAX,
                    &cfg->repeat_target_days);
  if(!rc)
    rc = li_cfg_num(api, ctx, "repeat_buyer_share", 0, 1,
                    &cfg->repeat_buyer_share);
  if(!rc)
    rc = li_cfg_num(api, ctx, "tenure_full_years", 0.01, 100,
                    &cfg->tenure_full_years);
  if(!rc && cfg->repeat_target_days > cfg->repeat_window_days)
    rc = api->set_error(ctx, CRM_ECONFIG, "repeat_target_days (%lld) must "
                        "not be above repeat_window_days (%lld)",
                        (long long)cfg->repeat_target_days,
                        (long long)cfg->repeat_window_days);
  if(!rc)
    rc = li_cfg_referrals(api, ctx, cfg);
  return rc;
}

#endif
