/*
 * case_out.c - helpers shared by the complaint commands (cmd_case*.c,
 * cmd_sla.c; declared in cli.h): case references (C-000042, 42, #42),
 * copies of a case, the actor of a change, priorities, business
 * durations ("3h20m"), times in the zone of the case's team and the JSON
 * form of a case.
 *
 * Team zones are read by the core (crm_time_local: its own TZif reader,
 * $TZDIR honoured, the process zone untouched). A zone the database lacks
 * prints in UTC.
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* 1 when ref is written as a case number (C-000042, c-42, 42, #42). */
static int ref_well_formed(const char *ref)
{
  const char *p = ref;
  if(*p == '#')
    p++;
  else if((p[0] == 'C' || p[0] == 'c') && p[1] == '-')
    p += 2;
  if(!*p)
    return 0;
  for(; *p; p++)
    if(*p < '0' || *p > '9')
      return 0;
  return 1;
}

int cli_case_ref(cli *x, const char *ref, int64_t *id)
{
  int rc = crm_case_find(x->c, ref, id);
  if((rc == CRM_ENOTFOUND || rc == CRM_EINVAL) && ref_well_formed(ref))
    return cli_usage_error("unknown case %s: there is no such case "
                           "(crm case list shows them)", ref);
  if(rc == CRM_ENOTFOUND || rc == CRM_EINVAL)
    return cli_usage_error("unknown case '%s': write a case as C-000042, "
                           "42 or #42", ref);
  if(rc)
    return cli_fail(x, rc);
  return CLI_OK;
}

static void copy(char *dst, size_t size, const char *src)
{
  snprintf(dst, size, "%s", src ? src : "");
}

/* Folds one clock into the SLA summary of k (cli_case_due_text). */
static void sla_summary(cli_case *k, const crm_sla_clock_info *ci)
{
  const char *st = ci->status ? ci->status : "";
  if(!strcmp(st, "breached"))
    k->sla_overdue = 1;
  else if(!strcmp(st, "paused"))
    k->sla_paused = 1;
  else if(!strcmp(st, "running") && ci->due_at &&
          (!k->sla_due_at || ci->due_at < k->sla_due_at))
    k->sla_due_at = ci->due_at;
}

int cli_case_load(cli *x, int64_t id, cli_case *k)
{
  crm_case cs;
  crm_customer cu;
  crm_sla_info si;
  int rc;

  memset(k, 0, sizeof(*k));
  memset(&cs, 0, sizeof(cs));
  rc = crm_case_get(x->c, id, &cs);
  if(rc)
    return cli_fail(x, rc);
  k->id = cs.id;
  k->customer_id = cs.customer_id;
  k->parent_id = cs.parent_id;
  k->merged_into = cs.merged_into;
  k->priority = cs.priority;
  k->reopen_count = cs.reopen_count;
  k->resolutions = cs.resolutions;
  k->opened_at = cs.opened_at;
  k->updated_at = cs.updated_at;
  k->first_response_at = cs.first_response_at;
  k->resolved_at = cs.resolved_at;
  k->closed_at = cs.closed_at;
  if(cs.number && *cs.number)
    copy(k->number, sizeof(k->number), cs.number);
  else
    snprintf(k->number, sizeof(k->number), "C-%06" PRId64, cs.id);
  copy(k->handler, sizeof(k->handler), cs.handler);
  copy(k->state, sizeof(k->state), cs.state);
  copy(k->category, sizeof(k->category), cs.category);
  copy(k->summary, sizeof(k->summary), cs.summary);
  copy(k->origin, sizeof(k->origin), cs.origin);
  copy(k->owner, sizeof(k->owner), cs.owner);
  copy(k->team, sizeof(k->team), cs.team);
  copy(k->link_kind, sizeof(k->link_kind), cs.link_kind);
  copy(k->link_ref, sizeof(k->link_ref), cs.link_ref);
  copy(k->triage_reason, sizeof(k->triage_reason), cs.triage_reason);
  copy(k->timezone, sizeof(k->timezone), cs.team_timezone);
  memset(&cu, 0, sizeof(cu));
  if(!crm_customer_get(x->c, k->customer_id, &cu))
    copy(k->customer, sizeof(k->customer), cu.external_id);
  memset(&si, 0, sizeof(si));
  if(!crm_sla_get(x->c, id, &si)) {
    if(!k->timezone[0])
      copy(k->timezone, sizeof(k->timezone), si.timezone);
    k->has_sla = 1;
    sla_summary(k, &si.first_response);
    sla_summary(k, &si.resolution);
  }
  return CLI_OK;
}

int cli_case_arg(cli *x, const char *ref, cli_case *k)
{
  int64_t id = 0;
  int rc = cli_case_ref(x, ref, &id);
  if(rc)
    return rc;
  return cli_case_load(x, id, k);
}

const char *cli_case_actor(const char *by)
{
  const char *u;
  if(by && *by)
    return by;
  u = getenv("USER");
  return u && *u ? u : "cli";
}

int cli_case_priority(const char *text, int *out)
{
  char *end;
  long v;
  errno = 0;
  v = strtol(text, &end, 10);
  if(errno || end == text || *end || v < 1 || v > 4)
    return cli_usage_error("--priority: expected 1 (urgent) to 4 (low), "
                           "not '%s'", text);
  *out = (int)v;
  return CLI_OK;
}

int cli_case_begin(cli *x, const cli_cmd *cmd, int argc, char **argv,
                   const struct option *lo, int operands,
                   const char *why_needed, cli_case_cmd *cc)
{
  const char *arg;
  int opt, rc;

  memset(cc, 0, sizeof(*cc));
  cli_parser_init(&cc->p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &cc->p, &arg); opt >= 0;
      opt = cli_parser_next(x, &cc->p, &arg)) {
    switch(opt) {
    case CLI_CASE_OPT_BY: cc->by = arg; break;
    case CLI_CASE_OPT_WHY: cc->why = arg; break;
    case CLI_CASE_OPT_TEAM: cc->team = arg; break;
    case CLI_CASE_OPT_CATEGORY: cc->category = arg; break;
    case CLI_CASE_OPT_PRIORITY: cc->priority = arg; break;
    default: break;
    }
  }
  if(opt == CLI_PARSE_EXIT) {
    cc->done = 1;
    return cc->p.rc;
  }
  rc = cli_operands(&cc->p, operands, operands);
  if(rc)
    return rc;
  if(why_needed && (!cc->why || !*cc->why))
    return cli_usage_error("%s", why_needed);
  rc = cli_open(x, 0);
  if(!rc && operands > 0)
    rc = cli_case_arg(x, argv[cc->p.optind], &cc->k);
  if(rc)
    return rc;
  cc->op.actor = cli_case_actor(cc->by);
  cc->op.why = cc->why;
  return CLI_OK;
}

void cli_fmt_dur(int64_t secs, char *buf, size_t size)
{
  int64_t m = secs > 0 ? secs / 60 : 0;
  int64_t h = m / 60;
  m %= 60;
  if(h && m)
    snprintf(buf, size, "%" PRId64 "h%02" PRId64 "m", h, m);
  else if(h)
    snprintf(buf, size, "%" PRId64 "h", h);
  else
    snprintf(buf, size, "%" PRId64 "m", m);
}

void cli_fmt_zoned(crm *c, int64_t t, const char *tz, int style,
                   char *buf, size_t size)
{
  static const char *const days[] = {"Sun", "Mon", "Tue", "Wed",
                                      "Thu", "Fri", "Sat"};
  static const char *const months[] = {"Jan", "Feb", "Mar", "Apr",
                                        "May", "Jun", "Jul", "Aug",
                                        "Sep", "Oct", "Nov", "Dec"};
  crm_local_time lt;
  int rc;

  if(!t) {
    snprintf(buf, size, "-");
    return;
  }
  rc = crm_time_local(c, tz, t, &lt);
  if(rc == CRM_ENOTFOUND) /* a zone the tz database lacks: UTC */
    rc = crm_time_local(c, NULL, t, &lt);
  if(rc || lt.weekday < 0 || lt.weekday > 6 || lt.month < 1 ||
     lt.month > 12) {
    snprintf(buf, size, "-");
    return;
  }
  if(style == CLI_ZONED_DAY)
    snprintf(buf, size, "%s %d %s %02d:%02d %s", days[lt.weekday], lt.day,
             months[lt.month - 1], lt.hour, lt.minute, lt.abbrev);
  else
    snprintf(buf, size, "%04d-%02d-%02d %02d:%02d %s", lt.year, lt.month,
             lt.day, lt.hour, lt.minute, lt.abbrev);
}

void cli_case_due_text(crm *c, const cli_case *k, char *buf, size_t size)
{
  if(k->sla_overdue)
    snprintf(buf, size, "overdue");
  else if(k->sla_due_at)
    cli_fmt_zoned(c, k->sla_due_at, k->timezone, CLI_ZONED_DAY, buf,
                  size);
  else if(k->sla_paused)
    snprintf(buf, size, "paused");
  else
    snprintf(buf, size, "-");
}

static void json_opt_str(cli_json *j, const char *key, const char *v)
{
  cli_json_str(j, key, v && *v ? v : NULL);
}

static void json_case_ref(cli_json *j, const char *key, int64_t id)
{
  char num[24];
  if(!id) {
    cli_json_null(j, key);
    return;
  }
  snprintf(num, sizeof(num), "C-%06" PRId64, id);
  cli_json_str(j, key, num);
}

void cli_case_json(cli_json *j, const char *key, const cli_case *k)
{
  cli_json_begin_object(j, key);
  cli_json_int(j, "id", k->id);
  cli_json_str(j, "number", k->number);
  cli_json_begin_object(j, "customer");
  cli_json_int(j, "id", k->customer_id);
  json_opt_str(j, "external_id", k->customer);
  cli_json_end(j);
  cli_json_str(j, "state", k->state);
  cli_json_str(j, "handler", k->handler);
  json_opt_str(j, "category", k->category);
  cli_json_int(j, "priority", k->priority);
  json_opt_str(j, "owner", k->owner);
  json_opt_str(j, "team", k->team);
  json_opt_str(j, "timezone", k->timezone);
  json_opt_str(j, "origin", k->origin);
  json_opt_str(j, "link_kind", k->link_kind);
  json_opt_str(j, "link_ref", k->link_ref);
  json_case_ref(j, "parent", k->parent_id);
  json_case_ref(j, "merged_into", k->merged_into);
  cli_json_int(j, "reopen_count", k->reopen_count);
  cli_json_int(j, "resolutions", k->resolutions);
  cli_json_str(j, "summary", k->summary);
  json_opt_str(j, "triage_reason", k->triage_reason);
  cli_json_time(j, "opened_at", k->opened_at);
  cli_json_time(j, "updated_at", k->updated_at);
  cli_json_time(j, "first_response_at", k->first_response_at);
  cli_json_time(j, "resolved_at", k->resolved_at);
  cli_json_time(j, "closed_at", k->closed_at);
  cli_json_time(j, "sla_due_at", k->sla_due_at);
  cli_json_bool(j, "sla_overdue", k->sla_overdue);
  cli_json_end(j);
}
