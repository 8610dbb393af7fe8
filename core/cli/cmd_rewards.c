/*
 * cmd_rewards.c - what points buy: crm points redeem, crm
 * voucher show / use / void / list, crm rewards list, crm payouts list.
 *
 * A voucher's value is in minor units of money; it is shown in the
 * customer's currency when the customer has one. Operations without
 * --key get a key "cli:<16 hex digits>", printed for a safe retry.
 */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define OPT_SCHEME 256
#define OPT_KEY 257

/* ---- vouchers ---------------------------------------------------------------------- */

static void voucher_json(cli_json *j, const crm_voucher *v, const char *unit)
{
  cli_json_str(j, "code", v->code);
  cli_json_int(j, "customer_id", v->customer_id);
  cli_json_str(j, "scheme", v->scheme);
  cli_json_str(j, "unit", unit);
  cli_json_str(j, "item", v->item);
  cli_json_str(j, "type", v->type);
  cli_json_int(j, "cost", v->cost);
  cli_json_int(j, "value", v->value);
  cli_json_str(j, "state", v->state);
  cli_json_time(j, "issued_at", v->issued_at);
  cli_json_time(j, "valid_until", v->valid_until); /* null: no end */
  cli_json_time(j, "used_at", v->used_at);
  cli_json_time(j, "voided_at", v->voided_at);
  cli_json_int(j, "event_id", v->event_id);
}

static void voucher_text(const crm_voucher *v, const crm_customer *cu,
                         const char *unit)
{
  char t[32], money[64], cost[64];
  printf("voucher %s  %s\n", v->code, v->state);
  printf("  customer    #%" PRId64 " %s\n", v->customer_id,
         cu ? cu->external_id : "");
  printf("  item        %s (%s) in %s\n", v->item, v->type, v->scheme);
  cli_amount(cost, sizeof(cost), v->cost, unit, 0);
  printf("  cost        %s\n", cost);
  cli_fmt_money(v->value, cu ? cu->currency : NULL, money, sizeof(money));
  printf("  value       %s\n", money);
  cli_fmt_time(v->issued_at, t, sizeof(t));
  printf("  issued      %s\n", t);
  if(v->valid_until)
    cli_fmt_time(v->valid_until, t, sizeof(t));
  else
    snprintf(t, sizeof(t), "no end");
  printf("  valid until %s\n", t);
  if(v->used_at) {
    cli_fmt_time(v->used_at, t, sizeof(t));
    printf("  used        %s\n", t);
  }
  if(v->voided_at) {
    cli_fmt_time(v->voided_at, t, sizeof(t));
    printf("  voided      %s\n", t);
  }
  if(v->event_id)
    printf("  event       #%" PRId64 "\n", v->event_id);
}

/* Prints a voucher after redeem / show / use / void. key NULL: no key. */
static int voucher_print(cli *x, const crm_voucher *v, const char *what,
                         const char *key, int key_made)
{
  cli_schemes schemes;
  crm_customer cu;
  const char *unit;
  int have_cu, rc = cli_schemes_load(x, &schemes);
  if(rc)
    return cli_fail(x, rc);
  unit = cli_scheme_unit(&schemes, v->scheme);
  have_cu = !crm_customer_get(x->c, v->customer_id, &cu);
  if(x->json) {
    cli_json j;
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    voucher_json(&j, v, unit);
    cli_json_str(&j, "external_id", have_cu ? cu.external_id : NULL);
    cli_json_str(&j, "currency",
                 have_cu && cu.currency[0] ? cu.currency : NULL);
    if(key) {
      cli_json_str(&j, "key", key);
      cli_json_bool(&j, "key_generated", key_made);
    }
    cli_json_finish(&j);
    return CLI_OK;
  }
  if(x->quiet)
    return CLI_OK;
  if(what)
    printf("%s (times UTC)\n", what);
  voucher_text(v, have_cu ? &cu : NULL, unit);
  if(key && key_made)
    printf("  key         %s (generated; to retry safely, repeat with --key "
           "%s)\n", key, key);
  else if(key)
    printf("  key         %s\n", key);
  return CLI_OK;
}

/* --scheme and --key for redeem / use / void; -1 to go on, else an exit
 * code. */
struct op_opts {
  const char *scheme, *key;
  char keybuf[48];
  int key_made;
};

static int op_opts_parse(cli *x, cli_parser *p, const cli_cmd *cmd,
                         int argc, char **argv, struct op_opts *o,
                         int with_scheme, int n)
{
  static const struct option lo[] = {
    {"key", required_argument, NULL, OPT_KEY},
    {"scheme", required_argument, NULL, OPT_SCHEME},
    {NULL, 0, NULL, 0},
  };
  static const struct option lo_key[] = {
    {"key", required_argument, NULL, OPT_KEY},
    {NULL, 0, NULL, 0},
  };
  const char *arg;
  int opt, rc;
  memset(o, 0, sizeof(*o));
  cli_parser_init(p, cmd, argc, argv, with_scheme ? lo : lo_key);
  for(opt = cli_parser_next(x, p, &arg); opt >= 0;
      opt = cli_parser_next(x, p, &arg)) {
    if(opt == OPT_SCHEME)
      o->scheme = arg;
    else if(opt == OPT_KEY)
      o->key = arg;
  }
  if(opt == CLI_PARSE_EXIT)
    return p->rc;
  rc = cli_operands(p, n, n);
  if(rc)
    return rc;
  if(!o->key) {
    cli_op_key(o->keybuf, sizeof(o->keybuf));
    o->key = o->keybuf;
    o->key_made = 1;
  }
  return -1;
}

static void op_from(crm_points_op *op, const struct op_opts *o)
{
  memset(op, 0, sizeof(*op));
  op->scheme = o->scheme;
  op->idempotency_key = o->key;
  op->actor = "cli";
}

static int run_points_redeem(cli *x, const cli_cmd *cmd, int argc,
                             char **argv)
{
  cli_parser p;
  struct op_opts o;
  crm_points_op op;
  crm_customer cu;
  crm_voucher v;
  char what[160];
  int rc = op_opts_parse(x, &p, cmd, argc, argv, &o, 1, 2);
  if(rc >= 0)
    return rc;
  rc = cli_open(x, 0);
  if(!rc)
    rc = cli_resolve(x, argv[p.optind], &cu);
  if(rc)
    return rc;
  op_from(&op, &o);
  memset(&v, 0, sizeof(v));
  rc = crm_points_redeem(x->c, cu.id, argv[p.optind + 1], &op, &v);
  if(rc)
    return cli_fail(x, rc);
  snprintf(what, sizeof(what), "redeemed %s for %s: voucher %s", v.item,
           cu.external_id, v.code);
  return voucher_print(x, &v, what, o.key, o.key_made);
}

static int run_voucher_show(cli *x, const cli_cmd *cmd, int argc,
                            char **argv)
{
  cli_parser p;
  const char *arg;
  crm_voucher v;
  int rc;
  cli_parser_init(&p, cmd, argc, argv, NULL);
  if(cli_parser_next(x, &p, &arg) != CLI_PARSE_END)
    return p.rc;
  rc = cli_operands(&p, 1, 1);
  if(!rc)
    rc = cli_open(x, 0);
  if(rc)
    return rc;
  rc = crm_voucher_get(x->c, argv[p.optind], &v);
  if(rc)
    return cli_fail(x, rc);
  return voucher_print(x, &v, NULL, NULL, 0);
}

/* voucher use / void: the same shape, another call. */
static int voucher_op(cli *x, const cli_cmd *cmd, int argc, char **argv,
                      int is_void)
{
  cli_parser p;
  struct op_opts o;
  crm_points_op op;
  crm_voucher v;
  const char *code;
  char what[160];
  int rc = op_opts_parse(x, &p, cmd, argc, argv, &o, 0, 1);
  if(rc >= 0)
    return rc;
  rc = cli_open(x, 0);
  if(rc)
    return rc;
  code = argv[p.optind];
  op_from(&op, &o);
  rc = is_void ? crm_voucher_void(x->c, code, &op)
               : crm_voucher_use(x->c, code, &op);
  if(!rc)
    rc = crm_voucher_get(x->c, code, &v);
  if(rc)
    return cli_fail(x, rc);
  if(is_void)
    snprintf(what, sizeof(what), "voucher %s voided: its cost is back in "
             "the customer's account", v.code);
  else
    snprintf(what, sizeof(what), "voucher %s used", v.code);
  return voucher_print(x, &v, what, o.key, o.key_made);
}

static int run_voucher_use(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  return voucher_op(x, cmd, argc, argv, 0);
}

static int run_voucher_void(cli *x, const cli_cmd *cmd, int argc,
                            char **argv)
{
  return voucher_op(x, cmd, argc, argv, 1);
}

/* ---- per-customer lists: vouchers, payouts ----------------------------------------- */

struct list_ctx {
  cli_json *j;
  cli_table *t;
  const cli_schemes *schemes;
  const char *currency;
  int64_t n;
};

static int voucher_row_cb(void *ud, const crm_voucher *v)
{
  struct list_ctx *lc = ud;
  char cost[64], value[64], issued[32], until[32], used[32];
  const char *row[9];
  const char *unit = cli_scheme_unit(lc->schemes, v->scheme);
  lc->n++;
  if(lc->j) {
    cli_json_begin_object(lc->j, NULL);
    voucher_json(lc->j, v, unit);
    cli_json_end(lc->j);
    return 0;
  }
  cli_amount(cost, sizeof(cost), v->cost, unit, 0);
  cli_fmt_money(v->value, lc->currency, value, sizeof(value));
  cli_fmt_time(v->issued_at, issued, sizeof(issued));
  if(v->valid_until)
    cli_fmt_time(v->valid_until, until, sizeof(until));
  else
    snprintf(until, sizeof(until), "no end");
  cli_fmt_time(v->used_at ? v->used_at : v->voided_at, used, sizeof(used));
  row[0] = v->code;
  row[1] = v->item;
  row[2] = v->type;
  row[3] = v->state;
  row[4] = cost;
  row[5] = value;
  row[6] = issued;
  row[7] = until;
  row[8] = used;
  cli_table_add(lc->t, row);
  return 0;
}

static int payout_row_cb(void *ud, const crm_payout *po)
{
  struct list_ctx *lc = ud;
  char id[32], at[32], amount[64], ev[32];
  const char *row[6];
  const char *unit = cli_scheme_unit(lc->schemes, po->scheme);
  lc->n++;
  if(lc->j) {
    cli_json_begin_object(lc->j, NULL);
    cli_json_int(lc->j, "id", po->id);
    cli_json_str(lc->j, "scheme", po->scheme);
    cli_json_str(lc->j, "unit", unit);
    cli_json_int(lc->j, "amount", po->amount);
    cli_json_time(lc->j, "at", po->at);
    cli_json_int(lc->j, "event_id", po->event_id);
    cli_json_int(lc->j, "entry_id", po->entry_id);
    cli_json_str(lc->j, "note", po->note && *po->note ? po->note : NULL);
    cli_json_end(lc->j);
    return 0;
  }
  snprintf(id, sizeof(id), "%" PRId64, po->id);
  cli_fmt_time(po->at, at, sizeof(at));
  cli_amount(amount, sizeof(amount), po->amount, unit, 0);
  snprintf(ev, sizeof(ev), "#%" PRId64, po->event_id);
  row[0] = id;
  row[1] = at;
  row[2] = po->scheme ? po->scheme : "-";
  row[3] = amount;
  row[4] = ev;
  row[5] = po->note ? po->note : "";
  cli_table_add(lc->t, row);
  return 0;
}

/* One list of a customer: vouchers (payouts 0) or payouts (1). */
static int customer_list(cli *x, const cli_cmd *cmd, int argc, char **argv,
                         int payouts)
{
  static const char *const vhead[] = {"CODE", "ITEM", "TYPE", "STATE",
                                      "COST", "VALUE", "ISSUED",
                                      "VALID_UNTIL", "USED/VOIDED", NULL};
  static const char *const phead[] = {"ID", "AT", "SCHEME", "AMOUNT",
                                      "EVENT", "NOTE", NULL};
  cli_parser p;
  const char *arg;
  crm_customer cu;
  cli_schemes schemes;
  struct list_ctx lc;
  cli_json j;
  cli_table t;
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
  rc = cli_schemes_load(x, &schemes);
  if(rc)
    return cli_fail(x, rc);
  memset(&lc, 0, sizeof(lc));
  lc.schemes = &schemes;
  lc.currency = cu.currency;
  if(x->json) {
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_customer_ref(&j, &cu);
    cli_json_begin_array(&j, payouts ? "payouts" : "vouchers");
    lc.j = &j;
    rc = payouts ? crm_payouts_foreach(x->c, cu.id, payout_row_cb, &lc)
                 : crm_vouchers_foreach(x->c, cu.id, voucher_row_cb, &lc);
    cli_json_end(&j);
    cli_json_int(&j, "count", lc.n);
    cli_json_finish(&j);
    return rc ? cli_fail(x, rc) : CLI_OK;
  }
  cli_table_init(&t, payouts ? phead : vhead);
  cli_table_align_right(&t, payouts ? 3 : 4);
  if(!payouts)
    cli_table_align_right(&t, 5);
  lc.t = &t;
  rc = payouts ? crm_payouts_foreach(x->c, cu.id, payout_row_cb, &lc)
               : crm_vouchers_foreach(x->c, cu.id, voucher_row_cb, &lc);
  if(!rc && lc.n) {
    printf("%s of %s (times UTC)\n", payouts ? "payouts" : "vouchers",
           cu.external_id);
    cli_table_print(&t, stdout, 0);
  }
  else if(!rc)
    printf("no %s\n", payouts ? "payouts" : "vouchers");
  cli_table_free(&t);
  return rc ? cli_fail(x, rc) : CLI_OK;
}

static int run_voucher_list(cli *x, const cli_cmd *cmd, int argc,
                            char **argv)
{
  return customer_list(x, cmd, argc, argv, 0);
}

static int run_payouts_list(cli *x, const cli_cmd *cmd, int argc,
                            char **argv)
{
  return customer_list(x, cmd, argc, argv, 1);
}

/* ---- crm rewards list ---------------------------------------------------------------- */

#define LIST_SCHEMES_MAX 32

struct scheme_copy {
  char name[65], plugin[65], unit[33], expiry[128], enroll[160];
  int pending_days, allow_negative, flags;
  size_t n_tiers;
  int64_t limit_day, limit_month, min_spend;
};

struct scheme_copies {
  struct scheme_copy s[LIST_SCHEMES_MAX];
  size_t n;
  const char *only; /* --scheme */
};

static int scheme_copy_cb(void *ud, const crm_scheme_info *si)
{
  struct scheme_copies *l = ud;
  struct scheme_copy *c;
  if(l->n == LIST_SCHEMES_MAX || (l->only && strcmp(l->only, si->name)))
    return 0;
  c = &l->s[l->n++];
  snprintf(c->name, sizeof(c->name), "%s", si->name);
  snprintf(c->plugin, sizeof(c->plugin), "%s", si->plugin ? si->plugin : "");
  snprintf(c->unit, sizeof(c->unit), "%s",
           si->unit && *si->unit ? si->unit : "points");
  snprintf(c->expiry, sizeof(c->expiry), "%s", si->expiry ? si->expiry : "");
  snprintf(c->enroll, sizeof(c->enroll), "%s", si->enroll ? si->enroll : "");
  c->pending_days = si->pending_days;
  c->allow_negative = si->allow_negative;
  c->flags = si->flags;
  c->n_tiers = si->n_tiers;
  c->limit_day = si->limit_day;
  c->limit_month = si->limit_month;
  c->min_spend = si->min_spend;
  return 0;
}

static void scheme_json(cli_json *j, const struct scheme_copy *c)
{
  cli_json_str(j, "name", c->name);
  cli_json_str(j, "plugin", c->plugin);
  cli_json_str(j, "unit", c->unit);
  cli_json_int(j, "pending_days", c->pending_days);
  cli_json_str(j, "expiry", c->expiry);
  cli_json_bool(j, "allow_negative", c->allow_negative);
  cli_json_str(j, "enroll", c->enroll);
  cli_json_int(j, "tiers", (int64_t)c->n_tiers);
  cli_json_int(j, "limit_day", c->limit_day);
  cli_json_int(j, "limit_month", c->limit_month);
  cli_json_int(j, "min_spend", c->min_spend);
  cli_json_bool(j, "core_refunds", (c->flags & CRM_REWARD_CORE_REFUNDS) != 0);
}

static const char *cap_text(int64_t v, const char *unit, char *buf,
                            size_t size)
{
  if(!v)
    return "none";
  cli_amount(buf, size, v, unit, 0);
  return buf;
}

static void scheme_text(const struct scheme_copy *c)
{
  char d[64], m[64], s[64];
  printf("%s (plugin %s): unit %s\n", c->name, c->plugin, c->unit);
  if(c->pending_days)
    printf("  pending      %d days before earned %s can be spent\n",
           c->pending_days, c->unit);
  else
    printf("  pending      none: earned %s are available at once\n",
           c->unit);
  printf("  expiry       %s\n", c->expiry[0] ? c->expiry : "never");
  printf("  members      %s\n", c->enroll[0] ? c->enroll : "all");
  printf("  caps         per day: %s; per month: %s; minimum spend: %s\n",
         cap_text(c->limit_day, c->unit, d, sizeof(d)),
         cap_text(c->limit_month, c->unit, m, sizeof(m)),
         cap_text(c->min_spend, "(minor units)", s, sizeof(s)));
  printf("  negative     %s\n", c->allow_negative ? "allowed (overdraft)"
                                                   : "not allowed");
  printf("  tiers        %zu\n", c->n_tiers);
}

struct item_ctx {
  cli_json *j;
  cli_table *t;
  const char *unit;
  int64_t n;
};

static void item_validity(const crm_reward_item *it, char *buf, size_t size)
{
  char a[32], b[32];
  if(!it->valid_from && !it->valid_until) {
    snprintf(buf, size, "always");
    return;
  }
  cli_fmt_date(it->valid_from, a, sizeof(a));
  cli_fmt_date(it->valid_until, b, sizeof(b));
  snprintf(buf, size, "%s .. %s", it->valid_from ? a : "",
           it->valid_until ? b : "");
}

/* An item's value is money in minor units: of the scheme's currency when
 * its unit is one ("5.00 EUR"), else of no named currency ("500"). */
static void item_value(int64_t v, const char *unit, char *buf, size_t size)
{
  cli_amount(buf, size, v, cli_unit_is_currency(unit) ? unit : NULL, 0);
}

static int item_cb(void *ud, const crm_reward_item *it)
{
  struct item_ctx *ic = ud;
  char cost[64], value[64], stock[32], issued[32], left[32], valid[80];
  char days[32];
  const char *row[10];
  ic->n++;
  if(ic->j) {
    cli_json_begin_object(ic->j, NULL);
    cli_json_str(ic->j, "code", it->code);
    cli_json_str(ic->j, "name", it->name);
    cli_json_str(ic->j, "type", it->type);
    cli_json_int(ic->j, "cost", it->cost);
    cli_json_int(ic->j, "value", it->value);
    cli_json_int(ic->j, "stock", it->stock); /* -1: unlimited */
    cli_json_int(ic->j, "issued", it->issued);
    if(it->stock < 0)
      cli_json_null(ic->j, "left");
    else
      cli_json_int(ic->j, "left", it->stock > it->issued
                                      ? it->stock - it->issued : 0);
    cli_json_time(ic->j, "valid_from", it->valid_from);
    cli_json_time(ic->j, "valid_until", it->valid_until);
    cli_json_int(ic->j, "voucher_days", it->voucher_days);
    cli_json_bool(ic->j, "auto_redeem", it->auto_redeem);
    cli_json_end(ic->j);
    return 0;
  }
  cli_amount(cost, sizeof(cost), it->cost, ic->unit, 0);
  item_value(it->value, ic->unit, value, sizeof(value));
  if(it->stock < 0) {
    snprintf(stock, sizeof(stock), "unlimited");
    snprintf(left, sizeof(left), "-");
  }
  else {
    snprintf(stock, sizeof(stock), "%" PRId64, it->stock);
    snprintf(left, sizeof(left), "%" PRId64,
             it->stock > it->issued ? it->stock - it->issued : 0);
  }
  snprintf(issued, sizeof(issued), "%" PRId64, it->issued);
  item_validity(it, valid, sizeof(valid));
  if(it->voucher_days)
    snprintf(days, sizeof(days), "%d days%s", it->voucher_days,
             it->auto_redeem ? ", auto" : "");
  else
    snprintf(days, sizeof(days), "no end%s", it->auto_redeem ? ", auto" : "");
  row[0] = it->code;
  row[1] = it->type;
  row[2] = cost;
  row[3] = value;
  row[4] = stock;
  row[5] = issued;
  row[6] = left;
  row[7] = valid;
  row[8] = days;
  row[9] = it->name ? it->name : "";
  cli_table_add(ic->t, row);
  return 0;
}

static int catalogue(cli *x, cli_json *j, const struct scheme_copy *c)
{
  static const char *const head[] = {"CODE", "TYPE", "COST", "VALUE",
                                     "STOCK", "ISSUED", "LEFT", "VALID",
                                     "VOUCHER_LIFE", "NAME", NULL};
  struct item_ctx ic;
  cli_table t;
  size_t i;
  int rc;
  memset(&ic, 0, sizeof(ic));
  ic.unit = c->unit;
  if(j) {
    cli_json_begin_array(j, "catalogue");
    ic.j = j;
    rc = crm_rewards_foreach(x->c, c->name, item_cb, &ic);
    cli_json_end(j);
    return rc;
  }
  cli_table_init(&t, head);
  for(i = 2; i <= 6; i++)
    cli_table_align_right(&t, i);
  ic.t = &t;
  rc = crm_rewards_foreach(x->c, c->name, item_cb, &ic);
  if(!rc && ic.n) {
    printf("  catalogue (%sVALID dates UTC):\n",
           cli_unit_is_currency(c->unit) ? "" : "VALUE in minor units; ");
    cli_table_print(&t, stdout, 4);
  }
  else if(!rc)
    printf("  catalogue    empty\n");
  cli_table_free(&t);
  return rc;
}

static int no_item_cb(void *ud, const crm_reward_item *it)
{
  (void)ud;
  (void)it;
  return 0;
}

static int run_rewards_list(cli *x, const cli_cmd *cmd, int argc,
                            char **argv)
{
  static const struct option lo[] = {
    {"scheme", required_argument, NULL, OPT_SCHEME},
    {NULL, 0, NULL, 0},
  };
  cli_parser p;
  const char *arg;
  struct scheme_copies l;
  cli_json j;
  size_t i;
  int opt, rc;

  memset(&l, 0, sizeof(l));
  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg))
    if(opt == OPT_SCHEME)
      l.only = arg;
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 0, 0);
  if(!rc)
    rc = cli_open(x, 0);
  if(rc)
    return rc;
  rc = crm_schemes_foreach(x->c, scheme_copy_cb, &l);
  if(!rc && l.only && !l.n) {
    /* the core's message names the loaded schemes */
    rc = crm_rewards_foreach(x->c, l.only, no_item_cb, NULL);
    if(!rc)
      return cli_usage_error("no reward scheme \"%s\" is loaded", l.only);
  }
  if(rc)
    return cli_fail(x, rc);
  if(x->json) {
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_begin_array(&j, "schemes");
    for(i = 0; !rc && i < l.n; i++) {
      cli_json_begin_object(&j, NULL);
      scheme_json(&j, &l.s[i]);
      rc = catalogue(x, &j, &l.s[i]);
      cli_json_end(&j);
    }
    cli_json_finish(&j);
    return rc ? cli_fail(x, rc) : CLI_OK;
  }
  if(!l.n)
    printf("no reward schemes loaded\n");
  for(i = 0; !rc && i < l.n; i++) {
    if(i)
      putchar('\n');
    scheme_text(&l.s[i]);
    rc = catalogue(x, NULL, &l.s[i]);
  }
  return rc ? cli_fail(x, rc) : CLI_OK;
}

const cli_cmd cli_cmds_rewards[] = {
  {"points", "redeem", "spend points on a catalogue item: issues a voucher",
   "crm points redeem CUSTOMER ITEM [--scheme S] [--key K]",
   "  CUSTOMER           #id, id, external id or e-mail\n"
   "  ITEM               the catalogue code (see crm rewards list)\n"
   "  --scheme S         the scheme (default: the only one loaded)\n"
   "  --key K            idempotency key: a retry with the same key returns\n"
   "                     the same voucher (default: a new key cli:<hex>,\n"
   "                     printed)\n"
   "  Prints the voucher code, its cost, value and end of validity (UTC).\n",
   run_points_redeem},
  {"rewards", "list", "the reward schemes and their catalogues",
   "crm rewards list [--scheme S]",
   "  --scheme S         only this scheme\n"
   "  Per scheme: unit, pending period, expiry rule, caps, tiers; its\n"
   "  catalogue with cost, value, stock issued and left, validity.\n",
   run_rewards_list},
  {"voucher", "show", "show a voucher",
   "crm voucher show CODE", "  CODE               the voucher code\n",
   run_voucher_show},
  {"voucher", "use", "mark a voucher used (once)",
   "crm voucher use CODE [--key K]",
   "  CODE               the voucher code\n"
   "  --key K            idempotency key (default: a new key cli:<hex>)\n"
   "  A voucher already used, voided or expired is refused (exit 1).\n",
   run_voucher_use},
  {"voucher", "void", "void an unused voucher: its points go back",
   "crm voucher void CODE [--key K]",
   "  CODE               the voucher code\n"
   "  --key K            idempotency key (default: a new key cli:<hex>)\n"
   "  The points go back to the lots they came from; the stock is\n"
   "  released.\n",
   run_voucher_void},
  {"voucher", "list", "a customer's vouchers",
   "crm voucher list CUSTOMER",
   "  CUSTOMER           #id, id, external id or e-mail\n",
   run_voucher_list},
  {"payouts", "list", "a customer's payouts (released points paid out)",
   "crm payouts list CUSTOMER",
   "  CUSTOMER           #id, id, external id or e-mail\n",
   run_payouts_list},
  {NULL, NULL, NULL, NULL, NULL, NULL},
};
