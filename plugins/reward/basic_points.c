/*
 * basic_points.c - the `basic_points` reward component: points per unit
 * of one currency.
 *
 * Built only against crm/sdk.h, as any out-of-tree plugin is.
 *
 * Config (the plugin's `config` group):
 *   points_per_unit  integer >= 0, default 1
 *   currency         ISO 4217 code that earns, default "USD"
 *   minor_per_unit   minor units in one unit, default 100 (two decimals;
 *                    1 for JPY-like currencies, 1000 for three decimals)
 *   min_amount       purchases below this (minor units) earn nothing,
 *                    default 0
 *
 * purchase: points = floor(amount * points_per_unit / minor_per_unit),
 *   exact in integers. The purchase is remembered in the plugin's kv store
 *   under "p:<idempotency key>", with its customer, so that refunds can be
 *   reversed pro rata.
 * refund: the payload may name the purchase, {"refund_of":"<key>"}. Then
 *   the points taken back are the purchase's earned points times the
 *   share of its amount refunded so far (cumulative, so refunding the
 *   whole amount in parts takes back exactly what was earned), capped at
 *   the purchase amount; amount 0 refunds what is left. The reversals of
 *   one purchase never exceed what it earned, whatever the arrival order:
 *   - a purchase of another customer is refused (CRM_EINVAL), nothing
 *     changes;
 *   - a purchase not seen yet: nothing is taken back now, the refunded
 *     amount is held against the key for the refunding customer (each
 *     customer's held refunds apart, so one customer's bad refund_of
 *     never blocks another's refund); when the purchase arrives it earns
 *     its points less the share its owner's held amount would have
 *     reversed, which is exactly what the other order gives. Other
 *     customers' held refunds of that key are dropped and logged.
 *   A refund_of longer than 128 bytes (the longest idempotency key) is
 *   refused (CRM_EINVAL). Without refund_of the amount is taken back at
 *   the current rate, but never more than the customer's balance (the
 *   shortfall is noted).
 * other types and other currencies: 0 points, with a note saying why (an
 *   unknown currency is logged once).
 */
#include <ctype.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crm/sdk.h"

#include "bp_json.h"

#define BP_MAX_RATE 1000000
#define BP_SEEN_MAX 16
#define BP_KEY_MAX 200      /* kv keys are at most 192 bytes */
#define BP_IDEM_MAX 128     /* the longest idempotency key */
#define BP_HOLDERS_MAX 2048 /* the holder list of one unseen purchase */

/* What "p:<key>" holds (bp_read). */
enum { BP_NONE, BP_BOUGHT, BP_LEGACY_HELD, BP_HOLDERS };

struct bp_state {
  const crm_host_api *api;
  int64_t points_per_unit;
  int64_t minor_per_unit;
  int64_t min_amount;
  char currency[8];
  char seen[BP_SEEN_MAX][8]; /* currencies already logged */
  size_t n_seen;
};

/* What the kv store remembers about one purchase, or (held) about one
 * customer's refunds that named it before it arrived. */
struct bp_purchase {
  int held;            /* 1: purchase not seen yet, refunds held */
  int full;            /* held: an amount-0 refund (everything) */
  int64_t amount;      /* held: 0 */
  int64_t points;      /* held: 0 */
  int64_t refunded;    /* held: the amount held against the purchase */
  int64_t reversed;    /* held: 0 */
  int64_t customer_id; /* 0 in records older than the owner check */
  char currency[8];
};

/* ---- config ----------------------------------------------------------- */

static int bp_cfg_int(const crm_host_api *api, crm_host_ctx *ctx,
                      const char *name, int64_t lo, int64_t hi, int64_t *v)
{
  int rc = api->cfg_get_int(ctx, name, v);

  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be an integer", name);
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  if(*v < lo || *v > hi)
    return api->set_error(ctx, CRM_ECONFIG,
                          "%s must be between %lld and %lld (got %lld)", name,
                          (long long)lo, (long long)hi, (long long)*v);
  return CRM_OK;
}

static int bp_check_currency(const char *s)
{
  size_t i;

  if(strlen(s) != 3)
    return 0;
  for(i = 0; i < 3; i++) {
    if(!isupper((unsigned char)s[i]))
      return 0;
  }
  return 1;
}

static int bp_read_config(const crm_host_api *api, crm_host_ctx *ctx,
                          struct bp_state *out)
{
  const char *cur = "USD";
  int rc;

  out->points_per_unit = 1;
  out->minor_per_unit = 100;
  out->min_amount = 0;
  rc = bp_cfg_int(api, ctx, "points_per_unit", 0, BP_MAX_RATE,
                  &out->points_per_unit);
  if(!rc)
    rc = bp_cfg_int(api, ctx, "minor_per_unit", 1, BP_MAX_RATE,
                    &out->minor_per_unit);
  if(!rc)
    rc = bp_cfg_int(api, ctx, "min_amount", 0, INT64_MAX, &out->min_amount);
  if(rc)
    return rc;
  rc = api->cfg_get_str(ctx, "currency", &cur);
  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "currency must be a string");
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  if(!cur || !bp_check_currency(cur))
    return api->set_error(ctx, CRM_ECONFIG,
                          "currency must be a 3-letter ISO 4217 code such as "
                          "\"USD\" (got \"%s\")", cur ? cur : "");
  memcpy(out->currency, cur, 4);
  return CRM_OK;
}

static int bp_init(const crm_host_api *api, crm_host_ctx *ctx, void **state)
{
  struct bp_state tmp;
  struct bp_state *st;
  int rc;

  memset(&tmp, 0, sizeof(tmp));
  tmp.api = api;
  rc = bp_read_config(api, ctx, &tmp);
  if(rc)
    return rc;
  st = api->alloc(ctx, sizeof(*st));
  if(!st)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  *st = tmp;
  *state = st;
  return CRM_OK;
}

static void bp_fini(void *state, crm_host_ctx *ctx)
{
  struct bp_state *st = state;

  if(st)
    st->api->free(ctx, st);
}

static int bp_reconfigure(void *state, crm_host_ctx *ctx)
{
  struct bp_state *st = state;
  struct bp_state tmp = *st;
  int rc;

  rc = bp_read_config(st->api, ctx, &tmp);
  if(rc)
    return rc; /* the old settings stay */
  *st = tmp;
  return CRM_OK;
}

/* ---- arithmetic and formatting ---------------------------------------- */

/* snprintf that may truncate on purpose (notes are for people). */
static void bp_fmt(char *buf, size_t size, const char *fmt, ...)
    CRM__PRINTF(3, 4);

static void bp_fmt(char *buf, size_t size, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(buf, size, fmt, ap);
  va_end(ap);
}

/* floor(amount * ppu / mpu) without overflow for amount >= 0: with
 * amount = q * mpu + r it is q * ppu + floor(r * ppu / mpu). */
static int bp_points(const struct bp_state *st, int64_t amount, int64_t *out)
{
  int64_t q = amount / st->minor_per_unit;
  int64_t r = amount % st->minor_per_unit;

  if(st->points_per_unit && q > INT64_MAX / st->points_per_unit - 1)
    return CRM_ERANGE;
  *out = q * st->points_per_unit +
         r * st->points_per_unit / st->minor_per_unit;
  return CRM_OK;
}

/* "29.33" for 2933 with minor_per_unit 100; plain digits otherwise. */
static void bp_money(const struct bp_state *st, int64_t minor, char *buf,
                     size_t size)
{
  int64_t m = st->minor_per_unit;
  int decimals = 0;

  while(m > 1 && m % 10 == 0) {
    m /= 10;
    decimals++;
  }
  if(m != 1 || decimals == 0) {
    bp_fmt(buf, size, "%" PRId64, minor);
    return;
  }
  bp_fmt(buf, size, "%" PRId64 ".%0*" PRId64,
           minor / st->minor_per_unit, decimals,
           minor % st->minor_per_unit);
}

static void bp_rate_text(const struct bp_state *st, char *buf, size_t size)
{
  bp_fmt(buf, size, "%" PRId64 " %s per %s", st->points_per_unit,
           st->points_per_unit == 1 ? "pt" : "pts", st->currency);
}

/* ---- records in the kv store ------------------------------------------ */

/* "p:<key>": the purchase, "amount points refunded reversed CUR customer",
 * or before it arrives the customers holding refunds against it,
 * "holders 3 9". "h:<customer>:<key>": that customer's refunds held
 * against the purchase, "held amount full CUR customer". A "held" record
 * under "p:" comes from a version that kept one customer's held refunds
 * there; it is read as that customer's. */
static void bp_pkey(const char *idem, char *key, size_t size)
{
  bp_fmt(key, size, "p:%s", idem);
}

static void bp_hkey(int64_t customer, const char *idem, char *key,
                    size_t size)
{
  bp_fmt(key, size, "h:%" PRId64 ":%s", customer, idem);
}

static int bp_put(struct bp_state *st, crm_host_ctx *ctx, const char *key,
                  const struct bp_purchase *p)
{
  char val[160];

  if(p->held)
    bp_fmt(val, sizeof(val), "held %" PRId64 " %d %s %" PRId64, p->refunded,
           p->full, p->currency, p->customer_id);
  else
    bp_fmt(val, sizeof(val), "%" PRId64 " %" PRId64 " %" PRId64 " %" PRId64
           " %s %" PRId64, p->amount, p->points, p->refunded, p->reversed,
           p->currency, p->customer_id);
  return st->api->kv_put(ctx, key, val);
}

static int bp_put_purchase(struct bp_state *st, crm_host_ctx *ctx,
                           const char *idem, const struct bp_purchase *p)
{
  char key[BP_KEY_MAX];

  if(!idem || !*idem)
    return CRM_OK;
  bp_pkey(idem, key, sizeof(key));
  return bp_put(st, ctx, key, p);
}

/* Parses a stored record; 0 when malformed. Records written before the
 * owner check have no customer (0: not checked). */
static int bp_parse(const char *val, struct bp_purchase *p)
{
  long long a = 0, b = 0, c = 0, d = 0, who = 0;
  char cur[8] = "";
  int full = 0;
  int n;

  memset(p, 0, sizeof(*p));
  if(!strncmp(val, "held ", 5)) {
    n = sscanf(val + 5, "%lld %d %7s %lld", &c, &full, cur, &who);
    if(n != 4 || c < 0)
      return 0;
    p->held = 1;
    p->full = full != 0;
  }
  else {
    n = sscanf(val, "%lld %lld %lld %lld %7s %lld", &a, &b, &c, &d, cur,
               &who);
    if(n != 5 && n != 6)
      return 0;
  }
  p->amount = a;
  p->points = b;
  p->refunded = c;
  p->reversed = d;
  p->customer_id = who;
  memcpy(p->currency, cur, sizeof(p->currency));
  return 1;
}

/* The record under key: BP_NONE when absent, BP_BOUGHT or BP_LEGACY_HELD
 * (into p), BP_HOLDERS (the list copied into holders), or an error. */
static int bp_read(struct bp_state *st, crm_host_ctx *ctx, const char *key,
                   struct bp_purchase *p, char *holders, size_t hsize)
{
  char *val = NULL;
  int kind;
  int rc;

  rc = st->api->kv_get(ctx, key, &val);
  if(rc == CRM_ENOTFOUND)
    return BP_NONE;
  if(rc)
    return rc;
  if(val && holders && !strncmp(val, "holders", 7) &&
     (val[7] == ' ' || !val[7])) {
    bp_fmt(holders, hsize, "%s", val);
    kind = BP_HOLDERS;
  }
  else if(val && bp_parse(val, p)) {
    kind = p->held ? BP_LEGACY_HELD : BP_BOUGHT;
  }
  else {
    kind = st->api->set_error(ctx, CRM_ECORRUPT, "stored record %s is "
                              "malformed", key);
  }
  st->api->free(ctx, val);
  return kind;
}

/* The next customer id of a holder list; 0 at its end. */
static int64_t bp_next_holder(const char **cursor)
{
  char *end;
  long long v;

  while(**cursor == ' ')
    (*cursor)++;
  if(!**cursor)
    return 0;
  v = strtoll(*cursor, &end, 10);
  if(end == *cursor)
    return 0;
  *cursor = end;
  return v;
}

/* Adds customer to the holder list of idem and stores it. A list that is
 * full still works: the owner's held refunds are looked up directly. */
static int bp_add_holder(struct bp_state *st, crm_host_ctx *ctx,
                         const char *idem, char *holders, size_t hsize,
                         int64_t customer)
{
  const char *cur;
  char key[BP_KEY_MAX];
  size_t len;
  int64_t id;

  if(strncmp(holders, "holders", 7))
    bp_fmt(holders, hsize, "holders");
  cur = holders + 7;
  for(id = bp_next_holder(&cur); id; id = bp_next_holder(&cur)) {
    if(id == customer)
      return CRM_OK;
  }
  len = strlen(holders);
  if(len + 24 < hsize)
    bp_fmt(holders + len, hsize - len, " %" PRId64, customer);
  else
    st->api->log(ctx, CRM_LOG_WARN, "too many customers hold refunds "
                 "against purchase %.40s; customer #%" PRId64 " not listed",
                 idem, customer);
  bp_pkey(idem, key, sizeof(key));
  return st->api->kv_put(ctx, key, holders);
}

/* ---- events ------------------------------------------------------------- */

static int bp_currency_earns(struct bp_state *st, crm_host_ctx *ctx,
                             const crm_event_view *ev, crm_reward_result *out)
{
  const char *cur = ev->currency ? ev->currency : "";
  size_t i;

  if(!strcasecmp(cur, st->currency))
    return 1;
  bp_fmt(out->note, sizeof(out->note), "no points: currency %s, earns "
           "in %s only", *cur ? cur : "none", st->currency);
  for(i = 0; i < st->n_seen; i++) {
    if(!strcmp(st->seen[i], cur))
      return 0;
  }
  if(st->n_seen < BP_SEEN_MAX) {
    bp_fmt(st->seen[st->n_seen], sizeof(st->seen[0]), "%s", cur);
    st->n_seen++;
  }
  st->api->log(ctx, CRM_LOG_WARN, "events in %s earn no points (only %s); "
               "logged once", *cur ? cur : "no currency", st->currency);
  return 0;
}

/* floor(points * part / whole) for 0 <= part <= whole: exact in int64
 * while points * part fits (any realistic amount), else long double. */
static int64_t bp_share(int64_t points, int64_t part, int64_t whole)
{
  if(whole <= 0 || part >= whole)
    return points;
  if(points == 0 || part <= INT64_MAX / points)
    return points * part / whole;
  return (int64_t)((long double)points * (long double)part /
                   (long double)whole);
}

/* The owner's refunds held against a purchase, summed. */
struct bp_held_sum {
  int any;
  int full;
  int64_t amount;
};

/* Adds a held record to the sum if it is the purchase owner's and in the
 * purchase's currency; logs and skips it otherwise. */
static void bp_sum_held(struct bp_state *st, crm_host_ctx *ctx,
                        const crm_event_view *ev,
                        const struct bp_purchase *rec,
                        const struct bp_purchase *h, struct bp_held_sum *sum)
{
  if((h->customer_id && h->customer_id != ev->customer_id) ||
     (!h->full && strcasecmp(h->currency, rec->currency))) {
    st->api->log(ctx, CRM_LOG_WARN, "refunds held against purchase %.40s "
                 "(customer #%" PRId64 ", %s) ignored: the purchase is "
                 "customer #%" PRId64 "'s, in %s", ev->idempotency_key,
                 h->customer_id, h->currency, ev->customer_id,
                 rec->currency);
    return;
  }
  sum->any = 1;
  sum->full |= h->full;
  sum->amount = h->refunded > INT64_MAX - sum->amount ? INT64_MAX
                                                      : sum->amount +
                                                        h->refunded;
}

/* Other customers' held refunds of the purchase: logged and dropped (their
 * refunds of it are refused from now on). */
static int bp_drop_strays(struct bp_state *st, crm_host_ctx *ctx,
                          const crm_event_view *ev, const char *holders)
{
  const char *cur = holders + 7;
  char key[BP_KEY_MAX];
  int64_t id;
  int rc;

  for(id = bp_next_holder(&cur); id; id = bp_next_holder(&cur)) {
    if(id == ev->customer_id)
      continue;
    st->api->log(ctx, CRM_LOG_WARN, "refunds customer #%" PRId64 " held "
                 "against purchase %.40s ignored: the purchase is customer "
                 "#%" PRId64 "'s", id, ev->idempotency_key, ev->customer_id);
    bp_hkey(id, ev->idempotency_key, key, sizeof(key));
    rc = st->api->kv_put(ctx, key, NULL);
    if(rc)
      return rc;
  }
  return CRM_OK;
}

/* Refunds the owner made before the purchase arrived: the purchase starts
 * with them as refunded (capped at its amount) and their share of its
 * points as already reversed, which is what the refunds would have done
 * had the purchase come first. The held records are consumed. */
static int bp_apply_held(struct bp_state *st, crm_host_ctx *ctx,
                         const crm_event_view *ev, struct bp_purchase *rec,
                         crm_reward_result *out)
{
  struct bp_held_sum sum = {0, 0, 0};
  struct bp_purchase h;
  char holders[BP_HOLDERS_MAX];
  char key[BP_KEY_MAX];
  char money[40];
  size_t n;
  int rc;

  if(!ev->idempotency_key || !*ev->idempotency_key)
    return CRM_OK;
  /* (BP_BOUGHT: a stale record of the same key, replaced) */
  bp_pkey(ev->idempotency_key, key, sizeof(key));
  rc = bp_read(st, ctx, key, &h, holders, sizeof(holders));
  if(rc == BP_LEGACY_HELD)
    bp_sum_held(st, ctx, ev, rec, &h, &sum);
  else if(rc == BP_HOLDERS)
    rc = bp_drop_strays(st, ctx, ev, holders);
  if(rc < 0)
    return rc;
  bp_hkey(ev->customer_id, ev->idempotency_key, key, sizeof(key));
  rc = bp_read(st, ctx, key, &h, NULL, 0);
  if(rc == BP_LEGACY_HELD) {
    bp_sum_held(st, ctx, ev, rec, &h, &sum);
    rc = st->api->kv_put(ctx, key, NULL);
  }
  if(rc < 0)
    return rc;
  if(!sum.any)
    return CRM_OK;
  rec->refunded = sum.full || sum.amount > rec->amount ? rec->amount
                                                       : sum.amount;
  rec->reversed = bp_share(rec->points, rec->refunded, rec->amount);
  bp_money(st, rec->refunded, money, sizeof(money));
  n = strlen(out->note);
  bp_fmt(out->note + n, sizeof(out->note) - n, ", less %s %s refunded "
         "before", money, rec->currency);
  return CRM_OK;
}

static int bp_purchase(struct bp_state *st, crm_host_ctx *ctx,
                       const crm_event_view *ev, crm_reward_result *out)
{
  struct bp_purchase rec;
  char money[40], rate[48];
  int64_t pts = 0;
  int rc;

  if(!bp_currency_earns(st, ctx, ev, out))
    return CRM_OK;
  bp_money(st, ev->amount, money, sizeof(money));
  if(ev->amount < st->min_amount) {
    char min[40];

    bp_money(st, st->min_amount, min, sizeof(min));
    bp_fmt(out->note, sizeof(out->note), "no points: %s %s is below the "
             "minimum %s %s", money, st->currency, min, st->currency);
  }
  else {
    if(bp_points(st, ev->amount, &pts))
      return st->api->set_error(ctx, CRM_ERANGE, "points for amount %"
                                PRId64 " overflow", ev->amount);
    bp_rate_text(st, rate, sizeof(rate));
    bp_fmt(out->note, sizeof(out->note), "%s on %s %s", rate, money,
             st->currency);
  }
  memset(&rec, 0, sizeof(rec));
  rec.amount = ev->amount;
  rec.points = pts;
  rec.customer_id = ev->customer_id;
  memcpy(rec.currency, st->currency, sizeof(rec.currency));
  rc = bp_apply_held(st, ctx, ev, &rec, out);
  if(rc)
    return rc;
  out->points = rec.points - rec.reversed;
  return bp_put_purchase(st, ctx, ev->idempotency_key, &rec);
}

/* Refund of a known purchase: cumulative pro rata of its points. */
static int bp_refund_known(struct bp_state *st, crm_host_ctx *ctx,
                           const crm_event_view *ev, const char *of,
                           struct bp_purchase *p, crm_reward_result *out)
{
  int64_t left = p->amount - p->refunded;
  int64_t amt = ev->amount;
  int64_t total;
  char money[40];

  if(ev->amount && strcasecmp(ev->currency ? ev->currency : "",
                              p->currency)) {
    bp_fmt(out->note, sizeof(out->note), "no reversal: refund in %s, "
             "purchase %.40s in %s", ev->currency ? ev->currency : "none",
             of, p->currency);
    return CRM_OK;
  }
  if(left <= 0) {
    bp_fmt(out->note, sizeof(out->note), "no reversal: purchase %.40s "
             "is already fully refunded", of);
    return CRM_OK;
  }
  if(amt == 0 || amt > left)
    amt = left;
  p->refunded += amt;
  total = bp_share(p->points, p->refunded, p->amount);
  out->points = -(total - p->reversed);
  p->reversed = total;
  bp_money(st, amt, money, sizeof(money));
  bp_fmt(out->note, sizeof(out->note), "reversal of %s %s of purchase "
           "%.40s", money, p->currency, of);
  return bp_put_purchase(st, ctx, of, p);
}

/* Refund of a purchase not seen yet: nothing now, the amount is added to
 * the refunding customer's refunds held against the key. */
static int bp_refund_hold(struct bp_state *st, crm_host_ctx *ctx,
                          const crm_event_view *ev, const char *of,
                          crm_reward_result *out)
{
  struct bp_purchase h;
  char key[BP_KEY_MAX];
  char money[40];
  int rc;

  bp_hkey(ev->customer_id, of, key, sizeof(key));
  rc = bp_read(st, ctx, key, &h, NULL, 0);
  if(rc < 0)
    return rc;
  if(rc == BP_BOUGHT)
    return st->api->set_error(ctx, CRM_ECORRUPT, "stored record %s is "
                              "malformed", key);
  if(rc == BP_NONE) {
    memset(&h, 0, sizeof(h));
    h.held = 1;
    h.customer_id = ev->customer_id;
    memcpy(h.currency, st->currency, sizeof(h.currency));
  }
  if(ev->amount == 0)
    h.full = 1;
  else if(h.refunded > INT64_MAX - ev->amount)
    h.refunded = INT64_MAX;
  else
    h.refunded += ev->amount;
  bp_money(st, ev->amount, money, sizeof(money));
  if(ev->amount)
    bp_fmt(out->note, sizeof(out->note), "purchase not seen yet: %s %s "
           "held against it", money, h.currency);
  else
    bp_fmt(out->note, sizeof(out->note), "purchase not seen yet: the "
           "whole amount held against it");
  return bp_put(st, ctx, key, &h);
}

/* A "held" record of the old layout under "p:": moved to its customer's
 * "h:" key, and the list of holders starts with that customer. */
static int bp_migrate_legacy(struct bp_state *st, crm_host_ctx *ctx,
                             const char *of, const struct bp_purchase *h,
                             char *holders, size_t hsize)
{
  char key[BP_KEY_MAX];

  bp_hkey(h->customer_id, of, key, sizeof(key));
  bp_fmt(holders, hsize, "holders %" PRId64, h->customer_id);
  return bp_put(st, ctx, key, h);
}

/* Refund naming a purchase: a known purchase must be the refunding
 * customer's; an unknown one holds the refund for that customer. */
static int bp_refund_of(struct bp_state *st, crm_host_ctx *ctx,
                        const crm_event_view *ev, const char *of,
                        crm_reward_result *out)
{
  struct bp_purchase p;
  char holders[BP_HOLDERS_MAX] = "";
  char key[BP_KEY_MAX];
  int rc;

  bp_pkey(of, key, sizeof(key));
  rc = bp_read(st, ctx, key, &p, holders, sizeof(holders));
  if(rc < 0)
    return rc;
  if(rc == BP_BOUGHT) {
    if(p.customer_id && p.customer_id != ev->customer_id)
      return st->api->set_error(ctx, CRM_EINVAL, "refund_of \"%s\" names a "
                                "purchase of another customer", of);
    return bp_refund_known(st, ctx, ev, of, &p, out);
  }
  /* in a currency that earns nothing it could never reverse anything */
  if(ev->amount && !bp_currency_earns(st, ctx, ev, out))
    return CRM_OK;
  if(rc == BP_LEGACY_HELD && p.customer_id)
    rc = bp_migrate_legacy(st, ctx, of, &p, holders, sizeof(holders));
  else
    rc = CRM_OK;
  if(!rc)
    rc = bp_refund_hold(st, ctx, ev, of, out);
  if(!rc)
    rc = bp_add_holder(st, ctx, of, holders, sizeof(holders),
                       ev->customer_id);
  return rc;
}

/* Refund naming no purchase: the amount at the current rate, but never
 * more than the customer's balance. */
static int bp_refund_rate(struct bp_state *st, crm_host_ctx *ctx,
                          const crm_event_view *ev,
                          const crm_customer_view *cv,
                          crm_reward_result *out)
{
  char money[40], rate[48];
  int64_t pts, bal = 0;

  if(!bp_currency_earns(st, ctx, ev, out))
    return CRM_OK;
  if(bp_points(st, ev->amount, &pts))
    return st->api->set_error(ctx, CRM_ERANGE, "points for amount %" PRId64
                              " overflow", ev->amount);
  if(CRM_HAS_MEMBER(cv, crm_customer_view, points_balance) &&
     cv->points_balance > 0)
    bal = cv->points_balance;
  bp_money(st, ev->amount, money, sizeof(money));
  bp_rate_text(st, rate, sizeof(rate));
  if(pts <= bal) {
    out->points = -pts;
    bp_fmt(out->note, sizeof(out->note), "reversal at %s on %s %s", rate,
           money, st->currency);
    return CRM_OK;
  }
  out->points = -bal;
  bp_fmt(out->note, sizeof(out->note), "reversal at %s on %s %s; balance "
         "%" PRId64 ", %" PRId64 " not taken back", rate, money,
         st->currency, bal, pts - bal);
  return CRM_OK;
}

static int bp_refund(struct bp_state *st, crm_host_ctx *ctx,
                     const crm_event_view *ev, const crm_customer_view *cv,
                     crm_reward_result *out)
{
  char of[BP_IDEM_MAX + 1] = "";
  int found = 0;

  if(ev->payload)
    found = bp_json_str(ev->payload, "refund_of", of, sizeof(of));
  if(found < 0)
    return st->api->set_error(ctx, CRM_EINVAL, "refund_of is longer than "
                              "%d bytes (purchase idempotency keys are at "
                              "most %d)", BP_IDEM_MAX, BP_IDEM_MAX);
  if(found && *of)
    return bp_refund_of(st, ctx, ev, of, out);
  return bp_refund_rate(st, ctx, ev, cv, out);
}

static int bp_on_event(void *state, crm_host_ctx *ctx,
                       const crm_event_view *ev,
                       const crm_customer_view *customer,
                       crm_reward_result *out)
{
  struct bp_state *st = state;

  out->points = 0;
  out->note[0] = '\0';
  if(!ev->type)
    return CRM_OK;
  if(!strcmp(ev->type, "purchase"))
    return bp_purchase(st, ctx, ev, out);
  if(!strcmp(ev->type, "refund"))
    return bp_refund(st, ctx, ev, customer, out);
  return CRM_OK;
}

static const crm_reward_v1 bp_vtable = {
  .struct_size = sizeof(crm_reward_v1),
  .on_event = bp_on_event,
};

static const crm_component bp_component = {
  .struct_size = sizeof(crm_component),
  .kind = CRM_KIND_REWARD,
  .name = "basic_points",
  .description = "points per currency unit spent, reversed on refunds",
  .vtable = &bp_vtable,
};

static const crm_component *const bp_components[] = {&bp_component};

static const crm_plugin_desc bp_desc = {
  CRM_PLUGIN_DESC_HEADER,
  .name = "basic_points",
  .version = "1.0.0",
  .vendor = "crmcore",
  .license = "MIT",
  .description = "Loyalty points per unit of one currency",
  .components = bp_components,
  .n_components = 1,
  .init = bp_init,
  .fini = bp_fini,
  .reconfigure = bp_reconfigure,
};

CRM_PLUGIN_DEFINE(bp_desc)
