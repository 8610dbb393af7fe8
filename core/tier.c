/*
 * tier.c - tiers of a reward scheme: activity records, qualification,
 * upgrades, reviews, grace periods and downgrades, tier events.
 *
 * Qualification looks at the rolling window [t - window_days, t] of the
 * customer's points_activity rows (base points, credits, count, spend),
 * never at the balance. Levels are ascending, the first is the base; a
 * level qualifies when any of its non-zero thresholds is met.
 *
 *   - an upgrade happens at once (crm__tier_check after the activity);
 *     the tier is then kept until review_at = t + review_days;
 *   - at review_at (crm__tier_due, evaluated at that instant): still
 *     qualifying -> review_at += review_days; not -> with grace_days a
 *     grace period until review_at + grace_days (review_at moves there),
 *     without it a downgrade at once to the qualifying level;
 *   - at the end of the grace: downgrade to the qualifying level (review
 *     review_days later, none at the base); an event that qualifies
 *     during the grace ends it (review_at = t + review_days).
 *
 * Every change writes a tier_changes row and records a core event
 * "tier_changed" {"scheme","from","to","reason"} under the key
 * "core:tier:<scheme>:<customer>:<n>" (n = the change's number).
 * Due reviews are found through the accounts_review index (global) or
 * among the customer's own accounts only.
 */
#include <stdio.h>
#include <string.h>

#include "points_int.h"

#define TR_NAME 33

typedef struct tr_acct {
  char tier[TR_NAME];
  int64_t since;
  int64_t review_at;   /* 0: none */
  int64_t grace_until; /* 0: none */
} tr_acct;

/* Qualifying sums over a window: points, credits, count, spend. */
typedef struct tr_sums {
  int64_t v[4];
} tr_sums;

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
  " WHERE customer_id = ?1 AND scheme = ?2 AND at >= ?3 AND at <= ?4";
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
  "SELECT json_object('scheme', ?1, 'from', ?2, 'to', ?3, 'reason', ?4)";
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
static const char tr_sql_customer[] =
  "SELECT 1 FROM customers WHERE id = ?1";
static const char tr_sql_history[] =
  "SELECT id, customer_id, scheme, from_tier, to_tier, at, reason,"
  " coalesce(event_id, 0) FROM tier_changes WHERE customer_id = ?1"
  " AND (?2 IS NULL OR scheme = ?2) ORDER BY id";

/* ---- small pieces ------------------------------------------------------- */

/* The level's index, -1 when the scheme has no such level. */
static int tr_level(const crm__scheme *s, const char *name)
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
static int tr_met(const crm__tier_level *l, const tr_sums *w)
{
  int k;

  for(k = 0; k < 4; k++) {
    if(tr_threshold(l, k) > 0 && w->v[k] >= tr_threshold(l, k))
      return k;
  }
  return -1;
}

/* The highest level the sums qualify for (0: the base). */
static int tr_qualify(const crm__scheme *s, const tr_sums *w)
{
  int best = 0;
  size_t i;

  for(i = 1; i < s->n_tiers; i++) {
    if(tr_met(&s->tiers[i], w) >= 0)
      best = (int)i;
  }
  return best;
}

static int tr_read(crm *c, int64_t customer_id, const char *scheme,
                   tr_acct *a, int *found)
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
                    const tr_acct *a)
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

/* Sums over [t - window_days, t]. */
static int tr_window(crm *c, const crm__scheme *s, int64_t customer_id,
                     const char *scheme, int64_t t, tr_sums *w)
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

static void tr_sums_text(const crm__scheme *s, const tr_sums *w, char *buf,
                         size_t size)
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

static int tr_payload(crm *c, const char *scheme, const char *from,
                      const char *to, const char *reason, char *buf,
                      size_t size)
{
  sqlite3_stmt *st = crm__stmt(c, tr_sql_payload);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, scheme, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW)
    crm__col_text(st, 0, buf, size);
  sqlite3_reset(st);
  if(rc != SQLITE_ROW)
    return crm__sqlerr(c, rc, "building a tier event");
  return CRM_OK;
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

/* Moves the account from a->tier to level `to` at `at` (a is updated
 * and written) and records the change. */
static int tr_change(crm *c, const crm__scheme *s, int64_t customer_id,
                     const char *scheme, tr_acct *a, int to, int64_t at,
                     int64_t review_at, const char *reason,
                     crm_due_stats *stats)
{
  char payload[1024];
  char key[256];
  char from[TR_NAME];
  int64_t n = 0;
  int64_t event_id = 0;
  int rc;

  memcpy(from, a->tier, sizeof(from));
  rc = tr_count(c, tr_sql_changes_n, customer_id, scheme, &n);
  if(!rc)
    rc = tr_payload(c, scheme, from, s->tiers[to].name, reason, payload,
                    sizeof(payload));
  if(rc)
    return rc;
  snprintf(key, sizeof(key), "core:tier:%s:%lld:%lld", scheme,
           (long long)customer_id, (long long)(n + 1));
  rc = crm__event_record(c, customer_id, "tier_changed", payload, key, at,
                         &event_id);
  if(rc < 0)
    return rc;
  rc = tr_change_row(c, customer_id, scheme, from, s->tiers[to].name, at,
                     reason, event_id);
  if(rc)
    return rc;
  memcpy(a->tier, s->tiers[to].name, sizeof(a->tier));
  a->since = at;
  a->review_at = review_at;
  a->grace_until = 0;
  if(stats)
    stats->tier_changes++;
  return tr_write(c, customer_id, scheme, a);
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

static int64_t tr_review(const crm__scheme *s, int level, int64_t t)
{
  return level > 0 ? t + (int64_t)s->tier_review_days * 86400 : 0;
}

int crm__tier_check(crm *c, const crm__scheme *s, int64_t customer_id,
                    const char *scheme, int64_t as_of)
{
  char reason[256];
  tr_sums w;
  tr_acct a;
  int found;
  int cur, q, k;
  int rc;

  if(!s->n_tiers)
    return CRM_OK;
  rc = tr_read(c, customer_id, scheme, &a, &found);
  if(!rc && !found) {
    rc = crm__account_ensure(c, customer_id, scheme, s, as_of);
    if(!rc)
      rc = tr_read(c, customer_id, scheme, &a, &found);
  }
  if(!rc)
    rc = tr_window(c, s, customer_id, scheme, as_of, &w);
  if(rc)
    return rc;
  cur = tr_level(s, a.tier);
  q = tr_qualify(s, &w);
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
    return tr_change(c, s, customer_id, scheme, &a, q, as_of,
                     tr_review(s, q, as_of), reason, NULL);
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
  tr_acct a;
  int found = 0;
  int lv = 0;
  int rc;

  *mult = 1.0;
  if(tier && tier_size)
    tier[0] = '\0';
  if(!s->n_tiers)
    return CRM_OK;
  rc = tr_read(c, customer_id, scheme, &a, &found);
  if(rc)
    return rc;
  if(found)
    lv = tr_level(s, a.tier);
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
                          const char *scheme, tr_acct *a,
                          crm_due_stats *stats)
{
  char sums[160];
  char reason[256];
  int64_t t = a->review_at;
  int in_grace = a->grace_until != 0;
  tr_sums w;
  int cur = tr_level(s, a->tier);
  int q;
  int rc = tr_window(c, s, customer_id, scheme, t, &w);

  if(rc)
    return rc;
  if(stats)
    stats->tier_reviews++;
  q = tr_qualify(s, &w);
  tr_sums_text(s, &w, sums, sizeof(sums));
  if(cur >= 0 && q == cur) {
    a->grace_until = 0;
    a->review_at = tr_review(s, cur, t);
    return tr_write(c, customer_id, scheme, a);
  }
  if(q > cur) {
    snprintf(reason, sizeof(reason), "review: qualifies for \"%s\" (%s)",
             s->tiers[q].name, sums);
    return tr_change(c, s, customer_id, scheme, a, q, t, tr_review(s, q, t),
                     reason, stats);
  }
  if(!in_grace && s->tier_grace_days > 0) {
    a->grace_until = t + (int64_t)s->tier_grace_days * 86400;
    a->review_at = a->grace_until;
    return tr_write(c, customer_id, scheme, a);
  }
  snprintf(reason, sizeof(reason), "%s: not requalified (%s)",
           in_grace ? "grace ended" : "review", sums);
  return tr_change(c, s, customer_id, scheme, a, q, t, tr_review(s, q, t),
                   reason, stats);
}

/* Every step due by as_of for one account (schemes not loaded wait). */
static int tr_due_account(crm *c, int64_t customer_id, const char *scheme,
                          int64_t as_of, crm_due_stats *stats)
{
  crm__component *k = crm__component_find(c, CRM_KIND_REWARD, scheme);
  const crm__scheme *s = k ? crm__scheme_of(k) : NULL;
  tr_acct a;
  int found = 0;
  int rc;

  if(!s)
    return CRM_OK;
  rc = tr_read(c, customer_id, scheme, &a, &found);
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

/* ---- public reads ------------------------------------------------------- */

static int tr_customer_known(crm *c, int64_t customer_id)
{
  int64_t n = 0;
  int rc = tr_count(c, tr_sql_customer, customer_id, NULL, &n);

  if(rc)
    return rc;
  if(!n)
    return crm__err(c, CRM_ENOTFOUND, "unknown customer #%lld",
                    (long long)customer_id);
  return CRM_OK;
}

static void tr_status_fill(const crm__scheme *s, const tr_acct *a, int found,
                           const tr_sums *w, crm_tier_status *out)
{
  int lv = found ? tr_level(s, a->tier) : 0;
  int q = tr_qualify(s, w);
  int next = (lv < 0 ? 0 : lv) + 1;

  snprintf(out->tier, sizeof(out->tier), "%s",
           found ? a->tier : s->tiers[0].name);
  out->multiplier = lv >= 0 ? s->tiers[lv].multiplier : 1.0;
  if(found) {
    out->since = a->since;
    out->review_at = a->review_at;
    out->grace_until = a->grace_until;
  }
  out->points = w->v[0];
  out->credits = w->v[1];
  out->count = w->v[2];
  out->spend = w->v[3];
  snprintf(out->qualifies_for, sizeof(out->qualifies_for), "%s",
           s->tiers[q].name);
  if((size_t)next >= s->n_tiers)
    return;
  snprintf(out->next_tier, sizeof(out->next_tier), "%s",
           s->tiers[next].name);
  out->next_points = s->tiers[next].points;
  out->next_credits = s->tiers[next].credits;
  out->next_count = s->tiers[next].count;
  out->next_spend = s->tiers[next].spend;
}

int crm_tier_status_get(crm *c, int64_t customer_id, const char *scheme,
                        int64_t as_of, crm_tier_status *out)
{
  crm__component *k = NULL;
  const crm__scheme *s = NULL;
  tr_sums w;
  tr_acct a;
  int found = 0;
  int rc;

  if(!c || !out)
    return CRM_EINVAL;
  crm__clear_err(c);
  memset(out, 0, sizeof(*out));
  rc = crm__scheme_find(c, scheme, &k, &s);
  if(!rc && !s->n_tiers)
    rc = crm__err(c, CRM_ENOTFOUND, "reward scheme \"%s\" has no tiers",
                  k->name);
  if(!rc)
    rc = tr_customer_known(c, customer_id);
  if(rc)
    return rc;
  if(as_of == 0)
    as_of = crm_now(c);
  rc = tr_read(c, customer_id, k->name, &a, &found);
  if(!rc)
    rc = tr_window(c, s, customer_id, k->name, as_of, &w);
  if(rc)
    return rc;
  snprintf(out->scheme, sizeof(out->scheme), "%s", k->name);
  out->window_from = as_of - (int64_t)s->tier_window_days * 86400;
  out->window_to = as_of;
  tr_status_fill(s, &a, found, &w, out);
  return CRM_OK;
}

int crm_tier_history_foreach(crm *c, int64_t customer_id, const char *scheme,
                             int (*cb)(void *ud, const crm_tier_change *),
                             void *ud)
{
  crm_tier_change ch;
  sqlite3_stmt *st;
  int stop = 0;
  int rc;

  if(!c || !cb)
    return CRM_EINVAL;
  crm__clear_err(c);
  st = crm__stmt_fresh(c, tr_sql_history);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  if(scheme)
    sqlite3_bind_text(st, 2, scheme, -1, SQLITE_TRANSIENT);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    memset(&ch, 0, sizeof(ch));
    ch.id = sqlite3_column_int64(st, 0);
    ch.customer_id = sqlite3_column_int64(st, 1);
    ch.scheme = (const char *)sqlite3_column_text(st, 2);
    ch.from_tier = (const char *)sqlite3_column_text(st, 3);
    ch.to_tier = (const char *)sqlite3_column_text(st, 4);
    ch.at = sqlite3_column_int64(st, 5);
    ch.reason = (const char *)sqlite3_column_text(st, 6);
    ch.event_id = sqlite3_column_int64(st, 7);
    stop = cb(ud, &ch);
    if(stop)
      break;
  }
  sqlite3_finalize(st);
  if(!stop && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading tier history");
  return stop;
}
