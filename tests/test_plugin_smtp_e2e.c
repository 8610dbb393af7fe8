/*
 * test_plugin_smtp_e2e.c - the smtp channel behind the real core: route
 * email -> smtp, crm_outbox_enqueue, crm_outbox_run, and the SMTP sink
 * (tests/servers/smtp_sink.py) on loopback reading back what it got.
 */
#define _POSIX_C_SOURCE 200809L

#include <fcntl.h>

#include "test_plugin_env.h"

#include "test_plugin_smtp.h"

static const char subject_fr[] =
    "Bienvenue chez Caf\xc3\xa9 \xc3\x89mile \xe2\x98\x95";
static const char body_fr[] = "Bonjour \xc3\x89mile,\nvotre caf\xc3\xa9 "
                              "vous attend.\n";

static int64_t add_customer(crm *c, const char *ext, const char *name,
                            const char *email)
{
  crm_customer_fields f;
  int64_t id = 0;

  memset(&f, 0, sizeof(f));
  f.external_id = ext;
  f.name = name;
  f.email = email;
  f.timezone = "Europe/Paris";
  if(crm_customer_add(c, &f, &id))
    fail_msg("crm_customer_add(%s): %s", ext, crm_errmsg(c));
  return id;
}

static int64_t enqueue(crm *c, int64_t cust)
{
  crm_outbox_new n;
  int64_t id = 0;

  memset(&n, 0, sizeof(n));
  n.customer_id = cust;
  n.channel = "email";
  n.subject = subject_fr;
  n.body = body_fr;
  n.priority = CRM_PRIORITY_SERVICE; /* no opt-in needed */
  if(crm_outbox_enqueue(c, &n, &id))
    fail_msg("crm_outbox_enqueue: %s", crm_errmsg(c));
  return id;
}

/* One message sent through the outbox: the sink has it, decoded back
 * exactly, with Message-ID = the row's provider_ref = <key@domain>; a
 * bounce (550 on RCPT) makes the row dead with error class permanent. */
static void test_outbox_to_sink(void **state)
{
  pe_env e;
  crm_outbox_stats stats;
  crm_outbox_msg m;
  char conf[2048], want[300], v[4096], raw[16384];
  int64_t ok_cust, bad_cust, ok_id, bad_id;
  int slot, port;
  char *line;

  (void)state;
  pe_open(&e, NULL);
  snprintf(dir, sizeof(dir), "%s", e.dir);
  snprintf(log_path, sizeof(log_path), "%s/sink.jsonl", e.dir);
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  port = sink_start(log_path, NULL, NULL, NULL, &slot);
  snprintf(conf, sizeof(conf),
           "plugins = { load = ( { name = \"smtp\"; config = {\n"
           "  url = \"smtp://127.0.0.1:%d\"; starttls = \"off\";\n"
           "  from = \"shop@cafe-emile.example\";\n"
           "  from_name = \"Caf\xc3\xa9 \xc3\x89mile\"; }; } ); };\n"
           "communication = {\n"
           "  quiet_hours = \"\";\n"
           "  unsubscribe_url = \"https://shop.example/u?c={customer}"
           "&ch={channel}\";\n"
           "  channels = ( { name = \"email\"; component = \"smtp\";"
           " address = \"email\"; } );\n"
           "};\n", port);
  snprintf(e.conf, sizeof(e.conf), "%s/crm.conf", e.dir);
  t_write_file(e.conf, conf);
  if(crm_load_config(e.c, e.conf, CRM_TEST_PLUGIN_DIR))
    fail_msg("crm_load_config: %s", crm_errmsg(e.c));
  ok_cust = add_customer(e.c, "emile", "\xc3\x89mile Dupont",
                         "emile@example.com");
  bad_cust = add_customer(e.c, "gone", "Gone", "bounce@example.com");
  ok_id = enqueue(e.c, ok_cust);
  bad_id = enqueue(e.c, bad_cust);
  memset(&stats, 0, sizeof(stats));
  if(crm_outbox_run(e.c, NULL, &stats))
    fail_msg("crm_outbox_run: %s", crm_errmsg(e.c));
  assert_int_equal(stats.attempted, 2);
  assert_int_equal(stats.sent, 1);
  assert_int_equal(stats.dead, 1);
  /* the sent row and what the sink received */
  assert_int_equal(crm_outbox_get(e.c, ok_id, &m), 0);
  assert_string_equal(m.status, CRM_MSG_SENT);
  assert_int_equal(m.attempts, 1);
  snprintf(want, sizeof(want), "<%s@cafe-emile.example>", m.idempotency_key);
  assert_string_equal(m.provider_ref, want);
  line = sink_log_last(log_path, 0, "message");
  assert_non_null(line);
  jget(line, "$.raw", raw, sizeof(raw));
  header(raw, "Message-ID", v, sizeof(v));
  assert_string_equal(v, want);
  jget(line, "$.decoded.subject", v, sizeof(v));
  assert_string_equal(v, subject_fr);
  jget(line, "$.decoded.body", v, sizeof(v));
  assert_string_equal(v, body_fr);
  jget(line, "$.decoded.to_name", v, sizeof(v));
  assert_string_equal(v, "\xc3\x89mile Dupont");
  jget(line, "$.decoded.to_addr", v, sizeof(v));
  assert_string_equal(v, "emile@example.com");
  jget(line, "$.decoded.list_unsubscribe_post", v, sizeof(v));
  assert_string_equal(v, "List-Unsubscribe=One-Click");
  jget(line, "$.decoded.list_unsubscribe", v, sizeof(v));
  assert_true(!strncmp(v, "<https://shop.example/u?c=", 26));
  assert_non_null(strstr(v, "&ch=email>"));
  free(line);
  /* the bounce: dead, permanent, never in the sink */
  assert_int_equal(crm_outbox_get(e.c, bad_id, &m), 0);
  assert_string_equal(m.status, CRM_MSG_DEAD);
  assert_string_equal(m.error_class, "permanent");
  assert_non_null(strstr(m.error, "smtp 550: 5.1.1"));
  line = sink_log_last(log_path, 0, "rcpt");
  assert_non_null(line);
  assert_non_null(strstr(line, "bounce@example.com"));
  free(line);
  sink_stop_all();
  sqlite3_close(db);
  pe_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_outbox_to_sink),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
