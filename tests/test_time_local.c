/*
 * test_time_local.c - crm_time_local (core/time_local.c): UTC instants as
 * wall time in a zone, through the core's TZif reader.
 *
 * Every expected value is worked out by hand from the rules in force in
 * 2026: 2026-01-01 00:00 UTC is 1767225600 (20454 days since 1970: 56
 * years, 14 of them leap) and a Thursday. Europe/Paris is CET (+1) and
 * CEST (+2) from the last Sunday of March to the last Sunday of October,
 * both switches at 01:00 UTC (29 March and 25 October 2026).
 * America/New_York is EST (-5) and EDT (-4) from the second Sunday of
 * March (8 March 2026, 07:00 UTC).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crm_test.h"

#define H INT64_C(3600)
#define Y2026 INT64_C(1767225600) /* 2026-01-01 00:00:00 UTC, Thursday */

/* The day of 2026 (0 = 1 January) at hh:mm:ss UTC. */
static int64_t day2026(int yday, int hh, int mm, int ss)
{
  return Y2026 + yday * T_DAY + hh * H + mm * 60 + ss;
}

static void expect(crm *c, const char *zone, int64_t utc, int y, int mo,
                   int d, int hh, int mi, int ss, int wday, int off,
                   const char *abbrev)
{
  crm_local_time lt;

  memset(&lt, 0x55, sizeof(lt));
  assert_int_equal(crm_time_local(c, zone, utc, &lt), CRM_OK);
  assert_int_equal(lt.year, y);
  assert_int_equal(lt.month, mo);
  assert_int_equal(lt.day, d);
  assert_int_equal(lt.hour, hh);
  assert_int_equal(lt.minute, mi);
  assert_int_equal(lt.second, ss);
  assert_int_equal(lt.weekday, wday);
  assert_int_equal(lt.utc_offset, off);
  assert_string_equal(lt.abbrev, abbrev);
}

static crm *open_c(void)
{
  unsetenv("TZDIR"); /* the built-in zoneinfo directory */
  return t_open_mem(Y2026);
}

/* Thursday 15 January (day 14) 12:00 UTC is 13:00 CET; Tuesday 14 July
 * (day 31+28+31+30+31+30+13 = 194; 194 % 7 = 5 days after a Thursday)
 * 10:00 UTC is 12:00 CEST. */
static void test_paris_winter_summer(void **state)
{
  crm *c = open_c();
  (void)state;
  expect(c, "Europe/Paris", day2026(14, 12, 0, 0), 2026, 1, 15, 13, 0, 0, 4,
         3600, "CET");
  expect(c, "Europe/Paris", day2026(194, 10, 0, 0), 2026, 7, 14, 12, 0, 0,
         2, 7200, "CEST");
  /* 22:30 UTC on 31 December is already 2027 in Paris (a Friday) */
  expect(c, "Europe/Paris", day2026(364, 23, 30, 15), 2027, 1, 1, 0, 30, 15,
         5, 3600, "CET");
  crm_close(c);
}

/* Sunday 29 March (day 31+28+28 = 87, 87 % 7 = 3 after Thursday): 00:59:59
 * UTC is 01:59:59 CET, one second later 03:00:00 CEST (02:xx never
 * happens). Sunday 25 October (day 297): 00:59:59 UTC is 02:59:59 CEST,
 * 01:00:00 UTC is 02:00:00 CET again. */
static void test_paris_dst_edges(void **state)
{
  crm *c = open_c();
  (void)state;
  expect(c, "Europe/Paris", day2026(87, 0, 59, 59), 2026, 3, 29, 1, 59, 59,
         0, 3600, "CET");
  expect(c, "Europe/Paris", day2026(87, 1, 0, 0), 2026, 3, 29, 3, 0, 0, 0,
         7200, "CEST");
  expect(c, "Europe/Paris", day2026(297, 0, 59, 59), 2026, 10, 25, 2, 59,
         59, 0, 7200, "CEST");
  expect(c, "Europe/Paris", day2026(297, 1, 0, 0), 2026, 10, 25, 2, 0, 0, 0,
         3600, "CET");
  crm_close(c);
}

/* New York: 15 January 12:00 UTC is 07:00 EST; 14 July 10:00 UTC is 06:00
 * EDT; Sunday 8 March (day 66) 06:59:59 UTC is 01:59:59 EST, 07:00:00 UTC
 * is 03:00:00 EDT. 1 January 03:00 UTC is still 31 December 2025 22:00, a
 * Wednesday. */
static void test_new_york(void **state)
{
  crm *c = open_c();
  (void)state;
  expect(c, "America/New_York", day2026(14, 12, 0, 0), 2026, 1, 15, 7, 0, 0,
         4, -5 * 3600, "EST");
  expect(c, "America/New_York", day2026(194, 10, 0, 0), 2026, 7, 14, 6, 0,
         0, 2, -4 * 3600, "EDT");
  expect(c, "America/New_York", day2026(66, 6, 59, 59), 2026, 3, 8, 1, 59,
         59, 0, -5 * 3600, "EST");
  expect(c, "America/New_York", day2026(66, 7, 0, 0), 2026, 3, 8, 3, 0, 0,
         0, -4 * 3600, "EDT");
  expect(c, "America/New_York", day2026(0, 3, 0, 0), 2025, 12, 31, 22, 0, 0,
         3, -5 * 3600, "EST");
  crm_close(c);
}

/* NULL, "" and "UTC" are UTC; -3600 is 1969-12-31 23:00, a Wednesday
 * (1970-01-01 was a Thursday). */
static void test_utc(void **state)
{
  crm *c = open_c();
  (void)state;
  expect(c, NULL, day2026(14, 12, 34, 56), 2026, 1, 15, 12, 34, 56, 4, 0,
         "UTC");
  expect(c, "", day2026(194, 10, 0, 0), 2026, 7, 14, 10, 0, 0, 2, 0, "UTC");
  expect(c, "UTC", -3600, 1969, 12, 31, 23, 0, 0, 3, 0, "UTC");
  crm_close(c);
}

static void expect_unknown(crm *c, const char *zone, const char *msg)
{
  crm_local_time lt;

  assert_int_equal(crm_time_local(c, zone, Y2026, &lt), CRM_ENOTFOUND);
  assert_int_equal(crm_errcode(c), CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(c), msg);
}

static void test_unknown_zone(void **state)
{
  crm *c = open_c();
  crm_local_time lt;
  (void)state;
  expect_unknown(c, "Mars/Olympus_Mons",
                 "unknown time zone \"Mars/Olympus_Mons\"");
  expect_unknown(c, "../etc/passwd", "unknown time zone \"../etc/passwd\"");
  assert_int_equal(crm_time_local(c, "UTC", 0, NULL), CRM_EINVAL);
  assert_string_equal(crm_errmsg(c), "no output given");
  assert_int_equal(crm_time_local(NULL, "UTC", 0, &lt), CRM_EINVAL);
  /* a failure does not stick: the next call works */
  expect(c, "Europe/Paris", day2026(14, 12, 0, 0), 2026, 1, 15, 13, 0, 0, 4,
         3600, "CET");
  crm_close(c);
}

/* The zone is read where the core reads zones: $TZDIR when set (here a
 * copy of Paris under a name no system has), and the process zone (TZ)
 * is neither used nor changed. */
static void test_tzdir_and_process_zone(void **state)
{
  char dir[256], sub[300], path[320], cmd[700];
  const char *tz;
  crm *c = open_c();
  (void)state;
  t_tmpdir(dir, sizeof(dir));
  snprintf(sub, sizeof(sub), "%s/Test", dir);
  assert_int_equal(mkdir(sub, 0700), 0);
  snprintf(path, sizeof(path), "%s/Paris_Copy", sub);
  snprintf(cmd, sizeof(cmd), "cp /usr/share/zoneinfo/Europe/Paris '%s'",
           path);
  assert_int_equal(system(cmd), 0);
  expect_unknown(c, "Test/Paris_Copy",
                 "unknown time zone \"Test/Paris_Copy\"");
  assert_int_equal(setenv("TZDIR", dir, 1), 0);
  assert_int_equal(setenv("TZ", "America/New_York", 1), 0);
  expect(c, "Test/Paris_Copy", day2026(194, 10, 0, 0), 2026, 7, 14, 12, 0,
         0, 2, 7200, "CEST");
  tz = getenv("TZ");
  assert_non_null(tz);
  assert_string_equal(tz, "America/New_York");
  unsetenv("TZ");
  unsetenv("TZDIR");
  remove(path);
  rmdir(sub);
  rmdir(dir);
  crm_close(c);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_paris_winter_summer),
    cmocka_unit_test(test_paris_dst_edges),
    cmocka_unit_test(test_new_york),
    cmocka_unit_test(test_utc),
    cmocka_unit_test(test_unknown_zone),
    cmocka_unit_test(test_tzdir_and_process_zone),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
