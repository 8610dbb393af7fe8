/*
 * cmd_outbox.c - crm outbox list | show | run | retry | purge | receipt:
 * the persistent outbox. Every message, from a trigger, `crm send test`
 * or crm_message_send, is a row with a state (queued, sending, sent,
 * delivered, failed, dead, refused), its attempts and the provider's last
 * answer; `run` sends what is due, `retry` puts a failed, dead or refused
 * message back in the queue, `purge` deletes old finished rows and
 * `receipt` records a provider's delivery receipt.
 *
 * The channels, bad addresses, templates and triggers are in cmd_comm.c;
 * crm send test in cmd_send.c.
 */
#include "cli.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define OPT_STATUS 256
#define OPT_CUSTOMER 257
#define OPT_CHANNEL 258
#define OPT_LIMIT 259
#define OPT_WAIT 260
#define OPT_NO_TRIGGERS 261
#define OPT_BEFORE 262
#define OPT_DETAIL 263

#define NOTE_WIDTH 48 /* error / hold reason in the list table */

/* ---- helpers shared with cmd_send.c and cmd_comm.c ----------------------- */

void cli_fmt_iso(int64_t t, char *buf, size_t size)
{
  if(!t || size < 21 || crm_time_format(t, buf, size))
    snprintf(buf, size, "-");
}

int cli_parse_msg_id(const char *text, int64_t *id)
{
  const char *p = text[0] == '#' ? text + 1 : text;
  if(cli_parse_count("message id", p, id))
    return CLI_EUSER;
  if(*id <= 0)
    return cli_usage_error("message id: expected a number >= 1, not '%s'",
                           text);
  return CLI_OK;
}

const char *cli_priority_name(int priority)
{
  return priority == CRM_PRIORITY_SERVICE ? "service" : "marketing";
}

/* The external id of customer `id` (one look-up per distinct customer in
 * a row: rows come newest first, often by customer). */
static const char *customer_ext(cli *x, int64_t id, crm_customer *cache)
{
  if(cache->id != id) {
    memset(cache, 0, sizeof(*cache));
    if(crm_customer_get(x->c, id, cache))
      cache->external_id[0] = '\0';
    cache->id = id;
  }
  return cache->external_id;
}

void cli_outbox_json(cli *x, cli_json *j, const crm_outbox_msg *m,
                     crm_customer *cache)
{
  const char *ext = customer_ext(x, m->customer_id, cache);
  cli_json_begin_object(j, NULL);
  cli_json_int(j, "id", m->id);
  cli_json_begin_object(j, "customer");
  cli_json_int(j, "id", m->customer_id);
  cli_json_str(j, "external_id", ext[0] ? ext : NULL);
  cli_json_end(j);
  cli_json_str(j, "channel", m->channel);
  cli_json_str(j, "address", m->address);
  cli_json_str(j, "status", m->status);
  cli_json_str(j, "priority", cli_priority_name(m->priority));
  cli_json_int(j, "attempts", m->attempts);
  cli_json_time(j, "next_at", m->next_at);
  cli_json_str(j, "template", m->template);
  cli_json_str(j, "language", m->language);
  cli_json_str(j, "trigger", m->trigger);
  cli_json_str(j, "subject", m->subject);
  cli_json_str(j, "body", m->body);
  cli_json_str(j, "idempotency_key", m->idempotency_key);
  cli_json_str(j, "provider_ref", m->provider_ref);
  cli_json_str(j, "error", m->error);
  cli_json_str(j, "error_class", m->error_class);
  cli_json_str(j, "hold_reason", m->hold_reason);
  cli_json_time(j, "created_at", m->created_at);
  cli_json_time(j, "sent_at", m->sent_at);
  cli_json_time(j, "delivered_at", m->delivered_at);
  cli_json_time(j, "updated_at", m->updated_at);
  cli_json_end(j);
}

static int is_status(const char *s)
{
  static const char *const all[] = {
    CRM_MSG_QUEUED, CRM_MSG_SENDING, CRM_MSG_SENT, CRM_MSG_DELIVERED,
    CRM_MSG_FAILED, CRM_MSG_DEAD, CRM_MSG_REFUSED, NULL};
  size_t i;
  for(i = 0; all[i]; i++)
    if(!strcmp(all[i], s))
      return 1;
  return 0;
}

/* The time that matters for a row: when it is due (queued, sending,
 * failed) or when it went out (sent, delivered); none for dead and
 * refused rows. */
static int is_waiting(const crm_outbox_msg *m)
{
  return !strcmp(m->status, CRM_MSG_QUEUED) ||
         !strcmp(m->status, CRM_MSG_SENDING) ||
         !strcmp(m->status, CRM_MSG_FAILED);
}

static int64_t row_time(const crm_outbox_msg *m)
{
  if(is_waiting(m))
    return m->next_at;
  return m->sent_at;
}

/* text cut to at most width code points, "..." marking a cut */
static void truncate_utf8(const char *s, size_t width, char *buf,
                          size_t size)
{
  size_t n = 0, cp = 0, last = 0;
  if(cli_text_width(s) <= width) {
    snprintf(buf, size, "%s", s);
    return;
  }
  while(s[n] && cp < width - 3) {
    n++;
    while(((unsigned char)s[n] & 0xc0) == 0x80)
      n++;
    cp++;
    last = n;
  }
  if(last + 4 > size)
    last = size > 4 ? size - 4 : 0;
  memcpy(buf, s, last);
  memcpy(buf + last, "...", 4);
}

/* ---- crm outbox list ----------------------------------------------------- */

struct list_ctx {
  cli *x;
  cli_json *j;
  cli_table *t;
  crm_customer cache;
  int64_t n;
};

static int list_cb(void *ud, const crm_outbox_msg *m)
{
  struct list_ctx *lc = ud;
  char id[32], cust[96], tries[16], when[32], tpl[80], note[NOTE_WIDTH * 4];
  const char *row[9];
  const char *ext, *why;
  lc->n++;
  if(lc->j) {
    cli_outbox_json(lc->x, lc->j, m, &lc->cache);
    return 0;
  }
  ext = customer_ext(lc->x, m->customer_id, &lc->cache);
  snprintf(id, sizeof(id), "%" PRId64, m->id);
  snprintf(cust, sizeof(cust), "#%" PRId64 "%s%s", m->customer_id,
           ext[0] ? " " : "", ext);
  snprintf(tries, sizeof(tries), "%d", m->attempts);
  cli_fmt_iso(row_time(m), when, sizeof(when));
  snprintf(tpl, sizeof(tpl), "%s%s%s", m->template ? m->template : "-",
           m->trigger ? "/" : "", m->trigger ? m->trigger : "");
  why = m->hold_reason && !strcmp(m->status, CRM_MSG_QUEUED) ?
    m->hold_reason : m->error;
  truncate_utf8(why && *why ? why : "-", NOTE_WIDTH, note, sizeof(note));
  row[0] = id;
  row[1] = cust;
  row[2] = m->channel;
  row[3] = m->status;
  row[4] = tries;
  row[5] = when;
  row[6] = tpl;
  row[7] = note;
  row[8] = NULL;
  cli_table_add(lc->t, row);
  return 0;
}

/* Returns an exit code, or -1 when the help was shown. */
static int list_options(cli *x, cli_parser *p, const cli_cmd *cmd, int argc,
                        char **argv, const char **status,
                        const char **customer, crm_outbox_filter *f)
{
  static const struct option lo[] = {
    {"status", required_argument, NULL, OPT_STATUS},
    {"customer", required_argument, NULL, OPT_CUSTOMER},
    {"channel", required_argument, NULL, OPT_CHANNEL},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {NULL, 0, NULL, 0},
  };
  const char *arg;
  int64_t limit;
  int opt;
  cli_parser_init(p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, p, &arg); opt >= 0;
      opt = cli_parser_next(x, p, &arg)) {
    if(opt == OPT_STATUS)
      *status = arg;
    else if(opt == OPT_CUSTOMER)
      *customer = arg;
    else if(opt == OPT_CHANNEL)
      f->channel = arg;
    else if(opt == OPT_LIMIT) {
      if(cli_parse_count("--limit", arg, &limit))
        return CLI_EUSER;
      f->limit = limit > INT_MAX ? INT_MAX : (int)limit;
    }
  }
  if(opt == CLI_PARSE_EXIT)
    return p->rc ? p->rc : -1; /* -1: help shown */
  if(*status && !is_status(*status))
    return cli_usage_error("outbox list: unknown status '%s' (queued, "
                           "sending, sent, delivered, failed, dead or "
                           "refused)", *status);
  return cli_operands(p, 0, 0);
}

static int run_outbox_list(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  static const char *const head[] = {"ID", "CUSTOMER", "CHANNEL", "STATUS",
                                     "TRIES", "NEXT/SENT (UTC)",
                                     "TEMPLATE/TRIGGER", "ERROR/HOLD", NULL};
  cli_parser p;
  crm_outbox_filter f;
  crm_customer cu;
  struct list_ctx lc;
  cli_table t;
  cli_json j;
  const char *status = NULL, *customer = NULL;
  int rc;

  memset(&f, 0, sizeof(f));
  memset(&lc, 0, sizeof(lc));
  rc = list_options(x, &p, cmd, argc, argv, &status, &customer, &f);
  if(rc < 0)
    return CLI_OK;
  if(!rc)
    rc = cli_open(x, 0);
  if(!rc && customer)
    rc = cli_resolve(x, customer, &cu);
  if(rc)
    return rc;
  f.status = status;
  f.customer_id = customer ? cu.id : 0;
  lc.x = x;
  if(x->json) {
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_begin_array(&j, "messages");
    lc.j = &j;
  }
  else {
    cli_table_init(&t, head);
    cli_table_align_right(&t, 0);
    cli_table_align_right(&t, 4);
    lc.t = &t;
  }
  rc = crm_outbox_foreach(x->c, &f, list_cb, &lc);
  if(x->json) {
    cli_json_end(&j);
    cli_json_finish(&j);
  }
  else {
    if(!rc && lc.n)
      cli_table_print(&t, stdout, 0);
    else if(!rc && !x->quiet)
      printf("no messages\n");
    cli_table_free(&t);
  }
  return rc ? cli_fail(x, rc) : CLI_OK;
}

/* ---- crm outbox show ----------------------------------------------------- */

static void show_line(const char *label, const char *value)
{
  printf("  %-14s %s\n", label, value && *value ? value : "-");
}

static void show_time(const char *label, int64_t t)
{
  char buf[32];
  cli_fmt_iso(t, buf, sizeof(buf));
  show_line(label, buf);
}

static void show_text(cli *x, const crm_outbox_msg *m)
{
  char buf[256];
  crm_customer cache;
  const char *ext;
  memset(&cache, 0, sizeof(cache));
  ext = customer_ext(x, m->customer_id, &cache);
  printf("message %" PRId64 " (times UTC)\n", m->id);
  snprintf(buf, sizeof(buf), "#%" PRId64 "%s%s", m->customer_id,
           ext[0] ? " " : "", ext);
  show_line("customer", buf);
  show_line("channel", m->channel);
  show_line("address", m->address);
  show_line("status", m->status);
  show_line("priority", cli_priority_name(m->priority));
  snprintf(buf, sizeof(buf), "%d", m->attempts);
  show_line("attempts", buf);
  show_line("template", m->template ? m->template : "(ad hoc)");
  show_line("language", m->language);
  show_line("trigger", m->trigger);
  show_line("key", m->idempotency_key);
  show_line("provider ref", m->provider_ref);
  show_line("error", m->error);
  show_line("error class", m->error_class);
  show_line("held", m->hold_reason);
  show_time("created", m->created_at);
  show_time("next attempt", is_waiting(m) ? m->next_at : 0);
  show_time("sent", m->sent_at);
  show_time("delivered", m->delivered_at);
  show_time("updated", m->updated_at);
  printf("subject: %s\n\n%s\n", m->subject ? m->subject : "(none)",
         m->body ? m->body : "");
}

/* The commands that take one message ID and no option: parses, opens the
 * store. *done = 1 when the parser answered (--help) and rc says how. */
static int outbox_id_open(cli *x, const cli_cmd *cmd, int argc, char **argv,
                          int64_t *id, int *done)
{
  cli_parser p;
  const char *arg;
  int opt, rc;

  *done = 0;
  cli_parser_init(&p, cmd, argc, argv, NULL);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg))
    ;
  if(opt == CLI_PARSE_EXIT) {
    *done = 1;
    return p.rc;
  }
  rc = cli_operands(&p, 1, 1);
  if(!rc)
    rc = cli_parse_msg_id(argv[p.optind], id);
  if(!rc)
    rc = cli_open(x, 0);
  return rc;
}

static int run_outbox_show(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  crm_outbox_msg m;
  crm_customer cache;
  cli_json j;
  int64_t id;
  int done, rc;

  rc = outbox_id_open(x, cmd, argc, argv, &id, &done);
  if(rc || done)
    return rc;
  memset(&m, 0, sizeof(m));
  rc = crm_outbox_get(x->c, id, &m);
  if(rc)
    return cli_fail(x, rc);
  if(x->json) {
    memset(&cache, 0, sizeof(cache));
    cli_json_init(&j, stdout);
    cli_outbox_json(x, &j, &m, &cache);
    cli_json_finish(&j);
  }
  else if(!x->quiet)
    show_text(x, &m);
  return CLI_OK;
}

/* ---- crm outbox run ------------------------------------------------------ */

static void stats_print(cli *x, const crm_outbox_stats *st)
{
  cli_json j;
  if(x->json) {
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_int(&j, "triggers_fired", st->triggers_fired);
    cli_json_int(&j, "attempted", st->attempted);
    cli_json_int(&j, "sent", st->sent);
    cli_json_int(&j, "held", st->held);
    cli_json_int(&j, "failed", st->failed);
    cli_json_int(&j, "dead", st->dead);
    cli_json_int(&j, "refused", st->refused);
    cli_json_int(&j, "rate_limited", st->rate_limited);
    cli_json_int(&j, "deferred", st->deferred);
    cli_json_int(&j, "recovered", st->recovered);
    cli_json_finish(&j);
    return;
  }
  if(x->quiet)
    return;
  printf("%" PRId64 " sent, %" PRId64 " held, %" PRId64 " failed, %" PRId64
         " dead, %" PRId64 " refused, %" PRId64 " rate limited, %" PRId64
         " triggers fired\n", st->sent, st->held, st->failed, st->dead,
         st->refused, st->rate_limited, st->triggers_fired);
  if(st->deferred || st->recovered)
    printf("%" PRId64 " deferred (channel slowed down or paced), %" PRId64
           " recovered from an interrupted run\n", st->deferred,
           st->recovered);
}

static int run_outbox_run(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  static const struct option lo[] = {
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"wait", no_argument, NULL, OPT_WAIT},
    {"no-triggers", no_argument, NULL, OPT_NO_TRIGGERS},
    {NULL, 0, NULL, 0},
  };
  crm_outbox_run_opts o;
  crm_outbox_stats st;
  cli_parser p;
  const char *arg;
  int64_t limit;
  int opt, rc;

  memset(&o, 0, sizeof(o));
  memset(&st, 0, sizeof(st));
  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg)) {
    if(opt == OPT_LIMIT) {
      if(cli_parse_count("--limit", arg, &limit))
        return CLI_EUSER;
      o.max_messages = limit > INT_MAX ? INT_MAX : (int)limit;
    }
    else if(opt == OPT_WAIT)
      o.wait = 1;
    else if(opt == OPT_NO_TRIGGERS)
      o.no_triggers = 1;
  }
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 0, 0);
  if(!rc)
    rc = cli_open(x, 0);
  if(rc)
    return rc;
  rc = crm_outbox_run(x->c, &o, &st);
  if(rc)
    return cli_fail(x, rc);
  stats_print(x, &st);
  return CLI_OK;
}

/* ---- crm outbox retry ---------------------------------------------------- */

static int run_outbox_retry(cli *x, const cli_cmd *cmd, int argc,
                            char **argv)
{
  crm_outbox_msg m;
  crm_customer cache;
  cli_json j;
  int64_t id;
  int done, rc;

  rc = outbox_id_open(x, cmd, argc, argv, &id, &done);
  if(rc || done)
    return rc;
  rc = crm_outbox_retry(x->c, id);
  if(!rc && x->json) {
    memset(&m, 0, sizeof(m));
    rc = crm_outbox_get(x->c, id, &m);
    if(!rc) {
      memset(&cache, 0, sizeof(cache));
      cli_json_init(&j, stdout);
      cli_outbox_json(x, &j, &m, &cache);
      cli_json_finish(&j);
    }
  }
  else if(!rc && !x->quiet)
    printf("message %" PRId64 " queued again, due now (attempts reset); "
           "crm outbox run sends it\n", id);
  return rc ? cli_fail(x, rc) : CLI_OK;
}

/* ---- crm outbox purge ---------------------------------------------------- */

static int run_outbox_purge(cli *x, const cli_cmd *cmd, int argc,
                            char **argv)
{
  static const struct option lo[] = {
    {"before", required_argument, NULL, OPT_BEFORE},
    {"status", required_argument, NULL, OPT_STATUS},
    {NULL, 0, NULL, 0},
  };
  cli_parser p;
  const char *arg, *status = NULL;
  cli_json j;
  int64_t before = 0, n = 0;
  int opt, rc;

  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg)) {
    if(opt == OPT_BEFORE) {
      rc = cli_parse_time("--before", arg, &before);
      if(rc)
        return rc;
    }
    else if(opt == OPT_STATUS)
      status = arg;
  }
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 0, 0);
  if(rc)
    return rc;
  if(!before)
    return cli_usage_error("outbox purge: --before is required (messages "
                           "created before it are deleted)");
  if(status && strcmp(status, CRM_MSG_SENT) &&
     strcmp(status, CRM_MSG_DELIVERED) && strcmp(status, CRM_MSG_DEAD) &&
     strcmp(status, CRM_MSG_REFUSED))
    return cli_usage_error("outbox purge: --status must be a finished "
                           "state (sent, delivered, dead or refused), not "
                           "'%s'", status);
  rc = cli_open(x, 0);
  if(rc)
    return rc;
  rc = crm_outbox_purge(x->c, before, status, &n);
  if(rc)
    return cli_fail(x, rc);
  if(x->json) {
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_int(&j, "deleted", n);
    cli_json_finish(&j);
  }
  else if(!x->quiet)
    printf("%" PRId64 " message%s deleted\n", n, n == 1 ? "" : "s");
  return CLI_OK;
}

/* ---- crm outbox receipt -------------------------------------------------- */

static int run_outbox_receipt(cli *x, const cli_cmd *cmd, int argc,
                              char **argv)
{
  static const struct option lo[] = {
    {"detail", required_argument, NULL, OPT_DETAIL},
    {NULL, 0, NULL, 0},
  };
  cli_parser p;
  const char *arg, *detail = NULL, *what;
  cli_json j;
  int opt, rc;

  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg))
    if(opt == OPT_DETAIL)
      detail = arg;
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 3, 3);
  if(rc)
    return rc;
  what = argv[p.optind + 2];
  if(strcmp(what, "delivered") && strcmp(what, "bounced") &&
     strcmp(what, "complained"))
    return cli_usage_error("outbox receipt: expected delivered, bounced or "
                           "complained, not '%s'", what);
  rc = cli_open(x, 0);
  if(rc)
    return rc;
  rc = crm_outbox_receipt(x->c, argv[p.optind], argv[p.optind + 1], what,
                          detail);
  if(rc)
    return cli_fail(x, rc);
  if(x->json) {
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_str(&j, "channel", argv[p.optind]);
    cli_json_str(&j, "provider_ref", argv[p.optind + 1]);
    cli_json_str(&j, "receipt", what);
    cli_json_str(&j, "detail", detail);
    cli_json_finish(&j);
  }
  else if(!x->quiet)
    printf("%s receipt recorded for %s on %s\n", what, argv[p.optind + 1],
           argv[p.optind]);
  return CLI_OK;
}

/* ---- the table ----------------------------------------------------------- */

#define ID_HELP "  ID                 the message id (as listed; #ID also)\n"

const cli_cmd cli_cmds_outbox[] = {
  {"outbox", "list", "messages in the outbox, newest first",
   "crm outbox list [--status S] [--customer CUSTOMER] [--channel C] "
   "[--limit N]",
   "  --status S         queued, sending, sent, delivered, failed, dead or\n"
   "                     refused\n"
   "  --customer CUSTOMER  one customer's (#id, id, external id, e-mail)\n"
   "  --channel C        one channel's\n"
   "  --limit N          at most N rows (0: all, the default)\n"
   "  NEXT/SENT is when a queued or failed message is due, or when it was\n"
   "  sent; ERROR/HOLD the provider's last answer, the refusal or why a\n"
   "  message is held (cut in the table, whole with --json).\n",
   run_outbox_list},
  {"outbox", "show", "one message, with its subject and body",
   "crm outbox show ID", ID_HELP, run_outbox_show},
  {"outbox", "run", "send the due messages (after due schedule triggers)",
   "crm outbox run [--limit N] [--wait] [--no-triggers]",
   "  --limit N          at most N messages (0: every due one)\n"
   "  --wait             wait for a paced channel's next slot (up to 2 s)\n"
   "                     instead of leaving its messages for the next run\n"
   "  --no-triggers      do not fire the due schedule triggers first\n"
   "  Each message passes the send gate (consent, quiet hours, caps ...)\n"
   "  before its channel. Prints what happened: sent, held (for later),\n"
   "  failed (retried with backoff), dead, refused, rate limited.\n",
   run_outbox_run},
  {"outbox", "retry", "put a failed, dead or refused message back in the "
   "queue",
   "crm outbox retry ID",
   ID_HELP
   "  Due now with its attempts reset; it passes the gate again on the\n"
   "  next crm outbox run.\n",
   run_outbox_retry},
  {"outbox", "purge", "delete old finished messages",
   "crm outbox purge --before DATE [--status S]",
   "  --before DATE      messages created before DATE (YYYY-MM-DD or\n"
   "                     YYYY-MM-DDTHH:MM:SSZ), required\n"
   "  --status S         only sent, delivered, dead or refused ones\n"
   "  Queued, sending and failed messages are never deleted. Prints how\n"
   "  many were.\n",
   run_outbox_purge},
  {"outbox", "receipt", "record a provider's delivery receipt",
   "crm outbox receipt CHANNEL PROVIDER_REF delivered|bounced|complained "
   "[--detail TEXT]",
   "  CHANNEL            the channel the message went out on\n"
   "  PROVIDER_REF       the provider's id of the message (crm outbox show)\n"
   "  delivered          sent -> delivered\n"
   "  bounced            the message is dead and its address marked bad\n"
   "  complained         the customer's channel becomes do-not-contact\n"
   "  --detail TEXT      the provider's words, kept with it\n",
   run_outbox_receipt},
  {NULL, NULL, NULL, NULL, NULL, NULL},
};
