/*
 * lead_config.c - reading and checking the `lead` plugin's config group.
 * Every setting has a default (docs/scoring/lead.md); a wrong one stops
 * init (or reconfigure, which then keeps the old settings) with a message
 * naming the setting.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lead.h"

struct lead_cfgr {
  const crm_host_api *api;
  crm_host_ctx *ctx;
};

static const char *const lead_stage_names[CRM_STAGE_COUNT] = {
  "none", "prospect", "qualified", "parked", "first_purchase", "repeat",
  "loyal", "at_risk", "lost", "reactivated",
};

int lead_is_prospect(int stage)
{
  return stage == CRM_STAGE_PROSPECT || stage == CRM_STAGE_QUALIFIED ||
         stage == CRM_STAGE_PARKED;
}

const char *lead_stage_name(int stage)
{
  if(stage < 0 || stage >= CRM_STAGE_COUNT)
    return "unknown";
  return lead_stage_names[stage];
}

static int lead_name_ok(const char *s)
{
  size_t i;

  if(!*s || strlen(s) > LEAD_NAME_MAX)
    return 0;
  for(i = 0; s[i]; i++) {
    unsigned char ch = (unsigned char)s[i];

    if(!(ch >= 'a' && ch <= 'z') && !(ch >= 'A' && ch <= 'Z') &&
       !(ch >= '0' && ch <= '9') && ch != '_' && ch != '-' && ch != '.')
      return 0;
  }
  return 1;
}

static int lead_cfg_str(struct lead_cfgr *r, const char *path, char *dst,
                        size_t size)
{
  const char *v = NULL;
  int rc = r->api->cfg_get_str(r->ctx, path, &v);

  if(rc == CRM_ENOTFOUND)
    return CRM_OK;
  if(rc == CRM_EINVAL)
    return r->api->set_error(r->ctx, CRM_ECONFIG, "%s must be a string",
                             path);
  if(rc)
    return rc;
  if(!lead_name_ok(v) || strlen(v) >= size)
    return r->api->set_error(r->ctx, CRM_ECONFIG,
                             "malformed name \"%s\" in %s (1 to %d of "
                             "[A-Za-z0-9_.-])", v, path, LEAD_NAME_MAX);
  snprintf(dst, size, "%s", v);
  return CRM_OK;
}

/* A list of names; absent: the defaults already in dst stay. */
static int lead_cfg_list(struct lead_cfgr *r, const char *path,
                         char dst[][LEAD_NAME_MAX + 1], size_t *n)
{
  const char *v = NULL;
  char p[160];
  size_t i;
  int rc = r->api->cfg_get_str(r->ctx, path, &v);
  int present = rc == CRM_EINVAL; /* a list: not a string */

  if(rc == CRM_OK)
    return r->api->set_error(r->ctx, CRM_ECONFIG,
                             "%s must be a list of strings ([\"...\"])",
                             path);
  for(i = 0;; i++) {
    snprintf(p, sizeof(p), "%s.[%zu]", path, i);
    rc = r->api->cfg_get_str(r->ctx, p, &v);
    if(rc == CRM_ENOTFOUND)
      break;
    if(rc == CRM_EINVAL)
      return r->api->set_error(r->ctx, CRM_ECONFIG,
                               "%s[%zu] must be a string", path, i);
    if(rc)
      return rc;
    if(i >= LEAD_LIST_MAX)
      return r->api->set_error(r->ctx, CRM_ECONFIG,
                               "too many entries in %s (at most %d)", path,
                               LEAD_LIST_MAX);
    if(!lead_name_ok(v))
      return r->api->set_error(r->ctx, CRM_ECONFIG,
                               "malformed name \"%s\" in %s[%zu] (1 to %d "
                               "of [A-Za-z0-9_.-])", v, path, i,
                               LEAD_NAME_MAX);
    snprintf(dst[i], LEAD_NAME_MAX + 1, "%s", v);
  }
  if(i || present)
    *n = i;
  return CRM_OK;
}

static int lead_cfg_num(struct lead_cfgr *r, const char *path, double *out)
{
  int rc = r->api->cfg_get_float(r->ctx, path, out);

  if(rc == CRM_ENOTFOUND)
    return CRM_OK;
  if(rc == CRM_EINVAL)
    return r->api->set_error(r->ctx, CRM_ECONFIG, "%s must be a number",
                             path);
  if(rc)
    return rc;
  if(!isfinite(*out))
    return r->api->set_error(r->ctx, CRM_ECONFIG, "%s must be finite",
                             path);
  return CRM_OK;
}

static int lead_cfg_int(struct lead_cfgr *r, const char *path, int64_t *out)
{
  int rc = r->api->cfg_get_int(r->ctx, path, out);

  if(rc == CRM_ENOTFOUND)
    return CRM_OK;
  if(rc == CRM_EINVAL)
    return r->api->set_error(r->ctx, CRM_ECONFIG, "%s must be an integer",
                             path);
  return rc;
}

static int lead_cfg_bool(struct lead_cfgr *r, const char *path, int *out)
{
  int rc = r->api->cfg_get_bool(r->ctx, path, out);

  if(rc == CRM_ENOTFOUND)
    return CRM_OK;
  if(rc == CRM_EINVAL)
    return r->api->set_error(r->ctx, CRM_ECONFIG,
                             "%s must be true or false", path);
  return rc;
}

/* Weights under group: each >= 0, not all 0; normalised to sum 1. */
static int lead_cfg_weights(struct lead_cfgr *r, const char *group,
                            const char *const *names, double **w, size_t n)
{
  char p[96];
  double sum = 0;
  size_t i;
  int rc;

  for(i = 0; i < n; i++) {
    snprintf(p, sizeof(p), "%s.%s", group, names[i]);
    rc = lead_cfg_num(r, p, w[i]);
    if(rc)
      return rc;
    if(*w[i] < 0)
      return r->api->set_error(r->ctx, CRM_ECONFIG,
                               "negative weight %s (%g)", p, *w[i]);
    sum += *w[i];
  }
  if(!(sum > 0))
    return r->api->set_error(r->ctx, CRM_ECONFIG,
                             "all weights in %s are 0", group);
  for(i = 0; i < n; i++)
    *w[i] /= sum;
  return CRM_OK;
}

static int lead_cfg_man(struct lead_cfgr *r, struct lead_cfg *c)
{
  static const char *const wn[] = {"money", "authority", "need"};
  double *w[3];
  int64_t dec = c->money_decimals;
  int rc;

  w[0] = &c->w_money;
  w[1] = &c->w_authority;
  w[2] = &c->w_need;
  rc = lead_cfg_str(r, "man.money_attr", c->money_attr,
                    sizeof(c->money_attr));
  if(!rc)
    rc = lead_cfg_int(r, "man.money_min", &c->money_min);
  if(!rc && c->money_min <= 0)
    rc = r->api->set_error(r->ctx, CRM_ECONFIG,
                           "man.money_min must be above 0 (got %lld)",
                           (long long)c->money_min);
  if(!rc)
    rc = lead_cfg_int(r, "man.money_decimals", &dec);
  if(!rc && (dec < 0 || dec > 4))
    rc = r->api->set_error(r->ctx, CRM_ECONFIG,
                           "man.money_decimals must be 0 to 4 (got %lld)",
                           (long long)dec);
  c->money_decimals = (int)dec;
  if(!rc)
    rc = lead_cfg_str(r, "man.authority_attr", c->authority_attr,
                      sizeof(c->authority_attr));
  if(!rc)
    rc = lead_cfg_list(r, "man.authority_roles", c->roles_auth,
                       &c->n_roles_auth);
  if(!rc)
    rc = lead_cfg_list(r, "man.influencer_roles", c->roles_infl,
                       &c->n_roles_infl);
  if(!rc)
    rc = lead_cfg_str(r, "man.need_attr", c->need_attr, sizeof(c->need_attr));
  if(!rc)
    rc = lead_cfg_weights(r, "man.weights", wn, w, 3);
  return rc;
}

/* "name" or "name:kind"; "stage" and "tags" alone have their own kinds. */
static int lead_cfg_field(struct lead_cfgr *r, const char *spec, size_t i,
                          struct lead_field *f)
{
  const char *colon = strchr(spec, ':');
  size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
  const char *kind = colon ? colon + 1 : NULL;

  if(len == 0 || len > LEAD_NAME_MAX)
    return r->api->set_error(r->ctx, CRM_ECONFIG,
                             "malformed field \"%s\" in nb.fields[%zu]",
                             spec, i);
  memcpy(f->name, spec, len);
  f->name[len] = '\0';
  if(!lead_name_ok(f->name))
    return r->api->set_error(r->ctx, CRM_ECONFIG,
                             "malformed field \"%s\" in nb.fields[%zu] "
                             "(name:type, name of [A-Za-z0-9_.-])", spec, i);
  if(!kind)
    f->kind = !strcmp(f->name, "stage")  ? LEAD_STAGE
              : !strcmp(f->name, "tags") ? LEAD_SET
                                         : LEAD_CATEGORY;
  else if(!strcmp(kind, "category"))
    f->kind = LEAD_CATEGORY;
  else if(!strcmp(kind, "set"))
    f->kind = LEAD_SET;
  else if(!strcmp(kind, "stage"))
    f->kind = LEAD_STAGE;
  else
    return r->api->set_error(r->ctx, CRM_ECONFIG,
                             "unknown field type \"%s\" in nb.fields[%zu] "
                             "(use category, set or stage)", kind, i);
  return CRM_OK;
}

static int lead_cfg_fields(struct lead_cfgr *r, struct lead_cfg *c)
{
  const char *v = NULL;
  char p[48];
  size_t i, j;
  int rc = r->api->cfg_get_str(r->ctx, "nb.fields", &v);
  int present = rc == CRM_EINVAL; /* a list: not a string */

  if(rc == CRM_OK)
    return r->api->set_error(r->ctx, CRM_ECONFIG, "nb.fields must be a "
                             "list of strings ([\"source\", ...])");
  for(i = 0;; i++) {
    snprintf(p, sizeof(p), "nb.fields.[%zu]", i);
    rc = r->api->cfg_get_str(r->ctx, p, &v);
    if(rc == CRM_ENOTFOUND)
      break;
    if(rc == CRM_EINVAL)
      return r->api->set_error(r->ctx, CRM_ECONFIG,
                               "nb.fields[%zu] must be a string", i);
    if(rc)
      return rc;
    if(i >= LEAD_FIELDS_MAX)
      return r->api->set_error(r->ctx, CRM_ECONFIG, "too many nb.fields "
                               "(at most %d)", LEAD_FIELDS_MAX);
    rc = lead_cfg_field(r, v, i, &c->fields[i]);
    if(rc)
      return rc;
    for(j = 0; j < i; j++) {
      if(!strcmp(c->fields[j].name, c->fields[i].name))
        return r->api->set_error(r->ctx, CRM_ECONFIG,
                                 "field \"%s\" twice in nb.fields",
                                 c->fields[i].name);
    }
  }
  if(i || present)
    c->n_fields = i;
  return CRM_OK;
}

static int lead_cfg_outcomes(struct lead_cfgr *r, struct lead_cfg *c)
{
  size_t i;
  int rc;

  rc = lead_cfg_list(r, "nb.won", c->won, &c->n_won);
  if(!rc)
    rc = lead_cfg_list(r, "nb.lost", c->lost, &c->n_lost);
  if(rc)
    return rc;
  for(i = 0; i < c->n_won; i++) {
    if(lead_type_in(c->lost, c->n_lost, c->won[i]))
      return r->api->set_error(r->ctx, CRM_ECONFIG,
                               "event type \"%s\" is in both nb.won and "
                               "nb.lost", c->won[i]);
    if(!strcmp(c->won[i], "qualify"))
      return r->api->set_error(r->ctx, CRM_ECONFIG,
                               "qualify cannot be an outcome in nb.won");
  }
  if(lead_type_in(c->lost, c->n_lost, "qualify"))
    return r->api->set_error(r->ctx, CRM_ECONFIG,
                             "qualify cannot be an outcome in nb.lost");
  return CRM_OK;
}

static int lead_cfg_nb(struct lead_cfgr *r, struct lead_cfg *c)
{
  int rc;

  rc = lead_cfg_fields(r, c);
  if(!rc)
    rc = lead_cfg_num(r, "nb.alpha", &c->alpha);
  if(!rc && !(c->alpha > 0))
    rc = r->api->set_error(r->ctx, CRM_ECONFIG,
                           "nb.alpha must be above 0 (got %g)", c->alpha);
  if(!rc)
    rc = lead_cfg_outcomes(r, c);
  if(!rc)
    rc = lead_cfg_bool(r, "nb.won_on_first_purchase",
                       &c->won_on_first_purchase);
  if(!rc)
    rc = lead_cfg_int(r, "nb.min_outcomes", &c->min_outcomes);
  if(!rc && c->min_outcomes < 0)
    rc = r->api->set_error(r->ctx, CRM_ECONFIG,
                           "nb.min_outcomes must not be negative (got "
                           "%lld)", (long long)c->min_outcomes);
  return rc;
}

static void lead_cfg_defaults(struct lead_cfg *c)
{
  static const char *const auth[] = {"ceo", "cfo", "owner", "director",
                                     "buyer"};
  static const char *const infl[] = {"manager", "engineer"};
  static const char *const fields[] = {"source", "country", "channel",
                                       "stage", "tags"};
  size_t i;

  memset(c, 0, sizeof(*c));
  snprintf(c->money_attr, sizeof(c->money_attr), "budget");
  c->money_min = 1000000;
  c->money_decimals = 2;
  snprintf(c->authority_attr, sizeof(c->authority_attr), "role");
  for(i = 0; i < sizeof(auth) / sizeof(auth[0]); i++)
    snprintf(c->roles_auth[i], LEAD_NAME_MAX + 1, "%s", auth[i]);
  c->n_roles_auth = i;
  for(i = 0; i < sizeof(infl) / sizeof(infl[0]); i++)
    snprintf(c->roles_infl[i], LEAD_NAME_MAX + 1, "%s", infl[i]);
  c->n_roles_infl = i;
  snprintf(c->need_attr, sizeof(c->need_attr), "need");
  c->w_money = 0.4;
  c->w_authority = 0.3;
  c->w_need = 0.3;
  for(i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
    snprintf(c->fields[i].name, LEAD_NAME_MAX + 1, "%s", fields[i]);
    c->fields[i].kind = !strcmp(fields[i], "stage")  ? LEAD_STAGE
                        : !strcmp(fields[i], "tags") ? LEAD_SET
                                                     : LEAD_CATEGORY;
  }
  c->n_fields = i;
  c->alpha = 1.0;
  snprintf(c->won[0], LEAD_NAME_MAX + 1, "lead_won");
  c->n_won = 1;
  snprintf(c->lost[0], LEAD_NAME_MAX + 1, "lead_lost");
  c->n_lost = 1;
  c->won_on_first_purchase = 1;
  c->min_outcomes = 10;
  c->w_man = 0.5;
  c->w_nb = 0.5;
  c->hot = 70;
  c->warm = 40;
}

static void lead_cfg_sig(struct lead_cfg *c)
{
  static const char *const kinds[] = {"category", "set", "stage"};
  size_t len = 0;
  size_t i;

  c->sig[0] = '\0';
  for(i = 0; i < c->n_fields; i++) {
    int n = snprintf(c->sig + len, sizeof(c->sig) - len, "%s%s:%s",
                     i ? "," : "", c->fields[i].name,
                     kinds[c->fields[i].kind]);

    if(n < 0 || (size_t)n >= sizeof(c->sig) - len)
      break; /* cannot happen: 14 fields of at most 64 + 10 bytes */
    len += (size_t)n;
  }
}

int lead_config_read(const crm_host_api *api, crm_host_ctx *ctx,
                     struct lead_cfg *c)
{
  static const char *const wn[] = {"man", "nb"};
  struct lead_cfgr r = {api, ctx};
  double *w[2];
  int rc;

  lead_cfg_defaults(c);
  w[0] = &c->w_man;
  w[1] = &c->w_nb;
  rc = lead_cfg_man(&r, c);
  if(!rc)
    rc = lead_cfg_nb(&r, c);
  if(!rc)
    rc = lead_cfg_weights(&r, "weights", wn, w, 2);
  if(!rc)
    rc = lead_cfg_num(&r, "hot", &c->hot);
  if(!rc)
    rc = lead_cfg_num(&r, "warm", &c->warm);
  if(!rc && !(c->warm >= 0 && c->warm <= c->hot && c->hot <= 100))
    rc = api->set_error(ctx, CRM_ECONFIG, "thresholds must satisfy 0 <= "
                        "warm <= hot <= 100 (warm %g, hot %g)", c->warm,
                        c->hot);
  if(!rc)
    lead_cfg_sig(c);
  return rc;
}
