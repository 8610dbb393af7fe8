/*
 * score_fit.c - the fit step of scoring components, model figures and
 * the record of fits (crm_score_fit, crm_figures_foreach, ...).
 *
 * A fit runs in one transaction: the model's figures and scores are
 * cleared (the scores unless CRM_FIT_NO_SCORE), the component's fit
 * stores figures and scores through the host, and a score_fits row
 * records the figures at the end. A failure or a cancel from the
 * progress callback rolls everything back, so the old figures and scores
 * stay.
 */
#include <string.h>

#include "crm_int.h"

static const char crm__sql_fit_clear[] =
  "DELETE FROM scores WHERE model = ?1";
static const char crm__sql_fit_clear_figures[] =
  "DELETE FROM score_figures WHERE model = ?1";
static const char crm__sql_fit_record[] =
  "INSERT INTO score_fits(model, as_of, started_at, finished_at, n_scored,"
  " figures)"
  " SELECT ?1, ?2, ?3, ?4,"
  " CASE WHEN ?5 THEN (SELECT count(DISTINCT customer_id) FROM scores"
  "  WHERE model = ?1) ELSE 0 END,"
  " (SELECT json_group_object(name, value) FROM"
  "   (SELECT name, value FROM score_figures WHERE model = ?1"
  "    ORDER BY name))"
  " RETURNING n_scored";
static const char crm__sql_fits_all[] =
  "SELECT id, model, as_of, started_at, finished_at, n_scored, figures"
  " FROM score_fits ORDER BY id DESC";
static const char crm__sql_fits_one[] =
  "SELECT id, model, as_of, started_at, finished_at, n_scored, figures"
  " FROM score_fits WHERE model = ?1 ORDER BY id DESC";
static const char crm__sql_figures_all[] =
  "SELECT model, name, value, label, computed_at FROM score_figures"
  " ORDER BY model, name";
static const char crm__sql_figures_one[] =
  "SELECT model, name, value, label, computed_at FROM score_figures"
  " WHERE model = ?1 ORDER BY model, name";
static const char crm__sql_figure_get[] =
  "SELECT value FROM score_figures WHERE model = ?1 AND name = ?2";
static const char crm__sql_score_get[] =
  "SELECT value FROM scores"
  " WHERE customer_id = ?1 AND model = ?2 AND name = ?3";

/* ---- crm_score_fit --------------------------------------------------------- */

static int crm__fit_clear(crm *c, const char *sql, const char *model,
                          const char *what)
{
  sqlite3_stmt *st = crm__stmt(c, sql);

  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
  return crm__step_end(c, st, what);
}

/* Records the fit; n_scored: the customers with scores of the model
 * (0 for a fit without scoring). */
static int crm__fit_record(crm *c, const char *model, int64_t as_of,
                           int64_t started, int scored, size_t *n_scored)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_fit_record);
  int64_t n = 0;
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, as_of);
  sqlite3_bind_int64(st, 3, started);
  sqlite3_bind_int64(st, 4, crm_now(c));
  sqlite3_bind_int(st, 5, scored);
  rc = crm__step_row(c, st, &n, 1, "recording a fit");
  if(!rc)
    *n_scored = (size_t)n;
  return rc;
}

/* The plugin's fit with the progress callback wired to the handle. */
static int crm__fit_call(crm *c, crm__component *comp, int64_t as_of,
                         unsigned flags, crm_progress_fn progress, void *ud)
{
  crm__plugin *pl = comp->plugin;
  crm_fit_request req;
  int rc;

  memset(&req, 0, sizeof(req));
  req.struct_size = sizeof(req);
  req.as_of = as_of;
  req.flags = (flags & CRM_FIT_NO_SCORE) ? 0 : CRM_FIT_SCORE;
  c->fit_progress = progress;
  c->fit_progress_ud = ud;
  c->fit_model = comp->name;
  c->fit_canceled = 0;
  crm__hctx_reset(&pl->hctx);
  pl->hctx.cur_component = comp->name;
  rc = comp->vt.scoring.fit(pl->state, &pl->hctx, &req);
  pl->hctx.cur_component = NULL;
  c->fit_progress = NULL;
  c->fit_progress_ud = NULL;
  c->fit_model = NULL;
  /* the user asked to stop: whatever the plugin made of it */
  if(c->fit_canceled) {
    c->fit_canceled = 0;
    return crm__err(c, CRM_ECANCELED, "fit of \"%s\" canceled", comp->name);
  }
  if(rc)
    return crm__plugin_call_failed(c, comp, rc, "fit");
  return CRM_OK;
}

static int crm__fit_tx(crm *c, crm__component *comp, int64_t as_of,
                       unsigned flags, crm_progress_fn progress, void *ud,
                       size_t *n)
{
  int64_t started = crm_now(c);
  int rc;

  /* the fit's figures replace the last fit's: none is left over from a
   * fit that wrote more (a failed fit rolls this back with the rest) */
  rc = crm__fit_clear(c, crm__sql_fit_clear_figures, comp->name,
                      "clearing old figures");
  if(!rc && !(flags & CRM_FIT_NO_SCORE))
    rc = crm__fit_clear(c, crm__sql_fit_clear, comp->name,
                        "clearing old scores");
  if(!rc)
    rc = crm__fit_call(c, comp, as_of, flags, progress, ud);
  if(!rc)
    rc = crm__fit_record(c, comp->name, as_of, started,
                         !(flags & CRM_FIT_NO_SCORE), n);
  return rc;
}

static int crm__fit_find(crm *c, const char *model, crm__component **out)
{
  crm__component *comp;

  if(!model || !*model)
    return crm__err(c, CRM_EINVAL, "no model named to fit");
  comp = crm__component_find(c, CRM_KIND_SCORING, model);
  if(!comp)
    return crm__err(c, CRM_ENOTFOUND, "no scoring component \"%s\" is "
                    "loaded", model);
  if(!comp->vt.scoring.fit)
    return crm__err(c, CRM_ENOTSUP, "scoring component \"%s\" has no fit "
                    "step", model);
  *out = comp;
  return CRM_OK;
}

int crm_score_fit(crm *c, const char *model, int64_t as_of, unsigned flags,
                  crm_progress_fn progress, void *ud, size_t *n_scored)
{
  crm__component *comp = NULL;
  int64_t now;
  size_t n = 0;
  int rc;

  if(n_scored)
    *n_scored = 0;
  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(c->fit_model)
    return crm__err(c, CRM_ESTATE, "a fit of \"%s\" is running",
                    c->fit_model);
  rc = crm__fit_find(c, model, &comp);
  if(rc)
    return rc;
  if(flags & ~(unsigned)CRM_FIT_NO_SCORE)
    return crm__err(c, CRM_EINVAL, "unknown fit flags 0x%x", flags);
  now = crm_now(c);
  if(as_of <= 0)
    as_of = now;
  if(as_of > now)
    return crm__err(c, CRM_EINVAL, "fit as of %lld is in the future (now "
                    "is %lld)", (long long)as_of, (long long)now);
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  rc = crm__fit_tx(c, comp, as_of, flags, progress, ud, &n);
  if(!rc)
    rc = crm__tx_commit(c);
  else
    crm__tx_rollback(c);
  if(rc)
    return rc;
  if(n_scored)
    *n_scored = n;
  return CRM_OK;
}

/* ---- reading fits and figures --------------------------------------------- */

int crm_score_fits_foreach(crm *c, const char *model,
                           int (*cb)(void *ud, const crm_score_fit_info *),
                           void *ud)
{
  crm_score_fit_info f;
  sqlite3_stmt *st;
  int rc;
  int stop = 0;

  if(!c || !cb)
    return CRM_EINVAL;
  crm__clear_err(c);
  st = crm__stmt_fresh(c, model ? crm__sql_fits_one : crm__sql_fits_all);
  if(!st)
    return c->errcode;
  if(model)
    sqlite3_bind_text(st, 1, model, -1, SQLITE_TRANSIENT);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    f.id = sqlite3_column_int64(st, 0);
    f.model = (const char *)sqlite3_column_text(st, 1);
    f.as_of = sqlite3_column_int64(st, 2);
    f.started_at = sqlite3_column_int64(st, 3);
    f.finished_at = sqlite3_column_int64(st, 4);
    f.n_scored = sqlite3_column_int64(st, 5);
    f.figures_json = (const char *)sqlite3_column_text(st, 6);
    stop = cb(ud, &f);
    if(stop)
      break;
  }
  crm__stmt_done(c, st);
  if(stop)
    return stop;
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading fits");
  return CRM_OK;
}

int crm_figures_foreach(crm *c, const char *model,
                        int (*cb)(void *ud, const crm_figure *), void *ud)
{
  crm_figure f;
  sqlite3_stmt *st;
  int rc;
  int stop = 0;

  if(!c || !cb)
    return CRM_EINVAL;
  crm__clear_err(c);
  st = crm__stmt_fresh(c, model ? crm__sql_figures_one
                                : crm__sql_figures_all);
  if(!st)
    return c->errcode;
  if(model)
    sqlite3_bind_text(st, 1, model, -1, SQLITE_TRANSIENT);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    f.model = (const char *)sqlite3_column_text(st, 0);
    f.name = (const char *)sqlite3_column_text(st, 1);
    f.value = sqlite3_column_double(st, 2);
    f.label = (const char *)sqlite3_column_text(st, 3);
    f.computed_at = sqlite3_column_int64(st, 4);
    stop = cb(ud, &f);
    if(stop)
      break;
  }
  crm__stmt_done(c, st);
  if(stop)
    return stop;
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading figures");
  return CRM_OK;
}

/* One REAL from a look-up statement already bound; CRM_ENOTFOUND with
 * the message built by the caller when there is no row. */
static int crm__get_value(crm *c, sqlite3_stmt *st, double *value,
                          const char *what)
{
  int rc = sqlite3_step(st);

  if(rc == SQLITE_ROW)
    *value = sqlite3_column_double(st, 0);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if(rc == SQLITE_ROW)
    return CRM_OK;
  if(rc == SQLITE_DONE)
    return CRM_ENOTFOUND;
  return crm__sqlerr(c, rc, what);
}

int crm_figure_get(crm *c, const char *model, const char *name,
                   double *value)
{
  sqlite3_stmt *st;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(!model || !name || !value)
    return crm__err(c, CRM_EINVAL, "figure model and name are required");
  st = crm__stmt(c, crm__sql_figure_get);
  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
  rc = crm__get_value(c, st, value, "reading a figure");
  if(rc == CRM_ENOTFOUND)
    return crm__err(c, rc, "model \"%s\" has no figure \"%s\"", model, name);
  return rc;
}

int crm_score_get(crm *c, int64_t customer_id, const char *model,
                  const char *name, double *value)
{
  sqlite3_stmt *st;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(!model || !name || !value)
    return crm__err(c, CRM_EINVAL, "score model and name are required");
  st = crm__stmt(c, crm__sql_score_get);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, model, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
  rc = crm__get_value(c, st, value, "reading a score");
  if(rc == CRM_ENOTFOUND)
    return crm__err(c, rc, "customer #%lld has no score %s.%s",
                    (long long)customer_id, model, name);
  return rc;
}
