/*
 * util.c - small helpers shared by the subcommands of `crm`.
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int cli_resolve(cli *x, const char *ref, crm_customer *out)
{
  int rc = crm_customer_resolve(x->c, ref, out);
  if(rc == CRM_ENOTFOUND) {
    fflush(stdout);
    fprintf(stderr, "crm: unknown customer %s\n", ref);
    return CLI_EUSER;
  }
  if(rc)
    return cli_fail(x, rc);
  return CLI_OK;
}

int cli_parse_time(const char *what, const char *text, int64_t *out)
{
  int rc = crm_time_parse(text, out);
  if(rc)
    return cli_usage_error("%s: bad date or time '%s' (use YYYY-MM-DD or "
                           "YYYY-MM-DDTHH:MM:SSZ)", what, text);
  return CLI_OK;
}

int cli_parse_count(const char *what, const char *text, int64_t *out)
{
  char *end;
  long long v;
  errno = 0;
  v = strtoll(text, &end, 10);
  if(errno || end == text || *end || v < 0)
    return cli_usage_error("%s: expected a whole number >= 0, not '%s'",
                           what, text);
  *out = (int64_t)v;
  return CLI_OK;
}

void cli_make_key(char *buf, size_t size)
{
  static unsigned counter;
  struct timespec ts;
  int64_t ms;
  clock_gettime(CLOCK_REALTIME, &ts);
  ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
  snprintf(buf, size, "cli-%" PRId64 "-%ld-%u", ms, (long)getpid(),
           ++counter);
}

void cli_fmt_money(int64_t minor, const char *currency, char *buf,
                   size_t size)
{
  char num[64];
  if(!currency || !*currency) {
    if(minor)
      snprintf(buf, size, "%" PRId64, minor);
    else
      snprintf(buf, size, "-");
    return;
  }
  if(crm_money_format(minor, currency, num, sizeof(num)))
    snprintf(num, sizeof(num), "%" PRId64, minor);
  snprintf(buf, size, "%s %s", num, currency);
}

int cli_unit_is_currency(const char *unit)
{
  size_t i;
  if(!unit)
    return 0;
  for(i = 0; i < 3; i++)
    if(unit[i] < 'A' || unit[i] > 'Z')
      return 0;
  return unit[3] == '\0';
}

void cli_amount(char *buf, size_t size, int64_t v, const char *unit,
                int flags)
{
  char num[64];
  const char *plus = (flags & CLI_AMOUNT_SIGN) && v > 0 ? "+" : "";
  int money = cli_unit_is_currency(unit);
  if(!money || crm_money_format(v, unit, num, sizeof(num)))
    snprintf(num, sizeof(num), "%" PRId64, v);
  if((flags & CLI_AMOUNT_BARE) || !unit || !*unit)
    snprintf(buf, size, "%s%s", plus, num);
  else
    snprintf(buf, size, "%s%s %s", plus, num, unit);
}

static void json_man(cli_json *j, const char *key, int v)
{
  if(v < 0)
    cli_json_null(j, key);
  else
    cli_json_bool(j, key, v);
}

void cli_json_customer_fields(cli_json *j, const crm_customer *cu)
{
  char num[64];
  cli_json_int(j, "id", cu->id);
  cli_json_str(j, "external_id", cu->external_id);
  cli_json_str(j, "name", cu->name[0] ? cu->name : NULL);
  cli_json_str(j, "email", cu->email[0] ? cu->email : NULL);
  cli_json_str(j, "phone", cu->phone[0] ? cu->phone : NULL);
  cli_json_str(j, "timezone", cu->timezone[0] ? cu->timezone : NULL);
  cli_json_str(j, "birthday", cu->birthday[0] ? cu->birthday : NULL);
  cli_json_str(j, "stage", crm_stage_name(cu->stage));
  cli_json_time(j, "stage_since", cu->stage_since);
  cli_json_time(j, "created_at", cu->created_at);
  cli_json_time(j, "first_purchase_at", cu->first_purchase_at);
  cli_json_time(j, "last_purchase_at", cu->last_purchase_at);
  cli_json_int(j, "purchases", cu->purchase_count);
  cli_json_int(j, "spend_minor", cu->monetary_total);
  if(cu->currency[0] &&
     !crm_money_format(cu->monetary_total, cu->currency, num, sizeof(num)))
    cli_json_str(j, "spend", num);
  else
    cli_json_null(j, "spend");
  cli_json_str(j, "currency", cu->currency[0] ? cu->currency : NULL);
  cli_json_int(j, "points", cu->points_balance);
  cli_json_int(j, "contacts", cu->contact_count);
  cli_json_begin_object(j, "man");
  json_man(j, "money", cu->man_money);
  json_man(j, "authority", cu->man_authority);
  json_man(j, "need", cu->man_need);
  cli_json_end(j);
}
