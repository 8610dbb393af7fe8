/*
 * outbox_run.c - the dispatcher (crm_outbox_run) and the single attempt
 * behind crm_message_send (crm__outbox_attempt).
 *
 * A run fires the due schedule triggers, takes over the "sending" rows of
 * runs that died (their claim expired, or their process on this host is
 * gone), then walks the due messages (queued or failed, next_at <= now)
 * in due order. Each goes: route and component (a component that is not
 * loaded makes the message wait, it is not its fault), address, the send
 * gate (refused: final; held: next_at = the gate's not_before), the
 * channel's pace, the claim, the channel, the answer (outbox_send.c).
 */
#define _POSIX_C_SOURCE 200809L /* kill */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "outbox_int.h"

#define CRM__OB_MAX_WAIT_MS 2000

static const char crm__sql_ob_due[] =
  "SELECT id FROM messages WHERE status IN ('queued', 'failed', 'sending')"
  " AND status <> 'sending' AND next_at <= ?1 ORDER BY next_at, id LIMIT ?2";
static const char crm__sql_ob_claimed[] =
  "SELECT id, claimed_by, claim_until, attempts, channel FROM messages"
  " WHERE status IN ('queued', 'failed', 'sending') AND status = 'sending'";
static const char crm__sql_ob_recover[] =
  "UPDATE messages SET status = ?5, next_at = ?3, error = ?4,"
  " error_class = 'temporary', hold_reason = NULL, claimed_by = NULL,"
  " claim_until = NULL, updated_at = ?3"
  " WHERE id = ?1 AND status = 'sending' AND claimed_by IS ?2";

/* A growing list of ids. */
typedef struct crm__ob_ids {
  int64_t *v;
  size_t n;
  size_t cap;
} crm__ob_ids;

static int crm__ob_ids_add(crm *c, crm__ob_ids *ids, int64_t id)
{
  if(ids->n == ids->cap) {
    size_t cap = ids->cap ? ids->cap * 2 : 64;
    int64_t *v = crm__realloc(ids->v, cap * sizeof(*v));

    if(!v)
      return crm__err(c, CRM_ENOMEM, "out of memory listing messages");
    ids->v = v;
    ids->cap = cap;
  }
  ids->v[ids->n++] = id;
  return CRM_OK;
}

/* ---- crash recovery --------------------------------------------------- */

/* Whether a claim is over: it expired, or it names a process of this host
 * that no longer exists (kill(pid, 0) says ESRCH). why says which. */
static int crm__ob_claim_over(const char *claimed_by, int64_t until,
                              int64_t now, const char *me, char *why,
                              size_t size)
{
  const char *colon = claimed_by ? strrchr(claimed_by, ':') : NULL;
  const char *mine = strrchr(me, ':');
  char *end = NULL;
  long pid;

  if(until <= now) {
    snprintf(why, size, "its claim by %s expired at %lld",
             claimed_by ? claimed_by : "nobody", (long long)until);
    return 1;
  }
  if(!colon || !mine || colon - claimed_by != mine - me ||
     strncmp(claimed_by, me, (size_t)(mine - me)) != 0)
    return 0; /* another host: wait for the claim to expire */
  errno = 0;
  pid = strtol(colon + 1, &end, 10);
  if(errno || !end || *end || pid <= 0 || pid == (long)getpid())
    return 0;
  if(kill((pid_t)pid, 0) == 0 || errno != ESRCH)
    return 0;
  snprintf(why, size, "its sending process %s is gone", claimed_by);
  return 1;
}

typedef struct crm__ob_claimed {
  int64_t id;
  char by[CRM__OB_CLAIM_SIZE];
  int has_by;
  int attempts;
  int max;   /* the channel's max_attempts */
  char why[CRM__OB_CLAIM_SIZE + 64];
} crm__ob_claimed;

/* max_attempts of the channel called name: its route's, else the
 * global one. */
static int crm__ob_chan_max(crm *c, const char *name)
{
  const crm__comm_cfg *cc = crm__comm(c);
  size_t i;

  for(i = 0; name && i < cc->n_routes; i++) {
    if(!strcmp(cc->routes[i].name, name) && cc->routes[i].max_attempts > 0)
      return cc->routes[i].max_attempts;
  }
  return cc->max_attempts;
}

/* The interrupted attempt counts: with attempts left the row is due again
 * at once (same key), else it is dead (*dead = 1): a message whose
 * attempt kills its sender every time is not attempted for ever. */
static int crm__ob_recover_one(crm *c, const crm__ob_claimed *k, int *dead)
{
  char err[CRM__OB_TEXT_MAX + 1];
  sqlite3_stmt *st;
  int rc;

  *dead = k->attempts >= k->max;
  if(*dead)
    snprintf(err, sizeof(err), "interrupted: %s; attempt %d of %d, no more "
             "tries", k->why, k->attempts, k->max);
  else
    snprintf(err, sizeof(err), "interrupted: %s; attempted again with the "
             "same idempotency key", k->why);
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  st = crm__stmt(c, crm__sql_ob_recover);
  if(!st) {
    crm__tx_rollback(c);
    return c->errcode;
  }
  sqlite3_bind_int64(st, 1, k->id);
  if(k->has_by)
    sqlite3_bind_text(st, 2, k->by, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, crm_now(c));
  sqlite3_bind_text(st, 4, err, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, *dead ? CRM_MSG_DEAD : CRM_MSG_FAILED, -1,
                    SQLITE_STATIC);
  rc = crm__step_end(c, st, "recovering message");
  if(!rc && sqlite3_changes(c->db) == 0)
    *dead = -1; /* taken over by another run meanwhile */
  if(!rc && *dead >= 0)
    rc = crm__ob_audit(c, "message.recover", k->id, "%s", k->why);
  if(!rc && *dead > 0)
    rc = crm__ob_audit(c, "message.dead", k->id, "interrupted on attempt %d "
                       "of %d, no more tries", k->attempts, k->max);
  if(rc) {
    crm__tx_rollback(c);
    return rc;
  }
  return crm__tx_commit(c);
}

/* Takes over the "sending" rows whose claim is over (s->recovered counts
 * them, s->dead those whose attempts were used up). */
static int crm__ob_recover(crm *c, const crm__ob_run *run,
                           crm_outbox_stats *s)
{
  crm__ob_claimed *list = NULL;
  size_t count = 0;
  size_t cap = 0;
  sqlite3_stmt *st;
  int64_t now = crm_now(c);
  size_t i;
  int rc = CRM_OK;
  int step;

  st = crm__stmt(c, crm__sql_ob_claimed);
  if(!st)
    return c->errcode;
  for(;;) {
    crm__ob_claimed k;
    const char *by;

    step = sqlite3_step(st);
    if(step != SQLITE_ROW)
      break;
    memset(&k, 0, sizeof(k));
    k.id = sqlite3_column_int64(st, 0);
    by = (const char *)sqlite3_column_text(st, 1);
    k.has_by = by != NULL;
    snprintf(k.by, sizeof(k.by), "%s", by ? by : "");
    k.attempts = sqlite3_column_int(st, 3);
    k.max = crm__ob_chan_max(c, (const char *)sqlite3_column_text(st, 4));
    if(!crm__ob_claim_over(by, sqlite3_column_int64(st, 2), now,
                           run->claimer, k.why, sizeof(k.why)))
      continue;
    if(count == cap) {
      size_t ncap = cap ? cap * 2 : 8;
      crm__ob_claimed *nl = crm__realloc(list, ncap * sizeof(*nl));

      if(!nl) {
        rc = crm__err(c, CRM_ENOMEM, "out of memory recovering messages");
        break;
      }
      list = nl;
      cap = ncap;
    }
    list[count++] = k;
  }
  sqlite3_reset(st);
  if(!rc && step != SQLITE_DONE)
    rc = crm__sqlerr(c, step, "listing claimed messages");
  for(i = 0; !rc && i < count; i++) {
    int dead = 0;

    rc = crm__ob_recover_one(c, &list[i], &dead);
    if(!rc && dead >= 0)
      s->recovered++;
    if(!rc && dead > 0)
      s->dead++;
  }
  crm__free(list);
  return rc;
}

/* ---- one message --------------------------------------------------------- */

/* A route or component that is missing now, or another problem of this
 * message alone (a customer's unknown time zone): the message waits, with
 * the reason (c's error) as its hold reason, and the run goes on. */
static int crm__ob_no_route(crm *c, crm__ob_job *job)
{
  char why[CRM__ERRMSG_SIZE];

  snprintf(why, sizeof(why), "%s", crm_errmsg(c));
  crm__clear_err(c);
  return crm__ob_wait_note(c, job, why);
}

static int crm__ob_process(crm *c, crm__ob_job *job, int64_t id,
                           const crm__ob_run *run)
{
  crm__gate_in in;
  int rc;

  job->outcome = 0;
  job->called = 0;
  job->err = 0;
  job->errmsg[0] = '\0';
  rc = crm__ob_load(c, id, &job->b, &job->m, NULL);
  if(rc == CRM_ENOTFOUND && !run->any_time) {
    crm__clear_err(c); /* purged since */
    job->outcome = CRM__OB_SKIPPED;
    return CRM_OK;
  }
  if(rc)
    return rc;
  if((strcmp(job->m.status, CRM_MSG_QUEUED) &&
      strcmp(job->m.status, CRM_MSG_FAILED)) ||
     (!run->any_time && job->m.next_at > crm_now(c))) {
    job->outcome = CRM__OB_SKIPPED;
    return CRM_OK;
  }
  rc = crm_customer_get(c, job->m.customer_id, &job->cust);
  if(rc)
    return rc;
  rc = crm__channel_resolve(c, job->cust.id, job->m.channel, &job->tmp,
                            &job->route);
  if(rc == CRM_ENOTFOUND || (!rc && !job->route))
    return crm__ob_no_route(c, job);
  if(rc)
    return rc;
  job->comp = crm__route_component(c, job->route);
  if(!job->comp)
    return crm__ob_no_route(c, job);
  rc = crm__route_address(c, job->route, &job->cust, job->address,
                          sizeof(job->address));
  if(rc)
    return rc;
  memset(&in, 0, sizeof(in));
  in.customer_id = job->cust.id;
  in.channel = job->route->name;
  in.address = job->address;
  in.priority = job->m.priority;
  in.at = crm_now(c);
  in.message_id = job->m.id;
  memset(&job->gate, 0, sizeof(job->gate));
  rc = crm__gate_check(c, &in, &job->gate);
  if(rc)
    return rc;
  if(job->gate.decision != CRM_GATE_SEND)
    return crm__ob_gate_outcome(c, job);
  rc = crm__ob_claim(c, job, run);
  if(rc || job->outcome)
    return rc;
  return crm__ob_send(c, job, run->claimer);
}

static crm__ob_job *crm__ob_job_new(crm *c)
{
  crm__ob_job *job = crm__malloc(sizeof(*job));

  if(!job)
    crm__err(c, CRM_ENOMEM, "out of memory sending a message");
  return job;
}

/* ---- crm__outbox_attempt ------------------------------------------------- */

int crm__outbox_attempt(crm *c, int64_t id)
{
  crm__ob_run run;
  crm__ob_job *job;
  int rc;

  if(c->batch_depth > 0)
    return crm__err(c, CRM_ESTATE, "cannot send a message inside a batch; "
                    "commit it first");
  memset(&run, 0, sizeof(run));
  run.wait = 1;
  run.max_wait_ms = CRM__OB_MAX_WAIT_MS;
  run.any_time = 1;
  crm__ob_claimer(run.claimer, sizeof(run.claimer));
  job = crm__ob_job_new(c);
  if(!job)
    return c->errcode;
  rc = crm__ob_process(c, job, id, &run);
  if(!rc) {
    switch(job->outcome) {
    case CRM__OB_REFUSED:
      rc = crm__err(c, CRM_ESTATE, "not sent: %s", job->gate.reason);
      break;
    case CRM__OB_FAILED:
    case CRM__OB_DEAD:
    case CRM__OB_RATE_LIMITED:
      rc = crm__err(c, job->err ? job->err : CRM_EPLUGIN, "%s", job->errmsg);
      break;
    case CRM__OB_SKIPPED:
      /* another run took it meanwhile: say what it is now */
      if(crm__ob_load(c, id, &job->b, &job->m, NULL))
        job->m.status = NULL;
      rc = crm__err(c, CRM_ESTATE, "message #%lld is %s; only a queued or "
                    "failed message can be sent", (long long)id,
                    job->m.status ? job->m.status : "gone");
      break;
    default: /* sent, held or deferred: the row says which */
      crm__clear_err(c);
      break;
    }
  }
  crm__free(job);
  return rc;
}

/* ---- crm_outbox_run ------------------------------------------------------ */

static int crm__ob_due(crm *c, int max, crm__ob_ids *ids)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_ob_due);
  int rc = CRM_OK;
  int step;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, crm_now(c));
  sqlite3_bind_int64(st, 2, max > 0 ? max : -1);
  for(;;) {
    step = sqlite3_step(st);
    if(step != SQLITE_ROW)
      break;
    rc = crm__ob_ids_add(c, ids, sqlite3_column_int64(st, 0));
    if(rc)
      break;
  }
  sqlite3_reset(st);
  if(!rc && step != SQLITE_DONE)
    rc = crm__sqlerr(c, step, "listing due messages");
  return rc;
}

static void crm__ob_tally(const crm__ob_job *job, crm_outbox_stats *s)
{
  if(job->called)
    s->attempted++;
  switch(job->outcome) {
  case CRM__OB_SENT: s->sent++; break;
  case CRM__OB_FAILED: s->failed++; break;
  case CRM__OB_DEAD: s->dead++; break;
  case CRM__OB_REFUSED: s->refused++; break;
  case CRM__OB_HELD: s->held++; break;
  case CRM__OB_RATE_LIMITED: s->rate_limited++; break;
  case CRM__OB_DEFERRED: s->deferred++; break;
  default: break;
  }
}

static int crm__ob_check_opts(crm *c, const crm_outbox_run_opts *o)
{
  if(!o)
    return CRM_OK;
  if(o->max_messages < 0)
    return crm__err(c, CRM_EINVAL, "max_messages is negative");
  if(o->max_wait_ms < 0)
    return crm__err(c, CRM_EINVAL, "max_wait_ms is negative");
  return CRM_OK;
}

int crm_outbox_run(crm *c, const crm_outbox_run_opts *opts,
                   crm_outbox_stats *stats)
{
  crm_outbox_stats s;
  crm__ob_ids ids;
  crm__ob_run run;
  crm__ob_job *job = NULL;
  size_t i;
  int rc;

  memset(&s, 0, sizeof(s));
  memset(&ids, 0, sizeof(ids));
  if(stats)
    *stats = s;
  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(c->batch_depth > 0)
    return crm__err(c, CRM_ESTATE, "cannot run the outbox inside a batch; "
                    "commit it first");
  rc = crm__ob_check_opts(c, opts);
  if(rc)
    return rc;
  memset(&run, 0, sizeof(run));
  run.wait = opts ? opts->wait : 0;
  run.max_wait_ms = opts && opts->max_wait_ms ? opts->max_wait_ms
                                              : CRM__OB_MAX_WAIT_MS;
  crm__ob_claimer(run.claimer, sizeof(run.claimer));
  if(!opts || !opts->no_triggers)
    rc = crm_triggers_run(c, 0, &s.triggers_fired);
  if(!rc)
    rc = crm__ob_recover(c, &run, &s);
  if(!rc)
    rc = crm__ob_due(c, opts ? opts->max_messages : 0, &ids);
  if(!rc && ids.n) {
    job = crm__ob_job_new(c);
    rc = job ? CRM_OK : c->errcode;
  }
  for(i = 0; !rc && i < ids.n; i++) {
    rc = crm__ob_process(c, job, ids.v[i], &run);
    if(rc && rc != CRM_ESTORE && rc != CRM_ENOMEM && job->m.id == ids.v[i])
      rc = crm__ob_no_route(c, job); /* this message's problem only */
    if(!rc)
      crm__ob_tally(job, &s);
  }
  crm__free(job);
  crm__free(ids.v);
  if(stats)
    *stats = s;
  if(!rc)
    crm__clear_err(c);
  return rc;
}
