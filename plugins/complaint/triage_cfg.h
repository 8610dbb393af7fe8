/*
 * triage_cfg.h - the triage plugin's settings (the `config` group of its
 * entry in crm.conf: categories, keywords, priorities, thresholds, the
 * scoring models it reads) and its state. Private to the triage plugin
 * (static functions, included once by triage.c through triage_store.h);
 * built against crm/sdk.h only. The keys are described in
 * docs/complaints/plugins.md.
 */
#ifndef TRIAGE_CFG_H
#define TRIAGE_CFG_H

#include <stdio.h>
#include <string.h>

#include "crm/sdk.h"

#include "case_machine.h"
#include "triage_nb.h"
#include "triage_text.h"

#define TRI_META_MAX 160

#define TRI_KWS_MAX 64
#define TRI_KW_MAX 48
#define TRI_MODEL_NAME_MAX 64

struct tri_cat_cfg {
  char name[TRI_CAT_MAX + 1];
  size_t n_kw;
  char kw[TRI_KWS_MAX][TRI_KW_MAX + 1];
};

struct tri_cfg {
  struct tri_cat_cfg cats[TRI_CATS_MAX];
  size_t n_cats;
  int64_t min_cases;
  double min_confidence;
  char clv_model[TRI_MODEL_NAME_MAX];
  int64_t high_value;
  char churn_model[TRI_MODEL_NAME_MAX];
  double churn_risk;
};

struct tri_state {
  const crm_host_api *api;
  struct tri_cfg cfg;
  struct tri_model model;     /* the cached model ... */
  char meta[TRI_META_MAX];    /* ... as of this nb:meta ("" none) */
};

/* ---- defaults ------------------------------------------------------------ */

static const char *const tri_kw_quality[] = {
  "broken", "defect*", "quality", "damage*", "faulty", "not work*", NULL};
static const char *const tri_kw_delivery[] = {
  "deliver*", "late", "delay*", "shipping", "shipment*", "arriv*",
  "parcel", "lost parcel", NULL};
static const char *const tri_kw_billing[] = {
  "charge", "charged", "charges", "overcharg*", "refund*", "invoice*",
  "bill", "bills", "billed", "billing", "payment*", NULL};
static const char *const tri_kw_service[] = {
  "rude*", "staff", "service", "services", "unhelpful", "manager*", NULL};

/* The default keywords of the standard categories (case_machine.h's
 * cm_categories, in its order); NULL: "other", not a keyword group. */
static const char *const *const tri_default_kw[CM_N_CATS] = {
  tri_kw_quality, tri_kw_delivery, tri_kw_billing, tri_kw_service, NULL,
};

/* ---- config ---------------------------------------------------------------- */

static int tri_cfg_share(const crm_host_api *api, crm_host_ctx *ctx,
                         const char *path, double *out)
{
  double v = *out;
  int rc = api->cfg_get_float(ctx, path, &v);

  if(rc == CRM_ENOTFOUND)
    return CRM_OK;
  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be a number such as "
                          "0.6", path);
  if(rc)
    return rc;
  if(!(v >= 0.0 && v <= 1.0))
    return api->set_error(ctx, CRM_ECONFIG, "%s must be between 0 and 1 "
                          "(got %g)", path, v);
  *out = v;
  return CRM_OK;
}

static int tri_cfg_name(const crm_host_api *api, crm_host_ctx *ctx,
                        const char *path, char *out, size_t size)
{
  const char *s = NULL;
  int rc = api->cfg_get_str(ctx, path, &s);

  if(rc == CRM_ENOTFOUND)
    return CRM_OK;
  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be a string", path);
  if(rc)
    return rc;
  if(!s || !*s || strlen(s) >= size)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be a model name of 1 "
                          "to %zu bytes", path, size - 1);
  memcpy(out, s, strlen(s) + 1);
  return CRM_OK;
}

/* keywords.<cat>: a list of strings; absent: the defaults of a known
 * category. *present: the setting exists. */
static int tri_cfg_keywords(const crm_host_api *api, crm_host_ctx *ctx,
                            struct tri_cat_cfg *cc, int *present)
{
  char path[96];
  const char *s;
  size_t i, d;
  int rc;

  cc->n_kw = 0;
  snprintf(path, sizeof(path), "keywords.%s", cc->name);
  rc = api->cfg_get_str(ctx, path, &s);
  *present = rc != CRM_ENOTFOUND;
  if(rc == CRM_OK)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be a list of "
                          "keywords such as [\"late\", \"parcel\"]", path);
  if(!*present) {
    for(d = 0; d < CM_N_CATS; d++) {
      if(strcmp(cm_categories[d].name, cc->name) || !tri_default_kw[d])
        continue;
      for(i = 0; tri_default_kw[d][i]; i++)
        snprintf(cc->kw[cc->n_kw++], TRI_KW_MAX + 1, "%s",
                 tri_default_kw[d][i]);
    }
    return CRM_OK;
  }
  for(i = 0;; i++) {
    snprintf(path, sizeof(path), "keywords.%s.[%zu]", cc->name, i);
    rc = api->cfg_get_str(ctx, path, &s);
    if(rc == CRM_ENOTFOUND)
      return CRM_OK;
    if(rc)
      return api->set_error(ctx, CRM_ECONFIG, "%s must be a string", path);
    if(i == TRI_KWS_MAX)
      return api->set_error(ctx, CRM_ECONFIG, "keywords.%s has more than "
                            "%d keywords", cc->name, TRI_KWS_MAX);
    if(!s[0] || !strcmp(s, "*") || strlen(s) > TRI_KW_MAX)
      return api->set_error(ctx, CRM_ECONFIG, "%s must be a keyword of 1 "
                            "to %d bytes", path, TRI_KW_MAX);
    memcpy(cc->kw[cc->n_kw++], s, strlen(s) + 1);
  }
}

static int tri_cfg_add_cat(const crm_host_api *api, crm_host_ctx *ctx,
                           struct tri_cfg *cfg, const char *name,
                           const char *path, int *present)
{
  size_t i;

  if(!cm_is_name(name))
    return api->set_error(ctx, CRM_ECONFIG, "%s: \"%s\" is not a category "
                          "name (a letter, then letters, digits, _ or -; "
                          "up to %d bytes)", path, name, TRI_CAT_MAX);
  for(i = 0; i < cfg->n_cats; i++) {
    if(!strcmp(cfg->cats[i].name, name))
      return api->set_error(ctx, CRM_ECONFIG, "%s: category \"%s\" is "
                            "listed twice", path, name);
  }
  if(cfg->n_cats == TRI_CATS_MAX)
    return api->set_error(ctx, CRM_ECONFIG, "categories: more than %d",
                          TRI_CATS_MAX);
  memcpy(cfg->cats[cfg->n_cats].name, name, strlen(name) + 1);
  return tri_cfg_keywords(api, ctx, &cfg->cats[cfg->n_cats++], present);
}

/* categories (default: the four keyword groups of basic_case) and their
 * keywords; every member of the keywords group must be listed. */
static int tri_cfg_categories(const crm_host_api *api, crm_host_ctx *ctx,
                              struct tri_cfg *cfg)
{
  char path[64];
  const char *s;
  size_t i, n_present = 0, n_groups = 0;
  int present;
  int rc;

  if(api->cfg_get_str(ctx, "categories", &s) == CRM_OK)
    return api->set_error(ctx, CRM_ECONFIG, "categories must be a list "
                          "such as [\"delivery\", \"billing\"]");
  for(i = 0;; i++) {
    snprintf(path, sizeof(path), "categories.[%zu]", i);
    rc = api->cfg_get_str(ctx, path, &s);
    if(rc == CRM_ENOTFOUND)
      break;
    if(rc)
      return api->set_error(ctx, CRM_ECONFIG, "%s must be a string", path);
    rc = tri_cfg_add_cat(api, ctx, cfg, s, path, &present);
    if(rc)
      return rc;
    n_present += present != 0;
  }
  if(i == 0) {
    for(i = 0; i < CM_N_CATS; i++) {
      if(!tri_default_kw[i])
        continue;
      rc = tri_cfg_add_cat(api, ctx, cfg, cm_categories[i].name,
                           "categories", &present);
      if(rc)
        return rc;
      n_present += present != 0;
    }
  }
  for(n_groups = 0;; n_groups++) {
    snprintf(path, sizeof(path), "keywords.[%zu]", n_groups);
    if(api->cfg_get_str(ctx, path, &s) == CRM_ENOTFOUND)
      break;
  }
  if(n_groups != n_present)
    return api->set_error(ctx, CRM_ECONFIG, "keywords has %zu lists but "
                          "only %zu name a category of categories; list "
                          "every category there", n_groups, n_present);
  return CRM_OK;
}

static int tri_read_config(const crm_host_api *api, crm_host_ctx *ctx,
                           struct tri_cfg *cfg)
{
  int prio;
  size_t i;
  int rc;

  memset(cfg, 0, sizeof(*cfg));
  cfg->min_cases = 20;
  cfg->min_confidence = 0.6;
  snprintf(cfg->clv_model, sizeof(cfg->clv_model), "clv");
  snprintf(cfg->churn_model, sizeof(cfg->churn_model), "churn");
  cfg->churn_risk = 0.5;
  rc = tri_cfg_categories(api, ctx, cfg);
  if(!rc)
    rc = cm_cfg_int(api, ctx, "min_cases", 1, 1000000000, &cfg->min_cases);
  if(!rc)
    rc = tri_cfg_share(api, ctx, "min_confidence", &cfg->min_confidence);
  if(!rc)
    rc = tri_cfg_name(api, ctx, "clv_model", cfg->clv_model,
                      sizeof(cfg->clv_model));
  if(!rc)
    rc = cm_cfg_int(api, ctx, "high_value", 0, INT64_MAX, &cfg->high_value);
  if(!rc)
    rc = tri_cfg_name(api, ctx, "churn_model", cfg->churn_model,
                      sizeof(cfg->churn_model));
  if(!rc)
    rc = tri_cfg_share(api, ctx, "churn_risk", &cfg->churn_risk);
  /* check the priorities of the known categories now (others when used) */
  for(i = 0; i < CM_N_CATS && !rc; i++) {
    prio = cm_categories[i].priority;
    rc = cm_cfg_priority(api, ctx, cm_categories[i].name, NULL, &prio);
  }
  for(i = 0; i < cfg->n_cats && !rc; i++) {
    prio = CM_DEFAULT_PRIORITY;
    rc = cm_cfg_priority(api, ctx, cfg->cats[i].name, NULL, &prio);
  }
  return rc;
}

#endif /* TRIAGE_CFG_H */
