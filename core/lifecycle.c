/* lifecycle.c - placeholder, being written */
#include "crm_int.h"
void crm__lifecycle_defaults(crm__lifecycle_cfg *lc)
{
  lc->repeat_purchases = 2;
  lc->loyal_purchases = 5;
  lc->window_days = 365;
  lc->at_risk_factor = 2.0;
  lc->at_risk_floor_days = 60;
  lc->lost_days = 365;
  lc->park_after_contacts = 12;
}
