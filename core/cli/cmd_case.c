/*
 * cmd_case.c - crm case open | list | assign | move. The helpers the case
 * commands share (case references, copies of a case, the actor of a
 * change, durations, times in the team's zone) are in case_out.c.
 *
 * show is in cmd_case_show.c; reply, note, resolve, close, reject, merge
 * in cmd_case_ops.c; survey, stats, train in cmd_case_stats.c; crm sla in
 * cmd_sla.c. Times print in the zone of the case's team (crm_time_local)
 * and in UTC in --json.
 */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define OPT_CUSTOMER 256
#define OPT_SUMMARY 257
#define OPT_CATEGORY 258
#define OPT_PRIORITY 259
#define OPT_ORIGIN 260
#define OPT_ORDER 261
#define OPT_FLIGHT 262
#define OPT_MESSAGE 263
#define OPT_HANDLER 264
#define OPT_KEY 265
#define OPT_BY 266
#define OPT_WHY 267
#define OPT_STATE 268
#define OPT_OPEN 269
#define OPT_OWNER 270
#define OPT_UNASSIGNED 271
#define OPT_BREACHED 272

#define SUMMARY_WIDTH 40 /* the summary column of crm case list */

/* The JSON answer of a command that changed a case: {"case": {...}}
 * plus what the caller adds before cli_json_finish. */
static void json_begin_case(cli_json *j, const cli_case *k)
{
  cli_json_init(j, stdout);
  cli_json_begin_object(j, NULL);
  cli_case_json(j, "case", k);
}

/* ---- crm case open ------------------------------------------------------- */

struct open_args {
  const char *customer, *summary, *category, *priority, *origin, *handler;
  const char *key, *by, *why;
  const char *link_kind, *link_ref;
};

static int open_link(struct open_args *a, const char *kind, const char *ref)
{
  if(a->link_kind)
    return cli_usage_error("case open: --order, --flight and --message "
                           "exclude each other");
  a->link_kind = kind;
  a->link_ref = ref;
  return CLI_OK;
}

static void print_opened(cli *x, const cli_case *k)
{
  crm_sla_info si;
  char due[64], team[64];
  cli_json j;

  memset(&si, 0, sizeof(si));
  if(crm_sla_get(x->c, k->id, &si))
    memset(&si, 0, sizeof(si));
  if(x->json) {
    json_begin_case(&j, k);
    cli_json_time(&j, "first_response_due_at", si.first_response.due_at);
    cli_json_time(&j, "resolution_due_at", si.resolution.due_at);
    cli_json_finish(&j);
    return;
  }
  if(x->quiet)
    return;
  team[0] = '\0';
  if(k->team[0])
    snprintf(team, sizeof(team), ", team %s", k->team);
  printf("opened %s (%s, priority %d%s)", k->number,
         k->category[0] ? k->category : "no category", k->priority, team);
  if(si.first_response.due_at) {
    cli_fmt_zoned(x->c, si.first_response.due_at, k->timezone, CLI_ZONED_DAY,
                  due, sizeof(due));
    printf(": first response due %s", due);
  }
  putchar('\n');
  if(k->triage_reason[0])
    printf("  triage: %s\n", k->triage_reason);
}

static int run_case_open(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  static const struct option lo[] = {
    {"summary", required_argument, NULL, OPT_SUMMARY},
    {"category", required_argument, NULL, OPT_CATEGORY},
    {"priority", required_argument, NULL, OPT_PRIORITY},
    {"origin", required_argument, NULL, OPT_ORIGIN},
    {"order", required_argument, NULL, OPT_ORDER},
    {"flight", required_argument, NULL, OPT_FLIGHT},
    {"message", required_argument, NULL, OPT_MESSAGE},
    {"handler", required_argument, NULL, OPT_HANDLER},
    {"key", required_argument, NULL, OPT_KEY},
    {"by", required_argument, NULL, OPT_BY},
    {"why", required_argument, NULL, OPT_WHY},
    {NULL, 0, NULL, 0},
  };
  cli_parser p;
  struct open_args a;
  crm_case_new n;
  crm_customer cu;
  cli_case k;
  const char *arg;
  int64_t id = 0;
  int opt, rc = CLI_OK, prio = 0;

  memset(&a, 0, sizeof(a));
  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0 && !rc;
      opt = cli_parser_next(x, &p, &arg)) {
    switch(opt) {
    case OPT_SUMMARY: a.summary = arg; break;
    case OPT_CATEGORY: a.category = arg; break;
    case OPT_PRIORITY: a.priority = arg; break;
    case OPT_ORIGIN: a.origin = arg; break;
    case OPT_ORDER: rc = open_link(&a, "order", arg); break;
    case OPT_FLIGHT: rc = open_link(&a, "flight", arg); break;
    case OPT_MESSAGE: rc = open_link(&a, "message", arg); break;
    case OPT_HANDLER: a.handler = arg; break;
    case OPT_KEY: a.key = arg; break;
    case OPT_BY: a.by = arg; break;
    case OPT_WHY: a.why = arg; break;
    default: break;
    }
  }
  if(rc)
    return rc;
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 1, 1);
  if(rc)
    return rc;
  if(!a.summary || !*a.summary)
    return cli_usage_error("case open: --summary is required (the "
                           "customer's words)");
  if(a.priority) {
    rc = cli_case_priority(a.priority, &prio);
    if(rc)
      return rc;
  }
  rc = cli_open(x, 0);
  if(!rc)
    rc = cli_resolve(x, argv[p.optind], &cu);
  if(rc)
    return rc;
  memset(&n, 0, sizeof(n));
  n.customer_id = cu.id;
  n.summary = a.summary;
  n.category = a.category;
  n.priority = prio;
  n.origin = a.origin;
  n.link_kind = a.link_kind;
  n.link_ref = a.link_ref;
  n.handler = a.handler;
  n.idempotency_key = a.key;
  n.op.actor = cli_case_actor(a.by);
  n.op.why = a.why;
  rc = crm_case_create(x->c, &n, &id);
  if(rc)
    return cli_fail(x, rc);
  rc = cli_case_load(x, id, &k);
  if(rc)
    return rc;
  print_opened(x, &k);
  return CLI_OK;
}

/* ---- crm case list ------------------------------------------------------- */

/* The ids the walk found; the cases are loaded after it (no look-ups
 * while the store is being iterated). */
struct list_ctx {
  int64_t *ids;
  size_t n, cap;
};

/* text cut to at most width code points, "..." marking a cut */
static void cut(const char *s, size_t width, char *buf, size_t size)
{
  size_t n = 0, cp = 0;

  if(cli_text_width(s) <= width) {
    /* width code points fit in buf (4 bytes each at most); still bounded */
    n = strlen(s);
    if(n >= size)
      n = size - 1;
    while(n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
      n--;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return;
  }
  while(s[n] && cp < width - 3) {
    n++;
    while(((unsigned char)s[n] & 0xc0) == 0x80)
      n++;
    cp++;
  }
  if(n + 4 > size)
    n = size > 4 ? size - 4 : 0;
  memcpy(buf, s, n);
  memcpy(buf + n, "...", 4);
}

static int list_cb(void *ud, const crm_case *k)
{
  struct list_ctx *lc = ud;
  if(lc->n == lc->cap) {
    size_t cap = lc->cap ? lc->cap * 2 : 64;
    int64_t *ids = realloc(lc->ids, cap * sizeof(*ids));
    if(!ids)
      return CRM_ENOMEM;
    lc->ids = ids;
    lc->cap = cap;
  }
  lc->ids[lc->n++] = k->id;
  return 0;
}

/* One row of the text table: opened and due in the team's zone. */
static void list_row(cli *x, cli_table *t, const cli_case *k)
{
  char prio[16], opened[64], due[64], sum[SUMMARY_WIDTH * 4 + 4];
  const char *row[10];
  snprintf(prio, sizeof(prio), "%d", k->priority);
  cli_fmt_zoned(x->c, k->opened_at, k->timezone, CLI_ZONED_FULL, opened,
                sizeof(opened));
  cli_case_due_text(x->c, k, due, sizeof(due));
  cut(k->summary, SUMMARY_WIDTH, sum, sizeof(sum));
  row[0] = k->number;
  row[1] = k->customer[0] ? k->customer : "?";
  row[2] = k->state;
  row[3] = k->category[0] ? k->category : "-";
  row[4] = prio;
  row[5] = k->owner[0] ? k->owner : "-";
  row[6] = k->team[0] ? k->team : "-";
  row[7] = opened;
  row[8] = due;
  row[9] = sum;
  cli_table_add(t, row);
}

/* Prints the cases found (table or JSON "cases" array); an exit code. */
static int list_print(cli *x, const struct list_ctx *lc)
{
  static const char *const head[] = {"CASE", "CUSTOMER", "STATE",
                                     "CATEGORY", "PRIO", "OWNER", "TEAM",
                                     "OPENED", "DUE", "SUMMARY", NULL};
  cli_json j;
  cli_table t;
  cli_case k;
  size_t i;
  int rc = CLI_OK;

  if(x->json) {
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_begin_array(&j, "cases");
  }
  else {
    cli_table_init(&t, head);
    cli_table_align_right(&t, 4);
  }
  for(i = 0; i < lc->n && !rc; i++) {
    rc = cli_case_load(x, lc->ids[i], &k);
    if(rc)
      break;
    if(x->json)
      cli_case_json(&j, NULL, &k);
    else
      list_row(x, &t, &k);
  }
  if(x->json) {
    if(!rc)
      cli_json_finish(&j);
    return rc;
  }
  if(!rc && t.nrows > 1)
    cli_table_print(&t, stdout, 0);
  else if(!rc && !x->quiet)
    printf("no cases\n");
  cli_table_free(&t);
  return rc;
}

static int run_case_list(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  static const struct option lo[] = {
    {"customer", required_argument, NULL, OPT_CUSTOMER},
    {"state", required_argument, NULL, OPT_STATE},
    {"open", no_argument, NULL, OPT_OPEN},
    {"owner", required_argument, NULL, OPT_OWNER},
    {"unassigned", no_argument, NULL, OPT_UNASSIGNED},
    {"category", required_argument, NULL, OPT_CATEGORY},
    {"breached", no_argument, NULL, OPT_BREACHED},
    {NULL, 0, NULL, 0},
  };
  cli_parser p;
  const char *arg, *ref = NULL;
  crm_case_filter_q f;
  crm_customer cu;
  struct list_ctx lc;
  int opt, rc = CLI_OK;

  memset(&f, 0, sizeof(f));
  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0 && !rc;
      opt = cli_parser_next(x, &p, &arg)) {
    switch(opt) {
    case OPT_CUSTOMER: ref = arg; break;
    case OPT_STATE:
    case OPT_OPEN:
      if(f.state)
        rc = cli_usage_error("case list: --state and --open exclude each "
                             "other (give one)");
      f.state = opt == OPT_OPEN ? "open" : arg;
      break;
    case OPT_OWNER:
    case OPT_UNASSIGNED:
      if(f.owner)
        rc = cli_usage_error("case list: --owner and --unassigned exclude "
                             "each other (give one)");
      f.owner = opt == OPT_UNASSIGNED ? "" : arg;
      break;
    case OPT_CATEGORY: f.category = arg; break;
    case OPT_BREACHED: f.breached = 1; break;
    default: break;
    }
  }
  if(rc)
    return rc;
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 0, 0);
  if(!rc)
    rc = cli_open(x, 0);
  memset(&cu, 0, sizeof(cu));
  if(!rc && ref)
    rc = cli_resolve(x, ref, &cu);
  if(rc)
    return rc;
  f.customer_id = cu.id;
  memset(&lc, 0, sizeof(lc));
  rc = crm_cases_query(x->c, &f, list_cb, &lc);
  if(rc)
    rc = cli_fail(x, rc);
  else
    rc = list_print(x, &lc);
  free(lc.ids);
  return rc;
}

/* ---- crm case move / assign / set ------------------------------------- */

/* The answer of a change that may move the case: the case and the state
 * it left in --json. */
static void json_changed(const cli_case *k, const char *from)
{
  cli_json j;
  json_begin_case(&j, k);
  cli_json_str(&j, "from_state", from);
  cli_json_finish(&j);
}

static int run_case_move(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  static const struct option lo[] = {
    {"why", required_argument, NULL, CLI_CASE_OPT_WHY},
    {"note", required_argument, NULL, CLI_CASE_OPT_WHY}, /* the 1.0 name */
    {"by", required_argument, NULL, CLI_CASE_OPT_BY},
    {NULL, 0, NULL, 0},
  };
  cli_case_cmd cc;
  char from[32];
  int rc;

  rc = cli_case_begin(x, cmd, argc, argv, lo, 2, NULL, &cc);
  if(rc || cc.done)
    return rc;
  snprintf(from, sizeof(from), "%s", cc.k.state);
  rc = crm_case_move_op(x->c, cc.k.id, argv[cc.p.optind + 1], &cc.op);
  if(rc)
    return cli_fail(x, rc);
  rc = cli_case_load(x, cc.k.id, &cc.k);
  if(rc)
    return rc;
  if(x->json)
    json_changed(&cc.k, from);
  else if(!x->quiet)
    printf("moved %s from %s to %s\n", cc.k.number, from, cc.k.state);
  return CLI_OK;
}

static int run_case_assign(cli *x, const cli_cmd *cmd, int argc,
                           char **argv)
{
  static const struct option lo[] = {
    {"team", required_argument, NULL, CLI_CASE_OPT_TEAM},
    {"by", required_argument, NULL, CLI_CASE_OPT_BY},
    {"why", required_argument, NULL, CLI_CASE_OPT_WHY},
    {NULL, 0, NULL, 0},
  };
  cli_case_cmd cc;
  cli_case *k = &cc.k;
  char from[32], was[65];
  int rc;

  rc = cli_case_begin(x, cmd, argc, argv, lo, 2, NULL, &cc);
  if(rc || cc.done)
    return rc;
  snprintf(from, sizeof(from), "%s", k->state);
  snprintf(was, sizeof(was), "%s", k->owner);
  rc = crm_case_assign(x->c, k->id, argv[cc.p.optind + 1], cc.team, &cc.op);
  if(rc)
    return cli_fail(x, rc);
  rc = cli_case_load(x, k->id, k);
  if(rc)
    return rc;
  if(x->json)
    json_changed(k, from);
  else if(!x->quiet) {
    printf("assigned %s to %s", k->number, k->owner);
    if(was[0] && strcmp(was, k->owner))
      printf(" (%s%s%swas %s)", k->team[0] ? "team " : "", k->team,
             k->team[0] ? ", " : "", was);
    else if(k->team[0])
      printf(" (team %s)", k->team);
    if(strcmp(from, k->state))
      printf(", %s -> %s", from, k->state);
    putchar('\n');
  }
  return CLI_OK;
}

static int run_case_set(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  static const struct option lo[] = {
    {"category", required_argument, NULL, CLI_CASE_OPT_CATEGORY},
    {"priority", required_argument, NULL, CLI_CASE_OPT_PRIORITY},
    {"why", required_argument, NULL, CLI_CASE_OPT_WHY},
    {"by", required_argument, NULL, CLI_CASE_OPT_BY},
    {NULL, 0, NULL, 0},
  };
  cli_case_cmd cc;
  cli_case *k = &cc.k;
  char was_cat[32];
  int rc, prio = 0, was_prio;

  rc = cli_case_begin(x, cmd, argc, argv, lo, 1, "case set: --why is "
                      "required (the reason kept in the history)", &cc);
  if(rc || cc.done)
    return rc;
  if(!cc.category && !cc.priority)
    return cli_usage_error("case set: give --category or --priority (or "
                           "both)");
  if(cc.priority) {
    rc = cli_case_priority(cc.priority, &prio);
    if(rc)
      return rc;
  }
  snprintf(was_cat, sizeof(was_cat), "%s", k->category);
  was_prio = k->priority;
  rc = crm_case_update(x->c, k->id, cc.category, prio, &cc.op);
  if(rc)
    return cli_fail(x, rc);
  rc = cli_case_load(x, k->id, k);
  if(rc)
    return rc;
  if(x->json) {
    cli_json j;
    json_begin_case(&j, k);
    cli_json_str(&j, "from_category", was_cat[0] ? was_cat : NULL);
    cli_json_int(&j, "from_priority", was_prio);
    cli_json_finish(&j);
  }
  else if(!x->quiet) {
    printf("set %s: category %s", k->number,
           k->category[0] ? k->category : "-");
    if(strcmp(was_cat, k->category))
      printf(" (was %s)", was_cat[0] ? was_cat : "-");
    printf(", priority %d", k->priority);
    if(was_prio != k->priority)
      printf(" (was %d)", was_prio);
    putchar('\n');
  }
  return CLI_OK;
}

const cli_cmd cli_cmds_case[] = {
  {"case", "open", "open a complaint case for a customer",
   "crm case open CUSTOMER --summary TEXT [--category C] [--priority 1-4]\n"
   "                     [--origin email|phone|web|...] [--order REF | "
   "--flight REF |\n"
   "                     --message ID] [--handler H] [--key K] [--by WHO]\n"
   "                     [--why TEXT]",
   "  --summary TEXT     the customer's words (required)\n"
   "  --category C       delivery, billing, ... (default: triage and the\n"
   "                     handler decide)\n"
   "  --priority N       1 urgent .. 4 low (default: triage and the handler)\n"
   "  --origin O         channel of origin: email, phone, web, sms, store\n"
   "  --order REF        the order the case is about\n"
   "  --flight REF       the flight (\"AF123 2026-11-20\")\n"
   "  --message ID       the message the case is about\n"
   "  --handler H        complaint component (default complaints.handler)\n"
   "  --key K            idempotency key: a retry returns the first case\n"
   "  --by WHO           who opens it (default $USER, else \"cli\")\n"
   "  --why TEXT         a note kept in the history\n",
   run_case_open},
  {"case", "list", "list complaint cases",
   "crm case list [--customer REF] [--state S | --open] "
   "[--owner O | --unassigned]\n"
   "                     [--category C] [--breached]",
   "  --customer REF     only this customer's cases\n"
   "  --state S          only cases in state S (\"In progress\")\n"
   "  --open             only cases not in a final state\n"
   "  --owner O          only cases owned by O\n"
   "  --unassigned       only cases without an owner\n"
   "  --category C       only this category\n"
   "  --breached         only cases with a breached SLA clock\n"
   "  OPENED and DUE (the soonest SLA due time; \"overdue\", \"paused\")\n"
   "  are in the team's zone; --json gives UTC.\n",
   run_case_list},
  {"case", "assign", "assign a case to an agent (and a team)",
   "crm case assign CASE OWNER [--team T] [--by WHO] [--why TEXT]",
   "  CASE               C-000042, 42 or #42\n"
   "  --team T           move it to team T too (its SLA calendar)\n"
   "  --by WHO           who assigns (default $USER, else \"cli\")\n"
   "  --why TEXT         the reason kept in the history\n",
   run_case_assign},
  {"case", "move", "move a complaint case to another state",
   "crm case move CASE STATE [--why TEXT] [--by WHO]",
   "  STATE              a state of the case's handler (\"In progress\")\n"
   "  --why TEXT         the reason kept in the history (also --note)\n"
   "  --by WHO           who moves it (default $USER, else \"cli\")\n",
   run_case_move},
  {"case", "set", "change the category or priority of an open case",
   "crm case set CASE [--category C] [--priority 1-4] --why TEXT "
   "[--by WHO]",
   "  --category C       the new category (its SLA policy and team route)\n"
   "  --priority N       1 urgent .. 4 low\n"
   "  --why TEXT         the reason kept in the history (required)\n"
   "  --by WHO           who changes it (default $USER, else \"cli\")\n"
   "  The SLA clocks are re-targeted; a closed case cannot change.\n",
   run_case_set},
  {NULL, NULL, NULL, NULL, NULL, NULL},
};
