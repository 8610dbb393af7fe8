/*
 * trigger_int.h - what the trigger files share:
 *
 *   trigger_config.c  communication.triggers -> crm__trigger (config)
 *   trigger_cond.c    conditions: parsed at load, evaluated at firing
 *   trigger.c         event-time hooks, conditions, firing one trigger
 *                     for one customer (render, insert into the outbox),
 *                     crm_trigger_foreach
 *   trigger_due.c     the due-time schedule (table trigger_due): birthday,
 *                     member day, points expiring; seeding; crm_triggers_run
 */
#ifndef CRM_TRIGGER_INT_H
#define CRM_TRIGGER_INT_H

#include "comm_int.h"

/* "stage", "tier", ... for a CRM__TRG_* kind ("?" when unknown). */
const char *crm__trigger_kind_name(int kind);
/* 1 for birthday, member_day and points_expiring. */
int crm__trigger_is_schedule(int kind);

struct crm__cfgread;

/* Parses condition text v of trigger t (who: 'trigger "name"') into
 * t->conds and t->condition; errors "FILE:LINE: who: condition: ..."
 * at setting. */
int crm__trigger_cond_parse(struct crm__cfgread *r, const void *setting,
                            const char *who, const char *v, crm__trigger *t);
/* *holds = 1 when every clause holds for the customer (tier: the value of
 * the "tier" field, NULL: the customer's current tier). */
int crm__trigger_cond_holds(crm *c, const crm__trigger *t,
                            const crm_customer *cu, const char *tier,
                            int *holds);

/* Fires trigger t for the customer: the condition (false: nothing, *out
 * = 0), the channel, the template in the customer's language, rendered
 * with the extra pairs (NULL-terminated name/value list, may be NULL),
 * inserted into the outbox with dedupe key `key`, not before
 * max(now, at) + t->delay (now: the caller's clock). A trigger that cannot resolve its channel or
 * render records a refused message with the reason. Only a store failure
 * (or out of memory) is returned as an error. *out: 1 a message was
 * queued, 2 one was recorded refused, 0 nothing new (condition false or
 * the key was already used). tier: the tier the condition's "tier" field
 * reads (NULL: the customer's current one). */
int crm__trigger_fire(crm *c, const crm__trigger *t, int64_t customer_id,
                      int64_t at, int64_t now, const char *key,
                      const char *const *pairs, const char *tier, int *out);

/* The local calendar date of utc in zone `tz` (customers.timezone; an
 * unknown zone is UTC) as "YYYY-MM-DD". */
int crm__trigger_local_date(crm *c, const char *tz, int64_t utc, char *buf,
                            size_t size);

#endif /* CRM_TRIGGER_INT_H */
