/*
 * cmd_customer.c - crm customer add / update / show / list.
 */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define OPT_EXTID 256
#define OPT_NAME 257
#define OPT_EMAIL 258
#define OPT_PHONE 259
#define OPT_TZ 260
#define OPT_BIRTHDAY 261
#define OPT_ATTR 262
#define OPT_STAGE 263
#define OPT_LIMIT 264
#define OPT_UNSET_ATTR 265

#define ATTRS_MAX 32

/* Checks an --attr value: "KEY=VALUE" with a non-empty key. */
static int check_attr_arg(const char *arg)
{
  if(!strchr(arg, '=') || arg[0] == '=')
    return cli_usage_error("--attr: expected KEY=VALUE, not '%s'", arg);
  return CLI_OK;
}

/* ---- crm customer add --------------------------------------------------------- */

/* Sets "k=v" attributes; returns a CRM code. */
static int set_attrs(cli *x, int64_t id, char **attrs, size_t n)
{
  size_t i;
  for(i = 0; i < n; i++) {
    char *eq = strchr(attrs[i], '=');
    int rc;
    *eq = '\0';
    rc = crm_customer_set_attr(x->c, id, attrs[i], eq + 1);
    *eq = '=';
    if(rc)
      return rc;
  }
  return CRM_OK;
}

static int print_added(cli *x, int64_t id)
{
  crm_customer cu;
  cli_json j;
  int rc = crm_customer_get(x->c, id, &cu);
  if(rc)
    return cli_fail(x, rc);
  if(!x->json) {
    if(!x->quiet)
      printf("added customer #%" PRId64 " %s\n", cu.id, cu.external_id);
    return CLI_OK;
  }
  cli_json_init(&j, stdout);
  cli_json_begin_object(&j, NULL);
  cli_json_customer_fields(&j, &cu);
  cli_json_finish(&j);
  return CLI_OK;
}

static int run_customer_add(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  static const struct option lo[] = {
    {"external-id", required_argument, NULL, OPT_EXTID},
    {"name", required_argument, NULL, OPT_NAME},
    {"email", required_argument, NULL, OPT_EMAIL},
    {"phone", required_argument, NULL, OPT_PHONE},
    {"timezone", required_argument, NULL, OPT_TZ},
    {"birthday", required_argument, NULL, OPT_BIRTHDAY},
    {"attr", required_argument, NULL, OPT_ATTR},
    {NULL, 0, NULL, 0},
  };
  cli_parser p;
  crm_customer_fields f;
  char *attrs[ATTRS_MAX];
  size_t nattrs = 0;
  const char *arg;
  int64_t id = 0;
  int opt, rc;

  memset(&f, 0, sizeof(f));
  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg)) {
    switch(opt) {
    case OPT_EXTID: f.external_id = arg; break;
    case OPT_NAME: f.name = arg; break;
    case OPT_EMAIL: f.email = arg; break;
    case OPT_PHONE: f.phone = arg; break;
    case OPT_TZ: f.timezone = arg; break;
    case OPT_BIRTHDAY: f.birthday = arg; break;
    case OPT_ATTR:
      rc = check_attr_arg(arg);
      if(rc)
        return rc;
      if(nattrs == ATTRS_MAX)
        return cli_usage_error("--attr: at most %d attributes", ATTRS_MAX);
      attrs[nattrs++] = (char *)arg;
      break;
    default: break;
    }
  }
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 0, 0);
  if(rc)
    return rc;
  if(!f.external_id)
    return cli_usage_error("customer add: --external-id is required");
  rc = cli_open(x, 0);
  if(rc)
    return rc;
  /* the customer and its attributes go in together or not at all */
  rc = crm_begin(x->c);
  if(!rc)
    rc = crm_customer_add(x->c, &f, &id);
  if(!rc)
    rc = set_attrs(x, id, attrs, nattrs);
  if(!rc)
    rc = crm_commit(x->c);
  if(rc) {
    int code = cli_fail(x, rc);
    crm_rollback(x->c);
    return code;
  }
  return print_added(x, id);
}

/* ---- crm customer show --------------------------------------------------------- */

struct show_ctx {
  cli_json *j;
  int n;
};

static void text_section(struct show_ctx *sc, const char *title)
{
  if(!sc->n++)
    printf("%s:\n", title);
}

static int attr_cb(void *ud, const char *key, const char *value)
{
  struct show_ctx *sc = ud;
  if(sc->j) {
    cli_json_str(sc->j, key, value);
    return 0;
  }
  text_section(sc, "attributes");
  printf("  %s = %s\n", key, value);
  return 0;
}

static int score_cb(void *ud, const crm_score *s)
{
  struct show_ctx *sc = ud;
  if(sc->j) {
    cli_score_json(sc->j, s);
    return 0;
  }
  text_section(sc, "scores");
  cli_score_print(s, 2);
  return 0;
}

static int transition_cb(void *ud, const crm_transition *t)
{
  struct show_ctx *sc = ud;
  char when[32];
  if(sc->j) {
    cli_json_begin_object(sc->j, NULL);
    cli_json_time(sc->j, "at", t->at);
    cli_json_str(sc->j, "from", crm_stage_name(t->from_stage));
    cli_json_str(sc->j, "to", crm_stage_name(t->to_stage));
    cli_json_str(sc->j, "cause", t->cause);
    cli_json_end(sc->j);
    return 0;
  }
  text_section(sc, "lifecycle");
  cli_fmt_time(t->at, when, sizeof(when));
  printf("  %s  %s -> %s  (%s)\n", when, crm_stage_name(t->from_stage),
         crm_stage_name(t->to_stage), t->cause ? t->cause : "");
  return 0;
}

static int case_cb(void *ud, const crm_case *k)
{
  struct show_ctx *sc = ud;
  char when[32];
  if(sc->j) {
    cli_json_begin_object(sc->j, NULL);
    cli_json_int(sc->j, "id", k->id);
    cli_json_str(sc->j, "state", k->state);
    cli_json_str(sc->j, "handler", k->handler);
    cli_json_str(sc->j, "category", k->category);
    cli_json_str(sc->j, "summary", k->summary);
    cli_json_int(sc->j, "priority", k->priority);
    cli_json_time(sc->j, "opened_at", k->opened_at);
    cli_json_end(sc->j);
    return 0;
  }
  text_section(sc, "cases");
  cli_fmt_time(k->opened_at, when, sizeof(when));
  printf("  #%" PRId64 "  %s  %-10s %s  [%s] %s\n", k->id, when, k->state,
         k->handler ? k->handler : "-",
         k->category && *k->category ? k->category : "-",
         k->summary ? k->summary : "");
  return 0;
}

static const char *man_text(int v)
{
  return v < 0 ? "?" : v ? "yes" : "no";
}

static void show_text_fields(const crm_customer *cu, int64_t balance)
{
  char a[32], b[32], money[64];
  printf("customer #%" PRId64 "  %s  %s\n", cu->id, cu->external_id,
         cu->name[0] ? cu->name : "");
  printf("  email      %s\n", cu->email[0] ? cu->email : "-");
  printf("  phone      %s\n", cu->phone[0] ? cu->phone : "-");
  printf("  timezone   %s\n", cu->timezone[0] ? cu->timezone : "-");
  printf("  birthday   %s\n", cu->birthday[0] ? cu->birthday : "-");
  cli_fmt_time(cu->stage_since, a, sizeof(a));
  printf("  stage      %s since %s\n", crm_stage_name(cu->stage), a);
  cli_fmt_date(cu->first_purchase_at, a, sizeof(a));
  cli_fmt_date(cu->last_purchase_at, b, sizeof(b));
  printf("  purchases  %" PRId64 " (first %s, last %s)\n", cu->purchase_count,
         a, b);
  cli_fmt_money(cu->monetary_total, cu->currency, money, sizeof(money));
  printf("  spend      %s\n", money);
  printf("  points     %" PRId64 "\n", balance);
  printf("  contacts   %" PRId64 "\n", cu->contact_count);
  printf("  MAN        money %s, authority %s, need %s\n",
         man_text(cu->man_money), man_text(cu->man_authority),
         man_text(cu->man_need));
  cli_fmt_time(cu->created_at, a, sizeof(a));
  printf("  created    %s\n", a);
}

/* Runs one of the per-customer walks into a JSON member or a text
 * section. */
static int show_part(cli *x, cli_json *j, const char *key, int is_object,
                     int rc_of_walk(cli *, int64_t, struct show_ctx *),
                     int64_t id)
{
  struct show_ctx sc;
  int rc;
  memset(&sc, 0, sizeof(sc));
  sc.j = j;
  if(j && is_object)
    cli_json_begin_object(j, key);
  else if(j)
    cli_json_begin_array(j, key);
  rc = rc_of_walk(x, id, &sc);
  if(j)
    cli_json_end(j);
  return rc;
}

static int walk_attrs(cli *x, int64_t id, struct show_ctx *sc)
{
  return crm_customer_attrs_foreach(x->c, id, attr_cb, sc);
}
static int walk_scores(cli *x, int64_t id, struct show_ctx *sc)
{
  return crm_scores_foreach(x->c, id, score_cb, sc);
}
static int walk_transitions(cli *x, int64_t id, struct show_ctx *sc)
{
  return crm_transitions_foreach(x->c, id, transition_cb, sc);
}
static int walk_cases(cli *x, int64_t id, struct show_ctx *sc)
{
  return crm_cases_foreach(x->c, id, case_cb, sc);
}

static int run_customer_show(cli *x, const cli_cmd *cmd, int argc,
                             char **argv)
{
  cli_parser p;
  const char *arg;
  crm_customer cu;
  cli_json j, *jp = NULL;
  int64_t balance = 0;
  int rc;

  cli_parser_init(&p, cmd, argc, argv, NULL);
  if(cli_parser_next(x, &p, &arg) != CLI_PARSE_END)
    return p.rc;
  rc = cli_operands(&p, 1, 1);
  if(!rc)
    rc = cli_open(x, 0);
  if(!rc)
    rc = cli_resolve(x, argv[p.optind], &cu);
  if(rc)
    return rc;
  rc = crm_points_balance(x->c, cu.id, &balance);
  if(rc)
    return cli_fail(x, rc);
  if(x->json) {
    jp = &j;
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_customer_fields(&j, &cu); /* points: checked just above */
  }
  else
    show_text_fields(&cu, balance);
  rc = show_part(x, jp, "attributes", 1, walk_attrs, cu.id);
  if(!rc)
    rc = show_part(x, jp, "scores", 0, walk_scores, cu.id);
  if(!rc)
    rc = show_part(x, jp, "transitions", 0, walk_transitions, cu.id);
  if(!rc)
    rc = show_part(x, jp, "cases", 0, walk_cases, cu.id);
  if(jp)
    cli_json_finish(&j);
  return rc ? cli_fail(x, rc) : CLI_OK;
}

/* ---- crm customer update ------------------------------------------------------- */

/* The changes asked for: fields (NULL: unchanged, "": cleared) and
 * attribute sets / deletes, in the order given. The keys of --attr
 * KEY=VALUE are copied, cut one byte past the longest key the core takes
 * so that it still refuses a longer one with its own message. */
struct update_req {
  crm_customer_fields f;
  crm_attr attrs[ATTRS_MAX];
  char keys[ATTRS_MAX][CRM_ATTR_KEY_MAX + 2];
  size_t nattrs;
};

static int update_add_attr(struct update_req *u, const char *arg, int unset)
{
  const char *eq;
  size_t n;
  int rc;

  if(u->nattrs == ATTRS_MAX)
    return cli_usage_error("at most %d attribute changes", ATTRS_MAX);
  if(unset) {
    if(!*arg)
      return cli_usage_error("--unset-attr: expected an attribute name");
    u->attrs[u->nattrs].key = arg;
    u->attrs[u->nattrs].value = NULL;
    u->nattrs++;
    return CLI_OK;
  }
  rc = check_attr_arg(arg);
  if(rc)
    return rc;
  eq = strchr(arg, '=');
  n = (size_t)(eq - arg);
  if(n > CRM_ATTR_KEY_MAX + 1)
    n = CRM_ATTR_KEY_MAX + 1;
  memcpy(u->keys[u->nattrs], arg, n);
  u->keys[u->nattrs][n] = '\0';
  u->attrs[u->nattrs].key = u->keys[u->nattrs];
  u->attrs[u->nattrs].value = eq + 1;
  u->nattrs++;
  return CLI_OK;
}

static int update_option(struct update_req *u, int opt, const char *arg)
{
  switch(opt) {
  case OPT_EXTID: u->f.external_id = arg; break;
  case OPT_NAME: u->f.name = arg; break;
  case OPT_EMAIL: u->f.email = arg; break;
  case OPT_PHONE: u->f.phone = arg; break;
  case OPT_TZ: u->f.timezone = arg; break;
  case OPT_BIRTHDAY: u->f.birthday = arg; break;
  case OPT_ATTR: return update_add_attr(u, arg, 0);
  case OPT_UNSET_ATTR: return update_add_attr(u, arg, 1);
  default: break;
  }
  return CLI_OK;
}

static int update_has_changes(const struct update_req *u)
{
  const crm_customer_fields *f = &u->f;
  return f->external_id || f->name || f->email || f->phone || f->timezone ||
         f->birthday || u->nattrs;
}

/* Parses the options and REF; returns -1 to go on, else an exit code. */
static int update_parse(cli *x, cli_parser *p, struct update_req *u)
{
  const char *arg;
  int opt, rc;

  for(;;) {
    opt = cli_parser_next(x, p, &arg);
    if(opt < 0)
      break;
    rc = update_option(u, opt, arg);
    if(rc)
      return rc;
  }
  if(opt == CLI_PARSE_EXIT)
    return p->rc;
  rc = cli_operands(p, 1, 1);
  if(rc)
    return rc;
  if(!update_has_changes(u))
    return cli_usage_error("customer update: nothing to change (see crm "
                           "customer update --help)");
  return -1;
}

/* Text: one line. JSON: the customer's fields and attributes, as
 * `customer show --json` prints them. */
static int print_updated(cli *x, int64_t id)
{
  crm_customer cu;
  cli_json j;
  int rc = crm_customer_get(x->c, id, &cu);
  if(rc)
    return cli_fail(x, rc);
  if(!x->json) {
    if(!x->quiet)
      printf("updated customer #%" PRId64 "%s%s\n", cu.id,
             cu.external_id[0] ? " " : "", cu.external_id);
    return CLI_OK;
  }
  cli_json_init(&j, stdout);
  cli_json_begin_object(&j, NULL);
  cli_json_customer_fields(&j, &cu);
  rc = show_part(x, &j, "attributes", 1, walk_attrs, cu.id);
  cli_json_finish(&j);
  return rc ? cli_fail(x, rc) : CLI_OK;
}

static int run_customer_update(cli *x, const cli_cmd *cmd, int argc,
                               char **argv)
{
  static const struct option lo[] = {
    {"external-id", required_argument, NULL, OPT_EXTID},
    {"name", required_argument, NULL, OPT_NAME},
    {"email", required_argument, NULL, OPT_EMAIL},
    {"phone", required_argument, NULL, OPT_PHONE},
    {"timezone", required_argument, NULL, OPT_TZ},
    {"birthday", required_argument, NULL, OPT_BIRTHDAY},
    {"attr", required_argument, NULL, OPT_ATTR},
    {"unset-attr", required_argument, NULL, OPT_UNSET_ATTR},
    {NULL, 0, NULL, 0},
  };
  cli_parser p;
  struct update_req u;
  crm_customer cu;
  int rc;

  memset(&u, 0, sizeof(u));
  cli_parser_init(&p, cmd, argc, argv, lo);
  rc = update_parse(x, &p, &u);
  if(rc >= 0)
    return rc;
  rc = cli_open(x, 0);
  if(!rc)
    rc = cli_resolve(x, argv[p.optind], &cu);
  if(rc)
    return rc;
  /* fields and attributes change together or not at all */
  rc = crm_customer_modify(x->c, cu.id, &u.f, u.attrs, u.nattrs);
  if(rc)
    return cli_fail(x, rc);
  return print_updated(x, cu.id);
}

/* ---- crm customer list --------------------------------------------------------- */

struct list_ctx {
  cli_json *j;
  cli_table *t;
  int64_t limit, n;
};

#define STOP_WALK 1

static int list_cb(void *ud, const crm_customer *cu)
{
  struct list_ctx *lc = ud;
  char id[32], buys[32], money[64], pts[32];
  const char *row[7];
  if(lc->limit && lc->n >= lc->limit)
    return STOP_WALK;
  lc->n++;
  if(lc->j) {
    cli_json_begin_object(lc->j, NULL);
    cli_json_customer_fields(lc->j, cu);
    cli_json_end(lc->j);
    return 0;
  }
  snprintf(id, sizeof(id), "%" PRId64, cu->id);
  snprintf(buys, sizeof(buys), "%" PRId64, cu->purchase_count);
  cli_fmt_money(cu->monetary_total, cu->currency, money, sizeof(money));
  snprintf(pts, sizeof(pts), "%" PRId64, cu->points_balance);
  row[0] = id;
  row[1] = cu->external_id;
  row[2] = cu->name;
  row[3] = crm_stage_name(cu->stage);
  row[4] = buys;
  row[5] = money;
  row[6] = pts;
  cli_table_add(lc->t, row);
  return 0;
}

static int run_customer_list(cli *x, const cli_cmd *cmd, int argc,
                             char **argv)
{
  static const struct option lo[] = {
    {"stage", required_argument, NULL, OPT_STAGE},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {NULL, 0, NULL, 0},
  };
  static const char *const head[] = {"ID", "EXTERNAL_ID", "NAME", "STAGE",
                                     "PURCHASES", "SPEND", "POINTS", NULL};
  cli_parser p;
  const char *arg;
  struct list_ctx lc;
  cli_json j;
  cli_table t;
  int opt, rc = 0, stage = -1;

  memset(&lc, 0, sizeof(lc));
  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg)) {
    if(opt == OPT_STAGE) {
      stage = crm_stage_parse(arg);
      if(stage < 0)
        return cli_usage_error("--stage: unknown stage '%s'", arg);
    }
    else if(opt == OPT_LIMIT) {
      rc = cli_parse_count("--limit", arg, &lc.limit);
      if(rc)
        return rc;
    }
  }
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 0, 0);
  if(!rc)
    rc = cli_open(x, 0);
  if(rc)
    return rc;
  if(x->json) {
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_begin_array(&j, "customers");
    lc.j = &j;
  }
  else {
    cli_table_init(&t, head);
    cli_table_align_right(&t, 0);
    cli_table_align_right(&t, 4);
    cli_table_align_right(&t, 5);
    cli_table_align_right(&t, 6);
    lc.t = &t;
  }
  rc = crm_customers_foreach(x->c, stage, list_cb, &lc);
  if(rc == STOP_WALK)
    rc = 0;
  if(x->json) {
    cli_json_end(&j);
    cli_json_int(&j, "count", lc.n);
    cli_json_finish(&j);
  }
  else {
    if(!rc)
      cli_table_print(&t, stdout, 0);
    cli_table_free(&t);
  }
  return rc ? cli_fail(x, rc) : CLI_OK;
}

const cli_cmd cli_cmds_customer[] = {
  {"customer", "add", "add a customer",
   "crm customer add --external-id ID [--name N] [--email E] [--phone P]\n"
   "                        [--timezone TZ] [--birthday YYYY-MM-DD] "
   "[--attr KEY=VALUE ...]",
   "  --external-id ID     the customer's id in your systems (required)\n"
   "  --name, --email, --phone, --timezone (IANA, default UTC), --birthday\n"
   "  --attr KEY=VALUE     a custom attribute; repeat for more\n",
   run_customer_add},
  {"customer", "update", "change a customer's fields and attributes",
   "crm customer update REF [--external-id ID] [--name N] [--email E]\n"
   "                           [--phone P] [--timezone TZ] "
   "[--birthday YYYY-MM-DD]\n"
   "                           [--attr KEY=VALUE ...] [--unset-attr KEY ...]",
   "  REF                  #id, id, external id or e-mail\n"
   "  --external-id, --name, --email, --phone, --timezone, --birthday\n"
   "                       set the field; an empty value clears it (an empty\n"
   "                       --timezone sets UTC)\n"
   "  --attr KEY=VALUE     set a custom attribute; repeat for more\n"
   "  --unset-attr KEY     remove a custom attribute; repeat for more\n"
   "  At least one change is required. All changes apply or none does;\n"
   "  attribute changes apply in the order given. With --json, prints the\n"
   "  customer's fields and attributes as customer show --json does.\n",
   run_customer_update},
  {"customer", "show", "show a customer: fields, attributes, stage, points, "
   "scores, lifecycle, cases",
   "crm customer show REF",
   "  REF                  #id, id, external id or e-mail\n",
   run_customer_show},
  {"customer", "list", "list customers",
   "crm customer list [--stage S] [--limit N]",
   "  --stage S            only customers in stage S (prospect, qualified,\n"
   "                       parked, first_purchase, repeat, loyal, at_risk,\n"
   "                       lost, reactivated)\n"
   "  --limit N            at most N customers (default: all)\n",
   run_customer_list},
  {NULL, NULL, NULL, NULL, NULL, NULL},
};
