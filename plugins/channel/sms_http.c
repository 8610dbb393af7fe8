/*
 * sms_http.c - the `sms_http` channel component: sends each message as
 * an SMS through an HTTP gateway (libcurl), and classifies the gateway's
 * answer (sent, temporary, permanent, rate limited, rejected).
 *
 * Built only against crm/sdk.h, as any out-of-tree plugin is. See
 * docs/channels/sms_http.md for the settings, http_common.h for the
 * settings both HTTP channels share and the classification.
 *
 * Own settings (the plugin's `config` group):
 *   url           required, http:// or https://
 *   method        "POST" (default) or "PUT"
 *   content_type  default "application/json"
 *   body          the request body, with placeholders {to} (the phone
 *                 number), {text} (the message body), {id} (the message
 *                 id), {key} (its idempotency key) and {sender}; values
 *                 are JSON-escaped for a JSON content type, percent-
 *                 encoded for application/x-www-form-urlencoded,
 *                 XML-escaped for an XML type (application/xml, text/xml,
 *                 +xml), as they are otherwise. Default (JSON and form
 *                 only):
 *                 {"to":"{to}","text":"{text}","reference":"{key}"} or
 *                 to={to}&text={text}&reference={key}
 *   sender        the value of {sender}, default ""
 *
 * Every request carries Content-Type, the configured headers and
 * Idempotency-Key: <the message's idempotency key>, the same on every
 * attempt of one message, so that a gateway that deduplicates never
 * sends one message twice.
 *
 * One libcurl easy handle per plugin instance, reused from message to
 * message (the connection to the gateway stays open). Calls on one
 * instance must not overlap (the core's outbox calls channels one at a
 * time).
 */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "crm/sdk.h"

#include "http_common.h"

#define SH_ENC_RAW 0
#define SH_ENC_JSON 1
#define SH_ENC_FORM 2
#define SH_ENC_XML 3

#define SH_JSON_BODY \
  "{\"to\":\"{to}\",\"text\":\"{text}\",\"reference\":\"{key}\"}"
#define SH_FORM_BODY "to={to}&text={text}&reference={key}"

struct sh_settings {
  struct hc_config cf;
  const char *method;       /* "POST" or "PUT" (static) */
  char *content_type;       /* "Content-Type: ..." */
  int enc;                  /* SH_ENC_* */
  char *body;               /* the template */
  char *sender;
};

struct sh_state {
  const crm_host_api *api;
  struct sh_settings set;
  struct hc_conn conn;
};

/* ---- the body template -------------------------------------------------- */

static const char *const sh_names[] = {"to", "text", "id", "key", "sender",
                                       NULL};

/* At p (a '{'): the length of a placeholder "{name}" with name of
 * [a-z_], else 0 (a literal brace). */
static size_t sh_placeholder_len(const char *p)
{
  size_t n = 1;

  while(islower((unsigned char)p[n]) || p[n] == '_')
    n++;
  if(n == 1 || p[n] != '}')
    return 0;
  return n + 1;
}

/* Index in sh_names of the placeholder at p (length len), or -1. */
static int sh_placeholder(const char *p, size_t len)
{
  int i;

  for(i = 0; sh_names[i]; i++) {
    if(strlen(sh_names[i]) == len - 2 && !memcmp(p + 1, sh_names[i], len - 2))
      return i;
  }
  return -1;
}

static int sh_check_template(const crm_host_api *api, crm_host_ctx *ctx,
                             const char *t)
{
  const char *p;

  for(p = t; *p; p++) {
    size_t len;

    if(*p != '{')
      continue;
    len = sh_placeholder_len(p);
    if(len && sh_placeholder(p, len) < 0)
      return api->set_error(ctx, CRM_ECONFIG, "body has an unknown "
                            "placeholder %.*s (known: {to} {text} {id} "
                            "{key} {sender})", (int)len, p);
  }
  return CRM_OK;
}

static void sh_put_value(struct hc_buf *b, int enc, const char *v)
{
  if(enc == SH_ENC_JSON)
    hc_put_json_chars(b, v);
  else if(enc == SH_ENC_FORM)
    hc_put_form(b, v);
  else if(enc == SH_ENC_XML)
    hc_put_xml(b, v);
  else
    hc_puts(b, v);
}

static void sh_render(const struct sh_settings *s, const crm_message_view *m,
                      struct hc_buf *b)
{
  char id[24];
  const char *vals[5];
  const char *p = s->body;

  snprintf(id, sizeof(id), "%" PRId64, m->message_id);
  vals[0] = m->address ? m->address : "";
  vals[1] = m->body ? m->body : "";
  vals[2] = id;
  vals[3] = m->idempotency_key ? m->idempotency_key : "";
  vals[4] = s->sender;
  while(*p) {
    const char *brace = strchr(p, '{');
    size_t len;
    int i;

    if(!brace) {
      hc_puts(b, p);
      break;
    }
    hc_put(b, p, (size_t)(brace - p));
    len = sh_placeholder_len(brace);
    i = len ? sh_placeholder(brace, len) : -1;
    if(i < 0) {
      hc_put(b, brace, 1);
      p = brace + 1;
      continue;
    }
    sh_put_value(b, s->enc, vals[i]);
    p = brace + len;
  }
}

/* ---- config ------------------------------------------------------------- */

static void sh_settings_free(const crm_host_api *api, crm_host_ctx *ctx,
                             struct sh_settings *s)
{
  hc_config_free(api, ctx, &s->cf);
  api->free(ctx, s->content_type);
  api->free(ctx, s->body);
  api->free(ctx, s->sender);
  memset(s, 0, sizeof(*s));
}

static int sh_read_method(const crm_host_api *api, crm_host_ctx *ctx,
                          struct sh_settings *s)
{
  const char *v = "POST";
  int rc = hc_cfg_str(api, ctx, "method", &v);

  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  if(!strcasecmp(v, "POST"))
    s->method = "POST";
  else if(!strcasecmp(v, "PUT"))
    s->method = "PUT";
  else
    return api->set_error(ctx, CRM_ECONFIG, "method \"%s\" is not POST or "
                          "PUT", v);
  return CRM_OK;
}

static int sh_encoding(const char *ct)
{
  size_t n = strcspn(ct, ";");

  while(n && ct[n - 1] == ' ')
    n--;
  if(n == 16 && !strncasecmp(ct, "application/json", 16))
    return SH_ENC_JSON;
  if(n > 5 && !strncasecmp(ct + n - 5, "+json", 5))
    return SH_ENC_JSON;
  if(n == 33 && !strncasecmp(ct, "application/x-www-form-urlencoded", 33))
    return SH_ENC_FORM;
  if((n == 15 && !strncasecmp(ct, "application/xml", 15)) ||
     (n == 8 && !strncasecmp(ct, "text/xml", 8)) ||
     (n > 4 && !strncasecmp(ct + n - 4, "+xml", 4)))
    return SH_ENC_XML;
  return SH_ENC_RAW;
}

static int sh_read_body(const crm_host_api *api, crm_host_ctx *ctx,
                        struct sh_settings *s)
{
  const char *ct = "application/json";
  const char *body = NULL;
  const char *sender = "";
  char line[300];
  int rc;

  rc = hc_cfg_str(api, ctx, "content_type", &ct);
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  if(!*ct || strlen(ct) > 200 || strchr(ct, '\r') || strchr(ct, '\n'))
    return api->set_error(ctx, CRM_ECONFIG, "content_type must be a media "
                          "type of 1 to 200 bytes on one line");
  s->enc = sh_encoding(ct);
  rc = hc_cfg_str(api, ctx, "body", &body);
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  if(rc == CRM_ENOTFOUND) {
    if(s->enc == SH_ENC_RAW)
      return api->set_error(ctx, CRM_ECONFIG, "body is required for "
                            "content_type %s (there is a default for JSON "
                            "and form bodies only)", ct);
    body = s->enc == SH_ENC_JSON ? SH_JSON_BODY : SH_FORM_BODY;
  }
  rc = sh_check_template(api, ctx, body);
  if(rc)
    return rc;
  rc = hc_cfg_str(api, ctx, "sender", &sender);
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  snprintf(line, sizeof(line), "Content-Type: %s", ct);
  s->content_type = hc_strdup(api, ctx, line);
  s->body = hc_strdup(api, ctx, body);
  s->sender = hc_strdup(api, ctx, sender);
  if(!s->content_type || !s->body || !s->sender)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  return CRM_OK;
}

static int sh_read_config(const crm_host_api *api, crm_host_ctx *ctx,
                          struct sh_settings *s)
{
  int rc = hc_config_read(api, ctx, &s->cf, 1);

  if(!rc)
    rc = sh_read_method(api, ctx, s);
  if(!rc)
    rc = sh_read_body(api, ctx, s);
  if(rc)
    sh_settings_free(api, ctx, s);
  return rc;
}

static int sh_init(const crm_host_api *api, crm_host_ctx *ctx, void **state)
{
  struct sh_state *st;
  int rc;

  st = api->alloc(ctx, sizeof(*st));
  if(!st)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  memset(st, 0, sizeof(*st));
  st->api = api;
  rc = sh_read_config(api, ctx, &st->set);
  if(!rc)
    rc = hc_conn_open(api, ctx, &st->conn);
  if(rc) {
    sh_settings_free(api, ctx, &st->set);
    api->free(ctx, st);
    return rc;
  }
  *state = st;
  return CRM_OK;
}

static void sh_fini(void *state, crm_host_ctx *ctx)
{
  struct sh_state *st = state;

  if(!st)
    return;
  hc_conn_close(&st->conn);
  sh_settings_free(st->api, ctx, &st->set);
  st->api->free(ctx, st);
}

static int sh_reconfigure(void *state, crm_host_ctx *ctx)
{
  struct sh_state *st = state;
  struct sh_settings tmp;
  int rc;

  memset(&tmp, 0, sizeof(tmp));
  rc = sh_read_config(st->api, ctx, &tmp);
  if(rc)
    return rc; /* the old settings stay */
  sh_settings_free(st->api, ctx, &st->set);
  st->set = tmp;
  return CRM_OK;
}

/* ---- deliver ------------------------------------------------------------ */

/* "Idempotency-Key: crm-..." into line; 0 when the key cannot be sent. */
static int sh_key_header(const char *key, char *line, size_t size)
{
  const char *p;
  int n;

  for(p = key; *p; p++) {
    if((unsigned char)*p < 0x21 || *p == 0x7f)
      return 0;
  }
  n = snprintf(line, size, "Idempotency-Key: %s", key);
  return n > 0 && (size_t)n < size;
}

static int sh_deliver(void *state, crm_host_ctx *ctx,
                      const crm_message_view *msg, crm_send_result *out)
{
  struct sh_state *st = state;
  const crm_host_api *api = st->api;
  const char *extra[3] = {NULL, NULL, NULL};
  char key[300];
  struct hc_buf b;
  struct curl_slist *headers;
  CURLcode cc;

  if(!msg->address || !*msg->address) {
    out->outcome = CRM_SEND_REJECTED;
    snprintf(out->detail, sizeof(out->detail), "no phone number to send to");
    return CRM_OK;
  }
  extra[0] = st->set.content_type;
  if(msg->idempotency_key && *msg->idempotency_key) {
    if(!sh_key_header(msg->idempotency_key, key, sizeof(key)))
      return api->set_error(ctx, CRM_EINVAL, "idempotency key of message "
                            "%" PRId64 " is not a header value",
                            msg->message_id);
    extra[1] = key;
  }
  memset(&b, 0, sizeof(b));
  b.api = api;
  b.ctx = ctx;
  sh_render(&st->set, msg, &b);
  headers = b.oom ? NULL : hc_headers(&st->set.cf, extra);
  if(!headers) {
    hc_buf_free(&b);
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  }
  cc = hc_setopts(&st->conn, &st->set.cf, st->set.method, st->set.cf.url,
                  &b, headers, "crmcore-sms_http/1.0");
  if(cc == CURLE_OK)
    hc_perform(api, ctx, &st->conn, &st->set.cf, out);
  curl_easy_setopt(st->conn.curl, CURLOPT_HTTPHEADER, NULL);
  curl_easy_setopt(st->conn.curl, CURLOPT_POSTFIELDS, NULL);
  curl_slist_free_all(headers);
  hc_buf_free(&b);
  if(cc != CURLE_OK)
    return api->set_error(ctx, CRM_ERROR, "cannot set up the request: %s",
                          curl_easy_strerror(cc));
  return CRM_OK;
}

/* For a host that calls send (before SDK 1.4): sent or an error. */
static int sh_send(void *state, crm_host_ctx *ctx, const crm_message_view *msg,
                   char *provider_ref, size_t provider_ref_size)
{
  struct sh_state *st = state;

  return hc_send_via(sh_deliver, st->api, state, ctx, msg, provider_ref,
                     provider_ref_size);
}

static const crm_channel_v1 sh_vtable = {
  .struct_size = sizeof(crm_channel_v1),
  .send = sh_send,
  .deliver = sh_deliver,
};

static const crm_component sh_component = {
  .struct_size = sizeof(crm_component),
  .kind = CRM_KIND_CHANNEL,
  .name = "sms_http",
  .description = "sends SMS through an HTTP gateway",
  .vtable = &sh_vtable,
};

static const crm_component *const sh_components[] = {&sh_component};

static const crm_plugin_desc sh_desc = {
  CRM_PLUGIN_DESC_HEADER,
  .name = "sms_http",
  .version = "1.0.0",
  .vendor = "crmcore",
  .license = "MIT",
  .description = "SMS through an HTTP gateway (URL, auth header, body "
                 "template), with idempotency keys and classified answers",
  .components = sh_components,
  .n_components = 1,
  .init = sh_init,
  .fini = sh_fini,
  .reconfigure = sh_reconfigure,
};

CRM_PLUGIN_DEFINE(sh_desc)
