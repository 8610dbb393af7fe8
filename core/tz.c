/*
 * tz.c - time zones read from the system tz database.
 *
 * A zone is a TZif file (RFC 8536 / RFC 9636, versions 1 to 4) under
 * $TZDIR, else CRM__ZONEINFO: transition times, local time types (UT
 * offset, DST flag, abbreviation) and, in version 2 and later, a POSIX TZ
 * string in the footer that gives local time after the last transition
 * ("CET-1CEST,M3.5.0,M10.5.0/3"). The 64-bit block is used when present.
 * Nothing here touches the process time zone (no TZ, tzset, localtime):
 * each handle keeps its own cache of the zones it has read (until it is
 * closed: a zone pointer handed out stays valid), so handles used by
 * different threads never share state.
 */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tz_int.h"


struct crm__tz {
  struct crm__tz *next; /* cache: most recently used first */
  const char *key;      /* the file read */
  const int64_t *trans; /* ascending */
  const unsigned char *idx; /* type of each transition */
  const tz_type *types;
  size_t n_trans;
  size_t n_types;
  int has_rule; /* the footer applies from the last transition on */
  tz_rule rule;
};

struct crm__tz_cache {
  crm__tz *head;
  size_t n;
};

static const tz_type tz_utc_type = {0, 0, "UTC"};
static const crm__tz tz_utc = {NULL, "UTC", NULL, NULL, &tz_utc_type,
                               0, 1, 0, {{0, 0, ""}, {0, 0, ""}, 0,
                                         {0, 0, 0, 0, 0},
                                         {0, 0, 0, 0, 0}}};

/* ---- lookups --------------------------------------------------------- */

/* The local time type at t (clamped). */
static const tz_type *tz_type_at(const crm__tz *z, int64_t t)
{
  size_t lo, hi;

  if(z->n_trans == 0)
    return z->has_rule ? crm__tz_rule_type(&z->rule, t) : &z->types[0];
  if(t < z->trans[0])
    return &z->types[0];
  if(t >= z->trans[z->n_trans - 1]) {
    if(z->has_rule)
      return crm__tz_rule_type(&z->rule, t);
    return &z->types[z->idx[z->n_trans - 1]];
  }
  /* trans[lo] <= t < trans[hi] */
  lo = 0;
  hi = z->n_trans - 1;
  while(hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;

    if(z->trans[mid] <= t)
      lo = mid;
    else
      hi = mid;
  }
  return &z->types[z->idx[lo]];
}

void crm__tz_local(const crm__tz *z, int64_t utc, crm__localtm *out)
{
  const tz_type *ty;
  int64_t local, days, secs;

  if(!z)
    z = &tz_utc;
  memset(out, 0, sizeof(*out));
  utc = crm__tz_clamp(utc);
  ty = tz_type_at(z, utc);
  local = utc + ty->off;
  days = crm__tz_floor_div(local, TZ_DAY);
  secs = local - days * TZ_DAY;
  crm__days_to_civil(days, &out->year, &out->month, &out->day);
  out->wday = crm__tz_weekday(days);
  out->minute = (int)(secs / 60);
  out->second = (int)(secs % 60);
  out->offset = ty->off;
  out->is_dst = ty->isdst;
  memcpy(out->abbr, ty->abbr, sizeof(ty->abbr));
}

static void tz_add_pt(int64_t *pts, size_t *n, int64_t t)
{
  size_t i;

  if(*n >= TZ_PTS_MAX)
    return;
  for(i = *n; i > 0 && pts[i - 1] > t; i--)
    pts[i] = pts[i - 1];
  if(i > 0 && pts[i - 1] == t) {
    memmove(&pts[i], &pts[i + 1], (*n - i) * sizeof(*pts));
    return;
  }
  pts[i] = t;
  (*n)++;
}

/* Transitions strictly inside (lo, hi), in order. */
static size_t tz_transitions(const crm__tz *z, int64_t lo, int64_t hi,
                             int64_t *pts)
{
  size_t n = 0;
  size_t a = 0, b = z->n_trans;
  int64_t y;

  /* first index with trans > lo */
  while(a < b) {
    size_t mid = a + (b - a) / 2;

    if(z->trans[mid] <= lo)
      a = mid + 1;
    else
      b = mid;
  }
  for(; a < z->n_trans && z->trans[a] < hi; a++)
    tz_add_pt(pts, &n, z->trans[a]);
  if(!z->has_rule || !z->rule.has_dst)
    return n;
  for(y = crm__tz_year_of(lo) - 1; y <= crm__tz_year_of(hi) + 1; y++) {
    int64_t ev[2];
    int i;

    crm__tz_rule_year(&z->rule, y, &ev[0], &ev[1]);
    for(i = 0; i < 2; i++) {
      if(ev[i] > lo && ev[i] < hi &&
         (z->n_trans == 0 || ev[i] > z->trans[z->n_trans - 1]))
        tz_add_pt(pts, &n, ev[i]);
    }
  }
  return n;
}

int64_t crm__tz_to_utc(const crm__tz *z, int64_t local)
{
  int64_t pts[TZ_PTS_MAX + 2];
  int64_t lo, hi;
  size_t n, i;

  if(!z)
    z = &tz_utc;
  local = crm__tz_clamp(local);
  /* Every t with t + off(t) == local lies in [lo, hi). */
  lo = local - TZ_OFF_MAX;
  hi = local - TZ_OFF_MIN + 1;
  pts[0] = lo;
  n = tz_transitions(z, lo, hi, pts + 1) + 1;
  pts[n] = hi;
  /* The earliest instant showing that wall time. */
  for(i = 0; i < n; i++) {
    int64_t t = local - tz_type_at(z, pts[i])->off;

    if(t >= pts[i] && t < pts[i + 1])
      return t;
  }
  /* In a gap: the first instant whose wall time is past it. */
  for(i = 0; i < n; i++) {
    if(pts[i] + tz_type_at(z, pts[i])->off > local)
      return pts[i];
  }
  return local - tz_type_at(z, local)->off;
}

/* ---- TZif files ------------------------------------------------------ */

typedef struct tz_hdr {
  int version; /* 1, 2, 3, 4 */
  uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
} tz_hdr;

static uint32_t tz_be32(const unsigned char *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

static int64_t tz_be64(const unsigned char *p)
{
  uint64_t v = (uint64_t)tz_be32(p) << 32 | tz_be32(p + 4);

  return v > (uint64_t)INT64_MAX ? -(int64_t)(~v) - 1 : (int64_t)v;
}

static int32_t tz_s32(const unsigned char *p)
{
  uint32_t v = tz_be32(p);

  return v > (uint32_t)INT32_MAX ? -(int32_t)(~v) - 1 : (int32_t)v;
}

/* The 44-byte header at p (n bytes left); NULL or the reason it is bad. */
static const char *tz_header(const unsigned char *p, size_t n, tz_hdr *h)
{
  if(n < 44)
    return "shorter than its header";
  if(memcmp(p, "TZif", 4) != 0)
    return "not a TZif file";
  if(p[4] == 0)
    h->version = 1;
  else if(p[4] >= '2' && p[4] <= '4')
    h->version = p[4] - '0';
  else
    return "unsupported TZif version";
  h->isutcnt = tz_be32(p + 20);
  h->isstdcnt = tz_be32(p + 24);
  h->leapcnt = tz_be32(p + 28);
  h->timecnt = tz_be32(p + 32);
  h->typecnt = tz_be32(p + 36);
  h->charcnt = tz_be32(p + 40);
  return NULL;
}

/* Bytes of the data block after a header (tsz: 4 or 8 bytes a time). */
static uint64_t tz_block_size(const tz_hdr *h, unsigned tsz)
{
  return (uint64_t)h->timecnt * (tsz + 1) + (uint64_t)h->typecnt * 6 +
         h->charcnt + (uint64_t)h->leapcnt * (tsz + 4) + h->isstdcnt +
         h->isutcnt;
}

/* Checks the block's counts; NULL or the reason. */
static const char *tz_check_counts(const tz_hdr *h)
{
  if(h->typecnt == 0 || h->typecnt > 256)
    return "bad number of local time types";
  if(h->charcnt == 0)
    return "no time zone abbreviations";
  if((h->isstdcnt && h->isstdcnt != h->typecnt) ||
     (h->isutcnt && h->isutcnt != h->typecnt))
    return "indicator counts do not match the types";
  if(h->leapcnt)
    return "it has leap second records (right/ zones are not supported)";
  return NULL;
}

/* Copies the types of the block into types; NULL or the reason. */
static const char *tz_read_types(const unsigned char *p, const tz_hdr *h,
                                 const unsigned char *chars, tz_type *types)
{
  uint32_t i;

  for(i = 0; i < h->typecnt; i++) {
    const unsigned char *t = p + 6 * i;
    const unsigned char *a;
    const unsigned char *nul;
    size_t len;

    types[i].off = tz_s32(t);
    if(types[i].off < TZ_OFF_MIN || types[i].off > TZ_OFF_MAX)
      return "UT offset out of range";
    if(t[4] > 1)
      return "bad DST flag";
    types[i].isdst = t[4];
    if(t[5] >= h->charcnt)
      return "abbreviation index out of range";
    a = chars + t[5];
    nul = memchr(a, 0, h->charcnt - t[5]);
    if(!nul)
      return "unterminated abbreviation";
    len = (size_t)(nul - a);
    if(len > TZ_ABBR_MAX)
      len = TZ_ABBR_MAX;
    memcpy(types[i].abbr, a, len);
    types[i].abbr[len] = '\0';
  }
  return NULL;
}

/* Builds the zone from the data block at p (its header h, times of tsz
 * bytes) and the footer (NULL: none). CRM_OK, CRM_ENOMEM, or CRM_EINVAL
 * with *why set. */
static int tz_build(const unsigned char *p, const tz_hdr *h, unsigned tsz,
                    const char *footer, const char *key, crm__tz **out,
                    const char **why)
{
  size_t n = h->timecnt, m = h->typecnt, klen = strlen(key);
  const unsigned char *times = p;
  const unsigned char *idx = times + n * tsz;
  const unsigned char *ttinfo = idx + n;
  const unsigned char *chars = ttinfo + 6 * m;
  unsigned char *mem;
  int64_t *trans;
  tz_type *types;
  crm__tz *z;
  size_t i;

  *why = tz_check_counts(h);
  if(*why)
    return CRM_EINVAL;
  mem = crm__calloc(1, sizeof(*z) + n * sizeof(int64_t) +
                           m * sizeof(tz_type) + n + klen + 1);
  if(!mem)
    return CRM_ENOMEM;
  z = (crm__tz *)(void *)mem;
  trans = (int64_t *)(void *)(mem + sizeof(*z));
  types = (tz_type *)(void *)(trans + n);
  z->idx = (unsigned char *)(types + m);
  z->key = (char *)(types + m) + n;
  memcpy((char *)z->key, key, klen + 1);
  memcpy((unsigned char *)z->idx, idx, n);
  z->trans = trans;
  z->types = types;
  z->n_trans = n;
  z->n_types = m;
  for(i = 0; i < n && !*why; i++) {
    trans[i] = tsz == 8 ? tz_be64(times + 8 * i) : tz_s32(times + 4 * i);
    if(i > 0 && trans[i] <= trans[i - 1])
      *why = "transition times out of order";
    else if(idx[i] >= m)
      *why = "transition type index out of range";
  }
  if(!*why)
    *why = tz_read_types(ttinfo, h, chars, types);
  if(!*why && footer && *footer) {
    if(crm__tz_rule_parse(footer, &z->rule) == 0)
      z->has_rule = 1;
    else
      *why = "bad TZ string in the footer";
  }
  if(*why) {
    crm__free(mem);
    return CRM_EINVAL;
  }
  *out = z;
  return CRM_OK;
}

/* Parses a whole file (n bytes at buf, which it may change). */
static int tz_parse(unsigned char *buf, size_t n, const char *key,
                    crm__tz **out, const char **why)
{
  tz_hdr h;
  uint64_t size;
  unsigned char *p = buf;
  char *footer, *nl;
  size_t left;

  *why = tz_header(p, n, &h);
  if(*why)
    return CRM_EINVAL;
  size = tz_block_size(&h, 4);
  if(size > n - 44) {
    *why = "truncated data block";
    return CRM_EINVAL;
  }
  if(h.version == 1)
    return tz_build(p + 44, &h, 4, NULL, key, out, why);
  /* Version 2+: a second header and block with 64-bit times, then
   * "\n" TZ string "\n". */
  p += 44 + size;
  n -= 44 + (size_t)size;
  *why = tz_header(p, n, &h);
  if(*why)
    return CRM_EINVAL;
  size = tz_block_size(&h, 8);
  if(size > n - 44) {
    *why = "truncated data block";
    return CRM_EINVAL;
  }
  left = n - 44 - (size_t)size;
  footer = (char *)p + 44 + size;
  nl = left >= 2 && footer[0] == '\n' ? memchr(footer + 1, '\n', left - 1)
                                       : NULL;
  if(!nl || memchr(footer + 1, 0, (size_t)(nl - footer - 1))) {
    *why = "no footer";
    return CRM_EINVAL;
  }
  *nl = '\0';
  return tz_build(p + 44, &h, 8, footer + 1, key, out, why);
}

/* Reads the file; CRM_ENOTFOUND when it cannot be opened as a regular
 * file, else as tz_parse. */
static int tz_read(const char *path, crm__tz **out, const char **why)
{
  FILE *f = fopen(path, "rb");
  struct stat st;
  unsigned char *buf = NULL;
  size_t n;
  int rc = CRM_ENOTFOUND;

  *why = NULL;
  if(!f)
    return CRM_ENOTFOUND;
  if(fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
    goto done;
  rc = CRM_EINVAL;
  *why = "larger than 1 MiB";
  if(st.st_size > TZ_FILE_MAX)
    goto done;
  *why = NULL;
  rc = CRM_ENOMEM;
  buf = crm__malloc((size_t)st.st_size + 1);
  if(!buf)
    goto done;
  n = fread(buf, 1, (size_t)st.st_size, f);
  rc = ferror(f) ? CRM_ENOTFOUND : tz_parse(buf, n, path, out, why);
done:
  fclose(f);
  crm__free(buf);
  return rc;
}

/* ---- names and the cache --------------------------------------------- */

/* The rules of crm__check_timezone (validate.c). */
static int tz_name_ok(const char *s)
{
  size_t i;

  if(strlen(s) > CRM_TZ_MAX || s[0] == '/' || strstr(s, "..") ||
     strstr(s, "//"))
    return 0;
  for(i = 0; s[i]; i++) {
    unsigned char ch = (unsigned char)s[i];

    if(!isalnum(ch) && !strchr("_+-/", ch))
      return 0;
  }
  return 1;
}

static crm__tz *tz_cache_find(struct crm__tz_cache *tc, const char *key)
{
  crm__tz **pp;

  for(pp = &tc->head; *pp; pp = &(*pp)->next) {
    crm__tz *z = *pp;

    if(strcmp(z->key, key) == 0) {
      *pp = z->next; /* to the front */
      z->next = tc->head;
      tc->head = z;
      return z;
    }
  }
  return NULL;
}

/* Zones are never evicted: a crm__tz handed out stays valid until the
 * handle closes, whatever other zones are read meanwhile (an evicted one
 * would be freed under a caller still holding it). The cache is bounded
 * by the files of the tz database (a few hundred zones of a few KiB). */
static void tz_cache_add(struct crm__tz_cache *tc, crm__tz *z)
{
  z->next = tc->head;
  tc->head = z;
  tc->n++;
}

int crm__tz_get(crm *c, const char *name, const crm__tz **out)
{
  char path[4096];
  const char *dir = getenv("TZDIR");
  const char *why = NULL;
  crm__tz *z = NULL;
  int rc, n;

  *out = NULL;
  if(!name || !*name || strcmp(name, "UTC") == 0) {
    *out = &tz_utc;
    return CRM_OK;
  }
  if(!c)
    return CRM_EINVAL;
  if(!tz_name_ok(name))
    return crm__err(c, CRM_EINVAL, "unknown time zone \"%.*s\"", CRM_TZ_MAX,
                    name);
  if(!dir || !*dir)
    dir = CRM__ZONEINFO;
  n = snprintf(path, sizeof(path), "%s/%s", dir, name);
  if(n < 0 || (size_t)n >= sizeof(path))
    return crm__err(c, CRM_EINVAL, "unknown time zone \"%s\"", name);
  if(!c->tz_cache) {
    c->tz_cache = crm__calloc(1, sizeof(*c->tz_cache));
    if(!c->tz_cache)
      return crm__err(c, CRM_ENOMEM, "out of memory reading time zone "
                      "\"%s\"", name);
  }
  z = tz_cache_find(c->tz_cache, path);
  if(z) {
    *out = z;
    return CRM_OK;
  }
  rc = tz_read(path, &z, &why);
  if(rc == CRM_ENOMEM)
    return crm__err(c, CRM_ENOMEM, "out of memory reading time zone \"%s\"",
                    name);
  if(rc == CRM_ENOTFOUND)
    return crm__err(c, CRM_EINVAL, "unknown time zone \"%s\"", name);
  if(rc)
    return crm__err(c, CRM_EINVAL, "time zone file %s is damaged: %s", path,
                    why);
  tz_cache_add(c->tz_cache, z);
  *out = z;
  return CRM_OK;
}

void crm__tz_cache_free(crm *c)
{
  crm__tz *z;

  if(!c || !c->tz_cache)
    return;
  z = c->tz_cache->head;
  while(z) {
    crm__tz *next = z->next;

    crm__free(z);
    z = next;
  }
  crm__free(c->tz_cache);
  c->tz_cache = NULL;
}
