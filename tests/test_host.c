/*
 * test_host.c - the host services table, called the way a plugin calls
 * it: with the plugin's own ctx, on a core that loaded fx_good (with a
 * config group) and fx_other (without one).
 */
#include <stdio.h>
#include <string.h>

#include "loader_util.h"

typedef struct hfix {
  lt_dir dir;
  lt_log log;
  crm *c;
  const crm_host_api *api;
  crm_host_ctx *good;
  crm_host_ctx *other;
} hfix;

static int setup(void **state)
{
  static hfix f;
  const char *path;

  memset(&f, 0, sizeof(f));
  lt_dir_init(&f.dir);
  f.c = lt_open(NULL);
  lt_log_attach(f.c, &f.log);
  path = lt_write(&f.dir, "crm.conf",
    "plugins = { load = (\n"
    "  { name = \"fx_good\"; config = {\n"
    "      mult = 2; big = 5000000000L; s = \"text\"; f = 0.5;\n"
    "      b = true; sub = { x = 11; tier = \"gold\"; }; }; },\n"
    "  { name = \"fx_other\"; } ); };\n");
  if(crm_load_config(f.c, path, FIXDIR))
    fail_msg("load: %s", crm_errmsg(f.c));
  f.api = crm__host_api();
  f.good = &crm__plugin_by_name(f.c, "fx_good")->hctx;
  f.other = &crm__plugin_by_name(f.c, "fx_other")->hctx;
  *state = &f;
  return 0;
}

static int teardown(void **state)
{
  hfix *f = *state;

  crm_close(f->c);
  lt_dir_done(&f->dir);
  return 0;
}

static void test_table(void **state)
{
  hfix *f = *state;

  assert_int_equal(f->api->struct_size, sizeof(crm_host_api));
  assert_int_equal(f->api->abi_major, CRM_SDK_ABI_MAJOR);
  assert_int_equal(f->api->abi_minor, CRM_SDK_ABI_MINOR);
  assert_ptr_equal(crm__host_api(), f->api);
  assert_non_null(f->api->now);
  assert_ptr_equal(f->good->c, f->c);
}

static void test_cfg_str(void **state)
{
  hfix *f = *state;
  const char *s = "preset";

  assert_int_equal(f->api->cfg_get_str(f->good, "s", &s), 0);
  assert_string_equal(s, "text");
  assert_int_equal(f->api->cfg_get_str(f->good, "sub.tier", &s), 0);
  assert_string_equal(s, "gold");
  s = "preset";
  assert_int_equal(f->api->cfg_get_str(f->good, "mult", &s), CRM_EINVAL);
  assert_int_equal(f->api->cfg_get_str(f->good, "absent", &s),
                   CRM_ENOTFOUND);
  assert_string_equal(s, "preset");
  /* fx_other has no config group at all */
  assert_int_equal(f->api->cfg_get_str(f->other, "s", &s), CRM_ENOTFOUND);
  assert_string_equal(s, "preset");
}

static void test_cfg_int(void **state)
{
  hfix *f = *state;
  int64_t v = -7;

  assert_int_equal(f->api->cfg_get_int(f->good, "mult", &v), 0);
  assert_int_equal(v, 2);
  assert_int_equal(f->api->cfg_get_int(f->good, "big", &v), 0);
  assert_true(v == INT64_C(5000000000));
  assert_int_equal(f->api->cfg_get_int(f->good, "sub.x", &v), 0);
  assert_int_equal(v, 11);
  v = -7;
  assert_int_equal(f->api->cfg_get_int(f->good, "s", &v), CRM_EINVAL);
  assert_int_equal(f->api->cfg_get_int(f->good, "f", &v), CRM_EINVAL);
  assert_int_equal(f->api->cfg_get_int(f->good, "nope", &v), CRM_ENOTFOUND);
  assert_int_equal(f->api->cfg_get_int(f->other, "mult", &v),
                   CRM_ENOTFOUND);
  assert_int_equal(v, -7);
}

static void test_cfg_float_bool(void **state)
{
  hfix *f = *state;
  double d = -1.0;
  int b = -1;

  assert_int_equal(f->api->cfg_get_float(f->good, "f", &d), 0);
  assert_true(d == 0.5);
  /* an integer is a number too */
  assert_int_equal(f->api->cfg_get_float(f->good, "mult", &d), 0);
  assert_true(d == 2.0);
  d = -1.0;
  assert_int_equal(f->api->cfg_get_float(f->good, "s", &d), CRM_EINVAL);
  assert_int_equal(f->api->cfg_get_float(f->good, "nope", &d),
                   CRM_ENOTFOUND);
  assert_true(d == -1.0);
  assert_int_equal(f->api->cfg_get_bool(f->good, "b", &b), 0);
  assert_int_equal(b, 1);
  b = -1;
  assert_int_equal(f->api->cfg_get_bool(f->good, "mult", &b), CRM_EINVAL);
  assert_int_equal(f->api->cfg_get_bool(f->good, "nope", &b),
                   CRM_ENOTFOUND);
  assert_int_equal(b, -1);
}

static void test_kv_scoped(void **state)
{
  hfix *f = *state;
  char *v = NULL;
  long before = crm__alloc_outstanding();

  assert_int_equal(f->api->kv_put(f->good, "k", "from good"), 0);
  assert_int_equal(f->api->kv_put(f->other, "k", "from other"), 0);
  assert_int_equal(f->api->kv_get(f->good, "k", &v), 0);
  assert_string_equal(v, "from good");
  f->api->free(f->good, v);
  assert_int_equal(f->api->kv_get(f->other, "k", &v), 0);
  assert_string_equal(v, "from other");
  f->api->free(f->other, v);
  /* overwrite */
  assert_int_equal(f->api->kv_put(f->good, "k", "again"), 0);
  assert_int_equal(f->api->kv_get(f->good, "k", &v), 0);
  assert_string_equal(v, "again");
  f->api->free(f->good, v);
  /* delete is scoped too */
  assert_int_equal(f->api->kv_put(f->good, "k", NULL), 0);
  v = (char *)"untouched";
  assert_int_equal(f->api->kv_get(f->good, "k", &v), CRM_ENOTFOUND);
  assert_null(v);
  assert_int_equal(f->api->kv_get(f->other, "k", &v), 0);
  assert_string_equal(v, "from other");
  f->api->free(f->other, v);
  /* the core sees the same rows under the plugin's name */
  assert_int_equal(crm__kv_get(f->c, "fx_other", "k", &v), 0);
  assert_string_equal(v, "from other");
  crm__free(v);
  assert_int_equal(crm__alloc_outstanding(), before);
  /* bad keys */
  assert_int_equal(f->api->kv_put(f->good, "", "x"), CRM_EINVAL);
  assert_string_equal(f->good->errmsg, "plugin key is empty");
  assert_int_equal(f->api->kv_get(f->good, NULL, &v), CRM_EINVAL);
}

static void test_set_error(void **state)
{
  hfix *f = *state;
  crm__component *k;

  crm__hctx_reset(f->good);
  assert_int_equal(f->api->set_error(f->good, CRM_ERANGE, "rate %d is too "
                                     "high", 9), CRM_ERANGE);
  assert_int_equal(f->good->errcode, CRM_ERANGE);
  assert_string_equal(f->good->errmsg, "rate 9 is too high");
  /* the other plugin's ctx is separate */
  assert_string_equal(f->other->errmsg, "");
  k = crm__component_find(f->c, CRM_KIND_REWARD, "fx_good_points");
  assert_int_equal(crm__plugin_call_failed(f->c, k, CRM_ERANGE, "on_event"),
                   CRM_ERANGE);
  assert_string_equal(crm_errmsg(f->c), "plugin \"fx_good\" component "
                      "\"fx_good_points\": rate 9 is too high");
  crm__hctx_reset(f->good);
  assert_string_equal(f->good->errmsg, "");
  assert_int_equal(f->good->errcode, 0);
}

static void test_log_alloc_now(void **state)
{
  hfix *f = *state;
  long before = crm__alloc_outstanding();
  char *p;

  f->log.text[0] = '\0';
  f->api->log(f->good, CRM_LOG_WARN, "hello %d", 5);
  assert_string_equal(f->log.text, "1 fx_good: hello 5\n");
  p = f->api->alloc(f->good, 16);
  assert_non_null(p);
  assert_int_equal(crm__alloc_outstanding(), before + 1);
  f->api->free(f->good, p);
  assert_int_equal(crm__alloc_outstanding(), before);
  crm_set_now(f->c, INT64_C(1700000000));
  assert_true(f->api->now(f->good) == INT64_C(1700000000));
}

static void test_customer_get(void **state)
{
  hfix *f = *state;
  crm_customer_fields cf;
  crm_customer_view v;
  int64_t id = 0;

  memset(&cf, 0, sizeof(cf));
  cf.external_id = "c-1";
  cf.name = "Ada";
  cf.email = "ada@example.com";
  assert_int_equal(crm_customer_add(f->c, &cf, &id), 0);
  memset(&v, 0, sizeof(v));
  v.struct_size = sizeof(v);
  assert_int_equal(f->api->customer_get(f->good, id, &v), 0);
  assert_int_equal(v.customer_id, id);
  assert_string_equal(v.external_id, "c-1");
  assert_string_equal(v.name, "Ada");
  assert_string_equal(v.email, "ada@example.com");
  assert_int_equal(v.struct_size, sizeof(v));
  /* a plugin that knows a shorter view receives only that part */
  memset(&v, 0x5a, sizeof(v));
  v.struct_size = (uint32_t)offsetof(crm_customer_view, email);
  assert_int_equal(f->api->customer_get(f->good, id, &v), 0);
  assert_string_equal(v.name, "Ada");
  assert_int_equal(v.struct_size, offsetof(crm_customer_view, email));
  {
    unsigned char tail[sizeof(v.email)];

    memset(tail, 0x5a, sizeof(tail));
    assert_memory_equal(&v.email, tail, sizeof(tail));
  }
  /* unknown customer: code and message for the plugin's caller */
  v.struct_size = sizeof(v);
  crm__hctx_reset(f->good);
  assert_int_equal(f->api->customer_get(f->good, 999, &v), CRM_ENOTFOUND);
  assert_string_equal(f->good->errmsg, "unknown customer #999");
}

/* Emitted events are keyed "plugin:<name>:<key>", so a plugin cannot
 * collide with API clients or other plugins. */
static void test_emit_event(void **state)
{
  hfix *f = *state;
  crm_customer_fields cf;
  crm_event ev;
  crm_ingest_result r;
  int64_t id = 0;

  memset(&cf, 0, sizeof(cf));
  cf.external_id = "c-2";
  assert_int_equal(crm_customer_add(f->c, &cf, &id), 0);
  assert_int_equal(f->api->emit_event(f->good, id, "tier_changed",
                                      "{\"tier\":\"gold\"}", "t1"), 0);
  memset(&ev, 0, sizeof(ev));
  memset(&r, 0, sizeof(r));
  ev.type = "tier_changed";
  ev.customer_id = id;
  ev.payload = "{\"tier\":\"gold\"}"; /* a replay is the same event */
  ev.idempotency_key = "plugin:fx_good:t1";
  /* the public API may not use (or pre-empt) a plugin's keys */
  assert_int_equal(crm_event_ingest(f->c, &ev, &r), CRM_EINVAL);
  assert_int_equal(crm__event_ingest_src(f->c, &ev, "plugin:fx_good", &r), 0);
  assert_int_equal(r.duplicate, 1);
  /* the same key from another plugin is another event */
  memset(&r, 0, sizeof(r));
  ev.idempotency_key = "plugin:fx_other:t1";
  assert_int_equal(crm__event_ingest_src(f->c, &ev, "plugin:fx_other", &r),
                   0);
  assert_int_equal(r.duplicate, 0);
  /* a key is required */
  assert_int_equal(f->api->emit_event(f->good, id, "x", NULL, ""),
                   CRM_EINVAL);
  assert_string_equal(f->good->errmsg, "emit_event needs an idempotency "
                      "key");
}

struct score_seen {
  char models[256];
  double value;
};

static int score_cb(void *ud, const crm_score *sc)
{
  struct score_seen *seen = ud;
  size_t used = strlen(seen->models);

  snprintf(seen->models + used, sizeof(seen->models) - used, "%s/%s/%s;",
           sc->model, sc->name, sc->label ? sc->label : "");
  seen->value = sc->value;
  return 0;
}

/* Scores go under the component being run, else the plugin's name. */
static void test_score_put(void **state)
{
  hfix *f = *state;
  crm_customer_fields cf;
  struct score_seen seen;
  int64_t id = 0;

  memset(&cf, 0, sizeof(cf));
  cf.external_id = "c-3";
  assert_int_equal(crm_customer_add(f->c, &cf, &id), 0);
  crm__hctx_reset(f->good);
  assert_int_equal(f->api->score_put(f->good, id, "churn", 0.25, "low"), 0);
  f->good->cur_component = "fx_model";
  assert_int_equal(f->api->score_put(f->good, id, "churn", 0.75, NULL), 0);
  crm__hctx_reset(f->good);
  assert_null(f->good->cur_component);
  memset(&seen, 0, sizeof(seen));
  assert_int_equal(crm_scores_foreach(f->c, id, score_cb, &seen), 0);
  assert_string_equal(seen.models, "fx_good/churn/low;fx_model/churn/;");
  assert_true(seen.value == 0.75);
  /* the core's refusal reaches the plugin's ctx */
  assert_int_equal(f->api->score_put(f->good, id, "", 1.0, NULL),
                   CRM_EINVAL);
  assert_string_equal(f->good->errmsg, "score name is empty");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_table),
    cmocka_unit_test(test_cfg_str),
    cmocka_unit_test(test_cfg_int),
    cmocka_unit_test(test_cfg_float_bool),
    cmocka_unit_test(test_kv_scoped),
    cmocka_unit_test(test_set_error),
    cmocka_unit_test(test_log_alloc_now),
    cmocka_unit_test(test_customer_get),
    cmocka_unit_test(test_emit_event),
    cmocka_unit_test(test_score_put),
  };

  return cmocka_run_group_tests_name("host", tests, setup, teardown);
}
