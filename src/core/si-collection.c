/* si-collection.c — collection declarations, and the codecs of Saveidea's ideas and tags. */
#define G_LOG_DOMAIN "saveidea-sync"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "si-collection.h"
#include "si-record-private.h"
#include "si-store-private.h"
#include "si-wire-write.h"

struct _SiCollection {
  gatomicrefcount    ref;
  char              *name;
  char              *path;
  SiWireCollection   wire;
  SiCollectionCodec  codec;
  GArray            *keys;   /* SiCollectionKey, strings interned */
  gboolean           auto_push;
  gboolean           conflict_copies;
};

SiCollection *
si_collection_new (const char              *name,
                   const char              *path,
                   SiWireCollection         wire,
                   const SiCollectionCodec *codec)
{
  SiCollection *self;

  g_return_val_if_fail (name != NULL && path != NULL && codec != NULL, NULL);

  self = g_new0 (SiCollection, 1);
  g_atomic_ref_count_init (&self->ref);
  self->name = g_strdup (name);
  self->path = g_strdup (path);
  self->wire = wire;
  self->codec = *codec;
  self->keys = g_array_new (FALSE, FALSE, sizeof (SiCollectionKey));
  self->auto_push = TRUE;
  return self;
}

SiCollection *
si_collection_ref (SiCollection *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
si_collection_unref (SiCollection *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref))
    return;
  g_free (self->name);
  g_free (self->path);
  g_array_unref (self->keys);
  g_free (self);
}

void
si_collection_add_key (SiCollection *self,
                       const char   *field,
                       const char   *target)
{
  SiCollectionKey key;

  g_return_if_fail (self != NULL && field != NULL && target != NULL);
  key.field = g_intern_string (field);
  key.target = g_intern_string (target);
  g_array_append_val (self->keys, key);
}

void si_collection_set_auto_push (SiCollection *self, gboolean v) { g_return_if_fail (self); self->auto_push = !!v; }
void si_collection_set_conflict_copies (SiCollection *self, gboolean v) { g_return_if_fail (self); self->conflict_copies = !!v; }
const char *si_collection_get_name (SiCollection *self) { g_return_val_if_fail (self, NULL); return self->name; }
const char *si_collection_get_path (SiCollection *self) { g_return_val_if_fail (self, NULL); return self->path; }
SiWireCollection si_collection_get_wire (SiCollection *self) { g_return_val_if_fail (self, 0); return self->wire; }
gboolean si_collection_get_auto_push (SiCollection *self) { g_return_val_if_fail (self, FALSE); return self->auto_push; }
gboolean si_collection_get_conflict_copies (SiCollection *self) { g_return_val_if_fail (self, FALSE); return self->conflict_copies; }
const SiCollectionCodec *si_collection_get_codec (SiCollection *self) { g_return_val_if_fail (self, NULL); return &self->codec; }
guint si_collection_get_n_keys (SiCollection *self) { g_return_val_if_fail (self, 0); return self->keys->len; }

const SiCollectionKey *
si_collection_get_key (SiCollection *self,
                       guint         i)
{
  g_return_val_if_fail (self != NULL && i < self->keys->len, NULL);
  return &g_array_index (self->keys, SiCollectionKey, i);
}

/* Ideas ----------------------------------------------------------------------------------------- */

/* Store times are µs, wire times ms. */
#define US_TO_MS(t) ((t) / 1000)
#define MS_TO_US(t) ((t) * 1000)

static SiWireRecord *
ideas_read (SiStore  *store,
            gint64    id,
            GError  **error)
{
  g_autoptr(SiIdea) idea = si_store_get_idea (store, id, error);
  SiWireRecord *record;
  const gint64 *tags;
  guint n;

  if (idea == NULL)
    return NULL;
  record = si_wire_record_new (SI_WIRE_COLLECTION_IDEAS);
  record->uid = g_strdup (si_idea_get_uid (idea));
  record->created_at = US_TO_MS (si_idea_get_created_at (idea));
  record->updated_at = US_TO_MS (si_idea_get_updated_at (idea));
  g_free (record->title);
  record->title = g_strdup (si_idea_get_title (idea));
  g_free (record->body);
  record->body = g_strdup (si_idea_get_body (idea));
  record->pinned = si_idea_get_pinned (idea);
  record->device = g_strdup (si_idea_get_device (idea));
  tags = si_idea_get_tag_ids (idea, &n);
  for (guint i = 0; i < n; i++)
    si_wire_record_add_tag (record, tags[i]);
  return record;
}

/* An idea's row (its tags as @row->tag_ids, local or server ids as the caller has them) as a
 * wire record, without id and version. */
static SiWireRecord *
idea_row_to_wire (const SiStoreNewIdea *row)
{
  SiWireRecord *record = si_wire_record_new (SI_WIRE_COLLECTION_IDEAS);

  record->uid = g_strdup (row->uid);
  record->created_at = US_TO_MS (row->created_at);
  record->updated_at = US_TO_MS (row->updated_at);
  g_free (record->title);
  record->title = g_strdup (row->title);
  g_free (record->body);
  record->body = g_strdup (row->body);
  record->pinned = row->pinned;
  record->device = g_strdup (row->device);
  for (guint i = 0; i < row->n_tags; i++)
    si_wire_record_add_tag (record, row->tag_ids[i]);
  return record;
}

static void
add_idea_row (gint64                id,
              const SiStoreNewIdea *row,
              gpointer              user_data)
{
  GHashTable *out = user_data;

  g_hash_table_replace (out, g_memdup2 (&id, sizeof id), idea_row_to_wire (row));
}

/* As ideas_read() reads each, without an SiIdea in between. */
static gboolean
ideas_read_many (SiStore       *store,
                 const gint64  *ids,
                 guint          n_ids,
                 GHashTable    *out,
                 GError       **error)
{
  return _si_store_read_ideas (store, ids, n_ids, add_idea_row, out, error);
}

static gint64
ideas_write (SiStore            *store,
             gint64              id,
             const SiWireRecord *record,
             GError            **error)
{
  g_autoptr(SiIdea) idea = si_idea_new (record->title, record->body);
  SiRecordMeta meta = { id, record->uid, 0, 0, 0, SI_SYNC_STATE_SYNCED,
                        MS_TO_US (record->created_at), MS_TO_US (record->updated_at) };

  _si_idea_set_meta (idea, &meta);
  _si_idea_set_device (idea, record->device);
  si_idea_set_pinned (idea, record->pinned);
  if (record->tags && record->tags->len > 0)
    si_idea_set_tag_ids (idea, (const gint64 *) (gpointer) record->tags->data, record->tags->len);
  if (!si_store_save_idea (store, idea, SI_SAVE_FROM_SERVER, error))
    return 0;
  return si_idea_get_id (idea);
}

static gboolean
ideas_remove (SiStore  *store,
              gint64    id,
              GError  **error)
{
  return _si_store_purge_idea (store, id, error);
}

/* A new idea from the server, as the store inserts every idea. */
static gint64
ideas_insert (SiStore            *store,
              const SiWireRecord *record,
              const char         *base_json,
              GError            **error)
{
  SiStoreNewIdea row = { 0, };

  row.uid = record->uid;
  row.sid = record->id;
  row.version = record->version;
  row.state = SI_SYNC_STATE_SYNCED;
  row.title = record->title;
  row.body = record->body;
  row.pinned = record->pinned;
  row.created_at = MS_TO_US (record->created_at);
  row.updated_at = MS_TO_US (record->updated_at);
  row.base = base_json;
  row.device = record->device;
  if (record->tags != NULL)
    {
      row.tag_ids = (const gint64 *) (gpointer) record->tags->data;
      row.n_tags = record->tags->len;
    }
  return _si_store_insert_idea (store, &row, NC_("what failed", "saving an idea from the server"), error);
}

static GArray *
ideas_refs (SiWireRecord *record,
            const char   *field)
{
  if (g_str_equal (field, "tags"))
    {
      if (record->tags == NULL)
        record->tags = g_array_new (FALSE, FALSE, sizeof (gint64));
      return record->tags;
    }
  return NULL;
}

/* Tags ------------------------------------------------------------------------------------------ */

/* A tag's columns (times in µs) as a wire record, without id and version. */
static SiWireRecord *
tag_row_to_wire (const char *uid,
                 gint64      created_at,
                 gint64      updated_at,
                 const char *name,
                 const char *colour)
{
  SiWireRecord *record = si_wire_record_new (SI_WIRE_COLLECTION_TAGS);

  record->uid = g_strdup (uid);
  record->created_at = US_TO_MS (created_at);
  record->updated_at = US_TO_MS (updated_at);
  g_free (record->name);
  record->name = g_strdup (name);
  g_free (record->colour);
  record->colour = g_strdup (colour);
  return record;
}

static SiWireRecord *
tags_read (SiStore  *store,
           gint64    id,
           GError  **error)
{
  g_autoptr(SiTag) tag = si_store_get_tag (store, id, error);

  if (tag == NULL)
    return NULL;
  if (si_tag_get_sync_state (tag) == SI_SYNC_STATE_DELETED)
    {
      g_set_error_literal (error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND, _("The tag was deleted."));
      return NULL;
    }
  return tag_row_to_wire (si_tag_get_uid (tag), si_tag_get_created_at (tag), si_tag_get_updated_at (tag),
                          si_tag_get_name (tag), si_tag_get_colour (tag));
}

static gint64
tags_write (SiStore            *store,
            gint64              id,
            const SiWireRecord *record,
            GError            **error)
{
  g_autoptr(SiTag) tag = si_tag_new (record->name);
  SiRecordMeta meta = { id, record->uid, 0, 0, 0, SI_SYNC_STATE_SYNCED,
                        MS_TO_US (record->created_at), MS_TO_US (record->updated_at) };

  _si_tag_set_meta (tag, &meta);
  si_tag_set_colour (tag, record->colour);
  if (!si_store_save_tag (store, tag, SI_SAVE_FROM_SERVER, error))
    return 0;
  return si_tag_get_id (tag);
}

static gboolean
tags_remove (SiStore  *store,
             gint64    id,
             GError  **error)
{
  return si_store_delete_tag (store, id, SI_SAVE_FROM_SERVER, error);
}

static gint64
tags_find_twin (SiStore            *store,
                const SiWireRecord *record)
{
  /* By the name as the server holds it: the key the store's unique index sees when it is
   * written (a name stored on the server before names were normalised stays apart). */
  return _si_store_find_tag_as_stored (store, record->name);
}

static GArray *
tags_refs (SiWireRecord *record,
           const char   *field)
{
  return NULL;
}

GPtrArray *
si_collection_get_defaults (void)
{
  static const SiCollectionCodec tags_codec = {
    tags_read, tags_write, tags_remove, tags_find_twin, tags_refs,
  };
  static const SiCollectionCodec ideas_codec = {
    ideas_read, ideas_write, ideas_remove, NULL, ideas_refs, ideas_insert, ideas_read_many,
  };
  GPtrArray *collections = g_ptr_array_new_with_free_func ((GDestroyNotify) si_collection_unref);
  SiCollection *tags, *ideas;

  tags = si_collection_new (SI_COLLECTION_TAGS, "tags", SI_WIRE_COLLECTION_TAGS, &tags_codec);
  ideas = si_collection_new (SI_COLLECTION_IDEAS, "ideas", SI_WIRE_COLLECTION_IDEAS, &ideas_codec);
  si_collection_add_key (ideas, "tags", SI_COLLECTION_TAGS);
  si_collection_set_conflict_copies (ideas, TRUE);
  g_ptr_array_add (collections, tags);
  g_ptr_array_add (collections, ideas);
  return collections;
}

/* The merge bases the schema's own-base triggers write ------------------------------------------ */

/* A text column, NULL for NULL; *@ok becomes FALSE when it is not valid UTF-8 without NUL (the
 * codec's writer copies text as it is, so only such text may reach it). */
static const char *
value_text (sqlite3_value *value,
            gboolean      *ok)
{
  const char *text;

  if (sqlite3_value_type (value) == SQLITE_NULL)
    return NULL;
  text = (const char *) sqlite3_value_text (value);
  if (text == NULL || !g_utf8_validate_len (text, sqlite3_value_bytes (value), NULL))
    *ok = FALSE;
  return text;
}

/* An integer column; *@ok becomes FALSE for any other type, or one below @min. */
static gint64
value_int (sqlite3_value *value,
           gint64         min,
           gboolean      *ok)
{
  gint64 n;

  if (sqlite3_value_type (value) != SQLITE_INTEGER || (n = sqlite3_value_int64 (value)) < min)
    {
      *ok = FALSE;
      return 0;
    }
  return n;
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* "7,3,12" (group_concat ()'s text; NULL for none) as server ids, ascending. NULL when a piece
 * is not a server id. */
static GArray *
parse_ids (const char *text)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_auto(GStrv) pieces = NULL;

  if (text == NULL)
    return g_steal_pointer (&ids);
  pieces = g_strsplit (text, ",", -1);
  for (guint i = 0; pieces[i] != NULL; i++)
    {
      guint64 parsed;
      gint64 id;

      if (!g_ascii_string_to_unsigned (pieces[i], 10, 1, G_MAXINT64, &parsed, NULL))
        return NULL;
      id = (gint64) parsed;
      g_array_append_val (ids, id);
    }
  g_array_sort (ids, compare_ids);
  return g_steal_pointer (&ids);
}

/* The record as the codec writes a server's answer (si_wire_record_to_text(), response mode),
 * as the result of @context; its id and version @sid and @version. */
static void
result_record (sqlite3_context *context,
               SiWireRecord    *record,
               gint64           sid,
               gint64           version)
{
  char *text;
  gsize length;

  record->id = sid;
  record->version = version;
  text = si_wire_record_to_text (record, SI_WIRE_MODE_RESPONSE, &length);
  sqlite3_result_text64 (context, text, length, g_free, SQLITE_UTF8);
}

/* si_idea_base (sid, uid, version, created_at, updated_at, device, title, body, pinned,
 * tag_sids): the idea as the server holds it, the row's columns as ideas_read() and a push read
 * them (times in µs; tag_sids: its tags' server ids as group_concat () gives them, or NULL).
 * NULL (no base) when a column is not what the store writes. */
static void
sql_idea_base (sqlite3_context  *context,
               int               n_values,
               sqlite3_value   **values)
{
  g_autoptr(SiWireRecord) record = NULL;
  g_autoptr(GArray) tags = NULL;
  SiStoreNewIdea row = { 0, };
  gboolean ok = TRUE;
  gint64 sid, version;

  sid = value_int (values[0], 1, &ok);
  row.uid = value_text (values[1], &ok);
  version = value_int (values[2], 1, &ok);
  row.created_at = value_int (values[3], G_MININT64, &ok);
  row.updated_at = value_int (values[4], G_MININT64, &ok);
  row.device = value_text (values[5], &ok);
  row.title = value_text (values[6], &ok);
  row.body = value_text (values[7], &ok);
  row.pinned = value_int (values[8], G_MININT64, &ok) != 0;
  tags = parse_ids (value_text (values[9], &ok));
  if (!ok || tags == NULL)
    {
      sqlite3_result_null (context);
      return;
    }
  row.tag_ids = (const gint64 *) (gpointer) tags->data;
  row.n_tags = tags->len;
  record = idea_row_to_wire (&row);
  result_record (context, record, sid, version);
}

/* si_tag_base (sid, uid, version, created_at, updated_at, name, colour): the tag as the server
 * holds it, as tags_read() reads it; NULL as si_idea_base (). */
static void
sql_tag_base (sqlite3_context  *context,
              int               n_values,
              sqlite3_value   **values)
{
  g_autoptr(SiWireRecord) record = NULL;
  gboolean ok = TRUE;
  gint64 sid, version, created_at, updated_at;
  const char *uid, *name, *colour;

  sid = value_int (values[0], 1, &ok);
  uid = value_text (values[1], &ok);
  version = value_int (values[2], 1, &ok);
  created_at = value_int (values[3], G_MININT64, &ok);
  updated_at = value_int (values[4], G_MININT64, &ok);
  name = value_text (values[5], &ok);
  colour = value_text (values[6], &ok);
  if (!ok)
    {
      sqlite3_result_null (context);
      return;
    }
  record = tag_row_to_wire (uid, created_at, updated_at, name, colour);
  result_record (context, record, sid, version);
}

gboolean
_si_collection_register_sql_functions (sqlite3 *db)
{
  int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;

  return sqlite3_create_function (db, "si_idea_base", 10, flags, NULL, sql_idea_base, NULL, NULL) == SQLITE_OK &&
         sqlite3_create_function (db, "si_tag_base", 7, flags, NULL, sql_tag_base, NULL, NULL) == SQLITE_OK;
}
