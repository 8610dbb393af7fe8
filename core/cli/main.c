#include "crm/crm.h"
int main(void) { return 0; }
