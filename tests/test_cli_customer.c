/*
 * test_cli_customer.c - `crm customer add / show / update` end to end.
 * Helpers in cli_run.c.
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

static void test_customer_add_show(void **state)
{
  struct run r;
  tj *doc;
  const char *id;
  char ref[32];
  (void)state;
  init_store();
  CRM(&r, "--store", "s.db", "customer", "add", "--external-id", "c-1",
      "--name", "Ann \"Quote\" Lee", "--email", "ann@example.com",
      "--timezone", "Europe/Paris", "--attr", "tier=gold", "--attr",
      "note=say \"hi\" \\ caf\xC3\xA9");
  expect(&r, 0, "added customer #", NULL);
  run_free(&r);

  CRM(&r, "--store", "s.db", "customer", "show", "c-1");
  expect(&r, 0, "Ann \"Quote\" Lee", NULL);
  expect(&r, 0, "tier = gold", NULL);
  expect(&r, 0, "Europe/Paris", NULL);
  run_free(&r);

  /* by e-mail (case-insensitive), JSON with the awkward characters */
  CRM(&r, "--store", "s.db", "--json", "customer", "show",
      "ANN@example.com");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  assert_string_equal(tj_str(doc, "external_id"), "c-1");
  assert_string_equal(tj_str(doc, "name"), "Ann \"Quote\" Lee");
  assert_string_equal(tj_str(doc, "attributes.tier"), "gold");
  assert_string_equal(tj_str(doc, "attributes.note"),
                      "say \"hi\" \\ caf\xC3\xA9");
  assert_non_null(tj_str(doc, "stage"));
  assert_true(tj_num(doc, "purchases", -1) == 0);
  assert_int_equal(tj_path(doc, "cases")->type, TJ_ARR);
  snprintf(ref, sizeof(ref), "#%.0f", tj_num(doc, "id", 0));
  tj_free(doc);
  run_free(&r);

  /* by #id, JSON option after the subcommand */
  CRM(&r, "--store", "s.db", "customer", "show", ref, "--json");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  id = tj_str(doc, "external_id");
  assert_non_null(id);
  assert_string_equal(id, "c-1");
  tj_free(doc);
  run_free(&r);

  /* a second customer with the same external id is refused */
  CRM(&r, "--store", "s.db", "customer", "add", "--external-id", "c-1");
  expect(&r, 1, NULL, "crm: ");
  assert_string_equal(r.out, "");
  run_free(&r);
}

static void test_unknown_customer(void **state)
{
  struct run r;
  (void)state;
  init_store();
  CRM(&r, "--store", "s.db", "customer", "show", "nobody");
  expect(&r, 1, NULL, "crm: unknown customer nobody\n");
  assert_string_equal(r.out, "");
  run_free(&r);
  CRM(&r, "--store", "s.db", "points", "balance", "#999");
  expect(&r, 1, NULL, "crm: unknown customer #999");
  run_free(&r);
  CRM(&r, "--store", "s.db", "event", "add", "--customer", "nobody",
      "--type", "contact");
  expect(&r, 1, NULL, "crm: unknown customer nobody");
  run_free(&r);
}

/* ---- customer update ---------------------------------------------------- */

/* A fresh store with c-1: Ann, ann@example.com, tier=gold, note=hello. */
static void add_ann(void)
{
  struct run r;
  init_store();
  CRM(&r, "--store", "s.db", "customer", "add", "--external-id", "c-1",
      "--name", "Ann", "--email", "ann@example.com", "--attr", "tier=gold",
      "--attr", "note=hello");
  expect(&r, 0, "added customer #", NULL);
  run_free(&r);
}

/* `customer show --json REF`, which must succeed. */
static tj *show_json(const char *ref)
{
  struct run r;
  tj *doc;
  CRM(&r, "--store", "s.db", "--json", "customer", "show", ref);
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  run_free(&r);
  return doc;
}

/* c-1 exactly as add_ann() left it: a refused update changed nothing. */
static void expect_ann_unchanged(void)
{
  tj *doc = show_json("c-1");
  assert_string_equal(tj_str(doc, "name"), "Ann");
  assert_string_equal(tj_str(doc, "email"), "ann@example.com");
  assert_int_equal(tj_path(doc, "attributes")->n, 2);
  assert_string_equal(tj_str(doc, "attributes.tier"), "gold");
  assert_string_equal(tj_str(doc, "attributes.note"), "hello");
  tj_free(doc);
}

static void test_customer_update(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  add_ann();
  /* a new name, one attribute changed and one added */
  CRM(&r, "--store", "s.db", "customer", "update", "c-1", "--name",
      "Ann Lee", "--attr", "tier=platinum", "--attr", "city=Lyon");
  expect(&r, 0, "updated customer #", NULL);
  assert_string_equal(r.err, "");
  run_free(&r);
  doc = show_json("ann@example.com");
  assert_string_equal(tj_str(doc, "name"), "Ann Lee");
  assert_string_equal(tj_str(doc, "email"), "ann@example.com"); /* kept */
  assert_int_equal(tj_path(doc, "attributes")->n, 3);
  assert_string_equal(tj_str(doc, "attributes.tier"), "platinum");
  assert_string_equal(tj_str(doc, "attributes.city"), "Lyon");
  assert_string_equal(tj_str(doc, "attributes.note"), "hello"); /* kept */
  tj_free(doc);

  /* unset an attribute and clear a field; --json prints the customer
   * with its attributes, as customer show --json does */
  CRM(&r, "--store", "s.db", "--json", "customer", "update", "c-1",
      "--unset-attr", "note", "--email", "");
  expect(&r, 0, NULL, NULL);
  doc = parse_out(&r);
  assert_string_equal(tj_str(doc, "external_id"), "c-1");
  assert_string_equal(tj_str(doc, "name"), "Ann Lee");
  assert_int_equal(tj_path(doc, "email")->type, TJ_NULL);
  assert_null(tj_path(doc, "attributes.note"));
  assert_string_equal(tj_str(doc, "attributes.tier"), "platinum");
  tj_free(doc);
  run_free(&r);
  doc = show_json("c-1");
  assert_int_equal(tj_path(doc, "email")->type, TJ_NULL);
  assert_int_equal(tj_path(doc, "attributes")->n, 2);
  assert_null(tj_path(doc, "attributes.note"));
  assert_string_equal(tj_str(doc, "attributes.city"), "Lyon");
  tj_free(doc);
  /* the cleared e-mail no longer finds her */
  CRM(&r, "--store", "s.db", "customer", "show", "ann@example.com");
  expect(&r, 1, NULL, "crm: unknown customer ann@example.com");
  run_free(&r);
}

/* A refused update changes nothing: neither the fields nor the
 * attributes given with it. */
static void test_customer_update_refused(void **state)
{
  struct run r;
  (void)state;
  add_ann();
  CRM(&r, "--store", "s.db", "customer", "update", "c-1", "--name", "Bob",
      "--attr", "tier=tin", "--attr", "new=1", "--unset-attr", "note",
      "--email", "not-an-email");
  expect(&r, 1, NULL, "crm: ");
  expect(&r, 1, NULL, "e-mail");
  assert_string_equal(r.out, "");
  run_free(&r);
  expect_ann_unchanged();

  /* an external id that belongs to another customer */
  CRM(&r, "--store", "s.db", "customer", "add", "--external-id", "c-2");
  expect(&r, 0, NULL, NULL);
  run_free(&r);
  CRM(&r, "--store", "s.db", "customer", "update", "c-1", "--name", "Bob",
      "--attr", "tier=tin", "--external-id", "c-2");
  expect(&r, 1, NULL, "already belongs to customer #");
  assert_string_equal(r.out, "");
  run_free(&r);
  expect_ann_unchanged();
}

static void test_customer_update_usage(void **state)
{
  struct run r;
  (void)state;
  add_ann();
  CRM(&r, "--store", "s.db", "customer", "update", "nobody", "--name", "X");
  expect(&r, 1, NULL, "crm: unknown customer nobody\n");
  assert_string_equal(r.out, "");
  run_free(&r);
  /* no change given: a usage error, before any store is opened */
  CRM(&r, "--store", "s.db", "customer", "update", "c-1");
  expect(&r, 1, NULL, "crm: customer update: nothing to change");
  run_free(&r);
  CRM(&r, "customer", "update", "c-1", "--json");
  expect(&r, 1, NULL, "nothing to change");
  assert_string_equal(r.out, "");
  run_free(&r);
  assert_false(exists("crm.db"));
  CRM(&r, "--store", "s.db", "customer", "update", "--name", "X");
  expect(&r, 1, NULL, "crm: customer update: missing argument");
  run_free(&r);
  CRM(&r, "--store", "s.db", "customer", "update", "c-1", "--attr", "tier");
  expect(&r, 1, NULL, "--attr: expected KEY=VALUE, not 'tier'");
  run_free(&r);
  CRM(&r, "--store", "s.db", "customer", "update", "c-1", "--unset-attr",
      "");
  expect(&r, 1, NULL, "--unset-attr: ");
  run_free(&r);
  expect_ann_unchanged();
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_customer_add_show, setup, teardown),
    cmocka_unit_test_setup_teardown(test_unknown_customer, setup, teardown),
    cmocka_unit_test_setup_teardown(test_customer_update, setup, teardown),
    cmocka_unit_test_setup_teardown(test_customer_update_refused, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_customer_update_usage, setup,
                                    teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
