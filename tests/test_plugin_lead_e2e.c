/*
 * test_plugin_lead_e2e.c - the lead plugin through the real core: events
 * ingested with crm_event_ingest (lifecycle, idempotency, transactions),
 * scores read back with their explanations, the fit with crm_score_fit.
 * The store is a file, so that the test can read (and wipe) the plugin's
 * kv rows with SQLite beside the core.
 *
 * Training set (as in test_plugin_lead.c, source only; alpha 1):
 *   won:  web web web referral referral fair   (6)
 *   lost: web fair fair fair                   (4)
 *   P(web|won) = 4/10, P(web|lost) = 2/8; prior odds 6/4
 *   prospect "web": odds 1.5 x 1.6 = 2.4, nb = 2.4/3.4 = 0.70588...
 *   after one more lost web (6 won, 5 lost; K still 4):
 *   P(web|won) = 4/10, P(web|lost) = 3/9; odds 1.2 x 1.2 = 1.44,
 *   nb = 1.44/2.44 = 0.59016...
 */
#include <math.h>
#include <sqlite3.h>
#include <unistd.h>

#include "crm_test.h"

#define NOW (T_EPOCH2000 + 1000 * T_DAY)
#define T1 (NOW - 100 * T_DAY)

static const char conf_lead[] =
  "plugins = { load = ( { name = \"lead\"; config = {\n"
  "  nb = { fields = [\"source\", \"stage\"]; };\n"
  "}; } ); };\n";

static const char conf_source[] =
  "plugins = { load = ( { name = \"lead\"; config = {\n"
  "  nb = { fields = [\"source\"]; };\n"
  "}; } ); };\n";

struct env {
  crm *c;
  char dir[512];
  char db[600];
  char conf[600];
  int64_t tick;
};

static void env_open(struct env *e, const char *conf)
{
  memset(e, 0, sizeof(*e));
  t_tmpdir(e->dir, sizeof(e->dir));
  snprintf(e->db, sizeof(e->db), "%s/crm.db", e->dir);
  snprintf(e->conf, sizeof(e->conf), "%s/crm.conf", e->dir);
  if(crm_open(&e->c, e->db, CRM_OPEN_CREATE))
    fail_msg("crm_open: %s", crm_errmsg(e->c));
  crm_set_now(e->c, NOW);
  t_write_file(e->conf, conf);
  if(crm_load_config(e->c, e->conf, CRM_TEST_PLUGIN_DIR))
    fail_msg("crm_load_config: %s", crm_errmsg(e->c));
  e->tick = T1;
}

static void env_close(struct env *e)
{
  char p[700];
  static const char *const files[] = {"crm.db", "crm.db-wal", "crm.db-shm",
                                      "crm.conf"};
  size_t i;

  crm_close(e->c);
  for(i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
    snprintf(p, sizeof(p), "%s/%s", e->dir, files[i]);
    unlink(p);
  }
  rmdir(e->dir);
}

/* The plugin's kv value (static buffer), or NULL. */
static const char *kv(struct env *e, const char *key)
{
  static char buf[4096];
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  const char *out = NULL;

  assert_int_equal(sqlite3_open_v2(e->db, &db, SQLITE_OPEN_READONLY, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT value FROM plugin_kv"
                                      " WHERE plugin = 'lead' AND key = ?1",
                                      -1, &st, NULL), SQLITE_OK);
  sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  if(sqlite3_step(st) == SQLITE_ROW) {
    snprintf(buf, sizeof(buf), "%s", (const char *)sqlite3_column_text(st, 0));
    out = buf;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

/* The plugin's kv rows whose key starts with prefix. */
static int kv_count(struct env *e, const char *prefix)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  int n;

  assert_int_equal(sqlite3_open_v2(e->db, &db, SQLITE_OPEN_READONLY, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM plugin_kv"
                                      " WHERE plugin = 'lead' AND substr(key,"
                                      " 1, length(?1)) = ?1", -1, &st, NULL),
                   SQLITE_OK);
  sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  n = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

/* A stored column as "value\twon\tlost\n" lines: the value list
 * "nb:l:<field>" with each count "nb:v:<field>\t<value>" ("won lost");
 * fails on a count key that the list does not name. */
static const char *column(struct env *e, const char *field)
{
  static char out[4096];
  char list[4096], key[256], value[128];
  const char *s, *c;
  size_t len = 0;
  int n = 0;

  snprintf(key, sizeof(key), "nb:l:%s", field);
  s = kv(e, key);
  snprintf(list, sizeof(list), "%s", s ? s : "");
  out[0] = '\0';
  for(s = list; *s; s += *s == '\n') {
    size_t l = strcspn(s, "\n");
    int w, lo;

    snprintf(value, sizeof(value), "%.*s", (int)l, s);
    snprintf(key, sizeof(key), "nb:v:%s\t%s", field, value);
    c = kv(e, key);
    if(!c || sscanf(c, "%d %d", &w, &lo) != 2)
      fail_msg("no count for %s", key);
    len += (size_t)snprintf(out + len, sizeof(out) - len, "%s\t%d\t%d\n",
                            value, w, lo);
    n++;
    s += l;
  }
  snprintf(key, sizeof(key), "nb:v:%s\t", field);
  assert_int_equal(kv_count(e, key), n);
  return out;
}

/* Deletes the plugin's kv rows whose key starts with prefix. */
static void kv_wipe(struct env *e, const char *prefix)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;

  assert_int_equal(sqlite3_open(e->db, &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  assert_int_equal(sqlite3_prepare_v2(db, "DELETE FROM plugin_kv WHERE"
                                      " plugin = 'lead' AND substr(key, 1,"
                                      " length(?1)) = ?1", -1, &st, NULL),
                   SQLITE_OK);
  sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

static int64_t prospect(struct env *e, const char *ext, const char *source)
{
  int64_t id = t_add_customer(e->c, ext);

  if(source && crm_customer_set_attr(e->c, id, "source", source))
    fail_msg("set_attr: %s", crm_errmsg(e->c));
  return id;
}

static crm_ingest_result ev(struct env *e, int64_t id, const char *type,
                            const char *payload, const char *key)
{
  e->tick += 3600;
  return t_event(e->c, id, type, e->tick,
                 strcmp(type, "purchase") ? 0 : 5000, payload, key);
}

static void ev_auto(struct env *e, int64_t id, const char *type)
{
  char key[64];

  snprintf(key, sizeof(key), "k-%lld-%lld", (long long)id,
           (long long)e->tick);
  ev(e, id, type, NULL, key);
}

struct got {
  int64_t id;
  const char *name;
  int found;
  double value;
  char label[64];
  size_t n;
  char factor[CRM_SCORE_FACTORS_MAX][72];
  double contribution[CRM_SCORE_FACTORS_MAX];
  char detail[CRM_SCORE_FACTORS_MAX][136];
};

static int got_cb(void *ud, const crm_score *s)
{
  struct got *g = ud;
  size_t i;

  if(strcmp(s->model, "lead") || strcmp(s->name, g->name))
    return 0;
  g->found = 1;
  g->value = s->value;
  snprintf(g->label, sizeof(g->label), "%s", s->label ? s->label : "");
  g->n = s->n_reasons;
  for(i = 0; i < s->n_reasons && i < CRM_SCORE_FACTORS_MAX; i++) {
    snprintf(g->factor[i], sizeof(g->factor[i]), "%s", s->reasons[i].factor);
    g->contribution[i] = s->reasons[i].contribution;
    snprintf(g->detail[i], sizeof(g->detail[i]), "%s",
             s->reasons[i].detail ? s->reasons[i].detail : "");
  }
  return 0;
}

static struct got get(struct env *e, int64_t id, const char *name)
{
  struct got g;

  memset(&g, 0, sizeof(g));
  g.id = id;
  g.name = name;
  if(crm_scores_foreach(e->c, id, got_cb, &g))
    fail_msg("crm_scores_foreach: %s", crm_errmsg(e->c));
  return g;
}

static double contrib(const struct got *g, const char *factor)
{
  size_t i;

  for(i = 0; i < g->n; i++) {
    if(!strcmp(g->factor[i], factor))
      return g->contribution[i];
  }
  fail_msg("no factor %s in %s", factor, g->name);
  return 0;
}

static void train(struct env *e)
{
  static const char *const src[10] = {"web", "web", "web", "referral",
                                      "referral", "fair", "web", "fair",
                                      "fair", "fair"};
  char ext[16];
  int i;

  for(i = 0; i < 10; i++) {
    int64_t id;

    snprintf(ext, sizeof(ext), "t%d", i);
    id = prospect(e, ext, src[i]);
    ev_auto(e, id, "contact");
    ev_auto(e, id, i < 6 ? "lead_won" : "lead_lost");
  }
}

/* MAN from attributes, then from qualify events; the core's own stage
 * follows the same events (all three true: qualified). */
static void test_man(void **state)
{
  struct env e;
  struct got g;
  int64_t id;

  (void)state;
  env_open(&e, conf_lead);
  id = prospect(&e, "m1", "web");
  assert_int_equal(crm_customer_set_attr(e.c, id, "budget", "250000"), 0);
  assert_int_equal(crm_customer_set_attr(e.c, id, "role", "engineer"), 0);
  ev(&e, id, "contact", NULL, "m-1");
  /* 0.4 x 0.25 + 0.3 x 0.5 + 0 = 0.25; lead 25: cold */
  g = get(&e, id, "man");
  assert_true(g.found);
  assert_true(fabs(g.value - 0.25) < 1e-12);
  assert_true(fabs(contrib(&g, "money") - 0.1) < 1e-12);
  assert_string_equal(g.detail[0], "budget 2500.00 >= 10000.00? no");
  g = get(&e, id, "lead");
  assert_true(fabs(g.value - 25) < 1e-9);
  assert_string_equal(g.label, "cold");
  /* qualify: money and need true, authority false: 0.4 + 0 + 0.3 */
  ev(&e, id, "qualify", "{\"money\":true,\"authority\":false,"
     "\"need\":true}", "m-2");
  assert_true(fabs(get(&e, id, "man").value - 0.7) < 1e-12);
  assert_int_equal(t_stage(e.c, id), CRM_STAGE_PROSPECT);
  ev(&e, id, "qualify", "{\"authority\":true}", "m-3");
  assert_int_equal(t_stage(e.c, id), CRM_STAGE_QUALIFIED);
  g = get(&e, id, "lead");
  assert_true(fabs(g.value - 100) < 1e-9);
  assert_string_equal(g.label, "hot");
  assert_string_equal(kv(&e, "man:1"),
                      "money=1 authority=1 need=1 stage=qualified");
  env_close(&e);
}

static void test_naive_bayes(void **state)
{
  struct env e;
  struct got g;
  double p, sum;
  size_t i;
  int64_t id;

  (void)state;
  env_open(&e, conf_source);
  train(&e);
  assert_string_equal(column(&e, "source"),
                      "fair\t1\t3\nreferral\t2\t0\nweb\t3\t1\n");
  id = prospect(&e, "p", "web");
  ev(&e, id, "contact", NULL, "p-1");
  g = get(&e, id, "nb");
  assert_true(g.found);
  p = 2.4 / 3.4;
  assert_true(fabs(g.value - p) < 1e-9);
  assert_int_equal(g.n, 2);
  assert_true(fabs(contrib(&g, "prior") - log(1.5)) < 1e-9);
  assert_true(fabs(contrib(&g, "source=web") - log(1.6)) < 1e-9);
  for(sum = 0, i = 0; i < g.n; i++)
    sum += g.contribution[i];
  assert_true(fabs(sum - log(p / (1 - p))) < 1e-9);
  g = get(&e, id, "lead");
  assert_true(fabs(g.value - 50 * p) < 1e-9);
  assert_true(fabs(contrib(&g, "nb") - 50 * p) < 1e-9);
  assert_true(fabs(contrib(&g, "man")) < 1e-12);
  /* a replayed lost event (same key) changes nothing */
  assert_false(t_event(e.c, id, "lead_lost", T1, 0, NULL, "p-lost")
               .duplicate);
  assert_string_equal(column(&e, "source"),
                      "fair\t1\t3\nreferral\t2\t0\nweb\t3\t2\n");
  assert_true(t_event(e.c, id, "lead_lost", T1, 0, NULL, "p-lost")
              .duplicate);
  assert_string_equal(column(&e, "source"),
                      "fair\t1\t3\nreferral\t2\t0\nweb\t3\t2\n");
  assert_non_null(strstr(kv(&e, "nb:meta"), " won=6 lost=5 "));
  g = get(&e, id, "nb");
  assert_true(fabs(g.value - 1.44 / 2.44) < 1e-9);
  env_close(&e);
}

/* A lost event inside a batch that is rolled back: the table in kv and
 * the plugin's cache both go back (the next score uses 6 won / 4 lost). */
static void test_rollback(void **state)
{
  struct env e;
  int64_t id, q;

  (void)state;
  env_open(&e, conf_source);
  train(&e);
  id = prospect(&e, "p", "web");
  q = prospect(&e, "q", "web");
  assert_int_equal(crm_begin(e.c), CRM_OK);
  ev(&e, id, "lead_lost", NULL, "b-lost");
  ev(&e, q, "contact", NULL, "b-q");
  assert_true(fabs(get(&e, q, "nb").value - 1.44 / 2.44) < 1e-9);
  assert_int_equal(crm_rollback(e.c), CRM_OK);
  assert_string_equal(column(&e, "source"),
                      "fair\t1\t3\nreferral\t2\t0\nweb\t3\t1\n");
  ev(&e, q, "contact", NULL, "q-1");
  assert_true(fabs(get(&e, q, "nb").value - 2.4 / 3.4) < 1e-9);
  env_close(&e);
}

/* Twenty outcomes one by one - lost then won, won twice, won by a first
 * purchase, lost after a purchase - then the table is wiped and
 * crm_score_fit rebuilds the same one from the events alone.
 * i % 4: 0 lead_won, 1 lead_lost, 2 first purchase (won), 3 qualify (all
 * true: qualified) then lead_lost: 10 won, 10 lost. Then #1 lost -> won,
 * #0 won again, #2 won -> lost, #5 lost -> won: 11 won, 9 lost. */
static void test_incremental_equals_fit(void **state)
{
  static const char *const src[] = {"web", "fair", "referral", "tv", "web"};
  char ext[16], source[512], stage[512], meta[512];
  int64_t ids[20], x;
  struct got before, after;
  size_t n = 0, i;
  double v = 0;
  struct env e;

  (void)state;
  env_open(&e, conf_lead);
  for(i = 0; i < 20; i++) {
    snprintf(ext, sizeof(ext), "c%zu", i);
    ids[i] = prospect(&e, ext, src[i % 5]);
    ev_auto(&e, ids[i], "contact");
    if(i % 4 == 0)
      ev_auto(&e, ids[i], "lead_won");
    else if(i % 4 == 1)
      ev_auto(&e, ids[i], "lead_lost");
    else if(i % 4 == 2)
      ev_auto(&e, ids[i], "purchase");
    else {
      ev(&e, ids[i], "qualify", "{\"money\":true,\"authority\":true,"
         "\"need\":true}", ext);
      ev_auto(&e, ids[i], "lead_lost");
    }
  }
  assert_non_null(strstr(kv(&e, "nb:meta"), " won=10 lost=10 "));
  ev_auto(&e, ids[1], "lead_won");
  ev_auto(&e, ids[0], "lead_won");
  ev_auto(&e, ids[2], "lead_lost");
  ev_auto(&e, ids[5], "lead_won");
  assert_non_null(strstr(kv(&e, "nb:meta"), " won=11 lost=9 "));
  assert_string_equal(kv(&e, "o:3"),
                      "lost\nsource=referral\nstage=prospect\n");
  assert_string_equal(column(&e, "stage"),
                      "prospect\t11\t4\nqualified\t0\t5\n");
  snprintf(source, sizeof(source), "%s", column(&e, "source"));
  snprintf(stage, sizeof(stage), "%s", column(&e, "stage"));
  snprintf(meta, sizeof(meta), "%s", strstr(kv(&e, "nb:meta"), "won="));
  x = prospect(&e, "x", "web");
  ev_auto(&e, x, "contact");
  before = get(&e, x, "nb");
  assert_true(before.found);

  kv_wipe(&e, "nb:");
  kv_wipe(&e, "o:");
  assert_null(kv(&e, "nb:meta"));
  assert_int_equal(crm_score_fit(e.c, "lead", 0, 0, NULL, NULL, &n), CRM_OK);
  assert_string_equal(column(&e, "source"), source);
  assert_string_equal(column(&e, "stage"), stage);
  assert_string_equal(strstr(kv(&e, "nb:meta"), "won="), meta);
  assert_string_equal(kv(&e, "o:3"),
                      "lost\nsource=referral\nstage=prospect\n");
  /* prospects scored again: 15 of the 20 (not the 5 buyers) and x */
  assert_int_equal(n, 16);
  assert_int_equal(crm_figure_get(e.c, "lead", "outcomes", &v), CRM_OK);
  assert_true(v == 20);
  after = get(&e, x, "nb");
  assert_true(after.found);
  assert_true(fabs(after.value - before.value) < 1e-12);
  assert_int_equal(after.n, before.n);
  for(i = 0; i < after.n; i++) {
    assert_string_equal(after.factor[i], before.factor[i]);
    assert_true(fabs(after.contribution[i] - before.contribution[i]) <
                1e-12);
  }
  assert_false(get(&e, ids[2], "lead").found); /* a buyer: cleared */
  env_close(&e);
}

/* Adds a customer row straight into the store (as an import with its
 * own ids would): id far past the others, no events. */
static void raw_customer(struct env *e, int64_t id, int stage)
{
  sqlite3 *db = NULL;
  char sql[256];

  snprintf(sql, sizeof(sql), "INSERT INTO customers(id, external_id, name,"
           " stage, stage_since, created_at, updated_at) VALUES(%lld,"
           " 'raw%lld', 'raw', %d, %lld, %lld, %lld)", (long long)id,
           (long long)id, stage, (long long)NOW, (long long)NOW,
           (long long)NOW);
  assert_int_equal(sqlite3_open(e->db, &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
}

/* Prospects without any event are scored by the fit (the host's
 * customer walk over the prospect stages), also one whose id is far
 * beyond every customer with events; a silent customer in another stage
 * is not. Training as above: source web gives nb = 2.4/3.4, and with no
 * MAN facts lead = 100 x (0.5 x 0 + 0.5 x nb) = 50 nb. n_scored: the 10
 * trained prospects (outcomes leave the stage alone) + s + far = 12. */
static void test_fit_scores_silent_prospects(void **state)
{
  struct env e;
  struct got g;
  int64_t s, far = 5000, buyer = 6000;
  size_t n = 0;
  double p = 2.4 / 3.4;

  (void)state;
  env_open(&e, conf_source);
  train(&e);
  s = prospect(&e, "s", "web");
  raw_customer(&e, far, CRM_STAGE_PROSPECT);
  raw_customer(&e, buyer, CRM_STAGE_FIRST_PURCHASE);
  assert_int_equal(crm_customer_set_attr(e.c, far, "source", "web"), 0);
  assert_int_equal(crm_customer_set_attr(e.c, buyer, "source", "web"), 0);
  assert_false(get(&e, s, "lead").found); /* no event: never scored */
  assert_int_equal(crm_score_fit(e.c, "lead", 0, 0, NULL, NULL, &n), CRM_OK);
  assert_int_equal(n, 12);
  g = get(&e, s, "nb");
  assert_true(g.found);
  assert_true(fabs(g.value - p) < 1e-9);
  g = get(&e, s, "lead");
  assert_true(fabs(g.value - 50 * p) < 1e-9);
  g = get(&e, far, "nb");
  assert_true(g.found);
  assert_true(fabs(g.value - p) < 1e-9);
  assert_false(get(&e, buyer, "lead").found);
  env_close(&e);
}

struct pstate {
  char state[32];
  char reason[512];
};

static int pstate_cb(void *ud, const crm_plugin_info *p)
{
  struct pstate *ps = ud;

  if(!strcmp(p->name, "lead")) {
    snprintf(ps->state, sizeof(ps->state), "%s", p->state);
    snprintf(ps->reason, sizeof(ps->reason), "%s",
             p->reason ? p->reason : "");
  }
  return 0;
}

static void test_config_error(void **state)
{
  struct env e;
  struct pstate ps;

  (void)state;
  env_open(&e, "plugins = { load = ( { name = \"lead\"; config = {\n"
               "  nb = { fields = [\"source:number\"]; };\n"
               "}; } ); };\n");
  memset(&ps, 0, sizeof(ps));
  assert_int_equal(crm_plugins_foreach(e.c, pstate_cb, &ps), CRM_OK);
  assert_string_not_equal(ps.state, "loaded");
  if(!strstr(ps.reason, "unknown field type \"number\" in nb.fields[0]"))
    fail_msg("reason: %s", ps.reason);
  env_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_man),
    cmocka_unit_test(test_naive_bayes),
    cmocka_unit_test(test_rollback),
    cmocka_unit_test(test_incremental_equals_fit),
    cmocka_unit_test(test_fit_scores_silent_prospects),
    cmocka_unit_test(test_config_error),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
