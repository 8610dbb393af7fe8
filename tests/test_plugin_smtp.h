/*
 * test_plugin_smtp.h - helpers of test_plugin_smtp.c: the sink process
 * (tests/servers/smtp_sink.py), its JSON-lines log, and decoders written
 * by hand (RFC 2047 B words, quoted-printable, header unfolding).
 */
#ifndef TEST_PLUGIN_SMTP_H
#define TEST_PLUGIN_SMTP_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <sqlite3.h>

#define SINK_PY CRM_TEST_SOURCE_DIR "/tests/servers/smtp_sink.py"

/* State shared with the test: */
static char dir[512];        /* scratch directory */
static char log_path[600];   /* the sink's log */
static sqlite3 *db;          /* in memory, for json_extract */

/* ---- the sink process -------------------------------------------------- */

/* A running sink: its pid and the write end of its stdin. The sink
 * (--exit-on-eof) exits when its stdin reaches end of file, so a test
 * process that dies (a failed assertion, a crash) takes its sinks with
 * it. */
struct sink {
  pid_t pid;
  int in;
};

#define SINK_MAX 4
static struct sink sinks[SINK_MAX];

static inline void sink_child(const int in[2], const int out[2],
                              const char *log, const char *mode,
                              const char *cert, const char *key)
{
  char err[700];
  int fd;

  /* stderr to a file: no stray writer on the test runner's pipes */
  snprintf(err, sizeof(err), "%s.err", log);
  fd = open(err, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if(fd >= 0)
    dup2(fd, 2);
  dup2(in[0], 0);
  dup2(out[1], 1);
  /* the write end of stdin must not stay open here, or EOF never comes */
  if(in[0] > 2)
    close(in[0]);
  if(in[1] > 2)
    close(in[1]);
  if(out[0] > 2)
    close(out[0]);
  if(out[1] > 2)
    close(out[1]);
  if(fd > 2)
    close(fd);
  if(mode)
    execl("/usr/bin/python3", "python3", SINK_PY, log, "--exit-on-eof", mode,
          cert, key, (char *)NULL);
  else
    execl("/usr/bin/python3", "python3", SINK_PY, log, "--exit-on-eof",
          (char *)NULL);
  _exit(127);
}

/* Starts the sink (mode NULL, or "--starttls" / "--smtps" with cert and
 * key) logging to log; returns its port, read from a pipe, and its slot
 * in *slot. */
static inline int sink_start(const char *log, const char *mode,
                             const char *cert, const char *key, int *slot)
{
  int out[2], in[2];
  char line[32];
  char *end;
  size_t n = 0;
  long port;
  pid_t pid;
  int s;

  for(s = 0; s < SINK_MAX && sinks[s].pid > 0; s++)
    ;
  assert_true(s < SINK_MAX);
  assert_int_equal(pipe(out), 0);
  assert_int_equal(pipe(in), 0);
  pid = fork();
  assert_true(pid >= 0);
  if(pid == 0)
    sink_child(in, out, log, mode, cert, key);
  close(out[1]);
  close(in[0]);
  fcntl(in[1], F_SETFD, FD_CLOEXEC);
  sinks[s].pid = pid;
  sinks[s].in = in[1];
  *slot = s;
  while(n + 1 < sizeof(line)) { /* blocks until the sink listens */
    ssize_t r = read(out[0], line + n, 1);

    if(r < 0 && errno == EINTR)
      continue;
    if(r <= 0 || line[n] == '\n')
      break;
    n++;
  }
  close(out[0]);
  line[n] = '\0';
  port = strtol(line, &end, 10);
  if(n == 0 || *end || port < 1 || port > 65535)
    fail_msg("the smtp sink did not start (printed \"%s\"; %s; "
             "python3-aiosmtpd? see %s.err)", line, SINK_PY, log);
  return (int)port;
}

static inline void sink_stop(int slot)
{
  int status;

  if(slot < 0 || slot >= SINK_MAX || sinks[slot].pid <= 0)
    return;
  close(sinks[slot].in);
  kill(sinks[slot].pid, SIGTERM);
  while(waitpid(sinks[slot].pid, &status, 0) < 0 && errno == EINTR)
    ;
  sinks[slot].pid = 0;
}

static inline void sink_stop_all(void)
{
  int s;

  for(s = 0; s < SINK_MAX; s++)
    sink_stop(s);
}

/* ---- the sink's log ---------------------------------------------------- */

static inline char *slurp(const char *p, size_t *len)
{
  FILE *f = fopen(p, "rb");
  char *buf = malloc(1 << 20);
  size_t n = 0;

  assert_non_null(buf);
  if(f) {
    n = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
  }
  buf[n] = '\0';
  if(len)
    *len = n;
  return buf;
}

static inline size_t sink_log_size(const char *path)
{
  struct stat sb;

  return stat(path, &sb) == 0 ? (size_t)sb.st_size : 0;
}

/* The last line of the log whose "event" is ev, written after offset
 * `from`; malloc'd, NULL when none. */
static inline char *sink_log_last(const char *path, size_t from,
                                  const char *ev)
{
  size_t len;
  char *all = slurp(path, &len);
  char *found = NULL;
  char *p = all + (from < len ? from : len);
  char want[48];

  snprintf(want, sizeof(want), "{\"event\": \"%s\"", ev);
  while(*p) {
    char *nl = strchr(p, '\n');

    if(!nl)
      break;
    if(!strncmp(p, want, strlen(want))) {
      free(found);
      found = strndup(p, (size_t)(nl - p));
    }
    p = nl + 1;
  }
  free(all);
  return found;
}

/* json_extract(line, path) as text into out ("(null)" for JSON null). */
static inline void jget(const char *line, const char *path, char *out,
                        size_t size)
{
  sqlite3_stmt *st;
  const unsigned char *t;

  assert_int_equal(sqlite3_prepare_v2(db, "SELECT json_extract(?1, ?2)", -1,
                                      &st, NULL), SQLITE_OK);
  sqlite3_bind_text(st, 1, line, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  t = sqlite3_column_text(st, 0);
  snprintf(out, size, "%s", t ? (const char *)t : "(null)");
  sqlite3_finalize(st);
}

/* ---- decoding by hand -------------------------------------------------- */

static inline int b64val(char ch)
{
  const char *tab =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const char *p = strchr(tab, ch);

  return ch && p ? (int)(p - tab) : -1;
}

/* base64 of n chars into out; returns bytes written. */
static inline size_t b64dec(const char *in, size_t n, char *out)
{
  size_t o = 0;
  unsigned v = 0;
  int bits = 0;
  size_t i;

  for(i = 0; i < n && in[i] != '='; i++) {
    int d = b64val(in[i]);

    assert_true(d >= 0);
    v = (v << 6) | (unsigned)d;
    bits += 6;
    if(bits >= 8) {
      bits -= 8;
      out[o++] = (char)((v >> bits) & 0xff);
    }
  }
  return o;
}

/* The unfolded value of header name in the header block of raw (after
 * "Name: "), "" when absent. */
static inline void header(const char *raw, const char *name, char *out,
                          size_t size)
{
  const char *end = strstr(raw, "\r\n\r\n");
  const char *p = raw;
  size_t nl = strlen(name);
  size_t o = 0;

  out[0] = '\0';
  assert_non_null(end);
  while(p < end) {
    if(!strncmp(p, name, nl) && p[nl] == ':') {
      p += nl + 1;
      if(*p == ' ')
        p++;
      for(;;) {
        while(*p != '\r') {
          assert_true(o + 1 < size);
          out[o++] = *p++;
        }
        p += 2;
        if(p >= end + 2 || (*p != ' ' && *p != '\t'))
          break;
      }
      out[o] = '\0';
      return;
    }
    p = strstr(p, "\r\n") + 2;
  }
}

/* Decodes RFC 2047 =?UTF-8?B?..?= words (the white space between two
 * of them dropped) and a quoted-string; other text as is. */
static inline void words(const char *in, char *out, size_t size)
{
  size_t o = 0;
  int prev_word = 0;

  while(*in) {
    if(!strncmp(in, "=?UTF-8?B?", 10)) {
      const char *e = strstr(in + 10, "?=");

      assert_non_null(e);
      assert_true(o + (size_t)(e - in) < size);
      o += b64dec(in + 10, (size_t)(e - in - 10), out + o);
      assert_true(e - in + 2 <= 75); /* RFC 2047: at most 75 chars */
      in = e + 2;
      prev_word = 1;
      continue;
    }
    if(*in == ' ' && prev_word && !strncmp(in + 1, "=?UTF-8?B?", 10)) {
      in++;
      continue;
    }
    if(*in == '"') {
      in++;
      while(*in && *in != '"') {
        if(*in == '\\')
          in++;
        out[o++] = *in++;
      }
      if(*in)
        in++;
      prev_word = 0;
      continue;
    }
    assert_true(o + 1 < size);
    out[o++] = *in++;
    prev_word = 0;
  }
  out[o] = '\0';
}

/* Quoted-printable body back to text (CRLF as LF). */
static inline void qp_decode(const char *in, char *out, size_t size)
{
  size_t o = 0;

  while(*in) {
    assert_true(o + 1 < size);
    if(in[0] == '=' && in[1] == '\r' && in[2] == '\n') {
      in += 3;
    }
    else if(in[0] == '=') {
      char hex[3] = {in[1], in[2], 0};

      out[o++] = (char)strtol(hex, NULL, 16);
      in += 3;
    }
    else if(in[0] == '\r' && in[1] == '\n') {
      out[o++] = '\n';
      in += 2;
    }
    else {
      out[o++] = *in++;
    }
  }
  out[o] = '\0';
}

/* Every line ends in CRLF; header lines <= 78, body lines <= 76. */
static inline void check_lines(const char *raw)
{
  const char *p = raw;
  int in_body = 0;

  while(*p) {
    const char *e = strstr(p, "\r\n");
    size_t n;

    assert_non_null(e);
    n = (size_t)(e - p);
    assert_null(memchr(p, '\n', n));
    assert_null(memchr(p, '\r', n));
    if(n == 0 && !in_body) {
      in_body = 1;
    }
    else if(n > (in_body ? 76u : 78u)) {
      fail_msg("%s line of %zu chars: %.*s", in_body ? "body" : "header", n,
               (int)n, p);
    }
    p = e + 2;
  }
  assert_true(in_body);
}

#endif /* TEST_PLUGIN_SMTP_H */
