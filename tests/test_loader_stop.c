/* test_loader_stop.c - a required plugin that fails stops start-up, and
 * the entries after it are still listed, with why. */
#include <stdio.h>
#include <string.h>

#include "loader_util.h"

static void test_required_failure_lists_the_rest(void **state)
{
  lt_dir d;
  const char *conf;
  lt_pstate st;
  crm *c = NULL;

  (void)state;
  lt_dir_init(&d);
  conf = lt_write(&d, "crm.conf", lt_fmt(
    "plugins = {\n"
    "  path = [ \"%s\" ];\n"
    "  load = (\n"
    "    { name = \"fx_good\"; },\n"
    "    { name = \"fx_initfail\"; required = true; },\n"
    "    { name = \"fx_other\"; },\n"
    "    { name = \"fx_norecon\"; enabled = false; }\n"
    "  );\n"
    "};\n", FIXDIR));
  assert_int_equal(crm_open(&c, ":memory:", CRM_OPEN_CREATE), CRM_OK);
  crm_set_log(c, NULL, NULL, -1);
  assert_int_equal(crm_load_config(c, conf, NULL), CRM_EPLUGIN);
  /* The error is the required plugin's, not a later record's. */
  assert_non_null(strstr(crm_errmsg(c), "plugin \"fx_initfail\""));
  assert_int_equal(lt_count_states(c), 4);
  st = lt_state(c, "fx_good");
  assert_string_equal(st.state, "loaded");
  st = lt_state(c, "fx_initfail");
  assert_string_equal(st.state, "failed");
  st = lt_state(c, "fx_other");
  assert_string_equal(st.state, "disabled");
  assert_string_equal(st.reason, "not loaded: loading stopped when "
                      "required plugin \"fx_initfail\" failed");
  st = lt_state(c, "fx_norecon");
  assert_string_equal(st.state, "disabled");
  assert_string_equal(st.reason, "disabled in the configuration");
  crm_close(c);
  lt_dir_done(&d);
}

/* The same on a reload: a newly added required plugin fails, the entries
 * after it are listed as not loaded, those before it keep running. */
static void test_reload_required_failure_lists_the_rest(void **state)
{
  lt_dir d;
  const char *conf;
  lt_pstate st;
  crm *c = NULL;

  (void)state;
  lt_dir_init(&d);
  conf = lt_write(&d, "crm.conf", lt_fmt(
    "plugins = { path = [ \"%s\" ];\n"
    "  load = ( { name = \"fx_good\"; } ); };\n", FIXDIR));
  assert_int_equal(crm_open(&c, ":memory:", CRM_OPEN_CREATE), CRM_OK);
  crm_set_log(c, NULL, NULL, -1);
  assert_int_equal(crm_load_config(c, conf, NULL), CRM_OK);
  lt_write(&d, "crm.conf", lt_fmt(
    "plugins = { path = [ \"%s\" ];\n"
    "  load = ( { name = \"fx_good\"; },\n"
    "    { name = \"fx_initfail\"; required = true; },\n"
    "    { name = \"fx_other\"; } ); };\n", FIXDIR));
  assert_int_equal(crm_reload_config(c), CRM_EPLUGIN);
  assert_non_null(strstr(crm_errmsg(c), "plugin \"fx_initfail\""));
  st = lt_state(c, "fx_good");
  assert_string_equal(st.state, "loaded");
  st = lt_state(c, "fx_initfail");
  assert_string_equal(st.state, "failed");
  st = lt_state(c, "fx_other");
  assert_string_equal(st.state, "disabled");
  assert_string_equal(st.reason, "not loaded: loading stopped when "
                      "required plugin \"fx_initfail\" failed");
  crm_close(c);
  lt_dir_done(&d);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_required_failure_lists_the_rest),
    cmocka_unit_test(test_reload_required_failure_lists_the_rest),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
