/*
 * test_plugin_triage.c - the triage complaint plugin in isolation, through
 * the fake host of triage_test.h (a cases_walk over hand-built cases, a
 * kv of the host's 64 KiB). Odd texts and big models are in
 * test_plugin_triage_odd.c.
 *
 * The naive Bayes maths is also checked directly (triage_nb.h is
 * header-only) against a posterior worked out by hand.
 */
#include "triage_test.h"

#include "triage_nb.h"

/* ---- the maths ------------------------------------------------------------- */

/* Posterior by hand (Laplace, alpha 1, T_c + |V| = 16 for food, 13 for
 * room; priors 4/6 and 2/6):
 *   "cold room": food 4/6 * 3/16 * 1/16 = 12/1536
 *                room 2/6 * 2/13 * 3/13 = 12/1014
 *                p(room) = (1/1014) / (1/1014 + 1/1536) = 1536/2550
 *   "soup":      food 4/6 * 4/16 = 1/6, room 2/6 * 1/13 = 1/39
 *                p(food) = 39/45
 *   "tonight room soup": "tonight" unknown, ignored:
 *                food 4/6 * 1/16 * 4/16 = 1/96
 *                room 2/6 * 3/13 * 1/13 = 1/169
 *                p(food) = 169/265 */
static void test_nb_posterior(void **state)
{
  struct tri_model m;
  struct tri_buf b = {NULL, 0, 0};
  struct tri_model back;
  int64_t known;
  double p;
  long k;
  size_t i;

  (void)state;
  memset(&m, 0, sizeof(m));
  for(i = 0; i < 6; i++) {
    long cat = tri_cat_add(&m, hotel[i].category);

    assert_true(cat >= 0);
    assert_int_equal(tri_model_add_doc(&host.api, &host, &m, (size_t)cat,
                                       hotel[i].text), CRM_OK);
  }
  assert_int_equal(m.k, 2);
  assert_int_equal(m.n_words, 8);
  assert_int_equal(m.tokens[0], 8);
  assert_int_equal(m.tokens[1], 5);
  k = tri_model_classify(&m, "cold room", &p, &known);
  assert_string_equal(m.cat[k], "room");
  assert_int_equal(known, 2);
  assert_true(fabs(p - 1536.0 / 2550.0) < 1e-6);
  k = tri_model_classify(&m, "soup", &p, &known);
  assert_string_equal(m.cat[k], "food");
  assert_true(fabs(p - 39.0 / 45.0) < 1e-6);
  k = tri_model_classify(&m, "tonight room soup", &p, &known);
  assert_string_equal(m.cat[k], "food");
  assert_int_equal(known, 2);
  assert_true(fabs(p - 169.0 / 265.0) < 1e-6);
  k = tri_model_classify(&m, "tonight", &p, &known);
  assert_int_equal(known, 0);
  /* the text form: categories first-seen, words in byte order */
  assert_int_equal(tri_model_dump(&host.api, &host, &m, &b), CRM_OK);
  assert_string_equal(b.s, "c 4 8 food\nc 2 5 room\n"
                           "w bland 1 0\nw cold 2 1\nw dirty 0 1\n"
                           "w noisy 0 1\nw pasta 1 0\nw room 0 2\n"
                           "w salty 1 0\nw soup 3 0\n");
  /* and back: the same posterior */
  memset(&back, 0, sizeof(back));
  assert_int_equal(tri_model_parse(&host.api, &host, &back, b.s), CRM_OK);
  k = tri_model_classify(&back, "cold room", &p, &known);
  assert_string_equal(back.cat[k], "room");
  assert_true(fabs(p - 1536.0 / 2550.0) < 1e-6);
  assert_int_equal(tri_model_parse(&host.api, &host, &back,
                                   "c 1 1 x\nw soup 1\nc 1 1 y\n"),
                   CRM_ECORRUPT);
  tri_model_free(&host.api, &host, &back);
  host.api.free(&host, b.s);
  tri_model_free(&host.api, &host, &m);
  assert_int_equal(host.allocs_live, 0);
}

/* Tokens: ASCII lowercased, UTF-8 bytes kept in words, stop words and
 * one-byte tokens dropped. */
static void test_tokens(void **state)
{
  const char *p = "Le CAF\xc3\x89 \xc3\xa9tait froid, it's the parcel!";
  const char *want[] = {"le", "caf\xc3\x89", "\xc3\xa9tait", "froid",
                        "parcel"};
  char w[TRI_WORD_MAX + 1];
  size_t n = 0;

  (void)state;
  while(tri_next_token(&p, w)) {
    assert_true(n < 5);
    assert_string_equal(w, want[n]);
    n++;
  }
  assert_int_equal(n, 5);
  assert_true(tri_has_keyword("it came LATE.", "late"));
  assert_false(tri_has_keyword("chocolate", "late"));
  assert_true(tri_has_keyword("delivered", "deliver*"));
  assert_true(tri_has_keyword("a lost parcel", "lost parcel"));
}

/* ---- the plugin ------------------------------------------------------------- */

static void test_descriptor(void **state)
{
  const crm_plugin_desc *d;

  (void)state;
  d = fake_open(&host, "triage");
  assert_string_equal(d->name, "triage");
  assert_string_equal(d->components[0]->name, "triage");
  /* a triage component: no states, open or transition */
  assert_null(vt()->states);
  assert_null(vt()->open);
  assert_null(vt()->transition);
  assert_non_null(vt()->classify);
  assert_non_null(vt()->train);
}

static void test_keywords(void **state)
{
  crm_case_decision d;

  (void)state;
  assert_int_equal(fake_load(&host, "triage"), CRM_OK);
  assert_int_equal(classify(1, "my parcel is two weeks LATE", NULL, &d),
                   CRM_OK);
  assert_string_equal(d.category, "delivery");
  assert_int_equal(d.priority, 2);
  assert_string_equal(d.reason, "keywords: late, parcel");
  /* most keywords win: billing 3 (refund*, invoice*, payment*) against
   * delivery 2 (late, parcel) */
  assert_int_equal(classify(1, "refund the invoice and payment of my late "
                            "parcel", NULL, &d), CRM_OK);
  assert_string_equal(d.category, "billing");
  assert_string_equal(d.reason, "keywords: refund*, invoice*, payment*");
  /* a tie goes to the earlier category: quality before billing */
  assert_int_equal(classify(1, "charged for a broken lamp", NULL, &d),
                   CRM_OK);
  assert_string_equal(d.category, "quality");
  assert_string_equal(d.reason, "keywords: broken");
  /* the model is not read when keywords decide */
  assert_int_equal(n_kv_puts, 0);
  fake_unload(&host);
}

/* A category given by the caller is kept ("" in the decision): its
 * priority is set, no category reason. */
static void test_given_category(void **state)
{
  crm_case_decision d;

  (void)state;
  fake_cfg_int(&host, "priority.billing", 1);
  assert_int_equal(fake_load(&host, "triage"), CRM_OK);
  assert_int_equal(classify(1, "late parcel", "billing", &d), CRM_OK);
  assert_string_equal(d.category, "");
  assert_int_equal(d.priority, 1);
  assert_string_equal(d.reason, "");
  assert_int_equal(classify(1, "late parcel", "packaging", &d), CRM_OK);
  assert_int_equal(d.priority, 3);
  /* a category in another letter case has its default priority, as
   * basic_case gives it (Delivery: 2, not the 3 of unknown ones) */
  assert_int_equal(classify(1, "x", "Delivery", &d), CRM_OK);
  assert_int_equal(d.priority, 2);
  fake_unload(&host);
}

static void test_bayes_trained(void **state)
{
  crm_case_decision d;
  const struct fake_figure *f;
  char want[128];

  (void)state;
  use_hotel();
  fake_cfg_int(&host, "min_cases", 6);
  assert_int_equal(fake_load(&host, "triage"), CRM_OK);
  assert_int_equal(train(), CRM_OK);
  assert_int_equal(n_case_walks, 1);
  /* the stored model: cases 7 (open), 8 (closed after as_of) and 9 (no
   * category) are left out */
  assert_string_equal(kv("nb:0"), "c 4 8 food\nc 2 5 room\n"
                                  "w bland 1 0\nw cold 2 1\nw dirty 0 1\n"
                                  "w noisy 0 1\nw pasta 1 0\nw room 0 2\n"
                                  "w salty 1 0\nw soup 3 0\n");
  snprintf(want, sizeof(want), "v1 gen=1 cases=6 vocab=8 cats=2 parts=1 "
           "bytes=%zu", strlen(kv("nb:0")));
  assert_string_equal(kv("nb:meta"), want);
  f = fake_figure_find(&host, NULL, "trained_cases");
  assert_non_null(f);
  assert_true(f->value == 6.0);
  f = fake_figure_find(&host, NULL, "vocabulary");
  assert_non_null(f);
  assert_true(f->value == 8.0);
  /* p(room | "cold room") = 1536/2550 = 0.6024 >= 0.6 */
  assert_int_equal(classify(1, "cold room", NULL, &d), CRM_OK);
  assert_string_equal(d.category, "room");
  assert_string_equal(d.reason, "bayes: room p=0.60 over 6 cases");
  assert_int_equal(d.priority, 3);
  /* p(food | "soup") = 39/45 */
  assert_int_equal(classify(1, "soup", NULL, &d), CRM_OK);
  assert_string_equal(d.category, "food");
  assert_string_equal(d.reason, "bayes: food p=0.87 over 6 cases");
  /* no known word */
  assert_int_equal(classify(1, "tonight", NULL, &d), CRM_OK);
  assert_string_equal(d.category, "other");
  assert_int_equal(d.priority, 4);
  assert_string_equal(d.reason, "no keyword; bayes knows no word of the "
                                "text");
  fake_unload(&host);

  /* a fresh instance reads the model from the kv; with a higher
   * confidence threshold 0.6024 is not enough */
  fake_cfg_int(&host, "min_cases", 6);
  fake_cfg_float(&host, "min_confidence", 0.61);
  assert_int_equal(fake_load(&host, "triage"), CRM_OK);
  assert_int_equal(classify(1, "cold room", NULL, &d), CRM_OK);
  assert_string_equal(d.category, "other");
  assert_string_equal(d.reason, "no keyword; bayes unsure: room p=0.60 "
                                "below 0.61 over 6 cases");
  assert_int_equal(classify(1, "soup", NULL, &d), CRM_OK);
  assert_string_equal(d.category, "food");
  /* training again bumps the generation */
  assert_int_equal(train(), CRM_OK);
  assert_non_null(strstr(kv("nb:meta"), "v1 gen=2 cases=6 "));
  fake_unload(&host);
}

/* Fewer closed cases than min_cases (default 20): "other". */
static void test_min_cases(void **state)
{
  crm_case_decision d;

  (void)state;
  use_hotel();
  assert_int_equal(fake_load(&host, "triage"), CRM_OK);
  assert_int_equal(classify(1, "soup", NULL, &d), CRM_OK);
  assert_string_equal(d.category, "other");
  assert_string_equal(d.reason, "no keyword; bayes not trained (0 of 20 "
                                "closed cases)");
  assert_int_equal(train(), CRM_OK);
  assert_int_equal(classify(1, "soup", NULL, &d), CRM_OK);
  assert_string_equal(d.category, "other");
  assert_string_equal(d.reason, "no keyword; bayes not trained (6 of 20 "
                                "closed cases)");
  fake_unload(&host);
}

/* A model longer than one kv value is split at line ends; a smaller one
 * later deletes the parts it no longer needs. */
static void test_split_model(void **state)
{
  static struct tcase many[400];
  static char texts[400][160];
  crm_case_decision d;
  size_t i, j, len;

  (void)state;
  for(i = 0; i < 400; i++) {
    len = 0;
    for(j = 0; j < 12; j++)
      len += (size_t)snprintf(texts[i] + len, sizeof(texts[i]) - len,
                              "%sw%zux%zu", j ? " " : "", i, j);
    many[i].id = (int64_t)i + 1;
    many[i].category = i % 2 ? "odd" : "even";
    many[i].text = texts[i];
    many[i].closed = 1;
  }
  g_cases = many;
  g_n_cases = 400;
  assert_int_equal(fake_load(&host, "triage"), CRM_OK);
  assert_int_equal(train(), CRM_OK);
  /* 4800 words, each line "w w123x4 1 0\n" (13 to 14 bytes): ~66 KB */
  assert_non_null(strstr(kv("nb:meta"), " vocab=4800 cats=2 parts=2 "));
  assert_true(strlen(kv("nb:0")) <= 60000);
  assert_true(kv("nb:0")[strlen(kv("nb:0")) - 1] == '\n');
  assert_non_null(kv("nb:1"));
  assert_null(kv("nb:2"));
  fake_unload(&host);
  /* a fresh instance loads both parts: w3x5 is an odd case's word */
  assert_int_equal(fake_load(&host, "triage"), CRM_OK);
  assert_int_equal(classify(1, "w3x5 w3x6", NULL, &d), CRM_OK);
  assert_string_equal(d.category, "odd");
  /* retrain on the small set: nb:1 goes */
  use_hotel();
  assert_int_equal(train(), CRM_OK);
  assert_null(kv("nb:1"));
  assert_non_null(strstr(kv("nb:meta"), "v1 gen=2 cases=6 "));
  fake_unload(&host);
}

static void test_corrupt_model(void **state)
{
  crm_case_decision d;

  (void)state;
  big_kv_put(&host, "nb:meta", "v1 gen=1 cases=6 vocab=8 cats=2 parts=1 "
                               "bytes=20");
  big_kv_put(&host, "nb:0", "c 4 8 food\nq what\n");
  assert_int_equal(fake_load(&host, "triage"), CRM_OK);
  assert_int_equal(classify(1, "soup", NULL, &d), CRM_ECORRUPT);
  assert_string_equal(host.errmsg, "stored triage model is damaged near "
                                   "\"q what\n\"; run crm case train");
  big_kv_put(&host, "nb:meta", "nonsense");
  assert_int_equal(classify(1, "soup", NULL, &d), CRM_ECORRUPT);
  assert_string_equal(host.errmsg, "stored triage model has a bad nb:meta "
                                   "\"nonsense\"; run crm case train");
  fake_unload(&host);
}

static void set_score(int64_t id, const char *model, const char *name,
                      double v)
{
  char keep[32];
  struct fake_score *s;

  snprintf(keep, sizeof(keep), "%s", host.model);
  snprintf(host.model, sizeof(host.model), "%s", model);
  s = fake_score_slot(&host, id, name);
  s->value = v;
  snprintf(host.model, sizeof(host.model), "%s", keep);
}

static void add_customer(int64_t id, int stage)
{
  crm_customer_view v;

  memset(&v, 0, sizeof(v));
  v.struct_size = sizeof(v);
  v.customer_id = id;
  v.external_id = "x";
  v.stage = stage;
  fake_customer(&host, &v);
}

/* High-value and at-risk customers: one level more urgent, with why. */
static void test_customer_value(void **state)
{
  crm_case_decision d;

  (void)state;
  fake_cfg_int(&host, "high_value", 100000); /* 1000.00 */
  add_customer(1, CRM_STAGE_REPEAT);
  add_customer(2, CRM_STAGE_AT_RISK);
  add_customer(3, CRM_STAGE_LOYAL);
  add_customer(4, CRM_STAGE_LOYAL);
  add_customer(5, CRM_STAGE_AT_RISK);
  set_score(3, "clv", "clv", 150000);
  set_score(4, "churn", "risk", 0.7);
  set_score(5, "clv", "clv", 100000);
  set_score(1, "clv", "clv", 99999);   /* just below */
  set_score(1, "churn", "risk", 0.49); /* just below */
  assert_int_equal(fake_load(&host, "triage"), CRM_OK);
  assert_int_equal(classify(1, "the staff were rude", NULL, &d), CRM_OK);
  assert_int_equal(d.priority, 3);
  assert_string_equal(d.reason, "keywords: rude*, staff");
  assert_int_equal(classify(2, "the staff were rude", NULL, &d), CRM_OK);
  assert_int_equal(d.priority, 2);
  assert_string_equal(d.reason, "keywords: rude*, staff; customer at risk: "
                                "priority 3 -> 2");
  assert_int_equal(classify(3, "the staff were rude", NULL, &d), CRM_OK);
  assert_int_equal(d.priority, 2);
  assert_string_equal(d.reason, "keywords: rude*, staff; high-value "
                                "customer: priority 3 -> 2");
  assert_int_equal(classify(4, "late parcel", NULL, &d), CRM_OK);
  assert_int_equal(d.priority, 1);
  assert_string_equal(d.reason, "keywords: late, parcel; customer at risk: "
                                "priority 2 -> 1");
  /* both: still one level */
  assert_int_equal(classify(5, "hello", NULL, &d), CRM_OK);
  assert_string_equal(d.category, "other");
  assert_int_equal(d.priority, 3);
  assert_string_equal(d.reason, "no keyword; bayes not trained (0 of 20 "
                                "closed cases); high-value customer at "
                                "risk: priority 4 -> 3");
  /* priority 1 cannot go higher: no reason added */
  fake_unload(&host);
  fake_cfg_int(&host, "priority.billing", 1);
  assert_int_equal(fake_load(&host, "triage"), CRM_OK);
  assert_int_equal(classify(2, "wrong invoice", NULL, &d), CRM_OK);
  assert_int_equal(d.priority, 1);
  assert_string_equal(d.reason, "keywords: invoice*");
  /* a caller's category keeps its place; the raise still applies */
  assert_int_equal(classify(2, "x", "service", &d), CRM_OK);
  assert_string_equal(d.category, "");
  assert_int_equal(d.priority, 2);
  assert_string_equal(d.reason, "customer at risk: priority 3 -> 2");
  fake_unload(&host);
}

/* Categories and keywords of the config replace the defaults. */
static void test_config_keywords(void **state)
{
  crm_case_decision d;

  (void)state;
  fake_cfg_str(&host, "categories.[0]", "baggage");
  fake_cfg_str(&host, "categories.[1]", "delivery");
  /* the fake has no lists nor groups: an integer stands for the list
   * keywords.baggage (not a string) and for the group's one member */
  fake_cfg_int(&host, "keywords.baggage", 0);
  fake_cfg_str(&host, "keywords.baggage.[0]", "suitcase*");
  fake_cfg_str(&host, "keywords.baggage.[1]", "bag");
  fake_cfg_int(&host, "keywords.[0]", 0);
  fake_cfg_int(&host, "priority.baggage", 1);
  assert_int_equal(fake_load(&host, "triage"), CRM_OK);
  assert_int_equal(classify(1, "my SUITCASES never came", NULL, &d), CRM_OK);
  assert_string_equal(d.category, "baggage");
  assert_int_equal(d.priority, 1);
  assert_string_equal(d.reason, "keywords: suitcase*");
  /* delivery keeps its default keywords; quality is not listed */
  assert_int_equal(classify(1, "late", NULL, &d), CRM_OK);
  assert_string_equal(d.category, "delivery");
  assert_int_equal(classify(1, "broken", NULL, &d), CRM_OK);
  assert_string_equal(d.category, "other");
  fake_unload(&host);
}

static void test_config_errors(void **state)
{
  (void)state;
  fake_cfg_str(&host, "keywords.delivery", "late");
  assert_int_equal(fake_load(&host, "triage"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "keywords.delivery must be a list of "
                                   "keywords such as [\"late\", "
                                   "\"parcel\"]");
  fake_unload(&host);
  setup(NULL);
  fake_cfg_str(&host, "keywords.[0]", "(list)");
  assert_int_equal(fake_load(&host, "triage"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "keywords has 1 lists but only 0 name a "
                                   "category of categories; list every "
                                   "category there");
  fake_unload(&host);
  setup(NULL);
  fake_cfg_float(&host, "min_confidence", 1.5);
  assert_int_equal(fake_load(&host, "triage"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "min_confidence must be between 0 and 1 "
                                   "(got 1.5)");
  fake_unload(&host);
  setup(NULL);
  fake_cfg_str(&host, "categories.[0]", "late delivery");
  assert_int_equal(fake_load(&host, "triage"), CRM_ECONFIG);
  assert_non_null(strstr(host.errmsg, "\"late delivery\" is not a category "
                                      "name"));
  fake_unload(&host);
  setup(NULL);
  fake_cfg_int(&host, "min_cases", 0);
  assert_int_equal(fake_load(&host, "triage"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "min_cases must be between 1 and "
                                   "1000000000 (got 0)");
  fake_unload(&host);
}

/* A host older than 1.5 (no cases_walk) is refused at init. */
static void test_old_host(void **state)
{
  (void)state;
  host.api.struct_size = (uint32_t)offsetof(crm_host_api, cases_walk);
  host.api.abi_minor = 4;
  assert_int_equal(fake_load(&host, "triage"), CRM_ENOTSUP);
  assert_string_equal(host.errmsg, "host has no cases_walk (core sdk 1.4, "
                                   "triage needs 1.5)");
  fake_unload(&host);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_nb_posterior, setup, teardown),
    cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
    cmocka_unit_test_setup_teardown(test_descriptor, setup, teardown),
    cmocka_unit_test_setup_teardown(test_keywords, setup, teardown),
    cmocka_unit_test_setup_teardown(test_given_category, setup, teardown),
    cmocka_unit_test_setup_teardown(test_bayes_trained, setup, teardown),
    cmocka_unit_test_setup_teardown(test_min_cases, setup, teardown),
    cmocka_unit_test_setup_teardown(test_split_model, setup, teardown),
    cmocka_unit_test_setup_teardown(test_corrupt_model, setup, teardown),
    cmocka_unit_test_setup_teardown(test_customer_value, setup, teardown),
    cmocka_unit_test_setup_teardown(test_config_keywords, setup, teardown),
    cmocka_unit_test_setup_teardown(test_config_errors, setup, teardown),
    cmocka_unit_test_setup_teardown(test_old_host, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
