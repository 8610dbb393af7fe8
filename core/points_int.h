/*
 * points_int.h - internal contracts of the loyalty engine.
 *
 * Files and what each owns:
 *   scheme_config.c  parsing and checking a plugin entry's `scheme` group
 *                    (crm__scheme)
 *   scheme.c         defaults, look-up by component name, catalogue
 *                    items, enrollment, expiry dates, crm_schemes_foreach
 *   ledger.c         the one writer of ledger entries and account caches;
 *                    balance checks; ledger walks
 *   points_lot.c     lots: create, draw (spend order), take back, restore,
 *                    release and expiry due processing
 *   points_earn.c    the earning pipeline for one event (called by
 *                    event.c), take-backs (overdraft, shortfall rows)
 *   points_refund.c  refund rows (refund_of), held refunds, refund
 *                    reconciliation
 *   points_ops.c     adjust, transfer, process_due driver, account and lot
 *                    reads, statements
 *   points_check.c   crm_points_check (the invariants)
 *   tier.c           activity records, qualification, upgrades, reviews,
 *                    grace and downgrades, tier events
 *   tier_read.c      tier status and history reads (crm_tier_status_get,
 *                    crm_tier_history_foreach)
 *   redeem.c         catalogue, stock, redemption (issuing vouchers),
 *                    auto-redeem, payouts
 *   voucher.c        vouchers once issued: get, list, use, void
 *
 * Conventions:
 *   - every function runs inside the caller's transaction (crm__tx_begin
 *     is taken by the public entry points only) and returns 0 or a
 *     negative CRM_E* with c's error set;
 *   - "scheme" is the reward component's name; a customer's account in a
 *     scheme is created on first use (crm__account_ensure);
 *   - amounts: `points` changes the available balance, `pending` the
 *     pending balance; both are summed by the checks;
 *   - time `at` is when the entry takes effect (event time, due time);
 *     recorded_at is crm_now().
 */
#ifndef CRM_POINTS_INT_H
#define CRM_POINTS_INT_H

#include "crm_int.h"

/* ---- scheme configuration (scheme_config.c) ----------------------------- */

#define CRM__SCHEME_NAME_MAX 64
/* The largest number of points one adjustment, transfer or plugin
 * result may move, either way (10^12): far below INT64_MAX, so sums of
 * many of them and their negations never overflow. */
#define CRM__POINTS_MAX INT64_C(1000000000000)
#define CRM__TIER_NAME_MAX 32
#define CRM__ITEM_CODE_MAX 32

#define CRM__EXPIRY_NEVER 0
#define CRM__EXPIRY_RELATIVE 1    /* days after earning */
#define CRM__EXPIRY_FIXED_DATE 2  /* one calendar date: "2027-12-31" */
#define CRM__EXPIRY_MONTH_DAY 3   /* next "MM-DD" after earning */
#define CRM__EXPIRY_PERIOD_END 4  /* end of the (periods)th calendar
                                   * period counting the earning one */

typedef struct crm__tier_level {
  char name[CRM__TIER_NAME_MAX + 1];
  /* Thresholds over the rolling window; 0 = not a criterion; any one met
   * qualifies. The first level has none (the base). */
  int64_t points;  /* points earned (base points, before multipliers) */
  int64_t credits; /* plugin-reported credits (qualifying miles) */
  int64_t count;   /* plugin-reported count (flights, visits, cars) */
  int64_t spend;   /* purchase amounts less refunds, minor units */
  double multiplier; /* applied to earning; 1.0 = none */
} crm__tier_level;

typedef struct crm__catalogue_item {
  char code[CRM__ITEM_CODE_MAX + 1];
  char name[97];
  char type[16]; /* voucher, free_item, upgrade, cash_rebate */
  int64_t cost;  /* > 0 points */
  int64_t value; /* minor units, >= 0 */
  int64_t stock; /* -1 unlimited */
  int64_t valid_from, valid_until; /* 0 open; until is exclusive */
  int voucher_days; /* 0: vouchers never expire */
} crm__catalogue_item;

typedef struct crm__scheme {
  char unit[33];          /* default "points" */
  int pending_days;       /* 0: earned points are available at once */
  int allow_negative;     /* refunds may take the balance below zero */
  /* enroll: "" = all customers; else only those whose attribute
   * enroll_attr equals enroll_value ("attr:program=fresh"). */
  char enroll_attr[65];
  char enroll_value[129];

  int expiry_mode;        /* CRM__EXPIRY_* */
  int expiry_days;        /* RELATIVE */
  int64_t expiry_date;    /* FIXED_DATE: UTC midnight starting that day */
  int expiry_month, expiry_day; /* MONTH_DAY */
  int expiry_period_months; /* PERIOD_END: 1, 3 or 12 */
  int expiry_periods;       /* PERIOD_END: >= 1 */

  int64_t limit_day;      /* max earned per UTC day; 0 none */
  int64_t limit_month;    /* max earned per UTC calendar month; 0 none */
  int64_t min_spend;      /* purchases below this earn nothing; 0 none */

  int transfers;          /* transfers allowed */
  int64_t transfer_min;   /* smallest transfer; default 1 */
  int64_t transfer_max_out_month; /* 0 none */
  int64_t transfer_max_in_month;  /* 0 none */

  int release_payout;     /* released points are paid out (payouts) */
  char auto_redeem[CRM__ITEM_CODE_MAX + 1]; /* item redeemed when
                                             * affordable; "" none */

  crm__tier_level *tiers; /* ascending; NULL when the scheme has none */
  size_t n_tiers;
  int tier_window_days;   /* default 365 */
  int tier_review_days;   /* default 365: a tier reached is kept this long */
  int tier_grace_days;    /* default 0 */

  crm__catalogue_item *items;
  size_t n_items;
} crm__scheme;

/* Parsing state shared with config.c (errors as FILE:LINE: reason). */
typedef struct crm__cfgread {
  const char *path;
  char *errbuf;
  size_t errsize;
} crm__cfgread;
int crm__cfg_fail(crm__cfgread *r, const void *setting, const char *fmt,
                  ...) CRM__PRINTF(3, 4);
/* Every member of the group (a config_setting_t *) must be one of known
 * (NULL-terminated): else "unknown <what>setting "x" (expected <expected>)". */
/* Plugin and component names: 1..max of [A-Za-z0-9_-] (config.c). */
int crm__cfg_name_ok(const char *s, size_t max);
int crm__cfg_check_keys(crm__cfgread *r, const void *group, const char *what,
                        const char *const *known, const char *expected);

/* Parses the `scheme` group (a config_setting_t *) of a plugin entry into
 * a new crm__scheme; every mistake is a FILE:LINE error. */
int crm__scheme_parse(crm__cfgread *r, const void *setting,
                      crm__scheme **out);
void crm__scheme_free(crm__scheme *s);

/* ---- schemes at run time (scheme.c) ------------------------------------- */

/* The defaults a component without a `scheme` group runs with. */
const crm__scheme *crm__scheme_default(void);

/* A loaded reward component and its rules. name NULL: the only one
 * (CRM_EINVAL "several reward schemes are loaded (a, b); name one" /
 * CRM_ENOTFOUND "no reward scheme is loaded"). Unknown name:
 * CRM_ENOTFOUND "no reward scheme "x" is loaded (loaded: a, b)". */
int crm__scheme_find(crm *c, const char *name, crm__component **comp,
                     const crm__scheme **scheme);
/* The rules of a component (its plugin entry's scheme or the defaults). */
const crm__scheme *crm__scheme_of(const crm__component *comp);
/* When points earned at `at` expire under the scheme; 0 = never. */
int64_t crm__scheme_expiry(const crm__scheme *s, int64_t at);
/* Human summary of the expiry rule into buf. */
void crm__scheme_expiry_text(const crm__scheme *s, char *buf, size_t size);
/* 1 when the customer may take part (enroll rule), 0 when not. */
int crm__scheme_member(crm *c, const crm__scheme *s, int64_t customer_id,
                       int *member);
/* The catalogue item with that code, or NULL. */
const crm__catalogue_item *crm__scheme_item(const crm__scheme *s,
                                            const char *code);

/* ---- ledger and accounts (ledger.c) ------------------------------------- */

typedef struct crm__line {
  int64_t customer_id;
  const char *scheme;
  int64_t event_id;
  const char *kind;    /* one of CRM_LEDGER_KINDS */
  int64_t points;      /* available delta */
  int64_t pending;     /* pending delta */
  int64_t lot_id;      /* 0 none */
  int64_t ref_event_id; /* 0 none */
  int64_t ref_entry_id; /* 0 none */
  int line;            /* number among lines of one kind for the event */
  const char *note;
  const char *reason;
  int64_t at;
} crm__line;

/* Creates the account row if missing (tier = the scheme's first level). */
int crm__account_ensure(crm *c, int64_t customer_id, const char *scheme,
                        const crm__scheme *s, int64_t at);
/* Reads the cached account; CRM_ENOTFOUND when absent. */
int crm__account_read(crm *c, int64_t customer_id, const char *scheme,
                      crm_points_account *out);
/* Writes one entry and applies its deltas to the account's balance and
 * pending, customers.points_balance (points only) and, for earn and
 * pending_earn, lifetime_earned. CRM_EEXIST when the unique index says
 * this line was already written. *entry_id may be NULL. */
int crm__ledger_add(crm *c, const crm__line *l, int64_t *entry_id);
/* Sets the lot_id of an entry written before its lot existed. */
int crm__ledger_set_lot(crm *c, int64_t entry_id, int64_t lot_id);
/* The time of an operation (adjust, transfer, redeem, voucher use or
 * void): CRM_EINVAL when `at` is after crm_now, or (customer_id > 0)
 * before the newest ledger entry of the account (customer_id, scheme):
 * an account's ledger only moves forward in time. */
int crm__op_time_check(crm *c, int64_t customer_id, const char *scheme,
                       int64_t at);
/* Account shortfall/overdraft bookkeeping (not ledger entries). */
int crm__account_add_debt(crm *c, int64_t customer_id, const char *scheme,
                          int64_t shortfall_delta, int64_t overdraft_delta);

/* ---- lots (points_lot.c) ------------------------------------------------ */

/* Creates a lot of `points` for the entry; pending when release_at > 0
 * (state 'pending'), else 'available'. expires_at 0 = never; an
 * expires_at at or before release_at is computed again from the release
 * (crm__scheme_expiry(s, release_at)), so points are usable for a while
 * (a fixed expiry date may still come first: they expire at release). An
 * available lot first absorbs the account's overdraft (a lot use of the
 * creating entry, no ledger line) and then, when recover_shortfall,
 * pays the account's open shortfalls (a `reverse` line each, oldest
 * first, linked to the shortfall's event). */
int crm__lot_create(crm *c, const crm__scheme *s, int64_t customer_id,
                    const char *scheme, int64_t event_id, int64_t entry_id,
                    int64_t points, int64_t earned_at, int64_t release_at,
                    int64_t expires_at, int recover_shortfall,
                    int64_t *lot_id);
/* Draws `points` from available lots, soonest expiry first (never last),
 * recording uses against entry_id. CRM_ESTATE when the lots hold less
 * (nothing changed: call inside a savepoint or check the balance
 * first). */
int crm__lots_draw(crm *c, int64_t customer_id, const char *scheme,
                   int64_t entry_id, int64_t points);
/* Draws up to `points` from the named lots first (lot_event_id > 0: the
 * lots that event earned, pending or available), then pending lots,
 * newest release first (when from_pending), then available lots in
 * spend order. Records uses against entry_id; *taken_available and
 * *taken_pending say how much came from each balance. Never fails for
 * lack of points: the caller handles the rest (overdraft / shortfall). */
int crm__lots_take_back(crm *c, int64_t customer_id, const char *scheme,
                        int64_t entry_id, int64_t lot_event_id,
                        int from_pending, int64_t points,
                        int64_t *taken_available, int64_t *taken_pending);
/* Gives back what entry_id drew (voucher void): each use's lot regains
 * its points (reopened if closed). *restored = the total. */
int crm__lots_restore(crm *c, int64_t entry_id, int64_t *restored);
/* After a void restored what spend_entry_id drew (crm__lots_restore):
 * each restored lot that is available and not past its date at `at`
 * pays the account's debts like a new lot (overdraft first, as lot uses
 * of entry_id; then open shortfalls, a `reverse` line of event_id each),
 * soonest-expiring lots first. */
int crm__lots_restore_settle(crm *c, int64_t spend_entry_id, int64_t entry_id,
                             int64_t event_id, int64_t at);
/* Releases and expires what is due by as_of: for one customer
 * (customer_id > 0, all schemes) or globally (customer_id 0) through
 * the release and expiry indexes only, in due-time order (an expiry
 * before a release due at the same instant). Writes `release` lines (at =
 * release_at) and `expire` lines (at = expires_at); release of a
 * release_payout scheme is followed by a payout (redeem.c). Releases of
 * a scheme that is not loaded wait (its rules are unknown), and so do
 * its expiries due after such a waiting release of the same account. */
int crm__lots_due(crm *c, int64_t customer_id, int64_t as_of,
                  crm_due_stats *stats);

/* ---- earning (points_earn.c) -------------------------------------------- */

/* One ingested event on its way through the reward schemes; the refund
 * fields are filled by crm__refund_prepare (points_refund.c). */
typedef struct crm__earn {
  const crm_event *ev;
  crm_customer *cust;
  int64_t event_id;
  int64_t t;
  int is_purchase;
  int is_refund;                        /* refund or cancel */
  int full;                             /* cancel, or refund of amount 0 */
  char refund_of[CRM_IDEM_KEY_MAX + 1]; /* "" when it names none */
  crm__event_row purchase;              /* refund_of found; id 0 if not */
  int held;                             /* a purchase refunds named first */
} crm__earn;

/* What one take-back asks for (a refund reconciled or negative points). */
typedef struct crm__takeback {
  const crm__scheme *s;
  const char *scheme;
  int64_t customer_id;
  int64_t event_id;        /* the entry's event */
  int64_t ref_event_id;    /* the event whose points it takes back */
  int64_t lot_event_id;    /* draw these lots first; 0 none */
  int64_t shortfall_event; /* the shortfall row's event */
  int64_t points;          /* > 0 */
  const char *note;
  int64_t at;
} crm__takeback;

/* Called by event.c inside the ingest transaction after lifecycle:
 * runs every reward component on the event and writes the ledger.
 * *net gets the sum of points + pending written. */
int crm__points_on_event(crm *c, const crm_event *ev, crm_customer *cust,
                         int64_t event_id, int64_t t, int64_t *net);
/* One `reverse` line taking back tb->points: from the lots as far as they
 * go, the rest as overdraft (allow_negative) or a shortfall row. */
int crm__takeback_run(crm *c, const crm__takeback *tb);

/* ---- refunds (points_refund.c) ------------------------------------------ */

/* Before earning: a refund's or cancel's payload.refund_of is read and
 * its points_refunds row recorded (e->purchase: the event with that key,
 * id 0 while it is not in the store; CRM_EINVAL when it is another
 * customer's or not a purchase); a purchase learns in e->held whether
 * refunds named it before it arrived. */
int crm__refund_prepare(crm *c, crm__earn *e);
/* Refund reconciliation of one purchase event in one scheme: brings the
 * reversed total to floor(earned x refunded / amount) (all of it after a
 * full refund or a cancel). Idempotent: computed from the ledger. */
int crm__points_reconcile(crm *c, const crm__scheme *s, const char *scheme,
                          int64_t customer_id, int64_t purchase_event_id,
                          int64_t at, int64_t cause_event_id);

/* ---- points operations (points_ops.c) ----------------------------------- */

/* 0 when the customer exists, else CRM_ENOTFOUND "unknown customer #N". */
int crm__customer_exists(crm *c, int64_t id);

/* ---- core-recorded events (event.c) ------------------------------------- */

/* Records an event the core itself produces ("tier_changed",
 * "points_adjust", "points_transfer", "points_redeem", "voucher_void",
 * "voucher_use") without running lifecycle or rewards on it. Returns 1
 * with *event_id of the first recording when the key was seen before
 * (same customer and type; else CRM_EEXIST), 0 when recorded. */
int crm__event_record(crm *c, int64_t customer_id, const char *type,
                      const char *payload_json, const char *idem_key,
                      int64_t at, int64_t *event_id);
/* 1 when a type is reserved for crm__event_record (refused at ingest). */
int crm__event_type_reserved(const char *type);

/* ---- tiers (tier.c) ----------------------------------------------------- */

/* An account's tier state; times 0 when none. */
typedef struct crm__tier_acct {
  char tier[CRM__TIER_NAME_MAX + 1];
  int64_t since;
  int64_t review_at;   /* 0: none */
  int64_t grace_until; /* 0: none */
} crm__tier_acct;

/* Qualifying sums over a window: points, credits, count, spend. */
typedef struct crm__tier_sums {
  int64_t v[4];
} crm__tier_sums;

/* The level's index, -1 when the scheme has no such level. */
int crm__tier_index(const crm__scheme *s, const char *name);
/* The highest level the sums qualify for (0: the base). */
int crm__tier_qualify(const crm__scheme *s, const crm__tier_sums *w);
/* The account's tier state; *found = 0 (and a zeroed) without a row. */
int crm__tier_read(crm *c, int64_t customer_id, const char *scheme,
                   crm__tier_acct *a, int *found);
/* Activity sums over (t - window_days, t]. */
int crm__tier_window(crm *c, const crm__scheme *s, int64_t customer_id,
                     const char *scheme, int64_t t, crm__tier_sums *w);

/* Records qualifying activity of an event (points = base points earned;
 * negative on a return, booked at the purchase's time `at`). */
int crm__tier_activity(crm *c, int64_t customer_id, const char *scheme,
                       int64_t event_id, int64_t at, int64_t points,
                       int64_t credits, int64_t count, int64_t spend);
/* After activity: upgrades at once when the window qualifies for a
 * higher tier (review date = as_of + review_days), or leaves grace. */
int crm__tier_check(crm *c, const crm__scheme *s, int64_t customer_id,
                    const char *scheme, int64_t as_of);
/* The multiplier of the customer's current tier (1.0 without tiers). */
int crm__tier_multiplier(crm *c, const crm__scheme *s, int64_t customer_id,
                         const char *scheme, double *mult,
                         char *tier, size_t tier_size);
/* Reviews due by as_of (customer_id 0: global, through accounts_review):
 * keep and extend, start grace, or downgrade to the tier the window
 * qualifies for. Each change: tier_changes row + "tier_changed" event. */
int crm__tier_due(crm *c, int64_t customer_id, int64_t as_of,
                  crm_due_stats *stats);

/* ---- redemption (redeem.c) ---------------------------------------------- */

/* After points became available: redeems the scheme's auto_redeem item
 * as many times as the balance covers (idempotency keys derived from
 * the causing event and a counter). */
int crm__redeem_auto(crm *c, const crm__scheme *s, const char *scheme,
                     int64_t customer_id, int64_t cause_event_id,
                     int64_t at);
/* A released lot of a release_payout scheme: spend it and record the
 * payout. */
int crm__payout_release(crm *c, int64_t customer_id, const char *scheme,
                        int64_t event_id, int64_t points, int64_t at,
                        const char *note);
/* Shared by the redeem and voucher operations (redeem.c, voucher.c): */
/* CRM_EINVAL unless op has an idempotency key of at most 128 characters
 * that does not start with "core:". */
int crm__redeem_op_check(crm *c, const crm_points_op *op);
/* Releases, expiries and tier reviews of the customer due by `at`. */
int crm__redeem_due(crm *c, int64_t customer_id, int64_t at);
/* Ends the operation's transaction: rc < 0 rolls back and returns rc,
 * else commits (and returns the commit's result). */
int crm__redeem_finish(crm *c, int rc);
/* Steps a bound statement and copies its first column into buf; no row
 * is a store error. */
int crm__redeem_text(crm *c, sqlite3_stmt *st, char *buf, size_t size,
                     const char *what);
/* t as ISO 8601 UTC text (the number when it cannot be formatted). */
void crm__redeem_iso(int64_t t, char *buf, size_t size);
/* Counts one more of the item issued (take != 0) or one given back. */
int crm__redeem_stock(crm *c, const char *scheme, const char *item,
                      int take);

/* A goodwill voucher (service recovery): the item issued at cost 0
 * without spending points, as a "points_redeem" core event under key;
 * validity and stock apply. 1 when the key was seen (out: the voucher
 * issued then), 0 when issued. */
int crm__redeem_gift(crm *c, const crm__scheme *s, const char *scheme,
                     const crm__catalogue_item *it, int64_t customer_id,
                     const char *key, int64_t at, const char *actor,
                     crm_voucher *out);

/* ---- vouchers (voucher.c) ----------------------------------------------- */

/* The voucher with that code (code != NULL, matched as given) or issued
 * by the event; CRM_ENOTFOUND "unknown voucher CODE" when there is none.
 * A voucher still issued past its valid_until reads as "expired". */
int crm__voucher_find(crm *c, const char *code, int64_t event_id,
                      crm_voucher *v);

#endif /* CRM_POINTS_INT_H */
