/*
 * outbox_pace.c - each channel's pace (channel_state): the next free
 * slot at the channel's rate in messages per second, the slow-down after
 * a provider's rate-limit answer and the way back up; crm_channel_foreach.
 *
 * Times are milliseconds on crm__ob_now_ms's clock: the fixed clock of
 * crm_set_now in seconds times 1000 (tests), else CLOCK_REALTIME.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "outbox_int.h"

#define CRM__OB_UNLIMITED_RATE 10.0 /* what "unlimited" is halved from */
#define CRM__OB_MIN_RATE 0.01
#define CRM__OB_RECOVER_AFTER 10    /* successes before the rate doubles */

static const char crm__sql_chan_get[] =
  "SELECT next_slot_ms, current_rate, slowed_until, ok_streak"
  " FROM channel_state WHERE channel = ?1";
static const char crm__sql_chan_put[] =
  "INSERT INTO channel_state(channel, next_slot_ms, current_rate,"
  " slowed_until, ok_streak, updated_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"
  " ON CONFLICT(channel) DO UPDATE SET next_slot_ms = excluded.next_slot_ms,"
  " current_rate = excluded.current_rate,"
  " slowed_until = excluded.slowed_until, ok_streak = excluded.ok_streak,"
  " updated_at = excluded.updated_at";
static const char crm__sql_chan_queued[] =
  "SELECT count(*) FROM messages"
  " WHERE status IN ('queued', 'failed', 'sending') AND status <> 'sending'"
  " AND channel = ?1";

int64_t crm__ob_now_ms(crm *c)
{
  struct timespec ts;

  if(c->fixed_now)
    return c->fixed_now * 1000;
  if(clock_gettime(CLOCK_REALTIME, &ts) != 0)
    return crm_now(c) * 1000;
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int crm__ob_chan_get(crm *c, const char *channel, crm__ob_chan *out)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_chan_get);
  int rc;

  memset(out, 0, sizeof(*out));
  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW) {
    out->found = 1;
    out->next_slot_ms = sqlite3_column_int64(st, 0);
    out->current_rate = sqlite3_column_double(st, 1);
    out->slowed_until = sqlite3_column_int64(st, 2);
    out->ok_streak = sqlite3_column_int64(st, 3);
    rc = SQLITE_DONE;
  }
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading channel state");
  return CRM_OK;
}

static int crm__ob_chan_put(crm *c, const char *channel,
                            const crm__ob_chan *ch)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_chan_put);

  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, ch->next_slot_ms);
  if(ch->current_rate > 0)
    sqlite3_bind_double(st, 3, ch->current_rate);
  sqlite3_bind_int64(st, 4, ch->slowed_until);
  sqlite3_bind_int64(st, 5, ch->ok_streak);
  sqlite3_bind_int64(st, 6, crm_now(c));
  return crm__step_end(c, st, "writing channel state");
}

int crm__ob_pace_take(crm *c, const crm__route *r, int64_t now_ms,
                      int64_t *wait_ms)
{
  crm__ob_chan ch;
  double rate;
  int64_t interval;
  int rc;

  *wait_ms = 0;
  rc = crm__ob_chan_get(c, r->name, &ch);
  if(rc)
    return rc;
  if(ch.slowed_until * 1000 > now_ms) {
    *wait_ms = ch.slowed_until * 1000 - now_ms;
    return CRM_OK;
  }
  rate = ch.current_rate > 0 ? ch.current_rate : r->rate;
  if(rate <= 0)
    return CRM_OK; /* unlimited */
  interval = (int64_t)llround(1000.0 / rate);
  if(interval < 1)
    interval = 1;
  /* A slot is taken at most one interval ahead (two across a doubling of
   * the rate); further ahead, the wall clock stepped back since: the slot
   * has come rather than idle the channel for the size of the step. */
  if(ch.next_slot_ms > now_ms && ch.next_slot_ms - now_ms <= 2 * interval) {
    *wait_ms = ch.next_slot_ms - now_ms;
    return CRM_OK;
  }
  ch.next_slot_ms = now_ms + interval;
  return crm__ob_chan_put(c, r->name, &ch);
}

int crm__ob_pace_ok(crm *c, const crm__route *r)
{
  crm__ob_chan ch;
  double cap = r->rate > 0 ? r->rate : CRM__OB_UNLIMITED_RATE;
  char detail[160];
  int rc;

  rc = crm__ob_chan_get(c, r->name, &ch);
  if(rc || !ch.found || ch.current_rate <= 0)
    return rc; /* not slowed: nothing to recover */
  ch.ok_streak++;
  if(ch.ok_streak >= CRM__OB_RECOVER_AFTER) {
    ch.current_rate *= 2;
    if(ch.current_rate >= cap)
      ch.current_rate = 0; /* back to the configured rate */
    ch.ok_streak = 0;
    if(ch.current_rate > 0)
      snprintf(detail, sizeof(detail), "rate up to %g/s after %d successes",
               ch.current_rate, CRM__OB_RECOVER_AFTER);
    else
      snprintf(detail, sizeof(detail), "rate back to the configured one "
               "after %d successes", CRM__OB_RECOVER_AFTER);
    rc = crm__audit(c, "core", "channel.recover", r->name, detail);
    if(rc)
      return rc;
  }
  return crm__ob_chan_put(c, r->name, &ch);
}

int crm__ob_pace_slow(crm *c, const crm__route *r, int64_t retry_after_ms,
                      int64_t *until)
{
  const crm__comm_cfg *cc = crm__comm(c);
  crm__ob_chan ch;
  double base;
  int64_t end;
  char detail[160];
  int rc;

  rc = crm__ob_chan_get(c, r->name, &ch);
  if(rc)
    return rc;
  if(ch.current_rate > 0)
    base = ch.current_rate;
  else
    base = r->rate > 0 ? r->rate : CRM__OB_UNLIMITED_RATE;
  /* halved, not below the floor, nor above a rate already under it */
  ch.current_rate = base / 2;
  if(ch.current_rate < CRM__OB_MIN_RATE)
    ch.current_rate = base < CRM__OB_MIN_RATE ? base : CRM__OB_MIN_RATE;
  end = crm_now(c) + (retry_after_ms > 0 ? (retry_after_ms + 999) / 1000
                                         : cc->backoff_base);
  if(end > ch.slowed_until)
    ch.slowed_until = end;
  ch.ok_streak = 0;
  *until = ch.slowed_until;
  rc = crm__ob_chan_put(c, r->name, &ch);
  if(!rc) {
    snprintf(detail, sizeof(detail), "rate limited: %g/s, paused until "
             "%lld", ch.current_rate, (long long)ch.slowed_until);
    rc = crm__audit(c, "core", "channel.slow", r->name, detail);
  }
  return rc;
}

/* ---- crm_channel_foreach ------------------------------------------------- */

static int crm__ob_chan_report(crm *c, const char *channel,
                               const char *component, double rate,
                               crm_channel_status *s)
{
  crm__ob_chan ch;
  sqlite3_stmt *st;
  int64_t n = 0;
  int rc;

  rc = crm__ob_chan_get(c, channel, &ch);
  if(rc)
    return rc;
  st = crm__stmt(c, crm__sql_chan_queued);
  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
  rc = crm__step_row(c, st, &n, 1, "counting queued messages");
  if(rc)
    return rc;
  memset(s, 0, sizeof(*s));
  s->channel = channel;
  s->component = component;
  s->rate = rate;
  s->current_rate = ch.current_rate > 0 ? ch.current_rate : rate;
  s->slowed_until = ch.slowed_until > crm_now(c) ? ch.slowed_until : 0;
  s->queued = n;
  return CRM_OK;
}

int crm_channel_foreach(crm *c,
                        int (*cb)(void *ud, const crm_channel_status *s),
                        void *ud)
{
  const crm__comm_cfg *cc;
  crm_channel_status s;
  size_t i;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(!cb)
    return crm__err(c, CRM_EINVAL, "no callback given");
  cc = crm__comm(c);
  for(i = 0; i < cc->n_routes; i++) {
    const crm__route *r = &cc->routes[i];

    rc = crm__ob_chan_report(c, r->name, r->component, r->rate, &s);
    if(!rc)
      rc = cb(ud, &s);
    if(rc)
      return rc;
  }
  if(cc->n_routes)
    return CRM_OK;
  /* no routes: each channel component is a channel of its own name */
  for(i = 0; i < c->n_comps; i++) {
    const crm__component *k = &c->comps[i];

    if(k->kind != CRM_KIND_CHANNEL)
      continue;
    rc = crm__ob_chan_report(c, k->name, k->name, 0, &s);
    if(!rc)
      rc = cb(ud, &s);
    if(rc)
      return rc;
  }
  return CRM_OK;
}
