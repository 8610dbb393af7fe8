/*
 * consent.c - what a customer agreed to, per channel: opt-in and opt-out
 * with time and source, do-not-contact with a reason, and reading them.
 *
 * consent holds the current state of each (customer, channel); the
 * channel "*" carries a do-not-contact of every channel, which every
 * channel reports when it has none of its own. consent_history keeps
 * every change, never rewritten. Rules:
 * - an opt-in older than the channel's latest opt-in/opt-out (by the
 *   time the customer said it) only goes to the history; an opt-out
 *   always applies (a "no" is never lost to a late record);
 * - a do-not-contact always applies; clearing one is refused when the
 *   clearing statement is older than the do-not-contact itself.
 * Every check runs before anything is written: bad input changes nothing.
 *
 * The history is walked in the order recorded (a late record of an old
 * statement shows where it arrived; its `at` tells when it was said).
 * History rows are reported through crm_consent as: opt_in/opt_out ->
 * status IN/OUT with source; dnc -> dnc_reason, dnc_note, dnc_at;
 * dnc_clear -> status UNKNOWN, source, no dnc_reason; prefs -> channel
 * NULL, source, the preferences summarised in dnc_note.
 */
#include <stdio.h>
#include <string.h>

#include "consent_int.h"
#include "points_int.h"

static const char crm__sql_consent_latest[] =
  "SELECT max(at) FROM consent_history WHERE customer_id = ?1"
  " AND channel = ?2 AND kind IN ('opt_in', 'opt_out')";
static const char crm__sql_consent_put[] =
  "INSERT INTO consent(customer_id, channel, status, source, at,"
  " updated_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"
  " ON CONFLICT(customer_id, channel) DO UPDATE SET status = ?3,"
  " source = ?4, at = ?5, updated_at = ?6";
static const char crm__sql_dnc_put[] =
  "INSERT INTO consent(customer_id, channel, dnc_reason, dnc_note, dnc_at,"
  " updated_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"
  " ON CONFLICT(customer_id, channel) DO UPDATE SET dnc_reason = ?3,"
  " dnc_note = ?4, dnc_at = ?5, updated_at = ?6";
static const char crm__sql_dnc_clear[] =
  "UPDATE consent SET dnc_reason = NULL, dnc_note = NULL, dnc_at = 0,"
  " updated_at = ?3 WHERE customer_id = ?1 AND channel = ?2";
static const char crm__sql_consent_drop_empty[] =
  "DELETE FROM consent WHERE customer_id = ?1 AND channel = ?2"
  " AND status = 0 AND dnc_reason IS NULL";
static const char crm__sql_consent_row[] =
  "SELECT status, source, at, dnc_reason, dnc_note, dnc_at, updated_at"
  " FROM consent WHERE customer_id = ?1 AND channel = ?2";
static const char crm__sql_consent_current[] =
  "SELECT k.channel, k.status, k.source, k.at,"
  " k.dnc_reason IS NULL AND a.dnc_reason IS NOT NULL,"
  " k.dnc_reason, k.dnc_note, k.dnc_at, a.dnc_reason, a.dnc_note,"
  " a.dnc_at, k.updated_at"
  " FROM consent k LEFT JOIN consent a ON a.customer_id = k.customer_id"
  " AND a.channel = '*' WHERE k.customer_id = ?1 ORDER BY k.channel";
static const char crm__sql_consent_hist_all[] =
  "SELECT channel, kind, status, source, note, at, recorded_at"
  " FROM consent_history WHERE customer_id = ?1 ORDER BY id";

static const char *const crm__dnc_reasons[] = {
  CRM_DNC_UNSUBSCRIBED, CRM_DNC_BOUNCED, CRM_DNC_COMPLAINED, CRM_DNC_MANUAL,
  NULL
};

/* ---- helpers --------------------------------------------------------------- */

static int crm__dnc_reason_check(crm *c, const char *reason)
{
  size_t i;

  for(i = 0; reason && crm__dnc_reasons[i]; i++) {
    if(!strcmp(reason, crm__dnc_reasons[i]))
      return CRM_OK;
  }
  return crm__err(c, CRM_EINVAL, "unknown do-not-contact reason \"%.40s\": "
                  "unsubscribed, bounced, complained or manual",
                  reason ? reason : "");
}

/* Latest time of an opt-in/opt-out of the channel; 0 when none. */
static int crm__consent_latest(crm *c, int64_t cust, const char *channel,
                               int64_t *latest)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_consent_latest);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, cust);
  sqlite3_bind_text(st, 2, channel, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  *latest = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_reset(st);
  if(rc != SQLITE_ROW)
    return crm__sqlerr(c, rc, "reading consent history");
  return CRM_OK;
}

static void crm__bind_text_opt(sqlite3_stmt *st, int col, const char *s)
{
  if(s && *s)
    sqlite3_bind_text(st, col, s, -1, SQLITE_STATIC);
}

/* Finishes an operation: commit, or roll back on error. */
static int crm__consent_end(crm *c, int rc)
{
  if(rc) {
    crm__tx_rollback(c);
    return rc;
  }
  return crm__tx_commit(c);
}

/* ---- opt-in / opt-out --------------------------------------------------------- */

static int crm__consent_apply(crm *c, int64_t cust, const char *channel,
                              int status, const char *source, int64_t at)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_consent_put);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, cust);
  sqlite3_bind_text(st, 2, channel, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 3, status);
  sqlite3_bind_text(st, 4, source, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 5, at);
  sqlite3_bind_int64(st, 6, crm_now(c));
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "writing consent");
  return CRM_OK;
}

int crm_consent_set(crm *c, int64_t customer_id, const char *channel,
                    int status, const char *source, int64_t at)
{
  char detail[CRM__CONSENT_SOURCE_MAX + 160];
  int64_t latest = 0;
  int applies;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__customer_exists(c, customer_id);
  if(!rc)
    rc = crm__consent_check_channel(c, channel, "channel");
  if(!rc && status != CRM_CONSENT_IN && status != CRM_CONSENT_OUT)
    rc = crm__err(c, CRM_EINVAL, "invalid consent status %d: 1 (in) or "
                  "2 (out)", status);
  if(!rc)
    rc = crm__check_text(c, "source", source, CRM__CONSENT_SOURCE_MAX, 1);
  if(!rc)
    rc = crm__consent_time(c, at, &at);
  if(rc)
    return rc;
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  rc = crm__consent_latest(c, customer_id, channel, &latest);
  applies = status == CRM_CONSENT_OUT || at >= latest;
  if(!rc && applies)
    rc = crm__consent_apply(c, customer_id, channel, status, source, at);
  if(!rc)
    rc = crm__consent_history(c, customer_id, channel,
                              status == CRM_CONSENT_IN ? "opt_in"
                                                       : "opt_out",
                              status, source, NULL, at);
  if(!rc) {
    snprintf(detail, sizeof(detail), "%s: %s at %lld (%s)%s", channel,
             status == CRM_CONSENT_IN ? "in" : "out", (long long)at, source,
             applies ? "" : "; older than the latest change: history only");
    rc = crm__consent_audit(c, customer_id, "consent.set", detail);
  }
  return crm__consent_end(c, rc);
}

/* ---- do-not-contact ---------------------------------------------------------- */

int crm_dnc_set(crm *c, int64_t customer_id, const char *channel,
                const char *reason, const char *note, int64_t at)
{
  char detail[CRM__CONSENT_NOTE_MAX + 96];
  sqlite3_stmt *st;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__customer_exists(c, customer_id);
  if(!rc && channel)
    rc = crm__consent_check_channel(c, channel, "channel");
  if(!rc)
    rc = crm__dnc_reason_check(c, reason);
  if(!rc)
    rc = crm__check_text(c, "note", note, CRM__CONSENT_NOTE_MAX, 0);
  if(!rc)
    rc = crm__consent_time(c, at, &at);
  if(rc)
    return rc;
  if(!channel)
    channel = CRM__CONSENT_ALL;
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  st = crm__stmt(c, crm__sql_dnc_put);
  if(!st)
    return crm__consent_end(c, c->errcode);
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, channel, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
  crm__bind_text_opt(st, 4, note);
  sqlite3_bind_int64(st, 5, at);
  sqlite3_bind_int64(st, 6, crm_now(c));
  rc = crm__step_end(c, st, "writing do-not-contact");
  if(!rc)
    rc = crm__consent_history(c, customer_id, channel, "dnc", 0, reason,
                              note, at);
  if(!rc) {
    snprintf(detail, sizeof(detail), "%s: do-not-contact %s at %lld%s%s",
             channel, reason, (long long)at, note && *note ? ": " : "",
             note ? note : "");
    rc = crm__consent_audit(c, customer_id, "consent.dnc", detail);
  }
  return crm__consent_end(c, rc);
}

/* The dnc_at of the channel's do-not-contact; CRM_ENOTFOUND when none. */
static int crm__dnc_current(crm *c, int64_t cust, const char *channel,
                            int64_t *dnc_at)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_consent_row);
  int found = 0;
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, cust);
  sqlite3_bind_text(st, 2, channel, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW) {
    found = sqlite3_column_type(st, 3) != SQLITE_NULL;
    *dnc_at = sqlite3_column_int64(st, 5);
    rc = SQLITE_DONE;
  }
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading consent");
  if(!found)
    return crm__err(c, CRM_ENOTFOUND, "no do-not-contact to clear on %s "
                    "of customer #%lld",
                    strcmp(channel, CRM__CONSENT_ALL) ? channel
                                                      : "all channels",
                    (long long)cust);
  return CRM_OK;
}

static int crm__dnc_lift(crm *c, int64_t cust, const char *channel)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_dnc_clear);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, cust);
  sqlite3_bind_text(st, 2, channel, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, crm_now(c));
  rc = crm__step_end(c, st, "clearing do-not-contact");
  if(rc)
    return rc;
  st = crm__stmt(c, crm__sql_consent_drop_empty);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, cust);
  sqlite3_bind_text(st, 2, channel, -1, SQLITE_STATIC);
  return crm__step_end(c, st, "clearing do-not-contact");
}

int crm_dnc_clear(crm *c, int64_t customer_id, const char *channel,
                  const char *source, int64_t at)
{
  char detail[CRM__CONSENT_SOURCE_MAX + 96];
  int64_t dnc_at = 0;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__customer_exists(c, customer_id);
  if(!rc && channel)
    rc = crm__consent_check_channel(c, channel, "channel");
  if(!rc)
    rc = crm__check_text(c, "source", source, CRM__CONSENT_SOURCE_MAX, 1);
  if(!rc)
    rc = crm__consent_time(c, at, &at);
  if(!channel)
    channel = CRM__CONSENT_ALL;
  if(!rc)
    rc = crm__dnc_current(c, customer_id, channel, &dnc_at);
  if(!rc && at < dnc_at)
    rc = crm__err(c, CRM_EINVAL, "clearing older than the do-not-contact: "
                  "%lld is before %lld", (long long)at, (long long)dnc_at);
  if(rc)
    return rc;
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  rc = crm__dnc_lift(c, customer_id, channel);
  if(!rc)
    rc = crm__consent_history(c, customer_id, channel, "dnc_clear", 0,
                              source, NULL, at);
  if(!rc) {
    snprintf(detail, sizeof(detail), "%s: do-not-contact cleared at %lld "
             "(%s)", channel, (long long)at, source);
    rc = crm__consent_audit(c, customer_id, "consent.dnc_clear", detail);
  }
  return crm__consent_end(c, rc);
}

/* ---- reading ------------------------------------------------------------------ */

static const char *crm__col_str(sqlite3_stmt *st, int col)
{
  return (const char *)sqlite3_column_text(st, col);
}

/* Copies the row of (cust, channel) into out/buffers; *found = 0 if none.
 * dnc_only: take only the do-not-contact columns. */
static int crm__consent_read(crm *c, int64_t cust, const char *channel,
                             crm_consent *out, int dnc_only, int *found)
{
  struct crm__consent_buf *b = &c->consent_buf;
  sqlite3_stmt *st = crm__stmt(c, crm__sql_consent_row);
  int rc;

  *found = 0;
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, cust);
  sqlite3_bind_text(st, 2, channel, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW) {
    *found = 1;
    if(!dnc_only) {
      out->status = sqlite3_column_int(st, 0);
      if(sqlite3_column_type(st, 1) != SQLITE_NULL) {
        crm__col_text(st, 1, b->source, sizeof(b->source));
        out->source = b->source;
      }
      out->at = sqlite3_column_int64(st, 2);
      out->recorded_at = sqlite3_column_int64(st, 6);
    }
    if(sqlite3_column_type(st, 3) != SQLITE_NULL) {
      crm__col_text(st, 3, b->dnc_reason, sizeof(b->dnc_reason));
      out->dnc_reason = b->dnc_reason;
      out->dnc_note = NULL;
      if(sqlite3_column_type(st, 4) != SQLITE_NULL) {
        crm__col_text(st, 4, b->dnc_note, sizeof(b->dnc_note));
        out->dnc_note = b->dnc_note;
      }
      out->dnc_at = sqlite3_column_int64(st, 5);
    }
    rc = SQLITE_DONE;
  }
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading consent");
  return CRM_OK;
}

int crm_consent_get(crm *c, int64_t customer_id, const char *channel,
                    crm_consent *out)
{
  struct crm__consent_buf *b = &c->consent_buf;
  int found;
  int rc;

  if(!c || !out)
    return CRM_EINVAL;
  crm__clear_err(c);
  memset(out, 0, sizeof(*out));
  rc = crm__customer_exists(c, customer_id);
  if(!rc && (!channel || strcmp(channel, CRM__CONSENT_ALL)))
    rc = crm__consent_check_channel(c, channel, "channel");
  if(rc)
    return rc;
  snprintf(b->channel, sizeof(b->channel), "%s", channel);
  out->customer_id = customer_id;
  out->channel = b->channel;
  rc = crm__consent_read(c, customer_id, channel, out, 0, &found);
  if(!rc && !out->dnc_reason && strcmp(channel, CRM__CONSENT_ALL))
    rc = crm__consent_read(c, customer_id, CRM__CONSENT_ALL, out, 1, &found);
  return rc;
}

static void crm__consent_current_row(sqlite3_stmt *st, crm_consent *k)
{
  int all = sqlite3_column_int(st, 4);

  k->channel = crm__col_str(st, 0);
  k->status = sqlite3_column_int(st, 1);
  k->source = crm__col_str(st, 2);
  k->at = sqlite3_column_int64(st, 3);
  k->dnc_reason = crm__col_str(st, all ? 8 : 5);
  k->dnc_note = crm__col_str(st, all ? 9 : 6);
  k->dnc_at = sqlite3_column_int64(st, all ? 10 : 7);
  k->recorded_at = sqlite3_column_int64(st, 11);
}

static void crm__consent_history_row(sqlite3_stmt *st, crm_consent *k)
{
  const char *kind = crm__col_str(st, 1);

  k->channel = crm__col_str(st, 0);
  k->status = sqlite3_column_int(st, 2);
  k->at = sqlite3_column_int64(st, 5);
  k->recorded_at = sqlite3_column_int64(st, 6);
  if(kind && !strcmp(kind, "dnc")) {
    k->dnc_reason = crm__col_str(st, 3);
    k->dnc_note = crm__col_str(st, 4);
    k->dnc_at = k->at;
    return;
  }
  k->source = crm__col_str(st, 3);
  if(kind && !strcmp(kind, "prefs"))
    k->dnc_note = crm__col_str(st, 4);
}

int crm_consent_foreach(crm *c, int64_t customer_id, int history,
                        int (*cb)(void *ud, const crm_consent *), void *ud)
{
  sqlite3_stmt *st;
  crm_consent k;
  int rc;
  int stop = 0;

  if(!c || !cb)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__customer_exists(c, customer_id);
  if(rc)
    return rc;
  st = crm__stmt_fresh(c, history ? crm__sql_consent_hist_all
                                  : crm__sql_consent_current);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    memset(&k, 0, sizeof(k));
    k.customer_id = customer_id;
    if(history)
      crm__consent_history_row(st, &k);
    else
      crm__consent_current_row(st, &k);
    stop = cb(ud, &k);
    if(stop)
      break;
  }
  crm__stmt_done(c, st);
  if(stop)
    return stop;
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading consent");
  return CRM_OK;
}
