/*
 * test_scheme_config.c - the `scheme` group of a plugin's load entry:
 * values, defaults, every kind of mistake as "FILE:LINE: reason", expiry
 * dates checked by hand (leap years, quarter and year ends), look-up of
 * loaded schemes and enrollment.
 */
#include <stdio.h>
#include <string.h>

#include "crm_test.h"
#include "loader_util.h"
#include "points_int.h"

static lt_dir dir;

static int setup(void **state)
{
  (void)state;
  lt_dir_init(&dir);
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  lt_dir_done(&dir);
  return 0;
}

static const char *conf(const char *text)
{
  static char path[LT_PATH];

  snprintf(path, sizeof(path), "%s", lt_write(&dir, "crm.conf", text));
  return path;
}

/* UTC seconds of an ISO text written by hand in the test. */
static int64_t T(const char *iso)
{
  int64_t t = 0;

  if(crm_time_parse(iso, &t))
    fail_msg("bad time %s", iso);
  return t;
}

/* The sample of the design brief, line by line. */
static const char full_text[] =
  "plugins = { load = (\n"                                          /* 1 */
  "  { name = \"fx_loyalty\";\n"                                    /* 2 */
  "    config = { rate = 1; };\n"                                   /* 3 */
  "    scheme = {\n"                                                /* 4 */
  "      unit = \"points\";\n"                                      /* 5 */
  "      pending_days = 14;\n"                                      /* 6 */
  "      allow_negative = false;\n"                                 /* 7 */
  "      enroll = \"all\";\n"                                       /* 8 */
  "      expiry = { mode = \"relative\"; days = 365; };\n"          /* 9 */
  "      limits = { per_day = 5000; per_month = 50000;\n"           /* 10 */
  "                 min_spend = 100; };\n"                          /* 11 */
  "      transfers = { enabled = true; min = 100;\n"                /* 12 */
  "                    max_out_per_month = 10000;\n"                /* 13 */
  "                    max_in_per_month = 10000; };\n"              /* 14 */
  "      release_action = \"credit\";\n"                            /* 15 */
  "      auto_redeem = \"V5\";\n"                                   /* 16 */
  "      tiers = {\n"                                               /* 17 */
  "        window_days = 365; review_days = 365; grace_days = 30;\n"
  "        levels = ( { name = \"base\"; },\n"
  "          { name = \"silver\"; points = 1000; multiplier = 1.25; },\n"
  "          { name = \"gold\"; points = 5000; credits = 0; count = 60;\n"
  "            spend = 0; multiplier = 1.5; } );\n"
  "      };\n"
  "      catalogue = ( { code = \"V5\";\n"
  "        name = \"5.00 off your next shop\"; type = \"voucher\";\n"
  "        cost = 500; value = 500; stock = -1;\n"
  "        valid_from = \"2026-01-01\"; valid_until = \"2028-01-01\";\n"
  "        voucher_days = 90; } );\n"
  "    };\n"
  "  }\n"
  "); };\n";

static void test_full(void **state)
{
  crm__config *c = NULL;
  const crm__scheme *s;
  char err[512];

  (void)state;
  assert_int_equal(crm__config_read(conf(full_text), &c, err, sizeof(err)),
                   0);
  assert_int_equal(c->n_plugins, 1);
  assert_non_null(c->plugins[0].setting);
  s = c->plugins[0].scheme;
  assert_non_null(s);
  assert_string_equal(s->unit, "points");
  assert_int_equal(s->pending_days, 14);
  assert_int_equal(s->allow_negative, 0);
  assert_string_equal(s->enroll_attr, "");
  assert_int_equal(s->expiry_mode, CRM__EXPIRY_RELATIVE);
  assert_int_equal(s->expiry_days, 365);
  assert_int_equal(s->limit_day, 5000);
  assert_int_equal(s->limit_month, 50000);
  assert_int_equal(s->min_spend, 100);
  assert_int_equal(s->transfers, 1);
  assert_int_equal(s->transfer_min, 100);
  assert_int_equal(s->transfer_max_out_month, 10000);
  assert_int_equal(s->transfer_max_in_month, 10000);
  assert_int_equal(s->release_payout, 0);
  assert_string_equal(s->auto_redeem, "V5");
  assert_int_equal(s->tier_window_days, 365);
  assert_int_equal(s->tier_review_days, 365);
  assert_int_equal(s->tier_grace_days, 30);
  assert_int_equal(s->n_tiers, 3);
  assert_string_equal(s->tiers[0].name, "base");
  assert_true(s->tiers[0].multiplier == 1.0);
  assert_int_equal(s->tiers[0].points, 0);
  assert_string_equal(s->tiers[1].name, "silver");
  assert_int_equal(s->tiers[1].points, 1000);
  assert_true(s->tiers[1].multiplier == 1.25);
  assert_string_equal(s->tiers[2].name, "gold");
  assert_int_equal(s->tiers[2].points, 5000);
  assert_int_equal(s->tiers[2].credits, 0);
  assert_int_equal(s->tiers[2].count, 60);
  assert_int_equal(s->tiers[2].spend, 0);
  assert_true(s->tiers[2].multiplier == 1.5);
  assert_int_equal(s->n_items, 1);
  assert_ptr_equal(crm__scheme_item(s, "V5"), &s->items[0]);
  assert_null(crm__scheme_item(s, "V6"));
  assert_string_equal(s->items[0].name, "5.00 off your next shop");
  assert_string_equal(s->items[0].type, "voucher");
  assert_int_equal(s->items[0].cost, 500);
  assert_int_equal(s->items[0].value, 500);
  assert_int_equal(s->items[0].stock, -1);
  /* 2026-01-01: 56 years after 1970 with 14 leap days (1972..2024) =
   * 20454 days; 2028-01-01 is 730 days later. */
  assert_int_equal(s->items[0].valid_from, INT64_C(20454) * 86400);
  assert_int_equal(s->items[0].valid_until, INT64_C(21184) * 86400);
  assert_int_equal(s->items[0].voucher_days, 90);
  crm__config_free(c);
}

static void test_defaults(void **state)
{
  crm__config *c = NULL;
  const crm__scheme *d = crm__scheme_default();
  char err[512];
  char text[128];

  (void)state;
  assert_string_equal(d->unit, "points");
  assert_int_equal(d->pending_days, 0);
  assert_int_equal(d->expiry_mode, CRM__EXPIRY_NEVER);
  assert_int_equal(d->transfers, 0);
  assert_int_equal(d->transfer_min, 1);
  assert_int_equal(d->tier_window_days, 365);
  assert_int_equal(d->tier_review_days, 365);
  assert_int_equal(d->tier_grace_days, 0);
  assert_int_equal(d->n_tiers, 0);
  assert_int_equal(d->n_items, 0);
  assert_string_equal(d->auto_redeem, "");
  assert_int_equal(crm__scheme_expiry(d, T("2026-05-01")), 0);
  crm__scheme_expiry_text(d, text, sizeof(text));
  assert_string_equal(text, "never");
  assert_int_equal(crm__scheme_of(NULL)->transfer_min, 1);
  /* no scheme group: NULL (the loader falls back to the defaults); an
   * empty one: the defaults; a transfers group enables transfers */
  assert_int_equal(crm__config_read(conf(
    "plugins = { load = (\n"
    "  { name = \"a\"; },\n"
    "  { name = \"b\"; scheme = { }; },\n"
    "  { name = \"c\"; scheme = { transfers = { max_in_per_month = 7; };\n"
    "    enroll = \"attr:program=fresh\"; release_action = \"payout\"; }; }\n"
    "); };\n"), &c, err, sizeof(err)), 0);
  assert_null(c->plugins[0].scheme);
  assert_non_null(c->plugins[1].scheme);
  assert_memory_equal(c->plugins[1].scheme, d, sizeof(*d));
  assert_int_equal(c->plugins[2].scheme->transfers, 1);
  assert_int_equal(c->plugins[2].scheme->transfer_min, 1);
  assert_int_equal(c->plugins[2].scheme->transfer_max_in_month, 7);
  assert_string_equal(c->plugins[2].scheme->enroll_attr, "program");
  assert_string_equal(c->plugins[2].scheme->enroll_value, "fresh");
  assert_int_equal(c->plugins[2].scheme->release_payout, 1);
  crm__config_free(c);
}

struct bad {
  const char *body; /* inside scheme = { ... }; its first line is line 2 */
  int line;
  const char *reason;
};

#define LEVELS(x) "  tiers = { levels = (\n    { name = \"base\"; },\n" x \
  "  ); };\n"
#define ITEM(x) "  catalogue = ( { code = \"X\"; " x " } );\n"

static const struct bad bads[] = {
  {"  pendng_days = 3;\n", 2,
   "unknown scheme setting \"pendng_days\" (expected unit, pending_days, "
   "allow_negative, enroll, expiry, limits, transfers, release_action, "
   "auto_redeem, tiers or catalogue)"},
  {"  unit = \"miles\";\n  pending_days = 4000;\n", 3,
   "scheme.pending_days is 4000; it must be between 0 and 3650"},
  {"  pending_days = -1;\n", 2,
   "scheme.pending_days is -1; it must be between 0 and 3650"},
  {"  pending_days = \"14\";\n", 2, "scheme.pending_days must be an integer"},
  {"  unit = \"\";\n", 2, "scheme.unit must be 1 to 32 characters"},
  {"  allow_negative = 1;\n", 2,
   "scheme.allow_negative must be true or false"},
  {"  enroll = \"attr:program\";\n", 2,
   "scheme.enroll \"attr:program\" is not \"all\" or \"attr:NAME=VALUE\""},
  {"  enroll = \"attr:=x\";\n", 2,
   "scheme.enroll \"attr:=x\" is not \"all\" or \"attr:NAME=VALUE\""},
  {"  expiry = 365;\n", 2, "scheme.expiry must be a group: expiry = { ... }"},
  {"  expiry = { days = 3; };\n", 2,
   "scheme.expiry needs mode = \"never\", \"relative\", \"date\" or "
   "\"period_end\""},
  {"  expiry = { mode = \"relative\"; };\n", 2,
   "scheme.expiry mode \"relative\" needs days = N"},
  {"  expiry = {\n    mode = \"relative\";\n    days = 0;\n  };\n", 4,
   "scheme.expiry.days is 0; it must be between 1 and 36500"},
  {"  expiry = { mode = \"date\"; date = \"2027-02-29\"; };\n", 2,
   "scheme.expiry.date \"2027-02-29\" is not a date: use \"YYYY-MM-DD\" or "
   "\"MM-DD\""},
  {"  expiry = { mode = \"date\"; date = \"04-31\"; };\n", 2,
   "scheme.expiry.date \"04-31\" is not a date: use \"YYYY-MM-DD\" or "
   "\"MM-DD\""},
  {"  expiry = { mode = \"date\"; date = \"02-29\"; };\n", 2,
   "scheme.expiry.date \"02-29\" does not occur every year; use \"02-28\" "
   "or \"03-01\""},
  {"  expiry = { mode = \"date\"; };\n", 2,
   "scheme.expiry mode \"date\" needs date = \"YYYY-MM-DD\" or \"MM-DD\""},
  {"  expiry = { mode = \"period_end\"; period = \"week\"; };\n", 2,
   "scheme.expiry.period \"week\" is not \"month\", \"quarter\" or "
   "\"year\""},
  {"  expiry = { mode = \"period_end\"; period = \"quarter\"; periods = 0; "
   "};\n", 2, "scheme.expiry.periods is 0; it must be between 1 and 100"},
  {"  expiry = { mode = \"never\";\n    days = 3; };\n", 3,
   "scheme.expiry.days does not apply to mode \"never\""},
  {"  expiry = { mode = \"relative\"; days = 9; period = \"year\"; };\n", 2,
   "scheme.expiry.period does not apply to mode \"relative\""},
  {"  expiry = { mode = \"monthly\"; };\n", 2,
   "scheme.expiry.mode \"monthly\" is not \"never\", \"relative\", \"date\" "
   "or \"period_end\""},
  /* points must be usable at some time: relative expiry after release */
  {"  pending_days = 30;\n  expiry = { mode = \"relative\";\n"
   "    days = 10; };\n", 4,
   "scheme.expiry.days (10) must be more than pending_days (30): points "
   "would expire before they are released"},
  {"  expiry = { mode = \"relative\"; days = 14; };\n"
   "  pending_days = 14;\n", 2,
   "scheme.expiry.days (14) must be more than pending_days (14): points "
   "would expire before they are released"},
  {"  expiry = { mode = \"relative\"; dayz = 3; };\n", 2,
   "unknown scheme.expiry setting \"dayz\" (expected mode, days, date, "
   "period or periods)"},
  {"  limits = { per_day = -5; };\n", 2,
   "scheme.limits.per_day is -5; it must be at least 0"},
  {"  limits = { per_week = 5; };\n", 2,
   "unknown scheme.limits setting \"per_week\" (expected per_day, per_month "
   "or min_spend)"},
  {"  transfers = { min = 0; };\n", 2,
   "scheme.transfers.min is 0; it must be at least 1"},
  {"  transfers = { min = 500; max_out_per_month = 100; };\n", 2,
   "scheme.transfers.min (500) is above max_out_per_month (100)"},
  {"  release_action = \"cash\";\n", 2,
   "scheme.release_action \"cash\" is not \"credit\" or \"payout\""},
  {"  auto_redeem = \"V9\";\n"
   "  catalogue = ( { code = \"V5\"; type = \"voucher\"; cost = 500; },\n"
   "    { code = \"V10\"; type = \"voucher\"; cost = 900; } );\n", 2,
   "scheme.auto_redeem \"V9\" is not in the catalogue (codes: V5, V10)"},
  {"  auto_redeem = \"V9\";\n", 2,
   "scheme.auto_redeem \"V9\" is not in the catalogue (the catalogue is "
   "empty)"},
  /* tiers */
  {"  tiers = { levels = (\n    { name = \"base\"; points = 10; }\n  ); };\n",
   3, "scheme.tiers.levels[0] (\"base\") is the base level: it takes no "
   "thresholds"},
  {LEVELS("    { name = \"silver\"; multiplier = 1.2; }\n"), 4,
   "scheme.tiers.levels[1] (\"silver\") needs at least one threshold "
   "(points, credits, count or spend)"},
  {LEVELS("    { name = \"base\"; points = 5; }\n"), 4,
   "duplicate tier \"base\" (first at line 3); tier names must be unique"},
  {LEVELS("    { name = \"silver\"; points = 5; multiplier = 0.5; }\n"), 4,
   "scheme.tiers.levels[1].multiplier is 0.5; it must be between 1 and 10"},
  {LEVELS("    { name = \"silver\"; points = 5; multiplier = 12.0; }\n"), 4,
   "scheme.tiers.levels[1].multiplier is 12; it must be between 1 and 10"},
  {LEVELS("    { name = \"silver\"; points = 1000; },\n"
          "    { name = \"gold\"; count = 5;\n      points = 800; }\n"), 6,
   "scheme.tiers.levels[2].points (800) must be above the level below "
   "(\"silver\": 1000); levels are listed lowest first"},
  {LEVELS("    { name = \"silver\"; points = -1; }\n"), 4,
   "scheme.tiers.levels[1].points is -1; it must be at least 0"},
  {LEVELS("    { points = 1; }\n"), 4,
   "scheme.tiers.levels[1] has no name; add name = \"...\""},
  {LEVELS("    { name = \"silver\"; miles = 1; }\n"), 4,
   "unknown scheme.tiers.levels[1] setting \"miles\" (expected name, "
   "points, credits, count, spend or multiplier)"},
  {"  tiers = { grace_days = -1; levels = ( { name = \"b\"; } ); };\n", 2,
   "scheme.tiers.grace_days is -1; it must be between 0 and 3650"},
  {"  tiers = { window_days = 0; levels = ( { name = \"b\"; } ); };\n", 2,
   "scheme.tiers.window_days is 0; it must be between 1 and 3650"},
  {"  tiers = { window_days = 90; };\n", 2,
   "scheme.tiers needs levels = ( { name = \"base\"; }, ... ): a list of 1 "
   "to 16 groups, lowest first"},
  /* catalogue */
  {"  catalogue = (\n    { code = \"V5\"; type = \"voucher\"; cost = 500; },\n"
   "    { code = \"V5\"; type = \"voucher\"; cost = 900; }\n  );\n", 4,
   "duplicate catalogue code \"V5\" (first at line 3); codes must be "
   "unique"},
  {ITEM("type = \"coupon\"; cost = 5;"), 2,
   "scheme.catalogue[0].type \"coupon\" is not \"voucher\", \"free_item\", "
   "\"upgrade\" or \"cash_rebate\""},
  {ITEM("cost = 5;"), 2,
   "scheme.catalogue[0] has no type; add type = \"voucher\", "
   "\"free_item\", \"upgrade\" or \"cash_rebate\""},
  {ITEM("type = \"voucher\"; cost = 0;"), 2,
   "scheme.catalogue[0].cost is 0; it must be at least 1"},
  {ITEM("type = \"voucher\";"), 2,
   "scheme.catalogue[0] has no cost; add cost = N (points)"},
  {ITEM("type = \"voucher\"; cost = 5; stock = -2;"), 2,
   "scheme.catalogue[0].stock is -2; it must be at least -1"},
  {ITEM("type = \"voucher\"; cost = 5; valid_from = \"2027-01-01\";"
        " valid_until = \"2026-01-01\";"), 2,
   "scheme.catalogue[0].valid_until (2026-01-01) must be after valid_from "
   "(2027-01-01)"},
  {ITEM("type = \"voucher\"; cost = 5; valid_from = \"2026-01-01\";"
        " valid_until = \"2026-01-01\";"), 2,
   "scheme.catalogue[0].valid_until (2026-01-01) must be after valid_from "
   "(2026-01-01)"},
  {ITEM("type = \"voucher\"; cost = 5; valid_from = \"2026-02-30\";"), 2,
   "scheme.catalogue[0].valid_from \"2026-02-30\" is not a date "
   "(YYYY-MM-DD)"},
  {ITEM("type = \"voucher\"; cost = 5; voucher_days = 4000;"), 2,
   "scheme.catalogue[0].voucher_days is 4000; it must be between 0 and "
   "3650"},
  {"  catalogue = ( { code = \"a b\"; type = \"voucher\"; cost = 5; } );\n",
   2, "scheme.catalogue[0].code \"a b\" is not valid; use letters, digits, "
   "'_' or '-'"},
  {"  catalogue = { code = \"V5\"; };\n", 2,
   "scheme.catalogue must be a list of up to 1000 groups: catalogue = ( { "
   "code = \"...\"; ... } )"},
};

static void check_bad(const char *text, int line, const char *reason,
                      size_t i)
{
  const char *path = conf(text);
  crm__config *c = (crm__config *)&dir; /* must be reset to NULL */
  char err[512];
  char want[1024];
  long before = crm__alloc_outstanding();

  if(snprintf(want, sizeof(want), "%s:%d: %s", path, line, reason) >=
     (int)sizeof(want))
    fail_msg("case %zu: expected message too long", i);
  assert_int_equal(crm__config_read(path, &c, err, sizeof(err)),
                   CRM_ECONFIG);
  assert_null(c);
  if(strcmp(err, want) != 0)
    fail_msg("case %zu:\n  want %s\n  got  %s", i, want, err);
  assert_int_equal(crm__alloc_outstanding(), before);
  err[0] = '\0';
  assert_int_equal(crm_config_check(path, err, sizeof(err)), CRM_ECONFIG);
  assert_string_equal(err, want);
}

static void test_errors(void **state)
{
  char text[2048];
  size_t i;

  (void)state;
  for(i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
    snprintf(text, sizeof(text), "plugins = { load = ( { name = \"a\"; "
             "scheme = {\n%s}; } ); };\n", bads[i].body);
    check_bad(text, bads[i].line, bads[i].reason, i);
  }
  check_bad("plugins = { load = (\n  { name = \"a\";\n    scheme = 5; }\n"
            "); };\n", 3, "plugin scheme must be a group: scheme = { ... }",
            i);
}

/* Every allocation of the parse may fail: ENOMEM, nothing leaked. */
static void test_alloc_failures(void **state)
{
  const char *path = conf(full_text);
  long before = crm__alloc_outstanding();
  crm__config *c = NULL;
  char err[512];
  long n;
  int rc;

  (void)state;
  for(n = 1; n < 100; n++) {
    crm__alloc_fail_at(n);
    rc = crm__config_read(path, &c, err, sizeof(err));
    crm__alloc_fail_at(0);
    if(rc == 0) {
      crm__config_free(c);
      break;
    }
    assert_int_equal(rc, CRM_ENOMEM);
    assert_null(c);
    assert_int_equal(crm__alloc_outstanding(), before);
  }
  assert_true(n > 3 && n < 100);
  assert_int_equal(crm__alloc_outstanding(), before);
}

/* ---- expiry ------------------------------------------------------------- */

static crm__scheme rule(int mode)
{
  crm__scheme s = *crm__scheme_default();

  s.expiry_mode = mode;
  return s;
}

static void test_expiry_relative(void **state)
{
  crm__scheme s = rule(CRM__EXPIRY_RELATIVE);
  char text[128];

  (void)state;
  s.expiry_days = 365;
  /* 2024 is a leap year: 365 days after 2024-02-10 is 2025-02-09. */
  assert_int_equal(crm__scheme_expiry(&s, T("2024-02-10T12:00:00Z")),
                   T("2025-02-09T12:00:00Z"));
  assert_int_equal(crm__scheme_expiry(&s, T("2025-02-10T12:00:00Z")),
                   T("2026-02-10T12:00:00Z"));
  crm__scheme_expiry_text(&s, text, sizeof(text));
  assert_string_equal(text, "365 days after earning");
  s.expiry_days = 1;
  crm__scheme_expiry_text(&s, text, sizeof(text));
  assert_string_equal(text, "1 day after earning");
}

static void test_expiry_date(void **state)
{
  crm__scheme s = rule(CRM__EXPIRY_FIXED_DATE);
  char text[128];

  (void)state;
  s.expiry_date = T("2027-12-31");
  /* one date for everything earned, whenever: its starting midnight */
  assert_int_equal(crm__scheme_expiry(&s, T("2026-01-05T08:00:00Z")),
                   T("2027-12-31T00:00:00Z"));
  assert_int_equal(crm__scheme_expiry(&s, T("2027-12-30T23:59:59Z")),
                   T("2027-12-31T00:00:00Z"));
  crm__scheme_expiry_text(&s, text, sizeof(text));
  assert_string_equal(text, "at 2027-12-31 00:00 UTC");
}

static void test_expiry_month_day(void **state)
{
  crm__scheme s = rule(CRM__EXPIRY_MONTH_DAY);
  char text[128];

  (void)state;
  s.expiry_month = 3;
  s.expiry_day = 31;
  /* the next 03-31 starting after the earning, to its end */
  assert_int_equal(crm__scheme_expiry(&s, T("2026-03-30T23:00:00Z")),
                   T("2026-04-01T00:00:00Z"));
  assert_int_equal(crm__scheme_expiry(&s, T("2026-03-31T00:00:00Z")),
                   T("2027-04-01T00:00:00Z"));
  assert_int_equal(crm__scheme_expiry(&s, T("2026-03-31T10:00:00Z")),
                   T("2027-04-01T00:00:00Z"));
  assert_int_equal(crm__scheme_expiry(&s, T("2026-01-15T00:00:00Z")),
                   T("2026-04-01T00:00:00Z"));
  crm__scheme_expiry_text(&s, text, sizeof(text));
  assert_string_equal(text, "at the end of the next 03-31 (UTC) after "
                      "earning");
  /* 02-28 in a leap year ends at 02-29 00:00 */
  s.expiry_month = 2;
  s.expiry_day = 28;
  assert_int_equal(crm__scheme_expiry(&s, T("2024-02-27T12:00:00Z")),
                   T("2024-02-29T00:00:00Z"));
  assert_int_equal(crm__scheme_expiry(&s, T("2024-02-28T12:00:00Z")),
                   T("2025-03-01T00:00:00Z"));
  /* 12-31 ends at New Year */
  s.expiry_month = 12;
  s.expiry_day = 31;
  assert_int_equal(crm__scheme_expiry(&s, T("2026-12-30T05:00:00Z")),
                   T("2027-01-01T00:00:00Z"));
  assert_int_equal(crm__scheme_expiry(&s, T("2026-12-31T05:00:00Z")),
                   T("2028-01-01T00:00:00Z"));
}

static void test_expiry_period_end(void **state)
{
  crm__scheme s = rule(CRM__EXPIRY_PERIOD_END);
  char text[128];

  (void)state;
  s.expiry_period_months = 3;
  s.expiry_periods = 1;
  assert_int_equal(crm__scheme_expiry(&s, T("2026-02-10T09:00:00Z")),
                   T("2026-04-01"));
  assert_int_equal(crm__scheme_expiry(&s, T("2026-04-01T00:00:00Z")),
                   T("2026-07-01"));
  assert_int_equal(crm__scheme_expiry(&s, T("2026-12-31T23:59:59Z")),
                   T("2027-01-01"));
  crm__scheme_expiry_text(&s, text, sizeof(text));
  assert_string_equal(text, "at the end of the calendar quarter of earning");
  s.expiry_periods = 2;
  assert_int_equal(crm__scheme_expiry(&s, T("2026-11-30T10:00:00Z")),
                   T("2027-04-01"));
  assert_int_equal(crm__scheme_expiry(&s, T("2026-09-30T23:00:00Z")),
                   T("2027-01-01"));
  crm__scheme_expiry_text(&s, text, sizeof(text));
  assert_string_equal(text, "at the end of the 2nd calendar quarter "
                      "counting the one of earning");
  s.expiry_period_months = 1;
  s.expiry_periods = 1;
  /* a leap February ends at 03-01 */
  assert_int_equal(crm__scheme_expiry(&s, T("2024-02-29T18:00:00Z")),
                   T("2024-03-01"));
  assert_int_equal(crm__scheme_expiry(&s, T("2024-01-31T23:59:59Z")),
                   T("2024-02-01"));
  s.expiry_periods = 13;
  assert_int_equal(crm__scheme_expiry(&s, T("2024-12-05")), T("2026-01-01"));
  s.expiry_period_months = 12;
  s.expiry_periods = 1;
  assert_int_equal(crm__scheme_expiry(&s, T("2024-06-01")), T("2025-01-01"));
  s.expiry_periods = 2;
  assert_int_equal(crm__scheme_expiry(&s, T("2024-12-31T12:00:00Z")),
                   T("2026-01-01"));
  s.expiry_periods = 3;
  crm__scheme_expiry_text(&s, text, sizeof(text));
  assert_string_equal(text, "at the end of the 3rd calendar year counting "
                      "the one of earning");
}

/* The parser fills the fields the computation reads. */
static void test_expiry_parsed(void **state)
{
  crm__config *c = NULL;
  char err[512];

  (void)state;
  assert_int_equal(crm__config_read(conf(
    "plugins = { load = (\n"
    "  { name = \"a\"; scheme = { expiry = { mode = \"date\";\n"
    "      date = \"03-31\"; }; }; },\n"
    "  { name = \"b\"; scheme = { expiry = { mode = \"date\";\n"
    "      date = \"2027-12-31\"; }; }; },\n"
    "  { name = \"d\"; scheme = { expiry = { mode = \"period_end\";\n"
    "      period = \"year\"; periods = 2; }; }; },\n"
    "  { name = \"e\"; scheme = { expiry = { mode = \"period_end\";\n"
    "      period = \"month\"; }; }; }\n"
    "); };\n"), &c, err, sizeof(err)), 0);
  assert_int_equal(c->plugins[0].scheme->expiry_mode, CRM__EXPIRY_MONTH_DAY);
  assert_int_equal(c->plugins[0].scheme->expiry_month, 3);
  assert_int_equal(c->plugins[0].scheme->expiry_day, 31);
  assert_int_equal(c->plugins[1].scheme->expiry_mode,
                   CRM__EXPIRY_FIXED_DATE);
  assert_int_equal(c->plugins[1].scheme->expiry_date, T("2027-12-31"));
  assert_int_equal(c->plugins[2].scheme->expiry_mode,
                   CRM__EXPIRY_PERIOD_END);
  assert_int_equal(c->plugins[2].scheme->expiry_period_months, 12);
  assert_int_equal(c->plugins[2].scheme->expiry_periods, 2);
  assert_int_equal(c->plugins[3].scheme->expiry_period_months, 1);
  assert_int_equal(c->plugins[3].scheme->expiry_periods, 1);
  crm__config_free(c);
}

/* ---- loaded schemes ----------------------------------------------------- */

struct seen {
  char text[1024];
};

static int collect(void *ud, const crm_scheme_info *i)
{
  struct seen *s = ud;
  size_t n = strlen(s->text);

  snprintf(s->text + n, sizeof(s->text) - n,
           "%s/%s unit=%s pending=%d expiry=%s neg=%d enroll=%s tiers=%zu "
           "lim=%lld,%lld,%lld flags=%d\n", i->name, i->plugin, i->unit,
           i->pending_days, i->expiry, i->allow_negative, i->enroll,
           i->n_tiers, (long long)i->limit_day, (long long)i->limit_month,
           (long long)i->min_spend, i->flags);
  return 0;
}

static int stop_at_first(void *ud, const crm_scheme_info *i)
{
  (void)i;
  (*(int *)ud)++;
  return 7;
}

static void test_loaded(void **state)
{
  crm *c = lt_open(NULL);
  crm__component *k = NULL;
  const crm__scheme *s = NULL;
  struct seen seen;
  int64_t cust;
  int member = -1;
  int calls = 0;

  (void)state;
  assert_int_equal(crm__scheme_find(c, NULL, &k, &s), CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(c), "no reward scheme is loaded");
  assert_int_equal(crm__scheme_find(c, "x", &k, &s), CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(c), "no reward scheme \"x\" is loaded "
                      "(loaded: none)");
  assert_int_equal(crm_load_config(c, conf(
    "plugins = { load = (\n"
    "  { name = \"fx_loyalty\"; scheme = { unit = \"miles\";\n"
    "      pending_days = 14; allow_negative = true;\n"
    "      enroll = \"attr:program=fresh\";\n"
    "      expiry = { mode = \"relative\"; days = 30; };\n"
    "      limits = { per_day = 10; min_spend = 5; };\n"
    "      tiers = { levels = ( { name = \"base\"; },\n"
    "        { name = \"top\"; count = 3; } ); }; }; },\n"
    "  { name = \"fx_loyalty2\"; }\n"
    "); };\n"), FIXDIR), 0);
  assert_int_equal(crm__scheme_find(c, NULL, &k, &s), CRM_EINVAL);
  assert_string_equal(crm_errmsg(c), "several reward schemes are loaded "
                      "(fx_loyalty, fx_loyalty2); name one");
  assert_int_equal(crm__scheme_find(c, "nope", &k, &s), CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(c), "no reward scheme \"nope\" is loaded "
                      "(loaded: fx_loyalty, fx_loyalty2)");
  assert_int_equal(crm__scheme_find(c, "fx_loyalty", &k, &s), 0);
  assert_string_equal(k->name, "fx_loyalty");
  assert_string_equal(s->unit, "miles");
  assert_ptr_equal(crm__scheme_of(k), s);
  assert_int_equal(crm__scheme_find(c, "fx_loyalty2", &k, &s), 0);
  assert_ptr_equal(s, crm__scheme_default());

  memset(&seen, 0, sizeof(seen));
  assert_int_equal(crm_schemes_foreach(c, collect, &seen), 0);
  assert_string_equal(seen.text,
    "fx_loyalty/fx_loyalty unit=miles pending=14 expiry=30 days after "
    "earning neg=1 enroll=attr program=fresh tiers=2 lim=10,0,5 flags=0\n"
    "fx_loyalty2/fx_loyalty2 unit=points pending=0 expiry=never neg=0 "
    "enroll=all tiers=0 lim=0,0,0 flags=0\n");
  assert_int_equal(crm_schemes_foreach(c, stop_at_first, &calls), 7);
  assert_int_equal(calls, 1);

  /* enrollment by attribute */
  cust = t_add_customer(c, "ann");
  assert_int_equal(crm__scheme_find(c, "fx_loyalty", &k, &s), 0);
  assert_int_equal(crm__scheme_member(c, s, cust, &member), 0);
  assert_int_equal(member, 0);
  assert_int_equal(crm_customer_set_attr(c, cust, "program", "other"), 0);
  assert_int_equal(crm__scheme_member(c, s, cust, &member), 0);
  assert_int_equal(member, 0);
  assert_int_equal(crm_customer_set_attr(c, cust, "program", "fresh"), 0);
  assert_int_equal(crm__scheme_member(c, s, cust, &member), 0);
  assert_int_equal(member, 1);
  member = -1;
  assert_int_equal(crm__scheme_member(c, crm__scheme_default(), cust,
                                      &member), 0);
  assert_int_equal(member, 1);
  crm_close(c);
}

/* With one scheme loaded, NULL names it. */
static void test_only_one(void **state)
{
  crm *c = lt_open(NULL);
  crm__component *k = NULL;
  const crm__scheme *s = NULL;

  (void)state;
  assert_int_equal(crm_load_config(c, conf(
    "plugins = { load = ( { name = \"fx_loyalty2\";\n"
    "  scheme = { unit = \"EUR\"; }; } ); };\n"), FIXDIR), 0);
  assert_int_equal(crm__scheme_find(c, NULL, &k, &s), 0);
  assert_string_equal(k->name, "fx_loyalty2");
  assert_string_equal(s->unit, "EUR");
  assert_int_equal(crm__scheme_find(c, NULL, NULL, NULL), 0);
  crm_close(c);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_full),
    cmocka_unit_test(test_defaults),
    cmocka_unit_test(test_errors),
    cmocka_unit_test(test_alloc_failures),
    cmocka_unit_test(test_expiry_relative),
    cmocka_unit_test(test_expiry_date),
    cmocka_unit_test(test_expiry_month_day),
    cmocka_unit_test(test_expiry_period_end),
    cmocka_unit_test(test_expiry_parsed),
    cmocka_unit_test(test_loaded),
    cmocka_unit_test(test_only_one),
  };

  return cmocka_run_group_tests_name("scheme_config", tests, setup,
                                     teardown);
}
