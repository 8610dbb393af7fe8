/*
 * redeem.c - the catalogue, stock, redemption (issuing vouchers),
 * auto-redeem and payouts. Vouchers once issued are voucher.c's.
 *
 * A redemption is a core event "points_redeem" {"scheme","item"} under
 * the caller's idempotency key: a retry finds the event and returns the
 * voucher issued the first time. It writes one `spend` line (drawing the
 * soonest-expiring lots, points_lot.c), counts the item in reward_stock
 * and issues a voucher whose code is the scheme's prefix and eight
 * characters drawn from the kernel's random source over an alphabet
 * without 0/O/1/I ("SM-7KQ2-M9XD"); a collision draws again.
 *
 * The public entry points take their own transaction and first apply
 * what fell due for the customer by the operation's time. That time may
 * not be in the future (due work would release pending points early)
 * nor, for a new redemption, before the newest ledger entry of the
 * account (crm__op_time_check).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "points_int.h"

#define RD_KEY_MAX 128
#define RD_CODE_TRIES 16
#define RD_AUTO_MAX 1000

static const char rd_alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

static const char rd_sql_voucher_add[] =
  "INSERT INTO vouchers(code, customer_id, scheme, item, type, cost, value,"
  " state, event_id, spend_entry_id, issued_at, valid_until)"
  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, 'issued', ?8, nullif(?9, 0), ?10,"
  " nullif(?11, 0))";
static const char rd_sql_code_taken[] =
  "SELECT count(*) FROM vouchers WHERE code = ?1";
static const char rd_sql_stock_get[] =
  "SELECT issued FROM reward_stock WHERE scheme = ?1 AND item = ?2";
static const char rd_sql_stock_add[] =
  "INSERT INTO reward_stock(scheme, item, issued) VALUES(?1, ?2, 1)"
  " ON CONFLICT(scheme, item) DO UPDATE SET issued = issued + 1";
static const char rd_sql_stock_release[] =
  "UPDATE reward_stock SET issued = issued - 1 WHERE scheme = ?1"
  " AND item = ?2 AND issued > 0";
static const char rd_sql_customer[] = "SELECT count(*) FROM customers"
                                      " WHERE id = ?1";
static const char rd_sql_payload[] =
  "SELECT json_object('scheme', ?1, 'item', ?2)";
static const char rd_sql_payout_payload[] =
  "SELECT json_object('scheme', ?1, 'lot', ?2, 'amount', ?3)";
static const char rd_sql_payout_add[] =
  "INSERT INTO payouts(customer_id, scheme, amount, event_id, entry_id, at,"
  " note) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
/* The lot a payout is for: the one whose release was just written. */
static const char rd_sql_released_lot[] =
  "SELECT coalesce(lot_id, 0) FROM points_ledger WHERE customer_id = ?1"
  " AND scheme = ?2 AND event_id IS ?3 AND kind = 'release' AND at = ?4"
  " ORDER BY id DESC LIMIT 1";
static const char rd_sql_payouts[] =
  "SELECT id, customer_id, scheme, amount, at, coalesce(event_id, 0),"
  " coalesce(entry_id, 0), note FROM payouts WHERE customer_id = ?1"
  " ORDER BY id";

/* ---- shared with voucher.c ---------------------------------------------- */

int crm__redeem_text(crm *c, sqlite3_stmt *st, char *buf, size_t size,
                     const char *what)
{
  int rc = sqlite3_step(st);

  buf[0] = '\0';
  if(rc == SQLITE_ROW)
    crm__col_text(st, 0, buf, size);
  sqlite3_reset(st);
  if(rc != SQLITE_ROW)
    return crm__sqlerr(c, rc, what);
  return CRM_OK;
}

void crm__redeem_iso(int64_t t, char *buf, size_t size)
{
  if(crm_time_format(t, buf, size))
    snprintf(buf, size, "%lld", (long long)t);
}

int crm__redeem_op_check(crm *c, const crm_points_op *op)
{
  const char *k = op ? op->idempotency_key : NULL;

  if(!op)
    return crm__err(c, CRM_EINVAL, "operation details are required");
  if(!k || !*k)
    return crm__err(c, CRM_EINVAL, "idempotency key is required");
  if(strlen(k) > RD_KEY_MAX)
    return crm__err(c, CRM_EINVAL, "idempotency key is longer than %d "
                    "characters", RD_KEY_MAX);
  if(strncmp(k, "core:", 5) == 0)
    return crm__err(c, CRM_EINVAL, "idempotency keys starting with "
                    "\"core:\" are reserved");
  return CRM_OK;
}

int crm__redeem_due(crm *c, int64_t customer_id, int64_t at)
{
  crm_due_stats stats;
  int rc;

  memset(&stats, 0, sizeof(stats));
  rc = crm__lots_due(c, customer_id, at, &stats);
  if(!rc)
    rc = crm__tier_due(c, customer_id, at, &stats);
  return rc;
}

int crm__redeem_finish(crm *c, int rc)
{
  if(rc < 0) {
    crm__tx_rollback(c);
    return rc;
  }
  return crm__tx_commit(c);
}

/* ---- small pieces ------------------------------------------------------- */

/* One integer from a prepared, bound statement (0 when no row). */
static int rd_step_int(crm *c, sqlite3_stmt *st, int64_t *out,
                       const char *what)
{
  int rc = sqlite3_step(st);

  *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_reset(st);
  if(rc != SQLITE_ROW && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, what);
  return CRM_OK;
}

static int rd_customer(crm *c, int64_t customer_id)
{
  sqlite3_stmt *st = crm__stmt(c, rd_sql_customer);
  int64_t n = 0;
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  rc = rd_step_int(c, st, &n, "finding a customer");
  if(!rc && !n)
    rc = crm__err(c, CRM_ENOTFOUND, "unknown customer #%lld",
                  (long long)customer_id);
  return rc;
}

/* ---- vouchers: issuing -------------------------------------------------- */

static int rd_random(crm *c, unsigned char *buf, size_t n)
{
  size_t got = 0;
  FILE *f;

  while(got < n) {
    ssize_t r = getrandom(buf + got, n - got, 0);

    if(r < 0 && errno == EINTR)
      continue;
    if(r <= 0)
      break;
    got += (size_t)r;
  }
  if(got == n)
    return CRM_OK;
  f = fopen("/dev/urandom", "rb");
  if(f) {
    got = fread(buf, 1, n, f);
    fclose(f);
  }
  if(got != n)
    return crm__err(c, CRM_ERROR, "no random source for voucher codes");
  return CRM_OK;
}

/* "supermarket_points" -> "SM", "miles" -> "MI": the initials of the
 * words (up to four), or the first two letters of a single word. */
static void rd_prefix(const char *scheme, char *out, size_t size)
{
  size_t n = 0;
  const char *p;
  int start = 1;

  for(p = scheme; *p && n < 4 && n + 1 < size; p++) {
    int alnum = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                (*p >= '0' && *p <= '9');

    if(alnum && start)
      out[n++] = *p >= 'a' && *p <= 'z' ? (char)(*p - 32) : *p;
    start = !alnum;
  }
  if(n == 1 && scheme[1] && n + 1 < size) {
    char ch = scheme[1];

    if((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
       (ch >= '0' && ch <= '9'))
      out[n++] = ch >= 'a' && ch <= 'z' ? (char)(ch - 32) : ch;
  }
  if(n == 0)
    out[n++] = 'V';
  out[n] = '\0';
}

static int rd_code_new(crm *c, const char *scheme, char *code, size_t size)
{
  unsigned char r[8];
  char pre[8];
  char s[9];
  size_t i;
  int rc = rd_random(c, r, sizeof(r));

  if(rc)
    return rc;
  for(i = 0; i < 8; i++)
    s[i] = rd_alphabet[r[i] & 31];
  s[8] = '\0';
  rd_prefix(scheme, pre, sizeof(pre));
  snprintf(code, size, "%s-%.4s-%.4s", pre, s, s + 4);
  return CRM_OK;
}

static int rd_code_unique(crm *c, const char *scheme, char *code,
                          size_t size)
{
  sqlite3_stmt *st;
  int64_t taken = 1;
  int tries;
  int rc = CRM_OK;

  for(tries = 0; !rc && taken && tries < RD_CODE_TRIES; tries++) {
    rc = rd_code_new(c, scheme, code, size);
    st = rc ? NULL : crm__stmt(c, rd_sql_code_taken);
    if(!rc && !st)
      rc = c->errcode;
    if(!rc) {
      sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
      rc = rd_step_int(c, st, &taken, "checking a voucher code");
    }
  }
  if(!rc && taken)
    rc = crm__err(c, CRM_ERROR, "no free voucher code after %d tries",
                  RD_CODE_TRIES);
  return rc;
}

int crm__redeem_stock(crm *c, const char *scheme, const char *item,
                      int take)
{
  sqlite3_stmt *st = crm__stmt(c, take ? rd_sql_stock_add
                                       : rd_sql_stock_release);

  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, scheme, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, item, -1, SQLITE_STATIC);
  return crm__step_end(c, st, "counting reward stock");
}

static int rd_stock_issued(crm *c, const char *scheme, const char *item,
                           int64_t *issued)
{
  sqlite3_stmt *st = crm__stmt(c, rd_sql_stock_get);

  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, scheme, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, item, -1, SQLITE_STATIC);
  return rd_step_int(c, st, issued, "reading reward stock");
}

/* CRM_ESTATE when the item cannot be redeemed at `at` for want of
 * validity, stock or points. */
static int rd_can_redeem(crm *c, const char *scheme,
                         const crm__catalogue_item *it, int64_t customer_id,
                         int64_t at)
{
  char a[32], f[32], u[32];
  crm_points_account acct;
  int64_t issued = 0;
  int rc;

  if((it->valid_from && at < it->valid_from) ||
     (it->valid_until && at >= it->valid_until)) {
    crm__redeem_iso(at, a, sizeof(a));
    crm__redeem_iso(it->valid_from, f, sizeof(f));
    crm__redeem_iso(it->valid_until, u, sizeof(u));
    return crm__err(c, CRM_ESTATE, "item \"%s\" cannot be redeemed at %s: "
                    "valid from %s until %s", it->code, a,
                    it->valid_from ? f : "the start",
                    it->valid_until ? u : "further notice");
  }
  rc = rd_stock_issued(c, scheme, it->code, &issued);
  if(rc)
    return rc;
  if(it->stock >= 0 && issued >= it->stock)
    return crm__err(c, CRM_ESTATE, "item \"%s\" is out of stock: %lld of "
                    "%lld issued", it->code, (long long)issued,
                    (long long)it->stock);
  rc = crm__account_read(c, customer_id, scheme, &acct);
  if(rc == CRM_ENOTFOUND) {
    crm__clear_err(c);
    memset(&acct, 0, sizeof(acct));
  } else if(rc) {
    return rc;
  }
  if(it->cost > 0 && acct.balance < it->cost)
    return crm__err(c, CRM_ESTATE, "not enough points: balance %lld, needs "
                    "%lld", (long long)acct.balance, (long long)it->cost);
  return CRM_OK;
}

static int rd_voucher_add(crm *c, const char *scheme,
                          const crm__catalogue_item *it, int64_t customer_id,
                          int64_t event_id, int64_t entry_id, int64_t at,
                          char *code, size_t size)
{
  sqlite3_stmt *st;
  int rc = rd_code_unique(c, scheme, code, size);

  if(rc)
    return rc;
  st = crm__stmt(c, rd_sql_voucher_add);
  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, customer_id);
  sqlite3_bind_text(st, 3, scheme, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, it->code, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, it->type, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 6, it->cost);
  sqlite3_bind_int64(st, 7, it->value);
  sqlite3_bind_int64(st, 8, event_id);
  sqlite3_bind_int64(st, 9, entry_id);
  sqlite3_bind_int64(st, 10, at);
  sqlite3_bind_int64(st, 11, it->voucher_days
                                 ? at + (int64_t)it->voucher_days * 86400
                                 : 0);
  return crm__step_end(c, st, "issuing a voucher");
}

/* The spend: one line of the redemption event, drawn from the lots. */
static int rd_spend(crm *c, const char *scheme, int64_t customer_id,
                    int64_t event_id, int64_t points, int64_t at,
                    const char *note, int64_t *entry_id)
{
  crm__line l;
  int rc;

  memset(&l, 0, sizeof(l));
  l.customer_id = customer_id;
  l.scheme = scheme;
  l.event_id = event_id;
  l.kind = "spend";
  l.points = -points;
  l.note = note;
  l.at = at;
  rc = crm__ledger_add(c, &l, entry_id);
  if(!rc)
    rc = crm__lots_draw(c, customer_id, scheme, *entry_id, points);
  return rc;
}

/* Redeems one item under key. 0: issued; 1: the key was seen and out
 * holds the voucher issued then; < 0: error (the caller rolls back).
 * timed: a caller's operation, whose time is checked against the
 * account's ledger (automatic ones run at due times). */
static int rd_redeem(crm *c, const crm__scheme *s, const char *scheme,
                     const crm__catalogue_item *it, int64_t customer_id,
                     const char *key, int64_t at, const char *actor,
                     int timed, crm_voucher *out)
{
  char payload[256];
  char code[32];
  sqlite3_stmt *st = crm__stmt(c, rd_sql_payload);
  int64_t event_id = 0;
  int64_t entry_id = 0;
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, scheme, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, it->code, -1, SQLITE_STATIC);
  rc = crm__redeem_text(c, st, payload, sizeof(payload), "building an event");
  if(!rc)
    rc = crm__event_record(c, customer_id, "points_redeem", payload, key, at,
                           &event_id);
  if(rc == 1) {
    rc = crm__voucher_find(c, NULL, event_id, out);
    return rc ? rc : 1;
  }
  if(!rc && timed)
    rc = crm__op_time_check(c, customer_id, scheme, at);
  if(!rc)
    rc = crm__account_ensure(c, customer_id, scheme, s, at);
  if(!rc)
    rc = rd_can_redeem(c, scheme, it, customer_id, at);
  if(!rc && it->cost > 0) /* 0: a goodwill voucher, nothing spent */
    rc = rd_spend(c, scheme, customer_id, event_id, it->cost, at, it->name,
                  &entry_id);
  if(!rc)
    rc = crm__redeem_stock(c, scheme, it->code, 1);
  if(!rc)
    rc = rd_voucher_add(c, scheme, it, customer_id, event_id, entry_id, at,
                        code, sizeof(code));
  if(!rc)
    rc = crm__audit(c, actor ? actor : "api", "points_redeem", code,
                    it->code);
  if(!rc)
    rc = crm__voucher_find(c, code, 0, out);
  return rc;
}

static int rd_item(crm *c, const crm__scheme *s, const char *scheme,
                   const char *code, const crm__catalogue_item **it)
{
  *it = crm__scheme_item(s, code);
  if(!*it)
    return crm__err(c, CRM_ENOTFOUND, "no item \"%s\" in the catalogue of "
                    "scheme \"%s\"", code, scheme);
  return CRM_OK;
}

int crm_points_redeem(crm *c, int64_t customer_id, const char *item,
                      const crm_points_op *op, crm_voucher *out)
{
  const crm__catalogue_item *it = NULL;
  crm__component *k = NULL;
  const crm__scheme *s = NULL;
  crm_voucher v;
  int64_t at;
  int rc;

  if(!c || !item)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__redeem_op_check(c, op);
  if(!rc)
    rc = crm__scheme_find(c, op->scheme, &k, &s);
  if(!rc)
    rc = rd_item(c, s, k->name, item, &it);
  if(!rc)
    rc = rd_customer(c, customer_id);
  if(!rc)
    rc = crm__tx_begin(c);
  if(rc)
    return rc;
  at = op->at ? op->at : crm_now(c);
  rc = crm__op_time_check(c, 0, NULL, at);
  if(!rc)
    rc = crm__redeem_due(c, customer_id, at);
  if(!rc)
    rc = rd_redeem(c, s, k->name, it, customer_id, op->idempotency_key, at,
                   op->actor, 1, out ? out : &v);
  rc = crm__redeem_finish(c, rc);
  return rc > 0 ? CRM_OK : rc;
}

/* A goodwill voucher (service recovery, case_recovery.c): the item at
 * cost 0, no spend line; validity and stock apply as to a redemption. */
int crm__redeem_gift(crm *c, const crm__scheme *s, const char *scheme,
                     const crm__catalogue_item *it, int64_t customer_id,
                     const char *key, int64_t at, const char *actor,
                     crm_voucher *out)
{
  crm__catalogue_item gift = *it;

  gift.cost = 0;
  return rd_redeem(c, s, scheme, &gift, customer_id, key, at, actor, 1, out);
}

/* ---- catalogue ---------------------------------------------------------- */

int crm_rewards_foreach(crm *c, const char *scheme,
                        int (*cb)(void *ud, const crm_reward_item *),
                        void *ud)
{
  crm__component *k = NULL;
  const crm__scheme *s = NULL;
  crm_reward_item ri;
  size_t i;
  int rc;

  if(!c || !cb)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__scheme_find(c, scheme, &k, &s);
  for(i = 0; !rc && i < s->n_items; i++) {
    const crm__catalogue_item *it = &s->items[i];

    memset(&ri, 0, sizeof(ri));
    rc = rd_stock_issued(c, k->name, it->code, &ri.issued);
    if(rc)
      break;
    ri.scheme = k->name;
    ri.code = it->code;
    ri.name = it->name;
    ri.type = it->type;
    ri.cost = it->cost;
    ri.value = it->value;
    ri.stock = it->stock;
    ri.valid_from = it->valid_from;
    ri.valid_until = it->valid_until;
    ri.voucher_days = it->voucher_days;
    ri.auto_redeem = strcmp(s->auto_redeem, it->code) == 0;
    rc = cb(ud, &ri);
  }
  return rc;
}

/* ---- auto-redeem and payouts -------------------------------------------- */

int crm__redeem_auto(crm *c, const crm__scheme *s, const char *scheme,
                     int64_t customer_id, int64_t cause_event_id,
                     int64_t at)
{
  const crm__catalogue_item *it = crm__scheme_item(s, s->auto_redeem);
  crm_voucher v;
  char key[256];
  int n;
  int rc = CRM_OK;

  for(n = 1; it && !rc && n <= RD_AUTO_MAX; n++) {
    rc = rd_can_redeem(c, scheme, it, customer_id, at);
    if(rc == CRM_ESTATE) {
      crm__clear_err(c); /* not affordable (any more): nothing to do */
      return CRM_OK;
    }
    snprintf(key, sizeof(key), "core:auto:%s:%lld:%d", scheme,
             (long long)cause_event_id, n);
    if(!rc)
      rc = rd_redeem(c, s, scheme, it, customer_id, key, at, "auto", 0, &v);
    /* a key used before (the same cause released more points later, or
     * the item changed since): take the next number */
    if(rc == 1 || rc == CRM_EEXIST) {
      crm__clear_err(c);
      rc = CRM_OK;
    }
  }
  return rc;
}

static int rd_payout_row(crm *c, int64_t customer_id, const char *scheme,
                         int64_t amount, int64_t event_id, int64_t entry_id,
                         int64_t at, const char *note)
{
  sqlite3_stmt *st = crm__stmt(c, rd_sql_payout_add);

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, amount);
  sqlite3_bind_int64(st, 4, event_id);
  sqlite3_bind_int64(st, 5, entry_id);
  sqlite3_bind_int64(st, 6, at);
  if(note)
    sqlite3_bind_text(st, 7, note, -1, SQLITE_STATIC);
  return crm__step_end(c, st, "recording a payout");
}

/* The "points_payout" event of the lot just released (key
 * "core:payout:<lot id>"); 1 when it was paid before. */
static int rd_payout_event(crm *c, int64_t customer_id, const char *scheme,
                           int64_t event_id, int64_t points, int64_t at,
                           int64_t *payout_event)
{
  char payload[256];
  char key[64];
  int64_t lot = 0;
  sqlite3_stmt *st = crm__stmt(c, rd_sql_released_lot);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_text(st, 2, scheme, -1, SQLITE_STATIC);
  if(event_id > 0)
    sqlite3_bind_int64(st, 3, event_id);
  sqlite3_bind_int64(st, 4, at);
  rc = rd_step_int(c, st, &lot, "finding a released lot");
  st = rc ? NULL : crm__stmt(c, rd_sql_payout_payload);
  if(!rc && !st)
    rc = c->errcode;
  if(rc)
    return rc;
  sqlite3_bind_text(st, 1, scheme, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, lot);
  sqlite3_bind_int64(st, 3, points);
  rc = crm__redeem_text(c, st, payload, sizeof(payload), "building an event");
  if(rc)
    return rc;
  if(lot)
    snprintf(key, sizeof(key), "core:payout:%lld", (long long)lot);
  else
    snprintf(key, sizeof(key), "core:payout:e%lld:%lld",
             (long long)event_id, (long long)at);
  return crm__event_record(c, customer_id, "points_payout", payload, key, at,
                           payout_event);
}

int crm__payout_release(crm *c, int64_t customer_id, const char *scheme,
                        int64_t event_id, int64_t points, int64_t at,
                        const char *note)
{
  int64_t payout_event = 0;
  int64_t entry_id = 0;
  int rc;

  if(points <= 0)
    return CRM_OK;
  rc = rd_payout_event(c, customer_id, scheme, event_id, points, at,
                       &payout_event);
  if(rc == 1)
    return CRM_OK;
  if(!rc)
    rc = rd_spend(c, scheme, customer_id, payout_event, points, at, note,
                  &entry_id);
  if(!rc)
    rc = rd_payout_row(c, customer_id, scheme, points, payout_event,
                       entry_id, at, note);
  return rc;
}

int crm_payouts_foreach(crm *c, int64_t customer_id,
                        int (*cb)(void *ud, const crm_payout *), void *ud)
{
  crm_payout p;
  sqlite3_stmt *st;
  int stop = 0;
  int rc;

  if(!c || !cb)
    return CRM_EINVAL;
  crm__clear_err(c);
  st = crm__stmt_fresh(c, rd_sql_payouts);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    memset(&p, 0, sizeof(p));
    p.id = sqlite3_column_int64(st, 0);
    p.customer_id = sqlite3_column_int64(st, 1);
    p.scheme = (const char *)sqlite3_column_text(st, 2);
    p.amount = sqlite3_column_int64(st, 3);
    p.at = sqlite3_column_int64(st, 4);
    p.event_id = sqlite3_column_int64(st, 5);
    p.entry_id = sqlite3_column_int64(st, 6);
    p.note = (const char *)sqlite3_column_text(st, 7);
    stop = cb(ud, &p);
    if(stop)
      break;
  }
  crm__stmt_done(c, st);
  if(!stop && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading payouts");
  return stop;
}
