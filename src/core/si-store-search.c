/* si-store-search.c — lists and search: the ideas in list order, filtered by tag, pinned or
 * text (FTS5), as keys for SiIdeaList. */
#define G_LOG_DOMAIN "saveidea-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "si-record-private.h"
#include "si-store-private.h"
#include "si-text.h"
#include "si-worker.h"

/* Lists and search -------------------------------------------------------------------------------- */

/* A search as FTS5 queries: @words for ideas_fts, @cjk for ideas_cjk (si-store-schema.c);
 * either may be NULL, both NULL when nothing searchable was typed. */
typedef struct {
  char *words;
  char *cjk;
} SearchQuery;

static void
search_query_clear (SearchQuery *query)
{
  g_clear_pointer (&query->words, g_free);
  g_clear_pointer (&query->cjk, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SearchQuery, search_query_clear)

static void
append_quoted (GString    *query,
               const char *text,
               gsize       length)
{
  g_string_append_c (query, '"');
  for (gsize i = 0; i < length; i++)
    {
      if (text[i] == '"')
        g_string_append_c (query, '"');
      g_string_append_c (query, text[i]);
    }
  g_string_append_c (query, '"');
}

/* The runs of CJK characters in @word, as ideas_cjk finds them anywhere in a text: a run of
 * two or more characters is the phrase of its bigrams (si_text_cjk_grams()); one character is
 * the prefix of a bigram, looked for in titles and tags only, as one Latin letter is. What is
 * not CJK in a word that has CJK ("iPhone" in "iPhone旅行") is not looked for: in ideas_fts
 * it is inside a word that starts with anything. */
static void
append_cjk_runs (GString    *query,
                 const char *word)
{
  const char *p = word;

  while (*p)
    {
      const char *run = p, *last = p;
      guint n = 0;

      while (*p && si_text_is_cjk (g_utf8_get_char (p)))
        {
          last = p;
          p = g_utf8_next_char (p);
          n++;
        }
      if (n == 0)
        {
          p = g_utf8_next_char (p);
          continue;
        }
      if (query->len)
        g_string_append_c (query, ' ');
      if (n == 1)
        {
          g_string_append (query, "{title tag_names} : ");
          append_quoted (query, run, p - run);
          g_string_append_c (query, '*');
          continue;
        }
      g_string_append_c (query, '"');
      for (const char *c = run; c < last; c = g_utf8_next_char (c))
        {
          const char *next = g_utf8_next_char (c);

          if (c > run)
            g_string_append_c (query, ' ');
          g_string_append_len (query, c, g_utf8_next_char (next) - c);
        }
      g_string_append_c (query, '"');
    }
}

/* What a person typed, cut into words at white space; NULL for text that is not UTF-8. */
static GStrv
search_words (const char *text)
{
  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return NULL;
  return g_strsplit_set (text, " \t\r\n", -1);
}

typedef enum {
  SEARCH_WORD_NONE,    /* nothing to search (punctuation only) */
  SEARCH_WORD_CJK,     /* holds Chinese, Japanese or Korean: its runs are looked for in ideas_cjk */
  SEARCH_WORD_SHORT,   /* one or two characters: a prefix in titles and tags only */
  SEARCH_WORD_PREFIX,  /* a prefix anywhere */
} SearchWord;

/* How search_query_init() looks for one typed word (and pending_query_new() the same). */
static SearchWord
search_word_kind (const char *word)
{
  gboolean searchable = FALSE;

  for (const char *p = word; *p && !searchable; p = g_utf8_next_char (p))
    searchable = g_unichar_isalnum (g_utf8_get_char (p));
  if (!searchable)
    return SEARCH_WORD_NONE;
  if (si_text_has_cjk (word, -1))
    return SEARCH_WORD_CJK;
  /* One or two letters would match most of a big notebook's text: while the person is still
   * typing that little, look in titles and tags only. */
  return g_utf8_strlen (word, -1) < 3 ? SEARCH_WORD_SHORT : SEARCH_WORD_PREFIX;
}

/* Turns what a person types into FTS5 queries: every word a prefix (in ideas_fts), or, when it
 * holds Chinese, Japanese or Korean, found anywhere inside a text (in ideas_cjk); all of them
 * required, accents and case ignored. */
static void
search_query_init (SearchQuery *search,
                   const char  *text)
{
  g_auto(GStrv) words = search_words (text);
  g_autoptr(GString) query = g_string_new (NULL);
  g_autoptr(GString) cjk = g_string_new (NULL);

  *search = (SearchQuery) { NULL, NULL };
  for (guint i = 0; words && words[i]; i++)
    {
      SearchWord kind = search_word_kind (words[i]);

      if (kind == SEARCH_WORD_NONE)
        continue;
      if (kind == SEARCH_WORD_CJK)
        {
          append_cjk_runs (cjk, words[i]);
          continue;
        }
      if (query->len)
        g_string_append_c (query, ' ');
      if (kind == SEARCH_WORD_SHORT)
        g_string_append (query, "{title tag_names} : ");
      append_quoted (query, words[i], strlen (words[i]));
      g_string_append_c (query, '*');
    }
  if (query->len)
    search->words = g_string_free (g_steal_pointer (&query), FALSE);
  if (cjk->len)
    search->cjk = g_string_free (g_steal_pointer (&cjk), FALSE);
}

static gboolean
search_query_is_empty (const SearchQuery *query)
{
  return query->words == NULL && query->cjk == NULL;
}

/* Text was typed but none of it can be searched (only punctuation): nothing matches. */
static gboolean
matches_nothing (const SiIdeaFilter *filter,
                 const SearchQuery  *query)
{
  return filter && filter->search && filter->search[0] != '\0' && search_query_is_empty (query);
}

/* Ideas a big pull wrote before the index has them (search_pending, si-store-schema.c) -------- */

/* The tokenizer of ideas_fts (si-store-schema.c: "tokenize = 'unicode61 remove_diacritics 2'"),
 * made by FTS5 itself for each connection: a waiting idea's text is cut into the very tokens
 * the index would hold (letters and digits as Unicode 6.1 knows them, lower case, accents of
 * Latin letters dropped, combining marks part of a word), and what a person typed into the
 * tokens FTS5 reads from a quoted phrase. A second implementation of those rules in GLib
 * differed (Greek and Cyrillic accents, Hangul, scripts newer than SQLite's tables). */
static const char * const index_tokenizer_args[] = { "remove_diacritics", "2" };

typedef struct {
  fts5_tokenizer  api;
  Fts5Tokenizer  *tokenizer;
} IndexTokenizer;

static void
index_tokenizer_free (void *data)
{
  IndexTokenizer *self = data;

  if (self->tokenizer)
    self->api.xDelete (self->tokenizer);
  g_free (self);
}

static IndexTokenizer *
index_tokenizer_new (sqlite3 *db)
{
  g_autofree IndexTokenizer *self = g_new0 (IndexTokenizer, 1);
  sqlite3_stmt *stmt = NULL;
  fts5_api *fts5 = NULL;
  void *user_data = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT fts5 (?1)", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_bind_pointer (stmt, 1, &fts5, "fts5_api_ptr", NULL) == SQLITE_OK)
    sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (fts5 == NULL || fts5->iVersion < 2 ||
      fts5->xFindTokenizer (fts5, "unicode61", &user_data, &self->api) != SQLITE_OK ||
      self->api.xCreate (user_data, (const char **) index_tokenizer_args, G_N_ELEMENTS (index_tokenizer_args),
                         &self->tokenizer) != SQLITE_OK)
    {
      g_warning ("SQLite's FTS5 unicode61 tokenizer is missing: search cannot work");
      return NULL;
    }
  return g_steal_pointer (&self);
}

/* A text's tokens, each followed by a NUL, in @buffer; @starts: where each begins. */
typedef struct {
  GString *buffer;
  GArray  *starts;   /* of guint */
} Tokens;

static int
add_token (void       *data,
           int         flags,
           const char *token,
           int         length,
           int         start,
           int         end)
{
  Tokens *tokens = data;
  guint at = tokens->buffer->len;

  if (flags & FTS5_TOKEN_COLOCATED)
    return SQLITE_OK;   /* unicode61 makes none; a synonym would be no other position */
  g_array_append_val (tokens->starts, at);
  g_string_append_len (tokens->buffer, token, length);
  g_string_append_c (tokens->buffer, '\0');
  return SQLITE_OK;
}

static void
tokens_init (Tokens               *tokens,
             const IndexTokenizer *tokenizer,
             int                   flags,
             const char           *text)
{
  tokens->buffer = g_string_new (NULL);
  tokens->starts = g_array_new (FALSE, FALSE, sizeof (guint));
  if (text && text[0])
    tokenizer->api.xTokenize (tokenizer->tokenizer, tokens, flags, text, (int) strlen (text), add_token);
}

static void
tokens_clear (Tokens *tokens)
{
  if (tokens->buffer)
    g_string_free (tokens->buffer, TRUE);
  if (tokens->starts)
    g_array_unref (tokens->starts);
  *tokens = (Tokens) { NULL, NULL };
}

static const char *
tokens_get (const Tokens *tokens,
            guint         i)
{
  return tokens->buffer->str + g_array_index (tokens->starts, guint, i);
}

/* Whether @text holds @phrase as FTS5 matches '"phrase"*': its tokens one after the other, the
 * last one a prefix. */
static gboolean
tokens_have_phrase (const Tokens *text,
                    const Tokens *phrase)
{
  guint n = phrase->starts->len;

  for (guint i = 0; n > 0 && i + n <= text->starts->len; i++)
    {
      guint k = 0;

      while (k + 1 < n && strcmp (tokens_get (text, i + k), tokens_get (phrase, k)) == 0)
        k++;
      if (k + 1 == n && g_str_has_prefix (tokens_get (text, i + k), tokens_get (phrase, k)))
        return TRUE;
    }
  return FALSE;
}

/* A search as search_query_init() makes it, read for the ideas that wait for the index: the
 * phrases of ideas_fts's query (with the columns they look in) and the runs of CJK of
 * ideas_cjk's. */
typedef struct {
  Tokens   tokens;
  gboolean titles_only;   /* "{title tag_names} : " */
} PendingPhrase;

typedef struct {
  GArray    *phrases;     /* of PendingPhrase with at least one token */
  gboolean   has_words;   /* search_query_init() made a query for ideas_fts */
  GPtrArray *cjk;         /* runs of CJK characters */
} PendingQuery;

static void
pending_query_free (void *data)
{
  PendingQuery *query = data;

  for (guint i = 0; i < query->phrases->len; i++)
    tokens_clear (&g_array_index (query->phrases, PendingPhrase, i).tokens);
  g_array_unref (query->phrases);
  g_ptr_array_unref (query->cjk);
  g_free (query);
}

static PendingQuery *
pending_query_new (const IndexTokenizer *tokenizer,
                   const char           *text)
{
  PendingQuery *query = g_new0 (PendingQuery, 1);
  g_auto(GStrv) words = search_words (text);

  query->phrases = g_array_new (FALSE, FALSE, sizeof (PendingPhrase));
  query->cjk = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; words && words[i]; i++)
    {
      SearchWord kind = search_word_kind (words[i]);

      if (kind == SEARCH_WORD_NONE)
        continue;
      if (kind == SEARCH_WORD_CJK)
        {
          for (const char *p = words[i]; *p;)
            {
              const char *run = p;

              while (*p && si_text_is_cjk (g_utf8_get_char (p)))
                p = g_utf8_next_char (p);
              if (p == run)
                p = g_utf8_next_char (p);
              else
                g_ptr_array_add (query->cjk, g_strndup (run, p - run));
            }
          continue;
        }
      query->has_words = TRUE;
      {
        PendingPhrase phrase = { .titles_only = kind == SEARCH_WORD_SHORT };

        /* As FTS5 reads a quoted phrase of the query; one without a token is left out of the
         * query's AND (and a query of only such phrases matches nothing: see pending_matches()). */
        tokens_init (&phrase.tokens, tokenizer, FTS5_TOKENIZE_QUERY | FTS5_TOKENIZE_PREFIX, words[i]);
        if (phrase.tokens.starts->len > 0)
          g_array_append_val (query->phrases, phrase);
        else
          tokens_clear (&phrase.tokens);
      }
    }
  return query;
}

/* One waiting idea's columns, cut into tokens when first needed. */
typedef struct {
  const IndexTokenizer *tokenizer;
  const char           *text[3];   /* title, body, tag_names */
  Tokens                tokens[3];
} PendingIdea;

static gboolean
pending_has_phrase (PendingIdea  *idea,
                    int           column,
                    const Tokens *phrase)
{
  if (idea->tokens[column].buffer == NULL)
    tokens_init (&idea->tokens[column], idea->tokenizer, FTS5_TOKENIZE_DOCUMENT, idea->text[column]);
  return tokens_have_phrase (&idea->tokens[column], phrase);
}

/* Whether an idea the index does not hold yet matches @query as ideas_fts and ideas_cjk would
 * once it is indexed: each phrase in the title or tags (or the body, unless the word was
 * shorter than three letters), each run of CJK inside a text (a single character: the title
 * or the tags; si_text_cjk_grams() holds every character of a run as the start of a gram). */
static gboolean
pending_matches (const PendingQuery *query,
                 PendingIdea        *idea)
{
  if (query->has_words && query->phrases->len == 0)
    return FALSE;   /* FTS5 finds nothing for a query of empty phrases */
  if (!query->has_words && query->cjk->len == 0)
    return FALSE;
  for (guint i = 0; i < query->cjk->len; i++)
    {
      const char *run = g_ptr_array_index (query->cjk, i);

      if (!(strstr (idea->text[0], run) || strstr (idea->text[2], run) ||
            (g_utf8_strlen (run, -1) > 1 && strstr (idea->text[1], run))))
        return FALSE;
    }
  for (guint i = 0; i < query->phrases->len; i++)
    {
      const PendingPhrase *phrase = &g_array_index (query->phrases, PendingPhrase, i);

      if (!(pending_has_phrase (idea, 0, &phrase->tokens) || pending_has_phrase (idea, 2, &phrase->tokens) ||
            (!phrase->titles_only && pending_has_phrase (idea, 1, &phrase->tokens))))
        return FALSE;
    }
  return TRUE;
}

/* si_search_pending (search, title, body, tag_names): pending_matches(), for the rows of
 * search_pending. The search is read once per statement (SQLite keeps it with the bound
 * value). */
static void
sql_search_pending (sqlite3_context  *context,
                    int               n_values,
                    sqlite3_value   **values)
{
  const IndexTokenizer *tokenizer = sqlite3_user_data (context);
  PendingQuery *query = sqlite3_get_auxdata (context, 0);
  PendingIdea idea = { tokenizer, { NULL, NULL, NULL }, { { NULL, NULL }, { NULL, NULL }, { NULL, NULL } } };
  gboolean match;

  if (query == NULL)
    {
      query = pending_query_new (tokenizer, (const char *) sqlite3_value_text (values[0]));
      sqlite3_set_auxdata (context, 0, query, pending_query_free);
      /* SQLite may have freed it already when it cannot keep it (out of memory). */
      if ((query = sqlite3_get_auxdata (context, 0)) == NULL)
        {
          sqlite3_result_error_nomem (context);
          return;
        }
    }
  for (int i = 0; i < 3; i++)
    {
      idea.text[i] = (const char *) sqlite3_value_text (values[i + 1]);
      if (idea.text[i] == NULL)
        idea.text[i] = "";
    }
  match = pending_matches (query, &idea);
  for (int i = 0; i < 3; i++)
    tokens_clear (&idea.tokens[i]);
  sqlite3_result_int (context, match);
}

/* The rank of an idea found in search_pending: after every idea the index ranked (si_rank ()
 * is negative: lower is better). */
#define PENDING_RANK "0.0"

/* " UNION ALL SELECT <id>, <rank> FROM search_pending ...": the ideas not indexed yet that match
 * the search :text, as rows of the index's subquery. */
static void
append_pending_source (GString *sql)
{
  g_string_append (sql, " UNION ALL SELECT p.id, " PENDING_RANK " FROM search_pending p JOIN ideas ip ON ip.id = p.id"
                        " WHERE si_search_pending (:text, ip.title, ip.body, ip.tag_names)");
}

/* Prepares @sql and binds the filter's :tag and the search's :match and :cjk where @sql has
 * them. */
static sqlite3_stmt *
prepare_with_filter (SiStore            *self,
                     const char         *sql,
                     const SiIdeaFilter *filter,
                     const SearchQuery  *query,
                     GError            **error)
{
  sqlite3_stmt *stmt;
  int index;

  if (!(stmt = _si_store_prepare (self, sql, error)))
    return NULL;
  if ((index = sqlite3_bind_parameter_index (stmt, ":tag")))
    sqlite3_bind_int64 (stmt, index, filter->tag_id);
  if (query && (index = sqlite3_bind_parameter_index (stmt, ":match")))
    sqlite3_bind_text (stmt, index, query->words, -1, SQLITE_TRANSIENT);
  if (query && (index = sqlite3_bind_parameter_index (stmt, ":cjk")))
    sqlite3_bind_text (stmt, index, query->cjk, -1, SQLITE_TRANSIENT);
  if ((index = sqlite3_bind_parameter_index (stmt, ":text")))
    sqlite3_bind_text (stmt, index, filter->search, -1, SQLITE_TRANSIENT);
  return stmt;
}

/* The index a search reads and ranks with: ideas_fts, or ideas_cjk when every word typed is
 * CJK. */
static const char *
search_table (const SearchQuery *query)
{
  return query->words ? "ideas_fts" : "ideas_cjk";
}

/* " FROM <index> WHERE <the search>": a search of both words and CJK reads ideas_fts, among
 * the ideas that ideas_cjk matches. The "+" keeps that set a filter on each match (its rowids
 * read once): as a constraint on ideas_fts's rowid, FTS5 evaluated the words again for each of
 * them, 80 ms p50 and 1.5 s p99 at 20,000 Japanese ideas (bench-search). */
static void
append_search_source (GString           *sql,
                      const SearchQuery *query)
{
  if (query->words)
    {
      g_string_append (sql, " FROM ideas_fts WHERE ideas_fts MATCH :match");
      if (query->cjk)
        g_string_append (sql, " AND +rowid IN (SELECT rowid FROM ideas_cjk WHERE ideas_cjk MATCH :cjk)");
    }
  else
    g_string_append (sql, " FROM ideas_cjk WHERE ideas_cjk MATCH :cjk");
}

/* The filters of a search, as conditions on the index's rowid: sets read once and checked
 * for each match ("+rowid", see append_search_source()); @id: "+rowid", or the column of
 * search_pending's rows. As constraints, FTS5 evaluated the
 * search again for each idea with the tag: 0.8–2 s for a search inside a tag of 100,000 ideas. */
static void
append_search_filters (GString            *sql,
                       const SiIdeaFilter *filter,
                       const char         *id)
{
  if (filter && filter->tag_id)
    g_string_append_printf (sql, " AND %s IN (SELECT idea_id FROM idea_tags WHERE tag_id = :tag)", id);
  if (filter && filter->pinned_only)
    g_string_append_printf (sql, " AND %s IN (SELECT id FROM ideas WHERE pinned = 1 AND state != " SI_SQL_DELETED ")", id);
  if (filter && filter->conflicts_only)
    g_string_append_printf (sql, " AND %s IN (SELECT id FROM ideas WHERE conflict_of IS NOT NULL)", id);
}

/* One query for every list: what differs is only which filters are present.
 *
 * With a search, @count counts every match, @one_id reads one idea's key; the list itself is
 * prepare_search_query()'s. */
static sqlite3_stmt *
prepare_idea_query (SiStore            *self,
                    const SiIdeaFilter *filter,
                    const SearchQuery  *fts,
                    gboolean            one_id,
                    gboolean            count,
                    const SiIdeaKey    *after,
                    guint               limit,
                    GError            **error)
{
  sqlite3_stmt *stmt;
  g_autoptr(GString) sql = g_string_new ("SELECT ");
  gboolean tag = filter && filter->tag_id;
  gboolean pinned = filter && filter->pinned_only;
  gboolean conflicts = filter && filter->conflicts_only;

  if (count)
    g_string_append (sql, "count (*)");
  else
    g_string_append_printf (sql, "i.id, i.updated_at, i.pinned, %s", fts ? "m.rank" : "0.0");

  if (fts)
    {
      g_string_append_printf (sql, " FROM (SELECT rowid AS id, si_rank (%s) AS rank", search_table (fts));
      append_search_source (sql, fts);
      append_search_filters (sql, filter, "+rowid");
      if (one_id)
        g_string_append (sql, " AND rowid = :id");
      append_pending_source (sql);
      append_search_filters (sql, filter, "p.id");
      if (one_id)
        g_string_append (sql, " AND p.id = :id");
      g_string_append (sql, ") m JOIN ideas i ON i.id = m.id WHERE i.state != " SI_SQL_DELETED);
    }
  else
    {
      g_string_append (sql, " FROM ideas i");
      if (tag)
        g_string_append (sql, " JOIN idea_tags it ON it.idea_id = i.id AND it.tag_id = :tag");
      g_string_append (sql, " WHERE i.state != " SI_SQL_DELETED);
      if (pinned)
        g_string_append (sql, " AND i.pinned = 1");
      if (conflicts)
        g_string_append (sql, " AND i.conflict_of IS NOT NULL");
      if (one_id)
        g_string_append (sql, " AND i.id = :id");
      /* The rows after @after in the list's order: ideas_order walks from there. */
      if (after)
        g_string_append (sql, " AND (i.pinned, i.updated_at, i.id) < (:pinned, :updated_at, :after_id)");
    }
  if (!count)
    g_string_append (sql, " ORDER BY i.pinned DESC, i.updated_at DESC, i.id DESC");
  if (limit > 0)
    g_string_append (sql, " LIMIT :limit");

  if (!(stmt = prepare_with_filter (self, sql->str, filter, fts, error)))
    return NULL;
  if (after)
    {
      sqlite3_bind_int (stmt, sqlite3_bind_parameter_index (stmt, ":pinned"), after->pinned);
      sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":updated_at"), after->updated_at);
      sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":after_id"), after->id);
    }
  if (limit > 0)
    sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":limit"), limit);
  return stmt;
}

/* One match of a search, while the best are picked. */
typedef struct {
  gint64 id;
  double rank;
} Match;

/* Whether @a is a worse result than @b: ranked lower, or as well but older (a smaller id). */
static inline gboolean
match_worse (const Match *a,
             const Match *b)
{
  return a->rank > b->rank || (a->rank == b->rank && a->id < b->id);
}

static inline void
swap_matches (Match *a,
              Match *b)
{
  Match t = *a;
  *a = *b;
  *b = t;
}

/* Keeps the best SI_SEARCH_MAX_RESULTS of the matches offered, in a binary heap whose root is
 * the worst one kept: a match that is not better than the root costs one comparison. */
static void
keep_best (GArray      *heap,
           const Match *match)
{
  Match *m;
  guint i = heap->len;

  if (heap->len < SI_SEARCH_MAX_RESULTS)
    {
      g_array_append_val (heap, *match);
      m = (Match *) (gpointer) heap->data;
      for (; i > 0 && match_worse (&m[i], &m[(i - 1) / 2]); i = (i - 1) / 2)
        swap_matches (&m[i], &m[(i - 1) / 2]);
      return;
    }
  m = (Match *) (gpointer) heap->data;
  if (!match_worse (&m[0], match))
    return;
  m[0] = *match;
  for (i = 0;;)
    {
      guint worst = i, left = 2 * i + 1, right = 2 * i + 2;

      if (left < heap->len && match_worse (&m[left], &m[worst]))
        worst = left;
      if (right < heap->len && match_worse (&m[right], &m[worst]))
        worst = right;
      if (worst == i)
        break;
      swap_matches (&m[i], &m[worst]);
      i = worst;
    }
}

static int
compare_match_ids (gconstpointer a,
                   gconstpointer b)
{
  gint64 x = ((const Match *) a)->id, y = ((const Match *) b)->id;
  return (x > y) - (x < y);
}

/* The ideas deleted here whose deletion the server does not have yet (few: they go at the next
 * push), which the search index still holds. NULL when there are none. */
static GHashTable *
read_tombstones (SiStore  *self,
                 GError  **error)
{
  g_autoptr(GHashTable) ids = NULL;
  sqlite3_stmt *stmt;
  int rc;

  /* The partial index ideas_dirty holds them; SQLite uses it only when the query repeats its
   * condition (without it, this read every idea: 95 ms at 100,000). */
  if (!(stmt = _si_store_prepare (self, "SELECT id FROM ideas INDEXED BY ideas_dirty"
                                        " WHERE state != " SI_SQL_SYNCED " AND state = " SI_SQL_DELETED, error)))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      if (ids == NULL)
        ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
      g_hash_table_add (ids, g_memdup2 (&id, sizeof id));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    _si_store_set_error (self, rc, NC_("what failed", "searching"), error);
  return g_steal_pointer (&ids);
}

/* A search's list: every match is ranked inside FTS5 (si_rank), newest first, and only the
 * best SI_SEARCH_MAX_RESULTS are kept; then one query reads their place in the list (pinned,
 * updated_at) from the narrow index ideas_keys — the wide rows would cost 1.5 ms more.
 * @n_matches: every live idea that matches, kept or not. */
static GArray *
query_search (SiStore             *self,
              const SiIdeaFilter  *filter,
              const SearchQuery   *fts,
              guint               *n_matches,
              GError             **error)
{
  g_autoptr(GArray) best = g_array_sized_new (FALSE, FALSE, sizeof (Match), SI_SEARCH_MAX_RESULTS);
  g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (SiIdeaKey));
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(GString) ids = g_string_new ("[");
  g_autoptr(GHashTable) tombstones = NULL;
  g_autoptr(GError) local_error = NULL;
  /* A search of both words and CJK: ideas_fts's matches and ideas_cjk's, both newest first,
   * merged here. (As a filter, "+rowid IN", ideas_cjk's matches were first made a set: 7 ms
   * p50 at 100,000 Japanese ideas in bench-search.) */
  SearchQuery words_only = { fts->words, NULL };
  const SearchQuery *main_query = fts->words && fts->cjk ? &words_only : fts;
  sqlite3_stmt *stmt, *cjk_stmt = NULL;
  gint64 cjk_id = G_MAXINT64;
  guint n = 0;
  int rc;

  /* A deleted idea waiting for its push is no match: it must not take the place of one. */
  if (!(tombstones = read_tombstones (self, &local_error)) && local_error)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  g_string_append_printf (sql, "SELECT rowid, si_rank (%s)", search_table (main_query));
  append_search_source (sql, main_query);
  append_search_filters (sql, filter, "+rowid");
  g_string_append (sql, " ORDER BY rowid DESC");
  if (main_query != fts &&
      !(cjk_stmt = prepare_with_filter (self, "SELECT rowid FROM ideas_cjk WHERE ideas_cjk MATCH :cjk ORDER BY rowid DESC",
                                        filter, fts, error)))
    return NULL;
  if (!(stmt = prepare_with_filter (self, sql->str, filter, main_query, error)))
    {
      if (cjk_stmt)
        sqlite3_reset (cjk_stmt);
      return NULL;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Match match = { sqlite3_column_int64 (stmt, 0), sqlite3_column_double (stmt, 1) };

      if (cjk_stmt)
        {
          while (cjk_id > match.id && (rc = sqlite3_step (cjk_stmt)) == SQLITE_ROW)
            cjk_id = sqlite3_column_int64 (cjk_stmt, 0);
          if (cjk_id > match.id)
            break;   /* no CJK match left (rc: SQLITE_DONE), or an error */
          if (cjk_id != match.id)
            continue;
        }
      if (tombstones && g_hash_table_contains (tombstones, &match.id))
        continue;
      keep_best (best, &match);
      n++;
    }
  sqlite3_reset (stmt);
  if (cjk_stmt)
    sqlite3_reset (cjk_stmt);
  if (rc != SQLITE_DONE)
    {
      _si_store_set_error (self, rc, NC_("what failed", "searching"), error);
      return NULL;
    }
  /* And the ideas a pull wrote that the index does not have yet (none, most of the time). */
  g_string_assign (sql, "SELECT p.id, " PENDING_RANK " FROM search_pending p JOIN ideas ip ON ip.id = p.id"
                        " WHERE ip.state != " SI_SQL_DELETED " AND si_search_pending (:text, ip.title, ip.body, ip.tag_names)");
  append_search_filters (sql, filter, "p.id");
  if (!(stmt = prepare_with_filter (self, sql->str, filter, NULL, error)))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Match match = { sqlite3_column_int64 (stmt, 0), sqlite3_column_double (stmt, 1) };

      keep_best (best, &match);
      n++;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _si_store_set_error (self, rc, NC_("what failed", "searching"), error);
      return NULL;
    }
  if (n_matches)
    *n_matches = n;
  if (best->len == 0)
    return g_steal_pointer (&keys);

  g_array_sort (best, compare_match_ids);
  for (guint i = 0; i < best->len; i++)
    g_string_append_printf (ids, "%s%" G_GINT64_FORMAT, i ? "," : "", g_array_index (best, Match, i).id);
  g_string_append_c (ids, ']');
  if (!(stmt = _si_store_prepare (self, "SELECT id, updated_at, pinned FROM ideas INDEXED BY ideas_keys"
                                        " WHERE id IN (SELECT value FROM json_each (?1)) AND state != " SI_SQL_DELETED, error)))
    return NULL;
  sqlite3_bind_text (stmt, 1, ids->str, ids->len, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Match wanted = { sqlite3_column_int64 (stmt, 0), 0.0 };
      const Match *match = bsearch (&wanted, best->data, best->len, sizeof (Match), compare_match_ids);
      SiIdeaKey key = { wanted.id, sqlite3_column_int64 (stmt, 1), sqlite3_column_int (stmt, 2),
                        match ? match->rank : 0.0 };

      g_array_append_val (keys, key);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    {
      _si_store_set_error (self, rc, NC_("what failed", "searching"), error);
      return NULL;
    }
  g_array_sort (keys, (GCompareFunc) si_idea_key_compare);
  return g_steal_pointer (&keys);
}

static void
read_key (sqlite3_stmt *stmt,
          SiIdeaKey    *key)
{
  key->id = sqlite3_column_int64 (stmt, 0);
  key->updated_at = sqlite3_column_int64 (stmt, 1);
  key->pinned = sqlite3_column_int (stmt, 2);
  key->rank = sqlite3_column_double (stmt, 3);
}

/**
 * si_store_query_ideas:
 * @filter: (nullable): what to show; NULL for every idea
 *
 * Returns: (transfer full) (element-type SiIdeaKey): the ideas @filter shows, in display order:
 *   pinned first, then the most recently changed; search results by relevance first
 */
GArray *
si_store_query_ideas (SiStore             *self,
                      const SiIdeaFilter  *filter,
                      GError             **error)
{
  return si_store_query_ideas_counted (self, filter, NULL, error);
}

/**
 * si_store_query_ideas_counted:
 * @filter: (nullable): what to show; NULL for every idea
 * @n_matches: (out) (optional): how many ideas @filter matches: more than the list's length
 *   when a search kept only the best SI_SEARCH_MAX_RESULTS
 *
 * As si_store_query_ideas(), and how many ideas matched, at no extra cost: a search looks at
 * every match anyway.
 *
 * Returns: (transfer full) (element-type SiIdeaKey): the ideas @filter shows, in display order
 */
GArray *
si_store_query_ideas_counted (SiStore             *self,
                              const SiIdeaFilter  *filter,
                              guint               *n_matches,
                              GError             **error)
{
  g_auto(SearchQuery) fts = { NULL, NULL };
  GArray *keys;

  g_return_val_if_fail (SI_IS_STORE (self), NULL);

  if (n_matches)
    *n_matches = 0;
  search_query_init (&fts, filter ? filter->search : NULL);
  if (matches_nothing (filter, &fts))
    return g_array_new (FALSE, FALSE, sizeof (SiIdeaKey));
  if (!search_query_is_empty (&fts))
    return query_search (self, filter, &fts, n_matches, error);
  keys = si_store_query_ideas_after (self, filter, NULL, 0, error);
  if (keys && n_matches)
    *n_matches = keys->len;
  return keys;
}

/**
 * si_store_query_ideas_after:
 * @filter: (nullable): what to show, without a search; NULL for every idea
 * @after: (nullable): the key of the last idea already read, or NULL to start at the first
 * @limit: at most this many (0: all)
 *
 * A page of the list, for a list that loads as it scrolls: each page is read through the
 * index that keeps the list's order, so it costs the rows it returns, wherever it starts.
 *
 * Returns: (transfer full) (element-type SiIdeaKey): the ideas that come after @after, in
 *   display order
 */
GArray *
si_store_query_ideas_after (SiStore             *self,
                            const SiIdeaFilter  *filter,
                            const SiIdeaKey     *after,
                            guint                limit,
                            GError             **error)
{
  g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (SiIdeaKey));
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (SI_IS_STORE (self), NULL);
  g_return_val_if_fail (filter == NULL || filter->search == NULL || filter->search[0] == '\0', NULL);

  if (!(stmt = prepare_idea_query (self, filter, NULL, FALSE, FALSE, after, limit, error)))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SiIdeaKey key;
      read_key (stmt, &key);
      g_array_append_val (keys, key);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _si_store_set_error (self, rc, NC_("what failed", "listing ideas"), error);
      return NULL;
    }
  return g_steal_pointer (&keys);
}

/**
 * si_store_count_ideas:
 * @filter: (nullable): what to count
 */
guint
si_store_count_ideas (SiStore             *self,
                      const SiIdeaFilter  *filter,
                      GError             **error)
{
  g_auto(SearchQuery) fts = { NULL, NULL };
  sqlite3_stmt *stmt;
  guint count = 0;
  gboolean searching;
  int rc;

  g_return_val_if_fail (SI_IS_STORE (self), 0);

  search_query_init (&fts, filter ? filter->search : NULL);
  if (matches_nothing (filter, &fts))
    return 0;
  searching = !search_query_is_empty (&fts);
  /* Every idea: a number the triggers keep (si-store-schema.c), not a count of 100,000 rows. */
  if (!searching && (filter == NULL || (!filter->tag_id && !filter->pinned_only && !filter->conflicts_only)))
    stmt = _si_store_prepare (self, "SELECT n FROM idea_count", error);
  else
    stmt = prepare_idea_query (self, filter, searching ? &fts : NULL, FALSE, TRUE, NULL, 0, error);
  if (stmt == NULL)
    return 0;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    count = sqlite3_column_int (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    _si_store_set_error (self, rc, NC_("what failed", "counting ideas"), error);
  return count;
}

/**
 * si_store_get_idea_key:
 * @key: (out): the idea's place in the list
 *
 * Returns: TRUE when @filter shows the idea; FALSE when it does not, with @error set only when
 *   the database failed
 */
gboolean
si_store_get_idea_key (SiStore             *self,
                       gint64               id,
                       const SiIdeaFilter  *filter,
                       SiIdeaKey           *key,
                       GError             **error)
{
  g_auto(SearchQuery) fts = { NULL, NULL };
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (SI_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  search_query_init (&fts, filter ? filter->search : NULL);
  if (matches_nothing (filter, &fts))
    return FALSE;
  if (!(stmt = prepare_idea_query (self, filter, search_query_is_empty (&fts) ? NULL : &fts,
                                   TRUE, FALSE, NULL, 0, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":id"), id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    read_key (stmt, key);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _si_store_set_error (self, rc, NC_("what failed", "reading an idea"), error);
  return rc == SQLITE_ROW;
}

/* The list order: by rank (search), pinned first, then newest change, then newest id. */
int
si_idea_key_compare (const SiIdeaKey *a,
                     const SiIdeaKey *b)
{
  if (a->rank != b->rank)
    return a->rank < b->rank ? -1 : 1;
  if (a->pinned != b->pinned)
    return a->pinned ? -1 : 1;
  if (a->updated_at != b->updated_at)
    return a->updated_at > b->updated_at ? -1 : 1;
  if (a->id != b->id)
    return a->id > b->id ? -1 : 1;
  return 0;
}

/**
 * si_store_search:
 * @text: what the person typed: every word is matched as a prefix, accents ignored
 * @limit: at most this many results (0: no limit)
 *
 * Returns: (transfer full) (element-type SiIdea): the matching ideas, best first
 */
GPtrArray *
si_store_search (SiStore     *self,
                 const char  *text,
                 guint        limit,
                 GError     **error)
{
  SiIdeaFilter filter = { .search = text };
  g_autoptr(GPtrArray) ideas = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) keys = NULL;

  g_return_val_if_fail (SI_IS_STORE (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  {
    g_auto(SearchQuery) fts = { NULL, NULL };

    search_query_init (&fts, text);
    if (search_query_is_empty (&fts))
      return g_steal_pointer (&ideas);
  }
  if (!(keys = si_store_query_ideas (self, &filter, error)))
    return NULL;
  for (guint i = 0; i < keys->len && (limit == 0 || i < limit); i++)
    {
      SiIdea *idea = si_store_get_idea (self, g_array_index (keys, SiIdeaKey, i).id, error);
      if (idea == NULL)
        return NULL;
      g_ptr_array_add (ideas, idea);
    }
  return g_steal_pointer (&ideas);
}

/* Pages of a pull and the search index ------------------------------------------------------- */

#define FTS_INSERT_TRIGGER "ideas_fts_insert"

void
_si_sync_page_clear (SiSyncPage *page)
{
  if (page->store != NULL && _si_store_get_page (page->store) == page)
    _si_store_set_page (page->store, NULL);
  g_clear_pointer (&page->trigger_sql, g_free);
  g_clear_pointer (&page->cjk_trigger_sql, g_free);
  g_clear_pointer (&page->log_trigger_sql, g_free);
  g_clear_pointer (&page->count_trigger_sql, g_free);
  g_clear_pointer (&page->tags_log_trigger_sql, g_free);
  page->store = NULL;
  page->live_inserts = 0;
  page->max_id = 0;
}

/* The SQL that made trigger @name, NULL when there is no such trigger. */
static char *
dup_trigger_sql (SiStore     *self,
                 const char  *name,
                 GError     **error)
{
  sqlite3_stmt *stmt;
  char *sql = NULL;

  stmt = _si_store_prepare (self, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    sql = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return sql;
}

#define LOG_INSERT_TRIGGER "ideas_log_insert"
#define COUNT_INSERT_TRIGGER "idea_count_insert"
#define TAGS_LOG_INSERT_TRIGGER "idea_tags_log_insert"

gboolean
_si_store_sync_begin_page (SiStore     *self,
                           SiSyncPage  *page,
                           GError     **error)
{
  _si_sync_page_clear (page);
  page->trigger_sql = dup_trigger_sql (self, FTS_INSERT_TRIGGER, NULL);
  page->cjk_trigger_sql = dup_trigger_sql (self, SI_CJK_INSERT_TRIGGER, NULL);
  page->log_trigger_sql = dup_trigger_sql (self, LOG_INSERT_TRIGGER, NULL);
  page->count_trigger_sql = dup_trigger_sql (self, COUNT_INSERT_TRIGGER, NULL);
  page->tags_log_trigger_sql = dup_trigger_sql (self, TAGS_LOG_INSERT_TRIGGER, NULL);
  if (page->trigger_sql == NULL || page->cjk_trigger_sql == NULL || page->log_trigger_sql == NULL ||
      page->count_trigger_sql == NULL || page->tags_log_trigger_sql == NULL)
    {
      /* All or none: the page does what all of them would have. */
      _si_sync_page_clear (page);
      return TRUE;
    }
  page->max_id = _si_store_query_id (self, "SELECT coalesce (max (id), 0) FROM ideas WHERE ?1", 1);
  if (!_si_store_exec_bind (self, "DROP TRIGGER " FTS_INSERT_TRIGGER, error, "") ||
      !_si_store_exec_bind (self, "DROP TRIGGER " SI_CJK_INSERT_TRIGGER, error, "") ||
      !_si_store_exec_bind (self, "DROP TRIGGER " LOG_INSERT_TRIGGER, error, "") ||
      !_si_store_exec_bind (self, "DROP TRIGGER " COUNT_INSERT_TRIGGER, error, "") ||
      !_si_store_exec_bind (self, "DROP TRIGGER " TAGS_LOG_INSERT_TRIGGER, error, ""))
    return FALSE;
  page->store = self;
  _si_store_set_page (self, page);
  return TRUE;
}

gboolean
_si_store_sync_end_page (SiStore     *self,
                         SiSyncPage  *page,
                         GError     **error)
{
  if (page->trigger_sql == NULL)
    return TRUE;
  /* The ideas inserted since the page began wait for the index in search_pending: indexing
   * was most of the time a first download took (1.6 s of 100,000 inserts, 0.37 s without);
   * _si_store_search_fill() indexes them after the pull, a search reads them meanwhile. Their
   * lines in the change log (one each, their tag links' included) and the idea count, as the
   * triggers would have written them row by row. */
  if (!_si_store_exec_bind (self, "INSERT INTO search_pending (id) SELECT id FROM ideas WHERE id > ?1",
                            error, "i", page->max_id) ||
      !_si_store_exec_bind (self, "INSERT INTO change_log (collection, record_id) SELECT 'ideas', id FROM ideas WHERE id > ?1",
                            error, "i", page->max_id) ||
      (page->live_inserts > 0 &&
       !_si_store_exec_bind (self, "UPDATE idea_count SET n = n + ?1", error, "i", page->live_inserts)) ||
      !_si_store_exec_bind (self, page->trigger_sql, error, "") ||
      !_si_store_exec_bind (self, page->cjk_trigger_sql, error, "") ||
      !_si_store_exec_bind (self, page->log_trigger_sql, error, "") ||
      !_si_store_exec_bind (self, page->count_trigger_sql, error, "") ||
      !_si_store_exec_bind (self, page->tags_log_trigger_sql, error, ""))
    return FALSE;
  _si_sync_page_clear (page);
  return TRUE;
}

gboolean
_si_store_sync_optimize_index (SiStore  *self,
                               GError  **error)
{
  gint64 start = g_get_monotonic_time ();

  if (!_si_store_begin (self, error))
    return FALSE;
  if (!_si_store_exec_bind (self, "INSERT INTO ideas_fts (ideas_fts) VALUES ('optimize')", error, "") ||
      !_si_store_exec_bind (self, "INSERT INTO ideas_cjk (ideas_cjk) VALUES ('optimize')", error, "") ||
      !_si_store_commit (self, error))
    {
      _si_store_rollback (self);
      return FALSE;
    }
  g_debug ("Merged the search index in %.0f ms", (g_get_monotonic_time () - start) / 1000.0);
  return TRUE;
}

/**
 * _si_store_search_fill:
 * @max_ideas: at most this many
 * @filled: (out): how many were indexed
 *
 * Indexes the first @max_ideas ideas of search_pending, in one short transaction of its own.
 */
gboolean
_si_store_search_fill (SiStore  *self,
                       guint     max_ideas,
                       guint    *filled,
                       GError  **error)
{
  gint64 last;

  *filled = 0;
  if (!_si_store_begin (self, error))
    return FALSE;
  last = _si_store_query_id (self, "SELECT coalesce ((SELECT id FROM search_pending ORDER BY id LIMIT 1 OFFSET ?1 - 1),"
                                   " (SELECT max (id) FROM search_pending))", max_ideas);
  if (last == 0)
    return _si_store_commit (self, error);
  *filled = (guint) _si_store_query_id (self, "SELECT count (*) FROM search_pending WHERE id <= ?1", last);
  if (!_si_store_exec_bind (self, "INSERT INTO ideas_fts (rowid, title, body, tag_names)"
                            " SELECT i.id, i.title, i.body, i.tag_names FROM search_pending p JOIN ideas i ON i.id = p.id"
                            " WHERE p.id <= ?1", error, "i", last) ||
      !_si_store_exec_bind (self, "INSERT INTO ideas_cjk (rowid, title, body, tag_names)"
                            " SELECT i.id, si_cjk_grams (i.title), si_cjk_grams (i.body), si_cjk_grams (i.tag_names)"
                            " FROM search_pending p JOIN ideas i ON i.id = p.id"
                            " WHERE p.id <= ?1 AND si_has_cjk (i.title, i.body, i.tag_names)", error, "i", last) ||
      !_si_store_exec_bind (self, "DELETE FROM search_pending WHERE id <= ?1", error, "i", last) ||
      !_si_store_commit (self, error))
    {
      _si_store_rollback (self);
      *filled = 0;
      return FALSE;
    }
  return TRUE;
}

/**
 * si_store_get_search_pending:
 *
 * Returns: how many ideas the search index does not hold yet (a search finds them all the
 *   same, ranked after the others)
 */
guint
si_store_get_search_pending (SiStore *self)
{
  g_return_val_if_fail (SI_IS_STORE (self), 0);

  return (guint) _si_store_query_id (self, "SELECT count (*) FROM search_pending WHERE ?1", 1);
}

#define FILL_CHUNK 4000   /* ideas indexed in one transaction: about 60 ms */

/* Every waiting idea indexed on @self's connection, FILL_CHUNK to a transaction; the index
 * tidied after a big fill. */
static gboolean
fill_all (SiStore       *self,
          GCancellable  *cancellable,
          guint         *total,
          GError       **error)
{
  guint filled = 0;

  *total = 0;
  do
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !_si_store_search_fill (self, FILL_CHUNK, &filled, error))
        return FALSE;
      *total += filled;
    }
  while (filled > 0);
  return *total <= FILL_CHUNK || _si_store_sync_optimize_index (self, error);
}

/**
 * si_store_fill_search:
 * @cancellable: (nullable): stops it between two transactions
 *
 * Indexes every idea that waits for the search index (si_store_get_search_pending()) now, in
 * transactions of a few thousand ideas. What it indexed stays indexed when it fails or is
 * cancelled.
 */
gboolean
si_store_fill_search (SiStore       *self,
                      GCancellable  *cancellable,
                      GError       **error)
{
  guint total;

  g_return_val_if_fail (SI_IS_STORE (self), FALSE);
  return fill_all (self, cancellable, &total, error);
}

/* The notebooks being filled by this process, by path. */
G_LOCK_DEFINE_STATIC (filling);
static GHashTable *filling;

/* The fill's thread: its own connection, one short transaction per chunk, so that saves and
 * pulls meanwhile wait for one chunk at most. A process killed meanwhile leaves the rest in
 * search_pending, for the next fill. */
static void
fill_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  const char *path = task_data;
  g_autoptr(SiStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  guint total = 0;

  /* A notebook removed meanwhile is not made again. */
  if (g_file_test (path, G_FILE_TEST_EXISTS) && (store = si_store_new (path, &error)) != NULL)
    fill_all (store, NULL, &total, &error);
  if (error)
    g_debug ("Filling the search index of %s stopped: %s", path, error->message);
  else
    g_debug ("Indexed %u ideas in %.0f ms", total, (g_get_monotonic_time () - start) / 1000.0);
  G_LOCK (filling);
  g_hash_table_remove (filling, path);
  G_UNLOCK (filling);
  g_task_return_boolean (task, error == NULL);
}

static void
fill_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  _si_store_set_search_filling (SI_STORE (source), FALSE);
}

/**
 * si_store_fill_search_in_background:
 *
 * Indexes the ideas that wait for the search index on a worker (si-worker.c), unless none wait
 * or this process is filling this notebook already. SiStore:search-filling is TRUE meanwhile
 * (notified in the thread-default main context of the caller).
 */
void
si_store_fill_search_in_background (SiStore *self)
{
  g_autoptr(GTask) task = NULL;
  const char *path;
  gboolean started = FALSE;

  g_return_if_fail (SI_IS_STORE (self));

  path = si_store_get_path (self);
  if (path == NULL || si_store_get_search_pending (self) == 0)
    return;
  G_LOCK (filling);
  if (filling == NULL)
    filling = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (!g_hash_table_contains (filling, path))
    {
      g_hash_table_add (filling, g_strdup (path));
      started = TRUE;
    }
  G_UNLOCK (filling);
  if (!started)
    return;
  _si_store_set_search_filling (self, TRUE);
  task = g_task_new (self, NULL, fill_done, NULL);
  g_task_set_source_tag (task, si_store_fill_search_in_background);
  g_task_set_task_data (task, g_strdup (path), g_free);
  si_worker_run_in_thread (task, fill_thread);
}

/* The SQL functions of the schema's triggers --------------------------------------------------- */

/* si_cjk_grams (text): si_text_cjk_grams() of @text, "" for NULL. */
static void
sql_cjk_grams (sqlite3_context  *context,
               int               n_values,
               sqlite3_value   **values)
{
  const char *text = (const char *) sqlite3_value_text (values[0]);
  char *grams = si_text_cjk_grams (text, text ? sqlite3_value_bytes (values[0]) : 0);

  sqlite3_result_text (context, grams, -1, g_free);
}

/* si_has_cjk (text, ...): whether any of the texts holds CJK. */
static void
sql_has_cjk (sqlite3_context  *context,
             int               n_values,
             sqlite3_value   **values)
{
  gboolean found = FALSE;

  for (int i = 0; i < n_values && !found; i++)
    {
      const char *text = (const char *) sqlite3_value_text (values[i]);

      found = text && si_text_has_cjk (text, sqlite3_value_bytes (values[i]));
    }
  sqlite3_result_int (context, found);
}

/* COLLATE si_natural: names as a person reads them (si_text_natural_compare()). Only in
 * queries, never in the schema. */
static int
sql_natural_collation (void       *data,
                       int         a_length,
                       const void *a,
                       int         b_length,
                       const void *b)
{
  g_autofree char *x = g_strndup (a, a_length);
  g_autofree char *y = g_strndup (b, b_length);

  return si_text_natural_compare (x, y);
}

gboolean
_si_store_register_text_functions (sqlite3 *db)
{
  int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
  IndexTokenizer *tokenizer = NULL;

  return sqlite3_create_function (db, "si_cjk_grams", 1, flags, NULL, sql_cjk_grams, NULL, NULL) == SQLITE_OK &&
         sqlite3_create_function (db, "si_has_cjk", -1, flags, NULL, sql_has_cjk, NULL, NULL) == SQLITE_OK &&
         (tokenizer = index_tokenizer_new (db)) != NULL &&
         sqlite3_create_function_v2 (db, "si_search_pending", 4, flags, tokenizer, sql_search_pending, NULL, NULL,
                                     index_tokenizer_free) == SQLITE_OK &&
         sqlite3_create_collation_v2 (db, "si_natural", SQLITE_UTF8, NULL, sql_natural_collation, NULL) == SQLITE_OK;
}
