/* test_lifecycle.c - every stage transition, driven by events and by the
 * silence rules; defaults: repeat 2, loyal 5 purchase days in 365 days,
 * at risk after max(60 days, 2 x usual gap), lost after 365 days, parked
 * after 12 contacts. */
#include "crm_test.h"
#include "crm_int.h"

#define T0 T_EPOCH2000
#define NOW (T0 + 3000 * T_DAY)

struct trans {
  int n;
  crm_transition t[32];
  char cause[32][160];
};

static int collect(void *ud, const crm_transition *t)
{
  struct trans *tr = ud;

  if(tr->n < 32) {
    tr->t[tr->n] = *t;
    snprintf(tr->cause[tr->n], sizeof(tr->cause[0]), "%s", t->cause);
    tr->n++;
  }
  return 0;
}

static struct trans *transitions(crm *c, int64_t id, struct trans *tr)
{
  memset(tr, 0, sizeof(*tr));
  assert_int_equal(crm_transitions_foreach(c, id, collect, tr), CRM_OK);
  return tr;
}

static void buy(crm *c, int64_t id, int64_t at, const char *key)
{
  t_event(c, id, "purchase", at, 1000, NULL, key);
}

static void test_lifecycle_created_as_prospect(void **state)
{
  crm *c = t_open_mem(NOW);
  int64_t id = t_add_customer(c, "p");
  struct trans tr;

  (void)state;
  transitions(c, id, &tr);
  assert_int_equal(tr.n, 1);
  assert_int_equal(tr.t[0].from_stage, CRM_STAGE_NONE);
  assert_int_equal(tr.t[0].to_stage, CRM_STAGE_PROSPECT);
  assert_string_equal(tr.cause[0], "customer created");
  assert_int_equal(tr.t[0].at, NOW);
  crm_close(c);
}

static void test_lifecycle_qualified_needs_all_of_man(void **state)
{
  crm *c = t_open_mem(NOW);
  int64_t id = t_add_customer(c, "p");
  crm_ingest_result r;
  struct trans tr;

  (void)state;
  t_event(c, id, "qualify", T0, 0, "{\"money\":true,\"authority\":true}",
          "q1");
  assert_int_equal(t_stage(c, id), CRM_STAGE_PROSPECT); /* need unknown */
  r = t_event(c, id, "qualify", T0 + T_DAY, 0, "{\"need\":true}", "q2");
  assert_int_equal(r.stage_after, CRM_STAGE_QUALIFIED);
  transitions(c, id, &tr);
  assert_int_equal(tr.t[tr.n - 1].cause_event_id, r.event_id);
  assert_non_null(strstr(tr.cause[tr.n - 1], "money 1, authority 1, need 1"));
  /* Need turns out false: back to prospect. */
  r = t_event(c, id, "qualify", T0 + 2 * T_DAY, 0, "{\"need\":false}", "q3");
  assert_int_equal(r.stage_after, CRM_STAGE_PROSPECT);
  crm_close(c);
}

static void test_lifecycle_parked_after_12_contacts(void **state)
{
  crm *c = t_open_mem(NOW);
  int64_t id = t_add_customer(c, "p");
  char key[16];
  int i;

  (void)state;
  for(i = 1; i <= 11; i++) {
    snprintf(key, sizeof(key), "c%d", i);
    t_event(c, id, "contact", T0 + i * T_DAY, 0, NULL, key);
  }
  assert_int_equal(t_stage(c, id), CRM_STAGE_PROSPECT);
  t_event(c, id, "contact", T0 + 12 * T_DAY, 0, NULL, "c12");
  assert_int_equal(t_stage(c, id), CRM_STAGE_PARKED);
  /* A parked prospect that buys becomes a customer. */
  buy(c, id, T0 + 20 * T_DAY, "b1");
  assert_int_equal(t_stage(c, id), CRM_STAGE_FIRST_PURCHASE);
  crm_close(c);
}

static void test_lifecycle_first_repeat_loyal(void **state)
{
  crm *c = t_open_mem(NOW);
  int64_t id = t_add_customer(c, "b");
  struct trans tr;

  (void)state;
  buy(c, id, T0, "b1");
  assert_int_equal(t_stage(c, id), CRM_STAGE_FIRST_PURCHASE);
  buy(c, id, T0 + 3600, "b1b"); /* same day: still one purchase day */
  assert_int_equal(t_stage(c, id), CRM_STAGE_FIRST_PURCHASE);
  buy(c, id, T0 + 10 * T_DAY, "b2");
  assert_int_equal(t_stage(c, id), CRM_STAGE_REPEAT);
  buy(c, id, T0 + 20 * T_DAY, "b3");
  buy(c, id, T0 + 30 * T_DAY, "b4");
  assert_int_equal(t_stage(c, id), CRM_STAGE_REPEAT);
  buy(c, id, T0 + 40 * T_DAY, "b5");
  assert_int_equal(t_stage(c, id), CRM_STAGE_LOYAL);
  transitions(c, id, &tr);
  /* created, first, repeat, loyal: nothing recorded for no change. */
  assert_int_equal(tr.n, 4);
  assert_int_equal(tr.t[3].from_stage, CRM_STAGE_REPEAT);
  assert_int_equal(tr.t[3].at, T0 + 40 * T_DAY);
  assert_non_null(strstr(tr.cause[3], "5 purchase days in 365 days"));
  crm_close(c);
}

static void test_lifecycle_at_risk_uses_own_gap_and_floor(void **state)
{
  crm *c = t_open_mem(NOW);
  int64_t fast = t_add_customer(c, "fast");
  int64_t slow = t_add_customer(c, "slow");
  int64_t last = T0 + 20 * T_DAY;
  size_t n = 0;
  struct trans tr;

  (void)state;
  /* fast: gap 10 days, 2 x 10 < floor 60 -> at risk after 60 days. */
  buy(c, fast, T0, "f1");
  buy(c, fast, T0 + 10 * T_DAY, "f2");
  buy(c, fast, last, "f3");
  /* slow: gap 50 days -> at risk after 100 days. */
  buy(c, slow, T0 - 80 * T_DAY, "s1");
  buy(c, slow, T0 - 30 * T_DAY, "s2");
  buy(c, slow, last, "s3");
  assert_int_equal(crm_lifecycle_advance(c, last + 59 * T_DAY, &n), CRM_OK);
  assert_int_equal(n, 0);
  assert_int_equal(t_stage(c, fast), CRM_STAGE_REPEAT);
  assert_int_equal(crm_lifecycle_advance(c, last + 61 * T_DAY, &n), CRM_OK);
  assert_int_equal(n, 1);
  assert_int_equal(t_stage(c, fast), CRM_STAGE_AT_RISK);
  assert_int_equal(t_stage(c, slow), CRM_STAGE_REPEAT);
  transitions(c, fast, &tr);
  /* Recorded at the moment the rule fell due, not when it was run. */
  assert_int_equal(tr.t[tr.n - 1].at, last + 60 * T_DAY);
  assert_int_equal(tr.t[tr.n - 1].cause_event_id, 0);
  assert_non_null(strstr(tr.cause[tr.n - 1], "rule at_risk"));
  assert_non_null(strstr(tr.cause[tr.n - 1], "usual gap 10 days"));
  assert_int_equal(crm_lifecycle_advance(c, last + 101 * T_DAY, &n), CRM_OK);
  assert_int_equal(n, 1);
  assert_int_equal(t_stage(c, slow), CRM_STAGE_AT_RISK);
  transitions(c, slow, &tr);
  assert_int_equal(tr.t[tr.n - 1].at, last + 100 * T_DAY);
  /* Lost after 365 days of silence. */
  assert_int_equal(crm_lifecycle_advance(c, last + 366 * T_DAY, &n), CRM_OK);
  assert_int_equal(n, 2);
  assert_int_equal(t_stage(c, fast), CRM_STAGE_LOST);
  assert_int_equal(t_stage(c, slow), CRM_STAGE_LOST);
  transitions(c, fast, &tr);
  assert_int_equal(tr.t[tr.n - 1].from_stage, CRM_STAGE_AT_RISK);
  assert_int_equal(tr.t[tr.n - 1].at, last + 365 * T_DAY);
  /* Nothing more is due. */
  assert_int_equal(crm_lifecycle_advance(c, last + 900 * T_DAY, &n), CRM_OK);
  assert_int_equal(n, 0);
  crm_close(c);
}

static void test_lifecycle_reactivated_by_purchase(void **state)
{
  crm *c = t_open_mem(NOW);
  int64_t id = t_add_customer(c, "r");
  crm_ingest_result r;
  struct trans tr;

  (void)state;
  buy(c, id, T0, "r1");
  buy(c, id, T0 + 10 * T_DAY, "r2");
  /* A purchase after 400 silent days: the silence rules that fell due in
   * between are applied first, at their own times, then the purchase. */
  r = t_event(c, id, "purchase", T0 + 410 * T_DAY, 1000, NULL, "r3");
  assert_int_equal(r.stage_before, CRM_STAGE_REPEAT);
  assert_int_equal(r.stage_after, CRM_STAGE_REACTIVATED);
  transitions(c, id, &tr);
  assert_int_equal(tr.n, 6);
  assert_int_equal(tr.t[3].to_stage, CRM_STAGE_AT_RISK);
  assert_int_equal(tr.t[3].at, T0 + 70 * T_DAY);
  assert_int_equal(tr.t[4].to_stage, CRM_STAGE_LOST);
  assert_int_equal(tr.t[4].at, T0 + 375 * T_DAY);
  assert_int_equal(tr.t[5].to_stage, CRM_STAGE_REACTIVATED);
  assert_int_equal(tr.t[5].cause_event_id, r.event_id);
  /* Buying on: repeat again once the window counts two purchase days. */
  buy(c, id, T0 + 420 * T_DAY, "r4");
  assert_int_equal(t_stage(c, id), CRM_STAGE_REPEAT);
  crm_close(c);
}

static void test_lifecycle_loyal_falls_back_to_repeat(void **state)
{
  crm *c = t_open_mem(NOW);
  int64_t id = t_add_customer(c, "l");
  char key[8];
  int i;

  (void)state;
  c->lc.at_risk_floor_days = 400; /* keep silence rules out of the way */
  c->lc.lost_days = 2000;
  for(i = 0; i < 5; i++) {
    snprintf(key, sizeof(key), "l%d", i);
    buy(c, id, T0 + i * 30 * T_DAY, key);
  }
  assert_int_equal(t_stage(c, id), CRM_STAGE_LOYAL);
  /* 300 days later only 2 purchase days fall in the 365-day window. */
  buy(c, id, T0 + 420 * T_DAY, "l5");
  assert_int_equal(t_stage(c, id), CRM_STAGE_REPEAT);
  crm_close(c);
}

static void test_lifecycle_late_purchase_keeps_real_silence(void **state)
{
  crm *c = t_open_mem(NOW);
  int64_t id = t_add_customer(c, "s");
  struct trans tr;
  size_t n = 0;
  int before;

  (void)state;
  buy(c, id, T0, "s1");
  assert_int_equal(crm_lifecycle_advance(c, T0 + 150 * T_DAY, &n), CRM_OK);
  assert_int_equal(t_stage(c, id), CRM_STAGE_AT_RISK);
  before = transitions(c, id, &tr)->n;
  /* A purchase dated T0+14 arrives late: 136 days of silence remain, past
   * the 60-day floor, so the customer is still at risk, and nothing is
   * recorded before the at-risk transition already made. */
  buy(c, id, T0 + 14 * T_DAY, "s2");
  assert_int_equal(t_stage(c, id), CRM_STAGE_AT_RISK);
  transitions(c, id, &tr);
  assert_int_equal(tr.n, before);
  crm_close(c);
}

static void test_lifecycle_late_purchase_ends_false_silence(void **state)
{
  crm *c = t_open_mem(NOW);
  int64_t id = t_add_customer(c, "f");
  crm_ingest_result r;
  struct trans tr;
  size_t n = 0;

  (void)state;
  buy(c, id, T0, "f1");
  assert_int_equal(crm_lifecycle_advance(c, T0 + 65 * T_DAY, &n), CRM_OK);
  assert_int_equal(t_stage(c, id), CRM_STAGE_AT_RISK);
  /* A purchase dated T0+30 shows the customer was silent 35 days only:
   * the silence was not one. Judged as of the clock (T0+65). */
  r = t_event(c, id, "purchase", T0 + 30 * T_DAY, 1000, NULL, "f2");
  assert_int_equal(r.stage_after, CRM_STAGE_REPEAT);
  transitions(c, id, &tr);
  assert_int_equal(tr.t[tr.n - 1].from_stage, CRM_STAGE_AT_RISK);
  assert_int_equal(tr.t[tr.n - 1].at, T0 + 65 * T_DAY);
  assert_int_equal(tr.t[tr.n - 1].cause_event_id, r.event_id);
  assert_non_null(strstr(tr.cause[tr.n - 1], "silence ended by late event"));
  assert_non_null(strstr(tr.cause[tr.n - 1], "dated 2000-01-31"));
  /* The next review follows the new last purchase: at risk at T0+90. */
  assert_int_equal(crm_lifecycle_advance(c, T0 + 89 * T_DAY, &n), CRM_OK);
  assert_int_equal(n, 0);
  assert_int_equal(crm_lifecycle_advance(c, T0 + 91 * T_DAY, &n), CRM_OK);
  assert_int_equal(t_stage(c, id), CRM_STAGE_AT_RISK);
  transitions(c, id, &tr);
  assert_int_equal(tr.t[tr.n - 1].at, T0 + 90 * T_DAY);
  crm_close(c);
}

static void test_lifecycle_late_purchase_never_demotes(void **state)
{
  crm *c = t_open_mem(NOW);
  int64_t id = t_add_customer(c, "d");
  struct trans tr;
  char key[8];
  int i, before;

  (void)state;
  for(i = 0; i < 5; i++) {
    snprintf(key, sizeof(key), "d%d", i);
    buy(c, id, T0 + 1000 * T_DAY + i * T_DAY, key);
  }
  assert_int_equal(t_stage(c, id), CRM_STAGE_LOYAL);
  before = transitions(c, id, &tr)->n;
  buy(c, id, T0, "old"); /* a backfilled purchase from years before */
  assert_int_equal(t_stage(c, id), CRM_STAGE_LOYAL);
  assert_int_equal(transitions(c, id, &tr)->n, before);
  crm_close(c);
}

static void test_lifecycle_late_purchases_can_promote(void **state)
{
  crm *c = t_open_mem(NOW);
  int64_t id = t_add_customer(c, "p");
  crm_ingest_result r;
  struct trans tr;

  (void)state;
  buy(c, id, T0 + 10 * T_DAY, "p1");
  buy(c, id, T0 + 20 * T_DAY, "p2");
  assert_int_equal(t_stage(c, id), CRM_STAGE_REPEAT);
  buy(c, id, T0 + 1 * T_DAY, "p3");
  buy(c, id, T0 + 2 * T_DAY, "p4");
  assert_int_equal(t_stage(c, id), CRM_STAGE_REPEAT);
  r = t_event(c, id, "purchase", T0 + 5 * T_DAY, 1000, NULL, "p5");
  assert_int_equal(r.stage_after, CRM_STAGE_LOYAL);
  transitions(c, id, &tr);
  /* Recorded at the clock (the newest purchase), not back in time. */
  assert_int_equal(tr.t[tr.n - 1].at, T0 + 20 * T_DAY);
  assert_non_null(strstr(tr.cause[tr.n - 1], "late event purchase"));
  crm_close(c);
}

static void test_lifecycle_changed_thresholds_reschedule(void **state)
{
  crm *c = t_open_mem(NOW);
  int64_t id = t_add_customer(c, "t");
  size_t n = 0;

  (void)state;
  buy(c, id, T0, "t1"); /* due at T0+60 with the default floor */
  assert_int_equal(crm_lifecycle_advance(c, T0 + T_DAY, &n), CRM_OK);
  /* The admin lowers the floor to 10 days: the stored review time must
   * follow, or advance would not see the customer until day 60. */
  c->lc.at_risk_floor_days = 10;
  assert_int_equal(crm_lifecycle_advance(c, T0 + 25 * T_DAY, &n), CRM_OK);
  assert_int_equal(n, 1);
  assert_int_equal(t_stage(c, id), CRM_STAGE_AT_RISK);
  crm_close(c);
}

static void test_lifecycle_threshold_sync_undone_by_rollback(void **state)
{
  crm *c = t_open_mem(NOW);
  int64_t a = t_add_customer(c, "a");
  int64_t b = t_add_customer(c, "b");
  size_t n = 0;

  (void)state;
  buy(c, a, T0, "a1"); /* due at T0+60 */
  c->lc.at_risk_floor_days = 10;
  /* The recompute happens inside a batch that is rolled back: it is
   * undone, and the handle must not believe it was done. */
  assert_int_equal(crm_begin(c), CRM_OK);
  t_event(c, b, "contact", T0, 0, NULL, "b1");
  assert_int_equal(crm_rollback(c), CRM_OK);
  assert_int_equal(crm_lifecycle_advance(c, T0 + 25 * T_DAY, &n), CRM_OK);
  assert_int_equal(n, 1);
  assert_int_equal(t_stage(c, a), CRM_STAGE_AT_RISK);
  crm_close(c);
}

static int64_t evaluated_at(crm *c, int64_t id)
{
  sqlite3_stmt *st;
  int64_t v;

  sqlite3_prepare_v2(c->db, "SELECT lc_evaluated_at FROM customers"
                     " WHERE id = ?1", -1, &st, NULL);
  sqlite3_bind_int64(st, 1, id);
  sqlite3_step(st);
  v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

static void test_lifecycle_advance_touches_only_due(void **state)
{
  crm *c = t_open_mem(NOW);
  int64_t old = t_add_customer(c, "old");
  int64_t recent = t_add_customer(c, "recent");
  int64_t prospect = t_add_customer(c, "prospect");
  size_t n = 0;

  (void)state;
  buy(c, old, T0, "o1");
  buy(c, recent, T0 + 100 * T_DAY, "n1");
  assert_int_equal(evaluated_at(c, recent), T0 + 100 * T_DAY);
  assert_int_equal(crm_lifecycle_advance(c, T0 + 120 * T_DAY, &n), CRM_OK);
  assert_int_equal(n, 1);
  assert_int_equal(t_stage(c, old), CRM_STAGE_AT_RISK);
  assert_int_equal(evaluated_at(c, old), T0 + 120 * T_DAY);
  /* Not due: not read, not written. */
  assert_int_equal(evaluated_at(c, recent), T0 + 100 * T_DAY);
  assert_int_equal(evaluated_at(c, prospect), 0);
  assert_int_equal(t_stage(c, prospect), CRM_STAGE_PROSPECT);
  crm_close(c);
}

static void test_lifecycle_thresholds_from_config(void **state)
{
  crm *c = t_open_mem(NOW);
  int64_t id = t_add_customer(c, "x");

  (void)state;
  c->lc.repeat_purchases = 3;
  buy(c, id, T0, "x1");
  buy(c, id, T0 + T_DAY, "x2");
  assert_int_equal(t_stage(c, id), CRM_STAGE_FIRST_PURCHASE);
  buy(c, id, T0 + 2 * T_DAY, "x3");
  assert_int_equal(t_stage(c, id), CRM_STAGE_REPEAT);
  crm_close(c);
}

static void test_lifecycle_stage_names(void **state)
{
  int s;

  (void)state;
  for(s = 1; s < CRM_STAGE_COUNT; s++)
    assert_int_equal(crm_stage_parse(crm_stage_name(s)), s);
  assert_int_equal(crm_stage_parse("At-Risk"), CRM_STAGE_AT_RISK);
  assert_int_equal(crm_stage_parse("vip"), -1);
  assert_string_equal(crm_stage_name(99), "unknown");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_lifecycle_created_as_prospect),
    cmocka_unit_test(test_lifecycle_qualified_needs_all_of_man),
    cmocka_unit_test(test_lifecycle_parked_after_12_contacts),
    cmocka_unit_test(test_lifecycle_first_repeat_loyal),
    cmocka_unit_test(test_lifecycle_at_risk_uses_own_gap_and_floor),
    cmocka_unit_test(test_lifecycle_reactivated_by_purchase),
    cmocka_unit_test(test_lifecycle_loyal_falls_back_to_repeat),
    cmocka_unit_test(test_lifecycle_late_purchase_keeps_real_silence),
    cmocka_unit_test(test_lifecycle_late_purchase_ends_false_silence),
    cmocka_unit_test(test_lifecycle_late_purchase_never_demotes),
    cmocka_unit_test(test_lifecycle_late_purchases_can_promote),
    cmocka_unit_test(test_lifecycle_changed_thresholds_reschedule),
    cmocka_unit_test(test_lifecycle_threshold_sync_undone_by_rollback),
    cmocka_unit_test(test_lifecycle_advance_touches_only_due),
    cmocka_unit_test(test_lifecycle_thresholds_from_config),
    cmocka_unit_test(test_lifecycle_stage_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
