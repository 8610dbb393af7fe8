/*
 * test_cli.c - the built `crm` binary end to end.
 *
 * Each test runs crm with posix_spawn in a fresh temporary directory, with
 * stdout and stderr captured to files and the CRM_* environment removed,
 * and checks exit codes and output. JSON output is checked with the
 * strict parser of cli_json.c. Where a plugin matters (points), the test
 * writes its own config loading the in-tree plugins from the build tree.
 */
#define _GNU_SOURCE /* posix_spawn_file_actions_addchdir_np */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cli_json.h"
#include "crm/sdk.h"

extern char **environ;

struct run {
  int code;
  char *out;
  char *err;
};

static char tmpdir[512];

static char *slurp(const char *path)
{
  FILE *fp = fopen(path, "rb");
  char *buf;
  long n;
  assert_non_null(fp);
  fseek(fp, 0, SEEK_END);
  n = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
  buf[n] = '\0';
  fclose(fp);
  return buf;
}

static void put_file(const char *name, const char *text)
{
  char path[1024];
  FILE *fp;
  snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
  fp = fopen(path, "w");
  assert_non_null(fp);
  fputs(text, fp);
  fclose(fp);
}

/* The environment without CRM_* variables, so the caller's settings do
 * not leak into the tests. */
static char **clean_env(void)
{
  static char *env[256];
  size_t i, n = 0;
  for(i = 0; environ[i] && n < 255; i++)
    if(strncmp(environ[i], "CRM_", 4))
      env[n++] = environ[i];
  env[n] = NULL;
  return env;
}

/* Whether name exists in tmpdir. */
static int exists(const char *name)
{
  char path[1024];
  snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
  return access(path, F_OK) == 0;
}

static void run_free(struct run *r)
{
  free(r->out);
  free(r->err);
  memset(r, 0, sizeof(*r));
}

/* Runs crm with args (NULL-terminated) in tmpdir; stdin from stdin_file
 * (relative to tmpdir) or /dev/null. */
static void crm_run_in(struct run *r, const char *stdin_file,
                       const char *const *args)
{
  char *argv[64];
  char out[1024], err[1024], in[1024];
  posix_spawn_file_actions_t fa;
  pid_t pid;
  int status, rc;
  size_t n = 0;

  argv[n++] = (char *)CRM_TEST_CLI;
  while(*args && n < 63)
    argv[n++] = (char *)*args++;
  argv[n] = NULL;
  snprintf(out, sizeof(out), "%s/.stdout", tmpdir);
  snprintf(err, sizeof(err), "%s/.stderr", tmpdir);
  if(stdin_file)
    snprintf(in, sizeof(in), "%s/%s", tmpdir, stdin_file);
  else
    snprintf(in, sizeof(in), "/dev/null");

  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addchdir_np(&fa, tmpdir);
  posix_spawn_file_actions_addopen(&fa, 0, in, O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  rc = posix_spawn(&pid, CRM_TEST_CLI, &fa, NULL, argv, clean_env());
  posix_spawn_file_actions_destroy(&fa);
  assert_int_equal(rc, 0);
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  r->code = WEXITSTATUS(status);
  r->out = slurp(out);
  r->err = slurp(err);
}

#define CRM(r, ...) crm_run_in(r, NULL, (const char *const[]){__VA_ARGS__, NULL})
#define CRM_STDIN(r, file, ...)                                               \
  crm_run_in(r, file, (const char *const[]){__VA_ARGS__, NULL})

static void expect(const struct run *r, int code, const char *in_out,
                   const char *in_err)
{
  if(r->code != code)
    fail_msg("exit %d, expected %d\nstdout: %s\nstderr: %s", r->code, code,
             r->out, r->err);
  if(in_out && !strstr(r->out, in_out))
    fail_msg("stdout lacks \"%s\":\n%s", in_out, r->out);
  if(in_err && !strstr(r->err, in_err))
    fail_msg("stderr lacks \"%s\":\n%s", in_err, r->err);
}

static tj *parse_out(const struct run *r)
{
  char err[160];
  tj *doc = tj_parse(r->out, err, sizeof(err));
  if(!doc)
    fail_msg("stdout is not JSON (%s):\n%s", err, r->out);
  return doc;
}

static int setup(void **state)
{
  const char *base = getenv("TMPDIR");
  (void)state;
  snprintf(tmpdir, sizeof(tmpdir), "%s/crm-test-cli-XXXXXX",
           base && *base ? base : "/tmp");
  assert_non_null(mkdtemp(tmpdir));
  return 0;
}

static int teardown(void **state)
{
  char cmd[1200];
  (void)state;
  /* only our own mkdtemp directory */
  if(strstr(tmpdir, "/crm-test-cli-")) {
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if(system(cmd) != 0)
      return -1;
  }
  return 0;
}

/* A fresh store s.db. */
static void init_store(void)
{
  struct run r;
  CRM(&r, "--store", "s.db", "init");
  expect(&r, 0, "schema version", NULL);
  run_free(&r);
}

/* ---- tests -------------------------------------------------------------- */

static void test_help(void **state)
{
  static const char *const cmds[][2] = {
    {"init", NULL}, {"import", "customers"}, {"import", "events"},
    {"customer", "add"}, {"customer", "show"}, {"customer", "list"},
    {"event", "add"}, {"plugins", "list"}, {"plugin", "check"},
    {"config", "check"}, {"score", "run"}, {"points", "balance"},
    {"lifecycle", "advance"}, {"case", "list"}, {"case", "move"},
    {"message", "send"}, {"report", NULL},
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

static void test_customer_add_show(void **state)
{
  struct run r;
  tj *doc;
  const char *id;
  char ref[32];
  (void)state;
  init_store();
  CRM(&r, "--store", "s.db", "customer", "add", "--external-id", "c-1",
      "--name", "Ann \"Quote\" Lee", "--email", "ann@example.com",
      "--timezone", "Europe/Paris", "--attr", "tier=gold", "--attr",
      "note=say \"hi\" \\ caf\xC3\xA9");
  expect(&r, 0, "added customer #", NULL);
  run_free(&r);

  CRM(&r, "--store", "s.db", "customer", "show", "c-1");
  expect(&r, 0, "Ann \"Quote\" Lee", NULL);
  expect(&r, 0, "tier = gold", NULL);
  expect(&r, 0, "Europe/Paris", NULL);
  run_free(&r);

  /* by e-mail (case-insensitive), JSON with the awkward characters */
  CRM(&r, "--store", "s.db", "--json", "customer", "show",
      "ANN@example.com");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  assert_string_equal(tj_str(doc, "external_id"), "c-1");
  assert_string_equal(tj_str(doc, "name"), "Ann \"Quote\" Lee");
  assert_string_equal(tj_str(doc, "attributes.tier"), "gold");
  assert_string_equal(tj_str(doc, "attributes.note"),
                      "say \"hi\" \\ caf\xC3\xA9");
  assert_non_null(tj_str(doc, "stage"));
  assert_true(tj_num(doc, "purchases", -1) == 0);
  assert_int_equal(tj_path(doc, "cases")->type, TJ_ARR);
  snprintf(ref, sizeof(ref), "#%.0f", tj_num(doc, "id", 0));
  tj_free(doc);
  run_free(&r);

  /* by #id, JSON option after the subcommand */
  CRM(&r, "--store", "s.db", "customer", "show", ref, "--json");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  id = tj_str(doc, "external_id");
  assert_non_null(id);
  assert_string_equal(id, "c-1");
  tj_free(doc);
  run_free(&r);

  /* a second customer with the same external id is refused */
  CRM(&r, "--store", "s.db", "customer", "add", "--external-id", "c-1");
  expect(&r, 1, NULL, "crm: ");
  assert_string_equal(r.out, "");
  run_free(&r);
}

static void test_unknown_customer(void **state)
{
  struct run r;
  (void)state;
  init_store();
  CRM(&r, "--store", "s.db", "customer", "show", "nobody");
  expect(&r, 1, NULL, "crm: unknown customer nobody\n");
  assert_string_equal(r.out, "");
  run_free(&r);
  CRM(&r, "--store", "s.db", "points", "balance", "#999");
  expect(&r, 1, NULL, "crm: unknown customer #999");
  run_free(&r);
  CRM(&r, "--store", "s.db", "event", "add", "--customer", "nobody",
      "--type", "contact");
  expect(&r, 1, NULL, "crm: unknown customer nobody");
  run_free(&r);
}

static const char customers_csv[] =
  "external_id,name,email,birthday,tier\n"          /* line 1 */
  "k1,\"Kim, the first\",k1@example.com,1980-02-03,gold\n" /* 2 */
  "k2,Bad Birthday,,1990-13-45,silver\n"            /* 3: bad date */
  "\"k3\",\"Quoted, \"\"Name\"\"\",,,\n"             /* 4: ok */
  "k4,Too,Few\n";                                   /* 5: 3 fields */

static void test_import_customers_bad_rows(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  init_store();
  put_file("c.csv", customers_csv);
  CRM(&r, "--store", "s.db", "import", "customers", "c.csv");
  /* some rows rejected: exit 1, each reported with its line */
  expect(&r, 1, "2 added, 0 updated, 2 rejected", "crm: c.csv:3: ");
  expect(&r, 1, NULL, "crm: c.csv:5: 3 fields, the header has 5");
  assert_null(strstr(r.err, "c.csv:2:"));
  assert_null(strstr(r.err, "c.csv:4:"));
  run_free(&r);

  CRM(&r, "--store", "s.db", "--json", "customer", "show", "k1");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  assert_string_equal(tj_str(doc, "name"), "Kim, the first");
  assert_string_equal(tj_str(doc, "birthday"), "1980-02-03");
  assert_string_equal(tj_str(doc, "attributes.tier"), "gold");
  tj_free(doc);
  run_free(&r);
  CRM(&r, "--store", "s.db", "--json", "customer", "show", "k3");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  assert_string_equal(tj_str(doc, "name"), "Quoted, \"Name\"");
  assert_null(tj_path(doc, "attributes.tier")); /* empty cell: not set */
  tj_free(doc);
  run_free(&r);
  CRM(&r, "--store", "s.db", "customer", "show", "k2");
  expect(&r, 1, NULL, "unknown customer k2");
  run_free(&r);

  /* the same file again, from stdin, with a JSON summary: updates, not
   * duplicates */
  CRM_STDIN(&r, "c.csv", "--store", "s.db", "--json", "import", "customers",
            "-");
  expect(&r, 1, NULL, "crm: <stdin>:3: ");
  doc = parse_out(&r);
  assert_true(tj_num(doc, "added", -1) == 0);
  assert_true(tj_num(doc, "updated", -1) == 2);
  assert_true(tj_num(doc, "rejected", -1) == 2);
  assert_true(tj_num(doc, "errors.0.line", -1) == 3);
  assert_true(tj_num(doc, "errors.1.line", -1) == 5);
  tj_free(doc);
  run_free(&r);

  CRM(&r, "--store", "s.db", "--json", "customer", "list");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  assert_true(tj_num(doc, "count", -1) == 2);
  assert_int_equal(tj_path(doc, "customers")->n, 2);
  assert_string_equal(tj_str(doc, "customers.0.external_id"), "k1");
  assert_string_equal(tj_str(doc, "customers.1.external_id"), "k3");
  tj_free(doc);
  run_free(&r);
}

/* A row goes in whole or not at all: an attribute cell with a line break
 * inside quotes (a row starting on line 3) is refused by the core after
 * the fields passed; its customer must not exist. An update refused the
 * same way keeps the old name. The other rows go in. */
static void test_import_customers_row_all_or_nothing(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  init_store();
  put_file("c.csv", "external_id,name,note\nn1,Ann,fine\n"
                    "n2,Bob,\"two\nlines\"\nn3,Cy,\n");
  CRM(&r, "--store", "s.db", "--json", "import", "customers", "c.csv");
  expect(&r, 1, NULL, "crm: c.csv:3: attribute value contains a control");
  assert_null(strstr(r.err, "c.csv:2:"));
  assert_null(strstr(r.err, "c.csv:5:"));
  doc = parse_out(&r);
  assert_true(tj_num(doc, "rows", -1) == 3);
  assert_true(tj_num(doc, "added", -1) == 2);
  assert_true(tj_num(doc, "rejected", -1) == 1);
  assert_true(tj_num(doc, "errors.0.line", -1) == 3);
  tj_free(doc);
  run_free(&r);
  CRM(&r, "--store", "s.db", "customer", "show", "n2");
  expect(&r, 1, NULL, "unknown customer n2");
  run_free(&r);
  put_file("u.csv", "external_id,name,note\nn1,Ann B,\"bad\nnote\"\n"
                    "n3,Cy B,set\n");
  CRM(&r, "--store", "s.db", "import", "customers", "u.csv");
  expect(&r, 1, "0 added, 1 updated, 1 rejected", "crm: u.csv:2: ");
  run_free(&r);
  CRM(&r, "--store", "s.db", "--json", "customer", "list");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  assert_true(tj_num(doc, "count", -1) == 2);
  assert_string_equal(tj_str(doc, "customers.0.name"), "Ann");
  assert_string_equal(tj_str(doc, "customers.1.name"), "Cy B");
  tj_free(doc);
  run_free(&r);
}

static void test_import_events(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  init_store();
  put_file("c.csv", "external_id\ne1\ne2\n");
  CRM(&r, "--store", "s.db", "import", "customers", "c.csv");
  expect(&r, 0, "2 added, 0 updated, 0 rejected", NULL);
  run_free(&r);
  put_file("e.csv",
           "idempotency_key,customer,type,occurred_at,amount,currency,"
           "quantity,payload\r\n"
           "k-1,e1,purchase,1998-01-02,29.33,USD,2,\r\n"
           "k-2,e1,purchase,1998-02-03T10:00:00Z,10.00,USD,1,\r\n"
           "k-3,nobody,purchase,1998-02-03,1.00,USD,1,\r\n"
           "k-4,e2,contact,1998-02-04,,,,\"{\"\"via\"\":\"\"phone\"\"}\"\r\n"
           "k-5,e2,purchase,not-a-date,1.00,USD,1,\r\n"
           "k-1,e1,purchase,1998-01-02,29.33,USD,2,\r\n");
  CRM(&r, "--store", "s.db", "--json", "import", "events", "e.csv");
  expect(&r, 1, NULL, "crm: e.csv:4: ");
  expect(&r, 1, NULL, "crm: e.csv:6: bad occurred_at 'not-a-date'");
  doc = parse_out(&r);
  assert_true(tj_num(doc, "ingested", -1) == 3);
  assert_true(tj_num(doc, "duplicates", -1) == 1);
  assert_true(tj_num(doc, "rejected", -1) == 2);
  tj_free(doc);
  run_free(&r);

  CRM(&r, "--store", "s.db", "--json", "customer", "show", "e1");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  assert_true(tj_num(doc, "purchases", -1) == 2);
  assert_true(tj_num(doc, "spend_minor", -1) == 3933);
  assert_string_equal(tj_str(doc, "currency"), "USD");
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

/* More rows than one batch (1000), with a bad row in the middle batch:
 * that row alone is rejected. */
static void test_import_batches(void **state)
{
  enum { ROWS = 2345, BAD_ROW = 1500 };
  struct run r;
  char path[1024], expected[64];
  FILE *fp;
  tj *doc;
  int i;
  (void)state;
  init_store();
  snprintf(path, sizeof(path), "%s/many.csv", tmpdir);
  fp = fopen(path, "w");
  assert_non_null(fp);
  fputs("external_id,name,timezone\n", fp);
  for(i = 1; i <= ROWS; i++)
    fprintf(fp, "m%04d,Many %d,%s\n", i, i,
            i == BAD_ROW ? "Not/AZone" : "UTC");
  fclose(fp);
  CRM(&r, "--store", "s.db", "import", "customers", "many.csv");
  /* data row i is on line i + 1 */
  snprintf(expected, sizeof(expected), "crm: many.csv:%d: ", BAD_ROW + 1);
  expect(&r, 1, "2344 added, 0 updated, 1 rejected", expected);
  run_free(&r);
  CRM(&r, "--store", "s.db", "--json", "customer", "list");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  assert_true(tj_num(doc, "count", -1) == ROWS - 1);
  assert_string_equal(tj_str(doc, "customers.1498.external_id"), "m1499");
  assert_string_equal(tj_str(doc, "customers.1499.external_id"), "m1501");
  assert_string_equal(tj_str(doc, "customers.2343.external_id"), "m2345");
  tj_free(doc);
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
  snprintf(path, sizeof(path), "%s/s.db", tmpdir);
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
    cmocka_unit_test_setup_teardown(test_customer_add_show, setup, teardown),
    cmocka_unit_test_setup_teardown(test_unknown_customer, setup, teardown),
    cmocka_unit_test_setup_teardown(test_import_customers_bad_rows, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_import_customers_row_all_or_nothing,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(test_import_events, setup, teardown),
    cmocka_unit_test_setup_teardown(test_event_add_idempotent, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_plugins_list_json, setup, teardown),
    cmocka_unit_test_setup_teardown(test_plugins_list_shows_refused_major,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(test_import_batches, setup, teardown),
    cmocka_unit_test_setup_teardown(test_points_mismatch, setup, teardown),
    cmocka_unit_test_setup_teardown(test_config_check, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
