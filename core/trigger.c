/*
 * trigger.c - lifecycle triggers as their causes happen: a stage change,
 * a tier change, an event, a complaint case closing. Each hook runs
 * inside the cause's own transaction and looks only at the triggers of
 * its kind (none configured: it returns at once, without a query).
 *
 * A trigger fires at most once per cause: its message carries a dedupe
 * key made of the trigger and the cause, and the outbox keeps one message
 * per key:
 *
 *   stage        t:<trigger>:<customer>:<transition id>
 *   tier         t:<trigger>:<customer>:<scheme>:<to>:<at> (hashed when
 *                long names would make it overflow)
 *   event        t:<trigger>:<event id>
 *   case_closed  t:<trigger>:case:<case id>
 *   schedules    t:<trigger>:<customer>:<local date>   (trigger_due.c)
 *
 * A trigger never makes its cause fail unless the store does: when it
 * has no channel, no template variant, or cannot render, the message is
 * recorded as refused with the reason. Stage changes an event causes are
 * fired after the event is fully applied (points earned included), from
 * crm__trigger_on_event; changes made by time rules (at risk, lost) fire
 * from crm__trigger_on_stage at once, except those applied on the way to
 * an event: they wait for it, and fire only if it left the customer in
 * that stage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trigger_int.h"

/* The longest case summary (CRM__CASE_SUMMARY_MAX of case.c). */
#define CRM__TRG_SUMMARY_MAX 2000

static const char crm__sql_trg_dup[] =
  "SELECT 1 FROM messages WHERE dedupe_key = ?1";
static const char crm__sql_trg_transition[] =
  "SELECT id FROM lifecycle_transitions WHERE customer_id = ?1"
  " AND to_stage = ?2 AND at = ?3 ORDER BY id DESC LIMIT 1";
static const char crm__sql_trg_caused[] =
  "SELECT id, from_stage, to_stage, at, cause_event_id IS NULL"
  " FROM lifecycle_transitions WHERE customer_id = ?1"
  " AND (cause_event_id = ?2 OR (cause_event_id IS NULL AND id >= ?3))"
  " ORDER BY id LIMIT 8";
static const char crm__sql_trg_case[] =
  "SELECT summary, coalesce(number, printf('C-%06d', id)) FROM cases"
  " WHERE id = ?1";
static const char crm__sql_trg_due_stats[] =
  "SELECT count(*), coalesce(min(due_at), 0) FROM trigger_due"
  " WHERE trigger = ?1";
static const char crm__sql_trg_fired[] =
  "SELECT count(*) FROM messages WHERE trigger = ?1";

/* ---- small helpers ----------------------------------------------------- */

static int crm__trg_any(const crm__comm_cfg *cc, int kind)
{
  size_t i;

  for(i = 0; i < cc->n_triggers; i++) {
    if(cc->triggers[i].kind == kind)
      return 1;
  }
  return 0;
}

/* A failure the cause must see (the store, memory), not a refusal. */
static int crm__trg_fatal(int rc)
{
  return rc == CRM_ESTORE || rc == CRM_ENOMEM || rc == CRM_ECORRUPT;
}

int crm__trigger_local_date(crm *c, const char *tz, int64_t utc, char *buf,
                            size_t size)
{
  const crm__tz *z = NULL;
  crm__localtm lt;

  if(crm__tz_get(c, tz, &z) || !z) {
    crm__clear_err(c);
    if(crm__tz_get(c, "UTC", &z) || !z)
      return crm__err(c, CRM_ESTATE, "no UTC time zone");
  }
  crm__tz_local(z, utc, &lt);
  snprintf(buf, size, "%04lld-%02d-%02d", (long long)lt.year, lt.month,
           lt.day);
  return CRM_OK;
}

/* Column col as text into buf, cut on a UTF-8 boundary when longer. */
static void crm__trg_col_utf8(sqlite3_stmt *st, int col, char *buf,
                              size_t size)
{
  const char *t = (const char *)sqlite3_column_text(st, col);
  size_t n = t ? strlen(t) : 0;

  if(n >= size) {
    n = size - 1;
    while(n > 0 && ((unsigned char)t[n] & 0xc0) == 0x80)
      n--;
  }
  if(n)
    memcpy(buf, t, n);
  buf[n] = '\0';
}

/* ---- firing ------------------------------------------------------------- */

/* 1 when a message with this dedupe key exists. */
static int crm__trg_seen(crm *c, const char *key, int *seen)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_trg_dup);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc != SQLITE_ROW && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "looking up a trigger's message");
  *seen = rc == SQLITE_ROW;
  return CRM_OK;
}

typedef struct crm__trg_msg {
  crm__outbox_row row;
  char reason[CRM__ERRMSG_SIZE + 64];
  char language[CRM__LANGUAGE_MAX + 1];
  crm__route tmp;
  crm_rendered *out;
} crm__trg_msg;

/* The customer's language, else the default one. */
static int crm__trg_language(crm *c, int64_t customer_id, char *buf,
                             size_t size)
{
  const crm__comm_cfg *cc = crm__comm(c);
  crm_contact_prefs p;
  int rc = crm_prefs_get(c, customer_id, &p);

  if(rc && crm__trg_fatal(rc))
    return rc;
  crm__clear_err(c);
  snprintf(buf, size, "%s", !rc && p.language && *p.language ? p.language
           : cc->language[0] ? cc->language : "en");
  return CRM_OK;
}

/* Resolves, finds and renders into m; a refusal fills m->reason. */
static int crm__trg_build(crm *c, const crm__trigger *t,
                          const crm_customer *cu, const char *const *pairs,
                          crm__trg_msg *m)
{
  const crm__comm_cfg *cc = crm__comm(c);
  const crm__route *route = NULL;
  const crm__template *tpl;
  crm__vars vars;
  int rc;

  m->row.channel = t->channel;
  rc = crm__trg_language(c, cu->id, m->language, sizeof(m->language));
  if(rc)
    return rc;
  m->row.language = m->language;
  rc = crm__channel_resolve(c, cu->id, t->channel, &m->tmp, &route);
  if(rc || !route) {
    if(crm__trg_fatal(rc))
      return rc;
    snprintf(m->reason, sizeof(m->reason), "%s",
             c->errmsg[0] ? c->errmsg : "no channel fits");
    crm__clear_err(c);
    return CRM_OK;
  }
  m->row.channel = route->name;
  tpl = crm__template_find(cc, t->template_name, route->name, m->language);
  if(!tpl) {
    snprintf(m->reason, sizeof(m->reason), "no template \"%s\" for channel "
             "\"%s\"", t->template_name, route->name);
    return CRM_OK;
  }
  snprintf(m->language, sizeof(m->language), "%s", tpl->language);
  vars.pairs = pairs;
  rc = crm__template_render_to(c, tpl, route->name, cu, &vars, m->out);
  if(rc) {
    if(crm__trg_fatal(rc))
      return rc;
    snprintf(m->reason, sizeof(m->reason), "cannot render: %s",
             c->errmsg[0] ? c->errmsg : "template error");
    crm__clear_err(c);
    return CRM_OK;
  }
  if(!m->out->body[0]) { /* the outbox takes no empty message */
    snprintf(m->reason, sizeof(m->reason), "cannot render: template \"%s\" "
             "(%s, %s) gives an empty body", tpl->name, tpl->channel,
             tpl->language);
    return CRM_OK;
  }
  m->row.subject = tpl->subject && m->out->subject[0] ? m->out->subject
                                                     : NULL;
  m->row.body = m->out->body;
  return CRM_OK;
}

int crm__trigger_fire(crm *c, const crm__trigger *t, int64_t customer_id,
                      int64_t at, int64_t now, const char *key,
                      const char *const *pairs, const char *tier, int *out)
{
  crm_customer cu;
  crm__trg_msg *m;
  int64_t id = 0;
  int holds = 0, seen = 0, dup = 0;
  int rc;

  *out = 0;
  if(!crm__trigger_is_schedule(t->kind) && t->max_age > 0 &&
     at < now - t->max_age) {
    crm__log(c, CRM_LOG_DEBUG, "trigger", "trigger \"%s\": cause of customer "
             "#%lld is %lld h old (max_age_hours %lld): nothing sent",
             t->name, (long long)customer_id, (long long)((now - at) / 3600),
             (long long)(t->max_age / 3600));
    return CRM_OK;
  }
  rc = crm__trg_seen(c, key, &seen);
  if(rc || seen)
    return rc;
  rc = crm_customer_get(c, customer_id, &cu);
  if(!rc)
    rc = crm__trigger_cond_holds(c, t, &cu, tier, &holds);
  if(rc || !holds)
    return rc;
  m = crm__calloc(1, sizeof(*m));
  if(m)
    m->out = crm__malloc(sizeof(*m->out));
  if(!m || !m->out) {
    if(m)
      crm__free(m);
    return crm__err(c, CRM_ENOMEM, "out of memory firing trigger \"%s\"",
                    t->name);
  }
  memset(m->out, 0, sizeof(*m->out));
  m->row.customer_id = customer_id;
  m->row.template = t->template_name;
  m->row.trigger = t->name;
  m->row.dedupe_key = key;
  m->row.priority = t->priority;
  m->row.body = "";
  m->row.not_before = (at > now ? at : now) + t->delay;
  rc = crm__trg_build(c, t, &cu, pairs, m);
  if(!rc && m->reason[0]) {
    m->row.refused_reason = m->reason;
    m->row.subject = NULL;
    m->row.body = "";
  }
  if(!rc)
    rc = crm__outbox_insert(c, &m->row, &id, &dup);
  if(!rc && !dup)
    *out = m->reason[0] ? 2 : 1;
  if(!rc && !dup)
    crm__log(c, CRM_LOG_INFO, "trigger", "trigger \"%s\": message #%lld for "
             "customer #%lld%s%s", t->name, (long long)id,
             (long long)customer_id, m->reason[0] ? " refused: " : "",
             m->reason);
  crm__free(m->out);
  crm__free(m);
  return rc;
}

/* ---- stage ---------------------------------------------------------------- */

static int crm__trg_stage_fire(crm *c, int64_t customer_id, int from, int to,
                               int64_t at, int64_t transition_id)
{
  const crm__comm_cfg *cc = crm__comm(c);
  const char *pairs[5];
  char key[CRM__COMM_KEY_MAX + 1];
  size_t i;
  int out;
  int rc;

  pairs[0] = "old_stage";
  pairs[1] = crm_stage_name(from);
  pairs[2] = "new_stage";
  pairs[3] = crm_stage_name(to);
  pairs[4] = NULL;
  for(i = 0; i < cc->n_triggers; i++) {
    const crm__trigger *t = &cc->triggers[i];

    if(t->kind != CRM__TRG_STAGE || t->stage != to)
      continue;
    snprintf(key, sizeof(key), "t:%s:%lld:%lld", t->name,
             (long long)customer_id, (long long)transition_id);
    rc = crm__trigger_fire(c, t, customer_id, at, crm_now(c), key, pairs,
                           NULL, &out);
    if(rc)
      return rc;
  }
  return CRM_OK;
}

static int crm__trg_stage_wanted(const crm__comm_cfg *cc, int to)
{
  size_t i;

  for(i = 0; i < cc->n_triggers; i++) {
    if(cc->triggers[i].kind == CRM__TRG_STAGE && cc->triggers[i].stage == to)
      return 1;
  }
  return 0;
}

/* A time rule's change (no event caused it). Outside an event it fires at
 * once. While an event is being applied (the rules due before it: at
 * risk, lost) it waits for the event (crm__trg_caused), which may well
 * end that stage at once (a purchase reactivates): the first such
 * transition is remembered in c->trg_defer. Any change made outside an
 * event clears a mark left by an event that failed. */
int crm__trigger_on_stage(crm *c, int64_t customer_id, int from, int to,
                          int64_t at)
{
  sqlite3_stmt *st;
  int64_t tid = 0;
  int rc;

  if(c->ingest_depth <= 0)
    c->trg_defer = 0;
  if(!crm__trg_stage_wanted(crm__comm(c), to))
    return CRM_OK;
  st = crm__stmt(c, crm__sql_trg_transition);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_int(st, 2, to);
  sqlite3_bind_int64(st, 3, at);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW)
    tid = sqlite3_column_int64(st, 0);
  sqlite3_reset(st);
  if(rc != SQLITE_ROW && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading a lifecycle transition");
  if(c->ingest_depth > 0) {
    if(tid > 0 && (!c->trg_defer || tid < c->trg_defer))
      c->trg_defer = tid;
    return CRM_OK;
  }
  /* A time rule (lifecycle advance) dates the move when the silence
   * crossed the line: a move dated more than max_age ago (the first
   * advance after importing history, an advance that did not run for
   * days) sends nothing; a timely one is due now. */
  return crm__trg_stage_fire(c, customer_id, from, to, at, tid);
}

/* ---- tier ------------------------------------------------------------------ */

/* t:<trigger>:<customer>:<scheme>:<to>:<at>; when long names make that
 * exceed the key's size, the part after the customer is replaced by
 * "h" and the 64-bit FNV-1a hash of it, so that it is never cut (two
 * causes would then share a key and the second would be lost). */
static void crm__trg_tier_key(char *key, size_t size, const char *trigger,
                              int64_t customer_id, const char *scheme,
                              const char *to, int64_t at)
{
  char tail[CRM__COMM_NAME_MAX * 4 + 48];
  uint64_t h = UINT64_C(14695981039346656037);
  size_t i;
  int n;

  snprintf(tail, sizeof(tail), "%s:%s:%lld", scheme, to, (long long)at);
  n = snprintf(key, size, "t:%s:%lld:%s", trigger, (long long)customer_id,
               tail);
  if(n >= 0 && (size_t)n < size)
    return;
  for(i = 0; tail[i]; i++) {
    h ^= (unsigned char)tail[i];
    h *= UINT64_C(1099511628211);
  }
  snprintf(key, size, "t:%s:%lld:h%016llx", trigger, (long long)customer_id,
           (unsigned long long)h);
}

int crm__trigger_on_tier(crm *c, int64_t customer_id, const char *scheme,
                         const char *from, const char *to, int up, int64_t at)
{
  const crm__comm_cfg *cc = crm__comm(c);
  const char *pairs[7];
  char key[CRM__COMM_KEY_MAX + 1];
  size_t i;
  int out;
  int rc;

  if(!crm__trg_any(cc, CRM__TRG_TIER) || !to)
    return CRM_OK;
  /* no tier before (tiers added to a scheme with accounts): old_tier has
   * no value, so a template using it is refused rather than blank */
  pairs[0] = "new_tier";
  pairs[1] = to;
  pairs[2] = "scheme";
  pairs[3] = scheme;
  pairs[4] = from && *from ? "old_tier" : NULL;
  pairs[5] = from;
  pairs[6] = NULL;
  for(i = 0; i < cc->n_triggers; i++) {
    const crm__trigger *t = &cc->triggers[i];

    if(t->kind != CRM__TRG_TIER || (t->direction > 0 && !up) ||
       (t->direction < 0 && up))
      continue;
    crm__trg_tier_key(key, sizeof(key), t->name, customer_id, scheme, to,
                      at);
    rc = crm__trigger_fire(c, t, customer_id, at, crm_now(c), key, pairs,
                           to, &out);
    if(rc)
      return rc;
  }
  return CRM_OK;
}

/* ---- events ----------------------------------------------------------------- */

/* The stage changes of the event, fired now that it is applied: those it
 * caused (dated as recorded), and those the time rules made on the way to
 * it (crm__trigger_on_stage deferred them), dated at the event and only
 * when the customer is still in that stage (a purchase that ends an
 * at-risk spell sends no win-back). */
static int crm__trg_caused(crm *c, int64_t customer_id, int64_t event_id,
                           int64_t at, int64_t defer)
{
  int64_t row[8][5];
  crm_customer cu;
  sqlite3_stmt *st;
  size_t n = 0, i;
  int rc;

  st = crm__stmt(c, crm__sql_trg_caused);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, customer_id);
  sqlite3_bind_int64(st, 2, event_id);
  sqlite3_bind_int64(st, 3, defer > 0 ? defer : INT64_MAX);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW || n == 8)
      break;
    for(i = 0; i < 5; i++)
      row[n][i] = sqlite3_column_int64(st, (int)i);
    n++;
  }
  sqlite3_reset(st);
  if(rc != SQLITE_DONE && rc != SQLITE_ROW)
    return crm__sqlerr(c, rc, "reading lifecycle transitions");
  rc = n ? crm_customer_get(c, customer_id, &cu) : CRM_OK;
  for(i = 0; i < n && !rc; i++) {
    int deferred = row[i][4] != 0;

    if(!crm__trg_stage_wanted(crm__comm(c), (int)row[i][2]) ||
       (deferred && cu.stage != (int)row[i][2]))
      continue;
    rc = crm__trg_stage_fire(c, customer_id, (int)row[i][1], (int)row[i][2],
                             deferred ? at : row[i][3], row[i][0]);
  }
  return rc;
}

int crm__trigger_on_event(crm *c, int64_t customer_id, int64_t event_id,
                          const char *type, int64_t at)
{
  const crm__comm_cfg *cc = crm__comm(c);
  crm_customer cu;
  const char *pairs[5];
  char key[CRM__COMM_KEY_MAX + 1];
  char date[16];
  int64_t defer = c->trg_defer;
  size_t i;
  int out;
  int rc;

  if(c->ingest_depth <= 1)
    c->trg_defer = 0; /* the outermost event: every deferral is its own */
  if(crm__trg_any(cc, CRM__TRG_STAGE)) {
    rc = crm__trg_caused(c, customer_id, event_id, at, defer);
    if(rc)
      return rc;
  }
  for(i = 0; i < cc->n_triggers; i++) {
    const crm__trigger *t = &cc->triggers[i];

    if(t->kind != CRM__TRG_EVENT || strcmp(t->event_type, type))
      continue;
    rc = crm_customer_get(c, customer_id, &cu);
    if(!rc)
      rc = crm__trigger_local_date(c, cu.timezone, at, date, sizeof(date));
    if(rc)
      return rc;
    pairs[0] = "event_type";
    pairs[1] = type;
    pairs[2] = "event_date";
    pairs[3] = date;
    pairs[4] = NULL;
    snprintf(key, sizeof(key), "t:%s:%lld", t->name, (long long)event_id);
    rc = crm__trigger_fire(c, t, customer_id, at, crm_now(c), key, pairs,
                           NULL, &out);
    if(rc)
      return rc;
  }
  return CRM_OK;
}

/* ---- cases ------------------------------------------------------------------ */

int crm__trigger_on_case_closed(crm *c, int64_t customer_id, int64_t case_id,
                                int64_t at)
{
  const crm__comm_cfg *cc = crm__comm(c);
  const char *pairs[5];
  char key[CRM__COMM_KEY_MAX + 1];
  char number[24];
  char summary[CRM__TRG_SUMMARY_MAX + 1] = "";
  sqlite3_stmt *st;
  size_t i;
  int out;
  int rc;

  if(!crm__trg_any(cc, CRM__TRG_CASE_CLOSED))
    return CRM_OK;
  st = crm__stmt(c, crm__sql_trg_case);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, case_id);
  rc = sqlite3_step(st);
  snprintf(number, sizeof(number), "C-%06lld", (long long)case_id);
  if(rc == SQLITE_ROW) {
    crm__trg_col_utf8(st, 0, summary, sizeof(summary));
    crm__col_text(st, 1, number, sizeof(number));
  }
  sqlite3_reset(st);
  if(rc != SQLITE_ROW && rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading a case");
  pairs[0] = "case_number";
  pairs[1] = number;
  pairs[2] = "case_summary";
  pairs[3] = summary;
  pairs[4] = NULL;
  for(i = 0; i < cc->n_triggers; i++) {
    const crm__trigger *t = &cc->triggers[i];

    if(t->kind != CRM__TRG_CASE_CLOSED)
      continue;
    snprintf(key, sizeof(key), "t:%s:case:%lld", t->name, (long long)case_id);
    rc = crm__trigger_fire(c, t, customer_id, at, crm_now(c), key, pairs,
                           NULL, &out);
    if(rc)
      return rc;
  }
  return CRM_OK;
}

/* ---- listing ------------------------------------------------------------------ */

static void crm__trg_detail(const crm__trigger *t, char *buf, size_t size)
{
  static const char *const wd[] = {"sun", "mon", "tue", "wed", "thu", "fri",
                                   "sat"};
  int h = t->at_minute / 60, m = t->at_minute % 60;
  size_t n;

  switch(t->kind) {
  case CRM__TRG_STAGE:
    snprintf(buf, size, "stage %s", crm_stage_name(t->stage));
    break;
  case CRM__TRG_TIER:
    snprintf(buf, size, "%s", t->direction > 0 ? "tier up" :
             t->direction < 0 ? "tier down" : "tier up or down");
    break;
  case CRM__TRG_EVENT:
    snprintf(buf, size, "event %s", t->event_type);
    break;
  case CRM__TRG_CASE_CLOSED:
    snprintf(buf, size, "case closed");
    break;
  case CRM__TRG_BIRTHDAY:
    snprintf(buf, size, "birthday at %02d:%02d local", h, m);
    break;
  case CRM__TRG_MEMBER_DAY:
    if(t->weekday >= 0)
      snprintf(buf, size, "every %s at %02d:%02d local", wd[t->weekday], h,
               m);
    else
      snprintf(buf, size, "day %d of each month at %02d:%02d local",
               t->day_of_month, h, m);
    break;
  default:
    snprintf(buf, size, "%d days before at %02d:%02d local", t->days_before,
             h, m);
    break;
  }
  n = strlen(buf);
  if(t->delay && n < size)
    snprintf(buf + n, size - n, ", %lld min later",
             (long long)(t->delay / 60));
}

static int crm__trg_counts(crm *c, const crm__trigger *t,
                           crm_trigger_info *ti)
{
  int64_t v[2];
  sqlite3_stmt *st;
  int rc;

  st = crm__stmt(c, crm__sql_trg_due_stats);
  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
  rc = crm__step_row(c, st, v, 2, "counting due trigger rows");
  if(rc)
    return rc;
  ti->due = v[0];
  ti->next_due_at = v[1];
  st = crm__stmt(c, crm__sql_trg_fired);
  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
  rc = crm__step_row(c, st, v, 1, "counting a trigger's messages");
  ti->fired = v[0];
  return rc;
}

int crm_trigger_foreach(crm *c,
                        int (*cb)(void *ud, const crm_trigger_info *t),
                        void *ud)
{
  const crm__comm_cfg *cc;
  crm_trigger_info ti;
  char detail[96];
  size_t i;
  int rc;

  if(!c || !cb)
    return CRM_EINVAL;
  crm__clear_err(c);
  cc = crm__comm(c);
  for(i = 0; i < cc->n_triggers; i++) {
    const crm__trigger *t = &cc->triggers[i];

    if(!t->kind)
      continue; /* disabled */
    memset(&ti, 0, sizeof(ti));
    crm__trg_detail(t, detail, sizeof(detail));
    ti.name = t->name;
    ti.on = crm__trigger_kind_name(t->kind);
    ti.detail = detail;
    ti.template = t->template_name;
    ti.channel = t->channel;
    ti.priority = t->priority;
    ti.condition = t->condition;
    rc = crm__trg_counts(c, t, &ti);
    if(rc)
      return rc;
    rc = cb(ud, &ti);
    if(rc)
      return rc;
  }
  return CRM_OK;
}
