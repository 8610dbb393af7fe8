/*
 * test_plugin_air_miles.c - the air_miles reward plugin in isolation.
 *
 * Distances: R = 6371.0 km, 1 statute mile = 1.609344 km. Each expected
 * number is computed here, from the coordinates copied out of
 * tests/data/airports.dat, with this file's own haversine (the atan2
 * form; the plugin uses asin), and is also written out as the value
 * worked out by hand beforehand (see the comments), so a wrong distance
 * and a wrong test both show.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_plugin_fake.h"

#define R_EARTH 6371.0
#define KM_PER_MI 1.609344

static crm_host_ctx host;
static int64_t ev_customer;

/* Coordinates as in tests/data/airports.dat (latitude, longitude). */
struct where {
  const char *code;
  double lat, lon;
};

static const struct where places[] = {
  {"LHR", 51.4706, -0.461941},
  {"JFK", 40.63980103, -73.77890015},
  {"SFO", 37.61899948120117, -122.375},
  {"LAX", 33.94250107, -118.4079971},
  {"SYD", -33.94609832763672, 151.177001953125},
  {"MAN", 53.35369873046875, -2.2749500274658203},
  {"TOS", 69.68329620361328, 18.918899536132812},
  {"OSL", 60.121, 11.0502},
  {"TRF", 59.1866989136, 10.258600235},
  {"EVE", 68.491302490234, 16.678100585938},
};

static const struct where *place(const char *code)
{
  size_t i;

  for(i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
    if(!strcmp(places[i].code, code))
      return &places[i];
  }
  fail_msg("no coordinates for %s in the test", code);
  return NULL;
}

/* Great-circle distance in km on a sphere of radius r (atan2 form). */
static double gc_km(const char *a, const char *b, double r)
{
  const struct where *p = place(a), *q = place(b);
  double d2r = 3.14159265358979323846 / 180.0;
  double dphi = (q->lat - p->lat) * d2r;
  double dlam = (q->lon - p->lon) * d2r;
  double h = sin(dphi / 2) * sin(dphi / 2) +
             cos(p->lat * d2r) * cos(q->lat * d2r) * sin(dlam / 2) *
                 sin(dlam / 2);

  return r * 2.0 * atan2(sqrt(h), sqrt(1.0 - h));
}

static double gc_mi(const char *a, const char *b)
{
  return gc_km(a, b, R_EARTH) / KM_PER_MI;
}

/* round half away from zero, as the plugin documents */
static int64_t rnd(double x)
{
  return (int64_t)floor(x + 0.5);
}

static int setup(void **state)
{
  (void)state;
  fake_reset(&host);
  snprintf(host.conf_dir, sizeof(host.conf_dir), "%s", CRM_TEST_DATA_DIR);
  fake_cfg_str(&host, "airports", "airports.dat");
  ev_customer = 7;
  return 0;
}

/* The fare classes of conf/packs/air_miles.conf. */
static void classes(void)
{
  fake_cfg_float(&host, "fare_classes.F", 1.5);
  fake_cfg_float(&host, "fare_classes.J", 1.25);
  fake_cfg_float(&host, "fare_classes.W", 1.1);
  fake_cfg_float(&host, "fare_classes.Y", 1.0);
  fake_cfg_float(&host, "fare_classes.M", 0.75);
  fake_cfg_float(&host, "fare_classes.Q", 0.25);
}

/* Runs one event; returns on_event's code, result in *out. */
static int ev_full(const char *type, int64_t amount, const char *payload,
                   const char *key, const char *refund_of,
                   crm_reward_result *out)
{
  const crm_reward_v1 *vt = fake_vtable(&host, CRM_KIND_REWARD);
  crm_event_view e;
  crm_customer_view cv;

  memset(&e, 0, sizeof(e));
  e.struct_size = sizeof(e);
  e.event_id = 1;
  e.customer_id = ev_customer;
  e.type = type;
  e.amount = amount;
  e.currency = "EUR";
  e.payload = payload;
  e.idempotency_key = key;
  e.refund_of = refund_of;
  memset(&cv, 0, sizeof(cv));
  cv.struct_size = sizeof(cv);
  cv.customer_id = ev_customer;
  memset(out, 0, sizeof(*out));
  out->struct_size = sizeof(*out);
  out->points = 12345; /* must be overwritten */
  return vt->on_event(host.state, &host, &e, &cv, out);
}

static int fly(const char *payload, crm_reward_result *out)
{
  return ev_full("purchase", 50000, payload, NULL, NULL, out);
}

static void test_descriptor(void **state)
{
  const crm_plugin_desc *d;
  const crm_reward_v1 *vt;

  (void)state;
  d = fake_open(&host, "air_miles");
  assert_string_equal(d->name, "air_miles");
  assert_int_equal(d->n_components, 1);
  assert_string_equal(d->components[0]->name, "air_miles");
  assert_int_equal(d->components[0]->kind, CRM_KIND_REWARD);
  vt = d->components[0]->vtable;
  assert_true(vt->struct_size >= offsetof(crm_reward_v1, flags) +
                                     sizeof(vt->flags));
  assert_int_equal(vt->flags, CRM_REWARD_CORE_REFUNDS);
  assert_non_null(d->reconfigure);
}

/* LHR-JFK: 5539.6 km = 3442.2 mi (shared/data README, R = 6371.0).
 * Economy at factor 1: 3442. */
static void test_lhr_jfk(void **state)
{
  crm_reward_result r;
  double mi = gc_mi("LHR", "JFK");

  (void)state;
  assert_true(fabs(gc_km("LHR", "JFK", R_EARTH) - 5539.6) < 0.1);
  assert_true(fabs(mi - 3442.2) < 1.0);
  assert_int_equal(rnd(mi), 3442);
  classes();
  assert_int_equal(fake_load(&host, "air_miles"), CRM_OK);
  assert_int_equal(fly("{\"from\":\"LHR\",\"to\":\"JFK\",\"class\":\"Y\"}",
                       &r), CRM_OK);
  assert_int_equal(r.points, rnd(mi));
  assert_int_equal(r.points, 3442);
  assert_int_equal(r.tier_credits, 3442);
  assert_int_equal(r.tier_count, 1);
  assert_int_equal(r.pending_until, 0);
  assert_int_equal(r.expires_at, 0);
  assert_int_equal(r.flags, 0);
  assert_string_equal(r.note, "LHR-JFK Y 3442mi x1 = 3442");
  /* the other way round is as far */
  assert_int_equal(fly("{\"from\":\"JFK\",\"to\":\"LHR\",\"class\":\"Y\"}",
                       &r), CRM_OK);
  assert_int_equal(r.points, 3442);
  fake_unload(&host);
}

/* SYD-LAX: 12061.1 km = 7494.4 mi; no class: default_factor 1 -> 7494. */
static void test_syd_lax(void **state)
{
  crm_reward_result r;
  double mi = gc_mi("SYD", "LAX");

  (void)state;
  assert_true(fabs(gc_km("SYD", "LAX", R_EARTH) - 12061.1) < 0.1);
  assert_int_equal(rnd(mi), 7494);
  assert_int_equal(fake_load(&host, "air_miles"), CRM_OK);
  assert_int_equal(fly("{\"from\":\"SYD\",\"to\":\"LAX\"}", &r), CRM_OK);
  assert_int_equal(r.points, rnd(mi));
  assert_int_equal(r.points, 7494);
  assert_string_equal(r.note, "SYD-LAX 7494mi x1 = 7494");
  fake_unload(&host);
}

/* LHR-JFK 3442.175 mi by class: F 1.5 -> 5163.26 -> 5163; J 1.25 ->
 * 4302.72 -> 4303; W 1.1 -> 3786.39 -> 3786; M 0.75 -> 2581.63 -> 2582;
 * Q 0.25 -> 860.54 -> 861. Classes are matched case-blind ("j" = "J"). */
static void test_fare_factors(void **state)
{
  static const struct {
    const char *cls;
    double f;
    int64_t hand;
  } cases[] = {
    {"F", 1.5, 5163}, {"J", 1.25, 4303}, {"W", 1.1, 3786},
    {"Y", 1.0, 3442}, {"M", 0.75, 2582}, {"Q", 0.25, 861},
    {"j", 1.25, 4303},
  };
  crm_reward_result r;
  char pl[128];
  double mi = gc_mi("LHR", "JFK");
  size_t i;

  (void)state;
  classes();
  assert_int_equal(fake_load(&host, "air_miles"), CRM_OK);
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    snprintf(pl, sizeof(pl), "{\"from\":\"LHR\",\"to\":\"JFK\",\"class\":"
             "\"%s\"}", cases[i].cls);
    assert_int_equal(fly(pl, &r), CRM_OK);
    assert_int_equal(r.points, rnd(mi * cases[i].f));
    assert_int_equal(r.points, cases[i].hand);
    assert_int_equal(r.tier_credits, cases[i].hand);
  }
  assert_int_equal(fly("{\"from\":\"LHR\",\"to\":\"JFK\",\"class\":\"J\"}",
                       &r), CRM_OK);
  assert_string_equal(r.note, "LHR-JFK J 3442mi x1.25 = 4303");
  fake_unload(&host);
}

/* Unknown or absent classes take default_factor (0.5: 3442.175 x 0.5 =
 * 1721.09 -> 1721); cabin names are matched lower-cased with "_" for
 * blanks ("Business" = business 1.25 -> 4303). A name that is neither a
 * letter nor one of the five cabins (premium_plus) is not read from
 * fare_classes at all: "Premium Plus" is an unknown class, 1721. */
static void test_default_factor_and_cabins(void **state)
{
  crm_reward_result r;
  double mi = gc_mi("LHR", "JFK");

  (void)state;
  classes();
  fake_cfg_float(&host, "default_factor", 0.5);
  fake_cfg_float(&host, "fare_classes.business", 1.25);
  fake_cfg_float(&host, "fare_classes.premium_plus", 1.1);
  assert_int_equal(fake_load(&host, "air_miles"), CRM_OK);
  assert_int_equal(fly("{\"from\":\"LHR\",\"to\":\"JFK\",\"class\":\"Z\"}",
                       &r), CRM_OK);
  assert_int_equal(r.points, rnd(mi * 0.5));
  assert_int_equal(r.points, 1721);
  assert_string_equal(r.note, "LHR-JFK Z 3442mi x0.5 = 1721");
  assert_int_equal(fly("{\"from\":\"LHR\",\"to\":\"JFK\"}", &r), CRM_OK);
  assert_int_equal(r.points, 1721);
  assert_int_equal(fly("{\"from\":\"LHR\",\"to\":\"JFK\",\"class\":"
                       "\"Business\"}", &r), CRM_OK);
  assert_int_equal(r.points, 4303);
  assert_string_equal(r.note, "LHR-JFK business 3442mi x1.25 = 4303");
  assert_int_equal(fly("{\"from\":\"LHR\",\"to\":\"JFK\",\"class\":"
                       "\"Premium Plus\"}", &r), CRM_OK);
  assert_int_equal(r.points, 1721);
  assert_string_equal(r.note, "LHR-JFK premium_plus 3442mi x0.5 = 1721");
  /* a class that cannot be a setting name is just unknown */
  assert_int_equal(fly("{\"from\":\"LHR\",\"to\":\"JFK\",\"class\":"
                       "\"a.b\"}", &r), CRM_OK);
  assert_int_equal(r.points, 1721);
  fake_unload(&host);
}

/* Class letters in fare_classes are case-blind: `x = 0.0` is class X, so
 * an award ticket in "x" or "X" earns 0 (not 3442 at default_factor 1),
 * and `j = 1.25` gives J 4303. Setting both "Q" and "q" is refused. */
static void test_lower_case_letter_keys(void **state)
{
  crm_reward_result r;

  (void)state;
  fake_cfg_float(&host, "fare_classes.x", 0.0);
  fake_cfg_float(&host, "fare_classes.j", 1.25);
  assert_int_equal(fake_load(&host, "air_miles"), CRM_OK);
  assert_int_equal(fly("{\"from\":\"LHR\",\"to\":\"JFK\",\"class\":\"x\"}",
                       &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(r.tier_credits, 0);
  assert_int_equal(r.tier_count, 1);
  assert_string_equal(r.note, "LHR-JFK X 3442mi x0 = 0");
  assert_int_equal(fly("{\"from\":\"LHR\",\"to\":\"JFK\",\"class\":\"X\"}",
                       &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(fly("{\"from\":\"LHR\",\"to\":\"JFK\",\"class\":\"J\"}",
                       &r), CRM_OK);
  assert_int_equal(r.points, 4303);
  fake_unload(&host);

  /* strict: a lower-case key makes its class known */
  fake_cfg_bool(&host, "strict_classes", 1);
  assert_int_equal(fake_load(&host, "air_miles"), CRM_OK);
  assert_int_equal(fly("{\"from\":\"LHR\",\"to\":\"JFK\",\"class\":\"X\"}",
                       &r), CRM_OK);
  assert_int_equal(r.points, 0);
  fake_unload(&host);

  fake_cfg_float(&host, "fare_classes.Q", 0.25);
  fake_cfg_float(&host, "fare_classes.q", 0.25);
  assert_int_equal(fake_load(&host, "air_miles"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "fare_classes.Q and fare_classes.q are "
                      "both set: class letters are matched "
                      "case-insensitively, keep one");
  assert_null(host.state);
  fake_unload(&host);
}

/* Every key the plugin reads is checked at init: a bad lower-case letter
 * or cabin value fails there, not at the first event using it. */
static void test_classes_checked_at_init(void **state)
{
  static const struct {
    const char *key;
    const char *msg;
  } cases[] = {
    {"fare_classes.x", "fare_classes.x must be between 0 and 100 (got -5)"},
    {"fare_classes.premium", "fare_classes.premium must be between 0 and "
                             "100 (got -5)"},
    {"fare_classes.economy", "fare_classes.economy must be between 0 and "
                             "100 (got -5)"},
  };
  size_t i;

  (void)state;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    fake_reset(&host);
    snprintf(host.conf_dir, sizeof(host.conf_dir), "%s", CRM_TEST_DATA_DIR);
    fake_cfg_str(&host, "airports", "airports.dat");
    fake_cfg_float(&host, cases[i].key, -5.0);
    assert_int_equal(fake_load(&host, "air_miles"), CRM_ECONFIG);
    assert_string_equal(host.errmsg, cases[i].msg);
    assert_null(host.state);
    assert_int_equal(host.allocs_live, 0);
  }
  fake_unload(&host);
}

/* A cabin name spelt so that it would never be read is refused at init
 * with the spelling to use. */
static void test_cabin_spelling(void **state)
{
  static const struct {
    const char *key;
    const char *msg;
  } cases[] = {
    {"fare_classes.Business", "fare_classes.Business would not be read: "
     "cabin names are lower case with \"_\" (write business)"},
    {"fare_classes.FIRST", "fare_classes.FIRST would not be read: cabin "
     "names are lower case with \"_\" (write first)"},
    {"fare_classes.premium-economy", "fare_classes.premium-economy would "
     "not be read: cabin names are lower case with \"_\" (write "
     "premium_economy)"},
  };
  size_t i;

  (void)state;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    fake_reset(&host);
    snprintf(host.conf_dir, sizeof(host.conf_dir), "%s", CRM_TEST_DATA_DIR);
    fake_cfg_str(&host, "airports", "airports.dat");
    fake_cfg_float(&host, cases[i].key, 1.5);
    assert_int_equal(fake_load(&host, "air_miles"), CRM_ECONFIG);
    assert_string_equal(host.errmsg, cases[i].msg);
    assert_null(host.state);
  }
  fake_unload(&host);
}

/* A name that is not one the plugin reads (premium_plus = -5.0) is never
 * looked at: init passes and events in that class are unknown, taking
 * default_factor 1 (3442), or refused under strict_classes - never
 * refused for a bad setting. */
static void test_other_names_not_read(void **state)
{
  crm_reward_result r;
  const char *pl = "{\"from\":\"LHR\",\"to\":\"JFK\",\"class\":"
                   "\"Premium Plus\"}";

  (void)state;
  fake_cfg_float(&host, "fare_classes.premium_plus", -5.0);
  assert_int_equal(fake_load(&host, "air_miles"), CRM_OK);
  assert_int_equal(fly(pl, &r), CRM_OK);
  assert_int_equal(r.points, 3442);
  assert_string_equal(r.note, "LHR-JFK premium_plus 3442mi x1 = 3442");
  fake_unload(&host);
  fake_cfg_bool(&host, "strict_classes", 1);
  assert_int_equal(fake_load(&host, "air_miles"), CRM_OK);
  assert_int_equal(fly(pl, &r), CRM_EINVAL);
  assert_string_equal(host.errmsg, "unknown fare class \"premium_plus\" in "
                                   "segment 1");
  fake_unload(&host);
}

/* strict_classes: an unknown class is refused, a missing one is not. */
static void test_strict_classes(void **state)
{
  crm_reward_result r;

  (void)state;
  classes();
  fake_cfg_bool(&host, "strict_classes", 1);
  assert_int_equal(fake_load(&host, "air_miles"), CRM_OK);
  assert_int_equal(fly("{\"segments\":[{\"from\":\"LHR\",\"to\":\"JFK\","
                       "\"class\":\"J\"},{\"from\":\"JFK\",\"to\":\"SFO\","
                       "\"class\":\"Z\"}]}", &r), CRM_EINVAL);
  assert_int_equal(host.errcode, CRM_EINVAL);
  assert_string_equal(host.errmsg, "unknown fare class \"Z\" in segment 2");
  assert_int_equal(fly("{\"from\":\"LHR\",\"to\":\"JFK\"}", &r), CRM_OK);
  assert_int_equal(r.points, 3442);
  fake_unload(&host);
}

/* LHR-MAN is 150.88 mi: below min_miles 500 it earns 500 (the minimum
 * comes after the factor: J gives 188.59 -> 189 -> 500 as well). Without
 * a minimum it earns 151. A factor of 0 (award tickets) earns nothing. */
static void test_minimum(void **state)
{
  crm_reward_result r;
  double mi = gc_mi("LHR", "MAN");

  (void)state;
  assert_int_equal(rnd(mi), 151);
  classes();
  fake_cfg_float(&host, "fare_classes.X", 0.0);
  assert_int_equal(fake_load(&host, "air_miles"), CRM_OK);
  assert_int_equal(fly("{\"from\":\"LHR\",\"to\":\"MAN\",\"class\":\"Y\"}",
                       &r), CRM_OK);
  assert_int_equal(r.points, 500);
  assert_int_equal(r.tier_credits, 500);
  assert_string_equal(r.note, "LHR-MAN Y 151mi x1 = 500 (min)");
  assert_int_equal(fly("{\"from\":\"LHR\",\"to\":\"MAN\",\"class\":\"J\"}",
                       &r), CRM_OK);
  assert_int_equal(r.points, 500);
  assert_int_equal(fly("{\"from\":\"LHR\",\"to\":\"JFK\",\"class\":\"X\"}",
                       &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(r.tier_count, 1);
  fake_unload(&host);

  fake_cfg_int(&host, "min_miles", 0);
  assert_int_equal(fake_load(&host, "air_miles"), CRM_OK);
  assert_int_equal(fly("{\"from\":\"LHR\",\"to\":\"MAN\",\"class\":\"Y\"}",
                       &r), CRM_OK);
  assert_int_equal(r.points, rnd(mi));
  assert_int_equal(r.points, 151);
  fake_unload(&host);

  /* a high minimum lifts a discounted long haul: Q 861 -> 1000 */
  fake_cfg_int(&host, "min_miles", 1000);
  assert_int_equal(fake_load(&host, "air_miles"), CRM_OK);
  assert_int_equal(fly("{\"from\":\"LHR\",\"to\":\"JFK\",\"class\":\"Q\"}",
                       &r), CRM_OK);
  assert_int_equal(r.points, 1000);
  fake_unload(&host);
}

/* LHR-JFK J 4303 + JFK-SFO Y (2579.80 mi -> 2580) = 6883, 2 segments. */
static void test_multi_segment(void **state)
{
  crm_reward_result r;
  int64_t a = rnd(gc_mi("LHR", "JFK") * 1.25);
  int64_t b = rnd(gc_mi("JFK", "SFO"));

  (void)state;
  assert_int_equal(a, 4303);
  assert_int_equal(b, 2580);
  classes();
  assert_int_equal(fake_load(&host, "air_miles"), CRM_OK);
  assert_int_equal(fly("{\"segments\":[{\"from\":\"LHR\",\"to\":\"JFK\","
                       "\"class\":\"J\"},{\"from\":\"JFK\",\"to\":\"SFO\","
                       "\"class\":\"Y\"}]}", &r), CRM_OK);
  assert_int_equal(r.points, a + b);
  assert_int_equal(r.points, 6883);
  assert_int_equal(r.tier_credits, 6883);
  assert_int_equal(r.tier_count, 2);
  assert_string_equal(r.note, "LHR-JFK J 3442mi x1.25 = 4303; "
                              "JFK-SFO Y 2580mi x1 = 2580");
  /* a top-level class applies to segments without one: JFK-SFO J is
   * 3224.75 -> 3225 */
  assert_int_equal(fly("{\"class\":\"J\",\"segments\":[{\"from\":\"LHR\","
                       "\"to\":\"JFK\"},{\"from\":\"JFK\",\"to\":\"SFO\"},"
                       "{\"from\":\"SFO\",\"to\":\"LHR\",\"class\":\"M\"}]}",
                       &r), CRM_OK);
  assert_int_equal(rnd(gc_mi("JFK", "SFO") * 1.25), 3225);
  /* SFO-LHR M: 5353.73 mi x 0.75 = 4015.30 -> 4015 */
  assert_int_equal(rnd(gc_mi("SFO", "LHR") * 0.75), 4015);
  assert_int_equal(r.points, 4303 + 3225 + 4015);
  assert_int_equal(r.tier_count, 3);
  fake_unload(&host);
}

/* "route": LHR-JFK-SFO in J = 4303 + 3225 = 7528; blanks and lower case
 * are accepted in codes. */
static void test_route(void **state)
{
  crm_reward_result r;

  (void)state;
  classes();
  assert_int_equal(fake_load(&host, "air_miles"), CRM_OK);
  assert_int_equal(fly("{\"route\":\"LHR-JFK-SFO\",\"class\":\"J\"}", &r),
                   CRM_OK);
  assert_int_equal(r.points, 7528);
  assert_int_equal(r.tier_count, 2);
  assert_string_equal(r.note, "LHR-JFK J 3442mi x1.25 = 4303; "
                              "JFK-SFO J 2580mi x1.25 = 3225");
  assert_int_equal(fly("{\"route\":\" lhr - jfk \"}", &r), CRM_OK);
  assert_int_equal(r.points, 3442);
  assert_int_equal(fly("{\"route\":\"LHR\"}", &r), CRM_EINVAL);
  assert_string_equal(host.errmsg, "route \"LHR\" needs at least two "
                                   "airports (\"LHR-JFK\")");
  assert_int_equal(fly("{\"route\":\"LHR--JFK\"}", &r), CRM_EINVAL);
  assert_string_equal(host.errmsg, "airport code \"\" in segment 1 is not "
                                   "a 3-letter IATA code");
  fake_unload(&host);
}

/* Bad flights are refused with a message naming the segment; nothing is
 * remembered for them. */
static void test_bad_segments(void **state)
{
  crm_reward_result r;
  char pl[2048];
  size_t n;
  int i;

  (void)state;
  assert_int_equal(fake_load(&host, "air_miles"), CRM_OK);
  assert_int_equal(ev_full("purchase", 100, "{\"segments\":[{\"from\":"
                           "\"LHR\",\"to\":\"JFK\"},{\"from\":\"JFK\","
                           "\"to\":\"XYZ\"}]}", "bad-1", NULL, &r),
                   CRM_EINVAL);
  assert_string_equal(host.errmsg, "unknown airport \"XYZ\" in segment 2");
  assert_int_equal(host.n_kv, 0);
  assert_int_equal(fly("{\"from\":\"LHR\",\"to\":\"lhr\"}", &r), CRM_EINVAL);
  assert_string_equal(host.errmsg, "segment 1 starts and ends at LHR");
  assert_int_equal(fly("{\"from\":\"LONDON\",\"to\":\"JFK\"}", &r),
                   CRM_EINVAL);
  assert_string_equal(host.errmsg, "airport code \"LONDON\" in segment 1 is "
                                   "not a 3-letter IATA code");
  assert_int_equal(fly("{\"from\":\"LHR\"}", &r), CRM_EINVAL);
  assert_string_equal(host.errmsg, "segment 1 has no \"to\" airport");
  assert_int_equal(fly("{\"segments\":[{\"from\":\"LHR\",\"to\":\"JFK\"},"
                       "{\"to\":\"SFO\"}]}", &r), CRM_EINVAL);
  assert_string_equal(host.errmsg, "segment 2 has no \"from\" airport");
  assert_int_equal(fly("{\"segments\":{\"from\":\"LHR\"}}", &r),
                   CRM_EINVAL);
  assert_string_equal(host.errmsg, "segments must be an array of "
                                   "{\"from\", \"to\", \"class\"}");
  /* 17 segments: LHR-JFK-LHR-... */
  n = (size_t)snprintf(pl, sizeof(pl), "{\"segments\":[");
  for(i = 0; i < 17; i++)
    n += (size_t)snprintf(pl + n, sizeof(pl) - n, "%s{\"from\":\"%s\","
                          "\"to\":\"%s\"}", i ? "," : "",
                          i % 2 ? "JFK" : "LHR", i % 2 ? "LHR" : "JFK");
  snprintf(pl + n, sizeof(pl) - n, "]}");
  assert_int_equal(fly(pl, &r), CRM_EINVAL);
  assert_string_equal(host.errmsg, "too many segments (17, at most 16)");
  assert_int_equal(host.n_kv, 0);
  fake_unload(&host);
}

/* Events of the type without segments earn 0, other types too. */
static void test_no_segments(void **state)
{
  crm_reward_result r;

  (void)state;
  assert_int_equal(fake_load(&host, "air_miles"), CRM_OK);
  assert_int_equal(fly(NULL, &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_string_equal(r.note, "no miles: no flight segments");
  assert_int_equal(fly("{\"segments\":[]}", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(r.tier_count, 0);
  assert_int_equal(fly("{\"shop\":\"duty free\"}", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(ev_full("contact", 0, "{\"from\":\"LHR\",\"to\":\"JFK\"}",
                           "c1", NULL, &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(r.tier_credits, 0);
  assert_string_equal(r.note, "");
  fake_unload(&host);
}

/* Tickets are purchases: event_type may only say "purchase" (the core
 * reverses refunds naming a purchase only); other types earn nothing. */
static void test_event_type(void **state)
{
  crm_reward_result r;
  const char *pl = "{\"from\":\"LHR\",\"to\":\"JFK\"}";

  (void)state;
  fake_cfg_str(&host, "event_type", "flight");
  assert_int_equal(fake_load(&host, "air_miles"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "event_type must be \"purchase\" (got "
                      "\"flight\"): the core reverses refunds only for "
                      "refunds naming a purchase, so tickets of another type "
                      "could never be refunded");
  assert_null(host.state);
  fake_cfg_int(&host, "event_type", 1);
  assert_int_equal(fake_load(&host, "air_miles"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "event_type must be a string");
  fake_cfg_str(&host, "event_type", "purchase");
  assert_int_equal(fake_load(&host, "air_miles"), CRM_OK);
  assert_int_equal(ev_full("purchase", 100, pl, "p1", NULL, &r), CRM_OK);
  assert_int_equal(r.points, 3442);
  assert_int_equal(ev_full("flight", 100, pl, "p2", NULL, &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(r.tier_credits, 0);
  assert_int_equal(r.tier_count, 0);
  fake_unload(&host);
}

/* Refunds and cancels return an all-zero result: the core takes the
 * miles back AND reverses the tier activity pro rata itself, so the
 * plugin reporting activity too would count it twice. Nothing is stored
 * (the plugin keeps no state). LHR-JFK-SFO in J earns 7528 over 2
 * segments as before. */
static void test_refund(void **state)
{
  static const struct {
    const char *type;
    int64_t amount;
    const char *of;
  } cases[] = {
    {"refund", 50000, "t1"}, {"refund", 50000, "t1"}, {"refund", 0, "t1"},
    {"cancel", 100, "t1"},   {"refund", 100, NULL},   {"cancel", 0, "t9"},
  };
  const char *trip = "{\"route\":\"LHR-JFK-SFO\",\"class\":\"J\"}";
  crm_reward_result r;
  size_t i;

  (void)state;
  classes();
  assert_int_equal(fake_load(&host, "air_miles"), CRM_OK);
  assert_int_equal(ev_full("purchase", 100000, trip, "t1", NULL, &r),
                   CRM_OK);
  assert_int_equal(r.points, 7528);
  assert_int_equal(r.tier_credits, 7528);
  assert_int_equal(r.tier_count, 2);
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    assert_int_equal(ev_full(cases[i].type, cases[i].amount,
                             "{\"refund_of\":\"t1\",\"from\":\"LHR\","
                             "\"to\":\"JFK\"}", "r", cases[i].of, &r),
                     CRM_OK);
    assert_int_equal(r.points, 0);
    assert_int_equal(r.tier_credits, 0);
    assert_int_equal(r.tier_count, 0);
    assert_int_equal(r.pending_until, 0);
    assert_int_equal(r.expires_at, 0);
    assert_int_equal(r.flags, 0);
    assert_string_equal(r.note, "");
  }
  /* another customer's refund: the same */
  ev_customer = 8;
  assert_int_equal(ev_full("refund", 0, NULL, "r5", "t1", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(r.tier_credits, 0);
  assert_int_equal(host.n_kv, 0);
  fake_unload(&host);
}

/* A refund before its ticket changes nothing the ticket earns: the
 * ticket reports all its activity (7528 qualifying miles, 2 segments);
 * the core reconciles the held refund, points and activity alike. */
static void test_refund_before_ticket(void **state)
{
  crm_reward_result r;

  (void)state;
  classes();
  assert_int_equal(fake_load(&host, "air_miles"), CRM_OK);
  assert_int_equal(ev_full("refund", 30000, NULL, "r1", "t9", &r), CRM_OK);
  assert_int_equal(r.points, 0);
  assert_int_equal(r.tier_credits, 0);
  assert_int_equal(r.tier_count, 0);
  assert_int_equal(ev_full("purchase", 100000, "{\"route\":\"LHR-JFK-SFO\","
                           "\"class\":\"J\"}", "t9", NULL, &r), CRM_OK);
  assert_int_equal(r.points, 7528);
  assert_int_equal(r.tier_credits, 7528);
  assert_int_equal(r.tier_count, 2);
  assert_int_equal(host.n_kv, 0);
  fake_unload(&host);
}

/* Notes fit in 96 bytes: long ones lose the working, then the
 * per-segment numbers. LHR-JFK 3442, JFK-SFO 2580, SFO-LAX 337.5 -> 500
 * (min), LAX-SYD 7494. */
static void test_long_note(void **state)
{
  crm_reward_result r;
  char pl[2048];
  size_t n;
  int i;

  (void)state;
  assert_int_equal(fake_load(&host, "air_miles"), CRM_OK);
  assert_int_equal(rnd(gc_mi("SFO", "LAX")), 338);
  assert_int_equal(fly("{\"class\":\"premium economy\",\"route\":"
                       "\"LHR-JFK-SFO-LAX-SYD\"}", &r), CRM_OK);
  assert_int_equal(r.points, 3442 + 2580 + 500 + 7494);
  assert_string_equal(r.note, "LHR-JFK 3442; JFK-SFO 2580; SFO-LAX 500; "
                              "LAX-SYD 7494");
  /* 16 connecting segments: the route alone */
  n = (size_t)snprintf(pl, sizeof(pl), "{\"route\":\"LHR");
  for(i = 0; i < 16; i++)
    n += (size_t)snprintf(pl + n, sizeof(pl) - n, "-%s",
                          i % 2 ? "LHR" : "JFK");
  snprintf(pl + n, sizeof(pl) - n, "\"}");
  assert_int_equal(fly(pl, &r), CRM_OK);
  assert_int_equal(r.points, 16 * 3442);
  assert_int_equal(r.tier_count, 16);
  assert_string_equal(r.note, "16 segments, 55072mi: LHR-JFK-LHR-JFK-LHR-"
                              "JFK-LHR-JFK-LHR-JFK-LHR-JFK-LHR-JFK-LHR-JFK-"
                              "LHR");
  /* 16 separate ones (8 x LHR-JFK 3442, 8 x SFO-LAX 500 = 31536): cut */
  n = (size_t)snprintf(pl, sizeof(pl), "{\"segments\":[");
  for(i = 0; i < 16; i++)
    n += (size_t)snprintf(pl + n, sizeof(pl) - n, "%s{\"from\":\"%s\","
                          "\"to\":\"%s\"}", i ? "," : "",
                          i % 2 ? "SFO" : "LHR", i % 2 ? "LAX" : "JFK");
  snprintf(pl + n, sizeof(pl) - n, "]}");
  assert_int_equal(fly(pl, &r), CRM_OK);
  assert_int_equal(r.points, 31536);
  assert_int_equal(strlen(r.note), sizeof(r.note) - 1);
  assert_int_equal(strncmp(r.note, "16 segments, 31536mi: LHR-JFK SFO-LAX "
                           "LHR-JFK", 45), 0);
  assert_string_equal(r.note + strlen(r.note) - 3, "...");
  fake_unload(&host);
}

/* The shipped file has real rows with commas inside quoted fields
 * ("Tromsø Airport,", "Sandefjord Airport, Torp", "Harstad/Narvik Airport,
 * Evenes"), doubled quotes (Magdeburg ""City"") and a row without an
 * IATA code (\N, RAAF Williams, Point Cook). A wrong split would shift
 * the coordinates. TOS-OSL 698.43 -> 698, EVE-OSL 601.80 -> 602,
 * TRF-OSL 70.22 -> 70 (min_miles 0). */
static void test_csv_real_rows(void **state)
{
  crm_reward_result r;

  (void)state;
  fake_cfg_int(&host, "min_miles", 0);
  assert_int_equal(fake_load(&host, "air_miles"), CRM_OK);
  assert_int_equal(fly("{\"route\":\"TOS-OSL\"}", &r), CRM_OK);
  assert_int_equal(r.points, rnd(gc_mi("TOS", "OSL")));
  assert_int_equal(r.points, 698);
  assert_int_equal(fly("{\"route\":\"EVE-OSL\"}", &r), CRM_OK);
  assert_int_equal(r.points, rnd(gc_mi("EVE", "OSL")));
  assert_int_equal(r.points, 602);
  assert_int_equal(fly("{\"route\":\"TRF-OSL\"}", &r), CRM_OK);
  assert_int_equal(r.points, rnd(gc_mi("TRF", "OSL")));
  assert_int_equal(r.points, 70);
  assert_int_equal(fly("{\"route\":\"ZMG-ZTH\"}", &r), CRM_OK);
  assert_true(r.points > 0);
  fake_unload(&host);
}

static void write_file(const char *path, const char *text)
{
  FILE *fp = fopen(path, "wb");

  assert_non_null(fp);
  assert_int_equal(fputs(text, fp) >= 0, 1);
  assert_int_equal(fclose(fp), 0);
}

/* Made-up rows: a byte order mark, CRLF, quoted commas and quotes, a
 * \N and a lower-case code (skipped), an empty line. AAA (0, 0) to BBB
 * (0, 1) is one degree of the equator, 6371 x pi / 180 = 111.19 km =
 * 69.09 mi -> 69; AAA to CCC (0, 90) a quarter of it, 6371 x pi / 2 =
 * 10007.54 km = 6218.40 mi -> 6218. */
static void test_csv_made_up(void **state)
{
  char path[1024];
  crm_reward_result r;

  (void)state;
  snprintf(path, sizeof(path), "%s/air_miles_made_up.dat",
           CRM_TEST_BINARY_DIR);
  write_file(path,
    "\xEF\xBB\xBF" "1,\"Alpha, \"\"the\"\" first\",\"A, B\",\"X\",\"AAA\","
    "\"AAAA\",0,0,1,0,\"U\",\"Etc/UTC\",\"airport\",\"test\"\r\n"
    "2,\"Beta\",\"B\",\"X\",\"BBB\",\\N,0.0,1.0,1,0,\"U\",\\N,\"airport\","
    "\"test\"\r\n"
    "\r\n"
    "3,\"No code, here\",\"C\",\"X\",\\N,\"ZZZZ\",5,5,1,0,\"U\",\\N,"
    "\"airport\",\"test\"\n"
    "4,\"Lower\",\"C\",\"X\",\"ddd\",\"DDDD\",x,y,1,0,\"U\",\\N,"
    "\"airport\",\"test\"\n"
    "5,\"Gamma\",\"C\",\"X\",\"CCC\",\"CCCC\",-0.0,+90,1,0,\"U\",\\N,"
    "\"airport\",\"test\"\n");
  fake_cfg_str(&host, "airports", path);
  fake_cfg_int(&host, "min_miles", 0);
  assert_int_equal(fake_load(&host, "air_miles"), CRM_OK);
  assert_int_equal(fly("{\"route\":\"AAA-BBB\"}", &r), CRM_OK);
  assert_int_equal(r.points, rnd(R_EARTH * 3.14159265358979323846 / 180.0 /
                                 KM_PER_MI));
  assert_int_equal(r.points, 69);
  assert_int_equal(fly("{\"route\":\"AAA-CCC\"}", &r), CRM_OK);
  assert_int_equal(r.points, 6218);
  assert_int_equal(fly("{\"route\":\"AAA-DDD\"}", &r), CRM_EINVAL);
  assert_string_equal(host.errmsg, "unknown airport \"DDD\" in segment 1");
  fake_unload(&host);
}

/* Broken files are refused at init with FILE:LINE and the reason. */
static void test_csv_errors(void **state)
{
  static const struct {
    const char *text;
    const char *msg; /* after "<path>" */
  } cases[] = {
    {"1,\"A\",\"B\",\"C\",\"AAA\",\"AAAA\",0,0\n"
     "2,\"Open,\"B\",\"C\",\"BBB\",\"BBBB\",0,1\n",
     ":2: text after the end of a quoted field"},
    {"1,\"A\",\"B\",\"C\",\"AAA\",\"AAAA\",0,0\n2,\"never ends,0,1\n",
     ":2: a quoted field does not end"},
    {"1,\"A\",\"B\",\"C\",\"AAA\",\"AAAA\",0\n",
     ":1: expected at least 8 fields, got 7"},
    {"1,\"A\",\"B\",\"C\",\"AAA\",\"AAAA\",91,0\n",
     ":1: bad latitude \"91\" of AAA"},
    {"1,\"A\",\"B\",\"C\",\"AAA\",\"AAAA\",1,\\N\n",
     ":1: bad longitude \"\\N\" of AAA"},
    {"1,\"A\",\"B\",\"C\",\"AAA\",\"AAAA\",1,2\n"
     "2,\"A\",\"B\",\"C\",\"BBB\",\"AAAA\",1,2\n"
     "3,\"A\",\"B\",\"C\",\"AAA\",\"AAAA\",1,2\n",
     ": airport AAA is listed twice (lines 1 and 3)"},
  };
  char path[1024], want[1200];
  size_t i;

  (void)state;
  snprintf(path, sizeof(path), "%s/air_miles_bad.dat", CRM_TEST_BINARY_DIR);
  fake_cfg_str(&host, "airports", path);
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    write_file(path, cases[i].text);
    assert_int_equal(fake_load(&host, "air_miles"), CRM_ECONFIG);
    snprintf(want, sizeof(want), "%s%s", path, cases[i].msg);
    assert_string_equal(host.errmsg, want);
    assert_null(host.state);
    assert_int_equal(host.allocs_live, 0);
  }
  write_file(path, "1,\"A\",\"B\",\"C\",\\N,\"AAAA\",1,2\n");
  assert_int_equal(fake_load(&host, "air_miles"), CRM_ECONFIG);
  snprintf(want, sizeof(want), "no airport with an IATA code in %s", path);
  assert_string_equal(host.errmsg, want);
  fake_unload(&host);
}

/* A missing file or setting fails init cleanly. */
static void test_missing_file(void **state)
{
  char want[1200];

  (void)state;
  fake_cfg_str(&host, "airports", "no_such_airports.dat");
  assert_int_equal(fake_load(&host, "air_miles"), CRM_ECONFIG);
  snprintf(want, sizeof(want), "cannot open airports file "
           "%s/no_such_airports.dat: No such file or directory",
           CRM_TEST_DATA_DIR);
  assert_string_equal(host.errmsg, want);
  assert_null(host.state);
  assert_int_equal(host.allocs_live, 0);
  fake_reset(&host);
  assert_int_equal(fake_load(&host, "air_miles"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "airports must name an OpenFlights "
                                   "airports.dat file");
  fake_unload(&host);
}

static void test_bad_config(void **state)
{
  (void)state;
  fake_cfg_str(&host, "fare_classes.J", "1.25");
  assert_int_equal(fake_load(&host, "air_miles"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "fare_classes.J must be a number");
  fake_cfg_float(&host, "fare_classes.J", -1.0);
  assert_int_equal(fake_load(&host, "air_miles"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "fare_classes.J must be between 0 and "
                                   "100 (got -1)");
  fake_cfg_float(&host, "fare_classes.J", 1.25);
  fake_cfg_int(&host, "min_miles", -1);
  assert_int_equal(fake_load(&host, "air_miles"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "min_miles must be between 0 and 100000 "
                                   "(got -1)");
  fake_cfg_int(&host, "min_miles", 500);
  fake_cfg_float(&host, "radius_km", 0.0);
  assert_int_equal(fake_load(&host, "air_miles"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "radius_km must be between 1 and 100000 "
                                   "(got 0)");
  fake_cfg_float(&host, "radius_km", 6371.0);
  fake_cfg_str(&host, "event_type", "");
  assert_int_equal(fake_load(&host, "air_miles"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "event_type must be \"purchase\" (got "
                      "\"\"): the core reverses refunds only for refunds "
                      "naming a purchase, so tickets of another type could "
                      "never be refunded");
  fake_cfg_str(&host, "event_type", "purchase");
  fake_cfg_int(&host, "strict_classes", 1);
  assert_int_equal(fake_load(&host, "air_miles"), CRM_ECONFIG);
  assert_string_equal(host.errmsg, "strict_classes must be true or false");
  fake_unload(&host);
}

/* radius_km scales distances: half the radius, half the miles (LHR-JFK
 * 1721.09 -> 1721). */
static void test_radius(void **state)
{
  crm_reward_result r;

  (void)state;
  fake_cfg_float(&host, "radius_km", R_EARTH / 2);
  assert_int_equal(fake_load(&host, "air_miles"), CRM_OK);
  assert_int_equal(fly("{\"route\":\"LHR-JFK\"}", &r), CRM_OK);
  assert_int_equal(r.points, rnd(gc_km("LHR", "JFK", R_EARTH / 2) /
                                 KM_PER_MI));
  assert_int_equal(r.points, 1721);
  fake_unload(&host);
}

/* reconfigure re-reads the settings and the file; a bad one keeps the
 * old state whole. */
static void test_reconfigure(void **state)
{
  crm_reward_result r;
  char path[1024];

  (void)state;
  assert_int_equal(fake_load(&host, "air_miles"), CRM_OK);
  fake_cfg_float(&host, "fare_classes.J", 1.25);
  assert_int_equal(host.desc->reconfigure(host.state, &host), CRM_OK);
  assert_int_equal(fly("{\"route\":\"LHR-JFK\",\"class\":\"J\"}", &r),
                   CRM_OK);
  assert_int_equal(r.points, 4303);
  fake_cfg_str(&host, "airports", "no_such_airports.dat");
  fake_cfg_float(&host, "fare_classes.J", 2.0);
  assert_int_equal(host.desc->reconfigure(host.state, &host), CRM_ECONFIG);
  assert_int_equal(fly("{\"route\":\"LHR-JFK\",\"class\":\"J\"}", &r),
                   CRM_OK);
  assert_int_equal(r.points, 4303);
  /* another file: only AAA, BBB */
  snprintf(path, sizeof(path), "%s/air_miles_small.dat",
           CRM_TEST_BINARY_DIR);
  write_file(path, "1,\"A\",\"B\",\"C\",\"AAA\",\"AAAA\",0,0\n"
                   "2,\"B\",\"B\",\"C\",\"BBB\",\"BBBB\",0,1\n");
  fake_cfg_str(&host, "airports", path);
  assert_int_equal(host.desc->reconfigure(host.state, &host), CRM_OK);
  assert_int_equal(fly("{\"route\":\"LHR-JFK\"}", &r), CRM_EINVAL);
  assert_int_equal(fly("{\"route\":\"AAA-BBB\",\"class\":\"J\"}", &r),
                   CRM_OK);
  assert_int_equal(r.points, 500); /* 69.09 x 2 = 138 -> min 500 */
  fake_unload(&host);
}

/* A 1.1 host has no json_get / cfg_get_path: init says what it needs. */
static void test_old_host(void **state)
{
  (void)state;
  fake_host_1_1(&host);
  assert_int_equal(fake_load(&host, "air_miles"), CRM_ENOTSUP);
  assert_string_equal(host.errmsg, "air_miles needs a 1.2 host (json_get, "
                                   "json_len, cfg_get_path); this host is "
                                   "1.1");
  assert_null(host.state);
  fake_unload(&host);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup(test_descriptor, setup),
    cmocka_unit_test_setup(test_lhr_jfk, setup),
    cmocka_unit_test_setup(test_syd_lax, setup),
    cmocka_unit_test_setup(test_fare_factors, setup),
    cmocka_unit_test_setup(test_default_factor_and_cabins, setup),
    cmocka_unit_test_setup(test_lower_case_letter_keys, setup),
    cmocka_unit_test_setup(test_classes_checked_at_init, setup),
    cmocka_unit_test_setup(test_cabin_spelling, setup),
    cmocka_unit_test_setup(test_other_names_not_read, setup),
    cmocka_unit_test_setup(test_strict_classes, setup),
    cmocka_unit_test_setup(test_minimum, setup),
    cmocka_unit_test_setup(test_multi_segment, setup),
    cmocka_unit_test_setup(test_route, setup),
    cmocka_unit_test_setup(test_bad_segments, setup),
    cmocka_unit_test_setup(test_no_segments, setup),
    cmocka_unit_test_setup(test_event_type, setup),
    cmocka_unit_test_setup(test_refund, setup),
    cmocka_unit_test_setup(test_refund_before_ticket, setup),
    cmocka_unit_test_setup(test_long_note, setup),
    cmocka_unit_test_setup(test_csv_real_rows, setup),
    cmocka_unit_test_setup(test_csv_made_up, setup),
    cmocka_unit_test_setup(test_csv_errors, setup),
    cmocka_unit_test_setup(test_missing_file, setup),
    cmocka_unit_test_setup(test_bad_config, setup),
    cmocka_unit_test_setup(test_radius, setup),
    cmocka_unit_test_setup(test_reconfigure, setup),
    cmocka_unit_test_setup(test_old_host, setup),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
