/*
 * test_cli_outbox.c - crm outbox list | show | run | retry | purge |
 * receipt | channels | addresses | clear-address, crm send test, crm
 * templates list and crm triggers list | run end to end with the built
 * `crm` and the real file channel plugin.
 *
 * Every test writes crm.conf in its temporary directory: the store o.db,
 * the file plugin appending to out.jsonl, the channel "email" routed to
 * it, quiet hours 21:00-08:00 (customers are in UTC), three templates
 * (welcome in en and fr, case_note needing {{case_number}}) and a welcome
 * trigger on the first purchase. The clock is fixed with --as-of (default
 * 2026-03-02T12:00:00Z, a Monday noon: not quiet).
 *
 * Customers: c1 "Ann Lee" <ann@example.com>, opted in on email; c2 "Bob
 * Roe" <bob@example.com>, never asked (marketing is refused: no opt-in).
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

#define NOON "2026-03-02T12:00:00Z"

static const char *g_now = NOON;

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
/* exit 1 with err on stderr and nothing on stdout */
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

/* extra settings of the email route (a test sets " rate = 1.0;") */
static const char *g_route_extra = "";

static void write_config(void)
{
  char conf[4096];
  snprintf(
    conf, sizeof(conf),
    "store = { path = \"o.db\"; };\n"
    "plugins = {\n"
    "  path = [ \"%s\" ];\n"
    "  load = ( { name = \"file\"; required = true;\n"
    "             config = { path = \"out.jsonl\"; }; } );\n"
    "};\n"
    "communication = {\n"
    "  quiet_hours = \"21:00-08:00\";\n"
    "  default_channel = \"email\";\n"
    "  sender_name = \"Example Shop\";\n"
    "  channels = ( { name = \"email\"; component = \"file\";\n"
    "                 address = \"email\";%s } );\n"
    "  templates = (\n"
    "    { name = \"welcome\"; channel = \"email\"; language = \"en\";\n"
    "      subject = \"Welcome to {{company}}, {{first_name}}\";\n"
    "      body = \"Hello {{first_name}}, you have {{points_balance}} "
    "points.\"; },\n"
    "    { name = \"welcome\"; channel = \"*\"; language = \"fr\";\n"
    "      body = \"Bonjour {{first_name}}\"; },\n"
    "    { name = \"case_note\"; channel = \"*\"; language = \"en\";\n"
    "      subject = \"Case {{case_number}}\";\n"
    "      body = \"About case {{case_number}}\"; } );\n"
    "  triggers = (\n"
    "    { name = \"welcome\"; on = \"stage\"; stage = \"first_purchase\";\n"
    "      template = \"welcome\"; } );\n"
    "};\n",
    CRM_TEST_PLUGIN_DIR, g_route_extra);
  put_file("crm.conf", conf);
}

/* The store with c1 (opted in on email) and c2 (never asked). */
static void setup_store(void)
{
  struct run r;
  g_now = NOON;
  write_config();
  CRM(&r, "init");
  expect(&r, 0, "schema version", NULL);
  run_free(&r);
  OK("customer", "add", "--external-id", "c1", "--name", "Ann Lee",
     "--email", "ann@example.com");
  OK("customer", "add", "--external-id", "c2", "--name", "Bob Roe",
     "--email", "bob@example.com");
  OK("consent", "set", "c1", "email", "in", "--source", "web form");
}

/* A first purchase: the welcome trigger queues a message. */
static void purchase(const char *who)
{
  OK("event", "add", "--customer", who, "--type", "purchase", "--amount",
     "20.00", "--currency", "USD");
}

/* The whole of out.jsonl (malloc'ed). */
static char *read_out(void)
{
  char path[1024];
  snprintf(path, sizeof(path), "%s/out.jsonl", cli_tmpdir);
  return slurp(path);
}

/* The lines of out.jsonl (0 when the file does not exist). */
static size_t count_lines(void)
{
  char *all;
  size_t n = 0;
  const char *p;
  if(!exists("out.jsonl"))
    return 0;
  all = read_out();
  for(p = all; *p; p++)
    if(*p == '\n')
      n++;
  free(all);
  return n;
}

/* Line idx (0-based) of out.jsonl, parsed. */
static tj *file_line(size_t idx)
{
  char *all = read_out();
  char *p = all, *nl, err[160];
  tj *doc;
  while(idx--) {
    p = strchr(p, '\n');
    assert_non_null(p);
    p++;
  }
  nl = strchr(p, '\n');
  assert_non_null(nl);
  *nl = '\0';
  doc = tj_parse(p, err, sizeof(err));
  if(!doc)
    fail_msg("line is not JSON (%s): %s", err, p);
  free(all);
  return doc;
}

/* ---- help ---------------------------------------------------------------- */

static void test_help(void **state)
{
  static const char *const cmds[][2] = {
    {"outbox", "list"}, {"outbox", "show"}, {"outbox", "run"},
    {"outbox", "retry"}, {"outbox", "purge"}, {"outbox", "receipt"},
    {"outbox", "channels"}, {"outbox", "addresses"},
    {"outbox", "clear-address"}, {"send", "test"}, {"templates", "list"},
    {"triggers", "list"}, {"triggers", "run"}};
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
  CRM(&r, "send", "test", "--help");
  expect(&r, 0, "--var NAME=VALUE", NULL);
  expect(&r, 0, "--dry-run", NULL);
  run_free(&r);
  assert_false(exists("o.db"));
}

/* ---- usage errors: exit 1, a reason, nothing done ------------------------- */

static void test_usage(void **state)
{
  (void)state;
  setup_store();
  BAD("crm: outbox show: missing argument", "outbox", "show");
  BAD("crm: message id: expected a whole number >= 0, not 'abc'", "outbox",
      "show", "abc");
  BAD("crm: message id: expected a number >= 1, not '#0'", "outbox", "show",
      "#0");
  BAD("crm: outbox show: unexpected argument '2'", "outbox", "show", "1",
      "2");
  BAD("crm: outbox list: unknown status 'lost'", "outbox", "list",
      "--status", "lost");
  BAD("crm: --limit: expected a whole number >= 0, not '-1'", "outbox",
      "list", "--limit", "-1");
  BAD("crm: unknown customer nobody", "outbox", "list", "--customer",
      "nobody");
  BAD("crm: unknown option --bogus (see crm outbox run --help)", "outbox",
      "run", "--bogus");
  BAD("crm: outbox purge: --before is required", "outbox", "purge");
  BAD("crm: --before: bad date or time 'soon'", "outbox", "purge",
      "--before", "soon");
  BAD("crm: outbox purge: --status must be a finished state (sent, "
      "delivered, dead or refused), not 'queued'", "outbox", "purge",
      "--before", "2026-03-01", "--status", "queued");
  BAD("crm: outbox receipt: expected delivered, bounced or complained, not "
      "'opened'", "outbox", "receipt", "email", "file:0", "opened");
  BAD("crm: outbox receipt: missing argument", "outbox", "receipt", "email",
      "file:0");
  BAD("crm: outbox clear-address: missing argument", "outbox",
      "clear-address", "email");
  BAD("crm: send test: missing argument", "send", "test", "c1");
  BAD("crm: --var: expected NAME=VALUE, not '=x'", "send", "test", "c1",
      "welcome", "--var", "=x");
  BAD("crm: --var: expected NAME=VALUE, not 'novalue'", "send", "test",
      "c1", "welcome", "--var", "novalue");
  BAD("crm: --var: placeholder names are letters, digits and _, not 'a-b'",
      "send", "test", "c1", "welcome", "--var", "a-b=1");
  BAD("crm: unknown customer c9", "send", "test", "c9", "welcome");
  BAD("crm: --now: bad date or time 'x'", "triggers", "run", "--now", "x");
  BAD("crm: unknown command 'outbox bogus'", "outbox", "bogus");
  BAD("crm: templates list: unexpected argument 'x'", "templates", "list",
      "x");
  /* an API error: exit 1 with the core's reason */
  BAD("crm: ", "outbox", "show", "99");
  BAD("crm: ", "outbox", "retry", "99");
  /* nothing was queued or written by any of these */
  {
    tj *doc;
    PJ(doc, "outbox", "list");
    assert_int_equal(jlen(doc, "messages"), 0);
    tj_free(doc);
  }
  assert_false(exists("out.jsonl"));
}

/* ---- the welcome trigger through the file channel ------------------------- */

static void test_welcome_run(void **state)
{
  struct run r;
  tj *doc, *line;
  char want[256];
  const char *key;
  (void)state;
  setup_store();
  purchase("c1");
  /* queued by the trigger, not sent yet */
  PJ(doc, "outbox", "list");
  assert_int_equal(jlen(doc, "messages"), 1);
  assert_int_equal(jnum(doc, "messages.0.id"), 1);
  assert_string_equal(jstr(doc, "messages.0.status"), "queued");
  assert_string_equal(jstr(doc, "messages.0.customer.external_id"), "c1");
  assert_string_equal(jstr(doc, "messages.0.channel"), "email");
  assert_string_equal(jstr(doc, "messages.0.template"), "welcome");
  assert_string_equal(jstr(doc, "messages.0.trigger"), "welcome");
  assert_string_equal(jstr(doc, "messages.0.priority"), "marketing");
  assert_int_equal(jnum(doc, "messages.0.attempts"), 0);
  tj_free(doc);
  assert_int_equal(count_lines(), 0);

  P(&r, "outbox", "run");
  expect(&r, 0, "1 sent, 0 held, 0 failed, 0 dead, 0 refused, 0 rate "
                "limited, 0 triggers fired\n", NULL);
  run_free(&r);
  assert_int_equal(count_lines(), 1);

  PJ(doc, "outbox", "show", "1");
  assert_string_equal(jstr(doc, "status"), "sent");
  assert_int_equal(jnum(doc, "attempts"), 1);
  assert_string_equal(jstr(doc, "provider_ref"), "file:0");
  assert_string_equal(jstr(doc, "address"), "ann@example.com");
  assert_string_equal(jstr(doc, "sent_at"), NOON);
  assert_string_equal(jstr(doc, "created_at"), NOON);
  /* the rendered template: first name of "Ann Lee", no points plugin */
  assert_string_equal(jstr(doc, "subject"), "Welcome to Example Shop, Ann");
  assert_string_equal(jstr(doc, "body"), "Hello Ann, you have 0 points.");
  assert_string_equal(jstr(doc, "language"), "en");
  assert_true(jnull(doc, "error"));
  key = jstr(doc, "idempotency_key");
  /* "crm-<store id>-<message id>" */
  assert_true(!strncmp(key, "crm-", 4));
  assert_true(strlen(key) > 6 && !strcmp(key + strlen(key) - 2, "-1"));

  /* the line carries the same key and the 1.4 members */
  line = file_line(0);
  assert_string_equal(jstr(line, "idempotency_key"), key);
  assert_int_equal(jnum(line, "id"), 1);
  assert_int_equal(jnum(line, "customer_id"), 1);
  assert_string_equal(jstr(line, "address"), "ann@example.com");
  assert_string_equal(jstr(line, "subject"), "Welcome to Example Shop, Ann");
  assert_string_equal(jstr(line, "template"), "welcome");
  assert_string_equal(jstr(line, "language"), "en");
  assert_string_equal(jstr(line, "priority"), "marketing");
  assert_string_equal(jstr(line, "created_at"), NOON);
  tj_free(line);
  tj_free(doc);

  /* the table: id, customer, channel, status, tries, sent, template/
   * trigger, no error */
  P(&r, "outbox", "list");
  expect(&r, 0, "ID  CUSTOMER  CHANNEL  STATUS  TRIES  NEXT/SENT (UTC)", NULL);
  expect_line(&r, "1 #1 c1 email sent 1 " NOON " welcome/welcome -\n");
  run_free(&r);
  P(&r, "outbox", "show", "#1");
  expect(&r, 0, "message 1 (times UTC)\n", NULL);
  expect_line(&r, "\n status sent\n");
  expect_line(&r, "\n provider ref file:0\n");
  snprintf(want, sizeof(want), "\n sent %s\n", NOON);
  expect_line(&r, want);
  expect(&r, 0, "subject: Welcome to Example Shop, Ann\n\nHello Ann, you "
                "have 0 points.\n", NULL);
  run_free(&r);

  /* nothing due: a second run sends nothing, the file keeps one line */
  P(&r, "outbox", "run");
  expect(&r, 0, "0 sent, 0 held, 0 failed, 0 dead, 0 refused, 0 rate "
                "limited, 0 triggers fired\n", NULL);
  run_free(&r);
  PJ(doc, "outbox", "run");
  assert_int_equal(jnum(doc, "sent"), 0);
  assert_int_equal(jnum(doc, "attempted"), 0);
  tj_free(doc);
  assert_int_equal(count_lines(), 1);

  /* filters */
  PJ(doc, "outbox", "list", "--status", "queued");
  assert_int_equal(jlen(doc, "messages"), 0);
  tj_free(doc);
  PJ(doc, "outbox", "list", "--customer", "c2");
  assert_int_equal(jlen(doc, "messages"), 0);
  tj_free(doc);
  PJ(doc, "outbox", "list", "--customer", "#1", "--channel", "email",
     "--status", "sent");
  assert_int_equal(jlen(doc, "messages"), 1);
  tj_free(doc);

  /* a delivery receipt */
  P(&r, "outbox", "receipt", "email", "file:0", "delivered");
  expect(&r, 0, "delivered receipt recorded for file:0 on email\n", NULL);
  run_free(&r);
  PJ(doc, "outbox", "show", "1");
  assert_string_equal(jstr(doc, "status"), "delivered");
  assert_string_equal(jstr(doc, "delivered_at"), NOON);
  tj_free(doc);
}

/* ---- refused, retried, sent ---------------------------------------------- */

static void test_refused_retry(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_store();
  purchase("c2"); /* c2 never opted in: marketing is refused */
  P(&r, "outbox", "run");
  expect(&r, 0, "0 sent, 0 held, 0 failed, 0 dead, 1 refused, 0 rate "
                "limited, 0 triggers fired\n", NULL);
  run_free(&r);
  assert_int_equal(count_lines(), 0);
  PJ(doc, "outbox", "list", "--status", "refused");
  assert_int_equal(jlen(doc, "messages"), 1);
  assert_string_equal(jstr(doc, "messages.0.error_class"), "refused");
  assert_true(strlen(jstr(doc, "messages.0.error")) > 0);
  assert_true(jnull(doc, "messages.0.sent_at"));
  tj_free(doc);
  /* the table shows the refusal in the last column */
  P(&r, "outbox", "list");
  expect_line(&r, "1 #2 c2 email refused ");
  expect_line(&r, " - welcome/welcome ");
  run_free(&r);

  /* a retry puts it back in the queue; it is refused again without consent */
  P(&r, "outbox", "retry", "1");
  expect(&r, 0, "message 1 queued again, due now", NULL);
  run_free(&r);
  PJ(doc, "outbox", "show", "1");
  assert_string_equal(jstr(doc, "status"), "queued");
  assert_int_equal(jnum(doc, "attempts"), 0);
  tj_free(doc);
  OK("consent", "set", "c2", "email", "in", "--source", "phone call");
  P(&r, "outbox", "run");
  expect(&r, 0, "1 sent, 0 held, 0 failed, 0 dead, 0 refused", NULL);
  run_free(&r);
  assert_int_equal(count_lines(), 1);
  PJ(doc, "outbox", "show", "1");
  assert_string_equal(jstr(doc, "status"), "sent");
  assert_true(jnull(doc, "error_class"));
  tj_free(doc);
  /* a sent message is not retried */
  BAD("crm: ", "outbox", "retry", "1");
}

/* ---- purge ------------------------------------------------------------------ */

static void test_purge(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_store();
  OK("customer", "add", "--external-id", "c3", "--name", "Cy",
     "--email", "c3@example.com");
  OK("consent", "set", "c3", "email", "in", "--source", "web form");
  /* 1: c1, created and sent on 03-01 */
  g_now = "2026-03-01T12:00:00Z";
  purchase("c1");
  OK("outbox", "run");
  /* 2: c2, created 03-03, refused; 3: c3, created 03-03, left queued */
  g_now = "2026-03-03T12:00:00Z";
  purchase("c2");
  OK("outbox", "run");
  purchase("c3");
  PJ(doc, "outbox", "list");
  assert_int_equal(jlen(doc, "messages"), 3);
  /* newest first */
  assert_int_equal(jnum(doc, "messages.0.id"), 3);
  assert_string_equal(jstr(doc, "messages.0.status"), "queued");
  assert_string_equal(jstr(doc, "messages.1.status"), "refused");
  assert_string_equal(jstr(doc, "messages.2.status"), "sent");
  tj_free(doc);
  PJ(doc, "outbox", "list", "--limit", "1");
  assert_int_equal(jlen(doc, "messages"), 1);
  tj_free(doc);

  /* before 03-02: only message 1 */
  P(&r, "outbox", "purge", "--before", "2026-03-02");
  expect(&r, 0, "1 message deleted\n", NULL);
  run_free(&r);
  /* no sent message is left before 03-04 */
  P(&r, "outbox", "purge", "--before", "2026-03-04", "--status", "sent");
  expect(&r, 0, "0 messages deleted\n", NULL);
  run_free(&r);
  /* the refused one; the queued one is never purged */
  PJ(doc, "outbox", "purge", "--before", "2026-03-04T00:00:00Z");
  assert_int_equal(jnum(doc, "deleted"), 1);
  tj_free(doc);
  PJ(doc, "outbox", "list");
  assert_int_equal(jlen(doc, "messages"), 1);
  assert_int_equal(jnum(doc, "messages.0.id"), 3);
  tj_free(doc);
  g_now = NOON;
}

/* ---- send test ------------------------------------------------------------- */

static void test_send_dry_run(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_store();
  P(&r, "send", "test", "c1", "welcome", "--dry-run");
  expect(&r, 0, "channel   email\nlanguage  en\nsubject   Welcome to "
                "Example Shop, Ann\nbody\nHello Ann, you have 0 points.\n",
         NULL);
  assert_null(strstr(r.out, "message "));
  run_free(&r);
  P(&r, "send", "test", "c1", "welcome", "--language", "fr", "--dry-run");
  expect(&r, 0, "language  fr\nsubject   (none)\nbody\nBonjour Ann\n",
         NULL);
  run_free(&r);
  PJ(doc, "send", "test", "c1", "case_note", "--var", "case_number=C-42",
     "--dry-run", "--service");
  assert_string_equal(jstr(doc, "customer.external_id"), "c1");
  assert_string_equal(jstr(doc, "template"), "case_note");
  assert_string_equal(jstr(doc, "priority"), "service");
  assert_string_equal(jstr(doc, "subject"), "Case C-42");
  assert_string_equal(jstr(doc, "body"), "About case C-42");
  assert_true(jnull(doc, "message"));
  tj_free(doc);
  /* a placeholder without a value: the core names it */
  BAD("case_number", "send", "test", "c1", "case_note", "--dry-run");
  BAD("crm: ", "send", "test", "c1", "nosuch", "--dry-run");
  /* nothing queued, nothing written */
  PJ(doc, "outbox", "list");
  assert_int_equal(jlen(doc, "messages"), 0);
  tj_free(doc);
  assert_false(exists("out.jsonl"));
}

static void test_send_now(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_store();
  P(&r, "send", "test", "c1", "welcome");
  expect(&r, 0, "Hello Ann, you have 0 points.\nmessage 1 sent (provider "
                "ref file:0)\n", NULL);
  run_free(&r);
  assert_int_equal(count_lines(), 1);
  PJ(doc, "outbox", "show", "1");
  assert_string_equal(jstr(doc, "status"), "sent");
  assert_true(jnull(doc, "trigger"));
  assert_string_equal(jstr(doc, "template"), "welcome");
  tj_free(doc);

  /* 22:00 UTC is inside the quiet hours 21:00-08:00: held to 08:00 */
  g_now = "2026-03-02T22:00:00Z";
  P(&r, "send", "test", "c1", "welcome");
  expect(&r, 0, "message 2 held until 2026-03-03T08:00:00Z: ", NULL);
  run_free(&r);
  PJ(doc, "outbox", "show", "2");
  assert_string_equal(jstr(doc, "status"), "queued");
  assert_string_equal(jstr(doc, "next_at"), "2026-03-03T08:00:00Z");
  assert_true(strlen(jstr(doc, "hold_reason")) > 0);
  /* the table cuts a long reason to 48 characters ("..." included); the
   * JSON has it whole */
  if(strlen(jstr(doc, "hold_reason")) > 48) {
    char cut[64];
    snprintf(cut, sizeof(cut), "%.45s...\n", jstr(doc, "hold_reason"));
    P(&r, "outbox", "list", "--status", "queued");
    expect(&r, 0, cut, NULL);
    run_free(&r);
  }
  tj_free(doc);
  /* a service message is held as well (quiet hours hold both) */
  PJ(doc, "send", "test", "c1", "case_note", "--service", "--var",
     "case_number=7");
  assert_string_equal(jstr(doc, "message.status"), "queued");
  assert_string_equal(jstr(doc, "message.next_at"), "2026-03-03T08:00:00Z");
  tj_free(doc);
  assert_int_equal(count_lines(), 1);

  /* c2 has no opt-in: refused, exit 1, the reason on stderr */
  g_now = NOON;
  P(&r, "send", "test", "c2", "welcome");
  expect(&r, 1, "Hello Bob", "crm: message 4 refused: ");
  run_free(&r);
  PJ(doc, "outbox", "show", "4");
  assert_string_equal(jstr(doc, "status"), "refused");
  tj_free(doc);
  assert_int_equal(count_lines(), 1);
}

/* A paced channel with no free slot: send test says the message waits
 * for the channel's pace (the hold reason the outbox wrote: 1/s, the slot
 * 1 s after the fixed clock 12:00:00) and exits 0, not "held until now"
 * (the gate did not hold it). */
static void test_send_paced(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  g_route_extra = " rate = 1.0;";
  setup_store();
  g_route_extra = "";
  OK("send", "test", "c1", "welcome");
  assert_int_equal(count_lines(), 1);
  /* the same fixed second: the next slot of 1/s is 1000 ms ahead */
  P(&r, "send", "test", "c1", "welcome");
  expect(&r, 0, "message 2 queued, not sent yet: channel email is paced at "
                "1/s; next slot at 2026-03-02T12:00:01Z; crm "
                "outbox run sends it\n", "");
  run_free(&r);
  PJ(doc, "send", "test", "c1", "welcome");
  assert_string_equal(jstr(doc, "message.status"), "queued");
  assert_string_equal(jstr(doc, "message.hold_reason"),
                      "channel email is paced at 1/s; next slot at "
                      "2026-03-02T12:00:01Z");
  assert_non_null(strstr(jstr(doc, "message.outcome"), "is paced"));
  tj_free(doc);
  assert_int_equal(count_lines(), 1);
  /* a second later the run sends one (the pace allows one a second) */
  g_now = "2026-03-02T12:00:01Z";
  P(&r, "outbox", "run");
  expect(&r, 0, "1 sent, 0 held", NULL);
  run_free(&r);
  assert_int_equal(count_lines(), 2);
}

/* ---- templates, triggers, channels, addresses ----------------------------- */

static void test_config_lists(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_store();
  PJ(doc, "templates", "list");
  assert_int_equal(jlen(doc, "templates"), 3);
  tj_free(doc);
  P(&r, "templates", "list");
  expect_line(&r, "welcome email en Welcome to {{company}}, "
                  "{{first_name}}");
  expect_line(&r, "case_note any en Case {{case_number}}");
  run_free(&r);

  PJ(doc, "triggers", "list");
  assert_int_equal(jlen(doc, "triggers"), 1);
  assert_string_equal(jstr(doc, "triggers.0.name"), "welcome");
  assert_string_equal(jstr(doc, "triggers.0.on"), "stage");
  assert_string_equal(jstr(doc, "triggers.0.template"), "welcome");
  assert_string_equal(jstr(doc, "triggers.0.priority"), "marketing");
  assert_int_equal(jnum(doc, "triggers.0.fired"), 0);
  tj_free(doc);
  purchase("c1");
  PJ(doc, "triggers", "list");
  assert_int_equal(jnum(doc, "triggers.0.fired"), 1);
  tj_free(doc);
  /* no schedule trigger: nothing fires */
  P(&r, "triggers", "run", "--now", "2026-03-05");
  expect(&r, 0, "0 messages queued by schedule triggers\n", NULL);
  run_free(&r);

  PJ(doc, "outbox", "channels");
  assert_int_equal(jlen(doc, "channels"), 1);
  assert_string_equal(jstr(doc, "channels.0.channel"), "email");
  assert_string_equal(jstr(doc, "channels.0.component"), "file");
  assert_int_equal(jnum(doc, "channels.0.queued"), 1);
  tj_free(doc);
  P(&r, "outbox", "channels");
  expect_line(&r, "email file unlimited unlimited - 1\n");
  run_free(&r);

  P(&r, "outbox", "addresses");
  expect(&r, 0, "no address is marked bad\n", NULL);
  run_free(&r);
  /* a bounce marks the address; clear-address lifts it */
  OK("outbox", "run");
  OK("outbox", "receipt", "email", "file:0", "bounced", "--detail",
     "550 mailbox unavailable");
  PJ(doc, "outbox", "addresses");
  assert_int_equal(jlen(doc, "addresses"), 1);
  assert_string_equal(jstr(doc, "addresses.0.address"), "ann@example.com");
  assert_int_equal(jnum(doc, "addresses.0.message_id"), 1);
  tj_free(doc);
  PJ(doc, "outbox", "show", "1");
  assert_string_equal(jstr(doc, "status"), "dead");
  tj_free(doc);
  P(&r, "outbox", "clear-address", "email", "ann@example.com");
  expect(&r, 0, "ann@example.com on email is no longer marked bad\n", NULL);
  run_free(&r);
  PJ(doc, "outbox", "addresses");
  assert_int_equal(jlen(doc, "addresses"), 0);
  tj_free(doc);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_help, setup, teardown),
    cmocka_unit_test_setup_teardown(test_usage, setup, teardown),
    cmocka_unit_test_setup_teardown(test_welcome_run, setup, teardown),
    cmocka_unit_test_setup_teardown(test_refused_retry, setup, teardown),
    cmocka_unit_test_setup_teardown(test_purge, setup, teardown),
    cmocka_unit_test_setup_teardown(test_send_dry_run, setup, teardown),
    cmocka_unit_test_setup_teardown(test_send_now, setup, teardown),
    cmocka_unit_test_setup_teardown(test_send_paced, setup, teardown),
    cmocka_unit_test_setup_teardown(test_config_lists, setup, teardown),
  };
  return cmocka_run_group_tests_name("cli_outbox", tests, NULL, NULL);
}
