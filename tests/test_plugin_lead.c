/*
 * test_plugin_lead.c - the lead scoring plugin in isolation (fake host).
 *
 * The training set used by the naive Bayes tests (alpha = 1, Laplace):
 *
 *   id  class  source    tags          id  class  source    tags
 *   1   won    web       vip           7   lost   web       new
 *   2   won    web       vip           8   lost   fair      -
 *   3   won    web       vip,new       9   lost   fair      -
 *   4   won    referral  new           10  lost   fair      vip
 *   5   won    referral  -
 *   6   won    fair      vip
 *
 * source (category, K = 3 values seen + 1 = 4; n_won = 6, n_lost = 4):
 *   P(web|won)      = (3+1)/(6+4) = 0.4    P(web|lost)      = (1+1)/(4+4) = 0.25
 *   P(fair|won)     = (1+1)/10    = 0.2    P(fair|lost)     = (3+1)/8     = 0.5
 *   P(referral|won) = (2+1)/10    = 0.3    P(referral|lost) = (0+1)/8     = 0.125
 *   P(unseen|won)   = 1/10        = 0.1    P(unseen|lost)   = 1/8         = 0.125
 * tags (Bernoulli per known tag, denominators n_c + 2 alpha: 8 and 6):
 *   vip: won 4 -> 5/8, lost 1 -> 2/6;  absent: 3/8 and 4/6
 *   new: won 2 -> 3/8, lost 1 -> 2/6;  absent: 5/8 and 4/6
 * prior odds 6/4 = 1.5.
 *
 * Prospect "web", tags "vip,zzz" (zzz unknown: ignored, new absent):
 *   source LR = 0.4/0.25 = 1.6
 *   tags   LR = (5/8)/(2/6) * (5/8)/(4/6) = 1.875 * 0.9375 = 1.7578125
 *   odds = 1.5 * 1.6 * 1.7578125 = 4.21875; P = 4.21875/5.21875 = 0.808383...
 * Prospect "fair", no tags: source LR 0.2/0.5 = 0.4; tags LR (3/8)/(4/6) *
 *   (5/8)/(4/6) = 0.5625 * 0.9375 = 0.52734375; odds = 1.5 * 0.4 *
 *   0.52734375 = 0.31640625; P = 0.31640625/1.31640625 = 0.240356...
 * Prospect "tv" (unseen), no tags: LR 0.1/0.125 = 0.8; odds = 1.5 * 0.8 *
 *   0.52734375 = 0.6328125; P = 0.6328125/1.6328125 = 0.387559...
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "test_plugin_fake.h"

#define T0 ((int64_t)1690000000)

static crm_host_ctx host;
static int64_t clock_t0;

static int setup(void **state)
{
  (void)state;
  fake_reset(&host);
  clock_t0 = T0;
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  fake_unload(&host);
  return 0;
}

static const crm_scoring_v1 *vt(void)
{
  return fake_vtable(&host, CRM_KIND_SCORING);
}

static void customer(int64_t id, int stage, const char *source,
                     const char *tags)
{
  crm_customer_view v;

  memset(&v, 0, sizeof(v));
  v.struct_size = sizeof(v);
  v.customer_id = id;
  v.stage = stage;
  fake_customer(&host, &v);
  if(source)
    fake_attr(&host, id, "source", source);
  if(tags)
    fake_attr(&host, id, "tags", tags);
}

static crm_customer_view *view(int64_t id)
{
  size_t i;

  for(i = 0; i < host.n_customers; i++) {
    if(host.customers[i].customer_id == id)
      return &host.customers[i];
  }
  fail_msg("no customer %lld", (long long)id);
  return NULL;
}

/* Stores an event and hands it to score_event, as the core does. */
static int event(int64_t id, const char *type, const char *payload)
{
  crm_event_view ev;
  int64_t eid;

  clock_t0 += 60;
  eid = fake_event(&host, id, type, clock_t0, 0, NULL, payload);
  fake_event_view(&host, eid, &ev);
  return vt()->score_event(host.state, &host, &ev, view(id), host.now);
}

static void ok_event(int64_t id, const char *type, const char *payload)
{
  int rc = event(id, type, payload);

  if(rc)
    fail_msg("event %s of #%lld: %d %s", type, (long long)id, rc,
             host.errmsg);
}

static const struct fake_score *score(int64_t id, const char *name)
{
  const struct fake_score *s = fake_score_find(&host, id, name);

  if(!s)
    fail_msg("no score %s for #%lld", name, (long long)id);
  return s;
}

static const struct fake_factor *factor(const struct fake_score *s,
                                        const char *name)
{
  uint32_t i;

  for(i = 0; i < s->n_factors && i < FAKE_FACTORS; i++) {
    if(!strcmp(s->factors[i].factor, name))
      return &s->factors[i];
  }
  fail_msg("no factor %s in %s", name, s->name);
  return NULL;
}

static void kv_drop(const char *prefix)
{
  size_t i = 0;

  while(i < host.n_kv) {
    if(!strncmp(host.kv[i].key, prefix, strlen(prefix)))
      host.kv[i] = host.kv[--host.n_kv];
    else
      i++;
  }
}

/* Keys starting with prefix. */
static size_t kv_count(const char *prefix)
{
  size_t i, n = 0;

  for(i = 0; i < host.n_kv; i++)
    n += !strncmp(host.kv[i].key, prefix, strlen(prefix));
  return n;
}

/* A stored column as "value\twon\tlost\n" lines, in the order of its
 * value list "nb:l:<field>", each count read from "nb:v:<field>\t<value>"
 * ("won lost"); fails on a count key that the list does not name. */
static const char *column(const char *field)
{
  static char out[FAKE_TEXT * 4];
  char key[2 * FAKE_TEXT], value[FAKE_TEXT];
  const char *s, *c;
  size_t len = 0, n = 0;

  snprintf(key, sizeof(key), "nb:l:%s", field);
  s = fake_kv_find(&host, key);
  out[0] = '\0';
  while(s && *s) {
    size_t l = strcspn(s, "\n");
    int w, lo;

    snprintf(value, sizeof(value), "%.*s", (int)l, s);
    snprintf(key, sizeof(key), "nb:v:%s\t%s", field, value);
    c = fake_kv_find(&host, key);
    if(!c || sscanf(c, "%d %d", &w, &lo) != 2)
      fail_msg("no count for %s", key);
    len += (size_t)snprintf(out + len, sizeof(out) - len, "%s\t%d\t%d\n",
                            value, w, lo);
    n++;
    s += l;
    s += *s == '\n';
  }
  snprintf(key, sizeof(key), "nb:v:%s\t", field);
  assert_int_equal(kv_count(key), n);
  return out;
}

static void fields_source_tags(void)
{
  fake_cfg_str(&host, "nb.fields.[0]", "source");
  fake_cfg_str(&host, "nb.fields.[1]", "tags");
}

/* The ten outcomes of the header comment, ids 1-10. */
static void train(void)
{
  static const struct {
    const char *source, *tags;
    int won;
  } t[10] = {
    {"web", "vip", 1},       {"web", "vip", 1},   {"web", "vip, new", 1},
    {"referral", "new", 1},  {"referral", NULL, 1}, {"fair", "vip", 1},
    {"web", "new", 0},       {"fair", NULL, 0},   {"fair", "", 0},
    {"fair", "vip", 0},
  };
  int64_t i;

  for(i = 0; i < 10; i++) {
    customer(i + 1, CRM_STAGE_PROSPECT, t[i].source, t[i].tags);
    ok_event(i + 1, "contact", NULL);
    ok_event(i + 1, t[i].won ? "lead_won" : "lead_lost", NULL);
  }
}

static void test_descriptor(void **state)
{
  const crm_plugin_desc *d;

  (void)state;
  d = fake_open(&host, "lead");
  assert_string_equal(d->name, "lead");
  assert_string_equal(d->components[0]->name, "lead");
  assert_non_null(d->reconfigure);
  assert_non_null(vt()->score_batch);
  assert_non_null(vt()->score_event);
  assert_non_null(vt()->fit);
  assert_int_equal(fake_load(&host, "lead"), CRM_OK);
}

static void test_old_host_refused(void **state)
{
  (void)state;
  fake_host_1_2(&host);
  assert_int_equal(fake_load(&host, "lead"), CRM_ENOTSUP);
  assert_non_null(strstr(host.errmsg, "needs 1.3"));
  assert_null(host.state);
}

/* budget 5000.00 of 10000.00 -> 0.5; manager -> 0.5; need yes -> 1:
 * man = 0.4 x 0.5 + 0.3 x 0.5 + 0.3 x 1 = 0.65; no outcomes yet, so
 * lead = 100 x man = 65: warm. */
static void test_man_from_attributes(void **state)
{
  const struct fake_score *s;

  (void)state;
  assert_int_equal(fake_load(&host, "lead"), CRM_OK);
  customer(5, CRM_STAGE_PROSPECT, "web", NULL);
  fake_attr(&host, 5, "budget", "500000");
  fake_attr(&host, 5, "role", " Manager ");
  fake_attr(&host, 5, "need", "yes");
  ok_event(5, "contact", NULL);
  s = score(5, "man");
  assert_true(fabs(s->value - 0.65) < 1e-12);
  assert_int_equal(s->n_factors, 3);
  assert_true(fabs(factor(s, "money")->contribution - 0.2) < 1e-12);
  assert_string_equal(factor(s, "money")->detail,
                      "budget 5000.00 >= 10000.00? no");
  assert_true(fabs(factor(s, "authority")->contribution - 0.15) < 1e-12);
  assert_true(fabs(factor(s, "need")->contribution - 0.3) < 1e-12);
  s = score(5, "lead");
  assert_true(fabs(s->value - 65.0) < 1e-9);
  assert_string_equal(s->label, "warm");
  assert_true(fabs(factor(s, "man")->contribution - 65.0) < 1e-9);
  assert_string_equal(factor(s, "nb")->detail,
                      "too few outcomes (0 of 10)");
  assert_null(fake_score_find(&host, 5, "nb"));
  /* a buyer is not a prospect: no score */
  customer(6, CRM_STAGE_REPEAT, "web", NULL);
  ok_event(6, "purchase", NULL);
  assert_null(fake_score_find(&host, 6, "man"));
}

/* qualify {"money": true, "need": false} overrides the attributes:
 * money 1 (attribute says 0.5), authority from the attribute (ceo: 1),
 * need 0 (attribute says yes): man = 0.4 + 0.3 + 0 = 0.7 -> lead 70 hot. */
static void test_man_from_qualify(void **state)
{
  const struct fake_score *s;

  (void)state;
  assert_int_equal(fake_load(&host, "lead"), CRM_OK);
  customer(3, CRM_STAGE_PROSPECT, NULL, NULL);
  fake_attr(&host, 3, "budget", "500000");
  fake_attr(&host, 3, "role", "ceo");
  fake_attr(&host, 3, "need", "yes");
  ok_event(3, "qualify", "{\"money\": true, \"need\": false}");
  s = score(3, "man");
  assert_true(fabs(s->value - 0.7) < 1e-12);
  assert_string_equal(factor(s, "money")->detail,
                      "qualify event: money yes");
  assert_string_equal(factor(s, "need")->detail, "qualify event: need no");
  assert_true(fabs(factor(s, "authority")->contribution - 0.3) < 1e-12);
  assert_string_equal(fake_kv_find(&host, "man:3"),
                      "money=1 authority=? need=0 stage=prospect");
  s = score(3, "lead");
  assert_true(fabs(s->value - 70.0) < 1e-9);
  assert_string_equal(s->label, "hot");
  /* a later qualify changes only what it says */
  ok_event(3, "qualify", "{\"need\": true}");
  assert_true(fabs(score(3, "man")->value - 1.0) < 1e-12);
}

static void test_naive_bayes_by_hand(void **state)
{
  const struct fake_score *s;
  double p, sum;
  uint32_t i;

  (void)state;
  fields_source_tags();
  assert_int_equal(fake_load(&host, "lead"), CRM_OK);
  train();
  assert_string_equal(column("source"),
                      "fair\t1\t3\nreferral\t2\t0\nweb\t3\t1\n");
  assert_string_equal(column("tags"),
                      "new\t2\t1\nvip\t4\t1\n");
  customer(20, CRM_STAGE_QUALIFIED, "web", "zzz,vip");
  ok_event(20, "contact", NULL);
  s = score(20, "nb");
  p = 4.21875 / 5.21875;
  assert_true(fabs(s->value - p) < 1e-9);
  assert_int_equal(s->n_factors, 3);
  assert_true(fabs(factor(s, "prior")->contribution - log(1.5)) < 1e-9);
  assert_true(fabs(factor(s, "source=web")->contribution - log(1.6)) <
              1e-9);
  assert_true(fabs(factor(s, "tags=vip,zzz")->contribution -
                   log(1.7578125)) < 1e-9);
  assert_non_null(strstr(factor(s, "source=web")->detail, "x1.6 odds"));
  for(sum = 0, i = 0; i < s->n_factors; i++)
    sum += s->factors[i].contribution;
  assert_true(fabs(sum - log(p / (1 - p))) < 1e-9);
  /* lead = 100 x (0.5 x man 0 + 0.5 x nb) */
  s = score(20, "lead");
  assert_true(fabs(s->value - 50.0 * p) < 1e-9);
  assert_string_equal(s->label, "warm");
  assert_true(fabs(factor(s, "nb")->contribution - 50.0 * p) < 1e-9);

  customer(21, CRM_STAGE_PROSPECT, "fair", NULL);
  ok_event(21, "contact", NULL);
  assert_true(fabs(score(21, "nb")->value - 0.31640625 / 1.31640625) <
              1e-9);
  customer(22, CRM_STAGE_PARKED, "tv", NULL);
  ok_event(22, "contact", NULL);
  s = score(22, "nb");
  assert_true(fabs(s->value - 0.6328125 / 1.6328125) < 1e-9);
  assert_true(fabs(factor(s, "source=tv")->contribution - log(0.8)) < 1e-9);
  assert_true(fabs(factor(s, "tags=(none)")->contribution -
                   log(0.52734375)) < 1e-9);
}

/* Nine outcomes: no nb; the tenth opens it. Then one class only. */
static void test_min_outcomes_gate(void **state)
{
  const struct fake_score *s;
  int64_t i;

  (void)state;
  fake_cfg_str(&host, "nb.fields.[0]", "source");
  assert_int_equal(fake_load(&host, "lead"), CRM_OK);
  for(i = 1; i <= 9; i++) {
    customer(i, CRM_STAGE_PROSPECT, "web", NULL);
    ok_event(i, i <= 5 ? "lead_won" : "lead_lost", NULL);
  }
  customer(30, CRM_STAGE_PROSPECT, "web", NULL);
  ok_event(30, "contact", NULL);
  assert_null(fake_score_find(&host, 30, "nb"));
  assert_string_equal(factor(score(30, "lead"), "nb")->detail,
                      "too few outcomes (9 of 10)");
  customer(10, CRM_STAGE_PROSPECT, "web", NULL);
  ok_event(10, "lead_lost", NULL);
  ok_event(30, "contact", NULL);
  /* 5 won, 5 lost, all web: P(web|c) equal -> nb = prior = 0.5 */
  s = score(30, "nb");
  assert_true(fabs(s->value - 0.5) < 1e-12);
}

static void test_only_one_class(void **state)
{
  int64_t i;

  (void)state;
  fake_cfg_int(&host, "nb.min_outcomes", 2);
  assert_int_equal(fake_load(&host, "lead"), CRM_OK);
  for(i = 1; i <= 3; i++) {
    customer(i, CRM_STAGE_PROSPECT, "web", NULL);
    ok_event(i, "lead_won", NULL);
  }
  customer(9, CRM_STAGE_PROSPECT, "web", NULL);
  ok_event(9, "contact", NULL);
  assert_null(fake_score_find(&host, 9, "nb"));
  assert_string_equal(factor(score(9, "lead"), "nb")->detail,
                      "no lost outcomes yet (3 won)");
}

/* Same outcome twice: counted once; lost then won: moved. */
static void test_duplicate_and_move(void **state)
{
  (void)state;
  fake_cfg_str(&host, "nb.fields.[0]", "source");
  assert_int_equal(fake_load(&host, "lead"), CRM_OK);
  customer(1, CRM_STAGE_PROSPECT, "web", NULL);
  customer(2, CRM_STAGE_PROSPECT, "fair", NULL);
  ok_event(1, "lead_lost", NULL);
  ok_event(2, "lead_won", NULL);
  ok_event(1, "lead_lost", NULL); /* another lost event: once */
  assert_string_equal(column("source"),
                      "fair\t1\t0\nweb\t0\t1\n");
  assert_non_null(strstr(fake_kv_find(&host, "nb:meta"), "won=1 lost=1"));
  /* the customer's source changed before the win: the lost count of web
   * goes, the won count of referral comes */
  fake_attr(&host, 1, "source", "referral");
  ok_event(1, "lead_won", NULL);
  assert_string_equal(column("source"),
                      "fair\t1\t0\nreferral\t1\t0\n");
  assert_non_null(strstr(fake_kv_find(&host, "nb:meta"), "won=2 lost=0"));
  assert_string_equal(fake_kv_find(&host, "o:1"), "won\nsource=referral\n");
}

/* A first purchase wins a prospect the plugin saw before; a customer
 * whose first event is a purchase was never a lead. */
static void test_first_purchase_wins(void **state)
{
  crm_customer_view *v;

  (void)state;
  fake_cfg_str(&host, "nb.fields.[0]", "stage");
  assert_int_equal(fake_load(&host, "lead"), CRM_OK);
  customer(1, CRM_STAGE_QUALIFIED, NULL, NULL);
  ok_event(1, "contact", NULL);
  v = view(1);
  v->stage = CRM_STAGE_FIRST_PURCHASE;
  v->purchase_count = 1;
  ok_event(1, "purchase", NULL);
  /* the stage feature is the prospect stage it had */
  assert_string_equal(column("stage"),
                      "qualified\t1\t0\n");
  customer(2, CRM_STAGE_FIRST_PURCHASE, NULL, NULL);
  view(2)->purchase_count = 1;
  ok_event(2, "purchase", NULL);
  assert_null(fake_kv_find(&host, "o:2"));
  assert_non_null(strstr(fake_kv_find(&host, "nb:meta"), "won=1 lost=0"));
  /* a second purchase is no new outcome */
  v->stage = CRM_STAGE_REPEAT;
  v->purchase_count = 2;
  ok_event(1, "purchase", NULL);
  assert_non_null(strstr(fake_kv_find(&host, "nb:meta"), "won=1 lost=0"));
}

static void test_score_batch(void **state)
{
  const crm_customer_view *pop[3];

  (void)state;
  assert_int_equal(fake_load(&host, "lead"), CRM_OK);
  customer(1, CRM_STAGE_PROSPECT, NULL, NULL);
  fake_attr(&host, 1, "need", "maybe");
  customer(2, CRM_STAGE_LOYAL, NULL, NULL);
  customer(3, CRM_STAGE_PARKED, NULL, NULL);
  fake_attr(&host, 3, "budget", "2000000");
  pop[0] = view(1);
  pop[1] = view(2);
  pop[2] = view(3);
  assert_int_equal(vt()->score_batch(host.state, &host, pop, 3, host.now),
                   CRM_OK);
  /* need maybe -> 0.5 x 0.3 = 0.15; budget above the minimum: 0.4 */
  assert_true(fabs(score(1, "man")->value - 0.15) < 1e-12);
  assert_null(fake_score_find(&host, 2, "man"));
  assert_true(fabs(score(3, "lead")->value - 40.0) < 1e-9);
  assert_string_equal(score(3, "lead")->label, "warm");
  assert_string_equal(score(1, "lead")->label, "cold");
}

/* Twenty outcomes one by one (with a duplicate and a lost-then-won), then
 * fit from the same events: the same table, byte for byte. */
static void test_incremental_equals_fit(void **state)
{
  static const char *const src[] = {"web", "fair", "referral", "tv"};
  char source[256], tags[256], meta[256];
  crm_fit_request req;
  const char *h1, *h2;
  int64_t i;

  (void)state;
  fields_source_tags();
  fake_cfg_int(&host, "nb.min_outcomes", 1);
  assert_int_equal(fake_load(&host, "lead"), CRM_OK);
  for(i = 1; i <= 20; i++) {
    customer(i, CRM_STAGE_PROSPECT, src[i % 4], i % 3 ? "vip" : "new,vip");
    ok_event(i, "contact", NULL);
    ok_event(i, (i * 7) % 5 < 2 ? "lead_lost" : "lead_won", NULL);
  }
  ok_event(4, "lead_won", NULL);  /* 4 was lost (28 % 5 = 3: won) */
  ok_event(3, "lead_won", NULL);  /* 21 % 5 = 1: lost -> won */
  ok_event(6, "lead_lost", NULL); /* 42 % 5 = 2: won -> lost */
  snprintf(source, sizeof(source), "%s", column("source"));
  snprintf(tags, sizeof(tags), "%s", column("tags"));
  snprintf(meta, sizeof(meta), "%s", fake_kv_find(&host, "nb:meta"));
  /* a parked prospect and a repeat buyer without any event (22 added
   * before 21: the walk sorts by id): the fit scores the prospect only */
  customer(22, CRM_STAGE_REPEAT, "web", NULL);
  customer(21, CRM_STAGE_PARKED, "web", NULL);
  /* wipe the table: fit must rebuild it from the events alone */
  kv_drop("nb:");
  kv_drop("o:");
  memset(&req, 0, sizeof(req));
  req.struct_size = sizeof(req);
  req.as_of = host.now;
  req.flags = CRM_FIT_SCORE;
  assert_int_equal(vt()->fit(host.state, &host, &req), CRM_OK);
  assert_string_equal(column("source"), source);
  assert_string_equal(column("tags"), tags);
  h1 = strstr(meta, "won=");
  h2 = strstr(fake_kv_find(&host, "nb:meta"), "won=");
  assert_string_equal(h1, h2);
  assert_true(fake_figure_find(&host, NULL, "outcomes")->value == 20);
  assert_non_null(fake_score_find(&host, 1, "nb"));
  assert_int_equal(host.n_customer_walks, 1);
  assert_non_null(fake_score_find(&host, 21, "nb"));
  assert_non_null(fake_score_find(&host, 21, "lead"));
  assert_null(fake_score_find(&host, 22, "lead"));
}

static void test_config_errors(void **state)
{
  static const struct {
    const char *path;
    char type;
    const char *s;
    double v;
    const char *msg;
  } bad[] = {
    {"nb.alpha", 'f', NULL, 0, "nb.alpha must be above 0 (got 0)"},
    {"man.weights.money", 'f', NULL, -1, "negative weight man.weights.money "
                                         "(-1)"},
    {"nb.fields.[0]", 's', "source:number", 0,
     "unknown field type \"number\" in nb.fields[0] (use category, set or "
     "stage)"},
    {"nb.fields", 's', "source", 0, "nb.fields must be a list of strings"},
    {"man.money_min", 'i', NULL, 0, "man.money_min must be above 0 (got 0)"},
    {"hot", 'f', NULL, 30, "thresholds must satisfy 0 <= warm <= hot <= "
                           "100 (warm 40, hot 30)"},
    {"nb.won.[0]", 's', "lead_lost", 0,
     "event type \"lead_lost\" is in both nb.won and nb.lost"},
    {"nb.min_outcomes", 'i', NULL, -1, "nb.min_outcomes must not be "
                                       "negative (got -1)"},
    {"nb.alpha", 's', "one", 0, "nb.alpha must be a number"},
  };
  size_t i;

  (void)state;
  for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    fake_reset(&host);
    if(bad[i].type == 's')
      fake_cfg_str(&host, bad[i].path, bad[i].s);
    else if(bad[i].type == 'i')
      fake_cfg_int(&host, bad[i].path, (int64_t)bad[i].v);
    else
      fake_cfg_float(&host, bad[i].path, bad[i].v);
    assert_int_equal(fake_load(&host, "lead"), CRM_ECONFIG);
    if(!strstr(host.errmsg, bad[i].msg))
      fail_msg("case %zu: got \"%s\"", i, host.errmsg);
    assert_int_equal(host.allocs_live, 0);
  }
  /* two fields of the same name; all weights zero */
  fake_reset(&host);
  fake_cfg_str(&host, "nb.fields.[0]", "source");
  fake_cfg_str(&host, "nb.fields.[1]", "source:category");
  assert_int_equal(fake_load(&host, "lead"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "field \"source\" twice in nb.fields");
  fake_reset(&host);
  fake_cfg_float(&host, "weights.man", 0);
  fake_cfg_float(&host, "weights.nb", 0);
  assert_int_equal(fake_load(&host, "lead"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "all weights in weights are 0");
}

/* A changed field list disables nb until a fit rebuilds the table. */
static void test_fields_changed(void **state)
{
  crm_fit_request req;

  (void)state;
  fake_cfg_str(&host, "nb.fields.[0]", "source");
  fake_cfg_int(&host, "nb.min_outcomes", 2);
  assert_int_equal(fake_load(&host, "lead"), CRM_OK);
  customer(1, CRM_STAGE_PROSPECT, "web", NULL);
  customer(2, CRM_STAGE_PROSPECT, "fair", NULL);
  ok_event(1, "lead_won", NULL);
  ok_event(2, "lead_lost", NULL);
  fake_cfg_str(&host, "nb.fields.[1]", "country");
  assert_int_equal(host.desc->reconfigure(host.state, &host), CRM_OK);
  customer(3, CRM_STAGE_PROSPECT, "web", NULL);
  ok_event(3, "contact", NULL);
  assert_string_equal(factor(score(3, "lead"), "nb")->detail,
                      "table built for other fields: run crm score fit "
                      "lead");
  /* the fit rebuilds it for the new fields; nobody has a country */
  memset(&req, 0, sizeof(req));
  req.struct_size = sizeof(req);
  req.as_of = host.now;
  req.flags = CRM_FIT_SCORE;
  assert_int_equal(vt()->fit(host.state, &host, &req), CRM_OK);
  assert_string_equal(column("country"),
                      "(none)\t1\t1\n");
  assert_string_equal(fake_kv_find(&host, "o:1"),
                      "won\nsource=web\ncountry=(none)\n");
  /* 1 won web, 1 lost fair; K = 3: (1+1)/(1+3) over (0+1)/(1+3) = 2 */
  assert_true(fabs(score(3, "nb")->value - 2.0 / 3.0) < 1e-9);
  /* dropping a field drops its counts at the next fit */
  fake_cfg_str(&host, "nb.fields.[0]", "country");
  host.n_cfg--; /* nb.fields.[1] goes */
  assert_int_equal(host.desc->reconfigure(host.state, &host), CRM_OK);
  assert_int_equal(vt()->fit(host.state, &host, &req), CRM_OK);
  assert_int_equal(kv_count("nb:l:source") + kv_count("nb:v:source\t"), 0);
  assert_string_equal(column("country"), "(none)\t1\t1\n");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_descriptor, setup, teardown),
    cmocka_unit_test_setup_teardown(test_old_host_refused, setup, teardown),
    cmocka_unit_test_setup_teardown(test_man_from_attributes, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_man_from_qualify, setup, teardown),
    cmocka_unit_test_setup_teardown(test_naive_bayes_by_hand, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_min_outcomes_gate, setup, teardown),
    cmocka_unit_test_setup_teardown(test_only_one_class, setup, teardown),
    cmocka_unit_test_setup_teardown(test_duplicate_and_move, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_first_purchase_wins, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_score_batch, setup, teardown),
    cmocka_unit_test_setup_teardown(test_incremental_equals_fit, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_config_errors, setup, teardown),
    cmocka_unit_test_setup_teardown(test_fields_changed, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
