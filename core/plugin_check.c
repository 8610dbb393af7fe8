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
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plugin_int.h"

#define CRM__CHECK_TIMEOUT 60 /* seconds the child may take */
#define CRM__CHECK_BUF 4096

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

static int crm__check_child(int fd, const char *path)
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
  alarm(CRM__CHECK_TIMEOUT);
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

static size_t crm__check_read(int fd, char *buf, size_t size)
{
  size_t used = 0;
  ssize_t r;

  for(;;) {
    if(used + 1 >= size) {
      char sink[256];

      r = read(fd, sink, sizeof(sink)); /* drain, keep the start */
    } else {
      r = read(fd, buf + used, size - 1 - used);
    }
    if(r < 0 && errno == EINTR)
      continue;
    if(r <= 0)
      break;
    if(used + 1 < size)
      used += (size_t)r;
  }
  buf[used] = '\0';
  return used;
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

static int crm__check_wait(pid_t pid, int *status)
{
  pid_t r;

  do {
    r = waitpid(pid, status, 0);
  } while(r < 0 && errno == EINTR);
  return r == pid ? 0 : -1;
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

int crm_plugin_check(const char *so_path, char *msg, size_t msg_size)
{
  char buf[CRM__CHECK_BUF];
  char local[CRM__ERRMSG_SIZE];
  char path[4096];
  int fds[2];
  int status = 0;
  pid_t pid;

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
  if(pipe(fds) != 0) {
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
    _exit(crm__check_child(fds[1], path));
  }
  close(fds[1]);
  crm__check_read(fds[0], buf, sizeof(buf));
  close(fds[0]);
  if(crm__check_wait(pid, &status)) {
    snprintf(msg, msg_size, "cannot check plugin: waitpid: %s",
             strerror(errno));
    return CRM_ERROR;
  }
  return crm__check_report(path, buf, status, msg, msg_size);
}
