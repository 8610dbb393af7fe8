/*
 * points_property.h - shared parts of the loyalty engine's property test
 * (test_points_property.c: the driver; points_property_check.c: what is
 * observed and the invariants; points_property_ops.c: the operations and
 * what the model expects of them).
 */
#ifndef POINTS_PROPERTY_H
#define POINTS_PROPERTY_H

#include <inttypes.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>

#include "crm_test.h"

#define PT_BASE INT64_C(1767571200)   /* 2026-01-05T00:00:00Z */
#define PT_SPRING_FROM INT64_C(1772323200)  /* 2026-03-01 */
#define PT_SPRING_UNTIL INT64_C(1777593600) /* 2026-05-01 */
#define PT_HOUR INT64_C(3600)
#define PT_DEFAULT_SEQS 10000
#define PT_DEFAULT_SEED UINT64_C(20260105)
#define PT_BATCH 500 /* sequences per store */
#define PT_MAX_OPS 24
#define PT_MAX_CUST 3
#define PT_MAX_ENTRIES 512
#define PT_MAX_LOTS 256
#define PT_MAX_VOUCHERS 48
#define PT_MAX_PURCHASES 32
#define PT_MAX_DONE 32
#define PT_NOTE 400

/* ---- what the test knows of the configuration ------------------------ */

typedef struct pt_rules {
  const char *name;
  int core_refunds, allow_negative;
  int64_t pending_days, expiry_days, per_day, per_month, window_days;
  int64_t review_days, grace_days;
  int64_t tr_min, tr_out, tr_in; /* 0: no limit */
  int64_t min_spend;
  const char *levels[3];
  int64_t bonus_pct[3]; /* the levels' multipliers less one, in percent */
  int n_levels;
} pt_rules;

typedef struct pt_item {
  const char *code;
  int scheme;
  int64_t cost, stock, from, until;
} pt_item;

/* The last one is the auto-redeem item: never redeemed by hand. */
#define PT_N_ITEMS 5
#define PT_N_MANUAL 4
extern const pt_rules pt_rule[2];
extern const pt_item pt_items[PT_N_ITEMS];

/* ---- observations ---------------------------------------------------- */

enum { K_EARN, K_PEARN, K_RELEASE, K_SPEND, K_EXPIRE, K_REVERSE, K_ADJUST,
       K_TIN, K_TOUT, K_N };
enum { L_PENDING, L_AVAILABLE, L_CLOSED };
extern const char *const pt_kinds[K_N];
extern const char *const pt_vstates[];

typedef struct pt_entry {
  int64_t id, event_id, points, pending, at, lot_id, ref_event_id,
      ref_entry_id;
  int kind, scheme;
} pt_entry;

typedef struct pt_lot {
  int64_t id, event_id, entry_id, earned_at, original, remaining, release_at,
      expires_at;
  int state, scheme;
} pt_lot;

typedef struct pt_voucher {
  int64_t id, cost, valid_until, spend_entry_id, voided_at, customer_id;
  char code[32];
  int item, state, scheme;
} pt_voucher;

/* What must not change on a replay or a refused operation (memcmp'd). */
typedef struct pt_acct {
  int64_t exists, balance, pending, shortfall, overdraft, lifetime, since,
      review_at, grace_until;
  int64_t n_entries, sum_points, sum_pending, last_entry;
  int64_t n_lots, lots_key, n_auto; /* n_auto: auto-redeemed vouchers */
  char tier[40];
} pt_acct;

typedef struct pt_snap {
  pt_acct acct[2];
  int64_t points_balance, n_vouchers, voucher_key;
} pt_snap;

typedef struct pt_view {
  pt_snap snap;
  int64_t next_due[2]; /* earliest release or expiry of an open lot */
  pt_entry e[PT_MAX_ENTRIES];
  size_t n_e;
  pt_lot lot[PT_MAX_LOTS];
  size_t n_lot;
  pt_voucher v[PT_MAX_VOUCHERS];
  size_t n_v;
  int overflow;
} pt_view;

/* ---- sequences ------------------------------------------------------- */

enum { OP_PURCHASE, OP_REFUND, OP_REFUND_FULL, OP_CANCEL, OP_REFUND_NOREF,
       OP_REFUND_OTHER, OP_REDEEM, OP_VOID, OP_USE, OP_TRANSFER, OP_ADJUST,
       OP_ADVANCE, OP_DUE, OP_REPLAY, OP_CONFLICT, OP_N };
extern const char *const pt_opnames[OP_N];

/* A generated step; picks are resolved against the state when it runs. */
typedef struct pt_op {
  int kind, cust, other, scheme, flag;
  int pct;   /* transfer, adjust < 0: pct of the balance (when > 0) */
  int promo; /* purchase: {"promo":true} */
  int64_t amount, back;
  uint32_t pick;
} pt_op;

typedef struct pt_purchase {
  char key[40];
  int cust;
  int64_t amount, event_id, at; /* event_id 0: not ingested yet */
  int promo; /* {"promo":true}: at once, never expires, no bonus, no cap */
  int64_t refunded;         /* every refund naming it (the core's view) */
  int full;
  int b_known, b_full;      /* fx_reward_b's kv record */
  int64_t b_points, b_refunded;
} pt_purchase;

enum { D_EVENT, D_ADJUST, D_TRANSFER, D_REDEEM, D_VOID, D_USE };

/* An operation as performed (kept when it succeeded, for replays). */
typedef struct pt_done {
  int kind, cust, other, scheme, item;
  char type[16], payload[96], key[40], code[32];
  int64_t at, amount, event_id;
} pt_done;

typedef struct pt_store {
  crm *c;
  int64_t issued[PT_N_ITEMS]; /* model: issued and not voided, store-wide */
} pt_store;

typedef struct pt_seq {
  pt_store *st;
  crm *c;
  int64_t seqno, clock, start;
  int n_cust, nkey, verbose;
  int items_dirty; /* check the catalogue's stock at the next observation */
  int64_t cust[PT_MAX_CUST];
  int backdated[PT_MAX_CUST];
  /* took a refund booked at its own time (naming no purchase, or one not
   * seen yet): its negative activity may leave the tier window before
   * the purchases, so qualification can rise without an event */
  int neg_early[PT_MAX_CUST];
  int refunded[PT_MAX_CUST]; /* had any refund or cancel */
  int64_t unlinked_a[PT_MAX_CUST]; /* A refunds naming no purchase */
  int64_t b_rev[PT_MAX_CUST];      /* fx_reward_b's take-backs */
  int64_t redeemed[PT_MAX_CUST][PT_N_ITEMS];
  pt_purchase p[PT_MAX_PURCHASES];
  size_t n_p;
  pt_done d[PT_MAX_DONE];
  size_t n_d;
  char log[2 * PT_MAX_OPS][PT_NOTE];
  int n_log;
  pt_view view[PT_MAX_CUST];
  pt_lot prev_lot[PT_MAX_LOTS]; /* a spender's lots before a spend */
  size_t n_prev;
} pt_seq;

typedef struct pt_plan {
  pt_op ops[PT_MAX_OPS];
  size_t n;
  int n_cust;
  int64_t start;
} pt_plan;

/* Coverage: the run must reach every feature it claims to test. */
enum { C_SHORTFALL, C_OVERDRAFT, C_TIER_UP, C_RELEASE, C_EXPIRE, C_VOIDED,
       C_AUTO, C_TRANSFER_OK, C_TRANSFER_NO, C_REDEEM_OK, C_REDEEM_NO,
       C_ADJUST_NO, C_REPLAY, C_CONFLICT, C_HELD, C_PARTIAL, C_PROMO,
       C_GRACE, C_DOWNGRADE, C_N };
extern const char *const pt_covnames[C_N];
extern int64_t pt_cov[C_N];
extern int64_t pt_opcount[OP_N];

/* ---- failures: the first one is kept --------------------------------- */

extern char pt_why[1024];
extern char pt_check[48];
extern int pt_failed;
int pt_fail(const char *check, const char *fmt, ...) CRM__PRINTF(2, 3);
#define PT_REQ(cond, check, ...)                                            \
  do {                                                                      \
    if(!(cond))                                                             \
      return pt_fail(check, __VA_ARGS__);                                   \
  } while(0)

void pt_log(pt_seq *q, const char *fmt, ...) CRM__PRINTF(2, 3);

/* ---- points_property_check.c ----------------------------------------- */

uint64_t pt_next(uint64_t *s);
int64_t pt_rand(uint64_t *s, int64_t lo, int64_t hi);
int64_t pt_month(int64_t t);
/* Index of s in names[0..n), -1 when absent. */
int pt_index(const char *const *names, int n, const char *s);
/* 1 when event_id is a promotion purchase of the sequence. */
int pt_is_promo(const pt_seq *q, int64_t event_id);

#define PT_DUE 0x1    /* nothing may be left due by the clock */
#define PT_STATUS 0x2 /* compare tiers with crm_tier_status_get */
#define PT_EVENT 0x4  /* right after an event of the customer */
#define PT_SKIP 0x8   /* not touched by the step: crm_points_check and
                       * the accounts unchanged only */
/* Observes and checks every customer of the sequence; each[i] (NULL: all
 * `flags`) are the PT_* flags of customer i. 0 or -1 (pt_why says why).
 * The stock when q->items_dirty. */
int pt_observe_all(pt_seq *q, unsigned flags, const unsigned *each);
void pt_snaps(const pt_seq *q, pt_snap *out);
/* The tier history of customer i against the rules (end of a sequence). */
int pt_check_history(pt_seq *q, int i);
/* -1 (failing `what`) when a customer's snapshot differs from pre. */
int pt_same(const pt_seq *q, const pt_snap *pre, const char *what);

/* ---- points_property_model.c ----------------------------------------- */

/* What a purchase of `amount` (a promotion or not) at the clock earns in
 * scheme s for customer i by the rules; *lines: how many earn lines. -1
 * when the model cannot tell (a tier review due first). */
int64_t pt_earning(const pt_seq *q, int i, int s, int64_t amount, int promo,
                   int *lines);
/* What event_id actually earned in s (sum, *lines) in customer i's view. */
int64_t pt_earned(const pt_seq *q, int i, int s, int64_t event_id,
                  int *lines);
/* Keeps customer i's lots before a spend; pt_check_draw then checks the
 * spend drew them in spend order. */
void pt_save_lots(pt_seq *q, int i);
int pt_check_draw(pt_seq *q, int i, int s, const char *what);
int pt_rank(int s, const char *tier);
int pt_check_tiers(pt_seq *q, int i, int due_clear, int status,
                   int after_event);

/* ---- points_property_ops.c ------------------------------------------- */

int pt_exec(pt_seq *q, const pt_op *op);

#endif
