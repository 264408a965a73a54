/* si-store.c — the offline store: ideas and tags in one SQLite database.
 *
 * Everything a person types lands here first, in one transaction per logical change. Local
 * edits mark a record dirty (state created/modified/deleted) and bump its edit generation;
 * sync clears the mark only for the generation it pushed. Deleting a synced record leaves a
 * tombstone until the server has the deletion. Each write also leaves a line in change_log,
 * which is how every SiStore — in this process or another — learns what changed.
 *
 * This file opens the database, runs statements and transactions, checks text, announces
 * changes and lists the outbox; the tables have files of their own (si-store-ideas.c,
 * si-store-tags.c, si-store-search.c with si-store-search-index.c, and si-store-sync.c for the
 * sync bookkeeping), sharing through si-store-private.h.
 */
#define G_LOG_DOMAIN "saveidea-store"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "si-marshal.h"
#include "si-record-private.h"
#include "si-store-private.h"

#define BUSY_TIMEOUT_MS 5000
/* The first waits for the write lock are short: the lock is mostly held by the store's own
 * checkpoint thread, whose steps end as soon as a save waits (si-store-checkpoint.c). */
#define BUSY_SHORT_WAITS 40
#define BUSY_SHORT_WAIT_US 50
#define WATCH_INTERVAL_MS 500
#define CHANGE_LOG_KEEP 20000
/* More distinct records changed at once than this (a page of a sync, an import) are announced
 * as one "anything may have changed" per collection: a list reloads its first screen once
 * instead of moving rows a thousand times (the app pulled 300 ideas/s that way, 4,000 now). */
#define CHANGES_BEFORE_RESET 200

struct _SiStore
{
  GObject     parent_instance;

  char       *path;
  sqlite3    *db;
  GHashTable *stmts;          /* SQL text -> sqlite3_stmt */
  /* The statements last asked for by the address of their text (checked against the text),
   * before the table above (_si_store_prepare()). */
  struct {
    const char   *sql;
    sqlite3_stmt *stmt;
  }           recent[64];
  /* Whether sync_meta has keys that start with these prefixes, as found in this outermost
   * transaction (no other connection writes meanwhile): _si_store_meta_may_have(). Filled
   * only inside a transaction, emptied when it commits or anything rolls back. */
  struct {
    const char *prefix;
    gboolean    may_have;
  }           meta_known[4];
  guint       n_meta_known;
  SiStoreCheckpointer *checkpointer;
  guint       depth;          /* transaction nesting */
  gint64      last_seq;       /* the last change_log line this store has announced */
  int         data_version;
  guint       watch_id;
  guint       checking : 1;
  guint       check_again : 1;
  guint       search_filling : 1;
  SiSyncPage *page;           /* a pulled page whose per-row triggers are set aside */
  /* The last outermost transaction, monotonic µs (for the benchmarks): BEGIN asked for the
   * write lock, got it, COMMIT started, COMMIT returned. */
  gint64      write_times[4];
};

G_DEFINE_FINAL_TYPE (SiStore, si_store, G_TYPE_OBJECT)
G_DEFINE_QUARK (si-store-error-quark, si_store_error)

enum {
  PROP_0,
  PROP_PATH,
  PROP_SEARCH_FILLING,
  N_PROPS
};

enum {
  CHANGED,
  SAVE_PENDING,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
si_store_dispose (GObject *object)
{
  SiStore *self = (SiStore *) object;

  g_clear_handle_id (&self->watch_id, g_source_remove);

  G_OBJECT_CLASS (si_store_parent_class)->dispose (object);
}

static void
si_store_finalize (GObject *object)
{
  SiStore *self = (SiStore *) object;

  memset (self->recent, 0, sizeof self->recent);
  g_clear_pointer (&self->stmts, g_hash_table_unref);
  /* The checkpoint thread's connection closes first: the store's, the last, then checkpoints
   * what is left and removes the log. */
  if (self->db != NULL)
    sqlite3_wal_hook (self->db, NULL, NULL);
  g_clear_pointer (&self->checkpointer, _si_store_checkpointer_free);
  if (self->db != NULL)
    {
      if (sqlite3_close (self->db) != SQLITE_OK)
        g_warning ("Could not close %s: %s", self->path, sqlite3_errmsg (self->db));
      self->db = NULL;
    }
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (si_store_parent_class)->finalize (object);
}

static void
si_store_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  SiStore *self = SI_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_SEARCH_FILLING:
      g_value_set_boolean (value, self->search_filling);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_store_class_init (SiStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = si_store_dispose;
  object_class->finalize = si_store_finalize;
  object_class->get_property = si_store_get_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * SiStore:search-filling:
   *
   * Whether this process is filling the notebook's search index with ideas a pull wrote
   * (si_store_fill_search_in_background()): a search finds them meanwhile, more slowly.
   */
  properties[PROP_SEARCH_FILLING] =
    g_param_spec_boolean ("search-filling", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SiStore::changed:
   * @collection: SI_COLLECTION_IDEAS or SI_COLLECTION_TAGS (also the signal's detail)
   * @id: the local id of the record that changed, or 0 when anything may have changed
   *
   * A record was added, edited or removed, by this store or by another process.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT64);

  /**
   * SiStore::save-pending:
   * @collection: SI_COLLECTION_IDEAS or SI_COLLECTION_TAGS (also the signal's detail)
   * @uid: the record's uid
   * @version: the server's version of it; what a record's version already says is no news
   *   (a pull also brings this device's own pushes back)
   *
   * The sync engine is about to write the server's version of a record. Whoever holds edits of
   * it that are not saved yet (an editor waiting for the typing to pause) saves them now, so
   * that they are merged with the server's version instead of overwriting it or being
   * overwritten.
   */
  signals[SAVE_PENDING] =
    g_signal_new ("save-pending", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, _si_marshal_VOID__STRING_STRING_INT64,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_INT64);
  /* Emitted for each record of a pulled page, 100,000 times in a first sync: the generic
   * marshaller's libffi call was most of the main thread's time in _si_store_save_pending(). */
  g_signal_set_va_marshaller (signals[SAVE_PENDING], G_TYPE_FROM_CLASS (klass),
                              _si_marshal_VOID__STRING_STRING_INT64v);
}

static void
finalize_stmt (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
si_store_init (SiStore *self)
{
  self->stmts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_stmt);
}

/* Errors -------------------------------------------------------------------------------------- */

/* @what names what failed, in English, marked with NC_("what failed", "saving an idea") and
 * translated here, only when something did fail. */
gboolean
_si_store_set_error (SiStore     *self,
                     int          rc,
                     const char  *what,
                     GError     **error)
{
  const char *detail = self && self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);
  const char *action = g_dpgettext2 (GETTEXT_PACKAGE, "what failed", what);

  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_FULL,
                   /* Translators: %s is what failed, one of the messages with the context
                    * “what failed”, such as “saving a new idea”. */
                   _("The disk is full: %s failed and nothing was changed. Free some space and try again."),
                   action);
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_BUSY,
                   /* Translators: %s is what failed, one of the messages with the context
                    * “what failed”, such as “saving a new idea”. */
                   _("Another program kept the notebook busy: %s failed. Try again."), action);
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_CORRUPT,
                   /* Translators: what failed (a message with the context “what failed”, such as
                    * “saving a new idea”), then SQLite's description of the problem, in English. */
                   _("The notebook database is damaged (%s: %s)."), action, detail);
      break;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_OPEN,
                   /* Translators: what failed (a message with the context “what failed”, such as
                    * “saving a new idea”), then SQLite's description of the problem, in English. */
                   _("The notebook database cannot be written (%s: %s)."), action, detail);
      break;
    default:
      g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_FAILED,
                   /* Translators: what failed (a message with the context “what failed”, such as
                    * “saving a new idea”), then SQLite's description of the problem, in English. */
                   _("The notebook database failed (%s: %s)."), action, detail);
    }
  return FALSE;
}

/* Statements and transactions ----------------------------------------------------------------- */

sqlite3 *
_si_store_get_db (SiStore *self)
{
  return self->db;
}

/* Returns a cached, reset statement for @sql; owned by the store. */
sqlite3_stmt *
_si_store_prepare (SiStore     *self,
                   const char  *sql,
                   GError     **error)
{
  /* Most SQL texts are literals asked for again and again, a pulled page's records several
   * each: by the text's address, a comparison of the text (another text may have taken a
   * freed one's address) is all it costs. Hashing each whole text for the table was 7 % of a
   * first download's CPU. */
  guint slot = ((guintptr) sql >> 3) % G_N_ELEMENTS (self->recent);
  sqlite3_stmt *stmt;
  int rc;

  if (self->recent[slot].sql == sql && strcmp (sqlite3_sql (self->recent[slot].stmt), sql) == 0)
    stmt = self->recent[slot].stmt;
  else
    stmt = g_hash_table_lookup (self->stmts, sql);
  if (stmt != NULL)
    {
      self->recent[slot].sql = sql;
      self->recent[slot].stmt = stmt;
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _si_store_set_error (self, rc, NC_("what failed", "preparing a query"), error);
      return NULL;
    }
  g_hash_table_insert (self->stmts, g_strdup (sql), stmt);
  self->recent[slot].sql = sql;
  self->recent[slot].stmt = stmt;
  return stmt;
}

gboolean
_si_store_step_done (SiStore       *self,
                     sqlite3_stmt  *stmt,
                     const char    *what,
                     GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    return TRUE;
  return _si_store_set_error (self, rc, what, error);
}

static gboolean
exec (SiStore     *self,
      const char  *sql,
      const char  *what,
      GError     **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return _si_store_set_error (self, rc, what, error);
  return TRUE;
}

/* Transactions nest: the outermost is BEGIN IMMEDIATE (so a writer never has to upgrade a read
 * lock while another process writes), the inner ones are savepoints. */
gboolean
_si_store_begin (SiStore  *self,
                 GError  **error)
{
  gboolean outermost = self->depth == 0 && self->checkpointer != NULL;
  gboolean begun;

  /* The checkpoint thread's fill and merge steps give way to it (si-store-checkpoint.c). */
  if (self->depth == 0)
    self->write_times[0] = g_get_monotonic_time ();
  if (outermost)
    _si_store_checkpointer_want_write (self->checkpointer, TRUE);
  begun = exec (self, self->depth == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT si_nested",
                NC_("what failed", "starting a change"), error);
  if (outermost)
    _si_store_checkpointer_want_write (self->checkpointer, FALSE);
  if (!begun)
    return FALSE;
  if (self->depth == 0)
    self->write_times[1] = g_get_monotonic_time ();
  self->depth++;
  return TRUE;
}

/* A read transaction, ended by _si_store_rollback(): what is read in it is one snapshot of the
 * notebook, and writers on other connections go on meanwhile (WAL). */
gboolean
_si_store_begin_read (SiStore  *self,
                      GError  **error)
{
  g_return_val_if_fail (self->depth == 0, FALSE);

  if (!exec (self, "BEGIN DEFERRED", NC_("what failed", "reading the sync state"), error))
    return FALSE;
  self->depth++;
  return TRUE;
}

gboolean
_si_store_commit (SiStore  *self,
                  GError  **error)
{
  g_return_val_if_fail (self->depth > 0, FALSE);

  if (self->depth == 1)
    self->write_times[2] = g_get_monotonic_time ();
  if (!exec (self, self->depth == 1 ? "COMMIT" : "RELEASE si_nested",
             NC_("what failed", "saving a change"), error))
    {
      _si_store_rollback (self);
      return FALSE;
    }
  if (self->depth == 1)
    self->write_times[3] = g_get_monotonic_time ();
  self->depth--;
  if (self->depth == 0)
    {
      self->n_meta_known = 0;
      si_store_check_changes (self);
    }
  return TRUE;
}

void
_si_store_rollback (SiStore *self)
{
  g_return_if_fail (self->depth > 0);

  if (self->depth == 1)
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  else
    sqlite3_exec (self->db, "ROLLBACK TO si_nested; RELEASE si_nested", NULL, NULL, NULL);
  /* What was undone may have been keys deleted. */
  self->n_meta_known = 0;
  self->depth--;
}

gint64
_si_store_query_id (SiStore    *self,
                    const char *sql,
                    gint64      value)
{
  sqlite3_stmt *stmt = _si_store_prepare (self, sql, NULL);
  gint64 result = 0;

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, value);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    result = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return result;
}

gboolean
_si_store_exec_bind (SiStore     *self,
                     const char  *sql,
                     GError     **error,
                     const char  *types,
                     ...)
{
  sqlite3_stmt *stmt = _si_store_prepare (self, sql, error);
  va_list args;

  if (stmt == NULL)
    return FALSE;
  va_start (args, types);
  for (int i = 0; types[i]; i++)
    {
      if (types[i] == 'i')
        sqlite3_bind_int64 (stmt, i + 1, va_arg (args, gint64));
      else
        {
          const char *text = va_arg (args, const char *);
          if (text)
            sqlite3_bind_text (stmt, i + 1, text, -1, SQLITE_TRANSIENT);
          else
            sqlite3_bind_null (stmt, i + 1);
        }
    }
  va_end (args);
  return _si_store_step_done (self, stmt, NC_("what failed", "saving the sync state"), error);
}

char *
_si_store_ids_json (const gint64 *ids,
                    guint         n_ids)
{
  GString *json = g_string_sized_new (2 + n_ids * 8);

  g_string_append_c (json, '[');
  for (guint i = 0; i < n_ids; i++)
    g_string_append_printf (json, i > 0 ? ",%" G_GINT64_FORMAT : "%" G_GINT64_FORMAT, ids[i]);
  g_string_append_c (json, ']');
  return g_string_free (json, FALSE);
}

/* Opening --------------------------------------------------------------------------------------- */

/**
 * si_store_dup_default_path:
 *
 * Returns: (transfer full): `$XDG_DATA_HOME/saveidea/saveidea.db`
 */
char *
si_store_dup_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "saveidea", "saveidea.db", NULL);
}

/* Refuses a file that exists but is not an SQLite database, before SQLite may touch it.
 *
 * The header is read through SQLite's own file layer, never with fopen (): closing any
 * descriptor of a file drops every POSIX lock this process holds on it, and this process may
 * have the notebook open already (the sync engine's pull connection, an import job's store).
 * Another process closing its connection would then find itself the last user and delete the
 * write-ahead log under ours, and the writes that followed here would be lost. SQLite's unix
 * layer keeps such a descriptor open until this process's locks on the file are gone. */
static gboolean
check_file_header (const char  *path,
                   GError     **error)
{
  static const char magic[16] = "SQLite format 3";
  char header[16] = { 0 };
  sqlite3_vfs *vfs = sqlite3_vfs_find (NULL);
  g_autofree sqlite3_file *file = NULL;
  GStatBuf st;
  int rc;

  if (g_stat (path, &st) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT)
        return TRUE;
      g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_OPEN,
                   /* Translators: the file, then why it cannot be read. */
                   _("Cannot read the notebook database %s: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  if (st.st_size == 0)
    return TRUE;

  file = g_malloc0 (vfs->szOsFile);
  rc = vfs->xOpen (vfs, path, file, SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_READONLY, NULL);
  if (rc == SQLITE_OK)
    rc = file->pMethods->xRead (file, header, sizeof header, 0);   /* zero-filled when short */
  if (file->pMethods != NULL)
    file->pMethods->xClose (file);
  if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ)
    {
      g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_OPEN,
                   /* Translators: the file, then why it cannot be read. */
                   _("Cannot read the notebook database %s: %s"), path, sqlite3_errstr (rc));
      return FALSE;
    }

  if (st.st_size >= (goffset) sizeof header && memcmp (header, magic, sizeof magic) == 0)
    return TRUE;

  g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_CORRUPT,
               /* Translators: %s is the file. */
               _("%s is not a Saveidea notebook (it is not an SQLite database). "
                 "It was left untouched; move it away or choose another file."), path);
  return FALSE;
}

/* SQLite's busy handler for the store's connection: called with @count the number of times
 * it was called for this lock. SQLite's own (sqlite3_busy_timeout ()) sleeps 1, 2, 5, 10 ms…
 * between tries, so a save that found the checkpoint thread in a step waited 1 to 3 ms even
 * when the step gave the lock back in microseconds. First BUSY_SHORT_WAITS tries 50 µs apart
 * (2 ms in all), then SQLite's steps, up to BUSY_TIMEOUT_MS in all. */
static int
busy_wait (void *data,
           int   count)
{
  static const int delays_ms[] = { 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 };
  int waited_ms = BUSY_SHORT_WAITS * BUSY_SHORT_WAIT_US / 1000, delay_ms;

  if (count < BUSY_SHORT_WAITS)
    {
      g_usleep (BUSY_SHORT_WAIT_US);
      return 1;
    }
  count -= BUSY_SHORT_WAITS;
  for (int i = 0; i < count; i++)
    waited_ms += delays_ms[MIN (i, (int) G_N_ELEMENTS (delays_ms) - 1)];
  delay_ms = delays_ms[MIN (count, (int) G_N_ELEMENTS (delays_ms) - 1)];
  if (waited_ms >= BUSY_TIMEOUT_MS)
    return 0;
  g_usleep (MIN (delay_ms, BUSY_TIMEOUT_MS - waited_ms) * 1000);
  return 1;
}

static int
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  int value = -1;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* The rank of a search result (SQL: si_rank (ideas_fts)), lower is better as with bm25 ().
 *
 * For every word of the query, each column it occurs in adds the column's weight (title 10,
 * tag names 5, body 1) times 1 + ln (occurrences in that column). bm25 () also divides by each
 * document's length, which it reads from ideas_fts_docsize: one B-tree lookup per matching row,
 * and a prefix of two or three letters matches tens of thousands of rows (that lookup was 80 %
 * of a search). This rank only walks the position lists FTS5 has read already. */
static void
search_rank (const Fts5ExtensionApi  *api,
             Fts5Context             *fts,
             sqlite3_context         *context,
             int                      n_values,
             sqlite3_value          **values)
{
  static const double weights[] = { 10.0, 1.0, 5.0 };   /* title, body, tag_names */
  double score = 0.0;
  int n_phrases = api->xPhraseCount (fts);

  for (int phrase = 0; phrase < n_phrases; phrase++)
    {
      guint hits[G_N_ELEMENTS (weights)] = { 0 };
      Fts5PhraseIter iter;
      int column, offset;

      for (api->xPhraseFirst (fts, phrase, &iter, &column, &offset); column >= 0;
           api->xPhraseNext (fts, &iter, &column, &offset))
        if ((guint) column < G_N_ELEMENTS (hits))
          hits[column]++;
      for (guint i = 0; i < G_N_ELEMENTS (hits); i++)
        if (hits[i] > 0)
          score += weights[i] * (1.0 + log (hits[i]));
    }
  sqlite3_result_double (context, -score);
}

/* Makes si_rank () known to this connection's FTS5. */
static gboolean
register_search_rank (SiStore  *self,
                      GError  **error)
{
  fts5_api *api = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, "SELECT fts5 (?1)", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_pointer (stmt, 1, &api, "fts5_api_ptr", NULL);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (api == NULL || api->iVersion < 2)
    return _si_store_set_error (self, rc, NC_("what failed", "opening the search index"), error);
  rc = api->xCreateFunction (api, "si_rank", NULL, search_rank, NULL);
  if (rc != SQLITE_OK)
    return _si_store_set_error (self, rc, NC_("what failed", "opening the search index"), error);
  return TRUE;
}

int
_si_store_open_connection (const char  *path,
                           int          flags,
                           SiStore     *store,
                           sqlite3    **out_db)
{
  static gsize configured = 0;
  int rc;

  /* SQLite keeps no count of its memory (nothing reads it): that count is one global mutex
   * taken and released by every allocation of every connection, 3 % of saveidea-cli's CPU in
   * a first upload. Set before SQLite's first connection, which every one of ours waits for
   * here; once SQLite is set up, the call only returns SQLITE_MISUSE. */
  if (g_once_init_enter (&configured))
    {
      sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);
      g_once_init_leave (&configured, 1);
    }
  rc = sqlite3_open_v2 (path, out_db, flags, NULL);

  if (rc == SQLITE_OK &&
      !(_si_store_register_text_functions (*out_db, store) && _si_collection_register_sql_functions (*out_db)))
    rc = SQLITE_ERROR;
  return rc;
}

static gboolean
si_store_open (SiStore     *self,
               GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (self->path);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_OPEN,
                   /* Translators: the folder, then why it cannot be created. */
                   _("Cannot create the folder %s for the notebook: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  if (!check_file_header (self->path, error))
    return FALSE;

  rc = _si_store_open_connection (self->path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                  self, &self->db);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_OPEN,
                   /* Translators: the file, then SQLite's reason, in English. */
                   _("Cannot open the notebook database %s: %s"), self->path,
                   self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return FALSE;
    }
  sqlite3_extended_result_codes (self->db, TRUE);
  sqlite3_busy_handler (self->db, busy_wait, NULL);

  /* Reading the schema first: a damaged or foreign file fails here, before anything is written. */
  rc = sqlite3_prepare_v2 (self->db,
                           "SELECT (SELECT user_version FROM pragma_user_version),"
                           " (SELECT count(*) FROM sqlite_schema)", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      sqlite3_finalize (stmt);
      if ((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT)
        {
          g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_CORRUPT,
                       /* Translators: %s is the file. */
                       _("%s is damaged or not a Saveidea notebook. It was left untouched."), self->path);
          return FALSE;
        }
      return _si_store_set_error (self, rc, NC_("what failed", "opening the notebook"), error);
    }
  if (sqlite3_column_int (stmt, 0) == 0 && sqlite3_column_int (stmt, 1) > 0)
    {
      sqlite3_finalize (stmt);
      g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_CORRUPT,
                   /* Translators: %s is the file. */
                   _("%s is an SQLite database of another program, not a Saveidea notebook. "
                     "It was left untouched."), self->path);
      return FALSE;
    }
  sqlite3_finalize (stmt);

  if (!exec (self, "PRAGMA foreign_keys = ON", NC_("what failed", "opening the notebook"), error))
    return FALSE;
  if (query_int (self->db, "PRAGMA journal_mode = WAL") < 0 &&
      !exec (self, "PRAGMA journal_mode = WAL", NC_("what failed", "opening the notebook"), error))
    return FALSE;
  /* FULL: a change is on disk when the save returns, even if the power goes next. A bigger
   * page cache keeps a 100,000-idea notebook quick. No memory-mapped reads (mmap_size 0, even
   * where SQLite was built with another default): a notebook file truncated or overwritten
   * under a mapping kills the process with SIGBUS, where read() gives an error. */
  if (!exec (self, "PRAGMA synchronous = FULL; PRAGMA cache_size = -32768; PRAGMA mmap_size = 0;"
                   " PRAGMA temp_store = MEMORY", NC_("what failed", "opening the notebook"), error))
    return FALSE;

  if (!_si_store_migrate (self->db, error) || !register_search_rank (self, error))
    return FALSE;
  self->checkpointer = _si_store_checkpointer_new (self->db, self->path);

  if (!exec (self,
             "DELETE FROM change_log WHERE seq <= (SELECT max (seq) FROM change_log) - "
             G_STRINGIFY (CHANGE_LOG_KEEP), NC_("what failed", "opening the notebook"), error))
    return FALSE;
  self->last_seq = query_int (self->db, "SELECT coalesce (max (seq), 0) FROM change_log");
  self->data_version = query_int (self->db, "PRAGMA data_version");
  return TRUE;
}

/**
 * si_store_new:
 * @path: (nullable): the database file, or NULL for si_store_dup_default_path()
 * @error: a #SI_STORE_ERROR
 *
 * Opens the notebook at @path, creating it (and its folder) when there is none, and migrating
 * an older schema forward. A file that is not a Saveidea notebook is an error and is never
 * overwritten.
 *
 * Returns: (transfer full) (nullable): the store
 */
SiStore *
si_store_new (const char  *path,
              GError     **error)
{
  g_autoptr(SiStore) self = g_object_new (SI_TYPE_STORE, NULL);

  self->path = path ? g_strdup (path) : si_store_dup_default_path ();
  if (!si_store_open (self, error))
    return NULL;

  g_debug ("Opened %s", self->path);
  return g_steal_pointer (&self);
}

SiStoreCheckpointer *
_si_store_get_checkpointer (SiStore *self)
{
  return self->checkpointer;
}

guint
_si_store_wait_checkpoints (SiStore *self)
{
  return self->checkpointer ? _si_store_checkpointer_wait (self->checkpointer) : 0;
}

int
_si_store_log_pages (SiStore *self)
{
  return self->checkpointer ? _si_store_checkpointer_log_pages (self->checkpointer) : 0;
}

void
_si_store_last_write_times (SiStore *self,
                            double  *wait_ms,
                            double  *work_ms,
                            double  *commit_ms)
{
  *wait_ms = (self->write_times[1] - self->write_times[0]) / 1000.0;
  *work_ms = (self->write_times[2] - self->write_times[1]) / 1000.0;
  *commit_ms = (self->write_times[3] - self->write_times[2]) / 1000.0;
}

guint
_si_store_count_checkpoints (SiStore *self)
{
  return self->checkpointer ? _si_store_checkpointer_count (self->checkpointer) : 0;
}

guint
_si_store_count_search_merges (SiStore *self)
{
  return self->checkpointer ? _si_store_checkpointer_merges (self->checkpointer) : 0;
}

const char *
si_store_get_path (SiStore *self)
{
  g_return_val_if_fail (SI_IS_STORE (self), NULL);
  return self->path;
}

/**
 * si_store_get_search_filling:
 *
 * Returns: the value of SiStore:search-filling
 */
gboolean
si_store_get_search_filling (SiStore *self)
{
  g_return_val_if_fail (SI_IS_STORE (self), FALSE);
  return self->search_filling;
}

SiSyncPage *
_si_store_get_page (SiStore *self)
{
  return self->page;
}

void
_si_store_set_page (SiStore    *self,
                    SiSyncPage *page)
{
  self->page = page;
}

void
_si_store_set_search_filling (SiStore  *self,
                              gboolean  filling)
{
  if (self->search_filling == !!filling)
    return;
  self->search_filling = !!filling;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_FILLING]);
}

/* Change notification ---------------------------------------------------------------------------- */

/* Before the sync engine writes @records (SiWireRecord, of any collection): see
 * SiStore::save-pending. Only outside a transaction, so that what is saved is a change of its
 * own; no emission when nobody listens. */
void
_si_store_save_pending (SiStore    *self,
                        GPtrArray  *records)
{
  g_return_if_fail (SI_IS_STORE (self));

  /* Who listens, per collection, looked up once for the page: a page of 1,000 records took
   * two lookups and a quark (under GLib's global lock) per record. The store's collections
   * have their names on the wire. */
  const SiWireCollection collections[] = { SI_WIRE_COLLECTION_TAGS, SI_WIRE_COLLECTION_IDEAS };
  const char *names[G_N_ELEMENTS (collections)];
  GQuark details[G_N_ELEMENTS (collections)];
  gboolean heard[G_N_ELEMENTS (collections)];
  gboolean any = FALSE;

  if (self->depth > 0 || records == NULL)
    return;
  for (guint c = 0; c < G_N_ELEMENTS (collections); c++)
    {
      names[c] = si_wire_collection_to_string (collections[c]);
      details[c] = g_quark_from_static_string (names[c]);
      /* (A handler of one detail is pending for that detail only, not for detail 0.) */
      heard[c] = g_signal_has_handler_pending (self, signals[SAVE_PENDING], details[c], TRUE) ||
                 g_signal_has_handler_pending (self, signals[SAVE_PENDING], 0, TRUE);
      any = any || heard[c];
    }
  for (guint i = 0; any && i < records->len; i++)
    {
      const SiWireRecord *record = g_ptr_array_index (records, i);

      for (guint c = 0; c < G_N_ELEMENTS (collections); c++)
        if (record->collection == collections[c] && heard[c] && record->uid != NULL)
          g_signal_emit (self, signals[SAVE_PENDING], details[c], names[c], record->uid, record->version);
    }
}

typedef struct {
  const char *collection;
  gint64      id;
} Change;

static void
emit_changes (SiStore *self,
              GArray  *changes)
{
  for (guint i = 0; i < changes->len; i++)
    {
      Change *c = &g_array_index (changes, Change, i);
      g_signal_emit (self, signals[CHANGED], g_quark_from_static_string (c->collection),
                     c->collection, c->id);
    }
}

/* Whether a handler of SiStore::changed would hear of a change: one for all of them, or one
 * for a collection's. */
static gboolean
has_listeners (SiStore *self)
{
  return g_signal_has_handler_pending (self, signals[CHANGED], 0, TRUE) ||
         g_signal_has_handler_pending (self, signals[CHANGED], g_quark_from_static_string (SI_COLLECTION_IDEAS), TRUE) ||
         g_signal_has_handler_pending (self, signals[CHANGED], g_quark_from_static_string (SI_COLLECTION_TAGS), TRUE);
}

/* Reads the change log past what this store has announced. Returns FALSE on a database error. */
static gboolean
collect_changes (SiStore *self,
                 GArray  *changes)
{
  /* Keys of their own: pointers into @ids would move when it grows. */
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  gboolean reset = FALSE;
  int rc;

  stmt = _si_store_prepare (self, "SELECT seq, collection, record_id FROM change_log WHERE seq > ?1 ORDER BY seq", NULL);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, self->last_seq);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (stmt, 0);
      const char *collection = (const char *) sqlite3_column_text (stmt, 1);
      gint64 id = sqlite3_column_int64 (stmt, 2);
      /* Ideas get even keys and tags odd ones, so one table dedups both. */
      gint64 key = g_str_equal (collection, SI_COLLECTION_TAGS) ? id * 2 + 1 : id * 2;

      self->last_seq = seq;
      if (reset || g_hash_table_contains (seen, &key))
        continue;
      g_array_append_val (ids, key);
      g_hash_table_add (seen, g_memdup2 (&key, sizeof key));
      if (ids->len > CHANGES_BEFORE_RESET)
        reset = TRUE;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return FALSE;

  if (reset)
    {
      Change a = { SI_COLLECTION_TAGS, 0 }, b = { SI_COLLECTION_IDEAS, 0 };
      g_array_append_val (changes, a);
      g_array_append_val (changes, b);
      return TRUE;
    }

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 key = g_array_index (ids, gint64, i);
      Change c = { (key & 1) ? SI_COLLECTION_TAGS : SI_COLLECTION_IDEAS, key / 2 };
      g_array_append_val (changes, c);
    }
  return TRUE;
}

/**
 * si_store_check_changes:
 *
 * Emits #SiStore::changed for every write since the last check, this process's or another's.
 * The store calls it after its own commits and, once si_store_watch() was called, whenever
 * another process commits.
 */
void
si_store_check_changes (SiStore *self)
{
  g_return_if_fail (SI_IS_STORE (self));

  /* A handler that writes makes us run again after it, not inside it. */
  if (self->checking)
    {
      self->check_again = TRUE;
      return;
    }

  self->checking = TRUE;
  do
    {
      g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
      gint64 before = self->last_seq;

      self->check_again = FALSE;
      self->data_version = query_int (self->db, "PRAGMA data_version");
      /* Nobody listens (saveidea-cli): the log is passed over, not read line by line; a
       * listener connected later hears of what comes after. */
      if (!has_listeners (self))
        {
          self->last_seq = MAX (self->last_seq, _si_store_query_id (self, "SELECT coalesce (max (seq), 0) FROM change_log", 0));
          break;
        }
      if (!collect_changes (self, changes))
        {
          g_debug ("Could not read the change log: %s", sqlite3_errmsg (self->db));
          break;
        }
      /* The first line after @before was pruned away by another process: reload everything. */
      if (changes->len > 0 && before > 0 &&
          query_int (self->db, "SELECT coalesce (min (seq), 0) FROM change_log") > before + 1)
        {
          Change a = { SI_COLLECTION_TAGS, 0 }, b = { SI_COLLECTION_IDEAS, 0 };
          g_array_set_size (changes, 0);
          g_array_append_val (changes, a);
          g_array_append_val (changes, b);
        }
      emit_changes (self, changes);
    }
  while (self->check_again);
  self->checking = FALSE;
}

static gboolean
watch_cb (gpointer user_data)
{
  SiStore *self = user_data;

  if (self->depth == 0 && query_int (self->db, "PRAGMA data_version") != self->data_version)
    si_store_check_changes (self);
  return G_SOURCE_CONTINUE;
}

/**
 * si_store_watch:
 *
 * From now on, notices other processes' writes while the thread-default main context runs
 * (a cheap check of SQLite's data_version twice a second) and emits #SiStore::changed.
 */
void
si_store_watch (SiStore *self)
{
  g_autoptr(GSource) source = NULL;
  g_autoptr(GMainContext) context = NULL;

  g_return_if_fail (SI_IS_STORE (self));

  if (self->watch_id != 0)
    return;
  context = g_main_context_ref_thread_default ();
  source = g_timeout_source_new (WATCH_INTERVAL_MS);
  g_source_set_callback (source, watch_cb, self, NULL);
  g_source_set_static_name (source, "[saveidea] store watch");
  self->watch_id = g_source_attach (source, context);
}

/* Validation -------------------------------------------------------------------------------------- */

/* Each field has messages of its own, so that translators get whole sentences. */
gboolean
_si_store_validate_text (const char    *text,
                         SiStoreField   field,
                         GError       **error)
{
  gsize max_chars = field == SI_STORE_FIELD_TITLE ? SI_TITLE_MAX_CHARS :
                    field == SI_STORE_FIELD_TAG_NAME ? SI_TAG_NAME_MAX_CHARS : 0;

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID,
                           field == SI_STORE_FIELD_TITLE ? _("The title is not valid UTF-8 text.") :
                           field == SI_STORE_FIELD_BODY ? _("The text of the idea is not valid UTF-8 text.") :
                           _("The tag name is not valid UTF-8 text."));
      return FALSE;
    }
  if (field == SI_STORE_FIELD_BODY && strlen (text) > SI_BODY_MAX_BYTES)
    {
      g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID,
                   /* Translators: KiB are 1024 bytes. */
                   _("The text of the idea is too long: at most %d KiB."), SI_BODY_MAX_BYTES / 1024);
      return FALSE;
    }
  if (max_chars > 0 && (gsize) g_utf8_strlen (text, -1) > max_chars)
    {
      if (field == SI_STORE_FIELD_TITLE)
        g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID,
                     g_dngettext (GETTEXT_PACKAGE, "The title is too long: at most %d character.",
                                  "The title is too long: at most %d characters.", SI_TITLE_MAX_CHARS),
                     SI_TITLE_MAX_CHARS);
      else
        g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID,
                     g_dngettext (GETTEXT_PACKAGE, "The tag name is too long: at most %d character.",
                                  "The tag name is too long: at most %d characters.", SI_TAG_NAME_MAX_CHARS),
                     SI_TAG_NAME_MAX_CHARS);
      return FALSE;
    }
  return TRUE;
}

/* Reading records ----------------------------------------------------------------------------------- */

const char *
_si_store_column_text (sqlite3_stmt *stmt,
                       int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);
  return text ? text : "";
}

void
_si_store_read_meta (sqlite3_stmt *stmt,
                     SiRecordMeta *meta)
{
  meta->id = sqlite3_column_int64 (stmt, 0);
  meta->uid = _si_store_column_text (stmt, 1);
  meta->sid = sqlite3_column_int64 (stmt, 2);
  meta->version = sqlite3_column_int64 (stmt, 3);
  meta->generation = sqlite3_column_int64 (stmt, 4);
  meta->state = sqlite3_column_int (stmt, 5);
}

/* Reads an idea's sync bookkeeping; FALSE with NOT_FOUND when it is missing or a tombstone. */
gboolean
_si_store_read_sync_state (SiStore      *self,
                           const char   *sql,
                           gint64        id,
                           SiSyncState  *state,
                           gint64       *sid,
                           GError      **error)
{
  sqlite3_stmt *stmt = _si_store_prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *state = sqlite3_column_int (stmt, 0);
      *sid = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE || (rc == SQLITE_ROW && *state == SI_SYNC_STATE_DELETED))
    {
      g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND,
                   /* Translators: %lld is the number of an idea or a tag. */
                   _("There is no such record (%lld)."), (long long) id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return _si_store_set_error (self, rc, NC_("what failed", "reading a record"), error);
  return TRUE;
}


/* The record of @collection with @uid, tombstone or not: its id and state, or 0 and -1. */
gboolean
_si_store_find_uid (SiStore     *self,
                    const char  *collection,
                    const char  *uid,
                    gint64      *id,
                    int         *state,
                    GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  *id = 0;
  *state = -1;
  stmt = _si_store_prepare (self, g_str_equal (collection, SI_COLLECTION_TAGS)
                                  ? "SELECT id, state FROM tags WHERE uid = ?1"
                                  : "SELECT id, state FROM ideas WHERE uid = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, uid, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *id = sqlite3_column_int64 (stmt, 0);
      *state = sqlite3_column_int (stmt, 1);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _si_store_set_error (self, rc, NC_("what failed", "looking up a uid"), error);
  return TRUE;
}

/* The outbox --------------------------------------------------------------------------------------- */

void
_si_outbox_entry_clear (gpointer data)
{
  SiOutboxEntry *entry = data;
  g_clear_pointer (&entry->uid, g_free);
}

/**
 * si_store_get_outbox:
 *
 * Everything waiting to be pushed, in the order the server needs it: tag creates and updates,
 * then idea creates, updates and deletes, then tag deletes (a tag outlives the ideas that
 * used it). Records the server rejected are left out until they are edited again.
 *
 * Returns: (transfer full) (element-type SiOutboxEntry): the entries
 */
GArray *
si_store_get_outbox (SiStore  *self,
                     GError  **error)
{
  static const struct {
    const char *table;
    const char *states;
  } stages[] = {
    { SI_COLLECTION_TAGS, "state = " SI_SQL_CREATED },
    { SI_COLLECTION_TAGS, "state = " SI_SQL_MODIFIED },
    { SI_COLLECTION_IDEAS, "state = " SI_SQL_CREATED },
    { SI_COLLECTION_IDEAS, "state = " SI_SQL_MODIFIED },
    /* The last of the four states (si-types.h): by equality, SQLite reads the index; by
     * NOT IN or a range, it read the whole table to keep the ids' order. */
    { SI_COLLECTION_IDEAS, "state = " SI_SQL_DELETED },
    { SI_COLLECTION_TAGS, "state = " SI_SQL_DELETED },
  };
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (SiOutboxEntry));
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (SI_IS_STORE (self), NULL);

  g_array_set_clear_func (entries, _si_outbox_entry_clear);
  /* One statement a stage, each in its index's order (ideas_dirty, tags_dirty: the state,
   * then the id), so that SQLite sorts nothing: one statement for all with ORDER BY took twice
   * as long for a first upload's 100,000 ideas. */
  for (guint s = 0; s < G_N_ELEMENTS (stages); s++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT id, uid, sid, version, generation, state FROM %s"
                                              " WHERE state != " SI_SQL_SYNCED " AND %s AND sync_error IS NULL ORDER BY id",
                                              stages[s].table, stages[s].states);

      stmt = _si_store_prepare (self, sql, error);
      if (stmt == NULL)
        return NULL;
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          SiOutboxEntry entry = {
            stages[s].table,
            sqlite3_column_int64 (stmt, 0),
            g_strdup (_si_store_column_text (stmt, 1)),
            sqlite3_column_int64 (stmt, 2),
            sqlite3_column_int64 (stmt, 3),
            sqlite3_column_int64 (stmt, 4),
            sqlite3_column_int (stmt, 5),
          };
          g_array_append_val (entries, entry);
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        {
          _si_store_set_error (self, rc, NC_("what failed", "reading the changes to push"), error);
          return NULL;
        }
    }
  return g_steal_pointer (&entries);
}

/**
 * si_store_count_pending:
 *
 * Returns: how many records wait to be pushed (the rejected ones included)
 */
guint
si_store_count_pending (SiStore  *self,
                        GError  **error)
{
  sqlite3_stmt *stmt;
  guint count = 0;
  int rc;

  g_return_val_if_fail (SI_IS_STORE (self), 0);

  stmt = _si_store_prepare (self,
                            "SELECT (SELECT count (*) FROM tags WHERE state != " SI_SQL_SYNCED ")"
                            " + (SELECT count (*) FROM ideas WHERE state != " SI_SQL_SYNCED ")", error);
  if (stmt == NULL)
    return 0;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    count = sqlite3_column_int (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    _si_store_set_error (self, rc, NC_("what failed", "counting the changes to push"), error);
  return count;
}

/* Sync bookkeeping ------------------------------------------------------------------------------- */

char *
_si_store_get_meta (SiStore    *self,
                    const char *key)
{
  sqlite3_stmt *stmt = _si_store_prepare (self, "SELECT value FROM sync_meta WHERE key = ?1", NULL);
  char *value = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0))
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return value;
}

/* @key gets a value: the prefixes known to have no key may have it now. */
static void
meta_key_added (SiStore    *self,
                const char *key)
{
  for (guint i = 0; i < self->n_meta_known; i++)
    if (g_str_has_prefix (key, self->meta_known[i].prefix))
      self->meta_known[i].may_have = TRUE;
}

/**
 * _si_store_meta_may_have:
 * @prefix: (not nullable): a literal, ending in ':'
 *
 * Whether sync_meta may have a key that starts with @prefix: FALSE when it surely has none, so
 * that a lookup of each pulled record's notes (most notebooks have none) can be left out. Inside
 * a transaction the answer is kept until the outermost one ends or anything rolls back; outside
 * one it is always TRUE.
 */
gboolean
_si_store_meta_may_have (SiStore    *self,
                         const char *prefix)
{
  g_autofree char *after = NULL;
  sqlite3_stmt *stmt;
  gboolean found;

  if (self->depth == 0)
    return TRUE;
  for (guint i = 0; i < self->n_meta_known; i++)
    if (g_str_equal (self->meta_known[i].prefix, prefix))
      return self->meta_known[i].may_have;
  stmt = _si_store_prepare (self, "SELECT 1 FROM sync_meta WHERE key >= ?1 AND key < ?2 LIMIT 1", NULL);
  if (stmt == NULL)
    return TRUE;
  /* The keys from @prefix up to the next one: "pushed:" to "pushed;". */
  after = g_strdup (prefix);
  after[strlen (after) - 1]++;
  sqlite3_bind_text (stmt, 1, prefix, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, after, -1, SQLITE_STATIC);
  found = sqlite3_step (stmt) != SQLITE_DONE;
  sqlite3_reset (stmt);
  if (self->n_meta_known < G_N_ELEMENTS (self->meta_known))
    {
      self->meta_known[self->n_meta_known].prefix = prefix;
      self->meta_known[self->n_meta_known].may_have = found;
      self->n_meta_known++;
    }
  return found;
}

gboolean
_si_store_set_meta (SiStore     *self,
                    const char  *key,
                    const char  *value,
                    GError     **error)
{
  sqlite3_stmt *stmt;

  if (value == NULL)
    stmt = _si_store_prepare (self, "DELETE FROM sync_meta WHERE key = ?1", error);
  else
    stmt = _si_store_prepare (self, "INSERT OR REPLACE INTO sync_meta (key, value) VALUES (?1, ?2)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  if (value)
    {
      sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
      meta_key_added (self, key);
    }
  return _si_store_step_done (self, stmt, NC_("what failed", "saving the sync state"), error);
}

/* Sets @key to @value only when it has no value yet: @out_added says whether it had none. */
gboolean
_si_store_add_meta (SiStore     *self,
                    const char  *key,
                    const char  *value,
                    gboolean    *out_added,
                    GError     **error)
{
  sqlite3_stmt *stmt = _si_store_prepare (self, "INSERT INTO sync_meta (key, value) VALUES (?1, ?2)"
                                                " ON CONFLICT (key) DO NOTHING", error);

  *out_added = FALSE;
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
  meta_key_added (self, key);
  if (!_si_store_step_done (self, stmt, NC_("what failed", "saving the sync state"), error))
    return FALSE;
  *out_added = sqlite3_changes (self->db) > 0;
  return TRUE;
}
