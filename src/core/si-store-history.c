/* si-store-history.c — every statement on an idea's kept versions (idea_versions) and on the
 * Trash (trash); si-history.h says what they are for.
 *
 * Versions are kept lazily, when they are about to be replaced: a server version when the first
 * local edit, a pulled change or a restore replaces it (until then it is the idea itself), and
 * this notebook's own text when a pulled change or a restore replaces it. So a pull of 100,000
 * new ideas keeps nothing twice, and a typed edit keeps at most one version (the synced one it
 * started from). At most SI_HISTORY_LOCAL_MAX versions per idea; a server version larger than
 * SI_HISTORY_LOCAL_BODY_MAX is not kept (the server has it).
 */
#define G_LOG_DOMAIN "saveidea-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "si-history-private.h"

#define SQL_MAX(n) _SI_SQL_STRINGIFY (n)

/* The names of idea `ideas.id`'s live tags, one a line, in name order. */
#define IDEA_TAG_NAMES \
  "coalesce ((SELECT group_concat (name, char (10)) FROM (SELECT t.name FROM idea_tags it" \
  " JOIN tags t ON t.id = it.tag_id WHERE it.idea_id = ideas.id AND t.state != " SI_SQL_DELETED \
  " ORDER BY t.name_key)), '')"

static char **
split_tags (const char *text)
{
  if (text == NULL || text[0] == '\0')
    return g_new0 (char *, 1);
  return g_strsplit (text, "\n", -1);
}

/* Keeps at most SI_HISTORY_LOCAL_MAX versions of @uid. */
static gboolean
bound_versions (SiStore     *self,
                const char  *uid,
                GError     **error)
{
  return _si_store_exec_bind (self,
                              "DELETE FROM idea_versions WHERE uid = ?1 AND id NOT IN"
                              " (SELECT id FROM idea_versions WHERE uid = ?1 ORDER BY id DESC LIMIT " SQL_MAX (SI_HISTORY_LOCAL_MAX) ")",
                              error, "s", uid);
}

gboolean
_si_store_history_note (SiStore   *self,
                        gint64     idea_id,
                        gboolean   dirty_too,
                        GError   **error)
{
  g_autofree char *uid = NULL;
  sqlite3_stmt *stmt;

  /* A local version is kept unless the last one kept has the same content. */
  stmt = _si_store_prepare (self,
                            "INSERT OR IGNORE INTO idea_versions (uid, version, updated_at, device, title, body, pinned, tags)"
                            " SELECT uid, CASE WHEN state = " SI_SQL_SYNCED " THEN version ELSE 0 END, updated_at, device,"
                            "  title, body, pinned, " IDEA_TAG_NAMES
                            " FROM ideas WHERE id = ?1 AND"
                            "  ((state = " SI_SQL_SYNCED " AND sid IS NOT NULL AND length (CAST (body AS BLOB)) <= " SQL_MAX (SI_HISTORY_LOCAL_BODY_MAX) ")"
                            "   OR (?2 AND state IN (" SI_SQL_CREATED ", " SI_SQL_MODIFIED ") AND NOT EXISTS"
                            "    (SELECT 1 FROM idea_versions v WHERE v.id = (SELECT max (id) FROM idea_versions WHERE uid = ideas.uid)"
                            "     AND v.title = ideas.title AND v.body = ideas.body AND v.pinned = ideas.pinned AND v.tags = " IDEA_TAG_NAMES ")))",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, idea_id);
  sqlite3_bind_int (stmt, 2, dirty_too ? 1 : 0);
  if (!_si_store_step_done (self, stmt, NC_("what failed", "keeping a version of an idea"), error))
    return FALSE;
  if (sqlite3_changes (_si_store_get_db (self)) == 0)
    return TRUE;
  if (!(stmt = _si_store_prepare (self, "SELECT uid FROM ideas WHERE id = ?1", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, idea_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    uid = g_strdup (_si_store_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return uid == NULL || bound_versions (self, uid, error);
}

char *
_si_store_history_tag_names (SiStore *self,
                             GArray  *tags)
{
  g_autoptr(GString) ids = g_string_new ("[");
  g_autofree char *names = NULL;
  sqlite3_stmt *stmt;

  for (guint i = 0; tags && i < tags->len; i++)
    g_string_append_printf (ids, "%s%" G_GINT64_FORMAT, i ? "," : "", g_array_index (tags, gint64, i));
  g_string_append_c (ids, ']');
  stmt = _si_store_prepare (self,
                            "SELECT coalesce (group_concat (name, char (10)), '') FROM (SELECT name FROM tags"
                            " WHERE sid IN (SELECT value FROM json_each (?1)) AND state != " SI_SQL_DELETED " ORDER BY name_key)",
                            NULL);
  if (stmt == NULL)
    return g_strdup ("");
  sqlite3_bind_text (stmt, 1, ids->str, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    names = g_strdup (_si_store_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return names ? g_steal_pointer (&names) : g_strdup ("");
}

/* Keeps server version @remote (server tag ids) of its idea. */
static gboolean
note_remote (SiStore            *self,
             const SiWireRecord *remote,
             GError            **error)
{
  g_autofree char *tags = NULL;
  sqlite3_stmt *stmt;

  if (remote->body && strlen (remote->body) > SI_HISTORY_LOCAL_BODY_MAX)
    return TRUE;
  tags = _si_store_history_tag_names (self, remote->tags);
  stmt = _si_store_prepare (self,
                            "INSERT OR IGNORE INTO idea_versions (uid, version, updated_at, device, title, body, pinned, tags)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, remote->uid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, remote->version);
  sqlite3_bind_int64 (stmt, 3, remote->updated_at * 1000);
  sqlite3_bind_text (stmt, 4, remote->device, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, remote->title ? remote->title : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, remote->body ? remote->body : "", -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 7, remote->pinned ? 1 : 0);
  sqlite3_bind_text (stmt, 8, tags, -1, SQLITE_STATIC);
  if (!_si_store_step_done (self, stmt, NC_("what failed", "keeping a version of an idea"), error))
    return FALSE;
  return bound_versions (self, remote->uid, error);
}

/* Entries past SI_TRASH_RETENTION_DAYS before @now (µs), and past SI_TRASH_LOCAL_MAX, go. */
static gboolean
prune_old (SiStore  *self,
           gint64    now,
           GError  **error)
{
  gint64 oldest = now - (gint64) SI_TRASH_RETENTION_DAYS * 24 * 3600 * G_USEC_PER_SEC;

  return _si_store_exec_bind (self, "DELETE FROM trash WHERE deleted_at < ?1", error, "i", oldest) &&
         _si_store_exec_bind (self, "DELETE FROM trash WHERE id NOT IN (SELECT id FROM trash"
                                    " ORDER BY deleted_at DESC, id DESC LIMIT " SQL_MAX (SI_TRASH_LOCAL_MAX) ")", error, "");
}

/* Puts idea @idea_id's content into the Trash, deleted at @deleted_at (µs), as the server's
 * tombstone @version (0: not known). */
static gboolean
trash_keep (SiStore  *self,
            gint64    idea_id,
            gint64    version,
            gint64    deleted_at,
            GError  **error)
{
  sqlite3_stmt *stmt;

  stmt = _si_store_prepare (self,
                            "INSERT INTO trash (uid, sid, version, deleted_at, created_at, updated_at, device, title, body, pinned, tags)"
                            " SELECT uid, sid, ?2, ?3, created_at, updated_at, device, title, body, pinned, " IDEA_TAG_NAMES
                            " FROM ideas WHERE id = ?1 AND state != " SI_SQL_DELETED
                            " ON CONFLICT (uid) DO UPDATE SET sid = excluded.sid, version = excluded.version,"
                            "  deleted_at = excluded.deleted_at, created_at = excluded.created_at, updated_at = excluded.updated_at,"
                            "  device = excluded.device, title = excluded.title, body = excluded.body, pinned = excluded.pinned,"
                            "  tags = excluded.tags", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, idea_id);
  sqlite3_bind_int64 (stmt, 2, version);
  sqlite3_bind_int64 (stmt, 3, deleted_at);
  if (!_si_store_step_done (self, stmt, NC_("what failed", "keeping a deleted idea"), error))
    return FALSE;
  /* The idea is still in place (it goes next): only the old entries go now. */
  return prune_old (self, g_get_real_time (), error);
}

gboolean
_si_store_trash_keep (SiStore  *self,
                      gint64    idea_id,
                      GError  **error)
{
  return trash_keep (self, idea_id, 0, g_get_real_time (), error);
}

gboolean
_si_store_trash_pushed (SiStore     *self,
                        const char  *uid,
                        gint64       sid,
                        gint64       version,
                        GError     **error)
{
  return _si_store_exec_bind (self, "UPDATE trash SET sid = ?2, version = ?3 WHERE uid = ?1", error,
                              "sii", uid, sid, version);
}

gboolean
_si_store_history_before_apply (SiStore            *self,
                                const SiWireRecord *remote,
                                GError            **error)
{
  g_auto(SiSyncRow) row = { 0, };

  if (!_si_store_sync_find (self, SI_COLLECTION_IDEAS, remote->id, remote->uid, &row, error))
    return FALSE;
  if (row.id == 0)
    return TRUE;
  if (remote->deleted)
    {
      /* Deleted on another device: its content goes to the Trash here too. A deletion of our
       * own, not acknowledged yet, is now the server's. An edit against the deletion is kept
       * (the idea is created again): nothing to keep. */
      if (row.state == SI_SYNC_STATE_SYNCED)
        return trash_keep (self, row.id, remote->version, g_get_real_time (), error);
      if (row.state == SI_SYNC_STATE_DELETED)
        return _si_store_trash_pushed (self, row.uid, remote->id, remote->version, error);
      return TRUE;
    }
  if (row.sid == remote->id && remote->version <= row.version)
    return TRUE;
  return _si_store_history_note (self, row.id, TRUE, error);
}

gboolean
_si_store_history_after_apply (SiStore            *self,
                               const SiWireRecord *remote,
                               SiSyncApplied       applied,
                               GError            **error)
{
  /* The server's version went into a merge with local edits: the idea does not show it as it
   * was, so it is kept as a version. */
  if (!remote->deleted && (applied == SI_SYNC_APPLIED_MERGED || applied == SI_SYNC_APPLIED_KEPT_LOCAL))
    return note_remote (self, remote, error);
  return TRUE;
}

gboolean
_si_store_trash_forget (SiStore     *self,
                        const char  *uid,
                        gboolean     versions_too,
                        GError     **error)
{
  if (!_si_store_exec_bind (self, "DELETE FROM trash WHERE uid = ?1", error, "s", uid))
    return FALSE;
  return !versions_too || _si_store_exec_bind (self, "DELETE FROM idea_versions WHERE uid = ?1", error, "s", uid);
}

gboolean
_si_store_trash_prune (SiStore  *self,
                       gint64    now,
                       GError  **error)
{
  return prune_old (self, now, error) &&
         /* Back to life (undone here, or on another device and pulled): out of the Trash. */
         /* Each walks the small table and looks the uid up in the index of the big one. */
         _si_store_exec_bind (self, "DELETE FROM trash WHERE EXISTS (SELECT 1 FROM ideas i"
                                    " WHERE i.uid = trash.uid AND i.state != " SI_SQL_DELETED ")", error, "") &&
         _si_store_exec_bind (self, "DELETE FROM idea_versions WHERE"
                                    " NOT EXISTS (SELECT 1 FROM ideas i WHERE i.uid = idea_versions.uid) AND"
                                    " NOT EXISTS (SELECT 1 FROM trash t WHERE t.uid = idea_versions.uid)", error, "");
}

gboolean
_si_store_trash_merge_server (SiStore    *self,
                              GPtrArray  *entries,
                              gboolean    complete,
                              GError    **error)
{
  g_autoptr(GString) uids = g_string_new ("[");
  sqlite3_stmt *stmt;

  if (!_si_store_begin (self, error))
    return FALSE;
  for (guint i = 0; i < entries->len; i++)
    {
      const SiWireTrashEntry *entry = g_ptr_array_index (entries, i);
      const SiWireRecord *r = entry->record;
      g_autofree char *tags = _si_store_history_tag_names (self, r->tags);
      g_autofree char *quoted = g_strescape (r->uid, NULL);

      g_string_append_printf (uids, "%s\"%s\"", i ? "," : "", quoted);
      stmt = _si_store_prepare (self,
                                "INSERT INTO trash (uid, sid, version, deleted_at, created_at, updated_at, device, title, body, pinned, tags)"
                                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
                                " ON CONFLICT (uid) DO UPDATE SET sid = excluded.sid, version = excluded.version,"
                                "  deleted_at = excluded.deleted_at, created_at = excluded.created_at, updated_at = excluded.updated_at,"
                                "  device = excluded.device, title = excluded.title, body = excluded.body, pinned = excluded.pinned,"
                                "  tags = excluded.tags", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, r->uid, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, r->id);
      sqlite3_bind_int64 (stmt, 3, r->version);
      sqlite3_bind_int64 (stmt, 4, entry->deleted_at * 1000);
      sqlite3_bind_int64 (stmt, 5, r->created_at * 1000);
      sqlite3_bind_int64 (stmt, 6, r->updated_at * 1000);
      sqlite3_bind_text (stmt, 7, r->device, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 8, r->title ? r->title : "", -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 9, r->body ? r->body : "", -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 10, r->pinned ? 1 : 0);
      sqlite3_bind_text (stmt, 11, tags, -1, SQLITE_STATIC);
      if (!_si_store_step_done (self, stmt, NC_("what failed", "keeping a deleted idea"), error))
        goto fail;
    }
  g_string_append_c (uids, ']');
  /* Deletions the server had and no longer lists: deleted forever, or undone, elsewhere. */
  if (complete &&
      !_si_store_exec_bind (self, "DELETE FROM trash WHERE sid IS NOT NULL AND version > 0"
                                  " AND uid NOT IN (SELECT value FROM json_each (?1))"
                                  " AND NOT EXISTS (SELECT 1 FROM ideas i WHERE i.uid = trash.uid)", error, "s", uids->str))
    goto fail;
  if (!_si_store_trash_prune (self, g_get_real_time (), error))
    goto fail;
  return _si_store_commit (self, error);

fail:
  _si_store_rollback (self);
  return FALSE;
}

gboolean
_si_store_history_forget_server (SiStore  *self,
                                 GError  **error)
{
  return _si_store_exec_bind (self, "UPDATE idea_versions SET version = 0 WHERE version > 0", error, "") &&
         _si_store_exec_bind (self, "UPDATE trash SET sid = NULL, version = 0", error, "");
}

/* Reading -------------------------------------------------------------------------------------- */

GPtrArray *
_si_store_history_read (SiStore  *self,
                        gint64    idea_id,
                        char    **out_uid,
                        gint64   *out_sid,
                        GError  **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *uid = NULL;
  gint64 current_version = 0, sid = 0;
  sqlite3_stmt *stmt;
  int rc;

  stmt = _si_store_prepare (self,
                            "SELECT uid, sid, state, version, updated_at, device, title, body, pinned, " IDEA_TAG_NAMES
                            " FROM ideas WHERE id = ?1 AND state != " SI_SQL_DELETED, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, idea_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      gboolean synced = sqlite3_column_int (stmt, 2) == SI_SYNC_STATE_SYNCED;
      g_auto(GStrv) tags = split_tags (_si_store_column_text (stmt, 9));

      uid = g_strdup (_si_store_column_text (stmt, 0));
      sid = sqlite3_column_int64 (stmt, 1);
      current_version = synced ? sqlite3_column_int64 (stmt, 3) : 0;
      g_ptr_array_add (entries, _si_history_entry_new (0, current_version, sqlite3_column_int64 (stmt, 4),
                                                       (const char *) sqlite3_column_text (stmt, 5),
                                                       _si_store_column_text (stmt, 6), _si_store_column_text (stmt, 7),
                                                       sqlite3_column_int (stmt, 8), (const char * const *) tags,
                                                       !synced, TRUE));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _si_store_set_error (self, rc, NC_("what failed", "reading an idea's history"), error);
      return NULL;
    }
  if (uid == NULL)
    {
      g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND,
                   /* Translators: %lld is the idea's number. */
                   _("There is no idea %lld."), (long long) idea_id);
      return NULL;
    }

  stmt = _si_store_prepare (self,
                            "SELECT id, version, updated_at, device, title, body, pinned, tags FROM idea_versions"
                            " WHERE uid = ?1 ORDER BY updated_at DESC, id DESC", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, uid, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 version = sqlite3_column_int64 (stmt, 1);
      g_auto(GStrv) tags = NULL;

      if (version > 0 && version == current_version)
        continue;
      tags = split_tags (_si_store_column_text (stmt, 7));
      g_ptr_array_add (entries, _si_history_entry_new (sqlite3_column_int64 (stmt, 0), version,
                                                       sqlite3_column_int64 (stmt, 2),
                                                       (const char *) sqlite3_column_text (stmt, 3),
                                                       _si_store_column_text (stmt, 4), _si_store_column_text (stmt, 5),
                                                       sqlite3_column_int (stmt, 6), (const char * const *) tags,
                                                       version == 0, FALSE));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _si_store_set_error (self, rc, NC_("what failed", "reading an idea's history"), error);
      return NULL;
    }
  if (out_uid)
    *out_uid = g_steal_pointer (&uid);
  if (out_sid)
    *out_sid = sid;
  return g_steal_pointer (&entries);
}

GPtrArray *
_si_store_trash_read (SiStore  *self,
                      gint64    id,
                      GError  **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt;
  int rc;

  stmt = _si_store_prepare (self,
                            "SELECT t.id, t.uid, t.sid, t.version, t.deleted_at, t.created_at, t.updated_at, t.device,"
                            " t.title, t.body, t.pinned, t.tags,"
                            " t.sid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ideas i WHERE i.uid = t.uid)"
                            " FROM trash t WHERE (?1 = 0 OR t.id = ?1)"
                            " AND NOT EXISTS (SELECT 1 FROM ideas i WHERE i.uid = t.uid AND i.state != " SI_SQL_DELETED ")"
                            " ORDER BY t.deleted_at DESC, t.id DESC", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_auto(GStrv) tags = split_tags (_si_store_column_text (stmt, 11));
      SiTrashRow row = {
        .id = sqlite3_column_int64 (stmt, 0),
        .uid = _si_store_column_text (stmt, 1),
        .sid = sqlite3_column_int64 (stmt, 2),
        .version = sqlite3_column_int64 (stmt, 3),
        .deleted_at = sqlite3_column_int64 (stmt, 4),
        .created_at = sqlite3_column_int64 (stmt, 5),
        .updated_at = sqlite3_column_int64 (stmt, 6),
        .device = (const char *) sqlite3_column_text (stmt, 7),
        .title = _si_store_column_text (stmt, 8),
        .body = _si_store_column_text (stmt, 9),
        .pinned = sqlite3_column_int (stmt, 10),
        .tags = (const char * const *) tags,
        .on_server = sqlite3_column_int (stmt, 12),
      };
      g_ptr_array_add (entries, _si_trash_entry_new (&row));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _si_store_set_error (self, rc, NC_("what failed", "reading the Trash"), error);
      return NULL;
    }
  return g_steal_pointer (&entries);
}
