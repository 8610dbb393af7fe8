/*
 * test_case_triage.c - the core side of triage (SDK 1.5) with the plugins
 * loaded from the build tree: which complaint components load (a 1.4
 * handler, a triage component, neither), triage on open and the merging
 * of several triage decisions, host->cases_walk and its filters, and
 * crm_case_train end to end.
 */
#include "case_test.h"

#define FIXDIR CRM_TEST_FIXTURE_DIR

/* plugins from the build tree, fixtures from the fixture dir; pack (may
 * be NULL) copied beside crm.conf under its own name */
static void ctt_open_pack(pe_env *e, const char *load, const char *extra,
                          const char *pack)
{
  char conf[2048];

  pe_open(e, NULL);
  if(pack) {
    static char text[16384];
    const char *base = strrchr(pack, '/');
    FILE *f = fopen(pack, "r");
    size_t n;

    assert_non_null(f);
    n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    t_write_file(pe_path(e, base + 1), text);
  }
  snprintf(conf, sizeof(conf),
           "plugins = { path = [ \"%s\" ]; load = ( %s ); };\n%s", FIXDIR, load,
           extra ? extra : "");
  snprintf(e->conf, sizeof(e->conf), "%s/crm.conf", e->dir);
  t_write_file(e->conf, conf);
  if(crm_load_config(e->c, e->conf, CRM_TEST_PLUGIN_DIR))
    fail_msg("crm_load_config: %s", crm_errmsg(e->c));
}

static void ctt_open(pe_env *e, const char *load, const char *extra)
{
  ctt_open_pack(e, load, extra, NULL);
}

struct pstate {
  char name[32];
  char state[16];
  char reason[512];
};

static int pstate_cb(void *ud, const crm_plugin_info *p)
{
  struct pstate *s = ud;

  if(!strcmp(p->name, s->name)) {
    snprintf(s->state, sizeof(s->state), "%s", p->state);
    snprintf(s->reason, sizeof(s->reason), "%s", p->reason ? p->reason : "");
  }
  return 0;
}

static struct pstate plugin_state(crm *c, const char *name)
{
  struct pstate s;

  memset(&s, 0, sizeof(s));
  snprintf(s.name, sizeof(s.name), "%s", name);
  assert_int_equal(crm_plugins_foreach(c, pstate_cb, &s), CRM_OK);
  return s;
}

static int64_t new_case(crm *c, int64_t cust, const char *summary,
                        const char *category, int priority,
                        const char *handler)
{
  crm_case_new n;
  int64_t id = 0;

  memset(&n, 0, sizeof(n));
  n.customer_id = cust;
  n.summary = summary;
  n.category = category;
  n.priority = priority;
  n.handler = handler;
  if(crm_case_create(c, &n, &id))
    fail_msg("crm_case_create: %s", crm_errmsg(c));
  return id;
}

struct got {
  char handler[64];
  char state[32];
  char category[32];
  char reason[256];
  int priority;
  int64_t closed_at;
};

static struct got get_case(crm *c, int64_t id)
{
  struct got g;
  crm_case k;

  memset(&g, 0, sizeof(g));
  if(crm_case_get(c, id, &k))
    fail_msg("crm_case_get: %s", crm_errmsg(c));
  snprintf(g.handler, sizeof(g.handler), "%s", k.handler);
  snprintf(g.state, sizeof(g.state), "%s", k.state);
  snprintf(g.category, sizeof(g.category), "%s", k.category);
  snprintf(g.reason, sizeof(g.reason), "%s",
           k.triage_reason ? k.triage_reason : "");
  g.priority = k.priority;
  g.closed_at = k.closed_at;
  return g;
}

/* New -> Resolved -> Closed through the public API. */
static void close_case(crm *c, int64_t id)
{
  crm_case_resolution r;
  crm_case_op op = ct_op("ana", "done", 0);

  memset(&r, 0, sizeof(r));
  r.op = ct_op("ana", "fixed", 0);
  if(crm_case_resolve(c, id, &r))
    fail_msg("crm_case_resolve: %s", crm_errmsg(c));
  if(crm_case_close(c, id, &op))
    fail_msg("crm_case_close: %s", crm_errmsg(c));
}

/* ---- which complaint components load ----------------------------------- */

static void test_component_kinds(void **state)
{
  struct pstate s;
  struct got g;
  crm_case_op op = ct_op("ana", NULL, 0);
  pe_env e;
  int64_t cust, id;

  (void)state;
  ctt_open(&e, "{ name = \"fx_triage_only\"; }, { name = \"fx_case14\"; },"
               " { name = \"fx_case_none\"; }, { name = \"basic_case\"; }",
           NULL);
  assert_string_equal(plugin_state(e.c, "fx_case14").state, "loaded");
  assert_string_equal(plugin_state(e.c, "fx_triage_only").state, "loaded");
  assert_string_equal(plugin_state(e.c, "basic_case").state, "loaded");
  s = plugin_state(e.c, "fx_case_none");
  assert_string_equal(s.state, "refused");
  assert_non_null(strstr(s.reason, "missing mandatory callback states in "
                                   "complaint component \"fx_case_none\""));
  cust = t_add_customer(e.c, "c1");
  /* the default handler is the first handler loaded, not the triage */
  id = new_case(e.c, cust, "something odd", NULL, 0, NULL);
  g = get_case(e.c, id);
  assert_string_equal(g.handler, "fx_case14");
  /* the 1.4 handler's own first state; the triage fixture classified */
  assert_string_equal(g.state, "Open");
  assert_string_equal(g.category, "fx");
  assert_int_equal(g.priority, 2);
  assert_string_equal(g.reason, "fixture");
  /* its 1.4 vtable was read up to its struct_size: the two pointers
   * after it in memory (fx_junk) are not taken for classify and train */
  {
    const crm__component *h =
        crm__component_find(e.c, CRM_KIND_COMPLAINT, "fx_case14");

    assert_non_null(h);
    assert_null(h->vt.complaint.classify);
    assert_null(h->vt.complaint.train);
  }
  /* its last state is final */
  assert_int_equal(crm_case_move_op(e.c, id, "Working", &op), CRM_OK);
  assert_int_equal(crm_case_move_op(e.c, id, "Done", &op), CRM_OK);
  g = get_case(e.c, id);
  assert_string_equal(g.state, "Done");
  assert_true(g.closed_at > 0);
  /* a triage component cannot be a case's handler */
  {
    crm_case_new n;
    int64_t x;

    memset(&n, 0, sizeof(n));
    n.customer_id = cust;
    n.summary = "x";
    n.handler = "fx_triage_only";
    assert_int_not_equal(crm_case_create(e.c, &n, &x), CRM_OK);
  }
  /* the fixture cannot learn: nothing can */
  assert_int_equal(crm_case_train(e.c, 0), CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(e.c), "no triage component that can learn "
                                       "is loaded");
  /* a negative as_of is bad input, before anything else */
  assert_int_equal(crm_case_train(e.c, -1), CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c), "as_of is negative (-1)");
  pe_close(&e);
}

/* ---- triage on open ------------------------------------------------------- */

static void put_score(crm *c, int64_t cust, const char *model,
                      const char *name, double v)
{
  sqlite3_stmt *st;

  assert_int_equal(sqlite3_prepare_v2(c->db, "INSERT INTO scores(customer_id,"
                                      " model, name, value, computed_at)"
                                      " VALUES(?1, ?2, ?3, ?4, 0)", -1, &st,
                                      NULL), SQLITE_OK);
  sqlite3_bind_int64(st, 1, cust);
  sqlite3_bind_text(st, 2, model, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
  sqlite3_bind_double(st, 4, v);
  assert_int_equal(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
}

static void test_triage_on_open(void **state)
{
  struct got g;
  pe_env e;
  int64_t a, b, id;

  (void)state;
  ctt_open(&e, "{ name = \"triage\"; }, { name = \"basic_case\"; }",
           "complaints = { handler = \"basic_case\"; };\n");
  a = t_add_customer(e.c, "a");
  b = t_add_customer(e.c, "b");
  put_score(e.c, b, "churn", "risk", 0.8);
  id = new_case(e.c, a, "my parcel is two weeks late", NULL, 0, NULL);
  g = get_case(e.c, id);
  assert_string_equal(g.handler, "basic_case");
  assert_string_equal(g.state, "New");
  assert_string_equal(g.category, "delivery");
  assert_int_equal(g.priority, 2);
  assert_string_equal(g.reason, "keywords: late, parcel");
  /* the caller's category and priority win */
  id = new_case(e.c, a, "my parcel is late", "billing", 0, NULL);
  g = get_case(e.c, id);
  assert_string_equal(g.category, "billing");
  assert_int_equal(g.priority, 2); /* triage's, from billing */
  id = new_case(e.c, a, "my parcel is late", NULL, 4, NULL);
  g = get_case(e.c, id);
  assert_string_equal(g.category, "delivery");
  assert_int_equal(g.priority, 4);
  /* a customer at risk (churn risk 0.8 >= 0.5): one level more urgent */
  id = new_case(e.c, b, "my parcel is late", NULL, 0, NULL);
  g = get_case(e.c, id);
  assert_int_equal(g.priority, 1);
  assert_string_equal(g.reason, "keywords: late, parcel; customer at risk: "
                                "priority 2 -> 1");
  pe_close(&e);
}

/* Two triage components in load order: the last that set a category or
 * priority wins, the reasons are joined. */
static void test_triage_merge(void **state)
{
  struct got g;
  pe_env e;
  int64_t a, id;

  (void)state;
  ctt_open(&e, "{ name = \"triage\"; }, { name = \"fx_triage_only\"; },"
               " { name = \"basic_case\"; }",
           "complaints = { handler = \"basic_case\"; };\n");
  a = t_add_customer(e.c, "a");
  id = new_case(e.c, a, "the staff were rude", NULL, 0, NULL);
  g = get_case(e.c, id);
  assert_string_equal(g.category, "fx");
  assert_int_equal(g.priority, 2);
  assert_string_equal(g.reason, "keywords: rude*, staff; fixture");
  /* a category given by the caller stays */
  id = new_case(e.c, a, "the staff were rude", "service", 0, NULL);
  g = get_case(e.c, id);
  assert_string_equal(g.category, "service");
  assert_int_equal(g.priority, 2);
  pe_close(&e);
}

/* ---- host->cases_walk ------------------------------------------------------ */

struct walked {
  int64_t id[16];
  char text[16][64];
  size_t text_len[16];
  int64_t closed_at[16];
  size_t n;
  crm_host_ctx *ctx;
  int nested; /* walks made from inside the callback */
  int64_t nested_seen;
};

static int nested_cb(void *ud, const crm_case_view *v)
{
  struct walked *w = ud;

  (void)v;
  w->nested_seen++;
  return 0;
}

static int walk_cb(void *ud, const crm_case_view *v)
{
  struct walked *w = ud;

  if(w->n < 16) {
    w->id[w->n] = v->case_id;
    snprintf(w->text[w->n], sizeof(w->text[0]), "%s", v->customer_text);
    w->text_len[w->n] = strlen(v->customer_text);
    w->closed_at[w->n] = v->closed_at;
  }
  w->n++;
  if(w->nested) {
    crm_case_filter f;

    memset(&f, 0, sizeof(f));
    f.struct_size = sizeof(f);
    f.customer_id = v->customer_id;
    if(crm__host_api()->cases_walk(w->ctx, &f, nested_cb, w))
      return CRM_ERROR;
  }
  return 0;
}

static crm_host_ctx *plugin_ctx(crm *c, const char *name)
{
  crm__plugin *p;

  for(p = c->plugins; p; p = p->next) {
    if(!strcmp(p->name, name))
      return &p->hctx;
  }
  fail_msg("plugin %s not loaded", name);
  return NULL;
}

static void walk(crm *c, int64_t cust, uint32_t flags, int64_t since,
                 int64_t until, struct walked *w)
{
  crm_case_filter f;
  int nested = w->nested;

  memset(w, 0, sizeof(*w));
  w->nested = nested;
  w->ctx = plugin_ctx(c, "triage");
  memset(&f, 0, sizeof(f));
  f.struct_size = sizeof(f);
  f.customer_id = cust;
  f.flags = flags;
  f.since = since;
  f.until = until;
  if(crm__host_api()->cases_walk(w->ctx, &f, walk_cb, w))
    fail_msg("cases_walk: %s", w->ctx->errmsg);
}

static void test_cases_walk(void **state)
{
  static char big[2001];
  struct walked w;
  crm_case_filter f;
  crm_case_op op = ct_op("ana", "spam", 0);
  pe_env e;
  int64_t a, b, k1, k2, k3, k4, k5, k6;
  int64_t t0 = PE_NOW;

  (void)state;
  ctt_open(&e, "{ name = \"triage\"; }, { name = \"basic_case\"; }",
           "complaints = { handler = \"basic_case\"; };\n");
  a = t_add_customer(e.c, "a");
  b = t_add_customer(e.c, "b");
  crm_set_now(e.c, t0);
  k1 = new_case(e.c, a, "first", "food", 0, NULL);          /* closed */
  crm_set_now(e.c, t0 + 100);
  k2 = new_case(e.c, b, "second", "room", 0, NULL);         /* rejected */
  crm_set_now(e.c, t0 + 200);
  k3 = new_case(e.c, a, "third", "food", 0, NULL);          /* open */
  crm_set_now(e.c, t0 + 300);
  k4 = new_case(e.c, a, "fourth", "food", 0, NULL);         /* duplicate */
  crm_set_now(e.c, t0 + 400);
  memset(big, 'x', 2000);
  k5 = new_case(e.c, b, big, "room", 0, NULL);              /* long text */
  crm_set_now(e.c, t0 + 500);
  /* customer messages go into customer_text; agent notes do not */
  assert_int_equal(crm_case_reply(e.c, k1, CRM_CASE_MSG_CUSTOMER,
                                  "still cold", 0, NULL, NULL, NULL),
                   CRM_OK);
  assert_int_equal(crm_case_reply(e.c, k1, CRM_CASE_MSG_NOTE,
                                  "internal", 0, NULL, NULL, NULL), CRM_OK);
  assert_int_equal(crm_case_reply(e.c, k1, CRM_CASE_MSG_CUSTOMER,
                                  "and salty", 0, NULL, NULL, NULL), CRM_OK);
  assert_int_equal(crm_case_reply(e.c, k5, CRM_CASE_MSG_CUSTOMER, big, 0,
                                  NULL, NULL, NULL), CRM_OK);
  assert_int_equal(crm_case_reply(e.c, k5, CRM_CASE_MSG_CUSTOMER, big, 0,
                                  NULL, NULL, NULL), CRM_OK);
  close_case(e.c, k1);
  assert_int_equal(crm_case_reject(e.c, k2, &op), CRM_OK);
  assert_int_equal(crm_case_merge(e.c, k4, k3, &op), CRM_OK);
  close_case(e.c, k5);
  crm_set_now(e.c, t0 + 600);
  k6 = new_case(e.c, b, "sixth", "room", 0, NULL);          /* open */

  /* everything, in id order */
  w.nested = 0;
  walk(e.c, 0, 0, 0, 0, &w);
  assert_int_equal(w.n, 6);
  assert_int_equal(w.id[0], k1);
  assert_int_equal(w.id[5], k6);
  /* summary, then the customer's messages, one a line */
  assert_string_equal(w.text[0], "first\nstill cold\nand salty");
  assert_true(w.closed_at[0] > 0);
  assert_int_equal(w.closed_at[2], 0); /* k3 open */
  /* 2000 + 1 + 2000 + 1 + 2000 bytes cut at 4096 */
  assert_int_equal(w.text_len[4], 4096);
  /* closed: Closed and Rejected, not Duplicate nor open */
  walk(e.c, 0, CRM_CASES_CLOSED, 0, 0, &w);
  assert_int_equal(w.n, 3);
  assert_int_equal(w.id[0], k1);
  assert_int_equal(w.id[1], k2);
  assert_int_equal(w.id[2], k5);
  /* one customer */
  walk(e.c, b, 0, 0, 0, &w);
  assert_int_equal(w.n, 3);
  assert_int_equal(w.id[0], k2);
  assert_int_equal(w.id[1], k5);
  assert_int_equal(w.id[2], k6);
  /* opened_at in [since, until) */
  walk(e.c, 0, 0, t0 + 100, t0 + 400, &w);
  assert_int_equal(w.n, 3);
  assert_int_equal(w.id[0], k2);
  assert_int_equal(w.id[2], k4);
  /* a callback may walk again */
  w.nested = 1;
  walk(e.c, a, 0, 0, 0, &w);
  assert_int_equal(w.n, 3);
  assert_int_equal(w.nested_seen, 9); /* 3 cases of a, 3 times */
  /* a bad filter: the message goes to the plugin's ctx */
  memset(&f, 0, sizeof(f));
  f.struct_size = 8;
  assert_int_equal(crm__host_api()->cases_walk(plugin_ctx(e.c, "triage"), &f,
                                               walk_cb, &w), CRM_EINVAL);
  assert_non_null(strstr(plugin_ctx(e.c, "triage")->errmsg,
                         "case filter struct_size 8 is smaller than sdk "
                         "1.5's"));
  f.struct_size = sizeof(f);
  f.flags = 0x80;
  assert_int_equal(crm__host_api()->cases_walk(plugin_ctx(e.c, "triage"), &f,
                                               walk_cb, &w), CRM_EINVAL);
  assert_string_equal(plugin_ctx(e.c, "triage")->errmsg,
                      "case filter flags 0x80: unknown bits");
  pe_close(&e);
}

/* A walk of one customer's cases searches the cases_customer index
 * (customer_id, id): its statement takes no full-scan step. The walk's
 * statement is found among the connection's statements during the
 * callback (sqlite3_next_stmt). With all customers it is a scan in id
 * order, as training needs. */
struct scan_probe {
  sqlite3 *db;
  int n;
  int full_scan_steps; /* of the walk's statement, at the last callback */
};

static int scan_cb(void *ud, const crm_case_view *v)
{
  struct scan_probe *p = ud;
  sqlite3_stmt *st = NULL;

  (void)v;
  p->n++;
  while((st = sqlite3_next_stmt(p->db, st)) != NULL) {
    const char *sql = sqlite3_sql(st);

    if(sql && !strncmp(sql, "SELECT id FROM cases", 20) &&
       sqlite3_stmt_busy(st))
      p->full_scan_steps =
          sqlite3_stmt_status(st, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0);
  }
  return 0;
}

static void test_cases_walk_index(void **state)
{
  struct scan_probe p;
  crm_case_filter f;
  pe_env e;
  int64_t a, b;
  int i;

  (void)state;
  ctt_open(&e, "{ name = \"triage\"; }, { name = \"basic_case\"; }",
           "complaints = { handler = \"basic_case\"; };\n");
  a = t_add_customer(e.c, "a");
  b = t_add_customer(e.c, "b");
  for(i = 0; i < 6; i++)
    new_case(e.c, i == 2 ? a : b, "late parcel", NULL, 0, NULL);
  memset(&p, 0, sizeof(p));
  p.db = e.c->db;
  p.full_scan_steps = -1;
  memset(&f, 0, sizeof(f));
  f.struct_size = sizeof(f);
  f.customer_id = a;
  assert_int_equal(crm__host_api()->cases_walk(plugin_ctx(e.c, "triage"),
                                               &f, scan_cb, &p), CRM_OK);
  assert_int_equal(p.n, 1);
  assert_int_equal(p.full_scan_steps, 0);
  /* all customers: the scan visits the 6 cases */
  memset(&p, 0, sizeof(p));
  p.db = e.c->db;
  f.customer_id = 0;
  assert_int_equal(crm__host_api()->cases_walk(plugin_ctx(e.c, "triage"),
                                               &f, scan_cb, &p), CRM_OK);
  assert_int_equal(p.n, 6);
  pe_close(&e);
}

/* ---- crm_case_train ----------------------------------------------------------- */

/* The hand-built set of test_plugin_triage: p(room | "cold room") =
 * 1536/2550 = 0.6024 over 6 closed cases. */
static void test_train(void **state)
{
  static const struct {
    const char *cat, *text;
  } set[] = {
    {"food", "Cold soup!"}, {"food", "the soup was salty"},
    {"food", "cold PASTA"}, {"room", "noisy room"},
    {"food", "bland soup"}, {"room", "dirty room, cold"},
  };
  struct got g;
  pe_env e;
  double v = 0;
  int64_t a, id;
  size_t i;

  (void)state;
  ctt_open(&e, "{ name = \"triage\"; config = { min_cases = 6; }; },"
               " { name = \"basic_case\"; }",
           "complaints = { handler = \"basic_case\"; };\n");
  a = t_add_customer(e.c, "a");
  for(i = 0; i < 6; i++)
    close_case(e.c, new_case(e.c, a, set[i].text, set[i].cat, 0, NULL));
  new_case(e.c, a, "room room room", "room", 0, NULL); /* open: left out */
  /* before training: not enough cases */
  id = new_case(e.c, a, "cold room", NULL, 0, NULL);
  g = get_case(e.c, id);
  assert_string_equal(g.category, "other");
  assert_string_equal(g.reason, "no keyword; bayes not trained (0 of 6 "
                                "closed cases)");
  assert_int_equal(crm_case_train(e.c, 0), CRM_OK);
  assert_int_equal(crm_figure_get(e.c, "triage", "trained_cases", &v),
                   CRM_OK);
  assert_true(v == 6.0);
  assert_int_equal(crm_figure_get(e.c, "triage", "vocabulary", &v), CRM_OK);
  assert_true(v == 8.0);
  id = new_case(e.c, a, "cold room", NULL, 0, NULL);
  g = get_case(e.c, id);
  assert_string_equal(g.category, "room");
  assert_string_equal(g.reason, "bayes: room p=0.60 over 6 cases");
  id = new_case(e.c, a, "soup", NULL, 0, NULL);
  g = get_case(e.c, id);
  assert_string_equal(g.category, "food");
  assert_string_equal(g.reason, "bayes: food p=0.87 over 6 cases");
  /* as_of before every case: nothing to learn from */
  assert_int_equal(crm_case_train(e.c, T_EPOCH2000), CRM_OK);
  assert_int_equal(crm_figure_get(e.c, "triage", "trained_cases", &v),
                   CRM_OK);
  assert_true(v == 0.0);
  pe_close(&e);
}

/* ---- the airline pack ------------------------------------------------------ */

/* conf/packs/airline_complaints.conf as shipped, with basic_points as the
 * reward scheme: the pack's fixed amounts replace the agent's request,
 * within the core's limit for "baggage". */
static void test_baggage_pack(void **state)
{
  char load[1024];
  crm_case_resolution r;
  crm_case_new n;
  struct got g;
  pe_env e;
  int64_t a, lost, late, over, bal = -1;

  (void)state;
  /* @include names are taken from the directory of crm.conf: a copy of
   * the pack sits there */
  snprintf(load, sizeof(load), "{ name = \"basic_points\"; },\n"
           "@include \"airline_complaints.conf\"\n");
  ctt_open_pack(&e, load,
                "complaints = { handler = \"baggage_case\"; compensation = ("
                " { category = \"baggage\"; max_points = 10000; } ); };\n",
                CRM_TEST_SOURCE_DIR "/conf/packs/airline_complaints.conf");
  a = t_add_customer(e.c, "a");
  lost = new_case(e.c, a, "my bag was LOST on AF123", NULL, 0, NULL);
  g = get_case(e.c, lost);
  assert_string_equal(g.handler, "baggage_case");
  assert_string_equal(g.category, "baggage");
  assert_int_equal(g.priority, 2);
  memset(&r, 0, sizeof(r));
  r.op = ct_op("ana", "bag found and delivered", 0);
  r.comp_points = 500; /* the agent's request, replaced by the pack's */
  assert_int_equal(crm_case_resolve(e.c, lost, &r), CRM_OK);
  assert_int_equal(crm_points_balance(e.c, a, &bal), CRM_OK);
  assert_int_equal(bal, 10000);
  /* a second customer's delayed bag: 3000 */
  late = new_case(e.c, t_add_customer(e.c, "b"), "bag delayed a day",
                  NULL, 0, NULL);
  assert_int_equal(crm_case_resolve(e.c, late, &r), CRM_OK);
  assert_int_equal(ct_int(e.c, "SELECT points FROM case_compensation"
                          " WHERE case_id = ?1", late), 3000);
  /* a reopened lost-bag case resolves again: the pack's amount is per
   * bag, so the second resolution grants 10000 - 10000 = 0 (before, it
   * asked 10000 again, passed the limit of 10000 per case and the case
   * could never be resolved again) */
  {
    crm_case_op op = ct_op("ana", "customer wrote again", 0);

    assert_int_equal(crm_case_move_op(e.c, lost, "In progress", &op),
                     CRM_OK);
  }
  if(crm_case_resolve(e.c, lost, &r))
    fail_msg("second resolve: %s", crm_errmsg(e.c));
  g = get_case(e.c, lost);
  assert_string_equal(g.state, "Resolved");
  assert_int_equal(crm_points_balance(e.c, a, &bal), CRM_OK);
  assert_int_equal(bal, 10000);
  assert_int_equal(ct_int(e.c, "SELECT count(*) FROM case_compensation"
                          " WHERE case_id = ?1", lost), 1);
  /* a caller's category wins over the handler's; such a case is not a
   * bag: the agent's request stands (none here; "service" has no limit
   * row, so the pack's 3000 would have refused the resolve) */
  memset(&n, 0, sizeof(n));
  n.customer_id = a;
  n.summary = "rude gate agent";
  n.category = "service";
  assert_int_equal(crm_case_create(e.c, &n, &over), CRM_OK);
  g = get_case(e.c, over);
  assert_string_equal(g.category, "service");
  r.comp_points = 0;
  if(crm_case_resolve(e.c, over, &r))
    fail_msg("resolve of a service case: %s", crm_errmsg(e.c));
  assert_int_equal(crm_points_balance(e.c, a, &bal), CRM_OK);
  assert_int_equal(bal, 10000);
  pe_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_component_kinds),
    cmocka_unit_test(test_triage_on_open),
    cmocka_unit_test(test_triage_merge),
    cmocka_unit_test(test_cases_walk),
    cmocka_unit_test(test_cases_walk_index),
    cmocka_unit_test(test_train),
    cmocka_unit_test(test_baggage_pack),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
