/*
 * churn.c - the `churn` scoring component (being written).
 */
#include <stddef.h>

#include "crm/sdk.h"

static int churn_init(const crm_host_api *api, crm_host_ctx *ctx, void **state)
{
  (void)api; (void)ctx;
  *state = NULL;
  return 0;
}

static void churn_fini(void *state, crm_host_ctx *ctx)
{
  (void)state; (void)ctx;
}

static int churn_score_batch(void *state, crm_host_ctx *ctx,
                           const crm_customer_view *const *customers,
                           size_t n, int64_t as_of)
{
  (void)state; (void)ctx; (void)customers; (void)n; (void)as_of;
  return 0;
}

static const crm_scoring_v1 churn_vtable = {
  .struct_size = sizeof(crm_scoring_v1),
  .score_batch = churn_score_batch,
};

static const crm_component churn_component = {
  .struct_size = sizeof(crm_component),
  .kind = CRM_KIND_SCORING,
  .name = "churn",
  .description = "churn (being written)",
  .vtable = &churn_vtable,
};

static const crm_component *const churn_components[] = {&churn_component};

static const crm_plugin_desc churn_desc = {
  CRM_PLUGIN_DESC_HEADER,
  .name = "churn",
  .version = "0.1.0",
  .vendor = "crmcore",
  .license = "MIT",
  .description = "churn",
  .components = churn_components,
  .n_components = 1,
  .init = churn_init,
  .fini = churn_fini,
};

CRM_PLUGIN_DEFINE(churn_desc)
