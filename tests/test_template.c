/*
 * test_template.c - message templates (core/template.c,
 * core/template_vars.c): communication.templates read through
 * crm_load_config (each mistake a FILE:LINE error), the lookup order of
 * variants, rendering of every customer-level placeholder for a customer
 * made here, extra pairs, missing values, escapes, body_file, UTF-8 and
 * the 64 KiB limit. Every expected string is written out by hand.
 */
#include <dirent.h>
#include <unistd.h>

#include "crm_test.h"

#include "comm_int.h"

/* 2026-01-05T12:00:00Z (2026-01-05T00:00Z is 1767571200, + 12 h). In
 * Pacific/Auckland (NZDT, UTC+13 in January) it is 2026-01-06 01:00. */
#define NOW INT64_C(1767614400)

typedef struct tp_env {
  crm *c;
  char dir[512];
  char conf[600];
  int loaded; /* a config was loaded into c: the next load reopens */
} tp_env;

static void tp_open(tp_env *e)
{
  memset(e, 0, sizeof(*e));
  t_tmpdir(e->dir, sizeof(e->dir));
  snprintf(e->conf, sizeof(e->conf), "%s/crm.conf", e->dir);
  e->c = t_open_mem(NOW);
}

static const char *tp_path(const tp_env *e, const char *name)
{
  static char p[1200];

  snprintf(p, sizeof(p), "%s/%s", e->dir, name);
  return p;
}

/* Writes crm.conf and loads it (plugins from the fixture directory)
 * into a fresh store when one was loaded already. */
static int tp_load(tp_env *e, const char *text)
{
  int rc;

  if(e->loaded) {
    crm_close(e->c);
    e->c = t_open_mem(NOW);
  }
  t_write_file(e->conf, text);
  rc = crm_load_config(e->c, e->conf, CRM_TEST_FIXTURE_DIR);
  e->loaded = 1;
  return rc;
}

static void tp_load_ok(tp_env *e, const char *text)
{
  if(tp_load(e, text))
    fail_msg("crm_load_config: %s", crm_errmsg(e->c));
}

static void tp_close(tp_env *e)
{
  DIR *d = opendir(e->dir);
  struct dirent *de;

  crm_close(e->c);
  while(d) {
    de = readdir(d);
    if(!de)
      break;
    if(strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
      unlink(tp_path(e, de->d_name));
  }
  if(d)
    closedir(d);
  rmdir(e->dir);
}

/* "communication = {" on line 1, "templates = (" on line 3: the items
 * start on line 4. */
static char *tp_conf(const char *items)
{
  static char buf[200000];

  snprintf(buf, sizeof(buf),
           "communication = {\n"
           "  language = \"en\";\n"
           "  templates = (\n"
           "%s"
           "  );\n"
           "};\n", items);
  return buf;
}

/* Loads items; expects CRM_ECONFIG with "CONF:line: msg". */
static void tp_bad(const char *items, int line, const char *msg)
{
  tp_env e;
  char want[1400];
  int rc;

  tp_open(&e);
  rc = tp_load(&e, tp_conf(items));
  snprintf(want, sizeof(want), "%s:%d: %s", e.conf, line, msg);
  if(rc != CRM_ECONFIG || strcmp(crm_errmsg(e.c), want))
    fail_msg("items:\n%s\nrc %d, got\n  %s\nwant\n  %s", items, rc,
             crm_errmsg(e.c), want);
  tp_close(&e);
}

/* ---- parsing errors ---------------------------------------------------- */

static void test_parse_errors(void **state)
{
  (void)state;
  tp_bad("    { name = \"welcome\"; channel = \"email\"; language = \"en\";\n"
         "      body = \"Hello {{nmae}}\"; }\n", 5,
         "template \"welcome\" (email, en): unknown placeholder {{nmae}}");
  /* channel and language default to "*" and communication.language */
  tp_bad("    { name = \"welcome\"; channel = \"email\";\n"
         "      subject = \"Hi {{first_name, you\"; body = \"x\"; }\n", 5,
         "template \"welcome\" (email, en): unclosed {{ at "
         "\"{{first_name, you\"");
  /* a line break before "}}" leaves it unclosed too */
  tp_bad("    { name = \"welcome\";\n"
         "      body = \"Hi {{name\\n}}\"; }\n", 5,
         "template \"welcome\" (*, en): unclosed {{ at \"{{name\"");
  tp_bad("    { name = \"welcome\";\n"
         "      body = \"Hi {{ }}\"; }\n", 5,
         "template \"welcome\" (*, en): empty placeholder {{}}");
  tp_bad("    { name = \"welcome\";\n"
         "      body = \"Hi {{First}}\"; }\n", 5,
         "template \"welcome\" (*, en): invalid placeholder {{First}}: "
         "names are a-z, 0-9 and _");
  tp_bad("    { name = \"welcome\";\n"
         "      bdy = \"x\"; }\n", 5,
         "unknown template setting \"bdy\" (expected name, channel, "
         "language, subject, body or body_file)");
  tp_bad("    { body = \"x\"; }\n", 4,
         "template needs a name: name = \"welcome\";");
  tp_bad("    { name = \"Welcome\"; body = \"x\"; }\n", 4,
         "invalid template name \"Welcome\": 1 to 32 of a-z, 0-9 and _");
  tp_bad("    { name = \"welcome\";\n"
         "      channel = \"e-mail\"; body = \"x\"; }\n", 5,
         "template \"welcome\": invalid channel \"e-mail\": \"*\" or 1 to 32 "
         "of a-z, 0-9 and _");
  tp_bad("    { name = \"welcome\";\n"
         "      language = \"english\"; body = \"x\"; }\n", 5,
         "template \"welcome\": invalid language \"english\": a BCP 47 tag "
         "such as \"en\" or \"fr-CA\"");
  tp_bad("    { name = \"welcome\";\n"
         "      subject = \"Hi\\nthere\"; body = \"x\"; }\n", 5,
         "template \"welcome\" (*, en): the subject has a line break");
  tp_bad("    { name = \"welcome\"; body = \"x\";\n"
         "      body_file = \"w.txt\"; }\n", 5,
         "template \"welcome\" (*, en): body and body_file are both set "
         "(one only)");
  tp_bad("    { name = \"welcome\";\n"
         "      subject = \"x\"; }\n", 4,
         "template \"welcome\" (*, en): needs a body: body = \"...\"; or "
         "body_file = \"FILE\";");
  tp_bad("    { name = \"welcome\";\n"
         "      body = 5; }\n", 5,
         "template body must be a string: body = \"...\";");
  tp_bad("    { name = \"welcome\";\n"
         "      body = \"\"; }\n", 5,
         "template \"welcome\" (*, en): the body is empty");
  tp_bad("    \"welcome\", { name = \"x\"; body = \"y\"; }\n", 4,
         "communication.templates #1 must be a group: { name = \"...\"; "
         "body = \"...\"; }");
  /* unique (name, channel, language), the language without case */
  tp_bad("    { name = \"welcome\"; channel = \"email\"; body = \"a\"; },\n"
         "    { name = \"welcome\"; channel = \"email\"; language = \"EN\";\n"
         "      body = \"b\"; }\n", 5,
         "duplicate template \"welcome\" (email, EN): first at line 4");
  tp_bad("    { name = \"welcome\"; body = \"a\"; },\n"
         "    { name = \"promo\"; language = \"fr\";\n"
         "      body = \"b\"; }\n", 5,
         "template \"promo\" has no variant in the default language \"en\" "
         "(communication.language)");
}

/* body_file: missing, empty, with a NUL byte; the subject's length. */
static void test_parse_errors_files(void **state)
{
  tp_env e;
  char want[1400];
  char *subject;
  char *items;
  FILE *f;

  (void)state;
  tp_open(&e);
  assert_int_equal(tp_load(&e, tp_conf("    { name = \"welcome\";\n"
                                       "      body_file = \"nope.txt\"; }\n")),
                   CRM_ECONFIG);
  snprintf(want, sizeof(want), "%s:5: template \"welcome\" (*, en): cannot "
           "read body_file \"nope.txt\" (%s/nope.txt: No such file or "
           "directory)", e.conf, e.dir);
  assert_string_equal(crm_errmsg(e.c), want);

  t_write_file(tp_path(&e, "empty.txt"), "");
  assert_int_equal(tp_load(&e, tp_conf("    { name = \"welcome\";\n"
                                       "      body_file = \"empty.txt\"; }\n")),
                   CRM_ECONFIG);
  snprintf(want, sizeof(want), "%s:5: template \"welcome\" (*, en): "
           "body_file \"empty.txt\" is empty", e.conf);
  assert_string_equal(crm_errmsg(e.c), want);

  f = fopen(tp_path(&e, "nul.txt"), "wb");
  assert_non_null(f);
  fwrite("ab\0cd", 1, 5, f);
  fclose(f);
  assert_int_equal(tp_load(&e, tp_conf("    { name = \"welcome\";\n"
                                       "      body_file = \"nul.txt\"; }\n")),
                   CRM_ECONFIG);
  snprintf(want, sizeof(want), "%s:5: template \"welcome\" (*, en): "
           "body_file \"nul.txt\" contains a NUL byte", e.conf);
  assert_string_equal(crm_errmsg(e.c), want);

  /* with routes, a template's channel must be one of them */
  assert_int_equal(tp_load(&e,
                           "communication = {\n"
                           "  channels = ( { name = \"email\";"
                           " component = \"smtp\"; } );\n"
                           "  templates = (\n"
                           "    { name = \"welcome\"; body = \"b\";\n"
                           "      channel = \"emial\"; }\n"
                           "  );\n"
                           "};\n"), CRM_ECONFIG);
  snprintf(want, sizeof(want), "%s:5: template \"welcome\" (emial, en): no "
           "channel \"emial\" in communication.channels", e.conf);
  assert_string_equal(crm_errmsg(e.c), want);

  /* 998 bytes of subject load, 999 do not */
  subject = malloc(1000);
  items = malloc(2000);
  assert_non_null(subject);
  assert_non_null(items);
  memset(subject, 's', 999);
  subject[998] = '\0';
  snprintf(items, 2000, "    { name = \"welcome\";\n"
           "      subject = \"%s\"; body = \"b\"; }\n", subject);
  assert_int_equal(tp_load(&e, tp_conf(items)), CRM_OK);
  subject[998] = 's';
  subject[999] = '\0';
  snprintf(items, 2000, "    { name = \"welcome\";\n"
           "      subject = \"%s\"; body = \"b\"; }\n", subject);
  assert_int_equal(tp_load(&e, tp_conf(items)), CRM_ECONFIG);
  snprintf(want, sizeof(want), "%s:5: template \"welcome\" (*, en): the "
           "subject is longer than 998 bytes", e.conf);
  assert_string_equal(crm_errmsg(e.c), want);
  free(subject);
  free(items);
  tp_close(&e);
}

static void test_placeholder_kinds(void **state)
{
  (void)state;
  assert_int_equal(crm__placeholder_kinds("points_balance"), CRM__PH_ALWAYS);
  assert_int_equal(crm__placeholder_kinds("unsubscribe_url"),
                   CRM__PH_ALWAYS);
  assert_int_equal(crm__placeholder_kinds("case_number"),
                   1u << CRM__TRG_CASE_CLOSED);
  assert_int_equal(crm__placeholder_kinds("new_tier"), 1u << CRM__TRG_TIER);
  assert_int_equal(crm__placeholder_kinds("expiry_date"),
                   1u << CRM__TRG_POINTS_EXPIRING);
  assert_int_equal(crm__placeholder_kinds("member_day_date"),
                   1u << CRM__TRG_MEMBER_DAY);
  assert_int_equal(crm__placeholder_kinds("age"), 1u << CRM__TRG_BIRTHDAY);
  assert_int_equal(crm__placeholder_kinds("nmae"), 0);
  assert_int_equal(crm__placeholder_kinds(""), 0);
}

/* ---- lookup ------------------------------------------------------------ */

static const char lookup_items[] =
  "    { name = \"welcome\"; channel = \"email\"; language = \"en\";"
  " body = \"T1\"; },\n"
  "    { name = \"welcome\"; channel = \"*\"; language = \"fr\";"
  " body = \"T2\"; },\n"
  "    { name = \"welcome\"; channel = \"sms\"; language = \"fr-CA\";"
  " body = \"T3\"; },\n"
  "    { name = \"welcome\"; channel = \"*\"; language = \"en\";"
  " body = \"T4\"; },\n"
  "    { name = \"welcome\"; channel = \"email\"; language = \"fr\";"
  " body = \"T5\"; },\n"
  "    { name = \"welcome\"; channel = \"*\"; language = \"fr-CA\";"
  " body = \"T6\"; },\n"
  "    { name = \"fr_only\"; channel = \"sms\"; language = \"fr\";"
  " body = \"F1\"; },\n"
  "    { name = \"fr_only\"; channel = \"email\"; language = \"en\";"
  " body = \"F2\"; }\n";

static const char *find(crm *c, const char *ch, const char *lang)
{
  const crm__template *t = crm__template_find(crm__comm(c), "welcome", ch,
                                              lang);

  return t ? t->body : "(none)";
}

static void test_lookup_order(void **state)
{
  tp_env e;
  const crm__comm_cfg *cc;

  (void)state;
  tp_open(&e);
  tp_load_ok(&e, tp_conf(lookup_items));
  cc = crm__comm(e.c);
  assert_int_equal(cc->n_templates, 8);
  /* exact */
  assert_string_equal(find(e.c, "sms", "fr-CA"), "T3");
  /* language tags compare without case */
  assert_string_equal(find(e.c, "sms", "FR-ca"), "T3");
  /* (email, fr-CA) none; (email, fr) T5 comes before ("*", fr-CA) T6 */
  assert_string_equal(find(e.c, "email", "fr-CA"), "T5");
  /* (sms, fr-BE), (sms, fr), ("*", fr-BE) none; ("*", fr) T2 */
  assert_string_equal(find(e.c, "sms", "fr-BE"), "T2");
  /* ("*", fr-CA) exact before ("*", fr) */
  assert_string_equal(find(e.c, "webhook", "fr-CA"), "T6");
  /* no German: the default language, channel before "*" */
  assert_string_equal(find(e.c, "email", "de"), "T1");
  assert_string_equal(find(e.c, "sms", "de-AT"), "T4");
  /* NULL language: the default */
  assert_string_equal(find(e.c, "email", NULL), "T1");
  /* a name with no variant for the channel in any fallback */
  assert_null(crm__template_find(cc, "fr_only", "webhook", "fr"));
  assert_string_equal(crm__template_find(cc, "fr_only", "sms", "fr-CA")->body,
                      "F1");
  /* sms in German: (sms, de), ("*", de), (sms, en), ("*", en): none */
  assert_null(crm__template_find(cc, "fr_only", "sms", "de"));
  assert_null(crm__template_find(cc, "nope", "email", "en"));
  tp_close(&e);
}

/* ---- rendering ------------------------------------------------------------ */

/* fx_loyalty: the payload says the points; silver from 1000 points. */
#define RENDER_CONF_HEAD                                                     \
  "plugins = { load = ( { name = \"fx_loyalty\"; scheme = { tiers = {\n"    \
  "  levels = ( { name = \"base\"; },\n"                                    \
  "    { name = \"silver\"; points = 1000; } ); }; }; } ); };\n"             \
  "communication = {\n"                                                      \
  "  language = \"en\";\n"                                                   \
  "  default_channel = \"sms\";\n"                                          \
  "  channels = ( { name = \"email\"; component = \"smtp\"; },\n"          \
  "    { name = \"sms\"; component = \"sms_http\"; } );\n"                 \
  "  sender_name = \"Example Shop\";\n"                                      \
  "  unsubscribe_url = \"https://example.com/u?c={customer}&ch={channel}"    \
  "&m={message}\";\n"                                                        \
  "  templates = (\n"

static const char render_conf[] =
  RENDER_CONF_HEAD
  "    { name = \"all\"; channel = \"email\";\n"
  "      subject = \"{{company}}: {{first_name}}\";\n"
  "      body = \"name={{name}}|first={{first_name}}|email={{email}}"
  "|phone={{phone}}|ext={{external_id}}|id={{customer_id}}"
  "|pts={{points_balance}}|tier={{tier}}|stage={{stage}}"
  "|bday={{birthday}}|co={{company}}|today={{today}}"
  "|unsub={{unsubscribe_url}}\"; },\n"
  "    { name = \"all\"; channel = \"*\"; language = \"fr\";\n"
  "      body = \"Bonjour {{ first_name }}\"; },\n"
  "    { name = \"case\";\n"
  "      body = \"Case {{case_number}} for {{first_name}}\"; },\n"
  "    { name = \"tiered\"; body = \"Tier {{tier}}\"; },\n"
  "    { name = \"esc\";\n"
  "      body = \"Use \\\\{{name}} as is, {{ first_name }}! } {x} }}"
  " \\\\n\"; },\n"
  "    { name = \"utf8\"; subject = \"Grüße {{name}} ✓\";\n"
  "      body = \"Grüße, {{name}} — 🎉 ünïcödé\"; },\n"
  "    { name = \"filed\"; body_file = \"filed.txt\"; },\n"
  "    { name = \"unsub\"; body = \"{{unsubscribe_url}}\"; }\n"
  "  );\n"
  "};\n";

/* The customer of the rendering tests: id 1, 1200 points, silver. */
static int64_t add_zoe(crm *c)
{
  crm_customer_fields f;
  crm_event ev;
  crm_ingest_result r;
  int64_t id = 0;

  memset(&f, 0, sizeof(f));
  f.external_id = "c-001";
  f.name = "Zoë Dupont";
  f.email = "zoe@example.com";
  f.phone = "+33600000001";
  f.timezone = "Pacific/Auckland";
  f.birthday = "1990-02-14";
  if(crm_customer_add(c, &f, &id))
    fail_msg("crm_customer_add: %s", crm_errmsg(c));
  memset(&ev, 0, sizeof(ev));
  ev.type = "purchase";
  ev.customer_id = id;
  ev.occurred_at = NOW - T_DAY;
  ev.amount = 5000;
  ev.currency = "USD";
  ev.payload = "{\"pts\": 1200}";
  ev.idempotency_key = "p1";
  if(crm_event_ingest(c, &ev, &r))
    fail_msg("crm_event_ingest: %s", crm_errmsg(c));
  return id;
}

static void render_env(tp_env *e)
{
  tp_open(e);
  t_write_file(tp_path(e, "filed.txt"),
               "Hi {{first_name}},\nline 2 \\{{ é\n");
  tp_load_ok(e, render_conf);
}

static void test_render_customer_level(void **state)
{
  tp_env e;
  crm_rendered *out = malloc(sizeof(*out));
  int64_t id;

  (void)state;
  assert_non_null(out);
  render_env(&e);
  id = add_zoe(e.c);
  assert_int_equal(id, 1);
  assert_int_equal(crm_template_render(e.c, "all", id, "email", "en", NULL,
                                       out), CRM_OK);
  assert_string_equal(out->channel, "email");
  assert_string_equal(out->language, "en");
  assert_string_equal(out->subject, "Example Shop: Zoë");
  /* first_name: the first word of "Zoë Dupont"; 1200 points put the
   * customer in silver (1000); the purchase made them first_purchase;
   * today in Auckland is already the 6th (see NOW); {message} is left
   * out of the unsubscribe link. */
  assert_string_equal(out->body,
                      "name=Zoë Dupont|first=Zoë|email=zoe@example.com"
                      "|phone=+33600000001|ext=c-001|id=1|pts=1200"
                      "|tier=silver|stage=first_purchase|bday=1990-02-14"
                      "|co=Example Shop|today=2026-01-06"
                      "|unsub=https://example.com/u?c=1&ch=email&m={message}");
  /* French asked on another channel: the ("*", fr) variant */
  assert_int_equal(crm_template_render(e.c, "all", id, "sms", "fr-CA", NULL,
                                       out), CRM_OK);
  assert_string_equal(out->channel, "sms");
  assert_string_equal(out->language, "fr");
  assert_string_equal(out->subject, "");
  assert_string_equal(out->body, "Bonjour Zoë");
  /* language NULL: the customer's preference */
  {
    crm_contact_prefs p;

    memset(&p, 0, sizeof(p));
    p.language = "fr-CA";
    p.quiet_start = p.quiet_end = -1;
    assert_int_equal(crm_prefs_set(e.c, id, &p, "test"), CRM_OK);
  }
  assert_int_equal(crm_template_render(e.c, "all", id, "email", NULL, NULL,
                                       out), CRM_OK);
  assert_string_equal(out->body, "Bonjour Zoë");
  free(out);
  tp_close(&e);
}

static void test_render_extra_and_missing(void **state)
{
  tp_env e;
  crm_rendered *out = malloc(sizeof(*out));
  const char *vars[] = {"case_number", "C-7", "first_name", "Boss", NULL};
  const char *half[] = {"case_number", NULL};
  int64_t id;
  int64_t b;

  (void)state;
  assert_non_null(out);
  render_env(&e);
  id = add_zoe(e.c);
  b = t_add_customer(e.c, "b"); /* name "b", no points, no tier */
  assert_int_equal(b, 2);
  /* extra pairs give the case number and override first_name */
  assert_int_equal(crm_template_render(e.c, "case", id, "email", NULL, vars,
                                       out), CRM_OK);
  assert_string_equal(out->channel, "email");
  assert_string_equal(out->body, "Case C-7 for Boss");
  /* without them: an error naming the placeholder, nothing rendered */
  assert_int_equal(crm_template_render(e.c, "case", id, "email", NULL, NULL,
                                       out), CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c),
                      "template \"case\" (*, en) needs {{case_number}}, "
                      "which has no value for customer #1 (not given for "
                      "this message)");
  assert_string_equal(out->body, "");
  assert_int_equal(crm_template_render(e.c, "tiered", b, "email", NULL, NULL,
                                       out), CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c),
                      "template \"tiered\" (*, en) needs {{tier}}, which has "
                      "no value for customer #2 (no tier)");
  /* the tier given by the caller is enough */
  {
    const char *tv[] = {"tier", "gold", NULL};

    assert_int_equal(crm_template_render(e.c, "tiered", b, "email", NULL, tv,
                                         out), CRM_OK);
    assert_string_equal(out->body, "Tier gold");
  }
  /* a value may not break the subject's line (header injection) */
  {
    const char *nl[] = {"first_name", "Zoë\r\nBcc: x@example.com", NULL};

    assert_int_equal(crm_template_render(e.c, "all", id, "email", "en", nl,
                                         out), CRM_EINVAL);
    assert_string_equal(crm_errmsg(e.c),
                        "template \"all\" (email, en): the subject has a "
                        "line break for customer #1 (from a placeholder's "
                        "value)");
    assert_string_equal(out->subject, "");
  }
  assert_int_equal(crm_template_render(e.c, "case", id, "email", NULL, half,
                                       out), CRM_EINVAL);
  assert_string_equal(crm_errmsg(e.c),
                      "vars: no value after \"case_number\"");
  assert_int_equal(crm_template_render(e.c, "nope", id, "email", NULL, NULL,
                                       out), CRM_ENOTFOUND);
  assert_string_equal(crm_errmsg(e.c), "unknown template \"nope\"");
  free(out);
  tp_close(&e);
}

static void test_render_escapes_utf8_file(void **state)
{
  tp_env e;
  crm_rendered *out = malloc(sizeof(*out));
  const char *inject[] = {"first_name", "{{tier}}", NULL};
  int64_t id;

  (void)state;
  assert_non_null(out);
  render_env(&e);
  id = add_zoe(e.c);
  /* the config's "\\{{" is the text \{{: a literal "{{"; a lone "}",
   * "{x}", "}}" and a backslash elsewhere pass as they are */
  assert_int_equal(crm_template_render(e.c, "esc", id, "email", NULL, NULL,
                                       out), CRM_OK);
  assert_string_equal(out->body, "Use {{name}} as is, Zoë! } {x} }} \\n");
  /* a value is not scanned again */
  assert_int_equal(crm_template_render(e.c, "esc", id, "email", NULL, inject,
                                       out), CRM_OK);
  assert_string_equal(out->body,
                      "Use {{name}} as is, {{tier}}! } {x} }} \\n");
  /* UTF-8 bytes pass through untouched */
  assert_int_equal(crm_template_render(e.c, "utf8", id, "email", NULL, NULL,
                                       out), CRM_OK);
  assert_string_equal(out->subject, "Grüße Zoë Dupont ✓");
  assert_string_equal(out->body, "Grüße, Zoë Dupont — 🎉 ünïcödé");
  assert_int_equal(strlen(out->body),
                   strlen("Grüße, Zoë Dupont — ") + 4 + strlen(" ünïcödé"));
  /* body_file: read at load, relative to crm.conf, escapes apply */
  assert_int_equal(crm_template_render(e.c, "filed", id, "email", NULL, NULL,
                                       out), CRM_OK);
  assert_string_equal(out->body, "Hi Zoë,\nline 2 {{ é\n");
  free(out);
  tp_close(&e);
}

/* channel NULL: the customer's preferred channel, else
 * communication.default_channel ("sms" here); it fills {channel}. */
static void test_render_channel_resolved(void **state)
{
  tp_env e;
  crm_rendered *out = malloc(sizeof(*out));
  crm_contact_prefs p;
  int64_t id;

  (void)state;
  assert_non_null(out);
  render_env(&e);
  id = add_zoe(e.c);
  assert_int_equal(crm_template_render(e.c, "unsub", id, NULL, NULL, NULL,
                                       out), CRM_OK);
  assert_string_equal(out->channel, "sms");
  assert_string_equal(out->language, "en");
  assert_string_equal(out->body, "https://example.com/u?c=1&ch=sms&m={message}");
  memset(&p, 0, sizeof(p));
  p.preferred_channel = "email";
  p.quiet_start = p.quiet_end = -1;
  assert_int_equal(crm_prefs_set(e.c, id, &p, "test"), CRM_OK);
  assert_int_equal(crm_template_render(e.c, "unsub", id, "preferred", NULL,
                                       NULL, out), CRM_OK);
  assert_string_equal(out->channel, "email");
  assert_string_equal(out->body, "https://example.com/u?c=1&ch=email&m={message}");
  /* the email variant of "all" is found for the resolved channel */
  assert_int_equal(crm_template_render(e.c, "all", id, NULL, NULL, NULL,
                                       out), CRM_OK);
  assert_string_equal(out->subject, "Example Shop: Zoë");
  /* the contract-level call without a channel: the variant's own */
  {
    crm_customer cu;
    const crm__template *t = crm__template_find(crm__comm(e.c), "unsub",
                                                "webhook", "en");

    assert_non_null(t);
    assert_int_equal(crm_customer_get(e.c, id, &cu), CRM_OK);
    assert_int_equal(crm__template_render(e.c, t, &cu, NULL, out), CRM_OK);
    assert_string_equal(out->channel, "*");
    /* {message}: the mark the outbox replaces with the message id */
    assert_string_equal(out->body, "https://example.com/u?c=1&ch=*&m="
                                   CRM__MSG_MARK);
  }
  free(out);
  tp_close(&e);
}

struct walk {
  size_t n;
  char line[8][200];
};

static int walk_cb(void *ud, const crm_template_info *t)
{
  struct walk *w = ud;

  if(w->n < 8)
    snprintf(w->line[w->n], sizeof(w->line[0]), "%s/%s/%s/%s/[%s]", t->name,
             t->channel, t->language, t->subject ? "subj" : "-",
             t->placeholders);
  w->n++;
  return 0;
}

static void test_foreach(void **state)
{
  tp_env e;
  struct walk w;

  (void)state;
  render_env(&e);
  memset(&w, 0, sizeof(w));
  assert_int_equal(crm_template_foreach(e.c, walk_cb, &w), 0);
  /* config order; placeholders in order of first use, subject first */
  assert_int_equal(w.n, 8);
  assert_string_equal(w.line[0],
                      "all/email/en/subj/[company, first_name, name, email, "
                      "phone, external_id, customer_id, points_balance, "
                      "tier, stage, birthday, today, unsubscribe_url]");
  assert_string_equal(w.line[1], "all/*/fr/-/[first_name]");
  assert_string_equal(w.line[2], "case/*/en/-/[case_number, first_name]");
  assert_string_equal(w.line[3], "tiered/*/en/-/[tier]");
  assert_string_equal(w.line[4], "esc/*/en/-/[first_name]");
  assert_string_equal(w.line[5], "utf8/*/en/subj/[name]");
  assert_string_equal(w.line[6], "filed/*/en/-/[first_name]");
  assert_string_equal(w.line[7], "unsub/*/en/-/[unsubscribe_url]");
  tp_close(&e);
}

/* 64 KiB: a body of 65536 bytes loads, 65537 does not; rendering that
 * would pass 65536 bytes is CRM_ERANGE. */
static void test_size_limit(void **state)
{
  tp_env e;
  crm_rendered *out = malloc(sizeof(*out));
  size_t cap = 70000 + 200;
  char *items = malloc(cap);
  char *body = malloc(65538);
  const char *eight[] = {"name", "12345678", NULL};
  const char *nine[] = {"name", "123456789", NULL};
  char want[1400];
  int64_t id;

  (void)state;
  assert_non_null(out);
  assert_non_null(items);
  assert_non_null(body);
  /* 65528 x and "{{name}}" (8 bytes): 65536 */
  memset(body, 'x', 65528);
  memcpy(body + 65528, "{{name}}", 9);
  assert_int_equal(strlen(body), 65536);
  tp_open(&e);
  snprintf(items, cap, "    { name = \"big\";\n      body = \"%s\"; }\n", body);
  tp_load_ok(&e, tp_conf(items));
  id = t_add_customer(e.c, "a");
  /* "{{name}}" -> 8 bytes: exactly 65536 */
  assert_int_equal(crm_template_render(e.c, "big", id, "email", NULL, eight,
                                       out), CRM_OK);
  assert_int_equal(strlen(out->body), 65536);
  assert_int_equal(memcmp(out->body + 65528, "12345678", 8), 0);
  /* 9 bytes: one too many */
  assert_int_equal(crm_template_render(e.c, "big", id, "email", NULL, nine,
                                       out), CRM_ERANGE);
  assert_string_equal(crm_errmsg(e.c),
                      "template \"big\" (*, en): the body is longer than "
                      "65536 bytes for customer #1");
  assert_string_equal(out->body, "");
  /* 65537 bytes of template */
  memset(body, 'y', 65537);
  body[65537] = '\0';
  snprintf(items, cap, "    { name = \"big\";\n      body = \"%s\"; }\n", body);
  assert_int_equal(tp_load(&e, tp_conf(items)), CRM_ECONFIG);
  snprintf(want, sizeof(want), "%s:5: template \"big\" (*, en): the body is "
           "longer than 65536 bytes", e.conf);
  assert_string_equal(crm_errmsg(e.c), want);
  free(items);
  free(body);
  free(out);
  tp_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_parse_errors),
    cmocka_unit_test(test_parse_errors_files),
    cmocka_unit_test(test_placeholder_kinds),
    cmocka_unit_test(test_lookup_order),
    cmocka_unit_test(test_render_customer_level),
    cmocka_unit_test(test_render_extra_and_missing),
    cmocka_unit_test(test_render_escapes_utf8_file),
    cmocka_unit_test(test_render_channel_resolved),
    cmocka_unit_test(test_foreach),
    cmocka_unit_test(test_size_limit),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
