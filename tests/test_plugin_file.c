/*
 * test_plugin_file.c - the file channel plugin in isolation.
 *
 * Lines are parsed back with SQLite's JSON functions (an independent,
 * strict parser: json_valid is RFC 8259 without flags).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "test_plugin_fake.h"

static crm_host_ctx host;
static char dir[64];
static char path[128];

static int setup(void **state)
{
  (void)state;
  fake_reset(&host);
  snprintf(dir, sizeof(dir), "/tmp/crm_file_test_XXXXXX");
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/out.jsonl", dir);
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  unlink(path);
  rmdir(dir);
  return 0;
}

static int send_msg(int64_t id, const char *address, const char *subject,
                    const char *body, char *ref, size_t ref_size)
{
  const crm_channel_v1 *vt = fake_vtable(&host, CRM_KIND_CHANNEL);
  crm_message_view m;

  memset(&m, 0, sizeof(m));
  m.struct_size = sizeof(m);
  m.message_id = id;
  m.customer_id = 40 + id;
  m.address = address;
  m.subject = subject;
  m.body = body;
  m.created_at = 1700000000; /* 2023-11-14T22:13:20Z */
  m.customer_timezone = "UTC";
  return vt->send(host.state, &host, &m, ref, ref_size);
}

/* Reads the whole file into a malloc'd buffer. */
static char *slurp(const char *p, size_t *len)
{
  FILE *f = fopen(p, "rb");
  char *buf;
  size_t n;

  assert_non_null(f);
  buf = malloc(65536);
  assert_non_null(buf);
  n = fread(buf, 1, 65535, f);
  fclose(f);
  buf[n] = '\0';
  *len = n;
  return buf;
}

/* The idx-th line (0-based), copied into out without the newline. */
static void line_at(const char *all, int idx, char *out, size_t size)
{
  const char *p = all;
  const char *nl;
  size_t n;

  while(idx-- > 0) {
    p = strchr(p, '\n');
    assert_non_null(p);
    p++;
  }
  nl = strchr(p, '\n');
  assert_non_null(nl);
  n = (size_t)(nl - p);
  assert_true(n < size);
  memcpy(out, p, n);
  out[n] = '\0';
}

/* json_extract(line, field) as text into out; returns the json_type. */
static void jget(sqlite3 *db, const char *line, const char *field,
                 char *type, size_t tsize, char *out, size_t size)
{
  sqlite3_stmt *st;
  char jpath[64];
  const unsigned char *t;

  snprintf(jpath, sizeof(jpath), "$.%s", field);
  assert_int_equal(sqlite3_prepare_v2(db,
                   "SELECT json_valid(?1), json_type(?1, ?2),"
                   " json_extract(?1, ?2)", -1, &st, NULL), SQLITE_OK);
  sqlite3_bind_text(st, 1, line, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, jpath, -1, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int(st, 0), 1);
  t = sqlite3_column_text(st, 1);
  snprintf(type, tsize, "%s", t ? (const char *)t : "(absent)");
  t = sqlite3_column_text(st, 2);
  snprintf(out, size, "%s", t ? (const char *)t : "(null)");
  sqlite3_finalize(st);
}

static void test_descriptor(void **state)
{
  const crm_plugin_desc *d;

  (void)state;
  d = fake_open(&host, "file");
  assert_string_equal(d->name, "file");
  assert_string_equal(d->vendor, "crmcore");
  assert_string_equal(d->license, "MIT");
  assert_string_equal(d->components[0]->name, "file");
  assert_int_equal(d->components[0]->kind, CRM_KIND_CHANNEL);
}

static void test_lines_and_escaping(void **state)
{
  static const char body[] =
    "He said \"hi\"\\ then\nleft\ttab \x01\x1f end; caf\xc3\xa9 "
    "\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80 bad\xff.";
  /* what the parser must give back: \xff becomes U+FFFD */
  static const char want[] =
    "He said \"hi\"\\ then\nleft\ttab \x01\x1f end; caf\xc3\xa9 "
    "\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80 bad\xef\xbf\xbd.";
  char ref1[64], ref2[64];
  char line[4096], type[32], val[1024];
  sqlite3 *db;
  size_t len, i;
  char *all;

  (void)state;
  fake_cfg_str(&host, "path", path);
  assert_int_equal(fake_load(&host, "file"), CRM_OK);
  assert_int_equal(send_msg(1, "ann@example.com", "Hello", body, ref1,
                            sizeof(ref1)), CRM_OK);
  assert_int_equal(send_msg(2, "+15550100", NULL, "second", ref2,
                            sizeof(ref2)), CRM_OK);
  all = slurp(path, &len);
  /* Two lines; no raw control character except the line ends. */
  for(i = 0; i < len; i++)
    assert_true((unsigned char)all[i] >= 0x20 || all[i] == '\n');
  line_at(all, 0, line, sizeof(line));
  /* the second line starts right after the first one's newline */
  assert_string_equal(ref1, "file:0");
  snprintf(val, sizeof(val), "file:%zu", strlen(line) + 1);
  assert_string_equal(ref2, val);

  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  jget(db, line, "id", type, sizeof(type), val, sizeof(val));
  assert_string_equal(type, "integer");
  assert_string_equal(val, "1");
  jget(db, line, "customer_id", type, sizeof(type), val, sizeof(val));
  assert_string_equal(val, "41");
  jget(db, line, "address", type, sizeof(type), val, sizeof(val));
  assert_string_equal(val, "ann@example.com");
  jget(db, line, "subject", type, sizeof(type), val, sizeof(val));
  assert_string_equal(val, "Hello");
  jget(db, line, "body", type, sizeof(type), val, sizeof(val));
  assert_string_equal(type, "text");
  assert_string_equal(val, want);
  jget(db, line, "created_at", type, sizeof(type), val, sizeof(val));
  assert_string_equal(val, "2023-11-14T22:13:20Z");

  line_at(all, 1, line, sizeof(line));
  jget(db, line, "subject", type, sizeof(type), val, sizeof(val));
  assert_string_equal(type, "null");
  jget(db, line, "address", type, sizeof(type), val, sizeof(val));
  assert_string_equal(val, "+15550100");
  jget(db, line, "id", type, sizeof(type), val, sizeof(val));
  assert_string_equal(val, "2");
  sqlite3_close(db);
  free(all);
  fake_unload(&host);
}

/* An existing file is appended to, never truncated: the offset counts
 * the bytes already there. */
static void test_appends_existing(void **state)
{
  char ref[64];
  FILE *f;

  (void)state;
  f = fopen(path, "w");
  assert_non_null(f);
  fputs("{}\n", f);
  fclose(f);
  fake_cfg_str(&host, "path", path);
  fake_cfg_bool(&host, "fsync", 1);
  assert_int_equal(fake_load(&host, "file"), CRM_OK);
  assert_int_equal(send_msg(5, "a@b.c", "s", "b", ref, sizeof(ref)),
                   CRM_OK);
  assert_string_equal(ref, "file:3");
  fake_unload(&host);
}

/* A relative path is relative to the current directory. */
static void test_relative_path(void **state)
{
  char cwd[1024];
  char ref[64];

  (void)state;
  assert_non_null(getcwd(cwd, sizeof(cwd)));
  assert_int_equal(chdir(dir), 0);
  fake_cfg_str(&host, "path", "out.jsonl");
  assert_int_equal(fake_load(&host, "file"), CRM_OK);
  assert_int_equal(send_msg(1, "a@b.c", "s", "b", ref, sizeof(ref)),
                   CRM_OK);
  assert_int_equal(chdir(cwd), 0);
  assert_int_equal(access(path, R_OK), 0);
  fake_unload(&host);
}

static void test_errors(void **state)
{
  char ref[64] = "";
  char bad[256];

  (void)state;
  fake_cfg_str(&host, "path", "");
  assert_int_equal(fake_load(&host, "file"), CRM_ECONFIG);
  assert_non_null(strstr(host.errmsg, "path is empty"));
  fake_cfg_int(&host, "path", 3);
  assert_int_equal(fake_load(&host, "file"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "path must be a string");
  fake_cfg_str(&host, "path", path);
  fake_cfg_str(&host, "fsync", "yes");
  assert_int_equal(fake_load(&host, "file"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "fsync must be true or false");
  /* A directory that does not exist: send fails with the reason. */
  fake_reset(&host);
  snprintf(bad, sizeof(bad), "%s/missing/out.jsonl", dir);
  fake_cfg_str(&host, "path", bad);
  assert_int_equal(fake_load(&host, "file"), CRM_OK);
  assert_int_not_equal(send_msg(1, "a", "s", "b", ref, sizeof(ref)),
                       CRM_OK);
  assert_non_null(strstr(host.errmsg, "cannot open message file"));
  assert_non_null(strstr(host.errmsg, "No such file"));
  fake_unload(&host);
}

/* Without a path: crm-messages.jsonl in the current directory, and
 * nothing is created before the first send. */
static void test_default_path(void **state)
{
  char cwd[1024];
  char ref[64];
  char def[160];

  (void)state;
  snprintf(def, sizeof(def), "%s/crm-messages.jsonl", dir);
  assert_non_null(getcwd(cwd, sizeof(cwd)));
  assert_int_equal(chdir(dir), 0);
  assert_int_equal(fake_load(&host, "file"), CRM_OK);
  assert_int_not_equal(access(def, F_OK), 0);
  assert_int_equal(send_msg(1, "a@b.c", "s", "b", ref, sizeof(ref)),
                   CRM_OK);
  assert_int_equal(chdir(cwd), 0);
  assert_int_equal(access(def, R_OK), 0);
  unlink(def);
  fake_unload(&host);
}

static void test_reconfigure_moves_file(void **state)
{
  char other[160];
  char ref[64];

  (void)state;
  snprintf(other, sizeof(other), "%s/other.jsonl", dir);
  fake_cfg_str(&host, "path", path);
  assert_int_equal(fake_load(&host, "file"), CRM_OK);
  fake_cfg_str(&host, "path", other);
  assert_int_equal(host.desc->reconfigure(host.state, &host), CRM_OK);
  assert_int_equal(send_msg(1, "a@b.c", "s", "b", ref, sizeof(ref)),
                   CRM_OK);
  assert_int_equal(access(other, R_OK), 0);
  assert_int_not_equal(access(path, R_OK), 0);
  unlink(other);
  fake_unload(&host);
}

/* Writes text as the whole content of the file at p. */
static void put_file(const char *p, const char *text)
{
  FILE *f = fopen(p, "wb");

  assert_non_null(f);
  assert_int_equal(fputs(text, f) >= 0, 1);
  assert_int_equal(fclose(f), 0);
}

/* Every line of all is valid JSON and the text ends in a newline; returns
 * the number of lines. */
static int valid_lines(const char *all)
{
  sqlite3 *db;
  sqlite3_stmt *st;
  const char *p = all;
  int n = 0;

  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT json_valid(?1)", -1, &st,
                                      NULL), SQLITE_OK);
  while(*p) {
    const char *nl = strchr(p, '\n');

    assert_non_null(nl); /* no torn last line */
    sqlite3_bind_text(st, 1, p, (int)(nl - p), SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    if(sqlite3_column_int(st, 0) != 1)
      fail_msg("line %d is not valid JSON: %.*s", n + 1, (int)(nl - p), p);
    sqlite3_reset(st);
    n++;
    p = nl + 1;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

/* A crash left a torn last line ({"id":2,"sub, 12 bytes, no newline):
 * the next send cuts it off, logs it, and appends its line right after
 * the last whole one (offset 9, the length of {"id":1} and its newline).
 * A file holding nothing but a fragment is emptied (offset 0). */
static void test_torn_tail_is_cut(void **state)
{
  char ref[64];
  char line[4096];
  size_t len;
  char *all;

  (void)state;
  put_file(path, "{\"id\":1}\n{\"id\":2,\"sub");
  fake_cfg_str(&host, "path", path);
  assert_int_equal(fake_load(&host, "file"), CRM_OK);
  assert_int_equal(send_msg(3, "a@b.c", "s", "b", ref, sizeof(ref)),
                   CRM_OK);
  assert_string_equal(ref, "file:9");
  assert_int_equal(host.n_logs, 1);
  assert_non_null(strstr(host.last_log, "torn line"));
  assert_non_null(strstr(host.last_log, "dropped its last 12 bytes"));
  all = slurp(path, &len);
  assert_int_equal(valid_lines(all), 2);
  assert_null(strstr(all, "{\"id\":2"));
  line_at(all, 0, line, sizeof(line));
  assert_string_equal(line, "{\"id\":1}");
  line_at(all, 1, line, sizeof(line));
  assert_non_null(strstr(line, "{\"id\":3,"));
  free(all);
  /* a whole file does not log again */
  assert_int_equal(send_msg(4, "a@b.c", "s", "b", ref, sizeof(ref)),
                   CRM_OK);
  assert_int_equal(host.n_logs, 1);
  all = slurp(path, &len);
  assert_int_equal(valid_lines(all), 3);
  free(all);

  put_file(path, "{\"id\":9");
  assert_int_equal(send_msg(5, "a@b.c", "s", "b", ref, sizeof(ref)),
                   CRM_OK);
  assert_string_equal(ref, "file:0");
  assert_non_null(strstr(host.last_log, "dropped its last 7 bytes"));
  all = slurp(path, &len);
  assert_int_equal(valid_lines(all), 1);
  assert_non_null(strstr(all, "{\"id\":5,"));
  free(all);
  fake_unload(&host);
}

static off_t file_size(const char *p)
{
  struct stat sb;

  if(stat(p, &sb) != 0)
    return -1;
  return sb.st_size;
}

/* Child of test_write_failure_rolls_back: no cmocka asserts here, each
 * failed check exits with its own code. */
static int write_failure_child(void)
{
  struct rlimit rl;
  char ref[64];

  if(signal(SIGXFSZ, SIG_IGN) == SIG_ERR || getrlimit(RLIMIT_FSIZE, &rl))
    return 10;
  /* The file is 3 bytes and may not grow at all: nothing is written. */
  rl.rlim_cur = 3;
  if(setrlimit(RLIMIT_FSIZE, &rl))
    return 11;
  if(send_msg(6, "a@b.c", "s", "b", ref, sizeof(ref)) != CRM_ERROR)
    return 12;
  if(!strstr(host.errmsg, "cannot write message file") ||
     !strstr(host.errmsg, "File too large") ||
     strstr(host.errmsg, "short write"))
    return 13;
  if(file_size(path) != 3)
    return 14;
  /* It may grow by 10 bytes: the first 10 of the line get out, then
   * EFBIG; the 10 bytes are removed again. */
  rl.rlim_cur = 13;
  if(setrlimit(RLIMIT_FSIZE, &rl))
    return 15;
  if(send_msg(7, "a@b.c", "s", "b", ref, sizeof(ref)) != CRM_ERROR)
    return 16;
  if(!strstr(host.errmsg, "short write (10 of "))
    return 17;
  if(file_size(path) != 3)
    return 18;
  return 0;
}

/* A write that fails or comes up short leaves the file as it was (run
 * in a child under RLIMIT_FSIZE, SIGXFSZ ignored); the next send appends
 * a whole line at offset 3. */
static void test_write_failure_rolls_back(void **state)
{
  char ref[64];
  size_t len;
  char *all;
  pid_t pid;
  int status = 0;

  (void)state;
  put_file(path, "{}\n");
  fake_cfg_str(&host, "path", path);
  assert_int_equal(fake_load(&host, "file"), CRM_OK);
  pid = fork();
  assert_true(pid >= 0);
  if(pid == 0)
    _exit(write_failure_child());
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  all = slurp(path, &len);
  assert_string_equal(all, "{}\n");
  free(all);
  assert_int_equal(send_msg(8, "a@b.c", "s", "b", ref, sizeof(ref)),
                   CRM_OK);
  assert_string_equal(ref, "file:3");
  all = slurp(path, &len);
  assert_int_equal(valid_lines(all), 2);
  free(all);
  fake_unload(&host);
}

/* fsync fails after the whole line was written (a FIFO cannot be synced:
 * EINVAL): the line is out, so send succeeds and logs a warning. */
static void test_fsync_failure_is_success(void **state)
{
  char fifo[160];
  char ref[64];
  char buf[4096];
  ssize_t n;
  int rfd;

  (void)state;
  snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
  assert_int_equal(mkfifo(fifo, 0600), 0);
  rfd = open(fifo, O_RDONLY | O_NONBLOCK);
  assert_true(rfd >= 0);
  fake_cfg_str(&host, "path", fifo);
  fake_cfg_bool(&host, "fsync", 1);
  assert_int_equal(fake_load(&host, "file"), CRM_OK);
  assert_int_equal(send_msg(9, "a@b.c", "s", "b", ref, sizeof(ref)),
                   CRM_OK);
  assert_string_equal(ref, "file:-1");
  assert_int_equal(host.n_logs, 1);
  assert_non_null(strstr(host.last_log, "written but fsync failed"));
  n = read(rfd, buf, sizeof(buf) - 1);
  assert_true(n > 0);
  buf[n] = '\0';
  assert_int_equal(valid_lines(buf), 1);
  assert_non_null(strstr(buf, "{\"id\":9,"));
  close(rfd);
  unlink(fifo);
  fake_unload(&host);
}

/* 1 once the process is blocked in flock(2) (x86-64 syscall 73, or the
 * generic 32 on arm64), read from /proc: a state, not a timed wait. */
static int blocked_in_flock(pid_t pid)
{
  char p[64], buf[64];
  FILE *f;
  long nr = -1;

  snprintf(p, sizeof(p), "/proc/%ld/syscall", (long)pid);
  f = fopen(p, "r");
  if(!f)
    return 0;
  if(fgets(buf, sizeof(buf), f))
    nr = strtol(buf, NULL, 10);
  fclose(f);
#if defined(__x86_64__)
  return nr == 73;
#else
  return nr == 32;
#endif
}

/* Another writer holds the lock, half-way through its line, when we send:
 * we wait, and once it has finished its line we append after it; its
 * complete line is kept and our offset points at our own line. */
static void test_waits_for_another_writer(void **state)
{
  static const char first[] = "{\"first\":1}\n";
  static const char other[] = "{\"other\":\"whole line\"}\n";
  int fd, pfd[2];
  char ref[64] = "";
  size_t len;
  char *all;
  pid_t pid;
  int status = 0;
  long spins = 0;

  (void)state;
  put_file(path, first);
  fake_cfg_str(&host, "path", path);
  assert_int_equal(fake_load(&host, "file"), CRM_OK);
  fd = open(path, O_WRONLY | O_APPEND);
  assert_true(fd >= 0);
  assert_int_equal(flock(fd, LOCK_EX), 0);
  assert_int_equal(write(fd, other, 10), 10); /* half a line so far */
  assert_int_equal(pipe(pfd), 0);
  pid = fork();
  assert_true(pid >= 0);
  if(pid == 0) {
    int rc = send_msg(9, "a@b.c", "s", "b", ref, sizeof(ref));
    ssize_t n = write(pfd[1], ref, strlen(ref) + 1);

    _exit(rc == CRM_OK && n > 0 ? 0 : 1);
  }
  while(!blocked_in_flock(pid)) {
    if(++spins > 100000000L)
      fail_msg("the sender never waited for the lock");
    sched_yield();
  }
  assert_int_equal(write(fd, other + 10, sizeof(other) - 11),
                   (ssize_t)(sizeof(other) - 11));
  assert_int_equal(flock(fd, LOCK_UN), 0);
  close(fd);
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  assert_true(read(pfd[0], ref, sizeof(ref)) > 0);
  close(pfd[0]);
  close(pfd[1]);
  all = slurp(path, &len);
  assert_int_equal(valid_lines(all), 3);
  assert_true(strncmp(all, first, sizeof(first) - 1) == 0);
  assert_true(strncmp(all + sizeof(first) - 1, other, sizeof(other) - 1)
              == 0);
  /* our line starts after both */
  assert_string_equal(ref, "file:35");
  assert_int_equal(sizeof(first) - 1 + sizeof(other) - 1, 35);
  free(all);
  fake_unload(&host);
}

/* ---- SDK 1.4: deliver, the new members, the idempotency key ---------- */

static void view14(crm_message_view *m, int64_t id, const char *key,
                   const char *body)
{
  memset(m, 0, sizeof(*m));
  m->struct_size = sizeof(*m);
  m->message_id = id;
  m->customer_id = 7;
  m->address = "ann@example.com";
  m->subject = "Welcome";
  m->body = body;
  m->created_at = 1700000000;
  m->customer_timezone = "Europe/Paris";
  m->idempotency_key = key;
  m->channel = "email";
  m->template = "welcome";
  m->language = "fr";
  m->priority = CRM_PRIORITY_SERVICE;
  m->attempt = 1;
}

static int deliver(const crm_message_view *m, crm_send_result *out)
{
  const crm_channel_v1 *vt = fake_vtable(&host, CRM_KIND_CHANNEL);

  assert_non_null(vt->deliver);
  memset(out, 0, sizeof(*out));
  out->struct_size = sizeof(*out);
  out->outcome = -1; /* must be set */
  return vt->deliver(host.state, &host, m, out);
}

/* deliver writes the 1.4 members; a second delivery with a key already
 * in the file writes nothing and answers with the first line's offset; a
 * body that merely quotes the member does not count as the key. */
static void test_deliver_dedupe(void **state)
{
  /* the quote is escaped in the line: "\"idempotency_key\":\"k-3\"" */
  static const char tricky[] = "see \"idempotency_key\":\"k-3\"";
  crm_message_view m;
  crm_send_result res;
  char line[4096], type[32], val[1024], want[32];
  size_t len, first_len;
  sqlite3 *db;
  char *all;

  (void)state;
  fake_cfg_str(&host, "path", path);
  assert_int_equal(fake_load(&host, "file"), CRM_OK);
  view14(&m, 1, "k-1", "Bonjour");
  assert_int_equal(deliver(&m, &res), CRM_OK);
  assert_int_equal(res.outcome, CRM_SEND_SENT);
  assert_string_equal(res.provider_ref, "file:0");
  assert_string_equal(res.detail, "");
  view14(&m, 2, "k-2", tricky);
  m.priority = CRM_PRIORITY_MARKETING;
  m.template = NULL;
  assert_int_equal(deliver(&m, &res), CRM_OK);
  all = slurp(path, &len);
  line_at(all, 0, line, sizeof(line));
  first_len = strlen(line) + 1;
  snprintf(want, sizeof(want), "file:%zu", first_len);
  assert_string_equal(res.provider_ref, want);

  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  jget(db, line, "idempotency_key", type, sizeof(type), val, sizeof(val));
  assert_string_equal(val, "k-1");
  jget(db, line, "channel", type, sizeof(type), val, sizeof(val));
  assert_string_equal(val, "email");
  jget(db, line, "template", type, sizeof(type), val, sizeof(val));
  assert_string_equal(val, "welcome");
  jget(db, line, "language", type, sizeof(type), val, sizeof(val));
  assert_string_equal(val, "fr");
  jget(db, line, "priority", type, sizeof(type), val, sizeof(val));
  assert_string_equal(val, "service");
  line_at(all, 1, line, sizeof(line));
  jget(db, line, "template", type, sizeof(type), val, sizeof(val));
  assert_string_equal(type, "null");
  jget(db, line, "priority", type, sizeof(type), val, sizeof(val));
  assert_string_equal(val, "marketing");
  jget(db, line, "body", type, sizeof(type), val, sizeof(val));
  assert_string_equal(val, tricky);
  free(all);

  /* message 1 again (a retry after a crash): nothing written, same ref */
  view14(&m, 1, "k-1", "Bonjour");
  m.attempt = 2;
  assert_int_equal(deliver(&m, &res), CRM_OK);
  assert_int_equal(res.outcome, CRM_SEND_SENT);
  assert_string_equal(res.provider_ref, "file:0");
  assert_non_null(strstr(res.detail, "not written again"));
  assert_non_null(strstr(host.last_log, "not written again"));
  /* message 2 again: found on the second line */
  view14(&m, 2, "k-2", tricky);
  assert_int_equal(deliver(&m, &res), CRM_OK);
  assert_string_equal(res.provider_ref, want);
  /* k-3 only appears quoted inside message 2's body: written */
  view14(&m, 3, "k-3", "third");
  assert_int_equal(deliver(&m, &res), CRM_OK);
  assert_string_equal(res.detail, "");
  all = slurp(path, &len);
  assert_int_equal(valid_lines(all), 3);
  line_at(all, 2, line, sizeof(line));
  jget(db, line, "idempotency_key", type, sizeof(type), val, sizeof(val));
  assert_string_equal(val, "k-3");
  free(all);
  sqlite3_close(db);
  fake_unload(&host);
}

/* Keys that are prefixes of each other are told apart (the needle ends
 * with the key's closing quote); a line longer than the 256 KiB window,
 * whose key is inside the window but whose start is not, is still found
 * and answered with its own start. */
static void test_dedupe_prefix_and_window(void **state)
{
  static const char *const keys[] = {"crm-x-12", "crm-x-1", "crm-x-12",
                                     "crm-x-1"};
  const size_t big = 300 * 1024; /* > FILE_DEDUPE_WINDOW (256 KiB) */
  crm_message_view m;
  crm_send_result res;
  struct stat sb;
  char want[32], *body;
  off_t size, first = 0;
  int i;

  (void)state;
  fake_cfg_str(&host, "path", path);
  assert_int_equal(fake_load(&host, "file"), CRM_OK);
  for(i = 0; i < 4; i++) {
    view14(&m, i % 2 ? 1 : 12, keys[i], "x");
    assert_int_equal(deliver(&m, &res), CRM_OK);
    assert_int_equal(stat(path, &sb), 0);
    if(i == 0)
      first = sb.st_size; /* line 2 starts here */
    snprintf(want, sizeof(want), "file:%lld", i == 1 || i == 3 ?
             (long long)first : 0LL);
    assert_string_equal(res.provider_ref, want);
    /* 0, 1: written; 2, 3: found (crm-x-1 is not taken for crm-x-12) */
    assert_int_equal(strstr(res.detail, "not written again") != NULL, i > 1);
  }
  size = sb.st_size;
  body = malloc(big + 1);
  assert_non_null(body);
  memset(body, 'b', big);
  body[big] = '\0';
  view14(&m, 7, "crm-x-7", body);
  assert_int_equal(deliver(&m, &res), CRM_OK);
  snprintf(want, sizeof(want), "file:%lld", (long long)size);
  assert_string_equal(res.provider_ref, want);
  assert_int_equal(stat(path, &sb), 0);
  assert_true(sb.st_size - size > (off_t)big); /* the line's start is out */
  size = sb.st_size;
  assert_int_equal(deliver(&m, &res), CRM_OK);
  assert_string_equal(res.provider_ref, want);
  assert_non_null(strstr(res.detail, "not written again"));
  assert_int_equal(stat(path, &sb), 0);
  assert_int_equal(sb.st_size, size);
  free(body);
  fake_unload(&host);
}

/* A 1.3 view (struct_size before idempotency_key): the line has none of
 * the 1.4 members, and nothing is deduplicated. */
static void test_old_view(void **state)
{
  crm_message_view m;
  crm_send_result res;
  char line[4096], type[32], val[64];
  sqlite3 *db;
  size_t len;
  char *all;

  (void)state;
  fake_cfg_str(&host, "path", path);
  assert_int_equal(fake_load(&host, "file"), CRM_OK);
  view14(&m, 4, "k-4", "old");
  m.struct_size = (uint32_t)offsetof(crm_message_view, idempotency_key);
  assert_int_equal(deliver(&m, &res), CRM_OK);
  assert_int_equal(deliver(&m, &res), CRM_OK);
  all = slurp(path, &len);
  assert_int_equal(valid_lines(all), 2);
  line_at(all, 0, line, sizeof(line));
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  jget(db, line, "idempotency_key", type, sizeof(type), val, sizeof(val));
  assert_string_equal(type, "(absent)");
  jget(db, line, "priority", type, sizeof(type), val, sizeof(val));
  assert_string_equal(type, "(absent)");
  jget(db, line, "body", type, sizeof(type), val, sizeof(val));
  assert_string_equal(val, "old");
  sqlite3_close(db);
  free(all);
  fake_unload(&host);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_descriptor, setup, teardown),
    cmocka_unit_test_setup_teardown(test_lines_and_escaping, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_appends_existing, setup, teardown),
    cmocka_unit_test_setup_teardown(test_relative_path, setup, teardown),
    cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
    cmocka_unit_test_setup_teardown(test_default_path, setup, teardown),
    cmocka_unit_test_setup_teardown(test_reconfigure_moves_file, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_torn_tail_is_cut, setup, teardown),
    cmocka_unit_test_setup_teardown(test_deliver_dedupe, setup, teardown),
    cmocka_unit_test_setup_teardown(test_dedupe_prefix_and_window, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_old_view, setup, teardown),
    cmocka_unit_test_setup_teardown(test_write_failure_rolls_back, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_fsync_failure_is_success, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_waits_for_another_writer, setup,
                                    teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
