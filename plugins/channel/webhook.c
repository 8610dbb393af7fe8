/*
 * webhook.c - the `webhook` channel component: POSTs each message as a
 * signed JSON document to an integrator's URL (libcurl), and classifies
 * the answer like sms_http (sent, temporary, permanent, rate limited,
 * rejected).
 *
 * Built only against crm/sdk.h, as any out-of-tree plugin is. See
 * docs/channels/webhook.md; http_common.h has the settings both HTTP
 * channels share and the classification.
 *
 * Own settings (the plugin's `config` group):
 *   url     the endpoint for messages whose address is empty (optional;
 *           a route with address "attr:webhook_url" gives each customer
 *           their own)
 *   secret  required: the HMAC-SHA256 key
 *   allowed_hosts  optional list of host names a message's own URL (its
 *           address, e.g. a customer attribute) may point at: "h.example"
 *           (that host, or that address) or "*.example.com" (any host
 *           under that name); [] allows none. Absent: any host (a
 *           warning at load: SSRF). The `url` setting is the admin's
 *           and is not checked against it.
 *
 * Body (UTF-8 JSON, keys in this order):
 *   {"id":12,"idempotency_key":"crm-...-12","customer_id":3,
 *    "external_id":"c3","channel":"webhook","template":"welcome",
 *    "language":"en","priority":"marketing","subject":null,
 *    "body":"...","created_at":"2026-03-01T09:00:00Z"}
 *
 * Headers: Content-Type: application/json, the configured headers,
 * Idempotency-Key: <the message's key>, X-Crm-Timestamp: <unix seconds
 * at the attempt> and X-Crm-Signature: sha256=<lowercase hex of
 * HMAC-SHA256(secret, timestamp + "." + body)>, the body being the exact
 * bytes sent.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/opensslv.h>
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#include <openssl/params.h>
#endif

#include "crm/sdk.h"

#include "http_common.h"

#define WH_SHA256_LEN 32

struct wh_settings {
  struct hc_config cf;
  unsigned char *secret;
  size_t secret_len;
  int host_check;               /* allowed_hosts given (maybe empty) */
  char *hosts[HC_LIST_MAX];     /* lowercase, no trailing dot */
  size_t n_hosts;
};

struct wh_state {
  const crm_host_api *api;
  struct wh_settings set;
  struct hc_conn conn;
};

/* ---- config ------------------------------------------------------------- */

static void wh_settings_free(const crm_host_api *api, crm_host_ctx *ctx,
                             struct wh_settings *s)
{
  size_t i;

  hc_config_free(api, ctx, &s->cf);
  if(s->secret) {
    memset(s->secret, 0, s->secret_len);
    api->free(ctx, s->secret);
  }
  for(i = 0; i < s->n_hosts; i++)
    api->free(ctx, s->hosts[i]);
  memset(s, 0, sizeof(*s));
}

/* A host name ("hooks.example.com", "127.0.0.1") or an IPv6 literal
 * ("[::1]"), after an optional "*." (any host under that name). */
static int wh_host_pattern_ok(const char *h)
{
  size_t n = strlen(h);
  size_t i;

  if(!strncmp(h, "*.", 2)) {
    h += 2;
    n -= 2;
    /* under a name only: "*.0.0.1" would take in 10.0.0.1 */
    if(strspn(h, "0123456789.") == n || h[0] == '[')
      return 0;
  }
  if(n == 0 || n > 253)
    return 0;
  if(h[0] == '[')
    return n > 2 && h[n - 1] == ']' && strspn(h + 1, "0123456789abcdefABCDEF"
                                              ":.") == n - 2;
  for(i = 0; i < n; i++) {
    if(!isalnum((unsigned char)h[i]) && h[i] != '-' && h[i] != '.')
      return 0;
  }
  return h[0] != '.' && !strstr(h, "..");
}

/* A lowercase copy of host without a trailing dot; NULL: no memory. */
static char *wh_host_norm(const crm_host_api *api, crm_host_ctx *ctx,
                          const char *host)
{
  char *d = hc_strdup(api, ctx, host);
  size_t i;

  if(!d)
    return NULL;
  for(i = 0; d[i]; i++)
    d[i] = (char)tolower((unsigned char)d[i]);
  if(i > 1 && d[i - 1] == '.')
    d[i - 1] = '\0';
  return d;
}

/* allowed_hosts: absent (no check), or a list of host patterns. */
static int wh_cfg_hosts(const crm_host_api *api, crm_host_ctx *ctx,
                        struct wh_settings *s)
{
  const char *v = NULL;
  char path[48];
  size_t i;
  int rc;

  rc = api->cfg_get_str(ctx, "allowed_hosts", &v);
  if(rc == CRM_OK)
    return api->set_error(ctx, CRM_ECONFIG, "allowed_hosts must be a list "
                          "of host names");
  s->host_check = rc != CRM_ENOTFOUND; /* an empty list [] too */
  for(i = 0;; i++) {
    snprintf(path, sizeof(path), "allowed_hosts.[%zu]", i);
    v = NULL;
    rc = api->cfg_get_str(ctx, path, &v);
    if(rc == CRM_ENOTFOUND)
      break;
    if(rc == CRM_EINVAL || (rc == CRM_OK && !wh_host_pattern_ok(v)))
      return api->set_error(ctx, CRM_ECONFIG, "allowed_hosts[%zu] must be a "
                            "host name, optionally after \"*.\"", i);
    if(rc)
      return rc;
    if(i >= HC_LIST_MAX)
      return api->set_error(ctx, CRM_ECONFIG, "allowed_hosts has more than "
                            "%d entries", HC_LIST_MAX);
    s->hosts[i] = wh_host_norm(api, ctx, v);
    if(!s->hosts[i])
      return api->set_error(ctx, CRM_ENOMEM, "out of memory");
    s->n_hosts = i + 1;
    s->host_check = 1;
  }
  if(!s->host_check)
    api->log(ctx, CRM_LOG_WARN, "allowed_hosts is not set: a message's own "
             "webhook URL (a customer attribute) may point at any host, "
             "internal ones included");
  return CRM_OK;
}

static int wh_read_config(const crm_host_api *api, crm_host_ctx *ctx,
                          struct wh_settings *s)
{
  const char *secret = NULL;
  int rc = hc_config_read(api, ctx, &s->cf, 0);

  if(!rc) {
    rc = hc_cfg_str(api, ctx, "secret", &secret);
    if(rc == CRM_ENOTFOUND || (rc == CRM_OK && !*secret))
      rc = api->set_error(ctx, CRM_ECONFIG, "secret is required (the key "
                          "the X-Crm-Signature HMAC is made with)");
  }
  if(!rc)
    rc = wh_cfg_hosts(api, ctx, s);
  if(!rc) {
    s->secret_len = strlen(secret);
    s->secret = api->alloc(ctx, s->secret_len + 1);
    if(s->secret)
      memcpy(s->secret, secret, s->secret_len + 1);
    else
      rc = api->set_error(ctx, CRM_ENOMEM, "out of memory");
  }
  if(rc)
    wh_settings_free(api, ctx, s);
  return rc;
}

static int wh_init(const crm_host_api *api, crm_host_ctx *ctx, void **state)
{
  struct wh_state *st;
  int rc;

  st = api->alloc(ctx, sizeof(*st));
  if(!st)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  memset(st, 0, sizeof(*st));
  st->api = api;
  rc = wh_read_config(api, ctx, &st->set);
  if(!rc)
    rc = hc_conn_open(api, ctx, &st->conn);
  if(rc) {
    wh_settings_free(api, ctx, &st->set);
    api->free(ctx, st);
    return rc;
  }
  *state = st;
  return CRM_OK;
}

static void wh_fini(void *state, crm_host_ctx *ctx)
{
  struct wh_state *st = state;

  if(!st)
    return;
  hc_conn_close(&st->conn);
  wh_settings_free(st->api, ctx, &st->set);
  st->api->free(ctx, st);
}

static int wh_reconfigure(void *state, crm_host_ctx *ctx)
{
  struct wh_state *st = state;
  struct wh_settings tmp;
  int rc;

  memset(&tmp, 0, sizeof(tmp));
  rc = wh_read_config(st->api, ctx, &tmp);
  if(rc)
    return rc; /* the old settings stay */
  wh_settings_free(st->api, ctx, &st->set);
  st->set = tmp;
  return CRM_OK;
}

/* ---- body and signature ------------------------------------------------- */

static void wh_put_int(struct hc_buf *b, int64_t v)
{
  char num[24];

  snprintf(num, sizeof(num), "%" PRId64, v);
  hc_puts(b, num);
}

static void wh_put_time(struct hc_buf *b, int64_t t)
{
  char iso[32];
  struct tm tm;
  time_t tt = (time_t)t;

  if(!gmtime_r(&tt, &tm) ||
     !strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm)) {
    hc_puts(b, "null");
    return;
  }
  hc_put_json_string(b, iso);
}

static void wh_format(struct hc_buf *b, const crm_message_view *m)
{
  hc_puts(b, "{\"id\":");
  wh_put_int(b, m->message_id);
  hc_puts(b, ",\"idempotency_key\":");
  hc_put_json_string(b, m->idempotency_key);
  hc_puts(b, ",\"customer_id\":");
  wh_put_int(b, m->customer_id);
  hc_puts(b, ",\"external_id\":");
  hc_put_json_string(b, m->external_id);
  hc_puts(b, ",\"channel\":");
  hc_put_json_string(b, m->channel);
  hc_puts(b, ",\"template\":");
  hc_put_json_string(b, m->template);
  hc_puts(b, ",\"language\":");
  hc_put_json_string(b, m->language);
  hc_puts(b, ",\"priority\":");
  hc_put_json_string(b, m->priority == CRM_PRIORITY_SERVICE ? "service" :
                     "marketing");
  hc_puts(b, ",\"subject\":");
  hc_put_json_string(b, m->subject);
  hc_puts(b, ",\"body\":");
  hc_put_json_string(b, m->body ? m->body : "");
  hc_puts(b, ",\"created_at\":");
  wh_put_time(b, m->created_at);
  hc_puts(b, "}");
}

/* HMAC-SHA256(key, a + b) as lowercase hex into hex (65 bytes); 0 on
 * failure. */
static int wh_hmac_hex(const unsigned char *key, size_t key_len,
                       const char *a, size_t a_len, const char *b,
                       size_t b_len, char *hex)
{
  static const char digits[] = "0123456789abcdef";
  unsigned char md[WH_SHA256_LEN];
  size_t md_len = 0;
  size_t i;
  int ok = 0;
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
  EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  EVP_MAC_CTX *mctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
  char digest[] = "SHA256";
  OSSL_PARAM params[2];

  params[0] = OSSL_PARAM_construct_utf8_string("digest", digest, 0);
  params[1] = OSSL_PARAM_construct_end();
  if(mctx && EVP_MAC_init(mctx, key, key_len, params) == 1 &&
     EVP_MAC_update(mctx, (const unsigned char *)a, a_len) == 1 &&
     EVP_MAC_update(mctx, (const unsigned char *)b, b_len) == 1 &&
     EVP_MAC_final(mctx, md, &md_len, sizeof(md)) == 1 &&
     md_len == WH_SHA256_LEN)
    ok = 1;
  EVP_MAC_CTX_free(mctx);
  EVP_MAC_free(mac);
#else
  HMAC_CTX *h = HMAC_CTX_new();
  unsigned int n = 0;

  if(h && HMAC_Init_ex(h, key, (int)key_len, EVP_sha256(), NULL) == 1 &&
     HMAC_Update(h, (const unsigned char *)a, a_len) == 1 &&
     HMAC_Update(h, (const unsigned char *)b, b_len) == 1 &&
     HMAC_Final(h, md, &n) == 1 && n == WH_SHA256_LEN) {
    ok = 1;
    md_len = n;
  }
  HMAC_CTX_free(h);
#endif
  if(!ok)
    return 0;
  for(i = 0; i < md_len; i++) {
    hex[2 * i] = digits[md[i] >> 4];
    hex[2 * i + 1] = digits[md[i] & 0x0f];
  }
  hex[2 * md_len] = '\0';
  return 1;
}

/* ---- deliver ------------------------------------------------------------ */

struct wh_lines {
  char key[300];
  char ts[48];
  char sig[100];
};

/* The signature and key headers of body into ln; CRM_OK or an error. */
static int wh_sign(struct wh_state *st, crm_host_ctx *ctx,
                   const crm_message_view *msg, const struct hc_buf *b,
                   struct wh_lines *ln)
{
  const crm_host_api *api = st->api;
  char ts[24];
  char hex[2 * WH_SHA256_LEN + 1];
  const char *p;

  snprintf(ts, sizeof(ts), "%lld.", (long long)time(NULL));
  /* signed: the timestamp, a dot, then the body bytes as sent */
  if(!wh_hmac_hex(st->set.secret, st->set.secret_len, ts, strlen(ts),
                  b->data, b->len, hex))
    return api->set_error(ctx, CRM_ERROR, "cannot compute HMAC-SHA256 "
                          "(libcrypto)");
  ts[strlen(ts) - 1] = '\0';
  snprintf(ln->ts, sizeof(ln->ts), "X-Crm-Timestamp: %s", ts);
  snprintf(ln->sig, sizeof(ln->sig), "X-Crm-Signature: sha256=%s", hex);
  ln->key[0] = '\0';
  if(msg->idempotency_key && *msg->idempotency_key) {
    for(p = msg->idempotency_key; *p; p++) {
      if((unsigned char)*p < 0x21 || *p == 0x7f)
        return api->set_error(ctx, CRM_EINVAL, "idempotency key of message "
                              "%" PRId64 " is not a header value",
                              msg->message_id);
    }
    if(strlen(msg->idempotency_key) > 200)
      return api->set_error(ctx, CRM_EINVAL, "idempotency key of message "
                            "%" PRId64 " is longer than 200 bytes",
                            msg->message_id);
    snprintf(ln->key, sizeof(ln->key), "Idempotency-Key: %s",
             msg->idempotency_key);
  }
  return CRM_OK;
}

/* host (lowercase, no trailing dot) against allowed_hosts. */
static int wh_host_allowed(const struct wh_settings *s, const char *host)
{
  size_t hl = strlen(host);
  size_t i;

  for(i = 0; i < s->n_hosts; i++) {
    const char *p = s->hosts[i];
    size_t pl;

    if(strncmp(p, "*.", 2)) {
      if(!strcmp(p, host))
        return 1;
      continue;
    }
    pl = strlen(p + 1); /* ".example.com" */
    if(hl > pl && !strcmp(host + hl - pl, p + 1))
      return 1;
  }
  return 0;
}

/* The message's own URL (its address), parsed by libcurl: *url gets it
 * back as libcurl will use it (curl_free it), so that the host checked
 * is the host connected to. 0; 1 when refused (out filled in); or an
 * error. */
static int wh_own_url(const struct wh_state *st, crm_host_ctx *ctx,
                      const char *address, char **url, crm_send_result *out)
{
  const crm_host_api *api = st->api;
  CURLU *u = curl_url();
  char *host = NULL;
  char *norm = NULL;
  int rc = 1;

  *url = NULL;
  if(!u)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory (libcurl)");
  if(!hc_url_ok(address) ||
     curl_url_set(u, CURLUPART_URL, address, 0) != CURLUE_OK ||
     curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
     curl_url_get(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
    out->outcome = CRM_SEND_PERMANENT;
    snprintf(out->detail, sizeof(out->detail), "webhook url \"%.200s\" is "
             "not an http:// or https:// URL", address);
  }
  else if(st->set.host_check && !(norm = wh_host_norm(api, ctx, host))) {
    rc = api->set_error(ctx, CRM_ENOMEM, "out of memory");
  }
  else if(st->set.host_check && !wh_host_allowed(&st->set, norm)) {
    out->outcome = CRM_SEND_PERMANENT;
    snprintf(out->detail, sizeof(out->detail), "webhook url host \"%.200s\" "
             "is not in allowed_hosts", host);
  }
  else {
    rc = 0;
  }
  if(rc) {
    curl_free(*url);
    *url = NULL;
  }
  api->free(ctx, norm);
  curl_free(host);
  curl_url_cleanup(u);
  return rc;
}

/* Signs and POSTs the message to url; fills out. */
static int wh_post(struct wh_state *st, crm_host_ctx *ctx,
                   const crm_message_view *msg, const char *url,
                   crm_send_result *out)
{
  const crm_host_api *api = st->api;
  const char *extra[5] = {"Content-Type: application/json", NULL, NULL,
                          NULL, NULL};
  struct wh_lines ln;
  struct hc_buf b;
  struct curl_slist *headers = NULL;
  CURLcode cc;
  int rc;

  memset(&b, 0, sizeof(b));
  b.api = api;
  b.ctx = ctx;
  wh_format(&b, msg);
  rc = b.oom ? api->set_error(ctx, CRM_ENOMEM, "out of memory")
             : wh_sign(st, ctx, msg, &b, &ln);
  if(!rc) {
    extra[1] = ln.ts;
    extra[2] = ln.sig;
    extra[3] = ln.key[0] ? ln.key : NULL;
    headers = hc_headers(&st->set.cf, extra);
    if(!headers)
      rc = api->set_error(ctx, CRM_ENOMEM, "out of memory");
  }
  if(rc) {
    hc_buf_free(&b);
    return rc;
  }
  cc = hc_setopts(&st->conn, &st->set.cf, "POST", url, &b, headers,
                  "crmcore-webhook/1.0");
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

static int wh_deliver(void *state, crm_host_ctx *ctx,
                      const crm_message_view *msg, crm_send_result *out)
{
  struct wh_state *st = state;
  char *own = NULL;
  int rc;

  if(msg->address && *msg->address) {
    rc = wh_own_url(st, ctx, msg->address, &own, out);
    if(rc == 0)
      rc = wh_post(st, ctx, msg, own, out);
    curl_free(own);
    return rc == 1 ? CRM_OK : rc;
  }
  if(st->set.cf.url)
    return wh_post(st, ctx, msg, st->set.cf.url, out);
  out->outcome = CRM_SEND_REJECTED;
  snprintf(out->detail, sizeof(out->detail), "no webhook url: the address "
           "is empty and the plugin has no url");
  return CRM_OK;
}

/* For a host that calls send (before SDK 1.4): sent or an error. */
static int wh_send(void *state, crm_host_ctx *ctx, const crm_message_view *msg,
                   char *provider_ref, size_t provider_ref_size)
{
  struct wh_state *st = state;

  return hc_send_via(wh_deliver, st->api, state, ctx, msg, provider_ref,
                     provider_ref_size);
}

static const crm_channel_v1 wh_vtable = {
  .struct_size = sizeof(crm_channel_v1),
  .send = wh_send,
  .deliver = wh_deliver,
};

static const crm_component wh_component = {
  .struct_size = sizeof(crm_component),
  .kind = CRM_KIND_CHANNEL,
  .name = "webhook",
  .description = "POSTs each message as signed JSON to an integrator",
  .vtable = &wh_vtable,
};

static const crm_component *const wh_components[] = {&wh_component};

static const crm_plugin_desc wh_desc = {
  CRM_PLUGIN_DESC_HEADER,
  .name = "webhook",
  .version = "1.0.0",
  .vendor = "crmcore",
  .license = "MIT",
  .description = "Webhook channel: JSON POST signed with HMAC-SHA256 "
                 "(X-Crm-Signature), with idempotency keys",
  .components = wh_components,
  .n_components = 1,
  .init = wh_init,
  .fini = wh_fini,
  .reconfigure = wh_reconfigure,
};

CRM_PLUGIN_DEFINE(wh_desc)
