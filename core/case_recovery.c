/*
 * case_recovery.c - service recovery on resolution: the compensation the
 * handler decided (goodwill points, a reward item) checked against the
 * category's limit and written once per resolution.
 *
 * Limits (complaints.compensation, case_config.c): the exact category,
 * else "*"; no limit row: no compensation at all. The points of every
 * resolution of a case add up to at most max_points; an item must be in
 * the limit's items list and in the scheme's catalogue; an item alone
 * is allowed even when earlier grants exceed a limit lowered since.
 *
 * Who: the reward scheme named (or the only one loaded; none loaded:
 * CRM_ENOTFOUND, resolve without compensation). A scheme with an enroll
 * rule grants nothing to a non-member (CRM_ESTATE, the rule named): no
 * account is opened for them, as earning never does; a scheme open to
 * all opens the account on the grant, as a first purchase would.
 *
 * Points go through the reward ledger like any other credit: a core
 * event "points_adjust" {"scheme","points","reason"} under the key
 * "case-<id>-recovery-<n>" (n = the resolution number), one `adjust`
 * line (no tier multiplier, no earning limit: those belong to earning)
 * with the reason "service recovery for case C-000042", and its lot. An
 * item becomes a voucher issued at cost 0 (crm__redeem_gift) under the
 * same key + "-item". One case_compensation row per resolution and a
 * "compensate" history line ("500 points (ledger #812)", "voucher
 * SM-7KQ2-M9XD (COFFEE)"). All inside the caller's transaction: a
 * refusal returns before anything is written, and any later error is
 * rolled back with the resolution.
 */
#include <stdio.h>
#include <string.h>

#include "case_int.h"
#include "points_int.h"

#define RC_KEY_MAX 64
#define RC_REASON_MAX 64
#define RC_DETAIL_MAX 160

static const char rc_sql_granted[] =
  "SELECT coalesce(sum(points), 0), count(*) FROM case_compensation"
  " WHERE case_id = ?1";
static const char rc_sql_once[] =
  "SELECT count(*) FROM case_compensation WHERE case_id = ?1"
  " AND resolution = ?2";
static const char rc_sql_add[] =
  "INSERT INTO case_compensation(case_id, resolution, scheme, points, item,"
  " voucher_code, ledger_key, granted_by, note, at)"
  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
static const char rc_sql_payload[] =
  "SELECT json_object('scheme', ?1, 'points', ?2, 'reason', ?3)";
static const char rc_sql_entry_of[] =
  "SELECT id FROM points_ledger WHERE event_id = ?1 AND scheme = ?2"
  " AND kind = 'adjust' ORDER BY id LIMIT 1";

/* What one grant writes. */
typedef struct rc_grant {
  const crm__case_row *r;
  const crm__scheme *s;
  const char *scheme;
  const char *actor;
  int64_t at;
  char key[RC_KEY_MAX];
  char reason[RC_REASON_MAX];
  int64_t entry_id; /* the adjust line; 0 none */
  char code[32];    /* the voucher; "" none */
} rc_grant;

static const char *rc_category(const crm__case_row *r)
{
  return r->category[0] ? r->category : "(none)";
}

/* ---- the checks ---------------------------------------------------------- */

/* The points the case was granted before (all its resolutions). */
static int rc_granted(crm *c, int64_t case_id, int64_t *points)
{
  sqlite3_stmt *st = crm__stmt(c, rc_sql_granted);
  int64_t v[2] = {0, 0};
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, case_id);
  rc = crm__step_row(c, st, v, 2, "summing a case's compensation");
  *points = v[0];
  return rc;
}

static int rc_item_allowed(crm *c, const crm__case_row *r,
                           const crm__comp_limit *lim, const char *item)
{
  char list[256];
  size_t i, n = 0;

  for(i = 0; i < lim->n_items; i++) {
    if(strcmp(lim->items[i], item) == 0)
      return CRM_OK;
  }
  list[0] = '\0';
  for(i = 0; i < lim->n_items && n + 1 < sizeof(list); i++) {
    int k = snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "",
                     lim->items[i]);

    if(k < 0)
      break;
    n += (size_t)k;
  }
  return crm__err(c, CRM_ERANGE, "item %s is not allowed as compensation "
                  "for category %s (%s%s)", item, rc_category(r),
                  lim->n_items ? "allowed: " : "no items allowed",
                  lim->n_items ? list : "");
}

/* The limit of the case's category: points over all its resolutions and
 * the items allowed. */
static int rc_check_limit(crm *c, const crm__case_row *r,
                          const crm_case_decision *d)
{
  const crm__comp_limit *lim = crm__cases_limit(crm__cases(c), r->category);
  int64_t before = 0;
  int rc;

  if(!lim)
    return crm__err(c, CRM_ERANGE, "no compensation is allowed for category "
                    "%s (complaints.compensation)", rc_category(r));
  rc = rc_granted(c, r->id, &before);
  if(rc)
    return rc;
  /* an item alone costs no points: allowed even when earlier grants
   * are over a limit lowered since */
  if(d->comp_points > 0 && d->comp_points > lim->max_points - before)
    return crm__err(c, CRM_ERANGE, "compensation of %lld points is over the "
                    "limit for category %s (%lld per case, %lld granted "
                    "before)", (long long)d->comp_points, rc_category(r),
                    (long long)lim->max_points, (long long)before);
  if(d->comp_item[0])
    return rc_item_allowed(c, r, lim, d->comp_item);
  return CRM_OK;
}

/* 1 when this resolution already has its row (nothing to do again). */
static int rc_done_before(crm *c, const crm__case_row *r, int *done)
{
  sqlite3_stmt *st = crm__stmt(c, rc_sql_once);
  int64_t n = 0;
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, r->id);
  sqlite3_bind_int64(st, 2, r->resolutions);
  rc = crm__step_row(c, st, &n, 1, "reading a case's compensation");
  *done = n > 0;
  return rc;
}

static int rc_check(crm *c, const crm__case_row *r,
                    const crm_case_decision *d)
{
  if(d->comp_points < 0 || d->comp_points > CRM__POINTS_MAX)
    return crm__err(c, CRM_ERANGE, "compensation of %lld points is outside "
                    "0..%lld", (long long)d->comp_points,
                    (long long)CRM__POINTS_MAX);
  if(crm__case_class(r->state) != CRM__CS_RESOLVED || r->resolutions < 1)
    return crm__err(c, CRM_ESTATE, "compensation is granted on a resolution "
                    "only (case %s is %s)", r->number, r->state);
  return rc_check_limit(c, r, d);
}

/* The reward scheme the compensation goes through, and the customer's
 * membership: a scheme open to members only (enroll rule) grants
 * nothing to others, as earning does not (no account is opened). */
static int rc_scheme(crm *c, const crm__case_row *r, const char *name,
                     crm__component **k, const crm__scheme **s)
{
  char why[256];
  int member = 0;
  int rc = crm__scheme_find(c, name, k, s);

  if(rc == CRM_ENOTFOUND && !name) {
    snprintf(why, sizeof(why), "%s", crm_errmsg(c));
    return crm__err(c, rc, "%s: compensation is granted through one "
                    "(resolve without compensation)", why);
  }
  if(!rc)
    rc = crm__scheme_member(c, *s, r->customer_id, &member);
  if(rc || member)
    return rc;
  return crm__err(c, CRM_ESTATE, "customer #%lld is not a member of scheme "
                  "\"%s\" (enroll: attribute %s = %s): resolve without "
                  "compensation or enroll the customer first",
                  (long long)r->customer_id, (*k)->name, (*s)->enroll_attr,
                  (*s)->enroll_value);
}

/* ---- the writes ---------------------------------------------------------- */

/* The adjust line already written under the key (a retried event). */
static int rc_entry_of(crm *c, rc_grant *g, int64_t event_id)
{
  sqlite3_stmt *st = crm__stmt(c, rc_sql_entry_of);

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, event_id);
  sqlite3_bind_text(st, 2, g->scheme, -1, SQLITE_STATIC);
  return crm__step_row(c, st, &g->entry_id, 1, "reading a ledger entry");
}

/* Points: the core event, the adjust line and its lot. */
static int rc_points(crm *c, rc_grant *g, int64_t points)
{
  char payload[256];
  sqlite3_stmt *st = crm__stmt(c, rc_sql_payload);
  int64_t event_id = 0, lot = 0;
  int64_t cust = g->r->customer_id;
  crm__line l;
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, g->scheme, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, points);
  sqlite3_bind_text(st, 3, g->reason, -1, SQLITE_STATIC);
  rc = crm__redeem_text(c, st, payload, sizeof(payload), "building an event");
  if(!rc)
    rc = crm__event_record(c, cust, "points_adjust", payload, g->key, g->at,
                           &event_id);
  if(rc == 1)
    return rc_entry_of(c, g, event_id);
  if(!rc)
    rc = crm__account_ensure(c, cust, g->scheme, g->s, g->at);
  if(rc)
    return rc;
  memset(&l, 0, sizeof(l));
  l.customer_id = cust;
  l.scheme = g->scheme;
  l.event_id = event_id;
  l.kind = "adjust";
  l.points = points;
  l.note = "goodwill";
  l.reason = g->reason;
  l.at = g->at;
  rc = crm__ledger_add(c, &l, &g->entry_id);
  if(!rc)
    rc = crm__lot_create(c, g->s, cust, g->scheme, event_id, g->entry_id,
                         points, g->at, 0, crm__scheme_expiry(g->s, g->at), 1,
                         &lot);
  if(!rc)
    rc = crm__ledger_set_lot(c, g->entry_id, lot);
  if(!rc && g->s->auto_redeem[0])
    rc = crm__redeem_auto(c, g->s, g->scheme, cust, event_id, g->at);
  return rc;
}

static int rc_item_known(crm *c, const rc_grant *g, const char *item,
                         const crm__catalogue_item **it)
{
  *it = crm__scheme_item(g->s, item);
  if(!*it)
    return crm__err(c, CRM_ENOTFOUND, "no item \"%s\" in the catalogue of "
                    "scheme \"%s\"", item, g->scheme);
  return CRM_OK;
}

/* An item: a voucher at cost 0 under key + "-item". */
static int rc_item(crm *c, rc_grant *g, const crm__catalogue_item *it)
{
  char key[RC_KEY_MAX + 8];
  crm_voucher v;
  int rc;

  snprintf(key, sizeof(key), "%s-item", g->key);
  memset(&v, 0, sizeof(v));
  rc = crm__redeem_gift(c, g->s, g->scheme, it, g->r->customer_id, key, g->at,
                        g->actor, &v);
  if(rc < 0)
    return rc;
  snprintf(g->code, sizeof(g->code), "%s", v.code);
  return CRM_OK;
}

static int rc_row(crm *c, const rc_grant *g, const crm_case_decision *d)
{
  sqlite3_stmt *st = crm__stmt(c, rc_sql_add);

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, g->r->id);
  sqlite3_bind_int64(st, 2, g->r->resolutions);
  sqlite3_bind_text(st, 3, g->scheme, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, d->comp_points);
  sqlite3_bind_text(st, 5, d->comp_item, -1, SQLITE_STATIC);
  if(g->code[0])
    sqlite3_bind_text(st, 6, g->code, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 7, g->key, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 8, g->actor, -1, SQLITE_STATIC);
  if(d->comp_note[0])
    sqlite3_bind_text(st, 9, d->comp_note, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 10, g->at);
  return crm__step_end(c, st, "recording a compensation");
}

/* "500 points (ledger #812)", "voucher SM-7KQ2-M9XD (COFFEE)", or both
 * joined by ", ". */
static void rc_detail(const rc_grant *g, const crm_case_decision *d,
                      char *buf, size_t size)
{
  int n = 0;

  buf[0] = '\0';
  if(d->comp_points > 0)
    n = snprintf(buf, size, "%lld %s (ledger #%lld)",
                 (long long)d->comp_points, g->s->unit,
                 (long long)g->entry_id);
  if(n < 0 || (size_t)n >= size)
    return;
  if(g->code[0])
    snprintf(buf + n, size - (size_t)n, "%svoucher %s (%s)", n ? ", " : "",
             g->code, d->comp_item);
}

int crm__recovery_grant(crm *c, const crm__case_row *r,
                        const crm_case_decision *dec, const char *scheme,
                        const char *actor, int64_t at)
{
  const crm__catalogue_item *it = NULL;
  crm_case_decision dd;
  const crm_case_decision *d = &dd;
  crm__component *k = NULL;
  char detail[RC_DETAIL_MAX];
  rc_grant g;
  int done = 0;
  int rc;

  if(!dec || (dec->comp_points == 0 && !dec->comp_item[0]))
    return CRM_OK; /* nothing asked */
  dd = *dec; /* the handler's strings, terminated */
  dd.comp_item[sizeof(dd.comp_item) - 1] = '\0';
  dd.comp_note[sizeof(dd.comp_note) - 1] = '\0';
  rc = rc_check(c, r, d);
  if(!rc)
    rc = rc_done_before(c, r, &done);
  if(rc || done)
    return rc;
  memset(&g, 0, sizeof(g));
  g.r = r;
  g.actor = actor ? actor : "api";
  g.at = at;
  rc = rc_scheme(c, r, scheme, &k, &g.s);
  if(rc)
    return rc;
  g.scheme = k->name;
  snprintf(g.key, sizeof(g.key), "case-%lld-recovery-%d", (long long)r->id,
           r->resolutions);
  snprintf(g.reason, sizeof(g.reason), "service recovery for case %s",
           r->number);
  rc = d->comp_item[0] ? rc_item_known(c, &g, d->comp_item, &it) : CRM_OK;
  if(!rc)
    rc = crm__op_time_check(c, 0, NULL, at);
  if(!rc)
    rc = crm__redeem_due(c, r->customer_id, at);
  if(!rc)
    rc = crm__op_time_check(c, r->customer_id, g.scheme, at);
  if(!rc && d->comp_points > 0)
    rc = rc_points(c, &g, d->comp_points);
  if(!rc && it)
    rc = rc_item(c, &g, it);
  if(!rc)
    rc = rc_row(c, &g, d);
  if(rc)
    return rc;
  rc_detail(&g, d, detail, sizeof(detail));
  return crm__case_log(c, r->id, "compensate", NULL, r->state, g.actor,
                       d->comp_note[0] ? d->comp_note : NULL, detail, at);
}
