/*
 * score_out.c - text and JSON output of scores, explanations and model
 * figures, shared by the score commands (cmd_score.c) and crm customer
 * show.
 */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- numbers ------------------------------------------------------------- */

/* The CLI does not link libm: rounding and magnitude by hand. */
static double abs_d(double v)
{
  return v < 0 ? -v : v;
}

/* Nearest integer, halves away from zero; |v| must be < 9e15. */
static int64_t round_i(double v)
{
  return (int64_t)(v < 0 ? v - 0.5 : v + 0.5);
}

/* A value as text: an integer as an integer, else 4 decimals (tiny values
 * in 4 significant digits). sign: "+" on positive values. */
void cli_fmt_number(double v, int sign, char *buf, size_t size)
{
  if(v == 0)
    v = 0; /* no "-0" */
  if(!isfinite(v))
    snprintf(buf, size, "%s", isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
  else if(abs_d(v) < 1e15 && v == (double)(int64_t)v)
    snprintf(buf, size, sign ? "%+.0f" : "%.0f", v);
  else if(abs_d(v) < 0.001)
    snprintf(buf, size, sign ? "%+.4g" : "%.4g", v);
  else
    snprintf(buf, size, sign ? "%+.4f" : "%.4f", v);
}

static int is_int(double v)
{
  return isfinite(v) && abs_d(v) < 1e15 && v == (double)(int64_t)v;
}

/* A score's value or a contribution: integers when the value and all the
 * contributions are (counts, points), else 4 decimals throughout. */
static void fmt_score_number(double v, int all_int, int sign, char *buf,
                             size_t size)
{
  if(all_int || !isfinite(v))
    cli_fmt_number(v, sign, buf, size);
  else
    snprintf(buf, size, sign ? "%+.4f" : "%.4f", v == 0 ? 0.0 : v);
}

/* When a score's label is its value as money ("153.27 USD" for 15327
 * minor units), copies the currency into cur and returns 1: its
 * explanation is then shown in money too. */
static int label_currency(const crm_score *s, char *cur, size_t size)
{
  const char *sp;
  char num[64];
  int64_t minor;
  size_t len;
  if(!s->label || !isfinite(s->value) || abs_d(s->value) > 9e15)
    return 0;
  sp = strrchr(s->label, ' ');
  if(!sp || !cli_unit_is_currency(sp + 1))
    return 0;
  len = (size_t)(sp - s->label);
  if(!len || len >= sizeof(num))
    return 0;
  memcpy(num, s->label, len);
  num[len] = '\0';
  if(crm_money_parse(num, sp + 1, &minor) ||
     llabs(minor - (int64_t)round_i(s->value)) > 1)
    return 0;
  snprintf(cur, size, "%s", sp + 1);
  return 1;
}

/* ---- a score with its explanation (also used by crm customer show) ----- */

void cli_score_print(const crm_score *s, int indent)
{
  char val[64], when[32], cur[8], c[64];
  const char *label = s->label && *s->label ? s->label : "";
  int money = label_currency(s, cur, sizeof(cur));
  int all_int = is_int(s->value);
  size_t i;
  for(i = 0; i < s->n_reasons; i++)
    all_int = all_int && is_int(s->reasons[i].contribution);
  if(money) {
    snprintf(val, sizeof(val), "%s", label);
    label = "";
  }
  else
    fmt_score_number(s->value, all_int, 0, val, sizeof(val));
  cli_fmt_date(s->computed_at, when, sizeof(when));
  /* the contributions line up under the value */
  printf("%*s%-12s %-18s %12s  %-14s (%s)\n", indent, "", s->model,
         s->name, val, label, when);
  for(i = 0; i < s->n_reasons; i++) {
    const crm_score_reason *r = &s->reasons[i];
    if(money && abs_d(r->contribution) < 9e15) {
      int64_t m = (int64_t)round_i(r->contribution);
      cli_amount(c, sizeof(c), m, cur, CLI_AMOUNT_SIGN | CLI_AMOUNT_BARE);
    }
    else
      fmt_score_number(r->contribution, all_int, 1, c, sizeof(c));
    printf("%*s%-27s %12s%s%s\n", indent + 4, "", r->factor, c,
           r->detail && *r->detail ? "   " : "",
           r->detail ? r->detail : "");
  }
}

void cli_score_json(cli_json *j, const crm_score *s)
{
  size_t i;
  cli_json_begin_object(j, NULL);
  cli_json_str(j, "model", s->model);
  cli_json_str(j, "name", s->name);
  cli_json_num(j, "value", s->value);
  cli_json_str(j, "label", s->label && *s->label ? s->label : NULL);
  cli_json_time(j, "computed_at", s->computed_at);
  cli_json_begin_array(j, "explain");
  for(i = 0; i < s->n_reasons; i++) {
    cli_json_begin_object(j, NULL);
    cli_json_str(j, "factor", s->reasons[i].factor);
    cli_json_num(j, "contribution", s->reasons[i].contribution);
    cli_json_str(j, "detail", s->reasons[i].detail);
    cli_json_end(j);
  }
  cli_json_end(j);
  cli_json_end(j);
}

/* ---- figures, grouped for reading ------------------------------------------ */

/* Figure names of the BTYD models carry their sub-model as a prefix; the
 * text output groups them under a heading, parameters in the order of
 * the literature and the log-likelihood last. */
static const struct {
  const char *prefix, *title;
} fig_groups[] = {
  {"bgnbd_", "BG/NBD"},
  {"gg_", "Gamma-Gamma"},
  {"pnbd_", "Pareto/NBD"},
};
#define FIG_GROUPS (sizeof(fig_groups) / sizeof(fig_groups[0]))

static const char *const fig_param_order[] = {
  "r", "alpha", "s", "beta", "a", "b", "p", "q", "gamma", "ll",
};
#define FIG_PARAMS (sizeof(fig_param_order) / sizeof(fig_param_order[0]))

static void fig_classify(cli_fig_row *f)
{
  size_t g, k;
  f->group = FIG_GROUPS;
  f->rank = FIG_PARAMS;
  for(g = 0; g < FIG_GROUPS; g++)
    if(!strncmp(f->name, fig_groups[g].prefix, strlen(fig_groups[g].prefix)))
      f->group = g;
  if(f->group == FIG_GROUPS)
    return;
  for(k = 0; k < FIG_PARAMS; k++)
    if(!strcmp(f->name + strlen(fig_groups[f->group].prefix),
               fig_param_order[k]))
      f->rank = k;
}

static int fig_collect_cb(void *ud, const crm_figure *fg)
{
  cli_fig_list *l = ud;
  cli_fig_row *f;
  if(l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 32;
    cli_fig_row *r = realloc(l->r, cap * sizeof(*r));
    if(!r)
      return CRM_ENOMEM;
    l->r = r;
    l->cap = cap;
  }
  f = &l->r[l->n++];
  snprintf(f->model, sizeof(f->model), "%s", fg->model ? fg->model : "");
  snprintf(f->name, sizeof(f->name), "%s", fg->name ? fg->name : "");
  snprintf(f->label, sizeof(f->label), "%s", fg->label ? fg->label : "");
  /* a time ("fitted_at") without a label: its date, for reading */
  if(!f->label[0] && strlen(f->name) > 3 &&
     !strcmp(f->name + strlen(f->name) - 3, "_at") && fg->value > 0 &&
     fg->value < 1e12)
    cli_fmt_date((int64_t)fg->value, f->label, sizeof(f->label));
  f->value = fg->value;
  f->computed_at = fg->computed_at;
  fig_classify(f);
  return 0;
}

/* Model, then ungrouped figures by name, then each group in its order. */
static int fig_cmp(const void *pa, const void *pb)
{
  const cli_fig_row *a = pa, *b = pb;
  int c = strcmp(a->model, b->model);
  if(c)
    return c;
  if(a->group != b->group)
    return a->group == FIG_GROUPS ? -1
           : b->group == FIG_GROUPS ? 1
           : a->group < b->group ? -1 : 1;
  if(a->rank != b->rank)
    return a->rank < b->rank ? -1 : 1;
  return strcmp(a->name, b->name);
}

int cli_figs_load(cli *x, const char *model, cli_fig_list *l)
{
  int rc;
  memset(l, 0, sizeof(*l));
  rc = crm_figures_foreach(x->c, model, fig_collect_cb, l);
  if(!rc && l->n > 1)
    qsort(l->r, l->n, sizeof(l->r[0]), fig_cmp);
  return rc;
}

/* The name shown under a group heading: without the prefix, "LL" for the
 * log-likelihood. */
static const char *fig_short(const cli_fig_row *f)
{
  const char *s;
  if(f->group == FIG_GROUPS)
    return f->name;
  s = f->name + strlen(fig_groups[f->group].prefix);
  return strcmp(s, "ll") ? s : "LL";
}

/* Prints the figures of one model, rows [from, to) of l. */
void cli_figs_print_model(const cli_fig_list *l, size_t from, size_t to)
{
  size_t i, wn = 4, wv = 1;
  size_t group = (size_t)-1;
  int headed = 0;
  char v[64];
  for(i = from; i < to; i++) {
    cli_fmt_number(l->r[i].value, 0, v, sizeof(v));
    if(strlen(fig_short(&l->r[i])) > wn)
      wn = strlen(fig_short(&l->r[i]));
    if(strlen(v) > wv)
      wv = strlen(v);
    if(l->r[i].group != FIG_GROUPS)
      headed = 1;
  }
  for(i = from; i < to; i++) {
    const cli_fig_row *f = &l->r[i];
    if(headed && f->group != group) {
      group = f->group;
      printf("  %s\n",
             group == FIG_GROUPS ? "summary" : fig_groups[group].title);
    }
    cli_fmt_number(f->value, 0, v, sizeof(v));
    printf("%*s%-*s  %*s%s%s\n", headed ? 4 : 2, "", (int)wn, fig_short(f),
           (int)wv, v, f->label[0] ? "  " : "", f->label);
  }
}

void cli_figs_json_map(cli_json *j, const cli_fig_list *l)
{
  size_t i;
  cli_json_begin_object(j, "figures");
  for(i = 0; i < l->n; i++)
    cli_json_num(j, l->r[i].name, l->r[i].value);
  cli_json_end(j);
}

/* ---- the figures of a recorded fit ------------------------------------ */

/* crm_score_fit_info.figures_json is a flat object of numbers; the
 * output re-emits it member by member (the JSON writer has no raw
 * mode). */
int cli_flat_json_each(const char *s,
                       int (*cb)(void *ud, const char *name, double v),
                       void *ud)
{
  char key[128], *end;
  size_t k;
  double v;
  int rc;
  s += strspn(s, " \t\r\n");
  if(*s++ != '{')
    return -1;
  for(;;) {
    s += strspn(s, " \t\r\n");
    if(*s == '}')
      return 0;
    if(*s++ != '"')
      return -1;
    for(k = 0; *s && *s != '"'; s++) {
      if(*s == '\\' && s[1])
        s++;
      if(k < sizeof(key) - 1)
        key[k++] = *s;
    }
    key[k] = '\0';
    if(*s++ != '"')
      return -1;
    s += strspn(s, " \t\r\n");
    if(*s++ != ':')
      return -1;
    s += strspn(s, " \t\r\n");
    if(!strncmp(s, "null", 4)) {
      v = NAN;
      s += 4;
    }
    else {
      v = strtod(s, &end);
      if(end == s)
        return -1;
      s = end;
    }
    rc = cb(ud, key, v);
    if(rc)
      return rc;
    s += strspn(s, " \t\r\n");
    if(*s == ',')
      s++;
    else if(*s != '}')
      return -1;
  }
}
