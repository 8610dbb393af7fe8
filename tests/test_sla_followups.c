/*
 * test_sla_followups.c - SLA follow-ups of the issue 7 reviews, through
 * the public API with basic_case and a fixed clock:
 * - an escalation that raises the priority of a breached clock keeps the
 *   breach and its due time (the instant the used time reached the
 *   target), also across a pause; a re-target to a shorter target that
 *   was already reached breaches at the instant it was reached;
 * - "notify owner" on an unassigned case notifies the team's lead, else
 *   nobody, with a warning;
 * - clock names in log lines and history details are words
 *   ("first response"), the API's clock field stays "first_response";
 * - an imported complaint (older than 48 h) stays without SLA clocks
 *   when its team changes later (cases.sla_exempt); a live one that
 *   already breached keeps its breach instant across the team change.
 *
 * Team "care" works in Paris (UTC+1 in December) Mon-Fri 09:00-18:00,
 * lead maria; team "nolead" the same hours without a lead. Mon
 * 2026-12-07 08:00Z is 09:00 Paris, the start of a business day.
 */
#define ST_LOG_SIZE 2048
#include "sla_test.h"

static const char conf_any[] =
  "plugins = { load = ( { name = \"basic_case\"; } ); };\n"
  "complaints = {\n"
  "  default_team = \"care\";\n"
  "  teams = ( { name = \"care\"; timezone = \"Europe/Paris\";"
  " lead = \"maria\"; hours = { weekdays = \"09:00-18:00\"; }; },\n"
  "    { name = \"nolead\"; timezone = \"Europe/Paris\";"
  " hours = { weekdays = \"09:00-18:00\"; }; } );\n"
  "  routing = ( { category = \"orphan\"; team = \"nolead\"; } );\n"
  "  sla = ( { category = \"*\"; priority = 0; first_response = \"4h\";"
  " resolution = \"16h\"; } );\n"
  "  escalation = (\n"
  "    { clock = \"first_response\"; at = 0.5; action = \"notify\";"
  " to = \"owner\"; },\n"
  "    { clock = \"first_response\"; at = 1.0; action = \"reassign\";"
  " to = \"lead\"; raise_priority = 1; } );\n"
  "};\n";

/* priority 3 has 8h to the first response, priority 2 only 4h */
static const char conf_prio[] =
  "plugins = { load = ( { name = \"basic_case\"; } ); };\n"
  "complaints = {\n"
  "  default_team = \"care\";\n"
  "  teams = ( { name = \"care\"; timezone = \"Europe/Paris\";"
  " lead = \"maria\"; hours = { weekdays = \"09:00-18:00\"; }; } );\n"
  "  sla = (\n"
  "    { category = \"*\"; priority = 2; first_response = \"4h\";"
  " resolution = \"16h\"; },\n"
  "    { category = \"*\"; priority = 3; first_response = \"8h\";"
  " resolution = \"40h\"; } );\n"
  "  escalation = ( { clock = \"first_response\"; at = 0.75;"
  " action = \"reassign\"; to = \"lead\"; raise_priority = 1; } );\n"
  "};\n";

/* 24/7 in UTC: business time = wall time */
static const char conf_night[] =
  "plugins = { load = ( { name = \"basic_case\"; } ); };\n"
  "complaints = {\n"
  "  teams = ( { name = \"night\"; hours = { weekdays = \"00:00-24:00\";"
  " sat = \"00:00-24:00\"; sun = \"00:00-24:00\"; }; },\n"
  "    { name = \"day\"; hours = { weekdays = \"00:00-24:00\";"
  " sat = \"00:00-24:00\"; sun = \"00:00-24:00\"; }; } );\n"
  "  sla = ( { category = \"*\"; priority = 0; first_response = \"4h\";"
  " resolution = \"8h\"; } );\n"
  "};\n";

/* 2026-12-07 (a Monday) hh:mm UTC; 20794 days after 1970-01-01 */
static int64_t dec7(int hh, int mm)
{
  return INT64_C(20794) * 86400 + hh * H + mm * 60;
}

static void run_expect(crm *c, int64_t as_of, int64_t w, int64_t b,
                       int64_t e)
{
  st_run_check(c, as_of, 1, w, b, e, -1);
}

static int64_t step_count(crm *c, int64_t id, const char *action)
{
  sqlite3_stmt *st;
  int64_t v = -1;

  assert_int_equal(sqlite3_prepare_v2(c->db, "SELECT count(*) FROM"
                                      " case_steps WHERE case_id = ?1 AND"
                                      " action = ?2", -1, &st, NULL),
                   SQLITE_OK);
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, action, -1, SQLITE_STATIC);
  if(sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

/* ---- 1: a breached clock re-targeted keeps its breach and due time ---- */

static void test_raise_after_breach(void **state)
{
  pe_env e;
  crm_sla_info s;
  int64_t cust, id;

  (void)state;
  pe_open(&e, conf_any);
  cust = t_add_customer(e.c, "ana");
  /* Mon 08:00Z = 09:00 Paris: first response level 1 at 2h (10:00Z),
   * warning at 3h (11:00Z), breach and level 2 at 4h (12:00Z) */
  id = open_at(e.c, cust, "delivery", 3, dec7(8, 0));
  run_expect(e.c, dec7(12, 30), 1, 1, 2);
  assert_int_equal(ct_get(e.c, id).priority, 2);
  assert_string_equal(ct_get(e.c, id).owner, "maria");
  s = sla_at(e.c, id, dec7(12, 30));
  assert_string_equal(s.first_response.status, "breached");
  assert_int_equal(s.first_response.breached_at, dec7(12, 0));
  /* the instant the used time reached the 4h target, not the run */
  assert_int_equal(s.first_response.due_at, dec7(12, 0));
  assert_int_equal(s.first_response.used, 4 * H + 30 * 60);
  /* resolution 16h: Mon 09-18 Paris (9h) + Tue 09-16 (7h) = Tue 15:00Z */
  assert_int_equal(s.resolution.due_at, dec7(12, 0) + 27 * H);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM case_due WHERE"
                          " case_id = ?1 AND clock = 'first_response'", id),
                   0);
  /* waiting 13:00Z-14:00Z: the breach and its due time stay */
  move_at(e.c, id, "Waiting on customer", dec7(13, 0));
  move_at(e.c, id, "In progress", dec7(14, 0));
  s = sla_at(e.c, id, dec7(14, 0));
  assert_string_equal(s.first_response.status, "breached");
  assert_int_equal(s.first_response.due_at, dec7(12, 0));
  assert_int_equal(s.first_response.breached_at, dec7(12, 0));
  assert_int_equal(s.first_response.used, 5 * H);
  /* resolution: 5h used by 13:00Z, 11h left from 15:00 Paris: Mon 3h,
   * Tue 8h = Tue 17:00 Paris = 16:00Z */
  assert_int_equal(s.resolution.due_at, dec7(16, 0) + 24 * H);
  run_expect(e.c, dec7(14, 0), 0, 0, 0);
  pe_close(&e);
}

/* A raise to a shorter target already reached: the breach is the instant
 * the used time reached the new target. */
static void test_raise_to_reached_target(void **state)
{
  pe_env e;
  crm_sla_info s;
  int64_t cust, id;

  (void)state;
  pe_open(&e, conf_prio);
  cust = t_add_customer(e.c, "ana");
  /* priority 3 (8h): warning and level 1 at 6h = 15:00 Paris = 14:00Z;
   * the raise to priority 2 (4h): reached at 13:00 Paris = 12:00Z */
  id = open_at(e.c, cust, "delivery", 3, dec7(8, 0));
  run_expect(e.c, dec7(14, 30), 1, 1, 1);
  s = sla_at(e.c, id, dec7(14, 30));
  assert_int_equal(s.first_response.target, 4 * H);
  assert_string_equal(s.first_response.status, "breached");
  assert_int_equal(s.first_response.breached_at, dec7(12, 0));
  assert_int_equal(s.first_response.due_at, dec7(12, 0));
  assert_int_equal(s.first_response.warned_at, dec7(14, 0));
  pe_close(&e);
}

/* ---- 2 and 3: notify owner without an owner; clock words ------------- */

static void test_notify_without_owner(void **state)
{
  char log[2048] = "";
  pe_env e;
  ct_lines h;
  int64_t cust, a, b;
  size_t i;
  int breach_line = 0;

  (void)state;
  pe_open(&e, conf_any);
  cust = t_add_customer(e.c, "ana");
  a = open_at(e.c, cust, "delivery", 3, dec7(8, 0));
  b = open_at(e.c, cust, "orphan", 3, dec7(8, 0));
  crm_set_log(e.c, keep_log, log, CRM_LOG_DEBUG);
  /* level 1 of both at 10:00Z */
  run_expect(e.c, dec7(10, 30), 0, 0, 2);
  assert_int_equal(step_count(e.c, a, "notify lead maria (no owner)"), 1);
  assert_int_equal(step_count(e.c, b, "notify owner (no owner, no lead)"),
                   1);
  assert_non_null(strstr(log, "case C-000001: first response escalation "
                              "level 1: notify lead maria (no owner)"));
  assert_non_null(strstr(log, "1 case C-000002: first response escalation "
                              "level 1: nobody to notify: no owner and team"
                              " nolead has no lead"));
  assert_null(strstr(log, "first_response"));
  /* the breach of a at 12:00Z: the words in the history and the log */
  run_expect(e.c, dec7(12, 0), 2, 2, 2);
  assert_non_null(strstr(log, "case C-000001: first response breached, "
                              "target 4h exceeded"));
  assert_null(strstr(log, "first_response"));
  ct_history(e.c, a, &h);
  for(i = 0; i < h.n && i < CT_N; i++) {
    assert_null(strstr(h.line[i], "first_response"));
    if(!strcmp(h.line[i], "sla|-|New|sla|-|breach first response: target "
                          "4h exceeded"))
      breach_line = 1;
  }
  assert_true(breach_line);
  /* the API keeps the raw name */
  assert_string_equal(sla_at(e.c, a, dec7(12, 0)).first_response.clock,
                      "first_response");
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM case_steps WHERE"
                          " case_id = ?1 AND clock = 'first_response'", a),
                   4); /* notify, warning, breach, level 2 */
  pe_close(&e);
}

/* ---- 4: an imported complaint stays exempt ----------------------------- */

static void test_import_stays_exempt(void **state)
{
  pe_env e;
  crm_sla_run_stats st;
  crm_sla_info info;
  crm_case_op op;
  int64_t cust, old = 1, live = 2;

  (void)state;
  pe_open(&e, conf_night);
  cust = t_add_customer(e.c, "a");
  pe_event(e.c, cust, "complaint", PE_NOW - 72 * H, 0, NULL,
           "{\"summary\":\"parcel late\"}", "k-old");
  pe_event(e.c, cust, "complaint", PE_NOW - 47 * H, 0, NULL,
           "{\"summary\":\"parcel late again\"}", "k-live");
  assert_int_equal(ct_int(e.c, "SELECT sla_exempt FROM cases WHERE id = ?1",
                          old), 1);
  assert_int_equal(ct_int(e.c, "SELECT sla_exempt FROM cases WHERE id = ?1",
                          live), 0);
  /* a new team later: still no clock, nothing to breach */
  op = ct_op("ana", "day shift", PE_NOW);
  assert_int_equal(crm_case_assign(e.c, old, "ben", "day", &op), CRM_OK);
  assert_string_equal(ct_get(e.c, old).team, "day");
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM case_sla WHERE"
                          " case_id = ?1", old), 0);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM case_due WHERE"
                          " case_id = ?1", old), 0);
  /* the live case re-targets on its new team as before */
  assert_int_equal(crm_case_assign(e.c, live, "ben", "day", &op), CRM_OK);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM case_sla WHERE"
                          " case_id = ?1 AND team = 'day'", live), 2);
  assert_int_equal(crm_sla_get(e.c, old, &info), CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(e.c), "case C-000001 has no SLA: it was "
                      "opened from imported history");
  memset(&st, 0, sizeof(st));
  assert_int_equal(crm_sla_run(e.c, 0, &st), CRM_OK);
  assert_int_equal(st.breaches, 2); /* the live case's two clocks */
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM case_steps WHERE"
                          " case_id = ?1", old), 0);
  /* the team change folded 47h into used; the breach keeps the instant
   * 4h were used (opened 47h ago: 43h ago), not the change */
  info = sla_at(e.c, live, PE_NOW);
  assert_int_equal(info.first_response.breached_at, PE_NOW - 43 * H);
  assert_int_equal(info.first_response.due_at, PE_NOW - 43 * H);
  assert_int_equal(info.resolution.breached_at, PE_NOW - 39 * H);
  pe_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_raise_after_breach),
    cmocka_unit_test(test_raise_to_reached_target),
    cmocka_unit_test(test_notify_without_owner),
    cmocka_unit_test(test_import_stays_exempt),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
