/*
 * points_property_check.c - the property test's observations and
 * invariants: everything the public API says about a customer, checked
 * against itself and against the model (see test_points_property.c).
 */
#include "points_property.h"

const pt_rules pt_rule[2] = {
  {"fxa_points", 1, 0, 14, 60, 800, 0, 90, 60, 15, 10, 1000, 1500, 500,
   {"base", "silver", "gold"}, {0, 25, 50}, 3},
  {"fxb_points", 0, 1, 0, 30, 0, 2500, 60, 30, 0, 1, 0, 0, 0,
   {"member", "plus", NULL}, {0, 100, 0}, 2},
};

const pt_item pt_items[PT_N_ITEMS] = {
  {"V5", 0, 250, -1, 0, 0},
  {"GIFT", 0, 100, 25, 0, 0},
  {"SPRING", 0, 150, -1, PT_SPRING_FROM, PT_SPRING_UNTIL},
  {"R1", 1, 120, -1, 0, 0},
  {"AUTO", 1, 900, -1, 0, 0},
};

const char *const pt_kinds[K_N] = {
  "earn", "pending_earn", "release", "spend", "expire", "reverse", "adjust",
  "transfer_in", "transfer_out"};
const char *const pt_vstates[] = {"issued", "used", "voided",
                                         "expired", NULL};
const char *const pt_opnames[OP_N] = {
  "purchase", "refund", "refund_full", "cancel", "refund_noref",
  "refund_other", "redeem", "void", "use", "transfer", "adjust", "advance",
  "due", "replay", "conflict"};
const char *const pt_covnames[C_N] = {
  "shortfall", "overdraft", "tier upgrade", "release", "expiry",
  "voided voucher", "auto redeem", "transfer", "transfer refused",
  "redeem", "redeem refused", "adjust refused", "replay", "key reused",
  "refund before purchase", "partial refund", "promotion", "tier grace",
  "tier downgrade"};
int64_t pt_cov[C_N];
int64_t pt_opcount[OP_N];

char pt_why[1024];
char pt_check[48];
int pt_failed;

int pt_fail(const char *check, const char *fmt, ...)
{
  va_list ap;

  if(pt_failed)
    return -1;
  pt_failed = 1;
  snprintf(pt_check, sizeof(pt_check), "%s", check);
  va_start(ap, fmt);
  vsnprintf(pt_why, sizeof(pt_why), fmt, ap);
  va_end(ap);
  return -1;
}

#define PT_REQ(cond, check, ...)                                            \
  do {                                                                      \
    if(!(cond))                                                             \
      return pt_fail(check, __VA_ARGS__);                                   \
  } while(0)

void pt_log(pt_seq *q, const char *fmt, ...)
{
  va_list ap;

  if(q->n_log >= 2 * PT_MAX_OPS)
    return;
  va_start(ap, fmt);
  vsnprintf(q->log[q->n_log], PT_NOTE, fmt, ap);
  va_end(ap);
  if(q->verbose)
    fprintf(stderr, "  %2d %s\n", q->n_log, q->log[q->n_log]);
  q->n_log++;
}

/* ---- small helpers --------------------------------------------------- */

uint64_t pt_next(uint64_t *s)
{
  uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));

  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

int64_t pt_rand(uint64_t *s, int64_t lo, int64_t hi)
{
  return lo + (int64_t)(pt_next(s) % (uint64_t)(hi - lo + 1));
}

int64_t pt_month(int64_t t)
{
  time_t tt = (time_t)t;
  struct tm tm;

  gmtime_r(&tt, &tm);
  return (int64_t)tm.tm_year * 12 + tm.tm_mon;
}

int pt_index(const char *const *names, int n, const char *s)
{
  int i;

  for(i = 0; i < n && names[i]; i++) {
    if(s && !strcmp(names[i], s))
      return i;
  }
  return -1;
}

int pt_is_promo(const pt_seq *q, int64_t event_id)
{
  size_t j;

  for(j = 0; j < q->n_p; j++) {
    if(q->p[j].event_id == event_id)
      return q->p[j].promo;
  }
  return 0;
}

static int pt_scheme_of(const char *name)
{
  if(name && !strcmp(name, pt_rule[0].name))
    return 0;
  if(name && !strcmp(name, pt_rule[1].name))
    return 1;
  return -1;
}

static int pt_item_of(const char *code)
{
  int i;

  for(i = 0; i < PT_N_ITEMS; i++) {
    if(code && !strcmp(pt_items[i].code, code))
      return i;
  }
  return -1;
}

/* ---- collecting a customer's state ----------------------------------- */

static int pt_cb_entry(void *ud, const crm_ledger_entry *le)
{
  pt_view *v = ud;
  pt_entry *e;

  if(v->n_e >= PT_MAX_ENTRIES) {
    v->overflow = 1;
    return 1;
  }
  e = &v->e[v->n_e++];
  e->id = le->id;
  e->event_id = le->event_id;
  e->points = le->points;
  e->pending = le->pending;
  e->at = le->at;
  e->lot_id = le->lot_id;
  e->ref_event_id = le->ref_event_id;
  e->ref_entry_id = le->ref_entry_id;
  e->kind = pt_index(pt_kinds, K_N, le->kind);
  e->scheme = pt_scheme_of(le->component);
  return 0;
}

static int pt_cb_lot(void *ud, const crm_points_lot *l)
{
  static const char *const states[] = {"pending", "available", "closed"};
  pt_view *v = ud;
  pt_lot *o;

  if(v->n_lot >= PT_MAX_LOTS) {
    v->overflow = 1;
    return 1;
  }
  o = &v->lot[v->n_lot++];
  o->id = l->id;
  o->event_id = l->event_id;
  o->entry_id = l->entry_id;
  o->earned_at = l->earned_at;
  o->original = l->original;
  o->remaining = l->remaining;
  o->release_at = l->release_at;
  o->expires_at = l->expires_at;
  o->state = pt_index(states, 3, l->state);
  o->scheme = pt_scheme_of(l->scheme);
  return 0;
}

static int pt_cb_voucher(void *ud, const crm_voucher *cv)
{
  pt_view *v = ud;
  pt_voucher *o;

  if(v->n_v >= PT_MAX_VOUCHERS) {
    v->overflow = 1;
    return 1;
  }
  o = &v->v[v->n_v++];
  o->id = cv->id;
  o->cost = cv->cost;
  o->valid_until = cv->valid_until;
  o->spend_entry_id = cv->spend_entry_id;
  o->voided_at = cv->voided_at;
  o->customer_id = cv->customer_id;
  snprintf(o->code, sizeof(o->code), "%s", cv->code);
  o->item = pt_item_of(cv->item);
  o->state = pt_index(pt_vstates, 4, cv->state);
  o->scheme = pt_scheme_of(cv->scheme);
  return 0;
}

static const pt_entry *pt_find_entry(const pt_view *v, int64_t id)
{
  size_t k;

  for(k = 0; k < v->n_e; k++) {
    if(v->e[k].id == id)
      return &v->e[k];
  }
  return NULL;
}

/* Reads everything the checks need about customer i. */
static int pt_collect(pt_seq *q, int i)
{
  pt_view *v = &q->view[i];
  crm_points_account a;
  crm_customer cu;
  int64_t id = q->cust[i], bal = 0;
  int s, rc;

  memset(&v->snap, 0, sizeof(v->snap));
  v->n_e = v->n_lot = v->n_v = 0;
  v->overflow = 0;
  rc = crm_points_check(q->c, id, NULL);
  PT_REQ(rc == CRM_OK, "check", "crm_points_check(c%d) = %d: %s", i, rc,
         crm_errmsg(q->c));
  rc = crm_ledger_foreach(q->c, id, pt_cb_entry, v);
  PT_REQ(rc == 0 && !v->overflow, "api", "crm_ledger_foreach(c%d) = %d: %s",
         i, rc, crm_errmsg(q->c));
  for(s = 0; s < 2; s++) {
    pt_acct *ac = &v->snap.acct[s];

    rc = crm_points_account_get(q->c, id, pt_rule[s].name, &a);
    PT_REQ(rc == CRM_OK || rc == CRM_ENOTFOUND, "api",
           "crm_points_account_get(c%d, %s) = %d: %s", i, pt_rule[s].name,
           rc, crm_errmsg(q->c));
    if(rc == CRM_ENOTFOUND)
      continue;
    ac->exists = 1;
    ac->balance = a.balance;
    ac->pending = a.pending;
    ac->shortfall = a.shortfall;
    ac->overdraft = a.overdraft;
    ac->lifetime = a.lifetime_earned;
    ac->since = a.tier_since;
    ac->review_at = a.tier_review_at;
    ac->grace_until = a.tier_grace_until;
    snprintf(ac->tier, sizeof(ac->tier), "%s", a.tier);
    rc = crm_points_lots_foreach(q->c, id, pt_rule[s].name, 1, pt_cb_lot, v);
    PT_REQ(rc == 0 && !v->overflow, "api", "crm_points_lots_foreach(c%d) = "
           "%d: %s", i, rc, crm_errmsg(q->c));
  }
  rc = crm_vouchers_foreach(q->c, id, pt_cb_voucher, v);
  PT_REQ(rc == 0 && !v->overflow, "api", "crm_vouchers_foreach(c%d) = %d: "
         "%s", i, rc, crm_errmsg(q->c));
  rc = crm_customer_get(q->c, id, &cu);
  PT_REQ(rc == 0, "api", "crm_customer_get: %s", crm_errmsg(q->c));
  v->snap.points_balance = cu.points_balance;
  rc = crm_points_balance(q->c, id, &bal);
  PT_REQ(rc == 0, "balance", "crm_points_balance(c%d) = %d: %s", i, rc,
         crm_errmsg(q->c));
  PT_REQ(bal == cu.points_balance, "balance", "c%d: crm_points_balance %"
         PRId64 " but customer points_balance %" PRId64, i, bal,
         cu.points_balance);
  return 0;
}

/* ---- the invariants -------------------------------------------------- */

static int pt_check_entry_signs(int i, const pt_entry *e)
{
  int ok;

  switch(e->kind) {
  case K_EARN:
  case K_TIN:
    ok = e->points > 0 && e->pending == 0;
    break;
  case K_PEARN:
    ok = e->points == 0 && e->pending > 0;
    break;
  case K_RELEASE:
    ok = e->points > 0 && e->pending == -e->points;
    break;
  case K_SPEND:
  case K_TOUT:
    ok = e->points < 0 && e->pending == 0;
    break;
  case K_EXPIRE:
    ok = e->points <= 0 && e->pending <= 0 && e->points + e->pending < 0;
    break;
  case K_REVERSE:
    ok = e->ref_entry_id ? e->points > 0 && e->pending == 0
                         : e->points <= 0 && e->pending <= 0 &&
                               e->points + e->pending < 0;
    break;
  case K_ADJUST:
    ok = e->points != 0 && e->pending == 0;
    break;
  default:
    return pt_fail("ledger", "c%d: entry #%" PRId64 " has an unknown kind",
                   i, e->id);
  }
  PT_REQ(e->scheme >= 0, "ledger", "c%d: entry #%" PRId64 " names an "
         "unknown scheme", i, e->id);
  PT_REQ(ok, "ledger", "c%d: %s entry #%" PRId64 " in %s has points %"
         PRId64 " pending %" PRId64, i, pt_kinds[e->kind], e->id,
         pt_rule[e->scheme].name, e->points, e->pending);
  return 0;
}

/* Daily / monthly earning caps and monthly transfer limits. */
static int pt_check_limits(pt_seq *q, int i, int s)
{
  const pt_view *v = &q->view[i];
  const pt_rules *r = &pt_rule[s];
  size_t a, b;

  for(a = 0; a < v->n_e; a++) {
    const pt_entry *x = &v->e[a];
    int64_t day = 0, month = 0, out = 0, in = 0;

    if(x->scheme != s)
      continue;
    for(b = 0; b < v->n_e; b++) {
      const pt_entry *y = &v->e[b];
      int earned = (y->kind == K_EARN || y->kind == K_PEARN) &&
                   !pt_is_promo(q, y->event_id);

      if(y->scheme != s)
        continue;
      if(earned && y->at / T_DAY == x->at / T_DAY)
        day += y->points + y->pending;
      if(earned && pt_month(y->at) == pt_month(x->at))
        month += y->points + y->pending;
      if(y->kind == K_TOUT && pt_month(y->at) == pt_month(x->at))
        out -= y->points;
      if(y->kind == K_TIN && pt_month(y->at) == pt_month(x->at))
        in += y->points;
    }
    PT_REQ(!r->per_day || day <= r->per_day, "cap", "c%d %s: earned %"
           PRId64 " on the day of entry #%" PRId64 " (cap %" PRId64 ")", i,
           r->name, day, x->id, r->per_day);
    PT_REQ(!r->per_month || month <= r->per_month, "cap", "c%d %s: earned %"
           PRId64 " in the month of entry #%" PRId64 " (cap %" PRId64 ")", i,
           r->name, month, x->id, r->per_month);
    PT_REQ(!r->tr_out || out <= r->tr_out, "transfer_limit", "c%d %s: %"
           PRId64 " transferred out in a month (limit %" PRId64 ")", i,
           r->name, out, r->tr_out);
    PT_REQ(!r->tr_in || in <= r->tr_in, "transfer_limit", "c%d %s: %"
           PRId64 " transferred in in a month (limit %" PRId64 ")", i,
           r->name, in, r->tr_in);
  }
  return 0;
}

static int pt_check_ledger(pt_seq *q, int i)
{
  pt_view *v = &q->view[i];
  int64_t total = 0;
  size_t k;
  int s;

  for(k = 0; k < v->n_e; k++) {
    if(pt_check_entry_signs(i, &v->e[k]))
      return -1;
    total += v->e[k].points;
  }
  PT_REQ(total == v->snap.points_balance, "balance", "c%d: customer "
         "points_balance %" PRId64 " but the ledger sums to %" PRId64, i,
         v->snap.points_balance, total);
  for(s = 0; s < 2; s++) {
    pt_acct *a = &v->snap.acct[s];
    int64_t life = 0;

    for(k = 0; k < v->n_e; k++) {
      const pt_entry *e = &v->e[k];

      if(e->scheme != s)
        continue;
      a->n_entries++;
      a->sum_points += e->points;
      a->sum_pending += e->pending;
      if(e->id > a->last_entry)
        a->last_entry = e->id;
      if(e->kind == K_EARN || e->kind == K_PEARN)
        life += e->points + e->pending;
      PT_REQ(s == 0 || (e->kind != K_PEARN && e->kind != K_RELEASE),
             "ledger", "c%d: %s entry #%" PRId64 " in a scheme without a "
             "pending period", i, pt_kinds[e->kind], e->id);
    }
    if(!a->exists) {
      PT_REQ(a->n_entries == 0, "balance", "c%d %s: %" PRId64 " entries "
             "but no account", i, pt_rule[s].name, a->n_entries);
      continue;
    }
    PT_REQ(a->balance == a->sum_points && a->pending == a->sum_pending,
           "balance", "c%d %s: balance %" PRId64 " pending %" PRId64
           " but the ledger sums to %" PRId64 " / %" PRId64, i,
           pt_rule[s].name, a->balance, a->pending, a->sum_points,
           a->sum_pending);
    PT_REQ(a->lifetime == life, "balance", "c%d %s: lifetime_earned %"
           PRId64 ", earn lines sum to %" PRId64, i, pt_rule[s].name,
           a->lifetime, life);
    if(pt_rule[s].allow_negative)
      PT_REQ(a->shortfall == 0 && a->overdraft >= 0, "debt", "c%d %s: "
             "shortfall %" PRId64 " overdraft %" PRId64, i, pt_rule[s].name,
             a->shortfall, a->overdraft);
    else
      PT_REQ(a->overdraft == 0 && a->shortfall >= 0 && a->balance >= 0,
             "debt", "c%d %s: balance %" PRId64 " shortfall %" PRId64
             " overdraft %" PRId64, i, pt_rule[s].name, a->balance,
             a->shortfall, a->overdraft);
    pt_cov[C_SHORTFALL] += a->shortfall > 0;
    pt_cov[C_OVERDRAFT] += a->overdraft > 0;
    if(pt_check_limits(q, i, s))
      return -1;
  }
  return 0;
}

/* One lot: bounds, state, the entry that made it, dates by the rules. */
static int pt_check_lot(pt_seq *q, int i, const pt_lot *l)
{
  const pt_view *v = &q->view[i];
  const pt_rules *r;
  const pt_entry *e;

  PT_REQ(l->scheme >= 0 && l->state >= 0, "lot", "c%d: lot %" PRId64
         " has an unknown scheme or state", i, l->id);
  r = &pt_rule[l->scheme];
  PT_REQ(l->original > 0 && l->remaining >= 0 &&
         l->remaining <= l->original, "lot", "c%d %s: lot %" PRId64
         " original %" PRId64 " remaining %" PRId64, i, r->name, l->id,
         l->original, l->remaining);
  PT_REQ(l->state != L_CLOSED || l->remaining == 0, "lot", "c%d: closed "
         "lot %" PRId64 " keeps %" PRId64, i, l->id, l->remaining);
  PT_REQ(l->state != L_PENDING || l->release_at > 0, "lot", "c%d: pending "
         "lot %" PRId64 " has no release time", i, l->id);
  PT_REQ(l->state != L_AVAILABLE || l->release_at == 0, "lot", "c%d: "
         "available lot %" PRId64 " has release_at %" PRId64, i, l->id,
         l->release_at);
  e = pt_find_entry(v, l->entry_id);
  PT_REQ(e && e->scheme == l->scheme, "lot", "c%d: lot %" PRId64 " names "
         "entry #%" PRId64 ", not one of its ledger", i, l->id, l->entry_id);
  PT_REQ(e->kind == K_EARN || e->kind == K_PEARN || e->kind == K_TIN ||
         (e->kind == K_ADJUST && e->points > 0), "lot", "c%d: lot %" PRId64
         " made by a %s entry", i, l->id, pt_kinds[e->kind]);
  PT_REQ(l->original == e->points + e->pending, "lot", "c%d: lot %" PRId64
         " original %" PRId64 " but entry #%" PRId64 " gave %" PRId64, i,
         l->id, l->original, e->id, e->points + e->pending);
  if(e->kind != K_EARN && e->kind != K_PEARN)
    return 0;
  PT_REQ(l->event_id == e->event_id && l->earned_at == e->at, "lot",
         "c%d: lot %" PRId64 " event/earned_at %" PRId64 "/%" PRId64
         " but entry #%" PRId64 " %" PRId64 "/%" PRId64, i, l->id,
         l->event_id, l->earned_at, e->id, e->event_id, e->at);
  if(pt_is_promo(q, e->event_id)) {
    PT_REQ(e->kind == K_EARN && l->expires_at == 0, "expiry_date", "c%d "
           "%s: promotion lot %" PRId64 " is a %s line expiring at %" PRId64
           " (the plugin said: at once, never)", i, r->name, l->id,
           pt_kinds[e->kind], l->expires_at);
    return 0;
  }
  PT_REQ(l->expires_at == e->at + r->expiry_days * T_DAY, "expiry_date",
         "c%d %s: lot %" PRId64 " earned at %" PRId64 " expires at %" PRId64
         ", not %" PRId64 " days later", i, r->name, l->id, e->at,
         l->expires_at, r->expiry_days);
  PT_REQ(l->state != L_PENDING ||
         l->release_at == e->at + r->pending_days * T_DAY, "release_date",
         "c%d %s: lot %" PRId64 " earned at %" PRId64 " releases at %" PRId64,
         i, r->name, l->id, e->at, l->release_at);
  return 0;
}

/* Available lots come first, soonest expiry first, never-expiring last. */
static int pt_lot_before(const pt_lot *a, const pt_lot *b)
{
  if((a->expires_at == 0) != (b->expires_at == 0))
    return a->expires_at != 0;
  if(a->expires_at != b->expires_at)
    return a->expires_at < b->expires_at;
  return a->id < b->id;
}

static int pt_check_lots(pt_seq *q, int i, int due_clear)
{
  pt_view *v = &q->view[i];
  int64_t avail[2] = {0, 0}, pend[2] = {0, 0};
  const pt_lot *prev = NULL;
  size_t k, j;
  int s;

  v->next_due[0] = v->next_due[1] = INT64_MAX;
  for(k = 0; k < v->n_lot; k++) {
    const pt_lot *l = &v->lot[k];
    int64_t due = INT64_MAX;

    if(pt_check_lot(q, i, l))
      return -1;
    v->snap.acct[l->scheme].n_lots++;
    v->snap.acct[l->scheme].lots_key += l->remaining * (l->id % 991 + 1) +
                                        l->state;
    if(l->state == L_AVAILABLE) {
      avail[l->scheme] += l->remaining;
      if(l->remaining > 0 && l->expires_at > 0)
        due = l->expires_at;
      PT_REQ(!prev || prev->scheme != l->scheme ||
             pt_lot_before(prev, l), "lot_order", "c%d: available lot %"
             PRId64 " listed after lot %" PRId64, i, l->id, prev->id);
      prev = l;
    }
    else if(l->state == L_PENDING) {
      pend[l->scheme] += l->remaining;
      due = l->release_at;
    }
    if(due < v->next_due[l->scheme])
      v->next_due[l->scheme] = due;
  }
  /* every lot-making entry made exactly one lot */
  for(k = 0; k < v->n_e; k++) {
    const pt_entry *e = &v->e[k];
    int n = 0;

    if(!(e->kind == K_EARN || e->kind == K_PEARN || e->kind == K_TIN ||
         (e->kind == K_ADJUST && e->points > 0)))
      continue;
    for(j = 0; j < v->n_lot; j++)
      n += v->lot[j].entry_id == e->id;
    PT_REQ(n == 1, "lot", "c%d: %s entry #%" PRId64 " made %d lots", i,
           pt_kinds[e->kind], e->id, n);
  }
  for(s = 0; s < 2; s++) {
    const pt_acct *a = &v->snap.acct[s];

    PT_REQ(avail[s] - a->overdraft == a->balance && pend[s] == a->pending,
           "lot_sum", "c%d %s: available lots %" PRId64 " less overdraft %"
           PRId64 " vs balance %" PRId64 "; pending lots %" PRId64
           " vs pending %" PRId64, i, pt_rule[s].name, avail[s],
           a->overdraft, a->balance, pend[s], a->pending);
    PT_REQ(!due_clear || v->next_due[s] > q->clock, "due_lots", "c%d %s: a "
           "lot fell due at %" PRId64 " and is still open at %" PRId64, i,
           pt_rule[s].name, v->next_due[s], q->clock);
  }
  return 0;
}

static int64_t pt_target(int64_t earned, const pt_purchase *p)
{
  int64_t r = p->refunded < p->amount ? p->refunded : p->amount;

  if(p->full)
    return earned;
  return earned * r / p->amount;
}

/* What refunds took back, and what is still owed, against the model. */
static int pt_check_refunds(pt_seq *q, int i)
{
  const pt_view *v = &q->view[i];
  int64_t rev[2] = {0, 0}, want = q->unlinked_a[i];
  size_t k, j;

  for(k = 0; k < v->n_e; k++) {
    const pt_entry *e = &v->e[k];

    if(e->kind == K_REVERSE && !e->ref_entry_id)
      rev[e->scheme] -= e->points + e->pending;
  }
  for(j = 0; j < q->n_p; j++) {
    const pt_purchase *p = &q->p[j];
    int64_t earned = 0, taken = 0, target;

    if(p->cust != i || !p->event_id)
      continue;
    for(k = 0; k < v->n_e; k++) {
      const pt_entry *e = &v->e[k];

      if(e->scheme != 0)
        continue;
      if((e->kind == K_EARN || e->kind == K_PEARN) &&
         e->event_id == p->event_id)
        earned += e->points + e->pending;
      if(e->kind == K_REVERSE && !e->ref_entry_id &&
         e->ref_event_id == p->event_id)
        taken -= e->points + e->pending;
    }
    target = pt_target(earned, p);
    PT_REQ(taken <= target, "refund", "c%d: purchase %s (earned %" PRId64
           ", refunded %" PRId64 " of %" PRId64 "%s): %" PRId64 " taken back,"
           " more than %" PRId64, i, p->key, earned, p->refunded, p->amount,
           p->full ? ", full" : "", taken, target);
    want += target;
  }
  PT_REQ(rev[0] + v->snap.acct[0].shortfall == want, "refund", "c%d %s: "
         "refunds took back %" PRId64 " and %" PRId64 " is owed; the model "
         "says %" PRId64 " in all", i, pt_rule[0].name, rev[0],
         v->snap.acct[0].shortfall, want);
  PT_REQ(rev[1] == q->b_rev[i], "refund", "c%d %s: refunds took back %"
         PRId64 ", the plugin asked for %" PRId64, i, pt_rule[1].name,
         rev[1], q->b_rev[i]);
  return 0;
}

static int pt_check_vouchers(pt_seq *q, int i)
{
  pt_view *v = &q->view[i];
  int64_t manual[PT_N_ITEMS] = {0};
  int64_t spends[2] = {0, 0}, vouchers[2] = {0, 0};
  size_t k, j;
  int s;

  for(k = 0; k < v->n_v; k++) {
    const pt_voucher *o = &v->v[k];
    const pt_entry *sp;
    int64_t back = 0;

    PT_REQ(o->item >= 0 && o->state >= 0 && o->customer_id == q->cust[i],
           "voucher", "c%d: voucher %s has an unknown item or state", i,
           o->code);
    PT_REQ(o->scheme == pt_items[o->item].scheme &&
           o->cost == pt_items[o->item].cost, "voucher", "c%d: voucher %s "
           "scheme %d cost %" PRId64, i, o->code, o->scheme, o->cost);
    manual[o->item]++;
    vouchers[o->scheme]++;
    if(o->item == PT_N_ITEMS - 1) {
      pt_cov[C_AUTO]++;
      v->snap.acct[o->scheme].n_auto++;
    }
    sp = pt_find_entry(v, o->spend_entry_id);
    PT_REQ(sp && sp->kind == K_SPEND && sp->points == -o->cost &&
           sp->scheme == o->scheme, "voucher", "c%d: voucher %s: its spend "
           "entry #%" PRId64 " is not a spend of %" PRId64, i, o->code,
           o->spend_entry_id, o->cost);
    for(j = 0; j < v->n_e; j++) {
      if(v->e[j].kind == K_REVERSE && v->e[j].ref_entry_id == sp->id)
        back += v->e[j].points;
    }
    PT_REQ(back == (o->state == 2 ? o->cost : 0), "voucher", "c%d: voucher "
           "%s (%s) got %" PRId64 " back", i, o->code, pt_vstates[o->state],
           back);
    PT_REQ(o->state != 2 || o->voided_at > 0, "voucher", "c%d: voided "
           "voucher %s has no voided_at", i, o->code);
    v->snap.n_vouchers++;
    v->snap.voucher_key += (o->state + 1) * (o->id % 997 + 1);
  }
  for(k = 0; k < v->n_e; k++)
    spends[v->e[k].scheme] += v->e[k].kind == K_SPEND;
  for(s = 0; s < 2; s++)
    PT_REQ(spends[s] == vouchers[s], "voucher", "c%d %s: %" PRId64
           " spend entries, %" PRId64 " vouchers", i, pt_rule[s].name,
           spends[s], vouchers[s]);
  for(k = 0; k < PT_N_MANUAL; k++)
    PT_REQ(manual[k] == q->redeemed[i][k], "voucher", "c%d: %" PRId64
           " %s vouchers, %" PRId64 " redeemed", i, manual[k],
           pt_items[k].code, q->redeemed[i][k]);
  return 0;
}

static int pt_observe(pt_seq *q, int i, unsigned flags)
{
  if(pt_collect(q, i))
    return -1;
  if(pt_check_ledger(q, i) ||
     pt_check_lots(q, i, (flags & PT_DUE) != 0) || pt_check_refunds(q, i) ||
     pt_check_vouchers(q, i))
    return -1;
  return pt_check_tiers(q, i, (flags & PT_DUE) != 0,
                        (flags & PT_STATUS) != 0, (flags & PT_EVENT) != 0);
}

static int pt_cb_item(void *ud, const crm_reward_item *it)
{
  pt_store *st = ud;
  int k = pt_item_of(it->code);

  if(k < 0 || k == PT_N_ITEMS - 1)
    return 0;
  if(it->issued != st->issued[k])
    return pt_fail("stock", "item %s: %" PRId64 " issued, the model says %"
                   PRId64, it->code, it->issued, st->issued[k]);
  if(pt_items[k].stock >= 0 && it->issued > pt_items[k].stock)
    return pt_fail("stock", "item %s: %" PRId64 " issued of a stock of %"
                   PRId64, it->code, it->issued, pt_items[k].stock);
  return 0;
}

/* A customer the step did not touch: still consistent, still the same
 * balances. */
static int pt_untouched(pt_seq *q, int i)
{
  crm_points_account a;
  int s, rc;

  rc = crm_points_check(q->c, q->cust[i], NULL);
  PT_REQ(rc == CRM_OK, "check", "crm_points_check(c%d) = %d: %s", i, rc,
         crm_errmsg(q->c));
  for(s = 0; s < 2; s++) {
    const pt_acct *was = &q->view[i].snap.acct[s];

    rc = crm_points_account_get(q->c, q->cust[i], pt_rule[s].name, &a);
    PT_REQ(rc == (was->exists ? CRM_OK : CRM_ENOTFOUND), "untouched",
           "c%d %s: account_get = %d (%s)", i, pt_rule[s].name, rc,
           crm_errmsg(q->c));
    PT_REQ(rc || (a.balance == was->balance && a.pending == was->pending &&
                  a.shortfall == was->shortfall &&
                  a.overdraft == was->overdraft), "untouched",
           "c%d %s changed by another customer's step: balance %" PRId64
           " -> %" PRId64 ", pending %" PRId64 " -> %" PRId64, i,
           pt_rule[s].name, was->balance, a.balance, was->pending,
           a.pending);
  }
  return 0;
}

int pt_observe_all(pt_seq *q, unsigned flags, const unsigned *each)
{
  int i, rc;

  for(i = 0; i < q->n_cust; i++) {
    unsigned f = each ? each[i] : flags;

    if(f & PT_SKIP ? pt_untouched(q, i) : pt_observe(q, i, f))
      return -1;
  }
  for(i = 0; q->items_dirty && i < 2; i++) {
    rc = crm_rewards_foreach(q->c, pt_rule[i].name, pt_cb_item, q->st);
    if(pt_failed)
      return -1;
    PT_REQ(rc == 0, "api", "crm_rewards_foreach(%s) = %d: %s",
           pt_rule[i].name, rc, crm_errmsg(q->c));
  }
  q->items_dirty = 0;
  return 0;
}

void pt_snaps(const pt_seq *q, pt_snap *out)
{
  int i;

  for(i = 0; i < q->n_cust; i++)
    out[i] = q->view[i].snap;
}

int pt_same(const pt_seq *q, const pt_snap *pre, const char *what)
{
  int i, s;

  for(i = 0; i < q->n_cust; i++) {
    const pt_snap *a = &pre[i], *b = &q->view[i].snap;

    if(!memcmp(a, b, sizeof(*a)))
      continue;
    for(s = 0; s < 2; s++) {
      const pt_acct *x = &a->acct[s], *y = &b->acct[s];

      PT_REQ(!memcmp(x, y, sizeof(*x)), what, "c%d %s changed: balance %"
             PRId64 "->%" PRId64 " pending %" PRId64 "->%" PRId64
             " entries %" PRId64 "->%" PRId64 " lots %" PRId64 "->%" PRId64
             " shortfall %" PRId64 "->%" PRId64 " overdraft %" PRId64
             "->%" PRId64 " tier %s->%s review %" PRId64 "->%" PRId64,
             i, pt_rule[s].name,
             x->balance, y->balance, x->pending, y->pending, x->n_entries,
             y->n_entries, x->n_lots, y->n_lots, x->shortfall, y->shortfall,
             x->overdraft, y->overdraft, x->tier, y->tier, x->review_at,
             y->review_at);
    }
    return pt_fail(what, "c%d changed: vouchers %" PRId64 "->%" PRId64
                   " (states key %" PRId64 "->%" PRId64 ")", i,
                   a->n_vouchers, b->n_vouchers, a->voucher_key,
                   b->voucher_key);
  }
  return 0;
}
