/*
 * cmd_score.c - crm score run | fit | show | figures | fits: scoring
 * models. A batch run scores everyone with the model's current
 * parameters; a fit learns the parameters (figures) from the store, with
 * progress on stderr, and scores everyone with them; show prints one
 * customer's scores with their explanations; figures and fits list the
 * model-level numbers and the fit history. The output of scores and
 * figures is in score_out.c.
 */
#include "cli.h"

#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define OPT_MODEL 256
#define OPT_NO_SCORE 257
#define OPT_PROGRESS 258

/* ---- crm score run ------------------------------------------------------------ */

static int score_one(cli *x, cli_json *j, const char *model, int64_t as_of,
                     size_t *total)
{
  size_t n = 0;
  int rc = crm_score_run(x->c, model, as_of, &n);
  if(rc)
    return cli_fail(x, rc);
  *total += n;
  if(j) {
    cli_json_begin_object(j, NULL);
    cli_json_str(j, "model", model ? model : "all");
    cli_json_int(j, "scored", (int64_t)n);
    cli_json_end(j);
  }
  else if(!x->quiet)
    printf("%-16s %zu customers scored\n", model ? model : "all", n);
  return CLI_OK;
}

static int run_score_run(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  static const struct option lo[] = {
    {"model", required_argument, NULL, OPT_MODEL},
    {NULL, 0, NULL, 0},
  };
  cli_parser p;
  const char *arg, *model = NULL;
  cli_components comps;
  cli_json j, *jp = NULL;
  size_t i, total = 0, runs = 0;
  int64_t as_of;
  char when[32];
  int opt, rc;

  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg))
    if(opt == OPT_MODEL)
      model = arg;
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 0, 0);
  if(!rc)
    rc = cli_open(x, 0);
  if(!rc && !model)
    rc = cli_components_load(x, &comps);
  if(rc)
    return rc;
  as_of = x->as_of ? x->as_of : crm_now(x->c);
  cli_fmt_date(as_of, when, sizeof(when));
  if(x->json) {
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_time(&j, "as_of", as_of);
    cli_json_begin_array(&j, "models");
    jp = &j;
  }
  else if(!x->quiet)
    printf("scoring as of %s\n", when);
  if(model)
    rc = score_one(x, jp, model, as_of, &total);
  for(i = 0; !model && !rc && i < comps.n; i++)
    if(!strcmp(comps.items[i].kind, "scoring")) {
      rc = score_one(x, jp, comps.items[i].name, as_of, &total);
      runs++;
    }
  if(!model && !rc && !runs && !x->json && !x->quiet)
    printf("no scoring models loaded\n");
  if(jp) {
    cli_json_end(&j);
    cli_json_int(&j, "total", (int64_t)total);
    cli_json_finish(&j);
  }
  return rc;
}

/* ---- crm score fit ------------------------------------------------------------- */

static volatile sig_atomic_t g_interrupted;

static void on_sigint(int sig)
{
  (void)sig;
  g_interrupted = 1;
}

/* Progress on stderr, per phase of the fit (a phase ends when its total
 * changes): a line per 10 % (per 1 %, rewritten in place, on a
 * terminal); with no known total at 0, 1, 2, 5, 10, 20, 50, ...; and the
 * phase's last count when it was not shown. */
struct fit_progress {
  const char *model;
  int on, tty;
  int open;      /* a terminal line is being rewritten */
  int64_t calls; /* in the current phase */
  int64_t total; /* of the current phase */
  int64_t step;  /* last step shown (tenths or hundredths), or -1 */
  int64_t next;  /* next count to show when there is no total */
  int64_t done, shown_done;
};

static int64_t next_125(int64_t done)
{
  int64_t d = 1;
  while(d <= done && d < INT64_MAX / 10) {
    if(2 * d > done)
      return 2 * d;
    if(5 * d > done)
      return 5 * d;
    d *= 10;
  }
  return d;
}

static void progress_line(struct fit_progress *fp, int end)
{
  const char *cr = fp->tty ? "\r" : "";
  if(fp->total > 0)
    fprintf(stderr, "%sfitting %s: %" PRId64 "/%" PRId64, cr, fp->model,
            fp->done, fp->total);
  else
    fprintf(stderr, "%sfitting %s: %" PRId64, cr, fp->model, fp->done);
  fp->open = fp->tty && !end;
  fputs(fp->tty ? "   " : "", stderr); /* over a longer line */
  if(!fp->open)
    fputc('\n', stderr);
  fp->shown_done = fp->done;
}

static void progress_phase_end(struct fit_progress *fp)
{
  if(fp->calls && fp->done != fp->shown_done)
    progress_line(fp, 1);
  else if(fp->open) {
    fputc('\n', stderr);
    fp->open = 0;
  }
  fp->calls = 0;
}

static int progress_cb(void *ud, const char *model, int64_t done,
                       int64_t total)
{
  struct fit_progress *fp = ud;
  int64_t parts, step;
  (void)model; /* fp->model: the one asked for */
  if(g_interrupted)
    return 1;
  if(!fp->on)
    return 0;
  if(fp->calls && total != fp->total)
    progress_phase_end(fp);
  if(!fp->calls) {
    fp->total = total;
    fp->step = -1;
    fp->next = 0;
    fp->shown_done = -1;
  }
  fp->calls++;
  fp->done = done;
  if(total > 0) {
    parts = fp->tty ? 100 : 10;
    step = done >= total ? parts : done > 0 ? done * parts / total : 0;
    if(step <= fp->step)
      return 0;
    fp->step = step;
  }
  else {
    if(done < fp->next)
      return 0;
    fp->next = next_125(done);
  }
  progress_line(fp, 0);
  return 0;
}

static double elapsed_s(const struct timespec *t0)
{
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) +
         (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Runs the fit with SIGINT asking the model to stop (rolled back). */
static int fit_call(cli *x, const char *model, int64_t as_of,
                    unsigned flags, struct fit_progress *fp, size_t *n,
                    double *secs)
{
  struct sigaction sa, old;
  struct timespec t0;
  int rc;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  g_interrupted = 0;
  sigaction(SIGINT, &sa, &old);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  rc = crm_score_fit(x->c, model, as_of, flags, progress_cb, fp, n);
  *secs = elapsed_s(&t0);
  sigaction(SIGINT, &old, NULL);
  progress_phase_end(fp);
  return rc;
}

static void fit_print(cli *x, const char *model, int64_t as_of,
                      unsigned flags, size_t n, double secs,
                      const cli_fig_list *l)
{
  char when[32];
  cli_fmt_date(as_of, when, sizeof(when));
  if(x->json) {
    cli_json j;
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_str(&j, "model", model);
    cli_json_time(&j, "as_of", as_of);
    cli_json_int(&j, "scored", (int64_t)n);
    cli_json_num(&j, "seconds", secs);
    cli_figs_json_map(&j, l);
    cli_json_finish(&j);
    return;
  }
  if(x->quiet)
    return;
  printf("%s fitted as of %s\n", model, when);
  if(l->n)
    cli_figs_print_model(l, 0, l->n);
  else
    printf("  (no figures stored)\n");
  if(flags & CRM_FIT_NO_SCORE)
    printf("fit only (--no-score): scores kept, fitted in %.2f s\n", secs);
  else
    printf("%zu customer%s scored in %.2f s\n", n, n == 1 ? "" : "s", secs);
}

static int run_score_fit(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  static const struct option lo[] = {
    {"no-score", no_argument, NULL, OPT_NO_SCORE},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {NULL, 0, NULL, 0},
  };
  struct fit_progress fp;
  cli_parser p;
  cli_fig_list figs;
  const char *arg, *model;
  unsigned flags = 0;
  size_t n = 0;
  double secs = 0;
  int64_t as_of;
  int opt, rc, progress = 0;

  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg)) {
    if(opt == OPT_NO_SCORE)
      flags |= CRM_FIT_NO_SCORE;
    else if(opt == OPT_PROGRESS)
      progress = 1;
  }
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 1, 1);
  if(!rc)
    rc = cli_open(x, 0);
  if(rc)
    return rc;
  model = argv[p.optind];
  as_of = x->as_of ? x->as_of : crm_now(x->c);
  memset(&fp, 0, sizeof(fp));
  fp.model = model;
  fp.tty = isatty(STDERR_FILENO);
  fp.on = progress || (fp.tty && !x->quiet);
  rc = fit_call(x, model, as_of, flags, &fp, &n, &secs);
  if(rc == CRM_ECANCELED && g_interrupted)
    return cli_usage_error("fit of %s interrupted: nothing was changed",
                           model);
  if(rc)
    return cli_fail(x, rc);
  rc = cli_figs_load(x, model, &figs);
  if(!rc)
    fit_print(x, model, as_of, flags, n, secs, &figs);
  free(figs.r);
  return rc ? cli_fail(x, rc) : CLI_OK;
}

/* ---- crm score show -------------------------------------------------------------- */

struct show_scores {
  cli_json *j;
  const char *model;
  size_t n;
};

static int show_cb(void *ud, const crm_score *s)
{
  struct show_scores *ss = ud;
  if(ss->model && strcmp(ss->model, s->model))
    return 0;
  ss->n++;
  if(ss->j)
    cli_score_json(ss->j, s);
  else
    cli_score_print(s, 2);
  return 0;
}

static int run_score_show(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  static const struct option lo[] = {
    {"model", required_argument, NULL, OPT_MODEL},
    {NULL, 0, NULL, 0},
  };
  struct show_scores ss;
  cli_parser p;
  crm_customer cu;
  cli_json j;
  const char *arg;
  int opt, rc;

  memset(&ss, 0, sizeof(ss));
  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg))
    if(opt == OPT_MODEL)
      ss.model = arg;
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 1, 1);
  if(!rc)
    rc = cli_open(x, 0);
  if(!rc)
    rc = cli_resolve(x, argv[p.optind], &cu);
  if(rc)
    return rc;
  if(x->json) {
    cli_json_init(&j, stdout);
    cli_json_begin_array(&j, NULL);
    ss.j = &j;
  }
  else
    printf("customer #%" PRId64 "  %s%s%s\n", cu.id, cu.external_id,
           cu.name[0] ? "  " : "", cu.name);
  rc = crm_scores_foreach(x->c, cu.id, show_cb, &ss);
  if(ss.j)
    cli_json_finish(&j);
  if(rc)
    return cli_fail(x, rc);
  if(!ss.j && !ss.n)
    printf("  no scores%s%s (see crm score run, crm score fit)\n",
           ss.model ? " of " : "", ss.model ? ss.model : "");
  return CLI_OK;
}

/* ---- crm score figures ------------------------------------------------------------ */

static int run_score_figures(cli *x, const cli_cmd *cmd, int argc,
                             char **argv)
{
  cli_parser p;
  cli_fig_list l;
  const char *arg, *model;
  size_t i, from;
  char when[32];
  int rc;

  cli_parser_init(&p, cmd, argc, argv, NULL);
  if(cli_parser_next(x, &p, &arg) != CLI_PARSE_END)
    return p.rc;
  rc = cli_operands(&p, 0, 1);
  if(!rc)
    rc = cli_open(x, 0);
  if(rc)
    return rc;
  model = p.optind < argc ? argv[p.optind] : NULL;
  rc = cli_figs_load(x, model, &l);
  if(rc) {
    free(l.r);
    return cli_fail(x, rc);
  }
  if(x->json) {
    cli_json j;
    cli_json_init(&j, stdout);
    cli_json_begin_array(&j, NULL);
    for(i = 0; i < l.n; i++) {
      cli_json_begin_object(&j, NULL);
      cli_json_str(&j, "model", l.r[i].model);
      cli_json_str(&j, "name", l.r[i].name);
      cli_json_num(&j, "value", l.r[i].value);
      cli_json_str(&j, "label", l.r[i].label[0] ? l.r[i].label : NULL);
      cli_json_time(&j, "computed_at", l.r[i].computed_at);
      cli_json_end(&j);
    }
    cli_json_finish(&j);
  }
  else if(!l.n)
    printf("no figures%s%s (see crm score fit)\n", model ? " of " : "",
           model ? model : "");
  for(from = 0; !x->json && from < l.n; from = i) {
    int64_t latest = 0;
    for(i = from; i < l.n && !strcmp(l.r[i].model, l.r[from].model); i++)
      if(l.r[i].computed_at > latest)
        latest = l.r[i].computed_at;
    cli_fmt_time(latest, when, sizeof(when));
    printf("%s%s (computed %s)\n", from ? "\n" : "", l.r[from].model, when);
    cli_figs_print_model(&l, from, i);
  }
  free(l.r);
  return CLI_OK;
}

/* ---- crm score fits ---------------------------------------------------------------- */

static int fit_fig_json_cb(void *ud, const char *name, double v)
{
  cli_json_num(ud, name, v);
  return 0;
}

static int fit_fig_text_cb(void *ud, const char *name, double v)
{
  char num[64];
  int *col = ud;
  cli_fmt_number(v, 0, num, sizeof(num));
  if(*col > 64) {
    printf("\n     ");
    *col = 5;
  }
  *col += printf(" %s=%s", name, num);
  return 0;
}

struct fits_ctx {
  cli_json *j; /* NULL: text */
  size_t n;
};

static int fits_cb(void *ud, const crm_score_fit_info *f)
{
  struct fits_ctx *fc = ud;
  cli_json *j = fc->j;
  char asof[32], at[32];
  int col = 5;
  fc->n++;
  if(j) {
    cli_json_begin_object(j, NULL);
    cli_json_int(j, "id", f->id);
    cli_json_str(j, "model", f->model);
    cli_json_time(j, "as_of", f->as_of);
    cli_json_time(j, "started_at", f->started_at);
    cli_json_time(j, "finished_at", f->finished_at);
    cli_json_int(j, "scored", f->n_scored);
    cli_json_begin_object(j, "figures");
    if(f->figures_json)
      cli_flat_json_each(f->figures_json, fit_fig_json_cb, j);
    cli_json_end(j);
    cli_json_end(j);
    return 0;
  }
  cli_fmt_date(f->as_of, asof, sizeof(asof));
  cli_fmt_time(f->started_at, at, sizeof(at));
  printf("#%-4" PRId64 " %-14s as of %s  fitted %s (%" PRId64 " s)  %" PRId64
         " scored\n",
         f->id, f->model, asof, at, f->finished_at - f->started_at,
         f->n_scored);
  if(f->figures_json && *f->figures_json) {
    printf("     ");
    if(cli_flat_json_each(f->figures_json, fit_fig_text_cb, &col))
      printf(" %s", f->figures_json);
    printf("\n");
  }
  return 0;
}

static int run_score_fits(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  struct fits_ctx fc;
  cli_parser p;
  cli_json j;
  const char *arg, *model;
  int rc;

  cli_parser_init(&p, cmd, argc, argv, NULL);
  if(cli_parser_next(x, &p, &arg) != CLI_PARSE_END)
    return p.rc;
  rc = cli_operands(&p, 0, 1);
  if(!rc)
    rc = cli_open(x, 0);
  if(rc)
    return rc;
  model = p.optind < argc ? argv[p.optind] : NULL;
  memset(&fc, 0, sizeof(fc));
  if(x->json) {
    cli_json_init(&j, stdout);
    cli_json_begin_array(&j, NULL);
    fc.j = &j;
  }
  rc = crm_score_fits_foreach(x->c, model, fits_cb, &fc);
  if(fc.j)
    cli_json_finish(&j);
  if(rc)
    return cli_fail(x, rc);
  if(!fc.j && !fc.n)
    printf("no fits%s%s (see crm score fit)\n", model ? " of " : "",
           model ? model : "");
  return CLI_OK;
}

const cli_cmd cli_cmds_score[] = {
  {"score", "run", "run scoring models over every customer",
   "crm score run [--model M] [--as-of DATE]",
   "  --model M       run only this scoring component (default: all)\n"
   "  Scores every customer with each model's current parameters (a\n"
   "  model with a fit step uses its last fit; see crm score fit).\n",
   run_score_run},
  {"score", "fit", "fit a scoring model's parameters and rescore everyone",
   "crm score fit MODEL [--as-of DATE] [--no-score] [--progress]",
   "  MODEL           the scoring component (clv, churn, lead, ...)\n"
   "  --as-of DATE    the data's end and the model's \"now\" (default: now)\n"
   "  --no-score      fit only: store the parameters, keep the scores\n"
   "  --progress      report progress on stderr (default: only when\n"
   "                  stderr is a terminal)\n"
   "  Prints the fitted figures (parameters, log-likelihoods) and the\n"
   "  customers scored. The fit runs in one transaction: a failure or\n"
   "  Ctrl-C changes nothing.\n",
   run_score_fit},
  {"score", "show", "a customer's scores with their explanations",
   "crm score show REF [--model M]",
   "  REF             #id, id, external id or e-mail\n"
   "  --model M       only this model's scores\n"
   "  Each score is followed by its factors: the signed contribution of\n"
   "  each to the value, in the score's unit, and a detail.\n",
   run_score_show},
  {"score", "figures", "model-level figures: fitted parameters, NPS, ...",
   "crm score figures [MODEL]",
   "  MODEL           only this model's figures (default: all)\n",
   run_score_figures},
  {"score", "fits", "the history of fits",
   "crm score fits [MODEL]",
   "  MODEL           only this model's fits (default: all), newest first\n",
   run_score_fits},
  {NULL, NULL, NULL, NULL, NULL, NULL},
};
