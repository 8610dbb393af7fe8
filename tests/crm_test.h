/*
 * crm_test.h - small helpers shared by the cmocka tests.
 */
#ifndef CRM_TEST_H
#define CRM_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crm/crm.h"

/* 2000-01-01T00:00:00Z, a fixed clock for deterministic tests. */
#define T_EPOCH2000 INT64_C(946684800)
#define T_DAY INT64_C(86400)

/* Opens a fresh in-memory store with the clock fixed at `now`. */
static inline crm *t_open_mem(int64_t now)
{
  crm *c = NULL;
  int rc = crm_open(&c, ":memory:", CRM_OPEN_CREATE);

  if(rc)
    fail_msg("crm_open: %s", crm_errmsg(c));
  crm_set_now(c, now);
  return c;
}

static inline int64_t t_add_customer(crm *c, const char *ext)
{
  crm_customer_fields f;
  int64_t id = 0;

  memset(&f, 0, sizeof(f));
  f.external_id = ext;
  f.name = ext;
  if(crm_customer_add(c, &f, &id))
    fail_msg("crm_customer_add(%s): %s", ext, crm_errmsg(c));
  return id;
}

/* Ingests one event; fails the test on error. */
static inline crm_ingest_result t_event(crm *c, int64_t cust, const char *type,
                                        int64_t at, int64_t amount,
                                        const char *payload, const char *key)
{
  crm_event ev;
  crm_ingest_result r;

  memset(&ev, 0, sizeof(ev));
  memset(&r, 0, sizeof(r));
  ev.type = type;
  ev.customer_id = cust;
  ev.occurred_at = at;
  ev.amount = amount;
  if(!strcmp(type, "purchase") || !strcmp(type, "refund") || amount)
    ev.currency = "USD";
  ev.payload = payload;
  ev.idempotency_key = key;
  if(crm_event_ingest(c, &ev, &r))
    fail_msg("crm_event_ingest(%s): %s", key, crm_errmsg(c));
  return r;
}

static inline int t_stage(crm *c, int64_t id)
{
  crm_customer cu;

  if(crm_customer_get(c, id, &cu))
    fail_msg("crm_customer_get: %s", crm_errmsg(c));
  return cu.stage;
}

/* mkdtemp under $TMPDIR (or /tmp); the caller removes it. */
static inline char *t_tmpdir(char *buf, size_t size)
{
  const char *base = getenv("TMPDIR");

  snprintf(buf, size, "%s/crmtest.XXXXXX", base ? base : "/tmp");
  if(!mkdtemp(buf))
    fail_msg("mkdtemp failed");
  return buf;
}

static inline void t_write_file(const char *path, const char *text)
{
  FILE *f = fopen(path, "w");

  if(!f)
    fail_msg("cannot write %s", path);
  fputs(text, f);
  fclose(f);
}

#endif
