/*
 * plugin_validate.c - opening a plugin file and checking its descriptor.
 *
 * The one place that decides whether a .so is a usable crmcore plugin.
 * Checks run in the order sdk/crm/sdk.h documents, each with its own
 * reason in the PostgreSQL manner: what is wrong, why, how to fix it.
 * Every struct read from the plugin is copied as min(its struct_size,
 * what this core knows) into a zeroed struct, so members a plugin built
 * against an older SDK lacks read as NULL.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "plugin_int.h"

#define CRM__COMP_V1_0_SIZE \
  (offsetof(crm_component, vtable) + sizeof(const void *))

const char *crm__kind_name(int kind)
{
  switch(kind) {
  case CRM_KIND_SCORING: return "scoring";
  case CRM_KIND_REWARD: return "reward";
  case CRM_KIND_CHANNEL: return "channel";
  case CRM_KIND_COMPLAINT: return "complaint";
  default: return "unknown";
  }
}

static int crm__refuse(char *why, size_t size, const char *fmt, ...)
    CRM__PRINTF(3, 4);

static int crm__refuse(char *why, size_t size, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(why, size, fmt, ap);
  va_end(ap);
  return CRM_EPLUGIN;
}

int crm__plugin_file_ok(const char *path, char *why, size_t why_size)
{
  struct stat st;

  if(stat(path, &st) != 0)
    return crm__refuse(why, why_size, "cannot open: %s; check the path "
                       "and that the plugin is installed", strerror(errno));
  if(!S_ISREG(st.st_mode))
    return crm__refuse(why, why_size, "not a regular file; point the "
                       "configuration at the plugin's .so file");
  if(st.st_mode & (S_IWGRP | S_IWOTH))
    return crm__refuse(why, why_size, "file is group- or world-writable "
                       "(mode %04o); remove write access with chmod go-w",
                       (unsigned)(st.st_mode & 07777));
  return CRM_OK;
}

/* ---- descriptor header ---------------------------------------------- */

static const crm_plugin_desc *crm__entry(void *dl, char *why, size_t size,
                                         int *rc)
{
  crm_plugin_entry_fn fn;
  void *sym;
  const char *err;
  const crm_plugin_desc *d;

  dlerror();
  sym = dlsym(dl, CRM_PLUGIN_ENTRY_SYMBOL);
  err = dlerror();
  if(err || !sym) {
    *rc = crm__refuse(why, size, "no entry point %s; build it with "
                      "CRM_PLUGIN_DEFINE from crm/sdk.h",
                      CRM_PLUGIN_ENTRY_SYMBOL);
    return NULL;
  }
  /* POSIX guarantees a function's address survives the void * trip. */
  memcpy(&fn, &sym, sizeof(fn));
  d = fn();
  if(!d)
    *rc = crm__refuse(why, size, "entry point %s returned no descriptor; "
                      "return the address of a static crm_plugin_desc",
                      CRM_PLUGIN_ENTRY_SYMBOL);
  return d;
}

static int crm__check_header(const crm_plugin_desc *d, char *why,
                             size_t size)
{
  if(d->magic != CRM_PLUGIN_MAGIC)
    return crm__refuse(why, size, "bad magic 0x%08X; not a crmcore plugin",
                       (unsigned)d->magic);
  if(d->struct_size < CRM_PLUGIN_DESC_V1_0_SIZE)
    return crm__refuse(why, size, "descriptor size %u is smaller than SDK "
                       "1.0's %zu; rebuild against crm-sdk %d.x",
                       (unsigned)d->struct_size, CRM_PLUGIN_DESC_V1_0_SIZE,
                       CRM_SDK_ABI_MAJOR);
  if(d->abi_major != CRM_SDK_ABI_MAJOR)
    return crm__refuse(why, size, "built for SDK ABI %u.%u, core has %d.%d; "
                       "rebuild against crm-sdk %d.x", (unsigned)d->abi_major,
                       (unsigned)d->abi_minor, CRM_SDK_ABI_MAJOR,
                       CRM_SDK_ABI_MINOR, CRM_SDK_ABI_MAJOR);
  if(d->abi_minor > CRM_SDK_ABI_MINOR)
    return crm__refuse(why, size, "built for SDK ABI %u.%u, core has %d.%d; "
                       "rebuild against crm-sdk %d.%d or upgrade crmcore",
                       (unsigned)d->abi_major, (unsigned)d->abi_minor,
                       CRM_SDK_ABI_MAJOR, CRM_SDK_ABI_MINOR,
                       CRM_SDK_ABI_MAJOR, CRM_SDK_ABI_MINOR);
  return CRM_OK;
}

static int crm__check_desc(const crm_plugin_desc *d, char *why, size_t size)
{
  const char *sig = d->build_sig;

  if(!sig || strcmp(sig, CRM_SDK_BUILD_SIG) != 0)
    return crm__refuse(why, size, "build signature \"%s\" differs from the "
                       "core's \"%s\"; rebuild for this platform",
                       sig ? sig : "(none)", CRM_SDK_BUILD_SIG);
  if(!d->name || !d->name[0])
    return crm__refuse(why, size, "descriptor has no name; set .name in "
                       "the descriptor");
  if(!d->init)
    return crm__refuse(why, size, "missing mandatory callback init; every "
                       "plugin must define init and fini");
  if(!d->fini)
    return crm__refuse(why, size, "missing mandatory callback fini; every "
                       "plugin must define init and fini");
  if(d->n_components > CRM__MAX_COMPONENTS)
    return crm__refuse(why, size, "declares %u components, more than the "
                       "%d allowed; split the plugin",
                       (unsigned)d->n_components, CRM__MAX_COMPONENTS);
  if(d->n_components > 0 && !d->components)
    return crm__refuse(why, size, "declares %u components but the list is "
                       "NULL; fix .components", (unsigned)d->n_components);
  return CRM_OK;
}

/* ---- components ----------------------------------------------------- */

/* Copies a vtable as min(its struct_size, ours) into a zeroed one. */
static void crm__copy_vt(void *dst, size_t known, const void *src)
{
  uint32_t have;
  size_t n;

  memset(dst, 0, known);
  if(!src)
    return;
  memcpy(&have, src, sizeof(have));
  n = have < known ? have : known;
  memcpy(dst, src, n);
}

/* The first mandatory member a known kind's vtable lacks, or NULL. */
static const char *crm__vt_missing(crm__component *k, const void *src)
{
  switch(k->kind) {
  case CRM_KIND_SCORING:
    crm__copy_vt(&k->vt.scoring, sizeof(k->vt.scoring), src);
    return k->vt.scoring.score_batch ? NULL : "score_batch";
  case CRM_KIND_REWARD:
    crm__copy_vt(&k->vt.reward, sizeof(k->vt.reward), src);
    return k->vt.reward.on_event ? NULL : "on_event";
  case CRM_KIND_CHANNEL:
    crm__copy_vt(&k->vt.channel, sizeof(k->vt.channel), src);
    /* 1.4: deliver may stand in for send */
    return k->vt.channel.send || k->vt.channel.deliver ? NULL : "send";
  case CRM_KIND_COMPLAINT:
    crm__copy_vt(&k->vt.complaint, sizeof(k->vt.complaint), src);
    /* 1.5: a triage component has classify and no states, open or
     * transition; a handler needs all three (classify is optional) */
    if(!k->vt.complaint.states && !k->vt.complaint.open &&
       !k->vt.complaint.transition && k->vt.complaint.classify)
      return NULL;
    if(!k->vt.complaint.states || !k->vt.complaint.states[0])
      return "states";
    if(!k->vt.complaint.open)
      return "open";
    return k->vt.complaint.transition ? NULL : "transition";
  default:
    return NULL;
  }
}

static int crm__check_comp(const crm_component *raw, unsigned i,
                           crm__component *k, char *why, size_t size)
{
  crm_component cc;
  const char *missing;

  if(!raw)
    return crm__refuse(why, size, "component %u is NULL; fix the "
                       ".components list", i);
  if(raw->struct_size < CRM__COMP_V1_0_SIZE)
    return crm__refuse(why, size, "component %u descriptor size %u is "
                       "smaller than SDK 1.0's %zu; rebuild against "
                       "crm-sdk %d.x", i, (unsigned)raw->struct_size,
                       CRM__COMP_V1_0_SIZE, CRM_SDK_ABI_MAJOR);
  memset(&cc, 0, sizeof(cc));
  memcpy(&cc, raw, raw->struct_size < sizeof(cc) ? raw->struct_size
                                                 : sizeof(cc));
  if(!cc.name || !cc.name[0])
    return crm__refuse(why, size, "component %u has no name; set .name", i);
  memset(k, 0, sizeof(*k));
  k->kind = (int)cc.kind;
  k->name = (char *)cc.name; /* borrowed until registered */
  missing = crm__vt_missing(k, cc.vtable);
  if(missing)
    return crm__refuse(why, size, "missing mandatory callback %s in %s "
                       "component \"%s\"; define it in the component's "
                       "vtable", missing, crm__kind_name(k->kind), k->name);
  return CRM_OK;
}

static int crm__check_comps(crm__pvalid *pv, char *why, size_t size)
{
  const crm_plugin_desc *d = &pv->desc;
  size_t i;
  size_t j;
  int rc;

  for(i = 0; i < d->n_components; i++) {
    rc = crm__check_comp(d->components[i], (unsigned)i, &pv->comps[i], why,
                         size);
    if(rc)
      return rc;
    pv->n_comps = i + 1;
  }
  for(i = 0; i < pv->n_comps; i++) {
    int kind = pv->comps[i].kind;

    if(kind < CRM_KIND_SCORING || kind > CRM_KIND_COMPLAINT)
      return crm__refuse(why, size, "component \"%s\" has unknown kind %d; "
                         "this core knows 1 (scoring) to 4 (complaint): "
                         "upgrade crmcore or fix the kind",
                         pv->comps[i].name, kind);
  }
  for(i = 0; i < pv->n_comps; i++) {
    for(j = i + 1; j < pv->n_comps; j++) {
      if(strcmp(pv->comps[i].name, pv->comps[j].name) == 0)
        return crm__refuse(why, size, "name clash: component \"%s\" is "
                           "declared twice; give each component its own "
                           "name", pv->comps[i].name);
    }
  }
  return CRM_OK;
}

/* ---- the whole check -------------------------------------------------- */

static int crm__validate_desc(crm__pvalid *pv, const crm_plugin_desc *raw,
                              char *why, size_t size)
{
  int rc;

  rc = crm__check_header(raw, why, size);
  if(rc)
    return rc;
  memset(&pv->desc, 0, sizeof(pv->desc));
  memcpy(&pv->desc, raw, raw->struct_size < sizeof(pv->desc)
                             ? raw->struct_size : sizeof(pv->desc));
  rc = crm__check_desc(&pv->desc, why, size);
  if(rc)
    return rc;
  pv->comps = crm__calloc(pv->desc.n_components ? pv->desc.n_components : 1,
                          sizeof(crm__component));
  if(!pv->comps) {
    snprintf(why, size, "out of memory");
    return CRM_ENOMEM;
  }
  return crm__check_comps(pv, why, size);
}

int crm__plugin_validate(const char *path, crm__pvalid *pv, char *why,
                         size_t why_size)
{
  const crm_plugin_desc *raw;
  const char *err;
  int rc = CRM_OK;

  memset(pv, 0, sizeof(*pv));
  dlerror();
  pv->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if(!pv->dl) {
    err = dlerror();
    return crm__refuse(why, why_size, "cannot open: %s; check the file and "
                       "its dependencies with ldd", err ? err : "unknown");
  }
  raw = crm__entry(pv->dl, why, why_size, &rc);
  if(raw)
    rc = crm__validate_desc(pv, raw, why, why_size);
  if(rc)
    crm__pvalid_close(pv);
  return rc;
}

void crm__pvalid_release(crm__pvalid *pv)
{
  crm__free(pv->comps);
  pv->comps = NULL;
  pv->n_comps = 0;
  pv->dl = NULL;
}

void crm__pvalid_close(crm__pvalid *pv)
{
  void *dl = pv->dl;

  crm__pvalid_release(pv);
  if(dl)
    dlclose(dl);
}

void crm__components_text(const crm_plugin_desc *d, char *buf, size_t size)
{
  size_t i;
  size_t used = 0;

  if(!size)
    return;
  buf[0] = '\0';
  /* Validated: every component pointer is set and covers the 1.0 part. */
  for(i = 0; d && i < d->n_components && used < size; i++) {
    const crm_component *k = d->components[i];
    int w = snprintf(buf + used, size - used, "%s%s:%s", i ? "," : "",
                     k->name, crm__kind_name((int)k->kind));

    if(w < 0)
      break;
    used += (size_t)w;
  }
}
