/*
 * test_sdk_install.c - the checking half of test_sdk_install.sh: runs
 * crm_plugin_check (the public API, a forked child) on each plugin file
 * named on the command line and expects it accepted, its summary naming
 * the plugin (the file's stem).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "crm/crm.h"

static int n_paths;
static char **paths;

static void test_check_all(void **state)
{
  char msg[512];
  char stem[128];
  const char *base;
  const char *dot;
  int i;

  (void)state;
  assert_true(n_paths > 0);
  for(i = 0; i < n_paths; i++) {
    base = strrchr(paths[i], '/');
    base = base ? base + 1 : paths[i];
    dot = strrchr(base, '.');
    snprintf(stem, sizeof(stem), "%.*s",
             (int)(dot ? (size_t)(dot - base) : strlen(base)), base);
    msg[0] = '\0';
    if(crm_plugin_check(paths[i], msg, sizeof(msg)) != CRM_OK)
      fail_msg("%s refused: %s", paths[i], msg);
    if(!strstr(msg, stem))
      fail_msg("%s: summary \"%s\" does not name %s", paths[i], msg, stem);
    printf("ok %s: %s\n", paths[i], msg);
  }
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_check_all),
  };

  n_paths = argc - 1;
  paths = argv + 1;
  return cmocka_run_group_tests(tests, NULL, NULL);
}
