/*
 * case_stats.c - crm_case_stats: complaint figures per category and in
 * all, and the churn of complainants against everyone else.
 *
 * The cases counted are those opened in [since, until) (0: open ends).
 * Per case:
 *   first response  hours from opening to the first response: the
 *                   business time its first_response SLA clock used
 *                   when met (case_sla.used at met_at); a case without
 *                   that clock: wall-clock hours (first_response_at -
 *                   opened_at);
 *   resolution      the same with the resolution clock and resolved_at
 *                   (the last resolution: a reopened case's clock goes
 *                   on with the time it had used); a case reopened and
 *                   not resolved again has none (still counted as
 *                   resolved and reopened);
 *   breached        a clock of the case has breached_at;
 *   reopened        reopen_count > 0; compensated: the points of its
 *                   case_compensation rows.
 * Per group: opened, open now (not in a final state: closed_at unset),
 * responded, resolved (resolved_at set), mean and exact median of the
 * hours (the middle value, or the mean of the two middle ones; -1 when
 * none), breached / opened, reopened / resolved (-1 when the divisor is
 * 0). Rows: each category by name (uncategorised cases as "(none)"),
 * then the total with category "". One aggregate query (window
 * functions for the medians, grouped once), no walk over cases in C;
 * every table is read through an index (cases_opened for the period,
 * primary keys for the clocks and compensation rows).
 *
 * Churn: complainants are the customers with a case in the period; the
 * others every other customer. Lost: the customer's lifecycle stage is
 * now at_risk or lost. Resolved complainants: every case of theirs in
 * the period is Resolved or Closed. Counted with SQL aggregates.
 */
#include <stdint.h>
#include <string.h>

#include "case_int.h"

#define ST_NONE "(none)"

/* ?1 since, ?2 until (INT64_MAX: none): a range of cases_opened. sf,
 * sr: the case's SLA clocks (primary key look-ups). A clock that exists
 * is the truth: met -> its business time; a resolution clock not met
 * (reopened, not resolved again) -> no resolution time. Without a
 * clock: wall-clock hours, the resolution only while the case is
 * Resolved or Closed (its resolution stands). */
#define ST_CASES                                                            \
  "k AS (SELECT c.id, c.category, c.opened_at, c.closed_at,"                \
  "   c.first_response_at, c.resolved_at, c.reopen_count,"                  \
  "   CASE WHEN c.first_response_at IS NULL THEN NULL"                      \
  "   WHEN sf.case_id IS NULL"                                              \
  "     THEN (c.first_response_at - c.opened_at) / 3600.0"                  \
  "   WHEN sf.met_at IS NOT NULL THEN sf.used / 3600.0 END AS fr,"          \
  "   CASE WHEN c.resolved_at IS NULL THEN NULL"                            \
  "   WHEN sr.case_id IS NULL THEN CASE WHEN lower(c.state) IN"             \
  "     ('resolved', 'closed') THEN (c.resolved_at - c.opened_at) / 3600.0" \
  "     END"                                                                \
  "   WHEN sr.met_at IS NOT NULL THEN sr.used / 3600.0 END AS rs,"          \
  "   EXISTS (SELECT 1 FROM case_sla s WHERE s.case_id = c.id"              \
  "     AND s.breached_at IS NOT NULL) AS breached,"                        \
  "   (SELECT coalesce(sum(p.points), 0) FROM case_compensation p"          \
  "     WHERE p.case_id = c.id) AS comp"                                    \
  "  FROM cases c"                                                          \
  "  LEFT JOIN case_sla sf ON sf.case_id = c.id"                            \
  "   AND sf.clock = 'first_response'"                                      \
  "  LEFT JOIN case_sla sr ON sr.case_id = c.id AND sr.clock = 'resolution'"\
  "  WHERE c.opened_at >= ?1 AND c.opened_at < ?2)"

/* Each group's median is the mean of its one or two middle values (row
 * numbers (n + 1) / 2 and (n + 2) / 2 of the sorted durations), grouped
 * once and joined: no subquery per group (each would sort all of g). */
#define ST_MEDIAN(name, col)                                                \
  " " name "o AS (SELECT tot, cat, " col " AS h, row_number() OVER"         \
  "   (PARTITION BY tot, cat ORDER BY " col ") AS rn,"                      \
  "   count(*) OVER (PARTITION BY tot, cat) AS n"                           \
  "   FROM g WHERE " col " IS NOT NULL),"                                   \
  " " name " AS (SELECT tot, cat, avg(h) AS med FROM " name "o"             \
  "   WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY tot, cat)"

static const char st_sql_rows[] =
  "WITH " ST_CASES ","
  " g AS (SELECT 0 AS tot, CASE WHEN category = '' THEN '" ST_NONE "'"
  "   ELSE category END AS cat, * FROM k"
  "   UNION ALL SELECT 1 AS tot, '' AS cat, * FROM k),"
  ST_MEDIAN("fm", "fr") "," ST_MEDIAN("rm", "rs") ","
  " a AS (SELECT tot, cat, count(*) AS opened,"
  "   sum(closed_at IS NULL) AS open_now, sum(fr IS NOT NULL) AS responded,"
  "   sum(resolved_at IS NOT NULL) AS resolved, avg(fr) AS fr_mean,"
  "   avg(rs) AS rs_mean, sum(breached) AS breached,"
  "   sum(reopen_count > 0) AS reopened, sum(comp) AS comp"
  "   FROM g GROUP BY tot, cat)"
  " SELECT a.tot, a.cat, a.opened, a.open_now, a.responded, a.resolved,"
  "  a.fr_mean, fm.med, a.rs_mean, rm.med, a.breached, a.reopened, a.comp"
  " FROM a LEFT JOIN fm ON fm.tot = a.tot AND fm.cat = a.cat"
  " LEFT JOIN rm ON rm.tot = a.tot AND rm.cat = a.cat"
  " ORDER BY a.tot, a.cat";

/* ?1 since, ?2 until (as above), ?3 at_risk, ?4 lost. "+customer_id":
 * the period is read through cases_opened (then grouped), not every case
 * through cases_customer. */
static const char st_sql_churn[] =
  "WITH p AS (SELECT customer_id,"
  "   min(lower(state) IN ('resolved', 'closed')) AS done"
  "   FROM cases WHERE opened_at >= ?1 AND opened_at < ?2"
  "   GROUP BY +customer_id),"
  " q AS (SELECT p.done, u.stage IN (?3, ?4) AS lost FROM p"
  "   JOIN customers u ON u.id = p.customer_id)"
  " SELECT (SELECT count(*) FROM q),"
  "  (SELECT count(*) FROM q WHERE lost),"
  "  (SELECT count(*) FROM customers),"
  "  (SELECT count(*) FROM customers WHERE stage IN (?3, ?4)),"
  "  (SELECT count(*) FROM q WHERE done),"
  "  (SELECT count(*) FROM q WHERE done AND lost)";

static double st_col_real(sqlite3_stmt *st, int col)
{
  if(sqlite3_column_type(st, col) == SQLITE_NULL)
    return -1;
  return sqlite3_column_double(st, col);
}

static double st_rate(int64_t a, int64_t b)
{
  return b > 0 ? (double)a / (double)b : -1;
}

static void st_row_read(sqlite3_stmt *st, crm_case_stats_row *w)
{
  memset(w, 0, sizeof(*w));
  w->category = (const char *)sqlite3_column_text(st, 1);
  if(!w->category)
    w->category = "";
  w->opened = sqlite3_column_int64(st, 2);
  w->open_now = sqlite3_column_int64(st, 3);
  w->responded = sqlite3_column_int64(st, 4);
  w->resolved = sqlite3_column_int64(st, 5);
  w->first_response_hours_mean = st_col_real(st, 6);
  w->first_response_hours_median = st_col_real(st, 7);
  w->resolve_hours_mean = st_col_real(st, 8);
  w->resolve_hours_median = st_col_real(st, 9);
  w->breached = sqlite3_column_int64(st, 10);
  w->reopened = sqlite3_column_int64(st, 11);
  w->compensated_points = sqlite3_column_int64(st, 12);
  w->breach_rate = st_rate(w->breached, w->opened);
  w->reopen_rate = st_rate(w->reopened, w->resolved);
}

/* The total row of a period without cases. */
static int st_empty_total(void *ud,
                          int (*cb)(void *ud, const crm_case_stats_row *))
{
  crm_case_stats_row w;

  memset(&w, 0, sizeof(w));
  w.category = "";
  w.first_response_hours_mean = w.first_response_hours_median = -1;
  w.resolve_hours_mean = w.resolve_hours_median = -1;
  w.breach_rate = w.reopen_rate = -1;
  return cb(ud, &w);
}

static int st_rows(crm *c, int64_t since, int64_t until,
                   int (*cb)(void *ud, const crm_case_stats_row *), void *ud)
{
  crm_case_stats_row w;
  sqlite3_stmt *st = crm__stmt_fresh(c, st_sql_rows);
  int total = 0, stop = 0;
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, since);
  sqlite3_bind_int64(st, 2, until ? until : INT64_MAX);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    total = sqlite3_column_int(st, 0);
    st_row_read(st, &w);
    stop = cb(ud, &w);
    if(stop)
      break;
  }
  crm__stmt_done(c, st);
  if(stop)
    return stop;
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "computing complaint statistics");
  return total ? CRM_OK : st_empty_total(ud, cb);
}

static int st_churn(crm *c, int64_t since, int64_t until, crm_case_churn *k)
{
  sqlite3_stmt *st = crm__stmt(c, st_sql_churn);
  int64_t v[6];
  int rc;

  memset(k, 0, sizeof(*k));
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, since);
  sqlite3_bind_int64(st, 2, until ? until : INT64_MAX);
  sqlite3_bind_int(st, 3, CRM_STAGE_AT_RISK);
  sqlite3_bind_int(st, 4, CRM_STAGE_LOST);
  rc = crm__step_row(c, st, v, 6, "computing complainant churn");
  if(rc)
    return rc;
  k->complainants = v[0];
  k->complainants_lost = v[1];
  k->others = v[2] - v[0];
  k->others_lost = v[3] - v[1];
  k->resolved_complainants = v[4];
  k->resolved_lost = v[5];
  k->complainant_rate = st_rate(k->complainants_lost, k->complainants);
  k->other_rate = st_rate(k->others_lost, k->others);
  k->resolved_rate = st_rate(k->resolved_lost, k->resolved_complainants);
  return CRM_OK;
}

int crm_case_stats(crm *c, int64_t since, int64_t until,
                   int (*cb)(void *ud, const crm_case_stats_row *), void *ud,
                   crm_case_churn *churn)
{
  int rc = CRM_OK;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(since < 0 || until < 0)
    return crm__err(c, CRM_EINVAL, "statistics period bounds are negative");
  if(until && since >= until)
    return crm__err(c, CRM_EINVAL, "statistics period is empty (since %lld "
                    "is not before until %lld)", (long long)since,
                    (long long)until);
  if(churn)
    rc = st_churn(c, since, until, churn);
  if(!rc && cb)
    rc = st_rows(c, since, until, cb, ud);
  return rc;
}
