/*
 * test_alloc_torture.c - crm_load_config with the Nth core allocation
 * failing, for every N until a run needs no failure (curl's torture
 * mode). Each run must fail cleanly - CRM_ENOMEM, or a plugin recorded
 * as refused/failed with a message - and leave nothing allocated once
 * the handle is closed. Under ASan, LeakSanitizer checks the rest.
 *
 * dlopen's, SQLite's and libconfig's own allocations are not crm__ ones
 * and are not failed here.
 */
#include <stdio.h>
#include <string.h>

#include "loader_util.h"

static const char conf_text[] =
  "lifecycle = { window_days = 200; };\n"
  "plugins = {\n"
  "  path = [ \"/nonexistent/a\", \"/nonexistent/b\" ];\n"
  "  load = (\n"
  "    { name = \"fx_good\"; config = { mult = 3; }; },\n"
  "    { name = \"fx_initfail\"; },\n"
  "    { name = \"fx_other\"; required = true; }\n"
  "  );\n"
  "};\n";

struct run {
  int rc;
  char errmsg[CRM__ERRMSG_SIZE];
  lt_pstate good, initfail, other;
  int64_t good_points, other_points;
  long fired; /* allocations counted during the load */
};

static void torture_once(const char *conf, long n, struct run *r)
{
  crm *c;
  lt_log log;

  memset(r, 0, sizeof(*r));
  c = lt_open(NULL);
  lt_log_attach(c, &log);
  crm__alloc_fail_at(n);
  r->rc = crm_load_config(c, conf, FIXDIR);
  r->fired = crm__alloc_count();
  crm__alloc_fail_at(0);
  snprintf(r->errmsg, sizeof(r->errmsg), "%s", crm_errmsg(c));
  r->good = lt_state(c, "fx_good");
  r->initfail = lt_state(c, "fx_initfail");
  r->other = lt_state(c, "fx_other");
  if(crm__component_find(c, CRM_KIND_REWARD, "fx_good_points"))
    assert_int_equal(lt_reward(c, "fx_good_points", "purchase",
                               &r->good_points), 0);
  if(crm__component_find(c, CRM_KIND_REWARD, "fx_other_points"))
    assert_int_equal(lt_reward(c, "fx_other_points", "purchase",
                               &r->other_points), 0);
  crm_close(c);
}

/* A run whose injected failure fired: a clean failure, said so. */
static void check_failed_run(long n, const struct run *r)
{
  if(r->rc == CRM_ENOMEM) {
    if(!strstr(r->errmsg, "out of memory"))
      fail_msg("n=%ld: CRM_ENOMEM without saying so: %s", n, r->errmsg);
    return;
  }
  if(r->rc == CRM_EPLUGIN) {
    /* fx_other is required: its failure is the message */
    if(strncmp(r->errmsg, "plugin \"fx_other\"", 17) != 0)
      fail_msg("n=%ld: unexpected CRM_EPLUGIN: %s", n, r->errmsg);
    return;
  }
  if(r->rc != 0)
    fail_msg("n=%ld: rc %d: %s", n, r->rc, r->errmsg);
  /* The core ran on: a plugin that could not allocate says so. */
  if(strcmp(r->good.state, "loaded") != 0 &&
     !strstr(r->good.reason, "out of memory"))
    fail_msg("n=%ld: fx_good %s: %s", n, r->good.state, r->good.reason);
  if(strcmp(r->good.state, "loaded") == 0 && r->good_points != 3)
    fail_msg("n=%ld: fx_good gives %lld", n, (long long)r->good_points);
}

static void test_torture(void **state)
{
  lt_dir dir;
  const char *conf;
  struct run r;
  long before;
  long n;
  int clean_failures = 0;

  (void)state;
  lt_dir_init(&dir);
  conf = lt_write(&dir, "crm.conf", conf_text);
  for(n = 1; n < 100000; n++) {
    before = crm__alloc_outstanding();
    torture_once(conf, n, &r);
    if(crm__alloc_outstanding() != before)
      fail_msg("n=%ld: %ld allocations leaked", n,
               crm__alloc_outstanding() - before);
    if(r.fired < n)
      break; /* no failure was injected: this run must simply work */
    check_failed_run(n, &r);
    clean_failures++;
  }
  /* The run without an injected failure. */
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.good.state, "loaded");
  assert_string_equal(r.initfail.state, "failed");
  assert_string_equal(r.initfail.reason, "init returned -2: missing api "
                      "key");
  assert_string_equal(r.other.state, "loaded");
  assert_int_equal(r.good_points, 3);
  assert_int_equal(r.other_points, 7);
  print_message("%d allocation failures injected\n", clean_failures);
  /* every allocation of a full load was failed once */
  assert_int_equal(clean_failures, n - 1);
  assert_true(clean_failures > 10);
  lt_dir_done(&dir);
}

/* The reload path under the same treatment: reloads new_text over
 * conf_text; without an injected failure the reload returns want_rc. */
static void torture_reload(const char *new_text, int want_rc)
{
  lt_dir dir;
  const char *conf;
  char path[LT_PATH];
  long before;
  long n;
  long fired;
  int rc;

  lt_dir_init(&dir);
  snprintf(path, sizeof(path), "%s", lt_write(&dir, "crm.conf", conf_text));
  conf = path;
  for(n = 1; n < 100000; n++) {
    crm *c;
    lt_log log;

    before = crm__alloc_outstanding();
    c = lt_open(NULL);
    lt_log_attach(c, &log);
    assert_int_equal(crm_load_config(c, conf, FIXDIR), 0);
    lt_write(&dir, "crm.conf", new_text);
    crm__alloc_fail_at(n);
    rc = crm_reload_config(c);
    fired = crm__alloc_count();
    crm__alloc_fail_at(0);
    if(fired >= n && rc != 0 && rc != CRM_ENOMEM && rc != want_rc)
      fail_msg("n=%ld: reload rc %d: %s", n, rc, crm_errmsg(c));
    if(rc == CRM_ENOMEM && !strstr(crm_errmsg(c), "out of memory"))
      fail_msg("n=%ld: %s", n, crm_errmsg(c));
    crm_close(c);
    lt_write(&dir, "crm.conf", conf_text);
    if(crm__alloc_outstanding() != before)
      fail_msg("n=%ld: %ld allocations leaked", n,
               crm__alloc_outstanding() - before);
    if(fired < n) {
      assert_int_equal(rc, want_rc);
      break;
    }
  }
  assert_true(n > 5);
  lt_dir_done(&dir);
}

static void test_torture_reload(void **state)
{
  (void)state;
  torture_reload("plugins = { load = (\n"
                 "  { name = \"fx_good\"; config = { mult = 4; }; },\n"
                 "  { name = \"fx_norecon\"; },\n"
                 "  { name = \"fx_other\"; enabled = false; } ); };\n", 0);
}

/* Two plugins refuse their new groups and keep the old config tree
 * alive; closing the handle must free it. */
static void test_torture_reload_refused(void **state)
{
  (void)state;
  torture_reload("plugins = { load = (\n"
                 "  { name = \"fx_good\"; config = { mult = -1; }; },\n"
                 "  { name = \"fx_norecon\"; },\n"
                 "  { name = \"fx_other\"; required = true;\n"
                 "    config = { mult = -2; }; } ); };\n", CRM_EPLUGIN);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_torture),
    cmocka_unit_test(test_torture_reload),
    cmocka_unit_test(test_torture_reload_refused),
  };

  return cmocka_run_group_tests_name("alloc_torture", tests, NULL, NULL);
}
