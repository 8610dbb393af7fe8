/*
 * session.c - where the store and the config are, and opening them.
 *
 * Config file: --config FILE, else $CRM_CONFIG, else ./crm.conf if it
 * exists, else none (no plugins, built-in lifecycle thresholds).
 * Store: --store PATH, else $CRM_STORE, else the config's store.path
 * (relative to the config file's directory), else ./crm.db.
 *
 * The config's store.path is read first (crm_config_store_path) because
 * the store must be open before crm_load_config() applies the rest.
 */
#include "cli.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_STORE "crm.db"

static void log_fn(void *ud, int level, const char *source, const char *msg)
{
  const char *tag = "";
  (void)ud;
  if(level == CRM_LOG_ERROR)
    tag = "error: ";
  else if(level == CRM_LOG_WARN)
    tag = "warning: ";
  fflush(stdout);
  if(source && *source)
    fprintf(stderr, "crm: %s%s: %s\n", tag, source, msg);
  else
    fprintf(stderr, "crm: %s%s\n", tag, msg);
}

/* Reads store.path from the config file into buf (resolved against the
 * file's directory). 1 if found, 0 if absent, or an exit code < 0. */
static int config_store_path(const char *conf, char *buf, size_t size)
{
  int rc = crm_config_store_path(conf, buf, size);

  if(rc == CRM_OK)
    return 1;
  if(rc == CRM_ENOTFOUND)
    return 0;
  if(rc == CRM_ENOMEM)
    return -cli_internal_error("%s", crm_strerror(rc));
  cli_usage_error("%s", buf[0] ? buf : crm_strerror(rc));
  return -CLI_EUSER;
}

int cli_store_path(cli *x, const char **path, const char **origin)
{
  if(x->store_path) {
    *path = x->store_path;
    *origin = "--store / CRM_STORE";
    return CLI_OK;
  }
  if(x->config_path) {
    int rc = config_store_path(x->config_path, x->store_buf,
                               sizeof(x->store_buf));
    if(rc < 0)
      return -rc;
    if(rc == 1) {
      *path = x->store_buf;
      *origin = "store.path in the config";
      return CLI_OK;
    }
  }
  *path = DEFAULT_STORE;
  *origin = "default";
  return CLI_OK;
}

int cli_open(cli *x, unsigned flags)
{
  const char *path, *origin;
  int rc = cli_store_path(x, &path, &origin);
  if(rc)
    return rc;
  if(!(flags & CRM_OPEN_CREATE) && strcmp(path, ":memory:") &&
     access(path, F_OK))
    return cli_usage_error("no store at %s (run crm init first)", path);
  rc = crm_open(&x->c, path, flags);
  if(rc) {
    int code = cli_fail(x, rc);
    cli_close(x);
    return code;
  }
  crm_set_log(x->c, log_fn, x, x->quiet ? CRM_LOG_ERROR : CRM_LOG_WARN);
  if(x->as_of)
    crm_set_now(x->c, x->as_of);
  if(x->config_path) {
    rc = crm_load_config(x->c, x->config_path, x->plugin_dir);
    if(rc) {
      int code = cli_fail(x, rc);
      cli_close(x);
      return code;
    }
  }
  return CLI_OK;
}

void cli_close(cli *x)
{
  if(x->c) {
    crm_close(x->c);
    x->c = NULL;
  }
}
