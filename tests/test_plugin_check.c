/*
 * test_plugin_check.c - crm_plugin_check (the forked pre-flight check) on
 * the fixture plugins, and the shipped sample config with the shipped
 * plugins. Each case runs in its own process, as in test_loader.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader_util.h"

#define SO(name) FIXDIR "/" name ".so"

/* ---- crm_plugin_check -------------------------------------------------- */

static void case_plugin_check_good(void **state)
{
  char msg[512];

  (void)state;
  assert_int_equal(crm_plugin_check(SO("fx_good"), msg, sizeof(msg)), 0);
  assert_string_equal(msg, lt_fmt("plugin \"fx_good\" 1.2.3 by Fixture "
                      "Works (SDK ABI %d.%d): fx_good_points:reward",
                      CRM_SDK_ABI_MAJOR, CRM_SDK_ABI_MINOR));
  /* the caller never mapped it */
  assert_false(lt_mapped(SO("fx_good")));
}

static void case_plugin_check_init_segv(void **state)
{
  char msg[512];

  (void)state;
  assert_int_equal(crm_plugin_check(SO("fx_initsegv"), msg, sizeof(msg)),
                   CRM_EPLUGIN);
  assert_string_equal(msg, lt_fmt("plugin check crashed: killed by signal "
                      "%d (segmentation fault) while initialising %s",
                      SIGSEGV, SO("fx_initsegv")));
  /* the caller is alive and can check again */
  assert_int_equal(crm_plugin_check(SO("fx_good"), msg, sizeof(msg)), 0);
}

static void case_plugin_check_ctor_segv(void **state)
{
  char msg[512];

  (void)state;
  assert_int_equal(crm_plugin_check(SO("fx_ctorsegv"), msg, sizeof(msg)),
                   CRM_EPLUGIN);
  assert_string_equal(msg, lt_fmt("plugin check crashed: killed by signal "
                      "%d (segmentation fault) while loading %s", SIGSEGV,
                      SO("fx_ctorsegv")));
  assert_false(lt_mapped(SO("fx_ctorsegv")));
}

static void case_plugin_check_major(void **state)
{
  char msg[512];

  (void)state;
  assert_int_equal(crm_plugin_check(SO("fx_major"), msg, sizeof(msg)),
                   CRM_EPLUGIN);
  assert_string_equal(msg, lt_fmt("plugin \"fx_major\" (%s) refused: built "
                      "for SDK ABI %d.%d, core has %d.%d; rebuild against "
                      "crm-sdk %d.x", SO("fx_major"), CRM_SDK_ABI_MAJOR + 1,
                      CRM_SDK_ABI_MINOR, CRM_SDK_ABI_MAJOR,
                      CRM_SDK_ABI_MINOR, CRM_SDK_ABI_MAJOR));
  /* and a plugin whose init fails: the loader's own message */
  assert_int_equal(crm_plugin_check(SO("fx_initfail"), msg, sizeof(msg)),
                   CRM_EPLUGIN);
  assert_string_equal(msg, "plugin \"fx_initfail\" (" SO("fx_initfail")
                      ") failed: init returned -2: missing api key");
}

static void case_plugin_check_missing(void **state)
{
  char msg[512];

  (void)state;
  assert_int_equal(crm_plugin_check("/nonexistent/nope.so", msg,
                                    sizeof(msg)), CRM_EPLUGIN);
  assert_string_equal(msg, "plugin \"nope\" (/nonexistent/nope.so) refused: "
                      "cannot open: No such file or directory; check the "
                      "path and that the plugin is installed");
}

/* init never returns: the check gives up after CRM_PLUGIN_CHECK_TIMEOUT
 * seconds, says where the child was, and ends it. */
static void case_plugin_check_init_hang(void **state)
{
  char msg[512];

  (void)state;
  assert_int_equal(setenv("CRM_PLUGIN_CHECK_TIMEOUT", "1", 1), 0);
  assert_int_equal(crm_plugin_check(SO("fx_inithang"), msg, sizeof(msg)),
                   CRM_EPLUGIN);
  assert_string_equal(msg, "plugin check timed out after 1 s while "
                      "initialising " SO("fx_inithang"));
  assert_int_equal(unsetenv("CRM_PLUGIN_CHECK_TIMEOUT"), 0);
  assert_int_equal(crm_plugin_check(SO("fx_good"), msg, sizeof(msg)), 0);
}

/* init leaves a sleeping process behind that holds the check's pipe: the
 * check still ends when the child does (with the default timeout, which
 * it must not reach), and ends that process too - else ctest, which
 * waits for the test's output to close, would wait for it. */
static void case_plugin_check_init_fork(void **state)
{
  char msg[512];

  (void)state;
  assert_int_equal(unsetenv("CRM_PLUGIN_CHECK_TIMEOUT"), 0);
  assert_int_equal(crm_plugin_check(SO("fx_initfork"), msg, sizeof(msg)),
                   0);
  assert_string_equal(msg, lt_fmt("plugin \"fx_initfork\" 1.2.3 by Fixture "
                      "Works (SDK ABI %d.%d): fx_initfork_points:reward",
                      CRM_SDK_ABI_MAJOR, CRM_SDK_ABI_MINOR));
}

/* ---- the shipped sample with the shipped plugins ----------------------- */

/* A caller that ignores SIGCHLD: the check still waits for its child
 * and reports, and the caller's disposition is given back. */
static void case_plugin_check_sigchld_ignored(void **state)
{
  struct sigaction now;
  char msg[512];

  (void)state;
  signal(SIGCHLD, SIG_IGN);
  assert_int_equal(crm_plugin_check(SO("fx_major"), msg, sizeof(msg)),
                   CRM_EPLUGIN);
  assert_non_null(strstr(msg, "refused: built for SDK ABI"));
  assert_int_equal(crm_plugin_check(SO("fx_good"), msg, sizeof(msg)), 0);
  assert_int_equal(sigaction(SIGCHLD, NULL, &now), 0);
  assert_true(now.sa_handler == SIG_IGN);
}

static void case_shipped_plugins(void **state)
{
  static const struct {
    const char *name;
    int kind;
  } want[] = {{"rfm", CRM_KIND_SCORING},
              {"basic_points", CRM_KIND_REWARD},
              {"file", CRM_KIND_CHANNEL},
              {"basic_case", CRM_KIND_COMPLAINT}};
  crm *c = lt_open(NULL);
  char msg[512];
  size_t i;

  (void)state;
  assert_int_equal(crm_load_config(c, CRM_TEST_SOURCE_DIR "/conf/crm.conf",
                                   CRM_TEST_PLUGIN_DIR), 0);
  for(i = 0; i < 4; i++) {
    lt_pstate s = lt_state(c, want[i].name);
    const char *so = lt_fmt("%s/%s.so", CRM_TEST_PLUGIN_DIR, want[i].name);

    if(strcmp(s.state, "loaded") != 0)
      fail_msg("%s: %s: %s", want[i].name, s.state, s.reason);
    assert_string_equal(s.path, so);
    assert_non_null(crm__component_find(c, want[i].kind, NULL));
    assert_int_equal(crm_plugin_check(so, msg, sizeof(msg)), 0);
  }
  assert_int_equal(c->lc.window_days, 365);
  crm_close(c);
}

#define CASE(n) cmocka_unit_test(case_##n)

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
    CASE(plugin_check_good), CASE(plugin_check_init_segv),
    CASE(plugin_check_ctor_segv), CASE(plugin_check_major),
    CASE(plugin_check_missing), CASE(plugin_check_init_hang),
    CASE(plugin_check_init_fork), CASE(shipped_plugins),
    CASE(plugin_check_sigchld_ignored),
  };

  return lt_main(argc, argv, "plugin_check", tests,
                 sizeof(tests) / sizeof(tests[0]));
}
