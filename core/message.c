/*
 * message.c - sending a message to a customer through a channel component.
 *
 * The channel is the one named, else the customer's preferred channel
 * (attribute "channel"), else the first channel loaded. A preferred
 * channel that is not loaded is an error rather than a silent switch:
 * sending on a channel the customer did not choose is what the
 * preference exists to prevent.
 *
 * The address is the customer's e-mail, or the phone for a channel whose
 * name contains "sms"; NULL when the customer has none (the channel
 * decides whether it can deliver without one).
 *
 * The row is written as queued and committed before the channel is
 * called, then marked sent (with the provider's reference) or failed
 * (with the error): a message is never lost, even when the process dies
 * during send. That is why a send inside an open batch (crm_begin) is
 * refused: the queued row could not be committed before the channel is
 * called, and a rollback of the batch would leave a delivered message
 * with no row.
 */
#include <stdio.h>
#include <string.h>

#include "crm_int.h"

#define CRM__MSG_SUBJECT_MAX 998
#define CRM__MSG_BODY_MAX (64 * 1024)
#define CRM__MSG_REF_SIZE 256

static const char crm__sql_msg_insert[] =
  "INSERT INTO messages(customer_id, channel, address, subject, body,"
  " status, created_at) VALUES(?1, ?2, ?3, ?4, ?5, 'queued', ?6)";
static const char crm__sql_msg_sent[] =
  "UPDATE messages SET status = 'sent', provider_ref = ?2, sent_at = ?3,"
  " error = NULL WHERE id = ?1";
static const char crm__sql_msg_failed[] =
  "UPDATE messages SET status = 'failed', error = ?2 WHERE id = ?1";

static crm__component *crm__msg_channel(crm *c, const crm_customer *cust,
                                        const char *channel)
{
  crm__component *comp;
  char pref[CRM_ATTR_VALUE_MAX + 1];
  int rc;

  if(channel) {
    comp = crm__component_find(c, CRM_KIND_CHANNEL, channel);
    if(!comp)
      crm__err(c, CRM_ENOTFOUND, "no channel component \"%s\" is loaded",
               channel);
    return comp;
  }
  rc = crm_customer_get_attr(c, cust->id, "channel", pref, sizeof(pref));
  if(rc && rc != CRM_ENOTFOUND)
    return NULL;
  crm__clear_err(c);
  if(!rc && pref[0]) {
    comp = crm__component_find(c, CRM_KIND_CHANNEL, pref);
    if(!comp)
      crm__err(c, CRM_ENOTFOUND, "customer #%lld prefers channel \"%s\", "
               "which is not loaded", (long long)cust->id, pref);
    return comp;
  }
  comp = crm__component_find(c, CRM_KIND_CHANNEL, NULL);
  if(!comp)
    crm__err(c, CRM_ENOTFOUND, "no channel component is loaded");
  return comp;
}

static const char *crm__msg_address(const crm__component *comp,
                                    const crm_customer *cust)
{
  const char *a = strstr(comp->name, "sms") ? cust->phone : cust->email;

  return a[0] ? a : NULL;
}

static int crm__msg_insert(crm *c, const crm_message_view *m,
                           const char *channel, int64_t *id)
{
  sqlite3_stmt *st;
  int rc;

  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  st = crm__stmt(c, crm__sql_msg_insert);
  if(!st) {
    crm__tx_rollback(c);
    return c->errcode;
  }
  sqlite3_bind_int64(st, 1, m->customer_id);
  sqlite3_bind_text(st, 2, channel, -1, SQLITE_STATIC);
  if(m->address)
    sqlite3_bind_text(st, 3, m->address, -1, SQLITE_STATIC);
  if(m->subject)
    sqlite3_bind_text(st, 4, m->subject, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, m->body, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 6, m->created_at);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc != SQLITE_DONE) {
    rc = crm__sqlerr(c, rc, "queueing message");
    crm__tx_rollback(c);
    return rc;
  }
  *id = sqlite3_last_insert_rowid(c->db);
  return crm__tx_commit(c);
}

/* Marks the row sent (error NULL) or failed; audits either way. */
static int crm__msg_outcome(crm *c, int64_t id, const char *channel,
                            const char *ref, const char *error)
{
  sqlite3_stmt *st;
  char obj[48];
  char detail[CRM__ERRMSG_SIZE + 64];
  int rc;

  rc = crm__tx_begin(c);
  if(rc)
    return rc;
  st = crm__stmt(c, error ? crm__sql_msg_failed : crm__sql_msg_sent);
  if(!st) {
    crm__tx_rollback(c);
    return c->errcode;
  }
  sqlite3_bind_int64(st, 1, id);
  if(error) {
    sqlite3_bind_text(st, 2, error, -1, SQLITE_STATIC);
  }
  else {
    if(ref && *ref)
      sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, crm_now(c));
  }
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if(rc != SQLITE_DONE)
    rc = crm__sqlerr(c, rc, "recording message outcome");
  else
    rc = CRM_OK;
  if(!rc) {
    snprintf(obj, sizeof(obj), "message #%lld", (long long)id);
    snprintf(detail, sizeof(detail), "channel %s: %s%s", channel,
             error ? "failed: " : "sent", error ? error : "");
    rc = crm__audit(c, "api", "message.send", obj, detail);
  }
  if(rc) {
    crm__tx_rollback(c);
    return rc;
  }
  return crm__tx_commit(c);
}

static int crm__msg_check(crm *c, const char *subject, const char *body)
{
  int rc;

  rc = crm__check_text(c, "subject", subject, CRM__MSG_SUBJECT_MAX, 0);
  if(rc)
    return rc;
  if(!body || !*body)
    return crm__err(c, CRM_EINVAL, "body is required");
  if(strlen(body) > CRM__MSG_BODY_MAX)
    return crm__err(c, CRM_ERANGE, "body is too long (more than %d bytes)",
                    CRM__MSG_BODY_MAX);
  return CRM_OK;
}

/* Calls the channel; on failure copies the message into err. */
static int crm__msg_deliver(crm *c, crm__component *comp,
                            const crm_message_view *m, char *ref,
                            char *err, size_t err_size)
{
  crm__plugin *pl = comp->plugin;
  int rc;

  ref[0] = '\0';
  crm__hctx_reset(&pl->hctx);
  rc = comp->vt.channel.send(pl->state, &pl->hctx, m, ref,
                             CRM__MSG_REF_SIZE);
  ref[CRM__MSG_REF_SIZE - 1] = '\0';
  if(!rc)
    return CRM_OK;
  rc = crm__plugin_call_failed(c, comp, rc, "send");
  snprintf(err, err_size, "%s", crm_errmsg(c));
  return rc;
}

int crm_message_send(crm *c, int64_t customer_id, const char *channel,
                     const char *subject, const char *body,
                     int64_t *message_id)
{
  crm_customer cust;
  crm__component *comp;
  crm_message_view m;
  char ref[CRM__MSG_REF_SIZE];
  char err[CRM__ERRMSG_SIZE];
  int64_t id = 0;
  int rc;
  int send_rc;

  if(!c)
    return CRM_EINVAL;
  crm__clear_err(c);
  if(c->batch_depth > 0)
    return crm__err(c, CRM_ESTATE, "cannot send a message inside a batch; "
                    "commit it first");
  rc = crm__msg_check(c, subject, body);
  if(!rc)
    rc = crm_customer_get(c, customer_id, &cust);
  if(rc)
    return rc;
  comp = crm__msg_channel(c, &cust, channel);
  if(!comp)
    return c->errcode;
  memset(&m, 0, sizeof(m));
  m.struct_size = sizeof(m);
  m.customer_id = cust.id;
  m.address = crm__msg_address(comp, &cust);
  m.subject = subject && *subject ? subject : NULL;
  m.body = body;
  m.created_at = crm_now(c);
  m.customer_timezone = cust.timezone;
  rc = crm__msg_insert(c, &m, comp->name, &id);
  if(rc)
    return rc;
  if(message_id)
    *message_id = id;
  m.message_id = id;
  send_rc = crm__msg_deliver(c, comp, &m, ref, err, sizeof(err));
  rc = crm__msg_outcome(c, id, comp->name, ref, send_rc ? err : NULL);
  if(send_rc) {
    /* the row says failed; the caller gets the channel's error */
    crm__err(c, send_rc, "%s", err);
    return send_rc;
  }
  return rc;
}
