/*
 * echo_channel.c - a minimal SDK 1.4 channel plugin to copy. Its one
 * component, "echo_channel", "delivers" a message by appending a line to
 * a file, and answers like a provider would, by the address:
 *   contains "bounce"  CRM_SEND_PERMANENT (dead; the address marked bad)
 *   contains "busy"    CRM_SEND_TEMPORARY (retried with backoff)
 *   contains "slow"    CRM_SEND_RATE_LIMITED, Retry-After 2 s (the channel
 *                      slows down; the attempt does not count)
 *   otherwise          CRM_SEND_SENT, provider_ref "echo-<n>", and the line
 *                      "<idempotency key> <address> <subject>" appended
 * Like a provider that honours Idempotency-Key, it does not deliver a key
 * twice: a repeat is answered SENT with the first provider_ref and writes
 * nothing. (It remembers keys in this process only; a real provider keeps
 * them durably, which is what saves a message retried after a crash.)
 *
 * crm.conf:
 *   plugins = { load = ( { name = "echo_channel"; config = {
 *     path = "echo.log"; }; } ); };  # the default; relative to crm.conf
 *   communication = { channels = ( { name = "email";
 *     component = "echo_channel"; address = "email"; } ); };
 *
 * The core calls deliver from one thread at a time per loaded plugin, so
 * the state needs no lock; other processes may deliver at the same time.
 */
#define _POSIX_C_SOURCE 200809L /* open, write under -std=c11 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <crm/sdk.h>

struct echo_key { /* a key this "provider" accepted */
  struct echo_key *next;
  char ref[32];
  char key[]; /* the idempotency key */
};

struct echo_state {
  const crm_host_api *api;
  char path[4096];
  long n;                /* messages accepted: provider_ref "echo-<n>" */
  struct echo_key *keys; /* the keys accepted, newest first */
};

static int echo_init(const crm_host_api *api, crm_host_ctx *ctx,
                     void **state)
{
  struct echo_state *st = api->alloc(ctx, sizeof(*st));
  int rc;

  if(!st)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  memset(st, 0, sizeof(*st)); /* alloc does not zero */
  st->api = api;
  snprintf(st->path, sizeof(st->path), "echo.log"); /* the default */
  /* No CRM_HAS_MEMBER check: the loader refuses a 1.4 plugin on a core
   * older than 1.4, so every 1.4 host service is there. */
  rc = api->cfg_get_path(ctx, "path", st->path, sizeof(st->path));
  if(rc && rc != CRM_ENOTFOUND) {
    api->free(ctx, st);
    return api->set_error(ctx, CRM_ECONFIG, "path must be a file name "
                          "of up to %zu bytes", sizeof(st->path) - 1);
  }
  *state = st;
  return CRM_OK;
}

static void echo_fini(void *state, crm_host_ctx *ctx)
{
  struct echo_state *st = state;
  struct echo_key *k;

  while(st->keys) { /* fini runs only after init succeeded */
    k = st->keys;
    st->keys = k->next;
    st->api->free(ctx, k);
  }
  st->api->free(ctx, st);
}

/* One write() on an O_APPEND descriptor: writers never interleave. */
static int echo_append(const struct echo_state *st, const char *key,
                       const crm_message_view *msg, char *err, size_t size)
{
  char line[1024]; /* a key is at most 128 bytes: the line always fits */
  int n = snprintf(line, sizeof(line), "%s %.300s %.500s\n", key,
                   msg->address, msg->subject ? msg->subject : "-");
  int i;
  int fd = open(st->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  ssize_t w = -1;

  for(i = 0; i + 1 < n; i++) /* a subject never breaks the line */
    if(line[i] == '\n' || line[i] == '\r')
      line[i] = ' ';
  if(fd >= 0)
    w = write(fd, line, (size_t)n);
  if(w != n)
    snprintf(err, size, "cannot write %s: %s", st->path,
             w < 0 ? strerror(errno) : "short write");
  if(fd >= 0)
    close(fd);
  return w == n ? 0 : -1;
}

/* The fake provider's answers, by a word in the address. */
static const struct echo_rule {
  const char *word, *detail; /* detail: the provider's own words */
  int outcome, status;
  int64_t retry_ms;
} echo_rules[] = {
  {"bounce", "550 5.1.1 no such mailbox", CRM_SEND_PERMANENT, 550, 0},
  {"busy", "503 try again later", CRM_SEND_TEMPORARY, 503, 0},
  {"slow", "429 too many requests", CRM_SEND_RATE_LIMITED, 429, 2000},
};

/* The one callback of a 1.4 channel. Return 0 whenever out says what
 * happened (whatever the outcome); a negative CRM_E* with set_error is
 * taken as CRM_SEND_TEMPORARY. out is zeroed by the core. */
static int echo_deliver(void *state, crm_host_ctx *ctx,
                        const crm_message_view *msg, crm_send_result *out)
{
  struct echo_state *st = state;
  /* The same on every attempt of this message, never NULL on a 1.4+
   * core; a real channel sends it to its provider (Idempotency-Key). */
  const char *key = msg->idempotency_key;
  const struct echo_key *old = st->keys;
  const struct echo_rule *r;
  struct echo_key *k;
  size_t klen = strlen(key);

  while(old && strcmp(old->key, key)) /* a list is enough for an example */
    old = old->next;
  if(old) { /* the provider's dedupe: a repeat is not delivered again */
    out->outcome = CRM_SEND_SENT;
    snprintf(out->provider_ref, sizeof(out->provider_ref), "%s", old->ref);
    snprintf(out->detail, sizeof(out->detail), "duplicate of %s, not "
             "delivered again", old->ref);
    return CRM_OK;
  }
  /* msg->address is never NULL: the gate refuses a message without one */
  for(r = echo_rules; r < echo_rules + 3; r++) {
    if(strstr(msg->address, r->word)) {
      out->outcome = r->outcome;
      out->provider_status = r->status;    /* HTTP or SMTP code, 0: none */
      out->retry_after_ms = r->retry_ms;   /* 0: the core's backoff */
      snprintf(out->detail, sizeof(out->detail), "%s", r->detail);
      return CRM_OK;
    }
  }
  /* Allocate first: failing after the write would have it written twice */
  k = st->api->alloc(ctx, sizeof(*k) + klen + 1);
  if(!k)
    return st->api->set_error(ctx, CRM_ENOMEM, "out of memory");
  if(echo_append(st, key, msg, out->detail, sizeof(out->detail))) {
    st->api->free(ctx, k);
    out->outcome = CRM_SEND_TEMPORARY; /* the detail says why */
    return CRM_OK;
  }
  st->n++;
  snprintf(k->ref, sizeof(k->ref), "echo-%ld", st->n);
  memcpy(k->key, key, klen + 1);
  k->next = st->keys;
  st->keys = k;
  out->outcome = CRM_SEND_SENT;
  snprintf(out->provider_ref, sizeof(out->provider_ref), "%s", k->ref);
  return CRM_OK;
}

static const crm_channel_v1 echo_vt = {
  .struct_size = sizeof(crm_channel_v1),
  .deliver = echo_deliver,
};

static const crm_component echo_component = {
  .struct_size = sizeof(crm_component),
  .kind = CRM_KIND_CHANNEL,
  .name = "echo_channel", /* what a route's `component` names */
  .description = "appends messages to a file; answers by the address",
  .vtable = &echo_vt,
};

static const crm_component *const echo_components[] = {&echo_component};

static const crm_plugin_desc echo_desc = {
  CRM_PLUGIN_DESC_HEADER, /* stamps ABI 1.4: a 1.3 core refuses the file */
  .name = "echo_channel",
  .version = "0.1.0",
  .vendor = "example",
  .license = "MIT",
  .description = "Template plugin: an SDK 1.4 channel",
  .components = echo_components,
  .n_components = 1,
  .init = echo_init,
  .fini = echo_fini,
};

CRM_PLUGIN_DEFINE(echo_desc)
