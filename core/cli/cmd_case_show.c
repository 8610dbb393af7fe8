/*
 * cmd_case_show.c - crm case show CASE: the header of a case (number,
 * customer, state, category, priority, owner, team, origin, link,
 * parent or merge, reopen count), its SLA clocks, messages and notes,
 * history with who, why and detail, SLA steps, compensation and survey.
 *
 * Times print in the zone of the case's team (UTC when it has none);
 * --json gives one object with UTC times.
 */
#include "cli.h"

#include <inttypes.h>
#include <string.h>

static const char *msg_kind(int kind)
{
  switch(kind) {
  case CRM_CASE_MSG_CUSTOMER: return "customer";
  case CRM_CASE_MSG_AGENT: return "agent";
  case CRM_CASE_MSG_NOTE: return "note";
  default: return "?";
  }
}

/* ---- header -------------------------------------------------------------- */

static void field(const char *name, const char *value)
{
  printf("  %-13s %s\n", name, value && *value ? value : "-");
}

static void time_field(crm *c, const cli_case *k, const char *name,
                       int64_t t)
{
  char when[64];
  if(!t)
    return;
  cli_fmt_zoned(c, t, k->timezone, CLI_ZONED_FULL, when, sizeof(when));
  field(name, when);
}

static void header_text(crm *c, const cli_case *k)
{
  char buf[512];
  printf("%s  %s\n", k->number, k->state);
  snprintf(buf, sizeof(buf), "%s (#%" PRId64 ")",
           k->customer[0] ? k->customer : "?", k->customer_id);
  field("customer", buf);
  field("category", k->category);
  snprintf(buf, sizeof(buf), "%d", k->priority);
  field("priority", buf);
  field("owner", k->owner[0] ? k->owner : "(unassigned)");
  if(k->team[0]) {
    snprintf(buf, sizeof(buf), "%s (%s)", k->team,
             k->timezone[0] ? k->timezone : "UTC");
    field("team", buf);
  }
  else
    field("team", NULL);
  field("handler", k->handler);
  field("origin", k->origin);
  if(k->link_kind[0]) {
    snprintf(buf, sizeof(buf), "%s %s", k->link_kind, k->link_ref);
    field("link", buf);
  }
  if(k->parent_id) {
    snprintf(buf, sizeof(buf), "C-%06" PRId64, k->parent_id);
    field("follow-up of", buf);
  }
  if(k->merged_into) {
    snprintf(buf, sizeof(buf), "C-%06" PRId64, k->merged_into);
    field("merged into", buf);
  }
  if(k->reopen_count) {
    snprintf(buf, sizeof(buf), "%d time%s", k->reopen_count,
             k->reopen_count == 1 ? "" : "s");
    field("reopened", buf);
  }
  time_field(c, k, "opened", k->opened_at);
  time_field(c, k, "responded", k->first_response_at);
  time_field(c, k, "resolved", k->resolved_at);
  time_field(c, k, "closed", k->closed_at);
  field("summary", k->summary);
  if(k->triage_reason[0])
    field("triage", k->triage_reason);
}

/* ---- messages ------------------------------------------------------------ */

struct walk {
  crm *c;
  cli_json *j;
  const cli_case *k;
  int64_t n;
  int compensation; /* history walk: only "compensate" lines */
};

static int msg_cb(void *ud, const crm_case_msg *m)
{
  struct walk *w = ud;
  char when[64];
  if(w->j) {
    cli_json_begin_object(w->j, NULL);
    cli_json_int(w->j, "id", m->id);
    cli_json_str(w->j, "kind", msg_kind(m->kind));
    cli_json_str(w->j, "author", m->author);
    cli_json_str(w->j, "body", m->body);
    if(m->message_id)
      cli_json_int(w->j, "message_id", m->message_id);
    else
      cli_json_null(w->j, "message_id");
    cli_json_time(w->j, "at", m->at);
    cli_json_end(w->j);
    return 0;
  }
  if(!w->n++)
    printf("messages:\n");
  cli_fmt_zoned(w->c, m->at, w->k->timezone, CLI_ZONED_FULL, when,
                sizeof(when));
  printf("  %s  %s %s", when, msg_kind(m->kind),
         m->author && *m->author ? m->author : "-");
  if(m->kind == CRM_CASE_MSG_AGENT) {
    if(m->message_id)
      printf(" (outbox #%" PRId64 ")", m->message_id);
    else
      printf(" (recorded)");
  }
  printf(": %s\n", m->body ? m->body : "");
  return 0;
}

/* ---- history --------------------------------------------------------------- */

static int hist_cb(void *ud, const crm_case_event *e)
{
  struct walk *w = ud;
  char when[64];
  int comp = e->action && !strcmp(e->action, "compensate");
  if(w->compensation && !comp)
    return 0;
  if(w->j) {
    cli_json_begin_object(w->j, NULL);
    cli_json_int(w->j, "id", e->id);
    cli_json_str(w->j, "action", e->action);
    cli_json_str(w->j, "from_state", e->from_state);
    cli_json_str(w->j, "to_state", e->to_state);
    cli_json_str(w->j, "actor", e->actor);
    cli_json_str(w->j, "why", e->why);
    cli_json_str(w->j, "detail", e->detail);
    cli_json_time(w->j, "at", e->at);
    cli_json_end(w->j);
    return 0;
  }
  if(!w->n++)
    printf(w->compensation ? "compensation:\n" : "history:\n");
  cli_fmt_zoned(w->c, e->at, w->k->timezone, CLI_ZONED_FULL, when,
                sizeof(when));
  printf("  %s  %s by %s", when, e->action ? e->action : "-",
         e->actor && *e->actor ? e->actor : "-");
  if(e->from_state && e->to_state && strcmp(e->from_state, e->to_state))
    printf(": %s -> %s", e->from_state, e->to_state);
  else if(!e->from_state && e->action && !strcmp(e->action, "open") &&
          !(e->detail && *e->detail)) /* the detail names the state */
    printf(": %s", e->to_state ? e->to_state : "-");
  if(e->detail && *e->detail)
    printf(", %s", e->detail);
  if(e->why && *e->why)
    printf(" (why: %s)", e->why);
  putchar('\n');
  return 0;
}

static int walk_history(cli *x, cli_json *j, const cli_case *k, int comp)
{
  struct walk w;
  int rc;
  memset(&w, 0, sizeof(w));
  w.c = x->c;
  w.j = j;
  w.k = k;
  w.compensation = comp;
  if(j)
    cli_json_begin_array(j, comp ? "compensation" : "history");
  rc = crm_case_history_foreach(x->c, k->id, hist_cb, &w);
  if(j)
    cli_json_end(j);
  return rc;
}

static int walk_messages(cli *x, cli_json *j, const cli_case *k)
{
  struct walk w;
  int rc;
  memset(&w, 0, sizeof(w));
  w.c = x->c;
  w.j = j;
  w.k = k;
  if(j)
    cli_json_begin_array(j, "messages");
  rc = crm_case_messages_foreach(x->c, k->id, msg_cb, &w);
  if(j)
    cli_json_end(j);
  else if(!rc && !w.n)
    printf("messages: none\n");
  return rc;
}

/* ---- survey ---------------------------------------------------------------- */

static int show_survey(cli *x, cli_json *j, const cli_case *k)
{
  crm_case_survey sv;
  char when[64];
  int rc;
  memset(&sv, 0, sizeof(sv));
  rc = crm_case_survey_get(x->c, k->id, &sv);
  if(rc == CRM_ENOTFOUND) {
    if(j)
      cli_json_null(j, "survey");
    return CRM_OK;
  }
  if(rc)
    return rc;
  if(j) {
    cli_json_begin_object(j, "survey");
    cli_json_time(j, "requested_at", sv.requested_at);
    if(sv.message_id)
      cli_json_int(j, "message_id", sv.message_id);
    else
      cli_json_null(j, "message_id");
    cli_json_time(j, "answered_at", sv.answered_at);
    if(sv.answered_at) {
      cli_json_int(j, "score", sv.score);
      cli_json_int(j, "scale", sv.scale);
    }
    if(sv.nps >= 0)
      cli_json_int(j, "nps", sv.nps);
    if(sv.answered_at)
      cli_json_str(j, "comment", sv.comment && *sv.comment ? sv.comment
                                                          : NULL);
    cli_json_end(j);
    return CRM_OK;
  }
  printf("survey:\n");
  if(sv.requested_at) {
    cli_fmt_zoned(x->c, sv.requested_at, k->timezone, CLI_ZONED_FULL, when,
                  sizeof(when));
    if(sv.message_id)
      printf("  requested %s (outbox #%" PRId64 ")\n", when, sv.message_id);
    else
      printf("  requested %s (recorded as due: no message sent)\n", when);
  }
  if(sv.answered_at) {
    cli_fmt_zoned(x->c, sv.answered_at, k->timezone, CLI_ZONED_FULL, when,
                  sizeof(when));
    printf("  answered %s: %d/%d", when, sv.score, sv.scale);
    if(sv.nps >= 0)
      printf(", nps %d", sv.nps);
    putchar('\n');
    if(sv.comment && *sv.comment)
      printf("  comment: %s\n", sv.comment);
  }
  else
    printf("  no answer yet\n");
  return CRM_OK;
}

/* ---- crm case show --------------------------------------------------------- */

static int show_all(cli *x, cli_json *j, const cli_case *k)
{
  int rc;
  if(j)
    cli_case_json(j, "case", k);
  else
    header_text(x->c, k);
  rc = cli_sla_print(x, j, k->id, 0);
  if(!rc)
    rc = walk_messages(x, j, k);
  if(!rc)
    rc = walk_history(x, j, k, 0);
  if(!rc)
    rc = cli_sla_steps_print(x, j, k->id, k->timezone, 0);
  if(!rc)
    rc = walk_history(x, j, k, 1);
  if(!rc)
    rc = show_survey(x, j, k);
  return rc;
}

static int run_case_show(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  cli_case_cmd cc;
  cli_json j;
  int rc;

  rc = cli_case_begin(x, cmd, argc, argv, NULL, 1, NULL, &cc);
  if(rc || cc.done)
    return rc;
  if(x->json) {
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
  }
  rc = show_all(x, x->json ? &j : NULL, &cc.k);
  if(rc)
    return cli_fail(x, rc);
  if(x->json)
    cli_json_finish(&j);
  return CLI_OK;
}

const cli_cmd cli_cmds_case_show[] = {
  {"case", "show", "a case: header, SLA, messages, history, survey",
   "crm case show CASE",
   "  CASE               C-000042, 42 or #42\n"
   "  Times print in the zone of the case's team; --json gives UTC.\n",
   run_case_show},
  {NULL, NULL, NULL, NULL, NULL, NULL},
};
