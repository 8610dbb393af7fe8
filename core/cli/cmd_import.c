/*
 * cmd_import.c - crm import customers / events FILE.csv ("-" = stdin).
 *
 * The file is streamed through the CSV reader; the header row names the
 * columns. Rows go in batches of IMPORT_BATCH, one transaction each. A bad
 * row is reported on stderr as "crm: FILE:LINE: reason", counted and
 * skipped; the rest goes in. A customer row is one crm_customer_upsert:
 * its fields and attributes go in together or not at all. Exit code: 0 if
 * every row went in, 1 if some were rejected, 2 if the store failed (the
 * current batch is rolled back).
 */
#include "cli.h"
#include "csv.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT_BATCH 1000
#define ERRORS_KEPT 100 /* rejected rows listed in the JSON summary */

struct importer {
  cli *x;
  const char *file; /* as given, for messages */
  cli_csv r;
  int ncols;
  /* customers */
  int col[6]; /* external_id, name, email, phone, timezone, birthday */
  /* events */
  int ecol[8];
  crm_attr *attrs; /* one row's attribute cells (ncols slots) */
  long added, updated, ingested, duplicates, rejected, rows;
  char *errors[ERRORS_KEPT];
  long error_lines[ERRORS_KEPT];
  size_t nerrors;
};

static const char *const cust_cols[6] = {"external_id", "name", "email",
                                         "phone", "timezone", "birthday"};
static const char *const event_cols[8] = {
  "idempotency_key", "customer", "type", "occurred_at",
  "amount", "currency", "quantity", "payload"};

static void reject(struct importer *im, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

static void reject(struct importer *im, const char *fmt, ...)
{
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  im->rejected++;
  fflush(stdout);
  fprintf(stderr, "crm: %s:%ld: %s\n", im->file, im->r.line, msg);
  if(im->nerrors < ERRORS_KEPT) {
    im->errors[im->nerrors] = strdup(msg);
    im->error_lines[im->nerrors] = im->r.line;
    if(im->errors[im->nerrors])
      im->nerrors++;
  }
}

/* A store failure stops the import; anything else rejects the row. */
static int row_failed(struct importer *im, int rc)
{
  if(cli_exit_code(rc) == CLI_EINTERNAL)
    return -cli_fail(im->x, rc);
  reject(im, "%s", crm_errmsg(im->x->c));
  return 0;
}

static const char *cell(const struct importer *im, int col)
{
  const char *v;
  if(col < 0)
    return NULL;
  v = im->r.fields[col];
  return *v ? v : NULL;
}

/* ---- customers ---------------------------------------------------------- */

static int customers_header(struct importer *im)
{
  int i;
  for(i = 0; i < 6; i++)
    im->col[i] = cli_csv_column(&im->r, cust_cols[i]);
  if(im->col[0] < 0)
    return cli_usage_error("%s: the header has no external_id column",
                           im->file);
  for(i = 0; i < im->ncols; i++)
    if(strlen(im->r.fields[i]) > CRM_ATTR_KEY_MAX || !im->r.fields[i][0])
      return cli_usage_error("%s: bad column name '%s' in the header",
                             im->file, im->r.fields[i]);
  return CLI_OK;
}

static int is_known_col(const struct importer *im, int i)
{
  int k;
  for(k = 0; k < 6; k++)
    if(im->col[k] == i)
      return 1;
  return 0;
}

/* Attribute columns: checked first, so that a row goes in whole or not. */
static int check_attrs(struct importer *im)
{
  int i;
  for(i = 0; i < im->ncols; i++)
    if(!is_known_col(im, i) && strlen(im->r.fields[i]) > CRM_ATTR_VALUE_MAX) {
      reject(im, "value of %s longer than %d bytes", im->r.fields[i],
             CRM_ATTR_VALUE_MAX);
      return 1;
    }
  return 0;
}

static int customer_row(struct importer *im, char **header)
{
  crm_customer_fields f;
  size_t n = 0;
  int rc, i, added = 0;

  memset(&f, 0, sizeof(f));
  f.external_id = cell(im, im->col[0]);
  f.name = cell(im, im->col[1]);
  f.email = cell(im, im->col[2]);
  f.phone = cell(im, im->col[3]);
  f.timezone = cell(im, im->col[4]);
  f.birthday = cell(im, im->col[5]);
  if(!f.external_id) {
    reject(im, "external_id is empty");
    return 0;
  }
  if(check_attrs(im))
    return 0;
  if(!im->attrs)
    im->attrs = calloc(im->r.nfields, sizeof(*im->attrs)); /* = ncols */
  if(!im->attrs)
    return -cli_internal_error("out of memory");
  for(i = 0; i < im->ncols; i++)
    if(!is_known_col(im, i) && im->r.fields[i][0]) {
      im->attrs[n].key = header[i];
      im->attrs[n].value = im->r.fields[i];
      n++;
    }
  /* adds, or updates by external id; all or nothing */
  rc = crm_customer_upsert(im->x->c, &f, im->attrs, n, NULL, &added);
  if(rc)
    return row_failed(im, rc);
  if(added)
    im->added++;
  else
    im->updated++;
  return 0;
}

/* ---- events ------------------------------------------------------------ */

static int events_header(struct importer *im)
{
  int i;
  for(i = 0; i < 8; i++)
    im->ecol[i] = cli_csv_column(&im->r, event_cols[i]);
  for(i = 0; i < 3; i++)
    if(im->ecol[i] < 0)
      return cli_usage_error("%s: the header has no %s column", im->file,
                             event_cols[i]);
  return CLI_OK;
}

static int event_row(struct importer *im, char **header)
{
  crm_event ev;
  crm_ingest_result res;
  const char *amount = cell(im, im->ecol[4]);
  const char *at = cell(im, im->ecol[3]);
  const char *qty = cell(im, im->ecol[6]);
  int rc;
  (void)header;

  memset(&ev, 0, sizeof(ev));
  ev.idempotency_key = cell(im, im->ecol[0]);
  ev.customer_ref = cell(im, im->ecol[1]);
  ev.type = cell(im, im->ecol[2]);
  ev.currency = cell(im, im->ecol[5]);
  ev.payload = cell(im, im->ecol[7]);
  if(!ev.idempotency_key || !ev.customer_ref || !ev.type) {
    reject(im, "idempotency_key, customer and type must not be empty");
    return 0;
  }
  if(amount && !ev.currency) {
    reject(im, "amount %s without a currency", amount);
    return 0;
  }
  if(amount && crm_money_parse(amount, ev.currency, &ev.amount)) {
    reject(im, "bad amount '%s' for %s", amount, ev.currency);
    return 0;
  }
  if(at && crm_time_parse(at, &ev.occurred_at)) {
    reject(im, "bad occurred_at '%s'", at);
    return 0;
  }
  if(qty) {
    char *end;
    errno = 0;
    ev.quantity = strtoll(qty, &end, 10);
    if(errno || *end || ev.quantity < 0) {
      reject(im, "bad quantity '%s'", qty);
      return 0;
    }
  }
  memset(&res, 0, sizeof(res));
  rc = crm_event_ingest(im->x->c, &ev, &res);
  if(rc)
    return row_failed(im, rc);
  if(res.duplicate)
    im->duplicates++;
  else
    im->ingested++;
  return 0;
}

/* ---- the driver ------------------------------------------------------------ */

typedef int (*row_fn)(struct importer *, char **header);

static char **copy_header(const cli_csv *r)
{
  char **h = calloc(r->nfields + 1, sizeof(char *));
  size_t i;
  for(i = 0; h && i < r->nfields; i++) {
    h[i] = strdup(r->fields[i]);
    if(!h[i]) {
      while(i > 0)
        free(h[--i]);
      free(h);
      return NULL;
    }
  }
  return h;
}

static void free_header(char **h)
{
  size_t i;
  for(i = 0; h && h[i]; i++)
    free(h[i]);
  free(h);
}

/* Streams the data rows through fn in batches. Returns an exit code. */
static int import_rows(struct importer *im, char **header, row_fn fn)
{
  crm *c = im->x->c;
  int rc = crm_begin(c), in_batch = 0, csv;
  if(rc)
    return cli_fail(im->x, rc);
  for(csv = cli_csv_next(&im->r); csv != CLI_CSV_EOF;
      csv = cli_csv_next(&im->r)) {
    if(csv == CLI_CSV_ENOMEM || csv == CLI_CSV_EIO) {
      crm_rollback(c);
      return cli_internal_error("%s: %s", im->file, csv == CLI_CSV_EIO
                                ? "read error" : "out of memory");
    }
    im->rows++;
    if(csv == CLI_CSV_EBAD)
      reject(im, "%s", im->r.err);
    else if((int)im->r.nfields != im->ncols)
      reject(im, "%zu fields, the header has %d", im->r.nfields, im->ncols);
    else {
      rc = fn(im, header);
      if(rc < 0) {
        crm_rollback(c);
        return -rc;
      }
    }
    in_batch++;
    if(in_batch == IMPORT_BATCH) {
      in_batch = 0;
      rc = crm_commit(c);
      if(!rc)
        rc = crm_begin(c);
      if(rc)
        return cli_fail(im->x, rc);
    }
  }
  rc = crm_commit(c);
  return rc ? cli_fail(im->x, rc) : CLI_OK;
}

static void summary(struct importer *im, int events)
{
  size_t i;
  if(im->x->json) {
    cli_json j;
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_str(&j, "file", im->file);
    cli_json_int(&j, "rows", im->rows);
    if(events) {
      cli_json_int(&j, "ingested", im->ingested);
      cli_json_int(&j, "duplicates", im->duplicates);
    }
    else {
      cli_json_int(&j, "added", im->added);
      cli_json_int(&j, "updated", im->updated);
    }
    cli_json_int(&j, "rejected", im->rejected);
    cli_json_begin_array(&j, "errors");
    for(i = 0; i < im->nerrors; i++) {
      cli_json_begin_object(&j, NULL);
      cli_json_int(&j, "line", im->error_lines[i]);
      cli_json_str(&j, "error", im->errors[i]);
      cli_json_end(&j);
    }
    cli_json_finish(&j);
    return;
  }
  if(im->x->quiet)
    return;
  if(events)
    printf("%s: %ld ingested, %ld duplicates, %ld rejected\n", im->file,
           im->ingested, im->duplicates, im->rejected);
  else
    printf("%s: %ld added, %ld updated, %ld rejected\n", im->file,
           im->added, im->updated, im->rejected);
}

static int run_import(cli *x, const cli_cmd *cmd, int argc, char **argv,
                      int events)
{
  cli_parser p;
  struct importer im;
  const char *arg;
  char **header = NULL;
  FILE *fp;
  size_t i;
  int rc, csv;

  cli_parser_init(&p, cmd, argc, argv, NULL);
  if(cli_parser_next(x, &p, &arg) != CLI_PARSE_END)
    return p.rc;
  rc = cli_operands(&p, 1, 1);
  if(rc)
    return rc;
  memset(&im, 0, sizeof(im));
  im.x = x;
  im.file = argv[p.optind];
  fp = strcmp(im.file, "-") ? fopen(im.file, "r") : stdin;
  if(!fp)
    return cli_usage_error("cannot open %s: %s", im.file, strerror(errno));
  if(fp == stdin)
    im.file = "<stdin>";
  cli_csv_init(&im.r, fp, CRM_PAYLOAD_MAX, 0);
  csv = cli_csv_next(&im.r);
  if(csv != CLI_CSV_RECORD)
    rc = cli_usage_error("%s: no header row%s%s", im.file,
                         csv == CLI_CSV_EBAD ? ": " : "", im.r.err);
  else {
    im.ncols = (int)im.r.nfields;
    rc = events ? events_header(&im) : customers_header(&im);
  }
  if(!rc) {
    header = copy_header(&im.r);
    if(!header)
      rc = cli_internal_error("out of memory");
  }
  if(!rc)
    rc = cli_open(x, 0);
  if(!rc)
    rc = import_rows(&im, header, events ? event_row : customer_row);
  if(rc != CLI_EINTERNAL && (rc == CLI_OK || im.rows))
    summary(&im, events);
  if(!rc && im.rejected)
    rc = CLI_EUSER;
  for(i = 0; i < im.nerrors; i++)
    free(im.errors[i]);
  free(im.attrs);
  free_header(header);
  cli_csv_free(&im.r);
  if(fp != stdin)
    fclose(fp);
  return rc;
}

static int run_import_customers(cli *x, const cli_cmd *cmd, int argc,
                                char **argv)
{
  return run_import(x, cmd, argc, argv, 0);
}

static int run_import_events(cli *x, const cli_cmd *cmd, int argc,
                             char **argv)
{
  return run_import(x, cmd, argc, argv, 1);
}

const cli_cmd cli_cmds_import[] = {
  {"import", "customers", "add or update customers from a CSV file",
   "crm import customers FILE.csv   (- reads standard input)",
   "  columns (header row): external_id (required), name, email, phone,\n"
   "  timezone, birthday; any other column is a custom attribute. An\n"
   "  existing external_id is updated; empty cells leave a field as it is.\n"
   "  A row goes in whole (fields and attributes) or not at all. Bad rows\n"
   "  are reported with their line number and skipped; the exit code is 1\n"
   "  if any row was rejected.\n",
   run_import_customers},
  {"import", "events", "ingest events from a CSV file (idempotent)",
   "crm import events FILE.csv   (- reads standard input)",
   "  columns (header row): idempotency_key, customer (external id, e-mail\n"
   "  or #id), type (required); occurred_at, amount (major units, 29.33),\n"
   "  currency, quantity, payload (JSON). A key seen before is counted as\n"
   "  a duplicate and not applied again. Bad rows are reported with their\n"
   "  line number and skipped; the exit code is 1 if any was rejected.\n",
   run_import_events},
  {NULL, NULL, NULL, NULL, NULL, NULL},
};
