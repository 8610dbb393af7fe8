/*
 * lead.c - the `lead` scoring component (being written).
 */
#include <stddef.h>

#include "crm/sdk.h"

static int lead_init(const crm_host_api *api, crm_host_ctx *ctx, void **state)
{
  (void)api; (void)ctx;
  *state = NULL;
  return 0;
}

static void lead_fini(void *state, crm_host_ctx *ctx)
{
  (void)state; (void)ctx;
}

static int lead_score_batch(void *state, crm_host_ctx *ctx,
                           const crm_customer_view *const *customers,
                           size_t n, int64_t as_of)
{
  (void)state; (void)ctx; (void)customers; (void)n; (void)as_of;
  return 0;
}

static const crm_scoring_v1 lead_vtable = {
  .struct_size = sizeof(crm_scoring_v1),
  .score_batch = lead_score_batch,
};

static const crm_component lead_component = {
  .struct_size = sizeof(crm_component),
  .kind = CRM_KIND_SCORING,
  .name = "lead",
  .description = "lead (being written)",
  .vtable = &lead_vtable,
};

static const crm_component *const lead_components[] = {&lead_component};

static const crm_plugin_desc lead_desc = {
  CRM_PLUGIN_DESC_HEADER,
  .name = "lead",
  .version = "0.1.0",
  .vendor = "crmcore",
  .license = "MIT",
  .description = "lead",
  .components = lead_components,
  .n_components = 1,
  .init = lead_init,
  .fini = lead_fini,
};

CRM_PLUGIN_DEFINE(lead_desc)
