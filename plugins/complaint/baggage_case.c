/*
 * baggage_case.c - the `baggage_case` complaint handler of the airline
 * pack (SDK 1.5): a delayed or lost bag, with the airline's fixed
 * compensation instead of the agent's choice. An example of an industry
 * pack replacing the default handler (conf/packs/airline_complaints.conf).
 *
 * Built only against crm/sdk.h, as any out-of-tree plugin is.
 *
 * States and moves: the standard ones of case_machine.h, shared with
 * basic_case (New, Assigned, In progress, Waiting on customer, Resolved,
 * Closed, Rejected, Duplicate; Resolved -> In progress reopens). A
 * refused move says
 * "cannot move case C-000042 from New to Closed; allowed: ...".
 *
 * open(): a case is a "baggage" case, priority `priority` (default 2).
 * The core's rule still holds: a category or priority given by the
 * caller, or decided by a triage component, wins over the handler's.
 *
 * On a move to Resolved of a "baggage" case (any letter case) the
 * compensation is the pack's, whatever the agent asked for:
 * lost_bag_points when the summary says the bag is lost (a word of
 * lost_words, default "lost", "missing", "stolen"), else
 * delayed_bag_points; no voucher item; comp_note names the rule. The
 * amount is per bag, not per resolution: what the pack granted a case is
 * kept in the plugin kv ("granted:<case id>", written in the resolve's
 * transaction), and a reopened case resolved again gets only what is
 * still due (nothing for the same bag; the difference when the rule now
 * gives more). A case of another category keeps the agent's request, as
 * with basic_case. The core still checks the result against
 * complaints.compensation, so the admin's limit for "baggage" must allow
 * these amounts (max_points >= lost_bag_points per case).
 *
 * A plain move to Resolved (crm_case_move) goes through the core's resolve
 * path too: the fixed amount is granted either way.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crm/sdk.h"

#include "case_machine.h"

#define BG_WORDS_MAX 16
#define BG_WORD_MAX 32

struct bg_state {
  const crm_host_api *api; /* first (case_machine.h) */
  int64_t delayed_points;
  int64_t lost_points;
  int priority;
  char words[BG_WORDS_MAX][BG_WORD_MAX + 1];
  size_t n_words;
};

/* ---- config --------------------------------------------------------------- */

static int bg_cfg_words(const crm_host_api *api, crm_host_ctx *ctx,
                        struct bg_state *st)
{
  static const char *const dflt[] = {"lost", "missing", "stolen"};
  const char *s;
  char path[32];
  size_t i;
  int rc;

  st->n_words = 0;
  if(api->cfg_get_str(ctx, "lost_words", &s) == CRM_OK)
    return api->set_error(ctx, CRM_ECONFIG, "lost_words must be a list "
                          "such as [\"lost\", \"missing\"]");
  for(i = 0;; i++) {
    snprintf(path, sizeof(path), "lost_words.[%zu]", i);
    rc = api->cfg_get_str(ctx, path, &s);
    if(rc == CRM_ENOTFOUND)
      break;
    if(rc || !s[0] || strlen(s) > BG_WORD_MAX)
      return api->set_error(ctx, CRM_ECONFIG, "%s must be a word of 1 to "
                            "%d bytes", path, BG_WORD_MAX);
    if(i == BG_WORDS_MAX)
      return api->set_error(ctx, CRM_ECONFIG, "lost_words has more than %d "
                            "words", BG_WORDS_MAX);
    memcpy(st->words[st->n_words++], s, strlen(s) + 1);
  }
  for(i = 0; !st->n_words && i < sizeof(dflt) / sizeof(dflt[0]); i++)
    snprintf(st->words[i], sizeof(st->words[i]), "%s", dflt[i]);
  if(!st->n_words)
    st->n_words = sizeof(dflt) / sizeof(dflt[0]);
  return CRM_OK;
}

static int bg_read_config(const crm_host_api *api, crm_host_ctx *ctx,
                          void *state)
{
  struct bg_state *st = state;
  int64_t prio = 2;
  int rc;

  st->delayed_points = 3000;
  st->lost_points = 10000;
  rc = cm_cfg_int(api, ctx, "delayed_bag_points", 0, INT32_MAX,
                  &st->delayed_points);
  if(!rc)
    rc = cm_cfg_int(api, ctx, "lost_bag_points", 0, INT32_MAX,
                    &st->lost_points);
  if(!rc)
    rc = cm_cfg_int(api, ctx, "priority", 1, 4, &prio);
  if(!rc)
    rc = bg_cfg_words(api, ctx, st);
  st->priority = (int)prio;
  return rc;
}

static int bg_init(const crm_host_api *api, crm_host_ctx *ctx, void **state)
{
  return cm_state_init(api, ctx, sizeof(struct bg_state), bg_read_config,
                       state);
}

static int bg_reconfigure(void *state, crm_host_ctx *ctx)
{
  return cm_state_reread(state, ctx, sizeof(struct bg_state),
                         bg_read_config);
}

/* ---- open ----------------------------------------------------------------- */

static int bg_open(void *state, crm_host_ctx *ctx, const crm_case_view *c,
                   crm_case_decision *out)
{
  struct bg_state *st = state;

  (void)ctx;
  (void)c;
  snprintf(out->state, sizeof(out->state), "%s", cm_states[CM_NEW]);
  snprintf(out->category, sizeof(out->category), "baggage");
  out->priority = st->priority;
  return CRM_OK;
}

/* ---- transitions ------------------------------------------------------------ */

/* What the pack granted case id before ("granted:<id>"), 0 if nothing. */
static int bg_granted(const struct bg_state *st, crm_host_ctx *ctx,
                      int64_t id, int64_t *out)
{
  char key[40];
  char *v = NULL;
  char *end;
  long long n;
  int rc;

  *out = 0;
  snprintf(key, sizeof(key), "granted:%lld", (long long)id);
  rc = st->api->kv_get(ctx, key, &v);
  if(rc == CRM_ENOTFOUND)
    return CRM_OK;
  if(rc)
    return rc;
  errno = 0;
  n = strtoll(v, &end, 10);
  if(end == v || *end || errno || n < 0)
    rc = st->api->set_error(ctx, CRM_ECORRUPT, "kv %s holds \"%.20s\", "
                            "not the points granted; restore the number "
                            "in the store", key, v);
  else
    *out = n;
  st->api->free(ctx, v);
  return rc;
}

/* The pack's compensation replaces the agent's on a baggage case: what
 * is due for the bag less what the pack granted the case before. */
static int bg_compensate(const struct bg_state *st, crm_host_ctx *ctx,
                         const crm_case_view *c, crm_case_decision *out)
{
  const char *lost = NULL;
  char key[40], val[24], more[64];
  int64_t due, before;
  size_t i;
  int n, rc;

  if(!CRM_HAS_MEMBER(out, crm_case_decision, comp_note) || !c->category ||
     strcasecmp(c->category, "baggage"))
    return CRM_OK;
  for(i = 0; i < st->n_words && !lost; i++) {
    if(cm_has_word(c->summary, st->words[i], strlen(st->words[i]), 0))
      lost = st->words[i];
  }
  due = lost ? st->lost_points : st->delayed_points;
  rc = bg_granted(st, ctx, c->case_id, &before);
  if(rc)
    return rc;
  out->comp_points = due > before ? due - before : 0;
  out->comp_item[0] = '\0';
  more[0] = '\0';
  if(before)
    snprintf(more, sizeof(more), " (%lld less %lld granted before)",
             (long long)due, (long long)before);
  n = -1;
  if(lost)
    n = snprintf(out->comp_note, sizeof(out->comp_note), "lost bag "
                 "(\"%s\"): %lld points%s, airline pack", lost,
                 (long long)out->comp_points, more);
  if(n < 0 || (size_t)n >= sizeof(out->comp_note)) /* a long word: left out */
    snprintf(out->comp_note, sizeof(out->comp_note), "%s bag: %lld "
             "points%s, airline pack", lost ? "lost" : "delayed",
             (long long)out->comp_points, more);
  if(!out->comp_points)
    return CRM_OK;
  snprintf(key, sizeof(key), "granted:%lld", (long long)c->case_id);
  snprintf(val, sizeof(val), "%lld", (long long)(before + out->comp_points));
  return st->api->kv_put(ctx, key, val);
}

static int bg_transition(void *state, crm_host_ctx *ctx,
                         const crm_case_view *c, const char *to,
                         crm_case_decision *out)
{
  struct bg_state *st = state;
  int to_i;
  int rc;

  rc = cm_check_move(st->api, ctx, c, to, 0, &to_i);
  if(rc)
    return rc;
  snprintf(out->state, sizeof(out->state), "%s", cm_states[to_i]);
  if(to_i == CM_RESOLVED)
    return bg_compensate(st, ctx, c, out);
  return CRM_OK;
}

static const crm_complaint_v1 bg_vtable = {
  .struct_size = sizeof(crm_complaint_v1),
  .states = cm_states,
  .open = bg_open,
  .transition = bg_transition,
};

static const crm_component bg_component = {
  .struct_size = sizeof(crm_component),
  .kind = CRM_KIND_COMPLAINT,
  .name = "baggage_case",
  .description = "delayed and lost bags with the airline's fixed "
                 "compensation",
  .vtable = &bg_vtable,
};

static const crm_component *const bg_components[] = {&bg_component};

static const crm_plugin_desc bg_desc = {
  CRM_PLUGIN_DESC_HEADER,
  .name = "baggage_case",
  .version = "1.5.0",
  .vendor = "crmcore",
  .license = "MIT",
  .description = "Airline pack: delayed-baggage cases with fixed "
                 "compensation",
  .components = bg_components,
  .n_components = 1,
  .init = bg_init,
  .fini = cm_state_fini,
  .reconfigure = bg_reconfigure,
};

CRM_PLUGIN_DEFINE(bg_desc)
