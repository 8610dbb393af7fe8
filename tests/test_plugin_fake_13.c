/*
 * test_plugin_fake_13.c - the fake host's SDK 1.3 services: scores with
 * explanations, the event and customer walks, figures, progress,
 * customer_get.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "test_plugin_fake.h"
#include "test_plugin_fake_int.h"


static int fake_score_write(crm_host_ctx *h, int64_t id,
                            const crm_score_value *v)
{
  struct fake_score *s;
  const char *p;
  uint32_t i;
  uint32_t step;

  if(!v || v->struct_size < sizeof(uint32_t) || !v->name || !*v->name)
    return fake_set_error(h, CRM_EINVAL, "score name is empty");
  if(v->value != v->value || v->value - v->value != 0)
    return fake_set_error(h, CRM_EINVAL, "score \"%s\" is not a finite "
                          "number", v->name);
  if(v->n_factors > CRM_SCORE_FACTORS_MAX)
    return fake_set_error(h, CRM_EINVAL, "too many factors");
  if(v->n_factors && !v->factors)
    return fake_set_error(h, CRM_EINVAL, "factors missing");
  s = fake_score_slot(h, id, v->name);
  s->value = v->value;
  s->has_label = v->label != NULL;
  snprintf(s->label, sizeof(s->label), "%s", v->label ? v->label : "");
  s->n_factors = v->n_factors;
  step = v->n_factors ? v->factors[0].struct_size : 0;
  p = (const char *)v->factors;
  for(i = 0; i < v->n_factors && i < FAKE_FACTORS; i++) {
    const crm_score_factor *f = (const crm_score_factor *)(p + i * step);
    struct fake_factor *d = &s->factors[i];

    assert_non_null(f->factor);
    assert_true(f->contribution == f->contribution);
    snprintf(d->factor, sizeof(d->factor), "%s", f->factor);
    d->contribution = f->contribution;
    d->has_detail = f->detail != NULL;
    snprintf(d->detail, sizeof(d->detail), "%s", f->detail ? f->detail : "");
  }
  return CRM_OK;
}

static int fake_event_before(const struct fake_event *a,
                             const struct fake_event *b)
{
  if(a->customer_id != b->customer_id)
    return a->customer_id < b->customer_id;
  if(a->occurred_at != b->occurred_at)
    return a->occurred_at < b->occurred_at;
  return a->event_id < b->event_id;
}

static int fake_type_in(const char *types, const char *type)
{
  size_t n = strlen(type);
  const char *s = types;

  if(!types)
    return 1;
  while(*s) {
    const char *e = strchr(s, ',');
    size_t len = e ? (size_t)(e - s) : strlen(s);

    if(len == n && !strncmp(s, type, n))
      return 1;
    if(!e)
      break;
    s = e + 1;
  }
  return 0;
}

static int fake_event_match(const struct fake_event *e,
                            const crm_event_filter *f)
{
  if(f->customer_id && e->customer_id != f->customer_id)
    return 0;
  if(f->since && e->occurred_at < f->since)
    return 0;
  if(f->until && e->occurred_at >= f->until)
    return 0;
  return fake_type_in(f->types, e->type);
}

static void fake_fill_view(const struct fake_event *e, crm_event_view *v)
{
  memset(v, 0, sizeof(*v));
  v->struct_size = sizeof(*v);
  v->event_id = e->event_id;
  v->customer_id = e->customer_id;
  v->type = e->type;
  v->occurred_at = e->occurred_at;
  v->amount = e->amount;
  v->currency = e->currency[0] ? e->currency : NULL;
  v->quantity = e->quantity;
  v->payload = e->has_payload ? e->payload : NULL;
  v->idempotency_key = e->key;
  v->refund_of = e->has_refund_of ? e->refund_of : NULL;
}

static int fake_events_walk(crm_host_ctx *h, const crm_event_filter *f,
                            crm_event_cb cb, void *ud)
{
  static size_t order[FAKE_EVENTS];
  size_t n = 0;
  size_t i;
  size_t j;

  if(!f || f->struct_size < sizeof(uint32_t) || !cb)
    return fake_set_error(h, CRM_EINVAL, "bad event filter");
  if(f->since && f->until && f->since >= f->until)
    return fake_set_error(h, CRM_EINVAL, "since is not before until");
  h->n_walks++;
  for(i = 0; i < h->n_events; i++) {
    if(!fake_event_match(&h->events[i], f))
      continue;
    /* insertion sort: a handful of events */
    for(j = n; j > 0 && fake_event_before(&h->events[i],
                                           &h->events[order[j - 1]]); j--)
      order[j] = order[j - 1];
    order[j] = i;
    n++;
  }
  for(i = 0; i < n; i++) {
    crm_event_view v;
    int rc;

    fake_fill_view(&h->events[order[i]], &v);
    rc = cb(ud, &v);
    if(rc)
      return rc;
  }
  return CRM_OK;
}

static int fake_progress(crm_host_ctx *h, int64_t done, int64_t total)
{
  h->n_progress++;
  h->last_done = done;
  h->last_total = total;
  if(h->cancel_at > 0 && h->n_progress >= h->cancel_at)
    return fake_set_error(h, CRM_ECANCELED, "fit canceled");
  return CRM_OK;
}

static struct fake_figure *fake_figure_lookup(crm_host_ctx *h,
                                              const char *model,
                                              const char *name)
{
  size_t i;

  if(!model)
    model = h->model;
  for(i = 0; i < h->n_figures; i++) {
    if(!strcmp(h->figures[i].model, model) &&
       !strcmp(h->figures[i].name, name))
      return &h->figures[i];
  }
  return NULL;
}

const struct fake_figure *fake_figure_find(crm_host_ctx *h, const char *model,
                                           const char *name)
{
  return fake_figure_lookup(h, model, name);
}

static struct fake_figure *fake_figure_slot(crm_host_ctx *h,
                                            const char *model,
                                            const char *name)
{
  struct fake_figure *f = fake_figure_lookup(h, model, name);

  if(!f) {
    assert_true(h->n_figures < FAKE_MAX);
    f = &h->figures[h->n_figures++];
    memset(f, 0, sizeof(*f));
    snprintf(f->model, sizeof(f->model), "%s", model ? model : h->model);
    snprintf(f->name, sizeof(f->name), "%s", name);
  }
  return f;
}

void fake_figure_set(crm_host_ctx *h, const char *model, const char *name,
                     double value)
{
  fake_figure_slot(h, model, name)->value = value;
}

static int fake_figure_put(crm_host_ctx *h, const char *name, double value,
                           const char *label)
{
  struct fake_figure *f;

  if(!name || !*name)
    return fake_set_error(h, CRM_EINVAL, "figure name is empty");
  if(value != value || value - value != 0)
    return fake_set_error(h, CRM_EINVAL, "figure \"%s\" is not a finite "
                          "number", name);
  f = fake_figure_slot(h, NULL, name);
  f->value = value;
  f->has_label = label != NULL;
  snprintf(f->label, sizeof(f->label), "%s", label ? label : "");
  return CRM_OK;
}

static int fake_figure_get(crm_host_ctx *h, const char *model,
                           const char *name, double *value)
{
  struct fake_figure *f = fake_figure_lookup(h, model, name);

  if(!f)
    return CRM_ENOTFOUND;
  *value = f->value;
  return CRM_OK;
}

static int fake_score_get(crm_host_ctx *h, int64_t id, const char *model,
                          const char *name, double *value)
{
  size_t i;

  if(!model)
    model = h->model;
  for(i = 0; i < h->n_scores; i++) {
    const struct fake_score *s = &h->scores[i];

    if(s->customer_id == id && !strcmp(s->model, model) &&
       !strcmp(s->name, name)) {
      *value = s->value;
      return CRM_OK;
    }
  }
  return CRM_ENOTFOUND;
}

static int fake_customer_get(crm_host_ctx *h, int64_t id,
                             crm_customer_view *out)
{
  size_t i;
  uint32_t size;

  if(!out || out->struct_size < sizeof(uint32_t))
    return CRM_EINVAL;
  size = out->struct_size;
  for(i = 0; i < h->n_customers; i++) {
    if(h->customers[i].customer_id == id) {
      memcpy(out, &h->customers[i],
             size < sizeof(*out) ? size : sizeof(*out));
      out->struct_size = size;
      return CRM_OK;
    }
  }
  return CRM_ENOTFOUND;
}

static int fake_customer_match(const crm_customer_view *v,
                               const crm_customer_filter *f)
{
  if(v->customer_id <= f->after_id)
    return 0;
  if(!f->stages)
    return 1;
  return v->stage >= 0 && v->stage < 32 &&
         (f->stages & (1u << (unsigned)v->stage)) != 0;
}

/* h->customers in id order (whatever the order of adding), the view a
 * copy so that a callback changing h cannot move it under the walk. */
static int fake_customers_walk(crm_host_ctx *h, const crm_customer_filter *f,
                               crm_customer_cb cb, void *ud)
{
  static size_t order[FAKE_MAX];
  size_t n = 0;
  size_t i;
  size_t j;

  if(!cb)
    return fake_set_error(h, CRM_EINVAL, "customer walk has no callback");
  if(!f || f->struct_size < sizeof(*f))
    return fake_set_error(h, CRM_EINVAL, "bad customer filter");
  if(f->after_id < 0)
    return fake_set_error(h, CRM_EINVAL, "after_id is negative");
  h->n_customer_walks++;
  for(i = 0; i < h->n_customers; i++) {
    if(!fake_customer_match(&h->customers[i], f))
      continue;
    for(j = n; j > 0 && h->customers[i].customer_id <
                        h->customers[order[j - 1]].customer_id; j--)
      order[j] = order[j - 1];
    order[j] = i;
    n++;
  }
  for(i = 0; i < n; i++) {
    crm_customer_view v = h->customers[order[i]];
    int rc = cb(ud, &v);

    if(rc)
      return rc;
  }
  return CRM_OK;
}

void fake_customer(crm_host_ctx *h, const crm_customer_view *v)
{
  size_t i;

  for(i = 0; i < h->n_customers; i++)
    if(h->customers[i].customer_id == v->customer_id)
      break;
  assert_true(i < FAKE_MAX);
  if(i == h->n_customers)
    h->n_customers++;
  h->customers[i] = *v;
  h->customers[i].struct_size = sizeof(crm_customer_view);
}

int64_t fake_event(crm_host_ctx *h, int64_t customer_id, const char *type,
                   int64_t occurred_at, int64_t amount, const char *currency,
                   const char *payload)
{
  struct fake_event *e;
  char buf[96];

  assert_true(h->n_events < FAKE_EVENTS);
  e = &h->events[h->n_events++];
  memset(e, 0, sizeof(*e));
  e->event_id = ++h->next_event_id;
  e->customer_id = customer_id;
  snprintf(e->type, sizeof(e->type), "%s", type);
  e->occurred_at = occurred_at;
  e->amount = amount;
  snprintf(e->currency, sizeof(e->currency), "%s", currency ? currency : "");
  snprintf(e->key, sizeof(e->key), "ev-%lld", (long long)e->event_id);
  if(payload) {
    e->has_payload = 1;
    snprintf(e->payload, sizeof(e->payload), "%s", payload);
    if(fake_json_get(h, payload, "$.refund_of", buf, sizeof(buf)) == 0) {
      e->has_refund_of = 1;
      snprintf(e->refund_of, sizeof(e->refund_of), "%s", buf);
    }
  }
  return e->event_id;
}

void fake_event_view(crm_host_ctx *h, int64_t event_id, crm_event_view *out)
{
  size_t i;

  for(i = 0; i < h->n_events; i++) {
    if(h->events[i].event_id == event_id) {
      fake_fill_view(&h->events[i], out);
      return;
    }
  }
  fail_msg("no fake event #%lld", (long long)event_id);
}

void fake__install_1_3(crm_host_ctx *h)
{
  h->api.customer_get = fake_customer_get;
  h->api.score_write = fake_score_write;
  h->api.events_walk = fake_events_walk;
  h->api.progress = fake_progress;
  h->api.figure_put = fake_figure_put;
  h->api.figure_get = fake_figure_get;
  h->api.score_get = fake_score_get;
  h->api.customers_walk = fake_customers_walk;
}
