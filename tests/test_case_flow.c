/*
 * test_case_flow.c - the paths that open or move cases, checked for
 * consistency with basic_case and a 24/7 UTC team on a fixed clock:
 * cases opened from imported history start no SLA clock, an agent's
 * answer moves New/Assigned to In progress (unless the handler refuses),
 * assigning a Waiting case keeps it waiting and paused, a merge stops the
 * duplicate's clocks, a follow-up keeps the owner, and two handles
 * answering the same case at once.
 */
#include <pthread.h>

#include "case_test.h"

#define T0 PE_NOW
#define HOUR INT64_C(3600)
#define DAY INT64_C(86400)

/* One 24/7 team in UTC (business time = wall time), every case 4h to the
 * first response and 8h to the resolution. */
static const char conf_sla[] =
  "plugins = { load = ( { name = \"basic_case\"; } ); };\n"
  "complaints = {\n"
  "  teams = ( { name = \"night\"; hours = { weekdays = \"00:00-24:00\";"
  " sat = \"00:00-24:00\"; sun = \"00:00-24:00\"; }; },\n"
  "    { name = \"day\"; hours = { weekdays = \"00:00-24:00\";"
  " sat = \"00:00-24:00\"; sun = \"00:00-24:00\"; }; } );\n"
  "  sla = ( { category = \"*\"; priority = 0; first_response = \"4h\";"
  " resolution = \"8h\"; } );\n"
  "};\n";

static int64_t q_int(crm *c, const char *sql, int64_t arg)
{
  return ct_int(c, sql, arg);
}

static int64_t n_clocks(crm *c, int64_t id)
{
  return q_int(c, "SELECT count(*) FROM case_sla WHERE case_id = ?1", id);
}

static int64_t n_due(crm *c, int64_t id)
{
  return q_int(c, "SELECT count(*) FROM case_due WHERE case_id = ?1", id);
}

#define MET_1H "sla|-|New|sla|-|met first response: met in 1h of 4h"

static void answer(crm *c, int64_t id, const char *text, uint32_t flags,
                   int64_t at)
{
  crm_case_op op = ct_op("ana", NULL, at);

  if(crm_case_reply(c, id, CRM_CASE_MSG_AGENT, text,
                    flags | CRM_CASE_REPLY_RECORD, &op, NULL, NULL))
    fail_msg("crm_case_reply: %s", crm_errmsg(c));
}

/* A complaint event 72 h old is imported history: no clock, no due row,
 * the team still by routing (the first team), and crm_sla_run breaches
 * nothing of it. 47 h old and exactly 48 h old: live, both clocks. */
static void test_import_starts_no_clock(void **state)
{
  pe_env e;
  crm_sla_run_stats st;
  crm_sla_info info;
  ct_lines h;
  int64_t cust, old, live, edge;

  (void)state;
  pe_open(&e, conf_sla);
  cust = t_add_customer(e.c, "a");
  pe_event(e.c, cust, "complaint", T0 - 72 * HOUR, 0, NULL,
           "{\"summary\":\"parcel late\"}", "k-old");
  pe_event(e.c, cust, "complaint", T0 - 47 * HOUR, 0, NULL,
           "{\"summary\":\"parcel late again\"}", "k-live");
  pe_event(e.c, cust, "complaint", T0 - 48 * HOUR, 0, NULL,
           "{\"summary\":\"parcel late at the edge\"}", "k-edge");
  old = 1;
  live = 2;
  edge = 3;
  assert_int_equal(ct_get(e.c, old).opened_at, T0 - 72 * HOUR);
  assert_int_equal(n_clocks(e.c, old), 0);
  assert_int_equal(n_due(e.c, old), 0);
  assert_string_equal(ct_get(e.c, old).team, "night");
  ct_history(e.c, old, &h);
  assert_int_equal(h.n, 1);
  assert_string_equal(h.line[0], "open|-|New|api|opened from event|handler "
                      "basic_case, state New, category delivery, priority 2;"
                      " opened from history: no SLA clock");
  assert_int_equal(crm_sla_get(e.c, old, &info), CRM_ENOTFOUND);
  assert_int_equal(n_clocks(e.c, live), 2);
  assert_int_equal(n_clocks(e.c, edge), 2);
  /* first response due 4h after the opening (24/7): T0 - 43h */
  assert_int_equal(q_int(e.c, "SELECT due_at FROM case_sla WHERE case_id ="
                         " ?1 AND clock = 'first_response'", live),
                   T0 - 43 * HOUR);
  ct_history(e.c, live, &h);
  assert_null(strstr(h.line[0], "history"));
  /* now: live and edge breach both clocks (4 breaches), old nothing */
  memset(&st, 0, sizeof(st));
  assert_int_equal(crm_sla_run(e.c, 0, &st), CRM_OK);
  assert_int_equal(st.breaches, 4);
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM case_steps WHERE"
                         " case_id = ?1", old), 0);
  assert_string_equal(ct_get(e.c, old).state, "New");
  pe_close(&e);
}

/* An agent's answer on a New or an Assigned case: In progress, logged as
 * a move by the agent. With WAIT: straight to Waiting on customer. */
static void test_answer_starts_work(void **state)
{
  pe_env e;
  ct_lines h;
  int64_t cust, a, b, w;

  (void)state;
  pe_open(&e, conf_sla);
  cust = t_add_customer(e.c, "a");
  a = ct_case(e.c, cust, "parcel late", NULL);
  b = ct_case(e.c, cust, "screen broken", NULL);
  w = ct_case(e.c, cust, "wrong size", NULL);
  assert_int_equal(crm_case_assign(e.c, b, "ben", NULL, NULL), CRM_OK);
  answer(e.c, a, "on it", 0, T0 + HOUR);
  answer(e.c, b, "on it", 0, T0 + HOUR);
  answer(e.c, w, "which size?", CRM_CASE_REPLY_WAIT, T0 + HOUR);
  assert_string_equal(ct_get(e.c, a).state, "In progress");
  assert_string_equal(ct_get(e.c, b).state, "In progress");
  assert_string_equal(ct_get(e.c, w).state, "Waiting on customer");
  /* open, the first response met (1h of 4h), the move */
  ct_history(e.c, a, &h);
  assert_int_equal(h.n, 3);
  assert_string_equal(h.line[1], MET_1H);
  assert_string_equal(h.line[2], "move|New|In progress|ana|-|-");
  assert_int_equal(h.at[2], T0 + HOUR);
  ct_history(e.c, b, &h);
  assert_int_equal(h.n, 5); /* open, assign, move to Assigned, met, this */
  assert_string_equal(h.line[4], "move|Assigned|In progress|ana|-|-");
  ct_history(e.c, w, &h);
  assert_int_equal(h.n, 3);
  assert_string_equal(h.line[2], "move|New|Waiting on customer|ana|-|-");
  /* the first response is met (4h clock, met after 1h): only the
   * resolution clock keeps due rows (warning + breach) */
  assert_int_equal(ct_get(e.c, a).first_response_at, T0 + HOUR);
  assert_int_equal(n_due(e.c, a), 2);
  pe_close(&e);
}

/* A handler that refuses New -> In progress: the answer is kept, the case
 * stays New, nothing half-done. */
static int (*real_transition)(void *, crm_host_ctx *, const crm_case_view *,
                              const char *, crm_case_decision *);

static int refuse_progress(void *st, crm_host_ctx *ctx,
                           const crm_case_view *v, const char *to,
                           crm_case_decision *out)
{
  if(!strcmp(to, CRM_CASE_IN_PROGRESS))
    return CRM_ESTATE;
  return real_transition(st, ctx, v, to, out);
}

static void test_answer_handler_refuses(void **state)
{
  pe_env e;
  crm__component *comp;
  ct_lines h;
  int64_t cust, id;

  (void)state;
  pe_open(&e, conf_sla);
  comp = crm__component_find(e.c, CRM_KIND_COMPLAINT, "basic_case");
  assert_non_null(comp);
  real_transition = comp->vt.complaint.transition;
  comp->vt.complaint.transition = refuse_progress;
  cust = t_add_customer(e.c, "a");
  id = ct_case(e.c, cust, "parcel late", NULL);
  answer(e.c, id, "on it", 0, T0 + HOUR);
  assert_string_equal(ct_get(e.c, id).state, "New");
  assert_int_equal(ct_get(e.c, id).first_response_at, T0 + HOUR);
  assert_int_equal(ct_get(e.c, id).updated_at, T0 + HOUR);
  ct_history(e.c, id, &h);
  assert_int_equal(h.n, 2); /* open, first response met: no move */
  assert_string_equal(h.line[1], MET_1H);
  ct_messages(e.c, id, &h);
  assert_int_equal(h.n, 1);
  assert_int_equal(n_due(e.c, id), 2); /* resolution warning + breach */
  comp->vt.complaint.transition = real_transition;
  pe_close(&e);
}

/* Assigning a case that waits on the customer: owner and team change, it
 * keeps waiting, its clocks stay paused (no due row). */
static void test_assign_waiting(void **state)
{
  pe_env e;
  crm_case_op op = ct_op("maria", "ana is away", T0 + 2 * HOUR);
  ct_lines h;
  int64_t cust, id;

  (void)state;
  pe_open(&e, conf_sla);
  cust = t_add_customer(e.c, "a");
  id = ct_case(e.c, cust, "parcel late", NULL);
  answer(e.c, id, "tracking number?", CRM_CASE_REPLY_WAIT, T0 + HOUR);
  assert_int_equal(n_due(e.c, id), 0);
  assert_int_equal(crm_case_assign(e.c, id, "ben", "day", &op), CRM_OK);
  assert_string_equal(ct_get(e.c, id).state, "Waiting on customer");
  assert_string_equal(ct_get(e.c, id).owner, "ben");
  assert_string_equal(ct_get(e.c, id).team, "day");
  assert_int_equal(n_due(e.c, id), 0);
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM case_sla WHERE case_id"
                         " = ?1 AND running = 1", id), 0);
  ct_history(e.c, id, &h);
  assert_int_equal(h.n, 4); /* open, met, move, assign */
  assert_string_equal(h.line[3], "assign|-|Waiting on customer|maria|ana is "
                      "away|owner ben; team night -> day");
  pe_close(&e);
}

/* Merging a case whose clocks run: the duplicate's clocks stop and its
 * due rows go, so crm_sla_run never breaches it; the target keeps its. */
static void test_merge_stops_clocks(void **state)
{
  pe_env e;
  crm_case_op op = ct_op("ana", "same parcel", T0 + HOUR);
  crm_sla_run_stats st;
  int64_t cust, dup, into;

  (void)state;
  pe_open(&e, conf_sla);
  cust = t_add_customer(e.c, "a");
  dup = ct_case(e.c, cust, "parcel late", NULL);
  into = ct_case(e.c, cust, "parcel late 2", NULL);
  assert_int_equal(n_due(e.c, dup), 4); /* 2 clocks x (warning, breach) */
  assert_int_equal(crm_case_merge(e.c, dup, into, &op), CRM_OK);
  assert_int_equal(n_due(e.c, dup), 0);
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM case_sla WHERE case_id"
                         " = ?1 AND running = 1", dup), 0);
  assert_int_equal(n_due(e.c, into), 4);
  memset(&st, 0, sizeof(st));
  assert_int_equal(crm_sla_run(e.c, T0 + DAY, &st), CRM_OK);
  assert_int_equal(st.breaches, 2); /* into's two clocks only */
  assert_int_equal(q_int(e.c, "SELECT count(*) FROM case_steps WHERE"
                         " case_id = ?1", dup), 0);
  pe_close(&e);
}

/* A customer writing after the case was closed: the follow-up keeps the
 * owner and team (Assigned), so the same agent sees it. */
static void test_follow_up_keeps_owner(void **state)
{
  pe_env e;
  crm_case_op op = ct_op("ana", NULL, T0 + HOUR);
  crm_case_resolution res;
  crm_case k;
  ct_lines h;
  int64_t cust, id, landed = 0;

  (void)state;
  pe_open(&e, conf_sla);
  cust = t_add_customer(e.c, "a");
  id = ct_case(e.c, cust, "parcel late", NULL);
  assert_int_equal(crm_case_assign(e.c, id, "ana", "day", &op), CRM_OK);
  memset(&res, 0, sizeof(res));
  res.op = ct_op("ana", "reshipped", T0 + 2 * HOUR);
  assert_int_equal(crm_case_resolve(e.c, id, &res), CRM_OK);
  op.at = T0 + 3 * HOUR;
  assert_int_equal(crm_case_close(e.c, id, &op), CRM_OK);
  op = ct_op("ann", NULL, T0 + 4 * HOUR);
  assert_int_equal(crm_case_reply(e.c, id, CRM_CASE_MSG_CUSTOMER,
                                  "it broke again", 0, &op, &landed, NULL),
                   CRM_OK);
  assert_int_equal(landed, id + 1);
  k = ct_get(e.c, landed);
  assert_string_equal(k.owner, "ana");
  assert_string_equal(k.team, "day");
  assert_string_equal(k.state, "Assigned");
  assert_int_equal(n_clocks(e.c, landed), 2);
  ct_history(e.c, landed, &h);
  assert_int_equal(h.n, 4);
  assert_string_equal(h.line[1], "follow_up|-|New|ann|-|follows case "
                      "C-000001");
  assert_string_equal(h.line[2], "assign|-|New|ann|owner of case C-000001|"
                      "owner ana; team night -> day");
  assert_string_equal(h.line[3], "move|New|Assigned|ann|owner of case "
                      "C-000001|-");
  pe_close(&e);
}

/* Two handles on one store answer the same case at once: every answer
 * lands (BEGIN IMMEDIATE + busy timeout, the row read inside the
 * transaction), one first response, one move. */
#define N_ANSWERS 25

struct answerer {
  crm *c;
  int64_t id;
  int failed;
};

static void *answer_loop(void *ud)
{
  struct answerer *a = ud;
  crm_case_op op = ct_op("ana", NULL, T0 + HOUR);
  int i;

  for(i = 0; i < N_ANSWERS; i++) {
    if(crm_case_reply(a->c, a->id, CRM_CASE_MSG_AGENT, "still on it",
                      CRM_CASE_REPLY_RECORD, &op, NULL, NULL))
      a->failed++;
  }
  return NULL;
}

static crm *open_file(pe_env *e)
{
  crm *c = NULL;

  if(crm_open(&c, pe_path(e, "crm.db"), CRM_OPEN_CREATE))
    fail_msg("crm_open: %s", crm_errmsg(c));
  crm_set_now(c, T0);
  if(crm_load_config(c, e->conf, CRM_TEST_PLUGIN_DIR))
    fail_msg("crm_load_config: %s", crm_errmsg(c));
  return c;
}

static void test_two_handles_answer(void **state)
{
  pe_env e;
  struct answerer a[2];
  pthread_t th[2];
  ct_lines h;
  int64_t cust, id;
  int i;

  (void)state;
  pe_open(&e, conf_sla);
  a[0].c = open_file(&e);
  a[1].c = open_file(&e);
  cust = t_add_customer(a[0].c, "a");
  id = ct_case(a[0].c, cust, "parcel late", NULL);
  for(i = 0; i < 2; i++) {
    a[i].id = id;
    a[i].failed = 0;
    assert_int_equal(pthread_create(&th[i], NULL, answer_loop, &a[i]), 0);
  }
  for(i = 0; i < 2; i++)
    assert_int_equal(pthread_join(th[i], NULL), 0);
  assert_int_equal(a[0].failed, 0);
  assert_int_equal(a[1].failed, 0);
  assert_int_equal(q_int(a[1].c, "SELECT count(*) FROM case_messages WHERE"
                         " case_id = ?1", id), 2 * N_ANSWERS);
  assert_int_equal(ct_get(a[1].c, id).first_response_at, T0 + HOUR);
  ct_history(a[1].c, id, &h);
  assert_int_equal(h.n, 3); /* open, met, New -> In progress once */
  assert_string_equal(h.line[1], MET_1H);
  assert_string_equal(h.line[2], "move|New|In progress|ana|-|-");
  assert_int_equal(q_int(a[1].c, "SELECT count(*) FROM case_steps WHERE"
                         " case_id = ?1 AND kind = 'met'", id), 1);
  crm_close(a[0].c);
  crm_close(a[1].c);
  pe_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_import_starts_no_clock),
    cmocka_unit_test(test_answer_starts_work),
    cmocka_unit_test(test_answer_handler_refuses),
    cmocka_unit_test(test_assign_waiting),
    cmocka_unit_test(test_merge_stops_clocks),
    cmocka_unit_test(test_follow_up_keeps_owner),
    cmocka_unit_test(test_two_handles_answer),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
