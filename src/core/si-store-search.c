/* si-store-search.c — lists and search: the ideas in list order, filtered by tag, pinned or
 * text (FTS5), as keys for SiIdeaList. */
#define G_LOG_DOMAIN "saveidea-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "si-record-private.h"
#include "si-store-private.h"

/* Lists and search -------------------------------------------------------------------------------- */

/* Turns what a person types into an FTS5 query: every word a prefix, all of them required,
 * accents and case ignored. Returns NULL when nothing searchable is left. */
static char *
fts_query_from_text (const char *text)
{
  g_auto(GStrv) words = NULL;
  g_autoptr(GString) query = g_string_new (NULL);

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return NULL;
  words = g_strsplit_set (text, " \t\r\n", -1);
  for (guint i = 0; words[i]; i++)
    {
      gboolean searchable = FALSE;

      for (const char *p = words[i]; *p && !searchable; p = g_utf8_next_char (p))
        searchable = g_unichar_isalnum (g_utf8_get_char (p));
      if (!searchable)
        continue;
      if (query->len)
        g_string_append_c (query, ' ');
      /* One or two letters would match most of a big notebook's text: while the person is
       * still typing that little, look in titles and tags only. */
      if (g_utf8_strlen (words[i], -1) < 3)
        g_string_append (query, "{title tag_names} : ");
      g_string_append_c (query, '"');
      for (const char *p = words[i]; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (query, '"');
          g_string_append_c (query, *p);
        }
      g_string_append (query, "\"*");
    }
  return query->len ? g_string_free (g_steal_pointer (&query), FALSE) : NULL;
}

/* Text was typed but none of it can be searched (only punctuation): nothing matches. */
static gboolean
matches_nothing (const SiIdeaFilter *filter,
                 const char         *fts)
{
  return filter && filter->search && filter->search[0] != '\0' && fts == NULL;
}

/* Prepares @sql and binds the filter's :tag and the search's :match where @sql has them. */
static sqlite3_stmt *
prepare_with_filter (SiStore            *self,
                     const char         *sql,
                     const SiIdeaFilter *filter,
                     const char         *fts,
                     GError            **error)
{
  sqlite3_stmt *stmt;
  int index;

  if (!(stmt = _si_store_prepare (self, sql, error)))
    return NULL;
  if ((index = sqlite3_bind_parameter_index (stmt, ":tag")))
    sqlite3_bind_int64 (stmt, index, filter->tag_id);
  if ((index = sqlite3_bind_parameter_index (stmt, ":match")))
    sqlite3_bind_text (stmt, index, fts, -1, SQLITE_TRANSIENT);
  return stmt;
}

/* The filters of a search, as conditions on ideas_fts's rowid. */
static void
append_search_filters (GString            *sql,
                       const SiIdeaFilter *filter)
{
  if (filter && filter->tag_id)
    g_string_append (sql, " AND rowid IN (SELECT idea_id FROM idea_tags WHERE tag_id = :tag)");
  if (filter && filter->pinned_only)
    g_string_append (sql, " AND rowid IN (SELECT id FROM ideas WHERE pinned = 1 AND state != " SI_SQL_DELETED ")");
  if (filter && filter->conflicts_only)
    g_string_append (sql, " AND rowid IN (SELECT id FROM ideas WHERE conflict_of IS NOT NULL)");
}

/* One query for every list: what differs is only which filters are present.
 *
 * With a search, @count counts every match, @one_id reads one idea's key; the list itself is
 * prepare_search_query()'s. */
static sqlite3_stmt *
prepare_idea_query (SiStore            *self,
                    const SiIdeaFilter *filter,
                    const char         *fts,
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
      g_string_append (sql, " FROM (SELECT rowid AS id, si_rank (ideas_fts) AS rank"
                            " FROM ideas_fts WHERE ideas_fts MATCH :match");
      append_search_filters (sql, filter);
      if (one_id)
        g_string_append (sql, " AND rowid = :id");
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

/* A search's list: every match is ranked inside FTS5 (si_rank), newest first, and only the
 * best SI_SEARCH_MAX_RESULTS are kept; then one query reads their place in the list (pinned,
 * updated_at) from the narrow index ideas_keys — the wide rows would cost 1.5 ms more. */
static GArray *
query_search (SiStore             *self,
              const SiIdeaFilter  *filter,
              const char          *fts,
              GError             **error)
{
  g_autoptr(GArray) best = g_array_sized_new (FALSE, FALSE, sizeof (Match), SI_SEARCH_MAX_RESULTS);
  g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (SiIdeaKey));
  g_autoptr(GString) sql = g_string_new ("SELECT rowid, si_rank (ideas_fts) FROM ideas_fts WHERE ideas_fts MATCH :match");
  g_autoptr(GString) ids = g_string_new ("[");
  sqlite3_stmt *stmt;
  int rc;

  append_search_filters (sql, filter);
  g_string_append (sql, " ORDER BY rowid DESC");
  if (!(stmt = prepare_with_filter (self, sql->str, filter, fts, error)))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Match match = { sqlite3_column_int64 (stmt, 0), sqlite3_column_double (stmt, 1) };
      keep_best (best, &match);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _si_store_set_error (self, rc, NC_("what failed", "searching"), error);
      return NULL;
    }
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
  g_autofree char *fts = NULL;

  g_return_val_if_fail (SI_IS_STORE (self), NULL);

  fts = filter ? fts_query_from_text (filter->search) : NULL;
  if (matches_nothing (filter, fts))
    return g_array_new (FALSE, FALSE, sizeof (SiIdeaKey));
  if (fts)
    return query_search (self, filter, fts, error);
  return si_store_query_ideas_after (self, filter, NULL, 0, error);
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
  g_autofree char *fts = NULL;
  sqlite3_stmt *stmt;
  guint count = 0;
  int rc;

  g_return_val_if_fail (SI_IS_STORE (self), 0);

  fts = filter ? fts_query_from_text (filter->search) : NULL;
  if (matches_nothing (filter, fts))
    return 0;
  /* Every idea: a number the triggers keep (si-store-schema.c), not a count of 100,000 rows. */
  if (fts == NULL && (filter == NULL || (!filter->tag_id && !filter->pinned_only && !filter->conflicts_only)))
    stmt = _si_store_prepare (self, "SELECT n FROM idea_count", error);
  else
    stmt = prepare_idea_query (self, filter, fts, FALSE, TRUE, NULL, 0, error);
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
  g_autofree char *fts = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (SI_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  fts = filter ? fts_query_from_text (filter->search) : NULL;
  if (matches_nothing (filter, fts))
    return FALSE;
  if (!(stmt = prepare_idea_query (self, filter, fts, TRUE, FALSE, NULL, 0, error)))
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
    g_autofree char *fts = fts_query_from_text (text);
    if (fts == NULL)
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
  g_clear_pointer (&page->trigger_sql, g_free);
  page->max_id = 0;
}

gboolean
_si_store_sync_begin_page (SiStore     *self,
                           SiSyncPage  *page,
                           GError     **error)
{
  sqlite3_stmt *stmt;

  _si_sync_page_clear (page);
  stmt = _si_store_prepare (self, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, FTS_INSERT_TRIGGER, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    page->trigger_sql = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (page->trigger_sql == NULL)
    return TRUE;
  page->max_id = _si_store_query_id (self, "SELECT coalesce (max (id), 0) FROM ideas WHERE ?1", 1);
  return _si_store_exec_bind (self, "DROP TRIGGER " FTS_INSERT_TRIGGER, error, "");
}

gboolean
_si_store_sync_end_page (SiStore     *self,
                         SiSyncPage  *page,
                         GError     **error)
{
  if (page->trigger_sql == NULL)
    return TRUE;
  /* What the trigger would have done for each idea inserted since the page began, in one
   * statement: the index writes one segment for the page. */
  if (!_si_store_exec_bind (self, "INSERT INTO ideas_fts (rowid, title, body, tag_names)"
                        " SELECT id, title, body, tag_names FROM ideas WHERE id > ?1", error, "i", page->max_id) ||
      !_si_store_exec_bind (self, page->trigger_sql, error, ""))
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
      !_si_store_commit (self, error))
    {
      _si_store_rollback (self);
      return FALSE;
    }
  g_debug ("Merged the search index in %.0f ms", (g_get_monotonic_time () - start) / 1000.0);
  return TRUE;
}
