/*
 * air_refund.h - the tier activity a refund takes away, for the air_miles
 * plugin. The core reverses a refunded ticket's miles itself
 * (CRM_REWARD_CORE_REFUNDS); the qualifying miles and segments that
 * counted towards tiers come from the plugin's results, so a refund
 * reports them back as negatives.
 *
 * Each earning event with an idempotency key is remembered under
 * "f:<key>": "miles segments amount refunded full credits_reversed
 * count_reversed customer". A refund or cancel naming it (refund_of) adds
 * its amount to refunded (a cancel or amount 0: full) and reports
 * -(share - already reversed), the share being floor(v x refunded /
 * amount) of the miles and of the segments, or all of them when full:
 * cumulative, so parts add up to the whole and nothing is reversed twice.
 * A refund before its ticket is held, "held refunded full customer", and
 * the ticket then reports its activity less that share. Another
 * customer's ticket reverses nothing. Private to the plugin (static
 * functions, included once by air_miles.c).
 */
#ifndef AIR_REFUND_H
#define AIR_REFUND_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "crm/sdk.h"

#define AIR_IDEM_MAX 128 /* the longest idempotency key */
#define AIR_KEY_MAX 200  /* "f:" + key; kv keys are at most 192 bytes */

static void am_rf_fmt(char *buf, size_t size, const char *fmt, ...)
    CRM__PRINTF(3, 4);

static void am_rf_fmt(char *buf, size_t size, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(buf, size, fmt, ap);
  va_end(ap);
}

/* What "f:<key>" holds. */
struct am_rec {
  int held;
  int full;
  int64_t miles, amount, refunded, credits_rev, customer;
  int count, count_rev;
};

static int am_rec_get(const crm_host_api *api, crm_host_ctx *ctx,
                      const char *key, struct am_rec *r)
{
  long long a = 0, b = 0, c = 0, d = 0, who = 0;
  int cnt = 0, full = 0, crev = 0;
  char *val = NULL;
  int ok;
  int rc;

  memset(r, 0, sizeof(*r));
  rc = api->kv_get(ctx, key, &val);
  if(rc)
    return rc;
  if(!strncmp(val, "held ", 5)) {
    r->held = 1;
    ok = sscanf(val + 5, "%lld %d %lld", &c, &full, &who) == 3;
  }
  else {
    ok = sscanf(val, "%lld %d %lld %lld %d %lld %d %lld", &a, &cnt, &b, &c,
                &full, &d, &crev, &who) == 8;
  }
  api->free(ctx, val);
  if(!ok)
    return api->set_error(ctx, CRM_ECORRUPT, "stored record %s is "
                              "malformed", key);
  r->miles = a;
  r->count = cnt;
  r->amount = b;
  r->refunded = c;
  r->full = full != 0;
  r->credits_rev = d;
  r->count_rev = crev;
  r->customer = who;
  return CRM_OK;
}

static int am_rec_put(const crm_host_api *api, crm_host_ctx *ctx,
                      const char *key, const struct am_rec *r)
{
  char val[200];

  if(r->held)
    am_rf_fmt(val, sizeof(val), "held %" PRId64 " %d %" PRId64, r->refunded,
           r->full, r->customer);
  else
    am_rf_fmt(val, sizeof(val), "%" PRId64 " %d %" PRId64 " %" PRId64 " %d %"
           PRId64 " %d %" PRId64, r->miles, r->count, r->amount, r->refunded,
           r->full, r->credits_rev, r->count_rev, r->customer);
  return api->kv_put(ctx, key, val);
}

/* floor(v * part / whole), 0 <= part <= whole; all of v when whole <= 0. */
static int64_t am_share(int64_t v, int64_t part, int64_t whole)
{
  if(whole <= 0 || part >= whole)
    return v;
  if(v == 0 || part <= INT64_MAX / v)
    return v * part / whole;
  return (int64_t)((long double)v * (long double)part / (long double)whole);
}

/* Brings the reversed credits and count up to the refunded share; the
 * difference is what this event reports (as negatives). */
static void am_rec_reverse(struct am_rec *r, int64_t *credits, int *count)
{
  int64_t part = r->full ? r->amount : r->refunded;
  int64_t c = r->full ? r->miles : am_share(r->miles, part, r->amount);
  int64_t n = r->full ? r->count : am_share(r->count, part, r->amount);

  *credits = c - r->credits_rev;
  *count = (int)(n - r->count_rev);
  r->credits_rev = c;
  r->count_rev = (int)n;
}

static void am_set_tier(crm_reward_result *out, int64_t credits,
                        int64_t count)
{
  if(CRM_HAS_MEMBER(out, crm_reward_result, tier_count)) {
    out->tier_credits = credits;
    out->tier_count = count;
  }
}

static int am_refund(const crm_host_api *api, crm_host_ctx *ctx,
                     const crm_event_view *ev, crm_reward_result *out)
{
  const char *of = NULL;
  char key[AIR_KEY_MAX];
  struct am_rec r;
  int64_t credits;
  int count;
  int rc;

  if(CRM_HAS_MEMBER(ev, crm_event_view, refund_of))
    of = ev->refund_of;
  if(!of || !*of || strlen(of) > AIR_IDEM_MAX)
    return CRM_OK;
  am_rf_fmt(key, sizeof(key), "f:%s", of);
  rc = am_rec_get(api, ctx, key, &r);
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  if(!rc && !r.held && r.customer != ev->customer_id) {
    am_rf_fmt(out->note, sizeof(out->note), "ticket %.40s is another "
           "customer's: no tier credits reversed", of);
    return CRM_OK;
  }
  /* nothing held yet, or held by someone else (replaced) */
  if(rc == CRM_ENOTFOUND || r.customer != ev->customer_id) {
    memset(&r, 0, sizeof(r));
    r.held = 1;
    r.customer = ev->customer_id;
  }
  if(!strcmp(ev->type, "cancel") || ev->amount <= 0)
    r.full = 1;
  else
    r.refunded = r.refunded > INT64_MAX - ev->amount ? INT64_MAX
                                                     : r.refunded + ev->amount;
  if(r.held) {
    am_rf_fmt(out->note, sizeof(out->note), "ticket %.40s not seen yet: its "
           "tier credits will be reduced", of);
    return am_rec_put(api, ctx, key, &r);
  }
  am_rec_reverse(&r, &credits, &count);
  am_set_tier(out, -credits, -count);
  am_rf_fmt(out->note, sizeof(out->note), "ticket %.40s refunded: -%" PRId64
         " qualifying mi, -%d segments", of, credits, count);
  return am_rec_put(api, ctx, key, &r);
}

/* Remembers the ticket for its refunds; refunds held against its key
 * (the same customer's) reduce the tier activity it reports now. */
static int am_remember(const crm_host_api *api, crm_host_ctx *ctx,
                       const crm_event_view *ev, int64_t miles, int segments,
                       int64_t *credits, int *count)
{
  struct am_rec r, held;
  char key[AIR_KEY_MAX];
  int64_t c;
  int n;
  int rc;

  *credits = miles;
  *count = segments;
  if(!ev->idempotency_key || !*ev->idempotency_key ||
     strlen(ev->idempotency_key) > AIR_IDEM_MAX)
    return CRM_OK;
  am_rf_fmt(key, sizeof(key), "f:%s", ev->idempotency_key);
  rc = am_rec_get(api, ctx, key, &held);
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  memset(&r, 0, sizeof(r));
  r.miles = miles;
  r.count = segments;
  r.amount = ev->amount;
  r.customer = ev->customer_id;
  if(!rc && held.held && held.customer == ev->customer_id) {
    r.full = held.full;
    r.refunded = held.refunded;
    am_rec_reverse(&r, &c, &n);
    *credits -= c;
    *count -= n;
  }
  return am_rec_put(api, ctx, key, &r);
}

#endif /* AIR_REFUND_H */
