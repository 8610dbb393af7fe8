/*
 * cmd_plugins.c - crm plugins list, crm plugin check; and the list of
 * loaded components other commands use (score run, report).
 */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- loaded components --------------------------------------------------- */

static int collect_cb(void *ud, const crm_plugin_info *pi)
{
  cli_components *list = ud;
  const char *s = pi->components;
  if(!pi->state || strcmp(pi->state, "loaded") || !s)
    return 0;
  while(*s) {
    size_t n = strcspn(s, ",");
    const char *colon = memchr(s, ':', n);
    if(colon && list->n < CLI_COMPONENTS_MAX) {
      cli_component *co = &list->items[list->n++];
      snprintf(co->plugin, sizeof(co->plugin), "%s", pi->name);
      snprintf(co->name, sizeof(co->name), "%.*s", (int)(colon - s), s);
      snprintf(co->kind, sizeof(co->kind), "%.*s",
               (int)(n - (size_t)(colon - s) - 1), colon + 1);
    }
    s += n;
    if(*s == ',')
      s++;
  }
  return 0;
}

int cli_components_load(cli *x, cli_components *list)
{
  int rc;
  memset(list, 0, sizeof(*list));
  rc = crm_plugins_foreach(x->c, collect_cb, list);
  return rc ? cli_fail(x, rc) : CLI_OK;
}

/* ---- crm plugins list ------------------------------------------------------- */

struct list_ctx {
  cli *x;
  cli_json *j;
  cli_table *t;
  int n;
};

static int list_cb(void *ud, const crm_plugin_info *pi)
{
  struct list_ctx *lc = ud;
  lc->n++;
  if(lc->j) {
    cli_json *j = lc->j;
    cli_json_begin_object(j, NULL);
    cli_json_str(j, "name", pi->name);
    cli_json_str(j, "state", pi->state);
    cli_json_str(j, "version", pi->version);
    cli_json_str(j, "vendor", pi->vendor);
    cli_json_str(j, "components", pi->components);
    cli_json_str(j, "path", pi->path);
    cli_json_bool(j, "required", pi->required);
    cli_json_str(j, "reason", pi->reason && *pi->reason ? pi->reason : NULL);
    cli_json_time(j, "updated_at", pi->updated_at);
    cli_json_end(j);
  }
  else {
    const char *row[5];
    row[0] = pi->name;
    row[1] = pi->state;
    row[2] = pi->version ? pi->version : "-";
    row[3] = pi->components && *pi->components ? pi->components : "-";
    row[4] = pi->required ? "yes" : "no";
    cli_table_add(lc->t, row);
  }
  return 0;
}

/* Under the table: the whole refusal of each plugin that is not loaded,
 * in the form the loader logs it (what, where, why, how to fix). */
static int reason_cb(void *ud, const crm_plugin_info *pi)
{
  int *n = ud;

  if(!pi->reason || !*pi->reason || !strcmp(pi->state, "loaded"))
    return 0;
  if((*n)++ == 0)
    printf("\n");
  if(!strcmp(pi->state, "disabled"))
    printf("plugin \"%s\" disabled: %s\n", pi->name, pi->reason);
  else
    printf("plugin \"%s\" (%s) %s: %s\n", pi->name,
           pi->path && *pi->path ? pi->path : "not found", pi->state,
           pi->reason);
  return 0;
}

static int run_plugins_list(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  static const char *const head[] = {"NAME", "STATE", "VERSION",
                                     "COMPONENTS", "REQUIRED", NULL};
  cli_parser p;
  const char *arg;
  struct list_ctx lc;
  cli_json j;
  cli_table t;
  int rc;

  cli_parser_init(&p, cmd, argc, argv, NULL);
  if(cli_parser_next(x, &p, &arg) != CLI_PARSE_END)
    return p.rc;
  rc = cli_operands(&p, 0, 0);
  if(rc)
    return rc;
  rc = cli_open(x, 0);
  if(rc)
    return rc;
  memset(&lc, 0, sizeof(lc));
  lc.x = x;
  if(x->json) {
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_str(&j, "config", x->config_path);
    cli_json_begin_array(&j, "plugins");
    lc.j = &j;
  }
  else {
    cli_table_init(&t, head);
    lc.t = &t;
  }
  rc = crm_plugins_foreach(x->c, list_cb, &lc);
  if(x->json)
    cli_json_finish(&j);
  else {
    if(!rc && lc.n) {
      cli_table_print(&t, stdout, 0);
      int nreasons = 0;

      rc = crm_plugins_foreach(x->c, reason_cb, &nreasons);
    }
    else if(!rc)
      printf("no plugins%s\n", x->config_path ? "" : " (no config file)");
    cli_table_free(&t);
  }
  return rc ? cli_fail(x, rc) : CLI_OK;
}

/* ---- crm plugin check ---------------------------------------------------------- */

static int run_plugin_check(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  cli_parser p;
  const char *arg, *file;
  char msg[1024];
  int rc;

  cli_parser_init(&p, cmd, argc, argv, NULL);
  if(cli_parser_next(x, &p, &arg) != CLI_PARSE_END)
    return p.rc;
  rc = cli_operands(&p, 1, 1);
  if(rc)
    return rc;
  file = argv[p.optind];
  msg[0] = '\0';
  rc = crm_plugin_check(file, msg, sizeof(msg));
  if(x->json) {
    cli_json j;
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_str(&j, "file", file);
    cli_json_bool(&j, "ok", rc == CRM_OK);
    cli_json_str(&j, rc ? "refusal" : "summary", msg);
    cli_json_finish(&j);
  }
  if(rc) {
    fflush(stdout);
    fprintf(stderr, "crm: %s\n", msg[0] ? msg : crm_strerror(rc));
    return rc == CRM_ENOMEM || rc == CRM_ERROR ? CLI_EINTERNAL : CLI_EUSER;
  }
  if(!x->json)
    printf("%s: ok: %s\n", file, msg);
  return CLI_OK;
}

const cli_cmd cli_cmds_plugins[] = {
  {"plugins", "list", "list plugins with their state, version and components",
   "crm plugins list [--json]",
   NULL, run_plugins_list},
  {"plugin", "check", "check a plugin file without loading it (exit 1 if "
   "refused)",
   "crm plugin check FILE.so [--json]",
   NULL, run_plugin_check},
  {NULL, NULL, NULL, NULL, NULL, NULL},
};
