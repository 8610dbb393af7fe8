/*
 * test_cli_out.c - the CLI's JSON writer and text tables (core/cli/out.c,
 * compiled into this test). Output is captured with open_memstream and
 * read back with the strict parser of cli_json.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "cli_json.h"
#include "out.h"

struct cap {
  char *buf;
  size_t len;
  FILE *fp;
};

static void cap_open(struct cap *c)
{
  c->buf = NULL;
  c->len = 0;
  c->fp = open_memstream(&c->buf, &c->len);
  assert_non_null(c->fp);
}

static char *cap_close(struct cap *c)
{
  fclose(c->fp);
  return c->buf;
}

static char *string_literal(const char *s)
{
  struct cap c;
  cap_open(&c);
  cli_json_write_string(c.fp, s);
  return cap_close(&c);
}

static void test_escapes(void **state)
{
  char *out;
  (void)state;
  out = string_literal("a\"b\\c\nd\te\r\b\f");
  assert_string_equal(out, "\"a\\\"b\\\\c\\nd\\te\\r\\b\\f\"");
  free(out);
  out = string_literal("\x01x\x1f\x7f");
  assert_string_equal(out, "\"\\u0001x\\u001f\\u007f\"");
  free(out);
  /* valid UTF-8 passes through unchanged */
  out = string_literal("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x8E\xB5");
  assert_string_equal(out, "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x8E\xB5\"");
  free(out);
}

static void test_invalid_utf8_replaced(void **state)
{
  char *out;
  (void)state;
  /* lone continuation byte, truncated sequence, overlong "/", surrogate */
  out = string_literal("a\x80" "b\xC3" "c\xC0\xAF" "d\xED\xA0\x80" "e");
  assert_string_equal(out, "\"a\\ufffdb\\ufffdc\\ufffd\\ufffdd"
                           "\\ufffd\\ufffd\\ufffde\"");
  free(out);
}

static void test_round_trip_through_parser(void **state)
{
  static const char nasty[] = "quote\" back\\ nl\n tab\t ctl\x02 \xC3\xA9";
  struct cap c;
  cli_json j;
  tj *doc;
  char err[128];
  (void)state;
  cap_open(&c);
  cli_json_init(&j, c.fp);
  cli_json_begin_object(&j, NULL);
  cli_json_str(&j, "text", nasty);
  cli_json_str(&j, "none", NULL);
  cli_json_int(&j, "big", INT64_MIN);
  cli_json_num(&j, "pi", 3.25);
  cli_json_num(&j, "nan", NAN);
  cli_json_bool(&j, "yes", 1);
  cli_json_time(&j, "at", 86400);
  cli_json_time(&j, "never", 0);
  cli_json_begin_array(&j, "list");
  cli_json_int(&j, NULL, 1);
  cli_json_begin_object(&j, NULL);
  cli_json_end(&j);
  cli_json_begin_array(&j, NULL);
  cli_json_end(&j);
  cli_json_end(&j);
  cli_json_finish(&j);
  cap_close(&c);

  doc = tj_parse(c.buf, err, sizeof(err));
  if(!doc)
    fail_msg("invalid JSON (%s): %s", err, c.buf);
  assert_string_equal(tj_str(doc, "text"), nasty);
  assert_int_equal(tj_path(doc, "none")->type, TJ_NULL);
  assert_true(tj_num(doc, "big", 0) < -9.2e18);
  assert_true(tj_num(doc, "pi", 0) == 3.25);
  assert_int_equal(tj_path(doc, "nan")->type, TJ_NULL);
  assert_int_equal(tj_path(doc, "yes")->boolean, 1);
  assert_string_equal(tj_str(doc, "at"), "1970-01-02T00:00:00Z");
  assert_int_equal(tj_path(doc, "never")->type, TJ_NULL);
  assert_int_equal(tj_path(doc, "list")->n, 3);
  assert_int_equal(tj_path(doc, "list.1")->type, TJ_OBJ);
  assert_int_equal(tj_path(doc, "list.2")->type, TJ_ARR);
  assert_null(tj_path(doc, "list.3"));
  tj_free(doc);
  free(c.buf);
}

/* The parser used by the CLI tests must refuse what is not JSON, or those
 * tests would prove nothing. */
static void test_parser_is_strict(void **state)
{
  static const char *const bad[] = {
    "{\"a\":1,}", "[1,]", "{a:1}", "\"x\ny\"", "01", "1.", "[1] x",
    "\"\\q\"", "\"\\ud800\"", "{\"a\" 1}", "", "tru", NULL,
  };
  size_t i;
  char err[128];
  (void)state;
  for(i = 0; bad[i]; i++) {
    tj *v = tj_parse(bad[i], err, sizeof(err));
    if(v)
      fail_msg("accepted %s", bad[i]);
    assert_true(err[0] != '\0');
  }
}

static void test_table_alignment(void **state)
{
  static const char *const head[] = {"id", "name", "spend", NULL};
  static const char *const r1[] = {"1", "Ann", "5.00"};
  static const char *const r2[] = {"12", "Bj\xC3\xB6rn", "120.50"};
  cli_table t;
  struct cap c;
  (void)state;
  assert_int_equal(cli_table_init(&t, head), 0);
  cli_table_align_right(&t, 2);
  assert_int_equal(cli_table_add(&t, r1), 0);
  assert_int_equal(cli_table_add(&t, r2), 0);
  cap_open(&c);
  cli_table_print(&t, c.fp, 2);
  cap_close(&c);
  /* widths: id 2, name 5 (Björn is 5 characters), spend 6 */
  assert_string_equal(c.buf, "  id  name    spend\n"
                             "  1   Ann      5.00\n"
                             "  12  Bj\xC3\xB6rn  120.50\n");
  free(c.buf);
  cli_table_free(&t);
}

static void test_formatters(void **state)
{
  char buf[32];
  (void)state;
  /* 1998-07-01T12:30:00Z = 10408 days + 12.5 hours after the epoch */
  cli_fmt_time(10408LL * 86400 + 45000, buf, sizeof(buf));
  assert_string_equal(buf, "1998-07-01 12:30 UTC");
  cli_fmt_date(10408LL * 86400 + 45000, buf, sizeof(buf));
  assert_string_equal(buf, "1998-07-01");
  cli_fmt_date(0, buf, sizeof(buf));
  assert_string_equal(buf, "-");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_escapes),
    cmocka_unit_test(test_invalid_utf8_replaced),
    cmocka_unit_test(test_round_trip_through_parser),
    cmocka_unit_test(test_parser_is_strict),
    cmocka_unit_test(test_table_alignment),
    cmocka_unit_test(test_formatters),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
