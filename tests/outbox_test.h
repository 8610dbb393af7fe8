/*
 * outbox_test.h - helpers of the outbox tests: a store in memory with the
 * clock fixed, a crm.conf loading the fx_channel fixture (its script and
 * call log in a scratch directory) and optional `communication` settings.
 */
#ifndef OUTBOX_TEST_H
#define OUTBOX_TEST_H

#include <dirent.h>
#include <unistd.h>

#include "crm_test.h"

#include "crm_int.h"

/* 2002-09-27T00:00:00Z (a Friday), midnight UTC. */
#define OT_NOW (T_EPOCH2000 + 1000 * T_DAY)

typedef struct ot_env {
  crm *c;
  char dir[512];
  char conf[600];
  char log[600];  /* fx_channel's call log */
  char log2[600]; /* fx_channel2's */
  char store[600]; /* the store file of ot_open_file, else "" */
} ot_env;

/* Opens a store at OT_NOW and loads fx_channel with `script` (the inside
 * of the list, e.g. "\"temporary\", \"sent\""), fx_channel2 with
 * script2 when it is not NULL, and `comm` (a whole `communication = {...};`
 * group, or NULL). */
static inline void ot_open_in(ot_env *e, int file, const char *script,
                              const char *script2, const char *comm)
{
  char text[8192];
  char second[1600];

  memset(e, 0, sizeof(*e));
  t_tmpdir(e->dir, sizeof(e->dir));
  if(file)
    snprintf(e->store, sizeof(e->store), "%s/crm.db", e->dir);
  snprintf(e->conf, sizeof(e->conf), "%s/crm.conf", e->dir);
  snprintf(e->log, sizeof(e->log), "%s/calls.log", e->dir);
  snprintf(e->log2, sizeof(e->log2), "%s/calls2.log", e->dir);
  second[0] = '\0';
  if(script2)
    snprintf(second, sizeof(second),
             ",\n    { name = \"fx_channel2\"; config = { script = [ %s ];"
             " log = \"%s\"; }; }", script2, e->log2);
  snprintf(text, sizeof(text),
           "plugins = {\n"
           "  path = [ \"%s\" ];\n"
           "  load = (\n"
           "    { name = \"fx_channel\"; config = { script = [ %s ];"
           " log = \"%s\"; }; }%s\n"
           "  );\n"
           "};\n%s\n",
           CRM_TEST_FIXTURE_DIR, script ? script : "", e->log, second,
           comm ? comm : "");
  t_write_file(e->conf, text);
  if(!file) {
    e->c = t_open_mem(OT_NOW);
  }
  else {
    if(crm_open(&e->c, e->store, CRM_OPEN_CREATE))
      fail_msg("crm_open: %s", crm_errmsg(e->c));
    crm_set_now(e->c, OT_NOW);
  }
  if(crm_load_config(e->c, e->conf, NULL))
    fail_msg("crm_load_config: %s", crm_errmsg(e->c));
}

static inline void ot_open2(ot_env *e, const char *script,
                            const char *script2, const char *comm)
{
  ot_open_in(e, 0, script, script2, comm);
}

/* The same with the store in a file (e->store) of the scratch
 * directory, for tests with several connections or processes. */
static inline void ot_open_file(ot_env *e, const char *script,
                                const char *comm)
{
  ot_open_in(e, 1, script, NULL, comm);
}

static inline void ot_open(ot_env *e, const char *script, const char *comm)
{
  ot_open2(e, script, NULL, comm);
}

static inline void ot_close(ot_env *e)
{
  DIR *d;
  struct dirent *de;
  char p[1200];

  if(e->c)
    crm_close(e->c);
  e->c = NULL;
  d = opendir(e->dir);
  if(d) {
    for(;;) {
      de = readdir(d);
      if(!de)
        break;
      if(!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
        continue;
      snprintf(p, sizeof(p), "%s/%s", e->dir, de->d_name);
      unlink(p);
    }
    closedir(d);
  }
  rmdir(e->dir);
}

static inline int64_t ot_customer(crm *c, const char *ext, const char *name,
                                  const char *email, const char *phone)
{
  crm_customer_fields f;
  int64_t id = 0;

  memset(&f, 0, sizeof(f));
  f.external_id = ext;
  f.name = name;
  f.email = email;
  f.phone = phone;
  if(crm_customer_add(c, &f, &id))
    fail_msg("crm_customer_add(%s): %s", ext, crm_errmsg(c));
  return id;
}

/* Queues an ad-hoc service message; fails the test on error. */
static inline int64_t ot_enqueue(crm *c, int64_t cust, const char *channel,
                                 const char *subject, const char *body)
{
  crm_outbox_new m;
  int64_t id = 0;

  memset(&m, 0, sizeof(m));
  m.customer_id = cust;
  m.channel = channel;
  m.subject = subject;
  m.body = body;
  m.priority = CRM_PRIORITY_SERVICE;
  if(crm_outbox_enqueue(c, &m, &id))
    fail_msg("crm_outbox_enqueue: %s", crm_errmsg(c));
  return id;
}

/* The message (strings valid until the next call on c). */
static inline crm_outbox_msg ot_get(crm *c, int64_t id)
{
  crm_outbox_msg m;

  if(crm_outbox_get(c, id, &m))
    fail_msg("crm_outbox_get(%lld): %s", (long long)id, crm_errmsg(c));
  return m;
}

static inline crm_outbox_stats ot_run(crm *c)
{
  crm_outbox_stats s;

  if(crm_outbox_run(c, NULL, &s))
    fail_msg("crm_outbox_run: %s", crm_errmsg(c));
  return s;
}

/* One integer from SQL (with ?1 bound to a), -1 when no row. */
static inline int64_t ot_sql_int(crm *c, const char *sql, int64_t a)
{
  sqlite3_stmt *st;
  int64_t v = -1;

  if(sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
    fail_msg("prepare %s: %s", sql, sqlite3_errmsg(c->db));
  sqlite3_bind_int64(st, 1, a);
  if(sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

static inline void ot_sql(crm *c, const char *sql)
{
  char *err = NULL;

  if(sqlite3_exec(c->db, sql, NULL, NULL, &err) != SQLITE_OK)
    fail_msg("%s: %s", sql, err ? err : "?");
}

static inline int64_t ot_count(crm *c)
{
  return ot_sql_int(c, "SELECT count(*) FROM messages WHERE ?1 = ?1", 0);
}

/* Reads the call log: up to max lines into lines[i] (each <= 2048). */
#define OT_LINE 2048
static inline int ot_log(const char *path, char (*lines)[OT_LINE], int max)
{
  FILE *f = fopen(path, "r");
  int n = 0;

  if(!f)
    return 0;
  while(n < max && fgets(lines[n], OT_LINE, f))
    n++;
  fclose(f);
  return n;
}

/* The value of key in a log line ("" when absent). */
static inline const char *ot_field(const char *line, const char *key)
{
  static char v[OT_LINE];
  char pat[64];
  const char *p;
  size_t n = 0;

  snprintf(pat, sizeof(pat), "%s=", key);
  p = line;
  for(;;) {
    p = strstr(p, pat);
    if(!p)
      return "";
    if(p == line || p[-1] == '\t')
      break;
    p++;
  }
  p += strlen(pat);
  while(p[n] && p[n] != '\t' && p[n] != '\n' && n + 1 < sizeof(v))
    n++;
  memcpy(v, p, n);
  v[n] = '\0';
  return v;
}

#endif
