/*
 * test_host_1_3.c - the SDK 1.3 host services (score_write, figure_put,
 * figure_get, score_get, progress) called the way a plugin calls them:
 * with fx_score's own ctx on a core that loaded it. The walks
 * (events_walk, customers_walk) are in test_host_walk.c.
 */
#include <math.h>

#include "score_test.h"

static const char conf_fx[] =
  "plugins = { load = ( { name = \"fx_score\"; } ); };\n";

static int setup(void **state)
{
  static st_fix f;

  st_open(&f, conf_fx);
  assert_non_null(f.ctx);
  *state = &f;
  return 0;
}

static int teardown(void **state)
{
  st_close(*state);
  return 0;
}

static crm_score_factor factor(const char *name, double contribution,
                               const char *detail)
{
  crm_score_factor fc;

  memset(&fc, 0, sizeof(fc));
  fc.struct_size = sizeof(fc);
  fc.factor = name;
  fc.contribution = contribution;
  fc.detail = detail;
  return fc;
}

static crm_score_value value(const char *name, double v,
                             const crm_score_factor *fs, uint32_t n)
{
  crm_score_value sv;

  memset(&sv, 0, sizeof(sv));
  sv.struct_size = sizeof(sv);
  sv.name = name;
  sv.value = v;
  sv.factors = fs;
  sv.n_factors = n;
  return sv;
}

static void test_table_1_3(void **state)
{
  st_fix *f = *state;

  assert_true(CRM_SDK_ABI_MINOR >= 3);
  assert_true(CRM_HAS_MEMBER(f->api, crm_host_api, score_get));
  assert_non_null(f->api->score_write);
  assert_non_null(f->api->events_walk);
  assert_non_null(f->api->progress);
  assert_non_null(f->api->figure_put);
  assert_non_null(f->api->figure_get);
  assert_non_null(f->api->score_get);
  assert_non_null(f->api->customers_walk);
}

/* ---- score_write ------------------------------------------------------- */

static void test_write_roundtrip(void **state)
{
  st_fix *f = *state;
  int64_t id = st_customer(f->c, "A");
  crm_score_factor fs[3];
  crm_score_value sv;
  st_scores g;
  const st_score *s;

  fs[0] = factor("recency", -1.5, "12 days ago");
  fs[1] = factor("frequency", 0.25, NULL);
  fs[2] = factor("base", 10, "x");
  sv = value("warmth", 8.75, fs, 3);
  sv.label = "warm";
  assert_int_equal(f->api->score_write(f->ctx, id, &sv), CRM_OK);
  st_scores_of(f->c, id, &g);
  assert_int_equal(g.n, 1);
  s = &g.s[0];
  assert_string_equal(s->model, "fx_score");
  assert_string_equal(s->name, "warmth");
  assert_true(s->value == 8.75);
  assert_string_equal(s->label, "warm");
  /* the order the model wrote; detail NULL stays NULL */
  assert_int_equal(s->n_reasons, 3);
  assert_string_equal(s->factor[0], "recency");
  assert_true(s->contribution[0] == -1.5);
  assert_string_equal(s->detail[0], "12 days ago");
  assert_string_equal(s->factor[1], "frequency");
  assert_true(s->contribution[1] == 0.25);
  assert_false(s->has_detail[1]);
  assert_string_equal(s->factor[2], "base");
  assert_true(s->contribution[2] == 10);
  assert_true(s->has_detail[2]);
  assert_string_equal(s->detail[2], "x");
  assert_string_equal(s->explain,
    "[{\"factor\":\"recency\",\"contribution\":-1.5,"
    "\"detail\":\"12 days ago\"},"
    "{\"factor\":\"frequency\",\"contribution\":0.25,\"detail\":null},"
    "{\"factor\":\"base\",\"contribution\":10,\"detail\":\"x\"}]");
  /* rewritten without factors: the old explanation goes */
  sv = value("warmth", 3, NULL, 0);
  assert_int_equal(f->api->score_write(f->ctx, id, &sv), CRM_OK);
  st_scores_of(f->c, id, &g);
  assert_int_equal(g.n, 1);
  assert_true(g.s[0].value == 3);
  assert_false(g.s[0].has_explain);
  assert_false(g.s[0].has_label);
  assert_int_equal(g.s[0].n_reasons, 0);
  /* the 1.1 score_put over an explained score clears it too */
  sv = value("warmth", 4, fs, 1);
  assert_int_equal(f->api->score_write(f->ctx, id, &sv), CRM_OK);
  assert_int_equal(f->api->score_put(f->ctx, id, "warmth", 5, "old"),
                   CRM_OK);
  st_scores_of(f->c, id, &g);
  assert_true(g.s[0].value == 5);
  assert_string_equal(g.s[0].label, "old");
  assert_false(g.s[0].has_explain);
  assert_int_equal(g.s[0].n_reasons, 0);
}

static void test_write_json_text(void **state)
{
  st_fix *f = *state;
  int64_t id = st_customer(f->c, "A");
  crm_score_factor fs[4];
  crm_score_value sv;
  st_scores g;

  /* quote, backslash, newline, tab and a control byte are escaped */
  fs[0] = factor("say \"hi\"\\", 0.1, "a\nb\tc\001");
  /* 1/3 needs 17 digits to read back; 0.1 only 15 */
  fs[1] = factor("third", 1.0 / 3.0, NULL);
  fs[2] = factor("huge", 1e300, NULL);
  fs[3] = factor("neg", -2.5e-7, NULL);
  sv = value("j", 1, fs, 4);
  assert_int_equal(f->api->score_write(f->ctx, id, &sv), CRM_OK);
  st_scores_of(f->c, id, &g);
  assert_string_equal(g.s[0].explain,
    "[{\"factor\":\"say \\\"hi\\\"\\\\\",\"contribution\":0.1,"
    "\"detail\":\"a\\nb\\tc\\u0001\"},"
    "{\"factor\":\"third\",\"contribution\":0.33333333333333331,"
    "\"detail\":null},"
    "{\"factor\":\"huge\",\"contribution\":1e+300,\"detail\":null},"
    "{\"factor\":\"neg\",\"contribution\":-2.5e-07,\"detail\":null}]");
  /* decoded back to the very strings and doubles */
  assert_int_equal(g.s[0].n_reasons, 4);
  assert_string_equal(g.s[0].factor[0], "say \"hi\"\\");
  assert_string_equal(g.s[0].detail[0], "a\nb\tc\001");
  assert_true(g.s[0].contribution[0] == 0.1);
  assert_true(g.s[0].contribution[1] == 1.0 / 3.0);
  assert_true(g.s[0].contribution[2] == 1e300);
  assert_true(g.s[0].contribution[3] == -2.5e-7);
}

/* A plugin built against a later SDK has a larger factor struct: the
 * host steps by factors[0].struct_size. */
struct big_factor {
  crm_score_factor f;
  double later_member[5];
};

static void test_write_stride(void **state)
{
  st_fix *f = *state;
  int64_t id = st_customer(f->c, "A");
  struct big_factor big[2];
  crm_score_value sv;
  st_scores g;

  memset(big, 0, sizeof(big));
  big[0].f = factor("one", 1, NULL);
  big[1].f = factor("two", 2, "2nd");
  big[0].f.struct_size = sizeof(big[0]);
  big[1].f.struct_size = sizeof(big[1]);
  big[0].later_member[0] = 99;
  sv = value("s", 3, &big[0].f, 2);
  assert_int_equal(f->api->score_write(f->ctx, id, &sv), CRM_OK);
  st_scores_of(f->c, id, &g);
  assert_int_equal(g.s[0].n_reasons, 2);
  assert_string_equal(g.s[0].factor[1], "two");
  assert_true(g.s[0].contribution[1] == 2);
  assert_string_equal(g.s[0].detail[1], "2nd");
}

/* The longest texts and the most factors that are allowed. */
static void test_write_limits(void **state)
{
  st_fix *f = *state;
  int64_t id = st_customer(f->c, "A");
  crm_score_factor fs[CRM_SCORE_FACTORS_MAX];
  char name[65], label[257], fname[65], detail[129];
  crm_score_value sv;
  st_scores g;
  int i;

  memset(name, 'n', 64);
  name[64] = '\0';
  memset(label, 'l', 256);
  label[256] = '\0';
  memset(fname, 'f', 64);
  fname[64] = '\0';
  memset(detail, '"', 128); /* each escaped: 256 bytes of JSON */
  detail[128] = '\0';
  for(i = 0; i < CRM_SCORE_FACTORS_MAX; i++)
    fs[i] = factor(fname, i, detail);
  sv = value(name, 1, fs, CRM_SCORE_FACTORS_MAX);
  sv.label = label;
  assert_int_equal(f->api->score_write(f->ctx, id, &sv), CRM_OK);
  memset(&g, 0, sizeof(g));
  /* st_score's copies are shorter than these; count via the API */
  assert_int_equal(crm_scores_foreach(f->c, id, st_collect, &g), CRM_OK);
  assert_int_equal(g.n, 1);
  assert_int_equal(g.s[0].n_reasons, CRM_SCORE_FACTORS_MAX);
  assert_true(g.s[0].contribution[15] == 15);
  assert_int_equal(strlen(g.s[0].factor[15]), 64);
  assert_int_equal(strlen(g.s[0].detail[15]), 128);
}

struct bad_case {
  const char *what;
  int rc;
  const char *msg;
};

/* Fails one write and checks the plugin is told, nothing is stored and
 * the handle's own error is left alone. */
static void expect_refused(st_fix *f, int64_t id, const crm_score_value *sv,
                           int rc, const char *msg)
{
  st_scores g;

  crm__hctx_reset(f->ctx);
  assert_int_equal(f->api->score_write(f->ctx, id, sv), rc);
  assert_int_equal(f->ctx->errcode, rc);
  assert_string_equal(f->ctx->errmsg, msg);
  assert_string_equal(crm_errmsg(f->c), "ok");
  st_scores_of(f->c, 0, &g);
  assert_int_equal(g.n, 0);
}

static void test_write_errors(void **state)
{
  st_fix *f = *state;
  int64_t id = st_customer(f->c, "A");
  crm_score_factor fs[CRM_SCORE_FACTORS_MAX + 1];
  char long_name[66], long_label[258], long_detail[130];
  crm_score_value sv;
  int i;

  memset(long_name, 'n', 65);
  long_name[65] = '\0';
  memset(long_label, 'l', 257);
  long_label[257] = '\0';
  memset(long_detail, 'd', 129);
  long_detail[129] = '\0';
  for(i = 0; i <= CRM_SCORE_FACTORS_MAX; i++)
    fs[i] = factor("f", 1, NULL);

  sv = value("", 1, NULL, 0);
  expect_refused(f, id, &sv, CRM_EINVAL, "score name is empty");
  sv = value(NULL, 1, NULL, 0);
  expect_refused(f, id, &sv, CRM_EINVAL, "score name is empty");
  sv = value(long_name, 1, NULL, 0);
  expect_refused(f, id, &sv, CRM_ERANGE,
                 "score name is longer than 64 bytes");
  sv = value("s", 1, NULL, 0);
  sv.label = long_label;
  expect_refused(f, id, &sv, CRM_ERANGE,
                 "score label is longer than 256 bytes");
  sv = value("s", NAN, NULL, 0);
  expect_refused(f, id, &sv, CRM_EINVAL,
                 "score \"s\" is not a finite number");
  sv = value("s", -INFINITY, NULL, 0);
  expect_refused(f, id, &sv, CRM_EINVAL,
                 "score \"s\" is not a finite number");
  /* offsetof(n_factors) 40 + 4 on LP64 */
  sv = value("s", 1, NULL, 0);
  sv.struct_size = 4;
  expect_refused(f, id, &sv, CRM_EINVAL, lt_fmt("score value struct_size 4 "
                 "is smaller than sdk 1.3's %u",
                 (unsigned)(offsetof(crm_score_value, n_factors) + 4)));
  sv = value("s", 1, fs, CRM_SCORE_FACTORS_MAX + 1);
  expect_refused(f, id, &sv, CRM_EINVAL,
                 "score \"s\" has 17 factors (at most 16)");
  sv = value("s", 1, NULL, 1);
  expect_refused(f, id, &sv, CRM_EINVAL,
                 "score \"s\" has n_factors 1 but no factors");
  fs[0].struct_size = 8;
  sv = value("s", 1, fs, 2);
  expect_refused(f, id, &sv, CRM_EINVAL, lt_fmt("score \"s\" factor "
                 "struct_size 8 is smaller than sdk 1.3's %u",
                 (unsigned)sizeof(crm_score_factor)));
  fs[0].struct_size = sizeof(fs[0]);
  /* the second factor is bad: the first is not stored either */
  fs[1].factor = NULL;
  expect_refused(f, id, &sv, CRM_EINVAL, "score \"s\" factor 2 has no name");
  fs[1].factor = "";
  expect_refused(f, id, &sv, CRM_EINVAL, "score \"s\" factor 2 has no name");
  fs[1].factor = long_name;
  expect_refused(f, id, &sv, CRM_ERANGE,
                 "score \"s\" factor 2 name is longer than 64 bytes");
  fs[1] = factor("g", INFINITY, NULL);
  expect_refused(f, id, &sv, CRM_EINVAL, "score \"s\" factor \"g\" "
                 "contribution is not a finite number");
  fs[1] = factor("g", 1, long_detail);
  expect_refused(f, id, &sv, CRM_ERANGE, "score \"s\" factor \"g\" detail "
                 "is longer than 128 bytes");
  fs[1] = factor("g", 1, NULL);
  expect_refused(f, 9999, &sv, CRM_ENOTFOUND, "unknown customer #9999");
  /* and the same value is fine for a real customer */
  assert_int_equal(f->api->score_write(f->ctx, id, &sv), CRM_OK);
}

/* ---- figures and score_get --------------------------------------------- */

struct figs {
  char model[8][16];
  char name[8][16];
  double value[8];
  char label[8][32];
  int has_label[8];
  int64_t at[8];
  int n;
};

static int collect_fig(void *ud, const crm_figure *fg)
{
  struct figs *g = ud;

  if(g->n < 8) {
    snprintf(g->model[g->n], sizeof(g->model[0]), "%s", fg->model);
    snprintf(g->name[g->n], sizeof(g->name[0]), "%s", fg->name);
    g->value[g->n] = fg->value;
    g->has_label[g->n] = fg->label != NULL;
    snprintf(g->label[g->n], sizeof(g->label[0]), "%s",
             fg->label ? fg->label : "");
    g->at[g->n] = fg->computed_at;
  }
  g->n++;
  return 0;
}

static void test_figures(void **state)
{
  st_fix *f = *state;
  struct figs g;
  double v = 0;

  assert_int_equal(f->api->figure_put(f->ctx, "r", 0.1, NULL), CRM_OK);
  assert_int_equal(f->api->figure_put(f->ctx, "ll", -9582.43,
                                      "log-likelihood"), CRM_OK);
  assert_int_equal(f->api->figure_put(f->ctx, "r", 0.2426, NULL), CRM_OK);
  assert_int_equal(crm__figure_put(f->c, "alpha", "z", 7, NULL), CRM_OK);
  /* model NULL: the component being called */
  assert_int_equal(f->api->figure_get(f->ctx, NULL, "r", &v), CRM_OK);
  assert_true(v == 0.2426);
  assert_int_equal(f->api->figure_get(f->ctx, "alpha", "z", &v), CRM_OK);
  assert_true(v == 7);
  assert_int_equal(crm_figure_get(f->c, "fx_score", "ll", &v), CRM_OK);
  assert_true(v == -9582.43);
  /* a miss is an answer to the plugin, an error on the public API */
  crm__hctx_reset(f->ctx);
  assert_int_equal(f->api->figure_get(f->ctx, "alpha", "r", &v),
                   CRM_ENOTFOUND);
  assert_string_equal(f->ctx->errmsg, "");
  assert_int_equal(crm_figure_get(f->c, "alpha", "r", &v), CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(f->c), "model \"alpha\" has no figure "
                      "\"r\"");
  /* all models, by model and name */
  memset(&g, 0, sizeof(g));
  assert_int_equal(crm_figures_foreach(f->c, NULL, collect_fig, &g), CRM_OK);
  assert_int_equal(g.n, 3);
  assert_string_equal(g.model[0], "alpha");
  assert_string_equal(g.model[1], "fx_score");
  assert_string_equal(g.name[1], "ll");
  assert_string_equal(g.label[1], "log-likelihood");
  assert_string_equal(g.name[2], "r");
  assert_true(g.value[2] == 0.2426);
  assert_false(g.has_label[2]);
  assert_int_equal(g.at[2], ST_NOW);
  memset(&g, 0, sizeof(g));
  assert_int_equal(crm_figures_foreach(f->c, "fx_score", collect_fig, &g),
                   CRM_OK);
  assert_int_equal(g.n, 2);
}

static void test_figure_errors(void **state)
{
  st_fix *f = *state;
  char long_name[66], long_label[258];

  memset(long_name, 'n', 65);
  long_name[65] = '\0';
  memset(long_label, 'l', 257);
  long_label[257] = '\0';
  crm__hctx_reset(f->ctx);
  assert_int_equal(f->api->figure_put(f->ctx, "", 1, NULL), CRM_EINVAL);
  assert_string_equal(f->ctx->errmsg, "figure name is empty");
  assert_int_equal(f->api->figure_put(f->ctx, long_name, 1, NULL),
                   CRM_ERANGE);
  assert_string_equal(f->ctx->errmsg, "figure name is longer than 64 bytes");
  assert_int_equal(f->api->figure_put(f->ctx, "x", 1, long_label),
                   CRM_ERANGE);
  assert_string_equal(f->ctx->errmsg, "figure label is longer than 256 "
                      "bytes");
  assert_int_equal(f->api->figure_put(f->ctx, "x", NAN, NULL), CRM_EINVAL);
  assert_string_equal(f->ctx->errmsg, "figure \"x\" is not a finite number");
  assert_string_equal(crm_errmsg(f->c), "ok");
  assert_int_equal(st_n_figures(f->c, NULL), 0);
}

static void test_score_get(void **state)
{
  st_fix *f = *state;
  int64_t id = st_customer(f->c, "A");
  double v = 0;

  assert_int_equal(f->api->score_put(f->ctx, id, "p", 0.75, NULL), CRM_OK);
  assert_int_equal(crm__score_put(f->c, id, "other", "q", 2, NULL), CRM_OK);
  assert_int_equal(f->api->score_get(f->ctx, id, NULL, "p", &v), CRM_OK);
  assert_true(v == 0.75);
  assert_int_equal(f->api->score_get(f->ctx, id, "other", "q", &v), CRM_OK);
  assert_true(v == 2);
  crm__hctx_reset(f->ctx);
  assert_int_equal(f->api->score_get(f->ctx, id, NULL, "q", &v),
                   CRM_ENOTFOUND);
  assert_string_equal(f->ctx->errmsg, "");
  assert_int_equal(crm_score_get(f->c, id, "fx_score", "q", &v),
                   CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(f->c), lt_fmt("customer #%lld has no score "
                      "fx_score.q", (long long)id));
}

/* Outside a fit nobody listens: progress is 0. */
static void test_progress_idle(void **state)
{
  st_fix *f = *state;

  assert_int_equal(f->api->progress(f->ctx, 1, 10), CRM_OK);
  assert_int_equal(f->api->progress(f->ctx, 10, 10), CRM_OK);
}

/* events_walk refuses a types list that would silently never match:
 * spaces, empty elements, upper case, over-long names (fixcore). */
static int walk_count(void *ud, const crm_event_view *ev)
{
  (void)ev;
  (*(int *)ud)++;
  return 0;
}

struct walk_bad {
  const char *types;
  int rc;
  const char *msg;
};

static void test_walk_types_refused(void **state)
{
  static const struct walk_bad bad[] = {
    {"purchase, refund", CRM_EINVAL, "event filter types element \" refund\" "
     "is not an event type; use [a-z][a-z0-9_.]*, commas without spaces"},
    {"purchase ,refund", CRM_EINVAL, "event filter types element \"purchase "
     "\" is not an event type; use [a-z][a-z0-9_.]*, commas without "
     "spaces"},
    {"Purchase", CRM_EINVAL, "event filter types element \"Purchase\" is "
     "not an event type; use [a-z][a-z0-9_.]*, commas without spaces"},
    {"purchase,,refund", CRM_EINVAL, "event filter types \"purchase,,refund\" "
     "has an empty element; separate type names with single commas"},
    {"purchase,", CRM_EINVAL, "event filter types \"purchase,\" has an empty "
     "element; separate type names with single commas"},
    {",refund", CRM_EINVAL, "event filter types \",refund\" has an empty "
     "element; separate type names with single commas"},
    {"refund,abcdefghijklmnopqrstuvwxyz0123456", CRM_ERANGE, "event filter "
     "types element \"abcdefghijklmnopqrstuvwxyz012345...\" is longer than "
     "32 bytes"},
  };
  st_fix *f = *state;
  int64_t id = st_customer(f->c, "A");
  crm_event_filter fl;
  size_t i;
  int n = 0;

  st_event(f->c, id, "purchase", ST_T0 + 1, 1000, NULL, "w1");
  st_event(f->c, id, "refund", ST_T0 + 2, 500, "{\"refund_of\":\"w1\"}", "w2");
  memset(&fl, 0, sizeof(fl));
  fl.struct_size = sizeof(fl);
  fl.types = "purchase,refund";
  assert_int_equal(f->api->events_walk(f->ctx, &fl, walk_count, &n), CRM_OK);
  assert_int_equal(n, 2);
  for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    crm__hctx_reset(f->ctx);
    n = 0;
    fl.types = bad[i].types;
    assert_int_equal(f->api->events_walk(f->ctx, &fl, walk_count, &n),
                     bad[i].rc);
    assert_string_equal(f->ctx->errmsg, bad[i].msg);
    assert_int_equal(n, 0);
  }
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
  const struct CMUnitTest tests[] = {
    T(test_table_1_3),
    T(test_write_roundtrip),
    T(test_write_json_text),
    T(test_write_stride),
    T(test_write_limits),
    T(test_write_errors),
    T(test_figures),
    T(test_figure_errors),
    T(test_score_get),
    T(test_progress_idle),
    T(test_walk_types_refused),
  };

  return cmocka_run_group_tests_name("host_1_3", tests, NULL, NULL);
}
