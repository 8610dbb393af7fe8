/*
 * send_gate.c - the one gate every message passes before every attempt.
 *
 * Checks, in this order (the first that fails decides):
 *   refusals  no_address, bad_address, opted_out, do_not_contact,
 *             no_opt_in (marketing, when communication.require_opt_in),
 *             paused (marketing during a pause), cap (marketing over a
 *             frequency cap);
 *   holds     paused (service: to the end of the pause), weekday
 *             (marketing on a day not in communication.allowed_days: to
 *             the next local midnight of an allowed day), quiet_hours
 *             (both priorities: to the end of the window).
 * A hold is re-checked from its end (quiet hours may end on a disallowed
 * weekday, a weekday hold may start inside quiet hours), at most 8
 * steps; not_before is the first instant found allowed. Local times are
 * the customer's IANA zone (customers.timezone; "" is UTC) read from the
 * system tz database (tz.c): a wall time skipped by a spring-forward gap
 * maps to the first instant after it, an ambiguous one to its first
 * occurrence still ahead. An unknown zone is treated as UTC, with a
 * warning in the log and in the reason.
 *
 * The gate only reads (consent, preferences, bad addresses, messages):
 * crm_send_check changes nothing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "consent_int.h"
#include "outbox_int.h"

#define GATE_STEPS 8
#define GATE_DAY INT64_C(86400)

static const char gate_sql_bad[] =
  "SELECT reason FROM bad_addresses WHERE channel = ?1 AND address = ?2";
/* Marketing messages that left (or are leaving) in [?4, ?5], ?5 the
 * instant checked: one sent earlier in the same second counts (a run
 * sends several messages a second). A message being sent has no sent_at
 * yet and counts from its claim (updated_at). */
static const char gate_sql_cap[] =
  "SELECT count(*) FROM messages WHERE customer_id = ?1 AND priority = 0"
  " AND id != ?2 AND (?3 = '*' OR channel = ?3)"
  " AND status IN ('sending', 'sent', 'delivered')"
  " AND coalesce(sent_at, updated_at) >= ?4"
  " AND coalesce(sent_at, updated_at) <= ?5";

static const char *const gate_days[] = {"sun", "mon", "tue", "wed", "thu",
                                        "fri", "sat"};

typedef struct gate {
  crm *c;
  const crm__gate_in *in;
  const crm__comm_cfg *cc;
  int quiet_start;        /* effective window, -1: none */
  int quiet_end;
  int64_t pause_from;
  int64_t pause_until;    /* 0: no pause */
  const crm__tz *z;       /* NULL until needed */
  char zone[CRM_TZ_MAX + 1];
  /* "Europe/Paris", or "UTC (zone X unknown, UTC used)" */
  char zone_label[CRM_TZ_MAX + 40];
} gate;

/* ---- results ------------------------------------------------------------ */

static int gate_set(crm_gate_result *out, int decision, const char *code,
                    int64_t not_before, const char *fmt, ...)
  CRM__PRINTF(5, 6);

static int gate_set(crm_gate_result *out, int decision, const char *code,
                    int64_t not_before, const char *fmt, ...)
{
  va_list ap;

  out->decision = decision;
  snprintf(out->code, sizeof(out->code), "%s", code);
  out->not_before = not_before;
  va_start(ap, fmt);
  vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
  va_end(ap);
  return CRM_OK;
}

/* "2026-01-10 09:30 UTC" */
static void gate_fmt_utc(int64_t t, char *buf, size_t size)
{
  char iso[32];

  crm_time_format(t, iso, sizeof(iso));
  snprintf(buf, size, "%.10s %.5s UTC", iso, iso + 11);
}

/* ---- the customer's zone ------------------------------------------------ */

static int gate_zone(gate *g)
{
  crm_customer cust;
  int rc;

  if(g->z)
    return CRM_OK;
  rc = crm_customer_get(g->c, g->in->customer_id, &cust);
  if(rc)
    return rc;
  snprintf(g->zone, sizeof(g->zone), "%s",
           cust.timezone[0] ? cust.timezone : "UTC");
  snprintf(g->zone_label, sizeof(g->zone_label), "%s", g->zone);
  rc = crm__tz_get(g->c, g->zone, &g->z);
  if(rc != CRM_EINVAL)
    return rc;
  crm__clear_err(g->c);
  crm__log(g->c, CRM_LOG_WARN, "gate", "customer #%lld: time zone \"%s\" "
           "unknown, UTC used", (long long)g->in->customer_id, g->zone);
  snprintf(g->zone_label, sizeof(g->zone_label), "UTC (zone %s unknown, "
           "UTC used)", g->zone);
  return crm__tz_get(g->c, "UTC", &g->z);
}

/* "2026-03-29 08:00 CEST" in the customer's zone (loaded). */
static void gate_fmt_local(const gate *g, int64_t t, char *buf, size_t size)
{
  crm__localtm lt;

  crm__tz_local(g->z, t, &lt);
  snprintf(buf, size, "%04lld-%02d-%02d %02d:%02d %s", (long long)lt.year,
           lt.month, lt.day, lt.minute / 60, lt.minute % 60, lt.abbr);
}

static int64_t gate_floor_day(int64_t local)
{
  int64_t d = local / GATE_DAY;

  if(local % GATE_DAY < 0)
    d--;
  return d * GATE_DAY;
}

/* The first instant after t whose local wall time is `local` (seconds
 * as if local were UTC). tz_to_utc gives the first instant after a gap
 * and the earlier of two; when that earlier one is not after t (t is in
 * the repeated hour of a fall-back), the later one is at t's offset. */
static int64_t gate_utc_after(const gate *g, int64_t t, int64_t local)
{
  crm__localtm lt;
  int64_t u = crm__tz_to_utc(g->z, local);

  if(u > t)
    return u;
  crm__tz_local(g->z, t, &lt);
  u = local - lt.offset;
  if(u > t)
    return u;
  return t - t % 60 + 60; /* not reached with a sane zone: next minute */
}

/* ---- holds -------------------------------------------------------------- */

static int gate_in_quiet(const gate *g, int minute)
{
  if(g->quiet_start < 0 || g->quiet_start == g->quiet_end)
    return 0;
  if(g->quiet_start < g->quiet_end)
    return minute >= g->quiet_start && minute < g->quiet_end;
  return minute >= g->quiet_start || minute < g->quiet_end;
}

static int gate_need_days(const gate *g)
{
  return g->in->priority == CRM_PRIORITY_MARKETING &&
         (g->cc->allowed_days & 0x7fu) != 0x7fu;
}

/* 0: t is allowed. 1: blocked by *code until *next. < 0: an error. */
static int gate_blocked(gate *g, int64_t t, int64_t *next, const char **code)
{
  crm__localtm lt;
  int64_t day0;
  int k;
  int rc;

  if(g->pause_until && g->pause_from <= t && t < g->pause_until) {
    *next = g->pause_until;
    *code = "paused";
    return 1;
  }
  if(!gate_need_days(g) && g->quiet_start < 0)
    return 0;
  rc = gate_zone(g);
  if(rc)
    return rc;
  crm__tz_local(g->z, t, &lt);
  day0 = gate_floor_day(t + lt.offset);
  if(gate_need_days(g) && !(g->cc->allowed_days & (1u << lt.wday))) {
    for(k = 1; k < 7; k++) {
      if(g->cc->allowed_days & (1u << ((lt.wday + k) % 7)))
        break;
    }
    *next = gate_utc_after(g, t, day0 + k * GATE_DAY);
    *code = "weekday";
    return 1;
  }
  if(gate_in_quiet(g, lt.minute)) {
    *next = gate_utc_after(g, t, day0 + g->quiet_end * 60 +
                                     (lt.minute >= g->quiet_end ? GATE_DAY
                                                                : 0));
    *code = "quiet_hours";
    return 1;
  }
  return 0;
}

static void gate_days_text(unsigned mask, char *buf, size_t size)
{
  size_t n = 0;
  int d;

  buf[0] = '\0';
  for(d = 0; d < 7; d++) {
    if((mask & (1u << d)) && n + 5 <= size)
      n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? " " : "",
                            gate_days[d]);
  }
}

/* Describes the hold that started with `code` at in->at. */
static int gate_hold_result(gate *g, const char *code, int64_t until,
                            crm_gate_result *out)
{
  char held[64];
  char extra[64];
  char days[32];
  crm__localtm lt;
  int rc = gate_zone(g);

  if(rc)
    return rc;
  gate_fmt_local(g, until, held, sizeof(held));
  if(!strcmp(code, "paused")) {
    gate_fmt_local(g, g->pause_until, extra, sizeof(extra));
    return gate_set(out, CRM_GATE_HOLD, code, until, "paused until %s in "
                    "%s; service message held until %s", extra,
                    g->zone_label, held);
  }
  if(!strcmp(code, "weekday")) {
    crm__tz_local(g->z, g->in->at, &lt);
    gate_days_text(g->cc->allowed_days, days, sizeof(days));
    return gate_set(out, CRM_GATE_HOLD, code, until, "weekday %s is not "
                    "allowed for marketing in %s (allowed: %s); held until "
                    "%s", gate_days[lt.wday], g->zone_label, days, held);
  }
  return gate_set(out, CRM_GATE_HOLD, code, until, "quiet hours "
                  "%02d:%02d-%02d:%02d in %s; held until %s",
                  g->quiet_start / 60, g->quiet_start % 60,
                  g->quiet_end / 60, g->quiet_end % 60, g->zone_label, held);
}

static int gate_holds(gate *g, crm_gate_result *out)
{
  const char *first = NULL;
  const char *code = NULL;
  int64_t t = g->in->at;
  int64_t next = 0;
  int i;
  int rc;

  for(i = 0; i < GATE_STEPS; i++) {
    rc = gate_blocked(g, t, &next, &code);
    if(rc < 0)
      return rc;
    if(!rc)
      break;
    if(!first)
      first = code;
    t = next;
  }
  if(!first)
    return gate_set(out, CRM_GATE_SEND, "ok", 0, "ok");
  return gate_hold_result(g, first, t, out);
}

/* ---- refusals ----------------------------------------------------------- */

/* 1 when refused (out filled), 0 when the address may be used. */
static int gate_address(gate *g, crm_gate_result *out)
{
  const crm__gate_in *in = g->in;
  sqlite3_stmt *st;
  char reason[160];
  int rc;

  if(!in->address || !*in->address) {
    gate_set(out, CRM_GATE_REFUSE, "no_address", 0, "no address: customer "
             "#%lld has none for channel %s", (long long)in->customer_id,
             in->channel);
    return 1;
  }
  st = crm__stmt(g->c, gate_sql_bad);
  if(!st)
    return g->c->errcode;
  sqlite3_bind_text(st, 1, in->channel, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, in->address, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if(rc == SQLITE_ROW)
    crm__col_text(st, 0, reason, sizeof(reason));
  sqlite3_reset(st);
  if(rc == SQLITE_ROW) {
    gate_set(out, CRM_GATE_REFUSE, "bad_address", 0, "bad address %.80s on "
             "%s: %s", in->address, in->channel, reason);
    return 1;
  }
  if(rc != SQLITE_DONE)
    return crm__sqlerr(g->c, rc, "reading bad addresses");
  return 0;
}

/* Whether the do-not-contact k carries is the one of every channel. */
static int gate_dnc_all(crm *c, int64_t cust, const char *reason,
                        int64_t dnc_at, int *all)
{
  crm_consent a;
  int rc;

  *all = 0;
  rc = crm_consent_get(c, cust, CRM__CONSENT_ALL, &a);
  if(rc)
    return rc;
  *all = a.dnc_reason && !strcmp(a.dnc_reason, reason) && a.dnc_at == dnc_at;
  return CRM_OK;
}

static int gate_consent(gate *g, crm_gate_result *out)
{
  const crm__gate_in *in = g->in;
  char when[40];
  char reason[16];
  char note[CRM__CONSENT_NOTE_MAX + 1];
  char source[64];
  crm_consent k;
  int all;
  int rc;

  rc = crm_consent_get(g->c, in->customer_id, in->channel, &k);
  if(rc)
    return rc;
  if(k.status == CRM_CONSENT_OUT) {
    gate_fmt_utc(k.at, when, sizeof(when));
    snprintf(source, sizeof(source), "%s", k.source ? k.source : "-");
    gate_set(out, CRM_GATE_REFUSE, "opted_out", 0, "opted out of %s on %s "
             "(%s)", in->channel, when, source);
    return 1;
  }
  if(k.dnc_reason) {
    snprintf(reason, sizeof(reason), "%s", k.dnc_reason);
    snprintf(note, sizeof(note), "%s", k.dnc_note ? k.dnc_note : "");
    rc = gate_dnc_all(g->c, in->customer_id, reason, k.dnc_at, &all);
    if(rc)
      return rc;
    gate_set(out, CRM_GATE_REFUSE, "do_not_contact", 0, "do not contact on "
             "%s: %s%s%.120s%s", all ? "all channels" : in->channel, reason,
             note[0] ? " (" : "", note, note[0] ? ")" : "");
    return 1;
  }
  if(in->priority == CRM_PRIORITY_MARKETING && g->cc->require_opt_in &&
     k.status != CRM_CONSENT_IN) {
    gate_set(out, CRM_GATE_REFUSE, "no_opt_in", 0, "no opt-in for marketing "
             "on %s", in->channel);
    return 1;
  }
  return 0;
}

static int gate_prefs(gate *g)
{
  crm_contact_prefs p;
  int rc = crm_prefs_get(g->c, g->in->customer_id, &p);

  if(rc)
    return rc;
  g->quiet_start = g->cc->quiet_start;
  g->quiet_end = g->cc->quiet_end;
  if(p.quiet_start >= 0 && p.quiet_start != p.quiet_end) {
    g->quiet_start = p.quiet_start;
    g->quiet_end = p.quiet_end;
  }
  if(g->quiet_start == g->quiet_end)
    g->quiet_start = g->quiet_end = -1;
  g->pause_from = p.pause_from;
  g->pause_until = p.pause_until;
  return CRM_OK;
}

static int gate_pause(gate *g, crm_gate_result *out)
{
  char until[64];
  int rc;

  if(g->in->priority != CRM_PRIORITY_MARKETING || !g->pause_until ||
     g->in->at < g->pause_from || g->in->at >= g->pause_until)
    return 0;
  rc = gate_zone(g);
  if(rc)
    return rc;
  gate_fmt_local(g, g->pause_until, until, sizeof(until));
  gate_set(out, CRM_GATE_REFUSE, "paused", 0, "paused until %s in %s: no "
           "marketing during a pause", until, g->zone_label);
  return 1;
}

/* "7 days", "24 hours" -> shown in the largest whole unit. */
static void gate_window_text(int64_t w, char *buf, size_t size)
{
  if(w % GATE_DAY == 0)
    snprintf(buf, size, "%lld day%s", (long long)(w / GATE_DAY),
             w == GATE_DAY ? "" : "s");
  else if(w % 3600 == 0)
    snprintf(buf, size, "%lld hour%s", (long long)(w / 3600),
             w == 3600 ? "" : "s");
  else
    snprintf(buf, size, "%lld minute%s", (long long)(w / 60),
             w == 60 ? "" : "s");
}

static int gate_cap_count(gate *g, const crm__cap *cap, int64_t *n)
{
  sqlite3_stmt *st = crm__stmt(g->c, gate_sql_cap);

  if(!st)
    return g->c->errcode;
  sqlite3_bind_int64(st, 1, g->in->customer_id);
  sqlite3_bind_int64(st, 2, g->in->message_id);
  sqlite3_bind_text(st, 3, cap->channel, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, g->in->at - cap->window);
  sqlite3_bind_int64(st, 5, g->in->at);
  return crm__step_row(g->c, st, n, 1, "counting messages for a cap");
}

static int gate_caps(gate *g, crm_gate_result *out)
{
  const crm__comm_cfg *cc = g->cc;
  char window[32];
  int64_t n = 0;
  size_t i;
  int rc;

  if(g->in->priority != CRM_PRIORITY_MARKETING)
    return 0;
  for(i = 0; i < cc->n_caps; i++) {
    const crm__cap *cap = &cc->caps[i];
    int all = !strcmp(cap->channel, "*");

    if(!all && strcmp(cap->channel, g->in->channel))
      continue;
    rc = gate_cap_count(g, cap, &n);
    if(rc)
      return rc;
    if(n < cap->max)
      continue;
    gate_window_text(cap->window, window, sizeof(window));
    gate_set(out, CRM_GATE_REFUSE, "cap", 0, "cap reached: %d marketing "
             "message%s in %s %s%s", cap->max, cap->max == 1 ? "" : "s",
             window, all ? "across all channels" : "on ",
             all ? "" : cap->channel);
    return 1;
  }
  return 0;
}

/* ---- the gate ----------------------------------------------------------- */

int crm__gate_check(crm *c, const crm__gate_in *in, crm_gate_result *out)
{
  gate g;
  int rc;

  memset(out, 0, sizeof(*out));
  if(!in->channel || !*in->channel)
    return crm__err(c, CRM_EINVAL, "the gate needs a resolved channel");
  memset(&g, 0, sizeof(g));
  g.c = c;
  g.in = in;
  g.cc = crm__comm(c);
  rc = gate_address(&g, out);
  if(!rc)
    rc = gate_consent(&g, out);
  if(!rc)
    rc = gate_prefs(&g);
  if(!rc)
    rc = gate_pause(&g, out);
  if(!rc)
    rc = gate_caps(&g, out);
  if(rc > 0)
    return CRM_OK;
  if(rc < 0)
    return rc;
  return gate_holds(&g, out);
}

int crm__gate_caps(crm *c, const crm__gate_in *in, crm_gate_result *out)
{
  gate g;
  int rc;

  memset(out, 0, sizeof(*out));
  memset(&g, 0, sizeof(g));
  g.c = c;
  g.in = in;
  g.cc = crm__comm(c);
  rc = gate_caps(&g, out);
  if(rc < 0)
    return rc;
  if(!rc)
    gate_set(out, CRM_GATE_SEND, "ok", 0, "ok");
  return CRM_OK;
}

int crm_send_check(crm *c, int64_t customer_id, const char *channel,
                   int priority, int64_t at, crm_gate_result *out)
{
  crm__route tmp;
  const crm__route *route = NULL;
  crm_customer cust;
  crm__gate_in in;
  char address[CRM_ATTR_VALUE_MAX + 1];
  int rc;

  if(!c || !out)
    return CRM_EINVAL;
  crm__clear_err(c);
  memset(out, 0, sizeof(*out));
  if(priority != CRM_PRIORITY_MARKETING && priority != CRM_PRIORITY_SERVICE)
    return crm__err(c, CRM_EINVAL, "invalid priority %d: 0 (marketing) or "
                    "1 (service)", priority);
  rc = crm_customer_get(c, customer_id, &cust);
  if(rc)
    return rc;
  rc = crm__channel_resolve(c, customer_id, channel, &tmp, &route);
  if(rc == CRM_ENOTFOUND) {
    gate_set(out, CRM_GATE_REFUSE, "no_channel", 0, "%s", c->errmsg);
    crm__clear_err(c);
    return CRM_OK;
  }
  if(!rc)
    rc = crm__route_address(c, route, &cust, address, sizeof(address));
  if(rc)
    return rc;
  memset(&in, 0, sizeof(in));
  in.customer_id = customer_id;
  in.channel = route->name;
  in.address = address;
  in.priority = priority;
  in.at = at > 0 ? at : crm_now(c);
  return crm__gate_check(c, &in, out);
}
