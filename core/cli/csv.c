/*
 * csv.c - streaming RFC 4180 CSV reader (see csv.h).
 *
 * One record is parsed character by character into a single byte buffer
 * holding its fields NUL-terminated; offsets are turned into pointers once
 * the record is complete (the buffer may move while it grows).
 */
#include "csv.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What ended a field. */
#define END_FIELD 1  /* a comma: another field follows */
#define END_RECORD 2 /* a line break */
#define END_FILE 3   /* end of input */

void cli_csv_init(cli_csv *r, FILE *fp, size_t field_max, size_t fields_max)
{
  memset(r, 0, sizeof(*r));
  r->fp = fp;
  r->field_max = field_max ? field_max : CLI_CSV_FIELD_MAX_DEFAULT;
  r->fields_max = fields_max ? fields_max : CLI_CSV_FIELDS_MAX_DEFAULT;
  r->next_line = 1;
}

void cli_csv_free(cli_csv *r)
{
  free(r->buf);
  free(r->offs);
  free(r->fields);
  r->buf = NULL;
  r->offs = NULL;
  r->fields = NULL;
  r->nfields = 0;
}

static int getch(cli_csv *r)
{
  int ch;
  if(r->npend)
    ch = r->pend[--r->npend];
  else
    ch = getc(r->fp);
  if(ch == '\n')
    r->next_line++;
  return ch;
}

/* Pushes a character back (at most 4 at a time). */
static void ungetch(cli_csv *r, int ch)
{
  if(ch == EOF || r->npend >= 4)
    return;
  if(ch == '\n')
    r->next_line--;
  r->pend[r->npend++] = ch;
}

/* After a CR: swallow the LF of a CRLF pair; a lone CR also ends a line. */
static void eat_lf(cli_csv *r)
{
  int ch = getch(r);
  if(ch != '\n')
    ungetch(r, ch);
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
  size_t ncap;
  void *np;
  if(need <= *cap)
    return 0;
  ncap = *cap ? *cap : 64;
  while(ncap < need)
    ncap *= 2;
  np = realloc(*p, ncap * elem);
  if(!np)
    return -1;
  *p = np;
  *cap = ncap;
  return 0;
}

static int put_byte(cli_csv *r, int ch)
{
  if(grow((void **)&r->buf, &r->buf_cap, r->buf_len + 1, 1))
    return CLI_CSV_ENOMEM;
  r->buf[r->buf_len++] = (char)ch;
  return 0;
}

/* Parse state of the record being read. */
struct rec {
  size_t field_start; /* buf offset of the current field */
  int bad;            /* an error was found: keep reading, store nothing */
};

static void set_bad(cli_csv *r, struct rec *st, const char *msg)
{
  if(st->bad)
    return;
  st->bad = 1;
  snprintf(r->err, sizeof(r->err), "%s", msg);
}

/* Appends one byte of field data, checking the field length limit. */
static int field_byte(cli_csv *r, struct rec *st, int ch)
{
  if(st->bad)
    return 0;
  if(r->buf_len - st->field_start >= r->field_max) {
    char msg[96];
    snprintf(msg, sizeof(msg), "field %zu longer than %zu bytes",
             r->nfields + 1, r->field_max);
    set_bad(r, st, msg);
    return 0;
  }
  return put_byte(r, ch);
}

/* Reads an unquoted field (or the rest of one after a quote error). */
static int read_plain(cli_csv *r, struct rec *st, int ch, int *end)
{
  for(;; ch = getch(r)) {
    int rc;
    if(ch == EOF) {
      *end = END_FILE;
      return 0;
    }
    if(ch == ',') {
      *end = END_FIELD;
      return 0;
    }
    if(ch == '\n') {
      *end = END_RECORD;
      return 0;
    }
    if(ch == '\r') {
      eat_lf(r);
      *end = END_RECORD;
      return 0;
    }
    rc = field_byte(r, st, ch);
    if(rc)
      return rc;
  }
}

/* Reads a quoted field; the opening quote was consumed. */
static int read_quoted(cli_csv *r, struct rec *st, int *end)
{
  for(;;) {
    int rc;
    int ch = getch(r);
    if(ch == EOF) {
      set_bad(r, st, "unterminated quoted field");
      *end = END_FILE;
      return 0;
    }
    if(ch == '"') {
      ch = getch(r);
      if(ch != '"') {
        if(ch == EOF || ch == ',' || ch == '\n' || ch == '\r')
          return read_plain(r, st, ch, end);
        set_bad(r, st, "unexpected text after a closing quote");
        return read_plain(r, st, ch, end);
      }
    }
    rc = field_byte(r, st, ch);
    if(rc)
      return rc;
  }
}

/* Ends the current field: NUL-terminates it and records its offset. */
static int finish_field(cli_csv *r, struct rec *st)
{
  if(st->bad)
    return 0;
  if(r->nfields >= r->fields_max) {
    char msg[64];
    snprintf(msg, sizeof(msg), "more than %zu fields", r->fields_max);
    set_bad(r, st, msg);
    return 0;
  }
  if(grow((void **)&r->offs, &r->offs_cap, r->nfields + 1, sizeof(size_t)))
    return CLI_CSV_ENOMEM;
  if(put_byte(r, '\0'))
    return CLI_CSV_ENOMEM;
  r->offs[r->nfields++] = st->field_start;
  st->field_start = r->buf_len;
  return 0;
}

/* Turns the offsets of the finished record into r->fields pointers. */
static int publish(cli_csv *r)
{
  size_t i;
  size_t cap = 0;
  if(r->fields) {
    free(r->fields);
    r->fields = NULL;
  }
  if(grow((void **)&r->fields, &cap, r->nfields + 1, sizeof(char *)))
    return CLI_CSV_ENOMEM;
  for(i = 0; i < r->nfields; i++)
    r->fields[i] = r->buf + r->offs[i];
  r->fields[r->nfields] = NULL;
  return CLI_CSV_RECORD;
}

/* Skips a UTF-8 byte order mark at the very start of the input. */
static void skip_bom(cli_csv *r)
{
  int a = getch(r);
  int b, c;
  if(a != 0xEF) {
    ungetch(r, a);
    return;
  }
  b = getch(r);
  c = b == 0xBB ? getch(r) : EOF;
  if(b == 0xBB && c == 0xBF)
    return;
  /* not a BOM: give the bytes back, last read first out last */
  ungetch(r, c);
  ungetch(r, b);
  ungetch(r, a);
}

/* Skips blank lines; returns the first character of the record or EOF. */
static int skip_blank_lines(cli_csv *r)
{
  for(;;) {
    int ch = getch(r);
    if(ch == '\n')
      continue;
    if(ch == '\r') {
      eat_lf(r);
      continue;
    }
    return ch;
  }
}

int cli_csv_next(cli_csv *r)
{
  struct rec st;
  int ch, end, rc;

  r->nfields = 0;
  r->buf_len = 0;
  r->err[0] = '\0';
  if(r->at_eof)
    return CLI_CSV_EOF;
  if(!r->started) {
    r->started = 1;
    skip_bom(r);
  }
  ch = skip_blank_lines(r);
  r->line = r->next_line;
  if(ch == EOF) {
    r->at_eof = 1;
    return ferror(r->fp) ? CLI_CSV_EIO : CLI_CSV_EOF;
  }
  memset(&st, 0, sizeof(st));
  do {
    if(ch == '"')
      rc = read_quoted(r, &st, &end);
    else
      rc = read_plain(r, &st, ch, &end);
    if(!rc)
      rc = finish_field(r, &st);
    if(rc)
      return rc;
    if(end == END_FIELD)
      ch = getch(r);
  } while(end == END_FIELD);
  if(end == END_FILE) {
    r->at_eof = 1;
    if(ferror(r->fp))
      return CLI_CSV_EIO;
  }
  if(st.bad) {
    r->nfields = 0;
    return CLI_CSV_EBAD;
  }
  return publish(r);
}

int cli_csv_column(const cli_csv *r, const char *name)
{
  size_t i, n = strlen(name);
  for(i = 0; i < r->nfields; i++) {
    const char *f = r->fields[i];
    size_t len;
    while(*f == ' ' || *f == '\t')
      f++;
    len = strlen(f);
    while(len && (f[len - 1] == ' ' || f[len - 1] == '\t'))
      len--;
    if(len == n && !strncasecmp(f, name, n))
      return (int)i;
  }
  return -1;
}
