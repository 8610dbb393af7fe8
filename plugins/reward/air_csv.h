/*
 * air_csv.h - reading one line of an OpenFlights data file: CSV fields
 * with "-quoted strings ("" inside a quoted field is one "), and decimal
 * coordinates parsed without the C locale's help. Private to the
 * air_miles plugin (static functions, included once by air_miles.c); the
 * plugin still builds against crm/sdk.h only.
 */
#ifndef AIR_CSV_H
#define AIR_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define AIR_CSV_BAD_QUOTE (-1) /* a quoted field never ends */
#define AIR_CSV_BAD_AFTER (-2) /* text after a quoted field's end */

/* Removes a trailing "\n" or "\r\n" (both line endings occur in the
 * OpenFlights files); returns the new length. */
static size_t air_csv_chomp(char *s)
{
  size_t n = strlen(s);

  if(n && s[n - 1] == '\n')
    s[--n] = '\0';
  if(n && s[n - 1] == '\r')
    s[--n] = '\0';
  return n;
}

/* Splits s in place into at most max fields, unquoting them. Returns the
 * number of fields (fields past max are ignored) or AIR_CSV_BAD_*. The
 * writer never overtakes the reader, so the line is its own buffer. */
static int air_csv_split(char *s, char **fields, int max)
{
  char *r = s;
  char *w = s;
  char c;
  int n = 0;

  while(n < max) {
    fields[n++] = w;
    if(*r == '"') {
      r++;
      for(;;) {
        if(!*r)
          return AIR_CSV_BAD_QUOTE;
        if(*r == '"') {
          if(r[1] != '"')
            break;
          r++; /* "" is one quote */
        }
        *w++ = *r++;
      }
      r++; /* the closing quote */
      if(*r && *r != ',')
        return AIR_CSV_BAD_AFTER;
    }
    else {
      while(*r && *r != ',')
        *w++ = *r++;
    }
    c = *r;
    *w++ = '\0';
    if(!c)
      break;
    r++;
  }
  return n;
}

/* A decimal number "[-+]digits[.digits]" as OpenFlights writes
 * coordinates ("-33.94609832763672"), independent of LC_NUMERIC (strtod
 * would read "51.47" as 51 under a locale with a decimal comma). Digits
 * past the 18th significant one are ignored. 0 when s is not such a
 * number. */
static int air_csv_decimal(const char *s, double *out)
{
  static const double tens[19] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
                                  1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
                                  1e15, 1e16, 1e17, 1e18};
  double whole = 0.0;
  uint64_t frac = 0;
  int nfrac = 0;
  int digits = 0;
  int neg = 0;

  if(*s == '-' || *s == '+')
    neg = *s++ == '-';
  for(; *s >= '0' && *s <= '9'; s++, digits++)
    whole = whole * 10.0 + (*s - '0');
  if(*s == '.') {
    for(s++; *s >= '0' && *s <= '9'; s++, digits++) {
      if(nfrac < 18) {
        frac = frac * 10 + (uint64_t)(*s - '0');
        nfrac++;
      }
    }
  }
  if(*s || !digits)
    return 0;
  *out = whole + (double)frac / tens[nfrac];
  if(neg)
    *out = -*out;
  return 1;
}

#endif /* AIR_CSV_H */
