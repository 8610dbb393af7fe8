/*
 * test_config.c - reading the admin configuration: values, defaults, and
 * every kind of mistake reported as "FILE:LINE: reason".
 */
#include <stdio.h>
#include <string.h>

#include <libconfig.h>

#include "loader_util.h"

static lt_dir dir;

static void assert_lc_equal(const crm__lifecycle_cfg *a,
                            const crm__lifecycle_cfg *b)
{
  assert_int_equal(a->repeat_purchases, b->repeat_purchases);
  assert_int_equal(a->loyal_purchases, b->loyal_purchases);
  assert_int_equal(a->window_days, b->window_days);
  assert_true(a->at_risk_factor == b->at_risk_factor);
  assert_int_equal(a->at_risk_floor_days, b->at_risk_floor_days);
  assert_int_equal(a->lost_days, b->lost_days);
  assert_int_equal(a->park_after_contacts, b->park_after_contacts);
}

static int setup(void **state)
{
  (void)state;
  lt_dir_init(&dir);
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  lt_dir_done(&dir);
  return 0;
}

/* Writes the text to crm.conf and returns its path (own buffer). */
static const char *conf(const char *text)
{
  static char path[LT_PATH];

  snprintf(path, sizeof(path), "%s", lt_write(&dir, "crm.conf", text));
  return path;
}

static void test_full(void **state)
{
  const char *path = conf(
    "# sample\n"                                              /* 1 */
    "store = { path = \"data/crm.db\"; };\n"                  /* 2 */
    "lifecycle = {\n"                                         /* 3 */
    "  repeat_purchases = 3; loyal_purchases = 6;\n"          /* 4 */
    "  window_days = 180; at_risk_factor = 1.5;\n"            /* 5 */
    "  at_risk_floor_days = 30; lost_days = 200;\n"           /* 6 */
    "  park_after_contacts = 4;\n"                            /* 7 */
    "};\n"                                                    /* 8 */
    "plugins = {\n"                                           /* 9 */
    "  path = [ \"/opt/a\", \"/opt/b\" ];\n"                  /* 10 */
    "  load = (\n"                                            /* 11 */
    "    { name = \"rfm\"; config = { bins = 5; }; },\n"      /* 12 */
    "    { name = \"x-1\"; file = \"/opt/x.so\";\n"           /* 13 */
    "      enabled = false; required = true; }\n"             /* 14 */
    "  );\n"
    "};\n");
  crm__config *c = NULL;
  char err[512];
  int bins = 0;

  (void)state;
  assert_int_equal(crm__config_read(path, &c, err, sizeof(err)), 0);
  assert_string_equal(err, "");
  assert_string_equal(c->path, path);
  assert_string_equal(c->store_path, lt_fmt("%s/data/crm.db", dir.path));
  assert_int_equal(c->lifecycle.repeat_purchases, 3);
  assert_int_equal(c->lifecycle.loyal_purchases, 6);
  assert_int_equal(c->lifecycle.window_days, 180);
  assert_true(c->lifecycle.at_risk_factor == 1.5);
  assert_int_equal(c->lifecycle.at_risk_floor_days, 30);
  assert_int_equal(c->lifecycle.lost_days, 200);
  assert_int_equal(c->lifecycle.park_after_contacts, 4);
  assert_int_equal(c->n_plugin_paths, 2);
  assert_string_equal(c->plugin_paths[0], "/opt/a");
  assert_string_equal(c->plugin_paths[1], "/opt/b");
  assert_int_equal(c->n_plugins, 2);
  assert_string_equal(c->plugins[0].name, "rfm");
  assert_null(c->plugins[0].file);
  assert_int_equal(c->plugins[0].enabled, 1);
  assert_int_equal(c->plugins[0].required, 0);
  assert_int_equal(c->plugins[0].line, 12);
  assert_non_null(c->plugins[0].setting);
  assert_true(config_setting_lookup_int(c->plugins[0].setting, "bins",
                                        &bins));
  assert_int_equal(bins, 5);
  assert_string_equal(c->plugins[1].name, "x-1");
  assert_string_equal(c->plugins[1].file, "/opt/x.so");
  assert_int_equal(c->plugins[1].enabled, 0);
  assert_int_equal(c->plugins[1].required, 1);
  assert_int_equal(c->plugins[1].line, 13);
  assert_null(c->plugins[1].setting);
  crm__config_free(c);
}

static void test_defaults(void **state)
{
  crm__config *c = NULL;
  crm__lifecycle_cfg d;
  char err[512];

  (void)state;
  assert_int_equal(crm__config_read(conf("# nothing\n"), &c, err,
                                    sizeof(err)), 0);
  crm__lifecycle_defaults(&d);
  assert_lc_equal(&c->lifecycle, &d);
  assert_null(c->store_path);
  assert_int_equal(c->n_plugins, 0);
  assert_int_equal(c->n_plugin_paths, 0);
  crm__config_free(c);
}

/* A store path without a directory part resolves next to the file. */
static void test_store_relative(void **state)
{
  crm__config *c = NULL;
  char err[512];

  (void)state;
  assert_int_equal(crm__config_read(conf("store = { path = \"crm.db\"; };"),
                                    &c, err, sizeof(err)), 0);
  assert_string_equal(c->store_path, lt_fmt("%s/crm.db", dir.path));
  crm__config_free(c);
  assert_int_equal(crm__config_read(conf("store = { path = \"/abs/s.db\"; };"),
                                    &c, err, sizeof(err)), 0);
  assert_string_equal(c->store_path, "/abs/s.db");
  crm__config_free(c);
}

struct bad {
  const char *text;
  int line;
  const char *reason;
};

static const struct bad bads[] = {
  /* syntax */
  {"store = {\n  path = \"x\";\n  lifecycle = ;\n};\n", 3, "syntax error"},
  /* relative plugin search path, on its own line in the array */
  {"plugins = {\n  path = [ \"/ok\",\n    \"lib/plugins\" ];\n};\n", 3,
   "plugin path \"lib/plugins\" is not absolute; plugin paths must be "
   "absolute directories"},
  /* unknown keys: top level, plugin entry, group */
  {"store = { path = \"a.db\"; };\nstroe = { path = \"x\"; };\n", 2,
   "unknown setting \"stroe\" (expected store, plugins, lifecycle, "
   "communication or complaints)"},
  {"plugins = {\n  load = (\n    { name = \"a\";\n      requird = true; }\n"
   "  );\n};\n", 4,
   "unknown plugin setting \"requird\" (expected name, file, enabled, "
   "required, config or scheme)"},
  {"plugins = {\n  paths = [ \"/x\" ];\n};\n", 2,
   "unknown plugins setting \"paths\" (expected path or load)"},
  {"lifecycle = {\n  window = 3;\n};\n", 2,
   "unknown lifecycle setting \"window\" (expected repeat_purchases, "
   "loyal_purchases, window_days, at_risk_factor, at_risk_floor_days, "
   "lost_days, park_after_contacts or at_risk_model)"},
  /* duplicate plugin: reported where the second one is named */
  {"plugins = { load = (\n  { name = \"a\"; },\n  { name = \"b\"; },\n"
   "  { name = \"a\"; }\n); };\n", 4,
   "duplicate plugin \"a\" (first at line 2); each plugin may be loaded "
   "once"},
  /* lifecycle values */
  {"lifecycle = {\n  repeat_purchases = 2;\n  window_days = 0;\n};\n", 3,
   "lifecycle.window_days is 0; it must be between 1 and 1000000"},
  {"lifecycle = {\n  lost_days = -5;\n};\n", 2,
   "lifecycle.lost_days is -5; it must be between 1 and 1000000"},
  {"lifecycle = {\n  repeat_purchases = 4;\n  loyal_purchases = 3;\n};\n",
   3, "lifecycle.loyal_purchases (3) must be >= repeat_purchases (4)"},
  {"lifecycle = {\n  repeat_purchases = 9;\n};\n", 2,
   "lifecycle.loyal_purchases (5) must be >= repeat_purchases (9)"},
  {"lifecycle = {\n\n  at_risk_factor = 0.0;\n};\n", 3,
   "lifecycle.at_risk_factor is 0; it must be greater than 0 and at most "
   "1000"},
  {"lifecycle = { at_risk_factor = \"2\"; };\n", 1,
   "lifecycle.at_risk_factor must be a number"},
  {"lifecycle = {\n  window_days = 1.5;\n};\n", 2,
   "lifecycle.window_days must be an integer"},
  /* plugin entries */
  {"plugins = { load = (\n  { name = \"a\"; enabled = \"yes\"; }\n); };\n",
   2, "plugin setting enabled must be true or false"},
  {"plugins = { load = (\n  { name = \"a\";\n    file = \"a.so\"; }\n); };\n",
   3, "plugin file \"a.so\" is not absolute; give the full path of the .so"},
  {"plugins = { load = (\n  { name = \"../a\"; }\n); };\n", 2,
   "plugin name \"../a\" is not valid; use 1 to 64 letters, digits, '_' "
   "or '-'"},
  {"plugins = { load = (\n  { file = \"/a.so\"; }\n); };\n", 2,
   "plugin entry has no name; add name = \"...\""},
  {"plugins = { load = (\n  { name = \"a\";\n    config = 5; }\n); };\n", 3,
   "plugin config must be a group: config = { ... }"},
  {"plugins = {\n  load = [ \"a\" ];\n};\n", 2,
   "plugins.load must be a list of groups: load = ( { name = \"...\"; } )"},
  {"store = {\n  path = 7;\n};\n", 2, "store.path must be a non-empty "
   "string"},
};

static void test_errors(void **state)
{
  size_t i;

  (void)state;
  for(i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
    const char *path = conf(bads[i].text);
    crm__config *c = (crm__config *)&dir; /* must be reset to NULL */
    char err[512];
    char want[1024];
    long before = crm__alloc_outstanding();

    if(snprintf(want, sizeof(want), "%s:%d: %s", path, bads[i].line,
                bads[i].reason) >= (int)sizeof(want))
      fail_msg("case %zu: expected message too long", i);
    assert_int_equal(crm__config_read(path, &c, err, sizeof(err)),
                     CRM_ECONFIG);
    assert_null(c);
    if(strcmp(err, want) != 0)
      fail_msg("case %zu:\n  want %s\n  got  %s", i, want, err);
    assert_int_equal(crm__alloc_outstanding(), before);
    /* the public check says the same */
    err[0] = '\0';
    assert_int_equal(crm_config_check(path, err, sizeof(err)), CRM_ECONFIG);
    assert_string_equal(err, want);
  }
}

/* libconfig's own checks keep their line too. */
static void test_duplicate_setting(void **state)
{
  const char *path = conf("store = {\n  path = \"a\";\n  path = \"b\";\n};\n");
  char err[512];
  const char *head;

  (void)state;
  assert_int_equal(crm_config_check(path, err, sizeof(err)), CRM_ECONFIG);
  head = lt_fmt("%s:3: ", path);
  assert_memory_equal(err, head, strlen(head));
  assert_non_null(strstr(err, "duplicate"));
}

static void test_missing_file(void **state)
{
  char err[512];
  const char *path = lt_fmt("%s/absent.conf", dir.path);
  char want[1024];

  (void)state;
  snprintf(want, sizeof(want), "%s: cannot read configuration file: No such "
           "file or directory", path);
  assert_int_equal(crm_config_check(path, err, sizeof(err)), CRM_ECONFIG);
  assert_string_equal(err, want);
}

/* The shipped sample is valid: rfm and the four scoring models, the
 * three loyalty packs behind basic_points, the file channel, triage and
 * basic_case; only the dealer's pack is required. */
static void test_sample(void **state)
{
  static const char *const names[] = {
    "rfm", "clv", "churn", "lead", "loyalty_index", "basic_points",
    "air_miles", "supermarket_points", "dealer_rebate", "file", "smtp",
    "sms_http", "webhook", "triage", "basic_case"};
  static const int required[] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0,
                                 0};
  /* the real channels are there as examples, disabled (the dry run goes
   * to the file channel) */
  static const int enabled[] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1,
                                1};
  const size_t n = sizeof(names) / sizeof(names[0]);
  const char *path = CRM_TEST_SOURCE_DIR "/conf/crm.conf";
  crm__config *c = NULL;
  char err[512];
  size_t i;
  int bins = 0;
  const char *cur = NULL;
  crm__lifecycle_cfg d;

  (void)state;
  assert_int_equal(crm_config_check(path, err, sizeof(err)), 0);
  assert_int_equal(crm__config_read(path, &c, err, sizeof(err)), 0);
  assert_int_equal(c->n_plugin_paths, 1);
  assert_string_equal(c->plugin_paths[0], "/usr/local/lib/crm/plugins");
  assert_int_equal(c->n_plugins, n);
  for(i = 0; i < n; i++) {
    assert_string_equal(c->plugins[i].name, names[i]);
    assert_int_equal(c->plugins[i].enabled, enabled[i]);
    assert_int_equal(c->plugins[i].required, required[i]);
    assert_non_null(c->plugins[i].setting);
    /* only the reward schemes carry the core's scheme rules */
    if(i >= 5 && i <= 8)
      assert_non_null(c->plugins[i].scheme);
    else
      assert_null(c->plugins[i].scheme);
  }
  assert_true(config_setting_lookup_int(c->plugins[0].setting, "bins",
                                        &bins));
  assert_int_equal(bins, 5);
  assert_true(config_setting_lookup_string(c->plugins[1].setting,
                                           "time_unit", &cur));
  assert_string_equal(cur, "week");
  assert_true(config_setting_lookup_string(c->plugins[5].setting,
                                           "currency", &cur));
  assert_string_equal(cur, "USD");
  assert_true(config_setting_lookup_string(c->plugins[9].setting, "path",
                                           &cur));
  assert_string_equal(cur, "outbox.jsonl");
  bins = -1;
  assert_true(config_setting_lookup_bool(c->plugins[14].setting,
                                         "allow_close_new", &bins));
  assert_int_equal(bins, 0);
  crm__lifecycle_defaults(&d);
  assert_lc_equal(&c->lifecycle, &d);
  crm__config_free(c);
}

/* crm_load_config: errors in the handle, thresholds applied. */
static void test_load_config(void **state)
{
  crm *c = lt_open(NULL);
  const char *path;

  (void)state;
  path = conf("lifecycle = {\n  window_days = 0;\n};\n");
  assert_int_equal(crm_load_config(c, path, NULL), CRM_ECONFIG);
  assert_string_equal(crm_errmsg(c), lt_fmt("%s:2: lifecycle.window_days is "
                      "0; it must be between 1 and 1000000", path));
  assert_int_equal(c->lc.window_days, 365);
  assert_null(c->conf);
  assert_int_equal(crm_load_config(c, path, "relative/dir"), CRM_EINVAL);
  assert_string_equal(crm_errmsg(c), "plugin directory \"relative/dir\" is "
                      "not absolute; give the full path");
  path = conf("lifecycle = { window_days = 90; lost_days = 120; "
              "at_risk_factor = 3; };\n");
  assert_int_equal(crm_load_config(c, path, NULL), 0);
  assert_int_equal(c->lc.window_days, 90);
  assert_int_equal(c->lc.lost_days, 120);
  assert_true(c->lc.at_risk_factor == 3.0);
  assert_int_equal(crm_load_config(c, path, NULL), CRM_ESTATE);
  crm_close(c);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_full),
    cmocka_unit_test(test_defaults),
    cmocka_unit_test(test_store_relative),
    cmocka_unit_test(test_errors),
    cmocka_unit_test(test_duplicate_setting),
    cmocka_unit_test(test_missing_file),
    cmocka_unit_test(test_sample),
    cmocka_unit_test(test_load_config),
  };

  return cmocka_run_group_tests_name("config", tests, setup, teardown);
}
