/*
 * test_cli.c - the built `crm` binary end to end: help, usage errors,
 * init, events, plugins, points and config check. Customers are in
 * test_cli_customer.c, imports in test_cli_import.c; the process-running
 * helpers in cli_run.c.
 *
 * Where a plugin matters (points), the test writes its own config loading
 * the in-tree plugins from the build tree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sqlite3.h>

#include "cli_run.h"
#include "crm/sdk.h"

static void test_help(void **state)
{
  static const char *const cmds[][2] = {
    {"init", NULL}, {"import", "customers"}, {"import", "events"},
    {"customer", "add"}, {"customer", "update"}, {"customer", "show"},
    {"customer", "list"}, {"event", "add"}, {"plugins", "list"},
    {"plugin", "check"}, {"config", "check"}, {"score", "run"},
    {"points", "balance"}, {"lifecycle", "advance"}, {"case", "list"},
    {"case", "move"}, {"message", "send"}, {"report", NULL},
  };
  struct run r;
  size_t i;
  (void)state;
  CRM(&r, "--help");
  expect(&r, 0, "usage: crm", NULL);
  for(i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
    char name[64];
    snprintf(name, sizeof(name), "%s%s%s", cmds[i][0],
             cmds[i][1] ? " " : "", cmds[i][1] ? cmds[i][1] : "");
    if(!strstr(r.out, name))
      fail_msg("crm --help does not list %s", name);
  }
  run_free(&r);

  /* every subcommand has its own help, on stdout, exit 0, no store */
  for(i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
    if(cmds[i][1])
      CRM(&r, cmds[i][0], cmds[i][1], "--help");
    else
      CRM(&r, cmds[i][0], "--help");
    expect(&r, 0, "usage: crm", NULL);
    assert_string_equal(r.err, "");
    run_free(&r);
  }
  CRM(&r, "customer", "add", "--help");
  expect(&r, 0, "--external-id", NULL);
  run_free(&r);
  assert_false(exists("s.db"));
}

static void test_usage_errors(void **state)
{
  struct run r;
  (void)state;
  CRM(&r, "frobnicate");
  expect(&r, 1, NULL, "crm: unknown command 'frobnicate'");
  run_free(&r);
  CRM(&r, "customer", "add", "--bogus");
  expect(&r, 1, NULL, "crm: unknown option --bogus");
  run_free(&r);
  CRM(&r, "customer", "show");
  expect(&r, 1, NULL, "crm: customer show: missing argument");
  run_free(&r);
  CRM(&r, "customer", "add", "--name", "x");
  expect(&r, 1, NULL, "--external-id is required");
  run_free(&r);
  crm_run_in(&r, NULL, (const char *const[]){NULL});
  expect(&r, 1, NULL, "usage: crm");
  run_free(&r);
  /* no store yet: a user error that says what to do */
  CRM(&r, "--store", "none.db", "customer", "list");
  expect(&r, 1, NULL, "run crm init first");
  run_free(&r);
}

static void test_init(void **state)
{
  struct run r;
  tj *doc;
  double v;
  (void)state;
  CRM(&r, "--store", "s.db", "--json", "init");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  assert_string_equal(tj_str(doc, "store"), "s.db");
  v = tj_num(doc, "schema_version", -1);
  assert_true(v >= 1);
  tj_free(doc);
  run_free(&r);
  /* again: the same version, nothing to migrate */
  CRM(&r, "--store", "s.db", "--json", "init");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  assert_true(tj_num(doc, "schema_version", -1) == v);
  tj_free(doc);
  run_free(&r);
}

/* The config used where plugins matter: the in-tree plugins from the
 * build tree; the store next to the config. */
static void write_config(void)
{
  char conf[2048];
  snprintf(conf, sizeof(conf),
           "store = { path = \"p.db\"; };\n"
           "plugins = {\n"
           "  path = [ \"%s\" ];\n"
           "  load = (\n"
           "    { name = \"basic_points\"; required = true;\n"
           "      config = { points_per_unit = 2; currency = \"USD\"; }; }\n"
           "  );\n"
           "};\n",
           CRM_TEST_PLUGIN_DIR);
  put_file("crm.conf", conf);
}

static int64_t balance_of(const char *ref)
{
  struct run r;
  tj *doc;
  int64_t b;
  CRM(&r, "--json", "points", "balance", ref);
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  b = (int64_t)tj_num(doc, "balance", -1);
  tj_free(doc);
  run_free(&r);
  return b;
}

static void test_event_add_idempotent(void **state)
{
  struct run r;
  tj *doc;
  int64_t before;
  (void)state;
  write_config(); /* ./crm.conf is found without --config */
  CRM(&r, "init");
  expect(&r, 0, "store ", NULL);
  run_free(&r);
  assert_true(exists("p.db")); /* store.path, relative to the config */
  CRM(&r, "customer", "add", "--external-id", "i1");
  expect(&r, 0, NULL, NULL);
  run_free(&r);

  CRM(&r, "--json", "event", "add", "--customer", "i1", "--type",
      "purchase", "--amount", "12.50", "--currency", "USD", "--key", "K-1",
      "--at", "1998-03-01");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  assert_int_equal(tj_path(doc, "duplicate")->boolean, 0);
  /* 12.50 USD at 2 points per unit: floor(12.50 * 2) = 25 */
  assert_true(tj_num(doc, "points", -1) == 25);
  tj_free(doc);
  run_free(&r);
  before = balance_of("i1");
  assert_int_equal(before, 25);

  CRM(&r, "--json", "event", "add", "--customer", "i1", "--type",
      "purchase", "--amount", "12.50", "--currency", "USD", "--key", "K-1",
      "--at", "1998-03-01");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  assert_int_equal(tj_path(doc, "duplicate")->boolean, 1);
  tj_free(doc);
  run_free(&r);
  assert_int_equal(balance_of("i1"), before);

  CRM(&r, "--json", "customer", "show", "i1");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  assert_true(tj_num(doc, "purchases", -1) == 1);
  tj_free(doc);
  run_free(&r);

  /* without --key each call is a new event */
  CRM(&r, "event", "add", "--customer", "i1", "--type", "contact");
  expect(&r, 0, "key cli-", NULL);
  run_free(&r);

  CRM(&r, "points", "balance", "i1", "--ledger");
  expect(&r, 0, "i1: 25 points", "");
  expect(&r, 0, "+25", NULL);
  run_free(&r);
}

static void test_plugins_list_json(void **state)
{
  struct run r;
  tj *doc;
  const tj *list;
  (void)state;
  write_config();
  CRM(&r, "init");
  expect(&r, 0, NULL, NULL);
  run_free(&r);
  CRM(&r, "--json", "plugins", "list");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  list = tj_path(doc, "plugins");
  assert_non_null(list);
  assert_int_equal(list->n, 1);
  assert_string_equal(tj_str(doc, "plugins.0.name"), "basic_points");
  assert_string_equal(tj_str(doc, "plugins.0.state"), "loaded");
  assert_non_null(strstr(tj_str(doc, "plugins.0.components"), "reward"));
  tj_free(doc);
  run_free(&r);

  CRM(&r, "--json", "report");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  assert_int_equal(tj_path(doc, "plugins.reward")->n, 1);
  assert_int_equal(tj_path(doc, "plugins.scoring")->n, 0);
  assert_true(tj_num(doc, "total", -1) == 0);
  assert_string_equal(tj_str(doc, "stages.0.stage"), "prospect");
  tj_free(doc);
  run_free(&r);
}

/* The acceptance case of the loader: a config naming a plugin built for
 * ABI major+1 lists it refused with the whole message while the others
 * run; marked required, it stops start-up with that message. */
static void write_major_config(int required)
{
  char conf[2048];
  snprintf(conf, sizeof(conf),
           "store = { path = \"m.db\"; };\n"
           "plugins = {\n"
           "  path = [ \"%s\", \"%s\" ];\n"
           "  load = (\n"
           "    { name = \"basic_points\"; },\n"
           "    { name = \"fx_major\"; required = %s; }\n"
           "  );\n"
           "};\n",
           CRM_TEST_PLUGIN_DIR, CRM_TEST_FIXTURE_DIR,
           required ? "true" : "false");
  put_file("crm.conf", conf);
}

static void test_plugins_list_shows_refused_major(void **state)
{
  char want[1024];
  struct run r;
  (void)state;
  snprintf(want, sizeof(want),
           "plugin \"fx_major\" (%s/fx_major.so) refused: built for SDK ABI "
           "%d.%d, core has %d.%d; rebuild against crm-sdk %d.x",
           CRM_TEST_FIXTURE_DIR, CRM_SDK_ABI_MAJOR + 1, CRM_SDK_ABI_MINOR,
           CRM_SDK_ABI_MAJOR, CRM_SDK_ABI_MINOR, CRM_SDK_ABI_MAJOR);
  write_major_config(0);
  CRM(&r, "init");
  expect(&r, 0, NULL, want); /* logged as a warning, the core runs on */
  run_free(&r);
  CRM(&r, "plugins", "list");
  expect(&r, 0, want, NULL);
  if(!strstr(r.out, "basic_points  loaded"))
    fail_msg("basic_points is not loaded:\n%s", r.out);
  if(!strstr(r.out, "fx_major      refused"))
    fail_msg("fx_major is not refused:\n%s", r.out);
  run_free(&r);
  /* The others really run: a purchase earns basic_points' points. */
  CRM(&r, "customer", "add", "--external-id", "m1");
  expect(&r, 0, NULL, NULL);
  run_free(&r);
  CRM(&r, "event", "add", "--customer", "m1", "--type", "purchase",
      "--amount", "3.00", "--currency", "USD", "--key", "m-1", "--at",
      "1998-03-01");
  expect(&r, 0, NULL, NULL);
  run_free(&r);
  assert_int_equal(balance_of("m1"), 3);
  /* Required: start-up stops with the same message, exit 1. */
  write_major_config(1);
  CRM(&r, "plugins", "list");
  expect(&r, 1, NULL, want);
  run_free(&r);
}

/* A cached balance that disagrees with the ledger is an internal error
 * (exit 2) with the core's message, not a silent wrong number. */
static void test_points_mismatch(void **state)
{
  struct run r;
  sqlite3 *db;
  char path[1024];
  (void)state;
  init_store();
  CRM(&r, "--store", "s.db", "customer", "add", "--external-id", "z1");
  expect(&r, 0, NULL, NULL);
  run_free(&r);
  snprintf(path, sizeof(path), "%s/s.db", cli_tmpdir);
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "UPDATE customers SET points_balance = 7",
                                NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  CRM(&r, "--store", "s.db", "points", "balance", "z1");
  expect(&r, 2, NULL, "crm: ");
  assert_string_equal(r.out, "");
  run_free(&r);
}

static void test_config_check(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  put_file("broken.conf", "# a comment\n"
                          "store = { path = \"x.db\"; };\n"
                          "lifecycle = { lost_days = ; };\n");
  CRM(&r, "config", "check", "broken.conf");
  expect(&r, 1, NULL, "crm: broken.conf:3: ");
  run_free(&r);

  put_file("unknown.conf", "store = { path = \"x.db\"; };\n"
                           "\n"
                           "colour = \"blue\";\n");
  CRM(&r, "--json", "config", "check", "unknown.conf");
  expect(&r, 1, NULL, "unknown.conf:3: ");
  doc = parse_out(&r);
  assert_int_equal(tj_path(doc, "ok")->boolean, 0);
  assert_non_null(strstr(tj_str(doc, "error"), "unknown.conf:3:"));
  tj_free(doc);
  run_free(&r);

  put_file("good.conf", "store = { path = \"x.db\"; };\n");
  CRM(&r, "config", "check", "good.conf");
  expect(&r, 0, "good.conf: ok\n", NULL);
  run_free(&r);
  /* the checked store must not have been created */
  assert_false(exists("x.db"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_help, setup, teardown),
    cmocka_unit_test_setup_teardown(test_usage_errors, setup, teardown),
    cmocka_unit_test_setup_teardown(test_init, setup, teardown),
    cmocka_unit_test_setup_teardown(test_event_add_idempotent, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_plugins_list_json, setup, teardown),
    cmocka_unit_test_setup_teardown(test_plugins_list_shows_refused_major,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(test_points_mismatch, setup, teardown),
    cmocka_unit_test_setup_teardown(test_config_check, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
