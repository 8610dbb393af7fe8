/*
 * test_points_property.c - the loyalty engine's property test (issue 4).
 *
 * Thousands of random sequences of earn, refund (full, partial, cancel,
 * before the purchase, naming none, naming another customer's purchase),
 * redeem, voucher use and void, transfer, adjust, clock advance with
 * process_due (release, expiry, tier review), replay of an earlier
 * operation under its idempotency key and reuse of a key for something
 * else, against two schemes at once (tests/points_property_ops.c runs the
 * steps, tests/points_property_check.c holds the checks):
 *   fxa_points (fx_reward_a): the core reconciles refunds; 14 days
 *     pending, 60 days expiry, daily cap 800, min spend 5.00, transfers
 *     within monthly limits, three tiers with multipliers and a grace
 *     period, a catalogue with a limited and a seasonal item; no negative
 *     balance (shortfalls).
 *   fxb_points (fx_reward_b): the plugin takes points back itself;
 *     available at once, 30 days expiry, monthly cap 2500, negative
 *     balance allowed (overdraft), a tier by visit count, no grace, auto
 *     redeem.
 * One purchase in ten is a promotion (the plugin's result: available at
 * once, never expiring, no multiplier, no cap).
 * After every step, for every customer of the sequence: crm_points_check;
 * balances and pending equal the ledger sums (account, customer,
 * crm_points_balance); each entry kind has its signs; lifetime earned;
 * caps and transfer limits hold; lots are within [0, original], tied to
 * the entry that created them (expiry and release dates by the rules),
 * sum to the balance less overdraft and to pending, and nothing is left
 * due after due work; each purchase earns what the rules say (base,
 * tier bonus, caps cutting the bonus first); spends draw the soonest
 * expiring lots first; what refunds took back plus open shortfalls equals
 * what the model says they should (pro rata of what each purchase
 * earned; the plugin's own take-backs); vouchers match their spend and
 * restore; issued stock matches the model; tiers are consistent, counted
 * over the right window, never below what the window qualifies for right
 * after an event, reviewed in whole terms; the tier history downgrades
 * only after review + grace and lands on the qualifying level. Steps
 * whose outcome the model knows (enough points, limits, stock, validity,
 * voucher state) must succeed or fail accordingly, with the balance
 * moving by exactly the amount; a failed step, a replay and a reused key
 * change nothing (snapshot before = after). Customers a successful step
 * did not touch get crm_points_check and an unchanged-account check;
 * everyone gets everything at refusals, replays, due runs and the end.
 *
 * Environment: CRM_PROPERTY_SEQS (default 10000), CRM_PROPERTY_SEED,
 * CRM_PROPERTY_SEQ=n (only sequence n, on a fresh store, with its steps
 * printed). A failure prints the seed, the sequence, its steps, and a
 * minimised sequence that fails the same check on a fresh store.
 */
#include "points_property.h"

/* ---- the configuration ----------------------------------------------- */

static const char pt_conf[] =
  "plugins = { load = (\n"
  " { name = \"fx_reward_a\"; required = true; config = { rate = 100; };\n"
  "   scheme = { unit = \"points\"; pending_days = 14;\n"
  "     allow_negative = false; enroll = \"all\";\n"
  "     expiry = { mode = \"relative\"; days = 60; };\n"
  "     limits = { per_day = 800; per_month = 0; min_spend = 500; };\n"
  "     transfers = { enabled = true; min = 10; max_out_per_month = 1000;\n"
  "                   max_in_per_month = 1500; };\n"
  "     tiers = { window_days = 90; review_days = 60; grace_days = 15;\n"
  "       levels = ( { name = \"base\"; },\n"
  "         { name = \"silver\"; points = 300; multiplier = 1.25; },\n"
  "         { name = \"gold\"; points = 1000; count = 6;\n"
  "           multiplier = 1.5; } ); };\n"
  "     catalogue = (\n"
  "       { code = \"V5\"; name = \"5.00 off\"; type = \"voucher\";\n"
  "         cost = 250; value = 500; stock = -1; voucher_days = 30; },\n"
  "       { code = \"GIFT\"; name = \"a tote bag\"; type = \"free_item\";\n"
  "         cost = 100; value = 0; stock = 25; },\n"
  "       { code = \"SPRING\"; name = \"spring voucher\"; type = \"voucher\";\n"
  "         cost = 150; value = 300; stock = -1;\n"
  "         valid_from = \"2026-03-01\"; valid_until = \"2026-05-01\"; } );\n"
  "   }; },\n"
  " { name = \"fx_reward_b\"; required = true; config = { rate = 100; };\n"
  "   scheme = { unit = \"miles\"; pending_days = 0; allow_negative = true;\n"
  "     expiry = { mode = \"relative\"; days = 30; };\n"
  "     limits = { per_month = 2500; };\n"
  "     transfers = { enabled = true; min = 1; };\n"
  "     auto_redeem = \"AUTO\";\n"
  "     tiers = { window_days = 60; review_days = 30; grace_days = 0;\n"
  "       levels = ( { name = \"member\"; },\n"
  "         { name = \"plus\"; count = 4; multiplier = 2.0; } ); };\n"
  "     catalogue = (\n"
  "       { code = \"R1\"; name = \"1.00 back\"; type = \"cash_rebate\";\n"
  "         cost = 120; value = 100; stock = -1; },\n"
  "       { code = \"AUTO\"; name = \"auto voucher\"; type = \"voucher\";\n"
  "         cost = 900; value = 500; stock = -1; voucher_days = 60; } );\n"
  "   }; }\n"
  "); };\n";

/* ---- sequences: generation, runs, minimisation ----------------------- */

static void pt_gen_op(uint64_t *g, int n_cust, int slow, pt_op *o)
{
  int64_t r = pt_rand(g, 0, 99);

  memset(o, 0, sizeof(*o));
  o->cust = (int)pt_rand(g, 0, n_cust - 1);
  o->other = (o->cust + 1 + (int)pt_rand(g, 0, n_cust - 2)) % n_cust;
  o->scheme = (int)pt_rand(g, 0, 1);
  o->pick = (uint32_t)pt_next(g);
  if(r < 28) {
    o->kind = OP_PURCHASE;
    o->amount = pt_rand(g, 0, 9) ? pt_rand(g, 500, 60000)
                                 : pt_rand(g, 100, 499);
    o->flag = pt_rand(g, 0, 3) == 0;
    o->back = pt_rand(g, 0, 19) == 0 ? pt_rand(g, 1, 72) * PT_HOUR : 0;
    o->promo = pt_rand(g, 0, 9) == 0;
  }
  else if(r < 45) {
    o->kind = r < 35 ? OP_REFUND : r < 39 ? OP_REFUND_FULL
            : r < 42 ? OP_CANCEL : r < 44 ? OP_REFUND_NOREF
            : OP_REFUND_OTHER;
    o->amount = pt_rand(g, 100, 30000);
    o->flag = pt_rand(g, 0, 6) == 0;
  }
  else if(r < 52)
    o->kind = OP_REDEEM;
  else if(r < 57)
    o->kind = r < 55 ? OP_VOID : OP_USE;
  else if(r < 65) {
    o->kind = OP_TRANSFER;
    o->amount = pt_rand(g, 0, 2) ? pt_rand(g, 1, 300) : pt_rand(g, 1, 1200);
    o->pct = pt_rand(g, 0, 4) < 3 ? (int)pt_rand(g, 5, 130) : 0;
    o->flag = pt_rand(g, 0, 4) ? 0 : (int)pt_rand(g, 1, 2);
    if(pt_rand(g, 0, 9) == 0)
      o->other = o->cust;
  }
  else if(r < 71) {
    o->kind = OP_ADJUST;
    o->amount = pt_rand(g, 1, 600) * (pt_rand(g, 0, 2) ? 1 : -1);
    o->pct = o->amount < 0 && pt_rand(g, 0, 1) ? (int)pt_rand(g, 10, 130)
                                                : 0;
  }
  else if(r < 83) {
    o->kind = OP_ADVANCE;
    o->amount = pt_rand(g, 0, 1) ? pt_rand(g, 1, 72) * PT_HOUR
                                 : pt_rand(g, 5, slow ? 100 : 45) * T_DAY;
    o->flag = pt_rand(g, 0, 4) < 3;
  }
  else if(r < 86)
    o->kind = OP_DUE;
  else if(r < 95)
    o->kind = OP_REPLAY;
  else {
    o->kind = OP_CONFLICT;
    o->flag = (int)pt_rand(g, 0, n_cust > 1 ? 3 : 2);
  }
}

static void pt_gen(uint64_t seed, int64_t seqno, pt_plan *pl)
{
  uint64_t g = seed ^ ((uint64_t)seqno * UINT64_C(0xD1B54A32D192ED03));
  size_t k;
  int slow;

  pt_next(&g);
  memset(pl, 0, sizeof(*pl));
  pl->n = (size_t)pt_rand(&g, 10, 20);
  pl->n_cust = pt_rand(&g, 0, 3) == 0 ? 3 : 2;
  pl->start = PT_BASE + pt_rand(&g, 0, 60) * T_DAY + pt_rand(&g, 0, 86399);
  /* one sequence in four spans months: reviews, grace, downgrades */
  slow = pt_rand(&g, 0, 3) == 0;
  for(k = 0; k < pl->n; k++) {
    pt_gen_op(&g, pl->n_cust, slow, &pl->ops[k]);
    /* half the sequences start with points to spend */
    if(k < 2 && pt_rand(&g, 0, 1)) {
      pl->ops[k].kind = OP_ADJUST;
      pl->ops[k].pct = 0;
      pl->ops[k].amount = pt_rand(&g, 100, 1500);
    }
  }
}

static char pt_conf_path[600];
static char pt_dir[512];

static int pt_store_open(pt_store *st)
{
  int rc;

  memset(st, 0, sizeof(*st));
  rc = crm_open(&st->c, ":memory:", CRM_OPEN_CREATE);
  PT_REQ(rc == 0, "config", "crm_open: %s", crm_errmsg(st->c));
  crm_set_now(st->c, PT_BASE);
  rc = crm_load_config(st->c, pt_conf_path, CRM_TEST_FIXTURE_DIR);
  PT_REQ(rc == 0, "config", "crm_load_config: %s", crm_errmsg(st->c));
  return 0;
}

static void pt_store_close(pt_store *st)
{
  crm_close(st->c);
  st->c = NULL;
}

static void pt_coverage(const pt_seq *q)
{
  size_t k;
  int i;

  for(i = 0; i < q->n_cust; i++) {
    const pt_view *v = &q->view[i];
    int rel = 0, exp = 0;

    for(k = 0; k < v->n_e; k++) {
      rel |= v->e[k].kind == K_RELEASE;
      exp |= v->e[k].kind == K_EXPIRE;
    }
    pt_cov[C_RELEASE] += rel;
    pt_cov[C_EXPIRE] += exp;
  }
}

static int pt_run(pt_store *st, int64_t seqno, const pt_plan *pl,
                  int verbose, pt_seq *q)
{
  crm_customer_fields f;
  char ext[64];
  size_t k;
  int i, rc;

  memset(q, 0, sizeof(*q));
  q->st = st;
  q->c = st->c;
  q->seqno = seqno;
  q->n_cust = pl->n_cust;
  q->verbose = verbose;
  q->clock = q->start = pl->start;
  crm_set_now(q->c, q->clock);
  for(i = 0; i < q->n_cust; i++) {
    memset(&f, 0, sizeof(f));
    snprintf(ext, sizeof(ext), "s%" PRId64 "-c%d", seqno, i);
    f.external_id = ext;
    f.name = ext;
    rc = crm_customer_add(q->c, &f, &q->cust[i]);
    PT_REQ(rc == 0, "api", "crm_customer_add: %s", crm_errmsg(q->c));
  }
  q->items_dirty = 1;
  if(pt_observe_all(q, 0, NULL))
    return -1;
  for(k = 0; k < pl->n; k++) {
    if(pt_exec(q, &pl->ops[k]))
      return -1;
  }
  q->items_dirty = 1;
  pt_log(q, "end of the sequence: everyone checked");
  if(pt_observe_all(q, 0, NULL))
    return -1;
  for(i = 0; i < q->n_cust; i++) {
    if(pt_check_history(q, i))
      return -1;
  }
  pt_coverage(q);
  return 0;
}

/* Runs a plan alone on a fresh store: 1 when it fails `check`. */
static int pt_fails_alone(const pt_plan *pl, int64_t seqno, const char *check,
                          pt_seq *q)
{
  pt_store st;
  int bad;

  pt_failed = 0;
  if(pt_store_open(&st))
    return 0;
  bad = pt_run(&st, seqno, pl, 0, q) != 0 && !strcmp(pt_check, check);
  pt_store_close(&st);
  return bad;
}

/* Drops chunks of steps while the plan still fails the same check. */
static void pt_shrink(pt_plan *pl, int64_t seqno, const char *check,
                      pt_seq *q)
{
  size_t chunk = pl->n / 2, at;

  while(chunk >= 1) {
    int dropped = 0;

    for(at = 0; at + chunk <= pl->n;) {
      pt_plan t = *pl;

      memmove(&t.ops[at], &t.ops[at + chunk],
              (t.n - at - chunk) * sizeof(t.ops[0]));
      t.n -= chunk;
      if(t.n && pt_fails_alone(&t, seqno, check, q)) {
        *pl = t;
        dropped = 1;
      }
      else
        at += chunk;
    }
    if(!dropped)
      chunk /= 2;
  }
}

static void pt_report(const pt_seq *q, uint64_t seed, int64_t seqno,
                      const pt_plan *pl, pt_seq *scratch)
{
  char check[sizeof(pt_check)], why[sizeof(pt_why)];
  pt_plan small = *pl;
  pt_store st;
  int i;

  memcpy(check, pt_check, sizeof(check));
  memcpy(why, pt_why, sizeof(why));
  fprintf(stderr, "points property FAILED: seed %" PRIu64 " sequence %"
          PRId64 " (%d customers, start t = %" PRId64 "): [%s] %s\n"
          "  steps as run:\n", seed, seqno, pl->n_cust, pl->start, check,
          why);
  for(i = 0; i < q->n_log; i++)
    fprintf(stderr, "  %2d %s\n", i, q->log[i]);
  fprintf(stderr, "  replay: CRM_PROPERTY_SEED=%" PRIu64 " CRM_PROPERTY_SEQ=%"
          PRId64 " test_points_property\n", seed, seqno);
  if(!pt_fails_alone(&small, seqno, check, scratch)) {
    fprintf(stderr, "  (does not fail alone on a fresh store: it depends on "
            "the earlier sequences of its store; replay with "
            "CRM_PROPERTY_SEQS=%" PRId64 ")\n", seqno + 1);
  }
  else {
    pt_shrink(&small, seqno, check, scratch);
    fprintf(stderr, "  minimised (%zu of %zu steps, fresh store):\n",
            small.n, pl->n);
    pt_failed = 0;
    if(!pt_store_open(&st)) {
      pt_run(&st, seqno, &small, 1, scratch);
      fprintf(stderr, "  -> [%s] %s\n", pt_check, pt_why);
      pt_store_close(&st);
    }
  }
  memcpy(pt_check, check, sizeof(check));
  memcpy(pt_why, why, sizeof(why));
  pt_failed = 1;
}

static int64_t pt_env_int(const char *name, int64_t def)
{
  const char *v = getenv(name);

  return v && *v ? (int64_t)strtoll(v, NULL, 0) : def;
}

static void test_points_property(void **state)
{
  uint64_t seed = (uint64_t)pt_env_int("CRM_PROPERTY_SEED",
                                       (int64_t)PT_DEFAULT_SEED);
  int64_t n = pt_env_int("CRM_PROPERTY_SEQS", PT_DEFAULT_SEQS);
  int64_t only = pt_env_int("CRM_PROPERTY_SEQ", -1);
  int64_t from = only >= 0 ? only : 0, to = only >= 0 ? only + 1 : n, s;
  pt_seq *q = calloc(2, sizeof(*q));
  pt_store st;
  pt_plan pl;
  struct timespec t0, t1;
  int64_t ops = 0;
  int k;

  (void)state;
  assert_non_null(q);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  memset(&st, 0, sizeof(st));
  for(s = from; s < to; s++) {
    if(!st.c || (only < 0 && s % PT_BATCH == 0)) {
      if(st.c)
        pt_store_close(&st);
      if(pt_store_open(&st))
        fail_msg("points property: [%s] %s", pt_check, pt_why);
    }
    pt_gen(seed, s, &pl);
    if(only >= 0)
      fprintf(stderr, "sequence %" PRId64 " (seed %" PRIu64 ", %d customers,"
              " start %" PRId64 "):\n", s, seed, pl.n_cust, pl.start);
    if(pt_run(&st, s, &pl, only >= 0, q)) {
      pt_store_close(&st);
      pt_report(q, seed, s, &pl, q + 1);
      free(q);
      fail_msg("points property: seed %" PRIu64 " sequence %" PRId64
               ": [%s] %s", seed, s, pt_check, pt_why);
    }
    ops += (int64_t)pl.n;
  }
  if(st.c)
    pt_store_close(&st);
  free(q);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("points property: %" PRId64 " sequences, %" PRId64 " steps, seed %"
         PRIu64 ", %.1f s\n  steps:", to - from, ops, seed,
         (double)(t1.tv_sec - t0.tv_sec) +
             (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
  for(k = 0; k < OP_N; k++)
    printf(" %s %" PRId64, pt_opnames[k], pt_opcount[k]);
  printf("\n  reached:");
  for(k = 0; k < C_N; k++)
    printf(" %s %" PRId64 ";", pt_covnames[k], pt_cov[k]);
  printf("\n");
  /* a full run that never reached a feature proves nothing about it */
  if(only < 0 && to - from >= 1000) {
    for(k = 0; k < C_N; k++) {
      if(!pt_cov[k])
        fail_msg("points property: %" PRId64 " sequences never reached: %s",
                 to - from, pt_covnames[k]);
    }
  }
}

static int pt_setup(void **state)
{
  (void)state;
  t_tmpdir(pt_dir, sizeof(pt_dir));
  snprintf(pt_conf_path, sizeof(pt_conf_path), "%s/crm.conf", pt_dir);
  t_write_file(pt_conf_path, pt_conf);
  return 0;
}

static int pt_teardown(void **state)
{
  (void)state;
  unlink(pt_conf_path);
  rmdir(pt_dir);
  return 0;
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_points_property),
  };

  return cmocka_run_group_tests(tests, pt_setup, pt_teardown);
}
