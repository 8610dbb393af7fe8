/*
 * test_outbox_compat.c - an SDK 1.3 channel (ABI 1.3, a crm_channel_v1
 * that ends before deliver, send only) on a 1.4 core: it loads, the
 * outbox calls its send; 0 is "sent" with the provider ref it wrote, an
 * error is a temporary failure retried with backoff under the same
 * idempotency key.
 */
#include "outbox_test.h"

static void open13(ot_env *e)
{
  char text[4096];

  memset(e, 0, sizeof(*e));
  t_tmpdir(e->dir, sizeof(e->dir));
  snprintf(e->conf, sizeof(e->conf), "%s/crm.conf", e->dir);
  snprintf(e->log, sizeof(e->log), "%s/calls.log", e->dir);
  snprintf(text, sizeof(text),
           "plugins = { path = [ \"%s\" ]; load = ( { name = \"fx_channel13\";"
           " required = true; config = { script = [ \"temporary\" ];"
           " log = \"%s\"; }; } ); };\n"
           "communication = { retry = { base_seconds = 60; jitter = 0.0; };"
           " channels = ( { name = \"email\"; component = \"fx_channel13\";"
           " address = \"email\"; } ); };\n",
           CRM_TEST_FIXTURE_DIR, e->log);
  t_write_file(e->conf, text);
  e->c = t_open_mem(OT_NOW);
  if(crm_load_config(e->c, e->conf, NULL))
    fail_msg("crm_load_config: %s", crm_errmsg(e->c));
}

/* Call 1 (message a) fails: the 1.3 send returns CRM_ERROR with "fx
 * temporary (call 1)": failed, attempt 1, due at OT_NOW + 60 (base 60 x
 * 2^0, jitter 0). Call 2 (message b) is "sent": provider ref "fx-2". At
 * OT_NOW + 60, call 3 sends a again: attempts 2, ref "fx-3", the same
 * idempotency key as call 1. */
static void test_send_only_channel(void **state)
{
  ot_env e;
  char lines[4][OT_LINE];
  char key[128];
  crm_outbox_stats s;
  crm_outbox_msg m;
  int64_t cust, a, b;

  (void)state;
  open13(&e);
  cust = ot_customer(e.c, "c1", "Cy Young", "cy@example.com", NULL);
  a = ot_enqueue(e.c, cust, "email", "one", "first");
  b = ot_enqueue(e.c, cust, "email", "two", "second");
  s = ot_run(e.c);
  assert_int_equal(s.attempted, 2);
  assert_int_equal(s.sent, 1);
  assert_int_equal(s.failed, 1);
  m = ot_get(e.c, a);
  assert_string_equal(m.status, "failed");
  assert_int_equal(m.attempts, 1);
  assert_int_equal(m.next_at, OT_NOW + 60);
  assert_string_equal(m.error_class, "temporary");
  assert_non_null(strstr(m.error, "fx temporary (call 1)"));
  snprintf(key, sizeof(key), "%s", m.idempotency_key);
  m = ot_get(e.c, b);
  assert_string_equal(m.status, "sent");
  assert_string_equal(m.provider_ref, "fx-2");

  crm_set_now(e.c, OT_NOW + 59);
  s = ot_run(e.c);
  assert_int_equal(s.attempted, 0);
  crm_set_now(e.c, OT_NOW + 60);
  s = ot_run(e.c);
  assert_int_equal(s.sent, 1);
  m = ot_get(e.c, a);
  assert_string_equal(m.status, "sent");
  assert_int_equal(m.attempts, 2);
  assert_string_equal(m.provider_ref, "fx-3");
  assert_int_equal(ot_log(e.log, lines, 4), 3);
  assert_string_equal(ot_field(lines[0], "key"), key);
  assert_string_equal(ot_field(lines[2], "key"), key);
  assert_string_equal(ot_field(lines[2], "attempt"), "2");
  ot_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_send_only_channel),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
