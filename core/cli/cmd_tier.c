/*
 * cmd_tier.c - crm tier show: a customer's tier in each scheme with
 * tiers, the rolling window's sums, what the next tier asks for, and the
 * tier changes.
 */
#include "cli.h"

#include <inttypes.h>
#include <string.h>

#define OPT_SCHEME 256

/* ---- crm tier show ------------------------------------------------------------------ */

struct tier_ctx {
  cli_json *j;
  cli_table *t;
  int64_t n;
};

static int tier_change_cb(void *ud, const crm_tier_change *tc)
{
  struct tier_ctx *tx = ud;
  char at[32], ev[32];
  const char *row[5];
  tx->n++;
  if(tx->j) {
    cli_json_begin_object(tx->j, NULL);
    cli_json_time(tx->j, "at", tc->at);
    cli_json_str(tx->j, "from", tc->from_tier);
    cli_json_str(tx->j, "to", tc->to_tier);
    cli_json_str(tx->j, "reason", tc->reason);
    cli_json_int(tx->j, "event_id", tc->event_id);
    cli_json_end(tx->j);
    return 0;
  }
  cli_fmt_time(tc->at, at, sizeof(at));
  snprintf(ev, sizeof(ev), "#%" PRId64, tc->event_id);
  row[0] = at;
  row[1] = tc->from_tier ? tc->from_tier : "-";
  row[2] = tc->to_tier ? tc->to_tier : "-";
  row[3] = ev;
  row[4] = tc->reason ? tc->reason : "";
  cli_table_add(tx->t, row);
  return 0;
}

static void tier_json(cli_json *j, const crm_tier_status *st)
{
  cli_json_str(j, "scheme", st->scheme);
  cli_json_str(j, "tier", st->tier);
  cli_json_num(j, "multiplier", st->multiplier);
  cli_json_time(j, "since", st->since);
  cli_json_time(j, "review_at", st->review_at);
  cli_json_time(j, "grace_until", st->grace_until);
  cli_json_begin_object(j, "window");
  cli_json_time(j, "from", st->window_from);
  cli_json_time(j, "to", st->window_to);
  cli_json_int(j, "points", st->points);
  cli_json_int(j, "credits", st->credits);
  cli_json_int(j, "count", st->count);
  cli_json_int(j, "spend", st->spend);
  cli_json_end(j);
  cli_json_str(j, "qualifies_for", st->qualifies_for);
  cli_json_str(j, "next_tier", st->next_tier[0] ? st->next_tier : NULL);
  if(!st->next_tier[0]) {
    cli_json_null(j, "next");
    return;
  }
  cli_json_begin_object(j, "next"); /* thresholds, 0: not a criterion */
  cli_json_int(j, "points", st->next_points);
  cli_json_int(j, "credits", st->next_credits);
  cli_json_int(j, "count", st->next_count);
  cli_json_int(j, "spend", st->next_spend);
  cli_json_end(j);
}

/* One criterion of the next tier: "5000 points (3800 to go)"; what is
 * the scheme's unit for points (see cli_amount), else "credits"/"count". */
static size_t need_text(char *buf, size_t size, size_t n, int64_t want,
                        int64_t have, const char *what,
                        const char *currency)
{
  char w[64], g[64];
  int k;
  if(!want || n >= size)
    return n;
  if(currency) {
    cli_fmt_money(want, currency, w, sizeof(w));
    cli_fmt_money(want > have ? want - have : 0, currency, g, sizeof(g));
    k = snprintf(buf + n, size - n, "%sspend %s (%s to go)",
                 n ? " or " : "", w, want > have ? g : "none");
  }
  else {
    cli_amount(w, sizeof(w), want, what, 0);
    cli_amount(g, sizeof(g), want > have ? want - have : 0, what,
               CLI_AMOUNT_BARE);
    k = snprintf(buf + n, size - n, "%s%s (%s to go)", n ? " or " : "", w,
                 g);
  }
  return k > 0 ? n + (size_t)k : n;
}

static void tier_text(const crm_tier_status *st, const char *unit,
                      const char *currency)
{
  char a[32], b[32], money[64], pts[64], need[512];
  size_t n = 0;
  cli_fmt_time(st->since, a, sizeof(a));
  if(st->since)
    printf("%s: tier %s (x%.4g) since %s\n", st->scheme, st->tier,
           st->multiplier, a);
  else
    printf("%s: tier %s (x%.4g), no account yet\n", st->scheme, st->tier,
           st->multiplier);
  cli_fmt_time(st->review_at, a, sizeof(a));
  printf("  review        %s\n", st->review_at ? a : "none due");
  if(st->grace_until) {
    cli_fmt_time(st->grace_until, a, sizeof(a));
    printf("  grace until   %s (then down to the tier the window "
           "qualifies for)\n", a);
  }
  cli_fmt_time(st->window_from, a, sizeof(a));
  cli_fmt_time(st->window_to, b, sizeof(b));
  cli_fmt_money(st->spend, currency, money, sizeof(money));
  printf("  window        %s to %s\n", a, b);
  cli_amount(pts, sizeof(pts), st->points, unit, 0);
  printf("  in window     %s, %" PRId64 " credits, %" PRId64
         " count, spend %s\n", pts, st->credits, st->count, money);
  printf("  qualifies for %s\n", st->qualifies_for);
  if(!st->next_tier[0]) {
    printf("  next tier     none: this is the top tier\n");
    return;
  }
  need[0] = '\0';
  n = need_text(need, sizeof(need), n, st->next_points, st->points, unit,
                NULL);
  n = need_text(need, sizeof(need), n, st->next_credits, st->credits,
                "credits", NULL);
  n = need_text(need, sizeof(need), n, st->next_count, st->count, "count",
                NULL);
  need_text(need, sizeof(need), n, st->next_spend, st->spend, NULL,
            currency && *currency ? currency : "");
  printf("  next tier     %s: %s\n", st->next_tier,
         need[0] ? need : "no thresholds");
}

static int tier_one(cli *x, cli_json *j, const crm_customer *cu,
                    const char *scheme, const char *unit, int64_t as_of)
{
  static const char *const head[] = {"AT", "FROM", "TO", "EVENT", "REASON",
                                     NULL};
  crm_tier_status st;
  struct tier_ctx tx;
  cli_table t;
  int rc;
  memset(&st, 0, sizeof(st));
  rc = crm_tier_status_get(x->c, cu->id, scheme, as_of, &st);
  if(rc)
    return rc;
  memset(&tx, 0, sizeof(tx));
  if(j) {
    cli_json_begin_object(j, NULL);
    tier_json(j, &st);
    cli_json_begin_array(j, "history");
    tx.j = j;
    rc = crm_tier_history_foreach(x->c, cu->id, st.scheme, tier_change_cb,
                                  &tx);
    cli_json_end(j);
    cli_json_end(j);
    return rc;
  }
  tier_text(&st, unit, cu->currency);
  cli_table_init(&t, head);
  tx.t = &t;
  rc = crm_tier_history_foreach(x->c, cu->id, st.scheme, tier_change_cb,
                                &tx);
  if(!rc && tx.n) {
    printf("  history:\n");
    cli_table_print(&t, stdout, 4);
  }
  else if(!rc)
    printf("  history       no tier changes\n");
  cli_table_free(&t);
  return rc;
}

/* Every scheme with tiers (--scheme: that one). */
static int tiers_all(cli *x, cli_json *j, const crm_customer *cu,
                     const char *scheme, int64_t as_of)
{
  cli_schemes l;
  size_t i, n = 0;
  int rc = cli_schemes_load(x, &l);
  if(rc)
    return rc;
  if(scheme)
    return tier_one(x, j, cu, scheme, cli_scheme_unit(&l, scheme), as_of);
  for(i = 0; !rc && i < l.n; i++) {
    if(!l.r[i].n_tiers)
      continue;
    if(n++ && !j)
      putchar('\n');
    rc = tier_one(x, j, cu, l.r[i].name, l.r[i].unit, as_of);
  }
  if(!rc && !n && !j)
    printf("no scheme with tiers is loaded\n");
  return rc;
}

static int run_tier_show(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  static const struct option lo[] = {
    {"scheme", required_argument, NULL, OPT_SCHEME},
    {NULL, 0, NULL, 0},
  };
  cli_parser p;
  const char *arg, *scheme = NULL;
  crm_customer cu;
  cli_json j, *jp = NULL;
  int64_t as_of;
  int opt, rc;

  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg))
    if(opt == OPT_SCHEME)
      scheme = arg;
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 1, 1);
  if(!rc)
    rc = cli_open(x, 0);
  if(!rc)
    rc = cli_resolve(x, argv[p.optind], &cu);
  if(rc)
    return rc;
  as_of = x->as_of ? x->as_of : crm_now(x->c);
  if(x->json) {
    jp = &j;
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_customer_ref(&j, &cu);
    cli_json_time(&j, "as_of", as_of);
    cli_json_begin_array(&j, "tiers");
  }
  else
    printf("customer #%" PRId64 " %s (times UTC)\n", cu.id, cu.external_id);
  rc = tiers_all(x, jp, &cu, scheme, as_of);
  if(jp)
    cli_json_finish(&j);
  return rc ? cli_fail(x, rc) : CLI_OK;
}

const cli_cmd cli_cmds_tier[] = {
  {"tier", "show", "a customer's tier: since, review, grace, what the next "
   "tier needs, history",
   "crm tier show CUSTOMER [--scheme S]",
   "  CUSTOMER           #id, id, external id or e-mail\n"
   "  --scheme S         only this scheme (default: every scheme with\n"
   "                     tiers)\n"
   "  The current tier and its multiplier, since when, the next review and\n"
   "  any downgrade grace; the sums of the rolling window (as of --as-of or\n"
   "  now) and what the next tier asks for (any one criterion is enough);\n"
   "  then the tier changes. Times are UTC.\n",
   run_tier_show},
  {NULL, NULL, NULL, NULL, NULL, NULL},
};
