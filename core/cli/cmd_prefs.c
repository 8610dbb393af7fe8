/*
 * cmd_prefs.c - crm prefs set, and how a customer's contact preferences
 * (preferred channel, language, quiet hours, a pause) are printed, here
 * and by crm consent show (cmd_consent.c).
 */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define OPT_SOURCE 256
#define OPT_CHANNEL 262
#define OPT_NO_CHANNEL 263
#define OPT_LANGUAGE 264
#define OPT_NO_LANGUAGE 265
#define OPT_QUIET_HOURS 266
#define OPT_NO_QUIET 267
#define OPT_PAUSE 268
#define OPT_NO_PAUSE 269

#define CUSTOMER_HELP "  CUSTOMER           #id, id, external id or e-mail\n"

void cli_fmt_minutes(int m, char *buf, size_t size)
{
  snprintf(buf, size, "%02d:%02d", m / 60, m % 60);
}

/* ---- printing preferences ------------------------------------------------ */


static void prefs_json(cli_json *j, const crm_contact_prefs *p)
{
  char a[16], b[16];
  cli_json_begin_object(j, "preferences");
  cli_json_str(j, "channel", p->preferred_channel);
  cli_json_str(j, "language", p->language);
  if(p->quiet_start >= 0) {
    cli_fmt_minutes(p->quiet_start, a, sizeof(a));
    cli_fmt_minutes(p->quiet_end, b, sizeof(b));
    cli_json_begin_object(j, "quiet");
    cli_json_str(j, "start", a);
    cli_json_str(j, "end", b);
    cli_json_int(j, "start_minute", p->quiet_start);
    cli_json_int(j, "end_minute", p->quiet_end);
    cli_json_end(j);
  }
  else
    cli_json_null(j, "quiet");
  if(p->pause_from || p->pause_until) {
    cli_json_begin_object(j, "pause");
    cli_json_time(j, "from", p->pause_from);
    cli_json_time(j, "until", p->pause_until);
    cli_json_end(j);
  }
  else
    cli_json_null(j, "pause");
  cli_json_end(j);
}

static void prefs_text(const crm_contact_prefs *p)
{
  char a[32], b[32];
  printf("preferences:\n");
  printf("  channel   %s\n",
         p->preferred_channel ? p->preferred_channel : "none");
  printf("  language  %s\n", p->language ? p->language : "none");
  if(p->quiet_start >= 0) {
    cli_fmt_minutes(p->quiet_start, a, sizeof(a));
    cli_fmt_minutes(p->quiet_end, b, sizeof(b));
    printf("  quiet     %s-%s (the customer's local time)\n", a, b);
  }
  else
    printf("  quiet     none of their own (communication.quiet_hours "
           "applies)\n");
  if(p->pause_from || p->pause_until) {
    cli_fmt_time(p->pause_from, a, sizeof(a));
    cli_fmt_time(p->pause_until, b, sizeof(b));
    printf("  pause     %s until %s\n", a, b);
  }
  else
    printf("  pause     none\n");
}

int cli_prefs_show(cli *x, cli_json *j, const crm_customer *cu)
{
  crm_contact_prefs p;
  int rc;
  memset(&p, 0, sizeof(p));
  rc = crm_prefs_get(x->c, cu->id, &p);
  if(rc)
    return rc;
  if(j)
    prefs_json(j, &p);
  else
    prefs_text(&p);
  return 0;
}

/* ---- crm prefs set ------------------------------------------------------- */

/* "HH:MM" (or "H:MM") as minutes after midnight; -1 when malformed. */
static int parse_hhmm(const char *s, size_t len)
{
  int h = 0, m, i, nh;
  for(nh = 0; nh < (int)len && s[nh] != ':'; nh++) {
    if(s[nh] < '0' || s[nh] > '9' || nh >= 2)
      return -1;
    h = h * 10 + (s[nh] - '0');
  }
  if(!nh || len != (size_t)nh + 3)
    return -1;
  m = 0;
  for(i = nh + 1; i < nh + 3; i++) {
    if(s[i] < '0' || s[i] > '9')
      return -1;
    m = m * 10 + (s[i] - '0');
  }
  if(h > 23 || m > 59)
    return -1;
  return h * 60 + m;
}

static int parse_quiet(const char *text, crm_contact_prefs *pr)
{
  const char *dash = strchr(text, '-');
  if(dash) {
    pr->quiet_start = parse_hhmm(text, (size_t)(dash - text));
    pr->quiet_end = parse_hhmm(dash + 1, strlen(dash + 1));
  }
  if(!dash || pr->quiet_start < 0 || pr->quiet_end < 0)
    return cli_usage_error("--quiet: expected HH:MM-HH:MM (e.g. "
                           "22:00-07:00), not '%s'", text);
  return CLI_OK;
}

static int parse_pause(const char *text, crm_contact_prefs *pr)
{
  const char *dots = strstr(text, "..");
  char from[64];
  size_t n = dots ? (size_t)(dots - text) : 0;
  if(!n || n >= sizeof(from))
    return cli_usage_error("--pause: expected FROM..UNTIL (e.g. "
                           "2026-07-01..2026-08-01), not '%s'", text);
  memcpy(from, text, n);
  from[n] = '\0';
  if(cli_parse_time("--pause", from, &pr->pause_from))
    return CLI_EUSER;
  return cli_parse_time("--pause", dots + 2, &pr->pause_until);
}

/* What the options change; applied over the stored preferences. */
struct prefs_change {
  const char *channel, *language, *quiet, *pause, *source;
  int no_channel, no_language, no_quiet, no_pause;
};

static int prefs_apply(const struct prefs_change *ch, crm_contact_prefs *pr)
{
  int rc = CLI_OK;
  if(ch->no_channel)
    pr->preferred_channel = NULL;
  else if(ch->channel)
    pr->preferred_channel = ch->channel;
  if(ch->no_language)
    pr->language = NULL;
  else if(ch->language)
    pr->language = ch->language;
  if(ch->no_quiet) {
    pr->quiet_start = -1;
    pr->quiet_end = -1;
  }
  else if(ch->quiet)
    rc = parse_quiet(ch->quiet, pr);
  if(rc)
    return rc;
  if(ch->no_pause) {
    pr->pause_from = 0;
    pr->pause_until = 0;
  }
  else if(ch->pause)
    rc = parse_pause(ch->pause, pr);
  return rc;
}

static int prefs_conflicts(const struct prefs_change *ch)
{
  if(ch->channel && ch->no_channel)
    return cli_usage_error("prefs set: --channel and --no-channel conflict");
  if(ch->language && ch->no_language)
    return cli_usage_error("prefs set: --language and --no-language "
                           "conflict");
  if(ch->quiet && ch->no_quiet)
    return cli_usage_error("prefs set: --quiet and --no-quiet conflict");
  if(ch->pause && ch->no_pause)
    return cli_usage_error("prefs set: --pause and --no-pause conflict");
  if(!ch->source)
    return cli_usage_error("prefs set: --source is required (where the "
                           "customer said it)");
  return CLI_OK;
}

static void prefs_option(struct prefs_change *ch, int opt, const char *arg)
{
  switch(opt) {
  case OPT_CHANNEL: ch->channel = arg; break;
  case OPT_NO_CHANNEL: ch->no_channel = 1; break;
  case OPT_LANGUAGE: ch->language = arg; break;
  case OPT_NO_LANGUAGE: ch->no_language = 1; break;
  case OPT_QUIET_HOURS: ch->quiet = arg; break;
  case OPT_NO_QUIET: ch->no_quiet = 1; break;
  case OPT_PAUSE: ch->pause = arg; break;
  case OPT_NO_PAUSE: ch->no_pause = 1; break;
  case OPT_SOURCE: ch->source = arg; break;
  default: break;
  }
}

/* Reads the stored preferences, copying their strings (valid only until
 * the next call on the handle), applies the change and writes them. */
static int prefs_update(cli *x, const crm_customer *cu,
                        const struct prefs_change *ch)
{
  crm_contact_prefs pr;
  char chan[64], lang[64];
  int rc;
  memset(&pr, 0, sizeof(pr));
  rc = crm_prefs_get(x->c, cu->id, &pr);
  if(rc)
    return cli_fail(x, rc);
  if(pr.preferred_channel) {
    snprintf(chan, sizeof(chan), "%s", pr.preferred_channel);
    pr.preferred_channel = chan;
  }
  if(pr.language) {
    snprintf(lang, sizeof(lang), "%s", pr.language);
    pr.language = lang;
  }
  rc = prefs_apply(ch, &pr);
  if(rc)
    return rc;
  rc = crm_prefs_set(x->c, cu->id, &pr, ch->source);
  return rc ? cli_fail(x, rc) : CLI_OK;
}

static int run_prefs_set(cli *x, const cli_cmd *cmd, int argc, char **argv)
{
  /* --quiet here takes the quiet hours: the common --quiet (errors only)
   * is still available before the command (crm --quiet prefs set) */
  static const struct option lo[] = {
    {"channel", required_argument, NULL, OPT_CHANNEL},
    {"no-channel", no_argument, NULL, OPT_NO_CHANNEL},
    {"language", required_argument, NULL, OPT_LANGUAGE},
    {"no-language", no_argument, NULL, OPT_NO_LANGUAGE},
    {"quiet", required_argument, NULL, OPT_QUIET_HOURS},
    {"no-quiet", no_argument, NULL, OPT_NO_QUIET},
    {"pause", required_argument, NULL, OPT_PAUSE},
    {"no-pause", no_argument, NULL, OPT_NO_PAUSE},
    {"source", required_argument, NULL, OPT_SOURCE},
    {NULL, 0, NULL, 0},
  };
  struct prefs_change ch;
  cli_parser p;
  const char *arg;
  crm_customer cu;
  cli_json j;
  int opt, rc;

  memset(&ch, 0, sizeof(ch));
  cli_parser_init(&p, cmd, argc, argv, lo);
  for(opt = cli_parser_next(x, &p, &arg); opt >= 0;
      opt = cli_parser_next(x, &p, &arg))
    prefs_option(&ch, opt, arg);
  if(opt == CLI_PARSE_EXIT)
    return p.rc;
  rc = cli_operands(&p, 1, 1);
  if(!rc)
    rc = prefs_conflicts(&ch);
  if(!rc)
    rc = cli_consent_customer(x, argv[p.optind], &cu);
  if(!rc)
    rc = prefs_update(x, &cu, &ch);
  if(rc || (x->quiet && !x->json))
    return rc;
  cli_consent_begin(x, &j, &cu);
  rc = cli_prefs_show(x, x->json ? &j : NULL, &cu);
  if(x->json)
    cli_json_finish(&j);
  return rc ? cli_fail(x, rc) : CLI_OK;
}

const cli_cmd cli_cmds_prefs[] = {
  {"prefs", "set", "change a customer's contact preferences",
   "crm prefs set CUSTOMER [--channel C] [--language L]\n"
   "       [--quiet HH:MM-HH:MM|--no-quiet] [--pause FROM..UNTIL|--no-pause]\n"
   "       --source TEXT",
   CUSTOMER_HELP
   "  --channel C        preferred channel (--no-channel: none)\n"
   "  --language L       language, a BCP 47 tag such as en or fr-CA\n"
   "                     (--no-language: none)\n"
   "  --quiet HH:MM-HH:MM  quiet hours in the customer's local time; may\n"
   "                     cross midnight (22:00-07:00); --no-quiet: none.\n"
   "                     (For \"errors only\" use crm --quiet prefs set.)\n"
   "  --pause FROM..UNTIL  no contact from FROM until UNTIL (exclusive),\n"
   "                     dates or times UTC; --no-pause: none\n"
   "  --source TEXT      where the customer said it (required)\n"
   "  Options not given keep their stored values. Prints the preferences.\n",
   run_prefs_set},
  {NULL, NULL, NULL, NULL, NULL, NULL},
};
