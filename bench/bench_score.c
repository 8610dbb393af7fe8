/*
 * bench_score.c - the clv scoring model at scale: fit and scoring time
 * against baselines measured in the same run on the same machine (these
 * machines are noisy; only the ratios mean something), and the
 * allocations of the scoring phase.
 *
 * Data: the 2,357 customers of the CDNOW sample (cdnowElog.csv: masterid,
 * sampleid, date, cds, sales) replicated with new external ids to N
 * customers (customer k is a copy of CDNOW customer k mod 2357 + 1),
 * purchases at 12:00 UTC on their dates, ingested into a fresh store with
 * crm_event_ingest in transactions of BATCH customers (the path of crm
 * import; no plugin loaded while ingesting). Then clv is loaded (time
 * unit week, calibration end 1997-09-30) and timed:
 *   fit       crm_score_fit(c, "clv", as_of, CRM_FIT_NO_SCORE)
 *   fit+score crm_score_fit(c, "clv", as_of, 0): scoring = the difference
 * Baselines (same store, same run):
 *   events pass  one raw SELECT over the store's purchases in (customer,
 *                time, id) order, reading customer, time and amount:
 *                ratio fit / pass
 *   raw insert   a fresh SQLite file with the scores table of the store
 *                (and a customers table for its foreign key), WAL,
 *                synchronous=NORMAL as the core: one prepared INSERT OR
 *                REPLACE per score (SCORES_PER_CUSTOMER per customer,
 *                label and explanation text as clv writes), one
 *                transaction: ratio scoring rate / raw insert rate
 * Allocations: malloc, calloc and realloc are interposed (glibc, not under
 * ASan) and counted during the timed phases: the scoring phase's count
 * is (fit+score) - (fit). It is run at N and at N / 10: "scoring does not
 * allocate per customer" means the two totals are about equal.
 * --trace-allocs prints the most frequent call stacks of the scoring
 * phase's allocations (resolve "lib.so(+0x...)" with addr2line -f -e).
 *
 * usage: bench_score [--customers N] [--small M] [--data cdnowElog.csv]
 *                    [--dir DIR] [--plugin-dir DIR] [--clv-config TEXT]
 *                    [--trace-allocs]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "crm/crm.h"

#ifndef CRM_BENCH_PLUGIN_DIR
#define CRM_BENCH_PLUGIN_DIR "plugins"
#endif
#ifndef CRM_BENCH_DATA
#define CRM_BENCH_DATA "tests/data/cdnowElog.csv"
#endif

#define DAY INT64_C(86400)
#define BATCH 1000 /* customers per transaction while ingesting */
#define SCORES_PER_CUSTOMER 4 /* expected_purchases, p_alive, ... clv */
#define CDNOW_MAX_CUST 4096
#define CDNOW_MAX_EV 16384

static void die(const char *what, const char *msg);

/* ---- allocation counting ------------------------------------------------ */

#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) &&                \
    !defined(__SANITIZE_THREAD__)
#define BENCH_COUNT 1
#include <execinfo.h>

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

#define TRACE_DEPTH 8
#define TRACE_SLOTS 64

struct trace_slot {
  void *frames[TRACE_DEPTH];
  int depth;
  unsigned long count;
};

static volatile int count_on;
static int trace_on;
static __thread int in_hook;
static __thread int in_sqlite; /* inside SQLite's allocator methods */
static unsigned long n_allocs;  /* outside SQLite: core, plugin, libc */
static unsigned long n_sqlite;  /* by SQLite itself (its own floor) */
static struct trace_slot traces[TRACE_SLOTS];
static unsigned long n_untraced;

static void trace_alloc(void)
{
  void *fr[TRACE_DEPTH + 2];
  int d, i;

  in_hook = 1;
  d = backtrace(fr, TRACE_DEPTH + 2) - 2; /* drop hook and malloc */
  if(d < 0)
    d = 0;
  for(i = 0; i < TRACE_SLOTS; i++) {
    struct trace_slot *t = &traces[i];

    if(t->count == 0) {
      memcpy(t->frames, fr + 2, (size_t)d * sizeof(void *));
      t->depth = d;
    }
    if(t->depth == d &&
       !memcmp(t->frames, fr + 2, (size_t)d * sizeof(void *))) {
      t->count++;
      break;
    }
  }
  if(i == TRACE_SLOTS)
    n_untraced++;
  in_hook = 0;
}

static void count_alloc(void)
{
  if(!count_on || in_hook)
    return;
  if(in_sqlite) {
    __atomic_fetch_add(&n_sqlite, 1, __ATOMIC_RELAXED);
    return;
  }
  __atomic_fetch_add(&n_allocs, 1, __ATOMIC_RELAXED);
  if(trace_on)
    trace_alloc();
}

/* SQLite's own allocations are counted apart: wrap its default
 * methods (set before anything opens a database). */
static sqlite3_mem_methods sq_orig;

static void *sq_malloc(int n)
{
  void *p;

  in_sqlite = 1;
  p = sq_orig.xMalloc(n);
  in_sqlite = 0;
  return p;
}

static void *sq_realloc(void *p, int n)
{
  void *q;

  in_sqlite = 1;
  q = sq_orig.xRealloc(p, n);
  in_sqlite = 0;
  return q;
}

static void sq_count_apart(void)
{
  sqlite3_mem_methods m;

  if(sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sq_orig) != SQLITE_OK)
    return;
  m = sq_orig;
  m.xMalloc = sq_malloc;
  m.xRealloc = sq_realloc;
  if(sqlite3_config(SQLITE_CONFIG_MALLOC, &m) != SQLITE_OK)
    die("sqlite3_config", "cannot count SQLite's allocations apart");
}

void *malloc(size_t n)
{
  count_alloc();
  return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
  count_alloc();
  return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
  count_alloc();
  return __libc_realloc(p, n);
}

void free(void *p)
{
  __libc_free(p);
}

static void trace_print(void)
{
  int used[TRACE_SLOTS] = {0};
  int k, i;

  for(k = 0; k < 8; k++) {
    int best = -1;

    for(i = 0; i < TRACE_SLOTS; i++) {
      if(traces[i].count && !used[i] &&
         (best < 0 || traces[i].count > traces[best].count))
        best = i;
    }
    if(best < 0)
      break;
    used[best] = 1;
    printf("  %lu allocations from:\n", traces[best].count);
    fflush(stdout);
    backtrace_symbols_fd(traces[best].frames, traces[best].depth, 1);
  }
  if(n_untraced)
    printf("  %lu allocations from other stacks\n", n_untraced);
}
#else
#define BENCH_COUNT 0
static int count_on;
static int trace_on;
static unsigned long n_allocs;
static unsigned long n_sqlite;
static void trace_print(void)
{
}
static void sq_count_apart(void)
{
}
#endif

struct allocs {
  unsigned long own; /* outside SQLite */
  unsigned long sqlite;
};

static void count_start(void)
{
  n_allocs = 0;
  n_sqlite = 0;
  count_on = 1;
}

static struct allocs count_stop(void)
{
  struct allocs a;

  count_on = 0;
  a.own = n_allocs;
  a.sqlite = n_sqlite;
  return a;
}

/* ---- helpers ------------------------------------------------------------ */

static double now_s(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *msg)
{
  fprintf(stderr, "bench_score: %s: %s\n", what, msg);
  exit(2);
}

static void rm_db(const char *path)
{
  char p[700];

  unlink(path);
  snprintf(p, sizeof(p), "%s-wal", path);
  unlink(p);
  snprintf(p, sizeof(p), "%s-shm", path);
  unlink(p);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
  int64_t era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* ---- the CDNOW sample ------------------------------------------------- */

struct cd_event {
  int64_t at;
  int64_t amount; /* cents */
  int64_t qty;
  long row;
};

struct cdnow {
  struct cd_event ev[CDNOW_MAX_EV];
  size_t n_ev;
  size_t first[CDNOW_MAX_CUST + 1]; /* customer s: ev[first[s]..first[s+1]) */
  size_t n_cust;
};

static int64_t parse_int(const char *s, char **end, const char *what)
{
  long long v = strtoll(s, end, 10);

  if(*end == s)
    die("data", what);
  return (int64_t)v;
}

static void cd_row(struct cdnow *cd, char *line, long row, int64_t *last)
{
  struct cd_event *e;
  char *p = line, *end;
  int64_t sid, date;
  double sales;

  (void)parse_int(p, &end, "masterid");
  p = end + 1;
  sid = parse_int(p, &end, "sampleid");
  p = end + 1;
  date = parse_int(p, &end, "date");
  p = end + 1;
  if(cd->n_ev == CDNOW_MAX_EV || sid < 1 || sid > CDNOW_MAX_CUST ||
     sid < *last)
    die("data", "rows must be sorted by sampleid (at most 4096 customers, "
        "16384 rows)");
  e = &cd->ev[cd->n_ev];
  e->qty = parse_int(p, &end, "cds");
  p = end + 1;
  sales = strtod(p, &end);
  if(end == p || sales < 0)
    die("data", "sales");
  e->amount = (int64_t)(sales * 100.0 + 0.5);
  e->at = days_from_civil(date / 10000, date / 100 % 100, date % 100) * DAY +
          12 * 3600;
  e->row = row;
  while(*last < sid)
    cd->first[(*last)++] = cd->n_ev; /* customers sid-1.. start here */
  cd->n_ev++;
}

static void cd_load(struct cdnow *cd, const char *path)
{
  char line[256];
  long row = 0;
  int64_t last = 0; /* customers whose start is recorded */
  FILE *f = fopen(path, "r");

  if(!f)
    die(path, "cannot open");
  memset(cd, 0, sizeof(*cd));
  if(!fgets(line, sizeof(line), f) || strncmp(line, "masterid,", 9))
    die(path, "no header masterid,sampleid,date,cds,sales");
  while(fgets(line, sizeof(line), f)) {
    row++;
    cd_row(cd, line, row, &last);
  }
  fclose(f);
  cd->n_cust = (size_t)last;
  cd->first[cd->n_cust] = cd->n_ev;
}

/* ---- the store -------------------------------------------------------- */

struct opts {
  long customers;
  long small;
  const char *data;
  const char *dir;
  const char *plugin_dir;
  const char *clv_config;
};

struct result {
  long customers;
  long events;
  double ingest_s;
  double pass_s;
  double fit_s;
  double fit_score_s;
  double raw_insert_s;
  size_t n_scored;
  struct allocs fit_allocs;
  struct allocs fit_score_allocs;
  struct allocs raw_allocs;
};

static void ingest_customer(crm *c, const struct cdnow *cd, long k,
                            long *events)
{
  crm_customer_fields f;
  crm_ingest_result r;
  crm_event ev;
  char ext[32], key[48];
  size_t s = (size_t)k % cd->n_cust;
  size_t i;
  int64_t id;

  memset(&f, 0, sizeof(f));
  snprintf(ext, sizeof(ext), "bench-%ld", k);
  f.external_id = ext;
  if(crm_customer_add(c, &f, &id))
    die("customer", crm_errmsg(c));
  for(i = cd->first[s]; i < cd->first[s + 1]; i++) {
    const struct cd_event *e = &cd->ev[i];

    memset(&ev, 0, sizeof(ev));
    snprintf(key, sizeof(key), "bench-%ld-r%ld", k, e->row);
    ev.type = "purchase";
    ev.customer_id = id;
    ev.occurred_at = e->at;
    ev.amount = e->amount;
    ev.currency = "USD";
    ev.quantity = e->qty;
    ev.idempotency_key = key;
    if(crm_event_ingest(c, &ev, &r))
      die("ingest", crm_errmsg(c));
    (*events)++;
  }
}

static void ingest(crm *c, const struct cdnow *cd, long n, struct result *res)
{
  double t = now_s();
  long k;

  res->events = 0;
  for(k = 0; k < n; k++) {
    if(k % BATCH == 0 && crm_begin(c))
      die("begin", crm_errmsg(c));
    ingest_customer(c, cd, k, &res->events);
    if((k % BATCH == BATCH - 1 || k == n - 1) && crm_commit(c))
      die("commit", crm_errmsg(c));
  }
  res->ingest_s = now_s() - t;
}

/* One raw pass over the purchases, as a fit must read them at least. */
static double events_pass(const char *path, long *rows)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  int64_t sum = 0;
  double t;
  int rc;

  if(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    die("pass open", sqlite3_errmsg(db));
  if(sqlite3_prepare_v2(db, "SELECT customer_id, occurred_at, amount"
                        " FROM events WHERE type = 'purchase'"
                        " ORDER BY customer_id, occurred_at, id", -1, &st,
                        NULL) != SQLITE_OK)
    die("pass prepare", sqlite3_errmsg(db));
  *rows = 0;
  t = now_s();
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    sum += sqlite3_column_int64(st, 0) + sqlite3_column_int64(st, 1) +
           sqlite3_column_int64(st, 2);
    (*rows)++;
  }
  t = now_s() - t;
  if(rc != SQLITE_DONE)
    die("pass step", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  sqlite3_close(db);
  if(sum == 42)
    fputc(' ', stderr); /* keep the sum alive */
  return t;
}

/* A comparable score row: clv's four scores with a label and a five
 * factor explanation. */
static const char raw_explain[] =
  "[{\"factor\":\"base\",\"contribution\":1203.5,\"detail\":null},"
  "{\"factor\":\"age\",\"contribution\":-310.25,\"detail\":null},"
  "{\"factor\":\"frequency\",\"contribution\":812.75,\"detail\":null},"
  "{\"factor\":\"recency\",\"contribution\":-420.5,\"detail\":null},"
  "{\"factor\":\"spend\",\"contribution\":41.0,\"detail\":null}]";

static void raw_exec(sqlite3 *db, const char *sql)
{
  char *err = NULL;

  if(sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
    die(sql, err ? err : "?");
}

static void raw_setup(sqlite3 *db, long n)
{
  sqlite3_stmt *st;
  long i;

  raw_exec(db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;"
           "PRAGMA synchronous=NORMAL;"
           "CREATE TABLE customers(id INTEGER PRIMARY KEY);"
           "CREATE TABLE scores(customer_id INTEGER NOT NULL"
           " REFERENCES customers(id), model TEXT NOT NULL,"
           " name TEXT NOT NULL, value REAL NOT NULL, label TEXT,"
           " computed_at INTEGER NOT NULL, explain TEXT,"
           " PRIMARY KEY (customer_id, model, name)) WITHOUT ROWID;"
           "CREATE INDEX scores_model ON scores(model, name);");
  raw_exec(db, "BEGIN");
  if(sqlite3_prepare_v2(db, "INSERT INTO customers VALUES(?1)", -1, &st,
                        NULL) != SQLITE_OK)
    die("raw prepare", sqlite3_errmsg(db));
  for(i = 1; i <= n; i++) {
    sqlite3_bind_int64(st, 1, i);
    if(sqlite3_step(st) != SQLITE_DONE)
      die("raw customers", sqlite3_errmsg(db));
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  raw_exec(db, "COMMIT");
}

static double raw_insert(const char *path, long n, struct allocs *allocs)
{
  static const char *const names[SCORES_PER_CUSTOMER] = {
    "clv", "expected_purchases", "expected_spend", "p_alive"};
  sqlite3 *db = NULL;
  sqlite3_stmt *st;
  char label[32];
  double t;
  long i;
  int k;

  rm_db(path);
  if(sqlite3_open(path, &db) != SQLITE_OK)
    die("raw open", sqlite3_errmsg(db));
  raw_setup(db, n);
  if(sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO scores(customer_id,"
                        " model, name, value, label, computed_at, explain)"
                        " VALUES(?1, 'clv', ?2, ?3, ?4, ?5, ?6)", -1, &st,
                        NULL) != SQLITE_OK)
    die("raw prepare", sqlite3_errmsg(db));
  count_start();
  t = now_s();
  raw_exec(db, "BEGIN");
  for(i = 1; i <= n; i++) {
    for(k = 0; k < SCORES_PER_CUSTOMER; k++) {
      snprintf(label, sizeof(label), "%ld.%02ld USD", i % 1000, i % 100);
      sqlite3_bind_int64(st, 1, i);
      sqlite3_bind_text(st, 2, names[k], -1, SQLITE_STATIC);
      sqlite3_bind_double(st, 3, (double)i * 0.25);
      sqlite3_bind_text(st, 4, label, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(st, 5, INT64_C(899251200));
      sqlite3_bind_text(st, 6, raw_explain, -1, SQLITE_STATIC);
      if(sqlite3_step(st) != SQLITE_DONE)
        die("raw insert", sqlite3_errmsg(db));
      sqlite3_reset(st);
    }
  }
  raw_exec(db, "COMMIT");
  t = now_s() - t;
  *allocs = count_stop();
  sqlite3_finalize(st);
  sqlite3_close(db);
  rm_db(path);
  return t;
}

static void write_conf(const char *path, const struct opts *o)
{
  FILE *f = fopen(path, "w");

  if(!f)
    die(path, "cannot write");
  fprintf(f, "plugins = { load = ( { name = \"clv\"; config = { %s }; } );"
          " };\n", o->clv_config);
  fclose(f);
}

static void print_figures(crm *c)
{
  static const char *const names[] = {
    "bgnbd_r", "bgnbd_alpha", "bgnbd_a", "bgnbd_b", "bgnbd_ll",
    "gg_p", "gg_q", "gg_gamma", "customers"};
  size_t i;
  double v;

  printf("  figures:");
  for(i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    if(crm_figure_get(c, "clv", names[i], &v) == CRM_OK)
      printf(" %s=%.6g", names[i], v);
  }
  printf("\n");
}

static void fit(crm *c, int64_t as_of, unsigned flags, double *secs,
                struct allocs *allocs, size_t *n_scored)
{
  double t;
  int rc;

  count_start();
  t = now_s();
  rc = crm_score_fit(c, "clv", as_of, flags, NULL, NULL, n_scored);
  *secs = now_s() - t;
  *allocs = count_stop();
  if(rc)
    die("crm_score_fit", crm_errmsg(c));
}

static void run_size(const struct opts *o, const struct cdnow *cd, long n,
                     int trace, struct result *res)
{
  /* as of 1998-07-01 00:00 UTC, the day after the data's end */
  const int64_t as_of = days_from_civil(1998, 7, 1) * DAY;
  char path[600], conf[600], raw[600];
  crm *c = NULL;
  long rows = 0;
  size_t dummy = 0;

  memset(res, 0, sizeof(*res));
  res->customers = n;
  snprintf(path, sizeof(path), "%s/bench_score_%ld.db", o->dir,
           (long)getpid());
  snprintf(conf, sizeof(conf), "%s/bench_score_%ld.conf", o->dir,
           (long)getpid());
  snprintf(raw, sizeof(raw), "%s/bench_score_raw_%ld.db", o->dir,
           (long)getpid());
  rm_db(path);
  if(crm_open(&c, path, CRM_OPEN_CREATE))
    die("open", crm_errmsg(c));
  crm_set_now(c, as_of);
  ingest(c, cd, n, res);
  write_conf(conf, o);
  if(crm_load_config(c, conf, o->plugin_dir))
    die("crm_load_config", crm_errmsg(c));
  res->pass_s = events_pass(path, &rows);
  if(rows != res->events)
    die("pass", "row count differs from the events ingested");
  fit(c, as_of, CRM_FIT_NO_SCORE, &res->fit_s, &res->fit_allocs, &dummy);
  print_figures(c);
  trace_on = trace;
  fit(c, as_of, 0, &res->fit_score_s, &res->fit_score_allocs, &res->n_scored);
  trace_on = 0;
  crm_close(c);
  rm_db(path);
  unlink(conf);
  res->raw_insert_s = raw_insert(raw, n, &res->raw_allocs);
}

/* The scoring phase's allocations: (fit+score) - (fit). */
static long score_own(const struct result *r)
{
  return (long)r->fit_score_allocs.own - (long)r->fit_allocs.own;
}

static long score_sqlite(const struct result *r)
{
  return (long)r->fit_score_allocs.sqlite - (long)r->fit_allocs.sqlite;
}

static double per(double x, double n)
{
  return n > 0 ? x / n : 0;
}

static void report_allocs(const struct result *r)
{
  double n = (double)r->n_scored;

  printf("  allocations outside SQLite (core, plugin, libc): fit %lu, "
         "fit+scoring %lu, scoring %ld = %.4f per customer scored\n",
         r->fit_allocs.own, r->fit_score_allocs.own, score_own(r),
         per((double)score_own(r), n));
  printf("  allocations by SQLite itself: fit %lu, scoring %ld = %.2f per "
         "customer scored; raw insert baseline %lu = %.2f per customer\n",
         r->fit_allocs.sqlite, score_sqlite(r),
         per((double)score_sqlite(r), n), r->raw_allocs.sqlite,
         per((double)r->raw_allocs.sqlite, (double)r->customers));
}

static void report(const struct result *r)
{
  double score_s = r->fit_score_s - r->fit_s;
  double rate = per((double)r->n_scored, score_s);
  double raw_rate = (double)r->customers / r->raw_insert_s;

  printf("customers %ld, events %ld\n", r->customers, r->events);
  printf("  ingest (crm_event_ingest, %d customers per transaction): "
         "%.2f s, %.0f events/s\n", BATCH, r->ingest_s,
         (double)r->events / r->ingest_s);
  printf("  fit (CRM_FIT_NO_SCORE):        %.3f s\n", r->fit_s);
  printf("  fit + scoring:                 %.3f s, %zu scored\n",
         r->fit_score_s, r->n_scored);
  printf("  scoring:                       %.3f s, %.0f customers/s\n",
         score_s, rate);
  printf("  baseline events pass (raw SELECT):      %.3f s\n", r->pass_s);
  printf("  baseline raw insert (%d scores/customer): %.3f s, "
         "%.0f customers/s\n", SCORES_PER_CUSTOMER, r->raw_insert_s,
         raw_rate);
  printf("  ratio fit / events pass:                %.2f\n",
         per(r->fit_s, r->pass_s));
  printf("  ratio scoring rate / raw insert rate:   %.2f\n",
         per(rate, raw_rate));
  if(BENCH_COUNT)
    report_allocs(r);
}

static long arg_long(const char *s)
{
  char *end;
  long v = strtol(s, &end, 10);

  if(end == s || *end || v <= 0)
    die("usage", "a count must be a positive integer");
  return v;
}

static void parse_args(int argc, char **argv, struct opts *o, int *trace)
{
  int i;

  for(i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;

    if(!strcmp(a, "--trace-allocs")) {
      *trace = 1;
      continue;
    }
    if(!v)
      die("usage", "bench_score [--customers N] [--small M] [--data FILE] "
          "[--dir DIR] [--plugin-dir DIR] [--clv-config TEXT] "
          "[--trace-allocs]");
    if(!strcmp(a, "--customers"))
      o->customers = arg_long(v);
    else if(!strcmp(a, "--small"))
      o->small = arg_long(v);
    else if(!strcmp(a, "--data"))
      o->data = v;
    else if(!strcmp(a, "--dir"))
      o->dir = v;
    else if(!strcmp(a, "--plugin-dir"))
      o->plugin_dir = v;
    else if(!strcmp(a, "--clv-config"))
      o->clv_config = v;
    else
      die("usage", a);
    i++;
  }
}

int main(int argc, char **argv)
{
  static struct cdnow cd;
  struct opts o = {1000000, 0, CRM_BENCH_DATA, "/tmp", CRM_BENCH_PLUGIN_DIR,
                   "time_unit = \"week\"; calibration_end = \"1997-09-30\";"};
  struct result big, small;
  int trace = 0;

  parse_args(argc, argv, &o, &trace);
  setvbuf(stdout, NULL, _IOLBF, 0); /* progress shows when redirected */
  sq_count_apart();
  if(!o.small)
    o.small = o.customers / 10 > 0 ? o.customers / 10 : 1;
  cd_load(&cd, o.data);
  printf("CDNOW sample: %zu customers, %zu purchases (%s)\n", cd.n_cust,
         cd.n_ev, o.data);
  run_size(&o, &cd, o.small, 0, &small);
  report(&small);
  run_size(&o, &cd, o.customers, trace, &big);
  report(&big);
  if(BENCH_COUNT) {
    printf("scoring allocations outside SQLite: %ld at %ld customers, %ld "
           "at %ld customers (%.0fx the customers)\n", score_own(&small),
           small.customers, score_own(&big), big.customers,
           (double)big.customers / (double)small.customers);
    if(trace) {
      printf("most frequent stacks of the allocations outside SQLite in "
             "the fit+scoring run:\n");
      trace_print();
    }
  }
  return 0;
}
