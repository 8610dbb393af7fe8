/*
 * test_plugin_integration.c - the four shipped plugins loaded together by
 * the core from a generated crm.conf: their recorded states, their check
 * by crm_plugin_check, and basic_points writing the ledger through
 * ingestion (earn, pro-rata reversal, other currency, refunds that never
 * take back more than was earned, refunds of another customer's
 * purchase refused, refunds held per customer before the purchase).
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

/* 2 pts/USD. Customer a buys 10.00 USD (key pa): +20. Customer b's
 * refund naming pa is refused as bad input and leaves nothing behind: no
 * ledger row, no event (its key is still free). a's own refund of pa
 * then takes back all 20. */
static void test_refund_of_other_customers_purchase(void **state)
{
  pe_env e;
  int64_t a, b, bal = -1;
  crm_ingest_result r;
  crm_event ev;
  struct ledger g;

  (void)state;
  pe_open(&e, conf_all);
  a = t_add_customer(e.c, "a1");
  b = t_add_customer(e.c, "b1");
  r = pe_event(e.c, a, "purchase", PE_NOW - 300, 1000, "USD", NULL, "pa");
  assert_int_equal(r.points, 20);
  memset(&ev, 0, sizeof(ev));
  memset(&r, 0, sizeof(r));
  ev.type = "refund";
  ev.customer_id = b;
  ev.occurred_at = PE_NOW - 200;
  ev.amount = 1000;
  ev.currency = "USD";
  ev.payload = "{\"refund_of\":\"pa\"}";
  ev.idempotency_key = "rb";
  assert_int_equal(crm_event_ingest(e.c, &ev, &r), CRM_EINVAL);
  assert_non_null(strstr(crm_errmsg(e.c), "refund_of \"pa\" names a "
                                          "purchase of another customer"));
  assert_int_equal(crm_points_balance(e.c, b, &bal), CRM_OK);
  assert_int_equal(bal, 0);
  memset(&g, 0, sizeof(g));
  assert_int_equal(crm_ledger_foreach(e.c, b, collect_ledger, &g), CRM_OK);
  assert_int_equal(g.n, 0);
  /* the key was not used: another event may take it (b has no points,
   * so a refund at the rate takes nothing) */
  r = pe_event(e.c, b, "refund", PE_NOW - 200, 500, "USD", NULL, "rb");
  assert_int_equal(r.duplicate, 0);
  assert_int_equal(r.points, 0);
  r = pe_event(e.c, a, "refund", PE_NOW - 100, 1000, "USD",
               "{\"refund_of\":\"pa\"}", "ra");
  assert_int_equal(r.points, -20);
  assert_int_equal(crm_points_balance(e.c, a, &bal), CRM_OK);
  assert_int_equal(bal, 0);
  pe_close(&e);
}

/* Every refund path through the ledger, 2 pts/USD; the reversals of a
 * purchase never exceed what it earned:
 *   o1 30.00 earns 60; refund 10.00 takes floor(60 * 1000 / 3000) = 20;
 *   the same refund again is a duplicate (one ledger row); 25.00 more is
 *   capped at the 20.00 left: the remaining 40; 5.00 more takes nothing.
 *   10.00 of o2 before o2 arrives: nothing, held. o2 25.00 earns 50 less
 *   the held share floor(50 * 1000 / 2500) = 20: 30; the rest (amount 0)
 *   takes those 30 back.
 *   o3 5.00 earns 10; a refund of 12.50 naming no purchase is 25 at the
 *   rate, capped at the balance 10.
 * Balance ends at 0, never below. */
static void test_refund_paths_through_ingest(void **state)
{
  static const int64_t want[] = {60, -20, -40, 30, -30, 10, -10};
  pe_env e;
  int64_t id, bal = -1;
  crm_ingest_result r;
  struct ledger g;
  const char *o1 = "{\"refund_of\":\"o1\"}";
  const char *o2 = "{\"refund_of\":\"o2\"}";
  size_t i;

  (void)state;
  pe_open(&e, conf_all);
  id = t_add_customer(e.c, "c");
  r = pe_event(e.c, id, "purchase", PE_NOW - 900, 3000, "USD", NULL, "o1");
  assert_int_equal(r.points, 60);
  r = pe_event(e.c, id, "refund", PE_NOW - 800, 1000, "USD", o1, "r1");
  assert_int_equal(r.points, -20);
  r = pe_event(e.c, id, "refund", PE_NOW - 800, 1000, "USD", o1, "r1");
  assert_int_equal(r.duplicate, 1);
  assert_int_equal(r.points, 0);
  r = pe_event(e.c, id, "refund", PE_NOW - 700, 2500, "USD", o1, "r2");
  assert_int_equal(r.points, -40);
  r = pe_event(e.c, id, "refund", PE_NOW - 690, 500, "USD", o1, "r3");
  assert_int_equal(r.points, 0);
  assert_int_equal(crm_points_balance(e.c, id, &bal), CRM_OK);
  assert_int_equal(bal, 0);
  r = pe_event(e.c, id, "refund", PE_NOW - 600, 1000, "USD", o2, "r4");
  assert_int_equal(r.points, 0);
  r = pe_event(e.c, id, "purchase", PE_NOW - 500, 2500, "USD", NULL, "o2");
  assert_int_equal(r.points, 30);
  r = pe_event(e.c, id, "refund", PE_NOW - 400, 0, "USD", o2, "r5");
  assert_int_equal(r.points, -30);
  r = pe_event(e.c, id, "purchase", PE_NOW - 300, 500, "USD", NULL, "o3");
  assert_int_equal(r.points, 10);
  r = pe_event(e.c, id, "refund", PE_NOW - 200, 1250, "USD", NULL, "r6");
  assert_int_equal(r.points, -10);
  assert_int_equal(crm_points_balance(e.c, id, &bal), CRM_OK);
  assert_int_equal(bal, 0);
  memset(&g, 0, sizeof(g));
  assert_int_equal(crm_ledger_foreach(e.c, id, collect_ledger, &g), CRM_OK);
  assert_int_equal(g.n, 7);
  for(i = 0; i < 7; i++)
    assert_int_equal(g.points[i], want[i]);
  assert_string_equal(g.note[3], "2 pts per USD on 25.00 USD, less 10.00 "
                                 "USD refunded before");
  assert_string_equal(g.note[6], "reversal at 2 pts per USD on 12.50 USD; "
                                 "balance 10, 15 not taken back");
  pe_close(&e);
}

/* 2 pts/USD. Refunds held before the purchase are kept per customer:
 * b's refund of 20.00 naming "px" (which turns out to be a's) is held for
 * b and does not block a's own refund of 5.00 naming px, held for a. a's
 * purchase of 30.00 earns 60 less a's held share, floor(60 * 500 / 3000)
 * = 10: 50 (b's 20.00 would have made it 20, both 10). From then on b's
 * refunds of px are refused; a's refund of the rest takes back the 50.
 * A refund_of longer than 128 bytes is refused as bad input. */
static void test_refund_held_per_customer(void **state)
{
  pe_env e;
  int64_t a, b, bal = -1;
  crm_ingest_result r;
  crm_event ev;
  struct ledger g;
  char longpl[200];

  (void)state;
  pe_open(&e, conf_all);
  a = t_add_customer(e.c, "a2");
  b = t_add_customer(e.c, "b2");
  r = pe_event(e.c, b, "refund", PE_NOW - 500, 2000, "USD",
               "{\"refund_of\":\"px\"}", "rb1");
  assert_int_equal(r.points, 0);
  r = pe_event(e.c, a, "refund", PE_NOW - 400, 500, "USD",
               "{\"refund_of\":\"px\"}", "ra1");
  assert_int_equal(r.points, 0);
  r = pe_event(e.c, a, "purchase", PE_NOW - 300, 3000, "USD", NULL, "px");
  assert_int_equal(r.points, 50);
  memset(&g, 0, sizeof(g));
  assert_int_equal(crm_ledger_foreach(e.c, a, collect_ledger, &g), CRM_OK);
  assert_int_equal(g.n, 1);
  assert_string_equal(g.kind[0], "earn");
  assert_string_equal(g.note[0], "2 pts per USD on 30.00 USD, less 5.00 "
                                 "USD refunded before");
  memset(&ev, 0, sizeof(ev));
  memset(&r, 0, sizeof(r));
  ev.type = "refund";
  ev.customer_id = b;
  ev.occurred_at = PE_NOW - 200;
  ev.amount = 1000;
  ev.currency = "USD";
  ev.payload = "{\"refund_of\":\"px\"}";
  ev.idempotency_key = "rb2";
  assert_int_equal(crm_event_ingest(e.c, &ev, &r), CRM_EINVAL);
  assert_non_null(strstr(crm_errmsg(e.c), "refund_of \"px\" names a "
                                          "purchase of another customer"));
  snprintf(longpl, sizeof(longpl), "{\"refund_of\":\"%0129d\"}", 7);
  ev.customer_id = a;
  ev.payload = longpl;
  ev.idempotency_key = "ra2";
  assert_int_equal(crm_event_ingest(e.c, &ev, &r), CRM_EINVAL);
  assert_non_null(strstr(crm_errmsg(e.c), "refund_of is longer than 128 "
                                          "bytes"));
  r = pe_event(e.c, a, "refund", PE_NOW - 100, 0, "USD",
               "{\"refund_of\":\"px\"}", "ra3");
  assert_int_equal(r.points, -50);
  assert_int_equal(crm_points_balance(e.c, a, &bal), CRM_OK);
  assert_int_equal(bal, 0);
  assert_int_equal(crm_points_balance(e.c, b, &bal), CRM_OK);
  assert_int_equal(bal, 0);
  pe_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_all_loaded),
    cmocka_unit_test(test_plugin_check),
    cmocka_unit_test(test_points_through_ingest),
    cmocka_unit_test(test_refund_of_other_customers_purchase),
    cmocka_unit_test(test_refund_paths_through_ingest),
    cmocka_unit_test(test_refund_held_per_customer),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
