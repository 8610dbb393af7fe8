/*
 * http_sink.h - drives tests/servers/http_sink.py from a C test: start it
 * on a free loopback port, script its answers, read back what it
 * recorded (through SQLite's JSON functions), stop it.
 *
 * Needs HS_SINK_SCRIPT (the path of http_sink.py) and links SQLite.
 */
#ifndef TEST_HTTP_SINK_H
#define TEST_HTTP_SINK_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#ifndef HS_PYTHON
#define HS_PYTHON "/usr/bin/python3"
#endif

typedef struct hs_sink {
  pid_t pid;
  int port;
  int keep_fd;      /* write end of the sink's stdin: it exits at EOF */
  char log[512];    /* the JSON lines it records */
  char url[64];     /* "http://127.0.0.1:PORT" */
} hs_sink;

/* Starts the sink recording into log (truncated first); notify: NULL or
 * the FIFO held requests are announced on. Fails the test when it does
 * not come up. */
static inline void hs_start(hs_sink *s, const char *log, const char *notify)
{
  int out[2], in[2];
  char line[32];
  size_t n = 0;
  FILE *f;

  memset(s, 0, sizeof(*s));
  snprintf(s->log, sizeof(s->log), "%s", log);
  f = fopen(log, "w");
  if(!f)
    fail_msg("cannot create %s", log);
  fclose(f);
  if(pipe(out) != 0 || pipe(in) != 0)
    fail_msg("pipe: %s", strerror(errno));
  fcntl(out[0], F_SETFD, FD_CLOEXEC);
  fcntl(out[1], F_SETFD, FD_CLOEXEC);
  fcntl(in[0], F_SETFD, FD_CLOEXEC);
  fcntl(in[1], F_SETFD, FD_CLOEXEC);
  s->pid = fork();
  if(s->pid < 0)
    fail_msg("fork: %s", strerror(errno));
  if(s->pid == 0) {
    dup2(out[1], 1);
    dup2(in[0], 0);
    if(notify)
      execl(HS_PYTHON, "python3", HS_SINK_SCRIPT, log, "--exit-on-eof",
            "--notify", notify, (char *)NULL);
    else
      execl(HS_PYTHON, "python3", HS_SINK_SCRIPT, log, "--exit-on-eof",
            (char *)NULL);
    _exit(127);
  }
  close(out[1]);
  close(in[0]);
  s->keep_fd = in[1];
  /* blocks until the sink prints its port (or dies: EOF) */
  while(n + 1 < sizeof(line)) {
    ssize_t r = read(out[0], line + n, 1);

    if(r < 0 && errno == EINTR)
      continue;
    if(r <= 0 || line[n] == '\n')
      break;
    n++;
  }
  line[n] = '\0';
  close(out[0]);
  s->port = (int)strtol(line, NULL, 10);
  if(s->port <= 0 || s->port > 65535)
    fail_msg("http_sink did not start (printed \"%s\")", line);
  snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", s->port);
}

static inline void hs_stop(hs_sink *s)
{
  int st;

  if(s->pid <= 0)
    return;
  kill(s->pid, SIGTERM);
  while(waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
    ;
  close(s->keep_fd);
  s->pid = 0;
}

/* One HTTP/1.0 request on a fresh connection; returns the status. */
static inline int hs_request(const hs_sink *s, const char *method,
                             const char *path, const char *body,
                             char *resp, size_t resp_size)
{
  struct sockaddr_in a;
  char head[256];
  size_t blen = body ? strlen(body) : 0;
  size_t got = 0;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int status = 0;

  if(fd < 0)
    fail_msg("socket: %s", strerror(errno));
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)s->port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if(connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
    fail_msg("connect to http_sink: %s", strerror(errno));
  snprintf(head, sizeof(head), "%s %s HTTP/1.0\r\nContent-Length: %zu\r\n"
           "Content-Type: application/json\r\n\r\n", method, path, blen);
  if(send(fd, head, strlen(head), MSG_NOSIGNAL) < 0 ||
     (blen && send(fd, body, blen, MSG_NOSIGNAL) < 0))
    fail_msg("send to http_sink: %s", strerror(errno));
  for(;;) {
    ssize_t r;

    if(got + 1 >= resp_size)
      break;
    r = recv(fd, resp + got, resp_size - got - 1, 0);
    if(r < 0 && errno == EINTR)
      continue;
    if(r <= 0)
      break;
    got += (size_t)r;
  }
  resp[got] = '\0';
  close(fd);
  if(!strncmp(resp, "HTTP/1.", 7))
    status = (int)strtol(resp + 9, NULL, 10);
  return status;
}

/* POST /_control json; fails the test unless it answers 200. */
static inline void hs_control(const hs_sink *s, const char *json)
{
  char resp[1024];
  int status = hs_request(s, "POST", "/_control", json, resp, sizeof(resp));

  if(status != 200)
    fail_msg("http_sink control %s: %d %s", json, status, resp);
}

/* Loads the recorded lines into table log(seq, j) of a fresh in-memory
 * database (the caller closes it). */
static inline sqlite3 *hs_db(const hs_sink *s)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  FILE *f = fopen(s->log, "r");
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  int seq = 0;

  if(!f)
    fail_msg("cannot read %s", s->log);
  if(sqlite3_open(":memory:", &db) != SQLITE_OK ||
     sqlite3_exec(db, "CREATE TABLE log(seq INTEGER PRIMARY KEY, j TEXT)",
                  NULL, NULL, NULL) != SQLITE_OK ||
     sqlite3_prepare_v2(db, "INSERT INTO log(seq, j) VALUES(?1, ?2)", -1,
                        &st, NULL) != SQLITE_OK)
    fail_msg("sqlite: %s", sqlite3_errmsg(db));
  for(;;) {
    n = getline(&line, &cap, f);
    if(n <= 0)
      break;
    if(line[n - 1] != '\n')
      fail_msg("http_sink log has a torn line: %s", line);
    sqlite3_bind_int(st, 1, ++seq);
    sqlite3_bind_text(st, 2, line, (int)n - 1, SQLITE_TRANSIENT);
    if(sqlite3_step(st) != SQLITE_DONE)
      fail_msg("sqlite: %s", sqlite3_errmsg(db));
    sqlite3_reset(st);
  }
  free(line);
  fclose(f);
  sqlite3_finalize(st);
  return db;
}

/* The first column of the first row of sql over the log (an integer;
 * 0 when no row), e.g. "SELECT count(*) FROM log WHERE
 * j->>'kind' = 'delivered'". */
static inline int64_t hs_int(const hs_sink *s, const char *sql)
{
  sqlite3 *db = hs_db(s);
  sqlite3_stmt *st = NULL;
  int64_t v = 0;

  if(sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
    fail_msg("sqlite %s: %s", sql, sqlite3_errmsg(db));
  if(sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

/* The same for a text ("" when no row or NULL), copied into buf. */
static inline const char *hs_text(const hs_sink *s, const char *sql,
                                  char *buf, size_t size)
{
  sqlite3 *db = hs_db(s);
  sqlite3_stmt *st = NULL;
  const unsigned char *t;

  buf[0] = '\0';
  if(sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
    fail_msg("sqlite %s: %s", sql, sqlite3_errmsg(db));
  if(sqlite3_step(st) == SQLITE_ROW) {
    t = sqlite3_column_text(st, 0);
    if(t)
      snprintf(buf, size, "%s", (const char *)t);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return buf;
}

/* A loopback port nothing listens on: bound and kept bound (not
 * listening) until the caller closes *fd, so that no other process can
 * take it and a connect to it cannot end up connected to itself (a
 * port bound then closed at once is free again for both). */
static inline int hs_dead_port(int *fd)
{
  struct sockaddr_in a;
  socklen_t len = sizeof(a);

  *fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if(*fd < 0 || bind(*fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
     getsockname(*fd, (struct sockaddr *)&a, &len) != 0)
    fail_msg("cannot find a free port: %s", strerror(errno));
  return ntohs(a.sin_port);
}

#endif
