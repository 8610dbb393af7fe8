/*
 * host.c - the host services table handed to every plugin's init.
 *
 * Each function receives the plugin's crm_host_ctx, which names the
 * plugin: logs carry its name, config reads see only its own `config`
 * group, key-value data is scoped to it and emitted events are labelled
 * with it. A core call that fails leaves its message in the ctx, where
 * crm__plugin_call_failed finds it if the plugin passes the code on; the
 * handle's own error is left as it was. emit_event runs a nested ingest
 * that may call this plugin again on the same ctx: the emitting call's
 * ctx state (component, error, customer_get strings) is restored after.
 */
#include <stdio.h>
#include <string.h>

#include <libconfig.h>

#include "case_int.h"

/* c's error as a core call running a plugin had it. A host call reports
 * its failure to the plugin through the ctx only: the plugin may handle
 * it (a look-up miss is normal) and its caller then succeeds. */
typedef struct crm__host_err {
  int code;
  char msg[CRM__ERRMSG_SIZE];
} crm__host_err;

static void crm__host_save(const crm *c, crm__host_err *e)
{
  e->code = c->errcode;
  if(e->code)
    memcpy(e->msg, c->errmsg, sizeof(e->msg));
}

static void crm__host_restore(crm *c, const crm__host_err *e)
{
  c->errcode = e->code;
  if(e->code)
    memcpy(c->errmsg, e->msg, sizeof(c->errmsg));
  else
    c->errmsg[0] = '\0';
}

/* 1 when msg starts "plugin "x" component "y": ", as
 * crm__plugin_call_failed writes it. */
static int crm__names_component(const char *msg)
{
  static const char head[] = "plugin \"";
  static const char mid[] = "\" component \"";
  const char *s;

  if(strncmp(msg, head, sizeof(head) - 1) != 0)
    return 0;
  s = strchr(msg + sizeof(head) - 1, '"');
  if(!s || strncmp(s, mid, sizeof(mid) - 1) != 0)
    return 0;
  s = strchr(s + sizeof(mid) - 1, '"');
  return s && s[1] == ':' && s[2] == ' ';
}

/* Ends a host call: a failure's message goes to the ctx for the plugin's
 * caller, c's error is put back as it was. */
static int crm__host_done(crm_host_ctx *ctx, const crm__host_err *saved,
                          int rc)
{
  crm *c = ctx->c;

  if(rc) {
    ctx->errcode = rc;
    snprintf(ctx->errmsg, sizeof(ctx->errmsg), "%s",
             c->errcode ? c->errmsg : crm_strerror(rc));
    ctx->errmsg_named = c->errcode && crm__names_component(c->errmsg);
  }
  crm__host_restore(c, saved);
  return rc;
}

static const char *crm__host_name(const crm_host_ctx *ctx)
{
  return ctx->plugin ? ctx->plugin->name : "plugin";
}

static void crm__host_log(crm_host_ctx *ctx, int level, const char *fmt, ...)
    CRM__PRINTF(3, 4);

static void crm__host_log(crm_host_ctx *ctx, int level, const char *fmt, ...)
{
  char buf[1024];
  va_list ap;

  if(!ctx || !fmt)
    return;
  if(level < CRM_LOG_ERROR)
    level = CRM_LOG_ERROR;
  if(level > CRM_LOG_DEBUG)
    level = CRM_LOG_DEBUG;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  crm__log(ctx->c, level, crm__host_name(ctx), "%s", buf);
}

static int crm__host_set_error(crm_host_ctx *ctx, int code, const char *fmt,
                               ...) CRM__PRINTF(3, 4);

static int crm__host_set_error(crm_host_ctx *ctx, int code, const char *fmt,
                               ...)
{
  va_list ap;

  if(!ctx)
    return code;
  ctx->errcode = code;
  ctx->errmsg_named = 0;
  if(!fmt) {
    ctx->errmsg[0] = '\0';
    return code;
  }
  va_start(ap, fmt);
  vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
  va_end(ap);
  return code;
}

static void *crm__host_alloc(crm_host_ctx *ctx, size_t size)
{
  (void)ctx;
  return crm__malloc(size);
}

static void crm__host_free(crm_host_ctx *ctx, void *ptr)
{
  (void)ctx;
  crm__free(ptr);
}

/* ---- the plugin's own config group ------------------------------------ */

static int crm__host_cfg(crm_host_ctx *ctx, const char *path,
                         config_setting_t **out)
{
  config_setting_t *g;

  if(!ctx || !path || !*path)
    return CRM_EINVAL;
  g = ctx->plugin ? ctx->plugin->setting : NULL;
  *out = g ? config_setting_lookup(g, path) : NULL;
  return *out ? CRM_OK : CRM_ENOTFOUND;
}

static int crm__host_cfg_get_str(crm_host_ctx *ctx, const char *path,
                                 const char **out)
{
  config_setting_t *s;
  int rc = crm__host_cfg(ctx, path, &s);

  if(rc)
    return rc;
  if(config_setting_type(s) != CONFIG_TYPE_STRING)
    return CRM_EINVAL;
  *out = config_setting_get_string(s);
  return CRM_OK;
}

static int crm__host_cfg_get_int(crm_host_ctx *ctx, const char *path,
                                 int64_t *out)
{
  config_setting_t *s;
  int rc = crm__host_cfg(ctx, path, &s);

  if(rc)
    return rc;
  if(config_setting_type(s) != CONFIG_TYPE_INT &&
     config_setting_type(s) != CONFIG_TYPE_INT64)
    return CRM_EINVAL;
  *out = (int64_t)config_setting_get_int64(s);
  return CRM_OK;
}

/* Accepts integers too: admins write `rate = 1;`. */
static int crm__host_cfg_get_float(crm_host_ctx *ctx, const char *path,
                                   double *out)
{
  config_setting_t *s;
  int rc = crm__host_cfg(ctx, path, &s);

  if(rc)
    return rc;
  if(config_setting_type(s) == CONFIG_TYPE_FLOAT)
    *out = config_setting_get_float(s);
  else if(config_setting_type(s) == CONFIG_TYPE_INT ||
          config_setting_type(s) == CONFIG_TYPE_INT64)
    *out = (double)config_setting_get_int64(s);
  else
    return CRM_EINVAL;
  return CRM_OK;
}

static int crm__host_cfg_get_bool(crm_host_ctx *ctx, const char *path,
                                  int *out)
{
  config_setting_t *s;
  int rc = crm__host_cfg(ctx, path, &s);

  if(rc)
    return rc;
  if(config_setting_type(s) != CONFIG_TYPE_BOOL)
    return CRM_EINVAL;
  *out = config_setting_get_bool(s) ? 1 : 0;
  return CRM_OK;
}

/* ---- plugin-scoped data ------------------------------------------------ */

/* A missing key is CRM_ENOTFOUND and no error: a look-up, not a failure. */
static int crm__host_kv_get(crm_host_ctx *ctx, const char *key, char **out)
{
  crm__host_err saved;
  int rc;

  if(!ctx || !out)
    return CRM_EINVAL;
  crm__host_save(ctx->c, &saved);
  rc = crm__kv_get(ctx->c, crm__host_name(ctx), key, out);
  if(rc == CRM_ENOTFOUND) {
    crm__host_restore(ctx->c, &saved);
    return rc;
  }
  return crm__host_done(ctx, &saved, rc);
}

static int crm__host_kv_put(crm_host_ctx *ctx, const char *key,
                            const char *value)
{
  crm__host_err saved;

  if(!ctx)
    return CRM_EINVAL;
  crm__host_save(ctx->c, &saved);
  return crm__host_done(ctx, &saved, crm__kv_put(ctx->c, crm__host_name(ctx),
                                                 key, value));
}

/* ---- 1.1 services ------------------------------------------------------- */

/* What a plugin call in progress keeps in its ctx. A nested ingest calls
 * plugins again, this one too, on the same ctx: the emitting call gets
 * its state back afterwards. */
typedef struct crm__hctx_state {
  const char *cur_component;
  int errcode;
  int errmsg_named;
  char errmsg[CRM__ERRMSG_SIZE];
  crm_customer scratch;
} crm__hctx_state;

static void crm__hctx_save(const crm_host_ctx *ctx, crm__hctx_state *s)
{
  s->cur_component = ctx->cur_component;
  s->errcode = ctx->errcode;
  s->errmsg_named = ctx->errmsg_named;
  memcpy(s->errmsg, ctx->errmsg, sizeof(s->errmsg));
  memcpy(&s->scratch, &ctx->scratch, sizeof(s->scratch));
}

static void crm__hctx_restore(crm_host_ctx *ctx, const crm__hctx_state *s)
{
  ctx->cur_component = s->cur_component;
  ctx->errcode = s->errcode;
  ctx->errmsg_named = s->errmsg_named;
  memcpy(ctx->errmsg, s->errmsg, sizeof(ctx->errmsg));
  memcpy(&ctx->scratch, &s->scratch, sizeof(ctx->scratch));
}

static int crm__host_emit_event(crm_host_ctx *ctx, int64_t customer_id,
                                const char *type, const char *payload_json,
                                const char *idempotency_key)
{
  char key[CRM_IDEM_KEY_MAX + 2];
  char source[96];
  crm__hctx_state outer;
  crm__host_err saved;
  crm_event ev;
  int n;
  int rc;

  if(!ctx || !idempotency_key || !*idempotency_key)
    return crm__host_set_error(ctx, CRM_EINVAL, "emit_event needs an "
                               "idempotency key");
  n = snprintf(key, sizeof(key), "plugin:%s:%s", crm__host_name(ctx),
               idempotency_key);
  if(n < 0 || n > CRM_IDEM_KEY_MAX)
    return crm__host_set_error(ctx, CRM_ERANGE, "idempotency key is too "
                               "long; the limit is %d bytes with the "
                               "\"plugin:%s:\" prefix", CRM_IDEM_KEY_MAX,
                               crm__host_name(ctx));
  snprintf(source, sizeof(source), "plugin:%s", crm__host_name(ctx));
  memset(&ev, 0, sizeof(ev));
  ev.type = type;
  ev.customer_id = customer_id;
  ev.payload = payload_json;
  ev.idempotency_key = key;
  crm__host_save(ctx->c, &saved);
  crm__hctx_save(ctx, &outer);
  rc = crm__event_ingest_src(ctx->c, &ev, source, NULL);
  crm__hctx_restore(ctx, &outer);
  return crm__host_done(ctx, &saved, rc);
}

/* The model a score is stored under: the scoring component being run,
 * else the plugin's first scoring component, else the plugin's name. */
static const char *crm__host_model(crm_host_ctx *ctx)
{
  const crm *c = ctx->c;
  size_t i;

  if(ctx->cur_component)
    return ctx->cur_component;
  for(i = 0; i < c->n_comps; i++) {
    if(c->comps[i].plugin == ctx->plugin &&
       c->comps[i].kind == CRM_KIND_SCORING)
      return c->comps[i].name;
  }
  return crm__host_name(ctx);
}

static int crm__host_score_put(crm_host_ctx *ctx, int64_t customer_id,
                               const char *name, double value,
                               const char *label)
{
  crm__host_err saved;

  if(!ctx)
    return CRM_EINVAL;
  crm__host_save(ctx->c, &saved);
  return crm__host_done(ctx, &saved,
                        crm__score_put(ctx->c, customer_id,
                                       crm__host_model(ctx), name, value,
                                       label));
}

static int crm__host_customer_get(crm_host_ctx *ctx, int64_t customer_id,
                                  crm_customer_view *out)
{
  crm__host_err saved;
  crm_customer_view v;
  uint32_t size;
  int rc;

  if(!ctx || !out || out->struct_size < sizeof(uint32_t))
    return CRM_EINVAL;
  size = out->struct_size;
  crm__host_save(ctx->c, &saved);
  rc = crm__host_done(ctx, &saved,
                      crm_customer_get(ctx->c, customer_id, &ctx->scratch));
  if(rc)
    return rc;
  crm__customer_view(&ctx->scratch, &v);
  /* A plugin built against an older SDK receives the part it knows. */
  memcpy(out, &v, size < sizeof(v) ? size : sizeof(v));
  out->struct_size = size < sizeof(v) ? size : (uint32_t)sizeof(v);
  return CRM_OK;
}

static int64_t crm__host_now(crm_host_ctx *ctx)
{
  return crm_now(ctx ? ctx->c : NULL);
}


/* ---- 1.2 services ------------------------------------------------------- */

static const char crm__sql_host_attr[] =
  "SELECT value FROM customer_attrs WHERE customer_id = ?1 AND key = ?2";

/* Copies text into buf: CRM_ERANGE (nothing copied) when it does not fit. */
static int crm__host_copy(const char *text, char *buf, size_t size)
{
  size_t n = strlen(text);

  if(!buf || n >= size)
    return CRM_ERANGE;
  memcpy(buf, text, n + 1);
  return CRM_OK;
}

static int crm__host_customer_attr(crm_host_ctx *ctx, int64_t customer_id,
                                   const char *name, char *buf, size_t size)
{
  crm__host_err saved;
  sqlite3_stmt *st;
  int rc;

  if(!ctx || !name || !buf)
    return CRM_EINVAL;
  crm__host_save(ctx->c, &saved);
  st = crm__stmt(ctx->c, crm__sql_host_attr);
  if(!st)
    return crm__host_done(ctx, &saved, ctx->c->errcode);
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW)
    rc = crm__host_copy((const char *)sqlite3_column_text(st, 0), buf, size);
  else if(rc == SQLITE_DONE)
    rc = CRM_ENOTFOUND;
  else
    rc = crm__sqlerr(ctx->c, rc, "reading a customer attribute");
  sqlite3_reset(st);
  if(rc == CRM_ENOTFOUND || rc == CRM_ERANGE) {
    crm__host_restore(ctx->c, &saved);
    return rc;
  }
  return crm__host_done(ctx, &saved, rc);
}

/* json_type is NULL for an absent path and 'null' for a JSON null; bad
 * JSON or a bad path make SQLite fail the step (CRM_EINVAL). */
static const char crm__sql_host_json[] =
  "SELECT json_type(?1, ?2), json_extract(?1, ?2),"
  " CASE WHEN json_type(?1, ?2) = 'array'"
  " THEN json_array_length(?1, ?2) END";

static int crm__host_json_step(crm_host_ctx *ctx, const char *json,
                               const char *path, sqlite3_stmt **out)
{
  sqlite3_stmt *st;
  int rc;

  *out = NULL;
  if(!ctx || !json || !path)
    return CRM_EINVAL;
  st = crm__stmt(ctx->c, crm__sql_host_json);
  if(!st)
    return CRM_ESTORE;
  sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc != SQLITE_ROW) {
    sqlite3_reset(st);
    return CRM_EINVAL;
  }
  if(sqlite3_column_type(st, 0) == SQLITE_NULL ||
     strcmp((const char *)sqlite3_column_text(st, 0), "null") == 0) {
    sqlite3_reset(st);
    return CRM_ENOTFOUND;
  }
  *out = st;
  return CRM_OK;
}

static int crm__host_json_get(crm_host_ctx *ctx, const char *json,
                              const char *path, char *buf, size_t size)
{
  crm__host_err saved;
  sqlite3_stmt *st;
  int rc;

  if(!ctx)
    return CRM_EINVAL;
  crm__host_save(ctx->c, &saved);
  rc = crm__host_json_step(ctx, json, path, &st);
  if(!rc) {
    rc = crm__host_copy((const char *)sqlite3_column_text(st, 1), buf, size);
    sqlite3_reset(st);
  }
  crm__host_restore(ctx->c, &saved);
  return rc;
}

static int crm__host_json_len(crm_host_ctx *ctx, const char *json,
                              const char *path, int64_t *n)
{
  crm__host_err saved;
  sqlite3_stmt *st;
  int rc;

  if(!ctx || !n)
    return CRM_EINVAL;
  crm__host_save(ctx->c, &saved);
  rc = crm__host_json_step(ctx, json, path, &st);
  if(!rc) {
    if(sqlite3_column_type(st, 2) == SQLITE_NULL)
      rc = CRM_EINVAL;
    else
      *n = sqlite3_column_int64(st, 2);
    sqlite3_reset(st);
  }
  crm__host_restore(ctx->c, &saved);
  return rc;
}

/* A relative file name is taken from the admin config file's directory. */
static int crm__host_cfg_get_path(crm_host_ctx *ctx, const char *path,
                                  char *buf, size_t size)
{
  const char *v = NULL;
  const char *conf;
  const char *slash;
  int rc;
  int n;

  rc = crm__host_cfg_get_str(ctx, path, &v);
  if(rc)
    return rc;
  if(!buf || !size)
    return CRM_ERANGE;
  conf = ctx->c->conf ? ctx->c->conf->path : NULL;
  slash = conf ? strrchr(conf, '/') : NULL;
  if(v[0] == '/' || !slash)
    n = snprintf(buf, size, "%s", v);
  else
    n = snprintf(buf, size, "%.*s/%s", (int)(slash - conf), conf, v);
  if(n < 0 || (size_t)n >= size) {
    buf[0] = '\0';
    return CRM_ERANGE;
  }
  return CRM_OK;
}

/* ---- 1.3 services (the work is in host_score.c) ------------------------ */

static int crm__host_score_write(crm_host_ctx *ctx, int64_t customer_id,
                                 const crm_score_value *sv)
{
  crm__host_err saved;

  if(!ctx)
    return CRM_EINVAL;
  crm__host_save(ctx->c, &saved);
  return crm__host_done(ctx, &saved,
                        crm__score_write(ctx->c, customer_id,
                                         crm__host_model(ctx), sv));
}

static int crm__host_events_walk(crm_host_ctx *ctx, const crm_event_filter *f,
                                 crm_event_cb cb, void *ud)
{
  crm__host_err saved;
  int rc;

  if(!ctx)
    return CRM_EINVAL;
  crm__host_save(ctx->c, &saved);
  crm__clear_err(ctx->c);
  rc = crm__events_walk(ctx->c, f, cb, ud);
  /* A callback's own non-zero stop value is passed back as it is (a
   * failure it returns keeps the message it set): only the walk's own
   * failures set c's error. */
  if(rc && !ctx->c->errcode) {
    crm__host_restore(ctx->c, &saved);
    return rc;
  }
  return crm__host_done(ctx, &saved, rc);
}

static int crm__host_customers_walk(crm_host_ctx *ctx,
                                    const crm_customer_filter *f,
                                    crm_customer_cb cb, void *ud)
{
  crm__host_err saved;
  int rc;

  if(!ctx)
    return CRM_EINVAL;
  crm__host_save(ctx->c, &saved);
  crm__clear_err(ctx->c);
  rc = crm__customers_walk(ctx->c, f, cb, ud);
  /* as events_walk: a callback's stop value is passed back as it is */
  if(rc && !ctx->c->errcode) {
    crm__host_restore(ctx->c, &saved);
    return rc;
  }
  return crm__host_done(ctx, &saved, rc);
}

static int crm__host_progress(crm_host_ctx *ctx, int64_t done, int64_t total)
{
  crm__host_err saved;

  if(!ctx)
    return CRM_EINVAL;
  crm__host_save(ctx->c, &saved);
  return crm__host_done(ctx, &saved, crm__fit_progress(ctx->c, done, total));
}

static int crm__host_figure_put(crm_host_ctx *ctx, const char *name,
                                double value, const char *label)
{
  crm__host_err saved;

  if(!ctx)
    return CRM_EINVAL;
  crm__host_save(ctx->c, &saved);
  return crm__host_done(ctx, &saved,
                        crm__figure_put(ctx->c, crm__host_model(ctx), name,
                                        value, label));
}

static int crm__host_figure_get(crm_host_ctx *ctx, const char *model,
                                const char *name, double *value)
{
  crm__host_err saved;
  int rc;

  if(!ctx)
    return CRM_EINVAL;
  crm__host_save(ctx->c, &saved);
  rc = crm_figure_get(ctx->c, model ? model : crm__host_model(ctx), name,
                      value);
  /* a missing figure is a normal answer, not a failure to report */
  if(rc == CRM_ENOTFOUND) {
    crm__host_restore(ctx->c, &saved);
    return rc;
  }
  return crm__host_done(ctx, &saved, rc);
}

static int crm__host_score_get(crm_host_ctx *ctx, int64_t customer_id,
                               const char *model, const char *name,
                               double *value)
{
  crm__host_err saved;
  int rc;

  if(!ctx)
    return CRM_EINVAL;
  crm__host_save(ctx->c, &saved);
  rc = crm_score_get(ctx->c, customer_id,
                     model ? model : crm__host_model(ctx), name, value);
  /* a missing score is a normal answer, not a failure to report */
  if(rc == CRM_ENOTFOUND) {
    crm__host_restore(ctx->c, &saved);
    return rc;
  }
  return crm__host_done(ctx, &saved, rc);
}

static const crm_host_api crm__host_table = {
  .struct_size = sizeof(crm_host_api),
  .abi_major = CRM_SDK_ABI_MAJOR,
  .abi_minor = CRM_SDK_ABI_MINOR,
  .log = crm__host_log,
  .set_error = crm__host_set_error,
  .alloc = crm__host_alloc,
  .free = crm__host_free,
  .cfg_get_str = crm__host_cfg_get_str,
  .cfg_get_int = crm__host_cfg_get_int,
  .cfg_get_float = crm__host_cfg_get_float,
  .cfg_get_bool = crm__host_cfg_get_bool,
  .kv_get = crm__host_kv_get,
  .kv_put = crm__host_kv_put,
  .emit_event = crm__host_emit_event,
  .score_put = crm__host_score_put,
  .customer_get = crm__host_customer_get,
  .now = crm__host_now,
  .customer_attr = crm__host_customer_attr,
  .json_get = crm__host_json_get,
  .json_len = crm__host_json_len,
  .cfg_get_path = crm__host_cfg_get_path,
  .score_write = crm__host_score_write,
  .events_walk = crm__host_events_walk,
  .progress = crm__host_progress,
  .figure_put = crm__host_figure_put,
  .figure_get = crm__host_figure_get,
  .score_get = crm__host_score_get,
  .customers_walk = crm__host_customers_walk,
  .cases_walk = crm__host_cases_walk,
};

const crm_host_api *crm__host_api(void)
{
  return &crm__host_table;
}
