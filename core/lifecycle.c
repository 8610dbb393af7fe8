/*
 * lifecycle.c - the customer's stage, computed incrementally from events.
 *
 *   prospect -> qualified (money, authority, need all known true)
 *   prospect/qualified -> parked (N contacts without a purchase)
 *   any pre-purchase stage -> first_purchase -> repeat -> loyal
 *   buying stages -> at_risk (silence beyond the customer's own usual gap
 *   x factor, never before a floor; or, with lifecycle.at_risk_model, a
 *   scoring component's verdict at reviews every check_days after the
 *   last purchase: lifecycle_model.c) -> lost (silence beyond N days)
 *   at_risk/lost -> reactivated (a purchase after the silence)
 *
 * Silence rules are applied lazily: each customer carries next_review_at,
 * the moment its next time rule falls due. An event for the customer
 * first applies the rules due before it; crm_lifecycle_advance() applies
 * them for the customers due by a date, found through an index, so there
 * is never a full scan or nightly batch. Every transition is stored with
 * the time it took effect and its cause (the event or the rule).
 *
 * Each customer's lifecycle has a clock (lc_evaluated_at): the latest
 * moment its stage was worked out for. An event older than that clock is
 * late: it updates the totals and is judged as of the clock, where it may
 * promote (repeat, loyal) or show that a silence was not one, but it never
 * demotes and never records a transition earlier than one already made.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "comm_int.h"
#include "lifecycle_model.h"

#define CRM__DAY 86400

static const char *const crm__stage_names[CRM_STAGE_COUNT] = {
  "none", "prospect", "qualified", "parked", "first_purchase", "repeat",
  "loyal", "at_risk", "lost", "reactivated",
};

void crm__lifecycle_defaults(crm__lifecycle_cfg *lc)
{
  lc->repeat_purchases = 2;
  lc->loyal_purchases = 5;
  lc->window_days = 365;
  lc->at_risk_factor = 2.0;
  lc->at_risk_floor_days = 60;
  lc->lost_days = 365;
  lc->park_after_contacts = 12;
  lc->at_risk_component[0] = '\0'; /* at_risk_model off */
  snprintf(lc->at_risk_score, sizeof(lc->at_risk_score), "risk");
  lc->at_risk_threshold = 0.6;
  lc->at_risk_check_days = 7;
}

const char *crm_stage_name(int stage)
{
  if(stage < 0 || stage >= CRM_STAGE_COUNT)
    return "unknown";
  return crm__stage_names[stage];
}

int crm_stage_parse(const char *name)
{
  char buf[32];
  size_t i;
  int s;

  if(!name || strlen(name) >= sizeof(buf))
    return -1;
  for(i = 0; name[i]; i++)
    buf[i] = name[i] == '-' ? '_' : (char)tolower((unsigned char)name[i]);
  buf[i] = '\0';
  for(s = 1; s < CRM_STAGE_COUNT; s++) {
    if(strcmp(buf, crm__stage_names[s]) == 0)
      return s;
  }
  if(strcmp(buf, "first") == 0)
    return CRM_STAGE_FIRST_PURCHASE;
  return -1;
}

static int crm__is_buying(int stage)
{
  return stage == CRM_STAGE_FIRST_PURCHASE || stage == CRM_STAGE_REPEAT ||
         stage == CRM_STAGE_LOYAL || stage == CRM_STAGE_REACTIVATED;
}

static int crm__is_pre_purchase(int stage)
{
  return stage == CRM_STAGE_NONE || stage == CRM_STAGE_PROSPECT ||
         stage == CRM_STAGE_QUALIFIED || stage == CRM_STAGE_PARKED;
}

static const char crm__sql_transition[] =
  "INSERT INTO lifecycle_transitions(customer_id, from_stage, to_stage, at,"
  " cause_event_id, cause) VALUES(?1, ?2, ?3, ?4, ?5, ?6)";
static const char crm__sql_set_stage[] =
  "UPDATE customers SET stage = ?2, stage_since = ?3, updated_at = ?4"
  " WHERE id = ?1";
static const char crm__sql_set_review[] =
  "UPDATE customers SET next_review_at = ?2, lc_evaluated_at ="
  " max(lc_evaluated_at, ?3) WHERE id = ?1";

/* Moves the customer to stage `to` as of `at`, recording why. */
static int crm__stage_set(crm *c, crm_customer *cust, int to, int64_t at,
                          int64_t event_id, const char *cause)
{
  sqlite3_stmt *st;
  int from;
  int rc;

  if(cust->stage == to)
    return CRM_OK;
  st = crm__stmt(c, crm__sql_transition);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, cust->id);
  sqlite3_bind_int(st, 2, cust->stage);
  sqlite3_bind_int(st, 3, to);
  sqlite3_bind_int64(st, 4, at);
  if(event_id > 0)
    sqlite3_bind_int64(st, 5, event_id);
  sqlite3_bind_text(st, 6, cause, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "recording lifecycle transition");
  st = crm__stmt(c, crm__sql_set_stage);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, cust->id);
  sqlite3_bind_int(st, 2, to);
  sqlite3_bind_int64(st, 3, at);
  sqlite3_bind_int64(st, 4, crm_now(c));
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "updating customer stage");
  from = cust->stage;
  cust->stage = to;
  cust->stage_since = at;
  /* an event's changes fire after the event is applied (event.c) */
  if(event_id <= 0)
    return crm__trigger_on_stage(c, cust->id, from, to, at);
  return CRM_OK;
}

int crm__lifecycle_on_create(crm *c, int64_t customer_id, int64_t at)
{
  crm_customer cust;

  memset(&cust, 0, sizeof(cust));
  cust.id = customer_id;
  cust.stage = CRM_STAGE_NONE;
  return crm__stage_set(c, &cust, CRM_STAGE_PROSPECT, at, 0,
                        "customer created");
}

/* The customer's usual gap between purchases, in seconds (0 if fewer
 * than two purchase days are known). */
int64_t crm__usual_gap(const crm_customer *cust)
{
  if(cust->purchase_count < 2 ||
     cust->last_purchase_at <= cust->first_purchase_at)
    return 0;
  return (cust->last_purchase_at - cust->first_purchase_at) /
         (cust->purchase_count - 1);
}

/* When silence makes this customer at risk, and when lost. */
static void crm__silence_deadlines(const crm *c, const crm_customer *cust,
                                   int64_t *at_risk_at, int64_t *lost_at)
{
  int64_t floor = (int64_t)c->lc.at_risk_floor_days * CRM__DAY;
  int64_t gap = (int64_t)(c->lc.at_risk_factor * (double)crm__usual_gap(cust));

  *at_risk_at = cust->last_purchase_at + (gap > floor ? gap : floor);
  *lost_at = cust->last_purchase_at + (int64_t)c->lc.lost_days * CRM__DAY;
}

static const char crm__sql_setting_get[] =
  "SELECT value FROM core_settings WHERE key = 'lifecycle.silence'";
static const char crm__sql_setting_put[] =
  "INSERT INTO core_settings(key, value) VALUES('lifecycle.silence', ?1)"
  " ON CONFLICT(key) DO UPDATE SET value = excluded.value";
/* The same deadlines as crm__silence_deadlines(), for every customer. */
static const char crm__sql_rereview[] =
  "UPDATE customers SET next_review_at = CASE"
  " WHEN last_purchase_at = 0 THEN NULL"
  " WHEN stage IN (4, 5, 6, 9) THEN min(last_purchase_at + max(?1,"
  "   CAST(?2 * (CASE WHEN purchase_count >= 2 AND"
  "   last_purchase_at > first_purchase_at THEN (last_purchase_at -"
  "   first_purchase_at) / (purchase_count - 1) ELSE 0 END) AS INTEGER)),"
  "   last_purchase_at + ?3)"
  " WHEN stage = 7 THEN last_purchase_at + ?3"
  " ELSE NULL END";

static int crm__same_silence(const crm__lifecycle_cfg *a,
                             const crm__lifecycle_cfg *b)
{
  return a->at_risk_factor == b->at_risk_factor &&
         a->at_risk_floor_days == b->at_risk_floor_days &&
         a->lost_days == b->lost_days && crm__lcm_same(a, b);
}

static int crm__rereview_all(crm *c)
{
  sqlite3_stmt *st;
  int rc;

  if(crm__lcm_active(c))
    return crm__lcm_rereview_all(c);
  st = crm__stmt(c, crm__sql_rereview);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, (int64_t)c->lc.at_risk_floor_days * CRM__DAY);
  sqlite3_bind_double(st, 2, c->lc.at_risk_factor);
  sqlite3_bind_int64(st, 3, (int64_t)c->lc.lost_days * CRM__DAY);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "rescheduling lifecycle reviews");
  crm__log(c, CRM_LOG_INFO, "lifecycle", "silence thresholds changed: "
           "review times recomputed for %d customers",
           sqlite3_changes(c->db));
  return CRM_OK;
}

/* Review times were computed with the silence thresholds recorded in the
 * store; when the configured ones differ, recompute them all once (an
 * admin's change, not a nightly job). Runs inside the caller's
 * transaction, at most once per handle and threshold change. */
static int crm__lifecycle_sync(crm *c)
{
  char model[192];
  char sig[288];
  char stored[288] = "";
  sqlite3_stmt *st;
  int rc;

  if(c->lc_synced_ok && crm__same_silence(&c->lc_synced, &c->lc))
    return CRM_OK;
  crm__lcm_signature(c, model, sizeof(model));
  snprintf(sig, sizeof(sig), "factor=%.6f floor=%d lost=%d%s",
           c->lc.at_risk_factor, c->lc.at_risk_floor_days, c->lc.lost_days,
           model);
  st = crm__stmt(c, crm__sql_setting_get);
  if(!st)
    return c->errcode;
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW)
    crm__col_text(st, 0, stored, sizeof(stored));
  sqlite3_reset(st);
  if(rc != SQLITE_ROW && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading lifecycle settings");
  if(strcmp(stored, sig) != 0) {
    if(stored[0]) {
      rc = crm__rereview_all(c);
      if(rc)
        return rc;
    }
    st = crm__stmt(c, crm__sql_setting_put);
    if(!st)
      return c->errcode;
    sqlite3_bind_text(st, 1, sig, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if(rc != SQLITE_DONE)
      return crm__sqlerr(c, rc, "writing lifecycle settings");
  }
  c->lc_synced = c->lc;
  c->lc_synced_ok = 1;
  return CRM_OK;
}

static int crm__set_review(crm *c, const crm_customer *cust, int64_t t)
{
  sqlite3_stmt *st;
  int64_t risk, lost;
  int64_t next = 0;
  int rc;

  rc = crm__lifecycle_sync(c);
  if(rc)
    return rc;
  if(cust->last_purchase_at > 0) {
    crm__silence_deadlines(c, cust, &risk, &lost);
    if(crm__is_buying(cust->stage) && crm__lcm_active(c))
      risk = crm__lcm_next_check(c, cust->last_purchase_at, t);
    if(crm__is_buying(cust->stage))
      next = risk < lost ? risk : lost;
    else if(cust->stage == CRM_STAGE_AT_RISK)
      next = lost;
  }
  st = crm__stmt(c, crm__sql_set_review);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, cust->id);
  if(next)
    sqlite3_bind_int64(st, 2, next);
  sqlite3_bind_int64(st, 3, t);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "scheduling lifecycle review");
  return CRM_OK;
}

/* The at_risk_model rule: the reviews due up to t (before an event at t
 * when at_event). */
static int crm__apply_model_due(crm *c, crm_customer *cust, int64_t t,
                                int64_t risk, int64_t lost, int at_event)
{
  char cause[192];
  int64_t at = 0;
  int rc;

  rc = crm__lcm_due(c, cust, t, risk, lost, at_event, &at, cause,
                    sizeof(cause));
  if(!rc && at)
    rc = crm__stage_set(c, cust, CRM_STAGE_AT_RISK, at, 0, cause);
  return rc;
}

/* Applies the silence rules that fell due up to t (before an event at t
 * when at_event). */
static int crm__apply_due(crm *c, crm_customer *cust, int64_t t,
                          int at_event)
{
  char cause[160];
  int64_t risk, lost;
  int rc = CRM_OK;

  if(cust->last_purchase_at == 0)
    return CRM_OK;
  crm__silence_deadlines(c, cust, &risk, &lost);
  if(crm__is_buying(cust->stage) && crm__lcm_active(c))
    rc = crm__apply_model_due(c, cust, t, risk, lost, at_event);
  else if(crm__is_buying(cust->stage) && t >= risk && risk < lost) {
    snprintf(cause, sizeof(cause),
             "rule at_risk: no purchase for %lld days (usual gap %lld "
             "days, threshold %lld days)",
             (long long)((risk - cust->last_purchase_at) / CRM__DAY),
             (long long)(crm__usual_gap(cust) / CRM__DAY),
             (long long)((risk - cust->last_purchase_at) / CRM__DAY));
    rc = crm__stage_set(c, cust, CRM_STAGE_AT_RISK, risk, 0, cause);
  }
  if(!rc && (crm__is_buying(cust->stage) ||
             cust->stage == CRM_STAGE_AT_RISK) && t >= lost) {
    snprintf(cause, sizeof(cause), "rule lost: no purchase for %d days",
             c->lc.lost_days);
    rc = crm__stage_set(c, cust, CRM_STAGE_LOST, lost, 0, cause);
  }
  return rc;
}

static const char crm__sql_window_days[] =
  "SELECT count(*) FROM events"
  " WHERE customer_id = ?1 AND type = 'purchase'"
  " AND occurred_at > ?2 AND occurred_at <= ?3 AND day_first = 1";

/* Distinct purchase days in the window ending at t. */
static int crm__window_purchases(crm *c, int64_t id, int64_t t, int64_t *n)
{
  sqlite3_stmt *st;
  int rc;

  st = crm__stmt(c, crm__sql_window_days);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int64(st, 2, t - (int64_t)c->lc.window_days * CRM__DAY);
  sqlite3_bind_int64(st, 3, t);
  rc = sqlite3_step(st);
  if(rc != SQLITE_ROW) {
    sqlite3_reset(st);
    return crm__sqlerr(c, rc, "counting purchases");
  }
  *n = sqlite3_column_int64(st, 0);
  sqlite3_reset(st);
  return CRM_OK;
}

/* The buying stage the window count gives as of t. */
static int crm__stage_by_count(const crm *c, int64_t n)
{
  if(n >= c->lc.loyal_purchases)
    return CRM_STAGE_LOYAL;
  if(n >= c->lc.repeat_purchases)
    return CRM_STAGE_REPEAT;
  return CRM_STAGE_FIRST_PURCHASE;
}

static int crm__stage_rank(int stage)
{
  switch(stage) {
  case CRM_STAGE_LOYAL: return 3;
  case CRM_STAGE_REPEAT: return 2;
  case CRM_STAGE_FIRST_PURCHASE:
  case CRM_STAGE_REACTIVATED: return 1;
  default: return 0;
  }
}

static void crm__purchase_cause(const crm *c, char *buf, size_t size,
                                int64_t event_id, int64_t n, const char *late)
{
  snprintf(buf, size, "%sevent purchase #%lld (%lld purchase day%s in %d "
           "days)", late, (long long)event_id, (long long)n,
           n == 1 ? "" : "s", c->lc.window_days);
}

static int crm__on_purchase(crm *c, crm_customer *cust, int64_t event_id,
                            int64_t t, int prev)
{
  char cause[192];
  int64_t n = 0;
  int to = cust->stage;
  int by_count;
  int rc;

  rc = crm__window_purchases(c, cust->id, t, &n);
  if(rc)
    return rc;
  by_count = crm__stage_by_count(c, n);
  if(prev == CRM_STAGE_AT_RISK || prev == CRM_STAGE_LOST)
    to = CRM_STAGE_REACTIVATED;
  else if(by_count != CRM_STAGE_FIRST_PURCHASE)
    to = by_count;
  else if(crm__is_pre_purchase(prev))
    to = CRM_STAGE_FIRST_PURCHASE;
  else if(prev == CRM_STAGE_LOYAL)
    to = CRM_STAGE_REPEAT; /* no longer buys often enough to be loyal */
  crm__purchase_cause(c, cause, sizeof(cause), event_id, n, "");
  return crm__stage_set(c, cust, to, t, event_id, cause);
}

/* With at_risk_model, whether a customer outside the buying stages is
 * still at risk as of te (a buying stage is never left for at_risk on
 * old news, so the model is not asked then). */
static int crm__late_model(crm *c, crm_customer *cust, int64_t te,
                           int64_t risk, int *to)
{
  char cause[192];
  int risky = 0;
  int rc;

  if(crm__stage_rank(cust->stage) > 0)
    return CRM_OK;
  rc = crm__lcm_judge(c, cust, te, risk, &risky, cause, sizeof(cause));
  if(!rc && risky)
    *to = CRM_STAGE_AT_RISK;
  return rc;
}

/* A purchase older than the lifecycle clock te: judged as of te. */
static int crm__on_late_purchase(crm *c, crm_customer *cust,
                                 int64_t event_id, int64_t t, int64_t te)
{
  char cause[192];
  const char *late;
  char day[24];
  int64_t risk, lost;
  int64_t n = 0;
  int to;
  int rc;

  rc = crm__window_purchases(c, cust->id, te, &n);
  if(rc)
    return rc;
  to = crm__stage_by_count(c, n);
  crm__silence_deadlines(c, cust, &risk, &lost);
  if(te >= lost)
    to = CRM_STAGE_LOST;
  else if(crm__lcm_active(c))
    rc = crm__late_model(c, cust, te, risk, &to);
  else if(te >= risk && risk < lost)
    to = CRM_STAGE_AT_RISK;
  if(rc)
    return rc;
  if(cust->stage == to)
    return CRM_OK;
  /* Never demote on old news, and a buying stage is only left for a
   * higher one. */
  if(crm__stage_rank(cust->stage) > 0 &&
     crm__stage_rank(to) <= crm__stage_rank(cust->stage))
    return CRM_OK;
  if(to == CRM_STAGE_AT_RISK && cust->stage == CRM_STAGE_LOST)
    return CRM_OK;
  crm_time_format(t, day, sizeof(day));
  day[10] = '\0';
  late = cust->stage == CRM_STAGE_AT_RISK || cust->stage == CRM_STAGE_LOST
             ? "silence ended by late " : "late ";
  crm__purchase_cause(c, cause, sizeof(cause), event_id, n, late);
  snprintf(cause + strlen(cause), sizeof(cause) - strlen(cause),
           " dated %s", day);
  return crm__stage_set(c, cust, to, te, event_id, cause);
}

static int crm__on_contact(crm *c, crm_customer *cust, int64_t event_id,
                           int64_t t)
{
  char cause[160];

  if(cust->purchase_count > 0 ||
     (cust->stage != CRM_STAGE_PROSPECT &&
      cust->stage != CRM_STAGE_QUALIFIED) ||
     cust->contact_count < c->lc.park_after_contacts)
    return CRM_OK;
  snprintf(cause, sizeof(cause),
           "rule parked: %lld contacts without a purchase (event contact "
           "#%lld)", (long long)cust->contact_count, (long long)event_id);
  return crm__stage_set(c, cust, CRM_STAGE_PARKED, t, event_id, cause);
}

static int crm__on_qualify(crm *c, crm_customer *cust, int64_t event_id,
                           int64_t t)
{
  char cause[160];
  int all = cust->man_money == 1 && cust->man_authority == 1 &&
            cust->man_need == 1;

  if(cust->purchase_count > 0)
    return CRM_OK;
  snprintf(cause, sizeof(cause),
           "event qualify #%lld (money %d, authority %d, need %d)",
           (long long)event_id, cust->man_money, cust->man_authority,
           cust->man_need);
  if(all && (cust->stage == CRM_STAGE_PROSPECT ||
             cust->stage == CRM_STAGE_PARKED))
    return crm__stage_set(c, cust, CRM_STAGE_QUALIFIED, t, event_id, cause);
  if(!all && cust->stage == CRM_STAGE_QUALIFIED)
    return crm__stage_set(c, cust, CRM_STAGE_PROSPECT, t, event_id, cause);
  return CRM_OK;
}

static const char crm__sql_clock[] =
  "SELECT lc_evaluated_at FROM customers WHERE id = ?1";

/* The customer's lifecycle clock (0 before any event or review). */
static int crm__lifecycle_clock(crm *c, int64_t id, int64_t *clock)
{
  sqlite3_stmt *st;
  int rc;

  st = crm__stmt(c, crm__sql_clock);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, id);
  rc = sqlite3_step(st);
  *clock = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_reset(st);
  if(rc != SQLITE_ROW)
    return crm__sqlerr(c, rc, "reading lifecycle clock");
  return CRM_OK;
}

int crm__lifecycle_before_event(crm *c, crm_customer *cust, int64_t t,
                                int64_t *te)
{
  int64_t clock = 0;
  int rc;

  rc = crm__lifecycle_clock(c, cust->id, &clock);
  if(rc)
    return rc;
  *te = t > clock ? t : clock;
  if(t < clock)
    return CRM_OK; /* late: the rules were applied up to the clock */
  return crm__apply_due(c, cust, t, 1);
}

int crm__lifecycle_on_event(crm *c, crm_customer *cust, int64_t event_id,
                            const char *type, int64_t t, int64_t te,
                            int prev_stage)
{
  int rc = CRM_OK;

  if(strcmp(type, "purchase") == 0 && t < te)
    rc = crm__on_late_purchase(c, cust, event_id, t, te);
  else if(strcmp(type, "purchase") == 0)
    rc = crm__on_purchase(c, cust, event_id, t, prev_stage);
  else if(strcmp(type, "contact") == 0)
    rc = crm__on_contact(c, cust, event_id, te);
  else if(strcmp(type, "qualify") == 0)
    rc = crm__on_qualify(c, cust, event_id, te);
  if(!rc)
    rc = crm__set_review(c, cust, te);
  return rc;
}

static const char crm__sql_due[] =
  "SELECT id FROM customers WHERE next_review_at <= ?1"
  " ORDER BY next_review_at, id LIMIT 512";

static int crm__due_ids(crm *c, int64_t as_of, int64_t *ids, size_t *n)
{
  sqlite3_stmt *st;
  int rc;

  *n = 0;
  st = crm__stmt(c, crm__sql_due);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, as_of);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    ids[(*n)++] = sqlite3_column_int64(st, 0);
  }
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "finding customers due for review");
  return CRM_OK;
}

static int crm__advance_one(crm *c, int64_t id, int64_t as_of, size_t *n)
{
  crm_customer cust;
  int before;
  int rc;

  rc = crm_customer_get(c, id, &cust);
  if(rc)
    return rc;
  before = cust.stage;
  rc = crm__apply_due(c, &cust, as_of, 0);
  if(!rc)
    rc = crm__set_review(c, &cust, as_of);
  if(!rc && cust.stage != before)
    (*n)++;
  return rc;
}

int crm_lifecycle_advance(crm *c, int64_t as_of, size_t *n_changed)
{
  int64_t ids[512];
  size_t n = 0, changed = 0, i;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(as_of <= 0)
    as_of = crm_now(c);
  do {
    rc = crm__tx_begin(c);
    if(rc)
      return rc;
    rc = crm__lifecycle_sync(c);
    if(!rc)
      rc = crm__due_ids(c, as_of, ids, &n);
    for(i = 0; i < n && !rc; i++)
      rc = crm__advance_one(c, ids[i], as_of, &changed);
    if(!rc)
      rc = crm__tx_commit(c);
    if(rc) {
      crm__tx_rollback(c);
      return rc;
    }
  } while(n == 512);
  if(n_changed)
    *n_changed = changed;
  return CRM_OK;
}

static const char crm__sql_transitions[] =
  "SELECT id, from_stage, to_stage, at, coalesce(cause_event_id, 0), cause"
  " FROM lifecycle_transitions WHERE customer_id = ?1 ORDER BY id";

int crm_transitions_foreach(crm *c, int64_t customer_id,
                            int (*cb)(void *, const crm_transition *),
                            void *ud)
{
  crm_transition t;
  sqlite3_stmt *st;
  int rc;
  int stop = 0;

  if(!c || !cb)
    return CRM_EINVAL;
  st = crm__stmt_fresh(c, crm__sql_transitions);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    t.id = sqlite3_column_int64(st, 0);
    t.customer_id = customer_id;
    t.from_stage = sqlite3_column_int(st, 1);
    t.to_stage = sqlite3_column_int(st, 2);
    t.at = sqlite3_column_int64(st, 3);
    t.cause_event_id = sqlite3_column_int64(st, 4);
    t.cause = (const char *)sqlite3_column_text(st, 5);
    stop = cb(ud, &t);
    if(stop)
      break;
  }
  crm__stmt_done(c, st);
  if(!stop && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading lifecycle transitions");
  return stop;
}
