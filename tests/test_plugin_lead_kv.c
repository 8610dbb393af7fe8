/*
 * test_plugin_lead_kv.c - the lead plugin's frequency table in kv (fake
 * host): what an outcome writes, the cache stamp, the fit's clean-up and
 * the upgrade from the lead 1.0 layout.
 *
 * Layout (plugins/scoring/lead_table.c): "nb:meta", a value list
 * "nb:l:<field>" (one value a line) and one count key per value
 * "nb:v:<field>\t<value>" = "<won> <lost>". An outcome writes the count
 * keys of the values it moves, the meta and the outcome record "o:<id>";
 * a value list only when a value comes or goes.
 *
 * The cost test has 300 distinct sources: more keys and longer values than
 * the fake host keeps (256 of each), so it swaps in a kv store of its own
 * (and customer attributes / customer_get without the fake's limits),
 * which also counts the kv_put calls and the bytes they write.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_plugin_fake.h"

#define T0 ((int64_t)1690000000)
#define NV 300      /* distinct sources in the cost test */
#define BIG_KV 2048 /* keys of the test's own kv store */
#define BIG_IDS 2048

static crm_host_ctx host;
static int64_t clock_t0;

/* ---- the cost test's host services ------------------------------------- */

static struct big_kv {
  char *key;
  char *value;
} big[BIG_KV];
static size_t n_big;
static int n_puts;        /* kv_put calls */
static size_t put_bytes;  /* bytes of the values they wrote */
static char src_of[BIG_IDS][32]; /* attribute "source" per customer id */

static struct big_kv *big_find(const char *key)
{
  size_t i;

  for(i = 0; i < n_big; i++) {
    if(!strcmp(big[i].key, key))
      return &big[i];
  }
  return NULL;
}

static int big_get(crm_host_ctx *h, const char *key, char **out)
{
  struct big_kv *e = big_find(key);
  size_t n;

  if(!e)
    return CRM_ENOTFOUND;
  n = strlen(e->value) + 1;
  *out = h->api.alloc(h, n);
  assert_non_null(*out);
  memcpy(*out, e->value, n);
  return CRM_OK;
}

static char *big_dup(const char *s)
{
  char *d = malloc(strlen(s) + 1);

  assert_non_null(d);
  memcpy(d, s, strlen(s) + 1);
  return d;
}

static int big_put(crm_host_ctx *h, const char *key, const char *value)
{
  struct big_kv *e = big_find(key);

  (void)h;
  assert_true(strlen(key) >= 1 && strlen(key) <= 192); /* the SDK's limit */
  n_puts++;
  put_bytes += value ? strlen(value) : 0;
  if(!value) {
    if(e) {
      free(e->key);
      free(e->value);
      *e = big[--n_big];
    }
    return CRM_OK;
  }
  if(!e) {
    assert_true(n_big < BIG_KV);
    e = &big[n_big++];
    e->key = big_dup(key);
    e->value = NULL;
  }
  free(e->value);
  e->value = big_dup(value);
  return CRM_OK;
}

static void big_drop(const char *prefix)
{
  size_t i = 0;

  while(i < n_big) {
    if(!strncmp(big[i].key, prefix, strlen(prefix))) {
      free(big[i].key);
      free(big[i].value);
      big[i] = big[--n_big];
    }
    else
      i++;
  }
}

static size_t big_count(const char *prefix)
{
  size_t i, n = 0;

  for(i = 0; i < n_big; i++)
    n += !strncmp(big[i].key, prefix, strlen(prefix));
  return n;
}

static const char *big_value(const char *key)
{
  struct big_kv *e = big_find(key);

  return e ? e->value : NULL;
}

static int cmp_big(const void *a, const void *b)
{
  return strcmp(((const struct big_kv *)a)->key,
                ((const struct big_kv *)b)->key);
}

/* Every "nb:l:" and "nb:v:" key with its value, sorted by key. */
static char *big_table(void)
{
  size_t i, len = 0, size = 1;
  char *out;

  qsort(big, n_big, sizeof(big[0]), cmp_big);
  for(i = 0; i < n_big; i++)
    size += strlen(big[i].key) + strlen(big[i].value) + 2;
  out = malloc(size);
  assert_non_null(out);
  out[0] = '\0';
  for(i = 0; i < n_big; i++) {
    if(strncmp(big[i].key, "nb:l:", 5) && strncmp(big[i].key, "nb:v:", 5))
      continue;
    len += (size_t)snprintf(out + len, size - len, "%s=%s\n", big[i].key,
                            big[i].value);
  }
  return out;
}

/* source from src_of; tags "vip" for ids below 1000 divisible by 3 and
 * for #1001. */
static int big_attr(crm_host_ctx *h, int64_t id, const char *name, char *buf,
                    size_t size)
{
  (void)h;
  assert_true(id > 0 && id < BIG_IDS);
  if(!strcmp(name, "source") && src_of[id][0]) {
    snprintf(buf, size, "%s", src_of[id]);
    return CRM_OK;
  }
  if(!strcmp(name, "tags") && ((id < 1000 && id % 3 == 0) || id == 1001)) {
    snprintf(buf, size, "vip");
    return CRM_OK;
  }
  return CRM_ENOTFOUND;
}

static crm_customer_view cv_of(int64_t id)
{
  crm_customer_view v;

  memset(&v, 0, sizeof(v));
  v.struct_size = sizeof(v);
  v.customer_id = id;
  v.stage = CRM_STAGE_PROSPECT;
  return v;
}

static int big_customer(crm_host_ctx *h, int64_t id, crm_customer_view *out)
{
  (void)h;
  *out = cv_of(id);
  return CRM_OK;
}

/* ---- fixtures and helpers ---------------------------------------------- */

static int setup(void **state)
{
  (void)state;
  fake_reset(&host);
  clock_t0 = T0;
  host.now = T0 + 100000;
  n_big = 0;
  n_puts = 0;
  put_bytes = 0;
  memset(src_of, 0, sizeof(src_of));
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  fake_unload(&host);
  big_drop("");
  return 0;
}

static const crm_scoring_v1 *vt(void)
{
  return fake_vtable(&host, CRM_KIND_SCORING);
}

/* Stores an event and hands it to score_event with a prospect's view. */
static int event_as(const crm_customer_view *cv, const char *type)
{
  crm_event_view ev;
  int64_t eid;

  clock_t0 += 60;
  eid = fake_event(&host, cv->customer_id, type, clock_t0, 0, NULL, NULL);
  fake_event_view(&host, eid, &ev);
  return vt()->score_event(host.state, &host, &ev, cv, host.now);
}

/* A prospect's event; returns the kv_put calls it made. */
static int big_event(int64_t id, const char *type)
{
  crm_customer_view cv = cv_of(id);
  int before = n_puts;
  int rc = event_as(&cv, type);

  if(rc)
    fail_msg("event %s of #%lld: %d %s", type, (long long)id, rc,
             host.errmsg);
  return n_puts - before;
}

static int fit(int64_t as_of)
{
  crm_fit_request req;

  memset(&req, 0, sizeof(req));
  req.struct_size = sizeof(req);
  req.as_of = as_of;
  return vt()->fit(host.state, &host, &req);
}

/* "won=.. lost=.." of the stored meta, as an integer pair check. */
static void big_totals(int64_t won, int64_t lost)
{
  char want[64];

  snprintf(want, sizeof(want), " won=%lld lost=%lld ", (long long)won,
           (long long)lost);
  if(!strstr(big_value("nb:meta"), want))
    fail_msg("meta %s, want%s", big_value("nb:meta"), want);
}

/* ---- the cost of an outcome --------------------------------------------- */

/* 300 prospects, each with a source of its own (s000..s299), are won
 * (odd) or lost (even): the source column holds 300 values, its list
 * 300 x 5 bytes. Fields: source (category), tags (set; "vip" on ids
 * divisible by 3), stage (prospect): F = 3. Then, counting kv_put calls
 * of the outcome event alone (a contact came first, so the man: record is
 * written before):
 *   A #1001 s007 vip, won: counts s007, vip, prospect + meta + o:1001
 *     = F + 2 = 5 puts, about 100 bytes (the old layout rewrote every
 *     value of every field: over 3000 bytes here);
 *   B #1001 now s008, lost: s007 and s008, vip, prospect + meta + o = 6
 *     (a move: at most 2F + 2);
 *   C #1002 "fresh" (new value, no tags), won: fresh, prospect, the
 *     source list (a new value), meta, o = 5;
 *   D #1003 "gone" (new), won: 5; then #1003 s009, lost: gone (deleted:
 *     its last count), s009, the list (a value went), prospect, meta, o
 *     = 6.
 *   E (after fits) #1004 s000 (no tags), lost: s000, prospect, meta, o
 *     = 4.
 * Every outcome stays within 2F + 3 whatever the number of values.
 * s007 is #8 (lost), s008 #9 (won), s009 #10 (lost), s000 #1 (won). */
static void test_outcome_cost_bounded(void **state)
{
  char *inc, *rebuilt;
  int64_t before_c;
  int64_t i;
  int n, worst = 0;

  (void)state;
  fake_cfg_str(&host, "nb.fields.[0]", "source");
  fake_cfg_str(&host, "nb.fields.[1]", "tags");
  fake_cfg_str(&host, "nb.fields.[2]", "stage");
  host.api.kv_get = big_get;
  host.api.kv_put = big_put;
  host.api.customer_attr = big_attr;
  host.api.customer_get = big_customer;
  assert_int_equal(fake_load(&host, "lead"), CRM_OK);
  for(i = 1; i <= NV; i++) {
    snprintf(src_of[i], sizeof(src_of[i]), "s%03d", (int)(i - 1));
    big_event(i, "contact");
    n = big_event(i, i % 2 ? "lead_won" : "lead_lost");
    worst = n > worst ? n : worst;
  }
  /* each a new source: counts x3 + source list (+ tags / stage list the
   * first time) + meta + o */
  assert_true(worst <= 2 * 3 + 3);
  assert_int_equal(big_count("nb:v:source\t"), NV);
  assert_int_equal(strlen(big_value("nb:l:source")), NV * 5 - 1);
  big_totals(150, 150);

  snprintf(src_of[1001], sizeof(src_of[1001]), "s007");
  big_event(1001, "contact");
  put_bytes = 0;
  assert_int_equal(big_event(1001, "lead_won"), 3 + 2);
  assert_true(put_bytes < 200);
  assert_string_equal(big_value("nb:v:source\ts007"), "1 1");
  snprintf(src_of[1001], sizeof(src_of[1001]), "s008");
  assert_int_equal(big_event(1001, "lead_lost"), 6);
  assert_string_equal(big_value("nb:v:source\ts007"), "0 1");
  assert_string_equal(big_value("nb:v:source\ts008"), "1 1");
  big_totals(150, 151);

  before_c = clock_t0;
  snprintf(src_of[1002], sizeof(src_of[1002]), "fresh");
  big_event(1002, "contact");
  assert_int_equal(big_event(1002, "lead_won"), 5);
  assert_non_null(strstr(big_value("nb:l:source"), "fresh\ns000\n"));
  snprintf(src_of[1003], sizeof(src_of[1003]), "gone");
  big_event(1003, "contact");
  assert_int_equal(big_event(1003, "lead_won"), 5);
  snprintf(src_of[1003], sizeof(src_of[1003]), "s009");
  assert_int_equal(big_event(1003, "lead_lost"), 6);
  assert_null(big_value("nb:v:source\tgone"));
  assert_null(strstr(big_value("nb:l:source"), "gone"));
  assert_int_equal(big_count("nb:v:source\t"), NV + 1);
  big_totals(151, 152);

  /* the fit from the events alone gives the same keys, byte for byte */
  inc = big_table();
  big_drop("nb:");
  big_drop("o:");
  assert_int_equal(fit(host.now), CRM_OK);
  rebuilt = big_table();
  assert_string_equal(rebuilt, inc);
  free(rebuilt);
  big_totals(151, 152);
  /* a fit up to before C: "fresh" is stale, its key and list line go;
   * #1003's outcome is after it too */
  assert_int_equal(fit(before_c), CRM_OK);
  assert_null(big_value("nb:v:source\tfresh"));
  assert_null(strstr(big_value("nb:l:source"), "fresh"));
  assert_int_equal(big_count("nb:v:source\t"), NV);
  assert_string_equal(big_value("nb:v:source\ts009"), "0 1");
  big_totals(150, 151);
  /* and everything again */
  assert_int_equal(fit(host.now), CRM_OK);
  rebuilt = big_table();
  assert_string_equal(rebuilt, inc);
  free(rebuilt);
  free(inc);
  /* the plugin's cache is current: an outcome after the fit counts */
  snprintf(src_of[1004], sizeof(src_of[1004]), "s000");
  big_event(1004, "contact");
  assert_int_equal(big_event(1004, "lead_lost"), 4);
  assert_string_equal(big_value("nb:v:source\ts000"), "1 1");
}

/* ---- the stamp: rolled-back writes are never taken for current ---------- */

static struct fake_kv saved_kv[FAKE_MAX];
static size_t saved_n;

static void kv_save(void)
{
  memcpy(saved_kv, host.kv, sizeof(saved_kv));
  saved_n = host.n_kv;
}

static void kv_restore(void)
{
  memcpy(host.kv, saved_kv, sizeof(saved_kv));
  host.n_kv = saved_n;
}

static void prospect(int64_t id, const char *source)
{
  crm_customer_view v = cv_of(id);

  fake_customer(&host, &v);
  fake_attr(&host, id, "source", source);
}

static void ok_event(int64_t id, const char *type)
{
  size_t i;

  for(i = 0; i < host.n_customers; i++) {
    if(host.customers[i].customer_id == id) {
      int rc = event_as(&host.customers[i], type);

      if(rc)
        fail_msg("event %s of #%lld: %d %s", type, (long long)id, rc,
                 host.errmsg);
      return;
    }
  }
  fail_msg("no customer %lld", (long long)id);
}

static int64_t meta_gen(const char *meta)
{
  return strtoll(meta + 4, NULL, 10); /* "gen=<n> ..." */
}

/* Table S0: #1 web won, #2 fair lost (alpha 1, K = 3).
 * A: #3 web lost from S0; rolled back (the kv restored, as SQLite does;
 *    the plugin's cache still holds A).
 * B: #3 - now fair - lost from S0: same generation as A, another stamp,
 *    and the plugin reloads S0 before counting (else web would keep A's
 *    lost count).
 * A again from S0: the same writes give the same meta as A.
 * Prospect #4 web scored on S0: P(web|won) = 2/4, P(web|lost) = 1/4,
 * prior 1: odds 2, nb = 2/3. */
static void test_stamp_after_rollback(void **state)
{
  char meta0[512], meta_a[512], meta_b[512];

  (void)state;
  fake_cfg_str(&host, "nb.fields.[0]", "source");
  fake_cfg_int(&host, "nb.min_outcomes", 2);
  assert_int_equal(fake_load(&host, "lead"), CRM_OK);
  prospect(1, "web");
  prospect(2, "fair");
  prospect(3, "web");
  prospect(4, "web");
  ok_event(1, "lead_won");
  ok_event(2, "lead_lost");
  kv_save();
  snprintf(meta0, sizeof(meta0), "%s", fake_kv_find(&host, "nb:meta"));
  ok_event(3, "lead_lost");
  snprintf(meta_a, sizeof(meta_a), "%s", fake_kv_find(&host, "nb:meta"));
  assert_string_equal(fake_kv_find(&host, "nb:v:source\tweb"), "1 1");
  kv_restore();
  ok_event(4, "contact");
  assert_true(fabs(fake_score_find(&host, 4, "nb")->value - 2.0 / 3.0) <
              1e-12);
  fake_attr(&host, 3, "source", "fair");
  ok_event(3, "lead_lost");
  snprintf(meta_b, sizeof(meta_b), "%s", fake_kv_find(&host, "nb:meta"));
  assert_int_equal(meta_gen(meta_a), meta_gen(meta0) + 1);
  assert_int_equal(meta_gen(meta_b), meta_gen(meta_a));
  assert_string_not_equal(meta_a, meta_b);
  assert_string_equal(fake_kv_find(&host, "nb:v:source\tweb"), "1 0");
  assert_string_equal(fake_kv_find(&host, "nb:v:source\tfair"), "0 2");
  kv_restore();
  fake_attr(&host, 3, "source", "web");
  ok_event(3, "lead_lost");
  assert_string_equal(fake_kv_find(&host, "nb:meta"), meta_a);
}

/* ---- lead 1.0's layout, and a broken table ------------------------------- */

/* A table in the lead 1.0 layout (nb:f: texts, meta with hash=) is not
 * used, outcomes are not counted into it, and the fit replaces it: #2
 * web won, #3 fair lost -> web 1 0, fair 0 1. A count key gone missing
 * then stops the plugin with a message naming the key. */
static void test_old_layout_and_corrupt(void **state)
{
  const struct fake_score *s;

  (void)state;
  fake_cfg_str(&host, "nb.fields.[0]", "source");
  fake_cfg_int(&host, "nb.min_outcomes", 2);
  assert_int_equal(fake_load(&host, "lead"), CRM_OK);
  host.api.kv_put(&host, "nb:meta", "gen=3 won=6 lost=4 "
                  "hash=0123456789abcdef fields=source:category");
  host.api.kv_put(&host, "nb:f:source", "web\t6\t4\n");
  prospect(1, "web");
  prospect(2, "web");
  prospect(3, "fair");
  ok_event(1, "contact");
  assert_null(fake_score_find(&host, 1, "nb"));
  s = fake_score_find(&host, 1, "lead");
  assert_non_null(s);
  assert_string_equal(s->factors[1].detail, "table stored by an older lead: "
                      "run crm score fit lead");
  ok_event(2, "lead_won");
  assert_non_null(strstr(host.last_log, "stored by an older lead"));
  assert_non_null(strstr(fake_kv_find(&host, "nb:meta"), "hash="));
  ok_event(3, "lead_lost");
  assert_int_equal(fit(host.now), CRM_OK);
  assert_null(fake_kv_find(&host, "nb:f:source"));
  assert_string_equal(fake_kv_find(&host, "nb:l:source"), "fair\nweb");
  assert_string_equal(fake_kv_find(&host, "nb:v:source\tweb"), "1 0");
  assert_string_equal(fake_kv_find(&host, "nb:v:source\tfair"), "0 1");
  /* the generation goes on from the old table's */
  assert_int_equal(meta_gen(fake_kv_find(&host, "nb:meta")), 4);
  assert_non_null(strstr(fake_kv_find(&host, "nb:meta"), " stamp="));
  ok_event(1, "contact");
  assert_non_null(fake_score_find(&host, 1, "nb"));
  /* a broken table: reload (reconfigure drops the cache) fails */
  host.api.kv_put(&host, "nb:v:source\tweb", NULL);
  assert_int_equal(host.desc->reconfigure(host.state, &host), CRM_OK);
  assert_int_equal(event_as(&host.customers[0], "contact"), CRM_ECORRUPT);
  assert_string_equal(host.errmsg, "corrupt frequency table nb:v:source\tweb:"
                      " run crm score fit lead");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_outcome_cost_bounded, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_stamp_after_rollback, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_old_layout_and_corrupt, setup,
                                    teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
