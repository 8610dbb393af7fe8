/*
 * lifecycle_model.c - the at_risk_model lifecycle rule: a scoring
 * component judges a buying customer's silence.
 */
#include "crm_int.h"
