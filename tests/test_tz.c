/*
 * test_tz.c - the TZif reader (core/tz.c).
 *
 * The property test compares crm__tz_local with glibc's localtime_r
 * (TZ=":Zone" + tzset, allowed here, never in the core) over a century
 * of instants per zone, around every transition glibc shows, and in 2100
 * where only the POSIX TZ footer of the file applies. The other tests
 * use values worked out by hand (and checked against zdump -v).
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* tm_gmtoff, tm_zone */

#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>

#include "crm_test.h"

#include "comm_int.h"

#define H INT64_C(3600)

/* Seconds since the epoch of a UTC civil time, by counting days year by
 * year and month by month (independent of the core's arithmetic). */
static int64_t utc_of(int y, int mo, int d, int h, int mi, int s)
{
  static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int64_t days = 0;
  int i;

  for(i = 1970; i < y; i++)
    days += (i % 4 == 0 && i % 100 != 0) || i % 400 == 0 ? 366 : 365;
  for(i = y; i < 1970; i++)
    days -= (i % 4 == 0 && i % 100 != 0) || i % 400 == 0 ? 366 : 365;
  for(i = 1; i < mo; i++)
    days += md[i - 1] + (i == 2 && ((y % 4 == 0 && y % 100 != 0) ||
                                    y % 400 == 0));
  days += d - 1;
  return days * 86400 + h * 3600 + mi * 60 + s;
}

static crm *open_c(void)
{
  return t_open_mem(T_EPOCH2000);
}

static const crm__tz *get_zone(crm *c, const char *name)
{
  const crm__tz *z = NULL;

  if(crm__tz_get(c, name, &z))
    fail_msg("crm__tz_get(%s): %s", name, crm_errmsg(c));
  assert_non_null(z);
  return z;
}

/* ---- glibc as the oracle ---------------------------------------------- */

typedef struct gl_state {
  long off;
  int isdst;
  char abbr[16];
} gl_state;

static void use_glibc_zone(const char *name)
{
  char tz[96];

  snprintf(tz, sizeof(tz), ":%s", name);
  assert_int_equal(setenv("TZ", tz, 1), 0);
  tzset();
}

static void gl_tm(int64_t t, struct tm *tm)
{
  time_t tt = (time_t)t;

  if(!localtime_r(&tt, tm))
    fail_msg("localtime_r(%lld) failed", (long long)t);
}

static gl_state gl_at(int64_t t)
{
  struct tm tm;
  gl_state s;

  gl_tm(t, &tm);
  memset(&s, 0, sizeof(s));
  s.off = tm.tm_gmtoff;
  s.isdst = tm.tm_isdst > 0;
  snprintf(s.abbr, sizeof(s.abbr), "%s", tm.tm_zone ? tm.tm_zone : "");
  return s;
}

static int gl_same(const gl_state *a, const gl_state *b)
{
  return a->off == b->off && a->isdst == b->isdst &&
         strcmp(a->abbr, b->abbr) == 0;
}

struct counts {
  long compared;
  long round_trips;  /* to_utc(local(t)) == t */
  long later_copies; /* t in the later copy of a repeated hour */
  long transitions;
  long gaps_checked;
  long overlaps_checked;
};

/* One instant: every field against glibc, then the round trip. */
static void compare(const char *name, const crm__tz *z, int64_t t,
                    struct counts *n)
{
  struct tm tm;
  crm__localtm lt, lu;
  int64_t local, u;

  gl_tm(t, &tm);
  crm__tz_local(z, t, &lt);
  if(lt.offset != tm.tm_gmtoff || lt.is_dst != (tm.tm_isdst > 0) ||
     strcmp(lt.abbr, tm.tm_zone) != 0 || lt.year != tm.tm_year + 1900LL ||
     lt.month != tm.tm_mon + 1 || lt.day != tm.tm_mday ||
     lt.wday != tm.tm_wday || lt.minute != tm.tm_hour * 60 + tm.tm_min ||
     lt.second != tm.tm_sec)
    fail_msg("%s at %lld: crm %lld-%02d-%02d %02d:%02d:%02d wday %d off %d dst %d "
             "%s; glibc %d-%02d-%02d %02d:%02d:%02d wday %d off %ld dst %d %s",
             name, (long long)t, (long long)lt.year, lt.month, lt.day,
             lt.minute / 60, lt.minute % 60, lt.second, lt.wday, lt.offset, lt.is_dst, lt.abbr,
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, tm.tm_wday, tm.tm_gmtoff, tm.tm_isdst,
             tm.tm_zone);
  n->compared++;
  /* to_utc gives the earliest instant showing the same wall time: t
   * itself, or an earlier one when t is in a repeated hour. */
  local = t + lt.offset;
  u = crm__tz_to_utc(z, local);
  crm__tz_local(z, u, &lu);
  if(u > t || u + lu.offset != local)
    fail_msg("%s: to_utc(local(%lld)) = %lld", name, (long long)t,
             (long long)u);
  if(u == t)
    n->round_trips++;
  else
    n->later_copies++;
}

/* glibc's offset is the same at every hour of [a, b]. */
static int gl_steady(int64_t a, int64_t b, long off)
{
  int64_t t;

  for(t = a; t < b; t += H) {
    if(gl_at(t).off != off)
      return 0;
  }
  return gl_at(b).off == off;
}

/* A transition at x (first second of the new state): compare around it,
 * then check the wall times it skips or repeats. */
static void at_transition(const char *name, const crm__tz *z, int64_t x,
                          struct counts *n)
{
  long b = gl_at(x - 1).off, a = gl_at(x).off;
  int64_t k;

  for(k = x - 2; k <= x + 1; k++)
    compare(name, z, k, n);
  n->transitions++;
  if(a == b || !gl_steady(x - 26 * H, x - 1, b) ||
     !gl_steady(x, x + 26 * H, a))
    return;
  if(a > b) {
    /* Wall times [x+b, x+a) never happen: all map to x. */
    assert_int_equal(crm__tz_to_utc(z, x + b), x);
    assert_int_equal(crm__tz_to_utc(z, x + b + (a - b) / 2), x);
    assert_int_equal(crm__tz_to_utc(z, x + a - 1), x);
    assert_int_equal(crm__tz_to_utc(z, x + a), x);
    assert_int_equal(crm__tz_to_utc(z, x + b - 1), x - 1);
    n->gaps_checked++;
  }
  else {
    /* Wall times [x+a, x+b) happen twice: the earlier (offset b). */
    assert_int_equal(crm__tz_to_utc(z, x + a), x + a - b);
    assert_int_equal(crm__tz_to_utc(z, x + b - 1), x - 1);
    assert_int_equal(crm__tz_to_utc(z, x + b), x + b - a);
    n->overlaps_checked++;
  }
}

/* Samples [from, to) every step; where glibc's state changed between two
 * samples, finds the first second of the new state by bisection. */
static void sweep(const char *name, const crm__tz *z, int64_t from,
                  int64_t to, int64_t step, struct counts *n)
{
  gl_state prev = gl_at(from);
  int64_t t;

  for(t = from; t < to; t += step) {
    gl_state cur = gl_at(t);

    compare(name, z, t, n);
    if(t > from && !gl_same(&prev, &cur)) {
      int64_t lo = t - step, hi = t; /* state(lo) = prev, state(hi) != */

      while(hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        gl_state ms = gl_at(mid);

        if(gl_same(&ms, &prev))
          lo = mid;
        else
          hi = mid;
      }
      at_transition(name, z, hi, n);
    }
    prev = cur;
  }
}

static void test_against_glibc(void **state)
{
  static const char *zones[] = {
      "Europe/Paris", "America/New_York", "America/Sao_Paulo",
      "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Apia",
      "America/St_Johns", "Africa/Casablanca", "Europe/Dublin",
      "Asia/Tokyo", "UTC"};
  struct counts total;
  crm *c = open_c();
  size_t i;

  (void)state;
  memset(&total, 0, sizeof(total));
  unsetenv("TZDIR");
  for(i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
    const crm__tz *z = get_zone(c, zones[i]);
    struct counts n;

    memset(&n, 0, sizeof(n));
    use_glibc_zone(zones[i]);
    sweep(zones[i], z, utc_of(1900, 1, 1, 0, 0, 0),
          utc_of(1970, 1, 1, 0, 0, 0), 24 * H, &n);
    sweep(zones[i], z, utc_of(1970, 1, 1, 0, 0, 0),
          utc_of(2040, 1, 1, 0, 0, 0), 6 * H, &n);
    /* Past the last transition of the files (2037): the footer. */
    sweep(zones[i], z, utc_of(2095, 1, 1, 0, 0, 0),
          utc_of(2101, 1, 1, 0, 0, 0), 6 * H, &n);
    print_message("%-20s %7ld instants, %4ld transitions (%ld gaps, %ld "
                  "overlaps checked), %ld in repeated hours\n", zones[i],
                  n.compared, n.transitions, n.gaps_checked,
                  n.overlaps_checked, n.later_copies);
    /* Every zone but UTC and Tokyo changes at least once after 1900. */
    if(strcmp(zones[i], "UTC") != 0)
      assert_true(n.transitions > 0);
    total.compared += n.compared;
    total.transitions += n.transitions;
    total.round_trips += n.round_trips;
    total.gaps_checked += n.gaps_checked;
    total.overlaps_checked += n.overlaps_checked;
  }
  print_message("total: %ld instants compared with glibc, %ld transitions, "
                "%ld exact round trips, %ld gaps, %ld overlaps\n",
                total.compared, total.transitions, total.round_trips,
                total.gaps_checked, total.overlaps_checked);
  assert_true(total.compared > 1000000);
  unsetenv("TZ");
  tzset();
  crm_close(c);
}

/* ---- hand-worked cases -------------------------------------------------- */

static void expect_local(const crm__tz *z, int64_t t, int y, int mo, int d,
                         int h, int mi, int s, int off, int dst,
                         const char *abbr, int wday)
{
  crm__localtm lt;

  crm__tz_local(z, t, &lt);
  assert_int_equal(lt.year, y);
  assert_int_equal(lt.month, mo);
  assert_int_equal(lt.day, d);
  assert_int_equal(lt.minute, h * 60 + mi);
  assert_int_equal(lt.second, s);
  assert_int_equal(lt.offset, off);
  assert_int_equal(lt.is_dst, dst);
  assert_string_equal(lt.abbr, abbr);
  assert_int_equal(lt.wday, wday);
}

static void test_hand_worked(void **state)
{
  crm *c = open_c();
  const crm__tz *paris, *ny, *lh, *utc;

  (void)state;
  unsetenv("TZDIR");
  /* 2026-03-29 is day 20541 since 1970 (56 years with 14 leap days =
   * 20454, + 31 + 28 + 28): 1774742400. */
  assert_int_equal(utc_of(2026, 3, 29, 0, 0, 0), INT64_C(1774742400));
  paris = get_zone(c, "Europe/Paris");
  /* EU rule: last Sunday of March / October at 01:00 UTC. 2026-03-29 and
   * 2026-10-25 are Sundays (wday 0). */
  expect_local(paris, utc_of(2026, 3, 29, 0, 59, 59), 2026, 3, 29, 1, 59, 59,
               3600, 0, "CET", 0);
  expect_local(paris, utc_of(2026, 3, 29, 1, 0, 0), 2026, 3, 29, 3, 0, 0,
               7200, 1, "CEST", 0);
  expect_local(paris, utc_of(2026, 10, 25, 0, 59, 59), 2026, 10, 25, 2, 59,
               59, 7200, 1, "CEST", 0);
  expect_local(paris, utc_of(2026, 10, 25, 1, 0, 0), 2026, 10, 25, 2, 0, 0,
               3600, 0, "CET", 0);
  /* 02:30 on 2026-03-29 does not exist: the first instant after the gap,
   * 01:00:00Z (03:00 CEST). */
  assert_int_equal(crm__tz_to_utc(paris, utc_of(2026, 3, 29, 2, 30, 0)),
                   utc_of(2026, 3, 29, 1, 0, 0));
  /* 02:30 on 2026-10-25 happens twice (CEST, then CET): the earlier,
   * 02:30 - 2 h = 00:30:00Z. */
  assert_int_equal(crm__tz_to_utc(paris, utc_of(2026, 10, 25, 2, 30, 0)),
                   utc_of(2026, 10, 25, 0, 30, 0));
  /* Plain times: 12:00 CEST = 10:00Z, 12:00 CET = 11:00Z. */
  assert_int_equal(crm__tz_to_utc(paris, utc_of(2026, 7, 14, 12, 0, 0)),
                   utc_of(2026, 7, 14, 10, 0, 0));
  assert_int_equal(crm__tz_to_utc(paris, utc_of(2026, 1, 1, 12, 0, 0)),
                   utc_of(2026, 1, 1, 11, 0, 0));

  /* US rule: second Sunday of March 02:00 EST -> 03:00 EDT (07:00Z); first
   * Sunday of November 02:00 EDT -> 01:00 EST (06:00Z). */
  ny = get_zone(c, "America/New_York");
  expect_local(ny, utc_of(2026, 3, 8, 6, 59, 59), 2026, 3, 8, 1, 59, 59,
               -18000, 0, "EST", 0);
  expect_local(ny, utc_of(2026, 3, 8, 7, 0, 0), 2026, 3, 8, 3, 0, 0, -14400,
               1, "EDT", 0);
  expect_local(ny, utc_of(2026, 11, 1, 5, 59, 59), 2026, 11, 1, 1, 59, 59,
               -14400, 1, "EDT", 0);
  expect_local(ny, utc_of(2026, 11, 1, 6, 0, 0), 2026, 11, 1, 1, 0, 0,
               -18000, 0, "EST", 0);
  /* gap: 02:30 -> 07:00Z; overlap: 01:30 EDT = 05:30Z (not 06:30Z). */
  assert_int_equal(crm__tz_to_utc(ny, utc_of(2026, 3, 8, 2, 30, 0)),
                   utc_of(2026, 3, 8, 7, 0, 0));
  assert_int_equal(crm__tz_to_utc(ny, utc_of(2026, 11, 1, 1, 30, 0)),
                   utc_of(2026, 11, 1, 5, 30, 0));
  /* just outside: 01:59:59 EST on Mar 8 = 06:59:59Z; 02:00 EST on Nov 1
   * = 07:00Z */
  assert_int_equal(crm__tz_to_utc(ny, utc_of(2026, 3, 8, 1, 59, 59)),
                   utc_of(2026, 3, 8, 6, 59, 59));
  assert_int_equal(crm__tz_to_utc(ny, utc_of(2026, 11, 1, 2, 0, 0)),
                   utc_of(2026, 11, 1, 7, 0, 0));

  /* Lord Howe moves by 30 minutes: +11 until 2026-04-05 02:00 local
   * (15:00Z on the 4th, a Saturday in UTC, Sunday locally), +10:30 until
   * 2026-10-04 02:00 local (15:30Z on the 3rd). */
  lh = get_zone(c, "Australia/Lord_Howe");
  expect_local(lh, utc_of(2026, 4, 4, 14, 59, 59), 2026, 4, 5, 1, 59, 59,
               39600, 1, "+11", 0);
  expect_local(lh, utc_of(2026, 4, 4, 15, 0, 0), 2026, 4, 5, 1, 30, 0, 37800,
               0, "+1030", 0);
  expect_local(lh, utc_of(2026, 10, 3, 15, 30, 0), 2026, 10, 4, 2, 30, 0,
               39600, 1, "+11", 0);
  /* gap 02:00-02:30 on Oct 4: 02:15 -> 15:30Z; overlap 01:30-02:00 on
   * Apr 5: 01:45 -> the +11 one, 14:45Z. */
  assert_int_equal(crm__tz_to_utc(lh, utc_of(2026, 10, 4, 2, 15, 0)),
                   utc_of(2026, 10, 3, 15, 30, 0));
  assert_int_equal(crm__tz_to_utc(lh, utc_of(2026, 4, 5, 1, 45, 0)),
                   utc_of(2026, 4, 4, 14, 45, 0));

  /* Footer only (2100): Paris in summer is CEST; 2100-03-28 is the last
   * Sunday of March 2100 (2100 is not a leap year). */
  expect_local(paris, utc_of(2100, 3, 28, 1, 0, 0), 2100, 3, 28, 3, 0, 0,
               7200, 1, "CEST", 0);
  assert_int_equal(crm__tz_to_utc(paris, utc_of(2100, 3, 28, 2, 30, 0)),
                   utc_of(2100, 3, 28, 1, 0, 0));

  /* UTC and "" are UTC without files; 2000-01-01 was a Saturday. */
  utc = get_zone(c, "UTC");
  assert_ptr_equal(get_zone(c, ""), utc);
  expect_local(utc, T_EPOCH2000 - 1, 1999, 12, 31, 23, 59, 59, 0, 0, "UTC",
               5);
  assert_int_equal(crm__tz_to_utc(utc, 12345), 12345);
  /* Before 1970: 1969-12-31 23:00 in Paris (CET) = 22:00Z. */
  expect_local(paris, -7200, 1969, 12, 31, 23, 0, 0, 3600, 0, "CET", 3);
  /* The cache gives back the same zone. */
  assert_ptr_equal(get_zone(c, "Europe/Paris"), paris);
  crm_close(c);
}

/* ---- errors, damaged files, memory -------------------------------------- */

static void expect_err(crm *c, const char *name, const char *msg_part)
{
  const crm__tz *z = (const crm__tz *)1;

  assert_int_equal(crm__tz_get(c, name, &z), CRM_EINVAL);
  assert_null(z);
  if(!strstr(crm_errmsg(c), msg_part))
    fail_msg("%s: message \"%s\" lacks \"%s\"", name, crm_errmsg(c),
             msg_part);
}

static unsigned char *slurp(const char *path, size_t *n)
{
  FILE *f = fopen(path, "rb");
  unsigned char *buf = malloc(1 << 20);

  assert_non_null(f);
  assert_non_null(buf);
  *n = fread(buf, 1, 1 << 20, f);
  fclose(f);
  assert_true(*n > 100);
  return buf;
}

static void put(const char *path, const unsigned char *b, size_t n)
{
  FILE *f = fopen(path, "wb");

  assert_non_null(f);
  assert_int_equal(fwrite(b, 1, n, f), n);
  fclose(f);
}

static uint32_t be32(const unsigned char *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

/* Writes a copy of buf with byte at `at` set to v, expects the reason. */
static void damaged(crm *c, const char *dir, const unsigned char *buf,
                    size_t n, size_t at, unsigned char v, const char *why)
{
  unsigned char *copy = malloc(n);
  char path[512];

  assert_non_null(copy);
  memcpy(copy, buf, n);
  copy[at] = v;
  snprintf(path, sizeof(path), "%s/Bad/Zone", dir);
  put(path, copy, n);
  expect_err(c, "Bad/Zone", why);
  free(copy);
}

static void test_errors(void **state)
{
  crm *c = open_c();
  char dir[256], path[512];
  unsigned char *buf;
  size_t n, len, v1, d2;
  uint32_t timecnt, typecnt;
  const crm__tz *z, *sys;
  crm__localtm a, b;
  int i;

  (void)state;
  unsetenv("TZDIR");
  expect_err(c, "Mars/Olympus_Mons", "unknown time zone \"Mars/Olympus_Mons\"");
  expect_err(c, "../etc/passwd", "unknown time zone \"../etc/passwd\"");
  expect_err(c, "Europe/../../etc/passwd", "unknown time zone");
  expect_err(c, "/etc/localtime", "unknown time zone \"/etc/localtime\"");
  expect_err(c, "Europe//Paris", "unknown time zone");
  expect_err(c, "Europe/Paris ", "unknown time zone");
  expect_err(c, "Europe", "unknown time zone \"Europe\""); /* a directory */
  expect_err(c, "utc", "unknown time zone \"utc\"");
  sys = get_zone(c, "Europe/Paris");

  /* Copies of the system's Paris in a directory of our own via TZDIR. */
  buf = slurp("/usr/share/zoneinfo/Europe/Paris", &n);
  t_tmpdir(dir, sizeof(dir));
  snprintf(path, sizeof(path), "%s/Bad", dir);
  assert_int_equal(mkdir(path, 0700), 0);
  assert_int_equal(setenv("TZDIR", dir, 1), 0);
  snprintf(path, sizeof(path), "%s/Good", dir);
  put(path, buf, n);
  z = get_zone(c, "Good");
  assert_ptr_not_equal(z, sys); /* another file: another cache entry */
  crm__tz_local(z, utc_of(2026, 3, 29, 1, 0, 0), &a);
  crm__tz_local(sys, utc_of(2026, 3, 29, 1, 0, 0), &b);
  assert_int_equal(a.offset, 7200);
  assert_int_equal(b.offset, 7200);
  expect_err(c, "Europe/Paris", "unknown time zone \"Europe/Paris\"");

  /* Every proper prefix of the file is damaged (the footer ends with a
   * newline, so even the last byte counts). */
  snprintf(path, sizeof(path), "%s/Bad/Zone", dir);
  for(len = 0; len < n; len++) {
    put(path, buf, len);
    expect_err(c, "Bad/Zone", " is damaged: ");
  }
  /* Layout: v1 header (44) + v1 block, v2 header + v2 block + footer. */
  timecnt = be32(buf + 32);
  typecnt = be32(buf + 36);
  v1 = 44 + (size_t)timecnt * 5 + typecnt * 6 + be32(buf + 40) +
       be32(buf + 28) * 8 + be32(buf + 24) + be32(buf + 20);
  timecnt = be32(buf + v1 + 32);
  typecnt = be32(buf + v1 + 36);
  d2 = v1 + 44; /* the 64-bit block */
  assert_true(timecnt > 100 && typecnt > 2);
  damaged(c, dir, buf, n, 0, 'X', "not a TZif file");
  damaged(c, dir, buf, n, 4, '7', "unsupported TZif version");
  damaged(c, dir, buf, n, d2 + timecnt * 8, (unsigned char)typecnt,
          "transition type index out of range");
  damaged(c, dir, buf, n, d2 + 8 * 5, 0x80, "transition times out of order");
  damaged(c, dir, buf, n, d2 + timecnt * 9 + 4, 2, "bad DST flag");
  damaged(c, dir, buf, n, d2 + timecnt * 9 + 5, 0xfe,
          "abbreviation index out of range");
  damaged(c, dir, buf, n, n - 5, '!', "bad TZ string in the footer");
  damaged(c, dir, buf, n, n - 1, 'x', "no footer");
  damaged(c, dir, buf, n, v1 + 36, 0xff, "truncated data block");
  assert_string_equal(crm_errmsg(c) + strlen(crm_errmsg(c)) -
                          strlen("truncated data block"),
                      "truncated data block");
  if(strncmp(crm_errmsg(c), "time zone file ", 15) != 0)
    fail_msg("message: %s", crm_errmsg(c));

  /* Random byte flips: a clear error or a zone that answers; never a
   * crash or an out-of-bounds read (ASan). */
  {
    uint64_t x = 88172645463325252ull;
    unsigned char *copy = malloc(n);
    int ok = 0, bad = 0;

    assert_non_null(copy);
    for(i = 0; i < 3000; i++) {
      int k, flips;

      memcpy(copy, buf, n);
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      flips = 1 + (int)(x % 4);
      for(k = 0; k < flips; k++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        copy[(x >> 8) % n] ^= (unsigned char)(1u << (x % 8));
      }
      put(path, copy, n);
      crm__tz_cache_free(c); /* same path: read it again */
      z = NULL;
      if(crm__tz_get(c, "Bad/Zone", &z) == CRM_OK) {
        crm__tz_local(z, utc_of(2026, 3, 29, 1, 0, 0), &a);
        crm__tz_local(z, utc_of(2100, 7, 1, 0, 0, 0), &a);
        (void)crm__tz_to_utc(z, utc_of(2026, 10, 25, 2, 30, 0));
        (void)crm__tz_to_utc(z, utc_of(2100, 3, 28, 2, 30, 0));
        ok++;
      }
      else {
        assert_int_equal(c->errcode, CRM_EINVAL);
        bad++;
      }
    }
    print_message("byte flips: %d files still readable, %d refused\n", ok,
                  bad);
    assert_true(bad > 0);
    free(copy);
  }
  unsetenv("TZDIR");
  snprintf(path, sizeof(path), "%s/Bad/Zone", dir);
  unlink(path);
  snprintf(path, sizeof(path), "%s/Bad", dir);
  rmdir(path);
  snprintf(path, sizeof(path), "%s/Good", dir);
  unlink(path);
  rmdir(dir);
  free(buf);
  crm_close(c);
}

/* ---- POSIX TZ strings ------------------------------------------------ */

/* A version 2 TZif file without transitions (one type, "UTC"): the footer
 * gives local time at every instant (RFC 8536 3.2). */
static size_t mk_tzif(unsigned char *b, const char *footer)
{
  static const unsigned char block[] = {0, 0, 0, 0, 0, 0, 'U', 'T', 'C', 0};
  size_t n = 0;
  int k;

  for(k = 0; k < 2; k++) {
    memset(b + n, 0, 44);
    memcpy(b + n, "TZif2", 5);
    b[n + 39] = 1; /* typecnt */
    b[n + 43] = 4; /* charcnt */
    n += 44;
    memcpy(b + n, block, sizeof(block));
    n += sizeof(block);
  }
  b[n++] = '\n';
  memcpy(b + n, footer, strlen(footer));
  n += strlen(footer);
  b[n++] = '\n';
  return n;
}

static void test_footers(void **state)
{
  /* Each against glibc given the same string in TZ. Forms: M rules
   * (northern, southern, negative DST), Jn (Feb 29 never counted), n
   * (zero-based, counting Feb 29), hours past 24 and negative ones (v3),
   * half-hour offsets, no DST at all. */
  static const char *good[] = {
      "EST5EDT,M3.2.0,M11.1.0", "CET-1CEST,M3.5.0,M10.5.0/3", "<-03>3",
      "IST-1GMT0,M10.5.0,M3.5.0/1",
      "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", "XXX3YYY,J60/2,J300/2",
      "XXX3YYY,59/2,299/2", "IST-2IDT,M3.4.4/26,M10.5.0",
      "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "NST3:30NDT,M3.2.0,M11.1.0",
      "<+0545>-5:45", "AAA+4:30:15BBB+3:00:15,M4.1.6/1:30,M9.5.1/23:59:59"};
  static const char *bad[] = {
      "EST", "EST5EDT,M13.1.0,M11.1.0", "EST5EDT,M3.2.0", "<AB>3", "EST25",
      "EST5EDT,J0,J365", "EST5EDT,M3.2.0/168,M11.1.0", "EST5EDT,M3.0.0,M11.1.0",
      "EST5EDT,M3.2.7,M11.1.0", "EST5EDT,366,J365", "<EST5", "EST5 EDT",
      "EST5EDT,M3.2.0,M11.1.0,", "EST5:60"};
  unsigned char buf[512];
  char dir[256], path[512];
  struct counts n;
  crm *c = open_c();
  const crm__tz *z;
  size_t i;

  (void)state;
  memset(&n, 0, sizeof(n));
  t_tmpdir(dir, sizeof(dir));
  assert_int_equal(setenv("TZDIR", dir, 1), 0);
  snprintf(path, sizeof(path), "%s/Rule", dir);
  for(i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
    put(path, buf, mk_tzif(buf, good[i]));
    crm__tz_cache_free(c);
    z = get_zone(c, "Rule");
    assert_int_equal(setenv("TZ", good[i], 1), 0);
    tzset();
    sweep(good[i], z, utc_of(2024, 1, 1, 0, 0, 0),
          utc_of(2030, 1, 1, 0, 0, 0), 6 * H, &n);
  }
  print_message("footers: %ld instants, %ld transitions (%ld gaps, %ld "
                "overlaps) compared with glibc\n", n.compared, n.transitions,
                n.gaps_checked, n.overlaps_checked);
  /* 10 strings with DST x 2 changes a year x 6 years */
  assert_int_equal(n.transitions, 120);
  unsetenv("TZ");
  tzset();

  /* DST all year (RFC 8536 3.3.1): from Jan 1 00:00 EST to Dec 31 25:00
   * EDT, which is the next Jan 1 00:00 EST. glibc works the rule out per
   * UTC year and shows EST for the first 5 h of each UTC year; RFC says
   * EDT. 2100-01-01 00:00Z = 2099-12-31 20:00 EDT. */
  put(path, buf, mk_tzif(buf, "EST5EDT4,0/0,J365/25"));
  crm__tz_cache_free(c);
  z = get_zone(c, "Rule");
  expect_local(z, utc_of(2100, 1, 1, 0, 0, 0), 2099, 12, 31, 20, 0, 0,
               -14400, 1, "EDT", 4);
  expect_local(z, utc_of(2100, 7, 1, 0, 0, 0), 2100, 6, 30, 20, 0, 0, -14400,
               1, "EDT", 3);
  /* No rule after the DST name: the US rules, as glibc without
   * posixrules. 2030-03-10 is the second Sunday of March. */
  put(path, buf, mk_tzif(buf, "EST5EDT"));
  crm__tz_cache_free(c);
  z = get_zone(c, "Rule");
  expect_local(z, utc_of(2030, 3, 10, 7, 0, 0), 2030, 3, 10, 3, 0, 0, -14400,
               1, "EDT", 0);
  /* An empty footer with no transitions: type 0 ("UTC"). */
  put(path, buf, mk_tzif(buf, ""));
  crm__tz_cache_free(c);
  z = get_zone(c, "Rule");
  expect_local(z, 0, 1970, 1, 1, 0, 0, 0, 0, 0, "UTC", 4);

  for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    put(path, buf, mk_tzif(buf, bad[i]));
    crm__tz_cache_free(c);
    z = (const crm__tz *)1;
    if(crm__tz_get(c, "Rule", &z) != CRM_EINVAL ||
       !strstr(crm_errmsg(c), "bad TZ string in the footer"))
      fail_msg("footer \"%s\" accepted (%s)", bad[i], crm_errmsg(c));
    assert_null(z);
  }
  unsetenv("TZDIR");
  unlink(path);
  rmdir(dir);
  crm_close(c);
}

/* A version 1 file (32-bit times, no footer): the first block of the
 * system's Paris with the version byte cleared, against glibc reading the
 * same file. After its last transition (2037) the last type stays. */
static void test_version1(void **state)
{
  unsigned char *buf;
  char dir[256], path[512], tz[600];
  struct counts n;
  size_t len, v1;
  crm *c = open_c();
  const crm__tz *z;
  crm__localtm lt;

  (void)state;
  memset(&n, 0, sizeof(n));
  unsetenv("TZDIR");
  buf = slurp("/usr/share/zoneinfo/Europe/Paris", &len);
  v1 = 44 + (size_t)be32(buf + 32) * 5 + be32(buf + 36) * 6 +
       be32(buf + 40) + be32(buf + 28) * 8 + be32(buf + 24) + be32(buf + 20);
  buf[4] = 0;
  t_tmpdir(dir, sizeof(dir));
  snprintf(path, sizeof(path), "%s/V1", dir);
  put(path, buf, v1);
  assert_int_equal(setenv("TZDIR", dir, 1), 0);
  z = get_zone(c, "V1");
  snprintf(tz, sizeof(tz), ":%s", path);
  assert_int_equal(setenv("TZ", tz, 1), 0);
  tzset();
  sweep("V1", z, utc_of(1902, 1, 1, 0, 0, 0), utc_of(2037, 12, 1, 0, 0, 0),
        12 * H, &n);
  print_message("version 1: %ld instants, %ld transitions\n", n.compared,
                n.transitions);
  assert_true(n.transitions > 150);
  /* 2037-10-25 01:00Z is the last transition (to CET); it stays. */
  crm__tz_local(z, utc_of(2100, 7, 1, 0, 0, 0), &lt);
  assert_int_equal(lt.offset, 3600);
  assert_string_equal(lt.abbr, "CET");
  unsetenv("TZ");
  tzset();
  unsetenv("TZDIR");
  unlink(path);
  rmdir(dir);
  free(buf);
  crm_close(c);
}

static void test_out_of_memory(void **state)
{
  long base = crm__alloc_outstanding();
  crm *c;
  const crm__tz *z = NULL;
  int rc = -1;
  long k;

  (void)state;
  unsetenv("TZDIR");
  c = open_c();
  for(k = 1; k < 20 && rc != CRM_OK; k++) {
    crm__tz_cache_free(c);
    crm__alloc_fail_at(k);
    rc = crm__tz_get(c, "America/Sao_Paulo", &z);
    crm__alloc_fail_at(0);
    if(rc != CRM_OK) {
      assert_int_equal(rc, CRM_ENOMEM);
      assert_non_null(strstr(crm_errmsg(c), "out of memory"));
      assert_null(z);
    }
  }
  assert_int_equal(rc, CRM_OK);
  /* cache, file buffer, zone: the third failure point still fails */
  assert_true(k >= 4);
  crm_close(c);
  assert_int_equal(crm__alloc_outstanding(), base);
}

/* A zone handed out stays valid until the handle closes, however many
 * other zones are read meanwhile: America/<first> is held while 99 more
 * load, then still reads as itself and is the one the cache gives back
 * (no eviction: before, the 65th zone freed it under its holder). Each
 * zone is one allocation, plus the list. */
static void test_zone_pointers_stay_valid(void **state)
{
  long base;
  crm *c;
  DIR *d;
  struct dirent *e;
  char names[100][80];
  const crm__tz *first = NULL;
  crm__localtm a, b;
  int n = 0;

  (void)state;
  unsetenv("TZDIR");
  c = open_c();
  base = crm__alloc_outstanding();
  d = opendir("/usr/share/zoneinfo/America");
  assert_non_null(d);
  while(n < 100 && (e = readdir(d)) != NULL) {
    char p[320];
    struct stat st;
    const crm__tz *z;

    if(e->d_name[0] == '.' || strlen(e->d_name) > 60)
      continue;
    snprintf(p, sizeof(p), "/usr/share/zoneinfo/America/%.60s", e->d_name);
    if(stat(p, &st) != 0 || !S_ISREG(st.st_mode))
      continue;
    snprintf(names[n], sizeof(names[n]), "America/%.60s", e->d_name);
    z = get_zone(c, names[n]);
    if(!n) {
      first = z;
      crm__tz_local(first, T_EPOCH2000, &a);
    }
    n++;
  }
  closedir(d);
  assert_int_equal(n, 100);
  assert_int_equal(crm__alloc_outstanding() - base, 100 + 1);
  crm__tz_local(first, T_EPOCH2000, &b);
  assert_int_equal(b.offset, a.offset);
  assert_string_equal(b.abbr, a.abbr);
  assert_ptr_equal(get_zone(c, names[0]), first);
  assert_int_equal(crm__alloc_outstanding() - base, 100 + 1);
  crm__tz_cache_free(c);
  assert_int_equal(crm__alloc_outstanding(), base);
  crm_close(c);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_hand_worked),
    cmocka_unit_test(test_errors),
    cmocka_unit_test(test_footers),
    cmocka_unit_test(test_version1),
    cmocka_unit_test(test_out_of_memory),
    cmocka_unit_test(test_zone_pointers_stay_valid),
    cmocka_unit_test(test_against_glibc),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
