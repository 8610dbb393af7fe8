/*
 * sla_int.h - what sla.c and sla_run.c share: one stored SLA clock
 * (a case_sla row) and its due times (case_due rows).
 */
#ifndef CRM_SLA_INT_H
#define CRM_SLA_INT_H

#include "case_int.h"

typedef struct crm__sla_row {
  int64_t case_id;
  int clock;                 /* CRM__SLA_* */
  char policy[48];           /* "billing/2", "*"/"*" for any */
  char team[CRM__CASE_TEAM_MAX + 1];
  int64_t target;            /* business seconds */
  crm__sla_clock k;          /* used, since, running */
  int64_t due_at;            /* 0: NULL (paused, met or stopped) */
  int64_t warn_at;           /* 0: NULL */
  int64_t met_at;
  int64_t warned_at;
  int64_t breached_at;
} crm__sla_row;

/* "first_response", "resolution" by CRM__SLA_*. */
extern const char *const crm__sla_clock_names[2];

/* The clock of a case; CRM_ENOTFOUND (no message) when it has none. */
int crm__sla_load(crm *c, int64_t case_id, int clock, crm__sla_row *row);
int crm__sla_save(crm *c, const crm__sla_row *row);
/* The calendar of a configured team; CRM_ENOTFOUND when not configured. */
int crm__sla_cal(crm *c, const char *team, crm__bizcal *cal);
/* Rewrites the clock's due rows (warning, breach, escalation levels not
 * yet applied) from its state and saves the row (due_at, warn_at). */
int crm__sla_plan(crm *c, const crm__case_row *r, crm__sla_row *row,
                  const crm__bizcal *cal);
/* 1 when a step of that kind, clock and level is stored for the case. */
int crm__sla_step_done(crm *c, int64_t case_id, const char *kind,
                       const char *clock, int level);
/* 1 when the case's state (of class cls) is final for its handler. */
int crm__sla_final(crm *c, const crm__case_row *r, int cls);
/* 1 when the case is exempt from SLA clocks (opened from imported
 * history: cases.sla_exempt), 0 not, or a negative CRM_E*. */
int crm__sla_exempt(crm *c, int64_t case_id);
/* "2h10m", "45m", "4h" (business time, minutes rounded down). */
void crm__sla_fmt_duration(int64_t secs, char *buf, size_t size);

#endif /* CRM_SLA_INT_H */
