/*
 * error.c - error codes, the handle's message buffer, logging.
 */
#include <stdio.h>
#include <string.h>

#include "crm_int.h"

const char *crm_strerror(int code)
{
  switch(code) {
  case CRM_OK: return "ok";
  case CRM_ERROR: return "error";
  case CRM_EINVAL: return "invalid input";
  case CRM_ENOMEM: return "out of memory";
  case CRM_ENOTFOUND: return "not found";
  case CRM_EEXIST: return "already exists";
  case CRM_ERANGE: return "value too large";
  case CRM_ESTORE: return "store error";
  case CRM_ECONFIG: return "configuration error";
  case CRM_EPLUGIN: return "plugin error";
  case CRM_ENOTSUP: return "not supported";
  case CRM_ESTATE: return "not allowed in this state";
  case CRM_ECORRUPT: return "ledger mismatch";
  case CRM_ECANCELED: return "canceled";
  default: return "unknown error";
  }
}

int crm__verr(crm *c, int code, const char *fmt, va_list ap)
{
  if(!c)
    return code;
  c->errcode = code;
  vsnprintf(c->errmsg, sizeof(c->errmsg), fmt, ap);
  return code;
}

int crm__err(crm *c, int code, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  crm__verr(c, code, fmt, ap);
  va_end(ap);
  return code;
}

void crm__clear_err(crm *c)
{
  if(!c)
    return;
  c->errcode = CRM_OK;
  c->errmsg[0] = '\0';
}

const char *crm_errmsg(const crm *c)
{
  if(!c)
    return "out of memory";
  if(c->errcode == CRM_OK)
    return "ok";
  if(!c->errmsg[0])
    return crm_strerror(c->errcode);
  return c->errmsg;
}

int crm_errcode(const crm *c)
{
  if(!c)
    return CRM_ENOMEM;
  return c->errcode;
}

int crm__sqlerr(crm *c, int rc, const char *what)
{
  int code = CRM_ESTORE;
  const char *msg = c && c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc);

  if((rc & 0xff) == SQLITE_NOMEM)
    code = CRM_ENOMEM;
  else if((rc & 0xff) == SQLITE_CONSTRAINT)
    code = CRM_EEXIST;
  return crm__err(c, code, "store error: %s (%s)", msg, what);
}

static const char *crm__level_name(int level)
{
  switch(level) {
  case CRM_LOG_ERROR: return "error";
  case CRM_LOG_WARN: return "warning";
  case CRM_LOG_INFO: return "info";
  default: return "debug";
  }
}

void crm__log(crm *c, int level, const char *source, const char *fmt, ...)
{
  char buf[1024];
  va_list ap;

  if(c && level > c->log_level)
    return;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  if(c && c->log_fn) {
    c->log_fn(c->log_ud, level, source ? source : "core", buf);
    return;
  }
  fprintf(stderr, "crm: %s: %s%s%s\n", crm__level_name(level),
          source ? source : "", source ? ": " : "", buf);
}

void crm_set_log(crm *c, crm_log_fn fn, void *ud, int max_level)
{
  if(!c)
    return;
  c->log_fn = fn;
  c->log_ud = ud;
  c->log_level = max_level;
}
