/*
 * out.h - output helpers for the `crm` command: a streaming JSON writer
 * (always valid JSON: strings escaped, invalid UTF-8 replaced by U+FFFD,
 * non-finite numbers written as null) and a text table that sizes its
 * columns to the widest cell.
 */
#ifndef CRM_CLI_OUT_H
#define CRM_CLI_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- JSON -------------------------------------------------------------- */

#define CLI_JSON_DEPTH_MAX 16

typedef struct cli_json {
  FILE *fp;
  int depth;
  int count[CLI_JSON_DEPTH_MAX]; /* members written at each level */
  char close[CLI_JSON_DEPTH_MAX]; /* '}' or ']' for each open level */
} cli_json;

void cli_json_init(cli_json *j, FILE *fp);
/* key is the member name inside an object, NULL inside an array or at the
 * top level. */
void cli_json_begin_object(cli_json *j, const char *key);
void cli_json_begin_array(cli_json *j, const char *key);
void cli_json_end(cli_json *j); /* closes the innermost object or array */
void cli_json_str(cli_json *j, const char *key, const char *val); /* NULL: null */
void cli_json_int(cli_json *j, const char *key, int64_t val);
void cli_json_num(cli_json *j, const char *key, double val);
void cli_json_bool(cli_json *j, const char *key, int val);
void cli_json_null(cli_json *j, const char *key);
/* A time as "YYYY-MM-DDTHH:MM:SSZ", or null for 0. */
void cli_json_time(cli_json *j, const char *key, int64_t t);
/* Ends the document with a newline. */
void cli_json_finish(cli_json *j);

/* Writes s as a JSON string literal (with the quotes). */
void cli_json_write_string(FILE *fp, const char *s);

/* ---- text tables ----------------------------------------------------- */

typedef struct cli_table {
  size_t ncols;
  char **cells; /* nrows x ncols, row 0 is the header */
  size_t nrows, cap;
  int right[16]; /* right-align a column (numbers) */
  int oom;
} cli_table;

/* Up to 16 columns; the header cells are given as a NULL-terminated list. */
int cli_table_init(cli_table *t, const char *const *headers);
void cli_table_align_right(cli_table *t, size_t col);
/* Adds a row of ncols cells (NULL = empty). */
int cli_table_add(cli_table *t, const char *const *cells);
/* Prints with two spaces between columns and an indent of `indent`. */
void cli_table_print(const cli_table *t, FILE *fp, int indent);
void cli_table_free(cli_table *t);

/* Display width of UTF-8 text (code points; good enough for names). */
size_t cli_text_width(const char *s);

/* ---- small formatters ---------------------------------------------------- */

/* "YYYY-MM-DD HH:MM" (UTC) or "-" for 0. */
void cli_fmt_time(int64_t t, char *buf, size_t size);
/* "YYYY-MM-DD" or "-" for 0. */
void cli_fmt_date(int64_t t, char *buf, size_t size);

#endif /* CRM_CLI_OUT_H */
