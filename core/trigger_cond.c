/*
 * trigger_cond.c - trigger conditions: "field op value" clauses joined by
 * "and", parsed when the config is read (trigger_config.c) and evaluated
 * when a trigger fires (trigger.c).
 *
 *   fields  stage, tier (= and != only), points_balance, purchase_count,
 *           monetary_total, contact_count (whole numbers), attr.NAME
 *           (text for = and !=, a number for the others)
 *   ops     = != < <= > >=
 *   values  one word, or 'quoted text'
 */
#include <errno.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "points_int.h"
#include "trigger_int.h"

typedef struct crm__cond_parse {
  crm__cfgread *r;
  const char *who; /* trigger "name" */
  crm__trigger *t;
} crm__cond_parse;

/* ---- numbers ------------------------------------------------------------- */

static const char *crm__cond_digits(const char *p, int *n)
{
  while(*p >= '0' && *p <= '9') {
    p++;
    (*n)++;
  }
  return p;
}

/* 1 when s is a plain decimal number ([+-]digits[.digits][e[+-]digits],
 * nothing around it: no blanks, hex, inf or nan) that fits a double. */
static int crm__cond_number(const char *s, double *out)
{
  const char *p = s;
  char *end;
  int digits = 0, exp_digits = 0;
  double d;

  if(*p == '+' || *p == '-')
    p++;
  p = crm__cond_digits(p, &digits);
  if(*p == '.')
    p = crm__cond_digits(p + 1, &digits);
  if(!digits)
    return 0;
  if(*p == 'e' || *p == 'E') {
    p++;
    if(*p == '+' || *p == '-')
      p++;
    p = crm__cond_digits(p, &exp_digits);
    if(!exp_digits)
      return 0;
  }
  if(*p)
    return 0;
  errno = 0;
  d = strtod(s, &end);
  if(errno || end != p || d != d || d > DBL_MAX || d < -DBL_MAX)
    return 0;
  *out = d;
  return 1;
}

/* ---- parsing (config) --------------------------------------------------- */

static const char *const crm__cond_num_fields[] = {
  "points_balance", "purchase_count", "monetary_total", "contact_count", NULL
};

static int crm__cond_numeric_field(const char *f)
{
  size_t i;

  for(i = 0; crm__cond_num_fields[i]; i++) {
    if(!strcmp(f, crm__cond_num_fields[i]))
      return 1;
  }
  return 0;
}

static const char *crm__skip_ws(const char *p)
{
  while(*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* Copies the run of chars of p accepted by `ok` (max bytes) into buf. */
static size_t crm__cond_run(const char *p, const char *set, char *buf,
                            size_t size)
{
  size_t n = 0;

  while(p[n] && strchr(set, p[n]))
    n++;
  if(n >= size)
    return size;
  memcpy(buf, p, n);
  buf[n] = '\0';
  return n;
}

#define CRM__FIELD_CHARS                                                     \
  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"

/* The value: 'quoted' (no quote inside) or a run up to a blank. */
static int crm__cond_value(crm__cond_parse *P, const config_setting_t *s,
                           const char **pp, crm__cond *k)
{
  const char *p = *pp;
  const char *end;
  size_t n;

  if(*p == '\'') {
    end = strchr(p + 1, '\'');
    if(!end)
      return crm__cfg_fail(P->r, s, "%s: condition: unclosed quote after "
                           "\"%s %s\"", P->who, k->field, k->op);
    p++;
    n = (size_t)(end - p);
    *pp = end + 1;
  }
  else {
    n = strcspn(p, " \t");
    *pp = p + n;
  }
  if(n == 0)
    return crm__cfg_fail(P->r, s, "%s: condition: \"%s %s\" needs a value",
                         P->who, k->field, k->op);
  if(n >= sizeof(k->value))
    return crm__cfg_fail(P->r, s, "%s: condition: the value after \"%s %s\" "
                         "is too long", P->who, k->field, k->op);
  memcpy(k->value, p, n);
  k->value[n] = '\0';
  return CRM_OK;
}

/* The field, the operator and the value agree. */
static int crm__cond_check(crm__cond_parse *P, const config_setting_t *s,
                           crm__cond *k)
{
  int ordered = strcmp(k->op, "=") && strcmp(k->op, "!=");
  char *end;
  long long ll;
  double d;
  int st;

  if(crm__cond_numeric_field(k->field)) {
    errno = 0;
    ll = strtoll(k->value, &end, 10);
    (void)ll;
    if(errno || *end)
      return crm__cfg_fail(P->r, s, "%s: condition: %s needs a whole "
                           "number, not \"%s\"", P->who, k->field, k->value);
    return CRM_OK;
  }
  if(!strcmp(k->field, "stage") || !strcmp(k->field, "tier")) {
    if(ordered)
      return crm__cfg_fail(P->r, s, "%s: condition: %s takes = or != only, "
                           "not %s", P->who, k->field, k->op);
    if(k->field[0] == 't')
      return CRM_OK;
    st = crm_stage_parse(k->value);
    if(st < 0)
      return crm__cfg_fail(P->r, s, "%s: condition: unknown stage \"%s\"",
                           P->who, k->value);
    snprintf(k->value, sizeof(k->value), "%s", crm_stage_name(st));
    return CRM_OK;
  }
  if(strncmp(k->field, "attr.", 5) || !k->field[5] ||
     strlen(k->field + 5) > CRM_ATTR_KEY_MAX)
    return crm__cfg_fail(P->r, s, "%s: condition: unknown field \"%s\" "
                         "(expected stage, tier, points_balance, "
                         "purchase_count, monetary_total, contact_count or "
                         "attr.NAME)", P->who, k->field);
  if(!ordered)
    return CRM_OK;
  if(!crm__cond_number(k->value, &d))
    return crm__cfg_fail(P->r, s, "%s: condition: %s %s needs a number, not "
                         "\"%s\"", P->who, k->field, k->op, k->value);
  return CRM_OK;
}

static int crm__cond_clause(crm__cond_parse *P, const config_setting_t *s,
                            const char **pp, crm__cond *k)
{
  static const char *const ops[] = {"=", "!=", "<", "<=", ">", ">=", NULL};
  const char *p = crm__skip_ws(*pp);
  char op[8];
  size_t n;
  int i;

  n = crm__cond_run(p, CRM__FIELD_CHARS, k->field, sizeof(k->field));
  if(n == 0 || n >= sizeof(k->field))
    return crm__cfg_fail(P->r, s, "%s: condition: expected a field at "
                         "\"%s\"", P->who, p);
  p = crm__skip_ws(p + n);
  n = crm__cond_run(p, "=!<>", op, sizeof(op));
  for(i = 0; n < sizeof(op) && ops[i]; i++) {
    if(!strcmp(op, ops[i]))
      break;
  }
  if(n == 0 || n >= sizeof(op) || !ops[i])
    return crm__cfg_fail(P->r, s, "%s: condition: unknown operator after "
                         "\"%s\" at \"%s\" (expected =, !=, <, <=, > or >=)",
                         P->who, k->field, p);
  memcpy(k->op, op, n + 1);
  p = crm__skip_ws(p + n);
  if(crm__cond_value(P, s, &p, k))
    return CRM_ECONFIG;
  *pp = p;
  return crm__cond_check(P, s, k);
}

int crm__trigger_cond_parse(struct crm__cfgread *r, const void *setting,
                            const char *who, const char *v, crm__trigger *t)
{
  const config_setting_t *s = setting;
  crm__cond_parse Q;
  crm__cond_parse *P = &Q;
  const char *p;
  size_t cap = 0;
  int rc = CRM_OK;

  Q.r = r;
  Q.who = who;
  Q.t = t;
  p = crm__skip_ws(v);
  if(!*p)
    return CRM_OK;
  P->t->condition = crm__strdup(v);
  if(!P->t->condition)
    return crm__cfg_fail(P->r, s, "out of memory");
  while(!rc) {
    if(P->t->n_conds == cap) {
      crm__cond *n;

      cap = cap ? 2 * cap : 4;
      n = crm__realloc(P->t->conds, cap * sizeof(*n));
      if(!n)
        return crm__cfg_fail(P->r, s, "out of memory");
      P->t->conds = n;
    }
    memset(&P->t->conds[P->t->n_conds], 0, sizeof(crm__cond));
    rc = crm__cond_clause(P, s, &p, &P->t->conds[P->t->n_conds]);
    if(rc)
      break;
    P->t->n_conds++;
    p = crm__skip_ws(p);
    if(!*p)
      break;
    if(strncmp(p, "and", 3) || (p[3] != ' ' && p[3] != '\t'))
      return crm__cfg_fail(P->r, s, "%s: condition: expected \"and\" or the "
                           "end at \"%s\"", P->who, p);
    p += 3;
  }
  return rc;
}

/* ---- evaluation ----------------------------------------------------------- */

static int crm__trg_tier_cb(void *ud, const crm_points_account *a)
{
  char *out = ud;

  if(!a->tier[0])
    return 0;
  snprintf(out, CRM__COMM_NAME_MAX + 1, "%s", a->tier);
  return 1;
}

static int crm__cond_cmp_num(double a, const char *op, double b)
{
  if(!strcmp(op, "="))
    return a == b;
  if(!strcmp(op, "!="))
    return a != b;
  if(!strcmp(op, "<"))
    return a < b;
  if(!strcmp(op, "<="))
    return a <= b;
  if(!strcmp(op, ">"))
    return a > b;
  return a >= b;
}

static int crm__cond_cmp_str(const char *a, const char *op, const char *b)
{
  int eq = !strcmp(a, b);

  return !strcmp(op, "=") ? eq : !eq;
}

static int64_t crm__cond_num_of(const crm_customer *cu, const char *f)
{
  if(!strcmp(f, "points_balance"))
    return cu->points_balance;
  if(!strcmp(f, "purchase_count"))
    return cu->purchase_count;
  if(!strcmp(f, "monetary_total"))
    return cu->monetary_total;
  return cu->contact_count;
}

/* One clause; *holds 0 or 1. */
static int crm__cond_one(crm *c, const crm__cond *k, const crm_customer *cu,
                         const char *tier, int *holds)
{
  char val[CRM_ATTR_VALUE_MAX + 1] = "";
  char tbuf[CRM__COMM_NAME_MAX + 1] = "";
  double a, b;
  int rc;

  if(!strcmp(k->field, "stage")) {
    *holds = crm__cond_cmp_str(crm_stage_name(cu->stage), k->op, k->value);
    return CRM_OK;
  }
  if(!strcmp(k->field, "tier")) {
    if(!tier) {
      rc = crm_points_accounts_foreach(c, cu->id, crm__trg_tier_cb, tbuf);
      if(rc < 0)
        return rc;
      tier = tbuf;
    }
    *holds = crm__cond_cmp_str(tier, k->op, k->value);
    return CRM_OK;
  }
  if(strncmp(k->field, "attr.", 5)) {
    b = (double)strtoll(k->value, NULL, 10);
    *holds = crm__cond_cmp_num((double)crm__cond_num_of(cu, k->field), k->op,
                               b);
    return CRM_OK;
  }
  rc = crm_customer_get_attr(c, cu->id, k->field + 5, val, sizeof(val));
  if(rc == CRM_ENOTFOUND || rc == CRM_ERANGE) {
    crm__clear_err(c);
    val[0] = '\0';
  }
  else if(rc)
    return rc;
  if(!strcmp(k->op, "=") || !strcmp(k->op, "!=")) {
    *holds = crm__cond_cmp_str(val, k->op, k->value);
    return CRM_OK;
  }
  *holds = 0;
  if(!crm__cond_number(val, &a) || !crm__cond_number(k->value, &b))
    return CRM_OK; /* not a number: an ordered comparison is false */
  *holds = crm__cond_cmp_num(a, k->op, b);
  return CRM_OK;
}

int crm__trigger_cond_holds(crm *c, const crm__trigger *t,
                            const crm_customer *cu, const char *tier,
                            int *holds)
{
  size_t i;
  int rc;

  *holds = 1;
  for(i = 0; i < t->n_conds && *holds; i++) {
    rc = crm__cond_one(c, &t->conds[i], cu, tier, holds);
    if(rc)
      return rc;
  }
  return CRM_OK;
}
