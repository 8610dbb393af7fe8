/*
 * smtp.c - the `smtp` channel component: real e-mail through libcurl's
 * SMTP client (STARTTLS or implicit TLS where configured), one RFC 5322
 * message per send with UTF-8 subject and body, List-Unsubscribe, and
 * the message's idempotency key as its Message-ID.
 *
 * Built only against crm/sdk.h and libcurl, as any out-of-tree plugin.
 * Configuration, headers and the classification of the server's answers
 * are described in docs/channels/smtp.md.
 *
 * One connection per message (a fresh easy handle): no state survives a
 * send, so a retry after a crash starts clean. The SMTP replies are read
 * through libcurl's debug callback (CURLINFO_HEADER_IN); of the commands
 * sent (CURLINFO_HEADER_OUT) only the verb is kept, never an argument,
 * so credentials are never copied.
 */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "crm/sdk.h"
#include "smtp_mime.h"

#define SMTP_TLS_OFF 0
#define SMTP_TLS_TRY 1
#define SMTP_TLS_REQUIRED 2

#define SMTP_PASSWORD_MAX 1024
#define SMTP_URL_MAX 900 /* an unsubscribe URL on one header line */

struct smtp_state {
  const crm_host_api *api;
  char *url;       /* with the EHLO name as its path when helo is set */
  int implicit_tls; /* smtps:// */
  int starttls;    /* SMTP_TLS_* */
  int starttls_set; /* given in the config (else: by the credentials) */
  int verify_peer;
  char *ca_file;   /* NULL: the system's */
  char *username;
  char *password;
  char *from;
  char *from_name;
  char *reply_to;
  char *unsub_mailto;
  int64_t timeout_ms;
  int64_t connect_timeout_ms;
};

/* ---- config ------------------------------------------------------------- */

static char *smtp_strdup(const crm_host_api *api, crm_host_ctx *ctx,
                         const char *s)
{
  size_t n = strlen(s) + 1;
  char *d = api->alloc(ctx, n);

  if(d)
    memcpy(d, s, n);
  return d;
}

static void smtp_wipe_free(const crm_host_api *api, crm_host_ctx *ctx,
                           char *s)
{
  volatile char *v = s;

  if(!s)
    return;
  while(*v)
    *v++ = '\0';
  api->free(ctx, s);
}

static void smtp_state_clear(struct smtp_state *st, crm_host_ctx *ctx)
{
  const crm_host_api *api = st->api;

  api->free(ctx, st->url);
  api->free(ctx, st->ca_file);
  api->free(ctx, st->username);
  smtp_wipe_free(api, ctx, st->password);
  api->free(ctx, st->from);
  api->free(ctx, st->from_name);
  api->free(ctx, st->reply_to);
  api->free(ctx, st->unsub_mailto);
  memset(st, 0, sizeof(*st));
  st->api = api;
}

/* An optional string setting; *out stays NULL when absent. */
static int smtp_cfg_str(const crm_host_api *api, crm_host_ctx *ctx,
                        const char *key, const char **out)
{
  int rc = api->cfg_get_str(ctx, key, out);

  if(rc == CRM_ENOTFOUND) {
    *out = NULL;
    return CRM_OK;
  }
  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be a string", key);
  if(rc)
    return rc;
  if(*out && smtp_has_crlf(*out))
    return api->set_error(ctx, CRM_ECONFIG, "%s contains CR or LF", key);
  return CRM_OK;
}

/* A copy of an optional string into *dst (NULL when absent). */
static int smtp_cfg_copy(struct smtp_state *st, crm_host_ctx *ctx,
                         const char *key, char **dst)
{
  const char *v = NULL;
  int rc = smtp_cfg_str(st->api, ctx, key, &v);

  if(rc || !v)
    return rc;
  *dst = smtp_strdup(st->api, ctx, v);
  if(!*dst)
    return st->api->set_error(ctx, CRM_ENOMEM, "out of memory");
  return CRM_OK;
}

static int smtp_cfg_ms(const crm_host_api *api, crm_host_ctx *ctx,
                       const char *key, int64_t *out)
{
  int rc = api->cfg_get_int(ctx, key, out);

  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be an integer "
                          "(milliseconds)", key);
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  if(*out < 1 || *out > 3600000)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be between 1 and "
                          "3600000 milliseconds, not %" PRId64, key, *out);
  return CRM_OK;
}

/* url: smtp:// or smtps://, parsed by libcurl; helo becomes the path
 * (libcurl's EHLO name). */
static int smtp_cfg_url(struct smtp_state *st, crm_host_ctx *ctx)
{
  const crm_host_api *api = st->api;
  const char *url = NULL;
  const char *helo = NULL;
  char *scheme = NULL;
  char *path = NULL;
  char *full = NULL;
  CURLU *u;
  int rc;

  rc = smtp_cfg_str(api, ctx, "url", &url);
  if(!rc)
    rc = smtp_cfg_str(api, ctx, "helo", &helo);
  if(rc)
    return rc;
  if(!url || !*url)
    return api->set_error(ctx, CRM_ECONFIG, "url is required "
                          "(\"smtp://host:587\" or \"smtps://host:465\")");
  u = curl_url();
  if(!u)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  if(curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
     curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
    rc = api->set_error(ctx, CRM_ECONFIG, "url \"%s\" is not a valid url",
                        url);
    goto out;
  }
  if(strcmp(scheme, "smtp") && strcmp(scheme, "smtps")) {
    rc = api->set_error(ctx, CRM_ECONFIG, "url scheme must be smtp or smtps,"
                        " not %s", scheme);
    goto out;
  }
  st->implicit_tls = !strcmp(scheme, "smtps");
  if(curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK && helo &&
     strcmp(path, "/") && strcmp(path, "")) {
    rc = api->set_error(ctx, CRM_ECONFIG, "url has a path (%s) and helo is "
                        "set; give the EHLO name once", path);
    goto out;
  }
  if(helo) {
    char p[300];
    size_t i;

    for(i = 0; helo[i]; i++)
      if(!isalnum((unsigned char)helo[i]) && !strchr(".-[]:", helo[i]))
        break;
    if(!*helo || helo[i] || i > 253) {
      rc = api->set_error(ctx, CRM_ECONFIG, "helo \"%s\" is not a host name",
                          helo);
      goto out;
    }
    snprintf(p, sizeof(p), "/%s", helo);
    if(curl_url_set(u, CURLUPART_PATH, p, 0) != CURLUE_OK) {
      rc = api->set_error(ctx, CRM_ECONFIG, "helo \"%s\" is not a host name",
                          helo);
      goto out;
    }
  }
  if(curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK) {
    rc = api->set_error(ctx, CRM_ECONFIG, "url \"%s\" is not a valid url",
                        url);
    goto out;
  }
  st->url = smtp_strdup(api, ctx, full);
  if(!st->url)
    rc = api->set_error(ctx, CRM_ENOMEM, "out of memory");
out:
  curl_free(scheme);
  curl_free(path);
  curl_free(full);
  curl_url_cleanup(u);
  return rc;
}

static int smtp_cfg_tls(struct smtp_state *st, crm_host_ctx *ctx)
{
  const crm_host_api *api = st->api;
  const char *mode = NULL;
  int verify = 1;
  int rc;

  rc = smtp_cfg_str(api, ctx, "starttls", &mode);
  if(rc)
    return rc;
  st->starttls = SMTP_TLS_TRY;
  st->starttls_set = mode != NULL;
  if(mode && !strcmp(mode, "off"))
    st->starttls = SMTP_TLS_OFF;
  else if(mode && !strcmp(mode, "required"))
    st->starttls = SMTP_TLS_REQUIRED;
  else if(mode && strcmp(mode, "try"))
    return api->set_error(ctx, CRM_ECONFIG, "starttls must be \"off\", "
                          "\"try\" or \"required\", not \"%s\"", mode);
  if(mode && st->implicit_tls)
    api->log(ctx, CRM_LOG_INFO, "starttls does not apply to smtps:// (tls "
             "from the first byte); ignored");
  rc = api->cfg_get_bool(ctx, "verify_peer", &verify);
  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "verify_peer must be true or "
                          "false");
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  st->verify_peer = verify != 0;
  if(!st->verify_peer)
    api->log(ctx, CRM_LOG_WARN, "verify_peer is false: the server's "
             "certificate is not checked");
  return CRM_OK;
}

static int smtp_cfg_ca(struct smtp_state *st, crm_host_ctx *ctx)
{
  const crm_host_api *api = st->api;
  const char *v = NULL;
  char path[4096];
  int rc;

  if(!CRM_HAS_MEMBER(api, crm_host_api, cfg_get_path) || !api->cfg_get_path)
    return smtp_cfg_copy(st, ctx, "ca_file", &st->ca_file);
  rc = smtp_cfg_str(api, ctx, "ca_file", &v);
  if(rc || !v)
    return rc;
  rc = api->cfg_get_path(ctx, "ca_file", path, sizeof(path));
  if(rc)
    return api->set_error(ctx, CRM_ECONFIG, "ca_file: path too long");
  st->ca_file = smtp_strdup(api, ctx, path);
  if(!st->ca_file)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  return CRM_OK;
}

/* The first line of the file at path (no CR/LF), 1..1024 bytes. */
static int smtp_read_secret(struct smtp_state *st, crm_host_ctx *ctx,
                            const char *path)
{
  char buf[SMTP_PASSWORD_MAX + 2];
  FILE *f = fopen(path, "r");
  size_t n;
  int rc = CRM_OK;

  if(!f)
    return st->api->set_error(ctx, CRM_ECONFIG, "password_file %s cannot be"
                              " read", path);
  n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  buf[n] = '\0';
  n = strcspn(buf, "\r\n");
  buf[n] = '\0';
  if(n == 0 || n > SMTP_PASSWORD_MAX || strlen(buf) != n)
    rc = st->api->set_error(ctx, CRM_ECONFIG, "password_file %s must hold "
                            "the password (1 to %d bytes) on its first line",
                            path, SMTP_PASSWORD_MAX);
  else if(!(st->password = smtp_strdup(st->api, ctx, buf)))
    rc = st->api->set_error(ctx, CRM_ENOMEM, "out of memory");
  memset(buf, 0, sizeof(buf));
  return rc;
}

static int smtp_cfg_auth(struct smtp_state *st, crm_host_ctx *ctx)
{
  const crm_host_api *api = st->api;
  const char *pw = NULL;
  const char *pwf = NULL;
  char path[4096];
  int rc;

  rc = smtp_cfg_copy(st, ctx, "username", &st->username);
  if(!rc)
    rc = smtp_cfg_str(api, ctx, "password", &pw);
  if(!rc)
    rc = smtp_cfg_str(api, ctx, "password_file", &pwf);
  if(rc)
    return rc;
  if(pw && pwf)
    return api->set_error(ctx, CRM_ECONFIG, "password and password_file are"
                          " both set; keep one");
  if((pw || pwf) && !st->username)
    return api->set_error(ctx, CRM_ECONFIG, "a password needs a username");
  if(pw) {
    st->password = smtp_strdup(api, ctx, pw);
    if(!st->password)
      return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  }
  else if(pwf) {
    if(CRM_HAS_MEMBER(api, crm_host_api, cfg_get_path) && api->cfg_get_path &&
       api->cfg_get_path(ctx, "password_file", path, sizeof(path)) == 0)
      pwf = path;
    rc = smtp_read_secret(st, ctx, pwf);
    if(rc)
      return rc;
  }
  /* credentials and no word on starttls: never send them in clear (a
   * server, or someone on the path, that hides STARTTLS gets nothing) */
  if(st->username && !st->implicit_tls && !st->starttls_set)
    st->starttls = SMTP_TLS_REQUIRED;
  if(st->username && !st->implicit_tls && st->starttls != SMTP_TLS_REQUIRED)
    api->log(ctx, CRM_LOG_WARN, "credentials are set but starttls is not "
             "\"required\": they may cross the network in clear");
  return CRM_OK;
}

static int smtp_cfg_addr(struct smtp_state *st, crm_host_ctx *ctx,
                         const char *key, int required, char **dst)
{
  int rc = smtp_cfg_copy(st, ctx, key, dst);

  if(rc)
    return rc;
  if(!*dst && required)
    return st->api->set_error(ctx, CRM_ECONFIG, "%s is required (the "
                              "sender's e-mail address)", key);
  if(*dst && !smtp_addr_ok(*dst))
    return st->api->set_error(ctx, CRM_ECONFIG, "%s \"%s\" is not an e-mail "
                              "address (local@domain, ASCII)", key, *dst);
  return CRM_OK;
}

static int smtp_read_config(struct smtp_state *st, crm_host_ctx *ctx)
{
  const crm_host_api *api = st->api;
  const char *bad;
  int rc;

  st->timeout_ms = 30000;
  st->connect_timeout_ms = 10000;
  rc = smtp_cfg_url(st, ctx);
  if(!rc)
    rc = smtp_cfg_tls(st, ctx);
  if(!rc)
    rc = smtp_cfg_ca(st, ctx);
  if(!rc)
    rc = smtp_cfg_auth(st, ctx);
  if(!rc)
    rc = smtp_cfg_addr(st, ctx, "from", 1, &st->from);
  if(!rc)
    rc = smtp_cfg_addr(st, ctx, "reply_to", 0, &st->reply_to);
  if(!rc)
    rc = smtp_cfg_addr(st, ctx, "list_unsubscribe_mailto", 0,
                       &st->unsub_mailto);
  if(!rc)
    rc = smtp_cfg_copy(st, ctx, "from_name", &st->from_name);
  if(!rc && st->from_name && (bad = smtp_header_value_bad(st->from_name)))
    rc = api->set_error(ctx, CRM_ECONFIG, "from_name %s", bad);
  if(!rc)
    rc = smtp_cfg_ms(api, ctx, "timeout_ms", &st->timeout_ms);
  if(!rc)
    rc = smtp_cfg_ms(api, ctx, "connect_timeout_ms", &st->connect_timeout_ms);
  return rc;
}

static int smtp_init(const crm_host_api *api, crm_host_ctx *ctx,
                     void **state)
{
  struct smtp_state *st;
  int rc;

  if(curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    return api->set_error(ctx, CRM_EPLUGIN, "libcurl failed to initialise");
  st = api->alloc(ctx, sizeof(*st));
  if(!st) {
    curl_global_cleanup();
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  }
  memset(st, 0, sizeof(*st));
  st->api = api;
  rc = smtp_read_config(st, ctx);
  if(rc) {
    smtp_state_clear(st, ctx);
    api->free(ctx, st);
    curl_global_cleanup();
    return rc;
  }
  *state = st;
  return CRM_OK;
}

static void smtp_fini(void *state, crm_host_ctx *ctx)
{
  struct smtp_state *st = state;
  const crm_host_api *api;

  if(!st)
    return;
  api = st->api;
  smtp_state_clear(st, ctx);
  api->free(ctx, st);
  curl_global_cleanup();
}

static int smtp_reconfigure(void *state, crm_host_ctx *ctx)
{
  struct smtp_state *st = state;
  struct smtp_state tmp;
  int rc;

  memset(&tmp, 0, sizeof(tmp));
  tmp.api = st->api;
  rc = smtp_read_config(&tmp, ctx);
  if(rc) {
    smtp_state_clear(&tmp, ctx);
    return rc; /* the old settings stay */
  }
  smtp_state_clear(st, ctx);
  *st = tmp;
  return CRM_OK;
}

#include "smtp_send.h"

static const crm_channel_v1 smtp_vtable = {
  .struct_size = sizeof(crm_channel_v1),
  .send = smtp_send,
  .deliver = smtp_deliver,
};

static const crm_component smtp_component = {
  .struct_size = sizeof(crm_component),
  .kind = CRM_KIND_CHANNEL,
  .name = "smtp",
  .description = "e-mail through an SMTP server (libcurl; STARTTLS or TLS)",
  .vtable = &smtp_vtable,
};

static const crm_component *const smtp_components[] = {&smtp_component};

static const crm_plugin_desc smtp_desc = {
  CRM_PLUGIN_DESC_HEADER,
  .name = "smtp",
  .version = "1.0.0",
  .vendor = "crmcore",
  .license = "MIT",
  .description = "SMTP e-mail channel: RFC 5322 messages, UTF-8, "
                 "List-Unsubscribe, classified server answers",
  .components = smtp_components,
  .n_components = 1,
  .init = smtp_init,
  .fini = smtp_fini,
  .reconfigure = smtp_reconfigure,
};

CRM_PLUGIN_DEFINE(smtp_desc)
