/*
 * test_cli_consent.c - crm consent set / dnc / clear-dnc / show and crm
 * prefs set end to end with the built `crm`.
 *
 * Every test starts from a fresh store s.db (no config) with customers
 * a1 (#1) and a2 (#2) and runs with the clock fixed at 2026-03-01 (so
 * "now", the default of --at and the time a change is recorded, is
 * 2026-03-01T00:00:00Z, and an --at after it is in the future).
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

/* The core's messages (core/consent.c), passed through as "crm: MSG". */
#define CORE_MSG_CHANNEL                                                     \
  "crm: invalid channel \"E-Mail\": only a-z, 0-9 and _ are allowed\n"
#define CORE_MSG_FUTURE                                                      \
  "crm: time in the future: 2026-04-01T00:00:00Z is after now "              \
  "(2026-03-01T00:00:00Z)\n"
#define CORE_MSG_REASON                                                      \
  "crm: unknown do-not-contact reason \"spam\": unsubscribed, bounced, "    \
  "complained or manual\n"
#define CORE_MSG_PAUSE "crm: invalid pause "
#define CORE_MSG_LANGUAGE "crm: invalid language tag \"not a tag!\""

#define P(r, ...)                                                            \
  CRM(r, "--store", "s.db", "--as-of", "2026-03-01", __VA_ARGS__)
/* Runs with --json, expects exit 0, parses stdout into doc. */
#define PJ(doc, ...)                                                         \
  do {                                                                       \
    struct run r_;                                                           \
    P(&r_, "--json", __VA_ARGS__);                                           \
    expect(&r_, 0, NULL, NULL);                                              \
    (doc) = parse_out(&r_);                                                  \
    run_free(&r_);                                                           \
  } while(0)
/* Runs and expects exit 0. */
#define OK(...)                                                              \
  do {                                                                       \
    struct run r_;                                                           \
    P(&r_, __VA_ARGS__);                                                     \
    expect(&r_, 0, NULL, NULL);                                              \
    run_free(&r_);                                                           \
  } while(0)
/* Runs and expects exit 1 with err in stderr and nothing on stdout. */
#define BAD(err, ...)                                                        \
  do {                                                                       \
    struct run r_;                                                           \
    P(&r_, __VA_ARGS__);                                                     \
    expect(&r_, 1, NULL, err);                                               \
    assert_string_equal(r_.out, "");                                         \
    run_free(&r_);                                                           \
  } while(0)

static double jnum(const tj *doc, const char *path)
{
  const tj *v = tj_path(doc, path);
  if(!v || v->type != TJ_NUM)
    fail_msg("no number at %s", path);
  return v->num;
}

static int jnull(const tj *doc, const char *path)
{
  const tj *v = tj_path(doc, path);
  return v && v->type == TJ_NULL;
}

/* The index of the entry of array `arr` whose channel is ch. */
static size_t find_channel(const tj *doc, const char *arr, const char *ch)
{
  char path[64];
  size_t i, n = jlen(doc, arr);
  for(i = 0; i < n; i++) {
    snprintf(path, sizeof(path), "%s.%zu.channel", arr, i);
    if(!strcmp(jstr(doc, path), ch))
      return i;
  }
  fail_msg("no channel %s in %s", ch, arr);
  return 0;
}

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

static void setup_store(void)
{
  init_store();
  OK("customer", "add", "--external-id", "a1");
  OK("customer", "add", "--external-id", "a2");
}

/* ---- help ---------------------------------------------------------------- */

static void test_help(void **state)
{
  static const char *const cmds[][2] = {
    {"consent", "set"}, {"consent", "dnc"}, {"consent", "clear-dnc"},
    {"consent", "show"}, {"prefs", "set"}};
  struct run r;
  size_t i;
  (void)state;
  CRM(&r, "--help");
  expect(&r, 0, NULL, NULL);
  for(i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
    char name[64];
    snprintf(name, sizeof(name), "%s %s", cmds[i][0], cmds[i][1]);
    if(!strstr(r.out, name))
      fail_msg("crm --help does not list %s", name);
  }
  run_free(&r);
  for(i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
    char want[64];
    snprintf(want, sizeof(want), "usage: crm %s %s", cmds[i][0],
             cmds[i][1]);
    CRM(&r, cmds[i][0], cmds[i][1], "--help");
    expect(&r, 0, want, NULL);
    assert_string_equal(r.err, "");
    run_free(&r);
  }
  CRM(&r, "consent", "dnc", "--help");
  expect(&r, 0, "unsubscribed, bounced, complained or manual", NULL);
  run_free(&r);
  CRM(&r, "prefs", "set", "--help");
  expect(&r, 0, "--quiet HH:MM-HH:MM", NULL);
  expect(&r, 0, "--pause FROM..UNTIL", NULL);
  expect(&r, 0, "keep their stored values", NULL);
  run_free(&r);
  CRM(&r, "consent", "--help");
  expect(&r, 0, "consent clear-dnc", NULL);
  run_free(&r);
  assert_false(exists("s.db"));
}

/* ---- set and show -------------------------------------------------------- */

static void test_set_show_text(void **state)
{
  struct run r;
  (void)state;
  setup_store();
  P(&r, "consent", "show", "a1");
  expect(&r, 0, "customer #1 a1 (times UTC)\n", NULL);
  expect(&r, 0, "consent:\n  nothing recorded", NULL);
  expect_line(&r, "preferences:\n channel none\n language none\n"
                  " quiet none of their own (communication.quiet_hours "
                  "applies)\n pause none\n");
  run_free(&r);

  P(&r, "consent", "set", "a1", "email", "in", "--source", "web form",
    "--at", "2026-01-10T09:30:00Z");
  expect(&r, 0, "customer #1 a1 (times UTC)\nconsent:\n", NULL);
  expect_line(&r, "\n email in 2026-01-10 09:30 UTC web form -\n");
  run_free(&r);
  OK("consent", "set", "#1", "sms", "out", "--source", "import", "--at",
     "2026-02-01");

  P(&r, "consent", "show", "a1");
  expect(&r, 0, NULL, NULL);
  expect_line(&r, " CHANNEL STATUS AT SOURCE DO-NOT-CONTACT\n");
  expect_line(&r, "\n email in 2026-01-10 09:30 UTC web form -\n");
  expect_line(&r, "\n sms out 2026-02-01 00:00 UTC import -\n");
  run_free(&r);
  /* a2 is untouched */
  P(&r, "consent", "show", "a2");
  expect(&r, 0, "nothing recorded", NULL);
  run_free(&r);
}

static void test_set_show_json(void **state)
{
  tj *doc;
  size_t i;
  char path[64];
  (void)state;
  setup_store();
  PJ(doc, "consent", "set", "a1", "email", "in", "--source", "web form",
     "--at", "2026-01-10T09:30:00Z");
  assert_int_equal((int64_t)jnum(doc, "customer.id"), 1);
  assert_int_equal(jlen(doc, "consent"), 1);
  assert_string_equal(jstr(doc, "consent.0.channel"), "email");
  assert_string_equal(jstr(doc, "consent.0.status"), "in");
  tj_free(doc);
  OK("consent", "set", "a1", "sms", "out", "--source", "import", "--at",
     "2026-02-01");

  PJ(doc, "consent", "show", "a1");
  assert_int_equal((int64_t)jnum(doc, "customer.id"), 1);
  assert_string_equal(jstr(doc, "customer.external_id"), "a1");
  assert_int_equal(jlen(doc, "consent"), 2);
  i = find_channel(doc, "consent", "email");
  snprintf(path, sizeof(path), "consent.%zu.status", i);
  assert_string_equal(jstr(doc, path), "in");
  snprintf(path, sizeof(path), "consent.%zu.source", i);
  assert_string_equal(jstr(doc, path), "web form");
  snprintf(path, sizeof(path), "consent.%zu.at", i);
  assert_string_equal(jstr(doc, path), "2026-01-10T09:30:00Z");
  snprintf(path, sizeof(path), "consent.%zu.dnc", i);
  assert_true(jnull(doc, path));
  i = find_channel(doc, "consent", "sms");
  snprintf(path, sizeof(path), "consent.%zu.status", i);
  assert_string_equal(jstr(doc, path), "out");
  snprintf(path, sizeof(path), "consent.%zu.at", i);
  assert_string_equal(jstr(doc, path), "2026-02-01T00:00:00Z");
  /* no history unless asked; default preferences */
  assert_null(tj_path(doc, "history"));
  assert_true(jnull(doc, "preferences.channel"));
  assert_true(jnull(doc, "preferences.language"));
  assert_true(jnull(doc, "preferences.quiet"));
  assert_true(jnull(doc, "preferences.pause"));
  tj_free(doc);
}

/* email: in 2026-01-10, out 2026-02-01, then an opt-in dated 2026-01-20
 * (older than the latest change): kept in the history, the current
 * status stays out since 2026-02-01. */
static void test_history(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_store();
  OK("consent", "set", "a1", "email", "in", "--source", "web form", "--at",
     "2026-01-10");
  OK("consent", "set", "a1", "email", "out", "--source", "unsubscribe link",
     "--at", "2026-02-01");
  OK("consent", "set", "a1", "email", "in", "--source", "paper form",
     "--at", "2026-01-20");

  PJ(doc, "consent", "show", "a1", "--history");
  assert_int_equal(jlen(doc, "consent"), 1);
  assert_string_equal(jstr(doc, "consent.0.status"), "out");
  assert_string_equal(jstr(doc, "consent.0.source"), "unsubscribe link");
  assert_string_equal(jstr(doc, "consent.0.at"), "2026-02-01T00:00:00Z");
  assert_int_equal(jlen(doc, "history"), 3);
  /* in the order recorded */
  assert_string_equal(jstr(doc, "history.0.change"), "opt_in");
  assert_string_equal(jstr(doc, "history.0.status"), "in");
  assert_string_equal(jstr(doc, "history.0.source"), "web form");
  assert_string_equal(jstr(doc, "history.0.at"), "2026-01-10T00:00:00Z");
  assert_string_equal(jstr(doc, "history.1.change"), "opt_out");
  assert_string_equal(jstr(doc, "history.1.status"), "out");
  assert_string_equal(jstr(doc, "history.1.at"), "2026-02-01T00:00:00Z");
  assert_string_equal(jstr(doc, "history.2.change"), "opt_in");
  assert_string_equal(jstr(doc, "history.2.source"), "paper form");
  assert_string_equal(jstr(doc, "history.2.at"), "2026-01-20T00:00:00Z");
  assert_string_equal(jstr(doc, "history.2.recorded_at"),
                      "2026-03-01T00:00:00Z");
  tj_free(doc);

  P(&r, "consent", "show", "a1", "--history");
  expect(&r, 0, "consent history (in the order recorded):\n", NULL);
  expect_line(&r, " RECORDED CHANNEL CHANGE AT SOURCE DETAIL\n");
  expect_line(&r, "\n 2026-03-01 00:00 UTC email opt_in 2026-01-10 00:00 UTC"
                  " web form -\n"
                  " 2026-03-01 00:00 UTC email opt_out 2026-02-01 00:00 UTC"
                  " unsubscribe link -\n"
                  " 2026-03-01 00:00 UTC email opt_in 2026-01-20 00:00 UTC"
                  " paper form -\n");
  run_free(&r);
}

/* ---- do-not-contact ------------------------------------------------------ */

static void test_dnc_clear(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_store();
  OK("consent", "set", "a1", "email", "in", "--source", "web form", "--at",
     "2026-01-10");
  P(&r, "consent", "dnc", "a1", "email", "--reason", "bounced", "--note",
    "mailbox gone", "--at", "2026-02-05T08:00:00Z");
  expect(&r, 0, NULL, NULL);
  expect_line(&r, "\n email in 2026-01-10 00:00 UTC web form bounced since "
                  "2026-02-05 08:00 UTC: mailbox gone\n");
  run_free(&r);

  PJ(doc, "consent", "show", "a1");
  assert_int_equal(jlen(doc, "consent"), 1);
  /* the opt-in itself is kept */
  assert_string_equal(jstr(doc, "consent.0.status"), "in");
  assert_string_equal(jstr(doc, "consent.0.dnc.reason"), "bounced");
  assert_string_equal(jstr(doc, "consent.0.dnc.note"), "mailbox gone");
  assert_string_equal(jstr(doc, "consent.0.dnc.at"), "2026-02-05T08:00:00Z");
  tj_free(doc);

  PJ(doc, "consent", "clear-dnc", "a1", "email", "--source", "support call");
  assert_int_equal(jlen(doc, "consent"), 1);
  assert_string_equal(jstr(doc, "consent.0.status"), "in");
  assert_true(jnull(doc, "consent.0.dnc"));
  tj_free(doc);

  /* every channel, then lifted again */
  OK("consent", "set", "a1", "sms", "in", "--source", "shop", "--at",
     "2026-01-11");
  PJ(doc, "consent", "dnc", "a1", "--all", "--reason", "manual");
  /* the mark of every channel is the channel "*", sorted first; each
   * channel shows it */
  assert_int_equal(jlen(doc, "consent"), 3);
  assert_string_equal(jstr(doc, "consent.0.channel"), "*");
  assert_string_equal(jstr(doc, "consent.0.dnc.reason"), "manual");
  assert_string_equal(jstr(doc, "consent.0.dnc.at"), "2026-03-01T00:00:00Z");
  assert_true(jnull(doc, "consent.0.dnc.note"));
  assert_string_equal(jstr(doc, "consent.1.channel"), "email");
  assert_string_equal(jstr(doc, "consent.1.dnc.reason"), "manual");
  assert_string_equal(jstr(doc, "consent.2.channel"), "sms");
  assert_string_equal(jstr(doc, "consent.2.dnc.reason"), "manual");
  tj_free(doc);
  PJ(doc, "consent", "clear-dnc", "a1", "--all", "--source", "manager");
  assert_int_equal(jlen(doc, "consent"), 2);
  assert_string_equal(jstr(doc, "consent.0.channel"), "email");
  assert_true(jnull(doc, "consent.0.dnc"));
  assert_string_equal(jstr(doc, "consent.1.channel"), "sms");
  assert_true(jnull(doc, "consent.1.dnc"));
  tj_free(doc);

  /* opt-in, dnc, clear, opt-in, dnc all, clear all: each in the history
   * in the order recorded */
  PJ(doc, "consent", "show", "a1", "--history");
  assert_int_equal(jlen(doc, "history"), 6);
  assert_string_equal(jstr(doc, "history.0.change"), "opt_in");
  assert_string_equal(jstr(doc, "history.1.change"), "dnc");
  assert_string_equal(jstr(doc, "history.1.dnc.reason"), "bounced");
  assert_string_equal(jstr(doc, "history.1.dnc.note"), "mailbox gone");
  assert_string_equal(jstr(doc, "history.2.change"), "dnc_clear");
  assert_string_equal(jstr(doc, "history.2.source"), "support call");
  assert_string_equal(jstr(doc, "history.3.change"), "opt_in");
  assert_string_equal(jstr(doc, "history.3.channel"), "sms");
  assert_string_equal(jstr(doc, "history.4.change"), "dnc");
  assert_string_equal(jstr(doc, "history.4.channel"), "*");
  assert_string_equal(jstr(doc, "history.5.change"), "dnc_clear");
  assert_string_equal(jstr(doc, "history.5.source"), "manager");
  tj_free(doc);
  /* nothing to lift */
  BAD("crm: no do-not-contact to clear on email", "consent", "clear-dnc",
      "a1", "email", "--source", "x");
}

/* ---- preferences --------------------------------------------------------- */

static void test_prefs_partial(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_store();
  P(&r, "prefs", "set", "a1", "--channel", "sms", "--language", "fr-CA",
    "--quiet", "22:00-07:30", "--pause", "2026-07-01..2026-08-01",
    "--source", "web form");
  expect(&r, 0, "customer #1 a1 (times UTC)\npreferences:\n", NULL);
  expect_line(&r, " channel sms\n language fr-CA\n"
                  " quiet 22:00-07:30 (the customer's local time)\n"
                  " pause 2026-07-01 00:00 UTC until 2026-08-01 00:00 UTC\n");
  run_free(&r);

  /* only the language changes */
  PJ(doc, "prefs", "set", "a1", "--language", "en", "--source", "call");
  assert_string_equal(jstr(doc, "preferences.channel"), "sms");
  assert_string_equal(jstr(doc, "preferences.language"), "en");
  assert_string_equal(jstr(doc, "preferences.quiet.start"), "22:00");
  assert_string_equal(jstr(doc, "preferences.quiet.end"), "07:30");
  /* 22 * 60 = 1320, 7 * 60 + 30 = 450 */
  assert_int_equal((int64_t)jnum(doc, "preferences.quiet.start_minute"),
                   1320);
  assert_int_equal((int64_t)jnum(doc, "preferences.quiet.end_minute"), 450);
  assert_string_equal(jstr(doc, "preferences.pause.from"),
                      "2026-07-01T00:00:00Z");
  assert_string_equal(jstr(doc, "preferences.pause.until"),
                      "2026-08-01T00:00:00Z");
  tj_free(doc);

  /* quiet hours off, the rest kept */
  OK("prefs", "set", "a1", "--no-quiet", "--source", "call");
  PJ(doc, "consent", "show", "a1");
  assert_string_equal(jstr(doc, "preferences.channel"), "sms");
  assert_string_equal(jstr(doc, "preferences.language"), "en");
  assert_true(jnull(doc, "preferences.quiet"));
  assert_string_equal(jstr(doc, "preferences.pause.from"),
                      "2026-07-01T00:00:00Z");
  tj_free(doc);

  /* pause and channel off, language kept; a2 untouched */
  OK("prefs", "set", "a1", "--no-pause", "--no-channel", "--source", "call");
  PJ(doc, "consent", "show", "a1");
  assert_true(jnull(doc, "preferences.channel"));
  assert_string_equal(jstr(doc, "preferences.language"), "en");
  assert_true(jnull(doc, "preferences.pause"));
  tj_free(doc);
  PJ(doc, "consent", "show", "a2");
  assert_true(jnull(doc, "preferences.language"));
  tj_free(doc);
  /* four changes of preferences in the history, with their source */
  PJ(doc, "consent", "show", "a1", "--history");
  assert_int_equal(jlen(doc, "history"), 4);
  assert_string_equal(jstr(doc, "history.0.change"), "prefs");
  assert_true(jnull(doc, "history.0.channel"));
  assert_string_equal(jstr(doc, "history.0.source"), "web form");
  assert_string_equal(jstr(doc, "history.3.source"), "call");
  /* the new preferences as the admin set them, not the stored minutes
   * and seconds: 22:00-07:30 is 1320-450, 2026-07-01 is 1782864000 */
  assert_string_equal(jstr(doc, "history.0.preferences"),
                      "channel=sms language=fr-CA quiet=22:00-07:30 "
                      "pause=2026-07-01T00:00:00Z..2026-08-01T00:00:00Z");
  assert_string_equal(jstr(doc, "history.3.preferences"),
                      "channel=none language=en quiet=none pause=none");
  tj_free(doc);
  P(&r, "consent", "show", "a1", "--history");
  expect_line(&r, "web form channel=sms language=fr-CA quiet=22:00-07:30 "
                  "pause=2026-07-01 00:00 UTC..2026-08-01 00:00 UTC\n");
  expect_line(&r, "call channel=none language=en quiet=none pause=none\n");
  run_free(&r);
}

/* ---- errors -------------------------------------------------------------- */

static void test_errors(void **state)
{
  tj *doc;
  (void)state;
  setup_store();
  /* the command's own checks */
  BAD("crm: consent set: expected in or out, not 'maybe'\n", "consent",
      "set", "a1", "email", "maybe", "--source", "x");
  BAD("--source is required", "consent", "set", "a1", "email", "in");
  BAD("crm: consent set: missing argument", "consent", "set", "a1",
      "email");
  BAD("crm: unknown customer zz\n", "consent", "set", "zz", "email", "in",
      "--source", "x");
  BAD("--at: bad date or time 'soon'", "consent", "set", "a1", "email",
      "in", "--source", "x", "--at", "soon");
  BAD("give a CHANNEL or --all", "consent", "dnc", "a1", "--reason",
      "manual");
  BAD("give a CHANNEL or --all, not both", "consent", "dnc", "a1", "email",
      "--all", "--reason", "manual");
  BAD("--reason is required", "consent", "dnc", "a1", "email");
  BAD("--source is required", "consent", "clear-dnc", "a1", "email");
  BAD("--quiet: expected HH:MM-HH:MM (e.g. 22:00-07:00), not '25:00-07:00'",
      "prefs", "set", "a1", "--quiet", "25:00-07:00", "--source", "x");
  BAD("--quiet: expected HH:MM-HH:MM", "prefs", "set", "a1", "--quiet",
      "22h", "--source", "x");
  BAD("--pause: expected FROM..UNTIL", "prefs", "set", "a1", "--pause",
      "2026-07-01", "--source", "x");
  BAD("--quiet and --no-quiet conflict", "prefs", "set", "a1", "--quiet",
      "22:00-07:00", "--no-quiet", "--source", "x");
  BAD("prefs set: --source is required", "prefs", "set", "a1",
      "--language", "en");
  /* the core's validation, its message passed through */
  BAD(CORE_MSG_CHANNEL, "consent", "set", "a1", "E-Mail", "in", "--source",
      "x");
  BAD(CORE_MSG_FUTURE, "consent", "set", "a1", "email", "in", "--source",
      "x", "--at", "2026-04-01");
  BAD(CORE_MSG_REASON, "consent", "dnc", "a1", "email", "--reason", "spam");
  BAD(CORE_MSG_PAUSE, "prefs", "set", "a1", "--pause",
      "2026-08-01..2026-07-01", "--source", "x");
  BAD(CORE_MSG_LANGUAGE, "prefs", "set", "a1", "--language", "not a tag!",
      "--source", "x");
  /* nothing was recorded */
  PJ(doc, "consent", "show", "a1", "--history");
  assert_int_equal(jlen(doc, "consent"), 0);
  assert_int_equal(jlen(doc, "history"), 0);
  assert_true(jnull(doc, "preferences.language"));
  assert_true(jnull(doc, "preferences.pause"));
  tj_free(doc);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_help, setup, teardown),
    cmocka_unit_test_setup_teardown(test_set_show_text, setup, teardown),
    cmocka_unit_test_setup_teardown(test_set_show_json, setup, teardown),
    cmocka_unit_test_setup_teardown(test_history, setup, teardown),
    cmocka_unit_test_setup_teardown(test_dnc_clear, setup, teardown),
    cmocka_unit_test_setup_teardown(test_prefs_partial, setup, teardown),
    cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
