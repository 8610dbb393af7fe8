/*
 * smtp_mime.h - the RFC 5322 / MIME side of the smtp channel: a growing
 * buffer, UTF-8 and address checks, RFC 2047 encoded-words, header
 * folding, quoted-printable. Included by smtp.c only (static functions).
 *
 * Header lines are folded so that no line exceeds SMTP_LINE_MAX (78)
 * characters, except a single atom longer than that (an address or a
 * URL), which RFC 5322 allows up to 998. Encoded-words are at most 75
 * characters (RFC 2047 section 2) and hold whole UTF-8 characters.
 */
#ifndef SMTP_MIME_H
#define SMTP_MIME_H

#include <stdint.h>
#include <string.h>

#include "crm/sdk.h"

#define SMTP_LINE_MAX 78  /* header lines (RFC 5322 2.1.1 "SHOULD") */
#define SMTP_QP_MAX 76    /* encoded body lines (RFC 2045 6.7) */
#define SMTP_EW_B64_MAX 60 /* base64 chars in one encoded-word: 12 + 60 */
#define SMTP_EW_OVERHEAD 12 /* "=?UTF-8?B?" + "?=" */
#define SMTP_PLAIN_WORD_MAX 66 /* longer words: the subject is encoded */

/* A growing buffer allocated with the host allocator. */
struct smtp_buf {
  const crm_host_api *api;
  crm_host_ctx *ctx;
  char *data;
  size_t len;
  size_t cap;
  int oom;
};

static void smtp_put(struct smtp_buf *b, const char *s, size_t n)
{
  if(b->oom)
    return;
  if(b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 1024;
    char *d;

    while(cap < b->len + n + 1)
      cap *= 2;
    d = b->api->alloc(b->ctx, cap);
    if(!d) {
      b->oom = 1;
      return;
    }
    if(b->len)
      memcpy(d, b->data, b->len);
    b->api->free(b->ctx, b->data);
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

static void smtp_puts(struct smtp_buf *b, const char *s)
{
  smtp_put(b, s, strlen(s));
}

/* ---- checks ------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t smtp_utf8_len(const unsigned char *s)
{
  size_t n, i;
  uint32_t cp;

  if(s[0] < 0x80)
    return 1;
  if(s[0] >= 0xc2 && s[0] <= 0xdf) {
    n = 2;
    cp = s[0] & 0x1f;
  }
  else if(s[0] >= 0xe0 && s[0] <= 0xef) {
    n = 3;
    cp = s[0] & 0x0f;
  }
  else if(s[0] >= 0xf0 && s[0] <= 0xf4) {
    n = 4;
    cp = s[0] & 0x07;
  }
  else {
    return 0;
  }
  for(i = 1; i < n; i++) {
    if((s[i] & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3f);
  }
  if((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
     (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
    return 0;
  return n;
}

static int smtp_utf8_ok(const char *s)
{
  const unsigned char *p = (const unsigned char *)s;

  while(*p) {
    size_t n = smtp_utf8_len(p);

    if(!n)
      return 0;
    p += n;
  }
  return 1;
}

static int smtp_has_crlf(const char *s)
{
  return s && strpbrk(s, "\r\n") != NULL;
}

/* A value for a header: no CR or LF (injection) and valid UTF-8. NULL
 * when fine, else why not. */
static const char *smtp_header_value_bad(const char *s)
{
  if(smtp_has_crlf(s))
    return "contains CR or LF (header injection refused)";
  if(!smtp_utf8_ok(s))
    return "is not valid UTF-8";
  return NULL;
}

static int smtp_is_atext(unsigned char ch)
{
  if((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
     (ch >= '0' && ch <= '9'))
    return 1;
  return ch && strchr("!#$%&'*+-/=?^_`{|}~", ch) != NULL;
}

/* dot-atom-text (RFC 5322 3.2.3): atext runs joined by single dots. */
static int smtp_dot_atom_ok(const char *s, size_t n)
{
  size_t i;

  if(n == 0 || s[0] == '.' || s[n - 1] == '.')
    return 0;
  for(i = 0; i < n; i++) {
    if(s[i] == '.') {
      if(s[i + 1] == '.')
        return 0;
      continue;
    }
    if(!smtp_is_atext((unsigned char)s[i]))
      return 0;
  }
  return 1;
}

/* A plain ASCII mailbox local@domain (dot-atom on both sides, or a
 * domain literal [...]); 3..254 bytes. */
static int smtp_addr_ok(const char *a)
{
  const char *at;
  const char *dom;
  size_t n;

  if(!a)
    return 0;
  n = strlen(a);
  at = strrchr(a, '@');
  if(n < 3 || n > 254 || !at || at == a || (size_t)(at - a) > 64)
    return 0;
  dom = at + 1;
  if(!smtp_dot_atom_ok(a, (size_t)(at - a)))
    return 0;
  if(dom[0] == '[') {
    size_t dn = strlen(dom);
    size_t i;

    if(dn < 3 || dom[dn - 1] != ']')
      return 0;
    for(i = 1; i + 1 < dn; i++) {
      unsigned char ch = (unsigned char)dom[i];

      if(ch < 33 || ch > 126 || ch == '[' || ch == ']' || ch == '\\')
        return 0;
    }
    return 1;
  }
  for(n = 0; dom[n]; n++) {
    unsigned char ch = (unsigned char)dom[n];

    if(!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
         (ch >= '0' && ch <= '9') || ch == '-' || ch == '.'))
      return 0;
  }
  return smtp_dot_atom_ok(dom, n);
}

static int smtp_is_ascii(const char *s)
{
  const unsigned char *p = (const unsigned char *)s;

  for(; *p; p++)
    if(*p >= 0x80)
      return 0;
  return 1;
}

/* ---- folded header writer ---------------------------------------------- */

struct smtp_hdr {
  struct smtp_buf *b;
  size_t col;    /* characters on the current line */
  int natoms;    /* atoms written on this header */
};

static void smtp_hdr_start(struct smtp_hdr *h, struct smtp_buf *b,
                           const char *name)
{
  h->b = b;
  h->natoms = 0;
  smtp_puts(b, name);
  smtp_puts(b, ":");
  h->col = strlen(name) + 1;
}

/* Writes " atom", folding first (CRLF, then the space) when the atom
 * would pass SMTP_LINE_MAX and is not the line's first. */
static void smtp_hdr_atom(struct smtp_hdr *h, const char *s, size_t n)
{
  if(h->natoms > 0 && h->col + 1 + n > SMTP_LINE_MAX) {
    smtp_puts(h->b, "\r\n");
    h->col = 0;
  }
  smtp_puts(h->b, " ");
  smtp_put(h->b, s, n);
  h->col += 1 + n;
  h->natoms++;
}

static void smtp_hdr_end(struct smtp_hdr *h)
{
  smtp_puts(h->b, "\r\n");
}

static void smtp_b64(const unsigned char *in, size_t n, char *out)
{
  static const char tab[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i;
  size_t o = 0;

  for(i = 0; i + 2 < n; i += 3) {
    uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8) |
                 in[i + 2];

    out[o++] = tab[(v >> 18) & 63];
    out[o++] = tab[(v >> 12) & 63];
    out[o++] = tab[(v >> 6) & 63];
    out[o++] = tab[v & 63];
  }
  if(i < n) {
    uint32_t v = (uint32_t)in[i] << 16;

    if(i + 1 < n)
      v |= (uint32_t)in[i + 1] << 8;
    out[o++] = tab[(v >> 18) & 63];
    out[o++] = tab[(v >> 12) & 63];
    out[o++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
    out[o++] = '=';
  }
  out[o] = '\0';
}

/* The text (valid UTF-8) as RFC 2047 B encoded-words in UTF-8, each
 * holding whole characters and sized to fit its line. */
static void smtp_hdr_words(struct smtp_hdr *h, const char *text)
{
  const unsigned char *p = (const unsigned char *)text;
  char word[SMTP_EW_OVERHEAD + SMTP_EW_B64_MAX + 1];
  char b64[SMTP_EW_B64_MAX + 1];

  while(*p) {
    size_t room = SMTP_EW_B64_MAX;
    size_t take = 0;
    size_t max_bytes;

    /* the first word shares its line with the header name */
    if(h->natoms == 0 && h->col + 1 + SMTP_EW_OVERHEAD + room > SMTP_LINE_MAX)
      room = SMTP_LINE_MAX - h->col - 1 - SMTP_EW_OVERHEAD;
    max_bytes = room / 4 * 3;
    while(p[take]) {
      size_t n = smtp_utf8_len(p + take);

      if(!n || take + n > max_bytes)
        break;
      take += n;
    }
    if(take == 0) /* cannot happen with valid UTF-8 and room >= 8 */
      break;
    smtp_b64(p, take, b64);
    snprintf(word, sizeof(word), "=?UTF-8?B?%s?=", b64);
    smtp_hdr_atom(h, word, strlen(word));
    p += take;
  }
}

/* An unstructured value (Subject, X-Crm-Template): plain words when it is
 * printable ASCII that folds back exactly (single spaces, no "=?", no
 * leading or trailing space, no overlong word, a first word that fits
 * beside the header name, first_max), else encoded-words. */
static int smtp_plain_ok(const char *s, size_t first_max)
{
  size_t word = 0;
  const char *p;

  if(!*s || s[0] == ' ' || s[strlen(s) - 1] == ' ' || strstr(s, "=?") ||
     strstr(s, "  ") || strcspn(s, " ") > first_max)
    return 0;
  for(p = s; *p; p++) {
    unsigned char ch = (unsigned char)*p;

    if(ch < 0x20 || ch > 0x7e)
      return 0;
    word = ch == ' ' ? 0 : word + 1;
    if(word > SMTP_PLAIN_WORD_MAX)
      return 0;
  }
  return 1;
}

static void smtp_hdr_unstructured(struct smtp_buf *b, const char *name,
                                  const char *value)
{
  struct smtp_hdr h;

  smtp_hdr_start(&h, b, name);
  /* the first word is never folded away from "Name:" */
  if(h.col + 1 < SMTP_LINE_MAX &&
     smtp_plain_ok(value, SMTP_LINE_MAX - h.col - 1)) {
    const char *p = value;

    while(*p) {
      size_t n = strcspn(p, " ");

      smtp_hdr_atom(&h, p, n);
      p += n;
      if(*p == ' ')
        p++;
    }
  }
  else {
    smtp_hdr_words(&h, value);
  }
  smtp_hdr_end(&h);
}

/* A display name fit for a quoted-string atom: printable ASCII, short,
 * and, quoted and escaped, at most max characters (its line's room). */
static int smtp_phrase_plain_ok(const char *s, size_t max)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t n = 2; /* the quotes */

  if(strlen(s) > 40 || strstr(s, "=?"))
    return 0;
  for(; *p; p++) {
    if(*p < 0x20 || *p > 0x7e)
      return 0;
    n += *p == '"' || *p == '\\' ? 2 : 1;
  }
  return n <= max;
}

/* name: "Display Name" <addr>, or <addr> alone when name is NULL/"". */
static void smtp_hdr_mailbox(struct smtp_buf *b, const char *hname,
                             const char *name, const char *addr)
{
  struct smtp_hdr h;
  char atom[300];
  size_t n = 0;

  smtp_hdr_start(&h, b, hname);
  if(name && *name && h.col + 1 < SMTP_LINE_MAX &&
     smtp_phrase_plain_ok(name, SMTP_LINE_MAX - h.col - 1)) {
    const char *p;

    atom[n++] = '"';
    for(p = name; *p; p++) {
      if(*p == '"' || *p == '\\')
        atom[n++] = '\\';
      atom[n++] = *p;
    }
    atom[n++] = '"';
    smtp_hdr_atom(&h, atom, n);
  }
  else if(name && *name) {
    smtp_hdr_words(&h, name);
  }
  snprintf(atom, sizeof(atom), "<%s>", addr);
  smtp_hdr_atom(&h, atom, strlen(atom));
  smtp_hdr_end(&h);
}

/* ---- quoted-printable body --------------------------------------------- */

static void smtp_qp_byte(struct smtp_buf *b, size_t *col, unsigned char ch,
                         int last)
{
  static const char hex[] = "0123456789ABCDEF";
  char enc[3];
  int literal;
  size_t width;

  literal = (ch >= 33 && ch <= 126 && ch != '=') ||
            ((ch == ' ' || ch == '\t') && !last);
  /* a line starting with "." is escaped as well (SMTP dot-stuffing is
   * libcurl's job, but some relays mangle it) */
  if(ch == '.' && *col == 0)
    literal = 0;
  width = literal ? 1 : 3;
  /* a byte that is not the line's last must leave room for a soft break */
  if(*col + width > (last ? SMTP_QP_MAX : SMTP_QP_MAX - 1)) {
    smtp_puts(b, "=\r\n");
    *col = 0;
    if(ch == '.')
      width = 3, literal = 0;
  }
  if(literal) {
    smtp_put(b, (const char *)&ch, 1);
  }
  else {
    enc[0] = '=';
    enc[1] = hex[ch >> 4];
    enc[2] = hex[ch & 15];
    smtp_put(b, enc, 3);
  }
  *col += width;
}

/* Encodes text: "\n" and "\r\n" become CRLF line breaks, a lone "\r" is
 * =0D; a text that does not end in a line break ends in a soft break so
 * that it decodes to exactly the input. */
static void smtp_qp_body(struct smtp_buf *b, const char *text)
{
  const unsigned char *p = (const unsigned char *)text;

  while(*p) {
    size_t n = 0;
    size_t col = 0;
    size_t i;
    int brk;

    while(p[n] && p[n] != '\n' && !(p[n] == '\r' && p[n + 1] == '\n'))
      n++;
    for(i = 0; i < n; i++)
      smtp_qp_byte(b, &col, p[i], i + 1 == n);
    brk = p[n] != '\0';
    smtp_puts(b, brk ? "\r\n" : "=\r\n");
    if(!brk)
      break;
    p += n + (p[n] == '\r' ? 2 : 1);
  }
}

#endif /* SMTP_MIME_H */
