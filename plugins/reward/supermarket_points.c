/*
 * supermarket_points.c - the `supermarket_points` reward component: a
 * supermarket's points card. Points per unit of one currency, per-category
 * multipliers on the basket, dated promotions, a member day, a welcome and
 * a birthday bonus. Needs an SDK 1.2 host (json_get, json_len).
 *
 * Built only against crm/sdk.h, as any out-of-tree plugin is.
 *
 * Config (the plugin's `config` group):
 *   currency          3-letter code that earns, default "EUR"; purchases in
 *                     other currencies earn nothing (noted, logged once)
 *   points_per_unit   integer 0..1000000, default 1
 *   minor_per_unit    integer 1..1000000, default 100
 *   categories        group, category = multiplier (0 to 100, at most 4
 *                     decimals), e.g. { produce = 2.0; alcohol = 0; };
 *                     a category that is not listed earns x1. Names are
 *                     matched exactly (case-sensitive); a basket category
 *                     that is not a config name ([A-Za-z][A-Za-z0-9_-]*,
 *                     at most 63 bytes) earns x1.
 *   promotions        list of { name (1..40 bytes, unique); from, to
 *                     ("YYYY-MM-DD", UTC dates, both inclusive); multiplier
 *                     (1 to 100, at most 4 decimals); category ("" = the
 *                     whole basket, default); max_uses (0 = unlimited,
 *                     default; else per customer) }, at most 32
 *   member_day        { weekday = 0..6 (0 = Sunday) | day_of_month = 1..31;
 *                     multiplier (1 to 100) }, on the UTC date; a month
 *                     without that day has no member day
 *   stack_promotions  false (default): a line gets the best one of the
 *                     promotions and the member day that apply to it;
 *                     true: it gets their product
 *   welcome_bonus     points on a customer's first earning purchase, 0
 *   birthday_bonus    points, 0 = none
 *   birthday_window_days  0..180, default 7
 *
 * A purchase of amount A (minor units) in the currency, with the payload
 * {"items":[{"sku":"A1","category":"produce","amount":250}, ...]}:
 *   lines: each item (amount: integer minor units >= 0; category optional)
 *   and, when the items cover less than A, one uncategorised line for the
 *   rest. Items summing to more than A are refused (CRM_EINVAL).
 *   per line i: c_i = its category's multiplier; f_i = the promotion
 *   factor: the promotions whose date range holds the event's UTC date,
 *   whose category is "" or the line's, and whose max_uses the customer
 *   has not used up, and the member day when it is today; without
 *   stacking f_i = the largest of their multipliers (1 when none; on a
 *   tie the member day, then the promotion listed first), with
 *   stacking their product, member day first then promotions in config
 *   order, kept to 4 decimals rounding down at each step (exact for two
 *   factors of two decimals) and at most 100.
 *   points = floor(sum_i a_i * ppu * c_i * f_i / mpu) + welcome + birthday,
 *   exact in integers (multipliers in basis points, 128-bit sums), one
 *   floor over the whole basket.
 *   Category multipliers are looked up in the config group in force when
 *   the event is processed (the SDK lists no group's names); every value
 *   is checked at init and reconfigure.
 *   The note shows the breakdown: base = floor(A * ppu / mpu), the change
 *   the categories make, the change the promotions make, the bonuses:
 *   "45.60 EUR: base 45, categories +12, spring x2 +57, birthday +100".
 *   A promotion with max_uses counts one use per purchase in which it was
 *   applied (the chosen factor, or one of the stacked ones) to a line with
 *   a non-zero amount and category multiplier. Uses are kept in the kv
 *   store under "u:<customer>:<from>:<name>" (so a new promotion with an
 *   old name starts afresh) and are not given back by a refund.
 *   welcome_bonus: the customer's first purchase in the currency with
 *   A > 0 ("w:<customer>").
 *   birthday_bonus: the first purchase in the currency with A > 0 whose
 *   UTC date is on the birthday or at most birthday_window_days after it
 *   (customer view `birthday`, "YYYY-MM-DD"; 29 February is 28 February
 *   in other years), once per birthday year ("b:<customer>:<year>"; a
 *   window running into January belongs to the year it started).
 *   Bonuses are part of the one result: the scheme's tier multiplier, caps
 *   and min_spend apply to the whole amount (a gold member's birthday
 *   bonus is x1.5 too). A bonus or promotion use is spent by the purchase
 *   that got it even if the scheme's min_spend then earns nothing.
 *   tier_count = 1 (a visit) per purchase in the currency with A > 0; the
 *   core takes spend from the event.
 * refund, cancel: an all-zero result (0 points, no tier_count or
 *   credits; only the note says what happens). The component sets
 *   CRM_REWARD_CORE_REFUNDS: the core reverses a refund naming its
 *   purchase (refund_of) pro rata, bonuses included, and the purchase's
 *   tier activity (the visit) with it, so the plugin must report none
 *   (it would count twice); a refund naming no purchase takes nothing
 *   back.
 * Other event types: 0 points.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crm/sdk.h"

#include "sp_config.h"

/* ---- 128-bit unsigned sums (portable C11) ------------------------------ */

typedef struct sp_u128 {
  uint64_t hi, lo;
} sp_u128;

static void sp_add_mul(sp_u128 *acc, uint64_t a, uint64_t b)
{
  uint64_t a0 = a & 0xffffffffu, a1 = a >> 32;
  uint64_t b0 = b & 0xffffffffu, b1 = b >> 32;
  uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
  uint64_t lo = (mid << 32) | (p00 & 0xffffffffu);
  uint64_t hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);

  acc->lo += lo;
  acc->hi += hi + (acc->lo < lo);
}

/* floor(n / d) for 0 < d < 2^63; CRM_ERANGE when it exceeds INT64_MAX. */
static int sp_div(sp_u128 n, uint64_t d, int64_t *out)
{
  uint64_t q = 0, rem = n.hi;
  int i;

  if(n.hi >= d)
    return CRM_ERANGE;
  for(i = 63; i >= 0; i--) {
    rem = (rem << 1) | ((n.lo >> i) & 1u);
    q <<= 1;
    if(rem >= d) {
      rem -= d;
      q |= 1u;
    }
  }
  if(q > (uint64_t)INT64_MAX)
    return CRM_ERANGE;
  *out = (int64_t)q;
  return CRM_OK;
}

static int sp_init(const crm_host_api *api, crm_host_ctx *ctx, void **state)
{
  struct sp_state *st;
  int rc;

  if(!CRM_HAS_MEMBER(api, crm_host_api, json_len) || !api->json_get ||
     !api->json_len)
    return api->set_error(ctx, CRM_ENOTSUP, "supermarket_points needs a "
                          "host with SDK 1.2 or later (basket items are "
                          "read with json_get); this host is %u.%u",
                          (unsigned)api->abi_major, (unsigned)api->abi_minor);
  st = api->alloc(ctx, sizeof(*st));
  if(!st)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  memset(st, 0, sizeof(*st));
  st->api = api;
  rc = sp_read_config(api, ctx, st);
  if(rc) {
    api->free(ctx, st);
    return rc;
  }
  *state = st;
  return CRM_OK;
}

static void sp_fini(void *state, crm_host_ctx *ctx)
{
  struct sp_state *st = state;

  if(st)
    st->api->free(ctx, st);
}

static int sp_reconfigure(void *state, crm_host_ctx *ctx)
{
  struct sp_state *st = state;
  struct sp_state *tmp = st->api->alloc(ctx, sizeof(*tmp));
  int rc;

  if(!tmp)
    return st->api->set_error(ctx, CRM_ENOMEM, "out of memory");
  *tmp = *st;
  rc = sp_read_config(st->api, ctx, tmp);
  if(!rc)
    *st = *tmp; /* else the old settings stay */
  st->api->free(ctx, tmp);
  return rc;
}

/* ---- formatting --------------------------------------------------------- */

/* "29.33" for 2933 with minor_per_unit 100; plain digits otherwise. */
static void sp_money(const struct sp_state *st, int64_t minor, char *buf,
                     size_t size)
{
  int64_t m = st->minor_per_unit;
  int decimals = 0;

  while(m > 1 && m % 10 == 0) {
    m /= 10;
    decimals++;
  }
  if(m != 1 || decimals == 0)
    sp_fmt(buf, size, "%" PRId64, minor);
  else
    sp_fmt(buf, size, "%" PRId64 ".%0*" PRId64, minor / st->minor_per_unit,
           decimals, minor % st->minor_per_unit);
}

/* "2", "1.5", "1.25" for a multiplier in bp. */
static void sp_mult_text(int64_t bp, char *buf, size_t size)
{
  int64_t frac = bp % SP_BP;
  int digits = 4;

  while(frac && frac % 10 == 0) {
    frac /= 10;
    digits--;
  }
  if(frac)
    sp_fmt(buf, size, "%" PRId64 ".%0*" PRId64, bp / SP_BP, digits, frac);
  else
    sp_fmt(buf, size, "%" PRId64, bp / SP_BP);
}

/* ---- one purchase ------------------------------------------------------- */

/* What a purchase adds up while its lines are walked. */
struct sp_calc {
  int64_t active[SP_SOURCES]; /* multiplier in bp of each source, 0 off */
  int used[SP_SOURCES];
  int64_t uses[SP_SOURCES];   /* limited promotions: uses so far */
  sp_u128 n0, n1, n2;         /* sums over D = mpu * 10^8 */
  int64_t covered;            /* sum of item amounts */
};

static int sp_currency_earns(struct sp_state *st, crm_host_ctx *ctx,
                             const crm_event_view *ev, crm_reward_result *out)
{
  const char *cur = ev->currency ? ev->currency : "";
  size_t i;

  if(!strcasecmp(cur, st->currency))
    return 1;
  sp_fmt(out->note, sizeof(out->note), "no points: currency %s, earns in %s "
         "only", *cur ? cur : "none", st->currency);
  for(i = 0; i < st->n_seen; i++) {
    if(!strcmp(st->seen[i], cur))
      return 0;
  }
  if(st->n_seen < SP_SEEN_MAX)
    sp_fmt(st->seen[st->n_seen++], sizeof(st->seen[0]), "%s", cur);
  st->api->log(ctx, CRM_LOG_WARN, "purchases in %s earn no points (only %s); "
               "logged once", *cur ? cur : "no currency", st->currency);
  return 0;
}

static void sp_use_key(const struct sp_promo *p, int64_t customer, char *key,
                       size_t size)
{
  sp_fmt(key, size, "u:%" PRId64 ":%s:%s", customer, p->from_text, p->name);
}

/* The sources in force on `day` for this customer. */
static int sp_sources(struct sp_state *st, crm_host_ctx *ctx,
                      const crm_event_view *ev, int64_t day,
                      struct sp_calc *k)
{
  int64_t y;
  int m, d;
  size_t i;

  sp_civil(day, &y, &m, &d);
  if(st->member_bp && (st->member_weekday == ((day % 7) + 11) % 7 ||
                       st->member_mday == d))
    k->active[0] = st->member_bp;
  for(i = 0; i < st->n_promos; i++) {
    const struct sp_promo *p = &st->promos[i];
    char key[SP_KEY_MAX];
    char *val = NULL;
    int rc;

    if(day < p->from_day || day > p->to_day)
      continue;
    if(p->max_uses) {
      sp_use_key(p, ev->customer_id, key, sizeof(key));
      rc = st->api->kv_get(ctx, key, &val);
      if(rc && rc != CRM_ENOTFOUND)
        return rc;
      k->uses[i + 1] = val ? strtoll(val, NULL, 10) : 0;
      st->api->free(ctx, val);
      if(k->uses[i + 1] >= p->max_uses)
        continue;
    }
    k->active[i + 1] = p->bp;
  }
  return CRM_OK;
}

/* Category multiplier in bp: the config's, x1 when not listed. */
static int sp_cat_bp(struct sp_state *st, crm_host_ctx *ctx, const char *cat,
                     int64_t *bp)
{
  char path[16 + SP_CAT_MAX];

  *bp = SP_BP;
  if(!sp_cat_name_ok(cat))
    return CRM_OK;
  sp_fmt(path, sizeof(path), "categories.%s", cat);
  return sp_cfg_mult(st->api, ctx, path, path, 0, bp);
}

/* Adds one line (amount a, category cat) to the sums. */
static int sp_line(struct sp_state *st, crm_host_ctx *ctx, const char *cat,
                   int64_t a, struct sp_calc *k)
{
  uint64_t ppu = (uint64_t)st->points_per_unit;
  int64_t cat_bp, f = SP_BP;
  int who = -1;
  int i, rc;

  rc = sp_cat_bp(st, ctx, cat, &cat_bp);
  if(rc)
    return rc;
  for(i = 0; i < SP_SOURCES; i++) {
    int64_t m = k->active[i];
    const char *pc = i ? st->promos[i - 1].category : "";

    if(m <= SP_BP || (*pc && strcmp(pc, cat)))
      continue;
    if(st->stack) {
      f = f * m / SP_BP; /* 4 decimals, rounded down */
      if(f > SP_MULT_MAX)
        f = SP_MULT_MAX;
      if(a > 0 && cat_bp > 0)
        k->used[i] = 1;
    }
    else if(m > f) {
      f = m;
      who = i;
    }
  }
  if(who >= 0 && a > 0 && cat_bp > 0)
    k->used[who] = 1;
  sp_add_mul(&k->n0, (uint64_t)a, ppu * SP_BP * SP_BP);
  sp_add_mul(&k->n1, (uint64_t)a, ppu * (uint64_t)cat_bp * SP_BP);
  sp_add_mul(&k->n2, (uint64_t)a, ppu * (uint64_t)cat_bp * (uint64_t)f);
  return CRM_OK;
}

/* Reads item i's amount and category. */
static int sp_item(struct sp_state *st, crm_host_ctx *ctx, const char *json,
                   int64_t i, int64_t *amount, char *cat, size_t csize)
{
  char path[48], buf[32];
  char *end = NULL;
  int rc;

  sp_fmt(path, sizeof(path), "$.items[%" PRId64 "].amount", i);
  rc = st->api->json_get(ctx, json, path, buf, sizeof(buf));
  if(rc && rc != CRM_ENOTFOUND && rc != CRM_ERANGE)
    return st->api->set_error(ctx, CRM_EINVAL, "basket item %" PRId64 " "
                              "cannot be read", i + 1);
  if(!rc)
    *amount = strtoll(buf, &end, 10);
  if(rc || !isdigit((unsigned char)buf[0]) || *end || *amount < 0 ||
     *amount == INT64_MAX)
    return st->api->set_error(ctx, CRM_EINVAL, "basket item %" PRId64 ": "
                              "amount must be a whole number of minor units "
                              ">= 0", i + 1);
  sp_fmt(path, sizeof(path), "$.items[%" PRId64 "].category", i);
  rc = st->api->json_get(ctx, json, path, cat, csize);
  if(rc)
    cat[0] = '\0'; /* absent, or too long to be a category: x1 */
  return CRM_OK;
}

/* The basket: every item, then the uncovered rest at x1. */
static int sp_basket(struct sp_state *st, crm_host_ctx *ctx,
                     const crm_event_view *ev, struct sp_calc *k)
{
  char cat[SP_CAT_MAX + 2], a1[40], a2[40];
  int64_t n = 0, i, a = 0;
  int rc = CRM_ENOTFOUND;

  if(ev->payload)
    rc = st->api->json_len(ctx, ev->payload, "$.items", &n);
  if(rc == CRM_EINVAL)
    return st->api->set_error(ctx, CRM_EINVAL, "payload \"items\" must be "
                              "an array of {category, amount} objects");
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  if(n > SP_ITEMS_MAX)
    return st->api->set_error(ctx, CRM_EINVAL, "basket has %" PRId64 " "
                              "items, more than %d", n, SP_ITEMS_MAX);
  for(i = 0; i < n; i++) {
    rc = sp_item(st, ctx, ev->payload, i, &a, cat, sizeof(cat));
    if(rc)
      return rc;
    k->covered = a > INT64_MAX - k->covered ? INT64_MAX : k->covered + a;
    if(k->covered <= ev->amount) {
      rc = sp_line(st, ctx, cat, a, k);
      if(rc)
        return rc;
    }
  }
  if(k->covered > ev->amount) {
    sp_money(st, k->covered, a1, sizeof(a1));
    sp_money(st, ev->amount, a2, sizeof(a2));
    return st->api->set_error(ctx, CRM_EINVAL, "basket items total %s %s, "
                              "more than the purchase amount %s %s", a1,
                              st->currency, a2, st->currency);
  }
  return sp_line(st, ctx, "", ev->amount - k->covered, k);
}

/* Birthday window holding `day`: its year in *year, or 0. */
static int sp_birthday_year(const struct sp_state *st,
                            const crm_customer_view *cv, int64_t day,
                            int64_t *year)
{
  int64_t by, y, b;
  int bm, bd, m, d, dd;

  if(!CRM_HAS_MEMBER(cv, crm_customer_view, birthday) ||
     !sp_parse_date(cv->birthday, &by, &bm, &bd))
    return 0;
  sp_civil(day, &y, &m, &d);
  for(*year = y; *year >= y - 1; (*year)--) {
    dd = bm == 2 && bd == 29 && !sp_leap(*year) ? 28 : bd;
    b = sp_days(*year, bm, dd);
    if(day >= b && day - b <= st->birthday_window)
      return 1;
  }
  return 0;
}

/* A once-only bonus keyed in the kv store: 1 when this event gets it. */
static int sp_once(struct sp_state *st, crm_host_ctx *ctx, const char *key,
                   int *first)
{
  char *val = NULL;
  int rc = st->api->kv_get(ctx, key, &val);

  st->api->free(ctx, val);
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  *first = rc == CRM_ENOTFOUND;
  return CRM_OK;
}

/* Welcome and birthday bonuses; the kv keys are written by the caller. */
static int sp_bonuses(struct sp_state *st, crm_host_ctx *ctx,
                      const crm_event_view *ev, const crm_customer_view *cv,
                      int64_t day, char wkey[SP_KEY_MAX],
                      char bkey[SP_KEY_MAX])
{
  int64_t year;
  int first = 0, rc;

  wkey[0] = bkey[0] = '\0';
  if(ev->amount <= 0)
    return CRM_OK;
  if(st->welcome_bonus) {
    sp_fmt(wkey, SP_KEY_MAX, "w:%" PRId64, ev->customer_id);
    rc = sp_once(st, ctx, wkey, &first);
    if(rc)
      return rc;
    if(!first)
      wkey[0] = '\0';
  }
  if(st->birthday_bonus && sp_birthday_year(st, cv, day, &year)) {
    sp_fmt(bkey, SP_KEY_MAX, "b:%" PRId64 ":%" PRId64, ev->customer_id,
           year);
    rc = sp_once(st, ctx, bkey, &first);
    if(rc)
      return rc;
    if(!first)
      bkey[0] = '\0';
  }
  return CRM_OK;
}

static void sp_note(struct sp_state *st, const crm_event_view *ev,
                    const struct sp_calc *k, const int64_t b[3],
                    int64_t welcome, int64_t bday, char *note, size_t size)
{
  char money[40], mult[24] = "";
  const char *label = "";
  size_t n;
  int i, n_used = 0;

  sp_money(st, ev->amount, money, sizeof(money));
  sp_fmt(note, size, "%s %s: base %" PRId64, money, st->currency, b[0]);
  n = strlen(note);
  if(b[1] != b[0])
    sp_fmt(note + n, size - n, ", categories %+" PRId64, b[1] - b[0]);
  for(i = 0; i < SP_SOURCES; i++) {
    if(k->used[i]) {
      n_used++;
      label = i ? st->promos[i - 1].name : "member day";
      sp_mult_text(k->active[i], mult, sizeof(mult));
    }
  }
  n = strlen(note);
  if(b[2] != b[1] && n_used == 1)
    sp_fmt(note + n, size - n, ", %.20s x%s %+" PRId64, label, mult,
           b[2] - b[1]);
  else if(b[2] != b[1])
    sp_fmt(note + n, size - n, ", promotions %+" PRId64, b[2] - b[1]);
  n = strlen(note);
  if(welcome)
    sp_fmt(note + n, size - n, ", welcome +%" PRId64, welcome);
  n = strlen(note);
  if(bday)
    sp_fmt(note + n, size - n, ", birthday +%" PRId64, bday);
}

/* Records the uses of limited promotions and the bonuses given. */
static int sp_commit(struct sp_state *st, crm_host_ctx *ctx,
                     const crm_event_view *ev, const struct sp_calc *k,
                     const char *wkey, const char *bkey)
{
  const char *mark = ev->idempotency_key && *ev->idempotency_key
                         ? ev->idempotency_key : "used";
  char key[SP_KEY_MAX], val[24];
  size_t i;
  int rc = CRM_OK;

  for(i = 0; i < st->n_promos && !rc; i++) {
    if(!k->used[i + 1] || !st->promos[i].max_uses)
      continue;
    sp_use_key(&st->promos[i], ev->customer_id, key, sizeof(key));
    sp_fmt(val, sizeof(val), "%" PRId64, k->uses[i + 1] + 1);
    rc = st->api->kv_put(ctx, key, val);
  }
  if(!rc && *wkey)
    rc = st->api->kv_put(ctx, wkey, mark);
  if(!rc && *bkey)
    rc = st->api->kv_put(ctx, bkey, mark);
  return rc;
}

static int sp_purchase(struct sp_state *st, crm_host_ctx *ctx,
                       const crm_event_view *ev, const crm_customer_view *cv,
                       crm_reward_result *out)
{
  uint64_t den = (uint64_t)st->minor_per_unit * SP_BP * SP_BP;
  int64_t day = sp_day_of(ev->occurred_at);
  char wkey[SP_KEY_MAX], bkey[SP_KEY_MAX];
  struct sp_calc k;
  int64_t b[3], welcome, bday;
  int rc;

  if(!sp_currency_earns(st, ctx, ev, out))
    return CRM_OK;
  memset(&k, 0, sizeof(k));
  rc = sp_sources(st, ctx, ev, day, &k);
  if(!rc)
    rc = sp_basket(st, ctx, ev, &k);
  if(!rc)
    rc = sp_bonuses(st, ctx, ev, cv, day, wkey, bkey);
  if(rc)
    return rc;
  if(sp_div(k.n0, den, &b[0]) || sp_div(k.n1, den, &b[1]) ||
     sp_div(k.n2, den, &b[2]))
    return st->api->set_error(ctx, CRM_ERANGE, "points for amount %" PRId64
                              " overflow", ev->amount);
  welcome = *wkey ? st->welcome_bonus : 0;
  bday = *bkey ? st->birthday_bonus : 0;
  if(b[2] > INT64_MAX - welcome - bday)
    return st->api->set_error(ctx, CRM_ERANGE, "points for amount %" PRId64
                              " overflow", ev->amount);
  rc = sp_commit(st, ctx, ev, &k, wkey, bkey);
  if(rc)
    return rc;
  out->points = b[2] + welcome + bday;
  out->tier_count = ev->amount > 0 ? 1 : 0;
  sp_note(st, ev, &k, b, welcome, bday, out->note, sizeof(out->note));
  return CRM_OK;
}

/* ---- events ------------------------------------------------------------- */

/* Zero points, no tier activity, the scheme's rules: refund, cancel and
 * other types return this (the core reverses refunds, activity too). */
static void sp_zero(crm_reward_result *out)
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

static int sp_on_event(void *state, crm_host_ctx *ctx,
                       const crm_event_view *ev,
                       const crm_customer_view *customer,
                       crm_reward_result *out)
{
  struct sp_state *st = state;
  const char *of = NULL;

  sp_zero(out);
  if(!ev->type)
    return CRM_OK;
  if(!strcmp(ev->type, "purchase"))
    return sp_purchase(st, ctx, ev, customer, out);
  if(strcmp(ev->type, "refund") && strcmp(ev->type, "cancel"))
    return CRM_OK;
  if(CRM_HAS_MEMBER(ev, crm_event_view, refund_of))
    of = ev->refund_of;
  if(of && *of)
    sp_fmt(out->note, sizeof(out->note), "%s of %.60s: the core takes back "
           "its points", ev->type, of);
  else
    sp_fmt(out->note, sizeof(out->note), "%s naming no purchase: no points "
           "taken back", ev->type);
  return CRM_OK;
}

static const crm_reward_v1 sp_vtable = {
  .struct_size = sizeof(crm_reward_v1),
  .on_event = sp_on_event,
  .flags = CRM_REWARD_CORE_REFUNDS,
};

static const crm_component sp_component = {
  .struct_size = sizeof(crm_component),
  .kind = CRM_KIND_REWARD,
  .name = "supermarket_points",
  .description = "supermarket points card: basket categories, promotions, "
                 "member day, welcome and birthday bonuses",
  .vtable = &sp_vtable,
};

static const crm_component *const sp_components[] = {&sp_component};

static const crm_plugin_desc sp_desc = {
  CRM_PLUGIN_DESC_HEADER,
  .name = "supermarket_points",
  .version = "1.0.0",
  .vendor = "crmcore",
  .license = "MIT",
  .description = "Supermarket loyalty points (industry pack)",
  .components = sp_components,
  .n_components = 1,
  .init = sp_init,
  .fini = sp_fini,
  .reconfigure = sp_reconfigure,
};

CRM_PLUGIN_DEFINE(sp_desc)
