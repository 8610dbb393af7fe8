/*
 * main.c - the `crm` command: global options, command look-up, help.
 *
 *   crm [global options] COMMAND [SUBCOMMAND] [options] [arguments]
 *
 * Each command group lives in its own cmd_*.c file; see cli.h.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OPT_CONFIG 300
#define OPT_STORE 301
#define OPT_PLUGIN_DIR 302
#define OPT_ASOF 303
#define OPT_JSON 304
#define OPT_QUIET 305
#define OPT_VERSION 306

static const cli_cmd *const tables[] = {
  cli_cmds_misc, cli_cmds_customer, cli_cmds_import, cli_cmds_event,
  cli_cmds_plugins, cli_cmds_report, cli_cmds_points, cli_cmds_points_ops,
  cli_cmds_rewards, cli_cmds_tier, cli_cmds_score, cli_cmds_consent,
  cli_cmds_prefs,
  cli_cmds_outbox, cli_cmds_comm, cli_cmds_send, cli_cmds_case,
  cli_cmds_case_show, cli_cmds_case_ops, cli_cmds_case_stats, cli_cmds_sla,
  NULL,
};

static const char global_help[] =
  "usage: crm [global options] COMMAND [SUBCOMMAND] [options] [args]\n"
  "\n"
  "crm drives a crmcore store: customers, events, lifecycle stages, points,\n"
  "scores, complaint cases and messages, with plugins loaded from the\n"
  "admin config.\n"
  "\n"
  "global options:\n"
  "  --config FILE     admin config (env CRM_CONFIG; default ./crm.conf if it\n"
  "                    exists, else none: no plugins, default thresholds)\n"
  "  --store PATH      the SQLite store (env CRM_STORE; default the config's\n"
  "                    store.path, else ./crm.db)\n"
  "  --plugin-dir DIR  extra plugin directory, searched first (env\n"
  "                    CRM_PLUGIN_DIR)\n"
  "  --as-of DATE      fix the clock, for replays (YYYY-MM-DD or ISO 8601)\n"
  "  --json            machine-readable output\n"
  "  --quiet           print errors only\n"
  "  -h, --help        this help; crm COMMAND --help for a command\n"
  "  --version         print the version\n"
  "\n"
  "commands:\n";

static void print_commands(FILE *fp, const char *group)
{
  size_t t, i;
  for(t = 0; tables[t]; t++)
    for(i = 0; tables[t][i].group; i++) {
      const cli_cmd *cmd = &tables[t][i];
      char name[64];
      if(group && strcmp(group, cmd->group))
        continue;
      if(cmd->name)
        snprintf(name, sizeof(name), "%s %s", cmd->group, cmd->name);
      else
        snprintf(name, sizeof(name), "%s", cmd->group);
      fprintf(fp, "  %-20s %s\n", name, cmd->summary);
    }
}

static int group_exists(const char *group)
{
  size_t t, i;
  for(t = 0; tables[t]; t++)
    for(i = 0; tables[t][i].group; i++)
      if(!strcmp(tables[t][i].group, group))
        return 1;
  return 0;
}

/* The command named by argv[0] (and argv[1] for two-word commands). */
static const cli_cmd *find_cmd(int argc, char **argv, int *words)
{
  size_t t, i;
  for(t = 0; tables[t]; t++)
    for(i = 0; tables[t][i].group; i++) {
      const cli_cmd *cmd = &tables[t][i];
      if(strcmp(cmd->group, argv[0]))
        continue;
      if(!cmd->name) {
        *words = 1;
        return cmd;
      }
      if(argc > 1 && !strcmp(cmd->name, argv[1])) {
        *words = 2;
        return cmd;
      }
    }
  return NULL;
}

static int set_plugin_dir(cli *x, const char *dir)
{
  free(x->plugin_dir);
  x->plugin_dir = realpath(dir, NULL);
  if(!x->plugin_dir)
    return cli_usage_error("plugin directory %s: %s", dir, strerror(errno));
  return CLI_OK;
}

/* Defaults from the environment, before the options override them. */
static int from_env(cli *x)
{
  const char *v = getenv("CRM_CONFIG");
  if(v && *v) {
    x->config_path = v;
    x->config_explicit = 1;
  }
  v = getenv("CRM_STORE");
  if(v && *v)
    x->store_path = v;
  v = getenv("CRM_PLUGIN_DIR");
  if(v && *v)
    return set_plugin_dir(x, v);
  return CLI_OK;
}

static const struct option global_opts[] = {
  {"config", required_argument, NULL, OPT_CONFIG},
  {"store", required_argument, NULL, OPT_STORE},
  {"plugin-dir", required_argument, NULL, OPT_PLUGIN_DIR},
  {"as-of", required_argument, NULL, OPT_ASOF},
  {"json", no_argument, NULL, OPT_JSON},
  {"quiet", no_argument, NULL, OPT_QUIET},
  {"help", no_argument, NULL, 'h'},
  {"version", no_argument, NULL, OPT_VERSION},
  {NULL, 0, NULL, 0},
};

/* Parses the global options; returns -1 to go on, else an exit code. */
static int parse_global(cli *x, int argc, char **argv)
{
  int opt, rc;
  opterr = 0;
  for(;;) {
    opt = getopt_long(argc, argv, "+:h", global_opts, NULL);
    if(opt == -1)
      break;
    switch(opt) {
    case OPT_CONFIG:
      x->config_path = optarg;
      x->config_explicit = 1;
      break;
    case OPT_STORE:
      x->store_path = optarg;
      break;
    case OPT_PLUGIN_DIR:
      rc = set_plugin_dir(x, optarg);
      if(rc)
        return rc;
      break;
    case OPT_ASOF:
      rc = cli_parse_time("--as-of", optarg, &x->as_of);
      if(rc)
        return rc;
      break;
    case OPT_JSON:
      x->json = 1;
      break;
    case OPT_QUIET:
      x->quiet = 1;
      break;
    case 'h':
      fputs(global_help, stdout);
      print_commands(stdout, NULL);
      return CLI_OK;
    case OPT_VERSION:
      printf("crm %s\n", CRM_VERSION);
      return CLI_OK;
    case ':':
      return cli_usage_error("option %s needs a value", argv[optind - 1]);
    default:
      return cli_usage_error("unknown option %s (see crm --help)",
                             argv[optind - 1]);
    }
  }
  return -1;
}

static int run(cli *x, int argc, char **argv)
{
  const cli_cmd *cmd;
  int words = 0, rc;

  rc = from_env(x);
  if(rc)
    return rc;
  rc = parse_global(x, argc, argv);
  if(rc >= 0)
    return rc;
  argc -= optind;
  argv += optind;
  if(argc < 1) {
    fputs(global_help, stderr);
    print_commands(stderr, NULL);
    return CLI_EUSER;
  }
  if(!x->config_path && !access("crm.conf", F_OK))
    x->config_path = "crm.conf";

  cmd = find_cmd(argc, argv, &words);
  if(!cmd) {
    if(!group_exists(argv[0]))
      return cli_usage_error("unknown command '%s' (see crm --help)",
                             argv[0]);
    if(argc > 1 && strcmp(argv[1], "--help") && strcmp(argv[1], "-h"))
      rc = cli_usage_error("unknown command '%s %s'", argv[0], argv[1]);
    else if(argc == 1)
      rc = cli_usage_error("%s needs a subcommand", argv[0]);
    else
      rc = CLI_OK;
    fprintf(rc ? stderr : stdout, "usage: crm %s SUBCOMMAND ...\n",
            argv[0]);
    print_commands(rc ? stderr : stdout, argv[0]);
    return rc;
  }
  /* argv[words - 1] becomes the command's argv[0] */
  return cmd->run(x, cmd, argc - (words - 1), argv + (words - 1));
}

int main(int argc, char **argv)
{
  cli x;
  int rc;
  memset(&x, 0, sizeof(x));
  rc = run(&x, argc, argv);
  cli_close(&x);
  free(x.plugin_dir);
  if(fflush(stdout) && !rc) {
    fprintf(stderr, "crm: cannot write output: %s\n", strerror(errno));
    rc = CLI_EINTERNAL;
  }
  return rc;
}
