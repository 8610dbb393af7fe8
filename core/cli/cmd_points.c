/*
 * cmd_points.c - the loyalty engine's accounts and ledger: crm points show
 * and crm points history; and the helpers the other loyalty commands
 * share (schemes and their units, operation keys, due-work stats).
 *
 * The loyalty commands: cmd_points.c (show, history), cmd_points_ops.c
 * (transfer, adjust, process, statement), cmd_rewards.c (redeem,
 * vouchers, catalogue, payouts), cmd_tier.c (tier show); crm points
 * balance (the total over all schemes) is in cmd_misc.c.
 */
#include "cli.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define OPT_SCHEME 256
#define OPT_LIMIT 257
#define OPT_LOTS 258

#define DEFAULT_LOTS 10

/* ---- helpers shared with cmd_rewards.c and cmd_misc.c ------------------- */

void cli_op_key(char *buf, size_t size)
{
  uint64_t v = 0;
  if(getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v)) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    v = ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec) ^
        ((uint64_t)getpid() << 40);
  }
  snprintf(buf, size, "cli:%016" PRIx64, v);
}

static int scheme_row_cb(void *ud, const crm_scheme_info *si)
{
  cli_schemes *l = ud;
  cli_scheme_row *r;
  if(l->n == CLI_SCHEMES_MAX)
    return 0;
  r = &l->r[l->n++];
  snprintf(r->name, sizeof(r->name), "%s", si->name ? si->name : "");
  snprintf(r->unit, sizeof(r->unit), "%s",
           si->unit && *si->unit ? si->unit : "points");
  r->n_tiers = si->n_tiers;
  return 0;
}

int cli_schemes_load(cli *x, cli_schemes *l)
{
  memset(l, 0, sizeof(*l));
  return crm_schemes_foreach(x->c, scheme_row_cb, l);
}

const cli_scheme_row *cli_scheme_find(const cli_schemes *l,
                                      const char *name)
{
  size_t i;
  if(!name)
    return l->n == 1 ? &l->r[0] : NULL;
  for(i = 0; i < l->n; i++)
    if(!strcmp(l->r[i].name, name))
      return &l->r[i];
  return NULL;
}

const char *cli_scheme_unit(const cli_schemes *l, const char *name)
{
  const cli_scheme_row *r = name ? cli_scheme_find(l, name) : NULL;
  return r ? r->unit : "points";
}

void cli_json_customer_ref(cli_json *j, const crm_customer *cu)
{
  cli_json_begin_object(j, "customer");
  cli_json_int(j, "id", cu->id);
  cli_json_str(j, "external_id", cu->external_id);
  cli_json_end(j);
}

static const char *plural(int64_t n, const char *one, const char *many)
{
  return n == 1 ? one : many;
}

void cli_due_stats_print(cli *x, cli_json *j, const crm_due_stats *st)
{
  if(j) {
    cli_json_int(j, "lots_released", st->lots_released);
    cli_json_int(j, "points_released", st->points_released);
    cli_json_int(j, "lots_expired", st->lots_expired);
    cli_json_int(j, "points_expired", st->points_expired);
    cli_json_int(j, "tier_reviews", st->tier_reviews);
    cli_json_int(j, "tier_changes", st->tier_changes);
    return;
  }
  if(x->quiet)
    return;
  printf("  released      %" PRId64 " %s, %" PRId64 " points\n",
         st->lots_released, plural(st->lots_released, "lot", "lots"),
         st->points_released);
  printf("  expired       %" PRId64 " %s, %" PRId64 " points\n",
         st->lots_expired, plural(st->lots_expired, "lot", "lots"),
         st->points_expired);
  printf("  tier reviews  %" PRId64 "\n", st->tier_reviews);
  printf("  tier changes  %" PRId64 "\n", st->tier_changes);
}

/* ---- crm points show ------------------------------------------------------------- */

struct acct_list {
  crm_points_account *a;
  size_t n, cap;
  int oom;
};

static int acct_cb(void *ud, const crm_points_account *a)
{
  struct acct_list *l = ud;
  if(l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 4;
    crm_points_account *n = realloc(l->a, cap * sizeof(*n));
    if(!n) {
      l->oom = 1;
      return 1;
    }
    l->a = n;
    l->cap = cap;
  }
  l->a[l->n++] = *a;
  return 0;
}

/* One walk over the open lots keeps either the available ones (spend
 * order) or the pending ones (release order). */
struct lots_ctx {
  cli_json *j;
  cli_table *t;
  const char *unit; /* the scheme's unit, for the amounts */
  int pending;      /* which lots this walk keeps */
  int64_t limit; /* 0: all */
  int64_t shown, more, more_points;
};

static void lot_json(cli_json *j, const crm_points_lot *l)
{
  cli_json_begin_object(j, NULL);
  cli_json_int(j, "id", l->id);
  cli_json_str(j, "state", l->state);
  cli_json_int(j, "remaining", l->remaining);
  cli_json_int(j, "original", l->original);
  cli_json_time(j, "earned_at", l->earned_at);
  cli_json_time(j, "release_at", l->release_at);
  cli_json_time(j, "expires_at", l->expires_at); /* null: never */
  cli_json_int(j, "event_id", l->event_id);
  cli_json_end(j);
}

static int lot_cb(void *ud, const crm_points_lot *l)
{
  struct lots_ctx *lc = ud;
  char lot[32], rem[64], earned[32], expires[32], released[32];
  const char *row[5];
  int pending = l->state && !strcmp(l->state, "pending");
  if(pending != lc->pending || (l->state && !strcmp(l->state, "closed")))
    return 0;
  if(lc->limit && lc->shown >= lc->limit) {
    lc->more++;
    lc->more_points += l->remaining;
    return 0;
  }
  lc->shown++;
  if(lc->j) {
    lot_json(lc->j, l);
    return 0;
  }
  snprintf(lot, sizeof(lot), "#%" PRId64, l->id);
  cli_amount(rem, sizeof(rem), l->remaining, lc->unit, CLI_AMOUNT_BARE);
  cli_fmt_time(l->earned_at, earned, sizeof(earned));
  if(l->expires_at)
    cli_fmt_time(l->expires_at, expires, sizeof(expires));
  else
    snprintf(expires, sizeof(expires), "never");
  cli_fmt_time(l->release_at, released, sizeof(released));
  row[0] = pending ? released : expires;
  row[1] = rem;
  row[2] = earned;
  row[3] = pending ? expires : lot;
  row[4] = lot;
  cli_table_add(lc->t, row);
  return 0;
}

static int lots_walk(cli *x, const crm_points_account *a,
                     struct lots_ctx *lc)
{
  return crm_points_lots_foreach(x->c, a->customer_id, a->scheme, 0, lot_cb,
                                 lc);
}

static int lots_text(cli *x, const crm_points_account *a, int pending,
                     int64_t limit)
{
  /* the amount column is named after the unit: POINTS, MILES, EUR */
  const char *head_avail[] = {"EXPIRES", NULL, "EARNED", "LOT", NULL};
  const char *head_pend[] = {"RELEASES", NULL, "EARNED", "EXPIRES", "LOT",
                             NULL};
  char unit[sizeof(a->unit)], more[64];
  struct lots_ctx lc;
  cli_table t;
  size_t i;
  int rc;
  for(i = 0; a->unit[i] && i + 1 < sizeof(unit); i++)
    unit[i] = (char)toupper((unsigned char)a->unit[i]);
  unit[i] = '\0';
  head_avail[1] = head_pend[1] = unit[0] ? unit : "POINTS";
  memset(&lc, 0, sizeof(lc));
  lc.unit = a->unit;
  lc.pending = pending;
  lc.limit = limit;
  cli_table_init(&t, pending ? head_pend : head_avail);
  cli_table_align_right(&t, 1);
  lc.t = &t;
  rc = lots_walk(x, a, &lc);
  if(!rc && lc.shown) {
    printf("  %s\n", pending ? "pending (available from RELEASES):"
                             : "available lots, next to expire first (the "
                               "order spends draw them):");
    cli_table_print(&t, stdout, 4);
  }
  if(!rc && lc.more) {
    cli_amount(more, sizeof(more), lc.more_points, a->unit, 0);
    printf("    ... and %" PRId64 " more %s (%s)\n", lc.more,
           plural(lc.more, "lot", "lots"), more);
  }
  cli_table_free(&t);
  return rc;
}

static void account_text_head(const crm_points_account *a)
{
  char t1[32], t2[32], v1[64], v2[64];
  cli_amount(v1, sizeof(v1), a->balance, a->unit, 0);
  cli_amount(v2, sizeof(v2), a->pending, a->unit, CLI_AMOUNT_BARE);
  printf("%s: %s available, %s pending\n", a->scheme, v1, v2);
  cli_amount(v1, sizeof(v1), a->lifetime_earned, a->unit, 0);
  printf("  lifetime earned  %s\n", v1);
  if(a->tier[0]) {
    cli_fmt_time(a->tier_since, t1, sizeof(t1));
    printf("  tier             %s since %s", a->tier, t1);
    if(a->tier_review_at) {
      cli_fmt_time(a->tier_review_at, t2, sizeof(t2));
      printf(", review %s", t2);
    }
    if(a->tier_grace_until) {
      cli_fmt_time(a->tier_grace_until, t2, sizeof(t2));
      printf(", downgrade grace until %s", t2);
    }
    putchar('\n');
  }
  if(a->shortfall) {
    cli_amount(v1, sizeof(v1), a->shortfall, a->unit, 0);
    printf("  shortfall        %s refunded but not yet taken back "
           "(recovered from later earnings)\n", v1);
  }
  if(a->overdraft) {
    cli_amount(v1, sizeof(v1), a->overdraft, a->unit, 0);
    printf("  overdraft        %s below zero\n", v1);
  }
}

static int account_text(cli *x, const crm_points_account *a, int64_t limit)
{
  int rc;
  account_text_head(a);
  rc = lots_text(x, a, 0, limit);
  if(!rc)
    rc = lots_text(x, a, 1, limit);
  return rc;
}

static int lots_json(cli *x, cli_json *j, const crm_points_account *a,
                     int pending, int64_t limit)
{
  struct lots_ctx lc;
  int rc;
  memset(&lc, 0, sizeof(lc));
  lc.j = j;
  lc.pending = pending;
  lc.limit = limit;
  cli_json_begin_array(j, pending ? "pending_lots" : "lots");
  rc = lots_walk(x, a, &lc);
  cli_json_end(j);
  cli_json_int(j, pending ? "pending_lots_more" : "lots_more", lc.more);
  cli_json_int(j, pending ? "pending_lots_more_points" : "lots_more_points",
               lc.more_points);
  return rc;
}

static int account_json(cli *x, cli_json *j, const crm_points_account *a,
                        int64_t limit)
{
  int rc;
  cli_json_begin_object(j, NULL);
  cli_json_str(j, "scheme", a->scheme);
  cli_json_str(j, "unit", a->unit);
  cli_json_int(j, "balance", a->balance);
  cli_json_int(j, "pending", a->pending);
  cli_json_int(j, "shortfall", a->shortfall);
  cli_json_int(j, "overdraft", a->overdraft);
  cli_json_int(j, "lifetime_earned", a->lifetime_earned);
  cli_json_str(j, "tier", a->tier[0] ? a->tier : NULL);
  cli_json_time(j, "tier_since", a->tier[0] ? a->tier_since : 0);
  cli_json_time(j, "tier_review_at", a->tier_review_at);
  cli_json_time(j, "tier_grace_until", a->tier_grace_until);
  cli_json_time(j, "opened_at", a->opened_at);
  rc = lots_json(x, j, a, 0, limit);
  if(!rc)
    rc = lots_json(x, j, a, 1, limit);
  cli_json_end(j);
  return rc;
}

/* The accounts to show: one scheme's (none yet when the scheme is known
 * but the customer has not used it) or all of them. CRM code; an unknown
 * scheme's message is printed here (*printed = 1). */
static int accounts_collect(cli *x, int64_t customer_id, const char *scheme,
                            struct acct_list *l, int *printed)
{
  crm_points_account a;
  cli_schemes schemes;
  char msg[512];
  int rc;
  if(!scheme) {
    rc = crm_points_accounts_foreach(x->c, customer_id, acct_cb, l);
    return l->oom ? CRM_ENOMEM : rc;
  }
  rc = crm_points_account_get(x->c, customer_id, scheme, &a);
  if(!rc)
    return acct_cb(l, &a) ? CRM_ENOMEM : CRM_OK;
  if(rc != CRM_ENOTFOUND)
    return rc;
  snprintf(msg, sizeof(msg), "%s", crm_errmsg(x->c));
  rc = cli_schemes_load(x, &schemes);
  if(rc)
    return rc;
  if(cli_scheme_find(&schemes, scheme))
    return CRM_OK; /* a known scheme, no account yet */
  *printed = 1;
  fflush(stdout);
  fprintf(stderr, "crm: %s\n", msg[0] ? msg : crm_strerror(CRM_ENOTFOUND));
  return CRM_ENOTFOUND;
}

static int run_points_show(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  static const struct option lo[] = {
    {"scheme", required_argument, NULL, OPT_SCHEME},
    {"lots", required_argument, NULL, OPT_LOTS},
    {NULL, 0, NULL, 0},
  };
  cli_parser p;
  const char *arg, *scheme = NULL;
  crm_customer cu;
  struct acct_list l;
  cli_json j;
  int64_t limit = -1;
  size_t i;
  int opt, rc, printed = 0;

  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg)) {
    if(opt == OPT_SCHEME)
      scheme = arg;
    else if(opt == OPT_LOTS) {
      rc = cli_parse_count("--lots", arg, &limit);
      if(rc)
        return rc;
    }
  }
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 1, 1);
  if(!rc)
    rc = cli_open(x, 0);
  if(!rc)
    rc = cli_resolve(x, argv[p.optind], &cu);
  if(rc)
    return rc;
  if(limit < 0)
    limit = x->json ? 0 : DEFAULT_LOTS;
  memset(&l, 0, sizeof(l));
  rc = accounts_collect(x, cu.id, scheme, &l, &printed);
  if(rc) {
    free(l.a);
    return printed ? cli_exit_code(rc) : cli_fail(x, rc);
  }
  if(x->json) {
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_customer_ref(&j, &cu);
    cli_json_begin_array(&j, "accounts");
    for(i = 0; !rc && i < l.n; i++)
      rc = account_json(x, &j, &l.a[i], limit);
    cli_json_finish(&j);
  }
  else {
    printf("customer #%" PRId64 " %s%s%s (times UTC)\n", cu.id,
           cu.external_id, cu.name[0] ? " " : "", cu.name);
    if(!l.n)
      printf("no points account%s%s yet\n", scheme ? " in " : "",
             scheme ? scheme : "");
    for(i = 0; !rc && i < l.n; i++)
      rc = account_text(x, &l.a[i], limit);
  }
  free(l.a);
  return rc ? cli_fail(x, rc) : CLI_OK;
}

/* ---- crm points history ------------------------------------------------------------ */

struct hist_ctx {
  cli_json *j;
  cli_table *t;
  const cli_schemes *schemes;
  int64_t skip, seen, shown;
};

static int count_cb(void *ud, const crm_ledger_entry *e)
{
  (void)e;
  ((struct hist_ctx *)ud)->seen++;
  return 0;
}

static void entry_json(cli_json *j, const crm_ledger_entry *e,
                       const char *unit)
{
  cli_json_begin_object(j, NULL);
  cli_json_int(j, "id", e->id);
  cli_json_time(j, "at", e->at);
  cli_json_str(j, "kind", e->kind);
  cli_json_int(j, "points", e->points);
  cli_json_int(j, "pending", e->pending);
  cli_json_str(j, "scheme", e->component);
  cli_json_str(j, "unit", unit);
  cli_json_int(j, "event_id", e->event_id);
  cli_json_int(j, "lot_id", e->lot_id);
  cli_json_int(j, "ref_event_id", e->ref_event_id);
  cli_json_int(j, "ref_entry_id", e->ref_entry_id);
  cli_json_str(j, "note", e->note && *e->note ? e->note : NULL);
  cli_json_str(j, "reason", e->reason && *e->reason ? e->reason : NULL);
  cli_json_time(j, "recorded_at", e->recorded_at);
  cli_json_end(j);
}

/* NOTE column: the note, the adjust reason and what a reverse refers to. */
static void entry_note(const crm_ledger_entry *e, char *buf, size_t size)
{
  size_t n = 0;
  buf[0] = '\0';
  if(e->note && *e->note)
    n += (size_t)snprintf(buf, size, "%s", e->note);
  if(n < size && e->reason && *e->reason)
    n += (size_t)snprintf(buf + n, size - n, "%sreason: %s", n ? "; " : "",
                          e->reason);
  if(n < size && e->ref_event_id)
    n += (size_t)snprintf(buf + n, size - n, "%sfor event #%" PRId64,
                          n ? "; " : "", e->ref_event_id);
  if(n < size && e->ref_entry_id)
    snprintf(buf + n, size - n, "%sundoes entry %" PRId64, n ? "; " : "",
             e->ref_entry_id);
}

static int hist_cb(void *ud, const crm_ledger_entry *e)
{
  struct hist_ctx *hc = ud;
  char at[32], pts[64], pend[64], ev[32], note[512];
  const char *row[8];
  const char *unit = cli_scheme_unit(hc->schemes, e->component);
  if(hc->seen++ < hc->skip)
    return 0;
  hc->shown++;
  if(hc->j) {
    entry_json(hc->j, e, unit);
    return 0;
  }
  cli_fmt_time(e->at, at, sizeof(at));
  cli_amount(pts, sizeof(pts), e->points, unit,
             CLI_AMOUNT_SIGN | CLI_AMOUNT_BARE);
  cli_amount(pend, sizeof(pend), e->pending, unit,
             CLI_AMOUNT_SIGN | CLI_AMOUNT_BARE);
  if(e->event_id)
    snprintf(ev, sizeof(ev), "#%" PRId64, e->event_id);
  else
    snprintf(ev, sizeof(ev), "-");
  entry_note(e, note, sizeof(note));
  row[0] = at;
  row[1] = e->kind;
  row[2] = e->points ? pts : "0";
  row[3] = e->pending ? pend : "0";
  row[4] = unit;
  row[5] = e->component ? e->component : "-";
  row[6] = ev;
  row[7] = note;
  cli_table_add(hc->t, row);
  return 0;
}

static int run_points_history(cli *x, const cli_cmd *cmd, int argc,
                              char **argv)
{
  static const struct option lo[] = {
    {"scheme", required_argument, NULL, OPT_SCHEME},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {NULL, 0, NULL, 0},
  };
  static const char *const head[] = {"AT", "KIND", "POINTS", "PENDING",
                                     "UNIT", "SCHEME", "EVENT", "NOTE",
                                     NULL};
  cli_parser p;
  const char *arg, *scheme = NULL;
  crm_customer cu;
  cli_schemes schemes;
  struct hist_ctx hc;
  cli_json j;
  cli_table t;
  int64_t limit = 0, total;
  int opt, rc;

  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg)) {
    if(opt == OPT_SCHEME)
      scheme = arg;
    else if(opt == OPT_LIMIT) {
      rc = cli_parse_count("--limit", arg, &limit);
      if(rc)
        return rc;
    }
  }
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 1, 1);
  if(!rc)
    rc = cli_open(x, 0);
  if(!rc)
    rc = cli_resolve(x, argv[p.optind], &cu);
  if(rc)
    return rc;
  rc = cli_schemes_load(x, &schemes);
  if(!rc && scheme && !cli_scheme_find(&schemes, scheme))
    return cli_usage_error("no reward scheme \"%s\" is loaded", scheme);
  memset(&hc, 0, sizeof(hc));
  hc.schemes = &schemes;
  /* --limit N: the newest N entries, still oldest first */
  if(!rc && limit)
    rc = crm_ledger_foreach_scheme(x->c, cu.id, scheme, count_cb, &hc);
  if(rc)
    return cli_fail(x, rc);
  total = hc.seen;
  hc.skip = limit && total > limit ? total - limit : 0;
  hc.seen = 0;
  if(x->json) {
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_customer_ref(&j, &cu);
    cli_json_str(&j, "scheme", scheme);
    cli_json_begin_array(&j, "entries");
    hc.j = &j;
  }
  else {
    cli_table_init(&t, head);
    cli_table_align_right(&t, 2);
    cli_table_align_right(&t, 3);
    hc.t = &t;
  }
  rc = crm_ledger_foreach_scheme(x->c, cu.id, scheme, hist_cb, &hc);
  if(x->json) {
    cli_json_end(&j);
    cli_json_int(&j, "count", hc.shown);
    cli_json_int(&j, "total", hc.seen);
    cli_json_finish(&j);
    return rc ? cli_fail(x, rc) : CLI_OK;
  }
  if(!rc && hc.shown) {
    printf("ledger of %s%s%s (times UTC)%s\n", cu.external_id,
           scheme ? " in " : "", scheme ? scheme : "",
           hc.skip ? ", newest entries" : "");
    cli_table_print(&t, stdout, 0);
  }
  else if(!rc)
    printf("no ledger entries\n");
  if(!rc && hc.skip)
    printf("(%" PRId64 " of %" PRId64 " entries; --limit 0 for all)\n",
           hc.shown, hc.seen);
  cli_table_free(&t);
  return rc ? cli_fail(x, rc) : CLI_OK;
}

const cli_cmd cli_cmds_points[] = {
  {"points", "show", "a customer's points accounts: balance, pending, "
   "tier, lots by expiry",
   "crm points show CUSTOMER [--scheme S] [--lots N]",
   "  CUSTOMER           #id, id, external id or e-mail\n"
   "  --scheme S         only this scheme (default: every account of the\n"
   "                     customer)\n"
   "  --lots N           lots listed per account and state (default 10 in\n"
   "                     text, all with --json; 0 = all)\n"
   "  Per account: available balance, pending, shortfall and overdraft if\n"
   "  any, lifetime earned, tier; the available lots in the order spends\n"
   "  draw them (soonest expiry first) with their expiry; the pending lots\n"
   "  with their release dates. Times are UTC.\n",
   run_points_show},
  {"points", "history", "a customer's ledger entries",
   "crm points history CUSTOMER [--scheme S] [--limit N]",
   "  CUSTOMER           #id, id, external id or e-mail\n"
   "  --scheme S         only this scheme (default: all)\n"
   "  --limit N          only the newest N entries (default 0: all)\n"
   "  Oldest first: time (UTC), kind, change of the available and of the\n"
   "  pending balance, unit, scheme, event, note or reason.\n",
   run_points_history},
  {NULL, NULL, NULL, NULL, NULL, NULL},
};
