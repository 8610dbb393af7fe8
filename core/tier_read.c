/*
 * tier_read.c - the public reads of tiers: a customer's tier status in a
 * scheme (crm_tier_status_get) and the tier changes recorded
 * (crm_tier_history_foreach). tier.c makes the changes.
 *
 * The status reads the account's tier state as stored (a review due by
 * as_of but not yet run is not applied) and the qualifying sums of the
 * window (as_of - window_days, as_of] (crm__tier_window), and names the
 * level those sums qualify for and the next level's thresholds. Without
 * an account row the customer is at the scheme's base level. The history
 * walks tier_changes in id order (all schemes when scheme is NULL)
 * through a fresh statement, as walks calling user callbacks do; a
 * non-zero return of the callback stops it and is returned.
 */
#include <stdio.h>
#include <string.h>

#include "points_int.h"

static const char tr_sql_history[] =
  "SELECT id, customer_id, scheme, from_tier, to_tier, at, reason,"
  " coalesce(event_id, 0) FROM tier_changes WHERE customer_id = ?1"
  " AND (?2 IS NULL OR scheme = ?2) ORDER BY id";

static void tr_status_fill(const crm__scheme *s, const crm__tier_acct *a,
                           int found, const crm__tier_sums *w,
                           crm_tier_status *out)
{
  int lv = found ? crm__tier_index(s, a->tier) : 0;
  int q = crm__tier_qualify(s, w);
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
  crm__tier_sums w;
  crm__tier_acct a;
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
    rc = crm__customer_exists(c, customer_id);
  if(rc)
    return rc;
  if(as_of == 0)
    as_of = crm_now(c);
  rc = crm__tier_read(c, customer_id, k->name, &a, &found);
  if(!rc)
    rc = crm__tier_window(c, s, customer_id, k->name, as_of, &w);
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
  crm__stmt_done(c, st);
  if(!stop && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading tier history");
  return stop;
}
