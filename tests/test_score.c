/*
 * test_score.c - crm_score_run, crm_scores_foreach and crm__score_put
 * through the public API with the rfm plugin loaded from the build tree.
 */
#include <math.h>

#include "test_plugin_env.h"

#include "crm_int.h"

static const char conf_rfm[] =
  "plugins = { load = ( { name = \"rfm\"; } ); };\n";

struct got {
  crm_score s[64];
  char model[64][16];
  char name[64][16];
  char label[64][32];
  size_t n;
  int stop_after;
};

static int collect(void *ud, const crm_score *s)
{
  struct got *g = ud;

  if(g->n < 64) {
    g->s[g->n] = *s;
    snprintf(g->model[g->n], sizeof(g->model[0]), "%s", s->model);
    snprintf(g->name[g->n], sizeof(g->name[0]), "%s", s->name);
    snprintf(g->label[g->n], sizeof(g->label[0]), "%s",
             s->label ? s->label : "(null)");
  }
  g->n++;
  if(g->stop_after && (int)g->n == g->stop_after)
    return 7;
  return 0;
}

/* The score `name` of customer id, or fails; label copied to lbl. */
static double get(crm *c, int64_t id, const char *name, char *lbl,
                  size_t lsize)
{
  struct got g;
  size_t i;

  memset(&g, 0, sizeof(g));
  assert_int_equal(crm_scores_foreach(c, id, collect, &g), CRM_OK);
  for(i = 0; i < g.n && i < 64; i++) {
    if(!strcmp(g.name[i], name)) {
      assert_string_equal(g.model[i], "rfm");
      assert_int_equal(g.s[i].customer_id, id);
      if(lbl)
        snprintf(lbl, lsize, "%s", g.label[i]);
      return g.s[i].value;
    }
  }
  fail_msg("customer %lld has no score %s", (long long)id, name);
  return 0;
}

/* Five buyers with distinct recency, frequency and spend, one without.
 * Buyer k (1 = best) bought count[k] times, the last one days[k] ago. */
static void populate(crm *c, int64_t ids[6])
{
  static const int count[5] = {10, 5, 3, 2, 1};
  static const int days[5] = {1, 10, 30, 90, 365};
  static const int64_t each[5] = {5000, 4000, 3333, 2500, 1000};
  char ext[16], key[32];
  int k, j;

  for(k = 0; k < 6; k++) {
    snprintf(ext, sizeof(ext), "c%d", k + 1);
    ids[k] = t_add_customer(c, ext);
  }
  for(k = 0; k < 5; k++) {
    for(j = count[k] - 1; j >= 0; j--) {
      snprintf(key, sizeof(key), "p-%d-%d", k, j);
      /* the last (j = 0) is days[k] ago, earlier ones a week apart */
      pe_event(c, ids[k], "purchase",
               PE_NOW - (int64_t)(days[k] + 7 * j) * T_DAY, each[k], "USD",
               NULL, key);
    }
  }
}

static void test_no_component(void **state)
{
  pe_env e;
  size_t n = 99;

  (void)state;
  pe_open(&e, NULL);
  assert_int_equal(crm_score_run(e.c, NULL, 0, &n), CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(e.c), "no scoring component is loaded");
  assert_int_equal(n, 0);
  pe_close(&e);
}

static void test_unknown_model(void **state)
{
  pe_env e;

  (void)state;
  pe_open(&e, conf_rfm);
  assert_int_equal(crm_score_run(e.c, "nope", 0, NULL), CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(e.c),
                      "no scoring component \"nope\" is loaded");
  pe_close(&e);
}

/* With n = bins = 5 and distinct values, the k-th best buyer scores
 * 6 - k in every dimension (see test_plugin_rfm for the rule). */
static void test_run_rfm(void **state)
{
  pe_env e;
  int64_t ids[6];
  size_t n = 0;
  char lbl[32];
  struct got g;

  (void)state;
  pe_open(&e, conf_rfm);
  populate(e.c, ids);
  assert_int_equal(crm_score_run(e.c, "rfm", PE_NOW, &n), CRM_OK);
  assert_int_equal(n, 5);
  assert_true(get(e.c, ids[0], "r", NULL, 0) == 5);
  assert_true(get(e.c, ids[0], "f", NULL, 0) == 5);
  assert_true(get(e.c, ids[0], "m", NULL, 0) == 5);
  assert_true(get(e.c, ids[0], "rfm", lbl, sizeof(lbl)) == 555);
  assert_string_equal(lbl, "555");
  get(e.c, ids[0], "segment", lbl, sizeof(lbl));
  assert_string_equal(lbl, "Champions");
  assert_true(get(e.c, ids[2], "rfm", lbl, sizeof(lbl)) == 333);
  get(e.c, ids[2], "r", lbl, sizeof(lbl));
  assert_string_equal(lbl, "30 days");
  get(e.c, ids[4], "segment", lbl, sizeof(lbl));
  assert_string_equal(lbl, "Hibernating");
  /* the customer who never bought has no score */
  memset(&g, 0, sizeof(g));
  assert_int_equal(crm_scores_foreach(e.c, ids[5], collect, &g), CRM_OK);
  assert_int_equal(g.n, 0);
  /* all customers: 5 buyers x 5 scores, ordered by customer */
  memset(&g, 0, sizeof(g));
  assert_int_equal(crm_scores_foreach(e.c, 0, collect, &g), CRM_OK);
  assert_int_equal(g.n, 25);
  assert_int_equal(g.s[0].customer_id, ids[0]);
  assert_int_equal(g.s[24].customer_id, ids[4]);
  assert_int_equal(g.s[0].computed_at, PE_NOW);
  pe_close(&e);
}

/* A second run replaces the first (no duplicates; model NULL = all), and
 * a later as_of changes recency. */
static void test_rerun_replaces(void **state)
{
  pe_env e;
  int64_t ids[6];
  size_t n = 0;
  struct got g;
  char lbl[32];

  (void)state;
  pe_open(&e, conf_rfm);
  populate(e.c, ids);
  assert_int_equal(crm_score_run(e.c, NULL, PE_NOW, &n), CRM_OK);
  assert_int_equal(crm_score_run(e.c, NULL, PE_NOW + 10 * T_DAY, &n),
                   CRM_OK);
  assert_int_equal(n, 5);
  memset(&g, 0, sizeof(g));
  assert_int_equal(crm_scores_foreach(e.c, 0, collect, &g), CRM_OK);
  assert_int_equal(g.n, 25);
  get(e.c, ids[0], "r", lbl, sizeof(lbl));
  assert_string_equal(lbl, "11 days");
  pe_close(&e);
}

/* A non-zero return from the callback stops the walk and is returned. */
static void test_foreach_stops(void **state)
{
  pe_env e;
  int64_t ids[6];
  struct got g;

  (void)state;
  pe_open(&e, conf_rfm);
  populate(e.c, ids);
  assert_int_equal(crm_score_run(e.c, "rfm", PE_NOW, NULL), CRM_OK);
  memset(&g, 0, sizeof(g));
  g.stop_after = 3;
  assert_int_equal(crm_scores_foreach(e.c, 0, collect, &g), 7);
  assert_int_equal(g.n, 3);
  pe_close(&e);
}

/* crm__score_put: upsert, refusals. */
static void test_score_put(void **state)
{
  pe_env e;
  int64_t id;
  char lbl[32];
  char longname[80];

  (void)state;
  pe_open(&e, NULL);
  id = t_add_customer(e.c, "x");
  assert_int_equal(crm__score_put(e.c, id, "rfm", "r", 2, "a"), CRM_OK);
  assert_int_equal(crm__score_put(e.c, id, "rfm", "r", 4, NULL), CRM_OK);
  assert_true(get(e.c, id, "r", lbl, sizeof(lbl)) == 4);
  assert_string_equal(lbl, "(null)");
  assert_int_equal(crm__score_put(e.c, id + 100, "rfm", "r", 1, NULL),
                   CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(e.c), "unknown customer #101");
  assert_int_equal(crm__score_put(e.c, id, "rfm", "", 1, NULL), CRM_EINVAL);
  assert_int_equal(crm__score_put(e.c, id, "rfm", "r", NAN, NULL),
                   CRM_EINVAL);
  memset(longname, 'n', sizeof(longname) - 1);
  longname[sizeof(longname) - 1] = '\0';
  assert_int_equal(crm__score_put(e.c, id, "rfm", longname, 1, NULL),
                   CRM_ERANGE);
  pe_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_no_component),
    cmocka_unit_test(test_unknown_model),
    cmocka_unit_test(test_run_rfm),
    cmocka_unit_test(test_rerun_replaces),
    cmocka_unit_test(test_foreach_stops),
    cmocka_unit_test(test_score_put),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
