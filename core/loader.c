/*
 * loader.c - finding, loading, starting and stopping plugins.
 *
 * Search order for `<name>.so`: the caller's extra directory, the
 * configured plugins.path entries, then CRM_PLUGIN_DEFAULT_DIR; a load
 * entry's `file` overrides the search. The checks themselves live in
 * plugin_validate.c (shared with crm_plugin_check). A plugin whose init
 * has been called is never dlclose'd: its handle is simply kept (or
 * forgotten), because code that has run may have left callbacks, TLS
 * destructors or atexit handlers behind.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "plugin_int.h"

#ifndef CRM_PLUGIN_DEFAULT_DIR
#define CRM_PLUGIN_DEFAULT_DIR "/usr/local/lib/crm/plugins"
#endif

#define CRM__PATH_SIZE 4096

/* ---- lookup ----------------------------------------------------------- */

crm__plugin *crm__plugin_by_name(crm *c, const char *name)
{
  crm__plugin *p;

  for(p = c->plugins; p; p = p->next) {
    if(strcmp(p->name, name) == 0)
      return p;
  }
  return NULL;
}

crm__component *crm__component_find(crm *c, int kind, const char *name)
{
  size_t i;

  if(!c)
    return NULL;
  for(i = 0; i < c->n_comps; i++) {
    crm__component *k = &c->comps[i];

    if(k->kind != kind || !k->plugin->running)
      continue;
    if(!name || strcmp(k->name, name) == 0)
      return k;
  }
  return NULL;
}

static crm__component *crm__component_any(crm *c, const char *name)
{
  size_t i;

  for(i = 0; i < c->n_comps; i++) {
    if(strcmp(c->comps[i].name, name) == 0)
      return &c->comps[i];
  }
  return NULL;
}

/* ---- outcome: record and policy ----------------------------------------- */

int crm__plugin_outcome(crm *c, const crm__plugin_conf *pc, const char *path,
                        const char *state, const char *why,
                        const crm_plugin_desc *desc)
{
  char msg[CRM__ERRMSG_SIZE];
  int rc;

  rc = crm__plugin_record(c, pc->name, path, state, why, desc, pc->required);
  if(rc)
    return rc;
  if(strcmp(state, CRM__PSTATE_LOADED) == 0) {
    crm__log(c, CRM_LOG_INFO, "loader", "plugin \"%s\" %s loaded from %s",
             pc->name, desc && desc->version ? desc->version : "(no version)",
             path ? path : "?");
    return CRM_OK;
  }
  if(strcmp(state, CRM__PSTATE_DISABLED) == 0) {
    crm__log(c, CRM_LOG_INFO, "loader", "plugin \"%s\" is disabled",
             pc->name);
    return CRM_OK;
  }
  snprintf(msg, sizeof(msg), "plugin \"%s\"%s%s%s %s: %s", pc->name,
           path ? " (" : "", path ? path : "", path ? ")" : "", state, why);
  if(pc->required)
    return crm__err(c, CRM_EPLUGIN, "%s", msg);
  crm__log(c, CRM_LOG_WARN, "loader", "%s", msg);
  return CRM_OK;
}

/* ---- finding the file ------------------------------------------------- */

static int crm__try_dir(const char *dir, const char *name, char *path,
                        size_t size)
{
  struct stat st;
  int n;

  if(!dir || !*dir)
    return 0;
  n = snprintf(path, size, "%s/%s.so", dir, name);
  if(n < 0 || (size_t)n >= size)
    return 0;
  return stat(path, &st) == 0;
}

static int crm__plugin_path(const crm__config *conf,
                            const crm__plugin_conf *pc, char *path,
                            size_t size, char *why, size_t why_size)
{
  size_t i;
  size_t used;
  int n;

  if(pc->file) {
    n = snprintf(path, size, "%s", pc->file);
    if(n >= 0 && (size_t)n < size)
      return CRM_OK;
    snprintf(why, why_size, "file path is too long; move the plugin");
    return CRM_EPLUGIN;
  }
  if(crm__try_dir(conf->extra_dir, pc->name, path, size))
    return CRM_OK;
  for(i = 0; i < conf->n_plugin_paths; i++) {
    if(crm__try_dir(conf->plugin_paths[i], pc->name, path, size))
      return CRM_OK;
  }
  if(crm__try_dir(CRM_PLUGIN_DEFAULT_DIR, pc->name, path, size))
    return CRM_OK;
  n = snprintf(why, why_size, "%s.so not found in ", pc->name);
  used = n > 0 ? (size_t)n : 0;
  if(conf->extra_dir && used < why_size) {
    n = snprintf(why + used, why_size - used, "%s, ", conf->extra_dir);
    used += n > 0 ? (size_t)n : 0;
  }
  for(i = 0; i < conf->n_plugin_paths && used < why_size; i++) {
    n = snprintf(why + used, why_size - used, "%s, ",
                 conf->plugin_paths[i]);
    used += n > 0 ? (size_t)n : 0;
  }
  if(used < why_size)
    snprintf(why + used, why_size - used, "%s; install it there or set "
             "file in its load entry", CRM_PLUGIN_DEFAULT_DIR);
  return CRM_EPLUGIN;
}

/* ---- checks that need the running core --------------------------------- */

static int crm__check_clash(crm *c, const crm__plugin_conf *pc,
                            const crm__pvalid *pv, char *why, size_t size)
{
  const crm__plugin *other;
  size_t i;

  if(strcmp(pv->desc.name, pc->name) != 0) {
    snprintf(why, size, "name clash: the descriptor names the plugin "
             "\"%s\", not \"%s\"; fix the load entry's name or file",
             pv->desc.name, pc->name);
    return CRM_EPLUGIN;
  }
  other = crm__plugin_by_name(c, pc->name);
  if(other) {
    snprintf(why, size, "name clash: plugin \"%s\" is already loaded from "
             "%s; load each plugin once", pc->name, other->path);
    return CRM_EPLUGIN;
  }
  for(i = 0; i < pv->n_comps; i++) {
    const crm__component *k = crm__component_any(c, pv->comps[i].name);

    if(k) {
      snprintf(why, size, "name clash: component \"%s\" is already "
               "provided by plugin \"%s\"; disable one of them",
               pv->comps[i].name, k->plugin->name);
      return CRM_EPLUGIN;
    }
  }
  return CRM_OK;
}

/* ---- the plugin object ------------------------------------------------- */

static void crm__comps_unregister(crm *c, const crm__plugin *p)
{
  size_t i;
  size_t j = 0;

  for(i = 0; i < c->n_comps; i++) {
    if(c->comps[i].plugin == p) {
      crm__free(c->comps[i].name);
      continue;
    }
    if(i != j)
      c->comps[j] = c->comps[i];
    j++;
  }
  c->n_comps = j;
}

static int crm__comps_reserve(crm *c, size_t more)
{
  size_t want = c->n_comps + more;
  size_t cap = c->cap_comps ? c->cap_comps : 8;
  crm__component *n;

  if(want <= c->cap_comps)
    return CRM_OK;
  while(cap < want)
    cap *= 2;
  n = crm__realloc(c->comps, cap * sizeof(*n));
  if(!n)
    return CRM_ENOMEM;
  c->comps = n;
  c->cap_comps = cap;
  return CRM_OK;
}

static int crm__comps_register(crm *c, crm__plugin *p, const crm__pvalid *pv)
{
  size_t i;

  if(crm__comps_reserve(c, pv->n_comps))
    return CRM_ENOMEM;
  for(i = 0; i < pv->n_comps; i++) {
    crm__component *k = &c->comps[c->n_comps];

    *k = pv->comps[i];
    k->plugin = p;
    k->name = crm__strdup(pv->comps[i].name);
    if(!k->name) {
      crm__comps_unregister(c, p);
      return CRM_ENOMEM;
    }
    c->n_comps++;
  }
  return CRM_OK;
}

static void crm__plugin_free(crm__plugin *p)
{
  crm__free(p->name);
  crm__free(p->path);
  crm__free(p);
}

static crm__plugin *crm__plugin_new(crm *c, const crm__plugin_conf *pc,
                                    const char *path, const crm__pvalid *pv)
{
  crm__plugin *p = crm__calloc(1, sizeof(*p));

  if(!p)
    return NULL;
  p->name = crm__strdup(pc->name);
  p->path = crm__strdup(path);
  if(!p->name || !p->path || crm__comps_register(c, p, pv)) {
    crm__plugin_free(p);
    return NULL;
  }
  p->dl = pv->dl;
  p->desc = pv->desc;
  p->conf = pc;
  p->setting = pc->setting;
  p->hctx.c = c;
  p->hctx.plugin = p;
  return p;
}

static void crm__plugin_append(crm *c, crm__plugin *p)
{
  crm__plugin **pp = &c->plugins;

  while(*pp)
    pp = &(*pp)->next;
  p->next = NULL;
  *pp = p;
}

void crm__plugin_remove(crm *c, crm__plugin *p)
{
  crm__plugin **pp = &c->plugins;

  while(*pp && *pp != p)
    pp = &(*pp)->next;
  if(*pp)
    *pp = p->next;
  crm__comps_unregister(c, p);
  /* p->dl is forgotten, not closed: the code has run. */
  crm__plugin_free(p);
}

/* ---- lifecycle of one plugin ------------------------------------------- */

static void crm__why_call(crm__plugin *p, const char *what, int rc,
                          char *why, size_t size)
{
  snprintf(why, size, "%s returned %d: %s", what, rc,
           p->hctx.errmsg[0] ? p->hctx.errmsg
                             : crm_strerror(rc < 0 ? rc : CRM_ERROR));
}

int crm__plugin_boot(crm__plugin *p, char *why, size_t why_size)
{
  int rc;

  p->state = NULL;
  crm__hctx_reset(&p->hctx);
  p->has_run = 1;
  rc = p->desc.init(crm__host_api(), &p->hctx, &p->state);
  if(rc) {
    crm__why_call(p, "init", rc, why, why_size);
    return CRM_EPLUGIN;
  }
  p->running = 1;
  if(!p->desc.start)
    return CRM_OK;
  crm__hctx_reset(&p->hctx);
  rc = p->desc.start(p->state, &p->hctx);
  if(!rc)
    return CRM_OK;
  crm__why_call(p, "start", rc, why, why_size);
  crm__hctx_reset(&p->hctx);
  p->desc.fini(p->state, &p->hctx);
  p->state = NULL;
  p->running = 0;
  return CRM_EPLUGIN;
}

void crm__plugin_halt(crm__plugin *p)
{
  if(!p->running)
    return;
  if(p->desc.stop) {
    crm__hctx_reset(&p->hctx);
    p->desc.stop(p->state, &p->hctx);
  }
  crm__hctx_reset(&p->hctx);
  p->desc.fini(p->state, &p->hctx);
  p->state = NULL;
  p->running = 0;
}

/* Validated and clash-free: create, init, start, record. */
static int crm__plugin_run(crm *c, const crm__plugin_conf *pc,
                           const char *path, crm__pvalid *pv)
{
  char why[CRM__ERRMSG_SIZE];
  crm_plugin_desc desc;
  crm__plugin *p;
  int rc;

  p = crm__plugin_new(c, pc, path, pv);
  if(!p) {
    crm__pvalid_close(pv);
    return crm__err(c, CRM_ENOMEM, "out of memory loading plugin \"%s\"",
                    pc->name);
  }
  crm__pvalid_release(pv);
  crm__plugin_append(c, p);
  rc = crm__plugin_boot(p, why, sizeof(why));
  if(rc) {
    desc = p->desc;
    crm__plugin_remove(c, p);
    return crm__plugin_outcome(c, pc, path, CRM__PSTATE_FAILED, why, &desc);
  }
  return crm__plugin_outcome(c, pc, path, CRM__PSTATE_LOADED, NULL,
                             &p->desc);
}

int crm__plugin_load_one(crm *c, const crm__config *conf,
                         const crm__plugin_conf *pc)
{
  char path[CRM__PATH_SIZE];
  char why[CRM__ERRMSG_SIZE];
  crm__pvalid pv;
  int rc;

  if(!pc->enabled)
    return crm__plugin_outcome(c, pc, pc->file, CRM__PSTATE_DISABLED,
                               "disabled in the configuration", NULL);
  rc = crm__plugin_path(conf, pc, path, sizeof(path), why, sizeof(why));
  if(rc)
    return crm__plugin_outcome(c, pc, NULL, CRM__PSTATE_REFUSED, why, NULL);
  rc = crm__plugin_file_ok(path, why, sizeof(why));
  if(!rc)
    rc = crm__plugin_validate(path, &pv, why, sizeof(why));
  if(rc == CRM_ENOMEM)
    return crm__err(c, CRM_ENOMEM, "out of memory loading plugin \"%s\"",
                    pc->name);
  if(rc)
    return crm__plugin_outcome(c, pc, path, CRM__PSTATE_REFUSED, why, NULL);
  rc = crm__check_clash(c, pc, &pv, why, sizeof(why));
  if(rc) {
    crm__pvalid_close(&pv);
    return crm__plugin_outcome(c, pc, path, CRM__PSTATE_REFUSED, why, NULL);
  }
  return crm__plugin_run(c, pc, path, &pv);
}

/* ---- all plugins ------------------------------------------------------- */

int crm__plugins_load(crm *c, const char *extra_dir)
{
  crm__config *conf = c->conf;
  size_t i;
  int rc;

  (void)extra_dir; /* kept in conf->extra_dir by crm_load_config */
  if(!conf)
    return crm__err(c, CRM_ESTATE, "no configuration is loaded");
  rc = crm__plugins_clear(c);
  if(rc)
    return rc;
  for(i = 0; i < conf->n_plugins; i++) {
    rc = crm__plugin_load_one(c, conf, &conf->plugins[i]);
    if(rc) {
      crm__plugins_record_skipped(c, conf, i + 1, conf->plugins[i].name);
      return rc;
    }
  }
  return CRM_OK;
}

/* After a required plugin stopped start-up: the entries not tried are
 * still listed, with why. The caller's error message is kept. */
void crm__plugins_record_skipped(crm *c, const crm__config *conf,
                                 size_t from, const char *failed)
{
  char saved[CRM__ERRMSG_SIZE];
  char why[256];
  int code = c->errcode;
  size_t i;

  memcpy(saved, c->errmsg, sizeof(saved));
  snprintf(why, sizeof(why), "not loaded: loading stopped when required "
           "plugin \"%s\" failed", failed);
  for(i = from; i < conf->n_plugins; i++) {
    const crm__plugin_conf *pc = &conf->plugins[i];

    if(crm__plugin_by_name(c, pc->name) || crm__plugin_recorded(c, pc->name))
      continue;
    crm__plugin_record(c, pc->name, pc->file, CRM__PSTATE_DISABLED,
                       pc->enabled ? why : "disabled in the configuration",
                       NULL, pc->required);
  }
  memcpy(c->errmsg, saved, sizeof(saved));
  c->errcode = code;
}

void crm__plugins_unload(crm *c)
{
  crm__plugin *last;

  if(!c)
    return;
  /* Reverse load order: later plugins may rely on earlier ones. */
  while(c->plugins) {
    last = c->plugins;
    while(last->next)
      last = last->next;
    crm__plugin_halt(last);
    crm__plugin_remove(c, last);
  }
  crm__confs_prune(c); /* no plugin runs: every held configuration goes */
}

/* ---- errors around plugin calls ---------------------------------------- */

void crm__hctx_reset(struct crm_host_ctx *h)
{
  h->errmsg[0] = '\0';
  h->errcode = CRM_OK;
  h->errmsg_named = 0;
  h->cur_component = NULL;
}

int crm__plugin_call_failed(crm *c, crm__component *comp, int rc,
                            const char *what)
{
  const crm__plugin *p = comp->plugin;
  /* Codes that say what went wrong pass through (bad input stays a user
   * error); a plugin's unspecified failure, or an unknown code, is a
   * plugin error, not an internal one of the core. */
  int code = rc < 0 && rc != CRM_ERROR && rc >= CRM_ECORRUPT ? rc
                                                             : CRM_EPLUGIN;

  /* A failure passed up from a nested call names its component already. */
  if(p->hctx.errmsg[0] && p->hctx.errmsg_named)
    return crm__err(c, code, "%s", p->hctx.errmsg);
  if(p->hctx.errmsg[0])
    return crm__err(c, code, "plugin \"%s\" component \"%s\": %s", p->name,
                    comp->name, p->hctx.errmsg);
  return crm__err(c, code, "plugin \"%s\" component \"%s\": %s returned %d "
                  "(%s)", p->name, comp->name, what ? what : "call", rc,
                  crm_strerror(code));
}
