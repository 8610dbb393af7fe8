/*
 * http_common.h - what the HTTP channel components (sms_http.c,
 * webhook.c) share: settings common to both, a growing buffer, JSON,
 * XML and percent encoding, the libcurl request and the classification
 * of the answer into a crm_send_result.
 *
 * Each plugin includes this file (static functions only): plugins share
 * no code at run time and each .so builds on its own.
 *
 * Common settings (the plugin's `config` group):
 *   headers             list of "Name: value" strings sent with every
 *                       request (e.g. "Authorization: Bearer xyz")
 *   timeout_ms          whole request, default 10000
 *   connect_timeout_ms  default 5000
 *   tls_verify          verify the server's certificate and name,
 *                       default true
 *   ca_file             CA bundle for tls_verify (default: the system's)
 *   response_id_path    where the provider's message id is in a JSON
 *                       answer: a top-level key ("message_id") or an
 *                       SQLite JSON path ("$.data.id"); else the
 *                       X-Message-Id header; else none
 *   permanent_statuses  default [400, 404, 410]
 *   rejected_statuses   default [413, 422]
 *
 * Classification of an answer (first match wins):
 *   transport error (refused, timeout, DNS, TLS)  temporary
 *   2xx                                  sent
 *   a status in permanent_statuses       permanent (the address is bad)
 *   a status in rejected_statuses        rejected (the message is bad)
 *   429                                  rate limited (Retry-After,
 *                                        at most 24 hours)
 *   408, 425, 5xx, 401, 403, 407, 409    temporary (Retry-After if given)
 *   any other 4xx                        rejected
 *   anything else (1xx, 3xx: redirects are not followed)  temporary
 */
#ifndef CRM_HTTP_COMMON_H
#define CRM_HTTP_COMMON_H

#include <ctype.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "crm/sdk.h"

#define HC_LIST_MAX 32          /* headers, statuses */
#define HC_HEADER_MAX 1024      /* one configured header line */
#define HC_BODY_KEEP 8192       /* of the answer's body */
#define HC_DETAIL_BODY 200      /* bytes of the answer quoted in detail */

/* For the few helpers only one of the two plugins calls. */
#define HC_MAYBE_UNUSED __attribute__((unused))

/* ---- a growing buffer (host allocator) ---------------------------------- */

struct hc_buf {
  const crm_host_api *api;
  crm_host_ctx *ctx;
  char *data;
  size_t len;
  size_t cap;
  int oom;
};

static void hc_put(struct hc_buf *b, const char *s, size_t n)
{
  if(b->oom)
    return;
  if(b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    char *d;

    while(cap < b->len + n + 1)
      cap *= 2;
    d = b->api->alloc(b->ctx, cap);
    if(!d) {
      b->oom = 1;
      return;
    }
    if(b->len)
      memcpy(d, b->data, b->len);
    b->api->free(b->ctx, b->data);
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

static void hc_puts(struct hc_buf *b, const char *s)
{
  hc_put(b, s, strlen(s));
}

static void hc_buf_free(struct hc_buf *b)
{
  b->api->free(b->ctx, b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t hc_utf8_len(const unsigned char *s)
{
  size_t n, i;
  uint32_t cp;

  if(s[0] < 0x80)
    return 1;
  if(s[0] >= 0xc2 && s[0] <= 0xdf) {
    n = 2;
    cp = s[0] & 0x1f;
  }
  else if(s[0] >= 0xe0 && s[0] <= 0xef) {
    n = 3;
    cp = s[0] & 0x0f;
  }
  else if(s[0] >= 0xf0 && s[0] <= 0xf4) {
    n = 4;
    cp = s[0] & 0x07;
  }
  else {
    return 0;
  }
  for(i = 1; i < n; i++) {
    if((s[i] & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3f);
  }
  if((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
     (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
    return 0;
  return n;
}

/* The inside of a JSON string (no quotes): quote, backslash and control
 * characters escaped; valid UTF-8 as is; invalid bytes become U+FFFD. */
static void hc_put_json_chars(struct hc_buf *b, const char *s)
{
  const unsigned char *p = (const unsigned char *)s;
  char esc[8];

  while(*p) {
    size_t n;

    switch(*p) {
    case '"': hc_puts(b, "\\\""); p++; continue;
    case '\\': hc_puts(b, "\\\\"); p++; continue;
    case '\n': hc_puts(b, "\\n"); p++; continue;
    case '\r': hc_puts(b, "\\r"); p++; continue;
    case '\t': hc_puts(b, "\\t"); p++; continue;
    default: break;
    }
    if(*p < 0x20) {
      snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)*p);
      hc_puts(b, esc);
      p++;
      continue;
    }
    n = hc_utf8_len(p);
    if(n == 0) {
      hc_puts(b, "\\ufffd");
      p++;
      continue;
    }
    hc_put(b, (const char *)p, n);
    p += n;
  }
}

/* A JSON string value, or null for NULL. */
HC_MAYBE_UNUSED static void hc_put_json_string(struct hc_buf *b,
                                               const char *s)
{
  if(!s) {
    hc_puts(b, "null");
    return;
  }
  hc_puts(b, "\"");
  hc_put_json_chars(b, s);
  hc_puts(b, "\"");
}

/* application/x-www-form-urlencoded: unreserved bytes as they are, a
 * space as '+', every other byte %XX (UTF-8 bytes one by one). */
HC_MAYBE_UNUSED static void hc_put_form(struct hc_buf *b, const char *s)
{
  static const char hex[] = "0123456789ABCDEF";
  const unsigned char *p = (const unsigned char *)s;
  char esc[3];

  for(; *p; p++) {
    if(isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
      hc_put(b, (const char *)p, 1);
    }
    else if(*p == ' ') {
      hc_puts(b, "+");
    }
    else {
      esc[0] = '%';
      esc[1] = hex[*p >> 4];
      esc[2] = hex[*p & 0x0f];
      hc_put(b, esc, 3);
    }
  }
}

/* XML character data or attribute value: & < > " ' as entities; tab,
 * LF, CR and valid UTF-8 as they are; other control bytes (not allowed
 * in XML 1.0) and invalid bytes become U+FFFD. */
HC_MAYBE_UNUSED static void hc_put_xml(struct hc_buf *b, const char *s)
{
  const unsigned char *p = (const unsigned char *)s;

  while(*p) {
    size_t n;

    switch(*p) {
    case '&': hc_puts(b, "&amp;"); p++; continue;
    case '<': hc_puts(b, "&lt;"); p++; continue;
    case '>': hc_puts(b, "&gt;"); p++; continue;
    case '"': hc_puts(b, "&quot;"); p++; continue;
    case '\'': hc_puts(b, "&apos;"); p++; continue;
    case '\t': case '\n': case '\r': hc_put(b, (const char *)p, 1); p++;
      continue;
    default: break;
    }
    n = *p < 0x20 ? 0 : hc_utf8_len(p);
    if(n == 0) {
      hc_puts(b, "\xef\xbf\xbd");
      p++;
      continue;
    }
    hc_put(b, (const char *)p, n);
    p += n;
  }
}

/* ---- settings ----------------------------------------------------------- */

struct hc_config {
  char *url;                     /* NULL: none configured */
  char *headers[HC_LIST_MAX];
  size_t n_headers;
  int64_t timeout_ms;
  int64_t connect_timeout_ms;
  int tls_verify;
  char *ca_file;                 /* NULL: the system's bundle */
  char *id_path;                 /* JSON path ("$.message_id") or NULL */
  int permanent[HC_LIST_MAX];
  size_t n_permanent;
  int rejected[HC_LIST_MAX];
  size_t n_rejected;
};

static char *hc_strdup(const crm_host_api *api, crm_host_ctx *ctx,
                       const char *s)
{
  size_t n = strlen(s) + 1;
  char *d = api->alloc(ctx, n);

  if(d)
    memcpy(d, s, n);
  return d;
}

static void hc_config_free(const crm_host_api *api, crm_host_ctx *ctx,
                           struct hc_config *cf)
{
  size_t i;

  api->free(ctx, cf->url);
  for(i = 0; i < cf->n_headers; i++)
    api->free(ctx, cf->headers[i]);
  api->free(ctx, cf->ca_file);
  api->free(ctx, cf->id_path);
  memset(cf, 0, sizeof(*cf));
}

/* An http:// or https:// URL with a host, no spaces or control bytes. */
static int hc_url_ok(const char *url)
{
  const char *p;
  const char *host;

  if(!strncmp(url, "http://", 7))
    host = url + 7;
  else if(!strncmp(url, "https://", 8))
    host = url + 8;
  else
    return 0;
  if(!*host || *host == '/' || *host == ':')
    return 0;
  for(p = url; *p; p++) {
    if((unsigned char)*p <= 0x20 || *p == 0x7f)
      return 0;
  }
  return 1;
}

/* "Name: value": a token name, a colon, no CR, LF or NUL. */
static int hc_header_ok(const char *h)
{
  const char *p = h;

  while(*p && *p != ':') {
    if(!isalnum((unsigned char)*p) && !strchr("!#$%&'*+-.^_`|~", *p))
      return 0;
    p++;
  }
  if(p == h || *p != ':')
    return 0;
  for(; *p; p++) {
    if(*p == '\r' || *p == '\n')
      return 0;
  }
  return strlen(h) < HC_HEADER_MAX;
}

/* A string setting: CRM_ENOTFOUND when absent; *out stays as preset. */
static int hc_cfg_str(const crm_host_api *api, crm_host_ctx *ctx,
                      const char *key, const char **out)
{
  int rc = api->cfg_get_str(ctx, key, out);

  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be a string", key);
  return rc;
}

static int hc_cfg_ms(const crm_host_api *api, crm_host_ctx *ctx,
                     const char *key, int64_t dflt, int64_t *out)
{
  int64_t v = dflt;
  int rc = api->cfg_get_int(ctx, key, &v);

  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be an integer "
                          "(milliseconds)", key);
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  if(v < 1 || v > 600000)
    return api->set_error(ctx, CRM_ECONFIG, "%s %" PRId64 " is out of "
                          "range (1 to 600000 milliseconds)", key, v);
  *out = v;
  return CRM_OK;
}

static int hc_cfg_headers(const crm_host_api *api, crm_host_ctx *ctx,
                          struct hc_config *cf)
{
  const char *v = NULL;
  char path[48];
  size_t i;
  int rc;

  /* a list: absent, or present and not a string */
  rc = api->cfg_get_str(ctx, "headers", &v);
  if(rc == CRM_OK)
    return api->set_error(ctx, CRM_ECONFIG, "headers must be a list of "
                          "\"Name: value\" strings");
  for(i = 0;; i++) {
    snprintf(path, sizeof(path), "headers.[%zu]", i);
    v = NULL;
    rc = api->cfg_get_str(ctx, path, &v);
    if(rc == CRM_ENOTFOUND)
      break;
    if(rc == CRM_EINVAL || (rc == CRM_OK && !hc_header_ok(v)))
      return api->set_error(ctx, CRM_ECONFIG, "headers[%zu] must be a "
                            "\"Name: value\" string (one line)", i);
    if(rc)
      return rc;
    if(i >= HC_LIST_MAX)
      return api->set_error(ctx, CRM_ECONFIG, "headers has more than %d "
                            "entries", HC_LIST_MAX);
    cf->headers[i] = hc_strdup(api, ctx, v);
    if(!cf->headers[i])
      return api->set_error(ctx, CRM_ENOMEM, "out of memory");
    cf->n_headers = i + 1;
  }
  return CRM_OK;
}

/* A list of HTTP statuses (400..599); absent: the defaults. */
static int hc_cfg_statuses(const crm_host_api *api, crm_host_ctx *ctx,
                           const char *key, const int *dflt, size_t n_dflt,
                           int *out, size_t *n_out)
{
  const char *s = NULL;
  char path[48];
  int64_t v;
  size_t i;
  int present;
  int rc;


  rc = api->cfg_get_str(ctx, key, &s);
  if(rc == CRM_OK)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be a list of HTTP "
                          "statuses", key);
  present = rc != CRM_ENOTFOUND; /* an empty list [] too */
  *n_out = 0;
  for(i = 0;; i++) {
    snprintf(path, sizeof(path), "%s.[%zu]", key, i);
    rc = api->cfg_get_int(ctx, path, &v);
    if(rc == CRM_ENOTFOUND && !present && i == 0) {
      memcpy(out, dflt, n_dflt * sizeof(*dflt));
      *n_out = n_dflt;
      return CRM_OK;
    }
    if(rc == CRM_ENOTFOUND)
      break;
    if(rc == CRM_EINVAL || (rc == CRM_OK && (v < 400 || v > 599)))
      return api->set_error(ctx, CRM_ECONFIG, "%s[%zu] must be an HTTP "
                            "status from 400 to 599", key, i);
    if(rc)
      return rc;
    if(i >= HC_LIST_MAX)
      return api->set_error(ctx, CRM_ECONFIG, "%s has more than %d "
                            "entries", key, HC_LIST_MAX);
    out[i] = (int)v;
    *n_out = i + 1;
  }
  return CRM_OK;
}

static int hc_cfg_id_path(const crm_host_api *api, crm_host_ctx *ctx,
                          struct hc_config *cf)
{
  const char *v = NULL;
  char path[160];
  const char *p;
  int rc;

  rc = hc_cfg_str(api, ctx, "response_id_path", &v);
  if(rc == CRM_ENOTFOUND || (rc == CRM_OK && !*v))
    return CRM_OK;
  if(rc)
    return rc;
  if(v[0] == '$') {
    snprintf(path, sizeof(path), "%s", v);
  }
  else {
    for(p = v; *p; p++) {
      if(!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
        return api->set_error(ctx, CRM_ECONFIG, "response_id_path \"%s\" "
                              "must be a top-level key (letters, digits, _ "
                              "and -) or a JSON path starting with $", v);
    }
    snprintf(path, sizeof(path), "$.\"%s\"", v);
  }
  if(strlen(v) > 120)
    return api->set_error(ctx, CRM_ECONFIG, "response_id_path is longer "
                          "than 120 bytes");
  if(!api->json_get || api->struct_size <
     offsetof(crm_host_api, json_get) + sizeof(api->json_get))
    return api->set_error(ctx, CRM_ECONFIG, "response_id_path needs a "
                          "host with json_get (SDK 1.2 or later)");
  cf->id_path = hc_strdup(api, ctx, path);
  return cf->id_path ? CRM_OK : api->set_error(ctx, CRM_ENOMEM,
                                               "out of memory");
}

/* Reads the common settings into cf (zeroed by the caller; freed by the
 * caller on failure too). url_required: 1 when url must be set. */
static int hc_config_read(const crm_host_api *api, crm_host_ctx *ctx,
                          struct hc_config *cf, int url_required)
{
  static const int perm[] = {400, 404, 410};
  static const int rej[] = {413, 422};
  const char *v = NULL;
  char path[4096];
  int rc;

  rc = hc_cfg_str(api, ctx, "url", &v);
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  if(rc == CRM_ENOTFOUND || !*v) {
    if(url_required)
      return api->set_error(ctx, CRM_ECONFIG, "url is required (the "
                            "provider's http:// or https:// endpoint)");
  }
  else {
    if(!hc_url_ok(v))
      return api->set_error(ctx, CRM_ECONFIG, "url \"%s\" is not an http:// "
                            "or https:// URL", v);
    cf->url = hc_strdup(api, ctx, v);
    if(!cf->url)
      return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  }
  rc = hc_cfg_headers(api, ctx, cf);
  if(!rc)
    rc = hc_cfg_ms(api, ctx, "timeout_ms", 10000, &cf->timeout_ms);
  if(!rc)
    rc = hc_cfg_ms(api, ctx, "connect_timeout_ms", 5000,
                   &cf->connect_timeout_ms);
  if(rc)
    return rc;
  cf->tls_verify = 1;
  rc = api->cfg_get_bool(ctx, "tls_verify", &cf->tls_verify);
  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "tls_verify must be true or "
                          "false");
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  if(!cf->tls_verify)
    api->log(ctx, CRM_LOG_WARN, "tls_verify is off: the provider's "
             "certificate is not checked");
  rc = api->cfg_get_path(ctx, "ca_file", path, sizeof(path));
  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "ca_file must be a string");
  if(rc == CRM_OK && *path) {
    cf->ca_file = hc_strdup(api, ctx, path);
    if(!cf->ca_file)
      return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  }
  else if(rc && rc != CRM_ENOTFOUND) {
    return rc;
  }
  rc = hc_cfg_id_path(api, ctx, cf);
  if(!rc)
    rc = hc_cfg_statuses(api, ctx, "permanent_statuses", perm, 3,
                         cf->permanent, &cf->n_permanent);
  if(!rc)
    rc = hc_cfg_statuses(api, ctx, "rejected_statuses", rej, 2,
                         cf->rejected, &cf->n_rejected);
  return rc;
}

/* the request and its answer */
#include "http_call.h"

#endif /* CRM_HTTP_COMMON_H */
