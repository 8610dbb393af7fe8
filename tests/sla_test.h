/*
 * sla_test.h - helpers of the SLA tests (test_sla*.c): civil dates and
 * instants, opening a case, moves, replies, runs and SLA reads at a fixed
 * clock, due rows and the "sla" log lines collected for asserts.
 *
 * keep_log appends to a char buffer of ST_LOG_SIZE bytes (1024 unless
 * defined before including this header).
 */
#ifndef SLA_TEST_H
#define SLA_TEST_H

#include "case_test.h"

#define H INT64_C(3600)

#ifndef ST_LOG_SIZE
#define ST_LOG_SIZE 1024
#endif

/* Days since 1970-01-01 of a civil date (H. Hinnant). */
static inline int64_t days(int64_t y, int m, int d)
{
  int64_t era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* A UTC instant. */
static inline int64_t utc(int y, int m, int d, int hh, int mm)
{
  return days(y, m, d) * 86400 + (int64_t)hh * 3600 + mm * 60;
}

/* A Paris wall time in November or December (CET = UTC+1) as UTC. */
static inline int64_t paris(int y, int m, int d, int hh, int mm)
{
  return utc(y, m, d, hh, mm) - 3600;
}

/* One integer from a query with one integer parameter; -1 for NULL
 * (ct_int of case_test.h). */
static inline int64_t q_int(crm *c, const char *sql, int64_t arg)
{
  return ct_int(c, sql, arg);
}

/* The number of pending case_due rows of a case. */
static inline int64_t n_due(crm *c, int64_t id)
{
  return q_int(c, "SELECT count(*) FROM case_due WHERE case_id = ?1", id);
}

/* Opens a case ("my parcel never came") at the instant at. */
static inline int64_t open_at(crm *c, int64_t cust, const char *category,
                              int priority, int64_t at)
{
  crm_case_new n;
  int64_t id = 0;

  memset(&n, 0, sizeof(n));
  n.customer_id = cust;
  n.summary = "my parcel never came";
  n.category = category;
  n.priority = priority;
  crm_set_now(c, at);
  if(crm_case_create(c, &n, &id))
    fail_msg("crm_case_create: %s", crm_errmsg(c));
  return id;
}

/* ana moves the case to state to at the instant at. */
static inline void move_at(crm *c, int64_t id, const char *to, int64_t at)
{
  crm_case_op op = ct_op("ana", NULL, at);

  crm_set_now(c, at);
  if(crm_case_move_op(c, id, to, &op))
    fail_msg("move to %s: %s", to, crm_errmsg(c));
}

/* A reply of the customer or (recorded only) of ana at the instant at. */
static inline void reply_at(crm *c, int64_t id, int kind, int64_t at)
{
  crm_case_op op = ct_op(kind == CRM_CASE_MSG_CUSTOMER ? "customer" : "ana",
                         NULL, at);

  crm_set_now(c, at);
  if(crm_case_reply(c, id, kind, "about your parcel",
                    kind == CRM_CASE_MSG_AGENT ? CRM_CASE_REPLY_RECORD : 0,
                    &op, NULL, NULL))
    fail_msg("crm_case_reply: %s", crm_errmsg(c));
}

/* The SLA clocks of a case seen at the instant now. */
static inline crm_sla_info sla_at(crm *c, int64_t id, int64_t now)
{
  crm_sla_info s;

  crm_set_now(c, now);
  if(crm_sla_get(c, id, &s))
    fail_msg("crm_sla_get: %s", crm_errmsg(c));
  return s;
}

/* crm_sla_run up to as_of (the clock set to as_of first when set_now)
 * and the counts it reports; closed < 0: not checked. */
static inline void st_run_check(crm *c, int64_t as_of, int set_now,
                                int64_t w, int64_t b, int64_t e,
                                int64_t closed)
{
  crm_sla_run_stats st;

  if(set_now)
    crm_set_now(c, as_of);
  if(crm_sla_run(c, as_of, &st))
    fail_msg("crm_sla_run: %s", crm_errmsg(c));
  assert_int_equal(st.warnings, w);
  assert_int_equal(st.breaches, b);
  assert_int_equal(st.escalations, e);
  if(closed >= 0)
    assert_int_equal(st.closed, closed);
}

/* A crm_set_log callback keeping the "sla" lines as "LEVEL msg\n" in the
 * char buffer ud (ST_LOG_SIZE bytes). */
static inline void keep_log(void *ud, int level, const char *source,
                            const char *msg)
{
  char *buf = ud;
  size_t n = strlen(buf);

  if(!strcmp(source, "sla"))
    snprintf(buf + n, ST_LOG_SIZE - n, "%d %s\n", level, msg);
}

#endif
