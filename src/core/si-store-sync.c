/* si-store-sync.c — what the sync engine writes into the offline store.
 *
 * Applying the server's records (with merges and conflicted copies), the per-record sync
 * bookkeeping (server id, version, merge base, rejection), per-collection cursors and the
 * remembered instance id. Relation ids that arrive before their record (an idea naming a tag
 * this store has not seen yet) are remembered in sync_meta ("pending:<collection>:<sid>") and
 * resolved when that record arrives.
 *
 * Its statements touch only the bookkeeping every synced collection's table has (uid, sid,
 * version, base, generation, state, sync_error, conflict_of) and sync_meta, for any collection
 * by its table name; a record's content is read and written through the collection's codec,
 * which calls the tables' owners (si-store-ideas.c, si-store-tags.c).
 */
#define G_LOG_DOMAIN "saveidea-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "si-merge.h"
#include "si-history-private.h"
#include "si-store-private.h"
#include "si-wire-write.h"

#define META_INSTANCE_ID "instance_id"
#define META_CURSOR_PREFIX "cursor:"
#define META_PENDING_PREFIX "pending:"
#define META_PUSHED_PREFIX "pushed:"
/* How many unacknowledged pushes of one record are remembered (the newest ones). */
#define PUSHED_KEEP 4

void
_si_sync_row_clear (SiSyncRow *row)
{
  g_clear_pointer (&row->uid, g_free);
  g_clear_pointer (&row->base, g_free);
  g_clear_pointer (&row->sync_error, g_free);
  memset (row, 0, sizeof *row);
}

static char *
dup_column (sqlite3_stmt *stmt,
            int           column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);
  return text ? g_strdup ((const char *) text) : NULL;
}

static gboolean
read_row (SiStore     *self,
          const char  *table,
          const char  *where,
          gint64       id,
          const char  *uid,
          SiSyncRow   *row,
          GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT id, uid, sid, version, generation, state, base, sync_error"
                                          " FROM %s WHERE %s", table, where);
  sqlite3_stmt *stmt = _si_store_prepare (self, sql, error);
  int rc;

  _si_sync_row_clear (row);
  if (stmt == NULL)
    return FALSE;
  if (uid)
    sqlite3_bind_text (stmt, 1, uid, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      row->id = sqlite3_column_int64 (stmt, 0);
      row->uid = dup_column (stmt, 1);
      row->sid = sqlite3_column_int64 (stmt, 2);
      row->version = sqlite3_column_int64 (stmt, 3);
      row->generation = sqlite3_column_int64 (stmt, 4);
      row->state = sqlite3_column_int (stmt, 5);
      row->base = dup_column (stmt, 6);
      row->sync_error = dup_column (stmt, 7);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _si_store_set_error (self, rc, NC_("what failed", "reading the sync state"), error);
  return TRUE;
}

gboolean
_si_store_sync_get_row (SiStore    *self,
                        const char *table,
                        gint64      id,
                        SiSyncRow  *row,
                        GError    **error)
{
  return read_row (self, table, "id = ?1", id, NULL, row, error);
}

gboolean
_si_store_sync_find (SiStore    *self,
                     const char *table,
                     gint64      sid,
                     const char *uid,
                     SiSyncRow  *row,
                     GError    **error)
{
  _si_sync_row_clear (row);
  if (sid > 0 && !read_row (self, table, "sid = ?1", sid, NULL, row, error))
    return FALSE;
  if (row->id == 0 && uid != NULL && !read_row (self, table, "uid = ?1", 0, uid, row, error))
    return FALSE;
  return TRUE;
}

gint64
_si_store_sync_local_id (SiStore    *self,
                         const char *table,
                         gint64      sid)
{
  g_autofree char *sql = g_strdup_printf ("SELECT id FROM %s WHERE sid = ?1 AND state != " SI_SQL_DELETED, table);
  return sid > 0 ? _si_store_query_id (self, sql, sid) : 0;
}

gint64
_si_store_sync_server_id (SiStore    *self,
                          const char *table,
                          gint64      id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT coalesce (sid, 0) FROM %s WHERE id = ?1 AND state != " SI_SQL_DELETED, table);
  return _si_store_query_id (self, sql, id);
}

static char *record_to_json_text (const SiWireRecord *record);

/* Pushes of a record whose answer never came ------------------------------------------------ */

/* Forgets the unacknowledged pushes of record @id: its server state is known again. */
static gboolean
forget_pushed (SiStore     *self,
               const char  *table,
               gint64       id,
               GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("DELETE FROM sync_meta WHERE key ="
                                          " (SELECT '" META_PUSHED_PREFIX "%s:' || uid FROM %s WHERE id = ?1)",
                                          table, table);
  return _si_store_exec_bind (self, sql, error, "i", id);
}

/* The record is the server's @sid at @version, based on @base; clean or still dirty. */
static gboolean
set_synced (SiStore     *self,
            const char  *table,
            gint64       id,
            gint64       sid,
            gint64       version,
            const char  *base,
            gboolean     clean,
            GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE %s SET sid = ?2, version = ?3, base = ?4,"
                                          " state = CASE WHEN ?5 THEN " SI_SQL_SYNCED " ELSE " SI_SQL_MODIFIED " END,"
                                          " sync_error = CASE WHEN ?5 THEN NULL ELSE sync_error END"
                                          " WHERE id = ?1", table);
  return forget_pushed (self, table, id, error) &&
         _si_store_exec_bind (self, sql, error, "iiisi", id, sid, version, base, (gint64) (clean ? 1 : 0));
}

gboolean
_si_store_sync_mark_pushed (SiStore     *self,
                            const char  *table,
                            gint64       id,
                            gint64       generation,
                            gint64       sid,
                            gint64       version,
                            const char  *base_json,
                            gboolean    *cleaned,
                            GError     **error)
{
  return _si_store_sync_mark_pushed_found (self, table, id, generation, sid, version, base_json,
                                           cleaned, NULL, error);
}

gboolean
_si_store_sync_mark_pushed_found (SiStore     *self,
                                  const char  *table,
                                  gint64       id,
                                  gint64       generation,
                                  gint64       sid,
                                  gint64       version,
                                  const char  *base_json,
                                  gboolean    *cleaned,
                                  gboolean    *out_found,
                                  GError     **error)
{
  g_auto(SiSyncRow) row = { 0, };
  g_autofree char *sql = NULL;

  if (cleaned)
    *cleaned = FALSE;
  if (out_found)
    *out_found = FALSE;
  if (!_si_store_sync_get_row (self, table, id, &row, error))
    return FALSE;
  if (row.id == 0)
    return TRUE;   /* gone meanwhile */
  if (out_found)
    *out_found = TRUE;
  if (!forget_pushed (self, table, id, error))
    return FALSE;

  if (row.state == SI_SYNC_STATE_DELETED && row.generation == generation)
    {
      /* The server keeps the deleted idea in its Trash, as this tombstone version. */
      if (g_str_equal (table, SI_COLLECTION_IDEAS) &&
          !_si_store_trash_pushed (self, row.uid, sid > 0 ? sid : row.sid, version, error))
        return FALSE;
      sql = g_strdup_printf ("DELETE FROM %s WHERE id = ?1", table);
      if (!_si_store_exec_bind (self, sql, error, "i", id))
        return FALSE;
    }
  else
    {
      sql = g_strdup_printf ("UPDATE %s SET sid = ?2, version = ?3, base = ?4,"
                             " state = CASE WHEN generation = ?5 THEN " SI_SQL_SYNCED " WHEN state = " SI_SQL_CREATED " THEN " SI_SQL_MODIFIED " ELSE state END,"
                             " sync_error = CASE WHEN generation = ?5 THEN NULL ELSE sync_error END"
                             " WHERE id = ?1", table);
      if (!_si_store_exec_bind (self, sql, error, "iiisi", id, sid > 0 ? sid : row.sid, version, base_json, generation))
        return FALSE;
    }
  if (cleaned)
    *cleaned = row.generation == generation;
  return TRUE;
}

/* A batch's answers go through a temporary table (in memory: temp_store = MEMORY), so that
 * SQLite records them in one statement each, with one statement journal for the batch, instead
 * of a read, a delete and an update of their own for every record. A record still at the
 * generation sent whose answer is what was sent becomes its own base (SI_SYNC_OWN_BASE): no
 * JSON text is built for it, and its row stays the size it was. The others (edited since, or
 * the server's content not quite what was sent) get the answer's text as their base, as
 * before. */
gboolean
_si_store_sync_mark_pushed_many (SiStore      *self,
                                 const char   *table,
                                 SiSyncPushed *pushed,
                                 guint         n_pushed,
                                 GError      **error)
{
  g_autofree char *odd_sql = NULL;
  g_autofree char *forget_sql = NULL;
  g_autofree char *update_sql = NULL;
  g_autoptr(GArray) tombstones = NULL;
  g_autoptr(GArray) texts = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (n_pushed == 0)
    return TRUE;
  if (!_si_store_exec_bind (self, "CREATE TEMP TABLE IF NOT EXISTS si_pushed_own (seq INTEGER PRIMARY KEY,"
                                  " id INTEGER NOT NULL, sid INTEGER NOT NULL, version INTEGER NOT NULL,"
                                  " generation INTEGER NOT NULL, as_sent INTEGER NOT NULL, base TEXT)", error, "") ||
      !_si_store_exec_bind (self, "DELETE FROM temp.si_pushed_own", error, ""))
    return FALSE;

  stmt = _si_store_prepare (self, "INSERT INTO temp.si_pushed_own (seq, id, sid, version, generation, as_sent)"
                                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6)", error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < n_pushed; i++)
    {
      pushed[i].found = TRUE;
      sqlite3_bind_int64 (stmt, 1, i);
      sqlite3_bind_int64 (stmt, 2, pushed[i].id);
      sqlite3_bind_int64 (stmt, 3, pushed[i].sid);
      sqlite3_bind_int64 (stmt, 4, pushed[i].version);
      sqlite3_bind_int64 (stmt, 5, pushed[i].generation);
      sqlite3_bind_int (stmt, 6, pushed[i].as_sent && pushed[i].record != NULL && !pushed[i].record->deleted);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        return _si_store_set_error (self, rc, NC_("what failed", "saving the sync state"), error);
    }

  /* The records gone meanwhile (nothing to record), the pushed tombstones (one at a time,
   * below: the Trash keeps them) and those whose base is the answer's text. */
  odd_sql = g_strdup_printf ("SELECT p.seq, r.id IS NOT NULL, r.state = " SI_SQL_DELETED " AND r.generation = p.generation"
                             " FROM temp.si_pushed_own AS p LEFT JOIN %s AS r ON r.id = p.id"
                             " WHERE r.id IS NULL OR r.generation != p.generation OR NOT p.as_sent"
                             " OR r.state = " SI_SQL_DELETED,
                             table);
  stmt = _si_store_prepare (self, odd_sql, error);
  if (stmt == NULL)
    return FALSE;
  tombstones = g_array_new (FALSE, FALSE, sizeof (guint));
  texts = g_array_new (FALSE, FALSE, sizeof (guint));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      guint seq = (guint) sqlite3_column_int64 (stmt, 0);

      if (seq >= n_pushed)
        continue;
      if (!sqlite3_column_int (stmt, 1))
        pushed[seq].found = FALSE;
      else if (sqlite3_column_int (stmt, 2))
        {
          pushed[seq].found = FALSE;
          g_array_append_val (tombstones, seq);
        }
      else
        g_array_append_val (texts, seq);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _si_store_set_error (self, rc, NC_("what failed", "reading the sync state"), error);

  if (texts->len > 0)
    {
      stmt = _si_store_prepare (self, "UPDATE temp.si_pushed_own SET base = ?2 WHERE seq = ?1", error);
      if (stmt == NULL)
        return FALSE;
      for (guint i = 0; i < texts->len; i++)
        {
          const SiSyncPushed *one = &pushed[g_array_index (texts, guint, i)];
          g_autofree char *base = one->record != NULL && !one->record->deleted ? record_to_json_text (one->record) : NULL;

          sqlite3_bind_int64 (stmt, 1, g_array_index (texts, guint, i));
          if (base != NULL)
            sqlite3_bind_text (stmt, 2, base, -1, SQLITE_TRANSIENT);
          else
            sqlite3_bind_null (stmt, 2);
          rc = sqlite3_step (stmt);
          sqlite3_reset (stmt);
          sqlite3_clear_bindings (stmt);
          if (rc != SQLITE_DONE)
            return _si_store_set_error (self, rc, NC_("what failed", "saving the sync state"), error);
        }
    }

  forget_sql = g_strdup_printf ("DELETE FROM sync_meta WHERE key IN"
                                " (SELECT '" META_PUSHED_PREFIX "%s:' || r.uid FROM temp.si_pushed_own AS p JOIN %s AS r ON r.id = p.id)",
                                table, table);
  update_sql = g_strdup_printf ("UPDATE %s AS r SET sid = CASE WHEN p.sid > 0 THEN p.sid ELSE r.sid END,"
                                " version = p.version,"
                                " base = CASE WHEN r.generation = p.generation AND p.as_sent THEN '" SI_SYNC_OWN_BASE "' ELSE p.base END,"
                                " state = CASE WHEN r.generation = p.generation THEN " SI_SQL_SYNCED
                                " WHEN r.state = " SI_SQL_CREATED " THEN " SI_SQL_MODIFIED " ELSE r.state END,"
                                " sync_error = CASE WHEN r.generation = p.generation THEN NULL ELSE r.sync_error END"
                                " FROM temp.si_pushed_own AS p"
                                " WHERE r.id = p.id AND NOT (r.state = " SI_SQL_DELETED " AND r.generation = p.generation)",
                                table);
  if (!_si_store_exec_bind (self, forget_sql, error, "") ||
      !_si_store_exec_bind (self, update_sql, error, ""))
    return FALSE;

  for (guint i = 0; i < tombstones->len; i++)
    {
      SiSyncPushed *one = &pushed[g_array_index (tombstones, guint, i)];
      g_autofree char *base = one->record != NULL && !one->record->deleted ? record_to_json_text (one->record) : NULL;

      if (!_si_store_sync_mark_pushed_found (self, table, one->id, one->generation, one->sid, one->version,
                                             base, NULL, &one->found, error))
        return FALSE;
    }
  return _si_store_exec_bind (self, "DELETE FROM temp.si_pushed_own", error, "");
}

gboolean
_si_store_sync_set_rejected (SiStore     *self,
                             const char  *table,
                             gint64       id,
                             gint64       generation,
                             const char  *reason,
                             GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE %s SET sync_error = ?3 WHERE id = ?1 AND generation = ?2", table);
  /* Translators: kept with a refused idea and shown in its editor when the server gave no reason. */
  return _si_store_exec_bind (self, sql, error, "iis", id, generation, reason ? reason : _("The server refused this change."));
}

gboolean
_si_store_sync_recreate (SiStore     *self,
                         const char  *table,
                         gint64       id,
                         GError     **error)
{
  g_autofree char *uid = _si_record_new_uid ();
  g_autofree char *sql = g_strdup_printf ("UPDATE %s SET uid = ?2, sid = NULL, version = 0, base = NULL,"
                                          " state = " SI_SQL_CREATED ", generation = generation + 1, sync_error = NULL"
                                          " WHERE id = ?1", table);
  return forget_pushed (self, table, id, error) && _si_store_exec_bind (self, sql, error, "is", id, uid);
}

/* Cursors, instance id ---------------------------------------------------------------------- */

gint64
_si_store_sync_get_cursor (SiStore    *self,
                          const char *collection)
{
  g_autofree char *key = g_strconcat (META_CURSOR_PREFIX, collection, NULL);
  g_autofree char *value = _si_store_get_meta (self, key);

  return value ? g_ascii_strtoll (value, NULL, 10) : 0;
}

gboolean
_si_store_sync_set_cursor (SiStore     *self,
                          const char  *collection,
                          gint64       cursor,
                          GError     **error)
{
  g_autofree char *key = g_strconcat (META_CURSOR_PREFIX, collection, NULL);
  g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT, cursor);

  return _si_store_set_meta (self, key, value, error);
}

static int
compare_version (gconstpointer a,
                 gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

gboolean
_si_store_sync_skip_own_changes (SiStore     *self,
                                 const char  *feed,
                                 GArray      *ranges,
                                 GArray      *applied,
                                 GError     **error)
{
  gint64 stored = _si_store_sync_get_cursor (self, feed);
  gint64 cursor = stored;
  guint next = 0;   /* the first of @applied above the cursor */

  g_array_sort (applied, compare_version);
  for (guint r = 0; r < ranges->len; r++)
    {
      const SiWireChangeRange *range = &g_array_index (ranges, SiWireChangeRange, r);

      if (range->to <= cursor)
        continue;
      if (range->from > cursor + 1)
        break;   /* another writer's change in between: the next pull brings it */
      /* Every number from the cursor to the range's end must be a record recorded here; the
       * walk is bounded by @applied, whatever the ranges say. */
      while (cursor < range->to)
        {
          while (next < applied->len && g_array_index (applied, gint64, next) <= cursor)
            next++;
          if (next == applied->len || g_array_index (applied, gint64, next) != cursor + 1)
            goto done;
          cursor++;
        }
    }
done:
  if (cursor == stored)
    return TRUE;
  g_debug ("Own changes up to %" G_GINT64_FORMAT " need not be pulled (the cursor was at %" G_GINT64_FORMAT ")",
           cursor, stored);
  return _si_store_sync_set_cursor (self, feed, cursor, error);
}

char *
_si_store_sync_dup_instance_id (SiStore *self)
{
  return _si_store_get_meta (self, META_INSTANCE_ID);
}

gboolean
_si_store_sync_set_instance_id (SiStore     *self,
                                const char  *instance_id,
                                GError     **error)
{
  return _si_store_set_meta (self, META_INSTANCE_ID, instance_id, error);
}

/* Durability of a pull ------------------------------------------------------------------------ */

void
_si_store_sync_relax_durability (SiStore          *self,
                                 SiSyncDurability *durability)
{
  sqlite3 *db = _si_store_get_db (self);

  durability->store = self;
  durability->saved = (int) _si_store_query_id (self, "PRAGMA synchronous", 0);
  if (durability->saved <= 1 || sqlite3_exec (db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL) != SQLITE_OK)
    durability->saved = -1;
}

void
_si_sync_durability_clear (SiSyncDurability *durability)
{
  g_autofree char *sql = NULL;

  if (durability->saved < 0)
    return;
  sql = g_strdup_printf ("PRAGMA synchronous = %d", durability->saved);
  if (sqlite3_exec (_si_store_get_db (durability->store), sql, NULL, NULL, NULL) != SQLITE_OK)
    g_warning ("Could not set the store's durability back: %s", sqlite3_errmsg (_si_store_get_db (durability->store)));
  durability->saved = -1;
}

/* Relations ---------------------------------------------------------------------------------- */

static SiCollection *
find_collection (GPtrArray  *collections,
                 const char *name)
{
  for (guint i = 0; i < collections->len; i++)
    if (g_str_equal (si_collection_get_name (g_ptr_array_index (collections, i)), name))
      return g_ptr_array_index (collections, i);
  return NULL;
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

/* Server ids -> local ids, in place. Unknown ids are left out and listed in @missing as
 * "target\tfield\tsid" strings. */
static void
refs_to_local (SiStore      *self,
               SiCollection *collection,
               SiWireRecord *record,
               GPtrArray    *missing)
{
  const SiCollectionCodec *codec = si_collection_get_codec (collection);

  for (guint k = 0; k < si_collection_get_n_keys (collection); k++)
    {
      const SiCollectionKey *key = si_collection_get_key (collection, k);
      GArray *refs = codec->refs (record, key->field);
      guint out = 0;

      for (guint i = 0; refs && i < refs->len; i++)
        {
          gint64 sid = g_array_index (refs, gint64, i);
          gint64 id = sid < 0 ? -sid : _si_store_sync_local_id (self, key->target, sid);

          if (id > 0)
            g_array_index (refs, gint64, out++) = id;
          else if (missing)
            g_ptr_array_add (missing, g_strdup_printf ("%s\t%s\t%" G_GINT64_FORMAT, key->target, key->field, sid));
        }
      if (refs)
        {
          g_array_set_size (refs, out);
          g_array_sort (refs, compare_int64);
        }
    }
}

/* Local ids -> server ids, in place. A relation to a record the server does not have yet is
 * left out, or, with @keep_unpushed, kept as minus its local id (so that a merge keeps it).
 * FALSE when one was left out. */
static gboolean
refs_to_server (SiStore      *self,
                SiCollection *collection,
                SiWireRecord *record,
                gboolean      keep_unpushed)
{
  const SiCollectionCodec *codec = si_collection_get_codec (collection);
  gboolean whole = TRUE;

  for (guint k = 0; k < si_collection_get_n_keys (collection); k++)
    {
      const SiCollectionKey *key = si_collection_get_key (collection, k);
      GArray *refs = codec->refs (record, key->field);
      guint out = 0;

      for (guint i = 0; refs && i < refs->len; i++)
        {
          gint64 id = g_array_index (refs, gint64, i);
          gint64 sid = _si_store_sync_server_id (self, key->target, id);

          if (sid > 0)
            g_array_index (refs, gint64, out++) = sid;
          else if (keep_unpushed)
            g_array_index (refs, gint64, out++) = -id;
          else
            {
              g_debug ("Leaving out a %s relation to a record the server does not have yet", key->field);
              whole = FALSE;
            }
        }
      if (refs)
        g_array_set_size (refs, out);
    }
  return whole;
}

SiWireRecord *
_si_store_sync_read_for_server (SiStore      *self,
                                GPtrArray    *collections,
                                SiCollection *collection,
                                gint64        id,
                                GError      **error)
{
  SiWireRecord *record = si_collection_get_codec (collection)->read (self, id, error);

  if (record != NULL)
    refs_to_server (self, collection, record, FALSE);
  return record;
}

gboolean
_si_store_sync_read_pending (SiStore       *self,
                             GPtrArray     *collections,
                             SiCollection  *collection,
                             const gint64  *ids,
                             guint          n_ids,
                             SiSyncRow     *rows,
                             SiWireRecord **records,
                             GError       **error)
{
  const SiCollectionCodec *codec = si_collection_get_codec (collection);
  g_autoptr(GHashTable) index = g_hash_table_new (g_int64_hash, g_int64_equal);   /* id -> i + 1 */
  g_autoptr(GHashTable) read = NULL;
  g_autoptr(GArray) live = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *json = NULL;
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  int rc;

  for (guint i = 0; i < n_ids; i++)
    {
      _si_sync_row_clear (&rows[i]);
      records[i] = NULL;
      g_hash_table_insert (index, (gpointer) &ids[i], GUINT_TO_POINTER (i + 1));
    }
  if (n_ids == 0)
    return TRUE;

  /* The sync state of each, in one statement. */
  json = _si_store_ids_json (ids, n_ids);
  sql = g_strdup_printf ("SELECT id, uid, sid, version, generation, state, sync_error FROM %s"
                         " WHERE id IN (SELECT value FROM json_each (?1))", si_collection_get_name (collection));
  stmt = _si_store_prepare (self, sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, json, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      guint at = GPOINTER_TO_UINT (g_hash_table_lookup (index, &id));
      SiSyncRow *row;

      if (at == 0)
        continue;
      row = &rows[at - 1];
      _si_sync_row_clear (row);
      row->id = id;
      row->uid = dup_column (stmt, 1);
      row->sid = sqlite3_column_int64 (stmt, 2);
      row->version = sqlite3_column_int64 (stmt, 3);
      row->generation = sqlite3_column_int64 (stmt, 4);
      row->state = sqlite3_column_int (stmt, 5);
      row->sync_error = dup_column (stmt, 6);
      if (row->state != SI_SYNC_STATE_SYNCED && row->state != SI_SYNC_STATE_DELETED && row->sync_error == NULL)
        g_array_append_val (live, id);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    return _si_store_set_error (self, rc, NC_("what failed", "reading the sync state"), error);

  /* The content of those to send: in one go where the collection can, else one by one. */
  if (codec->read_many != NULL)
    {
      read = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) si_wire_record_free);
      if (!codec->read_many (self, (const gint64 *) (gpointer) live->data, live->len, read, error))
        return FALSE;
    }
  for (guint i = 0; i < live->len; i++)
    {
      gint64 id = g_array_index (live, gint64, i);
      guint at = GPOINTER_TO_UINT (g_hash_table_lookup (index, &id)) - 1;
      g_autoptr(GError) local_error = NULL;
      gpointer key = NULL, record = NULL;

      if (read != NULL)
        {
          if (g_hash_table_steal_extended (read, &id, &key, &record))
            g_free (key);
        }
      else if ((record = codec->read (self, id, &local_error)) == NULL &&
               !g_error_matches (local_error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (record != NULL)
        rows[at].partial = !refs_to_server (self, collection, record, FALSE);
      records[at] = record;
    }
  return TRUE;
}

/* A note's digest of what a push sent (its fields and relations, server ids, as a set; not its
 * ids, uid, times): si_wire_record_content_digest(), marked as such. Notes written before it
 * hold legacy_content_digest() unmarked. */
#define PUSHED_DIGEST_MARK "c:"

static char *
pushed_digest (const SiWireRecord *record)
{
  g_autofree char *digest = si_wire_record_content_digest (record);

  return g_strconcat (PUSHED_DIGEST_MARK, digest, NULL);
}

/* The digest notes held before PUSHED_DIGEST_MARK, of the record's JSON text: read only, so
 * that a sync interrupted by an earlier version still recognises its own pushes. */
static char *
legacy_content_digest (SiCollection       *collection,
                       const SiWireRecord *record)
{
  const SiCollectionCodec *codec = si_collection_get_codec (collection);
  g_autoptr(SiWireRecord) copy = si_wire_record_copy (record);
  g_autofree char *text = NULL;
  gsize length = 0;

  g_clear_pointer (&copy->uid, g_free);
  /* Who wrote it is no content, and an older server does not echo it. */
  g_clear_pointer (&copy->device, g_free);
  copy->created_at = copy->updated_at = 0;
  for (guint k = 0; k < si_collection_get_n_keys (collection); k++)
    {
      GArray *refs = codec->refs (copy, si_collection_get_key (collection, k)->field);
      guint out = 0;

      if (refs == NULL)
        continue;
      g_array_sort (refs, compare_int64);
      for (guint i = 0; i < refs->len; i++)
        if (out == 0 || g_array_index (refs, gint64, i) != g_array_index (refs, gint64, out - 1))
          g_array_index (refs, gint64, out++) = g_array_index (refs, gint64, i);
      g_array_set_size (refs, out);
    }
  text = si_wire_record_to_text (copy, SI_WIRE_MODE_REQUEST, &length);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) text, length);
}

char *
_si_store_sync_pushed_digest (const SiWireRecord *record)
{
  return pushed_digest (record);
}

gboolean
_si_store_sync_note_pushing (SiStore            *self,
                             SiCollection       *collection,
                             const char         *uid,
                             gint64              generation,
                             const SiWireRecord *record,
                             GError            **error)
{
  g_autofree char *digest = pushed_digest (record);

  return _si_store_sync_note_pushed_digest (self, collection, uid, generation, digest, error);
}

gboolean
_si_store_sync_note_pushed_digest (SiStore       *self,
                                   SiCollection  *collection,
                                   const char    *uid,
                                   gint64         generation,
                                   const char    *digest,
                                   GError       **error)
{
  g_autofree char *key = g_strconcat (META_PUSHED_PREFIX, si_collection_get_name (collection), ":", uid, NULL);
  g_autofree char *old = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) value = g_string_new (NULL);
  gboolean added;
  guint n, kept = 0;

  /* The newest first; a push of the same content again adds nothing. Most records have no
   * note yet (a first push, or the last one's answer recorded): the note is written without
   * reading first, and only an earlier note is read to be kept after it. */
  g_string_append_printf (value, "%" G_GINT64_FORMAT " %s\n", generation, digest);
  if (!_si_store_add_meta (self, key, value->str, &added, error))
    return FALSE;
  if (added)
    return TRUE;
  old = _si_store_get_meta (self, key);
  if (old == NULL)
    return _si_store_set_meta (self, key, value->str, error);
  lines = g_strsplit (old, "\n", -1);
  n = g_strv_length (lines);
  for (guint i = 0; i < n && kept + 1 < PUSHED_KEEP; i++)
    {
      const char *space = strchr (lines[i], ' ');

      if (space == NULL || g_str_equal (space + 1, digest))
        continue;
      g_string_append_printf (value, "%s\n", lines[i]);
      kept++;
    }
  return _si_store_set_meta (self, key, value->str, error);
}

gboolean
_si_store_sync_forget_stale_pushes (SiStore   *self,
                                    GPtrArray *collections,
                                    GError   **error)
{
  /* One statement per collection, on the key's index: with no note to forget it writes
   * nothing, so a no-op sync pays no commit for it. */
  for (guint i = 0; i < collections->len; i++)
    {
      const char *table = si_collection_get_name (g_ptr_array_index (collections, i));
      g_autofree char *first = g_strconcat (META_PUSHED_PREFIX, table, ":", NULL);
      g_autofree char *after = g_strconcat (META_PUSHED_PREFIX, table, ";", NULL);
      g_autofree char *sql = g_strdup_printf ("DELETE FROM sync_meta WHERE key > ?1 AND key < ?2"
                                              " AND NOT EXISTS (SELECT 1 FROM %s WHERE uid = substr (sync_meta.key, ?3))",
                                              table);

      if (!_si_store_exec_bind (self, sql, error, "ssi", first, after, (gint64) strlen (first) + 1))
        return FALSE;
    }
  return TRUE;
}

/* Whether @remote (live) has the content of a push of ours whose answer never came: the
 * generation that push carried in @out_generation. */
static gboolean
find_pushed (SiStore            *self,
             SiCollection       *collection,
             const char         *uid,
             const SiWireRecord *remote,
             gint64             *out_generation)
{
  g_autofree char *key = NULL;
  g_autofree char *value = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *legacy = NULL;
  g_auto(GStrv) lines = NULL;

  if (uid == NULL || remote->deleted || !_si_store_meta_may_have (self, META_PUSHED_PREFIX))
    return FALSE;
  key = g_strconcat (META_PUSHED_PREFIX, si_collection_get_name (collection), ":", uid, NULL);
  value = _si_store_get_meta (self, key);
  if (value == NULL)
    return FALSE;
  digest = pushed_digest (remote);
  lines = g_strsplit (value, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      const char *space = strchr (lines[i], ' ');

      if (space != NULL && !g_str_has_prefix (space + 1, PUSHED_DIGEST_MARK) && legacy == NULL)
        legacy = legacy_content_digest (collection, remote);
      if (space != NULL && g_str_equal (space + 1, g_str_has_prefix (space + 1, PUSHED_DIGEST_MARK) ? digest : legacy))
        {
          *out_generation = g_ascii_strtoll (lines[i], NULL, 10);
          return TRUE;
        }
    }
  return FALSE;
}

/* Remembers that record @id of @collection refers to a record the store has not seen yet. */
static gboolean
remember_missing (SiStore      *self,
                  SiCollection *collection,
                  gint64        id,
                  GPtrArray    *missing,
                  GError      **error)
{
  for (guint i = 0; i < missing->len; i++)
    {
      g_auto(GStrv) parts = g_strsplit (g_ptr_array_index (missing, i), "\t", 3);
      g_autofree char *key = g_strdup_printf (META_PENDING_PREFIX "%s:%s", parts[0], parts[2]);
      g_autofree char *old = _si_store_get_meta (self, key);
      g_autofree char *value = g_strdup_printf ("%s%s %s %" G_GINT64_FORMAT "\n", old ? old : "",
                                                si_collection_get_name (collection), parts[1], id);

      g_debug ("Record %s:%" G_GINT64_FORMAT " waits for %s", si_collection_get_name (collection), id, key);
      if (!_si_store_set_meta (self, key, value, error))
        return FALSE;
    }
  return TRUE;
}

/* Record @id of @collection (server id @sid) has arrived: gives it to those waiting for it. */
static gboolean
resolve_pending (SiStore      *self,
                 GPtrArray    *collections,
                 SiCollection *collection,
                 gint64        sid,
                 gint64        id,
                 GError      **error)
{
  g_autofree char *key = NULL;
  g_autofree char *value = NULL;
  g_auto(GStrv) lines = NULL;

  /* Most pulls have no record waiting for another: one lookup per transaction, not one per
   * record. */
  if (!_si_store_meta_may_have (self, META_PENDING_PREFIX))
    return TRUE;
  key = g_strdup_printf (META_PENDING_PREFIX "%s:%" G_GINT64_FORMAT, si_collection_get_name (collection), sid);
  value = _si_store_get_meta (self, key);
  if (value == NULL)
    return TRUE;
  lines = g_strsplit (value, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto(GStrv) parts = g_strsplit (lines[i], " ", 3);
      g_autoptr(SiWireRecord) record = NULL;
      SiCollection *referrer;
      GArray *refs;
      gint64 referrer_id;

      if (g_strv_length (parts) != 3 || !(referrer = find_collection (collections, parts[0])))
        continue;
      referrer_id = g_ascii_strtoll (parts[2], NULL, 10);
      record = si_collection_get_codec (referrer)->read (self, referrer_id, NULL);
      if (record == NULL)
        continue;
      refs = si_collection_get_codec (referrer)->refs (record, parts[1]);
      if (refs == NULL)
        continue;
      g_array_append_val (refs, id);
      g_array_sort (refs, compare_int64);
      if (si_collection_get_codec (referrer)->write (self, referrer_id, record, error) == 0)
        return FALSE;
      g_debug ("Resolved a waiting relation of %s:%" G_GINT64_FORMAT, parts[0], referrer_id);
    }
  return _si_store_set_meta (self, key, NULL, error);
}

/* Applying server records ------------------------------------------------------------------- */

static char *
record_to_json_text (const SiWireRecord *record)
{
  return si_wire_record_to_text (record, SI_WIRE_MODE_RESPONSE, NULL);
}

static SiWireRecord *
record_from_json_text (const char       *text,
                       SiWireCollection  wire)
{
  g_autoptr(JsonNode) node = NULL;

  if (text == NULL)
    return NULL;
  node = si_wire_parse (text, strlen (text), NULL);
  return node ? si_wire_record_from_json (node, wire, SI_WIRE_MODE_RESPONSE, NULL) : NULL;
}

/* Writes @record (server ids) into local record @id (0: new). Returns the local id. With
 * @synced_base, a new record is inserted already synced, with that merge base, by the
 * collection's fast path when it has one (*@out_synced is then TRUE). @synced_base
 * SI_SYNC_OWN_BASE: the record is its own base, its content being the server's, unless it
 * names records this store does not have yet (left out of the row): then @record's text. */
static gint64
write_remote_full (SiStore            *self,
                   GPtrArray          *collections,
                   SiCollection       *collection,
                   gint64              id,
                   const SiWireRecord *record,
                   const char         *synced_base,
                   gboolean           *out_synced,
                   GError            **error)
{
  const SiCollectionCodec *codec = si_collection_get_codec (collection);
  g_autoptr(SiWireRecord) local = NULL;
  g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func (g_free);

  if (id == 0 && synced_base != NULL && codec->insert != NULL)
    {
      /* The insert reads the record: a copy of its relations only (mapped to local ids in
       * place), its texts borrowed. A whole copy was 3 % of a first download's CPU. */
      SiWireRecord borrowed = *record;
      g_autofree char *text = NULL;

      borrowed.tags = record->tags != NULL ? g_array_copy (record->tags) : NULL;
      refs_to_local (self, collection, &borrowed, missing);
      if (g_str_equal (synced_base, SI_SYNC_OWN_BASE) && missing->len > 0)
        synced_base = text = record_to_json_text (record);
      id = codec->insert (self, &borrowed, synced_base, error);
      g_clear_pointer (&borrowed.tags, g_array_unref);
      *out_synced = TRUE;
    }
  else
    {
      local = si_wire_record_copy (record);
      refs_to_local (self, collection, local, missing);
      id = codec->write (self, id, local, error);
    }
  if (id == 0)
    return 0;
  if (missing->len > 0 && !remember_missing (self, collection, id, missing, error))
    return 0;
  return id;
}

static gint64
write_remote (SiStore            *self,
              GPtrArray          *collections,
              SiCollection       *collection,
              gint64              id,
              const SiWireRecord *record,
              GError            **error)
{
  return write_remote_full (self, collections, collection, id, record, NULL, NULL, error);
}

static gboolean
set_state (SiStore     *self,
           const char  *table,
           gint64       id,
           SiSyncState  state,
           GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE %s SET state = ?2 WHERE id = ?1", table);
  return _si_store_exec_bind (self, sql, error, "ii", id, (gint64) state);
}

/* Keeps @local (local ids) as a new record marked as a conflicted copy of @of. */
static gboolean
write_conflict_copy (SiStore            *self,
                     SiCollection       *collection,
                     gint64              of,
                     const SiWireRecord *local,
                     GError            **error)
{
  g_autoptr(SiWireRecord) copy = si_wire_record_copy (local);
  g_autofree char *sql = NULL;
  gint64 id;

  g_free (copy->uid);
  copy->uid = _si_record_new_uid ();
  id = si_collection_get_codec (collection)->write (self, 0, copy, error);
  if (id == 0)
    return FALSE;
  sql = g_strdup_printf ("UPDATE %s SET state = " SI_SQL_CREATED ", generation = generation + 1, conflict_of = ?2 WHERE id = ?1",
                         si_collection_get_name (collection));
  g_debug ("Kept the local version of %s:%" G_GINT64_FORMAT " as the conflicted copy %" G_GINT64_FORMAT,
           si_collection_get_name (collection), of, id);
  return _si_store_exec_bind (self, sql, error, "ii", id, of);
}

/* @remote is a push of ours whose answer never came (of generation @generation): the
 * server has what we sent, so its record becomes the base (instead of being merged as another
 * device's edit), and the record is clean unless edited since. A record created here and
 * deleted before the answer came (@row empty) comes back as a tombstone, so that the server
 * gets the deletion too. */
static gboolean
adopt_pushed (SiStore            *self,
              GPtrArray          *collections,
              SiCollection       *collection,
              const SiSyncRow    *row,
              const SiWireRecord *remote,
              gint64              generation,
              SiSyncApplied      *out_applied,
              GError            **error)
{
  const char *table = si_collection_get_name (collection);
  g_autofree char *base_json = record_to_json_text (remote);
  g_autofree char *sql = NULL;
  gint64 id = row->id;

  g_debug ("%s %s is our own push of generation %" G_GINT64_FORMAT ", at version %" G_GINT64_FORMAT,
           table, remote->uid, generation, remote->version);
  if (id == 0)
    {
      const SiCollectionCodec *codec = si_collection_get_codec (collection);
      g_autoptr(SiWireRecord) tombstone = si_wire_record_copy (remote);

      for (guint k = 0; k < si_collection_get_n_keys (collection); k++)
        {
          GArray *refs = codec->refs (tombstone, si_collection_get_key (collection, k)->field);
          if (refs)
            g_array_set_size (refs, 0);
        }
      id = write_remote (self, collections, collection, 0, tombstone, error);
      if (id == 0 || !forget_pushed (self, table, id, error))
        return FALSE;
      sql = g_strdup_printf ("UPDATE %s SET sid = ?2, version = ?3, base = ?4, state = " SI_SQL_DELETED ","
                             " generation = generation + 1 WHERE id = ?1", table);
      if (!_si_store_exec_bind (self, sql, error, "iiis", id, remote->id, remote->version, base_json))
        return FALSE;
    }
  else
    {
      sql = g_strdup_printf ("UPDATE %s SET sid = ?2, version = ?3, base = ?4,"
                             " state = CASE WHEN state = " SI_SQL_DELETED " THEN " SI_SQL_DELETED " WHEN generation = ?5 THEN " SI_SQL_SYNCED " ELSE " SI_SQL_MODIFIED " END,"
                             " sync_error = CASE WHEN generation = ?5 THEN NULL ELSE sync_error END"
                             " WHERE id = ?1", table);
      if (!forget_pushed (self, table, id, error) ||
          !_si_store_exec_bind (self, sql, error, "iiisi", id, remote->id, remote->version, base_json, generation))
        return FALSE;
      if (row->sid == 0 && !resolve_pending (self, collections, collection, remote->id, id, error))
        return FALSE;
    }
  *out_applied = SI_SYNC_APPLIED_ADOPTED;
  return TRUE;
}

static gboolean
apply_in_transaction (SiStore            *self,
                      GPtrArray          *collections,
                      SiCollection       *collection,
                      const SiWireRecord *remote,
                      SiSyncApplied      *out_applied,
                      GError            **error)
{
  const char *table = si_collection_get_name (collection);
  const SiCollectionCodec *codec = si_collection_get_codec (collection);
  g_auto(SiSyncRow) row = { 0, };
  g_autofree char *base_json = NULL;
  g_autoptr(SiWireRecord) local = NULL;
  g_autoptr(SiWireRecord) local_for_server = NULL;
  g_autoptr(SiWireRecord) base = NULL;
  g_autoptr(SiWireRecord) merged = NULL;
  SiMergeResult result;
  gint64 pushed_generation = 0;
  gint64 id;

  *out_applied = SI_SYNC_APPLIED_NOTHING;
  if (!_si_store_sync_find (self, table, remote->id, remote->uid, &row, error))
    return FALSE;

  /* Our own write, applied by the server, whose answer was lost (the sync was killed or the
   * connection dropped): not another device's edit. */
  if (!remote->deleted && (row.id == 0 || row.state != SI_SYNC_STATE_SYNCED) &&
      (row.sid == 0 || (row.sid == remote->id && remote->version > row.version)) &&
      find_pushed (self, collection, row.id != 0 ? row.uid : remote->uid, remote, &pushed_generation))
    return adopt_pushed (self, collections, collection, &row, remote, pushed_generation, out_applied, error);

  if (remote->deleted)
    {
      if (row.id == 0)
        return TRUE;
      if (row.state == SI_SYNC_STATE_SYNCED || row.state == SI_SYNC_STATE_DELETED)
        {
          if (!codec->remove (self, row.id, error))
            return FALSE;
          *out_applied = SI_SYNC_APPLIED_DELETED;
          return TRUE;
        }
      /* An edit against a deletion keeps the edit: the record is created again. */
      if (!_si_store_sync_recreate (self, table, row.id, error))
        return FALSE;
      *out_applied = SI_SYNC_APPLIED_RECREATED;
      return TRUE;
    }

  /* A local record the server's stands for (the tag of the same name) is adopted. */
  if (row.id == 0 && codec->find_twin != NULL)
    {
      gint64 twin = codec->find_twin (self, remote);

      if (twin > 0)
        {
          if (!_si_store_sync_get_row (self, table, twin, &row, error))
            return FALSE;
          if (row.sid > 0 && row.sid != remote->id)
            {
              /* Another server record has that name here (a rename we have not seen yet):
               * make way; its own update will come. */
              g_autoptr(SiWireRecord) other = codec->read (self, twin, NULL);

              if (other != NULL && other->name != NULL)
                {
                  char *renamed = g_strdup_printf ("%s (%" G_GINT64_FORMAT ")", other->name, row.sid);
                  g_free (other->name);
                  other->name = renamed;
                  if (codec->write (self, twin, other, error) == 0)
                    return FALSE;
                }
              _si_sync_row_clear (&row);
            }
        }
    }

  if (row.id != 0 && row.sid == remote->id && remote->version <= row.version)
    return TRUE;   /* nothing we do not have */

  base_json = record_to_json_text (remote);

  if (row.state == SI_SYNC_STATE_DELETED && row.sid == remote->id &&
      (base = record_from_json_text (row.base, si_collection_get_wire (collection))) != NULL &&
      si_wire_record_content_equal (base, remote))
    {
      /* A new version that changes nothing this side deleted: the deletion stands, now
       * against that version. */
      if (!set_synced (self, table, row.id, remote->id, remote->version, base_json, FALSE, error) ||
          !set_state (self, table, row.id, SI_SYNC_STATE_DELETED, error))
        return FALSE;
      *out_applied = SI_SYNC_APPLIED_KEPT_LOCAL;
      return TRUE;
    }
  g_clear_pointer (&base, si_wire_record_free);

  if (row.id == 0 || row.state == SI_SYNC_STATE_SYNCED || row.state == SI_SYNC_STATE_DELETED)
    {
      /* A local deletion against a remote edit keeps the edit: the record comes back. */
      gboolean synced = FALSE;

      if (row.state == SI_SYNC_STATE_DELETED && !set_state (self, table, row.id, SI_SYNC_STATE_SYNCED, error))
        return FALSE;
      id = write_remote_full (self, collections, collection, row.id, remote, base_json, &synced, error);
      if (id == 0 || (!synced && !set_synced (self, table, id, remote->id, remote->version, base_json, TRUE, error)))
        return FALSE;
      if (row.id == 0 && !resolve_pending (self, collections, collection, remote->id, id, error))
        return FALSE;
      *out_applied = SI_SYNC_APPLIED_TAKEN;
      return TRUE;
    }

  /* Changed on both sides: merge against the base. */
  local = codec->read (self, row.id, error);
  if (local == NULL)
    return FALSE;
  local_for_server = si_wire_record_copy (local);
  refs_to_server (self, collection, local_for_server, TRUE);
  base = record_from_json_text (row.base, si_collection_get_wire (collection));
  result = si_merge_records (base, local_for_server, remote, &merged);
  g_debug ("Merging %s:%" G_GINT64_FORMAT " with server version %" G_GINT64_FORMAT ": %d",
           table, row.id, remote->version, result);

  switch (result)
    {
    case SI_MERGE_IDENTICAL:
    case SI_MERGE_TAKE_REMOTE:
      id = write_remote (self, collections, collection, row.id, remote, error);
      if (id == 0 || !set_synced (self, table, id, remote->id, remote->version, base_json, TRUE, error))
        return FALSE;
      *out_applied = SI_SYNC_APPLIED_TAKEN;
      break;

    case SI_MERGE_KEEP_LOCAL:
    case SI_MERGE_MERGED:
      /* Still a local edit, to be pushed: this device's, as the local version says. */
      g_free (merged->device);
      merged->device = g_strdup (local->device);
      id = write_remote (self, collections, collection, row.id, merged, error);
      if (id == 0 || !set_synced (self, table, id, remote->id, remote->version, base_json, FALSE, error))
        return FALSE;
      *out_applied = result == SI_MERGE_MERGED ? SI_SYNC_APPLIED_MERGED : SI_SYNC_APPLIED_KEPT_LOCAL;
      break;

    case SI_MERGE_CONFLICT:
    default:
      if (si_collection_get_conflict_copies (collection))
        {
          /* The record becomes the server's; a new one, marked conflict_of, takes the local
           * version. */
          id = write_remote (self, collections, collection, row.id, remote, error);
          if (id == 0 || !set_synced (self, table, id, remote->id, remote->version, base_json, TRUE, error))
            return FALSE;
          if (!write_conflict_copy (self, collection, row.id, local, error))
            return FALSE;
        }
      else
        {
          g_debug ("Conflict on %s:%" G_GINT64_FORMAT ": the server's version wins", table, row.id);
          id = write_remote (self, collections, collection, row.id, remote, error);
          if (id == 0 || !set_synced (self, table, id, remote->id, remote->version, base_json, TRUE, error))
            return FALSE;
        }
      *out_applied = SI_SYNC_APPLIED_CONFLICT;
      break;
    }
  return TRUE;
}

/* The fast path of _si_store_sync_apply(): a live record that this store does not know by
 * server id or uid, that is no push of ours, of a collection with an insert. */
static gboolean
insert_new (SiStore            *self,
            GPtrArray          *collections,
            SiCollection       *collection,
            const SiWireRecord *remote,
            gboolean           *out_inserted,
            GError            **error)
{
  const SiCollectionCodec *codec = si_collection_get_codec (collection);
  g_auto(SiSyncRow) row = { 0, };
  gint64 pushed_generation;
  gboolean synced = FALSE;
  gint64 id;

  *out_inserted = FALSE;
  if (remote->deleted || codec->insert == NULL || codec->find_twin != NULL)
    return TRUE;
  if (!_si_store_sync_find (self, si_collection_get_name (collection), remote->id, remote->uid, &row, error))
    return FALSE;
  if (row.id != 0 || find_pushed (self, collection, remote->uid, remote, &pushed_generation))
    return TRUE;
  /* The row is the server's record: its own base, as a push the server took as sent leaves
   * it (the schema's own-base triggers write the text when it stops being synced). No JSON
   * text here, and a row half the size: the text was more than half of a pulled idea's row,
   * and of what a first download wrote to the disk. */
  id = write_remote_full (self, collections, collection, 0, remote, SI_SYNC_OWN_BASE, &synced, error);
  if (id == 0 || !resolve_pending (self, collections, collection, remote->id, id, error))
    return FALSE;
  *out_inserted = TRUE;
  return TRUE;
}

gboolean
_si_store_sync_apply (SiStore            *self,
                      GPtrArray          *collections,
                      SiCollection       *collection,
                      const SiWireRecord *remote,
                      SiSyncApplied      *out_applied,
                      GError            **error)
{
  SiSyncApplied applied = SI_SYNC_APPLIED_NOTHING;
  gboolean inserted = FALSE;
  gboolean history;

  /* A record new to this store, inside the caller's transaction: one insert, without a
   * savepoint of its own (a savepoint makes the search index flush a segment per record). It
   * writes nothing when it fails, except on errors that make the caller roll back. */
  if (!sqlite3_get_autocommit (_si_store_get_db (self)) &&
      !insert_new (self, collections, collection, remote, &inserted, error))
    return FALSE;
  if (inserted)
    {
      if (out_applied)
        *out_applied = SI_SYNC_APPLIED_TAKEN;
      return TRUE;
    }

  if (!_si_store_begin (self, error))
    return FALSE;
  /* An idea's versions and the Trash (si-store-history.c): what a pulled record replaces. */
  history = si_collection_get_wire (collection) == SI_WIRE_COLLECTION_IDEAS;
  if ((history && !_si_store_history_before_apply (self, remote, error)) ||
      !apply_in_transaction (self, collections, collection, remote, &applied, error) ||
      (history && !_si_store_history_after_apply (self, remote, applied, error)))
    {
      _si_store_rollback (self);
      return FALSE;
    }
  if (out_applied)
    *out_applied = applied;
  return _si_store_commit (self, error);
}

gboolean
_si_store_sync_prune (SiStore      *self,
                      SiCollection *collection,
                      GHashTable   *seen,
                      guint        *out_removed,
                      GError      **error)
{
  const char *table = si_collection_get_name (collection);
  g_autofree char *sql = g_strdup_printf ("SELECT id, sid, state FROM %s WHERE sid IS NOT NULL", table);
  g_autoptr(GArray) gone = g_array_new (FALSE, FALSE, sizeof (gint64) * 2);
  sqlite3_stmt *stmt = _si_store_prepare (self, sql, error);
  int rc;

  if (out_removed)
    *out_removed = 0;
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 entry[2] = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int (stmt, 2) };
      gint64 sid = sqlite3_column_int64 (stmt, 1);

      if (!g_hash_table_contains (seen, &sid))
        g_array_append_vals (gone, entry, 1);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _si_store_set_error (self, rc, NC_("what failed", "reading the sync state"), error);

  for (guint i = 0; i < gone->len; i++)
    {
      gint64 *entry = &((gint64 *) (gpointer) gone->data)[i * 2];
      gboolean dirty = entry[1] == SI_SYNC_STATE_CREATED || entry[1] == SI_SYNC_STATE_MODIFIED;

      if (dirty ? !_si_store_sync_recreate (self, table, entry[0], error)
                : !si_collection_get_codec (collection)->remove (self, entry[0], error))
        return FALSE;
      if (!dirty && out_removed)
        (*out_removed)++;
    }
  return TRUE;
}

gboolean
_si_store_sync_forget_server (SiStore  *self,
                              GError  **error)
{
  static const char * const tables[] = { SI_COLLECTION_IDEAS, SI_COLLECTION_TAGS };
  sqlite3_stmt *stmt;

  if (!_si_store_begin (self, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *drop = g_strdup_printf ("DELETE FROM %s WHERE state = " SI_SQL_DELETED, tables[i]);
      g_autofree char *reset = g_strdup_printf ("UPDATE %s SET sid = NULL, version = 0, base = NULL, state = " SI_SQL_CREATED ","
                                                " generation = generation + 1, sync_error = NULL", tables[i]);

      if (!_si_store_exec_bind (self, drop, error, "") || !_si_store_exec_bind (self, reset, error, ""))
        goto fail;
    }
  /* The kept versions and the Trash name the old server's ids and versions too. */
  if (!_si_store_history_forget_server (self, error))
    goto fail;
  if (!(stmt = _si_store_prepare (self, "DELETE FROM sync_meta WHERE key = ?1 OR key LIKE ?2 OR key LIKE ?3"
                                        " OR key LIKE ?4", error)))
    goto fail;
  sqlite3_bind_text (stmt, 1, META_INSTANCE_ID, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, META_CURSOR_PREFIX "%", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, META_PENDING_PREFIX "%", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, META_PUSHED_PREFIX "%", -1, SQLITE_STATIC);
  if (!_si_store_step_done (self, stmt, NC_("what failed", "forgetting the server"), error))
    goto fail;
  return _si_store_commit (self, error);

fail:
  _si_store_rollback (self);
  return FALSE;
}
