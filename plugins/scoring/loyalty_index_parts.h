/*
 * loyalty_index_parts.h - the five parts of the loyalty index of one
 * customer, computed from the sums of the walk (loyalty_index_events.h),
 * and the index itself. Private to loyalty_index.c (static functions,
 * included once). The rules are described in loyalty_index.c.
 */
#ifndef LOYALTY_INDEX_PARTS_H
#define LOYALTY_INDEX_PARTS_H

#include <ctype.h>
#include <stdlib.h>

#include "loyalty_index_cfg.h"

#define LI_UNKNOWN "unknown, weight given to the other parts"

struct li_parts {
  int known[LI_NPARTS];
  double v[LI_NPARTS]; /* 0..100 when known */
  int64_t days_window; /* purchase days in the repeat window */
  int64_t days_total;  /* purchase days up to as_of */
  int64_t first_at;    /* first purchase that was not taken back */
  double recent;       /* repeat: purchase-day term, points */
  double buyer;        /* repeat: repeat-buyer term, points */
  int has_tenure, has_sow;
  double tenure_years, tenure_v, sow;
  int scored; /* the customer gets scores */
  double index;
  int has_index;
  double contrib[LI_NPARTS];
};

static int64_t li_day_of(int64_t t)
{
  return t >= 0 ? t / LI_DAY : -((-t + LI_DAY - 1) / LI_DAY);
}

/* Distinct UTC days with a purchase not taken back (the walk is in time
 * order), overall and in the repeat window. */
static void li_purchase_days(const struct li_state *st, struct li_parts *p)
{
  int64_t since = st->as_of - st->cfg.repeat_window_days * LI_DAY;
  int64_t prev = INT64_MIN;
  int64_t prev_w = INT64_MIN;
  size_t i;

  for(i = 0; i < st->acc.n_purch; i++) {
    const struct li_purchase *q = &st->purch[i];
    int64_t day = li_day_of(q->at);

    if(q->cancelled)
      continue;
    if(p->days_total == 0)
      p->first_at = q->at;
    if(day != prev)
      p->days_total++;
    prev = day;
    if(q->at < since)
      continue;
    if(day != prev_w)
      p->days_window++;
    prev_w = day;
  }
}

static void li_satisfaction(struct li_state *st, struct li_parts *p)
{
  const struct li_acc *a = &st->acc;
  char *d = st->detail[LI_SAT];
  double s;

  if(a->sv_n > 0) {
    p->known[LI_SAT] = 1;
    p->v[LI_SAT] = a->sv_sum / (double)a->sv_n;
    if(a->sv_scale > 0)
      snprintf(d, LI_DETAIL, "%lld survey%s, mean %.1f/%d",
               (long long)a->sv_n, a->sv_n == 1 ? "" : "s",
               a->sv_raw_sum / (double)a->sv_n, a->sv_scale);
    else
      snprintf(d, LI_DETAIL, "%lld surveys, mean %.1f/100 (mixed scales)",
               (long long)a->sv_n, p->v[LI_SAT]);
    return;
  }
  if(!st->cfg.survey_fallback || a->sv_total == 0)
    return;
  s = a->sv_last_scale;
  p->known[LI_SAT] = 1;
  p->v[LI_SAT] = (a->sv_last_raw - 1) / (s - 1) * 100.0;
  snprintf(d, LI_DETAIL, "last survey %g/%d (none in %lld days)",
           a->sv_last_raw, a->sv_last_scale,
           (long long)st->cfg.survey_window_days);
}

static const char *li_nps_group(int score)
{
  if(score >= 9)
    return "promoter";
  if(score >= 7)
    return "passive";
  return "detractor";
}

static void li_recommend(struct li_state *st, struct li_parts *p)
{
  int s = st->acc.nps_score;

  if(!st->acc.has_nps)
    return;
  p->known[LI_REC] = 1;
  if(st->cfg.nps_linear)
    p->v[LI_REC] = 10.0 * s;
  else
    p->v[LI_REC] = s >= 9 ? 100.0 : s >= 7 ? 50.0 : 0.0;
  snprintf(st->detail[LI_REC], LI_DETAIL, "NPS %d (%s)", s, li_nps_group(s));
}

static void li_repeat(struct li_state *st, struct li_parts *p)
{
  const struct li_cfg *cfg = &st->cfg;
  double frac;

  if(p->days_total == 0)
    return;
  frac = (double)p->days_window / (double)cfg->repeat_target_days;
  if(frac > 1)
    frac = 1;
  p->recent = 100.0 * (1 - cfg->repeat_buyer_share) * frac;
  p->buyer = p->days_total >= 2 ? 100.0 * cfg->repeat_buyer_share : 0;
  p->known[LI_REP] = 1;
  p->v[LI_REP] = p->recent + p->buyer;
  snprintf(st->detail[LI_REP], LI_DETAIL,
           "%lld purchase day%s in %lld days (target %lld), %s",
           (long long)p->days_window, p->days_window == 1 ? "" : "s",
           (long long)cfg->repeat_window_days,
           (long long)cfg->repeat_target_days,
           p->days_total >= 2 ? "repeat buyer" : "one-time buyer");
}

static void li_referral(struct li_state *st, struct li_parts *p)
{
  const struct li_cfg *cfg = &st->cfg;
  int64_t n = st->acc.referrals;
  size_t k = n < (int64_t)cfg->n_referral ? (size_t)n : cfg->n_referral - 1;

  p->known[LI_REF] = 1;
  p->v[LI_REF] = cfg->referral_score[k];
  snprintf(st->detail[LI_REF], LI_DETAIL, "%lld referral%s", (long long)n,
           n == 1 ? "" : "s");
}

/* "share_of_wallet", one unambiguous reading: a plain number is a
 * fraction 0..1 ("0.35", "1" = all of it); a number with a % suffix is a
 * percentage 0..100 ("35%", "1.5%"). Anything else ("35", "1.5", "-0.1",
 * "0x1p-1", "35%%") is invalid. *pct gets the percentage. */
static int li_sow_parse(const char *text, double *pct)
{
  const char *c;
  char *end = NULL;
  double v;

  while(*text == ' ')
    text++;
  if(!isdigit((unsigned char)*text) && *text != '.')
    return CRM_EINVAL;
  for(c = text; *c; c++) {
    if(*c == 'x' || *c == 'X') /* no hexadecimal floats */
      return CRM_EINVAL;
  }
  v = strtod(text, &end);
  if(end == text || !isfinite(v))
    return CRM_EINVAL;
  while(*end == ' ')
    end++;
  if(*end == '%') {
    end++;
    while(*end == ' ')
      end++;
    if(*end || v > 100)
      return CRM_EINVAL;
    *pct = v;
    return CRM_OK;
  }
  if(*end || v > 1)
    return CRM_EINVAL;
  *pct = v * 100.0;
  return CRM_OK;
}

static void li_share_of_wallet(struct li_state *st, struct li_parts *p)
{
  char buf[64];
  int64_t id = st->acc.customer_id;
  int rc;

  rc = st->api->customer_attr(st->ctx, id, "share_of_wallet", buf,
                              sizeof(buf));
  if(rc == CRM_ERANGE || (!rc && li_sow_parse(buf, &p->sow))) {
    st->api->log(st->ctx, CRM_LOG_WARN, "customer #%lld: share_of_wallet "
                 "\"%.40s\" ignored: expected a fraction 0..1 "
                 "or a percentage such as 35%%",
                 (long long)id, rc ? "(too long)" : buf);
    return;
  }
  if(!rc)
    p->has_sow = 1;
}

static void li_switching(struct li_state *st, struct li_parts *p)
{
  char *d = st->detail[LI_SW];
  char sow[40] = "share of wallet unknown";
  char ten[40] = "no purchase yet";
  double years;

  if(p->days_total > 0) {
    years = (double)(st->as_of - p->first_at) / LI_YEAR;
    p->has_tenure = 1;
    p->tenure_years = years > 0 ? years : 0;
    p->tenure_v = 100.0 * p->tenure_years / st->cfg.tenure_full_years;
    if(p->tenure_v > 100)
      p->tenure_v = 100;
    snprintf(ten, sizeof(ten), "tenure %.1f years", p->tenure_years);
  }
  if(st->write_scores)
    li_share_of_wallet(st, p);
  if(p->has_sow)
    snprintf(sow, sizeof(sow), "share of wallet %.0f%%", p->sow);
  if(!p->has_tenure && !p->has_sow)
    return;
  p->known[LI_SW] = 1;
  p->v[LI_SW] = (p->has_tenure ? p->tenure_v : 0) + (p->has_sow ? p->sow : 0);
  p->v[LI_SW] /= p->has_tenure + p->has_sow;
  snprintf(d, LI_DETAIL, "%s, %s", ten, sow);
}

/* Weighted mean over the known parts (weights renormalised); no index
 * when the known parts all weigh 0. */
static void li_index(const struct li_state *st, struct li_parts *p)
{
  double w = 0;
  int i;

  for(i = 0; i < LI_NPARTS; i++) {
    if(p->known[i])
      w += st->cfg.weight[i];
  }
  if(!(w > 0))
    return;
  p->has_index = 1;
  for(i = 0; i < LI_NPARTS; i++) {
    p->contrib[i] = p->known[i] ? st->cfg.weight[i] / w * p->v[i] : 0;
    p->index += p->contrib[i];
  }
}

static void li_parts_compute(struct li_state *st, struct li_parts *p)
{
  int i;

  memset(p, 0, sizeof(*p));
  for(i = 0; i < LI_NPARTS; i++)
    snprintf(st->detail[i], LI_DETAIL, "%s", LI_UNKNOWN);
  li_purchase_days(st, p);
  li_satisfaction(st, p);
  li_recommend(st, p);
  li_repeat(st, p);
  p->scored = p->known[LI_SAT] || p->known[LI_REC] || p->known[LI_REP] ||
              st->acc.referrals > 0;
  if(!p->scored)
    return;
  li_referral(st, p);
  li_switching(st, p);
  li_index(st, p);
}

#endif
