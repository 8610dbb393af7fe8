/*
 * cmd_report.c - crm report: the loaded plugins by kind, then customers
 * grouped by lifecycle stage (prospect .. reactivated) with a count per
 * stage and, per stage, up to --limit customers with their purchases,
 * spend, points and scores.
 */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define OPT_LIMIT 256
#define DEFAULT_LIMIT 8

static const char *const kinds[] = {"scoring", "reward", "channel",
                                    "complaint", NULL};

struct bucket {
  int64_t count;
  crm_customer *kept; /* up to limit */
  size_t nkept, cap;
};

struct report {
  cli *x;
  int64_t limit; /* 0: all */
  int64_t total;
  struct bucket b[CRM_STAGE_COUNT];
  int oom;
};

static int walk_cb(void *ud, const crm_customer *cu)
{
  struct report *rp = ud;
  struct bucket *b;
  int stage = cu->stage >= 0 && cu->stage < CRM_STAGE_COUNT ? cu->stage : 0;
  b = &rp->b[stage];
  b->count++;
  rp->total++;
  if(rp->limit && (int64_t)b->nkept >= rp->limit)
    return 0;
  if(b->nkept == b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 8;
    crm_customer *n = realloc(b->kept, cap * sizeof(*n));
    if(!n) {
      rp->oom = 1;
      return 1;
    }
    b->kept = n;
    b->cap = cap;
  }
  b->kept[b->nkept++] = *cu;
  return 0;
}

/* ---- scores of one customer ------------------------------------------- */

#define SCORES_MAX 32

struct score_copy {
  char model[32], name[32], label[48];
  double value;
};

struct scores_text {
  struct score_copy s[SCORES_MAX];
  size_t n;
  char buf[256];
};

static int score_copy_cb(void *ud, const crm_score *s)
{
  struct scores_text *st = ud;
  struct score_copy *c;
  if(st->n == SCORES_MAX)
    return 0;
  c = &st->s[st->n++];
  snprintf(c->model, sizeof(c->model), "%s", s->model ? s->model : "");
  snprintf(c->name, sizeof(c->name), "%s", s->name ? s->name : "");
  snprintf(c->label, sizeof(c->label), "%s", s->label ? s->label : "");
  c->value = s->value;
  return 0;
}

/* The text report shows, per model, its headline scores: the one named
 * like the model (rfm=545) and a "segment"; a model with neither shows
 * all its scores. crm customer show and --json give everything. */
static int headline(const struct scores_text *st, size_t i)
{
  const struct score_copy *c = &st->s[i];
  size_t k;
  if(!strcmp(c->name, c->model) || !strcmp(c->name, "segment"))
    return 1;
  for(k = 0; k < st->n; k++)
    if(!strcmp(st->s[k].model, c->model) &&
       (!strcmp(st->s[k].name, c->model) ||
        !strcmp(st->s[k].name, "segment")))
      return 0;
  return 1;
}

static const char *scores_line(struct scores_text *st)
{
  size_t i, len = 0;
  st->buf[0] = '\0';
  for(i = 0; i < st->n && len < sizeof(st->buf) - 1; i++) {
    const struct score_copy *c = &st->s[i];
    int n;
    if(!headline(st, i))
      continue;
    if(c->label[0])
      n = snprintf(st->buf + len, sizeof(st->buf) - len, "%s%s=%s",
                   len ? " " : "", c->name, c->label);
    else
      n = snprintf(st->buf + len, sizeof(st->buf) - len, "%s%s=%.4g",
                   len ? " " : "", c->name, c->value);
    if(n < 0)
      break;
    len += (size_t)n;
  }
  return st->buf[0] ? st->buf : "-";
}

static int score_json_cb(void *ud, const crm_score *s)
{
  cli_json *j = ud;
  cli_json_begin_object(j, NULL);
  cli_json_str(j, "model", s->model);
  cli_json_str(j, "name", s->name);
  cli_json_num(j, "value", s->value);
  cli_json_str(j, "label", s->label && *s->label ? s->label : NULL);
  cli_json_end(j);
  return 0;
}

/* ---- text ---------------------------------------------------------------- */

static void text_plugins(const cli_components *comps)
{
  size_t k, i;
  printf("plugins loaded:\n");
  for(k = 0; kinds[k]; k++) {
    int n = 0;
    printf("  %-10s", kinds[k]);
    for(i = 0; i < comps->n; i++)
      if(!strcmp(comps->items[i].kind, kinds[k]))
        printf("%s %s (%s)", n++ ? "," : "", comps->items[i].name,
               comps->items[i].plugin);
    printf("%s\n", n ? "" : " none");
  }
}

static int text_stage(struct report *rp, int stage)
{
  static const char *const head[] = {"EXTERNAL_ID", "NAME", "PURCHASES",
                                     "SPEND", "POINTS", "SCORES", NULL};
  struct bucket *b = &rp->b[stage];
  cli_table t;
  struct scores_text st;
  size_t i;
  int rc = 0;
  printf("\n%s: %" PRId64 " customer%s\n", crm_stage_name(stage), b->count,
         b->count == 1 ? "" : "s");
  cli_table_init(&t, head);
  cli_table_align_right(&t, 2);
  cli_table_align_right(&t, 3);
  cli_table_align_right(&t, 4);
  for(i = 0; !rc && i < b->nkept; i++) {
    const crm_customer *cu = &b->kept[i];
    char buys[32], money[64], pts[32];
    const char *row[6];
    st.n = 0;
    rc = crm_scores_foreach(rp->x->c, cu->id, score_copy_cb, &st);
    snprintf(buys, sizeof(buys), "%" PRId64, cu->purchase_count);
    cli_fmt_money(cu->monetary_total, cu->currency, money, sizeof(money));
    snprintf(pts, sizeof(pts), "%" PRId64, cu->points_balance);
    row[0] = cu->external_id;
    row[1] = cu->name;
    row[2] = buys;
    row[3] = money;
    row[4] = pts;
    row[5] = scores_line(&st);
    cli_table_add(&t, row);
  }
  if(!rc)
    cli_table_print(&t, stdout, 2);
  if(!rc && b->count > (int64_t)b->nkept)
    printf("  ... and %" PRId64 " more\n", b->count - (int64_t)b->nkept);
  cli_table_free(&t);
  return rc;
}

static int text_report(struct report *rp, const cli_components *comps,
                       int64_t as_of)
{
  char when[32];
  int s, rc = 0;
  cli_fmt_date(as_of, when, sizeof(when));
  printf("crmcore report as of %s\n\n", when);
  text_plugins(comps);
  printf("\ncustomers by lifecycle stage (%" PRId64 " in all):\n",
         rp->total);
  for(s = 0; s < CRM_STAGE_COUNT; s++)
    if(s || rp->b[s].count)
      printf("  %-16s %6" PRId64 "\n", crm_stage_name(s), rp->b[s].count);
  for(s = 0; !rc && s < CRM_STAGE_COUNT; s++)
    if(rp->b[s].count)
      rc = text_stage(rp, s);
  return rc;
}

/* ---- JSON -------------------------------------------------------------- */

static int json_stage(struct report *rp, cli_json *j, int stage)
{
  struct bucket *b = &rp->b[stage];
  size_t i;
  int rc = 0;
  cli_json_begin_object(j, NULL);
  cli_json_str(j, "stage", crm_stage_name(stage));
  cli_json_int(j, "count", b->count);
  cli_json_begin_array(j, "customers");
  for(i = 0; !rc && i < b->nkept; i++) {
    cli_json_begin_object(j, NULL);
    cli_json_customer_fields(j, &b->kept[i]);
    cli_json_begin_array(j, "scores");
    rc = crm_scores_foreach(rp->x->c, b->kept[i].id, score_json_cb, j);
    cli_json_end(j);
    cli_json_end(j);
  }
  cli_json_end(j);
  cli_json_end(j);
  return rc;
}

static int json_report(struct report *rp, const cli_components *comps,
                       int64_t as_of)
{
  cli_json j;
  size_t k, i;
  int s, rc = 0;
  cli_json_init(&j, stdout);
  cli_json_begin_object(&j, NULL);
  cli_json_time(&j, "as_of", as_of);
  cli_json_begin_object(&j, "plugins");
  for(k = 0; kinds[k]; k++) {
    cli_json_begin_array(&j, kinds[k]);
    for(i = 0; i < comps->n; i++)
      if(!strcmp(comps->items[i].kind, kinds[k])) {
        cli_json_begin_object(&j, NULL);
        cli_json_str(&j, "component", comps->items[i].name);
        cli_json_str(&j, "plugin", comps->items[i].plugin);
        cli_json_end(&j);
      }
    cli_json_end(&j);
  }
  cli_json_end(&j);
  cli_json_int(&j, "total", rp->total);
  cli_json_begin_array(&j, "stages");
  for(s = 0; !rc && s < CRM_STAGE_COUNT; s++)
    if(s || rp->b[s].count)
      rc = json_stage(rp, &j, s);
  cli_json_finish(&j);
  return rc;
}

static int run_report(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  static const struct option lo[] = {
    {"limit", required_argument, NULL, OPT_LIMIT},
    {NULL, 0, NULL, 0},
  };
  cli_parser p;
  const char *arg;
  struct report rp;
  cli_components comps;
  int64_t as_of;
  int opt, rc = 0, s;

  memset(&rp, 0, sizeof(rp));
  rp.x = x;
  rp.limit = DEFAULT_LIMIT;
  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg))
    if(opt == OPT_LIMIT) {
      rc = cli_parse_count("--limit", arg, &rp.limit);
      if(rc)
        return rc;
    }
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 0, 0);
  if(!rc)
    rc = cli_open(x, 0);
  if(!rc)
    rc = cli_components_load(x, &comps);
  if(rc)
    return rc;
  as_of = x->as_of ? x->as_of : crm_now(x->c);
  rc = crm_customers_foreach(x->c, -1, walk_cb, &rp);
  if(rp.oom)
    rc = cli_internal_error("out of memory");
  else if(rc)
    rc = cli_fail(x, rc);
  else {
    rc = x->json ? json_report(&rp, &comps, as_of)
                 : text_report(&rp, &comps, as_of);
    if(rc)
      rc = cli_fail(x, rc);
  }
  for(s = 0; s < CRM_STAGE_COUNT; s++)
    free(rp.b[s].kept);
  return rc;
}

const cli_cmd cli_cmds_report[] = {
  {"report", NULL, "customers by lifecycle stage with points and scores, "
   "and the loaded plugins",
   "crm report [--limit N] [--json]",
   "  --limit N          customers listed per stage (default 8, 0 = all)\n",
   run_report},
  {NULL, NULL, NULL, NULL, NULL, NULL},
};
