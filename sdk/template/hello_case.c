/*
 * hello_case.c - a complaint handler to copy (SDK 1.5): the standard case
 * states, a small move table, a priority from the config, and a cap on
 * the goodwill the agent may grant on resolution.
 *
 * Config (crm.conf):
 *   plugins = { load = ( { name = "hello_case";
 *                          config = { priority = 3; max_points = 1000; }; } ); };
 *   complaints = { handler = "hello_case";
 *                  compensation = ( { category = "*"; max_points = 1000; } ); };
 *
 * Then: crm case open ann --summary "parcel late"; crm case move C-000001
 * "In progress"; crm case resolve C-000001 --why "refunded" --points 200;
 * crm case close C-000001.
 *
 * What a handler does: says where cases open (the first state), which
 * moves are allowed, and may change the compensation on a move to
 * Resolved. The core does the rest: the case number, history and audit,
 * SLA clocks, reopen on a customer reply, the ledger, the survey.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <crm/sdk.h>

/* The standard states: the core keys its SLA, reopen and survey rules on
 * these names. Cases open in the first. */
static const char *const hc_states[] = {
  CRM_CASE_NEW, CRM_CASE_IN_PROGRESS, CRM_CASE_WAITING, CRM_CASE_RESOLVED,
  CRM_CASE_CLOSED, CRM_CASE_REJECTED, CRM_CASE_DUPLICATE, NULL};

/* Allowed moves, one "from" a line: the targets after it. Assigned is
 * not listed: this handler has no such state, and an assignment keeps
 * the state. */
static const struct {
  const char *from;
  const char *to[6];
} hc_moves[] = {
  {CRM_CASE_NEW, {CRM_CASE_IN_PROGRESS, CRM_CASE_RESOLVED, CRM_CASE_REJECTED,
                  CRM_CASE_DUPLICATE}},
  {CRM_CASE_IN_PROGRESS, {CRM_CASE_WAITING, CRM_CASE_RESOLVED,
                          CRM_CASE_REJECTED, CRM_CASE_DUPLICATE}},
  {CRM_CASE_WAITING, {CRM_CASE_IN_PROGRESS, CRM_CASE_RESOLVED,
                      CRM_CASE_CLOSED, CRM_CASE_REJECTED,
                      CRM_CASE_DUPLICATE}},
  {CRM_CASE_RESOLVED, {CRM_CASE_IN_PROGRESS, CRM_CASE_CLOSED}},
};

struct hc_state {
  const crm_host_api *api;
  int64_t priority;
  int64_t max_points;
};

static int hc_cfg_int(const crm_host_api *api, crm_host_ctx *ctx,
                      const char *key, int64_t lo, int64_t hi, int64_t *out)
{
  int64_t v = *out; /* preset: kept when the key is absent */
  int rc = api->cfg_get_int(ctx, key, &v);

  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be an integer", key);
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  if(v < lo || v > hi)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be between %lld and "
                          "%lld (got %lld)", key, (long long)lo,
                          (long long)hi, (long long)v);
  *out = v;
  return CRM_OK;
}

static int hc_init(const crm_host_api *api, crm_host_ctx *ctx, void **state)
{
  struct hc_state *st;
  int64_t prio = 3, max = 1000;
  int rc = hc_cfg_int(api, ctx, "priority", 1, 4, &prio);

  if(!rc)
    rc = hc_cfg_int(api, ctx, "max_points", 0, 1000000, &max);
  if(rc)
    return rc;
  st = api->alloc(ctx, sizeof(*st));
  if(!st)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  st->api = api;
  st->priority = prio;
  st->max_points = max;
  *state = st;
  return CRM_OK;
}

static void hc_fini(void *state, crm_host_ctx *ctx)
{
  struct hc_state *st = state;

  if(st)
    st->api->free(ctx, st);
}

/* A new case: opens in the first state ("" = states[0]); the category is
 * left to the caller and the triage components ("" = keep); the priority
 * is used only when neither the caller nor triage set one. */
static int hc_open(void *state, crm_host_ctx *ctx, const crm_case_view *c,
                   crm_case_decision *out)
{
  struct hc_state *st = state;

  (void)ctx;
  (void)c;
  out->priority = (int)st->priority;
  return CRM_OK;
}

static int hc_transition(void *state, crm_host_ctx *ctx,
                         const crm_case_view *c, const char *to,
                         crm_case_decision *out)
{
  struct hc_state *st = state;
  char allowed[128] = "none (final)";
  size_t i, k, len = 0;

  for(i = 0; i < sizeof(hc_moves) / sizeof(hc_moves[0]); i++) {
    if(strcasecmp(c->state, hc_moves[i].from))
      continue;
    for(k = 0; k < 6 && hc_moves[i].to[k]; k++) {
      if(!strcasecmp(to, hc_moves[i].to[k])) {
        /* the canonical spelling of the state */
        snprintf(out->state, sizeof(out->state), "%s", hc_moves[i].to[k]);
        /* on a move to Resolved out->comp_points holds the agent's
         * request: cap it (the core's complaints.compensation limit is
         * checked after this) */
        if(!strcmp(hc_moves[i].to[k], CRM_CASE_RESOLVED) &&
           out->comp_points > st->max_points) {
          snprintf(out->comp_note, sizeof(out->comp_note), "capped at %lld "
                   "points by hello_case", (long long)st->max_points);
          out->comp_points = st->max_points;
        }
        return CRM_OK;
      }
      len += (size_t)snprintf(allowed + len, sizeof(allowed) - len, "%s%s",
                              k ? ", " : "", hc_moves[i].to[k]);
      if(len >= sizeof(allowed))
        break;
    }
  }
  /* reason first, then how to fix it: the allowed moves */
  return st->api->set_error(ctx, CRM_ESTATE, "cannot move case %s from %s "
                            "to %s; allowed: %s", c->number, c->state, to,
                            allowed);
}

static const crm_complaint_v1 hc_vtable = {
  .struct_size = sizeof(crm_complaint_v1),
  .states = hc_states,
  .open = hc_open,
  .transition = hc_transition,
};

static const crm_component hc_component = {
  .struct_size = sizeof(crm_component),
  .kind = CRM_KIND_COMPLAINT,
  .name = "hello_case",
  .description = "a small case flow with a goodwill cap",
  .vtable = &hc_vtable,
};

static const crm_component *const hc_components[] = {&hc_component};

static const crm_plugin_desc hc_desc = {
  CRM_PLUGIN_DESC_HEADER,
  .name = "hello_case",
  .version = "0.1.0",
  .vendor = "example",
  .license = "MIT",
  .description = "Example complaint handler",
  .components = hc_components,
  .n_components = 1,
  .init = hc_init,
  .fini = hc_fini,
};

CRM_PLUGIN_DEFINE(hc_desc)
