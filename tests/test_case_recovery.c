/*
 * test_case_recovery.c - service recovery on resolution through the
 * public API (crm_case_resolve) with the real basic_case handler and
 * basic_points as the reward scheme:
 *   - points go to the ledger once, even when resolve is called again or
 *     retried after a rolled-back attempt; the balance is the ledger sum
 *     and crm_points_check agrees;
 *   - no tier multiplier, no earning limit (the scheme has both);
 *   - a second resolution after a reopen may add points within the
 *     per-case limit, and is refused beyond it (nothing changes);
 *   - no limit for the category: refused; items: a voucher at cost 0;
 *   - a plain move to Resolved grants the handler's compensation.
 *
 * crm.conf: basic_case; basic_points (per_day earning limit 100, one
 * tier "base" with multiplier 2, catalogue COFFEE 300 points unlimited
 * and TEA 200 points, stock 0); complaints.compensation: delivery up to
 * 2000 points per case, items COFFEE and TEA; no "*" row (billing has no
 * limit). Clock fixed at PE_NOW (2002-09-27 00:00 UTC), moved forward by
 * hand.
 */
#include <sys/wait.h>

#include "case_test.h"

#define RC_CONF                                                             \
  "plugins = { load = (\n"                                                  \
  "  { name = \"basic_case\"; },\n"                                         \
  "  { name = \"basic_points\"; required = true;\n"                         \
  "    config = { points_per_unit = 10; currency = \"USD\"; };\n"           \
  "    scheme = { unit = \"points\";\n"                                     \
  "      limits = { per_day = 100; };\n"                                    \
  "      tiers = { window_days = 365; review_days = 365;\n"                 \
  "        levels = ( { name = \"base\"; multiplier = 2.0; } ); };\n"       \
  "      catalogue = (\n"                                                   \
  "        { code = \"COFFEE\"; name = \"Coffee\"; type = \"free_item\";\n" \
  "          cost = 300; value = 0; stock = -1; },\n"                       \
  "        { code = \"TEA\"; name = \"Tea\"; type = \"free_item\";\n"       \
  "          cost = 200; value = 0; stock = 0; } ); }; } ); };\n"           \
  "complaints = {\n"                                                        \
  "  compensation = ( { category = \"delivery\"; max_points = 2000;\n"      \
  "    items = [ \"COFFEE\", \"TEA\" ]; } );\n"                             \
  "};\n"

/* The same with the scheme open to members only. */
#define RC_CONF_CLUB                                                        \
  "plugins = { load = (\n"                                                  \
  "  { name = \"basic_case\"; },\n"                                         \
  "  { name = \"basic_points\"; required = true;\n"                         \
  "    config = { points_per_unit = 10; currency = \"USD\"; };\n"           \
  "    scheme = { enroll = \"attr:program=club\";\n"                        \
  "      catalogue = (\n"                                                   \
  "        { code = \"COFFEE\"; name = \"Coffee\"; type = \"free_item\";\n" \
  "          cost = 300; value = 0; stock = -1; } ); }; } ); };\n"         \
  "complaints = {\n"                                                        \
  "  compensation = ( { category = \"delivery\"; max_points = 2000;\n"      \
  "    items = [ \"COFFEE\" ]; } );\n"                                      \
  "};\n"

#define HOUR INT64_C(3600)

static int64_t balance(crm *c, int64_t cust)
{
  crm_points_account a;

  if(crm_points_account_get(c, cust, NULL, &a))
    return 0;
  return a.balance;
}

/* The adjust lines of the customer: count, sum, and the last one's
 * reason and id. */
struct lines {
  int n;
  int64_t sum, all, last_id;
  char reason[96];
};

static int line_cb(void *ud, const crm_ledger_entry *e)
{
  struct lines *l = ud;

  l->all += e->points;
  if(strcmp(e->kind, "adjust") != 0)
    return 0;
  l->n++;
  l->sum += e->points;
  l->last_id = e->id;
  snprintf(l->reason, sizeof(l->reason), "%s", e->reason ? e->reason : "-");
  return 0;
}

static struct lines ledger(crm *c, int64_t cust)
{
  struct lines l;

  memset(&l, 0, sizeof(l));
  if(crm_ledger_foreach(c, cust, line_cb, &l))
    fail_msg("crm_ledger_foreach: %s", crm_errmsg(c));
  return l;
}

static int resolve(crm *c, int64_t id, int64_t points, const char *item)
{
  crm_case_resolution r;

  memset(&r, 0, sizeof(r));
  r.op = ct_op("ana", "parcel found and redelivered", 0);
  r.comp_points = points;
  r.comp_item = item;
  return crm_case_resolve(c, id, &r);
}

static void reply(crm *c, int64_t id, const char *text)
{
  crm_case_op op = ct_op(NULL, NULL, 0);
  int64_t out = 0, msg = 0;

  if(crm_case_reply(c, id, CRM_CASE_MSG_CUSTOMER, text, 0, &op, &out, &msg))
    fail_msg("crm_case_reply: %s", crm_errmsg(c));
  assert_int_equal(out, id);
}

/* The history's "compensate" lines joined by " / ". */
static void compensations(crm *c, int64_t id, char *buf, size_t size)
{
  ct_lines h;
  size_t i, n = 0;

  ct_history(c, id, &h);
  buf[0] = '\0';
  for(i = 0; i < h.n && i < CT_N; i++) {
    if(strncmp(h.line[i], "compensate|", 11) != 0)
      continue;
    n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? " / " : "",
                          h.line[i]);
  }
}

/* 500 points on resolution: one adjust line (500, not 1000 with the
 * base multiplier 2, not 100 with the per_day limit), reason naming the
 * case; resolve again changes nothing. */
static void test_points_once(void **state)
{
  pe_env e;
  int64_t cust, id;
  struct lines l;
  char hist[640], want[320];
  crm_case k;

  (void)state;
  pe_open(&e, RC_CONF);
  cust = t_add_customer(e.c, "ann");
  id = ct_case(e.c, cust, "parcel never arrived", "delivery");
  crm_set_now(e.c, PE_NOW + HOUR);
  assert_int_equal(resolve(e.c, id, 500, NULL), CRM_OK);
  l = ledger(e.c, cust);
  assert_int_equal(l.n, 1);
  assert_int_equal(l.sum, 500);
  assert_string_equal(l.reason, "service recovery for case C-000001");
  assert_int_equal(balance(e.c, cust), 500);
  assert_int_equal(balance(e.c, cust), l.all);
  assert_int_equal(crm_points_check(e.c, cust, NULL), CRM_OK);
  assert_int_equal(ct_int(e.c, "SELECT points FROM case_compensation"
                          " WHERE case_id = ?1 AND resolution = 1", id), 500);
  snprintf(want, sizeof(want), "compensate|-|Resolved|ana|-|500 points "
           "(ledger #%lld)", (long long)l.last_id);
  compensations(e.c, id, hist, sizeof(hist));
  assert_string_equal(hist, want);
  /* the key of the core event */
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM events WHERE idem_key ="
                          " 'case-' || ?1 || '-recovery-1'", id), 1);

  /* again, a minute later: already Resolved, nothing granted again */
  crm_set_now(e.c, PE_NOW + HOUR + 60);
  assert_int_equal(resolve(e.c, id, 500, NULL), CRM_OK);
  l = ledger(e.c, cust);
  assert_int_equal(l.n, 1);
  assert_int_equal(balance(e.c, cust), 500);
  k = ct_get(e.c, id);
  assert_int_equal(k.resolutions, 1);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM case_compensation"
                          " WHERE case_id = ?1", id), 1);
  pe_close(&e);
}

/* An attempt that fails after writing the points (TEA is out of stock:
 * the voucher fails after the adjust line) is rolled back whole: no
 * ledger line, no row, the case still New. The retry writes once. */
static void test_retry_after_rollback(void **state)
{
  pe_env e;
  int64_t cust, id;
  struct lines l;
  crm_case k;

  (void)state;
  pe_open(&e, RC_CONF);
  cust = t_add_customer(e.c, "ben");
  id = ct_case(e.c, cust, "box crushed", "delivery");
  assert_int_equal(resolve(e.c, id, 700, "TEA"), CRM_ESTATE);
  assert_string_equal(crm_errmsg(e.c), "item \"TEA\" is out of stock: 0 of 0 "
                      "issued");
  l = ledger(e.c, cust);
  assert_int_equal(l.n, 0);
  assert_int_equal(balance(e.c, cust), 0);
  k = ct_get(e.c, id);
  assert_string_equal(k.state, "New");
  assert_int_equal(k.resolutions, 0);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM case_compensation", 0),
                   0);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM events", 0), 0);

  assert_int_equal(resolve(e.c, id, 700, NULL), CRM_OK);
  assert_int_equal(resolve(e.c, id, 700, NULL), CRM_OK);
  l = ledger(e.c, cust);
  assert_int_equal(l.n, 1);
  assert_int_equal(l.sum, 700);
  assert_int_equal(balance(e.c, cust), 700);
  assert_int_equal(crm_points_check(e.c, cust, NULL), CRM_OK);
  pe_close(&e);
}

/* Resolution 1: 500; reopened by a reply within 7 days; resolution 2:
 * 1500 (500 + 1500 = 2000, the limit); reopened again; resolution 3 with
 * 1 point is over the limit: CRM_ERANGE, the case stays In progress, the
 * balance stays 2000. Resolving it without compensation works. */
static void test_second_resolution_limit(void **state)
{
  pe_env e;
  int64_t cust, id;
  struct lines l;
  crm_case k;

  (void)state;
  pe_open(&e, RC_CONF);
  cust = t_add_customer(e.c, "cy");
  id = ct_case(e.c, cust, "parcel late", "delivery");
  crm_set_now(e.c, PE_NOW + HOUR);
  assert_int_equal(resolve(e.c, id, 500, NULL), CRM_OK);
  crm_set_now(e.c, PE_NOW + 2 * T_DAY);
  reply(e.c, id, "it still has not come");
  k = ct_get(e.c, id);
  assert_string_equal(k.state, "In progress");
  assert_int_equal(k.reopen_count, 1);
  crm_set_now(e.c, PE_NOW + 3 * T_DAY);
  assert_int_equal(resolve(e.c, id, 1500, NULL), CRM_OK);
  l = ledger(e.c, cust);
  assert_int_equal(l.n, 2);
  assert_int_equal(balance(e.c, cust), 2000);
  assert_int_equal(ct_int(e.c, "SELECT points FROM case_compensation"
                          " WHERE case_id = ?1 AND resolution = 2", id),
                   1500);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM events WHERE idem_key ="
                          " 'case-' || ?1 || '-recovery-2'", id), 1);

  crm_set_now(e.c, PE_NOW + 4 * T_DAY);
  reply(e.c, id, "wrong parcel delivered");
  assert_string_equal(ct_get(e.c, id).state, "In progress");
  crm_set_now(e.c, PE_NOW + 5 * T_DAY);
  assert_int_equal(resolve(e.c, id, 1, NULL), CRM_ERANGE);
  assert_string_equal(crm_errmsg(e.c), "compensation of 1 points is over the "
                      "limit for category delivery (2000 per case, 2000 "
                      "granted before)");
  k = ct_get(e.c, id);
  assert_string_equal(k.state, "In progress");
  assert_int_equal(k.resolutions, 2);
  assert_int_equal(balance(e.c, cust), 2000);
  assert_int_equal(ledger(e.c, cust).n, 2);
  assert_int_equal(resolve(e.c, id, 0, NULL), CRM_OK);
  assert_int_equal(ct_get(e.c, id).resolutions, 3);
  assert_int_equal(balance(e.c, cust), 2000);
  assert_int_equal(crm_points_check(e.c, cust, NULL), CRM_OK);
  pe_close(&e);
}

/* 2500 at once is over 2000; billing has no limit row: no compensation
 * at all (without any, billing resolves). Nothing changes either time. */
static void test_refusals(void **state)
{
  pe_env e;
  int64_t cust, d, b;

  (void)state;
  pe_open(&e, RC_CONF);
  cust = t_add_customer(e.c, "dee");
  d = ct_case(e.c, cust, "parcel lost", "delivery");
  b = ct_case(e.c, cust, "charged twice", "billing");
  assert_int_equal(resolve(e.c, d, 2500, NULL), CRM_ERANGE);
  assert_string_equal(crm_errmsg(e.c), "compensation of 2500 points is over "
                      "the limit for category delivery (2000 per case, 0 "
                      "granted before)");
  assert_string_equal(ct_get(e.c, d).state, "New");
  assert_int_equal(resolve(e.c, b, 100, NULL), CRM_ERANGE);
  assert_string_equal(crm_errmsg(e.c), "no compensation is allowed for "
                      "category billing (complaints.compensation)");
  assert_string_equal(ct_get(e.c, b).state, "New");
  assert_int_equal(resolve(e.c, b, 0, "COFFEE"), CRM_ERANGE);
  assert_int_equal(resolve(e.c, d, 0, "CAKE"), CRM_ERANGE);
  assert_string_equal(crm_errmsg(e.c), "item CAKE is not allowed as "
                      "compensation for category delivery (allowed: COFFEE, "
                      "TEA)");
  assert_int_equal(ledger(e.c, cust).n, 0);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM case_history WHERE"
                          " action = 'compensate'", 0), 0);
  assert_int_equal(resolve(e.c, b, 0, NULL), CRM_OK);
  assert_string_equal(ct_get(e.c, b).state, "Resolved");
  pe_close(&e);
}

struct vouchers {
  int n;
  crm_voucher v;
};

static int voucher_cb(void *ud, const crm_voucher *v)
{
  struct vouchers *s = ud;

  s->n++;
  s->v = *v;
  return 0;
}

/* COFFEE (300 points in the catalogue) as goodwill: a voucher at cost 0,
 * no spend line, balance 0 still; the history names it. Voiding it gives
 * no points back (there were none). */
static void test_item_voucher(void **state)
{
  pe_env e;
  int64_t cust, id;
  struct vouchers s;
  struct lines l;
  char hist[640], want[320];
  crm_points_op op;

  (void)state;
  pe_open(&e, RC_CONF);
  cust = t_add_customer(e.c, "eve");
  id = ct_case(e.c, cust, "courier was rude", "delivery");
  crm_set_now(e.c, PE_NOW + HOUR);
  assert_int_equal(resolve(e.c, id, 0, "COFFEE"), CRM_OK);
  memset(&s, 0, sizeof(s));
  assert_int_equal(crm_vouchers_foreach(e.c, cust, voucher_cb, &s), 0);
  assert_int_equal(s.n, 1);
  assert_string_equal(s.v.item, "COFFEE");
  assert_int_equal(s.v.cost, 0);
  assert_string_equal(s.v.state, "issued");
  assert_int_equal(s.v.spend_entry_id, 0);
  assert_int_equal(s.v.issued_at, PE_NOW + HOUR);
  /* "basic_points" -> prefix BP */
  assert_int_equal(strncmp(s.v.code, "BP-", 3), 0);
  l = ledger(e.c, cust);
  assert_int_equal(l.n, 0);
  assert_int_equal(l.all, 0);
  assert_int_equal(balance(e.c, cust), 0);
  snprintf(want, sizeof(want), "compensate|-|Resolved|ana|-|voucher %s "
           "(COFFEE)", s.v.code);
  compensations(e.c, id, hist, sizeof(hist));
  assert_string_equal(hist, want);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM events WHERE idem_key ="
                          " 'case-' || ?1 || '-recovery-1-item'", id), 1);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM case_compensation"
                          " WHERE voucher_code IS NOT NULL AND item ="
                          " 'COFFEE' AND points = ?1", 0), 1);

  memset(&op, 0, sizeof(op));
  op.idempotency_key = "void-1";
  assert_int_equal(crm_voucher_void(e.c, s.v.code, &op), CRM_OK);
  assert_int_equal(ledger(e.c, cust).n, 0);
  assert_int_equal(balance(e.c, cust), 0);
  assert_int_equal(crm_points_check(e.c, cust, NULL), CRM_OK);
  pe_close(&e);
}

/* Points and an item together: one row, both in the history line. */
static void test_points_and_item(void **state)
{
  pe_env e;
  int64_t cust, id;
  struct vouchers s;
  char hist[640], want[320];

  (void)state;
  pe_open(&e, RC_CONF);
  cust = t_add_customer(e.c, "fay");
  id = ct_case(e.c, cust, "late and damaged", "delivery");
  crm_set_now(e.c, PE_NOW + HOUR);
  assert_int_equal(resolve(e.c, id, 250, "COFFEE"), CRM_OK);
  memset(&s, 0, sizeof(s));
  assert_int_equal(crm_vouchers_foreach(e.c, cust, voucher_cb, &s), 0);
  assert_int_equal(s.n, 1);
  snprintf(want, sizeof(want), "compensate|-|Resolved|ana|-|250 points "
           "(ledger #%lld), voucher %s (COFFEE)",
           (long long)ledger(e.c, cust).last_id, s.v.code);
  compensations(e.c, id, hist, sizeof(hist));
  assert_string_equal(hist, want);
  assert_int_equal(balance(e.c, cust), 250);
  pe_close(&e);
}

/* A scheme open to members only (enroll "attr:program=club"): goodwill
 * points or a voucher would open an account in a programme the customer
 * is not part of, which earning never does. Refused (CRM_ESTATE, naming
 * the rule and the way out), nothing written; once a member, granted. */
static void test_non_member_refused(void **state)
{
  pe_env e;
  int64_t cust, id;
  crm_points_account a;
  crm_case k;

  (void)state;
  pe_open(&e, RC_CONF_CLUB);
  cust = t_add_customer(e.c, "gus");
  id = ct_case(e.c, cust, "parcel lost", "delivery");
  crm_set_now(e.c, PE_NOW + HOUR);
  assert_int_equal(resolve(e.c, id, 500, NULL), CRM_ESTATE);
  assert_string_equal(crm_errmsg(e.c), "customer #1 is not a member of "
                      "scheme \"basic_points\" (enroll: attribute program ="
                      " club): resolve without compensation or enroll the "
                      "customer first");
  assert_int_equal(resolve(e.c, id, 0, "COFFEE"), CRM_ESTATE);
  k = ct_get(e.c, id);
  assert_string_equal(k.state, "New");
  assert_int_equal(k.resolutions, 0);
  assert_int_equal(crm_points_account_get(e.c, cust, NULL, &a),
                   CRM_ENOTFOUND);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM events", 0), 0);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM vouchers", 0), 0);

  assert_int_equal(crm_customer_set_attr(e.c, cust, "program", "club"), 0);
  assert_int_equal(resolve(e.c, id, 500, NULL), CRM_OK);
  assert_int_equal(balance(e.c, cust), 500);
  assert_int_equal(crm_points_check(e.c, cust, NULL), CRM_OK);
  pe_close(&e);
}

/* No reward component loaded: compensation cannot be granted; the
 * message says why and how to go on. Without it the case resolves. */
static void test_no_scheme(void **state)
{
  pe_env e;
  int64_t cust, id;

  (void)state;
  pe_open(&e, "plugins = { load = ( { name = \"basic_case\"; } ); };\n"
          "complaints = { compensation = ( { category = \"*\";"
          " max_points = 500; } ); };\n");
  cust = t_add_customer(e.c, "hal");
  id = ct_case(e.c, cust, "parcel lost", "delivery");
  assert_int_equal(resolve(e.c, id, 100, NULL), CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(e.c), "no reward scheme is loaded: "
                      "compensation is granted through one (resolve without "
                      "compensation)");
  assert_string_equal(ct_get(e.c, id).state, "New");
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM events", 0), 0);
  assert_int_equal(resolve(e.c, id, 0, NULL), CRM_OK);
  pe_close(&e);
}

/* The limit lowered (2000 -> 1000) after 1500 points were granted: more
 * points are refused (1500 granted before), but an item alone is still
 * allowed: it costs no points. */
static void test_item_after_limit_lowered(void **state)
{
  pe_env e;
  int64_t cust, id;
  struct vouchers s;
  char conf[2048];
  char *p;

  (void)state;
  pe_open(&e, RC_CONF);
  cust = t_add_customer(e.c, "ivy");
  id = ct_case(e.c, cust, "parcel late", "delivery");
  crm_set_now(e.c, PE_NOW + HOUR);
  assert_int_equal(resolve(e.c, id, 1500, NULL), CRM_OK);
  crm_set_now(e.c, PE_NOW + T_DAY);
  reply(e.c, id, "still not here");
  snprintf(conf, sizeof(conf), "%s", RC_CONF);
  p = strstr(conf, "max_points = 2000");
  assert_non_null(p);
  memcpy(p, "max_points = 1000", 17);
  t_write_file(e.conf, conf);
  assert_int_equal(crm_reload_config(e.c), CRM_OK);
  crm_set_now(e.c, PE_NOW + 2 * T_DAY);
  assert_int_equal(resolve(e.c, id, 1, NULL), CRM_ERANGE);
  assert_string_equal(crm_errmsg(e.c), "compensation of 1 points is over the "
                      "limit for category delivery (1000 per case, 1500 "
                      "granted before)");
  assert_int_equal(resolve(e.c, id, 0, "COFFEE"), CRM_OK);
  memset(&s, 0, sizeof(s));
  assert_int_equal(crm_vouchers_foreach(e.c, cust, voucher_cb, &s), 0);
  assert_int_equal(s.n, 1);
  assert_int_equal(ct_get(e.c, id).resolutions, 2);
  assert_int_equal(balance(e.c, cust), 1500);
  pe_close(&e);
}

static int rc_die_on_commit(void *ud)
{
  (void)ud;
  _exit(0); /* the process dies inside COMMIT: nothing is durable */
  return 0;
}

static crm *rc_open_file(pe_env *e)
{
  crm *c = NULL;

  if(crm_open(&c, pe_path(e, "store.db"), CRM_OPEN_CREATE))
    fail_msg("crm_open: %s", crm_errmsg(c));
  crm_set_now(c, PE_NOW + HOUR);
  if(crm_load_config(c, e->conf, CRM_TEST_PLUGIN_DIR))
    fail_msg("crm_load_config: %s", crm_errmsg(c));
  return c;
}

/* A crash between the ledger write and the commit: a child process
 * resolves with 500 points and 1 COFFEE and dies inside COMMIT (after
 * every write of the resolution). Reopened, the store has none of it
 * (case New, no event, no ledger line, no voucher, no row, balance and
 * check fine); the retry grants once, a repeat grants nothing. */
static void test_crash_before_commit(void **state)
{
  pe_env e;
  int64_t cust, id;
  pid_t pid;
  int status = 0;

  (void)state;
  pe_open(&e, NULL);
  crm_close(e.c);
  snprintf(e.conf, sizeof(e.conf), "%s/crm.conf", e.dir);
  t_write_file(e.conf, RC_CONF);
  e.c = rc_open_file(&e);
  cust = t_add_customer(e.c, "jo");
  id = ct_case(e.c, cust, "parcel lost", "delivery");
  crm_close(e.c);
  e.c = NULL;

  fflush(NULL);
  pid = fork();
  assert_true(pid >= 0);
  if(pid == 0) {
    crm *c = rc_open_file(&e);

    sqlite3_commit_hook(c->db, rc_die_on_commit, NULL);
    (void)resolve(c, id, 500, "COFFEE");
    _exit(3); /* not reached when the commit was attempted */
  }
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);

  e.c = rc_open_file(&e);
  assert_string_equal(ct_get(e.c, id).state, "New");
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM events", 0), 0);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM points_ledger", 0), 0);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM vouchers", 0), 0);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM case_compensation", 0),
                   0);
  assert_int_equal(balance(e.c, cust), 0);
  assert_int_equal(crm_points_check(e.c, cust, NULL), CRM_OK);

  assert_int_equal(resolve(e.c, id, 500, "COFFEE"), CRM_OK);
  assert_int_equal(resolve(e.c, id, 500, "COFFEE"), CRM_OK);
  assert_int_equal(ledger(e.c, cust).n, 1);
  assert_int_equal(balance(e.c, cust), 500);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM vouchers", 0), 1);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM case_compensation", 0),
                   1);
  assert_int_equal(crm_points_check(e.c, cust, NULL), CRM_OK);
  pe_close(&e);
}

/* A plain move to Resolved does not bypass service recovery: it goes the
 * resolve way, so the handler's compensation decision is granted (the
 * agent asked for nothing). baggage_case gives a delayed bag 300 points
 * (delayed_bag_points = 300, "bag" is not a lost word). */
static void test_move_to_resolved_grants(void **state)
{
  static const char conf[] =
    "plugins = { load = (\n"
    "  { name = \"baggage_case\"; config = { delayed_bag_points = 300;"
    " lost_bag_points = 900; }; },\n"
    "  { name = \"basic_points\"; required = true;\n"
    "    config = { points_per_unit = 10; currency = \"USD\"; }; } ); };\n"
    "complaints = { compensation = ( { category = \"baggage\";"
    " max_points = 1000; } ); };\n";
  pe_env e;
  crm_case_op op = ct_op("ana", NULL, 0);
  struct lines l;
  int64_t cust, id;

  (void)state;
  pe_open(&e, conf);
  cust = t_add_customer(e.c, "ann");
  id = ct_case(e.c, cust, "my bag did not come", NULL);
  assert_string_equal(ct_get(e.c, id).category, "baggage");
  crm_set_now(e.c, PE_NOW + HOUR);
  assert_int_equal(crm_case_move_op(e.c, id, "Resolved", &op), CRM_OK);
  l = ledger(e.c, cust);
  assert_int_equal(l.n, 1);
  assert_int_equal(l.sum, 300);
  assert_string_equal(l.reason, "service recovery for case C-000001");
  assert_int_equal(balance(e.c, cust), 300);
  assert_int_equal(ct_int(e.c, "SELECT points FROM case_compensation"
                          " WHERE case_id = ?1 AND resolution = 1", id), 300);
  pe_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_points_once),
    cmocka_unit_test(test_retry_after_rollback),
    cmocka_unit_test(test_second_resolution_limit),
    cmocka_unit_test(test_refusals),
    cmocka_unit_test(test_item_voucher),
    cmocka_unit_test(test_points_and_item),
    cmocka_unit_test(test_non_member_refused),
    cmocka_unit_test(test_no_scheme),
    cmocka_unit_test(test_item_after_limit_lowered),
    cmocka_unit_test(test_crash_before_commit),
    cmocka_unit_test(test_move_to_resolved_grants),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
