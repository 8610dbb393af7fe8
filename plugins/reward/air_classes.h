/*
 * air_classes.h - fare classes of the air_miles plugin: the fare_classes
 * keys it reads (the letters A-Z in either case and five lower-case cabin
 * names, all checked when the config is read; no other key is read, as
 * the SDK cannot list a group's members) and the matching of the classes
 * events name. Private to the plugin (static functions, included once by
 * air_miles.c); the plugin still builds against crm/sdk.h only.
 */
#ifndef AIR_CLASSES_H
#define AIR_CLASSES_H

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "crm/sdk.h"

#define AM_MAX_FACTOR 100.0
#define AM_CLASS_MAX 32
#define AM_N_LETTERS 26

/* The cabin names read from fare_classes beside the letters A-Z; no
 * other name is read. */
static const char *const am_cabins[] = {"first", "business",
                                        "premium_economy", "premium",
                                        "economy"};
#define AM_N_CABINS (sizeof(am_cabins) / sizeof(am_cabins[0]))
#define AM_N_KNOWN (AM_N_LETTERS + AM_N_CABINS)

static void am_cls_fmt(char *buf, size_t size, const char *fmt, ...)
    CRM__PRINTF(3, 4);

static void am_cls_fmt(char *buf, size_t size, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(buf, size, fmt, ap);
  va_end(ap);
}

/* fare_classes.<name>: CRM_OK, CRM_ENOTFOUND or an error (set). */
static int am_cfg_factor(const crm_host_api *api, crm_host_ctx *ctx,
                         const char *name, double *f)
{
  char path[AM_CLASS_MAX + 16];
  int rc;

  am_cls_fmt(path, sizeof(path), "fare_classes.%s", name);
  rc = api->cfg_get_float(ctx, path, f);
  if(rc == CRM_ENOTFOUND)
    return rc;
  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be a number", path);
  if(rc)
    return rc;
  if(!(*f >= 0.0 && *f <= AM_MAX_FACTOR))
    return api->set_error(ctx, CRM_ECONFIG, "%s must be between 0 and %g "
                          "(got %g)", path, AM_MAX_FACTOR, *f);
  return CRM_OK;
}

/* Class letter i from "X" or "x" (either case means class X; both set is
 * refused). CRM_ENOTFOUND when neither is set. */
static int am_cfg_letter(const crm_host_api *api, crm_host_ctx *ctx, int i,
                         double *f)
{
  char up[2] = {(char)('A' + i), '\0'};
  char lo[2] = {(char)('a' + i), '\0'};
  double g = 0.0;
  int ru, rl;

  ru = am_cfg_factor(api, ctx, up, f);
  if(ru && ru != CRM_ENOTFOUND)
    return ru;
  rl = am_cfg_factor(api, ctx, lo, &g);
  if(rl && rl != CRM_ENOTFOUND)
    return rl;
  if(!ru && !rl)
    return api->set_error(ctx, CRM_ECONFIG, "fare_classes.%s and "
                          "fare_classes.%s are both set: class letters are "
                          "matched case-insensitively, keep one", up, lo);
  if(!rl)
    *f = g;
  return ru && rl ? CRM_ENOTFOUND : CRM_OK;
}

/* A cabin name spelt otherwise ("Business", "BUSINESS",
 * "premium-economy") would never be read: refused, with the spelling to
 * use. */
static int am_cfg_cabin_spelling(const crm_host_api *api, crm_host_ctx *ctx,
                                 const char *cabin)
{
  char v[3][AM_CLASS_MAX + 1];
  char path[AM_CLASS_MAX + 16];
  size_t i, n = strlen(cabin);
  double f;
  int k;

  for(i = 0; i <= n; i++) {
    v[0][i] = cabin[i];
    v[1][i] = (char)toupper((unsigned char)cabin[i]);
    v[2][i] = cabin[i] == '_' ? '-' : cabin[i];
  }
  v[0][0] = (char)toupper((unsigned char)cabin[0]);
  for(k = 0; k < 3; k++) {
    if(k == 2 && !strchr(cabin, '_'))
      continue;
    am_cls_fmt(path, sizeof(path), "fare_classes.%s", v[k]);
    if(api->cfg_get_float(ctx, path, &f) != CRM_ENOTFOUND)
      return api->set_error(ctx, CRM_ECONFIG, "%s would not be read: cabin "
                            "names are lower case with \"_\" (write %s)",
                            path, cabin);
  }
  return CRM_OK;
}

/* Every key of fare_classes the plugin reads, checked now: the letters
 * A-Z (either case) and the cabin names; no other key is read. */
static int am_cfg_classes(const crm_host_api *api, crm_host_ctx *ctx,
                          double factor[AM_N_KNOWN])
{
  double *cabin = factor + AM_N_LETTERS;
  size_t i;
  int rc;

  for(i = 0; i < AM_N_LETTERS; i++) {
    rc = am_cfg_letter(api, ctx, (int)i, &factor[i]);
    if(rc == CRM_ENOTFOUND)
      factor[i] = -1.0;
    else if(rc)
      return rc;
  }
  for(i = 0; i < AM_N_CABINS; i++) {
    rc = am_cfg_cabin_spelling(api, ctx, am_cabins[i]);
    if(!rc)
      rc = am_cfg_factor(api, ctx, am_cabins[i], &cabin[i]);
    if(rc == CRM_ENOTFOUND)
      cabin[i] = -1.0;
    else if(rc)
      return rc;
  }
  return CRM_OK;
}

/* "J" for "j", "premium_economy" for "Premium Economy". */
static void am_class_norm(const char *in, char *out, size_t size)
{
  size_t n = strlen(in);
  size_t i;

  while(n && isspace((unsigned char)in[n - 1]))
    n--;
  while(n && isspace((unsigned char)*in)) {
    in++;
    n--;
  }
  if(n >= size)
    n = size - 1;
  for(i = 0; i < n; i++) {
    unsigned char c = (unsigned char)in[i];

    if(n == 1)
      out[i] = (char)toupper(c);
    else if(c == ' ' || c == '-')
      out[i] = '_';
    else
      out[i] = (char)tolower(c);
  }
  out[n] = '\0';
}

/* Index in the factor table of a normalised class; -1: unknown. */
static int am_known_index(const char *cls)
{
  size_t i;

  if(cls[0] >= 'A' && cls[0] <= 'Z' && !cls[1])
    return cls[0] - 'A';
  for(i = 0; i < AM_N_CABINS; i++) {
    if(!strcmp(cls, am_cabins[i]))
      return (int)(AM_N_LETTERS + i);
  }
  return -1;
}

#endif /* AIR_CLASSES_H */
