/*
 * cli_json.h - a small strict JSON parser for the CLI tests: checks that
 * the `crm --json` output is valid JSON and lets tests read fields.
 */
#ifndef CRM_TEST_CLI_JSON_H
#define CRM_TEST_CLI_JSON_H

#include <stddef.h>

enum { TJ_NULL, TJ_BOOL, TJ_NUM, TJ_STR, TJ_ARR, TJ_OBJ };

typedef struct tj {
  int type;
  int boolean;
  double num;
  char *str;        /* TJ_STR, decoded (UTF-8) */
  struct tj **kids; /* TJ_ARR / TJ_OBJ */
  char **keys;      /* TJ_OBJ */
  size_t n;
} tj;

/* Parses a whole document (surrounding white space allowed); NULL and
 * err set on any syntax error. */
tj *tj_parse(const char *text, char *err, size_t err_size);
void tj_free(tj *v);
/* Member of an object, or NULL. */
const tj *tj_get(const tj *obj, const char *key);
/* Follows "a.b.2.c": object keys and array indexes; NULL if absent. */
const tj *tj_path(const tj *v, const char *path);
/* The string at path, or NULL if absent or not a string. */
const char *tj_str(const tj *v, const char *path);
/* The number at path, or def. */
double tj_num(const tj *v, const char *path, double def);

#endif
