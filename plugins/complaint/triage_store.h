/*
 * triage_store.h - the triage model in the plugin kv: the meta record,
 * the text form split across keys of at most TRI_PART_MAX bytes, and the
 * cache in the state kept current with the meta (see triage.c). Private
 * to the triage plugin (static functions, included once by triage.c).
 */
#ifndef TRIAGE_STORE_H
#define TRIAGE_STORE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "triage_cfg.h"

#define TRI_PART_MAX 60000


/* ---- the stored model ------------------------------------------------------ */

struct tri_meta {
  int64_t gen, cases, vocab, cats, parts, bytes;
};

#define TRI_PARTS_MAX 1024

/* "v1 gen=1 cases=6 vocab=8 cats=2 parts=1 bytes=97" -> m; -1 if bad. */
static int tri_meta_parse(const char *s, struct tri_meta *m)
{
  static const char *const keys[] = {"gen=", "cases=", "vocab=", "cats=",
                                     "parts=", "bytes="};
  int64_t *out[] = {&m->gen, &m->cases, &m->vocab, &m->cats, &m->parts,
                    &m->bytes};
  const char *p = s;
  size_t i;

  if(strncmp(p, "v1", 2))
    return -1;
  p += 2;
  for(i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
    size_t n = strlen(keys[i]);
    char *end;
    long long v;

    if(*p != ' ' || strncmp(p + 1, keys[i], n))
      return -1;
    p += 1 + n;
    errno = 0;
    v = strtoll(p, &end, 10);
    if(end == p || errno || v < 0 || (*end && *end != ' '))
      return -1;
    *out[i] = v;
    p = end;
  }
  if(*p || m->parts > TRI_PARTS_MAX ||
     m->bytes > (int64_t)TRI_PART_MAX * m->parts)
    return -1;
  return 0;
}

/* Reads the parts of meta into one text (host-allocated). */
static int tri_parts_read(struct tri_state *st, crm_host_ctx *ctx,
                          const struct tri_meta *m, char **out)
{
  char *text = st->api->alloc(ctx, (size_t)m->bytes + 1);
  size_t len = 0;
  char key[32];
  char *part;
  int64_t i;
  int rc = CRM_OK;

  if(!text)
    return st->api->set_error(ctx, CRM_ENOMEM, "out of memory");
  for(i = 0; i < m->parts && !rc; i++) {
    size_t n;

    snprintf(key, sizeof(key), "nb:%lld", (long long)i);
    rc = st->api->kv_get(ctx, key, &part);
    if(rc == CRM_ENOTFOUND)
      rc = st->api->set_error(ctx, CRM_ECORRUPT, "stored triage model "
                              "lacks part %s; run crm case train", key);
    if(rc)
      break;
    n = strlen(part);
    if(n > (size_t)m->bytes - len)
      rc = st->api->set_error(ctx, CRM_ECORRUPT, "stored triage model "
                              "part %s is too long; run crm case train",
                              key);
    else
      memcpy(text + len, part, n);
    len += n;
    st->api->free(ctx, part);
  }
  text[len < (size_t)m->bytes ? len : (size_t)m->bytes] = '\0';
  if(rc) {
    st->api->free(ctx, text);
    return rc;
  }
  *out = text;
  return CRM_OK;
}

/* Makes the cache current with nb:meta (no meta: an empty model). */
static int tri_model_load(struct tri_state *st, crm_host_ctx *ctx)
{
  struct tri_model fresh;
  struct tri_meta m;
  char *meta = NULL;
  char *text = NULL;
  int rc;

  rc = st->api->kv_get(ctx, "nb:meta", &meta);
  if(rc == CRM_ENOTFOUND) {
    tri_model_free(st->api, ctx, &st->model);
    st->meta[0] = '\0';
    return CRM_OK;
  }
  if(rc)
    return rc;
  if(!strcmp(meta, st->meta)) {
    st->api->free(ctx, meta);
    return CRM_OK;
  }
  if(strlen(meta) >= sizeof(st->meta) || tri_meta_parse(meta, &m)) {
    rc = st->api->set_error(ctx, CRM_ECORRUPT, "stored triage model has a "
                            "bad nb:meta \"%.60s\"; run crm case train",
                            meta);
    st->api->free(ctx, meta);
    return rc;
  }
  memset(&fresh, 0, sizeof(fresh));
  rc = tri_parts_read(st, ctx, &m, &text);
  if(!rc)
    rc = tri_model_parse(st->api, ctx, &fresh, text);
  st->api->free(ctx, text);
  if(rc) {
    tri_model_free(st->api, ctx, &fresh);
    st->api->free(ctx, meta);
    return rc;
  }
  tri_model_free(st->api, ctx, &st->model);
  st->model = fresh;
  memcpy(st->meta, meta, strlen(meta) + 1);
  st->api->free(ctx, meta);
  return CRM_OK;
}

/* Writes the text form in parts cut at line ends; deletes the parts of
 * an older, longer model. */
static int tri_parts_write(struct tri_state *st, crm_host_ctx *ctx,
                           char *text, size_t len, int64_t old_parts,
                           int64_t *parts)
{
  char key[32];
  size_t off = 0;
  int64_t i = 0;
  int rc = CRM_OK;

  while(off < len && !rc) {
    size_t n = len - off;
    char save;

    if(n > TRI_PART_MAX) {
      n = TRI_PART_MAX;
      while(n > 0 && text[off + n - 1] != '\n')
        n--;
      if(!n)
        return st->api->set_error(ctx, CRM_ERANGE, "a model line is longer "
                                  "than %d bytes", TRI_PART_MAX);
    }
    snprintf(key, sizeof(key), "nb:%lld", (long long)i++);
    save = text[off + n];
    text[off + n] = '\0';
    rc = st->api->kv_put(ctx, key, text + off);
    text[off + n] = save;
    off += n;
  }
  *parts = i;
  for(; i < old_parts && !rc; i++) {
    snprintf(key, sizeof(key), "nb:%lld", (long long)i);
    rc = st->api->kv_put(ctx, key, NULL);
    if(rc == CRM_ENOTFOUND)
      rc = CRM_OK;
  }
  return rc;
}

#endif /* TRIAGE_STORE_H */
