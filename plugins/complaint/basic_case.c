/*
 * basic_case.c - the `basic_case` complaint component: the default case
 * handler (SDK 1.5 standard states) with keyword classification.
 *
 * Built only against crm/sdk.h, as any out-of-tree plugin is.
 *
 * States: New (cases open here), Assigned, In progress, Waiting on
 * customer, Resolved, Closed, Rejected, Duplicate. The core keys its SLA,
 * reopen, merge and survey rules on these names; this handler only says
 * which moves are allowed:
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
 * With allow_close_new = true a New case may also be closed directly (the
 * transition callback does not see the note, so the rule cannot depend on
 * one). Anything else is refused with CRM_ESTATE, e.g.
 *   "cannot move case C-000042 from Resolved to New; allowed: In
 *    progress, Closed"
 * (the case id instead of the number on a core older than 1.5). State
 * names match case-insensitively; the decision carries the canonical
 * spelling. On a move to Resolved the compensation the agent asked for is
 * kept as it is: the limits per category are the core's
 * (complaints.compensation).
 *
 * open(): a case without a category is classified by the first keyword
 * group with a keyword in the summary (case-insensitive), in this order
 * (the product's condition first: "arrived broken" is about quality):
 *   quality   broken, defect*, quality, damage*, faulty, not work*
 *   delivery  deliver*, late, delay*, shipping, shipment*, arriv*,
 *             lost parcel
 *   billing   charge, charged, charges, overcharg*, refund*, invoice*,
 *             bill, bills, billed, billing, payment*
 *   service   rude*, staff, service, services, unhelpful, manager*
 *   other     anything else
 * A keyword matches whole words: it starts a word and ends one ("late"
 * is not in "latest" nor "chocolate", "charge" not in "charger", "bill"
 * not in "billion"). A trailing '*' makes it a stem that may go on
 * ("deliver*": delivery, delivered). Letters, digits and non-ASCII bytes
 * are word characters.
 * Priority (1 urgent .. 4 low) comes from the category: config group
 * `priority` (e.g. priority = { billing = 1; }) overrides the defaults
 * delivery 2, quality 2, billing 2, service 3, other 4; a category given
 * by the caller that is not in the table gets priority.<category> or 3.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "crm/sdk.h"

#define BC_N_CATS 5
#define BC_DEFAULT_PRIORITY 3

static const char *const bc_states[] = {
  CRM_CASE_NEW, CRM_CASE_ASSIGNED, CRM_CASE_IN_PROGRESS, CRM_CASE_WAITING,
  CRM_CASE_RESOLVED, CRM_CASE_CLOSED, CRM_CASE_REJECTED, CRM_CASE_DUPLICATE,
  NULL};

#define BC_STATES_TEXT                                                      \
  "New, Assigned, In progress, Waiting on customer, Resolved, Closed, "     \
  "Rejected, Duplicate"

enum {
  BC_NEW,
  BC_ASSIGNED,
  BC_PROGRESS,
  BC_WAITING,
  BC_RESOLVED,
  BC_CLOSED,
  BC_REJECTED,
  BC_DUPLICATE,
  BC_N_STATES
};

struct bc_category {
  const char *name;
  int default_priority;
  const char *const *keywords;
};

/* Whole words; a trailing '*' marks a stem (see the top of the file). */
static const char *const bc_kw_delivery[] = {
  "deliver*", "late", "delay*", "shipping", "shipment*", "arriv*",
  "lost parcel", NULL};
static const char *const bc_kw_quality[] = {
  "broken", "defect*", "quality", "damage*", "faulty", "not work*", NULL};
static const char *const bc_kw_billing[] = {
  "charge", "charged", "charges", "overcharg*", "refund*", "invoice*",
  "bill", "bills", "billed", "billing", "payment*", NULL};
static const char *const bc_kw_service[] = {
  "rude*", "staff", "service", "services", "unhelpful", "manager*", NULL};
static const char *const bc_kw_none[] = {NULL};

static const struct bc_category bc_categories[BC_N_CATS] = {
  {"quality", 2, bc_kw_quality},
  {"delivery", 2, bc_kw_delivery},
  {"billing", 2, bc_kw_billing},
  {"service", 3, bc_kw_service},
  {"other", 4, bc_kw_none},
};

struct bc_state {
  const crm_host_api *api;
  int priority[BC_N_CATS];
  int allow_close_new;
};

/* ---- config --------------------------------------------------------------- */

static int bc_cfg_priority(const crm_host_api *api, crm_host_ctx *ctx,
                           const char *cat, int *out)
{
  char path[64];
  int64_t v = *out;
  int rc;

  snprintf(path, sizeof(path), "priority.%s", cat);
  rc = api->cfg_get_int(ctx, path, &v);
  if(rc == CRM_ENOTFOUND)
    return CRM_OK;
  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be an integer", path);
  if(rc)
    return rc;
  if(v < 1 || v > 4)
    return api->set_error(ctx, CRM_ECONFIG,
                          "%s must be between 1 (urgent) and 4 (low) "
                          "(got %lld)", path, (long long)v);
  *out = (int)v;
  return CRM_OK;
}

static int bc_read_config(const crm_host_api *api, crm_host_ctx *ctx,
                          struct bc_state *out)
{
  size_t i;
  int rc;

  for(i = 0; i < BC_N_CATS; i++) {
    out->priority[i] = bc_categories[i].default_priority;
    rc = bc_cfg_priority(api, ctx, bc_categories[i].name, &out->priority[i]);
    if(rc)
      return rc;
  }
  out->allow_close_new = 0;
  rc = api->cfg_get_bool(ctx, "allow_close_new", &out->allow_close_new);
  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG,
                          "allow_close_new must be true or false");
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  return CRM_OK;
}

static int bc_init(const crm_host_api *api, crm_host_ctx *ctx, void **state)
{
  struct bc_state tmp;
  struct bc_state *st;
  int rc;

  memset(&tmp, 0, sizeof(tmp));
  tmp.api = api;
  rc = bc_read_config(api, ctx, &tmp);
  if(rc)
    return rc;
  st = api->alloc(ctx, sizeof(*st));
  if(!st)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  *st = tmp;
  *state = st;
  return CRM_OK;
}

static void bc_fini(void *state, crm_host_ctx *ctx)
{
  struct bc_state *st = state;

  if(st)
    st->api->free(ctx, st);
}

static int bc_reconfigure(void *state, crm_host_ctx *ctx)
{
  struct bc_state *st = state;
  struct bc_state tmp = *st;
  int rc;

  rc = bc_read_config(st->api, ctx, &tmp);
  if(rc)
    return rc; /* the old settings stay */
  *st = tmp;
  return CRM_OK;
}

/* ---- classification ---------------------------------------------------------- */

/* Letters, digits and the bytes of non-ASCII characters. */
static int bc_word_char(char ch)
{
  unsigned char u = (unsigned char)ch;

  return u >= 0x80 || isalnum(u);
}

/* Case-insensitive: does kw occur in text as a whole word (or, with a
 * trailing '*', as the start of a word)? */
static int bc_has_word(const char *text, const char *kw)
{
  size_t n = strlen(kw);
  int stem = n > 0 && kw[n - 1] == '*';
  const char *p;

  if(stem)
    n--;
  for(p = text; *p; p++) {
    if(p > text && bc_word_char(p[-1]))
      continue;
    if(strncasecmp(p, kw, n))
      continue;
    if(stem || !bc_word_char(p[n]))
      return 1;
  }
  return 0;
}

static size_t bc_classify(const char *summary)
{
  size_t i, k;

  if(!summary)
    return BC_N_CATS - 1;
  for(i = 0; i < BC_N_CATS; i++) {
    for(k = 0; bc_categories[i].keywords[k]; k++) {
      if(bc_has_word(summary, bc_categories[i].keywords[k]))
        return i;
    }
  }
  return BC_N_CATS - 1;
}

/* A config path component must be a libconfig name. */
static int bc_is_name(const char *s)
{
  size_t i;

  if(!isalpha((unsigned char)s[0]))
    return 0;
  for(i = 1; s[i]; i++) {
    if(!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
      return 0;
  }
  return i < 32;
}

static int bc_priority_of(struct bc_state *st, crm_host_ctx *ctx,
                          const char *cat)
{
  int prio = BC_DEFAULT_PRIORITY;
  size_t i;

  for(i = 0; i < BC_N_CATS; i++) {
    if(!strcasecmp(cat, bc_categories[i].name))
      return st->priority[i];
  }
  if(bc_is_name(cat) && bc_cfg_priority(st->api, ctx, cat, &prio)) {
    st->api->log(ctx, CRM_LOG_WARN, "ignoring priority.%s: must be 1..4",
                 cat);
    prio = BC_DEFAULT_PRIORITY;
  }
  return prio;
}

static int bc_open(void *state, crm_host_ctx *ctx, const crm_case_view *c,
                   crm_case_decision *out)
{
  struct bc_state *st = state;
  const char *cat = c->category;

  if(!cat || !*cat) {
    cat = bc_categories[bc_classify(c->summary)].name;
    snprintf(out->category, sizeof(out->category), "%s", cat);
  }
  snprintf(out->state, sizeof(out->state), "%s", bc_states[BC_NEW]);
  out->priority = bc_priority_of(st, ctx, cat);
  return CRM_OK;
}

/* ---- transitions --------------------------------------------------------------- */

static int bc_state_index(const char *name)
{
  int i;

  if(!name)
    return -1;
  for(i = 0; i < BC_N_STATES; i++) {
    if(!strcasecmp(name, bc_states[i]))
      return i;
  }
  return -1;
}

#define BC_BIT(s) (1u << (s))

/* The standard moves (see the top of the file), one mask per state. */
static const unsigned bc_moves[BC_N_STATES] = {
  [BC_NEW] = BC_BIT(BC_ASSIGNED) | BC_BIT(BC_PROGRESS) | BC_BIT(BC_WAITING) |
             BC_BIT(BC_RESOLVED) | BC_BIT(BC_REJECTED) |
             BC_BIT(BC_DUPLICATE),
  [BC_ASSIGNED] = BC_BIT(BC_ASSIGNED) | BC_BIT(BC_PROGRESS) |
                  BC_BIT(BC_WAITING) | BC_BIT(BC_RESOLVED) |
                  BC_BIT(BC_REJECTED) | BC_BIT(BC_DUPLICATE),
  [BC_PROGRESS] = BC_BIT(BC_ASSIGNED) | BC_BIT(BC_WAITING) |
                  BC_BIT(BC_RESOLVED) | BC_BIT(BC_REJECTED) |
                  BC_BIT(BC_DUPLICATE),
  [BC_WAITING] = BC_BIT(BC_ASSIGNED) | BC_BIT(BC_PROGRESS) |
                 BC_BIT(BC_RESOLVED) | BC_BIT(BC_CLOSED) |
                 BC_BIT(BC_REJECTED) | BC_BIT(BC_DUPLICATE),
  [BC_RESOLVED] = BC_BIT(BC_PROGRESS) | BC_BIT(BC_CLOSED),
};

static int bc_allowed(const struct bc_state *st, int from, int to)
{
  if(from == BC_NEW && to == BC_CLOSED && st->allow_close_new)
    return 1;
  return (bc_moves[from] & BC_BIT(to)) != 0;
}

/* "Assigned, In progress, ..." or "none (Closed is final)". */
static void bc_allowed_list(const struct bc_state *st, int from, char *buf,
                            size_t size)
{
  size_t len = 0;
  int to;

  buf[0] = '\0';
  for(to = 0; to < BC_N_STATES; to++) {
    int n;

    if(!bc_allowed(st, from, to))
      continue;
    n = snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
                 bc_states[to]);
    if(n < 0 || (size_t)n >= size - len)
      return;
    len += (size_t)n;
  }
  if(!len)
    snprintf(buf, size, "none (%s is final)", bc_states[from]);
}

/* "C-000042" from a 1.5 host, else "12" (the id). */
static const char *bc_case_name(const crm_case_view *c, char *buf,
                                size_t size)
{
  if(CRM_HAS_MEMBER(c, crm_case_view, number) && c->number && *c->number)
    return c->number;
  snprintf(buf, size, "%lld", (long long)c->case_id);
  return buf;
}

static int bc_transition(void *state, crm_host_ctx *ctx,
                         const crm_case_view *c, const char *to,
                         crm_case_decision *out)
{
  struct bc_state *st = state;
  int from_i = bc_state_index(c->state);
  int to_i = bc_state_index(to);
  char allowed[160];
  char name[32];

  if(to_i < 0)
    return st->api->set_error(ctx, CRM_EINVAL,
                              "unknown case state \"%s\"; states: %s",
                              to ? to : "", BC_STATES_TEXT);
  if(from_i < 0)
    return st->api->set_error(ctx, CRM_ESTATE,
                              "case %s is in unknown state \"%s\"",
                              bc_case_name(c, name, sizeof(name)),
                              c->state ? c->state : "");
  if(!bc_allowed(st, from_i, to_i)) {
    bc_allowed_list(st, from_i, allowed, sizeof(allowed));
    return st->api->set_error(ctx, CRM_ESTATE,
                              "cannot move case %s from %s to %s; "
                              "allowed: %s",
                              bc_case_name(c, name, sizeof(name)),
                              bc_states[from_i], bc_states[to_i], allowed);
  }
  /* the compensation the agent asked for (a move to Resolved) is kept as
   * the host filled it in: the limits are the core's */
  snprintf(out->state, sizeof(out->state), "%s", bc_states[to_i]);
  return CRM_OK;
}

static const crm_complaint_v1 bc_vtable = {
  .struct_size = sizeof(crm_complaint_v1),
  .states = bc_states,
  .open = bc_open,
  .transition = bc_transition,
};

static const crm_component bc_component = {
  .struct_size = sizeof(crm_component),
  .kind = CRM_KIND_COMPLAINT,
  .name = "basic_case",
  .description = "the standard case states (SDK 1.5) with keyword "
                 "classification",
  .vtable = &bc_vtable,
};

static const crm_component *const bc_components[] = {&bc_component};

static const crm_plugin_desc bc_desc = {
  CRM_PLUGIN_DESC_HEADER,
  .name = "basic_case",
  .version = "1.5.0",
  .vendor = "crmcore",
  .license = "MIT",
  .description = "Complaint cases: the standard flow with classification",
  .components = bc_components,
  .n_components = 1,
  .init = bc_init,
  .fini = bc_fini,
  .reconfigure = bc_reconfigure,
};

CRM_PLUGIN_DEFINE(bc_desc)
