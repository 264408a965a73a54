/* si-import-keep.c — Google Keep, as Google Takeout exports it.
 *
 * Takeout (takeout.google.com, “Keep” only) gives a zip whose `Takeout/Keep/` folder has, for
 * each note, a `.json` and an `.html` file of the same name, the attached images, and
 * `Labels.txt`. The .json is
 *
 *   { "title", "textContent", "listContent": [ { "text", "isChecked" } ],
 *     "labels": [ { "name" } ], "isPinned", "isArchived", "isTrashed", "color",
 *     "userEditedTimestampUsec", "createdTimestampUsec",        (microseconds, numbers)
 *     "attachments": [ { "filePath", "mimetype" } ], "annotations": [ { "url", "title" } ] }
 *
 * The .html says the same for people: it is left out when its .json is there, but for a .json
 * without "textContent" or "listContent", whose text is then the .html's (its
 * `<div class="content">`, through the ENML converter). A note has no
 * id; its creation time (to the microsecond) stands for one, so a second import updates it.
 */
#define G_LOG_DOMAIN "saveidea-import"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "si-import.h"
#include "si-import-private.h"

#define APP "google-keep"

/* 9999-12-31 in microseconds: later is not a time. */
#define USEC_MAX G_GINT64_CONSTANT (253402300799000000)

gboolean
_si_import_keep_probe_file (const Probe *probe)
{
  return _si_import_probe_has_key (probe, "userEditedTimestampUsec") ||
         (_si_import_probe_has_key (probe, "isTrashed") &&
          (_si_import_probe_has_key (probe, "textContent") || _si_import_probe_has_key (probe, "listContent")));
}

static gboolean
probe_keep_folder (const Probe *probe)
{
  return _si_import_probe_first_child (probe, ".json", _si_import_keep_probe_file);
}

static gboolean
probe_takeout_folder (const Probe *probe)
{
  return _si_import_probe_subfolder (probe, "Keep", probe_keep_folder);
}

/* Takeout's Keep folder (its first .json is a Keep note), the Takeout folder holding it, or the
 * folder the Takeout zip was unpacked into (Takeout/Keep). */
gboolean
_si_import_keep_probe_folder (const Probe *probe)
{
  return probe_keep_folder (probe) || probe_takeout_folder (probe) ||
         _si_import_probe_subfolder (probe, "Takeout", probe_takeout_folder);
}

/* A time in microseconds: a number, or a string of digits. */
static gboolean
usec_member (JsonObject *object,
             const char *member,
             gint64     *usec)
{
  JsonNode *node = json_object_get_member (object, member);

  *usec = 0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    *usec = json_node_get_int (node);
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (node);
      guint64 value = 0;

      if (!g_ascii_string_to_unsigned (text, 10, 0, USEC_MAX, &value, NULL))
        return FALSE;
      *usec = (gint64) value;
    }
  else
    return FALSE;
  return *usec >= 0 && *usec <= USEC_MAX;
}

/* The elements of HTML that have no end tag, which GMarkup wants closed. */
static gboolean
is_void_element (const char *tag)
{
  static const char * const names[] = { "br", "hr", "img", "wbr", "input", "meta", "link", "col", "area", "source" };
  gsize n = 0;

  while (g_ascii_isalnum (tag[n]))
    n++;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strlen (names[i]) == n && g_ascii_strncasecmp (tag, names[i], n) == 0)
      return TRUE;
  return FALSE;
}

/* The text of Keep's .html (`<div class="content">` in its note's div), with HTML's void
 * elements closed, so the ENML converter reads it; NULL when it has none. The scan is linear
 * and the nesting it counts is only that of div elements. */
static char *
html_content (const char *html)
{
  const char *at = strstr (html, "class=\"content\"");
  const char *start, *p;
  g_autoptr(GString) out = NULL;
  guint depth = 1;

  if (at == NULL || (start = strchr (at, '>')) == NULL)
    return NULL;
  start++;
  out = g_string_new ("<div>");
  for (p = start; *p != '\0'; p++)
    {
      if (*p != '<')
        {
          g_string_append_c (out, *p);
          continue;
        }
      if (g_ascii_strncasecmp (p, "</div", 5) == 0 && --depth == 0)
        break;
      if (g_ascii_strncasecmp (p, "<div", 4) == 0)
        depth++;
      if (is_void_element (p + 1))
        {
          const char *end = strchr (p, '>');

          if (end == NULL)
            break;
          g_string_append_len (out, p, end - p);
          if (end[-1] != '/')
            g_string_append_c (out, '/');
          g_string_append_c (out, '>');
          p = end;
          continue;
        }
      g_string_append_c (out, *p);
    }
  g_string_append (out, "</div>");
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* A note whose .json has no text (some exports have only the .html's): the text of the .html
 * beside it, as Markdown, or NULL when there is none. */
static gboolean
read_html_twin (GFile         *json,
                char         **markdown,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autofree char *base = g_file_get_basename (json);
  g_autoptr(GFile) parent = g_file_get_parent (json);
  g_autofree char *stem = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GFile) html = NULL;
  g_autofree char *source = NULL;
  g_autofree char *data = NULL;
  g_autofree char *content = NULL;
  g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;

  *markdown = NULL;
  if (parent == NULL || base == NULL || !g_str_has_suffix (base, ".json"))
    return TRUE;
  stem = g_strndup (base, strlen (base) - 5);
  name = g_strconcat (stem, ".html", NULL);
  html = g_file_get_child (parent, name);
  if (g_file_query_file_type (html, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, cancellable) != G_FILE_TYPE_REGULAR)
    return TRUE;
  source = g_file_get_parse_name (html);
  if (!_si_import_load_file (html, source, MARKDOWN_MAX_BYTES, &data, &length, cancellable, error) ||
      !_si_import_check_utf8 (source, data, length, error))
    return FALSE;
  if ((content = html_content (data)) == NULL)
    return TRUE;
  if (!(*markdown = _si_import_enml_to_markdown (content, strlen (content), media, &local_error)))
    /* Translators: the .html of a Google Keep note; then what is wrong with it. */
    return _si_import_invalid (error, source, 0, _("the note's text cannot be read: %s"), local_error->message);
  return TRUE;
}

static gboolean
read_note_file (Batch         *batch,
                GFile         *file,
                GCancellable  *cancellable,
                GError       **error)
{
  const char *source = _si_import_batch_add_source (batch, file);
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  JsonNode *root;
  JsonObject *object;
  JsonArray *array;
  const char *text, *title;
  gint64 created = 0, edited = 0;
  Record *record;

  if (!(parser = _si_import_parse_json_file (file, source, cancellable, error)))
    return FALSE;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (!json_object_has_member (object = json_node_get_object (root), "textContent") &&
       !json_object_has_member (object, "listContent") && !json_object_has_member (object, "title")))
    /* Translators: keep “textContent” and “listContent”, member names of Keep's files. */
    return _si_import_invalid (error, source, 0, _("this is not a Google Keep note: it has no “textContent” or “listContent”."));
  if (!usec_member (object, "createdTimestampUsec", &created))
    /* Translators: keep “createdTimestampUsec”, a member name of Keep's files. */
    return _si_import_invalid (error, source, 0, _("“createdTimestampUsec” is not a time in microseconds."));
  if (!usec_member (object, "userEditedTimestampUsec", &edited))
    /* Translators: keep “userEditedTimestampUsec”, a member name of Keep's files. */
    return _si_import_invalid (error, source, 0, _("“userEditedTimestampUsec” is not a time in microseconds."));

  if ((text = _si_import_json_string (object, "textContent")) != NULL)
    {
      g_autofree char *normal = _si_import_normalize_newlines (text);

      g_string_append (body, normal);
    }
  if ((array = _si_import_json_array (object, "listContent")) != NULL)
    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        JsonNode *node = json_array_get_element (array, i);
        JsonObject *item = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
        const char *item_text = _si_import_json_string (item, "text");
        g_autofree char *line = NULL;

        if (item_text == NULL)
          continue;
        line = _si_import_normalize_newlines (item_text);
        g_strdelimit (line, "\n", ' ');
        if (body->len > 0 && body->str[body->len - 1] != '\n')
          g_string_append (body, i == 0 ? "\n\n" : "\n");
        g_string_append_printf (body, "- [%c] %s", _si_import_json_bool (item, "isChecked") ? 'x' : ' ', line);
      }
  if (text == NULL && array == NULL)
    {
      g_autofree char *markdown = NULL;

      if (!read_html_twin (file, &markdown, cancellable, error))
        return FALSE;
      if (markdown != NULL)
        g_string_append (body, markdown);
    }
  if ((array = _si_import_json_array (object, "annotations")) != NULL)
    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        JsonNode *node = json_array_get_element (array, i);
        JsonObject *link = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
        const char *url = _si_import_json_string (link, "url");

        /* A link Keep shows under the note: kept when the text does not have it already. */
        if (url != NULL && strstr (body->str, url) == NULL)
          g_string_append_printf (body, "%s%s", body->len > 0 ? "\n\n" : "", url);
      }

  record = _si_import_record_new (source);
  g_free (record->body);
  record->body = g_strdup (body->str);
  title = _si_import_json_string (object, "title");
  g_free (record->title);
  if (title != NULL && *title != '\0')
    record->title = _si_import_normalize_newlines (title);
  else
    record->title = _si_import_title_from_body (record->body);
  if (created <= 0 && edited <= 0)
    {
      /* A note without times: the file's. Its uid below does not depend on them, so importing
       * it again finds it (found by fuzz-import: a uid from the time now made a new idea at
       * every import). */
      g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_TIME_MODIFIED ","
                                                     G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC,
                                                     G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, cancellable, NULL);

      record->created_at = _si_import_file_mtime (info);
    }
  else
    record->created_at = created > 0 ? created : edited;
  record->updated_at = edited > 0 ? edited : record->created_at;
  record->pinned = _si_import_json_bool (object, "isPinned");
  record->archived = _si_import_json_bool (object, "isArchived");
  record->trashed = _si_import_json_bool (object, "isTrashed");
  if ((array = _si_import_json_array (object, "labels")) != NULL)
    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        JsonNode *node = json_array_get_element (array, i);
        const char *name = _si_import_json_string (JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL,
                                                   "name");

        if (name != NULL)
          _si_import_record_add_tag (record, name);
      }
  if ((array = _si_import_json_array (object, "attachments")) != NULL && !_si_import_batch_leaves_out (batch, record))
    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        JsonNode *node = json_array_get_element (array, i);
        const char *path = _si_import_json_string (JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL,
                                                   "filePath");

        if (path != NULL && g_utf8_validate (path, -1, NULL))
          _si_import_batch_add_attachment (batch, record->title, path);
      }

  if (created > 0)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, created);

      record->uid = _si_import_uid_from_id (APP, id);
    }
  else
    record->uid = _si_import_uid_from_content (APP, record->title, record->body, edited);
  return _si_import_batch_add_record (batch, record, error);
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
read_folder (Batch         *batch,
             GFile         *folder,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GFileEnumerator) enumerator = NULL;
  g_autoptr(GPtrArray) json = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) html = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) local_error = NULL;

  enumerator = g_file_enumerate_children (folder, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
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
      const char *name;
      g_autofree char *lower = NULL;

      if (!g_file_enumerator_iterate (enumerator, &info, NULL, cancellable, error))
        return FALSE;
      if (info == NULL)
        break;
      name = g_file_info_get_name (info);
      lower = g_ascii_strdown (name, -1);
      if (name[0] == '.')
        continue;
      if (g_str_has_suffix (lower, ".json"))
        {
          if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
            {
              g_autoptr(GFile) child = g_file_get_child (folder, name);
              g_autofree char *source = g_file_get_parse_name (child);

              _si_import_batch_skip (batch, _si_import_not_regular_error (source));
              continue;
            }
          g_ptr_array_add (json, g_strdup (name));
        }
      else if (g_str_has_suffix (lower, ".html"))
        g_ptr_array_add (html, g_strdup (name));
    }
  g_ptr_array_sort (json, compare_strings);
  for (guint i = 0; i < json->len; i++)
    {
      const char *name = g_ptr_array_index (json, i);

      g_hash_table_add (names, (gpointer) name);
    }

  /* An .html without its .json (older exports had only those) is said to be left out. */
  g_ptr_array_sort (html, compare_strings);
  for (guint i = 0; i < html->len; i++)
    {
      const char *name = g_ptr_array_index (html, i);
      g_autofree char *stem = g_strndup (name, strlen (name) - 5);
      g_autofree char *twin = g_strconcat (stem, ".json", NULL);

      if (!g_hash_table_contains (names, twin))
        {
          g_autoptr(GFile) child = g_file_get_child (folder, name);
          g_autofree char *source = g_file_get_parse_name (child);

          _si_import_batch_skip (batch, g_error_new (SI_IMPORT_ERROR, SI_IMPORT_ERROR_UNSUPPORTED,
                                                     /* Translators: %s is a file of a Google Keep export. */
                                                     _("%s: a Keep note without its .json file; it was not imported."),
                                                     source));
        }
    }

  for (guint i = 0; i < json->len; i++)
    {
      g_autoptr(GFile) child = g_file_get_child (folder, g_ptr_array_index (json, i));
      g_autoptr(GError) file_error = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!read_note_file (batch, child, cancellable, &file_error))
        {
          if (_si_import_batch_skip_or_fail (batch, g_steal_pointer (&file_error), error))
            continue;
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
_si_import_keep_read (Batch         *batch,
                      GFile         *file,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE,
                                                 cancellable, NULL);

  if (info == NULL || g_file_info_get_file_type (info) != G_FILE_TYPE_DIRECTORY)
    return read_note_file (batch, file, cancellable, error);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GFile) keep = g_file_resolve_relative_path (file, i == 0 ? "Keep" : "Takeout/Keep");

      if (g_file_query_file_type (keep, G_FILE_QUERY_INFO_NONE, cancellable) == G_FILE_TYPE_DIRECTORY)
        return read_folder (batch, keep, cancellable, error);
    }
  return read_folder (batch, file, cancellable, error);
}
