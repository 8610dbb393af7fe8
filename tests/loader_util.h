/*
 * loader_util.h - helpers for the loader, config, host and torture tests:
 * scratch directories, config files, log capture, plugin states.
 */
#ifndef LOADER_UTIL_H
#define LOADER_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "crm_int.h"
#include "plugin_int.h"

#define FIXDIR CRM_TEST_FIXTURE_DIR
#define LT_PATH 1024

/* A scratch directory, removed (with its files) by lt_dir_done. */
typedef struct lt_dir {
  char path[LT_PATH / 2];
} lt_dir;

void lt_dir_init(lt_dir *d);
void lt_dir_done(lt_dir *d);
/* Writes dir/name with the text; returns the path in a static buffer
 * that the next call overwrites. */
const char *lt_write(const lt_dir *d, const char *name, const char *text);
/* printf into a static buffer (one at a time). */
const char *lt_fmt(const char *fmt, ...) CRM__PRINTF(1, 2);

/* Captured log lines "level source: msg\n". */
typedef struct lt_log {
  char text[16384];
} lt_log;

void lt_log_attach(crm *c, lt_log *log);
int lt_log_has(const lt_log *log, const char *needle);

/* The recorded state of one plugin, "" when not recorded. */
typedef struct lt_pstate {
  char state[16];
  char reason[CRM__ERRMSG_SIZE];
  char version[32];
  char vendor[64];
  char components[256];
  char path[LT_PATH];
  int required;
  int found;
} lt_pstate;

lt_pstate lt_state(crm *c, const char *name);
/* Number of recorded plugins. */
int lt_count_states(crm *c);

/* kv counter of a plugin as an int; 0 when absent. */
long lt_kv_int(crm *c, const char *plugin, const char *key);
/* 1 if the kv key exists. */
int lt_kv_has(crm *c, const char *plugin, const char *key);

/* Calls the reward component's on_event directly; returns its rc and
 * the points in *points. */
int lt_reward(crm *c, const char *comp, const char *type, int64_t *points);

/* 1 while the file is mapped in this process (dlopen RTLD_NOLOAD). */
int lt_mapped(const char *path);

/* Opens a store (":memory:" when path is NULL) with a fixed clock. */
crm *lt_open(const char *store_path);

/* main() of the per-case runners: `prog CASE` runs case_CASE alone (one
 * ctest entry per case); `prog` runs every case, each in a child
 * process of its own. */
int lt_main(int argc, char **argv, const char *group,
            const struct CMUnitTest *tests, size_t n);

#endif /* LOADER_UTIL_H */
