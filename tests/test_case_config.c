/*
 * test_case_config.c - the `complaints` group of the admin config: every
 * field of a full group read back (durations, hours with the weekdays
 * shorthand, holidays sorted and deduplicated), the defaults, the
 * look-ups (team, route, policy by specificity, compensation limit, team
 * calendar) and each mistake refused as "FILE:LINE: reason".
 */
#include <stdio.h>
#include <string.h>

#include "loader_util.h"

#include "case_int.h"

static lt_dir dir;

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

static const char *conf(const char *text)
{
  static char path[LT_PATH];

  snprintf(path, sizeof(path), "%s", lt_write(&dir, "crm.conf", text));
  return path;
}

static crm__config *read_ok(const char *text)
{
  crm__config *c = NULL;
  char err[512];

  if(crm__config_read(conf(text), &c, err, sizeof(err)))
    fail_msg("%s", err);
  return c;
}

static const char full[] =
  "complaints = {\n"                                                 /* 1 */
  "  handler = \"basic_case\";\n"                                    /* 2 */
  "  reopen_days = 3;\n"                                             /* 3 */
  "  close_after_days = 0;\n"                                        /* 4 */
  "  warn_at = 0.8;\n"                                               /* 5 */
  "  default_team = \"care\";\n"                                     /* 6 */
  "  teams = (\n"                                                    /* 7 */
  "    { name = \"finance\"; hours = { weekdays = \"00:00-24:00\";"
  " sat = \"10:00-14:00\"; }; },\n"                                  /* 8 */
  "    { name = \"care\"; timezone = \"Europe/Paris\"; lead = \"maria\";\n"
  "      hours = { weekdays = \"09:00-12:30,13:30-18:00\";\n"        /* 10 */
  "                fri = \"09:00-12:30,13:30-17:00\"; wed = \"\"; };\n"
  "      holidays = [ \"2027-01-01\", \"2026-12-25\", \"2027-01-01\" ]; }\n"
  "  );\n"                                                           /* 13 */
  "  routing = ( { category = \"billing\"; team = \"finance\"; } );\n"
  "  sla = (\n"                                                      /* 15 */
  "    { category = \"*\"; priority = 2; first_response = \"4h\";"
  " resolution = \"16h\"; },\n"                                      /* 16 */
  "    { category = \"billing\"; first_response = \"1h30m\";"
  " resolution = \"90m\"; warn_at = 0.5; },\n"                       /* 17 */
  "    { category = \"*\"; resolution = \"2h15m\"; },\n"             /* 18 */
  "    { category = \"billing\"; priority = 1; first_response = \"30m\"; }\n"
  "  );\n"                                                           /* 20 */
  "  escalation = (\n"                                               /* 21 */
  "    { clock = \"resolution\"; at = 0.5; action = \"notify\"; },\n"
  "    { clock = \"first_response\"; at = 1; action = \"reassign\";"
  " raise_priority = 2; },\n"                                        /* 23 */
  "    { clock = \"resolution\"; at = 1.5; action = \"reassign\";"
  " to = \"ben\"; }\n"                                               /* 24 */
  "  );\n"
  "  compensation = (\n"
  "    { category = \"delivery\"; max_points = 2000; items = [ \"COFFEE\","
  " \"V5\" ]; },\n"
  "    { category = \"*\"; max_points = 500; }\n"
  "  );\n"
  "};\n";

static void test_full(void **state)
{
  crm__config *c = read_ok(full);
  const crm__cases_cfg *cc = c->cases;
  const crm__team *t;

  (void)state;
  assert_non_null(cc);
  assert_string_equal(cc->handler, "basic_case");
  assert_int_equal(cc->reopen_days, 3);
  assert_int_equal(cc->close_after_days, 0);
  assert_true(cc->warn_at == 0.8);
  assert_string_equal(cc->default_team, "care");
  assert_int_equal(cc->n_teams, 2);
  /* finance: UTC, weekdays all day, saturday 10-14, sunday closed */
  t = &cc->teams[0];
  assert_string_equal(t->name, "finance");
  assert_string_equal(t->timezone, "");
  assert_string_equal(t->lead, "");
  assert_int_equal(t->open[1][0][0], 0);
  assert_int_equal(t->open[1][0][1], 1440);
  assert_int_equal(t->open[1][1][0], -1);
  assert_int_equal(t->open[6][0][0], 600);  /* 10:00 */
  assert_int_equal(t->open[6][0][1], 840);  /* 14:00 */
  assert_int_equal(t->open[0][0][0], -1);
  assert_int_equal(t->n_holidays, 0);
  /* care: Paris, two intervals, friday to 17:00, wednesday closed by "" */
  t = &cc->teams[1];
  assert_string_equal(t->timezone, "Europe/Paris");
  assert_string_equal(t->lead, "maria");
  assert_int_equal(t->open[1][0][0], 540);   /* 09:00 */
  assert_int_equal(t->open[1][0][1], 750);   /* 12:30 */
  assert_int_equal(t->open[1][1][0], 810);   /* 13:30 */
  assert_int_equal(t->open[1][1][1], 1080);  /* 18:00 */
  assert_int_equal(t->open[5][1][1], 1020);  /* friday 17:00 */
  assert_int_equal(t->open[3][0][0], -1);    /* wednesday "" */
  assert_int_equal(t->open[6][0][0], -1);    /* saturday left out */
  /* sorted, the repeated 2027-01-01 once: days since 1970-01-01 */
  assert_int_equal(t->n_holidays, 2);
  assert_int_equal(t->holidays[0], 20812);   /* 2026-12-25 */
  assert_int_equal(t->holidays[1], 20819);   /* 2027-01-01 */
  assert_int_equal(cc->n_routes, 1);
  assert_string_equal(cc->routes[0].category, "billing");
  assert_string_equal(cc->routes[0].team, "finance");
  assert_int_equal(cc->n_policies, 4);
  assert_int_equal(cc->policies[0].priority, 2);
  assert_int_equal(cc->policies[0].target[CRM__SLA_FIRST], 4 * 3600);
  assert_int_equal(cc->policies[0].target[CRM__SLA_RESOLUTION], 16 * 3600);
  assert_true(cc->policies[0].warn_at == 0.0);   /* the group's default */
  assert_int_equal(cc->policies[1].priority, 0); /* any */
  assert_int_equal(cc->policies[1].target[0], 5400); /* 1h30m */
  assert_int_equal(cc->policies[1].target[1], 5400); /* 90m */
  assert_true(cc->policies[1].warn_at == 0.5);
  assert_int_equal(cc->policies[2].target[0], 0);    /* no target */
  assert_int_equal(cc->policies[2].target[1], 8100); /* 2h15m */
  assert_int_equal(cc->policies[2].line, 18);
  assert_int_equal(cc->n_esc, 3);
  assert_int_equal(cc->esc[0].level, 1);
  assert_int_equal(cc->esc[0].clock, CRM__SLA_RESOLUTION);
  assert_int_equal(cc->esc[0].action, CRM__ESC_NOTIFY);
  assert_string_equal(cc->esc[0].to, "owner");      /* notify default */
  assert_int_equal(cc->esc[1].level, 2);
  assert_int_equal(cc->esc[1].clock, CRM__SLA_FIRST);
  assert_true(cc->esc[1].at == 1.0);                /* integer 1 */
  assert_int_equal(cc->esc[1].action, CRM__ESC_REASSIGN);
  assert_string_equal(cc->esc[1].to, "lead");       /* reassign default */
  assert_int_equal(cc->esc[1].raise_priority, 2);
  assert_string_equal(cc->esc[2].to, "ben");
  assert_true(cc->esc[2].at == 1.5);
  assert_int_equal(cc->n_limits, 2);
  assert_int_equal(cc->limits[0].max_points, 2000);
  assert_int_equal(cc->limits[0].n_items, 2);
  assert_string_equal(cc->limits[0].items[1], "V5");
  assert_int_equal(cc->limits[1].n_items, 0);
  crm__config_free(c);
}

static void test_defaults(void **state)
{
  crm__config *c;
  crm *h = lt_open(NULL);
  const crm__cases_cfg *cc;

  (void)state;
  /* no config at all */
  cc = crm__cases(h);
  assert_int_equal(cc->reopen_days, 7);
  assert_int_equal(cc->close_after_days, 7);
  assert_true(cc->warn_at == 0.75);
  assert_int_equal(cc->n_teams, 0);
  assert_null(crm__cases_route(cc, "billing"));
  assert_null(crm__cases_policy(cc, "billing", 2));
  assert_null(crm__cases_limit(cc, "billing"));
  /* a file without the group */
  c = read_ok("store = { path = \"x.db\"; };\n");
  assert_null(c->cases);
  crm__config_free(c);
  /* an empty group: the defaults */
  c = read_ok("complaints = { };\n");
  assert_non_null(c->cases);
  assert_int_equal(c->cases->reopen_days, 7);
  assert_string_equal(c->cases->handler, "");
  assert_int_equal(c->cases->n_policies, 0);
  crm__config_free(c);
  /* a loaded file is what crm__cases hands out */
  assert_int_equal(crm_load_config(h, conf("complaints = { reopen_days = 2;"
                                           " };\n"), NULL), CRM_OK);
  assert_int_equal(crm__cases(h)->reopen_days, 2);
  crm_close(h);
}

static void test_lookups(void **state)
{
  crm__config *c = read_ok(full);
  const crm__cases_cfg *cc = c->cases;
  const crm__sla_policy *p;
  crm__cases_cfg copy;
  crm__bizcal cal;
  crm *h = lt_open(NULL);

  (void)state;
  assert_string_equal(crm__cases_team(cc, "care")->name, "care");
  assert_null(crm__cases_team(cc, "sales"));
  /* routes, then the default team */
  assert_string_equal(crm__cases_route(cc, "billing")->name, "finance");
  assert_string_equal(crm__cases_route(cc, "delivery")->name, "care");
  /* without a default team: the first one */
  copy = *cc;
  copy.default_team[0] = '\0';
  assert_string_equal(crm__cases_route(&copy, "delivery")->name, "finance");
  /* policies: exact + exact, exact + any, any + exact, any + any */
  p = crm__cases_policy(cc, "billing", 1);
  assert_int_equal(p->line, 19);              /* billing/1 */
  p = crm__cases_policy(cc, "billing", 2);
  assert_int_equal(p->line, 17);              /* billing/any beats * /2 */
  p = crm__cases_policy(cc, "delivery", 2);
  assert_int_equal(p->line, 16);              /* * /2 */
  p = crm__cases_policy(cc, "delivery", 4);
  assert_int_equal(p->line, 18);              /* * /any */
  /* compensation: exact, then "*" */
  assert_int_equal(crm__cases_limit(cc, "delivery")->max_points, 2000);
  assert_int_equal(crm__cases_limit(cc, "quality")->max_points, 500);
  copy.n_limits = 1;
  assert_null(crm__cases_limit(&copy, "quality"));
  /* the calendar of care: Mon 2026-11-23 in Paris (UTC+1) */
  assert_int_equal(crm__team_cal(h, crm__cases_team(cc, "care"), &cal),
                   CRM_OK);
  assert_non_null(cal.tz);
  assert_int_equal(cal.n_holidays, 2);
  /* 1795424400 = 2026-11-23T09:00Z = 10:00 Paris: open */
  assert_int_equal(crm__bizcal_is_open(&cal, INT64_C(1795424400)), 1);
  /* + 3h = 13:00 Paris: the lunch break */
  assert_int_equal(crm__bizcal_is_open(&cal, INT64_C(1795435200)), 0);
  crm_close(h);
  crm__config_free(c);
}

struct bad {
  const char *text;
  int line;
  const char *reason;
};

static const struct bad bads[] = {
  {"complaint = { };\n", 1,
   "unknown setting \"complaint\" (expected store, plugins, lifecycle, "
   "communication or complaints)"},
  {"complaints = 1;\n", 1,
   "complaints must be a group: complaints = { ... }"},
  {"complaints = {\n  sla_targets = 1;\n};\n", 2,
   "unknown complaints setting \"sla_targets\" (expected handler, "
   "reopen_days, close_after_days, warn_at, default_team, teams, routing, "
   "sla, escalation or compensation)"},
  {"complaints = {\n  reopen_days = \"7\";\n};\n", 2,
   "complaints.reopen_days must be an integer"},
  {"complaints = {\n  close_after_days = -1;\n};\n", 2,
   "complaints.close_after_days is -1; it must be between 0 and 3650"},
  {"complaints = {\n  warn_at = 1.0;\n};\n", 2,
   "complaints.warn_at is 1; it must be greater than 0 and less than 1"},
  {"complaints = {\n  handler = \"basic case\";\n};\n", 2,
   "complaints.handler \"basic case\" is not a component name; use 1 to 63 "
   "letters, digits, '_' or '-' (\"\" for the first loaded handler)"},
  {"complaints = {\n  teams = { name = \"care\"; };\n};\n", 2,
   "complaints.teams must be a list of groups: teams = ( { name = \"care\"; "
   "hours = { weekdays = \"09:00-18:00\"; }; } )"},
  {"complaints = { teams = (\n  { name = \"care\"; }\n); };\n", 2,
   "complaints.teams \"care\" has no hours; add hours = { weekdays = "
   "\"09:00-18:00\"; }"},
  {"complaints = { teams = (\n  { name = \"care\"; hours = {\n"
   "    mon = \"9:00-18:00\"; }; }\n); };\n", 3,
   "complaints.teams.hours.mon \"9:00-18:00\" is not valid; expected "
   "\"HH:MM-HH:MM\" or two intervals \"HH:MM-HH:MM,HH:MM-HH:MM\" (24:00 may "
   "end a day; \"\" closed)"},
  {"complaints = { teams = (\n  { name = \"care\"; hours = {\n"
   "    tue = \"09:00-24:30\"; }; }\n); };\n", 3,
   "complaints.teams.hours.tue \"09:00-24:30\" is not valid; expected "
   "\"HH:MM-HH:MM\" or two intervals \"HH:MM-HH:MM,HH:MM-HH:MM\" (24:00 may "
   "end a day; \"\" closed)"},
  {"complaints = { teams = (\n  { name = \"care\"; hours = {\n"
   "    monday = \"09:00-18:00\"; }; }\n); };\n", 3,
   "unknown complaints.teams.hours setting \"monday\" (expected mon, tue, "
   "wed, thu, fri, sat, sun or weekdays)"},
  /* the calendar check (crm__bizcal_check), on the hours group's line */
  {"complaints = { teams = (\n  { name = \"care\";\n"
   "    hours = { weekdays = \"09:00-13:00,12:00-18:00\"; }; }\n); };\n", 3,
   "complaints.teams \"care\": business hours overlapping: mon "
   "09:00-13:00 and 12:00-18:00"},
  {"complaints = { teams = (\n  { name = \"care\";\n"
   "    hours = { thu = \"18:00-09:00\"; }; }\n); };\n", 3,
   "complaints.teams \"care\": business hours out of range: thu interval 1 "
   "is 1080-540 minutes, want 0 <= start < end <= 1440 or -1 -1 for none"},
  {"complaints = { teams = (\n  { name = \"care\";\n"
   "    hours = { weekdays = \"\"; }; }\n); };\n", 3,
   "complaints.teams \"care\": no business hours: no open minute in any "
   "weekday"},
  {"complaints = { teams = (\n  { name = \"care\"; hours = { mon = "
   "\"09:00-18:00\"; };\n    holidays = [ \"2026-02-30\" ]; }\n); };\n", 3,
   "complaints.teams.holidays: \"2026-02-30\" is not a date; expected "
   "YYYY-MM-DD"},
  {"complaints = { teams = (\n  { name = \"care\"; hours = { mon = "
   "\"09:00-18:00\"; };\n    timezone = \"Mars/Olympus\"; }\n); };\n", 3,
   "complaints.teams \"care\": unknown time zone \"Mars/Olympus\"; use an "
   "IANA name such as Europe/Paris"},
  {"complaints = { teams = (\n  { name = \"care\"; hours = { mon = "
   "\"09:00-18:00\"; }; },\n  { name = \"care\"; hours = { mon = "
   "\"09:00-18:00\"; }; }\n); };\n", 3,
   "duplicate team \"care\" (first at line 2)"},
  {"complaints = { teams = (\n  { name = \"care\"; lead = \"maria lopez\";"
   " hours = { mon = \"09:00-18:00\"; }; }\n); };\n", 2,
   "complaints.teams.lead \"maria lopez\" is not a valid agent name (1 to 64 "
   "letters, digits, '_', '-', '.' or '@')"},
  {"complaints = {\n  default_team = \"care\";\n};\n", 2,
   "complaints.default_team \"care\" is not a team of complaints.teams"},
  {"complaints = { routing = (\n  { category = \"billing\"; team = "
   "\"finance\"; }\n); };\n", 2,
   "complaints.routing.team \"finance\" is not a team of complaints.teams"},
  {"complaints = { sla = (\n  { category = \"*\"; priority = 2;\n"
   "    first_response = \"4 h\"; }\n); };\n", 3,
   "complaints.sla.first_response \"4 h\" is not a duration; expected "
   "business time such as \"90m\", \"4h\" or \"1h30m\" (more than 0)"},
  {"complaints = { sla = (\n  { category = \"*\"; resolution = \"0m\"; }\n"
   "); };\n", 2,
   "complaints.sla.resolution \"0m\" is not a duration; expected business "
   "time such as \"90m\", \"4h\" or \"1h30m\" (more than 0)"},
  {"complaints = { sla = (\n  { category = \"*\"; resolution = \"30m1h\"; "
   "}\n); };\n", 2,
   "complaints.sla.resolution \"30m1h\" is not a duration; expected "
   "business time such as \"90m\", \"4h\" or \"1h30m\" (more than 0)"},
  {"complaints = { sla = (\n  { category = \"*\"; priority = 5; resolution "
   "= \"8h\"; }\n); };\n", 2,
   "complaints.sla.priority is 5; it must be between 0 and 4"},
  {"complaints = { sla = (\n  { category = \"*\"; priority = 1; }\n); };\n",
   2, "complaints.sla entry */1 has no target; add first_response or "
   "resolution"},
  {"complaints = { sla = (\n  { category = \"*\"; resolution = \"8h\"; "
   "warn_at = 0; }\n); };\n", 2,
   "complaints.sla.warn_at is 0; it must be greater than 0 and less than 1"},
  {"complaints = { sla = (\n  { priority = 1; resolution = \"8h\"; }\n); "
   "};\n", 2,
   "complaints.sla entry has no category; add category = \"*\""},
  {"complaints = { sla = (\n  { category = \"*\"; resolution = \"8h\"; },\n"
   "  { category = \"*\"; resolution = \"4h\"; }\n); };\n", 3,
   "duplicate complaints.sla entry for category \"*\" and priority 0 "
   "(first at line 2)"},
  {"complaints = { sla = (\n  { category = \"*\"; resolution = \"8h\"; "
   "target = \"4h\"; }\n); };\n", 2,
   "unknown complaints.sla setting \"target\" (expected category, priority, "
   "first_response, resolution or warn_at)"},
  {"complaints = { escalation = (\n  { clock = \"response\"; at = 1.0; "
   "action = \"notify\"; }\n); };\n", 2,
   "complaints.escalation.clock \"response\" is not valid; expected "
   "\"first_response\" or \"resolution\""},
  {"complaints = { escalation = (\n  { clock = \"resolution\"; at = 1.0; "
   "action = \"page\"; }\n); };\n", 2,
   "complaints.escalation.action \"page\" is not valid; expected \"notify\" "
   "or \"reassign\""},
  {"complaints = { escalation = (\n  { clock = \"resolution\"; at = 0; "
   "action = \"notify\"; }\n); };\n", 2,
   "complaints.escalation.at is 0; it must be greater than 0 and at most "
   "10"},
  {"complaints = { escalation = (\n  { clock = \"resolution\"; action = "
   "\"notify\"; }\n); };\n", 2,
   "complaints.escalation entry has no at; add at = 1.0 (the share of the "
   "target)"},
  {"complaints = { escalation = (\n  { clock = \"resolution\"; at = 1.0; "
   "action = \"reassign\"; to = \"owner\"; }\n); };\n", 2,
   "complaints.escalation: reassign to \"owner\" changes nothing; use "
   "\"lead\", \"team\" or an agent name"},
  {"complaints = { escalation = (\n  { clock = \"resolution\"; at = 1.0; "
   "action = \"reassign\"; raise_priority = 4; }\n); };\n", 2,
   "complaints.escalation.raise_priority is 4; it must be between 0 and 3"},
  {"complaints = { compensation = (\n  { category = \"*\"; max_points = -1;"
   " }\n); };\n", 2,
   "complaints.compensation.max_points is -1; it must be between 0 and "
   "1000000000"},
  {"complaints = { compensation = (\n  { category = \"*\";\n"
   "    items = [ \"free coffee\" ]; }\n); };\n", 3,
   "complaints.compensation.items: \"free coffee\" is not an item code (1 to "
   "32 letters, digits, '_' or '-')"},
  {"complaints = { compensation = (\n  { category = \"*\"; },\n"
   "  { category = \"*\"; max_points = 1; }\n); };\n", 3,
   "duplicate complaints.compensation entry for category \"*\" (first at "
   "line 2)"},
};

static void test_errors(void **state)
{
  char err[512], want[1024];
  size_t i;

  (void)state;
  for(i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
    const char *path = conf(bads[i].text);

    assert_int_equal(crm_config_check(path, err, sizeof(err)), CRM_ECONFIG);
    snprintf(want, sizeof(want), "%s:%d: %s", path, bads[i].line,
             bads[i].reason);
    if(strcmp(err, want))
      fail_msg("case %zu:\n got  %s\n want %s", i, err, want);
  }
}

/* conf/crm.conf (the shipped file) passes and holds the documented SLA. */
static void test_shipped(void **state)
{
  crm__config *c = NULL;
  const crm__sla_policy *p;
  char err[512];

  (void)state;
  if(crm__config_read(CRM_TEST_SOURCE_DIR "/conf/crm.conf", &c, err,
                      sizeof(err)))
    fail_msg("%s", err);
  assert_non_null(c->cases);
  p = crm__cases_policy(c->cases, "delivery", 2);
  assert_int_equal(p->target[CRM__SLA_FIRST], 4 * 3600);
  assert_int_equal(p->target[CRM__SLA_RESOLUTION], 16 * 3600);
  p = crm__cases_policy(c->cases, "billing", 3);
  assert_int_equal(p->target[CRM__SLA_FIRST], 2 * 3600);
  assert_true(p->warn_at == 0.5);
  assert_string_equal(crm__cases_route(c->cases, "billing")->lead, "maria");
  assert_int_equal(crm__cases_limit(c->cases, "delivery")->n_items, 1);
  crm__config_free(c);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_full, setup, teardown),
    cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
    cmocka_unit_test_setup_teardown(test_lookups, setup, teardown),
    cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
    cmocka_unit_test_setup_teardown(test_shipped, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
