/*
 * points_earn.c - what an ingested event does to the points of each
 * reward scheme: due work, enrollment, the plugin's answer, minimum
 * spend, the tier bonus line, earning caps, pending and expiry (lots),
 * take-backs of negative points and of refunds (overdraft, shortfall),
 * tier activity, automatic redemption.
 *
 * Non-members are skipped (the plugin is not called), except that a
 * refund naming a purchase is still reconciled in the CORE_REFUNDS
 * schemes where that purchase earned. The refund side (points_refunds
 * rows, held refunds, reconciliation of a refunded purchase) is
 * points_refund.c.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "points_int.h"

static const char crm__sql_cust_balance[] =
  "SELECT points_balance FROM customers WHERE id = ?1";
static const char crm__sql_caps[] =
  "SELECT coalesce(sum(CASE WHEN at >= ?4 AND at < ?4 + 86400"
  " THEN points + pending END), 0), coalesce(sum(points + pending), 0)"
  " FROM points_ledger WHERE customer_id = ?1 AND scheme = ?2"
  " AND at >= CAST(strftime('%s', ?3, 'unixepoch', 'start of month')"
  "   AS INTEGER)"
  " AND at < CAST(strftime('%s', ?3, 'unixepoch', 'start of month',"
  "   '+1 month') AS INTEGER)"
  " AND kind IN ('earn', 'pending_earn')";
static const char crm__sql_lot_sums[] =
  "SELECT coalesce(sum(CASE WHEN event_id = ?3 AND state = 'pending'"
  "   THEN remaining END), 0),"
  " coalesce(sum(CASE WHEN event_id = ?3 AND state = 'available'"
  "   THEN remaining END), 0),"
  " coalesce(sum(CASE WHEN state = 'pending' THEN remaining END), 0),"
  " coalesce(sum(CASE WHEN state = 'available' THEN remaining END), 0)"
  " FROM points_lots WHERE customer_id = ?1 AND scheme = ?2"
  " AND state IN ('pending', 'available')";
static const char crm__sql_shortfall_add[] =
  "INSERT INTO points_shortfalls(customer_id, scheme, event_id, amount, at)"
  " VALUES(?1, ?2, ?3, ?4, ?5)";

static int64_t crm__min64(int64_t a, int64_t b)
{
  return a < b ? a : b;
}

/* ---- take-backs --------------------------------------------------------- */

/* How a take-back will split between pending and available points: the
 * order of crm__lots_take_back (the named event's lots, pending ones
 * first; then pending lots; then available ones), from the lot sums. */
static int crm__takeback_plan(crm *c, const crm__takeback *tb,
                              int64_t *from_pending, int64_t *from_available)
{
  sqlite3_stmt *st;
  int64_t v[4] = {0, 0, 0, 0};
  int64_t need = tb->points;
  int64_t x;
  int rc;

  st = crm__stmt(c, crm__sql_lot_sums);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, tb->customer_id);
  sqlite3_bind_text(st, 2, tb->scheme, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, tb->lot_event_id);
  rc = crm__step_row(c, st, v, 4, "summing points lots");
  if(rc)
    return rc;
  *from_pending = crm__min64(need, v[0]);
  need -= *from_pending;
  *from_available = crm__min64(need, v[1]);
  need -= *from_available;
  x = crm__min64(need, v[2] - v[0]);
  *from_pending += x;
  need -= x;
  *from_available += crm__min64(need, v[3] - v[1]);
  return CRM_OK;
}

/* What could not be taken back: an overdraft (allow_negative, already in
 * the line) or a shortfall recovered from later earnings. */
static int crm__takeback_rest(crm *c, const crm__takeback *tb, int64_t rest)
{
  sqlite3_stmt *st;
  int rc;

  if(rest <= 0)
    return CRM_OK;
  if(tb->s->allow_negative)
    return crm__account_add_debt(c, tb->customer_id, tb->scheme, 0, rest);
  st = crm__stmt(c, crm__sql_shortfall_add);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, tb->customer_id);
  sqlite3_bind_text(st, 2, tb->scheme, -1, SQLITE_STATIC);
  if(tb->shortfall_event > 0)
    sqlite3_bind_int64(st, 3, tb->shortfall_event);
  sqlite3_bind_int64(st, 4, rest);
  sqlite3_bind_int64(st, 5, tb->at);
  rc = crm__step_end(c, st, "recording a points shortfall");
  if(!rc)
    rc = crm__account_add_debt(c, tb->customer_id, tb->scheme, rest, 0);
  return rc;
}

int crm__takeback_run(crm *c, const crm__takeback *tb)
{
  int64_t tp = 0, ta = 0, xp = 0, xa = 0, rest, entry = 0;
  crm__line l;
  int rc;

  rc = crm__takeback_plan(c, tb, &tp, &ta);
  if(rc)
    return rc;
  rest = tb->points - tp - ta;
  memset(&l, 0, sizeof(l));
  l.customer_id = tb->customer_id;
  l.scheme = tb->scheme;
  l.event_id = tb->event_id;
  l.kind = "reverse";
  l.points = -ta - (tb->s->allow_negative ? rest : 0);
  l.pending = -tp;
  l.ref_event_id = tb->ref_event_id;
  l.note = tb->note;
  l.at = tb->at;
  if(l.points || l.pending) {
    rc = crm__ledger_add(c, &l, &entry);
    if(!rc && tp + ta > 0)
      rc = crm__lots_take_back(c, tb->customer_id, tb->scheme, entry,
                               tb->lot_event_id, 1, tp + ta, &xa, &xp);
    if(rc)
      return rc;
    if(xa != ta || xp != tp)
      return crm__err(c, CRM_ECORRUPT, "points lots of customer #%lld in "
                      "scheme \"%s\" disagree with their sums",
                      (long long)tb->customer_id, tb->scheme);
  }
  return crm__takeback_rest(c, tb, rest);
}

/* ---- earning ------------------------------------------------------------ */

/* floor(p x (m - 1)): the tier bonus, in millionths of the multiplier. */
static int64_t crm__bonus(int64_t p, double m)
{
  int64_t micro = (int64_t)llround(m * 1e6) - 1000000;

  if(micro <= 0 || p <= 0)
    return 0;
  return (p / 1000000) * micro + (p % 1000000) * micro / 1000000;
}

/* The earning caps left for the event's day and month. */
static int crm__cap_room(crm *c, const crm__earn *e, const char *scheme,
                         const crm__scheme *s, int64_t *room)
{
  sqlite3_stmt *st;
  int64_t used[2] = {0, 0};
  int64_t day = e->t - e->t % 86400;
  int rc;

  *room = INT64_MAX;
  if(!s->limit_day && !s->limit_month)
    return CRM_OK;
  st = crm__stmt(c, crm__sql_caps);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, e->cust->id);
  sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, e->t);
  sqlite3_bind_int64(st, 4, day);
  rc = crm__step_row(c, st, used, 2, "summing earned points");
  if(rc)
    return rc;
  if(s->limit_day)
    *room = s->limit_day - used[0];
  if(s->limit_month)
    *room = crm__min64(*room, s->limit_month - used[1]);
  if(*room < 0)
    *room = 0;
  return CRM_OK;
}

typedef struct crm__earning {
  int64_t points;
  int line;
  const char *note;
  int64_t release_at; /* 0: available at once */
  int64_t expires_at; /* 0: never */
} crm__earning;

/* One earning line and its lot. */
static int crm__earn_line(crm *c, const crm__earn *e, const char *scheme,
                          const crm__scheme *s, const crm__earning *g)
{
  crm__line l;
  int64_t entry = 0, lot = 0;
  int rc;

  memset(&l, 0, sizeof(l));
  l.customer_id = e->cust->id;
  l.scheme = scheme;
  l.event_id = e->event_id;
  l.kind = g->release_at ? "pending_earn" : "earn";
  l.points = g->release_at ? 0 : g->points;
  l.pending = g->release_at ? g->points : 0;
  l.line = g->line;
  l.note = g->note;
  l.at = e->t;
  rc = crm__ledger_add(c, &l, &entry);
  if(!rc)
    rc = crm__lot_create(c, s, e->cust->id, scheme, e->event_id, entry,
                         g->points, e->t, g->release_at, g->expires_at, 1,
                         &lot);
  if(!rc)
    rc = crm__ledger_set_lot(c, entry, lot);
  return rc;
}

/* When the event's points become available and when they expire. */
static void crm__earn_times(const crm__earn *e, const crm__scheme *s,
                            const crm_reward_result *res, crm__earning *g)
{
  if(res->pending_until > 0)
    g->release_at = res->pending_until > e->t ? res->pending_until : 0;
  else if(res->pending_until == 0 && s->pending_days > 0)
    g->release_at = e->t + (int64_t)s->pending_days * 86400;
  else
    g->release_at = 0;
  if(res->expires_at > 0)
    g->expires_at = res->expires_at;
  else if(res->expires_at < 0)
    g->expires_at = 0;
  else
    g->expires_at = crm__scheme_expiry(s, e->t);
}

/* Positive points: minimum spend, tier bonus, caps, then the lines. */
static int crm__earn_points(crm *c, const crm__earn *e, const char *scheme,
                            const crm__scheme *s,
                            const crm_reward_result *res, int64_t *base)
{
  char tier[CRM__TIER_NAME_MAX + 1] = "";
  char note[160];
  crm__earning g;
  double mult = 1.0;
  int64_t bonus = 0, room, b;
  int rc;

  if(e->is_purchase && s->min_spend > 0 && e->ev->amount < s->min_spend) {
    *base = 0;
    return CRM_OK;
  }
  if(s->n_tiers && !(res->flags & CRM_RESULT_NO_MULTIPLIER)) {
    rc = crm__tier_multiplier(c, s, e->cust->id, scheme, &mult, tier,
                              sizeof(tier));
    if(rc)
      return rc;
    bonus = crm__bonus(*base, mult);
  }
  room = INT64_MAX;
  if(!(res->flags & CRM_RESULT_NO_CAP)) {
    rc = crm__cap_room(c, e, scheme, s, &room);
    if(rc)
      return rc;
  }
  b = crm__min64(*base, room);
  bonus = crm__min64(bonus, room - b);
  memset(&g, 0, sizeof(g));
  crm__earn_times(e, s, res, &g);
  snprintf(note, sizeof(note), "%s%s", res->note,
           b < *base ? " (capped by the earning limit)" : "");
  g.points = b;
  g.note = note;
  rc = b > 0 ? crm__earn_line(c, e, scheme, s, &g) : CRM_OK;
  if(rc || bonus <= 0)
    return rc;
  snprintf(note, sizeof(note), "tier %s bonus x%g", tier, mult);
  g.points = bonus;
  g.line = 1;
  return crm__earn_line(c, e, scheme, s, &g);
}

/* Negative points of a plugin: taken back from pending lots (newest
 * first), then available ones. */
static int crm__lose_points(crm *c, const crm__earn *e, const char *scheme,
                            const crm__scheme *s, int64_t points,
                            const char *note)
{
  crm__takeback tb;

  memset(&tb, 0, sizeof(tb));
  tb.s = s;
  tb.scheme = scheme;
  tb.customer_id = e->cust->id;
  tb.event_id = e->event_id;
  tb.ref_event_id = e->purchase.id;
  tb.shortfall_event = e->event_id;
  tb.points = points;
  tb.note = note;
  tb.at = e->t;
  return crm__takeback_run(c, &tb);
}

/* The event's tier activity in the scheme (zero rows are not written).
 * A refund the core reconciles books none of its own: the core reverses
 * the purchase's activity (points_refund.c), whatever the plugin said. */
static int crm__earn_activity(crm *c, const crm__earn *e, const char *scheme,
                              const crm_reward_result *res, int core,
                              int64_t points)
{
  int64_t spend = 0, at = e->t;

  if(core)
    return CRM_OK;
  if(e->is_purchase)
    spend = e->ev->amount;
  if(e->is_refund && e->purchase.id)
    at = e->purchase.occurred_at;
  if(e->is_refund)
    spend = -e->ev->amount;
  if(!points && !spend && !res->tier_credits && !res->tier_count)
    return CRM_OK;
  return crm__tier_activity(c, e->cust->id, scheme, e->event_id, at, points,
                            res->tier_credits, res->tier_count, spend);
}

/* Calls the plugin; a nested ingest it caused refreshes the customer. */
static int crm__earn_call(crm *c, crm__earn *e, crm__component *k,
                          crm_reward_result *res)
{
  crm_event_view v;
  crm_customer_view cv;
  uint64_t seq = c->ingest_seq;
  int rc;

  memset(&v, 0, sizeof(v));
  v.struct_size = sizeof(v);
  v.event_id = e->event_id;
  v.customer_id = e->cust->id;
  v.type = e->ev->type;
  v.occurred_at = e->t;
  v.amount = e->ev->amount;
  v.currency = e->ev->currency;
  v.quantity = e->ev->quantity;
  v.payload = e->ev->payload;
  v.idempotency_key = e->ev->idempotency_key;
  v.refund_of = e->refund_of[0] ? e->refund_of : NULL;
  memset(res, 0, sizeof(*res));
  res->struct_size = sizeof(*res);
  crm__customer_view(e->cust, &cv);
  crm__hctx_reset(&k->plugin->hctx);
  rc = k->vt.reward.on_event(k->plugin->state, &k->plugin->hctx, &v, &cv,
                             res);
  if(rc)
    return crm__plugin_call_failed(c, k, rc, "on_event");
  res->note[sizeof(res->note) - 1] = '\0';
  if(res->points > CRM__POINTS_MAX || res->points < -CRM__POINTS_MAX)
    return crm__err(c, CRM_EPLUGIN, "plugin \"%s\" component \"%s\": "
                    "on_event returned %lld points (at most %lld either "
                    "way)", k->plugin->name, k->name,
                    (long long)res->points, (long long)CRM__POINTS_MAX);
  if(c->ingest_seq != seq)
    return crm_customer_get(c, e->cust->id, e->cust);
  return CRM_OK;
}

/* Points, refunds, activity and tiers of one scheme for the event. */
static int crm__earn_scheme(crm *c, crm__earn *e, crm__component *k,
                            const crm__scheme *s, crm_points_account *before)
{
  const char *scheme = k->name;
  int refunds = (k->vt.reward.flags & CRM_REWARD_CORE_REFUNDS) != 0;
  crm_reward_result res;
  int64_t p;
  int core;
  int rc;

  /* the account as the plugin leaves it: what events it emitted did is
   * theirs, not this event's */
  rc = crm__earn_call(c, e, k, &res);
  if(!rc)
    rc = crm__account_read(c, e->cust->id, scheme, before);
  if(rc)
    return rc;
  core = refunds && e->is_refund && e->refund_of[0];
  p = core ? 0 : res.points;
  if(p > 0)
    rc = crm__earn_points(c, e, scheme, s, &res, &p);
  else if(p < 0)
    rc = crm__lose_points(c, e, scheme, s, -p, res.note);
  /* activity first: a reconciliation books its share of the purchase's */
  if(!rc)
    rc = crm__earn_activity(c, e, scheme, &res, core, p);
  if(!rc && core && e->purchase.id)
    rc = crm__points_reconcile(c, s, scheme, e->cust->id, e->purchase.id,
                               e->t, e->event_id);
  if(!rc && refunds && e->held)
    rc = crm__points_reconcile(c, s, scheme, e->cust->id, e->event_id,
                               e->t, e->event_id);
  if(!rc && s->n_tiers)
    rc = crm__tier_check(c, s, e->cust->id, scheme, e->t);
  return rc;
}

/* A refund naming its purchase while the customer is not a member (any
 * more): the plugin is not called, but in a CORE_REFUNDS scheme what the
 * purchase earned is still taken back, with its tier activity. No
 * account: the purchase earned nothing there. */
static int crm__earn_nonmember(crm *c, crm__earn *e, crm__component *k,
                               const crm__scheme *s, int64_t *net)
{
  crm_points_account before, after;
  int rc;

  if(!(k->vt.reward.flags & CRM_REWARD_CORE_REFUNDS) || !e->is_refund ||
     !e->purchase.id)
    return CRM_OK;
  rc = crm__account_read(c, e->cust->id, k->name, &before);
  if(rc == CRM_ENOTFOUND) {
    crm__clear_err(c);
    return CRM_OK;
  }
  if(!rc)
    rc = crm__points_reconcile(c, s, k->name, e->cust->id, e->purchase.id,
                               e->t, e->event_id);
  if(!rc && s->n_tiers)
    rc = crm__tier_check(c, s, e->cust->id, k->name, e->t);
  if(!rc)
    rc = crm__account_read(c, e->cust->id, k->name, &after);
  if(rc)
    return rc;
  *net += after.balance + after.pending - before.balance - before.pending;
  e->cust->points_balance += after.balance - before.balance;
  return CRM_OK;
}

/* One reward component: its account's change is added to *net and to
 * the customer's balance the next component sees. */
static int crm__earn_component(crm *c, crm__earn *e, crm__component *k,
                               int64_t *net)
{
  const crm__scheme *s = crm__scheme_of(k);
  crm_points_account before, after;
  int64_t gained;
  int member = 0;
  int rc;

  rc = crm__scheme_member(c, s, e->cust->id, &member);
  if(rc)
    return rc;
  if(!member)
    return crm__earn_nonmember(c, e, k, s, net);
  rc = crm__account_ensure(c, e->cust->id, k->name, s, e->t);
  if(!rc)
    rc = crm__earn_scheme(c, e, k, s, &before);
  if(!rc)
    rc = crm__account_read(c, e->cust->id, k->name, &after);
  if(rc)
    return rc;
  *net += after.balance + after.pending - before.balance - before.pending;
  gained = after.balance - before.balance;
  e->cust->points_balance += gained;
  if(gained <= 0 || !s->auto_redeem[0])
    return CRM_OK;
  rc = crm__redeem_auto(c, s, k->name, e->cust->id, e->event_id, e->t);
  if(!rc)
    rc = crm__account_read(c, e->cust->id, k->name, &before);
  if(!rc)
    e->cust->points_balance += before.balance - after.balance;
  return rc;
}

/* ---- the event ---------------------------------------------------------- */

static int crm__rewards_running(const crm *c)
{
  size_t i;

  for(i = 0; i < c->n_comps; i++) {
    if(c->comps[i].kind == CRM_KIND_REWARD && c->comps[i].plugin->running)
      return 1;
  }
  return 0;
}

/* Releases, expiries and tier reviews of the customer due by the event. */
static int crm__earn_due(crm *c, crm__earn *e)
{
  crm_due_stats st;
  sqlite3_stmt *q;
  int rc;

  memset(&st, 0, sizeof(st));
  rc = crm__lots_due(c, e->cust->id, e->t, &st);
  if(!rc)
    rc = crm__tier_due(c, e->cust->id, e->t, &st);
  if(rc || (!st.lots_released && !st.lots_expired))
    return rc;
  q = crm__stmt(c, crm__sql_cust_balance);
  if(!q)
    return c->errcode;
  sqlite3_bind_int64(q, 1, e->cust->id);
  return crm__step_row(c, q, &e->cust->points_balance, 1,
                        "reading points balance");
}

static int crm__earn_prepare(crm *c, crm__earn *e)
{
  const char *type = e->ev->type;
  int rc;

  e->is_purchase = strcmp(type, "purchase") == 0;
  e->is_refund = strcmp(type, "refund") == 0 || strcmp(type, "cancel") == 0;
  e->full = strcmp(type, "cancel") == 0 || e->ev->amount == 0;
  rc = crm__refund_prepare(c, e);
  if(!rc)
    rc = crm__earn_due(c, e);
  return rc;
}

int crm__points_on_event(crm *c, const crm_event *ev, crm_customer *cust,
                         int64_t event_id, int64_t t, int64_t *net)
{
  crm__earn e;
  size_t i;
  int rc;

  if(!crm__rewards_running(c))
    return CRM_OK;
  memset(&e, 0, sizeof(e));
  e.ev = ev;
  e.cust = cust;
  e.event_id = event_id;
  e.t = t;
  rc = crm__earn_prepare(c, &e);
  /* by index: a nested ingest from a plugin may not reload plugins, but
   * c->comps is read afresh each time all the same */
  for(i = 0; !rc && i < c->n_comps; i++) {
    crm__component *k = &c->comps[i];

    if(k->kind != CRM_KIND_REWARD || !k->plugin->running)
      continue;
    rc = crm__earn_component(c, &e, k, net);
  }
  return rc;
}
