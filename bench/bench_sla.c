/*
 * bench_sla.c - crm_sla_run over N due rows (default 10,000) against a
 * baseline measured in the same run on the same machine (only the ratio
 * means something on these noisy machines).
 *
 * Both sides start from N open cases whose first-response warning is
 * due. The baseline applies them in one transaction; crm_sla_run commits
 * every 500 rows, so it holds the write lock for one batch at a time
 * (its time / N x 500).
 *
 * baseline: raw SQLite doing the least a run must do per row: take the
 *           next due row by the (due_at, id) index, store a step, mark
 *           the clock warned, delete the row.
 * core:     crm_sla_run(): the same plus loading the case and the clock,
 *           the "already warned" checks, the history line and its audit
 *           entry, one savepoint per row, a commit every 500 rows.
 *
 * usage: bench_sla [rows] [dir]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "crm/crm.h"

#define T0 INT64_C(1795420800) /* Mon 2026-11-23 08:00Z */

static double now_s(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *msg)
{
  fprintf(stderr, "bench_sla: %s: %s\n", what, msg);
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

static double run_baseline(const char *path, long n)
{
  sqlite3 *db;
  sqlite3_stmt *next, *step, *warn, *del;
  double t;
  long i, done = 0;

  rm_db(path);
  if(sqlite3_open(path, &db) != SQLITE_OK)
    die("baseline open", sqlite3_errmsg(db));
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
               "CREATE TABLE k(case_id INTEGER, clock TEXT, warned_at"
               " INTEGER, PRIMARY KEY(case_id, clock)) WITHOUT ROWID;"
               "CREATE TABLE d(id INTEGER PRIMARY KEY, case_id INTEGER,"
               " what TEXT, clock TEXT, due_at INTEGER);"
               "CREATE INDEX d_at ON d(due_at, id);"
               "CREATE TABLE s(id INTEGER PRIMARY KEY, case_id INTEGER,"
               " kind TEXT, clock TEXT, due_at INTEGER, at INTEGER);",
               NULL, NULL, NULL);
  sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
  for(i = 1; i <= n; i++) {
    char sql[200];

    snprintf(sql, sizeof(sql), "INSERT INTO k VALUES(%ld, 'first_response',"
             " NULL); INSERT INTO d(case_id, what, clock, due_at) VALUES(%ld,"
             " 'warning', 'first_response', %lld)", i, i,
             (long long)(T0 + 2700));
    sqlite3_exec(db, sql, NULL, NULL, NULL);
  }
  sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
  sqlite3_prepare_v2(db, "SELECT id, case_id, due_at FROM d WHERE due_at"
                     " <= ?1 ORDER BY due_at, id LIMIT 1", -1, &next, NULL);
  sqlite3_prepare_v2(db, "INSERT INTO s(case_id, kind, clock, due_at, at)"
                     " VALUES(?1, 'warning', 'first_response', ?2, ?3)", -1,
                     &step, NULL);
  sqlite3_prepare_v2(db, "UPDATE k SET warned_at = ?2 WHERE case_id = ?1"
                     " AND clock = 'first_response'", -1, &warn, NULL);
  sqlite3_prepare_v2(db, "DELETE FROM d WHERE id = ?1", -1, &del, NULL);
  t = now_s();
  sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
  for(;;) {
    sqlite3_int64 id, cid, due;

    sqlite3_bind_int64(next, 1, T0 + 3000);
    if(sqlite3_step(next) != SQLITE_ROW)
      break;
    id = sqlite3_column_int64(next, 0);
    cid = sqlite3_column_int64(next, 1);
    due = sqlite3_column_int64(next, 2);
    sqlite3_reset(next);
    sqlite3_bind_int64(step, 1, cid);
    sqlite3_bind_int64(step, 2, due);
    sqlite3_bind_int64(step, 3, T0 + 3000);
    sqlite3_step(step);
    sqlite3_reset(step);
    sqlite3_bind_int64(warn, 1, cid);
    sqlite3_bind_int64(warn, 2, due);
    sqlite3_step(warn);
    sqlite3_reset(warn);
    sqlite3_bind_int64(del, 1, id);
    sqlite3_step(del);
    sqlite3_reset(del);
    done++;
  }
  sqlite3_reset(next);
  sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
  t = now_s() - t;
  sqlite3_finalize(next);
  sqlite3_finalize(step);
  sqlite3_finalize(warn);
  sqlite3_finalize(del);
  sqlite3_close(db);
  rm_db(path);
  if(done != n)
    die("baseline", "not every row was applied");
  return t;
}

static const char conf_text[] =
  "plugins = { load = ( { name = \"basic_case\"; } ); };\n"
  "complaints = {\n"
  "  teams = ( { name = \"desk\"; hours = { weekdays = \"00:00-24:00\";"
  " sat = \"00:00-24:00\"; sun = \"00:00-24:00\"; }; } );\n"
  "  sla = ( { category = \"*\"; first_response = \"1h\";"
  " resolution = \"8h\"; } );\n"
  "};\n";

static double run_core(const char *path, const char *conf, long n,
                       crm_sla_run_stats *st)
{
  crm_case_new cn;
  crm_customer_fields f;
  crm *c = NULL;
  int64_t cust = 0, id;
  double t;
  long i;

  rm_db(path);
  if(crm_open(&c, path, CRM_OPEN_CREATE))
    die("core open", crm_errmsg(c));
  crm_set_now(c, T0);
  if(crm_load_config(c, conf, CRM_BENCH_PLUGIN_DIR))
    die("core config", crm_errmsg(c));
  memset(&f, 0, sizeof(f));
  f.external_id = "c1";
  if(crm_customer_add(c, &f, &cust))
    die("core customer", crm_errmsg(c));
  for(i = 0; i < n; i++) {
    if(i % 1000 == 0)
      crm_begin(c);
    memset(&cn, 0, sizeof(cn));
    cn.customer_id = cust;
    cn.summary = "late parcel";
    cn.category = "delivery";
    cn.priority = 2;
    if(crm_case_create(c, &cn, &id))
      die("core case", crm_errmsg(c));
    if(i % 1000 == 999 || i == n - 1)
      if(crm_commit(c))
        die("core commit", crm_errmsg(c));
  }
  /* 45 minutes later: every first-response warning (0.75 x 1h) is due,
   * nothing else */
  t = now_s();
  if(crm_sla_run(c, T0 + 3000, st))
    die("core run", crm_errmsg(c));
  t = now_s() - t;
  crm_close(c);
  rm_db(path);
  return t;
}

int main(int argc, char **argv)
{
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 10000;
  const char *dir = argc > 2 ? argv[2] : "/tmp";
  char path[512], conf[512];
  crm_sla_run_stats st;
  double base, core;
  FILE *fp;

  if(n <= 0)
    die("usage", "bench_sla [rows] [dir]");
  snprintf(path, sizeof(path), "%s/bench_sla_%ld.db", dir, (long)getpid());
  snprintf(conf, sizeof(conf), "%s/bench_sla_%ld.conf", dir,
           (long)getpid());
  fp = fopen(conf, "w");
  if(!fp)
    die("config", "cannot write the config file");
  fputs(conf_text, fp);
  fclose(fp);
  base = run_baseline(path, n);
  core = run_core(path, conf, n, &st);
  unlink(conf);
  printf("due rows %ld\n", n);
  printf("baseline (raw sqlite next+step+update+delete): %.3f s, "
         "%.0f rows/s\n", base, (double)n / base);
  printf("core crm_sla_run:                             %.3f s, "
         "%.0f rows/s\n", core, (double)n / core);
  printf("ratio core/baseline: %.2f\n", core / base);
  if(st.warnings != n || st.breaches || st.escalations || st.closed)
    die("check", "the run did not apply exactly one warning per case");
  return 0;
}
