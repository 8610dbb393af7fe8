/*
 * basic_case.c - the `basic_case` complaint component: the default case
 * handler (SDK 1.5 standard states) with keyword classification.
 *
 * Built only against crm/sdk.h, as any out-of-tree plugin is; the
 * standard states and moves, the transition check, the priority readers
 * and the keyword matcher are in case_machine.h (static, shared with
 * baggage_case.c and triage.c at build time only).
 *
 * States: New (cases open here), Assigned, In progress, Waiting on
 * customer, Resolved, Closed, Rejected, Duplicate. The core keys its SLA,
 * reopen, merge and survey rules on these names; this handler only says
 * which moves are allowed:
 *   New                 -> Assigned, In progress, Waiting on customer,
 *                          Resolved, Rejected, Duplicate
 *   Assigned            -> Assigned (reassign), In progress, Waiting on
 *                          customer, Resolved, Rejected, Duplicate
 *   In progress         -> Assigned, Waiting on customer, Resolved,
 *                          Rejected, Duplicate
 *   Waiting on customer -> Assigned, In progress, Resolved, Closed,
 *                          Rejected, Duplicate
 *   Resolved            -> In progress (reopen), Closed
 *   Closed, Rejected, Duplicate: final.
 * With allow_close_new = true a New case may also be closed directly (the
 * transition callback does not see the note, so the rule cannot depend on
 * one). Anything else is refused with CRM_ESTATE, e.g.
 *   "cannot move case C-000042 from Resolved to New; allowed: In
 *    progress, Closed"
 * (the case id instead of the number on a core older than 1.5). State
 * names match case-insensitively; the decision carries the canonical
 * spelling. On a move to Resolved the compensation the agent asked for is
 * kept as it is: the limits per category are the core's
 * (complaints.compensation).
 *
 * open(): a case without a category is classified by the first keyword
 * group with a keyword in the summary (case-insensitive), in this order
 * (the product's condition first: "arrived broken" is about quality):
 *   quality   broken, defect*, quality, damage*, faulty, not work*
 *   delivery  deliver*, late, delay*, shipping, shipment*, arriv*,
 *             lost parcel
 *   billing   charge, charged, charges, overcharg*, refund*, invoice*,
 *             bill, bills, billed, billing, payment*
 *   service   rude*, staff, service, services, unhelpful, manager*
 *   other     anything else
 * A keyword matches whole words: it starts a word and ends one ("late"
 * is not in "latest" nor "chocolate", "charge" not in "charger", "bill"
 * not in "billion"). A trailing '*' makes it a stem that may go on
 * ("deliver*": delivery, delivered). Letters, digits and non-ASCII bytes
 * are word characters.
 * Priority (1 urgent .. 4 low) comes from the category: config group
 * `priority` (e.g. priority = { billing = 1; }) overrides the defaults
 * delivery 2, quality 2, billing 2, service 3, other 4; a category given
 * by the caller that is not in the table gets priority.<category> or 3.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "crm/sdk.h"

#include "case_machine.h"

/* How basic_case says the bounds of a priority in its messages. */
#define BC_PRIORITY_RANGE "1 (urgent) and 4 (low)"

/* Whole words; a trailing '*' marks a stem (see the top of the file).
 * One list per category of cm_categories, in its order. */
static const char *const bc_kw_delivery[] = {
  "deliver*", "late", "delay*", "shipping", "shipment*", "arriv*",
  "lost parcel", NULL};
static const char *const bc_kw_quality[] = {
  "broken", "defect*", "quality", "damage*", "faulty", "not work*", NULL};
static const char *const bc_kw_billing[] = {
  "charge", "charged", "charges", "overcharg*", "refund*", "invoice*",
  "bill", "bills", "billed", "billing", "payment*", NULL};
static const char *const bc_kw_service[] = {
  "rude*", "staff", "service", "services", "unhelpful", "manager*", NULL};
static const char *const bc_kw_none[] = {NULL};

static const char *const *const bc_keywords[CM_N_CATS] = {
  bc_kw_quality, bc_kw_delivery, bc_kw_billing, bc_kw_service, bc_kw_none,
};

struct bc_state {
  const crm_host_api *api; /* first (case_machine.h) */
  int priority[CM_N_CATS];
  int allow_close_new;
};

/* ---- config --------------------------------------------------------------- */

static int bc_read_config(const crm_host_api *api, crm_host_ctx *ctx,
                          void *state)
{
  struct bc_state *out = state;
  size_t i;
  int rc;

  for(i = 0; i < CM_N_CATS; i++) {
    out->priority[i] = cm_categories[i].priority;
    rc = cm_cfg_priority(api, ctx, cm_categories[i].name, BC_PRIORITY_RANGE,
                         &out->priority[i]);
    if(rc)
      return rc;
  }
  out->allow_close_new = 0;
  rc = api->cfg_get_bool(ctx, "allow_close_new", &out->allow_close_new);
  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG,
                          "allow_close_new must be true or false");
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  return CRM_OK;
}

static int bc_init(const crm_host_api *api, crm_host_ctx *ctx, void **state)
{
  return cm_state_init(api, ctx, sizeof(struct bc_state), bc_read_config,
                       state);
}

static int bc_reconfigure(void *state, crm_host_ctx *ctx)
{
  return cm_state_reread(state, ctx, sizeof(struct bc_state),
                         bc_read_config);
}

/* ---- classification ---------------------------------------------------------- */

static size_t bc_classify(const char *summary)
{
  size_t i, k;

  if(!summary)
    return CM_N_CATS - 1;
  for(i = 0; i < CM_N_CATS; i++) {
    for(k = 0; bc_keywords[i][k]; k++) {
      if(cm_has_keyword(summary, bc_keywords[i][k]))
        return i;
    }
  }
  return CM_N_CATS - 1;
}

/* A standard category: its priority as configured; another:
 * priority.<category> or CM_DEFAULT_PRIORITY. */
static int bc_priority_of(struct bc_state *st, crm_host_ctx *ctx,
                          const char *cat)
{
  int i = cm_category_index(cat);

  if(i >= 0)
    return st->priority[i];
  return cm_priority_setting(st->api, ctx, cat, BC_PRIORITY_RANGE,
                             CM_DEFAULT_PRIORITY);
}

static int bc_open(void *state, crm_host_ctx *ctx, const crm_case_view *c,
                   crm_case_decision *out)
{
  struct bc_state *st = state;
  const char *cat = c->category;

  if(!cat || !*cat) {
    cat = cm_categories[bc_classify(c->summary)].name;
    snprintf(out->category, sizeof(out->category), "%s", cat);
  }
  snprintf(out->state, sizeof(out->state), "%s", cm_states[CM_NEW]);
  out->priority = bc_priority_of(st, ctx, cat);
  return CRM_OK;
}

/* ---- transitions --------------------------------------------------------------- */

static int bc_transition(void *state, crm_host_ctx *ctx,
                         const crm_case_view *c, const char *to,
                         crm_case_decision *out)
{
  struct bc_state *st = state;
  int to_i;
  int rc;

  rc = cm_check_move(st->api, ctx, c, to, st->allow_close_new, &to_i);
  if(rc)
    return rc;
  /* the compensation the agent asked for (a move to Resolved) is kept as
   * the host filled it in: the limits are the core's */
  snprintf(out->state, sizeof(out->state), "%s", cm_states[to_i]);
  return CRM_OK;
}

static const crm_complaint_v1 bc_vtable = {
  .struct_size = sizeof(crm_complaint_v1),
  .states = cm_states,
  .open = bc_open,
  .transition = bc_transition,
};

static const crm_component bc_component = {
  .struct_size = sizeof(crm_component),
  .kind = CRM_KIND_COMPLAINT,
  .name = "basic_case",
  .description = "the standard case states (SDK 1.5) with keyword "
                 "classification",
  .vtable = &bc_vtable,
};

static const crm_component *const bc_components[] = {&bc_component};

static const crm_plugin_desc bc_desc = {
  CRM_PLUGIN_DESC_HEADER,
  .name = "basic_case",
  .version = "1.5.0",
  .vendor = "crmcore",
  .license = "MIT",
  .description = "Complaint cases: the standard flow with classification",
  .components = bc_components,
  .n_components = 1,
  .init = bc_init,
  .fini = cm_state_fini,
  .reconfigure = bc_reconfigure,
};

CRM_PLUGIN_DEFINE(bc_desc)
