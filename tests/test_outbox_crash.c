/*
 * test_outbox_crash.c - a crash (kill -9 of the sending process) between
 * the send and the acknowledgement, resumed with no loss and no
 * duplicate at the receiver.
 *
 * Three messages are queued in a store file. A child process (`crm
 * outbox run`, the real CLI) sends them through the sms_http plugin to
 * tests/servers/http_sink.py. The sink accepts message 1, then accepts
 * message 2 but never answers it (a provider that did the job but whose
 * acknowledgement is lost) and announces that on a FIFO. The test blocks
 * on the FIFO, kills the child with SIGKILL and checks that the store
 * shows message 2 "sending". Then crm_outbox_run in this process takes
 * message 2 over (its process is gone) and attempts it again with the
 * same Idempotency-Key: the sink answers with its first answer, as a
 * duplicate, not a second delivery; message 3 goes. The sink delivered
 * messages 1, 2 and 3 exactly once each, and the outbox says sent for
 * all three, message 2 after 2 attempts.
 */
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crm_test.h"
#include "http_sink.h"

typedef struct env {
  hs_sink sink;
  char dir[512];
  char log[600];
  char fifo[600];
  char conf[600];
  char store[600];
  char out[600];
} env;

static void env_paths(env *e)
{
  t_tmpdir(e->dir, sizeof(e->dir));
  snprintf(e->log, sizeof(e->log), "%s/sink.jsonl", e->dir);
  snprintf(e->fifo, sizeof(e->fifo), "%s/held.fifo", e->dir);
  snprintf(e->conf, sizeof(e->conf), "%s/crm.conf", e->dir);
  snprintf(e->store, sizeof(e->store), "%s/crm.db", e->dir);
  snprintf(e->out, sizeof(e->out), "%s/child.out", e->dir);
}

static void write_conf(env *e)
{
  char text[1024];

  snprintf(text, sizeof(text),
    "plugins = { load = ( { name = \"sms_http\"; config = {\n"
    "  url = \"%s/sms\"; response_id_path = \"message_id\"; }; } ); };\n"
    "communication = {\n"
    "  require_opt_in = false;\n"
    "  channels = ( { name = \"sms\"; component = \"sms_http\";\n"
    "                 address = \"phone\"; } );\n"
    "};\n", e->sink.url);
  t_write_file(e->conf, text);
}

static crm *open_store(env *e)
{
  crm *c = NULL;

  if(crm_open(&c, e->store, CRM_OPEN_CREATE))
    fail_msg("crm_open %s: %s", e->store, crm_errmsg(c));
  if(crm_load_config(c, e->conf, CRM_TEST_PLUGIN_DIR))
    fail_msg("crm_load_config: %s", crm_errmsg(c));
  return c;
}

/* Three customers, one message each (service: no consent needed). */
static void queue_three(env *e, int64_t ids[3])
{
  crm *c = open_store(e);
  crm_customer_fields f;
  crm_outbox_new m;
  char ext[8], phone[16], body[16];
  int64_t cust;
  int i;

  for(i = 0; i < 3; i++) {
    snprintf(ext, sizeof(ext), "c%d", i + 1);
    snprintf(phone, sizeof(phone), "+1555000000%d", i + 1);
    snprintf(body, sizeof(body), "message %d", i + 1);
    memset(&f, 0, sizeof(f));
    f.external_id = ext;
    f.phone = phone;
    if(crm_customer_add(c, &f, &cust))
      fail_msg("crm_customer_add: %s", crm_errmsg(c));
    memset(&m, 0, sizeof(m));
    m.customer_id = cust;
    m.channel = "sms";
    m.body = body;
    m.priority = CRM_PRIORITY_SERVICE;
    if(crm_outbox_enqueue(c, &m, &ids[i]))
      fail_msg("crm_outbox_enqueue: %s", crm_errmsg(c));
  }
  crm_close(c);
}

/* `crm outbox run` on the store, its output into e->out. */
static pid_t start_child(env *e)
{
  pid_t pid = fork();
  int fd;

  if(pid < 0)
    fail_msg("fork: %s", strerror(errno));
  if(pid > 0)
    return pid;
  fd = open(e->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if(fd >= 0) {
    dup2(fd, 1);
    dup2(fd, 2);
  }
  execl(CRM_TEST_CLI, "crm", "--config", e->conf, "--store", e->store,
        "--plugin-dir", CRM_TEST_PLUGIN_DIR, "outbox", "run",
        "--no-triggers", (char *)NULL);
  _exit(127);
}

/* Blocks until the sink announces the held request on the FIFO; reads
 * its line. Polls with a bound so that a child that dies first (a bug)
 * fails the test instead of hanging it. */
static void wait_held(env *e, int fd, pid_t child, char *line, size_t size)
{
  size_t n = 0;
  int i;

  for(i = 0; i < 600; i++) { /* 600 x 100 ms */
    struct pollfd p;
    int st;
    ssize_t r;

    p.fd = fd;
    p.events = POLLIN;
    p.revents = 0;
    if(poll(&p, 1, 100) > 0 && (p.revents & POLLIN)) {
      r = read(fd, line + n, size - n - 1);
      if(r > 0) {
        n += (size_t)r;
        line[n] = '\0';
        if(strchr(line, '\n'))
          return;
      }
      continue;
    }
    if(waitpid(child, &st, WNOHANG) == child) {
      FILE *f = fopen(e->out, "r");
      char buf[2048] = "";

      if(f) {
        buf[fread(buf, 1, sizeof(buf) - 1, f)] = '\0';
        fclose(f);
      }
      fail_msg("crm outbox run ended before the sink held message 2 "
               "(status %d): %s", st, buf);
    }
  }
  /* no orphan: the child would go on sending after the test gave up */
  kill(child, SIGKILL);
  while(waitpid(child, NULL, 0) < 0 && errno == EINTR)
    ;
  fail_msg("the sink never held a request");
}

static crm_outbox_msg get(crm *c, int64_t id)
{
  crm_outbox_msg m;

  if(crm_outbox_get(c, id, &m))
    fail_msg("crm_outbox_get(%lld): %s", (long long)id, crm_errmsg(c));
  return m;
}

static void test_kill9_between_send_and_ack(void **state)
{
  char line[256], want[256], key[3][128], sql[512];
  crm_outbox_stats s;
  crm_outbox_msg m;
  int64_t ids[3];
  env e;
  pid_t child;
  crm *c;
  int fd, st, i;

  (void)state;
  memset(&e, 0, sizeof(e));
  env_paths(&e);
  if(mkfifo(e.fifo, 0600) != 0)
    fail_msg("mkfifo: %s", strerror(errno));
  hs_start(&e.sink, e.log, e.fifo);
  /* request 1: 200; request 2: accepted, never answered; then 200 */
  hs_control(&e.sink, "{\"script\": [200, {\"hold\": true}]}");
  write_conf(&e);
  queue_three(&e, ids);
  /* the read end first: the sink's open for writing then succeeds */
  fd = open(e.fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  assert_true(fd >= 0);

  child = start_child(&e);
  wait_held(&e, fd, child, line, sizeof(line));
  close(fd);
  /* the acknowledgement of message 2 never reaches the child: kill it */
  assert_int_equal(kill(child, SIGKILL), 0);
  assert_int_equal(waitpid(child, &st, 0), child);
  assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

  c = open_store(&e);
  for(i = 0; i < 3; i++) {
    m = get(c, ids[i]);
    snprintf(key[i], sizeof(key[i]), "%s", m.idempotency_key);
  }
  /* the sink held the request of message 2, with its key */
  snprintf(want, sizeof(want), "held 2 %s\n", key[1]);
  assert_string_equal(line, want);
  m = get(c, ids[0]);
  assert_string_equal(m.status, CRM_MSG_SENT);
  assert_string_equal(m.provider_ref, "sink-1");
  m = get(c, ids[1]);
  assert_string_equal(m.status, CRM_MSG_SENDING);
  assert_int_equal(m.attempts, 1);
  m = get(c, ids[2]);
  assert_string_equal(m.status, CRM_MSG_QUEUED);
  assert_int_equal(m.attempts, 0);

  /* the provider is back to normal; resume in this process */
  hs_control(&e.sink, "{\"script\": []}");
  {
    crm_outbox_run_opts o;

    memset(&o, 0, sizeof(o));
    o.no_triggers = 1;
    if(crm_outbox_run(c, &o, &s))
      fail_msg("crm_outbox_run: %s", crm_errmsg(c));
  }
  assert_int_equal(s.recovered, 1);
  assert_int_equal(s.attempted, 2);
  assert_int_equal(s.sent, 2);
  for(i = 0; i < 3; i++)
    assert_string_equal(get(c, ids[i]).status, CRM_MSG_SENT);
  m = get(c, ids[1]);
  assert_int_equal(m.attempts, 2);
  /* the duplicate's answer is the first one: the held request's id */
  assert_string_equal(m.provider_ref, "sink-2");
  assert_int_equal(get(c, ids[0]).attempts, 1);
  assert_int_equal(get(c, ids[2]).attempts, 1);

  /* at the receiver: 1, 2, 3 delivered once each; 2 attempted twice */
  assert_int_equal(hs_int(&e.sink, "SELECT count(*) FROM log WHERE "
                                   "j->>'kind' = 'delivered'"), 3);
  for(i = 0; i < 3; i++) {
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM log WHERE "
             "j->>'kind' = 'delivered' AND j->>'key' = '%s' AND "
             "j->>'body' LIKE '%%\"text\":\"message %d\"%%'", key[i], i + 1);
    assert_int_equal(hs_int(&e.sink, sql), 1);
  }
  snprintf(sql, sizeof(sql), "SELECT count(*) FROM log WHERE "
           "j->>'kind' = 'duplicate' AND j->>'key' = '%s'", key[1]);
  assert_int_equal(hs_int(&e.sink, sql), 1);
  assert_int_equal(hs_int(&e.sink, "SELECT count(*) FROM log"), 4);
  crm_close(c);

  hs_stop(&e.sink);
  unlink(e.log);
  unlink(e.fifo);
  unlink(e.conf);
  unlink(e.out);
  unlink(e.store);
  {
    static const char *const ext[] = {"-wal", "-shm", "-journal"};
    char p[700];

    for(i = 0; i < 3; i++) {
      snprintf(p, sizeof(p), "%s%s", e.store, ext[i]);
      unlink(p);
    }
  }
  rmdir(e.dir);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_kill9_between_send_and_ack),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
