/*
 * test_rfm_grid_core.c - the rfm segment grid through the real core: the
 * grid read by libconfig from crm.conf, segments and their explanation
 * stored by crm_score_run and read back with crm_scores_foreach, the
 * warning of a leaky grid in the core's log, a bad grid refused by
 * crm_load_config with the entry named.
 *
 * Five buyers with distinct recency, frequency and spend: with bins = 5
 * the k-th worst gets k in each dimension (test_plugin_rfm.c). Buyer i
 * gets ranks (R, F, M) by hand: last purchase (6 - R) * 10 days before
 * now, F purchases, a net spend of M * 1000 minor units.
 */
#include "test_plugin_env.h"

/* vip r 4..5 f 4..5 m 5; active r 4..5 (any f, m); big spenders r 1..3
 * m 4..5; sleeping r 1..2 m 1..3. Unmatched: r = 3 with m 1..3, any f:
 * 1 * 5 * 3 = 15 cells, the first (3, 1, 1). */
static const char conf_grid[] =
  "plugins = { load = ( { name = \"rfm\"; config = {\n"
  "  segments = (\n"
  "    { name = \"vip\"; r = [4, 5]; f = [4, 5]; m = 5; },\n"
  "    { name = \"active\"; r = [4, 5]; f = [1, 5]; },\n"
  "    { name = \"big spenders\"; r = [1, 3]; f = [1, 5]; m = [4, 5]; },\n"
  "    { name = \"sleeping\"; r = [1, 2]; f = [1, 5]; m = [1, 3]; }\n"
  "  );\n"
  "}; } ); };\n";

/* %s: "required = true; " or "" */
static const char conf_bad[] =
  "plugins = { load = ( { name = \"rfm\"; %sconfig = {\n"
  "  segments = (\n"
  "    { name = \"champions\"; r = [4, 5]; f = [4, 5]; },\n"
  "    { name = \"loyal\"; r = [3, 5]; f = [3, 5]; },\n"
  "    { name = \"at risk\"; r = [4, 2]; f = [1, 5]; }\n"
  "  );\n"
  "}; } ); };\n";

struct seg {
  char label[64];
  double value;
  size_t n_reasons;
  char factor[3][8];
  double contribution[3];
  char detail[3][64];
};

static int collect_segment(void *ud, const crm_score *s)
{
  struct seg *g = ud;
  size_t i;

  if(strcmp(s->name, "segment"))
    return 0;
  snprintf(g->label, sizeof(g->label), "%s", s->label ? s->label : "");
  g->value = s->value;
  g->n_reasons = s->n_reasons;
  for(i = 0; i < s->n_reasons && i < 3; i++) {
    snprintf(g->factor[i], sizeof(g->factor[i]), "%s", s->reasons[i].factor);
    g->contribution[i] = s->reasons[i].contribution;
    snprintf(g->detail[i], sizeof(g->detail[i]), "%s",
             s->reasons[i].detail ? s->reasons[i].detail : "(null)");
  }
  return 0;
}

static struct seg segment_of(crm *c, int64_t id)
{
  struct seg g;

  memset(&g, 0, sizeof(g));
  assert_int_equal(crm_scores_foreach(c, id, collect_segment, &g), CRM_OK);
  return g;
}

static int64_t buyer(crm *c, int k, int r, int f, int m)
{
  char ext[16], key[32];
  int64_t id;
  int j;

  snprintf(ext, sizeof(ext), "b%d", k);
  id = t_add_customer(c, ext);
  for(j = f - 1; j >= 0; j--) {
    /* j = 0 is the last purchase; the first f - 1 are 10 minor units */
    int64_t amount = j ? 10 : (int64_t)m * 1000 - (int64_t)(f - 1) * 10;

    snprintf(key, sizeof(key), "p-%d-%d", k, j);
    pe_event(c, id, "purchase", PE_NOW - (int64_t)((6 - r) * 10 + j) * T_DAY,
             amount, "USD", NULL, key);
  }
  return id;
}

struct logs {
  int warnings;
  char last[512];
};

static void log_cb(void *ud, int level, const char *source, const char *msg)
{
  struct logs *l = ud;

  if(level == CRM_LOG_WARN) {
    l->warnings++;
    snprintf(l->last, sizeof(l->last), "%s: %s", source ? source : "",
             msg);
  }
}

static void open_conf(pe_env *e, const char *text, struct logs *l)
{
  memset(e, 0, sizeof(*e));
  t_tmpdir(e->dir, sizeof(e->dir));
  e->c = t_open_mem(PE_NOW);
  crm_set_log(e->c, log_cb, l, CRM_LOG_WARN);
  snprintf(e->conf, sizeof(e->conf), "%s/crm.conf", e->dir);
  t_write_file(e->conf, text);
}

static void test_grid_through_core(void **state)
{
  struct logs l = {0, ""};
  struct seg g;
  int64_t id[6];
  size_t n = 0;
  pe_env e;

  (void)state;
  open_conf(&e, conf_grid, &l);
  assert_int_equal(crm_load_config(e.c, e.conf, CRM_TEST_PLUGIN_DIR),
                   CRM_OK);
  assert_int_equal(l.warnings, 1);
  assert_non_null(strstr(l.last, "segments leave 15 of 125 (r, f, m) cells "
                         "unmatched (the first r=3 f=1 m=1): those "
                         "customers get segment \"other\""));
  /* (5,5,5) vip, (4,4,4) active (m 4 is not vip's), (3,3,3) other,
   * (2,2,2) and (1,1,1) sleeping; big spenders: the next test */
  id[1] = buyer(e.c, 1, 5, 5, 5);
  id[2] = buyer(e.c, 2, 4, 4, 4);
  id[3] = buyer(e.c, 3, 3, 3, 3);
  id[4] = buyer(e.c, 4, 2, 2, 2);
  id[5] = buyer(e.c, 5, 1, 1, 1);
  assert_int_equal(crm_score_run(e.c, "rfm", PE_NOW, &n), CRM_OK);
  assert_int_equal(n, 5);
  g = segment_of(e.c, id[1]);
  assert_string_equal(g.label, "vip");
  assert_true(g.value == 1);
  assert_int_equal(g.n_reasons, 3);
  assert_string_equal(g.factor[0], "r");
  assert_string_equal(g.factor[1], "f");
  assert_string_equal(g.factor[2], "m");
  assert_true(g.contribution[0] == 5 && g.contribution[1] == 5 &&
              g.contribution[2] == 5);
  assert_string_equal(g.detail[0], "last purchase 10 days ago");
  assert_string_equal(g.detail[1], "5 purchases");
  assert_string_equal(g.detail[2], "spend 50.00 USD");
  g = segment_of(e.c, id[2]);
  assert_string_equal(g.label, "active");
  assert_true(g.value == 2);
  g = segment_of(e.c, id[3]);
  assert_string_equal(g.label, "other");
  assert_true(g.value == 0);
  assert_true(g.contribution[0] == 3);
  assert_string_equal(g.detail[1], "3 purchases");
  g = segment_of(e.c, id[5]);
  assert_string_equal(g.label, "sleeping");
  assert_true(g.value == 4);
  assert_string_equal(g.detail[0], "last purchase 50 days ago");
  assert_string_equal(g.detail[1], "1 purchase");
  assert_string_equal(g.detail[2], "spend 10.00 USD");
  pe_close(&e);
}

/* (R, F, M) = (3, 5, 4) is a big spender: five buyers, ranks permuted. */
static void test_big_spender_through_core(void **state)
{
  struct logs l = {0, ""};
  int64_t id;
  pe_env e;

  (void)state;
  open_conf(&e, conf_grid, &l);
  assert_int_equal(crm_load_config(e.c, e.conf, CRM_TEST_PLUGIN_DIR),
                   CRM_OK);
  (void)buyer(e.c, 1, 5, 1, 1);
  (void)buyer(e.c, 2, 4, 4, 5);
  id = buyer(e.c, 3, 3, 5, 4);
  (void)buyer(e.c, 4, 2, 2, 3);
  (void)buyer(e.c, 5, 1, 3, 2);
  assert_int_equal(crm_score_run(e.c, "rfm", PE_NOW, NULL), CRM_OK);
  assert_string_equal(segment_of(e.c, id).label, "big spenders");
  assert_true(segment_of(e.c, id).value == 3);
  pe_close(&e);
}

/* A bad grid stops crm_load_config when rfm is required, and is logged
 * (rfm skipped) when it is optional; the message names the entry. */
static void test_bad_grid_refused(void **state)
{
  static const char msg[] =
    "segments[2] (\"at risk\"): r range 4..2 is empty";
  struct logs l = {0, ""};
  char text[sizeof(conf_bad) + 32];
  pe_env e;

  (void)state;
  snprintf(text, sizeof(text), conf_bad, "required = true; ");
  open_conf(&e, text, &l);
  assert_int_equal(crm_load_config(e.c, e.conf, CRM_TEST_PLUGIN_DIR),
                   CRM_EPLUGIN);
  assert_non_null(strstr(crm_errmsg(e.c), msg));
  pe_close(&e);

  snprintf(text, sizeof(text), conf_bad, "");
  open_conf(&e, text, &l);
  assert_int_equal(crm_load_config(e.c, e.conf, CRM_TEST_PLUGIN_DIR),
                   CRM_OK);
  assert_int_equal(l.warnings, 1);
  assert_non_null(strstr(l.last, msg));
  assert_int_equal(crm_score_run(e.c, "rfm", PE_NOW, NULL), CRM_ENOTFOUND);
  pe_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_grid_through_core),
    cmocka_unit_test(test_big_spender_through_core),
    cmocka_unit_test(test_bad_grid_refused),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
