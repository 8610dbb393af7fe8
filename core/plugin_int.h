/*
 * plugin_int.h - internals shared by the plugin modules: validation
 * (plugin_validate.c), loading (loader.c), applying configuration
 * (config_apply.c), the records (store_plugins.c) and crm_plugin_check
 * (plugin_check.c), so the loader and the checker refuse with the same
 * messages.
 */
#ifndef CRM_PLUGIN_INT_H
#define CRM_PLUGIN_INT_H

#include "crm_int.h"

/* Most components one plugin may declare. */
#define CRM__MAX_COMPONENTS 64

/* A plugin file that passed the checks. The component names and vtable
 * members are borrowed from the mapped plugin (plugin member NULL). */
typedef struct crm__pvalid {
  void *dl;
  crm_plugin_desc desc;  /* normalised: absent trailing members NULL */
  crm__component *comps; /* desc.n_components entries */
  size_t n_comps;
} crm__pvalid;

/* Refuses a file that is missing, not regular, or group/world-writable.
 * On refusal returns CRM_EPLUGIN with the reason in why. */
int crm__plugin_file_ok(const char *path, char *why, size_t why_size);

/* dlopens path (RTLD_NOW | RTLD_LOCAL) and runs the checks in the SDK's
 * order: entry symbol, magic, descriptor size, ABI, build signature,
 * mandatory callbacks, known component kinds, unique component names.
 * On refusal returns CRM_EPLUGIN, why holds the reason (the text after
 * "refused: ") and the file is closed again. CRM_ENOMEM: why says so. */
int crm__plugin_validate(const char *path, crm__pvalid *pv, char *why,
                         size_t why_size);

/* Before init only: frees the components and dlcloses. */
void crm__pvalid_close(crm__pvalid *pv);
/* Frees the components and forgets the handle (the code stays mapped). */
void crm__pvalid_release(crm__pvalid *pv);

/* "scoring", "reward", "channel", "complaint" or "unknown". */
const char *crm__kind_name(int kind);

/* Formats "name:kind,..." of a validated descriptor's components. */
void crm__components_text(const crm_plugin_desc *d, char *buf, size_t size);

/* ---- loader.c ------------------------------------------------------- */

/* Loads one entry of conf (or records it disabled). Returns 0 when the
 * core may run on (loaded, or an optional plugin recorded as refused or
 * failed); CRM_EPLUGIN for a required one (c's error holds the message);
 * CRM_ENOMEM / CRM_ESTORE when the core itself failed. */
int crm__plugin_load_one(crm *c, const crm__config *conf,
                         const crm__plugin_conf *pc);
/* Calls init then start; why receives "init returned -2: ..." on failure,
 * after which the plugin has been finalised again (if init had worked). */
int crm__plugin_boot(crm__plugin *p, char *why, size_t why_size);
/* Calls stop then fini of a running plugin. */
void crm__plugin_halt(crm__plugin *p);
/* Unlinks, unregisters the components and frees p. Never dlcloses. */
void crm__plugin_remove(crm *c, crm__plugin *p);
crm__plugin *crm__plugin_by_name(crm *c, const char *name);
/* 1 when the plugin has a state row (since the last clear). */
int crm__plugin_recorded(crm *c, const char *name);
/* Records the entries from `from` on that were not loaded because
 * required plugin `failed` stopped start-up; keeps c's error. */
void crm__plugins_record_skipped(crm *c, const crm__config *conf,
                                 size_t from, const char *failed);
/* Records a state and applies the policy: a required plugin that is not
 * loaded makes it return CRM_EPLUGIN with the message in c's error; an
 * optional one is logged as a warning. path and desc may be NULL. */
int crm__plugin_outcome(crm *c, const crm__plugin_conf *pc, const char *path,
                        const char *state, const char *why,
                        const crm_plugin_desc *desc);

/* ---- config_apply.c ------------------------------------------------- */

/* A configuration that a reload replaced while a plugin still runs with
 * its entry (the plugin refused the new one): kept in c->held_confs. */
typedef struct crm__held_conf {
  crm__config *conf;
  struct crm__held_conf *next;
} crm__held_conf;

/* Frees the held configurations that no plugin runs with any more. */
void crm__confs_prune(crm *c);

/* ---- store_plugins.c ------------------------------------------------ */

/* Forgets every recorded plugin state (before a fresh load). */
int crm__plugins_clear(crm *c);

#endif /* CRM_PLUGIN_INT_H */
