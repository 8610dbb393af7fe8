/*
 * test_consent.c - consent per channel, do-not-contact, contact
 * preferences and their history through the public API.
 */
#include "crm_test.h"

#include "crm_int.h"

/* 2000-01-01 + 100 days = 2000-04-10T00:00:00Z (Jan 31 + Feb 29 + Mar 31
 * = 91 days to April 1, + 9). */
#define NOW (T_EPOCH2000 + 100 * T_DAY)

static int64_t q_count(crm *c, const char *sql)
{
  sqlite3_stmt *st;
  int64_t v = -1;

  assert_int_equal(sqlite3_prepare_v2(c->db, sql, -1, &st, NULL),
                   SQLITE_OK);
  if(sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

#define N_HIST(c) q_count(c, "SELECT count(*) FROM consent_history")
#define N_AUDIT(c) q_count(c, "SELECT count(*) FROM audit_log")

struct rows {
  crm_consent k[8];
  char channel[8][40];
  char source[8][140];
  char reason[8][20];
  char note[8][260];
  size_t n;
};

static void cp(char *dst, size_t size, const char *s)
{
  snprintf(dst, size, "%s", s ? s : "(null)");
}

static int collect(void *ud, const crm_consent *k)
{
  struct rows *r = ud;

  if(r->n < 8) {
    r->k[r->n] = *k;
    cp(r->channel[r->n], sizeof(r->channel[0]), k->channel);
    cp(r->source[r->n], sizeof(r->source[0]), k->source);
    cp(r->reason[r->n], sizeof(r->reason[0]), k->dnc_reason);
    cp(r->note[r->n], sizeof(r->note[0]), k->dnc_note);
  }
  r->n++;
  return 0;
}

static void rows_of(crm *c, int64_t id, int history, struct rows *r)
{
  memset(r, 0, sizeof(*r));
  assert_int_equal(crm_consent_foreach(c, id, history, collect, r), CRM_OK);
}

static void get(crm *c, int64_t id, const char *ch, crm_consent *k)
{
  if(crm_consent_get(c, id, ch, k))
    fail_msg("crm_consent_get(%s): %s", ch, crm_errmsg(c));
}

static void test_opt_round_trip(void **state)
{
  crm *c = t_open_mem(NOW);
  int64_t id = t_add_customer(c, "a");
  crm_consent k;

  (void)state;
  get(c, id, "email", &k);
  assert_int_equal(k.status, CRM_CONSENT_UNKNOWN);
  assert_null(k.source);
  assert_null(k.dnc_reason);
  assert_int_equal(k.at, 0);
  assert_string_equal(k.channel, "email");

  assert_int_equal(crm_consent_set(c, id, "email", CRM_CONSENT_IN,
                                   "web form", NOW - 3600), CRM_OK);
  get(c, id, "email", &k);
  assert_int_equal(k.customer_id, id);
  assert_int_equal(k.status, CRM_CONSENT_IN);
  assert_string_equal(k.source, "web form");
  assert_int_equal(k.at, NOW - 3600);
  assert_int_equal(k.recorded_at, NOW);
  assert_null(k.dnc_reason);
  /* another channel is untouched */
  get(c, id, "sms", &k);
  assert_int_equal(k.status, CRM_CONSENT_UNKNOWN);

  /* at 0: now */
  assert_int_equal(crm_consent_set(c, id, "email", CRM_CONSENT_OUT,
                                   "unsubscribe link", 0), CRM_OK);
  get(c, id, "email", &k);
  assert_int_equal(k.status, CRM_CONSENT_OUT);
  assert_string_equal(k.source, "unsubscribe link");
  assert_int_equal(k.at, NOW);
  /* two history rows, two audit rows with the action name */
  assert_int_equal(N_HIST(c), 2);
  assert_int_equal(q_count(c, "SELECT count(*) FROM audit_log WHERE action"
                           " = 'consent.set' AND object = 'customer #1'"), 2);
  crm_close(c);
}

static void test_history_order(void **state)
{
  crm *c = t_open_mem(NOW);
  int64_t id = t_add_customer(c, "a");
  crm_contact_prefs p = { "sms", "fr-CA", 22 * 60, 7 * 60, 0, 0 };
  struct rows r;

  (void)state;
  /* recorded in this order, said in another */
  assert_int_equal(crm_consent_set(c, id, "sms", CRM_CONSENT_IN, "shop",
                                   NOW - 300), CRM_OK);
  assert_int_equal(crm_consent_set(c, id, "email", CRM_CONSENT_OUT,
                                   "letter", NOW - 600), CRM_OK);
  assert_int_equal(crm_dnc_set(c, id, NULL, CRM_DNC_MANUAL, "asked by phone",
                               NOW - 100), CRM_OK);
  assert_int_equal(crm_prefs_set(c, id, &p, "call centre"), CRM_OK);
  rows_of(c, id, 1, &r);
  assert_int_equal(r.n, 4);
  /* in the order recorded; `at` keeps when it was said */
  assert_string_equal(r.channel[0], "sms");
  assert_int_equal(r.k[0].status, CRM_CONSENT_IN);
  assert_string_equal(r.source[0], "shop");
  assert_int_equal(r.k[0].at, NOW - 300);
  assert_string_equal(r.channel[1], "email");
  assert_int_equal(r.k[1].status, CRM_CONSENT_OUT);
  assert_string_equal(r.source[1], "letter");
  assert_int_equal(r.k[1].at, NOW - 600);
  assert_string_equal(r.channel[2], "*");
  assert_int_equal(r.k[2].status, CRM_CONSENT_UNKNOWN);
  assert_string_equal(r.reason[2], "manual");
  assert_string_equal(r.note[2], "asked by phone");
  assert_int_equal(r.k[2].dnc_at, NOW - 100);
  /* prefs: channel NULL, the preferences summarised in dnc_note */
  assert_string_equal(r.channel[3], "(null)");
  assert_string_equal(r.source[3], "call centre");
  assert_string_equal(r.note[3],
                      "channel=sms language=fr-CA quiet=1320-420 pause=0-0");
  assert_int_equal(r.k[3].at, NOW);
  assert_int_equal(r.k[0].recorded_at, NOW);
  crm_close(c);
}

static void test_older_opt_in_ignored(void **state)
{
  crm *c = t_open_mem(NOW);
  int64_t id = t_add_customer(c, "a");
  crm_consent k;

  (void)state;
  assert_int_equal(crm_consent_set(c, id, "sms", CRM_CONSENT_IN, "form",
                                   NOW - 100), CRM_OK);
  assert_int_equal(crm_consent_set(c, id, "sms", CRM_CONSENT_OUT, "stop",
                                   NOW - 50), CRM_OK);
  /* said at -80, before the opt-out at -50: history only */
  assert_int_equal(crm_consent_set(c, id, "sms", CRM_CONSENT_IN, "import",
                                   NOW - 80), CRM_OK);
  get(c, id, "sms", &k);
  assert_int_equal(k.status, CRM_CONSENT_OUT);
  assert_string_equal(k.source, "stop");
  assert_int_equal(k.at, NOW - 50);
  assert_int_equal(N_HIST(c), 3);
  assert_int_equal(q_count(c, "SELECT count(*) FROM audit_log WHERE detail"
                           " LIKE '%history only'"), 1);
  /* same time as the latest change applies */
  assert_int_equal(crm_consent_set(c, id, "sms", CRM_CONSENT_IN, "again",
                                   NOW - 50), CRM_OK);
  get(c, id, "sms", &k);
  assert_int_equal(k.status, CRM_CONSENT_IN);
  /* an older opt-out still applies (a "no" is never lost) */
  assert_int_equal(crm_consent_set(c, id, "sms", CRM_CONSENT_OUT, "late",
                                   NOW - 90), CRM_OK);
  get(c, id, "sms", &k);
  assert_int_equal(k.status, CRM_CONSENT_OUT);
  assert_int_equal(k.at, NOW - 90);
  /* and an opt-in between -90 and -50 stays older than the latest (-50) */
  assert_int_equal(crm_consent_set(c, id, "sms", CRM_CONSENT_IN, "x",
                                   NOW - 60), CRM_OK);
  get(c, id, "sms", &k);
  assert_int_equal(k.status, CRM_CONSENT_OUT);
  assert_int_equal(N_HIST(c), 6);
  crm_close(c);
}

static void test_dnc(void **state)
{
  crm *c = t_open_mem(NOW);
  int64_t id = t_add_customer(c, "a");
  crm_consent k;
  struct rows r;

  (void)state;
  assert_int_equal(crm_consent_set(c, id, "sms", CRM_CONSENT_IN, "form",
                                   NOW - 1000), CRM_OK);
  assert_int_equal(crm_dnc_set(c, id, "sms", CRM_DNC_BOUNCED,
                               "550 no such user", NOW - 10), CRM_OK);
  get(c, id, "sms", &k);
  assert_int_equal(k.status, CRM_CONSENT_IN); /* consent kept */
  assert_string_equal(k.dnc_reason, "bounced");
  assert_string_equal(k.dnc_note, "550 no such user");
  assert_int_equal(k.dnc_at, NOW - 10);
  get(c, id, "email", &k);
  assert_null(k.dnc_reason);

  /* all channels */
  assert_int_equal(crm_dnc_set(c, id, NULL, CRM_DNC_COMPLAINED, NULL,
                               NOW - 5), CRM_OK);
  get(c, id, "email", &k);
  assert_int_equal(k.status, CRM_CONSENT_UNKNOWN);
  assert_string_equal(k.dnc_reason, "complained");
  assert_null(k.dnc_note);
  assert_int_equal(k.dnc_at, NOW - 5);
  get(c, id, "sms", &k); /* its own wins */
  assert_string_equal(k.dnc_reason, "bounced");
  get(c, id, "*", &k);
  assert_string_equal(k.dnc_reason, "complained");
  rows_of(c, id, 0, &r);
  assert_int_equal(r.n, 2); /* "*" sorts before "sms" */
  assert_string_equal(r.channel[0], "*");
  assert_string_equal(r.reason[0], "complained");
  assert_string_equal(r.channel[1], "sms");
  assert_string_equal(r.reason[1], "bounced");
  assert_string_equal(r.source[1], "form");

  /* clear sms: the "*" one shows through */
  assert_int_equal(crm_dnc_clear(c, id, "sms", "support call", 0), CRM_OK);
  get(c, id, "sms", &k);
  assert_int_equal(k.status, CRM_CONSENT_IN);
  assert_string_equal(k.dnc_reason, "complained");
  rows_of(c, id, 0, &r);
  assert_string_equal(r.reason[1], "complained");
  assert_int_equal(r.k[1].dnc_at, NOW - 5);

  /* a clear older than the do-not-contact is refused */
  assert_int_equal(crm_dnc_clear(c, id, NULL, "x", NOW - 6), CRM_EINVAL);
  assert_string_equal(crm_errmsg(c), "clearing older than the "
                      "do-not-contact: 955324794 is before 955324795");
  assert_int_equal(crm_dnc_clear(c, id, NULL, "ticket 7", NOW - 1), CRM_OK);
  get(c, id, "sms", &k);
  assert_null(k.dnc_reason);
  assert_int_equal(k.dnc_at, 0);
  /* the emptied "*" row is gone; sms keeps its consent */
  rows_of(c, id, 0, &r);
  assert_int_equal(r.n, 1);
  assert_string_equal(r.channel[0], "sms");
  assert_int_equal(crm_dnc_clear(c, id, NULL, "again", 0), CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(c), "no do-not-contact to clear on all "
                      "channels of customer #1");
  assert_int_equal(crm_dnc_clear(c, id, "email", "x", 0), CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(c), "no do-not-contact to clear on email "
                      "of customer #1");
  /* history as recorded: opt_in, dnc sms, dnc *, clear sms, clear * */
  rows_of(c, id, 1, &r);
  assert_int_equal(r.n, 5);
  assert_string_equal(r.reason[1], "bounced");
  assert_string_equal(r.reason[2], "complained");
  assert_string_equal(r.channel[3], "sms");
  assert_string_equal(r.source[3], "support call");
  assert_int_equal(r.k[3].at, NOW);
  assert_null(r.k[3].dnc_reason);
  assert_string_equal(r.channel[4], "*");
  assert_string_equal(r.source[4], "ticket 7");
  assert_int_equal(r.k[4].at, NOW - 1);
  crm_close(c);
}

static void test_prefs(void **state)
{
  crm *c = t_open_mem(NOW);
  int64_t id = t_add_customer(c, "a");
  crm_contact_prefs p;
  crm_contact_prefs in = { "sms", "fr-CA", 22 * 60, 7 * 60, NOW + T_DAY,
                           NOW + 8 * T_DAY };

  (void)state;
  assert_int_equal(crm_prefs_get(c, id, &p), CRM_OK);
  assert_null(p.preferred_channel);
  assert_null(p.language);
  assert_int_equal(p.quiet_start, -1);
  assert_int_equal(p.quiet_end, -1);
  assert_int_equal(p.pause_from, 0);
  assert_int_equal(p.pause_until, 0);

  assert_int_equal(crm_prefs_set(c, id, &in, "app"), CRM_OK);
  assert_int_equal(crm_prefs_get(c, id, &p), CRM_OK);
  assert_string_equal(p.preferred_channel, "sms");
  assert_string_equal(p.language, "fr-CA");
  assert_int_equal(p.quiet_start, 1320);
  assert_int_equal(p.quiet_end, 420);
  assert_int_equal(p.pause_from, NOW + T_DAY);
  assert_int_equal(p.pause_until, NOW + 8 * T_DAY);

  /* replaced as a whole */
  memset(&in, 0, sizeof(in));
  in.language = "zh-Hant-TW";
  in.quiet_start = in.quiet_end = -1;
  assert_int_equal(crm_prefs_set(c, id, &in, "app"), CRM_OK);
  assert_int_equal(crm_prefs_get(c, id, &p), CRM_OK);
  assert_null(p.preferred_channel);
  assert_string_equal(p.language, "zh-Hant-TW");
  assert_int_equal(p.quiet_start, -1);
  assert_int_equal(p.pause_until, 0);
  assert_int_equal(N_HIST(c), 2);
  assert_int_equal(q_count(c, "SELECT count(*) FROM audit_log"
                           " WHERE action = 'consent.prefs'"), 2);
  crm_close(c);
}

/* Each call fails with code and message and changes nothing. */
#define REFUSED(call, code, msg)                                         \
  do {                                                                   \
    assert_int_equal((call), (code));                                    \
    assert_string_equal(crm_errmsg(c), (msg));                           \
    assert_int_equal(N_HIST(c), h0);                                     \
    assert_int_equal(N_AUDIT(c), a0);                                    \
    assert_int_equal(q_count(c, "SELECT count(*) FROM consent"), 1);    \
  } while(0)

static void test_validation(void **state)
{
  crm *c = t_open_mem(NOW);
  int64_t id = t_add_customer(c, "a");
  crm_contact_prefs p = { NULL, NULL, -1, -1, 0, 0 };
  char long_src[130];
  char long_note[258];
  int64_t h0;
  int64_t a0;
  crm_consent k;

  (void)state;
  memset(long_src, 's', 129);
  long_src[129] = '\0';
  memset(long_note, 'n', 257);
  long_note[257] = '\0';
  assert_int_equal(crm_consent_set(c, id, "email", CRM_CONSENT_IN, "form",
                                   NOW - 10), CRM_OK);
  h0 = N_HIST(c);
  a0 = N_AUDIT(c);

  REFUSED(crm_consent_set(c, id, "E-mail", CRM_CONSENT_OUT, "x", 0),
          CRM_EINVAL, "invalid channel \"E-mail\": only a-z, 0-9 and _ are "
          "allowed");
  REFUSED(crm_consent_set(c, id, "", CRM_CONSENT_OUT, "x", 0), CRM_EINVAL,
          "channel is required");
  REFUSED(crm_consent_set(c, id, "abcdefghijabcdefghijabcdefghijabc",
                          CRM_CONSENT_OUT, "x", 0), CRM_EINVAL,
          "invalid channel \"abcdefghijabcdefghijabcdefghijab...\": more "
          "than 32 bytes");
  REFUSED(crm_consent_set(c, id, "*", CRM_CONSENT_OUT, "x", 0), CRM_EINVAL,
          "invalid channel \"*\": only a-z, 0-9 and _ are allowed");
  REFUSED(crm_consent_set(c, id, "email", CRM_CONSENT_UNKNOWN, "x", 0),
          CRM_EINVAL, "invalid consent status 0: 1 (in) or 2 (out)");
  REFUSED(crm_consent_set(c, id, "email", 3, "x", 0), CRM_EINVAL,
          "invalid consent status 3: 1 (in) or 2 (out)");
  REFUSED(crm_consent_set(c, id, "email", CRM_CONSENT_OUT, NULL, 0),
          CRM_EINVAL, "source is required");
  REFUSED(crm_consent_set(c, id, "email", CRM_CONSENT_OUT, long_src, 0),
          CRM_ERANGE, "source is too long (more than 128 bytes)");
  /* NOW + 60 = 2000-04-10T00:01:00Z */
  REFUSED(crm_consent_set(c, id, "email", CRM_CONSENT_OUT, "x", NOW + 60),
          CRM_EINVAL, "time in the future: 2000-04-10T00:01:00Z is after "
          "now (2000-04-10T00:00:00Z)");
  REFUSED(crm_dnc_set(c, id, "sms", "spam", NULL, 0), CRM_EINVAL,
          "unknown do-not-contact reason \"spam\": unsubscribed, bounced, "
          "complained or manual");
  REFUSED(crm_dnc_set(c, id, "sms", NULL, NULL, 0), CRM_EINVAL,
          "unknown do-not-contact reason \"\": unsubscribed, bounced, "
          "complained or manual");
  REFUSED(crm_dnc_set(c, id, "sms", CRM_DNC_MANUAL, long_note, 0),
          CRM_ERANGE, "note is too long (more than 256 bytes)");
  REFUSED(crm_dnc_set(c, id, "s ms", CRM_DNC_MANUAL, NULL, 0), CRM_EINVAL,
          "invalid channel \"s ms\": only a-z, 0-9 and _ are allowed");
  REFUSED(crm_dnc_set(c, id, NULL, CRM_DNC_MANUAL, NULL, NOW + 1),
          CRM_EINVAL, "time in the future: 2000-04-10T00:00:01Z is after "
          "now (2000-04-10T00:00:00Z)");
  REFUSED(crm_dnc_clear(c, id, "email", NULL, 0), CRM_EINVAL,
          "source is required");

  p.language = "english";
  REFUSED(crm_prefs_set(c, id, &p, "x"), CRM_EINVAL,
          "invalid language tag \"english\": expected a BCP 47 tag such as "
          "\"en\" or \"fr-CA\"");
  p.language = "en-";
  REFUSED(crm_prefs_set(c, id, &p, "x"), CRM_EINVAL,
          "invalid language tag \"en-\": expected a BCP 47 tag such as "
          "\"en\" or \"fr-CA\"");
  p.language = "en-toolongsub";
  REFUSED(crm_prefs_set(c, id, &p, "x"), CRM_EINVAL,
          "invalid language tag \"en-toolongsub\": expected a BCP 47 tag "
          "such as \"en\" or \"fr-CA\"");
  p.language = NULL;
  p.preferred_channel = "SMS";
  REFUSED(crm_prefs_set(c, id, &p, "x"), CRM_EINVAL,
          "invalid preferred channel \"SMS\": only a-z, 0-9 and _ are "
          "allowed");
  p.preferred_channel = NULL;
  p.quiet_start = 1320;
  REFUSED(crm_prefs_set(c, id, &p, "x"), CRM_EINVAL,
          "invalid quiet hours 1320..-1: minutes 0..1439, both or neither "
          "(-1)");
  p.quiet_end = 1440;
  REFUSED(crm_prefs_set(c, id, &p, "x"), CRM_EINVAL,
          "invalid quiet hours 1320..1440: minutes 0..1439, both or neither "
          "(-1)");
  p.quiet_start = p.quiet_end = -1;
  p.pause_from = NOW;
  p.pause_until = NOW;
  REFUSED(crm_prefs_set(c, id, &p, "x"), CRM_EINVAL,
          "invalid pause 955324800..955324800: from before until, both or "
          "neither (0)");
  p.pause_from = 0;
  REFUSED(crm_prefs_set(c, id, &p, "x"), CRM_EINVAL,
          "invalid pause 0..955324800: from before until, both or neither "
          "(0)");
  p.pause_until = 0;
  REFUSED(crm_prefs_set(c, id, &p, ""), CRM_EINVAL, "source is required");
  REFUSED(crm_prefs_set(c, id, NULL, "x"), CRM_EINVAL,
          "preferences are required");
  REFUSED(crm_consent_get(c, id, "E", &k), CRM_EINVAL,
          "invalid channel \"E\": only a-z, 0-9 and _ are allowed");
  assert_int_equal(q_count(c, "SELECT count(*) FROM contact_prefs"), 0);
  /* still as before */
  get(c, id, "email", &k);
  assert_int_equal(k.status, CRM_CONSENT_IN);
  assert_int_equal(k.at, NOW - 10);
  crm_close(c);
}

static int never(void *ud, const crm_consent *k)
{
  (void)ud;
  (void)k;
  fail_msg("no row expected");
  return 1;
}

static void test_unknown_customer(void **state)
{
  crm *c = t_open_mem(NOW);
  crm_contact_prefs p = { NULL, "en", -1, -1, 0, 0 };
  crm_consent k;
  int64_t h0 = 0;
  int64_t a0;

  (void)state;
  t_add_customer(c, "a");
  assert_int_equal(crm_consent_set(c, 1, "email", CRM_CONSENT_IN, "f", 0),
                   CRM_OK);
  h0 = N_HIST(c);
  a0 = N_AUDIT(c);
  REFUSED(crm_consent_set(c, 42, "email", CRM_CONSENT_IN, "f", 0),
          CRM_ENOTFOUND, "unknown customer #42");
  REFUSED(crm_dnc_set(c, 42, NULL, CRM_DNC_MANUAL, NULL, 0), CRM_ENOTFOUND,
          "unknown customer #42");
  REFUSED(crm_dnc_clear(c, 42, NULL, "x", 0), CRM_ENOTFOUND,
          "unknown customer #42");
  REFUSED(crm_prefs_set(c, 42, &p, "x"), CRM_ENOTFOUND,
          "unknown customer #42");
  REFUSED(crm_prefs_get(c, 42, &p), CRM_ENOTFOUND, "unknown customer #42");
  REFUSED(crm_consent_get(c, 42, "email", &k), CRM_ENOTFOUND,
          "unknown customer #42");
  REFUSED(crm_consent_foreach(c, 42, 1, never, NULL), CRM_ENOTFOUND,
          "unknown customer #42");
  crm_close(c);
}

/* The callback may stop the walk and may call back into c (the walk's
 * strings stay valid across it). */
struct walk {
  crm *c;
  int n;
  char seen[4][40];
};

static int stop_second(void *ud, const crm_consent *k)
{
  struct walk *w = ud;
  crm_consent other;

  if(crm_consent_get(w->c, k->customer_id, "zz", &other) != CRM_OK)
    return -100;
  if(other.status != CRM_CONSENT_UNKNOWN)
    return -101;
  snprintf(w->seen[w->n], sizeof(w->seen[0]), "%s/%s", k->channel,
           k->source);
  return ++w->n == 2 ? 7 : 0;
}

static void test_foreach_stop(void **state)
{
  crm *c = t_open_mem(NOW);
  int64_t id = t_add_customer(c, "a");
  struct walk w;

  (void)state;
  memset(&w, 0, sizeof(w));
  w.c = c;
  assert_int_equal(crm_consent_set(c, id, "a", CRM_CONSENT_IN, "f1", 0), 0);
  assert_int_equal(crm_consent_set(c, id, "b", CRM_CONSENT_IN, "f2", 0), 0);
  assert_int_equal(crm_consent_set(c, id, "c", CRM_CONSENT_IN, "f3", 0), 0);
  assert_int_equal(crm_consent_foreach(c, id, 0, stop_second, &w), 7);
  assert_int_equal(w.n, 2);
  assert_string_equal(w.seen[0], "a/f1");
  assert_string_equal(w.seen[1], "b/f2");
  crm_close(c);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_opt_round_trip),
    cmocka_unit_test(test_history_order),
    cmocka_unit_test(test_older_opt_in_ignored),
    cmocka_unit_test(test_dnc),
    cmocka_unit_test(test_prefs),
    cmocka_unit_test(test_validation),
    cmocka_unit_test(test_unknown_customer),
    cmocka_unit_test(test_foreach_stop),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
