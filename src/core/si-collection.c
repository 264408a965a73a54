/* si-collection.c — collection declarations, and the codecs of Saveidea's ideas and tags. */
#define G_LOG_DOMAIN "saveidea-sync"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "si-collection.h"
#include "si-record-private.h"
#include "si-store-private.h"

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

static void
add_idea_row (gint64                id,
              const SiStoreNewIdea *row,
              gpointer              user_data)
{
  GHashTable *out = user_data;
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
  g_hash_table_replace (out, g_memdup2 (&id, sizeof id), record);
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

static SiWireRecord *
tags_read (SiStore  *store,
           gint64    id,
           GError  **error)
{
  g_autoptr(SiTag) tag = si_store_get_tag (store, id, error);
  SiWireRecord *record;

  if (tag == NULL)
    return NULL;
  if (si_tag_get_sync_state (tag) == SI_SYNC_STATE_DELETED)
    {
      g_set_error_literal (error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND, _("The tag was deleted."));
      return NULL;
    }
  record = si_wire_record_new (SI_WIRE_COLLECTION_TAGS);
  record->uid = g_strdup (si_tag_get_uid (tag));
  record->created_at = US_TO_MS (si_tag_get_created_at (tag));
  record->updated_at = US_TO_MS (si_tag_get_updated_at (tag));
  g_free (record->name);
  record->name = g_strdup (si_tag_get_name (tag));
  g_free (record->colour);
  record->colour = g_strdup (si_tag_get_colour (tag));
  return record;
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
