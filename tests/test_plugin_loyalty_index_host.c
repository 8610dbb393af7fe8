/*
 * test_plugin_loyalty_index_host.c - the loyalty_index plugin in
 * isolation (fake host, no core): what it declares, its refusal of a host
 * older than SDK 1.3, a reload with a wrong setting keeping the old ones,
 * the reading of the share_of_wallet attribute, and that fini gives back
 * every host allocation.
 */
#include <math.h>
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
  assert_int_equal(d->abi_minor, CRM_SDK_ABI_MINOR);
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


static int vt_score_event(const crm_customer_view *v, int64_t as_of)
{
  const crm_scoring_v1 *vt = fake_vtable(&host, CRM_KIND_SCORING);

  return vt->score_event(host.state, &host, NULL, v, as_of);
}

/* share_of_wallet has one reading: a plain number is a fraction 0..1, a
 * number with % a percentage 0..100, anything else is invalid (the part
 * is unknown, one warning per customer scored, the scoring goes on).
 *
 * Each customer made one referral and never bought (default settings):
 * known parts referral 60 (weight 0.1) and, when the attribute reads,
 * switching = share of wallet in % (weight 0.15), so
 *   index = (0.1 x 60 + 0.15 x sow) / 0.25 = 24 + 0.6 x sow
 *   "1"    -> 100 %: index 24 + 60  = 84
 *   "0.35" -> 35 %:  index 24 + 21  = 45
 *   "1.5%" -> 1.5 %: index 24 + 0.9 = 24.9
 * and when it does not read, switching is unknown and
 *   index = 0.1 x 60 / 0.1 = 60 (referral alone).
 * The old reading (v <= 1 ? 100 v : v) took "1.5" as 1.5 % (index 24.9)
 * and "35" as 35 % (index 45). */
struct sow_case {
  const char *attr;
  double sow;   /* < 0: invalid */
  double index;
};

static void test_share_of_wallet(void **state)
{
  static const struct sow_case cases[] = {
    {"1", 100, 84},     {"0.35", 35, 45},   {" 0.35 ", 35, 45},
    {"1.5%", 1.5, 24.9}, {"35 %", 35, 45},  {"0", 0, 24},
    {"1.5", -1, 60},    {"35", -1, 60},     {"101%", -1, 60},
    {"-0.1", -1, 60},   {"0x1p-1", -1, 60}, {"35%%", -1, 60},
    {"abc", -1, 60},
  };
  const struct fake_score *s;
  crm_customer_view v;
  size_t i;
  int64_t id;
  int logs;

  (void)state;
  assert_int_equal(fake_load(&host, "loyalty_index"), CRM_OK);
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    id = (int64_t)i + 1;
    fake_event(&host, id, "referral", INT64_C(86400) * 19000, 0, NULL, NULL);
    fake_attr(&host, id, "share_of_wallet", cases[i].attr);
    memset(&v, 0, sizeof(v));
    v.struct_size = sizeof(v);
    v.customer_id = id;
    logs = host.n_logs;
    assert_int_equal(vt_score_event(&v, INT64_C(86400) * 19001), CRM_OK);
    s = fake_score_find(&host, id, "index");
    assert_non_null(s);
    if(fabs(s->value - cases[i].index) > 1e-9)
      fail_msg("share_of_wallet \"%s\": index %.6f, expected %.6f",
               cases[i].attr, s->value, cases[i].index);
    s = fake_score_find(&host, id, "switching");
    if(cases[i].sow < 0) {
      assert_null(s);
      assert_int_equal(host.n_logs, logs + 1);
      assert_non_null(strstr(host.last_log, "share_of_wallet"));
      assert_non_null(strstr(host.last_log, "ignored: expected a fraction "
                                            "0..1 or a percentage such as "
                                            "35%"));
    }
    else {
      assert_non_null(s);
      assert_true(fabs(s->value - cases[i].sow) < 1e-9);
      assert_int_equal(host.n_logs, logs);
    }
  }
  fake_unload(&host);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup(test_descriptor, setup),
    cmocka_unit_test_setup(test_old_host, setup),
    cmocka_unit_test_setup(test_reconfigure, setup),
    cmocka_unit_test_setup(test_share_of_wallet, setup),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
