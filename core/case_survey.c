/*
 * case_survey.c - the satisfaction survey after a case closes, and its
 * answer.
 *
 * Request: on entering Closed (or a 1.0-1.4 handler's last state) the
 * case_closed trigger has just run in the same transaction; each such
 * trigger keys its message "t:<trigger>:case:<id>" (trigger.c), so the
 * message is found through the outbox's unique dedupe key, trigger by
 * trigger, without a scan. The case_surveys row keeps requested_at and
 * that message (NULL: no communication trigger, or the message was
 * refused: the survey is recorded as due); crm_case_survey_get reads it.
 * The history gets a "survey" line when the answer comes.
 *
 * Answer: once per case, on a closed case (a Rejected case is never
 * surveyed; a Duplicate's survey is its merge target's), not dated
 * before the close. The same answer again (score, scale, nps, comment)
 * returns 0 and changes nothing (a retry); a different one is
 * CRM_EEXIST. It is recorded as a "survey"
 * event {"score","scale","case"} (key "case-<id>-survey") and, with an
 * NPS, an "nps" event {"score"} (key "case-<id>-nps") through the normal
 * ingestion (crm__event_ingest_src, a savepoint inside this transaction),
 * so lifecycle and every scoring component's score_event see them: the
 * loyalty_index plugin updates the customer's index at once. A case
 * closed before the survey existed gets its row on the answer.
 */
#include <stdio.h>
#include <string.h>

#include "case_int.h"

#define SV_COMMENT_MAX 2000
#define SV_KEY_MAX 48
#define SV_DETAIL_MAX 96

static const char sv_sql_message[] =
  "SELECT id FROM messages WHERE dedupe_key = ?1 AND status <> 'refused'";
static const char sv_sql_request[] =
  "INSERT INTO case_surveys(case_id, requested_at, message_id)"
  " VALUES(?1, ?2, ?3) ON CONFLICT(case_id) DO NOTHING";
static const char sv_sql_get[] =
  "SELECT requested_at, coalesce(message_id, 0), coalesce(answered_at, 0),"
  " coalesce(score, -1), coalesce(scale, -1), coalesce(nps, -1),"
  " coalesce(comment, '')"
  " FROM case_surveys WHERE case_id = ?1";
static const char sv_sql_answer[] =
  "UPDATE case_surveys SET answered_at = ?2, score = ?3, scale = ?4,"
  " nps = ?5, comment = ?6, event_id = ?7 WHERE case_id = ?1";
static const char sv_sql_payload[] =
  "SELECT json_object('score', ?1, 'scale', ?2, 'case', ?3)";
static const char sv_sql_nps_payload[] = "SELECT json_object('score', ?1)";
static const char sv_sql_number[] = "SELECT number FROM cases WHERE id = ?1";
static const char sv_sql_same[] =
  "SELECT score = ?2 AND scale = ?3 AND coalesce(nps, -1) = ?4"
  " AND coalesce(comment, '') = ?5 FROM case_surveys WHERE case_id = ?1";
static const char sv_sql_merged[] =
  "SELECT number, coalesce(merged_into, 0) FROM cases WHERE id = ?1";

#define SV_CHAIN_MAX 64

/* ---- the request ---------------------------------------------------------- */

/* The message a case_closed trigger queued for this case; 0 when none. */
static int sv_message_of(crm *c, int64_t case_id, int64_t *message_id)
{
  const crm__comm_cfg *cc = crm__comm(c);
  char key[CRM__COMM_NAME_MAX + 48];
  sqlite3_stmt *st;
  size_t i;
  int rc;

  *message_id = 0;
  for(i = 0; cc && i < cc->n_triggers && !*message_id; i++) {
    if(cc->triggers[i].kind != CRM__TRG_CASE_CLOSED)
      continue;
    snprintf(key, sizeof(key), "t:%s:case:%lld", cc->triggers[i].name,
             (long long)case_id);
    st = crm__stmt(c, sv_sql_message);
    if(!st)
      return c->errcode;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if(rc == SQLITE_ROW)
      *message_id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if(rc != SQLITE_ROW && rc != SQLITE_DONE)
      return crm__sqlerr(c, rc, "looking up a survey message");
  }
  return CRM_OK;
}

/* The row (the first one stays). */
static int sv_request(crm *c, int64_t case_id, int64_t at,
                      int64_t message_id)
{
  sqlite3_stmt *st = crm__stmt(c, sv_sql_request);

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, case_id);
  sqlite3_bind_int64(st, 2, at);
  if(message_id)
    sqlite3_bind_int64(st, 3, message_id);
  return crm__step_end(c, st, "recording a survey request");
}

int crm__survey_on_closed(crm *c, const crm__case_row *r, int64_t at)
{
  int64_t message_id = 0;
  int rc = sv_message_of(c, r->id, &message_id);

  if(!rc)
    rc = sv_request(c, r->id, at, message_id);
  return rc;
}

/* ---- reading --------------------------------------------------------------- */

/* The survey row; *found 0 when the case has none. With public set the
 * comment is copied to the handle's case buffer (crm__case_survey_buf,
 * kept until the next crm_case_survey_get), else it is left out. */
static int sv_read(crm *c, int64_t case_id, crm_case_survey *out,
                   int *found, int public)
{
  sqlite3_stmt *st = crm__stmt(c, sv_sql_get);
  size_t size = 0;
  char *comment = public ? crm__case_survey_buf(c, &size) : NULL;
  int rc;

  memset(out, 0, sizeof(*out));
  out->case_id = case_id;
  out->score = out->scale = out->nps = -1;
  out->comment = "";
  *found = 0;
  if(public && !comment)
    return c->errcode;
  if(comment) {
    comment[0] = '\0';
    out->comment = comment;
  }
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, case_id);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW) {
    *found = 1;
    out->requested_at = sqlite3_column_int64(st, 0);
    out->message_id = sqlite3_column_int64(st, 1);
    out->answered_at = sqlite3_column_int64(st, 2);
    out->score = sqlite3_column_int(st, 3);
    out->scale = sqlite3_column_int(st, 4);
    out->nps = sqlite3_column_int(st, 5);
    if(comment)
      crm__col_text(st, 6, comment, size);
  }
  sqlite3_reset(st);
  if(rc != SQLITE_ROW && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading a survey");
  return CRM_OK;
}

int crm_case_survey_get(crm *c, int64_t case_id, crm_case_survey *out)
{
  sqlite3_stmt *st;
  char number[24];
  int found = 0;
  int rc;

  if(!c || !out)
    return CRM_EINVAL;
  crm__clear_err(c);
  st = crm__stmt(c, sv_sql_number);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, case_id);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW)
    crm__col_text(st, 0, number, sizeof(number));
  sqlite3_reset(st);
  if(rc == SQLITE_DONE)
    return crm__err(c, CRM_ENOTFOUND, "unknown case #%lld",
                    (long long)case_id);
  if(rc != SQLITE_ROW)
    return crm__sqlerr(c, rc, "reading a case");
  rc = sv_read(c, case_id, out, &found, 1);
  if(!rc && !found)
    rc = crm__err(c, CRM_ENOTFOUND, "case %s has no survey (it is not "
                  "closed)", number);
  return rc;
}

/* ---- the answer -------------------------------------------------------------- */

typedef struct sv_answer {
  int score, scale, nps;
  const char *comment;
  const char *actor;
  const char *why;
  int64_t at;
} sv_answer;

static int sv_check(crm *c, const sv_answer *a, const crm_case_op *op)
{
  int rc;

  if(a->scale != 5 && a->scale != 10)
    return crm__err(c, CRM_EINVAL, "survey scale must be 5 or 10 (got %d)",
                    a->scale);
  if(a->score < 1 || a->score > a->scale)
    return crm__err(c, CRM_EINVAL, "survey score %d is outside 1..%d",
                    a->score, a->scale);
  if(a->nps < -1 || a->nps > 10)
    return crm__err(c, CRM_EINVAL, "nps %d is outside 0..10 (-1: none)",
                    a->nps);
  rc = crm__check_text(c, "comment", a->comment, SV_COMMENT_MAX, 0);
  if(!rc && op && op->actor)
    rc = crm__case_check_name(c, "actor", op->actor);
  if(!rc && op && op->at < 0)
    rc = crm__err(c, CRM_EINVAL, "time is negative");
  if(!rc)
    rc = crm__check_text(c, "why", op ? op->why : NULL, CRM__CASE_NOTE_MAX,
                         0);
  return rc;
}

/* The number of the case a Duplicate ended up in (the merge chain). */
static int sv_merged_into(crm *c, const crm__case_row *r, char *number,
                          size_t size)
{
  sqlite3_stmt *st = crm__stmt(c, sv_sql_merged);
  int64_t next = r->merged_into;
  int hops, rc = SQLITE_DONE;

  snprintf(number, size, "?");
  if(!st)
    return c->errcode;
  for(hops = 0; next && hops < SV_CHAIN_MAX; hops++) {
    sqlite3_bind_int64(st, 1, next);
    rc = sqlite3_step(st);
    next = 0;
    if(rc == SQLITE_ROW) {
      crm__col_text(st, 0, number, size);
      next = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if(rc != SQLITE_ROW && rc != SQLITE_DONE)
      return crm__sqlerr(c, rc, "following a merged case");
  }
  return CRM_OK;
}

/* Closed, or a 1.0-1.4 handler's last state (closed_at set); not
 * Rejected (never surveyed) nor Duplicate (its survey is the one of the
 * case it was merged into). Not answered before the close. */
static int sv_closed(crm *c, const crm__case_row *r, int64_t at)
{
  char into[24], t1[32], t2[32];
  int cls = crm__case_class(r->state);
  int rc;

  if(cls == CRM__CS_REJECTED)
    return crm__err(c, CRM_ESTATE, "case %s is %s: only closed cases are "
                    "surveyed", r->number, r->state);
  if(cls == CRM__CS_DUPLICATE) {
    rc = sv_merged_into(c, r, into, sizeof(into));
    if(rc)
      return rc;
    return crm__err(c, CRM_ESTATE, "case %s is %s (merged into %s): answer "
                    "the survey of %s", r->number, r->state, into, into);
  }
  if(cls != CRM__CS_CLOSED && !(cls == CRM__CS_OTHER && r->closed_at))
    return crm__err(c, CRM_ESTATE, "case %s is %s: a survey is answered "
                    "once the case is closed", r->number, r->state);
  if(r->closed_at && at < r->closed_at) {
    crm_time_format(at, t1, sizeof(t1));
    crm_time_format(r->closed_at, t2, sizeof(t2));
    return crm__err(c, CRM_EINVAL, "survey answer time %s is before case %s "
                    "was closed (%s)", t1, r->number, t2);
  }
  return CRM_OK;
}

/* An answer is there already: 0 when it is this one (a retry changes
 * nothing), CRM_EEXIST when it differs. */
static int sv_again(crm *c, const crm__case_row *r, const sv_answer *a,
                    const crm_case_survey *s)
{
  sqlite3_stmt *st = crm__stmt(c, sv_sql_same);
  char nps[24] = "";
  int64_t same = 0;
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, r->id);
  sqlite3_bind_int(st, 2, a->score);
  sqlite3_bind_int(st, 3, a->scale);
  sqlite3_bind_int(st, 4, a->nps);
  sqlite3_bind_text(st, 5, a->comment ? a->comment : "", -1, SQLITE_STATIC);
  rc = crm__step_row(c, st, &same, 1, "comparing a survey answer");
  if(rc || same)
    return rc;
  if(s->nps >= 0)
    snprintf(nps, sizeof(nps), ", nps %d", s->nps);
  return crm__err(c, CRM_EEXIST, "case %s already has a different survey "
                  "answer (%d/%d%s): a survey is answered once", r->number,
                  s->score, s->scale, nps);
}

/* One event through the normal ingestion; *event_id its id. */
static int sv_ingest(crm *c, const crm__case_row *r, const char *type,
                     const char *payload, const char *key, int64_t at,
                     int64_t *event_id)
{
  crm_ingest_result res;
  crm_event ev;
  int rc;

  memset(&ev, 0, sizeof(ev));
  memset(&res, 0, sizeof(res));
  ev.type = type;
  ev.customer_id = r->customer_id;
  ev.occurred_at = at;
  ev.payload = payload;
  ev.idempotency_key = key;
  rc = crm__event_ingest_src(c, &ev, "api", &res);
  if(!rc && event_id)
    *event_id = res.event_id;
  return rc;
}

/* A JSON payload built by SQLite (?1 integer, ?2 integer, ?3 text). */
static int sv_payload(crm *c, const char *sql, int a, int b, const char *s,
                      char *buf, size_t size)
{
  sqlite3_stmt *st = crm__stmt(c, sql);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int(st, 1, a);
  if(s) {
    sqlite3_bind_int(st, 2, b);
    sqlite3_bind_text(st, 3, s, -1, SQLITE_STATIC);
  }
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW)
    crm__col_text(st, 0, buf, size);
  sqlite3_reset(st);
  if(rc != SQLITE_ROW)
    return crm__sqlerr(c, rc, "building a survey payload");
  return CRM_OK;
}

/* The events: "survey" (its id in *event_id) and "nps" when given. */
static int sv_events(crm *c, const crm__case_row *r, const sv_answer *a,
                     int64_t *event_id)
{
  char payload[160];
  char key[SV_KEY_MAX];
  int rc;

  rc = sv_payload(c, sv_sql_payload, a->score, a->scale, r->number, payload,
                  sizeof(payload));
  snprintf(key, sizeof(key), "case-%lld-survey", (long long)r->id);
  if(!rc)
    rc = sv_ingest(c, r, "survey", payload, key, a->at, event_id);
  if(rc || a->nps < 0)
    return rc;
  rc = sv_payload(c, sv_sql_nps_payload, a->nps, 0, NULL, payload,
                  sizeof(payload));
  snprintf(key, sizeof(key), "case-%lld-nps", (long long)r->id);
  if(!rc)
    rc = sv_ingest(c, r, "nps", payload, key, a->at, NULL);
  return rc;
}

static int sv_store(crm *c, int64_t case_id, const sv_answer *a,
                    int64_t event_id)
{
  sqlite3_stmt *st = crm__stmt(c, sv_sql_answer);

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, case_id);
  sqlite3_bind_int64(st, 2, a->at);
  sqlite3_bind_int(st, 3, a->score);
  sqlite3_bind_int(st, 4, a->scale);
  if(a->nps >= 0)
    sqlite3_bind_int(st, 5, a->nps);
  if(a->comment && a->comment[0])
    sqlite3_bind_text(st, 6, a->comment, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 7, event_id);
  return crm__step_end(c, st, "recording a survey answer");
}

static int sv_answer_tx(crm *c, const crm__case_row *r, const sv_answer *a)
{
  crm_case_survey s;
  char detail[SV_DETAIL_MAX];
  int64_t event_id = 0;
  int found = 0;
  int rc;

  rc = sv_closed(c, r, a->at);
  if(!rc)
    rc = sv_read(c, r->id, &s, &found, 0);
  if(rc)
    return rc;
  if(found && s.answered_at)
    return sv_again(c, r, a, &s);
  if(!found) /* closed before surveys were recorded */
    rc = sv_request(c, r->id, r->closed_at ? r->closed_at : a->at, 0);
  if(!rc)
    rc = sv_events(c, r, a, &event_id);
  if(!rc)
    rc = sv_store(c, r->id, a, event_id);
  if(rc)
    return rc;
  if(a->nps >= 0)
    snprintf(detail, sizeof(detail), "answered %d/%d, nps %d", a->score,
             a->scale, a->nps);
  else
    snprintf(detail, sizeof(detail), "answered %d/%d", a->score, a->scale);
  return crm__case_log(c, r->id, "survey", NULL, r->state, a->actor, a->why,
                       detail, a->at);
}

int crm_case_survey_answer(crm *c, int64_t case_id, int score, int scale,
                           int nps, const char *comment,
                           const crm_case_op *op)
{
  crm__case_row *r;
  sv_answer a;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  memset(&a, 0, sizeof(a));
  a.score = score;
  a.scale = scale;
  a.nps = nps;
  a.comment = comment;
  a.actor = crm__case_actor(op);
  a.why = op ? op->why : NULL;
  a.at = crm__case_at(c, op);
  rc = sv_check(c, &a, op);
  if(rc)
    return rc;
  r = crm__malloc(sizeof(*r));
  if(!r)
    return crm__err(c, CRM_ENOMEM, "out of memory answering a survey");
  rc = crm__tx_begin(c);
  if(!rc) {
    rc = crm__case_load(c, case_id, r);
    if(!rc)
      rc = sv_answer_tx(c, r, &a);
    if(!rc)
      rc = crm__tx_commit(c);
    if(rc)
      crm__tx_rollback(c);
  }
  crm__free(r);
  return rc;
}
