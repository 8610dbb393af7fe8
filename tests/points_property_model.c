/*
 * points_property_model.c - the rules the property test knows beyond the
 * invariants: what a purchase earns, the order spends draw lots in, and
 * the tier life cycle (qualification window, reviews, grace, history).
 */
#include "points_property.h"

/* ---- earning --------------------------------------------------------- */

/* What a purchase of `amount` at the clock earns in s by the rules:
 * base = amount / 100 (nothing below min_spend), the tier's bonus
 * floor(base * (m - 1)), the day's / month's cap (all earn lines of the
 * day count) cutting the bonus first; a promotion: the base alone. -1 when
 * the tier may change first (a review due). */
int64_t pt_earning(const pt_seq *q, int i, int s, int64_t amount,
                   int promo, int *lines)
{
  const pt_rules *r = &pt_rule[s];
  const pt_view *v = &q->view[i];
  const pt_acct *a = &v->snap.acct[s];
  int64_t p = amount >= r->min_spend ? amount / 100 : 0, bonus = 0;
  int64_t day = 0, month = 0, room = INT64_MAX, base;
  size_t k;
  int rank = a->exists ? pt_index(r->levels, r->n_levels, a->tier) : 0;

  if(promo) {
    *lines = p > 0;
    return p;
  }
  if(rank < 0 || (a->review_at && a->review_at <= q->clock))
    return -1;
  bonus = p * r->bonus_pct[rank] / 100;
  for(k = 0; k < v->n_e; k++) {
    const pt_entry *e = &v->e[k];

    if(e->scheme != s || (e->kind != K_EARN && e->kind != K_PEARN))
      continue;
    if(e->at / T_DAY == q->clock / T_DAY)
      day += e->points + e->pending;
    if(pt_month(e->at) == pt_month(q->clock))
      month += e->points + e->pending;
  }
  if(r->per_day)
    room = r->per_day - day;
  if(r->per_month && r->per_month - month < room)
    room = r->per_month - month;
  room = room < 0 ? 0 : room;
  base = p < room ? p : room;
  bonus = bonus < room - base ? bonus : room - base;
  *lines = (base > 0) + (bonus > 0);
  return base + bonus;
}

/* The earn lines event_id wrote in s: their sum and count. */
int64_t pt_earned(const pt_seq *q, int i, int s, int64_t event_id,
                  int *lines)
{
  const pt_view *v = &q->view[i];
  int64_t sum = 0;
  size_t k;

  *lines = 0;
  for(k = 0; k < v->n_e; k++) {
    const pt_entry *e = &v->e[k];

    if(e->scheme == s && e->event_id == event_id &&
       (e->kind == K_EARN || e->kind == K_PEARN)) {
      sum += e->points + e->pending;
      (*lines)++;
    }
  }
  return sum;
}

/* ---- spends ---------------------------------------------------------- */

void pt_save_lots(pt_seq *q, int i)
{
  memcpy(q->prev_lot, q->view[i].lot, q->view[i].n_lot * sizeof(pt_lot));
  q->n_prev = q->view[i].n_lot;
}

/* A spend drew customer i's available lots in s in spend order (as
 * listed): every lot before the last one it drew from is now empty. */
int pt_check_draw(pt_seq *q, int i, int s, const char *what)
{
  const pt_view *v = &q->view[i];
  int64_t now[PT_MAX_LOTS];
  size_t a, b, last = 0;
  int drew = 0;

  for(a = 0; a < q->n_prev; a++) {
    const pt_lot *l = &q->prev_lot[a];

    now[a] = 0;
    for(b = 0; b < v->n_lot; b++) {
      if(v->lot[b].id == l->id)
        now[a] = v->lot[b].remaining;
    }
    if(l->scheme == s && l->state == L_AVAILABLE && now[a] < l->remaining) {
      last = a;
      drew = 1;
    }
  }
  for(a = 0; drew && a < last; a++) {
    const pt_lot *l = &q->prev_lot[a];

    PT_REQ(l->scheme != s || l->state != L_AVAILABLE || now[a] == 0,
           "draw_order", "%s: c%d %s drew lot %" PRId64 " (expires %" PRId64
           ") but left %" PRId64 " in lot %" PRId64 " (expires %" PRId64
           ") listed before it", what, i, pt_rule[s].name,
           q->prev_lot[last].id, q->prev_lot[last].expires_at, now[a],
           l->id, l->expires_at);
  }
  return 0;
}

/* ---- tiers ----------------------------------------------------------- */

int pt_rank(int s, const char *tier)
{
  return pt_index(pt_rule[s].levels, pt_rule[s].n_levels, tier);
}

/* Purchases of customer i in the scheme's tier window as of the clock
 * (each counts 1: the fixture's tier_count). */
static int64_t pt_window_count(const pt_seq *q, int i, int s)
{
  int64_t from = q->clock - pt_rule[s].window_days * T_DAY, n = 0;
  size_t j;

  for(j = 0; j < q->n_p; j++) {
    const pt_purchase *p = &q->p[j];

    /* The window is (clock - window, clock]; a purchase refunded in full
     * in a scheme where the core reverses refunds gives its count back. */
    if(pt_rule[s].core_refunds &&
       (p->full || (p->amount > 0 ? p->refunded >= p->amount
                                  : p->refunded > 0)))
      continue;
    n += p->cust == i && p->event_id && p->at > from && p->at <= q->clock;
  }
  return n;
}

int pt_check_tiers(pt_seq *q, int i, int due_clear, int status,
                   int after_event)
{
  pt_view *v = &q->view[i];
  crm_tier_status ts;
  int s, rank, qual, rc;

  for(s = 0; s < 2; s++) {
    const pt_acct *a = &v->snap.acct[s];

    if(!a->exists)
      continue;
    rank = pt_rank(s, a->tier);
    PT_REQ(rank >= 0, "tier", "c%d %s: unknown tier \"%s\"", i,
           pt_rule[s].name, a->tier);
    pt_cov[C_TIER_UP] += rank > 0;
    pt_cov[C_GRACE] += a->grace_until > 0;
    /* without grace, reviews fall every review_days after the change */
    PT_REQ(rank == 0 || pt_rule[s].grace_days ||
           (a->review_at - a->since) % (pt_rule[s].review_days * T_DAY) == 0,
           "tier_review", "c%d %s: tier %s since %" PRId64 ", review at %"
           PRId64 ": not a whole number of %" PRId64 "-day terms", i,
           pt_rule[s].name, a->tier, a->since, a->review_at,
           pt_rule[s].review_days);
    PT_REQ(rank > 0 ? a->review_at > 0 : a->review_at == 0 &&
           a->grace_until == 0, "tier", "c%d %s: tier %s review %" PRId64
           " grace %" PRId64, i, pt_rule[s].name, a->tier, a->review_at,
           a->grace_until);
    PT_REQ(!due_clear || (a->review_at == 0 || a->review_at > q->clock),
           "due_tier", "c%d %s: tier %s review fell due at %" PRId64
           " and is still open at %" PRId64, i, pt_rule[s].name, a->tier,
           a->review_at, q->clock);
    if(!status || q->backdated[i])
      continue;
    rc = crm_tier_status_get(q->c, q->cust[i], pt_rule[s].name, q->clock,
                             &ts);
    PT_REQ(rc == 0, "api", "crm_tier_status_get(c%d) = %d: %s", i, rc,
           crm_errmsg(q->c));
    qual = pt_rank(s, ts.qualifies_for);
    PT_REQ(!strcmp(ts.tier, a->tier) && qual >= 0, "tier", "c%d %s: status "
           "tier %s qualifies for \"%s\", account tier %s", i,
           pt_rule[s].name, ts.tier, ts.qualifies_for, a->tier);
    PT_REQ(ts.window_to == q->clock && ts.window_from ==
           q->clock - pt_rule[s].window_days * T_DAY, "tier", "c%d %s: "
           "window [%" PRId64 ", %" PRId64 "] as of %" PRId64, i,
           pt_rule[s].name, ts.window_from, ts.window_to, q->clock);
    PT_REQ(ts.count == pt_window_count(q, i, s), "tier_activity", "c%d %s: "
           "%" PRId64 " purchases in the tier window, status counts %" PRId64,
           i, pt_rule[s].name, pt_window_count(q, i, s), ts.count);
    PT_REQ(qual <= rank || (q->neg_early[i] && !after_event),
           "tier_upgrade", "c%d %s: tier %s but the window qualifies for %s "
           "(points %" PRId64 " count %" PRId64 ")", i, pt_rule[s].name,
           a->tier, ts.qualifies_for, ts.points, ts.count);
    PT_REQ(!after_event || !a->grace_until || qual < rank, "tier_grace",
           "c%d %s: qualifies for %s again but grace until %" PRId64
           " goes on", i, pt_rule[s].name, a->tier, a->grace_until);
  }
  return 0;
}

typedef struct pt_change {
  int from, to;
  int64_t at, event_id;
} pt_change;

typedef struct pt_history {
  int s;
  size_t n;
  pt_change ch[32];
} pt_history;

static int pt_cb_change(void *ud, const crm_tier_change *tc)
{
  pt_history *h = ud;

  if(h->n >= 32)
    return 1;
  h->ch[h->n].from = pt_rank(h->s, tc->from_tier);
  h->ch[h->n].to = pt_rank(h->s, tc->to_tier);
  h->ch[h->n].at = tc->at;
  h->ch[h->n].event_id = tc->event_id;
  h->n++;
  return 0;
}

/* Each change is a stored event and moves between known levels; a
 * downgrade comes no sooner than review_days + grace_days after the
 * change before it; without refunds or late events (which rewrite the
 * window's past), the last change of each second lands on the level the
 * window qualified for then. */
int pt_check_history(pt_seq *q, int i)
{
  crm_tier_status ts;
  pt_history h;
  size_t k;
  int s, rc;

  for(s = 0; s < 2; s++) {
    const pt_rules *r = &pt_rule[s];

    if(!q->view[i].snap.acct[s].exists)
      continue;
    memset(&h, 0, sizeof(h));
    h.s = s;
    rc = crm_tier_history_foreach(q->c, q->cust[i], r->name, pt_cb_change,
                                  &h);
    PT_REQ(rc == 0, "api", "crm_tier_history_foreach(c%d) = %d: %s", i, rc,
           crm_errmsg(q->c));
    for(k = 0; k < h.n; k++) {
      const pt_change *x = &h.ch[k];

      PT_REQ(x->from >= 0 && x->to >= 0 && x->from != x->to &&
             x->event_id > 0 && (k == 0 || x->from == h.ch[k - 1].to),
             "tier_history", "c%d %s: change %zu: %d -> %d at %" PRId64
             " (event %" PRId64 ")", i, r->name, k, x->from, x->to, x->at,
             x->event_id);
      /* (an upgrade undone by a refund comes down before review + grace) */
      PT_REQ(x->to > x->from || k == 0 || q->refunded[i] ||
             x->at >= h.ch[k - 1].at +
             (r->review_days + r->grace_days) * T_DAY, "tier_grace",
             "c%d %s: down to %s at %" PRId64 ", %" PRId64 "s after the "
             "change before (review %" PRId64 "d + grace %" PRId64 "d)", i,
             r->name, r->levels[x->to], x->at, x->at - h.ch[k - 1].at,
             r->review_days, r->grace_days);
      pt_cov[C_DOWNGRADE] += x->to < x->from;
      /* (the window as of a second holds all of that second's events) */
      if(q->refunded[i] || q->backdated[i] ||
         (k + 1 < h.n && h.ch[k + 1].at == x->at))
        continue;
      rc = crm_tier_status_get(q->c, q->cust[i], r->name, x->at, &ts);
      PT_REQ(rc == 0, "api", "crm_tier_status_get(c%d) = %d: %s", i, rc,
             crm_errmsg(q->c));
      PT_REQ(pt_rank(s, ts.qualifies_for) == x->to, "tier_level", "c%d %s: "
             "changed %s -> %s at %" PRId64 " but the window then "
             "qualified for %s", i, r->name, r->levels[x->from],
             r->levels[x->to], x->at, ts.qualifies_for);
    }
  }
  return 0;
}
