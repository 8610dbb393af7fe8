/*
 * test_trigger_cause.c - a trigger speaks once per cause, and only about
 * causes that still hold: the time rules applied on the way to an event
 * (at risk, lost) wait for the event and are dropped when it ends that
 * stage (no win-back to a customer who is buying); an import of history
 * writes to nobody; a customer at risk twice gets two win-backs; keys
 * with long names are never cut (two tier changes never share one); a
 * case summary reaches the survey whole (never cut inside a UTF-8
 * character); ordered conditions on attributes take plain decimal
 * numbers only. Fixed clock; every value worked out by hand.
 */
#include "trigger_test.h"

#include "comm_int.h"

/* 2026-03-02T12:00:00Z, a Monday */
#define NOW INT64_C(1772452800)
#define DAY T_DAY

#define WIN_BACK                                                            \
  "{ name = \"win_back\"; on = \"stage\"; stage = \"at_risk\";"             \
  " template = \"win_back\"; }"

static void buy(crm *c, int64_t cust, int64_t at, const char *key)
{
  t_event(c, cust, "purchase", at, 5000, NULL, key);
}

/* Messages of a trigger for one customer, and the n-th one's key. */
static int64_t count_of(crm *c, int64_t cust)
{
  return tg_count_of(c, "win_back", cust);
}

/* ---- time rules on the way to an event ------------------------------------ */

/* Default lifecycle (at risk after max(60 d, 2 x the usual gap) of
 * silence, lost after 365 d). D0 = NOW - 300 d, the clock moves along.
 *
 * Bo buys at D0 and D0 + 10 d (repeat; usual gap 10 d, so at risk from
 * D0 + 10 d + 60 d = D0 + 70 d). No advance runs; a contact at D0 + 71 d
 * applies the rule first (at risk, dated D0 + 70 d) and leaves him there:
 * one win-back, due at the contact (D0 + 71 d). A purchase at D0 + 100 d
 * reactivates him (no win-back); purchases D0, D0 + 10 d, D0 + 100 d give
 * a usual gap of 100 d / 2 = 50 d, x 2 = 100 d: at risk from D0 + 200 d,
 * which the advance at D0 + 201 d applies: a second win-back, its own
 * transition, its own key.
 *
 * Cy buys at D0 and D0 + 10 d too, then again at D0 + 71 d: the rule
 * makes him at risk on the way to that purchase, which reactivates him at
 * once: no win-back (before, one was queued as he bought). His usual gap
 * is then 71 d / 2 = 35.5 d, x 2 = 71 d: at risk from D0 + 142 d, which
 * the same advance applies 59 days late: past max_age_hours (48), no
 * win-back (the moment to win him back was two months ago).
 *
 * Di's same three purchases are imported at NOW, long after: nothing (the
 * rule's at-risk spell, the reactivation, all dated 200+ days back). */
static void test_time_rules_before_an_event(void **state)
{
  const int64_t d0 = NOW - 300 * DAY;
  tg_env e;
  int64_t bo, cy, di;
  size_t n = 0;
  tg_msg m1, m2;

  (void)state;
  tg_open(&e, d0, "", WIN_BACK);
  bo = tg_customer(e.c, "bo", "Bo Berg", NULL, NULL);
  cy = tg_customer(e.c, "cy", "Cy Young", NULL, NULL);
  di = tg_customer(e.c, "di", "Di Lund", NULL, NULL);
  buy(e.c, bo, d0, "b1");
  buy(e.c, cy, d0, "c1");
  crm_set_now(e.c, d0 + 10 * DAY);
  buy(e.c, bo, d0 + 10 * DAY, "b2");
  buy(e.c, cy, d0 + 10 * DAY, "c2");

  crm_set_now(e.c, d0 + 71 * DAY);
  t_event(e.c, bo, "contact", d0 + 71 * DAY, 0, NULL, "b-contact");
  assert_int_equal(t_stage(e.c, bo), CRM_STAGE_AT_RISK);
  assert_int_equal(count_of(e.c, bo), 1);
  m1 = tg_message(e.c, "win_back", 0);
  assert_string_equal(m1.body, "We miss you, Bo (repeat -> at_risk)");
  assert_int_equal(m1.next_at, d0 + 71 * DAY);
  buy(e.c, cy, d0 + 71 * DAY, "c3");
  assert_int_equal(t_stage(e.c, cy), CRM_STAGE_REACTIVATED);
  assert_int_equal(count_of(e.c, cy), 0);

  crm_set_now(e.c, d0 + 100 * DAY);
  buy(e.c, bo, d0 + 100 * DAY, "b3");
  assert_int_equal(t_stage(e.c, bo), CRM_STAGE_REACTIVATED);
  crm_set_now(e.c, d0 + 201 * DAY);
  assert_int_equal(crm_lifecycle_advance(e.c, d0 + 201 * DAY, &n), CRM_OK);
  assert_int_equal(t_stage(e.c, bo), CRM_STAGE_AT_RISK);
  assert_int_equal(t_stage(e.c, cy), CRM_STAGE_AT_RISK);
  assert_int_equal(count_of(e.c, bo), 2);
  assert_int_equal(count_of(e.c, cy), 0);
  m2 = tg_message(e.c, "win_back", 1);
  assert_int_equal(m2.customer_id, bo);
  assert_int_equal(m2.next_at, d0 + 201 * DAY);
  assert_string_not_equal(m1.dedupe, m2.dedupe);

  crm_set_now(e.c, NOW);
  buy(e.c, di, d0, "d1");
  buy(e.c, di, d0 + 10 * DAY, "d2");
  t_event(e.c, di, "contact", d0 + 80 * DAY, 0, NULL, "d-contact");
  assert_int_equal(t_stage(e.c, di), CRM_STAGE_AT_RISK);
  buy(e.c, di, d0 + 100 * DAY, "d3");
  assert_int_equal(t_stage(e.c, di), CRM_STAGE_REACTIVATED);
  assert_int_equal(count_of(e.c, di), 0);
  assert_int_equal(tg_count(e.c, "win_back"), 2);
  tg_close(&e);
}

/* ---- keys ------------------------------------------------------------------ */

/* A 32-byte trigger name, a 64-byte scheme and a 32-byte tier make
 * "t:<trigger>:<customer>:<scheme>:<tier>:<at>" 2 + 32 + 1 + 1 + 1 + 64 +
 * 1 + 32 + 1 + 10 = 145 bytes, more than the 128 of a key: the part after
 * the customer becomes "h" + 16 hex digits (54 bytes in all). Two tier
 * changes a day apart are two messages (before, both keys were cut to the
 * same 128 bytes and the second was lost); the first again is still one. */
static void test_tier_keys_with_long_names(void **state)
{
  static const char trg[] = "tier_up_with_a_name_of_32_bytes_";
  static const char scheme[] =
    "a_scheme_with_a_very_long_name_that_takes_all_of_its_64_bytes___";
  static const char tier[] = "platinum_with_a_long_tier_name__";
  char conf[256];
  tg_env e;
  int64_t dan;
  tg_msg m1, m2;

  (void)state;
  assert_int_equal(strlen(trg), 32);
  assert_int_equal(strlen(scheme), 64);
  assert_int_equal(strlen(tier), 32);
  snprintf(conf, sizeof(conf), "{ name = \"%s\"; on = \"tier\";"
           " template = \"tier_up\"; }", trg);
  tg_open(&e, NOW, "", conf);
  dan = tg_customer(e.c, "dan", "Dan Ek", NULL, NULL);
  assert_int_equal(crm__trigger_on_tier(e.c, dan, scheme, "base", tier, 1,
                                        NOW - DAY), 0);
  assert_int_equal(crm__trigger_on_tier(e.c, dan, scheme, "base", tier, 1,
                                        NOW), 0);
  assert_int_equal(crm__trigger_on_tier(e.c, dan, scheme, "base", tier, 1,
                                        NOW - DAY), 0);
  assert_int_equal(tg_count(e.c, trg), 2);
  m1 = tg_message(e.c, trg, 0);
  m2 = tg_message(e.c, trg, 1);
  assert_int_equal(strlen(m1.dedupe), 54);
  assert_int_equal(strlen(m2.dedupe), 54);
  assert_true(strncmp(m1.dedupe, "t:tier_up_with_a_name_of_32_bytes_:1:h",
                      38) == 0);
  assert_string_not_equal(m1.dedupe, m2.dedupe);
  tg_close(&e);
}

/* ---- no blank values -------------------------------------------------------- */

/* Two tier triggers whose templates use {{old_tier}}, for an account that
 * had no tier before (a scheme that got tiers later). "{{old_tier}}"
 * alone rendered an empty body, which the outbox refuses: the tier
 * change itself failed (CRM_EINVAL). "from {{old_tier}} to {{new_tier}}"
 * queued "from  to gold". Now both record a refused message naming
 * {{old_tier}}, and the change goes through. */
static void test_no_blank_old_tier(void **state)
{
  char text[2048];
  tg_env e;
  int64_t ann;
  tg_msg m;

  (void)state;
  memset(&e, 0, sizeof(e));
  lt_dir_init(&e.dir);
  e.c = t_open_mem(NOW);
  snprintf(text, sizeof(text),
           "communication = {\n"
           "  require_opt_in = false;\n"
           "  channels = ( { name = \"email\"; component = \"file\";"
           " address = \"email\"; } );\n"
           "  templates = ( { name = \"bare\"; body = \"{{old_tier}}\"; },\n"
           "    { name = \"move\"; body = \"from {{old_tier}} to"
           " {{new_tier}}\"; } );\n"
           "  triggers = ( { name = \"bare\"; on = \"tier\";"
           " template = \"bare\"; },\n"
           "    { name = \"move\"; on = \"tier\"; template = \"move\"; }"
           " );\n};\n");
  snprintf(e.conf, sizeof(e.conf), "%s", lt_write(&e.dir, "crm.conf", text));
  if(crm_load_config(e.c, e.conf, FIXDIR))
    fail_msg("crm_load_config: %s", crm_errmsg(e.c));
  ann = tg_customer(e.c, "ann", "Ann Lee", NULL, NULL);
  assert_int_equal(crm__trigger_on_tier(e.c, ann, "club", NULL, "gold", 1,
                                        NOW), 0);
  assert_int_equal(crm__trigger_on_tier(e.c, ann, "club", "", "gold", 1,
                                        NOW + 60), 0);
  assert_int_equal(tg_count(e.c, "bare"), 2);
  assert_int_equal(tg_count(e.c, "move"), 2);
  m = tg_message(e.c, "bare", 0);
  assert_string_equal(m.status, "refused");
  assert_non_null(strstr(m.error, "{{old_tier}}"));
  m = tg_message(e.c, "move", 1);
  assert_string_equal(m.status, "refused");
  assert_true(strncmp(m.error, "cannot render: ", 15) == 0);
  assert_non_null(strstr(m.error, "{{old_tier}}"));
  /* with a tier before, both speak */
  assert_int_equal(crm__trigger_on_tier(e.c, ann, "club", "silver", "gold",
                                        1, NOW + 120), 0);
  assert_string_equal(tg_message(e.c, "bare", 2).body, "silver");
  assert_string_equal(tg_message(e.c, "move", 2).body, "from silver to gold");
  tg_close(&e);
}

/* ---- the survey gets the whole summary -------------------------------------- */

static int first_case(void *ud, const crm_case *k)
{
  *(int64_t *)ud = k->id;
  return 1;
}

/* A complaint whose summary is "x" and 600 "é" (1 + 1200 = 1201 bytes,
 * within the 2000 a case takes): the survey body carries all of it
 * (before, it was cut at 1024 bytes, inside the "é" that starts at byte
 * 1023, leaving invalid UTF-8 in the message). */
static void test_case_summary_whole(void **state)
{
  char summary[1300], payload[1400], want[1400], body[4096];
  tg_env e;
  int64_t fay, cid = 0;
  size_t o = 0;
  int i;

  (void)state;
  summary[o++] = 'x';
  for(i = 0; i < 600; i++) {
    summary[o++] = (char)0xc3;
    summary[o++] = (char)0xa9;
  }
  summary[o] = '\0';
  assert_int_equal(strlen(summary), 1201);
  tg_open(&e, NOW, TG_BASIC_CASE,
          "{ name = \"survey\"; on = \"case_closed\"; template = \"survey\";"
          " }");
  fay = tg_customer(e.c, "fay", "Fay Wu", NULL, NULL);
  snprintf(payload, sizeof(payload),
           "{\"summary\":\"%s\",\"category\":\"delivery\"}", summary);
  t_event(e.c, fay, "complaint", NOW - 60, 0, payload, "k1");
  assert_int_equal(crm_cases_foreach(e.c, fay, first_case, &cid), 1);
  assert_int_equal(crm_case_move(e.c, cid, "Assigned", NULL), 0);
  assert_int_equal(crm_case_move(e.c, cid, "Resolved", NULL), 0);
  assert_int_equal(crm_case_move(e.c, cid, "Closed", "done"), 0);
  assert_int_equal(tg_count(e.c, "survey"), 1);
  {
    sqlite3_stmt *st;

    assert_int_equal(sqlite3_prepare_v2(e.c->db, "SELECT body FROM messages"
                                        " WHERE trigger = 'survey'", -1, &st,
                                        NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    crm__col_text(st, 0, body, sizeof(body));
    sqlite3_finalize(st);
  }
  snprintf(want, sizeof(want), "How did we do on case C-%06lld (%s)?",
           (long long)cid, summary);
  assert_string_equal(body, want);
  tg_close(&e);
}

/* ---- numbers in conditions --------------------------------------------------- */

/* "attr.score > 10" on a referral: only plain decimal numbers count.
 * "12" and "1.5e1" (15) are above 10; "0x10" (hex), " 12" (a blank
 * before), "inf" and "9" are not numbers or not above: two messages
 * (before, strtod took the hex, the blank and "inf": five). */
static void test_condition_numbers(void **state)
{
  static const char *const scores[] = {"12", "1.5e1", "0x10", " 12", "inf",
                                       "9"};
  tg_env e;
  int64_t id[6];
  char ext[8], key[8];
  size_t i;

  (void)state;
  tg_open(&e, NOW, "",
          "{ name = \"thanks\"; on = \"event\"; event = \"referral\";"
          " template = \"thanks\"; condition = \"attr.score > 10\"; }");
  for(i = 0; i < 6; i++) {
    snprintf(ext, sizeof(ext), "c%zu", i);
    snprintf(key, sizeof(key), "r%zu", i);
    id[i] = tg_customer(e.c, ext, "Ann Lee", NULL, NULL);
    assert_int_equal(crm_customer_set_attr(e.c, id[i], "score", scores[i]),
                     0);
    t_event(e.c, id[i], "referral", NOW - 60, 0, NULL, key);
  }
  assert_int_equal(tg_count(e.c, "thanks"), 2);
  assert_int_equal(tg_count_of(e.c, "thanks", id[0]), 1);
  assert_int_equal(tg_count_of(e.c, "thanks", id[1]), 1);
  tg_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_time_rules_before_an_event),
    cmocka_unit_test(test_tier_keys_with_long_names),
    cmocka_unit_test(test_no_blank_old_tier),
    cmocka_unit_test(test_case_summary_whole),
    cmocka_unit_test(test_condition_numbers),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
