/* config.c - placeholder, being written */
#include "crm_int.h"
void crm__config_free(crm__config *conf) { (void)conf; }
