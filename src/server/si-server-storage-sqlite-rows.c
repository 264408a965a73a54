/* si-server-storage-sqlite-rows.c — the SQLite backend's records: its transactions (the
 * writers of one process take turns, BEGIN IMMEDIATE), the row primitives that the record
 * algorithm (si-server-storage-records.c) reads and writes with, and the change feed. The
 * connection and its statement cache are in si-server-storage-sqlite.c. */
#define G_LOG_DOMAIN "saveidea-server"

#include "config.h"

#include "si-server-storage-sqlite-private.h"

/* ---------------------------------------------------------------------------------------- */
/* transactions */

static gboolean
exec_sql (gpointer     backend,
          const char  *sql,
          const char  *what,
          GError     **error)
{
  SiServerStorageSqlite *self = backend;
  sqlite3_stmt *s = _si_sqlite_stmt (self, sql, error);

  return s != NULL && _si_sqlite_exec_stmt (self, s, what, error);
}

/* The writers of this process (one connection per worker thread) take turns in the order they
 * asked: a writer that commits a step of a long write and begins the next one goes to the back
 * of the queue, behind the writes of other accounts that arrived meanwhile. */
typedef struct {
  gboolean granted;
} TurnWaiter;

static GMutex turn_mutex;
static GCond turn_cond;
static gboolean turn_held;
static GQueue turn_queue = G_QUEUE_INIT;

static gboolean
turn_take (void)
{
  gint64 deadline = g_get_monotonic_time () + BUSY_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
  TurnWaiter waiter = { FALSE };
  gboolean granted = TRUE;

  g_mutex_lock (&turn_mutex);
  if (!turn_held && g_queue_is_empty (&turn_queue))
    turn_held = TRUE;
  else
    {
      g_queue_push_tail (&turn_queue, &waiter);
      while (!waiter.granted)
        if (!g_cond_wait_until (&turn_cond, &turn_mutex, deadline) && !waiter.granted)
          {
            g_queue_remove (&turn_queue, &waiter);
            granted = FALSE;
            break;
          }
    }
  g_mutex_unlock (&turn_mutex);
  return granted;
}

/* Hands the turn to the first waiter, if any. */
static void
turn_give (void)
{
  TurnWaiter *next;

  g_mutex_lock (&turn_mutex);
  next = g_queue_pop_head (&turn_queue);
  if (next != NULL)
    next->granted = TRUE;
  else
    turn_held = FALSE;
  g_cond_broadcast (&turn_cond);
  g_mutex_unlock (&turn_mutex);
}

static gboolean
tx_begin (gpointer   backend,
          GError   **error)
{
  SiServerStorageSqlite *self = backend;

  g_assert (!self->has_turn);
  if (!turn_take ())
    {
      g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_UNAVAILABLE,
                   "Could not start a transaction in %s: other writes kept it busy for %d s",
                   self->path, BUSY_TIMEOUT_MS / 1000);
      return FALSE;
    }
  self->has_turn = TRUE;
  if (exec_sql (self, "BEGIN IMMEDIATE", "start a transaction", error))
    return TRUE;
  self->has_turn = FALSE;
  turn_give ();
  return FALSE;
}

/* COMMIT (@commit) or ROLLBACK, and the next writer's turn; FALSE when undone. */
static gboolean
tx_end (gpointer   backend,
        gboolean   commit,
        GError   **error)
{
  SiServerStorageSqlite *self = backend;
  gboolean ok = commit && exec_sql (self, "COMMIT", "commit", error);

  if (!ok)
    exec_sql (self, "ROLLBACK", "roll back", NULL);
  if (self->has_turn)
    {
      self->has_turn = FALSE;
      turn_give ();
    }
  return ok;
}

/* ---------------------------------------------------------------------------------------- */
/* rows: what the record algorithm reads */

static gint64
next_version (gpointer   backend,
              gint64     account_id,
              GError   **error)
{
  SiServerStorageSqlite *self = backend;
  sqlite3_stmt *s = _si_sqlite_stmt (self, "UPDATE accounts SET seq = seq + 1 WHERE id = ?1 RETURNING seq", error);
  gint64 version = 0;

  if (s == NULL)
    return 0;
  sqlite3_bind_int64 (s, 1, account_id);
  if (sqlite3_step (s) == SQLITE_ROW)
    version = sqlite3_column_int64 (s, 0);
  else
    _si_sqlite_db_error (self, error, "advance the change sequence");
  _si_sqlite_stmt_done (s);
  if (version == 0 && error && !*error)
    g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_NOT_FOUND,
                 "The account does not exist");
  return version;
}

static gboolean
store_version (gpointer   backend,
               gint64     account_id,
               gint64     seq,
               GError   **error)
{
  SiServerStorageSqlite *self = backend;
  sqlite3_stmt *s = _si_sqlite_stmt (self, "UPDATE accounts SET seq = ?2 WHERE id = ?1", error);

  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, account_id);
  sqlite3_bind_int64 (s, 2, seq);
  return _si_sqlite_exec_stmt (self, s, "store the change sequence", error);
}

/* @lock: nothing to do, BEGIN IMMEDIATE holds the database. */
static SiWireRecord *
load_record (gpointer           backend,
             gint64             account_id,
             SiWireCollection   collection,
             gint64             id,
             gboolean           lock,
             GError           **error)
{
  SiServerStorageSqlite *self = backend;
  sqlite3_stmt *s = _si_sqlite_stmt (self,
                                     "SELECT " RECORD_COLUMNS " FROM records"
                                     " WHERE id = ?1 AND account_id = ?2 AND collection = ?3",
                                     error);
  SiWireRecord *record = NULL;
  int rc;

  if (s == NULL)
    return NULL;
  sqlite3_bind_int64 (s, 1, id);
  sqlite3_bind_int64 (s, 2, account_id);
  sqlite3_bind_int (s, 3, collection);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    record = _si_sqlite_record_from_row (s, collection);
  else if (rc == SQLITE_DONE)
    g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_NOT_FOUND,
                 "There is no %s with id %" G_GINT64_FORMAT,
                 collection == SI_WIRE_COLLECTION_IDEAS ? "idea" : "tag", id);
  else
    _si_sqlite_db_error (self, error, "read a record");
  _si_sqlite_stmt_done (s);
  return record;
}

/* A record by uid, or NULL (no error) when there is none. */
static SiWireRecord *
load_record_by_uid (gpointer           backend,
                    gint64             account_id,
                    SiWireCollection   collection,
                    const char        *uid,
                    GError           **error)
{
  SiServerStorageSqlite *self = backend;
  sqlite3_stmt *s = _si_sqlite_stmt (self,
                                     "SELECT " RECORD_COLUMNS " FROM records"
                                     " WHERE account_id = ?1 AND collection = ?2 AND uid = ?3",
                                     error);
  SiWireRecord *record = NULL;
  int rc;

  if (s == NULL)
    return NULL;
  sqlite3_bind_int64 (s, 1, account_id);
  sqlite3_bind_int (s, 2, collection);
  sqlite3_bind_text (s, 3, uid, -1, SQLITE_STATIC);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    record = _si_sqlite_record_from_row (s, collection);
  else if (rc != SQLITE_DONE)
    _si_sqlite_db_error (self, error, "read a record");
  _si_sqlite_stmt_done (s);
  return record;
}

/* The live tag of the account with that name key (other than @except_id), or NULL. */
static SiWireRecord *
load_tag_by_name (gpointer                backend,
                  gint64                  account_id,
                  const char             *name_key,
                  gint64                  except_id,
                  GError                **error)
{
  SiServerStorageSqlite *self = backend;
  sqlite3_stmt *s = _si_sqlite_stmt (self,
                                     "SELECT " RECORD_COLUMNS " FROM records"
                                     " WHERE account_id = ?1 AND collection = 1 AND deleted = 0"
                                     " AND name_key = ?2 AND id != ?3",
                                     error);
  SiWireRecord *record = NULL;
  int rc;

  if (s == NULL)
    return NULL;
  sqlite3_bind_int64 (s, 1, account_id);
  sqlite3_bind_text (s, 2, name_key, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (s, 3, except_id);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    record = _si_sqlite_record_from_row (s, SI_WIRE_COLLECTION_TAGS);
  else if (rc != SQLITE_DONE)
    _si_sqlite_db_error (self, error, "look up a tag name");
  _si_sqlite_stmt_done (s);
  return record;
}

static gboolean
tag_state (gpointer     backend,
           gint64       account_id,
           gint64       id,
           gboolean    *out_found,
           gboolean    *out_deleted,
           GError     **error)
{
  SiServerStorageSqlite *self = backend;
  sqlite3_stmt *s = _si_sqlite_stmt (self, "SELECT deleted FROM records WHERE id = ?1 AND account_id = ?2 AND collection = 1", error);
  int rc;

  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, id);
  sqlite3_bind_int64 (s, 2, account_id);
  rc = sqlite3_step (s);
  *out_found = rc == SQLITE_ROW;
  *out_deleted = rc == SQLITE_ROW && sqlite3_column_int (s, 0) != 0;
  _si_sqlite_stmt_done (s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _si_sqlite_db_error (self, error, "look up a tag");
  return TRUE;
}

static gboolean
set_idea_tags (gpointer   backend,
               gint64     idea_id,
               GArray    *tags,
               gboolean   fresh,
               GError   **error)
{
  SiServerStorageSqlite *self = backend;
  sqlite3_stmt *s;

  if (!fresh)
    {
      s = _si_sqlite_stmt (self, "DELETE FROM idea_tags WHERE idea_id = ?1", error);
      if (s == NULL)
        return FALSE;
      sqlite3_bind_int64 (s, 1, idea_id);
      if (!_si_sqlite_exec_stmt (self, s, "update an idea's tags", error))
        return FALSE;
    }

  if (tags == NULL || tags->len == 0)
    return TRUE;
  s = _si_sqlite_stmt (self, "INSERT OR IGNORE INTO idea_tags (tag_id, idea_id) VALUES (?1, ?2)", error);
  if (s == NULL)
    return FALSE;
  for (guint i = 0; i < tags->len; i++)
    {
      sqlite3_bind_int64 (s, 1, g_array_index (tags, gint64, i));
      sqlite3_bind_int64 (s, 2, idea_id);
      if (!_si_sqlite_exec_stmt (self, s, "update an idea's tags", error))
        return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* rows: what the record algorithm (si-server-storage-records.c) writes with */

/* Binds an idea's fields (?7 to ?10) or a tag's (?11 to ?13): the other collection's stay NULL;
 * and the device that wrote it (?14). */
static void
bind_fields (sqlite3_stmt       *s,
             const SiWireRecord *record,
             const char         *tags_text,
             const char         *name_key)
{
  sqlite3_bind_text (s, 14, record->device, -1, SQLITE_STATIC);
  if (record->collection == SI_WIRE_COLLECTION_IDEAS)
    {
      sqlite3_bind_text (s, 7, record->title, -1, SQLITE_STATIC);
      sqlite3_bind_text (s, 8, record->body, -1, SQLITE_STATIC);
      sqlite3_bind_int (s, 9, record->pinned ? 1 : 0);
      sqlite3_bind_text (s, 10, tags_text, -1, SQLITE_STATIC);
    }
  else
    {
      sqlite3_bind_text (s, 11, record->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (s, 12, name_key, -1, SQLITE_STATIC);
      sqlite3_bind_text (s, 13, record->colour, -1, SQLITE_STATIC);
    }
}

/* Record @id as insert_record() or update_record() just stored it from @record, without
 * reading it back: what _si_sqlite_record_from_row() would make of the row. */
static SiWireRecord *
stored_record (gint64               id,
               const char          *uid,
               gint64               version,
               const SiWireRecord  *record,
               const char          *tags_text)
{
  SiWireRecord *stored = si_wire_record_new (record->collection);

  stored->id = id;
  stored->uid = g_strdup (uid);
  stored->version = version;
  stored->created_at = record->created_at;
  stored->updated_at = record->updated_at;
  stored->deleted = FALSE;
  if (record->collection == SI_WIRE_COLLECTION_IDEAS)
    {
      g_free (stored->title);
      stored->title = g_strdup (record->title ? record->title : "");
      g_free (stored->body);
      stored->body = g_strdup (record->body ? record->body : "");
      stored->pinned = record->pinned ? TRUE : FALSE;
      g_array_unref (stored->tags);
      stored->tags = _si_server_storage_tags_from_text (tags_text);
    }
  else
    {
      g_free (stored->name);
      stored->name = g_strdup (record->name ? record->name : "");
      g_free (stored->colour);
      stored->colour = g_strdup (record->colour ? record->colour : "");
    }
  stored->device = g_strdup (record->device);
  return stored;
}

static SiWireRecord *
insert_record (gpointer             backend,
               gint64               account_id,
               const SiWireRecord  *record,
               gint64               version,
               const char          *tags_text,
               const char          *name_key,
               gint64               written_at,
               GError             **error)
{
  SiServerStorageSqlite *self = backend;
  sqlite3_stmt *s;
  int rc;

  s = _si_sqlite_stmt (self,
                       "INSERT INTO records (account_id, collection, uid, version, created_at, updated_at,"
                       " deleted, title, body, pinned, tags, name, name_key, colour, device, written_at)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
                       " ON CONFLICT (account_id, collection, uid) DO NOTHING",
                       error);
  if (s == NULL)
    return NULL;
  sqlite3_bind_int64 (s, 1, account_id);
  sqlite3_bind_int (s, 2, record->collection);
  sqlite3_bind_text (s, 3, record->uid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (s, 4, version);
  sqlite3_bind_int64 (s, 5, record->created_at);
  sqlite3_bind_int64 (s, 6, record->updated_at);
  bind_fields (s, record, tags_text, name_key);
  sqlite3_bind_int64 (s, 15, written_at);
  rc = sqlite3_step (s);
  _si_sqlite_stmt_done (s);
  if (rc != SQLITE_DONE)
    {
      _si_sqlite_db_error (self, error, "store a record");
      return NULL;
    }
  if (sqlite3_changes (self->db) == 0)
    return NULL;
  return stored_record (sqlite3_last_insert_rowid (self->db), record->uid, version, record, tags_text);
}

static SiWireRecord *
update_record (gpointer             backend,
               gint64               account_id,
               gint64               id,
               gint64               if_match,
               const SiWireRecord  *record,
               gint64               version,
               const char          *tags_text,
               const char          *name_key,
               gint64               written_at,
               GError             **error)
{
  SiServerStorageSqlite *self = backend;
  sqlite3_stmt *s;

  s = _si_sqlite_stmt (self,
                       "UPDATE records SET version = ?2, created_at = ?3, updated_at = ?4, title = ?7,"
                       " body = ?8, pinned = ?9, tags = ?10, name = ?11, name_key = ?12, colour = ?13,"
                       " device = ?14, written_at = ?15, deleted = 0 WHERE id = ?1",
                       error);
  if (s == NULL)
    return NULL;
  sqlite3_bind_int64 (s, 1, id);
  sqlite3_bind_int64 (s, 2, version);
  sqlite3_bind_int64 (s, 3, record->created_at);
  sqlite3_bind_int64 (s, 4, record->updated_at);
  bind_fields (s, record, tags_text, name_key);
  sqlite3_bind_int64 (s, 15, written_at);
  if (!_si_sqlite_exec_stmt (self, s, "update a record", error))
    return NULL;
  /* The uid is not written: the request's, when it has one, is the stored one
   * (_si_server_storage_check_update()). */
  if (record->uid != NULL)
    return stored_record (id, record->uid, version, record, tags_text);
  return load_record (self, account_id, record->collection, id, FALSE, error);
}

static gboolean
tombstone_record (gpointer   backend,
                  gint64     id,
                  gint64     if_match,
                  gint64     version,
                  gint64     updated_at,
                  gint64     written_at,
                  GError   **error)
{
  SiServerStorageSqlite *self = backend;
  sqlite3_stmt *s;

  s = _si_sqlite_stmt (self,
                       "UPDATE records SET version = ?2, updated_at = ?3, deleted = 1, title = NULL,"
                       " body = NULL, pinned = NULL, tags = NULL, name = NULL, name_key = NULL,"
                       " colour = NULL, device = NULL, written_at = ?4 WHERE id = ?1",
                       error);
  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, id);
  sqlite3_bind_int64 (s, 2, version);
  sqlite3_bind_int64 (s, 3, updated_at);
  sqlite3_bind_int64 (s, 4, written_at);
  return _si_sqlite_exec_stmt (self, s, "delete a record", error);
}

static gboolean
count_tagged (gpointer   backend,
              gint64     tag_id,
              guint      up_to,
              guint     *out_count,
              GError   **error)
{
  SiServerStorageSqlite *self = backend;
  sqlite3_stmt *s = _si_sqlite_stmt (self, "SELECT count(*) FROM (SELECT 1 FROM idea_tags WHERE tag_id = ?1 LIMIT ?2)", error);
  int rc;

  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, tag_id);
  sqlite3_bind_int64 (s, 2, up_to);
  rc = sqlite3_step (s);
  *out_count = rc == SQLITE_ROW ? (guint) sqlite3_column_int64 (s, 0) : 0;
  _si_sqlite_stmt_done (s);
  if (rc != SQLITE_ROW)
    return _si_sqlite_db_error (self, error, "find the ideas of a tag");
  return TRUE;
}

/* Set-based: a few statements for all @count ideas. */
static gboolean
untag_ideas (gpointer   backend,
             gint64     account_id,
             gint64     tag_id,
             guint      count,
             GError   **error)
{
  SiServerStorageSqlite *self = backend;
  sqlite3_stmt *s;
  gint64 last = 0;
  int rc;

  s = _si_sqlite_stmt (self, "UPDATE accounts SET seq = seq + ?2 WHERE id = ?1 RETURNING seq", error);
  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, account_id);
  sqlite3_bind_int64 (s, 2, count);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    last = sqlite3_column_int64 (s, 0);
  _si_sqlite_stmt_done (s);
  if (rc != SQLITE_ROW)
    return _si_sqlite_db_error (self, error, "advance the change sequence");

  /* Versions last - count + 1 ... last, in id order. The stored tag list has no duplicates (the
   * codec makes it a set), so one replace() takes the id out. */
  s = _si_sqlite_stmt (self,
                       "UPDATE records SET version = ?3 + c.rn,"
                       " tags = trim(replace(',' || tags || ',', ',' || ?2 || ',', ','), ',')"
                       " FROM (SELECT idea_id, row_number() OVER (ORDER BY idea_id) AS rn FROM idea_tags"
                       "       WHERE tag_id = ?2 ORDER BY idea_id LIMIT ?4) AS c"
                       " WHERE records.id = c.idea_id AND records.account_id = ?1",
                       error);
  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, account_id);
  sqlite3_bind_int64 (s, 2, tag_id);
  sqlite3_bind_int64 (s, 3, last - count);
  sqlite3_bind_int64 (s, 4, count);
  if (!_si_sqlite_exec_stmt (self, s, "update the ideas of a tag", error))
    return FALSE;

  s = _si_sqlite_stmt (self,
                       "DELETE FROM idea_tags WHERE tag_id = ?1 AND idea_id IN"
                       " (SELECT idea_id FROM idea_tags WHERE tag_id = ?1 ORDER BY idea_id LIMIT ?2)",
                       error);
  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, tag_id);
  sqlite3_bind_int64 (s, 2, count);
  return _si_sqlite_exec_stmt (self, s, "update the ideas of a tag", error);
}


const SiServerStorageRowOps _si_sqlite_row_ops = {
  .tx_begin = tx_begin,
  .tx_end = tx_end,
  .exec = exec_sql,
  .next_version = next_version,
  .store_version = store_version,
  .lock_account = NULL,
  .load = load_record,
  .load_by_uid = load_record_by_uid,
  .insert = insert_record,
  .update = update_record,
  .tombstone = tombstone_record,
  .set_idea_tags = set_idea_tags,
  .count_tagged = count_tagged,
  .untag_ideas = untag_ideas,
  .history_save = _si_sqlite_history_save,
  .history_list = _si_sqlite_history_list,
  .history_purge = _si_sqlite_history_purge,
  .trash_list = _si_sqlite_trash_list,
  .history_meta = _si_sqlite_history_meta,
  .history_oldest = _si_sqlite_history_oldest,
  .history_bytes = _si_sqlite_history_bytes,
  .history_delete = _si_sqlite_history_delete,
  .scrub = _si_sqlite_scrub,
  .lookups = { tag_state, load_tag_by_name },
};

/* A statement over an account's change feed (both collections, or one) between two versions,
 * bound: its records in version order (?5 is the limit), or how many there are. Both
 * collections are each collection's range of records_feed, merged in version order (SQLite's
 * MERGE of a UNION ALL: no sort, and it stops at the limit). */
#define FEED_ONE " WHERE account_id = ?1 AND collection = ?2 AND version > ?3 AND version <= ?4"
#define FEED_OF(c) " WHERE account_id = ?1 AND collection = " G_STRINGIFY (c) " AND version > ?3 AND version <= ?4"
#define FEED_TAGS FEED_OF (1)  /* SI_WIRE_COLLECTION_TAGS */
#define FEED_IDEAS FEED_OF (2) /* SI_WIRE_COLLECTION_IDEAS */

static sqlite3_stmt *
feed_stmt (SiServerStorageSqlite  *self,
           gboolean                count,
           gint64                  account_id,
           SiWireCollection        collection,
           gint64                  after,
           gint64                  up_to,
           GError                **error)
{
  static const char * const sql[2][2] = {
    { "SELECT " RECORD_COLUMNS ", collection FROM records" FEED_TAGS
      " UNION ALL SELECT " RECORD_COLUMNS ", collection FROM records" FEED_IDEAS " ORDER BY version LIMIT ?5",
      "SELECT (SELECT count(*) FROM records" FEED_TAGS ") + (SELECT count(*) FROM records" FEED_IDEAS ")" },
    { "SELECT " RECORD_COLUMNS ", collection FROM records" FEED_ONE " ORDER BY version LIMIT ?5",
      "SELECT count(*) FROM records" FEED_ONE },
  };
  gboolean one = collection != SI_SERVER_STORAGE_ALL_COLLECTIONS;
  sqlite3_stmt *s = _si_sqlite_stmt (self, sql[one][count], error);

  G_STATIC_ASSERT (SI_WIRE_COLLECTION_TAGS == 1 && SI_WIRE_COLLECTION_IDEAS == 2);

  if (s == NULL)
    return NULL;
  sqlite3_bind_int64 (s, 1, account_id);
  if (one)
    sqlite3_bind_int (s, 2, collection);
  sqlite3_bind_int64 (s, 3, after);
  sqlite3_bind_int64 (s, 4, up_to);
  return s;
}

SiWirePage *
_si_sqlite_records_list (SiServerStorage   *storage,
                         gint64             account_id,
                         SiWireCollection   collection,
                         gint64             since,
                         guint              limit,
                         GError           **error)
{
  SiServerStorageSqlite *self = SI_SERVER_STORAGE_SQLITE (storage);
  g_autoptr(SiWirePage) page = si_wire_page_new ();
  sqlite3_stmt *s;
  int rc;

  g_return_val_if_fail (limit > 0, NULL);

  /* The account's sequence first: anything stored later has a higher version and is not in
   * this page, so the cursor never skips a change. */
  s = _si_sqlite_stmt (self, "SELECT seq FROM accounts WHERE id = ?1", error);
  if (s == NULL)
    return NULL;
  sqlite3_bind_int64 (s, 1, account_id);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    page->cursor = sqlite3_column_int64 (s, 0);
  _si_sqlite_stmt_done (s);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error_literal (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_NOT_FOUND,
                             "The account does not exist");
      else
        _si_sqlite_db_error (self, error, "read the change sequence");
      return NULL;
    }

  s = feed_stmt (self, FALSE, account_id, collection, since, page->cursor, error);
  if (s == NULL)
    return NULL;
  sqlite3_bind_int64 (s, 5, (gint64) limit + 1);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    g_ptr_array_add (page->records, _si_sqlite_record_from_row (s, (SiWireCollection) sqlite3_column_int (s, 13)));
  _si_sqlite_stmt_done (s);
  if (rc != SQLITE_DONE)
    {
      _si_sqlite_db_error (self, error, "list records");
      return NULL;
    }

  if (page->records->len > limit)
    {
      gint64 latest = page->cursor;

      g_ptr_array_set_size (page->records, limit);
      page->more = TRUE;
      page->cursor = ((SiWireRecord *) g_ptr_array_index (page->records, limit - 1))->version;

      /* How many follow, for the client's "1,200 of 5,000": counted on the same index. */
      s = feed_stmt (self, TRUE, account_id, collection, page->cursor, latest, error);
      if (s == NULL)
        return NULL;
      rc = sqlite3_step (s);
      if (rc == SQLITE_ROW)
        page->remaining = sqlite3_column_int64 (s, 0);
      _si_sqlite_stmt_done (s);
      if (rc != SQLITE_ROW)
        {
          _si_sqlite_db_error (self, error, "count records");
          return NULL;
        }
    }
  return g_steal_pointer (&page);
}
