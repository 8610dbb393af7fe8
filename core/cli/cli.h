/*
 * cli.h - shared declarations of the `crm` command.
 *
 * The command calls only the public API (include/crm/crm.h). Each file
 * cmd_*.c holds one group of subcommands and exports its table entries;
 * main.c parses the global options and dispatches. Names: cli_ for the
 * command's own helpers.
 *
 * Exit codes: 0 ok, 1 user error (bad arguments or input, not found, a
 * refused plugin, a broken config), 2 internal error (store failure, out
 * of memory, ledger mismatch). Messages go to stderr as "crm: <message>".
 */
#ifndef CRM_CLI_H
#define CRM_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "crm/crm.h"
#include "out.h"

#define CLI_OK 0
#define CLI_EUSER 1
#define CLI_EINTERNAL 2

/* Global state of one run. */
typedef struct cli {
  const char *config_path; /* resolved config file, or NULL for none */
  int config_explicit;     /* given by --config or CRM_CONFIG */
  const char *store_path;  /* from --store / CRM_STORE, or NULL */
  char *plugin_dir;        /* absolute, or NULL */
  int64_t as_of;           /* 0: real time */
  int json;
  int quiet;
  crm *c; /* open store, after cli_open() */
  char store_buf[4096];
} cli;

/* One subcommand. */
typedef struct cli_cmd {
  const char *group; /* "customer", or the command itself ("init") */
  const char *name;  /* "add", or NULL for one-word commands */
  const char *summary;
  const char *usage;   /* the line(s) after "usage: " */
  const char *options; /* help text for the specific options, or NULL */
  int (*run)(cli *x, const struct cli_cmd *cmd, int argc, char **argv);
} cli_cmd;

/* The command tables of each cmd_*.c file, ended by an entry with a
 * NULL group. */
extern const cli_cmd cli_cmds_customer[];
extern const cli_cmd cli_cmds_import[];
extern const cli_cmd cli_cmds_plugins[];
extern const cli_cmd cli_cmds_misc[];
extern const cli_cmd cli_cmds_event[];
extern const cli_cmd cli_cmds_report[];
extern const cli_cmd cli_cmds_points[];
extern const cli_cmd cli_cmds_points_ops[];
extern const cli_cmd cli_cmds_rewards[];
extern const cli_cmd cli_cmds_tier[];
extern const cli_cmd cli_cmds_score[];
extern const cli_cmd cli_cmds_consent[];
extern const cli_cmd cli_cmds_prefs[];
/* Shared by cmd_consent.c and cmd_prefs.c: open the store and find the
 * customer; start the output (JSON object with the customer, or the
 * "customer #id ext (times UTC)" line); print the preferences; "HH:MM". */
int cli_consent_customer(cli *x, const char *ref, crm_customer *cu);
void cli_consent_begin(cli *x, cli_json *j, const crm_customer *cu);
int cli_prefs_show(cli *x, cli_json *j, const crm_customer *cu);
void cli_fmt_minutes(int m, char *buf, size_t size);
extern const cli_cmd cli_cmds_outbox[];
extern const cli_cmd cli_cmds_comm[];
extern const cli_cmd cli_cmds_send[];

/* ---- option parsing (getopt_long with the common options added:
 * --help, --json, --quiet, --as-of DATE) ---------------------------------- */

#define CLI_PARSE_END (-1)  /* options done: operands from p->optind */
#define CLI_PARSE_EXIT (-2) /* stop: return p->rc (help shown or error) */

#define CLI_LONGOPTS_MAX 32

typedef struct cli_parser {
  struct option lo[CLI_LONGOPTS_MAX];
  const cli_cmd *cmd;
  int argc;
  char **argv;
  int optind; /* first operand once CLI_PARSE_END was returned */
  int rc;
} cli_parser;

/* specific: the command's options (val >= 256), ended by a zero entry. */
void cli_parser_init(cli_parser *p, const cli_cmd *cmd, int argc,
                     char **argv, const struct option *specific);
/* Next specific option (its val, argument in *arg), or CLI_PARSE_END /
 * CLI_PARSE_EXIT. Common options are handled here. */
int cli_parser_next(cli *x, cli_parser *p, const char **arg);
/* Checks the operand count: min..max (max < 0: no limit). */
int cli_operands(const cli_parser *p, int min, int max);

void cli_print_usage(const cli_cmd *cmd, FILE *fp);

/* ---- errors -------------------------------------------------------------- */

/* Prints "crm: <fmt>" and returns CLI_EUSER. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "crm: <fmt>" and returns CLI_EINTERNAL. */
int cli_internal_error(const char *fmt, ...)
  __attribute__((format(printf, 1, 2)));
/* For a failed crm_* call: prints "crm: <message>" (the handle's message
 * when there is a handle) and returns the exit code for rc. */
int cli_fail(cli *x, int rc);
/* The exit code for a CRM_E* code. */
int cli_exit_code(int rc);

/* ---- store and config ------------------------------------------------------ */

/* Opens the store (flags: CRM_OPEN_*), fixes the clock for --as-of and
 * loads the config (plugins, lifecycle) when there is one. Returns an exit
 * code; on failure nothing is left open. */
int cli_open(cli *x, unsigned flags);
void cli_close(cli *x);
/* The store path that will be used and where it came from. */
int cli_store_path(cli *x, const char **path, const char **origin);

/* ---- small helpers ------------------------------------------------------------ */

/* Resolves REF (#id, id, external id, e-mail); prints and returns an exit
 * code on failure. */
int cli_resolve(cli *x, const char *ref, crm_customer *out);
/* Parses a date or time for --as-of / --at; exit code on failure. */
int cli_parse_time(const char *what, const char *text, int64_t *out);
/* Parses a non-negative integer option value. */
int cli_parse_count(const char *what, const char *text, int64_t *out);
/* A unique, time-ordered idempotency key "cli-<unix ms>-<pid>-<n>". */
void cli_make_key(char *buf, size_t size);
/* "29.33 USD"-style amount, or "-" when there is none. */
void cli_fmt_money(int64_t minor, const char *currency, char *buf,
                   size_t size);
/* A scheme amount in its unit, for text output. A unit that is an ISO
 * 4217 code (exactly 3 upper-case letters, e.g. "EUR") means minor units
 * of that currency: 2077425 -> "20774.25 EUR"; any other unit is a count:
 * "500 points". Flags: CLI_AMOUNT_SIGN shows "+" on positive amounts (a
 * change); CLI_AMOUNT_BARE leaves the unit out (a column named after it).
 * JSON output keeps the integer. */
#define CLI_AMOUNT_SIGN 1
#define CLI_AMOUNT_BARE 2
void cli_amount(char *buf, size_t size, int64_t v, const char *unit,
                int flags);
/* 1 when unit is an ISO 4217 currency code (3 upper-case letters). */
int cli_unit_is_currency(const char *unit);
/* Writes a customer's fields as members of the current JSON object. */
void cli_json_customer_fields(cli_json *j, const crm_customer *cu);

/* ---- scores and figures (score_out.c) ------------------------------------ */

/* A score line (model, name, value, label, date) and its explanation
 * lines (factor, signed contribution, detail), indented by indent. */
void cli_score_print(const crm_score *s, int indent);
/* A score as a JSON object with its "explain" array. */
void cli_score_json(cli_json *j, const crm_score *s);
/* A number for reading: an integer as an integer, else 4 decimals. sign:
 * "+" on positive values. */
void cli_fmt_number(double v, int sign, char *buf, size_t size);

/* Model figures, copied for sorting: by model, then the ungrouped ones by
 * name, then the BTYD groups (bgnbd_, gg_, pnbd_) with their parameters
 * in the order of the literature and the log-likelihood last. */
typedef struct cli_fig_row {
  char model[72];
  char name[72];
  char label[128];
  double value;
  int64_t computed_at;
  size_t group; /* index of its group; the number of groups: none */
  size_t rank;  /* parameter order within its group */
} cli_fig_row;

typedef struct cli_fig_list {
  cli_fig_row *r; /* malloc'ed: free(l->r) */
  size_t n, cap;
} cli_fig_list;

/* The figures of one model (NULL: all), sorted; a CRM code. */
int cli_figs_load(cli *x, const char *model, cli_fig_list *l);
/* Rows [from, to) of one model as text, under group headings. */
void cli_figs_print_model(const cli_fig_list *l, size_t from, size_t to);
/* "figures": {name: value, ...} in the current JSON object. */
void cli_figs_json_map(cli_json *j, const cli_fig_list *l);
/* Calls cb for each member of a flat JSON object of numbers (null comes
 * as NAN). Returns 0, cb's non-zero value, or -1 when the text is not
 * such an object. */
int cli_flat_json_each(const char *s,
                       int (*cb)(void *ud, const char *name, double v),
                       void *ud);

/* ---- loaded plugin components (cmd_plugins.c) ------------------------- */

#define CLI_COMPONENTS_MAX 64

typedef struct cli_component {
  char plugin[64];
  char name[64];
  char kind[16]; /* "scoring", "reward", "channel", "complaint" */
} cli_component;

typedef struct cli_components {
  cli_component items[CLI_COMPONENTS_MAX];
  size_t n;
} cli_components;

/* The components of the loaded plugins, from crm_plugins_foreach. */
int cli_components_load(cli *x, cli_components *list);

/* ---- loyalty schemes (cmd_points.c) ------------------------------------- */

#define CLI_SCHEMES_MAX 32

typedef struct cli_scheme_row {
  char name[65];
  char unit[33]; /* "points" when the scheme names none */
  size_t n_tiers;
} cli_scheme_row;

typedef struct cli_schemes {
  cli_scheme_row r[CLI_SCHEMES_MAX];
  size_t n;
} cli_schemes;

/* The loaded reward schemes (crm_schemes_foreach); a CRM code. */
int cli_schemes_load(cli *x, cli_schemes *l);
/* The scheme called name (NULL: the only one loaded), or NULL. */
const cli_scheme_row *cli_scheme_find(const cli_schemes *l,
                                      const char *name);
/* Its unit, "points" when the scheme is not found. */
const char *cli_scheme_unit(const cli_schemes *l, const char *name);
/* An idempotency key "cli:<16 hex digits>" for an operation run without
 * --key. */
void cli_op_key(char *buf, size_t size);
/* Due-work stats of crm_points_process_due: JSON members of the current
 * object, or indented text lines. */
void cli_due_stats_print(cli *x, cli_json *j, const crm_due_stats *st);
/* "customer": {"id", "external_id"} in the current JSON object. */
void cli_json_customer_ref(cli_json *j, const crm_customer *cu);

/* ---- the outbox (cmd_outbox.c) ------------------------------------------ */

/* "YYYY-MM-DDTHH:MM:SSZ", or "-" for 0. */
void cli_fmt_iso(int64_t t, char *buf, size_t size);
/* A message id ("7" or "#7", >= 1); exit code on failure. */
int cli_parse_msg_id(const char *text, int64_t *id);
/* "marketing" or "service". */
const char *cli_priority_name(int priority);
/* An outbox message as a JSON object (every field); cache: the last
 * customer looked up for the external id (zeroed before the first use). */
void cli_outbox_json(cli *x, cli_json *j, const crm_outbox_msg *m,
                     crm_customer *cache);

/* ---- complaint cases (cmd_case.c, cmd_case_show.c, cmd_case_ops.c,
 * cmd_case_stats.c, cmd_sla.c; the helpers below in case_out.c, the SLA
 * printing in cmd_sla.c) --------------------------------------------------- */

extern const cli_cmd cli_cmds_case[];
extern const cli_cmd cli_cmds_case_show[];
extern const cli_cmd cli_cmds_case_ops[];
extern const cli_cmd cli_cmds_case_stats[];
extern const cli_cmd cli_cmds_sla[];

/* A case copied out of crm_case_get (whose strings only last until the
 * next call), with its customer's external id. */
typedef struct cli_case {
  int64_t id, customer_id, parent_id, merged_into;
  int priority, reopen_count, resolutions;
  int64_t opened_at, updated_at, first_response_at, resolved_at, closed_at;
  char number[24];
  char customer[CRM_EXTID_MAX + 1];
  char handler[64];
  char state[32];
  char category[32];
  char summary[2001];
  char origin[33];
  char owner[65];
  char team[33];
  char link_kind[16];
  char link_ref[129];
  char triage_reason[256];
  char timezone[64]; /* the team's zone (crm_case.team_timezone, else
                      * its SLA's); "" : UTC */
  /* From crm_sla_get: has_sla 0 when no policy matches; sla_due_at the
   * soonest due time of a clock still running within its target (0:
   * none); sla_overdue 1 when a clock is past its target and not met;
   * sla_paused 1 while the clocks wait on the customer. */
  int has_sla, sla_overdue, sla_paused;
  int64_t sla_due_at;
} cli_case;

/* CASE (C-000042, c-42, 42, #42) -> id; prints "unknown case REF" and
 * returns an exit code on failure. The store must be open. */
int cli_case_ref(cli *x, const char *ref, int64_t *id);
/* Copies case id into k (and its customer's external id and team zone);
 * an exit code. */
int cli_case_load(cli *x, int64_t id, cli_case *k);
/* cli_case_ref + cli_case_load. */
int cli_case_arg(cli *x, const char *ref, cli_case *k);
/* The actor of a change: --by, else $USER, else "cli". */
const char *cli_case_actor(const char *by);
/* A priority 1..4; exit code on failure. */
int cli_case_priority(const char *text, int *out);

/* The start every case command shares: its options, its operands, the
 * store opened, the case of the first operand loaded and the op of a
 * change filled. Option values for the lo of cli_case_begin: */
#define CLI_CASE_OPT_BY 300
#define CLI_CASE_OPT_WHY 301
#define CLI_CASE_OPT_TEAM 302
#define CLI_CASE_OPT_CATEGORY 303
#define CLI_CASE_OPT_PRIORITY 304
typedef struct cli_case_cmd {
  cli_parser p;         /* p.optind: the first operand */
  const char *by, *why, *team, *category, *priority; /* NULL: not given */
  cli_case k;           /* the case of the first operand */
  crm_case_op op;       /* actor (cli_case_actor of --by) and why */
  int done;             /* 1: --help was answered, return the code */
} cli_case_cmd;
/* Parses argv (lo: options with the CLI_CASE_OPT_* values, NULL: none),
 * checks there are exactly `operands` operands and, when why_needed is
 * set, that --why is given (why_needed is then the usage message), opens
 * the store and with operands > 0 loads the case of the first operand.
 * An exit code; the command goes on when it is CLI_OK and cc->done is 0
 * (--help sets done). */
int cli_case_begin(cli *x, const cli_cmd *cmd, int argc, char **argv,
                   const struct option *lo, int operands,
                   const char *why_needed, cli_case_cmd *cc);
/* A duration in business time: "3h20m", "4h", "45m", "0m". */
void cli_fmt_dur(int64_t secs, char *buf, size_t size);
/* t in zone tz ("" or NULL: UTC; through crm_time_local, an unknown
 * zone as UTC): "Mon 28 Dec 10:00 CET" (CLI_ZONED_DAY)
 * or "2026-12-28 10:00 CET" (CLI_ZONED_FULL); "-" for 0. */
#define CLI_ZONED_DAY 0
#define CLI_ZONED_FULL 1
void cli_fmt_zoned(crm *c, int64_t t, const char *tz, int style,
                   char *buf, size_t size);
/* "Mon 28 Dec 12:00 CET", "overdue", "paused" or "-": where the SLA of
 * the case stands (crm case list). */
void cli_case_due_text(crm *c, const cli_case *k, char *buf, size_t size);
/* The case as a JSON object (times UTC) named key (NULL in an array). */
void cli_case_json(cli_json *j, const char *key, const cli_case *k);
/* The SLA of a case: text lines under indent (a "no SLA" line when none),
 * or an "sla" member (null when none) of the current JSON object. A CRM
 * code (ENOTFOUND is not an error here). */
int cli_sla_print(cli *x, cli_json *j, int64_t case_id, int indent);
/* The stored SLA steps of a case (warnings, breaches, escalations, met
 * targets, automatic close): text lines in zone tz under indent (nothing
 * when none), or a "steps" array in the current JSON object. A CRM code. */
int cli_sla_steps_print(cli *x, cli_json *j, int64_t case_id,
                        const char *tz, int indent);

#endif /* CRM_CLI_H */
