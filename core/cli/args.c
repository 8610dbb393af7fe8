/*
 * args.c - option parsing for the subcommands of `crm`: getopt_long with
 * the options every subcommand takes (--help, --json, --quiet, --as-of),
 * usage text and the error / exit code helpers.
 */
#include "cli.h"

#include <stdarg.h>
#include <string.h>

#define OPT_JSON 200
#define OPT_QUIET 201
#define OPT_ASOF 202

static const struct option common_opts[] = {
  {"help", no_argument, NULL, 'h'},
  {"json", no_argument, NULL, OPT_JSON},
  {"quiet", no_argument, NULL, OPT_QUIET},
  {"as-of", required_argument, NULL, OPT_ASOF},
  {NULL, 0, NULL, 0},
};

void cli_parser_init(cli_parser *p, const cli_cmd *cmd, int argc,
                     char **argv, const struct option *specific)
{
  size_t n = 0, i;
  memset(p, 0, sizeof(*p));
  p->cmd = cmd;
  p->argc = argc;
  p->argv = argv;
  for(i = 0; specific && specific[i].name && n < CLI_LONGOPTS_MAX - 5; i++)
    p->lo[n++] = specific[i];
  for(i = 0; common_opts[i].name; i++)
    p->lo[n++] = common_opts[i];
  /* p->lo[n] stays zeroed: the terminator */
  optind = 0; /* GNU: full re-initialisation for a new argument vector */
  opterr = 0;
}

static void cmd_name(const cli_cmd *cmd, char *buf, size_t size)
{
  if(cmd->name)
    snprintf(buf, size, "%s %s", cmd->group, cmd->name);
  else
    snprintf(buf, size, "%s", cmd->group);
}

void cli_print_usage(const cli_cmd *cmd, FILE *fp)
{
  fprintf(fp, "usage: %s\n\n%s\n", cmd->usage, cmd->summary);
  if(cmd->options)
    fprintf(fp, "\noptions:\n%s", cmd->options);
  fputs("\ncommon options:\n"
        "  --json          machine-readable output (JSON)\n"
        "  --quiet         print errors only\n"
        "  --as-of DATE    fix the clock (YYYY-MM-DD or an ISO 8601 time)\n"
        "  -h, --help      show this help\n"
        "global options (before the command): see crm --help\n",
        fp);
}

int cli_parser_next(cli *x, cli_parser *p, const char **arg)
{
  char name[64];
  for(;;) {
    int opt = getopt_long(p->argc, p->argv, ":h", p->lo, NULL);
    *arg = optarg;
    switch(opt) {
    case -1:
      p->optind = optind;
      return CLI_PARSE_END;
    case 'h':
      cli_print_usage(p->cmd, stdout);
      p->rc = CLI_OK;
      return CLI_PARSE_EXIT;
    case OPT_JSON:
      x->json = 1;
      continue;
    case OPT_QUIET:
      x->quiet = 1;
      continue;
    case OPT_ASOF:
      p->rc = cli_parse_time("--as-of", optarg, &x->as_of);
      if(p->rc)
        return CLI_PARSE_EXIT;
      continue;
    case ':':
      cmd_name(p->cmd, name, sizeof(name));
      p->rc = cli_usage_error("option %s needs a value (see crm %s --help)",
                              p->argv[optind - 1], name);
      return CLI_PARSE_EXIT;
    case '?':
      cmd_name(p->cmd, name, sizeof(name));
      if(optopt && optopt < 256)
        p->rc = cli_usage_error("unknown option -%c (see crm %s --help)",
                                optopt, name);
      else
        p->rc = cli_usage_error("unknown option %s (see crm %s --help)",
                                p->argv[optind - 1], name);
      return CLI_PARSE_EXIT;
    default:
      return opt;
    }
  }
}

int cli_operands(const cli_parser *p, int min, int max)
{
  int n = p->argc - p->optind;
  char name[64];
  cmd_name(p->cmd, name, sizeof(name));
  if(n < min)
    return cli_usage_error("%s: missing argument (usage: %s)", name,
                           p->cmd->usage);
  if(max >= 0 && n > max)
    return cli_usage_error("%s: unexpected argument '%s' (usage: %s)",
                           name, p->argv[p->optind + max], p->cmd->usage);
  return CLI_OK;
}

static void vmsg(const char *fmt, va_list ap)
{
  fflush(stdout);
  fputs("crm: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
}

int cli_usage_error(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vmsg(fmt, ap);
  va_end(ap);
  return CLI_EUSER;
}

int cli_internal_error(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vmsg(fmt, ap);
  va_end(ap);
  return CLI_EINTERNAL;
}

int cli_exit_code(int rc)
{
  switch(rc) {
  case CRM_OK:
    return CLI_OK;
  case CRM_EINVAL:
  case CRM_ENOTFOUND:
  case CRM_EEXIST:
  case CRM_ERANGE:
  case CRM_ECONFIG:
  case CRM_EPLUGIN:
  case CRM_ENOTSUP:
  case CRM_ESTATE:
  case CRM_ECANCELED:
    return CLI_EUSER;
  default: /* CRM_ERROR, CRM_ENOMEM, CRM_ESTORE, CRM_ECORRUPT */
    return CLI_EINTERNAL;
  }
}

int cli_fail(cli *x, int rc)
{
  const char *msg = NULL;
  if(x && x->c)
    msg = crm_errmsg(x->c);
  if(!msg || !*msg)
    msg = crm_strerror(rc);
  fflush(stdout);
  fprintf(stderr, "crm: %s\n", msg);
  return cli_exit_code(rc);
}
