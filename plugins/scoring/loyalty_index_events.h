/*
 * loyalty_index_events.h - what the loyalty_index plugin takes from each
 * event of a customer during the walk: survey and NPS answers (checked;
 * an invalid one is logged and ignored, never an error), referrals, and
 * purchases with the refunds and cancels that name them. Private to
 * loyalty_index.c (static functions, included once).
 */
#ifndef LOYALTY_INDEX_EVENTS_H
#define LOYALTY_INDEX_EVENTS_H

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>

#include "loyalty_index_cfg.h"

#define LI_PURCH_INIT 64

/* A payload number at path: CRM_ENOTFOUND when absent or null,
 * CRM_EINVAL when the payload is not JSON or the value not a number. */
static int li_json_num(struct li_state *st, const char *json,
                       const char *path, double *out)
{
  char buf[64];
  char *end = NULL;
  double d;
  int rc;

  if(!json)
    return CRM_ENOTFOUND;
  rc = st->api->json_get(st->ctx, json, path, buf, sizeof(buf));
  if(rc == CRM_ERANGE)
    return CRM_EINVAL;
  if(rc)
    return rc;
  if(!isdigit((unsigned char)buf[0]) && buf[0] != '-')
    return CRM_EINVAL;
  d = strtod(buf, &end);
  if(end == buf || *end != '\0' || !isfinite(d))
    return CRM_EINVAL;
  *out = d;
  return CRM_OK;
}

/* Logs why an event is ignored: every one in score_event (only the new
 * event), the first LI_LOG_MAX in a batch or fit (the rest counted). */
static void li_invalid(struct li_state *st, const crm_event_view *ev,
                       const char *fmt, ...) CRM__PRINTF(3, 4);

static void li_invalid(struct li_state *st, const crm_event_view *ev,
                       const char *fmt, ...)
{
  char why[160];
  va_list ap;

  if(st->log_event_id > 0 && ev->event_id != st->log_event_id)
    return;
  if(st->log_event_id < 0)
    return;
  st->n_invalid++;
  if(st->log_event_id == 0 && st->n_invalid > LI_LOG_MAX)
    return;
  va_start(ap, fmt);
  vsnprintf(why, sizeof(why), fmt, ap);
  va_end(ap);
  st->api->log(st->ctx, CRM_LOG_WARN, "%s event #%lld of customer #%lld "
               "ignored: %s", ev->type, (long long)ev->event_id,
               (long long)ev->customer_id, why);
}

/* "no score", "score is not a number" ...: shared by surveys and NPS. */
static int li_read_score(struct li_state *st, const crm_event_view *ev,
                         double *score)
{
  int rc;

  if(!ev->payload) {
    li_invalid(st, ev, "no payload (expected {\"score\": N})");
    return CRM_EINVAL;
  }
  rc = li_json_num(st, ev->payload, "$.score", score);
  if(rc == CRM_ENOTFOUND)
    li_invalid(st, ev, "the payload has no score");
  else if(rc == CRM_EINVAL)
    li_invalid(st, ev, "score is not a number (or the payload is not a "
               "JSON object)");
  return rc ? CRM_EINVAL : CRM_OK;
}

static void li_add_survey(struct li_state *st, const crm_event_view *ev)
{
  struct li_acc *a = &st->acc;
  double score = 0;
  double scale = 5;
  int rc;

  if(li_read_score(st, ev, &score))
    return;
  rc = li_json_num(st, ev->payload, "$.scale", &scale);
  if(rc == CRM_EINVAL || (!rc && scale != 5 && scale != 10)) {
    li_invalid(st, ev, "scale must be 5 or 10");
    return;
  }
  if(score < 1 || score > scale) {
    li_invalid(st, ev, "score %g is out of range 1..%d", score, (int)scale);
    return;
  }
  a->sv_total++;
  a->sv_last_raw = score;
  a->sv_last_scale = (int)scale;
  if(ev->occurred_at < st->as_of - st->cfg.survey_window_days * LI_DAY)
    return;
  if(a->sv_n == 0)
    a->sv_scale = (int)scale;
  else if(a->sv_scale != (int)scale)
    a->sv_scale = -1;
  a->sv_n++;
  a->sv_raw_sum += score;
  a->sv_sum += (score - 1) / (scale - 1) * 100.0;
}

/* The walk is in time order: the last valid answer wins. */
static void li_add_nps(struct li_state *st, const crm_event_view *ev)
{
  double score = 0;

  if(li_read_score(st, ev, &score))
    return;
  if(score < 0 || score > 10) {
    li_invalid(st, ev, "score %g is out of range 0..10", score);
    return;
  }
  if(score != floor(score)) {
    li_invalid(st, ev, "score %g is not a whole number 0..10", score);
    return;
  }
  st->acc.has_nps = 1;
  st->acc.nps_score = (int)score;
}

static uint64_t li_hash(const char *s)
{
  uint64_t h = UINT64_C(14695981039346656037);

  if(!s || !*s)
    return 0;
  for(; *s; s++) {
    h ^= (unsigned char)*s;
    h *= UINT64_C(1099511628211);
  }
  return h ? h : 1;
}

static int li_purch_grow(struct li_state *st)
{
  size_t cap = st->cap_purch ? st->cap_purch * 2 : LI_PURCH_INIT;
  struct li_purchase *p;

  if(cap > SIZE_MAX / sizeof(*p))
    return st->api->set_error(st->ctx, CRM_ENOMEM, "too many purchases");
  p = st->api->alloc(st->ctx, cap * sizeof(*p));
  if(!p)
    return st->api->set_error(st->ctx, CRM_ENOMEM, "out of memory");
  if(st->purch) {
    memcpy(p, st->purch, st->acc.n_purch * sizeof(*p));
    st->api->free(st->ctx, st->purch);
  }
  st->purch = p;
  st->cap_purch = cap;
  return CRM_OK;
}

static int li_add_purchase(struct li_state *st, const crm_event_view *ev)
{
  struct li_purchase *p;
  int rc;

  if(st->acc.n_purch == st->cap_purch) {
    rc = li_purch_grow(st);
    if(rc)
      return rc;
  }
  p = &st->purch[st->acc.n_purch++];
  p->at = ev->occurred_at;
  p->key = li_hash(ev->idempotency_key);
  p->amount = ev->amount;
  p->refunded = 0;
  p->cancelled = 0;
  return CRM_OK;
}

/* A refund or cancel naming an earlier purchase of the customer: a cancel
 * (or a refund of amount 0, or refunds adding up to the purchase) takes
 * the purchase out; a partial refund leaves it. Others are ignored. */
static void li_add_refund(struct li_state *st, const crm_event_view *ev)
{
  char buf[160];
  const char *of = NULL;
  uint64_t key;
  size_t i;

  if(CRM_HAS_MEMBER(ev, crm_event_view, refund_of))
    of = ev->refund_of;
  if(!of && ev->payload &&
     st->api->json_get(st->ctx, ev->payload, "$.refund_of", buf,
                       sizeof(buf)) == CRM_OK)
    of = buf;
  key = li_hash(of);
  if(!key)
    return;
  for(i = st->acc.n_purch; i > 0; i--) {
    struct li_purchase *p = &st->purch[i - 1];

    if(p->key != key)
      continue;
    if(!strcmp(ev->type, "cancel") || ev->amount == 0)
      p->cancelled = 1;
    p->refunded += ev->amount;
    if(p->refunded >= p->amount)
      p->cancelled = 1;
    return;
  }
}

/* One event of the customer being summed up. */
static int li_add_event(struct li_state *st, const crm_event_view *ev)
{
  const char *t = ev->type ? ev->type : "";

  if(!strcmp(t, "purchase"))
    return li_add_purchase(st, ev);
  if(!strcmp(t, "survey"))
    li_add_survey(st, ev);
  else if(!strcmp(t, "nps"))
    li_add_nps(st, ev);
  else if(!strcmp(t, "referral"))
    st->acc.referrals++;
  else if(!strcmp(t, "refund") || !strcmp(t, "cancel"))
    li_add_refund(st, ev);
  return CRM_OK;
}

#endif
