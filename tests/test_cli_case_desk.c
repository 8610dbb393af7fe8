/*
 * test_cli_case_desk.c - what a care desk reads in `crm case list` and
 * `crm sla show` (review of issue 7): the queue in the team's local time
 * with each case's next due time, "overdue" and "paused"; a complete
 * --json list; exclusive filters refused; a stopped clock without "time
 * left"; a breached clock re-targeted by an escalation without a "due"
 * line later than its breach; errors that say how to fix them; what a
 * reassignment and a follow-up print; a team without an SLA still in
 * its own zone; crm case set.
 *
 * crm.conf: basic_case; team "care" in Europe/Paris open Monday to
 * Friday 09:00-18:00 (CET = UTC+1 in December), lead maria; one SLA
 * policy for any category and priority: first response 4h, resolution
 * 16h (so raising the priority keeps the targets); at the first-response
 * breach the case goes to the lead one priority level up.
 *
 * Monday 7 December 2026; the clock is fixed with --as-of on every run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli_run.h"

#define AT(r, when, ...) CRM(r, "--as-of", when, __VA_ARGS__)

/* stdout with every run of blanks made one space holds want */
static void has(const struct run *r, const char *want, int yes)
{
  char *s = malloc(strlen(r->out) + 1);
  size_t n = 0;
  const char *p;
  assert_non_null(s);
  for(p = r->out; *p; p++)
    if(!(*p == ' ' && n && s[n - 1] == ' '))
      s[n++] = *p;
  s[n] = '\0';
  if((strstr(s, want) != NULL) != yes)
    fail_msg("stdout %s \"%s\":\n%s", yes ? "lacks" : "has", want, r->out);
  free(s);
}

/* exit 0, stdout holding want */
static void says(const char *when, const char *want,
                 const char *const *args)
{
  const char *argv[16] = {"--as-of", when};
  struct run r;
  size_t i;
  for(i = 0; args[i] && i < 13; i++)
    argv[2 + i] = args[i];
  argv[2 + i] = NULL;
  crm_run_in(&r, NULL, argv);
  expect(&r, 0, NULL, NULL);
  if(want)
    has(&r, want, 1);
  run_free(&r);
}
#define SAYS(when, want, ...)                                                \
  says(when, want, (const char *const[]){__VA_ARGS__, NULL})

static void bad(const char *err, const char *const *args)
{
  struct run r;
  crm_run_in(&r, NULL, args);
  expect(&r, 1, NULL, err);
  assert_string_equal(r.out, "");
  run_free(&r);
}
#define BAD(err, ...) bad(err, (const char *const[]){__VA_ARGS__, NULL})

static int is_bool(const tj *doc, const char *path, int v)
{
  const tj *b = tj_path(doc, path);
  return b && b->type == TJ_BOOL && !!b->boolean == v;
}

/* 1: two reward schemes (basic_points, supermarket_points) and up to
 * 500 points of compensation for any category */
static int g_two;
/* 1: no complaints.sla at all (the team still has its zone) */
static int g_nosla;

static void setup_desk(void)
{
  char conf[3072];
  struct run r;
  snprintf(conf, sizeof(conf),
    "store = { path = \"d.db\"; };\n"
    "plugins = { path = [ \"%s\" ];\n"
    "  load = ( { name = \"basic_case\"; required = true; }%s ); };\n"
    "complaints = {\n"
    "  default_team = \"care\";\n"
    "  teams = ( { name = \"care\"; timezone = \"Europe/Paris\";\n"
    "      lead = \"maria\"; hours = { weekdays = \"09:00-18:00\"; }; } );\n"
    "%s%s};\n", CRM_TEST_PLUGIN_DIR,
    g_two ? ",\n    { name = \"basic_points\"; required = true;\n"
            "      config = { points_per_unit = 10; currency = \"USD\"; }; },\n"
            "    { name = \"supermarket_points\"; required = true;\n"
            "      config = { points_per_unit = 1; currency = \"EUR\"; };\n"
            "      scheme = { unit = \"stars\"; }; }" : "",
    g_nosla ? "" :
    "  sla = ( { category = \"*\"; priority = 0; first_response = \"4h\";\n"
    "            resolution = \"16h\"; } );\n"
    "  escalation = ( { clock = \"first_response\"; at = 1.0;\n"
    "    action = \"reassign\"; to = \"lead\"; raise_priority = 1; } );\n",
    g_two ? "  compensation = ( { category = \"*\"; max_points = 500; } );\n"
          : "");
  put_file("crm.conf", conf);
  CRM(&r, "init");
  expect(&r, 0, "schema version", NULL);
  run_free(&r);
  SAYS("2026-12-07T08:00:00Z", NULL, "customer", "add", "--external-id",
       "c1", "--name", "Ann Lee");
}

static void test_queue(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_desk();
  /* Mon 7 Dec 09:00 CET: first response 4h -> 13:00 CET */
  SAYS("2026-12-07T08:00:00Z", "first response due Mon 7 Dec 13:00 CET",
       "case", "open", "c1", "--summary", "parcel late", "--category",
       "delivery", "--priority", "2", "--by", "ana");
  SAYS("2026-12-07T08:00:00Z", NULL, "case", "open", "c1", "--summary",
       "rude driver", "--priority", "2", "--by", "ana");
  /* C-000003 at 11:00 CET: first response due 15:00 CET */
  SAYS("2026-12-07T10:00:00Z", NULL, "case", "open", "c1", "--summary",
       "spam", "--priority", "2", "--by", "ana");
  /* C-000002: answered after 30 minutes and waiting on Ann: paused */
  SAYS("2026-12-07T08:30:00Z", NULL, "case", "reply", "C-000002",
       "which driver?", "--wait", "--by", "ana");

  /* the queue: opened in Paris time (not UTC), the next due time */
  AT(&r, "2026-12-07T08:30:00Z", "case", "list", "--open");
  expect(&r, 0, "DUE", NULL);
  has(&r, "C-000001 c1 New delivery 2 - care 2026-12-07 09:00 CET "
      "Mon 7 Dec 13:00 CET parcel late", 1);
  has(&r, "C-000002 c1 Waiting on customer", 1);
  has(&r, "2026-12-07 09:00 CET paused rude driver", 1);
  has(&r, "UTC", 0);
  run_free(&r);

  /* Mon 13:30 CET: the first response of C-000001 was due at 13:00; the
   * escalation gives it to maria at priority 1, same targets */
  /* (and the warning of C-000001 at 3h: 12:00 CET) */
  SAYS("2026-12-07T12:30:00Z", "1 warning, 1 breach, 1 escalation", "sla",
       "run");
  AT(&r, "2026-12-07T12:30:00Z", "sla", "show", "C-000001");
  expect(&r, 0, NULL, NULL);
  has(&r, "first response breached, target 4h, used 4h30m", 1);
  has(&r, "breached Mon 7 Dec 13:00 CET (Mon 7 Dec 12:00 UTC)", 1);
  /* no "due" after the breach: the target passed at 13:00 */
  has(&r, "due Mon 7 Dec 13:30 CET", 0);
  /* resolution 16h from Mon 09:00: 9h Monday, 7h Tuesday -> 16:00 */
  has(&r, "due Tue 8 Dec 16:00 CET (Tue 8 Dec 15:00 UTC)", 1);
  run_free(&r);
  AT(&r, "2026-12-07T12:30:00Z", "case", "list", "--owner", "maria");
  expect(&r, 0, NULL, NULL);
  has(&r, "C-000001 c1 Assigned delivery 1 maria care 2026-12-07 09:00 CET "
      "overdue parcel late", 1);
  run_free(&r);

  /* --json: every field of the case, as crm case show gives it */
  AT(&r, "2026-12-07T12:30:00Z", "--json", "case", "list");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  run_free(&r);
  assert_string_equal(tj_str(doc, "cases.0.customer.external_id"), "c1");
  assert_true(is_bool(doc, "cases.0.sla_overdue", 1));
  assert_string_equal(tj_str(doc, "cases.0.timezone"), "Europe/Paris");
  assert_string_equal(tj_str(doc, "cases.1.first_response_at"),
                      "2026-12-07T08:30:00Z");
  assert_true(tj_path(doc, "cases.1.sla_due_at")->type == TJ_NULL);
  assert_true(is_bool(doc, "cases.1.sla_overdue", 0));
  /* C-000003 runs: first response due 15:00 CET */
  assert_string_equal(tj_str(doc, "cases.2.sla_due_at"),
                      "2026-12-07T14:00:00Z");
  tj_free(doc);

  /* filters that exclude each other are refused, not silently dropped */
  BAD("crm: case list: --state and --open exclude each other", "case",
      "list", "--state", "Closed", "--open");
  BAD("crm: case list: --owner and --unassigned exclude each other",
      "case", "list", "--owner", "ana", "--unassigned");
}

static void test_sla_text(void **state)
{
  struct run r;
  (void)state;
  setup_desk();
  SAYS("2026-12-07T08:00:00Z", NULL, "case", "open", "c1", "--summary",
       "spam", "--priority", "2", "--by", "ana");
  /* rejected at 10:00 CET: the first response is met by the rejection,
   * the resolution stops after 1h of 16h: nothing is "left" of it */
  SAYS("2026-12-07T09:00:00Z", NULL, "case", "reject", "C-000001", "--why",
       "spam", "--by", "ana");
  AT(&r, "2026-12-07T09:00:00Z", "case", "show", "C-000001");
  expect(&r, 0, NULL, NULL);
  has(&r, "resolution stopped, target 16h, used 1h\n", 1);
  has(&r, "15h left", 0);
  /* the open line names the state once; the met step reads as one */
  has(&r, "open by ana, handler basic_case, state New", 1);
  has(&r, "met (first response) in 1h of 4h", 1);
  run_free(&r);

  /* Ann writes on the rejected case: a follow-up, with its due time
   * (10:30 CET + 4h = 14:30 CET) */
  AT(&r, "2026-12-07T09:30:00Z", "case", "reply", "C-000001", "why?",
     "--from", "customer");
  expect(&r, 0, "opened follow-up C-000002 (C-000001 is Rejected)", NULL);
  has(&r, "C-000002: first response due Mon 7 Dec 14:30 CET", 1);
  run_free(&r);

  /* a reassignment names the previous owner */
  SAYS("2026-12-07T09:40:00Z", "assigned C-000002 to ana (team care)",
       "case", "assign", "C-000002", "ana", "--by", "maria");
  SAYS("2026-12-07T09:41:00Z",
       "assigned C-000002 to ben (team care, was ana)", "case", "assign",
       "C-000002", "ben", "--by", "maria");

  /* errors: reason first, how to fix */
  BAD("crm: unknown case C-000099: there is no such case (crm case list "
      "shows them)", "case", "show", "C-000099");
  BAD("crm: unknown case 'abc': write a case as C-000042, 42 or #42",
      "sla", "show", "abc");
  BAD("crm: case stats: the period is empty (--since 2026-12-31T00:00:00Z "
      "is not before --until 2026-12-01T00:00:00Z)", "case", "stats",
      "--since", "2026-12-31", "--until", "2026-12-01");
}

/* compensation with several schemes loaded: the option to name one */
static void test_two_schemes(void **state)
{
  struct run r;
  (void)state;
  g_two = 1;
  setup_desk();
  g_two = 0;
  SAYS("2026-12-07T08:00:00Z", NULL, "case", "open", "c1", "--summary",
       "late", "--priority", "2", "--by", "ana");
  BAD("crm: case resolve: several reward schemes are loaded (basic_points, "
      "supermarket_points): name the one for the compensation with "
      "--scheme", "--as-of", "2026-12-07T09:00:00Z", "case", "resolve",
      "C-000001", "--why", "sorry", "--points", "100");
  /* refused before anything changed */
  SAYS("2026-12-07T09:00:00Z", "C-000001 New", "case", "show", "C-000001");
  AT(&r, "2026-12-07T09:00:00Z", "case", "resolve", "C-000001", "--why",
     "sorry", "--points", "100", "--scheme", "supermarket_points");
  expect(&r, 0, "resolved C-000001 (Resolved)", NULL);
  has(&r, "compensation: 100 stars (ledger #1)", 1);
  run_free(&r);
  /* already resolved: no scheme needed, nothing granted */
  SAYS("2026-12-07T09:05:00Z", "C-000001 already resolved: nothing "
       "changed, nothing granted", "case", "resolve", "C-000001", "--why",
       "again", "--points", "100");
}

/* A case of a team without any SLA still prints in the team's zone (the
 * zone comes with the case, not with its SLA): Mon 7 Dec 08:00 UTC is
 * 09:00 CET. */
static void test_team_zone_without_sla(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  g_nosla = 1;
  setup_desk();
  g_nosla = 0;
  SAYS("2026-12-07T08:00:00Z", "opened C-000001 (delivery, priority 2, "
       "team care)", "case", "open", "c1", "--summary", "parcel late",
       "--category", "delivery", "--priority", "2", "--by", "ana");
  AT(&r, "2026-12-07T08:30:00Z", "case", "show", "C-000001");
  expect(&r, 0, NULL, NULL);
  has(&r, "team care (Europe/Paris)", 1);
  has(&r, "opened 2026-12-07 09:00 CET", 1);
  has(&r, "SLA: none", 1);
  has(&r, "UTC", 0);
  run_free(&r);
  AT(&r, "2026-12-07T08:30:00Z", "case", "list");
  expect(&r, 0, NULL, NULL);
  has(&r, "care 2026-12-07 09:00 CET - parcel late", 1);
  run_free(&r);
  AT(&r, "2026-12-07T08:30:00Z", "--json", "case", "show", "C-000001");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  run_free(&r);
  assert_string_equal(tj_str(doc, "case.timezone"), "Europe/Paris");
  assert_string_equal(tj_str(doc, "case.opened_at"), "2026-12-07T08:00:00Z");
  assert_true(tj_path(doc, "sla")->type == TJ_NULL);
  tj_free(doc);
}

/* crm case set: category and priority changed with a reason, each a
 * history line; the targets stay (one policy for all) */
static void test_case_set(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_desk();
  SAYS("2026-12-07T08:00:00Z", NULL, "case", "open", "c1", "--summary",
       "parcel late", "--category", "delivery", "--priority", "3", "--by",
       "ana");
  SAYS("2026-12-07T08:10:00Z", "set C-000001: category billing (was "
       "delivery), priority 1 (was 3)", "case", "set", "C-000001",
       "--category", "billing", "--priority", "1", "--why", "charged twice",
       "--by", "maria");
  AT(&r, "2026-12-07T08:20:00Z", "case", "show", "C-000001");
  expect(&r, 0, NULL, NULL);
  has(&r, "category billing", 1);
  has(&r, "priority 1", 1);
  has(&r, "by maria", 1);
  has(&r, "(why: charged twice)", 1);
  run_free(&r);
  /* only the priority; --json names what it was */
  AT(&r, "2026-12-07T08:30:00Z", "--json", "case", "set", "1",
     "--priority", "2", "--why", "calmer");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  run_free(&r);
  assert_string_equal(tj_str(doc, "case.category"), "billing");
  assert_int_equal((int)tj_path(doc, "case.priority")->num, 2);
  assert_int_equal((int)tj_path(doc, "from_priority")->num, 1);
  assert_string_equal(tj_str(doc, "from_category"), "billing");
  tj_free(doc);
  BAD("crm: case set: --why is required (the reason kept in the history)",
      "case", "set", "C-000001", "--priority", "1");
  BAD("crm: case set: give --category or --priority (or both)", "case",
      "set", "C-000001", "--why", "x");
  BAD("crm: --priority: expected 1 (urgent) to 4 (low), not '7'", "case",
      "set", "C-000001", "--priority", "7", "--why", "x");
  /* a closed case cannot change */
  SAYS("2026-12-07T09:00:00Z", NULL, "case", "reject", "C-000001", "--why",
       "spam", "--by", "ana");
  AT(&r, "2026-12-07T09:10:00Z", "case", "set", "C-000001", "--priority",
     "1", "--why", "x");
  expect(&r, 1, NULL, NULL);
  assert_string_equal(r.out, "");
  run_free(&r);
  SAYS("2026-12-07T09:10:00Z", "priority 2", "case", "show", "C-000001");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_queue, setup, teardown),
    cmocka_unit_test_setup_teardown(test_sla_text, setup, teardown),
    cmocka_unit_test_setup_teardown(test_two_schemes, setup, teardown),
    cmocka_unit_test_setup_teardown(test_team_zone_without_sla, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_case_set, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
