/*
 * case_triage.c - triage components (SDK 1.5): complaint components with
 * classify and no states. On a new case the core runs each loaded one in
 * load order before the handler's open; crm_case_train lets them learn
 * from the closed cases.
 *
 * Merging: every triage component sees the case as the caller gave it
 * (its category and priority, or "" and the default when none was
 * given). What the caller gave is kept; the category and the priority
 * come from the last component that set them; the reasons of all of
 * them are joined with "; " (cut to the decision's 255 bytes). A triage
 * component that fails is logged as a warning and left out: a classifier
 * never stops a complaint from being taken.
 */
#include <stdio.h>
#include <string.h>

#include "case_int.h"

static const char crm__sql_triage_clear_figures[] =
  "DELETE FROM score_figures WHERE model = ?1";

int crm__complaint_is_triage(const crm__component *comp)
{
  const crm_complaint_v1 *vt;

  if(!comp || comp->kind != CRM_KIND_COMPLAINT)
    return 0;
  vt = &comp->vt.complaint;
  return !vt->states && !vt->open && !vt->transition && vt->classify;
}

/* Appends "; " and s to the reason (cut on a character boundary). */
static void crm__reason_add(char *reason, size_t size, const char *s)
{
  size_t len = strlen(reason);
  size_t n;

  if(!s || !*s)
    return;
  if(len && len + 2 < size) {
    memcpy(reason + len, "; ", 2);
    len += 2;
  }
  if(len + 1 >= size)
    return;
  n = strlen(s);
  if(n > size - 1 - len) {
    n = size - 1 - len;
    while(n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
      n--;
  }
  memcpy(reason + len, s, n);
  reason[len + n] = '\0';
}

/* One triage component's classify; 0 and *ok = 1 when out is usable. */
static int crm__triage_one(crm *c, crm__component *comp,
                           const crm_case_view *v, crm_case_decision *out,
                           int *ok)
{
  crm__plugin *pl = comp->plugin;
  int rc;

  *ok = 0;
  memset(out, 0, sizeof(*out));
  out->struct_size = sizeof(*out);
  crm__hctx_reset(&pl->hctx);
  pl->hctx.cur_component = comp->name;
  rc = comp->vt.complaint.classify(pl->state, &pl->hctx, v, out);
  pl->hctx.cur_component = NULL;
  out->category[sizeof(out->category) - 1] = '\0';
  out->reason[sizeof(out->reason) - 1] = '\0';
  if(rc) {
    crm__log(c, CRM_LOG_WARN, "case", "case %s: triage \"%s\" failed "
             "(%d: %s); left out", v->number ? v->number : "?", comp->name,
             rc, pl->hctx.errmsg[0] ? pl->hctx.errmsg : crm_strerror(rc));
    return CRM_OK;
  }
  if(out->priority < 0 || out->priority > 4) {
    crm__log(c, CRM_LOG_WARN, "case", "case %s: triage \"%s\" gave "
             "priority %d, outside 1..4; left out",
             v->number ? v->number : "?", comp->name, out->priority);
    return CRM_OK;
  }
  if(out->category[0] &&
     crm__check_text(c, "triage category", out->category,
                     CRM__CASE_CATEGORY_MAX, 0)) {
    crm__log(c, CRM_LOG_WARN, "case", "case %s: triage \"%s\": %s; left "
             "out", v->number ? v->number : "?", comp->name, crm_errmsg(c));
    crm__clear_err(c);
    return CRM_OK;
  }
  *ok = 1;
  return CRM_OK;
}

int crm__case_triage(crm *c, const crm__case_row *r, int given_category,
                     int given_priority, const char *actor,
                     crm_case_decision *d)
{
  crm_case_decision one;
  crm_case_view v;
  size_t i;
  int ok;
  int rc;

  memset(d, 0, sizeof(*d));
  d->struct_size = sizeof(*d);
  if(given_category)
    snprintf(d->category, sizeof(d->category), "%s", r->category);
  if(given_priority)
    d->priority = r->priority;
  for(i = 0; i < c->n_comps; i++) {
    crm__component *comp = &c->comps[i];

    if(!comp->plugin->running || !crm__complaint_is_triage(comp))
      continue;
    crm__case_view_fill(r, &v);
    v.customer_text = r->summary;
    v.actor = actor && *actor ? actor : "api";
    rc = crm__triage_one(c, comp, &v, &one, &ok);
    if(rc)
      return rc;
    if(!ok)
      continue;
    if(!given_category && one.category[0])
      memcpy(d->category, one.category, sizeof(d->category));
    if(!given_priority && one.priority)
      d->priority = one.priority;
    crm__reason_add(d->reason, sizeof(d->reason), one.reason);
  }
  return CRM_OK;
}

/* ---- crm_case_train ------------------------------------------------------ */

static int crm__triage_clear_figures(crm *c, const char *model)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_triage_clear_figures);

  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
  return crm__step_end(c, st, "clearing old figures");
}

static int crm__train_one(crm *c, crm__component *comp, int64_t as_of)
{
  crm__plugin *pl = comp->plugin;
  crm_fit_request req;
  int rc;

  /* the figures of the last training are replaced, as a fit's are */
  rc = crm__triage_clear_figures(c, comp->name);
  if(rc)
    return rc;
  memset(&req, 0, sizeof(req));
  req.struct_size = sizeof(req);
  req.as_of = as_of;
  c->fit_model = comp->name;
  crm__hctx_reset(&pl->hctx);
  pl->hctx.cur_component = comp->name;
  rc = comp->vt.complaint.train(pl->state, &pl->hctx, &req);
  pl->hctx.cur_component = NULL;
  c->fit_model = NULL;
  if(rc)
    return crm__plugin_call_failed(c, comp, rc, "train");
  crm__log(c, CRM_LOG_INFO, "case", "triage \"%s\" trained as of %lld",
           comp->name, (long long)as_of);
  return CRM_OK;
}

int crm_case_train(crm *c, int64_t as_of)
{
  size_t i;
  size_t n = 0;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(as_of < 0)
    return crm__err(c, CRM_EINVAL, "as_of is negative (%lld)",
                    (long long)as_of);
  if(!as_of)
    as_of = crm_now(c);
  for(i = 0; i < c->n_comps; i++) {
    const crm__component *comp = &c->comps[i];

    if(comp->plugin->running && crm__complaint_is_triage(comp) &&
       comp->vt.complaint.train)
      n++;
  }
  if(!n)
    return crm__err(c, CRM_ENOTFOUND, "no triage component that can learn "
                    "is loaded");
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  for(i = 0; i < c->n_comps && !rc; i++) {
    crm__component *comp = &c->comps[i];

    if(comp->plugin->running && crm__complaint_is_triage(comp) &&
       comp->vt.complaint.train)
      rc = crm__train_one(c, comp, as_of);
  }
  if(!rc)
    rc = crm__tx_commit(c);
  else
    crm__tx_rollback(c);
  return rc;
}
