/* si-store-search-index.c — the search index beside the queries of si-store-search.c: the
 * ideas a big pull wrote before the index has them (search_pending), found by a search with
 * FTS5's own tokenizer (si_search_pending ()), and the new and edited ideas of saves, which
 * wait there too; the pages of a pull that switch the per-row triggers off; the fill that indexes the waiting ideas, on a thread of its own; and the SQL
 * functions of the schema's triggers. */
#define G_LOG_DOMAIN "saveidea-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "si-store-private.h"
#include "si-store-search-private.h"
#include "si-text.h"
#include "si-worker.h"

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

/* How many ideas si_search_pending () has looked at, for the tests: a search must read the
 * waiting ideas only, not every idea of the notebook. */
static gint pending_calls;

guint
_si_store_search_pending_calls (void)
{
  return (guint) g_atomic_int_get (&pending_calls);
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

  g_atomic_int_inc (&pending_calls);

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

/* Pages of a pull and the search index ------------------------------------------------------- */

void
_si_sync_page_clear (SiSyncPage *page)
{
  if (page->store != NULL && _si_store_get_page (page->store) == page)
    _si_store_set_page (page->store, NULL);
  page->store = NULL;
  page->live_inserts = 0;
  page->max_id = 0;
}

/* While @page is set on this connection, the one INSERT of an idea and of a tag link
 * (si-store-ideas.c) leave the idea's line in search_pending, its change log lines and the idea
 * count to the page's end: no other connection is concerned, and nothing in the schema
 * changes (a DROP and CREATE TRIGGER per page made every connection of the process read the
 * schema again). */
gboolean
_si_store_sync_begin_page (SiStore     *self,
                           SiSyncPage  *page,
                           GError     **error)
{
  _si_sync_page_clear (page);
  page->max_id = _si_store_query_id (self, "SELECT coalesce (max (id), 0) FROM ideas WHERE ?1", 1);
  page->store = self;
  _si_store_set_page (self, page);
  return TRUE;
}

gboolean
_si_store_sync_end_page (SiStore     *self,
                         SiSyncPage  *page,
                         GError     **error)
{
  if (page->store == NULL)
    return TRUE;
  /* Inserts write their own lines again before the page's own statements below, which are no
   * rows of the page. */
  _si_store_set_page (self, NULL);
  /* The ideas inserted since the page began wait for the index in search_pending: indexing
   * was most of the time a first download took (1.6 s of 100,000 inserts, 0.37 s without);
   * _si_store_search_fill() indexes them after the pull, a search reads them meanwhile. Their
   * lines in the change log (one each, their tag links' included) and the idea count, as the
   * inserts would have written them row by row. */
  if (!_si_store_exec_bind (self, "INSERT OR IGNORE INTO search_pending (id) SELECT id FROM ideas WHERE id > ?1",
                            error, "i", page->max_id) ||
      !_si_store_exec_bind (self, "INSERT INTO change_log (collection, record_id) SELECT 'ideas', id FROM ideas WHERE id > ?1",
                            error, "i", page->max_id) ||
      (page->live_inserts > 0 &&
       !_si_store_exec_bind (self, "UPDATE idea_count SET n = n + ?1", error, "i", page->live_inserts)))
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

/* Runs @sql with ?1 bound to @id, to its end; an SQLite result code. */
static int
exec_with_id (sqlite3    *db,
              const char *sql,
              gint64      id,
              gint64     *result)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        if (result)
          *result = sqlite3_column_int64 (stmt, 0);
      if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  return rc;
}

/* The first @max_ideas ideas of search_pending indexed on @db, inside the caller's write
 * transaction: an idea with a line in search_stale has its old entry deleted first, with the
 * text the indexes hold (search_stale's); the lines of both tables go in the same
 * transaction, so that a crash leaves each idea either indexed or waiting, never twice. */
int
_si_store_search_fill_db (sqlite3 *db,
                          guint    max_ideas,
                          guint   *filled)
{
  static const char *const steps[] = {
    "INSERT INTO ideas_fts (ideas_fts, rowid, title, body, tag_names)"
    " SELECT 'delete', id, title, body, tag_names FROM search_stale WHERE id <= ?1",
    "INSERT INTO ideas_cjk (ideas_cjk, rowid, title, body, tag_names)"
    " SELECT 'delete', id, si_cjk_grams (title), si_cjk_grams (body), si_cjk_grams (tag_names) FROM search_stale"
    " WHERE id <= ?1 AND si_has_cjk (title, body, tag_names)",
    "INSERT INTO ideas_fts (rowid, title, body, tag_names)"
    " SELECT i.id, i.title, i.body, i.tag_names FROM search_pending p CROSS JOIN ideas i ON i.id = p.id WHERE p.id <= ?1",
    "INSERT INTO ideas_cjk (rowid, title, body, tag_names)"
    " SELECT i.id, si_cjk_grams (i.title), si_cjk_grams (i.body), si_cjk_grams (i.tag_names)"
    " FROM search_pending p CROSS JOIN ideas i ON i.id = p.id WHERE p.id <= ?1 AND si_has_cjk (i.title, i.body, i.tag_names)",
    "DELETE FROM search_stale WHERE id <= ?1",
    "DELETE FROM search_pending WHERE id <= ?1",
  };
  gint64 last = 0, count = 0;
  int rc;

  *filled = 0;
  rc = exec_with_id (db, "SELECT coalesce ((SELECT id FROM search_pending ORDER BY id LIMIT 1 OFFSET ?1 - 1),"
                         " (SELECT max (id) FROM search_pending), 0)", MAX (max_ideas, 1), &last);
  if (rc != SQLITE_OK || last == 0)
    return rc;
  rc = exec_with_id (db, "SELECT count (*) FROM search_pending WHERE id <= ?1", last, &count);
  for (guint i = 0; rc == SQLITE_OK && i < G_N_ELEMENTS (steps); i++)
    rc = exec_with_id (db, steps[i], last, NULL);
  if (rc == SQLITE_OK)
    *filled = (guint) count;
  return rc;
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
  int rc;

  *filled = 0;
  if (!_si_store_begin (self, error))
    return FALSE;
  rc = _si_store_search_fill_db (_si_store_get_db (self), max_ideas, filled);
  if (rc != SQLITE_OK)
    {
      _si_store_set_error (self, rc, NC_("what failed", "saving a change"), error);
      _si_store_rollback (self);
      *filled = 0;
      return FALSE;
    }
  if (!_si_store_commit (self, error))
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
_si_store_register_text_functions (sqlite3 *db,
                                   SiStore *store)
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
