/*
 * template_int.h - what template.c (parsing, lookup) and template_vars.c
 * (placeholder values, rendering) share: the scanner of template text.
 *
 * Template text is literal bytes with placeholders "{{ name }}" (spaces
 * or tabs around the name allowed; names a-z, 0-9 and _). "\{{" is a
 * literal "{{". Anything else, a lone "{", "}}", a backslash not before
 * "{{", UTF-8, passes through as it is.
 */
#ifndef CRM_TEMPLATE_INT_H
#define CRM_TEMPLATE_INT_H

#include <stddef.h>

/* Longest placeholder name the registry knows, with room to spare. */
#define CRM__PH_NAME_MAX 32

#define CRM__TOK_END 0
#define CRM__TOK_TEXT 1  /* p, n: literal bytes to copy */
#define CRM__TOK_PH 2    /* p, n: the placeholder's name (not terminated) */
#define CRM__TOK_ERR 3   /* why: "unclosed", "empty" or "invalid";
                          * p, n: what to show after "{{" */

typedef struct crm__tpl_tok {
  int kind;
  const char *p;
  size_t n;
  size_t len;      /* bytes of the source this token covers */
  const char *why;
} crm__tpl_tok;

/* The token at s (never fails for END/TEXT/PH; ERR for a malformed
 * placeholder). */
void crm__tpl_next(const char *s, crm__tpl_tok *t);

#endif
