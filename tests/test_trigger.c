/*
 * test_trigger.c - lifecycle triggers fired as their causes happen: a
 * stage change (welcome on the first purchase, win-back on at_risk), a
 * tier change (up / down), an event (thanks for a referral), a case
 * closing (a survey an hour later); each fires once per cause and never
 * twice; a trigger that cannot render leaves a refused message while its
 * purchase succeeds; config mistakes are refused at load with their
 * line. Fixed clock; every value worked out by hand in the comments.
 */
#include "trigger_test.h"

/* 2026-03-02T12:00:00Z, a Monday */
#define NOW INT64_C(1772452800)
#define DAY T_DAY

static crm_ingest_result purchase(crm *c, int64_t cust, int64_t at,
                                  const char *payload, const char *key)
{
  return t_event(c, cust, "purchase", at, 5000, payload, key);
}

/* ---- stage ------------------------------------------------------------- */

/* Ann (no points yet) buys at NOW - 2 d earning 120 points (fx_loyalty
 * reads "pts"): she moves prospect -> first_purchase and the welcome is
 * queued with the points of that very purchase (the stage trigger fires
 * after the event is applied), due now (the cause is in the past, no
 * delay), under the key t:welcome:<customer>:<transition id>. The same
 * purchase again is a duplicate (no message); a second purchase on
 * another day makes her "repeat", which no trigger listens to: still
 * one message. */
static void test_welcome_on_first_purchase(void **state)
{
  tg_env e;
  crm_ingest_result r;
  int64_t ann, tid;
  tg_msg m;
  char key[64];

  (void)state;
  tg_open(&e, NOW, TG_POINTS,
          "{ name = \"welcome\"; on = \"stage\"; stage = \"first_purchase\";"
          " template = \"welcome\"; }");
  ann = tg_customer(e.c, "ann", "Ann Lee", NULL, NULL);
  assert_int_equal(tg_count(e.c, "welcome"), 0);
  r = purchase(e.c, ann, NOW - 2 * DAY, "{\"pts\":120}", "p1");
  assert_int_equal(r.stage_after, CRM_STAGE_FIRST_PURCHASE);
  assert_int_equal(r.points, 120);
  assert_int_equal(tg_count(e.c, "welcome"), 1);
  m = tg_message(e.c, "welcome", 0);
  assert_int_equal(m.customer_id, ann);
  assert_string_equal(m.status, "queued");
  assert_string_equal(m.channel, "email");
  assert_string_equal(m.template_name, "welcome");
  assert_string_equal(m.language, "en");
  assert_string_equal(m.subject, "Welcome to Example Shop, Ann");
  assert_string_equal(m.body, "Hello Ann, you have 120 points.");
  assert_int_equal(m.priority, CRM_PRIORITY_MARKETING);
  assert_int_equal(m.next_at, NOW);
  tid = tg_int(e.c, "SELECT id FROM lifecycle_transitions WHERE"
               " customer_id = ?2 AND to_stage = 4", NULL, ann);
  snprintf(key, sizeof(key), "t:welcome:%lld:%lld", (long long)ann,
           (long long)tid);
  assert_string_equal(m.dedupe, key);

  r = purchase(e.c, ann, NOW - 2 * DAY, "{\"pts\":120}", "p1");
  assert_int_equal(r.duplicate, 1);
  r = purchase(e.c, ann, NOW - 60, NULL, "p2");
  assert_int_equal(r.stage_after, CRM_STAGE_REPEAT);
  assert_int_equal(tg_count(e.c, "welcome"), 1);
  tg_close(&e);
}

/* max_age_hours: importing history writes to nobody. With the default
 * 48 h, a first purchase dated 3 days before the clock queues nothing
 * (Ann), one dated 47 h before does (Bo). With max_age_hours = 0 the
 * 3-day-old purchase fires (Cy, second handle). */
static void test_old_causes_fire_nothing(void **state)
{
  tg_env e;
  int64_t ann, bo, cy;

  (void)state;
  tg_open(&e, NOW, TG_POINTS,
          "{ name = \"welcome\"; on = \"stage\"; stage = \"first_purchase\";"
          " template = \"welcome\"; }");
  ann = tg_customer(e.c, "ann", "Ann Lee", NULL, NULL);
  bo = tg_customer(e.c, "bo", "Bo Berg", NULL, NULL);
  purchase(e.c, ann, NOW - 3 * DAY, "{\"pts\":10}", "a1");
  purchase(e.c, bo, NOW - 47 * 3600, "{\"pts\":10}", "b1");
  assert_int_equal(tg_count_of(e.c, "welcome", ann), 0);
  assert_int_equal(tg_count_of(e.c, "welcome", bo), 1);
  tg_close(&e);

  tg_open(&e, NOW, TG_POINTS,
          "{ name = \"welcome\"; on = \"stage\"; stage = \"first_purchase\";"
          " template = \"welcome\"; max_age_hours = 0; }");
  cy = tg_customer(e.c, "cy", "Cy Young", NULL, NULL);
  purchase(e.c, cy, NOW - 3 * DAY, "{\"pts\":10}", "c1");
  assert_int_equal(tg_count_of(e.c, "welcome", cy), 1);
  tg_close(&e);
}

/* Win-back, driven as tests/test_lifecycle.c does: Bo buys at D0 and
 * D0 + 10 d (repeat); his usual gap 10 d x factor 2 = 20 d is below the
 * 60-day floor, so he turns at_risk at D0 + 70 d. Cy bought once at D0:
 * at_risk at D0 + 60 d, but the condition purchase_count >= 2 is false
 * for him. A daily advance applies each an hour after the rule's time
 * (well inside max_age_hours 48): Cy at D0 + 60 d + 1 h (nothing), Bo at
 * D0 + 70 d + 1 h (one win-back, due then). Another advance changes
 * nothing and sends nothing. (An advance days late sends nothing:
 * test_trigger_cause.c.) */
static void test_win_back_when_at_risk(void **state)
{
  const int64_t d0 = NOW - 100 * DAY;
  tg_env e;
  int64_t bo, cy;
  size_t n = 0;
  tg_msg m;

  (void)state;
  tg_open(&e, d0, "",
          "{ name = \"win_back\"; on = \"stage\"; stage = \"at_risk\";"
          " template = \"win_back\"; condition = \"purchase_count >= 2\"; }");
  bo = tg_customer(e.c, "bo", "Bo Berg", NULL, NULL);
  cy = tg_customer(e.c, "cy", "Cy Young", NULL, NULL);
  purchase(e.c, bo, d0, NULL, "b1");
  purchase(e.c, cy, d0, NULL, "c1");
  crm_set_now(e.c, d0 + 10 * DAY);
  purchase(e.c, bo, d0 + 10 * DAY, NULL, "b2");
  assert_int_equal(t_stage(e.c, bo), CRM_STAGE_REPEAT);
  crm_set_now(e.c, d0 + 60 * DAY + 3600);
  assert_int_equal(crm_lifecycle_advance(e.c, d0 + 60 * DAY + 3600, &n),
                   CRM_OK);
  assert_int_equal(n, 1);
  assert_int_equal(t_stage(e.c, cy), CRM_STAGE_AT_RISK);
  assert_int_equal(t_stage(e.c, bo), CRM_STAGE_REPEAT);
  assert_int_equal(tg_count(e.c, "win_back"), 0);
  crm_set_now(e.c, d0 + 70 * DAY + 3600);
  assert_int_equal(crm_lifecycle_advance(e.c, d0 + 70 * DAY + 3600, &n),
                   CRM_OK);
  assert_int_equal(n, 1);
  assert_int_equal(t_stage(e.c, bo), CRM_STAGE_AT_RISK);
  assert_int_equal(tg_count(e.c, "win_back"), 1);
  m = tg_message(e.c, "win_back", 0);
  assert_int_equal(m.customer_id, bo);
  assert_string_equal(m.body, "We miss you, Bo (repeat -> at_risk)");
  assert_int_equal(m.next_at, d0 + 70 * DAY + 3600); /* now, not D0+70d */
  assert_int_equal(crm_lifecycle_advance(e.c, d0 + 70 * DAY + 3600, &n),
                   CRM_OK);
  assert_int_equal(tg_count(e.c, "win_back"), 1);
  tg_close(&e);
}

/* ---- tier ---------------------------------------------------------------- */

/* 1200 points at NOW reach silver (1000): tier_up "silver in fx_loyalty
 * (was base)", keyed t:tier_up:<customer>:fx_loyalty:silver:<NOW>;
 * tier_down stays quiet. The review at NOW + 365 d finds the window
 * (NOW, NOW + 365 d] empty: down to base, and only tier_down speaks. */
static void test_tier_up_and_down(void **state)
{
  tg_env e;
  crm_due_stats st;
  int64_t dan;
  tg_msg m;
  char key[96];

  (void)state;
  tg_open(&e, NOW, TG_TIERS,
          "{ name = \"tier_up\"; on = \"tier\"; direction = \"up\";"
          " template = \"tier_up\"; },"
          "{ name = \"tier_down\"; on = \"tier\"; direction = \"down\";"
          " template = \"tier_down\"; }");
  dan = tg_customer(e.c, "dan", "Dan Ek", NULL, NULL);
  purchase(e.c, dan, NOW, "{\"pts\":1200}", "d1");
  assert_int_equal(tg_count(e.c, "tier_up"), 1);
  assert_int_equal(tg_count(e.c, "tier_down"), 0);
  m = tg_message(e.c, "tier_up", 0);
  assert_string_equal(m.body, "silver in fx_loyalty (was base)");
  snprintf(key, sizeof(key), "t:tier_up:%lld:fx_loyalty:silver:%lld",
           (long long)dan, (long long)NOW);
  assert_string_equal(m.dedupe, key);

  crm_set_now(e.c, NOW + 366 * DAY);
  assert_int_equal(crm_points_process_due(e.c, NOW + 365 * DAY, &st), 0);
  assert_int_equal(st.tier_changes, 1);
  assert_int_equal(tg_count(e.c, "tier_up"), 1);
  assert_int_equal(tg_count(e.c, "tier_down"), 1);
  m = tg_message(e.c, "tier_down", 0);
  assert_string_equal(m.body, "down to base");
  assert_int_equal(crm_points_process_due(e.c, NOW + 365 * DAY, &st), 0);
  assert_int_equal(tg_count(e.c, "tier_down"), 1);
  tg_close(&e);
}

/* ---- events and conditions ---------------------------------------------- */

/* Dee (Asia/Tokyo, attr vip = yes) refers someone at 2026-03-02T20:00Z,
 * 05:00 on 2026-03-03 in Tokyo: "Thanks for the referral on 2026-03-03",
 * keyed by the event id. The event again: duplicate, nothing new; a
 * second referral is a second cause, a second message. Eve (no vip
 * attribute) refers too: the condition attr.vip = yes is false. */
static void test_event_referral_with_condition(void **state)
{
  const int64_t now = NOW + 12 * 3600; /* 2026-03-03T00:00Z */
  tg_env e;
  crm_ingest_result r;
  int64_t dee, eve;
  tg_msg m;
  char key[64];

  (void)state;
  tg_open(&e, now, "",
          "{ name = \"referral_thanks\"; on = \"event\"; event = \"referral\";"
          " template = \"thanks\"; condition = \"attr.vip = yes\"; }");
  dee = tg_customer(e.c, "dee", "Dee Ito", "Asia/Tokyo", NULL);
  eve = tg_customer(e.c, "eve", "Eve Ono", NULL, NULL);
  assert_int_equal(crm_customer_set_attr(e.c, dee, "vip", "yes"), 0);
  r = t_event(e.c, dee, "referral", NOW + 8 * 3600, 0, NULL, "ref1");
  assert_int_equal(tg_count(e.c, "referral_thanks"), 1);
  m = tg_message(e.c, "referral_thanks", 0);
  assert_string_equal(m.body, "Thanks for the referral on 2026-03-03");
  snprintf(key, sizeof(key), "t:referral_thanks:%lld",
           (long long)r.event_id);
  assert_string_equal(m.dedupe, key);
  r = t_event(e.c, dee, "referral", NOW + 8 * 3600, 0, NULL, "ref1");
  assert_int_equal(r.duplicate, 1);
  assert_int_equal(tg_count(e.c, "referral_thanks"), 1);
  t_event(e.c, dee, "referral", now - 60, 0, NULL, "ref2");
  assert_int_equal(tg_count(e.c, "referral_thanks"), 2);
  m = tg_message(e.c, "referral_thanks", 1);
  assert_string_equal(m.body, "Thanks for the referral on 2026-03-03");
  t_event(e.c, eve, "referral", now - 60, 0, NULL, "ref3");
  assert_int_equal(tg_count_of(e.c, "referral_thanks", eve), 0);
  assert_int_equal(tg_count(e.c, "referral_thanks"), 2);
  tg_close(&e);
}

/* ---- cases --------------------------------------------------------------- */

static int first_case(void *ud, const crm_case *k)
{
  *(int64_t *)ud = k->id;
  return 1;
}

/* A complaint opens a basic_case case (New); Assigned and Resolved send
 * nothing; Closed (the final state) queues the survey: a service message
 * (the default for case_closed) due 60 minutes after the close, keyed
 * t:survey:case:<id>. */
static void test_survey_after_case_closed(void **state)
{
  tg_env e;
  int64_t fay, cid = 0;
  tg_msg m;
  char text[96];

  (void)state;
  tg_open(&e, NOW, TG_BASIC_CASE,
          "{ name = \"survey\"; on = \"case_closed\"; template = \"survey\";"
          " delay_minutes = 60; }");
  fay = tg_customer(e.c, "fay", "Fay Wu", NULL, NULL);
  t_event(e.c, fay, "complaint", NOW - 60, 0,
          "{\"summary\":\"late delivery\",\"category\":\"delivery\"}", "k1");
  assert_int_equal(crm_cases_foreach(e.c, fay, first_case, &cid), 1);
  assert_true(cid > 0);
  assert_int_equal(crm_case_move(e.c, cid, "Assigned", NULL), 0);
  assert_int_equal(crm_case_move(e.c, cid, "Resolved", NULL), 0);
  assert_int_equal(tg_count(e.c, "survey"), 0);
  assert_int_equal(crm_case_move(e.c, cid, "Closed", "done"), 0);
  assert_int_equal(tg_count(e.c, "survey"), 1);
  m = tg_message(e.c, "survey", 0);
  snprintf(text, sizeof(text), "How did we do on case C-%06lld (late "
           "delivery)?", (long long)cid);
  assert_string_equal(m.body, text);
  assert_int_equal(m.priority, CRM_PRIORITY_SERVICE);
  assert_int_equal(m.next_at, NOW + 3600);
  snprintf(text, sizeof(text), "t:survey:case:%lld", (long long)cid);
  assert_string_equal(m.dedupe, text);
  tg_close(&e);
}

/* ---- a trigger that cannot render ----------------------------------------- */

/* "Your tier: {{tier}}" for a customer with no tier (no points account):
 * the purchase is recorded and moves the stage as always, and the
 * trigger leaves a refused message saying why. */
static void test_unrenderable_trigger_is_refused(void **state)
{
  tg_env e;
  crm_ingest_result r;
  crm_customer cu;
  int64_t gus;
  tg_msg m;

  (void)state;
  tg_open(&e, NOW, "",
          "{ name = \"tier_note\"; on = \"stage\"; stage = \"first_purchase\";"
          " template = \"needs_tier\"; }");
  gus = tg_customer(e.c, "gus", "Gus Holm", NULL, NULL);
  r = purchase(e.c, gus, NOW - 60, NULL, "g1");
  assert_int_equal(r.duplicate, 0);
  assert_true(r.event_id > 0);
  assert_int_equal(crm_customer_get(e.c, gus, &cu), 0);
  assert_int_equal(cu.stage, CRM_STAGE_FIRST_PURCHASE);
  assert_int_equal(cu.purchase_count, 1);
  assert_int_equal(tg_count(e.c, "tier_note"), 1);
  m = tg_message(e.c, "tier_note", 0);
  assert_string_equal(m.status, "refused");
  assert_string_equal(m.error_class, "refused");
  assert_true(strncmp(m.error, "cannot render: ", 15) == 0);
  assert_non_null(strstr(m.error, "{{tier}}"));
  assert_string_equal(m.body, "");
  /* the same purchase again: no second refusal */
  purchase(e.c, gus, NOW - 60, NULL, "g1");
  assert_int_equal(tg_count(e.c, "tier_note"), 1);
  tg_close(&e);
}

/* ---- listing -------------------------------------------------------------- */

static int list_cb(void *ud, const crm_trigger_info *t)
{
  char *out = ud;
  size_t n = strlen(out);

  snprintf(out + n, 512 - n, "%s|%s|%s|%s|%s|%d|%s|%lld;", t->name, t->on,
           t->detail, t->template, t->channel, t->priority,
           t->condition ? t->condition : "-", (long long)t->fired);
  return 0;
}

/* crm_trigger_foreach: each enabled trigger with its detail and the
 * messages it made; a disabled one is not listed and never fires. */
static void test_trigger_list(void **state)
{
  tg_env e;
  char out[512] = "";
  int64_t hal;

  (void)state;
  tg_open(&e, NOW, "",
          "{ name = \"welcome\"; on = \"stage\"; stage = \"first_purchase\";"
          " template = \"welcome\"; condition = \"stage = first\"; },"
          "{ name = \"survey\"; on = \"case_closed\"; template = \"survey\";"
          " delay_minutes = 60; },"
          "{ name = \"off\"; on = \"stage\"; stage = \"first_purchase\";"
          " template = \"win_back\"; enabled = false; }");
  hal = tg_customer(e.c, "hal", "Hal Moe", NULL, NULL);
  purchase(e.c, hal, NOW - 60, NULL, "h1");
  assert_int_equal(crm_trigger_foreach(e.c, list_cb, out), 0);
  assert_string_equal(out,
                      "welcome|stage|stage first_purchase|welcome|preferred|"
                      "0|stage = first|1;"
                      "survey|case_closed|case closed, 60 min later|survey|"
                      "preferred|1|-|0;");
  assert_int_equal(tg_count(e.c, "off"), 0);
  tg_close(&e);
}

/* ---- config errors ----------------------------------------------------------- */

struct bad_conf {
  const char *triggers; /* on line 18 of the generated file */
  const char *msg;      /* after "PATH:18: " */
};

static const struct bad_conf bad[] = {
  {"{ name = \"a\"; on = \"stage\"; stage = \"lost\"; template = \"win_back\";"
   " }, { name = \"a\"; on = \"tier\"; template = \"tier_up\"; }",
   "trigger \"a\" is defined twice (first at line 18)"},
  {"{ name = \"a\"; on = \"birthdays\"; template = \"birthday\"; }",
   "trigger \"a\": unknown on = \"birthdays\" (expected stage, tier, event, "
   "case_closed, birthday, member_day or points_expiring)"},
  {"{ name = \"a\"; on = \"stage\"; stage = \"lost\"; days_before = 3;"
   " template = \"win_back\"; }",
   "trigger \"a\": unknown setting \"days_before\" for on = \"stage\" "
   "(expected stage, max_age_hours, name, on, template, channel, priority, condition, "
   "enabled or delay_minutes)"},
  {"{ name = \"a\"; on = \"stage\"; stage = \"gold\"; template = \"win_back\";"
   " }",
   "trigger \"a\": unknown stage \"gold\" (prospect, qualified, parked, "
   "first_purchase, repeat, loyal, at_risk, lost or reactivated)"},
  {"{ name = \"a\"; on = \"tier\"; direction = \"sideways\";"
   " template = \"tier_up\"; }",
   "trigger \"a\": direction must be \"up\", \"down\" or \"any\", not "
   "\"sideways\""},
  {"{ name = \"a\"; on = \"member_day\"; weekday = \"tue\";"
   " day_of_month = 3; template = \"member_day\"; }",
   "trigger \"a\": weekday and day_of_month are both set (one only)"},
  {"{ name = \"a\"; on = \"member_day\"; weekday = \"tuesday\";"
   " template = \"member_day\"; }",
   "trigger \"a\": weekday must be one of sun, mon, tue, wed, thu, fri, sat, "
   "not \"tuesday\""},
  {"{ name = \"a\"; on = \"birthday\"; at = \"9:00\";"
   " template = \"birthday\"; }",
   "trigger \"a\": at must be \"HH:MM\" (00:00 to 23:59), not \"9:00\""},
  {"{ name = \"a\"; on = \"points_expiring\"; days_before = 0;"
   " template = \"expiring\"; }",
   "trigger \"a\": days_before must be 1 to 365, not 0"},
  {"{ name = \"a\"; on = \"case_closed\"; delay_minutes = 600000;"
   " template = \"survey\"; }",
   "trigger \"a\": delay_minutes must be 0 to 525600, not 600000"},
  {"{ name = \"a\"; on = \"stage\"; stage = \"lost\"; template = \"nope\"; }",
   "trigger \"a\": no template \"nope\" (communication.templates)"},
  {"{ name = \"welcome\"; on = \"stage\"; stage = \"first_purchase\";"
   " template = \"survey\"; }",
   "trigger \"welcome\": template \"survey\" (*, en) uses {{case_number}}, "
   "which a stage trigger does not give"},
  {"{ name = \"a\"; on = \"event\"; event = \"referral\";"
   " template = \"expiring\"; }",
   "trigger \"a\": template \"expiring\" (*, en) uses {{expiring_points}}, "
   "which an event trigger does not give"},
  {"{ name = \"a\"; on = \"stage\"; stage = \"lost\"; template = \"win_back\";"
   " channel = \"pigeon\"; }",
   "trigger \"a\": unknown channel \"pigeon\" (not in "
   "communication.channels)"},
  {"{ name = \"a\"; on = \"stage\"; stage = \"lost\"; template = \"win_back\";"
   " condition = \"spend > 10\"; }",
   "trigger \"a\": condition: unknown field \"spend\" (expected stage, tier, "
   "points_balance, purchase_count, monetary_total, contact_count or "
   "attr.NAME)"},
  {"{ name = \"a\"; on = \"stage\"; stage = \"lost\"; template = \"win_back\";"
   " condition = \"points_balance => 10\"; }",
   "trigger \"a\": condition: unknown operator after \"points_balance\" at "
   "\"=> 10\" (expected =, !=, <, <=, > or >=)"},
  {"{ name = \"a\"; on = \"stage\"; stage = \"lost\"; template = \"win_back\";"
   " condition = \"points_balance >= ten\"; }",
   "trigger \"a\": condition: points_balance needs a whole number, not "
   "\"ten\""},
  {"{ name = \"a\"; on = \"stage\"; stage = \"lost\"; template = \"win_back\";"
   " condition = \"attr.score > 0x10\"; }",
   "trigger \"a\": condition: attr.score > needs a number, not \"0x10\""},
  {"{ name = \"a\"; on = \"stage\"; stage = \"lost\"; template = \"win_back\";"
   " condition = \"stage > lost\"; }",
   "trigger \"a\": condition: stage takes = or != only, not >"},
  {"{ name = \"a\"; on = \"stage\"; stage = \"lost\"; template = \"win_back\";"
   " condition = \"stage = lost or tier = gold\"; }",
   "trigger \"a\": condition: expected \"and\" or the end at \"or tier = "
   "gold\""},
  {"{ name = \"a\"; on = \"stage\"; template = \"win_back\"; }",
   "trigger \"a\" needs stage = \"first_purchase\"; (the stage the customer "
   "moves to)"},
};

/* Each mistake: crm_config_check refuses the file with FILE:18: reason
 * (the triggers are on line 18: 4 lines of communication settings, 13 of
 * templates; see tg_conf_text). */
static void test_config_errors(void **state)
{
  tg_env e;
  char err[1024];
  char want[1200];
  size_t i;

  (void)state;
  tg_open(&e, NOW, "", "");
  for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    tg_write(&e, "", bad[i].triggers);
    err[0] = '\0';
    assert_int_equal(crm_config_check(e.conf, err, sizeof(err)),
                     CRM_ECONFIG);
    snprintf(want, sizeof(want), "%s:18: %s", e.conf, bad[i].msg);
    if(strcmp(err, want))
      fail_msg("case %zu:\n got  %s\n want %s", i, err, want);
  }
  tg_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_welcome_on_first_purchase),
    cmocka_unit_test(test_old_causes_fire_nothing),
    cmocka_unit_test(test_win_back_when_at_risk),
    cmocka_unit_test(test_tier_up_and_down),
    cmocka_unit_test(test_event_referral_with_condition),
    cmocka_unit_test(test_survey_after_case_closed),
    cmocka_unit_test(test_unrenderable_trigger_is_refused),
    cmocka_unit_test(test_trigger_list),
    cmocka_unit_test(test_config_errors),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
