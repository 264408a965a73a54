/* si-server-storage-sqlite.c — the SQLite backend of saveidea-server's storage.
 *
 * One object is one connection; the server opens one per worker thread, and they share the file
 * (WAL: readers never wait; writers take turns with BEGIN IMMEDIATE and a busy timeout, and
 * still busy after it is UNAVAILABLE, a 503). Inside one process the writers queue for their
 * turn in arrival order (a FIFO lock taken before BEGIN IMMEDIATE), because SQLite's busy
 * handler only polls: a writer that commits and begins again at once would win every time.
 * WAL with synchronous=FULL: a write that returned is on disk. Statements are prepared once and
 * cached. Every record write is one transaction (or one savepoint inside a batch's
 * transaction) that also bumps the account's change sequence, so a version number is never
 * handed out for a change that was not stored. No transaction changes much more than
 * _si_server_storage_tx_rows() rows: a batch commits and begins again between operations, a
 * tag delete removes the tag from its ideas in steps (each a committed transaction that leaves
 * the tag live, so a retried delete finishes the job) and tombstones it in the last one.
 *
 * This file: the connection, its statement cache, accounts and tokens, the schema and opening.
 * The transactions, the row primitives of records and the change feed are in
 * si-server-storage-sqlite-rows.c.
 */
#define G_LOG_DOMAIN "saveidea-server"

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "si-server-storage-private.h"
#include "si-server-storage-sqlite-private.h"

#define SCHEMA_VERSION 5
#define WAL_AUTOCHECKPOINT_PAGES 8192


static const char schema_sql[] =
  "CREATE TABLE meta ("
  "  key   TEXT PRIMARY KEY,"
  "  value TEXT NOT NULL"
  ");"
  "CREATE TABLE accounts ("
  "  id         INTEGER PRIMARY KEY,"
  "  name       TEXT NOT NULL UNIQUE COLLATE NOCASE,"
  "  pwhash     TEXT NOT NULL,"
  "  seq        INTEGER NOT NULL DEFAULT 0,"
  "  created_at INTEGER NOT NULL"
  ");"
  "CREATE TABLE tokens ("
  "  hash       TEXT PRIMARY KEY,"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  created_at INTEGER NOT NULL"
  ") WITHOUT ROWID;"
  "CREATE INDEX tokens_account ON tokens (account_id);"
  /* One table for both collections: versions are per account across collections. Fields of
   * the other collection stay NULL; a tombstone keeps only its identity and times. */
  "CREATE TABLE records ("
  "  id         INTEGER PRIMARY KEY,"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  collection INTEGER NOT NULL,"
  "  uid        TEXT NOT NULL,"
  "  version    INTEGER NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL,"
  "  deleted    INTEGER NOT NULL DEFAULT 0,"
  "  title      TEXT,"
  "  body       TEXT,"
  "  pinned     INTEGER,"
  "  tags       TEXT,"   /* ideas: tag ids, comma-separated, in the client's order */
  "  name       TEXT,"
  "  name_key   TEXT,"   /* tags: si_wire_tag_name_key (name) while live */
  "  colour     TEXT,"
  "  UNIQUE (account_id, collection, uid)"
  ");"
  "CREATE INDEX records_feed ON records (account_id, collection, version);"
  "CREATE UNIQUE INDEX records_tag_name ON records (account_id, name_key)"
  "  WHERE collection = 1 AND deleted = 0;"
  /* Which ideas use which tags, to update them when a tag is deleted. */
  "CREATE TABLE idea_tags ("
  "  tag_id  INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,"
  "  idea_id INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,"
  "  PRIMARY KEY (tag_id, idea_id)"
  ") WITHOUT ROWID;"
  "CREATE INDEX idea_tags_idea ON idea_tags (idea_id);";

/* Version 2: GET /api/v1/changes reads both collections in version order. */
static const char migrate_2_sql[] =
  "CREATE INDEX records_changes ON records (account_id, version);";

/* Version 3: the device that wrote each record's version (the optional `device` field); NULL
 * when the client did not say, and for a tombstone. */
static const char migrate_3_sql[] =
  "ALTER TABLE records ADD COLUMN device TEXT;";

/* Version 4: kept versions of ideas and the trash (si-server-storage-history.c). A record's
 * `written_at` is the server's time of its last write (NULL before version 4); the kept
 * versions are the versions an idea had before its current one. No foreign key to records
 * (rows of records go only with their account, which takes these with it). */
static const char migrate_4_sql[] =
  "ALTER TABLE records ADD COLUMN written_at INTEGER;"
  "CREATE TABLE idea_history ("
  "  id         INTEGER PRIMARY KEY,"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  idea_id    INTEGER NOT NULL,"
  "  version    INTEGER NOT NULL,"
  "  written_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL,"
  "  device     TEXT,"
  "  title      TEXT NOT NULL,"
  "  body       TEXT NOT NULL,"
  "  pinned     INTEGER NOT NULL,"
  "  tags       TEXT NOT NULL,"
  "  bytes      INTEGER NOT NULL"   /* what it counts towards the account's cap */
  ");"
  "CREATE UNIQUE INDEX idea_history_idea ON idea_history (account_id, idea_id, version);"
  /* Oldest first for the cap, and the sum of bytes without reading the content. */
  "CREATE INDEX idea_history_age ON idea_history (account_id, written_at, bytes);";

/* Version 5: the change feed of both collections is read as a merge of each collection's part
 * of records_feed (feed_stmt()), so version 2's index is one B-tree more per write for nothing. */
static const char migrate_5_sql[] =
  "DROP INDEX IF EXISTS records_changes;";


static void storage_iface_init (SiServerStorageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SiServerStorageSqlite, si_server_storage_sqlite, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SI_TYPE_SERVER_STORAGE, storage_iface_init))

/* ---------------------------------------------------------------------------------------- */
/* helpers */

gboolean
_si_sqlite_db_error (SiServerStorageSqlite  *self,
                     GError                **error,
                     const char             *what)
{
  int code = sqlite3_errcode (self->db);

  g_set_error (error, SI_SERVER_STORAGE_ERROR,
               code == SQLITE_BUSY || code == SQLITE_LOCKED ? SI_SERVER_STORAGE_ERROR_UNAVAILABLE
                                                            : SI_SERVER_STORAGE_ERROR_FAILED,
               "Could not %s in %s: %s", what, self->path, sqlite3_errmsg (self->db));
  return FALSE;
}

/* Returns a cached prepared statement for @sql, which must be a string literal. */
sqlite3_stmt *
_si_sqlite_stmt (SiServerStorageSqlite  *self,
                 const char             *sql,
                 GError                **error)
{
  sqlite3_stmt *s = g_hash_table_lookup (self->statements, sql);

  if (s != NULL)
    return s;
  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
    {
      g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_FAILED,
                   "Could not prepare a statement in %s: %s", self->path, sqlite3_errmsg (self->db));
      return NULL;
    }
  g_hash_table_insert (self->statements, (gpointer) sql, s);
  return s;
}

void
_si_sqlite_stmt_done (sqlite3_stmt *s)
{
  sqlite3_reset (s);
  sqlite3_clear_bindings (s);
}

/* Runs a statement without results. */
gboolean
_si_sqlite_exec_stmt (SiServerStorageSqlite  *self,
                      sqlite3_stmt           *s,
                      const char             *what,
                      GError                **error)
{
  int rc = sqlite3_step (s);

  _si_sqlite_stmt_done (s);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return _si_sqlite_db_error (self, error, what);
  return TRUE;
}

const char *
_si_sqlite_column_text (sqlite3_stmt *s,
                        int           col)
{
  const char *text = (const char *) sqlite3_column_text (s, col);

  return text ? text : "";
}

/* Reads the RECORD_COLUMNS of the current row. */
SiWireRecord *
_si_sqlite_record_from_row (sqlite3_stmt     *s,
                            SiWireCollection  collection)
{
  SiWireRecord *record = si_wire_record_new (collection);

  record->id = sqlite3_column_int64 (s, 0);
  record->uid = g_strdup (_si_sqlite_column_text (s, 1));
  record->version = sqlite3_column_int64 (s, 2);
  record->created_at = sqlite3_column_int64 (s, 3);
  record->updated_at = sqlite3_column_int64 (s, 4);
  record->deleted = sqlite3_column_int (s, 5) != 0;
  if (collection == SI_WIRE_COLLECTION_IDEAS)
    {
      g_free (record->title);
      record->title = g_strdup (_si_sqlite_column_text (s, 6));
      g_free (record->body);
      record->body = g_strdup (_si_sqlite_column_text (s, 7));
      record->pinned = sqlite3_column_int (s, 8) != 0;
      g_array_unref (record->tags);
      record->tags = _si_server_storage_tags_from_text ((const char *) sqlite3_column_text (s, 9));
    }
  else
    {
      g_free (record->name);
      record->name = g_strdup (_si_sqlite_column_text (s, 10));
      g_free (record->colour);
      record->colour = g_strdup (_si_sqlite_column_text (s, 11));
    }
  record->device = g_strdup ((const char *) sqlite3_column_text (s, 12));
  return record;
}

/* ---------------------------------------------------------------------------------------- */
/* interface: instance, accounts, tokens */

static const char *
sqlite_get_instance_id (SiServerStorage *storage)
{
  return SI_SERVER_STORAGE_SQLITE (storage)->instance_id;
}

static gboolean
sqlite_account_add (SiServerStorage  *storage,
                    const char       *name,
                    const char       *password_hash,
                    GError          **error)
{
  SiServerStorageSqlite *self = SI_SERVER_STORAGE_SQLITE (storage);
  sqlite3_stmt *s = _si_sqlite_stmt (self, "INSERT INTO accounts (name, pwhash, created_at) VALUES (?1, ?2, ?3)", error);
  int rc;

  if (s == NULL || !_si_server_storage_write_begin (&self->rows, error))
    return FALSE;
  sqlite3_bind_text (s, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (s, 2, password_hash, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (s, 3, _si_server_storage_now_ms ());
  rc = sqlite3_step (s);
  _si_sqlite_stmt_done (s);
  if (rc == SQLITE_CONSTRAINT)
    g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_EXISTS,
                 "There is already an account named %s", name);
  else if (rc != SQLITE_DONE)
    _si_sqlite_db_error (self, error, "add an account");
  return _si_server_storage_write_end (&self->rows, rc == SQLITE_DONE, error);
}

static char *
sqlite_account_lookup (SiServerStorage  *storage,
                       const char       *name,
                       gint64           *out_account_id,
                       GError          **error)
{
  SiServerStorageSqlite *self = SI_SERVER_STORAGE_SQLITE (storage);
  sqlite3_stmt *s = _si_sqlite_stmt (self, "SELECT id, pwhash FROM accounts WHERE name = ?1", error);
  char *hash = NULL;
  int rc;

  if (s == NULL)
    return NULL;
  sqlite3_bind_text (s, 1, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    {
      if (out_account_id)
        *out_account_id = sqlite3_column_int64 (s, 0);
      hash = g_strdup (_si_sqlite_column_text (s, 1));
    }
  else if (rc == SQLITE_DONE)
    g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_NOT_FOUND,
                 "There is no account named %s", name);
  else
    _si_sqlite_db_error (self, error, "look up an account");
  _si_sqlite_stmt_done (s);
  return hash;
}

static char **
sqlite_account_list (SiServerStorage  *storage,
                     GError          **error)
{
  SiServerStorageSqlite *self = SI_SERVER_STORAGE_SQLITE (storage);
  sqlite3_stmt *s = _si_sqlite_stmt (self, "SELECT name FROM accounts ORDER BY name", error);
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  int rc;

  if (s == NULL)
    return NULL;
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    g_strv_builder_add (names, _si_sqlite_column_text (s, 0));
  _si_sqlite_stmt_done (s);
  if (rc != SQLITE_DONE)
    {
      _si_sqlite_db_error (self, error, "list the accounts");
      return NULL;
    }
  return g_strv_builder_end (names);
}

static gboolean
change_account (SiServerStorageSqlite  *self,
                sqlite3_stmt           *s,
                const char             *name,
                const char             *what,
                GError                **error)
{
  if (!_si_sqlite_exec_stmt (self, s, what, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_NOT_FOUND,
                   "There is no account named %s", name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
sqlite_account_delete (SiServerStorage  *storage,
                       const char       *name,
                       GError          **error)
{
  SiServerStorageSqlite *self = SI_SERVER_STORAGE_SQLITE (storage);
  sqlite3_stmt *s;
  gboolean ok;

  if (!_si_server_storage_write_begin (&self->rows, error))
    return FALSE;
  /* The cascades take the tokens, the records and the tag links with it. */
  s = _si_sqlite_stmt (self, "DELETE FROM accounts WHERE name = ?1", error);
  if (s != NULL)
    sqlite3_bind_text (s, 1, name, -1, SQLITE_STATIC);
  ok = s != NULL && change_account (self, s, name, "delete an account", error);
  return _si_server_storage_write_end (&self->rows, ok, error);
}

static gboolean
sqlite_account_set_password (SiServerStorage  *storage,
                             const char       *name,
                             const char       *password_hash,
                             GError          **error)
{
  SiServerStorageSqlite *self = SI_SERVER_STORAGE_SQLITE (storage);
  sqlite3_stmt *s;
  gboolean ok;

  if (!_si_server_storage_write_begin (&self->rows, error))
    return FALSE;
  s = _si_sqlite_stmt (self, "UPDATE accounts SET pwhash = ?2 WHERE name = ?1", error);
  if (s != NULL)
    {
      sqlite3_bind_text (s, 1, name, -1, SQLITE_STATIC);
      sqlite3_bind_text (s, 2, password_hash, -1, SQLITE_STATIC);
    }
  ok = s != NULL && change_account (self, s, name, "change a password", error);
  if (ok)
    {
      s = _si_sqlite_stmt (self, "DELETE FROM tokens WHERE account_id = (SELECT id FROM accounts WHERE name = ?1)", error);
      if (s != NULL)
        sqlite3_bind_text (s, 1, name, -1, SQLITE_STATIC);
      ok = s != NULL && _si_sqlite_exec_stmt (self, s, "revoke tokens", error);
    }
  return _si_server_storage_write_end (&self->rows, ok, error);
}

static gboolean
sqlite_token_add (SiServerStorage  *storage,
                  gint64            account_id,
                  const char       *token_hash,
                  GError          **error)
{
  SiServerStorageSqlite *self = SI_SERVER_STORAGE_SQLITE (storage);
  sqlite3_stmt *s = _si_sqlite_stmt (self, "INSERT INTO tokens (hash, account_id, created_at) VALUES (?1, ?2, ?3)", error);

  if (s == NULL || !_si_server_storage_write_begin (&self->rows, error))
    return FALSE;
  sqlite3_bind_text (s, 1, token_hash, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (s, 2, account_id);
  sqlite3_bind_int64 (s, 3, _si_server_storage_now_ms ());
  return _si_server_storage_write_end (&self->rows, _si_sqlite_exec_stmt (self, s, "store a token", error), error);
}

static gint64
sqlite_token_lookup (SiServerStorage  *storage,
                     const char       *token_hash,
                     GError          **error)
{
  SiServerStorageSqlite *self = SI_SERVER_STORAGE_SQLITE (storage);
  sqlite3_stmt *s = _si_sqlite_stmt (self, "SELECT account_id FROM tokens WHERE hash = ?1", error);
  gint64 account_id = 0;
  int rc;

  if (s == NULL)
    return 0;
  sqlite3_bind_text (s, 1, token_hash, -1, SQLITE_STATIC);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    account_id = sqlite3_column_int64 (s, 0);
  else if (rc != SQLITE_DONE)
    _si_sqlite_db_error (self, error, "look up a token");
  _si_sqlite_stmt_done (s);
  return account_id;
}

static gboolean
sqlite_token_revoke (SiServerStorage  *storage,
                     const char       *token_hash,
                     GError          **error)
{
  SiServerStorageSqlite *self = SI_SERVER_STORAGE_SQLITE (storage);
  sqlite3_stmt *s = _si_sqlite_stmt (self, "DELETE FROM tokens WHERE hash = ?1", error);

  if (s == NULL || !_si_server_storage_write_begin (&self->rows, error))
    return FALSE;
  sqlite3_bind_text (s, 1, token_hash, -1, SQLITE_STATIC);
  return _si_server_storage_write_end (&self->rows, _si_sqlite_exec_stmt (self, s, "revoke a token", error), error);
}

static SiServerStorageRows *
sqlite_rows (SiServerStorage *storage)
{
  return &SI_SERVER_STORAGE_SQLITE (storage)->rows;
}

/* ---------------------------------------------------------------------------------------- */
/* opening */

static void
si_server_storage_sqlite_finalize (GObject *object)
{
  SiServerStorageSqlite *self = SI_SERVER_STORAGE_SQLITE (object);

  /* Finalizes the cached statements before the connection closes. */
  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL)
    {
      if (sqlite3_close (self->db) != SQLITE_OK)
        g_warning ("Could not close %s cleanly: %s", self->path, sqlite3_errmsg (self->db));
      self->db = NULL;
    }
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->instance_id, g_free);

  G_OBJECT_CLASS (si_server_storage_sqlite_parent_class)->finalize (object);
}

static void
si_server_storage_sqlite_class_init (SiServerStorageSqliteClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = si_server_storage_sqlite_finalize;
}

static void
finalize_statement (gpointer s)
{
  sqlite3_finalize (s);
}

static void
si_server_storage_sqlite_init (SiServerStorageSqlite *self)
{
  self->statements = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                            finalize_statement);
  _si_server_storage_rows_init (&self->rows, &_si_sqlite_row_ops, self);
}

static void
storage_iface_init (SiServerStorageInterface *iface)
{
  iface->get_instance_id = sqlite_get_instance_id;
  iface->account_add = sqlite_account_add;
  iface->account_lookup = sqlite_account_lookup;
  iface->account_list = sqlite_account_list;
  iface->account_delete = sqlite_account_delete;
  iface->account_set_password = sqlite_account_set_password;
  iface->token_add = sqlite_token_add;
  iface->token_lookup = sqlite_token_lookup;
  iface->token_revoke = sqlite_token_revoke;
  iface->rows = sqlite_rows;
  iface->records_list = _si_sqlite_records_list;
}

static gboolean
exec_script (SiServerStorageSqlite  *self,
             const char             *sql,
             const char             *what,
             GError                **error)
{
  char *message = NULL;

  if (sqlite3_exec (self->db, sql, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_FAILED,
                   "Could not %s in %s: %s", what, self->path,
                   message ? message : sqlite3_errmsg (self->db));
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

static gint64
query_int (SiServerStorageSqlite *self,
           const char            *sql)
{
  sqlite3_stmt *s = NULL;
  gint64 value = -1;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step (s) == SQLITE_ROW)
    value = sqlite3_column_int64 (s, 0);
  sqlite3_finalize (s);
  return value;
}

static gboolean
prepare_schema (SiServerStorageSqlite  *self,
                GError                **error)
{
  gint64 user_version;
  sqlite3_stmt *s = NULL;

  if (!exec_script (self, "BEGIN IMMEDIATE", "start a transaction", error))
    return FALSE;

  user_version = query_int (self, "PRAGMA user_version");
  if (user_version < 0)
    {
      _si_sqlite_db_error (self, error, "read the schema version");
      goto fail;
    }
  if (user_version > SCHEMA_VERSION)
    {
      g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_NEWER_SCHEMA,
                   "%s was made by a newer saveidea-server (schema %" G_GINT64_FORMAT
                   ", this one knows up to %d); use that version", self->path, user_version,
                   SCHEMA_VERSION);
      goto fail;
    }
  if (user_version == 0)
    {
      g_autofree char *uuid = g_uuid_string_random ();

      g_debug ("Creating %s (instance %s)", self->path, uuid);
      if (!exec_script (self, schema_sql, "create the schema", error) ||
          !exec_script (self, "PRAGMA user_version = 1", "set the schema version", error))
        goto fail;
      if (sqlite3_prepare_v2 (self->db, "INSERT INTO meta (key, value) VALUES ('instance_id', ?1)",
                              -1, &s, NULL) != SQLITE_OK)
        {
          _si_sqlite_db_error (self, error, "store the instance id");
          goto fail;
        }
      sqlite3_bind_text (s, 1, uuid, -1, SQLITE_STATIC);
      if (sqlite3_step (s) != SQLITE_DONE)
        {
          _si_sqlite_db_error (self, error, "store the instance id");
          sqlite3_finalize (s);
          goto fail;
        }
      sqlite3_finalize (s);
      s = NULL;
    }
  /* Forward migrations; a new database runs them too. */
  if (user_version < 2 &&
      (!exec_script (self, migrate_2_sql, "add the index of the change feed", error) ||
       !exec_script (self, "PRAGMA user_version = 2", "set the schema version", error)))
    goto fail;
  if (user_version < 3 &&
      (!exec_script (self, migrate_3_sql, "add the records' device column", error) ||
       !exec_script (self, "PRAGMA user_version = 3", "set the schema version", error)))
    goto fail;
  if (user_version < 4 &&
      (!exec_script (self, migrate_4_sql, "add the kept versions of ideas", error) ||
       !exec_script (self, "PRAGMA user_version = 4", "set the schema version", error)))
    goto fail;
  if (user_version < 5 &&
      (!exec_script (self, migrate_5_sql, "drop the second index of the change feed", error) ||
       !exec_script (self, "PRAGMA user_version = 5", "set the schema version", error)))
    goto fail;

  if (sqlite3_prepare_v2 (self->db, "SELECT value FROM meta WHERE key = 'instance_id'", -1, &s, NULL) == SQLITE_OK &&
      sqlite3_step (s) == SQLITE_ROW)
    self->instance_id = g_strdup (_si_sqlite_column_text (s, 0));
  sqlite3_finalize (s);
  if (self->instance_id == NULL || !g_uuid_string_is_valid (self->instance_id))
    {
      g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_FAILED,
                   "%s has no valid instance id; it is not a saveidea-server database", self->path);
      goto fail;
    }

  return exec_script (self, "COMMIT", "commit the schema", error);

fail:
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

/* A database that copy-to moved to PostgreSQL is not served again: its clients have gone on
 * with the copy, and would miss every change made there under version numbers they passed. */
static gboolean
check_not_moved (SiServerStorageSqlite  *self,
                 GError                **error)
{
  sqlite3_stmt *s = NULL;
  gboolean ok = TRUE;

  if (sqlite3_prepare_v2 (self->db, "SELECT value FROM meta WHERE key = 'moved'", -1, &s, NULL) != SQLITE_OK)
    return _si_sqlite_db_error (self, error, "read the instance's state");
  if (sqlite3_step (s) == SQLITE_ROW)
    {
      g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_FAILED,
                   "%s was copied to PostgreSQL by copy-to (%s): serve that database with "
                   "--database instead (docs/deploy.md says how to go back)", self->path,
                   _si_sqlite_column_text (s, 0));
      ok = FALSE;
    }
  sqlite3_finalize (s);
  return ok;
}

gboolean
_si_server_storage_sqlite_mark_moved (SiServerStorage  *storage,
                                      GError          **error)
{
  SiServerStorageSqlite *self = SI_SERVER_STORAGE_SQLITE (storage);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *when = g_date_time_format (now, "on %Y-%m-%d at %H:%M UTC");
  sqlite3_stmt *s = _si_sqlite_stmt (self, "INSERT OR REPLACE INTO meta (key, value) VALUES ('moved', ?1)", error);

  if (s == NULL)
    return FALSE;
  sqlite3_bind_text (s, 1, when, -1, SQLITE_STATIC);
  return _si_sqlite_exec_stmt (self, s, "mark the database as moved", error);
}

/* Opens DIR/server.db. @alone (a copy's source): the file must exist, and this connection
 * takes it for itself until it closes (locking_mode EXCLUSIVE, set before the first access so
 * that no shared-memory WAL index is used). Any other open connection — a running server, a
 * `user` command — makes that fail at once, and while it holds the file every other open fails. */
static SiServerStorage *
open_file (const char  *data_dir,
           gboolean     alone,
           GError     **error)
{
  g_autoptr(SiServerStorageSqlite) self = NULL;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  int rc;

  if (alone)
    {
      g_autofree char *path = g_build_filename (data_dir, "server.db", NULL);

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_NOT_FOUND,
                       "There is no saveidea-server database in %s (no server.db)", data_dir);
          return NULL;
        }
    }
  else if (g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not create the data folder %s: %s", data_dir, g_strerror (saved_errno));
      return NULL;
    }
  else
    flags |= SQLITE_OPEN_CREATE;

  self = g_object_new (SI_TYPE_SERVER_STORAGE_SQLITE, NULL);
  self->path = g_build_filename (data_dir, "server.db", NULL);

  rc = sqlite3_open_v2 (self->path, &self->db, flags, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_FAILED,
                   "Could not open %s: %s", self->path,
                   self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 0);

  if (alone)
    {
      /* No waiting: another connection that has the file open keeps it for as long as it
       * lives, so a busy file means a process that must be stopped first. */
      if (!exec_script (self, "PRAGMA locking_mode = EXCLUSIVE", "take the database for itself", error))
        return NULL;
      if (sqlite3_exec (self->db, "BEGIN EXCLUSIVE; COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        {
          rc = sqlite3_errcode (self->db);
          if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
            {
              _si_sqlite_db_error (self, error, "take the database for itself");
              return NULL;
            }
          g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_IN_USE,
                       "%s is in use by another process: stop saveidea-server (and any other "
                       "command using %s) first", self->path, data_dir);
          return NULL;
        }
    }
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  /* WAL + synchronous=FULL: a committed transaction is on disk when COMMIT returns. */
  if (!exec_script (self, "PRAGMA journal_mode = WAL", "turn on write-ahead logging", error) ||
      !exec_script (self, "PRAGMA synchronous = FULL", "set synchronous writes", error) ||
      !exec_script (self, "PRAGMA foreign_keys = ON", "turn on foreign keys", error) ||
      /* Deleted content is overwritten with zeros, in pages and freed pages: a purged idea's
       * text is not left in the file (docs/security.md). */
      !exec_script (self, "PRAGMA secure_delete = ON", "turn on secure deletion", error) ||
      /* 16 MiB of page cache per connection (SQLite's default is 2 MiB): a batch's random
       * inserts into the uid index find its pages there rather than read them again. */
      !exec_script (self, "PRAGMA cache_size = -16384", "set the page cache's size", error) ||
      /* The log is copied into the database once it holds 8,192 pages (32 MiB with 4 KiB
       * pages) rather than SQLite's 1,000: a batch's steps dirty the same pages of the uid
       * index again and again, and a page copied once for many commits is written once. */
      !exec_script (self, "PRAGMA wal_autocheckpoint = " G_STRINGIFY (WAL_AUTOCHECKPOINT_PAGES),
                    "set the log's checkpoint size", error))
    return NULL;
  if (!prepare_schema (self, error))
    return NULL;
  if (!alone && !check_not_moved (self, error))
    return NULL;

  return SI_SERVER_STORAGE (g_steal_pointer (&self));
}

SiServerStorage *
si_server_storage_sqlite_open (const char  *data_dir,
                               GError     **error)
{
  g_return_val_if_fail (data_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return open_file (data_dir, FALSE, error);
}

SiServerStorage *
_si_server_storage_sqlite_open_alone (const char  *data_dir,
                                      GError     **error)
{
  g_return_val_if_fail (data_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return open_file (data_dir, TRUE, error);
}

gboolean
_si_server_storage_sqlite_read (SiServerStorage         *storage,
                                const char              *sql,
                                SiServerStorageRowFunc   func,
                                gpointer                 user_data,
                                GError                 **error)
{
  SiServerStorageSqlite *self = SI_SERVER_STORAGE_SQLITE (storage);
  g_autofree const char **values = NULL;
  sqlite3_stmt *s = NULL;
  gboolean ok = TRUE;
  int n, rc = SQLITE_DONE;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &s, NULL) != SQLITE_OK)
    return _si_sqlite_db_error (self, error, "read a table");
  n = sqlite3_column_count (s);
  values = g_new0 (const char *, n + 1);
  while (ok && (rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      for (int i = 0; i < n; i++)
        values[i] = (const char *) sqlite3_column_text (s, i);
      ok = func (values, (guint) n, user_data, error);
    }
  if (ok && rc != SQLITE_DONE)
    ok = _si_sqlite_db_error (self, error, "read a table");
  sqlite3_finalize (s);
  return ok;
}
