/*
 * triage_test.h - the fake host of the triage plugin's tests
 * (test_plugin_triage.c, test_plugin_triage_odd.c): the fake of
 * test_plugin_fake.c with two services of this file, a cases_walk over a
 * hand-built list of cases and a kv store that keeps values up to the
 * host's 64 KiB (the fake's keeps 256 bytes); classify and train helpers
 * and the hand-built hotel training set. Included once per test file.
 */
#ifndef TRIAGE_TEST_H
#define TRIAGE_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_plugin_fake.h"
#include "test_plugin_fake_int.h"

#pragma GCC diagnostic ignored "-Wunused-function"

static crm_host_ctx host;

/* ---- the kv of this test ------------------------------------------------- */

#define BIG_KV 64
#define BIG_KV_VALUE_MAX 65536

static struct {
  char key[200];
  char *value;
} big_kv[BIG_KV];
static size_t n_big_kv;
static int n_kv_puts;

static long big_kv_find(const char *key)
{
  size_t i;

  for(i = 0; i < n_big_kv; i++) {
    if(!strcmp(big_kv[i].key, key))
      return (long)i;
  }
  return -1;
}

static int big_kv_get(crm_host_ctx *h, const char *key, char **out)
{
  long i = big_kv_find(key);
  size_t n;

  if(i < 0)
    return CRM_ENOTFOUND;
  n = strlen(big_kv[i].value) + 1;
  *out = h->api.alloc(h, n);
  memcpy(*out, big_kv[i].value, n);
  return CRM_OK;
}

static int big_kv_put(crm_host_ctx *h, const char *key, const char *value)
{
  long i = big_kv_find(key);

  (void)h;
  n_kv_puts++;
  if(!value) {
    if(i >= 0) {
      free(big_kv[i].value);
      big_kv[i] = big_kv[--n_big_kv];
    }
    return CRM_OK;
  }
  if(strlen(value) > BIG_KV_VALUE_MAX)
    return fake_set_error(h, CRM_ERANGE, "value of %s too long", key);
  if(i < 0) {
    assert_true(n_big_kv < BIG_KV);
    i = (long)n_big_kv++;
    snprintf(big_kv[i].key, sizeof(big_kv[i].key), "%s", key);
    big_kv[i].value = NULL;
  }
  free(big_kv[i].value);
  big_kv[i].value = strdup(value);
  return CRM_OK;
}

static void big_kv_clear(void)
{
  while(n_big_kv)
    free(big_kv[--n_big_kv].value);
  n_kv_puts = 0;
}

static const char *kv(const char *key)
{
  long i = big_kv_find(key);

  return i < 0 ? NULL : big_kv[i].value;
}

/* ---- cases_walk of this test ------------------------------------------- */

struct tcase {
  int64_t id;
  const char *category;
  const char *text;
  int closed;
  int64_t closed_at;
};

static const struct tcase *g_cases;
static size_t g_n_cases;
static int n_case_walks;

static int test_cases_walk(crm_host_ctx *h, const crm_case_filter *f,
                           crm_case_cb cb, void *ud)
{
  size_t i;
  int rc;

  (void)h;
  n_case_walks++;
  assert_int_equal(f->flags, CRM_CASES_CLOSED);
  for(i = 0; i < g_n_cases; i++) {
    const struct tcase *k = &g_cases[i];
    crm_case_view v;
    char number[16];

    if(!k->closed)
      continue;
    if(f->until && 1000 >= f->until) /* every case opened at 1000 */
      continue;
    assert_int_equal(f->until, 5001); /* as_of 5000 included */
    snprintf(number, sizeof(number), "C-%06lld", (long long)k->id);
    memset(&v, 0, sizeof(v));
    v.struct_size = sizeof(v);
    v.case_id = k->id;
    v.customer_id = 1;
    v.state = "Closed";
    v.category = k->category;
    v.summary = k->text;
    v.opened_at = 1000;
    v.number = number;
    v.priority = 3;
    v.customer_text = k->text;
    v.closed_at = k->closed_at ? k->closed_at : 2000;
    rc = cb(ud, &v);
    if(rc)
      return rc;
  }
  return CRM_OK;
}

/* ---- helpers -------------------------------------------------------------- */

static int setup(void **state)
{
  (void)state;
  fake_reset(&host);
  host.api.cases_walk = test_cases_walk;
  host.api.kv_get = big_kv_get;
  host.api.kv_put = big_kv_put;
  big_kv_clear();
  g_cases = NULL;
  g_n_cases = 0;
  n_case_walks = 0;
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  big_kv_clear();
  return 0;
}

static const crm_complaint_v1 *vt(void)
{
  return fake_vtable(&host, CRM_KIND_COMPLAINT);
}

static int classify(int64_t customer, const char *text, const char *category,
                    crm_case_decision *d)
{
  crm_case_view cv;

  memset(&cv, 0, sizeof(cv));
  cv.struct_size = sizeof(cv);
  cv.case_id = 99;
  cv.customer_id = customer;
  cv.state = "New";
  cv.category = category ? category : "";
  cv.summary = text;
  cv.number = "C-000099";
  cv.priority = 3;
  cv.actor = "api";
  cv.comp_item = "";
  cv.customer_text = text;
  memset(d, 0, sizeof(*d));
  d->struct_size = sizeof(*d);
  host.errmsg[0] = '\0';
  return vt()->classify(host.state, &host, &cv, d);
}

static int train(void)
{
  crm_fit_request req;

  memset(&req, 0, sizeof(req));
  req.struct_size = sizeof(req);
  req.as_of = 5000;
  return vt()->train(host.state, &host, &req);
}

/* The hand-built training set: 4 food cases, 2 room cases (closed), and
 * cases that must not count (open; closed after as_of; no category).
 *   food: "cold soup", "soup salty", "cold pasta", "bland soup"
 *         -> 8 tokens: cold 2, soup 3, salty 1, pasta 1, bland 1
 *   room: "noisy room", "dirty room cold"
 *         -> 5 tokens: noisy 1, room 2, dirty 1, cold 1
 *   |V| = 8 (bland cold dirty noisy pasta room salty soup). */
static const struct tcase hotel[] = {
  {1, "food", "Cold soup!", 1, 0},
  {2, "food", "the soup was salty", 1, 0}, /* the, was: stop words */
  {3, "food", "cold PASTA", 1, 0},
  {4, "room", "noisy room", 1, 0},
  {5, "food", "bland soup", 1, 0},
  {6, "room", "dirty room, cold", 1, 0},
  {7, "room", "room room room", 0, 0},     /* still open */
  {8, "room", "room room room", 1, 9000},  /* closed after as_of */
  {9, "", "soup soup soup", 1, 0},         /* no category */
};

static void use_hotel(void)
{
  g_cases = hotel;
  g_n_cases = sizeof(hotel) / sizeof(hotel[0]);
}

#endif /* TRIAGE_TEST_H */
