/*
 * test_plugin_integration.c - the four shipped plugins loaded together by
 * the core from a generated crm.conf: their recorded states, their check
 * by crm_plugin_check, and basic_points writing the ledger through
 * ingestion (earn, pro-rata reversal, other currency).
 */
#include "test_plugin_env.h"

static const char conf_all[] =
  "plugins = { load = (\n"
  "  { name = \"rfm\"; },\n"
  "  { name = \"basic_points\"; config = { points_per_unit = 2; }; },\n"
  "  { name = \"basic_case\"; },\n"
  "  { name = \"file\"; config = { path = \"/dev/null\"; }; }\n"
  "); };\n";

struct pinfo {
  char names[8][32];
  char states[8][16];
  char vendors[8][32];
  char comps[8][64];
  size_t n;
};

static int collect_plugins(void *ud, const crm_plugin_info *p)
{
  struct pinfo *g = ud;

  if(g->n < 8) {
    snprintf(g->names[g->n], sizeof(g->names[0]), "%s", p->name);
    snprintf(g->states[g->n], sizeof(g->states[0]), "%s", p->state);
    snprintf(g->vendors[g->n], sizeof(g->vendors[0]), "%s",
             p->vendor ? p->vendor : "");
    snprintf(g->comps[g->n], sizeof(g->comps[0]), "%s",
             p->components ? p->components : "");
  }
  g->n++;
  return 0;
}

static void test_all_loaded(void **state)
{
  static const char *const want[4][2] = {
    {"rfm", "rfm:scoring"},
    {"basic_points", "basic_points:reward"},
    {"basic_case", "basic_case:complaint"},
    {"file", "file:channel"},
  };
  pe_env e;
  struct pinfo g;
  size_t i, k;

  (void)state;
  pe_open(&e, conf_all);
  memset(&g, 0, sizeof(g));
  assert_int_equal(crm_plugins_foreach(e.c, collect_plugins, &g), CRM_OK);
  assert_int_equal(g.n, 4);
  for(k = 0; k < 4; k++) {
    for(i = 0; i < g.n; i++) {
      if(!strcmp(g.names[i], want[k][0]))
        break;
    }
    if(i == g.n)
      fail_msg("plugin %s not recorded", want[k][0]);
    assert_string_equal(g.states[i], "loaded");
    assert_string_equal(g.vendors[i], "crmcore");
    assert_string_equal(g.comps[i], want[k][1]);
  }
  pe_close(&e);
}

/* Each shipped .so passes the out-of-process check. */
static void test_plugin_check(void **state)
{
  static const char *const names[] = {"rfm", "basic_points", "basic_case",
                                      "file"};
  char path[1024];
  char msg[512];
  size_t i;

  (void)state;
  for(i = 0; i < 4; i++) {
    snprintf(path, sizeof(path), "%s/%s.so", CRM_TEST_PLUGIN_DIR, names[i]);
    if(crm_plugin_check(path, msg, sizeof(msg)) != CRM_OK)
      fail_msg("%s refused: %s", names[i], msg);
    assert_non_null(strstr(msg, names[i]));
  }
}

struct ledger {
  int64_t points[8];
  char kind[8][16];
  char note[8][96];
  char comp[8][32];
  size_t n;
};

static int collect_ledger(void *ud, const crm_ledger_entry *le)
{
  struct ledger *g = ud;

  if(g->n < 8) {
    g->points[g->n] = le->points;
    snprintf(g->kind[g->n], sizeof(g->kind[0]), "%s", le->kind);
    snprintf(g->note[g->n], sizeof(g->note[0]), "%s", le->note ? le->note
                                                               : "");
    snprintf(g->comp[g->n], sizeof(g->comp[0]), "%s", le->component);
  }
  g->n++;
  return 0;
}

/* 2 pts/USD: 29.33 USD earns floor(58.66) = 58. Refunding 10.00 of it
 * takes back floor(58 * 1000 / 2933) = floor(19.77) = 19; the rest
 * (19.33) takes back the remaining 39. EUR earns nothing. */
static void test_points_through_ingest(void **state)
{
  pe_env e;
  int64_t id, bal = -1;
  crm_ingest_result r;
  struct ledger g;

  (void)state;
  pe_open(&e, conf_all);
  id = t_add_customer(e.c, "a");
  r = pe_event(e.c, id, "purchase", PE_NOW - 300, 2933, "USD", NULL,
               "order-1");
  assert_int_equal(r.points, 58);
  r = pe_event(e.c, id, "purchase", PE_NOW - 200, 5000, "EUR", NULL,
               "order-2");
  assert_int_equal(r.points, 0);
  r = pe_event(e.c, id, "refund", PE_NOW - 100, 1000, "USD",
               "{\"refund_of\":\"order-1\"}", "refund-1");
  assert_int_equal(r.points, -19);
  assert_int_equal(crm_points_balance(e.c, id, &bal), CRM_OK);
  assert_int_equal(bal, 39);
  memset(&g, 0, sizeof(g));
  assert_int_equal(crm_ledger_foreach(e.c, id, collect_ledger, &g), CRM_OK);
  assert_int_equal(g.n, 2);
  assert_string_equal(g.kind[0], "earn");
  assert_int_equal(g.points[0], 58);
  assert_string_equal(g.note[0], "2 pts per USD on 29.33 USD");
  assert_string_equal(g.comp[0], "basic_points");
  assert_string_equal(g.kind[1], "reverse");
  assert_int_equal(g.points[1], -19);
  /* the rest of the amount takes back exactly what is left */
  r = pe_event(e.c, id, "refund", PE_NOW - 50, 1933, "USD",
               "{\"refund_of\":\"order-1\"}", "refund-2");
  assert_int_equal(r.points, -39);
  assert_int_equal(crm_points_balance(e.c, id, &bal), CRM_OK);
  assert_int_equal(bal, 0);
  pe_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_all_loaded),
    cmocka_unit_test(test_plugin_check),
    cmocka_unit_test(test_points_through_ingest),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
