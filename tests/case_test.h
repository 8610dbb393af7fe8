/*
 * case_test.h - helpers of the complaint case tests (test_case*.c): a
 * store with basic_case (and optionally the file channel), opening
 * cases, and the history and messages of a case collected for asserts.
 */
#ifndef CASE_TEST_H
#define CASE_TEST_H

#include "test_plugin_env.h"

#include "crm_int.h"

#define CT_N 16

/* basic_case with its default priorities. */
static const char ct_conf[] =
  "plugins = { load = ( { name = \"basic_case\"; } ); };\n";

/* basic_case and the file channel writing to <dir>/out.jsonl. */
static inline void ct_open_with_file(pe_env *e)
{
  char conf[1200];

  pe_open(e, NULL);
  snprintf(conf, sizeof(conf),
           "plugins = { load = ( { name = \"basic_case\"; },"
           " { name = \"file\"; config = { path = \"%s/out.jsonl\"; }; }"
           " ); };\n", e->dir);
  snprintf(e->conf, sizeof(e->conf), "%s/crm.conf", e->dir);
  t_write_file(e->conf, conf);
  if(crm_load_config(e->c, e->conf, CRM_TEST_PLUGIN_DIR))
    fail_msg("crm_load_config: %s", crm_errmsg(e->c));
}

/* One integer from a query with one integer parameter; -1 for NULL. */
static inline int64_t ct_int(crm *c, const char *sql, int64_t arg)
{
  sqlite3_stmt *st;
  int64_t v = -2;

  if(sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
    fail_msg("prepare %s: %s", sql, sqlite3_errmsg(c->db));
  sqlite3_bind_int64(st, 1, arg);
  if(sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_type(st, 0) == SQLITE_NULL
            ? -1 : sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

/* Opens a case (summary, category or NULL) at the handle's clock. */
static inline int64_t ct_case(crm *c, int64_t cust, const char *summary,
                              const char *category)
{
  crm_case_new n;
  int64_t id = 0;

  memset(&n, 0, sizeof(n));
  n.customer_id = cust;
  n.summary = summary;
  n.category = category;
  if(crm_case_create(c, &n, &id))
    fail_msg("crm_case_create: %s", crm_errmsg(c));
  return id;
}

static inline crm_case_op ct_op(const char *actor, const char *why,
                                int64_t at)
{
  crm_case_op op;

  memset(&op, 0, sizeof(op));
  op.actor = actor;
  op.why = why;
  op.at = at;
  return op;
}

/* The history of a case, as "action|from|to|actor|why|detail" lines
 * (NULL as "-"). */
typedef struct ct_lines {
  char line[CT_N][320];
  int64_t at[CT_N];
  size_t n;
} ct_lines;

static inline int ct_hist_cb(void *ud, const crm_case_event *e)
{
  ct_lines *h = ud;

  if(h->n < CT_N) {
    snprintf(h->line[h->n], sizeof(h->line[0]), "%s|%s|%s|%s|%s|%s",
             e->action, e->from_state ? e->from_state : "-",
             e->to_state ? e->to_state : "-", e->actor ? e->actor : "-",
             e->why ? e->why : "-", e->detail ? e->detail : "-");
    h->at[h->n] = e->at;
  }
  h->n++;
  return 0;
}

static inline void ct_history(crm *c, int64_t id, ct_lines *h)
{
  memset(h, 0, sizeof(*h));
  if(crm_case_history_foreach(c, id, ct_hist_cb, h))
    fail_msg("crm_case_history_foreach: %s", crm_errmsg(c));
}

/* The messages of a case as "kind|author|body|has_message" lines. */
static inline int ct_msg_cb(void *ud, const crm_case_msg *m)
{
  ct_lines *h = ud;

  if(h->n < CT_N) {
    snprintf(h->line[h->n], sizeof(h->line[0]), "%d|%s|%s|%s", m->kind,
             m->author, m->body, m->message_id ? "sent" : "-");
    h->at[h->n] = m->at;
  }
  h->n++;
  return 0;
}

static inline void ct_messages(crm *c, int64_t id, ct_lines *h)
{
  memset(h, 0, sizeof(*h));
  if(crm_case_messages_foreach(c, id, ct_msg_cb, h))
    fail_msg("crm_case_messages_foreach: %s", crm_errmsg(c));
}

/* The case (strings valid until the next crm_case_get). */
static inline crm_case ct_get(crm *c, int64_t id)
{
  crm_case k;

  if(crm_case_get(c, id, &k))
    fail_msg("crm_case_get: %s", crm_errmsg(c));
  return k;
}

#endif
