/*
 * test_message.c - crm_message_send through the public API with the file
 * channel plugin: channel choice, address,
 * the row's status through the outbox (queued, then the gate, then the
 * channel), refusals by the gate, failures kept for a retry.
 */
#include "test_plugin_env.h"

#include "crm_int.h"

struct row {
  int found;
  char channel[32];
  char address[64];
  char subject[64];
  char body[256];
  char status[16];
  char ref[64];
  char error[512];
  int64_t created_at;
  int64_t sent_at; /* -1: NULL */
};

static struct row get_row(crm *c, int64_t id)
{
  static const char sql[] =
    "SELECT channel, address, subject, body, status, provider_ref, error,"
    " created_at, sent_at FROM messages WHERE id = ?1";
  sqlite3_stmt *st;
  struct row r;

  memset(&r, 0, sizeof(r));
  assert_int_equal(sqlite3_prepare_v2(c->db, sql, -1, &st, NULL), SQLITE_OK);
  sqlite3_bind_int64(st, 1, id);
  if(sqlite3_step(st) == SQLITE_ROW) {
    r.found = 1;
    crm__col_text(st, 0, r.channel, sizeof(r.channel));
    crm__col_text(st, 1, r.address, sizeof(r.address));
    crm__col_text(st, 2, r.subject, sizeof(r.subject));
    crm__col_text(st, 3, r.body, sizeof(r.body));
    crm__col_text(st, 4, r.status, sizeof(r.status));
    crm__col_text(st, 5, r.ref, sizeof(r.ref));
    crm__col_text(st, 6, r.error, sizeof(r.error));
    r.created_at = sqlite3_column_int64(st, 7);
    r.sent_at = sqlite3_column_type(st, 8) == SQLITE_NULL
                    ? -1 : sqlite3_column_int64(st, 8);
  }
  sqlite3_finalize(st);
  return r;
}

static int64_t count_rows(crm *c)
{
  sqlite3_stmt *st;
  int64_t n = -1;

  assert_int_equal(sqlite3_prepare_v2(c->db, "SELECT count(*) FROM messages",
                                      -1, &st, NULL), SQLITE_OK);
  if(sqlite3_step(st) == SQLITE_ROW)
    n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

static void open_with_file(pe_env *e, const char *outfile)
{
  char conf[1024];
  char dir[512];

  /* pe_open makes the directory first: build the path from a dry run */
  pe_open(e, NULL);
  snprintf(dir, sizeof(dir), "%s", e->dir);
  snprintf(conf, sizeof(conf),
           "plugins = { load = ( { name = \"file\";"
           " config = { path = \"%s/%s\"; }; } ); };\n", dir, outfile);
  snprintf(e->conf, sizeof(e->conf), "%s/crm.conf", e->dir);
  t_write_file(e->conf, conf);
  if(crm_load_config(e->c, e->conf, CRM_TEST_PLUGIN_DIR))
    fail_msg("crm_load_config: %s", crm_errmsg(e->c));
}

static int64_t add_customer(crm *c, const char *ext, const char *email,
                            const char *phone)
{
  crm_customer_fields f;
  int64_t id = 0;

  memset(&f, 0, sizeof(f));
  f.external_id = ext;
  f.name = ext;
  f.email = email;
  f.phone = phone;
  if(crm_customer_add(c, &f, &id))
    fail_msg("crm_customer_add: %s", crm_errmsg(c));
  return id;
}

static void test_send_ok(void **state)
{
  pe_env e;
  int64_t id, mid = 0;
  struct row r;
  char line[512];
  char want[128];
  FILE *f;

  (void)state;
  open_with_file(&e, "out.jsonl");
  id = add_customer(e.c, "a", "ann@example.com", "+15550100");
  assert_int_equal(crm_message_send(e.c, id, NULL, "Hello", "Body text",
                                    &mid), CRM_OK);
  assert_true(mid > 0);
  r = get_row(e.c, mid);
  assert_true(r.found);
  assert_string_equal(r.status, "sent");
  assert_string_equal(r.channel, "file");
  assert_string_equal(r.address, "ann@example.com");
  assert_string_equal(r.subject, "Hello");
  assert_string_equal(r.ref, "file:0");
  assert_string_equal(r.error, "");
  assert_int_equal(r.created_at, PE_NOW);
  assert_int_equal(r.sent_at, PE_NOW);
  /* the line carries the row's id and the customer */
  f = fopen(pe_path(&e, "out.jsonl"), "r");
  assert_non_null(f);
  assert_non_null(fgets(line, sizeof(line), f));
  fclose(f);
  snprintf(want, sizeof(want), "{\"id\":%lld,\"customer_id\":%lld,",
           (long long)mid, (long long)id);
  assert_true(strncmp(line, want, strlen(want)) == 0);
  /* the named channel works the same; the second line's offset */
  assert_int_equal(crm_message_send(e.c, id, "file", NULL, "again", &mid),
                   CRM_OK);
  r = get_row(e.c, mid);
  snprintf(want, sizeof(want), "file:%zu", strlen(line));
  assert_string_equal(r.ref, want);
  assert_string_equal(r.subject, "");
  pe_close(&e);
}

static void test_channel_choice(void **state)
{
  pe_env e;
  int64_t id, mid = 0;

  (void)state;
  open_with_file(&e, "out.jsonl");
  id = add_customer(e.c, "a", "ann@example.com", NULL);
  assert_int_equal(crm_message_send(e.c, id, "pigeon", "s", "b", &mid),
                   CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(e.c),
                      "no channel \"pigeon\": not routed in "
                      "communication.channels and no channel component of "
                      "that name is loaded");
  /* a preferred channel that is not loaded is refused, not switched */
  assert_int_equal(crm_customer_set_attr(e.c, id, "channel", "sms"), CRM_OK);
  assert_int_equal(crm_message_send(e.c, id, NULL, "s", "b", &mid),
                   CRM_ENOTFOUND);
  assert_non_null(strstr(crm_errmsg(e.c), "\"sms\""));
  assert_int_equal(count_rows(e.c), 0);
  assert_int_equal(crm_customer_set_attr(e.c, id, "channel", "file"),
                   CRM_OK);
  assert_int_equal(crm_message_send(e.c, id, NULL, "s", "b", &mid), CRM_OK);
  assert_int_equal(count_rows(e.c), 1);
  pe_close(&e);
}

static void test_refusals(void **state)
{
  pe_env e;
  int64_t id, mid = 0;

  (void)state;
  pe_open(&e, NULL);
  id = add_customer(e.c, "a", "ann@example.com", NULL);
  assert_int_equal(crm_message_send(e.c, id, NULL, "s", "b", &mid),
                   CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(e.c), "no channel: communication.channels "
                                       "routes none and no channel "
                                       "component is loaded");
  assert_int_equal(crm_message_send(e.c, id, NULL, "s", "", &mid),
                   CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "body is required");
  assert_int_equal(crm_message_send(e.c, id + 7, NULL, "s", "b", &mid),
                   CRM_ENOTFOUND);
  assert_int_equal(crm_message_send(e.c, id, NULL, "two\nlines", "b", &mid),
                   CRM_EINVAL);
  assert_int_equal(count_rows(e.c), 0);
  pe_close(&e);
}

/* The channel fails: the row stays, marked failed with the reason (a
 * 1.0 channel's error is a temporary failure, retried by crm_outbox_run),
 * and the caller gets the error and the id. */
static void test_send_fails_row_kept(void **state)
{
  pe_env e;
  int64_t id, mid = 0;
  struct row r;
  crm_outbox_msg m;

  (void)state;
  open_with_file(&e, "no-such-dir/out.jsonl");
  id = add_customer(e.c, "a", "ann@example.com", NULL);
  /* The plugin's unspecified failure is a plugin error (the crm command
   * exits 1), not an internal error of the core (exit 2). */
  assert_int_equal(crm_message_send(e.c, id, NULL, "s", "b", &mid),
                   CRM_EPLUGIN);
  assert_non_null(strstr(crm_errmsg(e.c), "cannot open message file"));
  assert_true(mid > 0);
  r = get_row(e.c, mid);
  assert_true(r.found);
  assert_string_equal(r.status, "failed");
  assert_non_null(strstr(r.error, "cannot open message file"));
  assert_int_equal(r.sent_at, -1);
  assert_string_equal(r.address, "ann@example.com");
  /* due again after the backoff: 60 s +- 20 % */
  assert_int_equal(crm_outbox_get(e.c, mid, &m), CRM_OK);
  assert_int_equal(m.attempts, 1);
  assert_string_equal(m.error_class, "temporary");
  assert_true(m.next_at >= PE_NOW + 48 && m.next_at <= PE_NOW + 72);
  pe_close(&e);
}

/* The gate refuses a customer without an address: CRM_ESTATE "not sent:
 * ...", the row says refused and why; the channel is never called. */
static void test_send_refused_row_kept(void **state)
{
  pe_env e;
  int64_t id, mid = 0;
  struct row r;
  FILE *f;

  (void)state;
  open_with_file(&e, "out.jsonl");
  id = add_customer(e.c, "a", NULL, NULL);
  assert_int_equal(crm_message_send(e.c, id, NULL, "s", "b", &mid),
                   CRM_ESTATE);
  assert_true(strncmp(crm_errmsg(e.c), "not sent: ", 10) == 0);
  r = get_row(e.c, mid);
  assert_true(r.found);
  assert_string_equal(r.status, "refused");
  assert_string_equal(r.error, crm_errmsg(e.c) + 10);
  f = fopen(pe_path(&e, "out.jsonl"), "r");
  assert_null(f);
  pe_close(&e);
}

/* Inside a batch the queued row cannot be committed before the channel
 * delivers, so a rollback would leave a delivered message with no row:
 * the send is refused, nothing is delivered, nothing is written; after
 * the batch commits the same send works. */
static void test_send_inside_batch_refused(void **state)
{
  pe_env e;
  int64_t id, mid = -5;
  struct row r;
  FILE *f;

  (void)state;
  open_with_file(&e, "out.jsonl");
  id = add_customer(e.c, "a", "ann@example.com", NULL);
  assert_int_equal(crm_begin(e.c), CRM_OK);
  assert_int_equal(crm_message_send(e.c, id, NULL, "s", "b", &mid),
                   CRM_ESTATE);
  assert_string_equal(crm_errmsg(e.c), "cannot send a message inside a "
                                       "batch; commit it first");
  assert_int_equal(mid, -5);
  assert_int_equal(count_rows(e.c), 0);
  /* the channel was not called: its file was never written */
  f = fopen(pe_path(&e, "out.jsonl"), "r");
  assert_null(f);
  /* once the batch is closed the same send goes through */
  assert_int_equal(crm_rollback(e.c), CRM_OK);
  assert_int_equal(crm_message_send(e.c, id, NULL, "s", "b", &mid), CRM_OK);
  r = get_row(e.c, mid);
  assert_true(r.found);
  assert_string_equal(r.status, "sent");
  assert_int_equal(count_rows(e.c), 1);
  pe_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_send_ok),
    cmocka_unit_test(test_channel_choice),
    cmocka_unit_test(test_refusals),
    cmocka_unit_test(test_send_fails_row_kept),
    cmocka_unit_test(test_send_refused_row_kept),
    cmocka_unit_test(test_send_inside_batch_refused),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
