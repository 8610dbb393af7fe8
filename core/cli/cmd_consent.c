/*
 * cmd_consent.c - crm consent set / dnc / clear-dnc / show: what a
 * customer agreed to per channel (opt-in or opt-out with time and
 * source) and do-not-contact with a reason. The contact preferences are
 * in cmd_prefs.c.
 *
 * Only records: nothing is sent here. The send gate reads them before
 * every message.
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define OPT_SOURCE 256
#define OPT_AT 257
#define OPT_REASON 258
#define OPT_NOTE 259
#define OPT_ALL 260
#define OPT_HISTORY 261

static const char *status_name(int status)
{
  switch(status) {
  case CRM_CONSENT_IN:
    return "in";
  case CRM_CONSENT_OUT:
    return "out";
  default:
    return "unknown";
  }
}

/* ---- printing consent rows ----------------------------------------------- */

struct consent_ctx {
  cli_json *j;
  cli_table *t;
  int history;
  int64_t n;
};

/* A history row's kind, from what crm_consent_foreach fills: no channel
 * for preferences, a reason for a do-not-contact, in or out for an
 * opt-in or opt-out, else the lifting of a do-not-contact. */
static const char *change_kind(const crm_consent *co)
{
  if(!co->channel)
    return "prefs";
  if(co->dnc_reason)
    return "dnc";
  if(co->status == CRM_CONSENT_IN)
    return "opt_in";
  if(co->status == CRM_CONSENT_OUT)
    return "opt_out";
  return "dnc_clear";
}

/* The channel for text: "*" (every channel) as "all". */
static const char *channel_text(const crm_consent *co)
{
  if(!co->channel)
    return "-";
  return strcmp(co->channel, "*") ? co->channel : "all";
}

/* A number of the stored preferences note at "KEY=", ending at stop. */
static int note_num(const char *note, const char *key, int stop,
                    long long *v, const char **end)
{
  const char *p = strstr(note, key);
  char *e;
  if(!p)
    return -1;
  p += strlen(key);
  errno = 0;
  *v = strtoll(p, &e, 10);
  if(e == p || errno || *e != stop)
    return -1;
  *end = e;
  return 0;
}

/* A history row's stored preferences note, "channel=sms language=fr
 * quiet=1320-420 pause=A-B" (minutes, UTC seconds; "-", -1 and 0 for
 * none), as the admin reads it: "channel=sms language=fr
 * quiet=22:00-07:00 pause=2026-03-10 00:00 UTC..2026-03-20 00:00 UTC",
 * "none" for what is not set; the pause in ISO 8601 when iso. A note of
 * another shape is kept as it is. */
static void prefs_note_text(const char *note, int iso, char *buf,
                            size_t size)
{
  long long qs, qe, pf, pu;
  const char *l, *q, *e;
  char a[32], b[32], quiet[80], pause[80];
  int cn, ln;
  l = note && !strncmp(note, "channel=", 8) ? strstr(note, " language=")
                                            : NULL;
  q = l ? strstr(l, " quiet=") : NULL;
  if(!q || note_num(q, " quiet=", '-', &qs, &e) ||
     note_num(e, "-", ' ', &qe, &e) || note_num(e, " pause=", '-', &pf, &e) ||
     note_num(e, "-", '\0', &pu, &e) || qs < -1 || qs >= 1440 ||
     qe < -1 || qe >= 1440) {
    snprintf(buf, size, "%s", note ? note : "-");
    return;
  }
  cn = (int)(l - (note + 8));
  ln = (int)(q - (l + 10));
  if(qs < 0)
    snprintf(quiet, sizeof(quiet), "none");
  else {
    cli_fmt_minutes((int)qs, a, sizeof(a));
    cli_fmt_minutes((int)qe, b, sizeof(b));
    snprintf(quiet, sizeof(quiet), "%s-%s", a, b);
  }
  if(!pf && !pu)
    snprintf(pause, sizeof(pause), "none");
  else {
    (iso ? cli_fmt_iso : cli_fmt_time)((int64_t)pf, a, sizeof(a));
    (iso ? cli_fmt_iso : cli_fmt_time)((int64_t)pu, b, sizeof(b));
    snprintf(pause, sizeof(pause), "%s..%s", a, b);
  }
  snprintf(buf, size, "channel=%.*s language=%.*s quiet=%s pause=%s",
           cn == 1 && note[8] == '-' ? 4 : cn,
           cn == 1 && note[8] == '-' ? "none" : note + 8,
           ln == 1 && l[10] == '-' ? 4 : ln,
           ln == 1 && l[10] == '-' ? "none" : l + 10, quiet, pause);
}

static void consent_json(cli_json *j, const crm_consent *co, int history)
{
  cli_json_begin_object(j, NULL);
  if(history)
    cli_json_str(j, "change", change_kind(co));
  cli_json_str(j, "channel", co->channel);
  cli_json_str(j, "status", status_name(co->status));
  cli_json_str(j, "source", co->source);
  cli_json_time(j, "at", co->at);
  if(co->dnc_reason && co->channel) {
    cli_json_begin_object(j, "dnc");
    cli_json_str(j, "reason", co->dnc_reason);
    cli_json_str(j, "note", co->dnc_note);
    cli_json_time(j, "at", co->dnc_at);
    cli_json_end(j);
  }
  else
    cli_json_null(j, "dnc");
  if(history && !co->channel) {
    char text[512];
    prefs_note_text(co->dnc_note, 1, text, sizeof(text));
    cli_json_str(j, "preferences", text);
  }
  if(history)
    cli_json_time(j, "recorded_at", co->recorded_at);
  cli_json_end(j);
}

/* "bounced since 2026-02-05 00:00: note", or "-" */
static void dnc_text(const crm_consent *co, char *buf, size_t size)
{
  char at[32];
  if(!co->channel) { /* a preferences row of the history */
    prefs_note_text(co->dnc_note, 0, buf, size);
    return;
  }
  if(!co->dnc_reason) {
    snprintf(buf, size, "-");
    return;
  }
  cli_fmt_time(co->dnc_at, at, sizeof(at));
  snprintf(buf, size, "%s since %s%s%s", co->dnc_reason, at,
           co->dnc_note ? ": " : "", co->dnc_note ? co->dnc_note : "");
}

static int consent_cb(void *ud, const crm_consent *co)
{
  struct consent_ctx *cx = ud;
  char at[32], rec[32], dnc[512];
  const char *row[6];
  size_t k = 0;
  cx->n++;
  if(cx->j) {
    consent_json(cx->j, co, cx->history);
    return 0;
  }
  cli_fmt_time(co->at, at, sizeof(at));
  cli_fmt_time(co->recorded_at, rec, sizeof(rec));
  dnc_text(co, dnc, sizeof(dnc));
  if(cx->history)
    row[k++] = rec;
  row[k++] = channel_text(co);
  row[k++] = cx->history ? change_kind(co) : status_name(co->status);
  row[k++] = at;
  row[k++] = co->source ? co->source : "-";
  row[k++] = dnc;
  cli_table_add(cx->t, row);
  return 0;
}

/* The consent of one channel (crm_consent_get) or of every channel with a
 * record (channel NULL), or the history: a JSON array named key, or a
 * table under a heading. */
static int consent_list(cli *x, cli_json *j, const crm_customer *cu,
                        const char *channel, int history, const char *key)
{
  static const char *const head[] = {"CHANNEL", "STATUS", "AT", "SOURCE",
                                     "DO-NOT-CONTACT", NULL};
  static const char *const hhead[] = {"RECORDED", "CHANNEL", "CHANGE", "AT",
                                      "SOURCE", "DETAIL", NULL};
  struct consent_ctx cx;
  cli_table t;
  crm_consent co;
  int rc;
  memset(&cx, 0, sizeof(cx));
  cx.j = j;
  cx.history = history;
  if(j)
    cli_json_begin_array(j, key);
  else {
    cli_table_init(&t, history ? hhead : head);
    cx.t = &t;
  }
  if(channel) {
    memset(&co, 0, sizeof(co));
    rc = crm_consent_get(x->c, cu->id, channel, &co);
    if(!rc) {
      if(!co.channel)
        co.channel = channel;
      consent_cb(&cx, &co);
    }
  }
  else
    rc = crm_consent_foreach(x->c, cu->id, history, consent_cb, &cx);
  if(j) {
    cli_json_end(j);
    return rc;
  }
  if(!rc && history)
    printf("consent history (in the order recorded):\n");
  else if(!rc)
    printf("consent:\n");
  if(!rc && cx.n)
    cli_table_print(&t, stdout, 2);
  else if(!rc && history)
    printf("  nothing recorded\n");
  else if(!rc)
    printf("  nothing recorded (unknown on every channel: no marketing)\n");
  cli_table_free(&t);
  return rc;
}

/* ---- shared steps -------------------------------------------------------- */

int cli_consent_customer(cli *x, const char *ref, crm_customer *cu)
{
  int rc = cli_open(x, 0);
  if(!rc)
    rc = cli_resolve(x, ref, cu);
  return rc;
}

void cli_consent_begin(cli *x, cli_json *j, const crm_customer *cu)
{
  if(x->json) {
    cli_json_init(j, stdout);
    cli_json_begin_object(j, NULL);
    cli_json_customer_ref(j, cu);
  }
  else if(!x->quiet)
    printf("customer #%" PRId64 " %s (times UTC)\n", cu->id,
           cu->external_id);
}

/* After a change: the current consent of channel (NULL: every channel). */
static int after_change(cli *x, const crm_customer *cu, const char *channel)
{
  cli_json j;
  int rc;
  if(x->quiet && !x->json)
    return CLI_OK;
  cli_consent_begin(x, &j, cu);
  rc = consent_list(x, x->json ? &j : NULL, cu, channel, 0, "consent");
  if(x->json)
    cli_json_finish(&j);
  return rc ? cli_fail(x, rc) : CLI_OK;
}

/* CHANNEL or --all after CUSTOMER: exactly one of them. */
static int channel_or_all(const cli_parser *p, int all, const char **channel)
{
  int rc = cli_operands(p, 1, 2);
  if(rc)
    return rc;
  *channel = p->argc - p->optind == 2 ? p->argv[p->optind + 1] : NULL;
  if(*channel && all)
    return cli_usage_error("%s %s: give a CHANNEL or --all, not both",
                           p->cmd->group, p->cmd->name);
  if(!*channel && !all)
    return cli_usage_error("%s %s: give a CHANNEL or --all (usage: %s)",
                           p->cmd->group, p->cmd->name, p->cmd->usage);
  return CLI_OK;
}

/* ---- crm consent set ----------------------------------------------------- */

static int run_consent_set(cli *x, const cli_cmd *cmd, int argc,
                           char **argv)
{
  static const struct option lo[] = {
    {"source", required_argument, NULL, OPT_SOURCE},
    {"at", required_argument, NULL, OPT_AT},
    {NULL, 0, NULL, 0},
  };
  cli_parser p;
  const char *arg, *source = NULL, *channel, *word;
  crm_customer cu;
  int64_t at = 0;
  int opt, rc, status;

  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg)) {
    if(opt == OPT_SOURCE)
      source = arg;
    else if(opt == OPT_AT) {
      rc = cli_parse_time("--at", arg, &at);
      if(rc)
        return rc;
    }
  }
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 3, 3);
  if(rc)
    return rc;
  channel = argv[p.optind + 1];
  word = argv[p.optind + 2];
  if(!strcmp(word, "in"))
    status = CRM_CONSENT_IN;
  else if(!strcmp(word, "out"))
    status = CRM_CONSENT_OUT;
  else
    return cli_usage_error("consent set: expected in or out, not '%s'",
                           word);
  if(!source)
    return cli_usage_error("consent set: --source is required (where the "
                           "customer said it, e.g. \"web form\")");
  rc = cli_consent_customer(x, argv[p.optind], &cu);
  if(rc)
    return rc;
  rc = crm_consent_set(x->c, cu.id, channel, status, source, at);
  if(rc)
    return cli_fail(x, rc);
  return after_change(x, &cu, channel);
}

/* ---- crm consent dnc / clear-dnc ----------------------------------------- */

/* dnc and clear-dnc share their arguments: CUSTOMER [CHANNEL|--all], a
 * required text (--reason to mark, --source to lift), --at, and --note
 * when marking. */
static int run_dnc_change(cli *x, const cli_cmd *cmd, int argc, char **argv,
                          int clear)
{
  static const struct option lo_set[] = {
    {"reason", required_argument, NULL, OPT_REASON},
    {"note", required_argument, NULL, OPT_NOTE},
    {"at", required_argument, NULL, OPT_AT},
    {"all", no_argument, NULL, OPT_ALL},
    {NULL, 0, NULL, 0},
  };
  static const struct option lo_clear[] = {
    {"source", required_argument, NULL, OPT_SOURCE},
    {"at", required_argument, NULL, OPT_AT},
    {"all", no_argument, NULL, OPT_ALL},
    {NULL, 0, NULL, 0},
  };
  cli_parser p;
  const char *arg, *text = NULL, *note = NULL, *channel = NULL;
  crm_customer cu;
  int64_t at = 0;
  int opt, rc, all = 0;

  cli_parser_init(&p, cmd, argc, argv, clear ? lo_clear : lo_set);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg)) {
    if(opt == OPT_REASON || opt == OPT_SOURCE)
      text = arg;
    else if(opt == OPT_NOTE)
      note = arg;
    else if(opt == OPT_ALL)
      all = 1;
    else if(opt == OPT_AT) {
      rc = cli_parse_time("--at", arg, &at);
      if(rc)
        return rc;
    }
  }
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = channel_or_all(&p, all, &channel);
  if(rc)
    return rc;
  if(!text && clear)
    return cli_usage_error("consent clear-dnc: --source is required (who "
                           "or what lifted it)");
  if(!text)
    return cli_usage_error("consent dnc: --reason is required (unsubscribed, "
                           "bounced, complained or manual)");
  rc = cli_consent_customer(x, argv[p.optind], &cu);
  if(rc)
    return rc;
  if(clear)
    rc = crm_dnc_clear(x->c, cu.id, channel, text, at);
  else
    rc = crm_dnc_set(x->c, cu.id, channel, text, note, at);
  if(rc)
    return cli_fail(x, rc);
  return after_change(x, &cu, channel);
}

static int run_consent_dnc(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  return run_dnc_change(x, cmd, argc, argv, 0);
}

static int run_consent_clear(cli *x, const cli_cmd *cmd, int argc,
                             char **argv)
{
  return run_dnc_change(x, cmd, argc, argv, 1);
}

/* ---- crm consent show ---------------------------------------------------- */

static int run_consent_show(cli *x, const cli_cmd *cmd, int argc,
                            char **argv)
{
  static const struct option lo[] = {
    {"history", no_argument, NULL, OPT_HISTORY},
    {NULL, 0, NULL, 0},
  };
  cli_parser p;
  const char *arg;
  crm_customer cu;
  cli_json j, *jp = NULL;
  int opt, rc, history = 0;

  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg))
    if(opt == OPT_HISTORY)
      history = 1;
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 1, 1);
  if(!rc)
    rc = cli_consent_customer(x, argv[p.optind], &cu);
  if(rc)
    return rc;
  if(x->json)
    jp = &j;
  cli_consent_begin(x, &j, &cu);
  rc = consent_list(x, jp, &cu, NULL, 0, "consent");
  if(!rc)
    rc = cli_prefs_show(x, jp, &cu);
  if(!rc && history)
    rc = consent_list(x, jp, &cu, NULL, 1, "history");
  if(jp)
    cli_json_finish(&j);
  return rc ? cli_fail(x, rc) : CLI_OK;
}

/* ---- the table ----------------------------------------------------------- */

#define CUSTOMER_HELP "  CUSTOMER           #id, id, external id or e-mail\n"
#define CHANNEL_HELP                                                         \
  "  CHANNEL            email, sms, webhook, file or a channel component's\n" \
  "                     name ([a-z0-9_], 1..32 bytes)\n"
#define AT_HELP                                                              \
  "  --at TIME          when the customer said it (default now; not in the\n" \
  "                     future)\n"

const cli_cmd cli_cmds_consent[] = {
  {"consent", "set", "record an opt-in or opt-out on a channel, with its "
   "source",
   "crm consent set CUSTOMER CHANNEL in|out --source TEXT [--at TIME]",
   CUSTOMER_HELP CHANNEL_HELP
   "  in|out             opted in or opted out\n"
   "  --source TEXT      where it came from (\"web form\", \"import\"),\n"
   "                     required\n"
   AT_HELP
   "  Kept in the consent history, never rewritten. An opt-in older than\n"
   "  the channel's latest change stays in the history but does not change\n"
   "  the current status. Prints the channel's current consent.\n",
   run_consent_set},
  {"consent", "dnc", "mark a channel (or every channel) do-not-contact",
   "crm consent dnc CUSTOMER CHANNEL|--all --reason R [--note TEXT] "
   "[--at TIME]",
   CUSTOMER_HELP CHANNEL_HELP
   "  --all              every channel instead of one\n"
   "  --reason R         unsubscribed, bounced, complained or manual\n"
   "                     (required)\n"
   "  --note TEXT        a free note kept with it\n"
   AT_HELP
   "  Nothing is sent on a do-not-contact channel until it is cleared\n"
   "  (crm consent clear-dnc).\n",
   run_consent_dnc},
  {"consent", "clear-dnc", "lift a do-not-contact mark",
   "crm consent clear-dnc CUSTOMER CHANNEL|--all --source TEXT [--at TIME]",
   CUSTOMER_HELP CHANNEL_HELP
   "  --all              every channel instead of one\n"
   "  --source TEXT      who or what lifted it (required)\n"
   "  --at TIME          when (default now)\n"
   "  Recorded in the history; the opt-in or opt-out itself is unchanged.\n",
   run_consent_clear},
  {"consent", "show", "a customer's consent per channel and contact "
   "preferences",
   "crm consent show CUSTOMER [--history]",
   CUSTOMER_HELP
   "  --history          also every change, in the order recorded\n"
   "  Per channel with a record: in, out or unknown, when and from which\n"
   "  source, and any do-not-contact reason; then the preferences\n"
   "  (channel, language, quiet hours, pause). A channel never asked is\n"
   "  unknown: no marketing is sent on it. Times are UTC.\n",
   run_consent_show},
  {NULL, NULL, NULL, NULL, NULL, NULL},
};
