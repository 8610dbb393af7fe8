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
 *        "body":"...","created_at":"2024-01-31T12:00:00Z",
 *        "idempotency_key":"crm-5f0c...-1","channel":"email",
 *        "template":"welcome","language":"en","priority":"marketing"}
 * Strings are JSON-escaped (quote, backslash, control characters); valid
 * UTF-8 passes through, invalid bytes become U+FFFD. A missing address or
 * subject is null. The last five members come from SDK 1.4 message views
 * (absent when the host's view is older); a missing key, template or
 * language is null; priority is "marketing" or "service"; channel is the
 * channel the host routed to this component.
 *
 * Idempotency (SDK 1.4 deliver): before a line is appended, the last
 * FILE_DEDUPE_WINDOW bytes of the file are searched, under the lock, for
 * the message's idempotency key; when it is there, nothing is written and
 * the message counts as sent with the existing line's provider_ref. So a
 * message attempted again after a crash between the write and the host's
 * acknowledgement is not written twice. Only the tail is searched: a key
 * whose line is further back (more than FILE_DEDUPE_WINDOW bytes of later
 * lines, or a torn line cut off by the repair below) is written again, so
 * a dry-run file can hold a duplicate in that case; the `id` and
 * `idempotency_key` members tell them apart. The key is searched with
 * its closing quote, so "crm-x-1" never matches the line of "crm-x-12".
 * The line is written on an O_APPEND descriptor while holding an
 * exclusive flock() on the file, so writers that lock (every copy of
 * this plugin) never interleave or damage each other's lines.
 * provider_ref: "file:<byte offset of the line>" ("file:-1" when the path
 * is not a regular file, e.g. a FIFO).
 *
 * The file only ever holds whole lines (regular files):
 *   - a write that fails or comes up short is undone: the file is cut
 *     back to its size before the write and send fails;
 *   - a torn last line (no final newline, left by a crash or by a
 *     rollback that failed) is cut off before the next line is
 *     appended, with a warning in the log;
 *   - a failed fsync (or close) after the whole line was written is a
 *     warning, not a failure: the line is in the file, and a retry would
 *     append it twice.
 */
#define _POSIX_C_SOURCE 200809L /* gmtime_r, O_CLOEXEC under -std=c11 */
#define _DEFAULT_SOURCE         /* flock */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crm/sdk.h"

#define FILE_DEFAULT_PATH "crm-messages.jsonl"
/* bytes at the end of the file searched for a message's key */
#define FILE_DEDUPE_WINDOW (256 * 1024)

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

/* ---- JSON line ---------------------------------------------------------- */

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
  if(CRM_HAS_MEMBER(m, crm_message_view, idempotency_key)) {
    file_puts(b, ",\"idempotency_key\":");
    file_put_string(b, m->idempotency_key);
  }
  if(CRM_HAS_MEMBER(m, crm_message_view, channel)) {
    file_puts(b, ",\"channel\":");
    file_put_string(b, m->channel);
  }
  if(CRM_HAS_MEMBER(m, crm_message_view, template)) {
    file_puts(b, ",\"template\":");
    file_put_string(b, m->template);
  }
  if(CRM_HAS_MEMBER(m, crm_message_view, language)) {
    file_puts(b, ",\"language\":");
    file_put_string(b, m->language);
  }
  if(CRM_HAS_MEMBER(m, crm_message_view, priority)) {
    file_puts(b, ",\"priority\":");
    file_put_string(b, m->priority == CRM_PRIORITY_SERVICE ? "service" :
                    "marketing");
  }
  file_puts(b, "}\n");
}

/* What a line holding the message's key contains: "idempotency_key":
 * and the key as a JSON string. Inside a JSON string every quote is
 * escaped, so the text can only match the member itself. Empty when the
 * message has no key. */
static void file_key_needle(struct file_buf *b, const crm_message_view *m)
{
  if(!CRM_HAS_MEMBER(m, crm_message_view, idempotency_key) ||
     !m->idempotency_key || !*m->idempotency_key)
    return;
  file_puts(b, "\"idempotency_key\":");
  file_put_string(b, m->idempotency_key);
}

/* ---- send --------------------------------------------------------------- */

/* Exclusive lock on the whole file; a file system without locks (some
 * network mounts) gets the line unlocked, with a warning. */
static void file_lock(struct file_state *st, crm_host_ctx *ctx, int fd)
{
  int rc;

  do {
    rc = flock(fd, LOCK_EX);
  } while(rc != 0 && errno == EINTR);
  if(rc != 0)
    st->api->log(ctx, CRM_LOG_WARN, "cannot lock message file %s (%s); "
                 "appending without a lock", st->path, strerror(errno));
}

/* Position just after the last '\n' in the first size bytes, or 0. */
static int file_last_newline(int fd, off_t size, off_t *keep)
{
  char buf[4096];
  off_t end = size;

  while(end > 0) {
    off_t start = end > (off_t)sizeof(buf) ? end - (off_t)sizeof(buf) : 0;
    size_t want = (size_t)(end - start);
    ssize_t got = pread(fd, buf, want, start);

    if(got < 0 && errno == EINTR)
      continue;
    if(got < 0 || (size_t)got != want)
      return -1;
    while(want > 0) {
      if(buf[want - 1] == '\n') {
        *keep = start + (off_t)want;
        return 0;
      }
      want--;
    }
    end = start;
  }
  *keep = 0;
  return 0;
}

/* A file that does not end in '\n' holds a torn line: cut it off so that
 * the next line starts on a line of its own. *size is updated. */
static int file_trim_torn(struct file_state *st, crm_host_ctx *ctx, int fd,
                          off_t *size)
{
  const crm_host_api *api = st->api;
  off_t keep = 0;
  char last;
  ssize_t got;

  if(*size == 0)
    return CRM_OK;
  got = pread(fd, &last, 1, *size - 1);
  if((got == 1 && last == '\n') || (got < 0 && errno == EBADF))
    return CRM_OK; /* whole, or opened write-only: unchecked */
  if(got != 1 || file_last_newline(fd, *size, &keep) != 0)
    return api->set_error(ctx, CRM_ERROR, "cannot read message file %s: %s",
                          st->path, got < 0 ? strerror(errno) : "short read");
  if(ftruncate(fd, keep) != 0)
    return api->set_error(ctx, CRM_ERROR, "cannot cut the torn last line "
                          "of message file %s: %s", st->path,
                          strerror(errno));
  api->log(ctx, CRM_LOG_WARN, "message file %s ended in a torn line: "
           "dropped its last %lld bytes", st->path,
           (long long)(*size - keep));
  *size = keep;
  return CRM_OK;
}

/* The first occurrence of needle (m bytes) in hay (n bytes), or NULL. */
static const char *file_find(const char *hay, size_t n, const char *needle,
                             size_t m)
{
  size_t i = 0;

  while(m && i + m <= n) {
    const char *p = memchr(hay + i, needle[0], n - m + 1 - i);

    if(!p)
      return NULL;
    if(!memcmp(p, needle, m))
      return p;
    i = (size_t)(p - hay) + 1;
  }
  return NULL;
}

/* pread() until want bytes are in or the end; the count, or -1. */
static ssize_t file_pread_all(int fd, char *buf, size_t want, off_t at)
{
  size_t done = 0;

  while(done < want) {
    ssize_t got = pread(fd, buf + done, want - done, at + (off_t)done);

    if(got < 0 && errno == EINTR)
      continue;
    if(got < 0)
      return -1;
    if(got == 0)
      break;
    done += (size_t)got;
  }
  return (ssize_t)done;
}

/* Searches the last FILE_DEDUPE_WINDOW bytes of the first size bytes for
 * the needle (file_key_needle); when there, *found = 1 and *line_at is
 * the offset of the line holding it. */
static int file_find_key(struct file_state *st, crm_host_ctx *ctx, int fd,
                         off_t size, const struct file_buf *needle,
                         int *found, int64_t *line_at)
{
  const crm_host_api *api = st->api;
  off_t start = size > FILE_DEDUPE_WINDOW ? size - FILE_DEDUPE_WINDOW : 0;
  size_t want = (size_t)(size - start);
  const char *hit, *p;
  off_t keep = 0;
  ssize_t got;
  char *buf;
  int rc = CRM_OK;

  *found = 0;
  if(!needle->len || !want)
    return CRM_OK;
  buf = api->alloc(ctx, want);
  if(!buf)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  got = file_pread_all(fd, buf, want, start);
  if(got < 0 && errno == EBADF) {
    api->free(ctx, buf); /* opened write-only: the tail goes unchecked */
    return CRM_OK;
  }
  if(got < 0) {
    rc = api->set_error(ctx, CRM_ERROR, "cannot read message file %s: %s",
                        st->path, strerror(errno));
    api->free(ctx, buf);
    return rc;
  }
  hit = file_find(buf, (size_t)got, needle->data, needle->len);
  if(hit) {
    for(p = hit; p > buf && p[-1] != '\n'; p--)
      ;
    if(p > buf || start == 0)
      *line_at = (int64_t)start + (int64_t)(p - buf);
    else if(file_last_newline(fd, start, &keep) == 0)
      *line_at = (int64_t)keep; /* a line longer than the window */
    else
      rc = api->set_error(ctx, CRM_ERROR, "cannot read message file %s",
                          st->path);
    *found = rc == CRM_OK;
  }
  api->free(ctx, buf);
  return rc;
}

/* write() until all of data is out; -1 with errno, or the count. */
static ssize_t file_write_all(int fd, const char *data, size_t len)
{
  size_t done = 0;

  while(done < len) {
    ssize_t w = write(fd, data + done, len - done);

    if(w < 0 && errno == EINTR)
      continue;
    if(w < 0)
      return done ? (ssize_t)done : -1;
    if(w == 0)
      break;
    done += (size_t)w;
  }
  return (ssize_t)done;
}

/* The line did not get out whole: cut the file back to its old size. */
static int file_rollback(struct file_state *st, crm_host_ctx *ctx, int fd,
                         int regular, off_t size, ssize_t w, size_t len,
                         int err)
{
  const crm_host_api *api = st->api;
  char why[96];

  if(w < 0)
    snprintf(why, sizeof(why), "%s", strerror(err));
  else
    snprintf(why, sizeof(why), "short write (%zd of %zu bytes%s%s)", w, len,
             err ? ": " : "", err ? strerror(err) : "");
  if(w > 0 && regular && ftruncate(fd, size) != 0)
    return api->set_error(ctx, CRM_ERROR, "cannot write message file %s: "
                          "%s; cannot remove the partial line: %s",
                          st->path, why, strerror(errno));
  return api->set_error(ctx, CRM_ERROR, "cannot write message file %s: %s",
                        st->path, why);
}

/* Appends the line under the lock; *offset gets where it starts. When
 * the file's tail already holds the needle (the message's key), nothing
 * is written: *dup = 1 and *offset is where that line starts. */
static int file_write_line(struct file_state *st, crm_host_ctx *ctx, int fd,
                           const struct file_buf *b,
                           const struct file_buf *needle, int64_t *offset,
                           int *dup)
{
  struct stat sb;
  off_t size = 0;
  int regular;
  ssize_t w;
  int rc;

  if(fstat(fd, &sb) != 0)
    return st->api->set_error(ctx, CRM_ERROR, "cannot stat message file "
                              "%s: %s", st->path, strerror(errno));
  regular = S_ISREG(sb.st_mode);
  if(regular) {
    file_lock(st, ctx, fd);
    /* The size as it is now that we hold the lock: another writer may
     * have finished its line while we waited. */
    if(fstat(fd, &sb) != 0)
      return st->api->set_error(ctx, CRM_ERROR, "cannot stat message file "
                                "%s: %s", st->path, strerror(errno));
    size = sb.st_size;
    rc = file_trim_torn(st, ctx, fd, &size);
    if(!rc)
      rc = file_find_key(st, ctx, fd, size, needle, dup, offset);
    if(rc || *dup)
      return rc;
  }
  errno = 0;
  w = file_write_all(fd, b->data, b->len);
  if(w < 0 || (size_t)w != b->len)
    return file_rollback(st, ctx, fd, regular, size, w, b->len, errno);
  *offset = regular ? (int64_t)size : -1;
  return CRM_OK;
}

/* Read-write for a regular file (the torn-line check reads its tail);
 * write-only for anything else (a FIFO must wait for its reader) and for
 * a file we may not read, whose tail then goes unchecked. */
static int file_open(const char *path)
{
  const int flags = O_APPEND | O_CREAT | O_CLOEXEC;
  struct stat sb;
  int fd;

  if(stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
    return open(path, O_WRONLY | flags, 0644);
  fd = open(path, O_RDWR | flags, 0644);
  if(fd < 0 && errno == EACCES)
    fd = open(path, O_WRONLY | flags, 0644);
  return fd;
}

/* Writes the whole line or nothing; *offset gets where it started (or
 * where the same message's line is: *dup = 1). */
static int file_append(struct file_state *st, crm_host_ctx *ctx,
                       const struct file_buf *b,
                       const struct file_buf *needle, int64_t *offset,
                       int *dup)
{
  const crm_host_api *api = st->api;
  int fd;
  int rc;

  fd = file_open(st->path);
  if(fd < 0)
    return api->set_error(ctx, CRM_ERROR, "cannot open message file %s: %s",
                          st->path, strerror(errno));
  rc = file_write_line(st, ctx, fd, b, needle, offset, dup);
  /* The line is in the file now: a failed fsync or close is logged, not
   * returned, as a retry of the send would append it a second time. */
  if(!rc && st->do_fsync && fsync(fd) != 0)
    api->log(ctx, CRM_LOG_WARN, "message %s:%" PRId64 " written but fsync "
             "failed: %s", st->path, *offset, strerror(errno));
  if(close(fd) != 0 && !rc)
    api->log(ctx, CRM_LOG_WARN, "message %s:%" PRId64 " written but close "
             "failed: %s", st->path, *offset, strerror(errno));
  return rc;
}

/* Formats and appends the message (or finds it already written). */
static int file_emit(struct file_state *st, crm_host_ctx *ctx,
                     const crm_message_view *msg, int64_t *offset, int *dup)
{
  struct file_buf b, needle;
  int rc;

  memset(&b, 0, sizeof(b));
  b.api = st->api;
  b.ctx = ctx;
  needle = b;
  file_format(&b, msg);
  file_key_needle(&needle, msg);
  if(b.oom || needle.oom)
    rc = st->api->set_error(ctx, CRM_ENOMEM, "out of memory");
  else
    rc = file_append(st, ctx, &b, &needle, offset, dup);
  st->api->free(ctx, b.data);
  st->api->free(ctx, needle.data);
  if(!rc && *dup)
    st->api->log(ctx, CRM_LOG_INFO, "message %" PRId64 " (%s) is already "
                 "in %s at offset %" PRId64 ": not written again",
                 msg->message_id, msg->idempotency_key, st->path, *offset);
  return rc;
}

/* SDK 1.0-1.3 entry point; a 1.4 host calls file_deliver. */
static int file_send(void *state, crm_host_ctx *ctx,
                     const crm_message_view *msg, char *provider_ref,
                     size_t provider_ref_size)
{
  int64_t offset = -1;
  int dup = 0;
  int rc = file_emit(state, ctx, msg, &offset, &dup);

  if(rc)
    return rc;
  if(provider_ref && provider_ref_size)
    snprintf(provider_ref, provider_ref_size, "file:%" PRId64, offset);
  return CRM_OK;
}

/* SDK 1.4: always "sent" once the line is in the file (or already was);
 * a failure to write is returned as an error, which the host takes as a
 * temporary failure (retried with backoff): a full disk or a missing
 * directory can be fixed. */
static int file_deliver(void *state, crm_host_ctx *ctx,
                        const crm_message_view *msg, crm_send_result *out)
{
  int64_t offset = -1;
  int dup = 0;
  int rc = file_emit(state, ctx, msg, &offset, &dup);

  if(rc)
    return rc;
  out->outcome = CRM_SEND_SENT;
  if(CRM_HAS_MEMBER(out, crm_send_result, provider_ref))
    snprintf(out->provider_ref, sizeof(out->provider_ref), "file:%" PRId64,
             offset);
  if(dup && CRM_HAS_MEMBER(out, crm_send_result, detail))
    snprintf(out->detail, sizeof(out->detail), "already in the file (same "
             "idempotency key): not written again");
  return CRM_OK;
}

static const crm_channel_v1 file_vtable = {
  .struct_size = sizeof(crm_channel_v1),
  .send = file_send,
  .deliver = file_deliver,
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
  .version = "1.1.0",
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
