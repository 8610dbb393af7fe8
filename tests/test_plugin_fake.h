/*
 * test_plugin_fake.h - a fake host for testing plugins in isolation.
 *
 * The plugin tests dlopen a built plugin and drive it through this host
 * table, with no core linked: config values, the kv store, stored scores,
 * errors and log lines are kept here for the test to inspect.
 */
#ifndef TEST_PLUGIN_FAKE_H
#define TEST_PLUGIN_FAKE_H

#include <stddef.h>
#include <stdint.h>

#include "crm/sdk.h"

#define FAKE_MAX 256
#define FAKE_TEXT 256

struct fake_cfg {
  char path[64];
  char type; /* 's', 'i', 'f', 'b' */
  char str[FAKE_TEXT];
  int64_t i;
  double f;
};

struct fake_kv {
  char key[FAKE_TEXT];
  char value[FAKE_TEXT];
};

#define FAKE_FACTORS 8
#define FAKE_EVENTS 2048

struct fake_factor {
  char factor[64];
  double contribution;
  char detail[128];
  int has_detail;
};

struct fake_score {
  int64_t customer_id;
  char model[32]; /* h->model for the plugin's own scores */
  char name[32];
  double value;
  char label[64];
  int has_label;
  /* 1.3 score_write: the explanation as written (n_factors as given,
   * the first FAKE_FACTORS kept) */
  uint32_t n_factors;
  struct fake_factor factors[FAKE_FACTORS];
  int n_writes; /* score_put/score_write calls for this score */
};

/* A stored event seen through events_walk (1.3). */
struct fake_event {
  int64_t event_id;
  int64_t customer_id;
  char type[32];
  int64_t occurred_at;
  int64_t amount;
  char currency[8];
  int64_t quantity;
  char payload[256];
  int has_payload;
  char key[96];
  char refund_of[96];
  int has_refund_of;
};

struct fake_figure {
  char model[32];
  char name[64];
  double value;
  char label[64];
  int has_label;
};

/* The ctx handed to the plugin is the whole fake host. */
struct crm_host_ctx {
  crm_host_api api;
  struct fake_cfg cfg[FAKE_MAX];
  size_t n_cfg;
  struct fake_kv kv[FAKE_MAX];
  size_t n_kv;
  struct fake_score scores[FAKE_MAX * 4];
  size_t n_scores;
  int errcode;
  char errmsg[512];
  int n_logs;
  char last_log[512];
  long allocs_live;
  int64_t now;
  /* 1.2: customer attributes (customer_attr), the directory relative
   * cfg_get_path results are resolved against */
  struct fake_attr {
    int64_t customer_id;
    char name[64];
    char value[FAKE_TEXT];
  } attrs[FAKE_MAX];
  size_t n_attrs;
  char conf_dir[FAKE_TEXT];
  /* 1.3: events for events_walk, figures, progress, customers for
   * customer_get; model = the component name the plugin's own scores
   * and figures go under ("self" after fake_reset) */
  struct fake_event events[FAKE_EVENTS];
  size_t n_events;
  int64_t next_event_id;
  struct fake_figure figures[FAKE_MAX];
  size_t n_figures;
  char model[32];
  int n_progress;       /* progress calls */
  int64_t last_done, last_total;
  int cancel_at;        /* > 0: the cancel_at-th progress call cancels */
  int n_walks;          /* events_walk calls */
  crm_customer_view customers[FAKE_MAX]; /* customer_get, customers_walk */
  size_t n_customers;
  int n_customer_walks; /* customers_walk calls */
  /* plugin */
  void *dl;
  const crm_plugin_desc *desc;
  void *state;
};

/* Fills the table (full size of this SDK) and empties everything. */
void fake_reset(crm_host_ctx *h);
/* Pretends to be an older host: the table ends before emit_event. */
void fake_host_1_0(crm_host_ctx *h);

/* Pretends to be a 1.1 host: the table ends before customer_attr. */
void fake_host_1_1(crm_host_ctx *h);
/* Pretends to be a 1.2 host: the table ends before score_write. */
void fake_host_1_2(crm_host_ctx *h);

/* 1.3: adds an event seen by events_walk (walked in customer, time, id
 * order whatever the order of adding); returns its event id. payload
 * and key may be NULL (key NULL: "ev-<id>"); refund_of is read from
 * the payload's "refund_of" when present. */
int64_t fake_event(crm_host_ctx *h, int64_t customer_id, const char *type,
                   int64_t occurred_at, int64_t amount, const char *currency,
                   const char *payload);
/* Fills the view events_walk would pass for event i (for calling
 * score_event directly). The view's strings point into h. */
void fake_event_view(crm_host_ctx *h, int64_t event_id, crm_event_view *out);
/* Sets a figure of any model (model NULL: h->model). */
void fake_figure_set(crm_host_ctx *h, const char *model, const char *name,
                     double value);
const struct fake_figure *fake_figure_find(crm_host_ctx *h, const char *model,
                                           const char *name);
/* A customer for customer_get and customers_walk (walked in id order
 * whatever the order of adding; stages and after_id honoured): the view
 * is copied (its strings must outlive the test). */
void fake_customer(crm_host_ctx *h, const crm_customer_view *v);
/* Sets a customer attribute seen through customer_attr. */
void fake_attr(crm_host_ctx *h, int64_t customer_id, const char *name,
               const char *value);

void fake_cfg_int(crm_host_ctx *h, const char *path, int64_t v);
void fake_cfg_str(crm_host_ctx *h, const char *path, const char *v);
void fake_cfg_bool(crm_host_ctx *h, const char *path, int v);
void fake_cfg_float(crm_host_ctx *h, const char *path, double v);

/* Loads <CRM_TEST_PLUGIN_DIR>/<name>.so and returns its descriptor (the
 * test fails when it cannot). */
const crm_plugin_desc *fake_open(crm_host_ctx *h, const char *name);
/* fake_open + init; returns init's code (state in h->state). */
int fake_load(crm_host_ctx *h, const char *name);
/* fini; then asserts that every host allocation was freed. */
void fake_unload(crm_host_ctx *h);

/* The first component's vtable. */
const void *fake_vtable(crm_host_ctx *h, uint32_t kind);

const struct fake_score *fake_score_find(crm_host_ctx *h, int64_t id,
                                         const char *name);
const char *fake_kv_find(crm_host_ctx *h, const char *key);

#endif
