/*
 * cmd_send.c - crm send test CUSTOMER TEMPLATE: renders a template for
 * one customer and shows it; without --dry-run also queues it as an
 * outbox message and attempts that one message at once
 * (crm_outbox_send_now), through the same send gate and channel as every
 * other message, and says what happened: sent, held, refused or failed.
 */
#include "cli.h"

#include <inttypes.h>
#include <string.h>

#define OPT_CHANNEL 256
#define OPT_LANGUAGE 257
#define OPT_VAR 258
#define OPT_DRY_RUN 259
#define OPT_SERVICE 260

#define VARS_MAX 32

struct send_args {
  const char *channel, *language;
  const char *vars[2 * VARS_MAX + 1]; /* name, value, ..., NULL */
  char names[VARS_MAX][64];
  size_t n_vars;
  int dry_run, service;
};

/* NAME=VALUE: NAME of letters, digits and _, as in {{NAME}}. */
static int add_var(struct send_args *a, const char *text)
{
  const char *eq = strchr(text, '=');
  size_t n = eq ? (size_t)(eq - text) : 0, i;
  if(!n || n >= sizeof(a->names[0]))
    return cli_usage_error("--var: expected NAME=VALUE, not '%s'", text);
  for(i = 0; i < n; i++) {
    char ch = text[i];
    if(!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
         (ch >= '0' && ch <= '9') || ch == '_'))
      return cli_usage_error("--var: placeholder names are letters, digits "
                             "and _, not '%.*s'", (int)n, text);
  }
  if(a->n_vars == VARS_MAX)
    return cli_usage_error("--var: at most %d values", VARS_MAX);
  memcpy(a->names[a->n_vars], text, n);
  a->names[a->n_vars][n] = '\0';
  a->vars[2 * a->n_vars] = a->names[a->n_vars];
  a->vars[2 * a->n_vars + 1] = eq + 1;
  a->n_vars++;
  a->vars[2 * a->n_vars] = NULL;
  return CLI_OK;
}

/* Returns an exit code, or -1 when the help was shown. */
static int send_options(cli *x, cli_parser *p, struct send_args *a)
{
  const char *arg;
  int opt, rc;
  for(opt = cli_parser_next(x, p, &arg); opt >= 0;
      opt = cli_parser_next(x, p, &arg)) {
    switch(opt) {
    case OPT_CHANNEL: a->channel = arg; break;
    case OPT_LANGUAGE: a->language = arg; break;
    case OPT_DRY_RUN: a->dry_run = 1; break;
    case OPT_SERVICE: a->service = 1; break;
    case OPT_VAR:
      rc = add_var(a, arg);
      if(rc)
        return rc;
      break;
    default: break;
    }
  }
  if(opt == CLI_PARSE_EXIT)
    return p->rc ? p->rc : -1; /* -1: help shown */
  return cli_operands(p, 2, 2);
}

static void rendered_text(const crm_rendered *r)
{
  printf("channel   %s\n", r->channel);
  printf("language  %s\n", r->language);
  printf("subject   %s\n", r->subject[0] ? r->subject : "(none)");
  printf("body\n%s\n", r->body);
}

static void rendered_json(cli_json *j, const crm_rendered *r)
{
  cli_json_str(j, "channel", r->channel);
  cli_json_str(j, "language", r->language);
  cli_json_str(j, "subject", r->subject[0] ? r->subject : NULL);
  cli_json_str(j, "body", r->body);
}

/* The outcome of the attempt as one line; 0 when it went or is held.
 * now: a queued message due by then waits for its channel, not the gate. */
static int outcome_text(const crm_outbox_msg *m, int64_t now, char *buf,
                        size_t size)
{
  char when[32];

  if(!strcmp(m->status, CRM_MSG_SENT) || !strcmp(m->status, CRM_MSG_DELIVERED)) {
    snprintf(buf, size, "sent (provider ref %s)",
             m->provider_ref ? m->provider_ref : "none");
    return 0;
  }
  if(!strcmp(m->status, CRM_MSG_QUEUED) && m->next_at <= now) {
    /* due, left for later by the channel's pace or a slow-down */
    snprintf(buf, size, "queued, not sent yet: %s; crm outbox run sends it",
             m->hold_reason ? m->hold_reason
                            : "its channel has no free send slot now");
    return 0;
  }
  if(!strcmp(m->status, CRM_MSG_QUEUED)) {
    cli_fmt_iso(m->next_at, when, sizeof(when));
    snprintf(buf, size, "held until %s: %s", when,
             m->hold_reason ? m->hold_reason : "no reason given");
    return 0;
  }
  if(!strcmp(m->status, CRM_MSG_FAILED)) {
    cli_fmt_iso(m->next_at, when, sizeof(when));
    snprintf(buf, size, "failed: %s, next attempt at %s",
             m->error ? m->error : "no reason given", when);
    return 1;
  }
  snprintf(buf, size, "%s: %s", m->status,
           m->error ? m->error : "no reason given");
  return 1;
}

static void message_json(cli_json *j, const crm_outbox_msg *m,
                         const char *outcome)
{
  cli_json_begin_object(j, "message");
  cli_json_int(j, "id", m->id);
  cli_json_str(j, "status", m->status);
  cli_json_str(j, "outcome", outcome);
  cli_json_str(j, "provider_ref", m->provider_ref);
  cli_json_str(j, "error", m->error);
  cli_json_str(j, "hold_reason", m->hold_reason);
  cli_json_time(j, "next_at", m->next_at);
  cli_json_end(j);
}

/* Queues the rendered template as a message and attempts it now. Returns
 * an exit code: 0 when it went or is held; 1 when it was refused or
 * failed (said on stderr, the outcome recorded on the message); the
 * code of a failed call otherwise ("message" null in JSON). */
static int send_now(cli *x, const crm_customer *cu, const char *tpl,
                    const struct send_args *a, cli_json *j)
{
  crm_outbox_new n;
  crm_outbox_msg m;
  char line[1024], why[1024];
  int64_t id = 0;
  int rc, got, bad;

  memset(&n, 0, sizeof(n));
  n.customer_id = cu->id;
  n.channel = a->channel;
  n.template = tpl;
  n.language = a->language;
  n.vars = a->vars;
  n.priority = a->service ? CRM_PRIORITY_SERVICE : CRM_PRIORITY_MARKETING;
  rc = crm_outbox_enqueue(x->c, &n, &id);
  if(!rc) {
    rc = crm_outbox_send_now(x->c, id);
    snprintf(why, sizeof(why), "%s", rc ? crm_errmsg(x->c) : "");
    /* refused (CRM_ESTATE) and channel failures are told from the row */
    memset(&m, 0, sizeof(m));
    got = crm_outbox_get(x->c, id, &m);
    if(!rc && got)
      rc = got;
    else if(!got && strcmp(m.status, CRM_MSG_QUEUED) &&
            strcmp(m.status, CRM_MSG_SENDING))
      rc = CRM_OK;
    else if(rc) {
      if(j)
        cli_json_null(j, "message");
      fflush(stdout);
      fprintf(stderr, "crm: %s\n", why[0] ? why : crm_strerror(rc));
      return cli_exit_code(rc);
    }
  }
  if(rc) {
    if(j)
      cli_json_null(j, "message");
    return cli_fail(x, rc);
  }
  bad = outcome_text(&m, crm_now(x->c), line, sizeof(line));
  if(j)
    message_json(j, &m, line);
  else if(!bad && !x->quiet)
    printf("message %" PRId64 " %s\n", id, line);
  if(!bad)
    return CLI_OK;
  fflush(stdout);
  fprintf(stderr, "crm: message %" PRId64 " %s\n", id, line);
  return CLI_EUSER;
}

static int run_send_test(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  static const struct option lo[] = {
    {"channel", required_argument, NULL, OPT_CHANNEL},
    {"language", required_argument, NULL, OPT_LANGUAGE},
    {"var", required_argument, NULL, OPT_VAR},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"service", no_argument, NULL, OPT_SERVICE},
    {NULL, 0, NULL, 0},
  };
  static crm_rendered r; /* 65 KiB: not on the stack */
  struct send_args a;
  cli_parser p;
  crm_customer cu;
  cli_json j, *jp = NULL;
  const char *tpl;
  int rc;

  memset(&a, 0, sizeof(a));
  cli_parser_init(&p, cmd, argc, argv, lo);
  rc = send_options(x, &p, &a);
  if(rc < 0)
    return CLI_OK;
  if(!rc)
    rc = cli_open(x, 0);
  if(!rc)
    rc = cli_resolve(x, argv[p.optind], &cu);
  if(rc)
    return rc;
  tpl = argv[p.optind + 1];
  rc = crm_template_render(x->c, tpl, cu.id, a.channel, a.language, a.vars,
                           &r);
  if(rc)
    return cli_fail(x, rc);
  if(x->json) {
    jp = &j;
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_customer_ref(&j, &cu);
    cli_json_str(&j, "template", tpl);
    cli_json_str(&j, "priority", a.service ? "service" : "marketing");
    rendered_json(&j, &r);
  }
  else if(!x->quiet)
    rendered_text(&r);
  if(!a.dry_run)
    rc = send_now(x, &cu, tpl, &a, jp);
  else if(jp)
    cli_json_null(&j, "message");
  if(jp)
    cli_json_finish(&j);
  return rc;
}

const cli_cmd cli_cmds_send[] = {
  {"send", "test", "render a template for a customer and send it now",
   "crm send test CUSTOMER TEMPLATE [--channel C] [--language L]\n"
   "       [--var NAME=VALUE]... [--dry-run] [--service]",
   "  CUSTOMER           #id, id, external id or e-mail\n"
   "  TEMPLATE           a template name (crm templates list)\n"
   "  --channel C        the channel (default: the customer's preferred)\n"
   "  --language L       the template language (default: the customer's,\n"
   "                     else communication.language)\n"
   "  --var NAME=VALUE   a value for {{NAME}} that the customer's data does\n"
   "                     not give (case_number, expiry_date ...); repeatable\n"
   "  --dry-run          only render and print; nothing is queued or sent\n"
   "  --service          a service message (no opt-in needed, not capped)\n"
   "                     instead of marketing\n"
   "  Prints the channel, language, subject and body. Without --dry-run the\n"
   "  message is queued and this one message is attempted at once through\n"
   "  the send gate and its channel: sent (with the provider's reference),\n"
   "  held until a time (quiet hours, weekday), refused (consent, cap ...:\n"
   "  exit 1) or failed (retried by crm outbox run: exit 1).\n",
   run_send_test},
  {NULL, NULL, NULL, NULL, NULL, NULL},
};
