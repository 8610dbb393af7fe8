#include "crm/sdk.h"
static const crm_plugin_desc d = { CRM_PLUGIN_DESC_HEADER };
CRM_PLUGIN_DEFINE(d)
