/*
 * test_host_1_2.c - the SDK 1.2 host services (customer_attr, json_get,
 * json_len, cfg_get_path) and the 1.2 views, called the way a plugin
 * calls them: with its own ctx on a core that loaded fx_good.
 */
#include <stdio.h>
#include <string.h>

#include "loader_util.h"

typedef struct hfix {
  lt_dir dir;
  crm *c;
  const crm_host_api *api;
  crm_host_ctx *good;
  char conf_path[512];
} hfix;

static int setup(void **state)
{
  static hfix f;
  const char *path;

  memset(&f, 0, sizeof(f));
  lt_dir_init(&f.dir);
  f.c = lt_open(NULL);
  path = lt_write(&f.dir, "crm.conf",
    "plugins = { load = (\n"
    "  { name = \"fx_good\"; config = {\n"
    "      table = \"data/airports.dat\"; abs = \"/etc/crm/x.dat\";\n"
    "      n = 3; }; } ); };\n");
  snprintf(f.conf_path, sizeof(f.conf_path), "%s", path);
  if(crm_load_config(f.c, path, FIXDIR))
    fail_msg("load: %s", crm_errmsg(f.c));
  f.api = crm__host_api();
  f.good = &crm__plugin_by_name(f.c, "fx_good")->hctx;
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

static void test_table_1_2(void **state)
{
  hfix *f = *state;

  assert_true(CRM_SDK_ABI_MINOR >= 2);
  assert_true(CRM_HAS_MEMBER(f->api, crm_host_api, cfg_get_path));
  assert_non_null(f->api->customer_attr);
  assert_non_null(f->api->json_get);
  assert_non_null(f->api->json_len);
  assert_non_null(f->api->cfg_get_path);
}

static void test_customer_attr(void **state)
{
  hfix *f = *state;
  crm_customer_fields cf;
  int64_t id = 0;
  char buf[16];
  char tiny[4];

  memset(&cf, 0, sizeof(cf));
  cf.external_id = "D-1";
  cf.name = "Dealer One";
  assert_int_equal(crm_customer_add(f->c, &cf, &id), CRM_OK);
  assert_int_equal(crm_customer_set_attr(f->c, id, "account_type", "dealer"),
                   CRM_OK);
  assert_int_equal(f->api->customer_attr(f->good, id, "account_type", buf,
                                         sizeof(buf)), CRM_OK);
  assert_string_equal(buf, "dealer");
  /* Too small: nothing copied, the plugin is told. */
  snprintf(tiny, sizeof(tiny), "%s", "xyz");
  assert_int_equal(f->api->customer_attr(f->good, id, "account_type", tiny,
                                         sizeof(tiny)), CRM_ERANGE);
  assert_string_equal(tiny, "xyz");
  /* A miss is an answer, not an error on the handle. */
  assert_int_equal(f->api->customer_attr(f->good, id, "program", buf,
                                         sizeof(buf)), CRM_ENOTFOUND);
  assert_int_equal(f->api->customer_attr(f->good, id + 99, "account_type",
                                         buf, sizeof(buf)), CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(f->c), "ok");
}

static void test_json_get_len(void **state)
{
  hfix *f = *state;
  const char *js = "{\"segments\":[{\"from\":\"LHR\",\"to\":\"JFK\"},"
                   "{\"from\":\"JFK\",\"to\":\"SFO\",\"miles\":2586}],"
                   "\"note\":null,\"ok\":true}";
  char buf[64];
  int64_t n = -1;

  assert_int_equal(f->api->json_get(f->good, js, "$.segments[1].to", buf,
                                    sizeof(buf)), CRM_OK);
  assert_string_equal(buf, "SFO"); /* unquoted */
  assert_int_equal(f->api->json_get(f->good, js, "$.segments[1].miles", buf,
                                    sizeof(buf)), CRM_OK);
  assert_string_equal(buf, "2586");
  assert_int_equal(f->api->json_get(f->good, js, "$.segments[0]", buf,
                                    sizeof(buf)), CRM_OK);
  assert_string_equal(buf, "{\"from\":\"LHR\",\"to\":\"JFK\"}");
  assert_int_equal(f->api->json_get(f->good, js, "$.note", buf, sizeof(buf)),
                   CRM_ENOTFOUND);
  assert_int_equal(f->api->json_get(f->good, js, "$.missing", buf,
                                    sizeof(buf)), CRM_ENOTFOUND);
  assert_int_equal(f->api->json_get(f->good, js, "$.segments", buf, 8),
                   CRM_ERANGE);
  assert_int_equal(f->api->json_get(f->good, "{oops", "$.a", buf,
                                    sizeof(buf)), CRM_EINVAL);
  assert_int_equal(f->api->json_get(f->good, js, "segments", buf,
                                    sizeof(buf)), CRM_EINVAL);
  assert_int_equal(f->api->json_len(f->good, js, "$.segments", &n), CRM_OK);
  assert_int_equal(n, 2);
  assert_int_equal(f->api->json_len(f->good, js, "$.ok", &n), CRM_EINVAL);
  assert_int_equal(f->api->json_len(f->good, js, "$.nope", &n),
                   CRM_ENOTFOUND);
  assert_int_equal(f->api->json_len(f->good, "[1,2,3]", "$", &n), CRM_OK);
  assert_int_equal(n, 3);
  /* Failed look-ups leave the handle's error alone. */
  assert_string_equal(crm_errmsg(f->c), "ok");
}

static void test_cfg_get_path(void **state)
{
  hfix *f = *state;
  char buf[512];
  char want[600];
  const char *slash = strrchr(f->conf_path, '/');

  assert_non_null(slash);
  snprintf(want, sizeof(want), "%.*s/data/airports.dat",
           (int)(slash - f->conf_path), f->conf_path);
  assert_int_equal(f->api->cfg_get_path(f->good, "table", buf, sizeof(buf)),
                   CRM_OK);
  assert_string_equal(buf, want);
  assert_int_equal(f->api->cfg_get_path(f->good, "abs", buf, sizeof(buf)),
                   CRM_OK);
  assert_string_equal(buf, "/etc/crm/x.dat");
  assert_int_equal(f->api->cfg_get_path(f->good, "table", buf, 10),
                   CRM_ERANGE);
  assert_int_equal(f->api->cfg_get_path(f->good, "n", buf, sizeof(buf)),
                   CRM_EINVAL);
  assert_int_equal(f->api->cfg_get_path(f->good, "none", buf, sizeof(buf)),
                   CRM_ENOTFOUND);
}

static void test_customer_view_birthday(void **state)
{
  hfix *f = *state;
  crm_customer_fields cf;
  crm_customer_view v;
  int64_t id = 0;

  memset(&cf, 0, sizeof(cf));
  cf.external_id = "B-1";
  cf.birthday = "1990-02-28";
  assert_int_equal(crm_customer_add(f->c, &cf, &id), CRM_OK);
  memset(&v, 0, sizeof(v));
  v.struct_size = sizeof(v);
  assert_int_equal(f->api->customer_get(f->good, id, &v), CRM_OK);
  assert_string_equal(v.birthday, "1990-02-28");
  /* A 1.1 plugin's smaller view never sees the member. */
  memset(&v, 0, sizeof(v));
  v.struct_size = (uint32_t)offsetof(crm_customer_view, birthday);
  assert_int_equal(f->api->customer_get(f->good, id, &v), CRM_OK);
  assert_int_equal(v.struct_size, offsetof(crm_customer_view, birthday));
  assert_null(v.birthday);
  assert_false(CRM_HAS_MEMBER(&v, crm_customer_view, birthday));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_table_1_2),
    cmocka_unit_test(test_customer_attr),
    cmocka_unit_test(test_json_get_len),
    cmocka_unit_test(test_cfg_get_path),
    cmocka_unit_test(test_customer_view_birthday),
  };

  return cmocka_run_group_tests(tests, setup, teardown);
}
