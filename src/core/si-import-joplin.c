/* si-import-joplin.c — Joplin's exports: a RAW folder, and a JEX file (a tar of the same).
 *
 * The shape, from Joplin's serializer (BaseItem.serialize) and exports of Joplin 2.14 and 3.0:
 * one file `<id>.md` per item, the item's title on the first line, a blank line, its body (notes
 * only), a blank line, then the metadata, one `key: value` a line, up to the end:
 *
 *   Shopping
 *
 *   - [ ] milk
 *
 *   id: 6c2b6f1c0c5a4f0e9a0b8e8c4c1d2e3f
 *   parent_id: 0a1b2c3d4e5f60718293a4b5c6d7e8f9
 *   created_time: 2024-01-31T12:00:00.000Z
 *   updated_time: 2024-02-01T08:30:00.123Z
 *   is_todo: 0
 *   …
 *   type_: 1
 *
 * type_ says what it is: 1 a note, 2 a notebook (nested by parent_id), 4 a resource (an
 * attachment; its file is resources/<id>.<ext>), 5 a tag, 6 a note's tag (note_id, tag_id).
 * A note becomes an idea with its notebook's path as a tag (`Work/Projects`) and its tags; a
 * to-do (is_todo: 1) starts with a checkbox, ticked when todo_completed is set; a note in the
 * trash (deleted_time set) is trashed; an HTML note (markup_language: 2) is turned into Markdown
 * when it is well-formed, kept as it is otherwise. Resources are not imported: each one a note
 * links to (`:/<id>`) is listed in the report with the note, the others on their own. A note's uid comes from its Joplin id.
 */
#define G_LOG_DOMAIN "saveidea-import"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "si-import.h"
#include "si-import-private.h"

#define JOPLIN_MAX_ITEMS 1000000
#define JOPLIN_MAX_NESTING 32

enum {
  TYPE_NOTE = 1,
  TYPE_FOLDER = 2,
  TYPE_RESOURCE = 4,
  TYPE_TAG = 5,
  TYPE_NOTE_TAG = 6,
};

typedef struct {
  const char *source;
  int         type;
  char       *id;
  char       *parent_id;
  char       *title;
  char       *body;
  gint64      created_at;
  gint64      updated_at;
  gboolean    todo;
  gboolean    done;
  gboolean    deleted;
  gboolean    html;
  char       *note_id;
  char       *tag_id;
  char       *file_name;
} Item;

static void
item_free (gpointer data)
{
  Item *item = data;

  g_free (item->id);
  g_free (item->parent_id);
  g_free (item->title);
  g_free (item->body);
  g_free (item->note_id);
  g_free (item->tag_id);
  g_free (item->file_name);
  g_free (item);
}

typedef struct {
  Batch        *batch;
  const char   *archive;    /* a JEX: its name; NULL for a folder */
  GPtrArray    *items;      /* Item * */
  GHashTable   *by_id;      /* id -> Item * (borrowed) */
  gint64        mtime;      /* the export's: for notes without times */
  GHashTable   *reported;   /* the ids of the resources a note links to (borrowed) */
} Joplin;

static void
set_str (char       **slot,
         const char  *value)
{
  g_free (*slot);
  *slot = g_strdup (value);
}

static gboolean
is_item_name (const char *name)
{
  gsize n = strlen (name);

  if (n != 35 || !g_str_has_suffix (name, ".md"))
    return FALSE;
  for (gsize i = 0; i < 32; i++)
    if (!g_ascii_isxdigit (name[i]))
      return FALSE;
  return TRUE;
}

static gboolean
probe_item_head (const Probe *probe)
{
  return strstr (probe->head, "\ntype_: ") != NULL && strstr (probe->head, "\nid: ") != NULL;
}

gboolean
_si_import_joplin_probe_folder (const Probe *probe)
{
  for (guint i = 0; i < probe->entries->len; i++)
    if (is_item_name (g_ptr_array_index (probe->entries, i)))
      return _si_import_probe_first_child (probe, ".md", probe_item_head);
  return FALSE;
}

gboolean
_si_import_joplin_probe_file (const Probe *probe)
{
  return _si_import_tar_probe ((const guint8 *) probe->head, probe->head_length);
}

static gboolean
parse_time (const char *value,
            gint64     *usec)
{
  /* Joplin writes "" or "0" for none. */
  if (*value == '\0' || g_str_equal (value, "0"))
    return (*usec = 0, TRUE);
  return si_import_parse_time (value, usec) && *usec > 0;
}

/* Reads one item's text (newlines normalised) into an Item, or says what is wrong. */
static Item *
parse_item (const char  *source,
            char        *text,
            GError     **error)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new ();
  Item *item;
  guint first_prop, i;
  char *p;

  /* A trailing newline is not the blank line before the metadata. */
  for (gsize n = strlen (text); n > 0 && text[n - 1] == '\n'; n--)
    text[n - 1] = '\0';
  for (p = text; ; )
    {
      char *nl = strchr (p, '\n');

      g_ptr_array_add (lines, p);
      if (nl == NULL)
        break;
      *nl = '\0';
      p = nl + 1;
    }

  /* The metadata: the lines after the last blank one. */
  for (first_prop = lines->len; first_prop > 0; first_prop--)
    {
      const char *line = g_ptr_array_index (lines, first_prop - 1);

      if (*line == '\0')
        break;
    }

  item = g_new0 (Item, 1);
  item->source = source;
  for (i = first_prop; i < lines->len; i++)
    {
      char *line = g_ptr_array_index (lines, i);
      char *colon = strchr (line, ':');
      const char *key, *value;

      if (colon == NULL)
        {
          /* Translators: %u is a line number; a Joplin export's file has a line without “key: value”. */
          _si_import_invalid (error, source, i + 1, _("not a Joplin item: “key: value” expected."));
          item_free (item);
          return NULL;
        }
      *colon = '\0';
      key = g_strstrip (line);
      value = g_strstrip (colon + 1);
      if (g_str_equal (key, "type_"))
        item->type = (int) g_ascii_strtoll (value, NULL, 10);
      else if (g_str_equal (key, "id"))
        set_str (&item->id, value);
      else if (g_str_equal (key, "parent_id"))
        set_str (&item->parent_id, value);
      else if (g_str_equal (key, "note_id"))
        set_str (&item->note_id, value);
      else if (g_str_equal (key, "tag_id"))
        set_str (&item->tag_id, value);
      else if (g_str_equal (key, "filename") && *value)
        set_str (&item->file_name, value);
      else if (g_str_equal (key, "is_todo"))
        item->todo = g_str_equal (value, "1");
      else if (g_str_equal (key, "todo_completed"))
        item->done = *value != '\0' && !g_str_equal (value, "0");
      else if (g_str_equal (key, "deleted_time"))
        item->deleted = *value != '\0' && !g_str_equal (value, "0");
      else if (g_str_equal (key, "markup_language"))
        item->html = g_str_equal (value, "2");
      else if (g_str_equal (key, "created_time") || g_str_equal (key, "updated_time") ||
               g_str_equal (key, "user_updated_time") || g_str_equal (key, "user_created_time"))
        {
          gint64 usec = 0;

          if (!parse_time (value, &usec))
            {
              /* Translators: the key (created_time…), then its value. */
              _si_import_invalid (error, source, i + 1, _("%s: “%.40s” is not a date and time."), key, value);
              item_free (item);
              return NULL;
            }
          /* The user's times (what Joplin shows) win over the sync's. */
          if (g_str_has_prefix (key, "user_") && usec > 0)
            *(g_str_equal (key, "user_created_time") ? &item->created_at : &item->updated_at) = usec;
          else if (g_str_equal (key, "created_time") && item->created_at == 0)
            item->created_at = usec;
          else if (g_str_equal (key, "updated_time") && item->updated_at == 0)
            item->updated_at = usec;
        }
    }
  if (item->type == 0 || item->id == NULL || *item->id == '\0')
    {
      /* Translators: “type_” and “id” are keys of Joplin's files; keep them. */
      _si_import_invalid (error, source, 0, _("not a Joplin item: its metadata has no “type_” or no “id”."));
      item_free (item);
      return NULL;
    }

  /* Title and body: the lines before the metadata's blank line. */
  if (first_prop > 1)
    {
      g_autoptr(GString) body = g_string_new (NULL);

      item->title = g_strdup (g_ptr_array_index (lines, 0));
      for (i = 2; i + 1 < first_prop; i++)
        {
          if (i > 2)
            g_string_append_c (body, '\n');
          g_string_append (body, g_ptr_array_index (lines, i));
        }
      item->body = g_string_free (g_steal_pointer (&body), FALSE);
    }
  else
    {
      item->title = g_strdup ("");
      item->body = g_strdup ("");
    }
  return item;
}

static gboolean
add_item (Joplin      *j,
          const char  *source,
          const char  *data,
          gsize        length,
          GError     **error)
{
  g_autofree char *text = NULL;
  Item *item;

  if (!_si_import_check_utf8 (source, data, length, error))
    return FALSE;
  if (j->items->len >= JOPLIN_MAX_ITEMS)
    return _si_import_invalid (error, j->archive ? j->archive : source, 0, _("the export has too many items."));
  text = _si_import_normalize_newlines (data);
  if (!(item = parse_item (source, text, error)))
    return FALSE;
  g_ptr_array_add (j->items, item);
  g_hash_table_replace (j->by_id, item->id, item);
  return TRUE;
}

/* The notebook path of @folder_id: "Parent/Child". NULL when there is none. */
static char *
notebook_path (Joplin     *j,
               const char *folder_id)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  GString *path;

  for (guint depth = 0; folder_id && *folder_id && depth < JOPLIN_MAX_NESTING; depth++)
    {
      Item *folder = g_hash_table_lookup (j->by_id, folder_id);

      if (folder == NULL || folder->type != TYPE_FOLDER)
        break;
      g_ptr_array_insert (names, 0, folder->title);
      folder_id = folder->parent_id;
    }
  if (names->len == 0)
    return NULL;
  path = g_string_new (NULL);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *name = g_strdelimit (g_strstrip (g_strdup (g_ptr_array_index (names, i))), "/", '-');

      if (*name == '\0')
        continue;
      if (path->len > 0)
        g_string_append_c (path, '/');
      g_string_append (path, name);
    }
  /* A tag name has a bound: a deep path keeps its innermost notebooks. */
  while (g_utf8_strlen (path->str, -1) > SI_TAG_NAME_MAX_CHARS && strchr (path->str, '/'))
    g_string_erase (path, 0, strchr (path->str, '/') - path->str + 1);
  return g_string_free (path, FALSE);
}

/* The resources (`:/<32 hex>`) @body links to, each once. */
static void
report_resources (Joplin     *j,
                  const char *title,
                  const char *body)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (const char *p = strstr (body, ":/"); p != NULL; p = strstr (p + 2, ":/"))
    {
      char id[33];
      Item *resource;
      guint n;

      for (n = 0; n < 32 && g_ascii_isxdigit (p[2 + n]); n++)
        id[n] = p[2 + n];
      id[n] = '\0';
      if (n != 32 || g_ascii_isxdigit (p[34]))
        continue;
      resource = g_hash_table_lookup (j->by_id, id);
      if (resource == NULL || resource->type != TYPE_RESOURCE || g_hash_table_contains (seen, resource->id))
        continue;
      g_hash_table_add (seen, resource->id);
      g_hash_table_add (j->reported, resource->id);
      _si_import_batch_add_attachment (j->batch, title,
                                       resource->file_name ? resource->file_name
                                       : *resource->title ? resource->title : resource->id);
    }
}

static gboolean
make_records (Joplin  *j,
              GError **error)
{
  g_autoptr(GHashTable) note_tags = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                           (GDestroyNotify) g_ptr_array_unref);
  guint n_notes = 0;

  for (guint i = 0; i < j->items->len; i++)
    {
      Item *link = g_ptr_array_index (j->items, i);
      Item *tag;
      GPtrArray *names;

      if (link->type != TYPE_NOTE_TAG || link->note_id == NULL || link->tag_id == NULL ||
          !(tag = g_hash_table_lookup (j->by_id, link->tag_id)) || tag->type != TYPE_TAG || tag->deleted)
        continue;
      if (!(names = g_hash_table_lookup (note_tags, link->note_id)))
        g_hash_table_insert (note_tags, link->note_id, (names = g_ptr_array_new ()));
      g_ptr_array_add (names, tag->title);
    }

  for (guint i = 0; i < j->items->len; i++)
    {
      Item *note = g_ptr_array_index (j->items, i);
      g_autofree char *notebook = NULL;
      g_autofree char *markdown = NULL;
      GPtrArray *tags;
      Record *record;

      if (note->type != TYPE_NOTE)
        continue;
      n_notes++;
      record = _si_import_record_new (note->source);
      record->uid = _si_import_uid_from_id ("joplin", note->id);

      if (note->html)
        {
          g_autofree char *wrapped = g_strconcat ("<en-note>", note->body, "</en-note>", NULL);
          g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func (g_free);

          /* Not well-formed (HTML is not XHTML): kept as it is, nothing lost. */
          markdown = _si_import_enml_to_markdown (wrapped, strlen (wrapped), media, NULL);
        }
      g_free (record->body);
      record->body = g_steal_pointer (&markdown);
      if (record->body == NULL)
        record->body = g_strdup (note->body);
      if (note->todo)
        {
          char *body = g_strconcat (note->done ? "- [x] " : "- [ ] ", note->title,
                                    *record->body ? "\n\n" : "", record->body, NULL);
          g_free (record->body);
          record->body = body;
        }
      g_free (record->title);
      record->title = *g_strstrip (note->title) ? g_strdup (note->title) : _si_import_title_from_body (record->body);
      record->created_at = note->created_at ? note->created_at : note->updated_at ? note->updated_at : j->mtime;
      record->updated_at = MAX (note->updated_at, record->created_at);
      record->trashed = note->deleted;
      if ((notebook = notebook_path (j, note->parent_id)))
        _si_import_record_add_tag (record, notebook);
      if ((tags = g_hash_table_lookup (note_tags, note->id)))
        for (guint k = 0; k < tags->len; k++)
          _si_import_record_add_tag (record, g_ptr_array_index (tags, k));
      report_resources (j, record->title, note->body);
      if (!_si_import_batch_add_record (j->batch, record, error))
        return FALSE;
    }

  /* Resources no note links to are listed too: nothing goes unsaid. */
  for (guint i = 0; i < j->items->len; i++)
    {
      Item *resource = g_ptr_array_index (j->items, i);

      if (resource->type == TYPE_RESOURCE && !resource->deleted && !g_hash_table_contains (j->reported, resource->id))
        _si_import_batch_add_attachment (j->batch,
                                         /* Translators: in the import report, instead of a note's title,
                                          * for an attachment of a Joplin export that no note links to. */
                                         _("(no note)"),
                                         resource->file_name ? resource->file_name
                                         : *resource->title ? resource->title : resource->id);
    }
  return TRUE;
}

/* A RAW folder ------------------------------------------------------------------------------ */

static gint
compare_files (gconstpointer a,
               gconstpointer b)
{
  g_autofree char *x = g_file_get_basename (*(GFile * const *) a);
  g_autofree char *y = g_file_get_basename (*(GFile * const *) b);

  return strcmp (x, y);
}

static gboolean
read_folder (Joplin        *j,
             GFile         *folder,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GFileEnumerator) enumerator = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) local_error = NULL;

  enumerator = g_file_enumerate_children (folder, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                          G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, cancellable, &local_error);
  if (enumerator == NULL)
    {
      g_autofree char *source = g_file_get_parse_name (folder);

      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return (g_propagate_error (error, g_steal_pointer (&local_error)), FALSE);
      /* Translators: the folder, then why it cannot be read. */
      g_set_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_READ, _("%s: cannot read the folder: %s"),
                   source, local_error->message);
      return FALSE;
    }
  for (;;)
    {
      GFileInfo *info = NULL;
      GFile *child = NULL;
      g_autofree char *lower = NULL;

      if (!g_file_enumerator_iterate (enumerator, &info, &child, cancellable, error))
        return FALSE;
      if (info == NULL)
        break;
      lower = g_ascii_strdown (g_file_info_get_name (info), -1);
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY || !g_str_has_suffix (lower, ".md"))
        continue;   /* resources/ and what Joplin does not write */
      if (files->len >= JOPLIN_MAX_ITEMS)
        return _si_import_invalid (error, g_file_peek_path (folder) ? g_file_peek_path (folder) : "",
                                   0, _("the export has too many items."));
      g_ptr_array_add (files, g_object_ref (child));
    }
  g_ptr_array_sort (files, compare_files);

  for (guint i = 0; i < files->len; i++)
    {
      GFile *file = g_ptr_array_index (files, i);
      const char *source = _si_import_batch_add_source (j->batch, file);
      g_autofree char *data = NULL;
      gsize length = 0;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!_si_import_load_file (file, source, MARKDOWN_MAX_BYTES, &data, &length, cancellable, &local_error))
        {
          if (g_error_matches (local_error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_NOT_REGULAR))
            {
              g_ptr_array_remove_index (j->batch->sources, j->batch->sources->len - 1);
              _si_import_batch_skip (j->batch, g_steal_pointer (&local_error));
              continue;
            }
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (!add_item (j, source, data, length, error))
        return FALSE;
    }
  return TRUE;
}

/* A JEX file ---------------------------------------------------------------------------------- */

static gboolean
want_entry (const char *name,
            gpointer    user_data)
{
  return strchr (name, '/') == NULL && g_str_has_suffix (name, ".md");
}

static gboolean
on_entry (const char  *name,
          const char  *data,
          gsize        length,
          gpointer     user_data,
          GError     **error)
{
  Joplin *j = user_data;
  char *source;

  if (data == NULL)
    return TRUE;
  /* Translators: a file inside an archive: the archive, then the file's name in it. */
  source = g_strdup_printf (_("%s, %s"), j->archive, name);
  g_ptr_array_add (j->batch->sources, source);   /* the batch owns it */
  return add_item (j, source, data, length, error);
}

static gboolean
read_archive (Joplin        *j,
              GFile         *file,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE, cancellable, &local_error);
  if (info != NULL && g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    return (g_propagate_error (error, _si_import_not_regular_error (j->archive)), FALSE);
  if (info != NULL)
    stream = g_file_read (file, cancellable, &local_error);
  if (stream == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return (g_propagate_error (error, g_steal_pointer (&local_error)), FALSE);
      /* Translators: the file, then why it cannot be read. */
      g_set_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_READ, _("%s: cannot read the file: %s"),
                   j->archive, local_error->message);
      return FALSE;
    }
  return _si_import_tar_read (G_INPUT_STREAM (stream), j->archive, want_entry, MARKDOWN_MAX_BYTES, on_entry, j,
                              cancellable, error);
}

gboolean
_si_import_joplin_read (Batch         *batch,
                        GFile         *file,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GFileInfo) info = NULL;
  Joplin j = { 0 };
  gboolean ok;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE "," G_FILE_ATTRIBUTE_TIME_MODIFIED ","
                            G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC, G_FILE_QUERY_INFO_NONE, cancellable, NULL);
  j.batch = batch;
  j.mtime = _si_import_file_mtime (info);
  j.items = g_ptr_array_new_with_free_func (item_free);
  j.by_id = g_hash_table_new (g_str_hash, g_str_equal);
  j.reported = g_hash_table_new (g_str_hash, g_str_equal);
  if (info != NULL && g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    ok = read_folder (&j, file, cancellable, error);
  else
    {
      j.archive = _si_import_batch_add_source (batch, file);
      ok = read_archive (&j, file, cancellable, error);
    }
  if (ok && j.items->len == 0)
    {
      g_autofree char *source = g_file_get_parse_name (file);

      ok = _si_import_invalid (error, source, 0, _("this is not a Joplin export: it has no Joplin items."));
    }
  if (ok)
    ok = make_records (&j, error);
  g_hash_table_unref (j.reported);
  g_hash_table_unref (j.by_id);
  g_ptr_array_unref (j.items);
  return ok;
}
