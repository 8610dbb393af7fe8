/*
 * case_machine.h - what the complaint plugins of this folder share
 * (basic_case.c, baggage_case.c, triage.c): the SDK 1.5 standard case
 * states and the moves allowed between them, the transition check with
 * its refusal messages, the standard categories' default priorities and
 * the readers of the `priority` table and of bounded integers in a
 * plugin's `config` group, and the life of a plugin state that is one
 * flat struct.
 *
 * Each plugin includes this file (static functions only, as
 * plugins/channel/http_common.h): plugins share no code at run time and
 * each .so builds on its own against crm/sdk.h.
 *
 * The standard moves:
 *   New                 -> Assigned, In progress, Waiting on customer,
 *                          Resolved, Rejected, Duplicate
 *   Assigned            -> Assigned (reassign), In progress, Waiting on
 *                          customer, Resolved, Rejected, Duplicate
 *   In progress         -> Assigned, Waiting on customer, Resolved,
 *                          Rejected, Duplicate
 *   Waiting on customer -> Assigned, In progress, Resolved, Closed,
 *                          Rejected, Duplicate
 *   Resolved            -> In progress (reopen), Closed
 *   Closed, Rejected, Duplicate: final.
 * A handler may allow New -> Closed too (basic_case's allow_close_new).
 * A refused move: CRM_ESTATE "cannot move case C-000042 from Resolved to
 * New; allowed: In progress, Closed" (the case id instead of the number
 * on a core older than 1.5). State names match case-insensitively.
 */
#ifndef CRM_CASE_MACHINE_H
#define CRM_CASE_MACHINE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "crm/sdk.h"

/* ---- the standard states and moves ------------------------------------- */

static const char *const cm_states[] = {
  CRM_CASE_NEW, CRM_CASE_ASSIGNED, CRM_CASE_IN_PROGRESS, CRM_CASE_WAITING,
  CRM_CASE_RESOLVED, CRM_CASE_CLOSED, CRM_CASE_REJECTED, CRM_CASE_DUPLICATE,
  NULL};

#define CM_STATES_TEXT                                                      \
  "New, Assigned, In progress, Waiting on customer, Resolved, Closed, "     \
  "Rejected, Duplicate"

enum {
  CM_NEW,
  CM_ASSIGNED,
  CM_PROGRESS,
  CM_WAITING,
  CM_RESOLVED,
  CM_CLOSED,
  CM_REJECTED,
  CM_DUPLICATE,
  CM_N_STATES
};

#define CM_BIT(s) (1u << (s))
#define CM_OUT (CM_BIT(CM_REJECTED) | CM_BIT(CM_DUPLICATE))

/* One mask of allowed targets per state (see the top of the file). */
static const unsigned cm_moves[CM_N_STATES] = {
  [CM_NEW] = CM_BIT(CM_ASSIGNED) | CM_BIT(CM_PROGRESS) | CM_BIT(CM_WAITING) |
             CM_BIT(CM_RESOLVED) | CM_OUT,
  [CM_ASSIGNED] = CM_BIT(CM_ASSIGNED) | CM_BIT(CM_PROGRESS) |
                  CM_BIT(CM_WAITING) | CM_BIT(CM_RESOLVED) | CM_OUT,
  [CM_PROGRESS] = CM_BIT(CM_ASSIGNED) | CM_BIT(CM_WAITING) |
                  CM_BIT(CM_RESOLVED) | CM_OUT,
  [CM_WAITING] = CM_BIT(CM_ASSIGNED) | CM_BIT(CM_PROGRESS) |
                 CM_BIT(CM_RESOLVED) | CM_BIT(CM_CLOSED) | CM_OUT,
  [CM_RESOLVED] = CM_BIT(CM_PROGRESS) | CM_BIT(CM_CLOSED),
};

/* The index of a state name (any letter case), -1 unknown. */
static inline int cm_state_index(const char *name)
{
  int i;

  for(i = 0; name && i < CM_N_STATES; i++) {
    if(!strcasecmp(name, cm_states[i]))
      return i;
  }
  return -1;
}

/* close_new: the handler also allows New -> Closed. */
static inline int cm_allowed(int close_new, int from, int to)
{
  if(from == CM_NEW && to == CM_CLOSED && close_new)
    return 1;
  return (cm_moves[from] & CM_BIT(to)) != 0;
}

/* "Assigned, In progress, ..." or "none (Closed is final)". */
static inline void cm_allowed_list(int close_new, int from, char *buf,
                                   size_t size)
{
  size_t len = 0;
  int to, n;

  buf[0] = '\0';
  for(to = 0; to < CM_N_STATES; to++) {
    if(!cm_allowed(close_new, from, to))
      continue;
    n = snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
                 cm_states[to]);
    if(n < 0 || (size_t)n >= size - len)
      return;
    len += (size_t)n;
  }
  if(!len)
    snprintf(buf, size, "none (%s is final)", cm_states[from]);
}

/* "C-000042" from a 1.5 host, else "12" (the id). */
static inline const char *cm_case_name(const crm_case_view *c, char *buf,
                                       size_t size)
{
  if(CRM_HAS_MEMBER(c, crm_case_view, number) && c->number && *c->number)
    return c->number;
  snprintf(buf, size, "%lld", (long long)c->case_id);
  return buf;
}

/* May case c move to state `to`? CRM_OK with the target's index in
 * *to_i (its canonical name is cm_states[*to_i]); else the error is set:
 * CRM_EINVAL for an unknown target, CRM_ESTATE for a case in an unknown
 * state or a move the standard flow does not allow. */
static inline int cm_check_move(const crm_host_api *api, crm_host_ctx *ctx,
                                const crm_case_view *c, const char *to,
                                int close_new, int *to_i)
{
  int from = cm_state_index(c->state);
  char allowed[160];
  char name[32];

  *to_i = cm_state_index(to);
  if(*to_i < 0)
    return api->set_error(ctx, CRM_EINVAL,
                          "unknown case state \"%s\"; states: %s",
                          to ? to : "", CM_STATES_TEXT);
  if(from < 0)
    return api->set_error(ctx, CRM_ESTATE,
                          "case %s is in unknown state \"%s\"",
                          cm_case_name(c, name, sizeof(name)),
                          c->state ? c->state : "");
  if(!cm_allowed(close_new, from, *to_i)) {
    cm_allowed_list(close_new, from, allowed, sizeof(allowed));
    return api->set_error(ctx, CRM_ESTATE,
                          "cannot move case %s from %s to %s; "
                          "allowed: %s",
                          cm_case_name(c, name, sizeof(name)),
                          cm_states[from], cm_states[*to_i], allowed);
  }
  return CRM_OK;
}

/* ---- the standard categories ------------------------------------------- */

#define CM_DEFAULT_PRIORITY 3 /* a category outside the table */
#define CM_NAME_MAX 31        /* of a category used in a config path */

/* Priority 1 (urgent) .. 4 (low) by default; "other" last. */
static const struct {
  const char *name;
  int priority;
} cm_categories[] = {
  {"quality", 2},
  {"delivery", 2},
  {"billing", 2},
  {"service", 3},
  {"other", 4},
};

#define CM_N_CATS (sizeof(cm_categories) / sizeof(cm_categories[0]))

/* The index of a standard category (any letter case), -1 none. */
static inline int cm_category_index(const char *cat)
{
  size_t i;

  for(i = 0; cat && i < CM_N_CATS; i++) {
    if(!strcasecmp(cat, cm_categories[i].name))
      return (int)i;
  }
  return -1;
}

/* A config path component must be a libconfig name (ASCII letter, then
 * letters, digits, '_' or '-'; at most CM_NAME_MAX bytes). */
static inline int cm_is_name(const char *s)
{
  size_t i;

  for(i = 0; s[i]; i++) {
    unsigned char u = (unsigned char)s[i];
    int alpha = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z');

    if(!alpha && (!i || !((u >= '0' && u <= '9') || u == '_' || u == '-')))
      return 0;
  }
  return i > 0 && i <= CM_NAME_MAX;
}

/* ---- keywords ---------------------------------------------------------- */

/* Letters, digits and the bytes of non-ASCII characters. */
static inline int cm_word_char(unsigned char u)
{
  return u >= 0x80 || (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') ||
         (u >= 'A' && u <= 'Z');
}

/* Do the n bytes of kw occur in text as a whole word (with stem: as the
 * start of a word)? Case-insensitive (ASCII); kw may hold several words
 * ("lost parcel"). */
static inline int cm_has_word(const char *text, const char *kw, size_t n,
                              int stem)
{
  const char *p;

  if(!n || !text)
    return 0;
  for(p = text; *p; p++) {
    if(p > text && cm_word_char((unsigned char)p[-1]))
      continue;
    if(strncasecmp(p, kw, n))
      continue;
    if(stem || !cm_word_char((unsigned char)p[n]))
      return 1;
  }
  return 0;
}

/* A keyword: a whole word, or with a trailing '*' a stem that may go on
 * ("deliver*": delivery, delivered; "late" is not in "chocolate"). */
static inline int cm_has_keyword(const char *text, const char *kw)
{
  size_t n = strlen(kw);
  int stem = n > 0 && kw[n - 1] == '*';

  return cm_has_word(text, kw, stem ? n - 1 : n, stem);
}

/* ---- config readers ---------------------------------------------------- */

/* An integer setting in lo..hi; absent: *out stays. range says the
 * bounds in the message ("1 (urgent) and 4 (low)"), NULL: the numbers. */
static inline int cm_cfg_int_range(const crm_host_api *api,
                                   crm_host_ctx *ctx, const char *path,
                                   int64_t lo, int64_t hi, const char *range,
                                   int64_t *out)
{
  int64_t v = *out;
  int rc = api->cfg_get_int(ctx, path, &v);

  if(rc == CRM_ENOTFOUND)
    return CRM_OK;
  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be an integer", path);
  if(rc)
    return rc;
  if((v < lo || v > hi) && range)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be between %s "
                          "(got %lld)", path, range, (long long)v);
  if(v < lo || v > hi)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be between %lld and "
                          "%lld (got %lld)", path, (long long)lo,
                          (long long)hi, (long long)v);
  *out = v;
  return CRM_OK;
}

static inline int cm_cfg_int(const crm_host_api *api, crm_host_ctx *ctx,
                             const char *path, int64_t lo, int64_t hi,
                             int64_t *out)
{
  return cm_cfg_int_range(api, ctx, path, lo, hi, NULL, out);
}

/* priority.<cat> (1..4) into *out; absent: *out stays. range as above. */
static inline int cm_cfg_priority(const crm_host_api *api, crm_host_ctx *ctx,
                                  const char *cat, const char *range,
                                  int *out)
{
  char path[64];
  int64_t v = *out;
  int rc;

  snprintf(path, sizeof(path), "priority.%s", cat);
  rc = cm_cfg_int_range(api, ctx, path, 1, 4, range, &v);
  if(!rc)
    *out = (int)v;
  return rc;
}

/* priority.<cat> when cat can name a setting, else prio; a bad setting
 * is logged and CM_DEFAULT_PRIORITY used (a case still opens). */
static inline int cm_priority_setting(const crm_host_api *api,
                                      crm_host_ctx *ctx, const char *cat,
                                      const char *range, int prio)
{
  if(cm_is_name(cat) && cm_cfg_priority(api, ctx, cat, range, &prio)) {
    api->log(ctx, CRM_LOG_WARN, "ignoring priority.%s: must be 1..4", cat);
    prio = CM_DEFAULT_PRIORITY;
  }
  return prio;
}

/* ---- a plugin state that is one flat struct ---------------------------- */

/* The struct's first member is its `const crm_host_api *api`; read fills
 * the settings in (it sees the old ones on a reconfigure). */
typedef int (*cm_read_fn)(const crm_host_api *api, crm_host_ctx *ctx,
                          void *st);

static inline int cm_state_init(const crm_host_api *api, crm_host_ctx *ctx,
                                size_t size, cm_read_fn read, void **state)
{
  void *st = api->alloc(ctx, size);
  int rc;

  if(!st)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  memset(st, 0, size);
  *(const crm_host_api **)st = api;
  rc = read(api, ctx, st);
  if(rc) {
    api->free(ctx, st);
    return rc;
  }
  *state = st;
  return CRM_OK;
}

static inline void cm_state_fini(void *state, crm_host_ctx *ctx)
{
  if(state)
    (*(const crm_host_api **)state)->free(ctx, state);
}

/* Reads the settings again; on an error the old ones stay. */
static inline int cm_state_reread(void *state, crm_host_ctx *ctx,
                                  size_t size, cm_read_fn read)
{
  const crm_host_api *api = *(const crm_host_api **)state;
  void *tmp = api->alloc(ctx, size);
  int rc;

  if(!tmp)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  memcpy(tmp, state, size);
  rc = read(api, ctx, tmp);
  if(!rc)
    memcpy(state, tmp, size);
  api->free(ctx, tmp);
  return rc;
}

#endif /* CRM_CASE_MACHINE_H */
