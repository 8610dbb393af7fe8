/* host.c - placeholder, being written */
#include "crm_int.h"
