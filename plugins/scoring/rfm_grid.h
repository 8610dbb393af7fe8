/*
 * rfm_grid.h - the rfm segment grid: the default table, reading and
 * checking `segments` from the plugin's config, and the cell look-up.
 *
 * Included by rfm.c only (static functions, no state of its own).
 *
 * A grid is an ordered list of segments, each a name and an inclusive
 * range on R, F and M brought to the 1..5 scale (see rfm_scale5 in
 * rfm.c); the first segment whose three ranges hold a customer's
 * (R, F, M) names it. M is optional (1..5). A cell of the 5 x 5 x 5 cube
 * that no segment holds gets the segment "other" (value 0): init warns
 * about such a grid and about a segment that can never be first.
 *
 *   segments = (
 *     { name = "champions"; r = [5, 5]; f = [4, 5]; },
 *     { name = "big spenders"; r = [1, 5]; f = [1, 5]; m = 5; },
 *     ...
 *   );
 *
 * A range is [lo, hi] or a single integer (lo = hi).
 */
#ifndef RFM_GRID_H
#define RFM_GRID_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "crm/sdk.h"

#define RFM_SCALE 5
#define RFM_SEGMENTS_MAX 32
#define RFM_NAME_MAX 64
#define RFM_OTHER "other"
#define RFM_DIMS 3 /* r, f, m */

struct rfm_segment {
  int lo[RFM_DIMS];
  int hi[RFM_DIMS];
  char name[RFM_NAME_MAX + 1];
};

struct rfm_grid {
  size_t n;
  struct rfm_segment seg[RFM_SEGMENTS_MAX];
  /* cell[r-1][f-1][m-1]: index of the first matching segment, -1 none */
  signed char cell[RFM_SCALE][RFM_SCALE][RFM_SCALE];
};

static const char *const rfm_dim_name[RFM_DIMS] = {"r", "f", "m"};

/* The classic segment table on (R, F), any M: first match wins. It
 * covers all 25 (R, F) cells. */
static const struct {
  int r_lo, r_hi, f_lo, f_hi;
  const char *name;
} rfm_default_grid[] = {
  {5, 5, 4, 5, "Champions"},
  {3, 4, 4, 5, "Loyal"},
  {4, 5, 2, 3, "Potential Loyalist"},
  {5, 5, 1, 1, "New"},
  {4, 4, 1, 1, "Promising"},
  {3, 3, 3, 3, "Need Attention"},
  {3, 3, 1, 2, "About To Sleep"},
  {1, 2, 5, 5, "Can't Lose Them"},
  {1, 2, 3, 4, "At Risk"},
  {1, 2, 1, 2, "Hibernating"},
};

#define RFM_N_DEFAULT (sizeof(rfm_default_grid) / sizeof(rfm_default_grid[0]))

static void rfm_fmt(char *buf, size_t size, const char *fmt, ...)
  CRM__PRINTF(3, 4);

static void rfm_fmt(char *buf, size_t size, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(buf, size, fmt, ap);
  va_end(ap);
}

static int rfm_in(const struct rfm_segment *s, const int v[RFM_DIMS])
{
  int d;

  for(d = 0; d < RFM_DIMS; d++) {
    if(v[d] < s->lo[d] || v[d] > s->hi[d])
      return 0;
  }
  return 1;
}

/* Fills grid->cell; returns the number of unmatched cells, the first of
 * them in first[] and, in used[i], whether segment i is ever first. */
static int rfm_grid_index(struct rfm_grid *g, int first[RFM_DIMS],
                          unsigned char used[RFM_SEGMENTS_MAX])
{
  int v[RFM_DIMS];
  int unmatched = 0;
  size_t i;

  memset(used, 0, RFM_SEGMENTS_MAX);
  for(v[0] = 1; v[0] <= RFM_SCALE; v[0]++) {
    for(v[1] = 1; v[1] <= RFM_SCALE; v[1]++) {
      for(v[2] = 1; v[2] <= RFM_SCALE; v[2]++) {
        signed char *cell = &g->cell[v[0] - 1][v[1] - 1][v[2] - 1];

        *cell = -1;
        for(i = 0; i < g->n && *cell < 0; i++) {
          if(rfm_in(&g->seg[i], v))
            *cell = (signed char)i;
        }
        if(*cell >= 0) {
          used[*cell] = 1;
          continue;
        }
        if(unmatched == 0)
          memcpy(first, v, sizeof(v));
        unmatched++;
      }
    }
  }
  return unmatched;
}

static void rfm_grid_default(struct rfm_grid *g)
{
  int first[RFM_DIMS];
  unsigned char used[RFM_SEGMENTS_MAX];
  size_t i;

  memset(g, 0, sizeof(*g));
  for(i = 0; i < RFM_N_DEFAULT; i++) {
    struct rfm_segment *s = &g->seg[i];

    s->lo[0] = rfm_default_grid[i].r_lo;
    s->hi[0] = rfm_default_grid[i].r_hi;
    s->lo[1] = rfm_default_grid[i].f_lo;
    s->hi[1] = rfm_default_grid[i].f_hi;
    s->lo[2] = 1;
    s->hi[2] = RFM_SCALE;
    rfm_fmt(s->name, sizeof(s->name), "%s", rfm_default_grid[i].name);
  }
  g->n = RFM_N_DEFAULT;
  (void)rfm_grid_index(g, first, used);
}

/* ASCII case-insensitive equality (names are compared that way). */
static int rfm_name_eq(const char *a, const char *b)
{
  for(; *a && *b; a++, b++) {
    int x = (unsigned char)*a;
    int y = (unsigned char)*b;

    if(x >= 'A' && x <= 'Z')
      x += 'a' - 'A';
    if(y >= 'A' && y <= 'Z')
      y += 'a' - 'A';
    if(x != y)
      return 0;
  }
  return *a == *b;
}

/* Something (of any type) is configured at path. */
static int rfm_cfg_has(const crm_host_api *api, crm_host_ctx *ctx,
                       const char *path)
{
  const char *s = NULL;

  return api->cfg_get_str(ctx, path, &s) != CRM_ENOTFOUND;
}

/* segments.[i] exists: as a group, or through one of its settings. */
static int rfm_entry_exists(const crm_host_api *api, crm_host_ctx *ctx,
                            size_t i)
{
  static const char *const keys[] = {"", ".name", ".r", ".r.[0]", ".f",
                                     ".f.[0]", ".m", ".m.[0]"};
  char path[64];
  size_t k;

  for(k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
    rfm_fmt(path, sizeof(path), "segments.[%zu]%s", i, keys[k]);
    if(rfm_cfg_has(api, ctx, path))
      return 1;
  }
  return 0;
}

static int rfm_read_name(const crm_host_api *api, crm_host_ctx *ctx,
                         size_t i, const struct rfm_grid *g,
                         struct rfm_segment *s)
{
  const char *name = NULL;
  char path[48];
  size_t j, len;
  int rc;

  rfm_fmt(path, sizeof(path), "segments.[%zu].name", i);
  rc = api->cfg_get_str(ctx, path, &name);
  if(rc == CRM_ENOTFOUND)
    return api->set_error(ctx, CRM_ECONFIG, "segments[%zu]: name is "
                          "missing", i);
  if(rc)
    return api->set_error(ctx, CRM_ECONFIG, "segments[%zu]: name must be a "
                          "string", i);
  len = strlen(name);
  if(len == 0 || len > RFM_NAME_MAX)
    return api->set_error(ctx, CRM_ECONFIG, "segments[%zu]: name must be 1 "
                          "to %d bytes (got %zu)", i, RFM_NAME_MAX, len);
  if(rfm_name_eq(name, RFM_OTHER))
    return api->set_error(ctx, CRM_ECONFIG, "segments[%zu] (\"%s\"): name "
                          "\"%s\" is reserved for customers no segment "
                          "matches", i, name, RFM_OTHER);
  for(j = 0; j < i; j++) {
    if(rfm_name_eq(name, g->seg[j].name))
      return api->set_error(ctx, CRM_ECONFIG, "segments[%zu] (\"%s\"): "
                            "name already used by segments[%zu]", i, name,
                            j);
  }
  memcpy(s->name, name, len + 1);
  return CRM_OK;
}

/* One element of a [lo, hi] array: 1 when it is an integer. */
static int rfm_read_bound(const crm_host_api *api, crm_host_ctx *ctx,
                          const char *path, int64_t *out)
{
  return api->cfg_get_int(ctx, path, out) == CRM_OK;
}

/* A string, number or boolean is configured at path. */
static int rfm_cfg_scalar(const crm_host_api *api, crm_host_ctx *ctx,
                          const char *path)
{
  const char *s = NULL;
  int64_t i;
  double f;
  int b;

  return api->cfg_get_str(ctx, path, &s) == CRM_OK ||
         api->cfg_get_int(ctx, path, &i) == CRM_OK ||
         api->cfg_get_float(ctx, path, &f) == CRM_OK ||
         api->cfg_get_bool(ctx, path, &b) == CRM_OK;
}

/* Range d (r, f or m) of segments.[i]: an integer or [lo, hi]. */
static int rfm_read_range(const crm_host_api *api, crm_host_ctx *ctx,
                          size_t i, int d, struct rfm_segment *s)
{
  const char *dn = rfm_dim_name[d];
  char path[48], p0[56], p1[56], p2[56];
  int64_t lo = 1, hi = RFM_SCALE;
  int rc;

  rfm_fmt(path, sizeof(path), "segments.[%zu].%s", i, dn);
  rfm_fmt(p0, sizeof(p0), "%s.[0]", path);
  rfm_fmt(p1, sizeof(p1), "%s.[1]", path);
  rfm_fmt(p2, sizeof(p2), "%s.[2]", path);
  rc = api->cfg_get_int(ctx, path, &lo);
  if(rc == CRM_OK) {
    hi = lo;
  } else if(rc == CRM_ENOTFOUND && !rfm_cfg_has(api, ctx, p0)) {
    if(d < 2) /* r and f are required, m is optional */
      return api->set_error(ctx, CRM_ECONFIG, "segments[%zu] (\"%s\"): %s "
                            "range is missing", i, s->name, dn);
  } else if(!rfm_read_bound(api, ctx, p0, &lo) ||
            !rfm_read_bound(api, ctx, p1, &hi) ||
            rfm_cfg_has(api, ctx, p2)) {
    return api->set_error(ctx, CRM_ECONFIG, "segments[%zu] (\"%s\"): %s "
                          "must be [lo, hi] or one integer of 1..%d", i,
                          s->name, dn, RFM_SCALE);
  }
  if(lo < 1 || lo > RFM_SCALE || hi < 1 || hi > RFM_SCALE)
    return api->set_error(ctx, CRM_ECONFIG, "segments[%zu] (\"%s\"): %s "
                          "range %lld..%lld is outside 1..%d", i, s->name,
                          dn, (long long)lo, (long long)hi, RFM_SCALE);
  if(lo > hi)
    return api->set_error(ctx, CRM_ECONFIG, "segments[%zu] (\"%s\"): %s "
                          "range %lld..%lld is empty", i, s->name, dn,
                          (long long)lo, (long long)hi);
  s->lo[d] = (int)lo;
  s->hi[d] = (int)hi;
  return CRM_OK;
}

static int rfm_read_entry(const crm_host_api *api, crm_host_ctx *ctx,
                          size_t i, struct rfm_grid *g)
{
  struct rfm_segment *s = &g->seg[i];
  int d, rc;

  memset(s, 0, sizeof(*s));
  rc = rfm_read_name(api, ctx, i, g, s);
  for(d = 0; d < RFM_DIMS && !rc; d++)
    rc = rfm_read_range(api, ctx, i, d, s);
  return rc;
}

/* Logs what a valid but leaky grid does. */
static void rfm_grid_warn(const crm_host_api *api, crm_host_ctx *ctx,
                          const struct rfm_grid *g, int unmatched,
                          const int first[RFM_DIMS],
                          const unsigned char used[RFM_SEGMENTS_MAX])
{
  size_t i;

  for(i = 0; i < g->n; i++) {
    if(!used[i])
      api->log(ctx, CRM_LOG_WARN, "segments[%zu] (\"%s\") never matches: "
               "earlier segments hold all its cells", i, g->seg[i].name);
  }
  if(unmatched)
    api->log(ctx, CRM_LOG_WARN, "segments leave %d of %d (r, f, m) cells "
             "unmatched (the first r=%d f=%d m=%d): those customers get "
             "segment \"%s\"", unmatched, RFM_SCALE * RFM_SCALE * RFM_SCALE,
             first[0], first[1], first[2], RFM_OTHER);
}

/* Reads `segments` into g (the default table when it is absent). On
 * error g is left half-filled: read into a scratch grid. */
static int rfm_grid_read(const crm_host_api *api, crm_host_ctx *ctx,
                         struct rfm_grid *g)
{
  int first[RFM_DIMS] = {0, 0, 0};
  unsigned char used[RFM_SEGMENTS_MAX];
  int unmatched;
  size_t i;
  int rc;

  if(rfm_cfg_scalar(api, ctx, "segments"))
    return api->set_error(ctx, CRM_ECONFIG, "segments must be a list of "
                          "groups such as ( { name = \"champions\"; "
                          "r = [4, 5]; f = [4, 5]; } )");
  if(!rfm_entry_exists(api, ctx, 0)) {
    if(rfm_cfg_has(api, ctx, "segments"))
      return api->set_error(ctx, CRM_ECONFIG, "segments is empty: give at "
                            "least one segment or leave it out");
    rfm_grid_default(g);
    return CRM_OK;
  }
  memset(g, 0, sizeof(*g));
  for(i = 0; rfm_entry_exists(api, ctx, i); i++) {
    if(i == RFM_SEGMENTS_MAX)
      return api->set_error(ctx, CRM_ECONFIG, "segments has more than %d "
                            "entries", RFM_SEGMENTS_MAX);
    rc = rfm_read_entry(api, ctx, i, g);
    if(rc)
      return rc;
    g->n = i + 1;
  }
  unmatched = rfm_grid_index(g, first, used);
  rfm_grid_warn(api, ctx, g, unmatched, first, used);
  return CRM_OK;
}

/* The segment index of (r, f, m) on 1..5, or -1 ("other"). */
static int rfm_grid_find(const struct rfm_grid *g, int r, int f, int m)
{
  return g->cell[r - 1][f - 1][m - 1];
}

#endif
