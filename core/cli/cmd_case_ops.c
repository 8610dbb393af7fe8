/*
 * cmd_case_ops.c - crm case reply | note | resolve | close | reject |
 * merge: the changes to a case after it is opened (open, assign and move
 * are in cmd_case.c).
 *
 * Every change takes --by WHO (default $USER, else "cli"); resolve and
 * reject require --why. reply prints where the message landed: the case,
 * the case it reopened, the follow-up case it opened or the case a
 * duplicate was merged into.
 */
#include "cli.h"

#include <inttypes.h>
#include <string.h>
#include <strings.h>

#define OPT_FROM 256
#define OPT_NOTE 257
#define OPT_WAIT 258
#define OPT_RECORD 259
#define OPT_BY 260
#define OPT_WHY 261
#define OPT_POINTS 262
#define OPT_ITEM 263
#define OPT_SCHEME 264
#define OPT_KEY 265

#define COMP_MAX 8 /* compensation lines reported by one resolve */

static int is_state(const cli_case *k, const char *name)
{
  return !strcasecmp(k->state, name);
}

static void json_begin(cli_json *j, const cli_case *k)
{
  cli_json_init(j, stdout);
  cli_json_begin_object(j, NULL);
  cli_case_json(j, "case", k);
}

/* ---- crm case reply / note ----------------------------------------------- */

struct msg_find {
  int64_t id;
  int64_t message_id;
};

static int msg_find_cb(void *ud, const crm_case_msg *m)
{
  struct msg_find *mf = ud;
  if(m->id == mf->id)
    mf->message_id = m->message_id;
  return 0;
}

/* "C-000043: first response due Mon 28 Dec 12:00 CET" for a new case. */
static void print_first_due(cli *x, const cli_case *k)
{
  crm_sla_info si;
  char due[64];
  memset(&si, 0, sizeof(si));
  if(crm_sla_get(x->c, k->id, &si) || !si.first_response.due_at)
    return;
  cli_fmt_zoned(x->c, si.first_response.due_at, k->timezone, CLI_ZONED_DAY,
                due, sizeof(due));
  printf("%s: first response due %s\n", k->number, due);
}

/* Where a customer message went when it left the case it was sent to. */
static void print_moved_on(cli *x, const cli_case *before,
                           const cli_case *landed)
{
  if(landed->parent_id == before->id) {
    printf("opened follow-up %s", landed->number);
    if(is_state(before, "Resolved") && before->resolved_at) {
      int64_t days = (crm_now(x->c) - before->resolved_at) / 86400;
      printf(" (%s was resolved %" PRId64 " day%s ago: after the reopen "
             "window)\n", before->number, days, days == 1 ? "" : "s");
    }
    else
      printf(" (%s is %s)\n", before->number, before->state);
    print_first_due(x, landed);
  }
  else if(before->merged_into)
    printf("went to %s (%s was merged into it)\n", landed->number,
           before->number);
  else
    printf("went to %s\n", landed->number);
}

static void print_reply(cli *x, int kind, uint32_t flags,
                        const cli_case *before, const cli_case *after,
                        int64_t msg, int64_t outbox)
{
  if(after->id != before->id)
    print_moved_on(x, before, after);
  else if(is_state(before, "Resolved") && !is_state(after, "Resolved"))
    printf("reopened %s (%s, reopened %d time%s)\n", after->number,
           after->state, after->reopen_count,
           after->reopen_count == 1 ? "" : "s");
  else if(strcmp(before->state, after->state))
    printf("%s: %s -> %s\n", after->number, before->state, after->state);
  if(kind == CRM_CASE_MSG_NOTE) {
    printf("note #%" PRId64 " on %s\n", msg, after->number);
    return;
  }
  if(kind == CRM_CASE_MSG_CUSTOMER) {
    printf("customer message #%" PRId64 " on %s\n", msg, after->number);
    return;
  }
  printf("reply #%" PRId64 " on %s, ", msg, after->number);
  if(outbox)
    printf("sent as outbox #%" PRId64 "\n", outbox);
  else if(flags & CRM_CASE_REPLY_RECORD)
    printf("recorded (answered elsewhere)\n");
  else
    printf("recorded only (no channel)\n");
  if(!before->first_response_at && after->first_response_at)
    printf("first response recorded\n");
  if(flags & CRM_CASE_REPLY_WAIT)
    printf("waiting on the customer: the SLA clocks are paused\n");
}

/* --key K given again: the first message stands. */
static void print_duplicate(int kind, const cli_case *landed, int64_t msg)
{
  printf("duplicate of %s #%" PRId64 " on %s, nothing changed\n",
         kind == CRM_CASE_MSG_NOTE ? "note"
         : kind == CRM_CASE_MSG_CUSTOMER ? "customer message" : "reply",
         msg, landed->number);
}

static int reply_common(cli *x, const char *ref, int kind, const char *text,
                        uint32_t flags, const char *by, const char *key)
{
  cli_case before, after;
  crm_case_op op;
  struct msg_find mf;
  int64_t landed = 0, msg = 0, seen = 0;
  int rc;

  rc = cli_open(x, 0);
  if(!rc)
    rc = cli_case_arg(x, ref, &before);
  if(rc)
    return rc;
  memset(&op, 0, sizeof(op));
  /* the customer wrote: they are the author unless --by says otherwise */
  if(kind == CRM_CASE_MSG_CUSTOMER && !by && before.customer[0])
    op.actor = before.customer;
  else
    op.actor = cli_case_actor(by);
  op.idempotency_key = key;
  if(key) {
    rc = crm_case_reply_find(x->c, key, NULL, &seen);
    if(rc == CRM_ENOTFOUND)
      seen = 0;
    else if(rc)
      return cli_fail(x, rc);
  }
  rc = crm_case_reply(x->c, before.id, kind, text, flags, &op, &landed,
                      &msg);
  if(rc)
    return cli_fail(x, rc);
  if(!landed)
    landed = before.id;
  memset(&mf, 0, sizeof(mf));
  mf.id = msg;
  rc = crm_case_messages_foreach(x->c, landed, msg_find_cb, &mf);
  if(rc)
    return cli_fail(x, rc);
  rc = cli_case_load(x, landed, &after);
  if(rc)
    return rc;
  if(x->json) {
    cli_json j;
    json_begin(&j, &after);
    cli_json_str(&j, "sent_to", before.number);
    cli_json_int(&j, "case_message_id", msg);
    if(mf.message_id)
      cli_json_int(&j, "message_id", mf.message_id);
    else
      cli_json_null(&j, "message_id");
    cli_json_bool(&j, "reopened", after.id == before.id &&
                  is_state(&before, "Resolved") &&
                  !is_state(&after, "Resolved"));
    cli_json_bool(&j, "follow_up", seen != msg && after.id != before.id &&
                  after.parent_id == before.id);
    cli_json_bool(&j, "duplicate", seen && seen == msg);
    cli_json_finish(&j);
  }
  else if(!x->quiet && seen && seen == msg)
    print_duplicate(kind, &after, msg);
  else if(!x->quiet)
    print_reply(x, kind, flags, &before, &after, msg, mf.message_id);
  return CLI_OK;
}

static int run_case_reply(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  static const struct option lo[] = {
    {"from", required_argument, NULL, OPT_FROM},
    {"note", no_argument, NULL, OPT_NOTE},
    {"wait", no_argument, NULL, OPT_WAIT},
    {"record", no_argument, NULL, OPT_RECORD},
    {"by", required_argument, NULL, OPT_BY},
    {"key", required_argument, NULL, OPT_KEY},
    {NULL, 0, NULL, 0},
  };
  cli_parser p;
  const char *arg, *by = NULL, *from = "agent", *key = NULL;
  uint32_t flags = 0;
  int opt, rc, kind, note = 0;

  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg)) {
    switch(opt) {
    case OPT_FROM: from = arg; break;
    case OPT_NOTE: note = 1; break;
    case OPT_WAIT: flags |= CRM_CASE_REPLY_WAIT; break;
    case OPT_RECORD: flags |= CRM_CASE_REPLY_RECORD; break;
    case OPT_BY: by = arg; break;
    case OPT_KEY: key = arg; break;
    default: break;
    }
  }
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 2, 2);
  if(rc)
    return rc;
  if(!strcmp(from, "agent"))
    kind = CRM_CASE_MSG_AGENT;
  else if(!strcmp(from, "customer"))
    kind = CRM_CASE_MSG_CUSTOMER;
  else
    return cli_usage_error("--from: expected customer or agent, not '%s'",
                           from);
  if(note)
    kind = CRM_CASE_MSG_NOTE;
  if(flags && kind != CRM_CASE_MSG_AGENT)
    return cli_usage_error("case reply: --wait and --record apply to agent "
                           "replies only");
  return reply_common(x, argv[p.optind], kind, argv[p.optind + 1], flags,
                      by, key);
}

static int run_case_note(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  static const struct option lo[] = {
    {"by", required_argument, NULL, OPT_BY},
    {"key", required_argument, NULL, OPT_KEY},
    {NULL, 0, NULL, 0},
  };
  cli_parser p;
  const char *arg, *by = NULL, *key = NULL;
  int opt, rc;

  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg)) {
    if(opt == OPT_BY)
      by = arg;
    else if(opt == OPT_KEY)
      key = arg;
  }
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 2, 2);
  if(rc)
    return rc;
  return reply_common(x, argv[p.optind], CRM_CASE_MSG_NOTE,
                      argv[p.optind + 1], 0, by, key);
}

/* ---- crm case resolve ------------------------------------------------------ */

struct comp_walk {
  int64_t n; /* compensate lines seen */
  int64_t skip; /* lines known before the call */
  char detail[COMP_MAX][256];
  size_t n_new;
};

static int comp_cb(void *ud, const crm_case_event *e)
{
  struct comp_walk *cw = ud;
  if(!e->action || strcmp(e->action, "compensate"))
    return 0;
  if(cw->n++ < cw->skip || cw->n_new >= COMP_MAX)
    return 0;
  snprintf(cw->detail[cw->n_new++], sizeof(cw->detail[0]), "%s",
           e->detail && *e->detail ? e->detail : "granted");
  return 0;
}

/* Compensation without --scheme: exit code when more than one reward
 * scheme is loaded (the core would refuse without naming the option). */
static int need_scheme(cli *x)
{
  cli_schemes l;
  char names[512];
  size_t i, n = 0;
  int rc = cli_schemes_load(x, &l);
  if(rc)
    return cli_fail(x, rc);
  if(l.n < 2)
    return CLI_OK;
  names[0] = '\0';
  for(i = 0; i < l.n && n < sizeof(names); i++) {
    int w = snprintf(names + n, sizeof(names) - n, "%s%s", i ? ", " : "",
                     l.r[i].name);
    if(w < 0)
      break;
    n += (size_t)w;
  }
  return cli_usage_error("case resolve: several reward schemes are loaded "
                         "(%s): name the one for the compensation with "
                         "--scheme", names);
}

static int run_case_resolve(cli *x, const cli_cmd *cmd, int argc,
                            char **argv)
{
  static const struct option lo[] = {
    {"why", required_argument, NULL, OPT_WHY},
    {"points", required_argument, NULL, OPT_POINTS},
    {"item", required_argument, NULL, OPT_ITEM},
    {"scheme", required_argument, NULL, OPT_SCHEME},
    {"by", required_argument, NULL, OPT_BY},
    {NULL, 0, NULL, 0},
  };
  cli_parser p;
  const char *arg, *by = NULL;
  crm_case_resolution res;
  struct comp_walk cw;
  cli_case k;
  int opt, rc, was;
  size_t i;

  memset(&res, 0, sizeof(res));
  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg)) {
    if(opt == OPT_WHY)
      res.op.why = arg;
    else if(opt == OPT_ITEM)
      res.comp_item = arg;
    else if(opt == OPT_SCHEME)
      res.scheme = arg;
    else if(opt == OPT_BY)
      by = arg;
    else if(opt == OPT_POINTS &&
            cli_parse_count("--points", arg, &res.comp_points))
      return CLI_EUSER;
  }
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 1, 1);
  if(rc)
    return rc;
  if(!res.op.why || !*res.op.why)
    return cli_usage_error("case resolve: --why is required (the "
                           "resolution, kept in the history)");
  rc = cli_open(x, 0);
  if(!rc)
    rc = cli_case_arg(x, argv[p.optind], &k);
  if(rc)
    return rc;
  was = is_state(&k, "Resolved");
  if(!was && !res.scheme && (res.comp_points || res.comp_item)) {
    rc = need_scheme(x);
    if(rc)
      return rc;
  }
  memset(&cw, 0, sizeof(cw));
  rc = crm_case_history_foreach(x->c, k.id, comp_cb, &cw);
  if(rc)
    return cli_fail(x, rc);
  res.op.actor = cli_case_actor(by);
  rc = crm_case_resolve(x->c, k.id, &res);
  if(rc)
    return cli_fail(x, rc);
  cw.skip = cw.n;
  cw.n = 0;
  cw.n_new = 0;
  rc = crm_case_history_foreach(x->c, k.id, comp_cb, &cw);
  if(rc)
    return cli_fail(x, rc);
  rc = cli_case_load(x, k.id, &k);
  if(rc)
    return rc;
  if(x->json) {
    cli_json j;
    json_begin(&j, &k);
    cli_json_bool(&j, "already_resolved", was);
    cli_json_begin_array(&j, "compensation");
    for(i = 0; i < cw.n_new; i++)
      cli_json_str(&j, NULL, cw.detail[i]);
    cli_json_end(&j);
    cli_json_finish(&j);
    return CLI_OK;
  }
  if(x->quiet)
    return CLI_OK;
  if(was) {
    printf("%s already resolved: nothing changed, nothing granted\n",
           k.number);
    return CLI_OK;
  }
  printf("resolved %s (%s)\n", k.number, k.state);
  for(i = 0; i < cw.n_new; i++)
    printf("  compensation: %s\n", cw.detail[i]);
  return CLI_OK;
}

/* ---- crm case close / reject / merge --------------------------------------- */

static void print_survey(cli *x, const cli_case *k)
{
  crm_case_survey sv;
  memset(&sv, 0, sizeof(sv));
  if(crm_case_survey_get(x->c, k->id, &sv) || !sv.requested_at)
    return;
  if(sv.message_id)
    printf("survey requested (outbox #%" PRId64 ")\n", sv.message_id);
  else
    printf("survey recorded as due (no message sent)\n");
}

/* close (reject = 0) or reject (1): CASE [--why] [--by] */
static int close_or_reject(cli *x, const cli_cmd *cmd, int argc,
                           char **argv, int reject)
{
  static const struct option lo[] = {
    {"why", required_argument, NULL, CLI_CASE_OPT_WHY},
    {"by", required_argument, NULL, CLI_CASE_OPT_BY},
    {NULL, 0, NULL, 0},
  };
  cli_case_cmd cc;
  cli_case *k = &cc.k;
  int rc;

  rc = cli_case_begin(x, cmd, argc, argv, lo, 1, reject ?
                      "case reject: --why is required (told to the "
                      "history and the customer's record)" : NULL, &cc);
  if(rc || cc.done)
    return rc;
  rc = reject ? crm_case_reject(x->c, k->id, &cc.op)
              : crm_case_close(x->c, k->id, &cc.op);
  if(rc)
    return cli_fail(x, rc);
  rc = cli_case_load(x, k->id, k);
  if(rc)
    return rc;
  if(x->json) {
    cli_json j;
    json_begin(&j, k);
    cli_json_finish(&j);
  }
  else if(!x->quiet) {
    printf("%s %s (%s)\n", reject ? "rejected" : "closed", k->number,
           k->state);
    if(!reject)
      print_survey(x, k);
  }
  return CLI_OK;
}

static int run_case_close(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  return close_or_reject(x, cmd, argc, argv, 0);
}

static int run_case_reject(cli *x, const cli_cmd *cmd, int argc,
                           char **argv)
{
  return close_or_reject(x, cmd, argc, argv, 1);
}

static int run_case_merge(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  static const struct option lo[] = {
    {"why", required_argument, NULL, CLI_CASE_OPT_WHY},
    {"by", required_argument, NULL, CLI_CASE_OPT_BY},
    {NULL, 0, NULL, 0},
  };
  cli_case_cmd cc;
  cli_case *dup = &cc.k, into;
  int rc;

  rc = cli_case_begin(x, cmd, argc, argv, lo, 2, NULL, &cc);
  if(!rc && !cc.done)
    rc = cli_case_arg(x, argv[cc.p.optind + 1], &into);
  if(cc.done)
    return rc;
  if(rc)
    return rc;
  rc = crm_case_merge(x->c, dup->id, into.id, &cc.op);
  if(rc)
    return cli_fail(x, rc);
  rc = cli_case_load(x, dup->id, dup);
  if(rc)
    return rc;
  if(x->json) {
    cli_json j;
    json_begin(&j, dup);
    cli_json_str(&j, "into", into.number);
    cli_json_finish(&j);
  }
  else if(!x->quiet)
    printf("merged %s into %s (%s)\n", dup->number, into.number,
           dup->state);
  return CLI_OK;
}

const cli_cmd cli_cmds_case_ops[] = {
  {"case", "reply", "add a message to a case (agent answer or customer)",
   "crm case reply CASE TEXT [--from customer|agent] [--note] [--wait]\n"
   "                     [--record] [--by WHO] [--key K]",
   "  --from agent       an answer to the customer (default): sent through\n"
   "                     the outbox; the first one meets the first-response\n"
   "                     target\n"
   "  --from customer    the customer wrote: resumes a waiting case,\n"
   "                     reopens a resolved one within the reopen window,\n"
   "                     else opens a follow-up case\n"
   "  --note             an internal note (never sent)\n"
   "  --wait             agent: now waiting on the customer (clocks pause)\n"
   "  --record           agent: answered elsewhere (phone): record only\n"
   "  --by WHO           the author (default $USER; with --from customer\n"
   "                     the customer's external id)\n"
   "  --key K            an idempotency key: the same message sent again\n"
   "                     with K is stored once (prints the first one)\n",
   run_case_reply},
  {"case", "note", "add an internal note to a case",
   "crm case note CASE TEXT [--by WHO] [--key K]", NULL, run_case_note},
  {"case", "resolve", "resolve a case, with optional compensation",
   "crm case resolve CASE --why TEXT [--points N] [--item ITEM] "
   "[--scheme S]\n"
   "                     [--by WHO]",
   "  --why TEXT         the resolution (required)\n"
   "  --points N         goodwill points (within complaints.compensation)\n"
   "  --item ITEM        a reward item granted as a voucher\n"
   "  --scheme S         the reward scheme (default: the only one)\n"
   "  A case already resolved stays as it is: nothing is granted again.\n",
   run_case_resolve},
  {"case", "close", "close a case (a survey goes out if configured)",
   "crm case close CASE [--why TEXT] [--by WHO]", NULL, run_case_close},
  {"case", "reject", "reject a case",
   "crm case reject CASE --why TEXT [--by WHO]",
   "  --why TEXT         why it is rejected (required)\n", run_case_reject},
  {"case", "merge", "mark a case a duplicate of another",
   "crm case merge CASE INTO [--why TEXT] [--by WHO]",
   "  CASE becomes a Duplicate; its messages are copied to INTO and later\n"
   "  customer messages go there.\n",
   run_case_merge},
  {NULL, NULL, NULL, NULL, NULL, NULL},
};
