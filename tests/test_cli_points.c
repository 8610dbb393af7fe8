/*
 * test_cli_points.c - the loyalty commands of the built `crm` end to end:
 * points show / history / redeem / transfer / adjust / process /
 * statement, tier show, rewards list, voucher show / use / void / list,
 * payouts list, and lifecycle advance running the points' due work.
 *
 * The config loads basic_points (10 points per USD, floor of
 * amount x 10 / 100 minor units) with a `scheme` group: 365-day relative
 * expiry, transfers from 10, tiers base / silver (1000 base points in 365
 * days, x1.5), catalogue V5 (500 points, value 500, stock 2, 90-day
 * vouchers) and T1 (300 points, unlimited). Every command runs with a
 * fixed clock (--as-of), so all times below are exact.
 *
 * The standard history (setup_a1): customer a1 buys
 *   40.00 USD on 2026-01-10 -> 400 points, lot expires 2027-01-10
 *   70.00 USD on 2026-02-10 -> 700 points (base tier when earned), then
 *         1100 base points in the window >= 1000: silver from 2026-02-10,
 *         review 2026-02-10 + 365 days = 2027-02-10; lot expires
 *         2027-02-10
 *   20.00 USD on 2026-02-20 -> 200 points + silver bonus
 *         floor(200 x 0.5) = 100; both lots expire 2027-02-20
 * so on 2026-03-01 the balance is 400 + 700 + 300 = 1400.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli_run.h"

static const char *g_asof = "2026-03-01";

#define P(r, ...) CRM(r, "--as-of", g_asof, __VA_ARGS__)
/* Runs with --json, expects exit 0, parses stdout into doc. */
#define PJ(doc, ...)                                                         \
  do {                                                                       \
    struct run r_;                                                           \
    CRM(&r_, "--as-of", g_asof, "--json", __VA_ARGS__);                      \
    expect(&r_, 0, NULL, NULL);                                              \
    (doc) = parse_out(&r_);                                                  \
    run_free(&r_);                                                           \
  } while(0)

static int jnull(const tj *doc, const char *path)
{
  const tj *v = tj_path(doc, path);
  return v && v->type == TJ_NULL;
}

static int jbool(const tj *doc, const char *path)
{
  const tj *v = tj_path(doc, path);
  if(!v || v->type != TJ_BOOL)
    fail_msg("no boolean at %s", path);
  return v->boolean;
}

static void write_config(int pending_days)
{
  char conf[4096];
  snprintf(
    conf, sizeof(conf),
    "store = { path = \"p.db\"; };\n"
    "plugins = {\n"
    "  path = [ \"%s\" ];\n"
    "  load = (\n"
    "    { name = \"basic_points\"; required = true;\n"
    "      config = { points_per_unit = 10; currency = \"USD\"; };\n"
    "      scheme = {\n"
    "        unit = \"points\";\n"
    "        pending_days = %d;\n"
    "        expiry = { mode = \"relative\"; days = 365; };\n"
    "        transfers = { enabled = true; min = 10; };\n"
    "        tiers = { window_days = 365; review_days = 365;\n"
    "                  grace_days = 0;\n"
    "          levels = ( { name = \"base\"; },\n"
    "                     { name = \"silver\"; points = 1000;\n"
    "                       multiplier = 1.5; } ); };\n"
    "        catalogue = (\n"
    "          { code = \"V5\"; name = \"5.00 off\"; type = \"voucher\";\n"
    "            cost = 500; value = 500; stock = 2; voucher_days = 90; },\n"
    "          { code = \"T1\"; name = \"Tote bag\"; type = \"free_item\";\n"
    "            cost = 300; value = 0; stock = -1; } );\n"
    "      };\n"
    "    }\n"
    "  );\n"
    "};\n",
    CRM_TEST_PLUGIN_DIR, pending_days);
  put_file("crm.conf", conf);
}

static void add_customer(const char *ext)
{
  struct run r;
  P(&r, "customer", "add", "--external-id", ext);
  expect(&r, 0, NULL, NULL);
  run_free(&r);
}

/* A purchase in USD; returns the points the event wrote. */
static int64_t buy(const char *ref, const char *amount, const char *at,
                   const char *key)
{
  tj *doc;
  int64_t pts;
  PJ(doc, "event", "add", "--customer", ref, "--type", "purchase",
     "--amount", amount, "--currency", "USD", "--at", at, "--key", key);
  pts = jint(doc, "points");
  tj_free(doc);
  return pts;
}

static void setup_store(int pending_days)
{
  struct run r;
  write_config(pending_days);
  P(&r, "init");
  expect(&r, 0, NULL, NULL);
  run_free(&r);
}

/* The standard history (see the top of the file). */
static void setup_a1(void)
{
  setup_store(0);
  add_customer("a1");
  add_customer("a2");
  assert_int_equal(buy("a1", "40.00", "2026-01-10", "p1"), 400);
  assert_int_equal(buy("a1", "70.00", "2026-02-10", "p2"), 700);
  /* silver by now: 200 + floor(200 x 0.5) */
  assert_int_equal(buy("a1", "20.00", "2026-02-20", "p3"), 300);
}

static int64_t balance(const char *ref)
{
  tj *doc;
  int64_t b;
  PJ(doc, "points", "show", ref, "--scheme", "basic_points");
  b = jint(doc, "accounts.0.balance");
  tj_free(doc);
  return b;
}

/* ---- help and usage (no engine needed) ------------------------------------ */

static const char *const new_cmds[][2] = {
  {"points", "show"},     {"points", "history"}, {"points", "redeem"},
  {"points", "transfer"}, {"points", "adjust"},  {"points", "process"},
  {"points", "statement"}, {"tier", "show"},     {"rewards", "list"},
  {"voucher", "show"},    {"voucher", "use"},    {"voucher", "void"},
  {"voucher", "list"},    {"payouts", "list"},
};

static void test_help(void **state)
{
  struct run r;
  size_t i;
  (void)state;
  CRM(&r, "--help");
  expect(&r, 0, NULL, NULL);
  for(i = 0; i < sizeof(new_cmds) / sizeof(new_cmds[0]); i++) {
    char name[64];
    snprintf(name, sizeof(name), "%s %s", new_cmds[i][0], new_cmds[i][1]);
    if(!strstr(r.out, name))
      fail_msg("crm --help does not list %s", name);
  }
  run_free(&r);
  for(i = 0; i < sizeof(new_cmds) / sizeof(new_cmds[0]); i++) {
    char want[64];
    snprintf(want, sizeof(want), "usage: crm %s %s", new_cmds[i][0],
             new_cmds[i][1]);
    CRM(&r, new_cmds[i][0], new_cmds[i][1], "--help");
    expect(&r, 0, want, NULL);
    assert_string_equal(r.err, "");
    run_free(&r);
  }
  CRM(&r, "points", "adjust", "--help");
  expect(&r, 0, "--reason TEXT", NULL);
  run_free(&r);
  CRM(&r, "points", "statement", "--help");
  expect(&r, 0, "quarter (default)", NULL);
  run_free(&r);
  CRM(&r, "lifecycle", "advance", "--help");
  expect(&r, 0, "points", NULL);
  run_free(&r);
  assert_false(exists("crm.db")); /* help opens no store */
}

static void test_usage_errors(void **state)
{
  static const struct {
    const char *args[8];
    const char *err;
  } cases[] = {
    /* "-50" is an argument, not options -5 -0: the missing --reason is
     * what is reported */
    {{"points", "adjust", "c1", "-50"}, "--reason is required"},
    {{"points", "adjust", "c1", "0", "--reason", "x"}, "must not be 0"},
    {{"points", "adjust", "c1", "12x", "--reason", "x"},
     "expected a whole number, not '12x'"},
    {{"points", "adjust", "c1"}, "points adjust: missing argument"},
    {{"points", "transfer", "a", "b", "-5"}, "must be more than 0"},
    {{"points", "transfer", "a", "b"}, "points transfer: missing argument"},
    {{"points", "transfer", "a", "b", "10", "--reason", "x"},
     "unknown option --reason"},
    {{"points", "statement", "c1", "--year", "2026", "--from",
      "2026-01-01"}, "not both"},
    {{"points", "statement", "c1", "--from", "2026-01-01"},
     "--from and --to go together"},
    {{"points", "statement", "c1", "--period", "week"},
     "expected month, quarter or year"},
    {{"points", "history", "c1", "--limit", "-1"}, "--limit"},
    {{"points", "show"}, "points show: missing argument"},
    {{"points", "show", "c1", "--bogus"}, "unknown option --bogus"},
    {{"points", "redeem", "c1"}, "points redeem: missing argument"},
    {{"voucher", "use"}, "voucher use: missing argument"},
    {{"tier", "show", "c1", "c2"}, "unexpected argument 'c2'"},
    {{"rewards", "list", "x"}, "unexpected argument 'x'"},
  };
  struct run r;
  size_t i;
  (void)state;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const char *args[12];
    size_t n = 0, k;
    args[n++] = "--store";
    args[n++] = "none.db";
    for(k = 0; cases[i].args[k]; k++)
      args[n++] = cases[i].args[k];
    args[n] = NULL;
    crm_run_in(&r, NULL, args);
    expect(&r, 1, NULL, cases[i].err);
    assert_string_equal(r.out, "");
    run_free(&r);
  }
  assert_false(exists("none.db"));
  /* with a store, "-50" reaches the customer look-up */
  init_store();
  CRM(&r, "--store", "s.db", "points", "adjust", "nobody", "-50",
      "--reason", "x");
  expect(&r, 1, NULL, "crm: unknown customer nobody");
  run_free(&r);
  CRM(&r, "--store", "s.db", "points", "adjust", "nobody", "--reason", "x",
      "--", "-50");
  expect(&r, 1, NULL, "crm: unknown customer nobody");
  run_free(&r);
}

/* ---- the catalogue ----------------------------------------------------------------- */

static const tj *item(const tj *doc, const char *code)
{
  const tj *cat = tj_path(doc, "schemes.0.catalogue");
  size_t i;
  assert_non_null(cat);
  for(i = 0; i < cat->n; i++)
    if(!strcmp(tj_str(cat->kids[i], "code"), code))
      return cat->kids[i];
  fail_msg("no item %s in the catalogue", code);
  return NULL;
}

static void test_rewards_list(void **state)
{
  struct run r;
  tj *doc;
  const tj *v5, *t1;
  (void)state;
  setup_store(14);
  PJ(doc, "rewards", "list");
  assert_int_equal(jlen(doc, "schemes"), 1);
  assert_string_equal(jstr(doc, "schemes.0.name"), "basic_points");
  assert_string_equal(jstr(doc, "schemes.0.plugin"), "basic_points");
  assert_string_equal(jstr(doc, "schemes.0.unit"), "points");
  assert_int_equal(jint(doc, "schemes.0.pending_days"), 14);
  assert_string_equal(jstr(doc, "schemes.0.expiry"),
                      "365 days after earning");
  assert_int_equal(jint(doc, "schemes.0.tiers"), 2);
  assert_int_equal(jint(doc, "schemes.0.limit_day"), 0);
  assert_int_equal(jlen(doc, "schemes.0.catalogue"), 2);
  v5 = item(doc, "V5");
  assert_string_equal(jstr(v5, "type"), "voucher");
  assert_int_equal(jint(v5, "cost"), 500);
  assert_int_equal(jint(v5, "value"), 500);
  assert_int_equal(jint(v5, "stock"), 2);
  assert_int_equal(jint(v5, "issued"), 0);
  assert_int_equal(jint(v5, "left"), 2);
  assert_int_equal(jint(v5, "voucher_days"), 90);
  t1 = item(doc, "T1");
  assert_int_equal(jint(t1, "cost"), 300);
  assert_int_equal(jint(t1, "stock"), -1);
  assert_true(jnull(t1, "left"));
  tj_free(doc);

  P(&r, "rewards", "list");
  expect(&r, 0, "basic_points (plugin basic_points): unit points", NULL);
  expect(&r, 0, "14 days", NULL);
  expect(&r, 0, "365 days after earning", NULL);
  expect(&r, 0, "unlimited", NULL);
  expect(&r, 0, "500 points", NULL);
  run_free(&r);

  P(&r, "rewards", "list", "--scheme", "nope");
  expect(&r, 1, NULL, "nope");
  run_free(&r);
}

/* ---- show and history ------------------------------------------------------------- */

static void test_show(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_a1();
  PJ(doc, "points", "show", "a1");
  assert_string_equal(jstr(doc, "customer.external_id"), "a1");
  assert_int_equal(jlen(doc, "accounts"), 1);
  assert_string_equal(jstr(doc, "accounts.0.scheme"), "basic_points");
  assert_string_equal(jstr(doc, "accounts.0.unit"), "points");
  assert_int_equal(jint(doc, "accounts.0.balance"), 1400);
  assert_int_equal(jint(doc, "accounts.0.pending"), 0);
  assert_int_equal(jint(doc, "accounts.0.shortfall"), 0);
  assert_int_equal(jint(doc, "accounts.0.overdraft"), 0);
  assert_int_equal(jint(doc, "accounts.0.lifetime_earned"), 1400);
  assert_string_equal(jstr(doc, "accounts.0.tier"), "silver");
  assert_string_equal(jstr(doc, "accounts.0.tier_since"),
                      "2026-02-10T00:00:00Z");
  assert_string_equal(jstr(doc, "accounts.0.tier_review_at"),
                      "2027-02-10T00:00:00Z");
  /* every open lot, soonest expiry first, not only the earliest */
  assert_int_equal(jlen(doc, "accounts.0.lots"), 4);
  assert_int_equal(jint(doc, "accounts.0.lots.0.remaining"), 400);
  assert_string_equal(jstr(doc, "accounts.0.lots.0.expires_at"),
                      "2027-01-10T00:00:00Z");
  assert_string_equal(jstr(doc, "accounts.0.lots.0.earned_at"),
                      "2026-01-10T00:00:00Z");
  assert_string_equal(jstr(doc, "accounts.0.lots.0.state"), "available");
  assert_int_equal(jint(doc, "accounts.0.lots.1.remaining"), 700);
  assert_string_equal(jstr(doc, "accounts.0.lots.1.expires_at"),
                      "2027-02-10T00:00:00Z");
  assert_int_equal(jint(doc, "accounts.0.lots.2.remaining") +
                     jint(doc, "accounts.0.lots.3.remaining"), 300);
  assert_string_equal(jstr(doc, "accounts.0.lots.3.expires_at"),
                      "2027-02-20T00:00:00Z");
  assert_int_equal(jlen(doc, "accounts.0.pending_lots"), 0);
  assert_int_equal(jint(doc, "accounts.0.lots_more"), 0);
  tj_free(doc);

  PJ(doc, "points", "show", "a1", "--lots", "1");
  assert_int_equal(jlen(doc, "accounts.0.lots"), 1);
  assert_int_equal(jint(doc, "accounts.0.lots_more"), 3);
  assert_int_equal(jint(doc, "accounts.0.lots_more_points"), 1000);
  tj_free(doc);

  P(&r, "points", "show", "a1", "--lots", "2");
  expect(&r, 0, "basic_points: 1400 points available, 0 pending", NULL);
  expect(&r, 0, "silver since 2026-02-10 00:00 UTC", NULL);
  expect(&r, 0, "2027-01-10 00:00 UTC", NULL);
  expect(&r, 0, "... and 2 more lots (300 points)", NULL);
  run_free(&r);

  /* a customer without an account yet; a scheme that is not loaded */
  PJ(doc, "points", "show", "a2");
  assert_int_equal(jlen(doc, "accounts"), 0);
  tj_free(doc);
  P(&r, "points", "show", "a2", "--scheme", "basic_points");
  expect(&r, 0, "no points account in basic_points yet", NULL);
  run_free(&r);
  P(&r, "points", "show", "a1", "--scheme", "nope");
  expect(&r, 1, NULL, "nope");
  run_free(&r);
}

static void test_history(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_a1();
  PJ(doc, "points", "history", "a1");
  assert_int_equal(jint(doc, "total"), 4);
  assert_int_equal(jint(doc, "count"), 4);
  assert_string_equal(jstr(doc, "entries.0.kind"), "earn");
  assert_int_equal(jint(doc, "entries.0.points"), 400);
  assert_int_equal(jint(doc, "entries.0.pending"), 0);
  assert_string_equal(jstr(doc, "entries.0.at"), "2026-01-10T00:00:00Z");
  assert_string_equal(jstr(doc, "entries.0.scheme"), "basic_points");
  assert_string_equal(jstr(doc, "entries.0.unit"), "points");
  assert_true(jint(doc, "entries.0.event_id") > 0);
  assert_int_equal(jint(doc, "entries.1.points"), 700);
  assert_int_equal(jint(doc, "entries.2.points") +
                     jint(doc, "entries.3.points"), 300);
  /* the bonus line belongs to the same purchase */
  assert_int_equal(jint(doc, "entries.2.event_id"),
                   jint(doc, "entries.3.event_id"));
  tj_free(doc);

  /* --limit: the newest entries, still oldest first */
  PJ(doc, "points", "history", "a1", "--limit", "2", "--scheme",
     "basic_points");
  assert_int_equal(jint(doc, "count"), 2);
  assert_int_equal(jint(doc, "total"), 4);
  assert_string_equal(jstr(doc, "entries.0.at"), "2026-02-20T00:00:00Z");
  assert_int_equal(jint(doc, "entries.0.points") +
                     jint(doc, "entries.1.points"), 300);
  tj_free(doc);

  P(&r, "points", "history", "a1");
  expect(&r, 0, "2026-01-10 00:00 UTC", NULL);
  expect(&r, 0, "+400", NULL);
  expect(&r, 0, "basic_points", NULL);
  run_free(&r);
  P(&r, "points", "history", "a1", "--scheme", "nope");
  expect(&r, 1, NULL, "nope");
  run_free(&r);
}

/* ---- redeem and vouchers ------------------------------------------------------------ */

static char *redeem_code(tj *doc)
{
  char *code = strdup(jstr(doc, "code"));
  assert_non_null(code);
  assert_true(strlen(code) >= 6);
  return code;
}

static void test_redeem_vouchers(void **state)
{
  struct run r;
  tj *doc;
  char *code1, *code2, *key;
  (void)state;
  setup_a1();
  PJ(doc, "points", "redeem", "a1", "V5", "--key", "r1");
  code1 = redeem_code(doc);
  assert_string_equal(jstr(doc, "item"), "V5");
  assert_string_equal(jstr(doc, "state"), "issued");
  assert_int_equal(jint(doc, "cost"), 500);
  assert_int_equal(jint(doc, "value"), 500);
  assert_string_equal(jstr(doc, "issued_at"), "2026-03-01T00:00:00Z");
  /* 2026-03-01 + 90 days: 31 (March) + 30 (April) + 29 */
  assert_string_equal(jstr(doc, "valid_until"), "2026-05-30T00:00:00Z");
  assert_string_equal(jstr(doc, "key"), "r1");
  assert_false(jbool(doc, "key_generated"));
  tj_free(doc);
  assert_int_equal(balance("a1"), 900);

  /* the 400 lot went first, then 100 of the 700 one */
  PJ(doc, "points", "show", "a1");
  assert_int_equal(jlen(doc, "accounts.0.lots"), 3);
  assert_int_equal(jint(doc, "accounts.0.lots.0.remaining"), 600);
  assert_string_equal(jstr(doc, "accounts.0.lots.0.expires_at"),
                      "2027-02-10T00:00:00Z");
  tj_free(doc);

  /* a retry with the key: the same voucher, nothing spent again */
  PJ(doc, "points", "redeem", "a1", "V5", "--key", "r1");
  assert_string_equal(jstr(doc, "code"), code1);
  tj_free(doc);
  assert_int_equal(balance("a1"), 900);

  P(&r, "voucher", "show", code1);
  expect(&r, 0, code1, NULL);
  expect(&r, 0, "issued", NULL);
  expect(&r, 0, "2026-05-30 00:00 UTC", NULL);
  run_free(&r);

  P(&r, "voucher", "use", code1);
  expect(&r, 0, "used", NULL);
  run_free(&r);
  PJ(doc, "voucher", "show", code1);
  assert_string_equal(jstr(doc, "state"), "used");
  assert_string_equal(jstr(doc, "used_at"), "2026-03-01T00:00:00Z");
  assert_string_equal(jstr(doc, "external_id"), "a1");
  tj_free(doc);
  /* a second use is refused with the core's message, exit 1 */
  P(&r, "voucher", "use", code1);
  expect(&r, 1, NULL, "already used");
  assert_string_equal(r.out, "");
  run_free(&r);

  /* without --key: a generated key, printed; retrying with it is safe */
  PJ(doc, "points", "redeem", "a1", "V5");
  code2 = redeem_code(doc);
  assert_true(jbool(doc, "key_generated"));
  key = strdup(jstr(doc, "key"));
  assert_non_null(key);
  assert_int_equal(strlen(key), 20);
  assert_int_equal(strncmp(key, "cli:", 4), 0);
  assert_int_equal(strspn(key + 4, "0123456789abcdef"), 16);
  tj_free(doc);
  assert_int_equal(balance("a1"), 400);
  PJ(doc, "points", "redeem", "a1", "V5", "--key", key);
  assert_string_equal(jstr(doc, "code"), code2);
  tj_free(doc);
  assert_int_equal(balance("a1"), 400);
  P(&r, "points", "redeem", "a1", "T1");
  expect(&r, 0, "key         cli:", NULL);
  expect(&r, 0, "repeat with --key cli:", NULL);
  run_free(&r);
  assert_int_equal(balance("a1"), 100);

  /* stock 2 issued: none left */
  PJ(doc, "rewards", "list");
  assert_int_equal(jint(item(doc, "V5"), "issued"), 2);
  assert_int_equal(jint(item(doc, "V5"), "left"), 0);
  tj_free(doc);

  /* void the unused one: 500 back, stock released */
  P(&r, "voucher", "void", code2);
  expect(&r, 0, "voided", NULL);
  run_free(&r);
  assert_int_equal(balance("a1"), 600);
  PJ(doc, "rewards", "list");
  assert_int_equal(jint(item(doc, "V5"), "issued"), 1);
  assert_int_equal(jint(item(doc, "V5"), "left"), 1);
  tj_free(doc);
  /* a used voucher cannot be voided */
  P(&r, "voucher", "void", code1);
  expect(&r, 1, NULL, "crm: ");
  run_free(&r);
  assert_int_equal(balance("a1"), 600);

  PJ(doc, "voucher", "list", "a1");
  assert_int_equal(jint(doc, "count"), 3);
  {
    size_t i, used = 0, voided = 0, issued = 0;
    const tj *list = tj_path(doc, "vouchers");
    for(i = 0; i < list->n; i++) {
      const char *st = tj_str(list->kids[i], "state");
      used += !strcmp(st, "used");
      voided += !strcmp(st, "voided");
      issued += !strcmp(st, "issued");
    }
    assert_int_equal(used, 1);
    assert_int_equal(voided, 1);
    assert_int_equal(issued, 1);
  }
  tj_free(doc);
  PJ(doc, "payouts", "list", "a1");
  assert_int_equal(jint(doc, "count"), 0);
  tj_free(doc);

  P(&r, "voucher", "show", "NOPE-NOPE");
  expect(&r, 1, NULL, "crm: ");
  run_free(&r);
  /* 600: one V5 more empties the stock; then 100 is not enough */
  PJ(doc, "points", "redeem", "a1", "V5", "--key", "r4");
  assert_int_equal(jint(doc, "cost"), 500);
  tj_free(doc);
  assert_int_equal(balance("a1"), 100);
  P(&r, "points", "redeem", "a1", "V5", "--key", "r5");
  expect(&r, 1, NULL, "crm: ");
  run_free(&r);
  P(&r, "points", "redeem", "a1", "T1", "--key", "r6");
  expect(&r, 1, NULL, "not enough points");
  run_free(&r);
  assert_int_equal(balance("a1"), 100);
  free(code1);
  free(code2);
  free(key);
}

/* ---- transfer and adjust ----------------------------------------------------------- */

static void test_transfer_adjust(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_a1();
  PJ(doc, "points", "transfer", "a1", "a2", "100", "--key", "t1");
  assert_string_equal(jstr(doc, "scheme"), "basic_points");
  assert_int_equal(jint(doc, "points"), 100);
  assert_string_equal(jstr(doc, "from.external_id"), "a1");
  assert_int_equal(jint(doc, "from.balance"), 1300);
  assert_string_equal(jstr(doc, "to.external_id"), "a2");
  assert_int_equal(jint(doc, "to.balance"), 100);
  tj_free(doc);
  /* retried: applied once */
  PJ(doc, "points", "transfer", "a1", "a2", "100", "--key", "t1");
  assert_int_equal(jint(doc, "from.balance"), 1300);
  assert_int_equal(jint(doc, "to.balance"), 100);
  tj_free(doc);
  PJ(doc, "points", "history", "a2");
  assert_int_equal(jint(doc, "total"), 1);
  assert_string_equal(jstr(doc, "entries.0.kind"), "transfer_in");
  assert_int_equal(jint(doc, "entries.0.points"), 100);
  tj_free(doc);

  /* below the scheme's minimum (10), more than the balance */
  P(&r, "points", "transfer", "a1", "a2", "5");
  expect(&r, 1, NULL, "crm: ");
  run_free(&r);
  P(&r, "points", "transfer", "a1", "a2", "100000");
  expect(&r, 1, NULL, "not enough points");
  run_free(&r);
  assert_int_equal(balance("a1"), 1300);

  PJ(doc, "points", "adjust", "a1", "-50", "--reason", "goodwill fix",
     "--key", "adj1");
  assert_int_equal(jint(doc, "points"), -50);
  assert_string_equal(jstr(doc, "reason"), "goodwill fix");
  assert_int_equal(jint(doc, "customer.balance"), 1250);
  assert_string_equal(jstr(doc, "key"), "adj1");
  tj_free(doc);
  PJ(doc, "points", "history", "a1", "--limit", "1");
  assert_string_equal(jstr(doc, "entries.0.kind"), "adjust");
  assert_int_equal(jint(doc, "entries.0.points"), -50);
  assert_string_equal(jstr(doc, "entries.0.reason"), "goodwill fix");
  assert_string_equal(jstr(doc, "entries.0.at"), "2026-03-01T00:00:00Z");
  tj_free(doc);

  /* not below zero in this scheme */
  P(&r, "points", "adjust", "a1", "-5000", "--reason", "x");
  expect(&r, 1, NULL, "not enough points");
  run_free(&r);
  P(&r, "points", "adjust", "a1", "25", "--reason", "bonus");
  expect(&r, 0, "adjusted a1 by +25 points in basic_points (reason: bonus)",
         NULL);
  expect(&r, 0, "balance   1275 points available", NULL);
  expect(&r, 0, "(generated; to retry safely", NULL);
  run_free(&r);
  assert_int_equal(balance("a1"), 1275);
}

/* ---- tiers ------------------------------------------------------------------------------ */

static void test_tier_show(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_a1();
  assert_int_equal(buy("a2", "30.00", "2026-01-15", "q1"), 300);
  PJ(doc, "tier", "show", "a1");
  assert_int_equal(jlen(doc, "tiers"), 1);
  assert_string_equal(jstr(doc, "tiers.0.scheme"), "basic_points");
  assert_string_equal(jstr(doc, "tiers.0.tier"), "silver");
  assert_true(tj_num(doc, "tiers.0.multiplier", 0) == 1.5);
  assert_string_equal(jstr(doc, "tiers.0.since"), "2026-02-10T00:00:00Z");
  assert_string_equal(jstr(doc, "tiers.0.review_at"),
                      "2027-02-10T00:00:00Z");
  assert_true(jnull(doc, "tiers.0.grace_until"));
  /* base points only: 400 + 700 + 200, the bonus (100) does not count */
  assert_int_equal(jint(doc, "tiers.0.window.points"), 1300);
  assert_int_equal(jint(doc, "tiers.0.window.spend"), 13000);
  assert_string_equal(jstr(doc, "tiers.0.window.to"),
                      "2026-03-01T00:00:00Z");
  assert_string_equal(jstr(doc, "tiers.0.window.from"),
                      "2025-03-01T00:00:00Z");
  assert_string_equal(jstr(doc, "tiers.0.qualifies_for"), "silver");
  assert_true(jnull(doc, "tiers.0.next_tier"));
  assert_int_equal(jlen(doc, "tiers.0.history"), 1);
  assert_string_equal(jstr(doc, "tiers.0.history.0.from"), "base");
  assert_string_equal(jstr(doc, "tiers.0.history.0.to"), "silver");
  assert_string_equal(jstr(doc, "tiers.0.history.0.at"),
                      "2026-02-10T00:00:00Z");
  tj_free(doc);

  PJ(doc, "tier", "show", "a2", "--scheme", "basic_points");
  assert_string_equal(jstr(doc, "tiers.0.tier"), "base");
  assert_int_equal(jint(doc, "tiers.0.window.points"), 300);
  assert_string_equal(jstr(doc, "tiers.0.next_tier"), "silver");
  assert_int_equal(jint(doc, "tiers.0.next.points"), 1000);
  assert_int_equal(jint(doc, "tiers.0.next.spend"), 0);
  assert_int_equal(jlen(doc, "tiers.0.history"), 0);
  tj_free(doc);

  P(&r, "tier", "show", "a2");
  expect(&r, 0, "basic_points: tier base", NULL);
  expect(&r, 0, "next tier     silver: 1000 points (700 to go)", NULL);
  expect(&r, 0, "no tier changes", NULL);
  run_free(&r);
  P(&r, "tier", "show", "a1");
  expect(&r, 0, "tier silver (x1.5) since 2026-02-10 00:00 UTC", NULL);
  expect(&r, 0, "this is the top tier", NULL);
  run_free(&r);
}

/* ---- statements ----------------------------------------------------------------------- */

static void test_statement(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_a1();
  P(&r, "points", "adjust", "a1", "-50", "--reason", "fix");
  expect(&r, 0, NULL, NULL);
  run_free(&r);
  /* quarterly by default */
  PJ(doc, "points", "statement", "a1", "--year", "2026");
  assert_string_equal(jstr(doc, "scheme"), "basic_points");
  assert_string_equal(jstr(doc, "period"), "quarter");
  assert_string_equal(jstr(doc, "from"), "2026-01-01T00:00:00Z");
  assert_string_equal(jstr(doc, "to"), "2027-01-01T00:00:00Z");
  assert_int_equal(jlen(doc, "periods"), 4);
  assert_string_equal(jstr(doc, "periods.0.period"), "2026-Q1");
  assert_string_equal(jstr(doc, "periods.3.period"), "2026-Q4");
  assert_int_equal(jint(doc, "periods.0.earned"), 1400);
  assert_int_equal(jint(doc, "periods.0.adjusted"), -50);
  assert_int_equal(jint(doc, "periods.0.balance_end"), 1350);
  assert_int_equal(jint(doc, "periods.0.activity_spend"), 13000);
  assert_int_equal(jint(doc, "periods.1.earned"), 0);
  assert_int_equal(jint(doc, "periods.1.balance_end"), 1350);
  assert_int_equal(jint(doc, "totals.earned"), 1400);
  assert_int_equal(jint(doc, "totals.balance_end"), 1350);
  tj_free(doc);

  PJ(doc, "points", "statement", "a1", "--year", "2026", "--period",
     "month");
  assert_int_equal(jlen(doc, "periods"), 12);
  assert_string_equal(jstr(doc, "periods.0.period"), "2026-01");
  assert_int_equal(jint(doc, "periods.0.earned"), 400);
  assert_int_equal(jint(doc, "periods.0.balance_end"), 400);
  assert_int_equal(jint(doc, "periods.1.earned"), 1000);
  assert_int_equal(jint(doc, "periods.1.balance_end"), 1400);
  assert_int_equal(jint(doc, "periods.2.adjusted"), -50);
  tj_free(doc);

  PJ(doc, "points", "statement", "a1", "--from", "2026-02-01", "--to",
     "2026-03-01", "--period", "month");
  assert_int_equal(jlen(doc, "periods"), 1);
  assert_int_equal(jint(doc, "periods.0.earned"), 1000);
  tj_free(doc);

  P(&r, "points", "statement", "a1", "--year", "2026");
  expect(&r, 0, "statement of a1 in basic_points (points), by quarter", NULL);
  expect(&r, 0, "2026-Q1", NULL);
  expect(&r, 0, "total", NULL);
  expect(&r, 0, "130.00 USD", NULL);
  run_free(&r);
}

/* ---- due work: expiry, release; lifecycle advance ------------------------------------ */

static void test_process_expiry(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  g_asof = "2026-06-02"; /* events may not lie in the future */
  setup_store(0);
  add_customer("e1");
  assert_int_equal(buy("e1", "30.00", "2026-01-10", "e-1"), 300);
  assert_int_equal(buy("e1", "20.00", "2026-06-01", "e-2"), 200);

  g_asof = "2027-01-11";
  PJ(doc, "points", "process");
  assert_string_equal(jstr(doc, "as_of"), "2027-01-11T00:00:00Z");
  assert_int_equal(jint(doc, "lots_expired"), 1);
  assert_int_equal(jint(doc, "points_expired"), 300);
  assert_int_equal(jint(doc, "lots_released"), 0);
  assert_int_equal(jint(doc, "tier_changes"), 0);
  tj_free(doc);
  /* again: nothing more is due */
  PJ(doc, "points", "process");
  assert_int_equal(jint(doc, "lots_expired"), 0);
  assert_int_equal(jint(doc, "points_expired"), 0);
  tj_free(doc);
  assert_int_equal(balance("e1"), 200);

  /* lifecycle advance does the points' due work too */
  g_asof = "2027-06-02";
  PJ(doc, "lifecycle", "advance");
  assert_true(jint(doc, "transitions") >= 0);
  assert_int_equal(jint(doc, "points.lots_expired"), 1);
  assert_int_equal(jint(doc, "points.points_expired"), 200);
  tj_free(doc);
  P(&r, "lifecycle", "advance");
  expect(&r, 0, "points due work:", NULL);
  expect(&r, 0, "expired       0 lots, 0 points", NULL);
  run_free(&r);

  PJ(doc, "points", "show", "e1");
  assert_int_equal(jint(doc, "accounts.0.balance"), 0);
  assert_int_equal(jlen(doc, "accounts.0.lots"), 0);
  tj_free(doc);
  PJ(doc, "points", "history", "e1");
  assert_int_equal(jint(doc, "total"), 4);
  assert_string_equal(jstr(doc, "entries.2.kind"), "expire");
  assert_int_equal(jint(doc, "entries.2.points"), -300);
  assert_string_equal(jstr(doc, "entries.2.at"), "2027-01-10T00:00:00Z");
  assert_string_equal(jstr(doc, "entries.3.kind"), "expire");
  assert_int_equal(jint(doc, "entries.3.points"), -200);
  assert_string_equal(jstr(doc, "entries.3.at"), "2027-06-01T00:00:00Z");
  tj_free(doc);
  g_asof = "2026-03-01";
}

static void test_pending_release(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_store(14);
  add_customer("w1");
  g_asof = "2026-01-15";
  /* pending points are written too: the event reports them */
  assert_int_equal(buy("w1", "30.00", "2026-01-10", "w-1"), 300);
  PJ(doc, "points", "show", "w1");
  assert_int_equal(jint(doc, "accounts.0.balance"), 0);
  assert_int_equal(jint(doc, "accounts.0.pending"), 300);
  assert_int_equal(jlen(doc, "accounts.0.lots"), 0);
  assert_int_equal(jlen(doc, "accounts.0.pending_lots"), 1);
  assert_string_equal(jstr(doc, "accounts.0.pending_lots.0.state"),
                      "pending");
  assert_int_equal(jint(doc, "accounts.0.pending_lots.0.remaining"), 300);
  /* 2026-01-10 + 14 days */
  assert_string_equal(jstr(doc, "accounts.0.pending_lots.0.release_at"),
                      "2026-01-24T00:00:00Z");
  assert_string_equal(jstr(doc, "accounts.0.pending_lots.0.expires_at"),
                      "2027-01-10T00:00:00Z");
  tj_free(doc);
  P(&r, "points", "show", "w1");
  expect(&r, 0, "0 points available, 300 pending", NULL);
  expect(&r, 0, "2026-01-24 00:00 UTC", NULL);
  run_free(&r);
  PJ(doc, "points", "history", "w1");
  assert_string_equal(jstr(doc, "entries.0.kind"), "pending_earn");
  assert_int_equal(jint(doc, "entries.0.points"), 0);
  assert_int_equal(jint(doc, "entries.0.pending"), 300);
  tj_free(doc);
  /* redeeming pending points is refused */
  P(&r, "points", "redeem", "w1", "T1");
  expect(&r, 1, NULL, "not enough points");
  run_free(&r);

  g_asof = "2026-01-25";
  PJ(doc, "points", "process");
  assert_int_equal(jint(doc, "lots_released"), 1);
  assert_int_equal(jint(doc, "points_released"), 300);
  tj_free(doc);
  PJ(doc, "points", "show", "w1");
  assert_int_equal(jint(doc, "accounts.0.balance"), 300);
  assert_int_equal(jint(doc, "accounts.0.pending"), 0);
  assert_int_equal(jint(doc, "accounts.0.lots.0.remaining"), 300);
  tj_free(doc);
  PJ(doc, "points", "history", "w1");
  assert_string_equal(jstr(doc, "entries.1.kind"), "release");
  assert_int_equal(jint(doc, "entries.1.points"), 300);
  assert_int_equal(jint(doc, "entries.1.pending"), -300);
  assert_string_equal(jstr(doc, "entries.1.at"), "2026-01-24T00:00:00Z");
  tj_free(doc);
  g_asof = "2026-03-01";
}

/* ---- two schemes ---------------------------------------------------------------------- */

/* basic_points as above (USD) and supermarket_points (1 point per EUR,
 * unit "stars", no tiers, no catalogue). */
static void write_two_schemes(void)
{
  char conf[4096];
  snprintf(
    conf, sizeof(conf),
    "store = { path = \"p.db\"; };\n"
    "plugins = {\n"
    "  path = [ \"%s\" ];\n"
    "  load = (\n"
    "    { name = \"basic_points\"; required = true;\n"
    "      config = { points_per_unit = 10; currency = \"USD\"; };\n"
    "      scheme = {\n"
    "        tiers = { levels = ( { name = \"base\"; },\n"
    "          { name = \"silver\"; points = 1000; multiplier = 1.5; } ); };\n"
    "        catalogue = ( { code = \"V5\"; name = \"5.00 off\";\n"
    "          type = \"voucher\"; cost = 500; value = 500; stock = -1; } );\n"
    "      };\n"
    "    },\n"
    "    { name = \"supermarket_points\"; required = true;\n"
    "      config = { points_per_unit = 1; currency = \"EUR\"; };\n"
    "      scheme = { unit = \"stars\"; };\n"
    "    }\n"
    "  );\n"
    "};\n",
    CRM_TEST_PLUGIN_DIR);
  put_file("crm.conf", conf);
}

static void test_two_schemes(void **state)
{
  struct run r;
  tj *doc;
  const tj *accts;
  size_t i;
  int seen = 0;
  (void)state;
  write_two_schemes();
  P(&r, "init");
  expect(&r, 0, NULL, NULL);
  run_free(&r);
  add_customer("m1");
  assert_int_equal(buy("m1", "60.00", "2026-01-10", "m-1"), 600);
  {
    tj *ev;
    PJ(ev, "event", "add", "--customer", "m1", "--type", "purchase",
       "--amount", "12.00", "--currency", "EUR", "--at", "2026-01-11",
       "--key", "m-2");
    assert_int_equal(jint(ev, "points"), 12); /* floor(1200 x 1 / 100) */
    tj_free(ev);
  }
  /* without --scheme: every account, each in its own unit */
  PJ(doc, "points", "show", "m1");
  accts = tj_path(doc, "accounts");
  assert_non_null(accts);
  assert_int_equal(accts->n, 2);
  for(i = 0; i < accts->n; i++) {
    const char *name = tj_str(accts->kids[i], "scheme");
    if(!strcmp(name, "basic_points")) {
      assert_int_equal(jint(accts->kids[i], "balance"), 600);
      assert_string_equal(jstr(accts->kids[i], "unit"), "points");
      seen |= 1;
    }
    else if(!strcmp(name, "supermarket_points")) {
      assert_int_equal(jint(accts->kids[i], "balance"), 12);
      assert_string_equal(jstr(accts->kids[i], "unit"), "stars");
      assert_true(jnull(accts->kids[i], "tier"));
      seen |= 2;
    }
  }
  assert_int_equal(seen, 3);
  tj_free(doc);
  P(&r, "points", "show", "m1");
  expect(&r, 0, "basic_points: 600 points available", NULL);
  expect(&r, 0, "supermarket_points: 12 stars available", NULL);
  run_free(&r);

  PJ(doc, "points", "history", "m1", "--scheme", "supermarket_points");
  assert_int_equal(jint(doc, "total"), 1);
  assert_int_equal(jint(doc, "entries.0.points"), 12);
  assert_string_equal(jstr(doc, "entries.0.unit"), "stars");
  tj_free(doc);

  /* an operation must name its scheme when several are loaded */
  P(&r, "points", "redeem", "m1", "V5");
  expect(&r, 1, NULL, "supermarket_points");
  run_free(&r);
  PJ(doc, "points", "redeem", "m1", "V5", "--scheme", "basic_points");
  assert_int_equal(jint(doc, "cost"), 500);
  assert_string_equal(jstr(doc, "unit"), "points");
  tj_free(doc);
  PJ(doc, "points", "adjust", "m1", "-2", "--reason", "typo",
     "--scheme", "supermarket_points");
  assert_int_equal(jint(doc, "customer.balance"), 10);
  assert_string_equal(jstr(doc, "unit"), "stars");
  tj_free(doc);
  assert_int_equal(balance("m1"), 100); /* basic_points: 600 - 500 */

  /* only basic_points has tiers */
  PJ(doc, "tier", "show", "m1");
  assert_int_equal(jlen(doc, "tiers"), 1);
  assert_string_equal(jstr(doc, "tiers.0.scheme"), "basic_points");
  tj_free(doc);
  PJ(doc, "rewards", "list", "--scheme", "supermarket_points");
  assert_int_equal(jlen(doc, "schemes"), 1);
  assert_string_equal(jstr(doc, "schemes.0.unit"), "stars");
  assert_int_equal(jlen(doc, "schemes.0.catalogue"), 0);
  tj_free(doc);
}

/* ---- a scheme counted in money ------------------------------------------------------ */

/* basic_points earning one point per euro cent (points_per_unit 1,
 * minor_per_unit 1: points = the amount in minor units) in a scheme whose
 * unit is "EUR": text shows the points as euros, JSON keeps the cents. */
static void write_eur_scheme(void)
{
  char conf[4096];
  snprintf(
    conf, sizeof(conf),
    "store = { path = \"p.db\"; };\n"
    "plugins = {\n"
    "  path = [ \"%s\" ];\n"
    "  load = (\n"
    "    { name = \"basic_points\"; required = true;\n"
    "      config = { points_per_unit = 1; minor_per_unit = 1;\n"
    "                 currency = \"EUR\"; };\n"
    "      scheme = {\n"
    "        unit = \"EUR\";\n"
    "        catalogue = ( { code = \"R5\"; name = \"rebate\";\n"
    "          type = \"cash_rebate\"; cost = 500; value = 500;\n"
    "          stock = -1; } );\n"
    "      };\n"
    "    }\n"
    "  );\n"
    "};\n",
    CRM_TEST_PLUGIN_DIR);
  put_file("crm.conf", conf);
}

static void test_currency_unit(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  write_eur_scheme();
  P(&r, "init");
  expect(&r, 0, NULL, NULL);
  run_free(&r);
  add_customer("e1");
  {
    tj *ev;
    PJ(ev, "event", "add", "--customer", "e1", "--type", "purchase",
       "--amount", "12.34", "--currency", "EUR", "--at", "2026-01-10",
       "--key", "e-1");
    assert_int_equal(jint(ev, "points"), 1234); /* 1234 cents x 1 / 1 */
    tj_free(ev);
  }
  /* text: 1234 points of unit EUR are 12.34 EUR */
  P(&r, "points", "show", "e1");
  expect(&r, 0, "basic_points: 12.34 EUR available, 0.00 pending", NULL);
  expect(&r, 0, "lifetime earned  12.34 EUR", NULL);
  expect(&r, 0, "12.34", NULL); /* the lot, in the EUR column */
  run_free(&r);
  P(&r, "points", "history", "e1");
  expect(&r, 0, "+12.34", NULL);
  expect(&r, 0, "EUR", NULL);
  run_free(&r);
  /* JSON: still integer minor units, with the unit */
  PJ(doc, "points", "show", "e1");
  assert_int_equal(jint(doc, "accounts.0.balance"), 1234);
  assert_int_equal(jint(doc, "accounts.0.lots.0.remaining"), 1234);
  assert_string_equal(jstr(doc, "accounts.0.unit"), "EUR");
  tj_free(doc);
  PJ(doc, "points", "history", "e1");
  assert_int_equal(jint(doc, "entries.0.points"), 1234);
  assert_string_equal(jstr(doc, "entries.0.unit"), "EUR");
  tj_free(doc);
  /* an operation confirms in euros; the sign stays: 1234 - 34 = 1200 */
  P(&r, "points", "adjust", "e1", "-34", "--reason", "fix");
  expect(&r, 0, "adjusted e1 by -0.34 EUR in basic_points", NULL);
  expect(&r, 0, "balance   12.00 EUR available", NULL);
  run_free(&r);
  P(&r, "rewards", "list");
  expect(&r, 0, "5.00 EUR", NULL); /* cost 500 cents */
  run_free(&r);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_help, setup, teardown),
    cmocka_unit_test_setup_teardown(test_usage_errors, setup, teardown),
    cmocka_unit_test_setup_teardown(test_rewards_list, setup, teardown),
    cmocka_unit_test_setup_teardown(test_show, setup, teardown),
    cmocka_unit_test_setup_teardown(test_history, setup, teardown),
    cmocka_unit_test_setup_teardown(test_redeem_vouchers, setup, teardown),
    cmocka_unit_test_setup_teardown(test_transfer_adjust, setup, teardown),
    cmocka_unit_test_setup_teardown(test_tier_show, setup, teardown),
    cmocka_unit_test_setup_teardown(test_statement, setup, teardown),
    cmocka_unit_test_setup_teardown(test_process_expiry, setup, teardown),
    cmocka_unit_test_setup_teardown(test_pending_release, setup, teardown),
    cmocka_unit_test_setup_teardown(test_two_schemes, setup, teardown),
    cmocka_unit_test_setup_teardown(test_currency_unit, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
