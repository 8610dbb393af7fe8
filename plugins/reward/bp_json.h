/*
 * bp_json.h - the minimal JSON reading basic_points needs: one top-level
 * string member of an object (the refund's "refund_of"). Private to the
 * basic_points plugin (static functions, included once by
 * basic_points.c); the plugin still builds against crm/sdk.h only.
 */
#ifndef BP_JSON_H
#define BP_JSON_H

#include <stddef.h>
#include <string.h>

static const char *bp_ws(const char *p)
{
  while(*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  return p;
}

/* Skips a JSON string starting at the quote; NULL if malformed. */
static const char *bp_skip_string(const char *p)
{
  p++;
  while(*p && *p != '"') {
    if(*p == '\\') {
      p++;
      if(!*p)
        return NULL;
    }
    p++;
  }
  return *p == '"' ? p + 1 : NULL;
}

/* Skips any JSON value (containers by depth); NULL if malformed. */
static const char *bp_skip_value(const char *p)
{
  int depth = 0;

  p = bp_ws(p);
  for(;;) {
    if(!*p)
      return NULL;
    if(*p == '"') {
      p = bp_skip_string(p);
      if(!p || depth == 0)
        return p;
      continue;
    }
    if(*p == '{' || *p == '[') {
      depth++;
    }
    else if(*p == '}' || *p == ']') {
      if(depth == 0)
        return p;
      depth--;
      if(depth == 0)
        return p + 1;
    }
    else if(depth == 0 && (*p == ',' || *p == ' ' || *p == '\t' ||
                           *p == '\n' || *p == '\r')) {
      return p;
    }
    p++;
  }
}

/* Copies the JSON string at p (a quote) into out, decoding the simple
 * escapes: 1; \u escapes are refused (0), too long values too (-1). */
static int bp_copy_string(const char *p, char *out, size_t size)
{
  size_t n = 0;

  p++;
  while(*p && *p != '"') {
    char ch = *p;

    if(ch == '\\') {
      p++;
      switch(*p) {
      case '"': ch = '"'; break;
      case '\\': ch = '\\'; break;
      case '/': ch = '/'; break;
      default: return 0;
      }
    }
    if(n + 1 >= size)
      return -1;
    out[n++] = ch;
    p++;
  }
  if(*p != '"')
    return 0;
  out[n] = '\0';
  return 1;
}

/* Finds the top-level member `name` of a JSON object holding a string:
 * 1 found, 0 not (or not a plain string), -1 longer than size - 1. */
static int bp_json_str(const char *json, const char *name, char *out,
                       size_t size)
{
  const char *p = bp_ws(json);
  size_t nlen = strlen(name);

  if(*p != '{')
    return 0;
  p = bp_ws(p + 1);
  while(*p == '"') {
    const char *key = p + 1;
    const char *end = bp_skip_string(p);
    int match;

    if(!end)
      return 0;
    match = (size_t)(end - 1 - key) == nlen && !memcmp(key, name, nlen);
    p = bp_ws(end);
    if(*p != ':')
      return 0;
    p = bp_ws(p + 1);
    if(match)
      return *p == '"' ? bp_copy_string(p, out, size) : 0;
    p = bp_skip_value(p);
    if(!p)
      return 0;
    p = bp_ws(p);
    if(*p != ',')
      return 0;
    p = bp_ws(p + 1);
  }
  return 0;
}

#endif /* BP_JSON_H */
