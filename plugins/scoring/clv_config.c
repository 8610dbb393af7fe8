/*
 * clv_config.c - the clv component's settings (its `config` group), all
 * optional and all checked when the plugin starts or is reconfigured:
 *
 *   time_unit = "week";              day | week | month | year
 *   calibration_end = "1997-09-30";  inclusive; default the fit's as_of day
 *   forecast_period = 52;            time units; default one year
 *   currency = "USD";                only these purchases count
 *   model = "bgnbd";                 bgnbd | pnbd
 *   fit_pnbd = false;                fit Pareto/NBD even when not used
 *   clv = { horizon_months = 12; discount_rate = 0.10; margin = 1.0; };
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "clv_int.h"

struct clv_unit {
  const char *name;
  double days;
  double per_year; /* default forecast_period */
};

static const struct clv_unit clv_units[] = {
  {"day", 1.0, 365.0},
  {"week", 7.0, 52.0},
  {"month", CLV_MONTH_DAYS, 12.0},
  {"year", 365.25, 1.0},
};

#define CLV_N_UNITS (sizeof(clv_units) / sizeof(clv_units[0]))

int64_t clv_day_of(int64_t t)
{
  if(t >= 0)
    return t / CLV_DAY;
  return -((-t + CLV_DAY - 1) / CLV_DAY);
}

/* ISO 4217 currencies whose minor unit is not 1/100 (list of 2024). */
struct clv_ccy {
  char code[4];
  int digits;
};

static const struct clv_ccy clv_ccys[] = {
  {"BHD", 3}, {"BIF", 0}, {"CLF", 4}, {"CLP", 0}, {"DJF", 0},
  {"GNF", 0}, {"IQD", 3}, {"ISK", 0}, {"JOD", 3}, {"JPY", 0},
  {"KMF", 0}, {"KRW", 0}, {"KWD", 3}, {"LYD", 3}, {"OMR", 3},
  {"PYG", 0}, {"RWF", 0}, {"TND", 3}, {"UGX", 0}, {"UYI", 0},
  {"UYW", 4}, {"VND", 0}, {"VUV", 0}, {"XAF", 0}, {"XOF", 0},
  {"XPF", 0},
};

int clv_ccy_digits(const char *ccy)
{
  size_t i;

  if(!ccy)
    return CLV_DEFAULT_DIGITS;
  for(i = 0; i < sizeof(clv_ccys) / sizeof(clv_ccys[0]); i++) {
    if(!strcmp(ccy, clv_ccys[i].code))
      return clv_ccys[i].digits;
  }
  return CLV_DEFAULT_DIGITS;
}

double clv_ccy_scale(const char *ccy)
{
  return pow(10.0, clv_ccy_digits(ccy));
}

void clv_money_format(char *buf, size_t size, double minor, const char *ccy,
                      double scale)
{
  int digits = CLV_DEFAULT_DIGITS;

  if(ccy && ccy[0])
    digits = clv_ccy_digits(ccy);
  else if(scale > 0)
    digits = (int)floor(log10(scale) + 0.5);
  snprintf(buf, size, "%.*f%s%s", digits, minor / pow(10.0, digits),
           ccy && ccy[0] ? " " : "", ccy ? ccy : "");
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t clv_days_from_civil(int64_t y, int m, int d)
{
  int64_t era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void clv_day_format(int64_t day, char *buf, size_t size)
{
  int64_t z = day + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int d = (int)(doy - (153 * mp + 2) / 5 + 1);
  int m = (int)(mp < 10 ? mp + 3 : mp - 9);
  int64_t y = yoe + era * 400 + (m <= 2);

  snprintf(buf, size, "%04lld-%02d-%02d", (long long)y, m, d);
}

static int clv_is_digits(const char *s, size_t n)
{
  size_t i;

  for(i = 0; i < n; i++) {
    if(s[i] < '0' || s[i] > '9')
      return 0;
  }
  return 1;
}

static int clv_num(const char *s, size_t n)
{
  int v = 0;
  size_t i;

  for(i = 0; i < n; i++)
    v = v * 10 + (s[i] - '0');
  return v;
}

/* "YYYY-MM-DD" -> UTC day number; -1 when not a real date. */
static int clv_parse_date(const char *s, int64_t *day)
{
  static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30,
                                31};
  int y, m, d, leap;

  if(strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
     !clv_is_digits(s, 4) || !clv_is_digits(s + 5, 2) ||
     !clv_is_digits(s + 8, 2))
    return -1;
  y = clv_num(s, 4);
  m = clv_num(s + 5, 2);
  d = clv_num(s + 8, 2);
  if(y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
    return -1;
  leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if(m == 2 && d == 29 && !leap)
    return -1;
  *day = clv_days_from_civil(y, m, d);
  return 0;
}

/* A string setting: 0 and *out set, 1 when absent, or an error. */
static int clv_get_str(const crm_host_api *api, crm_host_ctx *ctx,
                       const char *path, const char **out)
{
  int rc = api->cfg_get_str(ctx, path, out);

  if(rc == CRM_ENOTFOUND)
    return 1;
  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be a string", path);
  return rc;
}

static int clv_get_num(const crm_host_api *api, crm_host_ctx *ctx,
                       const char *path, double *out)
{
  int rc = api->cfg_get_float(ctx, path, out);

  if(rc == CRM_ENOTFOUND)
    return 1;
  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG, "%s must be a number", path);
  if(!rc && !isfinite(*out))
    return api->set_error(ctx, CRM_ECONFIG, "%s must be a finite number",
                          path);
  return rc;
}

static int clv_read_unit(const crm_host_api *api, crm_host_ctx *ctx,
                         struct clv_config *cfg, double *per_year)
{
  const char *s = NULL;
  size_t i;
  int rc = clv_get_str(api, ctx, "time_unit", &s);

  if(rc < 0)
    return rc;
  if(rc == 1)
    s = "week";
  for(i = 0; i < CLV_N_UNITS; i++) {
    if(!strcmp(s, clv_units[i].name)) {
      cfg->unit_name = clv_units[i].name;
      cfg->unit_days = clv_units[i].days;
      *per_year = clv_units[i].per_year;
      return CRM_OK;
    }
  }
  return api->set_error(ctx, CRM_ECONFIG,
                        "time_unit \"%s\" is not one of day, week, month, "
                        "year", s);
}

static int clv_read_calendar(const crm_host_api *api, crm_host_ctx *ctx,
                             struct clv_config *cfg, double per_year)
{
  const char *s = NULL;
  double f = per_year;
  int rc = clv_get_str(api, ctx, "calibration_end", &s);

  if(rc < 0)
    return rc;
  cfg->cal_end_day = -1;
  if(rc == 0 && clv_parse_date(s, &cfg->cal_end_day))
    return api->set_error(ctx, CRM_ECONFIG,
                          "calibration_end \"%s\" is not a date "
                          "(YYYY-MM-DD)", s);
  rc = clv_get_num(api, ctx, "forecast_period", &f);
  if(rc < 0)
    return rc;
  if(f <= 0 || f > 1e6)
    return api->set_error(ctx, CRM_ECONFIG,
                          "forecast_period must be a positive number of "
                          "time units (got %g)", f);
  cfg->forecast = f;
  return CRM_OK;
}

static int clv_read_currency(const crm_host_api *api, crm_host_ctx *ctx,
                             struct clv_config *cfg)
{
  const char *s = NULL;
  int rc = clv_get_str(api, ctx, "currency", &s);
  size_t i;

  cfg->currency[0] = '\0';
  if(rc)
    return rc < 0 ? rc : CRM_OK;
  if(strlen(s) != 3)
    return api->set_error(ctx, CRM_ECONFIG,
                          "currency \"%s\" is not a 3-letter code (e.g. "
                          "USD)", s);
  for(i = 0; i < 3; i++) {
    if(s[i] < 'A' || s[i] > 'Z')
      return api->set_error(ctx, CRM_ECONFIG,
                            "currency \"%s\" is not a 3-letter code (e.g. "
                            "USD)", s);
  }
  memcpy(cfg->currency, s, 4);
  return CRM_OK;
}

static int clv_read_model(const crm_host_api *api, crm_host_ctx *ctx,
                          struct clv_config *cfg)
{
  const char *s = NULL;
  int rc = clv_get_str(api, ctx, "model", &s);

  if(rc < 0)
    return rc;
  cfg->model = CLV_BGNBD;
  if(rc == 0 && !strcmp(s, "pnbd"))
    cfg->model = CLV_PNBD;
  else if(rc == 0 && strcmp(s, "bgnbd") != 0)
    return api->set_error(ctx, CRM_ECONFIG,
                          "model \"%s\" is not one of bgnbd, pnbd", s);
  cfg->fit_pnbd = 0;
  rc = api->cfg_get_bool(ctx, "fit_pnbd", &cfg->fit_pnbd);
  if(rc == CRM_EINVAL)
    return api->set_error(ctx, CRM_ECONFIG,
                          "fit_pnbd must be true or false");
  if(rc && rc != CRM_ENOTFOUND)
    return rc;
  return CRM_OK;
}

static int clv_read_value(const crm_host_api *api, crm_host_ctx *ctx,
                          struct clv_config *cfg)
{
  double h = 12;
  double rate = 0.10;
  double margin = 1.0;
  int rc;

  rc = clv_get_num(api, ctx, "clv.horizon_months", &h);
  if(rc < 0)
    return rc;
  if(h < 1 || h > 1200 || h != floor(h))
    return api->set_error(ctx, CRM_ECONFIG,
                          "clv.horizon_months must be a whole number from "
                          "1 to 1200 (got %g)", h);
  rc = clv_get_num(api, ctx, "clv.discount_rate", &rate);
  if(rc < 0)
    return rc;
  if(rate < 0 || rate > 1)
    return api->set_error(ctx, CRM_ECONFIG,
                          "clv.discount_rate must be an annual rate from 0 "
                          "to 1 (got %g)", rate);
  rc = clv_get_num(api, ctx, "clv.margin", &margin);
  if(rc < 0)
    return rc;
  if(margin <= 0 || margin > 1)
    return api->set_error(ctx, CRM_ECONFIG,
                          "clv.margin must be above 0 and at most 1 (got "
                          "%g)", margin);
  cfg->horizon_months = (int)h;
  cfg->discount_rate = rate;
  cfg->margin = margin;
  return CRM_OK;
}

int clv_config_read(const crm_host_api *api, crm_host_ctx *ctx,
                    struct clv_config *out)
{
  struct clv_config cfg;
  double per_year = 52;
  int rc;

  memset(&cfg, 0, sizeof(cfg));
  rc = clv_read_unit(api, ctx, &cfg, &per_year);
  if(!rc)
    rc = clv_read_calendar(api, ctx, &cfg, per_year);
  if(!rc)
    rc = clv_read_currency(api, ctx, &cfg);
  if(!rc)
    rc = clv_read_model(api, ctx, &cfg);
  if(!rc)
    rc = clv_read_value(api, ctx, &cfg);
  if(rc)
    return rc;
  *out = cfg;
  return CRM_OK;
}
