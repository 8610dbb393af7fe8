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
 *     amount is held against the key ("held ..." record); when the
 *     purchase arrives it earns its points less the share the held amount
 *     would have reversed, which is exactly what the other order gives.
 *   Without refund_of the amount is taken back at the current rate, but
 *   never more than the customer's balance (the shortfall is noted).
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

#define BP_MAX_RATE 1000000
#define BP_SEEN_MAX 16
#define BP_KEY_MAX 160

struct bp_state {
  const crm_host_api *api;
  int64_t points_per_unit;
  int64_t minor_per_unit;
  int64_t min_amount;
  char currency[8];
  char seen[BP_SEEN_MAX][8]; /* currencies already logged */
  size_t n_seen;
};

/* What the kv store remembers about one purchase, or (held) about the
 * refunds that named it before it arrived. */
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

/* ---- minimal JSON: one top-level string member ------------------------ */

static const char *bp_ws(const char *p)
{
  while(*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  return p;
}

/* Skips a JSON string starting at the quote; NULL if malformed. */
static const char *bp_skip_string(const char *p)
{
  p++;
  while(*p && *p != '"') {
    if(*p == '\\') {
      p++;
      if(!*p)
        return NULL;
    }
    p++;
  }
  return *p == '"' ? p + 1 : NULL;
}

/* Skips any JSON value (containers by depth); NULL if malformed. */
static const char *bp_skip_value(const char *p)
{
  int depth = 0;

  p = bp_ws(p);
  for(;;) {
    if(!*p)
      return NULL;
    if(*p == '"') {
      p = bp_skip_string(p);
      if(!p || depth == 0)
        return p;
      continue;
    }
    if(*p == '{' || *p == '[') {
      depth++;
    }
    else if(*p == '}' || *p == ']') {
      if(depth == 0)
        return p;
      depth--;
      if(depth == 0)
        return p + 1;
    }
    else if(depth == 0 && (*p == ',' || *p == ' ' || *p == '\t' ||
                           *p == '\n' || *p == '\r')) {
      return p;
    }
    p++;
  }
}

/* Copies the JSON string at p (a quote) into out, decoding the simple
 * escapes; \u escapes and too long values are refused (0). */
static int bp_copy_string(const char *p, char *out, size_t size)
{
  size_t n = 0;

  p++;
  while(*p && *p != '"') {
    char ch = *p;

    if(ch == '\\') {
      p++;
      switch(*p) {
      case '"': ch = '"'; break;
      case '\\': ch = '\\'; break;
      case '/': ch = '/'; break;
      default: return 0;
      }
    }
    if(n + 1 >= size)
      return 0;
    out[n++] = ch;
    p++;
  }
  if(*p != '"')
    return 0;
  out[n] = '\0';
  return 1;
}

/* Finds the top-level member `name` of a JSON object holding a string. */
static int bp_json_str(const char *json, const char *name, char *out,
                       size_t size)
{
  const char *p = bp_ws(json);
  size_t nlen = strlen(name);

  if(*p != '{')
    return 0;
  p = bp_ws(p + 1);
  while(*p == '"') {
    const char *key = p + 1;
    const char *end = bp_skip_string(p);
    int match;

    if(!end)
      return 0;
    match = (size_t)(end - 1 - key) == nlen && !memcmp(key, name, nlen);
    p = bp_ws(end);
    if(*p != ':')
      return 0;
    p = bp_ws(p + 1);
    if(match)
      return *p == '"' && bp_copy_string(p, out, size);
    p = bp_skip_value(p);
    if(!p)
      return 0;
    p = bp_ws(p);
    if(*p != ',')
      return 0;
    p = bp_ws(p + 1);
  }
  return 0;
}

/* ---- purchase records in the kv store ---------------------------------- */

static void bp_kv_key(const char *idem, char *key, size_t size)
{
  bp_fmt(key, size, "p:%s", idem);
}

/* Purchase: "amount points refunded reversed CUR customer".
 * Held refunds: "held amount full CUR customer". */
static int bp_remember(struct bp_state *st, crm_host_ctx *ctx,
                       const char *idem, const struct bp_purchase *p)
{
  char key[BP_KEY_MAX];
  char val[160];

  if(!idem || !*idem)
    return CRM_OK;
  bp_kv_key(idem, key, sizeof(key));
  if(p->held)
    bp_fmt(val, sizeof(val), "held %" PRId64 " %d %s %" PRId64, p->refunded,
           p->full, p->currency, p->customer_id);
  else
    bp_fmt(val, sizeof(val), "%" PRId64 " %" PRId64 " %" PRId64 " %" PRId64
           " %s %" PRId64, p->amount, p->points, p->refunded, p->reversed,
           p->currency, p->customer_id);
  return st->api->kv_put(ctx, key, val);
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

/* CRM_ENOTFOUND when nothing is stored under the key. */
static int bp_recall(struct bp_state *st, crm_host_ctx *ctx,
                     const char *idem, struct bp_purchase *p)
{
  char key[BP_KEY_MAX];
  char *val = NULL;
  int ok;
  int rc;

  bp_kv_key(idem, key, sizeof(key));
  rc = st->api->kv_get(ctx, key, &val);
  if(rc)
    return rc;
  ok = val && bp_parse(val, p);
  st->api->free(ctx, val);
  if(!ok)
    return st->api->set_error(ctx, CRM_ECORRUPT,
                              "stored purchase %s is malformed", idem);
  return CRM_OK;
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

/* Refunds held against this purchase before it arrived: the purchase
 * starts with them as refunded (capped at its amount) and their share
 * of its points as already reversed, which is what the refunds would
 * have done had the purchase come first. */
static int bp_apply_held(struct bp_state *st, crm_host_ctx *ctx,
                         const crm_event_view *ev, struct bp_purchase *rec,
                         crm_reward_result *out)
{
  struct bp_purchase h;
  char money[40];
  size_t n;
  int rc;

  if(!ev->idempotency_key || !*ev->idempotency_key)
    return CRM_OK;
  rc = bp_recall(st, ctx, ev->idempotency_key, &h);
  if(rc == CRM_ENOTFOUND)
    return CRM_OK;
  if(rc)
    return rc;
  if(!h.held)
    return CRM_OK; /* a stale record of the same key: replaced */
  if((h.customer_id && h.customer_id != ev->customer_id) ||
     (!h.full && strcasecmp(h.currency, rec->currency))) {
    st->api->log(ctx, CRM_LOG_WARN, "refunds held against purchase %.40s "
                 "(customer #%" PRId64 ", %s) ignored: the purchase is "
                 "customer #%" PRId64 "'s, in %s", ev->idempotency_key,
                 h.customer_id, h.currency, ev->customer_id, rec->currency);
    return CRM_OK;
  }
  rec->refunded = h.full || h.refunded > rec->amount ? rec->amount
                                                     : h.refunded;
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
  return bp_remember(st, ctx, ev->idempotency_key, &rec);
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
  return bp_remember(st, ctx, of, p);
}

/* Refund of a purchase not seen yet: nothing now, the amount is held
 * against the key (prev: refunds already held, or NULL). */
static int bp_refund_hold(struct bp_state *st, crm_host_ctx *ctx,
                          const crm_event_view *ev, const char *of,
                          const struct bp_purchase *prev,
                          crm_reward_result *out)
{
  struct bp_purchase h;
  char money[40];

  if(ev->amount && !bp_currency_earns(st, ctx, ev, out))
    return CRM_OK;
  if(prev) {
    h = *prev;
  }
  else {
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
  return bp_remember(st, ctx, of, &h);
}

/* Refund naming a purchase: its owner must be the refunding customer. */
static int bp_refund_of(struct bp_state *st, crm_host_ctx *ctx,
                        const crm_event_view *ev, const char *of,
                        crm_reward_result *out)
{
  struct bp_purchase p;
  int rc;

  rc = bp_recall(st, ctx, of, &p);
  if(rc == CRM_ENOTFOUND)
    return bp_refund_hold(st, ctx, ev, of, NULL, out);
  if(rc)
    return rc;
  if(p.customer_id && p.customer_id != ev->customer_id)
    return st->api->set_error(ctx, CRM_EINVAL, p.held ?
                              "refund_of \"%s\" names a purchase another "
                              "customer has already refunded" :
                              "refund_of \"%s\" names a purchase of another "
                              "customer", of);
  if(p.held)
    return bp_refund_hold(st, ctx, ev, of, &p, out);
  return bp_refund_known(st, ctx, ev, of, &p, out);
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
  char of[136] = "";

  if(ev->payload && bp_json_str(ev->payload, "refund_of", of, sizeof(of)) &&
     *of)
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
