/*
 * dealer_rebate.c - the `dealer_rebate` reward component: a car maker's
 * retroactive volume rebate for its dealers (business customers).
 *
 * Built only against crm/sdk.h, as any out-of-tree plugin is. Points in
 * this scheme are minor currency units of rebate (cents of `currency`).
 *
 * Config (the plugin's `config` group):
 *   bands          list of { from = cars; percent = number; }, required;
 *                  `from` strictly ascending and starting at 0, `percent`
 *                  0..100 in whole basis points (1.5 -> 150 bp; 1.555 is
 *                  refused) and never falling from one band to the next
 *   currency       ISO 4217 code of the purchases, default "EUR"
 *   minor_per_unit minor units in one unit, a power of ten, default 100
 *                  (only for the amounts shown in notes)
 *   settle_days    days after the year end the rebate is settled,
 *                  default 30
 *
 * purchase (quantity = cars, amount = price in minor units): adds to the
 *   dealer's volume of the purchase's calendar year (UTC). The rate of the
 *   band the year's cars have reached applies RETROACTIVELY to the whole
 *   year's amount: accrued = floor(year_amount x bp / 10000), and the
 *   result is the change, accrued_new - accrued_before (the catch-up at a
 *   band edge). The result is pending until the first instant of the next
 *   year + settle_days, never expires, takes no tier multiplier and no
 *   earning cap, and counts the cars as tier activity (tier_count).
 * refund / cancel: names its purchase (refund_of, the purchase's
 *   idempotency key) and is booked to the purchase's year and quarter,
 *   whenever it arrives (a return in January lowers last year's volume).
 *   - cancel, or refund with amount 0: all that is left of the purchase
 *     (its cars and its amount), whatever the event's currency (its
 *     amount is not used);
 *   - refund with amount > 0: `quantity` cars returned (0: a price
 *     reduction, no car) and `amount` given back.
 *   What is returned never exceeds what is left of the purchase: more is
 *   clamped and the note says so. The band is recomputed and the result
 *   is the (negative) change; the core takes it back from the pending
 *   rebate (this component does NOT set CRM_REWARD_CORE_REFUNDS: a
 *   retroactive rebate is not a per-purchase amount the core could
 *   reverse pro rata).
 * Never refused for its content (refusing would lose the event for every
 *   other scheme and for the customer's totals). These earn 0: an
 *   all-zero result, a note saying why and a warning in the log
 *   (host->log WARN, naming the event key and the customer), nothing
 *   stored:
 *   - a return naming no purchase, or naming one this component has not
 *     counted (made before the dealer was enrolled, or not ingested
 *     yet): it cannot be attributed to a year. Returns are not held: a
 *     purchase ingested after its return counts in full;
 *   - a return naming another customer's purchase;
 *   - a purchase, or a refund with amount > 0, in another currency (the
 *     rebate is money: its volume is not counted, neither as rebate nor
 *     as tier activity; convert amounts before ingesting to have it
 *     count).
 *   Refused (CRM_EINVAL / CRM_EEXIST, nothing changed): a negative amount
 *   or quantity, and a purchase key counted already.
 * other event types: 0, no note, nothing stored.
 *
 * kv records (text, space-separated integers):
 *   "p:<key>"              year quarter cars amount cars_returned
 *                          amount_returned customer
 *   "y:<customer>:<year>"  cars amount accrued
 *   "q:<customer>:<year>:<q>"  cars amount rebate (net figures booked to
 *                          the quarter; the rebates of a year's quarters
 *                          add up to its accrued)
 *
 * Changing the bands mid-year (reconfigure) is retroactive too: the next
 * event of a dealer catches the whole year up to the new rate.
 *
 * Needs a 1.2 host: the year-end settlement is the result's pending_until.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crm/sdk.h"

#include "dr_config.h"

/* The year-end settlement is the result's pending_until (SDK 1.2). */
static int dr_host_ok(const crm_host_api *api)
{
  return api->abi_major == CRM_SDK_ABI_MAJOR && api->abi_minor >= 2 &&
         CRM_HAS_MEMBER(api, crm_host_api, cfg_get_path);
}

static int dr_init(const crm_host_api *api, crm_host_ctx *ctx, void **state)
{
  struct dr_state tmp;
  struct dr_state *st;
  int rc;

  if(!dr_host_ok(api))
    return api->set_error(ctx, CRM_ENOTSUP, "dealer_rebate needs a 1.2 "
                          "host or later (the year-end settlement is "
                          "pending_until); this host is %u.%u",
                          (unsigned)api->abi_major, (unsigned)api->abi_minor);
  memset(&tmp, 0, sizeof(tmp));
  tmp.api = api;
  rc = dr_read_config(api, ctx, &tmp);
  if(rc)
    return rc;
  st = api->alloc(ctx, sizeof(*st));
  if(!st)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  *st = tmp;
  *state = st;
  return CRM_OK;
}

static void dr_fini(void *state, crm_host_ctx *ctx)
{
  struct dr_state *st = state;

  if(st)
    st->api->free(ctx, st);
}

static int dr_reconfigure(void *state, crm_host_ctx *ctx)
{
  struct dr_state *st = state;
  struct dr_state tmp;
  int rc;

  memset(&tmp, 0, sizeof(tmp));
  tmp.api = st->api;
  rc = dr_read_config(st->api, ctx, &tmp);
  if(rc)
    return rc; /* the old settings stay */
  *st = tmp;
  return CRM_OK;
}

/* ---- calendar, money, rates ------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t dr_days_from_civil(int64_t y, int64_t m, int64_t d)
{
  int64_t era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* The UTC calendar year and quarter (1..4) of time t. */
static void dr_year_quarter(int64_t t, int64_t *year, int64_t *quarter)
{
  int64_t z = (t >= 0 ? t : t - (DR_DAY - 1)) / DR_DAY + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;

  *year = yoe + era * 400 + (m <= 2);
  *quarter = (m - 1) / 3 + 1;
}

/* When a year's rebate is settled: next 1 January 00:00 UTC + settle. */
static int64_t dr_settle_at(const struct dr_state *st, int64_t year)
{
  return dr_days_from_civil(year + 1, 1, 1) * DR_DAY +
         st->settle_days * DR_DAY;
}

/* floor(amount * bp / 10000) for amount >= 0, bp <= 10000: no overflow. */
static int64_t dr_rebate(int64_t amount, int64_t bp)
{
  return amount / 10000 * bp + amount % 10000 * bp / 10000;
}

static const struct dr_band *dr_band_for(const struct dr_state *st,
                                         int64_t cars)
{
  size_t i = st->n_bands;

  while(i > 1 && st->bands[i - 1].from > cars)
    i--;
  return &st->bands[i - 1];
}

/* "18517.50" (sign "-" or, with plus, "+"). */
static void dr_money(const struct dr_state *st, int64_t minor, int plus,
                     char *buf, size_t size)
{
  const char *sign = minor < 0 ? "-" : plus ? "+" : "";
  uint64_t a = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
  uint64_t m = (uint64_t)st->minor_per_unit;
  int decimals = 0;
  uint64_t x;

  for(x = m; x > 1; x /= 10)
    decimals++;
  if(!decimals)
    dr_fmt(buf, size, "%s%" PRIu64, sign, a);
  else
    dr_fmt(buf, size, "%s%" PRIu64 ".%0*" PRIu64, sign, a / m, decimals,
           a % m);
}

/* "1.5%", "2%", "12.75%" */
static void dr_pct(int64_t bp, char *buf, size_t size)
{
  if(bp % 100 == 0)
    dr_fmt(buf, size, "%" PRId64 "%%", bp / 100);
  else if(bp % 10 == 0)
    dr_fmt(buf, size, "%" PRId64 ".%" PRId64 "%%", bp / 100, bp % 100 / 10);
  else
    dr_fmt(buf, size, "%" PRId64 ".%02" PRId64 "%%", bp / 100, bp % 100);
}

/* ---- kv records ---------------------------------------------------------- */

/* Reads n integers stored under key into v. CRM_ENOTFOUND (no error set)
 * when absent; CRM_ECORRUPT when it does not hold exactly n integers. */
static int dr_get(struct dr_state *st, crm_host_ctx *ctx, const char *key,
                  int64_t *v, size_t n)
{
  char *val = NULL;
  const char *p;
  char *end;
  size_t i;
  int rc;

  rc = st->api->kv_get(ctx, key, &val);
  if(rc)
    return rc;
  p = val ? val : "";
  for(i = 0; i < n; i++) {
    v[i] = strtoll(p, &end, 10);
    if(end == p)
      break;
    p = end;
  }
  while(*p == ' ')
    p++;
  rc = i == n && !*p ? CRM_OK : CRM_ECORRUPT;
  st->api->free(ctx, val);
  if(rc)
    return st->api->set_error(ctx, rc, "stored record %s is malformed",
                              key);
  return CRM_OK;
}

static int dr_put(struct dr_state *st, crm_host_ctx *ctx, const char *key,
                  const int64_t *v, size_t n)
{
  char val[200];
  size_t i, len = 0;

  val[0] = '\0';
  for(i = 0; i < n; i++) {
    dr_fmt(val + len, sizeof(val) - len, "%s%" PRId64, i ? " " : "", v[i]);
    len = strlen(val);
  }
  return st->api->kv_put(ctx, key, val);
}

static int dr_get_purchase(struct dr_state *st, crm_host_ctx *ctx,
                           const char *idem, struct dr_purchase *p)
{
  char key[DR_KEY_MAX];
  int64_t v[7];
  int rc;

  dr_fmt(key, sizeof(key), "p:%s", idem);
  rc = dr_get(st, ctx, key, v, 7);
  if(rc)
    return rc;
  p->year = v[0];
  p->quarter = v[1];
  p->cars = v[2];
  p->amount = v[3];
  p->cars_back = v[4];
  p->amount_back = v[5];
  p->customer = v[6];
  return CRM_OK;
}

static int dr_put_purchase(struct dr_state *st, crm_host_ctx *ctx,
                           const char *idem, const struct dr_purchase *p)
{
  char key[DR_KEY_MAX];
  int64_t v[7];

  v[0] = p->year;
  v[1] = p->quarter;
  v[2] = p->cars;
  v[3] = p->amount;
  v[4] = p->cars_back;
  v[5] = p->amount_back;
  v[6] = p->customer;
  dr_fmt(key, sizeof(key), "p:%s", idem);
  return dr_put(st, ctx, key, v, 7);
}

/* Adds d[0..2] to the three integers under key (absent: zeros). */
static int dr_add3(struct dr_state *st, crm_host_ctx *ctx, const char *key,
                   const int64_t *d, int64_t *now)
{
  int rc = dr_get(st, ctx, key, now, 3);
  size_t i;

  if(rc == CRM_ENOTFOUND)
    now[0] = now[1] = now[2] = 0;
  else if(rc)
    return rc;
  for(i = 0; i < 3; i++) {
    if((d[i] > 0 && now[i] > INT64_MAX - d[i]) ||
       (d[i] < 0 && now[i] < INT64_MIN - d[i]))
      return st->api->set_error(ctx, CRM_ERANGE, "volume under %s "
                                "overflows", key);
    now[i] += d[i];
  }
  return CRM_OK;
}

/* ---- booking ----------------------------------------------------------- */

/* Books cars and amount (negative for a return) to a dealer's year and
 * quarter, recomputes the year's retroactive rebate and fills the result
 * with the change. */
static int dr_book(struct dr_state *st, crm_host_ctx *ctx, int64_t customer,
                   int64_t year, int64_t quarter, int64_t cars,
                   int64_t amount, crm_reward_result *out)
{
  const struct dr_band *band;
  char ykey[64], qkey[80];
  char acc[40], delta[40], pct[16];
  int64_t d[3] = {cars, amount, 0};
  int64_t y[3], q[3], accrued;
  int rc;

  dr_fmt(ykey, sizeof(ykey), "y:%" PRId64 ":%" PRId64, customer, year);
  rc = dr_add3(st, ctx, ykey, d, y);
  if(rc)
    return rc;
  if(y[0] < 0 || y[1] < 0)
    return st->api->set_error(ctx, CRM_ECORRUPT, "stored volume %s went "
                              "below zero", ykey);
  band = dr_band_for(st, y[0]);
  accrued = dr_rebate(y[1], band->bp);
  d[2] = accrued - y[2];
  y[2] = accrued;
  rc = dr_put(st, ctx, ykey, y, 3);
  dr_fmt(qkey, sizeof(qkey), "q:%" PRId64 ":%" PRId64 ":%" PRId64,
         customer, year, quarter);
  if(!rc)
    rc = dr_add3(st, ctx, qkey, d, q);
  if(!rc)
    rc = dr_put(st, ctx, qkey, q, 3);
  if(rc)
    return rc;
  out->points = d[2];
  out->pending_until = dr_settle_at(st, year);
  out->expires_at = -1;
  out->tier_count = cars;
  out->flags = CRM_RESULT_NO_MULTIPLIER | CRM_RESULT_NO_CAP;
  dr_money(st, accrued, 0, acc, sizeof(acc));
  dr_money(st, d[2], 1, delta, sizeof(delta));
  dr_pct(band->bp, pct, sizeof(pct));
  dr_fmt(out->note, sizeof(out->note), "%" PRId64 ": %" PRId64 " cars, "
         "band %" PRId64 "+ %s, accrued %s (%s)", year, y[0], band->from,
         pct, acc, delta);
  return CRM_OK;
}

/* An event the rebate cannot count: it earns 0 (all-zero result), the
 * note says why and a warning is logged; the event itself stands (it is
 * still real for the customer and the other schemes). */
static int dr_skip(struct dr_state *st, crm_host_ctx *ctx,
                   const crm_event_view *ev, crm_reward_result *out,
                   const char *note, const char *why)
{
  const char *key = ev->idempotency_key && *ev->idempotency_key
                        ? ev->idempotency_key : "(no key)";

  dr_fmt(out->note, sizeof(out->note), "%s", note);
  st->api->log(ctx, CRM_LOG_WARN, "dealer_rebate: %s %.128s of customer %"
               PRId64 " earns 0: %s", ev->type, key, ev->customer_id, why);
  return CRM_OK;
}

/* Money must be in the scheme's currency (a missing one is fine for an
 * event without money). */
static int dr_currency_ok(const struct dr_state *st, const crm_event_view *ev)
{
  const char *cur = ev->currency ? ev->currency : "";

  return !strcasecmp(cur, st->currency) || (!*cur && ev->amount == 0);
}

static int dr_wrong_currency(struct dr_state *st, crm_host_ctx *ctx,
                             const crm_event_view *ev,
                             crm_reward_result *out)
{
  const char *cur = ev->currency && *ev->currency ? ev->currency
                                                  : "no currency";
  char note[96], why[200];

  dr_fmt(note, sizeof(note), "%s in %.16s: not counted (%s only), 0",
         ev->type, cur, st->currency);
  dr_fmt(why, sizeof(why), "it is in %.16s and the rebate counts %s only "
         "(convert the amount before ingesting)", cur, st->currency);
  return dr_skip(st, ctx, ev, out, note, why);
}

static int dr_purchase(struct dr_state *st, crm_host_ctx *ctx,
                       const crm_event_view *ev, crm_reward_result *out)
{
  const char *idem = ev->idempotency_key;
  struct dr_purchase p;
  int rc;

  if(!dr_currency_ok(st, ev))
    return dr_wrong_currency(st, ctx, ev, out);
  memset(&p, 0, sizeof(p));
  if(idem && *idem) {
    rc = dr_get_purchase(st, ctx, idem, &p);
    if(rc == CRM_OK)
      return st->api->set_error(ctx, CRM_EEXIST, "purchase %.128s is "
                                "already counted in the dealer's volume",
                                idem);
    if(rc != CRM_ENOTFOUND)
      return rc;
  }
  dr_year_quarter(ev->occurred_at, &p.year, &p.quarter);
  p.cars = ev->quantity;
  p.amount = ev->amount;
  p.customer = ev->customer_id;
  rc = dr_book(st, ctx, ev->customer_id, p.year, p.quarter, p.cars,
               p.amount, out);
  if(!rc && idem && *idem)
    rc = dr_put_purchase(st, ctx, idem, &p);
  return rc;
}

/* The purchase a return names: CRM_OK when it is this dealer's and was
 * counted here; CRM_ENOTFOUND (out filled by dr_skip) when the return
 * cannot be attributed to a year; else an error. */
static int dr_returned_purchase(struct dr_state *st, crm_host_ctx *ctx,
                                const crm_event_view *ev, const char *of,
                                struct dr_purchase *p,
                                crm_reward_result *out)
{
  char note[96], why[300];
  int rc = CRM_ENOTFOUND;

  if(!of || !*of) {
    dr_fmt(note, sizeof(note), "%s naming no purchase: cannot be "
           "attributed to a year, 0", ev->type);
    dr_skip(st, ctx, ev, out, note, "it names no purchase (payload "
            "refund_of), so it cannot be attributed to a year");
    return CRM_ENOTFOUND;
  }
  if(strlen(of) <= DR_IDEM_MAX)
    rc = dr_get_purchase(st, ctx, of, p);
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  if(rc == CRM_ENOTFOUND) {
    dr_fmt(note, sizeof(note), "%s of %.24s: purchase not counted here, "
           "cannot be attributed to a year, 0", ev->type, of);
    dr_fmt(why, sizeof(why), "purchase \"%.128s\" was not counted by "
           "dealer_rebate (made before the dealer was enrolled, or not "
           "ingested yet), so it cannot be attributed to a year", of);
    dr_skip(st, ctx, ev, out, note, why);
    return CRM_ENOTFOUND;
  }
  if(p->customer != ev->customer_id) {
    dr_fmt(note, sizeof(note), "%s of %.24s: another customer's purchase, "
           "0", ev->type, of);
    dr_fmt(why, sizeof(why), "purchase \"%.128s\" is customer %" PRId64
           "'s, not this dealer's", of, p->customer);
    dr_skip(st, ctx, ev, out, note, why);
    return CRM_ENOTFOUND;
  }
  return CRM_OK;
}

static int dr_return(struct dr_state *st, crm_host_ctx *ctx,
                     const crm_event_view *ev, crm_reward_result *out)
{
  const char *of = CRM_HAS_MEMBER(ev, crm_event_view, refund_of)
                       ? ev->refund_of : NULL;
  struct dr_purchase p;
  int64_t left_cars, left_amount, cars, amount;
  int full = !strcmp(ev->type, "cancel") || ev->amount == 0;
  int clamped = 0;
  size_t n;
  int rc;

  rc = dr_returned_purchase(st, ctx, ev, of, &p, out);
  if(rc == CRM_ENOTFOUND)
    return CRM_OK;
  if(rc)
    return rc;
  if(!full && !dr_currency_ok(st, ev))
    return dr_wrong_currency(st, ctx, ev, out);
  left_cars = p.cars - p.cars_back;
  left_amount = p.amount - p.amount_back;
  cars = full ? left_cars : ev->quantity;
  amount = full ? left_amount : ev->amount;
  if(left_cars == 0 && left_amount == 0)
    clamped = 2;
  else if(cars > left_cars || amount > left_amount)
    clamped = 1;
  if(clamped) {
    cars = cars > left_cars ? left_cars : cars;
    amount = amount > left_amount ? left_amount : amount;
  }
  rc = dr_book(st, ctx, ev->customer_id, p.year, p.quarter, -cars, -amount,
               out);
  if(rc)
    return rc;
  p.cars_back += cars;
  p.amount_back += amount;
  n = strlen(out->note);
  dr_fmt(out->note + n, sizeof(out->note) - n, ", %s of %.24s%s",
         ev->type, of, clamped == 2 ? ": nothing left"
                       : clamped ? " clamped to what was left" : "");
  return dr_put_purchase(st, ctx, of, &p);
}

/* Zero points, no activity, the scheme's rules. */
static void dr_zero(crm_reward_result *out)
{
  out->points = 0;
  out->note[0] = '\0';
  if(CRM_HAS_MEMBER(out, crm_reward_result, flags)) {
    out->pending_until = 0;
    out->expires_at = 0;
    out->tier_credits = 0;
    out->tier_count = 0;
    out->flags = 0;
  }
}

static int dr_on_event(void *state, crm_host_ctx *ctx,
                       const crm_event_view *ev,
                       const crm_customer_view *customer,
                       crm_reward_result *out)
{
  struct dr_state *st = state;

  (void)customer;
  dr_zero(out);
  if(!ev->type || (strcmp(ev->type, "purchase") &&
                   strcmp(ev->type, "refund") && strcmp(ev->type, "cancel")))
    return CRM_OK;
  if(!CRM_HAS_MEMBER(out, crm_reward_result, flags))
    return st->api->set_error(ctx, CRM_ENOTSUP, "dealer_rebate needs 1.2 "
                              "reward results (pending_until)");
  if(ev->amount < 0 || ev->quantity < 0)
    return st->api->set_error(ctx, CRM_EINVAL, "%s with a negative amount "
                              "or quantity", ev->type);
  if(!strcmp(ev->type, "purchase"))
    return dr_purchase(st, ctx, ev, out);
  return dr_return(st, ctx, ev, out);
}

/* No CRM_REWARD_CORE_REFUNDS: returns are recomputed here (retroactive). */
static const crm_reward_v1 dr_vtable = {
  .struct_size = sizeof(crm_reward_v1),
  .on_event = dr_on_event,
  .flags = 0,
};

static const crm_component dr_component = {
  .struct_size = sizeof(crm_component),
  .kind = CRM_KIND_REWARD,
  .name = "dealer_rebate",
  .description = "retroactive yearly volume rebate for dealers, settled "
                 "after the year end",
  .vtable = &dr_vtable,
};

static const crm_component *const dr_components[] = {&dr_component};

static const crm_plugin_desc dr_desc = {
  CRM_PLUGIN_DESC_HEADER,
  .name = "dealer_rebate",
  .version = "1.0.0",
  .vendor = "crmcore",
  .license = "MIT",
  .description = "Car dealers' yearly volume rebate in bands, applied "
                 "retroactively to the year's amount",
  .components = dr_components,
  .n_components = 1,
  .init = dr_init,
  .fini = dr_fini,
  .reconfigure = dr_reconfigure,
};

CRM_PLUGIN_DEFINE(dr_desc)
