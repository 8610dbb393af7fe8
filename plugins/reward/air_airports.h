/*
 * air_airports.h - the airports table of the air_miles plugin: an
 * OpenFlights airports.dat read into an array sorted by IATA code (for
 * bsearch). Rows without a 3-letter IATA code are skipped; a malformed
 * row with one, a code listed twice or a file without any airport is a
 * CRM_ECONFIG error naming FILE:LINE. Private to the plugin (static
 * functions, included once by air_miles.c); the plugin still builds
 * against crm/sdk.h only.
 */
#ifndef AIR_AIRPORTS_H
#define AIR_AIRPORTS_H

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/sdk.h"

#include "air_csv.h"

#define AIR_LINE_MAX 4096

struct am_airport {
  char code[4];
  int line;
  double lat, lon; /* degrees */
};

struct am_load {
  const crm_host_api *api;
  crm_host_ctx *ctx;
  const char *path;
  struct am_airport *a;
  size_t n, cap;
};

static int am_load_push(struct am_load *L, const struct am_airport *ap)
{
  struct am_airport *grown;
  size_t cap;

  if(L->n == L->cap) {
    cap = L->cap ? L->cap * 2 : 1024;
    grown = L->api->alloc(L->ctx, cap * sizeof(*grown));
    if(!grown)
      return L->api->set_error(L->ctx, CRM_ENOMEM, "out of memory");
    if(L->n)
      memcpy(grown, L->a, L->n * sizeof(*grown));
    L->api->free(L->ctx, L->a);
    L->a = grown;
    L->cap = cap;
  }
  L->a[L->n++] = *ap;
  return CRM_OK;
}

static int am_is_iata(const char *s)
{
  return strlen(s) == 3 && isupper((unsigned char)s[0]) &&
         isupper((unsigned char)s[1]) && isupper((unsigned char)s[2]);
}

/* One line: id,name,city,country,IATA,ICAO,latitude,longitude,... Rows
 * without a 3-letter IATA code (\N) are skipped. */
static int am_load_line(struct am_load *L, char *line, int lineno)
{
  struct am_airport ap;
  char *f[16];
  int n;

  if(!air_csv_chomp(line))
    return CRM_OK;
  n = air_csv_split(line, f, 16);
  if(n < 0)
    return L->api->set_error(L->ctx, CRM_ECONFIG, "%s:%d: %s", L->path,
                             lineno, n == AIR_CSV_BAD_QUOTE
                             ? "a quoted field does not end"
                             : "text after the end of a quoted field");
  if(n < 8)
    return L->api->set_error(L->ctx, CRM_ECONFIG, "%s:%d: expected at "
                             "least 8 fields, got %d", L->path, lineno, n);
  if(!am_is_iata(f[4]))
    return CRM_OK;
  memset(&ap, 0, sizeof(ap));
  memcpy(ap.code, f[4], 4);
  ap.line = lineno;
  if(!air_csv_decimal(f[6], &ap.lat) || ap.lat < -90.0 || ap.lat > 90.0)
    return L->api->set_error(L->ctx, CRM_ECONFIG, "%s:%d: bad latitude "
                             "\"%.20s\" of %s", L->path, lineno, f[6],
                             ap.code);
  if(!air_csv_decimal(f[7], &ap.lon) || ap.lon < -180.0 || ap.lon > 180.0)
    return L->api->set_error(L->ctx, CRM_ECONFIG, "%s:%d: bad longitude "
                             "\"%.20s\" of %s", L->path, lineno, f[7],
                             ap.code);
  return am_load_push(L, &ap);
}

static int am_cmp_airport(const void *a, const void *b)
{
  return strcmp(((const struct am_airport *)a)->code,
                ((const struct am_airport *)b)->code);
}

static int am_load_file(struct am_load *L, FILE *fp)
{
  char line[AIR_LINE_MAX];
  int lineno = 0;
  size_t len;
  int rc;

  while(fgets(line, sizeof(line), fp)) {
    lineno++;
    len = strlen(line);
    if(len == sizeof(line) - 1 && line[len - 1] != '\n' && !feof(fp))
      return L->api->set_error(L->ctx, CRM_ECONFIG, "%s:%d: line longer "
                               "than %d bytes", L->path, lineno,
                               AIR_LINE_MAX - 2);
    /* a UTF-8 byte order mark before the first row */
    if(lineno == 1 && !strncmp(line, "\xEF\xBB\xBF", 3))
      memmove(line, line + 3, len - 2);
    rc = am_load_line(L, line, lineno);
    if(rc)
      return rc;
  }
  if(ferror(fp))
    return L->api->set_error(L->ctx, CRM_ECONFIG, "cannot read airports "
                             "file %s", L->path);
  return CRM_OK;
}

/* Sorted by code, each code once. */
static int am_load_check(struct am_load *L)
{
  size_t i;

  if(!L->n)
    return L->api->set_error(L->ctx, CRM_ECONFIG, "no airport with an IATA "
                             "code in %s", L->path);
  qsort(L->a, L->n, sizeof(*L->a), am_cmp_airport);
  for(i = 1; i < L->n; i++) {
    if(!strcmp(L->a[i - 1].code, L->a[i].code))
      return L->api->set_error(L->ctx, CRM_ECONFIG, "%s: airport %s is "
                               "listed twice (lines %d and %d)", L->path,
                               L->a[i].code, L->a[i - 1].line < L->a[i].line
                               ? L->a[i - 1].line : L->a[i].line,
                               L->a[i - 1].line < L->a[i].line
                               ? L->a[i].line : L->a[i - 1].line);
  }
  return CRM_OK;
}

/* Reads path into a new sorted table (*out, *n); nothing on failure. */
static int am_load_airports(const crm_host_api *api, crm_host_ctx *ctx,
                            const char *path, struct am_airport **out,
                            size_t *n)
{
  struct am_load L;
  FILE *fp;
  int rc;

  memset(&L, 0, sizeof(L));
  L.api = api;
  L.ctx = ctx;
  L.path = path;
  fp = fopen(path, "r");
  if(!fp)
    return api->set_error(ctx, CRM_ECONFIG, "cannot open airports file %s: "
                          "%s", path, strerror(errno));
  rc = am_load_file(&L, fp);
  fclose(fp);
  if(!rc)
    rc = am_load_check(&L);
  if(rc) {
    api->free(ctx, L.a);
    return rc;
  }
  *out = L.a;
  *n = L.n;
  return CRM_OK;
}

#endif /* AIR_AIRPORTS_H */
