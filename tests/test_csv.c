/*
 * test_csv.c - the CLI's streaming CSV reader (core/cli/csv.c, compiled
 * into this test directly).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "csv.h"

/* A reader over an in-memory copy of text (len bytes, NULs allowed). */
struct src {
  FILE *fp;
  cli_csv r;
};

static void src_open(struct src *s, const char *text, size_t len,
                     size_t field_max, size_t fields_max)
{
  s->fp = fmemopen((void *)text, len, "r");
  assert_non_null(s->fp);
  cli_csv_init(&s->r, s->fp, field_max, fields_max);
}

static void src_close(struct src *s)
{
  cli_csv_free(&s->r);
  fclose(s->fp);
}

/* Expects the next record to have exactly the given fields. */
static void expect_record(struct src *s, long line, size_t n, ...)
{
  va_list ap;
  size_t i;
  assert_int_equal(cli_csv_next(&s->r), CLI_CSV_RECORD);
  assert_int_equal(s->r.line, line);
  assert_int_equal(s->r.nfields, n);
  va_start(ap, n);
  for(i = 0; i < n; i++)
    assert_string_equal(s->r.fields[i], va_arg(ap, const char *));
  va_end(ap);
  assert_null(s->r.fields[n]);
}

#define OPEN(s, lit) src_open(s, lit, sizeof(lit) - 1, 0, 0)

static void test_plain_lf(void **state)
{
  struct src s;
  (void)state;
  OPEN(&s, "a,b,c\n1,2,3\n");
  expect_record(&s, 1, 3, "a", "b", "c");
  expect_record(&s, 2, 3, "1", "2", "3");
  assert_int_equal(cli_csv_next(&s.r), CLI_CSV_EOF);
  assert_int_equal(cli_csv_next(&s.r), CLI_CSV_EOF);
  src_close(&s);
}

static void test_crlf_and_mixed(void **state)
{
  struct src s;
  (void)state;
  OPEN(&s, "a,b\r\n1,2\r\n3,4\n5,6\r\n");
  expect_record(&s, 1, 2, "a", "b");
  expect_record(&s, 2, 2, "1", "2");
  expect_record(&s, 3, 2, "3", "4");
  expect_record(&s, 4, 2, "5", "6");
  assert_int_equal(cli_csv_next(&s.r), CLI_CSV_EOF);
  src_close(&s);
}

static void test_quoted_commas_and_escapes(void **state)
{
  struct src s;
  (void)state;
  OPEN(&s, "\"Smith, John\",\"say \"\"hi\"\"\",\"\"\"\",plain\n");
  expect_record(&s, 1, 4, "Smith, John", "say \"hi\"", "\"", "plain");
  assert_int_equal(cli_csv_next(&s.r), CLI_CSV_EOF);
  src_close(&s);
}

static void test_empty_fields(void **state)
{
  struct src s;
  (void)state;
  OPEN(&s, ",,\na,,b\n\"\",x,\n");
  expect_record(&s, 1, 3, "", "", "");
  expect_record(&s, 2, 3, "a", "", "b");
  expect_record(&s, 3, 3, "", "x", "");
  assert_int_equal(cli_csv_next(&s.r), CLI_CSV_EOF);
  src_close(&s);
}

static void test_embedded_newlines_keep_line_numbers(void **state)
{
  struct src s;
  (void)state;
  /* the second record spans lines 2-4, so the third starts on line 5 */
  OPEN(&s, "h1,h2\n\"line one\nline two\r\nline three\",x\nnext,row\n");
  expect_record(&s, 1, 2, "h1", "h2");
  expect_record(&s, 2, 2, "line one\nline two\r\nline three", "x");
  expect_record(&s, 5, 2, "next", "row");
  assert_int_equal(cli_csv_next(&s.r), CLI_CSV_EOF);
  src_close(&s);
}

static void test_missing_trailing_newline(void **state)
{
  struct src s;
  (void)state;
  OPEN(&s, "a,b\n1,\"2\"");
  expect_record(&s, 1, 2, "a", "b");
  expect_record(&s, 2, 2, "1", "2");
  assert_int_equal(cli_csv_next(&s.r), CLI_CSV_EOF);
  src_close(&s);

  OPEN(&s, "x,y");
  expect_record(&s, 1, 2, "x", "y");
  assert_int_equal(cli_csv_next(&s.r), CLI_CSV_EOF);
  src_close(&s);
}

static void test_blank_lines_skipped(void **state)
{
  struct src s;
  (void)state;
  OPEN(&s, "\n\r\na\n\n\nb\r\n\r\n");
  expect_record(&s, 3, 1, "a");
  expect_record(&s, 6, 1, "b");
  assert_int_equal(cli_csv_next(&s.r), CLI_CSV_EOF);
  src_close(&s);
}

static void test_empty_input(void **state)
{
  struct src s;
  (void)state;
  src_open(&s, "", 0, 0, 0);
  assert_int_equal(cli_csv_next(&s.r), CLI_CSV_EOF);
  src_close(&s);
}

static void test_overlong_field_skips_one_record(void **state)
{
  struct src s;
  static const char text[] = "ok,1234\n"
                             "toolong,\"12345,\n67\"\n"
                             "after,12\n";
  (void)state;
  src_open(&s, text, sizeof(text) - 1, 3, 0);
  assert_int_equal(cli_csv_next(&s.r), CLI_CSV_EBAD); /* "1234" > 3 */
  assert_int_equal(s.r.line, 1);
  src_close(&s);

  src_open(&s, text, sizeof(text) - 1, 7, 0);
  expect_record(&s, 1, 2, "ok", "1234");
  /* the second field is 8 bytes: refused, and the quoted line break in it
   * must not be taken for the end of the record */
  assert_int_equal(cli_csv_next(&s.r), CLI_CSV_EBAD);
  assert_int_equal(s.r.line, 2);
  assert_non_null(strstr(s.r.err, "longer than 7 bytes"));
  assert_int_equal(s.r.nfields, 0);
  expect_record(&s, 4, 2, "after", "12");
  assert_int_equal(cli_csv_next(&s.r), CLI_CSV_EOF);
  src_close(&s);
}

static void test_field_exactly_at_limit(void **state)
{
  struct src s;
  (void)state;
  src_open(&s, "abcd,\"wxyz\"\n", 12, 4, 0);
  expect_record(&s, 1, 2, "abcd", "wxyz");
  src_close(&s);
}

static void test_too_many_fields(void **state)
{
  struct src s;
  static const char text[] = "a,b,c\na,b,c,d\na,b\n";
  (void)state;
  src_open(&s, text, sizeof(text) - 1, 0, 3);
  expect_record(&s, 1, 3, "a", "b", "c");
  assert_int_equal(cli_csv_next(&s.r), CLI_CSV_EBAD);
  assert_int_equal(s.r.line, 2);
  assert_non_null(strstr(s.r.err, "more than 3 fields"));
  expect_record(&s, 3, 2, "a", "b");
  src_close(&s);
}

static void test_text_after_closing_quote(void **state)
{
  struct src s;
  (void)state;
  OPEN(&s, "\"ab\"c,d\ne,f\n");
  assert_int_equal(cli_csv_next(&s.r), CLI_CSV_EBAD);
  assert_int_equal(s.r.line, 1);
  assert_non_null(strstr(s.r.err, "after a closing quote"));
  expect_record(&s, 2, 2, "e", "f");
  src_close(&s);
}

static void test_unterminated_quote(void **state)
{
  struct src s;
  (void)state;
  OPEN(&s, "a,b\n\"open,c\nd,e\n");
  expect_record(&s, 1, 2, "a", "b");
  assert_int_equal(cli_csv_next(&s.r), CLI_CSV_EBAD);
  assert_int_equal(s.r.line, 2);
  assert_non_null(strstr(s.r.err, "unterminated"));
  assert_int_equal(cli_csv_next(&s.r), CLI_CSV_EOF);
  src_close(&s);
}

static void test_quote_inside_plain_field_is_data(void **state)
{
  struct src s;
  (void)state;
  OPEN(&s, "5\" disk,x\n");
  expect_record(&s, 1, 2, "5\" disk", "x");
  src_close(&s);
}

static void test_bom(void **state)
{
  struct src s;
  (void)state;
  OPEN(&s, "\xEF\xBB\xBFid,name\n1,x\n");
  expect_record(&s, 1, 2, "id", "name");
  expect_record(&s, 2, 2, "1", "x");
  src_close(&s);

  /* U+F8FF (EF A3 BF) at the start is data, not a byte order mark */
  OPEN(&s, "\xEF\xA3\xBF,z\n");
  expect_record(&s, 1, 2, "\xEF\xA3\xBF", "z");
  src_close(&s);

  OPEN(&s, "\xEF");
  expect_record(&s, 1, 1, "\xEF");
  src_close(&s);
}

static void test_column_lookup(void **state)
{
  struct src s;
  (void)state;
  OPEN(&s, "External_ID, name ,Email\n");
  assert_int_equal(cli_csv_next(&s.r), CLI_CSV_RECORD);
  assert_int_equal(cli_csv_column(&s.r, "external_id"), 0);
  assert_int_equal(cli_csv_column(&s.r, "name"), 1);
  assert_int_equal(cli_csv_column(&s.r, "email"), 2);
  assert_int_equal(cli_csv_column(&s.r, "phone"), -1);
  assert_int_equal(cli_csv_column(&s.r, "nam"), -1);
  src_close(&s);
}

/* Long records make the buffers grow several times. */
static void test_large_record(void **state)
{
  enum { N = 200, W = 300 };
  char *text = malloc(N * (W + 1) + 1);
  size_t i, len = 0;
  struct src s;
  (void)state;
  assert_non_null(text);
  for(i = 0; i < N; i++) {
    memset(text + len, 'a' + (int)(i % 26), W);
    len += W;
    text[len++] = i + 1 < N ? ',' : '\n';
  }
  src_open(&s, text, len, 0, 0);
  assert_int_equal(cli_csv_next(&s.r), CLI_CSV_RECORD);
  assert_int_equal(s.r.nfields, N);
  for(i = 0; i < N; i++) {
    assert_int_equal(strlen(s.r.fields[i]), W);
    assert_int_equal(s.r.fields[i][0], 'a' + (int)(i % 26));
  }
  assert_int_equal(cli_csv_next(&s.r), CLI_CSV_EOF);
  src_close(&s);
  free(text);
}

/* The shipped demo files parse cleanly and every record has the width of
 * its header. */
static void check_file(const char *name)
{
  char path[1024];
  FILE *fp;
  cli_csv r;
  size_t width = 0;
  long records = 0;
  int rc;
  snprintf(path, sizeof(path), "%s/%s", CRM_TEST_DATA_DIR, name);
  fp = fopen(path, "r");
  assert_non_null(fp);
  cli_csv_init(&r, fp, 0, 0);
  for(rc = cli_csv_next(&r); rc == CLI_CSV_RECORD; rc = cli_csv_next(&r)) {
    if(!records)
      width = r.nfields;
    assert_int_equal(r.nfields, width);
    records++;
  }
  assert_int_equal(rc, CLI_CSV_EOF);
  assert_true(records > 1);
  cli_csv_free(&r);
  fclose(fp);
}

static void test_demo_files(void **state)
{
  (void)state;
  check_file("demo_customers.csv");
  check_file("demo_events.csv");
  check_file("demo_prospects.csv");
  check_file("demo_prospect_events.csv");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_plain_lf),
    cmocka_unit_test(test_crlf_and_mixed),
    cmocka_unit_test(test_quoted_commas_and_escapes),
    cmocka_unit_test(test_empty_fields),
    cmocka_unit_test(test_embedded_newlines_keep_line_numbers),
    cmocka_unit_test(test_missing_trailing_newline),
    cmocka_unit_test(test_blank_lines_skipped),
    cmocka_unit_test(test_empty_input),
    cmocka_unit_test(test_overlong_field_skips_one_record),
    cmocka_unit_test(test_field_exactly_at_limit),
    cmocka_unit_test(test_too_many_fields),
    cmocka_unit_test(test_text_after_closing_quote),
    cmocka_unit_test(test_unterminated_quote),
    cmocka_unit_test(test_quote_inside_plain_field_is_data),
    cmocka_unit_test(test_bom),
    cmocka_unit_test(test_column_lookup),
    cmocka_unit_test(test_large_record),
    cmocka_unit_test(test_demo_files),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
