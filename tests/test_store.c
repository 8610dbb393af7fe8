/* test_store.c - opening, pragmas, migrations, transactions. */
#include <unistd.h>

#include "crm_test.h"
#include "crm_int.h"

static void test_store_open_memory_migrates(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000);

  (void)state;
  assert_int_equal(crm_schema_version(c), crm__schema_latest());
  assert_true(crm_schema_version(c) >= 1);
  crm_close(c);
}

static char *db_path(char *dir, size_t size, char *path, size_t psize)
{
  t_tmpdir(dir, size);
  snprintf(path, psize, "%s/crm.db", dir);
  return path;
}

static void cleanup(const char *dir, const char *path)
{
  char p[600];
  int n;

  unlink(path);
  n = snprintf(p, sizeof(p), "%s-wal", path);
  if(n > 0 && (size_t)n < sizeof(p))
    unlink(p);
  n = snprintf(p, sizeof(p), "%s-shm", path);
  if(n > 0 && (size_t)n < sizeof(p))
    unlink(p);
  rmdir(dir);
}

static void test_store_file_wal_foreign_keys(void **state)
{
  char dir[512], path[600];
  sqlite3_stmt *st;
  crm *c = NULL;
  int rc;

  (void)state;
  db_path(dir, sizeof(dir), path, sizeof(path));
  assert_int_equal(crm_open(&c, path, 0), CRM_ENOTFOUND);
  assert_non_null(strstr(crm_errmsg(c), "crm init"));
  crm_close(c);
  assert_int_equal(crm_open(&c, path, CRM_OPEN_CREATE), CRM_OK);
  assert_int_equal(sqlite3_prepare_v2(c->db, "PRAGMA journal_mode", -1, &st,
                                      NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
  sqlite3_finalize(st);
  /* Foreign keys are enforced: an event for a customer that does not
   * exist cannot be stored, even by raw SQL. */
  rc = sqlite3_exec(c->db, "INSERT INTO events(customer_id, type,"
                    " occurred_at, recorded_at, idem_hash, idem_key)"
                    " VALUES(999, 'x', 0, 0, 1, 'k')", NULL, NULL, NULL);
  assert_int_equal(rc & 0xff, SQLITE_CONSTRAINT);
  t_add_customer(c, "a");
  crm_close(c);
  /* Reopening keeps the data and does not migrate again. */
  assert_int_equal(crm_open(&c, path, 0), CRM_OK);
  assert_int_equal(crm_schema_version(c), crm__schema_latest());
  {
    crm_customer cu;
    assert_int_equal(crm_customer_find(c, CRM_FIND_EXTERNAL_ID, "a", &cu),
                     CRM_OK);
  }
  crm_close(c);
  cleanup(dir, path);
}

static void test_store_newer_schema_refused(void **state)
{
  char dir[512], path[600];
  crm *c = NULL;

  (void)state;
  db_path(dir, sizeof(dir), path, sizeof(path));
  assert_int_equal(crm_open(&c, path, CRM_OPEN_CREATE), CRM_OK);
  assert_int_equal(crm__exec(c, "PRAGMA user_version=999"), CRM_OK);
  crm_close(c);
  assert_int_equal(crm_open(&c, path, 0), CRM_ESTORE);
  assert_non_null(strstr(crm_errmsg(c), "store schema 999 is newer"));
  assert_non_null(strstr(crm_errmsg(c), "upgrade crmcore"));
  crm_close(c);
  cleanup(dir, path);
}

static int count_customers(crm *c)
{
  sqlite3_stmt *st;
  int n;

  sqlite3_prepare_v2(c->db, "SELECT count(*) FROM customers", -1, &st, NULL);
  sqlite3_step(st);
  n = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return n;
}

static void test_store_batch_commit_and_rollback(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000);

  (void)state;
  assert_int_equal(crm_commit(c), CRM_ESTATE);
  assert_int_equal(crm_begin(c), CRM_OK);
  assert_int_equal(crm_begin(c), CRM_ESTATE);
  t_add_customer(c, "a");
  t_add_customer(c, "b");
  assert_int_equal(crm_rollback(c), CRM_OK);
  assert_int_equal(count_customers(c), 0);
  assert_int_equal(crm_begin(c), CRM_OK);
  t_add_customer(c, "a");
  {
    /* A failing operation inside the batch is undone alone. */
    crm_customer_fields f = {.external_id = "a"};
    assert_int_equal(crm_customer_add(c, &f, NULL), CRM_EEXIST);
  }
  t_add_customer(c, "b");
  assert_int_equal(crm_commit(c), CRM_OK);
  assert_int_equal(count_customers(c), 2);
  crm_close(c);
}

/* A failed operation inside a batch is undone alone: the savepoint of the
 * inner operation rolls back what it wrote, the batch keeps the rest. */
static void test_store_savepoint_rolls_back_inner_writes(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000);

  (void)state;
  assert_int_equal(crm_begin(c), CRM_OK);
  t_add_customer(c, "kept");
  assert_int_equal(crm__tx_begin(c), CRM_OK);
  assert_int_equal(crm__exec(c, "INSERT INTO customers(external_id,"
                   " stage_since, created_at, updated_at)"
                   " VALUES('undone', 0, 0, 0)"), CRM_OK);
  assert_int_equal(count_customers(c), 2);
  crm__tx_rollback(c);
  assert_int_equal(count_customers(c), 1);
  t_add_customer(c, "also kept");
  assert_int_equal(crm_commit(c), CRM_OK);
  assert_int_equal(count_customers(c), 2);
  {
    crm_customer cu;
    assert_int_equal(crm_customer_find(c, CRM_FIND_EXTERNAL_ID, "undone",
                                       &cu), CRM_ENOTFOUND);
  }
  crm_close(c);
}

static void test_store_audit_log_records_changes(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000);
  sqlite3_stmt *st;

  (void)state;
  t_add_customer(c, "a");
  sqlite3_prepare_v2(c->db, "SELECT actor, action, object, at"
                     " FROM audit_log ORDER BY id", -1, &st, NULL);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(st, 1),
                      "customer.add");
  assert_string_equal((const char *)sqlite3_column_text(st, 2),
                      "customer #1");
  assert_int_equal(sqlite3_column_int64(st, 3), T_EPOCH2000);
  sqlite3_finalize(st);
  crm_close(c);
}

static void test_store_errors_are_lowercase_reason_first(void **state)
{
  crm *c = NULL;

  (void)state;
  assert_int_equal(crm_open(&c, "", 0), CRM_EINVAL);
  assert_string_equal(crm_errmsg(c), "store path is empty");
  crm_close(c);
  assert_string_equal(crm_strerror(CRM_ENOTFOUND), "not found");
  assert_string_equal(crm_strerror(12345), "unknown error");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_store_open_memory_migrates),
    cmocka_unit_test(test_store_file_wal_foreign_keys),
    cmocka_unit_test(test_store_newer_schema_refused),
    cmocka_unit_test(test_store_batch_commit_and_rollback),
    cmocka_unit_test(test_store_savepoint_rolls_back_inner_writes),
    cmocka_unit_test(test_store_audit_log_records_changes),
    cmocka_unit_test(test_store_errors_are_lowercase_reason_first),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
