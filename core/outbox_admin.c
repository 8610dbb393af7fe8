/*
 * outbox_admin.c - what an operator or a provider does to messages after
 * the fact: retry, purge, delivery receipts, and the addresses marked
 * bad by permanent failures and bounces.
 */
#include <stdio.h>
#include <string.h>

#include "outbox_int.h"

static const char crm__sql_ob_retry[] =
  "UPDATE messages SET status = 'queued', attempts = 0, next_at = ?2,"
  " error = NULL, error_class = NULL, hold_reason = NULL, claimed_by = NULL,"
  " claim_until = NULL, updated_at = ?2"
  " WHERE id = ?1 AND status IN ('failed', 'dead', 'refused')";
/* A retry of a message the provider accepted once (then bounced) is a
 * new send: a new idempotency key, so that the provider does not take it
 * for a repeat of the first. */
static const char crm__sql_ob_rekey[] =
  "UPDATE messages SET idempotency_key = 'crm-' ||"
  " (SELECT value FROM core_settings WHERE key = 'store_id') || '-' || id"
  " || '-r' || ?2 WHERE id = ?1";
static const char crm__sql_ob_purge_all[] =
  "DELETE FROM messages WHERE created_at < ?1"
  " AND status IN ('sent', 'delivered', 'dead', 'refused')";
static const char crm__sql_ob_purge_one[] =
  "DELETE FROM messages WHERE created_at < ?1 AND status = ?2";
static const char crm__sql_ob_by_ref[] =
  "SELECT id, customer_id, status, address FROM messages"
  " WHERE channel = ?1 AND provider_ref = ?2 ORDER BY id DESC LIMIT 1";
static const char crm__sql_ob_delivered[] =
  "UPDATE messages SET status = 'delivered', delivered_at = ?2,"
  " updated_at = ?2 WHERE id = ?1";
static const char crm__sql_ob_bounced[] =
  "UPDATE messages SET status = 'dead', error = ?2,"
  " error_class = 'permanent', updated_at = ?3 WHERE id = ?1";
static const char crm__sql_ob_bad_put[] =
  "INSERT OR REPLACE INTO bad_addresses(channel, address, reason,"
  " message_id, at) VALUES(?1, ?2, ?3, ?4, ?5)";
static const char crm__sql_ob_bad_list[] =
  "SELECT channel, address, reason, message_id, at FROM bad_addresses"
  " ORDER BY at, channel, address";
static const char crm__sql_ob_bad_del[] =
  "DELETE FROM bad_addresses WHERE channel = ?1 AND address = ?2";

/* Ends an operation's transaction: commit on success, else roll back. */
static int crm__ob_end(crm *c, int rc)
{
  if(rc) {
    crm__tx_rollback(c);
    return rc;
  }
  return crm__tx_commit(c);
}

/* ---- retry --------------------------------------------------------------- */

/* Runs sql with ?1 = id and ?2 = now. */
static int crm__ob_id_now(crm *c, const char *sql, int64_t id,
                          const char *what)
{
  sqlite3_stmt *st = crm__stmt(c, sql);

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int64(st, 2, crm_now(c));
  return crm__step_end(c, st, what);
}

int crm_outbox_retry(crm *c, int64_t id)
{
  crm_outbox_msg m;
  struct crm__outbox_buf *b;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  b = crm__malloc(sizeof(*b));
  if(!b)
    return crm__err(c, CRM_ENOMEM, "out of memory retrying a message");
  rc = crm__tx_begin(c);
  if(rc) {
    crm__free(b);
    return rc;
  }
  rc = crm__ob_load(c, id, b, &m, NULL);
  if(!rc && strcmp(m.status, CRM_MSG_FAILED) &&
     strcmp(m.status, CRM_MSG_DEAD) && strcmp(m.status, CRM_MSG_REFUSED))
    rc = crm__err(c, CRM_ESTATE, "message #%lld is %s; only failed, dead or "
                  "refused messages can be retried", (long long)id,
                  m.status);
  /* a trigger's message refused before it was rendered has no content:
   * queued again, it would go out empty */
  if(!rc && !m.body[0])
    rc = crm__err(c, CRM_ESTATE, "message #%lld cannot be retried: it was "
                  "refused before it had a body (%.300s)",
                  (long long)id, m.error ? m.error : "no reason kept");
  if(!rc)
    rc = crm__ob_id_now(c, crm__sql_ob_retry, id, "retrying message");
  if(!rc && m.sent_at)
    rc = crm__ob_id_now(c, crm__sql_ob_rekey, id, "renewing the message's "
                        "idempotency key");
  if(!rc)
    rc = crm__ob_audit(c, "message.retry", id, "was %s after %d attempts%s%s"
                       "%s", m.status, m.attempts, m.error ? ": " : "",
                       m.error ? m.error : "",
                       m.sent_at ? "; sent before: a new idempotency key" : "");
  crm__free(b);
  return crm__ob_end(c, rc);
}

/* ---- purge --------------------------------------------------------------- */

int crm_outbox_purge(crm *c, int64_t before, const char *status, int64_t *n)
{
  sqlite3_stmt *st;
  char detail[128];
  int64_t count = 0;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(status && crm__ob_check_status(c, status))
    return c->errcode;
  if(status && (!strcmp(status, CRM_MSG_QUEUED) ||
                !strcmp(status, CRM_MSG_SENDING) ||
                !strcmp(status, CRM_MSG_FAILED)))
    return crm__err(c, CRM_EINVAL, "%s messages are not finished and are "
                    "never purged (sent, delivered, dead or refused)",
                    status);
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  st = crm__stmt(c, status ? crm__sql_ob_purge_one : crm__sql_ob_purge_all);
  if(!st)
    return crm__ob_end(c, c->errcode);
  sqlite3_bind_int64(st, 1, before);
  if(status)
    sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
  rc = crm__step_end(c, st, "purging messages");
  if(!rc) {
    count = sqlite3_changes(c->db);
    snprintf(detail, sizeof(detail), "%lld %s messages created before %lld",
             (long long)count, status ? status : "finished",
             (long long)before);
    rc = crm__audit(c, "api", "message.purge", "outbox", detail);
  }
  rc = crm__ob_end(c, rc);
  if(!rc && n)
    *n = count;
  return rc;
}

/* ---- receipts ------------------------------------------------------------ */

typedef struct crm__ob_ref {
  int64_t id;
  int64_t customer_id;
  char status[16];
  char address[CRM__OB_ADDR_MAX + 1];
} crm__ob_ref;

static int crm__ob_find_ref(crm *c, const char *channel, const char *ref,
                            crm__ob_ref *out)
{
  sqlite3_stmt *st = crm__stmt(c, crm__sql_ob_by_ref);
  int rc;

  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW) {
    out->id = sqlite3_column_int64(st, 0);
    out->customer_id = sqlite3_column_int64(st, 1);
    crm__col_text(st, 2, out->status, sizeof(out->status));
    crm__col_text(st, 3, out->address, sizeof(out->address));
    sqlite3_reset(st);
    return CRM_OK;
  }
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "looking up provider reference");
  return crm__err(c, CRM_ENOTFOUND, "no message on channel %s has provider "
                  "reference \"%s\"", channel, ref);
}

static int crm__ob_set(crm *c, const char *sql, int64_t id, const char *text,
                       const char *what)
{
  sqlite3_stmt *st = crm__stmt(c, sql);

  if(!st)
    return c->errcode;
  sqlite3_bind_int64(st, 1, id);
  if(text) {
    sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, crm_now(c));
  }
  else {
    sqlite3_bind_int64(st, 2, crm_now(c));
  }
  return crm__step_end(c, st, what);
}

int crm__ob_bad_mark(crm *c, const char *channel, const char *address,
                     const char *reason, int64_t message_id)
{
  sqlite3_stmt *st;
  int rc;

  if(!address || !*address)
    return CRM_OK;
  st = crm__stmt(c, crm__sql_ob_bad_put);
  if(!st)
    return c->errcode;
  sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, address, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, message_id);
  sqlite3_bind_int64(st, 5, crm_now(c));
  rc = crm__step_end(c, st, "marking address bad");
  if(!rc)
    rc = crm__ob_audit(c, "address.bad", message_id, "channel %s: %s: %s",
                       channel, address, reason);
  return rc;
}

/* Each receipt handler sets *changed to 0 for a repeated receipt. */
static int crm__ob_delivered(crm *c, const crm__ob_ref *r, int *changed)
{
  if(!strcmp(r->status, CRM_MSG_DELIVERED)) {
    *changed = 0; /* a repeated receipt */
    return CRM_OK;
  }
  if(strcmp(r->status, CRM_MSG_SENT))
    return crm__err(c, CRM_ESTATE, "message #%lld is %s; a delivery receipt "
                    "needs a sent message", (long long)r->id, r->status);
  return crm__ob_set(c, crm__sql_ob_delivered, r->id, NULL,
                     "recording delivery");
}

static int crm__ob_bounced(crm *c, const char *channel, const crm__ob_ref *r,
                           const char *detail, int *changed)
{
  char why[CRM__OB_TEXT_MAX + 1];
  int rc;

  if(!strcmp(r->status, CRM_MSG_DEAD)) {
    *changed = 0; /* a repeated receipt */
    return CRM_OK;
  }
  if(strcmp(r->status, CRM_MSG_SENT) && strcmp(r->status, CRM_MSG_DELIVERED))
    return crm__err(c, CRM_ESTATE, "message #%lld is %s; a bounce needs a "
                    "sent message", (long long)r->id, r->status);
  snprintf(why, sizeof(why), "bounced%s%s", detail && *detail ? ": " : "",
           detail ? detail : "");
  rc = crm__ob_set(c, crm__sql_ob_bounced, r->id, why, "recording bounce");
  if(!rc)
    rc = crm__ob_bad_mark(c, channel, r->address, why, r->id);
  return rc;
}

static int crm__ob_complained(crm *c, const char *channel,
                              const crm__ob_ref *r, const char *detail,
                              int *changed)
{
  crm_consent cs;
  int rc;

  rc = crm_consent_get(c, r->customer_id, channel, &cs);
  if(rc)
    return rc;
  if(cs.dnc_reason && !strcmp(cs.dnc_reason, CRM_DNC_COMPLAINED)) {
    *changed = 0; /* a repeated receipt */
    return CRM_OK;
  }
  return crm_dnc_set(c, r->customer_id, channel, CRM_DNC_COMPLAINED,
                     detail && *detail ? detail : NULL, 0);
}

int crm_outbox_receipt(crm *c, const char *channel, const char *provider_ref,
                       const char *what, const char *detail)
{
  crm__ob_ref r;
  int changed = 1;
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__check_text(c, "channel", channel, CRM__COMM_NAME_MAX, 1);
  if(!rc)
    rc = crm__check_text(c, "provider reference", provider_ref,
                         CRM_SEND_REF_MAX, 1);
  if(!rc)
    rc = crm__check_text(c, "detail", detail, CRM_SEND_DETAIL_MAX, 0);
  if(rc)
    return rc;
  if(!what || (strcmp(what, "delivered") && strcmp(what, "bounced") &&
               strcmp(what, "complained")))
    return crm__err(c, CRM_EINVAL, "unknown receipt \"%s\" (delivered, "
                    "bounced or complained)", what ? what : "");
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  rc = crm__ob_find_ref(c, channel, provider_ref, &r);
  if(!rc && !strcmp(what, "delivered"))
    rc = crm__ob_delivered(c, &r, &changed);
  else if(!rc && !strcmp(what, "bounced"))
    rc = crm__ob_bounced(c, channel, &r, detail, &changed);
  else if(!rc)
    rc = crm__ob_complained(c, channel, &r, detail, &changed);
  if(!rc && changed)
    rc = crm__ob_audit(c, "message.receipt", r.id, "channel %s ref %s: %s%s%s",
                       channel, provider_ref, what,
                       detail && *detail ? ": " : "", detail ? detail : "");
  return crm__ob_end(c, rc);
}

/* ---- bad addresses ------------------------------------------------------- */

int crm_bad_address_foreach(crm *c,
                            int (*cb)(void *ud, const crm_bad_address *b),
                            void *ud)
{
  crm_bad_address b;
  sqlite3_stmt *st;
  int rc;
  int cbrc = 0;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(!cb)
    return crm__err(c, CRM_EINVAL, "no callback given");
  st = crm__stmt_fresh(c, crm__sql_ob_bad_list);
  if(!st)
    return c->errcode;
  for(;;) {
    rc = sqlite3_step(st);
    if(rc != SQLITE_ROW)
      break;
    b.channel = (const char *)sqlite3_column_text(st, 0);
    b.address = (const char *)sqlite3_column_text(st, 1);
    b.reason = (const char *)sqlite3_column_text(st, 2);
    b.message_id = sqlite3_column_int64(st, 3);
    b.at = sqlite3_column_int64(st, 4);
    cbrc = cb(ud, &b);
    if(cbrc)
      break;
  }
  crm__stmt_done(c, st);
  if(cbrc)
    return cbrc;
  if(rc != SQLITE_DONE)
    return crm__sqlerr(c, rc, "listing bad addresses");
  return CRM_OK;
}

int crm_bad_address_clear(crm *c, const char *channel, const char *address)
{
  sqlite3_stmt *st;
  char detail[CRM__OB_ADDR_MAX + 64];
  int rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  rc = crm__check_text(c, "channel", channel, CRM__COMM_NAME_MAX, 1);
  if(!rc)
    rc = crm__check_text(c, "address", address, CRM__OB_ADDR_MAX, 1);
  if(rc)
    return rc;
  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  st = crm__stmt(c, crm__sql_ob_bad_del);
  if(!st)
    return crm__ob_end(c, c->errcode);
  sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, address, -1, SQLITE_STATIC);
  rc = crm__step_end(c, st, "clearing bad address");
  if(!rc && sqlite3_changes(c->db) == 0)
    rc = crm__err(c, CRM_ENOTFOUND, "%s is not marked bad on channel %s",
                  address, channel);
  if(!rc) {
    snprintf(detail, sizeof(detail), "channel %s: %s", channel, address);
    rc = crm__audit(c, "api", "address.clear", "bad address", detail);
  }
  return crm__ob_end(c, rc);
}
