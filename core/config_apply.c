/*
 * config_apply.c - applying the admin configuration to a handle: the
 * first load and the reload.
 *
 * Reload reloads configuration, never code: a running plugin whose
 * `config` group changed has its reconfigure hook called, or else stop,
 * fini, init and start on the same mapped code; a plugin disabled or removed
 * is stopped and finalised but stays mapped; newly enabled ones are
 * loaded. The lifecycle thresholds follow the file.
 */
#include <stdio.h>
#include <string.h>

#include <libconfig.h>

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

/* ---- one running plugin ------------------------------------------------ */

/* Stops and drops p after a failed reconfigure or restart. */
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

static int crm__reload_changed(crm *c, crm__plugin *p,
                               const crm__plugin_conf *pc)
{
  char why[CRM__ERRMSG_SIZE];
  int rc;

  if(p->desc.reconfigure) {
    crm__hctx_reset(&p->hctx);
    rc = p->desc.reconfigure(p->state, &p->hctx);
    if(rc) {
      snprintf(why, sizeof(why), "reconfigure returned %d: %.440s", rc,
               p->hctx.errmsg[0] ? p->hctx.errmsg : crm_strerror(rc));
      return crm__reload_failed(c, p, pc, why);
    }
    crm__log(c, CRM_LOG_INFO, "loader", "plugin \"%s\" reconfigured",
             p->name);
  } else {
    crm__plugin_halt(p);
    rc = crm__plugin_boot(p, why, sizeof(why));
    if(rc)
      return crm__reload_failed(c, p, pc, why);
    crm__log(c, CRM_LOG_INFO, "loader", "plugin \"%s\" restarted with its "
             "new configuration", p->name);
  }
  return crm__plugin_outcome(c, pc, p->path, CRM__PSTATE_LOADED, NULL,
                             &p->desc);
}

static int crm__reload_plugin(crm *c, crm__plugin *p,
                              const crm__config *newconf)
{
  const crm__plugin_conf *pc = crm__conf_find(newconf, p->name);
  const config_setting_t *old = p->setting;

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
  p->conf = pc;
  p->setting = pc->setting;
  if(crm__setting_equal(old, pc->setting))
    return crm__plugin_outcome(c, pc, p->path, CRM__PSTATE_LOADED, NULL,
                               &p->desc);
  return crm__reload_changed(c, p, pc);
}

int crm__plugins_reconfigure(crm *c, crm__config *newconf)
{
  crm__config *old = c->conf;
  crm__plugin *p;
  crm__plugin *next;
  size_t i;
  int first = CRM_OK;
  int rc;

  rc = crm__plugins_clear(c);
  if(rc)
    first = rc;
  /* Every running plugin moves to newconf before old is freed, so no
   * pointer into the old config_t survives, whatever fails. */
  for(p = c->plugins; p; p = next) {
    next = p->next;
    rc = crm__reload_plugin(c, p, newconf);
    if(rc && !first)
      first = rc;
  }
  c->conf = newconf;
  c->lc = newconf->lifecycle;
  crm__config_free(old);
  for(i = 0; i < newconf->n_plugins && !first; i++) {
    if(crm__plugin_by_name(c, newconf->plugins[i].name))
      continue;
    first = crm__plugin_load_one(c, newconf, &newconf->plugins[i]);
  }
  return first;
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
  rc = crm__plugins_load(c, conf->extra_dir);
  if(!rc)
    crm__clear_err(c); /* plugins' own failed look-ups are not ours */
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
  return rc;
}
