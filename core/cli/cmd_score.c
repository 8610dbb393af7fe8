/*
 * cmd_score.c - crm score fit | show | figures (run stays in cmd_misc.c).
 */
#include "cli.h"

const cli_cmd cli_cmds_score[] = {
  {NULL, NULL, NULL, NULL, NULL, NULL},
};
