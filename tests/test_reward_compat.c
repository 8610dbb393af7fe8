/*
 * test_reward_compat.c - a reward plugin built before SDK 1.2 runs on the
 * 1.2 core with the meaning it had: its vtable ends at on_event, so the
 * bytes after it are never read as the 1.2 flags (fx_v10 puts all bits
 * there), and the points it returns for a refund are written as it said
 * (the core does not reverse refunds for it).
 */
#include <stdio.h>
#include <string.h>

#include "loader_util.h"

static int sum_cb(void *ud, const crm_ledger_entry *e)
{
  int64_t *sum = ud;

  *sum += e->points;
  return 0;
}

static void test_v10_reward_keeps_its_meaning(void **state)
{
  lt_dir dir;
  crm *c;
  crm__component *comp;
  crm_customer_fields cf;
  crm_ingest_result r;
  crm_event ev;
  crm_points_account a;
  int64_t id = 0;
  int64_t sum = 0;
  const char *path;

  (void)state;
  lt_dir_init(&dir);
  c = lt_open(NULL);
  path = lt_write(&dir, "crm.conf",
    "plugins = { load = ( { name = \"fx_v10\"; config = { mult = 2; }; } );"
    " };\n");
  assert_int_equal(crm_load_config(c, path, FIXDIR), CRM_OK);
  comp = crm__component_find(c, CRM_KIND_REWARD, "fx_v10_points");
  assert_non_null(comp);
  assert_int_equal(comp->vt.reward.flags, 0); /* not the 0xffffffff after */

  memset(&cf, 0, sizeof(cf));
  cf.external_id = "C-1";
  assert_int_equal(crm_customer_add(c, &cf, &id), CRM_OK);
  memset(&ev, 0, sizeof(ev));
  ev.customer_id = id;
  ev.type = "purchase";
  ev.amount = 1000;
  ev.currency = "USD";
  ev.idempotency_key = "p1";
  assert_int_equal(crm_event_ingest(c, &ev, &r), CRM_OK);
  assert_int_equal(r.points, 10); /* helper 5 x mult 2 */
  /* The old plugin answers +10 to the refund too: written as it said. */
  ev.type = "refund";
  ev.payload = "{\"refund_of\":\"p1\"}";
  ev.idempotency_key = "r1";
  assert_int_equal(crm_event_ingest(c, &ev, &r), CRM_OK);
  assert_int_equal(r.points, 10);
  assert_int_equal(crm_points_account_get(c, id, "fx_v10_points", &a),
                   CRM_OK);
  assert_int_equal(a.balance, 20);
  assert_int_equal(crm_ledger_foreach(c, id, sum_cb, &sum), CRM_OK);
  assert_int_equal(sum, 20);
  assert_int_equal(crm_points_check(c, id, NULL), CRM_OK);
  crm_close(c);
  lt_dir_done(&dir);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_v10_reward_keeps_its_meaning),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
