/*
 * test_plugin_triage_odd.c - the triage plugin on odd input, through the
 * fake host of triage_test.h: a vocabulary past its limit split over many
 * kv parts, empty, stop-word-only, non-ASCII and 4000-byte texts (log
 * space), and a reason cut on a UTF-8 character boundary.
 */
#include "triage_test.h"

/* A vocabulary past TRI_VOCAB_MAX (20000): 1750 cases of 12 new words
 * each (21000) keep the first 20000 words seen (cases 1..1666 and 8
 * words of case 1667), flagged "full"; the text form (20000 lines of 13
 * to 16 bytes, about 300 KB) is split into parts of at most 60000 bytes
 * at line ends, each within the host's 64 KiB, and read back whole by a
 * fresh instance. */
static void test_full_vocabulary(void **state)
{
  static struct tcase many[1750];
  static char texts[1750][160];
  const struct fake_figure *f;
  crm_case_decision d;
  char key[32];
  size_t i, j, len, total = 0;
  long parts = 0;
  const char *m;

  (void)state;
  for(i = 0; i < 1750; i++) {
    len = 0;
    for(j = 0; j < 12; j++)
      len += (size_t)snprintf(texts[i] + len, sizeof(texts[i]) - len,
                              "%sv%zux%zu", j ? " " : "", i, j);
    many[i].id = (int64_t)i + 1;
    many[i].category = i % 2 ? "odd" : "even";
    many[i].text = texts[i];
    many[i].closed = 1;
  }
  g_cases = many;
  g_n_cases = 1750;
  fake_cfg_int(&host, "min_cases", 1);
  fake_cfg_float(&host, "min_confidence", 0.5);
  assert_int_equal(fake_load(&host, "triage"), CRM_OK);
  assert_int_equal(train(), CRM_OK);
  f = fake_figure_find(&host, NULL, "vocabulary");
  assert_non_null(f);
  assert_true(f->value == 20000.0);
  assert_string_equal(f->label, "full");
  m = kv("nb:meta");
  assert_non_null(strstr(m, " cases=1750 vocab=20000 cats=2 parts="));
  parts = strtol(strstr(m, "parts=") + 6, NULL, 10);
  assert_true(parts >= 5 && parts <= 8);
  for(i = 0; i < (size_t)parts; i++) {
    snprintf(key, sizeof(key), "nb:%zu", i);
    assert_non_null(kv(key));
    len = strlen(kv(key));
    assert_true(len <= 60000);
    assert_true(kv(key)[len - 1] == '\n');
    total += len;
  }
  snprintf(key, sizeof(key), "nb:%ld", parts);
  assert_null(kv(key));
  assert_true(strstr(m, "bytes=") != NULL);
  assert_int_equal(strtol(strstr(m, "bytes=") + 6, NULL, 10), (long)total);
  fake_unload(&host);
  /* a fresh instance loads every part: v3x5 (an odd case's word, kept)
   * decides; v1700x0 (past the limit) is unknown */
  assert_int_equal(fake_load(&host, "triage"), CRM_OK);
  assert_int_equal(classify(1, "v3x5", NULL, &d), CRM_OK);
  assert_string_equal(d.category, "odd");
  assert_int_equal(classify(1, "v1700x0", NULL, &d), CRM_OK);
  assert_string_equal(d.category, "other");
  assert_string_equal(d.reason, "no keyword; bayes knows no word of the "
                                "text");
  fake_unload(&host);
}

/* Odd texts: empty, only stop words, non-ASCII, and a text of 4000 bytes
 * (the host's 4 KiB of customer_text) whose likelihoods would underflow
 * outside log space. Model: the hotel set (min_cases 6). */
static void test_odd_texts(void **state)
{
  static char long_text[4001];
  crm_case_decision d;
  size_t i;

  (void)state;
  use_hotel();
  fake_cfg_int(&host, "min_cases", 6);
  assert_int_equal(fake_load(&host, "triage"), CRM_OK);
  /* untrained: empty text is "other" with the reason why */
  assert_int_equal(classify(1, "", NULL, &d), CRM_OK);
  assert_string_equal(d.category, "other");
  assert_int_equal(d.priority, 4);
  assert_string_equal(d.reason, "no keyword; bayes not trained (0 of 6 "
                                "closed cases)");
  assert_int_equal(train(), CRM_OK);
  assert_int_equal(classify(1, "", NULL, &d), CRM_OK);
  assert_string_equal(d.category, "other");
  assert_string_equal(d.reason, "no keyword; bayes knows no word of the "
                                "text");
  /* stop words and one-letter words only: no token */
  assert_int_equal(classify(1, "it was the a I ...", NULL, &d), CRM_OK);
  assert_string_equal(d.category, "other");
  assert_string_equal(d.reason, "no keyword; bayes knows no word of the "
                                "text");
  /* non-ASCII: "café" and the dash are unknown words, "\xff" a one-byte
   * token; "soup" alone decides: p(food) = 39/45 = 0.87 */
  assert_int_equal(classify(1, "Caf\xc3\xa9 \xe2\x80\x94 soup \xff", NULL,
                            &d), CRM_OK);
  assert_string_equal(d.category, "food");
  assert_string_equal(d.reason, "bayes: food p=0.87 over 6 cases");
  /* 800 x "soup ": log p(food) - log p(room) = log 2 + 800 log(13/4)
   * (about 943): p(food) = 1/(1 + e^-943) = 1.00. In linear space
   * (1/4)^800 = 1e-482 is 0 and the posterior 0/0. */
  for(i = 0; i < 800; i++)
    memcpy(long_text + 5 * i, "soup ", 5);
  long_text[4000] = '\0';
  assert_int_equal(classify(1, long_text, NULL, &d), CRM_OK);
  assert_string_equal(d.category, "food");
  assert_string_equal(d.reason, "bayes: food p=1.00 over 6 cases");
  /* and the other way: 800 x "room " (room: 3/13 per word against 1/16) */
  for(i = 0; i < 800; i++)
    memcpy(long_text + 5 * i, "room ", 5);
  assert_int_equal(classify(1, long_text, NULL, &d), CRM_OK);
  assert_string_equal(d.category, "room");
  assert_string_equal(d.reason, "bayes: room p=1.00 over 6 cases");
  fake_unload(&host);
}

/* 1 when s is valid UTF-8 (no cut character). */
static int utf8_ok(const char *s)
{
  const unsigned char *p = (const unsigned char *)s;

  while(*p) {
    size_t n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2
             : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 0;
    size_t k;

    if(!n)
      return 0;
    for(k = 1; k < n; k++) {
      if((p[k] & 0xC0) != 0x80)
        return 0;
    }
    p += n;
  }
  return 1;
}

/* A reason longer than the decision's 255 bytes is cut on a character
 * boundary, never inside a UTF-8 character. Eight keywords of 20 "é"
 * (40 bytes) all in the text: "keywords:" (9) + " " + kw (41) + 5 x
 * (", " + kw = 42) = 260 > 255, so the sixth is cut: 220 + 35 bytes
 * would end inside an "é" (2 bytes); the cut keeps 34 (17 of them). */
static void test_reason_utf8(void **state)
{
  char kw[41], path[64], text[512];
  crm_case_decision d;
  size_t i, len = 0;

  (void)state;
  for(i = 0; i < 20; i++)
    memcpy(kw + 2 * i, "\xc3\xa9", 2);
  kw[40] = '\0';
  fake_cfg_str(&host, "categories.[0]", "accent");
  fake_cfg_int(&host, "keywords.accent", 0);
  fake_cfg_int(&host, "keywords.[0]", 0);
  for(i = 0; i < 8; i++) {
    snprintf(path, sizeof(path), "keywords.accent.[%zu]", i);
    kw[39] = (char)(0xa0 + i); /* eight different last characters */
    fake_cfg_str(&host, path, kw);
    len += (size_t)snprintf(text + len, sizeof(text) - len, "%s ", kw);
  }
  assert_true(len < sizeof(text) - 1);
  assert_int_equal(fake_load(&host, "triage"), CRM_OK);
  assert_int_equal(classify(1, text, NULL, &d), CRM_OK);
  assert_string_equal(d.category, "accent");
  assert_true(utf8_ok(d.reason));
  assert_int_equal(strlen(d.reason), 220 + 34);
  fake_unload(&host);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_full_vocabulary, setup, teardown),
    cmocka_unit_test_setup_teardown(test_odd_texts, setup, teardown),
    cmocka_unit_test_setup_teardown(test_reason_utf8, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
