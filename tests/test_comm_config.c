/*
 * test_comm_config.c - the `communication` group of the admin config:
 * every field of a full group read back, the defaults when the group is
 * absent or empty, and each mistake refused as "FILE:LINE: reason".
 */
#include <stdio.h>
#include <string.h>

#include "loader_util.h"

#include "comm_int.h"

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

/* Writes crm.conf and returns its path (own buffer). */
static const char *conf(const char *text)
{
  static char path[LT_PATH];

  snprintf(path, sizeof(path), "%s", lt_write(&dir, "crm.conf", text));
  return path;
}

static void assert_defaults(const crm__comm_cfg *cc)
{
  assert_int_equal(cc->require_opt_in, 1);
  assert_int_equal(cc->quiet_start, -1);
  assert_int_equal(cc->quiet_end, -1);
  assert_int_equal(cc->allowed_days, 0x7f);
  assert_int_equal(cc->n_caps, 0);
  assert_int_equal(cc->n_routes, 0);
  assert_string_equal(cc->default_channel, "");
  assert_string_equal(cc->language, "en");
  assert_null(cc->unsubscribe_url);
  assert_null(cc->sender_name);
  assert_int_equal(cc->max_attempts, 8);
  assert_int_equal(cc->backoff_base, 60);
  assert_int_equal(cc->backoff_max, 21600);
  assert_true(cc->jitter == 0.2);
  assert_int_equal(cc->lease, 300);
}

static void test_full(void **state)
{
  const char *path = conf(
    "communication = {\n"                                           /* 1 */
    "  require_opt_in = false;\n"                                   /* 2 */
    "  quiet_hours = \"21:30-07:45\";\n"                            /* 3 */
    "  allowed_days = [ \"mon\", \"tue\", \"wed\", \"thu\", \"fri\","
    " \"sat\" ];\n"                                                 /* 4 */
    "  default_channel = \"email\";\n"                              /* 5 */
    "  language = \"fr-CA\";\n"                                     /* 6 */
    "  sender_name = \"Example Shop\";\n"                           /* 7 */
    "  unsubscribe_url = \"https://example.com/u?c={customer}&ch={channel}"
    "&m={message}\";\n"                                             /* 8 */
    "  caps = ( { channel = \"*\"; max = 2; days = 7; },\n"         /* 9 */
    "           { channel = \"sms\"; max = 1; hours = 24; },\n"     /* 10 */
    "           { channel = \"email\"; max = 3; minutes = 90; } );\n"
    "  retry = { max_attempts = 5; base_seconds = 30; max_seconds = 3600;\n"
    "            jitter = 0.5; lease_seconds = 120; };\n"           /* 13 */
    "  channels = (\n"                                              /* 14 */
    "    { name = \"email\"; component = \"smtp\"; address = \"email\";"
    " rate = 10.0; },\n"                                            /* 15 */
    "    { name = \"sms\"; component = \"sms_http\"; rate = 1;"
    " max_attempts = 5; },\n"                                       /* 16 */
    "    { name = \"webhook\"; component = \"webhook\";"
    " address = \"attr:webhook_url\"; },\n"                         /* 17 */
    "    { name = \"file\"; component = \"file\"; } );\n"           /* 18 */
    "};\n");
  crm__config *c = NULL;
  const crm__comm_cfg *cc;
  char err[512];

  (void)state;
  if(crm__config_read(path, &c, err, sizeof(err)))
    fail_msg("%s", err);
  assert_non_null(c->comm);
  cc = c->comm;
  assert_int_equal(cc->require_opt_in, 0);
  assert_int_equal(cc->quiet_start, 21 * 60 + 30); /* 1290 */
  assert_int_equal(cc->quiet_end, 7 * 60 + 45);    /* 465 */
  assert_int_equal(cc->allowed_days, 0x7e);        /* bits 1..6: mon-sat */
  assert_string_equal(cc->default_channel, "email");
  assert_string_equal(cc->language, "fr-CA");
  assert_string_equal(cc->sender_name, "Example Shop");
  assert_string_equal(cc->unsubscribe_url,
                      "https://example.com/u?c={customer}&ch={channel}"
                      "&m={message}");
  assert_int_equal(cc->n_caps, 3);
  assert_string_equal(cc->caps[0].channel, "*");
  assert_int_equal(cc->caps[0].max, 2);
  assert_int_equal(cc->caps[0].window, 7 * 86400);  /* 604800 */
  assert_string_equal(cc->caps[1].channel, "sms");
  assert_int_equal(cc->caps[1].max, 1);
  assert_int_equal(cc->caps[1].window, 24 * 3600);  /* 86400 */
  assert_string_equal(cc->caps[2].channel, "email");
  assert_int_equal(cc->caps[2].max, 3);
  assert_int_equal(cc->caps[2].window, 90 * 60);    /* 5400 */
  assert_int_equal(cc->max_attempts, 5);
  assert_int_equal(cc->backoff_base, 30);
  assert_int_equal(cc->backoff_max, 3600);
  assert_true(cc->jitter == 0.5);
  assert_int_equal(cc->lease, 120);
  assert_int_equal(cc->n_routes, 4);
  assert_string_equal(cc->routes[0].name, "email");
  assert_string_equal(cc->routes[0].component, "smtp");
  assert_string_equal(cc->routes[0].address, "email");
  assert_true(cc->routes[0].rate == 10.0);
  assert_int_equal(cc->routes[0].max_attempts, 0);
  assert_string_equal(cc->routes[1].name, "sms");
  assert_string_equal(cc->routes[1].component, "sms_http");
  assert_string_equal(cc->routes[1].address, "phone"); /* by its name */
  assert_true(cc->routes[1].rate == 1.0);              /* integer 1 */
  assert_int_equal(cc->routes[1].max_attempts, 5);
  assert_string_equal(cc->routes[2].address, "attr:webhook_url");
  assert_true(cc->routes[2].rate == 0.0);
  assert_string_equal(cc->routes[3].name, "file");
  assert_string_equal(cc->routes[3].address, "email"); /* no "sms" */
  crm__config_free(c);
}

static void test_defaults(void **state)
{
  crm__config *c = NULL;
  crm *h;
  char err[512];

  (void)state;
  /* no handle config at all */
  h = lt_open(NULL);
  assert_defaults(crm__comm(h));
  /* a config without the group: NULL, the handle sees the defaults */
  if(crm__config_read(conf("store = { path = \"x.db\"; };\n"), &c, err,
                      sizeof(err)))
    fail_msg("%s", err);
  assert_null(c->comm);
  crm__config_free(c);
  assert_int_equal(crm_load_config(h, conf("lifecycle = { lost_days = 300; "
                                           "};\n"), NULL), CRM_OK);
  assert_defaults(crm__comm(h));
  crm_close(h);
  /* an empty group: the same values */
  c = NULL;
  if(crm__config_read(conf("communication = { };\n"), &c, err, sizeof(err)))
    fail_msg("%s", err);
  assert_non_null(c->comm);
  assert_defaults(c->comm);
  crm__config_free(c);
  /* "" quiet hours: none */
  c = NULL;
  if(crm__config_read(conf("communication = { quiet_hours = \"\"; };\n"), &c,
                      err, sizeof(err)))
    fail_msg("%s", err);
  assert_int_equal(c->comm->quiet_start, -1);
  crm__config_free(c);
}

/* A loaded config is what crm__comm hands out. */
static void test_handle(void **state)
{
  crm *h = lt_open(NULL);

  (void)state;
  assert_int_equal(crm_load_config(h, conf(
    "communication = { quiet_hours = \"22:00-06:00\"; language = \"de\"; "
    "};\n"), NULL), CRM_OK);
  assert_int_equal(crm__comm(h)->quiet_start, 22 * 60);
  assert_int_equal(crm__comm(h)->quiet_end, 6 * 60);
  assert_string_equal(crm__comm(h)->language, "de");
  assert_int_equal(crm__comm(h)->max_attempts, 8);
  crm_close(h);
}

static void keep_log(void *ud, int level, const char *source,
                     const char *msg)
{
  char *buf = ud;
  size_t n = strlen(buf);

  if(level == CRM_LOG_WARN && !strcmp(source, "communication"))
    snprintf(buf + n, 2048 - n, "%s\n", msg);
}

/* A route to a plugin the file disables is refused (line of the
 * communication group, the plugin's line in the reason); a route to a
 * component that is simply not loaded is a warning at load: its
 * messages would wait. */
static void test_routes_and_plugins(void **state)
{
  const char *path;
  crm__config *c = NULL;
  char err[LT_PATH + 512];
  char want[LT_PATH + 512];
  char logbuf[2048] = "";
  crm *h;

  (void)state;
  path = conf("plugins = { load = (\n"
              "  { name = \"smtp\"; enabled = false; }\n"
              "); };\n"
              "communication = { channels = (\n"
              " { name = \"email\"; component = \"smtp\"; } ); };\n");
  err[0] = '\0';
  assert_int_equal(crm__config_read(path, &c, err, sizeof(err)),
                   CRM_ECONFIG);
  assert_null(c);
  snprintf(want, sizeof(want), "%s:4: channel \"email\" is routed to "
           "component \"smtp\", whose plugin is disabled (enabled = false, "
           "line 2): enable it or route the channel to another component",
           path);
  assert_string_equal(err, want);

  h = lt_open(NULL);
  crm_set_log(h, keep_log, logbuf, CRM_LOG_WARN);
  assert_int_equal(crm_load_config(h, conf(
    "communication = { channels = ( { name = \"sms\";"
    " component = \"sms_http\"; } ); };\n"), NULL), CRM_OK);
  assert_string_equal(logbuf, "channel \"sms\" is routed to component "
                      "\"sms_http\", which is not loaded: its messages wait "
                      "in the outbox until it is (crm plugins list says "
                      "why)\n");
  crm_close(h);
}

struct bad {
  const char *text; /* the members, from line 2 */
  int line;
  const char *reason;
};

static const struct bad bad_cases[] = {
  {"foo = 1;", 2, "unknown communication setting \"foo\" (expected "
   "require_opt_in, quiet_hours, allowed_days, default_channel, language, "
   "sender_name, unsubscribe_url, caps, retry, channels, templates or "
   "triggers)"},
  {"require_opt_in = 1;", 2, "communication.require_opt_in must be true or "
   "false"},
  {"quiet_hours = 5;", 2, "communication.quiet_hours must be a string "
   "\"HH:MM-HH:MM\" (\"\" for none)"},
  {"quiet_hours = \"21:00\";", 2, "communication.quiet_hours \"21:00\" is "
   "not valid; expected \"HH:MM-HH:MM\" (00:00 to 23:59, may cross "
   "midnight) or \"\" for none"},
  {"quiet_hours = \"24:00-08:00\";", 2, "communication.quiet_hours "
   "\"24:00-08:00\" is not valid; expected \"HH:MM-HH:MM\" (00:00 to 23:59, "
   "may cross midnight) or \"\" for none"},
  {"quiet_hours = \"08:00-08:00\";", 2, "communication.quiet_hours "
   "\"08:00-08:00\" is empty: start and end are equal (\"\" for none)"},
  {"allowed_days = [ \"mon\",\n \"funday\" ];", 3, "communication."
   "allowed_days: unknown day \"funday\"; expected sun, mon, tue, wed, thu, "
   "fri or sat"},
  {"allowed_days = [ \"mon\", \"mon\" ];", 2, "communication.allowed_days "
   "names \"mon\" twice"},
  {"allowed_days = [ ];", 2, "communication.allowed_days is empty: "
   "marketing could never be sent (leave it out for every day)"},
  {"default_channel = \"E-mail\";", 2, "communication.default_channel must "
   "be a channel name: 1 to 32 of a-z, 0-9 and _"},
  {"language = \"english\";", 2, "communication.language must be a BCP 47 "
   "tag such as \"en\" or \"fr-CA\""},
  {"unsubscribe_url = \"https://x/u?c={customer}&k={token}\";", 2,
   "communication.unsubscribe_url has an unknown placeholder {token}; only "
   "{customer}, {channel} and {message} are allowed"},
  {"unsubscribe_url = \"https://x/u?c={customer\";", 2, "communication."
   "unsubscribe_url has an unclosed \"{\""},
  {"caps = ( { channel = \"*\"; max = 2;\n days = 7; hours = 1; } );", 3,
   "communication.caps entry needs exactly one of days, hours or minutes"},
  {"caps = ( { channel = \"*\"; max = 2; } );", 2, "communication.caps "
   "entry needs exactly one of days, hours or minutes"},
  {"caps = ( { channel = \"*\"; max = 0; days = 7; } );", 2,
   "communication.caps.max is 0; it must be between 1 and 1000000"},
  {"caps = ( { max = 2; days = 7; } );", 2, "communication.caps entry has "
   "no channel; add channel = \"*\" (all channels) or a channel name"},
  {"caps = ( { channel = \"*\"; max = 2; weeks = 1; } );", 2,
   "unknown communication.caps setting \"weeks\" (expected channel, max, "
   "days, hours or minutes)"},
  {"retry = { max_attempts = 0; };", 2, "communication.retry.max_attempts "
   "is 0; it must be between 1 and 100"},
  {"retry = { max_attempts = \"8\"; };", 2, "communication.retry."
   "max_attempts must be an integer"},
  {"retry = { base_seconds = 600;\n max_seconds = 60; };", 3,
   "communication.retry.max_seconds (60) must be >= base_seconds (600)"},
  {"retry = { jitter = 1.5; };", 2, "communication.retry.jitter is 1.5; it "
   "must be between 0 and 1"},
  {"retry = { backoff = 3; };", 2, "unknown communication.retry setting "
   "\"backoff\" (expected max_attempts, base_seconds, max_seconds, jitter "
   "or lease_seconds)"},
  {"channels = ( { name = \"email\"; } );", 2, "communication.channels "
   "entry \"email\" has no component; add component = \"smtp\" (the "
   "channel component that delivers it)"},
  {"channels = ( { component = \"smtp\"; } );", 2, "communication.channels "
   "entry has no name; add name = \"email\""},
  {"channels = ( { name = \"email\"; component = \"smtp\"; },\n"
   " { name = \"email\"; component = \"x\"; } );", 3, "duplicate channel "
   "\"email\" in communication.channels; each channel is routed once"},
  {"channels = ( { name = \"Email\"; component = \"smtp\"; } );", 2,
   "communication.channels name \"Email\" is not valid; use 1 to 32 of a-z, "
   "0-9 and _"},
  {"channels = ( { name = \"fax\"; component = \"fax\"; address = \"fax\"; "
   "} );", 2, "communication.channels address \"fax\" is not valid; "
   "expected \"email\", \"phone\" or \"attr:NAME\" (a customer attribute)"},
  {"channels = ( { name = \"sms\"; component = \"s\"; rate = -1.0; } );", 2,
   "communication.channels.rate is -1; it must be between 0 and 10000"},
  {"channels = ( { name = \"email\"; component = \"smtp\"; } );\n"
   "default_channel = \"sms\";", 3, "communication.default_channel \"sms\" "
   "is not a channel of communication.channels"},
  {"channels = ( { name = \"email\"; component = \"smtp\"; } );\n"
   "caps = ( { channel = \"sms\"; max = 1; days = 1; } );", 3,
   "communication.caps channel \"sms\" is not a channel of "
   "communication.channels"},
  {"retry = 3;", 2, "communication.retry must be a group: retry = { "
   "max_attempts = 8; }"},
};

static void test_errors(void **state)
{
  char text[1024];
  char want[LT_PATH + 1024];
  char err[1024];
  const char *path;
  crm__config *c;
  size_t i;

  (void)state;
  for(i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
    snprintf(text, sizeof(text), "communication = {\n%s\n};\n",
             bad_cases[i].text);
    path = conf(text);
    c = NULL;
    err[0] = '\0';
    assert_int_equal(crm__config_read(path, &c, err, sizeof(err)),
                     CRM_ECONFIG);
    assert_null(c);
    snprintf(want, sizeof(want), "%s:%d: %s", path, bad_cases[i].line,
             bad_cases[i].reason);
    if(strcmp(err, want))
      fail_msg("case %zu:\n got  %s\n want %s", i, err, want);
  }
  /* the group itself */
  path = conf("# comment\ncommunication = 5;\n");
  c = NULL;
  assert_int_equal(crm__config_read(path, &c, err, sizeof(err)),
                   CRM_ECONFIG);
  snprintf(want, sizeof(want), "%s:2: communication must be a group: "
           "communication = { ... }", path);
  assert_string_equal(err, want);
  /* crm_config_check says the same */
  assert_int_equal(crm_config_check(path, err, sizeof(err)), CRM_ECONFIG);
  assert_string_equal(err, want);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_full),
    cmocka_unit_test(test_defaults),
    cmocka_unit_test(test_handle),
    cmocka_unit_test(test_errors),
    cmocka_unit_test(test_routes_and_plugins),
  };

  return cmocka_run_group_tests(tests, setup, teardown);
}
