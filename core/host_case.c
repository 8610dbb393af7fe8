/*
 * host_case.c - host->cases_walk (SDK 1.5): the complaint cases a plugin
 * may learn from (triage's train) or look at.
 *
 * The filter: one customer or all; CRM_CASES_CLOSED keeps only the cases
 * in a final state of their handler (Closed, Rejected, or the last state
 * of a 1.0-1.4 handler's list) that are not Duplicates (a merged case
 * says nothing of its own); when the handler is not loaded any more, a
 * case with closed_at set counts as final. since/until bound opened_at.
 * Cases come in id order. Each view is filled as crm__case_view_fill
 * does, plus customer_text (the summary, then the customer's own
 * messages, kind CRM_CASE_MSG_CUSTOMER, in order, one per line, cut at
 * CRM__CASE_TEXT_MAX bytes on a character boundary:
 * crm__case_customer_text, as the handler gets it) and closed_at.
 *
 * The walk's statement is a fresh one (crm__stmt_fresh) and every view
 * is a copy in this frame, so a callback may call host services, this
 * walk included.
 */
#include <string.h>

#include "case_int.h"

#define CRM__CASE_FILTER_SIZE_15                                            \
  (offsetof(crm_case_filter, until) + sizeof(int64_t))

/* all cases: a scan in id order; one customer's: the cases_customer
 * index (customer_id, id), no scan */
static const char crm__sql_cases_walk[] =
  "SELECT id FROM cases"
  " WHERE opened_at >= ?2 AND (?3 = 0 OR opened_at < ?3)"
  " ORDER BY id";
static const char crm__sql_cases_walk_cust[] =
  "SELECT id FROM cases"
  " WHERE customer_id = ?1"
  " AND opened_at >= ?2 AND (?3 = 0 OR opened_at < ?3)"
  " ORDER BY id";

/* Whether r is closed for CRM_CASES_CLOSED. */
static int crm__case_walk_closed(crm *c, const crm__case_row *r)
{
  const crm__component *h;

  if(crm__case_class(r->state) == CRM__CS_DUPLICATE)
    return 0;
  h = crm__component_find(c, CRM_KIND_COMPLAINT, r->handler);
  if(h && !crm__complaint_is_triage(h))
    return crm__case_is_final(h, r->state);
  return r->closed_at != 0;
}

/* Loads case id and calls cb with its view; 0 or cb's / a failure code. */
static int crm__case_walk_one(crm *c, int64_t id, uint32_t flags,
                              crm_case_cb cb, void *ud)
{
  crm__case_row r;
  crm_case_view v;
  char text[CRM__CASE_TEXT_MAX + 1];
  int rc;

  rc = crm__case_load(c, id, &r);
  if(rc)
    return rc;
  if((flags & CRM_CASES_CLOSED) && !crm__case_walk_closed(c, &r))
    return CRM_OK;
  rc = crm__case_customer_text(c, &r, text, sizeof(text));
  if(rc)
    return rc;
  crm__case_view_fill(&r, &v);
  v.customer_text = text;
  v.closed_at = r.closed_at;
  return cb(ud, &v);
}

static int crm__cases_walk(crm *c, const crm_case_filter *f, crm_case_cb cb,
                           void *ud)
{
  sqlite3_stmt *st;
  int rc;
  int stop = 0;

  if(!cb)
    return crm__err(c, CRM_EINVAL, "case walk has no callback");
  if(!f || f->struct_size < CRM__CASE_FILTER_SIZE_15)
    return crm__err(c, CRM_EINVAL, "case filter struct_size %u is smaller "
                    "than sdk 1.5's %u", f ? f->struct_size : 0u,
                    (unsigned)CRM__CASE_FILTER_SIZE_15);
  if(f->customer_id < 0 || f->since < 0 || f->until < 0)
    return crm__err(c, CRM_EINVAL, "case filter customer_id, since and "
                    "until must not be negative");
  if(f->flags & ~CRM_CASES_CLOSED)
    return crm__err(c, CRM_EINVAL, "case filter flags 0x%x: unknown bits",
                    (unsigned)f->flags);
  st = crm__stmt_fresh(c, f->customer_id ? crm__sql_cases_walk_cust
                                          : crm__sql_cases_walk);
  if(!st)
    return c->errcode;
  if(f->customer_id)
    sqlite3_bind_int64(st, 1, f->customer_id);
  sqlite3_bind_int64(st, 2, f->since);
  sqlite3_bind_int64(st, 3, f->until);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    stop = crm__case_walk_one(c, sqlite3_column_int64(st, 0), f->flags, cb,
                              ud);
    if(stop)
      break;
  }
  crm__stmt_done(c, st);
  if(stop)
    return stop;
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "walking cases");
  return CRM_OK;
}

int crm__host_cases_walk(crm_host_ctx *ctx, const crm_case_filter *f,
                         crm_case_cb cb, void *ud)
{
  crm *c;
  int saved_code;
  char saved_msg[CRM__ERRMSG_SIZE];
  int rc;

  if(!ctx)
    return CRM_EINVAL;
  c = ctx->c;
  saved_code = c->errcode;
  memcpy(saved_msg, c->errmsg, sizeof(saved_msg));
  crm__clear_err(c);
  rc = crm__cases_walk(c, f, cb, ud);
  /* as customers_walk: a callback's own stop value is passed back as it
   * is; the walk's own failure goes to the ctx for the plugin */
  if(rc && c->errcode) {
    ctx->errcode = rc;
    memcpy(ctx->errmsg, c->errmsg, sizeof(ctx->errmsg));
    ctx->errmsg_named = 0;
  }
  c->errcode = saved_code;
  memcpy(c->errmsg, saved_msg, sizeof(c->errmsg));
  return rc;
}
