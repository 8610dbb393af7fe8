/*
 * test_plugin_loyalty_index_host.c - the loyalty_index plugin in
 * isolation (fake host, no core): what it declares, its refusal of a host
 * older than SDK 1.3, a reload with a wrong setting keeping the old ones,
 * and that fini gives back every host allocation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "test_plugin_fake.h"

static crm_host_ctx host;

static int setup(void **state)
{
  (void)state;
  fake_reset(&host);
  return 0;
}

static void test_descriptor(void **state)
{
  const crm_plugin_desc *d;
  const crm_scoring_v1 *vt;

  (void)state;
  d = fake_open(&host, "loyalty_index");
  assert_string_equal(d->name, "loyalty_index");
  assert_int_equal(d->abi_minor, 3);
  assert_int_equal(d->n_components, 1);
  assert_string_equal(d->components[0]->name, "loyalty_index");
  assert_int_equal(d->components[0]->kind, CRM_KIND_SCORING);
  assert_non_null(d->reconfigure);
  vt = d->components[0]->vtable;
  assert_non_null(vt->score_batch);
  assert_non_null(vt->fit);
  assert_non_null(vt->score_event);
  assert_null(vt->score_one);
}

/* A 1.2 host has no score_write / events_walk: refused, with why. */
static void test_old_host(void **state)
{
  (void)state;
  fake_host_1_2(&host);
  assert_int_equal(fake_load(&host, "loyalty_index"), CRM_ENOTSUP);
  assert_string_equal(host.errmsg, "host has no score_write or events_walk "
                                   "(core sdk 1.2, loyalty_index needs 1.3)");
  assert_null(host.state);
  assert_int_equal(host.allocs_live, 0);
}

/* A wrong setting on reload is refused and the plugin keeps running. */
static void test_reconfigure(void **state)
{
  (void)state;
  fake_cfg_float(&host, "weights.recommend", 1.0);
  assert_int_equal(fake_load(&host, "loyalty_index"), CRM_OK);
  assert_non_null(host.state);
  fake_cfg_int(&host, "survey_window_days", 0);
  assert_int_equal(host.desc->reconfigure(host.state, &host), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "survey_window_days must be between 1 "
                                   "and 36500 (got 0)");
  fake_unload(&host); /* asserts every allocation was freed */
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup(test_descriptor, setup),
    cmocka_unit_test_setup(test_old_host, setup),
    cmocka_unit_test_setup(test_reconfigure, setup),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
