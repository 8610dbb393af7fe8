/*
 * test_cli_score.c - the scoring commands of the built `crm` end to end:
 * score fit / show / figures / fits / run, and the explanations in
 * customer show.
 *
 * The config loads the fixture fx_score (tests/fixtures/fx_score.c) and
 * rfm (no fit step). fx_score's fit walks every event in (customer,
 * time, id) order, reports progress after each (done = events so far,
 * total 0), and with scoring writes per customer "events" = its event
 * count with the factors "purchases" (detail "N purchases") and "other";
 * then the figures events (all events) and customers (customers seen,
 * label "customers"). Its score step writes "last_event" = the event's
 * id with one factor "type" (contribution the id, detail the type).
 *
 * The standard history (setup_history), clock fixed at 2026-03-01:
 *   customers a1 (#1), a2 (#2), a3 (#3, no events)
 *   event 1  a1 purchase 10.00 USD 2026-01-10
 *   event 2  a1 purchase 20.00 USD 2026-02-10
 *   event 3  a1 contact            2026-02-15
 *   event 4  a2 contact            2026-01-20
 * so a fit sees 4 events of 2 customers: a1 events = 3 (purchases +2,
 * other +1), a2 events = 1 (purchases +0, other +1); a3 gets no score.
 * Before any fit the score step has left a1 last_event = 3 ("contact")
 * and a2 last_event = 4; a fit that scores replaces the model's scores,
 * so those are gone after it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli_run.h"

static const char *g_asof = "2026-03-01";

#define P(r, ...) CRM(r, "--as-of", g_asof, __VA_ARGS__)
/* Runs with --json, expects exit 0, parses stdout into doc. */
#define PJ(doc, ...)                                                         \
  do {                                                                       \
    struct run r_;                                                           \
    CRM(&r_, "--as-of", g_asof, "--json", __VA_ARGS__);                      \
    expect(&r_, 0, NULL, NULL);                                              \
    (doc) = parse_out(&r_);                                                  \
    run_free(&r_);                                                           \
  } while(0)

static double jnum(const tj *doc, const char *path)
{
  const tj *v = tj_path(doc, path);
  if(!v || v->type != TJ_NUM)
    fail_msg("no number at %s", path);
  return v->num;
}

static int jnull(const tj *doc, const char *path)
{
  const tj *v = tj_path(doc, path);
  return v && v->type == TJ_NULL;
}

/* text with every run of blanks made one space, so that tests do not
 * depend on column widths (malloc'ed) */
static char *squeeze(const char *text)
{
  char *out = malloc(strlen(text) + 1);
  size_t n = 0;
  const char *p;
  assert_non_null(out);
  for(p = text; *p; p++) {
    if(*p == ' ' && n && out[n - 1] == ' ')
      continue;
    out[n++] = *p;
  }
  out[n] = '\0';
  return out;
}

/* Fails unless the squeezed stdout of r contains want. */
static void expect_line(const struct run *r, const char *want)
{
  char *s = squeeze(r->out);
  if(!strstr(s, want))
    fail_msg("stdout lacks \"%s\":\n%s", want, r->out);
  free(s);
}

static void write_config(int fail_fit)
{
  char conf[2048];
  snprintf(conf, sizeof(conf),
           "store = { path = \"s.db\"; };\n"
           "plugins = {\n"
           "  path = [ \"%s\", \"%s\" ];\n"
           "  load = (\n"
           "    { name = \"fx_score\"; required = true;\n"
           "      config = { fail_fit = %s; }; },\n"
           "    { name = \"rfm\"; required = true; }\n"
           "  );\n"
           "};\n",
           CRM_TEST_FIXTURE_DIR, CRM_TEST_PLUGIN_DIR,
           fail_fit ? "true" : "false");
  put_file("crm.conf", conf);
}

/* Runs crm with the fixed clock and expects exit 0. */
#define OK(...)                                                              \
  do {                                                                       \
    struct run r_;                                                           \
    P(&r_, __VA_ARGS__);                                                     \
    expect(&r_, 0, NULL, NULL);                                              \
    run_free(&r_);                                                           \
  } while(0)

static void event(const char *ref, const char *type, const char *amount,
                  const char *at, const char *key)
{
  if(amount)
    OK("event", "add", "--customer", ref, "--type", type, "--amount", amount,
       "--currency", "USD", "--at", at);
  else
    OK("event", "add", "--customer", ref, "--type", type, "--at", at,
       "--key", key);
}

static void setup_history(int fail_fit)
{
  struct run r;
  write_config(fail_fit);
  P(&r, "init");
  expect(&r, 0, NULL, NULL);
  run_free(&r);
  OK("customer", "add", "--external-id", "a1");
  OK("customer", "add", "--external-id", "a2");
  OK("customer", "add", "--external-id", "a3");
  event("a1", "purchase", "10.00", "2026-01-10", NULL);
  event("a1", "purchase", "20.00", "2026-02-10", NULL);
  event("a1", "contact", NULL, "2026-02-15", "c1");
  event("a2", "contact", NULL, "2026-01-20", "c2");
}

/* ---- help ------------------------------------------------------------------ */

static void test_help(void **state)
{
  static const char *const subs[] = {"run", "fit", "show", "figures",
                                     "fits"};
  struct run r;
  size_t i;
  (void)state;
  CRM(&r, "--help");
  expect(&r, 0, NULL, NULL);
  for(i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
    char name[32];
    snprintf(name, sizeof(name), "score %s", subs[i]);
    if(!strstr(r.out, name))
      fail_msg("crm --help does not list %s", name);
  }
  run_free(&r);
  for(i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
    char want[64];
    snprintf(want, sizeof(want), "usage: crm score %s", subs[i]);
    CRM(&r, "score", subs[i], "--help");
    expect(&r, 0, want, NULL);
    assert_string_equal(r.err, "");
    run_free(&r);
  }
  CRM(&r, "score", "fit", "--help");
  expect(&r, 0, "--no-score", NULL);
  expect(&r, 0, "--progress", NULL);
  run_free(&r);
  CRM(&r, "score", "show", "--help");
  expect(&r, 0, "--model M", NULL);
  run_free(&r);
  CRM(&r, "score", "--help");
  expect(&r, 0, "score fits", NULL);
  run_free(&r);
  assert_false(exists("s.db"));
}

/* ---- fit ----------------------------------------------------------------------- */

static void test_fit_text(void **state)
{
  struct run r;
  (void)state;
  setup_history(0);
  P(&r, "score", "fit", "fx_score");
  expect(&r, 0, "fx_score fitted as of 2026-03-01\n", NULL);
  /* figures by name, integers as integers, the label after the value */
  expect_line(&r, "\n customers 2 customers\n events 4\n");
  expect(&r, 0, "\n2 customers scored in ", NULL);
  expect(&r, 0, " s\n", NULL);
  /* stderr is not a terminal and there is no --progress */
  assert_string_equal(r.err, "");
  run_free(&r);
}

static void test_fit_json_progress(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_history(0);
  P(&r, "--json", "score", "fit", "fx_score", "--progress");
  expect(&r, 0, NULL, NULL);
  /* progress with no total: at 1, 2 (then 5, not reached), and the last
   * count when it was not shown; stdout stays pure JSON */
  assert_string_equal(r.err, "fitting fx_score: 1\n"
                             "fitting fx_score: 2\n"
                             "fitting fx_score: 4\n");
  doc = parse_out(&r);
  run_free(&r);
  assert_string_equal(jstr(doc, "model"), "fx_score");
  assert_string_equal(jstr(doc, "as_of"), "2026-03-01T00:00:00Z");
  assert_int_equal((int64_t)jnum(doc, "scored"), 2);
  assert_true(jnum(doc, "seconds") >= 0);
  assert_int_equal(jlen(doc, "figures"), 2);
  assert_true(jnum(doc, "figures.events") == 4.0);
  assert_true(jnum(doc, "figures.customers") == 2.0);
  tj_free(doc);
}

static void test_fit_no_score(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_history(0);
  P(&r, "score", "fit", "fx_score", "--no-score");
  expect(&r, 0, "fit only (--no-score): scores kept", NULL);
  expect_line(&r, " events 4\n");
  run_free(&r);
  /* the score step's scores are still there, no "events" score */
  PJ(doc, "score", "show", "a1");
  assert_int_equal(jlen(doc, NULL), 1);
  assert_string_equal(jstr(doc, "0.name"), "last_event");
  assert_true(jnum(doc, "0.value") == 3.0);
  tj_free(doc);
}

static void test_fit_errors(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_history(0);
  P(&r, "score", "fit", "nope");
  expect(&r, 1, NULL, "crm: no scoring component \"nope\" is loaded\n");
  assert_string_equal(r.out, "");
  run_free(&r);
  P(&r, "score", "fit", "rfm");
  expect(&r, 1, NULL, "has no fit step");
  run_free(&r);
  P(&r, "score", "fit");
  expect(&r, 1, NULL, "crm: score fit: missing argument");
  run_free(&r);
  P(&r, "score", "fit", "fx_score", "extra");
  expect(&r, 1, NULL, "unexpected argument 'extra'");
  run_free(&r);
  P(&r, "score", "fit", "fx_score", "--bogus");
  expect(&r, 1, NULL, "unknown option --bogus");
  run_free(&r);
  /* nothing was fitted */
  P(&r, "score", "fits");
  expect(&r, 0, "no fits (see crm score fit)\n", NULL);
  run_free(&r);
  PJ(doc, "score", "figures");
  assert_int_equal(jlen(doc, NULL), 0);
  tj_free(doc);
}

static void test_fit_failure(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_history(1);
  /* the plugin fails with CRM_ERROR after storing its figures and
   * scores: a plugin error (exit 1) with its message, rolled back */
  P(&r, "score", "fit", "fx_score");
  expect(&r, 1, NULL, "fail_fit is set");
  assert_string_equal(r.out, "");
  run_free(&r);
  PJ(doc, "score", "figures", "fx_score");
  assert_int_equal(jlen(doc, NULL), 0);
  tj_free(doc);
  PJ(doc, "score", "fits");
  assert_int_equal(jlen(doc, NULL), 0);
  tj_free(doc);
  /* the score step's scores are untouched */
  PJ(doc, "score", "show", "a2");
  assert_int_equal(jlen(doc, NULL), 1);
  assert_string_equal(jstr(doc, "0.name"), "last_event");
  assert_true(jnum(doc, "0.value") == 4.0);
  tj_free(doc);
}

/* ---- show ------------------------------------------------------------------------ */

static void test_show(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_history(0);
  P(&r, "score", "fit", "fx_score");
  expect(&r, 0, NULL, NULL);
  run_free(&r);

  P(&r, "score", "show", "a1");
  expect(&r, 0, "customer #1  a1\n", NULL);
  /* the score line, then each factor with its signed contribution and
   * its detail */
  expect_line(&r, " fx_score events 3 (2026-03-01)\n"
                  " purchases +2 2 purchases\n"
                  " other +1\n");
  run_free(&r);
  P(&r, "score", "show", "a2");
  expect_line(&r, " fx_score events 1 (2026-03-01)\n"
                  " purchases +0 0 purchases\n"
                  " other +1\n");
  run_free(&r);
  P(&r, "score", "show", "#3");
  expect(&r, 0, "customer #3  a3\n  no scores (see crm score run", NULL);
  run_free(&r);
  P(&r, "score", "show", "a1", "--model", "rfm");
  expect(&r, 0, "  no scores of rfm", NULL);
  run_free(&r);
  P(&r, "score", "show", "zz");
  expect(&r, 1, NULL, "crm: unknown customer zz");
  run_free(&r);

  /* JSON: the explanation as an array, in the model's order */
  PJ(doc, "score", "show", "a1");
  assert_int_equal(jlen(doc, NULL), 1);
  assert_string_equal(jstr(doc, "0.model"), "fx_score");
  assert_string_equal(jstr(doc, "0.name"), "events");
  assert_true(jnum(doc, "0.value") == 3.0);
  assert_true(jnull(doc, "0.label"));
  assert_string_equal(jstr(doc, "0.computed_at"), "2026-03-01T00:00:00Z");
  assert_int_equal(jlen(doc, "0.explain"), 2);
  assert_string_equal(jstr(doc, "0.explain.0.factor"), "purchases");
  assert_true(jnum(doc, "0.explain.0.contribution") == 2.0);
  assert_string_equal(jstr(doc, "0.explain.0.detail"), "2 purchases");
  assert_string_equal(jstr(doc, "0.explain.1.factor"), "other");
  assert_true(jnum(doc, "0.explain.1.contribution") == 1.0);
  assert_true(jnull(doc, "0.explain.1.detail"));
  tj_free(doc);

  /* a new event: the score step adds last_event = its id (5) */
  event("a2", "purchase", "5.00", "2026-02-20", NULL);
  P(&r, "score", "show", "a2", "--model", "fx_score");
  expect_line(&r, " fx_score last_event 5 (2026-03-01)\n"
                  " type +5 purchase\n");
  run_free(&r);
}

static void test_customer_show(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_history(0);
  P(&r, "score", "fit", "fx_score");
  expect(&r, 0, NULL, NULL);
  run_free(&r);
  P(&r, "customer", "show", "a1");
  expect(&r, 0, "scores:\n", NULL);
  expect_line(&r, "scores:\n fx_score events 3 (2026-03-01)\n"
                  " purchases +2 2 purchases\n"
                  " other +1\n");
  run_free(&r);
  PJ(doc, "customer", "show", "a1");
  assert_int_equal(jlen(doc, "scores"), 1);
  assert_string_equal(jstr(doc, "scores.0.name"), "events");
  assert_int_equal(jlen(doc, "scores.0.explain"), 2);
  assert_string_equal(jstr(doc, "scores.0.explain.0.factor"), "purchases");
  assert_true(jnum(doc, "scores.0.explain.0.contribution") == 2.0);
  tj_free(doc);
}

/* ---- figures, fits, run ------------------------------------------------------------ */

static void test_figures_fits(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_history(0);
  P(&r, "score", "figures");
  expect(&r, 0, "no figures (see crm score fit)\n", NULL);
  run_free(&r);
  P(&r, "score", "fit", "fx_score");
  expect(&r, 0, NULL, NULL);
  run_free(&r);
  /* a later fit, fit only, one more event: 5 events */
  event("a3", "contact", NULL, "2026-02-25", "c3");
  P(&r, "score", "fit", "fx_score", "--no-score");
  expect(&r, 0, NULL, NULL);
  run_free(&r);

  P(&r, "score", "figures");
  expect(&r, 0, "fx_score (computed 2026-03-01 00:00 UTC)\n", NULL);
  expect_line(&r, "\n customers 3 customers\n events 5\n");
  run_free(&r);
  P(&r, "score", "figures", "rfm");
  expect(&r, 0, "no figures of rfm", NULL);
  run_free(&r);
  PJ(doc, "score", "figures", "fx_score");
  assert_int_equal(jlen(doc, NULL), 2);
  /* by name: customers, events */
  assert_string_equal(jstr(doc, "0.model"), "fx_score");
  assert_string_equal(jstr(doc, "0.name"), "customers");
  assert_true(jnum(doc, "0.value") == 3.0);
  assert_string_equal(jstr(doc, "0.label"), "customers");
  assert_string_equal(jstr(doc, "1.name"), "events");
  assert_true(jnum(doc, "1.value") == 5.0);
  assert_true(jnull(doc, "1.label"));
  assert_string_equal(jstr(doc, "1.computed_at"), "2026-03-01T00:00:00Z");
  tj_free(doc);

  /* the history, newest first, with the figures at the end of each */
  P(&r, "score", "fits");
  expect_line(&r, "#2 fx_score as of 2026-03-01 fitted 2026-03-01 00:00 UTC "
                  "(0 s)");
  expect_line(&r, "\n customers=3 events=5\n#1 fx_score");
  expect_line(&r, "\n customers=2 events=4\n");
  run_free(&r);
  PJ(doc, "score", "fits", "fx_score");
  assert_int_equal(jlen(doc, NULL), 2);
  assert_true(jnum(doc, "0.id") == 2.0);
  assert_string_equal(jstr(doc, "0.model"), "fx_score");
  assert_string_equal(jstr(doc, "0.as_of"), "2026-03-01T00:00:00Z");
  assert_true(jnum(doc, "0.figures.events") == 5.0);
  assert_true(jnum(doc, "0.figures.customers") == 3.0);
  assert_true(jnum(doc, "1.id") == 1.0);
  assert_true(jnum(doc, "1.scored") == 2.0);
  assert_true(jnum(doc, "1.figures.events") == 4.0);
  tj_free(doc);
  PJ(doc, "score", "fits", "rfm");
  assert_int_equal(jlen(doc, NULL), 0);
  tj_free(doc);
}

static void test_run(void **state)
{
  struct run r;
  tj *doc;
  (void)state;
  setup_history(0);
  /* the batch run (moved from cmd_misc.c): fx_score scores "batch" = 1
   * for each of the 3 customers; rfm scores the 1 buyer */
  PJ(doc, "score", "run");
  assert_string_equal(jstr(doc, "as_of"), "2026-03-01T00:00:00Z");
  assert_int_equal(jlen(doc, "models"), 2);
  assert_true(jnum(doc, "total") == 4.0);
  tj_free(doc);
  P(&r, "score", "run", "--model", "fx_score");
  expect(&r, 0, "scoring as of 2026-03-01\n", NULL);
  expect_line(&r, "fx_score 3 customers scored\n");
  run_free(&r);
  P(&r, "score", "run", "--model", "nope");
  expect(&r, 1, NULL, "nope");
  run_free(&r);
}

/* ---- the real clv model on CDNOW ---------------------------------------------- */

#ifdef CRM_TEST_HAVE_CLV
/* tests/data/cdnowElog.csv (masterid,sampleid,date,cds,sales) as the
 * CSV files of crm import: customers c<masterid>, one purchase per row
 * at noon UTC. Returns the number of purchases. */
static int write_cdnow_csv(void)
{
  char path[1024], line[256], ev[320];
  FILE *in, *cu, *evf;
  int id, last = -1, n = 0;
  snprintf(path, sizeof(path), "%s/cdnowElog.csv", CRM_TEST_DATA_DIR);
  in = fopen(path, "r");
  assert_non_null(in);
  snprintf(path, sizeof(path), "%s/customers.csv", cli_tmpdir);
  cu = fopen(path, "w");
  snprintf(path, sizeof(path), "%s/events.csv", cli_tmpdir);
  evf = fopen(path, "w");
  assert_non_null(cu);
  assert_non_null(evf);
  fputs("external_id\n", cu);
  fputs("idempotency_key,customer,type,occurred_at,amount,currency,"
        "quantity,payload\n", evf);
  assert_non_null(fgets(line, sizeof(line), in)); /* header */
  while(fgets(line, sizeof(line), in)) {
    char date[16], sales[32];
    int sample, cds;
    if(sscanf(line, "%d,%d,%8[0-9],%d,%31[0-9.]", &id, &sample, date, &cds,
              sales) != 5)
      fail_msg("bad CDNOW row: %s", line);
    if(id != last)
      fprintf(cu, "c%04d\n", id);
    last = id;
    snprintf(ev, sizeof(ev), "r%d,c%04d,purchase,%.4s-%.2s-%.2sT12:00:00Z,"
             "%s,USD,%d,\n", n, id, date, date + 4, date + 6, sales, cds);
    fputs(ev, evf);
    n++;
  }
  fclose(in);
  fclose(cu);
  fclose(evf);
  return n;
}

/* Sums the signed numbers after the factor names in the explanation
 * lines under the first score line of show output that starts with
 * head. */
static double explained_sum(const char *out, const char *head, int *lines)
{
  const char *p = strstr(out, head);
  double sum = 0;
  *lines = 0;
  assert_non_null(p);
  p = strchr(p, '\n');
  while(p && !strncmp(p, "\n      ", 7)) {
    const char *q = p + 7;
    char *end;
    q += strcspn(q, " ");
    q += strspn(q, " ");
    sum += strtod(q, &end);
    assert_true(end > q);
    (*lines)++;
    p = strchr(q, '\n');
  }
  return sum;
}

static void test_clv_cdnow(void **state)
{
  struct run r;
  tj *doc;
  char conf[1024];
  double sum = 0, v;
  size_t i;
  int lines = 0;
  (void)state;
  g_asof = "1998-07-01";
  snprintf(conf, sizeof(conf),
           "store = { path = \"s.db\"; };\n"
           "plugins = {\n"
           "  path = [ \"%s\" ];\n"
           "  load = ( { name = \"clv\"; required = true;\n"
           "    config = { time_unit = \"week\";\n"
           "               calibration_end = \"1997-09-30\";\n"
           "               currency = \"USD\"; }; } );\n"
           "};\n",
           CRM_TEST_PLUGIN_DIR);
  put_file("crm.conf", conf);
  assert_int_equal(write_cdnow_csv(), 6919);
  OK("init");
  OK("import", "customers", "customers.csv");
  OK("import", "events", "events.csv");

  /* the evidence: the parameters and log-likelihood. BG/NBD
   * (Fader, Hardie & Lee 2005, CDNOW 1/10 sample, weeks 1-39):
   * r 0.2426, alpha 4.4136, a 0.7929, b 2.4259, LL -9582.43;
   * Gamma-Gamma (Fader, Hardie & Lee 2005b): p 6.25, q 3.74,
   * gamma 15.44 */
  P(&r, "score", "fit", "clv");
  expect(&r, 0, "clv fitted as of 1998-07-01\n", NULL);
  expect_line(&r, "\n BG/NBD\n r 0.2426\n alpha 4.4136\n a 0.7929\n"
                  " b 2.4259\n LL -9582.4");
  expect_line(&r, "\n Gamma-Gamma\n p 6.2");
  expect_line(&r, "\n customers 2357 ");
  expect(&r, 0, "\n2357 customers scored in ", NULL);
  run_free(&r);
  PJ(doc, "score", "figures", "clv");
  for(i = 0; i < jlen(doc, NULL); i++) {
    const char *name;
    char path[32];
    snprintf(path, sizeof(path), "%zu.name", i);
    name = jstr(doc, path);
    snprintf(path, sizeof(path), "%zu.value", i);
    v = jnum(doc, path);
    if(!strcmp(name, "gg_p"))
      assert_true(v > 6.245 && v < 6.255);
    else if(!strcmp(name, "gg_q"))
      assert_true(v > 3.735 && v < 3.745);
    else if(!strcmp(name, "gg_gamma"))
      assert_true(v > 15.435 && v < 15.445);
    else if(!strcmp(name, "bgnbd_ll"))
      assert_true(v > -9582.435 && v < -9582.425);
  }
  tj_free(doc);

  /* show: clv in money with its factors; the lines add up to the value
   * up to the cent rounding of each line (5 lines: 2.5 cents) */
  P(&r, "score", "show", "c0004", "--model", "clv");
  expect(&r, 0, "customer #1  c0004\n", NULL);
  expect_line(&r, "\n clv clv ");
  expect_line(&r, "\n base +");
  expect_line(&r, "\n age -");
  expect_line(&r, " repeat purchase days\n");
  sum = explained_sum(r.out, "  clv          clv ", &lines);
  assert_int_equal(lines, 5);
  run_free(&r);
  PJ(doc, "score", "show", "c0004", "--model", "clv");
  for(i = 0; i < jlen(doc, NULL); i++) {
    char path[96];
    size_t k, n;
    double total = 0;
    snprintf(path, sizeof(path), "%zu.name", i);
    if(strcmp(jstr(doc, path), "clv"))
      continue;
    snprintf(path, sizeof(path), "%zu.value", i);
    v = jnum(doc, path);
    /* text in USD, JSON in cents */
    assert_true(sum * 100 > v - 2.5 && sum * 100 < v + 2.5);
    snprintf(path, sizeof(path), "%zu.explain", i);
    n = jlen(doc, path);
    for(k = 0; k < n; k++) {
      snprintf(path, sizeof(path), "%zu.explain.%zu.contribution", i, k);
      total += jnum(doc, path);
    }
    /* the contract: the contributions sum to the value, which is
     * rounded to a whole minor unit */
    assert_true(total > v - 0.5 && total < v + 0.5);
  }
  tj_free(doc);
  g_asof = "2026-03-01";
}
#endif

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_help, setup, teardown),
    cmocka_unit_test_setup_teardown(test_fit_text, setup, teardown),
    cmocka_unit_test_setup_teardown(test_fit_json_progress, setup, teardown),
    cmocka_unit_test_setup_teardown(test_fit_no_score, setup, teardown),
    cmocka_unit_test_setup_teardown(test_fit_errors, setup, teardown),
    cmocka_unit_test_setup_teardown(test_fit_failure, setup, teardown),
    cmocka_unit_test_setup_teardown(test_show, setup, teardown),
    cmocka_unit_test_setup_teardown(test_customer_show, setup, teardown),
    cmocka_unit_test_setup_teardown(test_figures_fits, setup, teardown),
    cmocka_unit_test_setup_teardown(test_run, setup, teardown),
#ifdef CRM_TEST_HAVE_CLV
    cmocka_unit_test_setup_teardown(test_clv_cdnow, setup, teardown),
#endif
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
