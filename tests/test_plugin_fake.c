/*
 * test_plugin_fake.c - the fake host behind the isolated plugin tests.
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sqlite3.h>

#include "test_plugin_fake.h"
#include "test_plugin_fake_int.h"

static void fake_log(crm_host_ctx *h, int level, const char *fmt, ...)
{
  va_list ap;

  (void)level;
  va_start(ap, fmt);
  vsnprintf(h->last_log, sizeof(h->last_log), fmt, ap);
  va_end(ap);
  h->n_logs++;
}

int fake_set_error(crm_host_ctx *h, int code, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(h->errmsg, sizeof(h->errmsg), fmt, ap);
  va_end(ap);
  h->errcode = code;
  return code;
}

static void *fake_alloc(crm_host_ctx *h, size_t n)
{
  void *p = malloc(n ? n : 1);

  if(p)
    h->allocs_live++;
  return p;
}

static void fake_free(crm_host_ctx *h, void *p)
{
  if(!p)
    return;
  h->allocs_live--;
  free(p);
}

static struct fake_cfg *fake_cfg_lookup(crm_host_ctx *h, const char *path)
{
  size_t i;

  for(i = 0; i < h->n_cfg; i++) {
    if(!strcmp(h->cfg[i].path, path))
      return &h->cfg[i];
  }
  return NULL;
}

static int fake_cfg_get_str(crm_host_ctx *h, const char *path,
                            const char **out)
{
  struct fake_cfg *e = fake_cfg_lookup(h, path);

  if(!e)
    return CRM_ENOTFOUND;
  if(e->type != 's')
    return CRM_EINVAL;
  *out = e->str;
  return CRM_OK;
}

static int fake_cfg_get_int(crm_host_ctx *h, const char *path, int64_t *out)
{
  struct fake_cfg *e = fake_cfg_lookup(h, path);

  if(!e)
    return CRM_ENOTFOUND;
  if(e->type != 'i')
    return CRM_EINVAL;
  *out = e->i;
  return CRM_OK;
}

static int fake_cfg_get_float(crm_host_ctx *h, const char *path, double *out)
{
  struct fake_cfg *e = fake_cfg_lookup(h, path);

  if(!e)
    return CRM_ENOTFOUND;
  if(e->type != 'f' && e->type != 'i')
    return CRM_EINVAL;
  *out = e->type == 'f' ? e->f : (double)e->i;
  return CRM_OK;
}

static int fake_cfg_get_bool(crm_host_ctx *h, const char *path, int *out)
{
  struct fake_cfg *e = fake_cfg_lookup(h, path);

  if(!e)
    return CRM_ENOTFOUND;
  if(e->type != 'b')
    return CRM_EINVAL;
  *out = (int)e->i;
  return CRM_OK;
}

static struct fake_kv *fake_kv_lookup(crm_host_ctx *h, const char *key)
{
  size_t i;

  for(i = 0; i < h->n_kv; i++) {
    if(!strcmp(h->kv[i].key, key))
      return &h->kv[i];
  }
  return NULL;
}

static int fake_kv_get(crm_host_ctx *h, const char *key, char **out)
{
  struct fake_kv *e = fake_kv_lookup(h, key);
  size_t n;

  if(!e)
    return CRM_ENOTFOUND;
  n = strlen(e->value) + 1;
  *out = fake_alloc(h, n);
  if(!*out)
    return CRM_ENOMEM;
  memcpy(*out, e->value, n);
  return CRM_OK;
}

static int fake_kv_put(crm_host_ctx *h, const char *key, const char *value)
{
  struct fake_kv *e = fake_kv_lookup(h, key);

  if(!value) {
    if(e)
      *e = h->kv[--h->n_kv];
    return CRM_OK;
  }
  if(!e) {
    assert_true(h->n_kv < FAKE_MAX);
    e = &h->kv[h->n_kv++];
    snprintf(e->key, sizeof(e->key), "%s", key);
  }
  snprintf(e->value, sizeof(e->value), "%s", value);
  return CRM_OK;
}

struct fake_score *fake_score_slot(crm_host_ctx *h, int64_t id,
                                          const char *name)
{
  struct fake_score *s = (struct fake_score *)fake_score_find(h, id, name);

  if(!s) {
    assert_true(h->n_scores < FAKE_MAX * 4);
    s = &h->scores[h->n_scores++];
    memset(s, 0, sizeof(*s));
  }
  s->customer_id = id;
  snprintf(s->model, sizeof(s->model), "%s", h->model);
  snprintf(s->name, sizeof(s->name), "%s", name);
  s->n_writes++;
  return s;
}

static int fake_score_put(crm_host_ctx *h, int64_t id, const char *name,
                          double value, const char *label)
{
  struct fake_score *s;

  if(!name || !*name)
    return fake_set_error(h, CRM_EINVAL, "score name is empty");
  s = fake_score_slot(h, id, name);
  s->value = value;
  s->has_label = label != NULL;
  snprintf(s->label, sizeof(s->label), "%s", label ? label : "");
  s->n_factors = 0;
  return CRM_OK;
}


static int64_t fake_now(crm_host_ctx *h)
{
  return h->now;
}

static int fake_customer_attr(crm_host_ctx *h, int64_t id, const char *name,
                              char *buf, size_t size)
{
  size_t i;

  for(i = 0; i < h->n_attrs; i++) {
    if(h->attrs[i].customer_id == id && !strcmp(h->attrs[i].name, name)) {
      if(strlen(h->attrs[i].value) >= size)
        return CRM_ERANGE;
      memcpy(buf, h->attrs[i].value, strlen(h->attrs[i].value) + 1);
      return CRM_OK;
    }
  }
  return CRM_ENOTFOUND;
}

/* JSON through SQLite, as the real host does. One in-memory database for
 * the whole test process. */
static sqlite3 *fake_json_db(void)
{
  static sqlite3 *db;

  if(!db && sqlite3_open(":memory:", &db) != SQLITE_OK)
    fail_msg("cannot open sqlite for json");
  return db;
}

int fake_json_get(crm_host_ctx *h, const char *json, const char *path,
                         char *buf, size_t size)
{
  sqlite3_stmt *st = NULL;
  int rc;
  const char *txt;

  (void)h;
  if(!json || !path)
    return CRM_EINVAL;
  if(sqlite3_prepare_v2(fake_json_db(), "SELECT CASE WHEN json_valid(?1)"
                        " THEN json_extract(?1, ?2) END, json_valid(?1),"
                        " json_type(?1, ?2)", -1, &st, NULL) != SQLITE_OK)
    return CRM_EINVAL;
  sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc != SQLITE_ROW || !sqlite3_column_int(st, 1)) {
    sqlite3_finalize(st);
    return CRM_EINVAL;
  }
  if(sqlite3_column_type(st, 0) == SQLITE_NULL) {
    sqlite3_finalize(st);
    return CRM_ENOTFOUND;
  }
  txt = (const char *)sqlite3_column_text(st, 0);
  if(strlen(txt) >= size) {
    sqlite3_finalize(st);
    return CRM_ERANGE;
  }
  memcpy(buf, txt, strlen(txt) + 1);
  sqlite3_finalize(st);
  return CRM_OK;
}

static int fake_json_len(crm_host_ctx *h, const char *json, const char *path,
                         int64_t *n)
{
  sqlite3_stmt *st = NULL;
  int rc;

  (void)h;
  if(!json || !path)
    return CRM_EINVAL;
  if(sqlite3_prepare_v2(fake_json_db(), "SELECT json_valid(?1),"
                        " CASE WHEN json_valid(?1) THEN json_type(?1, ?2) END,"
                        " CASE WHEN json_valid(?1) THEN"
                        " json_array_length(?1, ?2) END", -1, &st, NULL)
     != SQLITE_OK)
    return CRM_EINVAL;
  sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc != SQLITE_ROW || !sqlite3_column_int(st, 0)) {
    sqlite3_finalize(st);
    return CRM_EINVAL;
  }
  if(sqlite3_column_type(st, 1) == SQLITE_NULL ||
     !strcmp((const char *)sqlite3_column_text(st, 1), "null")) {
    sqlite3_finalize(st);
    return CRM_ENOTFOUND;
  }
  if(strcmp((const char *)sqlite3_column_text(st, 1), "array")) {
    sqlite3_finalize(st);
    return CRM_EINVAL;
  }
  *n = sqlite3_column_int64(st, 2);
  sqlite3_finalize(st);
  return CRM_OK;
}

static int fake_cfg_get_path(crm_host_ctx *h, const char *path, char *buf,
                             size_t size)
{
  const char *v = NULL;
  int rc = fake_cfg_get_str(h, path, &v);
  int n;

  if(rc)
    return rc;
  if(v[0] == '/' || !h->conf_dir[0])
    n = snprintf(buf, size, "%s", v);
  else
    n = snprintf(buf, size, "%s/%s", h->conf_dir, v);
  if(n < 0 || (size_t)n >= size)
    return CRM_ERANGE;
  return CRM_OK;
}

void fake_attr(crm_host_ctx *h, int64_t customer_id, const char *name,
               const char *value)
{
  size_t i;

  for(i = 0; i < h->n_attrs; i++)
    if(h->attrs[i].customer_id == customer_id &&
       !strcmp(h->attrs[i].name, name))
      break;
  assert_true(i < FAKE_MAX);
  if(i == h->n_attrs)
    h->n_attrs++;
  h->attrs[i].customer_id = customer_id;
  snprintf(h->attrs[i].name, sizeof(h->attrs[i].name), "%s", name);
  snprintf(h->attrs[i].value, sizeof(h->attrs[i].value), "%s", value);
}

void fake_host_1_2(crm_host_ctx *h)
{
  h->api.struct_size = (uint32_t)offsetof(crm_host_api, score_write);
  h->api.abi_minor = 2;
  h->api.score_write = NULL;
  h->api.events_walk = NULL;
  h->api.progress = NULL;
  h->api.figure_put = NULL;
  h->api.figure_get = NULL;
  h->api.score_get = NULL;
  h->api.customers_walk = NULL;
}

void fake_host_1_1(crm_host_ctx *h)
{
  fake_host_1_2(h);
  h->api.struct_size = (uint32_t)offsetof(crm_host_api, customer_attr);
  h->api.abi_minor = 1;
  h->api.customer_attr = NULL;
  h->api.json_get = NULL;
  h->api.json_len = NULL;
  h->api.cfg_get_path = NULL;
}

void fake_reset(crm_host_ctx *h)
{
  memset(h, 0, sizeof(*h));
  h->api.struct_size = sizeof(crm_host_api);
  h->api.abi_major = CRM_SDK_ABI_MAJOR;
  h->api.abi_minor = CRM_SDK_ABI_MINOR;
  h->api.log = fake_log;
  h->api.set_error = fake_set_error;
  h->api.alloc = fake_alloc;
  h->api.free = fake_free;
  h->api.cfg_get_str = fake_cfg_get_str;
  h->api.cfg_get_int = fake_cfg_get_int;
  h->api.cfg_get_float = fake_cfg_get_float;
  h->api.cfg_get_bool = fake_cfg_get_bool;
  h->api.kv_get = fake_kv_get;
  h->api.kv_put = fake_kv_put;
  h->api.score_put = fake_score_put;
  h->api.now = fake_now;
  h->api.customer_attr = fake_customer_attr;
  h->api.json_get = fake_json_get;
  h->api.json_len = fake_json_len;
  h->api.cfg_get_path = fake_cfg_get_path;
  fake__install_1_3(h);
  snprintf(h->model, sizeof(h->model), "%s", "self");
  h->now = 1700000000;
}

void fake_host_1_0(crm_host_ctx *h)
{
  fake_host_1_2(h);
  h->api.struct_size = (uint32_t)offsetof(crm_host_api, emit_event);
  h->api.abi_minor = 0;
  h->api.emit_event = NULL;
  h->api.score_put = NULL;
  h->api.customer_get = NULL;
  h->api.now = NULL;
  h->api.customer_attr = NULL;
  h->api.json_get = NULL;
  h->api.json_len = NULL;
  h->api.cfg_get_path = NULL;
}

static struct fake_cfg *fake_cfg_slot(crm_host_ctx *h, const char *path)
{
  struct fake_cfg *e = fake_cfg_lookup(h, path);

  if(!e) {
    assert_true(h->n_cfg < FAKE_MAX);
    e = &h->cfg[h->n_cfg++];
  }
  memset(e, 0, sizeof(*e));
  snprintf(e->path, sizeof(e->path), "%s", path);
  return e;
}

void fake_cfg_int(crm_host_ctx *h, const char *path, int64_t v)
{
  struct fake_cfg *e = fake_cfg_slot(h, path);

  e->type = 'i';
  e->i = v;
}

void fake_cfg_str(crm_host_ctx *h, const char *path, const char *v)
{
  struct fake_cfg *e = fake_cfg_slot(h, path);

  e->type = 's';
  snprintf(e->str, sizeof(e->str), "%s", v);
}

void fake_cfg_bool(crm_host_ctx *h, const char *path, int v)
{
  struct fake_cfg *e = fake_cfg_slot(h, path);

  e->type = 'b';
  e->i = v;
}

void fake_cfg_float(crm_host_ctx *h, const char *path, double v)
{
  struct fake_cfg *e = fake_cfg_slot(h, path);

  e->type = 'f';
  e->f = v;
}

const crm_plugin_desc *fake_open(crm_host_ctx *h, const char *name)
{
  char path[1024];
  crm_plugin_entry_fn entry;
  void *sym;

  snprintf(path, sizeof(path), "%s/%s.so", CRM_TEST_PLUGIN_DIR, name);
  h->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if(!h->dl)
    fail_msg("cannot open %s: %s", path, dlerror());
  sym = dlsym(h->dl, CRM_PLUGIN_ENTRY_SYMBOL);
  assert_non_null(sym);
  memcpy(&entry, &sym, sizeof(entry));
  h->desc = entry();
  assert_non_null(h->desc);
  assert_int_equal(h->desc->magic, CRM_PLUGIN_MAGIC);
  assert_int_equal(h->desc->abi_major, CRM_SDK_ABI_MAJOR);
  assert_string_equal(h->desc->build_sig, CRM_SDK_BUILD_SIG);
  return h->desc;
}

int fake_load(crm_host_ctx *h, const char *name)
{
  fake_open(h, name);
  h->state = NULL;
  return h->desc->init(&h->api, h, &h->state);
}

void fake_unload(crm_host_ctx *h)
{
  if(h->state)
    h->desc->fini(h->state, h);
  h->state = NULL;
  assert_int_equal(h->allocs_live, 0);
}

const void *fake_vtable(crm_host_ctx *h, uint32_t kind)
{
  assert_non_null(h->desc);
  assert_true(h->desc->n_components >= 1);
  assert_int_equal(h->desc->components[0]->kind, kind);
  return h->desc->components[0]->vtable;
}

const struct fake_score *fake_score_find(crm_host_ctx *h, int64_t id,
                                         const char *name)
{
  size_t i;

  for(i = 0; i < h->n_scores; i++) {
    if(h->scores[i].customer_id == id && !strcmp(h->scores[i].name, name))
      return &h->scores[i];
  }
  return NULL;
}

const char *fake_kv_find(crm_host_ctx *h, const char *key)
{
  struct fake_kv *e = fake_kv_lookup(h, key);

  return e ? e->value : NULL;
}
