/*
 * http_call.h - the request and its answer, for the HTTP channel
 * components (included by http_common.h, which has the buffer, the
 * encoders and the settings; see there for the classification).
 */
#ifndef CRM_HTTP_CALL_H
#define CRM_HTTP_CALL_H

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "crm/sdk.h"

/* ---- the request ------------------------------------------------------- */

/* What came back: the first HC_BODY_KEEP bytes of the body and the
 * headers we read, of the last response (a 100 Continue is skipped). */
struct hc_resp {
  char body[HC_BODY_KEEP + 1];
  size_t len;
  char message_id[CRM_SEND_REF_MAX + 1];
  char retry_after[64];
};

/* The connection (one easy handle, reused: connections stay open between
 * messages) and the answer of the current request. */
struct hc_conn {
  CURL *curl;
  char errbuf[CURL_ERROR_SIZE];
  struct hc_resp resp;
};

static size_t hc_on_body(char *data, size_t size, size_t n, void *ud)
{
  struct hc_resp *r = ud;
  size_t len = size * n;
  size_t room = HC_BODY_KEEP - r->len;
  size_t take = len < room ? len : room;

  memcpy(r->body + r->len, data, take);
  r->len += take;
  r->body[r->len] = '\0';
  return len; /* the rest is read and dropped */
}

/* Copies the header's value (trimmed, control bytes dropped) into out. */
static void hc_header_value(const char *v, size_t n, char *out, size_t size)
{
  size_t o = 0;

  while(n && (*v == ' ' || *v == '\t')) {
    v++;
    n--;
  }
  while(n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' ' ||
              v[n - 1] == '\t'))
    n--;
  for(; n && o + 1 < size; v++, n--) {
    if((unsigned char)*v >= 0x20 && *v != 0x7f)
      out[o++] = *v;
  }
  out[o] = '\0';
}

static int hc_header_is(const char *line, size_t n, const char *name)
{
  size_t k = strlen(name);
  size_t i;

  if(n <= k || line[k] != ':')
    return 0;
  for(i = 0; i < k; i++) {
    if(tolower((unsigned char)line[i]) != tolower((unsigned char)name[i]))
      return 0;
  }
  return 1;
}

static size_t hc_on_header(char *data, size_t size, size_t n, void *ud)
{
  struct hc_resp *r = ud;
  size_t len = size * n;

  if(len >= 5 && !memcmp(data, "HTTP/", 5)) {
    /* a new response (after a 1xx): forget the previous one's */
    r->message_id[0] = '\0';
    r->retry_after[0] = '\0';
    r->len = 0;
    r->body[0] = '\0';
  }
  else if(hc_header_is(data, len, "Retry-After")) {
    hc_header_value(data + 12, len - 12, r->retry_after,
                    sizeof(r->retry_after));
  }
  else if(hc_header_is(data, len, "X-Message-Id")) {
    hc_header_value(data + 13, len - 13, r->message_id,
                    sizeof(r->message_id));
  }
  return len;
}

/* Each plugin instance holds one reference on libcurl's global state:
 * curl_global_init / curl_global_cleanup count their calls (and are
 * thread-safe from libcurl 7.84), so the first init sets libcurl up and
 * the last cleanup tears it down, whichever plugins share it. */
static int hc_conn_open(const crm_host_api *api, crm_host_ctx *ctx,
                        struct hc_conn *conn)
{
  CURLcode cc = curl_global_init(CURL_GLOBAL_DEFAULT);

  if(cc != CURLE_OK)
    return api->set_error(ctx, CRM_ERROR, "cannot start libcurl: %s",
                          curl_easy_strerror(cc));
  conn->curl = curl_easy_init();
  if(!conn->curl) {
    curl_global_cleanup();
    return api->set_error(ctx, CRM_ENOMEM, "cannot start libcurl: out of "
                          "memory");
  }
  return CRM_OK;
}

static void hc_conn_close(struct hc_conn *conn)
{
  if(!conn->curl)
    return;
  curl_easy_cleanup(conn->curl);
  conn->curl = NULL;
  curl_global_cleanup();
}

/* Adds a header line to the list; 0 when out of memory. */
static int hc_slist_add(struct curl_slist **list, const char *line)
{
  struct curl_slist *n = curl_slist_append(*list, line);

  if(!n)
    return 0;
  *list = n;
  return 1;
}

/* The configured headers, then extra (NULL-terminated). NULL when out of
 * memory. */
static struct curl_slist *hc_headers(const struct hc_config *cf,
                                     const char *const *extra)
{
  struct curl_slist *list = NULL;
  size_t i;

  /* no "Expect: 100-continue" round trip before larger bodies */
  if(!hc_slist_add(&list, "Expect:"))
    return NULL;
  for(i = 0; i < cf->n_headers; i++) {
    if(!hc_slist_add(&list, cf->headers[i])) {
      curl_slist_free_all(list);
      return NULL;
    }
  }
  for(i = 0; extra[i]; i++) {
    if(!hc_slist_add(&list, extra[i])) {
      curl_slist_free_all(list);
      return NULL;
    }
  }
  return list;
}

/* Sets the options of one request on the reused handle. */
static CURLcode hc_setopts(struct hc_conn *conn, const struct hc_config *cf,
                           const char *method, const char *url,
                           const struct hc_buf *body,
                           struct curl_slist *headers, const char *agent)
{
  CURL *h = conn->curl;
  CURLcode cc = CURLE_OK;

  curl_easy_reset(h); /* options only: open connections stay */
  memset(&conn->resp, 0, sizeof(conn->resp));
  conn->errbuf[0] = '\0';
#define HC_OPT(o, v) do { if(cc == CURLE_OK) cc = curl_easy_setopt(h, o, v); \
                        } while(0)
  HC_OPT(CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
  HC_OPT(CURLOPT_PROTOCOLS_STR, "http,https");
#endif
  HC_OPT(CURLOPT_NOSIGNAL, 1L);
  HC_OPT(CURLOPT_NOPROGRESS, 1L);
  HC_OPT(CURLOPT_FOLLOWLOCATION, 0L);
  HC_OPT(CURLOPT_POST, 1L);
  HC_OPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
  HC_OPT(CURLOPT_POSTFIELDS, body->data ? body->data : "");
  if(strcmp(method, "POST"))
    HC_OPT(CURLOPT_CUSTOMREQUEST, method);
  HC_OPT(CURLOPT_HTTPHEADER, headers);
  HC_OPT(CURLOPT_USERAGENT, agent);
  HC_OPT(CURLOPT_TIMEOUT_MS, (long)cf->timeout_ms);
  HC_OPT(CURLOPT_CONNECTTIMEOUT_MS, (long)cf->connect_timeout_ms);
  HC_OPT(CURLOPT_SSL_VERIFYPEER, cf->tls_verify ? 1L : 0L);
  HC_OPT(CURLOPT_SSL_VERIFYHOST, cf->tls_verify ? 2L : 0L);
  if(cf->ca_file)
    HC_OPT(CURLOPT_CAINFO, cf->ca_file);
  HC_OPT(CURLOPT_ERRORBUFFER, conn->errbuf);
  HC_OPT(CURLOPT_WRITEFUNCTION, hc_on_body);
  HC_OPT(CURLOPT_WRITEDATA, &conn->resp);
  HC_OPT(CURLOPT_HEADERFUNCTION, hc_on_header);
  HC_OPT(CURLOPT_HEADERDATA, &conn->resp);
#undef HC_OPT
  return cc;
}

/* ---- the answer --------------------------------------------------------- */

static int hc_in(const int *list, size_t n, long status)
{
  size_t i;

  for(i = 0; i < n; i++) {
    if(list[i] == status)
      return 1;
  }
  return 0;
}

/* The longest wait a Retry-After can ask for: one answer (a provider's
 * bug, a date decades ahead) must not stop a channel for longer. */
#define HC_RETRY_AFTER_MAX_S INT64_C(86400)

/* Retry-After: delta seconds or an HTTP-date (against the real clock:
 * the provider's date is a wall-clock time), at most
 * HC_RETRY_AFTER_MAX_S. 0 when absent or unusable (negative, not a
 * number, a date in the past). */
static int64_t hc_retry_after_ms(const char *v)
{
  const char *p = v;
  int64_t secs = 0;
  time_t when;
  time_t now;

  if(!*v)
    return 0;
  if(isdigit((unsigned char)*p)) {
    while(isdigit((unsigned char)*p)) {
      if(secs <= HC_RETRY_AFTER_MAX_S)
        secs = secs * 10 + (*p - '0');
      p++;
    }
    if(*p)
      return 0;
  }
  else {
    when = curl_getdate(v, NULL);
    now = time(NULL);
    if(when == (time_t)-1 || when <= now)
      return 0;
    secs = (int64_t)when - (int64_t)now;
  }
  if(secs > HC_RETRY_AFTER_MAX_S)
    secs = HC_RETRY_AFTER_MAX_S;
  return secs * 1000;
}

/* "HTTP 500: <the first 200 bytes of the body, one line>". */
static void hc_detail_http(crm_send_result *out, long status,
                           const struct hc_resp *r)
{
  char quote[HC_DETAIL_BODY + 1];
  size_t n = r->len < HC_DETAIL_BODY ? r->len : HC_DETAIL_BODY;
  size_t i, o = 0;

  /* do not cut a UTF-8 sequence in two */
  if(n < r->len) {
    while(n > 0 && ((unsigned char)r->body[n] & 0xc0) == 0x80)
      n--;
  }
  for(i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)r->body[i];

    quote[o++] = (ch < 0x20 || ch == 0x7f) ? ' ' : (char)ch;
  }
  while(o > 0 && quote[o - 1] == ' ')
    o--;
  quote[o] = '\0';
  if(o)
    snprintf(out->detail, sizeof(out->detail), "HTTP %ld: %s", status, quote);
  else
    snprintf(out->detail, sizeof(out->detail), "HTTP %ld", status);
}

/* The provider's message id of a 2xx answer into out->provider_ref. */
static void hc_provider_ref(const crm_host_api *api, crm_host_ctx *ctx,
                            const struct hc_config *cf,
                            const struct hc_resp *r, crm_send_result *out)
{
  char buf[CRM_SEND_REF_MAX + 1];
  size_t i;

  if(cf->id_path && r->len &&
     api->json_get(ctx, r->body, cf->id_path, buf, sizeof(buf)) == CRM_OK &&
     buf[0]) {
    for(i = 0; buf[i]; i++) {
      if((unsigned char)buf[i] < 0x20)
        buf[i] = ' ';
    }
    snprintf(out->provider_ref, sizeof(out->provider_ref), "%s", buf);
    return;
  }
  snprintf(out->provider_ref, sizeof(out->provider_ref), "%s",
           r->message_id);
}

/* Classifies a completed HTTP exchange. */
static void hc_classify(const crm_host_api *api, crm_host_ctx *ctx,
                        const struct hc_config *cf, long status,
                        const struct hc_resp *r, crm_send_result *out)
{
  out->provider_status = (int)status;
  hc_detail_http(out, status, r);
  if(status >= 200 && status <= 299) {
    out->outcome = CRM_SEND_SENT;
    hc_provider_ref(api, ctx, cf, r, out);
    return;
  }
  if(hc_in(cf->permanent, cf->n_permanent, status)) {
    out->outcome = CRM_SEND_PERMANENT;
    return;
  }
  if(hc_in(cf->rejected, cf->n_rejected, status)) {
    out->outcome = CRM_SEND_REJECTED;
    return;
  }
  if(status == 429) {
    out->outcome = CRM_SEND_RATE_LIMITED;
    out->retry_after_ms = hc_retry_after_ms(r->retry_after);
    return;
  }
  if(status >= 400 && status <= 499 && status != 408 && status != 425 &&
     status != 401 && status != 403 && status != 407 && status != 409) {
    out->outcome = CRM_SEND_REJECTED;
    return;
  }
  out->outcome = CRM_SEND_TEMPORARY;
  out->retry_after_ms = hc_retry_after_ms(r->retry_after);
}

/* Runs the request set up on conn and classifies what happened. */
static void hc_perform(const crm_host_api *api, crm_host_ctx *ctx,
                       struct hc_conn *conn, const struct hc_config *cf,
                       crm_send_result *out)
{
  CURLcode cc = curl_easy_perform(conn->curl);
  long status = 0;

  if(cc != CURLE_OK) {
    out->outcome = CRM_SEND_TEMPORARY;
    out->provider_status = 0;
    snprintf(out->detail, sizeof(out->detail), "curl: %s",
             conn->errbuf[0] ? conn->errbuf : curl_easy_strerror(cc));
    return;
  }
  curl_easy_getinfo(conn->curl, CURLINFO_RESPONSE_CODE, &status);
  hc_classify(api, ctx, cf, status, &conn->resp, out);
}

/* The 1.0-1.3 send entry over a plugin's deliver: 0 with the provider's
 * reference when sent, else CRM_ERROR with the provider's answer. */
typedef int (*hc_deliver_fn)(void *state, crm_host_ctx *ctx,
                             const crm_message_view *msg,
                             crm_send_result *out);

static int hc_send_via(hc_deliver_fn deliver, const crm_host_api *api,
                       void *state, crm_host_ctx *ctx,
                       const crm_message_view *msg, char *provider_ref,
                       size_t provider_ref_size)
{
  crm_send_result r;
  int rc;

  memset(&r, 0, sizeof(r));
  r.struct_size = sizeof(r);
  rc = deliver(state, ctx, msg, &r);
  if(rc)
    return rc;
  if(r.outcome != CRM_SEND_SENT)
    return api->set_error(ctx, CRM_ERROR, "%s", r.detail);
  if(provider_ref && provider_ref_size)
    snprintf(provider_ref, provider_ref_size, "%s", r.provider_ref);
  return CRM_OK;
}

#endif /* CRM_HTTP_CALL_H */
