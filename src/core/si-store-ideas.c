/* si-store-ideas.c — the ideas table and its tag links: reading, saving, deleting, restoring.
 *
 * Every statement on the ideas rows (and idea_tags) lives here, except the sync bookkeeping
 * columns that si-store-sync.c sets for every collection alike.
 */
#define G_LOG_DOMAIN "saveidea-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "si-device.h"
#include "si-history-private.h"
#include "si-record-private.h"
#include "si-store-private.h"

#define IDEA_COLUMNS \
  "i.id, i.uid, i.sid, i.version, i.generation, i.state, i.title, i.body, i.pinned, " \
  "i.created_at, i.updated_at, i.conflict_of, i.sync_error, i.device"

/* Reading records ----------------------------------------------------------------------------------- */

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
                            " WHERE it.idea_id = ?1 AND t.state != " SI_SQL_DELETED " ORDER BY t.name COLLATE si_natural", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, si_idea_get_id (idea));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
      g_ptr_array_add (names, g_strdup (_si_store_column_text (stmt, 1)));
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

  _si_store_read_meta (stmt, &meta);
  meta.created_at = sqlite3_column_int64 (stmt, 9);
  meta.updated_at = sqlite3_column_int64 (stmt, 10);

  g_object_freeze_notify (G_OBJECT (idea));
  _si_idea_set_meta (idea, &meta);
  si_idea_set_title (idea, _si_store_column_text (stmt, 6));
  si_idea_set_body (idea, _si_store_column_text (stmt, 7));
  si_idea_set_pinned (idea, sqlite3_column_int (stmt, 8));
  _si_idea_set_conflict (idea, sqlite3_column_int64 (stmt, 11),
                         (const char *) sqlite3_column_text (stmt, 12));
  _si_idea_set_device (idea, (const char *) sqlite3_column_text (stmt, 13));
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
          NamedTag tag = { g_strdup (_si_store_column_text (stmt, 0)), g_strdup (_si_store_column_text (stmt, 1)) };
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

/* A line for idea @id in the change log. */
static gboolean
log_idea (SiStore     *self,
          gint64       id,
          const char  *what,
          GError     **error)
{
  sqlite3_stmt *stmt = _si_store_prepare (self, "INSERT INTO change_log (collection, record_id) VALUES ('ideas', ?1)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  return _si_store_step_done (self, stmt, what, error);
}

/* What the insert triggers wrote up to schema 9 (si-store-schema.c), for idea @id inserted
 * outside a pulled page: it waits for the search index, has its line in the change log, and
 * counts when @live. */
static gboolean
note_inserted_idea (SiStore     *self,
                    gint64       id,
                    gboolean     live,
                    const char  *what,
                    GError     **error)
{
  sqlite3_stmt *stmt = _si_store_prepare (self, "INSERT OR IGNORE INTO search_pending (id) VALUES (?1)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!_si_store_step_done (self, stmt, what, error) || !log_idea (self, id, what, error))
    return FALSE;
  if (!live)
    return TRUE;
  stmt = _si_store_prepare (self, "UPDATE idea_count SET n = n + 1", error);
  return stmt != NULL && _si_store_step_done (self, stmt, what, error);
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
  SiSyncPage *page = _si_store_get_page (self);
  gboolean added = FALSE;
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
      if (stmt != ins || sqlite3_changes (_si_store_get_db (self)) == 0)
        continue;
      added = TRUE;
      /* A new link's line in the change log (schema 10 has no insert trigger for it: see
       * si-store-schema.c), except in a pulled page, below. */
      if (page == NULL && !log_idea (self, idea_id, NC_("what failed", "saving an idea's tags"), error))
        return FALSE;
    }
  /* In a pulled page, an idea inserted in the page gets its line at the page's end, an older
   * one gets one here. */
  if (added && page != NULL && idea_id <= page->max_id)
    return log_idea (self, idea_id, NC_("what failed", "saving an idea's tags"), error);
  return TRUE;
}

/* The one INSERT of an idea, for a save and for a pull alike; then its tag links. */
gint64
_si_store_insert_idea (SiStore               *self,
                       const SiStoreNewIdea  *row,
                       const char            *what,
                       GError               **error)
{
  g_autoptr(GString) tags = NULL;
  g_autoptr(GArray) none = NULL;
  SiSyncPage *page;
  sqlite3_stmt *stmt;
  gint64 id;
  int rc;

  /* The ids once each (they are sorted), so that the join below names each tag once. */
  if (row->tag_names == NULL && row->n_tags > 0)
    {
      tags = g_string_new ("[");
      for (guint i = 0; i < row->n_tags; i++)
        if (i == 0 || row->tag_ids[i] != row->tag_ids[i - 1])
          g_string_append_printf (tags, "%s%" G_GINT64_FORMAT, i ? "," : "", row->tag_ids[i]);
      g_string_append_c (tags, ']');
    }
  /* The tags' names joined to the list rather than looked up with `id IN (SELECT ...)`, which
   * built a temporary table for every idea (a sixth of a pulled idea's insert). */
  stmt = _si_store_prepare (self,
                            "INSERT INTO ideas (uid, sid, version, generation, state, title, body, pinned,"
                            " created_at, updated_at, base, device, tag_names)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?14, coalesce (?12,"
                            " (SELECT coalesce (group_concat (name, ' '), '') FROM (SELECT t.name AS name"
                            "   FROM json_each (?13) AS j CROSS JOIN tags AS t ON t.id = j.value"
                            "   WHERE t.state != " SI_SQL_DELETED " ORDER BY t.name_key))))", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, row->uid, -1, SQLITE_STATIC);
  if (row->sid > 0)
    sqlite3_bind_int64 (stmt, 2, row->sid);
  sqlite3_bind_int64 (stmt, 3, row->version);
  sqlite3_bind_int64 (stmt, 4, row->generation);
  sqlite3_bind_int (stmt, 5, row->state);
  sqlite3_bind_text (stmt, 6, row->title ? row->title : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, row->body ? row->body : "", -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 8, row->pinned ? 1 : 0);
  sqlite3_bind_int64 (stmt, 9, row->created_at);
  sqlite3_bind_int64 (stmt, 10, row->updated_at);
  sqlite3_bind_text (stmt, 11, row->base, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 14, row->device, -1, SQLITE_STATIC);
  if (row->tag_names != NULL)
    sqlite3_bind_text (stmt, 12, row->tag_names, -1, SQLITE_STATIC);
  else if (tags != NULL)
    sqlite3_bind_text (stmt, 13, tags->str, -1, SQLITE_STATIC);
  else
    sqlite3_bind_text (stmt, 12, "", 0, SQLITE_STATIC);   /* no tags: no names to look up */
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc == SQLITE_CONSTRAINT_UNIQUE)
    {
      g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_EXISTS,
                   _("An idea with the uid %s exists already."), row->uid);
      return 0;
    }
  if (rc != SQLITE_DONE)
    {
      _si_store_set_error (self, rc, what, error);
      return 0;
    }
  id = sqlite3_last_insert_rowid (_si_store_get_db (self));
  /* A pulled page writes the search and change-log lines of all its new ideas at its end,
   * and adds up their count. */
  if ((page = _si_store_get_page (self)) != NULL)
    {
      if (row->state != SI_SYNC_STATE_DELETED)
        page->live_inserts++;
    }
  else if (!note_inserted_idea (self, id, row->state != SI_SYNC_STATE_DELETED, what, error))
    return 0;
  none = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (!write_idea_tags (self, id, none, row->tag_ids, row->n_tags, error))
    return 0;
  return id;
}

/* Removes idea @id at once, tombstone or not, with its tag links: the server no longer has it. */
gboolean
_si_store_purge_idea (SiStore  *self,
                      gint64    id,
                      GError  **error)
{
  sqlite3_stmt *stmt = _si_store_prepare (self, "DELETE FROM ideas WHERE id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  return _si_store_step_done (self, stmt, NC_("what failed", "deleting an idea"), error);
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
  g_autofree char *device = NULL;
  const gint64 *tag_ids;
  sqlite3_stmt *stmt;
  guint n_tags;
  int rc;

  /* A local edit is this device's; data from the server says whose it is. */
  device = local ? si_device_dup_name (self) : g_strdup (si_idea_get_device (idea));
  tag_ids = si_idea_get_tag_ids (idea, &n_tags);
  if (!(tag_names = collect_tag_names (self, tag_ids, n_tags, error)))
    return FALSE;

  if (id == 0)
    {
      g_autofree char *uid = g_strdup (si_idea_get_uid (idea));
      gint64 created = si_idea_get_created_at (idea);
      gint64 updated = si_idea_get_updated_at (idea);
      SiStoreNewIdea row = { 0, };

      if (uid == NULL)
        uid = _si_record_new_uid ();
      row.uid = uid;
      row.generation = local ? 1 : 0;
      row.state = local ? SI_SYNC_STATE_CREATED : SI_SYNC_STATE_SYNCED;
      row.title = si_idea_get_title (idea);
      row.body = si_idea_get_body (idea);
      row.pinned = si_idea_get_pinned (idea);
      row.created_at = created > 0 ? created : now;
      row.updated_at = updated > 0 ? updated : (created > 0 ? created : now);
      row.tag_ids = tag_ids;
      row.n_tags = n_tags;
      row.tag_names = tag_names;
      row.device = device;
      id = _si_store_insert_idea (self, &row, NC_("what failed", "saving a new idea"), error);
      if (id == 0)
        return FALSE;
      *out_id = id;
      return TRUE;
    }
  else
    {
      gboolean same;

      stmt = _si_store_prepare (self, "SELECT title, body, pinned, device FROM ideas WHERE id = ?1 AND state != " SI_SQL_DELETED, error);
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
      same = g_str_equal (_si_store_column_text (stmt, 0), si_idea_get_title (idea)) &&
             g_str_equal (_si_store_column_text (stmt, 1), si_idea_get_body (idea)) &&
             sqlite3_column_int (stmt, 2) == si_idea_get_pinned (idea) &&
             (local || g_strcmp0 ((const char *) sqlite3_column_text (stmt, 3), device) == 0);
      sqlite3_reset (stmt);

      if (!(current = read_tag_ids (self, id, error)))
        return FALSE;

      /* Saving what is already there is no edit: it must not make the idea dirty. */
      if (same && same_ids (current, tag_ids, n_tags))
        {
          *out_id = id;
          return TRUE;
        }

      /* The first local edit of a server version keeps that version in the idea's history. */
      if (local && !_si_store_history_note (self, id, FALSE, error))
        return FALSE;

      stmt = _si_store_prepare (self,
                                "UPDATE ideas SET title = ?2, body = ?3, pinned = ?4, updated_at = ?5,"
                                " tag_names = ?7, device = ?8, generation = generation + ?6,"
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
      sqlite3_bind_text (stmt, 8, device, -1, SQLITE_STATIC);
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

  if (!_si_store_validate_text (si_idea_get_title (idea), SI_STORE_FIELD_TITLE, error) ||
      !_si_store_validate_text (si_idea_get_body (idea), SI_STORE_FIELD_BODY, error))
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
  if (!_si_store_read_sync_state (self, "SELECT state, sid FROM ideas WHERE id = ?1", id, &state, &sid, error))
    goto fail;

  /* A person's deletion keeps the idea's content in the Trash. */
  if (local && !_si_store_trash_keep (self, id, error))
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
        _si_idea_set_device (copy, si_idea_get_device (idea));
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
  /* Undone: out of the Trash. */
  if (!_si_store_trash_forget (self, si_idea_get_uid (idea), FALSE, error))
    goto fail;

  if (!_si_store_commit (self, error))
    return FALSE;
  return refresh_idea (self, idea, id, error);

fail:
  _si_store_rollback (self);
  return FALSE;
}

/**
 * _si_store_dup_copy_title:
 * @title: the title both versions have
 * @device: (nullable): the device that wrote the copy
 * @written: when the copy was written (µs since the epoch)
 * @now: the time now, to leave the date out when it is today
 *
 * The title Keep Both gives a conflicted copy, so that the two ideas can be told apart:
 * "Trip (copy from laptop, 14:03)", at most %SI_TITLE_MAX_CHARS characters (the original title
 * is shortened to fit).
 */
char *
_si_store_dup_copy_title (const char *title,
                          const char *device,
                          gint64      written,
                          gint64      now)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (written / G_USEC_PER_SEC);
  g_autoptr(GDateTime) today = g_date_time_new_from_unix_local (now / G_USEC_PER_SEC);
  g_autofree char *time = NULL;
  g_autofree char *note = NULL;
  g_autofree char *shortened = NULL;
  glong room;

  if (when == NULL || today == NULL)
    time = g_strdup ("");
  else if (g_date_time_get_year (when) == g_date_time_get_year (today) &&
           g_date_time_get_day_of_year (when) == g_date_time_get_day_of_year (today))
    /* Translators: the time in the title of a conflicted copy kept with Keep Both, written today;
     * see the strftime manual: "14:03" */
    time = g_date_time_format (when, C_("copy title", "%H:%M"));
  else
    /* Translators: the date and time in the title of a conflicted copy kept with Keep Both,
     * written on another day; see the strftime manual: "5 Dec, 14:03" */
    time = g_date_time_format (when, C_("copy title", "%-d %b, %H:%M"));
  if (time == NULL)
    time = g_strdup ("");

  if (device && device[0])
    /* Translators: what Keep Both adds to a conflicted copy's title: "(copy from laptop, 14:03)";
     * the first %s is the device that wrote it, the second the time */
    note = g_strdup_printf (_("(copy from %s, %s)"), device, time);
  else
    /* Translators: what Keep Both adds to a conflicted copy's title, when the device that wrote
     * it is not known: "(copy, 14:03)" */
    note = g_strdup_printf (_("(copy, %s)"), time);
  if (title == NULL || title[0] == '\0')
    return g_steal_pointer (&note);

  room = SI_TITLE_MAX_CHARS - g_utf8_strlen (note, -1) - 1;
  if (g_utf8_strlen (title, -1) > room)
    {
      g_autofree char *cut = g_utf8_substring (title, 0, MAX (room - 1, 0));
      title = shortened = g_strconcat (cut, "…", NULL);
    }
  /* Translators: a conflicted copy's title: "Trip" and "(copy from laptop, 14:03)" */
  return g_strdup_printf (C_("copy title", "%s %s"), title, note);
}

/**
 * si_store_save_conflicted_copy:
 * @idea: a new idea (not in the store yet) holding one version's content
 * @of: the idea whose other version stays in place
 * @error: SI_STORE_ERROR_NOT_FOUND when @of is gone
 *
 * Saves @idea as a local edit marked as a conflicted copy of @of, in one transaction: what the
 * sync engine does when edits overlap, for an edit the store has not seen (the editor's, when
 * another program changed the idea while it was being typed).
 */
gboolean
si_store_save_conflicted_copy (SiStore  *self,
                               SiIdea   *idea,
                               gint64    of,
                               GError  **error)
{
  sqlite3_stmt *stmt;
  gint64 id = 0;

  g_return_val_if_fail (SI_IS_STORE (self), FALSE);
  g_return_val_if_fail (SI_IS_IDEA (idea) && si_idea_get_id (idea) == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_si_store_validate_text (si_idea_get_title (idea), SI_STORE_FIELD_TITLE, error) ||
      !_si_store_validate_text (si_idea_get_body (idea), SI_STORE_FIELD_BODY, error))
    return FALSE;
  if (!_si_store_begin (self, error))
    return FALSE;
  if (_si_store_query_id (self, "SELECT count (*) FROM ideas WHERE id = ?1 AND state != " SI_SQL_DELETED, of) == 0)
    {
      g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND,
                   /* Translators: %lld is the idea's number. */
                   _("There is no idea %lld."), (long long) of);
      goto fail;
    }
  if (!save_idea_in_transaction (self, idea, SI_SAVE_LOCAL, &id, error) ||
      !(stmt = _si_store_prepare (self, "UPDATE ideas SET conflict_of = ?2 WHERE id = ?1", error)))
    goto fail;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, of);
  if (!_si_store_step_done (self, stmt, NC_("what failed", "keeping a conflicted copy"), error))
    goto fail;
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
      /* Two ideas of one title would be told apart only by reading them: the copy says where
       * and when it was written. Here, so that the app and saveidea-cli do the same. */
      if (other && g_strcmp0 (si_idea_get_title (copy), si_idea_get_title (other)) == 0)
        {
          g_autofree char *device = si_idea_get_device (copy) ? g_strdup (si_idea_get_device (copy))
                                                               : si_device_dup_name (self);
          g_autofree char *title = _si_store_dup_copy_title (si_idea_get_title (copy), device,
                                                             si_idea_get_updated_at (copy),
                                                             g_get_real_time ());

          si_idea_set_title (copy, title);
          if (!save_idea_in_transaction (self, copy, SI_SAVE_LOCAL, &remaining, error))
            goto fail;
        }
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
      /* The copy's text lives on in the other idea: not in the Trash too. (A copy set aside
       * with Keep Other stays there, to be brought back.) */
      if (choice == SI_CONFLICT_KEEP_COPY &&
          !_si_store_trash_forget (self, si_idea_get_uid (copy), FALSE, error))
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

/* For a sync's push ----------------------------------------------------------------------------- */

gboolean
_si_store_read_ideas (SiStore             *self,
                      const gint64        *ids,
                      guint                n_ids,
                      SiStoreIdeaRowFunc   func,
                      gpointer             user_data,
                      GError             **error)
{
  g_autofree char *json = NULL;
  g_autoptr(GHashTable) tags = NULL;   /* idea id -> GArray of tag ids */
  sqlite3_stmt *stmt;
  int rc;

  if (n_ids == 0)
    return TRUE;
  json = _si_store_ids_json (ids, n_ids);

  /* The live tags of each, in the order of their ids, as an SiIdea holds them. */
  stmt = _si_store_prepare (self,
                            "SELECT it.idea_id, t.id FROM idea_tags it JOIN tags t ON t.id = it.tag_id"
                            " WHERE it.idea_id IN (SELECT value FROM json_each (?1)) AND t.state != " SI_SQL_DELETED
                            " ORDER BY it.idea_id, it.tag_id", error);
  if (stmt == NULL)
    return FALSE;
  tags = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) g_array_unref);
  sqlite3_bind_text (stmt, 1, json, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 idea = sqlite3_column_int64 (stmt, 0);
      gint64 tag = sqlite3_column_int64 (stmt, 1);
      GArray *list = g_hash_table_lookup (tags, &idea);

      if (list == NULL)
        {
          list = g_array_new (FALSE, FALSE, sizeof (gint64));
          g_hash_table_insert (tags, g_memdup2 (&idea, sizeof idea), list);
        }
      g_array_append_val (list, tag);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    return _si_store_set_error (self, rc, NC_("what failed", "reading an idea's tags"), error);

  stmt = _si_store_prepare (self,
                            "SELECT i.id, i.uid, i.sid, i.version, i.generation, i.state, i.title, i.body, i.pinned,"
                            " i.created_at, i.updated_at, i.device FROM ideas i"
                            " WHERE i.id IN (SELECT value FROM json_each (?1)) AND i.state != " SI_SQL_DELETED, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, json, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      GArray *list = g_hash_table_lookup (tags, &id);
      SiStoreNewIdea row = { 0, };

      row.uid = _si_store_column_text (stmt, 1);
      row.sid = sqlite3_column_int64 (stmt, 2);
      row.version = sqlite3_column_int64 (stmt, 3);
      row.generation = sqlite3_column_int64 (stmt, 4);
      row.state = sqlite3_column_int (stmt, 5);
      row.title = _si_store_column_text (stmt, 6);
      row.body = _si_store_column_text (stmt, 7);
      row.pinned = sqlite3_column_int (stmt, 8) != 0;
      row.created_at = sqlite3_column_int64 (stmt, 9);
      row.updated_at = sqlite3_column_int64 (stmt, 10);
      row.device = (const char *) sqlite3_column_text (stmt, 11);
      if (list != NULL)
        {
          row.tag_ids = (const gint64 *) (gpointer) list->data;
          row.n_tags = list->len;
        }
      func (id, &row, user_data);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    return _si_store_set_error (self, rc, NC_("what failed", "reading an idea"), error);
  return TRUE;
}

/* For the importer ---------------------------------------------------------------------------- */

gboolean
_si_store_foreach_idea_text (SiStore              *self,
                             SiStoreIdeaTextFunc   func,
                             gpointer              user_data,
                             GError              **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _si_store_prepare (self, "SELECT id, title, body FROM ideas WHERE state != " SI_SQL_DELETED, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    func ((const char *) sqlite3_column_text (stmt, 1), (const char *) sqlite3_column_text (stmt, 2),
          sqlite3_column_int64 (stmt, 0), user_data);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _si_store_set_error (self, rc, NC_("what failed", "looking for an idea"), error);
  return TRUE;
}

gboolean
_si_store_find_idea_text (SiStore     *self,
                          gint64       id,
                          const char  *title,
                          const char  *body,
                          gboolean    *found,
                          GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  *found = FALSE;
  if (id > 0)
    stmt = _si_store_prepare (self, "SELECT 1 FROM ideas WHERE id = ?3 AND title = ?1 AND body = ?2"
                                    " AND state != " SI_SQL_DELETED, error);
  else
    stmt = _si_store_prepare (self, "SELECT 1 FROM ideas WHERE title = ?1 AND body = ?2"
                                    " AND state != " SI_SQL_DELETED " LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, title, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, body, -1, SQLITE_STATIC);
  if (id > 0)
    sqlite3_bind_int64 (stmt, 3, id);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _si_store_set_error (self, rc, NC_("what failed", "looking for an idea"), error);
  *found = rc == SQLITE_ROW;
  return TRUE;
}

gboolean
_si_store_set_idea_updated_at (SiStore  *self,
                               gint64    id,
                               gint64    updated_at,
                               GError  **error)
{
  sqlite3_stmt *stmt = _si_store_prepare (self, "UPDATE ideas SET updated_at = ?2 WHERE id = ?1 AND updated_at != ?2", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, updated_at);
  return _si_store_step_done (self, stmt, NC_("what failed", "keeping an idea's time"), error);
}

/* Conflicted copies ----------------------------------------------------------------------------- */

guint
_si_store_sync_count_conflicts (SiStore *self)
{
  return (guint) _si_store_query_id (self, "SELECT count (*) FROM ideas WHERE conflict_of IS NOT NULL AND state != " SI_SQL_DELETED " AND ?1", 1);
}
