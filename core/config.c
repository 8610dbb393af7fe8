/*
 * config.c - reading and validating the admin configuration (libconfig).
 *
 * The whole file is checked before anything is applied: unknown keys,
 * wrong types, relative plugin paths, duplicate plugins and out-of-range
 * lifecycle thresholds are refused as "FILE:LINE: reason". The config_t
 * stays alive in crm__config.cfg because plugins read their own `config`
 * group through the host table at any time.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libconfig.h>

#include "case_int.h"
#include "comm_int.h"
#include "points_int.h"

#define CRM__CFG_NAME_MAX 64
#define CRM__CFG_INT_MAX 1000000

/* Parsing state (crm__cfgread, points_int.h): where errors go. s is a
 * config_setting_t * (NULL: no line). */
int crm__cfg_fail(crm__cfgread *r, const void *s, const char *fmt, ...)
{
  char reason[CRM__ERRMSG_SIZE];
  const char *file = r->path;
  int line = 0;
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(reason, sizeof(reason), fmt, ap);
  va_end(ap);
  if(s) {
    line = config_setting_source_line((const config_setting_t *)s);
    if(config_setting_source_file((const config_setting_t *)s))
      file = config_setting_source_file((const config_setting_t *)s);
  }
  if(r->errbuf && r->errsize)
    snprintf(r->errbuf, r->errsize, "%s:%d: %s", file, line, reason);
  return CRM_ECONFIG;
}

static int crm__cfg_nomem(crm__cfgread *r)
{
  if(r->errbuf && r->errsize)
    snprintf(r->errbuf, r->errsize, "%s: out of memory", r->path);
  return CRM_ENOMEM;
}

/* "a/b/crm.conf" -> "a/b/<rel>"; "crm.conf" -> "<rel>". */
static char *crm__cfg_resolve(const char *conf_path, const char *rel)
{
  const char *slash = strrchr(conf_path, '/');
  size_t dlen;
  size_t rlen = strlen(rel);
  char *out;

  if(rel[0] == '/' || !slash)
    return crm__strdup(rel);
  dlen = (size_t)(slash - conf_path) + 1;
  out = crm__malloc(dlen + rlen + 1);
  if(!out)
    return NULL;
  memcpy(out, conf_path, dlen);
  memcpy(out + dlen, rel, rlen + 1);
  return out;
}

static int crm__cfg_known(const char *name, const char *const *known)
{
  size_t i;

  for(i = 0; known[i]; i++) {
    if(strcmp(name, known[i]) == 0)
      return 1;
  }
  return 0;
}

/* Every member of group g must be one of known (points_int.h). */
int crm__cfg_check_keys(crm__cfgread *r, const void *group,
                        const char *what, const char *const *known,
                        const char *expected)
{
  const config_setting_t *g = group;
  int i;
  int n = config_setting_length(g);

  for(i = 0; i < n; i++) {
    const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
    const char *name = config_setting_name(m);

    if(!name || !crm__cfg_known(name, known))
      return crm__cfg_fail(r, m, "unknown %ssetting \"%s\" (expected %s)",
                           what, name ? name : "?", expected);
  }
  return CRM_OK;
}

/* ---- store ---------------------------------------------------------- */

static int crm__cfg_store(crm__cfgread *r, crm__config *conf,
                          const config_setting_t *g)
{
  static const char *const known[] = {"path", NULL};
  const config_setting_t *p;
  int rc;

  if(!config_setting_is_group(g))
    return crm__cfg_fail(r, g, "store must be a group: store = { ... }");
  rc = crm__cfg_check_keys(r, g, "store ", known, "path");
  if(rc)
    return rc;
  p = config_setting_get_member(g, "path");
  if(!p)
    return CRM_OK;
  if(config_setting_type(p) != CONFIG_TYPE_STRING ||
     !*config_setting_get_string(p))
    return crm__cfg_fail(r, p, "store.path must be a non-empty string");
  conf->store_path = crm__cfg_resolve(conf->path,
                                      config_setting_get_string(p));
  if(!conf->store_path)
    return crm__cfg_nomem(r);
  return CRM_OK;
}

/* ---- lifecycle ------------------------------------------------------ */

static int crm__cfg_posint(crm__cfgread *r, const config_setting_t *g,
                           const char *key, int *out)
{
  const config_setting_t *s = config_setting_get_member(g, key);
  long long v;

  if(!s)
    return CRM_OK;
  if(config_setting_type(s) != CONFIG_TYPE_INT &&
     config_setting_type(s) != CONFIG_TYPE_INT64)
    return crm__cfg_fail(r, s, "lifecycle.%s must be an integer", key);
  v = config_setting_get_int64(s);
  if(v <= 0 || v > CRM__CFG_INT_MAX)
    return crm__cfg_fail(r, s, "lifecycle.%s is %lld; it must be between "
                         "1 and %d", key, v, CRM__CFG_INT_MAX);
  *out = (int)v;
  return CRM_OK;
}

/* A non-empty string member of lifecycle.at_risk_model into buf. */
static int crm__cfg_model_name(crm__cfgread *r, const config_setting_t *g,
                               const char *key, char *buf, size_t size,
                               int required)
{
  const config_setting_t *s = config_setting_get_member(g, key);
  const char *v;

  if(!s) {
    if(required)
      return crm__cfg_fail(r, g, "lifecycle.at_risk_model.%s is missing: "
                           "name the scoring %s", key,
                           strcmp(key, "score") ? "component" : "score");
    return CRM_OK;
  }
  v = config_setting_type(s) == CONFIG_TYPE_STRING
          ? config_setting_get_string(s) : NULL;
  if(!v || !*v || strlen(v) >= size)
    return crm__cfg_fail(r, s, "lifecycle.at_risk_model.%s must be a "
                         "non-empty string of at most %zu bytes", key,
                         size - 1);
  snprintf(buf, size, "%s", v);
  return CRM_OK;
}

/* lifecycle.at_risk_model = { component; score; threshold; check_days } */
static int crm__cfg_at_risk_model(crm__cfgread *r, crm__lifecycle_cfg *lc,
                                  const config_setting_t *g)
{
  static const char *const known[] = {"component", "score", "threshold",
                                      "check_days", NULL};
  const config_setting_t *s;
  long long days;
  int rc;

  if(!config_setting_is_group(g))
    return crm__cfg_fail(r, g, "lifecycle.at_risk_model must be a group: "
                         "at_risk_model = { component = \"churn\"; ... }");
  rc = crm__cfg_check_keys(r, g, "lifecycle.at_risk_model ", known,
                           "component, score, threshold or check_days");
  if(!rc)
    rc = crm__cfg_model_name(r, g, "component", lc->at_risk_component,
                             sizeof(lc->at_risk_component), 1);
  if(!rc)
    rc = crm__cfg_model_name(r, g, "score", lc->at_risk_score,
                             sizeof(lc->at_risk_score), 0);
  if(rc)
    return rc;
  s = config_setting_get_member(g, "threshold");
  if(s) {
    if(!config_setting_is_number(s))
      return crm__cfg_fail(r, s, "lifecycle.at_risk_model.threshold must "
                           "be a number");
    lc->at_risk_threshold = config_setting_type(s) == CONFIG_TYPE_FLOAT
                                ? config_setting_get_float(s)
                                : (double)config_setting_get_int64(s);
    if(!(lc->at_risk_threshold > 0.0) || lc->at_risk_threshold > 1.0)
      return crm__cfg_fail(r, s, "lifecycle.at_risk_model.threshold is %g; "
                           "it must be greater than 0 and at most 1",
                           lc->at_risk_threshold);
  }
  s = config_setting_get_member(g, "check_days");
  if(!s)
    return CRM_OK;
  if(config_setting_type(s) != CONFIG_TYPE_INT &&
     config_setting_type(s) != CONFIG_TYPE_INT64)
    return crm__cfg_fail(r, s, "lifecycle.at_risk_model.check_days must be "
                         "an integer");
  days = config_setting_get_int64(s);
  if(days < 1 || days > CRM__CFG_INT_MAX)
    return crm__cfg_fail(r, s, "lifecycle.at_risk_model.check_days is %lld; "
                         "it must be between 1 and %d", days,
                         CRM__CFG_INT_MAX);
  lc->at_risk_check_days = (int)days;
  return CRM_OK;
}

static int crm__cfg_lifecycle(crm__cfgread *r, crm__config *conf,
                              const config_setting_t *g)
{
  static const char *const known[] = {
    "repeat_purchases", "loyal_purchases", "window_days", "at_risk_factor",
    "at_risk_floor_days", "lost_days", "park_after_contacts",
    "at_risk_model", NULL};
  crm__lifecycle_cfg *lc = &conf->lifecycle;
  const config_setting_t *f;
  const config_setting_t *loyal;
  int rc;

  if(!config_setting_is_group(g))
    return crm__cfg_fail(r, g, "lifecycle must be a group: "
                         "lifecycle = { ... }");
  rc = crm__cfg_check_keys(r, g, "lifecycle ", known,
                           "repeat_purchases, loyal_purchases, window_days, "
                           "at_risk_factor, at_risk_floor_days, lost_days, "
                           "park_after_contacts or at_risk_model");
  if(!rc)
    rc = crm__cfg_posint(r, g, "repeat_purchases", &lc->repeat_purchases);
  if(!rc)
    rc = crm__cfg_posint(r, g, "loyal_purchases", &lc->loyal_purchases);
  if(!rc)
    rc = crm__cfg_posint(r, g, "window_days", &lc->window_days);
  if(!rc)
    rc = crm__cfg_posint(r, g, "at_risk_floor_days", &lc->at_risk_floor_days);
  if(!rc)
    rc = crm__cfg_posint(r, g, "lost_days", &lc->lost_days);
  if(!rc)
    rc = crm__cfg_posint(r, g, "park_after_contacts",
                         &lc->park_after_contacts);
  if(rc)
    return rc;
  f = config_setting_get_member(g, "at_risk_model");
  if(f) {
    rc = crm__cfg_at_risk_model(r, lc, f);
    if(rc)
      return rc;
  }
  f = config_setting_get_member(g, "at_risk_factor");
  if(f) {
    if(!config_setting_is_number(f))
      return crm__cfg_fail(r, f, "lifecycle.at_risk_factor must be a "
                           "number");
    lc->at_risk_factor = config_setting_type(f) == CONFIG_TYPE_FLOAT
                             ? config_setting_get_float(f)
                             : (double)config_setting_get_int64(f);
    if(!(lc->at_risk_factor > 0.0) || lc->at_risk_factor > 1000.0)
      return crm__cfg_fail(r, f, "lifecycle.at_risk_factor is %g; it must "
                           "be greater than 0 and at most 1000",
                           lc->at_risk_factor);
  }
  if(lc->loyal_purchases < lc->repeat_purchases) {
    loyal = config_setting_get_member(g, "loyal_purchases");
    if(!loyal)
      loyal = config_setting_get_member(g, "repeat_purchases");
    return crm__cfg_fail(r, loyal, "lifecycle.loyal_purchases (%d) must be "
                         ">= repeat_purchases (%d)", lc->loyal_purchases,
                         lc->repeat_purchases);
  }
  return CRM_OK;
}

/* ---- plugins -------------------------------------------------------- */

static int crm__cfg_plugin_paths(crm__cfgread *r, crm__config *conf,
                                 const config_setting_t *a)
{
  int n;
  int i;

  if(!config_setting_is_array(a) && !config_setting_is_list(a))
    return crm__cfg_fail(r, a, "plugins.path must be an array of absolute "
                         "directories: path = [ \"/dir\" ]");
  n = config_setting_length(a);
  if(n == 0)
    return CRM_OK;
  conf->plugin_paths = crm__calloc((size_t)n, sizeof(char *));
  if(!conf->plugin_paths)
    return crm__cfg_nomem(r);
  for(i = 0; i < n; i++) {
    const config_setting_t *e = config_setting_get_elem(a, (unsigned)i);
    const char *s;

    if(config_setting_type(e) != CONFIG_TYPE_STRING)
      return crm__cfg_fail(r, e, "plugins.path entries must be strings");
    s = config_setting_get_string(e);
    if(s[0] != '/')
      return crm__cfg_fail(r, e, "plugin path \"%s\" is not absolute; "
                           "plugin paths must be absolute directories", s);
    conf->plugin_paths[i] = crm__strdup(s);
    if(!conf->plugin_paths[i])
      return crm__cfg_nomem(r);
    conf->n_plugin_paths = (size_t)i + 1;
  }
  return CRM_OK;
}

/* Plugin and component names become file names: 1..max letters,
 * digits, '_' and '-'. */
int crm__cfg_name_ok(const char *s, size_t max)
{
  size_t i;
  size_t n = strlen(s);

  if(n == 0 || n > max)
    return 0;
  for(i = 0; i < n; i++) {
    char ch = s[i];

    if(!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
         (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
      return 0;
  }
  return 1;
}

static int crm__cfg_bool(crm__cfgread *r, const config_setting_t *g,
                         const char *key, int *out)
{
  const config_setting_t *s = config_setting_get_member(g, key);

  if(!s)
    return CRM_OK;
  if(config_setting_type(s) != CONFIG_TYPE_BOOL)
    return crm__cfg_fail(r, s, "plugin setting %s must be true or false",
                         key);
  *out = config_setting_get_bool(s) ? 1 : 0;
  return CRM_OK;
}

static int crm__cfg_plugin_name(crm__cfgread *r, crm__config *conf,
                                const config_setting_t *g,
                                crm__plugin_conf *pc)
{
  const config_setting_t *s = config_setting_get_member(g, "name");
  const char *name;
  size_t i;

  if(!s)
    return crm__cfg_fail(r, g, "plugin entry has no name; add name = "
                         "\"...\"");
  if(config_setting_type(s) != CONFIG_TYPE_STRING)
    return crm__cfg_fail(r, s, "plugin name must be a string");
  name = config_setting_get_string(s);
  if(!crm__cfg_name_ok(name, CRM__CFG_NAME_MAX))
    return crm__cfg_fail(r, s, "plugin name \"%s\" is not valid; use 1 to "
                         "%d letters, digits, '_' or '-'", name,
                         CRM__CFG_NAME_MAX);
  for(i = 0; i < conf->n_plugins; i++) {
    if(strcmp(conf->plugins[i].name, name) == 0)
      return crm__cfg_fail(r, s, "duplicate plugin \"%s\" (first at line "
                           "%d); each plugin may be loaded once", name,
                           conf->plugins[i].line);
  }
  pc->name = crm__strdup(name);
  if(!pc->name)
    return crm__cfg_nomem(r);
  return CRM_OK;
}

static int crm__cfg_plugin_file(crm__cfgread *r, const config_setting_t *g,
                                crm__plugin_conf *pc)
{
  const config_setting_t *s = config_setting_get_member(g, "file");
  const char *file;

  if(!s)
    return CRM_OK;
  if(config_setting_type(s) != CONFIG_TYPE_STRING)
    return crm__cfg_fail(r, s, "plugin file must be a string");
  file = config_setting_get_string(s);
  if(file[0] != '/')
    return crm__cfg_fail(r, s, "plugin file \"%s\" is not absolute; give "
                         "the full path of the .so", file);
  pc->file = crm__strdup(file);
  if(!pc->file)
    return crm__cfg_nomem(r);
  return CRM_OK;
}

static int crm__cfg_plugin(crm__cfgread *r, crm__config *conf,
                           config_setting_t *g)
{
  static const char *const known[] = {"name", "file", "enabled", "required",
                                      "config", "scheme", NULL};
  crm__plugin_conf *pc = &conf->plugins[conf->n_plugins];
  config_setting_t *cg;
  int rc;

  if(!config_setting_is_group(g))
    return crm__cfg_fail(r, g, "plugins.load entries must be groups: "
                         "{ name = \"...\"; }");
  memset(pc, 0, sizeof(*pc));
  pc->enabled = 1;
  pc->line = config_setting_source_line(g);
  rc = crm__cfg_check_keys(r, g, "plugin ", known,
                           "name, file, enabled, required, config or "
                           "scheme");
  if(!rc)
    rc = crm__cfg_plugin_name(r, conf, g, pc);
  if(!rc)
    rc = crm__cfg_plugin_file(r, g, pc);
  if(!rc)
    rc = crm__cfg_bool(r, g, "enabled", &pc->enabled);
  if(!rc)
    rc = crm__cfg_bool(r, g, "required", &pc->required);
  if(rc) {
    crm__free(pc->name);
    crm__free(pc->file);
    return rc;
  }
  cg = config_setting_get_member(g, "config");
  if(cg && !config_setting_is_group(cg))
    rc = crm__cfg_fail(r, cg, "plugin config must be a group: "
                       "config = { ... }");
  if(!rc && config_setting_get_member(g, "scheme"))
    rc = crm__scheme_parse(r, config_setting_get_member(g, "scheme"),
                           &pc->scheme);
  if(rc) {
    crm__free(pc->name);
    crm__free(pc->file);
    return rc;
  }
  pc->setting = cg;
  conf->n_plugins++;
  return CRM_OK;
}

static int crm__cfg_plugin_load(crm__cfgread *r, crm__config *conf,
                                const config_setting_t *l)
{
  int n;
  int i;
  int rc;

  if(!config_setting_is_list(l))
    return crm__cfg_fail(r, l, "plugins.load must be a list of groups: "
                         "load = ( { name = \"...\"; } )");
  n = config_setting_length(l);
  if(n == 0)
    return CRM_OK;
  conf->plugins = crm__calloc((size_t)n, sizeof(crm__plugin_conf));
  if(!conf->plugins)
    return crm__cfg_nomem(r);
  for(i = 0; i < n; i++) {
    rc = crm__cfg_plugin(r, conf, config_setting_get_elem(l, (unsigned)i));
    if(rc)
      return rc;
  }
  return CRM_OK;
}

static int crm__cfg_plugins(crm__cfgread *r, crm__config *conf,
                            const config_setting_t *g)
{
  static const char *const known[] = {"path", "load", NULL};
  const config_setting_t *s;
  int rc;

  if(!config_setting_is_group(g))
    return crm__cfg_fail(r, g, "plugins must be a group: plugins = { ... }");
  rc = crm__cfg_check_keys(r, g, "plugins ", known, "path or load");
  if(rc)
    return rc;
  s = config_setting_get_member(g, "path");
  if(s) {
    rc = crm__cfg_plugin_paths(r, conf, s);
    if(rc)
      return rc;
  }
  s = config_setting_get_member(g, "load");
  if(s)
    return crm__cfg_plugin_load(r, conf, s);
  return CRM_OK;
}

/* ---- the file ------------------------------------------------------- */

static int crm__cfg_parse_error(crm__cfgread *r, config_t *cfg)
{
  const char *file = config_error_file(cfg) ? config_error_file(cfg)
                                            : r->path;

  if(config_error_type(cfg) == CONFIG_ERR_FILE_IO) {
    snprintf(r->errbuf, r->errsize, "%s: cannot read configuration file: "
             "%s", r->path, errno ? strerror(errno) : "i/o error");
    return CRM_ECONFIG;
  }
  snprintf(r->errbuf, r->errsize, "%s:%d: %s", file, config_error_line(cfg),
           config_error_text(cfg) ? config_error_text(cfg) : "syntax error");
  return CRM_ECONFIG;
}

static int crm__cfg_include_dir(crm__cfgread *r, config_t *cfg,
                                const char *path)
{
  char *dir = crm__cfg_resolve(path, ".");

  if(!dir)
    return crm__cfg_nomem(r);
  config_set_include_dir(cfg, dir);
  crm__free(dir);
  return CRM_OK;
}

/* A channel routed to the component of a plugin the file disables would
 * hold its messages for ever: refused, with the way out. */
static int crm__cfg_routes_enabled(crm__cfgread *r, const crm__config *conf,
                                   const config_setting_t *root)
{
  const crm__comm_cfg *cc = conf->comm;
  size_t i, k;

  for(i = 0; cc && i < cc->n_routes; i++) {
    for(k = 0; k < conf->n_plugins; k++) {
      const crm__plugin_conf *p = &conf->plugins[k];

      if(p->enabled || strcmp(p->name, cc->routes[i].component) != 0)
        continue;
      return crm__cfg_fail(r, config_setting_get_member(root,
                                                        "communication"),
                           "channel \"%s\" is routed to component \"%s\", "
                           "whose plugin is disabled (enabled = false, line "
                           "%d): enable it or route the channel to another "
                           "component", cc->routes[i].name,
                           cc->routes[i].component, p->line);
    }
  }
  return CRM_OK;
}

static int crm__cfg_root(crm__cfgread *r, crm__config *conf, config_t *cfg)
{
  static const char *const known[] = {"store", "plugins", "lifecycle",
                                      "communication", "complaints", NULL};
  const config_setting_t *root = config_root_setting(cfg);
  const config_setting_t *s;
  int rc;

  rc = crm__cfg_check_keys(r, root, "", known,
                           "store, plugins, lifecycle, communication or "
                           "complaints");
  if(rc)
    return rc;
  s = config_setting_get_member(root, "complaints");
  if(s) {
    rc = crm__cfg_complaints(r, s, &conf->cases);
    if(rc)
      return rc;
  }
  s = config_setting_get_member(root, "communication");
  if(s) {
    rc = crm__cfg_communication(r, s, &conf->comm);
    if(rc)
      return rc;
  }
  s = config_setting_get_member(root, "store");
  if(s) {
    rc = crm__cfg_store(r, conf, s);
    if(rc)
      return rc;
  }
  s = config_setting_get_member(root, "lifecycle");
  if(s) {
    rc = crm__cfg_lifecycle(r, conf, s);
    if(rc)
      return rc;
  }
  s = config_setting_get_member(root, "plugins");
  if(s) {
    rc = crm__cfg_plugins(r, conf, s);
    if(rc)
      return rc;
  }
  return crm__cfg_routes_enabled(r, conf, root);
}

int crm__config_read(const char *path, crm__config **out, char *errbuf,
                     size_t errbuf_size)
{
  crm__cfgread r;
  crm__config *conf;
  config_t *cfg;
  int rc;

  r.path = path ? path : "(null)";
  r.errbuf = errbuf;
  r.errsize = errbuf_size;
  if(errbuf && errbuf_size)
    errbuf[0] = '\0';
  if(!out)
    return CRM_EINVAL;
  *out = NULL;
  if(!path || !*path)
    return crm__cfg_fail(&r, NULL, "configuration file name is empty");
  conf = crm__calloc(1, sizeof(*conf));
  if(!conf)
    return crm__cfg_nomem(&r);
  crm__lifecycle_defaults(&conf->lifecycle);
  conf->path = crm__strdup(path);
  cfg = crm__malloc(sizeof(*cfg));
  if(!conf->path || !cfg) {
    crm__free(cfg);
    crm__config_free(conf);
    return crm__cfg_nomem(&r);
  }
  config_init(cfg);
  conf->cfg = cfg;
  rc = crm__cfg_include_dir(&r, cfg, path);
  if(!rc) {
    errno = 0;
    if(!config_read_file(cfg, path))
      rc = crm__cfg_parse_error(&r, cfg);
  }
  if(!rc)
    rc = crm__cfg_root(&r, conf, cfg);
  if(rc) {
    crm__config_free(conf);
    return rc;
  }
  *out = conf;
  return CRM_OK;
}

void crm__config_free(crm__config *conf)
{
  size_t i;

  if(!conf)
    return;
  for(i = 0; i < conf->n_plugin_paths; i++)
    crm__free(conf->plugin_paths[i]);
  crm__free(conf->plugin_paths);
  for(i = 0; i < conf->n_plugins; i++) {
    crm__free(conf->plugins[i].name);
    crm__free(conf->plugins[i].file);
    crm__scheme_free(conf->plugins[i].scheme);
  }
  crm__free(conf->plugins);
  if(conf->cfg) {
    config_destroy(conf->cfg);
    crm__free(conf->cfg);
  }
  crm__comm_cfg_free(conf->comm);
  crm__cases_cfg_free(conf->cases);
  crm__free(conf->extra_dir);
  crm__free(conf->store_path);
  crm__free(conf->path);
  crm__free(conf);
}

int crm_config_check(const char *conf_path, char *errbuf, size_t errbuf_size)
{
  crm__config *conf = NULL;
  int rc;

  rc = crm__config_read(conf_path, &conf, errbuf, errbuf_size);
  crm__config_free(conf);
  return rc;
}

int crm_config_store_path(const char *conf_path, char *buf, size_t buf_size)
{
  crm__config *conf = NULL;
  int rc;
  int n;

  if(!conf_path || !buf || !buf_size)
    return CRM_EINVAL;
  rc = crm__config_read(conf_path, &conf, buf, buf_size);
  if(rc)
    return rc;
  if(!conf->store_path) {
    crm__config_free(conf);
    buf[0] = '\0';
    return CRM_ENOTFOUND;
  }
  n = snprintf(buf, buf_size, "%s", conf->store_path);
  crm__config_free(conf);
  if(n < 0 || (size_t)n >= buf_size)
    return CRM_ERANGE;
  return CRM_OK;
}
