/*
 * test_tier.c - tiers: upgrades at once on points, credits, count or
 * spend; the rolling window; reviews that keep, grace that ends in a
 * downgrade or is ended by qualifying activity; the global due walk;
 * refunds that undo an upgrade no review has confirmed yet; stored tier
 * events; multipliers and the status read. Fixed clock, all
 * dates worked out by hand.
 *
 * The window as of t is (t - 365 days, t]: the activity of the instant
 * a tier is reached is out of it at the review 365 days later.
 *
 * Scheme fx_loyalty: window 365, review 365, grace 30 days;
 *   base; silver: points 1000 or credits 5000, x1.25;
 *   gold: points 5000 or count 10 or spend 1000000, x1.5.
 * Scheme fx_loyalty2: the same levels without grace.
 */
#include <stdio.h>
#include <string.h>

#include "crm_test.h"
#include "loader_util.h"
#include "points_int.h"

#define D T_DAY
#define LEVELS                                                              \
  "levels = ( { name = \"base\"; },\n"                                      \
  "  { name = \"silver\"; points = 1000; credits = 5000;"                   \
  " multiplier = 1.25; },\n"                                                \
  "  { name = \"gold\"; points = 5000; count = 10; spend = 1000000;"        \
  " multiplier = 1.5; } );\n"

static const char conf_text[] =
  "plugins = { load = (\n"
  "  { name = \"fx_loyalty\"; scheme = { tiers = {\n"
  "    window_days = 365; review_days = 365; grace_days = 30;\n" LEVELS
  "  }; }; },\n"
  "  { name = \"fx_loyalty2\"; scheme = { tiers = {\n" LEVELS
  "  }; }; }\n"
  "); };\n";

static lt_dir dir;
static int64_t T0; /* 2026-01-01T00:00:00Z */

typedef struct tt {
  crm *c;
  const crm__scheme *s;
  const crm__scheme *s2;
} tt;

static int setup(void **state)
{
  static tt t;
  crm__component *k;

  lt_dir_init(&dir);
  assert_int_equal(crm_time_parse("2026-01-01", &T0), 0);
  t.c = lt_open(NULL);
  crm_set_now(t.c, T0);
  if(crm_load_config(t.c, lt_write(&dir, "crm.conf", conf_text), FIXDIR))
    fail_msg("load: %s", crm_errmsg(t.c));
  assert_int_equal(crm__scheme_find(t.c, "fx_loyalty", &k, &t.s), 0);
  assert_int_equal(crm__scheme_find(t.c, "fx_loyalty2", &k, &t.s2), 0);
  *state = &t;
  return 0;
}

static int teardown(void **state)
{
  tt *t = *state;

  crm_close(t->c);
  lt_dir_done(&dir);
  return 0;
}

/* Activity of one event, then the check, in one transaction. */
static void act_in(tt *t, const crm__scheme *s, const char *scheme,
                   int64_t cust, int64_t at, int64_t pts, int64_t credits,
                   int64_t count, int64_t spend)
{
  int rc = crm__tx_begin(t->c);

  if(!rc)
    rc = crm__account_ensure(t->c, cust, scheme, s, at);
  if(!rc)
    rc = crm__tier_activity(t->c, cust, scheme, 0, at, pts, credits, count,
                            spend);
  if(!rc)
    rc = crm__tier_check(t->c, s, cust, scheme, at);
  if(rc) {
    crm__tx_rollback(t->c);
    fail_msg("activity: %s", crm_errmsg(t->c));
  }
  assert_int_equal(crm__tx_commit(t->c), 0);
}

static void act(tt *t, int64_t cust, int64_t at, int64_t pts,
                int64_t credits, int64_t count, int64_t spend)
{
  act_in(t, t->s, "fx_loyalty", cust, at, pts, credits, count, spend);
}

/* A return: activity booked at the purchase's time `at`, the check as of
 * the refund's time `as_of`. */
static void refund_act(tt *t, int64_t cust, int64_t at, int64_t as_of,
                       int64_t pts, int64_t count)
{
  int rc = crm__tx_begin(t->c);

  if(!rc)
    rc = crm__tier_activity(t->c, cust, "fx_loyalty", 0, at, pts, 0, count,
                            0);
  if(!rc)
    rc = crm__tier_check(t->c, t->s, cust, "fx_loyalty", as_of);
  if(rc) {
    crm__tx_rollback(t->c);
    fail_msg("refund activity: %s", crm_errmsg(t->c));
  }
  assert_int_equal(crm__tx_commit(t->c), 0);
}

static crm_due_stats due(tt *t, int64_t cust, int64_t as_of)
{
  crm_due_stats st;
  int rc;

  memset(&st, 0, sizeof(st));
  rc = crm__tx_begin(t->c);
  if(!rc)
    rc = crm__tier_due(t->c, cust, as_of, &st);
  if(rc) {
    crm__tx_rollback(t->c);
    fail_msg("due: %s", crm_errmsg(t->c));
  }
  assert_int_equal(crm__tx_commit(t->c), 0);
  return st;
}

static crm_points_account acct_in(tt *t, int64_t cust, const char *scheme)
{
  crm_points_account a;

  if(crm__account_read(t->c, cust, scheme, &a))
    fail_msg("account: %s", crm_errmsg(t->c));
  return a;
}

static crm_points_account acct(tt *t, int64_t cust)
{
  return acct_in(t, cust, "fx_loyalty");
}

/* Tier history as "from>to@day reason|" (day = days after T0). */
struct hist {
  char text[2048];
  int64_t event_ids[8];
  int n;
};

static int hist_cb(void *ud, const crm_tier_change *ch)
{
  struct hist *h = ud;
  size_t used = strlen(h->text);

  snprintf(h->text + used, sizeof(h->text) - used, "%s>%s@%lld %s|",
           ch->from_tier, ch->to_tier, (long long)((ch->at - T0) / D),
           ch->reason);
  if(h->n < 8)
    h->event_ids[h->n] = ch->event_id;
  h->n++;
  return 0;
}

static struct hist history(tt *t, int64_t cust, const char *scheme)
{
  struct hist h;

  memset(&h, 0, sizeof(h));
  assert_int_equal(crm_tier_history_foreach(t->c, cust, scheme, hist_cb, &h),
                   0);
  return h;
}

/* The stored event: "type|key|at-day|scheme|from|to|reason". */
static const char *event_text(tt *t, int64_t id)
{
  static char buf[1024];
  sqlite3_stmt *st;

  buf[0] = '\0';
  assert_int_equal(sqlite3_prepare_v2(t->c->db,
    "SELECT type || '|' || idem_key || '|' || ((occurred_at - ?2) / 86400)"
    " || '|' || json_extract(payload, '$.scheme') || '|' ||"
    " json_extract(payload, '$.from') || '|' || json_extract(payload,"
    " '$.to') || '|' || json_extract(payload, '$.reason') FROM events"
    " WHERE id = ?1", -1, &st, NULL), SQLITE_OK);
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int64(st, 2, T0);
  if(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
    snprintf(buf, sizeof(buf), "%s", sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  return buf;
}

/* ---- upgrades ----------------------------------------------------------- */

static void test_upgrade_on_points(void **state)
{
  tt *t = *state;
  int64_t cust = t_add_customer(t->c, "up-points");
  crm_points_account a;
  struct hist h;
  char want[256];

  act(t, cust, T0, 999, 0, 0, 0);
  a = acct(t, cust);
  assert_string_equal(a.tier, "base");
  assert_int_equal(a.tier_review_at, 0);
  act(t, cust, T0 + D, 1, 0, 0, 0);
  a = acct(t, cust);
  assert_string_equal(a.tier, "silver");
  assert_int_equal(a.tier_since, T0 + D);
  assert_int_equal(a.tier_review_at, T0 + 366 * D);
  assert_int_equal(a.tier_grace_until, 0);
  h = history(t, cust, "fx_loyalty");
  assert_string_equal(h.text, "base>silver@1 qualified on points: 1000 of "
                      "1000 in 365 days|");
  assert_true(h.event_ids[0] > 0);
  snprintf(want, sizeof(want), "tier_changed|core:tier:fx_loyalty:%lld:1|1|"
           "fx_loyalty|base|silver|qualified on points: 1000 of 1000 in "
           "365 days", (long long)cust);
  assert_string_equal(event_text(t, h.event_ids[0]), want);
}

static void test_upgrade_on_credits_count_spend(void **state)
{
  tt *t = *state;
  int64_t a1 = t_add_customer(t->c, "up-credits");
  int64_t a2 = t_add_customer(t->c, "up-count");
  int64_t a3 = t_add_customer(t->c, "up-spend");

  act(t, a1, T0, 0, 4999, 0, 0);
  assert_string_equal(acct(t, a1).tier, "base");
  act(t, a1, T0, 10, 1, 0, 0);
  assert_string_equal(acct(t, a1).tier, "silver");
  assert_string_equal(history(t, a1, NULL).text, "base>silver@0 qualified "
                      "on credits: 5000 of 5000 in 365 days|");
  /* straight from base to gold */
  act(t, a2, T0 + 2 * D, 0, 0, 10, 0);
  assert_string_equal(acct(t, a2).tier, "gold");
  assert_int_equal(acct(t, a2).tier_review_at, T0 + 367 * D);
  assert_string_equal(history(t, a2, "fx_loyalty").text, "base>gold@2 "
                      "qualified on count: 10 of 10 in 365 days|");
  /* silver has no spend threshold: base until gold's spend is met */
  act(t, a3, T0, 0, 0, 0, 600000);
  assert_string_equal(acct(t, a3).tier, "base");
  act(t, a3, T0 + 3 * D, 0, 0, 0, 400000);
  assert_string_equal(acct(t, a3).tier, "gold");
  assert_string_equal(history(t, a3, "fx_loyalty").text, "base>gold@3 "
                      "qualified on spend: 1000000 of 1000000 in 365 days|");
  /* another scheme's history is apart */
  assert_string_equal(history(t, a3, "fx_loyalty2").text, "");
}

/* Only (t - 365 days, t] counts; returns count negative. */
static void test_window(void **state)
{
  tt *t = *state;
  int64_t cust = t_add_customer(t->c, "window");

  act(t, cust, T0 - 366 * D, 0, 0, 0, 0); /* opens the account */
  act(t, cust, T0 - 366 * D, 999, 0, 0, 0);
  act(t, cust, T0, 1, 0, 0, 0);
  assert_string_equal(acct(t, cust).tier, "base");
  act(t, cust, T0, -300, 0, 0, 0);
  act(t, cust, T0 + D, 1200, 0, 0, 0); /* 1 - 300 + 1200 = 901 */
  assert_string_equal(acct(t, cust).tier, "base");
  act(t, cust, T0 + D, 99, 0, 0, 0); /* 1000 */
  assert_string_equal(acct(t, cust).tier, "silver");
}

/* ---- reviews, grace, downgrades ----------------------------------------- */

static void test_review_grace_downgrade(void **state)
{
  tt *t = *state;
  int64_t cust = t_add_customer(t->c, "grace");
  crm_points_account a;
  crm_due_stats st;
  struct hist h;
  char want[256];

  act(t, cust, T0, 1000, 0, 0, 0);
  act(t, cust, T0 + 100 * D, 1000, 0, 0, 0);
  assert_int_equal(acct(t, cust).tier_review_at, T0 + 365 * D);
  /* not before the review */
  st = due(t, cust, T0 + 365 * D - 1);
  assert_int_equal(st.tier_reviews, 0);
  assert_int_equal(acct(t, cust).tier_review_at, T0 + 365 * D);
  /* at the review the window (T0, T0+365] holds the 1000 of T0+100 */
  st = due(t, cust, T0 + 365 * D);
  assert_int_equal(st.tier_reviews, 1);
  assert_int_equal(st.tier_changes, 0);
  a = acct(t, cust);
  assert_string_equal(a.tier, "silver");
  assert_int_equal(a.tier_review_at, T0 + 730 * D);
  assert_int_equal(a.tier_grace_until, 0);
  /* next review: nothing in (T0+365, T0+730] -> 30 days of grace */
  st = due(t, cust, T0 + 730 * D);
  assert_int_equal(st.tier_reviews, 1);
  assert_int_equal(st.tier_changes, 0);
  a = acct(t, cust);
  assert_string_equal(a.tier, "silver");
  assert_int_equal(a.tier_grace_until, T0 + 760 * D);
  assert_int_equal(a.tier_review_at, T0 + 760 * D);
  st = due(t, cust, T0 + 760 * D - 1);
  assert_int_equal(st.tier_reviews, 0);
  assert_string_equal(acct(t, cust).tier, "silver");
  /* the end of the grace: down to base, no further review */
  st = due(t, cust, T0 + 760 * D);
  assert_int_equal(st.tier_reviews, 1);
  assert_int_equal(st.tier_changes, 1);
  a = acct(t, cust);
  assert_string_equal(a.tier, "base");
  assert_int_equal(a.tier_since, T0 + 760 * D);
  assert_int_equal(a.tier_review_at, 0);
  assert_int_equal(a.tier_grace_until, 0);
  h = history(t, cust, "fx_loyalty");
  assert_string_equal(h.text, "base>silver@0 qualified on points: 1000 of "
                      "1000 in 365 days|silver>base@760 grace ended: not "
                      "requalified (points 0, credits 0, count 0, spend 0 "
                      "in 365 days)|");
  snprintf(want, sizeof(want), "tier_changed|core:tier:fx_loyalty:%lld:2|"
           "760|fx_loyalty|silver|base|grace ended: not requalified "
           "(points 0, credits 0, count 0, spend 0 in 365 days)",
           (long long)cust);
  assert_string_equal(event_text(t, h.event_ids[1]), want);
  /* nothing more is due */
  st = due(t, cust, T0 + 2000 * D);
  assert_int_equal(st.tier_reviews, 0);
}

static void test_event_during_grace_keeps(void **state)
{
  tt *t = *state;
  int64_t cust = t_add_customer(t->c, "kept");
  crm_points_account a;
  crm_due_stats st;

  act(t, cust, T0, 1000, 0, 0, 0);
  act(t, cust, T0 + 100 * D, 1000, 0, 0, 0);
  due(t, cust, T0 + 730 * D); /* keep at 365, grace from 730 */
  a = acct(t, cust);
  assert_int_equal(a.tier_grace_until, T0 + 760 * D);
  act(t, cust, T0 + 740 * D, 1000, 0, 0, 0);
  a = acct(t, cust);
  assert_string_equal(a.tier, "silver");
  assert_int_equal(a.tier_since, T0);
  assert_int_equal(a.tier_grace_until, 0);
  assert_int_equal(a.tier_review_at, T0 + 1105 * D);
  st = due(t, cust, T0 + 760 * D);
  assert_int_equal(st.tier_reviews, 0);
  assert_string_equal(acct(t, cust).tier, "silver");
  act(t, cust, T0 + 800 * D, 1000, 0, 0, 0);
  /* activity that does not qualify leaves the grace running */
  due(t, cust, T0 + 1470 * D); /* 1105: keep (800 in window); 1470: grace */
  a = acct(t, cust);
  assert_int_equal(a.tier_grace_until, T0 + 1500 * D);
  act(t, cust, T0 + 1480 * D, 999, 0, 0, 0);
  a = acct(t, cust);
  assert_int_equal(a.tier_grace_until, T0 + 1500 * D);
  assert_int_equal(history(t, cust, "fx_loyalty").n, 1);
}

/* Gold ends in silver when the window still holds silver's points. */
static void test_downgrade_to_middle(void **state)
{
  tt *t = *state;
  int64_t cust = t_add_customer(t->c, "middle");
  crm_points_account a;

  act(t, cust, T0, 0, 0, 10, 0);
  act(t, cust, T0 + 10 * D, 0, 0, 10, 0);
  act(t, cust, T0 + 400 * D, 1000, 0, 0, 0);
  assert_string_equal(acct(t, cust).tier, "gold");
  due(t, cust, T0 + 760 * D); /* 365 keep; 730 grace; 760 down */
  a = acct(t, cust);
  assert_string_equal(a.tier, "silver");
  assert_int_equal(a.tier_since, T0 + 760 * D);
  assert_int_equal(a.tier_review_at, T0 + 1125 * D);
  assert_string_equal(history(t, cust, "fx_loyalty").text, "base>gold@0 "
                      "qualified on count: 10 of 10 in 365 days|gold>silver"
                      "@760 grace ended: not requalified (points 1000, "
                      "credits 0, count 0, spend 0 in 365 days)|");
}

/* Without grace the review downgrades at once. window_days =
 * review_days: the event that reached silver at T0 is out of the window
 * (T0, T0+365] of its review, so one event keeps a tier one term, not
 * two. */
static void test_no_grace(void **state)
{
  tt *t = *state;
  int64_t cust = t_add_customer(t->c, "nograce");
  crm_points_account a;
  crm_due_stats st;

  act_in(t, t->s2, "fx_loyalty2", cust, T0, 1000, 0, 0, 0);
  st = due(t, cust, T0 + 800 * D);
  assert_int_equal(st.tier_reviews, 1);
  assert_int_equal(st.tier_changes, 1);
  a = acct_in(t, cust, "fx_loyalty2");
  assert_string_equal(a.tier, "base");
  assert_int_equal(a.tier_since, T0 + 365 * D);
  assert_int_equal(a.tier_review_at, 0);
  assert_string_equal(history(t, cust, "fx_loyalty2").text, "base>silver@0 "
                      "qualified on points: 1000 of 1000 in 365 days|"
                      "silver>base@365 review: not requalified (points 0, "
                      "credits 0, count 0, spend 0 in 365 days)|");
}

/* The window's edges: as of T0+365 it is (T0, T0+365]: the 1000 of T0
 * are out, the 7 of T0+365 are in; a second earlier both are in. */
static void test_window_half_open(void **state)
{
  tt *t = *state;
  int64_t cust = t_add_customer(t->c, "edges");
  crm_tier_status ts;

  act(t, cust, T0, 1000, 0, 0, 0);
  act(t, cust, T0 + 365 * D, 7, 0, 0, 0);
  assert_int_equal(crm_tier_status_get(t->c, cust, "fx_loyalty",
                                       T0 + 365 * D, &ts), 0);
  assert_int_equal(ts.points, 7);
  assert_string_equal(ts.qualifies_for, "base");
  assert_int_equal(crm_tier_status_get(t->c, cust, "fx_loyalty",
                                       T0 + 365 * D - 1, &ts), 0);
  assert_int_equal(ts.points, 1000);
  assert_string_equal(ts.qualifies_for, "silver");
}

/* Global: through the review index, every step each account owes; an
 * account of a scheme that is not loaded waits. */
static void test_global_due(void **state)
{
  tt *t = *state;
  int64_t a = t_add_customer(t->c, "glob-a");
  int64_t b = t_add_customer(t->c, "glob-b");
  int64_t ghost_review = T0 + 10 * D;
  crm_due_stats st;
  sqlite3_stmt *q;
  char sql[256];

  act(t, a, T0, 1000, 0, 0, 0);
  act(t, a, T0 + 10 * D, 1000, 0, 0, 0);
  act(t, b, T0 + 500 * D, 0, 0, 10, 0);
  act(t, b, T0 + 501 * D, 0, 0, 10, 0);
  snprintf(sql, sizeof(sql), "INSERT INTO points_accounts(customer_id,"
           " scheme, tier, opened_at, tier_review_at) VALUES(%lld, 'ghost',"
           " 'x', 0, %lld)", (long long)a, (long long)ghost_review);
  assert_int_equal(sqlite3_exec(t->c->db, sql, NULL, NULL, NULL), SQLITE_OK);
  st = due(t, 0, T0 + 1000 * D);
  /* a: 365 keep, 730 grace, 760 down; b: 865 keep */
  assert_true(st.tier_reviews >= 4);
  assert_string_equal(acct(t, a).tier, "base");
  assert_string_equal(acct(t, b).tier, "gold");
  assert_int_equal(acct(t, b).tier_review_at, T0 + 1230 * D);
  assert_int_equal(sqlite3_prepare_v2(t->c->db, "SELECT tier_review_at FROM"
                   " points_accounts WHERE scheme = 'ghost'", -1, &q, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(q), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int64(q, 0), ghost_review);
  sqlite3_finalize(q);
}

/* ---- refunds of the activity that reached a tier ------------------------ */

#define UNDONE "upgrade undone: qualifying activity refunded "

/* Silver at T0 on 1000 points; the purchase comes back a day later
 * (-1000 booked at T0): the upgrade is undone at once, back to the state
 * before it (base since the account opened at T0, no review). */
static void test_refund_undoes_upgrade(void **state)
{
  tt *t = *state;
  int64_t cust = t_add_customer(t->c, "undo");
  crm_points_account a;
  struct hist h;
  char want[256];

  act(t, cust, T0, 1000, 0, 0, 0);
  assert_string_equal(acct(t, cust).tier, "silver");
  refund_act(t, cust, T0, T0 + D, -1000, 0);
  a = acct(t, cust);
  assert_string_equal(a.tier, "base");
  assert_int_equal(a.tier_since, T0);
  assert_int_equal(a.tier_review_at, 0);
  assert_int_equal(a.tier_grace_until, 0);
  h = history(t, cust, "fx_loyalty");
  assert_string_equal(h.text, "base>silver@0 qualified on points: 1000 of "
                      "1000 in 365 days|silver>base@1 " UNDONE "(points 0, "
                      "credits 0, count 0, spend 0 in 365 days)|");
  snprintf(want, sizeof(want), "tier_changed|core:tier:fx_loyalty:%lld:2|1|"
           "fx_loyalty|silver|base|" UNDONE "(points 0, credits 0, count 0, "
           "spend 0 in 365 days)", (long long)cust);
  assert_string_equal(event_text(t, h.event_ids[1]), want);
}

/* A tier a review confirmed stays until the next review: silver at T0,
 * kept at T0+365 on the 1000 of T0+100; those come back at T0+400 and
 * silver stays, judged at T0+730 (grace). */
static void test_refund_after_review_keeps(void **state)
{
  tt *t = *state;
  int64_t cust = t_add_customer(t->c, "confirmed");
  crm_points_account a;

  act(t, cust, T0, 1000, 0, 0, 0);
  act(t, cust, T0 + 100 * D, 1000, 0, 0, 0);
  due(t, cust, T0 + 365 * D);
  refund_act(t, cust, T0 + 100 * D, T0 + 400 * D, -1000, 0);
  a = acct(t, cust);
  assert_string_equal(a.tier, "silver");
  assert_int_equal(a.tier_review_at, T0 + 730 * D);
  assert_int_equal(history(t, cust, "fx_loyalty").n, 1);
  due(t, cust, T0 + 730 * D);
  assert_int_equal(acct(t, cust).tier_grace_until, T0 + 760 * D);
}

/* Silver confirmed at T0+365 (review T0+730); gold at T0+400 on a count
 * of 10 that is refunded at T0+410: gold is undone and silver comes
 * back as it was (since T0, review T0+730), not a new term. The window
 * as of T0+400 now holds the 1000 points of T0+100 only. */
static void test_refund_restores_confirmed(void **state)
{
  tt *t = *state;
  int64_t cust = t_add_customer(t->c, "restore");
  crm_points_account a;

  act(t, cust, T0, 1000, 0, 0, 0);
  act(t, cust, T0 + 100 * D, 1000, 0, 0, 0);
  due(t, cust, T0 + 365 * D);
  act(t, cust, T0 + 400 * D, 0, 0, 10, 0);
  a = acct(t, cust);
  assert_string_equal(a.tier, "gold");
  assert_int_equal(a.tier_review_at, T0 + 765 * D);
  refund_act(t, cust, T0 + 400 * D, T0 + 410 * D, 0, -10);
  a = acct(t, cust);
  assert_string_equal(a.tier, "silver");
  assert_int_equal(a.tier_since, T0);
  assert_int_equal(a.tier_review_at, T0 + 730 * D);
  assert_int_equal(a.tier_grace_until, 0);
  assert_string_equal(history(t, cust, "fx_loyalty").text, "base>silver@0 "
                      "qualified on points: 1000 of 1000 in 365 days|"
                      "silver>gold@400 qualified on count: 10 of 10 in 365 "
                      "days|gold>silver@410 " UNDONE "(points 1000, credits "
                      "0, count 0, spend 0 in 365 days)|");
  /* silver's own review: nothing in (T0+365, T0+730] */
  due(t, cust, T0 + 730 * D);
  a = acct(t, cust);
  assert_string_equal(a.tier, "silver");
  assert_int_equal(a.tier_grace_until, T0 + 760 * D);
}

/* The restored tier's review fell due while gold was held: it runs at
 * once. Silver kept at T0+365 (review T0+730); gold at T0+720; its count
 * comes back at T0+740: silver again, reviewed as of T0+730 (nothing in
 * (T0+365, T0+730] once the count is refunded): grace until T0+760. */
static void test_refund_restores_due_review(void **state)
{
  tt *t = *state;
  int64_t cust = t_add_customer(t->c, "restore-due");
  crm_points_account a;

  act(t, cust, T0, 1000, 0, 0, 0);
  act(t, cust, T0 + 100 * D, 1000, 0, 0, 0);
  due(t, cust, T0 + 365 * D);
  act(t, cust, T0 + 720 * D, 0, 0, 10, 0);
  assert_string_equal(acct(t, cust).tier, "gold");
  refund_act(t, cust, T0 + 720 * D, T0 + 740 * D, 0, -10);
  a = acct(t, cust);
  assert_string_equal(a.tier, "silver");
  assert_int_equal(a.tier_since, T0);
  assert_int_equal(a.tier_grace_until, T0 + 760 * D);
  assert_int_equal(a.tier_review_at, T0 + 760 * D);
  assert_int_equal(history(t, cust, "fx_loyalty").n, 3);
}

/* Straight to gold on 5000 points at T0. 4000 come back (T0+2): the
 * window as of T0 still holds 1000, silver: gold steps down to silver
 * (a new term from T0+2). The other 1000 come back (T0+3): silver was
 * part of the same unconfirmed upgrade, so base as before it. */
static void test_refund_partial_then_all(void **state)
{
  tt *t = *state;
  int64_t cust = t_add_customer(t->c, "partial");
  crm_points_account a;

  act(t, cust, T0, 5000, 0, 0, 0);
  refund_act(t, cust, T0, T0 + 2 * D, -4000, 0);
  a = acct(t, cust);
  assert_string_equal(a.tier, "silver");
  assert_int_equal(a.tier_since, T0 + 2 * D);
  assert_int_equal(a.tier_review_at, T0 + 367 * D);
  refund_act(t, cust, T0, T0 + 3 * D, -1000, 0);
  a = acct(t, cust);
  assert_string_equal(a.tier, "base");
  assert_int_equal(a.tier_since, T0);
  assert_int_equal(a.tier_review_at, 0);
  assert_string_equal(history(t, cust, "fx_loyalty").text, "base>gold@0 "
                      "qualified on points: 5000 of 5000 in 365 days|"
                      "gold>silver@2 " UNDONE "(points 1000, credits 0, "
                      "count 0, spend 0 in 365 days)|silver>base@3 " UNDONE
                      "(points 0, credits 0, count 0, spend 0 in 365 days)|");
}

/* Two upgrades in one term: silver on A (T0), gold on B (T0+10). B comes
 * back (T0+20): silver as it was. Then A comes back (T0+30): silver was
 * never confirmed either: base. */
static void test_refund_chain(void **state)
{
  tt *t = *state;
  int64_t cust = t_add_customer(t->c, "chain");
  crm_points_account a;

  act(t, cust, T0, 1000, 0, 0, 0);
  act(t, cust, T0 + 10 * D, 0, 0, 10, 0);
  assert_string_equal(acct(t, cust).tier, "gold");
  refund_act(t, cust, T0 + 10 * D, T0 + 20 * D, 0, -10);
  a = acct(t, cust);
  assert_string_equal(a.tier, "silver");
  assert_int_equal(a.tier_since, T0);
  assert_int_equal(a.tier_review_at, T0 + 365 * D);
  refund_act(t, cust, T0, T0 + 30 * D, -1000, 0);
  a = acct(t, cust);
  assert_string_equal(a.tier, "base");
  assert_int_equal(a.tier_review_at, 0);
  assert_int_equal(history(t, cust, "fx_loyalty").n, 4);
}

/* Only the activity that reached the tier counts, not the window's
 * ageing: silver at T0+200 on 600 (T0) + 400 (T0+200); 500 at T0+300
 * come back at T0+370, when the window (T0+5, T0+370] holds 400 only:
 * the upgrade's own window (as of T0+200) still holds 1000, silver
 * stays. When the 600 of T0 come back it does not. */
static void test_refund_not_ageing(void **state)
{
  tt *t = *state;
  int64_t cust = t_add_customer(t->c, "ageing");

  act(t, cust, T0, 600, 0, 0, 0);
  act(t, cust, T0 + 200 * D, 400, 0, 0, 0);
  act(t, cust, T0 + 300 * D, 500, 0, 0, 0);
  assert_string_equal(acct(t, cust).tier, "silver");
  refund_act(t, cust, T0 + 300 * D, T0 + 370 * D, -500, 0);
  assert_string_equal(acct(t, cust).tier, "silver");
  assert_int_equal(history(t, cust, "fx_loyalty").n, 1);
  refund_act(t, cust, T0, T0 + 380 * D, -600, 0);
  assert_string_equal(acct(t, cust).tier, "base");
  assert_int_equal(history(t, cust, "fx_loyalty").n, 2);
}

/* ---- multiplier and status ---------------------------------------------- */

static void test_multiplier_and_status(void **state)
{
  tt *t = *state;
  int64_t cust = t_add_customer(t->c, "status");
  int64_t fresh = t_add_customer(t->c, "status-new");
  crm_tier_status ts;
  char tier[33];
  double m = 0;

  assert_int_equal(crm__tier_multiplier(t->c, t->s, fresh, "fx_loyalty", &m,
                                        tier, sizeof(tier)), 0);
  assert_true(m == 1.0);
  assert_string_equal(tier, "base");
  act(t, cust, T0, 1200, 100, 2, 5000);
  assert_int_equal(crm__tier_multiplier(t->c, t->s, cust, "fx_loyalty", &m,
                                        tier, sizeof(tier)), 0);
  assert_true(m == 1.25);
  assert_string_equal(tier, "silver");
  assert_int_equal(crm_tier_status_get(t->c, cust, "fx_loyalty", T0 + 10 * D,
                                       &ts), 0);
  assert_string_equal(ts.scheme, "fx_loyalty");
  assert_string_equal(ts.tier, "silver");
  assert_true(ts.multiplier == 1.25);
  assert_int_equal(ts.since, T0);
  assert_int_equal(ts.review_at, T0 + 365 * D);
  assert_int_equal(ts.grace_until, 0);
  assert_int_equal(ts.window_from, T0 - 355 * D);
  assert_int_equal(ts.window_to, T0 + 10 * D);
  assert_int_equal(ts.points, 1200);
  assert_int_equal(ts.credits, 100);
  assert_int_equal(ts.count, 2);
  assert_int_equal(ts.spend, 5000);
  assert_string_equal(ts.qualifies_for, "silver");
  assert_string_equal(ts.next_tier, "gold");
  assert_int_equal(ts.next_points, 5000);
  assert_int_equal(ts.next_credits, 0);
  assert_int_equal(ts.next_count, 10);
  assert_int_equal(ts.next_spend, 1000000);
  /* a year and a day later the window is empty */
  assert_int_equal(crm_tier_status_get(t->c, cust, "fx_loyalty",
                                       T0 + 366 * D, &ts), 0);
  assert_int_equal(ts.points, 0);
  assert_string_equal(ts.qualifies_for, "base");
  /* no account yet: the base */
  assert_int_equal(crm_tier_status_get(t->c, fresh, "fx_loyalty", 0, &ts),
                   0);
  assert_string_equal(ts.tier, "base");
  assert_true(ts.multiplier == 1.0);
  assert_int_equal(ts.window_to, T0);
  assert_string_equal(ts.next_tier, "silver");
  assert_int_equal(ts.next_points, 1000);
  assert_int_equal(ts.next_credits, 5000);
  /* errors */
  assert_int_equal(crm_tier_status_get(t->c, 999999, "fx_loyalty", 0, &ts),
                   CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(t->c), "unknown customer #999999");
  assert_int_equal(crm_tier_status_get(t->c, cust, NULL, 0, &ts),
                   CRM_EINVAL);
  assert_string_equal(crm_errmsg(t->c), "several reward schemes are loaded "
                      "(fx_loyalty, fx_loyalty2); name one");
}

static void test_scheme_without_tiers(void **state)
{
  crm *c = lt_open(NULL);
  crm__component *k;
  const crm__scheme *s;
  crm_tier_status ts;
  int64_t cust = t_add_customer(c, "notiers");
  double m = 0;
  char tier[33] = "x";

  (void)state;
  assert_int_equal(crm_load_config(c, lt_write(&dir, "plain.conf",
                   "plugins = { load = ( { name = \"fx_loyalty\"; } ); };\n"),
                   FIXDIR), 0);
  assert_int_equal(crm__scheme_find(c, NULL, &k, &s), 0);
  assert_int_equal(crm__tier_multiplier(c, s, cust, "fx_loyalty", &m, tier,
                                        sizeof(tier)), 0);
  assert_true(m == 1.0);
  assert_string_equal(tier, "");
  assert_int_equal(crm__tier_check(c, s, cust, "fx_loyalty", T0), 0);
  assert_int_equal(crm_tier_status_get(c, cust, NULL, 0, &ts),
                   CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(c), "reward scheme \"fx_loyalty\" has no "
                      "tiers");
  crm_close(c);
}

/* ---- through events (the earning pipeline of points_earn.c) ------------- */

static int64_t line_sum(crm *c, int64_t cust, const char *kind, int line)
{
  sqlite3_stmt *st;
  int64_t v;

  assert_int_equal(sqlite3_prepare_v2(c->db, "SELECT coalesce(sum(points +"
                   " pending), 0) FROM points_ledger WHERE customer_id = ?1"
                   " AND kind = ?2 AND line = ?3", -1, &st, NULL),
                   SQLITE_OK);
  sqlite3_bind_int64(st, 1, cust);
  sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 3, line);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

static void test_events_end_to_end(void **state)
{
  crm *c = lt_open(NULL);
  int64_t cust;
  crm_tier_status ts;
  crm_points_account a;
  struct hist h;

  (void)state;
  crm_set_now(c, T0);
  assert_int_equal(crm_load_config(c, lt_write(&dir, "one.conf",
    "plugins = { load = ( { name = \"fx_loyalty\"; scheme = { tiers = {\n"
    "  grace_days = 30;\n" LEVELS "}; }; } ); };\n"), FIXDIR), 0);
  cust = t_add_customer(c, "e2e");
  t_event(c, cust, "purchase", T0, 5000, "{\"pts\":1000,\"count\":1}", "p1");
  assert_int_equal(crm__account_read(c, cust, "fx_loyalty", &a), 0);
  assert_string_equal(a.tier, "silver");
  /* the next purchase earns the silver bonus: floor(101 x 0.25) = 25 */
  t_event(c, cust, "purchase", T0 + D, 7000, "{\"pts\":101}", "p2");
  assert_int_equal(line_sum(c, cust, "earn", 0), 1101);
  assert_int_equal(line_sum(c, cust, "earn", 1), 25);
  assert_int_equal(crm_tier_status_get(c, cust, NULL, T0 + D, &ts), 0);
  assert_int_equal(ts.points, 1101); /* base points only */
  assert_int_equal(ts.count, 1);
  assert_int_equal(ts.spend, 12000);
  assert_true(ts.multiplier == 1.25);
  h = history(&(tt){c, NULL, NULL}, cust, NULL);
  assert_string_equal(h.text, "base>silver@0 qualified on points: 1000 of "
                      "1000 in 365 days|");
  /* a later event runs the due reviews first: at T0+800 the review of
   * T0+365 found only p2's 101 points in (T0, T0+365] and started the
   * grace, T0+395 ended it */
  crm_set_now(c, T0 + 800 * D);
  t_event(c, cust, "purchase", T0 + 800 * D, 100, "{\"pts\":1}", "p3");
  assert_int_equal(crm__account_read(c, cust, "fx_loyalty", &a), 0);
  assert_string_equal(a.tier, "base");
  assert_int_equal(a.tier_since, T0 + 395 * D);
  crm_close(c);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_upgrade_on_points),
    cmocka_unit_test(test_upgrade_on_credits_count_spend),
    cmocka_unit_test(test_window),
    cmocka_unit_test(test_review_grace_downgrade),
    cmocka_unit_test(test_event_during_grace_keeps),
    cmocka_unit_test(test_downgrade_to_middle),
    cmocka_unit_test(test_no_grace),
    cmocka_unit_test(test_window_half_open),
    cmocka_unit_test(test_global_due),
    cmocka_unit_test(test_refund_undoes_upgrade),
    cmocka_unit_test(test_refund_after_review_keeps),
    cmocka_unit_test(test_refund_restores_confirmed),
    cmocka_unit_test(test_refund_restores_due_review),
    cmocka_unit_test(test_refund_partial_then_all),
    cmocka_unit_test(test_refund_chain),
    cmocka_unit_test(test_refund_not_ageing),
    cmocka_unit_test(test_multiplier_and_status),
    cmocka_unit_test(test_scheme_without_tiers),
    cmocka_unit_test(test_events_end_to_end),
  };

  return cmocka_run_group_tests_name("tier", tests, setup, teardown);
}
