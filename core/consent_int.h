/*
 * consent_int.h - helpers shared by consent.c and consent_prefs.c.
 */
#ifndef CRM_CONSENT_INT_H
#define CRM_CONSENT_INT_H

#include "crm_int.h"

/* The channel that carries a do-not-contact of every channel. */
#define CRM__CONSENT_ALL "*"

/* 1..32 bytes of [a-z0-9_]; `what` names it in the message. */
int crm__consent_check_channel(crm *c, const char *ch, const char *what);
/* at <= 0: now; after now: CRM_EINVAL. */
int crm__consent_time(crm *c, int64_t at, int64_t *out);
/* Appends one consent_history row (channel NULL for prefs). */
int crm__consent_history(crm *c, int64_t customer_id, const char *channel,
                         const char *kind, int status, const char *source,
                         const char *note, int64_t at);
/* 1 when s is a BCP 47 tag as crm_prefs_set accepts it ([A-Za-z]{2,3}
 * then -[A-Za-z0-9]{2,8} subtags, at most CRM__LANGUAGE_MAX bytes);
 * template.c checks template languages with it. */
int crm__lang_valid(const char *s);
/* audit row: object "customer #N". */
int crm__consent_audit(crm *c, int64_t customer_id, const char *action,
                       const char *detail);

#endif
