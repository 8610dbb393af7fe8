/*
 * test_host_walk.c - the SDK 1.3 host walks, events_walk and
 * customers_walk, called the way a plugin calls them: with fx_score's
 * own ctx on a core that loaded it (the other 1.3 services are in
 * test_host_1_3.c).
 */
#include "score_test.h"

static const char conf_fx[] =
  "plugins = { load = ( { name = \"fx_score\"; } ); };\n";

static int setup(void **state)
{
  static st_fix f;

  st_open(&f, conf_fx);
  assert_non_null(f.ctx);
  *state = &f;
  return 0;
}

static int teardown(void **state)
{
  st_close(*state);
  return 0;
}

/* ---- events_walk ---------------------------------------------------------- */

/* Customers A < B < C (ids) and six events, recorded out of customer and
 * time order:
 *   e1 B purchase T0+10   e2 A purchase T0+20   e3 A contact T0+5
 *   e4 B refund T0+30 (refund_of "k1" = e1)     e5 C survey T0+20
 *   e6 A purchase T0+20 (same time as e2, later id)
 * The walk order (customer, time, id) is e3 e2 e6 | e1 e4 | e5. */
struct wdata {
  int64_t cust[3];
  int64_t ev[7]; /* ev[1..6] */
};

static void walk_data(st_fix *f, struct wdata *d)
{
  d->cust[0] = st_customer(f->c, "A");
  d->cust[1] = st_customer(f->c, "B");
  d->cust[2] = st_customer(f->c, "C");
  d->ev[1] = st_event(f->c, d->cust[1], "purchase", ST_T0 + 10, 1000, NULL,
                      "k1");
  d->ev[2] = st_event(f->c, d->cust[0], "purchase", ST_T0 + 20, 2000, NULL,
                      "k2");
  d->ev[3] = st_event(f->c, d->cust[0], "contact", ST_T0 + 5, 0, NULL, "k3");
  d->ev[4] = st_event(f->c, d->cust[1], "refund", ST_T0 + 30, 400,
                      "{\"refund_of\":\"k1\"}", "k4");
  d->ev[5] = st_event(f->c, d->cust[2], "survey", ST_T0 + 20, 0,
                      "{\"score\":4}", "k5");
  d->ev[6] = st_event(f->c, d->cust[0], "purchase", ST_T0 + 20, 3000, NULL,
                      "k6");
}

struct seen {
  int64_t id[64];
  int n;
  int stop_at;       /* return stop_rc (default 42) once n reaches it */
  int stop_rc;
  st_fix *f;         /* for nested walks */
  int nested;        /* 1: walk the event's customer, 2: walk everything */
  int inner;         /* events the nested walks saw */
  crm_event_view v4; /* copy of e4's view (strings below) */
  char v4_type[16], v4_cur[8], v4_payload[64], v4_key[16], v4_refund[16];
  int64_t v4_want;
  int refund_of_others; /* events other than e4 with refund_of set */
};

static int count_inner(void *ud, const crm_event_view *ev)
{
  (void)ev;
  ((struct seen *)ud)->inner++;
  return 0;
}

static int on_ev(void *ud, const crm_event_view *ev)
{
  struct seen *s = ud;
  crm_event_filter fl;

  if(s->n < 64)
    s->id[s->n] = ev->event_id;
  s->n++;
  if(ev->event_id == s->v4_want) {
    s->v4 = *ev;
    snprintf(s->v4_type, sizeof(s->v4_type), "%s", ev->type);
    snprintf(s->v4_cur, sizeof(s->v4_cur), "%s", ev->currency);
    snprintf(s->v4_payload, sizeof(s->v4_payload), "%s", ev->payload);
    snprintf(s->v4_key, sizeof(s->v4_key), "%s", ev->idempotency_key);
    snprintf(s->v4_refund, sizeof(s->v4_refund), "%s",
             ev->refund_of ? ev->refund_of : "(null)");
  }
  else if(ev->refund_of)
    s->refund_of_others++;
  if(s->nested) {
    memset(&fl, 0, sizeof(fl));
    fl.struct_size = sizeof(fl);
    fl.customer_id = s->nested == 1 ? ev->customer_id : 0;
    assert_int_equal(s->f->api->events_walk(s->f->ctx, &fl, count_inner, s),
                     CRM_OK);
  }
  if(!s->stop_at || s->n != s->stop_at)
    return 0;
  if(s->stop_rc < 0)
    return s->f->api->set_error(s->f->ctx, s->stop_rc, "callback failed");
  return 42;
}

static int walk(st_fix *f, int64_t cust, const char *types, int64_t since,
                int64_t until, struct seen *s)
{
  crm_event_filter fl;

  memset(&fl, 0, sizeof(fl));
  fl.struct_size = sizeof(fl);
  fl.customer_id = cust;
  fl.types = types;
  fl.since = since;
  fl.until = until;
  s->f = f;
  return f->api->events_walk(f->ctx, &fl, on_ev, s);
}

static void assert_ids(const struct seen *s, const struct wdata *d,
                       const int *want, int n)
{
  int i;

  assert_int_equal(s->n, n);
  for(i = 0; i < n; i++) {
    if(s->id[i] != d->ev[want[i]])
      fail_msg("position %d: event %lld, want e%d (%lld)", i,
               (long long)s->id[i], want[i], (long long)d->ev[want[i]]);
  }
}

static void test_walk_order(void **state)
{
  st_fix *f = *state;
  struct wdata d;
  struct seen s;
  static const int all[] = {3, 2, 6, 1, 4, 5};

  walk_data(f, &d);
  memset(&s, 0, sizeof(s));
  s.v4_want = d.ev[4];
  assert_int_equal(walk(f, 0, NULL, 0, 0, &s), CRM_OK);
  assert_ids(&s, &d, all, 6);
  /* the refund's view, refund_of from its payload; no other has one */
  assert_int_equal(s.v4.customer_id, d.cust[1]);
  assert_string_equal(s.v4_type, "refund");
  assert_int_equal(s.v4.occurred_at, ST_T0 + 30);
  assert_int_equal(s.v4.amount, 400);
  assert_string_equal(s.v4_cur, "USD");
  assert_string_equal(s.v4_payload, "{\"refund_of\":\"k1\"}");
  assert_string_equal(s.v4_key, "k4");
  assert_string_equal(s.v4_refund, "k1");
  assert_true(s.v4.struct_size == sizeof(crm_event_view));
  assert_int_equal(s.refund_of_others, 0);
}

static void test_walk_types(void **state)
{
  st_fix *f = *state;
  struct wdata d;
  struct seen s;
  static const int pr[] = {2, 6, 1, 4};
  static const int p[] = {2, 6, 1};
  static const int sv[] = {5};

  walk_data(f, &d);
  memset(&s, 0, sizeof(s));
  assert_int_equal(walk(f, 0, "purchase,refund", 0, 0, &s), CRM_OK);
  assert_ids(&s, &d, pr, 4);
  memset(&s, 0, sizeof(s));
  assert_int_equal(walk(f, 0, "purchase", 0, 0, &s), CRM_OK);
  assert_ids(&s, &d, p, 3);
  memset(&s, 0, sizeof(s));
  assert_int_equal(walk(f, 0, "nps,survey", 0, 0, &s), CRM_OK);
  assert_ids(&s, &d, sv, 1);
  /* whole names only: "purch" and "urchase" match nothing */
  memset(&s, 0, sizeof(s));
  assert_int_equal(walk(f, 0, "purch,urchase", 0, 0, &s), CRM_OK);
  assert_int_equal(s.n, 0);
}

static void test_walk_bounds(void **state)
{
  st_fix *f = *state;
  struct wdata d;
  struct seen s;
  /* [T0+10, T0+30): e3 (T0+5) and e4 (T0+30) fall outside */
  static const int mid[] = {2, 6, 1, 5};
  /* since T0+20 alone: e2 e6 e4 e5 */
  static const int from20[] = {2, 6, 4, 5};
  /* until T0+10 alone: e3 only (e1 at T0+10 is excluded) */
  static const int to10[] = {3};

  walk_data(f, &d);
  memset(&s, 0, sizeof(s));
  assert_int_equal(walk(f, 0, NULL, ST_T0 + 10, ST_T0 + 30, &s), CRM_OK);
  assert_ids(&s, &d, mid, 4);
  memset(&s, 0, sizeof(s));
  assert_int_equal(walk(f, 0, NULL, ST_T0 + 20, 0, &s), CRM_OK);
  assert_ids(&s, &d, from20, 4);
  memset(&s, 0, sizeof(s));
  assert_int_equal(walk(f, 0, NULL, 0, ST_T0 + 10, &s), CRM_OK);
  assert_ids(&s, &d, to10, 1);
}

static void test_walk_one_customer(void **state)
{
  st_fix *f = *state;
  struct wdata d;
  struct seen s;
  static const int b[] = {1, 4};
  static const int a[] = {3, 2, 6};
  static const int a_p[] = {2, 6};

  walk_data(f, &d);
  memset(&s, 0, sizeof(s));
  s.v4_want = d.ev[4];
  assert_int_equal(walk(f, d.cust[1], NULL, 0, 0, &s), CRM_OK);
  assert_ids(&s, &d, b, 2);
  assert_string_equal(s.v4_refund, "k1");
  memset(&s, 0, sizeof(s));
  assert_int_equal(walk(f, d.cust[0], NULL, 0, 0, &s), CRM_OK);
  assert_ids(&s, &d, a, 3);
  memset(&s, 0, sizeof(s));
  assert_int_equal(walk(f, d.cust[0], "purchase", ST_T0 + 6, 0, &s), CRM_OK);
  assert_ids(&s, &d, a_p, 2);
  memset(&s, 0, sizeof(s));
  assert_int_equal(walk(f, 9999, NULL, 0, 0, &s), CRM_OK);
  assert_int_equal(s.n, 0);
}

static void test_walk_stop_and_nest(void **state)
{
  st_fix *f = *state;
  struct wdata d;
  struct seen s;

  walk_data(f, &d);
  /* the callback's value comes back as it is, with no error */
  memset(&s, 0, sizeof(s));
  s.stop_at = 2;
  crm__hctx_reset(f->ctx);
  assert_int_equal(walk(f, 0, NULL, 0, 0, &s), 42);
  assert_int_equal(s.n, 2);
  assert_string_equal(f->ctx->errmsg, "");
  /* a failure the callback returns is passed on with its own message */
  memset(&s, 0, sizeof(s));
  s.stop_at = 1;
  s.stop_rc = CRM_ERANGE;
  s.f = f;
  assert_int_equal(walk(f, d.cust[0], NULL, 0, 0, &s), CRM_ERANGE);
  assert_int_equal(s.n, 1);
  assert_string_equal(f->ctx->errmsg, "callback failed");
  assert_string_equal(crm_errmsg(f->c), "ok");
  /* nested: each event walks its customer again: 3x3 + 2x2 + 1x1 */
  memset(&s, 0, sizeof(s));
  s.nested = 1;
  assert_int_equal(walk(f, 0, NULL, 0, 0, &s), CRM_OK);
  assert_int_equal(s.n, 6);
  assert_int_equal(s.inner, 14);
  /* the same statement re-entered: 6 x 6 */
  memset(&s, 0, sizeof(s));
  s.nested = 2;
  assert_int_equal(walk(f, 0, NULL, 0, 0, &s), CRM_OK);
  assert_int_equal(s.inner, 36);
  /* and the cached statements still work afterwards */
  memset(&s, 0, sizeof(s));
  assert_int_equal(walk(f, 0, NULL, 0, 0, &s), CRM_OK);
  assert_int_equal(s.n, 6);
}

static void test_walk_errors(void **state)
{
  st_fix *f = *state;
  crm_event_filter fl;
  struct seen s;
  char types[1100];

  memset(&s, 0, sizeof(s));
  memset(&fl, 0, sizeof(fl));
  fl.struct_size = 8;
  crm__hctx_reset(f->ctx);
  assert_int_equal(f->api->events_walk(f->ctx, &fl, on_ev, &s), CRM_EINVAL);
  assert_string_equal(f->ctx->errmsg, lt_fmt("event filter struct_size 8 "
                      "is smaller than sdk 1.3's %u",
                      (unsigned)sizeof(crm_event_filter)));
  assert_int_equal(f->api->events_walk(f->ctx, NULL, on_ev, &s), CRM_EINVAL);
  assert_string_equal(f->ctx->errmsg, lt_fmt("event filter struct_size 0 "
                      "is smaller than sdk 1.3's %u",
                      (unsigned)sizeof(crm_event_filter)));
  fl.struct_size = sizeof(fl);
  fl.since = 200;
  fl.until = 200;
  assert_int_equal(f->api->events_walk(f->ctx, &fl, on_ev, &s), CRM_EINVAL);
  assert_string_equal(f->ctx->errmsg, "event filter since (200) is not "
                      "before until (200)");
  fl.since = 0;
  fl.until = 0;
  fl.types = "";
  assert_int_equal(f->api->events_walk(f->ctx, &fl, on_ev, &s), CRM_EINVAL);
  assert_string_equal(f->ctx->errmsg, "event filter types is empty (NULL "
                      "means every type)");
  memset(types, 'a', sizeof(types) - 1);
  types[sizeof(types) - 1] = '\0';
  fl.types = types;
  assert_int_equal(f->api->events_walk(f->ctx, &fl, on_ev, &s), CRM_ERANGE);
  assert_string_equal(f->ctx->errmsg, "event filter types is longer than "
                      "1024 bytes");
  fl.types = NULL;
  fl.customer_id = -1;
  assert_int_equal(f->api->events_walk(f->ctx, &fl, on_ev, &s), CRM_EINVAL);
  assert_string_equal(f->ctx->errmsg, "event filter customer #-1 is not a "
                      "customer id");
  fl.customer_id = 0;
  assert_int_equal(f->api->events_walk(f->ctx, &fl, NULL, &s), CRM_EINVAL);
  assert_string_equal(f->ctx->errmsg, "event walk has no callback");
  assert_int_equal(s.n, 0);
  assert_string_equal(crm_errmsg(f->c), "ok");
}

/* ---- customers_walk ---------------------------------------------------------- */

/* Five customers, their stages set directly (the lifecycle rules are not
 * under test here):
 *   A prospect (1): email, phone, timezone, birthday given; no purchase
 *   B first purchase (4): one purchase of 1234 USD at T0+10
 *   C qualified (2)   D lost (8)   E parked (3)
 * Walk order is id order: A B C D E. */
struct cdata {
  int64_t id[5];
};

static void set_stage(st_fix *f, int64_t id, int stage)
{
  const char *sql = lt_fmt("UPDATE customers SET stage = %d WHERE id = %lld",
                           stage, (long long)id);

  assert_int_equal(sqlite3_exec(f->c->db, sql, NULL, NULL, NULL),
                   SQLITE_OK);
}

static void cust_data(st_fix *f, struct cdata *d)
{
  static const int stage[5] = {CRM_STAGE_PROSPECT, CRM_STAGE_FIRST_PURCHASE,
                               CRM_STAGE_QUALIFIED, CRM_STAGE_LOST,
                               CRM_STAGE_PARKED};
  crm_customer_fields cf;
  int i;

  memset(&cf, 0, sizeof(cf));
  cf.external_id = "A";
  cf.name = "Ann";
  cf.email = "ann@example.org";
  cf.phone = "+33 1 23 45 67 89";
  cf.timezone = "Europe/Paris";
  cf.birthday = "1980-05-17";
  if(crm_customer_add(f->c, &cf, &d->id[0]))
    fail_msg("crm_customer_add(A): %s", crm_errmsg(f->c));
  d->id[1] = st_customer(f->c, "B");
  d->id[2] = st_customer(f->c, "C");
  d->id[3] = st_customer(f->c, "D");
  d->id[4] = st_customer(f->c, "E");
  st_event(f->c, d->id[1], "purchase", ST_T0 + 10, 1234, NULL, "b1");
  for(i = 0; i < 5; i++)
    set_stage(f, d->id[i], stage[i]);
}

struct cseen {
  int64_t id[16];
  int n;
  int stop_at; /* return 42 (or fail with stop_rc) once n reaches it */
  int stop_rc;
  st_fix *f;
  int nested;      /* walk every customer and the customer's events */
  int inner;       /* customers the nested walks saw */
  int inner_ev;    /* events the nested walks saw */
  int kept;        /* outer views whose strings survived the nested walk */
  int64_t want;    /* copy this customer's view: */
  crm_customer_view v;
  char ext[16], name[16], email[32], phone[32], tz[32], cur[8], bday[16];
  int null_email, null_phone, null_cur, null_bday;
};

static void copy_str(char *dst, size_t size, const char *s, int *was_null)
{
  *was_null = s == NULL;
  snprintf(dst, size, "%s", s ? s : "");
}

static int count_cust(void *ud, const crm_customer_view *cv)
{
  (void)cv;
  ((struct cseen *)ud)->inner++;
  return 0;
}

static int count_ev(void *ud, const crm_event_view *ev)
{
  (void)ev;
  ((struct cseen *)ud)->inner_ev++;
  return 0;
}

static void nest(struct cseen *s, const crm_customer_view *cv)
{
  crm_customer_filter cf;
  crm_event_filter ef;
  char ext[16];

  snprintf(ext, sizeof(ext), "%s", cv->external_id);
  memset(&cf, 0, sizeof(cf));
  cf.struct_size = sizeof(cf);
  assert_int_equal(s->f->api->customers_walk(s->f->ctx, &cf, count_cust, s),
                   CRM_OK);
  memset(&ef, 0, sizeof(ef));
  ef.struct_size = sizeof(ef);
  ef.customer_id = cv->customer_id;
  assert_int_equal(s->f->api->events_walk(s->f->ctx, &ef, count_ev, s),
                   CRM_OK);
  s->kept += strcmp(ext, cv->external_id) == 0;
}

static int on_cust(void *ud, const crm_customer_view *cv)
{
  struct cseen *s = ud;
  int dummy;

  if(s->n < 16)
    s->id[s->n] = cv->customer_id;
  s->n++;
  if(cv->customer_id == s->want) {
    s->v = *cv;
    copy_str(s->ext, sizeof(s->ext), cv->external_id, &dummy);
    copy_str(s->name, sizeof(s->name), cv->name, &dummy);
    copy_str(s->email, sizeof(s->email), cv->email, &s->null_email);
    copy_str(s->phone, sizeof(s->phone), cv->phone, &s->null_phone);
    copy_str(s->tz, sizeof(s->tz), cv->timezone, &dummy);
    copy_str(s->cur, sizeof(s->cur), cv->currency, &s->null_cur);
    copy_str(s->bday, sizeof(s->bday), cv->birthday, &s->null_bday);
  }
  if(s->nested)
    nest(s, cv);
  if(!s->stop_at || s->n != s->stop_at)
    return 0;
  if(s->stop_rc < 0)
    return s->f->api->set_error(s->f->ctx, s->stop_rc, "callback failed");
  return 42;
}

static int cwalk(st_fix *f, uint32_t stages, int64_t after, struct cseen *s)
{
  crm_customer_filter cf;

  memset(&cf, 0, sizeof(cf));
  cf.struct_size = sizeof(cf);
  cf.stages = stages;
  cf.after_id = after;
  s->f = f;
  return f->api->customers_walk(f->ctx, &cf, on_cust, s);
}

/* The customers seen are d->id[want[0..n-1]], in that order. */
static void assert_cust(const struct cseen *s, const struct cdata *d,
                        const int *want, int n)
{
  int i;

  assert_int_equal(s->n, n);
  for(i = 0; i < n; i++) {
    if(s->id[i] != d->id[want[i]])
      fail_msg("position %d: customer %lld, want %c (%lld)", i,
               (long long)s->id[i], 'A' + want[i], (long long)d->id[want[i]]);
  }
}

#define BIT(stage) (1u << (stage))

static void test_customers_all(void **state)
{
  st_fix *f = *state;
  struct cdata d;
  struct cseen s;
  static const int all[] = {0, 1, 2, 3, 4};

  cust_data(f, &d);
  memset(&s, 0, sizeof(s));
  s.want = d.id[0];
  assert_int_equal(cwalk(f, 0, 0, &s), CRM_OK);
  assert_cust(&s, &d, all, 5);
  /* A: every text as given, birthday included; nothing bought */
  assert_true(s.v.struct_size == sizeof(crm_customer_view));
  assert_int_equal(s.v.customer_id, d.id[0]);
  assert_int_equal(s.v.stage, CRM_STAGE_PROSPECT);
  assert_string_equal(s.ext, "A");
  assert_string_equal(s.name, "Ann");
  assert_string_equal(s.email, "ann@example.org");
  assert_string_equal(s.phone, "+33 1 23 45 67 89");
  assert_string_equal(s.tz, "Europe/Paris");
  assert_string_equal(s.bday, "1980-05-17");
  assert_true(s.null_cur);
  assert_int_equal(s.v.created_at, ST_NOW);
  assert_int_equal(s.v.purchase_count, 0);
  assert_int_equal(s.v.first_purchase_at, 0);
  /* B: the purchase's figures, no email, phone or birthday */
  memset(&s, 0, sizeof(s));
  s.want = d.id[1];
  assert_int_equal(cwalk(f, 0, 0, &s), CRM_OK);
  assert_int_equal(s.v.stage, CRM_STAGE_FIRST_PURCHASE);
  assert_string_equal(s.ext, "B");
  assert_true(s.null_email);
  assert_true(s.null_phone);
  assert_true(s.null_bday);
  assert_string_equal(s.tz, "UTC");
  assert_string_equal(s.cur, "USD");
  assert_int_equal(s.v.purchase_count, 1);
  assert_int_equal(s.v.monetary_total, 1234);
  assert_int_equal(s.v.first_purchase_at, ST_T0 + 10);
  assert_int_equal(s.v.last_purchase_at, ST_T0 + 10);
}

static void test_customers_stages(void **state)
{
  st_fix *f = *state;
  struct cdata d;
  struct cseen s;
  static const int prospects[] = {0, 2, 4}; /* A C E */
  static const int lost[] = {3};

  cust_data(f, &d);
  memset(&s, 0, sizeof(s));
  assert_int_equal(cwalk(f, BIT(CRM_STAGE_PROSPECT) |
                         BIT(CRM_STAGE_QUALIFIED) | BIT(CRM_STAGE_PARKED), 0,
                         &s), CRM_OK);
  assert_cust(&s, &d, prospects, 3);
  memset(&s, 0, sizeof(s));
  assert_int_equal(cwalk(f, BIT(CRM_STAGE_LOST), 0, &s), CRM_OK);
  assert_cust(&s, &d, lost, 1);
  /* a stage nobody is in, and a bit of no stage: nobody */
  memset(&s, 0, sizeof(s));
  assert_int_equal(cwalk(f, BIT(CRM_STAGE_REACTIVATED), 0, &s), CRM_OK);
  assert_int_equal(s.n, 0);
  memset(&s, 0, sizeof(s));
  assert_int_equal(cwalk(f, 1u << 31, 0, &s), CRM_OK);
  assert_int_equal(s.n, 0);
}

static void test_customers_after(void **state)
{
  st_fix *f = *state;
  struct cdata d;
  struct cseen s;
  static const int after_b[] = {2, 3, 4}; /* C D E */
  static const int after_c_prospects[] = {4}; /* E */

  cust_data(f, &d);
  memset(&s, 0, sizeof(s));
  assert_int_equal(cwalk(f, 0, d.id[1], &s), CRM_OK);
  assert_cust(&s, &d, after_b, 3);
  memset(&s, 0, sizeof(s));
  assert_int_equal(cwalk(f, BIT(CRM_STAGE_PROSPECT) |
                         BIT(CRM_STAGE_QUALIFIED) | BIT(CRM_STAGE_PARKED),
                         d.id[2], &s), CRM_OK);
  assert_cust(&s, &d, after_c_prospects, 1);
  memset(&s, 0, sizeof(s));
  assert_int_equal(cwalk(f, 0, d.id[4], &s), CRM_OK);
  assert_int_equal(s.n, 0);
}

static void test_customers_stop(void **state)
{
  st_fix *f = *state;
  struct cdata d;
  struct cseen s;
  static const int ab[] = {0, 1};
  static const int c[] = {2};

  cust_data(f, &d);
  /* the callback's value comes back as it is, with no error */
  memset(&s, 0, sizeof(s));
  s.stop_at = 2;
  crm__hctx_reset(f->ctx);
  assert_int_equal(cwalk(f, 0, 0, &s), 42);
  assert_cust(&s, &d, ab, 2);
  assert_string_equal(f->ctx->errmsg, "");
  assert_string_equal(crm_errmsg(f->c), "ok");
  /* and a resume after the last one seen goes on from there */
  memset(&s, 0, sizeof(s));
  s.stop_at = 1;
  assert_int_equal(cwalk(f, 0, d.id[1], &s), 42);
  assert_cust(&s, &d, c, 1);
}

static void test_customers_cb_error(void **state)
{
  st_fix *f = *state;
  struct cdata d;
  struct cseen s;

  cust_data(f, &d);
  /* a failure the callback returns is passed on with its own message */
  memset(&s, 0, sizeof(s));
  s.stop_at = 3;
  s.stop_rc = CRM_ERANGE;
  crm__hctx_reset(f->ctx);
  assert_int_equal(cwalk(f, 0, 0, &s), CRM_ERANGE);
  assert_int_equal(s.n, 3);
  assert_string_equal(f->ctx->errmsg, "callback failed");
  assert_string_equal(crm_errmsg(f->c), "ok");
}

static void test_customers_nested(void **state)
{
  st_fix *f = *state;
  struct cdata d;
  struct cseen s;
  static const int all[] = {0, 1, 2, 3, 4};

  cust_data(f, &d);
  /* each customer walks everyone again (5 x 5) and its own events (B's
   * one purchase); the outer view's strings survive the inner walks */
  memset(&s, 0, sizeof(s));
  s.nested = 1;
  assert_int_equal(cwalk(f, 0, 0, &s), CRM_OK);
  assert_cust(&s, &d, all, 5);
  assert_int_equal(s.inner, 25);
  assert_int_equal(s.inner_ev, 1);
  assert_int_equal(s.kept, 5);
  /* and the cached statement still works afterwards */
  memset(&s, 0, sizeof(s));
  assert_int_equal(cwalk(f, 0, 0, &s), CRM_OK);
  assert_cust(&s, &d, all, 5);
}

static void test_customers_errors(void **state)
{
  st_fix *f = *state;
  crm_customer_filter cf;
  struct cseen s;

  st_customer(f->c, "A");
  memset(&s, 0, sizeof(s));
  memset(&cf, 0, sizeof(cf));
  cf.struct_size = 8;
  crm__hctx_reset(f->ctx);
  assert_int_equal(f->api->customers_walk(f->ctx, &cf, on_cust, &s),
                   CRM_EINVAL);
  assert_string_equal(f->ctx->errmsg, lt_fmt("customer filter struct_size "
                      "8 is smaller than sdk 1.3's %u",
                      (unsigned)sizeof(crm_customer_filter)));
  assert_int_equal(f->api->customers_walk(f->ctx, NULL, on_cust, &s),
                   CRM_EINVAL);
  assert_string_equal(f->ctx->errmsg, lt_fmt("customer filter struct_size "
                      "0 is smaller than sdk 1.3's %u",
                      (unsigned)sizeof(crm_customer_filter)));
  cf.struct_size = sizeof(cf);
  cf.after_id = -1;
  assert_int_equal(f->api->customers_walk(f->ctx, &cf, on_cust, &s),
                   CRM_EINVAL);
  assert_string_equal(f->ctx->errmsg, "customer filter after_id -1 is "
                      "negative");
  cf.after_id = 0;
  assert_int_equal(f->api->customers_walk(f->ctx, &cf, NULL, &s),
                   CRM_EINVAL);
  assert_string_equal(f->ctx->errmsg, "customer walk has no callback");
  assert_int_equal(s.n, 0);
  assert_string_equal(crm_errmsg(f->c), "ok");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
  const struct CMUnitTest tests[] = {
    T(test_walk_order),
    T(test_walk_types),
    T(test_walk_bounds),
    T(test_walk_one_customer),
    T(test_walk_stop_and_nest),
    T(test_walk_errors),
    T(test_customers_all),
    T(test_customers_stages),
    T(test_customers_after),
    T(test_customers_stop),
    T(test_customers_cb_error),
    T(test_customers_nested),
    T(test_customers_errors),
  };

  return cmocka_run_group_tests_name("host_walk", tests, NULL, NULL);
}
