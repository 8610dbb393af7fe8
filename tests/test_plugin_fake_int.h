/*
 * test_plugin_fake_int.h - shared between the fake host's files.
 */
#ifndef TEST_PLUGIN_FAKE_INT_H
#define TEST_PLUGIN_FAKE_INT_H

#include "test_plugin_fake.h"

int fake_set_error(crm_host_ctx *h, int code, const char *fmt, ...)
    CRM__PRINTF(3, 4);
int fake_json_get(crm_host_ctx *h, const char *json, const char *path,
                  char *buf, size_t size);
/* The score (customer, name) of h->model, created when absent. */
struct fake_score *fake_score_slot(crm_host_ctx *h, int64_t id,
                                   const char *name);
/* Puts the 1.3 services (and customer_get) in the table. */
void fake__install_1_3(crm_host_ctx *h);

#endif
