/*
 * file.c - the `file` channel component: appends each message as one
 * JSON line to a file (an outbox for tests, demos and batch pick-up).
 *
 * Built only against crm/sdk.h, as any out-of-tree plugin is.
 *
 * Config (the plugin's `config` group):
 *   path   the file to append to, default "crm-messages.jsonl"; a
 *          relative path is relative to the current directory of the
 *          process at send time; the file is created (mode 0644 before
 *          umask) when missing. Nothing is opened before the first send.
 *   fsync  boolean, default false: fsync after each line
 *
 * Line: {"id":1,"customer_id":2,"address":"a@b","subject":"Hi",
 *        "body":"...","created_at":"2024-01-31T12:00:00Z"}
 * Strings are JSON-escaped (quote, backslash, control characters); valid
 * UTF-8 passes through, invalid bytes become U+FFFD. A missing address or
 * subject is null. The line is written with one write() on an O_APPEND
 * descriptor, so concurrent writers do not interleave lines.
 * provider_ref: "file:<byte offset of the line>".
 */
#define _POSIX_C_SOURCE 200809L /* gmtime_r, O_CLOEXEC under -std=c11 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crm/sdk.h"

#define FILE_DEFAULT_PATH "crm-messages.jsonl"

struct file_state {
  const crm_host_api *api;
  char *path;
  int do_fsync;
};

/* A growing output buffer allocated with the host allocator. */
struct file_buf {
  const crm_host_api *api;
  crm_host_ctx *ctx;
  char *data;
  size_t len;
  size_t cap;
  int oom;
};

/* ---- config ------------------------------------------------------------- */

static char *file_strdup(const crm_host_api *api, crm_host_ctx *ctx,
                         const char *s)
{
  size_t n = strlen(s) + 1;
  char *d = api->alloc(ctx, n);

  if(d)
    memcpy(d, s, n);
  return d;
}

static int file_read_config(const crm_host_api *api, crm_host_ctx *ctx,
                            struct file_state *out)
{
  const char *path = NULL;
  int do_fsync = 0;
  int rc;

  rc = api->cfg_get_str(ctx, "path", &path);
  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "path must be a string");
  if(rc == CRM_ENOTFOUND) {
    path = FILE_DEFAULT_PATH;
    api->log(ctx, CRM_LOG_INFO, "no path configured; messages go to %s in "
             "the current directory", path);
  }
  else if(rc) {
    return rc;
  }
  if(!path || !*path)
    return api->set_error(ctx, CRM_ECONFIG, "path is empty (the file "
                          "messages are appended to)");
  rc = api->cfg_get_bool(ctx, "fsync", &do_fsync);
  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "fsync must be true or false");
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  out->path = file_strdup(api, ctx, path);
  if(!out->path)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  out->do_fsync = do_fsync != 0;
  return CRM_OK;
}

static int file_init(const crm_host_api *api, crm_host_ctx *ctx,
                     void **state)
{
  struct file_state *st;
  int rc;

  st = api->alloc(ctx, sizeof(*st));
  if(!st)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  memset(st, 0, sizeof(*st));
  st->api = api;
  rc = file_read_config(api, ctx, st);
  if(rc) {
    api->free(ctx, st);
    return rc;
  }
  *state = st;
  return CRM_OK;
}

static void file_fini(void *state, crm_host_ctx *ctx)
{
  struct file_state *st = state;

  if(!st)
    return;
  st->api->free(ctx, st->path);
  st->api->free(ctx, st);
}

static int file_reconfigure(void *state, crm_host_ctx *ctx)
{
  struct file_state *st = state;
  struct file_state tmp;
  int rc;

  memset(&tmp, 0, sizeof(tmp));
  tmp.api = st->api;
  rc = file_read_config(st->api, ctx, &tmp);
  if(rc)
    return rc; /* the old settings stay */
  st->api->free(ctx, st->path);
  st->path = tmp.path;
  st->do_fsync = tmp.do_fsync;
  return CRM_OK;
}

/* ---- JSON line ------------------------------------------------------------ */

static void file_put(struct file_buf *b, const char *s, size_t n)
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

static void file_puts(struct file_buf *b, const char *s)
{
  file_put(b, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t file_utf8_len(const unsigned char *s)
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
  /* overlong, surrogates, beyond U+10FFFF */
  if((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
     (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
    return 0;
  return n;
}

static void file_put_escaped_char(struct file_buf *b, unsigned char ch)
{
  char esc[8];

  switch(ch) {
  case '"': file_puts(b, "\\\""); break;
  case '\\': file_puts(b, "\\\\"); break;
  case '\n': file_puts(b, "\\n"); break;
  case '\r': file_puts(b, "\\r"); break;
  case '\t': file_puts(b, "\\t"); break;
  case '\b': file_puts(b, "\\b"); break;
  case '\f': file_puts(b, "\\f"); break;
  default:
    snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)ch);
    file_puts(b, esc);
    break;
  }
}

static void file_put_string(struct file_buf *b, const char *s)
{
  const unsigned char *p = (const unsigned char *)s;

  if(!s) {
    file_puts(b, "null");
    return;
  }
  file_puts(b, "\"");
  while(*p) {
    size_t n;

    if(*p < 0x20 || *p == '"' || *p == '\\') {
      file_put_escaped_char(b, *p);
      p++;
      continue;
    }
    n = file_utf8_len(p);
    if(n == 0) {
      file_puts(b, "\\ufffd");
      p++;
      continue;
    }
    file_put(b, (const char *)p, n);
    p += n;
  }
  file_puts(b, "\"");
}

static void file_put_int(struct file_buf *b, int64_t v)
{
  char num[24];

  snprintf(num, sizeof(num), "%" PRId64, v);
  file_puts(b, num);
}

static void file_put_time(struct file_buf *b, int64_t t)
{
  char iso[32];
  struct tm tm;
  time_t tt = (time_t)t;

  if(!gmtime_r(&tt, &tm) ||
     !strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm)) {
    file_puts(b, "null");
    return;
  }
  file_put_string(b, iso);
}

static void file_format(struct file_buf *b, const crm_message_view *m)
{
  file_puts(b, "{\"id\":");
  file_put_int(b, m->message_id);
  file_puts(b, ",\"customer_id\":");
  file_put_int(b, m->customer_id);
  file_puts(b, ",\"address\":");
  file_put_string(b, m->address);
  file_puts(b, ",\"subject\":");
  file_put_string(b, m->subject);
  file_puts(b, ",\"body\":");
  file_put_string(b, m->body ? m->body : "");
  file_puts(b, ",\"created_at\":");
  file_put_time(b, m->created_at);
  file_puts(b, "}\n");
}

/* ---- send ------------------------------------------------------------------ */

/* Writes the whole line; *offset gets where it started. */
static int file_append(struct file_state *st, crm_host_ctx *ctx,
                       const struct file_buf *b, int64_t *offset)
{
  const crm_host_api *api = st->api;
  ssize_t w;
  off_t end;
  int fd;
  int rc = CRM_OK;

  fd = open(st->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if(fd < 0)
    return api->set_error(ctx, CRM_ERROR, "cannot open message file %s: %s",
                          st->path, strerror(errno));
  /* One write() on O_APPEND: the line lands whole at the end. */
  w = write(fd, b->data, b->len);
  if(w < 0 || (size_t)w != b->len) {
    rc = api->set_error(ctx, CRM_ERROR, "cannot write message file %s: %s",
                        st->path, w < 0 ? strerror(errno) : "short write");
    close(fd);
    return rc;
  }
  end = lseek(fd, 0, SEEK_CUR);
  *offset = end >= 0 ? (int64_t)end - (int64_t)b->len : -1;
  if(st->do_fsync && fsync(fd) != 0)
    rc = api->set_error(ctx, CRM_ERROR, "cannot fsync message file %s: %s",
                        st->path, strerror(errno));
  if(close(fd) != 0 && !rc)
    rc = api->set_error(ctx, CRM_ERROR, "cannot close message file %s: %s",
                        st->path, strerror(errno));
  return rc;
}

static int file_send(void *state, crm_host_ctx *ctx,
                     const crm_message_view *msg, char *provider_ref,
                     size_t provider_ref_size)
{
  struct file_state *st = state;
  struct file_buf b;
  int64_t offset = -1;
  int rc;

  memset(&b, 0, sizeof(b));
  b.api = st->api;
  b.ctx = ctx;
  file_format(&b, msg);
  if(b.oom) {
    st->api->free(ctx, b.data);
    return st->api->set_error(ctx, CRM_ENOMEM, "out of memory");
  }
  rc = file_append(st, ctx, &b, &offset);
  st->api->free(ctx, b.data);
  if(rc)
    return rc;
  if(provider_ref && provider_ref_size)
    snprintf(provider_ref, provider_ref_size, "file:%" PRId64, offset);
  return CRM_OK;
}

static const crm_channel_v1 file_vtable = {
  .struct_size = sizeof(crm_channel_v1),
  .send = file_send,
};

static const crm_component file_component = {
  .struct_size = sizeof(crm_component),
  .kind = CRM_KIND_CHANNEL,
  .name = "file",
  .description = "appends each message as a JSON line to a file",
  .vtable = &file_vtable,
};

static const crm_component *const file_components[] = {&file_component};

static const crm_plugin_desc file_desc = {
  CRM_PLUGIN_DESC_HEADER,
  .name = "file",
  .version = "1.0.0",
  .vendor = "crmcore",
  .license = "MIT",
  .description = "File outbox channel: one JSON line per message",
  .components = file_components,
  .n_components = 1,
  .init = file_init,
  .fini = file_fini,
  .reconfigure = file_reconfigure,
};

CRM_PLUGIN_DEFINE(file_desc)
