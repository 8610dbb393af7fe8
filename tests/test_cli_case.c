/*
 * test_cli_case.c - crm case open | show | list | assign | move | reply |
 * note | resolve | close | reject | merge | survey | stats and crm sla
 * show | run end to end with the built `crm`, the real basic_case handler
 * and basic_points as the reward scheme of the compensation.
 *
 * crm.conf (written per test): store k.db; basic_case and basic_points
 * (catalogue item COFFEE); complaints: team "care" in Europe/Paris open
 * Monday to Friday 09:00-18:00 (CET = UTC+1 in December), holidays
 * 2026-12-25 and 2027-01-01, lead maria; SLA priority 2: first response
 * 4h, resolution 16h; any other priority: 8h / 40h; warnings at 0.75 of
 * a target; at the first-response breach the case goes to the lead and
 * one priority level up; reopen within 7 days; resolved cases close
 * after 7 days; compensation for delivery up to 2000 points (and
 * COFFEE).
 *
 * The clock is fixed with --as-of on every run. Customers: c1, c2 (UTC).
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

/* Thursday 24 December 2026, 17:00 in Paris (16:00 UTC). */
#define T_OPEN "2026-12-24T16:00:00Z"

static const char *g_now = T_OPEN;

#define P(r, ...) CRM(r, "--as-of", g_now, __VA_ARGS__)
#define PJ(doc, ...)                                                         \
  do {                                                                       \
    struct run r_;                                                           \
    P(&r_, "--json", __VA_ARGS__);                                           \
    expect(&r_, 0, NULL, NULL);                                              \
    (doc) = parse_out(&r_);                                                  \
    run_free(&r_);                                                           \
  } while(0)
#define OK(...)                                                              \
  do {                                                                       \
    struct run r_;                                                           \
    P(&r_, __VA_ARGS__);                                                     \
    expect(&r_, 0, NULL, NULL);                                              \
    run_free(&r_);                                                           \
  } while(0)
/* exit 0 and stdout holding want (runs of blanks squeezed) */
#define SAYS(want, ...)                                                      \
  do {                                                                       \
    struct run r_;                                                           \
    P(&r_, __VA_ARGS__);                                                     \
    expect(&r_, 0, NULL, NULL);                                              \
    expect_line(&r_, want);                                                  \
    run_free(&r_);                                                           \
  } while(0)
/* exit 1 with err on stderr and nothing on stdout */
#define BAD(err, ...)                                                        \
  do {                                                                       \
    struct run r_;                                                           \
    P(&r_, __VA_ARGS__);                                                     \
    expect(&r_, 1, NULL, err);                                               \
    assert_string_equal(r_.out, "");                                         \
    run_free(&r_);                                                           \
  } while(0)

/* text with every run of blanks made one space (malloc'ed) */
static char *squeeze(const char *text)
{
  char *out = malloc(strlen(text) + 1);
  size_t n = 0;
  const char *p;
  assert_non_null(out);
  for(p = text; *p; p++) {
    if(*p == ' ' && n && out[n - 1] == ' ')
      continue;
    out[n++] = *p;
  }
  out[n] = '\0';
  return out;
}

static void expect_line(const struct run *r, const char *want)
{
  char *s = squeeze(r->out);
  if(!strstr(s, want))
    fail_msg("stdout lacks \"%s\":\n%s", want, r->out);
  free(s);
}

static void expect_no(const struct run *r, const char *unwanted)
{
  char *s = squeeze(r->out);
  if(strstr(s, unwanted))
    fail_msg("stdout has \"%s\":\n%s", unwanted, r->out);
  free(s);
}

/* 1: also the file channel (out.jsonl) routed as "email", a survey
 * template and a survey trigger on case_closed */
static int g_channel;
/* 1: also the triage component (its default keyword groups) */
static int g_triage;

static void write_config(void)
{
  char conf[6144];
  snprintf(
    conf, sizeof(conf),
    "store = { path = \"k.db\"; };\n"
    "plugins = {\n"
    "  path = [ \"%s\" ];\n"
    "  load = (\n"
    "    { name = \"basic_case\"; required = true; },\n"
    "%s%s"
    "    { name = \"basic_points\"; required = true;\n"
    "      config = { points_per_unit = 10; currency = \"USD\"; };\n"
    "      scheme = { unit = \"points\";\n"
    "        catalogue = ( { code = \"COFFEE\"; name = \"Coffee\";\n"
    "          type = \"free_item\"; cost = 300; value = 0; stock = -1; } );\n"
    "      };\n"
    "    }\n"
    "  );\n"
    "};\n"
    "complaints = {\n"
    "  handler = \"basic_case\";\n"
    "  reopen_days = 7;\n"
    "  close_after_days = 7;\n"
    "  warn_at = 0.75;\n"
    "  default_team = \"care\";\n"
    "  teams = ( { name = \"care\"; timezone = \"Europe/Paris\";\n"
    "      lead = \"maria\"; hours = { weekdays = \"09:00-18:00\"; };\n"
    "      holidays = [ \"2026-12-25\", \"2027-01-01\" ]; } );\n"
    "  sla = (\n"
    "    { category = \"*\"; priority = 2; first_response = \"4h\";\n"
    "      resolution = \"16h\"; },\n"
    "    { category = \"*\"; priority = 0; first_response = \"8h\";\n"
    "      resolution = \"40h\"; } );\n"
    "  escalation = ( { clock = \"first_response\"; at = 1.0;\n"
    "    action = \"reassign\"; to = \"lead\"; raise_priority = 1; } );\n"
    "  compensation = (\n"
    "    { category = \"delivery\"; max_points = 2000;\n"
    "      items = [ \"COFFEE\" ]; } );\n"
    "};\n"
    "%s",
    CRM_TEST_PLUGIN_DIR,
    g_triage ? "    { name = \"triage\"; required = true; },\n" : "",
    g_channel ? "    { name = \"file\"; required = true;\n"
                "      config = { path = \"out.jsonl\"; }; },\n" : "",
    g_channel ?
      "communication = {\n"
      "  default_channel = \"email\";\n"
      "  channels = ( { name = \"email\"; component = \"file\";\n"
      "                 address = \"email\"; } );\n"
      "  templates = ( { name = \"survey\"; channel = \"*\";\n"
      "    language = \"en\"; subject = \"How did we do?\";\n"
      "    body = \"Rate case {{case_number}}\"; } );\n"
      "  triggers = ( { name = \"survey\"; on = \"case_closed\";\n"
      "                 template = \"survey\"; } );\n"
      "};\n" : "");
  put_file("crm.conf", conf);
}

static void setup_store(void)
{
  struct run r;
  g_now = T_OPEN;
  write_config();
  CRM(&r, "init");
  expect(&r, 0, "schema version", NULL);
  run_free(&r);
  OK("customer", "add", "--external-id", "c1", "--name", "Ann Lee",
     "--email", "ann@example.com");
  OK("customer", "add", "--external-id", "c2", "--name", "Bob Roe");
}

/* C-000001 for c1: delivery, priority 2, opened at T_OPEN by ana. */
static void open_first(void)
{
  /* First response 4h of business time from Thu 24 Dec 17:00 CET: 1h
   * that day (to 18:00), Fri 25 is a holiday, Sat and Sun are closed,
   * then 3h from Mon 28 Dec 09:00: due 12:00 CET = 11:00 UTC. */
  SAYS("opened C-000001 (delivery, priority 2, team care): first response "
       "due Mon 28 Dec 12:00 CET",
       "case", "open", "c1", "--summary", "my parcel arrived late",
       "--category", "delivery", "--priority", "2", "--origin", "email",
       "--order", "A-1001", "--by", "ana");
}

/* Points of c1 in basic_points, and how many ledger entries name the
 * recovery of case C-000001. */
static int64_t balance(int64_t *recovery_entries)
{
  tj *doc;
  int64_t b;
  size_t i, n;
  PJ(doc, "points", "show", "c1", "--scheme", "basic_points");
  b = jlen(doc, "accounts") ? jint(doc, "accounts.0.balance") : 0;
  tj_free(doc);
  PJ(doc, "points", "history", "c1");
  n = jlen(doc, "entries");
  *recovery_entries = 0;
  for(i = 0; i < n; i++) {
    char path[64];
    const char *why;
    snprintf(path, sizeof(path), "entries.%zu.reason", i);
    why = tj_str(doc, path);
    if(why && strstr(why, "C-000001"))
      (*recovery_entries)++;
  }
  tj_free(doc);
  return b;
}

/* ---- open, show, errors -------------------------------------------------- */

static void test_open_show(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_store();
  open_first();

  P(&r, "case", "show", "C-000001");
  expect(&r, 0, NULL, NULL);
  expect_line(&r, "C-000001 New");
  expect_line(&r, "customer c1 (#1)");
  expect_line(&r, "category delivery");
  expect_line(&r, "priority 2");
  expect_line(&r, "owner (unassigned)");
  expect_line(&r, "team care (Europe/Paris)");
  expect_line(&r, "origin email");
  expect_line(&r, "link order A-1001");
  expect_line(&r, "opened 2026-12-24 17:00 CET");
  expect_line(&r, "SLA: policy */2, team care (Europe/Paris)");
  /* 1h of 4h used Thursday evening; due as worked out in open_first */
  expect_line(&r, "first response running, target 4h, used 0m, 4h left");
  expect_line(&r, "due Mon 28 Dec 12:00 CET (Mon 28 Dec 11:00 UTC)");
  /* warning at 0.75 x 4h = 3h used: Mon 11:00 CET */
  expect_line(&r, "warning at Mon 28 Dec 11:00 CET (Mon 28 Dec 10:00 UTC)");
  /* resolution 16h: Thu 1h + Mon 9h + Tue 6h -> Tue 29 Dec 15:00 CET */
  expect_line(&r, "due Tue 29 Dec 15:00 CET (Tue 29 Dec 14:00 UTC)");
  expect_line(&r, "open by ana, handler basic_case, state New");
  run_free(&r);

  /* the same by 1, #1 and c-1; JSON in UTC */
  PJ(doc, "case", "show", "#1");
  assert_string_equal(jstr(doc, "case.number"), "C-000001");
  assert_string_equal(jstr(doc, "case.customer.external_id"), "c1");
  assert_string_equal(jstr(doc, "case.state"), "New");
  assert_string_equal(jstr(doc, "case.link_kind"), "order");
  assert_string_equal(jstr(doc, "case.opened_at"), T_OPEN);
  assert_string_equal(jstr(doc, "sla.timezone"), "Europe/Paris");
  assert_string_equal(jstr(doc, "sla.first_response.due_at"),
                      "2026-12-28T11:00:00Z");
  assert_string_equal(jstr(doc, "sla.first_response.target"), "4h");
  assert_int_equal(jint(doc, "sla.first_response.target_seconds"), 14400);
  assert_string_equal(jstr(doc, "sla.resolution.due_at"),
                      "2026-12-29T14:00:00Z");
  assert_string_equal(jstr(doc, "history.0.action"), "open");
  assert_string_equal(jstr(doc, "history.0.actor"), "ana");
  tj_free(doc);
  PJ(doc, "case", "show", "1");
  assert_string_equal(jstr(doc, "case.number"), "C-000001");
  tj_free(doc);

  /* errors: exit 1, the reason on stderr, nothing on stdout */
  BAD("crm: unknown case C-000099", "case", "show", "C-000099");
  BAD("crm: unknown case 42", "sla", "show", "42");
  BAD("crm: --priority: expected 1 (urgent) to 4 (low), not '7'", "case",
      "open", "c1", "--summary", "x", "--priority", "7");
  BAD("crm: --priority: expected 1 (urgent) to 4 (low), not 'high'", "case",
      "open", "c1", "--summary", "x", "--priority", "high");
  BAD("--summary is required", "case", "open", "c1");
  BAD("crm: unknown customer nobody", "case", "open", "nobody",
      "--summary", "x");
  BAD("exclude each other", "case", "open", "c1", "--summary", "x",
      "--order", "A", "--flight", "AF1");
  BAD("--why is required", "case", "resolve", "C-000001");
  BAD("--why is required", "case", "reject", "C-000001");
  BAD("--from: expected customer or agent", "case", "reply", "C-000001",
      "hi", "--from", "robot");
  BAD("crm: unknown case C-000007", "case", "assign", "C-000007", "ana");
  /* no triage component loaded: nothing can learn */
  BAD("crm: no triage component", "case", "train");
  /* nothing was opened by the refused commands */
  PJ(doc, "case", "list");
  assert_int_equal(jlen(doc, "cases"), 1);
  tj_free(doc);

  /* a retry with the same --key gives the first case back; priority 4
   * (any category, any priority: 8h) opened Thu 17:00 CET: 1h Thu, then
   * 7h from Mon 09:00 -> Mon 28 Dec 16:00 CET */
  SAYS("opened C-000002 (service, priority 4, team care): first response "
       "due Mon 28 Dec 16:00 CET", "case", "open", "c1", "--summary",
       "rude on the phone", "--category", "service", "--priority", "4",
       "--key", "k-1", "--by", "ana");
  PJ(doc, "case", "open", "c1", "--summary", "rude on the phone",
     "--category", "service", "--priority", "4", "--key", "k-1", "--by",
     "ana");
  assert_string_equal(jstr(doc, "case.number"), "C-000002");
  assert_string_equal(jstr(doc, "first_response_due_at"),
                      "2026-12-28T15:00:00Z");
  tj_free(doc);
  PJ(doc, "case", "list");
  assert_int_equal(jlen(doc, "cases"), 2);
  tj_free(doc);
}

/* ---- the whole flow ---------------------------------------------------------- */

static void test_flow(void **state)
{
  struct run r;
  tj *doc;
  int64_t n_entries = 0;
  (void)state;
  setup_store();
  open_first();

  /* Mon 28 Dec 09:30 CET */
  g_now = "2026-12-28T08:30:00Z";
  SAYS("assigned C-000001 to ana (team care), New -> Assigned", "case",
       "assign", "C-000001", "ana", "--by", "maria", "--why", "delivery desk");
  SAYS("note #1 on C-000001", "case", "note", "C-000001",
       "called the carrier", "--by", "ana");

  /* Mon 10:00 CET: the first answer, 2h of business time after opening
   * (Thu 1h + Mon 1h); no channel is loaded: recorded only */
  g_now = "2026-12-28T09:00:00Z";
  P(&r, "case", "reply", "C-000001", "Could you send a photo?", "--wait",
    "--by", "ana");
  expect(&r, 0, "reply #2 on C-000001, recorded only (no channel)", NULL);
  expect_line(&r, "first response recorded");
  expect_line(&r, "waiting on the customer: the SLA clocks are paused");
  run_free(&r);
  P(&r, "sla", "show", "C-000001");
  expect(&r, 0, NULL, NULL);
  expect_line(&r, "C-000001 Waiting on customer");
  expect_line(&r, "first response met, target 4h, used 2h");
  expect_line(&r, "resolution paused, target 16h, used 2h, 14h left");
  expect_no(&r, "due Tue");
  run_free(&r);

  /* Tue 29 Dec 10:00 CET the customer answers: back to In progress; the
   * resolution clock had 14h left: Tue 10:00-18:00 (8h) + Wed 6h from
   * 09:00 -> Wed 30 Dec 15:00 CET = 14:00 UTC */
  g_now = "2026-12-29T09:00:00Z";
  P(&r, "case", "reply", "C-000001", "here it is", "--from", "customer");
  expect(&r, 0, "C-000001: Waiting on customer -> In progress", NULL);
  expect_line(&r, "customer message #3 on C-000001");
  run_free(&r);
  PJ(doc, "sla", "show", "C-000001");
  assert_string_equal(jstr(doc, "sla.resolution.status"), "running");
  assert_string_equal(jstr(doc, "sla.resolution.due_at"),
                      "2026-12-30T14:00:00Z");
  assert_string_equal(jstr(doc, "sla.first_response.status"), "met");
  tj_free(doc);

  /* resolve with 500 goodwill points: in the ledger once */
  g_now = "2026-12-29T10:00:00Z";
  BAD("crm: ", "case", "resolve", "C-000001", "--why", "too much",
      "--points", "5000", "--by", "ana");
  assert_int_equal(balance(&n_entries), 0);
  P(&r, "case", "resolve", "C-000001", "--why", "refund and apology",
    "--points", "500", "--by", "ana");
  expect(&r, 0, "resolved C-000001 (Resolved)", NULL);
  expect_line(&r, "compensation: 500");
  run_free(&r);
  assert_int_equal(balance(&n_entries), 500);
  assert_int_equal(n_entries, 1);
  P(&r, "case", "resolve", "C-000001", "--why", "again", "--points", "500",
    "--by", "ana");
  expect(&r, 0, "C-000001 already resolved: nothing changed, nothing "
         "granted", NULL);
  run_free(&r);
  assert_int_equal(balance(&n_entries), 500);
  assert_int_equal(n_entries, 1);

  /* close: the survey is recorded as due (no communication layer) */
  g_now = "2026-12-29T11:00:00Z";
  SAYS("closed C-000001 (Closed)", "case", "close", "C-000001", "--by",
       "ana");
  SAYS("survey answer for C-000001 (c1): 4/5, nps 9", "case", "survey",
       "C-000001", "--score", "4", "--nps", "9", "--comment", "quick");
  BAD("crm: ", "case", "survey", "C-000001", "--score", "5");
  BAD("crm: --score: expected 1 to 5, not '6'", "case", "survey",
      "C-000001", "--score", "6");

  P(&r, "case", "show", "C-000001");
  expect(&r, 0, NULL, NULL);
  expect_line(&r, "C-000001 Closed");
  expect_line(&r, "note ana: called the carrier");
  expect_line(&r, "agent ana (recorded): Could you send a photo?");
  expect_line(&r, "customer c1: here it is");
  expect_line(&r, "assign by maria, owner ana (why: delivery desk)");
  expect_line(&r, "move by maria: New -> Assigned");
  expect_line(&r, "(why: delivery desk)");
  expect_line(&r, "(why: refund and apology)");
  expect_line(&r, "compensation:");
  expect_line(&r, "answered 2026-12-29 12:00 CET: 4/5, nps 9\n"
                  " comment: quick\n");
  run_free(&r);
  PJ(doc, "case", "show", "C-000001");
  assert_int_equal(jlen(doc, "compensation"), 1);
  assert_int_equal(jint(doc, "survey.score"), 4);
  assert_int_equal(jint(doc, "survey.nps"), 9);
  assert_string_equal(jstr(doc, "survey.comment"), "quick");
  assert_int_equal(jint(doc, "case.resolutions"), 1);
  tj_free(doc);

  /* a customer message on the closed case opens a follow-up */
  g_now = "2026-12-30T09:00:00Z";
  SAYS("opened follow-up C-000002 (C-000001 is Closed)", "case", "reply",
       "C-000001", "the item is broken too", "--from", "customer");
  PJ(doc, "case", "show", "C-000002");
  assert_string_equal(jstr(doc, "case.parent"), "C-000001");
  assert_string_equal(jstr(doc, "case.category"), "delivery");
  assert_string_equal(jstr(doc, "case.customer.external_id"), "c1");
  tj_free(doc);
}

/* ---- reopen within the window, follow-up after it, auto close ---------- */

static void test_reopen_window(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_store();
  open_first();
  g_now = "2026-12-28T09:00:00Z";
  OK("case", "resolve", "C-000001", "--why", "resent", "--by", "ana");
  /* 2 days later (within 7): reopened */
  g_now = "2026-12-30T09:00:00Z";
  P(&r, "case", "reply", "C-000001", "still nothing", "--from", "customer",
    "--key", "mail-1");
  expect(&r, 0, "reopened C-000001 (In progress, reopened 1 time)", NULL);
  run_free(&r);
  /* the same e-mail delivered again: stored once, nothing moves (the
   * reopen_count is still 1 at the end) */
  P(&r, "case", "reply", "C-000001", "still nothing", "--from", "customer",
    "--key", "mail-1");
  expect(&r, 0, "duplicate of customer message #1 on C-000001, nothing "
         "changed\n", NULL);
  run_free(&r);
  BAD("crm: idempotency key \"mail-1\" was already used by a different "
      "message (#1 on C-000001)", "case", "reply", "C-000001", "other",
      "--from", "customer", "--key", "mail-1");
  SAYS("note #2 on C-000001", "case", "note", "C-000001", "call back",
       "--key", "n-1");
  SAYS("duplicate of note #2 on C-000001, nothing changed", "case", "note",
       "C-000001", "call back", "--key", "n-1");
  g_now = "2026-12-30T10:00:00Z";
  OK("case", "resolve", "C-000001", "--why", "delivered", "--by", "ana");
  /* the automatic close is due 7 days after the resolution */
  g_now = "2027-01-06T09:00:00Z";
  SAYS("0 cases closed", "sla", "run");
  /* 9 days after it (the sla run has not passed 2027-01-06T10:00Z) */
  g_now = "2027-01-08T10:00:00Z";
  P(&r, "case", "reply", "C-000001", "it broke", "--from", "customer");
  expect(&r, 0, "opened follow-up C-000002 (C-000001 was resolved 9 days "
         "ago: after the reopen window)", NULL);
  run_free(&r);
  /* now the automatic close of C-000001 */
  SAYS("1 case closed", "sla", "run");
  PJ(doc, "case", "show", "C-000001");
  assert_string_equal(jstr(doc, "case.state"), "Closed");
  assert_int_equal(jint(doc, "case.reopen_count"), 1);
  tj_free(doc);
}

/* ---- list filters, merge ------------------------------------------------------- */

static void test_list_merge(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_store();
  open_first();
  OK("case", "assign", "1", "ana", "--by", "maria");
  OK("case", "open", "c2", "--summary", "charged twice", "--category",
     "billing", "--priority", "3", "--by", "bob");
  OK("case", "open", "c2", "--summary", "charged twice!!", "--category",
     "billing", "--priority", "3", "--by", "bob");
  OK("case", "open", "c2", "--summary", "rude staff", "--category",
     "service", "--priority", "4", "--by", "bob");
  OK("case", "reject", "C-000004", "--why", "not a complaint", "--by",
     "maria");

  PJ(doc, "case", "list", "--customer", "c2");
  assert_int_equal(jlen(doc, "cases"), 3);
  tj_free(doc);
  PJ(doc, "case", "list", "--open");
  assert_int_equal(jlen(doc, "cases"), 3);
  tj_free(doc);
  PJ(doc, "case", "list", "--owner", "ana");
  assert_int_equal(jlen(doc, "cases"), 1);
  assert_string_equal(jstr(doc, "cases.0.number"), "C-000001");
  tj_free(doc);
  PJ(doc, "case", "list", "--unassigned", "--open");
  assert_int_equal(jlen(doc, "cases"), 2);
  tj_free(doc);
  PJ(doc, "case", "list", "--category", "billing");
  assert_int_equal(jlen(doc, "cases"), 2);
  tj_free(doc);
  PJ(doc, "case", "list", "--state", "Rejected");
  assert_int_equal(jlen(doc, "cases"), 1);
  assert_string_equal(jstr(doc, "cases.0.number"), "C-000004");
  tj_free(doc);
  P(&r, "case", "list", "--category", "billing");
  expect(&r, 0, NULL, NULL);
  expect_line(&r, "C-000002 c2 New billing 3 - care");
  run_free(&r);

  /* no complaints.compensation row for billing: refused, nothing changed */
  BAD("crm: no compensation is allowed for category billing", "case",
      "resolve", "C-000002", "--why", "sorry", "--points", "10", "--by",
      "ana");
  PJ(doc, "case", "show", "C-000002");
  assert_string_equal(jstr(doc, "case.state"), "New");
  tj_free(doc);

  SAYS("merged C-000003 into C-000002 (Duplicate)", "case", "merge",
       "C-000003", "C-000002", "--by", "maria");
  SAYS("went to C-000002 (C-000003 was merged into it)", "case", "reply",
       "C-000003", "any news?", "--from", "customer");
  PJ(doc, "case", "show", "C-000003");
  assert_string_equal(jstr(doc, "case.merged_into"), "C-000002");
  tj_free(doc);
  SAYS("moved C-000002 from New to In progress", "case", "move", "C-000002",
       "In progress", "--why", "looking", "--by", "ana");
  BAD("crm: ", "case", "move", "C-000004", "New", "--by", "ana");
}

/* ---- sla run: warning, breach; list --breached; stats --------------------- */

static void test_sla_run(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_store();
  open_first();
  /* Mon 28 Dec 12:30 CET: the first-response warning (11:00 CET) and
   * breach (12:00 CET) are due; the resolution warning (12h used: Tue
   * 11:00 CET) is not */
  g_now = "2026-12-28T11:30:00Z";
  SAYS("1 warning, 1 breach, 1 escalation, 0 cases closed", "sla", "run");
  SAYS("0 warnings, 0 breaches, 0 escalations", "sla", "run");
  /* the escalation at the breach: to the team's lead, one level up */
  P(&r, "case", "show", "C-000001");
  expect(&r, 0, NULL, NULL);
  expect_line(&r, "owner maria");
  expect_line(&r, "priority 1");
  expect_line(&r, "escalation 1 (first response): reassign to lead");
  run_free(&r);
  PJ(doc, "case", "list", "--breached");
  assert_int_equal(jlen(doc, "cases"), 1);
  tj_free(doc);
  P(&r, "sla", "show", "C-000001");
  expect(&r, 0, NULL, NULL);
  expect_line(&r, "first response breached");
  expect_line(&r, "breached Mon 28 Dec 12:00 CET (Mon 28 Dec 11:00 UTC)");
  expect_line(&r, "SLA steps:");
  run_free(&r);
  P(&r, "case", "stats");
  expect(&r, 0, NULL, NULL);
  expect_line(&r, "delivery 1 1");
  expect_line(&r, "complainants");
  run_free(&r);
  PJ(doc, "case", "stats");
  assert_int_equal(jint(doc, "churn.complainants"), 1);
  tj_free(doc);
}

/* ---- with a channel: the reply and the survey go through the outbox ---- */

static void test_outbox(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  g_channel = 1;
  setup_store();
  g_channel = 0;
  open_first();
  g_now = "2026-12-28T09:00:00Z";
  P(&r, "case", "reply", "C-000001", "We are on it", "--by", "ana");
  expect(&r, 0, "reply #1 on C-000001, sent as outbox #1", NULL);
  expect_line(&r, "first response recorded");
  run_free(&r);
  OK("case", "resolve", "C-000001", "--why", "resent", "--by", "ana");
  SAYS("survey requested (outbox #2)", "case", "close", "C-000001", "--by",
       "ana");
  PJ(doc, "case", "show", "C-000001");
  assert_int_equal(jint(doc, "messages.0.message_id"), 1);
  assert_int_equal(jint(doc, "survey.message_id"), 2);
  tj_free(doc);
  PJ(doc, "outbox", "show", "2");
  /* the case_closed trigger's {{case_number}} (core/trigger.c) */
  assert_non_null(strstr(jstr(doc, "body"), "Rate case "));
  assert_string_equal(jstr(doc, "trigger"), "survey");
  tj_free(doc);
}

/* ---- triage: the reason is shown; train ------------------------------- */

static void test_triage(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  g_triage = 1;
  setup_store();
  g_triage = 0;
  /* the keywords of its delivery group; delivery is priority 2 */
  P(&r, "case", "open", "c1", "--summary", "my parcel is late again",
    "--by", "ana");
  expect(&r, 0, "opened C-000001 (delivery, priority 2, team care): "
         "first response due Mon 28 Dec 12:00 CET", NULL);
  expect_line(&r, "triage: keywords: late, parcel");
  run_free(&r);
  PJ(doc, "case", "show", "C-000001");
  assert_string_equal(jstr(doc, "case.triage_reason"),
                      "keywords: late, parcel");
  tj_free(doc);
  SAYS("triage trained on the cases closed by 2026-12-24T16:00:00Z",
       "case", "train");
}

static void test_help(void **state)
{
  static const char *const cmds[][2] = {
    {"case", "open"}, {"case", "show"}, {"case", "list"},
    {"case", "assign"}, {"case", "reply"}, {"case", "note"},
    {"case", "resolve"}, {"case", "close"}, {"case", "reject"},
    {"case", "merge"}, {"case", "move"}, {"case", "set"}, {"case", "survey"},
    {"case", "stats"}, {"case", "train"}, {"sla", "show"}, {"sla", "run"},
  };
  struct run r;
  size_t i;
  (void)state;
  for(i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
    CRM(&r, cmds[i][0], cmds[i][1], "--help");
    expect(&r, 0, "usage: crm", NULL);
    assert_string_equal(r.err, "");
    run_free(&r);
  }
  CRM(&r, "case");
  expect(&r, 1, NULL, "case needs a subcommand");
  run_free(&r);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_help, setup, teardown),
    cmocka_unit_test_setup_teardown(test_open_show, setup, teardown),
    cmocka_unit_test_setup_teardown(test_flow, setup, teardown),
    cmocka_unit_test_setup_teardown(test_reopen_window, setup, teardown),
    cmocka_unit_test_setup_teardown(test_list_merge, setup, teardown),
    cmocka_unit_test_setup_teardown(test_sla_run, setup, teardown),
    cmocka_unit_test_setup_teardown(test_outbox, setup, teardown),
    cmocka_unit_test_setup_teardown(test_triage, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
