/*
 * store.c - opening the SQLite store, pragmas, migrations, the prepared
 * statement cache, transactions and the audit log.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "comm_int.h"
#include "crm_int.h"

static int crm__pragmas(crm *c, int is_memory)
{
  int rc;

  sqlite3_busy_timeout(c->db, 5000);
  if(!is_memory && !c->readonly) {
    rc = crm__exec(c, "PRAGMA journal_mode=WAL");
    if(rc)
      return rc;
  }
  rc = crm__exec(c, "PRAGMA foreign_keys=ON");
  if(rc)
    return rc;
  return crm__exec(c, "PRAGMA synchronous=NORMAL");
}

static int crm__user_version(crm *c, int *out)
{
  sqlite3_stmt *st = NULL;
  int rc;

  rc = sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &st, NULL);
  if(rc != SQLITE_OK)
    return crm__sqlerr(c, rc, "reading schema version");
  rc = sqlite3_step(st);
  if(rc != SQLITE_ROW) {
    sqlite3_finalize(st);
    return crm__sqlerr(c, rc, "reading schema version");
  }
  *out = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return CRM_OK;
}

static int crm__migrate(crm *c)
{
  int have = 0;
  int latest = crm__schema_latest();
  int rc;
  char pragma[64];

  rc = crm__user_version(c, &have);
  if(rc)
    return rc;
  if(have > latest)
    return crm__err(c, CRM_ESTORE,
                    "store schema %d is newer than this crm supports (%d); "
                    "upgrade crmcore", have, latest);
  if(have == latest)
    return CRM_OK;
  if(c->readonly)
    return crm__err(c, CRM_ESTORE,
                    "store schema %d needs migration to %d; open it "
                    "read-write once (crm init)", have, latest);
  rc = crm__exec(c, "BEGIN IMMEDIATE");
  if(rc)
    return rc;
  /* Another process may have migrated while we waited for the lock. */
  rc = crm__user_version(c, &have);
  if(rc || have >= latest) {
    sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    if(!rc && have > latest)
      rc = crm__err(c, CRM_ESTORE, "store schema %d is newer than this crm "
                    "supports (%d); upgrade crmcore", have, latest);
    return rc;
  }
  while(have < latest) {
    char *zerr = NULL;

    have++;
    rc = sqlite3_exec(c->db, crm__schema_migration(have), NULL, NULL, &zerr);
    if(rc != SQLITE_OK) {
      crm__err(c, CRM_ESTORE, "store migration %d failed: %s", have,
               zerr ? zerr : sqlite3_errstr(rc));
      sqlite3_free(zerr);
      sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
      return CRM_ESTORE;
    }
  }
  snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%d", latest);
  rc = crm__exec(c, pragma);
  if(!rc)
    rc = crm__exec(c, "COMMIT");
  if(rc)
    sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
  return rc;
}

int crm_open(crm **out, const char *store_path, unsigned flags)
{
  crm *c;
  int oflags;
  int rc;
  int is_memory;

  if(!out)
    return CRM_EINVAL;
  *out = NULL;
  c = crm__calloc(1, sizeof(*c));
  if(!c)
    return CRM_ENOMEM;
  *out = c;
  c->log_level = CRM_LOG_WARN;
  c->readonly = (flags & CRM_OPEN_READONLY) != 0;
  crm__lifecycle_defaults(&c->lc);
  if(!store_path || !*store_path)
    return crm__err(c, CRM_EINVAL, "store path is empty");
  is_memory = strcmp(store_path, ":memory:") == 0;
  if(c->readonly)
    oflags = SQLITE_OPEN_READONLY;
  else if(flags & CRM_OPEN_CREATE)
    oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  else
    oflags = SQLITE_OPEN_READWRITE;
  rc = sqlite3_open_v2(store_path, &c->db, oflags | SQLITE_OPEN_NOMUTEX,
                       NULL);
  if(rc != SQLITE_OK) {
    crm__err(c, rc == SQLITE_CANTOPEN ? CRM_ENOTFOUND : CRM_ESTORE,
             "cannot open store %s: %s%s", store_path,
             c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc),
             rc == SQLITE_CANTOPEN && !(flags & CRM_OPEN_CREATE)
                 ? " (run crm init first)" : "");
    sqlite3_close(c->db);
    c->db = NULL;
    return c->errcode;
  }
  sqlite3_extended_result_codes(c->db, 1);
  rc = crm__pragmas(c, is_memory);
  if(!rc)
    rc = crm__migrate(c);
  if(rc) {
    sqlite3_close(c->db);
    c->db = NULL;
    return rc;
  }
  return CRM_OK;
}

static void crm__stmts_finalize(crm *c)
{
  size_t i;

  for(i = 0; i < c->n_stmts; i++)
    sqlite3_finalize(c->stmts[i].stmt);
  crm__free(c->stmts);
  c->stmts = NULL;
  c->n_stmts = 0;
  c->cap_stmts = 0;
}

void crm_close(crm *c)
{
  if(!c)
    return;
  crm__plugins_unload(c);
  crm__stmts_finalize(c);
  if(c->db) {
    if(!sqlite3_get_autocommit(c->db))
      sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    c->tx_depth = 0;
    sqlite3_close(c->db);
  }
  crm__config_free(c->conf);
  crm__free(c->comps);
  crm__tz_cache_free(c);
  crm__free(c->outbox_buf);
  crm__free(c->case_buf);
  crm__free(c);
}

int crm_schema_version(crm *c)
{
  int v = -1;

  if(!c || !c->db)
    return -1;
  if(crm__user_version(c, &v))
    return -1;
  return v;
}

void crm_set_now(crm *c, int64_t now)
{
  if(c)
    c->fixed_now = now;
}

int64_t crm_now(crm *c)
{
  if(c && c->fixed_now)
    return c->fixed_now;
  return (int64_t)time(NULL);
}

sqlite3_stmt *crm__stmt(crm *c, const char *sql)
{
  size_t i;
  int rc;
  sqlite3_stmt *st = NULL;

  if(!c->db) {
    crm__err(c, CRM_ESTORE, "store is not open");
    return NULL;
  }
  for(i = 0; i < c->n_stmts; i++) {
    if(c->stmts[i].sql == sql) {
      st = c->stmts[i].stmt;
      sqlite3_reset(st);
      sqlite3_clear_bindings(st);
      return st;
    }
  }
  if(c->n_stmts == c->cap_stmts) {
    size_t cap = c->cap_stmts ? c->cap_stmts * 2 : 64;
    struct crm__stmt_slot *ns = crm__realloc(c->stmts, cap * sizeof(*ns));

    if(!ns) {
      crm__err(c, CRM_ENOMEM, "out of memory preparing a statement");
      return NULL;
    }
    c->stmts = ns;
    c->cap_stmts = cap;
  }
  rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
                          NULL);
  if(rc != SQLITE_OK) {
    crm__sqlerr(c, rc, "preparing statement");
    return NULL;
  }
  c->stmts[c->n_stmts].sql = sql;
  c->stmts[c->n_stmts].stmt = st;
  c->n_stmts++;
  return st;
}

/* The cache slot of a static SQL string, or NULL. */
static struct crm__stmt_slot *crm__stmt_slot(crm *c, const char *sql)
{
  size_t i;

  for(i = 0; i < c->n_stmts; i++) {
    if(c->stmts[i].sql == sql)
      return &c->stmts[i];
  }
  return NULL;
}

/* A walk takes the cached statement unless another walk of the same SQL
 * is stepping it (a callback re-entering the walk): then, and only then,
 * it prepares one of its own. Most walks prepare nothing. */
sqlite3_stmt *crm__stmt_fresh(crm *c, const char *sql)
{
  struct crm__stmt_slot *slot;
  sqlite3_stmt *st = NULL;
  int rc;

  if(!c->db) {
    crm__err(c, CRM_ESTORE, "store is not open");
    return NULL;
  }
  slot = crm__stmt_slot(c, sql);
  if(!slot || !sqlite3_stmt_busy(slot->stmt))
    return crm__stmt(c, sql);
  rc = sqlite3_prepare_v2(c->db, sql, -1, &st, NULL);
  if(rc != SQLITE_OK) {
    crm__sqlerr(c, rc, "preparing statement");
    return NULL;
  }
  return st;
}

void crm__stmt_done(crm *c, sqlite3_stmt *st)
{
  size_t i;

  if(!st)
    return;
  for(i = 0; i < c->n_stmts; i++) {
    if(c->stmts[i].stmt == st) {
      sqlite3_reset(st);
      sqlite3_clear_bindings(st);
      return;
    }
  }
  sqlite3_finalize(st);
}

int crm__exec(crm *c, const char *sql)
{
  int rc;
  char *zerr = NULL;

  rc = sqlite3_exec(c->db, sql, NULL, NULL, &zerr);
  if(rc != SQLITE_OK) {
    crm__err(c, (rc & 0xff) == SQLITE_NOMEM ? CRM_ENOMEM : CRM_ESTORE,
             "store error: %s (%s)", zerr ? zerr : sqlite3_errstr(rc), sql);
    sqlite3_free(zerr);
    return c->errcode;
  }
  return CRM_OK;
}

/* Transactions: the outermost level is BEGIN IMMEDIATE (the write lock is
 * taken up front, so no deadlock on upgrade); inner levels are
 * savepoints, so one failed operation inside a batch is undone alone. */
int crm__tx_begin(crm *c)
{
  int rc;

  if(c->readonly)
    return crm__err(c, CRM_ESTATE, "store is open read-only");
  if(c->tx_depth == 0)
    rc = crm__exec(c, "BEGIN IMMEDIATE");
  else
    rc = crm__exec(c, "SAVEPOINT crm_op");
  if(rc)
    return rc;
  c->tx_depth++;
  return CRM_OK;
}

int crm__tx_commit(crm *c)
{
  int rc;

  if(c->tx_depth == 0)
    return crm__err(c, CRM_ESTATE, "no transaction is open");
  if(c->tx_depth > 1) {
    rc = crm__exec(c, "RELEASE crm_op");
    if(!rc)
      c->tx_depth--;
    return rc;
  }
  rc = crm__exec(c, "COMMIT");
  if(rc) {
    sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
  }
  c->tx_depth = 0;
  return rc;
}

void crm__tx_rollback(crm *c)
{
  /* Keeps the caller's error message. What was checked inside the
   * transaction may have been undone with it: check again. */
  c->lc_synced_ok = 0;
  if(c->tx_depth == 0)
    return;
  if(c->tx_depth > 1) {
    sqlite3_exec(c->db, "ROLLBACK TO crm_op", NULL, NULL, NULL);
    sqlite3_exec(c->db, "RELEASE crm_op", NULL, NULL, NULL);
    c->tx_depth--;
    return;
  }
  sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
  c->tx_depth = 0;
}

int crm_begin(crm *c)
{
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(c->batch_depth > 0)
    return crm__err(c, CRM_ESTATE, "a batch is already open");
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  c->batch_depth = 1;
  return CRM_OK;
}

int crm_commit(crm *c)
{
  if(!c)
    return CRM_EINVAL;
  if(c->batch_depth == 0)
    return crm__err(c, CRM_ESTATE, "no batch is open");
  c->batch_depth = 0;
  return crm__tx_commit(c);
}

int crm_rollback(crm *c)
{
  if(!c)
    return CRM_EINVAL;
  if(c->batch_depth == 0)
    return crm__err(c, CRM_ESTATE, "no batch is open");
  c->batch_depth = 0;
  crm__tx_rollback(c);
  return CRM_OK;
}

static const char crm__sql_audit[] =
  "INSERT INTO audit_log(at, actor, action, object, detail)"
  " VALUES(?1, ?2, ?3, ?4, ?5)";

int crm__audit(crm *c, const char *actor, const char *action,
               const char *object, const char *detail)
{
  sqlite3_stmt *st;
  int rc;

  st = crm__stmt(c, crm__sql_audit);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, crm_now(c));
  sqlite3_bind_text(st, 2, actor ? actor : "core", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, object, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, detail, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "writing audit log");
  return CRM_OK;
}

void crm__col_text(sqlite3_stmt *st, int col, char *buf, size_t size)
{
  const unsigned char *t = sqlite3_column_text(st, col);
  size_t n;

  if(!size)
    return;
  if(!t) {
    buf[0] = '\0';
    return;
  }
  n = strlen((const char *)t);
  if(n >= size)
    n = size - 1;
  memcpy(buf, t, n);
  buf[n] = '\0';
}
