/* loader.c - placeholder, being written */
#include "crm_int.h"
void crm__plugins_unload(crm *c) { (void)c; }
