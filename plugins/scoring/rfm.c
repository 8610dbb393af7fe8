/*
 * rfm.c - the `rfm` scoring component: recency, frequency and monetary
 * scores 1..bins over the population handed to score_batch.
 *
 * Built only against crm/sdk.h, as any out-of-tree plugin is.
 *
 * Population: the customers with at least one purchase; the others get no
 * score. Metrics:
 *   recency   whole days from last_purchase_at to as_of (0 if in the
 *             future); fewer days = higher score
 *   frequency purchase_count; more = higher score
 *   monetary  monetary_total (minor units); more = higher score
 *
 * Binning: within a dimension, customers with equal values always share
 * one score. Sort the n values ascending (worse first) and group equal
 * ones; let G be the number of groups, g a group's index (0 = worst), L
 * the number of customers strictly worse and c the group's size.
 *   G == 1      everyone gets the middle score ceil(bins / 2)
 *   G <= bins   spread by rank: 1 + round(g * (bins - 1) / (G - 1)),
 *               halves rounded up; the worst gets 1, the best bins
 *   G > bins    quantile of the average rank a = L + (c - 1) / 2:
 *               1 + floor(a * bins / n), except that the worst group
 *               gets 1 and the best group bins
 * So with n distinct values, n a multiple of bins, each bin holds
 * n / bins customers, and a crowd tied at the worst (or best) value
 * shares the lowest (highest) score.
 *
 * Scores stored (host->score_put): "r", "f", "m" (1..bins), "rfm" with
 * value r*100 + f*10 + m and label "545" ("10-4-5" when a score has two
 * digits), and "segment" whose label names the customer's segment in the
 * grid (rfm_grid.h: config `segments`, by default the classic table on
 * (R, F)) and whose value is the segment's number in the grid (1 = the
 * first), 0 for "other" (a cell the grid leaves out). The grid's ranges
 * are on 1..5: with bins other than 5, R, F and M are first brought to
 * 1..5 with ceil(score * 5 / bins).
 *
 * On a 1.3 host "segment" is written with host->score_write and an
 * explanation: factors "r", "f" and "m" with the scores (1..bins) as
 * contribution and details "last purchase 12 days ago", "7 purchases",
 * "spend 1234.00 USD". A 1.1 or 1.2 host gets the same value and label
 * through score_put, without explanation.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/sdk.h"

#include "rfm_grid.h"

#define RFM_DEFAULT_BINS 5
#define RFM_MIN_BINS 2
#define RFM_MAX_BINS 10
#define RFM_DAY 86400

struct rfm_state {
  const crm_host_api *api;
  int bins;
  int has_write; /* the host has score_write (1.3) */
  struct rfm_grid grid;
};

static int rfm_read_bins(const crm_host_api *api, crm_host_ctx *ctx,
                         int *bins_out)
{
  int64_t bins = RFM_DEFAULT_BINS;
  int rc;

  rc = api->cfg_get_int(ctx, "bins", &bins);
  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "bins must be an integer");
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  if(bins < RFM_MIN_BINS || bins > RFM_MAX_BINS)
    return api->set_error(ctx, CRM_ECONFIG,
                          "bins must be between %d and %d (got %lld)",
                          RFM_MIN_BINS, RFM_MAX_BINS, (long long)bins);
  *bins_out = (int)bins;
  return CRM_OK;
}

/* bins and the segment grid into a scratch state: st changes only when
 * the whole config is good. */
static int rfm_read_config(const crm_host_api *api, crm_host_ctx *ctx,
                           struct rfm_state *st)
{
  struct rfm_grid *grid;
  int bins = RFM_DEFAULT_BINS;
  int rc;

  rc = rfm_read_bins(api, ctx, &bins);
  if(rc)
    return rc;
  grid = api->alloc(ctx, sizeof(*grid));
  if(!grid)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  rc = rfm_grid_read(api, ctx, grid);
  if(!rc) {
    st->bins = bins;
    memcpy(&st->grid, grid, sizeof(*grid));
  }
  api->free(ctx, grid);
  return rc;
}

static int rfm_init(const crm_host_api *api, crm_host_ctx *ctx,
                    void **state)
{
  struct rfm_state *st;
  int rc;

  if(!CRM_HAS_MEMBER(api, crm_host_api, score_put) || !api->score_put)
    return api->set_error(ctx, CRM_ENOTSUP,
                          "host has no score_put (core sdk %u.%u, rfm "
                          "needs 1.1)", api->abi_major, api->abi_minor);
  st = api->alloc(ctx, sizeof(*st));
  if(!st)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  memset(st, 0, sizeof(*st));
  st->api = api;
  st->has_write =
    CRM_HAS_MEMBER(api, crm_host_api, score_write) && api->score_write;
  rc = rfm_read_config(api, ctx, st);
  if(rc) {
    api->free(ctx, st);
    return rc;
  }
  *state = st;
  return CRM_OK;
}

static void rfm_fini(void *state, crm_host_ctx *ctx)
{
  struct rfm_state *st = state;

  if(st)
    st->api->free(ctx, st);
}

/* A bad config is refused and the old settings stay. */
static int rfm_reconfigure(void *state, crm_host_ctx *ctx)
{
  struct rfm_state *st = state;

  return rfm_read_config(st->api, ctx, st);
}

static int rfm_cmp_i64(const void *a, const void *b)
{
  int64_t x = *(const int64_t *)a;
  int64_t y = *(const int64_t *)b;

  return (x > y) - (x < y);
}

/* Index of the first element of sorted[0..n) not below v (the number
 * of elements strictly below it). */
static size_t rfm_count_below(const int64_t *sorted, size_t n, int64_t v)
{
  size_t lo = 0;
  size_t hi = n;

  while(lo < hi) {
    size_t mid = lo + (hi - lo) / 2;

    if(sorted[mid] < v)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* The score of one group of equal values: g its index (0 = worst) of
 * `groups`, `below` customers strictly worse, `size` in it, of n. */
static int rfm_group_score(size_t g, size_t groups, size_t below,
                           size_t size, size_t n, int bins)
{
  size_t span = (size_t)bins - 1;

  if(groups == 1)
    return (bins + 1) / 2;
  if(groups <= (size_t)bins)
    return 1 + (int)((2 * g * span + (groups - 1)) / (2 * (groups - 1)));
  if(below == 0)
    return 1;
  if(below + size == n)
    return bins;
  /* average rank below + (size - 1) / 2, doubled to stay in integers */
  return 1 + (int)(((2 * below + size - 1) * (size_t)bins) / (2 * n));
}

static size_t rfm_count_groups(const int64_t *sorted, size_t n)
{
  size_t i;
  size_t groups = n ? 1 : 0;

  for(i = 1; i < n; i++) {
    if(sorted[i] != sorted[i - 1])
      groups++;
  }
  return groups;
}

/* score_at[i]: the score of the value at sorted[i] (equal for a group). */
static void rfm_rank_scores(const int64_t *sorted, size_t n, int bins,
                            int64_t *score_at)
{
  size_t groups = rfm_count_groups(sorted, n);
  size_t i = 0;
  size_t g = 0;

  while(i < n) {
    size_t j = i + 1;
    size_t k;
    int s;

    while(j < n && sorted[j] == sorted[i])
      j++;
    s = rfm_group_score(g, groups, i, j - i, n, bins);
    for(k = i; k < j; k++)
      score_at[k] = s;
    g++;
    i = j;
  }
}

/* Whole days since the last purchase; the recency key is its negation
 * (higher = more recent = better). */
static int64_t rfm_days(const crm_customer_view *cv, int64_t as_of)
{
  int64_t d;

  if(cv->last_purchase_at >= as_of)
    return 0;
  d = (as_of - cv->last_purchase_at) / RFM_DAY;
  return d;
}

static int rfm_scale5(int s, int bins)
{
  return (s * 5 + bins - 1) / bins;
}

/* The detail texts of the segment's explanation. */
struct rfm_why {
  char r[48];
  char f[48];
  char m[64];
};

static void rfm_why_fill(struct rfm_why *w, const crm_customer_view *cv,
                         int64_t days)
{
  int64_t t = cv->monetary_total;
  uint64_t a = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
  int cur = CRM_HAS_MEMBER(cv, crm_customer_view, currency) && cv->currency &&
            *cv->currency;

  snprintf(w->r, sizeof(w->r), "last purchase %lld day%s ago",
           (long long)days, days == 1 ? "" : "s");
  snprintf(w->f, sizeof(w->f), "%lld purchase%s",
           (long long)cv->purchase_count, cv->purchase_count == 1 ? "" : "s");
  snprintf(w->m, sizeof(w->m), "spend %s%llu.%02llu%s%.8s", t < 0 ? "-" : "",
           (unsigned long long)(a / 100), (unsigned long long)(a % 100),
           cur ? " " : "", cur ? cv->currency : "");
}

/* "segment": its number in the grid (0 = "other") and name, with the
 * explanation when the host takes one. */
static int rfm_store_segment(struct rfm_state *st, crm_host_ctx *ctx,
                             const crm_customer_view *cv, int64_t days,
                             const int rfm[RFM_DIMS])
{
  const crm_host_api *api = st->api;
  crm_score_factor fac[RFM_DIMS];
  crm_score_value v;
  struct rfm_why why;
  const char *detail[RFM_DIMS];
  int idx, d;

  idx = rfm_grid_find(&st->grid, rfm_scale5(rfm[0], st->bins),
                      rfm_scale5(rfm[1], st->bins),
                      rfm_scale5(rfm[2], st->bins));
  memset(&v, 0, sizeof(v));
  v.struct_size = sizeof(v);
  v.name = "segment";
  v.value = (double)(idx + 1);
  v.label = idx < 0 ? RFM_OTHER : st->grid.seg[idx].name;
  if(!st->has_write)
    return api->score_put(ctx, cv->customer_id, v.name, v.value, v.label);
  rfm_why_fill(&why, cv, days);
  detail[0] = why.r;
  detail[1] = why.f;
  detail[2] = why.m;
  for(d = 0; d < RFM_DIMS; d++) {
    memset(&fac[d], 0, sizeof(fac[d]));
    fac[d].struct_size = sizeof(fac[d]);
    fac[d].factor = rfm_dim_name[d];
    fac[d].contribution = rfm[d];
    fac[d].detail = detail[d];
  }
  v.factors = fac;
  v.n_factors = RFM_DIMS;
  return api->score_write(ctx, cv->customer_id, &v);
}

struct rfm_cols {
  int64_t *rec; /* per customer, in population order */
  int64_t *frq;
  int64_t *mon;
  int64_t *srec; /* sorted copies */
  int64_t *sfrq;
  int64_t *smon;
  int64_t *screc; /* the score of each sorted position */
  int64_t *scfrq;
  int64_t *scmon;
};

#define RFM_N_COLS 9

static int rfm_store(struct rfm_state *st, crm_host_ctx *ctx,
                     const crm_customer_view *cv, int64_t days, int r, int f,
                     int m)
{
  const crm_host_api *api = st->api;
  const int rfm[RFM_DIMS] = {r, f, m};
  int64_t id = cv->customer_id;
  char label[48];
  int rc;

  snprintf(label, sizeof(label), "%lld days", (long long)days);
  rc = api->score_put(ctx, id, "r", r, label);
  if(!rc) {
    snprintf(label, sizeof(label), "%lld purchases",
             (long long)cv->purchase_count);
    rc = api->score_put(ctx, id, "f", f, label);
  }
  if(!rc)
    rc = api->score_put(ctx, id, "m", m, NULL);
  if(rc)
    return rc;
  if(st->bins < 10)
    snprintf(label, sizeof(label), "%d%d%d", r, f, m);
  else
    snprintf(label, sizeof(label), "%d-%d-%d", r, f, m);
  rc = api->score_put(ctx, id, "rfm", r * 100 + f * 10 + m, label);
  if(rc)
    return rc;
  return rfm_store_segment(st, ctx, cv, days, rfm);
}

static void rfm_cols_free(const crm_host_api *api, crm_host_ctx *ctx,
                          struct rfm_cols *cols)
{
  api->free(ctx, cols->rec);
}

/* One block of RFM_N_COLS * n int64 values, carved into the columns. */
static int rfm_cols_alloc(const crm_host_api *api, crm_host_ctx *ctx,
                          struct rfm_cols *cols, size_t n)
{
  int64_t *block;

  if(n > SIZE_MAX / (RFM_N_COLS * sizeof(int64_t)))
    return api->set_error(ctx, CRM_ENOMEM, "population too large (%zu)", n);
  block = api->alloc(ctx, RFM_N_COLS * n * sizeof(int64_t));
  if(!block)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  cols->rec = block;
  cols->frq = block + n;
  cols->mon = block + 2 * n;
  cols->srec = block + 3 * n;
  cols->sfrq = block + 4 * n;
  cols->smon = block + 5 * n;
  cols->screc = block + 6 * n;
  cols->scfrq = block + 7 * n;
  cols->scmon = block + 8 * n;
  return CRM_OK;
}

/* Second pass: each customer's scores from the sorted columns. */
static int rfm_score_all(struct rfm_state *st, crm_host_ctx *ctx,
                         const crm_customer_view *const *customers, size_t n,
                         const struct rfm_cols *cols, size_t pop)
{
  size_t i;
  size_t k = 0;
  int rc = CRM_OK;

  for(i = 0; i < n && !rc; i++) {
    const crm_customer_view *cv = customers[i];
    int r, f, m;

    if(!cv || cv->purchase_count <= 0)
      continue;
    r = (int)cols->screc[rfm_count_below(cols->srec, pop, cols->rec[k])];
    f = (int)cols->scfrq[rfm_count_below(cols->sfrq, pop, cols->frq[k])];
    m = (int)cols->scmon[rfm_count_below(cols->smon, pop, cols->mon[k])];
    rc = rfm_store(st, ctx, cv, -cols->rec[k], r, f, m);
    k++;
  }
  return rc;
}

static int rfm_score_batch(void *state, crm_host_ctx *ctx,
                           const crm_customer_view *const *customers,
                           size_t n, int64_t as_of)
{
  struct rfm_state *st = state;
  const crm_host_api *api = st->api;
  struct rfm_cols cols = {0};
  size_t i;
  size_t k = 0;
  int rc;

  if(n == 0)
    return CRM_OK;
  rc = rfm_cols_alloc(api, ctx, &cols, n);
  if(rc)
    return rc;
  for(i = 0; i < n; i++) {
    const crm_customer_view *cv = customers[i];

    if(!cv || cv->purchase_count <= 0)
      continue;
    cols.rec[k] = -rfm_days(cv, as_of);
    cols.frq[k] = cv->purchase_count;
    cols.mon[k] = cv->monetary_total;
    k++;
  }
  memcpy(cols.srec, cols.rec, k * sizeof(int64_t));
  memcpy(cols.sfrq, cols.frq, k * sizeof(int64_t));
  memcpy(cols.smon, cols.mon, k * sizeof(int64_t));
  qsort(cols.srec, k, sizeof(int64_t), rfm_cmp_i64);
  qsort(cols.sfrq, k, sizeof(int64_t), rfm_cmp_i64);
  qsort(cols.smon, k, sizeof(int64_t), rfm_cmp_i64);
  rfm_rank_scores(cols.srec, k, st->bins, cols.screc);
  rfm_rank_scores(cols.sfrq, k, st->bins, cols.scfrq);
  rfm_rank_scores(cols.smon, k, st->bins, cols.scmon);
  rc = rfm_score_all(st, ctx, customers, n, &cols, k);
  rfm_cols_free(api, ctx, &cols);
  return rc;
}

static const crm_scoring_v1 rfm_vtable = {
  .struct_size = sizeof(crm_scoring_v1),
  .score_batch = rfm_score_batch,
  .score_one = NULL, /* quintiles need the whole population */
};

static const crm_component rfm_component = {
  .struct_size = sizeof(crm_component),
  .kind = CRM_KIND_SCORING,
  .name = "rfm",
  .description = "recency, frequency and monetary scores with segments",
  .vtable = &rfm_vtable,
};

static const crm_component *const rfm_components[] = {&rfm_component};

static const crm_plugin_desc rfm_desc = {
  CRM_PLUGIN_DESC_HEADER,
  .name = "rfm",
  .version = "1.1.0",
  .vendor = "crmcore",
  .license = "MIT",
  .description = "RFM scoring: quantile scores and configurable segments",
  .components = rfm_components,
  .n_components = 1,
  .init = rfm_init,
  .fini = rfm_fini,
  .reconfigure = rfm_reconfigure,
};

CRM_PLUGIN_DEFINE(rfm_desc)
