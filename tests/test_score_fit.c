/*
 * test_score_fit.c - crm_score_fit with the fx_score fixture: figures,
 * the fits record, n_scored, stale scores and figures cleared, rollback
 * of a failed fit, cancel from the progress callback, the refusals; and
 * the fit plus crm_scores_foreach with the Nth core allocation failing.
 *
 * The data (customer: events in time order):
 *   A: purchase, purchase, contact     -> "events" 3 = purchases 2 + other 1
 *   B: purchase, survey                -> "events" 2 = purchases 1 + other 1
 *   C: none                            -> not scored by the fit
 * so the fit walks 5 events of 2 customers: figures events = 5,
 * customers = 2; n_scored = 2.
 */
#include "score_test.h"

static const char conf_fx[] =
  "plugins = { load = ( { name = \"fx_score\"; },\n"
  "                     { name = \"fx_score_v12\"; } ); };\n";
static const char conf_fail[] =
  "plugins = { load = ( { name = \"fx_score\";\n"
  "                       config = { fail_fit = true; }; } ); };\n";
static const char conf_types[] =
  "plugins = { load = ( { name = \"fx_score\";\n"
  "                       config = { types = \"purchase\"; }; } ); };\n";

typedef struct fdata {
  st_fix f;
  int64_t a, b, cc;
} fdata;

static void populate(fdata *d)
{
  d->a = st_customer(d->f.c, "A");
  d->b = st_customer(d->f.c, "B");
  d->cc = st_customer(d->f.c, "C");
  st_event(d->f.c, d->a, "purchase", ST_T0 + 1, 1000, NULL, "a1");
  st_event(d->f.c, d->b, "purchase", ST_T0 + 2, 500, NULL, "b1");
  st_event(d->f.c, d->a, "purchase", ST_T0 + 3, 1000, NULL, "a2");
  st_event(d->f.c, d->a, "contact", ST_T0 + 4, 0, NULL, "a3");
  st_event(d->f.c, d->b, "survey", ST_T0 + 5, 0, "{\"score\":5}", "b2");
}

static int setup_with(void **state, const char *conf)
{
  static fdata d;

  memset(&d, 0, sizeof(d));
  st_open(&d.f, conf);
  populate(&d);
  *state = &d;
  return 0;
}

static int setup(void **state)
{
  return setup_with(state, conf_fx);
}

static int setup_fail(void **state)
{
  return setup_with(state, conf_fail);
}

static int setup_types(void **state)
{
  return setup_with(state, conf_types);
}

static int teardown(void **state)
{
  fdata *d = *state;

  st_close(&d->f);
  return 0;
}

/* ---- progress and fits records ------------------------------------------ */

struct prog {
  int64_t done[16];
  int64_t total[16];
  char model[32];
  int n;
  int cancel_at; /* non-zero: return 1 on that call */
};

static int on_progress(void *ud, const char *model, int64_t done,
                       int64_t total)
{
  struct prog *p = ud;

  if(p->n < 16) {
    p->done[p->n] = done;
    p->total[p->n] = total;
  }
  snprintf(p->model, sizeof(p->model), "%s", model);
  p->n++;
  return p->cancel_at && p->n == p->cancel_at;
}

struct fits {
  int64_t id[8];
  char model[8][32];
  int64_t as_of[8], started[8], finished[8], n_scored[8];
  char figures[8][256];
  int n;
};

static int collect_fit(void *ud, const crm_score_fit_info *fi)
{
  struct fits *g = ud;

  if(g->n < 8) {
    g->id[g->n] = fi->id;
    snprintf(g->model[g->n], sizeof(g->model[0]), "%s", fi->model);
    g->as_of[g->n] = fi->as_of;
    g->started[g->n] = fi->started_at;
    g->finished[g->n] = fi->finished_at;
    g->n_scored[g->n] = fi->n_scored;
    snprintf(g->figures[g->n], sizeof(g->figures[0]), "%s",
             fi->figures_json ? fi->figures_json : "(null)");
  }
  g->n++;
  return 0;
}

static void get_fits(crm *c, const char *model, struct fits *g)
{
  memset(g, 0, sizeof(*g));
  assert_int_equal(crm_score_fits_foreach(c, model, collect_fit, g), CRM_OK);
}

/* Scores of model fx_score, all customers. */
static size_t n_fx_scores(crm *c)
{
  st_scores g;
  size_t i, n = 0;

  st_scores_of(c, 0, &g);
  for(i = 0; i < g.n; i++)
    n += strcmp(g.s[i].model, "fx_score") == 0;
  return n;
}

/* ---- the tests ---------------------------------------------------------------- */

static void test_fit(void **state)
{
  fdata *d = *state;
  crm *c = d->f.c;
  struct prog p;
  struct fits g;
  st_scores s;
  const st_score *e;
  size_t n = 99;
  double v = 0;
  int i;

  /* a batch run scores C too: the fit must drop that stale score */
  assert_int_equal(crm_score_run(c, "fx_score", 0, &n), CRM_OK);
  assert_int_equal(n, 3);
  memset(&p, 0, sizeof(p));
  assert_int_equal(crm_score_fit(c, "fx_score", 0, 0, on_progress, &p, &n),
                   CRM_OK);
  assert_int_equal(n, 2);
  /* progress after every event: 1..5 of an unknown total */
  assert_int_equal(p.n, 5);
  for(i = 0; i < 5; i++) {
    assert_int_equal(p.done[i], i + 1);
    assert_int_equal(p.total[i], 0);
  }
  assert_string_equal(p.model, "fx_score");
  assert_int_equal(crm_figure_get(c, "fx_score", "events", &v), CRM_OK);
  assert_true(v == 5);
  assert_int_equal(crm_figure_get(c, "fx_score", "customers", &v), CRM_OK);
  assert_true(v == 2);
  /* the model's scores are the fit's alone: A and B "events" */
  assert_int_equal(n_fx_scores(c), 2);
  st_scores_of(c, 0, &s);
  e = st_find(&s, d->a, "fx_score", "events");
  assert_non_null(e);
  assert_true(e->value == 3);
  assert_int_equal(e->n_reasons, 2);
  assert_string_equal(e->factor[0], "purchases");
  assert_true(e->contribution[0] == 2);
  assert_string_equal(e->detail[0], "2 purchases");
  assert_string_equal(e->factor[1], "other");
  assert_true(e->contribution[1] == 1);
  assert_false(e->has_detail[1]);
  e = st_find(&s, d->b, "fx_score", "events");
  assert_non_null(e);
  assert_true(e->value == 2);
  assert_null(st_find(&s, d->cc, "fx_score", "batch"));
  /* the other model's scores are untouched: last one() of each buyer */
  assert_non_null(st_find(&s, d->a, "fx_score_v12", "one"));
  /* the record: as_of now (clock fixed), figures by name */
  get_fits(c, NULL, &g);
  assert_int_equal(g.n, 1);
  assert_string_equal(g.model[0], "fx_score");
  assert_int_equal(g.as_of[0], ST_NOW);
  assert_int_equal(g.started[0], ST_NOW);
  assert_int_equal(g.finished[0], ST_NOW);
  assert_int_equal(g.n_scored[0], 2);
  assert_string_equal(g.figures[0], "{\"customers\":2.0,\"events\":5.0}");
}

static void test_fit_twice_newest_first(void **state)
{
  fdata *d = *state;
  crm *c = d->f.c;
  struct fits g;
  size_t n = 0;

  assert_int_equal(crm_score_fit(c, "fx_score", ST_NOW - 10 * ST_DAY, 0,
                                 NULL, NULL, &n), CRM_OK);
  st_event(c, d->cc, "purchase", ST_T0 + 6, 700, NULL, "c1");
  crm_set_now(c, ST_NOW + 60);
  assert_int_equal(crm_score_fit(c, "fx_score", 0, 0, NULL, NULL, &n),
                   CRM_OK);
  assert_int_equal(n, 3);
  get_fits(c, "fx_score", &g);
  assert_int_equal(g.n, 2);
  assert_true(g.id[0] > g.id[1]);
  assert_int_equal(g.as_of[0], ST_NOW + 60);
  assert_int_equal(g.n_scored[0], 3);
  assert_string_equal(g.figures[0], "{\"customers\":3.0,\"events\":6.0}");
  assert_int_equal(g.as_of[1], ST_NOW - 10 * ST_DAY);
  assert_int_equal(g.n_scored[1], 2);
  get_fits(c, "fx_score_v12", &g);
  assert_int_equal(g.n, 0);
}

/* A fit replaces the model's figures: "gg_p", stored as if by an
 * earlier fit, is not written by fx_score's fit and is gone after it
 * (with or without scoring); another model's figure stays. */
static void test_fit_drops_old_figures(void **state)
{
  fdata *d = *state;
  crm *c = d->f.c;
  struct fits g;
  size_t n = 0;
  double v = 0;

  assert_int_equal(crm__figure_put(c, "fx_score", "gg_p", 6.25, NULL),
                   CRM_OK);
  assert_int_equal(crm__figure_put(c, "fx_score_v12", "gg_p", 1.5, NULL),
                   CRM_OK);
  assert_int_equal(crm_score_fit(c, "fx_score", 0, 0, NULL, NULL, &n),
                   CRM_OK);
  assert_int_equal(crm_figure_get(c, "fx_score", "gg_p", &v),
                   CRM_ENOTFOUND);
  assert_int_equal(st_n_figures(c, "fx_score"), 2); /* events, customers */
  assert_int_equal(crm_figure_get(c, "fx_score_v12", "gg_p", &v), CRM_OK);
  assert_true(v == 1.5);
  get_fits(c, "fx_score", &g);
  assert_string_equal(g.figures[0], "{\"customers\":2.0,\"events\":5.0}");
  /* a fit without scoring replaces them too */
  assert_int_equal(crm__figure_put(c, "fx_score", "gg_p", 6.25, NULL),
                   CRM_OK);
  assert_int_equal(crm_score_fit(c, "fx_score", 0, CRM_FIT_NO_SCORE, NULL,
                                 NULL, &n), CRM_OK);
  assert_int_equal(crm_figure_get(c, "fx_score", "gg_p", &v),
                   CRM_ENOTFOUND);
  assert_int_equal(st_n_figures(c, "fx_score"), 2);
}

/* CRM_FIT_NO_SCORE: figures only; the scores the ingest wrote stay. */
static void test_fit_no_score(void **state)
{
  fdata *d = *state;
  crm *c = d->f.c;
  struct fits g;
  st_scores s;
  size_t n = 99;
  double v = 0;

  assert_int_equal(crm_score_fit(c, "fx_score", 0, CRM_FIT_NO_SCORE, NULL,
                                 NULL, &n), CRM_OK);
  assert_int_equal(n, 0);
  assert_int_equal(crm_figure_get(c, "fx_score", "events", &v), CRM_OK);
  assert_true(v == 5);
  st_scores_of(c, 0, &s);
  assert_null(st_find(&s, d->a, "fx_score", "events"));
  assert_non_null(st_find(&s, d->a, "fx_score", "last_event"));
  assert_non_null(st_find(&s, d->b, "fx_score", "last_event"));
  get_fits(c, NULL, &g);
  assert_int_equal(g.n, 1);
  assert_int_equal(g.n_scored[0], 0);
}

/* types = "purchase": the walk sees 3 events (A 2, B 1). */
static void test_fit_types(void **state)
{
  fdata *d = *state;
  crm *c = d->f.c;
  st_scores s;
  size_t n = 0;
  double v = 0;

  assert_int_equal(crm_score_fit(c, "fx_score", 0, 0, NULL, NULL, &n),
                   CRM_OK);
  assert_int_equal(n, 2);
  assert_int_equal(crm_figure_get(c, "fx_score", "events", &v), CRM_OK);
  assert_true(v == 3);
  st_scores_of(c, 0, &s);
  assert_true(st_find(&s, d->a, "fx_score", "events")->contribution[1] == 0);
}

/* The fit stores figures and scores, then fails: all rolled back. */
static void test_fit_failure_rolls_back(void **state)
{
  fdata *d = *state;
  crm *c = d->f.c;
  struct fits g;
  st_scores before, after;
  size_t n = 99;
  size_t i;
  double v = 0;

  assert_int_equal(crm__figure_put(c, "fx_score", "events", 99, NULL),
                   CRM_OK);
  /* a figure the fit does not write: kept, the clear is rolled back */
  assert_int_equal(crm__figure_put(c, "fx_score", "gg_p", 6.25, NULL),
                   CRM_OK);
  st_scores_of(c, 0, &before);
  assert_int_equal(crm_score_fit(c, "fx_score", 0, 0, NULL, NULL, &n),
                   CRM_EPLUGIN);
  assert_int_equal(n, 0);
  assert_string_equal(crm_errmsg(c), "plugin \"fx_score\" component "
                      "\"fx_score\": fail_fit is set");
  assert_int_equal(crm_figure_get(c, "fx_score", "events", &v), CRM_OK);
  assert_true(v == 99);
  assert_int_equal(crm_figure_get(c, "fx_score", "customers", &v),
                   CRM_ENOTFOUND);
  assert_int_equal(crm_figure_get(c, "fx_score", "gg_p", &v), CRM_OK);
  assert_true(v == 6.25);
  assert_int_equal(st_n_figures(c, "fx_score"), 2);
  st_scores_of(c, 0, &after);
  assert_int_equal(after.n, before.n);
  assert_int_equal(before.n, 2); /* last_event of A and B */
  for(i = 0; i < after.n; i++) {
    assert_string_equal(after.s[i].name, before.s[i].name);
    assert_true(after.s[i].value == before.s[i].value);
  }
  get_fits(c, NULL, &g);
  assert_int_equal(g.n, 0);
  /* the handle works on */
  assert_int_equal(crm_score_run(c, "fx_score", 0, &n), CRM_OK);
  assert_int_equal(n, 3);
}

static void test_fit_cancel(void **state)
{
  fdata *d = *state;
  crm *c = d->f.c;
  struct prog p;
  struct fits g;
  size_t n = 99;
  double v = 0;

  assert_int_equal(crm__figure_put(c, "fx_score", "gg_p", 6.25, NULL),
                   CRM_OK);
  memset(&p, 0, sizeof(p));
  p.cancel_at = 3;
  assert_int_equal(crm_score_fit(c, "fx_score", 0, 0, on_progress, &p, &n),
                   CRM_ECANCELED);
  assert_string_equal(crm_errmsg(c), "fit of \"fx_score\" canceled");
  assert_int_equal(p.n, 3);
  assert_int_equal(n, 0);
  /* the clears were rolled back: the old figure is the only one, and
   * last_event of A and B are still there */
  assert_int_equal(st_n_figures(c, NULL), 1);
  assert_int_equal(crm_figure_get(c, "fx_score", "gg_p", &v), CRM_OK);
  assert_int_equal(n_fx_scores(c), 2);
  get_fits(c, NULL, &g);
  assert_int_equal(g.n, 0);
  /* the next fit is not canceled by the last one */
  assert_int_equal(crm_score_fit(c, "fx_score", 0, 0, NULL, NULL, &n),
                   CRM_OK);
  assert_int_equal(n, 2);
  assert_int_equal(crm_figure_get(c, "fx_score", "gg_p", &v),
                   CRM_ENOTFOUND);
}

static void test_fit_refused(void **state)
{
  fdata *d = *state;
  crm *c = d->f.c;
  size_t n = 99;

  assert_int_equal(crm_score_fit(c, "nope", 0, 0, NULL, NULL, &n),
                   CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(c), "no scoring component \"nope\" is "
                      "loaded");
  assert_int_equal(n, 0);
  assert_int_equal(crm_score_fit(c, "fx_score_v12", 0, 0, NULL, NULL, &n),
                   CRM_ENOTSUP);
  assert_string_equal(crm_errmsg(c), "scoring component \"fx_score_v12\" "
                      "has no fit step");
  assert_int_equal(crm_score_fit(c, "fx_score", ST_NOW + 1, 0, NULL, NULL,
                                 &n), CRM_EINVAL);
  assert_string_equal(crm_errmsg(c), lt_fmt("fit as of %lld is in the "
                      "future (now is %lld)", (long long)(ST_NOW + 1),
                      (long long)ST_NOW));
  assert_int_equal(crm_score_fit(c, NULL, 0, 0, NULL, NULL, &n), CRM_EINVAL);
  assert_string_equal(crm_errmsg(c), "no model named to fit");
  assert_int_equal(crm_score_fit(c, "fx_score", 0, 0x10, NULL, NULL, &n),
                   CRM_EINVAL);
  assert_string_equal(crm_errmsg(c), "unknown fit flags 0x10");
  assert_int_equal(crm_score_fit(NULL, "fx_score", 0, 0, NULL, NULL, &n),
                   CRM_EINVAL);
  assert_int_equal(st_n_figures(c, NULL), 0);
}

/* ---- allocation torture ------------------------------------------------------ */

struct trun {
  int fit_rc, read_rc;
  size_t n;
  int fits;
  long fired;
  char errmsg[CRM__ERRMSG_SIZE];
  size_t n_scores;
};

static int count_fit(void *ud, const crm_score_fit_info *fi)
{
  (void)fi;
  (*(int *)ud)++;
  return 0;
}

static void torture_once(long n, struct trun *r)
{
  fdata d;
  st_scores s;

  memset(r, 0, sizeof(*r));
  memset(&d, 0, sizeof(d));
  st_open(&d.f, conf_fx);
  populate(&d);
  memset(&s, 0, sizeof(s));
  crm__alloc_fail_at(n);
  r->fit_rc = crm_score_fit(d.f.c, "fx_score", 0, 0, NULL, NULL, &r->n);
  snprintf(r->errmsg, sizeof(r->errmsg), "%s", crm_errmsg(d.f.c));
  r->read_rc = crm_scores_foreach(d.f.c, 0, st_collect, &s);
  r->fired = crm__alloc_count();
  crm__alloc_fail_at(0);
  r->n_scores = s.n;
  assert_int_equal(crm_score_fits_foreach(d.f.c, NULL, count_fit, &r->fits),
                   CRM_OK);
  st_close(&d.f);
}

static void test_torture(void **state)
{
  struct trun r;
  long before, n;
  int failures = 0;

  (void)state;
  for(n = 1; n < 10000; n++) {
    before = crm__alloc_outstanding();
    torture_once(n, &r);
    if(crm__alloc_outstanding() != before)
      fail_msg("n=%ld: %ld allocations leaked", n,
               crm__alloc_outstanding() - before);
    if(r.fired < n)
      break;
    failures++;
    /* a fit either happened whole or not at all */
    if(r.fit_rc == CRM_OK) {
      assert_int_equal(r.fits, 1);
      assert_int_equal(r.n, 2);
    }
    else {
      assert_int_equal(r.fit_rc, CRM_ENOMEM);
      assert_non_null(strstr(r.errmsg, "out of memory"));
      assert_int_equal(r.fits, 0);
    }
    if(r.read_rc)
      assert_int_equal(r.read_rc, CRM_ENOMEM);
  }
  assert_int_equal(r.fit_rc, CRM_OK);
  assert_int_equal(r.read_rc, CRM_OK);
  assert_int_equal(r.fits, 1);
  /* A, B: events; the v12 model's "one" for A and B */
  assert_int_equal(r.n_scores, 4);
  print_message("%d allocation failures injected\n", failures);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
  const struct CMUnitTest tests[] = {
    T(test_fit),
    T(test_fit_twice_newest_first),
    T(test_fit_drops_old_figures),
    T(test_fit_no_score),
    cmocka_unit_test_setup_teardown(test_fit_types, setup_types, teardown),
    cmocka_unit_test_setup_teardown(test_fit_failure_rolls_back, setup_fail,
                                    teardown),
    T(test_fit_cancel),
    T(test_fit_refused),
    cmocka_unit_test(test_torture),
  };

  return cmocka_run_group_tests_name("score_fit", tests, NULL, NULL);
}
