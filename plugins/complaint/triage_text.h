/*
 * triage_text.h - the words of a complaint: the tokenizer of the naive
 * Bayes model and the keyword matcher. Private to the triage plugin
 * (static functions, included once by triage.c); built against crm/sdk.h
 * only.
 *
 * Tokens: runs of word characters (ASCII letters and digits, and every
 * byte of a non-ASCII UTF-8 character, so "café" and "délai" stay one
 * word), ASCII letters lowercased; tokens of one byte, longer than
 * TRI_WORD_MAX bytes, or in the stop-word list are dropped.
 *
 * Keywords match as basic_case's (case_machine.h's cm_has_keyword):
 * case-insensitively, as whole words (a keyword starts a word and ends
 * one: "late" is not in "latest" nor "chocolate"); a trailing '*' makes a
 * stem that may go on ("deliver*": delivery, delivered); a keyword may
 * hold several words ("lost parcel").
 */
#ifndef TRIAGE_TEXT_H
#define TRIAGE_TEXT_H

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "case_machine.h"

#define TRI_WORD_MAX 32

/* Sorted (for bsearch). */
static const char *const tri_stop_words[] = {
  "about", "after", "again", "all", "am", "an", "and", "any", "are", "as",
  "at", "be", "been", "before", "being", "but", "by", "can", "could", "did",
  "do", "does", "for", "from", "had", "has", "have", "he", "her", "here",
  "him", "his", "how", "if", "in", "into", "is", "it", "its", "just", "me",
  "my", "of", "on", "or", "our", "she", "so", "some", "than", "that", "the",
  "their", "them", "then", "there", "they", "this", "to", "too", "up", "us",
  "very", "was", "we", "were", "what", "when", "which", "who", "why", "will",
  "with", "would", "you", "your"};

#define TRI_N_STOP (sizeof(tri_stop_words) / sizeof(tri_stop_words[0]))

#define tri_word_char cm_word_char

static int tri_is_stop(const char *w)
{
  size_t lo = 0, hi = TRI_N_STOP;

  while(lo < hi) {
    size_t mid = (lo + hi) / 2;
    int cmp = strcmp(w, tri_stop_words[mid]);

    if(!cmp)
      return 1;
    if(cmp < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return 0;
}

/* The next token of *p into w (TRI_WORD_MAX + 1 bytes); advances *p.
 * 0 at the end of the text. */
static int tri_next_token(const char **p, char *w)
{
  const unsigned char *s = (const unsigned char *)*p;

  for(;;) {
    size_t n = 0;
    int too_long = 0;

    while(*s && !tri_word_char(*s))
      s++;
    if(!*s) {
      *p = (const char *)s;
      return 0;
    }
    while(*s && tri_word_char(*s)) {
      if(n < TRI_WORD_MAX)
        w[n++] = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
      else
        too_long = 1;
      s++;
    }
    w[n] = '\0';
    if(too_long || n < 2 || tri_is_stop(w))
      continue;
    *p = (const char *)s;
    return 1;
  }
}

static int tri_has_keyword(const char *text, const char *kw)
{
  return cm_has_keyword(text, kw);
}

#endif /* TRIAGE_TEXT_H */
