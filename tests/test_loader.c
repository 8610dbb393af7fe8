/*
 * test_loader.c - the plugin loader against the fixture plugins.
 *
 * Each case runs in its own process: ctest calls `test_loader <case>`
 * (libuv's runner does the same), so a plugin left mapped or a crash in
 * one case cannot influence another.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader_util.h"

#define SO(name) FIXDIR "/" name ".so"

/* ---- a loaded handle for one case -------------------------------------- */

typedef struct lt_case {
  lt_dir dir;
  lt_log log;
  crm *c;
  const char *conf; /* path of crm.conf in dir (own copy) */
  char conf_path[LT_PATH];
  char store[LT_PATH];
} lt_case;

static void lt_case_conf(lt_case *t, const char *text)
{
  snprintf(t->conf_path, sizeof(t->conf_path), "%s",
           lt_write(&t->dir, "crm.conf", text));
  t->conf = t->conf_path;
}

/* Opens a file store in a scratch dir and loads the config text. */
static int lt_case_load(lt_case *t, const char *text)
{
  memset(t, 0, sizeof(*t));
  lt_dir_init(&t->dir);
  snprintf(t->store, sizeof(t->store), "%s/crm.db", t->dir.path);
  t->c = lt_open(t->store);
  lt_log_attach(t->c, &t->log);
  lt_case_conf(t, text);
  return crm_load_config(t->c, t->conf, FIXDIR);
}

static void lt_case_done(lt_case *t)
{
  crm_close(t->c);
  t->c = NULL;
  lt_dir_done(&t->dir);
}

/* After crm_close: what the plugins wrote into the store on the way out. */
static long lt_after_close_kv(lt_case *t, const char *plugin,
                              const char *key)
{
  crm *c;
  long v;

  crm_close(t->c);
  t->c = NULL;
  c = lt_open(t->store);
  v = lt_kv_int(c, plugin, key);
  crm_close(c);
  return v;
}

static void assert_points(crm *c, const char *comp, int64_t want)
{
  int64_t pts = -1;

  assert_int_equal(lt_reward(c, comp, "purchase", &pts), 0);
  assert_int_equal(pts, want);
}

static const char conf_good_only[] =
  "plugins = {\n"
  "  load = ( { name = \"fx_good\"; config = { mult = 4; }; } );\n"
  "};\n";

/* One refused optional plugin next to fx_good: message, state, the
 * file closed again, and fx_good unharmed. */
static void lt_refused_case(const char *name, const char *why)
{
  lt_case t;
  const char *msg;
  lt_pstate s;
  char path[LT_PATH];
  char reason[CRM__ERRMSG_SIZE];

  snprintf(reason, sizeof(reason), "%s", why); /* why may be lt_fmt's */
  snprintf(path, sizeof(path), "%s/%s.so", FIXDIR, name);
  assert_int_equal(lt_case_load(&t, lt_fmt(
    "plugins = {\n"
    "  load = ( { name = \"%s\"; },\n"
    "           { name = \"fx_good\"; config = { mult = 4; }; } );\n"
    "};\n", name)), 0);
  msg = lt_fmt("plugin \"%s\" (%s) refused: %s", name, path, reason);
  if(!lt_log_has(&t.log, msg))
    fail_msg("expected log line\n  %s\ngot\n%s", msg, t.log.text);
  s = lt_state(t.c, name);
  assert_string_equal(s.state, "refused");
  assert_string_equal(s.reason, reason);
  assert_string_equal(s.path, path);
  assert_false(lt_mapped(path));
  assert_string_equal(lt_state(t.c, "fx_good").state, "loaded");
  assert_points(t.c, "fx_good_points", 4);
  lt_case_done(&t);
}

/* ---- cases -------------------------------------------------------------- */

static void case_good(void **state)
{
  lt_case t;
  lt_pstate s;

  (void)state;
  assert_int_equal(lt_case_load(&t, conf_good_only), 0);
  s = lt_state(t.c, "fx_good");
  assert_string_equal(s.state, "loaded");
  assert_string_equal(s.reason, "");
  assert_string_equal(s.version, "1.2.3");
  assert_string_equal(s.vendor, "Fixture Works");
  assert_string_equal(s.components, "fx_good_points:reward");
  assert_string_equal(s.path, SO("fx_good"));
  assert_int_equal(s.required, 0);
  assert_int_equal(lt_count_states(t.c), 1);
  /* helper() of fx_good is 1, mult is 4 */
  assert_points(t.c, "fx_good_points", 4);
  assert_int_equal(lt_kv_int(t.c, "fx_good", "inits"), 1);
  assert_int_equal(lt_kv_int(t.c, "fx_good", "starts"), 1);
  assert_int_equal(lt_kv_int(t.c, "fx_good", "finis"), 0);
  assert_int_equal(t.c->lc.window_days, 365);
  /* crm_close stops and finalises */
  assert_int_equal(lt_after_close_kv(&t, "fx_good", "stops"), 1);
  t.c = lt_open(t.store);
  assert_int_equal(lt_after_close_kv(&t, "fx_good", "finis"), 1);
  lt_dir_done(&t.dir);
}

static void case_refused_noentry(void **state)
{
  (void)state;
  lt_refused_case("fx_noentry", "no entry point crm_plugin_entry; build it "
                  "with CRM_PLUGIN_DEFINE from crm/sdk.h");
}

static void case_refused_badmagic(void **state)
{
  (void)state;
  lt_refused_case("fx_badmagic", "bad magic 0xDEADBEEF; not a crmcore "
                  "plugin");
}

static void case_refused_major(void **state)
{
  (void)state;
  lt_refused_case("fx_major", lt_fmt(
    "built for SDK ABI %d.%d, core has %d.%d; rebuild against crm-sdk %d.x",
    CRM_SDK_ABI_MAJOR + 1, CRM_SDK_ABI_MINOR, CRM_SDK_ABI_MAJOR,
    CRM_SDK_ABI_MINOR, CRM_SDK_ABI_MAJOR));
}

static void case_refused_minor(void **state)
{
  char reason[256];

  (void)state;
  snprintf(reason, sizeof(reason), "built for SDK ABI %d.%d, core has "
           "%d.%d; rebuild against crm-sdk %d.%d or upgrade crmcore",
           CRM_SDK_ABI_MAJOR, CRM_SDK_ABI_MINOR + 1, CRM_SDK_ABI_MAJOR,
           CRM_SDK_ABI_MINOR, CRM_SDK_ABI_MAJOR, CRM_SDK_ABI_MINOR);
  lt_refused_case("fx_minor", reason);
}

static void case_refused_small(void **state)
{
  char reason[256];

  (void)state;
  snprintf(reason, sizeof(reason), "descriptor size 16 is smaller than SDK "
           "1.0's %zu; rebuild against crm-sdk %d.x",
           CRM_PLUGIN_DESC_V1_0_SIZE, CRM_SDK_ABI_MAJOR);
  lt_refused_case("fx_small", reason);
}

static void case_refused_sig(void **state)
{
  (void)state;
  lt_refused_case("fx_sig", "build signature \"crm-sdk1 ptr4 long4 dbl8 le\""
                  " differs from the core's \"" CRM_SDK_BUILD_SIG "\"; "
                  "rebuild for this platform");
}

static void case_refused_noinit(void **state)
{
  (void)state;
  lt_refused_case("fx_noinit", "missing mandatory callback init; every "
                  "plugin must define init and fini");
}

static void case_refused_novt(void **state)
{
  (void)state;
  lt_refused_case("fx_novt", "missing mandatory callback on_event in reward "
                  "component \"fx_novt_points\"; define it in the "
                  "component's vtable");
}

/* on_event is set, but the vtable's struct_size says it is not there. */
static void case_refused_shortvt(void **state)
{
  (void)state;
  lt_refused_case("fx_shortvt", "missing mandatory callback on_event in "
                  "reward component \"fx_shortvt_points\"; define it in "
                  "the component's vtable");
}

static void case_refused_kind(void **state)
{
  (void)state;
  lt_refused_case("fx_kind", "component \"fx_kind_points\" has unknown kind "
                  "7; this core knows 1 (scoring) to 4 (complaint): upgrade "
                  "crmcore or fix the kind");
}

/* A 1.0 plugin (descriptor ends at fini) runs; its poisoned 1.1 hooks
 * beyond struct_size are never called. */
static void case_accepted_v10(void **state)
{
  lt_case t;
  lt_pstate s;

  (void)state;
  assert_int_equal(lt_case_load(&t,
    "plugins = { load = ( { name = \"fx_v10\"; config = { mult = 2; }; } );"
    " };\n"), 0);
  s = lt_state(t.c, "fx_v10");
  assert_string_equal(s.state, "loaded");
  assert_int_equal(t.c->plugins->desc.start == NULL, 1);
  assert_int_equal(t.c->plugins->desc.stop == NULL, 1);
  assert_int_equal(t.c->plugins->desc.reconfigure == NULL, 1);
  assert_points(t.c, "fx_v10_points", 10); /* helper 5 x mult 2 */
  assert_int_equal(lt_kv_int(t.c, "fx_v10", "inits"), 1);
  /* reconfigure absent: a changed group restarts it (init again) */
  lt_case_conf(&t,
    "plugins = { load = ( { name = \"fx_v10\"; config = { mult = 3; }; } );"
    " };\n");
  assert_int_equal(crm_reload_config(t.c), 0);
  assert_points(t.c, "fx_v10_points", 15);
  assert_int_equal(lt_kv_int(t.c, "fx_v10", "inits"), 2);
  assert_int_equal(lt_kv_int(t.c, "fx_v10", "finis"), 1);
  assert_false(lt_kv_has(t.c, "fx_v10", "poison"));
  crm_close(t.c);
  t.c = lt_open(t.store);
  assert_false(lt_kv_has(t.c, "fx_v10", "poison"));
  assert_int_equal(lt_kv_int(t.c, "fx_v10", "finis"), 2);
  lt_case_done(&t);
}

static void case_initfail_optional(void **state)
{
  lt_case t;
  lt_pstate s;

  (void)state;
  assert_int_equal(lt_case_load(&t,
    "plugins = { load = ( { name = \"fx_initfail\"; },\n"
    "                     { name = \"fx_good\"; } ); };\n"), 0);
  assert_true(lt_log_has(&t.log, "plugin \"fx_initfail\" (" SO("fx_initfail")
                         ") failed: init returned -2: missing api key"));
  s = lt_state(t.c, "fx_initfail");
  assert_string_equal(s.state, "failed");
  assert_string_equal(s.reason, "init returned -2: missing api key");
  assert_string_equal(s.version, "1.2.3");
  /* init ran: the code stays mapped */
  assert_true(lt_mapped(SO("fx_initfail")));
  assert_null(crm__component_find(t.c, CRM_KIND_REWARD,
                                  "fx_initfail_points"));
  assert_points(t.c, "fx_good_points", 1);
  lt_case_done(&t);
}

/* Both export helper(); RTLD_LOCAL keeps each bound to its own. */
static void case_helper_local(void **state)
{
  lt_case t;

  (void)state;
  assert_int_equal(lt_case_load(&t,
    "plugins = { load = ( { name = \"fx_good\"; }, { name = \"fx_other\"; }"
    " ); };\n"), 0);
  assert_points(t.c, "fx_good_points", 1);
  assert_points(t.c, "fx_other_points", 7);
  lt_case_done(&t);
}

static void case_duplicate_component(void **state)
{
  lt_case t;
  lt_pstate s;
  const char *reason = "name clash: component \"fx_good_points\" is already "
                       "provided by plugin \"fx_good\"; disable one of them";

  (void)state;
  assert_int_equal(lt_case_load(&t,
    "plugins = { load = ( { name = \"fx_good\"; }, { name = \"fx_dupcomp\"; }"
    " ); };\n"), 0);
  assert_string_equal(lt_state(t.c, "fx_good").state, "loaded");
  s = lt_state(t.c, "fx_dupcomp");
  assert_string_equal(s.state, "refused");
  assert_string_equal(s.reason, reason);
  assert_false(lt_mapped(SO("fx_dupcomp")));
  /* the component still belongs to the first */
  assert_string_equal(crm__component_find(t.c, CRM_KIND_REWARD,
                                          "fx_good_points")->plugin->name,
                      "fx_good");
  lt_case_done(&t);
}

static void case_name_mismatch(void **state)
{
  lt_case t;

  (void)state;
  assert_int_equal(lt_case_load(&t,
    "plugins = { load = ( { name = \"renamed\"; file = \"" SO("fx_good")
    "\"; } ); };\n"), 0);
  assert_true(lt_log_has(&t.log, "plugin \"renamed\" (" SO("fx_good")
                         ") refused: name clash: the descriptor names the "
                         "plugin \"fx_good\", not \"renamed\"; fix the load "
                         "entry's name or file"));
  assert_string_equal(lt_state(t.c, "renamed").state, "refused");
  lt_case_done(&t);
}

static void case_required_fails(void **state)
{
  lt_case t;

  (void)state;
  assert_int_equal(lt_case_load(&t,
    "plugins = { load = ( { name = \"fx_good\"; },\n"
    "  { name = \"fx_major\"; required = true; },\n"
    "  { name = \"fx_other\"; } ); };\n"), CRM_EPLUGIN);
  assert_int_equal(crm_errcode(t.c), CRM_EPLUGIN);
  assert_string_equal(crm_errmsg(t.c), lt_fmt(
    "plugin \"fx_major\" (%s) refused: built for SDK ABI %d.%d, core has "
    "%d.%d; rebuild against crm-sdk %d.x", SO("fx_major"),
    CRM_SDK_ABI_MAJOR + 1, CRM_SDK_ABI_MINOR, CRM_SDK_ABI_MAJOR,
    CRM_SDK_ABI_MINOR, CRM_SDK_ABI_MAJOR));
  assert_int_equal(lt_state(t.c, "fx_major").required, 1);
  assert_string_equal(lt_state(t.c, "fx_major").state, "refused");
  /* loading stopped there; the rest is listed with why */
  assert_string_equal(lt_state(t.c, "fx_other").state, "disabled");
  assert_string_equal(lt_state(t.c, "fx_other").reason, "not loaded: "
                      "loading stopped when required plugin \"fx_major\" "
                      "failed");
  assert_points(t.c, "fx_good_points", 1);
  lt_case_done(&t);
}

static void case_optional_fails(void **state)
{
  lt_case t;

  (void)state;
  assert_int_equal(lt_case_load(&t,
    "plugins = { load = ( { name = \"fx_major\"; },\n"
    "  { name = \"fx_initfail\"; }, { name = \"fx_other\"; } ); };\n"), 0);
  assert_string_equal(crm_errmsg(t.c), "ok");
  assert_string_equal(lt_state(t.c, "fx_major").state, "refused");
  assert_string_equal(lt_state(t.c, "fx_initfail").state, "failed");
  assert_string_equal(lt_state(t.c, "fx_other").state, "loaded");
  assert_true(lt_log_has(&t.log, "1 loader: plugin \"fx_major\""));
  assert_true(lt_log_has(&t.log, "1 loader: plugin \"fx_initfail\""));
  assert_points(t.c, "fx_other_points", 7);
  lt_case_done(&t);
}

static void case_not_found(void **state)
{
  lt_case t;
  lt_pstate s;
  const char *head = "fx_absent.so not found in " FIXDIR
                     ", /nonexistent/plugins, ";
  const char *tail = "; install it there or set file in its load entry";

  (void)state;
  assert_int_equal(lt_case_load(&t,
    "plugins = { path = [ \"/nonexistent/plugins\" ];\n"
    "  load = ( { name = \"fx_absent\"; } ); };\n"), 0);
  s = lt_state(t.c, "fx_absent");
  assert_string_equal(s.state, "refused");
  assert_memory_equal(s.reason, head, strlen(head));
  assert_string_equal(s.reason + strlen(s.reason) - strlen(tail), tail);
  assert_true(lt_log_has(&t.log, "plugin \"fx_absent\" refused: fx_absent.so"
                         " not found"));
  lt_case_done(&t);
}

static void lt_copy_file(const char *from, const char *to)
{
  char buf[8192];
  FILE *in = fopen(from, "rb");
  FILE *out = fopen(to, "wb");
  size_t n;

  assert_non_null(in);
  assert_non_null(out);
  for(;;) {
    n = fread(buf, 1, sizeof(buf), in);
    if(n == 0)
      break;
    assert_int_equal(fwrite(buf, 1, n, out), n);
  }
  fclose(in);
  fclose(out);
}

static void case_writable_file(void **state)
{
  lt_case t;
  lt_dir d;
  char so[LT_PATH];
  lt_pstate s;

  (void)state;
  lt_dir_init(&d);
  snprintf(so, sizeof(so), "%s/fx_good.so", d.path);
  lt_copy_file(SO("fx_good"), so);
  assert_int_equal(chmod(so, 0666), 0);
  memset(&t, 0, sizeof(t));
  lt_dir_init(&t.dir);
  t.c = lt_open(NULL);
  lt_log_attach(t.c, &t.log);
  lt_case_conf(&t, lt_fmt("plugins = { path = [ \"%s\" ];\n"
                          "  load = ( { name = \"fx_good\"; } ); };\n",
                          d.path));
  /* no extra dir: the configured path is searched */
  assert_int_equal(crm_load_config(t.c, t.conf, NULL), 0);
  s = lt_state(t.c, "fx_good");
  assert_string_equal(s.state, "refused");
  assert_string_equal(s.path, so);
  assert_string_equal(s.reason, "file is group- or world-writable (mode "
                      "0666); remove write access with chmod go-w");
  assert_false(lt_mapped(so));
  lt_case_done(&t);
  lt_dir_done(&d);
}

static void case_not_regular(void **state)
{
  lt_case t;
  lt_pstate s;

  (void)state;
  assert_int_equal(lt_case_load(&t, lt_fmt(
    "plugins = { load = ( { name = \"fx_good\"; file = \"%s\"; } ); };\n",
    FIXDIR)), 0);
  s = lt_state(t.c, "fx_good");
  assert_string_equal(s.state, "refused");
  assert_string_equal(s.reason, "not a regular file; point the "
                      "configuration at the plugin's .so file");
  lt_case_done(&t);
}

static void case_disabled(void **state)
{
  lt_case t;
  lt_pstate s;

  (void)state;
  assert_int_equal(lt_case_load(&t,
    "plugins = { load = ( { name = \"fx_other\"; enabled = false; } ); };\n"),
    0);
  s = lt_state(t.c, "fx_other");
  assert_string_equal(s.state, "disabled");
  assert_string_equal(s.reason, "disabled in the configuration");
  assert_null(crm__component_find(t.c, CRM_KIND_REWARD, "fx_other_points"));
  assert_false(lt_mapped(SO("fx_other")));
  lt_case_done(&t);
}

/* ---- reload ------------------------------------------------------------- */

static void case_reload_reconfigure(void **state)
{
  lt_case t;
  crm__plugin *p;

  (void)state;
  assert_int_equal(lt_case_load(&t,
    "plugins = { load = ( { name = \"fx_good\"; config = { mult = 2; }; },\n"
    "  { name = \"fx_other\"; config = { mult = 1; }; } ); };\n"), 0);
  p = crm__plugin_by_name(t.c, "fx_good");
  assert_points(t.c, "fx_good_points", 2);
  lt_case_conf(&t,
    "lifecycle = { window_days = 100; };\n"
    "plugins = { load = ( { name = \"fx_good\"; config = { mult = 3; }; },\n"
    "  { name = \"fx_other\"; config = { mult = 1; }; } ); };\n");
  assert_int_equal(crm_reload_config(t.c), 0);
  /* same plugin object, same code, reconfigured in place */
  assert_ptr_equal(crm__plugin_by_name(t.c, "fx_good"), p);
  assert_points(t.c, "fx_good_points", 3);
  assert_int_equal(lt_kv_int(t.c, "fx_good", "reconfs"), 1);
  assert_int_equal(lt_kv_int(t.c, "fx_good", "inits"), 1);
  assert_int_equal(lt_kv_int(t.c, "fx_good", "finis"), 0);
  /* fx_other's group did not change: left alone */
  assert_int_equal(lt_kv_int(t.c, "fx_other", "reconfs"), 0);
  assert_int_equal(lt_kv_int(t.c, "fx_other", "inits"), 1);
  assert_int_equal(t.c->lc.window_days, 100);
  assert_string_equal(lt_state(t.c, "fx_good").state, "loaded");
  assert_string_equal(lt_state(t.c, "fx_other").state, "loaded");
  lt_case_done(&t);
}

static void case_reload_restart(void **state)
{
  lt_case t;
  crm__plugin *p;
  void *dl;

  (void)state;
  assert_int_equal(lt_case_load(&t,
    "plugins = { load = ( { name = \"fx_norecon\"; config = { mult = 2; };"
    " } ); };\n"), 0);
  p = crm__plugin_by_name(t.c, "fx_norecon");
  dl = p->dl;
  assert_points(t.c, "fx_norecon_points", 6); /* helper 3 x 2 */
  lt_case_conf(&t,
    "plugins = { load = ( { name = \"fx_norecon\"; config = { mult = 5; };"
    " } ); };\n");
  assert_int_equal(crm_reload_config(t.c), 0);
  assert_points(t.c, "fx_norecon_points", 15);
  assert_int_equal(lt_kv_int(t.c, "fx_norecon", "stops"), 1);
  assert_int_equal(lt_kv_int(t.c, "fx_norecon", "finis"), 1);
  assert_int_equal(lt_kv_int(t.c, "fx_norecon", "inits"), 2);
  assert_int_equal(lt_kv_int(t.c, "fx_norecon", "starts"), 2);
  /* the same code: same handle */
  assert_ptr_equal(crm__plugin_by_name(t.c, "fx_norecon")->dl, dl);
  /* a config its init rejects: started again with the previous one */
  lt_case_conf(&t,
    "plugins = { load = ( { name = \"fx_norecon\"; config = { mult = -1; };"
    " } ); };\n");
  assert_int_equal(crm_reload_config(t.c), CRM_EPLUGIN);
  assert_string_equal(crm_errmsg(t.c), "plugin \"fx_norecon\" ("
                      SO("fx_norecon") ") reload refused: init returned -2: "
                      "mult is -1; it must not be negative; the previous "
                      "configuration stays in force");
  assert_string_equal(lt_state(t.c, "fx_norecon").state, "loaded");
  assert_points(t.c, "fx_norecon_points", 15);
  /* stop, fini, init (refused), init and start with mult 5 */
  assert_int_equal(lt_kv_int(t.c, "fx_norecon", "stops"), 2);
  assert_int_equal(lt_kv_int(t.c, "fx_norecon", "finis"), 2);
  assert_int_equal(lt_kv_int(t.c, "fx_norecon", "inits"), 3);
  assert_int_equal(lt_kv_int(t.c, "fx_norecon", "starts"), 3);
  assert_non_null(t.c->held_confs);
  lt_case_done(&t);
}

/* The restart fails with the new group and with the previous one too:
 * only then is the plugin failed; required, the reload fails. */
static void case_reload_restart_both_fail(void **state)
{
  lt_case t;
  const char *why = "init returned -2: mult is -1; it must not be "
                    "negative; with the previous configuration: init "
                    "returned -11: told to refuse init";

  (void)state;
  assert_int_equal(lt_case_load(&t,
    "plugins = { load = ( { name = \"fx_norecon\"; config = { mult = 2; }; },"
    "\n  { name = \"fx_v10\"; required = true; config = { mult = 2; }; } );"
    " };\n"), 0);
  assert_int_equal(crm__kv_put(t.c, "fx_norecon", "refuse_init", "1"), 0);
  assert_int_equal(crm__kv_put(t.c, "fx_v10", "refuse_init", "1"), 0);
  lt_case_conf(&t,
    "plugins = { load = ( { name = \"fx_norecon\"; config = { mult = -1; };"
    " },\n  { name = \"fx_v10\"; required = true; config = { mult = -1; };"
    " } ); };\n");
  assert_int_equal(crm_reload_config(t.c), CRM_EPLUGIN);
  assert_string_equal(crm_errmsg(t.c), lt_fmt("plugin \"fx_v10\" (%s) "
                      "failed: %s", SO("fx_v10"), why));
  assert_string_equal(lt_state(t.c, "fx_norecon").state, "failed");
  assert_string_equal(lt_state(t.c, "fx_norecon").reason, why);
  assert_true(lt_log_has(&t.log, lt_fmt("1 loader: plugin \"fx_norecon\" "
                         "(%s) failed: %s", SO("fx_norecon"), why)));
  assert_string_equal(lt_state(t.c, "fx_v10").state, "failed");
  assert_null(crm__plugin_by_name(t.c, "fx_norecon"));
  assert_null(crm__plugin_by_name(t.c, "fx_v10"));
  assert_null(t.c->held_confs);
  assert_true(lt_mapped(SO("fx_norecon")));
  lt_case_done(&t);
}

/* reconfigure refuses the new group: the plugin runs on as it was, with
 * its previous group (that config tree is kept alive for it); the rest of
 * the file takes effect, and the reload says what was refused. */
static void case_reload_refused(void **state)
{
  lt_case t;
  crm__plugin *p;
  int64_t mult = 0;
  const char *why = "reload refused: reconfigure returned -2: mult is -1; "
                    "it must not be negative; the previous configuration "
                    "stays in force";

  (void)state;
  assert_int_equal(lt_case_load(&t,
    "plugins = { load = ( { name = \"fx_good\"; config = { mult = 2; }; },\n"
    "  { name = \"fx_other\"; config = { mult = 1; }; } ); };\n"), 0);
  p = crm__plugin_by_name(t.c, "fx_good");
  lt_case_conf(&t,
    "lifecycle = { window_days = 100; };\n"
    "plugins = { load = ( { name = \"fx_good\"; config = { mult = -1; }; },\n"
    "  { name = \"fx_other\"; config = { mult = 3; }; },\n"
    "  { name = \"fx_norecon\"; } ); };\n");
  assert_int_equal(crm_reload_config(t.c), CRM_EPLUGIN);
  assert_string_equal(crm_errmsg(t.c), lt_fmt("plugin \"fx_good\" (%s) %s",
                                              SO("fx_good"), why));
  assert_true(lt_log_has(&t.log, lt_fmt("1 loader: plugin \"fx_good\" (%s) "
                                        "%s", SO("fx_good"), why)));
  assert_ptr_equal(crm__plugin_by_name(t.c, "fx_good"), p);
  assert_int_equal(crm__host_api()->cfg_get_int(&p->hctx, "mult", &mult), 0);
  assert_int_equal(mult, 2);
  assert_points(t.c, "fx_good_points", 2);
  assert_string_equal(lt_state(t.c, "fx_good").state, "loaded");
  assert_string_equal(lt_state(t.c, "fx_good").reason, why);
  assert_int_equal(lt_kv_int(t.c, "fx_good", "reconfs"), 0);
  assert_int_equal(lt_kv_int(t.c, "fx_good", "stops"), 0);
  assert_int_equal(lt_kv_int(t.c, "fx_good", "inits"), 1);
  assert_non_null(t.c->held_confs);
  assert_points(t.c, "fx_other_points", 21); /* helper 7 x 3 */
  assert_points(t.c, "fx_norecon_points", 3);
  assert_int_equal(t.c->lc.window_days, 100);
  /* a group it accepts later releases the old tree */
  lt_case_conf(&t,
    "plugins = { load = ( { name = \"fx_good\"; config = { mult = 5; }; },\n"
    "  { name = \"fx_other\"; config = { mult = 3; }; } ); };\n");
  assert_int_equal(crm_reload_config(t.c), 0);
  assert_points(t.c, "fx_good_points", 5);
  assert_int_equal(lt_kv_int(t.c, "fx_good", "reconfs"), 1);
  assert_string_equal(lt_state(t.c, "fx_good").reason, "");
  assert_null(t.c->held_confs);
  lt_case_done(&t);
}

/* A required plugin that refuses keeps running; reverting the file needs
 * no reconfigure; disabling it frees the group it held. */
static void case_reload_refused_required(void **state)
{
  lt_case t;
  const char *good2 = "plugins = { load = ( { name = \"fx_good\"; "
                      "required = true; config = { mult = 2; }; } ); };\n";
  const char *bad = "plugins = { load = ( { name = \"fx_good\"; "
                    "required = true; config = { mult = -3; }; } ); };\n";

  (void)state;
  assert_int_equal(lt_case_load(&t, good2), 0);
  lt_case_conf(&t, bad);
  assert_int_equal(crm_reload_config(t.c), CRM_EPLUGIN);
  assert_points(t.c, "fx_good_points", 2);
  assert_int_equal(lt_state(t.c, "fx_good").required, 1);
  lt_case_conf(&t, good2);
  assert_int_equal(crm_reload_config(t.c), 0);
  assert_null(t.c->held_confs);
  assert_int_equal(lt_kv_int(t.c, "fx_good", "reconfs"), 0);
  assert_string_equal(lt_state(t.c, "fx_good").reason, "");
  lt_case_conf(&t, bad);
  assert_int_equal(crm_reload_config(t.c), CRM_EPLUGIN);
  assert_non_null(t.c->held_confs);
  lt_case_conf(&t, "plugins = { load = ( { name = \"fx_good\"; "
                   "enabled = false; } ); };\n");
  assert_int_equal(crm_reload_config(t.c), 0);
  assert_null(t.c->held_confs);
  assert_null(crm__component_find(t.c, CRM_KIND_REWARD, "fx_good_points"));
  /* stopped once, by the disable */
  assert_int_equal(lt_kv_int(t.c, "fx_good", "stops"), 1);
  lt_case_done(&t);
}

static void case_reload_disable(void **state)
{
  lt_case t;

  (void)state;
  assert_int_equal(lt_case_load(&t, conf_good_only), 0);
  lt_case_conf(&t,
    "plugins = { load = ( { name = \"fx_good\"; enabled = false;"
    " config = { mult = 4; }; } ); };\n");
  assert_int_equal(crm_reload_config(t.c), 0);
  assert_null(crm__component_find(t.c, CRM_KIND_REWARD, "fx_good_points"));
  assert_null(crm__plugin_by_name(t.c, "fx_good"));
  assert_string_equal(lt_state(t.c, "fx_good").state, "disabled");
  assert_int_equal(lt_kv_int(t.c, "fx_good", "stops"), 1);
  assert_int_equal(lt_kv_int(t.c, "fx_good", "finis"), 1);
  /* stopped, never unmapped */
  assert_true(lt_mapped(SO("fx_good")));
  /* enabled again: the same mapped code starts afresh */
  lt_case_conf(&t, conf_good_only);
  assert_int_equal(crm_reload_config(t.c), 0);
  assert_points(t.c, "fx_good_points", 4);
  assert_int_equal(lt_kv_int(t.c, "fx_good", "inits"), 2);
  lt_case_done(&t);
}

static void case_reload_enable(void **state)
{
  lt_case t;

  (void)state;
  assert_int_equal(lt_case_load(&t,
    "plugins = { load = ( { name = \"fx_good\"; },\n"
    "  { name = \"fx_other\"; enabled = false; } ); };\n"), 0);
  assert_null(crm__component_find(t.c, CRM_KIND_REWARD, "fx_other_points"));
  lt_case_conf(&t,
    "plugins = { load = ( { name = \"fx_good\"; },\n"
    "  { name = \"fx_other\"; } ); };\n");
  assert_int_equal(crm_reload_config(t.c), 0);
  assert_string_equal(lt_state(t.c, "fx_other").state, "loaded");
  assert_points(t.c, "fx_other_points", 7);
  /* fx_good untouched */
  assert_int_equal(lt_kv_int(t.c, "fx_good", "inits"), 1);
  assert_int_equal(lt_kv_int(t.c, "fx_good", "stops"), 0);
  lt_case_done(&t);
}

static void case_reload_bad_config(void **state)
{
  lt_case t;

  (void)state;
  assert_int_equal(lt_case_load(&t, conf_good_only), 0);
  lt_case_conf(&t, "plugins = {\n  load = ( { name = \"fx_good\" } );\n"
                   "  oops\n};\n");
  assert_int_equal(crm_reload_config(t.c), CRM_ECONFIG);
  assert_string_equal(crm_errmsg(t.c), lt_fmt("%s:4: syntax error; the "
                      "running configuration is kept", t.conf));
  assert_points(t.c, "fx_good_points", 4);
  assert_int_equal(lt_kv_int(t.c, "fx_good", "stops"), 0);
  lt_case_done(&t);
}

/* set_error text reaches the handle's error with the plugin prefix. */
static void case_call_failed(void **state)
{
  lt_case t;
  crm__component *k;
  int64_t pts = 0;
  int rc;

  (void)state;
  assert_int_equal(lt_case_load(&t, conf_good_only), 0);
  k = crm__component_find(t.c, CRM_KIND_REWARD, "fx_good_points");
  assert_non_null(k);
  rc = lt_reward(t.c, "fx_good_points", "fail", &pts);
  assert_int_equal(rc, CRM_EINVAL);
  assert_int_equal(k->plugin->hctx.errcode, CRM_EINVAL);
  assert_int_equal(crm__plugin_call_failed(t.c, k, rc, "on_event"),
                   CRM_EINVAL);
  assert_string_equal(crm_errmsg(t.c), "plugin \"fx_good\" component "
                      "\"fx_good_points\": cannot reward event 42");
  /* without a message: what and the code */
  crm__hctx_reset(&k->plugin->hctx);
  assert_int_equal(crm__plugin_call_failed(t.c, k, CRM_ESTATE, "transition"),
                   CRM_ESTATE);
  assert_string_equal(crm_errmsg(t.c), "plugin \"fx_good\" component "
                      "\"fx_good_points\": transition returned -11 (not "
                      "allowed in this state)");
  lt_case_done(&t);
}

/* ---- runner ------------------------------------------------------------ */

#define CASE(n) cmocka_unit_test(case_##n)

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
    CASE(good), CASE(refused_noentry), CASE(refused_badmagic),
    CASE(refused_major), CASE(refused_minor), CASE(accepted_v10),
    CASE(refused_small), CASE(refused_sig), CASE(refused_noinit),
    CASE(refused_novt), CASE(refused_shortvt), CASE(refused_kind),
    CASE(initfail_optional), CASE(helper_local), CASE(duplicate_component),
    CASE(name_mismatch), CASE(required_fails), CASE(optional_fails),
    CASE(not_found), CASE(writable_file), CASE(not_regular), CASE(disabled),
    CASE(reload_reconfigure), CASE(reload_restart), CASE(reload_disable),
    CASE(reload_enable), CASE(reload_bad_config), CASE(reload_refused),
    CASE(reload_refused_required), CASE(reload_restart_both_fail),
    CASE(call_failed),
  };

  return lt_main(argc, argv, "loader", tests,
                 sizeof(tests) / sizeof(tests[0]));
}
