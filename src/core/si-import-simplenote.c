/* si-import-simplenote.c — Simplenote's exports.
 *
 * Simplenote (Settings → Tools → Export notes) writes a zip with `source/notes.json` and a
 * folder of `.txt` files, one per note. notes.json is
 *
 *   { "activeNotes": [ { "id", "content", "creationDate", "lastModified", "tags": [..],
 *                        "pinned": true, "markdown": true, "systemTags": ["pinned", ..] } ],
 *     "trashedNotes": [ ..the same.. ] }
 *
 * with ISO 8601 times; a note's first line is its title. The .txt files carry only the text
 * (first line the title too), the file's time being the note's: they are read when there is no
 * notes.json, each with a uid made from its file name so that a second import updates it.
 */
#define G_LOG_DOMAIN "saveidea-import"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "si-import.h"
#include "si-import-private.h"

#define APP "simplenote"

gboolean
_si_import_simplenote_probe_file (const Probe *probe)
{
  return _si_import_probe_has_key (probe, "activeNotes") || _si_import_probe_has_key (probe, "trashedNotes");
}

static gboolean
probe_source_folder (const Probe *probe)
{
  return _si_import_probe_first_child (probe, "notes.json", _si_import_simplenote_probe_file);
}

/* The unzipped export (notes.json in source/, the .txt files beside it), its source/ folder,
 * or a folder of .txt files and nothing of Saveidea's. */
gboolean
_si_import_simplenote_probe_folder (const Probe *probe)
{
  if (probe_source_folder (probe) || _si_import_probe_subfolder (probe, "source", probe_source_folder))
    return TRUE;
  return _si_import_probe_count_suffix (probe, ".txt") > 0 &&
         _si_import_probe_count_suffix (probe, ".json") == 0 &&
         _si_import_probe_count_suffix (probe, ".md") == 0 &&
         _si_import_probe_count_suffix (probe, ".markdown") == 0 &&
         !_si_import_probe_has_entry (probe, "saveidea.json");
}

static gboolean
read_note (Batch       *batch,
           const char  *source,
           guint        index,
           JsonNode    *node,
           gboolean     trashed,
           GError     **error)
{
  /* Translators: names a note of an export in the messages that follow (%s); %u counts from 1. */
  g_autofree char *where = g_strdup_printf (_("note %u"), index);
  g_autofree char *text = NULL;
  Record *record;
  JsonObject *object;
  JsonArray *tags, *system_tags;
  const char *content, *id, *time;
  gint64 known_time;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    /* Translators: %s names the note (“note 3”). */
    return _si_import_invalid (error, source, 0, _("%s is not an object."), where);
  object = json_node_get_object (node);
  if ((content = _si_import_json_string (object, "content")) == NULL)
    /* Translators: %s names the note (“note 3”); keep “content”, a member name. */
    return _si_import_invalid (error, source, 0, _("%s has no “content”."), where);

  record = _si_import_record_new (source);
  record->index = index;
  record->trashed = trashed;
  text = _si_import_normalize_newlines (content);
  g_free (record->title);
  g_free (record->body);
  _si_import_split_title (text, &record->title, &record->body);

  if ((time = _si_import_json_string (object, "creationDate")) != NULL &&
      !si_import_parse_time (time, &record->created_at))
    {
      _si_import_record_free (record);
      /* Translators: %s names the note (“note 3”); keep “creationDate”. */
      return _si_import_invalid (error, source, 0, _("%s: “creationDate” is not a date and time."), where);
    }
  if ((time = _si_import_json_string (object, "lastModified")) != NULL &&
      !si_import_parse_time (time, &record->updated_at))
    {
      _si_import_record_free (record);
      /* Translators: %s names the note (“note 3”); keep “lastModified”. */
      return _si_import_invalid (error, source, 0, _("%s: “lastModified” is not a date and time."), where);
    }
  /* A uid made from the content and the times the export gives, never the time now: the
   * same note imported again must find itself. */
  known_time = record->created_at > 0 ? record->created_at : record->updated_at;
  if (record->created_at <= 0)
    record->created_at = record->updated_at > 0 ? record->updated_at : g_get_real_time ();
  if (record->updated_at <= 0)
    record->updated_at = record->created_at;

  if ((tags = _si_import_json_array (object, "tags")) != NULL)
    for (guint i = 0; i < json_array_get_length (tags); i++)
      {
        JsonNode *tag = json_array_get_element (tags, i);

        if (JSON_NODE_HOLDS_VALUE (tag) && json_node_get_value_type (tag) == G_TYPE_STRING)
          _si_import_record_add_tag (record, json_node_get_string (tag));
      }
  record->pinned = _si_import_json_bool (object, "pinned");
  if ((system_tags = _si_import_json_array (object, "systemTags")) != NULL)
    for (guint i = 0; i < json_array_get_length (system_tags); i++)
      {
        JsonNode *tag = json_array_get_element (system_tags, i);

        if (JSON_NODE_HOLDS_VALUE (tag) && json_node_get_value_type (tag) == G_TYPE_STRING &&
            g_str_equal (json_node_get_string (tag), "pinned"))
          record->pinned = TRUE;
      }

  if ((id = _si_import_json_string (object, "id")) != NULL && *id != '\0')
    record->uid = _si_import_uid_from_id (APP, id);
  else
    record->uid = _si_import_uid_from_content (APP, record->title, record->body, known_time);
  return _si_import_batch_add_record (batch, record, error);
}

static gboolean
read_notes_json (Batch         *batch,
                 GFile         *file,
                 GCancellable  *cancellable,
                 GError       **error)
{
  const char *source = _si_import_batch_add_source (batch, file);
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  JsonObject *object;
  const char *lists[] = { "activeNotes", "trashedNotes" };
  guint index = 0;

  if (!(parser = _si_import_parse_json_file (file, source, cancellable, error)))
    return FALSE;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    /* Translators: keep “activeNotes”, a member name of Simplenote's notes.json. */
    return _si_import_invalid (error, source, 0, _("this is not a Simplenote export: it has no “activeNotes”."));
  object = json_node_get_object (root);
  if (!json_object_has_member (object, "activeNotes") && !json_object_has_member (object, "trashedNotes"))
    return _si_import_invalid (error, source, 0, _("this is not a Simplenote export: it has no “activeNotes”."));

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    {
      JsonNode *node = json_object_get_member (object, lists[l]);
      JsonArray *array;

      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        continue;
      if (!JSON_NODE_HOLDS_ARRAY (node))
        /* Translators: %s is “activeNotes” or “trashedNotes”, member names of the file. */
        return _si_import_invalid (error, source, 0, _("“%s” must be a list of notes."), lists[l]);
      array = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          if (i % 256 == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          if (!read_note (batch, source, ++index, json_array_get_element (array, i), l == 1, error))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
read_txt_file (Batch         *batch,
               GFile         *file,
               GFileInfo     *info,
               GCancellable  *cancellable,
               GError       **error)
{
  const char *source = _si_import_batch_add_source (batch, file);
  g_autofree char *data = NULL;
  g_autofree char *text = NULL;
  g_autofree char *name = g_file_get_basename (file);
  gsize length = 0;
  Record *record;

  if (!_si_import_load_file (file, source, MARKDOWN_MAX_BYTES, &data, &length, cancellable, error) ||
      !_si_import_check_utf8 (source, data, length, error))
    return FALSE;
  record = _si_import_record_new (source);
  text = _si_import_normalize_newlines (g_str_has_prefix (data, "\xef\xbb\xbf") ? data + 3 : data);
  g_free (record->title);
  g_free (record->body);
  _si_import_split_title (text, &record->title, &record->body);
  record->created_at = record->updated_at = _si_import_file_mtime (info);
  /* The file's name is the note's only lasting name. */
  record->uid = _si_import_uid_from_id (APP "-txt", name);
  return _si_import_batch_add_record (batch, record, error);
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  GFileInfo *x = *(GFileInfo * const *) a, *y = *(GFileInfo * const *) b;

  return strcmp (g_file_info_get_name (x), g_file_info_get_name (y));
}

static gboolean
read_txt_folder (Batch         *batch,
                 GFile         *folder,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GFileEnumerator) enumerator = NULL;
  g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) local_error = NULL;

  enumerator = g_file_enumerate_children (folder,
                                          G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                          G_FILE_ATTRIBUTE_TIME_MODIFIED "," G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC,
                                          G_FILE_QUERY_INFO_NONE, cancellable, &local_error);
  if (enumerator == NULL)
    {
      g_autofree char *source = g_file_get_parse_name (folder);

      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_READ, _("%s: cannot read the folder: %s"),
                     source, local_error->message);
      return FALSE;
    }
  for (;;)
    {
      GFileInfo *info = NULL;
      g_autofree char *lower = NULL;

      if (!g_file_enumerator_iterate (enumerator, &info, NULL, cancellable, error))
        return FALSE;
      if (info == NULL)
        break;
      lower = g_ascii_strdown (g_file_info_get_name (info), -1);
      if (g_file_info_get_name (info)[0] != '.' && g_str_has_suffix (lower, ".txt"))
        g_ptr_array_add (infos, g_object_ref (info));
    }
  g_ptr_array_sort (infos, compare_names);

  for (guint i = 0; i < infos->len; i++)
    {
      GFileInfo *info = g_ptr_array_index (infos, i);
      g_autoptr(GFile) file = g_file_get_child (folder, g_file_info_get_name (info));
      g_autoptr(GError) file_error = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
        {
          g_autofree char *source = g_file_get_parse_name (file);

          _si_import_batch_skip (batch, _si_import_not_regular_error (source));
          continue;
        }
      if (!read_txt_file (batch, file, info, cancellable, &file_error))
        {
          if (_si_import_batch_skip_or_fail (batch, g_steal_pointer (&file_error), error))
            continue;
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
_si_import_simplenote_read (Batch         *batch,
                            GFile         *file,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE,
                                                 cancellable, NULL);

  if (info == NULL || g_file_info_get_file_type (info) != G_FILE_TYPE_DIRECTORY)
    return read_notes_json (batch, file, cancellable, error);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GFile) json = g_file_resolve_relative_path (file, i == 0 ? "notes.json" : "source/notes.json");

      if (g_file_query_exists (json, cancellable))
        return read_notes_json (batch, json, cancellable, error);
    }
  return read_txt_folder (batch, file, cancellable, error);
}
