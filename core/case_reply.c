/*
 * case_reply.c - messages and notes on a case (crm_case_reply).
 *
 * A customer message lands on the case, or where the rules send it: a
 * Duplicate's message goes to the case it was merged into (following the
 * chain), a case that is over to its latest follow-up (following that
 * chain too); a Waiting case resumes (In progress); a Resolved case within
 * complaints.reopen_days of its resolution reopens (In progress,
 * reopen_count + 1); later, or on a Closed or Rejected case, a follow-up
 * case is opened (same customer, handler, category, priority, origin;
 * parent_id = the old case) and the message lands there.
 *
 * An agent reply is the first response when none was given yet; unless
 * CRM_CASE_REPLY_RECORD it is queued to the customer as a service
 * message through the outbox (recorded only when no channel fits). WAIT
 * then moves the case to Waiting on customer; without it a New or
 * Assigned case moves to In progress (when the handler allows it). A
 * follow-up case keeps the owner and team of the case it follows. A note
 * is kept, never sent.
 *
 * With op->idempotency_key the message is applied once: a retry with the
 * same key (same kind, text, customer and time when given) returns the
 * first message's case and id and changes nothing; the same key with
 * other content is CRM_EEXIST, as crm_event_ingest does.
 */
#include <stdio.h>
#include <string.h>

#include "case_int.h"

#define CRM__CASE_CHAIN_MAX 64

static const char crm__sql_case_child[] =
  "SELECT id FROM cases WHERE parent_id = ?1 ORDER BY id DESC LIMIT 1";
static const char crm__sql_case_msg_insert[] =
  "INSERT INTO case_messages(case_id, kind, author, body, message_id, at,"
  " idem_key) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char crm__sql_case_msg_idem[] =
  "SELECT m.id, m.case_id, m.kind = ?2 AND m.body = ?3"
  " AND (?4 = 0 OR m.at = ?4) AND k.customer_id = ?5"
  " FROM case_messages m JOIN cases k ON k.id = m.case_id"
  " WHERE m.idem_key = ?1";
static const char crm__sql_case_msg_key[] =
  "SELECT id, case_id FROM case_messages WHERE idem_key = ?1";

/* text: 1..2000 bytes of UTF-8 without control characters other than
 * tab and line breaks. */
static int crm__case_check_body(crm *c, const char *text)
{
  char tmp[CRM__CASE_NOTE_MAX + 1];
  size_t n, i;

  if(!text || !*text)
    return crm__err(c, CRM_EINVAL, "text is required");
  n = strnlen(text, CRM__CASE_NOTE_MAX + 1);
  if(n > CRM__CASE_NOTE_MAX)
    return crm__err(c, CRM_ERANGE, "text is too long (more than %d bytes)",
                    CRM__CASE_NOTE_MAX);
  memcpy(tmp, text, n + 1);
  for(i = 0; i < n; i++) {
    if(tmp[i] == '\n' || tmp[i] == '\r' || tmp[i] == '\t')
      tmp[i] = ' ';
  }
  return crm__check_text(c, "text", tmp, CRM__CASE_NOTE_MAX, 1);
}

static int crm__case_reply_check(crm *c, int kind, const char *text,
                                 uint32_t flags, const crm_case_op *op)
{
  int rc;

  if(kind != CRM_CASE_MSG_CUSTOMER && kind != CRM_CASE_MSG_AGENT &&
     kind != CRM_CASE_MSG_NOTE)
    return crm__err(c, CRM_EINVAL, "unknown message kind %d (0 customer, "
                    "1 agent, 2 note)", kind);
  if(flags & ~(CRM_CASE_REPLY_WAIT | CRM_CASE_REPLY_RECORD))
    return crm__err(c, CRM_EINVAL, "unknown reply flags 0x%x",
                    (unsigned)flags);
  if(flags && kind != CRM_CASE_MSG_AGENT)
    return crm__err(c, CRM_EINVAL, "the wait and record flags are for agent "
                    "replies");
  rc = crm__case_check_body(c, text);
  if(!rc && op && op->actor)
    rc = crm__case_check_name(c, "actor", op->actor);
  if(!rc && op && op->at < 0)
    rc = crm__err(c, CRM_EINVAL, "time is negative");
  if(!rc)
    rc = crm__check_text(c, "why", op ? op->why : NULL, CRM__CASE_NOTE_MAX,
                         0);
  if(!rc && op && op->idempotency_key)
    rc = crm__check_text(c, "idempotency key", op->idempotency_key,
                         CRM_IDEM_KEY_MAX, 1);
  return rc;
}

/* The message already stored under op's idempotency key into *msg and
 * *landed: 1; none: 0; the key used by another message: CRM_EEXIST. */
static int crm__case_msg_seen(crm *c, const crm__case_row *r, int kind,
                              const char *text, const crm_case_op *op,
                              int64_t *msg, int64_t *landed)
{
  sqlite3_stmt *st;
  int rc, same;

  if(!op || !op->idempotency_key)
    return 0;
  st = crm__stmt(c, crm__sql_case_msg_idem);
  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, op->idempotency_key, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 2, kind);
  sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, op->at);
  sqlite3_bind_int64(st, 5, r->customer_id);
  rc = sqlite3_step(st);
  if(rc == SQLITE_DONE) {
    sqlite3_reset(st);
    return 0;
  }
  if(rc != SQLITE_ROW) {
    sqlite3_reset(st);
    return crm__sqlerr(c, rc, "looking up case message idempotency key");
  }
  *msg = sqlite3_column_int64(st, 0);
  *landed = sqlite3_column_int64(st, 1);
  same = sqlite3_column_int(st, 2) == 1;
  sqlite3_reset(st);
  if(!same)
    return crm__err(c, CRM_EEXIST, "idempotency key \"%s\" was already "
                    "used by a different message (#%lld on C-%06lld)",
                    op->idempotency_key, (long long)*msg,
                    (long long)*landed);
  return 1;
}

static int crm__case_msg_insert(crm *c, int64_t case_id, int kind,
                                const char *author, const char *body,
                                int64_t message_id, int64_t at,
                                const char *key, int64_t *id)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_case_msg_insert);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, case_id);
  sqlite3_bind_int(st, 2, kind);
  sqlite3_bind_text(st, 3, author, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, body, -1, SQLITE_STATIC);
  if(message_id)
    sqlite3_bind_int64(st, 5, message_id);
  sqlite3_bind_int64(st, 6, at);
  if(key)
    sqlite3_bind_text(st, 7, key, -1, SQLITE_STATIC);
  rc = crm__step_end(c, st, "writing case message");
  if(!rc)
    *id = sqlite3_last_insert_rowid(c->db);
  return rc;
}

/* Queues an agent reply to the customer (service priority) into *msg;
 * 0 with *msg = 0 when no channel fits (recorded only). */
static int crm__case_send(crm *c, const crm__case_row *r, const char *text,
                          int64_t *msg)
{
  const crm__route *route = NULL;
  crm__outbox_row row;
  crm__route tmp;
  char subject[64];
  int rc;

  *msg = 0;
  rc = crm__channel_resolve(c, r->customer_id, NULL, &tmp, &route);
  if(rc == CRM_ENOTFOUND || (!rc && !route)) {
    crm__log(c, CRM_LOG_INFO, "case", "reply on case %s recorded only: %s",
             r->number, rc ? crm_errmsg(c) : "no channel");
    crm__clear_err(c);
    return CRM_OK;
  }
  if(rc)
    return rc;
  snprintf(subject, sizeof(subject), "Re: your case %s", r->number);
  memset(&row, 0, sizeof(row));
  row.customer_id = r->customer_id;
  row.channel = route->name;
  row.priority = CRM_PRIORITY_SERVICE;
  row.subject = subject;
  row.body = text;
  return crm__outbox_insert(c, &row, msg, NULL);
}

/* The follow-up r keeps the owner (and team) of the case it follows, so
 * the same agent sees the customer come back. A team no longer
 * configured is left to the routing. */
static int crm__case_keep_owner(crm *c, crm__case_row *r, const char *owner,
                                const char *team, const crm_case_op *op,
                                int64_t at)
{
  const crm__cases_cfg *cc = crm__cases(c);
  const crm__component *comp = crm__case_handler_of(c, r);
  crm_case_op kept;
  char why[64];

  if(!comp)
    return c->errcode;
  if(crm__case_is_final(comp, r->state)) /* the handler closed it at once */
    return CRM_OK;
  if(team[0] && cc->n_teams && !crm__cases_team(cc, team))
    team = NULL;
  snprintf(why, sizeof(why), "owner of case C-%06lld",
           (long long)r->parent_id);
  memset(&kept, 0, sizeof(kept));
  kept.actor = op ? op->actor : NULL;
  kept.why = why;
  kept.at = at;
  return crm__case_assign_tx(c, r, owner, team && team[0] ? team : NULL,
                             &kept);
}

/* A customer message on a case that is over: a new case following it;
 * r becomes the new case. */
static int crm__case_follow_up(crm *c, crm__case_row *r, const char *text,
                               const crm_case_op *op, int64_t at)
{
  char summary[CRM__CASE_SUMMARY_MAX + 1];
  char owner[sizeof(r->owner)], team[sizeof(r->team)];
  char detail[64];
  crm_case_new n;
  int64_t old = r->id, id = 0;
  size_t i;
  int rc;

  snprintf(summary, sizeof(summary), "%s", text);
  for(i = 0; summary[i]; i++) {
    if(summary[i] == '\n' || summary[i] == '\r' || summary[i] == '\t')
      summary[i] = ' ';
  }
  memset(&n, 0, sizeof(n));
  n.customer_id = r->customer_id;
  n.summary = summary;
  n.category = r->category[0] ? r->category : NULL;
  n.priority = r->priority >= 1 && r->priority <= 4 ? r->priority : 0;
  n.origin = r->origin[0] ? r->origin : NULL;
  n.handler = r->handler;
  n.parent_id = old;
  n.op.actor = op ? op->actor : NULL;
  n.op.at = at;
  n.op.why = "customer wrote after the case was over";
  memcpy(owner, r->owner, sizeof(owner));
  memcpy(team, r->team, sizeof(team));
  rc = crm_case_create(c, &n, &id);
  if(rc)
    return rc;
  snprintf(detail, sizeof(detail), "follow-up case C-%06lld", (long long)id);
  rc = crm__case_log(c, old, "follow_up", NULL, r->state,
                     crm__case_actor(op), NULL, detail, at);
  if(!rc)
    rc = crm__case_load(c, id, r);
  if(rc)
    return rc;
  snprintf(detail, sizeof(detail), "follows case C-%06lld", (long long)old);
  rc = crm__case_log(c, id, "follow_up", NULL, r->state,
                     crm__case_actor(op), NULL, detail, at);
  if(!rc && owner[0])
    rc = crm__case_keep_owner(c, r, owner, team, op, at);
  return rc;
}

/* A case that is over for a customer message (final, or Resolved past
 * complaints.reopen_days) sends it on to its latest follow-up, if any,
 * into *next (0: none): a customer writing twice after the end gets one
 * follow-up case, not one per message. */
static int crm__case_next_follow_up(crm *c, const crm__case_row *r,
                                    int64_t at, int64_t *next)
{
  const crm__cases_cfg *cc = crm__cases(c);
  const crm__component *comp = crm__case_handler_of(c, r);
  sqlite3_stmt *st;
  int rc;

  *next = 0;
  if(!comp)
    return c->errcode;
  if(crm__case_class(r->state) == CRM__CS_RESOLVED) {
    if(cc->reopen_days > 0 &&
       at - r->resolved_at <= (int64_t)cc->reopen_days * 86400)
      return CRM_OK;
  }
  else if(!crm__case_is_final(comp, r->state))
    return CRM_OK;
  st = crm__stmt(c, crm__sql_case_child);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, r->id);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW) {
    *next = sqlite3_column_int64(st, 0);
    rc = SQLITE_DONE;
  }
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "looking up a follow-up case");
  return CRM_OK;
}

/* Where a customer message goes; r becomes that case, moved as the
 * rules say. */
static int crm__case_customer_route(crm *c, crm__case_row *r,
                                    const char *text, const crm_case_op *op,
                                    int64_t at)
{
  const crm__cases_cfg *cc = crm__cases(c);
  const crm__component *comp;
  char detail[64];
  int hops, cls;
  int rc;

  for(hops = 0; hops < CRM__CASE_CHAIN_MAX; hops++) {
    int64_t next = 0;

    if(crm__case_class(r->state) == CRM__CS_DUPLICATE && r->merged_into)
      next = r->merged_into;
    else {
      rc = crm__case_next_follow_up(c, r, at, &next);
      if(rc)
        return rc;
    }
    if(!next)
      break;
    rc = crm__case_load(c, next, r);
    if(rc)
      return rc;
  }
  cls = crm__case_class(r->state);
  if(cls == CRM__CS_WAITING)
    return crm__case_move_tx(c, r, CRM_CASE_IN_PROGRESS, op, NULL);
  if(cls == CRM__CS_RESOLVED && cc && cc->reopen_days > 0 &&
     at - r->resolved_at <= (int64_t)cc->reopen_days * 86400) {
    r->reopen_count++;
    rc = crm__case_move_tx(c, r, CRM_CASE_IN_PROGRESS, op, NULL);
    if(rc)
      return rc;
    snprintf(detail, sizeof(detail), "reopened by the customer (reopen %d)",
             r->reopen_count);
    return crm__case_log(c, r->id, "reopen", NULL, r->state,
                         crm__case_actor(op), op ? op->why : NULL, detail,
                         at);
  }
  comp = crm__case_handler_of(c, r);
  if(!comp)
    return c->errcode;
  if(cls == CRM__CS_RESOLVED || crm__case_is_final(comp, r->state))
    return crm__case_follow_up(c, r, text, op, at);
  return CRM_OK;
}

/* An agent answered a New or Assigned case: someone works on it, so it
 * moves to In progress when the handler allows it (a refusal, CRM_ESTATE,
 * leaves the state as it was: the answer is kept all the same). */
static int crm__case_start_work(crm *c, crm__case_row *r,
                                const crm_case_op *op)
{
  int cls = crm__case_class(r->state);
  crm__case_row *keep;
  int rc;

  if(cls != CRM__CS_NEW && cls != CRM__CS_ASSIGNED)
    return CRM_OK;
  keep = crm__malloc(sizeof(*keep));
  if(!keep)
    return crm__err(c, CRM_ENOMEM, "out of memory answering a case");
  *keep = *r;
  rc = crm__tx_begin(c); /* a savepoint: a refusal is undone alone */
  if(!rc) {
    rc = crm__case_move_tx(c, r, CRM_CASE_IN_PROGRESS, op, NULL);
    if(!rc)
      rc = crm__tx_commit(c);
    else
      crm__tx_rollback(c);
  }
  if(rc == CRM_ESTATE) {
    crm__log(c, CRM_LOG_DEBUG, "case", "case %s stays %s after an answer: "
             "%s", keep->number, keep->state, crm_errmsg(c));
    *r = *keep;
    crm__clear_err(c);
    rc = CRM_OK;
  }
  crm__free(keep);
  return rc;
}

/* An agent's answer: queued to the customer, first response, wait (else
 * In progress). */
static int crm__case_agent(crm *c, crm__case_row *r, const char *text,
                           uint32_t flags, const crm_case_op *op, int64_t at,
                           int64_t *msg)
{
  const crm__component *comp = crm__case_handler_of(c, r);
  int rc = CRM_OK;

  if(!comp)
    return c->errcode;
  if(crm__case_is_final(comp, r->state))
    return crm__err(c, CRM_ESTATE, "case %s is %s: an answer goes on a new "
                    "case", r->number, r->state);
  if(!(flags & CRM_CASE_REPLY_RECORD))
    rc = crm__case_send(c, r, text, msg);
  if(!rc && !r->first_response_at) {
    r->first_response_at = at;
    rc = crm__case_save(c, r, at);
    if(!rc)
      rc = crm__sla_on_response(c, r, at);
  }
  if(!rc && (flags & CRM_CASE_REPLY_WAIT) &&
     crm__case_class(r->state) != CRM__CS_WAITING)
    rc = crm__case_move_tx(c, r, CRM_CASE_WAITING, op, NULL);
  else if(!rc)
    rc = crm__case_start_work(c, r, op);
  return rc;
}

static int crm__case_reply_tx(crm *c, crm__case_row *r, int kind,
                              const char *text, uint32_t flags,
                              const crm_case_op *op, int64_t *msg_id)
{
  int64_t at = crm__case_at(c, op);
  const char *author = op && op->actor && *op->actor ? op->actor
                       : kind == CRM_CASE_MSG_CUSTOMER ? "customer" : "api";
  int64_t message_id = 0;
  int rc = crm__case_check_at(c, r, at);

  if(rc)
    return rc;
  if(kind == CRM_CASE_MSG_CUSTOMER)
    rc = crm__case_customer_route(c, r, text, op, at);
  else if(kind == CRM_CASE_MSG_AGENT)
    rc = crm__case_agent(c, r, text, flags, op, at, &message_id);
  if(!rc)
    rc = crm__case_msg_insert(c, r->id, kind, author, text, message_id, at,
                              op ? op->idempotency_key : NULL, msg_id);
  return rc;
}

int crm_case_reply(crm *c, int64_t case_id, int kind, const char *text,
                   uint32_t flags, const crm_case_op *op, int64_t *out_case,
                   int64_t *out_msg)
{
  crm__case_row *r;
  int64_t msg = 0, landed = 0;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__case_reply_check(c, kind, text, flags, op);
  if(rc)
    return rc;
  r = crm__malloc(sizeof(*r));
  if(!r)
    return crm__err(c, CRM_ENOMEM, "out of memory writing a case message");
  rc = crm__tx_begin(c);
  if(!rc) {
    rc = crm__case_load(c, case_id, r);
    if(!rc)
      rc = crm__case_msg_seen(c, r, kind, text, op, &msg, &landed);
    if(!rc) {
      rc = crm__case_reply_tx(c, r, kind, text, flags, op, &msg);
      landed = r->id;
    }
    else if(rc == 1)
      rc = CRM_OK;
    if(!rc)
      rc = crm__tx_commit(c);
    else
      crm__tx_rollback(c);
  }
  crm__free(r);
  if(rc)
    return rc;
  if(out_case)
    *out_case = landed;
  if(out_msg)
    *out_msg = msg;
  return CRM_OK;
}

int crm_case_reply_find(crm *c, const char *key, int64_t *case_id,
                        int64_t *msg_id)
{
  sqlite3_stmt *st;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__check_text(c, "idempotency key", key, CRM_IDEM_KEY_MAX, 1);
  if(rc)
    return rc;
  st = crm__stmt(c, crm__sql_case_msg_key);
  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW) {
    if(msg_id)
      *msg_id = sqlite3_column_int64(st, 0);
    if(case_id)
      *case_id = sqlite3_column_int64(st, 1);
    sqlite3_reset(st);
    return CRM_OK;
  }
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "looking up case message idempotency key");
  return crm__err(c, CRM_ENOTFOUND, "no case message with idempotency key "
                  "\"%s\"", key);
}
