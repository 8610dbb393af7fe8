/*
 * test_case_handler.c - what the core hands a complaint handler and what
 * it takes from it, with the fx_case_watch fixture
 * (tests/fixtures/fx_case_watch.c) on a fixed clock:
 *   - open and transition see customer_text: the summary, then the
 *     customer's own messages (not the agent's, not notes), one a line,
 *     cut at 4 KiB on a UTF-8 boundary;
 *   - a handler that changes the category or the priority on a move gets
 *     the same history lines as crm_case_update, and the clocks take the
 *     new policy's targets;
 *   - a CRM_ESTATE refusal reads the handler's reason first, then
 *     "(handler NAME)"; other failures keep the plugin's generic form.
 */
#include "case_test.h"

#define T0 PE_NOW
#define HOUR INT64_C(3600)

/* A 24/7 UTC team: priority 1 gets 1h / 2h, any other 4h / 8h. */
static void ch_open(pe_env *e)
{
  char conf[1500];

  pe_open(e, NULL);
  snprintf(conf, sizeof(conf),
           "plugins = { path = [ \"%s\" ];"
           " load = ( { name = \"fx_case_watch\"; } ); };\n"
           "complaints = {\n"
           "  teams = ( { name = \"care\"; hours = {"
           " weekdays = \"00:00-24:00\"; sat = \"00:00-24:00\";"
           " sun = \"00:00-24:00\"; }; } );\n"
           "  sla = ( { category = \"*\"; priority = 1;"
           " first_response = \"1h\"; resolution = \"2h\"; },\n"
           "    { category = \"*\"; priority = 0; first_response = \"4h\";"
           " resolution = \"8h\"; } );\n"
           "};\n", CRM_TEST_FIXTURE_DIR);
  snprintf(e->conf, sizeof(e->conf), "%s/crm.conf", e->dir);
  t_write_file(e->conf, conf);
  if(crm_load_config(e->c, e->conf, CRM_TEST_PLUGIN_DIR))
    fail_msg("crm_load_config: %s", crm_errmsg(e->c));
}

static void say(crm *c, int64_t id, int kind, const char *text)
{
  uint32_t flags = kind == CRM_CASE_MSG_AGENT ? CRM_CASE_REPLY_RECORD : 0;

  if(crm_case_reply(c, id, kind, text, flags, NULL, NULL, NULL))
    fail_msg("crm_case_reply: %s", crm_errmsg(c));
}

/* open saw the summary (the fixture refuses otherwise); the move sees
 * the customer's words only. */
static void test_customer_text(void **state)
{
  pe_env e;
  int64_t cust, id;

  (void)state;
  ch_open(&e);
  cust = t_add_customer(e.c, "a");
  id = ct_case(e.c, cust, "bag lost", "baggage");
  say(e.c, id, CRM_CASE_MSG_CUSTOMER, "still nothing");
  say(e.c, id, CRM_CASE_MSG_AGENT, "we are looking");
  say(e.c, id, CRM_CASE_MSG_NOTE, "called the airport");
  say(e.c, id, CRM_CASE_MSG_CUSTOMER, "any news?");
  /* "bag lost" 8 + 1 + "still nothing" 13 + 1 + "any news?" 9 = 32 */
  assert_int_equal(crm_case_move_op(e.c, id, "Waiting on customer", NULL),
                   CRM_ESTATE);
  assert_string_equal(crm_errmsg(e.c), "customer_text (32 bytes): bag "
                      "lost|still nothing|any news? (handler "
                      "fx_case_watch)");
  pe_close(&e);
}

/* 4 KiB at most, never half a character: "s" (1) + '\n' + 2000 x "a"
 * = 2002; + '\n' + 1000 x "é" (2000 bytes) = 4003; + '\n' = 4004 leaves
 * 92 bytes for "z" + 999 x "é": "z" and 45 "é" are 91 bytes, the 46th
 * "é" would be cut in half, so it is left out: 4095 bytes. */
static void test_customer_text_cut(void **state)
{
  pe_env e;
  char a[2001], ee[2001], ze[2002];
  char want[160];
  int64_t cust, id;
  int i;

  (void)state;
  ch_open(&e);
  memset(a, 'a', 2000);
  a[2000] = '\0';
  for(i = 0; i < 1000; i++)
    memcpy(ee + 2 * i, "\xc3\xa9", 2);
  ee[2000] = '\0';
  ze[0] = 'z';
  memcpy(ze + 1, ee, 1998); /* "z" + 999 x "é": 1999 bytes */
  ze[1999] = '\0';
  cust = t_add_customer(e.c, "a");
  id = ct_case(e.c, cust, "s", "baggage");
  say(e.c, id, CRM_CASE_MSG_CUSTOMER, a);
  say(e.c, id, CRM_CASE_MSG_CUSTOMER, ee);
  say(e.c, id, CRM_CASE_MSG_CUSTOMER, ze);
  assert_int_equal(crm_case_move_op(e.c, id, "Waiting on customer", NULL),
                   CRM_ESTATE);
  /* the fixture shows the first 80 bytes: "s|" and 78 "a" */
  snprintf(want, sizeof(want), "customer_text (4095 bytes): s|%.78s "
           "(handler fx_case_watch)", a);
  assert_string_equal(crm_errmsg(e.c), want);
  pe_close(&e);
}

/* The handler re-classifies on a move to Assigned (category "urgent",
 * priority 1): history lines as crm_case_update writes them, and the
 * clocks re-targeted: 1h used of the new 2h resolution target, due at
 * T0 + 2h; the first response 1h, due at T0 + 1h. */
static void test_move_changes_class(void **state)
{
  pe_env e;
  crm_case_op op = ct_op("maria", "escalated by phone", T0 + HOUR);
  crm_sla_info si;
  crm_case k;
  ct_lines h;
  int64_t cust, id;

  (void)state;
  ch_open(&e);
  cust = t_add_customer(e.c, "a");
  id = ct_case(e.c, cust, "bag lost", "baggage");
  assert_int_equal(ct_get(e.c, id).priority, 3);
  assert_int_equal(crm_sla_get(e.c, id, &si), CRM_OK);
  assert_int_equal(si.resolution.due_at, T0 + 8 * HOUR);
  assert_int_equal(crm_case_move_op(e.c, id, "Assigned", &op), CRM_OK);
  k = ct_get(e.c, id);
  assert_string_equal(k.state, "Assigned");
  assert_string_equal(k.category, "urgent");
  assert_int_equal(k.priority, 1);
  ct_history(e.c, id, &h);
  assert_int_equal(h.n, 4);
  assert_string_equal(h.line[1], "move|New|Assigned|maria|escalated by "
                      "phone|-");
  assert_string_equal(h.line[2], "category|-|Assigned|maria|escalated by "
                      "phone|baggage -> urgent");
  assert_string_equal(h.line[3], "priority|-|Assigned|maria|escalated by "
                      "phone|3 -> 1");
  assert_int_equal(crm_sla_get(e.c, id, &si), CRM_OK);
  assert_int_equal(si.resolution.target, 2 * HOUR);
  assert_int_equal(si.resolution.due_at, T0 + 2 * HOUR);
  assert_int_equal(si.first_response.target, HOUR);
  assert_int_equal(si.first_response.due_at, T0 + HOUR);
  /* the same decision again: nothing changes, no line */
  op.at = T0 + 2 * HOUR;
  assert_int_equal(crm_case_move_op(e.c, id, "Assigned", &op), CRM_OK);
  ct_history(e.c, id, &h);
  assert_int_equal(h.n, 5);
  assert_string_equal(h.line[4], "move|Assigned|Assigned|maria|escalated by "
                      "phone|-");
  pe_close(&e);
}

/* A failure other than CRM_ESTATE keeps the plugin's generic form. */
static void test_other_failure_message(void **state)
{
  pe_env e;
  crm_case_op op = ct_op("maria", "spam", 0);
  int64_t cust, id;

  (void)state;
  ch_open(&e);
  cust = t_add_customer(e.c, "a");
  id = ct_case(e.c, cust, "buy watches", NULL);
  assert_int_equal(crm_case_reject(e.c, id, &op), CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "plugin \"fx_case_watch\" component "
                      "\"fx_case_watch\": rejections are not taken here");
  assert_string_equal(ct_get(e.c, id).state, "New");
  pe_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_customer_text),
    cmocka_unit_test(test_customer_text_cut),
    cmocka_unit_test(test_move_changes_class),
    cmocka_unit_test(test_other_failure_message),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
