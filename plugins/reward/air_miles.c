/*
 * air_miles.c - the `air_miles` reward component: airline miles for the
 * flights of a ticket, from great-circle distances between airports.
 *
 * Built only against crm/sdk.h (+ libc, libm), as any out-of-tree plugin
 * is. Needs a 1.2 host (json_get, json_len, cfg_get_path); on an older
 * one init fails with CRM_ENOTSUP and says so.
 *
 * Config (the plugin's `config` group):
 *   airports        OpenFlights airports.dat (required); a relative name
 *                   is resolved against the admin config file's directory.
 *                   Read once at init and again on every reconfigure.
 *   radius_km       sphere radius for the distance, default 6371.0
 *   event_type      only "purchase" (the default) is accepted: tickets are
 *                   purchase events, because the core reverses refunds
 *                   only for refunds naming a purchase; a ticket of any
 *                   other type could never be refunded, so another value
 *                   fails init (CRM_ECONFIG).
 *   fare_classes    group: class -> factor, 0 .. 100. The keys read are
 *                   exactly these, all checked at init and reconfigure:
 *                   - the 26 booking-class letters, either case ("J" or
 *                     "j" both mean class J; setting both is refused);
 *                   - the cabin names first, business, premium_economy,
 *                     premium and economy, in lower case (a key such as
 *                     "Business", "BUSINESS" or "premium-economy" is
 *                     refused with the spelling to use).
 *                   Any other key is NOT read (the SDK cannot list a
 *                   group's members): a class named by an event that is
 *                   none of the above is an unknown class.
 *   default_factor  for an unknown class (one not in fare_classes) or a
 *                   segment without a class, default 1.0
 *   strict_classes  true: an unknown class is refused (CRM_EINVAL); a
 *                   segment without class still takes default_factor.
 *                   Default false.
 *   min_miles       the least a segment earns, default 500 (0: none)
 *
 * Classes in events: one letter is matched upper-cased ("j" = "J"); a
 * longer name lower-cased with blanks and hyphens as "_" ("Premium
 * Economy" = "premium_economy").
 *
 * Earning, per segment, in this order:
 *   distance = haversine(from, to) on radius_km, in statute miles
 *              (1 mi = 1.609344 km), not rounded;
 *   miles    = round(distance x factor), halves away from zero;
 *   credited = max(min_miles, miles), except a class with factor 0
 *              (award, staff tickets) which earns 0.
 * The event earns the sum over its segments: points = tier_credits (the
 * qualifying miles) = that sum, tier_count = the number of segments. Tier
 * bonuses are the core's (the scheme's tier multipliers), not applied
 * here. The note shows the working, "LHR-JFK J 3442mi x1.25 = 4303;
 * JFK-SFO ...", shortened to "LHR-JFK 4303; ..." and then to "5
 * segments, 23456mi: LHR-JFK-SFO ..." when it would not fit.
 *
 * Event payloads (purchase events only; other types earn 0):
 *   {"segments":[{"from":"LHR","to":"JFK","class":"J"}, ...]}
 *   {"from":"LHR","to":"JFK","class":"J"}
 *   {"route":"LHR-JFK-SFO","class":"Y"}
 * A top-level "class" applies to segments that name none. No segments
 * earns 0. An unknown airport, a code that is not 3 letters, a segment
 * that starts where it ends or more than 16 segments are bad input
 * (CRM_EINVAL, e.g. `unknown airport "XYZ" in segment 2`): the event is
 * refused and nothing changes.
 *
 * Refunds: the component has CRM_REWARD_CORE_REFUNDS. The core takes a
 * refunded ticket's miles back itself and reverses its tier activity
 * (qualifying miles, segments) pro rata, so for "refund" and "cancel"
 * events the plugin returns an all-zero result (reporting activity too
 * would count it twice). The plugin keeps no state of its own.
 *
 * Files: air_airports.h (the airports table), air_csv.h (CSV fields),
 * air_classes.h (fare_classes keys and event classes).
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/sdk.h"

#include "air_airports.h"
#include "air_classes.h"

#define AM_KM_PER_MILE 1.609344
#define AM_PI 3.14159265358979323846
#define AM_MAX_SEGMENTS 16
#define AM_MAX_MIN_MILES 100000
#define AM_MAX_RADIUS 100000.0
#define AM_PATH_MAX 4096

struct am_config {
  double radius_km;
  double default_factor;
  int64_t min_miles;
  int strict;
  double factor[AM_N_KNOWN]; /* < 0: not in fare_classes */
  char airports[AM_PATH_MAX];
};

struct am_state {
  const crm_host_api *api;
  struct am_config cfg;
  struct am_airport *ap; /* sorted by code */
  size_t n_ap;
};

struct am_seg {
  char from[4], to[4];
  char cls[AM_CLASS_MAX + 1]; /* normalised; "" none */
  double miles;               /* distance, statute miles */
  double factor;
  int64_t credited;
  int minimum; /* min_miles applied */
};

struct am_trip {
  struct am_seg seg[AM_MAX_SEGMENTS];
  int n;
  int64_t total;
};

/* snprintf that may truncate on purpose (notes are for people). */
static void am_fmt(char *buf, size_t size, const char *fmt, ...)
    CRM__PRINTF(3, 4);

static void am_fmt(char *buf, size_t size, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(buf, size, fmt, ap);
  va_end(ap);
}

/* ---- config ------------------------------------------------------------- */

static int am_cfg_float(const crm_host_api *api, crm_host_ctx *ctx,
                        const char *name, double lo, double hi, double *v)
{
  int rc = api->cfg_get_float(ctx, name, v);

  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be a number", name);
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  if(!(*v >= lo && *v <= hi))
    return api->set_error(ctx, CRM_ECONFIG, "%s must be between %g and %g "
                          "(got %g)", name, lo, hi, *v);
  return CRM_OK;
}

/* Tickets are purchases: the core reverses only refunds naming a
 * purchase, so a ticket of another type could never be refunded. */
static int am_cfg_event_type(const crm_host_api *api, crm_host_ctx *ctx)
{
  const char *type = NULL;
  int rc = api->cfg_get_str(ctx, "event_type", &type);

  if(rc == CRM_ENOTFOUND)
    return CRM_OK;
  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "event_type must be a string");
  if(rc)
    return rc;
  if(!type || strcmp(type, "purchase"))
    return api->set_error(ctx, CRM_ECONFIG, "event_type must be "
                          "\"purchase\" (got \"%.64s\"): the core reverses "
                          "refunds only for refunds naming a purchase, so "
                          "tickets of another type could never be refunded",
                          type ? type : "");
  return CRM_OK;
}

static int am_cfg_strings(const crm_host_api *api, crm_host_ctx *ctx,
                          struct am_config *cfg)
{
  int rc = am_cfg_event_type(api, ctx);

  if(rc)
    return rc;
  rc = api->cfg_get_path(ctx, "airports", cfg->airports,
                         sizeof(cfg->airports));
  if(rc == CRM_ENOTFOUND)
    return api->set_error(ctx, CRM_ECONFIG, "airports must name an "
                          "OpenFlights airports.dat file");
  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "airports must be a string");
  if(rc == CRM_ERANGE)
    return api->set_error(ctx, CRM_ECONFIG, "airports path is longer than "
                          "%d bytes", AM_PATH_MAX - 1);
  return rc;
}

static int am_read_config(const crm_host_api *api, crm_host_ctx *ctx,
                          struct am_config *cfg)
{
  int rc;

  memset(cfg, 0, sizeof(*cfg));
  cfg->radius_km = 6371.0;
  cfg->default_factor = 1.0;
  cfg->min_miles = 500;
  rc = am_cfg_float(api, ctx, "radius_km", 1.0, AM_MAX_RADIUS,
                    &cfg->radius_km);
  if(!rc)
    rc = am_cfg_float(api, ctx, "default_factor", 0.0, AM_MAX_FACTOR,
                      &cfg->default_factor);
  if(!rc) {
    rc = api->cfg_get_int(ctx, "min_miles", &cfg->min_miles);
    if(rc == CRM_EINVAL)
      return api->set_error(ctx, CRM_ECONFIG, "min_miles must be an "
                            "integer");
    if(rc == CRM_ENOTFOUND)
      rc = CRM_OK;
    if(!rc && (cfg->min_miles < 0 || cfg->min_miles > AM_MAX_MIN_MILES))
      return api->set_error(ctx, CRM_ECONFIG, "min_miles must be between 0 "
                            "and %d (got %" PRId64 ")", AM_MAX_MIN_MILES,
                            cfg->min_miles);
  }
  if(!rc) {
    rc = api->cfg_get_bool(ctx, "strict_classes", &cfg->strict);
    if(rc == CRM_EINVAL)
      return api->set_error(ctx, CRM_ECONFIG, "strict_classes must be true "
                            "or false");
    if(rc == CRM_ENOTFOUND)
      rc = CRM_OK;
  }
  if(!rc)
    rc = am_cfg_classes(api, ctx, cfg->factor);
  if(!rc)
    rc = am_cfg_strings(api, ctx, cfg);
  return rc;
}

static const struct am_airport *am_find(const struct am_state *st,
                                        const char *code)
{
  struct am_airport key;

  memset(&key, 0, sizeof(key));
  memcpy(key.code, code, 4);
  return bsearch(&key, st->ap, st->n_ap, sizeof(*st->ap), am_cmp_airport);
}

/* ---- lifecycle ------------------------------------------------------------ */

static int am_host_ok(const crm_host_api *api, crm_host_ctx *ctx)
{
  if(CRM_HAS_MEMBER(api, crm_host_api, cfg_get_path) && api->json_get &&
     api->json_len && api->cfg_get_path)
    return CRM_OK;
  return api->set_error(ctx, CRM_ENOTSUP, "air_miles needs a 1.2 host "
                        "(json_get, json_len, cfg_get_path); this host is "
                        "%d.%d", (int)api->abi_major, (int)api->abi_minor);
}

static int am_init(const crm_host_api *api, crm_host_ctx *ctx, void **state)
{
  struct am_state *st;
  int rc;

  rc = am_host_ok(api, ctx);
  if(rc)
    return rc;
  st = api->alloc(ctx, sizeof(*st));
  if(!st)
    return api->set_error(ctx, CRM_ENOMEM, "out of memory");
  memset(st, 0, sizeof(*st));
  st->api = api;
  rc = am_read_config(api, ctx, &st->cfg);
  if(!rc)
    rc = am_load_airports(api, ctx, st->cfg.airports, &st->ap, &st->n_ap);
  if(rc) {
    api->free(ctx, st);
    return rc;
  }
  api->log(ctx, CRM_LOG_INFO, "air_miles: %zu airports from %s", st->n_ap,
           st->cfg.airports);
  *state = st;
  return CRM_OK;
}

static void am_fini(void *state, crm_host_ctx *ctx)
{
  struct am_state *st = state;

  if(!st)
    return;
  st->api->free(ctx, st->ap);
  st->api->free(ctx, st);
}

/* Settings and the airports file again; on any error the old ones stay. */
static int am_reconfigure(void *state, crm_host_ctx *ctx)
{
  struct am_state *st = state;
  struct am_config *cfg;
  struct am_airport *ap = NULL;
  size_t n = 0;
  int rc;

  cfg = st->api->alloc(ctx, sizeof(*cfg));
  if(!cfg)
    return st->api->set_error(ctx, CRM_ENOMEM, "out of memory");
  rc = am_read_config(st->api, ctx, cfg);
  if(!rc)
    rc = am_load_airports(st->api, ctx, cfg->airports, &ap, &n);
  if(!rc) {
    st->cfg = *cfg;
    st->api->free(ctx, st->ap);
    st->ap = ap;
    st->n_ap = n;
  }
  st->api->free(ctx, cfg);
  return rc;
}

/* ---- segments ----------------------------------------------------------- */

/* A string member of the payload: CRM_OK, CRM_ENOTFOUND or an error. */
static int am_json_str(struct am_state *st, crm_host_ctx *ctx,
                       const char *json, const char *path, char *buf,
                       size_t size)
{
  int rc = st->api->json_get(ctx, json, path, buf, size);

  if(rc == CRM_ERANGE)
    return st->api->set_error(ctx, CRM_EINVAL, "%s is longer than %zu "
                              "bytes", path + 2, size - 1);
  if(rc == CRM_EINVAL)
    return st->api->set_error(ctx, CRM_EINVAL, "payload is not a JSON "
                              "object (reading %s)", path + 2);
  return rc;
}

/* The class's factor: its fare_classes entry, else (an unknown class or
 * none) default_factor; strict_classes refuses an unknown class. */
static int am_factor(struct am_state *st, crm_host_ctx *ctx, struct am_seg *s,
                     int segno)
{
  int idx;

  s->factor = st->cfg.default_factor;
  if(!s->cls[0])
    return CRM_OK;
  idx = am_known_index(s->cls);
  if(idx >= 0 && st->cfg.factor[idx] >= 0.0) {
    s->factor = st->cfg.factor[idx];
    return CRM_OK;
  }
  if(st->cfg.strict)
    return st->api->set_error(ctx, CRM_EINVAL, "unknown fare class \"%s\" "
                              "in segment %d", s->cls, segno);
  return CRM_OK;
}

/* Checks and upper-cases an airport code into out (4 bytes). */
static int am_code(struct am_state *st, crm_host_ctx *ctx, const char *in,
                   char *out, int segno)
{
  char up[4];
  size_t i;

  if(strlen(in) != 3)
    return st->api->set_error(ctx, CRM_EINVAL, "airport code \"%.20s\" in "
                              "segment %d is not a 3-letter IATA code", in,
                              segno);
  for(i = 0; i < 3; i++)
    up[i] = (char)toupper((unsigned char)in[i]);
  up[3] = '\0';
  if(!am_is_iata(up))
    return st->api->set_error(ctx, CRM_EINVAL, "airport code \"%s\" in "
                              "segment %d is not a 3-letter IATA code", in,
                              segno);
  if(!am_find(st, up))
    return st->api->set_error(ctx, CRM_EINVAL, "unknown airport \"%s\" in "
                              "segment %d", up, segno);
  memcpy(out, up, 4);
  return CRM_OK;
}

/* Distance and credited miles of a segment whose codes and class are set. */
static int am_seg_earn(struct am_state *st, crm_host_ctx *ctx,
                       struct am_seg *s, int segno)
{
  const struct am_airport *a = am_find(st, s->from);
  const struct am_airport *b = am_find(st, s->to);
  double p1, p2, dl, h;
  int rc;

  if(!strcmp(s->from, s->to))
    return st->api->set_error(ctx, CRM_EINVAL, "segment %d starts and ends "
                              "at %s", segno, s->from);
  rc = am_factor(st, ctx, s, segno);
  if(rc)
    return rc;
  p1 = a->lat * AM_PI / 180.0;
  p2 = b->lat * AM_PI / 180.0;
  dl = (b->lon - a->lon) * AM_PI / 180.0;
  h = sin((p2 - p1) / 2) * sin((p2 - p1) / 2) +
      cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
  if(h > 1.0)
    h = 1.0;
  s->miles = 2.0 * st->cfg.radius_km * asin(sqrt(h)) / AM_KM_PER_MILE;
  s->credited = (int64_t)floor(s->miles * s->factor + 0.5);
  s->minimum = 0;
  if(s->factor > 0.0 && s->credited < st->cfg.min_miles) {
    s->credited = st->cfg.min_miles;
    s->minimum = 1;
  }
  return CRM_OK;
}

/* Adds the segment from -> to with class cls to the trip and earns it. */
static int am_add_seg(struct am_state *st, crm_host_ctx *ctx,
                      struct am_trip *t, const char *from, const char *to,
                      const char *cls)
{
  struct am_seg *s;
  int segno = t->n + 1;
  int rc;

  if(t->n == AM_MAX_SEGMENTS)
    return st->api->set_error(ctx, CRM_EINVAL, "too many segments (at most "
                              "%d)", AM_MAX_SEGMENTS);
  s = &t->seg[t->n];
  memset(s, 0, sizeof(*s));
  rc = am_code(st, ctx, from, s->from, segno);
  if(!rc)
    rc = am_code(st, ctx, to, s->to, segno);
  if(rc)
    return rc;
  am_class_norm(cls, s->cls, sizeof(s->cls));
  rc = am_seg_earn(st, ctx, s, segno);
  if(rc)
    return rc;
  t->n++;
  t->total += s->credited;
  return CRM_OK;
}

/* from/to/class of one segment under prefix ("$" or "$.segments[2]");
 * both airports absent under "$" is no segment at all. */
static int am_read_seg(struct am_state *st, crm_host_ctx *ctx,
                       const char *json, const char *prefix,
                       const char *cls_default, struct am_trip *t)
{
  char path[64], from[32], to[32], cls[AM_CLASS_MAX + 1];
  int rf, rt, rc;

  am_fmt(path, sizeof(path), "%s.from", prefix);
  rf = am_json_str(st, ctx, json, path, from, sizeof(from));
  if(rf && rf != CRM_ENOTFOUND)
    return rf;
  am_fmt(path, sizeof(path), "%s.to", prefix);
  rt = am_json_str(st, ctx, json, path, to, sizeof(to));
  if(rt && rt != CRM_ENOTFOUND)
    return rt;
  if(rf && rt && !strcmp(prefix, "$"))
    return CRM_OK;
  if(rf || rt)
    return st->api->set_error(ctx, CRM_EINVAL, "segment %d has no \"%s\" "
                              "airport", t->n + 1, rf ? "from" : "to");
  am_fmt(path, sizeof(path), "%s.class", prefix);
  rc = am_json_str(st, ctx, json, path, cls, sizeof(cls));
  if(rc == CRM_ENOTFOUND)
    am_fmt(cls, sizeof(cls), "%s", cls_default);
  else if(rc)
    return rc;
  return am_add_seg(st, ctx, t, from, to, cls);
}

/* "LHR-JFK-SFO": consecutive airports, blanks around codes allowed. */
static int am_read_route(struct am_state *st, crm_host_ctx *ctx,
                         const char *route, const char *cls,
                         struct am_trip *t)
{
  char code[2][32];
  const char *p = route;
  size_t len;
  int k = 0;
  int rc;

  for(;;) {
    const char *dash = strchr(p, '-');
    const char *end = dash ? dash : p + strlen(p);

    while(p < end && isspace((unsigned char)*p))
      p++;
    while(end > p && isspace((unsigned char)end[-1]))
      end--;
    len = (size_t)(end - p);
    am_fmt(code[k % 2], sizeof(code[0]), "%.*s", (int)(len < 31 ? len : 31),
           p);
    if(k > 0) {
      rc = am_add_seg(st, ctx, t, code[(k - 1) % 2], code[k % 2], cls);
      if(rc)
        return rc;
    }
    k++;
    if(!dash)
      break;
    p = dash + 1;
  }
  if(k < 2)
    return st->api->set_error(ctx, CRM_EINVAL, "route \"%.40s\" needs at "
                              "least two airports (\"LHR-JFK\")", route);
  return CRM_OK;
}

/* The segments of an event, in whichever of the three forms it has. */
static int am_read_trip(struct am_state *st, crm_host_ctx *ctx,
                        const char *json, struct am_trip *t)
{
  char cls[AM_CLASS_MAX + 1] = "";
  char route[256];
  char prefix[32];
  int64_t n = 0;
  int64_t i;
  int rc;

  memset(t, 0, sizeof(*t));
  if(!json || !*json)
    return CRM_OK;
  rc = am_json_str(st, ctx, json, "$.class", cls, sizeof(cls));
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  rc = st->api->json_len(ctx, json, "$.segments", &n);
  if(rc == CRM_EINVAL)
    return st->api->set_error(ctx, CRM_EINVAL, "segments must be an array "
                              "of {\"from\", \"to\", \"class\"}");
  if(!rc && n > AM_MAX_SEGMENTS)
    return st->api->set_error(ctx, CRM_EINVAL, "too many segments (%" PRId64
                              ", at most %d)", n, AM_MAX_SEGMENTS);
  if(!rc) {
    for(i = 0; i < n && !rc; i++) {
      am_fmt(prefix, sizeof(prefix), "$.segments[%" PRId64 "]", i);
      rc = am_read_seg(st, ctx, json, prefix, cls, t);
    }
    return rc;
  }
  if(rc != CRM_ENOTFOUND)
    return rc;
  rc = am_json_str(st, ctx, json, "$.route", route, sizeof(route));
  if(!rc)
    return am_read_route(st, ctx, route, cls, t);
  if(rc != CRM_ENOTFOUND)
    return rc;
  return am_read_seg(st, ctx, json, "$", cls, t);
}

/* ---- the note --------------------------------------------------------- */

/* 1.25 -> "1.25", 1.0 -> "1": no locale, at most 3 decimals. */
static void am_factor_text(double f, char *buf, size_t size)
{
  long long v = (long long)floor(f * 1000.0 + 0.5);
  int dec = 3;
  long long frac = v % 1000;

  while(dec > 0 && frac % 10 == 0) {
    frac /= 10;
    dec--;
  }
  if(!dec)
    am_fmt(buf, size, "%lld", v / 1000);
  else
    am_fmt(buf, size, "%lld.%0*lld", v / 1000, dec, frac);
}

/* Appends to buf (size bytes) what fits. */
static void am_cat(char *buf, size_t size, const char *fmt, ...)
    CRM__PRINTF(3, 4);

static void am_cat(char *buf, size_t size, const char *fmt, ...)
{
  size_t n = strlen(buf);
  va_list ap;

  if(n + 1 >= size)
    return;
  va_start(ap, fmt);
  vsnprintf(buf + n, size - n, fmt, ap);
  va_end(ap);
}

/* level 0: "LHR-JFK J 3442mi x1.25 = 4303; ..."; 1: "LHR-JFK 4303;
 * ..."; 2: "3 segments, 9999mi: LHR-JFK-SFO ..." */
static void am_note_level(const struct am_trip *t, int level, char *buf,
                          size_t size)
{
  const struct am_seg *s;
  char f[24];
  int i;

  buf[0] = '\0';
  if(level == 2)
    am_cat(buf, size, "%d segments, %" PRId64 "mi: %s", t->n, t->total,
           t->seg[0].from);
  for(i = 0; i < t->n; i++) {
    s = &t->seg[i];
    if(level == 2) {
      if(i > 0 && strcmp(s->from, t->seg[i - 1].to))
        am_cat(buf, size, " %s", s->from);
      am_cat(buf, size, "-%s", s->to);
      continue;
    }
    am_cat(buf, size, "%s%s-%s", i ? "; " : "", s->from, s->to);
    if(level == 1) {
      am_cat(buf, size, " %" PRId64, s->credited);
      continue;
    }
    am_factor_text(s->factor, f, sizeof(f));
    am_cat(buf, size, "%s%s %lldmi x%s = %" PRId64 "%s", s->cls[0] ? " " : "",
           s->cls, (long long)floor(s->miles + 0.5), f, s->credited,
           s->minimum ? " (min)" : "");
  }
}

static void am_note(const struct am_trip *t, char *note, size_t size)
{
  char buf[2048];
  int level;

  for(level = 0; level < 3; level++) {
    am_note_level(t, level, buf, sizeof(buf));
    if(strlen(buf) < size)
      break;
  }
  if(strlen(buf) >= size && size > 4)
    memcpy(buf + size - 4, "...", 4);
  am_fmt(note, size, "%s", buf);
}

/* ---- events --------------------------------------------------------------- */

static void am_set_tier(crm_reward_result *out, int64_t credits,
                        int64_t count)
{
  if(CRM_HAS_MEMBER(out, crm_reward_result, tier_count)) {
    out->tier_credits = credits;
    out->tier_count = count;
  }
}

/* Zero points, no activity, the scheme's rules: what every event that
 * earns nothing returns (refunds and cancels included: the core
 * reverses them). */
static void am_zero(crm_reward_result *out)
{
  out->points = 0;
  out->note[0] = '\0';
  if(CRM_HAS_MEMBER(out, crm_reward_result, flags)) {
    out->pending_until = 0;
    out->expires_at = 0;
    out->tier_credits = 0;
    out->tier_count = 0;
    out->flags = 0;
  }
}

static int am_flight(struct am_state *st, crm_host_ctx *ctx,
                     const crm_event_view *ev, crm_reward_result *out)
{
  struct am_trip t;
  int rc;

  rc = am_read_trip(st, ctx, ev->payload, &t);
  if(rc)
    return rc;
  if(!t.n) {
    am_fmt(out->note, sizeof(out->note), "no miles: no flight segments");
    return CRM_OK;
  }
  out->points = t.total;
  am_set_tier(out, t.total, t.n);
  am_note(&t, out->note, sizeof(out->note));
  return CRM_OK;
}

/* Tickets are purchase events; refund, cancel and every other type earn
 * an all-zero result. */
static int am_on_event(void *state, crm_host_ctx *ctx,
                       const crm_event_view *ev,
                       const crm_customer_view *customer,
                       crm_reward_result *out)
{
  struct am_state *st = state;

  (void)customer;
  am_zero(out);
  if(ev->type && !strcmp(ev->type, "purchase"))
    return am_flight(st, ctx, ev, out);
  return CRM_OK;
}

static const crm_reward_v1 am_vtable = {
  .struct_size = sizeof(crm_reward_v1),
  .on_event = am_on_event,
  .flags = CRM_REWARD_CORE_REFUNDS,
};

static const crm_component am_component = {
  .struct_size = sizeof(crm_component),
  .kind = CRM_KIND_REWARD,
  .name = "air_miles",
  .description = "airline miles by great-circle distance and fare class",
  .vtable = &am_vtable,
};

static const crm_component *const am_components[] = {&am_component};

static const crm_plugin_desc am_desc = {
  CRM_PLUGIN_DESC_HEADER,
  .name = "air_miles",
  .version = "1.0.0",
  .vendor = "crmcore",
  .license = "MIT",
  .description = "Airline miles: great-circle distance between airports "
                 "(OpenFlights) times a fare-class factor",
  .components = am_components,
  .n_components = 1,
  .init = am_init,
  .fini = am_fini,
  .reconfigure = am_reconfigure,
};

CRM_PLUGIN_DEFINE(am_desc)
