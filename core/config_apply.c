/*
 * config_apply.c - applying the admin configuration to a handle: the
 * first load and the reload.
 *
 * Reload reloads configuration, never code: a running plugin whose
 * `config` group changed has its reconfigure hook called, or else stop,
 * fini, init and start on the same mapped code; a plugin disabled or removed
 * is stopped and finalised but stays mapped; newly enabled ones are
 * loaded. The lifecycle thresholds follow the file.
 *
 * A plugin that refuses its new group (reconfigure fails, or the restart's
 * init or start fails and a start with the previous group works) runs on
 * with the previous group: its config_t is held in c->held_confs until no
 * plugin uses it, and the reload reports CRM_EPLUGIN.
 */
#include <stdio.h>
#include <string.h>

#include <libconfig.h>

#include "comm_int.h"
#include "plugin_int.h"

/* ---- comparing config groups ------------------------------------------- */

static int crm__is_int(const config_setting_t *s)
{
  return config_setting_type(s) == CONFIG_TYPE_INT ||
         config_setting_type(s) == CONFIG_TYPE_INT64;
}

static int crm__setting_equal(const config_setting_t *a,
                              const config_setting_t *b);

static int crm__children_equal(const config_setting_t *a,
                               const config_setting_t *b)
{
  int n = config_setting_length(a);
  int i;

  if(n != config_setting_length(b))
    return 0;
  for(i = 0; i < n; i++) {
    const config_setting_t *x = config_setting_get_elem(a, (unsigned)i);
    const config_setting_t *y;

    if(config_setting_is_group(a))
      y = config_setting_get_member(b, config_setting_name(x));
    else
      y = config_setting_get_elem(b, (unsigned)i);
    if(!crm__setting_equal(x, y))
      return 0;
  }
  return 1;
}

static int crm__setting_equal(const config_setting_t *a,
                              const config_setting_t *b)
{
  if(!a || !b)
    return a == b;
  if(crm__is_int(a) && crm__is_int(b))
    return config_setting_get_int64(a) == config_setting_get_int64(b);
  if(config_setting_type(a) != config_setting_type(b))
    return 0;
  switch(config_setting_type(a)) {
  case CONFIG_TYPE_FLOAT:
    return config_setting_get_float(a) == config_setting_get_float(b);
  case CONFIG_TYPE_STRING:
    return strcmp(config_setting_get_string(a),
                  config_setting_get_string(b)) == 0;
  case CONFIG_TYPE_BOOL:
    return !config_setting_get_bool(a) == !config_setting_get_bool(b);
  case CONFIG_TYPE_GROUP:
  case CONFIG_TYPE_ARRAY:
  case CONFIG_TYPE_LIST:
    return crm__children_equal(a, b);
  default:
    return 1;
  }
}

static const crm__plugin_conf *crm__conf_find(const crm__config *conf,
                                              const char *name)
{
  size_t i;

  for(i = 0; i < conf->n_plugins; i++) {
    if(strcmp(conf->plugins[i].name, name) == 0)
      return &conf->plugins[i];
  }
  return NULL;
}

/* ---- configurations held for running plugins -------------------------- */

/* 1 when p runs with an entry of conf. */
static int crm__conf_used_by(const crm__config *conf, const crm__plugin *p)
{
  size_t i;

  for(i = 0; i < conf->n_plugins; i++) {
    if(p->conf == &conf->plugins[i])
      return 1;
  }
  return 0;
}

static int crm__conf_in_use(const crm *c, const crm__config *conf)
{
  const crm__plugin *p;

  for(p = c->plugins; p; p = p->next) {
    if(crm__conf_used_by(conf, p))
      return 1;
  }
  return 0;
}

void crm__confs_prune(crm *c)
{
  crm__held_conf **pp = &c->held_confs;

  while(*pp) {
    crm__held_conf *h = *pp;

    if(crm__conf_in_use(c, h->conf)) {
      pp = &h->next;
      continue;
    }
    *pp = h->next;
    crm__config_free(h->conf);
    crm__free(h);
  }
}

/* ---- one running plugin ------------------------------------------------ */

/* Stops and drops p after the new and the previous configuration both
 * failed to start it. */
static int crm__reload_failed(crm *c, crm__plugin *p,
                              const crm__plugin_conf *pc, const char *why)
{
  char path[4096];
  crm_plugin_desc desc = p->desc;

  snprintf(path, sizeof(path), "%s", p->path);
  crm__plugin_halt(p);
  crm__plugin_remove(c, p);
  return crm__plugin_outcome(c, pc, path, CRM__PSTATE_FAILED, why, &desc);
}

/* p refused the new configuration and runs on with its previous one
 * (p->conf, p->setting): recorded, logged and reported, whether it is
 * required or not, since the file is not in force as written. */
static int crm__reload_refused(crm *c, crm__plugin *p, const char *why)
{
  char reason[CRM__ERRMSG_SIZE];
  int rc;

  snprintf(reason, sizeof(reason), "reload refused: %.400s; the previous "
           "configuration stays in force", why);
  rc = crm__plugin_record(c, p->name, p->path, CRM__PSTATE_LOADED, reason,
                          &p->desc, p->conf->required);
  if(rc)
    return rc;
  crm__log(c, CRM_LOG_WARN, "loader", "plugin \"%s\" (%s) %s", p->name,
           p->path, reason);
  return crm__err(c, CRM_EPLUGIN, "plugin \"%s\" (%s) %s", p->name, p->path,
                  reason);
}

/* Applies p's current setting: reconfigure, or stop, fini, init, start. */
static int crm__reload_apply(crm__plugin *p, char *why, size_t size)
{
  int rc;

  if(!p->desc.reconfigure) {
    crm__plugin_halt(p);
    return crm__plugin_boot(p, why, size);
  }
  crm__hctx_reset(&p->hctx);
  rc = p->desc.reconfigure(p->state, &p->hctx);
  if(rc)
    snprintf(why, size, "reconfigure returned %d: %.440s", rc,
             p->hctx.errmsg[0] ? p->hctx.errmsg : crm_strerror(rc));
  return rc;
}

/* Sets *refused when p runs on with its previous configuration. */
static int crm__reload_changed(crm *c, crm__plugin *p,
                               const crm__plugin_conf *pc, int *refused)
{
  char why[CRM__ERRMSG_SIZE];
  char again[CRM__ERRMSG_SIZE];
  char both[CRM__ERRMSG_SIZE];
  const crm__plugin_conf *old_pc = p->conf;
  void *old_setting = p->setting;
  int rc;

  p->conf = pc;
  p->setting = pc->setting;
  if(!crm__reload_apply(p, why, sizeof(why))) {
    crm__log(c, CRM_LOG_INFO, "loader", "plugin \"%s\" %s with its new "
             "configuration", p->name,
             p->desc.reconfigure ? "reconfigured" : "restarted");
    return crm__plugin_outcome(c, pc, p->path, CRM__PSTATE_LOADED, NULL,
                               &p->desc);
  }
  /* Back to the configuration in force, still held in memory. The
   * restart had finalised it: start it again as it was. A reconfigure
   * that failed left it running as it was. */
  p->conf = old_pc;
  p->setting = old_setting;
  if(p->running || !crm__plugin_boot(p, again, sizeof(again))) {
    rc = crm__reload_refused(c, p, why);
    *refused = rc == CRM_EPLUGIN;
    return rc;
  }
  snprintf(both, sizeof(both), "%.240s; with the previous configuration: "
           "%.200s", why, again);
  return crm__reload_failed(c, p, pc, both);
}

static int crm__reload_plugin(crm *c, crm__plugin *p,
                              const crm__config *newconf, int *refused)
{
  const crm__plugin_conf *pc = crm__conf_find(newconf, p->name);

  *refused = 0;
  if(!pc || !pc->enabled) {
    crm__log(c, CRM_LOG_INFO, "loader", "plugin \"%s\" stopped: %s",
             p->name, pc ? "disabled" : "no longer configured");
    crm__plugin_halt(p);
    crm__plugin_remove(c, p);
    return CRM_OK; /* load_one records a disabled entry */
  }
  if((pc->file || p->conf->file) &&
     (!pc->file || !p->conf->file || strcmp(pc->file, p->conf->file) != 0))
    crm__log(c, CRM_LOG_WARN, "loader", "plugin \"%s\": a new file takes "
             "effect at the next start; the loaded code keeps running",
             p->name);
  if(crm__setting_equal(p->setting, pc->setting)) {
    p->conf = pc;
    p->setting = pc->setting;
    return crm__plugin_outcome(c, pc, p->path, CRM__PSTATE_LOADED, NULL,
                               &p->desc);
  }
  return crm__reload_changed(c, p, pc, refused);
}

/* Keeps the first failure's code and message; logs any later one. */
typedef struct crm__reload_err {
  int code;
  char msg[CRM__ERRMSG_SIZE];
} crm__reload_err;

static void crm__reload_note(crm *c, crm__reload_err *e, int rc)
{
  if(!rc)
    return;
  if(e->code) {
    crm__log(c, CRM_LOG_ERROR, "loader", "%s", crm_errmsg(c));
    return;
  }
  e->code = rc;
  snprintf(e->msg, sizeof(e->msg), "%s", crm_errmsg(c));
}

/* newconf becomes c->conf; the previous one is held while a plugin that
 * refused newconf still runs with it. */
int crm__plugins_reconfigure(crm *c, crm__config *newconf)
{
  crm__held_conf *held = crm__malloc(sizeof(*held));
  crm__reload_err err;
  crm__plugin *p;
  crm__plugin *next;
  char stopper[128] = "(the store)";
  size_t i = 0;
  int stop;
  int refused;
  int rc;

  if(!held) {
    crm__config_free(newconf);
    return crm__err(c, CRM_ENOMEM, "out of memory reloading the "
                    "configuration; the running one is kept");
  }
  held->conf = c->conf;
  held->next = c->held_confs;
  c->held_confs = held;
  c->conf = newconf;
  c->lc = newconf->lifecycle;
  c->lc_synced_ok = 0; /* components come and go: at_risk_model may too */
  memset(&err, 0, sizeof(err));
  rc = crm__plugins_clear(c);
  crm__reload_note(c, &err, rc);
  stop = rc != 0;
  for(p = c->plugins; p; p = next) {
    char name[sizeof(stopper)];

    next = p->next;
    snprintf(name, sizeof(name), "%s", p->name); /* p may go */
    rc = crm__reload_plugin(c, p, newconf, &refused);
    crm__reload_note(c, &err, rc);
    if(rc && !refused && !stop) {
      stop = 1;
      snprintf(stopper, sizeof(stopper), "%s", name);
    }
  }
  crm__confs_prune(c);
  /* As at the first load, a required plugin that fails (or the core
   * failing) stops the rest; a refused reconfiguration does not. */
  for(i = 0; i < newconf->n_plugins && !stop; i++) {
    if(crm__plugin_by_name(c, newconf->plugins[i].name))
      continue;
    rc = crm__plugin_load_one(c, newconf, &newconf->plugins[i]);
    crm__reload_note(c, &err, rc);
    stop = rc != 0;
    if(stop) {
      snprintf(stopper, sizeof(stopper), "%s", newconf->plugins[i].name);
      i++;
      break;
    }
  }
  if(stop)
    crm__plugins_record_skipped(c, newconf, i, stopper);
  if(err.code)
    return crm__err(c, err.code, "%s", err.msg);
  return CRM_OK;
}

/* ---- public entry points ----------------------------------------------- */

static int crm__extra_dir(crm *c, crm__config *conf, const char *dir)
{
  if(!dir)
    return CRM_OK;
  conf->extra_dir = crm__strdup(dir);
  if(!conf->extra_dir)
    return crm__err(c, CRM_ENOMEM, "out of memory reading %s", conf->path);
  return CRM_OK;
}

int crm_load_config(crm *c, const char *conf_path,
                    const char *extra_plugin_dir)
{
  char errbuf[CRM__ERRMSG_SIZE];
  crm__config *conf = NULL;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(extra_plugin_dir && extra_plugin_dir[0] != '/')
    return crm__err(c, CRM_EINVAL, "plugin directory \"%s\" is not "
                    "absolute; give the full path", extra_plugin_dir);
  if(c->conf)
    return crm__err(c, CRM_ESTATE, "a configuration is already loaded; "
                    "use crm_reload_config");
  rc = crm__config_read(conf_path, &conf, errbuf, sizeof(errbuf));
  if(rc)
    return crm__err(c, rc, "%s", errbuf);
  rc = crm__extra_dir(c, conf, extra_plugin_dir);
  if(rc) {
    crm__config_free(conf);
    return rc;
  }
  c->conf = conf;
  c->lc = conf->lifecycle;
  c->lc_synced_ok = 0; /* components come and go: at_risk_model may too */
  rc = crm__plugins_load(c, conf->extra_dir);
  if(!rc)
    crm__clear_err(c); /* plugins' own failed look-ups are not ours */
  crm__routes_warn(c);
  return rc;
}

int crm_reload_config(crm *c)
{
  char errbuf[CRM__ERRMSG_SIZE];
  crm__config *conf = NULL;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(!c->conf)
    return crm__err(c, CRM_ESTATE, "no configuration is loaded; use "
                    "crm_load_config first");
  rc = crm__config_read(c->conf->path, &conf, errbuf, sizeof(errbuf));
  if(rc)
    return crm__err(c, rc, "%s; the running configuration is kept", errbuf);
  rc = crm__extra_dir(c, conf, c->conf->extra_dir);
  if(rc) {
    crm__config_free(conf);
    return rc;
  }
  rc = crm__plugins_reconfigure(c, conf);
  if(!rc)
    crm__clear_err(c);
  crm__routes_warn(c);
  return rc;
}
