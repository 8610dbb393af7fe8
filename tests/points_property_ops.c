/*
 * points_property_ops.c - the property test's operations: each runs one
 * step through the public API, says what the model expects of it
 * (success, refusal, balance deltas), updates the model and observes.
 */
#include "points_property.h"

/* ---- performing operations ------------------------------------------- */

static void pt_newkey(pt_seq *q, char *buf, size_t size)
{
  snprintf(buf, size, "s%" PRId64 "-%d", q->seqno, q->nkey++);
}

static int pt_perform(pt_seq *q, const pt_done *d, crm_ingest_result *ir,
                      crm_voucher *vo)
{
  crm_points_op op;
  crm_event ev;

  memset(&op, 0, sizeof(op));
  op.scheme = pt_rule[d->scheme].name;
  op.idempotency_key = d->key;
  op.at = d->at;
  op.actor = "property";
  op.reason = "property test";
  memset(ir, 0, sizeof(*ir));
  memset(vo, 0, sizeof(*vo));
  switch(d->kind) {
  case D_EVENT:
    memset(&ev, 0, sizeof(ev));
    ev.type = d->type;
    ev.customer_id = q->cust[d->cust];
    ev.occurred_at = d->at;
    ev.amount = d->amount;
    ev.currency = strcmp(d->type, "cancel") || d->amount ? "USD" : NULL;
    ev.payload = d->payload[0] ? d->payload : NULL;
    ev.idempotency_key = d->key;
    return crm_event_ingest(q->c, &ev, ir);
  case D_ADJUST:
    return crm_points_adjust(q->c, q->cust[d->cust], d->amount, &op);
  case D_TRANSFER:
    return crm_points_transfer(q->c, q->cust[d->cust], q->cust[d->other],
                               d->amount, &op);
  case D_REDEEM:
    return crm_points_redeem(q->c, q->cust[d->cust], pt_items[d->item].code,
                             &op, vo);
  case D_VOID:
    return crm_voucher_void(q->c, d->code, &op);
  default:
    return crm_voucher_use(q->c, d->code, &op);
  }
}

static void pt_describe(const pt_seq *q, const pt_done *d, char *buf,
                        size_t size)
{
  double at = (double)(d->at - q->start) / (double)T_DAY;

  switch(d->kind) {
  case D_EVENT:
    snprintf(buf, size, "%s c%d amount %" PRId64 "%s%s key %s at t+%.3fd",
             d->type, d->cust, d->amount, d->payload[0] ? " " : "",
             d->payload, d->key, at);
    break;
  case D_ADJUST:
    snprintf(buf, size, "adjust c%d %s %+" PRId64 " key %s at t+%.3fd",
             d->cust, pt_rule[d->scheme].name, d->amount, d->key, at);
    break;
  case D_TRANSFER:
    snprintf(buf, size, "transfer c%d->c%d %s %" PRId64 " key %s at t+%.3fd",
             d->cust, d->other, pt_rule[d->scheme].name, d->amount, d->key,
             at);
    break;
  case D_REDEEM:
    snprintf(buf, size, "redeem c%d %s key %s at t+%.3fd", d->cust,
             pt_items[d->item].code, d->key, at);
    break;
  default:
    snprintf(buf, size, "%s c%d voucher %s key %s at t+%.3fd",
             d->kind == D_VOID ? "void" : "use", d->cust, d->code, d->key,
             at);
  }
}

/* Runs d; expect 1 = must succeed, 0 = must fail (with `code` unless 0),
 * -1 = either. A refusal must be one of the documented codes. */
static int pt_do(pt_seq *q, const char *label, const pt_done *d, int expect,
                 int code, crm_ingest_result *ir, crm_voucher *vo, int *ok)
{
  char what[320];
  int rc;

  rc = pt_perform(q, d, ir, vo);
  *ok = rc == 0;
  pt_describe(q, d, what, sizeof(what));
  if(rc)
    pt_log(q, "%s%s -> %s: %s", label, what, crm_strerror(rc),
           crm_errmsg(q->c));
  else
    pt_log(q, "%s%s -> ok", label, what);
  PT_REQ(rc == 0 || rc == CRM_ESTATE || rc == CRM_EINVAL ||
         rc == CRM_EEXIST || rc == CRM_ERANGE || rc == CRM_ENOTFOUND ||
         rc == CRM_EPLUGIN, "api", "%s: %s (%d): %s", what, crm_strerror(rc),
         rc, crm_errmsg(q->c));
  PT_REQ(expect != 1 || rc == 0, "predict", "%s refused, the model accepts "
         "it: %s", what, crm_errmsg(q->c));
  PT_REQ(expect != 0 || rc != 0, "predict", "%s accepted, the model refuses "
         "it", what);
  PT_REQ(expect != 0 || !code || rc == code, "predict", "%s refused with %s "
         "(%s), expected %s", what, crm_strerror(rc), crm_errmsg(q->c),
         crm_strerror(code));
  return 0;
}

/* After an operation: a refused one must have changed nothing (everyone
 * observed in full); after a successful one the `touched` customers (bit
 * mask) are observed in full with `flags`, the others checked lightly
 * (PT_SKIP). */
static int pt_after(pt_seq *q, int ok, const pt_snap *pre, unsigned touched,
                    unsigned flags)
{
  unsigned each[PT_MAX_CUST];
  int i;

  for(i = 0; i < q->n_cust; i++)
    each[i] = !ok ? 0 : touched & (1u << i) ? flags : PT_SKIP;
  if(pt_observe_all(q, 0, each))
    return -1;
  if(!ok)
    return pt_same(q, pre, "refused_changed");
  return 0;
}

static void pt_keep(pt_seq *q, const pt_done *d)
{
  if(q->n_d < PT_MAX_DONE)
    q->d[q->n_d++] = *d;
}

/* Nothing of customer i falls due by `at` (the model can predict). */
static int pt_quiet(const pt_seq *q, int i, int64_t at)
{
  return q->view[i].next_due[0] > at && q->view[i].next_due[1] > at;
}

static int64_t pt_balance(const pt_seq *q, int i, int s)
{
  return q->view[i].snap.acct[s].balance;
}

/* Customer i's balance in s moved by delta, less what went to pay open
 * shortfalls (a new lot pays them first) and to auto-redeemed vouchers
 * (when the balance came to cover one). */
static int pt_delta(pt_seq *q, const pt_snap *pre, int i, int s,
                    int64_t delta, const char *what)
{
  const pt_acct *a0 = &pre[i].acct[s], *a1 = &q->view[i].snap.acct[s];
  int64_t paid = a0->shortfall - a1->shortfall;
  int64_t autos = a1->n_auto - a0->n_auto;

  PT_REQ(paid >= 0 && autos >= 0 && a1->balance == a0->balance + delta -
         paid - autos * pt_items[PT_N_ITEMS - 1].cost, "delta",
         "%s: c%d %s balance %" PRId64 " -> %" PRId64 " (shortfall %"
         PRId64 " -> %" PRId64 ", %" PRId64 " auto-redeemed), expected %+"
         PRId64, what, i, pt_rule[s].name, a0->balance, a1->balance,
         a0->shortfall, a1->shortfall, autos, delta);
  return 0;
}

static void pt_event(pt_done *d, int cust, const char *type, int64_t at,
                     int64_t amount, const char *refund_of, const char *key)
{
  memset(d, 0, sizeof(*d));
  d->kind = D_EVENT;
  d->cust = cust;
  snprintf(d->type, sizeof(d->type), "%s", type);
  d->at = at;
  d->amount = amount;
  if(refund_of)
    snprintf(d->payload, sizeof(d->payload), "{\"refund_of\":\"%s\"}",
             refund_of);
  snprintf(d->key, sizeof(d->key), "%s", key);
}

/* The n-th (mod count) purchase record of customer i matching `want`:
 * 1 ingested, 0 planned, -1 either. */
static pt_purchase *pt_pick_purchase(pt_seq *q, uint32_t pick, int cust,
                                     int other_cust, int want)
{
  size_t j, n = 0;

  for(j = 0; j < q->n_p; j++) {
    const pt_purchase *p = &q->p[j];
    int mine = other_cust ? p->cust != cust : p->cust == cust;

    n += mine && (want < 0 || (p->event_id != 0) == want);
  }
  if(!n)
    return NULL;
  pick %= (uint32_t)n;
  for(j = 0; j < q->n_p; j++) {
    pt_purchase *p = &q->p[j];
    int mine = other_cust ? p->cust != cust : p->cust == cust;

    if(mine && (want < 0 || (p->event_id != 0) == want) && pick-- == 0)
      return p;
  }
  return NULL;
}

static pt_purchase *pt_new_purchase(pt_seq *q, int cust)
{
  pt_purchase *p;

  if(q->n_p >= PT_MAX_PURCHASES)
    return NULL;
  p = &q->p[q->n_p++];
  memset(p, 0, sizeof(*p));
  pt_newkey(q, p->key, sizeof(p->key));
  p->cust = cust;
  return p;
}

static int pt_skip(pt_seq *q, const pt_op *op)
{
  pt_log(q, "%s c%d: nothing to act on, skipped", pt_opnames[op->kind],
         op->cust);
  return 0;
}

static int64_t pt_b_target(const pt_purchase *p)
{
  int64_t r = p->b_refunded < p->amount ? p->b_refunded : p->amount;

  if(!p->b_known)
    return 0;
  if(p->b_full)
    return p->b_points;
  return p->b_points * r / p->amount;
}

static int pt_op_purchase(pt_seq *q, const pt_op *op)
{
  int64_t want[2];
  int want_lines[2], got_lines, s;
  pt_purchase *p = op->flag ? pt_pick_purchase(q, op->pick, op->cust, 0, 0)
                            : NULL;
  pt_snap pre[PT_MAX_CUST];
  crm_ingest_result ir;
  crm_voucher vo;
  pt_done d;
  int ok;

  if(!p)
    p = pt_new_purchase(q, op->cust);
  if(!p)
    return pt_skip(q, op);
  pt_event(&d, op->cust, "purchase", q->clock - op->back, op->amount, NULL,
           p->key);
  if(op->promo)
    snprintf(d.payload, sizeof(d.payload), "{\"promo\":true}");
  for(s = 0; s < 2; s++)
    want[s] = op->back ? -1 : pt_earning(q, op->cust, s, op->amount,
                                         op->promo, &want_lines[s]);
  pt_snaps(q, pre);
  if(pt_do(q, "", &d, 1, 0, &ir, &vo, &ok))
    return -1;
  PT_REQ(!ir.duplicate && ir.event_id > 0, "ingest", "purchase %s: "
         "duplicate %d event %" PRId64, p->key, ir.duplicate, ir.event_id);
  pt_cov[C_HELD] += p->refunded > 0 || p->full;
  p->amount = op->amount;
  p->event_id = ir.event_id;
  p->at = d.at;
  p->promo = op->promo;
  pt_cov[C_PROMO] += p->promo && op->amount >= 100;
  p->b_known = 1;
  p->b_points = op->amount / 100;
  p->b_refunded = 0;
  p->b_full = 0;
  d.event_id = ir.event_id;
  pt_keep(q, &d);
  if(op->back)
    q->backdated[op->cust] = 1;
  if(pt_after(q, 1, pre, 1u << op->cust,
              op->back ? 0 : PT_DUE | PT_STATUS | PT_EVENT))
    return -1;
  for(s = 0; s < 2; s++) {
    int64_t got = pt_earned(q, op->cust, s, ir.event_id, &got_lines);

    PT_REQ(want[s] < 0 || (got == want[s] && got_lines == want_lines[s]),
           "earn", "purchase %s: c%d %s earned %" PRId64 " in %d lines, the "
           "rules give %" PRId64 " in %d (tier %s)", p->key, op->cust,
           pt_rule[s].name, got, got_lines, want[s], want_lines[s],
           pre[op->cust].acct[s].tier);
  }
  return 0;
}

/* refund (partial or full), cancel, refund naming none, refund naming
 * another customer's purchase (refused). */
static int pt_op_refund(pt_seq *q, const pt_op *op)
{
  int cancel = op->kind == OP_CANCEL, other = op->kind == OP_REFUND_OTHER;
  int64_t amount = op->kind == OP_REFUND || op->kind == OP_REFUND_NOREF ||
                           other ? op->amount : 0;
  pt_purchase *p = NULL;
  pt_snap pre[PT_MAX_CUST];
  crm_ingest_result ir;
  crm_voucher vo;
  char key[40];
  pt_done d;
  int ok;

  if(other)
    p = pt_pick_purchase(q, op->pick, op->cust, 1, 1);
  else if(op->kind != OP_REFUND_NOREF)
    p = op->flag ? pt_new_purchase(q, op->cust)
                 : pt_pick_purchase(q, op->pick, op->cust, 0, -1);
  if(!p && op->kind != OP_REFUND_NOREF)
    return pt_skip(q, op);
  pt_newkey(q, key, sizeof(key));
  pt_event(&d, op->cust, cancel ? "cancel" : "refund", q->clock, amount,
           p ? p->key : NULL, key);
  pt_snaps(q, pre);
  if(pt_do(q, "", &d, other ? 0 : 1, 0, &ir, &vo, &ok))
    return -1;
  if(!ok)
    return pt_after(q, 0, pre, 0, 0);
  PT_REQ(!ir.duplicate, "ingest", "refund %s: reported as a duplicate", key);
  d.event_id = ir.event_id;
  pt_keep(q, &d);
  q->neg_early[op->cust] |= !p || !p->event_id;
  q->refunded[op->cust] = 1;
  if(!p) {
    q->unlinked_a[op->cust] += amount / 100;
    q->b_rev[op->cust] += amount / 100;
  }
  else {
    int full = amount == 0 || cancel;
    int64_t before = pt_b_target(p);

    pt_cov[C_PARTIAL] += !full && p->event_id;
    p->refunded += amount;
    p->full |= full;
    if(p->b_known) {
      p->b_refunded += amount;
      p->b_full |= full;
      q->b_rev[op->cust] += pt_b_target(p) - before;
    }
    else if(!cancel)
      q->b_rev[op->cust] += amount / 100;
  }
  return pt_after(q, 1, pre, 1u << op->cust, PT_DUE | PT_STATUS | PT_EVENT);
}

static int pt_op_redeem(pt_seq *q, const pt_op *op)
{
  int item = (int)(op->pick % PT_N_MANUAL), s = pt_items[item].scheme;
  const pt_item *it = &pt_items[item];
  pt_snap pre[PT_MAX_CUST];
  crm_ingest_result ir;
  crm_voucher vo;
  pt_done d;
  int expect = -1, ok;

  memset(&d, 0, sizeof(d));
  d.kind = D_REDEEM;
  d.cust = op->cust;
  d.scheme = s;
  d.item = item;
  d.at = q->clock;
  pt_newkey(q, d.key, sizeof(d.key));
  if(pt_quiet(q, op->cust, q->clock))
    expect = (!it->from || q->clock >= it->from) &&
             (!it->until || q->clock < it->until) &&
             (it->stock < 0 || q->st->issued[item] < it->stock) &&
             pt_balance(q, op->cust, s) >= it->cost;
  pt_save_lots(q, op->cust);
  pt_snaps(q, pre);
  if(pt_do(q, "", &d, expect, CRM_ESTATE, &ir, &vo, &ok))
    return -1;
  pt_cov[ok ? C_REDEEM_OK : C_REDEEM_NO]++;
  if(ok) {
    PT_REQ(vo.cost == it->cost && !strcmp(vo.state, "issued") &&
           vo.customer_id == q->cust[op->cust] && !strcmp(vo.item, it->code) &&
           vo.code[0], "voucher", "redeem %s: voucher %s %s cost %" PRId64
           " state %s", it->code, vo.code, vo.item, vo.cost, vo.state);
    snprintf(d.code, sizeof(d.code), "%s", vo.code);
    q->redeemed[op->cust][item]++;
    q->st->issued[item]++;
    pt_keep(q, &d);
  }
  if(pt_after(q, ok, pre, 1u << op->cust, PT_DUE))
    return -1;
  if(!ok || expect != 1)
    return 0;
  if(pt_delta(q, pre, op->cust, s, -it->cost, "redeem"))
    return -1;
  return pt_check_draw(q, op->cust, s, "redeem");
}

/* The n-th voucher of the sequence's customers. */
static const pt_voucher *pt_pick_voucher(const pt_seq *q, uint32_t pick,
                                         int *owner)
{
  size_t n = 0;
  int i;

  for(i = 0; i < q->n_cust; i++)
    n += q->view[i].n_v;
  if(!n)
    return NULL;
  pick %= (uint32_t)n;
  for(i = 0; i < q->n_cust; i++) {
    if(pick < q->view[i].n_v) {
      *owner = i;
      return &q->view[i].v[pick];
    }
    pick -= (uint32_t)q->view[i].n_v;
  }
  return NULL;
}

static int pt_op_voucher(pt_seq *q, const pt_op *op)
{
  int owner = 0, ok, expect = -1, voiding = op->kind == OP_VOID;
  const pt_voucher *v = pt_pick_voucher(q, op->pick, &owner);
  pt_voucher was;
  pt_snap pre[PT_MAX_CUST];
  crm_ingest_result ir;
  crm_voucher vo;
  pt_done d;

  if(!v)
    return pt_skip(q, op);
  was = *v;
  memset(&d, 0, sizeof(d));
  d.kind = voiding ? D_VOID : D_USE;
  d.cust = owner;
  d.scheme = was.scheme;
  d.item = was.item;
  d.at = q->clock;
  snprintf(d.code, sizeof(d.code), "%s", was.code);
  pt_newkey(q, d.key, sizeof(d.key));
  if(was.state == 1 || was.state == 2)
    expect = 0;
  else if(was.state == 0 && (!was.valid_until || q->clock < was.valid_until))
    expect = 1;
  pt_snaps(q, pre);
  if(pt_do(q, "", &d, expect, CRM_ESTATE, &ir, &vo, &ok))
    return -1;
  if(ok) {
    pt_keep(q, &d);
    if(voiding && was.item < PT_N_MANUAL)
      q->st->issued[was.item]--;
    pt_cov[C_VOIDED] += voiding;
  }
  /* No balance delta: the points return to the lots they came from, and
   * those past their expiry expire again at once. */
  return pt_after(q, ok, pre, 1u << owner, PT_DUE);
}

/* Transfers of customer i in s in the calendar month of at. */
static int64_t pt_transferred(const pt_seq *q, int i, int s, int kind,
                              int64_t at)
{
  const pt_view *v = &q->view[i];
  int64_t sum = 0;
  size_t k;

  for(k = 0; k < v->n_e; k++) {
    const pt_entry *e = &v->e[k];

    if(e->scheme == s && e->kind == kind && pt_month(e->at) == pt_month(at))
      sum += e->points < 0 ? -e->points : e->points;
  }
  return sum;
}

/* The points an operation moves: a share of the balance or a number. */
static int64_t pt_points(const pt_seq *q, const pt_op *op)
{
  int64_t b = pt_balance(q, op->cust, op->scheme), n;

  if(op->pct <= 0 || b <= 0)
    return op->amount;
  n = b * op->pct / 100;
  n = n < 1 ? 1 : n;
  return op->amount < 0 ? -n : n;
}

static int pt_op_transfer(pt_seq *q, const pt_op *op)
{
  const pt_rules *r = &pt_rule[op->scheme];
  int from = op->cust, to = op->other, expect = -1, code = 0, ok;
  int64_t n = pt_points(q, op);

  /* right at a monthly limit: the room left, one less or one more */
  if(op->flag && r->tr_out && r->tr_in) {
    n = op->flag == 1 ? r->tr_out - pt_transferred(q, from, op->scheme,
                                                   K_TOUT, q->clock)
                      : r->tr_in - pt_transferred(q, to, op->scheme, K_TIN,
                                                  q->clock);
    n += (int64_t)(op->pick % 3) - 1;
    n = n < 1 ? 1 : n;
  }
  pt_snap pre[PT_MAX_CUST];
  crm_ingest_result ir;
  crm_voucher vo;
  pt_done d;

  memset(&d, 0, sizeof(d));
  d.kind = D_TRANSFER;
  d.cust = from;
  d.other = to;
  d.scheme = op->scheme;
  d.amount = n;
  d.at = q->clock;
  pt_newkey(q, d.key, sizeof(d.key));
  if(from == to)
    expect = 0;
  else if(pt_quiet(q, from, q->clock) && pt_quiet(q, to, q->clock)) {
    int limits = n >= r->tr_min &&
                 (!r->tr_out || pt_transferred(q, from, op->scheme, K_TOUT,
                                               q->clock) + n <=
                                    r->tr_out) &&
                 (!r->tr_in || pt_transferred(q, to, op->scheme, K_TIN,
                                              q->clock) + n <=
                                   r->tr_in);
    int enough = pt_balance(q, from, op->scheme) >= n;

    expect = limits && enough;
    code = limits && !enough ? CRM_ESTATE : 0;
  }
  pt_save_lots(q, from);
  pt_snaps(q, pre);
  if(pt_do(q, "", &d, expect, code, &ir, &vo, &ok))
    return -1;
  pt_cov[ok ? C_TRANSFER_OK : C_TRANSFER_NO]++;
  if(ok)
    pt_keep(q, &d);
  if(pt_after(q, ok, pre, (1u << from) | (1u << to), PT_DUE))
    return -1;
  if(!ok || expect != 1)
    return 0;
  if(pt_delta(q, pre, from, op->scheme, -n, "transfer out") ||
     pt_check_draw(q, from, op->scheme, "transfer out"))
    return -1;
  return pt_delta(q, pre, to, op->scheme, n, "transfer in");
}

static int pt_op_adjust(pt_seq *q, const pt_op *op)
{
  int s = op->scheme, expect = -1, ok;
  int64_t n = pt_points(q, op);
  int quiet = pt_quiet(q, op->cust, q->clock);
  pt_snap pre[PT_MAX_CUST];
  crm_ingest_result ir;
  crm_voucher vo;
  pt_done d;

  memset(&d, 0, sizeof(d));
  d.kind = D_ADJUST;
  d.cust = op->cust;
  d.scheme = s;
  d.amount = n;
  d.at = q->clock;
  pt_newkey(q, d.key, sizeof(d.key));
  if(n > 0 || pt_rule[s].allow_negative)
    expect = 1;
  else if(quiet)
    expect = pt_balance(q, op->cust, s) >= -n;
  pt_save_lots(q, op->cust);
  pt_snaps(q, pre);
  if(pt_do(q, "", &d, expect, CRM_ESTATE, &ir, &vo, &ok))
    return -1;
  pt_cov[C_ADJUST_NO] += !ok;
  if(ok)
    pt_keep(q, &d);
  if(pt_after(q, ok, pre, 1u << op->cust, PT_DUE))
    return -1;
  if(!ok || !quiet)
    return 0;
  if(pt_delta(q, pre, op->cust, s, n, "adjust"))
    return -1;
  return n < 0 ? pt_check_draw(q, op->cust, s, "adjust") : 0;
}

static int pt_due(pt_seq *q, const char *why)
{
  crm_due_stats ds;
  int rc;

  memset(&ds, 0, sizeof(ds));
  rc = crm_points_process_due(q->c, q->clock, &ds);
  pt_log(q, "%sprocess_due at t+%.3fd -> %s (released %" PRId64 "/%" PRId64
         ", expired %" PRId64 "/%" PRId64 ", reviews %" PRId64 ", changes %"
         PRId64 ")", why, (double)(q->clock - q->start) / (double)T_DAY,
         rc ? crm_strerror(rc) : "ok", ds.lots_released, ds.points_released,
         ds.lots_expired, ds.points_expired, ds.tier_reviews,
         ds.tier_changes);
  PT_REQ(rc == 0, "api", "crm_points_process_due: %s", crm_errmsg(q->c));
  PT_REQ(ds.lots_released >= 0 && ds.points_released >= ds.lots_released &&
         ds.lots_expired >= 0 && ds.points_expired >= 0 &&
         ds.tier_reviews >= 0 && ds.tier_changes >= 0, "due_stats",
         "process_due stats out of range");
  return pt_observe_all(q, PT_DUE | PT_STATUS, NULL);
}

static int pt_any_voucher(const pt_seq *q)
{
  int i;

  for(i = 0; i < q->n_cust; i++) {
    if(q->view[i].n_v)
      return 1;
  }
  return 0;
}

static int pt_op_clock(pt_seq *q, const pt_op *op)
{
  if(op->kind == OP_ADVANCE) {
    q->clock += op->amount;
    crm_set_now(q->c, q->clock);
    if(!op->flag) {
      pt_log(q, "advance %.3fd (no due run)",
             (double)op->amount / (double)T_DAY);
      /* what reads as of now may differ (a voucher past its date) */
      return pt_any_voucher(q) ? pt_observe_all(q, 0, NULL) : 0;
    }
  }
  return pt_due(q, op->kind == OP_ADVANCE ? "advance, " : "");
}

/* A successful operation again under its key: the first result, no change
 * (what had fallen due by now is applied first, so only the retry is
 * seen). */
static int pt_op_replay(pt_seq *q, const pt_op *op)
{
  pt_snap pre[PT_MAX_CUST];
  crm_ingest_result ir;
  crm_voucher vo;
  const pt_done *d;
  int ok;

  if(!q->n_d)
    return pt_skip(q, op);
  d = &q->d[op->pick % q->n_d];
  if(pt_due(q, "replay: "))
    return -1;
  pt_snaps(q, pre);
  if(pt_do(q, "replay: ", d, 1, 0, &ir, &vo, &ok))
    return -1;
  pt_cov[C_REPLAY]++;
  PT_REQ(d->kind != D_EVENT || (ir.duplicate && ir.event_id == d->event_id),
         "replay", "event %s replayed: duplicate %d event %" PRId64
         " (first %" PRId64 ")", d->key, ir.duplicate, ir.event_id,
         d->event_id);
  PT_REQ(d->kind != D_REDEEM || !strcmp(vo.code, d->code), "replay",
         "redeem %s replayed: voucher %s, first %s", d->key, vo.code,
         d->code);
  if(pt_observe_all(q, 0, NULL))
    return -1;
  return pt_same(q, pre, "replay_changed");
}

/* An earlier key for something else: CRM_EEXIST and no change. */
static int pt_op_conflict(pt_seq *q, const pt_op *op)
{
  pt_snap pre[PT_MAX_CUST];
  crm_ingest_result ir;
  crm_voucher vo;
  pt_done d;
  int ok;

  if(!q->n_d)
    return pt_skip(q, op);
  d = q->d[op->pick % q->n_d];
  d.at = q->clock;
  switch(op->flag) {
  case 0: /* the same kind, another amount (vouchers: use <-> void) */
    if(d.kind == D_VOID || d.kind == D_USE)
      d.kind = d.kind == D_VOID ? D_USE : D_VOID;
    else if(d.kind == D_REDEEM) {
      d.item = d.item == 0 ? 1 : 0;
      d.scheme = 0;
    }
    else
      d.amount = d.kind == D_ADJUST ? d.amount * 2 : d.amount + 1;
    if(d.kind == D_EVENT)
      d.at = q->d[op->pick % q->n_d].at;
    break;
  case 1: /* an adjustment under the key */
    d.amount = d.kind == D_ADJUST ? d.amount * 2 : 5;
    d.kind = D_ADJUST;
    d.scheme = 0;
    break;
  case 2: /* a purchase under the key */
    d.amount = d.kind == D_EVENT ? d.amount + 1 : 1000;
    snprintf(d.type, sizeof(d.type), "purchase");
    d.payload[0] = '\0';
    d.kind = D_EVENT;
    break;
  default: /* the same thing for another customer */
    d.cust = (d.cust + 1) % q->n_cust;
    if(d.kind == D_TRANSFER && d.other == d.cust)
      d.other = (d.cust + 1) % q->n_cust;
    if(d.kind == D_VOID || d.kind == D_USE) {
      d.amount = 5;
      d.kind = D_ADJUST;
    }
  }
  pt_snaps(q, pre);
  if(pt_do(q, "reuse: ", &d, 0, CRM_EEXIST, &ir, &vo, &ok))
    return -1;
  pt_cov[C_CONFLICT]++;
  return pt_after(q, 0, pre, 0, 0);
}

int pt_exec(pt_seq *q, const pt_op *op)
{
  pt_opcount[op->kind]++;
  q->items_dirty = op->kind == OP_REDEEM || op->kind == OP_VOID ||
                   op->kind == OP_USE || op->kind == OP_REPLAY ||
                   op->kind == OP_CONFLICT;
  switch(op->kind) {
  case OP_PURCHASE:
    return pt_op_purchase(q, op);
  case OP_REFUND:
  case OP_REFUND_FULL:
  case OP_CANCEL:
  case OP_REFUND_NOREF:
  case OP_REFUND_OTHER:
    return pt_op_refund(q, op);
  case OP_REDEEM:
    return pt_op_redeem(q, op);
  case OP_VOID:
  case OP_USE:
    return pt_op_voucher(q, op);
  case OP_TRANSFER:
    return pt_op_transfer(q, op);
  case OP_ADJUST:
    return pt_op_adjust(q, op);
  case OP_ADVANCE:
  case OP_DUE:
    return pt_op_clock(q, op);
  case OP_REPLAY:
    return pt_op_replay(q, op);
  default:
    return pt_op_conflict(q, op);
  }
}
