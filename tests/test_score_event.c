/*
 * test_score_event.c - the score step: after each ingested event the core
 * calls score_event (1.3) with the event's view, or score_one for a 1.2
 * scoring plugin (fx_score_v12: same fixture, vtable cut before fit);
 * crm__score_ask calls score_event with ev NULL; crm_scores_foreach
 * hands out the decoded explanation, valid while the callback reads
 * scores again.
 */
#include "score_test.h"

static const char conf_fx[] =
  "plugins = { load = ( { name = \"fx_score\"; },\n"
  "                     { name = \"fx_score_v12\"; } ); };\n";

static int setup(void **state)
{
  static st_fix f;

  st_open(&f, conf_fx);
  *state = &f;
  return 0;
}

static int teardown(void **state)
{
  st_close(*state);
  return 0;
}

static void test_event_view(void **state)
{
  st_fix *f = *state;
  int64_t a = st_customer(f->c, "A");
  int64_t e1, e2, e3;
  st_scores g;
  const st_score *s;

  e1 = st_event(f->c, a, "purchase", ST_T0 + 1, 1000, NULL, "a1");
  st_scores_of(f->c, a, &g);
  /* fx_score: last_event = e1 explained by its type; never score_one */
  s = st_find(&g, a, "fx_score", "last_event");
  assert_non_null(s);
  assert_true(s->value == (double)e1);
  assert_int_equal(s->n_reasons, 1);
  assert_string_equal(s->factor[0], "type");
  assert_true(s->contribution[0] == (double)e1);
  assert_string_equal(s->detail[0], "purchase");
  assert_string_equal(s->explain, lt_fmt("[{\"factor\":\"type\","
                      "\"contribution\":%lld,\"detail\":\"purchase\"}]",
                      (long long)e1));
  assert_null(st_find(&g, a, "fx_score", "one"));
  assert_null(st_find(&g, a, "fx_score", "risk"));
  /* fx_score_v12 (1.2): score_one with the customer after the event */
  s = st_find(&g, a, "fx_score_v12", "one");
  assert_non_null(s);
  assert_true(s->value == 1);
  assert_false(s->has_explain);
  assert_null(st_find(&g, a, "fx_score_v12", "last_event"));
  assert_int_equal(g.n, 2);

  /* a second purchase (next day: purchase_count counts purchase days)
   * and a refund naming the first purchase */
  e2 = st_event(f->c, a, "purchase", ST_T0 + ST_DAY, 500, NULL, "a2");
  st_scores_of(f->c, a, &g);
  assert_true(st_find(&g, a, "fx_score", "last_event")->value == (double)e2);
  assert_true(st_find(&g, a, "fx_score_v12", "one")->value == 2);
  e3 = st_event(f->c, a, "refund", ST_T0 + ST_DAY + 1, 300,
                "{\"refund_of\":\"a1\"}", "a3");
  st_scores_of(f->c, a, &g);
  s = st_find(&g, a, "fx_score", "last_event");
  assert_true(s->value == (double)e3);
  assert_int_equal(s->n_reasons, 2);
  assert_string_equal(s->detail[0], "refund");
  assert_string_equal(s->factor[1], "refund_of");
  assert_string_equal(s->detail[1], "a1");
  /* a refund is not a purchase: purchase_count stays 2 */
  assert_true(st_find(&g, a, "fx_score_v12", "one")->value == 2);
}

/* The customer attribute "risk" becomes score "risk" on the next event;
 * a score_event failure fails the ingest, which stores nothing. */
static void test_event_attr_and_failure(void **state)
{
  st_fix *f = *state;
  int64_t a = st_customer(f->c, "A");
  crm_event ev;
  crm_ingest_result r;
  st_scores g;

  assert_int_equal(crm_customer_set_attr(f->c, a, "risk", "0.7"), CRM_OK);
  st_event(f->c, a, "contact", ST_T0 + 1, 0, NULL, "a1");
  st_scores_of(f->c, a, &g);
  assert_true(st_find(&g, a, "fx_score", "risk")->value == 0.7);
  assert_int_equal(crm_customer_set_attr(f->c, a, "risk", "high"), CRM_OK);
  memset(&ev, 0, sizeof(ev));
  ev.type = "contact";
  ev.customer_id = a;
  ev.occurred_at = ST_T0 + 2;
  ev.idempotency_key = "a2";
  assert_int_equal(crm_event_ingest(f->c, &ev, &r), CRM_EINVAL);
  assert_string_equal(crm_errmsg(f->c), "plugin \"fx_score\" component "
                      "\"fx_score\": attribute risk \"high\" is not a "
                      "number");
  /* nothing of the event stayed: the key is free, scores as before */
  st_scores_of(f->c, a, &g);
  assert_true(st_find(&g, a, "fx_score", "risk")->value == 0.7);
  assert_int_equal(crm_customer_set_attr(f->c, a, "risk", "0.25"), CRM_OK);
  st_event(f->c, a, "contact", ST_T0 + 2, 0, NULL, "a2");
  st_scores_of(f->c, a, &g);
  assert_true(st_find(&g, a, "fx_score", "risk")->value == 0.25);
}

static void test_ask(void **state)
{
  st_fix *f = *state;
  int64_t a = st_customer(f->c, "A");
  crm_customer cust;
  st_scores g;
  const st_score *s;

  st_event(f->c, a, "purchase", ST_T0 + 1, 1000, NULL, "a1");
  assert_int_equal(crm_customer_set_attr(f->c, a, "risk", "0.9"), CRM_OK);
  assert_int_equal(crm_customer_get(f->c, a, &cust), CRM_OK);
  assert_int_equal(crm__score_ask(f->c, "fx_score", &cust, 0), CRM_OK);
  st_scores_of(f->c, a, &g);
  /* ev NULL: last_event 0, its factor without detail */
  s = st_find(&g, a, "fx_score", "last_event");
  assert_true(s->value == 0);
  assert_int_equal(s->n_reasons, 1);
  assert_false(s->has_detail[0]);
  assert_string_equal(s->explain, "[{\"factor\":\"type\",\"contribution\":0,"
                      "\"detail\":null}]");
  assert_true(st_find(&g, a, "fx_score", "risk")->value == 0.9);

  assert_int_equal(crm__score_ask(f->c, "nope", &cust, 0), CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(f->c), "no scoring component \"nope\" is "
                      "loaded");
  assert_int_equal(crm__score_ask(f->c, "fx_score_v12", &cust, 0),
                   CRM_ENOTSUP);
  assert_string_equal(crm_errmsg(f->c), "scoring component \"fx_score_v12\" "
                      "has no score step (score_event)");
  assert_int_equal(crm_customer_set_attr(f->c, a, "risk", "x"), CRM_OK);
  assert_int_equal(crm__score_ask(f->c, "fx_score", &cust, 0), CRM_EINVAL);
  assert_string_equal(crm_errmsg(f->c), "plugin \"fx_score\" component "
                      "\"fx_score\": attribute risk \"x\" is not a number");
}

/* The outer callback reads scores again before it looks at its own
 * reasons: they must still be the outer score's. */
struct nest {
  crm *c;
  int outer, inner;
  int ok;
};

static int inner_cb(void *ud, const crm_score *s)
{
  (void)s;
  ((struct nest *)ud)->inner++;
  return 0;
}

static int outer_cb(void *ud, const crm_score *s)
{
  struct nest *n = ud;

  n->outer++;
  assert_int_equal(crm_scores_foreach(n->c, s->customer_id, inner_cb, n),
                   CRM_OK);
  if(!strcmp(s->model, "fx_score") && !strcmp(s->name, "last_event") &&
     s->n_reasons == 2 && !strcmp(s->reasons[0].factor, "type") &&
     !strcmp(s->reasons[0].detail, "refund") &&
     !strcmp(s->reasons[1].detail, "b1"))
    n->ok++;
  return 0;
}

static void test_foreach_nested(void **state)
{
  st_fix *f = *state;
  int64_t a = st_customer(f->c, "A");
  int64_t b = st_customer(f->c, "B");
  struct nest n;

  st_event(f->c, a, "purchase", ST_T0 + 1, 1000, NULL, "a1");
  st_event(f->c, b, "purchase", ST_T0 + 2, 1000, NULL, "b1");
  st_event(f->c, b, "refund", ST_T0 + 3, 100, "{\"refund_of\":\"b1\"}",
           "b2");
  memset(&n, 0, sizeof(n));
  n.c = f->c;
  /* A: last_event, one; B: last_event, one: each reads its customer's 2 */
  assert_int_equal(crm_scores_foreach(f->c, 0, outer_cb, &n), CRM_OK);
  assert_int_equal(n.outer, 4);
  assert_int_equal(n.inner, 8);
  assert_int_equal(n.ok, 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
  const struct CMUnitTest tests[] = {
    T(test_event_view),
    T(test_event_attr_and_failure),
    T(test_ask),
    T(test_foreach_nested),
  };

  return cmocka_run_group_tests_name("score_event", tests, NULL, NULL);
}
