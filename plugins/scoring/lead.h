/*
 * lead.h - internals of the `lead` scoring component (see lead.c and
 * docs/scoring/lead.md): configuration, the MAN rule, the naive Bayes
 * frequency table and the fit step. Plugin-private; built only against
 * crm/sdk.h.
 */
#ifndef LEAD_H
#define LEAD_H

#include <stddef.h>
#include <stdint.h>

#include "crm/sdk.h"

#define LEAD_NAME_MAX 64     /* attribute, field and event type names */
#define LEAD_LIST_MAX 16     /* roles, outcome event types */
#define LEAD_FIELDS_MAX 14   /* + "prior" stays within 16 factors */
#define LEAD_VALUE_MAX 100   /* a value (or one tag), bytes; longer is cut */
#define LEAD_VALUES_MAX 500  /* distinct values per field; more: (other) */
#define LEAD_TAGS_MAX 32     /* tags per customer */
#define LEAD_FEAT_MAX 1024   /* one field's feature text (a tag list) */
#define LEAD_ATTR_MAX 256    /* an attribute read with customer_attr */
#define LEAD_KV_MAX 65536    /* the host's kv value limit */
#define LEAD_KEY_MAX 192     /* the host's kv key limit */
#define LEAD_META_MAX 1536

#define LEAD_NONE "(none)"
#define LEAD_OTHER "(other)"

/* classes of the frequency table */
#define LEAD_WON 0
#define LEAD_LOST 1

/* field kinds */
#define LEAD_CATEGORY 0 /* one value: a customer attribute */
#define LEAD_SET 1      /* comma-separated tags: Bernoulli per known tag */
#define LEAD_STAGE 2    /* the customer's prospect stage (from the view) */

/* MAN facts from qualify events: -1 unknown, 0 false, 1 true */
struct lead_man_rec {
  int money, authority, need;
  int stage; /* last prospect stage seen (CRM_STAGE_*), 0 none */
};

struct lead_field {
  char name[LEAD_NAME_MAX + 1]; /* attribute name (or "stage") */
  int kind;
};

struct lead_cfg {
  /* MAN */
  char money_attr[LEAD_NAME_MAX + 1];
  int64_t money_min;
  int money_decimals;
  char authority_attr[LEAD_NAME_MAX + 1];
  char roles_auth[LEAD_LIST_MAX][LEAD_NAME_MAX + 1];
  size_t n_roles_auth;
  char roles_infl[LEAD_LIST_MAX][LEAD_NAME_MAX + 1];
  size_t n_roles_infl;
  char need_attr[LEAD_NAME_MAX + 1];
  double w_money, w_authority, w_need; /* normalised: sum 1 */
  /* naive Bayes */
  struct lead_field fields[LEAD_FIELDS_MAX];
  size_t n_fields;
  double alpha;
  char won[LEAD_LIST_MAX][LEAD_NAME_MAX + 1];
  size_t n_won;
  char lost[LEAD_LIST_MAX][LEAD_NAME_MAX + 1];
  size_t n_lost;
  int won_on_first_purchase;
  int64_t min_outcomes;
  /* the lead score */
  double w_man, w_nb; /* normalised: sum 1 */
  double hot, warm;
  /* "source:category,stage:stage,..." identifies the table's layout */
  char sig[LEAD_META_MAX / 2];
};

/* One value of a field with its counts per class. For a set field, n
 * counts the outcomes whose tag list holds the tag. llr: log-likelihood
 * ratio log P(v|won) - log P(v|lost) (for a set field: of the tag being
 * present); llr_absent: of a known tag being absent. */
struct lead_entry {
  char value[LEAD_VALUE_MAX + 1];
  int64_t n[2];
  double llr;
  double llr_absent;
  unsigned char dirty; /* counts changed since saved */
  unsigned char fresh; /* not yet in the kv (nor in the value list) */
};

struct lead_col {
  struct lead_entry *e; /* sorted by value (strcmp) */
  size_t n, cap;
  double llr_unseen; /* category: a value never seen in an outcome */
  double absent_sum; /* set: sum of llr_absent over the known tags */
};

/* The frequency table as cached in the plugin's state: valid while the
 * kv "nb:meta" equals meta. */
struct lead_table {
  int loaded;
  int usable;     /* built for the configured fields, in this layout */
  int old_layout; /* not usable: stored by lead 1.0 (nb:f: texts) */
  char meta[LEAD_META_MAX];
  int64_t gen;
  uint64_t stamp; /* running hash of the table's writes */
  int64_t n[2];   /* outcomes per class */
  struct lead_col col[LEAD_FIELDS_MAX];
};

/* A customer's feature values, one text per configured field (a set
 * field: its tags joined by commas, sorted, "" when none). */
struct lead_feat {
  char v[LEAD_FIELDS_MAX][LEAD_FEAT_MAX];
};

struct lead_state {
  const crm_host_api *api;
  struct lead_cfg cfg;
  struct lead_table tab;
  struct lead_feat feat;  /* scratch: the customer being scored */
  struct lead_feat feat2; /* scratch: a recorded outcome */
  char *buf;              /* LEAD_KV_MAX bytes: serialising kv values */
  char attr[LEAD_ATTR_MAX];
};

/* ---- lead_config.c ---- */
int lead_config_read(const crm_host_api *api, crm_host_ctx *ctx,
                     struct lead_cfg *cfg);
int lead_is_prospect(int stage);
const char *lead_stage_name(int stage);

/* ---- lead_man.c: the MAN rule and the per-customer record ---- */
int lead_man_get(struct lead_state *st, crm_host_ctx *ctx, int64_t id,
                 struct lead_man_rec *rec, int *found);
int lead_man_put(struct lead_state *st, crm_host_ctx *ctx, int64_t id,
                 const struct lead_man_rec *rec);
/* Applies a qualify payload's booleans to rec; 1 when one changed. */
int lead_man_qualify(struct lead_state *st, crm_host_ctx *ctx,
                     const char *payload, struct lead_man_rec *rec);
/* Writes the "man" score; *man receives its value. */
int lead_man_score(struct lead_state *st, crm_host_ctx *ctx, int64_t id,
                   const struct lead_man_rec *rec, double *man);

/* ---- lead_table.c: the frequency table in kv ---- */
void lead_table_free(struct lead_state *st, crm_host_ctx *ctx);
void lead_table_reset(struct lead_state *st, crm_host_ctx *ctx);
/* Makes st->tab current (one kv read when nothing changed). */
int lead_table_sync(struct lead_state *st, crm_host_ctx *ctx);
/* Adds (sign 1) or removes (sign -1) one outcome's features. */
int lead_table_count(struct lead_state *st, crm_host_ctx *ctx, int cls,
                     const struct lead_feat *f, int sign);
/* Recomputes the log-likelihood ratios after counting. */
void lead_table_prepare(struct lead_state *st);
const struct lead_entry *lead_col_get(const struct lead_col *c,
                                      const char *value);
/* Writes the changed counts (all: every count and value list) and the
 * meta record. */
int lead_table_save(struct lead_state *st, crm_host_ctx *ctx, int all);
/* For a fit, before its lead_table_save(all): deletes the kv keys of
 * the stored table that the rebuilt one (in st->tab) has not, and
 * continues the stored generation. */
int lead_table_drop_stale(struct lead_state *st, crm_host_ctx *ctx);

/* ---- lead_nb.c: features, outcomes, the nb score ---- */
int lead_features(struct lead_state *st, crm_host_ctx *ctx,
                  const crm_customer_view *cv, const struct lead_man_rec *rec,
                  struct lead_feat *f);
/* Parses an "o:<id>" record into cls and f (fields matched by name;
 * missing ones left as they are). 0, or CRM_ENOTFOUND. */
int lead_outcome_get(struct lead_state *st, crm_host_ctx *ctx, int64_t id,
                     int *cls, struct lead_feat *f, unsigned *have);
int lead_outcome_put(struct lead_state *st, crm_host_ctx *ctx, int64_t id,
                     int cls, const struct lead_feat *f);
/* An outcome event for a customer: counts it once, moves it on a change
 * of class. */
int lead_outcome_apply(struct lead_state *st, crm_host_ctx *ctx,
                       const crm_customer_view *cv,
                       const struct lead_man_rec *rec, int cls);
/* Writes the "nb" score of features f (the table allows one). */
int lead_nb_score(struct lead_state *st, crm_host_ctx *ctx, int64_t id,
                  const struct lead_feat *f, double *nb);
/* Scores one prospect: man, nb (when the table allows), lead. The
 * table must be current (lead_table_sync). */
int lead_score_customer(struct lead_state *st, crm_host_ctx *ctx,
                        const crm_customer_view *cv,
                        const struct lead_man_rec *rec);
int lead_type_in(const char list[][LEAD_NAME_MAX + 1], size_t n,
                 const char *type);

/* ---- lead_fit.c ---- */
int lead_fit(void *state, crm_host_ctx *ctx, const crm_fit_request *req);

#endif
