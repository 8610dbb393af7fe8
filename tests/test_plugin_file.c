/*
 * test_plugin_file.c - the file channel plugin in isolation.
 *
 * Lines are parsed back with SQLite's JSON functions (an independent,
 * strict parser: json_valid is RFC 8259 without flags).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "test_plugin_fake.h"

static crm_host_ctx host;
static char dir[64];
static char path[128];

static int setup(void **state)
{
  (void)state;
  fake_reset(&host);
  snprintf(dir, sizeof(dir), "/tmp/crm_file_test_XXXXXX");
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/out.jsonl", dir);
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  unlink(path);
  rmdir(dir);
  return 0;
}

static int send_msg(int64_t id, const char *address, const char *subject,
                    const char *body, char *ref, size_t ref_size)
{
  const crm_channel_v1 *vt = fake_vtable(&host, CRM_KIND_CHANNEL);
  crm_message_view m;

  memset(&m, 0, sizeof(m));
  m.struct_size = sizeof(m);
  m.message_id = id;
  m.customer_id = 40 + id;
  m.address = address;
  m.subject = subject;
  m.body = body;
  m.created_at = 1700000000; /* 2023-11-14T22:13:20Z */
  m.customer_timezone = "UTC";
  return vt->send(host.state, &host, &m, ref, ref_size);
}

/* Reads the whole file into a malloc'd buffer. */
static char *slurp(const char *p, size_t *len)
{
  FILE *f = fopen(p, "rb");
  char *buf;
  size_t n;

  assert_non_null(f);
  buf = malloc(65536);
  assert_non_null(buf);
  n = fread(buf, 1, 65535, f);
  fclose(f);
  buf[n] = '\0';
  *len = n;
  return buf;
}

/* The idx-th line (0-based), copied into out without the newline. */
static void line_at(const char *all, int idx, char *out, size_t size)
{
  const char *p = all;
  const char *nl;
  size_t n;

  while(idx-- > 0) {
    p = strchr(p, '\n');
    assert_non_null(p);
    p++;
  }
  nl = strchr(p, '\n');
  assert_non_null(nl);
  n = (size_t)(nl - p);
  assert_true(n < size);
  memcpy(out, p, n);
  out[n] = '\0';
}

/* json_extract(line, field) as text into out; returns the json_type. */
static void jget(sqlite3 *db, const char *line, const char *field,
                 char *type, size_t tsize, char *out, size_t size)
{
  sqlite3_stmt *st;
  char jpath[64];
  const unsigned char *t;

  snprintf(jpath, sizeof(jpath), "$.%s", field);
  assert_int_equal(sqlite3_prepare_v2(db,
                   "SELECT json_valid(?1), json_type(?1, ?2),"
                   " json_extract(?1, ?2)", -1, &st, NULL), SQLITE_OK);
  sqlite3_bind_text(st, 1, line, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, jpath, -1, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int(st, 0), 1);
  t = sqlite3_column_text(st, 1);
  snprintf(type, tsize, "%s", t ? (const char *)t : "(absent)");
  t = sqlite3_column_text(st, 2);
  snprintf(out, size, "%s", t ? (const char *)t : "(null)");
  sqlite3_finalize(st);
}

static void test_descriptor(void **state)
{
  const crm_plugin_desc *d;

  (void)state;
  d = fake_open(&host, "file");
  assert_string_equal(d->name, "file");
  assert_string_equal(d->vendor, "crmcore");
  assert_string_equal(d->license, "MIT");
  assert_string_equal(d->components[0]->name, "file");
  assert_int_equal(d->components[0]->kind, CRM_KIND_CHANNEL);
}

static void test_lines_and_escaping(void **state)
{
  static const char body[] =
    "He said \"hi\"\\ then\nleft\ttab \x01\x1f end; caf\xc3\xa9 "
    "\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80 bad\xff.";
  /* what the parser must give back: \xff becomes U+FFFD */
  static const char want[] =
    "He said \"hi\"\\ then\nleft\ttab \x01\x1f end; caf\xc3\xa9 "
    "\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80 bad\xef\xbf\xbd.";
  char ref1[64], ref2[64];
  char line[4096], type[32], val[1024];
  sqlite3 *db;
  size_t len, i;
  char *all;

  (void)state;
  fake_cfg_str(&host, "path", path);
  assert_int_equal(fake_load(&host, "file"), CRM_OK);
  assert_int_equal(send_msg(1, "ann@example.com", "Hello", body, ref1,
                            sizeof(ref1)), CRM_OK);
  assert_int_equal(send_msg(2, "+15550100", NULL, "second", ref2,
                            sizeof(ref2)), CRM_OK);
  all = slurp(path, &len);
  /* Two lines; no raw control character except the line ends. */
  for(i = 0; i < len; i++)
    assert_true((unsigned char)all[i] >= 0x20 || all[i] == '\n');
  line_at(all, 0, line, sizeof(line));
  /* the second line starts right after the first one's newline */
  assert_string_equal(ref1, "file:0");
  snprintf(val, sizeof(val), "file:%zu", strlen(line) + 1);
  assert_string_equal(ref2, val);

  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  jget(db, line, "id", type, sizeof(type), val, sizeof(val));
  assert_string_equal(type, "integer");
  assert_string_equal(val, "1");
  jget(db, line, "customer_id", type, sizeof(type), val, sizeof(val));
  assert_string_equal(val, "41");
  jget(db, line, "address", type, sizeof(type), val, sizeof(val));
  assert_string_equal(val, "ann@example.com");
  jget(db, line, "subject", type, sizeof(type), val, sizeof(val));
  assert_string_equal(val, "Hello");
  jget(db, line, "body", type, sizeof(type), val, sizeof(val));
  assert_string_equal(type, "text");
  assert_string_equal(val, want);
  jget(db, line, "created_at", type, sizeof(type), val, sizeof(val));
  assert_string_equal(val, "2023-11-14T22:13:20Z");

  line_at(all, 1, line, sizeof(line));
  jget(db, line, "subject", type, sizeof(type), val, sizeof(val));
  assert_string_equal(type, "null");
  jget(db, line, "address", type, sizeof(type), val, sizeof(val));
  assert_string_equal(val, "+15550100");
  jget(db, line, "id", type, sizeof(type), val, sizeof(val));
  assert_string_equal(val, "2");
  sqlite3_close(db);
  free(all);
  fake_unload(&host);
}

/* An existing file is appended to, never truncated: the offset counts
 * the bytes already there. */
static void test_appends_existing(void **state)
{
  char ref[64];
  FILE *f;

  (void)state;
  f = fopen(path, "w");
  assert_non_null(f);
  fputs("{}\n", f);
  fclose(f);
  fake_cfg_str(&host, "path", path);
  fake_cfg_bool(&host, "fsync", 1);
  assert_int_equal(fake_load(&host, "file"), CRM_OK);
  assert_int_equal(send_msg(5, "a@b.c", "s", "b", ref, sizeof(ref)),
                   CRM_OK);
  assert_string_equal(ref, "file:3");
  fake_unload(&host);
}

/* A relative path is relative to the current directory. */
static void test_relative_path(void **state)
{
  char cwd[1024];
  char ref[64];

  (void)state;
  assert_non_null(getcwd(cwd, sizeof(cwd)));
  assert_int_equal(chdir(dir), 0);
  fake_cfg_str(&host, "path", "out.jsonl");
  assert_int_equal(fake_load(&host, "file"), CRM_OK);
  assert_int_equal(send_msg(1, "a@b.c", "s", "b", ref, sizeof(ref)),
                   CRM_OK);
  assert_int_equal(chdir(cwd), 0);
  assert_int_equal(access(path, R_OK), 0);
  fake_unload(&host);
}

static void test_errors(void **state)
{
  char ref[64] = "";
  char bad[256];

  (void)state;
  fake_cfg_str(&host, "path", "");
  assert_int_equal(fake_load(&host, "file"), CRM_ECONFIG);
  assert_non_null(strstr(host.errmsg, "path is empty"));
  fake_cfg_int(&host, "path", 3);
  assert_int_equal(fake_load(&host, "file"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "path must be a string");
  fake_cfg_str(&host, "path", path);
  fake_cfg_str(&host, "fsync", "yes");
  assert_int_equal(fake_load(&host, "file"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "fsync must be true or false");
  /* A directory that does not exist: send fails with the reason. */
  fake_reset(&host);
  snprintf(bad, sizeof(bad), "%s/missing/out.jsonl", dir);
  fake_cfg_str(&host, "path", bad);
  assert_int_equal(fake_load(&host, "file"), CRM_OK);
  assert_int_not_equal(send_msg(1, "a", "s", "b", ref, sizeof(ref)),
                       CRM_OK);
  assert_non_null(strstr(host.errmsg, "cannot open message file"));
  assert_non_null(strstr(host.errmsg, "No such file"));
  fake_unload(&host);
}

/* Without a path: crm-messages.jsonl in the current directory, and
 * nothing is created before the first send. */
static void test_default_path(void **state)
{
  char cwd[1024];
  char ref[64];
  char def[160];

  (void)state;
  snprintf(def, sizeof(def), "%s/crm-messages.jsonl", dir);
  assert_non_null(getcwd(cwd, sizeof(cwd)));
  assert_int_equal(chdir(dir), 0);
  assert_int_equal(fake_load(&host, "file"), CRM_OK);
  assert_int_not_equal(access(def, F_OK), 0);
  assert_int_equal(send_msg(1, "a@b.c", "s", "b", ref, sizeof(ref)),
                   CRM_OK);
  assert_int_equal(chdir(cwd), 0);
  assert_int_equal(access(def, R_OK), 0);
  unlink(def);
  fake_unload(&host);
}

static void test_reconfigure_moves_file(void **state)
{
  char other[160];
  char ref[64];

  (void)state;
  snprintf(other, sizeof(other), "%s/other.jsonl", dir);
  fake_cfg_str(&host, "path", path);
  assert_int_equal(fake_load(&host, "file"), CRM_OK);
  fake_cfg_str(&host, "path", other);
  assert_int_equal(host.desc->reconfigure(host.state, &host), CRM_OK);
  assert_int_equal(send_msg(1, "a@b.c", "s", "b", ref, sizeof(ref)),
                   CRM_OK);
  assert_int_equal(access(other, R_OK), 0);
  assert_int_not_equal(access(path, R_OK), 0);
  unlink(other);
  fake_unload(&host);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_descriptor, setup, teardown),
    cmocka_unit_test_setup_teardown(test_lines_and_escaping, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_appends_existing, setup, teardown),
    cmocka_unit_test_setup_teardown(test_relative_path, setup, teardown),
    cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
    cmocka_unit_test_setup_teardown(test_default_path, setup, teardown),
    cmocka_unit_test_setup_teardown(test_reconfigure_moves_file, setup,
                                    teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
