/* test_customer.c - customer CRUD, look-ups, attributes, bad input. */
#include "crm_test.h"
#include "crm_int.h"

static int count(crm *c, const char *sql)
{
  sqlite3_stmt *st;
  int n;

  sqlite3_prepare_v2(c->db, sql, -1, &st, NULL);
  sqlite3_step(st);
  n = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return n;
}

static void test_customer_add_get_find(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000);
  crm_customer_fields f;
  crm_customer cu;
  int64_t id = 0;

  (void)state;
  memset(&f, 0, sizeof(f));
  f.external_id = "C-1";
  f.name = "Ada Lovelace";
  f.email = "Ada@Example.org";
  f.phone = "+44 20 7946 0958";
  f.timezone = "Europe/London";
  f.birthday = "1815-12-10";
  assert_int_equal(crm_customer_add(c, &f, &id), CRM_OK);
  assert_true(id > 0);
  assert_int_equal(crm_customer_get(c, id, &cu), CRM_OK);
  assert_string_equal(cu.external_id, "C-1");
  assert_string_equal(cu.name, "Ada Lovelace");
  assert_string_equal(cu.email, "Ada@Example.org");
  assert_string_equal(cu.timezone, "Europe/London");
  assert_string_equal(cu.birthday, "1815-12-10");
  assert_int_equal(cu.stage, CRM_STAGE_PROSPECT);
  assert_int_equal(cu.created_at, T_EPOCH2000);
  assert_int_equal(cu.man_money, -1);
  /* E-mail look-up ignores case; resolve takes any reference. */
  assert_int_equal(crm_customer_find(c, CRM_FIND_EMAIL, "ada@example.ORG",
                                     &cu), CRM_OK);
  assert_int_equal(cu.id, id);
  assert_int_equal(crm_customer_find(c, CRM_FIND_ID, "#1", &cu), CRM_OK);
  assert_int_equal(crm_customer_resolve(c, "C-1", &cu), CRM_OK);
  assert_int_equal(crm_customer_resolve(c, "ada@example.org", &cu), CRM_OK);
  assert_int_equal(crm_customer_resolve(c, "#1", &cu), CRM_OK);
  assert_int_equal(crm_customer_resolve(c, "C-2", &cu), CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(c), "unknown customer \"C-2\"");
  assert_int_equal(crm_customer_get(c, 77, &cu), CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(c), "unknown customer #77");
  /* Defaults: time zone UTC. */
  memset(&f, 0, sizeof(f));
  f.name = "no ids";
  assert_int_equal(crm_customer_add(c, &f, &id), CRM_OK);
  assert_int_equal(crm_customer_get(c, id, &cu), CRM_OK);
  assert_string_equal(cu.timezone, "UTC");
  assert_string_equal(cu.external_id, "");
  crm_close(c);
}

static void test_customer_bad_input_changes_nothing(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000);
  crm_customer_fields f;
  char longname[CRM_NAME_MAX + 2];
  int64_t id = 0;

  (void)state;
  memset(longname, 'x', sizeof(longname) - 1);
  longname[sizeof(longname) - 1] = '\0';
  memset(&f, 0, sizeof(f));
  f.external_id = "C-1";
  f.name = longname;
  assert_int_equal(crm_customer_add(c, &f, &id), CRM_ERANGE);
  assert_string_equal(crm_errmsg(c),
                      "name is too long (more than 200 bytes)");
  f.name = "ok";
  f.email = "not-an-email";
  assert_int_equal(crm_customer_add(c, &f, &id), CRM_EINVAL);
  assert_string_equal(crm_errmsg(c), "malformed e-mail \"not-an-email\"");
  f.email = NULL;
  f.birthday = "2023-02-29";
  assert_int_equal(crm_customer_add(c, &f, &id), CRM_EINVAL);
  assert_non_null(strstr(crm_errmsg(c), "malformed birthday"));
  f.birthday = NULL;
  f.timezone = "Mars/Olympus_Mons";
  assert_int_equal(crm_customer_add(c, &f, &id), CRM_EINVAL);
  assert_non_null(strstr(crm_errmsg(c), "unknown time zone"));
  f.timezone = "../../etc/passwd";
  assert_int_equal(crm_customer_add(c, &f, &id), CRM_EINVAL);
  f.timezone = NULL;
  f.phone = "call me";
  assert_int_equal(crm_customer_add(c, &f, &id), CRM_EINVAL);
  f.phone = NULL;
  f.name = "tab\there";
  assert_int_equal(crm_customer_add(c, &f, &id), CRM_EINVAL);
  f.name = "bad\xff\xfe";
  assert_int_equal(crm_customer_add(c, &f, &id), CRM_EINVAL);
  assert_string_equal(crm_errmsg(c), "name is not valid UTF-8 (byte 4)");
  f.name = "over\xc0\xafong"; /* overlong '/' */
  assert_int_equal(crm_customer_add(c, &f, &id), CRM_EINVAL);
  f.name = "cut \xe2\x82"; /* a sequence cut short at the end */
  assert_int_equal(crm_customer_add(c, &f, &id), CRM_EINVAL);

  memset(&f, 0, sizeof(f));
  assert_int_equal(crm_customer_add(c, &f, &id), CRM_EINVAL);
  assert_int_equal(count(c, "SELECT count(*) FROM customers"), 0);
  assert_int_equal(count(c, "SELECT count(*) FROM lifecycle_transitions"), 0);
  assert_int_equal(count(c, "SELECT count(*) FROM audit_log"), 0);
  crm_close(c);
}

static void test_customer_utf8_names_kept(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000);
  /* e with diaeresis, the euro sign, an emoji: 2, 3 and 4 bytes */
  const char *name = "Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80";
  crm_customer_fields f = {.external_id = "U-8", .name = name};
  crm_customer cu;
  int64_t id = 0;

  (void)state;
  assert_int_equal(crm_customer_add(c, &f, &id), CRM_OK);
  assert_int_equal(crm_customer_get(c, id, &cu), CRM_OK);
  assert_string_equal(cu.name, name);
  crm_close(c);
}

static void test_customer_duplicates_refused(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000);
  crm_customer_fields f = {.external_id = "C-1", .email = "a@b.co"};
  crm_customer_fields g = {.external_id = "C-2", .email = "A@B.co"};

  (void)state;
  assert_int_equal(crm_customer_add(c, &f, NULL), CRM_OK);
  assert_int_equal(crm_customer_add(c, &f, NULL), CRM_EEXIST);
  assert_string_equal(crm_errmsg(c),
                      "external id \"C-1\" already belongs to customer #1");
  assert_int_equal(crm_customer_add(c, &g, NULL), CRM_EEXIST);
  assert_string_equal(crm_errmsg(c),
                      "e-mail \"A@B.co\" already belongs to customer #1");
  assert_int_equal(count(c, "SELECT count(*) FROM customers"), 1);
  crm_close(c);
}

static void test_customer_update(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000);
  crm_customer_fields f = {.external_id = "C-1", .name = "Old",
                           .phone = "555-1234"};
  crm_customer_fields u;
  crm_customer cu;
  int64_t id = 0, other = 0;

  (void)state;
  assert_int_equal(crm_customer_add(c, &f, &id), CRM_OK);
  f.external_id = "C-2";
  f.email = "taken@x.org";
  assert_int_equal(crm_customer_add(c, &f, &other), CRM_OK);
  crm_set_now(c, T_EPOCH2000 + 10);
  memset(&u, 0, sizeof(u));
  u.name = "New";
  u.phone = ""; /* clears */
  u.email = "new@x.org";
  assert_int_equal(crm_customer_update(c, id, &u), CRM_OK);
  assert_int_equal(crm_customer_get(c, id, &cu), CRM_OK);
  assert_string_equal(cu.name, "New");
  assert_string_equal(cu.phone, "");
  assert_string_equal(cu.email, "new@x.org");
  assert_string_equal(cu.external_id, "C-1"); /* NULL: unchanged */
  assert_int_equal(cu.updated_at, T_EPOCH2000 + 10);
  /* Collision: refused, row unchanged. */
  memset(&u, 0, sizeof(u));
  u.email = "taken@x.org";
  u.name = "Changed";
  assert_int_equal(crm_customer_update(c, id, &u), CRM_EEXIST);
  assert_int_equal(crm_customer_get(c, id, &cu), CRM_OK);
  assert_string_equal(cu.name, "New");
  assert_int_equal(crm_customer_update(c, 999, &u), CRM_ENOTFOUND);
  u.email = "bad";
  assert_int_equal(crm_customer_update(c, id, &u), CRM_EINVAL);
  crm_close(c);
}

static void test_customer_attributes(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000);
  int64_t id = t_add_customer(c, "C-1");
  char buf[64];

  (void)state;
  assert_int_equal(crm_customer_set_attr(c, id, "channel", "sms"), CRM_OK);
  assert_int_equal(crm_customer_set_attr(c, id, "channel", "email"), CRM_OK);
  assert_int_equal(crm_customer_get_attr(c, id, "channel", buf, sizeof(buf)),
                   CRM_OK);
  assert_string_equal(buf, "email");
  assert_int_equal(crm_customer_set_attr(c, id, "channel", NULL), CRM_OK);
  assert_int_equal(crm_customer_get_attr(c, id, "channel", buf, sizeof(buf)),
                   CRM_ENOTFOUND);
  assert_int_equal(crm_customer_set_attr(c, 999, "k", "v"), CRM_ENOTFOUND);
  assert_int_equal(crm_customer_set_attr(c, id, "", "v"), CRM_EINVAL);
  crm_close(c);
}

static void test_customer_upsert_all_or_nothing(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000);
  crm_customer_fields f = {.external_id = "U-1", .name = "First"};
  crm_attr good[] = {{"tier", "gold"}, {"source", "web"}};
  crm_attr bad[] = {{"tier", "silver"}, {"note", "line1\nline2"}};
  crm_customer cu;
  char buf[32];
  int64_t id = 0, id2 = 0;
  int added = -1;

  (void)state;
  assert_int_equal(crm_customer_upsert(c, &f, good, 2, &id, &added), CRM_OK);
  assert_int_equal(added, 1);
  f.name = "Second";
  assert_int_equal(crm_customer_upsert(c, &f, NULL, 0, &id2, &added), CRM_OK);
  assert_int_equal(added, 0);
  assert_int_equal(id2, id);
  assert_int_equal(crm_customer_get(c, id, &cu), CRM_OK);
  assert_string_equal(cu.name, "Second");
  /* A bad attribute refuses the whole row: name and tier unchanged. */
  f.name = "Third";
  assert_int_equal(crm_customer_upsert(c, &f, bad, 2, NULL, NULL),
                   CRM_EINVAL);
  assert_int_equal(crm_customer_get(c, id, &cu), CRM_OK);
  assert_string_equal(cu.name, "Second");
  assert_int_equal(crm_customer_get_attr(c, id, "tier", buf, sizeof(buf)),
                   CRM_OK);
  assert_string_equal(buf, "gold");
  /* And a new customer with a bad attribute is not created. */
  f.external_id = "U-2";
  assert_int_equal(crm_customer_upsert(c, &f, bad, 2, NULL, NULL),
                   CRM_EINVAL);
  assert_int_equal(crm_customer_find(c, CRM_FIND_EXTERNAL_ID, "U-2", &cu),
                   CRM_ENOTFOUND);
  f.external_id = NULL;
  assert_int_equal(crm_customer_upsert(c, &f, NULL, 0, NULL, NULL),
                   CRM_EINVAL);
  crm_close(c);
}

static void test_customer_update_keeps_an_identity(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000);
  crm_customer_fields f = {.external_id = "K-1", .email = "k@x.org"};
  crm_customer_fields g = {.external_id = "K-2", .email = "other@x.org"};
  crm_customer_fields u;
  int64_t id = 0;

  (void)state;
  assert_int_equal(crm_customer_add(c, &f, &id), CRM_OK);
  assert_int_equal(crm_customer_add(c, &g, NULL), CRM_OK);
  memset(&u, 0, sizeof(u));
  u.external_id = "";
  u.email = "";
  assert_int_equal(crm_customer_update(c, id, &u), CRM_EINVAL);
  assert_string_equal(crm_errmsg(c), "a customer needs at least an external "
                      "id, an e-mail or a name");
  /* Its own external id plus another's e-mail: the message names the
   * real conflict. */
  memset(&u, 0, sizeof(u));
  u.external_id = "K-1";
  u.email = "other@x.org";
  assert_int_equal(crm_customer_update(c, id, &u), CRM_EEXIST);
  assert_string_equal(crm_errmsg(c),
                      "e-mail \"other@x.org\" already belongs to customer #2");
  crm_close(c);
}

static void test_customer_modify_all_or_nothing(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000);
  int64_t id = t_add_customer(c, "M-1");
  crm_customer_fields f;
  crm_attr ok[] = {{"channel", "sms"}};
  crm_attr bad[] = {{"channel", "email"}, {"", "x"}};
  crm_attr del[] = {{"channel", NULL}};
  crm_customer cu;
  char buf[16];

  (void)state;
  memset(&f, 0, sizeof(f));
  f.phone = "+1 555 0100";
  assert_int_equal(crm_customer_modify(c, id, &f, ok, 1), CRM_OK);
  f.phone = "+1 555 0199";
  assert_int_equal(crm_customer_modify(c, id, &f, bad, 2), CRM_EINVAL);
  assert_string_equal(crm_errmsg(c), "attribute name is required");
  assert_int_equal(crm_customer_get(c, id, &cu), CRM_OK);
  assert_string_equal(cu.phone, "+1 555 0100");
  assert_int_equal(crm_customer_get_attr(c, id, "channel", buf, sizeof(buf)),
                   CRM_OK);
  assert_string_equal(buf, "sms");
  memset(&f, 0, sizeof(f));
  assert_int_equal(crm_customer_modify(c, id, &f, del, 1), CRM_OK);
  assert_int_equal(crm_customer_get_attr(c, id, "channel", buf, sizeof(buf)),
                   CRM_ENOTFOUND);
  assert_int_equal(crm_customer_modify(c, 99, &f, NULL, 0), CRM_ENOTFOUND);
  crm_close(c);
}

struct walk {
  int n;
  int64_t last;
};

static int walk_cb(void *ud, const crm_customer *cu)
{
  struct walk *w = ud;

  assert_true(cu->id > w->last); /* ordered by id */
  w->last = cu->id;
  w->n++;
  return 0;
}

static void test_customer_foreach_pages_and_filters(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000);
  struct walk w = {0, 0};
  char ext[16];
  int i;

  (void)state;
  crm_begin(c);
  for(i = 0; i < 600; i++) { /* more than two pages of 256 */
    snprintf(ext, sizeof(ext), "C-%d", i);
    t_add_customer(c, ext);
  }
  crm_commit(c);
  t_event(c, 5, "purchase", T_EPOCH2000, 100, NULL, "k1");
  assert_int_equal(crm_customers_foreach(c, -1, walk_cb, &w), CRM_OK);
  assert_int_equal(w.n, 600);
  memset(&w, 0, sizeof(w));
  assert_int_equal(crm_customers_foreach(c, CRM_STAGE_FIRST_PURCHASE,
                                         walk_cb, &w), CRM_OK);
  assert_int_equal(w.n, 1);
  assert_int_equal(w.last, 5);
  crm_close(c);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_customer_add_get_find),
    cmocka_unit_test(test_customer_bad_input_changes_nothing),
    cmocka_unit_test(test_customer_utf8_names_kept),
    cmocka_unit_test(test_customer_duplicates_refused),
    cmocka_unit_test(test_customer_update),
    cmocka_unit_test(test_customer_attributes),
    cmocka_unit_test(test_customer_upsert_all_or_nothing),
    cmocka_unit_test(test_customer_update_keeps_an_identity),
    cmocka_unit_test(test_customer_modify_all_or_nothing),
    cmocka_unit_test(test_customer_foreach_pages_and_filters),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
