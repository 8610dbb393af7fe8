/*
 * test_case_stats.c - crm_case_stats on a hand-built week of complaints:
 * per category and total, business-hour durations from the SLA clocks
 * (delivery) and wall-clock hours without one (billing), exact medians,
 * breach and reopen rates, compensation, and the churn of complainants.
 *
 * crm.conf: basic_case, basic_points; complaints: team "care" (UTC) open
 * weekdays 09:00-17:00; SLA for delivery (any priority): first response
 * 4h, resolution 16h; compensation for delivery up to 2000 points.
 *
 * Week of Monday 2026-11-02 (UTC). Cases (customer, category):
 *   #1 A delivery  open Mon 09:00, reply Mon 11:00 (FR 2h business),
 *                  resolved Mon 15:00 with 300 points (6h), closed 16:00
 *   #2 A billing   open Mon 10:00, reply Mon 13:00 (FR 3h wall),
 *                  resolved Tue 10:00 (24h wall), closed Tue 11:00
 *   #3 B delivery  open Mon 16:00, reply Tue 11:00 (FR 1h Mon + 2h Tue =
 *                  3h business, 19h wall), resolved Tue 17:00 (1h + 8h
 *                  = 9h), reopened by the customer Wed 10:00, resolved
 *                  again Wed 12:00 (9h + 2h = 11h)
 *   #4 D billing   open Tue 08:00, reply Tue 09:00 (1h), resolved Tue
 *                  09:30 (1.5h)
 *   #5 C delivery  open Tue 09:00, no answer: the first response (due Tue
 *                  13:00) breaches at the run of Tue 14:00; still open
 *   #6 D billing   open Tue 12:00, reply Tue 20:00 (8h wall), still open
 *   #0 E billing   opened the week before: outside the period
 * Stages now (set by hand): A at risk, C lost, E at risk; B, D, F active.
 */
#include <math.h>

#include "case_test.h"

#define HOUR INT64_C(3600)
#define MON INT64_C(1793577600) /* 2026-11-02 00:00 UTC, a Monday */
#define TUE (MON + T_DAY)
#define WED (MON + 2 * T_DAY)

#define STATS_CONF                                                          \
  "plugins = { load = (\n"                                                  \
  "  { name = \"basic_case\"; },\n"                                         \
  "  { name = \"basic_points\"; required = true;\n"                         \
  "    config = { points_per_unit = 10; currency = \"USD\"; }; } ); };\n"   \
  "complaints = {\n"                                                        \
  "  default_team = \"care\";\n"                                            \
  "  teams = ( { name = \"care\"; lead = \"maria\";\n"                      \
  "    hours = { weekdays = \"09:00-17:00\"; }; } );\n"                     \
  "  sla = ( { category = \"delivery\"; priority = 0;\n"                    \
  "    first_response = \"4h\"; resolution = \"16h\"; } );\n"              \
  "  compensation = ( { category = \"delivery\"; max_points = 2000; } );\n" \
  "};\n"

static void at(crm *c, int64_t t)
{
  crm_set_now(c, t);
}

static int64_t open_case(crm *c, int64_t t, int64_t cust,
                         const char *category)
{
  at(c, t);
  return ct_case(c, cust, "something went wrong", category);
}

static void answer(crm *c, int64_t t, int64_t id, int kind)
{
  crm_case_op op = ct_op("ana", NULL, 0);

  at(c, t);
  if(crm_case_reply(c, id, kind, "about your case",
                    kind == CRM_CASE_MSG_AGENT ? CRM_CASE_REPLY_RECORD : 0,
                    &op, NULL, NULL))
    fail_msg("crm_case_reply: %s", crm_errmsg(c));
}

static void resolve(crm *c, int64_t t, int64_t id, int64_t points)
{
  crm_case_resolution r;

  at(c, t);
  memset(&r, 0, sizeof(r));
  r.op = ct_op("ana", "fixed", 0);
  r.comp_points = points;
  if(crm_case_resolve(c, id, &r))
    fail_msg("crm_case_resolve: %s", crm_errmsg(c));
}

static void close_case(crm *c, int64_t t, int64_t id)
{
  crm_case_op op = ct_op("ana", NULL, 0);

  at(c, t);
  if(crm_case_close(c, id, &op))
    fail_msg("crm_case_close: %s", crm_errmsg(c));
}

static void set_stage(crm *c, int64_t cust, int stage)
{
  char sql[128];

  snprintf(sql, sizeof(sql), "UPDATE customers SET stage = %d WHERE id ="
           " %lld", stage, (long long)cust);
  if(sqlite3_exec(c->db, sql, NULL, NULL, NULL))
    fail_msg("%s: %s", sql, sqlite3_errmsg(c->db));
}

static void build(crm *c)
{
  int64_t a, b, cc, d, e, c1, c2, c3, c4, c5, c6;
  crm_sla_run_stats rs;

  a = t_add_customer(c, "a");
  b = t_add_customer(c, "b");
  cc = t_add_customer(c, "c");
  d = t_add_customer(c, "d");
  e = t_add_customer(c, "e");
  (void)t_add_customer(c, "f");
  (void)open_case(c, MON - 7 * T_DAY + 10 * HOUR, e, "billing");
  c1 = open_case(c, MON + 9 * HOUR, a, "delivery");
  c2 = open_case(c, MON + 10 * HOUR, a, "billing");
  answer(c, MON + 11 * HOUR, c1, CRM_CASE_MSG_AGENT);
  answer(c, MON + 13 * HOUR, c2, CRM_CASE_MSG_AGENT);
  resolve(c, MON + 15 * HOUR, c1, 300);
  c3 = open_case(c, MON + 16 * HOUR, b, "delivery");
  close_case(c, MON + 16 * HOUR, c1);
  c4 = open_case(c, TUE + 8 * HOUR, d, "billing");
  c5 = open_case(c, TUE + 9 * HOUR, cc, "delivery");
  answer(c, TUE + 9 * HOUR, c4, CRM_CASE_MSG_AGENT);
  resolve(c, TUE + 9 * HOUR + 1800, c4, 0);
  resolve(c, TUE + 10 * HOUR, c2, 0);
  answer(c, TUE + 11 * HOUR, c3, CRM_CASE_MSG_AGENT);
  close_case(c, TUE + 11 * HOUR, c2);
  c6 = open_case(c, TUE + 12 * HOUR, d, "billing");
  at(c, TUE + 14 * HOUR);
  memset(&rs, 0, sizeof(rs));
  if(crm_sla_run(c, 0, &rs))
    fail_msg("crm_sla_run: %s", crm_errmsg(c));
  assert_int_equal(rs.breaches, 1);
  resolve(c, TUE + 17 * HOUR, c3, 0);
  answer(c, TUE + 20 * HOUR, c6, CRM_CASE_MSG_AGENT);
  answer(c, WED + 10 * HOUR, c3, CRM_CASE_MSG_CUSTOMER);
  assert_string_equal(ct_get(c, c3).state, "In progress");
  resolve(c, WED + 12 * HOUR, c3, 0);
  assert_string_equal(ct_get(c, c5).state, "New");
  set_stage(c, a, CRM_STAGE_AT_RISK);
  set_stage(c, cc, CRM_STAGE_LOST);
  set_stage(c, e, CRM_STAGE_AT_RISK);
  (void)c6;
}

#define SR_N 8

struct rows {
  crm_case_stats_row r[SR_N];
  char cat[SR_N][32];
  size_t n;
};

static int row_cb(void *ud, const crm_case_stats_row *w)
{
  struct rows *s = ud;

  if(s->n < SR_N) {
    s->r[s->n] = *w;
    snprintf(s->cat[s->n], sizeof(s->cat[0]), "%s", w->category);
    s->r[s->n].category = s->cat[s->n];
  }
  s->n++;
  return 0;
}

static void near(double got, double want)
{
  if(fabs(got - want) > 1e-9)
    fail_msg("got %.12g, expected %.12g", got, want);
}

static void test_stats(void **state)
{
  pe_env e;
  struct rows s;
  crm_case_churn k;
  const crm_case_stats_row *r;

  (void)state;
  pe_open(&e, STATS_CONF);
  build(e.c);
  memset(&s, 0, sizeof(s));
  assert_int_equal(crm_case_stats(e.c, MON, 0, row_cb, &s, &k), CRM_OK);
  assert_int_equal(s.n, 3);

  /* billing #2, #4, #6: FR 3, 1, 8 -> mean 4, median 3; resolved #2, #4:
   * 24 and 1.5 -> mean = median = 12.75; open now #4 (Resolved), #6 */
  r = &s.r[0];
  assert_string_equal(r->category, "billing");
  assert_int_equal(r->opened, 3);
  assert_int_equal(r->open_now, 2);
  assert_int_equal(r->responded, 3);
  assert_int_equal(r->resolved, 2);
  near(r->first_response_hours_mean, 4);
  near(r->first_response_hours_median, 3);
  near(r->resolve_hours_mean, 12.75);
  near(r->resolve_hours_median, 12.75);
  assert_int_equal(r->breached, 0);
  near(r->breach_rate, 0);
  assert_int_equal(r->reopened, 0);
  near(r->reopen_rate, 0);
  assert_int_equal(r->compensated_points, 0);

  /* delivery #1, #3, #5: FR 2, 3 (business) -> 2.5 / 2.5; resolution
   * 6, 11 -> 8.5 / 8.5; #5 breached: 1/3; #3 reopened: 1 of 2 resolved;
   * 300 points on #1; open now #3 (Resolved), #5 */
  r = &s.r[1];
  assert_string_equal(r->category, "delivery");
  assert_int_equal(r->opened, 3);
  assert_int_equal(r->open_now, 2);
  assert_int_equal(r->responded, 2);
  assert_int_equal(r->resolved, 2);
  near(r->first_response_hours_mean, 2.5);
  near(r->first_response_hours_median, 2.5);
  near(r->resolve_hours_mean, 8.5);
  near(r->resolve_hours_median, 8.5);
  assert_int_equal(r->breached, 1);
  near(r->breach_rate, 1.0 / 3);
  assert_int_equal(r->reopened, 1);
  near(r->reopen_rate, 0.5);
  assert_int_equal(r->compensated_points, 300);

  /* total: FR 1, 2, 3, 3, 8 -> mean 17 / 5 = 3.4, median 3; resolution
   * 1.5, 6, 11, 24 -> mean 42.5 / 4 = 10.625, median (6 + 11) / 2 = 8.5;
   * breached 1 of 6, reopened 1 of 4 resolved */
  r = &s.r[2];
  assert_string_equal(r->category, "");
  assert_int_equal(r->opened, 6);
  assert_int_equal(r->open_now, 4);
  assert_int_equal(r->responded, 5);
  assert_int_equal(r->resolved, 4);
  near(r->first_response_hours_mean, 3.4);
  near(r->first_response_hours_median, 3);
  near(r->resolve_hours_mean, 10.625);
  near(r->resolve_hours_median, 8.5);
  assert_int_equal(r->breached, 1);
  near(r->breach_rate, 1.0 / 6);
  assert_int_equal(r->reopened, 1);
  near(r->reopen_rate, 0.25);
  assert_int_equal(r->compensated_points, 300);

  /* churn: complainants A, B, C, D (E's case is before the period), of
   * them A and C at risk or lost: 2 / 4; others E, F: E at risk, 1 / 2;
   * all cases resolved or closed: A (#1 Closed, #2 Closed), B (#3
   * Resolved); not C (#5 New) nor D (#6 New): 2, of them A lost: 1 / 2 */
  assert_int_equal(k.complainants, 4);
  assert_int_equal(k.complainants_lost, 2);
  near(k.complainant_rate, 0.5);
  assert_int_equal(k.others, 2);
  assert_int_equal(k.others_lost, 1);
  near(k.other_rate, 0.5);
  assert_int_equal(k.resolved_complainants, 2);
  assert_int_equal(k.resolved_lost, 1);
  near(k.resolved_rate, 0.5);
  pe_close(&e);
}

/* The whole history (since 0): E's older billing case counts (no
 * response: billing responded stays 3 of 4) and E becomes a complainant.
 * An empty period gives the total row only, with -1 for what has no
 * divisor; a reversed period is refused. */
static void test_periods(void **state)
{
  pe_env e;
  struct rows s;
  crm_case_churn k;

  (void)state;
  pe_open(&e, STATS_CONF);
  build(e.c);
  memset(&s, 0, sizeof(s));
  assert_int_equal(crm_case_stats(e.c, 0, 0, row_cb, &s, &k), CRM_OK);
  assert_int_equal(s.n, 3);
  assert_int_equal(s.r[0].opened, 4);
  assert_int_equal(s.r[0].responded, 3);
  assert_int_equal(s.r[2].opened, 7);
  assert_int_equal(k.complainants, 5);
  assert_int_equal(k.complainants_lost, 3);
  assert_int_equal(k.others, 1);
  assert_int_equal(k.others_lost, 0);
  near(k.other_rate, 0);

  memset(&s, 0, sizeof(s));
  assert_int_equal(crm_case_stats(e.c, WED + T_DAY, WED + 2 * T_DAY, row_cb,
                                  &s, &k), CRM_OK);
  assert_int_equal(s.n, 1);
  assert_string_equal(s.r[0].category, "");
  assert_int_equal(s.r[0].opened, 0);
  near(s.r[0].first_response_hours_mean, -1);
  near(s.r[0].resolve_hours_median, -1);
  near(s.r[0].breach_rate, -1);
  near(s.r[0].reopen_rate, -1);
  assert_int_equal(k.complainants, 0);
  near(k.complainant_rate, -1);
  assert_int_equal(k.others, 6);

  assert_int_equal(crm_case_stats(e.c, WED, MON, row_cb, &s, NULL),
                   CRM_EINVAL);
  pe_close(&e);
}

/* A case reopened by the customer and not resolved again has no
 * resolution time (its resolution did not stand), with or without an
 * SLA clock; it still counts as resolved once and as reopened. Before,
 * the delivery case fell back to wall-clock hours (18h) although its
 * business clock said 2h.
 *   #1 delivery open Mon 16:00, resolved Tue 10:00 (1h + 1h = 2h
 *      business, 18h wall), reopened Tue 12:00
 *   #2 billing  open Mon 10:00, resolved Mon 12:00 (2h wall), reopened
 *      Mon 14:00
 *   #3 billing  open Mon 10:00, resolved Mon 13:00 (3h wall): counted */
static void test_reopened_in_progress(void **state)
{
  pe_env e;
  struct rows s;
  int64_t a, c1, c2, c3;

  (void)state;
  pe_open(&e, STATS_CONF);
  a = t_add_customer(e.c, "a");
  c1 = open_case(e.c, MON + 16 * HOUR, a, "delivery");
  c2 = open_case(e.c, MON + 10 * HOUR, a, "billing");
  c3 = open_case(e.c, MON + 10 * HOUR, a, "billing");
  resolve(e.c, MON + 12 * HOUR, c2, 0);
  resolve(e.c, MON + 13 * HOUR, c3, 0);
  answer(e.c, MON + 14 * HOUR, c2, CRM_CASE_MSG_CUSTOMER);
  resolve(e.c, TUE + 10 * HOUR, c1, 0);
  answer(e.c, TUE + 12 * HOUR, c1, CRM_CASE_MSG_CUSTOMER);
  assert_string_equal(ct_get(e.c, c1).state, "In progress");
  assert_string_equal(ct_get(e.c, c2).state, "In progress");
  memset(&s, 0, sizeof(s));
  assert_int_equal(crm_case_stats(e.c, 0, 0, row_cb, &s, NULL), CRM_OK);
  assert_int_equal(s.n, 3);
  assert_string_equal(s.r[0].category, "billing");
  assert_int_equal(s.r[0].resolved, 2);
  assert_int_equal(s.r[0].reopened, 1);
  near(s.r[0].resolve_hours_mean, 3);
  near(s.r[0].resolve_hours_median, 3);
  assert_string_equal(s.r[1].category, "delivery");
  assert_int_equal(s.r[1].resolved, 1);
  assert_int_equal(s.r[1].reopened, 1);
  near(s.r[1].reopen_rate, 1);
  near(s.r[1].resolve_hours_mean, -1);
  near(s.r[1].resolve_hours_median, -1);
  near(s.r[2].resolve_hours_mean, 3);

  /* resolved again Tue 15:00: 2h + 3h = 5h business */
  resolve(e.c, TUE + 15 * HOUR, c1, 0);
  memset(&s, 0, sizeof(s));
  assert_int_equal(crm_case_stats(e.c, 0, 0, row_cb, &s, NULL), CRM_OK);
  near(s.r[1].resolve_hours_mean, 5);
  pe_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_stats),
    cmocka_unit_test(test_periods),
    cmocka_unit_test(test_reopened_in_progress),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
