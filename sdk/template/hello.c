/*
 * hello.c - a minimal crmcore plugin to copy: one reward component,
 * "hello_bonus", that gives a welcome bonus on a customer's first
 * purchase.
 *
 * Config (crm.conf):
 *   plugins = { load = ( { name = "hello"; config = { bonus = 50; }; } ); };
 *
 * Rules every plugin follows (docs/sdk.md):
 *   - include only <crm/sdk.h>; reach the core only through the host table
 *   - export only crm_plugin_entry (CRM_PLUGIN_DEFINE); everything else is
 *     static (and the build uses -fvisibility=hidden)
 *   - return 0 or a negative CRM_E* code; explain failures with
 *     host->set_error, lowercase, reason first, no full stop
 *   - check host table members added after 1.0 with CRM_HAS_MEMBER
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <crm/sdk.h>

struct hello_state {
  const crm_host_api *api;
  int64_t bonus;
};

static int hello_read_config(const crm_host_api *api, crm_host_ctx *ctx,
                             int64_t *bonus)
{
  int64_t v = 50; /* the default when the key is absent */
  int rc = api->cfg_get_int(ctx, "bonus", &v);

  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "bonus must be an integer");
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  if(v < 0 || v > 1000000)
    return api->set_error(ctx, CRM_ECONFIG,
                          "bonus must be between 0 and 1000000 (got %lld)",
                          (long long)v);
  *bonus = v;
  return CRM_OK;
}

static int hello_init(const crm_host_api *api, crm_host_ctx *ctx,
                      void **state)
{
  struct hello_state *st;
  int64_t bonus = 0;
  int rc = hello_read_config(api, ctx, &bonus);

  if(rc)
    return rc;
  st = api->alloc(ctx, sizeof(*st));
  if(!st)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  st->api = api;
  st->bonus = bonus;
  *state = st;
  return CRM_OK;
}

static void hello_fini(void *state, crm_host_ctx *ctx)
{
  struct hello_state *st = state;

  if(st)
    st->api->free(ctx, st);
}

/* Optional (SDK 1.1): re-read the config in place on `crm reload`. */
static int hello_reconfigure(void *state, crm_host_ctx *ctx)
{
  struct hello_state *st = state;

  return hello_read_config(st->api, ctx, &st->bonus);
}

/* The customer view reflects the event already: purchase_count is 1 on
 * the first purchase. */
static int hello_on_event(void *state, crm_host_ctx *ctx,
                          const crm_event_view *ev,
                          const crm_customer_view *customer,
                          crm_reward_result *out)
{
  struct hello_state *st = state;

  (void)ctx;
  if(ev->type && strcmp(ev->type, "purchase") == 0 &&
     customer->purchase_count == 1) {
    out->points = st->bonus;
    snprintf(out->note, sizeof(out->note), "welcome bonus");
  }
  return CRM_OK;
}

static const crm_reward_v1 hello_reward = {
  .struct_size = sizeof(crm_reward_v1),
  .on_event = hello_on_event,
};

static const crm_component hello_component = {
  .struct_size = sizeof(crm_component),
  .kind = CRM_KIND_REWARD,
  .name = "hello_bonus",
  .description = "welcome bonus on the first purchase",
  .vtable = &hello_reward,
};

static const crm_component *const hello_components[] = {&hello_component};

static const crm_plugin_desc hello_desc = {
  CRM_PLUGIN_DESC_HEADER,
  .name = "hello",
  .version = "0.1.0",
  .vendor = "example",
  .license = "MIT",
  .description = "Template plugin: a welcome bonus",
  .components = hello_components,
  .n_components = 1,
  .init = hello_init,
  .fini = hello_fini,
  .reconfigure = hello_reconfigure,
};

CRM_PLUGIN_DEFINE(hello_desc)
