/*
 * test_cli_import.c - `crm import customers` and `crm import events` end
 * to end: rejected rows reported by line, rows all or nothing, re-imports
 * that update, batches. Helpers in cli_run.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli_run.h"

static const char customers_csv[] =
  "external_id,name,email,birthday,tier\n"          /* line 1 */
  "k1,\"Kim, the first\",k1@example.com,1980-02-03,gold\n" /* 2 */
  "k2,Bad Birthday,,1990-13-45,silver\n"            /* 3: bad date */
  "\"k3\",\"Quoted, \"\"Name\"\"\",,,\n"             /* 4: ok */
  "k4,Too,Few\n";                                   /* 5: 3 fields */

static void test_import_customers_bad_rows(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  init_store();
  put_file("c.csv", customers_csv);
  CRM(&r, "--store", "s.db", "import", "customers", "c.csv");
  /* some rows rejected: exit 1, each reported with its line */
  expect(&r, 1, "2 added, 0 updated, 2 rejected", "crm: c.csv:3: ");
  expect(&r, 1, NULL, "crm: c.csv:5: 3 fields, the header has 5");
  assert_null(strstr(r.err, "c.csv:2:"));
  assert_null(strstr(r.err, "c.csv:4:"));
  run_free(&r);

  CRM(&r, "--store", "s.db", "--json", "customer", "show", "k1");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  assert_string_equal(tj_str(doc, "name"), "Kim, the first");
  assert_string_equal(tj_str(doc, "birthday"), "1980-02-03");
  assert_string_equal(tj_str(doc, "attributes.tier"), "gold");
  tj_free(doc);
  run_free(&r);
  CRM(&r, "--store", "s.db", "--json", "customer", "show", "k3");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  assert_string_equal(tj_str(doc, "name"), "Quoted, \"Name\"");
  assert_null(tj_path(doc, "attributes.tier")); /* empty cell: not set */
  tj_free(doc);
  run_free(&r);
  CRM(&r, "--store", "s.db", "customer", "show", "k2");
  expect(&r, 1, NULL, "unknown customer k2");
  run_free(&r);

  /* the same file again, from stdin, with a JSON summary: updates, not
   * duplicates */
  CRM_STDIN(&r, "c.csv", "--store", "s.db", "--json", "import", "customers",
            "-");
  expect(&r, 1, NULL, "crm: <stdin>:3: ");
  doc = parse_out(&r);
  assert_true(tj_num(doc, "added", -1) == 0);
  assert_true(tj_num(doc, "updated", -1) == 2);
  assert_true(tj_num(doc, "rejected", -1) == 2);
  assert_true(tj_num(doc, "errors.0.line", -1) == 3);
  assert_true(tj_num(doc, "errors.1.line", -1) == 5);
  tj_free(doc);
  run_free(&r);

  CRM(&r, "--store", "s.db", "--json", "customer", "list");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  assert_true(tj_num(doc, "count", -1) == 2);
  assert_int_equal(tj_path(doc, "customers")->n, 2);
  assert_string_equal(tj_str(doc, "customers.0.external_id"), "k1");
  assert_string_equal(tj_str(doc, "customers.1.external_id"), "k3");
  tj_free(doc);
  run_free(&r);
}

/* A row goes in whole or not at all: an attribute cell with a line break
 * inside quotes (a row starting on line 3) is refused by the core after
 * the fields passed; its customer must not exist. An update refused the
 * same way keeps the old name. The other rows go in. */
static void test_import_customers_row_all_or_nothing(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  init_store();
  put_file("c.csv", "external_id,name,note\nn1,Ann,fine\n"
                    "n2,Bob,\"two\nlines\"\nn3,Cy,\n");
  CRM(&r, "--store", "s.db", "--json", "import", "customers", "c.csv");
  expect(&r, 1, NULL, "crm: c.csv:3: attribute value contains a control");
  assert_null(strstr(r.err, "c.csv:2:"));
  assert_null(strstr(r.err, "c.csv:5:"));
  doc = parse_out(&r);
  assert_true(tj_num(doc, "rows", -1) == 3);
  assert_true(tj_num(doc, "added", -1) == 2);
  assert_true(tj_num(doc, "rejected", -1) == 1);
  assert_true(tj_num(doc, "errors.0.line", -1) == 3);
  tj_free(doc);
  run_free(&r);
  CRM(&r, "--store", "s.db", "customer", "show", "n2");
  expect(&r, 1, NULL, "unknown customer n2");
  run_free(&r);
  put_file("u.csv", "external_id,name,note\nn1,Ann B,\"bad\nnote\"\n"
                    "n3,Cy B,set\n");
  CRM(&r, "--store", "s.db", "import", "customers", "u.csv");
  expect(&r, 1, "0 added, 1 updated, 1 rejected", "crm: u.csv:2: ");
  run_free(&r);
  CRM(&r, "--store", "s.db", "--json", "customer", "list");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  assert_true(tj_num(doc, "count", -1) == 2);
  assert_string_equal(tj_str(doc, "customers.0.name"), "Ann");
  assert_string_equal(tj_str(doc, "customers.1.name"), "Cy B");
  tj_free(doc);
  run_free(&r);
}

static void test_import_events(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  init_store();
  put_file("c.csv", "external_id\ne1\ne2\n");
  CRM(&r, "--store", "s.db", "import", "customers", "c.csv");
  expect(&r, 0, "2 added, 0 updated, 0 rejected", NULL);
  run_free(&r);
  put_file("e.csv",
           "idempotency_key,customer,type,occurred_at,amount,currency,"
           "quantity,payload\r\n"
           "k-1,e1,purchase,1998-01-02,29.33,USD,2,\r\n"
           "k-2,e1,purchase,1998-02-03T10:00:00Z,10.00,USD,1,\r\n"
           "k-3,nobody,purchase,1998-02-03,1.00,USD,1,\r\n"
           "k-4,e2,contact,1998-02-04,,,,\"{\"\"via\"\":\"\"phone\"\"}\"\r\n"
           "k-5,e2,purchase,not-a-date,1.00,USD,1,\r\n"
           "k-1,e1,purchase,1998-01-02,29.33,USD,2,\r\n");
  CRM(&r, "--store", "s.db", "--json", "import", "events", "e.csv");
  expect(&r, 1, NULL, "crm: e.csv:4: ");
  expect(&r, 1, NULL, "crm: e.csv:6: bad occurred_at 'not-a-date'");
  doc = parse_out(&r);
  assert_true(tj_num(doc, "ingested", -1) == 3);
  assert_true(tj_num(doc, "duplicates", -1) == 1);
  assert_true(tj_num(doc, "rejected", -1) == 2);
  tj_free(doc);
  run_free(&r);

  CRM(&r, "--store", "s.db", "--json", "customer", "show", "e1");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  assert_true(tj_num(doc, "purchases", -1) == 2);
  assert_true(tj_num(doc, "spend_minor", -1) == 3933);
  assert_string_equal(tj_str(doc, "currency"), "USD");
  tj_free(doc);
  run_free(&r);
}

/* More rows than one batch (1000), with a bad row in the middle batch:
 * that row alone is rejected. */
static void test_import_batches(void **state)
{
  enum { ROWS = 2345, BAD_ROW = 1500 };
  struct run r;
  char path[1024], expected[64];
  FILE *fp;
  tj *doc;
  int i;
  (void)state;
  init_store();
  snprintf(path, sizeof(path), "%s/many.csv", cli_tmpdir);
  fp = fopen(path, "w");
  assert_non_null(fp);
  fputs("external_id,name,timezone\n", fp);
  for(i = 1; i <= ROWS; i++)
    fprintf(fp, "m%04d,Many %d,%s\n", i, i,
            i == BAD_ROW ? "Not/AZone" : "UTC");
  fclose(fp);
  CRM(&r, "--store", "s.db", "import", "customers", "many.csv");
  /* data row i is on line i + 1 */
  snprintf(expected, sizeof(expected), "crm: many.csv:%d: ", BAD_ROW + 1);
  expect(&r, 1, "2344 added, 0 updated, 1 rejected", expected);
  run_free(&r);
  CRM(&r, "--store", "s.db", "--json", "customer", "list");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  assert_true(tj_num(doc, "count", -1) == ROWS - 1);
  assert_string_equal(tj_str(doc, "customers.1498.external_id"), "m1499");
  assert_string_equal(tj_str(doc, "customers.1499.external_id"), "m1501");
  assert_string_equal(tj_str(doc, "customers.2343.external_id"), "m2345");
  tj_free(doc);
  run_free(&r);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_import_customers_bad_rows, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_import_customers_row_all_or_nothing,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(test_import_events, setup, teardown),
    cmocka_unit_test_setup_teardown(test_import_batches, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
