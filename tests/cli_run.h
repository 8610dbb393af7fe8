/*
 * cli_run.h - running the built `crm` binary from cmocka tests.
 *
 * Each test has its own fresh temporary directory (setup / teardown),
 * in which crm runs with posix_spawn, stdout and stderr captured to files
 * and the CRM_* environment removed. JSON output is checked with the strict
 * parser of cli_json.c. The binary is CRM_TEST_CLI, a compile definition
 * of each test executable.
 */
#ifndef CRM_TEST_CLI_RUN_H
#define CRM_TEST_CLI_RUN_H

#include <stdint.h>

#include "cli_json.h"

/* The outcome of one run: exit code, stdout and stderr (malloc'ed). */
struct run {
  int code;
  char *out;
  char *err;
};

/* The test's temporary directory, made by setup(). */
extern char cli_tmpdir[512];

/* cmocka setup / teardown: make and remove cli_tmpdir. */
int setup(void **state);
int teardown(void **state);

/* The whole file at path (malloc'ed); fails the test when unreadable. */
char *slurp(const char *path);
/* Writes text to cli_tmpdir/name. */
void put_file(const char *name, const char *text);
/* Whether cli_tmpdir/name exists. */
int exists(const char *name);

/* Runs crm with args (NULL-terminated) in cli_tmpdir; stdin from
 * stdin_file (relative to cli_tmpdir) or /dev/null. */
void crm_run_in(struct run *r, const char *stdin_file,
                const char *const *args);
void run_free(struct run *r);

/* JSON look-ups that fail the test when the value is missing or of
 * another type: a string, a number, the length of an array or object
 * (path NULL: the document itself). */
const char *jstr(const tj *doc, const char *path);
int64_t jint(const tj *doc, const char *path);
size_t jlen(const tj *doc, const char *path);

#define CRM(r, ...)                                                           \
  crm_run_in(r, NULL, (const char *const[]){__VA_ARGS__, NULL})
#define CRM_STDIN(r, file, ...)                                               \
  crm_run_in(r, file, (const char *const[]){__VA_ARGS__, NULL})

/* Fails unless the exit code is code and stdout / stderr contain in_out /
 * in_err (NULL: not checked). */
void expect(const struct run *r, int code, const char *in_out,
            const char *in_err);
/* stdout parsed as JSON; fails the test when it is not. */
tj *parse_out(const struct run *r);

/* A fresh store s.db in cli_tmpdir. */
void init_store(void);

#endif /* CRM_TEST_CLI_RUN_H */
