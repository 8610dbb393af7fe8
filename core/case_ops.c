/*
 * case_ops.c - what agents do to a case: move, assign, update (category,
 * priority), resolve (with service recovery), close, reject and merge.
 * Each is one transaction; a refusal (by the handler, the limits or the
 * rules here) changes nothing.
 *
 * A move to Resolved by name (crm_case_move_op) is a resolution as
 * crm_case_resolve makes it: the handler's compensation decision is
 * granted (the agent asked for none), the why defaults to "moved to
 * Resolved", and a case already Resolved stays as it is (0). A move out
 * of Resolved to a state that is not over is a reopen, as a customer's
 * message makes it: reopen_count + 1 and a "reopen" history line.
 */
#include <stdio.h>
#include <string.h>

#include "case_int.h"

static const char crm__sql_case_copy_msgs[] =
  "INSERT INTO case_messages(case_id, kind, author, body, message_id, at)"
  " SELECT ?2, kind, author, '[from ' || ?3 || '] ' || body, message_id, at"
  " FROM case_messages WHERE case_id = ?1 ORDER BY id";

/* actor and why of an op; why_what names a required why ("why"). */
static int crm__case_check_op(crm *c, const crm_case_op *op,
                              const char *why_what)
{
  int rc;

  if(op && op->actor) {
    rc = crm__case_check_name(c, "actor", op->actor);
    if(rc)
      return rc;
  }
  if(op && op->at < 0)
    return crm__err(c, CRM_EINVAL, "time is negative");
  return crm__check_text(c, why_what ? why_what : "why", op ? op->why : NULL,
                         CRM__CASE_NOTE_MAX, why_what != NULL);
}

/* The arguments of an operation (each uses its own). */
typedef struct crm__case_args {
  const char *to;                  /* move: the state asked for */
  const char *owner;               /* assign */
  const char *team;                /* assign: NULL keeps it */
  const char *category;            /* update: NULL keeps it */
  int priority;                    /* update: 0 keeps it */
  const crm_case_resolution *res;  /* resolve */
  int64_t into_id;                 /* merge: the case kept */
  crm__case_row *into;             /* merge: its row, loaded here */
  const crm_case_op *op;
} crm__case_args;

/* The work of an operation on a loaded case, inside its transaction. */
typedef int (*crm__case_fn)(crm *c, crm__case_row *r, const crm__case_args *a);

/* One operation on case case_id as one transaction: loads the row, runs
 * fn(c, row, a), commits on 0 and rolls back otherwise. what names the
 * operation in the out-of-memory message ("moving a case"). */
static int crm__case_with(crm *c, int64_t case_id, const char *what,
                          crm__case_fn fn, const crm__case_args *a)
{
  crm__case_row *r;
  int rc;

  r = crm__malloc(sizeof(*r));
  if(!r)
    return crm__err(c, CRM_ENOMEM, "out of memory %s", what);
  rc = crm__tx_begin(c);
  if(!rc) {
    rc = crm__case_load(c, case_id, r);
    if(!rc)
      rc = fn(c, r, a);
    if(!rc)
      rc = crm__tx_commit(c);
    else
      crm__tx_rollback(c);
  }
  crm__free(r);
  return rc;
}

/* ---- move, close, reject ------------------------------------------------ */

/* A plain move (no compensation). */
static int crm__case_move_fn(crm *c, crm__case_row *r,
                             const crm__case_args *a)
{
  return crm__case_move_tx(c, r, a->to, a->op, NULL);
}

static int crm__case_move_simple(crm *c, int64_t case_id, const char *to,
                                 const crm_case_op *op)
{
  crm__case_args a = { .to = to, .op = op };

  return crm__case_with(c, case_id, "moving a case", crm__case_move_fn, &a);
}

/* A case leaving Resolved for a state that is not over was reopened by
 * hand: it counts as a customer's reopen does. */
static int crm__case_manual_reopen(crm *c, crm__case_row *r, int from_cls,
                                   const crm_case_op *op)
{
  const crm__component *comp;
  int64_t at = crm__case_at(c, op);
  char detail[CRM__CASE_ACTOR_MAX + 48];
  int cls = crm__case_class(r->state);
  int rc;

  if(from_cls != CRM__CS_RESOLVED || cls == CRM__CS_RESOLVED)
    return CRM_OK;
  comp = crm__case_handler_of(c, r);
  if(!comp)
    return c->errcode;
  if(crm__case_is_final(comp, r->state))
    return CRM_OK;
  r->reopen_count++;
  rc = crm__case_save(c, r, at);
  if(rc)
    return rc;
  snprintf(detail, sizeof(detail), "reopened by %s (reopen %d)",
           crm__case_actor(op), r->reopen_count);
  return crm__case_log(c, r->id, "reopen", NULL, r->state,
                       crm__case_actor(op), op ? op->why : NULL, detail, at);
}

static int crm__case_resolve_tx(crm *c, crm__case_row *r,
                                const crm_case_resolution *res);

/* A move asked for by name: to Resolved it is a resolution (the
 * handler's compensation is granted, the agent asked for none; why
 * defaults to "moved to Resolved"); out of Resolved, a reopen. */
static int crm__case_move_named_fn(crm *c, crm__case_row *r,
                                   const crm__case_args *a)
{
  crm_case_resolution res;
  int from_cls = crm__case_class(r->state);
  int rc;

  if(crm__case_class(a->to) == CRM__CS_RESOLVED) {
    memset(&res, 0, sizeof(res));
    if(a->op)
      res.op = *a->op;
    if(!res.op.why || !*res.op.why)
      res.op.why = "moved to Resolved";
    return crm__case_resolve_tx(c, r, &res);
  }
  rc = crm__case_move_tx(c, r, a->to, a->op, NULL);
  if(!rc)
    rc = crm__case_manual_reopen(c, r, from_cls, a->op);
  return rc;
}

int crm_case_move_op(crm *c, int64_t case_id, const char *to_state,
                     const crm_case_op *op)
{
  crm__case_args a = { .to = to_state, .op = op };
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__check_text(c, "state", to_state, 31, 1);
  if(!rc)
    rc = crm__case_check_op(c, op, NULL);
  if(rc)
    return rc;
  if(crm__case_class(to_state) == CRM__CS_DUPLICATE)
    return crm__err(c, CRM_EINVAL, "a case becomes a Duplicate by a merge "
                    "into another case (crm_case_merge)");
  return crm__case_with(c, case_id, "moving a case", crm__case_move_named_fn,
                        &a);
}

int crm_case_close(crm *c, int64_t case_id, const crm_case_op *op)
{
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__case_check_op(c, op, NULL);
  if(rc)
    return rc;
  return crm__case_move_simple(c, case_id, CRM_CASE_CLOSED, op);
}

int crm_case_reject(crm *c, int64_t case_id, const crm_case_op *op)
{
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__case_check_op(c, op, "why (the reason for the rejection)");
  if(rc)
    return rc;
  return crm__case_move_simple(c, case_id, CRM_CASE_REJECTED, op);
}

/* ---- assign -------------------------------------------------------------- */

static int crm__case_check_team(crm *c, const char *team)
{
  const crm__cases_cfg *cc = crm__cases(c);
  int rc;

  if(!team)
    return CRM_OK;
  rc = crm__check_text(c, "team", team, CRM__CASE_TEAM_MAX, 0);
  if(rc || !*team || !cc || !cc->n_teams)
    return rc;
  if(!crm__cases_team(cc, team))
    return crm__err(c, CRM_ENOTFOUND, "unknown team \"%s\" "
                    "(complaints.teams)", team);
  return CRM_OK;
}

int crm__case_assign_tx(crm *c, crm__case_row *r, const char *owner,
                        const char *team, const crm_case_op *op)
{
  const crm__component *comp = crm__case_handler_of(c, r);
  int64_t at = crm__case_at(c, op);
  char detail[256];
  int team_changed = team && strcmp(team, r->team) != 0;
  int owner_changed = strcmp(owner, r->owner) != 0;
  int len;
  int rc;

  if(!comp)
    return c->errcode;
  rc = crm__case_check_at(c, r, at);
  if(rc)
    return rc;
  if(crm__case_is_final(comp, r->state))
    return crm__err(c, CRM_ESTATE, "case %s is %s: it cannot be assigned",
                    r->number, r->state);
  if(r->owner[0])
    len = snprintf(detail, sizeof(detail), "owner %s -> %s", r->owner, owner);
  else
    len = snprintf(detail, sizeof(detail), "owner %s", owner);
  if(team_changed && len > 0 && (size_t)len < sizeof(detail))
    snprintf(detail + len, sizeof(detail) - (size_t)len, "; team %s -> %s",
             r->team[0] ? r->team : "(none)", *team ? team : "(none)");
  snprintf(r->owner, sizeof(r->owner), "%s", owner);
  if(team_changed)
    snprintf(r->team, sizeof(r->team), "%s", team);
  if(owner_changed || team_changed) {
    rc = crm__case_save(c, r, at);
    if(!rc)
      rc = crm__case_log(c, r->id, "assign", NULL, r->state,
                         crm__case_actor(op), op ? op->why : NULL, detail,
                         at);
    /* no teams configured: a team is a label, no SLA calendar */
    if(!rc && team_changed && crm__cases(c)->n_teams)
      rc = crm__sla_on_change(c, r, at);
    if(rc)
      return rc;
  }
  if(crm__case_class(r->state) == CRM__CS_NEW)
    return crm__case_move_tx(c, r, CRM_CASE_ASSIGNED, op, NULL);
  return CRM_OK;
}

static int crm__case_assign_fn(crm *c, crm__case_row *r,
                               const crm__case_args *a)
{
  return crm__case_assign_tx(c, r, a->owner, a->team, a->op);
}

int crm_case_assign(crm *c, int64_t case_id, const char *owner,
                    const char *team, const crm_case_op *op)
{
  crm__case_args a = { .owner = owner, .team = team, .op = op };
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__case_check_name(c, "owner", owner);
  if(!rc)
    rc = crm__case_check_team(c, team);
  if(!rc)
    rc = crm__case_check_op(c, op, NULL);
  if(rc)
    return rc;
  return crm__case_with(c, case_id, "assigning a case", crm__case_assign_fn,
                        &a);
}

/* ---- update (category, priority) ------------------------------------------ */

static int crm__case_update_tx(crm *c, crm__case_row *r, const char *category,
                               int priority, const crm_case_op *op)
{
  const crm__component *comp = crm__case_handler_of(c, r);
  int64_t at = crm__case_at(c, op);
  char old_cat[sizeof(r->category)];
  int old_prio = r->priority;
  int rc;

  if(!comp)
    return c->errcode;
  rc = crm__case_check_at(c, r, at);
  if(rc)
    return rc;
  if(crm__case_is_final(comp, r->state))
    return crm__err(c, CRM_ESTATE, "case %s is %s: its category and "
                    "priority cannot change", r->number, r->state);
  memcpy(old_cat, r->category, sizeof(old_cat));
  if(category)
    snprintf(r->category, sizeof(r->category), "%s", category);
  if(priority)
    r->priority = priority;
  if(!strcmp(old_cat, r->category) && old_prio == r->priority)
    return CRM_OK; /* nothing to change */
  rc = crm__case_save(c, r, at);
  if(!rc)
    rc = crm__case_log_class(c, r, old_cat, old_prio, op, at);
  return rc;
}

static int crm__case_update_fn(crm *c, crm__case_row *r,
                               const crm__case_args *a)
{
  return crm__case_update_tx(c, r, a->category, a->priority, a->op);
}

int crm_case_update(crm *c, int64_t case_id, const char *category,
                    int priority, const crm_case_op *op)
{
  crm__case_args a = { .category = category, .priority = priority,
                       .op = op };
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = category ? crm__check_text(c, "category", category,
                                  CRM__CASE_CATEGORY_MAX, 1) : CRM_OK;
  if(!rc)
    rc = crm__case_check_op(c, op, NULL);
  if(rc)
    return rc;
  if(priority < 0 || priority > 4)
    return crm__err(c, CRM_ERANGE, "priority must be 1 (urgent) .. 4 (low), "
                    "or 0 to keep it (got %d)", priority);
  return crm__case_with(c, case_id, "updating a case", crm__case_update_fn,
                        &a);
}

/* ---- resolve --------------------------------------------------------------- */

static int crm__case_resolve_tx(crm *c, crm__case_row *r,
                                const crm_case_resolution *res)
{
  crm_case_decision d;
  int rc;

  if(crm__case_class(r->state) == CRM__CS_RESOLVED)
    return CRM_OK; /* already resolved: nothing again */
  memset(&d, 0, sizeof(d));
  d.struct_size = sizeof(d);
  d.comp_points = res->comp_points;
  if(res->comp_item)
    snprintf(d.comp_item, sizeof(d.comp_item), "%s", res->comp_item);
  rc = crm__case_move_tx(c, r, CRM_CASE_RESOLVED, &res->op, &d);
  if(!rc)
    rc = crm__recovery_grant(c, r, &d, res->scheme, crm__case_actor(&res->op),
                             crm__case_at(c, &res->op));
  return rc;
}

static int crm__case_resolve_fn(crm *c, crm__case_row *r,
                                const crm__case_args *a)
{
  return crm__case_resolve_tx(c, r, a->res);
}

int crm_case_resolve(crm *c, int64_t case_id, const crm_case_resolution *res)
{
  crm__case_args a = { .res = res };
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(!res)
    return crm__err(c, CRM_EINVAL, "no resolution given");
  rc = crm__case_check_op(c, &res->op, "why (the resolution)");
  if(!rc)
    rc = crm__check_text(c, "compensation item", res->comp_item, 32, 0);
  if(!rc)
    rc = crm__check_text(c, "scheme", res->scheme, 64, 0);
  if(rc)
    return rc;
  if(res->comp_points < 0)
    return crm__err(c, CRM_EINVAL, "compensation points are negative (%lld)",
                    (long long)res->comp_points);
  return crm__case_with(c, case_id, "resolving a case", crm__case_resolve_fn,
                        &a);
}

/* ---- merge ----------------------------------------------------------------- */

/* Refuses a merge the rules forbid. */
static int crm__case_merge_check(crm *c, const crm__case_row *dup,
                                 const crm__case_row *into)
{
  const crm__component *hd = crm__case_handler_of(c, dup);
  const crm__component *hi = hd ? crm__case_handler_of(c, into) : NULL;
  crm__case_row *walk;
  int64_t next = into->merged_into;
  int hops = 0;
  int rc = CRM_OK;

  if(!hi)
    return c->errcode;
  if(dup->customer_id != into->customer_id)
    return crm__err(c, CRM_EINVAL, "cannot merge %s into %s: they belong to "
                    "different customers", dup->number, into->number);
  if(crm__case_is_final(hd, dup->state))
    return crm__err(c, CRM_ESTATE, "cannot merge %s: it is %s", dup->number,
                    dup->state);
  if(crm__case_is_final(hi, into->state))
    return crm__err(c, CRM_ESTATE, "cannot merge into %s: it is %s",
                    into->number, into->state);
  walk = next ? crm__malloc(sizeof(*walk)) : NULL;
  if(next && !walk)
    return crm__err(c, CRM_ENOMEM, "out of memory merging cases");
  for(; next && !rc && hops < 64; hops++) {
    if(next == dup->id) {
      rc = crm__err(c, CRM_EINVAL, "cannot merge %s into %s: %s was merged "
                    "into %s", dup->number, into->number, into->number,
                    dup->number);
      break;
    }
    rc = crm__case_load(c, next, walk);
    if(!rc)
      next = walk->merged_into;
  }
  crm__free(walk);
  return rc;
}

static int crm__case_merge_tx(crm *c, crm__case_row *dup, crm__case_row *into,
                              const crm_case_op *op)
{
  const char *actor = crm__case_actor(op);
  int64_t at = crm__case_at(c, op);
  sqlite3_stmt *st;
  char detail[64];
  int rc;

  rc = crm__case_merge_check(c, dup, into);
  if(!rc)
    rc = crm__case_check_at(c, dup, at);
  if(!rc)
    rc = crm__case_check_at(c, into, at);
  if(rc)
    return rc;
  st = crm__stmt(c, crm__sql_case_copy_msgs);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, dup->id);
  sqlite3_bind_int64(st, 2, into->id);
  sqlite3_bind_text(st, 3, dup->number, -1, SQLITE_STATIC);
  rc = crm__step_end(c, st, "copying case messages");
  if(rc)
    return rc;
  dup->merged_into = into->id;
  rc = crm__case_move_tx(c, dup, CRM_CASE_DUPLICATE, op, NULL);
  if(rc)
    return rc;
  snprintf(detail, sizeof(detail), "merged into %s", into->number);
  rc = crm__case_log(c, dup->id, "merge", NULL, dup->state, actor,
                     op ? op->why : NULL, detail, at);
  if(rc)
    return rc;
  snprintf(detail, sizeof(detail), "%s merged into this case", dup->number);
  rc = crm__case_log(c, into->id, "merge", NULL, into->state, actor,
                     op ? op->why : NULL, detail, at);
  if(!rc)
    rc = crm__case_save(c, into, at);
  return rc;
}

static int crm__case_merge_fn(crm *c, crm__case_row *dup,
                              const crm__case_args *a)
{
  int rc;

  rc = crm__case_load(c, a->into_id, a->into);
  if(!rc)
    rc = crm__case_merge_tx(c, dup, a->into, a->op);
  return rc;
}

int crm_case_merge(crm *c, int64_t dup, int64_t into, const crm_case_op *op)
{
  crm__case_args a = { .into_id = into, .op = op };
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__case_check_op(c, op, NULL);
  if(rc)
    return rc;
  if(dup == into)
    return crm__err(c, CRM_EINVAL, "cannot merge case C-%06lld into itself",
                    (long long)dup);
  a.into = crm__calloc(1, sizeof(*a.into));
  if(!a.into)
    return crm__err(c, CRM_ENOMEM, "out of memory merging cases");
  rc = crm__case_with(c, dup, "merging cases", crm__case_merge_fn, &a);
  crm__free(a.into);
  return rc;
}
