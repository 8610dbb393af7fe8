/*
 * case_cfg_int.h - what case_config.c (the complaints group) shares with
 * case_teams.c (its teams and their calendars) while parsing.
 */
#ifndef CRM_CASE_CFG_INT_H
#define CRM_CASE_CFG_INT_H

#include <libconfig.h>

#include "case_int.h"
#include "points_int.h"

/* The parse: where errors go, the config built, a scratch handle for the
 * time zone and calendar checks. */
typedef struct crm__cf_ctx {
  crm__cfgread *r;
  crm__cases_cfg *cc;
  crm *scratch;
} cf_ctx;

int crm__cf_nomem(cf_ctx *x, const config_setting_t *s);
/* A string member; absent: *out NULL. */
int crm__cf_str(cf_ctx *x, const config_setting_t *g, const char *what,
                const char *key, const char **out);
/* Agent and lead names: 1..64 of letters, digits, '_', '-', '.', '@'. */
int crm__cf_actor_ok(const char *s);
/* Allocates n zeroed elements for a list (NULL and 0 when empty). */
int crm__cf_list(cf_ctx *x, const config_setting_t *l, const char *what,
                 const char *example, size_t elem, void **out, size_t *n);
/* complaints.teams (a list) into x->cc->teams. */
int crm__cf_teams(cf_ctx *x, const config_setting_t *l);

#endif /* CRM_CASE_CFG_INT_H */
