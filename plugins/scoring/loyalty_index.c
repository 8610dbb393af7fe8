/*
 * loyalty_index.c - the `loyalty_index` scoring component (being written).
 */
#include <stddef.h>

#include "crm/sdk.h"

static int loyalty_index_init(const crm_host_api *api, crm_host_ctx *ctx, void **state)
{
  (void)api; (void)ctx;
  *state = NULL;
  return 0;
}

static void loyalty_index_fini(void *state, crm_host_ctx *ctx)
{
  (void)state; (void)ctx;
}

static int loyalty_index_score_batch(void *state, crm_host_ctx *ctx,
                           const crm_customer_view *const *customers,
                           size_t n, int64_t as_of)
{
  (void)state; (void)ctx; (void)customers; (void)n; (void)as_of;
  return 0;
}

static const crm_scoring_v1 loyalty_index_vtable = {
  .struct_size = sizeof(crm_scoring_v1),
  .score_batch = loyalty_index_score_batch,
};

static const crm_component loyalty_index_component = {
  .struct_size = sizeof(crm_component),
  .kind = CRM_KIND_SCORING,
  .name = "loyalty_index",
  .description = "loyalty_index (being written)",
  .vtable = &loyalty_index_vtable,
};

static const crm_component *const loyalty_index_components[] = {&loyalty_index_component};

static const crm_plugin_desc loyalty_index_desc = {
  CRM_PLUGIN_DESC_HEADER,
  .name = "loyalty_index",
  .version = "0.1.0",
  .vendor = "crmcore",
  .license = "MIT",
  .description = "loyalty_index",
  .components = loyalty_index_components,
  .n_components = 1,
  .init = loyalty_index_init,
  .fini = loyalty_index_fini,
};

CRM_PLUGIN_DEFINE(loyalty_index_desc)
