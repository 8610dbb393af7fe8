/*
 * bench_ingest.c - event ingestion speed against a baseline measured in
 * the same run on the same machine (these machines are noisy; only the
 * ratio means something).
 *
 * baseline: raw SQLite, one prepared INSERT of the event row plus one
 *           UPDATE of the customer row per event, batches of 1000, WAL,
 *           synchronous=NORMAL: the least any ingestion must do
 *           (performance-notes.md).
 * core:     crm_event_ingest() of the same purchases (validation,
 *           idempotency, aggregates, lifecycle), batches of 1000, no
 *           plugins loaded.
 *
 * usage: bench_ingest [events] [customers] [dir]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "crm/crm.h"

#define T0 INT64_C(852076800) /* 1997-01-01 */

static double now_s(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *msg)
{
  fprintf(stderr, "bench_ingest: %s: %s\n", what, msg);
  exit(2);
}

static void rm_db(const char *path)
{
  char p[600];

  unlink(path);
  snprintf(p, sizeof(p), "%s-wal", path);
  unlink(p);
  snprintf(p, sizeof(p), "%s-shm", path);
  unlink(p);
}

/* Deterministic pseudo-random customer for event i. */
static long cust_of(long i, long ncust)
{
  return (long)(((unsigned long)i * 2654435761UL) % (unsigned long)ncust) + 1;
}

static double run_baseline(const char *path, long nev, long ncust)
{
  sqlite3 *db;
  sqlite3_stmt *ins, *upd;
  char key[64];
  double t;
  long i;

  rm_db(path);
  if(sqlite3_open(path, &db) != SQLITE_OK)
    die("baseline open", sqlite3_errmsg(db));
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
               "CREATE TABLE c(id INTEGER PRIMARY KEY, total INTEGER);"
               "CREATE TABLE e(id INTEGER PRIMARY KEY, cust INTEGER,"
               " at INTEGER, amount INTEGER, key TEXT UNIQUE);",
               NULL, NULL, NULL);
  sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
  for(i = 1; i <= ncust; i++) {
    char sql[96];

    snprintf(sql, sizeof(sql), "INSERT INTO c VALUES(%ld, 0)", i);
    sqlite3_exec(db, sql, NULL, NULL, NULL);
  }
  sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
  sqlite3_prepare_v2(db, "INSERT INTO e(cust, at, amount, key)"
                     " VALUES(?1, ?2, ?3, ?4)", -1, &ins, NULL);
  sqlite3_prepare_v2(db, "UPDATE c SET total = total + ?2 WHERE id = ?1",
                     -1, &upd, NULL);
  t = now_s();
  for(i = 0; i < nev; i++) {
    if(i % 1000 == 0)
      sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    snprintf(key, sizeof(key), "ev-%012ld", i);
    sqlite3_bind_int64(ins, 1, cust_of(i, ncust));
    sqlite3_bind_int64(ins, 2, T0 + i * 60);
    sqlite3_bind_int64(ins, 3, 1000 + i % 5000);
    sqlite3_bind_text(ins, 4, key, -1, SQLITE_TRANSIENT);
    if(sqlite3_step(ins) != SQLITE_DONE)
      die("baseline insert", sqlite3_errmsg(db));
    sqlite3_reset(ins);
    sqlite3_bind_int64(upd, 1, cust_of(i, ncust));
    sqlite3_bind_int64(upd, 2, 1000 + i % 5000);
    sqlite3_step(upd);
    sqlite3_reset(upd);
    if(i % 1000 == 999 || i == nev - 1)
      sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
  }
  t = now_s() - t;
  sqlite3_finalize(ins);
  sqlite3_finalize(upd);
  sqlite3_close(db);
  rm_db(path);
  return t;
}

static double run_core(const char *path, long nev, long ncust, long *dups)
{
  crm_customer_fields f;
  crm_ingest_result r;
  crm_event ev;
  char ext[32], key[64];
  crm *c = NULL;
  double t;
  long i;

  rm_db(path);
  if(crm_open(&c, path, CRM_OPEN_CREATE))
    die("core open", crm_errmsg(c));
  crm_set_now(c, T0 + nev * 60 + 86400);
  crm_begin(c);
  for(i = 1; i <= ncust; i++) {
    memset(&f, 0, sizeof(f));
    snprintf(ext, sizeof(ext), "c%ld", i);
    f.external_id = ext;
    if(crm_customer_add(c, &f, NULL))
      die("core customer", crm_errmsg(c));
  }
  crm_commit(c);
  *dups = 0;
  t = now_s();
  for(i = 0; i < nev; i++) {
    if(i % 1000 == 0)
      crm_begin(c);
    memset(&ev, 0, sizeof(ev));
    snprintf(key, sizeof(key), "ev-%012ld", i);
    ev.type = "purchase";
    ev.customer_id = cust_of(i, ncust);
    ev.occurred_at = T0 + i * 60;
    ev.amount = 1000 + i % 5000;
    ev.currency = "USD";
    ev.idempotency_key = key;
    if(crm_event_ingest(c, &ev, &r))
      die("core ingest", crm_errmsg(c));
    *dups += r.duplicate;
    if(i % 1000 == 999 || i == nev - 1)
      if(crm_commit(c))
        die("core commit", crm_errmsg(c));
  }
  t = now_s() - t;
  crm_close(c);
  rm_db(path);
  return t;
}

int main(int argc, char **argv)
{
  long nev = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
  long ncust = argc > 2 ? strtol(argv[2], NULL, 10) : 10000;
  const char *dir = argc > 3 ? argv[3] : "/tmp";
  char path[512];
  double base, core;
  long dups = 0;

  if(nev <= 0 || ncust <= 0)
    die("usage", "bench_ingest [events] [customers] [dir]");
  snprintf(path, sizeof(path), "%s/bench_ingest_%ld.db", dir, (long)getpid());
  base = run_baseline(path, nev, ncust);
  core = run_core(path, nev, ncust, &dups);
  printf("events %ld, customers %ld\n", nev, ncust);
  printf("baseline (raw sqlite insert+update): %.3f s, %.0f ev/s\n", base,
         (double)nev / base);
  printf("core crm_event_ingest:               %.3f s, %.0f ev/s\n", core,
         (double)nev / core);
  printf("ratio core/baseline: %.2f\n", core / base);
  if(dups != 0)
    die("check", "fresh keys were reported as duplicates");
  return 0;
}
