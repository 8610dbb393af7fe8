/*
 * store_plugins.c - what the store keeps for plugins: their recorded
 * states (table plugins) and their private key-value data (plugin_kv).
 */
#include <stdio.h>
#include <string.h>

#include "plugin_int.h"

/* Longest plugin key: room for an event's idempotency key (a plugin keys
 * its records by it) plus a prefix of the plugin's own, such as
 * basic_points' "p:". crm/sdk.h states the number. */
#define CRM__KV_KEY_MAX 192
#define CRM__KV_VALUE_MAX (64 * 1024)

_Static_assert(CRM__KV_KEY_MAX >= CRM_IDEM_KEY_MAX + 64,
               "a plugin key must hold an idempotency key and a prefix");

/* The state table is a report: a read-only handle skips writing it. */
static int crm__plugins_writable(crm *c)
{
  return c->db && !c->readonly;
}

int crm__plugins_clear(crm *c)
{
  static const char sql[] = "DELETE FROM plugins";
  sqlite3_stmt *st;
  int rc;

  if(!crm__plugins_writable(c))
    return CRM_OK;
  st = crm__stmt(c, sql);
  if(!st)
    return c->errcode;
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "clearing plugin states");
  return CRM_OK;
}

static void crm__bind_opt(sqlite3_stmt *st, int col, const char *s)
{
  if(s)
    sqlite3_bind_text(st, col, s, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null(st, col);
}

int crm__plugin_record(crm *c, const char *name, const char *path,
                       const char *state, const char *reason,
                       const crm_plugin_desc *desc, int required)
{
  static const char sql[] =
    "INSERT INTO plugins(name, path, state, reason, version, vendor, abi,"
    " components, required, updated_at)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    " ON CONFLICT(name) DO UPDATE SET path = excluded.path,"
    " state = excluded.state, reason = excluded.reason,"
    " version = excluded.version, vendor = excluded.vendor,"
    " abi = excluded.abi, components = excluded.components,"
    " required = excluded.required, updated_at = excluded.updated_at";
  char comps[1024];
  char abi[32];
  sqlite3_stmt *st;
  int rc;

  if(!crm__plugins_writable(c))
    return CRM_OK;
  st = crm__stmt(c, sql);
  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
  crm__bind_opt(st, 2, path);
  sqlite3_bind_text(st, 3, state, -1, SQLITE_STATIC);
  crm__bind_opt(st, 4, reason);
  crm__bind_opt(st, 5, desc ? desc->version : NULL);
  crm__bind_opt(st, 6, desc ? desc->vendor : NULL);
  if(desc) {
    snprintf(abi, sizeof(abi), "%u.%u", (unsigned)desc->abi_major,
             (unsigned)desc->abi_minor);
    crm__components_text(desc, comps, sizeof(comps));
    sqlite3_bind_text(st, 7, abi, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, comps, -1, SQLITE_TRANSIENT);
  }
  sqlite3_bind_int(st, 9, required ? 1 : 0);
  sqlite3_bind_int64(st, 10, crm_now(c));
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "recording plugin state");
  return CRM_OK;
}

static const char *crm__col(sqlite3_stmt *st, int col)
{
  return (const char *)sqlite3_column_text(st, col);
}

int crm_plugins_foreach(crm *c, int (*cb)(void *ud, const crm_plugin_info *),
                        void *ud)
{
  static const char sql[] =
    "SELECT name, path, state, reason, version, vendor, components,"
    " required, updated_at FROM plugins ORDER BY name";
  sqlite3_stmt *st;
  crm_plugin_info pi;
  int rc;

  if(!c || !cb)
    return CRM_EINVAL;
  crm__clear_err(c);
  st = crm__stmt(c, sql);
  if(!st)
    return c->errcode;
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    memset(&pi, 0, sizeof(pi));
    pi.name = crm__col(st, 0);
    pi.path = crm__col(st, 1);
    pi.state = crm__col(st, 2);
    pi.reason = crm__col(st, 3);
    pi.version = crm__col(st, 4);
    pi.vendor = crm__col(st, 5);
    pi.components = crm__col(st, 6);
    pi.required = sqlite3_column_int(st, 7);
    pi.updated_at = sqlite3_column_int64(st, 8);
    rc = cb(ud, &pi);
    if(rc) {
      sqlite3_reset(st);
      return rc;
    }
  }
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "listing plugins");
  return CRM_OK;
}

/* ---- plugin-scoped key-value data ------------------------------------- */

static int crm__kv_key_ok(crm *c, const char *plugin, const char *key)
{
  size_t n;

  if(!plugin || !key)
    return crm__err(c, CRM_EINVAL, "plugin key is missing");
  n = strlen(key);
  if(n == 0)
    return crm__err(c, CRM_EINVAL, "plugin key is empty");
  if(n > CRM__KV_KEY_MAX)
    return crm__err(c, CRM_ERANGE, "plugin key is %zu bytes; the limit is "
                    "%d", n, CRM__KV_KEY_MAX);
  return CRM_OK;
}

/* A missing key returns CRM_ENOTFOUND without touching c's error: a
 * look-up miss is an answer, not a failure. */
int crm__kv_get(crm *c, const char *plugin, const char *key, char **out)
{
  static const char sql[] =
    "SELECT value FROM plugin_kv WHERE plugin = ?1 AND key = ?2";
  sqlite3_stmt *st;
  int rc;

  *out = NULL;
  rc = crm__kv_key_ok(c, plugin, key);
  if(rc)
    return rc;
  st = crm__stmt(c, sql);
  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, plugin, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc == SQLITE_DONE) {
    sqlite3_reset(st);
    return CRM_ENOTFOUND;
  }
  if(rc != SQLITE_ROW) {
    sqlite3_reset(st);
    return crm__sqlerr(c, rc, "reading plugin data");
  }
  *out = crm__strdup(crm__col(st, 0) ? crm__col(st, 0) : "");
  sqlite3_reset(st);
  if(!*out)
    return crm__err(c, CRM_ENOMEM, "out of memory reading plugin data");
  return CRM_OK;
}

static int crm__kv_delete(crm *c, const char *plugin, const char *key)
{
  static const char sql[] =
    "DELETE FROM plugin_kv WHERE plugin = ?1 AND key = ?2";
  sqlite3_stmt *st;
  int rc;

  st = crm__stmt(c, sql);
  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, plugin, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "deleting plugin data");
  return CRM_OK;
}

int crm__kv_put(crm *c, const char *plugin, const char *key,
                const char *value)
{
  static const char sql[] =
    "INSERT INTO plugin_kv(plugin, key, value, updated_at)"
    " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(plugin, key) DO UPDATE"
    " SET value = excluded.value, updated_at = excluded.updated_at";
  sqlite3_stmt *st;
  size_t n;
  int rc;

  rc = crm__kv_key_ok(c, plugin, key);
  if(rc)
    return rc;
  if(c->readonly)
    return crm__err(c, CRM_ESTATE, "store is open read-only");
  if(!value)
    return crm__kv_delete(c, plugin, key);
  n = strlen(value);
  if(n > CRM__KV_VALUE_MAX)
    return crm__err(c, CRM_ERANGE, "plugin value is %zu bytes; the limit "
                    "is %d", n, CRM__KV_VALUE_MAX);
  st = crm__stmt(c, sql);
  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, plugin, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, value, (int)n, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, crm_now(c));
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "writing plugin data");
  return CRM_OK;
}

static const char crm__sql_plugin_recorded[] =
  "SELECT 1 FROM plugins WHERE name = ?1";

int crm__plugin_recorded(crm *c, const char *name)
{
  sqlite3_stmt *st;
  int rc;

  st = crm__stmt(c, crm__sql_plugin_recorded);
  if(!st)
    return 0;
  sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_ROW;
}
