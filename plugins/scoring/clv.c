/*
 * clv.c - the `clv` scoring component (being written).
 */
#include <stddef.h>

#include "crm/sdk.h"

static int clv_init(const crm_host_api *api, crm_host_ctx *ctx, void **state)
{
  (void)api; (void)ctx;
  *state = NULL;
  return 0;
}

static void clv_fini(void *state, crm_host_ctx *ctx)
{
  (void)state; (void)ctx;
}

static int clv_score_batch(void *state, crm_host_ctx *ctx,
                           const crm_customer_view *const *customers,
                           size_t n, int64_t as_of)
{
  (void)state; (void)ctx; (void)customers; (void)n; (void)as_of;
  return 0;
}

static const crm_scoring_v1 clv_vtable = {
  .struct_size = sizeof(crm_scoring_v1),
  .score_batch = clv_score_batch,
};

static const crm_component clv_component = {
  .struct_size = sizeof(crm_component),
  .kind = CRM_KIND_SCORING,
  .name = "clv",
  .description = "clv (being written)",
  .vtable = &clv_vtable,
};

static const crm_component *const clv_components[] = {&clv_component};

static const crm_plugin_desc clv_desc = {
  CRM_PLUGIN_DESC_HEADER,
  .name = "clv",
  .version = "0.1.0",
  .vendor = "crmcore",
  .license = "MIT",
  .description = "clv",
  .components = clv_components,
  .n_components = 1,
  .init = clv_init,
  .fini = clv_fini,
};

CRM_PLUGIN_DEFINE(clv_desc)
