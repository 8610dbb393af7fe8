/*
 * cli_run.c - running the built `crm` binary from cmocka tests; see
 * cli_run.h.
 */
#define _GNU_SOURCE /* posix_spawn_file_actions_addchdir_np */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_run.h"

extern char **environ;

char cli_tmpdir[512];

char *slurp(const char *path)
{
  FILE *fp = fopen(path, "rb");
  char *buf;
  long n;
  assert_non_null(fp);
  fseek(fp, 0, SEEK_END);
  n = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
  buf[n] = '\0';
  fclose(fp);
  return buf;
}

void put_file(const char *name, const char *text)
{
  char path[1024];
  FILE *fp;
  snprintf(path, sizeof(path), "%s/%s", cli_tmpdir, name);
  fp = fopen(path, "w");
  assert_non_null(fp);
  fputs(text, fp);
  fclose(fp);
}

/* The environment without CRM_* variables, so the caller's settings do
 * not leak into the tests. */
static char **clean_env(void)
{
  static char *env[256];
  size_t i, n = 0;
  for(i = 0; environ[i] && n < 255; i++)
    if(strncmp(environ[i], "CRM_", 4))
      env[n++] = environ[i];
  env[n] = NULL;
  return env;
}

int exists(const char *name)
{
  char path[1024];
  snprintf(path, sizeof(path), "%s/%s", cli_tmpdir, name);
  return access(path, F_OK) == 0;
}

void run_free(struct run *r)
{
  free(r->out);
  free(r->err);
  memset(r, 0, sizeof(*r));
}

void crm_run_in(struct run *r, const char *stdin_file,
                const char *const *args)
{
  char *argv[64];
  char out[1024], err[1024], in[1024];
  posix_spawn_file_actions_t fa;
  pid_t pid;
  int status, rc;
  size_t n = 0;

  argv[n++] = (char *)CRM_TEST_CLI;
  while(*args && n < 63)
    argv[n++] = (char *)*args++;
  argv[n] = NULL;
  snprintf(out, sizeof(out), "%s/.stdout", cli_tmpdir);
  snprintf(err, sizeof(err), "%s/.stderr", cli_tmpdir);
  if(stdin_file)
    snprintf(in, sizeof(in), "%s/%s", cli_tmpdir, stdin_file);
  else
    snprintf(in, sizeof(in), "/dev/null");

  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addchdir_np(&fa, cli_tmpdir);
  posix_spawn_file_actions_addopen(&fa, 0, in, O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  rc = posix_spawn(&pid, CRM_TEST_CLI, &fa, NULL, argv, clean_env());
  posix_spawn_file_actions_destroy(&fa);
  assert_int_equal(rc, 0);
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  r->code = WEXITSTATUS(status);
  r->out = slurp(out);
  r->err = slurp(err);
}

void expect(const struct run *r, int code, const char *in_out,
            const char *in_err)
{
  if(r->code != code)
    fail_msg("exit %d, expected %d\nstdout: %s\nstderr: %s", r->code, code,
             r->out, r->err);
  if(in_out && !strstr(r->out, in_out))
    fail_msg("stdout lacks \"%s\":\n%s", in_out, r->out);
  if(in_err && !strstr(r->err, in_err))
    fail_msg("stderr lacks \"%s\":\n%s", in_err, r->err);
}

tj *parse_out(const struct run *r)
{
  char err[160];
  tj *doc = tj_parse(r->out, err, sizeof(err));
  if(!doc)
    fail_msg("stdout is not JSON (%s):\n%s", err, r->out);
  return doc;
}

int setup(void **state)
{
  const char *base = getenv("TMPDIR");
  (void)state;
  snprintf(cli_tmpdir, sizeof(cli_tmpdir), "%s/crm-test-cli-XXXXXX",
           base && *base ? base : "/tmp");
  assert_non_null(mkdtemp(cli_tmpdir));
  return 0;
}

int teardown(void **state)
{
  char cmd[1200];
  (void)state;
  /* only our own mkdtemp directory */
  if(strstr(cli_tmpdir, "/crm-test-cli-")) {
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cli_tmpdir);
    if(system(cmd) != 0)
      return -1;
  }
  return 0;
}

void init_store(void)
{
  struct run r;
  CRM(&r, "--store", "s.db", "init");
  expect(&r, 0, "schema version", NULL);
  run_free(&r);
}

const char *jstr(const tj *doc, const char *path)
{
  const char *s = tj_str(doc, path);
  if(!s)
    fail_msg("no string at %s", path);
  return s;
}

int64_t jint(const tj *doc, const char *path)
{
  const tj *v = tj_path(doc, path);
  if(!v || v->type != TJ_NUM)
    fail_msg("no number at %s", path);
  return (int64_t)v->num;
}

size_t jlen(const tj *doc, const char *path)
{
  const tj *v = path ? tj_path(doc, path) : doc;
  if(!v || (v->type != TJ_ARR && v->type != TJ_OBJ))
    fail_msg("no array at %s", path ? path : "top");
  return v->n;
}
