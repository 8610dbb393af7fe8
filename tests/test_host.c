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

/* Keys hold an idempotency key (CRM_IDEM_KEY_MAX) and a prefix: up to
 * 192 bytes. */
static void test_kv_key_limit(void **state)
{
  hfix *f = *state;
  char key[194];
  char *v = NULL;

  memset(key, 'k', sizeof(key));
  key[192] = '\0';
  assert_true(192 >= CRM_IDEM_KEY_MAX + 64);
  crm__clear_err(f->c);
  assert_int_equal(f->api->kv_put(f->good, key, "at the limit"), 0);
  assert_int_equal(f->api->kv_get(f->good, key, &v), 0);
  assert_string_equal(v, "at the limit");
  f->api->free(f->good, v);
  key[192] = 'k';
  key[193] = '\0';
  assert_int_equal(f->api->kv_put(f->good, key, "x"), CRM_ERANGE);
  assert_string_equal(f->good->errmsg, "plugin key is 193 bytes; the limit "
                      "is 192");
  assert_int_equal(f->api->kv_get(f->good, key, &v), CRM_ERANGE);
  assert_null(v);
  /* the plugin was told; the handle's own error is not the plugin's */
  assert_int_equal(crm_errcode(f->c), CRM_OK);
}

/* A miss is an answer: CRM_ENOTFOUND, no message, no error in the handle
 * that a later successful call would still carry. */
static void test_kv_miss_quiet(void **state)
{
  hfix *f = *state;
  char *v = (char *)"untouched";

  crm__clear_err(f->c);
  crm__hctx_reset(f->good);
  assert_int_equal(f->api->kv_get(f->good, "never-written", &v),
                   CRM_ENOTFOUND);
  assert_null(v);
  assert_int_equal(crm_errcode(f->c), CRM_OK);
  assert_string_equal(crm_errmsg(f->c), "ok");
  assert_int_equal(f->good->errcode, CRM_OK);
  assert_string_equal(f->good->errmsg, "");
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
  crm__clear_err(f->c);
  assert_int_equal(f->api->customer_get(f->good, 999, &v), CRM_ENOTFOUND);
  assert_string_equal(f->good->errmsg, "unknown customer #999");
  assert_int_equal(crm_errcode(f->c), CRM_OK);
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

/* ---- plugin calls that call back into the core ----------------------- */

/* A handle with fx_nest loaded and customers Ada and Bob. */
typedef struct nfix {
  lt_dir dir;
  crm *c;
  int64_t ada;
  int64_t bob;
} nfix;

static int64_t add_customer(crm *c, const char *ext, const char *name)
{
  crm_customer_fields cf;
  int64_t id = 0;

  memset(&cf, 0, sizeof(cf));
  cf.external_id = ext;
  cf.name = name;
  assert_int_equal(crm_customer_add(c, &cf, &id), 0);
  return id;
}

static void nest_open(nfix *n, const char *group)
{
  memset(n, 0, sizeof(*n));
  lt_dir_init(&n->dir);
  n->c = lt_open(NULL);
  if(crm_load_config(n->c, lt_write(&n->dir, "crm.conf", lt_fmt(
       "plugins = { load = ( { name = \"fx_nest\"; config = { %s }; } ); "
       "};\n", group)), FIXDIR))
    fail_msg("load: %s", crm_errmsg(n->c));
  n->ada = add_customer(n->c, "c-ada", "Ada");
  n->bob = add_customer(n->c, "c-bob", "Bob");
}

static void nest_close(nfix *n)
{
  crm_close(n->c);
  lt_dir_done(&n->dir);
}

static const char *scores_of(crm *c, int64_t id)
{
  static struct score_seen seen;

  memset(&seen, 0, sizeof(seen));
  assert_int_equal(crm_scores_foreach(c, id, score_cb, &seen), 0);
  return seen.models;
}

/* A reward component emits an event for the customer of the event being
 * applied: the outer event then reports the customer as the nested one
 * left it (qualified), not the copy it read before. */
static void test_nested_same_customer(void **state)
{
  nfix n;
  crm_event ev;
  crm_ingest_result r;

  (void)state;
  nest_open(&n, "");
  memset(&ev, 0, sizeof(ev));
  memset(&r, 0, sizeof(r));
  ev.type = "vip";
  ev.customer_id = n.ada;
  ev.idempotency_key = "vip-1";
  assert_int_equal(crm_event_ingest(n.c, &ev, &r), 0);
  assert_int_equal(r.stage_before, CRM_STAGE_PROSPECT);
  assert_int_equal(r.stage_after, CRM_STAGE_QUALIFIED);
  nest_close(&n);
}

/* fx_nest_b emits an event while it scores; that ingest runs the same
 * plugin (fx_nest_a's score_one, fx_nest_pts' on_event) on the same
 * ctx. Afterwards fx_nest_b still stores under its own name, the name it
 * read with customer_get before the emit is still the one it read, and
 * its look-up miss leaves no error behind. */
static void test_nested_score(void **state)
{
  nfix n;
  size_t scored = 0;

  (void)state;
  nest_open(&n, "");
  assert_int_equal(crm_score_run(n.c, "fx_nest_b", 0, &scored), 0);
  assert_int_equal(crm_errcode(n.c), CRM_OK);
  assert_string_equal(scores_of(n.c, n.ada), "fx_nest_b/seen/Ada;");
  assert_string_equal(scores_of(n.c, n.bob), "fx_nest_b/seen/Bob;");
  /* the nested calls did happen: one score_one per emitted event */
  assert_int_equal(lt_kv_int(n.c, "fx_nest", "ones"), 2);
  nest_close(&n);
}

/* A failure the plugin got before emitting is still the one it passes
 * on after the emit. */
static void test_nested_error_kept(void **state)
{
  nfix n;

  (void)state;
  nest_open(&n, "fail_after_emit = true;");
  assert_int_equal(crm_score_run(n.c, "fx_nest_b", 0, NULL), CRM_EINVAL);
  assert_string_equal(crm_errmsg(n.c), "plugin \"fx_nest\" component "
                      "\"fx_nest_b\": plugin key is empty");
  nest_close(&n);
}

/* An endless emit chain is cut; the message names the component once,
 * not once per level. */
static void test_emit_loop_message(void **state)
{
  nfix n;
  crm_event ev;
  crm_ingest_result r;

  (void)state;
  nest_open(&n, "");
  memset(&ev, 0, sizeof(ev));
  ev.type = "loop";
  ev.customer_id = n.ada;
  ev.idempotency_key = "start-1";
  assert_int_equal(crm_event_ingest(n.c, &ev, &r), CRM_ESTATE);
  assert_string_equal(crm_errmsg(n.c), "plugin \"fx_nest\" component "
                      "\"fx_nest_pts\": events emitted 4 levels deep; a "
                      "plugin is emitting in a loop");
  /* an event it does not chain: its look-up miss is no error */
  ev.type = "contact";
  ev.idempotency_key = "contact-1";
  assert_int_equal(crm_event_ingest(n.c, &ev, &r), 0);
  assert_int_equal(crm_errcode(n.c), CRM_OK);
  nest_close(&n);
}

/* basic_points keys a purchase "p:" + its idempotency key: a key of
 * CRM_IDEM_KEY_MAX bytes must ingest. */
static void test_longest_idem_key(void **state)
{
  lt_dir dir;
  crm *c;
  crm_event ev;
  crm_ingest_result r;
  char key[CRM_IDEM_KEY_MAX + 1];
  char kv[CRM_IDEM_KEY_MAX + 3];

  (void)state;
  lt_dir_init(&dir);
  c = lt_open(NULL);
  if(crm_load_config(c, lt_write(&dir, "crm.conf",
       "plugins = { load = ( { name = \"basic_points\"; config = {\n"
       "  points_per_unit = 1; currency = \"USD\"; min_amount = 0; }; } );"
       " };\n"), CRM_TEST_PLUGIN_DIR))
    fail_msg("load: %s", crm_errmsg(c));
  memset(key, 'x', sizeof(key));
  key[CRM_IDEM_KEY_MAX] = '\0';
  memset(&ev, 0, sizeof(ev));
  ev.type = "purchase";
  ev.customer_id = add_customer(c, "c-long", "Long");
  ev.amount = 1000;
  ev.currency = "USD";
  ev.idempotency_key = key;
  if(crm_event_ingest(c, &ev, &r))
    fail_msg("ingest: %s", crm_errmsg(c));
  snprintf(kv, sizeof(kv), "p:%s", key);
  assert_true(lt_kv_has(c, "basic_points", kv));
  crm_close(c);
  lt_dir_done(&dir);
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
    cmocka_unit_test(test_kv_key_limit),
    cmocka_unit_test(test_kv_miss_quiet),
    cmocka_unit_test(test_nested_score),
    cmocka_unit_test(test_nested_same_customer),
    cmocka_unit_test(test_nested_error_kept),
    cmocka_unit_test(test_emit_loop_message),
    cmocka_unit_test(test_longest_idem_key),
  };

  return cmocka_run_group_tests_name("host", tests, setup, teardown);
}
