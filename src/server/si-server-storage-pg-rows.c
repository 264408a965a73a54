/* si-server-storage-pg-rows.c — the PostgreSQL backend's records: the row primitives that the
 * record algorithm (si-server-storage-records.c) writes with, and the change feed. Inside a
 * write, If-Match is checked on the row locked with SELECT ... FOR UPDATE, and the UPDATE
 * repeats the check (WHERE version = $if_match); creates are idempotent through the unique
 * constraint (account_id, collection, uid) with INSERT ... ON CONFLICT DO NOTHING. */
#define G_LOG_DOMAIN "saveidea-server"

#include "config.h"

#include "si-server-storage-pg-private.h"

/* ---------------------------------------------------------------------------------------- */
/* records */

/* Reads the RECORD_COLUMNS of row @row, from column @first on. */
static SiWireRecord *
record_from_row (const PGresult *res,
                 int             row,
                 int             first)
{
  SiWireCollection collection = (SiWireCollection) get_int (res, row, first + 12);
  SiWireRecord *record = si_wire_record_new (collection);

  record->id = get_int (res, row, first);
  record->uid = g_strdup (PQgetvalue (res, row, first + 1));
  record->version = get_int (res, row, first + 2);
  record->created_at = get_int (res, row, first + 3);
  record->updated_at = get_int (res, row, first + 4);
  record->deleted = get_bool (res, row, first + 5);
  if (collection == SI_WIRE_COLLECTION_IDEAS)
    {
      g_free (record->title);
      record->title = g_strdup (PQgetvalue (res, row, first + 6));
      g_free (record->body);
      record->body = g_strdup (PQgetvalue (res, row, first + 7));
      record->pinned = get_bool (res, row, first + 8);
      g_array_unref (record->tags);
      record->tags = _si_server_storage_tags_from_text (PQgetvalue (res, row, first + 9));
    }
  else
    {
      g_free (record->name);
      record->name = g_strdup (PQgetvalue (res, row, first + 10));
      g_free (record->colour);
      record->colour = g_strdup (PQgetvalue (res, row, first + 11));
    }
  if (!PQgetisnull (res, row, first + 13))
    record->device = g_strdup (PQgetvalue (res, row, first + 13));
  return record;
}

static const char *
collection_noun (SiWireCollection collection)
{
  return collection == SI_WIRE_COLLECTION_IDEAS ? "idea" : "tag";
}

/* Takes the account's next change number and, with it, the account's row lock until the
 * transaction ends: the writers of one account take turns. */
static gint64
next_version (gpointer   self,
              gint64     account_id,
              GError   **error)
{
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  param_int (&p, account_id);
  res = _si_server_storage_pg_exec_params (self, "UPDATE accounts SET seq = seq + 1 WHERE id = $1 RETURNING seq", &p,
                                           "advance the change sequence", error);
  if (res == NULL)
    return 0;
  if (PQntuples (res) == 0)
    {
      g_set_error_literal (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_NOT_FOUND,
                           "The account does not exist");
      return 0;
    }
  return get_int (res, 0, 0);
}

/* Inside the transaction whose next_version() holds the account's row. */
static gboolean
store_version (gpointer   self,
               gint64     account_id,
               gint64     seq,
               GError   **error)
{
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  param_int (&p, account_id);
  param_int (&p, seq);
  res = _si_server_storage_pg_exec_params (self, "UPDATE accounts SET seq = $2 WHERE id = $1", &p,
                                           "store the change sequence", error);
  return res != NULL;
}

/* @lock: SELECT ... FOR UPDATE (inside a write). */
static SiWireRecord *
load_record (gpointer           self,
             gint64             account_id,
             SiWireCollection   collection,
             gint64             id,
             gboolean           lock,
             GError           **error)
{
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  param_int (&p, id);
  param_int (&p, account_id);
  param_int (&p, collection);
  if (lock)
    res = _si_server_storage_pg_exec_params (self, "SELECT " RECORD_COLUMNS " FROM records"
                             " WHERE id = $1 AND account_id = $2 AND collection = $3 FOR UPDATE",
                       &p, "read a record", error);
  else
    res = _si_server_storage_pg_exec_params (self, "SELECT " RECORD_COLUMNS " FROM records"
                             " WHERE id = $1 AND account_id = $2 AND collection = $3",
                       &p, "read a record", error);
  if (res == NULL)
    return NULL;
  if (PQntuples (res) == 0)
    {
      g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_NOT_FOUND,
                   "There is no %s with id %" G_GINT64_FORMAT, collection_noun (collection), id);
      return NULL;
    }
  return record_from_row (res, 0, 0);
}

/* A record by uid, or NULL (no error) when there is none. */
static SiWireRecord *
load_record_by_uid (gpointer           self,
                    gint64             account_id,
                    SiWireCollection   collection,
                    const char        *uid,
                    GError           **error)
{
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  param_int (&p, account_id);
  param_int (&p, collection);
  param_text (&p, uid);
  res = _si_server_storage_pg_exec_params (self, "SELECT " RECORD_COLUMNS " FROM records"
                           " WHERE account_id = $1 AND collection = $2 AND uid = $3",
                     &p, "read a record", error);
  if (res == NULL || PQntuples (res) == 0)
    return NULL;
  return record_from_row (res, 0, 0);
}

/* The live tag of the account with that name key (other than @except_id), or NULL. */
static SiWireRecord *
load_tag_by_name (gpointer     self,
                  gint64       account_id,
                  const char  *name_key,
                  gint64       except_id,
                  GError     **error)
{
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  param_int (&p, account_id);
  param_text (&p, name_key);
  param_int (&p, except_id);
  res = _si_server_storage_pg_exec_params (self, "SELECT " RECORD_COLUMNS " FROM records"
                           " WHERE account_id = $1 AND collection = 1 AND NOT deleted"
                           " AND name_key = $2 AND id != $3",
                     &p, "look up a tag name", error);
  if (res == NULL || PQntuples (res) == 0)
    return NULL;
  return record_from_row (res, 0, 0);
}

static gboolean
tag_state (gpointer     backend,
           gint64       account_id,
           gint64       id,
           gboolean    *out_found,
           gboolean    *out_deleted,
           GError     **error)
{
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  param_int (&p, id);
  param_int (&p, account_id);
  res = _si_server_storage_pg_exec_params (backend, "SELECT deleted FROM records WHERE id = $1 AND account_id = $2 AND collection = 1",
                                           &p, "look up a tag", error);
  if (res == NULL)
    return FALSE;
  *out_found = PQntuples (res) > 0;
  *out_deleted = *out_found && get_bool (res, 0, 0);
  return TRUE;
}

/* Links a new idea to its tags. */
static gboolean
add_idea_tags (gpointer   self,
               gint64     idea_id,
               GArray    *tags,
               GError   **error)
{
  for (guint i = 0; tags != NULL && i < tags->len; i++)
    {
      g_autoptr(PGresult) inserted = NULL;
      Params q = { 0 };

      param_int (&q, g_array_index (tags, gint64, i));
      param_int (&q, idea_id);
      inserted = _si_server_storage_pg_exec_params (self, "INSERT INTO idea_tags (tag_id, idea_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                                                    &q, "update an idea's tags", error);
      if (inserted == NULL)
        return FALSE;
    }
  return TRUE;
}

/* @fresh: a new idea, linked to no tag yet. */
static gboolean
set_idea_tags (gpointer   self,
               gint64     idea_id,
               GArray    *tags,
               gboolean   fresh,
               GError   **error)
{
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  if (fresh)
    return add_idea_tags (self, idea_id, tags, error);
  param_int (&p, idea_id);
  res = _si_server_storage_pg_exec_params (self, "DELETE FROM idea_tags WHERE idea_id = $1", &p, "update an idea's tags", error);
  return res != NULL && add_idea_tags (self, idea_id, tags, error);
}

/* The fields of @record as parameters, after those already in @p: title, body, pinned, tags,
 * name, name_key, colour (NULL for the other collection's), device. */
static void
param_fields (Params             *p,
              const SiWireRecord *record,
              const char         *tags_text,
              const char         *name_key)
{
  gboolean idea = record->collection == SI_WIRE_COLLECTION_IDEAS;

  param_text (p, idea ? record->title : NULL);
  param_text (p, idea ? record->body : NULL);
  if (idea)
    param_bool (p, record->pinned);
  else
    param_text (p, NULL);
  param_text (p, idea ? tags_text : NULL);
  param_text (p, idea ? NULL : record->name);
  param_text (p, idea ? NULL : name_key);
  param_text (p, idea ? NULL : record->colour);
  param_text (p, record->device);
}

/* ---------------------------------------------------------------------------------------- */
/* rows: what the record algorithm (si-server-storage-records.c) writes with */

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
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  param_int (&p, account_id);
  param_int (&p, record->collection);
  param_text (&p, record->uid);
  param_int (&p, version);
  param_int (&p, record->created_at);
  param_int (&p, record->updated_at);
  param_fields (&p, record, tags_text, name_key);
  param_int (&p, written_at);
  res = _si_server_storage_pg_exec_params (backend,
                                           "INSERT INTO records (account_id, collection, uid, version, created_at, updated_at,"
                                           " title, body, pinned, tags, name, name_key, colour, device, written_at)"
                                           " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
                                           " ON CONFLICT (account_id, collection, uid) DO NOTHING RETURNING " RECORD_COLUMNS,
                                           &p, "store a record", error);
  if (res == NULL || PQntuples (res) == 0)
    return NULL;
  return record_from_row (res, 0, 0);
}

/* The UPDATE repeats the check of If-Match on the locked row. */
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
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  param_int (&p, id);
  param_int (&p, version);
  param_int (&p, record->created_at);
  param_int (&p, record->updated_at);
  param_int (&p, if_match);
  param_fields (&p, record, tags_text, name_key);
  param_int (&p, written_at);
  res = _si_server_storage_pg_exec_params (backend,
                                           "UPDATE records SET version = $2, created_at = $3, updated_at = $4, title = $6,"
                                           " body = $7, pinned = $8, tags = $9, name = $10, name_key = $11, colour = $12,"
                                           " device = $13, written_at = $14, deleted = false"
                                           " WHERE id = $1 AND version = $5 RETURNING " RECORD_COLUMNS,
                                           &p, "update a record", error);
  if (res == NULL)
    return NULL;
  if (PQntuples (res) != 1)
    {
      g_set_error_literal (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_PRECONDITION_FAILED,
                           "The record changed meanwhile");
      return NULL;
    }
  return record_from_row (res, 0, 0);
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
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  param_int (&p, id);
  param_int (&p, version);
  param_int (&p, updated_at);
  param_int (&p, if_match);
  param_int (&p, written_at);
  res = _si_server_storage_pg_exec_params (backend,
                                           "UPDATE records SET version = $2, updated_at = $3, deleted = true, title = NULL,"
                                           " body = NULL, pinned = NULL, tags = NULL, name = NULL, name_key = NULL,"
                                           " colour = NULL, device = NULL, written_at = $5 WHERE id = $1 AND version = $4",
                                           &p, "delete a record", error);
  return res != NULL;
}

/* Locks the account's row (the writers of one account take turns) without taking a number. */
static gboolean
lock_account (gpointer   backend,
              gint64     account_id,
              GError   **error)
{
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  param_int (&p, account_id);
  res = _si_server_storage_pg_exec_params (backend, "SELECT seq FROM accounts WHERE id = $1 FOR UPDATE", &p,
                                           "lock the account", error);
  if (res == NULL)
    return FALSE;
  if (PQntuples (res) == 0)
    {
      g_set_error_literal (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_NOT_FOUND,
                           "The account does not exist");
      return FALSE;
    }
  return TRUE;
}

static gboolean
count_tagged (gpointer   backend,
              gint64     tag_id,
              guint      up_to,
              guint     *out_count,
              GError   **error)
{
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  param_int (&p, tag_id);
  param_int (&p, up_to);
  res = _si_server_storage_pg_exec_params (backend, "SELECT count(*) FROM (SELECT 1 FROM idea_tags WHERE tag_id = $1 LIMIT $2) AS t",
                                           &p, "find the ideas of a tag", error);
  if (res == NULL)
    return FALSE;
  *out_count = (guint) get_int (res, 0, 0);
  return TRUE;
}

/* In one statement. The stored tag list has no duplicates (the codec makes it a set), so one
 * replace() takes the id out. */
static gboolean
untag_ideas (gpointer   backend,
             gint64     account_id,
             gint64     tag_id,
             guint      count,
             GError   **error)
{
  g_autoptr(PGresult) res = NULL;
  char tag_text[24];
  Params p = { 0 };

  g_snprintf (tag_text, sizeof tag_text, "%" G_GINT64_FORMAT, tag_id);
  param_int (&p, account_id);
  param_int (&p, tag_id);
  param_int (&p, count);
  param_text (&p, tag_text);
  res = _si_server_storage_pg_exec_params (backend,
                                           "WITH chunk AS (SELECT idea_id, row_number() OVER (ORDER BY idea_id) AS rn"
                                           "               FROM idea_tags WHERE tag_id = $2 ORDER BY idea_id LIMIT $3),"
                                           " bump AS (UPDATE accounts SET seq = seq + (SELECT count(*) FROM chunk)"
                                           "          WHERE id = $1 RETURNING seq - (SELECT count(*) FROM chunk) AS base),"
                                           " unlinked AS (DELETE FROM idea_tags t USING chunk c"
                                           "              WHERE t.tag_id = $2 AND t.idea_id = c.idea_id)"
                                           " UPDATE records r SET version = b.base + c.rn,"
                                           "  tags = trim(both ',' from replace(',' || r.tags || ',', ',' || $4::text || ',', ','))"
                                           " FROM chunk c, bump b WHERE r.id = c.idea_id AND r.account_id = $1",
                                           &p, "update the ideas of a tag", error);
  return res != NULL;
}


/* ---------------------------------------------------------------------------------------- */
/* rows: kept versions (si-server-storage-history.c) */

static gboolean
history_save (gpointer   backend,
              gint64     account_id,
              gint64     id,
              gint64     now,
              GError   **error)
{
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  param_int (&p, account_id);
  param_int (&p, id);
  param_int (&p, now);
  res = _si_server_storage_pg_exec_params (backend,
                                           "INSERT INTO idea_history (account_id, idea_id, version, written_at, updated_at,"
                                           " device, title, body, pinned, tags, bytes)"
                                           " SELECT account_id, id, version, coalesce(written_at, $3), updated_at, device,"
                                           "  coalesce(title, ''), coalesce(body, ''), coalesce(pinned, false), coalesce(tags, ''),"
                                           "  " G_STRINGIFY (SI_SERVER_HISTORY_ROW_OVERHEAD) " + octet_length(coalesce(title, ''))"
                                           "  + octet_length(coalesce(body, '')) + octet_length(coalesce(tags, ''))"
                                           "  + coalesce(octet_length(device), 0)"
                                           " FROM records WHERE id = $2 AND account_id = $1 AND collection = 2 AND NOT deleted"
                                           " ON CONFLICT DO NOTHING",
                                           &p, "keep a version", error);
  return res != NULL;
}

/* version, updated_at, device, title, body, pinned, tags from column @first on. */
static SiWireRecord *
version_from_row (const PGresult *res,
                  int             row,
                  int             first)
{
  SiWireRecord *record = si_wire_record_new (SI_WIRE_COLLECTION_IDEAS);

  record->version = get_int (res, row, first);
  record->updated_at = get_int (res, row, first + 1);
  if (!PQgetisnull (res, row, first + 2))
    record->device = g_strdup (PQgetvalue (res, row, first + 2));
  g_free (record->title);
  record->title = g_strdup (PQgetvalue (res, row, first + 3));
  g_free (record->body);
  record->body = g_strdup (PQgetvalue (res, row, first + 4));
  record->pinned = get_bool (res, row, first + 5);
  g_array_unref (record->tags);
  record->tags = _si_server_storage_tags_from_text (PQgetvalue (res, row, first + 6));
  return record;
}

static GPtrArray *
history_list (gpointer   backend,
              gint64     account_id,
              gint64     id,
              gint64     before,
              guint      limit,
              GError   **error)
{
  g_autoptr(GPtrArray) versions = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_record_free);
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  param_int (&p, account_id);
  param_int (&p, id);
  param_int (&p, before > 0 ? before : G_MAXINT64);
  param_int (&p, limit);
  res = _si_server_storage_pg_exec_params (backend,
                                           "SELECT version, updated_at, device, title, body, pinned, tags FROM idea_history"
                                           " WHERE account_id = $1 AND idea_id = $2 AND version < $3"
                                           " ORDER BY version DESC LIMIT $4",
                                           &p, "list the kept versions", error);
  if (res == NULL)
    return NULL;
  for (int i = 0; i < PQntuples (res); i++)
    g_ptr_array_add (versions, version_from_row (res, i, 0));
  return g_steal_pointer (&versions);
}

static gboolean
history_purge (gpointer   backend,
               gint64     account_id,
               gint64     id,
               GError   **error)
{
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  param_int (&p, account_id);
  param_int (&p, id);
  res = _si_server_storage_pg_exec_params (backend, "DELETE FROM idea_history WHERE account_id = $1 AND idea_id = $2",
                                           &p, "remove the kept versions", error);
  return res != NULL;
}

#define TRASH_SELECT \
  "SELECT r.id, r.uid, r.version, coalesce(r.written_at, r.updated_at), r.created_at," \
  " h.version, h.updated_at, h.device, h.title, h.body, h.pinned, h.tags" \
  " FROM records r JOIN idea_history h ON h.account_id = r.account_id AND h.idea_id = r.id" \
  "  AND h.version = (SELECT max(version) FROM idea_history m WHERE m.account_id = r.account_id AND m.idea_id = r.id)" \
  " WHERE r.account_id = $1 AND r.collection = 2 AND r.deleted" \
  "  AND coalesce(r.written_at, r.updated_at) >= $2 AND r.version < $3"

static GPtrArray *
trash_list (gpointer   backend,
            gint64     account_id,
            gint64     id,
            gint64     deleted_since,
            gint64     before,
            guint      limit,
            GError   **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_trash_entry_free);
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  param_int (&p, account_id);
  param_int (&p, deleted_since);
  param_int (&p, before > 0 ? before : G_MAXINT64);
  param_int (&p, limit);
  if (id > 0)
    {
      param_int (&p, id);
      res = _si_server_storage_pg_exec_params (backend, TRASH_SELECT " AND r.id = $5 ORDER BY r.version DESC LIMIT $4",
                                               &p, "list the trash", error);
    }
  else
    res = _si_server_storage_pg_exec_params (backend, TRASH_SELECT " ORDER BY r.version DESC LIMIT $4",
                                             &p, "list the trash", error);
  if (res == NULL)
    return NULL;
  for (int i = 0; i < PQntuples (res); i++)
    {
      SiWireRecord *record = version_from_row (res, i, 5);

      record->id = get_int (res, i, 0);
      record->uid = g_strdup (PQgetvalue (res, i, 1));
      record->version = get_int (res, i, 2);
      record->created_at = get_int (res, i, 4);
      record->deleted = TRUE;
      g_ptr_array_add (entries, si_wire_trash_entry_new (record, get_int (res, i, 3)));
    }
  return g_steal_pointer (&entries);
}

static GArray *
history_meta (gpointer   backend,
              gint64     account_id,
              gint64     after_idea,
              guint      max_rows,
              GError   **error)
{
  g_autoptr(GArray) meta = g_array_new (FALSE, TRUE, sizeof (SiServerHistoryMeta));
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  /* Whole ideas: up to the idea of the row max_rows rows on. */
  param_int (&p, account_id);
  param_int (&p, after_idea);
  param_int (&p, MAX (max_rows, 1));
  res = _si_server_storage_pg_exec_params (backend,
                                           "SELECT h.id, h.idea_id, h.version, h.written_at, h.bytes,"
                                           " CASE WHEN r.deleted THEN coalesce(r.written_at, r.updated_at) ELSE 0 END"
                                           " FROM idea_history h JOIN records r ON r.id = h.idea_id"
                                           " WHERE h.account_id = $1 AND h.idea_id > $2 AND h.idea_id <= coalesce("
                                           "  (SELECT idea_id FROM idea_history WHERE account_id = $1 AND idea_id > $2"
                                           "   ORDER BY idea_id LIMIT 1 OFFSET $3), 9223372036854775807)"
                                           " ORDER BY h.idea_id, h.version DESC",
                                           &p, "read the kept versions", error);
  if (res == NULL)
    return NULL;
  for (int i = 0; i < PQntuples (res); i++)
    {
      SiServerHistoryMeta m = { 0 };

      m.row_id = get_int (res, i, 0);
      m.idea_id = get_int (res, i, 1);
      m.version = get_int (res, i, 2);
      m.written_at = get_int (res, i, 3);
      m.bytes = get_int (res, i, 4);
      m.deleted_at = get_int (res, i, 5);
      g_array_append_val (meta, m);
    }
  return g_steal_pointer (&meta);
}

static GArray *
history_oldest (gpointer   backend,
                gint64     account_id,
                gint64     after_written,
                gint64     after_row,
                gint64     trash_since,
                guint      limit,
                GError   **error)
{
  g_autoptr(GArray) meta = g_array_new (FALSE, TRUE, sizeof (SiServerHistoryMeta));
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  param_int (&p, account_id);
  param_int (&p, after_written);
  param_int (&p, after_row);
  param_int (&p, trash_since);
  param_int (&p, limit);
  res = _si_server_storage_pg_exec_params (backend,
                                           "SELECT h.id, h.idea_id, h.version, h.written_at, h.bytes,"
                                           " r.deleted AND coalesce(r.written_at, r.updated_at) >= $4 AND h.version ="
                                           "  (SELECT max(version) FROM idea_history m WHERE m.account_id = h.account_id"
                                           "   AND m.idea_id = h.idea_id)"
                                           " FROM idea_history h JOIN records r ON r.id = h.idea_id"
                                           " WHERE h.account_id = $1 AND (h.written_at, h.id) > ($2::bigint, $3::bigint)"
                                           " ORDER BY h.written_at, h.id LIMIT $5",
                                           &p, "read the kept versions", error);
  if (res == NULL)
    return NULL;
  for (int i = 0; i < PQntuples (res); i++)
    {
      SiServerHistoryMeta m = { 0 };

      m.row_id = get_int (res, i, 0);
      m.idea_id = get_int (res, i, 1);
      m.version = get_int (res, i, 2);
      m.written_at = get_int (res, i, 3);
      m.bytes = get_int (res, i, 4);
      m.protected = get_bool (res, i, 5);
      g_array_append_val (meta, m);
    }
  return g_steal_pointer (&meta);
}

static gboolean
history_bytes (gpointer   backend,
               gint64     account_id,
               guint64   *out_bytes,
               GError   **error)
{
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  param_int (&p, account_id);
  res = _si_server_storage_pg_exec_params (backend, "SELECT coalesce(sum(bytes), 0) FROM idea_history WHERE account_id = $1",
                                           &p, "count the kept versions", error);
  if (res == NULL)
    return FALSE;
  *out_bytes = (guint64) MAX (get_int (res, 0, 0), 0);
  return TRUE;
}

static gboolean
history_delete (gpointer   backend,
                GArray    *row_ids,
                GError   **error)
{
  g_autoptr(GString) ids = g_string_new ("{");
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  for (guint i = 0; i < row_ids->len; i++)
    g_string_append_printf (ids, "%s%" G_GINT64_FORMAT, i ? "," : "", g_array_index (row_ids, gint64, i));
  g_string_append_c (ids, '}');
  param_text (&p, ids->str);
  res = _si_server_storage_pg_exec_params (backend, "DELETE FROM idea_history WHERE id = ANY($1::bigint[])",
                                           &p, "drop kept versions", error);
  return res != NULL;
}

const SiServerStorageRowOps _si_server_storage_pg_row_ops = {
  .tx_begin = _si_server_storage_pg_tx_begin,
  .tx_end = _si_server_storage_pg_tx_end,
  .exec = _si_server_storage_pg_exec_simple,
  .next_version = next_version,
  .store_version = store_version,
  .lock_account = lock_account,
  .load = load_record,
  .load_by_uid = load_record_by_uid,
  .insert = insert_record,
  .update = update_record,
  .tombstone = tombstone_record,
  .set_idea_tags = set_idea_tags,
  .count_tagged = count_tagged,
  .untag_ideas = untag_ideas,
  .history_save = history_save,
  .history_list = history_list,
  .history_purge = history_purge,
  .trash_list = trash_list,
  .history_meta = history_meta,
  .history_oldest = history_oldest,
  .history_bytes = history_bytes,
  .history_delete = history_delete,
  .scrub = NULL,  /* rows are deleted; docs/security.md says what VACUUM does */
  .lookups = { tag_state, load_tag_by_name },
};

SiWirePage *
_si_server_storage_pg_records_list (SiServerStorage   *storage,
                                    gint64             account_id,
                                    SiWireCollection   collection,
                                    gint64             since,
                                    guint              limit,
                                    GError           **error)
{
  gpointer self = storage;
  g_autoptr(SiWirePage) page = si_wire_page_new ();
  g_autoptr(PGresult) res = NULL;
  Params p = { 0 };

  g_return_val_if_fail (limit > 0, NULL);

  /* One statement, one snapshot: the account's sequence, then the records up to it. Every
   * change numbered up to it has committed (the writers of an account take turns on its row),
   * so none is missing, and anything committed later has a higher version and comes in a later
   * page. An empty page is one row of NULLs beside the sequence. */
  param_int (&p, account_id);
  param_int (&p, since);
  param_int (&p, (gint64) limit + 1);
  if (collection == SI_SERVER_STORAGE_ALL_COLLECTIONS)
    res = _si_server_storage_pg_exec_params (self, "SELECT a.seq, r.* FROM accounts a LEFT JOIN LATERAL"
                             " (SELECT " RECORD_COLUMNS " FROM records WHERE account_id = a.id"
                             "  AND version > $2 AND version <= a.seq ORDER BY version LIMIT $3) r ON true"
                             " WHERE a.id = $1",
                       &p, "list records", error);
  else
    {
      param_int (&p, collection);
      res = _si_server_storage_pg_exec_params (self, "SELECT a.seq, r.* FROM accounts a LEFT JOIN LATERAL"
                               " (SELECT " RECORD_COLUMNS " FROM records WHERE account_id = a.id"
                               "  AND collection = $4 AND version > $2 AND version <= a.seq"
                               "  ORDER BY version LIMIT $3) r ON true"
                               " WHERE a.id = $1",
                         &p, "list records", error);
    }
  if (res == NULL)
    return NULL;
  if (PQntuples (res) == 0)
    {
      g_set_error_literal (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_NOT_FOUND,
                           "The account does not exist");
      return NULL;
    }
  page->cursor = get_int (res, 0, 0);
  for (int i = 0; i < PQntuples (res); i++)
    if (!PQgetisnull (res, i, 1))
      g_ptr_array_add (page->records, record_from_row (res, i, 1));

  if (page->records->len > limit)
    {
      gint64 latest = page->cursor;
      g_autoptr(PGresult) count = NULL;
      Params c = { 0 };

      g_ptr_array_set_size (page->records, limit);
      page->more = TRUE;
      page->cursor = ((SiWireRecord *) g_ptr_array_index (page->records, limit - 1))->version;

      /* How many follow, for the client's "1,200 of 5,000": counted on the same index. */
      param_int (&c, account_id);
      param_int (&c, page->cursor);
      param_int (&c, latest);
      if (collection == SI_SERVER_STORAGE_ALL_COLLECTIONS)
        count = _si_server_storage_pg_exec_params (self, "SELECT count(*) FROM records"
                                   " WHERE account_id = $1 AND version > $2 AND version <= $3",
                             &c, "count records", error);
      else
        {
          param_int (&c, collection);
          count = _si_server_storage_pg_exec_params (self, "SELECT count(*) FROM records WHERE account_id = $1"
                                     " AND collection = $4 AND version > $2 AND version <= $3",
                               &c, "count records", error);
        }
      if (count == NULL)
        return NULL;
      page->remaining = get_int (count, 0, 0);
    }
  return g_steal_pointer (&page);
}
