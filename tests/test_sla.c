/*
 * test_sla.c - SLA clocks on business hours through the public API, with
 * the basic_case handler and a fixed clock:
 * - first-response and resolution due times across a weekend and a
 *   holiday, the stored due rows;
 * - a pause (Waiting on customer) and the resume moving every due time by
 *   exactly the paused business time;
 * - a warning, a breach and two escalation levels applied by crm_sla_run
 *   at chosen instants (counts, steps in order, a second run does
 *   nothing, reassignment to the lead, priority raised and targets
 *   re-taken);
 * - met clocks stop everything; the automatic close after
 *   close_after_days; a reopen resumes the resolution clock;
 * - a team change keeps the time used on the old calendar and counts the
 *   rest on the new one;
 * - a due row that cannot be applied any more (its team left the
 *   config) is dropped with a warning, the run goes on;
 * - no policy: no clocks (CRM_ENOTFOUND).
 *
 * The team "care" works in Paris (UTC+1 in November and December):
 * Mon-Thu 09:00-12:30 and 13:30-18:00 (8 h a day), Fri 09:00-12:30 and
 * 13:30-17:00 (7 h), closed on week-ends and on 2026-12-25 and
 * 2027-01-01. The team "night" works around the clock in UTC. Every
 * expected instant below is worked out by hand in the
 * comment next to it.
 */
#include "sla_test.h"

static const char conf_sla[] =
  "plugins = { load = ( { name = \"basic_case\"; } ); };\n"
  "complaints = {\n"
  "  close_after_days = 7;\n"
  "  teams = ( { name = \"care\"; timezone = \"Europe/Paris\";"
  " lead = \"maria\";\n"
  "    hours = { weekdays = \"09:00-12:30,13:30-18:00\";"
  " fri = \"09:00-12:30,13:30-17:00\"; };\n"
  "    holidays = [ \"2026-12-25\", \"2027-01-01\" ]; },\n"
  "    { name = \"night\"; hours = { weekdays = \"00:00-24:00\";"
  " sat = \"00:00-24:00\"; sun = \"00:00-24:00\"; }; } );\n"
  "  sla = (\n"
  "    { category = \"*\"; priority = 1; first_response = \"1h\";"
  " resolution = \"8h\"; },\n"
  "    { category = \"*\"; priority = 2; first_response = \"4h\";"
  " resolution = \"16h\"; },\n"
  "    { category = \"*\"; priority = 3; first_response = \"8h\";"
  " resolution = \"40h\"; } );\n"
  "  escalation = (\n"
  "    { clock = \"resolution\"; at = 0.5; action = \"notify\";"
  " to = \"owner\"; },\n"
  "    { clock = \"resolution\"; at = 1.0; action = \"reassign\";"
  " to = \"lead\"; raise_priority = 1; } );\n"
  "};\n";

/* The due_at of one case_due row (what, clock, level); -1 none. */
static int64_t due_of(crm *c, int64_t id, const char *what,
                      const char *clock, int level)
{
  sqlite3_stmt *st;
  int64_t v = -1;

  assert_int_equal(sqlite3_prepare_v2(c->db, "SELECT due_at FROM case_due"
                                      " WHERE case_id = ?1 AND what = ?2"
                                      " AND clock = ?3 AND level = ?4", -1,
                                      &st, NULL), SQLITE_OK);
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, what, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, clock, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 4, level);
  if(sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

static crm_sla_run_stats run_at(crm *c, int64_t as_of)
{
  crm_sla_run_stats st;

  if(crm_sla_run(c, as_of, &st))
    fail_msg("crm_sla_run: %s", crm_errmsg(c));
  return st;
}

static void assert_stats(crm_sla_run_stats s, int64_t w, int64_t b,
                         int64_t e, int64_t closed)
{
  assert_int_equal(s.warnings, w);
  assert_int_equal(s.breaches, b);
  assert_int_equal(s.escalations, e);
  assert_int_equal(s.closed, closed);
}

/* ---- due times across a week-end and a holiday -------------------------- */

static void test_due_holiday(void **state)
{
  pe_env e;
  int64_t cust, id, t0;
  crm_sla_info s;

  (void)state;
  pe_open(&e, conf_sla);
  cust = t_add_customer(e.c, "ana");
  /* Thu 2026-12-24 16:00 Paris = 15:00Z */
  t0 = paris(2026, 12, 24, 16, 0);
  assert_int_equal(t0, INT64_C(1798124400));
  id = open_at(e.c, cust, "delivery", 2, t0);
  s = sla_at(e.c, id, t0);
  assert_string_equal(s.policy, "*/2");
  assert_string_equal(s.team, "care");
  assert_string_equal(s.timezone, "Europe/Paris");
  assert_string_equal(s.first_response.status, "running");
  assert_int_equal(s.first_response.target, 4 * H);
  assert_int_equal(s.first_response.used, 0);
  /* first response 4h: Thu 16:00-18:00 gives 2h; Fri 25 is a holiday,
   * Sat and Sun are closed; Mon 28 09:00 + 2h = 11:00 Paris */
  assert_int_equal(s.first_response.due_at, paris(2026, 12, 28, 11, 0));
  /* warning at 0.75 x 4h = 3h: 2h Thu + 1h Mon = Mon 10:00 */
  assert_int_equal(s.first_response.warn_at, paris(2026, 12, 28, 10, 0));
  /* resolution 16h: 2h Thu, 8h Mon 28 (3.5 + 4.5), 3.5h Tue morning =
   * 13.5h; 2.5h more from 13:30 = Tue 29 16:00 */
  assert_int_equal(s.resolution.due_at, paris(2026, 12, 29, 16, 0));
  /* warning 12h: 2h + 8h + 2h of Tue from 09:00 = Tue 11:00 */
  assert_int_equal(s.resolution.warn_at, paris(2026, 12, 29, 11, 0));
  /* the rows: first response warning + breach; resolution warning,
   * breach, escalation 1 (8h: 2h Thu + 3.5h + 2.5h Mon from 13:30 =
   * Mon 16:00) and escalation 2 (at the breach) */
  assert_int_equal(n_due(e.c, id), 6);
  assert_int_equal(due_of(e.c, id, "breach", "first_response", 0),
                   paris(2026, 12, 28, 11, 0));
  assert_int_equal(due_of(e.c, id, "escalation", "resolution", 1),
                   paris(2026, 12, 28, 16, 0));
  assert_int_equal(due_of(e.c, id, "escalation", "resolution", 2),
                   paris(2026, 12, 29, 16, 0));
  /* Mon 28 10:30: used = 2h Thu + 1h30 Mon */
  s = sla_at(e.c, id, paris(2026, 12, 28, 10, 30));
  assert_int_equal(s.first_response.used, 3 * H + 30 * 60);
  assert_int_equal(s.first_response.warn_at, 0); /* passed */
  pe_close(&e);
}

/* ---- pause and resume --------------------------------------------------- */

static void test_pause_resume(void **state)
{
  pe_env e;
  int64_t cust, id;
  crm_sla_info s;

  (void)state;
  pe_open(&e, conf_sla);
  cust = t_add_customer(e.c, "ana");
  /* Mon 2026-11-23 09:00 Paris. Without a pause: first response due
   * Mon 09:00 + 4h = 09:00-12:30 (3.5h) + 13:30-14:00 = Mon 14:00;
   * resolution 16h = all of Mon and Tue = Tue 24 18:00 */
  id = open_at(e.c, cust, "delivery", 2, paris(2026, 11, 23, 9, 0));
  s = sla_at(e.c, id, paris(2026, 11, 23, 9, 0));
  assert_int_equal(s.first_response.due_at, paris(2026, 11, 23, 14, 0));
  assert_int_equal(s.resolution.due_at, paris(2026, 11, 24, 18, 0));
  /* Mon 10:00 (1h used): waiting on the customer */
  move_at(e.c, id, CRM_CASE_WAITING, paris(2026, 11, 23, 10, 0));
  assert_int_equal(n_due(e.c, id), 0);
  s = sla_at(e.c, id, paris(2026, 11, 24, 12, 0));
  assert_string_equal(s.first_response.status, "paused");
  assert_string_equal(s.resolution.status, "paused");
  assert_int_equal(s.first_response.running, 0);
  assert_int_equal(s.first_response.used, 1 * H); /* frozen */
  assert_int_equal(s.resolution.used, 1 * H);
  assert_int_equal(s.first_response.due_at, 0);
  /* Tue 14:00 the customer answers: In progress again. Paused business
   * time: Mon 10:00-12:30 + 13:30-18:00 (7h) + Tue 09:00-12:30 +
   * 13:30-14:00 (4h) = 11h */
  reply_at(e.c, id, CRM_CASE_MSG_CUSTOMER, paris(2026, 11, 24, 14, 0));
  s = sla_at(e.c, id, paris(2026, 11, 24, 14, 0));
  assert_string_equal(s.first_response.status, "running");
  assert_int_equal(s.first_response.used, 1 * H);
  /* first response: 3h left from Tue 14:00 = Tue 17:00, which is
   * Mon 14:00 moved by 11h (Mon 14:00-18:00 4h, Tue 7h to 17:00) */
  assert_int_equal(s.first_response.due_at, paris(2026, 11, 24, 17, 0));
  /* resolution: 15h left from Tue 14:00: 4h Tue, 8h Wed, 3h Thu =
   * Thu 26 12:00; Tue 18:00 moved by 11h (8h Wed + 3h Thu) */
  assert_int_equal(s.resolution.due_at, paris(2026, 11, 26, 12, 0));
  assert_int_equal(n_due(e.c, id), 6);
  pe_close(&e);
}

/* ---- warning, breach, escalation ---------------------------------------- */

struct steps {
  char kind[8][16];
  char clock[8][16];
  char action[8][64];
  char detail[8][64];
  int level[8];
  int64_t due_at[8];
  int64_t at[8];
  size_t n;
};

static int keep_step(void *ud, const crm_sla_step *s)
{
  struct steps *g = ud;

  if(g->n < 8) {
    snprintf(g->kind[g->n], sizeof(g->kind[0]), "%s", s->kind);
    snprintf(g->clock[g->n], sizeof(g->clock[0]), "%s", s->clock);
    snprintf(g->action[g->n], sizeof(g->action[0]), "%s", s->action);
    snprintf(g->detail[g->n], sizeof(g->detail[0]), "%s", s->detail);
    g->level[g->n] = s->level;
    g->due_at[g->n] = s->due_at;
    g->at[g->n] = s->at;
  }
  g->n++;
  return 0;
}

static void steps_of(crm *c, int64_t id, struct steps *g)
{
  memset(g, 0, sizeof(*g));
  assert_int_equal(crm_sla_steps_foreach(c, id, keep_step, g), CRM_OK);
}

/* "LEVEL msg" as keep_log writes it (static buffer). */
static const char *log_line(int level, const char *msg)
{
  static char buf[256];

  snprintf(buf, sizeof(buf), "%d %s\n", level, msg);
  return buf;
}

static void test_escalation(void **state)
{
  char log[1024] = "";
  pe_env e;
  int64_t cust, id, t1, t2, t3;
  crm_sla_info s;
  crm_case k;
  struct steps g;
  crm_case_op op;

  (void)state;
  pe_open(&e, conf_sla);
  crm_set_log(e.c, keep_log, log, CRM_LOG_DEBUG);
  cust = t_add_customer(e.c, "ana");
  id = open_at(e.c, cust, "delivery", 2, paris(2026, 11, 23, 9, 0));
  memset(&op, 0, sizeof(op));
  op.actor = "lea";
  assert_int_equal(crm_case_assign(e.c, id, "ana", NULL, &op), CRM_OK);
  /* Mon 10:00: ana answers; first response met in 1h of 4h */
  reply_at(e.c, id, CRM_CASE_MSG_AGENT, paris(2026, 11, 23, 10, 0));
  /* resolution 16h from Mon 09:00: level 1 at 8h = Mon 18:00 (the end of
   * the day's last interval), warning at 12h = Tue 14:00, breach and
   * level 2 at 16h = Tue 18:00; first response rows gone (met) */
  assert_int_equal(n_due(e.c, id), 4);
  assert_int_equal(due_of(e.c, id, "escalation", "resolution", 1),
                   paris(2026, 11, 23, 18, 0));
  assert_int_equal(due_of(e.c, id, "warning", "resolution", 0),
                   paris(2026, 11, 24, 14, 0));
  assert_int_equal(due_of(e.c, id, "breach", "resolution", 0),
                   paris(2026, 11, 24, 18, 0));
  /* nothing is due at Mon 17:59 */
  assert_stats(run_at(e.c, paris(2026, 11, 23, 17, 59)), 0, 0, 0, 0);
  /* Tue 12:00: level 1 (notify the owner) */
  t1 = paris(2026, 11, 24, 12, 0);
  assert_stats(run_at(e.c, t1), 0, 0, 1, 0);
  assert_stats(run_at(e.c, t1), 0, 0, 0, 0); /* once */
  /* notify: the step and a warning in the log */
  assert_non_null(strstr(log, log_line(CRM_LOG_WARN, "case C-000001: "
                                           "resolution escalation level 1: "
                                           "notify owner ana")));
  /* Tue 14:30: the warning */
  t2 = paris(2026, 11, 24, 14, 30);
  assert_stats(run_at(e.c, t2), 1, 0, 0, 0);
  s = sla_at(e.c, id, t2);
  assert_int_equal(s.resolution.warned_at, paris(2026, 11, 24, 14, 0));
  assert_int_equal(s.resolution.warn_at, 0);
  /* Wed 10:00: the breach, then level 2 (same instant, breach first):
   * reassigned to the lead maria, priority 2 -> 1 */
  t3 = paris(2026, 11, 25, 10, 0);
  assert_stats(run_at(e.c, t3), 0, 1, 1, 0);
  assert_stats(run_at(e.c, t3), 0, 0, 0, 0);
  assert_int_equal(crm_case_get(e.c, id, &k), CRM_OK);
  assert_string_equal(k.owner, "maria");
  assert_int_equal(k.priority, 1);
  /* targets re-taken from the priority 1 rule */
  s = sla_at(e.c, id, t3);
  assert_string_equal(s.policy, "*/1");
  assert_int_equal(s.resolution.target, 8 * H);
  /* used kept: Mon 8h + Tue 8h + Wed 09:00-10:00 = 17h */
  assert_int_equal(s.resolution.used, 17 * H);
  assert_string_equal(s.resolution.status, "breached");
  assert_int_equal(s.resolution.breached_at, paris(2026, 11, 24, 18, 0));
  assert_string_equal(s.first_response.status, "met");
  assert_int_equal(s.first_response.met_at, paris(2026, 11, 23, 10, 0));
  /* everything that could happen did: no rows left */
  assert_int_equal(n_due(e.c, id), 0);
  steps_of(e.c, id, &g);
  assert_int_equal(g.n, 5);
  assert_string_equal(g.kind[0], "met");
  assert_string_equal(g.clock[0], "first_response");
  assert_string_equal(g.detail[0], "met in 1h of 4h");
  assert_int_equal(g.due_at[0], paris(2026, 11, 23, 14, 0));
  assert_int_equal(g.at[0], paris(2026, 11, 23, 10, 0));
  assert_string_equal(g.kind[1], "escalation");
  assert_int_equal(g.level[1], 1);
  assert_string_equal(g.action[1], "notify owner ana");
  assert_string_equal(g.detail[1], "50% of the target, 8h of 16h used");
  assert_int_equal(g.due_at[1], paris(2026, 11, 23, 18, 0));
  assert_int_equal(g.at[1], t1);
  assert_string_equal(g.kind[2], "warning");
  assert_string_equal(g.detail[2], "12h of 16h used");
  assert_int_equal(g.at[2], t2);
  assert_string_equal(g.kind[3], "breach");
  assert_string_equal(g.detail[3], "target 16h exceeded");
  assert_string_equal(g.kind[4], "escalation");
  assert_int_equal(g.level[4], 2);
  assert_string_equal(g.action[4], "reassign to lead maria");
  assert_int_equal(g.due_at[4], paris(2026, 11, 24, 18, 0));
  assert_int_equal(g.at[4], t3);
  /* the history: assign and priority by "sla", escalate and sla lines */
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM case_history WHERE"
                         " case_id = ?1 AND action = 'assign' AND actor ="
                         " 'sla' AND detail = 'owner ana -> maria'", id), 1);
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM case_history WHERE"
                         " case_id = ?1 AND action = 'priority' AND actor ="
                         " 'sla' AND detail = 'priority 2 -> 1'", id), 1);
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM case_history WHERE"
                         " case_id = ?1 AND action = 'escalate'", id), 2);
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM case_history WHERE"
                         " case_id = ?1 AND action = 'sla'", id), 3);
  pe_close(&e);
}

/* ---- met clocks, the automatic close, a reopen -------------------------- */

static void test_met_and_close(void **state)
{
  pe_env e;
  int64_t cust, id, t_res;
  crm_sla_info s;
  crm_case k;
  crm_case_resolution res;
  struct steps g;

  (void)state;
  pe_open(&e, conf_sla);
  cust = t_add_customer(e.c, "ana");
  id = open_at(e.c, cust, "delivery", 2, paris(2026, 11, 23, 9, 0));
  reply_at(e.c, id, CRM_CASE_MSG_AGENT, paris(2026, 11, 23, 10, 0));
  /* resolved Mon 11:00: resolution met in 2h of 16h */
  t_res = paris(2026, 11, 23, 11, 0);
  memset(&res, 0, sizeof(res));
  res.op.actor = "ana";
  res.op.why = "parcel found and delivered";
  res.op.at = t_res;
  crm_set_now(e.c, t_res);
  assert_int_equal(crm_case_resolve(e.c, id, &res), CRM_OK);
  s = sla_at(e.c, id, paris(2026, 11, 27, 12, 0));
  assert_string_equal(s.first_response.status, "met");
  assert_string_equal(s.resolution.status, "met");
  assert_int_equal(s.resolution.used, 2 * H);
  assert_int_equal(s.resolution.due_at, 0);
  /* only the automatic close is left: 7 days after 10:00Z */
  assert_int_equal(n_due(e.c, id), 1);
  assert_int_equal(due_of(e.c, id, "auto_close", "", 0), t_res + 7 * T_DAY);
  /* nothing of the SLA happens any more */
  assert_stats(run_at(e.c, t_res + 7 * T_DAY - 1), 0, 0, 0, 0);
  steps_of(e.c, id, &g);
  assert_int_equal(g.n, 2);
  assert_string_equal(g.detail[1], "met in 2h of 16h");
  /* a week later: closed by "sla" */
  assert_stats(run_at(e.c, t_res + 7 * T_DAY), 0, 0, 0, 1);
  assert_stats(run_at(e.c, t_res + 8 * T_DAY), 0, 0, 0, 0);
  assert_int_equal(crm_case_get(e.c, id, &k), CRM_OK);
  assert_string_equal(k.state, CRM_CASE_CLOSED);
  assert_int_equal(k.closed_at, t_res + 7 * T_DAY);
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM case_history WHERE"
                         " case_id = ?1 AND action = 'move' AND actor ="
                         " 'sla' AND to_state = 'Closed'", id), 1);
  steps_of(e.c, id, &g);
  assert_int_equal(g.n, 3);
  assert_string_equal(g.kind[2], "auto_close");
  assert_int_equal(g.due_at[2], t_res + 7 * T_DAY);
  assert_int_equal(n_due(e.c, id), 0);
  pe_close(&e);
}

static void test_reopen(void **state)
{
  pe_env e;
  int64_t cust, id;
  crm_sla_info s;
  crm_case_resolution res;

  (void)state;
  pe_open(&e, conf_sla);
  cust = t_add_customer(e.c, "ana");
  id = open_at(e.c, cust, "delivery", 2, paris(2026, 11, 23, 9, 0));
  /* resolved Mon 11:00 after 2h */
  memset(&res, 0, sizeof(res));
  res.op.why = "refund sent";
  res.op.at = paris(2026, 11, 23, 11, 0);
  crm_set_now(e.c, res.op.at);
  assert_int_equal(crm_case_resolve(e.c, id, &res), CRM_OK);
  /* Tue 09:00 the customer writes back (within 7 days): reopened, the
   * resolution clock goes on from 2h: 14h left from Tue 09:00 = Tue 8h,
   * Wed 09:00-12:30 3.5h, 13:30 + 2.5h = Wed 25 16:00 */
  reply_at(e.c, id, CRM_CASE_MSG_CUSTOMER, paris(2026, 11, 24, 9, 0));
  s = sla_at(e.c, id, paris(2026, 11, 24, 9, 0));
  assert_string_equal(s.resolution.status, "running");
  assert_int_equal(s.resolution.used, 2 * H);
  assert_int_equal(s.resolution.met_at, 0);
  assert_int_equal(s.resolution.due_at, paris(2026, 11, 25, 16, 0));
  /* first response stays met (the resolution met it); no auto close */
  assert_string_equal(s.first_response.status, "met");
  assert_int_equal(due_of(e.c, id, "auto_close", "", 0), -1);
  pe_close(&e);
}

/* ---- no policy, a rejection --------------------------------------------- */

static void test_no_policy(void **state)
{
  pe_env e;
  int64_t cust, id;
  crm_sla_info s;

  (void)state;
  pe_open(&e, conf_sla);
  cust = t_add_customer(e.c, "ana");
  /* priority 4 has no rule (no "*"/any either) */
  id = open_at(e.c, cust, "delivery", 4, paris(2026, 11, 23, 9, 0));
  assert_int_equal(crm_sla_get(e.c, id, &s), CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(e.c), "case C-000001 has no SLA: no policy"
                      " of complaints.sla matches category \"delivery\", "
                      "priority 4, or no team is configured");
  assert_int_equal(n_due(e.c, id), 0);
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM case_sla WHERE"
                         " case_id = ?1", id), 0);
  assert_int_equal(crm_sla_get(e.c, 99, &s), CRM_ENOTFOUND);
  pe_close(&e);
}

static void test_reject_stops(void **state)
{
  pe_env e;
  int64_t cust, id;
  crm_sla_info s;
  crm_case_op op;

  (void)state;
  pe_open(&e, conf_sla);
  cust = t_add_customer(e.c, "ana");
  id = open_at(e.c, cust, "delivery", 2, paris(2026, 11, 23, 9, 0));
  memset(&op, 0, sizeof(op));
  op.why = "not our parcel";
  op.at = paris(2026, 11, 23, 12, 0);
  crm_set_now(e.c, op.at);
  assert_int_equal(crm_case_reject(e.c, id, &op), CRM_OK);
  /* rejected after 3h: the first response is met by the rejection, the
   * resolution clock stops; no rows */
  s = sla_at(e.c, id, paris(2026, 11, 30, 12, 0));
  assert_string_equal(s.first_response.status, "met");
  assert_string_equal(s.resolution.status, "stopped");
  assert_int_equal(s.resolution.used, 3 * H);
  assert_int_equal(s.resolution.running, 0);
  assert_int_equal(n_due(e.c, id), 0);
  assert_stats(run_at(e.c, paris(2026, 12, 31, 12, 0)), 0, 0, 0, 0);
  pe_close(&e);
}

/* ---- a team change, a team gone ----------------------------------------- */

static void test_team_change(void **state)
{
  pe_env e;
  int64_t cust, id;
  crm_sla_info s;
  crm_case_op op;

  (void)state;
  pe_open(&e, conf_sla);
  cust = t_add_customer(e.c, "ana");
  id = open_at(e.c, cust, "delivery", 2, paris(2026, 11, 23, 9, 0));
  s = sla_at(e.c, id, paris(2026, 11, 23, 9, 0));
  assert_string_equal(s.team, "care"); /* the first team */
  /* Mon 11:00 Paris (2h used on care's calendar): to the night team */
  memset(&op, 0, sizeof(op));
  op.actor = "lea";
  op.at = paris(2026, 11, 23, 11, 0);
  crm_set_now(e.c, op.at);
  assert_int_equal(crm_case_assign(e.c, id, "ben", "night", &op), CRM_OK);
  s = sla_at(e.c, id, paris(2026, 11, 23, 11, 0));
  assert_string_equal(s.team, "night");
  assert_string_equal(s.timezone, "UTC");
  assert_int_equal(s.first_response.used, 2 * H);
  /* 2h left around the clock: 11:00 + 2h = 13:00 Paris */
  assert_int_equal(s.first_response.due_at, paris(2026, 11, 23, 13, 0));
  /* 14h left: 11:00 Paris + 14h = Tue 01:00 Paris */
  assert_int_equal(s.resolution.due_at, paris(2026, 11, 24, 1, 0));
  /* Mon 14:00 Paris: 2h + 3h = 5h (the lunch break counts now) */
  s = sla_at(e.c, id, paris(2026, 11, 23, 14, 0));
  assert_int_equal(s.resolution.used, 5 * H);
  pe_close(&e);
}

static void test_team_gone(void **state)
{
  pe_env e;
  int64_t cust, id;
  char log[1024] = "";

  (void)state;
  pe_open(&e, conf_sla);
  cust = t_add_customer(e.c, "ana");
  id = open_at(e.c, cust, "delivery", 2, paris(2026, 11, 23, 9, 0));
  assert_int_equal(n_due(e.c, id), 6);
  /* the admin removes the teams */
  t_write_file(e.conf, "plugins = { load = ( { name = \"basic_case\"; } );"
               " };\n");
  if(crm_reload_config(e.c))
    fail_msg("crm_reload_config: %s", crm_errmsg(e.c));
  crm_set_log(e.c, keep_log, log, CRM_LOG_DEBUG);
  /* Mon 12:00 Paris: the first-response warning (Mon 12:00) is due; it
   * cannot be applied, it is dropped and logged; nothing counted */
  assert_stats(run_at(e.c, paris(2026, 11, 23, 12, 0)), 0, 0, 0, 0);
  assert_int_equal(n_due(e.c, id), 5);
  assert_non_null(strstr(log, "case C-000001: first response warning "
                              "dropped: team \"care\" is not configured "
                              "(complaints.teams)"));
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM case_steps WHERE"
                         " case_id = ?1", id), 0);
  pe_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_due_holiday),
    cmocka_unit_test(test_pause_resume),
    cmocka_unit_test(test_escalation),
    cmocka_unit_test(test_met_and_close),
    cmocka_unit_test(test_reopen),
    cmocka_unit_test(test_team_change),
    cmocka_unit_test(test_team_gone),
    cmocka_unit_test(test_no_policy),
    cmocka_unit_test(test_reject_stops),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
