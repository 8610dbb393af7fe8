/* test_timefmt.c - UTC timestamps and money amounts as text. */
#include "crm_test.h"

static int64_t parse_ok(const char *s)
{
  int64_t t = 0;

  if(crm_time_parse(s, &t) != CRM_OK)
    fail_msg("crm_time_parse(\"%s\") refused", s);
  return t;
}

static void test_time_parse_forms(void **state)
{
  (void)state;
  /* 1997-01-01 is 9862 days after 1970-01-01 (27 years, 7 leap days). */
  assert_int_equal(parse_ok("1997-01-01"), INT64_C(9862) * 86400);
  assert_int_equal(parse_ok("19970101"), INT64_C(9862) * 86400);
  assert_int_equal(parse_ok("1997-01-01T12:00:00Z"),
                   INT64_C(9862) * 86400 + 43200);
  assert_int_equal(parse_ok("1997-01-01 12:00"), INT64_C(9862) * 86400 + 43200);
  /* 12:00 at +02:00 is 10:00 UTC. */
  assert_int_equal(parse_ok("1997-01-01T12:00:00+02:00"),
                   INT64_C(9862) * 86400 + 36000);
  assert_int_equal(parse_ok("1997-01-01T12:00:00-0130"),
                   INT64_C(9862) * 86400 + 43200 + 5400);
  assert_int_equal(parse_ok("1997-01-01T00:00:00.250Z"), INT64_C(9862) * 86400);
  assert_int_equal(parse_ok("1970-01-01"), 0);
  assert_int_equal(parse_ok("1969-12-31"), -86400);
  /* Leap days: 2000 is a leap year, 1900 and 2023 are not. */
  assert_int_equal(parse_ok("2000-03-01") - parse_ok("2000-02-28"), 2 * 86400);
  assert_int_equal(parse_ok("2024-02-29") + 86400, parse_ok("2024-03-01"));
}

static void test_time_parse_refuses_malformed(void **state)
{
  static const char *bad[] = {
    "", "abc", "1997-1-01", "1997-13-01", "1997-00-10", "2023-02-29",
    "1900-02-29", "1997-04-31", "1997-01-01T24:00", "1997-01-01T12:60",
    "1997-01-01T12", "1997-01-01x", "1997-01-01T12:00:00+25:00",
    "19970132", "1997-01-01T12:00:00.Z",
  };
  int64_t t = 42;
  size_t i;

  (void)state;
  for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    if(crm_time_parse(bad[i], &t) != CRM_EINVAL)
      fail_msg("\"%s\" was accepted", bad[i]);
  }
  assert_int_equal(t, 42); /* untouched on failure */
}

static void test_time_format_round_trip(void **state)
{
  char buf[32];
  int64_t t, back;

  (void)state;
  assert_int_equal(crm_time_format(0, buf, sizeof(buf)), CRM_OK);
  assert_string_equal(buf, "1970-01-01T00:00:00Z");
  assert_int_equal(crm_time_format(INT64_C(9862) * 86400 + 3661, buf,
                                   sizeof(buf)), CRM_OK);
  assert_string_equal(buf, "1997-01-01T01:01:01Z");
  assert_int_equal(crm_time_format(-1, buf, sizeof(buf)), CRM_OK);
  assert_string_equal(buf, "1969-12-31T23:59:59Z");
  for(t = -2000000000; t < 5000000000; t += 7777777) {
    assert_int_equal(crm_time_format(t, buf, sizeof(buf)), CRM_OK);
    assert_int_equal(crm_time_parse(buf, &back), CRM_OK);
    assert_int_equal(back, t);
  }
  assert_int_equal(crm_time_format(0, buf, 20), CRM_EINVAL);
}

static void test_money_parse(void **state)
{
  int64_t m = 0;

  (void)state;
  assert_int_equal(crm_money_parse("29.33", "USD", &m), CRM_OK);
  assert_int_equal(m, 2933);
  assert_int_equal(crm_money_parse("5", "USD", &m), CRM_OK);
  assert_int_equal(m, 500);
  assert_int_equal(crm_money_parse("0.5", "EUR", &m), CRM_OK);
  assert_int_equal(m, 50);
  assert_int_equal(crm_money_parse("-5.00", "USD", &m), CRM_OK);
  assert_int_equal(m, -500);
  /* Currencies without minor units, and with three decimals. */
  assert_int_equal(crm_money_parse("100", "JPY", &m), CRM_OK);
  assert_int_equal(m, 100);
  assert_int_equal(crm_money_parse("1.234", "KWD", &m), CRM_OK);
  assert_int_equal(m, 1234);
  m = 7;
  assert_int_equal(crm_money_parse("1.234", "USD", &m), CRM_EINVAL);
  assert_int_equal(crm_money_parse("1.5", "JPY", &m), CRM_EINVAL);
  assert_int_equal(crm_money_parse("", "USD", &m), CRM_EINVAL);
  assert_int_equal(crm_money_parse("1,000.00", "USD", &m), CRM_EINVAL);
  assert_int_equal(crm_money_parse("12abc", "USD", &m), CRM_EINVAL);
  assert_int_equal(crm_money_parse("99999999999999999999", "USD", &m),
                   CRM_ERANGE);
  assert_int_equal(m, 7);
}

static void test_money_format(void **state)
{
  char buf[32];

  (void)state;
  assert_int_equal(crm_money_format(2933, "USD", buf, sizeof(buf)), CRM_OK);
  assert_string_equal(buf, "29.33");
  assert_int_equal(crm_money_format(-5, "USD", buf, sizeof(buf)), CRM_OK);
  assert_string_equal(buf, "-0.05");
  assert_int_equal(crm_money_format(100, "JPY", buf, sizeof(buf)), CRM_OK);
  assert_string_equal(buf, "100");
  assert_int_equal(crm_money_format(1234, "KWD", buf, sizeof(buf)), CRM_OK);
  assert_string_equal(buf, "1.234");
  assert_int_equal(crm_money_format(123456, "USD", buf, 4), CRM_ERANGE);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_time_parse_forms),
    cmocka_unit_test(test_time_parse_refuses_malformed),
    cmocka_unit_test(test_time_format_round_trip),
    cmocka_unit_test(test_money_parse),
    cmocka_unit_test(test_money_format),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
