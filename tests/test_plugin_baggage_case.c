/*
 * test_plugin_baggage_case.c - the airline pack's baggage_case handler in
 * isolation (fake host): the category it gives, the standard moves and
 * the fixed compensation that replaces the agent's on resolution.
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
static int64_t next_id; /* resolve(): a baggage case of its own each time */

static int setup(void **state)
{
  (void)state;
  fake_reset(&host);
  next_id = 0;
  return 0;
}

static const crm_complaint_v1 *vt(void)
{
  return fake_vtable(&host, CRM_KIND_COMPLAINT);
}

/* Resolves case id (category cat) with this summary; the agent asked for
 * 500 points and a voucher item. */
static int resolve_case(int64_t id, const char *cat, const char *summary,
                        crm_case_decision *d)
{
  crm_case_view cv;
  char number[24];

  snprintf(number, sizeof(number), "C-%06lld", (long long)id);
  memset(&cv, 0, sizeof(cv));
  cv.struct_size = sizeof(cv);
  cv.case_id = id;
  cv.number = number;
  cv.state = "In progress";
  cv.category = cat;
  cv.summary = summary;
  cv.comp_points = 500;
  cv.comp_item = "LOUNGE";
  memset(d, 0, sizeof(*d));
  d->struct_size = sizeof(*d);
  d->comp_points = 500;
  snprintf(d->comp_item, sizeof(d->comp_item), "LOUNGE");
  host.errmsg[0] = '\0';
  return vt()->transition(host.state, &host, &cv, "Resolved", d);
}

static int resolve(const char *summary, crm_case_decision *d)
{
  return resolve_case(++next_id, "baggage", summary, d);
}

static void test_open(void **state)
{
  crm_case_decision d;
  crm_case_view cv;

  (void)state;
  assert_int_equal(fake_load(&host, "baggage_case"), CRM_OK);
  assert_string_equal(vt()->states[0], "New");
  assert_string_equal(vt()->states[7], "Duplicate");
  assert_null(vt()->states[8]);
  memset(&cv, 0, sizeof(cv));
  cv.struct_size = sizeof(cv);
  cv.case_id = 42;
  cv.summary = "my bag did not come on AF123";
  cv.category = "";
  memset(&d, 0, sizeof(d));
  d.struct_size = sizeof(d);
  assert_int_equal(vt()->open(host.state, &host, &cv, &d), CRM_OK);
  assert_string_equal(d.state, "New");
  assert_string_equal(d.category, "baggage");
  assert_int_equal(d.priority, 2);
  fake_unload(&host);
}

/* The pack's amounts replace the agent's request; no voucher item. */
static void test_fixed_compensation(void **state)
{
  crm_case_decision d;

  (void)state;
  assert_int_equal(fake_load(&host, "baggage_case"), CRM_OK);
  assert_int_equal(resolve("bag delayed two days", &d), CRM_OK);
  assert_string_equal(d.state, "Resolved");
  assert_int_equal(d.comp_points, 3000);
  assert_string_equal(d.comp_item, "");
  assert_string_equal(d.comp_note, "delayed bag: 3000 points, airline pack");
  assert_int_equal(resolve("my suitcase is LOST", &d), CRM_OK);
  assert_int_equal(d.comp_points, 10000);
  assert_string_equal(d.comp_note, "lost bag (\"lost\"): 10000 points, "
                                   "airline pack");
  /* whole words only: "lostock" is a place, not a lost bag */
  assert_int_equal(resolve("delayed at Lostock", &d), CRM_OK);
  assert_int_equal(d.comp_points, 3000);
  fake_unload(&host);
  /* the pack's config */
  fake_cfg_int(&host, "delayed_bag_points", 2500);
  fake_cfg_int(&host, "lost_bag_points", 8000);
  fake_cfg_str(&host, "lost_words.[0]", "vanished");
  assert_int_equal(fake_load(&host, "baggage_case"), CRM_OK);
  assert_int_equal(resolve("my bag vanished", &d), CRM_OK);
  assert_int_equal(d.comp_points, 8000);
  assert_int_equal(resolve("my bag is lost", &d), CRM_OK); /* not listed */
  assert_int_equal(d.comp_points, 2500);
  fake_unload(&host);
}

static void test_moves(void **state)
{
  crm_case_decision d;
  crm_case_view cv;

  (void)state;
  assert_int_equal(fake_load(&host, "baggage_case"), CRM_OK);
  memset(&cv, 0, sizeof(cv));
  cv.struct_size = sizeof(cv);
  cv.case_id = 42;
  cv.number = "C-000042";
  cv.state = "New";
  cv.summary = "bag";
  memset(&d, 0, sizeof(d));
  d.struct_size = sizeof(d);
  assert_int_equal(vt()->transition(host.state, &host, &cv, "Closed", &d),
                   CRM_ESTATE);
  assert_string_equal(host.errmsg, "cannot move case C-000042 from New to "
                                   "Closed; allowed: Assigned, In progress, "
                                   "Waiting on customer, Resolved, "
                                   "Rejected, Duplicate");
  /* a move that is not to Resolved leaves the compensation alone */
  d.comp_points = 7;
  assert_int_equal(vt()->transition(host.state, &host, &cv, "Assigned", &d),
                   CRM_OK);
  assert_int_equal(d.comp_points, 7);
  fake_unload(&host);
}

/* The pack's amount is per bag, not per resolution: a reopened case
 * resolved again gets what is still due (nothing for the same bag, the
 * difference when the rule now gives more), so the core's limit per case
 * (max_points >= lost_bag_points) is never passed and the resolve is not
 * refused. What was granted is kept in the plugin kv ("granted:<id>"),
 * in the resolve's transaction. */
static void test_second_resolution(void **state)
{
  crm_case_decision d;

  (void)state;
  assert_int_equal(fake_load(&host, "baggage_case"), CRM_OK);
  assert_int_equal(resolve_case(7, "baggage", "bag LOST", &d), CRM_OK);
  assert_int_equal(d.comp_points, 10000);
  assert_string_equal(fake_kv_find(&host, "granted:7"), "10000");
  /* reopened, resolved again: 10000 - 10000 = 0, no item */
  assert_int_equal(resolve_case(7, "baggage", "bag LOST", &d), CRM_OK);
  assert_int_equal(d.comp_points, 0);
  assert_string_equal(d.comp_item, "");
  assert_string_equal(fake_kv_find(&host, "granted:7"), "10000");
  /* case 8: delayed (3000); then the airline raises the delayed amount
   * to 4000: the second resolution gets 4000 - 3000 = 1000 */
  assert_int_equal(resolve_case(8, "baggage", "bag delayed", &d), CRM_OK);
  assert_int_equal(d.comp_points, 3000);
  fake_unload(&host);
  fake_cfg_int(&host, "delayed_bag_points", 4000);
  assert_int_equal(fake_load(&host, "baggage_case"), CRM_OK);
  assert_int_equal(resolve_case(8, "baggage", "bag delayed", &d), CRM_OK);
  assert_int_equal(d.comp_points, 1000);
  assert_string_equal(d.comp_note, "delayed bag: 1000 points (4000 less "
                                   "3000 granted before), airline pack");
  assert_string_equal(fake_kv_find(&host, "granted:8"), "4000");
  fake_unload(&host);
}

/* A case of another category (given by the caller or triage) is not a
 * bag: the agent's request stands, as with basic_case. */
static void test_other_category(void **state)
{
  crm_case_decision d;

  (void)state;
  assert_int_equal(fake_load(&host, "baggage_case"), CRM_OK);
  assert_int_equal(resolve_case(9, "service", "rude gate agent, bag lost",
                                &d), CRM_OK);
  assert_int_equal(d.comp_points, 500);
  assert_string_equal(d.comp_item, "LOUNGE");
  assert_null(fake_kv_find(&host, "granted:9"));
  /* the category matches in any case */
  assert_int_equal(resolve_case(10, "Baggage", "bag delayed", &d), CRM_OK);
  assert_int_equal(d.comp_points, 3000);
  fake_unload(&host);
}

static void test_config_errors(void **state)
{
  (void)state;
  fake_cfg_int(&host, "lost_bag_points", -1);
  assert_int_equal(fake_load(&host, "baggage_case"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "lost_bag_points must be between 0 and "
                                   "2147483647 (got -1)");
  fake_unload(&host);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup(test_open, setup),
    cmocka_unit_test_setup(test_fixed_compensation, setup),
    cmocka_unit_test_setup(test_moves, setup),
    cmocka_unit_test_setup(test_second_resolution, setup),
    cmocka_unit_test_setup(test_other_category, setup),
    cmocka_unit_test_setup(test_config_errors, setup),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
