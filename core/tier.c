/*
 * tier.c - tiers of a reward scheme: activity records, qualification,
 * upgrades, reviews, grace periods and downgrades, tier events.
 *
 * Qualification looks at the rolling window (t - window_days, t] of the
 * customer's points_activity rows (base points, credits, count, spend),
 * never at the balance: half-open, so the activity of the instant a tier
 * was reached is out of the window at a review window_days later. Levels
 * are ascending, the first is the base; a level qualifies when any of its
 * non-zero thresholds is met.
 *
 *   - an upgrade happens at once (crm__tier_check after the activity);
 *     the tier is then kept until review_at = t + review_days;
 *   - at review_at (crm__tier_due, evaluated at that instant): still
 *     qualifying -> review_at += review_days; not -> with grace_days a
 *     grace period until review_at + grace_days (review_at moves there),
 *     without it a downgrade at once to the qualifying level;
 *   - at the end of the grace: downgrade to the qualifying level (review
 *     review_days later, none at the base); an event that qualifies
 *     during the grace ends it (review_at = t + review_days);
 *   - an upgrade not yet confirmed by a review is undone when refunds
 *     take away the activity it qualified on (the window as of the
 *     upgrade no longer reaches the tier, and today's does not either):
 *     back to the tier state before it (tier, since, review, grace; a
 *     review that fell due meanwhile runs at once), or, when that window
 *     still reaches a level in between, down to that level (a new term).
 *     A tier a review confirmed is judged at its next review only.
 *
 * Every change writes a tier_changes row and records a core event
 * "tier_changed" {"scheme","from","to","reason"} under the key
 * "core:tier:<scheme>:<customer>:<n>" (n = the change's number). A change
 * that leads to an unconfirmed upgrade also carries "undo": {"tier",
 * "since","review_at","grace_until"} (the state before the upgrade),
 * "at" (when it qualified), "review" (the review it set; once review_at
 * differs, a review has confirmed it) and "prev" (the tier_changes id
 * holding the undo of the state before, 0 none).
 * Due reviews are found through the accounts_review index (global) or
 * among the customer's own accounts only. The public reads (status,
 * history) are in tier_read.c.
 */
#include <stdio.h>
#include <string.h>

#include "comm_int.h"
#include "points_int.h"

static const char *const tr_criteria[] = {"points", "credits", "count",
                                          "spend"};

static const char tr_sql_acct_get[] =
  "SELECT tier, tier_since, coalesce(tier_review_at, 0),"
  " coalesce(tier_grace_until, 0) FROM points_accounts"
  " WHERE customer_id = ?1 AND scheme = ?2";
static const char tr_sql_acct_set[] =
  "UPDATE points_accounts SET tier = ?3, tier_since = ?4,"
  " tier_review_at = nullif(?5, 0), tier_grace_until = nullif(?6, 0)"
  " WHERE customer_id = ?1 AND scheme = ?2";
static const char tr_sql_window[] =
  "SELECT coalesce(sum(points), 0), coalesce(sum(credits), 0),"
  " coalesce(sum(count), 0), coalesce(sum(spend), 0) FROM points_activity"
  " WHERE customer_id = ?1 AND scheme = ?2 AND at > ?3 AND at <= ?4";
static const char tr_sql_activity[] =
  "INSERT INTO points_activity(customer_id, scheme, event_id, at, points,"
  " credits, count, spend) VALUES(?1, ?2, nullif(?3, 0), ?4, ?5, ?6, ?7,"
  " ?8)";
static const char tr_sql_changes_n[] =
  "SELECT count(*) FROM tier_changes WHERE customer_id = ?1 AND scheme = ?2";
static const char tr_sql_change_add[] =
  "INSERT INTO tier_changes(customer_id, scheme, from_tier, to_tier, at,"
  " reason, event_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, nullif(?7, 0))";
static const char tr_sql_payload[] =
  "SELECT CASE WHEN ?5 IS NULL"
  " THEN json_object('scheme', ?1, 'from', ?2, 'to', ?3, 'reason', ?4)"
  " ELSE json_object('scheme', ?1, 'from', ?2, 'to', ?3, 'reason', ?4,"
  "   'undo', json_object('tier', ?5, 'since', ?6, 'review_at', ?7,"
  "   'grace_until', ?8, 'at', ?9, 'review', ?10, 'prev', ?11)) END";
/* The undo a change carries: the latest change (?3 = 0) or one by id. */
static const char tr_sql_undo[] =
  "SELECT t.id, t.to_tier, json_type(e.payload, '$.undo'),"
  " json_extract(e.payload, '$.undo.tier'),"
  " json_extract(e.payload, '$.undo.since'),"
  " json_extract(e.payload, '$.undo.review_at'),"
  " json_extract(e.payload, '$.undo.grace_until'),"
  " json_extract(e.payload, '$.undo.at'),"
  " json_extract(e.payload, '$.undo.review'),"
  " json_extract(e.payload, '$.undo.prev')"
  " FROM tier_changes t LEFT JOIN events e ON e.id = t.event_id"
  " WHERE t.customer_id = ?1 AND t.scheme = ?2 AND (?3 = 0 OR t.id = ?3)"
  " ORDER BY t.id DESC LIMIT 1";
/* Keyset walks: the next due account after (review_at, customer, scheme). */
static const char tr_sql_due_all[] =
  "SELECT customer_id, scheme, tier_review_at FROM points_accounts"
  " WHERE tier_review_at IS NOT NULL AND tier_review_at <= ?1"
  " AND (tier_review_at, customer_id, scheme) > (?2, ?3, ?4)"
  " ORDER BY tier_review_at, customer_id, scheme LIMIT 1";
static const char tr_sql_due_one[] =
  "SELECT customer_id, scheme, tier_review_at FROM points_accounts"
  " WHERE customer_id = ?1 AND tier_review_at IS NOT NULL"
  " AND tier_review_at <= ?2 AND scheme > ?3 ORDER BY scheme LIMIT 1";

/* ---- small pieces ------------------------------------------------------- */

int crm__tier_index(const crm__scheme *s, const char *name)
{
  size_t i;

  for(i = 0; i < s->n_tiers; i++) {
    if(strcmp(s->tiers[i].name, name) == 0)
      return (int)i;
  }
  return -1;
}

static int64_t tr_threshold(const crm__tier_level *l, int k)
{
  const int64_t t[] = {l->points, l->credits, l->count, l->spend};

  return t[k];
}

/* The first criterion of level l the sums meet; -1 none. */
static int tr_met(const crm__tier_level *l, const crm__tier_sums *w)
{
  int k;

  for(k = 0; k < 4; k++) {
    if(tr_threshold(l, k) > 0 && w->v[k] >= tr_threshold(l, k))
      return k;
  }
  return -1;
}

int crm__tier_qualify(const crm__scheme *s, const crm__tier_sums *w)
{
  int best = 0;
  size_t i;

  for(i = 1; i < s->n_tiers; i++) {
    if(tr_met(&s->tiers[i], w) >= 0)
      best = (int)i;
  }
  return best;
}

int crm__tier_read(crm *c, int64_t customer_id, const char *scheme,
                   crm__tier_acct *a, int *found)
{
  sqlite3_stmt *st = crm__stmt(c, tr_sql_acct_get);
  int rc;

  memset(a, 0, sizeof(*a));
  *found = 0;
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW) {
    *found = 1;
    crm__col_text(st, 0, a->tier, sizeof(a->tier));
    a->since = sqlite3_column_int64(st, 1);
    a->review_at = sqlite3_column_int64(st, 2);
    a->grace_until = sqlite3_column_int64(st, 3);
  }
  sqlite3_reset(st);
  if(rc != SQLITE_ROW && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading the tier of an account");
  return CRM_OK;
}

static int tr_write(crm *c, int64_t customer_id, const char *scheme,
                    const crm__tier_acct *a)
{
  sqlite3_stmt *st = crm__stmt(c, tr_sql_acct_set);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, a->tier, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, a->since);
  sqlite3_bind_int64(st, 5, a->review_at);
  sqlite3_bind_int64(st, 6, a->grace_until);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "writing the tier of an account");
  return CRM_OK;
}

int crm__tier_window(crm *c, const crm__scheme *s, int64_t customer_id,
                     const char *scheme, int64_t t, crm__tier_sums *w)
{
  sqlite3_stmt *st = crm__stmt(c, tr_sql_window);
  int rc;
  int k;

  memset(w, 0, sizeof(*w));
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, t - (int64_t)s->tier_window_days * 86400);
  sqlite3_bind_int64(st, 4, t);
  rc = sqlite3_step(st);
  for(k = 0; rc == SQLITE_ROW && k < 4; k++)
    w->v[k] = sqlite3_column_int64(st, k);
  sqlite3_reset(st);
  if(rc != SQLITE_ROW)
    return crm__sqlerr(c, rc, "summing tier activity");
  return CRM_OK;
}

static void tr_sums_text(const crm__scheme *s, const crm__tier_sums *w,
                         char *buf, size_t size)
{
  snprintf(buf, size, "points %lld, credits %lld, count %lld, spend %lld "
           "in %d days", (long long)w->v[0], (long long)w->v[1],
           (long long)w->v[2], (long long)w->v[3], s->tier_window_days);
}

static int tr_count(crm *c, const char *sql, int64_t a, const char *b,
                    int64_t *n)
{
  sqlite3_stmt *st = crm__stmt(c, sql);
  int rc;

  *n = 0;
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, a);
  if(b)
    sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW)
    *n = sqlite3_column_int64(st, 0);
  sqlite3_reset(st);
  if(rc != SQLITE_ROW && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "counting tier rows");
  return CRM_OK;
}

/* ---- a change ----------------------------------------------------------- */

/* How to undo the upgrade that led to the account's tier while no review
 * has confirmed it (the "undo" of the change's event payload). */
typedef struct tr_undo {
  int set;
  int64_t id;            /* the tier_changes row it was read from */
  crm__tier_acct before; /* the tier state before the upgrade */
  int64_t at;            /* when the upgrade qualified */
  int64_t review;        /* the review date the change set */
  int64_t prev;          /* the row holding the undo of `before`; 0 none */
} tr_undo;

static int64_t tr_review(const crm__scheme *s, int level, int64_t t)
{
  return level > 0 ? t + (int64_t)s->tier_review_days * 86400 : 0;
}

static void tr_payload_undo(sqlite3_stmt *st, const tr_undo *u)
{
  if(!u || !u->set) {
    sqlite3_bind_null(st, 5);
    return;
  }
  sqlite3_bind_text(st, 5, u->before.tier, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 6, u->before.since);
  sqlite3_bind_int64(st, 7, u->before.review_at);
  sqlite3_bind_int64(st, 8, u->before.grace_until);
  sqlite3_bind_int64(st, 9, u->at);
  sqlite3_bind_int64(st, 10, u->review);
  sqlite3_bind_int64(st, 11, u->prev);
}

static int tr_payload(crm *c, const char *scheme, const char *from,
                      const char *to, const char *reason, const tr_undo *u,
                      char *buf, size_t size)
{
  sqlite3_stmt *st = crm__stmt(c, tr_sql_payload);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, scheme, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
  tr_payload_undo(st, u);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW && (size_t)sqlite3_column_bytes(st, 0) >= size)
    rc = SQLITE_TOOBIG;
  if(rc == SQLITE_ROW)
    crm__col_text(st, 0, buf, size);
  sqlite3_reset(st);
  if(rc != SQLITE_ROW)
    return crm__sqlerr(c, rc, "building a tier event");
  return CRM_OK;
}

/* The undo carried by change `id` (0: the latest change of the account),
 * the change's tier into `to` (to_size 0: not wanted). u->set = 0 when
 * there is no such change or it carries none. */
static int tr_undo_read(crm *c, int64_t customer_id, const char *scheme,
                        int64_t id, char *to, size_t to_size, tr_undo *u)
{
  sqlite3_stmt *st = crm__stmt(c, tr_sql_undo);
  const unsigned char *type;
  int rc;

  memset(u, 0, sizeof(*u));
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, id);
  rc = sqlite3_step(st);
  type = rc == SQLITE_ROW ? sqlite3_column_text(st, 2) : NULL;
  if(type && strcmp((const char *)type, "object") == 0) {
    u->set = 1;
    u->id = sqlite3_column_int64(st, 0);
    if(to_size)
      crm__col_text(st, 1, to, to_size);
    crm__col_text(st, 3, u->before.tier, sizeof(u->before.tier));
    u->before.since = sqlite3_column_int64(st, 4);
    u->before.review_at = sqlite3_column_int64(st, 5);
    u->before.grace_until = sqlite3_column_int64(st, 6);
    u->at = sqlite3_column_int64(st, 7);
    u->review = sqlite3_column_int64(st, 8);
    u->prev = sqlite3_column_int64(st, 9);
  }
  sqlite3_reset(st);
  if(rc != SQLITE_ROW && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading a tier change");
  return CRM_OK;
}

/* The undo of the account's tier while no review has confirmed it: the
 * latest change led to that tier and carries one, and the review it set
 * is still the one due (a review since moves it or starts a grace). */
static int tr_undo_current(crm *c, int64_t customer_id, const char *scheme,
                           const crm__tier_acct *a, tr_undo *u)
{
  char to[CRM__TIER_NAME_MAX + 1] = "";
  int rc = tr_undo_read(c, customer_id, scheme, 0, to, sizeof(to), u);

  if(!rc && u->set && (strcmp(to, a->tier) != 0 || a->grace_until ||
                       a->review_at != u->review))
    u->set = 0;
  return rc;
}

static int tr_change_row(crm *c, int64_t customer_id, const char *scheme,
                         const char *from, const char *to, int64_t at,
                         const char *reason, int64_t event_id)
{
  sqlite3_stmt *st = crm__stmt(c, tr_sql_change_add);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, from, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, to, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 5, at);
  sqlite3_bind_text(st, 6, reason, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 7, event_id);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "recording a tier change");
  return CRM_OK;
}

/* Puts the account in state `next` (a is updated and written) and
 * records the change at `at`, carrying undo u when set. */
static int tr_change(crm *c, const crm__scheme *s, int64_t customer_id,
                     const char *scheme, crm__tier_acct *a,
                     const crm__tier_acct *next, int64_t at,
                     const char *reason, const tr_undo *u,
                     crm_due_stats *stats)
{
  char payload[1536];
  char key[256];
  char from[CRM__TIER_NAME_MAX + 1];
  int64_t n = 0;
  int64_t event_id = 0;
  int rc;

  memcpy(from, a->tier, sizeof(from));
  rc = tr_count(c, tr_sql_changes_n, customer_id, scheme, &n);
  if(!rc)
    rc = tr_payload(c, scheme, from, next->tier, reason, u, payload,
                    sizeof(payload));
  if(rc)
    return rc;
  snprintf(key, sizeof(key), "core:tier:%s:%lld:%lld", scheme,
           (long long)customer_id, (long long)(n + 1));
  rc = crm__event_record(c, customer_id, "tier_changed", payload, key, at,
                         &event_id);
  if(rc < 0)
    return rc;
  rc = tr_change_row(c, customer_id, scheme, from, next->tier, at, reason,
                     event_id);
  if(rc)
    return rc;
  *a = *next;
  if(stats)
    stats->tier_changes++;
  rc = tr_write(c, customer_id, scheme, a);
  if(!rc)
    rc = crm__trigger_on_tier(c, customer_id, scheme, from, next->tier,
                              crm__tier_index(s, next->tier) >
                                  crm__tier_index(s, from), at);
  return rc;
}

/* Moves the account to level `to` at `at` for a new term (review
 * review_days later, none at the base). An upgrade carries its undo. */
static int tr_move(crm *c, const crm__scheme *s, int64_t customer_id,
                   const char *scheme, crm__tier_acct *a, int to, int64_t at,
                   const char *reason, crm_due_stats *stats)
{
  crm__tier_acct next;
  tr_undo u, cur;
  int rc = CRM_OK;

  memset(&next, 0, sizeof(next));
  memset(&u, 0, sizeof(u));
  memcpy(next.tier, s->tiers[to].name, sizeof(next.tier));
  next.since = at;
  next.review_at = tr_review(s, to, at);
  if(to > crm__tier_index(s, a->tier)) {
    rc = tr_undo_current(c, customer_id, scheme, a, &cur);
    u.set = 1;
    u.before = *a;
    u.at = at;
    u.review = next.review_at;
    u.prev = cur.set ? cur.id : 0;
  }
  if(!rc)
    rc = tr_change(c, s, customer_id, scheme, a, &next, at, reason, &u,
                   stats);
  return rc;
}

/* ---- activity and upgrades ---------------------------------------------- */

int crm__tier_activity(crm *c, int64_t customer_id, const char *scheme,
                       int64_t event_id, int64_t at, int64_t points,
                       int64_t credits, int64_t count, int64_t spend)
{
  sqlite3_stmt *st;
  int rc;

  if(!points && !credits && !count && !spend)
    return CRM_OK;
  st = crm__stmt(c, tr_sql_activity);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, event_id);
  sqlite3_bind_int64(st, 4, at);
  sqlite3_bind_int64(st, 5, points);
  sqlite3_bind_int64(st, 6, credits);
  sqlite3_bind_int64(st, 7, count);
  sqlite3_bind_int64(st, 8, spend);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "recording tier activity");
  return CRM_OK;
}

/* ---- refunded upgrades -------------------------------------------------- */

static int tr_review_step(crm *c, const crm__scheme *s, int64_t customer_id,
                          const char *scheme, crm__tier_acct *a,
                          crm_due_stats *stats);

/* One undo, when refunds took away what the account's unconfirmed
 * upgrade qualified on and today's window (q_now) does not reach the tier
 * either: 1 when the account moved, 0 when not. */
static int tr_undo_step(crm *c, const crm__scheme *s, int64_t customer_id,
                        const char *scheme, crm__tier_acct *a, int64_t as_of,
                        int q_now)
{
  char sums[160];
  char reason[256];
  crm__tier_acct next;
  tr_undo u, prev;
  crm__tier_sums w;
  int cur = crm__tier_index(s, a->tier);
  int qu, f;
  int rc;

  if(q_now >= cur || as_of < a->since)
    return 0;
  rc = tr_undo_current(c, customer_id, scheme, a, &u);
  if(!rc && u.set)
    rc = crm__tier_window(c, s, customer_id, scheme, u.at, &w);
  if(rc || !u.set)
    return rc;
  qu = crm__tier_qualify(s, &w);
  f = crm__tier_index(s, u.before.tier);
  if(qu >= cur || f >= cur) /* (f >= cur: the levels were reordered) */
    return 0;
  tr_sums_text(s, &w, sums, sizeof(sums));
  snprintf(reason, sizeof(reason), "upgrade undone: qualifying activity "
           "refunded (%s)", sums);
  if(qu > f) {
    /* the upgrade's window still reaches a level above the one before:
     * down to it, a new term, still undone the same way */
    memset(&next, 0, sizeof(next));
    memcpy(next.tier, s->tiers[qu].name, sizeof(next.tier));
    next.since = as_of;
    next.review_at = tr_review(s, qu, as_of);
    u.review = next.review_at;
    rc = tr_change(c, s, customer_id, scheme, a, &next, as_of, reason, &u,
                   NULL);
    return rc ? rc : 1;
  }
  /* back to the state before the upgrade, with that state's own undo;
   * a review that fell due in the meantime runs now */
  memset(&prev, 0, sizeof(prev));
  if(u.prev)
    rc = tr_undo_read(c, customer_id, scheme, u.prev, NULL, 0, &prev);
  if(!rc)
    rc = tr_change(c, s, customer_id, scheme, a, &u.before, as_of, reason,
                   &prev, NULL);
  while(!rc && a->review_at && a->review_at <= as_of)
    rc = tr_review_step(c, s, customer_id, scheme, a, NULL);
  return rc ? rc : 1;
}

/* Undoes refunded upgrades, as many as there are unconfirmed ones (each
 * step lands lower; the bound is a guard). */
static int tr_undo_run(crm *c, const crm__scheme *s, int64_t customer_id,
                       const char *scheme, crm__tier_acct *a, int64_t as_of,
                       int q_now)
{
  size_t n;
  int rc = 1;

  for(n = 0; rc == 1 && n <= 2 * s->n_tiers; n++)
    rc = tr_undo_step(c, s, customer_id, scheme, a, as_of, q_now);
  return rc < 0 ? rc : CRM_OK;
}

int crm__tier_check(crm *c, const crm__scheme *s, int64_t customer_id,
                    const char *scheme, int64_t as_of)
{
  char reason[256];
  crm__tier_sums w;
  crm__tier_acct a;
  int found;
  int cur, q, k;
  int rc;

  if(!s->n_tiers)
    return CRM_OK;
  rc = crm__tier_read(c, customer_id, scheme, &a, &found);
  if(!rc && !found) {
    rc = crm__account_ensure(c, customer_id, scheme, s, as_of);
    if(!rc)
      rc = crm__tier_read(c, customer_id, scheme, &a, &found);
  }
  if(!rc)
    rc = crm__tier_window(c, s, customer_id, scheme, as_of, &w);
  if(rc)
    return rc;
  q = crm__tier_qualify(s, &w);
  rc = tr_undo_run(c, s, customer_id, scheme, &a, as_of, q);
  if(rc)
    return rc;
  cur = crm__tier_index(s, a.tier);
  if(q > cur) {
    k = q > 0 ? tr_met(&s->tiers[q], &w) : -1;
    if(k >= 0)
      snprintf(reason, sizeof(reason), "qualified on %s: %lld of %lld in "
               "%d days", tr_criteria[k], (long long)w.v[k],
               (long long)tr_threshold(&s->tiers[q], k),
               s->tier_window_days);
    else
      snprintf(reason, sizeof(reason), "tier \"%s\" is not in the scheme",
               a.tier);
    return tr_move(c, s, customer_id, scheme, &a, q, as_of, reason, NULL);
  }
  if(a.grace_until && q >= cur) {
    /* requalified during the grace: kept, reviewed a full term later */
    a.grace_until = 0;
    a.review_at = tr_review(s, cur, as_of);
    return tr_write(c, customer_id, scheme, &a);
  }
  return CRM_OK;
}

int crm__tier_multiplier(crm *c, const crm__scheme *s, int64_t customer_id,
                         const char *scheme, double *mult, char *tier,
                         size_t tier_size)
{
  crm__tier_acct a;
  int found = 0;
  int lv = 0;
  int rc;

  *mult = 1.0;
  if(tier && tier_size)
    tier[0] = '\0';
  if(!s->n_tiers)
    return CRM_OK;
  rc = crm__tier_read(c, customer_id, scheme, &a, &found);
  if(rc)
    return rc;
  if(found)
    lv = crm__tier_index(s, a.tier);
  if(lv < 0)
    lv = 0;
  *mult = s->tiers[lv].multiplier;
  if(tier && tier_size)
    snprintf(tier, tier_size, "%s", s->tiers[lv].name);
  return CRM_OK;
}

/* ---- reviews ------------------------------------------------------------ */

/* One due step at T = a->review_at. */
static int tr_review_step(crm *c, const crm__scheme *s, int64_t customer_id,
                          const char *scheme, crm__tier_acct *a,
                          crm_due_stats *stats)
{
  char sums[160];
  char reason[256];
  int64_t t = a->review_at;
  int in_grace = a->grace_until != 0;
  crm__tier_sums w;
  int cur = crm__tier_index(s, a->tier);
  int q;
  int rc = crm__tier_window(c, s, customer_id, scheme, t, &w);

  if(rc)
    return rc;
  if(stats)
    stats->tier_reviews++;
  q = crm__tier_qualify(s, &w);
  tr_sums_text(s, &w, sums, sizeof(sums));
  if(cur >= 0 && q == cur) {
    a->grace_until = 0;
    a->review_at = tr_review(s, cur, t);
    return tr_write(c, customer_id, scheme, a);
  }
  if(q > cur) {
    snprintf(reason, sizeof(reason), "review: qualifies for \"%s\" (%s)",
             s->tiers[q].name, sums);
    return tr_move(c, s, customer_id, scheme, a, q, t, reason, stats);
  }
  if(!in_grace && s->tier_grace_days > 0) {
    a->grace_until = t + (int64_t)s->tier_grace_days * 86400;
    a->review_at = a->grace_until;
    return tr_write(c, customer_id, scheme, a);
  }
  snprintf(reason, sizeof(reason), "%s: not requalified (%s)",
           in_grace ? "grace ended" : "review", sums);
  return tr_move(c, s, customer_id, scheme, a, q, t, reason, stats);
}

/* Every step due by as_of for one account (schemes not loaded wait). */
static int tr_due_account(crm *c, int64_t customer_id, const char *scheme,
                          int64_t as_of, crm_due_stats *stats)
{
  crm__component *k = crm__component_find(c, CRM_KIND_REWARD, scheme);
  const crm__scheme *s = k ? crm__scheme_of(k) : NULL;
  crm__tier_acct a;
  int found = 0;
  int rc;

  if(!s)
    return CRM_OK;
  rc = crm__tier_read(c, customer_id, scheme, &a, &found);
  if(!rc && found && !s->n_tiers) {
    a.review_at = 0; /* the scheme dropped its tiers */
    a.grace_until = 0;
    return tr_write(c, customer_id, scheme, &a);
  }
  while(!rc && found && a.review_at && a.review_at <= as_of)
    rc = tr_review_step(c, s, customer_id, scheme, &a, stats);
  return rc;
}

typedef struct tr_cursor {
  int64_t review_at;
  int64_t customer_id;
  char scheme[CRM__SCHEME_NAME_MAX + 1];
} tr_cursor;

/* The next due account after cur; *more = 0 when none is left. */
static int tr_due_next(crm *c, int64_t customer_id, int64_t as_of,
                       tr_cursor *cur, int *more)
{
  sqlite3_stmt *st = crm__stmt(c, customer_id ? tr_sql_due_one
                                              : tr_sql_due_all);
  int rc;

  *more = 0;
  if(!st)
    return c->errcode;
  if(customer_id) {
    sqlite3_bind_int64(st, 1, customer_id);
    sqlite3_bind_int64(st, 2, as_of);
    sqlite3_bind_text(st, 3, cur->scheme, -1, SQLITE_TRANSIENT);
  } else {
    sqlite3_bind_int64(st, 1, as_of);
    sqlite3_bind_int64(st, 2, cur->review_at);
    sqlite3_bind_int64(st, 3, cur->customer_id);
    sqlite3_bind_text(st, 4, cur->scheme, -1, SQLITE_TRANSIENT);
  }
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW) {
    *more = 1;
    cur->customer_id = sqlite3_column_int64(st, 0);
    crm__col_text(st, 1, cur->scheme, sizeof(cur->scheme));
    cur->review_at = sqlite3_column_int64(st, 2);
  }
  sqlite3_reset(st);
  if(rc != SQLITE_ROW && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "finding due tier reviews");
  return CRM_OK;
}

int crm__tier_due(crm *c, int64_t customer_id, int64_t as_of,
                  crm_due_stats *stats)
{
  tr_cursor cur;
  int more = 1;
  int rc;

  memset(&cur, 0, sizeof(cur));
  cur.review_at = INT64_MIN;
  for(;;) {
    rc = tr_due_next(c, customer_id, as_of, &cur, &more);
    if(rc || !more)
      return rc;
    rc = tr_due_account(c, cur.customer_id, cur.scheme, as_of, stats);
    if(rc)
      return rc;
  }
}
