/*
 * cmd_event.c - crm event add, crm message send (the case commands are in
 * cmd_case*.c).
 */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define OPT_CUSTOMER 256
#define OPT_TYPE 257
#define OPT_AMOUNT 258
#define OPT_CURRENCY 259
#define OPT_QUANTITY 260
#define OPT_AT 261
#define OPT_PAYLOAD 262
#define OPT_KEY 263
#define OPT_SUBJECT 264
#define OPT_BODY 265
#define OPT_CHANNEL 266

/* ---- crm event add ----------------------------------------------------------- */

struct event_args {
  const char *customer, *type, *amount, *currency, *quantity, *at, *payload;
  const char *key;
};

/* Fills ev from the arguments; returns an exit code. */
static int build_event(cli *x, const struct event_args *a, crm_event *ev,
                       crm_customer *cu)
{
  int rc;
  if(!a->customer || !a->type)
    return cli_usage_error("event add: --customer and --type are required");
  if(a->amount && !a->currency)
    return cli_usage_error("event add: --amount needs --currency");
  ev->type = a->type;
  ev->currency = a->currency;
  ev->payload = a->payload;
  ev->idempotency_key = a->key;
  if(a->amount && crm_money_parse(a->amount, a->currency, &ev->amount))
    return cli_usage_error("--amount: bad amount '%s' for %s", a->amount,
                           a->currency);
  if(a->quantity) {
    rc = cli_parse_count("--quantity", a->quantity, &ev->quantity);
    if(rc)
      return rc;
  }
  if(a->at) {
    rc = cli_parse_time("--at", a->at, &ev->occurred_at);
    if(rc)
      return rc;
  }
  rc = cli_resolve(x, a->customer, cu);
  if(rc)
    return rc;
  ev->customer_id = cu->id;
  return CLI_OK;
}

static void print_ingest(cli *x, const crm_event *ev, const crm_customer *cu,
                         const crm_ingest_result *res)
{
  cli_json j;
  if(x->json) {
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_int(&j, "event_id", res->event_id);
    cli_json_str(&j, "key", ev->idempotency_key);
    cli_json_bool(&j, "duplicate", res->duplicate);
    cli_json_str(&j, "customer", cu->external_id);
    cli_json_str(&j, "type", ev->type);
    cli_json_int(&j, "points", res->points);
    cli_json_str(&j, "stage_before", crm_stage_name(res->stage_before));
    cli_json_str(&j, "stage_after", crm_stage_name(res->stage_after));
    cli_json_finish(&j);
    return;
  }
  if(x->quiet)
    return;
  if(res->duplicate) {
    printf("duplicate: key %s was recorded before (event #%" PRId64
           "), nothing applied\n", ev->idempotency_key, res->event_id);
    return;
  }
  printf("event #%" PRId64 " %s for %s (key %s)", res->event_id, ev->type,
         cu->external_id, ev->idempotency_key);
  if(res->points)
    printf(", points %+" PRId64, res->points);
  if(res->stage_before != res->stage_after)
    printf(", stage %s -> %s", crm_stage_name(res->stage_before),
           crm_stage_name(res->stage_after));
  putchar('\n');
}

static int run_event_add(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  static const struct option lo[] = {
    {"customer", required_argument, NULL, OPT_CUSTOMER},
    {"type", required_argument, NULL, OPT_TYPE},
    {"amount", required_argument, NULL, OPT_AMOUNT},
    {"currency", required_argument, NULL, OPT_CURRENCY},
    {"quantity", required_argument, NULL, OPT_QUANTITY},
    {"at", required_argument, NULL, OPT_AT},
    {"payload", required_argument, NULL, OPT_PAYLOAD},
    {"key", required_argument, NULL, OPT_KEY},
    {NULL, 0, NULL, 0},
  };
  cli_parser p;
  struct event_args a;
  crm_event ev;
  crm_customer cu;
  crm_ingest_result res;
  char key[96];
  const char *arg;
  int opt, rc;

  memset(&a, 0, sizeof(a));
  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg)) {
    switch(opt) {
    case OPT_CUSTOMER: a.customer = arg; break;
    case OPT_TYPE: a.type = arg; break;
    case OPT_AMOUNT: a.amount = arg; break;
    case OPT_CURRENCY: a.currency = arg; break;
    case OPT_QUANTITY: a.quantity = arg; break;
    case OPT_AT: a.at = arg; break;
    case OPT_PAYLOAD: a.payload = arg; break;
    case OPT_KEY: a.key = arg; break;
    default: break;
    }
  }
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 0, 0);
  if(rc)
    return rc;
  if(!a.key) {
    cli_make_key(key, sizeof(key));
    a.key = key;
  }
  rc = cli_open(x, 0);
  if(rc)
    return rc;
  memset(&ev, 0, sizeof(ev));
  rc = build_event(x, &a, &ev, &cu);
  if(rc)
    return rc;
  memset(&res, 0, sizeof(res));
  rc = crm_event_ingest(x->c, &ev, &res);
  if(rc)
    return cli_fail(x, rc);
  print_ingest(x, &ev, &cu, &res);
  return CLI_OK;
}

/* ---- crm message send -------------------------------------------------------- */

static int run_message_send(cli *x, const cli_cmd *cmd, int argc,
                            char **argv)
{
  static const struct option lo[] = {
    {"customer", required_argument, NULL, OPT_CUSTOMER},
    {"subject", required_argument, NULL, OPT_SUBJECT},
    {"body", required_argument, NULL, OPT_BODY},
    {"channel", required_argument, NULL, OPT_CHANNEL},
    {NULL, 0, NULL, 0},
  };
  cli_parser p;
  const char *arg, *ref = NULL, *subject = NULL, *body = NULL;
  const char *channel = NULL;
  crm_customer cu;
  int64_t id = 0;
  int opt, rc;

  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg)) {
    if(opt == OPT_CUSTOMER)
      ref = arg;
    else if(opt == OPT_SUBJECT)
      subject = arg;
    else if(opt == OPT_BODY)
      body = arg;
    else if(opt == OPT_CHANNEL)
      channel = arg;
  }
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 0, 0);
  if(rc)
    return rc;
  if(!ref || !subject || !body)
    return cli_usage_error("message send: --customer, --subject and --body "
                           "are required");
  rc = cli_open(x, 0);
  if(!rc)
    rc = cli_resolve(x, ref, &cu);
  if(rc)
    return rc;
  rc = crm_message_send(x->c, cu.id, channel, subject, body, &id);
  if(rc)
    return cli_fail(x, rc);
  if(x->json) {
    cli_json j;
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_int(&j, "message_id", id);
    cli_json_str(&j, "customer", cu.external_id);
    cli_json_str(&j, "channel", channel);
    cli_json_finish(&j);
  }
  else if(!x->quiet)
    printf("message #%" PRId64 " sent to %s%s%s\n", id, cu.external_id,
           channel ? " via " : "", channel ? channel : "");
  return CLI_OK;
}

const cli_cmd cli_cmds_event[] = {
  {"event", "add", "record one event (idempotent by --key)",
   "crm event add --customer REF --type T [--amount 12.50 --currency USD]\n"
   "                     [--quantity N] [--at DATE] [--payload JSON] "
   "[--key K]",
   "  --customer REF     #id, id, external id or e-mail\n"
   "  --type T           purchase, refund, contact, qualify, complaint, or\n"
   "                     any other [a-z0-9_.] name handed to plugins\n"
   "  --amount A         in major units (12.50), needs --currency\n"
   "  --currency C       ISO 4217 code\n"
   "  --quantity N       items (purchases; default 1)\n"
   "  --at DATE          when it happened (default: now)\n"
   "  --payload JSON     a JSON object, e.g. for qualify\n"
   "                     {\"money\":true,\"authority\":true,\"need\":true}\n"
   "  --key K            idempotency key (default: cli-<ms>-<pid>-<n>); an\n"
   "                     event with a key seen before is not applied again\n",
   run_event_add},
  {"message", "send", "send a message through a channel plugin",
   "crm message send --customer REF --subject S --body B [--channel C]",
   "  --channel C        channel component (default: the customer's\n"
   "                     \"channel\" attribute, else the first loaded)\n",
   run_message_send},
  {NULL, NULL, NULL, NULL, NULL, NULL},
};
