/*
 * outbox_send.c - one attempt of one message: the claim (committed before
 * the channel is called), the call with the message's idempotency key,
 * and the provider's answer recorded in a second transaction:
 *
 *   SENT          sent, provider_ref, sent_at; the channel's success count
 *   TEMPORARY     failed, next_at by exponential backoff with jitter; dead
 *                 once the attempts reach max_attempts
 *   PERMANENT     dead, the address marked bad
 *   REJECTED      dead, the address not blamed
 *   RATE_LIMITED  the attempt does not count; the channel slows down and
 *                 the message waits for the end of the slow-down
 *
 * A process that dies between the claim and the answer leaves the row
 * "sending" with its claim (host/pid namespace:pid, until); outbox_run.c takes it over
 * and attempts it again with the same idempotency key.
 */
#define _POSIX_C_SOURCE 200809L /* gethostname, clock_gettime, nanosleep */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "outbox_int.h"

static const char crm__sql_ob_claim[] =
  "UPDATE messages SET status = 'sending', attempts = attempts + 1,"
  " claimed_by = ?2, claim_until = ?3, address = ?4, hold_reason = NULL,"
  " updated_at = ?5 WHERE id = ?1 AND status IN ('queued', 'failed')"
  " AND (next_at <= ?5 OR ?6)";
static const char crm__sql_ob_note[] =
  "UPDATE messages SET hold_reason = ?2, updated_at = ?3"
  " WHERE id = ?1 AND status IN ('queued', 'failed')";
static const char crm__sql_ob_sent[] =
  "UPDATE messages SET status = 'sent', provider_ref = ?3, sent_at = ?4,"
  " error = NULL, error_class = NULL, claimed_by = NULL, claim_until = NULL,"
  " updated_at = ?4 WHERE id = ?1 AND status = 'sending' AND claimed_by = ?2";
static const char crm__sql_ob_unsent[] =
  "UPDATE messages SET status = ?3, next_at = ?4, error = ?5,"
  " error_class = ?6, hold_reason = ?7, attempts = attempts - ?8,"
  " claimed_by = NULL, claim_until = NULL, updated_at = ?9"
  " WHERE id = ?1 AND status = 'sending' AND claimed_by = ?2";
static const char crm__sql_ob_ours[] =
  "SELECT 1 FROM messages WHERE id = ?1 AND status = 'sending'"
  " AND claimed_by = ?2";
static const char crm__sql_ob_gate[] =
  "UPDATE messages SET status = ?2, next_at = ?3, error = ?4,"
  " error_class = ?5, hold_reason = ?6, address = ?7, updated_at = ?8"
  " WHERE id = ?1 AND status IN ('queued', 'failed')";

/* "<host>/<pid namespace>:<pid>": a crashed claimer is recognised by
 * its pid only from the same host AND the same pid namespace (two
 * containers sharing a host name see each other's pids as gone). The
 * namespace is the inode of /proc/self/ns/pid ("pid:[4026531836]"), "-"
 * where there is none. */
void crm__ob_claimer(char *buf, size_t size)
{
  char host[256];
  char ns[64];
  const char *open_b, *close_b;
  ssize_t n;

  if(gethostname(host, sizeof(host)) != 0)
    snprintf(host, sizeof(host), "localhost");
  host[sizeof(host) - 1] = '\0';
  n = readlink("/proc/self/ns/pid", ns, sizeof(ns) - 1);
  ns[n > 0 ? n : 0] = '\0';
  open_b = strchr(ns, '[');
  close_b = open_b ? strchr(open_b, ']') : NULL;
  if(!open_b || !close_b)
    snprintf(buf, size, "%s/-:%ld", host, (long)getpid());
  else
    snprintf(buf, size, "%s/%.*s:%ld", host, (int)(close_b - open_b - 1),
             open_b + 1, (long)getpid());
}

static const char *crm__ob_class_name(int outcome)
{
  switch(outcome) {
  case CRM_SEND_TEMPORARY: return "temporary";
  case CRM_SEND_PERMANENT: return "permanent";
  case CRM_SEND_RATE_LIMITED: return "rate_limited";
  case CRM_SEND_REJECTED: return "rejected";
  default: return "sent";
  }
}

static void crm__ob_sleep_ms(int64_t ms)
{
  struct timespec ts;

  ts.tv_sec = (time_t)(ms / 1000);
  ts.tv_nsec = (long)(ms % 1000) * 1000000L;
  while(nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

/* Notes why a message waits on a queued row. */
static int crm__ob_note(crm *c, int64_t id, const char *why)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_ob_note);

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, why, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, crm_now(c));
  return crm__step_end(c, st, "noting why a message waits");
}

int crm__ob_wait_note(crm *c, crm__ob_job *job, const char *why)
{
  job->outcome = CRM__OB_DEFERRED;
  if(job->m.hold_reason && !strcmp(job->m.hold_reason, why))
    return CRM_OK;
  return crm__ob_note(c, job->m.id, why);
}

/* A message the channel's pace left for later: slowed down by a rate
 * limit (until slowed_until), or paced (its next slot is wait_ms away);
 * the row says why. Its due time stays: the run that finds the channel
 * free again takes the messages in their due order. */
static int crm__ob_slowed_note(crm *c, crm__ob_job *job, int64_t wait_ms)
{
  crm__ob_chan ch;
  char why[200];
  char when[32];
  int64_t until;
  int rc;

  rc = crm__ob_chan_get(c, job->route->name, &ch);
  if(rc)
    return rc;
  if(ch.slowed_until > crm_now(c)) {
    crm_time_format(ch.slowed_until, when, sizeof(when));
    snprintf(why, sizeof(why), "channel %s is slowed down until %s (rate "
             "limited)", job->route->name, when);
    return crm__ob_wait_note(c, job, why);
  }
  until = (crm__ob_now_ms(c) + (wait_ms > 0 ? wait_ms : 0) + 999) / 1000;
  crm_time_format(until, when, sizeof(when));
  snprintf(why, sizeof(why), "channel %s is paced at %g/s; "
           "next slot at %s", job->route->name, job->route->rate, when);
  return crm__ob_wait_note(c, job, why);
}

/* Inside the claim transaction: a marketing message's caps again (the
 * gate ran before the write lock was taken; another sender may have sent
 * to the customer since). *capped = 1 with job->gate the refusal. */
static int crm__ob_caps_again(crm *c, crm__ob_job *job, int64_t now,
                              int *capped)
{
  crm__gate_in in;
  crm_gate_result g;
  int rc;

  *capped = 0;
  if(job->m.priority != CRM_PRIORITY_MARKETING || !crm__comm(c)->n_caps)
    return CRM_OK;
  memset(&in, 0, sizeof(in));
  in.customer_id = job->m.customer_id;
  in.channel = job->route->name;
  in.address = job->address;
  in.priority = job->m.priority;
  in.at = now;
  in.message_id = job->m.id;
  rc = crm__gate_caps(c, &in, &g);
  if(rc || g.decision == CRM_GATE_SEND)
    return rc;
  job->gate = g;
  *capped = 1;
  return CRM_OK;
}

/* One try at the claim transaction: *wait_ms > 0 when the slot has not
 * come, *capped when a cap was reached meanwhile (nothing written). */
static int crm__ob_claim_once(crm *c, crm__ob_job *job,
                              const crm__ob_run *run, int64_t *wait_ms,
                              int *capped)
{
  const crm__comm_cfg *cc = crm__comm(c);
  int64_t now = crm_now(c);
  sqlite3_stmt *st;
  int rc;

  *wait_ms = 0;
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  rc = crm__ob_caps_again(c, job, now, capped);
  if(!rc && !*capped)
    rc = crm__ob_pace_take(c, job->route, crm__ob_now_ms(c), wait_ms);
  if(rc || *capped || *wait_ms > 0) {
    crm__tx_rollback(c);
    return rc;
  }
  st = crm__stmt(c, crm__sql_ob_claim);
  if(!st) {
    crm__tx_rollback(c);
    return c->errcode;
  }
  sqlite3_bind_int64(st, 1, job->m.id);
  sqlite3_bind_text(st, 2, run->claimer, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, now + cc->lease);
  crm__ob_bind_opt(st, 4, job->address);
  sqlite3_bind_int64(st, 5, now);
  sqlite3_bind_int(st, 6, run->any_time);
  rc = crm__step_end(c, st, "claiming message");
  if(!rc && sqlite3_changes(c->db) == 0) {
    crm__tx_rollback(c); /* another run took it, or it changed */
    job->outcome = CRM__OB_SKIPPED;
    return CRM_OK;
  }
  if(rc) {
    crm__tx_rollback(c);
    return rc;
  }
  rc = crm__tx_commit(c);
  if(!rc)
    job->m.attempts++;
  return rc;
}

int crm__ob_claim(crm *c, crm__ob_job *job, const crm__ob_run *run)
{
  int64_t wait_ms = 0;
  int capped = 0;
  int tries;
  int rc;

  job->outcome = 0;
  for(tries = 0;; tries++) {
    rc = crm__ob_claim_once(c, job, run, &wait_ms, &capped);
    if(!rc && capped)
      return crm__ob_gate_outcome(c, job);
    if(rc || wait_ms <= 0)
      return rc;
    /* Production pacing: a fixed clock never moves, so never sleep on it. */
    if(!run->wait || c->fixed_now || wait_ms > run->max_wait_ms || tries > 2)
      break;
    crm__ob_sleep_ms(wait_ms);
  }
  job->outcome = CRM__OB_DEFERRED;
  return crm__ob_slowed_note(c, job, wait_ms);
}

/* ---- the view ------------------------------------------------------------ */

/* Appends s URL-encoded (RFC 3986 unreserved characters kept). */
static size_t crm__ob_urlenc(char *buf, size_t size, size_t n, const char *s)
{
  static const char hex[] = "0123456789ABCDEF";
  const unsigned char *p = (const unsigned char *)s;

  for(; *p && n + 4 < size; p++) {
    if((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
       (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' ||
       *p == '~') {
      buf[n++] = (char)*p;
      continue;
    }
    buf[n++] = '%';
    buf[n++] = hex[*p >> 4];
    buf[n++] = hex[*p & 15];
  }
  buf[n] = '\0';
  return n;
}

/* communication.unsubscribe_url with {customer} (the customer's id),
 * {channel} and {message} (the message's id) URL-encoded; NULL when none
 * is configured. */
static const char *crm__ob_unsub(crm *c, const crm__ob_job *job, char *buf,
                                 size_t size)
{
  const char *u = crm__comm(c)->unsubscribe_url;
  char num[24];
  size_t n = 0;

  if(!u || !*u)
    return NULL;
  buf[0] = '\0';
  while(*u && n + 4 < size) {
    if(!strncmp(u, "{customer}", 10)) {
      snprintf(num, sizeof(num), "%lld", (long long)job->m.customer_id);
      n = crm__ob_urlenc(buf, size, n, num);
      u += 10;
    }
    else if(!strncmp(u, "{channel}", 9)) {
      n = crm__ob_urlenc(buf, size, n, job->route->name);
      u += 9;
    }
    else if(!strncmp(u, "{message}", 9)) {
      snprintf(num, sizeof(num), "%lld", (long long)job->m.id);
      n = crm__ob_urlenc(buf, size, n, num);
      u += 9;
    }
    else {
      buf[n++] = *u++;
      buf[n] = '\0';
    }
  }
  return buf;
}

static void crm__ob_view(crm *c, const crm__ob_job *job, crm_message_view *v,
                         char *url, size_t url_size)
{
  memset(v, 0, sizeof(*v));
  v->struct_size = sizeof(*v);
  v->message_id = job->m.id;
  v->customer_id = job->m.customer_id;
  v->address = job->address[0] ? job->address : NULL;
  v->subject = job->m.subject && *job->m.subject ? job->m.subject : NULL;
  v->body = job->m.body;
  v->created_at = job->m.created_at;
  v->customer_timezone = job->cust.timezone;
  v->idempotency_key = job->m.idempotency_key;
  v->channel = job->route->name;
  v->template = job->m.template;
  v->language = job->m.language;
  v->priority = job->m.priority;
  v->attempt = job->m.attempts;
  v->customer_name = job->cust.name;
  v->external_id = job->cust.external_id;
  v->unsubscribe_url = crm__ob_unsub(c, job, url, url_size);
}

/* ---- the call ------------------------------------------------------------ */

/* Calls deliver (1.4) or send; res says what happened. A failed call is
 * a temporary failure with its message; *err keeps its code. */
static void crm__ob_call(crm *c, crm__ob_job *job, const crm_message_view *v,
                         crm_send_result *res, int *err)
{
  crm__component *k = job->comp;
  crm__plugin *pl = k->plugin;
  const crm_channel_v1 *vt = &k->vt.channel;
  int rc;

  memset(res, 0, sizeof(*res));
  res->struct_size = sizeof(*res);
  *err = 0;
  crm__hctx_reset(&pl->hctx);
  if(vt->deliver && CRM_HAS_MEMBER(vt, crm_channel_v1, deliver)) {
    rc = vt->deliver(pl->state, &pl->hctx, v, res);
    res->provider_ref[CRM_SEND_REF_MAX] = '\0';
    res->detail[CRM_SEND_DETAIL_MAX] = '\0';
    if(!rc && (res->outcome < CRM_SEND_SENT ||
               res->outcome > CRM_SEND_REJECTED)) {
      snprintf(res->detail, sizeof(res->detail), "channel %s answered an "
               "unknown outcome %d", k->name, res->outcome);
      res->outcome = CRM_SEND_TEMPORARY;
    }
  }
  else {
    rc = vt->send(pl->state, &pl->hctx, v, res->provider_ref,
                  sizeof(res->provider_ref));
    res->provider_ref[CRM_SEND_REF_MAX] = '\0';
    res->outcome = CRM_SEND_SENT;
  }
  if(res->retry_after_ms < 0)
    res->retry_after_ms = 0;
  if(res->retry_after_ms > CRM__OB_RETRY_AFTER_MAX_MS)
    res->retry_after_ms = CRM__OB_RETRY_AFTER_MAX_MS;
  if(!rc)
    return;
  *err = crm__plugin_call_failed(c, k, rc, vt->deliver ? "deliver" : "send");
  res->outcome = CRM_SEND_TEMPORARY;
  res->provider_ref[0] = '\0';
  snprintf(res->detail, sizeof(res->detail), "%s", crm_errmsg(c));
}

/* ---- the answer ---------------------------------------------------------- */

/* Uniform in [-1, 1) from the handle's xorshift64* generator (seeded from
 * the clock and the pid when 0; tests may seed c->comm_rng). */
static double crm__ob_uniform(crm *c)
{
  uint64_t x = c->comm_rng;
  struct timespec ts;

  if(!x) {
    clock_gettime(CLOCK_REALTIME, &ts);
    x = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec ^
        ((uint64_t)getpid() << 32);
    if(!x)
      x = UINT64_C(0x9E3779B97F4A7C15);
  }
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  c->comm_rng = x;
  x *= UINT64_C(0x2545F4914F6CDD1D);
  return (double)(x >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}

/* min(max, base * 2^(attempts-1)) * (1 + jitter * u), at least 1 s. */
static int64_t crm__ob_backoff(crm *c, int attempts)
{
  const crm__comm_cfg *cc = crm__comm(c);
  double d = (double)cc->backoff_base;
  int64_t s;
  int i;

  for(i = 1; i < attempts && d < (double)cc->backoff_max; i++)
    d *= 2;
  if(d > (double)cc->backoff_max)
    d = (double)cc->backoff_max;
  d *= 1 + cc->jitter * crm__ob_uniform(c);
  s = (int64_t)llround(d);
  return s > 0 ? s : 1;
}

static int crm__ob_max_attempts(crm *c, const crm__route *r)
{
  return r->max_attempts > 0 ? r->max_attempts : crm__comm(c)->max_attempts;
}

typedef struct crm__ob_unsent {
  const char *status;
  int64_t next_at;
  const char *error;
  const char *error_class;
  const char *hold_reason;
  int uncount; /* 1: the attempt does not count */
} crm__ob_unsent;

static int crm__ob_write_unsent(crm *c, const crm__ob_job *job,
                                const char *claimer, const crm__ob_unsent *u)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_ob_unsent);

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, job->m.id);
  sqlite3_bind_text(st, 2, claimer, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, u->status, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, u->next_at);
  crm__ob_bind_opt(st, 5, u->error);
  sqlite3_bind_text(st, 6, u->error_class, -1, SQLITE_STATIC);
  crm__ob_bind_opt(st, 7, u->hold_reason);
  sqlite3_bind_int(st, 8, u->uncount);
  sqlite3_bind_int64(st, 9, crm_now(c));
  return crm__step_end(c, st, "recording message outcome");
}

static int crm__ob_on_sent(crm *c, crm__ob_job *job, const char *claimer,
                           const crm_send_result *res)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_ob_sent);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, job->m.id);
  sqlite3_bind_text(st, 2, claimer, -1, SQLITE_STATIC);
  crm__ob_bind_opt(st, 3, res->provider_ref);
  sqlite3_bind_int64(st, 4, crm_now(c));
  rc = crm__step_end(c, st, "recording message outcome");
  if(!rc)
    rc = crm__ob_pace_ok(c, job->route);
  if(!rc)
    rc = crm__ob_audit(c, "message.sent", job->m.id, "channel %s: sent on "
                       "attempt %d%s%s", job->route->name, job->m.attempts,
                       res->provider_ref[0] ? ", ref " : "",
                       res->provider_ref);
  job->outcome = CRM__OB_SENT;
  return rc;
}

static int crm__ob_on_temporary(crm *c, crm__ob_job *job, const char *claimer,
                                const crm_send_result *res)
{
  int max = crm__ob_max_attempts(c, job->route);
  crm__ob_unsent u;
  char when[32];
  int64_t delay;
  int rc;

  memset(&u, 0, sizeof(u));
  u.error = res->detail;
  u.error_class = "temporary";
  if(job->m.attempts >= max) {
    u.status = CRM_MSG_DEAD;
    u.next_at = crm_now(c);
    job->outcome = CRM__OB_DEAD;
    rc = crm__ob_write_unsent(c, job, claimer, &u);
    if(!rc)
      rc = crm__ob_audit(c, "message.dead", job->m.id, "channel %s: attempt "
                         "%d of %d failed, no more tries: %s",
                         job->route->name, job->m.attempts, max, res->detail);
    return rc;
  }
  delay = crm__ob_backoff(c, job->m.attempts);
  if(res->retry_after_ms > 0 && (res->retry_after_ms + 999) / 1000 > delay)
    delay = (res->retry_after_ms + 999) / 1000;
  u.status = CRM_MSG_FAILED;
  u.next_at = crm_now(c) + delay;
  job->outcome = CRM__OB_FAILED;
  rc = crm__ob_write_unsent(c, job, claimer, &u);
  crm_time_format(u.next_at, when, sizeof(when));
  if(!rc)
    rc = crm__ob_audit(c, "message.failed", job->m.id, "channel %s: attempt "
                       "%d of %d failed, next at %s: %s", job->route->name,
                       job->m.attempts, max, when, res->detail);
  return rc;
}

static int crm__ob_on_final(crm *c, crm__ob_job *job, const char *claimer,
                            const crm_send_result *res)
{
  const char *cls = crm__ob_class_name(res->outcome);
  crm__ob_unsent u;
  int rc;

  memset(&u, 0, sizeof(u));
  u.status = CRM_MSG_DEAD;
  u.next_at = crm_now(c);
  u.error = res->detail;
  u.error_class = cls;
  job->outcome = CRM__OB_DEAD;
  rc = crm__ob_write_unsent(c, job, claimer, &u);
  if(!rc)
    rc = crm__ob_audit(c, "message.dead", job->m.id, "channel %s: %s on "
                       "attempt %d: %s", job->route->name, cls,
                       job->m.attempts, res->detail);
  if(!rc && res->outcome == CRM_SEND_PERMANENT)
    rc = crm__ob_bad_mark(c, job->route->name, job->address, res->detail,
                          job->m.id);
  return rc;
}

static int crm__ob_on_limited(crm *c, crm__ob_job *job, const char *claimer,
                              const crm_send_result *res)
{
  crm__ob_unsent u;
  char why[CRM__OB_TEXT_MAX + 1];
  char when[32];
  int64_t until = 0;
  int rc;

  rc = crm__ob_pace_slow(c, job->route, res->retry_after_ms, &until);
  if(rc)
    return rc;
  crm_time_format(until, when, sizeof(when));
  snprintf(why, sizeof(why), "channel %s is slowed down until %s (rate "
           "limited)", job->route->name, when);
  memset(&u, 0, sizeof(u));
  /* the attempt does not count: back to the state before the claim */
  u.status = job->m.attempts > 1 ? CRM_MSG_FAILED : CRM_MSG_QUEUED;
  u.next_at = until;
  u.error = res->detail;
  u.error_class = "rate_limited";
  u.hold_reason = why;
  u.uncount = 1;
  job->outcome = CRM__OB_RATE_LIMITED;
  rc = crm__ob_write_unsent(c, job, claimer, &u);
  if(!rc)
    rc = crm__ob_audit(c, "message.rate_limited", job->m.id, "channel %s: "
                       "rate limited, waits until %s: %s", job->route->name,
                       when, res->detail);
  job->m.attempts--;
  return rc;
}

/* 1 when the row is still "sending" under our claim (a run that outlived
 * its lease may have lost it to a recovery). */
static int crm__ob_still_ours(crm *c, const crm__ob_job *job,
                              const char *claimer, int *ours)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_ob_ours);
  int rc;

  *ours = 0;
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, job->m.id);
  sqlite3_bind_text(st, 2, claimer, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW) {
    *ours = 1;
    rc = SQLITE_DONE;
  }
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "checking the claim");
  return CRM_OK;
}

/* Milliseconds on the monotonic clock. */
static int64_t crm__ob_mono_ms(void)
{
  struct timespec ts;

  if(clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
    return 0;
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Begins the transaction that records a provider's answer. The answer
 * exists only in memory until then: when another process holds the
 * store's write lock past the busy timeout, BEGIN is tried again (100 ms
 * apart) for as long as the claim lasts (retry.lease_seconds), rather
 * than leaving the row "sending" for a later run to call the provider
 * again. */
static int crm__ob_begin_answer(crm *c, const crm__ob_job *job)
{
  int64_t start = crm__ob_mono_ms();
  int64_t limit = crm__comm(c)->lease * 1000;
  int warned = 0;
  int rc;

  for(;;) {
    rc = crm__tx_begin(c);
    if(!rc || (sqlite3_errcode(c->db) & 0xff) != SQLITE_BUSY ||
       crm__ob_mono_ms() - start >= limit)
      return rc;
    if(!warned)
      crm__log(c, CRM_LOG_WARN, "outbox", "message #%lld: the store is "
               "busy; recording the channel's answer again until it is "
               "not", (long long)job->m.id);
    warned = 1;
    crm__clear_err(c);
    crm__ob_sleep_ms(100);
  }
}

static int crm__ob_record(crm *c, crm__ob_job *job, const char *claimer,
                          crm_send_result *res)
{
  int ours = 0;
  int rc;

  if(res->outcome != CRM_SEND_SENT && !res->detail[0])
    snprintf(res->detail, sizeof(res->detail), "%s failure (the channel "
             "gave no detail)", crm__ob_class_name(res->outcome));
  rc = crm__ob_begin_answer(c, job);
  if(rc)
    return rc;
  rc = crm__ob_still_ours(c, job, claimer, &ours);
  if(!rc && !ours) {
    crm__log(c, CRM_LOG_WARN, "outbox", "message #%lld: the claim was taken "
             "over before the answer (%s) was recorded; the answer is "
             "dropped", (long long)job->m.id,
             crm__ob_class_name(res->outcome));
    job->outcome = CRM__OB_SKIPPED;
    crm__tx_rollback(c);
    return CRM_OK;
  }
  if(!rc) {
    switch(res->outcome) {
    case CRM_SEND_SENT: rc = crm__ob_on_sent(c, job, claimer, res); break;
    case CRM_SEND_TEMPORARY:
      rc = crm__ob_on_temporary(c, job, claimer, res);
      break;
    case CRM_SEND_RATE_LIMITED:
      rc = crm__ob_on_limited(c, job, claimer, res);
      break;
    default: rc = crm__ob_on_final(c, job, claimer, res); break;
    }
  }
  if(rc) {
    crm__tx_rollback(c);
    return rc;
  }
  return crm__tx_commit(c);
}

int crm__ob_send(crm *c, crm__ob_job *job, const char *claimer)
{
  crm_message_view v;
  crm_send_result res;
  char url[CRM__OB_URL_SIZE];
  int err = 0;
  int rc;

  crm__ob_view(c, job, &v, url, sizeof(url));
  crm__ob_call(c, job, &v, &res, &err);
  job->called = 1;
  job->err = 0;
  job->errmsg[0] = '\0';
  if(res.outcome != CRM_SEND_SENT) {
    job->err = err ? err : CRM_EPLUGIN;
    if(err)
      snprintf(job->errmsg, sizeof(job->errmsg), "%s", res.detail);
    else
      snprintf(job->errmsg, sizeof(job->errmsg), "channel %s: %s: %s",
               job->route->name, crm__ob_class_name(res.outcome),
               res.detail[0] ? res.detail : "no detail");
  }
  rc = crm__ob_record(c, job, claimer, &res);
  if(rc)
    return rc;
  crm__clear_err(c);
  return CRM_OK;
}

/* ---- the gate's answer --------------------------------------------------- */

int crm__ob_gate_outcome(crm *c, crm__ob_job *job)
{
  const crm_gate_result *g = &job->gate;
  int refuse = g->decision == CRM_GATE_REFUSE;
  sqlite3_stmt *st;
  char when[32];
  int rc;

  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  st = crm__stmt(c, crm__sql_ob_gate);
  if(!st) {
    crm__tx_rollback(c);
    return c->errcode;
  }
  sqlite3_bind_int64(st, 1, job->m.id);
  sqlite3_bind_text(st, 2, refuse ? CRM_MSG_REFUSED : job->m.status, -1,
                    SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, refuse ? job->m.next_at : g->not_before);
  if(refuse) {
    sqlite3_bind_text(st, 4, g->reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, "refused", -1, SQLITE_STATIC);
  }
  else {
    crm__ob_bind_opt(st, 4, job->m.error);
    crm__ob_bind_opt(st, 5, job->m.error_class);
    sqlite3_bind_text(st, 6, g->reason, -1, SQLITE_STATIC);
  }
  crm__ob_bind_opt(st, 7, job->address);
  sqlite3_bind_int64(st, 8, crm_now(c));
  rc = crm__step_end(c, st, "recording the gate's answer");
  if(!rc && sqlite3_changes(c->db) == 0) {
    crm__tx_rollback(c); /* another run took it, or it changed */
    job->outcome = CRM__OB_SKIPPED;
    return CRM_OK;
  }
  crm_time_format(g->not_before, when, sizeof(when));
  if(!rc && refuse)
    rc = crm__ob_audit(c, "message.refused", job->m.id, "channel %s: %s: %s",
                       job->route->name, g->code, g->reason);
  else if(!rc)
    rc = crm__ob_audit(c, "message.held", job->m.id, "channel %s: %s until "
                       "%s: %s", job->route->name, g->code, when, g->reason);
  if(rc) {
    crm__tx_rollback(c);
    return rc;
  }
  job->outcome = refuse ? CRM__OB_REFUSED : CRM__OB_HELD;
  return crm__tx_commit(c);
}
