/*
 * trigger_due.c - the schedule triggers (birthday, member day, points
 * expiring) as a due-time schedule: table trigger_due holds one row per
 * (trigger, customer, ref) with the UTC instant it falls due, found
 * through the index trigger_due_at. Nothing ever walks the customers to
 * find what is due.
 *
 *   birthday         ref "": the next `at` (local) on the customer's
 *                    birthday in their zone; Feb 29 is Feb 28 in common
 *                    years. After firing: the next year's.
 *   member_day       ref "": the next weekday / day_of_month at `at`.
 *   points_expiring  ref "YYYY-MM-DD": the last local day the points can
 *                    be used (the local date of expires_at - 1 s), due
 *                    days_before days earlier at `at`; every lot of that
 *                    date shares the row. Fired once, then deleted; at
 *                    firing the points still unspent and unexpired of
 *                    that date are counted, and none means no message.
 *
 * Rows are kept current where their inputs change: a customer created or
 * their birthday / time zone changed (crm__trigger_on_customer), a lot
 * with an expiry written (crm__trigger_on_expiry).
 *
 * Seeding: a schedule trigger whose definition (kind and schedule
 * parameters) is not recorded in trigger_seed - a new trigger or a
 * changed one - gets its rows built once, by crm_triggers_run: all
 * customers with a birthday, all customers (member day), or every open
 * lot with an expiry. This is the only pass over customers, once per
 * definition. A trigger removed from the config (or disabled) loses its
 * rows and its seed record at the next run.
 */
#include <stdio.h>
#include <string.h>

#include "trigger_int.h"

#define CRM__DAY INT64_C(86400)
#define CRM__LOT_PAGE 32 /* the LIMIT of crm__sql_due_cust_lots */
#define CRM__PRUNE_PAGE 16

static const char crm__sql_due_put[] =
  "INSERT INTO trigger_due(trigger, customer_id, ref, due_at)"
  " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(trigger, customer_id, ref)"
  " DO UPDATE SET due_at = excluded.due_at";
static const char crm__sql_due_del[] =
  "DELETE FROM trigger_due WHERE trigger = ?1 AND customer_id = ?2"
  " AND ref = ?3";
static const char crm__sql_due_del_cust[] =
  "DELETE FROM trigger_due WHERE trigger = ?1 AND customer_id = ?2";
static const char crm__sql_due_del_trigger[] =
  "DELETE FROM trigger_due WHERE trigger = ?1";
static const char crm__sql_due_next[] =
  "SELECT trigger, customer_id, ref, due_at FROM trigger_due"
  " WHERE due_at <= ?1 ORDER BY due_at, trigger, customer_id, ref LIMIT 1";
static const char crm__sql_due_cust_lots[] =
  "SELECT DISTINCT expires_at FROM points_lots WHERE customer_id = ?1"
  " AND state IN ('available', 'pending') AND expires_at > ?2"
  " ORDER BY expires_at LIMIT 32";
static const char crm__sql_due_expiring[] =
  "SELECT coalesce(sum(remaining), 0) FROM points_lots"
  " WHERE customer_id = ?1 AND state = 'available'"
  " AND expires_at > ?2 AND expires_at <= ?3";
static const char crm__sql_seed_get[] =
  "SELECT definition FROM trigger_seed WHERE trigger = ?1";
static const char crm__sql_seed_put[] =
  "INSERT INTO trigger_seed(trigger, definition, seeded_at) VALUES(?1, ?2, ?3)"
  " ON CONFLICT(trigger) DO UPDATE SET definition = excluded.definition,"
  " seeded_at = excluded.seeded_at";
static const char crm__sql_seed_all[] =
  "SELECT trigger FROM trigger_seed ORDER BY trigger";
static const char crm__sql_seed_del[] =
  "DELETE FROM trigger_seed WHERE trigger = ?1";
static const char crm__sql_seed_bday[] =
  "SELECT id FROM customers WHERE coalesce(birthday, '') <> '' ORDER BY id";
static const char crm__sql_seed_cust[] =
  "SELECT id FROM customers ORDER BY id";
static const char crm__sql_seed_lots[] =
  "SELECT DISTINCT customer_id, expires_at FROM points_lots"
  " WHERE state IN ('available', 'pending') AND expires_at > ?1"
  " ORDER BY customer_id, expires_at";

/* ---- dates ---------------------------------------------------------------- */

static int crm__leap(int64_t y)
{
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The customer's zone (UTC when unknown); valid until the next tz call. */
static int crm__zone(crm *c, const char *name, const crm__tz **z)
{
  if(!crm__tz_get(c, name, z) && *z)
    return CRM_OK;
  crm__clear_err(c);
  if(crm__tz_get(c, "UTC", z) || !*z)
    return crm__err(c, CRM_ESTATE, "no UTC time zone");
  return CRM_OK;
}

/* Local day number (days since 1970-01-01) of instant utc. */
static int64_t crm__local_day(const crm__tz *z, int64_t utc)
{
  crm__localtm lt;

  crm__tz_local(z, utc, &lt);
  return crm__civil_to_days(lt.year, lt.month, lt.day);
}

static int64_t crm__at_local(const crm__tz *z, int64_t day, int minute)
{
  return crm__tz_to_utc(z, day * CRM__DAY + (int64_t)minute * 60);
}

static void crm__day_text(int64_t day, char *buf, size_t size)
{
  int64_t y;
  int m, d;

  crm__days_to_civil(day, &y, &m, &d);
  snprintf(buf, size, "%04lld-%02d-%02d", (long long)y, m, d);
}

/* "YYYY-MM-DD" (checked at input) -> y, m, d; 0 when not a date. */
static int crm__ymd(const char *s, int64_t *y, int *m, int *d)
{
  int i;

  if(!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
    return 0;
  for(i = 0; i < 10; i++) {
    if(i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
      return 0;
  }
  *y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
       (s[3] - '0');
  *m = (s[5] - '0') * 10 + (s[6] - '0');
  *d = (s[8] - '0') * 10 + (s[9] - '0');
  return *m >= 1 && *m <= 12 && *d >= 1 && *d <= 31;
}

/* The first birthday at `at` strictly after `after`; 0 none. *year: the
 * year of that birthday. */
static int64_t crm__next_birthday(const crm__tz *z, const char *birthday,
                                  int at_minute, int64_t after, int64_t *year)
{
  crm__localtm lt;
  int64_t by, y, due;
  int bm, bd, d;

  if(!crm__ymd(birthday, &by, &bm, &bd))
    return 0;
  crm__tz_local(z, after, &lt);
  for(y = lt.year; y <= lt.year + 2; y++) {
    d = bm == 2 && bd == 29 && !crm__leap(y) ? 28 : bd;
    due = crm__at_local(z, crm__civil_to_days(y, bm, d), at_minute);
    if(due > after) {
      if(year)
        *year = y;
      return due;
    }
  }
  return 0;
}

/* The first member day at `at` strictly after `after`; 0 none. */
static int64_t crm__next_member_day(const crm__tz *z, const crm__trigger *t,
                                    int64_t after)
{
  int64_t d0 = crm__local_day(z, after);
  int64_t day, y, due;
  int i, m, d, wd;

  for(i = 0; i <= 62; i++) {
    day = d0 + i;
    crm__days_to_civil(day, &y, &m, &d);
    wd = (int)(((day + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
    if(t->weekday >= 0 ? wd != t->weekday : d != t->day_of_month)
      continue;
    due = crm__at_local(z, day, t->at_minute);
    if(due > after)
      return due;
  }
  return 0;
}

/* ---- rows ------------------------------------------------------------------ */

static int crm__due_put(crm *c, const char *trigger, int64_t customer_id,
                        const char *ref, int64_t due_at)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_due_put);

  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, trigger, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, customer_id);
  sqlite3_bind_text(st, 3, ref, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, due_at);
  return crm__step_end(c, st, "scheduling a trigger");
}

static int crm__due_del(crm *c, const char *sql, const char *trigger,
                        int64_t customer_id, const char *ref)
{
  sqlite3_stmt *st = crm__stmt(c, sql);

  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, trigger, -1, SQLITE_STATIC);
  if(customer_id)
    sqlite3_bind_int64(st, 2, customer_id);
  if(ref)
    sqlite3_bind_text(st, 3, ref, -1, SQLITE_STATIC);
  return crm__step_end(c, st, "unscheduling a trigger");
}

/* The birthday / member-day row of trigger t for the customer: the
 * first occurrence on or after the customer's local day of after + 1 s.
 * A customer created (or a trigger seeded) on the day itself, after
 * `at`, is still written to that day: the row is due at once (the dedupe
 * key, made of the local date, keeps it to one message a day). */
static int crm__due_customer(crm *c, const crm__trigger *t,
                             const crm_customer *cu, int64_t after)
{
  const crm__tz *z;
  int64_t due = 0;
  int rc = crm__zone(c, cu->timezone, &z);

  if(rc)
    return rc;
  after = crm__at_local(z, crm__local_day(z, after + 1), 0) - 1;
  if(t->kind == CRM__TRG_BIRTHDAY)
    due = crm__next_birthday(z, cu->birthday, t->at_minute, after, NULL);
  else
    due = crm__next_member_day(z, t, after);
  if(!due)
    return crm__due_del(c, crm__sql_due_del, t->name, cu->id, "");
  return crm__due_put(c, t->name, cu->id, "", due);
}

/* The points-expiring row of trigger t for a lot expiring at e. */
static int crm__due_expiry(crm *c, const crm__trigger *t,
                           const crm_customer *cu, int64_t e)
{
  const crm__tz *z;
  char ref[16];
  int64_t day;
  int rc = crm__zone(c, cu->timezone, &z);

  if(rc)
    return rc;
  day = crm__local_day(z, e - 1);
  crm__day_text(day, ref, sizeof(ref));
  return crm__due_put(c, t->name, cu->id, ref,
                      crm__at_local(z, day - t->days_before, t->at_minute));
}

/* Every open lot of the customer with an expiry still ahead, by pages
 * of distinct expiry instants. */
static int crm__due_customer_lots(crm *c, const crm__trigger *t,
                                  const crm_customer *cu)
{
  int64_t e[CRM__LOT_PAGE];
  int64_t last = crm_now(c);
  sqlite3_stmt *st;
  size_t n, i;
  int rc;

  rc = crm__due_del(c, crm__sql_due_del_cust, t->name, cu->id, NULL);
  do {
    if(rc)
      return rc;
    st = crm__stmt(c, crm__sql_due_cust_lots);
    if(!st)
      return c->errcode;
    sqlite3_bind_int64(st, 1, cu->id);
    sqlite3_bind_int64(st, 2, last);
    n = 0;
    for(;;) {
      rc = sqlite3_step(st);
      if(rc != SQLITE_ROW || n == CRM__LOT_PAGE)
        break;
      e[n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    if(rc != SQLITE_DONE && rc != SQLITE_ROW)
      return crm__sqlerr(c, rc, "reading a customer's points lots");
    rc = CRM_OK;
    for(i = 0; i < n && !rc; i++)
      rc = crm__due_expiry(c, t, cu, e[i]);
    if(n)
      last = e[n - 1];
  } while(n == CRM__LOT_PAGE);
  return rc;
}

int crm__trigger_on_customer(crm *c, int64_t customer_id)
{
  const crm__comm_cfg *cc = crm__comm(c);
  crm_customer cu;
  size_t i;
  int got = 0;
  int rc = CRM_OK;

  for(i = 0; i < cc->n_triggers && !rc; i++) {
    const crm__trigger *t = &cc->triggers[i];

    if(!crm__trigger_is_schedule(t->kind))
      continue;
    if(!got) {
      rc = crm_customer_get(c, customer_id, &cu);
      got = 1;
      if(rc)
        break;
    }
    if(t->kind == CRM__TRG_POINTS_EXPIRING)
      rc = crm__due_customer_lots(c, t, &cu);
    else
      rc = crm__due_customer(c, t, &cu, crm_now(c) - 1);
  }
  return rc;
}

int crm__trigger_on_expiry(crm *c, int64_t customer_id, const char *scheme,
                           int64_t expires_at)
{
  const crm__comm_cfg *cc = crm__comm(c);
  crm_customer cu;
  size_t i;
  int got = 0;
  int rc = CRM_OK;

  (void)scheme; /* every scheme's lots of one date share a reminder */
  if(expires_at <= crm_now(c))
    return CRM_OK;
  for(i = 0; i < cc->n_triggers && !rc; i++) {
    const crm__trigger *t = &cc->triggers[i];

    if(t->kind != CRM__TRG_POINTS_EXPIRING)
      continue;
    if(!got) {
      rc = crm_customer_get(c, customer_id, &cu);
      got = 1;
      if(rc)
        break;
    }
    rc = crm__due_expiry(c, t, &cu, expires_at);
  }
  return rc;
}

/* ---- seeding ----------------------------------------------------------------- */

/* Builds every row of trigger t (its old ones dropped) in the caller's
 * transaction: the one pass over customers or lots per definition. */
static int crm__seed_build(crm *c, const crm__trigger *t, int64_t now)
{
  const char *sql = t->kind == CRM__TRG_BIRTHDAY ? crm__sql_seed_bday
                    : t->kind == CRM__TRG_MEMBER_DAY ? crm__sql_seed_cust
                                                     : crm__sql_seed_lots;
  crm_customer cu;
  sqlite3_stmt *st;
  int64_t id, last = 0;
  int rc;

  rc = crm__due_del(c, crm__sql_due_del_trigger, t->name, 0, NULL);
  if(rc)
    return rc;
  st = crm__stmt_fresh(c, sql);
  if(!st)
    return c->errcode;
  if(t->kind == CRM__TRG_POINTS_EXPIRING)
    sqlite3_bind_int64(st, 1, now);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    id = sqlite3_column_int64(st, 0);
    if(id != last && crm_customer_get(c, id, &cu)) {
      rc = SQLITE_ABORT;
      break;
    }
    last = id;
    if(t->kind == CRM__TRG_POINTS_EXPIRING)
      rc = crm__due_expiry(c, t, &cu, sqlite3_column_int64(st, 1));
    else
      rc = crm__due_customer(c, t, &cu, now - 1);
    if(rc) {
      rc = SQLITE_ABORT;
      break;
    }
  }
  crm__stmt_done(c, st);
  if(rc == SQLITE_ABORT)
    return c->errcode ? c->errcode : CRM_ESTORE;
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "seeding a trigger's schedule");
  return CRM_OK;
}

/* 1 when t's definition is the one its rows were built for. */
static int crm__seed_current(crm *c, const crm__trigger *t, int *current)
{
  char def[256] = "";
  sqlite3_stmt *st = crm__stmt(c, crm__sql_seed_get);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW)
    crm__col_text(st, 0, def, sizeof(def));
  sqlite3_reset(st);
  if(rc != SQLITE_ROW && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading trigger seeds");
  *current = rc == SQLITE_ROW && !strcmp(def, t->definition);
  return CRM_OK;
}

static int crm__seed_one(crm *c, const crm__trigger *t, int64_t now)
{
  sqlite3_stmt *st;
  int current = 0;
  int rc = crm__seed_current(c, t, &current);

  if(rc || current)
    return rc;
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  rc = crm__seed_build(c, t, now);
  st = rc ? NULL : crm__stmt(c, crm__sql_seed_put);
  if(!rc && !st)
    rc = c->errcode;
  if(!rc) {
    sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, t->definition, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    rc = crm__step_end(c, st, "recording a trigger seed");
  }
  if(!rc)
    rc = crm__tx_commit(c);
  if(rc) {
    crm__tx_rollback(c);
    return rc;
  }
  crm__log(c, CRM_LOG_INFO, "trigger", "trigger \"%s\": schedule built "
           "(%s)", t->name, t->definition);
  return CRM_OK;
}

static const crm__trigger *crm__schedule_trigger(const crm__comm_cfg *cc,
                                                 const char *name)
{
  size_t i;

  for(i = 0; i < cc->n_triggers; i++) {
    if(crm__trigger_is_schedule(cc->triggers[i].kind) &&
       !strcmp(cc->triggers[i].name, name))
      return &cc->triggers[i];
  }
  return NULL;
}

/* Seeds recorded for triggers no longer configured: rows and record go
 * (a page at a time). */
static int crm__seed_prune(crm *c)
{
  const crm__comm_cfg *cc = crm__comm(c);
  char gone[CRM__PRUNE_PAGE][CRM__COMM_NAME_MAX + 1];
  char name[CRM__COMM_NAME_MAX + 1];
  sqlite3_stmt *st;
  size_t n, i;
  int rc;

  do {
    st = crm__stmt(c, crm__sql_seed_all);
    if(!st)
      return c->errcode;
    n = 0;
    for(;;) {
      rc = sqlite3_step(st);
      if(rc != SQLITE_ROW || n == CRM__PRUNE_PAGE)
        break;
      crm__col_text(st, 0, name, sizeof(name));
      if(!crm__schedule_trigger(cc, name))
        memcpy(gone[n++], name, sizeof(name));
    }
    sqlite3_reset(st);
    if(rc != SQLITE_ROW && rc != SQLITE_DONE)
      return crm__sqlerr(c, rc, "reading trigger seeds");
    if(!n)
      return CRM_OK;
    rc = crm__tx_begin(c);
    for(i = 0; i < n && !rc; i++) {
      rc = crm__due_del(c, crm__sql_due_del_trigger, gone[i], 0, NULL);
      if(!rc)
        rc = crm__due_del(c, crm__sql_seed_del, gone[i], 0, NULL);
    }
    if(!rc)
      rc = crm__tx_commit(c);
    if(rc) {
      crm__tx_rollback(c);
      return rc;
    }
  } while(n == CRM__PRUNE_PAGE);
  return CRM_OK;
}

/* ---- running due rows --------------------------------------------------------- */

typedef struct crm__due_row {
  char trigger[CRM__COMM_NAME_MAX + 1];
  int64_t customer_id;
  char ref[16];
  int64_t due_at;
} crm__due_row;

/* The earliest row due by now; 0 when none (1 found). */
static int crm__due_take(crm *c, int64_t now, crm__due_row *r)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_due_next);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, now);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW) {
    crm__col_text(st, 0, r->trigger, sizeof(r->trigger));
    r->customer_id = sqlite3_column_int64(st, 1);
    crm__col_text(st, 2, r->ref, sizeof(r->ref));
    r->due_at = sqlite3_column_int64(st, 3);
  }
  sqlite3_reset(st);
  if(rc == SQLITE_DONE)
    return 0;
  if(rc != SQLITE_ROW)
    return crm__sqlerr(c, rc, "reading due triggers");
  return 1;
}

/* points_expiring: the points of the row's date still to expire. */
static int crm__due_points(crm *c, const crm_customer *cu, const char *ref,
                           int64_t now, int64_t *points)
{
  const crm__tz *z;
  sqlite3_stmt *st;
  int64_t y, day, start;
  int m, d;
  int rc = crm__zone(c, cu->timezone, &z);

  *points = 0;
  if(rc || !crm__ymd(ref, &y, &m, &d))
    return rc;
  day = crm__civil_to_days(y, m, d);
  start = crm__at_local(z, day, 0);
  st = crm__stmt(c, crm__sql_due_expiring);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, cu->id);
  sqlite3_bind_int64(st, 2, start > now ? start : now);
  sqlite3_bind_int64(st, 3, crm__at_local(z, day + 1, 0));
  return crm__step_row(c, st, points, 1, "counting expiring points");
}

/* Fires one row and reschedules or deletes it (caller's transaction). */
static int crm__due_fire(crm *c, const crm__trigger *t, const crm__due_row *r,
                         int64_t now, int *out)
{
  crm_customer cu;
  const crm__tz *z;
  const char *pairs[5] = {NULL, NULL, NULL, NULL, NULL};
  char key[CRM__COMM_KEY_MAX + 1];
  char date[16], num[24];
  int64_t year = 0, points = 0, next = 0, by;
  int bm, bd;
  int rc = crm_customer_get(c, r->customer_id, &cu);

  if(!rc)
    rc = crm__zone(c, cu.timezone, &z);
  if(rc)
    return rc;
  crm__day_text(crm__local_day(z, r->due_at), date, sizeof(date));
  snprintf(key, sizeof(key), "t:%s:%lld:%s", t->name,
           (long long)r->customer_id,
           t->kind == CRM__TRG_POINTS_EXPIRING ? r->ref : date);
  if(t->kind == CRM__TRG_BIRTHDAY) {
    if(!crm__ymd(cu.birthday, &by, &bm, &bd) ||
       !crm__ymd(date, &year, &bm, &bd))
      return crm__due_del(c, crm__sql_due_del, t->name, r->customer_id,
                          r->ref);
    snprintf(num, sizeof(num), "%lld", (long long)(year - by));
    pairs[0] = "age";
    pairs[1] = num;
    next = crm__next_birthday(z, cu.birthday, t->at_minute,
                              r->due_at > now ? r->due_at : now, NULL);
  }
  else if(t->kind == CRM__TRG_MEMBER_DAY) {
    pairs[0] = "member_day_date";
    pairs[1] = date;
    next = crm__next_member_day(z, t, r->due_at > now ? r->due_at : now);
  }
  else {
    rc = crm__due_points(c, &cu, r->ref, now, &points);
    if(rc)
      return rc;
    snprintf(num, sizeof(num), "%lld", (long long)points);
    pairs[0] = "expiring_points";
    pairs[1] = num;
    pairs[2] = "expiry_date";
    pairs[3] = r->ref;
  }
  *out = 0;
  if(t->kind != CRM__TRG_POINTS_EXPIRING || points > 0)
    rc = crm__trigger_fire(c, t, r->customer_id, r->due_at, now, key, pairs,
                           NULL, out);
  if(rc)
    return rc;
  if(next)
    return crm__due_put(c, t->name, r->customer_id, r->ref, next);
  return crm__due_del(c, crm__sql_due_del, t->name, r->customer_id, r->ref);
}

/* Fires the earliest row due by now, read again inside the transaction:
 * the look outside it (crm_triggers_run) only says whether one is due, so
 * a row another process fired or moved (a customer's new zone) in between
 * is never fired from a stale copy. */
static int crm__due_one(crm *c, int64_t now, int64_t *fired)
{
  const crm__trigger *t;
  crm__due_row r;
  int out = 0;
  int rc = crm__tx_begin(c);

  if(rc)
    return rc;
  memset(&r, 0, sizeof(r));
  rc = crm__due_take(c, now, &r);
  if(rc == 1) {
    t = crm__schedule_trigger(crm__comm(c), r.trigger);
    if(t)
      rc = crm__due_fire(c, t, &r, now, &out);
    else /* the trigger is gone: its row too */
      rc = crm__due_del(c, crm__sql_due_del, r.trigger, r.customer_id,
                        r.ref);
  }
  if(!rc)
    rc = crm__tx_commit(c);
  if(rc) {
    crm__tx_rollback(c);
    return rc;
  }
  if(out == 1)
    (*fired)++;
  return CRM_OK;
}

int crm_triggers_run(crm *c, int64_t now, int64_t *fired)
{
  const crm__comm_cfg *cc;
  crm__due_row r;
  int64_t n = 0;
  size_t i;
  int rc;

  if(fired)
    *fired = 0;
  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(c->readonly)
    return crm__err(c, CRM_ESTATE, "the store is open read-only");
  if(now <= 0)
    now = crm_now(c);
  cc = crm__comm(c);
  rc = crm__seed_prune(c);
  for(i = 0; i < cc->n_triggers && !rc; i++) {
    if(crm__trigger_is_schedule(cc->triggers[i].kind))
      rc = crm__seed_one(c, &cc->triggers[i], now);
  }
  while(!rc) {
    memset(&r, 0, sizeof(r));
    rc = crm__due_take(c, now, &r); /* without a lock: anything due? */
    if(rc <= 0)
      break;
    rc = crm__due_one(c, now, &n);
  }
  if(fired)
    *fired = n;
  return rc;
}
