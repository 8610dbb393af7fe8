/*
 * test_bizcal.c - the business-hours calendar and the SLA clock
 * (core/bizcal.c), in Europe/Paris, with values worked out by hand.
 *
 * Day numbers: 2026-01-01 is 56 * 365 + 14 leap days (1972..2024) =
 * day 20454, i.e. 1767225600 s. Paris is UTC+1 (CET) in winter and UTC+2
 * (CEST) from 2026-03-29 01:00Z to 2026-10-25 01:00Z.
 */
#define _POSIX_C_SOURCE 200809L


#include "crm_test.h"

#include "crm_int.h"
#include "bizcal.h"

#define H INT64_C(3600)
#define M INT64_C(60)
#define NONE {-1, -1}

/* 2026-12-17 (Thursday): 334 days of Jan..Nov + 16 = day 20454 + 350 =
 * 20804; 20804 * 86400. */
#define THU17 INT64_C(1797465600)
/* 2026-12-24 (Thursday) = THU17 + 7 days; 12-28 (Monday) = + 4 days. */
#define THU24 INT64_C(1798070400)
#define MON28 INT64_C(1798416000)

static crm *g_c;
static const crm__tz *g_paris;

static int64_t g_xmas[1];

static int setup(void **state)
{
  (void)state;
  g_c = t_open_mem(T_EPOCH2000);
  if(crm__tz_get(g_c, "Europe/Paris", &g_paris))
    fail_msg("crm__tz_get: %s", crm_errmsg(g_c));
  g_xmas[0] = crm__civil_to_days(2026, 12, 25);
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  crm_close(g_c);
  return 0;
}

/* Mon-Fri 09:00-12:30 + 13:30-18:00 in Paris, closed 2026-12-25. */
static crm__bizcal office(void)
{
  crm__bizcal cal;
  int w;

  memset(&cal, 0, sizeof(cal));
  cal.tz = g_paris;
  for(w = 0; w < 7; w++) {
    int on = w >= 1 && w <= 5;

    cal.open[w][0][0] = on ? 9 * 60 : -1;
    cal.open[w][0][1] = on ? 12 * 60 + 30 : -1;
    cal.open[w][1][0] = on ? 13 * 60 + 30 : -1;
    cal.open[w][1][1] = on ? 18 * 60 : -1;
  }
  cal.holidays = g_xmas;
  cal.n_holidays = 1;
  return cal;
}

static void test_day_numbers(void **state)
{
  (void)state;
  assert_int_equal(crm__civil_to_days(2026, 12, 17) * 86400, THU17);
  assert_int_equal(crm__civil_to_days(2026, 12, 24) * 86400, THU24);
  assert_int_equal(crm__civil_to_days(2026, 12, 28) * 86400, MON28);
}

/* Opened Thu 24 17:00 local (16:00Z) with 4 business hours: 1 h on
 * Thursday, Friday 25 a holiday, the weekend closed, then 3 h from
 * Monday 09:00: 09:00-12:00 local = 11:00Z = MON28 + 11 h. */
static void test_over_holiday_and_weekend(void **state)
{
  crm__bizcal cal = office();
  int64_t open = THU24 + 16 * H;

  (void)state;
  assert_int_equal(crm__bizcal_check(g_c, &cal), 0);
  assert_int_equal(crm__bizcal_add(&cal, open, 4 * H), MON28 + 11 * H);
  assert_int_equal(crm__bizcal_elapsed(&cal, open, MON28 + 11 * H), 4 * H);
  /* 1 h on Thursday, nothing on Friday 25 at 10:00 local. */
  assert_int_equal(crm__bizcal_elapsed(&cal, open, MON28), 1 * H);
  assert_int_equal(crm__bizcal_is_open(&cal, THU24 + 86400 + 9 * H), 0);
  /* After Thursday 18:00 local (17:00Z): next open Monday 08:00Z. */
  assert_int_equal(crm__bizcal_next_open(&cal, THU24 + 17 * H),
                   MON28 + 8 * H);
}

/* Opened Saturday 26 10:00 local: the clock starts Monday 09:00 local
 * (08:00Z), so 1 business hour ends Monday 10:00 local = 09:00Z. */
static void test_opened_saturday(void **state)
{
  crm__bizcal cal = office();
  int64_t sat = MON28 - 2 * 86400 + 9 * H;

  (void)state;
  assert_int_equal(crm__bizcal_is_open(&cal, sat), 0);
  assert_int_equal(crm__bizcal_next_open(&cal, sat), MON28 + 8 * H);
  assert_int_equal(crm__bizcal_add(&cal, sat, 1 * H), MON28 + 9 * H);
  assert_int_equal(crm__bizcal_elapsed(&cal, sat, MON28 + 8 * H), 0);
  assert_int_equal(crm__bizcal_add(&cal, sat, 0), sat);
}

/* Open only on Sundays, 00:00-24:00 local.
 * 2026-03-29 is day 20454 + 59 + 28 = 20541 = 1774742400 s (Sunday);
 * its local midnight is 23:00Z the day before (CET) and the next one
 * 22:00Z (CEST): 23 h. 2026-10-25 is day 20454 + 273 + 24 = 20751 =
 * 1792886400 s; midnight 22:00Z the day before (CEST) to 23:00Z (CET):
 * 25 h. */
static void test_dst_sundays(void **state)
{
  crm__bizcal cal;
  int64_t spring = INT64_C(1774742400), fall = INT64_C(1792886400);
  int w;

  (void)state;
  memset(&cal, 0, sizeof(cal));
  cal.tz = g_paris;
  for(w = 0; w < 7; w++) {
    cal.open[w][0][0] = w ? -1 : 0;
    cal.open[w][0][1] = w ? -1 : 1440;
    cal.open[w][1][0] = cal.open[w][1][1] = -1;
  }
  assert_int_equal(crm__bizcal_check(g_c, &cal), 0);
  /* Saturday noon to Monday noon UTC. */
  assert_int_equal(crm__bizcal_elapsed(&cal, spring - 36 * H,
                                       spring + 36 * H), 23 * H);
  assert_int_equal(crm__bizcal_elapsed(&cal, fall - 36 * H, fall + 36 * H),
                   25 * H);
  assert_int_equal(crm__bizcal_next_open(&cal, spring - 36 * H),
                   spring - 1 * H);
  assert_int_equal(crm__bizcal_add(&cal, spring - 36 * H, 23 * H),
                   spring + 22 * H);
  assert_int_equal(crm__bizcal_add(&cal, fall - 36 * H, 25 * H),
                   fall + 23 * H);
  assert_int_equal(crm__bizcal_is_open(&cal, spring - 1 * H), 1);
  assert_int_equal(crm__bizcal_is_open(&cal, spring - 1 * H - 1), 0);
  assert_int_equal(crm__bizcal_is_open(&cal, spring + 22 * H - 1), 1);
  assert_int_equal(crm__bizcal_is_open(&cal, spring + 22 * H), 0);
  /* One more second of business time after the spring Sunday is the
   * next Sunday: 2026-04-05 00:00 CEST = spring + 7 days - 2 h, + 1 s. */
  assert_int_equal(crm__bizcal_add(&cal, spring - 36 * H, 23 * H + 1),
                   spring + 7 * 86400 - 2 * H + 1);
}

/* Monday 28 (CET): 09:00-18:00 local minus lunch = 3.5 + 4.5 = 8 h.
 * From 12:00 local (11:00Z), 1 h: 30 min to 12:30, lunch, 30 min from
 * 13:30: 14:00 local = 13:00Z. */
static void test_lunch(void **state)
{
  crm__bizcal cal = office();

  (void)state;
  assert_int_equal(crm__bizcal_elapsed(&cal, MON28 + 8 * H, MON28 + 17 * H),
                   8 * H);
  assert_int_equal(crm__bizcal_elapsed(&cal, MON28, MON28 + 86400), 8 * H);
  assert_int_equal(crm__bizcal_add(&cal, MON28 + 11 * H, 1 * H),
                   MON28 + 13 * H);
  assert_int_equal(crm__bizcal_is_open(&cal, MON28 + 12 * H), 0);
  assert_int_equal(crm__bizcal_is_open(&cal, MON28 + 11 * H + 29 * M), 1);
  /* 12:00Z = 13:00 local: next open 13:30 local = 12:30Z. */
  assert_int_equal(crm__bizcal_next_open(&cal, MON28 + 12 * H),
                   MON28 + 12 * H + 30 * M);
  /* Exactly 3.5 h from 09:00 local ends at 12:30 local (11:30Z). */
  assert_int_equal(crm__bizcal_add(&cal, MON28 + 8 * H, 3 * H + 30 * M),
                   MON28 + 11 * H + 30 * M);
}

/* Mon 20:00-24:00 and Tue 00:00-02:00 + 08:00-10:00 local (CET): from
 * Monday 23:00 local (22:00Z), 2 h run through midnight to Tuesday
 * 01:00 local = 00:00Z Tuesday; 3 h more reach Tuesday 09:00 local. */
static void test_midnight(void **state)
{
  crm__bizcal cal;
  int w;

  (void)state;
  memset(&cal, 0, sizeof(cal));
  cal.tz = g_paris;
  for(w = 0; w < 7; w++)
    cal.open[w][0][0] = cal.open[w][0][1] = cal.open[w][1][0] =
      cal.open[w][1][1] = -1;
  cal.open[1][0][0] = 20 * 60;
  cal.open[1][0][1] = 1440;
  cal.open[2][0][0] = 0;
  cal.open[2][0][1] = 2 * 60;
  cal.open[2][1][0] = 8 * 60;
  cal.open[2][1][1] = 10 * 60;
  assert_int_equal(crm__bizcal_check(g_c, &cal), 0);
  assert_int_equal(crm__bizcal_add(&cal, MON28 + 22 * H, 2 * H),
                   MON28 + 24 * H);
  assert_int_equal(crm__bizcal_add(&cal, MON28 + 22 * H, 4 * H),
                   MON28 + 24 * H + 8 * H);
  /* Monday 20:00 local to Tuesday 02:00 local: 6 h without a break. */
  assert_int_equal(crm__bizcal_elapsed(&cal, MON28 + 19 * H,
                                       MON28 + 25 * H), 6 * H);
  assert_int_equal(crm__bizcal_is_open(&cal, MON28 + 23 * H), 1);
  assert_int_equal(crm__bizcal_next_open(&cal, MON28 + 23 * H),
                   MON28 + 23 * H);
}

static uint64_t g_rng = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(uint64_t n)
{
  g_rng ^= g_rng << 13;
  g_rng ^= g_rng >> 7;
  g_rng ^= g_rng << 17;
  return g_rng % n;
}

/* The office plus Sunday 02:15-02:45 (lost in the spring gap, doubled
 * hour in the fall) and 22:00-24:00, with holidays on both DST Sundays'
 * neighbours: add and elapsed invert each other, next_open and is_open
 * agree, for 3000 random starts in 2026-2027 and sizes up to 300 h. */
static void test_property(void **state)
{
  crm__bizcal cal = office();
  int64_t hol[3];
  int i;

  (void)state;
  hol[0] = crm__civil_to_days(2026, 3, 30);
  hol[1] = crm__civil_to_days(2026, 10, 26);
  hol[2] = crm__civil_to_days(2026, 12, 25);
  cal.holidays = hol;
  cal.n_holidays = 3;
  cal.open[0][0][0] = 2 * 60 + 15;
  cal.open[0][0][1] = 2 * 60 + 45;
  cal.open[0][1][0] = 22 * 60;
  cal.open[0][1][1] = 1440;
  assert_int_equal(crm__bizcal_check(g_c, &cal), 0);
  for(i = 0; i < 3000; i++) {
    int64_t from = INT64_C(1767225600) + (int64_t)rnd(2 * 365 * 86400);
    int64_t s = (int64_t)rnd(300 * 3600) + 1;
    int64_t to = crm__bizcal_add(&cal, from, s);
    int64_t nx = crm__bizcal_next_open(&cal, from);

    assert_true(to > from);
    assert_int_equal(crm__bizcal_elapsed(&cal, from, to), s);
    /* The last second counted was open. */
    assert_int_equal(crm__bizcal_is_open(&cal, to - 1), 1);
    assert_int_equal(crm__bizcal_is_open(&cal, nx), 1);
    assert_int_equal(crm__bizcal_elapsed(&cal, from, nx), 0);
    assert_int_equal(crm__bizcal_is_open(&cal, from), nx == from);
    if(nx > from)
      assert_int_equal(crm__bizcal_is_open(&cal, nx - 1), 0);
    /* The first business second is at nx. */
    assert_int_equal(crm__bizcal_add(&cal, from, 1), nx + 1);
  }
}

/* Thu 17 10:00 local (09:00Z), resolution target 16 business hours.
 * Running: Thu 2.5 + 4.5 = 7 h, Fri 18 8 h, Mon 21 1 h -> Mon 10:00
 * local = 09:00Z (MON21 = THU17 + 4 days). Paused Fri 15:00 local
 * (14:00Z) having used 7 + 3.5 + 1.5 = 12 h; resumed Sunday 20 11:00
 * local: 4 h left from Monday 09:00 -> 12:30 + 30 min = 14:00 local =
 * 13:00Z, i.e. due moved by the 3 business hours of the pause (Fri
 * 15:00-18:00). */
static void test_sla_clock(void **state)
{
  crm__bizcal cal = office();
  crm__sla_clock k;
  int64_t fri = THU17 + 86400, sun = THU17 + 3 * 86400;
  int64_t mon = THU17 + 4 * 86400;

  (void)state;
  crm__sla_start(&k, THU17 + 9 * H);
  assert_int_equal(crm__sla_due(&k, &cal, 16 * H), mon + 9 * H);
  assert_int_equal(crm__sla_used(&k, &cal, fri + 14 * H), 12 * H);
  crm__sla_pause(&k, &cal, fri + 14 * H);
  assert_int_equal(k.used, 12 * H);
  assert_int_equal(crm__sla_due(&k, &cal, 16 * H), -1);
  assert_int_equal(crm__sla_used(&k, &cal, mon + 12 * H), 12 * H);
  crm__sla_pause(&k, &cal, sun); /* already paused: nothing */
  assert_int_equal(k.used, 12 * H);
  crm__sla_resume(&k, sun + 10 * H);
  assert_int_equal(crm__sla_due(&k, &cal, 16 * H), mon + 13 * H);
  /* Monday 12:00 local (11:00Z): 12 h + 3 h. */
  assert_int_equal(crm__sla_used(&k, &cal, mon + 11 * H), 15 * H);
  /* A target already reached before the pause: due at since. */
  assert_int_equal(crm__sla_due(&k, &cal, 10 * H), sun + 10 * H);
  /* First-response target of 4 h from Thu 10:00 local: 2.5 h to 12:30,
   * 1.5 h from 13:30: 15:00 local = 14:00Z. */
  crm__sla_start(&k, THU17 + 9 * H);
  assert_int_equal(crm__sla_due(&k, &cal, 4 * H), THU17 + 14 * H);
}

static void expect_bad(crm__bizcal *cal, const char *msg)
{
  assert_int_equal(crm__bizcal_check(g_c, cal), CRM_EINVAL);
  assert_string_equal(crm_errmsg(g_c), msg);
}

static void test_check(void **state)
{
  crm__bizcal cal = office();
  int64_t hol[2];

  (void)state;
  cal.open[2][1][1] = 1441;
  expect_bad(&cal, "business hours out of range: tue interval 2 is "
                   "810-1441 minutes, want 0 <= start < end <= 1440 or "
                   "-1 -1 for none");
  cal = office();
  cal.open[3][0][0] = 12 * 60 + 30; /* empty: 12:30-12:30 */
  expect_bad(&cal, "business hours out of range: wed interval 1 is "
                   "750-750 minutes, want 0 <= start < end <= 1440 or "
                   "-1 -1 for none");
  cal = office();
  cal.open[4][0][1] = -1;
  expect_bad(&cal, "business hours out of range: thu interval 1 is "
                   "540--1 minutes, want 0 <= start < end <= 1440 or "
                   "-1 -1 for none");
  cal = office();
  cal.open[1][0][1] = 14 * 60;
  expect_bad(&cal, "business hours overlapping: mon 09:00-14:00 and "
                   "13:30-18:00");
  cal = office();
  cal.open[5][0][0] = 14 * 60;
  cal.open[5][0][1] = 18 * 60;
  cal.open[5][1][0] = 9 * 60;
  cal.open[5][1][1] = 12 * 60;
  expect_bad(&cal, "business hours unsorted: fri 09:00-12:00 comes before "
                   "14:00-18:00");
  cal = office();
  cal.open[6][1][0] = 60;
  cal.open[6][1][1] = 120;
  expect_bad(&cal, "business hours unsorted: sat has a second interval "
                   "without a first");
  memset(cal.open, 0xff, sizeof(cal.open)); /* every int -1 */
  cal.tz = g_paris;
  cal.holidays = NULL;
  cal.n_holidays = 0;
  expect_bad(&cal, "no business hours: no open minute in any weekday");
  cal = office();
  hol[0] = crm__civil_to_days(2026, 12, 25);
  hol[1] = crm__civil_to_days(2026, 12, 24);
  cal.holidays = hol;
  cal.n_holidays = 2;
  expect_bad(&cal, "holidays unsorted: 2026-12-24 follows 2026-12-25 "
                   "(want increasing, no repeats)");
  hol[1] = hol[0];
  expect_bad(&cal, "holidays unsorted: 2026-12-25 follows 2026-12-25 "
                   "(want increasing, no repeats)");
  /* Touching intervals are fine. */
  cal = office();
  cal.open[1][0][1] = 13 * 60 + 30;
  assert_int_equal(crm__bizcal_check(g_c, &cal), 0);
}

/* A whole year: 2026 has 261 weekdays of 8 h, minus Friday 25
 * December; adding that much from 2026-01-01T00:00Z lands on the last
 * business second of the year, Thursday 31 December 18:00 CET =
 * 17:00Z = 1798761600 (2027-01-01T00:00Z) - 7 h. (Speed is not judged
 * here: a timed unit test would fail on a busy machine.) */
static void test_year(void **state)
{
  crm__bizcal cal = office();
  const int64_t from = INT64_C(1767225600);
  int64_t year;

  (void)state;
  year = crm__bizcal_elapsed(&cal, from, from + 365 * 86400);
  assert_int_equal(year, 260 * 8 * H);
  assert_int_equal(crm__bizcal_add(&cal, from, year),
                   INT64_C(1798761600) - 7 * H);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_day_numbers),
    cmocka_unit_test(test_over_holiday_and_weekend),
    cmocka_unit_test(test_opened_saturday),
    cmocka_unit_test(test_dst_sundays),
    cmocka_unit_test(test_lunch),
    cmocka_unit_test(test_midnight),
    cmocka_unit_test(test_property),
    cmocka_unit_test(test_sla_clock),
    cmocka_unit_test(test_check),
    cmocka_unit_test(test_year),
  };

  return cmocka_run_group_tests(tests, setup, teardown);
}
