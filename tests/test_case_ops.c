/*
 * test_case_ops.c - what agents do to a case (core/case_ops.c) with
 * basic_case on a fixed clock: assign and reassign, reject (needs a why),
 * resolve (once), close, merge (messages copied, later customer messages
 * go to the target, the refusals), each with who and why in the history;
 * no operation dated before the case was opened; crm_case_update
 * (category, priority, the clocks re-targeted); a plain move to Resolved
 * is a resolution; a manual reopen counts; a refused move reads reason
 * first.
 */
#include "case_test.h"

#define T0 PE_NOW

/* New -> Assigned by the first assignment; a reassignment names both
 * owners; refusals change nothing. */
static void test_assign(void **state)
{
  pe_env e;
  crm_case_op op = ct_op("maria", "billing expert", T0 + 60);
  crm_case k;
  ct_lines h;
  char name[66];
  int64_t cust, id;

  (void)state;
  pe_open(&e, ct_conf);
  cust = t_add_customer(e.c, "a");
  id = ct_case(e.c, cust, "charged twice", NULL);
  assert_int_equal(crm_case_assign(e.c, id, "ana", NULL, &op), CRM_OK);
  k = ct_get(e.c, id);
  assert_string_equal(k.owner, "ana");
  assert_string_equal(k.state, "Assigned");
  assert_int_equal(k.updated_at, T0 + 60);
  op = ct_op("maria", "ana is away", T0 + 120);
  assert_int_equal(crm_case_assign(e.c, id, "ben", "care", &op), CRM_OK);
  k = ct_get(e.c, id);
  assert_string_equal(k.owner, "ben");
  assert_string_equal(k.team, "care");
  assert_string_equal(k.state, "Assigned");
  ct_history(e.c, id, &h);
  assert_int_equal(h.n, 4);
  assert_string_equal(h.line[1], "assign|-|New|maria|billing expert|owner "
                      "ana");
  assert_string_equal(h.line[2], "move|New|Assigned|maria|billing expert|-");
  assert_string_equal(h.line[3], "assign|-|Assigned|maria|ana is away|owner "
                      "ana -> ben; team (none) -> care");
  assert_int_equal(h.at[3], T0 + 120);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM audit_log WHERE"
                          " action = 'case.assign' AND actor = 'maria' AND"
                          " object = 'case C-000001' AND ?1", 1), 2);
  /* the same owner again: nothing to write */
  assert_int_equal(crm_case_assign(e.c, id, "ben", NULL, NULL), CRM_OK);
  ct_history(e.c, id, &h);
  assert_int_equal(h.n, 4);
  /* refusals */
  assert_int_equal(crm_case_assign(e.c, id, "", NULL, NULL), CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "owner is required");
  memset(name, 'o', 65);
  name[65] = '\0';
  assert_int_equal(crm_case_assign(e.c, id, name, NULL, NULL), CRM_ERANGE);
  assert_string_equal(crm_errmsg(e.c), "owner is too long (more than 64 "
                      "bytes)");
  assert_int_equal(crm_case_assign(e.c, id, "a\tb", NULL, NULL), CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "owner contains a control character");
  assert_int_equal(crm_case_assign(e.c, id + 1, "ana", NULL, NULL),
                   CRM_ENOTFOUND);
  op = ct_op("maria", "spam", T0 + 180);
  assert_int_equal(crm_case_reject(e.c, id, &op), CRM_OK);
  assert_int_equal(crm_case_assign(e.c, id, "cid", NULL, NULL), CRM_ESTATE);
  assert_string_equal(crm_errmsg(e.c), "case C-000001 is Rejected: it cannot "
                      "be assigned");
  assert_string_equal(ct_get(e.c, id).owner, "ben");
  pe_close(&e);
}

/* With teams configured a team must be one of them. */
static void test_assign_teams(void **state)
{
  static const char conf[] =
    "plugins = { load = ( { name = \"basic_case\"; } ); };\n"
    "complaints = { default_team = \"care\"; teams = (\n"
    "  { name = \"care\"; hours = { weekdays = \"09:00-18:00\"; }; },\n"
    "  { name = \"finance\"; hours = { weekdays = \"09:00-17:00\"; }; } ); };\n";
  pe_env e;
  crm_case k;
  ct_lines h;
  int64_t cust, id;

  (void)state;
  pe_open(&e, conf);
  cust = t_add_customer(e.c, "a");
  id = ct_case(e.c, cust, "charged twice", NULL);
  assert_string_equal(ct_get(e.c, id).team, "care"); /* routed at open */
  assert_int_equal(crm_case_assign(e.c, id, "ana", "legal", NULL),
                   CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(e.c), "unknown team \"legal\" "
                      "(complaints.teams)");
  k = ct_get(e.c, id);
  assert_string_equal(k.owner, "");
  assert_string_equal(k.state, "New");
  assert_int_equal(crm_case_assign(e.c, id, "ana", "finance", NULL), CRM_OK);
  k = ct_get(e.c, id);
  assert_string_equal(k.team, "finance");
  assert_string_equal(k.state, "Assigned");
  ct_history(e.c, id, &h);
  assert_string_equal(h.line[1], "assign|-|New|api|-|owner ana; team care "
                      "-> finance");
  pe_close(&e);
}

/* Reject needs a why; it is final and counts as the first response. */
static void test_reject(void **state)
{
  pe_env e;
  crm_case_op op = ct_op("maria", NULL, T0 + 300);
  crm_case k;
  ct_lines h;
  int64_t cust, id;

  (void)state;
  pe_open(&e, ct_conf);
  cust = t_add_customer(e.c, "a");
  id = ct_case(e.c, cust, "win a prize", NULL);
  assert_int_equal(crm_case_reject(e.c, id, &op), CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "why (the reason for the rejection) "
                      "is required");
  assert_int_equal(crm_case_reject(e.c, id, NULL), CRM_EINVAL);
  k = ct_get(e.c, id);
  assert_string_equal(k.state, "New");
  assert_int_equal(k.closed_at, 0);
  op.why = "spam";
  assert_int_equal(crm_case_reject(e.c, id, &op), CRM_OK);
  k = ct_get(e.c, id);
  assert_string_equal(k.state, "Rejected");
  assert_int_equal(k.closed_at, T0 + 300);
  assert_int_equal(k.first_response_at, T0 + 300);
  assert_int_equal(k.resolutions, 0);
  ct_history(e.c, id, &h);
  assert_int_equal(h.n, 2);
  assert_string_equal(h.line[1], "move|New|Rejected|maria|spam|-");
  /* final: no way back */
  assert_int_equal(crm_case_reject(e.c, id, &op), CRM_ESTATE);
  pe_close(&e);
}

/* Resolve needs a why; twice is one resolution; close afterwards. */
static void test_resolve_once_and_close(void **state)
{
  pe_env e;
  crm_case_resolution res;
  crm_case_op op;
  crm_case k;
  ct_lines h;
  int64_t cust, id;

  (void)state;
  pe_open(&e, ct_conf);
  cust = t_add_customer(e.c, "a");
  id = ct_case(e.c, cust, "parcel late", NULL);
  memset(&res, 0, sizeof(res));
  res.op = ct_op("ana", NULL, T0 + 3600);
  assert_int_equal(crm_case_resolve(e.c, id, &res), CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "why (the resolution) is required");
  res.op.why = "reshipped";
  res.comp_points = -5;
  assert_int_equal(crm_case_resolve(e.c, id, &res), CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "compensation points are negative "
                      "(-5)");
  res.comp_points = 0;
  assert_int_equal(crm_case_resolve(e.c, id, &res), CRM_OK);
  k = ct_get(e.c, id);
  assert_string_equal(k.state, "Resolved");
  assert_int_equal(k.resolutions, 1);
  assert_int_equal(k.resolved_at, T0 + 3600);
  assert_int_equal(k.first_response_at, T0 + 3600); /* none before */
  assert_int_equal(k.closed_at, 0);
  /* again, later: nothing changes */
  res.op = ct_op("ben", "again", T0 + 7200);
  assert_int_equal(crm_case_resolve(e.c, id, &res), CRM_OK);
  k = ct_get(e.c, id);
  assert_int_equal(k.resolutions, 1);
  assert_int_equal(k.resolved_at, T0 + 3600);
  assert_int_equal(k.updated_at, T0 + 3600);
  ct_history(e.c, id, &h);
  assert_int_equal(h.n, 2);
  assert_string_equal(h.line[1], "move|New|Resolved|ana|reshipped|-");
  /* close */
  op = ct_op("ana", "customer confirmed", T0 + 9000);
  assert_int_equal(crm_case_close(e.c, id, &op), CRM_OK);
  k = ct_get(e.c, id);
  assert_string_equal(k.state, "Closed");
  assert_int_equal(k.closed_at, T0 + 9000);
  ct_history(e.c, id, &h);
  assert_int_equal(h.n, 3);
  assert_string_equal(h.line[2], "move|Resolved|Closed|ana|customer "
                      "confirmed|-");
  /* closing a closed case: the handler refuses */
  assert_int_equal(crm_case_close(e.c, id, &op), CRM_ESTATE);
  assert_int_equal(crm_case_resolve(e.c, id + 5, &res), CRM_ENOTFOUND);
  pe_close(&e);
}

/* Merge: the duplicate's messages are copied (author kept, body
 * prefixed), it becomes a Duplicate of the target (final), a later
 * customer message on it lands on the target. */
static void test_merge(void **state)
{
  pe_env e;
  crm_case_op op = ct_op("maria", "same parcel", T0 + 600);
  crm_case_op w = ct_op("ann", NULL, T0 + 60);
  crm_case k;
  ct_lines h;
  int64_t cust, dup, into, landed = 0, msg = 0;

  (void)state;
  pe_open(&e, ct_conf);
  cust = t_add_customer(e.c, "a");
  dup = ct_case(e.c, cust, "where is my parcel", NULL);
  into = ct_case(e.c, cust, "parcel late", NULL);
  assert_int_equal(crm_case_reply(e.c, dup, CRM_CASE_MSG_CUSTOMER,
                                  "still nothing", 0, &w, NULL, NULL),
                   CRM_OK);
  w = ct_op("ben", NULL, T0 + 90);
  assert_int_equal(crm_case_reply(e.c, dup, CRM_CASE_MSG_NOTE,
                                  "called the carrier", 0, &w, NULL, NULL),
                   CRM_OK);
  assert_int_equal(crm_case_merge(e.c, dup, into, &op), CRM_OK);
  k = ct_get(e.c, dup);
  assert_string_equal(k.state, "Duplicate");
  assert_int_equal(k.merged_into, into);
  assert_int_equal(k.closed_at, T0 + 600);
  ct_messages(e.c, into, &h);
  assert_int_equal(h.n, 2);
  assert_string_equal(h.line[0], "0|ann|[from C-000001] still nothing|-");
  assert_int_equal(h.at[0], T0 + 60);
  assert_string_equal(h.line[1], "2|ben|[from C-000001] called the "
                      "carrier|-");
  ct_history(e.c, dup, &h);
  assert_int_equal(h.n, 3);
  assert_string_equal(h.line[1], "move|New|Duplicate|maria|same parcel|-");
  assert_string_equal(h.line[2], "merge|-|Duplicate|maria|same parcel|"
                      "merged into C-000002");
  ct_history(e.c, into, &h);
  assert_int_equal(h.n, 2);
  assert_string_equal(h.line[1], "merge|-|New|maria|same parcel|C-000001 "
                      "merged into this case");
  assert_string_equal(ct_get(e.c, into).state, "New");
  /* a later customer message on the duplicate lands on the target */
  w = ct_op(NULL, NULL, T0 + 900);
  assert_int_equal(crm_case_reply(e.c, dup, CRM_CASE_MSG_CUSTOMER,
                                  "any news?", 0, &w, &landed, &msg),
                   CRM_OK);
  assert_int_equal(landed, into);
  ct_messages(e.c, into, &h);
  assert_int_equal(h.n, 3);
  assert_string_equal(h.line[2], "0|customer|any news?|-");
  assert_int_equal(ct_int(e.c, "SELECT case_id FROM case_messages"
                          " WHERE id = ?1", msg), into);
  ct_messages(e.c, dup, &h);
  assert_int_equal(h.n, 2);
  pe_close(&e);
}

static void expect_merge_refused(crm *c, int64_t dup, int64_t into,
                                 int code, const char *msg)
{
  assert_int_equal(crm_case_merge(c, dup, into, NULL), code);
  assert_string_equal(crm_errmsg(c), msg);
}

static void test_merge_refusals(void **state)
{
  pe_env e;
  crm_case_op op = ct_op("maria", "spam", T0 + 60);
  int64_t a, b, c1, c2, c3, c4;

  (void)state;
  pe_open(&e, ct_conf);
  a = t_add_customer(e.c, "a");
  b = t_add_customer(e.c, "b");
  c1 = ct_case(e.c, a, "parcel late", NULL);
  c2 = ct_case(e.c, a, "parcel late again", NULL);
  c3 = ct_case(e.c, b, "parcel late too", NULL);
  c4 = ct_case(e.c, a, "buy watches", NULL);
  assert_int_equal(crm_case_reject(e.c, c4, &op), CRM_OK);
  assert_int_equal(crm_case_reply(e.c, c1, CRM_CASE_MSG_CUSTOMER, "hello",
                                  0, NULL, NULL, NULL), CRM_OK);
  expect_merge_refused(e.c, c1, c3, CRM_EINVAL, "cannot merge C-000001 into "
                       "C-000003: they belong to different customers");
  expect_merge_refused(e.c, c1, c4, CRM_ESTATE, "cannot merge into C-000004: "
                       "it is Rejected");
  expect_merge_refused(e.c, c4, c1, CRM_ESTATE, "cannot merge C-000004: it "
                       "is Rejected");
  expect_merge_refused(e.c, c1, c1, CRM_EINVAL, "cannot merge case C-000001 "
                       "into itself");
  expect_merge_refused(e.c, c1, 99, CRM_ENOTFOUND, "unknown case #99");
  /* nothing changed */
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM case_messages WHERE"
                          " ?1", 1), 1);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM case_history WHERE"
                          " action = 'merge' OR to_state = 'Duplicate'"
                          " AND ?1", 1), 0);
  assert_string_equal(ct_get(e.c, c1).state, "New");
  /* merged once, a second merge of the same case is refused */
  assert_int_equal(crm_case_merge(e.c, c1, c2, NULL), CRM_OK);
  expect_merge_refused(e.c, c1, c2, CRM_ESTATE, "cannot merge C-000001: it "
                       "is Duplicate");
  expect_merge_refused(e.c, c2, c1, CRM_ESTATE, "cannot merge into C-000001: "
                       "it is Duplicate");
  pe_close(&e);
}

/* An operation dated before the case was opened is refused and changes
 * nothing (a resolution before the opening would give a negative time to
 * resolve and a clock running backwards). Case opened at T0 =
 * 2002-09-27 00:00 UTC (2000-01-01 + 1000 days). */
static void test_time_before_opening(void **state)
{
  static const char msg[] = "time 2002-09-26T23:59:59Z is before case "
                            "C-000001 was opened (2002-09-27T00:00:00Z): "
                            "give a later time";
  pe_env e;
  crm_case_op op = ct_op("ana", "done", T0 - 1);
  crm_case_resolution res;
  ct_lines h;
  int64_t cust, id, other;

  (void)state;
  pe_open(&e, ct_conf);
  cust = t_add_customer(e.c, "a");
  id = ct_case(e.c, cust, "parcel late", NULL);
  memset(&res, 0, sizeof(res));
  res.op = op;
  assert_int_equal(crm_case_resolve(e.c, id, &res), CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), msg);
  assert_int_equal(crm_case_assign(e.c, id, "ana", NULL, &op), CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), msg);
  assert_int_equal(crm_case_move_op(e.c, id, "In progress", &op),
                   CRM_EINVAL);
  assert_int_equal(crm_case_reply(e.c, id, CRM_CASE_MSG_AGENT, "hi",
                                  CRM_CASE_REPLY_RECORD, &op, NULL, NULL),
                   CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), msg);
  other = ct_case(e.c, cust, "parcel late too", NULL);
  assert_int_equal(crm_case_merge(e.c, other, id, &op), CRM_EINVAL);
  assert_string_equal(ct_get(e.c, id).state, "New");
  assert_int_equal(ct_get(e.c, id).first_response_at, 0);
  ct_history(e.c, id, &h);
  assert_int_equal(h.n, 1);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM case_messages WHERE"
                          " ?1", 1), 0);
  /* at the opening itself: fine */
  op.at = T0;
  assert_int_equal(crm_case_resolve(e.c, id, &res), CRM_EINVAL);
  res.op.at = T0;
  assert_int_equal(crm_case_resolve(e.c, id, &res), CRM_OK);
  assert_int_equal(ct_get(e.c, id).resolved_at, T0);
  pe_close(&e);
}

/* ---- follow-ups of the issue 7 reviews ------------------------------------ */

/* A 24/7 UTC team (business time = wall time): any category, priority 2:
 * 2h to the first response, 4h to the resolution; any other: 8h / 16h. */
static const char conf_sla[] =
  "plugins = { load = ( { name = \"basic_case\"; } ); };\n"
  "complaints = {\n"
  "  teams = ( { name = \"care\"; hours = { weekdays = \"00:00-24:00\";"
  " sat = \"00:00-24:00\"; sun = \"00:00-24:00\"; }; } );\n"
  "  sla = ( { category = \"*\"; priority = 2; first_response = \"2h\";"
  " resolution = \"4h\"; },\n"
  "    { category = \"*\"; priority = 0; first_response = \"8h\";"
  " resolution = \"16h\"; } );\n"
  "};\n";

#define HOUR INT64_C(3600)

/* crm_case_update: category and priority change with who and why in the
 * history, the clocks take the new policy's targets; NULL / 0 keep;
 * refusals change nothing. "hello there" is basic_case's "other",
 * priority 4, so the policy is "*" (8h / 16h); at T0 + 1h the case
 * becomes quality / 2: 2h / 4h, the hour used counts, so the resolution
 * is due at T0 + 4h and the first response at T0 + 2h. */
static void test_update(void **state)
{
  pe_env e;
  crm_case_op op = ct_op("maria", "customer called", T0 + HOUR);
  crm_sla_info si;
  crm_case k;
  ct_lines h;
  char big[40];
  int64_t cust, id;

  (void)state;
  pe_open(&e, conf_sla);
  cust = t_add_customer(e.c, "a");
  id = ct_case(e.c, cust, "hello there", NULL);
  k = ct_get(e.c, id);
  assert_string_equal(k.category, "other");
  assert_int_equal(k.priority, 4);
  assert_int_equal(crm_sla_get(e.c, id, &si), CRM_OK);
  assert_int_equal(si.resolution.due_at, T0 + 16 * HOUR);
  assert_int_equal(crm_case_update(e.c, id, "quality", 2, &op), CRM_OK);
  k = ct_get(e.c, id);
  assert_string_equal(k.category, "quality");
  assert_int_equal(k.priority, 2);
  assert_string_equal(k.state, "New");
  assert_int_equal(k.updated_at, T0 + HOUR);
  ct_history(e.c, id, &h);
  assert_int_equal(h.n, 3);
  assert_string_equal(h.line[1], "category|-|New|maria|customer called|"
                      "other -> quality");
  assert_string_equal(h.line[2], "priority|-|New|maria|customer called|"
                      "4 -> 2");
  assert_int_equal(h.at[2], T0 + HOUR);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM audit_log WHERE"
                          " action IN ('case.category', 'case.priority')"
                          " AND actor = 'maria' AND ?1", 1), 2);
  assert_int_equal(crm_sla_get(e.c, id, &si), CRM_OK);
  assert_int_equal(si.resolution.target, 4 * HOUR);
  assert_int_equal(si.resolution.due_at, T0 + 4 * HOUR);
  assert_int_equal(si.first_response.target, 2 * HOUR);
  assert_int_equal(si.first_response.due_at, T0 + 2 * HOUR);
  /* only the priority; then nothing to change: no line */
  op = ct_op(NULL, NULL, T0 + 2 * HOUR);
  assert_int_equal(crm_case_update(e.c, id, NULL, 1, &op), CRM_OK);
  assert_int_equal(crm_case_update(e.c, id, NULL, 0, &op), CRM_OK);
  assert_int_equal(crm_case_update(e.c, id, "quality", 1, &op), CRM_OK);
  ct_history(e.c, id, &h);
  assert_int_equal(h.n, 4);
  assert_string_equal(h.line[3], "priority|-|New|api|-|2 -> 1");
  assert_string_equal(ct_get(e.c, id).category, "quality");
  /* refusals: nothing changes */
  assert_int_equal(crm_case_update(e.c, id, NULL, 5, NULL), CRM_ERANGE);
  assert_string_equal(crm_errmsg(e.c), "priority must be 1 (urgent) .. 4 "
                      "(low), or 0 to keep it (got 5)");
  assert_int_equal(crm_case_update(e.c, id, NULL, -1, NULL), CRM_ERANGE);
  assert_int_equal(crm_case_update(e.c, id, "", 0, NULL), CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "category is required");
  memset(big, 'c', 32);
  big[32] = '\0';
  assert_int_equal(crm_case_update(e.c, id, big, 0, NULL), CRM_ERANGE);
  assert_string_equal(crm_errmsg(e.c), "category is too long (more than 31 "
                      "bytes)");
  assert_int_equal(crm_case_update(e.c, id + 1, "billing", 0, NULL),
                   CRM_ENOTFOUND);
  op = ct_op("maria", NULL, T0 - 1);
  assert_int_equal(crm_case_update(e.c, id, "billing", 0, &op), CRM_EINVAL);
  op = ct_op("maria", "spam", T0 + 3 * HOUR);
  assert_int_equal(crm_case_reject(e.c, id, &op), CRM_OK);
  assert_int_equal(crm_case_update(e.c, id, "billing", 3, &op), CRM_ESTATE);
  assert_string_equal(crm_errmsg(e.c), "case C-000001 is Rejected: its "
                      "category and priority cannot change");
  k = ct_get(e.c, id);
  assert_string_equal(k.category, "quality");
  assert_int_equal(k.priority, 1);
  ct_history(e.c, id, &h);
  /* the rejection met the first response: 3h used of the 8h of "*" (at
   * priority 1 no rule but the catch-all applies) */
  assert_int_equal(h.n, 6);
  assert_string_equal(h.line[4], "move|New|Rejected|maria|spam|-");
  assert_string_equal(h.line[5], "sla|-|Rejected|sla|-|met first response: "
                      "met in 3h of 8h");
  pe_close(&e);
}

/* A plain move to Resolved goes the resolve way: the resolution counts,
 * the why defaults to "moved to Resolved", and a second move to Resolved
 * changes nothing (as a second resolve). */
static void test_move_to_resolved(void **state)
{
  pe_env e;
  crm_case_op op = ct_op("ana", NULL, T0 + 600);
  crm_case k;
  ct_lines h;
  int64_t cust, id;

  (void)state;
  pe_open(&e, ct_conf);
  cust = t_add_customer(e.c, "a");
  id = ct_case(e.c, cust, "parcel late", NULL);
  assert_int_equal(crm_case_move_op(e.c, id, "resolved", &op), CRM_OK);
  k = ct_get(e.c, id);
  assert_string_equal(k.state, "Resolved");
  assert_int_equal(k.resolutions, 1);
  assert_int_equal(k.resolved_at, T0 + 600);
  op = ct_op("ben", "again", T0 + 900);
  assert_int_equal(crm_case_move_op(e.c, id, "Resolved", &op), CRM_OK);
  k = ct_get(e.c, id);
  assert_int_equal(k.resolutions, 1);
  assert_int_equal(k.updated_at, T0 + 600);
  ct_history(e.c, id, &h);
  assert_int_equal(h.n, 2);
  assert_string_equal(h.line[1], "move|New|Resolved|ana|moved to Resolved|"
                      "-");
  pe_close(&e);
}

/* A manual move Resolved -> In progress is a reopen, as a customer's:
 * reopen_count + 1 and a "reopen" line with who and why. */
static void test_manual_reopen(void **state)
{
  pe_env e;
  crm_case_resolution res;
  crm_case_op op = ct_op("maria", "not fixed", T0 + 7200);
  crm_case k;
  ct_lines h;
  int64_t cust, id;

  (void)state;
  pe_open(&e, ct_conf);
  cust = t_add_customer(e.c, "a");
  id = ct_case(e.c, cust, "parcel late", NULL);
  memset(&res, 0, sizeof(res));
  res.op = ct_op("ana", "reshipped", T0 + 3600);
  assert_int_equal(crm_case_resolve(e.c, id, &res), CRM_OK);
  assert_int_equal(crm_case_move_op(e.c, id, "In progress", &op), CRM_OK);
  k = ct_get(e.c, id);
  assert_string_equal(k.state, "In progress");
  assert_int_equal(k.reopen_count, 1);
  ct_history(e.c, id, &h);
  assert_int_equal(h.n, 4);
  assert_string_equal(h.line[2], "move|Resolved|In progress|maria|not "
                      "fixed|-");
  assert_string_equal(h.line[3], "reopen|-|In progress|maria|not fixed|"
                      "reopened by maria (reopen 1)");
  /* a second resolution and reopen: 2 */
  res.op.at = T0 + 9000;
  assert_int_equal(crm_case_resolve(e.c, id, &res), CRM_OK);
  op.at = T0 + 9600;
  assert_int_equal(crm_case_move_op(e.c, id, "In progress", &op), CRM_OK);
  assert_int_equal(ct_get(e.c, id).reopen_count, 2);
  /* other moves are no reopen */
  op.at = T0 + 9700;
  assert_int_equal(crm_case_move_op(e.c, id, "Waiting on customer", &op),
                   CRM_OK);
  assert_int_equal(crm_case_move_op(e.c, id, "In progress", &op), CRM_OK);
  assert_int_equal(ct_get(e.c, id).reopen_count, 2);
  pe_close(&e);
}

/* A handler's refusal reads reason first, the handler after. */
static void test_refused_move_message(void **state)
{
  pe_env e;
  int64_t cust, id;

  (void)state;
  pe_open(&e, ct_conf);
  cust = t_add_customer(e.c, "a");
  id = ct_case(e.c, cust, "parcel late", NULL);
  assert_int_equal(crm_case_move_op(e.c, id, "Closed", NULL), CRM_ESTATE);
  assert_string_equal(crm_errmsg(e.c), "cannot move case C-000001 from New "
                      "to Closed; allowed: Assigned, In progress, Waiting "
                      "on customer, Resolved, Rejected, Duplicate (handler "
                      "basic_case)");
  assert_int_equal(crm_case_close(e.c, id, NULL), CRM_ESTATE);
  assert_string_equal(crm_errmsg(e.c), "cannot move case C-000001 from New "
                      "to Closed; allowed: Assigned, In progress, Waiting "
                      "on customer, Resolved, Rejected, Duplicate (handler "
                      "basic_case)");
  pe_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_assign),
    cmocka_unit_test(test_assign_teams),
    cmocka_unit_test(test_reject),
    cmocka_unit_test(test_resolve_once_and_close),
    cmocka_unit_test(test_merge),
    cmocka_unit_test(test_merge_refusals),
    cmocka_unit_test(test_time_before_opening),
    cmocka_unit_test(test_update),
    cmocka_unit_test(test_move_to_resolved),
    cmocka_unit_test(test_manual_reopen),
    cmocka_unit_test(test_refused_move_message),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
