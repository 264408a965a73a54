/* si-store-search.c — lists and search: the ideas in list order, filtered by tag, pinned or
 * text (FTS5), as keys for SiIdeaList. The index's side (the ideas that wait for it and their
 * matching, the pages of a pull, the fill, the triggers' SQL functions) is in
 * si-store-search-index.c. */
#define G_LOG_DOMAIN "saveidea-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "si-record-private.h"
#include "si-store-private.h"
#include "si-store-search-private.h"
#include "si-text.h"

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
GStrv
search_words (const char *text)
{
  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return NULL;
  return g_strsplit_set (text, " \t\r\n", -1);
}

/* How search_query_init() looks for one typed word (and pending_query_new() the same). */
SearchWord
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

/* The rank of an idea found in search_pending: after every idea the index ranked (si_rank ()
 * is negative: lower is better). */
#define PENDING_RANK "0.0"

/* search_pending, then each of its ideas: CROSS JOIN keeps that order. Without statistics
 * SQLite chose to scan the ideas and look each up in search_pending, calling si_search_pending ()
 * for every idea of the notebook first: a search of 100,000 ideas took 1–2 s instead of
 * milliseconds. */
#define PENDING_IDEAS "search_pending p CROSS JOIN ideas ip ON ip.id = p.id"

/* " UNION ALL SELECT <id>, <rank> FROM search_pending ...": the ideas not indexed yet that match
 * the search :text, as rows of the index's subquery. */
static void
append_pending_source (GString *sql)
{
  g_string_append (sql, " UNION ALL SELECT p.id, " PENDING_RANK " FROM " PENDING_IDEAS
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
  /* An edited idea waiting for the index (search_stale, si-store-schema.c) still has its old
   * text's entry there: that entry is no match; its current text is read with the other
   * waiting ideas (append_pending_source()). */
  g_string_append (sql, " AND +rowid NOT IN (SELECT id FROM search_stale)");
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
  g_string_assign (sql, "SELECT p.id, " PENDING_RANK " FROM " PENDING_IDEAS
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
