/*
 * outbox.c - the persistent outbox: queueing a message (crm_outbox_enqueue,
 * crm__outbox_insert for triggers) and reading it back (crm_outbox_get,
 * crm_outbox_foreach).
 *
 * A message is a row of `messages` from the moment it is queued: the
 * dispatcher (outbox_run.c) claims it, calls its channel and records the
 * answer there. The idempotency key "crm-<store id>-<id>" is set in the
 * transaction that inserts the row, so it exists before any attempt.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "outbox_int.h"

static const char crm__sql_ob_dedupe[] =
  "SELECT id FROM messages WHERE dedupe_key = ?1";
static const char crm__sql_ob_insert[] =
  "INSERT INTO messages(customer_id, channel, template, language, trigger,"
  " dedupe_key, priority, subject, body, status, attempts, next_at, error,"
  " error_class, created_at, updated_at)"
  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0, ?11, ?12, ?13, ?14,"
  " ?14)";
/* The key, and the message id where the template put it ({message} of
 * the unsubscribe URL: CRM__MSG_MARK). */
static const char crm__sql_ob_key[] =
  "UPDATE messages SET idempotency_key = 'crm-' ||"
  " (SELECT value FROM core_settings WHERE key = 'store_id') || '-' || id,"
  " body = replace(body, ?2, id), subject = replace(subject, ?2, id)"
  " WHERE id = ?1";
static const char crm__sql_ob_get[] =
  "SELECT " CRM__OB_COLS " FROM messages WHERE id = ?1";
static const char crm__sql_ob_list[] =
  "SELECT " CRM__OB_COLS " FROM messages"
  " WHERE (?1 IS NULL OR status = ?1) AND (?3 IS NULL OR channel = ?3)"
  " AND (?4 <= 0 OR id < ?4) ORDER BY id DESC LIMIT ?5";
static const char crm__sql_ob_list_cust[] =
  "SELECT " CRM__OB_COLS " FROM messages"
  " WHERE customer_id = ?2 AND (?1 IS NULL OR status = ?1)"
  " AND (?3 IS NULL OR channel = ?3) AND (?4 <= 0 OR id < ?4)"
  " ORDER BY id DESC LIMIT ?5";

/* ---- helpers shared by the outbox files ------------------------------- */

int crm__ob_check_status(crm *c, const char *s)
{
  static const char *const states[] = {
    CRM_MSG_QUEUED, CRM_MSG_SENDING, CRM_MSG_SENT, CRM_MSG_DELIVERED,
    CRM_MSG_FAILED, CRM_MSG_DEAD, CRM_MSG_REFUSED
  };
  size_t i;

  for(i = 0; s && i < sizeof(states) / sizeof(states[0]); i++) {
    if(!strcmp(s, states[i]))
      return CRM_OK;
  }
  return crm__err(c, CRM_EINVAL, "unknown message status \"%s\" (queued, "
                  "sending, sent, delivered, failed, dead or refused)",
                  s ? s : "");
}

void crm__ob_bind_opt(sqlite3_stmt *st, int i, const char *s)
{
  if(s && *s)
    sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, i);
}

int crm__ob_audit(crm *c, const char *action, int64_t id, const char *fmt,
                  ...)
{
  char obj[48];
  char detail[2 * CRM__OB_TEXT_MAX];
  va_list ap;

  snprintf(obj, sizeof(obj), "message #%lld", (long long)id);
  va_start(ap, fmt);
  vsnprintf(detail, sizeof(detail), fmt, ap);
  va_end(ap);
  return crm__audit(c, "api", action, obj, detail);
}

/* Column i as text into buf (NULL when the column is NULL), or a pointer
 * into the statement when buf is NULL. */
static const char *crm__ob_text(sqlite3_stmt *st, int i, char *buf,
                                size_t size)
{
  if(sqlite3_column_type(st, i) == SQLITE_NULL)
    return NULL;
  if(!buf)
    return (const char *)sqlite3_column_text(st, i);
  crm__col_text(st, i, buf, size);
  return buf;
}

#define CRM__OB_TXT(st, i, b, f)                                           \
  crm__ob_text((st), (i), (b) ? (b)->f : NULL, (b) ? sizeof((b)->f) : 0)

void crm__ob_row(sqlite3_stmt *st, struct crm__outbox_buf *b,
                 crm_outbox_msg *m, int64_t *claim_until)
{
  const char *s;

  memset(m, 0, sizeof(*m));
  m->id = sqlite3_column_int64(st, 0);
  m->customer_id = sqlite3_column_int64(st, 1);
  m->channel = CRM__OB_TXT(st, 2, b, channel);
  m->address = CRM__OB_TXT(st, 3, b, address);
  m->template = CRM__OB_TXT(st, 4, b, template_name);
  m->language = CRM__OB_TXT(st, 5, b, language);
  m->trigger = CRM__OB_TXT(st, 6, b, trigger);
  m->priority = sqlite3_column_int(st, 7);
  m->subject = CRM__OB_TXT(st, 8, b, subject);
  s = CRM__OB_TXT(st, 9, b, body);
  m->body = s ? s : "";
  m->status = CRM__OB_TXT(st, 10, b, status);
  m->attempts = sqlite3_column_int(st, 11);
  m->next_at = sqlite3_column_int64(st, 12);
  m->idempotency_key = CRM__OB_TXT(st, 13, b, key);
  m->provider_ref = CRM__OB_TXT(st, 14, b, ref);
  m->error = CRM__OB_TXT(st, 15, b, error);
  m->error_class = CRM__OB_TXT(st, 16, b, error_class);
  m->hold_reason = CRM__OB_TXT(st, 17, b, hold_reason);
  m->created_at = sqlite3_column_int64(st, 18);
  m->sent_at = sqlite3_column_int64(st, 19);
  m->delivered_at = sqlite3_column_int64(st, 20);
  m->updated_at = sqlite3_column_int64(st, 21);
  if(b) {
    s = CRM__OB_TXT(st, 22, b, claimed_by);
    if(!s)
      b->claimed_by[0] = '\0';
  }
  if(claim_until)
    *claim_until = sqlite3_column_int64(st, 23);
}

int crm__ob_load(crm *c, int64_t id, struct crm__outbox_buf *b,
                 crm_outbox_msg *m, int64_t *claim_until)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_ob_get);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, id);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW) {
    crm__ob_row(st, b, m, claim_until);
    sqlite3_reset(st);
    return CRM_OK;
  }
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "reading message");
  return crm__err(c, CRM_ENOTFOUND, "no message #%lld", (long long)id);
}

/* ---- insert ----------------------------------------------------------- */

static int crm__ob_check_key(crm *c, const char *key)
{
  if(!key)
    return CRM_OK;
  if(!*key)
    return crm__err(c, CRM_EINVAL, "dedupe_key is empty (1 to %d bytes, or "
                    "none)", CRM__COMM_KEY_MAX);
  return crm__check_text(c, "dedupe_key", key, CRM__COMM_KEY_MAX, 1);
}

static int crm__ob_check_row(crm *c, const crm__outbox_row *r)
{
  if(!r || r->customer_id <= 0)
    return crm__err(c, CRM_EINVAL, "a message needs a customer");
  if(!r->channel || !*r->channel)
    return crm__err(c, CRM_EINVAL, "a message needs a channel");
  if(strlen(r->channel) > CRM__COMM_NAME_MAX)
    return crm__err(c, CRM_ERANGE, "channel is too long (more than %d "
                    "bytes)", CRM__COMM_NAME_MAX);
  if(r->priority != CRM_PRIORITY_MARKETING &&
     r->priority != CRM_PRIORITY_SERVICE)
    return crm__err(c, CRM_EINVAL, "priority %d is neither marketing (0) "
                    "nor service (1)", r->priority);
  if(!r->refused_reason && (!r->body || !*r->body))
    return crm__err(c, CRM_EINVAL, "body is required");
  if(r->not_before < 0)
    return crm__err(c, CRM_EINVAL, "not_before is negative");
  return crm__ob_check_key(c, r->dedupe_key);
}

/* *id = the row with that dedupe key, 0 when none. */
static int crm__ob_find_key(crm *c, const char *key, int64_t *id)
{
  sqlite3_stmt *st;
  int rc;

  *id = 0;
  if(!key)
    return CRM_OK;
  st = crm__stmt(c, crm__sql_ob_dedupe);
  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW) {
    *id = sqlite3_column_int64(st, 0);
    rc = SQLITE_DONE;
  }
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "looking up dedupe key");
  return CRM_OK;
}

static int crm__ob_insert_row(crm *c, const crm__outbox_row *r, int64_t *id)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_ob_insert);
  int64_t now = crm_now(c);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, r->customer_id);
  sqlite3_bind_text(st, 2, r->channel, -1, SQLITE_STATIC);
  crm__ob_bind_opt(st, 3, r->template);
  crm__ob_bind_opt(st, 4, r->language);
  crm__ob_bind_opt(st, 5, r->trigger);
  crm__ob_bind_opt(st, 6, r->dedupe_key);
  sqlite3_bind_int(st, 7, r->priority);
  crm__ob_bind_opt(st, 8, r->subject);
  sqlite3_bind_text(st, 9, r->body ? r->body : "", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 10, r->refused_reason ? CRM_MSG_REFUSED
                                              : CRM_MSG_QUEUED, -1,
                    SQLITE_STATIC);
  sqlite3_bind_int64(st, 11, r->not_before > 0 ? r->not_before : now);
  if(r->refused_reason) {
    sqlite3_bind_text(st, 12, r->refused_reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 13, "refused", -1, SQLITE_STATIC);
  }
  sqlite3_bind_int64(st, 14, now);
  rc = crm__step_end(c, st, "queueing message");
  if(rc)
    return rc;
  *id = sqlite3_last_insert_rowid(c->db);
  st = crm__stmt(c, crm__sql_ob_key);
  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, *id);
  sqlite3_bind_text(st, 2, CRM__MSG_MARK, -1, SQLITE_STATIC);
  rc = crm__step_end(c, st, "setting idempotency key");
  if(!rc && r->refused_reason)
    rc = crm__ob_audit(c, "message.refused", *id, "channel %s: %s",
                       r->channel, r->refused_reason);
  return rc;
}

int crm__outbox_insert(crm *c, const crm__outbox_row *r, int64_t *id,
                       int *dup)
{
  int64_t found = 0;
  int64_t newid = 0;
  int rc;

  if(dup)
    *dup = 0;
  rc = crm__ob_check_row(c, r);
  if(rc)
    return rc;
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  rc = crm__ob_find_key(c, r->dedupe_key, &found);
  if(!rc && !found)
    rc = crm__ob_insert_row(c, r, &newid);
  if(rc) {
    crm__tx_rollback(c);
    return rc;
  }
  rc = crm__tx_commit(c);
  if(rc)
    return rc;
  if(found && dup)
    *dup = 1;
  if(id)
    *id = found ? found : newid;
  return CRM_OK;
}

/* ---- enqueue ------------------------------------------------------------- */

/* The language a template is looked up in: the caller's, else the
 * customer's preference, else the configured default. */
static int crm__ob_language(crm *c, const crm_outbox_new *m, char *buf,
                            size_t size)
{
  crm_contact_prefs p;
  int rc;

  if(m->language) {
    snprintf(buf, size, "%s", m->language);
    return CRM_OK;
  }
  rc = crm_prefs_get(c, m->customer_id, &p);
  if(rc)
    return rc;
  snprintf(buf, size, "%s", p.language && *p.language ? p.language
                                                      : crm__comm(c)->language);
  return CRM_OK;
}

/* Renders the template into out; row->language is the variant's. */
static int crm__ob_render(crm *c, const crm_outbox_new *m,
                          const crm_customer *cust, const crm__route *route,
                          crm_rendered *out, crm__outbox_row *row)
{
  const crm__comm_cfg *cc = crm__comm(c);
  const crm__template *t;
  char lang[CRM__LANGUAGE_MAX + 1];
  crm__vars vars;
  int rc;

  rc = crm__ob_language(c, m, lang, sizeof(lang));
  if(rc)
    return rc;
  t = crm__template_find(cc, m->template, route->name, lang);
  if(!t)
    return crm__err(c, CRM_ENOTFOUND, "no template \"%s\" for channel %s",
                    m->template, route->name);
  vars.pairs = m->vars;
  memset(out, 0, sizeof(*out));
  rc = crm__template_render_to(c, t, route->name, cust, &vars, out);
  if(rc)
    return rc;
  row->template = m->template;
  row->language = out->language[0] ? out->language : t->language;
  row->subject = out->subject[0] ? out->subject : NULL;
  row->body = out->body;
  if(!out->body[0])
    return crm__err(c, CRM_EINVAL, "template \"%s\" renders an empty body",
                    m->template);
  return CRM_OK;
}

static int crm__ob_check_new(crm *c, const crm_outbox_new *m)
{
  int rc;

  if(!m)
    return crm__err(c, CRM_EINVAL, "no message given");
  if(m->priority != CRM_PRIORITY_MARKETING &&
     m->priority != CRM_PRIORITY_SERVICE)
    return crm__err(c, CRM_EINVAL, "priority %d is neither marketing (0) "
                    "nor service (1)", m->priority);
  if(m->not_before < 0)
    return crm__err(c, CRM_EINVAL, "not_before is negative");
  rc = crm__ob_check_key(c, m->dedupe_key);
  if(rc)
    return rc;
  if(m->language) {
    rc = crm__check_text(c, "language", m->language, CRM__LANGUAGE_MAX, 1);
    if(rc)
      return rc;
  }
  if(m->template) {
    if(m->subject || m->body)
      return crm__err(c, CRM_EINVAL, "give either a template or a subject "
                      "and body, not both");
    return crm__check_text(c, "template", m->template, CRM__COMM_NAME_MAX,
                           1);
  }
  rc = crm__check_text(c, "subject", m->subject, CRM__OB_SUBJECT_MAX, 0);
  if(rc)
    return rc;
  if(!m->body || !*m->body)
    return crm__err(c, CRM_EINVAL, "body is required");
  if(strlen(m->body) > CRM__OB_BODY_MAX)
    return crm__err(c, CRM_ERANGE, "body is too long (more than %d bytes)",
                    CRM__OB_BODY_MAX);
  return CRM_OK;
}

int crm_outbox_enqueue(crm *c, const crm_outbox_new *m, int64_t *id)
{
  crm_customer cust;
  crm__route tmp;
  const crm__route *route = NULL;
  crm__outbox_row row;
  crm_rendered *r = NULL;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__ob_check_new(c, m);
  if(!rc)
    rc = crm_customer_get(c, m->customer_id, &cust);
  if(!rc)
    rc = crm__channel_resolve(c, cust.id, m->channel, &tmp, &route);
  if(rc)
    return rc;
  memset(&row, 0, sizeof(row));
  row.customer_id = cust.id;
  row.channel = route->name;
  row.dedupe_key = m->dedupe_key;
  row.priority = m->priority;
  row.not_before = m->not_before;
  if(m->template) {
    r = crm__malloc(sizeof(*r));
    if(!r)
      return crm__err(c, CRM_ENOMEM, "out of memory rendering a template");
    rc = crm__ob_render(c, m, &cust, route, r, &row);
  }
  else {
    row.language = m->language;
    row.subject = m->subject && *m->subject ? m->subject : NULL;
    row.body = m->body;
  }
  if(!rc)
    rc = crm__outbox_insert(c, &row, id, NULL);
  crm__free(r);
  return rc;
}

/* ---- reading ------------------------------------------------------------- */

int crm_outbox_get(crm *c, int64_t id, crm_outbox_msg *out)
{
  if(!c || !out)
    return c ? crm__err(c, CRM_EINVAL, "no output given") : CRM_EINVAL;
  crm__clear_err(c);
  if(!c->outbox_buf) {
    c->outbox_buf = crm__malloc(sizeof(*c->outbox_buf));
    if(!c->outbox_buf)
      return crm__err(c, CRM_ENOMEM, "out of memory reading a message");
  }
  return crm__ob_load(c, id, c->outbox_buf, out, NULL);
}

int crm_outbox_foreach(crm *c, const crm_outbox_filter *f,
                       int (*cb)(void *ud, const crm_outbox_msg *m), void *ud)
{
  crm_outbox_filter none;
  crm_outbox_msg m;
  sqlite3_stmt *st;
  int rc;
  int cbrc = 0;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(!cb)
    return crm__err(c, CRM_EINVAL, "no callback given");
  if(!f) {
    memset(&none, 0, sizeof(none));
    f = &none;
  }
  if(f->status && crm__ob_check_status(c, f->status))
    return c->errcode;
  if(f->limit < 0)
    return crm__err(c, CRM_EINVAL, "limit is negative");
  st = crm__stmt_fresh(c, f->customer_id > 0 ? crm__sql_ob_list_cust
                                             : crm__sql_ob_list);
  if(!st)
    return c->errcode;
  crm__ob_bind_opt(st, 1, f->status);
  sqlite3_bind_int64(st, 2, f->customer_id);
  crm__ob_bind_opt(st, 3, f->channel);
  sqlite3_bind_int64(st, 4, f->before_id);
  sqlite3_bind_int64(st, 5, f->limit > 0 ? f->limit : -1);
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    crm__ob_row(st, NULL, &m, NULL);
    cbrc = cb(ud, &m);
    if(cbrc)
      break;
  }
  crm__stmt_done(c, st);
  if(cbrc)
    return cbrc; /* the callback's */
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "listing messages");
  return CRM_OK;
}
