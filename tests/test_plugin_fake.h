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

struct fake_score {
  int64_t customer_id;
  char name[32];
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
