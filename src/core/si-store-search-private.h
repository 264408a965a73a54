/* si-store-search-private.h — what the two files of search share: si-store-search.c (the
 * queries) and si-store-search-index.c (the ideas that wait for the index, read with its own
 * tokenizer): how a typed word is looked for. Only these two files include it.
 *
 * The functions keep their short names in the source; these macros give them the symbols
 * _si_store_search_*, so that nothing else linked with the core can collide with them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define search_words(...)      _si_store_search_words (__VA_ARGS__)
#define search_word_kind(...)  _si_store_search_word_kind (__VA_ARGS__)

typedef enum {
  SEARCH_WORD_NONE,    /* nothing to search (punctuation only) */
  SEARCH_WORD_CJK,     /* holds Chinese, Japanese or Korean: its runs are looked for in ideas_cjk */
  SEARCH_WORD_SHORT,   /* one or two characters: a prefix in titles and tags only */
  SEARCH_WORD_PREFIX,  /* a prefix anywhere */
} SearchWord;

/* What a person typed, cut into words at white space; NULL for text that is not UTF-8. */
GStrv      search_words     (const char *text);
/* How search_query_init() looks for one typed word (and pending_query_new() the same). */
SearchWord search_word_kind (const char *word);

G_END_DECLS
