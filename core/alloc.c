/*
 * alloc.c - the core's allocator wrappers.
 *
 * Every allocation of the core goes through these so that tests can fail
 * the Nth one and check that each path cleans up (curl's torture tests,
 * SQLite's FAULTSIM). The counters are process-wide and not thread-safe:
 * fault injection is a test-only facility.
 */
#include <stdlib.h>
#include <string.h>

#include "crm_int.h"

static long crm__fail_at;      /* 0: never fail */
static long crm__calls;        /* calls since crm__alloc_fail_at() */
static long crm__outstanding;  /* live allocations */

void crm__alloc_fail_at(long n)
{
  crm__fail_at = n;
  crm__calls = 0;
}

long crm__alloc_outstanding(void)
{
  return crm__outstanding;
}

long crm__alloc_count(void)
{
  return crm__calls;
}

static int crm__should_fail(void)
{
  crm__calls++;
  return crm__fail_at > 0 && crm__calls == crm__fail_at;
}

void *crm__malloc(size_t n)
{
  void *p;

  if(crm__should_fail())
    return NULL;
  p = malloc(n ? n : 1);
  if(p)
    crm__outstanding++;
  return p;
}

void *crm__calloc(size_t n, size_t size)
{
  void *p;

  if(crm__should_fail())
    return NULL;
  p = calloc(n ? n : 1, size ? size : 1);
  if(p)
    crm__outstanding++;
  return p;
}

void *crm__realloc(void *p, size_t n)
{
  void *q;

  if(!p)
    return crm__malloc(n);
  if(crm__should_fail())
    return NULL;
  q = realloc(p, n ? n : 1);
  return q;
}

void crm__free(void *p)
{
  if(!p)
    return;
  crm__outstanding--;
  free(p);
}

char *crm__strndup(const char *s, size_t n)
{
  char *d;
  size_t len;

  if(!s)
    return NULL;
  len = strnlen(s, n);
  d = crm__malloc(len + 1);
  if(!d)
    return NULL;
  memcpy(d, s, len);
  d[len] = '\0';
  return d;
}

char *crm__strdup(const char *s)
{
  if(!s)
    return NULL;
  return crm__strndup(s, strlen(s));
}
