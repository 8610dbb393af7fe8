/*
 * cmd_sla.c - crm sla show | run: the SLA clocks of a case and applying
 * what has fallen due (warnings, breaches, escalation steps, closing
 * resolved cases). Also the SLA block of crm case show (cli_sla_print,
 * cli_sla_steps_print in cli.h).
 *
 * Targets and used time are business time ("3h20m"); the due and
 * warning instants print in the team's zone and in UTC; --json gives
 * seconds and UTC times.
 */
#include "cli.h"

#include <inttypes.h>
#include <string.h>

/* "first_response" -> "first response" */
static const char *clock_label(const char *clock)
{
  if(clock && !strcmp(clock, "first_response"))
    return "first response";
  if(clock && !strcmp(clock, "resolution"))
    return "resolution";
  return clock && *clock ? clock : "-";
}

/* "Mon 28 Dec 12:00 CET (Mon 28 Dec 11:00 UTC)"; only the UTC form when
 * the team has no zone. */
static void both_times(crm *c, int64_t t, const char *tz, char *buf,
                       size_t size)
{
  char local[64], utc[64];
  cli_fmt_zoned(c, t, tz, CLI_ZONED_DAY, local, sizeof(local));
  cli_fmt_zoned(c, t, NULL, CLI_ZONED_DAY, utc, sizeof(utc));
  if(!strcmp(local, utc))
    snprintf(buf, size, "%s", utc);
  else
    snprintf(buf, size, "%s (%s)", local, utc);
}

static void clock_json(cli_json *j, const char *key,
                       const crm_sla_clock_info *ci)
{
  char dur[32];
  cli_json_begin_object(j, key);
  cli_json_str(j, "status", ci->status);
  cli_json_int(j, "target_seconds", ci->target);
  cli_fmt_dur(ci->target, dur, sizeof(dur));
  cli_json_str(j, "target", dur);
  cli_json_int(j, "used_seconds", ci->used);
  cli_fmt_dur(ci->used, dur, sizeof(dur));
  cli_json_str(j, "used", dur);
  cli_json_bool(j, "running", ci->running);
  cli_json_time(j, "due_at", ci->due_at);
  cli_json_time(j, "warn_at", ci->warn_at);
  cli_json_time(j, "met_at", ci->met_at);
  cli_json_time(j, "warned_at", ci->warned_at);
  cli_json_time(j, "breached_at", ci->breached_at);
  cli_json_end(j);
}

static void clock_text(crm *c, const crm_sla_clock_info *ci,
                       const char *tz, int indent)
{
  char target[32], used[32], left[32], when[160];
  int pad = indent + 16;

  if(!ci->target) {
    printf("%*s%-15s no target\n", indent, "", clock_label(ci->clock));
    return;
  }
  cli_fmt_dur(ci->target, target, sizeof(target));
  cli_fmt_dur(ci->used, used, sizeof(used));
  printf("%*s%-15s %s, target %s, used %s", indent, "",
         clock_label(ci->clock), ci->status ? ci->status : "-", target,
         used);
  /* time left only on a clock that still counts: not on a stopped one
   * (a case rejected or merged before its target) */
  if(ci->used < ci->target && !ci->met_at && !ci->breached_at &&
     ci->status && (!strcmp(ci->status, "running") ||
                    !strcmp(ci->status, "paused"))) {
    cli_fmt_dur(ci->target - ci->used, left, sizeof(left));
    printf(", %s left", left);
  }
  putchar('\n');
  /* after the breach the "breached" line says when the target passed */
  if(ci->due_at && !ci->breached_at) {
    both_times(c, ci->due_at, tz, when, sizeof(when));
    printf("%*sdue %s\n", pad, "", when);
  }
  if(ci->warn_at) {
    both_times(c, ci->warn_at, tz, when, sizeof(when));
    printf("%*swarning at %s\n", pad, "", when);
  }
  if(ci->warned_at) {
    both_times(c, ci->warned_at, tz, when, sizeof(when));
    printf("%*swarned %s\n", pad, "", when);
  }
  if(ci->breached_at) {
    both_times(c, ci->breached_at, tz, when, sizeof(when));
    printf("%*sbreached %s\n", pad, "", when);
  }
  if(ci->met_at) {
    both_times(c, ci->met_at, tz, when, sizeof(when));
    printf("%*smet %s\n", pad, "", when);
  }
}

int cli_sla_print(cli *x, cli_json *j, int64_t case_id, int indent)
{
  crm_sla_info si;
  char tz[64];
  int rc;

  memset(&si, 0, sizeof(si));
  rc = crm_sla_get(x->c, case_id, &si);
  if(rc == CRM_ENOTFOUND) {
    if(j)
      cli_json_null(j, "sla");
    else
      printf("%*sSLA: none (no complaints.sla rule matches)\n", indent, "");
    return CRM_OK;
  }
  if(rc)
    return rc;
  if(j) {
    cli_json_begin_object(j, "sla");
    cli_json_str(j, "policy", si.policy);
    cli_json_str(j, "team", si.team && *si.team ? si.team : NULL);
    cli_json_str(j, "timezone",
                 si.timezone && *si.timezone ? si.timezone : NULL);
    clock_json(j, "first_response", &si.first_response);
    clock_json(j, "resolution", &si.resolution);
    cli_json_end(j);
    return CRM_OK;
  }
  snprintf(tz, sizeof(tz), "%s", si.timezone ? si.timezone : "");
  printf("%*sSLA: policy %s, team %s (%s)\n", indent, "",
         si.policy && *si.policy ? si.policy : "-",
         si.team && *si.team ? si.team : "-", tz[0] ? tz : "UTC");
  clock_text(x->c, &si.first_response, tz, indent + 2);
  clock_text(x->c, &si.resolution, tz, indent + 2);
  return CRM_OK;
}

/* ---- steps --------------------------------------------------------------- */

struct steps_ctx {
  crm *c;
  cli_json *j;
  const char *tz;
  int indent;
  int64_t n;
};

/* "auto_close" -> "automatic close"; the other kinds read as they are */
static const char *step_label(const char *kind)
{
  if(kind && !strcmp(kind, "auto_close"))
    return "automatic close";
  return kind && *kind ? kind : "-";
}

/* A met step's detail repeats the kind ("met in 2h of 4h"): "in 2h of
 * 4h" after "met (first response)" */
static const char *detail_text(const char *kind, const char *detail)
{
  size_t n = kind ? strlen(kind) : 0;
  if(n && !strncmp(detail, kind, n) && detail[n] == ' ')
    return detail + n + 1;
  return detail;
}

static int step_cb(void *ud, const crm_sla_step *s)
{
  struct steps_ctx *sc = ud;
  char when[64], due[64];
  if(sc->j) {
    cli_json_begin_object(sc->j, NULL);
    cli_json_int(sc->j, "id", s->id);
    cli_json_str(sc->j, "kind", s->kind);
    cli_json_str(sc->j, "clock", s->clock && *s->clock ? s->clock : NULL);
    cli_json_int(sc->j, "level", s->level);
    cli_json_str(sc->j, "action", s->action && *s->action ? s->action : NULL);
    cli_json_str(sc->j, "detail", s->detail && *s->detail ? s->detail : NULL);
    cli_json_time(sc->j, "due_at", s->due_at);
    cli_json_time(sc->j, "at", s->at);
    cli_json_end(sc->j);
    return 0;
  }
  if(!sc->n++)
    printf("%*sSLA steps:\n", sc->indent, "");
  cli_fmt_zoned(sc->c, s->at, sc->tz, CLI_ZONED_FULL, when, sizeof(when));
  printf("%*s%s  %s", sc->indent + 2, "", when, step_label(s->kind));
  if(s->level)
    printf(" %d", s->level);
  if(s->clock && *s->clock)
    printf(" (%s)", clock_label(s->clock));
  if(s->action && *s->action)
    printf(": %s", s->action);
  if(s->detail && *s->detail) {
    const char *d = detail_text(s->kind, s->detail);
    printf("%s%s", d != s->detail ? " " : ", ", d);
  }
  if(s->due_at && s->due_at != s->at) {
    cli_fmt_zoned(sc->c, s->due_at, sc->tz, CLI_ZONED_FULL, due,
                  sizeof(due));
    printf(" [due %s]", due);
  }
  putchar('\n');
  return 0;
}

int cli_sla_steps_print(cli *x, cli_json *j, int64_t case_id,
                        const char *tz, int indent)
{
  struct steps_ctx sc;
  int rc;
  memset(&sc, 0, sizeof(sc));
  sc.c = x->c;
  sc.j = j;
  sc.tz = tz;
  sc.indent = indent;
  if(j)
    cli_json_begin_array(j, "steps");
  rc = crm_sla_steps_foreach(x->c, case_id, step_cb, &sc);
  if(j)
    cli_json_end(j);
  return rc;
}

/* ---- crm sla show -------------------------------------------------------- */

static int run_sla_show(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  cli_case_cmd cc;
  const cli_case *k = &cc.k;
  cli_json j, *jp = NULL;
  int rc;

  rc = cli_case_begin(x, cmd, argc, argv, NULL, 1, NULL, &cc);
  if(rc || cc.done)
    return rc;
  if(x->json) {
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_str(&j, "case", k->number);
    cli_json_str(&j, "state", k->state);
    jp = &j;
  }
  else
    printf("%s  %s  (%s, priority %d)\n", k->number, k->state,
           k->category[0] ? k->category : "no category", k->priority);
  rc = cli_sla_print(x, jp, k->id, 0);
  if(!rc)
    rc = cli_sla_steps_print(x, jp, k->id, k->timezone, 0);
  if(rc)
    return cli_fail(x, rc);
  if(jp)
    cli_json_finish(jp);
  return CLI_OK;
}

/* ---- crm sla run --------------------------------------------------------- */

static const char *plural(int64_t n, const char *one, const char *many)
{
  return n == 1 ? one : many;
}

static int run_sla_run(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  cli_case_cmd cc;
  crm_sla_run_stats st;
  char when[64];
  int rc;

  rc = cli_case_begin(x, cmd, argc, argv, NULL, 0, NULL, &cc);
  if(rc || cc.done)
    return rc;
  memset(&st, 0, sizeof(st));
  rc = crm_sla_run(x->c, x->as_of, &st);
  if(rc)
    return cli_fail(x, rc);
  if(x->json) {
    cli_json j;
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_time(&j, "as_of", crm_now(x->c));
    cli_json_int(&j, "warnings", st.warnings);
    cli_json_int(&j, "breaches", st.breaches);
    cli_json_int(&j, "escalations", st.escalations);
    cli_json_int(&j, "closed", st.closed);
    cli_json_finish(&j);
  }
  else if(!x->quiet) {
    cli_fmt_iso(crm_now(x->c), when, sizeof(when));
    printf("sla run as of %s: %" PRId64 " %s, %" PRId64 " %s, %" PRId64
           " %s, %" PRId64 " %s closed\n", when, st.warnings,
           plural(st.warnings, "warning", "warnings"), st.breaches,
           plural(st.breaches, "breach", "breaches"), st.escalations,
           plural(st.escalations, "escalation", "escalations"), st.closed,
           plural(st.closed, "case", "cases"));
  }
  return CLI_OK;
}

const cli_cmd cli_cmds_sla[] = {
  {"sla", "show", "the SLA clocks of a case: targets, used, due times",
   "crm sla show CASE",
   "  CASE               C-000042, 42 or #42\n"
   "  Targets and used time are business time of the case's team; due\n"
   "  and warning times print in the team's zone and in UTC.\n",
   run_sla_show},
  {"sla", "run", "apply SLA warnings, breaches, escalations, auto-close",
   "crm sla run [--as-of DATE]",
   "  Applies every stored due time up to now (or --as-of) in due order;\n"
   "  run it from cron every few minutes.\n",
   run_sla_run},
  {NULL, NULL, NULL, NULL, NULL, NULL},
};
