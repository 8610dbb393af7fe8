/*
 * test_sla_edges.c - the edges of the SLA clocks and of crm_sla_run,
 * through the public API with the basic_case handler and a fixed clock:
 * - an escalation that reassigns a New case to the lead moves it to
 *   Assigned (actor "sla");
 * - the two daylight-saving Sundays inside a target (Paris);
 * - the team's zone counts, never the customer's;
 * - a priority change while the clocks are paused;
 * - a case reopened after its resolution clock breached: no second
 *   breach, no escalation again;
 * - a warning share reached exactly at the end of an open interval;
 * - crm_sla_run with as_of in the past applies only the rows due by then;
 * - a config change between the opening and the run keeps the stored
 *   due times and targets;
 * - a backlog: a run of its own commits every 500 rows, inside the
 *   caller's transaction it commits nothing and rolls back with it.
 *
 * Team "care" works in Paris (UTC+1 in November): Mon-Thu 09:00-12:30
 * and 13:30-18:00, Fri to 17:00. Team "weekend" works in Paris on
 * Saturday 09:00-18:00 and Sunday 00:00-06:00 and 09:00-18:00 (so the
 * DST hours fall inside an interval). Team "night" works around the
 * clock in UTC. Every expected instant is worked out by hand next to it.
 */
#include "sla_test.h"

#include "case_int.h"

static const char conf_edges[] =
  "plugins = { load = ( { name = \"basic_case\"; } ); };\n"
  "complaints = {\n"
  "  default_team = \"care\";\n"
  "  teams = ( { name = \"care\"; timezone = \"Europe/Paris\";"
  " lead = \"maria\";\n"
  "    hours = { weekdays = \"09:00-12:30,13:30-18:00\";"
  " fri = \"09:00-12:30,13:30-17:00\"; }; },\n"
  "    { name = \"weekend\"; timezone = \"Europe/Paris\";"
  " hours = { sat = \"09:00-18:00\";"
  " sun = \"00:00-06:00,09:00-18:00\"; }; },\n"
  "    { name = \"night\"; hours = { weekdays = \"00:00-24:00\";"
  " sat = \"00:00-24:00\"; sun = \"00:00-24:00\"; }; } );\n"
  "  routing = ( { category = \"dst\"; team = \"weekend\"; },"
  " { category = \"bulk\"; team = \"night\"; } );\n"
  "  sla = (\n"
  "    { category = \"*\"; priority = 1; first_response = \"1h\";"
  " resolution = \"8h\"; },\n"
  "    { category = \"*\"; priority = 2; first_response = \"4h\";"
  " resolution = \"16h\"; },\n"
  "    { category = \"dst\"; first_response = \"4h\";"
  " resolution = \"12h\"; } );\n"
  "  escalation = (\n"
  "    { clock = \"resolution\"; at = 0.5; action = \"notify\";"
  " to = \"owner\"; },\n"
  "    { clock = \"resolution\"; at = 1.0; action = \"reassign\";"
  " to = \"lead\"; raise_priority = 1; } );\n"
  "};\n";

static int64_t n_steps(crm *c, int64_t id, const char *kind)
{
  char sql[128];

  snprintf(sql, sizeof(sql), "SELECT count(*) FROM case_steps WHERE"
           " case_id = ?1 AND kind = '%s'", kind);
  return q_int(c, sql, id);
}

static void resolve_at(crm *c, int64_t id, int64_t at)
{
  crm_case_resolution res;

  memset(&res, 0, sizeof(res));
  res.op.actor = "ana";
  res.op.why = "parcel found";
  res.op.at = at;
  crm_set_now(c, at);
  if(crm_case_resolve(c, id, &res))
    fail_msg("crm_case_resolve: %s", crm_errmsg(c));
}

static void run_expect(crm *c, int64_t as_of, int64_t w, int64_t b,
                       int64_t e, int64_t closed)
{
  st_run_check(c, as_of, 0, w, b, e, closed);
}

/* ---- an escalation to the lead assigns a New case ----------------------- */

static void test_escalation_assigns(void **state)
{
  pe_env e;
  int64_t cust, id;
  crm_case k;

  (void)state;
  pe_open(&e, conf_edges);
  cust = t_add_customer(e.c, "ana");
  /* Mon 2026-11-23 09:00 Paris, nobody takes it: first response warning
   * Mon 12:00 (3h), breach Mon 14:00 (4h); resolution level 1 Mon 18:00
   * (8h), warning Tue 14:00 (12h), breach and level 2 Tue 18:00 (16h) */
  id = open_at(e.c, cust, "delivery", 2, paris(2026, 11, 23, 9, 0));
  run_expect(e.c, paris(2026, 11, 25, 10, 0), 2, 2, 2, 0);
  assert_int_equal(crm_case_get(e.c, id, &k), CRM_OK);
  assert_string_equal(k.owner, "maria");
  assert_string_equal(k.state, CRM_CASE_ASSIGNED);
  assert_int_equal(k.priority, 1);
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM case_history WHERE"
                         " case_id = ?1 AND action = 'move' AND actor = 'sla'"
                         " AND from_state = 'New' AND to_state = 'Assigned'"
                         " AND note = 'escalation level 2'", id), 1);
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM case_steps WHERE"
                         " case_id = ?1 AND action ="
                         " 'notify lead maria (no owner)'", id), 1);
  /* everything happened once; nothing is left to apply */
  assert_int_equal(n_due(e.c, id), 0);
  run_expect(e.c, paris(2026, 12, 31, 10, 0), 0, 0, 0, 0);
  pe_close(&e);
}

/* ---- daylight saving ---------------------------------------------------- */

static void test_dst_sundays(void **state)
{
  pe_env e;
  int64_t cust, id;
  crm_sla_info s;

  (void)state;
  pe_open(&e, conf_edges);
  cust = t_add_customer(e.c, "ana");
  /* Spring: Sat 2027-03-27 17:00 CET = 16:00Z. Sunday 28 is 23 hours
   * long: 02:00 CET jumps to 03:00 CEST at 01:00Z. Sun 00:00-06:00 local
   * = Sat 23:00Z .. Sun 04:00Z = 5 business hours (not 6) */
  id = open_at(e.c, cust, "dst", 3, utc(2027, 3, 27, 16, 0));
  s = sla_at(e.c, id, utc(2027, 3, 27, 16, 0));
  assert_string_equal(s.team, "weekend");
  assert_string_equal(s.policy, "dst/*");
  /* first response 4h: 1h Sat, 3h from Sat 23:00Z = Sun 02:00Z (04:00
   * CEST); warning 3h: 2h from 23:00Z = 01:00Z, the switch itself */
  assert_int_equal(s.first_response.due_at, utc(2027, 3, 28, 2, 0));
  assert_int_equal(s.first_response.warn_at, utc(2027, 3, 28, 1, 0));
  /* resolution 12h: 1h Sat + 5h night = 6h at 04:00Z; 6h more from
   * 09:00 CEST = 07:00Z: 13:00Z (15:00 CEST) */
  assert_int_equal(s.resolution.due_at, utc(2027, 3, 28, 13, 0));
  /* Sun 07:00 CEST (05:00Z, closed): 1h + 5h */
  s = sla_at(e.c, id, utc(2027, 3, 28, 5, 0));
  assert_int_equal(s.resolution.used, 6 * H);
  /* Autumn: Sat 2027-10-30 17:00 CEST = 15:00Z. Sunday 31 is 25 hours
   * long: 03:00 CEST goes back to 02:00 CET at 01:00Z. Sun 00:00-06:00
   * local = Sat 22:00Z .. Sun 05:00Z = 7 business hours */
  id = open_at(e.c, cust, "dst", 3, utc(2027, 10, 30, 15, 0));
  s = sla_at(e.c, id, utc(2027, 10, 30, 15, 0));
  /* first response: 1h Sat, 3h from 22:00Z = Sun 01:00Z */
  assert_int_equal(s.first_response.due_at, utc(2027, 10, 31, 1, 0));
  /* resolution: 1h + 7h = 8h at 05:00Z; 4h from 09:00 CET = 08:00Z:
   * 12:00Z */
  assert_int_equal(s.resolution.due_at, utc(2027, 10, 31, 12, 0));
  pe_close(&e);
}

/* ---- the team's zone, not the customer's -------------------------------- */

static void test_zone_of_team(void **state)
{
  pe_env e;
  crm_customer_fields f;
  int64_t cust, id;
  crm_sla_info s;

  (void)state;
  pe_open(&e, conf_edges);
  memset(&f, 0, sizeof(f));
  f.external_id = "ny";
  f.timezone = "America/New_York";
  assert_int_equal(crm_customer_add(e.c, &f, &cust), CRM_OK);
  /* Mon 2026-11-23 09:00 Paris (03:00 in New York): the care team's
   * hours count: first response 4h = Mon 14:00 Paris, resolution 16h =
   * Tue 18:00 Paris */
  id = open_at(e.c, cust, "delivery", 2, paris(2026, 11, 23, 9, 0));
  s = sla_at(e.c, id, paris(2026, 11, 23, 9, 0));
  assert_string_equal(s.timezone, "Europe/Paris");
  assert_int_equal(s.first_response.due_at, paris(2026, 11, 23, 14, 0));
  assert_int_equal(s.resolution.due_at, paris(2026, 11, 24, 18, 0));
  pe_close(&e);
}

/* ---- a priority change while paused ------------------------------------- */

static void test_priority_while_paused(void **state)
{
  pe_env e;
  int64_t cust, id, at;
  crm_sla_info s;
  crm_case_op op;
  crm__case_row r;

  (void)state;
  pe_open(&e, conf_edges);
  cust = t_add_customer(e.c, "ana");
  id = open_at(e.c, cust, "delivery", 2, paris(2026, 11, 23, 9, 0));
  /* Mon 10:00 (1h used): waiting on the customer */
  memset(&op, 0, sizeof(op));
  op.at = paris(2026, 11, 23, 10, 0);
  crm_set_now(e.c, op.at);
  assert_int_equal(crm_case_move_op(e.c, id, CRM_CASE_WAITING, &op), CRM_OK);
  /* Mon 11:00 the priority goes to 1 (as an escalation or a handler's
   * decision does it): targets 1h and 8h, still paused */
  at = paris(2026, 11, 23, 11, 0);
  assert_int_equal(crm_begin(e.c), CRM_OK);
  assert_int_equal(crm__case_load(e.c, id, &r), CRM_OK);
  r.priority = 1;
  assert_int_equal(crm__case_save(e.c, &r, at), CRM_OK);
  assert_int_equal(crm__sla_on_change(e.c, &r, at), CRM_OK);
  assert_int_equal(crm_commit(e.c), CRM_OK);
  s = sla_at(e.c, id, paris(2026, 11, 23, 16, 0));
  assert_string_equal(s.policy, "*/1");
  assert_string_equal(s.first_response.status, "paused");
  assert_int_equal(s.first_response.target, 1 * H);
  assert_int_equal(s.first_response.used, 1 * H);
  assert_int_equal(s.first_response.due_at, 0);
  assert_int_equal(s.resolution.target, 8 * H);
  assert_int_equal(n_due(e.c, id), 0);
  /* Tue 09:00 the customer answers: the first response has used its
   * whole 1h, so its warning and breach fall at the resume; resolution
   * 7h left = Tue 17:00, warning 6h (5h left) = Tue 15:00, level 1 4h
   * (3h left) = Tue 12:00, level 2 = Tue 17:00 */
  reply_at(e.c, id, CRM_CASE_MSG_CUSTOMER, paris(2026, 11, 24, 9, 0));
  s = sla_at(e.c, id, paris(2026, 11, 24, 9, 0));
  assert_int_equal(s.first_response.due_at, paris(2026, 11, 24, 9, 0));
  assert_int_equal(s.resolution.due_at, paris(2026, 11, 24, 17, 0));
  assert_int_equal(n_due(e.c, id), 6);
  assert_int_equal(q_int(e.c, "SELECT due_at FROM case_due WHERE case_id ="
                         " ?1 AND what = 'warning' AND clock = 'resolution'",
                         id), paris(2026, 11, 24, 15, 0));
  assert_int_equal(q_int(e.c, "SELECT due_at FROM case_due WHERE case_id ="
                         " ?1 AND what = 'escalation' AND level = 1", id),
                   paris(2026, 11, 24, 12, 0));
  run_expect(e.c, paris(2026, 11, 24, 9, 0), 1, 1, 0, 0);
  s = sla_at(e.c, id, paris(2026, 11, 24, 9, 0));
  assert_int_equal(s.first_response.breached_at, paris(2026, 11, 24, 9, 0));
  pe_close(&e);
}

/* ---- reopened after a breach -------------------------------------------- */

static void test_reopen_after_breach(void **state)
{
  pe_env e;
  int64_t cust, id;
  crm_sla_info s;

  (void)state;
  pe_open(&e, conf_edges);
  cust = t_add_customer(e.c, "ana");
  id = open_at(e.c, cust, "delivery", 2, paris(2026, 11, 23, 9, 0));
  reply_at(e.c, id, CRM_CASE_MSG_AGENT, paris(2026, 11, 23, 10, 0));
  /* Wed 10:00: level 1, the warning, the breach and level 2 (priority 1,
   * target 8h) */
  run_expect(e.c, paris(2026, 11, 25, 10, 0), 1, 1, 2, 0);
  /* the first response was met in 1h of 4h: it keeps the target it was
   * met against (not priority 1's 1h) */
  s = sla_at(e.c, id, paris(2026, 11, 25, 10, 0));
  assert_string_equal(s.policy, "*/1");
  assert_int_equal(s.first_response.target, 4 * H);
  assert_int_equal(s.first_response.used, 1 * H);
  assert_string_equal(s.first_response.status, "met");
  /* resolved Wed 11:00 after 8 + 8 + 2 = 18h: met late */
  resolve_at(e.c, id, paris(2026, 11, 25, 11, 0));
  s = sla_at(e.c, id, paris(2026, 11, 25, 11, 0));
  assert_string_equal(s.resolution.status, "met late");
  assert_int_equal(s.resolution.used, 18 * H);
  /* Thu 09:00 the customer writes back: reopened; the clock runs on from
   * 18h, already breached: no warning, breach or level is due again */
  reply_at(e.c, id, CRM_CASE_MSG_CUSTOMER, paris(2026, 11, 26, 9, 0));
  s = sla_at(e.c, id, paris(2026, 11, 26, 10, 0));
  assert_string_equal(s.resolution.status, "breached");
  assert_int_equal(s.resolution.used, 19 * H);
  assert_int_equal(s.resolution.breached_at, paris(2026, 11, 24, 18, 0));
  assert_int_equal(n_due(e.c, id), 0);
  run_expect(e.c, paris(2026, 12, 31, 10, 0), 0, 0, 0, 0);
  assert_int_equal(n_steps(e.c, id, "breach"), 1);
  assert_int_equal(n_steps(e.c, id, "warning"), 1);
  assert_int_equal(n_steps(e.c, id, "escalation"), 2);
  pe_close(&e);
}

/* ---- a warning at the end of an interval -------------------------------- */

static void test_warn_at_interval_end(void **state)
{
  pe_env e;
  int64_t cust, id, w;
  crm_sla_info s;

  (void)state;
  pe_open(&e, conf_edges);
  cust = t_add_customer(e.c, "ana");
  /* Mon 09:30: 3h (0.75 x 4h) are used exactly at 12:30, the end of the
   * morning interval: the warning is 12:30, not 13:30; the breach 1h
   * after 13:30 = 14:30 */
  id = open_at(e.c, cust, "delivery", 2, paris(2026, 11, 23, 9, 30));
  w = paris(2026, 11, 23, 12, 30);
  s = sla_at(e.c, id, w - 1);
  assert_int_equal(s.first_response.warn_at, w);
  assert_int_equal(s.first_response.due_at, paris(2026, 11, 23, 14, 30));
  run_expect(e.c, w - 1, 0, 0, 0, 0);
  run_expect(e.c, w, 1, 0, 0, 0);
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM case_steps WHERE"
                         " case_id = ?1 AND kind = 'warning' AND detail ="
                         " '3h of 4h used'", id), 1);
  /* over lunch nothing more is used */
  s = sla_at(e.c, id, paris(2026, 11, 23, 13, 30));
  assert_int_equal(s.first_response.used, 3 * H);
  pe_close(&e);
}

/* ---- as_of in the past -------------------------------------------------- */

static void test_run_past_as_of(void **state)
{
  pe_env e;
  int64_t cust, id, t1;

  (void)state;
  pe_open(&e, conf_edges);
  cust = t_add_customer(e.c, "ana");
  id = open_at(e.c, cust, "delivery", 2, paris(2026, 11, 23, 9, 0));
  assert_int_equal(n_due(e.c, id), 6);
  /* the clock of the handle is a month later; as_of is Mon 12:00: only
   * the first-response warning (Mon 12:00) is due by then */
  crm_set_now(e.c, paris(2026, 12, 23, 9, 0));
  t1 = paris(2026, 11, 23, 12, 0);
  run_expect(e.c, t1, 1, 0, 0, 0);
  assert_int_equal(n_due(e.c, id), 5);
  assert_int_equal(q_int(e.c, "SELECT at FROM case_steps WHERE case_id = ?1"
                         " AND kind = 'warning'", id), t1);
  run_expect(e.c, paris(2026, 11, 23, 13, 59), 0, 0, 0, 0);
  /* as_of 0: the handle's now; the rest: first response breach,
   * resolution level 1, warning, breach, level 2 */
  run_expect(e.c, 0, 1, 2, 2, 0);
  pe_close(&e);
}

/* ---- the config changes between the opening and the run ----------------- */

static void test_config_change_keeps_due(void **state)
{
  char conf[sizeof(conf_edges) + 64], log[1024] = "";
  const char *p;
  pe_env e;
  int64_t cust, id;
  crm_sla_info s;

  (void)state;
  pe_open(&e, conf_edges);
  cust = t_add_customer(e.c, "ana");
  id = open_at(e.c, cust, "delivery", 2, paris(2026, 11, 23, 9, 0));
  reply_at(e.c, id, CRM_CASE_MSG_AGENT, paris(2026, 11, 23, 10, 0));
  /* the admin shortens priority 2's resolution to 8h and drops the
   * escalation levels */
  p = strstr(conf_edges, "resolution = \"16h\"");
  assert_non_null(p);
  snprintf(conf, sizeof(conf), "%.*sresolution = \"8h\"; } );\n};\n",
           (int)(p - conf_edges), conf_edges);
  t_write_file(e.conf, conf);
  if(crm_reload_config(e.c))
    fail_msg("crm_reload_config: %s", crm_errmsg(e.c));
  /* the stored times of the open case stay: Tue 14:30 applies the 12h
   * warning of the 16h target (Tue 14:00); level 1 (Mon 18:00) has no
   * level in the config any more: dropped without a step */
  crm_set_log(e.c, keep_log, log, CRM_LOG_DEBUG);
  run_expect(e.c, paris(2026, 11, 24, 14, 30), 1, 0, 0, 0);
  assert_non_null(strstr(log, "case C-000001: resolution escalation level "
                              "1 dropped: complaints.escalation has no such"
                              " level for that clock any more"));
  s = sla_at(e.c, id, paris(2026, 11, 24, 14, 30));
  assert_int_equal(s.resolution.target, 16 * H);
  assert_int_equal(s.resolution.due_at, paris(2026, 11, 24, 18, 0));
  assert_int_equal(n_steps(e.c, id, "escalation"), 0);
  /* a new case takes the new target: 8h from Tue 14:30 = 3.5h Tue,
   * Wed 09:00-12:30 3.5h, 13:30 + 1h = Wed 14:30 */
  id = open_at(e.c, cust, "delivery", 2, paris(2026, 11, 24, 14, 30));
  s = sla_at(e.c, id, paris(2026, 11, 24, 14, 30));
  assert_int_equal(s.resolution.due_at, paris(2026, 11, 25, 14, 30));
  pe_close(&e);
}

/* ---- a backlog: batches of 500 ------------------------------------------ */

static int count_commit(void *ud)
{
  (*(int *)ud)++;
  return 0;
}

static void test_run_batches(void **state)
{
  pe_env e;
  int64_t cust, t0 = utc(2026, 11, 23, 8, 0);
  int i, commits = 0;

  (void)state;
  pe_open(&e, conf_edges);
  cust = t_add_customer(e.c, "ana");
  /* 501 cases on the night team (around the clock, UTC), priority 1:
   * first-response warning at 45m, breach at 1h */
  assert_int_equal(crm_begin(e.c), CRM_OK);
  for(i = 0; i < 501; i++)
    open_at(e.c, cust, "bulk", 1, t0);
  assert_int_equal(crm_commit(e.c), CRM_OK);
  sqlite3_commit_hook(e.c->db, count_commit, &commits);
  /* inside the caller's transaction: no commit, undone with it */
  assert_int_equal(crm_begin(e.c), CRM_OK);
  run_expect(e.c, t0 + 50 * 60, 501, 0, 0, 0);
  assert_int_equal(commits, 0);
  assert_int_equal(crm_rollback(e.c), CRM_OK);
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM case_steps WHERE"
                         " kind = 'warning' AND ?1", 1), 0);
  /* on its own: 500 rows, a commit, 1 row, a commit */
  run_expect(e.c, t0 + 50 * 60, 501, 0, 0, 0);
  assert_int_equal(commits, 2);
  sqlite3_commit_hook(e.c->db, NULL, NULL);
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM case_due WHERE"
                         " what = 'warning' AND clock = 'first_response'"
                         " AND ?1", 1), 0);
  pe_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_escalation_assigns),
    cmocka_unit_test(test_dst_sundays),
    cmocka_unit_test(test_zone_of_team),
    cmocka_unit_test(test_priority_while_paused),
    cmocka_unit_test(test_reopen_after_breach),
    cmocka_unit_test(test_warn_at_interval_end),
    cmocka_unit_test(test_run_past_as_of),
    cmocka_unit_test(test_config_change_keeps_due),
    cmocka_unit_test(test_run_batches),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
