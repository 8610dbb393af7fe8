/*
 * out.c - JSON writer and text tables for the `crm` command (see out.h).
 */
#include "out.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- JSON -------------------------------------------------------------- */

void cli_json_init(cli_json *j, FILE *fp)
{
  memset(j, 0, sizeof(*j));
  j->fp = fp;
}

/* Length of the valid UTF-8 sequence at s, or 0 if it is not valid. */
static size_t utf8_seq(const unsigned char *s)
{
  size_t n, i;
  uint32_t cp;
  if(s[0] < 0x80)
    return 1;
  if(s[0] >= 0xC2 && s[0] <= 0xDF) {
    n = 2;
    cp = s[0] & 0x1F;
  }
  else if(s[0] >= 0xE0 && s[0] <= 0xEF) {
    n = 3;
    cp = s[0] & 0x0F;
  }
  else if(s[0] >= 0xF0 && s[0] <= 0xF4) {
    n = 4;
    cp = s[0] & 0x07;
  }
  else
    return 0;
  for(i = 1; i < n; i++) {
    if((s[i] & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return 0; /* overlong or out of range */
  if(cp >= 0xD800 && cp <= 0xDFFF)
    return 0; /* surrogates are not characters */
  return n;
}

void cli_json_write_string(FILE *fp, const char *str)
{
  const unsigned char *s = (const unsigned char *)str;
  putc('"', fp);
  while(*s) {
    size_t n;
    unsigned char ch = *s;
    switch(ch) {
    case '"': fputs("\\\"", fp); s++; continue;
    case '\\': fputs("\\\\", fp); s++; continue;
    case '\n': fputs("\\n", fp); s++; continue;
    case '\r': fputs("\\r", fp); s++; continue;
    case '\t': fputs("\\t", fp); s++; continue;
    case '\b': fputs("\\b", fp); s++; continue;
    case '\f': fputs("\\f", fp); s++; continue;
    default: break;
    }
    if(ch < 0x20 || ch == 0x7F) {
      fprintf(fp, "\\u%04x", ch);
      s++;
      continue;
    }
    n = utf8_seq(s);
    if(!n) {
      fputs("\\ufffd", fp);
      s++;
      continue;
    }
    fwrite(s, 1, n, fp);
    s += n;
  }
  putc('"', fp);
}

/* Writes the separator, indentation and key before a value. */
static void member(cli_json *j, const char *key)
{
  int d = j->depth;
  if(d > 0) {
    if(j->count[d - 1] > 0)
      putc(',', j->fp);
    putc('\n', j->fp);
    fprintf(j->fp, "%*s", d * 2, "");
    j->count[d - 1]++;
  }
  if(key && d > 0) {
    cli_json_write_string(j->fp, key);
    fputs(": ", j->fp);
  }
}

static void begin(cli_json *j, const char *key, char open)
{
  member(j, key);
  putc(open, j->fp);
  if(j->depth < CLI_JSON_DEPTH_MAX) {
    j->count[j->depth] = 0;
    j->close[j->depth] = open == '{' ? '}' : ']';
    j->depth++;
  }
}

void cli_json_begin_object(cli_json *j, const char *key)
{
  begin(j, key, '{');
}

void cli_json_begin_array(cli_json *j, const char *key)
{
  begin(j, key, '[');
}

void cli_json_end(cli_json *j)
{
  int had;
  if(j->depth <= 0)
    return;
  j->depth--;
  had = j->count[j->depth];
  if(had) {
    putc('\n', j->fp);
    fprintf(j->fp, "%*s", j->depth * 2, "");
  }
  putc(j->close[j->depth], j->fp);
}

void cli_json_str(cli_json *j, const char *key, const char *val)
{
  member(j, key);
  if(val)
    cli_json_write_string(j->fp, val);
  else
    fputs("null", j->fp);
}

void cli_json_int(cli_json *j, const char *key, int64_t val)
{
  member(j, key);
  fprintf(j->fp, "%" PRId64, val);
}

void cli_json_num(cli_json *j, const char *key, double val)
{
  member(j, key);
  if(isfinite(val))
    fprintf(j->fp, "%.15g", val);
  else
    fputs("null", j->fp);
}

void cli_json_bool(cli_json *j, const char *key, int val)
{
  member(j, key);
  fputs(val ? "true" : "false", j->fp);
}

void cli_json_null(cli_json *j, const char *key)
{
  member(j, key);
  fputs("null", j->fp);
}

void cli_json_time(cli_json *j, const char *key, int64_t t)
{
  char buf[32];
  time_t tt = (time_t)t;
  struct tm tm;
  if(!t || !gmtime_r(&tt, &tm)) {
    cli_json_null(j, key);
    return;
  }
  strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  cli_json_str(j, key, buf);
}

void cli_json_finish(cli_json *j)
{
  while(j->depth > 0)
    cli_json_end(j);
  putc('\n', j->fp);
}

/* ---- text tables ------------------------------------------------------- */

int cli_table_init(cli_table *t, const char *const *headers)
{
  size_t n = 0;
  memset(t, 0, sizeof(*t));
  while(headers[n] && n < 16)
    n++;
  t->ncols = n;
  return cli_table_add(t, headers);
}

void cli_table_align_right(cli_table *t, size_t col)
{
  if(col < 16)
    t->right[col] = 1;
}

int cli_table_add(cli_table *t, const char *const *cells)
{
  size_t i;
  if(t->oom)
    return -1;
  if(t->nrows + 1 > t->cap) {
    size_t ncap = t->cap ? t->cap * 2 : 16;
    char **nc = realloc(t->cells, ncap * t->ncols * sizeof(char *));
    if(!nc) {
      t->oom = 1;
      return -1;
    }
    t->cells = nc;
    t->cap = ncap;
  }
  for(i = 0; i < t->ncols; i++) {
    const char *v = cells[i] ? cells[i] : "";
    char *d = strdup(v);
    if(!d) {
      while(i > 0)
        free(t->cells[t->nrows * t->ncols + --i]);
      t->oom = 1;
      return -1;
    }
    t->cells[t->nrows * t->ncols + i] = d;
  }
  t->nrows++;
  return 0;
}

size_t cli_text_width(const char *s)
{
  size_t w = 0;
  for(; *s; s++)
    if(((unsigned char)*s & 0xC0) != 0x80)
      w++;
  return w;
}

void cli_table_print(const cli_table *t, FILE *fp, int indent)
{
  size_t widths[16] = {0};
  size_t r, c;
  for(r = 0; r < t->nrows; r++)
    for(c = 0; c < t->ncols; c++) {
      size_t w = cli_text_width(t->cells[r * t->ncols + c]);
      if(w > widths[c])
        widths[c] = w;
    }
  for(r = 0; r < t->nrows; r++) {
    fprintf(fp, "%*s", indent, "");
    for(c = 0; c < t->ncols; c++) {
      const char *v = t->cells[r * t->ncols + c];
      size_t pad = widths[c] - cli_text_width(v);
      int last = c + 1 == t->ncols;
      if(t->right[c])
        fprintf(fp, "%*s%s", (int)pad, "", v);
      else if(last)
        fputs(v, fp);
      else
        fprintf(fp, "%s%*s", v, (int)pad, "");
      if(!last)
        fputs("  ", fp);
    }
    putc('\n', fp);
  }
}

void cli_table_free(cli_table *t)
{
  size_t i;
  for(i = 0; i < t->nrows * t->ncols; i++)
    free(t->cells[i]);
  free(t->cells);
  memset(t, 0, sizeof(*t));
}

/* ---- formatters ------------------------------------------------------------ */

static void fmt_tm(int64_t t, const char *fmt, char *buf, size_t size)
{
  time_t tt = (time_t)t;
  struct tm tm;
  if(!t || !gmtime_r(&tt, &tm)) {
    snprintf(buf, size, "-");
    return;
  }
  if(!strftime(buf, size, fmt, &tm))
    snprintf(buf, size, "-");
}

void cli_fmt_time(int64_t t, char *buf, size_t size)
{
  fmt_tm(t, "%Y-%m-%d %H:%M UTC", buf, size); /* stored and shown in UTC */
}

void cli_fmt_date(int64_t t, char *buf, size_t size)
{
  fmt_tm(t, "%Y-%m-%d", buf, size);
}
