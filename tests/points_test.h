/*
 * points_test.h - helpers of the points tests (test_points_*.c): a store
 * with the fx_points fixture loaded under a given scheme, events whose
 * payload says what the fixture answers, and readers of accounts, lots
 * and ledger lines. Every helper fails the test on an unexpected error.
 */
#ifndef POINTS_TEST_H
#define POINTS_TEST_H

#include "crm_test.h"
#include "loader_util.h"

/* 2026-01-05T00:00:00Z, a Monday; the clock of the points tests. */
#define PT_T0 INT64_C(1767571200)

typedef struct pt_env {
  crm *c;
  lt_dir dir;
} pt_env;

/* Opens a store at clock `now` and loads conf_text (a whole crm.conf). */
static inline void pt_open_conf(pt_env *e, int64_t now, const char *text)
{
  const char *path;

  lt_dir_init(&e->dir);
  e->c = t_open_mem(now);
  path = lt_write(&e->dir, "crm.conf", text);
  if(crm_load_config(e->c, path, FIXDIR))
    fail_msg("crm_load_config: %s", crm_errmsg(e->c));
}

/* One plugin (fx_points or fx_points_plain) with the scheme group body. */
static inline void pt_open(pt_env *e, int64_t now, const char *plugin,
                           const char *scheme)
{
  char text[2048];

  snprintf(text, sizeof(text),
           "plugins = { load = ( { name = \"%s\"; scheme = { %s }; } ); };\n",
           plugin, scheme);
  pt_open_conf(e, now, text);
}

static inline void pt_close(pt_env *e)
{
  crm_close(e->c);
  lt_dir_done(&e->dir);
}

/* Ingests an event; returns the result (fails the test on error). */
static inline crm_ingest_result pt_ev(crm *c, int64_t cust, const char *type,
                                      int64_t at, int64_t amount,
                                      const char *payload, const char *key)
{
  return t_event(c, cust, type, at, amount, payload, key);
}

/* Ingests an event expected to fail with rc; nothing changes. */
static inline void pt_ev_fails(crm *c, int64_t cust, const char *type,
                               int64_t at, int64_t amount,
                               const char *payload, const char *key, int rc)
{
  crm_event ev;
  crm_ingest_result r;

  memset(&ev, 0, sizeof(ev));
  ev.type = type;
  ev.customer_id = cust;
  ev.occurred_at = at;
  ev.amount = amount;
  ev.currency = amount || !strcmp(type, "refund") ||
                        !strcmp(type, "purchase") ? "USD" : NULL;
  ev.payload = payload;
  ev.idempotency_key = key;
  assert_int_equal(crm_event_ingest(c, &ev, &r), rc);
}

static inline crm_points_account pt_acc(crm *c, int64_t cust,
                                        const char *scheme)
{
  crm_points_account a;

  if(crm_points_account_get(c, cust, scheme, &a))
    fail_msg("crm_points_account_get: %s", crm_errmsg(c));
  return a;
}

/* Asserts balance, pending, shortfall and overdraft, then every
 * invariant of crm_points_check. */
static inline void pt_expect(crm *c, int64_t cust, const char *scheme,
                             int64_t balance, int64_t pending,
                             int64_t shortfall, int64_t overdraft)
{
  crm_points_account a = pt_acc(c, cust, scheme);

  assert_int_equal(a.balance, balance);
  assert_int_equal(a.pending, pending);
  assert_int_equal(a.shortfall, shortfall);
  assert_int_equal(a.overdraft, overdraft);
  if(crm_points_check(c, cust, NULL))
    fail_msg("crm_points_check: %s", crm_errmsg(c));
}

/* ---- lots --------------------------------------------------------------- */

typedef struct pt_lots {
  size_t n;
  int64_t id[16], event[16], original[16], remaining[16];
  int64_t release_at[16], expires_at[16];
  char state[16][12];
} pt_lots;

static inline int pt_lots_cb(void *ud, const crm_points_lot *l)
{
  pt_lots *g = ud;

  if(g->n < 16) {
    g->id[g->n] = l->id;
    g->event[g->n] = l->event_id;
    g->original[g->n] = l->original;
    g->remaining[g->n] = l->remaining;
    g->release_at[g->n] = l->release_at;
    g->expires_at[g->n] = l->expires_at;
    snprintf(g->state[g->n], sizeof(g->state[0]), "%s", l->state);
  }
  g->n++;
  return 0;
}

static inline pt_lots pt_lots_of(crm *c, int64_t cust, const char *scheme,
                                 int all)
{
  pt_lots g;

  memset(&g, 0, sizeof(g));
  if(crm_points_lots_foreach(c, cust, scheme, all, pt_lots_cb, &g))
    fail_msg("crm_points_lots_foreach: %s", crm_errmsg(c));
  return g;
}

/* ---- ledger ------------------------------------------------------------- */

typedef struct pt_ledger {
  size_t n;
  char kind[24][16];
  int64_t points[24], pending[24], event[24], ref[24], lot[24], at[24];
  char note[24][96];
  char reason[24][64];
} pt_ledger;

static inline int pt_ledger_cb(void *ud, const crm_ledger_entry *e)
{
  pt_ledger *g = ud;

  if(g->n < 24) {
    snprintf(g->kind[g->n], sizeof(g->kind[0]), "%s", e->kind);
    g->points[g->n] = e->points;
    g->pending[g->n] = e->pending;
    g->event[g->n] = e->event_id;
    g->ref[g->n] = e->ref_event_id;
    g->lot[g->n] = e->lot_id;
    g->at[g->n] = e->at;
    snprintf(g->note[g->n], sizeof(g->note[0]), "%s", e->note ? e->note : "");
    snprintf(g->reason[g->n], sizeof(g->reason[0]), "%s",
             e->reason ? e->reason : "");
  }
  g->n++;
  return 0;
}

static inline pt_ledger pt_ledger_of(crm *c, int64_t cust)
{
  pt_ledger g;

  memset(&g, 0, sizeof(g));
  if(crm_ledger_foreach(c, cust, pt_ledger_cb, &g))
    fail_msg("crm_ledger_foreach: %s", crm_errmsg(c));
  return g;
}

/* Asserts ledger line i: kind, points, pending. */
static inline void pt_line(const pt_ledger *g, size_t i, const char *kind,
                           int64_t points, int64_t pending)
{
  if(i >= g->n)
    fail_msg("ledger has %zu lines, wanted line %zu", g->n, i);
  assert_string_equal(g->kind[i], kind);
  assert_int_equal(g->points[i], points);
  assert_int_equal(g->pending[i], pending);
}

/* One integer from SQL on the store (test inspection only). */
static inline int64_t pt_sql_int(crm *c, const char *sql)
{
  sqlite3_stmt *st = NULL;
  int64_t v = 0;

  if(sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
    fail_msg("prepare %s: %s", sql, sqlite3_errmsg(c->db));
  if(sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

#endif
