/* si-server-storage-sqlite-history.c — the SQLite backend's row primitives of kept versions:
 * what si-server-storage-history.c's rules (history pages, the trash, purge, pruning) read and
 * write, one statement each. The connection and its statement cache are in
 * si-server-storage-sqlite.c. */
#define G_LOG_DOMAIN "saveidea-server"

#include "config.h"

#include "si-server-storage-sqlite-private.h"

#define HISTORY_BYTES(t) "length(CAST(coalesce(" t ", '') AS BLOB))"

gboolean
_si_sqlite_history_save (gpointer   backend,
                         gint64     account_id,
                         gint64     id,
                         gint64     now,
                         GError   **error)
{
  SiServerStorageSqlite *self = backend;
  sqlite3_stmt *s;

  s = _si_sqlite_stmt (self,
                       "INSERT OR IGNORE INTO idea_history (account_id, idea_id, version, written_at, updated_at,"
                       " device, title, body, pinned, tags, bytes)"
                       " SELECT account_id, id, version, coalesce(written_at, ?3), updated_at, device,"
                       "  coalesce(title, ''), coalesce(body, ''), coalesce(pinned, 0), coalesce(tags, ''),"
                       "  " G_STRINGIFY (SI_SERVER_HISTORY_ROW_OVERHEAD) " + " HISTORY_BYTES ("title") " + "
                       HISTORY_BYTES ("body") " + " HISTORY_BYTES ("tags") " + " HISTORY_BYTES ("device")
                       " FROM records WHERE id = ?2 AND account_id = ?1 AND collection = 2 AND deleted = 0",
                       error);
  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, account_id);
  sqlite3_bind_int64 (s, 2, id);
  sqlite3_bind_int64 (s, 3, now);
  return _si_sqlite_exec_stmt (self, s, "keep a version", error);
}

/* version, updated_at, device, title, body, pinned, tags from column @first on. */
static SiWireRecord *
version_from_row (sqlite3_stmt *s,
                  int           first)
{
  SiWireRecord *record = si_wire_record_new (SI_WIRE_COLLECTION_IDEAS);

  record->version = sqlite3_column_int64 (s, first);
  record->updated_at = sqlite3_column_int64 (s, first + 1);
  record->device = g_strdup ((const char *) sqlite3_column_text (s, first + 2));
  g_free (record->title);
  record->title = g_strdup (_si_sqlite_column_text (s, first + 3));
  g_free (record->body);
  record->body = g_strdup (_si_sqlite_column_text (s, first + 4));
  record->pinned = sqlite3_column_int (s, first + 5) != 0;
  g_array_unref (record->tags);
  record->tags = _si_server_storage_tags_from_text ((const char *) sqlite3_column_text (s, first + 6));
  return record;
}

GPtrArray *
_si_sqlite_history_list (gpointer   backend,
                         gint64     account_id,
                         gint64     id,
                         gint64     before,
                         guint      limit,
                         GError   **error)
{
  SiServerStorageSqlite *self = backend;
  g_autoptr(GPtrArray) versions = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_record_free);
  sqlite3_stmt *s;
  int rc;

  s = _si_sqlite_stmt (self,
                       "SELECT version, updated_at, device, title, body, pinned, tags FROM idea_history"
                       " WHERE account_id = ?1 AND idea_id = ?2 AND version < ?3 ORDER BY version DESC LIMIT ?4",
                       error);
  if (s == NULL)
    return NULL;
  sqlite3_bind_int64 (s, 1, account_id);
  sqlite3_bind_int64 (s, 2, id);
  sqlite3_bind_int64 (s, 3, before > 0 ? before : G_MAXINT64);
  sqlite3_bind_int64 (s, 4, limit);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    g_ptr_array_add (versions, version_from_row (s, 0));
  _si_sqlite_stmt_done (s);
  if (rc != SQLITE_DONE)
    {
      _si_sqlite_db_error (self, error, "list the kept versions");
      return NULL;
    }
  return g_steal_pointer (&versions);
}

gboolean
_si_sqlite_history_purge (gpointer   backend,
                          gint64     account_id,
                          gint64     id,
                          GError   **error)
{
  SiServerStorageSqlite *self = backend;
  sqlite3_stmt *s = _si_sqlite_stmt (self, "DELETE FROM idea_history WHERE account_id = ?1 AND idea_id = ?2", error);

  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, account_id);
  sqlite3_bind_int64 (s, 2, id);
  return _si_sqlite_exec_stmt (self, s, "remove the kept versions", error);
}

#define TRASH_SELECT \
  "SELECT r.id, r.uid, r.version, coalesce(r.written_at, r.updated_at), r.created_at," \
  " h.version, h.updated_at, h.device, h.title, h.body, h.pinned, h.tags" \
  " FROM records r JOIN idea_history h ON h.account_id = r.account_id AND h.idea_id = r.id" \
  "  AND h.version = (SELECT max(version) FROM idea_history m WHERE m.account_id = r.account_id AND m.idea_id = r.id)" \
  " WHERE r.account_id = ?1 AND r.collection = 2 AND r.deleted = 1" \
  "  AND coalesce(r.written_at, r.updated_at) >= ?2 AND r.version < ?3"

GPtrArray *
_si_sqlite_trash_list (gpointer   backend,
                       gint64     account_id,
                       gint64     id,
                       gint64     deleted_since,
                       gint64     before,
                       guint      limit,
                       GError   **error)
{
  SiServerStorageSqlite *self = backend;
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_trash_entry_free);
  sqlite3_stmt *s;
  int rc;

  if (id > 0)
    s = _si_sqlite_stmt (self, TRASH_SELECT " AND r.id = ?5 ORDER BY r.version DESC LIMIT ?4", error);
  else
    s = _si_sqlite_stmt (self, TRASH_SELECT " ORDER BY r.version DESC LIMIT ?4", error);
  if (s == NULL)
    return NULL;
  sqlite3_bind_int64 (s, 1, account_id);
  sqlite3_bind_int64 (s, 2, deleted_since);
  sqlite3_bind_int64 (s, 3, before > 0 ? before : G_MAXINT64);
  sqlite3_bind_int64 (s, 4, limit);
  if (id > 0)
    sqlite3_bind_int64 (s, 5, id);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      SiWireRecord *record = version_from_row (s, 5);

      record->id = sqlite3_column_int64 (s, 0);
      record->uid = g_strdup (_si_sqlite_column_text (s, 1));
      record->version = sqlite3_column_int64 (s, 2);
      record->created_at = sqlite3_column_int64 (s, 4);
      record->deleted = TRUE;
      g_ptr_array_add (entries, si_wire_trash_entry_new (record, sqlite3_column_int64 (s, 3)));
    }
  _si_sqlite_stmt_done (s);
  if (rc != SQLITE_DONE)
    {
      _si_sqlite_db_error (self, error, "list the trash");
      return NULL;
    }
  return g_steal_pointer (&entries);
}

/* Steps @s, a query of (row id, idea id, version, written at, bytes, X), into @meta; X is the
 * deletion time, or with @protect whether the row is a trashed idea's last content. */
static gboolean
read_meta (SiServerStorageSqlite  *self,
           sqlite3_stmt           *s,
           gboolean                protect,
           GArray                 *meta,
           GError                **error)
{
  int rc;

  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      SiServerHistoryMeta m = { 0 };

      m.row_id = sqlite3_column_int64 (s, 0);
      m.idea_id = sqlite3_column_int64 (s, 1);
      m.version = sqlite3_column_int64 (s, 2);
      m.written_at = sqlite3_column_int64 (s, 3);
      m.bytes = sqlite3_column_int64 (s, 4);
      if (protect)
        m.protected = sqlite3_column_int (s, 5) != 0;
      else
        m.deleted_at = sqlite3_column_int64 (s, 5);
      g_array_append_val (meta, m);
    }
  _si_sqlite_stmt_done (s);
  if (rc != SQLITE_DONE)
    return _si_sqlite_db_error (self, error, "read the kept versions");
  return TRUE;
}

GArray *
_si_sqlite_history_meta (gpointer   backend,
                         gint64     account_id,
                         gint64     after_idea,
                         guint      max_rows,
                         GError   **error)
{
  SiServerStorageSqlite *self = backend;
  g_autoptr(GArray) meta = g_array_new (FALSE, TRUE, sizeof (SiServerHistoryMeta));
  gint64 up_to = G_MAXINT64;
  sqlite3_stmt *s;
  int rc;

  /* Whole ideas: up to the idea of the row max_rows rows on. */
  s = _si_sqlite_stmt (self,
                       "SELECT idea_id FROM idea_history WHERE account_id = ?1 AND idea_id > ?2"
                       " ORDER BY idea_id LIMIT 1 OFFSET ?3",
                       error);
  if (s == NULL)
    return NULL;
  sqlite3_bind_int64 (s, 1, account_id);
  sqlite3_bind_int64 (s, 2, after_idea);
  sqlite3_bind_int64 (s, 3, MAX (max_rows, 1));
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    up_to = sqlite3_column_int64 (s, 0);
  _si_sqlite_stmt_done (s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _si_sqlite_db_error (self, error, "read the kept versions");
      return NULL;
    }

  s = _si_sqlite_stmt (self,
                       "SELECT h.id, h.idea_id, h.version, h.written_at, h.bytes,"
                       " CASE WHEN r.deleted THEN coalesce(r.written_at, r.updated_at) ELSE 0 END"
                       " FROM idea_history h JOIN records r ON r.id = h.idea_id"
                       " WHERE h.account_id = ?1 AND h.idea_id > ?2 AND h.idea_id <= ?3"
                       " ORDER BY h.idea_id, h.version DESC",
                       error);
  if (s == NULL)
    return NULL;
  sqlite3_bind_int64 (s, 1, account_id);
  sqlite3_bind_int64 (s, 2, after_idea);
  sqlite3_bind_int64 (s, 3, up_to);
  if (!read_meta (self, s, FALSE, meta, error))
    return NULL;
  return g_steal_pointer (&meta);
}

GArray *
_si_sqlite_history_oldest (gpointer   backend,
                           gint64     account_id,
                           gint64     after_written,
                           gint64     after_row,
                           gint64     trash_since,
                           guint      limit,
                           GError   **error)
{
  SiServerStorageSqlite *self = backend;
  g_autoptr(GArray) meta = g_array_new (FALSE, TRUE, sizeof (SiServerHistoryMeta));
  sqlite3_stmt *s;

  s = _si_sqlite_stmt (self,
                       "SELECT h.id, h.idea_id, h.version, h.written_at, h.bytes,"
                       " r.deleted = 1 AND coalesce(r.written_at, r.updated_at) >= ?4 AND h.version ="
                       "  (SELECT max(version) FROM idea_history m WHERE m.account_id = h.account_id AND m.idea_id = h.idea_id)"
                       " FROM idea_history h JOIN records r ON r.id = h.idea_id"
                       " WHERE h.account_id = ?1 AND (h.written_at, h.id) > (?2, ?3)"
                       " ORDER BY h.written_at, h.id LIMIT ?5",
                       error);
  if (s == NULL)
    return NULL;
  sqlite3_bind_int64 (s, 1, account_id);
  sqlite3_bind_int64 (s, 2, after_written);
  sqlite3_bind_int64 (s, 3, after_row);
  sqlite3_bind_int64 (s, 4, trash_since);
  sqlite3_bind_int64 (s, 5, limit);
  if (!read_meta (self, s, TRUE, meta, error))
    return NULL;
  return g_steal_pointer (&meta);
}

gboolean
_si_sqlite_history_bytes (gpointer   backend,
                          gint64     account_id,
                          guint64   *out_bytes,
                          GError   **error)
{
  SiServerStorageSqlite *self = backend;
  sqlite3_stmt *s = _si_sqlite_stmt (self, "SELECT coalesce(sum(bytes), 0) FROM idea_history WHERE account_id = ?1", error);
  int rc;

  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, account_id);
  rc = sqlite3_step (s);
  *out_bytes = rc == SQLITE_ROW ? (guint64) MAX (sqlite3_column_int64 (s, 0), 0) : 0;
  _si_sqlite_stmt_done (s);
  if (rc != SQLITE_ROW)
    return _si_sqlite_db_error (self, error, "count the kept versions");
  return TRUE;
}

gboolean
_si_sqlite_history_delete (gpointer   backend,
                           GArray    *row_ids,
                           GError   **error)
{
  SiServerStorageSqlite *self = backend;
  sqlite3_stmt *s = _si_sqlite_stmt (self, "DELETE FROM idea_history WHERE id = ?1", error);

  if (s == NULL)
    return FALSE;
  for (guint i = 0; i < row_ids->len; i++)
    {
      sqlite3_bind_int64 (s, 1, g_array_index (row_ids, gint64, i));
      if (!_si_sqlite_exec_stmt (self, s, "drop a kept version", error))
        return FALSE;
    }
  return TRUE;
}

/* secure_delete zeroed the content in the database's pages, but earlier copies of those pages
 * stay in the write-ahead log until it is checkpointed and cut to nothing. */
gboolean
_si_sqlite_scrub (gpointer   backend,
                  GError   **error)
{
  SiServerStorageSqlite *self = backend;
  int log_frames = 0, checkpointed = 0;
  int rc = sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log_frames, &checkpointed);

  if (rc != SQLITE_OK)
    return _si_sqlite_db_error (self, error, "cut the write-ahead log");
  return TRUE;
}
