/*
 * dr_config.h - the settings of the dealer_rebate plugin: its state, the
 * volume bands and the reading and checking of its `config` group (the
 * settings are described in dealer_rebate.c). Private to that plugin
 * (static functions, included once by dealer_rebate.c); the plugin still
 * builds against crm/sdk.h only.
 */
#ifndef DR_CONFIG_H
#define DR_CONFIG_H

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crm/sdk.h"

#define DR_BANDS_MAX 32
#define DR_KEY_MAX 200  /* kv keys are at most 192 bytes */
#define DR_IDEM_MAX 128 /* the longest idempotency key */
#define DR_SETTLE_MAX 3660
#define DR_DAY 86400

struct dr_band {
  int64_t from; /* cars */
  int64_t bp;   /* basis points of the year's amount */
};

struct dr_state {
  const crm_host_api *api;
  struct dr_band bands[DR_BANDS_MAX];
  size_t n_bands;
  char currency[4];
  int64_t minor_per_unit;
  int64_t settle_days;
};

/* "p:<key>": one purchase and what has been returned of it. */
struct dr_purchase {
  int64_t year, quarter;
  int64_t cars, amount;
  int64_t cars_back, amount_back;
  int64_t customer;
};

/* snprintf that may truncate on purpose (notes are for people). */
static void dr_fmt(char *buf, size_t size, const char *fmt, ...)
    CRM__PRINTF(3, 4);

static void dr_fmt(char *buf, size_t size, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(buf, size, fmt, ap);
  va_end(ap);
}

/* ---- config ----------------------------------------------------------- */

static int dr_cfg_int(const crm_host_api *api, crm_host_ctx *ctx,
                      const char *name, int64_t lo, int64_t hi, int64_t *v)
{
  int rc = api->cfg_get_int(ctx, name, v);

  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be an integer", name);
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  if(*v < lo || *v > hi)
    return api->set_error(ctx, CRM_ECONFIG,
                          "%s must be between %" PRId64 " and %" PRId64
                          " (got %" PRId64 ")", name, lo, hi, *v);
  return CRM_OK;
}

/* percent (0..100, whole basis points) -> basis points, exactly. */
static int dr_percent_bp(const crm_host_api *api, crm_host_ctx *ctx,
                         size_t i, double pct, int64_t *bp)
{
  double x = pct * 100.0;
  double diff;

  if(!(pct >= 0.0 && pct <= 100.0))
    return api->set_error(ctx, CRM_ECONFIG, "bands[%zu].percent must be "
                          "between 0 and 100 (got %g)", i, pct);
  *bp = (int64_t)(x + 0.5);
  diff = x - (double)*bp;
  if(diff < -1e-6 || diff > 1e-6)
    return api->set_error(ctx, CRM_ECONFIG, "bands[%zu].percent %g is "
                          "finer than a basis point (0.01 %%)", i, pct);
  return CRM_OK;
}

/* Reads bands[i]; CRM_ENOTFOUND (no error set) past the end of the list. */
static int dr_read_band(const crm_host_api *api, crm_host_ctx *ctx,
                        size_t i, struct dr_band *b)
{
  char pf[48], pp[48], pe[48];
  double pct = 0;
  int64_t dummy;
  int rf, rp;

  dr_fmt(pe, sizeof(pe), "bands.[%zu]", i);
  dr_fmt(pf, sizeof(pf), "bands.[%zu].from", i);
  dr_fmt(pp, sizeof(pp), "bands.[%zu].percent", i);
  rf = api->cfg_get_int(ctx, pf, &b->from);
  rp = api->cfg_get_float(ctx, pp, &pct);
  if(rf == CRM_ENOTFOUND && rp == CRM_ENOTFOUND &&
     api->cfg_get_int(ctx, pe, &dummy) == CRM_ENOTFOUND)
    return CRM_ENOTFOUND;
  if(rf == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "bands[%zu].from must be an "
                          "integer (cars)", i);
  if(rp == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "bands[%zu].percent must be a "
                          "number", i);
  if(rf || rp)
    return api->set_error(ctx, CRM_ECONFIG, "bands[%zu] needs from and "
                          "percent: { from = cars; percent = number; }", i);
  return dr_percent_bp(api, ctx, i, pct, &b->bp);
}

static int dr_check_band(const crm_host_api *api, crm_host_ctx *ctx,
                         size_t i, const struct dr_band *b,
                         const struct dr_band *prev)
{
  if(!prev && b->from != 0)
    return api->set_error(ctx, CRM_ECONFIG, "bands[0].from must be 0 (the "
                          "first band starts at no cars; got %" PRId64 ")",
                          b->from);
  if(prev && b->from <= prev->from)
    return api->set_error(ctx, CRM_ECONFIG, "bands must ascend: bands[%zu]"
                          ".from %" PRId64 " is not above %" PRId64, i,
                          b->from, prev->from);
  if(prev && b->bp < prev->bp)
    return api->set_error(ctx, CRM_ECONFIG, "bands[%zu].percent is below "
                          "the band before: a rebate rate must not fall as "
                          "the volume grows", i);
  return CRM_OK;
}

static int dr_read_bands(const crm_host_api *api, crm_host_ctx *ctx,
                         struct dr_state *out)
{
  struct dr_band b;
  int64_t scalar;
  size_t i;
  int rc;

  if(api->cfg_get_int(ctx, "bands", &scalar) == CRM_OK)
    return api->set_error(ctx, CRM_ECONFIG, "bands must be a list of "
                          "{ from = cars; percent = number; }");
  for(i = 0;; i++) {
    rc = dr_read_band(api, ctx, i, &b);
    if(rc == CRM_ENOTFOUND)
      break;
    if(!rc && i == DR_BANDS_MAX)
      rc = api->set_error(ctx, CRM_ECONFIG, "bands: at most %d bands",
                          DR_BANDS_MAX);
    if(!rc)
      rc = dr_check_band(api, ctx, i, &b, i ? &out->bands[i - 1] : NULL);
    if(rc)
      return rc;
    out->bands[i] = b;
  }
  if(i == 0)
    return api->set_error(ctx, CRM_ECONFIG, "bands is required: a list of "
                          "{ from = cars; percent = number; } starting at "
                          "from = 0");
  out->n_bands = i;
  return CRM_OK;
}

static int dr_read_currency(const crm_host_api *api, crm_host_ctx *ctx,
                            struct dr_state *out)
{
  const char *cur = "EUR";
  int rc = api->cfg_get_str(ctx, "currency", &cur);
  int ok;

  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "currency must be a string");
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  ok = cur && strlen(cur) == 3;
  if(ok)
    ok = isupper((unsigned char)cur[0]) && isupper((unsigned char)cur[1]) &&
         isupper((unsigned char)cur[2]);
  if(!ok)
    return api->set_error(ctx, CRM_ECONFIG, "currency must be a 3-letter "
                          "ISO 4217 code such as \"EUR\" (got \"%s\")",
                          cur ? cur : "");
  memcpy(out->currency, cur, 4);
  return CRM_OK;
}

static int dr_read_config(const crm_host_api *api, crm_host_ctx *ctx,
                          struct dr_state *out)
{
  int64_t m;
  int rc;

  out->settle_days = 30;
  out->minor_per_unit = 100;
  rc = dr_read_bands(api, ctx, out);
  if(!rc)
    rc = dr_read_currency(api, ctx, out);
  if(!rc)
    rc = dr_cfg_int(api, ctx, "settle_days", 0, DR_SETTLE_MAX,
                    &out->settle_days);
  if(!rc)
    rc = dr_cfg_int(api, ctx, "minor_per_unit", 1, 1000000,
                    &out->minor_per_unit);
  if(rc)
    return rc;
  for(m = out->minor_per_unit; m % 10 == 0; m /= 10)
    ;
  if(m != 1)
    return api->set_error(ctx, CRM_ECONFIG, "minor_per_unit must be a "
                          "power of ten (got %" PRId64 ")",
                          out->minor_per_unit);
  return CRM_OK;
}

#endif /* DR_CONFIG_H */
