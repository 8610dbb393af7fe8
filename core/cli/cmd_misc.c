/*
 * cmd_misc.c - crm init, crm config check, crm lifecycle advance (with
 * the points' due work), crm points balance. crm score run is in
 * cmd_score.c.
 */
#include "cli.h"

#include <inttypes.h>
#include <string.h>

/* Parses a command that takes only the common options and min..max
 * operands; returns -1 to go on or an exit code. */
static int simple_args(cli *x, const cli_cmd *cmd, int argc, char **argv,
                       int min, int max, cli_parser *p)
{
  const char *arg;
  cli_parser_init(p, cmd, argc, argv, NULL);
  if(cli_parser_next(x, p, &arg) != CLI_PARSE_END)
    return p->rc;
  if(cli_operands(p, min, max))
    return CLI_EUSER;
  return -1;
}

/* ---- crm init ------------------------------------------------------------- */

static int run_init(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  cli_parser p;
  const char *path, *origin;
  int rc = simple_args(x, cmd, argc, argv, 0, 0, &p);
  if(rc >= 0)
    return rc;
  rc = cli_open(x, CRM_OPEN_CREATE);
  if(rc)
    return rc;
  cli_store_path(x, &path, &origin);
  if(x->json) {
    cli_json j;
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_str(&j, "store", path);
    cli_json_int(&j, "schema_version", crm_schema_version(x->c));
    cli_json_str(&j, "config", x->config_path);
    cli_json_finish(&j);
  }
  else if(!x->quiet)
    printf("store %s ready, schema version %d\n", path,
           crm_schema_version(x->c));
  return CLI_OK;
}

/* ---- crm config check -------------------------------------------------------- */

static int run_config_check(cli *x, const cli_cmd *cmd, int argc,
                            char **argv)
{
  cli_parser p;
  const char *file;
  char err[1024];
  int rc = simple_args(x, cmd, argc, argv, 0, 1, &p);
  if(rc >= 0)
    return rc;
  file = p.optind < argc ? argv[p.optind] : x->config_path;
  if(!file)
    return cli_usage_error("no config file to check (give FILE, --config "
                           "or CRM_CONFIG, or create ./crm.conf)");
  err[0] = '\0';
  rc = crm_config_check(file, err, sizeof(err));
  if(x->json) {
    cli_json j;
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_str(&j, "file", file);
    cli_json_bool(&j, "ok", rc == CRM_OK);
    cli_json_str(&j, "error", rc ? err : NULL);
    cli_json_finish(&j);
  }
  if(rc) {
    fflush(stdout);
    fprintf(stderr, "crm: %s\n", err[0] ? err : crm_strerror(rc));
    return cli_exit_code(rc);
  }
  if(!x->json)
    printf("%s: ok\n", file);
  return CLI_OK;
}

/* ---- crm lifecycle advance --------------------------------------------------- */

static int run_lifecycle_advance(cli *x, const cli_cmd *cmd, int argc,
                                 char **argv)
{
  cli_parser p;
  crm_due_stats st;
  size_t n = 0;
  int64_t as_of;
  char when[32];
  int rc = simple_args(x, cmd, argc, argv, 0, 0, &p);
  if(rc >= 0)
    return rc;
  rc = cli_open(x, 0);
  if(rc)
    return rc;
  as_of = x->as_of ? x->as_of : crm_now(x->c);
  rc = crm_lifecycle_advance(x->c, as_of, &n);
  if(rc)
    return cli_fail(x, rc);
  /* then the points' due work: releases, expiries, tier reviews */
  memset(&st, 0, sizeof(st));
  rc = crm_points_process_due(x->c, as_of, &st);
  if(rc)
    return cli_fail(x, rc);
  cli_fmt_date(as_of, when, sizeof(when));
  if(x->json) {
    cli_json j;
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_time(&j, "as_of", as_of);
    cli_json_int(&j, "transitions", (int64_t)n);
    cli_json_begin_object(&j, "points");
    cli_due_stats_print(x, &j, &st);
    cli_json_finish(&j);
  }
  else if(!x->quiet) {
    printf("lifecycle advanced to %s: %zu transition%s applied\n", when, n,
           n == 1 ? "" : "s");
    printf("points due work:\n");
    cli_due_stats_print(x, NULL, &st);
  }
  return CLI_OK;
}

/* ---- crm points balance ------------------------------------------------------ */

#define OPT_LEDGER 256

struct ledger_ctx {
  cli_json *j;
  cli_table *t;
};

static int ledger_cb(void *ud, const crm_ledger_entry *e)
{
  struct ledger_ctx *lc = ud;
  char id[32], at[32], pts[32], ev[32];
  const char *row[7];
  if(lc->j) {
    cli_json_begin_object(lc->j, NULL);
    cli_json_int(lc->j, "id", e->id);
    cli_json_time(lc->j, "at", e->at);
    cli_json_str(lc->j, "kind", e->kind);
    cli_json_int(lc->j, "points", e->points);
    cli_json_str(lc->j, "component", e->component);
    cli_json_int(lc->j, "event_id", e->event_id);
    cli_json_str(lc->j, "note", e->note);
    cli_json_end(lc->j);
    return 0;
  }
  snprintf(id, sizeof(id), "%" PRId64, e->id);
  cli_fmt_time(e->at, at, sizeof(at));
  snprintf(pts, sizeof(pts), "%+" PRId64, e->points);
  if(e->event_id)
    snprintf(ev, sizeof(ev), "#%" PRId64, e->event_id);
  else
    snprintf(ev, sizeof(ev), "-");
  row[0] = id;
  row[1] = at;
  row[2] = e->kind;
  row[3] = pts;
  row[4] = e->component ? e->component : "-";
  row[5] = ev;
  row[6] = e->note ? e->note : "";
  cli_table_add(lc->t, row);
  return 0;
}

static int run_points_balance(cli *x, const cli_cmd *cmd, int argc,
                              char **argv)
{
  static const struct option lo[] = {
    {"ledger", no_argument, NULL, OPT_LEDGER},
    {NULL, 0, NULL, 0},
  };
  static const char *const head[] = {"ID", "AT", "KIND", "POINTS",
                                     "COMPONENT", "EVENT", "NOTE", NULL};
  cli_parser p;
  const char *arg;
  crm_customer cu;
  struct ledger_ctx lc;
  cli_json j;
  cli_table t;
  int64_t bal = 0;
  int opt, rc, ledger = 0;

  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg))
    if(opt == OPT_LEDGER)
      ledger = 1;
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 1, 1);
  if(!rc)
    rc = cli_open(x, 0);
  if(!rc)
    rc = cli_resolve(x, argv[p.optind], &cu);
  if(rc)
    return rc;
  rc = crm_points_balance(x->c, cu.id, &bal);
  if(rc)
    return cli_fail(x, rc); /* CRM_ECORRUPT: exit 2 with the message */
  memset(&lc, 0, sizeof(lc));
  if(x->json) {
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_int(&j, "customer_id", cu.id);
    cli_json_str(&j, "external_id", cu.external_id);
    cli_json_int(&j, "balance", bal);
    lc.j = &j;
    if(ledger) {
      cli_json_begin_array(&j, "ledger");
      rc = crm_ledger_foreach(x->c, cu.id, ledger_cb, &lc);
    }
    cli_json_finish(&j);
    return rc ? cli_fail(x, rc) : CLI_OK;
  }
  printf("%s: %" PRId64 " points\n", cu.external_id, bal);
  if(!ledger)
    return CLI_OK;
  cli_table_init(&t, head);
  cli_table_align_right(&t, 3);
  lc.t = &t;
  rc = crm_ledger_foreach(x->c, cu.id, ledger_cb, &lc);
  if(!rc)
    cli_table_print(&t, stdout, 2);
  cli_table_free(&t);
  return rc ? cli_fail(x, rc) : CLI_OK;
}

const cli_cmd cli_cmds_misc[] = {
  {"init", NULL, "create the store or migrate it to the current schema",
   "crm [--store PATH] init", NULL, run_init},
  {"config", "check", "check a config file without applying it",
   "crm config check [FILE]",
   "  FILE            the file to check (default: the config in use)\n",
   run_config_check},
  {"lifecycle", "advance", "apply the time rules (at risk, lost) due by a "
   "date",
   "crm lifecycle advance [--as-of DATE]",
   "  Applies the lifecycle time rules due by --as-of (default: now), then\n"
   "  the points' due work as crm points process does (pending points\n"
   "  released, lots expired, tier reviews).\n",
   run_lifecycle_advance},
  {"points", "balance", "show a customer's points balance (and ledger)",
   "crm points balance REF [--ledger]",
   "  REF             #id, id, external id or e-mail\n"
   "  --ledger        list the ledger entries too\n",
   run_points_balance},
  {NULL, NULL, NULL, NULL, NULL, NULL},
};
