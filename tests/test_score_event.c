/*
 * test_score_event.c - the score step: after each ingested event the core
 * calls score_event (1.3) with the event's view, or score_one for a 1.2
 * scoring plugin (fx_score_v12: same fixture, vtable cut before fit);
 * a score step that fails is undone alone (its savepoint) and logged,
 * the event is kept; the step runs as of max(now, the event's time);
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

/* Warnings logged by the score step. */
struct warns {
  int n;
  char last[512];
};

static void warn_cb(void *ud, int level, const char *source, const char *msg)
{
  struct warns *w = ud;

  if(level != CRM_LOG_WARN || strcmp(source, "score") != 0)
    return;
  w->n++;
  snprintf(w->last, sizeof(w->last), "%s", msg);
}

/* The customer attribute "risk" becomes score "risk" on the next event.
 * A score_event failure undoes that component's writes only (here
 * fx_score's last_event, written before it read the bad attribute), is
 * logged, and the event is kept: scores can be recomputed, events
 * cannot. */
static void test_event_attr_and_failure(void **state)
{
  st_fix *f = *state;
  int64_t a = st_customer(f->c, "A");
  crm_event ev;
  crm_ingest_result r;
  struct warns w;
  st_scores g;
  int64_t e1;

  memset(&w, 0, sizeof(w));
  crm_set_log(f->c, warn_cb, &w, CRM_LOG_WARN);
  assert_int_equal(crm_customer_set_attr(f->c, a, "risk", "0.7"), CRM_OK);
  e1 = st_event(f->c, a, "contact", ST_T0 + 1, 0, NULL, "a1");
  st_scores_of(f->c, a, &g);
  assert_true(st_find(&g, a, "fx_score", "risk")->value == 0.7);
  assert_true(st_find(&g, a, "fx_score", "last_event")->value == (double)e1);
  assert_int_equal(w.n, 0);
  assert_int_equal(crm_customer_set_attr(f->c, a, "risk", "high"), CRM_OK);
  memset(&ev, 0, sizeof(ev));
  memset(&r, 0, sizeof(r));
  ev.type = "contact";
  ev.customer_id = a;
  ev.occurred_at = ST_T0 + 2;
  ev.idempotency_key = "a2";
  assert_int_equal(crm_event_ingest(f->c, &ev, &r), CRM_OK);
  assert_true(r.event_id > e1);
  assert_int_equal(r.duplicate, 0);
  assert_int_equal(w.n, 1);
  assert_string_equal(w.last, lt_fmt("score step on event #%lld failed: "
                      "plugin \"fx_score\" component \"fx_score\": "
                      "attribute risk \"high\" is not a number: scores of "
                      "customer #%lld not updated; the event is kept",
                      (long long)r.event_id, (long long)a));
  /* fx_score's partial write undone: last_event still e1, risk 0.7 */
  st_scores_of(f->c, a, &g);
  assert_true(st_find(&g, a, "fx_score", "last_event")->value == (double)e1);
  assert_true(st_find(&g, a, "fx_score", "risk")->value == 0.7);
  /* the event is stored: its key is taken */
  memset(&r, 0, sizeof(r));
  assert_int_equal(crm_event_ingest(f->c, &ev, &r), CRM_OK);
  assert_int_equal(r.duplicate, 1);
  /* the next event scores again */
  assert_int_equal(crm_customer_set_attr(f->c, a, "risk", "0.25"), CRM_OK);
  st_event(f->c, a, "contact", ST_T0 + 3, 0, NULL, "a3");
  st_scores_of(f->c, a, &g);
  assert_true(st_find(&g, a, "fx_score", "risk")->value == 0.25);
  assert_int_equal(w.n, 1);
  crm_set_log(f->c, NULL, NULL, CRM_LOG_WARN);
}

/* Inside a crm_begin batch: the failed step is undone alone (a savepoint
 * inside the batch's), the batch goes on and commits every event. */
static void test_failure_in_batch(void **state)
{
  st_fix *f = *state;
  int64_t a = st_customer(f->c, "A");
  struct warns w;
  st_scores g;
  int64_t e1, e3;

  memset(&w, 0, sizeof(w));
  crm_set_log(f->c, warn_cb, &w, CRM_LOG_WARN);
  assert_int_equal(crm_begin(f->c), CRM_OK);
  e1 = st_event(f->c, a, "contact", ST_T0 + 1, 0, NULL, "b1");
  assert_int_equal(crm_customer_set_attr(f->c, a, "risk", "high"), CRM_OK);
  st_event(f->c, a, "contact", ST_T0 + 2, 0, NULL, "b2");
  assert_int_equal(w.n, 1);
  st_scores_of(f->c, a, &g);
  assert_true(st_find(&g, a, "fx_score", "last_event")->value == (double)e1);
  assert_int_equal(crm_customer_set_attr(f->c, a, "risk", "0.5"), CRM_OK);
  e3 = st_event(f->c, a, "contact", ST_T0 + 3, 0, NULL, "b3");
  assert_int_equal(crm_commit(f->c), CRM_OK);
  st_scores_of(f->c, a, &g);
  assert_true(st_find(&g, a, "fx_score", "last_event")->value == (double)e3);
  assert_true(st_find(&g, a, "fx_score", "risk")->value == 0.5);
  /* three events stored: b1, b2, b3 are e1, e1 + 1, e3 */
  assert_true(e3 == e1 + 2);
  crm_set_log(f->c, NULL, NULL, CRM_LOG_WARN);
}

static void test_ask(void **state)
{
  st_fix *f = *state;
  int64_t a = st_customer(f->c, "A");
  crm_customer cust;
  int64_t e2;
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
  /* a failed ask leaves none of its writes (its savepoint): last_event
   * stays e2, not the 0 it wrote before failing */
  e2 = st_event(f->c, a, "contact", ST_T0 + 2, 0, NULL, "a2");
  assert_int_equal(crm_customer_set_attr(f->c, a, "risk", "x"), CRM_OK);
  assert_int_equal(crm__score_ask(f->c, "fx_score", &cust, 0), CRM_EINVAL);
  assert_string_equal(crm_errmsg(f->c), "plugin \"fx_score\" component "
                      "\"fx_score\": attribute risk \"x\" is not a number");
  st_scores_of(f->c, a, &g);
  assert_true(st_find(&g, a, "fx_score", "last_event")->value == (double)e2);
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
    T(test_failure_in_batch),
    T(test_ask),
    T(test_foreach_nested),
  };

  return cmocka_run_group_tests_name("score_event", tests, NULL, NULL);
}
