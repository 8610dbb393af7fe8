/*
 * test_case_survey.c - the satisfaction survey after a case closes and
 * its answer, through the public API with basic_case, the loyalty_index
 * scoring plugin and (in one test) the file channel with a case_closed
 * trigger.
 *
 * Loyalty index (defaults, docs/scoring/loyalty_index.md): weights
 * satisfaction 0.3, recommend 0.25, repeat 0.2, referral 0.1, switching
 * 0.15; unknown parts are left out and the known weights renormalised;
 * survey (score - 1) / (scale - 1) x 100; NPS grouped 9-10 -> 100;
 * repeat 100 x (0.8 x min(1, days in 365 / 4) + 0.2 x [2+ days]);
 * switching: tenure 100 x years / 3, capped at 100; bands loyal >= 70,
 * neutral >= 40.
 */
#include <math.h>

#include "case_test.h"
#include "test_plugin_loyalty_index.h"

#define YEAR INT64_C(31557600)
#define HOUR INT64_C(3600)

#define SV_PLUGINS                                                          \
  "plugins = { load = ( { name = \"basic_case\"; },"                        \
  " { name = \"loyalty_index\"; required = true; }%s ); };\n"

static void open_env(pe_env *e, int with_comm)
{
  char conf[2048];
  char file[700];

  pe_open(e, NULL);
  snprintf(file, sizeof(file), ", { name = \"file\"; config = { path ="
           " \"%s/out.jsonl\"; }; }", e->dir);
  snprintf(conf, sizeof(conf), SV_PLUGINS "%s", with_comm ? file : "",
           with_comm
               ? "communication = {\n"
                 "  require_opt_in = false;\n"
                 "  sender_name = \"Example Shop\";\n"
                 "  channels = ( { name = \"email\"; component = \"file\";"
                 " address = \"email\"; } );\n"
                 "  templates = ( { name = \"survey\"; body = \"How did we"
                 " do on case {{case_number}}?\"; } );\n"
                 "  triggers = ( { name = \"survey\"; on = \"case_closed\";"
                 " template = \"survey\"; delay_minutes = 60; } );\n"
                 "};\n"
               : "");
  snprintf(e->conf, sizeof(e->conf), "%s/crm.conf", e->dir);
  t_write_file(e->conf, conf);
  if(crm_load_config(e->c, e->conf, CRM_TEST_PLUGIN_DIR))
    fail_msg("crm_load_config: %s", crm_errmsg(e->c));
}

static int64_t customer(crm *c, const char *ext, const char *email)
{
  crm_customer_fields f;
  int64_t id = 0;

  memset(&f, 0, sizeof(f));
  f.external_id = ext;
  f.email = email;
  if(crm_customer_add(c, &f, &id))
    fail_msg("crm_customer_add: %s", crm_errmsg(c));
  return id;
}

/* Opens a case at the clock, resolves it an hour later and closes it two
 * hours later; the clock stays at the close. */
static int64_t closed_case(crm *c, int64_t cust, int64_t t)
{
  crm_case_resolution r;
  crm_case_op op = ct_op("ana", "customer confirmed", 0);
  int64_t id;

  crm_set_now(c, t);
  id = ct_case(c, cust, "the parcel was late", "delivery");
  crm_set_now(c, t + HOUR);
  memset(&r, 0, sizeof(r));
  r.op = ct_op("ana", "redelivered", 0);
  if(crm_case_resolve(c, id, &r))
    fail_msg("crm_case_resolve: %s", crm_errmsg(c));
  crm_set_now(c, t + 2 * HOUR);
  if(crm_case_close(c, id, &op))
    fail_msg("crm_case_close: %s", crm_errmsg(c));
  return id;
}

static double index_of(crm *c, int64_t cust, char *label, size_t size)
{
  li_score s;

  li_get(c, cust, "index", &s);
  snprintf(label, size, "%s", s.label);
  return s.value;
}

/* The "survey" history line's detail. */
static void survey_lines(crm *c, int64_t id, char *buf, size_t size)
{
  ct_lines h;
  size_t i, n = 0;

  ct_history(c, id, &h);
  buf[0] = '\0';
  for(i = 0; i < h.n && i < CT_N; i++) {
    if(strncmp(h.line[i], "survey|", 7) == 0)
      n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? " / " : "",
                            h.line[i]);
  }
}

/* With a case_closed trigger: closing queues its message (dedupe key
 * t:survey:case:<id>) and the survey row names it. */
static void test_request_with_message(void **state)
{
  pe_env e;
  int64_t cust, id, msg;
  crm_case_survey s;
  char hist[512];

  (void)state;
  open_env(&e, 1);
  cust = customer(e.c, "ann", "ann@example.com");
  id = closed_case(e.c, cust, PE_NOW);
  msg = ct_int(e.c, "SELECT id FROM messages WHERE dedupe_key ="
               " 't:survey:case:' || ?1", id);
  assert_true(msg > 0);
  assert_int_equal(crm_case_survey_get(e.c, id, &s), CRM_OK);
  assert_int_equal(s.case_id, id);
  assert_int_equal(s.requested_at, PE_NOW + 2 * HOUR);
  assert_int_equal(s.message_id, msg);
  assert_int_equal(s.answered_at, 0);
  assert_int_equal(s.score, -1);
  assert_int_equal(s.scale, -1);
  assert_int_equal(s.nps, -1);
  /* the request is no history line (the answer is) */
  survey_lines(e.c, id, hist, sizeof(hist));
  assert_string_equal(hist, "");
  pe_close(&e);
}

/* Without communication: recorded as due (no message). A case not yet
 * closed has no survey, and cannot be answered. */
static void test_request_due(void **state)
{
  pe_env e;
  int64_t cust, id, open_id;
  crm_case_survey s;

  (void)state;
  open_env(&e, 0);
  cust = customer(e.c, "ben", NULL);
  id = closed_case(e.c, cust, PE_NOW);
  assert_int_equal(crm_case_survey_get(e.c, id, &s), CRM_OK);
  assert_int_equal(s.requested_at, PE_NOW + 2 * HOUR);
  assert_int_equal(s.message_id, 0);
  open_id = ct_case(e.c, cust, "another problem", "billing");
  assert_int_equal(crm_case_survey_get(e.c, open_id, &s), CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(e.c), "case C-000002 has no survey (it is "
                      "not closed)");
  assert_int_equal(crm_case_survey_answer(e.c, open_id, 4, 5, -1, NULL, NULL),
                   CRM_ESTATE);
  assert_string_equal(crm_errmsg(e.c), "case C-000002 is New: a survey is "
                      "answered once the case is closed");
  assert_int_equal(crm_case_survey_get(e.c, 99, &s), CRM_ENOTFOUND);
  pe_close(&e);
}

/* The answer moves the loyalty index. One purchase 4 years ago:
 *   repeat: no purchase day in the window, one day ever -> 0;
 *   referral 0 (known); switching: tenure 4 years, capped -> 100.
 *   X = (0.2 x 0 + 0.1 x 0 + 0.15 x 100) / 0.45 = 33.333333 "at risk".
 * Survey 4 of 5 -> 75, NPS 10 -> 100; every part known:
 *   Y = 0.3 x 75 + 0.25 x 100 + 0 + 0 + 0.15 x 100
 *     = 22.5 + 25 + 15 = 62.5 "neutral". */
static void test_answer_feeds_loyalty(void **state)
{
  pe_env e;
  int64_t cust, id;
  crm_case_survey s;
  crm_case_op op = ct_op("web", NULL, 0);
  char label[64], hist[512];
  double v;

  (void)state;
  open_env(&e, 0);
  cust = customer(e.c, "cy", NULL);
  pe_event(e.c, cust, "purchase", PE_NOW - 4 * YEAR, 1000, "USD", NULL,
           "cy-p1");
  v = index_of(e.c, cust, label, sizeof(label));
  assert_true(fabs(v - 15 / 0.45) < 1e-9);
  assert_string_equal(label, "at risk");

  id = closed_case(e.c, cust, PE_NOW);
  crm_set_now(e.c, PE_NOW + T_DAY);
  assert_int_equal(crm_case_survey_answer(e.c, id, 4, 5, 10, "quick and "
                                          "kind", &op), CRM_OK);
  v = index_of(e.c, cust, label, sizeof(label));
  assert_true(fabs(v - 62.5) < 1e-9);
  assert_string_equal(label, "neutral");

  /* the events, through the normal ingestion */
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM events WHERE"
                          " type = 'survey' AND idem_key = 'case-' || ?1 ||"
                          " '-survey' AND payload = '{\"score\":4,"
                          "\"scale\":5,\"case\":\"C-000001\"}'", id), 1);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM events WHERE"
                          " type = 'nps' AND idem_key = 'case-' || ?1 ||"
                          " '-nps' AND payload = '{\"score\":10}'", id), 1);
  assert_int_equal(crm_case_survey_get(e.c, id, &s), CRM_OK);
  assert_int_equal(s.answered_at, PE_NOW + T_DAY);
  assert_int_equal(s.score, 4);
  assert_int_equal(s.scale, 5);
  assert_int_equal(s.nps, 10);
  assert_int_equal(ct_int(e.c, "SELECT event_id FROM case_surveys WHERE"
                          " case_id = ?1", id),
                   ct_int(e.c, "SELECT id FROM events WHERE type = 'survey'",
                          0));
  survey_lines(e.c, id, hist, sizeof(hist));
  assert_string_equal(hist, "survey|-|Closed|web|-|answered 4/5, nps 10");

  /* once */
  assert_int_equal(crm_case_survey_answer(e.c, id, 5, 5, -1, NULL, &op),
                   CRM_EEXIST);
  assert_string_equal(crm_errmsg(e.c), "case C-000001 already has a "
                      "different survey answer (4/5, nps 10): a survey is "
                      "answered once");
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM events WHERE"
                          " type = 'survey'", 0), 1);
  v = index_of(e.c, cust, label, sizeof(label));
  assert_true(fabs(v - 62.5) < 1e-9);
  pe_close(&e);
}

/* Bad answers change nothing; a case closed before surveys were recorded
 * (no row) gets one on its answer, without an NPS event. */
static void test_answer_checks(void **state)
{
  pe_env e;
  int64_t cust, id;
  crm_case_survey s;
  char big[2002];

  (void)state;
  open_env(&e, 0);
  cust = customer(e.c, "dee", NULL);
  id = closed_case(e.c, cust, PE_NOW);
  assert_int_equal(crm_case_survey_answer(e.c, id, 4, 7, -1, NULL, NULL),
                   CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "survey scale must be 5 or 10 (got "
                      "7)");
  assert_int_equal(crm_case_survey_answer(e.c, id, 6, 5, -1, NULL, NULL),
                   CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "survey score 6 is outside 1..5");
  assert_int_equal(crm_case_survey_answer(e.c, id, 0, 10, -1, NULL, NULL),
                   CRM_EINVAL);
  assert_int_equal(crm_case_survey_answer(e.c, id, 3, 5, 11, NULL, NULL),
                   CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "nps 11 is outside 0..10 (-1: none)");
  memset(big, 'x', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  assert_int_equal(crm_case_survey_answer(e.c, id, 3, 5, -1, big, NULL),
                   CRM_ERANGE);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM events WHERE"
                          " type IN ('survey', 'nps')", 0), 0);
  assert_int_equal(ct_int(e.c, "SELECT answered_at FROM case_surveys WHERE"
                          " case_id = ?1", id), -1);

  /* as if closed before migration 7 */
  if(sqlite3_exec(e.c->db, "DELETE FROM case_surveys", NULL, NULL, NULL))
    fail_msg("delete: %s", sqlite3_errmsg(e.c->db));
  assert_int_equal(crm_case_survey_get(e.c, id, &s), CRM_ENOTFOUND);
  assert_int_equal(crm_case_survey_answer(e.c, id, 9, 10, -1, NULL, NULL),
                   CRM_OK);
  assert_int_equal(crm_case_survey_get(e.c, id, &s), CRM_OK);
  /* requested_at: the close */
  assert_int_equal(s.requested_at, PE_NOW + 2 * HOUR);
  assert_int_equal(s.message_id, 0);
  assert_int_equal(s.score, 9);
  assert_int_equal(s.scale, 10);
  assert_int_equal(s.nps, -1);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM events WHERE"
                          " type = 'nps'", 0), 0);
  pe_close(&e);
}

/* A retry of the same answer (a double submit, a client retrying after a
 * timeout) returns 0 and changes nothing: no event, no history line, the
 * first answer's time kept. A different score, nps or comment is
 * CRM_EEXIST and changes nothing either. */
static void test_answer_retry(void **state)
{
  pe_env e;
  int64_t cust, id;
  crm_case_survey s;
  crm_case_op op = ct_op("web", NULL, 0);
  char hist[512];

  (void)state;
  open_env(&e, 0);
  cust = customer(e.c, "eve", NULL);
  id = closed_case(e.c, cust, PE_NOW);
  crm_set_now(e.c, PE_NOW + T_DAY);
  assert_int_equal(crm_case_survey_answer(e.c, id, 3, 5, 7, "ok", &op),
                   CRM_OK);
  crm_set_now(e.c, PE_NOW + T_DAY + 60);
  assert_int_equal(crm_case_survey_answer(e.c, id, 3, 5, 7, "ok", &op),
                   CRM_OK);
  assert_int_equal(crm_case_survey_answer(e.c, id, 3, 5, 7, "okay", &op),
                   CRM_EEXIST);
  assert_int_equal(crm_case_survey_answer(e.c, id, 3, 5, -1, "ok", &op),
                   CRM_EEXIST);
  assert_int_equal(crm_case_survey_answer(e.c, id, 3, 10, 7, "ok", &op),
                   CRM_EEXIST);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM events WHERE"
                          " type IN ('survey', 'nps')", 0), 2);
  assert_int_equal(crm_case_survey_get(e.c, id, &s), CRM_OK);
  assert_int_equal(s.answered_at, PE_NOW + T_DAY);
  assert_int_equal(s.score, 3);
  assert_int_equal(s.nps, 7);
  assert_non_null(s.comment);
  assert_string_equal(s.comment, "ok");
  survey_lines(e.c, id, hist, sizeof(hist));
  assert_string_equal(hist, "survey|-|Closed|web|-|answered 3/5, nps 7");

  /* no comment both times: the same answer too */
  id = closed_case(e.c, cust, PE_NOW + 2 * T_DAY);
  assert_int_equal(crm_case_survey_answer(e.c, id, 5, 5, -1, NULL, &op),
                   CRM_OK);
  assert_int_equal(crm_case_survey_answer(e.c, id, 5, 5, -1, "", &op),
                   CRM_OK);
  /* no comment: "" (the first answer's comment stays valid until the
   * next get, then this one's) */
  assert_int_equal(crm_case_survey_get(e.c, id, &s), CRM_OK);
  assert_string_equal(s.comment, "");
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM events WHERE"
                          " type = 'survey'", 0), 2);
  pe_close(&e);
}

/* Only closed cases are surveyed: a Rejected case never gets a survey
 * (the message says so, not "once closed"); a Duplicate points to the
 * case it was merged into (following the chain), whose survey it is. An
 * answer dated before the close is refused. Nothing changes. */
static void test_answer_rejected_duplicate(void **state)
{
  pe_env e;
  int64_t cust, rej, a, b, into;
  crm_case_op op = ct_op("ana", "not our fault", 0);
  crm_case_op early = ct_op("web", NULL, PE_NOW + HOUR);

  (void)state;
  open_env(&e, 0);
  cust = customer(e.c, "fay", NULL);
  rej = ct_case(e.c, cust, "price went up", "billing");
  assert_int_equal(crm_case_reject(e.c, rej, &op), CRM_OK);
  assert_int_equal(crm_case_survey_answer(e.c, rej, 4, 5, -1, NULL, NULL),
                   CRM_ESTATE);
  assert_string_equal(crm_errmsg(e.c), "case C-000001 is Rejected: only "
                      "closed cases are surveyed");

  a = ct_case(e.c, cust, "late parcel", "delivery");
  b = ct_case(e.c, cust, "late parcel again", "delivery");
  into = ct_case(e.c, cust, "parcel late, third mail", "delivery");
  assert_int_equal(crm_case_merge(e.c, a, b, &op), CRM_OK);
  assert_int_equal(crm_case_merge(e.c, b, into, &op), CRM_OK);
  assert_int_equal(crm_case_survey_answer(e.c, a, 4, 5, -1, NULL, NULL),
                   CRM_ESTATE);
  assert_string_equal(crm_errmsg(e.c), "case C-000002 is Duplicate (merged "
                      "into C-000004): answer the survey of C-000004");
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM events", 0), 0);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM case_surveys", 0), 0);

  /* closed at PE_NOW + 2h; an answer dated PE_NOW + 1h */
  into = closed_case(e.c, cust, PE_NOW);
  crm_set_now(e.c, PE_NOW + T_DAY);
  assert_int_equal(crm_case_survey_answer(e.c, into, 4, 5, -1, NULL, &early),
                   CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "survey answer time "
                      "2002-09-27T01:00:00Z is before case C-000005 was "
                      "closed (2002-09-27T02:00:00Z)");
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM events", 0), 0);
  pe_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_request_with_message),
    cmocka_unit_test(test_request_due),
    cmocka_unit_test(test_answer_feeds_loyalty),
    cmocka_unit_test(test_answer_checks),
    cmocka_unit_test(test_answer_retry),
    cmocka_unit_test(test_answer_rejected_duplicate),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
