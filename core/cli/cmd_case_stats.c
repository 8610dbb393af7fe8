/*
 * cmd_case_stats.c - crm case survey | stats | train: after the case:
 * the customer's survey answer (it feeds the loyalty index), complaint
 * statistics per category with the churn of complainants versus the
 * other customers, and training the triage components on closed cases.
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define OPT_SCORE 256
#define OPT_SCALE 257
#define OPT_NPS 258
#define OPT_COMMENT 259
#define OPT_BY 260
#define OPT_SINCE 261
#define OPT_UNTIL 262

/* An integer in lo..hi for option `what`; exit code on failure. */
static int parse_int(const char *what, const char *text, int lo, int hi,
                     int *out)
{
  char *end;
  long v;
  errno = 0;
  v = strtol(text, &end, 10);
  if(errno || end == text || *end || v < lo || v > hi)
    return cli_usage_error("%s: expected %d to %d, not '%s'", what, lo, hi,
                           text);
  *out = (int)v;
  return CLI_OK;
}

/* ---- crm case survey --------------------------------------------------- */

static int run_case_survey(cli *x, const cli_cmd *cmd, int argc,
                           char **argv)
{
  static const struct option lo[] = {
    {"score", required_argument, NULL, OPT_SCORE},
    {"scale", required_argument, NULL, OPT_SCALE},
    {"nps", required_argument, NULL, OPT_NPS},
    {"comment", required_argument, NULL, OPT_COMMENT},
    {"by", required_argument, NULL, OPT_BY},
    {NULL, 0, NULL, 0},
  };
  cli_parser p;
  const char *arg, *score_s = NULL, *comment = NULL, *by = NULL;
  crm_case_op op;
  cli_case k;
  int opt, rc = CLI_OK, score = 0, scale = 5, nps = -1;

  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0 && !rc;
      opt = cli_parser_next(x, &p, &arg)) {
    if(opt == OPT_SCORE)
      score_s = arg;
    else if(opt == OPT_SCALE && strcmp(arg, "5") && strcmp(arg, "10"))
      rc = cli_usage_error("--scale: expected 5 or 10, not '%s'", arg);
    else if(opt == OPT_SCALE)
      scale = arg[0] == '5' ? 5 : 10;
    else if(opt == OPT_NPS)
      rc = parse_int("--nps", arg, 0, 10, &nps);
    else if(opt == OPT_COMMENT)
      comment = arg;
    else if(opt == OPT_BY)
      by = arg;
  }
  if(rc)
    return rc;
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 1, 1);
  if(rc)
    return rc;
  if(!score_s)
    return cli_usage_error("case survey: --score is required");
  rc = parse_int("--score", score_s, 1, scale, &score);
  if(!rc)
    rc = cli_open(x, 0);
  if(!rc)
    rc = cli_case_arg(x, argv[p.optind], &k);
  if(rc)
    return rc;
  memset(&op, 0, sizeof(op));
  op.actor = by || !k.customer[0] ? cli_case_actor(by) : k.customer;
  rc = crm_case_survey_answer(x->c, k.id, score, scale, nps, comment, &op);
  if(rc)
    return cli_fail(x, rc);
  if(x->json) {
    cli_json j;
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_str(&j, "case", k.number);
    cli_json_str(&j, "customer", k.customer);
    cli_json_int(&j, "score", score);
    cli_json_int(&j, "scale", scale);
    if(nps >= 0)
      cli_json_int(&j, "nps", nps);
    else
      cli_json_null(&j, "nps");
    cli_json_str(&j, "comment", comment);
    cli_json_finish(&j);
  }
  else if(!x->quiet) {
    printf("survey answer for %s (%s): %d/%d", k.number, k.customer, score,
           scale);
    if(nps >= 0)
      printf(", nps %d", nps);
    printf("\n");
  }
  return CLI_OK;
}

/* ---- crm case stats ------------------------------------------------------ */

static void fmt_hours(double h, char *buf, size_t size)
{
  if(h < 0)
    snprintf(buf, size, "-");
  else
    cli_fmt_dur((int64_t)(h * 3600.0 + 0.5), buf, size);
}

static void fmt_rate(double r, char *buf, size_t size)
{
  if(r < 0)
    snprintf(buf, size, "-");
  else
    snprintf(buf, size, "%.1f%%", r * 100.0);
}

struct stats_ctx {
  cli_json *j;
  cli_table *t;
};

static void json_hours(cli_json *j, const char *key, double h)
{
  if(h < 0)
    cli_json_null(j, key);
  else
    cli_json_num(j, key, h);
}

static int stats_cb(void *ud, const crm_case_stats_row *s)
{
  struct stats_ctx *sc = ud;
  char n[6][24], fr[64], rs[64], a[24], b[24], br[16], rr[16];
  const char *row[12];
  if(sc->j) {
    cli_json_begin_object(sc->j, NULL);
    cli_json_str(sc->j, "category", *s->category ? s->category : NULL);
    cli_json_int(sc->j, "opened", s->opened);
    cli_json_int(sc->j, "open_now", s->open_now);
    cli_json_int(sc->j, "responded", s->responded);
    cli_json_int(sc->j, "resolved", s->resolved);
    json_hours(sc->j, "first_response_hours_mean",
               s->first_response_hours_mean);
    json_hours(sc->j, "first_response_hours_median",
               s->first_response_hours_median);
    json_hours(sc->j, "resolve_hours_mean", s->resolve_hours_mean);
    json_hours(sc->j, "resolve_hours_median", s->resolve_hours_median);
    cli_json_int(sc->j, "breached", s->breached);
    json_hours(sc->j, "breach_rate", s->breach_rate);
    cli_json_int(sc->j, "reopened", s->reopened);
    json_hours(sc->j, "reopen_rate", s->reopen_rate);
    cli_json_int(sc->j, "compensated_points", s->compensated_points);
    cli_json_end(sc->j);
    return 0;
  }
  snprintf(n[0], sizeof(n[0]), "%" PRId64, s->opened);
  snprintf(n[1], sizeof(n[1]), "%" PRId64, s->open_now);
  snprintf(n[2], sizeof(n[2]), "%" PRId64, s->resolved);
  snprintf(n[3], sizeof(n[3]), "%" PRId64, s->breached);
  snprintf(n[4], sizeof(n[4]), "%" PRId64, s->reopened);
  snprintf(n[5], sizeof(n[5]), "%" PRId64, s->compensated_points);
  fmt_hours(s->first_response_hours_mean, a, sizeof(a));
  fmt_hours(s->first_response_hours_median, b, sizeof(b));
  snprintf(fr, sizeof(fr), "%s / %s", a, b);
  fmt_hours(s->resolve_hours_mean, a, sizeof(a));
  fmt_hours(s->resolve_hours_median, b, sizeof(b));
  snprintf(rs, sizeof(rs), "%s / %s", a, b);
  fmt_rate(s->breach_rate, br, sizeof(br));
  fmt_rate(s->reopen_rate, rr, sizeof(rr));
  row[0] = *s->category ? s->category : "total";
  row[1] = n[0];
  row[2] = n[1];
  row[3] = fr;
  row[4] = n[2];
  row[5] = rs;
  row[6] = n[3];
  row[7] = br;
  row[8] = n[4];
  row[9] = rr;
  row[10] = n[5];
  row[11] = NULL;
  cli_table_add(sc->t, row);
  return 0;
}

static void churn_line(const char *who, int64_t n, int64_t lost,
                       double rate)
{
  char r[16];
  fmt_rate(rate, r, sizeof(r));
  printf("  %-40s %6" PRId64 "  %6" PRId64 "  %s\n", who, n, lost, r);
}

static void churn_text(const crm_case_churn *ch)
{
  printf("\nchurn (customers now at risk or lost):\n");
  printf("  %-40s %6s  %6s  %s\n", "", "N", "LOST", "RATE");
  churn_line("complainants", ch->complainants, ch->complainants_lost,
             ch->complainant_rate);
  churn_line("other customers", ch->others, ch->others_lost,
             ch->other_rate);
  churn_line("complainants with every case resolved",
             ch->resolved_complainants, ch->resolved_lost,
             ch->resolved_rate);
}

static void churn_json(cli_json *j, const crm_case_churn *ch)
{
  cli_json_begin_object(j, "churn");
  cli_json_int(j, "complainants", ch->complainants);
  cli_json_int(j, "complainants_lost", ch->complainants_lost);
  json_hours(j, "complainant_rate", ch->complainant_rate);
  cli_json_int(j, "others", ch->others);
  cli_json_int(j, "others_lost", ch->others_lost);
  json_hours(j, "other_rate", ch->other_rate);
  cli_json_int(j, "resolved_complainants", ch->resolved_complainants);
  cli_json_int(j, "resolved_lost", ch->resolved_lost);
  json_hours(j, "resolved_rate", ch->resolved_rate);
  cli_json_end(j);
}

static int run_case_stats(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  static const struct option lo[] = {
    {"since", required_argument, NULL, OPT_SINCE},
    {"until", required_argument, NULL, OPT_UNTIL},
    {NULL, 0, NULL, 0},
  };
  static const char *const head[] = {
    "CATEGORY", "OPENED", "OPEN", "1ST RESPONSE mean/med", "RESOLVED",
    "RESOLVE mean/med", "BREACHED", "BREACH%", "REOPENED", "REOPEN%",
    "POINTS", NULL};
  cli_parser p;
  const char *arg;
  int64_t since = 0, until = 0;
  crm_case_churn ch;
  struct stats_ctx sc;
  cli_json j;
  cli_table t;
  size_t col;
  int opt, rc = CLI_OK;

  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0 && !rc;
      opt = cli_parser_next(x, &p, &arg)) {
    if(opt == OPT_SINCE)
      rc = cli_parse_time("--since", arg, &since);
    else if(opt == OPT_UNTIL)
      rc = cli_parse_time("--until", arg, &until);
  }
  if(rc)
    return rc;
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  if(since && until && since >= until) {
    char a[32], b[32];
    cli_fmt_iso(since, a, sizeof(a));
    cli_fmt_iso(until, b, sizeof(b));
    return cli_usage_error("case stats: the period is empty (--since %s is "
                           "not before --until %s)", a, b);
  }
  rc = cli_operands(&p, 0, 0);
  if(!rc)
    rc = cli_open(x, 0);
  if(rc)
    return rc;
  memset(&sc, 0, sizeof(sc));
  memset(&ch, 0, sizeof(ch));
  if(x->json) {
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_time(&j, "since", since);
    cli_json_time(&j, "until", until);
    cli_json_begin_array(&j, "categories");
    sc.j = &j;
  }
  else {
    cli_table_init(&t, head);
    for(col = 1; col < 11; col++)
      cli_table_align_right(&t, col);
    sc.t = &t;
  }
  rc = crm_case_stats(x->c, since, until, stats_cb, &sc, &ch);
  if(x->json) {
    if(!rc) {
      cli_json_end(&j);
      churn_json(&j, &ch);
      cli_json_finish(&j);
    }
  }
  else {
    if(!rc && !x->quiet) {
      cli_table_print(&t, stdout, 0);
      churn_text(&ch);
    }
    cli_table_free(&t);
  }
  return rc ? cli_fail(x, rc) : CLI_OK;
}

/* ---- crm case train -------------------------------------------------------- */

static int run_case_train(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  cli_case_cmd cc;
  char when[32];
  int rc;

  rc = cli_case_begin(x, cmd, argc, argv, NULL, 0, NULL, &cc);
  if(rc || cc.done)
    return rc;
  rc = crm_case_train(x->c, x->as_of);
  if(rc)
    return cli_fail(x, rc);
  if(x->json) {
    cli_json j;
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_time(&j, "as_of", crm_now(x->c));
    cli_json_bool(&j, "trained", 1);
    cli_json_finish(&j);
  }
  else if(!x->quiet) {
    cli_fmt_iso(crm_now(x->c), when, sizeof(when));
    printf("triage trained on the cases closed by %s\n", when);
  }
  return CLI_OK;
}

const cli_cmd cli_cmds_case_stats[] = {
  {"case", "survey", "record the customer's survey answer for a case",
   "crm case survey CASE --score N [--scale 5|10] [--nps 0-10] "
   "[--comment TEXT]\n"
   "                     [--by WHO]",
   "  --score N          1..scale (required)\n"
   "  --scale S          5 (default) or 10\n"
   "  --nps N            the 0..10 would-recommend answer, if asked\n"
   "  --comment TEXT     the customer's words\n"
   "  --by WHO           who recorded it (default: the customer)\n"
   "  Once per case; the answer feeds the loyalty index.\n",
   run_case_survey},
  {"case", "stats", "complaint statistics per category, churn",
   "crm case stats [--since DATE] [--until DATE]",
   "  --since DATE       cases opened from DATE (a date: 00:00 UTC)\n"
   "  --until DATE       cases opened before DATE (00:00 UTC)\n"
   "  Times are business time; rates are shares of the opened (breach)\n"
   "  and resolved (reopen) cases.\n",
   run_case_stats},
  {"case", "train", "train the triage components on closed cases",
   "crm case train [--as-of DATE]", NULL, run_case_train},
  {NULL, NULL, NULL, NULL, NULL, NULL},
};
