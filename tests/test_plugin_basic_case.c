/*
 * test_plugin_basic_case.c - the basic_case complaint plugin in isolation.
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
  cv.number = "C-000012";
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
  assert_string_equal(s[2], "In progress");
  assert_string_equal(s[3], "Waiting on customer");
  assert_string_equal(s[4], "Resolved");
  assert_string_equal(s[5], "Closed");
  assert_string_equal(s[6], "Rejected");
  assert_string_equal(s[7], "Duplicate");
  assert_null(s[8]);
  /* a handler, not a triage component */
  assert_non_null(vt()->open);
  assert_non_null(vt()->transition);
  assert_null(vt()->classify);
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

/* The standard moves of the brief, each allowed one listed (the table
 * below is the whole matrix: what is not listed is refused). */
static const char *const all_states[] = {
  "New", "Assigned", "In progress", "Waiting on customer", "Resolved",
  "Closed", "Rejected", "Duplicate"};
static const struct {
  const char *from;
  const char *allowed; /* as the refusal lists them, in state order */
} moves[] = {
  {"New", "Assigned, In progress, Waiting on customer, Resolved, Rejected, "
          "Duplicate"},
  {"Assigned", "Assigned, In progress, Waiting on customer, Resolved, "
               "Rejected, Duplicate"},
  {"In progress", "Assigned, Waiting on customer, Resolved, Rejected, "
                  "Duplicate"},
  {"Waiting on customer", "Assigned, In progress, Resolved, Closed, "
                          "Rejected, Duplicate"},
  {"Resolved", "In progress, Closed"},
  {"Closed", "none (Closed is final)"},
  {"Rejected", "none (Rejected is final)"},
  {"Duplicate", "none (Duplicate is final)"},
};

/* to is in the ", "-separated list (whole names). */
static int listed(const char *list, const char *to)
{
  size_t n = strlen(to);
  const char *p = list;

  while((p = strstr(p, to)) != NULL) {
    if((p == list || p[-2] == ',') && (p[n] == ',' || p[n] == '\0'))
      return 1;
    p += n;
  }
  return 0;
}

static void test_moves_matrix(void **state)
{
  crm_case_decision d;
  char want[256];
  size_t i, j;
  int n_ok = 0;

  (void)state;
  assert_int_equal(fake_load(&host, "basic_case"), CRM_OK);
  for(i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
    for(j = 0; j < sizeof(all_states) / sizeof(all_states[0]); j++) {
      int rc = move(moves[i].from, all_states[j], &d);

      if(listed(moves[i].allowed, all_states[j])) {
        if(rc != CRM_OK)
          fail_msg("%s -> %s refused: %s", moves[i].from, all_states[j],
                   host.errmsg);
        assert_string_equal(d.state, all_states[j]);
        n_ok++;
        continue;
      }
      assert_int_equal(rc, CRM_ESTATE);
      snprintf(want, sizeof(want), "cannot move case C-000012 from %s to "
               "%s; allowed: %s", moves[i].from, all_states[j],
               moves[i].allowed);
      assert_string_equal(host.errmsg, want);
    }
  }
  /* 6 + 6 + 5 + 6 + 2 allowed moves */
  assert_int_equal(n_ok, 25);
  fake_unload(&host);
}

static void test_allowed_moves(void **state)
{
  crm_case_decision d;

  (void)state;
  assert_int_equal(fake_load(&host, "basic_case"), CRM_OK);
  assert_int_equal(move("New", "Assigned", &d), CRM_OK);
  assert_string_equal(d.state, "Assigned");
  assert_int_equal(move("Resolved", "In progress", &d), CRM_OK); /* reopen */
  assert_string_equal(d.state, "In progress");
  /* names match case-insensitively; the decision is canonical */
  assert_int_equal(move("new", "waiting ON customer", &d), CRM_OK);
  assert_string_equal(d.state, "Waiting on customer");
  fake_unload(&host);
}

/* A move to Resolved keeps the agent's compensation as the host filled
 * it in (the limits are the core's). */
static void test_resolve_keeps_compensation(void **state)
{
  crm_case_decision d;
  crm_case_view cv;

  (void)state;
  assert_int_equal(fake_load(&host, "basic_case"), CRM_OK);
  memset(&cv, 0, sizeof(cv));
  cv.struct_size = sizeof(cv);
  cv.case_id = 12;
  cv.number = "C-000012";
  cv.state = "In progress";
  cv.category = "delivery";
  cv.summary = "late";
  cv.comp_points = 500;
  cv.comp_item = "COFFEE";
  memset(&d, 0, sizeof(d));
  d.struct_size = sizeof(d);
  d.comp_points = 500;
  snprintf(d.comp_item, sizeof(d.comp_item), "COFFEE");
  assert_int_equal(vt()->transition(host.state, &host, &cv, "Resolved", &d),
                   CRM_OK);
  assert_string_equal(d.state, "Resolved");
  assert_int_equal(d.comp_points, 500);
  assert_string_equal(d.comp_item, "COFFEE");
  assert_string_equal(d.comp_note, "");
  fake_unload(&host);
}

static void test_refused_moves(void **state)
{
  crm_case_decision d;
  crm_case_view cv;

  (void)state;
  assert_int_equal(fake_load(&host, "basic_case"), CRM_OK);
  assert_int_equal(move("New", "Closed", &d), CRM_ESTATE);
  assert_string_equal(host.errmsg,
                      "cannot move case C-000012 from New to Closed; "
                      "allowed: Assigned, In progress, Waiting on customer, "
                      "Resolved, Rejected, Duplicate");
  assert_int_equal(move("Resolved", "Assigned", &d), CRM_ESTATE);
  assert_string_equal(host.errmsg,
                      "cannot move case C-000012 from Resolved to "
                      "Assigned; allowed: In progress, Closed");
  assert_int_equal(move("New", "Escalated", &d), CRM_EINVAL);
  assert_string_equal(host.errmsg,
                      "unknown case state \"Escalated\"; states: New, "
                      "Assigned, In progress, Waiting on customer, "
                      "Resolved, Closed, Rejected, Duplicate");
  assert_int_equal(move("Escalated", "New", &d), CRM_ESTATE);
  assert_string_equal(host.errmsg,
                      "case C-000012 is in unknown state \"Escalated\"");
  /* a 1.4 view (no number): the id names the case */
  memset(&cv, 0, sizeof(cv));
  cv.struct_size = (uint32_t)offsetof(crm_case_view, number);
  cv.case_id = 12;
  cv.state = "Closed";
  cv.category = "other";
  cv.summary = "x";
  memset(&d, 0, sizeof(d));
  d.struct_size = sizeof(d);
  assert_int_equal(vt()->transition(host.state, &host, &cv, "Assigned", &d),
                   CRM_ESTATE);
  assert_string_equal(host.errmsg,
                      "cannot move case 12 from Closed to Assigned; "
                      "allowed: none (Closed is final)");
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
  assert_int_equal(move("Assigned", "New", &d), CRM_ESTATE);
  assert_int_equal(move("Assigned", "Closed", &d), CRM_ESTATE);
  assert_string_equal(host.errmsg,
                      "cannot move case C-000012 from Assigned to Closed; "
                      "allowed: Assigned, In progress, Waiting on customer, "
                      "Resolved, Rejected, Duplicate");
  assert_int_equal(move("Resolved", "New", &d), CRM_ESTATE);
  /* the list shows the extra move */
  assert_int_equal(move("New", "New", &d), CRM_ESTATE);
  assert_string_equal(host.errmsg,
                      "cannot move case C-000012 from New to New; allowed: "
                      "Assigned, In progress, Waiting on customer, "
                      "Resolved, Closed, Rejected, Duplicate");
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
    cmocka_unit_test_setup(test_moves_matrix, setup),
    cmocka_unit_test_setup(test_allowed_moves, setup),
    cmocka_unit_test_setup(test_resolve_keeps_compensation, setup),
    cmocka_unit_test_setup(test_refused_moves, setup),
    cmocka_unit_test_setup(test_allow_close_new, setup),
    cmocka_unit_test_setup(test_old_host, setup),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
