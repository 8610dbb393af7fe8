/* test_event.c - ingestion: validation, idempotency, aggregates. */
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

static void test_event_purchase_updates_totals(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000 + 100 * T_DAY);
  int64_t id = t_add_customer(c, "C-1");
  crm_ingest_result r;
  crm_customer cu;

  (void)state;
  r = t_event(c, id, "purchase", T_EPOCH2000, 2933, NULL, "k1");
  assert_true(r.event_id > 0);
  assert_int_equal(r.duplicate, 0);
  assert_int_equal(r.stage_before, CRM_STAGE_PROSPECT);
  assert_int_equal(r.stage_after, CRM_STAGE_FIRST_PURCHASE);
  /* Same day: one purchase day, spend adds up. */
  t_event(c, id, "purchase", T_EPOCH2000 + 3600, 1000, NULL, "k2");
  t_event(c, id, "purchase", T_EPOCH2000 + 10 * T_DAY, 500, NULL, "k3");
  t_event(c, id, "refund", T_EPOCH2000 + 11 * T_DAY, 200, NULL, "k4");
  assert_int_equal(crm_customer_get(c, id, &cu), CRM_OK);
  assert_int_equal(cu.purchase_count, 2);
  assert_int_equal(cu.monetary_total, 2933 + 1000 + 500 - 200);
  assert_string_equal(cu.currency, "USD");
  assert_int_equal(cu.first_purchase_at, T_EPOCH2000);
  assert_int_equal(cu.last_purchase_at, T_EPOCH2000 + 10 * T_DAY);
  crm_close(c);
}

static void test_event_same_key_twice_one_effect(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000 + T_DAY);
  int64_t id = t_add_customer(c, "C-1");
  crm_ingest_result a, b;
  crm_customer cu;
  crm_event ev;

  (void)state;
  a = t_event(c, id, "purchase", T_EPOCH2000, 2933, NULL, "order-1");
  b = t_event(c, id, "purchase", T_EPOCH2000, 2933, NULL, "order-1");
  assert_int_equal(b.duplicate, 1);
  assert_int_equal(b.event_id, a.event_id);
  assert_int_equal(count(c, "SELECT count(*) FROM events"), 1);
  assert_int_equal(crm_customer_get(c, id, &cu), CRM_OK);
  assert_int_equal(cu.monetary_total, 2933);
  assert_int_equal(cu.purchase_count, 1);
  assert_int_equal(count(c, "SELECT count(*) FROM lifecycle_transitions"), 2);
  /* The same key for another event is refused, not silently dropped. */
  memset(&ev, 0, sizeof(ev));
  ev.type = "purchase";
  ev.customer_id = id;
  ev.occurred_at = T_EPOCH2000;
  ev.amount = 5000;
  ev.currency = "USD";
  ev.idempotency_key = "order-1";
  assert_int_equal(crm_event_ingest(c, &ev, NULL), CRM_EEXIST);
  assert_non_null(strstr(crm_errmsg(c), "already used by a different event"));
  /* Same amount, another currency or payload: also another event. */
  ev.amount = 2933;
  ev.currency = "EUR";
  assert_int_equal(crm_event_ingest(c, &ev, NULL), CRM_EEXIST);
  ev.currency = "USD";
  ev.payload = "{\"note\":\"x\"}";
  assert_int_equal(crm_event_ingest(c, &ev, NULL), CRM_EEXIST);
  ev.payload = NULL;
  ev.occurred_at = T_EPOCH2000 + 60;
  assert_int_equal(crm_event_ingest(c, &ev, NULL), CRM_EEXIST);
  ev.occurred_at = 0; /* "now": a replay need not repeat the time */
  assert_int_equal(crm_event_ingest(c, &ev, NULL), CRM_OK);
  assert_int_equal(count(c, "SELECT count(*) FROM events"), 1);
  assert_int_equal(crm_errcode(c), CRM_OK);
  crm_close(c);
}

static void test_event_purchase_quantity_zero_is_one(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000 + T_DAY);
  int64_t id = t_add_customer(c, "C-1");
  crm_ingest_result r;
  crm_event ev;

  (void)state;
  memset(&ev, 0, sizeof(ev));
  ev.type = "purchase";
  ev.customer_id = id;
  ev.occurred_at = T_EPOCH2000;
  ev.amount = 100;
  ev.currency = "USD";
  ev.idempotency_key = "q1";
  assert_int_equal(crm_event_ingest(c, &ev, &r), CRM_OK);
  assert_int_equal(count(c, "SELECT quantity FROM events"), 1);
  /* The replay that spells the quantity out is the same event. */
  ev.quantity = 1;
  assert_int_equal(crm_event_ingest(c, &ev, &r), CRM_OK);
  assert_int_equal(r.duplicate, 1);
  ev.quantity = 2;
  assert_int_equal(crm_event_ingest(c, &ev, &r), CRM_EEXIST);
  crm_close(c);
}

static void test_event_bad_input_changes_nothing(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000 + T_DAY);
  int64_t id = t_add_customer(c, "C-1");
  char longkey[CRM_IDEM_KEY_MAX + 2];
  crm_event ev;

  (void)state;
  memset(longkey, 'k', sizeof(longkey) - 1);
  longkey[sizeof(longkey) - 1] = '\0';
#define BASE()                                                              \
  do {                                                                      \
    memset(&ev, 0, sizeof(ev));                                             \
    ev.type = "purchase";                                                   \
    ev.customer_id = id;                                                    \
    ev.occurred_at = T_EPOCH2000;                                           \
    ev.amount = 100;                                                        \
    ev.currency = "USD";                                                    \
    ev.idempotency_key = "k";                                               \
  } while(0)
  BASE();
  ev.customer_id = 999;
  assert_int_equal(crm_event_ingest(c, &ev, NULL), CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(c), "unknown customer #999");
  BASE();
  ev.customer_id = 0;
  ev.customer_ref = "nobody";
  assert_int_equal(crm_event_ingest(c, &ev, NULL), CRM_ENOTFOUND);
  BASE();
  ev.amount = -100;
  assert_int_equal(crm_event_ingest(c, &ev, NULL), CRM_EINVAL);
  assert_non_null(strstr(crm_errmsg(c), "amount must not be negative"));
  BASE();
  ev.quantity = -1;
  assert_int_equal(crm_event_ingest(c, &ev, NULL), CRM_EINVAL);
  assert_string_equal(crm_errmsg(c), "quantity must not be negative");
  BASE();
  ev.currency = NULL;
  assert_int_equal(crm_event_ingest(c, &ev, NULL), CRM_EINVAL);
  BASE();
  ev.currency = "usd";
  assert_int_equal(crm_event_ingest(c, &ev, NULL), CRM_EINVAL);
  BASE();
  ev.payload = "{not json";
  assert_int_equal(crm_event_ingest(c, &ev, NULL), CRM_EINVAL);
  assert_string_equal(crm_errmsg(c), "payload is not a JSON object");
  BASE();
  ev.payload = "[1,2]";
  assert_int_equal(crm_event_ingest(c, &ev, NULL), CRM_EINVAL);
  BASE();
  ev.idempotency_key = longkey;
  assert_int_equal(crm_event_ingest(c, &ev, NULL), CRM_ERANGE);
  BASE();
  ev.idempotency_key = NULL;
  assert_int_equal(crm_event_ingest(c, &ev, NULL), CRM_EINVAL);
  assert_string_equal(crm_errmsg(c), "idempotency key is required");
  BASE();
  ev.type = "Bad Type";
  assert_int_equal(crm_event_ingest(c, &ev, NULL), CRM_EINVAL);
  BASE();
  ev.occurred_at = T_EPOCH2000 + 30 * T_DAY;
  assert_int_equal(crm_event_ingest(c, &ev, NULL), CRM_EINVAL);
  assert_string_equal(crm_errmsg(c), "event time is in the future");
  BASE();
  ev.occurred_at = -86400;
  assert_int_equal(crm_event_ingest(c, &ev, NULL), CRM_EINVAL);
  assert_string_equal(crm_errmsg(c), "event time is before 1970-01-01");
  BASE();
  ev.type = "qualify";
  ev.payload = "{\"budget\":1}";
  assert_int_equal(crm_event_ingest(c, &ev, NULL), CRM_EINVAL);
  ev.payload = "{\"money\":true,\"need\":\"yes\"}";
  assert_int_equal(crm_event_ingest(c, &ev, NULL), CRM_EINVAL);
  assert_string_equal(crm_errmsg(c), "a qualify event needs a payload with "
                      "money, authority or need, each true or false");
  BASE();
  ev.idempotency_key = "plugin:rfm:x";
  assert_int_equal(crm_event_ingest(c, &ev, NULL), CRM_EINVAL);
  assert_non_null(strstr(crm_errmsg(c), "reserved for events plugins emit"));
  assert_int_equal(count(c, "SELECT count(*) FROM events"), 0);
  assert_int_equal(count(c, "SELECT purchase_count + monetary_total"
                            " FROM customers"), 0);
  /* And a good one still goes in afterwards. */
  BASE();
  assert_int_equal(crm_event_ingest(c, &ev, NULL), CRM_OK);
  assert_int_equal(count(c, "SELECT count(*) FROM events"), 1);
#undef BASE
  crm_close(c);
}

static void test_event_batch_bad_event_undone_alone(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000 + T_DAY);
  int64_t id = t_add_customer(c, "C-1");
  crm_event ev;

  (void)state;
  assert_int_equal(crm_begin(c), CRM_OK);
  t_event(c, id, "purchase", T_EPOCH2000, 100, NULL, "a");
  memset(&ev, 0, sizeof(ev));
  ev.type = "purchase";
  ev.customer_id = id;
  ev.amount = 5;
  ev.currency = "USD";
  ev.occurred_at = T_EPOCH2000;
  ev.idempotency_key = "a"; /* same key, different amount */
  assert_int_equal(crm_event_ingest(c, &ev, NULL), CRM_EEXIST);
  t_event(c, id, "purchase", T_EPOCH2000, 300, NULL, "b");
  assert_int_equal(crm_commit(c), CRM_OK);
  assert_int_equal(count(c, "SELECT count(*) FROM events"), 2);
  assert_int_equal(count(c, "SELECT monetary_total FROM customers"), 400);
  crm_close(c);
}

static void test_event_unknown_type_is_stored(void **state)
{
  crm *c = t_open_mem(T_EPOCH2000 + T_DAY);
  int64_t id = t_add_customer(c, "C-1");
  crm_ingest_result r;

  (void)state;
  r = t_event(c, id, "web.visit", T_EPOCH2000, 0, "{\"page\":\"/\"}", "v1");
  assert_true(r.event_id > 0);
  assert_int_equal(r.stage_after, CRM_STAGE_PROSPECT);
  assert_int_equal(count(c, "SELECT count(*) FROM events WHERE"
                            " type = 'web.visit' AND source = 'api'"), 1);
  crm_close(c);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_event_purchase_updates_totals),
    cmocka_unit_test(test_event_same_key_twice_one_effect),
    cmocka_unit_test(test_event_purchase_quantity_zero_is_one),
    cmocka_unit_test(test_event_bad_input_changes_nothing),
    cmocka_unit_test(test_event_batch_bad_event_undone_alone),
    cmocka_unit_test(test_event_unknown_type_is_stored),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
