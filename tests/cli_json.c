/*
 * cli_json.c - strict JSON parser for the CLI tests (RFC 8259 grammar:
 * no trailing commas, no control characters in strings, \u escapes with
 * surrogate pairs, no leading zeros, nothing after the document).
 */
#include "cli_json.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
  const char *p;
  const char *start;
  char *err;
  size_t err_size;
  int depth;
};

static tj *fail(struct parser *ps, const char *what)
{
  if(ps->err && ps->err_size && !ps->err[0])
    snprintf(ps->err, ps->err_size, "%s at offset %ld", what,
             (long)(ps->p - ps->start));
  return NULL;
}

static void skip_ws(struct parser *ps)
{
  while(*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
    ps->p++;
}

static tj *new_val(int type)
{
  tj *v = calloc(1, sizeof(*v));
  if(v)
    v->type = type;
  return v;
}

void tj_free(tj *v)
{
  size_t i;
  if(!v)
    return;
  for(i = 0; i < v->n; i++) {
    tj_free(v->kids[i]);
    if(v->keys)
      free(v->keys[i]);
  }
  free(v->kids);
  free(v->keys);
  free(v->str);
  free(v);
}

static int hex4(const char *s, unsigned *out)
{
  unsigned v = 0;
  int i;
  for(i = 0; i < 4; i++) {
    int ch = (unsigned char)s[i];
    v <<= 4;
    if(ch >= '0' && ch <= '9')
      v |= (unsigned)(ch - '0');
    else if(ch >= 'a' && ch <= 'f')
      v |= (unsigned)(ch - 'a' + 10);
    else if(ch >= 'A' && ch <= 'F')
      v |= (unsigned)(ch - 'A' + 10);
    else
      return -1;
  }
  *out = v;
  return 0;
}

static size_t put_utf8(char *d, unsigned cp)
{
  if(cp < 0x80) {
    d[0] = (char)cp;
    return 1;
  }
  if(cp < 0x800) {
    d[0] = (char)(0xC0 | (cp >> 6));
    d[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if(cp < 0x10000) {
    d[0] = (char)(0xE0 | (cp >> 12));
    d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    d[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  d[0] = (char)(0xF0 | (cp >> 18));
  d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  d[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* Parses a string literal at ps->p (the opening quote) into *out. */
static int parse_string(struct parser *ps, char **out)
{
  const char *s = ps->p + 1;
  size_t cap = strlen(s) + 1, len = 0;
  char *d = malloc(cap);
  if(!d)
    return -1;
  for(;;) {
    unsigned char ch = (unsigned char)*s;
    if(ch == '"')
      break;
    if(ch < 0x20) {
      free(d);
      ps->p = s;
      fail(ps, ch ? "control character in string" : "unterminated string");
      return -1;
    }
    if(ch != '\\') {
      d[len++] = (char)ch;
      s++;
      continue;
    }
    s++;
    switch(*s) {
    case '"': d[len++] = '"'; break;
    case '\\': d[len++] = '\\'; break;
    case '/': d[len++] = '/'; break;
    case 'b': d[len++] = '\b'; break;
    case 'f': d[len++] = '\f'; break;
    case 'n': d[len++] = '\n'; break;
    case 'r': d[len++] = '\r'; break;
    case 't': d[len++] = '\t'; break;
    case 'u': {
      unsigned cp, lo;
      if(hex4(s + 1, &cp))
        goto bad_escape;
      s += 4;
      if(cp >= 0xD800 && cp <= 0xDBFF) {
        if(s[1] != '\\' || s[2] != 'u' || hex4(s + 3, &lo) || lo < 0xDC00 ||
           lo > 0xDFFF)
          goto bad_escape;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        s += 6;
      }
      else if(cp >= 0xDC00 && cp <= 0xDFFF)
        goto bad_escape;
      len += put_utf8(d + len, cp);
      break;
    }
    default:
      goto bad_escape;
    }
    s++;
  }
  d[len] = '\0';
  ps->p = s + 1;
  *out = d;
  return 0;
bad_escape:
  free(d);
  ps->p = s;
  fail(ps, "bad escape in string");
  return -1;
}

static tj *parse_value(struct parser *ps);

static tj *parse_number(struct parser *ps)
{
  const char *s = ps->p;
  tj *v;
  if(*s == '-')
    s++;
  if(*s == '0')
    s++;
  else if(*s >= '1' && *s <= '9')
    while(isdigit((unsigned char)*s))
      s++;
  else
    return fail(ps, "bad number");
  if(*s == '.') {
    s++;
    if(!isdigit((unsigned char)*s))
      return fail(ps, "bad number");
    while(isdigit((unsigned char)*s))
      s++;
  }
  if(*s == 'e' || *s == 'E') {
    s++;
    if(*s == '+' || *s == '-')
      s++;
    if(!isdigit((unsigned char)*s))
      return fail(ps, "bad number");
    while(isdigit((unsigned char)*s))
      s++;
  }
  v = new_val(TJ_NUM);
  if(!v)
    return fail(ps, "out of memory");
  v->num = strtod(ps->p, NULL);
  ps->p = s;
  return v;
}

static int add_kid(tj *v, tj *kid, char *key)
{
  tj **nk = realloc(v->kids, (v->n + 1) * sizeof(*nk));
  if(!nk)
    return -1;
  v->kids = nk;
  if(v->type == TJ_OBJ) {
    char **nkeys = realloc(v->keys, (v->n + 1) * sizeof(*nkeys));
    if(!nkeys)
      return -1;
    v->keys = nkeys;
    v->keys[v->n] = key;
  }
  v->kids[v->n++] = kid;
  return 0;
}

/* Parses an array or object; ps->p is at the opening bracket. */
static tj *parse_container(struct parser *ps, int type)
{
  char close = type == TJ_OBJ ? '}' : ']';
  tj *v = new_val(type);
  if(!v)
    return fail(ps, "out of memory");
  if(++ps->depth > 64) {
    tj_free(v);
    return fail(ps, "nested too deep");
  }
  ps->p++;
  skip_ws(ps);
  if(*ps->p == close) {
    ps->p++;
    ps->depth--;
    return v;
  }
  for(;;) {
    char *key = NULL;
    tj *kid;
    skip_ws(ps);
    if(type == TJ_OBJ) {
      if(*ps->p != '"' || parse_string(ps, &key)) {
        tj_free(v);
        return fail(ps, "expected a member name");
      }
      skip_ws(ps);
      if(*ps->p != ':') {
        free(key);
        tj_free(v);
        return fail(ps, "expected ':'");
      }
      ps->p++;
    }
    kid = parse_value(ps);
    if(!kid || add_kid(v, kid, key)) {
      free(key);
      tj_free(kid);
      tj_free(v);
      return fail(ps, "bad member");
    }
    skip_ws(ps);
    if(*ps->p == ',') {
      ps->p++;
      continue;
    }
    if(*ps->p == close) {
      ps->p++;
      ps->depth--;
      return v;
    }
    tj_free(v);
    return fail(ps, "expected ',' or a closing bracket");
  }
}

static tj *parse_literal(struct parser *ps, const char *word, int type,
                         int b)
{
  size_t n = strlen(word);
  tj *v;
  if(strncmp(ps->p, word, n))
    return fail(ps, "unexpected character");
  v = new_val(type);
  if(!v)
    return fail(ps, "out of memory");
  v->boolean = b;
  ps->p += n;
  return v;
}

static tj *parse_value(struct parser *ps)
{
  skip_ws(ps);
  switch(*ps->p) {
  case '{': return parse_container(ps, TJ_OBJ);
  case '[': return parse_container(ps, TJ_ARR);
  case '"': {
    tj *v = new_val(TJ_STR);
    if(!v)
      return fail(ps, "out of memory");
    if(parse_string(ps, &v->str)) {
      free(v);
      return NULL;
    }
    return v;
  }
  case 't': return parse_literal(ps, "true", TJ_BOOL, 1);
  case 'f': return parse_literal(ps, "false", TJ_BOOL, 0);
  case 'n': return parse_literal(ps, "null", TJ_NULL, 0);
  default: return parse_number(ps);
  }
}

tj *tj_parse(const char *text, char *err, size_t err_size)
{
  struct parser ps;
  tj *v;
  memset(&ps, 0, sizeof(ps));
  ps.p = ps.start = text;
  ps.err = err;
  ps.err_size = err_size;
  if(err && err_size)
    err[0] = '\0';
  v = parse_value(&ps);
  if(!v)
    return NULL;
  skip_ws(&ps);
  if(*ps.p) {
    tj_free(v);
    return fail(&ps, "text after the document");
  }
  return v;
}

const tj *tj_get(const tj *obj, const char *key)
{
  size_t i;
  if(!obj || obj->type != TJ_OBJ)
    return NULL;
  for(i = 0; i < obj->n; i++)
    if(!strcmp(obj->keys[i], key))
      return obj->kids[i];
  return NULL;
}

const tj *tj_path(const tj *v, const char *path)
{
  char part[128];
  while(v && *path) {
    size_t n = strcspn(path, ".");
    if(n >= sizeof(part))
      return NULL;
    memcpy(part, path, n);
    part[n] = '\0';
    path += n;
    if(*path == '.')
      path++;
    if(v->type == TJ_ARR) {
      char *end;
      long idx = strtol(part, &end, 10);
      if(*end || idx < 0 || (size_t)idx >= v->n)
        return NULL;
      v = v->kids[idx];
    }
    else
      v = tj_get(v, part);
  }
  return v;
}

const char *tj_str(const tj *v, const char *path)
{
  const tj *x = tj_path(v, path);
  return x && x->type == TJ_STR ? x->str : NULL;
}

double tj_num(const tj *v, const char *path, double def)
{
  const tj *x = tj_path(v, path);
  return x && x->type == TJ_NUM ? x->num : def;
}
