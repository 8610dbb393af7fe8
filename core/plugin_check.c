/*
 * plugin_check.c - crm_plugin_check: validating a plugin file in a forked
 * child (GStreamer's scanner idea), so a constructor or init that crashes
 * costs the child only.
 *
 * The child runs the loader's own path (file checks, descriptor checks,
 * init, start, stop, fini) against a throwaway in-memory store, and
 * reports over a pipe with lines "stage <what>" and "result <code> <text>".
 * The parent waits for it and turns a signal or an odd exit status into
 * "plugin check crashed: ... while <stage> <file>".
 *
 * The parent never waits for the pipe's end of file: a plugin may leave a
 * process of its own behind holding the write end. It reads until the
 * child has exited, or until a deadline (CRM_PLUGIN_CHECK_TIMEOUT seconds,
 * default 60), then kills the child's process group, which also ends
 * whatever the plugin started.
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "plugin_int.h"

#define CRM__CHECK_TIMEOUT 60 /* seconds the child may take by default */
#define CRM__CHECK_TIMEOUT_MAX 86400
#define CRM__CHECK_BUF 4096
/* Longest wait in poll before looking whether the child has exited. */
#define CRM__CHECK_SLICE_MS 20

/* ---- child -------------------------------------------------------------- */

/* Ends an over-long message with "..." so the cut is visible. */
static void crm__mark_truncated(char *buf, size_t size)
{
  if(size >= 4)
    memcpy(buf + size - 4, "...", 4);
}

static void crm__check_write(int fd, const char *line)
{
  size_t n = strlen(line);
  ssize_t w;

  while(n > 0) {
    w = write(fd, line, n);
    if(w < 0 && errno == EINTR)
      continue;
    if(w <= 0)
      return;
    line += w;
    n -= (size_t)w;
  }
}

static void crm__check_stage(int fd, const char *stage)
{
  char line[64];

  snprintf(line, sizeof(line), "stage %s\n", stage);
  crm__check_write(fd, line);
}

static int crm__check_result(int fd, int code, const char *text)
{
  char line[1024];

  snprintf(line, sizeof(line), "result %d %s\n", code, text);
  crm__check_write(fd, line);
  return code == CRM_OK ? 0 : 1;
}

static void crm__check_quiet(void *ud, int level, const char *source,
                             const char *msg)
{
  (void)ud;
  (void)level;
  (void)source;
  (void)msg;
}

/* "/a/b/rfm.so" -> "rfm" */
static void crm__check_stem(const char *path, char *out, size_t size)
{
  const char *base = strrchr(path, '/');
  size_t n;

  base = base ? base + 1 : path;
  n = strlen(base);
  if(n > 3 && strcmp(base + n - 3, ".so") == 0)
    n -= 3;
  if(n >= size)
    n = size - 1;
  memcpy(out, base, n);
  out[n] = '\0';
}

static void crm__check_summary(const crm_plugin_desc *d, char *buf,
                               size_t size)
{
  char comps[CRM__ERRMSG_SIZE];

  int n;

  crm__components_text(d, comps, sizeof(comps));
  n = snprintf(buf, size, "plugin \"%s\" %s by %s (SDK ABI %u.%u): %s",
               d->name, d->version ? d->version : "(no version)",
               d->vendor ? d->vendor : "(no vendor)", (unsigned)d->abi_major,
               (unsigned)d->abi_minor, comps[0] ? comps : "no components");
  if(n < 0 || (size_t)n >= size)
    crm__mark_truncated(buf, size);
}

/* Loads the validated plugin as a required one on a scratch handle. */
static int crm__check_run(int fd, const char *path, const crm__pvalid *pv)
{
  char summary[CRM__ERRMSG_SIZE];
  crm__config conf;
  crm__plugin_conf pc;
  crm *c = NULL;
  int rc;

  crm__check_summary(&pv->desc, summary, sizeof(summary));
  rc = crm_open(&c, ":memory:", CRM_OPEN_CREATE);
  if(rc)
    return crm__check_result(fd, rc, crm_errmsg(c));
  crm_set_log(c, crm__check_quiet, NULL, CRM_LOG_ERROR);
  memset(&conf, 0, sizeof(conf));
  memset(&pc, 0, sizeof(pc));
  pc.name = (char *)pv->desc.name;
  pc.file = (char *)path;
  pc.enabled = 1;
  pc.required = 1;
  crm__check_stage(fd, "initialising");
  rc = crm__plugin_load_one(c, &conf, &pc);
  if(rc) {
    rc = crm__check_result(fd, rc, crm_errmsg(c));
    crm_close(c);
    return rc;
  }
  crm__check_stage(fd, "finalising");
  crm_close(c);
  return crm__check_result(fd, CRM_OK, summary);
}

static int crm__check_child(int fd, const char *path, int timeout)
{
  static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
  char why[CRM__ERRMSG_SIZE];
  char msg[CRM__ERRMSG_SIZE + 256];
  char stem[128];
  crm__pvalid pv;
  size_t i;
  int rc;

  /* Die of the signal itself, not through a sanitizer's handler. */
  for(i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
    signal(sigs[i], SIG_DFL);
  /* A group of its own, so the parent can end what the plugin starts;
   * the alarm only matters if the parent is gone. */
  setpgid(0, 0);
  alarm((unsigned)timeout + 10);
  crm__check_stem(path, stem, sizeof(stem));
  crm__check_stage(fd, "loading");
  rc = crm__plugin_file_ok(path, why, sizeof(why));
  if(!rc)
    rc = crm__plugin_validate(path, &pv, why, sizeof(why));
  if(rc) {
    int n = snprintf(msg, sizeof(msg), "plugin \"%s\" (%s) refused: %s",
                     stem, path, why);

    if(n < 0 || (size_t)n >= sizeof(msg))
      crm__mark_truncated(msg, sizeof(msg));
    return crm__check_result(fd, rc, msg);
  }
  rc = crm__check_run(fd, path, &pv);
  crm__pvalid_release(&pv);
  return rc;
}

/* ---- parent ------------------------------------------------------------- */

/* What the child reported so far; the start is kept, the rest drained. */
typedef struct crm__check_buf {
  char buf[CRM__CHECK_BUF];
  size_t used;
  int eof;
} crm__check_buf;

/* Reads what the pipe (non-blocking) holds now. */
static void crm__check_drain(int fd, crm__check_buf *b)
{
  char sink[256];
  ssize_t r;

  for(;;) {
    if(b->used + 1 >= sizeof(b->buf))
      r = read(fd, sink, sizeof(sink));
    else
      r = read(fd, b->buf + b->used, sizeof(b->buf) - 1 - b->used);
    if(r < 0 && errno == EINTR)
      continue;
    if(r == 0)
      b->eof = 1;
    if(r <= 0)
      break;
    if(b->used + 1 < sizeof(b->buf))
      b->used += (size_t)r;
  }
  b->buf[b->used] = '\0';
}

static int64_t crm__mono_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A descriptor that becomes readable when the child exits, or -1 (then
 * the wait looks every CRM__CHECK_SLICE_MS). */
static int crm__check_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
  return (int)syscall(SYS_pidfd_open, pid, 0);
#else
  (void)pid;
  return -1;
#endif
}

/* 1 once the child has exited; it stays a zombie (not reaped), so its
 * process group id cannot be reused before crm__check_end. */
static int crm__check_exited(pid_t pid)
{
  siginfo_t si;

  memset(&si, 0, sizeof(si));
  if(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0)
    return errno == EINTR ? 0 : -1;
  return si.si_pid == pid;
}

static int crm__check_wait(pid_t pid, int *status)
{
  pid_t r;

  do {
    r = waitpid(pid, status, 0);
  } while(r < 0 && errno == EINTR);
  return r == pid ? 0 : -1;
}

/* Ends whatever is left of the child's process group (a plugin's own
 * processes, or the child itself on a timeout), then reaps the child. */
static int crm__check_end(pid_t pid, int *status)
{
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL); /* in case it had no group of its own yet */
  return crm__check_wait(pid, status);
}

/* Reads the child's report until it exits or the deadline passes, then
 * ends its process group and reaps it. Returns 0 when it exited, 1 on
 * timeout, -1 when it cannot be waited for (errno says why). */
static int crm__check_collect(pid_t pid, int fd, int timeout,
                              crm__check_buf *b, int *status)
{
  int64_t deadline = crm__mono_ms() + (int64_t)timeout * 1000;
  int pidfd = crm__check_pidfd(pid);
  int rc;

  for(;;) {
    struct pollfd pfd[2];
    int64_t left;
    int exited = crm__check_exited(pid);

    left = deadline - crm__mono_ms();
    if(exited || left <= 0)
      break;
    if(pidfd < 0 && left > CRM__CHECK_SLICE_MS)
      left = CRM__CHECK_SLICE_MS;
    pfd[0].fd = b->eof ? -1 : fd;
    pfd[0].events = POLLIN;
    pfd[0].revents = 0;
    pfd[1].fd = pidfd;
    pfd[1].events = POLLIN;
    pfd[1].revents = 0;
    if(poll(pfd, 2, (int)left) > 0 && pfd[0].revents)
      crm__check_drain(fd, b);
  }
  if(pidfd >= 0)
    close(pidfd);
  rc = crm__check_exited(pid);
  if(rc >= 0 && !b->eof)
    crm__check_drain(fd, b);
  if(crm__check_end(pid, status))
    return -1;
  return rc < 0 ? -1 : !rc;
}

static const char *crm__signal_text(int sig)
{
  switch(sig) {
  case SIGSEGV: return "segmentation fault";
  case SIGBUS: return "bus error";
  case SIGILL: return "illegal instruction";
  case SIGFPE: return "floating-point exception";
  case SIGABRT: return "aborted";
  case SIGALRM: return "timed out";
  case SIGKILL: return "killed";
  default: return "signal";
  }
}

/* Parses the child's lines: the last stage and the result, if any. */
static int crm__check_parse(char *buf, const char **stage, int *code,
                            const char **text)
{
  char *line = buf;
  int have = 0;

  *stage = "starting";
  while(line && *line) {
    char *nl = strchr(line, '\n');

    if(!nl)
      break; /* a torn last line is ignored */
    *nl = '\0';
    if(strncmp(line, "stage ", 6) == 0) {
      *stage = line + 6;
    } else if(strncmp(line, "result ", 7) == 0) {
      char *end = NULL;
      long v = strtol(line + 7, &end, 10);

      if(end && *end == ' ') {
        *code = (int)v;
        *text = end + 1;
        have = 1;
      }
    }
    line = nl + 1;
  }
  return have;
}

static int crm__check_report(const char *path, char *buf, int status,
                             char *msg, size_t size)
{
  const char *stage = NULL;
  const char *text = NULL;
  int code = CRM_ERROR;
  int have = crm__check_parse(buf, &stage, &code, &text);

  if(WIFSIGNALED(status)) {
    snprintf(msg, size, "plugin check crashed: killed by signal %d (%s) "
             "while %s %s", WTERMSIG(status),
             crm__signal_text(WTERMSIG(status)), stage, path);
    return CRM_EPLUGIN;
  }
  if(!WIFEXITED(status) || !have || WEXITSTATUS(status) > 1) {
    snprintf(msg, size, "plugin check crashed: exited with status %d while "
             "%s %s", WIFEXITED(status) ? WEXITSTATUS(status) : -1, stage,
             path);
    return CRM_EPLUGIN;
  }
  snprintf(msg, size, "%s", text);
  return code;
}

/* The timeout from CRM_PLUGIN_CHECK_TIMEOUT (whole seconds), else the
 * default. */
static int crm__check_timeout(void)
{
  const char *s = getenv("CRM_PLUGIN_CHECK_TIMEOUT");
  char *end = NULL;
  long v;

  if(!s || !*s)
    return CRM__CHECK_TIMEOUT;
  errno = 0;
  v = strtol(s, &end, 10);
  if(errno || !end || *end || v < 1 || v > CRM__CHECK_TIMEOUT_MAX)
    return CRM__CHECK_TIMEOUT;
  return (int)v;
}

static int crm__check_timed_out(const char *path, crm__check_buf *b,
                                int timeout, char *msg, size_t size)
{
  const char *stage = NULL;
  const char *text = NULL;
  int code = CRM_ERROR;

  crm__check_parse(b->buf, &stage, &code, &text);
  snprintf(msg, size, "plugin check timed out after %d s while %s %s",
           timeout, stage, path);
  return CRM_EPLUGIN;
}

/* The check itself; SIGCHLD is at its default while it runs. */
static int crm__plugin_check_fork(const char *path, int timeout, char *msg,
                                  size_t msg_size)
{
  crm__check_buf b;
  int fds[2];
  int status = 0;
  pid_t pid;
  int rc;

  /* Close-on-exec: a program the plugin runs does not hold the pipe. */
  if(pipe2(fds, O_CLOEXEC) != 0) {
    snprintf(msg, msg_size, "cannot check plugin: pipe: %s",
             strerror(errno));
    return CRM_ERROR;
  }
  fflush(NULL);
  pid = fork();
  if(pid < 0) {
    snprintf(msg, msg_size, "cannot check plugin: fork: %s",
             strerror(errno));
    close(fds[0]);
    close(fds[1]);
    return CRM_ERROR;
  }
  if(pid == 0) {
    close(fds[0]);
    _exit(crm__check_child(fds[1], path, timeout));
  }
  setpgid(pid, pid); /* also here: no race with the child's own call */
  close(fds[1]);
  fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  memset(&b, 0, sizeof(b));
  rc = crm__check_collect(pid, fds[0], timeout, &b, &status);
  close(fds[0]);
  if(rc < 0) {
    snprintf(msg, msg_size, "cannot check plugin: waitpid: %s",
             strerror(errno));
    return CRM_ERROR;
  }
  if(rc > 0)
    return crm__check_timed_out(path, &b, timeout, msg, msg_size);
  return crm__check_report(path, b.buf, status, msg, msg_size);
}

/* A caller that ignores SIGCHLD would have its children reaped for it and
 * the check could not wait for its own: restore the default meanwhile.
 * (The child is forked without exec: call this from a single-threaded
 * program, as the crm command is, or a thread holding a lock at fork time
 * could deadlock the child.) */
static int crm__plugin_check_run(const char *path, int timeout, char *msg,
                                 size_t msg_size)
{
  struct sigaction dfl, old;
  int rc;

  memset(&dfl, 0, sizeof(dfl));
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(SIGCHLD, &dfl, &old);
  rc = crm__plugin_check_fork(path, timeout, msg, msg_size);
  sigaction(SIGCHLD, &old, NULL);
  return rc;
}

int crm_plugin_check(const char *so_path, char *msg, size_t msg_size)
{
  char local[CRM__ERRMSG_SIZE];
  char path[4096];

  if(!msg || !msg_size) {
    msg = local;
    msg_size = sizeof(local);
  }
  msg[0] = '\0';
  if(!so_path || !*so_path) {
    snprintf(msg, msg_size, "plugin file name is empty");
    return CRM_EINVAL;
  }
  /* dlopen searches the library path for a bare name: keep it a file. */
  snprintf(path, sizeof(path), "%s%s", strchr(so_path, '/') ? "" : "./",
           so_path);
  return crm__plugin_check_run(path, crm__check_timeout(), msg, msg_size);
}
