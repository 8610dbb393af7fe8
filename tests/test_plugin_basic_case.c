/*
 * test_plugin_basic_case.c - the basic_case complaint plugin in isolation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

static const crm_complaint_v1 *vt(void)
{
  return fake_vtable(&host, CRM_KIND_COMPLAINT);
}

static int open_case(const char *summary, const char *category,
                     crm_case_decision *d)
{
  crm_case_view cv;

  memset(&cv, 0, sizeof(cv));
  cv.struct_size = sizeof(cv);
  cv.case_id = 12;
  cv.customer_id = 3;
  cv.summary = summary;
  cv.category = category;
  memset(d, 0, sizeof(*d));
  d->struct_size = sizeof(*d);
  return vt()->open(host.state, &host, &cv, d);
}

static int move(const char *from, const char *to, crm_case_decision *d)
{
  crm_case_view cv;

  memset(&cv, 0, sizeof(cv));
  cv.struct_size = sizeof(cv);
  cv.case_id = 12;
  cv.customer_id = 3;
  cv.state = from;
  cv.category = "other";
  cv.summary = "x";
  memset(d, 0, sizeof(*d));
  d->struct_size = sizeof(*d);
  host.errmsg[0] = '\0';
  return vt()->transition(host.state, &host, &cv, to, d);
}

static void test_descriptor_and_states(void **state)
{
  const crm_plugin_desc *d;
  const char *const *s;

  (void)state;
  d = fake_open(&host, "basic_case");
  assert_string_equal(d->name, "basic_case");
  assert_string_equal(d->vendor, "crmcore");
  assert_string_equal(d->license, "MIT");
  assert_string_equal(d->components[0]->name, "basic_case");
  s = vt()->states;
  assert_string_equal(s[0], "New");
  assert_string_equal(s[1], "Assigned");
  assert_string_equal(s[2], "Resolved");
  assert_string_equal(s[3], "Closed");
  assert_null(s[4]);
}

static void test_classify(void **state)
{
  static const struct {
    const char *summary;
    const char *category;
    int priority;
  } cases[] = {
    {"Parcel arrived two weeks LATE", "delivery", 2},
    {"the delivery never came", "delivery", 2},
    {"broken item arrived late", "quality", 2}, /* condition first */
    {"CD arrived broken", "quality", 2},
    {"screen broken out of the box", "quality", 2},
    {"a defective charger", "quality", 2},
    {"I was charged twice", "billing", 2},
    {"where is my refund?", "billing", 2},
    {"invoice has the wrong address", "billing", 2},
    {"the staff were rude", "service", 3},
    {"poor customer service", "service", 3},
    {"chocolate tasted odd", "other", 4},     /* 'late' not at a word */
    {"translated manual is odd", "other", 4}, /* start: no match */
    {"", "other", 4},
    /* keywords are whole words unless marked as stems ('*') */
    {"latest update is faulty", "quality", 2}, /* not "late" */
    {"my delivery was late", "delivery", 2},
    {"it came late.", "delivery", 2},           /* ends at punctuation */
    {"I was overcharged", "billing", 2},        /* overcharg* */
    {"the charger does not work", "quality", 2}, /* not "charge"; not work* */
    {"the charger is too slow", "other", 4},    /* "charger" is no word */
    {"a billion thanks", "other", 4},           /* not "bill" */
    {"two charges on my bill", "billing", 2},
    {"refunded only half", "billing", 2},       /* refund* */
    {"shipments keep being delayed", "delivery", 2},
    {"damages to the box", "quality", 2},       /* damage* */
    {"lateral thinking", "other", 4},
    {"late\xc3\xa9 is not a word", "other", 4}, /* UTF-8 letter follows */
  };
  crm_case_decision d;
  size_t i;

  (void)state;
  assert_int_equal(fake_load(&host, "basic_case"), CRM_OK);
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    assert_int_equal(open_case(cases[i].summary, NULL, &d), CRM_OK);
    if(strcmp(d.category, cases[i].category))
      fail_msg("\"%s\": got %s, want %s", cases[i].summary, d.category,
               cases[i].category);
    assert_string_equal(d.state, "New");
    assert_int_equal(d.priority, cases[i].priority);
  }
  fake_unload(&host);
}

/* A given category is kept ("" in the decision) and sets the priority. */
static void test_given_category(void **state)
{
  crm_case_decision d;

  (void)state;
  fake_cfg_int(&host, "priority.packaging", 1);
  assert_int_equal(fake_load(&host, "basic_case"), CRM_OK);
  assert_int_equal(open_case("late late late", "service", &d), CRM_OK);
  assert_string_equal(d.category, "");
  assert_int_equal(d.priority, 3);
  assert_int_equal(open_case("box crushed", "packaging", &d), CRM_OK);
  assert_int_equal(d.priority, 1);
  assert_int_equal(open_case("?", "unheard-of", &d), CRM_OK);
  assert_int_equal(d.priority, 3);
  fake_unload(&host);
}

static void test_priority_config(void **state)
{
  crm_case_decision d;

  (void)state;
  fake_cfg_int(&host, "priority.billing", 1);
  assert_int_equal(fake_load(&host, "basic_case"), CRM_OK);
  assert_int_equal(open_case("wrong invoice", NULL, &d), CRM_OK);
  assert_string_equal(d.category, "billing");
  assert_int_equal(d.priority, 1);
  fake_unload(&host);
  fake_reset(&host);
  fake_cfg_int(&host, "priority.billing", 7);
  assert_int_equal(fake_load(&host, "basic_case"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "priority.billing must be between 1 "
                                   "(urgent) and 4 (low) (got 7)");
  fake_unload(&host);
}

static void test_allowed_moves(void **state)
{
  crm_case_decision d;

  (void)state;
  assert_int_equal(fake_load(&host, "basic_case"), CRM_OK);
  assert_int_equal(move("New", "Assigned", &d), CRM_OK);
  assert_string_equal(d.state, "Assigned");
  assert_int_equal(move("Assigned", "Resolved", &d), CRM_OK);
  assert_int_equal(move("Resolved", "Closed", &d), CRM_OK);
  assert_int_equal(move("Resolved", "Assigned", &d), CRM_OK);
  /* names match case-insensitively; the decision is canonical */
  assert_int_equal(move("new", "assigned", &d), CRM_OK);
  assert_string_equal(d.state, "Assigned");
  fake_unload(&host);
}

static void test_refused_moves(void **state)
{
  crm_case_decision d;

  (void)state;
  assert_int_equal(fake_load(&host, "basic_case"), CRM_OK);
  assert_int_equal(move("New", "Closed", &d), CRM_ESTATE);
  assert_string_equal(host.errmsg,
                      "cannot move case 12 from New to Closed; allowed: "
                      "Assigned");
  assert_int_equal(move("New", "Resolved", &d), CRM_ESTATE);
  assert_int_equal(move("Assigned", "New", &d), CRM_ESTATE);
  assert_string_equal(host.errmsg,
                      "cannot move case 12 from Assigned to New; allowed: "
                      "Resolved");
  assert_int_equal(move("Resolved", "New", &d), CRM_ESTATE);
  assert_string_equal(host.errmsg,
                      "cannot move case 12 from Resolved to New; allowed: "
                      "Assigned, Closed");
  assert_int_equal(move("Assigned", "Assigned", &d), CRM_ESTATE);
  assert_int_equal(move("Closed", "Assigned", &d), CRM_ESTATE);
  assert_string_equal(host.errmsg,
                      "cannot move case 12 from Closed to Assigned; allowed: "
                      "none (Closed is final)");
  assert_int_equal(move("New", "Escalated", &d), CRM_EINVAL);
  assert_non_null(strstr(host.errmsg, "unknown case state \"Escalated\""));
  fake_unload(&host);
}

static void test_allow_close_new(void **state)
{
  crm_case_decision d;

  (void)state;
  fake_cfg_bool(&host, "allow_close_new", 1);
  assert_int_equal(fake_load(&host, "basic_case"), CRM_OK);
  assert_int_equal(move("New", "Closed", &d), CRM_OK);
  assert_string_equal(d.state, "Closed");
  assert_int_equal(move("New", "Resolved", &d), CRM_ESTATE);
  assert_string_equal(host.errmsg,
                      "cannot move case 12 from New to Resolved; allowed: "
                      "Assigned, Closed");
  /* reconfigure back off */
  fake_cfg_bool(&host, "allow_close_new", 0);
  assert_int_equal(host.desc->reconfigure(host.state, &host), CRM_OK);
  assert_int_equal(move("New", "Closed", &d), CRM_ESTATE);
  fake_unload(&host);
}

/* basic_case uses only the 1.0 host table. */
static void test_old_host(void **state)
{
  crm_case_decision d;

  (void)state;
  fake_host_1_0(&host);
  assert_int_equal(fake_load(&host, "basic_case"), CRM_OK);
  assert_int_equal(open_case("refund please", NULL, &d), CRM_OK);
  assert_string_equal(d.category, "billing");
  fake_unload(&host);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup(test_descriptor_and_states, setup),
    cmocka_unit_test_setup(test_classify, setup),
    cmocka_unit_test_setup(test_given_category, setup),
    cmocka_unit_test_setup(test_priority_config, setup),
    cmocka_unit_test_setup(test_allowed_moves, setup),
    cmocka_unit_test_setup(test_refused_moves, setup),
    cmocka_unit_test_setup(test_allow_close_new, setup),
    cmocka_unit_test_setup(test_old_host, setup),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
