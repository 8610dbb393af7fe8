/*
 * test_plugin_env.h - integration tests of the shipped plugins through the
 * public API: a store in memory, a generated crm.conf in a scratch
 * directory, plugins from the build tree.
 */
#ifndef TEST_PLUGIN_ENV_H
#define TEST_PLUGIN_ENV_H

#include <dirent.h>
#include <unistd.h>

#include "crm_test.h"

typedef struct pe_env {
  crm *c;
  char dir[512];
  char conf[600];
} pe_env;

/* A fixed "now": 2000-01-01 + 1000 days. */
#define PE_NOW (T_EPOCH2000 + 1000 * T_DAY)

/* Opens ":memory:" with the clock at PE_NOW and, when conf_text is not
 * NULL, loads it as crm.conf (plugins searched in the build tree). */
static inline void pe_open(pe_env *e, const char *conf_text)
{
  memset(e, 0, sizeof(*e));
  t_tmpdir(e->dir, sizeof(e->dir));
  e->c = t_open_mem(PE_NOW);
  if(!conf_text)
    return;
  snprintf(e->conf, sizeof(e->conf), "%s/crm.conf", e->dir);
  t_write_file(e->conf, conf_text);
  if(crm_load_config(e->c, e->conf, CRM_TEST_PLUGIN_DIR))
    fail_msg("crm_load_config: %s", crm_errmsg(e->c));
}

/* Closes the store and removes the scratch directory (flat). */
static inline void pe_close(pe_env *e)
{
  DIR *d;
  struct dirent *de;
  char p[1200];

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

/* A path inside the scratch directory (static buffer). */
static inline const char *pe_path(const pe_env *e, const char *name)
{
  static char p[1200];

  snprintf(p, sizeof(p), "%s/%s", e->dir, name);
  return p;
}

/* Ingests one event with a currency and returns the result. */
static inline crm_ingest_result pe_event(crm *c, int64_t cust,
                                         const char *type, int64_t at,
                                         int64_t amount,
                                         const char *currency,
                                         const char *payload,
                                         const char *key)
{
  crm_event ev;
  crm_ingest_result r;

  memset(&ev, 0, sizeof(ev));
  memset(&r, 0, sizeof(r));
  ev.type = type;
  ev.customer_id = cust;
  ev.occurred_at = at;
  ev.amount = amount;
  ev.currency = currency;
  ev.payload = payload;
  ev.idempotency_key = key;
  if(crm_event_ingest(c, &ev, &r))
    fail_msg("crm_event_ingest(%s): %s", key, crm_errmsg(c));
  return r;
}

#endif
