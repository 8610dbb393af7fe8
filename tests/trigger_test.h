/*
 * trigger_test.h - what test_trigger.c and test_trigger_due.c share: a
 * store in memory with a generated crm.conf (one e-mail route, a
 * template per trigger), and readers of the messages and due rows the
 * triggers leave.
 */
#ifndef TRIGGER_TEST_H
#define TRIGGER_TEST_H

#include "crm_test.h"
#include "loader_util.h"

#define TG_BASIC_CASE                                                       \
  "{ name = \"basic_case\"; file = \"" CRM_TEST_PLUGIN_DIR                  \
  "/basic_case.so\"; }"
/* fx_loyalty (tests/fixtures/fx_points.c): points and expiry from the
 * payload {"pts": N, "expires_at": T}. */
#define TG_POINTS "{ name = \"fx_loyalty\"; }"
#define TG_TIERS                                                            \
  "{ name = \"fx_loyalty\"; scheme = { tiers = { window_days = 365;"        \
  " review_days = 365; levels = ( { name = \"base\"; },"                    \
  " { name = \"silver\"; points = 1000; } ); }; }; }"

/* One template per trigger of the tests. */
#define TG_TEMPLATES                                                        \
  "  templates = (\n"                                                       \
  "    { name = \"welcome\"; channel = \"email\"; language = \"en\";\n"     \
  "      subject = \"Welcome to {{company}}, {{first_name}}\";\n"           \
  "      body = \"Hello {{first_name}}, you have {{points_balance}}"        \
  " points.\"; },\n"                                                        \
  "    { name = \"win_back\"; body = \"We miss you, {{first_name}}"         \
  " ({{old_stage}} -> {{new_stage}})\"; },\n"                               \
  "    { name = \"tier_up\"; body = \"{{new_tier}} in {{scheme}} (was"      \
  " {{old_tier}})\"; },\n"                                                  \
  "    { name = \"tier_down\"; body = \"down to {{new_tier}}\"; },\n"       \
  "    { name = \"thanks\"; body = \"Thanks for the {{event_type}} on"      \
  " {{event_date}}\"; },\n"                                                 \
  "    { name = \"survey\"; body = \"How did we do on case {{case_number}}" \
  " ({{case_summary}})?\"; },\n"                                            \
  "    { name = \"birthday\"; body = \"Happy birthday, {{first_name}}:"     \
  " {{age}} today\"; },\n"                                                  \
  "    { name = \"member_day\"; body = \"Member day {{member_day_date}}\";" \
  " },\n"                                                                   \
  "    { name = \"expiring\"; body = \"{{expiring_points}} points expire"   \
  " on {{expiry_date}}\"; },\n"                                             \
  "    { name = \"needs_tier\"; body = \"Your tier: {{tier}}\"; } );\n"

typedef struct tg_env {
  crm *c;
  lt_dir dir;
  char conf[LT_PATH];
} tg_env;

/* The config text: plugins (a list body, "" none) and triggers. */
static inline const char *tg_conf_text(const char *plugins,
                                       const char *triggers)
{
  static char text[8192];
  int n;

  n = snprintf(text, sizeof(text),
               "%s%s%s"
               "communication = {\n"
               "  require_opt_in = false;\n"
               "  sender_name = \"Example Shop\";\n"
               "  channels = ( { name = \"email\"; component = \"file\";"
               " address = \"email\"; } );\n"
               TG_TEMPLATES
               "  triggers = ( %s );\n"
               "};\n",
               *plugins ? "plugins = { load = ( " : "", plugins,
               *plugins ? " ); };\n" : "", triggers);
  if(n < 0 || (size_t)n >= sizeof(text))
    fail_msg("config text too long");
  return text;
}

/* (Re)writes crm.conf. */
static inline void tg_write(tg_env *e, const char *plugins,
                            const char *triggers)
{
  snprintf(e->conf, sizeof(e->conf), "%s",
           lt_write(&e->dir, "crm.conf", tg_conf_text(plugins, triggers)));
}

static inline void tg_open(tg_env *e, int64_t now, const char *plugins,
                           const char *triggers)
{
  memset(e, 0, sizeof(*e));
  lt_dir_init(&e->dir);
  e->c = t_open_mem(now);
  tg_write(e, plugins, triggers);
  if(crm_load_config(e->c, e->conf, FIXDIR))
    fail_msg("crm_load_config: %s", crm_errmsg(e->c));
}

static inline void tg_close(tg_env *e)
{
  crm_close(e->c);
  lt_dir_done(&e->dir);
}

static inline int64_t tg_time(const char *s)
{
  int64_t t = 0;

  if(crm_time_parse(s, &t))
    fail_msg("crm_time_parse(%s)", s);
  return t;
}

/* Adds a customer; tz and birthday may be NULL. */
static inline int64_t tg_customer(crm *c, const char *ext, const char *name,
                                  const char *tz, const char *birthday)
{
  crm_customer_fields f;
  int64_t id = 0;

  memset(&f, 0, sizeof(f));
  f.external_id = ext;
  f.name = name;
  f.timezone = tz;
  f.birthday = birthday;
  if(crm_customer_add(c, &f, &id))
    fail_msg("crm_customer_add(%s): %s", ext, crm_errmsg(c));
  return id;
}

/* An integer from a query with up to two bound values (a text ?1, an
 * integer ?2; NULL / 0 leave them unbound); -1 when no row. */
static inline int64_t tg_int(crm *c, const char *sql, const char *s1,
                             int64_t i2)
{
  sqlite3_stmt *st;
  int64_t v = -1;

  if(sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
    fail_msg("prepare %s: %s", sql, sqlite3_errmsg(c->db));
  if(s1)
    sqlite3_bind_text(st, 1, s1, -1, SQLITE_TRANSIENT);
  if(i2)
    sqlite3_bind_int64(st, 2, i2);
  if(sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

/* Messages a trigger made (any customer, any state). */
static inline int64_t tg_count(crm *c, const char *trigger)
{
  return tg_int(c, "SELECT count(*) FROM messages WHERE trigger = ?1",
                trigger, 0);
}

/* Messages of one customer made by a trigger. */
static inline int64_t tg_count_of(crm *c, const char *trigger, int64_t cust)
{
  return tg_int(c, "SELECT count(*) FROM messages WHERE trigger = ?1"
                " AND customer_id = ?2", trigger, cust);
}

/* The due time of (trigger, customer), -1 when no row (ref any). */
static inline int64_t tg_due(crm *c, const char *trigger, int64_t cust)
{
  return tg_int(c, "SELECT due_at FROM trigger_due WHERE trigger = ?1"
                " AND customer_id = ?2 ORDER BY due_at LIMIT 1", trigger,
                cust);
}

typedef struct tg_msg {
  int found;
  int64_t id;
  int64_t customer_id;
  char channel[33];
  char template_name[33];
  char language[36];
  char subject[256];
  char body[512];
  char status[16];
  char dedupe[160];
  char error[600];
  char error_class[16];
  int priority;
  int64_t next_at;
} tg_msg;

/* The n-th (0 first, by id) message of a trigger. */
static inline tg_msg tg_message(crm *c, const char *trigger, int n)
{
  static const char sql[] =
    "SELECT id, customer_id, channel, coalesce(template, ''),"
    " coalesce(language, ''), coalesce(subject, ''), body, status,"
    " coalesce(dedupe_key, ''), coalesce(error, ''),"
    " coalesce(error_class, ''), priority, next_at FROM messages"
    " WHERE trigger = ?1 ORDER BY id LIMIT 1 OFFSET ?2";
  sqlite3_stmt *st;
  tg_msg m;

  memset(&m, 0, sizeof(m));
  if(sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
    fail_msg("prepare: %s", sqlite3_errmsg(c->db));
  sqlite3_bind_text(st, 1, trigger, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(st, 2, n);
  if(sqlite3_step(st) == SQLITE_ROW) {
    m.found = 1;
    m.id = sqlite3_column_int64(st, 0);
    m.customer_id = sqlite3_column_int64(st, 1);
    crm__col_text(st, 2, m.channel, sizeof(m.channel));
    crm__col_text(st, 3, m.template_name, sizeof(m.template_name));
    crm__col_text(st, 4, m.language, sizeof(m.language));
    crm__col_text(st, 5, m.subject, sizeof(m.subject));
    crm__col_text(st, 6, m.body, sizeof(m.body));
    crm__col_text(st, 7, m.status, sizeof(m.status));
    crm__col_text(st, 8, m.dedupe, sizeof(m.dedupe));
    crm__col_text(st, 9, m.error, sizeof(m.error));
    crm__col_text(st, 10, m.error_class, sizeof(m.error_class));
    m.priority = sqlite3_column_int(st, 11);
    m.next_at = sqlite3_column_int64(st, 12);
  }
  sqlite3_finalize(st);
  if(!m.found)
    fail_msg("no message %d of trigger %s", n, trigger);
  return m;
}

/* Runs the schedule; returns the messages queued. */
static inline int64_t tg_run(crm *c, int64_t now)
{
  int64_t fired = -1;

  if(crm_triggers_run(c, now, &fired))
    fail_msg("crm_triggers_run: %s", crm_errmsg(c));
  return fired;
}

#endif /* TRIGGER_TEST_H */
