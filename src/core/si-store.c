/* si-store.c — the offline store: ideas and tags in one SQLite database.
 *
 * Everything a person types lands here first, in one transaction per logical change. Local
 * edits mark a record dirty (state created/modified/deleted) and bump its edit generation;
 * sync clears the mark only for the generation it pushed. Deleting a synced record leaves a
 * tombstone until the server has the deletion. Each write also leaves a line in change_log,
 * which is how every SiStore — in this process or another — learns what changed.
 */
#define G_LOG_DOMAIN "saveidea-store"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "si-record-private.h"
#include "si-store-private.h"

#define BUSY_TIMEOUT_MS 5000
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
  SiStoreCheckpointer *checkpointer;
  guint       depth;          /* transaction nesting */
  gint64      last_seq;       /* the last change_log line this store has announced */
  int         data_version;
  guint       watch_id;
  guint       checking : 1;
  guint       check_again : 1;
};

G_DEFINE_FINAL_TYPE (SiStore, si_store, G_TYPE_OBJECT)
G_DEFINE_QUARK (si-store-error-quark, si_store_error)

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

#define IDEA_COLUMNS \
  "i.id, i.uid, i.sid, i.version, i.generation, i.state, i.title, i.body, i.pinned, " \
  "i.created_at, i.updated_at, i.conflict_of, i.sync_error"
#define TAG_COLUMNS \
  "t.id, t.uid, t.sid, t.version, t.generation, t.state, t.name, t.colour, t.created_at, t.updated_at"

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
  sqlite3_stmt *stmt = g_hash_table_lookup (self->stmts, sql);
  int rc;

  if (stmt != NULL)
    {
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
  if (!exec (self, self->depth == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT si_nested",
             NC_("what failed", "starting a change"), error))
    return FALSE;
  self->depth++;
  return TRUE;
}

gboolean
_si_store_commit (SiStore  *self,
                  GError  **error)
{
  g_return_val_if_fail (self->depth > 0, FALSE);

  if (!exec (self, self->depth == 1 ? "COMMIT" : "RELEASE si_nested",
             NC_("what failed", "saving a change"), error))
    {
      _si_store_rollback (self);
      return FALSE;
    }
  self->depth--;
  if (self->depth == 0)
    si_store_check_changes (self);
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
  self->depth--;
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

/* Refuses a file that exists but is not an SQLite database, before SQLite may touch it. */
static gboolean
check_file_header (const char  *path,
                   GError     **error)
{
  static const char magic[16] = "SQLite format 3";
  char header[16] = { 0 };
  FILE *file;
  size_t n;

  file = g_fopen (path, "rb");
  if (file == NULL)
    {
      if (errno == ENOENT)
        return TRUE;
      g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_OPEN,
                   /* Translators: the file, then why it cannot be read. */
                   _("Cannot read the notebook database %s: %s"), path, g_strerror (errno));
      return FALSE;
    }
  n = fread (header, 1, sizeof header, file);
  fclose (file);

  if (n == 0 || (n == sizeof header && memcmp (header, magic, sizeof magic) == 0))
    return TRUE;

  g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_CORRUPT,
               /* Translators: %s is the file. */
               _("%s is not a Saveidea notebook (it is not an SQLite database). "
                 "It was left untouched; move it away or choose another file."), path);
  return FALSE;
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

  rc = sqlite3_open_v2 (self->path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_OPEN,
                   /* Translators: the file, then SQLite's reason, in English. */
                   _("Cannot open the notebook database %s: %s"), self->path,
                   self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return FALSE;
    }
  sqlite3_extended_result_codes (self->db, TRUE);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

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

guint
_si_store_wait_checkpoints (SiStore *self)
{
  return self->checkpointer ? _si_store_checkpointer_wait (self->checkpointer) : 0;
}

const char *
si_store_get_path (SiStore *self)
{
  g_return_val_if_fail (SI_IS_STORE (self), NULL);
  return self->path;
}

/* Change notification ---------------------------------------------------------------------------- */

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

/* Reads the change log past what this store has announced. Returns FALSE on a database error. */
static gboolean
collect_changes (SiStore *self,
                 GArray  *changes)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
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
      g_hash_table_add (seen, &g_array_index (ids, gint64, ids->len - 1));
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

typedef enum {
  FIELD_TITLE,        /* at most SI_TITLE_MAX_CHARS characters */
  FIELD_BODY,         /* at most SI_BODY_MAX_BYTES bytes */
  FIELD_TAG_NAME,     /* at most SI_TAG_NAME_MAX_CHARS characters */
} Field;

/* Each field has messages of its own, so that translators get whole sentences. */
static gboolean
validate_text (const char  *text,
               Field        field,
               GError     **error)
{
  gsize max_chars = field == FIELD_TITLE ? SI_TITLE_MAX_CHARS :
                    field == FIELD_TAG_NAME ? SI_TAG_NAME_MAX_CHARS : 0;

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID,
                           field == FIELD_TITLE ? _("The title is not valid UTF-8 text.") :
                           field == FIELD_BODY ? _("The text of the idea is not valid UTF-8 text.") :
                           _("The tag name is not valid UTF-8 text."));
      return FALSE;
    }
  if (field == FIELD_BODY && strlen (text) > SI_BODY_MAX_BYTES)
    {
      g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID,
                   /* Translators: KiB are 1024 bytes. */
                   _("The text of the idea is too long: at most %d KiB."), SI_BODY_MAX_BYTES / 1024);
      return FALSE;
    }
  if (max_chars > 0 && (gsize) g_utf8_strlen (text, -1) > max_chars)
    {
      if (field == FIELD_TITLE)
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

static gboolean
validate_colour (const char  *colour,
                 GError     **error)
{
  if (colour[0] == '\0')
    return TRUE;
  if (strlen (colour) == 7 && colour[0] == '#')
    {
      gboolean ok = TRUE;
      for (guint i = 1; i < 7; i++)
        ok = ok && g_ascii_isxdigit (colour[i]);
      if (ok)
        return TRUE;
    }
  g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID,
               /* Translators: %s is what was given as a colour; #rrggbb stands for a hexadecimal
                * colour such as #3584e4. */
               _("“%s” is not a colour: use the form #rrggbb."), colour);
  return FALSE;
}

/* Reading records ----------------------------------------------------------------------------------- */

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);
  return text ? text : "";
}

static void
read_meta (sqlite3_stmt *stmt,
           SiRecordMeta *meta)
{
  meta->id = sqlite3_column_int64 (stmt, 0);
  meta->uid = column_text (stmt, 1);
  meta->sid = sqlite3_column_int64 (stmt, 2);
  meta->version = sqlite3_column_int64 (stmt, 3);
  meta->generation = sqlite3_column_int64 (stmt, 4);
  meta->state = sqlite3_column_int (stmt, 5);
}

static gboolean
load_idea_tags (SiStore  *self,
                SiIdea   *idea,
                GError  **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = _si_store_prepare (self,
                            "SELECT t.id, t.name FROM idea_tags it JOIN tags t ON t.id = it.tag_id"
                            " WHERE it.idea_id = ?1 AND t.state != " SI_SQL_DELETED " ORDER BY t.name_key", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, si_idea_get_id (idea));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
      g_ptr_array_add (names, g_strdup (column_text (stmt, 1)));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _si_store_set_error (self, rc, NC_("what failed", "reading an idea's tags"), error);

  g_ptr_array_add (names, NULL);
  si_idea_set_tag_ids (idea, (const gint64 *) (gpointer) ids->data, ids->len);
  _si_idea_set_tag_names (idea, (const char * const *) names->pdata);
  return TRUE;
}

/* Fills @idea from the row at @stmt (IDEA_COLUMNS), then its tags. */
static gboolean
read_idea (SiStore       *self,
           sqlite3_stmt  *stmt,
           SiIdea        *idea,
           GError       **error)
{
  SiRecordMeta meta;

  read_meta (stmt, &meta);
  meta.created_at = sqlite3_column_int64 (stmt, 9);
  meta.updated_at = sqlite3_column_int64 (stmt, 10);

  g_object_freeze_notify (G_OBJECT (idea));
  _si_idea_set_meta (idea, &meta);
  si_idea_set_title (idea, column_text (stmt, 6));
  si_idea_set_body (idea, column_text (stmt, 7));
  si_idea_set_pinned (idea, sqlite3_column_int (stmt, 8));
  _si_idea_set_conflict (idea, sqlite3_column_int64 (stmt, 11),
                         (const char *) sqlite3_column_text (stmt, 12));
  g_object_thaw_notify (G_OBJECT (idea));
  return TRUE;
}

static SiIdea *
lookup_idea (SiStore     *self,
             const char  *sql,
             gint64       id,
             const char  *uid,
             GError     **error)
{
  g_autoptr(SiIdea) idea = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = _si_store_prepare (self, sql, error)))
    return NULL;
  if (uid)
    sqlite3_bind_text (stmt, 1, uid, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_int64 (stmt, 1, id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      idea = g_object_new (SI_TYPE_IDEA, NULL);
      read_idea (self, stmt, idea, NULL);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _si_store_set_error (self, rc, NC_("what failed", "reading an idea"), error);
      return NULL;
    }
  if (idea == NULL)
    {
      if (uid)
        g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND,
                     _("There is no idea with the uid %s."), uid);
      else
        g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND,
                     /* Translators: %lld is the idea's number. */
                     _("There is no idea %lld."), (long long) id);
      return NULL;
    }
  if (!load_idea_tags (self, idea, error))
    return NULL;
  return g_steal_pointer (&idea);
}

/**
 * si_store_get_idea:
 * @id: the local id
 *
 * Returns: (transfer full) (nullable): the idea, or NULL with SI_STORE_ERROR_NOT_FOUND when
 *   there is none (a deleted idea is not found)
 */
SiIdea *
si_store_get_idea (SiStore  *self,
                   gint64    id,
                   GError  **error)
{
  g_return_val_if_fail (SI_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (id > 0)
    return lookup_idea (self, "SELECT " IDEA_COLUMNS " FROM ideas i WHERE i.id = ?1 AND i.state != " SI_SQL_DELETED,
                        id, NULL, error);
  g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND,
               /* Translators: %lld is the idea's number. */
               _("There is no idea %lld."), (long long) id);
  return NULL;
}

/**
 * si_store_get_idea_by_uid:
 * @uid: the idea's UUID
 *
 * Returns: (transfer full) (nullable): the idea, or NULL with SI_STORE_ERROR_NOT_FOUND when
 *   there is none (a deleted idea is not found)
 */
SiIdea *
si_store_get_idea_by_uid (SiStore     *self,
                          const char  *uid,
                          GError     **error)
{
  g_return_val_if_fail (SI_IS_STORE (self), NULL);
  g_return_val_if_fail (uid != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return lookup_idea (self, "SELECT " IDEA_COLUMNS " FROM ideas i WHERE i.uid = ?1 AND i.state != " SI_SQL_DELETED,
                      0, uid, error);
}

/* Writing ideas ----------------------------------------------------------------------------------- */

typedef struct {
  char *name;
  char *key;
} NamedTag;

static void
named_tag_clear (gpointer data)
{
  NamedTag *tag = data;
  g_free (tag->name);
  g_free (tag->key);
}

static gint
compare_named_tags (gconstpointer a,
                    gconstpointer b)
{
  return g_strcmp0 (((const NamedTag *) a)->key, ((const NamedTag *) b)->key);
}

/* Checks that every tag exists and returns their names, by name, for the search index. */
static char *
collect_tag_names (SiStore       *self,
                   const gint64  *tag_ids,
                   guint          n_tags,
                   GError       **error)
{
  g_autoptr(GArray) tags = g_array_new (FALSE, FALSE, sizeof (NamedTag));
  g_autoptr(GString) names = g_string_new (NULL);
  sqlite3_stmt *stmt;

  g_array_set_clear_func (tags, named_tag_clear);
  if (n_tags > SI_TAGS_PER_IDEA_MAX)
    {
      g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID,
                   g_dngettext (GETTEXT_PACKAGE, "An idea can have at most %d tag.",
                                "An idea can have at most %d tags.", SI_TAGS_PER_IDEA_MAX),
                   SI_TAGS_PER_IDEA_MAX);
      return NULL;
    }
  if (!(stmt = _si_store_prepare (self, "SELECT name, name_key FROM tags WHERE id = ?1 AND state != " SI_SQL_DELETED, error)))
    return NULL;
  for (guint i = 0; i < n_tags; i++)
    {
      int rc;

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, tag_ids[i]);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          NamedTag tag = { g_strdup (column_text (stmt, 0)), g_strdup (column_text (stmt, 1)) };
          g_array_append_val (tags, tag);
        }
      sqlite3_reset (stmt);
      if (rc == SQLITE_DONE)
        {
          g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND,
                       /* Translators: %lld is the tag's number. */
                       _("There is no tag %lld."), (long long) tag_ids[i]);
          return NULL;
        }
      if (rc != SQLITE_ROW)
        {
          _si_store_set_error (self, rc, NC_("what failed", "reading a tag"), error);
          return NULL;
        }
    }
  g_array_sort (tags, compare_named_tags);
  for (guint i = 0; i < tags->len; i++)
    g_string_append_printf (names, "%s%s", i ? " " : "", g_array_index (tags, NamedTag, i).name);
  return g_string_free (g_steal_pointer (&names), FALSE);
}

static GArray *
read_tag_ids (SiStore  *self,
              gint64    idea_id,
              GError  **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = _si_store_prepare (self, "SELECT tag_id FROM idea_tags WHERE idea_id = ?1 ORDER BY tag_id", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, idea_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _si_store_set_error (self, rc, NC_("what failed", "reading an idea's tags"), error);
      return NULL;
    }
  return g_steal_pointer (&ids);
}

static gboolean
same_ids (GArray       *a,
          const gint64 *b,
          guint         n_b)
{
  return a->len == n_b && (n_b == 0 || memcmp (a->data, b, n_b * sizeof (gint64)) == 0);
}

/* Makes the idea's tag rows exactly @tag_ids (sorted), touching only what differs. */
static gboolean
write_idea_tags (SiStore       *self,
                 gint64         idea_id,
                 GArray        *current,
                 const gint64  *tag_ids,
                 guint          n_tags,
                 GError       **error)
{
  sqlite3_stmt *del, *ins;
  guint i = 0, j = 0;

  if (!(del = _si_store_prepare (self, "DELETE FROM idea_tags WHERE idea_id = ?1 AND tag_id = ?2", error)) ||
      !(ins = _si_store_prepare (self, "INSERT OR IGNORE INTO idea_tags (idea_id, tag_id) VALUES (?1, ?2)", error)))
    return FALSE;

  /* Both lists are sorted: walk them together. */
  while (i < current->len || j < n_tags)
    {
      gint64 have = i < current->len ? g_array_index (current, gint64, i) : G_MAXINT64;
      gint64 want = j < n_tags ? tag_ids[j] : G_MAXINT64;
      sqlite3_stmt *stmt = NULL;

      if (have == want)
        i++, j++;
      else if (have < want)
        {
          stmt = del;
          sqlite3_bind_int64 (stmt, 2, have);
          i++;
        }
      else
        {
          stmt = ins;
          sqlite3_bind_int64 (stmt, 2, want);
          j++;
        }
      if (stmt == NULL)
        continue;
      sqlite3_bind_int64 (stmt, 1, idea_id);
      if (!_si_store_step_done (self, stmt, NC_("what failed", "saving an idea's tags"), error))
        return FALSE;
    }
  return TRUE;
}

/* Re-reads @idea from disk after a write, so the caller sees its id, generation and state. */
static gboolean
refresh_idea (SiStore  *self,
              SiIdea   *idea,
              gint64    id,
              GError  **error)
{
  g_autoptr(SiIdea) fresh = lookup_idea (self, "SELECT " IDEA_COLUMNS " FROM ideas i WHERE i.id = ?1",
                                         id, NULL, error);
  if (fresh == NULL)
    return FALSE;
  _si_idea_update_from (idea, fresh);
  return TRUE;
}

static gboolean
save_idea_in_transaction (SiStore      *self,
                          SiIdea       *idea,
                          SiSaveFlags   flags,
                          gint64       *out_id,
                          GError      **error)
{
  gboolean local = (flags & SI_SAVE_FROM_SERVER) == 0;
  gint64 id = si_idea_get_id (idea);
  gint64 now = g_get_real_time ();
  g_autoptr(GArray) current = NULL;
  g_autofree char *tag_names = NULL;
  const gint64 *tag_ids;
  sqlite3_stmt *stmt;
  guint n_tags;
  int rc;

  tag_ids = si_idea_get_tag_ids (idea, &n_tags);
  if (!(tag_names = collect_tag_names (self, tag_ids, n_tags, error)))
    return FALSE;

  if (id == 0)
    {
      g_autofree char *uid = g_strdup (si_idea_get_uid (idea));
      gint64 created = si_idea_get_created_at (idea);
      gint64 updated = si_idea_get_updated_at (idea);

      if (uid == NULL)
        uid = g_uuid_string_random ();
      stmt = _si_store_prepare (self,
                                "INSERT INTO ideas (uid, generation, state, title, body, pinned, created_at, updated_at,"
                                " tag_names) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, uid, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, local ? 1 : 0);
      sqlite3_bind_int (stmt, 3, local ? SI_SYNC_STATE_CREATED : SI_SYNC_STATE_SYNCED);
      sqlite3_bind_text (stmt, 4, si_idea_get_title (idea), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, si_idea_get_body (idea), -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 6, si_idea_get_pinned (idea));
      sqlite3_bind_int64 (stmt, 7, created > 0 ? created : now);
      sqlite3_bind_int64 (stmt, 8, updated > 0 ? updated : (created > 0 ? created : now));
      sqlite3_bind_text (stmt, 9, tag_names, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc == SQLITE_CONSTRAINT_UNIQUE)
        {
          g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_EXISTS,
                       _("An idea with the uid %s exists already."), uid);
          return FALSE;
        }
      if (rc != SQLITE_DONE)
        return _si_store_set_error (self, rc, NC_("what failed", "saving a new idea"), error);
      id = sqlite3_last_insert_rowid (self->db);
      current = g_array_new (FALSE, FALSE, sizeof (gint64));
    }
  else
    {
      gboolean same;

      stmt = _si_store_prepare (self, "SELECT title, body, pinned FROM ideas WHERE id = ?1 AND state != " SI_SQL_DELETED, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_ROW)
        {
          sqlite3_reset (stmt);
          if (rc != SQLITE_DONE)
            return _si_store_set_error (self, rc, NC_("what failed", "reading an idea"), error);
          g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND,
                       /* Translators: %lld is the idea's number. */
                       _("There is no idea %lld (was it deleted?)."), (long long) id);
          return FALSE;
        }
      same = g_str_equal (column_text (stmt, 0), si_idea_get_title (idea)) &&
             g_str_equal (column_text (stmt, 1), si_idea_get_body (idea)) &&
             sqlite3_column_int (stmt, 2) == si_idea_get_pinned (idea);
      sqlite3_reset (stmt);

      if (!(current = read_tag_ids (self, id, error)))
        return FALSE;

      /* Saving what is already there is no edit: it must not make the idea dirty. */
      if (same && same_ids (current, tag_ids, n_tags))
        {
          *out_id = id;
          return TRUE;
        }

      stmt = _si_store_prepare (self,
                                "UPDATE ideas SET title = ?2, body = ?3, pinned = ?4, updated_at = ?5,"
                                " tag_names = ?7, generation = generation + ?6,"
                                " state = CASE WHEN ?6 AND state = " SI_SQL_SYNCED " THEN " SI_SQL_MODIFIED " ELSE state END,"
                                " sync_error = CASE WHEN ?6 THEN NULL ELSE sync_error END"
                                " WHERE id = ?1", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_text (stmt, 2, si_idea_get_title (idea), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, si_idea_get_body (idea), -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 4, si_idea_get_pinned (idea));
      sqlite3_bind_int64 (stmt, 5, local || si_idea_get_updated_at (idea) == 0 ? now : si_idea_get_updated_at (idea));
      sqlite3_bind_int (stmt, 6, local ? 1 : 0);
      sqlite3_bind_text (stmt, 7, tag_names, -1, SQLITE_STATIC);
      if (!_si_store_step_done (self, stmt, NC_("what failed", "saving an idea"), error))
        return FALSE;
    }

  if (!write_idea_tags (self, id, current, tag_ids, n_tags, error))
    return FALSE;
  *out_id = id;
  return TRUE;
}

/**
 * si_store_save_idea:
 * @idea: the idea; a new one (id 0) is inserted and gets its id and uid
 * @flags: SI_SAVE_LOCAL for a person's edit, SI_SAVE_FROM_SERVER for data that came from sync
 * @error: SI_STORE_ERROR_INVALID for bad input, SI_STORE_ERROR_NOT_FOUND for a missing idea or tag
 *
 * Writes @idea in one transaction. A local edit marks it dirty and bumps its edit generation;
 * saving unchanged content changes nothing. On success @idea is refreshed from disk.
 */
gboolean
si_store_save_idea (SiStore      *self,
                    SiIdea       *idea,
                    SiSaveFlags   flags,
                    GError      **error)
{
  gint64 id = 0;

  g_return_val_if_fail (SI_IS_STORE (self), FALSE);
  g_return_val_if_fail (SI_IS_IDEA (idea), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!validate_text (si_idea_get_title (idea), FIELD_TITLE, error) ||
      !validate_text (si_idea_get_body (idea), FIELD_BODY, error))
    return FALSE;

  if (!_si_store_begin (self, error))
    return FALSE;
  if (!save_idea_in_transaction (self, idea, flags, &id, error))
    {
      _si_store_rollback (self);
      return FALSE;
    }
  if (!_si_store_commit (self, error))
    return FALSE;
  return refresh_idea (self, idea, id, error);
}

/* Reads an idea's sync bookkeeping; FALSE with NOT_FOUND when it is missing or a tombstone. */
static gboolean
read_sync_state (SiStore      *self,
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

/**
 * si_store_delete_idea:
 * @flags: SI_SAVE_LOCAL: a never-synced idea goes at once, a synced one becomes a tombstone until
 *   the server has the deletion; SI_SAVE_FROM_SERVER: the server deleted it, it goes at once
 */
gboolean
si_store_delete_idea (SiStore      *self,
                      gint64        id,
                      SiSaveFlags   flags,
                      GError      **error)
{
  gboolean local = (flags & SI_SAVE_FROM_SERVER) == 0;
  SiSyncState state = SI_SYNC_STATE_SYNCED;
  sqlite3_stmt *stmt;
  gint64 sid = 0;

  g_return_val_if_fail (SI_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_si_store_begin (self, error))
    return FALSE;
  if (!read_sync_state (self, "SELECT state, sid FROM ideas WHERE id = ?1", id, &state, &sid, error))
    goto fail;

  if (!local || sid == 0)
    stmt = _si_store_prepare (self, "DELETE FROM ideas WHERE id = ?1", error);
  else
    stmt = _si_store_prepare (self,
                              "UPDATE ideas SET state = " SI_SQL_DELETED ", generation = generation + 1, sync_error = NULL,"
                              " updated_at = ?2 WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, id);
  if (local && sid != 0)
    sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
  if (!_si_store_step_done (self, stmt, NC_("what failed", "deleting an idea"), error))
    goto fail;

  /* A tombstone keeps no tags: it only has to carry the deletion to the server. */
  if (local && sid != 0)
    {
      if (!(stmt = _si_store_prepare (self, "DELETE FROM idea_tags WHERE idea_id = ?1", error)))
        goto fail;
      sqlite3_bind_int64 (stmt, 1, id);
      if (!_si_store_step_done (self, stmt, NC_("what failed", "deleting an idea"), error))
        goto fail;
    }
  return _si_store_commit (self, error);

fail:
  _si_store_rollback (self);
  return FALSE;
}

/**
 * si_store_restore_idea:
 * @idea: an idea as it was before si_store_delete_idea()
 *
 * Undoes a local deletion: the tombstone comes back to life with @idea's content, or, when the
 * idea is already gone from disk, it is saved again as a new idea (with a new uid if the server
 * had seen it, so the server's tombstone does not swallow it). @idea is refreshed.
 */
gboolean
si_store_restore_idea (SiStore  *self,
                       SiIdea   *idea,
                       GError  **error)
{
  g_autoptr(SiIdea) copy = NULL;
  sqlite3_stmt *stmt;
  gint64 id = 0, sid = 0;
  int state = -1, rc;

  g_return_val_if_fail (SI_IS_STORE (self), FALSE);
  g_return_val_if_fail (SI_IS_IDEA (idea), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_si_store_begin (self, error))
    return FALSE;
  if (!(stmt = _si_store_prepare (self, "SELECT id, state, sid FROM ideas WHERE uid = ?1", error)))
    goto fail;
  sqlite3_bind_text (stmt, 1, si_idea_get_uid (idea), -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      id = sqlite3_column_int64 (stmt, 0);
      state = sqlite3_column_int (stmt, 1);
      sid = sqlite3_column_int64 (stmt, 2);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _si_store_set_error (self, rc, NC_("what failed", "restoring an idea"), error);
      goto fail;
    }

  if (state == SI_SYNC_STATE_DELETED)
    {
      /* Back to life: dirty again, so the server gets the idea back instead of the deletion. */
      if (!(stmt = _si_store_prepare (self,
                                      "UPDATE ideas SET state = CASE WHEN sid IS NULL THEN " SI_SQL_CREATED " ELSE " SI_SQL_MODIFIED " END,"
                                      " generation = generation + 1 WHERE id = ?1", error)))
        goto fail;
      sqlite3_bind_int64 (stmt, 1, id);
      if (!_si_store_step_done (self, stmt, NC_("what failed", "restoring an idea"), error))
        goto fail;
      copy = g_object_new (SI_TYPE_IDEA, NULL);
      {
        SiRecordMeta meta = { id, si_idea_get_uid (idea), sid, 0, 0, SI_SYNC_STATE_MODIFIED,
                              si_idea_get_created_at (idea), si_idea_get_updated_at (idea) };
        guint n;
        const gint64 *tags = si_idea_get_tag_ids (idea, &n);

        _si_idea_set_meta (copy, &meta);
        si_idea_set_title (copy, si_idea_get_title (idea));
        si_idea_set_body (copy, si_idea_get_body (idea));
        si_idea_set_pinned (copy, si_idea_get_pinned (idea));
        si_idea_set_tag_ids (copy, tags, n);
        /* Tags deleted meanwhile are dropped rather than failing the undo. */
        for (guint i = n; i > 0; i--)
          {
            g_autoptr(SiTag) tag = si_store_get_tag (self, tags[i - 1], NULL);
            if (tag == NULL)
              si_idea_remove_tag (copy, tags[i - 1]);
          }
      }
      if (!save_idea_in_transaction (self, copy, SI_SAVE_FROM_SERVER, &id, error))
        goto fail;
    }
  else if (state < 0)
    {
      /* Gone from disk: save it as new. */
      guint n;
      const gint64 *tags = si_idea_get_tag_ids (idea, &n);
      SiRecordMeta meta = { 0, si_idea_get_sid (idea) ? NULL : si_idea_get_uid (idea), 0, 0, 0,
                            SI_SYNC_STATE_CREATED, si_idea_get_created_at (idea), si_idea_get_updated_at (idea) };

      copy = si_idea_new (si_idea_get_title (idea), si_idea_get_body (idea));
      _si_idea_set_meta (copy, &meta);
      si_idea_set_pinned (copy, si_idea_get_pinned (idea));
      si_idea_set_tag_ids (copy, tags, n);
      for (guint i = n; i > 0; i--)
        {
          g_autoptr(SiTag) tag = si_store_get_tag (self, tags[i - 1], NULL);
          if (tag == NULL)
            si_idea_remove_tag (copy, tags[i - 1]);
        }
      if (!save_idea_in_transaction (self, copy, SI_SAVE_LOCAL, &id, error))
        goto fail;
    }

  if (!_si_store_commit (self, error))
    return FALSE;
  return refresh_idea (self, idea, id, error);

fail:
  _si_store_rollback (self);
  return FALSE;
}

/**
 * si_store_resolve_conflict:
 * @copy_id: the conflicted copy
 * @choice: what the person chose
 * @remaining_id: (out) (optional): the idea to show now (0 if none is left)
 * @error: SI_STORE_ERROR_INVALID when @copy_id is not a conflicted copy
 *
 * Settles a conflicted copy in one transaction. Keeping the copy is a local edit of the other
 * version (so it syncs); keeping both only drops the copy's conflict mark.
 */
gboolean
si_store_resolve_conflict (SiStore           *self,
                           gint64             copy_id,
                           SiConflictChoice   choice,
                           gint64            *remaining_id,
                           GError           **error)
{
  g_autoptr(SiIdea) copy = NULL;
  g_autoptr(SiIdea) other = NULL;
  sqlite3_stmt *stmt;
  gint64 remaining = 0;

  g_return_val_if_fail (SI_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_si_store_begin (self, error))
    return FALSE;
  if (!(copy = si_store_get_idea (self, copy_id, error)))
    goto fail;
  if (si_idea_get_conflict_of (copy) == 0)
    {
      g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID,
                   /* Translators: %lld is the idea's number. */
                   _("Idea %lld is not a conflicted copy."), (long long) copy_id);
      goto fail;
    }
  other = si_store_get_idea (self, si_idea_get_conflict_of (copy), NULL);

  if (choice == SI_CONFLICT_KEEP_BOTH || (choice == SI_CONFLICT_KEEP_COPY && other == NULL))
    {
      if (!(stmt = _si_store_prepare (self, "UPDATE ideas SET conflict_of = NULL WHERE id = ?1", error)))
        goto fail;
      sqlite3_bind_int64 (stmt, 1, copy_id);
      if (!_si_store_step_done (self, stmt, NC_("what failed", "settling a conflict"), error))
        goto fail;
      remaining = copy_id;
    }
  else
    {
      if (choice == SI_CONFLICT_KEEP_COPY)
        {
          guint n;
          const gint64 *tags = si_idea_get_tag_ids (copy, &n);

          si_idea_set_title (other, si_idea_get_title (copy));
          si_idea_set_body (other, si_idea_get_body (copy));
          si_idea_set_pinned (other, si_idea_get_pinned (copy));
          si_idea_set_tag_ids (other, tags, n);
          if (!save_idea_in_transaction (self, other, SI_SAVE_LOCAL, &remaining, error))
            goto fail;
        }
      else
        remaining = other ? si_idea_get_id (other) : 0;
      if (!si_store_delete_idea (self, copy_id, SI_SAVE_LOCAL, error))
        goto fail;
    }

  if (!_si_store_commit (self, error))
    return FALSE;
  if (remaining_id)
    *remaining_id = remaining;
  return TRUE;

fail:
  _si_store_rollback (self);
  return FALSE;
}

/* Tags ------------------------------------------------------------------------------------------- */

static SiTag *
lookup_tag (SiStore     *self,
            const char  *sql,
            gint64       id,
            const char  *text,
            GError     **error)
{
  g_autoptr(SiTag) tag = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = _si_store_prepare (self, sql, error)))
    return NULL;
  if (text)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      SiRecordMeta meta;

      read_meta (stmt, &meta);
      meta.created_at = sqlite3_column_int64 (stmt, 8);
      meta.updated_at = sqlite3_column_int64 (stmt, 9);
      tag = g_object_new (SI_TYPE_TAG, NULL);
      _si_tag_set_meta (tag, &meta);
      si_tag_set_name (tag, column_text (stmt, 6));
      si_tag_set_colour (tag, column_text (stmt, 7));
      if (sqlite3_column_count (stmt) > 10)
        _si_tag_set_idea_count (tag, sqlite3_column_int (stmt, 10));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _si_store_set_error (self, rc, NC_("what failed", "reading a tag"), error);
      return NULL;
    }
  if (tag == NULL)
    {
      if (text)
        g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND, _("There is no tag “%s”."), text);
      else
        g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND,
                     /* Translators: %lld is the tag's number. */
                     _("There is no tag %lld."), (long long) id);
    }
  return g_steal_pointer (&tag);
}

/* A tag's ideas: its links, less those of tombstones. Reading each linked idea's state instead
 * cost a row lookup per link (a quarter of a second for 50 tags on 100,000 ideas); the
 * tombstones are few and found through ideas_dirty ("state != synced" lets SQLite use it). */
#define TAG_COUNT_COLUMN \
  ", (SELECT count (*) FROM idea_tags it WHERE it.tag_id = t.id)" \
  " - (SELECT count (*) FROM ideas i CROSS JOIN idea_tags it ON it.idea_id = i.id AND it.tag_id = t.id" \
  "    WHERE i.state != " SI_SQL_SYNCED " AND i.state = " SI_SQL_DELETED ")"

/**
 * si_store_get_tag:
 *
 * Returns: (transfer full) (nullable): the tag with its idea count, or NULL with NOT_FOUND
 */
SiTag *
si_store_get_tag (SiStore  *self,
                  gint64    id,
                  GError  **error)
{
  g_return_val_if_fail (SI_IS_STORE (self), NULL);

  return lookup_tag (self, "SELECT " TAG_COLUMNS TAG_COUNT_COLUMN " FROM tags t WHERE t.id = ?1 AND t.state != " SI_SQL_DELETED,
                     id, NULL, error);
}

/* A new name, as a person typed it: the codec's rule (si_wire_tag_name_normalize()), with
 * messages of our own. */
static char *
normalise_tag_name (const char  *name,
                    GError     **error)
{
  g_autofree char *normal = NULL;

  switch (si_wire_tag_name_normalize (name, &normal))
    {
    case SI_WIRE_TAG_NAME_OK:
      return g_steal_pointer (&normal);
    case SI_WIRE_TAG_NAME_NOT_UTF8:
      validate_text (name, FIELD_TAG_NAME, error);
      return NULL;
    case SI_WIRE_TAG_NAME_EMPTY:
      g_set_error_literal (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID, _("A tag needs a name."));
      return NULL;
    case SI_WIRE_TAG_NAME_CONTROL:
      g_set_error_literal (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID,
                           _("A tag name cannot contain control characters."));
      return NULL;
    case SI_WIRE_TAG_NAME_TOO_LONG:
    default:
      g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID,
                   g_dngettext (GETTEXT_PACKAGE, "The tag name is too long: at most %d character.",
                                "The tag name is too long: at most %d characters.", SI_TAG_NAME_MAX_CHARS),
                   SI_TAG_NAME_MAX_CHARS);
      return NULL;
    }
}

/* The name a save stores. A new name is normalised. A name the tag has already (stored before
 * names were normalised, or pulled from a server that holds it so) and a name from the server
 * are kept as they are, so that neither a colour change nor a sync fails on it: the uniqueness
 * key is computed from the name as stored. */
static char *
tag_name_to_store (SiStore      *self,
                   SiTag        *tag,
                   gboolean      local,
                   GError      **error)
{
  const char *name = si_tag_get_name (tag);
  gint64 id = si_tag_get_id (tag);

  if (local && id != 0)
    {
      sqlite3_stmt *stmt = _si_store_prepare (self, "SELECT name FROM tags WHERE id = ?1", error);
      gboolean same = FALSE;

      if (stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 1, id);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        same = g_strcmp0 (name, (const char *) sqlite3_column_text (stmt, 0)) == 0;
      sqlite3_reset (stmt);
      if (same)
        local = FALSE;
    }
  if (local)
    return normalise_tag_name (name, error);
  if (!validate_text (name, FIELD_TAG_NAME, error))
    return NULL;
  if (name[0] == '\0')
    {
      g_set_error_literal (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID, _("A tag needs a name."));
      return NULL;
    }
  return g_strdup (name);
}

/**
 * si_store_find_tag:
 * @name: a tag name, in any case
 *
 * Returns: (transfer full) (nullable): the tag whose name is @name ignoring case, or NULL with
 *   NOT_FOUND
 */
SiTag *
si_store_find_tag (SiStore     *self,
                   const char  *name,
                   GError     **error)
{
  g_autofree char *clean = NULL;
  g_autofree char *key = NULL;
  g_autoptr(SiTag) tag = NULL;

  g_return_val_if_fail (SI_IS_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (!(clean = normalise_tag_name (name, error)))
    return NULL;
  key = si_wire_tag_name_key (clean);
  tag = lookup_tag (self, "SELECT " TAG_COLUMNS TAG_COUNT_COLUMN " FROM tags t WHERE t.name_key = ?1 AND t.state != " SI_SQL_DELETED,
                    0, key, NULL);
  if (tag == NULL)
    g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND, _("There is no tag “%s”."), clean);
  return g_steal_pointer (&tag);
}

gint64
_si_store_find_tag_as_stored (SiStore    *self,
                              const char *name)
{
  g_autofree char *key = NULL;
  sqlite3_stmt *stmt;
  gint64 id = 0;

  g_return_val_if_fail (SI_IS_STORE (self), 0);

  if (name == NULL || !(key = si_wire_tag_name_key (name)) ||
      !(stmt = _si_store_prepare (self, "SELECT id FROM tags WHERE name_key = ?1 AND state != " SI_SQL_DELETED, NULL)))
    return 0;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return id;
}

static gboolean
save_tag_in_transaction (SiStore      *self,
                         SiTag        *tag,
                         SiSaveFlags   flags,
                         gint64       *out_id,
                         GError      **error)
{
  gboolean local = (flags & SI_SAVE_FROM_SERVER) == 0;
  g_autofree char *name = NULL;
  g_autofree char *key = NULL;
  gint64 id = si_tag_get_id (tag);
  gint64 now = g_get_real_time ();
  sqlite3_stmt *stmt;
  int rc;

  if (!(name = tag_name_to_store (self, tag, local, error)) ||
      !validate_colour (si_tag_get_colour (tag), error))
    return FALSE;
  key = si_wire_tag_name_key (name);

  if (id == 0)
    {
      g_autofree char *uid = g_strdup (si_tag_get_uid (tag));

      if (uid == NULL)
        uid = g_uuid_string_random ();
      stmt = _si_store_prepare (self,
                                "INSERT INTO tags (uid, generation, state, name, name_key, colour, created_at, updated_at)"
                                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, uid, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, local ? 1 : 0);
      sqlite3_bind_int (stmt, 3, local ? SI_SYNC_STATE_CREATED : SI_SYNC_STATE_SYNCED);
      sqlite3_bind_int64 (stmt, 7, si_tag_get_created_at (tag) > 0 ? si_tag_get_created_at (tag) : now);
    }
  else
    {
      SiSyncState state;
      gint64 sid;

      if (!read_sync_state (self, "SELECT state, sid FROM tags WHERE id = ?1", id, &state, &sid, error))
        return FALSE;
      stmt = _si_store_prepare (self,
                                "UPDATE tags SET name = ?4, name_key = ?5, colour = ?6, updated_at = ?7,"
                                " generation = generation + ?2,"
                                " state = CASE WHEN ?2 AND state = " SI_SQL_SYNCED " THEN " SI_SQL_MODIFIED " ELSE state END,"
                                " sync_error = CASE WHEN ?2 THEN NULL ELSE sync_error END"
                                " WHERE id = ?1 AND (name != ?4 OR colour != ?6)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_int (stmt, 2, local ? 1 : 0);
      sqlite3_bind_int64 (stmt, 7, now);
    }
  sqlite3_bind_text (stmt, 4, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, si_tag_get_colour (tag), -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_CONSTRAINT_UNIQUE)
    {
      g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_EXISTS, _("A tag named “%s” exists already."), name);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return _si_store_set_error (self, rc, NC_("what failed", "saving a tag"), error);
  *out_id = id ? id : sqlite3_last_insert_rowid (self->db);
  return TRUE;
}

static gboolean
refresh_tag (SiStore  *self,
             SiTag    *tag,
             gint64    id,
             GError  **error)
{
  g_autoptr(SiTag) fresh = si_store_get_tag (self, id, error);
  SiRecordMeta meta;

  if (fresh == NULL)
    return FALSE;
  meta = (SiRecordMeta) {
    si_tag_get_id (fresh), si_tag_get_uid (fresh), si_tag_get_sid (fresh), si_tag_get_version (fresh),
    si_tag_get_generation (fresh), si_tag_get_sync_state (fresh),
    si_tag_get_created_at (fresh), si_tag_get_updated_at (fresh),
  };
  g_object_freeze_notify (G_OBJECT (tag));
  _si_tag_set_meta (tag, &meta);
  si_tag_set_name (tag, si_tag_get_name (fresh));
  si_tag_set_colour (tag, si_tag_get_colour (fresh));
  _si_tag_set_idea_count (tag, si_tag_get_idea_count (fresh));
  g_object_thaw_notify (G_OBJECT (tag));
  return TRUE;
}

/**
 * si_store_save_tag:
 * @error: SI_STORE_ERROR_EXISTS when another tag has that name (ignoring case),
 *   SI_STORE_ERROR_INVALID for an empty, too long or non-UTF-8 name or a bad colour
 *
 * Inserts (id 0) or updates @tag in one transaction; @tag is refreshed from disk.
 */
gboolean
si_store_save_tag (SiStore      *self,
                   SiTag        *tag,
                   SiSaveFlags   flags,
                   GError      **error)
{
  gint64 id = 0;

  g_return_val_if_fail (SI_IS_STORE (self), FALSE);
  g_return_val_if_fail (SI_IS_TAG (tag), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_si_store_begin (self, error))
    return FALSE;
  if (!save_tag_in_transaction (self, tag, flags, &id, error))
    {
      _si_store_rollback (self);
      return FALSE;
    }
  if (!_si_store_commit (self, error))
    return FALSE;
  return refresh_tag (self, tag, id, error);
}

/**
 * si_store_ensure_tag:
 * @name: a tag name
 *
 * Returns: (transfer full) (nullable): the tag named @name (ignoring case), made now if there
 *   was none
 */
SiTag *
si_store_ensure_tag (SiStore     *self,
                     const char  *name,
                     GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(SiTag) tag = NULL;

  g_return_val_if_fail (SI_IS_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  tag = si_store_find_tag (self, name, &local_error);
  if (tag != NULL)
    return g_steal_pointer (&tag);
  if (!g_error_matches (local_error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  tag = si_tag_new (name);
  if (!si_store_save_tag (self, tag, SI_SAVE_LOCAL, error))
    return NULL;
  return g_steal_pointer (&tag);
}

/**
 * si_store_delete_tag:
 *
 * Deletes a tag and takes it off every idea. Locally, those ideas become dirty (the server must
 * learn their new tag lists) and a synced tag stays a tombstone until the server confirms.
 */
gboolean
si_store_delete_tag (SiStore      *self,
                     gint64        id,
                     SiSaveFlags   flags,
                     GError      **error)
{
  gboolean local = (flags & SI_SAVE_FROM_SERVER) == 0;
  SiSyncState state;
  sqlite3_stmt *stmt;
  gint64 sid = 0;

  g_return_val_if_fail (SI_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_si_store_begin (self, error))
    return FALSE;
  if (!read_sync_state (self, "SELECT state, sid FROM tags WHERE id = ?1", id, &state, &sid, error))
    goto fail;

  if (local)
    {
      if (!(stmt = _si_store_prepare (self,
                                      "UPDATE ideas SET generation = generation + 1,"
                                      " state = CASE WHEN state = " SI_SQL_SYNCED " THEN " SI_SQL_MODIFIED " ELSE state END"
                                      " WHERE id IN (SELECT idea_id FROM idea_tags WHERE tag_id = ?1) AND state != " SI_SQL_DELETED,
                                      error)))
        goto fail;
      sqlite3_bind_int64 (stmt, 1, id);
      if (!_si_store_step_done (self, stmt, NC_("what failed", "deleting a tag"), error))
        goto fail;
    }
  /* The ideas that had the tag lose its name in the search index. */
  if (!(stmt = _si_store_prepare (self,
                                  "UPDATE ideas SET tag_names = coalesce ((SELECT group_concat (name, ' ')"
                                  "  FROM (SELECT t.name FROM idea_tags it JOIN tags t ON t.id = it.tag_id"
                                  "        WHERE it.idea_id = ideas.id AND t.id != ?1 AND t.state != " SI_SQL_DELETED
                                  "        ORDER BY t.name_key)), '')"
                                  " WHERE id IN (SELECT idea_id FROM idea_tags WHERE tag_id = ?1)", error)))
    goto fail;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!_si_store_step_done (self, stmt, NC_("what failed", "deleting a tag"), error))
    goto fail;
  if (!(stmt = _si_store_prepare (self, "DELETE FROM idea_tags WHERE tag_id = ?1", error)))
    goto fail;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!_si_store_step_done (self, stmt, NC_("what failed", "deleting a tag"), error))
    goto fail;

  if (!local || sid == 0)
    stmt = _si_store_prepare (self, "DELETE FROM tags WHERE id = ?1", error);
  else
    stmt = _si_store_prepare (self, "UPDATE tags SET state = " SI_SQL_DELETED ", generation = generation + 1, sync_error = NULL"
                                    " WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!_si_store_step_done (self, stmt, NC_("what failed", "deleting a tag"), error))
    goto fail;
  return _si_store_commit (self, error);

fail:
  _si_store_rollback (self);
  return FALSE;
}

/**
 * si_store_list_tags:
 *
 * Returns: (transfer full) (element-type SiTag): every tag, by name, with its idea count
 */
GPtrArray *
si_store_list_tags (SiStore  *self,
                    GError  **error)
{
  g_autoptr(GPtrArray) tags = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (SI_IS_STORE (self), NULL);

  if (!(stmt = _si_store_prepare (self, "SELECT id FROM tags WHERE state != " SI_SQL_DELETED " ORDER BY name_key", error)))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _si_store_set_error (self, rc, NC_("what failed", "listing tags"), error);
      return NULL;
    }
  for (guint i = 0; i < ids->len; i++)
    {
      SiTag *tag = si_store_get_tag (self, g_array_index (ids, gint64, i), error);
      if (tag == NULL)
        return NULL;
      g_ptr_array_add (tags, tag);
    }
  return g_steal_pointer (&tags);
}

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
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (SiOutboxEntry));
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (SI_IS_STORE (self), NULL);

  g_array_set_clear_func (entries, _si_outbox_entry_clear);
  stmt = _si_store_prepare (self,
                            "SELECT 0, id, uid, sid, version, generation, state,"
                            "       CASE state WHEN " SI_SQL_CREATED " THEN 0 WHEN " SI_SQL_MODIFIED " THEN 1 ELSE 5 END AS stage"
                            " FROM tags WHERE state != " SI_SQL_SYNCED " AND sync_error IS NULL"
                            " UNION ALL "
                            "SELECT 1, id, uid, sid, version, generation, state,"
                            "       CASE state WHEN " SI_SQL_CREATED " THEN 2 WHEN " SI_SQL_MODIFIED " THEN 3 ELSE 4 END AS stage"
                            " FROM ideas WHERE state != " SI_SQL_SYNCED " AND sync_error IS NULL"
                            " ORDER BY stage, 2", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SiOutboxEntry entry = {
        sqlite3_column_int (stmt, 0) ? SI_COLLECTION_IDEAS : SI_COLLECTION_TAGS,
        sqlite3_column_int64 (stmt, 1),
        g_strdup (column_text (stmt, 2)),
        sqlite3_column_int64 (stmt, 3),
        sqlite3_column_int64 (stmt, 4),
        sqlite3_column_int64 (stmt, 5),
        sqlite3_column_int (stmt, 6),
      };
      g_array_append_val (entries, entry);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _si_store_set_error (self, rc, NC_("what failed", "reading the changes to push"), error);
      return NULL;
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
    sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
  return _si_store_step_done (self, stmt, NC_("what failed", "saving the sync state"), error);
}
