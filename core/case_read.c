/*
 * case_read.c - reading cases: by number (crm_case_find), one case
 * (crm_case_get, its strings kept in c->case_buf until the next call),
 * lists (crm_cases_foreach, crm_cases_query) and a case's history and
 * messages.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "case_int.h"

/* The strings crm_case_get hands out (one allocation, freed at close). */
struct crm__case_buf {
  crm__case_row r;
  char team_tz[64];
  char survey_comment[2001]; /* crm_case_survey.comment (case_survey.c) */
};

/* c->case_buf, allocated on first use; NULL with CRM_ENOMEM set. */
static struct crm__case_buf *crm__case_buf_of(crm *c)
{
  if(!c->case_buf) {
    c->case_buf = crm__calloc(1, sizeof(*c->case_buf));
    if(!c->case_buf)
      crm__err(c, CRM_ENOMEM, "out of memory reading a case");
  }
  return c->case_buf;
}

char *crm__case_survey_buf(crm *c, size_t *size)
{
  struct crm__case_buf *b = crm__case_buf_of(c);

  *size = b ? sizeof(b->survey_comment) : 0;
  return b ? b->survey_comment : NULL;
}

static const char crm__sql_case_exists[] =
  "SELECT 1 FROM cases WHERE id = ?1";
/* The filters after the first condition; a customer's or an owner's list
 * names its column plainly so that cases_customer / cases_owner is used
 * (an "?1 = 0 OR col = ?1" condition scans the whole table). */
#define CRM__CASES_FILTERS                                                  \
  " AND (?2 IS NULL OR state = ?2 COLLATE NOCASE)"                          \
  " AND (?3 = 0 OR closed_at IS NULL)"                                      \
  " AND (?4 IS NULL OR owner = ?4)"                                         \
  " AND (?5 IS NULL OR category = ?5)"                                      \
  " AND (?6 = 0 OR EXISTS (SELECT 1 FROM case_sla s"                        \
  "  WHERE s.case_id = cases.id AND s.breached_at IS NOT NULL))"            \
  " ORDER BY id"
static const char crm__sql_cases_query[] =
  "SELECT " CRM__CASE_COLS " FROM cases WHERE ?1 = 0" CRM__CASES_FILTERS;
static const char crm__sql_cases_by_customer[] =
  "SELECT " CRM__CASE_COLS " FROM cases WHERE customer_id = ?1"
  CRM__CASES_FILTERS;
static const char crm__sql_cases_by_owner[] =
  "SELECT " CRM__CASE_COLS " FROM cases WHERE ?1 = 0 AND owner = ?4"
  CRM__CASES_FILTERS;
static const char crm__sql_case_hist[] =
  "SELECT id, case_id, action, from_state, to_state, actor, note, detail,"
  " at FROM case_history WHERE case_id = ?1 ORDER BY id";
static const char crm__sql_case_msgs[] =
  "SELECT id, case_id, kind, author, body, coalesce(message_id, 0), at"
  " FROM case_messages WHERE case_id = ?1 ORDER BY id";

/* ---- one case ---------------------------------------------------------- */

static int crm__case_exists(crm *c, int64_t id, const char *ref)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_case_exists);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, id);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc == SQLITE_ROW)
    return CRM_OK;
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading case");
  if(ref)
    return crm__err(c, CRM_ENOTFOUND, "unknown case \"%.40s\"", ref);
  return crm__err(c, CRM_ENOTFOUND, "unknown case #%lld", (long long)id);
}

int crm_case_find(crm *c, const char *ref, int64_t *case_id)
{
  const char *p = ref;
  char *end = NULL;
  long long v;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(!ref || !*ref)
    return crm__err(c, CRM_EINVAL, "case number is required");
  if(*p == '#')
    p++;
  else if((p[0] == 'C' || p[0] == 'c') && p[1] == '-')
    p += 2;
  if(!isdigit((unsigned char)*p))
    return crm__err(c, CRM_ENOTFOUND, "unknown case \"%.40s\" (a number "
                    "such as C-000042, 42 or #42)", ref);
  errno = 0;
  v = strtoll(p, &end, 10);
  if(errno || *end || v <= 0)
    return crm__err(c, CRM_ENOTFOUND, "unknown case \"%.40s\" (a number "
                    "such as C-000042, 42 or #42)", ref);
  rc = crm__case_exists(c, (int64_t)v, ref);
  if(!rc && case_id)
    *case_id = (int64_t)v;
  return rc;
}

/* Fills a public case from r (strings borrowed from r). */
static void crm__case_public(const crm__case_row *r, crm_case *k)
{
  memset(k, 0, sizeof(*k));
  k->id = r->id;
  k->customer_id = r->customer_id;
  k->handler = r->handler;
  k->state = r->state;
  k->category = r->category;
  k->summary = r->summary;
  k->priority = r->priority;
  k->opened_at = r->opened_at;
  k->updated_at = r->updated_at;
  k->number = r->number;
  k->origin = r->origin;
  k->owner = r->owner;
  k->team = r->team;
  k->link_kind = r->link_kind;
  k->link_ref = r->link_ref;
  k->parent_id = r->parent_id;
  k->merged_into = r->merged_into;
  k->reopen_count = r->reopen_count;
  k->resolutions = r->resolutions;
  k->first_response_at = r->first_response_at;
  k->resolved_at = r->resolved_at;
  k->closed_at = r->closed_at;
  k->triage_reason = r->triage_reason;
}

/* k->team_timezone: the zone of the case's team in the configuration
 * (copied into buf), "" when the team is not configured or has none. */
static void crm__case_team_tz(crm *c, crm_case *k, char *buf, size_t size)
{
  const crm__team *t = NULL;
  size_t n = 0;

  if(k->team && *k->team)
    t = crm__cases_team(crm__cases(c), k->team);
  if(t)
    n = strnlen(t->timezone, sizeof(t->timezone));
  if(n >= size)
    n = size - 1;
  if(n)
    memcpy(buf, t->timezone, n);
  buf[n] = '\0';
  k->team_timezone = buf;
}

int crm_case_get(crm *c, int64_t case_id, crm_case *out)
{
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(!out)
    return crm__err(c, CRM_EINVAL, "no output given");
  if(!crm__case_buf_of(c))
    return c->errcode;
  rc = crm__case_load(c, case_id, &c->case_buf->r);
  if(rc)
    return rc;
  crm__case_public(&c->case_buf->r, out);
  crm__case_team_tz(c, out, c->case_buf->team_tz,
                    sizeof(c->case_buf->team_tz));
  return CRM_OK;
}

/* ---- lists ------------------------------------------------------------- */

static void crm__bind_filter(sqlite3_stmt *st, int i, const char *s)
{
  if(s)
    sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

int crm_cases_query(crm *c, const crm_case_filter_q *f,
                    int (*cb)(void *ud, const crm_case *), void *ud)
{
  crm_case_filter_q none;
  crm__case_row *r;
  sqlite3_stmt *st;
  crm_case k;
  char tz[64];
  int is_open;
  int rc, stop = 0;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(!cb)
    return crm__err(c, CRM_EINVAL, "no callback given");
  if(!f) {
    memset(&none, 0, sizeof(none));
    f = &none;
  }
  is_open = f->state && !strcasecmp(f->state, "open");
  r = crm__malloc(sizeof(*r));
  if(!r)
    return crm__err(c, CRM_ENOMEM, "out of memory reading cases");
  st = crm__stmt_fresh(c, f->customer_id > 0 ? crm__sql_cases_by_customer
                          : f->owner ? crm__sql_cases_by_owner
                          : crm__sql_cases_query);
  if(!st) {
    crm__free(r);
    return c->errcode;
  }
  sqlite3_bind_int64(st, 1, f->customer_id > 0 ? f->customer_id : 0);
  crm__bind_filter(st, 2, is_open ? NULL : f->state);
  sqlite3_bind_int(st, 3, is_open);
  crm__bind_filter(st, 4, f->owner);
  crm__bind_filter(st, 5, f->category);
  sqlite3_bind_int(st, 6, f->breached != 0);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    crm__case_row_read(st, r);
    crm__case_public(r, &k);
    crm__case_team_tz(c, &k, tz, sizeof(tz));
    stop = cb(ud, &k);
    if(stop)
      break;
  }
  crm__stmt_done(c, st);
  crm__free(r);
  if(stop)
    return stop;
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading cases");
  return CRM_OK;
}

int crm_cases_foreach(crm *c, int64_t customer_id,
                      int (*cb)(void *ud, const crm_case *), void *ud)
{
  crm_case_filter_q f;

  memset(&f, 0, sizeof(f));
  f.customer_id = customer_id;
  return crm_cases_query(c, &f, cb, ud);
}

/* ---- history and messages ---------------------------------------------- */

static const char *crm__text_or_null(sqlite3_stmt *st, int i)
{
  return (const char *)sqlite3_column_text(st, i);
}

int crm_case_history_foreach(crm *c, int64_t case_id,
                             int (*cb)(void *ud, const crm_case_event *),
                             void *ud)
{
  crm_case_event e;
  sqlite3_stmt *st;
  int rc, stop = 0;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(!cb)
    return crm__err(c, CRM_EINVAL, "no callback given");
  rc = crm__case_exists(c, case_id, NULL);
  if(rc)
    return rc;
  st = crm__stmt_fresh(c, crm__sql_case_hist);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, case_id);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    memset(&e, 0, sizeof(e));
    e.id = sqlite3_column_int64(st, 0);
    e.case_id = sqlite3_column_int64(st, 1);
    e.action = crm__text_or_null(st, 2);
    e.from_state = crm__text_or_null(st, 3);
    e.to_state = crm__text_or_null(st, 4);
    e.actor = crm__text_or_null(st, 5);
    e.why = crm__text_or_null(st, 6);
    e.detail = crm__text_or_null(st, 7);
    e.at = sqlite3_column_int64(st, 8);
    stop = cb(ud, &e);
    if(stop)
      break;
  }
  crm__stmt_done(c, st);
  if(stop)
    return stop;
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading case history");
  return CRM_OK;
}

int crm_case_messages_foreach(crm *c, int64_t case_id,
                              int (*cb)(void *ud, const crm_case_msg *),
                              void *ud)
{
  crm_case_msg m;
  sqlite3_stmt *st;
  int rc, stop = 0;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(!cb)
    return crm__err(c, CRM_EINVAL, "no callback given");
  rc = crm__case_exists(c, case_id, NULL);
  if(rc)
    return rc;
  st = crm__stmt_fresh(c, crm__sql_case_msgs);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, case_id);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    memset(&m, 0, sizeof(m));
    m.id = sqlite3_column_int64(st, 0);
    m.case_id = sqlite3_column_int64(st, 1);
    m.kind = sqlite3_column_int(st, 2);
    m.author = crm__text_or_null(st, 3);
    m.body = crm__text_or_null(st, 4);
    m.message_id = sqlite3_column_int64(st, 5);
    m.at = sqlite3_column_int64(st, 6);
    stop = cb(ud, &m);
    if(stop)
      break;
  }
  crm__stmt_done(c, st);
  if(stop)
    return stop;
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading case messages");
  return CRM_OK;
}
