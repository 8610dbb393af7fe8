/*
 * cmd_comm.c - what the communication config sets up, and the state of
 * the channels: crm templates list, crm triggers list | run, crm outbox
 * channels | addresses | clear-address.
 */
#include "cli.h"

#include <inttypes.h>
#include <string.h>

#define OPT_NOW 256

/* Runs a command that takes no option and exactly n_operands operands;
 * returns -1 to go on, else an exit code. */
static int plain_args(cli *x, const cli_cmd *cmd, int argc, char **argv,
                      int n_operands, int *first)
{
  cli_parser p;
  const char *arg;
  int opt, rc;
  cli_parser_init(&p, cmd, argc, argv, NULL);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg))
    ;
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, n_operands, n_operands);
  if(!rc)
    rc = cli_open(x, 0);
  *first = p.optind;
  return rc ? rc : -1;
}

/* A listing: a JSON object {key: [...]} or a table. */
struct listing {
  cli *x;
  cli_json j;
  cli_table t;
  int64_t n;
};

static void listing_begin(struct listing *l, cli *x, const char *key,
                          const char *const *head)
{
  memset(l, 0, sizeof(*l));
  l->x = x;
  if(x->json) {
    cli_json_init(&l->j, stdout);
    cli_json_begin_object(&l->j, NULL);
    cli_json_begin_array(&l->j, key);
  }
  else
    cli_table_init(&l->t, head);
}

static int listing_end(struct listing *l, int rc, const char *none)
{
  if(l->x->json) {
    cli_json_end(&l->j);
    cli_json_finish(&l->j);
  }
  else {
    if(!rc && l->n)
      cli_table_print(&l->t, stdout, 0);
    else if(!rc && !l->x->quiet)
      printf("%s\n", none);
    cli_table_free(&l->t);
  }
  return rc ? cli_fail(l->x, rc) : CLI_OK;
}

/* ---- crm templates list -------------------------------------------------- */

static int template_cb(void *ud, const crm_template_info *t)
{
  struct listing *l = ud;
  const char *row[6];
  l->n++;
  if(l->x->json) {
    cli_json_begin_object(&l->j, NULL);
    cli_json_str(&l->j, "name", t->name);
    cli_json_str(&l->j, "channel", t->channel);
    cli_json_str(&l->j, "language", t->language);
    cli_json_str(&l->j, "subject", t->subject);
    cli_json_str(&l->j, "body", t->body);
    cli_json_str(&l->j, "placeholders", t->placeholders);
    cli_json_end(&l->j);
    return 0;
  }
  row[0] = t->name;
  row[1] = strcmp(t->channel, "*") ? t->channel : "any";
  row[2] = t->language;
  row[3] = t->subject ? t->subject : "-";
  row[4] = t->placeholders && *t->placeholders ? t->placeholders : "-";
  row[5] = NULL;
  cli_table_add(&l->t, row);
  return 0;
}

static int run_templates_list(cli *x, const cli_cmd *cmd, int argc,
                              char **argv)
{
  static const char *const head[] = {"NAME", "CHANNEL", "LANGUAGE",
                                     "SUBJECT", "PLACEHOLDERS", NULL};
  struct listing l;
  int first, rc = plain_args(x, cmd, argc, argv, 0, &first);
  if(rc >= 0)
    return rc;
  listing_begin(&l, x, "templates", head);
  rc = crm_template_foreach(x->c, template_cb, &l);
  return listing_end(&l, rc, "no templates (communication.templates)");
}

/* ---- crm triggers list | run --------------------------------------------- */

static int trigger_cb(void *ud, const crm_trigger_info *t)
{
  struct listing *l = ud;
  char due[32], next[32], fired[32];
  const char *row[10];
  l->n++;
  if(l->x->json) {
    cli_json_begin_object(&l->j, NULL);
    cli_json_str(&l->j, "name", t->name);
    cli_json_str(&l->j, "on", t->on);
    cli_json_str(&l->j, "detail", t->detail);
    cli_json_str(&l->j, "template", t->template);
    cli_json_str(&l->j, "channel", t->channel);
    cli_json_str(&l->j, "priority", cli_priority_name(t->priority));
    cli_json_str(&l->j, "condition", t->condition);
    cli_json_int(&l->j, "due", t->due);
    cli_json_time(&l->j, "next_due_at", t->next_due_at);
    cli_json_int(&l->j, "fired", t->fired);
    cli_json_end(&l->j);
    return 0;
  }
  snprintf(due, sizeof(due), "%" PRId64, t->due);
  cli_fmt_iso(t->next_due_at, next, sizeof(next));
  snprintf(fired, sizeof(fired), "%" PRId64, t->fired);
  row[0] = t->name;
  row[1] = t->on;
  row[2] = t->detail && *t->detail ? t->detail : "-";
  row[3] = t->template;
  row[4] = t->channel;
  row[5] = cli_priority_name(t->priority);
  row[6] = t->condition ? t->condition : "-";
  row[7] = due;
  row[8] = next;
  row[9] = fired;
  cli_table_add(&l->t, row);
  return 0;
}

static int run_triggers_list(cli *x, const cli_cmd *cmd, int argc,
                             char **argv)
{
  static const char *const head[] = {"NAME", "ON", "DETAIL", "TEMPLATE",
                                     "CHANNEL", "PRIORITY", "CONDITION",
                                     "DUE", "NEXT DUE (UTC)", "FIRED", NULL};
  struct listing l;
  int first, rc = plain_args(x, cmd, argc, argv, 0, &first);
  if(rc >= 0)
    return rc;
  listing_begin(&l, x, "triggers", head);
  if(!x->json) {
    cli_table_align_right(&l.t, 7);
    cli_table_align_right(&l.t, 9);
  }
  rc = crm_trigger_foreach(x->c, trigger_cb, &l);
  return listing_end(&l, rc, "no triggers (communication.triggers)");
}

static int run_triggers_run(cli *x, const cli_cmd *cmd, int argc,
                            char **argv)
{
  static const struct option lo[] = {
    {"now", required_argument, NULL, OPT_NOW},
    {NULL, 0, NULL, 0},
  };
  cli_parser p;
  const char *arg;
  cli_json j;
  int64_t now = 0, fired = 0;
  int opt, rc;

  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg))
    if(opt == OPT_NOW && cli_parse_time("--now", arg, &now))
      return CLI_EUSER;
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 0, 0);
  if(!rc)
    rc = cli_open(x, 0);
  if(rc)
    return rc;
  rc = crm_triggers_run(x->c, now, &fired);
  if(rc)
    return cli_fail(x, rc);
  if(x->json) {
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_int(&j, "fired", fired);
    cli_json_finish(&j);
  }
  else if(!x->quiet)
    printf("%" PRId64 " message%s queued by schedule triggers\n", fired,
           fired == 1 ? "" : "s");
  return CLI_OK;
}

/* ---- crm outbox channels ------------------------------------------------- */

static void fmt_rate(double r, char *buf, size_t size)
{
  if(r > 0)
    cli_fmt_number(r, 0, buf, size);
  else
    snprintf(buf, size, "unlimited");
}

static int channel_cb(void *ud, const crm_channel_status *s)
{
  struct listing *l = ud;
  char rate[32], cur[32], slowed[32], queued[32];
  const char *row[7];
  l->n++;
  if(l->x->json) {
    cli_json_begin_object(&l->j, NULL);
    cli_json_str(&l->j, "channel", s->channel);
    cli_json_str(&l->j, "component", s->component);
    cli_json_num(&l->j, "rate", s->rate);
    cli_json_num(&l->j, "current_rate", s->current_rate);
    cli_json_time(&l->j, "slowed_until", s->slowed_until);
    cli_json_int(&l->j, "queued", s->queued);
    cli_json_end(&l->j);
    return 0;
  }
  fmt_rate(s->rate, rate, sizeof(rate));
  fmt_rate(s->current_rate, cur, sizeof(cur));
  cli_fmt_iso(s->slowed_until, slowed, sizeof(slowed));
  snprintf(queued, sizeof(queued), "%" PRId64, s->queued);
  row[0] = s->channel;
  row[1] = s->component ? s->component : "-";
  row[2] = rate;
  row[3] = cur;
  row[4] = slowed;
  row[5] = queued;
  row[6] = NULL;
  cli_table_add(&l->t, row);
  return 0;
}

static int run_outbox_channels(cli *x, const cli_cmd *cmd, int argc,
                               char **argv)
{
  static const char *const head[] = {"CHANNEL", "COMPONENT", "RATE/S",
                                     "CURRENT/S", "SLOWED UNTIL (UTC)",
                                     "QUEUED", NULL};
  struct listing l;
  int first, rc = plain_args(x, cmd, argc, argv, 0, &first);
  if(rc >= 0)
    return rc;
  listing_begin(&l, x, "channels", head);
  if(!x->json)
    cli_table_align_right(&l.t, 5);
  rc = crm_channel_foreach(x->c, channel_cb, &l);
  return listing_end(&l, rc, "no channels (load a channel plugin)");
}

/* ---- crm outbox addresses | clear-address -------------------------------- */

static int address_cb(void *ud, const crm_bad_address *b)
{
  struct listing *l = ud;
  char at[32], msg[32];
  const char *row[6];
  l->n++;
  if(l->x->json) {
    cli_json_begin_object(&l->j, NULL);
    cli_json_str(&l->j, "channel", b->channel);
    cli_json_str(&l->j, "address", b->address);
    cli_json_str(&l->j, "reason", b->reason);
    if(b->message_id)
      cli_json_int(&l->j, "message_id", b->message_id);
    else
      cli_json_null(&l->j, "message_id");
    cli_json_time(&l->j, "at", b->at);
    cli_json_end(&l->j);
    return 0;
  }
  cli_fmt_iso(b->at, at, sizeof(at));
  if(b->message_id)
    snprintf(msg, sizeof(msg), "%" PRId64, b->message_id);
  else
    snprintf(msg, sizeof(msg), "-");
  row[0] = b->channel;
  row[1] = b->address;
  row[2] = at;
  row[3] = msg;
  row[4] = b->reason ? b->reason : "-";
  row[5] = NULL;
  cli_table_add(&l->t, row);
  return 0;
}

static int run_outbox_addresses(cli *x, const cli_cmd *cmd, int argc,
                                char **argv)
{
  static const char *const head[] = {"CHANNEL", "ADDRESS", "MARKED (UTC)",
                                     "MESSAGE", "REASON", NULL};
  struct listing l;
  int first, rc = plain_args(x, cmd, argc, argv, 0, &first);
  if(rc >= 0)
    return rc;
  listing_begin(&l, x, "addresses", head);
  rc = crm_bad_address_foreach(x->c, address_cb, &l);
  return listing_end(&l, rc, "no address is marked bad");
}

static int run_outbox_clear_address(cli *x, const cli_cmd *cmd, int argc,
                                    char **argv)
{
  cli_json j;
  int first, rc = plain_args(x, cmd, argc, argv, 2, &first);
  if(rc >= 0)
    return rc;
  rc = crm_bad_address_clear(x->c, argv[first], argv[first + 1]);
  if(rc)
    return cli_fail(x, rc);
  if(x->json) {
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_str(&j, "channel", argv[first]);
    cli_json_str(&j, "address", argv[first + 1]);
    cli_json_bool(&j, "cleared", 1);
    cli_json_finish(&j);
  }
  else if(!x->quiet)
    printf("%s on %s is no longer marked bad\n", argv[first + 1],
           argv[first]);
  return CLI_OK;
}

/* ---- the table ----------------------------------------------------------- */

const cli_cmd cli_cmds_comm[] = {
  {"outbox", "channels", "the channels, their components and pacing",
   "crm outbox channels",
   "  Per channel: the channel component it is routed to, its configured\n"
   "  rate (messages per second), the current rate after a provider's\n"
   "  \"too many requests\" (halved on each, recovering after successes),\n"
   "  until when it is slowed down, and the messages waiting on it.\n",
   run_outbox_channels},
  {"outbox", "addresses", "addresses marked bad (permanent failure, bounce)",
   "crm outbox addresses",
   "  Nothing is sent to a marked address until it is cleared.\n",
   run_outbox_addresses},
  {"outbox", "clear-address", "lift the bad mark of an address",
   "crm outbox clear-address CHANNEL ADDRESS",
   "  CHANNEL ADDRESS    as crm outbox addresses lists them\n",
   run_outbox_clear_address},
  {"templates", "list", "the message templates of the config",
   "crm templates list",
   "  Per name, channel (any: every channel) and language, with the\n"
   "  subject and the placeholders used; --json adds the body.\n",
   run_templates_list},
  {"triggers", "list", "the lifecycle triggers of the config",
   "crm triggers list",
   "  Per trigger: what fires it, its template, channel and priority,\n"
   "  its condition, the schedule rows waiting (DUE, the earliest in NEXT\n"
   "  DUE) and how many messages it queued so far.\n",
   run_triggers_list},
  {"triggers", "run", "fire the schedule triggers that are due",
   "crm triggers run [--now TIME]",
   "  --now TIME         fire what is due at TIME (default now; or\n"
   "                     --as-of)\n"
   "  Birthday, member-day and points-expiring triggers queue their\n"
   "  messages; crm outbox run does this first and then sends.\n",
   run_triggers_run},
  {NULL, NULL, NULL, NULL, NULL, NULL},
};
