/*
 * test_redeem.c - the catalogue, redemption and vouchers: the exact lots
 * a redemption draws (soonest expiry first, never-expiring last), stock,
 * validity, not enough points (nothing changes), use once, void (points
 * back to their lots, expired again when past their date), retries with
 * the same key, auto-redeem and payouts. Fixed clock; the numbers are
 * worked out by hand in the comments.
 *
 * Points come from events through the fx_loyalty fixture (payload
 * {"pts": N, "expires_at": T}), so these tests also need the earning
 * pipeline (points_earn.c, points_lot.c, ledger.c).
 */
#include <stdio.h>
#include <string.h>

#include "crm_test.h"
#include "loader_util.h"
#include "points_int.h"

#define D T_DAY

static const char conf_main[] =
  "plugins = { load = ( { name = \"fx_loyalty\"; scheme = {\n"
  "  expiry = { mode = \"relative\"; days = 100; };\n"
  "  catalogue = (\n"
  "    { code = \"V5\"; name = \"5 off\"; type = \"voucher\"; cost = 500;\n"
  "      value = 500; stock = 2; voucher_days = 30; },\n"
  "    { code = \"FREE\"; name = \"free coffee\"; type = \"free_item\";\n"
  "      cost = 300; valid_from = \"2026-01-01\";\n"
  "      valid_until = \"2026-02-01\"; } ); }; } ); };\n";

static lt_dir dir;
static int64_t T0; /* 2026-01-10T00:00:00Z */

static int setup(void **state)
{
  (void)state;
  lt_dir_init(&dir);
  assert_int_equal(crm_time_parse("2026-01-10", &T0), 0);
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  lt_dir_done(&dir);
  return 0;
}

static crm *open_conf(const char *text)
{
  crm *c = lt_open(NULL);

  crm_set_now(c, T0);
  if(crm_load_config(c, lt_write(&dir, "crm.conf", text), FIXDIR))
    fail_msg("load: %s", crm_errmsg(c));
  return c;
}

/* A purchase earning pts; exp > 0 expires then, -1 never, 0 the rule. */
static int64_t earn(crm *c, int64_t cust, int64_t at, int64_t pts,
                    int64_t exp, const char *key)
{
  char payload[128];

  if(exp)
    snprintf(payload, sizeof(payload), "{\"pts\":%lld,\"expires_at\":%lld}",
             (long long)pts, (long long)exp);
  else
    snprintf(payload, sizeof(payload), "{\"pts\":%lld}", (long long)pts);
  return t_event(c, cust, "purchase", at, 1000, payload, key).event_id;
}

static int64_t q_int(crm *c, const char *fmt, ...) CRM__PRINTF(2, 3);
static int64_t q_int(crm *c, const char *fmt, ...)
{
  char sql[512];
  sqlite3_stmt *st;
  int64_t v = -1;
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(sql, sizeof(sql), fmt, ap);
  va_end(ap);
  if(sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
    fail_msg("sql %s: %s", sql, sqlite3_errmsg(c->db));
  if(sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

static const char *q_text(crm *c, const char *fmt, ...) CRM__PRINTF(2, 3);
static const char *q_text(crm *c, const char *fmt, ...)
{
  static char buf[1024];
  char sql[512];
  sqlite3_stmt *st;
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(sql, sizeof(sql), fmt, ap);
  va_end(ap);
  buf[0] = '\0';
  if(sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
    fail_msg("sql %s: %s", sql, sqlite3_errmsg(c->db));
  if(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
    snprintf(buf, sizeof(buf), "%s", sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  return buf;
}

static int64_t lot_of(crm *c, int64_t event_id)
{
  return q_int(c, "SELECT id FROM points_lots WHERE event_id = %lld",
               (long long)event_id);
}

static int64_t lot_left(crm *c, int64_t lot)
{
  return q_int(c, "SELECT remaining FROM points_lots WHERE id = %lld",
               (long long)lot);
}

static int64_t balance(crm *c, int64_t cust, const char *scheme)
{
  crm_points_account a;

  if(crm__account_read(c, cust, scheme, &a))
    fail_msg("account: %s", crm_errmsg(c));
  return a.balance;
}

static crm_points_op op_at(const char *key, int64_t at)
{
  crm_points_op op;

  memset(&op, 0, sizeof(op));
  op.scheme = NULL;
  op.idempotency_key = key;
  op.at = at;
  return op;
}

static void void_ok(crm *c, const char *code, const crm_points_op *op)
{
  if(crm_voucher_void(c, code, op))
    fail_msg("void %s: %s", code, crm_errmsg(c));
}

static void redeem_ok(crm *c, int64_t cust, const char *item,
                      const char *key, int64_t at, crm_voucher *v)
{
  crm_points_op op = op_at(key, at);

  if(crm_points_redeem(c, cust, item, &op, v))
    fail_msg("redeem %s: %s", key, crm_errmsg(c));
}

/* PREFIX-XXXX-XXXX over the alphabet without 0, O, 1, I. */
static void assert_code(const char *code, const char *prefix)
{
  static const char alpha[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  size_t p = strlen(prefix);
  size_t i;

  assert_int_equal(strlen(code), p + 10);
  assert_memory_equal(code, prefix, p);
  for(i = p; i < p + 10; i++) {
    if(i == p || i == p + 5)
      assert_int_equal(code[i], '-');
    else if(!strchr(alpha, code[i]))
      fail_msg("code %s: '%c' is not in the alphabet", code, code[i]);
  }
}

/* Three lots: A 200 expiring T0+50, B 300 never, C 400 expiring T0+20. */
struct lots {
  int64_t a, b, c;
};

static struct lots three_lots(crm *c, int64_t cust)
{
  struct lots l;

  l.a = lot_of(c, earn(c, cust, T0, 200, T0 + 50 * D, "ea"));
  l.b = lot_of(c, earn(c, cust, T0, 300, -1, "eb"));
  l.c = lot_of(c, earn(c, cust, T0, 400, T0 + 20 * D, "ec"));
  assert_int_equal(balance(c, cust, "fx_loyalty"), 900);
  return l;
}

/* ---- redeeming ---------------------------------------------------------- */

static void test_redeem_lot_order(void **state)
{
  crm *c = open_conf(conf_main);
  int64_t cust = t_add_customer(c, "ann");
  struct lots l = three_lots(c, cust);
  crm_voucher v, again;
  crm_points_op op = op_at("r1", T0 + D);
  char want[128];

  (void)state;
  crm_set_now(c, T0 + 2 * D);
  redeem_ok(c, cust, "V5", "r1", T0 + D, &v);
  assert_code(v.code, "FL");
  assert_int_equal(v.customer_id, cust);
  assert_string_equal(v.scheme, "fx_loyalty");
  assert_string_equal(v.item, "V5");
  assert_string_equal(v.type, "voucher");
  assert_int_equal(v.cost, 500);
  assert_int_equal(v.value, 500);
  assert_string_equal(v.state, "issued");
  assert_int_equal(v.issued_at, T0 + D);
  assert_int_equal(v.valid_until, T0 + 31 * D);
  assert_int_equal(v.used_at, 0);
  assert_true(v.event_id > 0);
  assert_true(v.spend_entry_id > 0);
  /* 500 = all of C (soonest expiry) + 100 of A; B (never) untouched */
  assert_int_equal(lot_left(c, l.c), 0);
  assert_int_equal(lot_left(c, l.a), 100);
  assert_int_equal(lot_left(c, l.b), 300);
  snprintf(want, sizeof(want), "%lld:400,%lld:100", (long long)l.c,
           (long long)l.a);
  assert_string_equal(q_text(c, "SELECT group_concat(lot_id || ':' || points)"
                      " FROM (SELECT lot_id, points FROM points_lot_uses"
                      " WHERE entry_id = %lld ORDER BY points DESC)",
                      (long long)v.spend_entry_id), want);
  assert_int_equal(balance(c, cust, "fx_loyalty"), 400);
  assert_string_equal(q_text(c, "SELECT kind || ' ' || points || ' ' ||"
                      " (event_id = %lld) || ' ' || (at - %lld) FROM"
                      " points_ledger WHERE id = %lld",
                      (long long)v.event_id, (long long)T0,
                      (long long)v.spend_entry_id), "spend -500 1 86400");
  assert_string_equal(q_text(c, "SELECT type || ' ' || idem_key || ' ' ||"
                      " payload FROM events WHERE id = %lld",
                      (long long)v.event_id),
                      "points_redeem r1 {\"scheme\":\"fx_loyalty\","
                      "\"item\":\"V5\"}");
  /* the retry returns the same voucher and changes nothing */
  redeem_ok(c, cust, "V5", "r1", T0 + 2 * D, &again);
  assert_string_equal(again.code, v.code);
  assert_int_equal(again.id, v.id);
  assert_int_equal(balance(c, cust, "fx_loyalty"), 400);
  assert_int_equal(q_int(c, "SELECT count(*) FROM vouchers"), 1);
  assert_int_equal(q_int(c, "SELECT issued FROM reward_stock"), 1);
  /* the same key for another item */
  assert_int_equal(crm_points_redeem(c, cust, "FREE", &op, &again),
                   CRM_EEXIST);
  assert_int_equal(balance(c, cust, "fx_loyalty"), 400);
  assert_int_equal(crm_points_check(c, cust, "fx_loyalty"), 0);
  /* the voucher as read back */
  assert_int_equal(crm_voucher_get(c, v.code, &again), 0);
  assert_int_equal(again.spend_entry_id, v.spend_entry_id);
  assert_string_equal(again.state, "issued");
  crm_close(c);
}

static void test_not_enough_points(void **state)
{
  crm *c = open_conf(conf_main);
  int64_t cust = t_add_customer(c, "bob");
  crm_points_op op = op_at("r1", T0);
  crm_voucher v;
  int64_t events;

  (void)state;
  earn(c, cust, T0, 300, 0, "e1");
  events = q_int(c, "SELECT count(*) FROM events");
  assert_int_equal(crm_points_redeem(c, cust, "V5", &op, &v), CRM_ESTATE);
  assert_string_equal(crm_errmsg(c), "not enough points: balance 300, "
                      "needs 500");
  assert_int_equal(balance(c, cust, "fx_loyalty"), 300);
  assert_int_equal(q_int(c, "SELECT count(*) FROM events"), events);
  assert_int_equal(q_int(c, "SELECT count(*) FROM vouchers"), 0);
  assert_int_equal(q_int(c, "SELECT count(*) FROM reward_stock"), 0);
  assert_int_equal(q_int(c, "SELECT count(*) FROM points_lot_uses"), 0);
  assert_int_equal(q_int(c, "SELECT count(*) FROM points_ledger WHERE"
                   " kind = 'spend'"), 0);
  /* with enough points the same key works afterwards */
  earn(c, cust, T0, 200, 0, "e2");
  redeem_ok(c, cust, "V5", "r1", T0, &v);
  assert_int_equal(balance(c, cust, "fx_loyalty"), 0);
  crm_close(c);
}

struct items {
  char text[512];
};

static int items_cb(void *ud, const crm_reward_item *it)
{
  struct items *s = ud;
  size_t n = strlen(s->text);

  snprintf(s->text + n, sizeof(s->text) - n, "%s/%s %s %s cost=%lld "
           "value=%lld stock=%lld issued=%lld days=%d auto=%d|", it->scheme,
           it->code, it->name, it->type, (long long)it->cost,
           (long long)it->value, (long long)it->stock,
           (long long)it->issued, it->voucher_days, it->auto_redeem);
  return 0;
}

static void test_out_of_stock(void **state)
{
  crm *c = open_conf(conf_main);
  int64_t cust = t_add_customer(c, "cy");
  crm_points_op op = op_at("r3", T0);
  crm_points_op vop = op_at("void1", T0);
  struct items items;
  crm_voucher v1, v2, v3;

  (void)state;
  earn(c, cust, T0, 1500, 0, "e1");
  redeem_ok(c, cust, "V5", "r1", T0, &v1);
  redeem_ok(c, cust, "V5", "r2", T0, &v2);
  assert_string_not_equal(v1.code, v2.code);
  assert_int_equal(crm_points_redeem(c, cust, "V5", &op, &v3), CRM_ESTATE);
  assert_string_equal(crm_errmsg(c), "item \"V5\" is out of stock: 2 of 2 "
                      "issued");
  assert_int_equal(balance(c, cust, "fx_loyalty"), 500);
  memset(&items, 0, sizeof(items));
  assert_int_equal(crm_rewards_foreach(c, NULL, items_cb, &items), 0);
  assert_string_equal(items.text, "fx_loyalty/V5 5 off voucher cost=500 "
                      "value=500 stock=2 issued=2 days=30 auto=0|"
                      "fx_loyalty/FREE free coffee free_item cost=300 "
                      "value=0 stock=-1 issued=0 days=0 auto=0|");
  /* a void gives the stock back */
  void_ok(c, v1.code, &vop);
  redeem_ok(c, cust, "V5", "r3", T0, &v3);
  assert_int_equal(balance(c, cust, "fx_loyalty"), 500);
  assert_int_equal(q_int(c, "SELECT issued FROM reward_stock WHERE"
                   " item = 'V5'"), 2);
  crm_close(c);
}

static void test_validity(void **state)
{
  crm *c = open_conf(conf_main);
  int64_t cust = t_add_customer(c, "dee");
  int64_t feb1 = 0, dec31 = 0;
  crm_points_op op;
  crm_voucher v;

  (void)state;
  assert_int_equal(crm_time_parse("2026-02-01", &feb1), 0);
  assert_int_equal(crm_time_parse("2025-12-31T23:59:59Z", &dec31), 0);
  crm_set_now(c, feb1);
  earn(c, cust, dec31 - 1, 1000, -1, "e1");
  op = op_at("late", feb1); /* valid_until is exclusive */
  assert_int_equal(crm_points_redeem(c, cust, "FREE", &op, &v), CRM_ESTATE);
  assert_string_equal(crm_errmsg(c), "item \"FREE\" cannot be redeemed at "
                      "2026-02-01T00:00:00Z: valid from 2026-01-01T00:00:00Z "
                      "until 2026-02-01T00:00:00Z");
  op = op_at("early", dec31);
  assert_int_equal(crm_points_redeem(c, cust, "FREE", &op, &v), CRM_ESTATE);
  assert_string_equal(crm_errmsg(c), "item \"FREE\" cannot be redeemed at "
                      "2025-12-31T23:59:59Z: valid from 2026-01-01T00:00:00Z "
                      "until 2026-02-01T00:00:00Z");
  assert_int_equal(balance(c, cust, "fx_loyalty"), 1000);
  redeem_ok(c, cust, "FREE", "ok", feb1 - 1, &v);
  assert_string_equal(v.type, "free_item");
  assert_int_equal(v.valid_until, 0);
  assert_int_equal(balance(c, cust, "fx_loyalty"), 700);
  crm_close(c);
}

static void test_op_errors(void **state)
{
  crm *c = open_conf(conf_main);
  int64_t cust = t_add_customer(c, "eve");
  crm_points_op op = op_at(NULL, T0);
  crm_voucher v;

  (void)state;
  assert_int_equal(crm_points_redeem(c, cust, "V5", &op, &v), CRM_EINVAL);
  assert_string_equal(crm_errmsg(c), "idempotency key is required");
  op.idempotency_key = "core:auto:x";
  assert_int_equal(crm_points_redeem(c, cust, "V5", &op, &v), CRM_EINVAL);
  assert_string_equal(crm_errmsg(c), "idempotency keys starting with "
                      "\"core:\" are reserved");
  op.idempotency_key = "k";
  assert_int_equal(crm_points_redeem(c, cust, "ZZ", &op, &v), CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(c), "no item \"ZZ\" in the catalogue of "
                      "scheme \"fx_loyalty\"");
  assert_int_equal(crm_points_redeem(c, 999, "V5", &op, &v), CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(c), "unknown customer #999");
  op.scheme = "nope";
  assert_int_equal(crm_points_redeem(c, cust, "V5", &op, &v), CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(c), "no reward scheme \"nope\" is loaded "
                      "(loaded: fx_loyalty)");
  assert_int_equal(crm_voucher_get(c, "NOPE", &v), CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(c), "unknown voucher NOPE");
  op.scheme = NULL;
  assert_int_equal(crm_voucher_use(c, "NOPE", &op), CRM_ENOTFOUND);
  assert_int_equal(crm_voucher_void(c, "NOPE", &op), CRM_ENOTFOUND);
  crm_close(c);
}

/* ---- vouchers ----------------------------------------------------------- */

static void test_use_once(void **state)
{
  crm *c = open_conf(conf_main);
  int64_t cust = t_add_customer(c, "fay");
  crm_points_op u1 = op_at("u1", T0 + D);
  crm_points_op u2 = op_at("u2", T0 + 2 * D);
  crm_points_op vd = op_at("v1", T0 + 2 * D);
  crm_voucher v, r;
  char want[128];
  char lower[32];
  size_t i;

  (void)state;
  crm_set_now(c, T0 + 2 * D);
  earn(c, cust, T0, 600, 0, "e1");
  redeem_ok(c, cust, "V5", "r1", T0, &v);
  assert_int_equal(crm_voucher_use(c, v.code, &u1), 0);
  for(i = 0; i <= strlen(v.code); i++)
    lower[i] = (char)(v.code[i] >= 'A' && v.code[i] <= 'Z' ? v.code[i] + 32
                                                             : v.code[i]);
  assert_int_equal(crm_voucher_get(c, lower, &r), 0);
  assert_string_equal(r.state, "used");
  assert_int_equal(r.used_at, T0 + D);
  snprintf(want, sizeof(want), "voucher %s was already used at "
           "2026-01-11T00:00:00Z", v.code);
  assert_int_equal(crm_voucher_use(c, v.code, &u2), CRM_ESTATE);
  assert_string_equal(crm_errmsg(c), want);
  assert_int_equal(crm_voucher_void(c, v.code, &vd), CRM_ESTATE);
  assert_string_equal(crm_errmsg(c), want);
  /* the first use retried: fine, nothing new */
  assert_int_equal(crm_voucher_use(c, v.code, &u1), 0);
  assert_int_equal(q_int(c, "SELECT count(*) FROM events WHERE"
                   " type = 'voucher_use'"), 1);
  assert_int_equal(q_int(c, "SELECT count(*) FROM events WHERE"
                   " type = 'voucher_void'"), 0);
  assert_int_equal(balance(c, cust, "fx_loyalty"), 100);
  crm_close(c);
}

static void test_expired_voucher(void **state)
{
  crm *c = open_conf(conf_main);
  int64_t cust = t_add_customer(c, "gus");
  crm_points_op u = op_at("u1", T0 + 30 * D);
  crm_voucher v, r;
  char want[128];

  (void)state;
  earn(c, cust, T0, 500, -1, "e1");
  redeem_ok(c, cust, "V5", "r1", T0, &v);
  crm_set_now(c, T0 + 30 * D - 1);
  assert_int_equal(crm_voucher_get(c, v.code, &r), 0);
  assert_string_equal(r.state, "issued");
  crm_set_now(c, T0 + 30 * D);
  assert_int_equal(crm_voucher_get(c, v.code, &r), 0);
  assert_string_equal(r.state, "expired");
  snprintf(want, sizeof(want), "voucher %s expired at 2026-02-09T00:00:00Z",
           v.code);
  assert_int_equal(crm_voucher_use(c, v.code, &u), CRM_ESTATE);
  assert_string_equal(crm_errmsg(c), want);
  crm_close(c);
}

static void test_void_restores_lots(void **state)
{
  crm *c = open_conf(conf_main);
  int64_t cust = t_add_customer(c, "hal");
  struct lots l = three_lots(c, cust);
  crm_points_op vd = op_at("v1", T0 + 2 * D);
  crm_points_op u = op_at("u1", T0 + 3 * D);
  crm_voucher v, r;
  char want[128];
  int64_t void_event;

  (void)state;
  crm_set_now(c, T0 + 3 * D);
  redeem_ok(c, cust, "V5", "r1", T0 + D, &v);
  void_ok(c, v.code, &vd);
  assert_int_equal(lot_left(c, l.a), 200);
  assert_int_equal(lot_left(c, l.b), 300);
  assert_int_equal(lot_left(c, l.c), 400);
  assert_int_equal(balance(c, cust, "fx_loyalty"), 900);
  void_event = q_int(c, "SELECT id FROM events WHERE type = 'voucher_void'");
  assert_true(void_event > 0);
  snprintf(want, sizeof(want), "500 %lld %lld", (long long)v.spend_entry_id,
           (long long)(T0 + 2 * D));
  assert_string_equal(q_text(c, "SELECT points || ' ' || ref_entry_id || ' '"
                      " || at FROM points_ledger WHERE kind = 'reverse' AND"
                      " event_id = %lld", (long long)void_event), want);
  assert_int_equal(q_int(c, "SELECT issued FROM reward_stock"), 0);
  assert_int_equal(crm_voucher_get(c, v.code, &r), 0);
  assert_string_equal(r.state, "voided");
  assert_int_equal(r.voided_at, T0 + 2 * D);
  /* retried: nothing more */
  void_ok(c, v.code, &vd);
  assert_int_equal(balance(c, cust, "fx_loyalty"), 900);
  snprintf(want, sizeof(want), "voucher %s was voided at "
           "2026-01-12T00:00:00Z", v.code);
  assert_int_equal(crm_voucher_use(c, v.code, &u), CRM_ESTATE);
  assert_string_equal(crm_errmsg(c), want);
  assert_int_equal(crm_points_check(c, cust, "fx_loyalty"), 0);
  crm_close(c);
}

/* Voided after C's date: C gets its 400 back and expires them at once
 * (dated T0+20); A keeps its 200. */
static void test_void_after_expiry(void **state)
{
  crm *c = open_conf(conf_main);
  int64_t cust = t_add_customer(c, "ida");
  struct lots l = three_lots(c, cust);
  crm_points_op vd = op_at("v1", T0 + 30 * D);
  crm_voucher v;
  char want[64];

  (void)state;
  crm_set_now(c, T0 + 30 * D);
  redeem_ok(c, cust, "V5", "r1", T0 + D, &v);
  assert_int_equal(balance(c, cust, "fx_loyalty"), 400);
  void_ok(c, v.code, &vd);
  assert_int_equal(lot_left(c, l.a), 200);
  assert_int_equal(lot_left(c, l.b), 300);
  assert_int_equal(lot_left(c, l.c), 0);
  assert_int_equal(balance(c, cust, "fx_loyalty"), 500);
  snprintf(want, sizeof(want), "-400 %lld", (long long)(T0 + 20 * D));
  assert_string_equal(q_text(c, "SELECT group_concat(points || ' ' || at)"
                      " FROM points_ledger WHERE kind = 'expire' AND"
                      " lot_id = %lld", (long long)l.c), want);
  assert_int_equal(crm_points_check(c, cust, "fx_loyalty"), 0);
  crm_close(c);
}

struct vlist {
  char text[512];
};

static int vlist_cb(void *ud, const crm_voucher *v)
{
  struct vlist *s = ud;
  size_t n = strlen(s->text);

  snprintf(s->text + n, sizeof(s->text) - n, "%s %s %lld %s|", v->item,
           v->type, (long long)v->cost, v->state);
  return 0;
}

/* ---- auto-redeem and payouts -------------------------------------------- */

static void test_auto_redeem(void **state)
{
  crm *c = open_conf(
    "plugins = { load = ( { name = \"fx_loyalty2\"; scheme = {\n"
    "  auto_redeem = \"A1\";\n"
    "  catalogue = ( { code = \"A1\"; name = \"1.00 back\";\n"
    "    type = \"cash_rebate\"; cost = 100; value = 100; } ); }; } ); };\n");
  int64_t cust = t_add_customer(c, "jo");
  struct vlist vl;
  struct items items;
  int64_t e1, e2;

  (void)state;
  e1 = earn(c, cust, T0, 250, 0, "e1");
  assert_int_equal(balance(c, cust, "fx_loyalty2"), 50);
  assert_string_equal(q_text(c, "SELECT group_concat(idem_key, ' ') FROM"
                      " (SELECT idem_key FROM events WHERE type ="
                      " 'points_redeem' ORDER BY id)"),
                      lt_fmt("core:auto:fx_loyalty2:%lld:1 "
                             "core:auto:fx_loyalty2:%lld:2", (long long)e1,
                             (long long)e1));
  e2 = earn(c, cust, T0 + D, 60, 0, "e2");
  assert_int_equal(balance(c, cust, "fx_loyalty2"), 10);
  assert_int_equal(q_int(c, "SELECT count(*) FROM events WHERE idem_key ="
                   " 'core:auto:fx_loyalty2:%lld:1'", (long long)e2), 1);
  memset(&vl, 0, sizeof(vl));
  assert_int_equal(crm_vouchers_foreach(c, cust, vlist_cb, &vl), 0);
  assert_string_equal(vl.text, "A1 cash_rebate 100 issued|A1 cash_rebate 100 "
                      "issued|A1 cash_rebate 100 issued|");
  memset(&items, 0, sizeof(items));
  assert_int_equal(crm_rewards_foreach(c, NULL, items_cb, &items), 0);
  assert_string_equal(items.text, "fx_loyalty2/A1 1.00 back cash_rebate "
                      "cost=100 value=100 stock=-1 issued=3 days=0 auto=1|");
  assert_int_equal(crm_points_check(c, cust, "fx_loyalty2"), 0);
  crm_close(c);
}

static void due_all(crm *c, int64_t as_of)
{
  crm_due_stats st;
  int rc;

  memset(&st, 0, sizeof(st));
  rc = crm__tx_begin(c);
  if(!rc)
    rc = crm__lots_due(c, 0, as_of, &st);
  if(rc) {
    crm__tx_rollback(c);
    fail_msg("due: %s", crm_errmsg(c));
  }
  assert_int_equal(crm__tx_commit(c), 0);
}

/* Points that become available at release are auto-redeemed too, under
 * keys derived from the event that earned them. */
static void test_auto_redeem_on_release(void **state)
{
  crm *c = open_conf(
    "plugins = { load = ( { name = \"fx_loyalty2\"; scheme = {\n"
    "  pending_days = 5; auto_redeem = \"A1\";\n"
    "  catalogue = ( { code = \"A1\"; type = \"cash_rebate\"; cost = 100;"
    " } ); }; } ); };\n");
  int64_t cust = t_add_customer(c, "lee");
  crm_points_account a;
  int64_t e1;

  (void)state;
  e1 = earn(c, cust, T0, 250, 0, "e1"); /* pending until T0+5 */
  t_event(c, cust, "purchase", T0 + D, 1000,
          "{\"pts\":50,\"pending_until\":-1}", "e2");
  assert_int_equal(crm__account_read(c, cust, "fx_loyalty2", &a), 0);
  assert_int_equal(a.balance, 50);
  assert_int_equal(a.pending, 250);
  assert_int_equal(q_int(c, "SELECT count(*) FROM vouchers"), 0);
  due_all(c, T0 + 5 * D); /* 300 available: three vouchers, 0 left */
  assert_int_equal(crm__account_read(c, cust, "fx_loyalty2", &a), 0);
  assert_int_equal(a.balance, 0);
  assert_int_equal(a.pending, 0);
  assert_string_equal(q_text(c, "SELECT group_concat(idem_key, ' ') FROM"
                      " (SELECT idem_key FROM events WHERE type ="
                      " 'points_redeem' ORDER BY id)"),
                      lt_fmt("core:auto:fx_loyalty2:%lld:1 "
                             "core:auto:fx_loyalty2:%lld:2 "
                             "core:auto:fx_loyalty2:%lld:3", (long long)e1,
                             (long long)e1, (long long)e1));
  assert_int_equal(q_int(c, "SELECT count(*) FROM vouchers WHERE issued_at"
                   " = %lld", (long long)(T0 + 5 * D)), 3);
  assert_int_equal(crm_points_check(c, cust, "fx_loyalty2"), 0);
  crm_close(c);
}

struct plist {
  char text[512];
};

static int plist_cb(void *ud, const crm_payout *p)
{
  struct plist *s = ud;
  size_t n = strlen(s->text);

  snprintf(s->text + n, sizeof(s->text) - n, "%s %lld %lld %s|", p->scheme,
           (long long)p->amount, (long long)((p->at - T0) / D),
           p->note ? p->note : "-");
  return 0;
}

static void test_payout(void **state)
{
  crm *c = open_conf(
    "plugins = { load = ( { name = \"fx_loyalty2\"; scheme = {\n"
    "  pending_days = 10; release_action = \"payout\"; }; } ); };\n");
  int64_t cust = t_add_customer(c, "kim");
  struct plist pl;
  crm_points_account a;
  int64_t lot;

  (void)state;
  lot = lot_of(c, earn(c, cust, T0, 300, 0, "e1"));
  assert_int_equal(crm__account_read(c, cust, "fx_loyalty2", &a), 0);
  assert_int_equal(a.pending, 300);
  due_all(c, T0 + 10 * D - 1);
  memset(&pl, 0, sizeof(pl));
  assert_int_equal(crm_payouts_foreach(c, cust, plist_cb, &pl), 0);
  assert_string_equal(pl.text, "");
  due_all(c, T0 + 10 * D);
  due_all(c, T0 + 20 * D); /* nothing twice */
  assert_int_equal(crm_payouts_foreach(c, cust, plist_cb, &pl), 0);
  assert_string_equal(pl.text, lt_fmt("fx_loyalty2 300 10 payout of lot "
                                      "#%lld|", (long long)lot));
  assert_int_equal(crm__account_read(c, cust, "fx_loyalty2", &a), 0);
  assert_int_equal(a.balance, 0);
  assert_int_equal(a.pending, 0);
  assert_int_equal(q_int(c, "SELECT count(*) FROM events WHERE type ="
                   " 'points_payout' AND idem_key = 'core:payout:%lld'",
                   (long long)lot), 1);
  assert_int_equal(q_int(c, "SELECT sum(points) FROM points_ledger WHERE"
                   " kind = 'spend'"), -300);
  assert_int_equal(crm_points_check(c, cust, "fx_loyalty2"), 0);
  crm_close(c);
}

/* ---- voiding while points are owed -------------------------------------- */

static crm_points_account account(crm *c, int64_t cust, const char *scheme)
{
  crm_points_account a;

  if(crm__account_read(c, cust, scheme, &a))
    fail_msg("account: %s", crm_errmsg(c));
  return a;
}

/* allow_negative false: e1 earns 500 (T0, expiring T0+100), V5 takes
 * them (T0+1), the dealer-style refund of 500 (T0+2) finds nothing left:
 * a shortfall of 500. The void (T0+3) gives the 500 back to the lot and
 * they pay the shortfall at once (a reverse line naming the refund):
 * balance 0, nothing owed, and a second V5 is refused. */
static void test_void_pays_shortfall(void **state)
{
  crm *c = open_conf(conf_main);
  int64_t cust = t_add_customer(c, "ned");
  crm_points_op vd = op_at("v1", T0 + 3 * D);
  crm_points_op r2 = op_at("r2", T0 + 3 * D);
  crm_points_account a;
  crm_voucher v;
  int64_t lot, refund, void_event;

  (void)state;
  crm_set_now(c, T0 + 3 * D);
  lot = lot_of(c, earn(c, cust, T0, 500, 0, "e1"));
  redeem_ok(c, cust, "V5", "r1", T0 + D, &v);
  refund = t_event(c, cust, "refund", T0 + 2 * D, 5000, "{\"pts\":-500}",
                   "n1").event_id;
  a = account(c, cust, "fx_loyalty");
  assert_int_equal(a.balance, 0);
  assert_int_equal(a.shortfall, 500);
  void_ok(c, v.code, &vd);
  a = account(c, cust, "fx_loyalty");
  assert_int_equal(a.balance, 0);
  assert_int_equal(a.shortfall, 0);
  assert_int_equal(a.overdraft, 0);
  assert_int_equal(lot_left(c, lot), 0);
  void_event = q_int(c, "SELECT id FROM events WHERE type = 'voucher_void'");
  assert_string_equal(q_text(c, "SELECT group_concat(points || ' ' ||"
                      " (coalesce(ref_event_id, 0) = %lld), ',') FROM"
                      " (SELECT points, ref_event_id FROM points_ledger"
                      " WHERE event_id = %lld ORDER BY id)", (long long)refund,
                      (long long)void_event), "500 0,-500 1");
  assert_int_equal(q_int(c, "SELECT recovered FROM points_shortfalls"), 500);
  assert_int_equal(crm_points_redeem(c, cust, "V5", &r2, &v), CRM_ESTATE);
  assert_string_equal(crm_errmsg(c), "not enough points: balance 0, needs "
                      "500");
  assert_int_equal(crm_points_check(c, cust, "fx_loyalty"), 0);
  crm_close(c);
}

/* allow_negative true: the same refund leaves an overdraft of 500
 * (balance -500). The void's 500 fill it: balance 0, overdraft 0, the lot
 * empty, so its expiry (T0+100) takes nothing more. */
static void test_void_fills_overdraft(void **state)
{
  crm *c = open_conf(
    "plugins = { load = ( { name = \"fx_loyalty\"; scheme = {\n"
    "  allow_negative = true;\n"
    "  expiry = { mode = \"relative\"; days = 100; };\n"
    "  catalogue = ( { code = \"V5\"; type = \"voucher\"; cost = 500; } );"
    " }; } ); };\n");
  int64_t cust = t_add_customer(c, "ola");
  crm_points_op vd = op_at("v1", T0 + 3 * D);
  crm_points_account a;
  crm_voucher v;
  int64_t lot;

  (void)state;
  crm_set_now(c, T0 + 3 * D);
  lot = lot_of(c, earn(c, cust, T0, 500, 0, "e1"));
  redeem_ok(c, cust, "V5", "r1", T0 + D, &v);
  t_event(c, cust, "refund", T0 + 2 * D, 5000, "{\"pts\":-500}", "n1");
  a = account(c, cust, "fx_loyalty");
  assert_int_equal(a.balance, -500);
  assert_int_equal(a.overdraft, 500);
  void_ok(c, v.code, &vd);
  a = account(c, cust, "fx_loyalty");
  assert_int_equal(a.balance, 0);
  assert_int_equal(a.overdraft, 0);
  assert_int_equal(lot_left(c, lot), 0);
  assert_int_equal(crm_points_check(c, cust, "fx_loyalty"), 0);
  due_all(c, T0 + 200 * D);
  a = account(c, cust, "fx_loyalty");
  assert_int_equal(a.balance, 0);
  assert_int_equal(a.overdraft, 0);
  assert_int_equal(q_int(c, "SELECT count(*) FROM points_ledger WHERE"
                   " kind = 'expire'"), 0);
  assert_int_equal(crm_points_check(c, cust, "fx_loyalty"), 0);
  crm_close(c);
}

/* An expired voucher cannot be voided for its points: V5 issued at T0
 * is valid until T0+30 (2026-02-09). */
static void test_void_expired_voucher(void **state)
{
  crm *c = open_conf(conf_main);
  int64_t cust = t_add_customer(c, "pia");
  crm_points_op vd = op_at("v1", T0 + 30 * D);
  crm_voucher v, r;
  char want[128];

  (void)state;
  earn(c, cust, T0, 500, -1, "e1");
  redeem_ok(c, cust, "V5", "r1", T0, &v);
  crm_set_now(c, T0 + 30 * D);
  snprintf(want, sizeof(want), "voucher %s expired on 2026-02-09T00:00:00Z; "
           "its points are not returned", v.code);
  assert_int_equal(crm_voucher_void(c, v.code, &vd), CRM_ESTATE);
  assert_string_equal(crm_errmsg(c), want);
  assert_int_equal(balance(c, cust, "fx_loyalty"), 0);
  assert_int_equal(crm_voucher_get(c, v.code, &r), 0);
  assert_string_equal(r.state, "expired");
  assert_int_equal(q_int(c, "SELECT count(*) FROM events WHERE"
                   " type = 'voucher_void'"), 0);
  crm_close(c);
}

/* Operation times: not in the future (a redemption dated at the release
 * would release pending points early and spend them), not before the
 * account's newest entry. now = T0. e1 (T0) 500 pending until T0+10:
 * redeeming at T0+10 is refused and the points stay pending. */
static void test_op_time(void **state)
{
  crm *c = open_conf(
    "plugins = { load = ( { name = \"fx_loyalty\"; scheme = {\n"
    "  pending_days = 10;\n"
    "  catalogue = ( { code = \"V5\"; type = \"voucher\"; cost = 500;"
    " voucher_days = 30; } ); }; } ); };\n");
  int64_t cust = t_add_customer(c, "quin");
  crm_points_op op = op_at("r1", T0 + 10 * D);
  crm_points_account a;
  crm_voucher v;

  (void)state;
  earn(c, cust, T0, 500, 0, "e1");
  assert_int_equal(crm_points_redeem(c, cust, "V5", &op, &v), CRM_EINVAL);
  assert_string_equal(crm_errmsg(c), "operation time 2026-01-20T00:00:00Z "
                      "is in the future (now 2026-01-10T00:00:00Z)");
  a = account(c, cust, "fx_loyalty");
  assert_int_equal(a.balance, 0);
  assert_int_equal(a.pending, 500);
  assert_int_equal(q_int(c, "SELECT count(*) FROM events WHERE"
                   " type = 'points_redeem'"), 0);
  /* at T0+12: released on T0+10; e2 (T0+11) earns 100 at once */
  crm_set_now(c, T0 + 12 * D);
  t_event(c, cust, "purchase", T0 + 11 * D, 1000,
          "{\"pts\":100,\"pending_until\":-1}", "e2");
  op = op_at("r1", T0 + 10 * D);
  assert_int_equal(crm_points_redeem(c, cust, "V5", &op, &v), CRM_EINVAL);
  assert_string_equal(crm_errmsg(c), "operation time 2026-01-20T00:00:00Z "
                      "is before the newest ledger entry of customer #1 in "
                      "scheme \"fx_loyalty\" (2026-01-21T00:00:00Z)");
  redeem_ok(c, cust, "V5", "r1", T0 + 11 * D, &v);
  op = op_at("u1", T0 + 12 * D + 1);
  assert_int_equal(crm_voucher_use(c, v.code, &op), CRM_EINVAL);
  assert_int_equal(crm_voucher_void(c, v.code, &op), CRM_EINVAL);
  op = op_at("u1", T0 + 10 * D);
  assert_int_equal(crm_voucher_use(c, v.code, &op), CRM_EINVAL);
  assert_string_equal(crm_errmsg(c), "operation time 2026-01-20T00:00:00Z "
                      "is before the newest ledger entry of customer #1 in "
                      "scheme \"fx_loyalty\" (2026-01-21T00:00:00Z)");
  assert_int_equal(crm_voucher_void(c, v.code, &op), CRM_EINVAL);
  op = op_at("u1", 0);
  assert_int_equal(crm_voucher_use(c, v.code, &op), CRM_OK);
  assert_int_equal(crm_voucher_get(c, v.code, &v), 0);
  assert_int_equal(v.used_at, T0 + 12 * D);
  assert_int_equal(balance(c, cust, "fx_loyalty"), 100);
  /* the redemption retried under its key: its first result */
  op = op_at("r1", T0 + 11 * D);
  assert_int_equal(crm_points_redeem(c, cust, "V5", &op, &v), CRM_OK);
  assert_int_equal(balance(c, cust, "fx_loyalty"), 100);
  assert_int_equal(crm_points_check(c, cust, "fx_loyalty"), 0);
  crm_close(c);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_redeem_lot_order),
    cmocka_unit_test(test_not_enough_points),
    cmocka_unit_test(test_out_of_stock),
    cmocka_unit_test(test_validity),
    cmocka_unit_test(test_op_errors),
    cmocka_unit_test(test_use_once),
    cmocka_unit_test(test_expired_voucher),
    cmocka_unit_test(test_void_restores_lots),
    cmocka_unit_test(test_void_after_expiry),
    cmocka_unit_test(test_auto_redeem),
    cmocka_unit_test(test_auto_redeem_on_release),
    cmocka_unit_test(test_payout),
    cmocka_unit_test(test_void_pays_shortfall),
    cmocka_unit_test(test_void_fills_overdraft),
    cmocka_unit_test(test_void_expired_voucher),
    cmocka_unit_test(test_op_time),
  };

  return cmocka_run_group_tests_name("redeem", tests, setup, teardown);
}
