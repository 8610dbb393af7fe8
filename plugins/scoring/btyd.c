/*
 * btyd.c - BG/NBD, Pareto/NBD and Gamma-Gamma (see btyd.h).
 */
#include "btyd.h"

const char *btyd_strerror(int rc)
{
  (void)rc;
  return "not implemented";
}
