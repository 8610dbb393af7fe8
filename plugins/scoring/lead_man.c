/*
 * lead_man.c - the MAN rule (money, authority, need) and the plugin's
 * per-customer record "man:<customer id>".
 *
 * The record holds what qualify events said ("money=1 authority=? need=0",
 * ? = not said) and the last prospect stage the customer was seen in
 * ("stage=qualified"), which is the "stage" feature of an outcome that
 * arrives after the customer left the prospect stages (a first purchase).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lead.h"

static int lead_stage_parse(const char *s, size_t len)
{
  int i;

  for(i = 1; i < CRM_STAGE_COUNT; i++) {
    const char *n = lead_stage_name(i);

    if(strlen(n) == len && !strncmp(n, s, len))
      return i;
  }
  return 0;
}

static int lead_tri(char ch)
{
  return ch == '1' ? 1 : ch == '0' ? 0 : -1;
}

static void lead_man_parse(const char *s, struct lead_man_rec *rec)
{
  while(*s) {
    const char *end = strchr(s, ' ');
    size_t len = end ? (size_t)(end - s) : strlen(s);

    if(len > 6 && !strncmp(s, "money=", 6))
      rec->money = lead_tri(s[6]);
    else if(len > 10 && !strncmp(s, "authority=", 10))
      rec->authority = lead_tri(s[10]);
    else if(len > 5 && !strncmp(s, "need=", 5))
      rec->need = lead_tri(s[5]);
    else if(len > 6 && !strncmp(s, "stage=", 6))
      rec->stage = lead_stage_parse(s + 6, len - 6);
    s += len;
    while(*s == ' ')
      s++;
  }
}

int lead_man_get(struct lead_state *st, crm_host_ctx *ctx, int64_t id,
                 struct lead_man_rec *rec, int *found)
{
  char key[48];
  char *v = NULL;
  int rc;

  rec->money = rec->authority = rec->need = -1;
  rec->stage = 0;
  *found = 0;
  snprintf(key, sizeof(key), "man:%lld", (long long)id);
  rc = st->api->kv_get(ctx, key, &v);
  if(rc == CRM_ENOTFOUND)
    return CRM_OK;
  if(rc)
    return rc;
  lead_man_parse(v, rec);
  st->api->free(ctx, v);
  *found = 1;
  return CRM_OK;
}

static char lead_tri_ch(int v)
{
  return v == 1 ? '1' : v == 0 ? '0' : '?';
}

int lead_man_put(struct lead_state *st, crm_host_ctx *ctx, int64_t id,
                 const struct lead_man_rec *rec)
{
  char key[48];
  char v[96];

  snprintf(key, sizeof(key), "man:%lld", (long long)id);
  snprintf(v, sizeof(v), "money=%c authority=%c need=%c stage=%s",
           lead_tri_ch(rec->money), lead_tri_ch(rec->authority),
           lead_tri_ch(rec->need),
           rec->stage ? lead_stage_name(rec->stage) : "none");
  return st->api->kv_put(ctx, key, v);
}

/* json_get gives true/false as 1/0 (SQLite's json_extract). */
static int lead_json_bool(struct lead_state *st, crm_host_ctx *ctx,
                          const char *payload, const char *path, int *out)
{
  char buf[16];
  int rc = st->api->json_get(ctx, payload, path, buf, sizeof(buf));

  if(rc)
    return 0;
  if(!strcmp(buf, "1") || !strcmp(buf, "true"))
    *out = 1;
  else if(!strcmp(buf, "0") || !strcmp(buf, "false"))
    *out = 0;
  else
    return 0;
  return 1;
}

int lead_man_qualify(struct lead_state *st, crm_host_ctx *ctx,
                     const char *payload, struct lead_man_rec *rec)
{
  struct lead_man_rec old = *rec;

  if(!payload)
    return 0;
  lead_json_bool(st, ctx, payload, "$.money", &rec->money);
  lead_json_bool(st, ctx, payload, "$.authority", &rec->authority);
  lead_json_bool(st, ctx, payload, "$.need", &rec->need);
  return old.money != rec->money || old.authority != rec->authority ||
         old.need != rec->need;
}

/* ---- the parts ------------------------------------------------------------ */

/* The attribute, trimmed, in st->attr; 0 when absent or empty. */
static int lead_attr(struct lead_state *st, crm_host_ctx *ctx, int64_t id,
                     const char *name)
{
  char *s = st->attr;
  size_t n;
  int rc = st->api->customer_attr(ctx, id, name, s, sizeof(st->attr));

  if(rc)
    return 0;
  while(isspace((unsigned char)*s))
    s++;
  n = strlen(s);
  while(n && isspace((unsigned char)s[n - 1]))
    n--;
  memmove(st->attr, s, n);
  st->attr[n] = '\0';
  return n > 0;
}

static void lead_money_fmt(int64_t minor, int decimals, char *buf,
                           size_t size)
{
  int64_t scale = 1;
  int64_t a = minor < 0 ? -minor : minor;
  int i;

  for(i = 0; i < decimals; i++)
    scale *= 10;
  if(decimals == 0)
    snprintf(buf, size, "%s%lld", minor < 0 ? "-" : "", (long long)a);
  else
    snprintf(buf, size, "%s%lld.%0*lld", minor < 0 ? "-" : "",
             (long long)(a / scale), decimals, (long long)(a % scale));
}

/* A factor's detail: cut to size when longer (as a detail may be). */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void lead_detail(char *detail, size_t size, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(detail, size, fmt, ap);
  va_end(ap);
}

static double lead_money(struct lead_state *st, crm_host_ctx *ctx,
                         int64_t id, char *detail, size_t size)
{
  const struct lead_cfg *c = &st->cfg;
  char have[32], need[32];
  char *end = NULL;
  long long v;

  if(!lead_attr(st, ctx, id, c->money_attr)) {
    lead_detail(detail, size, "no %s", c->money_attr);
    return 0;
  }
  errno = 0;
  v = strtoll(st->attr, &end, 10);
  if(errno || end == st->attr || *end) {
    lead_detail(detail, size, "%s \"%.40s\" is not an amount in minor "
                "units", c->money_attr, st->attr);
    return 0;
  }
  lead_money_fmt(v, c->money_decimals, have, sizeof(have));
  lead_money_fmt(c->money_min, c->money_decimals, need, sizeof(need));
  lead_detail(detail, size, "%s %s >= %s? %s", c->money_attr, have, need,
              v >= c->money_min ? "yes" : "no");
  if(v >= c->money_min)
    return 1;
  if(v <= 0)
    return 0;
  return (double)v / (double)c->money_min;
}

/* ASCII case-insensitive equality (strcasecmp is not C11). */
static int lead_same(const char *a, const char *b)
{
  while(*a && *b) {
    if(tolower((unsigned char)*a) != tolower((unsigned char)*b))
      return 0;
    a++;
    b++;
  }
  return *a == *b;
}

static int lead_in(const char list[][LEAD_NAME_MAX + 1], size_t n,
                   const char *s)
{
  size_t i;

  for(i = 0; i < n; i++) {
    if(lead_same(list[i], s))
      return 1;
  }
  return 0;
}

static double lead_authority(struct lead_state *st, crm_host_ctx *ctx,
                             int64_t id, char *detail, size_t size)
{
  const struct lead_cfg *c = &st->cfg;

  if(!lead_attr(st, ctx, id, c->authority_attr)) {
    lead_detail(detail, size, "no %s", c->authority_attr);
    return 0;
  }
  if(lead_in(c->roles_auth, c->n_roles_auth, st->attr)) {
    lead_detail(detail, size, "%s %.60s decides", c->authority_attr,
                st->attr);
    return 1;
  }
  if(lead_in(c->roles_infl, c->n_roles_infl, st->attr)) {
    lead_detail(detail, size, "%s %.60s influences", c->authority_attr,
                st->attr);
    return 0.5;
  }
  lead_detail(detail, size, "%s %.60s neither decides nor influences",
              c->authority_attr, st->attr);
  return 0;
}

static double lead_need(struct lead_state *st, crm_host_ctx *ctx, int64_t id,
                        char *detail, size_t size)
{
  const struct lead_cfg *c = &st->cfg;
  double v = 0;

  if(!lead_attr(st, ctx, id, c->need_attr)) {
    lead_detail(detail, size, "no %s", c->need_attr);
    return 0;
  }
  if(lead_same(st->attr, "yes") || lead_same(st->attr, "true") ||
     !strcmp(st->attr, "1"))
    v = 1;
  else if(lead_same(st->attr, "maybe"))
    v = 0.5;
  lead_detail(detail, size, "%s %.60s", c->need_attr, st->attr);
  return v;
}

static double lead_override(int fact, const char *what, char *detail,
                            size_t size)
{
  lead_detail(detail, size, "qualify event: %s %s", what,
              fact ? "yes" : "no");
  return fact ? 1 : 0;
}

int lead_man_score(struct lead_state *st, crm_host_ctx *ctx, int64_t id,
                   const struct lead_man_rec *rec, double *man)
{
  char d[3][128];
  double part[3];
  crm_score_factor f[3];
  crm_score_value sv;
  size_t i;

  if(rec->money >= 0)
    part[0] = lead_override(rec->money, "money", d[0], sizeof(d[0]));
  else
    part[0] = lead_money(st, ctx, id, d[0], sizeof(d[0]));
  if(rec->authority >= 0)
    part[1] = lead_override(rec->authority, "authority", d[1], sizeof(d[1]));
  else
    part[1] = lead_authority(st, ctx, id, d[1], sizeof(d[1]));
  if(rec->need >= 0)
    part[2] = lead_override(rec->need, "need", d[2], sizeof(d[2]));
  else
    part[2] = lead_need(st, ctx, id, d[2], sizeof(d[2]));
  memset(f, 0, sizeof(f));
  for(i = 0; i < 3; i++) {
    f[i].struct_size = sizeof(f[i]);
    f[i].detail = d[i];
  }
  f[0].factor = "money";
  f[0].contribution = st->cfg.w_money * part[0];
  f[1].factor = "authority";
  f[1].contribution = st->cfg.w_authority * part[1];
  f[2].factor = "need";
  f[2].contribution = st->cfg.w_need * part[2];
  memset(&sv, 0, sizeof(sv));
  sv.struct_size = sizeof(sv);
  sv.name = "man";
  sv.value = f[0].contribution + f[1].contribution + f[2].contribution;
  sv.factors = f;
  sv.n_factors = 3;
  *man = sv.value;
  return st->api->score_write(ctx, id, &sv);
}
