/*
 * test_trigger_due.c - the schedule triggers: birthday at 09:00 local in
 * New York and Tokyo (daylight saving on one side), Feb 29 in common
 * years, member days by weekday and day of month, points about to
 * expire (and not when they were spent), rows kept current as customers
 * change, seeding once per definition. Every due time is worked out by
 * hand in the comments (US DST 2026 starts Sunday 8 March, 2027 Sunday
 * 14 March; Paris 2026 Sunday 29 March; Tokyo has none).
 */
#include "trigger_test.h"

/* 2026-03-02T12:00:00Z, a Monday */
#define NOW INT64_C(1772452800)
#define DAY T_DAY

#define BIRTHDAY_TRIGGER                                                    \
  "{ name = \"birthday\"; on = \"birthday\"; at = \"09:00\";"               \
  " template = \"birthday\"; }"

static int64_t seeds(crm *c)
{
  return tg_int(c, "SELECT count(*) FROM trigger_seed", NULL, 0);
}

static const char *seed_def(crm *c, const char *trigger)
{
  static char def[128];
  sqlite3_stmt *st;

  def[0] = '\0';
  assert_int_equal(sqlite3_prepare_v2(c->db, "SELECT definition FROM"
                                      " trigger_seed WHERE trigger = ?1", -1,
                                      &st, NULL), SQLITE_OK);
  sqlite3_bind_text(st, 1, trigger, -1, SQLITE_STATIC);
  if(sqlite3_step(st) == SQLITE_ROW)
    crm__col_text(st, 0, def, sizeof(def));
  sqlite3_finalize(st);
  return def;
}

typedef struct info {
  int64_t due, next_due_at, fired;
} info;

static int info_cb(void *ud, const crm_trigger_info *t)
{
  info *i = ud;

  i->due = t->due;
  i->next_due_at = t->next_due_at;
  i->fired = t->fired;
  return 0;
}

/* ---- birthday ------------------------------------------------------------- */

/* On the day itself, after `at`: Lea (Europe/Paris, born 1990-03-02) is
 * created at NOW = 2026-03-02 12:00Z = 13:00 CET, after 09:00 CET =
 * 08:00Z. Her row is today's 08:00Z, due at once: the first run (which
 * also seeds the trigger: seeding must not push her to 2027) sends one
 * message; her row moves to 2027-03-02 09:00 CET = 08:00Z. */
static void test_birthday_created_on_the_day(void **state)
{
  const int64_t today = tg_time("2026-03-02T08:00:00Z");
  const int64_t next = tg_time("2027-03-02T08:00:00Z");
  tg_env e;
  int64_t lea;

  (void)state;
  tg_open(&e, NOW, "", BIRTHDAY_TRIGGER);
  lea = tg_customer(e.c, "lea", "Lea Roux", "Europe/Paris", "1990-03-02");
  assert_int_equal(tg_due(e.c, "birthday", lea), today);
  assert_int_equal(tg_run(e.c, NOW), 1);
  assert_int_equal(tg_count_of(e.c, "birthday", lea), 1);
  assert_int_equal(tg_due(e.c, "birthday", lea), next);
  assert_int_equal(tg_run(e.c, NOW + 60), 0);
  tg_close(&e);
}

/* Nia (America/New_York, born 1990-03-10) and Tomo (Asia/Tokyo, born
 * 1985-03-10); Ole has no birthday. 09:00 on 2026-03-10 is EDT (UTC-4)
 * in New York: 13:00Z; JST (UTC+9) in Tokyo: 00:00Z the same day. The
 * rows exist as soon as the customers do; the first run seeds (same
 * rows) and fires nothing. At 00:00Z Tomo's fires ("41 today"), at
 * 13:00Z Nia's ("36 today"); each row moves to 2027-03-10 09:00 local:
 * 00:00Z in Tokyo, 14:00Z in New York (still EST on 10 March 2027). Runs
 * repeated at the same instant fire nothing more. */
static void test_birthday_in_two_zones(void **state)
{
  const int64_t tokyo = tg_time("2026-03-10T00:00:00Z");
  const int64_t newyork = tg_time("2026-03-10T13:00:00Z");
  tg_env e;
  int64_t nia, tomo, ole;
  info i;
  tg_msg m;
  char key[64];

  (void)state;
  tg_open(&e, NOW, "", BIRTHDAY_TRIGGER);
  nia = tg_customer(e.c, "nia", "Nia Ross", "America/New_York",
                    "1990-03-10");
  tomo = tg_customer(e.c, "tomo", "Tomo Kato", "Asia/Tokyo", "1985-03-10");
  ole = tg_customer(e.c, "ole", "Ole Dahl", "Europe/Oslo", NULL);
  assert_int_equal(tg_due(e.c, "birthday", nia), newyork);
  assert_int_equal(tg_due(e.c, "birthday", tomo), tokyo);
  assert_int_equal(tg_due(e.c, "birthday", ole), -1);

  assert_int_equal(tg_run(e.c, 0), 0);
  assert_string_equal(seed_def(e.c, "birthday"), "birthday at 09:00");
  assert_int_equal(tg_due(e.c, "birthday", nia), newyork);
  assert_int_equal(tg_due(e.c, "birthday", tomo), tokyo);
  memset(&i, 0, sizeof(i));
  assert_int_equal(crm_trigger_foreach(e.c, info_cb, &i), 0);
  assert_int_equal(i.due, 2);
  assert_int_equal(i.next_due_at, tokyo);
  assert_int_equal(i.fired, 0);

  crm_set_now(e.c, tokyo - 1);
  assert_int_equal(tg_run(e.c, 0), 0);
  crm_set_now(e.c, tokyo);
  assert_int_equal(tg_run(e.c, 0), 1);
  m = tg_message(e.c, "birthday", 0);
  assert_int_equal(m.customer_id, tomo);
  assert_string_equal(m.body, "Happy birthday, Tomo: 41 today");
  assert_int_equal(m.next_at, tokyo);
  snprintf(key, sizeof(key), "t:birthday:%lld:2026-03-10", (long long)tomo);
  assert_string_equal(m.dedupe, key);
  assert_int_equal(tg_due(e.c, "birthday", tomo),
                   tg_time("2027-03-10T00:00:00Z"));
  assert_int_equal(tg_run(e.c, 0), 0);

  crm_set_now(e.c, newyork);
  assert_int_equal(tg_run(e.c, 0), 1);
  assert_int_equal(tg_run(e.c, 0), 0);
  m = tg_message(e.c, "birthday", 1);
  assert_int_equal(m.customer_id, nia);
  assert_string_equal(m.body, "Happy birthday, Nia: 36 today");
  assert_int_equal(tg_due(e.c, "birthday", nia),
                   tg_time("2027-03-10T14:00:00Z"));
  assert_int_equal(tg_count(e.c, "birthday"), 2);
  assert_int_equal(crm_trigger_foreach(e.c, info_cb, &i), 0);
  assert_int_equal(i.fired, 2);
  assert_int_equal(i.next_due_at, tg_time("2027-03-10T00:00:00Z"));
  tg_close(&e);
}

/* Born 2000-02-29 (UTC): 2026 and 2027 are common years, so the birthday
 * is kept on Feb 28 (09:00Z), then 2028-02-29 (a leap year). Ages 26,
 * 27. */
static void test_birthday_feb_29(void **state)
{
  const int64_t y26 = tg_time("2026-02-28T09:00:00Z");
  const int64_t y27 = tg_time("2027-02-28T09:00:00Z");
  tg_env e;
  int64_t lea;

  (void)state;
  tg_open(&e, tg_time("2026-02-01T00:00:00Z"), "", BIRTHDAY_TRIGGER);
  lea = tg_customer(e.c, "lea", "Lea Park", NULL, "2000-02-29");
  assert_int_equal(tg_due(e.c, "birthday", lea), y26);
  crm_set_now(e.c, y26);
  assert_int_equal(tg_run(e.c, 0), 1);
  assert_string_equal(tg_message(e.c, "birthday", 0).body,
                      "Happy birthday, Lea: 26 today");
  assert_int_equal(tg_due(e.c, "birthday", lea), y27);
  crm_set_now(e.c, y27);
  assert_int_equal(tg_run(e.c, 0), 1);
  assert_string_equal(tg_message(e.c, "birthday", 1).body,
                      "Happy birthday, Lea: 27 today");
  assert_int_equal(tg_due(e.c, "birthday", lea),
                   tg_time("2028-02-29T09:00:00Z"));
  tg_close(&e);
}

/* After seeding, the rows follow the customers without another pass:
 * Nia moves to Europe/Paris (09:00 CET on 10 March = 08:00Z); a customer
 * added later has a row at once; a birthday cleared takes its row away. */
static void test_birthday_rows_follow_customers(void **state)
{
  crm_customer_fields f;
  tg_env e;
  int64_t nia, max;

  (void)state;
  tg_open(&e, NOW, "", BIRTHDAY_TRIGGER);
  nia = tg_customer(e.c, "nia", "Nia Ross", "America/New_York",
                    "1990-03-10");
  assert_int_equal(tg_run(e.c, 0), 0);
  memset(&f, 0, sizeof(f));
  f.timezone = "Europe/Paris";
  assert_int_equal(crm_customer_update(e.c, nia, &f), 0);
  assert_int_equal(tg_due(e.c, "birthday", nia),
                   tg_time("2026-03-10T08:00:00Z"));
  /* 1999-12-31 at 09:00 UTC; the next one after NOW is 2026-12-31 */
  max = tg_customer(e.c, "max", "Max Roe", NULL, "1999-12-31");
  assert_int_equal(tg_due(e.c, "birthday", max),
                   tg_time("2026-12-31T09:00:00Z"));
  memset(&f, 0, sizeof(f));
  f.birthday = "";
  assert_int_equal(crm_customer_update(e.c, nia, &f), 0);
  assert_int_equal(tg_due(e.c, "birthday", nia), -1);
  tg_close(&e);
}

/* Late, and a zone changed after the message. Nia (New York, born
 * 1990-03-10) is due 2026-03-10 09:00 EDT = 13:00Z; the schedule runs
 * only on 2026-03-13 at 15:00Z: her greeting goes then, once, with the
 * age of that birthday (36), keyed by its date, and the row moves to
 * 2027-03-10 09:00 EST = 14:00Z. Tomo (Tokyo, born 1985-03-10) is greeted
 * at 2026-03-10 00:00Z (09:00 JST); at 01:00Z he moves to Los Angeles,
 * where it is still 9 March (18:00 PDT): his row comes back to 2026-03-10
 * 09:00 PDT = 16:00Z, and when it falls due the date's key is taken: no
 * second greeting; the row moves to 2027-03-10 09:00 PST = 17:00Z. */
static void test_birthday_late_and_moved(void **state)
{
  const int64_t tokyo = tg_time("2026-03-10T00:00:00Z");
  const int64_t late = tg_time("2026-03-13T15:00:00Z");
  crm_customer_fields f;
  tg_env e;
  int64_t nia, tomo;
  tg_msg m;
  char key[64];

  (void)state;
  tg_open(&e, NOW, "", BIRTHDAY_TRIGGER);
  nia = tg_customer(e.c, "nia", "Nia Ross", "America/New_York",
                    "1990-03-10");
  tomo = tg_customer(e.c, "tomo", "Tomo Kato", "Asia/Tokyo", "1985-03-10");
  crm_set_now(e.c, tokyo);
  assert_int_equal(tg_run(e.c, 0), 1);
  assert_int_equal(tg_count_of(e.c, "birthday", tomo), 1);
  crm_set_now(e.c, tokyo + 3600);
  memset(&f, 0, sizeof(f));
  f.timezone = "America/Los_Angeles";
  assert_int_equal(crm_customer_update(e.c, tomo, &f), 0);
  assert_int_equal(tg_due(e.c, "birthday", tomo),
                   tg_time("2026-03-10T16:00:00Z"));

  crm_set_now(e.c, late);
  assert_int_equal(tg_run(e.c, 0), 1);
  assert_int_equal(tg_count_of(e.c, "birthday", nia), 1);
  assert_int_equal(tg_count_of(e.c, "birthday", tomo), 1);
  m = tg_message(e.c, "birthday", 1);
  assert_int_equal(m.customer_id, nia);
  assert_string_equal(m.body, "Happy birthday, Nia: 36 today");
  assert_int_equal(m.next_at, late);
  snprintf(key, sizeof(key), "t:birthday:%lld:2026-03-10", (long long)nia);
  assert_string_equal(m.dedupe, key);
  assert_int_equal(tg_due(e.c, "birthday", nia),
                   tg_time("2027-03-10T14:00:00Z"));
  assert_int_equal(tg_due(e.c, "birthday", tomo),
                   tg_time("2027-03-10T17:00:00Z"));
  assert_int_equal(tg_run(e.c, 0), 0);
  tg_close(&e);
}

/* Two processes on one store: one runs the schedule while the other
 * moves a customer. Tomo (Tokyo, born 1985-03-10) is due 2026-03-10
 * 00:00Z (09:00 JST). Handle A runs the schedule at that instant; just as
 * it opens its transaction (a trace on its connection), handle B moves
 * Tomo to Los Angeles, which puts his row at 2026-03-10 09:00 PDT =
 * 16:00Z. A must see the row as it now is (not due) and send nothing;
 * at 16:00Z the one greeting goes, keyed 2026-03-10. Before, A fired
 * the copy it had read before its transaction: a greeting keyed with
 * the Los Angeles date of 00:00Z, 2026-03-09, then a second at 16:00Z. */
typedef struct race {
  crm *other;
  int64_t cust;
  int done;
} race;

static int race_trace(unsigned type, void *ud, void *stmt, void *x)
{
  race *r = ud;
  crm_customer_fields f;

  (void)type;
  (void)x;
  if(r->done || strcmp(sqlite3_sql(stmt), "BEGIN IMMEDIATE"))
    return 0;
  r->done = 1;
  memset(&f, 0, sizeof(f));
  f.timezone = "America/Los_Angeles";
  if(crm_customer_update(r->other, r->cust, &f))
    fail_msg("crm_customer_update: %s", crm_errmsg(r->other));
  return 0;
}

static void test_schedule_race(void **state)
{
  const int64_t tokyo = tg_time("2026-03-10T00:00:00Z");
  const int64_t la = tg_time("2026-03-10T16:00:00Z");
  char db[LT_PATH];
  tg_env e;
  crm *a = NULL, *b = NULL;
  race r;
  tg_msg m;

  (void)state;
  tg_open(&e, NOW, "", BIRTHDAY_TRIGGER);
  snprintf(db, sizeof(db), "%s/race.db", e.dir.path);
  assert_int_equal(crm_open(&a, db, CRM_OPEN_CREATE), 0);
  assert_int_equal(crm_open(&b, db, 0), 0);
  assert_int_equal(crm_load_config(a, e.conf, FIXDIR), 0);
  assert_int_equal(crm_load_config(b, e.conf, FIXDIR), 0);
  crm_set_now(a, NOW);
  crm_set_now(b, NOW);
  memset(&r, 0, sizeof(r));
  r.other = b;
  r.cust = tg_customer(a, "tomo", "Tomo Kato", "Asia/Tokyo", "1985-03-10");
  assert_int_equal(tg_run(a, NOW), 0); /* seeds, outside the race */
  crm_set_now(a, tokyo);
  crm_set_now(b, tokyo);
  sqlite3_trace_v2(a->db, SQLITE_TRACE_STMT, race_trace, &r);
  assert_int_equal(tg_run(a, 0), 0);
  sqlite3_trace_v2(a->db, 0, NULL, NULL);
  assert_int_equal(r.done, 1);
  assert_int_equal(tg_count(a, "birthday"), 0);
  assert_int_equal(tg_due(a, "birthday", r.cust), la);
  assert_int_equal(tg_run(a, la), 1);
  assert_int_equal(tg_count(a, "birthday"), 1);
  m = tg_message(a, "birthday", 0);
  assert_true(strstr(m.dedupe, ":2026-03-10") != NULL);
  crm_close(b);
  crm_close(a);
  tg_close(&e);
}

/* ---- member day ----------------------------------------------------------- */

/* Pia (Europe/Paris). weekly: Tuesdays 09:00 local; monthly: the 15th at
 * 10:00 local. From Monday NOW: weekly 2026-03-03 09:00 CET = 08:00Z,
 * monthly 2026-03-15 10:00 CET = 09:00Z. The Tuesday fires once and
 * moves a week on (03-10 08:00Z). A run only on the 15th at 09:00Z
 * finds both due: the missed Tuesday fires once, late, and moves past
 * now to 03-17 08:00Z; the 15th moves to 04-15 10:00 CEST = 08:00Z
 * (Paris is on summer time from 29 March). */
static void test_member_day(void **state)
{
  const int64_t tue = tg_time("2026-03-03T08:00:00Z");
  const int64_t mid = tg_time("2026-03-15T09:00:00Z");
  tg_env e;
  int64_t pia;
  tg_msg m;
  char key[64];

  (void)state;
  tg_open(&e, NOW, "",
          "{ name = \"weekly\"; on = \"member_day\"; weekday = \"tue\";"
          " template = \"member_day\"; },"
          "{ name = \"monthly\"; on = \"member_day\"; day_of_month = 15;"
          " at = \"10:00\"; template = \"member_day\"; }");
  pia = tg_customer(e.c, "pia", "Pia Lund", "Europe/Paris", NULL);
  assert_int_equal(tg_run(e.c, 0), 0);
  assert_int_equal(tg_due(e.c, "weekly", pia), tue);
  assert_int_equal(tg_due(e.c, "monthly", pia), mid);
  crm_set_now(e.c, tue);
  assert_int_equal(tg_run(e.c, 0), 1);
  assert_int_equal(tg_run(e.c, 0), 0);
  m = tg_message(e.c, "weekly", 0);
  assert_string_equal(m.body, "Member day 2026-03-03");
  snprintf(key, sizeof(key), "t:weekly:%lld:2026-03-03", (long long)pia);
  assert_string_equal(m.dedupe, key);
  assert_int_equal(tg_due(e.c, "weekly", pia),
                   tg_time("2026-03-10T08:00:00Z"));

  crm_set_now(e.c, mid);
  assert_int_equal(tg_run(e.c, 0), 2);
  assert_int_equal(tg_count(e.c, "weekly"), 2);
  assert_string_equal(tg_message(e.c, "weekly", 1).body,
                      "Member day 2026-03-10");
  assert_string_equal(tg_message(e.c, "monthly", 0).body,
                      "Member day 2026-03-15");
  assert_int_equal(tg_due(e.c, "weekly", pia),
                   tg_time("2026-03-17T08:00:00Z"));
  assert_int_equal(tg_due(e.c, "monthly", pia),
                   tg_time("2026-04-15T08:00:00Z"));
  assert_int_equal(tg_run(e.c, 0), 0);
  tg_close(&e);
}

/* ---- points expiring -------------------------------------------------------- */

static void spend(crm *c, int64_t cust, int64_t points, const char *key)
{
  crm_points_op op;

  memset(&op, 0, sizeof(op));
  op.idempotency_key = key;
  op.reason = "test spend";
  if(crm_points_adjust(c, cust, -points, &op))
    fail_msg("crm_points_adjust: %s", crm_errmsg(c));
}

/* Lots expiring at E = 2026-04-01T00:00Z can last be used on 2026-03-31
 * (UTC customers): 14 days before at 10:00 is 2026-03-17T10:00Z. Amy
 * earns two lots of 150 with that expiry (one row, one message: "300
 * points expire on 2026-03-31"); Ben earns 150 and spends them (no
 * message); Cal earns 50 (the condition points_balance >= 100 fails).
 * Every row is deleted once handled; a second run sends nothing. */
static void test_points_expiring(void **state)
{
  const int64_t due = tg_time("2026-03-17T10:00:00Z");
  tg_env e;
  int64_t amy, ben, cal;
  char payload[64];
  char key[64];
  tg_msg m;

  (void)state;
  tg_open(&e, NOW, TG_POINTS,
          "{ name = \"expiring\"; on = \"points_expiring\"; days_before = 14;"
          " at = \"10:00\"; template = \"expiring\";"
          " condition = \"points_balance >= 100\"; }");
  snprintf(payload, sizeof(payload), "{\"pts\":150,\"expires_at\":%lld}",
           (long long)tg_time("2026-04-01T00:00:00Z"));
  amy = tg_customer(e.c, "amy", "Amy Cho", NULL, NULL);
  ben = tg_customer(e.c, "ben", "Ben Ott", NULL, NULL);
  cal = tg_customer(e.c, "cal", "Cal Ray", NULL, NULL);
  t_event(e.c, amy, "purchase", NOW - DAY, 1000, payload, "a1");
  t_event(e.c, amy, "purchase", NOW, 1000, payload, "a2");
  t_event(e.c, ben, "purchase", NOW, 1000, payload, "b1");
  snprintf(payload, sizeof(payload), "{\"pts\":50,\"expires_at\":%lld}",
           (long long)tg_time("2026-04-01T00:00:00Z"));
  t_event(e.c, cal, "purchase", NOW, 1000, payload, "c1");
  assert_int_equal(tg_int(e.c, "SELECT count(*) FROM trigger_due", NULL, 0),
                   3);
  assert_int_equal(tg_due(e.c, "expiring", amy), due);
  spend(e.c, ben, 150, "s1");

  assert_int_equal(tg_run(e.c, 0), 0);
  assert_string_equal(seed_def(e.c, "expiring"),
                      "points_expiring 14 days before at 10:00");
  crm_set_now(e.c, due);
  assert_int_equal(tg_run(e.c, 0), 1);
  m = tg_message(e.c, "expiring", 0);
  assert_int_equal(m.customer_id, amy);
  assert_string_equal(m.body, "300 points expire on 2026-03-31");
  snprintf(key, sizeof(key), "t:expiring:%lld:2026-03-31", (long long)amy);
  assert_string_equal(m.dedupe, key);
  assert_int_equal(tg_count_of(e.c, "expiring", ben), 0);
  assert_int_equal(tg_count_of(e.c, "expiring", cal), 0);
  assert_int_equal(tg_int(e.c, "SELECT count(*) FROM trigger_due", NULL, 0),
                   0);
  assert_int_equal(tg_run(e.c, 0), 0);
  assert_int_equal(tg_count(e.c, "expiring"), 1);
  tg_close(&e);
}

/* ---- seeding ------------------------------------------------------------------ */

#define WEEKLY(day, tpl)                                                    \
  "{ name = \"weekly\"; on = \"member_day\"; weekday = \"" day "\";"        \
  " template = \"" tpl "\"; }"

/* The first run records the definition and builds the rows (UTC
 * customers: Tuesday 2026-03-03 09:00Z). A row removed behind its back
 * is not rebuilt by later runs, nor after a change that leaves the
 * schedule alone (another template): no second pass. Moving the day to
 * Wednesday reseeds: both rows at 2026-03-04 09:00Z. Removing the
 * trigger removes its rows and its seed. */
static void test_seeding_once_per_definition(void **state)
{
  tg_env e;
  int64_t a, b;

  (void)state;
  tg_open(&e, NOW, "", WEEKLY("tue", "member_day"));
  a = tg_customer(e.c, "a", "A", NULL, NULL);
  b = tg_customer(e.c, "b", "B", NULL, NULL);
  assert_int_equal(seeds(e.c), 0);
  assert_int_equal(tg_run(e.c, 0), 0);
  assert_int_equal(seeds(e.c), 1);
  assert_string_equal(seed_def(e.c, "weekly"),
                      "member_day weekday tue at 09:00");
  assert_int_equal(tg_due(e.c, "weekly", a), tg_time("2026-03-03T09:00:00Z"));
  assert_int_equal(tg_due(e.c, "weekly", b), tg_time("2026-03-03T09:00:00Z"));
  assert_int_equal(sqlite3_exec(e.c->db, "DELETE FROM trigger_due WHERE"
                                " customer_id = 2", NULL, NULL, NULL),
                   SQLITE_OK);
  assert_int_equal(tg_run(e.c, 0), 0);
  assert_int_equal(tg_due(e.c, "weekly", b), -1);

  tg_write(&e, "", WEEKLY("tue", "welcome"));
  assert_int_equal(crm_reload_config(e.c), 0);
  assert_int_equal(tg_run(e.c, 0), 0);
  assert_int_equal(tg_due(e.c, "weekly", b), -1);

  tg_write(&e, "", WEEKLY("wed", "member_day"));
  assert_int_equal(crm_reload_config(e.c), 0);
  assert_int_equal(tg_run(e.c, 0), 0);
  assert_string_equal(seed_def(e.c, "weekly"),
                      "member_day weekday wed at 09:00");
  assert_int_equal(tg_due(e.c, "weekly", a), tg_time("2026-03-04T09:00:00Z"));
  assert_int_equal(tg_due(e.c, "weekly", b), tg_time("2026-03-04T09:00:00Z"));

  tg_write(&e, "", "");
  assert_int_equal(crm_reload_config(e.c), 0);
  assert_int_equal(tg_run(e.c, 0), 0);
  assert_int_equal(seeds(e.c), 0);
  assert_int_equal(tg_int(e.c, "SELECT count(*) FROM trigger_due", NULL, 0),
                   0);
  tg_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_birthday_created_on_the_day),
    cmocka_unit_test(test_birthday_in_two_zones),
    cmocka_unit_test(test_birthday_feb_29),
    cmocka_unit_test(test_birthday_rows_follow_customers),
    cmocka_unit_test(test_birthday_late_and_moved),
    cmocka_unit_test(test_schedule_race),
    cmocka_unit_test(test_member_day),
    cmocka_unit_test(test_points_expiring),
    cmocka_unit_test(test_seeding_once_per_definition),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
