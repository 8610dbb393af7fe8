/*
 * cmd_points_ops.c - crm points transfer / adjust / process / statement.
 *
 * Transfer and adjust take an idempotency key (--key); without one a key
 * "cli:<16 hex digits>" is made up and printed, so that a run whose
 * outcome is unknown can be retried with --key and applies once.
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OPT_SCHEME 256
#define OPT_KEY 257
#define OPT_REASON 258
#define OPT_YEAR 259
#define OPT_FROM 260
#define OPT_TO 261
#define OPT_PERIOD 262

/* ---- negative numbers as operands ----------------------------------------- */

/* getopt would read "-50" as the options -5 -0. Before parsing, such
 * words are swapped for placeholders (told apart by their address) and
 * swapped back afterwards, so "crm points adjust c1 -50 --reason x"
 * works as well as "crm points adjust c1 --reason x -- -50". */
#define ARGS_MAX 64

struct masked {
  char *argv[ARGS_MAX + 1];
  char ph[ARGS_MAX][2];
  char **orig;
  int argc;
};

static int is_negative_number(const char *s)
{
  if(s[0] != '-' || !isdigit((unsigned char)s[1]))
    return 0;
  for(s++; *s; s++)
    if(!isdigit((unsigned char)*s))
      return 0;
  return 1;
}

static int mask_init(struct masked *m, int argc, char **argv)
{
  int i;
  if(argc > ARGS_MAX)
    return cli_usage_error("too many arguments");
  m->orig = argv;
  m->argc = argc;
  for(i = 0; i < argc; i++) {
    m->ph[i][0] = '0';
    m->ph[i][1] = '\0';
    m->argv[i] = i > 0 && is_negative_number(argv[i]) ? m->ph[i] : argv[i];
  }
  m->argv[argc] = NULL;
  return CLI_OK;
}

static const char *unmask(const struct masked *m, const char *s)
{
  int i;
  for(i = 0; s && i < m->argc; i++)
    if(s == m->ph[i])
      return m->orig[i];
  return s;
}

/* The most points one adjustment or transfer moves either way: the
 * library's bound (CRM__POINTS_MAX in core/points_int.h, CRM_ERANGE). */
#define CLI_POINTS_MAX INT64_C(1000000000000)

/* Parses a whole number, negative allowed, within CLI_POINTS_MAX either
 * way; exit code. */
static int parse_points(const char *what, const char *text, int64_t *out)
{
  char *end;
  long long v;
  errno = 0;
  v = strtoll(text, &end, 10);
  if(errno == ERANGE || (!errno && end != text && !*end &&
                         (v > CLI_POINTS_MAX || v < -CLI_POINTS_MAX)))
    return cli_usage_error("%s: %s is out of range (at most %" PRId64
                           " either way)", what, text, CLI_POINTS_MAX);
  if(errno || end == text || *end)
    return cli_usage_error("%s: expected a whole number, not '%s'", what,
                           text);
  *out = (int64_t)v;
  return CLI_OK;
}

/* ---- crm points transfer / adjust ---------------------------------------------- */

/* What both operations take: --scheme, --key and (adjust) --reason. */
struct op_args {
  struct masked m;
  const char *scheme, *key, *reason;
  char keybuf[48];
  int key_made;
  const char *operand[3];
};

/* Parses options and exactly n operands; -1 to go on or an exit code. */
static int op_parse(cli *x, const cli_cmd *cmd, int argc, char **argv,
                    struct op_args *a, int n)
{
  static const struct option lo[] = {
    {"reason", required_argument, NULL, OPT_REASON}, /* first: see below */
    {"scheme", required_argument, NULL, OPT_SCHEME},
    {"key", required_argument, NULL, OPT_KEY},
    {NULL, 0, NULL, 0},
  };
  cli_parser p;
  const char *arg;
  int opt, rc, i;

  rc = mask_init(&a->m, argc, argv);
  if(rc)
    return rc;
  /* only adjust takes --reason: transfer's table starts after it */
  cli_parser_init(&p, cmd, a->m.argc, a->m.argv,
                  strcmp(cmd->name, "adjust") ? lo + 1 : lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg)) {
    arg = unmask(&a->m, arg);
    if(opt == OPT_SCHEME)
      a->scheme = arg;
    else if(opt == OPT_KEY)
      a->key = arg;
    else if(opt == OPT_REASON)
      a->reason = arg;
  }
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, n, n);
  if(rc)
    return rc;
  for(i = 0; i < n; i++)
    a->operand[i] = unmask(&a->m, a->m.argv[p.optind + i]);
  if(!a->key) {
    cli_op_key(a->keybuf, sizeof(a->keybuf));
    a->key = a->keybuf;
    a->key_made = 1;
  }
  return -1;
}

static void op_fill(crm_points_op *op, const struct op_args *a)
{
  memset(op, 0, sizeof(*op));
  op->scheme = a->scheme;
  op->idempotency_key = a->key;
  op->actor = "cli";
  op->reason = a->reason;
}

static void key_text(const struct op_args *a)
{
  if(a->key_made)
    printf("  key       %s (generated; to retry safely, repeat with --key "
           "%s)\n", a->key, a->key);
  else
    printf("  key       %s\n", a->key);
}

/* The scheme an operation ran in (for the balances printed after it):
 * --scheme, else the only one loaded. */
static int op_scheme(cli *x, const char *scheme, cli_scheme_row *out)
{
  cli_schemes l;
  const cli_scheme_row *r;
  int rc = cli_schemes_load(x, &l);
  if(rc)
    return rc;
  r = cli_scheme_find(&l, scheme);
  memset(out, 0, sizeof(*out));
  if(r)
    *out = *r;
  else {
    snprintf(out->name, sizeof(out->name), "%s", scheme ? scheme : "");
    snprintf(out->unit, sizeof(out->unit), "points");
  }
  return CRM_OK;
}

static int account_after(cli *x, int64_t customer_id, const char *scheme,
                         crm_points_account *out)
{
  memset(out, 0, sizeof(*out));
  return crm_points_account_get(x->c, customer_id, scheme, out);
}

static void json_balances(cli_json *j, const char *key,
                          const crm_customer *cu,
                          const crm_points_account *a)
{
  cli_json_begin_object(j, key);
  cli_json_int(j, "id", cu->id);
  cli_json_str(j, "external_id", cu->external_id);
  cli_json_int(j, "balance", a->balance);
  cli_json_int(j, "pending", a->pending);
  cli_json_int(j, "overdraft", a->overdraft);
  cli_json_end(j);
}

static void json_op_common(cli_json *j, const struct op_args *a,
                           const cli_scheme_row *s, int64_t points)
{
  cli_json_str(j, "scheme", s->name);
  cli_json_str(j, "unit", s->unit);
  cli_json_int(j, "points", points);
  cli_json_str(j, "key", a->key);
  cli_json_bool(j, "key_generated", a->key_made);
}

static int transfer_print(cli *x, const struct op_args *a,
                          const crm_customer *from, const crm_customer *to,
                          int64_t points)
{
  cli_scheme_row s;
  crm_points_account fa, ta;
  char v[64];
  int rc = op_scheme(x, a->scheme, &s);
  if(!rc)
    rc = account_after(x, from->id, s.name, &fa);
  if(!rc)
    rc = account_after(x, to->id, s.name, &ta);
  if(rc)
    return cli_fail(x, rc);
  if(x->json) {
    cli_json j;
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    json_op_common(&j, a, &s, points);
    json_balances(&j, "from", from, &fa);
    json_balances(&j, "to", to, &ta);
    cli_json_finish(&j);
    return CLI_OK;
  }
  if(x->quiet)
    return CLI_OK;
  cli_amount(v, sizeof(v), points, s.unit, 0);
  printf("transferred %s from %s to %s in %s\n", v, from->external_id,
         to->external_id, s.name);
  cli_amount(v, sizeof(v), fa.balance, s.unit, 0);
  printf("  %-9s %s available\n", from->external_id, v);
  cli_amount(v, sizeof(v), ta.balance, s.unit, 0);
  printf("  %-9s %s available\n", to->external_id, v);
  key_text(a);
  return CLI_OK;
}

static int run_points_transfer(cli *x, const cli_cmd *cmd, int argc,
                               char **argv)
{
  struct op_args a;
  crm_points_op op;
  crm_customer from, to;
  int64_t points = 0;
  int rc;

  memset(&a, 0, sizeof(a));
  rc = op_parse(x, cmd, argc, argv, &a, 3);
  if(rc >= 0)
    return rc;
  rc = parse_points("POINTS", a.operand[2], &points);
  if(!rc && points <= 0)
    rc = cli_usage_error("points transfer: POINTS must be more than 0, not "
                         "%s", a.operand[2]);
  if(!rc)
    rc = cli_open(x, 0);
  if(!rc)
    rc = cli_resolve(x, a.operand[0], &from);
  if(!rc)
    rc = cli_resolve(x, a.operand[1], &to);
  if(rc)
    return rc;
  op_fill(&op, &a);
  rc = crm_points_transfer(x->c, from.id, to.id, points, &op);
  if(rc)
    return cli_fail(x, rc);
  return transfer_print(x, &a, &from, &to, points);
}

static int adjust_print(cli *x, const struct op_args *a,
                        const crm_customer *cu, int64_t points)
{
  cli_scheme_row s;
  crm_points_account acc;
  char v[64];
  int rc = op_scheme(x, a->scheme, &s);
  if(!rc)
    rc = account_after(x, cu->id, s.name, &acc);
  if(rc)
    return cli_fail(x, rc);
  if(x->json) {
    cli_json j;
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    json_op_common(&j, a, &s, points);
    cli_json_str(&j, "reason", a->reason);
    json_balances(&j, "customer", cu, &acc);
    cli_json_finish(&j);
    return CLI_OK;
  }
  if(x->quiet)
    return CLI_OK;
  cli_amount(v, sizeof(v), points, s.unit, CLI_AMOUNT_SIGN);
  printf("adjusted %s by %s in %s (reason: %s)\n", cu->external_id, v,
         s.name, a->reason);
  cli_amount(v, sizeof(v), acc.balance, s.unit, 0);
  printf("  balance   %s available", v);
  if(acc.overdraft) {
    cli_amount(v, sizeof(v), acc.overdraft, s.unit, CLI_AMOUNT_BARE);
    printf(" (overdraft %s)", v);
  }
  putchar('\n');
  key_text(a);
  return CLI_OK;
}

static int run_points_adjust(cli *x, const cli_cmd *cmd, int argc,
                             char **argv)
{
  struct op_args a;
  crm_points_op op;
  crm_customer cu;
  int64_t points = 0;
  int rc;

  memset(&a, 0, sizeof(a));
  rc = op_parse(x, cmd, argc, argv, &a, 2);
  if(rc >= 0)
    return rc;
  rc = parse_points("POINTS", a.operand[1], &points);
  if(!rc && !points)
    rc = cli_usage_error("points adjust: POINTS must not be 0");
  if(!rc && (!a.reason || !*a.reason))
    rc = cli_usage_error("points adjust: --reason is required");
  if(!rc)
    rc = cli_open(x, 0);
  if(!rc)
    rc = cli_resolve(x, a.operand[0], &cu);
  if(rc)
    return rc;
  op_fill(&op, &a);
  rc = crm_points_adjust(x->c, cu.id, points, &op);
  if(rc)
    return cli_fail(x, rc);
  return adjust_print(x, &a, &cu, points);
}

/* ---- crm points process ------------------------------------------------------------ */

static int run_points_process(cli *x, const cli_cmd *cmd, int argc,
                              char **argv)
{
  cli_parser p;
  const char *arg;
  crm_due_stats st;
  int64_t as_of;
  char when[32];
  int rc;

  cli_parser_init(&p, cmd, argc, argv, NULL);
  if(cli_parser_next(x, &p, &arg) != CLI_PARSE_END)
    return p.rc;
  rc = cli_operands(&p, 0, 0);
  if(!rc)
    rc = cli_open(x, 0);
  if(rc)
    return rc;
  as_of = x->as_of ? x->as_of : crm_now(x->c);
  memset(&st, 0, sizeof(st));
  rc = crm_points_process_due(x->c, as_of, &st);
  if(rc)
    return cli_fail(x, rc);
  if(x->json) {
    cli_json j;
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_time(&j, "as_of", as_of);
    cli_due_stats_print(x, &j, &st);
    cli_json_finish(&j);
    return CLI_OK;
  }
  cli_fmt_time(as_of, when, sizeof(when));
  if(!x->quiet)
    printf("points due work applied up to %s:\n", when);
  cli_due_stats_print(x, NULL, &st);
  return CLI_OK;
}

/* ---- crm points statement ------------------------------------------------------------ */

struct stmt_args {
  const char *scheme;
  int64_t year; /* 0: not given */
  int64_t from, to;
  int months;
};

static int parse_period(const char *arg, int *months)
{
  if(!strcmp(arg, "month") || !strcmp(arg, "monthly"))
    *months = CRM_PERIOD_MONTH;
  else if(!strcmp(arg, "quarter") || !strcmp(arg, "quarterly"))
    *months = CRM_PERIOD_QUARTER;
  else if(!strcmp(arg, "year") || !strcmp(arg, "yearly"))
    *months = CRM_PERIOD_YEAR;
  else
    return cli_usage_error("--period: expected month, quarter or year, not "
                           "'%s'", arg);
  return CLI_OK;
}

static int64_t year_start(int64_t year)
{
  char buf[16];
  int64_t t = 0;
  snprintf(buf, sizeof(buf), "%04d-01-01", (int)year);
  crm_time_parse(buf, &t);
  return t;
}

static int year_of(int64_t t)
{
  time_t tt = (time_t)t;
  struct tm tm;
  if(!gmtime_r(&tt, &tm))
    return 1970;
  return tm.tm_year + 1900;
}

/* Checks the range options before anything is opened. */
static int stmt_check(const struct stmt_args *a)
{
  if(a->year && (a->from || a->to))
    return cli_usage_error("points statement: give --year or --from/--to, "
                           "not both");
  if(!a->year && (!a->from) != (!a->to))
    return cli_usage_error("points statement: --from and --to go together");
  if(a->from && a->to <= a->from)
    return cli_usage_error("points statement: --to must be after --from");
  return CLI_OK;
}

/* The range: --year Y, or --from D --to D, or the current year. */
static void stmt_range(cli *x, struct stmt_args *a)
{
  if(!a->year && !a->from)
    a->year = year_of(x->as_of ? x->as_of : crm_now(x->c));
  if(a->year) {
    a->from = year_start(a->year);
    a->to = year_start(a->year + 1);
  }
}

static int stmt_option(struct stmt_args *a, int opt, const char *arg)
{
  int rc = CLI_OK;
  switch(opt) {
  case OPT_SCHEME: a->scheme = arg; break;
  case OPT_YEAR:
    rc = cli_parse_count("--year", arg, &a->year);
    if(!rc && (a->year < 1970 || a->year > 9998))
      rc = cli_usage_error("--year: expected a year from 1970 to 9998, not "
                           "'%s'", arg);
    break;
  case OPT_FROM: rc = cli_parse_time("--from", arg, &a->from); break;
  case OPT_TO: rc = cli_parse_time("--to", arg, &a->to); break;
  case OPT_PERIOD: rc = parse_period(arg, &a->months); break;
  default: break;
  }
  return rc;
}

struct stmt_ctx {
  cli_json *j;
  cli_table *t;
  const char *currency;
  const char *unit; /* the scheme's: the point columns */
  int months;
  crm_points_period sum;
  int64_t n;
};

static void period_label(int64_t from, int months, char *buf, size_t size)
{
  time_t tt = (time_t)from;
  struct tm tm;
  if(!gmtime_r(&tt, &tm)) {
    snprintf(buf, size, "-");
    return;
  }
  if(months == CRM_PERIOD_YEAR)
    snprintf(buf, size, "%04d", tm.tm_year + 1900);
  else if(months == CRM_PERIOD_QUARTER)
    snprintf(buf, size, "%04d-Q%d", tm.tm_year + 1900, tm.tm_mon / 3 + 1);
  else
    snprintf(buf, size, "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
}

static void period_add(crm_points_period *s, const crm_points_period *p)
{
  if(!s->from || p->from < s->from)
    s->from = p->from;
  s->to = p->to;
  s->earned += p->earned;
  s->released += p->released;
  s->reversed += p->reversed;
  s->spent += p->spent;
  s->expired += p->expired;
  s->adjusted += p->adjusted;
  s->transferred_in += p->transferred_in;
  s->activity_count += p->activity_count;
  s->activity_credits += p->activity_credits;
  s->activity_spend += p->activity_spend;
  s->balance_end = p->balance_end;
  s->pending_end = p->pending_end;
}

static void period_json(cli_json *j, const char *key, const char *label,
                        const crm_points_period *p)
{
  cli_json_begin_object(j, key);
  if(label)
    cli_json_str(j, "period", label);
  cli_json_time(j, "from", p->from);
  cli_json_time(j, "to", p->to);
  cli_json_int(j, "earned", p->earned);
  cli_json_int(j, "released", p->released);
  cli_json_int(j, "reversed", p->reversed);
  cli_json_int(j, "spent", p->spent);
  cli_json_int(j, "expired", p->expired);
  cli_json_int(j, "adjusted", p->adjusted);
  cli_json_int(j, "transferred_in", p->transferred_in);
  cli_json_int(j, "activity_count", p->activity_count);
  cli_json_int(j, "activity_credits", p->activity_credits);
  cli_json_int(j, "activity_spend", p->activity_spend);
  cli_json_int(j, "balance_end", p->balance_end);
  cli_json_int(j, "pending_end", p->pending_end);
  cli_json_end(j);
}

/* The point columns (the first 9) in the scheme's unit; COUNT and
 * CREDITS are counts; SPEND is money of the customer's currency. */
static void period_row(cli_table *t, const char *label,
                       const crm_points_period *p, const char *unit,
                       const char *currency)
{
  const int64_t v[] = {p->earned, p->released, p->reversed, p->spent,
                       p->expired, p->adjusted, p->transferred_in,
                       p->balance_end, p->pending_end, p->activity_count,
                       p->activity_credits};
  char cell[11][64], spend[64];
  const char *row[13];
  size_t i;
  row[0] = label;
  for(i = 0; i < 11; i++) {
    cli_amount(cell[i], sizeof(cell[i]), v[i], i < 9 ? unit : NULL,
               CLI_AMOUNT_BARE);
    row[i + 1] = cell[i];
  }
  cli_fmt_money(p->activity_spend, currency, spend, sizeof(spend));
  row[12] = spend;
  cli_table_add(t, row);
}

static int stmt_cb(void *ud, const crm_points_period *p)
{
  struct stmt_ctx *sc = ud;
  char label[32];
  period_label(p->from, sc->months, label, sizeof(label));
  period_add(&sc->sum, p);
  sc->n++;
  if(sc->j)
    period_json(sc->j, NULL, label, p);
  else
    period_row(sc->t, label, p, sc->unit, sc->currency);
  return 0;
}

static const char *period_name(int months)
{
  return months == CRM_PERIOD_MONTH ? "month"
         : months == CRM_PERIOD_YEAR ? "year" : "quarter";
}

static int stmt_output(cli *x, const crm_customer *cu,
                       const struct stmt_args *a, const cli_scheme_row *s)
{
  static const char *const head[] = {
    "PERIOD", "EARNED", "RELEASED", "REVERSED", "SPENT", "EXPIRED",
    "ADJUSTED", "TRANSFER_IN", "BALANCE", "PENDING", "COUNT", "CREDITS",
    "SPEND", NULL};
  struct stmt_ctx sc;
  cli_json j;
  cli_table t;
  char f[32], to[32];
  size_t i;
  int rc;

  memset(&sc, 0, sizeof(sc));
  sc.months = a->months;
  sc.currency = cu->currency;
  sc.unit = s->unit;
  if(x->json) {
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_customer_ref(&j, cu);
    cli_json_str(&j, "scheme", s->name);
    cli_json_str(&j, "unit", s->unit);
    cli_json_str(&j, "period", period_name(a->months));
    cli_json_time(&j, "from", a->from);
    cli_json_time(&j, "to", a->to);
    cli_json_str(&j, "currency", cu->currency[0] ? cu->currency : NULL);
    cli_json_begin_array(&j, "periods");
    sc.j = &j;
  }
  else {
    cli_table_init(&t, head);
    for(i = 1; i < 13; i++)
      cli_table_align_right(&t, i);
    sc.t = &t;
  }
  rc = crm_points_statement(x->c, cu->id, a->scheme, a->from, a->to,
                            a->months, stmt_cb, &sc);
  if(x->json) {
    cli_json_end(&j);
    period_json(&j, "totals", NULL, &sc.sum);
    cli_json_finish(&j);
    return rc ? cli_fail(x, rc) : CLI_OK;
  }
  if(!rc) {
    cli_fmt_time(a->from, f, sizeof(f));
    cli_fmt_time(a->to, to, sizeof(to));
    printf("statement of %s in %s (%s), by %s, from %s to %s "
           "(exclusive)\n", cu->external_id, s->name, s->unit,
           period_name(a->months), f, to);
    if(sc.n > 1)
      period_row(&t, "total", &sc.sum, sc.unit, sc.currency);
    cli_table_print(&t, stdout, 0);
  }
  cli_table_free(&t);
  return rc ? cli_fail(x, rc) : CLI_OK;
}

static int run_points_statement(cli *x, const cli_cmd *cmd, int argc,
                                char **argv)
{
  static const struct option lo[] = {
    {"scheme", required_argument, NULL, OPT_SCHEME},
    {"year", required_argument, NULL, OPT_YEAR},
    {"from", required_argument, NULL, OPT_FROM},
    {"to", required_argument, NULL, OPT_TO},
    {"period", required_argument, NULL, OPT_PERIOD},
    {NULL, 0, NULL, 0},
  };
  cli_parser p;
  const char *arg;
  struct stmt_args a;
  cli_scheme_row s;
  crm_customer cu;
  int opt, rc = CLI_OK;

  memset(&a, 0, sizeof(a));
  a.months = CRM_PERIOD_QUARTER;
  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg)) {
    rc = stmt_option(&a, opt, arg);
    if(rc)
      return rc;
  }
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 1, 1);
  if(!rc)
    rc = stmt_check(&a);
  if(!rc)
    rc = cli_open(x, 0);
  if(!rc)
    rc = cli_resolve(x, argv[p.optind], &cu);
  if(rc)
    return rc;
  stmt_range(x, &a);
  rc = op_scheme(x, a.scheme, &s);
  if(rc)
    return cli_fail(x, rc);
  return stmt_output(x, &cu, &a, &s);
}

const cli_cmd cli_cmds_points_ops[] = {
  {"points", "transfer", "move available points between two members of a "
   "scheme",
   "crm points transfer FROM TO POINTS [--scheme S] [--key K]",
   "  FROM, TO           customers: #id, id, external id or e-mail\n"
   "  POINTS             how many (> 0); within the scheme's transfer\n"
   "                     limits\n"
   "  --scheme S         the scheme (default: the only one loaded)\n"
   "  --key K            idempotency key: a retry with the same key applies\n"
   "                     once (default: a new key cli:<hex>, printed)\n",
   run_points_transfer},
  {"points", "adjust", "correct a customer's points, with a reason",
   "crm points adjust CUSTOMER POINTS --reason TEXT [--scheme S] [--key K]",
   "  CUSTOMER           #id, id, external id or e-mail\n"
   "  POINTS             the change: 50 adds, -50 takes away (spends lots\n"
   "                     soonest-expiring first; not below 0 unless the\n"
   "                     scheme allows a negative balance)\n"
   "  --reason TEXT      why (required; kept in the ledger)\n"
   "  --scheme S         the scheme (default: the only one loaded)\n"
   "  --key K            idempotency key: a retry with the same key applies\n"
   "                     once (default: a new key cli:<hex>, printed)\n",
   run_points_adjust},
  {"points", "process", "release pending points, expire lots and review "
   "tiers due by a date",
   "crm points process [--as-of DATE]",
   "  Applies what has fallen due up to --as-of (default: now) for every\n"
   "  customer: pending lots released, lots expired, tier reviews and\n"
   "  downgrades; prints how many. Safe to run again.\n",
   run_points_process},
  {"points", "statement", "a customer's points statement by month, "
   "quarter or year",
   "crm points statement CUSTOMER [--scheme S] [--year Y | --from D --to D]\n"
   "                            [--period month|quarter|year]",
   "  CUSTOMER           #id, id, external id or e-mail\n"
   "  --scheme S         the scheme (default: the only one loaded)\n"
   "  --year Y           the calendar year Y (default: the current year)\n"
   "  --from D --to D    the range [D, D) instead, UTC; --to is exclusive\n"
   "  --period P         month, quarter (default) or year\n"
   "  Per period: earned (tier bonus included), released, reversed,\n"
   "  spent, expired, adjusted, transferred in, balance and pending at the\n"
   "  end, and the tier activity (count, credits, spend).\n",
   run_points_statement},
  {NULL, NULL, NULL, NULL, NULL, NULL},
};
