/*
 * test_send_gate.c - channel resolution and the send gate (crm_send_check,
 * crm__gate_check): consent, addresses, pause, caps, weekdays and quiet
 * hours in the customer's zone across daylight-saving changes, with the
 * exact reason texts; and that asking the gate changes nothing.
 *
 * Zone facts used below (tz database, 2026):
 *   Europe/Paris      CET  = UTC+1, CEST = UTC+2; CEST from Sun 29 March
 *                     01:00Z (02:00 CET -> 03:00 CEST) to Sun 25 October
 *                     01:00Z (03:00 CEST -> 02:00 CET).
 *   America/New_York  EST = UTC-5, EDT = UTC-4; EDT from Sun 8 March
 *                     07:00Z (02:00 EST -> 03:00 EDT).
 * 2026-01-01 is a Thursday; 2026-03-22 and 2026-03-29 are Sundays.
 */
#include <stdio.h>
#include <string.h>

#include "loader_util.h"

#include "comm_int.h"

/* The clock: after every consent time the tests record. */
#define NOW_TEXT "2026-12-31T00:00:00Z"

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

static int64_t T(const char *text)
{
  int64_t t = 0;

  if(crm_time_parse(text, &t))
    fail_msg("crm_time_parse(%s)", text);
  return t;
}

/* A store whose config has routes email -> smtp and sms -> sms_http and
 * the given extra communication members (no plugin is loaded). */
static crm *gopen(const char *members)
{
  char text[4096];
  crm *c = lt_open(NULL);

  crm_set_now(c, T(NOW_TEXT));
  snprintf(text, sizeof(text),
           "communication = {\n"
           "  channels = ( { name = \"email\"; component = \"smtp\"; },\n"
           "               { name = \"sms\"; component = \"sms_http\"; } );\n"
           "%s\n};\n", members);
  if(crm_load_config(c, lt_write(&dir, "crm.conf", text), NULL))
    fail_msg("crm_load_config: %s", crm_errmsg(c));
  return c;
}

static int64_t cust(crm *c, const char *ext, const char *email,
                    const char *phone, const char *tz)
{
  crm_customer_fields f;
  int64_t id = 0;

  memset(&f, 0, sizeof(f));
  f.external_id = ext;
  f.name = ext;
  f.email = email;
  f.phone = phone;
  f.timezone = tz;
  if(crm_customer_add(c, &f, &id))
    fail_msg("crm_customer_add(%s): %s", ext, crm_errmsg(c));
  return id;
}

static void opt_in(crm *c, int64_t id, const char *channel)
{
  if(crm_consent_set(c, id, channel, CRM_CONSENT_IN, "web form",
                     T("2026-01-02T10:00Z")))
    fail_msg("crm_consent_set: %s", crm_errmsg(c));
}

static crm_gate_result check(crm *c, int64_t id, const char *channel,
                             int priority, const char *at)
{
  crm_gate_result g;

  if(crm_send_check(c, id, channel, priority, T(at), &g))
    fail_msg("crm_send_check: %s", crm_errmsg(c));
  return g;
}

#define MKT CRM_PRIORITY_MARKETING
#define SVC CRM_PRIORITY_SERVICE

static void assert_send(crm_gate_result g)
{
  if(g.decision != CRM_GATE_SEND)
    fail_msg("expected send, got %d %s: %s", g.decision, g.code, g.reason);
  assert_string_equal(g.code, "ok");
  assert_int_equal(g.not_before, 0);
}

static void assert_refuse(crm_gate_result g, const char *code,
                          const char *reason)
{
  if(g.decision != CRM_GATE_REFUSE)
    fail_msg("expected refuse %s, got %d %s: %s", code, g.decision, g.code,
             g.reason);
  assert_string_equal(g.code, code);
  assert_string_equal(g.reason, reason);
  assert_int_equal(g.not_before, 0);
}

static void assert_hold(crm_gate_result g, const char *code,
                        const char *until, const char *reason)
{
  if(g.decision != CRM_GATE_HOLD)
    fail_msg("expected hold %s, got %d %s: %s", code, g.decision, g.code,
             g.reason);
  assert_string_equal(g.code, code);
  assert_int_equal(g.not_before, T(until));
  assert_string_equal(g.reason, reason);
}

static void sql(crm *c, const char *text)
{
  char *err = NULL;

  if(sqlite3_exec(c->db, text, NULL, NULL, &err) != SQLITE_OK)
    fail_msg("%s: %s", text, err ? err : "?");
}

/* A message row as the outbox leaves it; sent_at 0: NULL. */
static int64_t add_msg(crm *c, int64_t id, const char *channel, int prio,
                       const char *status, int64_t sent_at, int64_t updated)
{
  static const char q[] =
    "INSERT INTO messages(customer_id, channel, priority, body, status,"
    " created_at, sent_at, updated_at) VALUES(?1, ?2, ?3, 'hi', ?4, ?5, ?6,"
    " ?7)";
  sqlite3_stmt *st;

  assert_int_equal(sqlite3_prepare_v2(c->db, q, -1, &st, NULL), SQLITE_OK);
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, channel, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 3, prio);
  sqlite3_bind_text(st, 4, status, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 5, updated - 60);
  if(sent_at)
    sqlite3_bind_int64(st, 6, sent_at);
  sqlite3_bind_int64(st, 7, updated);
  assert_int_equal(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
  return sqlite3_last_insert_rowid(c->db);
}

static int64_t count(crm *c, const char *q)
{
  sqlite3_stmt *st;
  int64_t n = -1;

  assert_int_equal(sqlite3_prepare_v2(c->db, q, -1, &st, NULL), SQLITE_OK);
  if(sqlite3_step(st) == SQLITE_ROW)
    n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

/* ---- channels ----------------------------------------------------------- */

static void test_resolve_routes(void **state)
{
  crm *c = gopen("  default_channel = \"sms\";");
  int64_t a = cust(c, "a", "a@example.com", "+33612345678", "Europe/Paris");
  crm_contact_prefs p;
  crm__route tmp;
  const crm__route *r = NULL;
  crm_customer cu;
  char buf[128];

  (void)state;
  /* explicit */
  assert_int_equal(crm__channel_resolve(c, a, "email", &tmp, &r), CRM_OK);
  assert_string_equal(r->name, "email");
  assert_string_equal(r->component, "smtp");
  /* nothing chosen: default_channel */
  assert_int_equal(crm__channel_resolve(c, a, NULL, &tmp, &r), CRM_OK);
  assert_string_equal(r->name, "sms");
  /* the "channel" attribute beats the default */
  assert_int_equal(crm_customer_set_attr(c, a, "channel", "email"), CRM_OK);
  assert_int_equal(crm__channel_resolve(c, a, "preferred", &tmp, &r), CRM_OK);
  assert_string_equal(r->name, "email");
  /* the preferred channel beats the attribute */
  memset(&p, 0, sizeof(p));
  p.preferred_channel = "sms";
  p.quiet_start = p.quiet_end = -1;
  assert_int_equal(crm_prefs_set(c, a, &p, "web form"), CRM_OK);
  assert_int_equal(crm__channel_resolve(c, a, NULL, &tmp, &r), CRM_OK);
  assert_string_equal(r->name, "sms");
  /* a preferred channel that is not routed is an error, not email */
  p.preferred_channel = "push";
  assert_int_equal(crm_prefs_set(c, a, &p, "web form"), CRM_OK);
  assert_int_equal(crm__channel_resolve(c, a, NULL, &tmp, &r),
                   CRM_ENOTFOUND);
  assert_null(r);
  assert_string_equal(crm_errmsg(c), "no channel \"push\": not routed in "
                      "communication.channels and no channel component of "
                      "that name is loaded");
  assert_int_equal(crm__channel_resolve(c, a, "fax", &tmp, &r),
                   CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(c), "no channel \"fax\": not routed in "
                      "communication.channels and no channel component of "
                      "that name is loaded");
  /* the component is not loaded */
  assert_int_equal(crm__channel_resolve(c, a, "email", &tmp, &r), CRM_OK);
  assert_null(crm__route_component(c, r));
  assert_string_equal(crm_errmsg(c), "channel \"email\" is routed to "
                      "component \"smtp\", which is not loaded");
  /* addresses */
  assert_int_equal(crm_customer_get(c, a, &cu), CRM_OK);
  assert_int_equal(crm__route_address(c, r, &cu, buf, sizeof(buf)), CRM_OK);
  assert_string_equal(buf, "a@example.com");
  assert_int_equal(crm__channel_resolve(c, a, "sms", &tmp, &r), CRM_OK);
  assert_int_equal(crm__route_address(c, r, &cu, buf, sizeof(buf)), CRM_OK);
  assert_string_equal(buf, "+33612345678"); /* "sms": phone by default */
  crm_close(c);
}

/* Without default_channel: the first route; attr: addresses. */
static void test_resolve_first_and_attr(void **state)
{
  crm *c = lt_open(NULL);
  int64_t a;
  crm__route tmp;
  const crm__route *r = NULL;
  crm_customer cu;
  char buf[128];

  (void)state;
  assert_int_equal(crm_load_config(c, lt_write(&dir, "crm.conf",
    "communication = { channels = (\n"
    "  { name = \"webhook\"; component = \"webhook\";"
    " address = \"attr:webhook_url\"; },\n"
    "  { name = \"email\"; component = \"smtp\"; } ); };\n"), NULL), CRM_OK);
  a = cust(c, "a", "a@example.com", NULL, NULL);
  assert_int_equal(crm__channel_resolve(c, a, NULL, &tmp, &r), CRM_OK);
  assert_string_equal(r->name, "webhook");
  assert_int_equal(crm_customer_get(c, a, &cu), CRM_OK);
  assert_int_equal(crm__route_address(c, r, &cu, buf, sizeof(buf)), CRM_OK);
  assert_string_equal(buf, ""); /* no attribute: no address */
  assert_int_equal(crm_customer_set_attr(c, a, "webhook_url",
                                         "https://hooks.example.com/a"),
                   CRM_OK);
  assert_int_equal(crm__route_address(c, r, &cu, buf, sizeof(buf)), CRM_OK);
  assert_string_equal(buf, "https://hooks.example.com/a");
  crm_close(c);
}

/* Without routes: channel components are the channels. */
static void test_resolve_components(void **state)
{
  crm *c = lt_open(NULL);
  int64_t a = cust(c, "a", "a@example.com", NULL, NULL);
  crm__route tmp;
  const crm__route *r = NULL;
  char text[1024];

  (void)state;
  assert_int_equal(crm__channel_resolve(c, a, NULL, &tmp, &r),
                   CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(c), "no channel: communication.channels "
                      "routes none and no channel component is loaded");
  snprintf(text, sizeof(text), "plugins = { load = ( { name = \"file\"; "
           "config = { path = \"%s/out.txt\"; }; } ); };\n", dir.path);
  assert_int_equal(crm_load_config(c, lt_write(&dir, "crm.conf", text),
                                   CRM_TEST_PLUGIN_DIR), CRM_OK);
  assert_int_equal(crm__channel_resolve(c, a, "preferred", &tmp, &r),
                   CRM_OK);
  assert_ptr_equal(r, &tmp);
  assert_string_equal(r->name, "file");
  assert_string_equal(r->component, "file");
  assert_string_equal(r->address, "email");
  assert_non_null(crm__route_component(c, r));
  assert_int_equal(crm__channel_resolve(c, a, "sms", &tmp, &r),
                   CRM_ENOTFOUND);
  crm_close(c);
}

/* ---- refusals ----------------------------------------------------------- */

static void test_consent(void **state)
{
  crm *c = gopen("");
  int64_t a = cust(c, "a", "a@example.com", "+33612345678", "UTC");
  int64_t b = cust(c, "b", "b@example.com", "+33612345679", "UTC");
  const char *at = "2026-02-10T12:00Z";

  (void)state;
  /* never asked: no marketing, service passes */
  assert_refuse(check(c, a, "email", MKT, at), "no_opt_in",
                "no opt-in for marketing on email");
  assert_send(check(c, a, "email", SVC, at));
  opt_in(c, a, "email");
  assert_send(check(c, a, "email", MKT, at));
  /* opted out: nothing at all */
  assert_int_equal(crm_consent_set(c, a, "email", CRM_CONSENT_OUT,
                                   "unsubscribe link",
                                   T("2026-01-10T09:30Z")), CRM_OK);
  assert_refuse(check(c, a, "email", MKT, at), "opted_out",
                "opted out of email on 2026-01-10 09:30 UTC (unsubscribe "
                "link)");
  assert_refuse(check(c, a, "email", SVC, at), "opted_out",
                "opted out of email on 2026-01-10 09:30 UTC (unsubscribe "
                "link)");
  /* do-not-contact on one channel, with its note */
  opt_in(c, b, "email");
  opt_in(c, b, "sms");
  assert_int_equal(crm_dnc_set(c, b, "sms", CRM_DNC_BOUNCED, "number gone",
                               0), CRM_OK);
  assert_refuse(check(c, b, "sms", SVC, at), "do_not_contact",
                "do not contact on sms: bounced (number gone)");
  assert_send(check(c, b, "email", MKT, at));
  /* on every channel */
  assert_int_equal(crm_dnc_set(c, b, NULL, CRM_DNC_UNSUBSCRIBED, NULL, 0),
                   CRM_OK);
  assert_refuse(check(c, b, "email", SVC, at), "do_not_contact",
                "do not contact on all channels: unsubscribed");
  /* the channel's own mark is reported first */
  assert_refuse(check(c, b, "sms", MKT, at), "do_not_contact",
                "do not contact on sms: bounced (number gone)");
  crm_close(c);
}

static void test_no_opt_in_needed(void **state)
{
  crm *c = gopen("  require_opt_in = false;");
  int64_t a = cust(c, "a", "a@example.com", NULL, "UTC");

  (void)state;
  assert_send(check(c, a, "email", MKT, "2026-02-10T12:00Z"));
  assert_int_equal(crm_consent_set(c, a, "email", CRM_CONSENT_OUT, "call",
                                   0), CRM_OK);
  assert_int_equal(check(c, a, "email", MKT, "2026-02-10T12:00Z").decision,
                   CRM_GATE_REFUSE);
  crm_close(c);
}

static void test_addresses(void **state)
{
  crm *c = gopen("");
  int64_t a = cust(c, "a", "bad@example.com", NULL, "UTC");
  int64_t b = cust(c, "b", "ok@example.com", "+15550100", "UTC");
  const char *at = "2026-02-10T12:00Z";
  char want[128];
  crm_gate_result g;

  (void)state;
  opt_in(c, a, "email");
  /* no phone: refused before consent is even looked at */
  snprintf(want, sizeof(want), "no address: customer #%lld has none for "
           "channel sms", (long long)a);
  assert_refuse(check(c, a, "sms", SVC, at), "no_address", want);
  sql(c, "INSERT INTO bad_addresses(channel, address, reason, message_id, at)"
         " VALUES('email', 'bad@example.com', '550 5.1.1 no such user',"
         " NULL, 0), ('sms', 'ok@example.com', 'x', NULL, 0)");
  assert_refuse(check(c, a, "email", SVC, at), "bad_address",
                "bad address bad@example.com on email: 550 5.1.1 no such "
                "user");
  /* a bad address on another channel does not count */
  opt_in(c, b, "email");
  assert_send(check(c, b, "email", MKT, at));
  /* an unknown channel */
  g = check(c, b, "fax", SVC, at);
  assert_refuse(g, "no_channel", "no channel \"fax\": not routed in "
                "communication.channels and no channel component of that "
                "name is loaded");
  /* bad arguments are errors, not decisions */
  assert_int_equal(crm_send_check(c, b, "email", 7, 0, &g), CRM_EINVAL);
  assert_string_equal(crm_errmsg(c), "invalid priority 7: 0 (marketing) or "
                      "1 (service)");
  assert_int_equal(crm_send_check(c, 999, "email", SVC, 0, &g),
                   CRM_ENOTFOUND);
  crm_close(c);
}

static void test_pause(void **state)
{
  crm *c = gopen("  quiet_hours = \"21:00-08:00\";");
  int64_t a = cust(c, "a", "a@example.com", NULL, "Europe/Paris");
  crm_contact_prefs p;

  (void)state;
  opt_in(c, a, "email");
  memset(&p, 0, sizeof(p));
  p.quiet_start = p.quiet_end = -1;
  p.pause_from = T("2026-01-10T00:00Z");
  p.pause_until = T("2026-01-15T21:00Z"); /* 22:00 CET */
  assert_int_equal(crm_prefs_set(c, a, &p, "phone call"), CRM_OK);
  assert_refuse(check(c, a, "email", MKT, "2026-01-12T10:00Z"), "paused",
                "paused until 2026-01-15 22:00 CET in Europe/Paris: no "
                "marketing during a pause");
  /* service: held to the end of the pause, which falls in quiet hours
   * (22:00 CET): then to 08:00 CET the next day = 07:00Z */
  assert_hold(check(c, a, "email", SVC, "2026-01-12T10:00Z"), "paused",
              "2026-01-16T07:00Z", "paused until 2026-01-15 22:00 CET in "
              "Europe/Paris; service message held until 2026-01-16 08:00 "
              "CET");
  /* before the pause (11:00 CET): sent */
  assert_send(check(c, a, "email", MKT, "2026-01-09T10:00Z"));
  /* the end is excluded: at 22:00 CET only quiet hours remain */
  assert_hold(check(c, a, "email", MKT, "2026-01-15T21:00Z"), "quiet_hours",
              "2026-01-16T07:00Z", "quiet hours 21:00-08:00 in "
              "Europe/Paris; held until 2026-01-16 08:00 CET");
  /* a hold that ends inside a pause to come: 21:30 CET on the 9th, quiet
   * until 08:00 CET on the 10th (07:00Z), paused then until 21:00Z on
   * the 15th, quiet again until 08:00 CET on the 16th */
  assert_hold(check(c, a, "email", MKT, "2026-01-09T20:30Z"), "quiet_hours",
              "2026-01-16T07:00Z", "quiet hours 21:00-08:00 in "
              "Europe/Paris; held until 2026-01-16 08:00 CET");
  crm_close(c);
}

static void test_caps(void **state)
{
  crm *c = gopen("  caps = ( { channel = \"*\"; max = 2; days = 7; },\n"
                 "           { channel = \"sms\"; max = 1; hours = 24; } );");
  int64_t a = cust(c, "a", "a@example.com", "+15550100", "UTC");
  int64_t b = cust(c, "b", "b@example.com", "+15550101", "UTC");
  int64_t d = cust(c, "d", "d@example.com", "+15550102", "UTC");
  const char *at = "2026-02-10T12:00Z";
  int64_t A = T(at);
  int64_t mid;
  crm__gate_in in;
  crm_gate_result g;

  (void)state;
  opt_in(c, a, "email");
  opt_in(c, a, "sms");
  opt_in(c, b, "email");
  opt_in(c, d, "email");
  assert_send(check(c, a, "email", MKT, at));
  /* one marketing SMS 10 hours ago: the sms cap (1 a day) is reached,
   * the cap across channels (2 a week) is not */
  add_msg(c, a, "sms", MKT, "sent", A - 10 * 3600, A - 10 * 3600);
  assert_refuse(check(c, a, "sms", MKT, at), "cap",
                "cap reached: 1 marketing message in 1 day on sms");
  assert_send(check(c, a, "email", MKT, at));
  /* service passes the cap */
  assert_send(check(c, a, "sms", SVC, at));
  /* a marketing e-mail exactly 7 days before `at` is inside [at - 7d, at) */
  mid = add_msg(c, a, "email", MKT, "delivered", A - 7 * 86400, A);
  assert_refuse(check(c, a, "email", MKT, at), "cap",
                "cap reached: 2 marketing messages in 7 days across all "
                "channels");
  /* the message being checked is not counted against itself */
  memset(&in, 0, sizeof(in));
  in.customer_id = a;
  in.channel = "email";
  in.address = "a@example.com";
  in.priority = MKT;
  in.at = A;
  in.message_id = mid;
  assert_int_equal(crm__gate_check(c, &in, &g), CRM_OK);
  assert_send(g);
  /* not counted: service, not sent, outside the window, another
   * customer's */
  add_msg(c, b, "email", SVC, "sent", A - 3600, A - 3600);
  add_msg(c, b, "email", SVC, "sent", A - 7200, A - 7200);
  add_msg(c, b, "email", MKT, "failed", 0, A - 3600);
  add_msg(c, b, "email", MKT, "queued", 0, A - 3600);
  add_msg(c, b, "email", MKT, "refused", 0, A - 3600);
  add_msg(c, b, "email", MKT, "dead", 0, A - 3600);
  add_msg(c, b, "email", MKT, "sent", A - 7 * 86400 - 1, A);
  add_msg(c, b, "email", MKT, "sent", A + 60, A + 60);
  add_msg(c, a, "sms", MKT, "sent", A - 3600, A - 3600);
  assert_send(check(c, b, "email", MKT, at));
  /* one sent at `at` itself (earlier in the same second) counts: b's
   * second marketing message in the week reaches the cap of 2 */
  add_msg(c, b, "email", MKT, "sent", A - 3 * 86400, A - 3 * 86400);
  assert_send(check(c, b, "email", MKT, at));
  add_msg(c, b, "email", MKT, "sent", A, A);
  assert_refuse(check(c, b, "email", MKT, at), "cap",
                "cap reached: 2 marketing messages in 7 days across all "
                "channels");
  /* one being sent (no sent_at yet, claimed an hour ago) counts */
  add_msg(c, d, "email", MKT, "sent", A - 86400, A - 86400);
  add_msg(c, d, "email", MKT, "sending", 0, A - 3600);
  assert_refuse(check(c, d, "email", MKT, at), "cap",
                "cap reached: 2 marketing messages in 7 days across all "
                "channels");
  crm_close(c);
}

/* ---- holds -------------------------------------------------------------- */

static void test_weekday(void **state)
{
  crm *c = gopen("  allowed_days = [ \"mon\", \"tue\", \"wed\", \"thu\", "
                 "\"fri\", \"sat\" ];");
  int64_t a = cust(c, "a", "a@example.com", NULL, "Europe/Paris");
  int64_t u = cust(c, "u", "u@example.com", NULL, "UTC");

  (void)state;
  opt_in(c, a, "email");
  opt_in(c, u, "email");
  /* Sunday 2026-03-22 10:00 CET: to Monday 00:00 CET = Sunday 23:00Z */
  assert_hold(check(c, a, "email", MKT, "2026-03-22T09:00Z"), "weekday",
              "2026-03-22T23:00Z", "weekday sun is not allowed for "
              "marketing in Europe/Paris (allowed: mon tue wed thu fri sat); "
              "held until 2026-03-23 00:00 CET");
  /* Sunday 00:30 local for Paris is still Saturday 23:30Z: the local day
   * decides (00:30 CET Sunday 22 March = 2026-03-21T23:30Z) */
  assert_hold(check(c, a, "email", MKT, "2026-03-21T23:30Z"), "weekday",
              "2026-03-22T23:00Z", "weekday sun is not allowed for "
              "marketing in Europe/Paris (allowed: mon tue wed thu fri sat); "
              "held until 2026-03-23 00:00 CET");
  assert_hold(check(c, u, "email", MKT, "2026-03-22T09:00Z"), "weekday",
              "2026-03-23T00:00Z", "weekday sun is not allowed for "
              "marketing in UTC (allowed: mon tue wed thu fri sat); held "
              "until 2026-03-23 00:00 UTC");
  assert_send(check(c, u, "email", MKT, "2026-03-21T23:30Z")); /* Sat UTC */
  /* service messages ignore allowed days */
  assert_send(check(c, a, "email", SVC, "2026-03-22T09:00Z"));
  crm_close(c);

  /* one allowed day: Thursday 15 January to Wednesday 21 January */
  c = gopen("  allowed_days = [ \"wed\" ];");
  u = cust(c, "u", "u@example.com", NULL, "UTC");
  opt_in(c, u, "email");
  assert_hold(check(c, u, "email", MKT, "2026-01-15T12:00Z"), "weekday",
              "2026-01-21T00:00Z", "weekday thu is not allowed for "
              "marketing in UTC (allowed: wed); held until 2026-01-21 00:00 "
              "UTC");
  crm_close(c);
}

/* Quiet hours and weekdays together: each hold is re-checked. */
static void test_weekday_and_quiet(void **state)
{
  crm *c = gopen("  quiet_hours = \"21:00-08:00\";\n"
                 "  allowed_days = [ \"mon\", \"tue\", \"wed\", \"thu\", "
                 "\"fri\", \"sat\" ];");
  int64_t a = cust(c, "a", "a@example.com", NULL, "Europe/Paris");

  (void)state;
  opt_in(c, a, "email");
  /* Sunday 10:00 CET: Monday 00:00 CET is quiet: Monday 08:00 CET */
  assert_hold(check(c, a, "email", MKT, "2026-03-22T09:00Z"), "weekday",
              "2026-03-23T07:00Z", "weekday sun is not allowed for "
              "marketing in Europe/Paris (allowed: mon tue wed thu fri sat); "
              "held until 2026-03-23 08:00 CET");
  /* Saturday 22:30 CET: quiet until Sunday 08:00 CEST (06:00Z), a Sunday:
   * Monday 00:00 CEST (Sunday 22:00Z), quiet: Monday 08:00 CEST = 06:00Z */
  assert_hold(check(c, a, "email", MKT, "2026-03-28T21:30Z"), "quiet_hours",
              "2026-03-30T06:00Z", "quiet hours 21:00-08:00 in "
              "Europe/Paris; held until 2026-03-30 08:00 CEST");
  /* service: quiet hours only, Sunday morning is fine */
  assert_hold(check(c, a, "email", SVC, "2026-03-28T21:30Z"), "quiet_hours",
              "2026-03-29T06:00Z", "quiet hours 21:00-08:00 in "
              "Europe/Paris; held until 2026-03-29 08:00 CEST");
  crm_close(c);
}

static void test_quiet_midnight(void **state)
{
  crm *c = gopen("  quiet_hours = \"21:00-08:00\";");
  int64_t a = cust(c, "a", "a@example.com", NULL, "Europe/Paris");

  (void)state;
  opt_in(c, a, "email");
  /* Thursday 23:30 CET -> Friday 08:00 CET = 07:00Z */
  assert_hold(check(c, a, "email", MKT, "2026-01-15T22:30Z"), "quiet_hours",
              "2026-01-16T07:00Z", "quiet hours 21:00-08:00 in "
              "Europe/Paris; held until 2026-01-16 08:00 CET");
  /* after midnight, 06:00 CET: the same morning */
  assert_hold(check(c, a, "email", MKT, "2026-01-16T05:00Z"), "quiet_hours",
              "2026-01-16T07:00Z", "quiet hours 21:00-08:00 in "
              "Europe/Paris; held until 2026-01-16 08:00 CET");
  /* the bounds: 21:00 is quiet, 08:00 and 20:59 are not */
  assert_hold(check(c, a, "email", SVC, "2026-01-15T20:00Z"), "quiet_hours",
              "2026-01-16T07:00Z", "quiet hours 21:00-08:00 in "
              "Europe/Paris; held until 2026-01-16 08:00 CET");
  assert_send(check(c, a, "email", MKT, "2026-01-16T07:00Z"));
  assert_send(check(c, a, "email", MKT, "2026-01-15T19:59Z"));
  /* the night into summer time: Saturday 23:00 CET -> Sunday 08:00 CEST */
  assert_hold(check(c, a, "email", MKT, "2026-03-28T22:00Z"), "quiet_hours",
              "2026-03-29T06:00Z", "quiet hours 21:00-08:00 in "
              "Europe/Paris; held until 2026-03-29 08:00 CEST");
  /* the night back to winter time: Saturday 22:00 CEST -> Sunday 08:00
   * CET = 07:00Z (a night one hour longer) */
  assert_hold(check(c, a, "email", MKT, "2026-10-24T20:00Z"), "quiet_hours",
              "2026-10-25T07:00Z", "quiet hours 21:00-08:00 in "
              "Europe/Paris; held until 2026-10-25 08:00 CET");
  crm_close(c);
}

/* A window whose end falls in the spring-forward gap or in the repeated
 * hour of the fall-back. */
static void test_quiet_dst(void **state)
{
  crm *c = gopen("  quiet_hours = \"01:00-02:30\";");
  int64_t a = cust(c, "a", "a@example.com", NULL, "Europe/Paris");
  int64_t n = cust(c, "n", "n@example.com", NULL, "America/New_York");

  (void)state;
  opt_in(c, a, "email");
  opt_in(c, n, "email");
  /* 01:30 CET on 29 March: 02:30 does not exist; the first instant after
   * the gap is 03:00 CEST = 01:00Z */
  assert_hold(check(c, a, "email", MKT, "2026-03-29T00:30Z"), "quiet_hours",
              "2026-03-29T01:00Z", "quiet hours 01:00-02:30 in "
              "Europe/Paris; held until 2026-03-29 03:00 CEST");
  assert_hold(check(c, a, "email", MKT, "2026-03-29T00:00Z"), "quiet_hours",
              "2026-03-29T01:00Z", "quiet hours 01:00-02:30 in "
              "Europe/Paris; held until 2026-03-29 03:00 CEST");
  assert_send(check(c, a, "email", MKT, "2026-03-29T01:00Z"));
  /* 01:30 CEST on 25 October: 02:30 comes twice; the first, CEST, is
   * 00:30Z */
  assert_hold(check(c, a, "email", MKT, "2026-10-24T23:30Z"), "quiet_hours",
              "2026-10-25T00:30Z", "quiet hours 01:00-02:30 in "
              "Europe/Paris; held until 2026-10-25 02:30 CEST");
  /* 02:45 CEST: outside */
  assert_send(check(c, a, "email", MKT, "2026-10-25T00:45Z"));
  /* 02:10 CET, in the repeated hour: the 02:30 still ahead is CET's,
   * 01:30Z */
  assert_hold(check(c, a, "email", MKT, "2026-10-25T01:10Z"), "quiet_hours",
              "2026-10-25T01:30Z", "quiet hours 01:00-02:30 in "
              "Europe/Paris; held until 2026-10-25 02:30 CET");
  /* New York, 01:30 EST on 8 March: 02:30 skipped -> 03:00 EDT = 07:00Z */
  assert_hold(check(c, n, "email", MKT, "2026-03-08T06:30Z"), "quiet_hours",
              "2026-03-08T07:00Z", "quiet hours 01:00-02:30 in "
              "America/New_York; held until 2026-03-08 03:00 EDT");
  crm_close(c);
}

static void test_quiet_new_york(void **state)
{
  crm *c = gopen("  quiet_hours = \"21:00-08:00\";");
  int64_t n = cust(c, "n", "n@example.com", NULL, "America/New_York");

  (void)state;
  opt_in(c, n, "email");
  /* 22:00 EST on 14 January -> 08:00 EST on the 15th = 13:00Z */
  assert_hold(check(c, n, "email", MKT, "2026-01-15T03:00Z"), "quiet_hours",
              "2026-01-15T13:00Z", "quiet hours 21:00-08:00 in "
              "America/New_York; held until 2026-01-15 08:00 EST");
  /* 01:30 EST on 8 March -> 08:00 EDT = 12:00Z */
  assert_hold(check(c, n, "email", MKT, "2026-03-08T06:30Z"), "quiet_hours",
              "2026-03-08T12:00Z", "quiet hours 21:00-08:00 in "
              "America/New_York; held until 2026-03-08 08:00 EDT");
  /* 12:00Z on 15 January is 07:00 EST: quiet; 13:00Z is 08:00: sent */
  assert_send(check(c, n, "email", MKT, "2026-01-15T13:00Z"));
  crm_close(c);
}

static void test_quiet_customer_own(void **state)
{
  crm *c = gopen("  quiet_hours = \"21:00-08:00\";");
  int64_t a = cust(c, "a", "a@example.com", NULL, "Europe/Paris");
  crm_contact_prefs p;

  (void)state;
  opt_in(c, a, "email");
  memset(&p, 0, sizeof(p));
  p.quiet_start = 12 * 60;
  p.quiet_end = 14 * 60;
  assert_int_equal(crm_prefs_set(c, a, &p, "web form"), CRM_OK);
  /* 23:30 CET: the default window does not apply */
  assert_send(check(c, a, "email", MKT, "2026-01-15T22:30Z"));
  /* 12:30 CET: theirs does */
  assert_hold(check(c, a, "email", MKT, "2026-01-15T11:30Z"), "quiet_hours",
              "2026-01-15T13:00Z", "quiet hours 12:00-14:00 in "
              "Europe/Paris; held until 2026-01-15 14:00 CET");
  crm_close(c);
}

static void test_unknown_zone(void **state)
{
  crm *c = gopen("  quiet_hours = \"21:00-08:00\";");
  int64_t a = cust(c, "a", "a@example.com", NULL, "Europe/Paris");
  lt_log log;

  (void)state;
  opt_in(c, a, "email");
  /* a zone the tz database no longer has (written before an update) */
  sql(c, "UPDATE customers SET timezone = 'Mars/Olympus'");
  lt_log_attach(c, &log);
  assert_hold(check(c, a, "email", MKT, "2026-01-15T22:30Z"), "quiet_hours",
              "2026-01-16T08:00Z", "quiet hours 21:00-08:00 in UTC (zone "
              "Mars/Olympus unknown, UTC used); held until 2026-01-16 08:00 "
              "UTC");
  assert_true(lt_log_has(&log, "time zone \"Mars/Olympus\" unknown, UTC "
                               "used"));
  crm_close(c);
}

/* Asking the gate writes nothing. */
static void test_changes_nothing(void **state)
{
  crm *c = gopen("  quiet_hours = \"21:00-08:00\";\n"
                 "  caps = ( { channel = \"*\"; max = 1; days = 7; } );");
  int64_t a = cust(c, "a", "a@example.com", NULL, "Europe/Paris");
  int64_t b = cust(c, "b", "b@example.com", NULL, "Europe/Paris");
  int64_t A = T("2026-02-10T12:00Z");
  crm_gate_result g;
  sqlite3_int64 changes;
  int64_t rows[4];

  (void)state;
  opt_in(c, a, "email");
  add_msg(c, b, "email", MKT, "sent", A - 3600, A - 3600);
  opt_in(c, b, "email");
  rows[0] = count(c, "SELECT count(*) FROM messages");
  rows[1] = count(c, "SELECT count(*) FROM consent_history");
  rows[2] = count(c, "SELECT count(*) FROM audit_log");
  rows[3] = count(c, "SELECT count(*) FROM consent");
  changes = sqlite3_total_changes64(c->db);
  assert_int_equal(crm_send_check(c, a, NULL, MKT, A, &g), CRM_OK);
  assert_int_equal(g.decision, CRM_GATE_SEND);
  assert_int_equal(crm_send_check(c, a, "email", MKT, A + 10 * 3600, &g),
                   CRM_OK);
  assert_int_equal(g.decision, CRM_GATE_HOLD);
  assert_int_equal(crm_send_check(c, b, "email", MKT, A, &g), CRM_OK);
  assert_string_equal(g.code, "cap");
  assert_int_equal(crm_send_check(c, b, "sms", SVC, A, &g), CRM_OK);
  assert_string_equal(g.code, "no_address");
  assert_int_equal(crm_send_check(c, b, "fax", SVC, A, &g), CRM_OK);
  assert_string_equal(g.code, "no_channel");
  assert_true(sqlite3_total_changes64(c->db) == changes);
  assert_int_equal(count(c, "SELECT count(*) FROM messages"), rows[0]);
  assert_int_equal(count(c, "SELECT count(*) FROM consent_history"), rows[1]);
  assert_int_equal(count(c, "SELECT count(*) FROM audit_log"), rows[2]);
  assert_int_equal(count(c, "SELECT count(*) FROM consent"), rows[3]);
  crm_close(c);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_resolve_routes),
    cmocka_unit_test(test_resolve_first_and_attr),
    cmocka_unit_test(test_resolve_components),
    cmocka_unit_test(test_consent),
    cmocka_unit_test(test_no_opt_in_needed),
    cmocka_unit_test(test_addresses),
    cmocka_unit_test(test_pause),
    cmocka_unit_test(test_caps),
    cmocka_unit_test(test_weekday),
    cmocka_unit_test(test_weekday_and_quiet),
    cmocka_unit_test(test_quiet_midnight),
    cmocka_unit_test(test_quiet_dst),
    cmocka_unit_test(test_quiet_new_york),
    cmocka_unit_test(test_quiet_customer_own),
    cmocka_unit_test(test_unknown_zone),
    cmocka_unit_test(test_changes_nothing),
  };

  return cmocka_run_group_tests(tests, setup, teardown);
}
