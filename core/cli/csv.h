/*
 * csv.h - a streaming RFC 4180 CSV reader for the `crm` command.
 *
 * Reads one record at a time from a FILE *, so a file of any size needs
 * only memory for its longest record. Accepts LF and CRLF line endings
 * (also mixed), quoted fields with "" escapes, commas and line breaks
 * inside quotes, empty fields, a missing final line break and a UTF-8 byte
 * order mark. Blank lines are skipped.
 *
 * Errors (a field longer than the limit, too many fields, text after a
 * closing quote, an unterminated quote) are reported for one record: the
 * reader skips to the end of that record and the next call goes on with
 * the record after it, so an import can reject one row and keep the rest.
 * An unterminated quote swallows the rest of the file, as it must.
 */
#ifndef CRM_CLI_CSV_H
#define CRM_CLI_CSV_H

#include <stddef.h>
#include <stdio.h>

#define CLI_CSV_RECORD 1 /* a record is in r->fields */
#define CLI_CSV_EOF 0
#define CLI_CSV_EBAD (-1)   /* a bad record, skipped: see r->err, r->line */
#define CLI_CSV_ENOMEM (-2) /* out of memory: stop */
#define CLI_CSV_EIO (-3)    /* read error: stop */

#define CLI_CSV_FIELD_MAX_DEFAULT 65536
#define CLI_CSV_FIELDS_MAX_DEFAULT 256

typedef struct cli_csv {
  FILE *fp;
  size_t field_max;  /* longest accepted field, bytes */
  size_t fields_max; /* most fields accepted in a record */

  /* the current record: nfields NUL-terminated strings */
  char **fields;
  size_t nfields;
  long line; /* physical line (1-based) where the record starts */

  char err[160]; /* why the last record was bad */

  /* private */
  char *buf;
  size_t buf_len, buf_cap;
  size_t *offs;
  size_t offs_cap;
  long next_line; /* physical line of the next character */
  int pend[4];    /* pushed-back characters, a stack */
  int npend;
  int started;
  int at_eof;
} cli_csv;

/* Sets up a reader on fp (not closed by cli_csv_free). 0 for the limits
 * means the defaults. */
void cli_csv_init(cli_csv *r, FILE *fp, size_t field_max, size_t fields_max);
/* Reads the next record: CLI_CSV_RECORD, CLI_CSV_EOF or an error. */
int cli_csv_next(cli_csv *r);
void cli_csv_free(cli_csv *r);

/* Index of the column named name in the current record (the header), or
 * -1. Compares case-insensitively, ignoring surrounding blanks. */
int cli_csv_column(const cli_csv *r, const char *name);

#endif /* CRM_CLI_CSV_H */
