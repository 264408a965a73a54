/* si-store-tags.c — the tags table: reading, saving, renaming, deleting, listing. */
#define G_LOG_DOMAIN "saveidea-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "si-record-private.h"
#include "si-store-private.h"

#define TAG_COLUMNS \
  "t.id, t.uid, t.sid, t.version, t.generation, t.state, t.name, t.colour, t.created_at, t.updated_at"

/* Validation -------------------------------------------------------------------------------------- */

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

      _si_store_read_meta (stmt, &meta);
      meta.created_at = sqlite3_column_int64 (stmt, 8);
      meta.updated_at = sqlite3_column_int64 (stmt, 9);
      tag = g_object_new (SI_TYPE_TAG, NULL);
      _si_tag_set_meta (tag, &meta);
      si_tag_set_name (tag, _si_store_column_text (stmt, 6));
      si_tag_set_colour (tag, _si_store_column_text (stmt, 7));
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
      _si_store_validate_text (name, SI_STORE_FIELD_TAG_NAME, error);
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
  if (!_si_store_validate_text (name, SI_STORE_FIELD_TAG_NAME, error))
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
        uid = _si_record_new_uid ();
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

      if (!_si_store_read_sync_state (self, "SELECT state, sid FROM tags WHERE id = ?1", id, &state, &sid, error))
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
  *out_id = id ? id : sqlite3_last_insert_rowid (_si_store_get_db (self));
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
  if (!_si_store_read_sync_state (self, "SELECT state, sid FROM tags WHERE id = ?1", id, &state, &sid, error))
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
 * Returns: (transfer full) (element-type SiTag): every tag, by name as a person reads it
 *   (si_text_natural_compare(): t2 before t10, case ignored), with its idea count
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

  if (!(stmt = _si_store_prepare (self, "SELECT id FROM tags WHERE state != " SI_SQL_DELETED " ORDER BY name COLLATE si_natural", error)))
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
