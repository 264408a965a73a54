/* si-import-write.c — writing the records of an import into the notebook, in one transaction. */
#define G_LOG_DOMAIN "saveidea-import"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "si-export.h"
#include "si-import.h"
#include "si-import-private.h"
#include "si-record-private.h"
#include "si-store-private.h"

/* Writing --------------------------------------------------------------------------------------- */

typedef struct {
  SiStore       *store;
  GHashTable    *tag_ids;   /* name key -> gint64 * */
  GHashTable    *tag_info;  /* name key -> TagRecord * (borrowed), from a JSON export */
  GHashTable    *texts;     /* TextEntry * (key and value): the live ideas by their text; NULL
                             * until a record without a uid needs it */
  SiImportStats  stats;
} Writer;

/* A file without a uid is a duplicate when a live idea has its exact title and body. Looking
 * for one with `title = ? AND body = ?` scanned the whole notebook for each file (no index),
 * which made a folder import quadratic: 8,000 files 4 s, 100,000 not done in 300 s. Instead the
 * live ideas are read once per import into a hash table keyed by 64 bits of a SHA-256 of the
 * title and the body (a hash nobody can make collide on purpose), and the ideas the import
 * writes are added to it; a hit is confirmed against the idea itself. An SQL index on the title
 * and the body would copy every body (up to 1 MiB each) into the index, doubling the notebook
 * on disk and slowing every save, for the sake of an import. */
typedef struct {
  guint64 key;   /* first: g_int64_hash() and g_int64_equal() read it */
  gint64  id;
} TextEntry;

static guint64
text_key (const char *title,
          const char *body)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize length = sizeof digest;
  guint64 key;

  /* The title's NUL goes in too: "ab" + "c" is not "a" + "bc". */
  g_checksum_update (sum, (const guchar *) title, (gssize) strlen (title) + 1);
  g_checksum_update (sum, (const guchar *) body, (gssize) strlen (body));
  g_checksum_get_digest (sum, digest, &length);
  memcpy (&key, digest, sizeof key);
  return key;
}

/* Notes that idea @id has this text (the first idea with a text keeps it). */
static void
texts_add (Writer     *writer,
           const char *title,
           const char *body,
           gint64      id)
{
  TextEntry *entry;

  if (writer->texts == NULL)
    return;
  entry = g_new (TextEntry, 1);
  entry->key = text_key (title, body);
  entry->id = id;
  if (g_hash_table_contains (writer->texts, entry))
    g_free (entry);
  else
    g_hash_table_add (writer->texts, entry);
}

/* Idea @id no longer has this text. */
static void
texts_remove (Writer     *writer,
              const char *title,
              const char *body,
              gint64      id)
{
  TextEntry probe, *entry;

  if (writer->texts == NULL)
    return;
  probe.key = text_key (title, body);
  entry = g_hash_table_lookup (writer->texts, &probe);
  if (entry != NULL && entry->id == id)
    g_hash_table_remove (writer->texts, &probe);
}

static void
texts_add_cb (const char *title,
              const char *body,
              gint64      id,
              gpointer    user_data)
{
  texts_add (user_data, title, body, id);
}

/* The table of the live ideas' texts, read at the first record that needs it. */
static gboolean
texts_load (Writer  *writer,
            GError **error)
{
  if (writer->texts != NULL)
    return TRUE;
  writer->texts = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  if (!_si_store_foreach_idea_text (writer->store, texts_add_cb, writer, error))
    {
      g_clear_pointer (&writer->texts, g_hash_table_unref);
      return FALSE;
    }
  return TRUE;
}

/* The id of the tag named @name, made when missing (with the uid, colour and time a JSON export
 * gave it, if any). */
static gboolean
writer_tag_id (Writer      *writer,
               const char  *name,
               gint64      *tag_id,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(SiTag) tag = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (name));
  g_autofree char *key = si_tag_name_key (stripped);
  gint64 *cached;
  TagRecord *info;

  if (key == NULL)
    {
      g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID, _("The tag name is not valid UTF-8 text."));
      return FALSE;
    }
  if ((cached = g_hash_table_lookup (writer->tag_ids, key)) != NULL)
    {
      *tag_id = *cached;
      return TRUE;
    }

  tag = si_store_find_tag (writer->store, stripped, &local_error);
  if (tag == NULL)
    {
      gint64 other_id;
      int other_state;

      if (!g_error_matches (local_error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      tag = si_tag_new (stripped);
      if ((info = g_hash_table_lookup (writer->tag_info, key)) != NULL)
        {
          SiRecordMeta meta = { 0, NULL, 0, 0, 0, SI_SYNC_STATE_CREATED, info->created_at, info->created_at };

          if (info->uid != NULL)
            {
              if (!_si_store_find_uid (writer->store, SI_COLLECTION_TAGS, info->uid,
                                       &other_id, &other_state, error))
                return FALSE;
              if (other_state < 0)
                meta.uid = info->uid;
            }
          _si_tag_set_meta (tag, &meta);
          si_tag_set_colour (tag, info->colour);
        }
      if (!si_store_save_tag (writer->store, tag, SI_SAVE_LOCAL, error))
        return FALSE;
      writer->stats.n_tags_created++;
    }
  *tag_id = si_tag_get_id (tag);
  g_hash_table_insert (writer->tag_ids, g_steal_pointer (&key), g_memdup2 (tag_id, sizeof *tag_id));
  return TRUE;
}

static GArray *
writer_tag_ids (Writer     *writer,
                GPtrArray  *names,
                GError    **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < names->len; i++)
    {
      gint64 id;

      if (!writer_tag_id (writer, g_ptr_array_index (names, i), &id, error))
        return NULL;
      g_array_append_val (ids, id);
    }
  return g_steal_pointer (&ids);
}

static gboolean
same_content (SiIdea *idea,
              Record *record,
              SiIdea *wanted)
{
  guint n_a, n_b;
  const gint64 *a = si_idea_get_tag_ids (idea, &n_a);
  const gint64 *b = si_idea_get_tag_ids (wanted, &n_b);

  return g_str_equal (si_idea_get_title (idea), record->title) &&
         g_str_equal (si_idea_get_body (idea), record->body) &&
         si_idea_get_pinned (idea) == record->pinned &&
         n_a == n_b && (n_a == 0 || memcmp (a, b, n_a * sizeof (gint64)) == 0);
}

/* Whether a live idea has exactly @record's title and body: looked up in the table of texts,
 * confirmed against the idea. Only when that idea's text is not the one looked for (64 bits of
 * two different texts' SHA-256 alike, never seen in practice) is the notebook scanned. */
static gboolean
find_same_text (Writer      *writer,
                Record      *record,
                gboolean    *found,
                GError     **error)
{
  TextEntry probe, *entry;

  *found = FALSE;
  if (!texts_load (writer, error))
    return FALSE;
  probe.key = text_key (record->title, record->body);
  if ((entry = g_hash_table_lookup (writer->texts, &probe)) == NULL)
    return TRUE;
  if (!_si_store_find_idea_text (writer->store, entry->id, record->title, record->body, found, error))
    return FALSE;
  if (*found)
    return TRUE;
  return _si_store_find_idea_text (writer->store, 0, record->title, record->body, found, error);
}

static gboolean
write_record (Writer  *writer,
              Record  *record,
              GError **error)
{
  SiStore *store = writer->store;
  g_autoptr(GArray) tag_ids = NULL;
  g_autoptr(SiIdea) wanted = si_idea_new (record->title, record->body);
  gint64 id = 0;
  int state = -1;

  if (!(tag_ids = writer_tag_ids (writer, record->tags, error)))
    return FALSE;
  si_idea_set_pinned (wanted, record->pinned);
  si_idea_set_tag_ids (wanted, (const gint64 *) (gpointer) tag_ids->data, tag_ids->len);

  if (record->uid == NULL)
    {
      gboolean found = FALSE;

      if (!find_same_text (writer, record, &found, error))
        return FALSE;
      if (found)
        {
          writer->stats.n_unchanged++;
          return TRUE;
        }
    }
  else if (!_si_store_find_uid (store, SI_COLLECTION_IDEAS, record->uid, &id, &state, error))
    return FALSE;

  if (state >= 0 && state != SI_SYNC_STATE_DELETED)
    {
      g_autoptr(SiIdea) idea = si_store_get_idea (store, id, error);
      guint n;
      const gint64 *ids;

      if (idea == NULL)
        return FALSE;
      if (same_content (idea, record, wanted) || si_idea_get_updated_at (idea) > record->updated_at)
        {
          /* Already there, or changed here since: the notebook's copy stays. */
          writer->stats.n_unchanged++;
          return TRUE;
        }
      texts_remove (writer, si_idea_get_title (idea), si_idea_get_body (idea), id);
      si_idea_set_title (idea, record->title);
      si_idea_set_body (idea, record->body);
      si_idea_set_pinned (idea, record->pinned);
      ids = si_idea_get_tag_ids (wanted, &n);
      si_idea_set_tag_ids (idea, ids, n);
      if (!si_store_save_idea (store, idea, SI_SAVE_LOCAL, error) ||
          !_si_store_set_idea_updated_at (store, id, record->updated_at, error))
        return FALSE;
      texts_add (writer, record->title, record->body, id);
      writer->stats.n_updated++;
      return TRUE;
    }

  {
    SiRecordMeta meta = { 0, record->uid, 0, 0, 0, SI_SYNC_STATE_CREATED, record->created_at, record->updated_at };

    _si_idea_set_meta (wanted, &meta);
  }
  if (state == SI_SYNC_STATE_DELETED)
    {
      /* Deleted here but not yet on the server: importing it brings it back. */
      if (!si_store_restore_idea (store, wanted, error))
        return FALSE;
    }
  else if (!si_store_save_idea (store, wanted, SI_SAVE_LOCAL, error))
    return FALSE;
  texts_add (writer, record->title, record->body, si_idea_get_id (wanted));
  writer->stats.n_created++;
  return TRUE;
}

static void
add_stats (SiImportStats       *to,
           const SiImportStats *from)
{
  if (to == NULL)
    return;
  to->n_files += from->n_files;
  to->n_created += from->n_created;
  to->n_updated += from->n_updated;
  to->n_unchanged += from->n_unchanged;
  to->n_tags_created += from->n_tags_created;
}

/**
 * si_import_stats_clear:
 * @stats: what an import did
 *
 * Frees what @stats holds (the messages of the skipped files) and sets it to zero.
 */
void
si_import_stats_clear (SiImportStats *stats)
{
  g_return_if_fail (stats != NULL);

  g_clear_pointer (&stats->skipped, g_ptr_array_unref);
  g_clear_pointer (&stats->attachments, g_ptr_array_unref);
  memset (stats, 0, sizeof *stats);
}

/* The entries of @batch's folder that were left out, noted in @stats. */
static void
add_skipped (SiImportStats *stats,
             Batch         *batch)
{
  if (stats == NULL)
    return;
  for (guint i = 0; batch->skipped != NULL && i < batch->skipped->len; i++)
    {
      if (stats->skipped == NULL)
        stats->skipped = g_ptr_array_new_with_free_func (g_free);
      if (stats->skipped->len < SI_IMPORT_SKIPPED_MAX)
        g_ptr_array_add (stats->skipped, g_strdup (g_ptr_array_index (batch->skipped, i)));
    }
  stats->n_skipped += batch->n_skipped;
  stats->n_left_out += batch->n_left_out;
  for (guint i = 0; batch->attachments != NULL && i < batch->attachments->len; i++)
    {
      if (stats->attachments == NULL)
        stats->attachments = g_ptr_array_new_with_free_func (g_free);
      if (stats->attachments->len < SI_IMPORT_ATTACHMENTS_MAX)
        g_ptr_array_add (stats->attachments, g_strdup (g_ptr_array_index (batch->attachments, i)));
    }
  stats->n_attachments += batch->n_attachments;
}

gboolean
_si_import_write_batch (SiStore        *store,
                        Batch          *batch,
                        SiImportStats  *stats,
                        GCancellable   *cancellable,
                        GError        **error)
{
  g_autoptr(GHashTable) tag_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) tag_info = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Writer writer = { store, tag_ids, tag_info, NULL, { 0 } };
  SiImportProgress progress = batch->options ? batch->options->progress : NULL;
  gpointer progress_data = batch->options ? batch->options->user_data : NULL;
  guint done = 0;

  writer.stats.n_files = batch->sources->len;
  for (guint i = 0; i < batch->tags->len; i++)
    {
      TagRecord *tag = g_ptr_array_index (batch->tags, i);
      g_autofree char *stripped = g_strstrip (g_strdup (tag->name));
      char *key = si_tag_name_key (stripped);

      if (key != NULL)
        g_hash_table_insert (tag_info, key, tag);
    }

  if (!_si_store_begin (store, error))
    return FALSE;

  /* The tags of a JSON export first, so even an unused one comes back. */
  for (guint i = 0; i < batch->tags->len; i++)
    {
      TagRecord *tag = g_ptr_array_index (batch->tags, i);
      gint64 id;

      if (!writer_tag_id (&writer, tag->name, &id, error))
        {
          /* Translators: the file, then the tag's name, before what went wrong with it. */
          g_prefix_error (error, _("%s: tag “%s”: "), (const char *) g_ptr_array_index (batch->sources, 0), tag->name);
          goto fail;
        }
    }

  /* Records with a uid first, then those matched by their text: a record without a uid that
   * matched an idea a later record (by uid) then changed would be neither in the notebook nor
   * imported, and a second import of the same files would create it. */
  for (guint i = 0; i < 2 * batch->records->len; i++)
    {
      gboolean uid_pass = i < batch->records->len;
      Record *record = g_ptr_array_index (batch->records, i % batch->records->len);

      if ((record->uid != NULL) != uid_pass)
        continue;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto fail;
      if (progress != NULL && done % 256 == 0)
        progress (done, batch->records->len, progress_data);
      done++;
      if (!write_record (&writer, record, error))
        {
          if (record->index > 0)
            /* Translators: the file, then the idea's place in it (counted from 1), before what
             * went wrong with it. */
            g_prefix_error (error, _("%s: idea %u: "), record->source, record->index);
          else
            g_prefix_error (error, "%s: ", record->source);
          goto fail;
        }
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto fail;
  g_clear_pointer (&writer.texts, g_hash_table_unref);
  if (!_si_store_commit (store, error))
    return FALSE;
  if (progress != NULL)
    progress (done, batch->records->len, progress_data);
  g_debug ("Imported %u files: %u new, %u updated, %u unchanged ideas, %u new tags",
           writer.stats.n_files, writer.stats.n_created, writer.stats.n_updated,
           writer.stats.n_unchanged, writer.stats.n_tags_created);
  add_stats (stats, &writer.stats);
  add_skipped (stats, batch);
  return TRUE;

fail:
  g_clear_pointer (&writer.texts, g_hash_table_unref);
  _si_store_rollback (store);
  return FALSE;
}


/**
 * si_import_save_idea:
 * @idea: a new or a stored idea
 * @tag_names: (nullable) (array zero-terminated=1): the idea's tags by name; missing ones are
 *   made. NULL keeps the idea's tags as they are.
 *
 * Saves @idea as a local edit with exactly the tags @tag_names, in one transaction: if the
 * idea cannot be saved, no tag is made either. @idea is refreshed from disk.
 */
gboolean
si_import_save_idea (SiStore             *store,
                     SiIdea              *idea,
                     const char * const  *tag_names,
                     GError             **error)
{
  g_autoptr(GHashTable) tag_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) tag_info = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  Writer writer = { store, tag_ids, tag_info, NULL, { 0 } };

  g_return_val_if_fail (SI_IS_STORE (store), FALSE);
  g_return_val_if_fail (SI_IS_IDEA (idea), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_si_store_begin (store, error))
    return FALSE;
  for (guint i = 0; tag_names && tag_names[i]; i++)
    {
      gint64 id;

      if (!writer_tag_id (&writer, tag_names[i], &id, error))
        goto fail;
      g_array_append_val (ids, id);
    }
  if (tag_names != NULL)
    si_idea_set_tag_ids (idea, (const gint64 *) (gpointer) ids->data, ids->len);
  if (!si_store_save_idea (store, idea, SI_SAVE_LOCAL, error))
    goto fail;
  return _si_store_commit (store, error);

fail:
  _si_store_rollback (store);
  return FALSE;
}
