/* si-export.c — a notebook written out as Markdown files or as one JSON file.
 *
 * Markdown: one file per idea, named after its title (made safe for every common file system
 * and unique within the folder, ignoring case), with a small front matter that si-import.c
 * reads back:
 *
 *   ---
 *   title: "An idea"
 *   tags: ["work", "two words"]
 *   pinned: true
 *   created: 2024-05-01T09:30:00.000000Z
 *   updated: 2024-05-02T10:00:00.250000Z
 *   uid: 0b7f…
 *   ---
 *
 *   The body, exactly as it is in the notebook.
 *
 * Strings in the front matter are double-quoted with JSON escapes, which YAML reads the same.
 * Times are UTC with microseconds, so a round trip keeps them exactly. Exporting again into
 * the same folder overwrites the files of the same ideas and never another file.
 *
 * JSON: {"format": "saveidea", "version": 1, "tags": [...], "ideas": [...]}.
 *
 * The whole export reads one snapshot of the database, so it is consistent even while the
 * app writes.
 */
#define G_LOG_DOMAIN "saveidea-export"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "si-export.h"
#include "si-store-private.h"

G_DEFINE_QUARK (si-export-error-quark, si_export_error)

#define FILE_NAME_MAX_CHARS 80
#define FILE_NAME_MAX_BYTES 200
#define UID_PROBE_BYTES 4096

/**
 * si_export_format_time:
 * @usec: microseconds since the epoch
 *
 * Returns: (transfer full): @usec as ISO 8601 in UTC with microseconds,
 *   e.g. `2024-05-01T09:30:00.000000Z`
 */
char *
si_export_format_time (gint64 usec)
{
  gint64 seconds = usec / G_USEC_PER_SEC;
  gint64 rest = usec % G_USEC_PER_SEC;
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *base = NULL;

  if (rest < 0)
    {
      seconds--;
      rest += G_USEC_PER_SEC;
    }
  dt = g_date_time_new_from_unix_utc (seconds);
  if (dt == NULL)
    dt = g_date_time_new_from_unix_utc (0);
  base = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf ("%s.%06d" "Z", base, (int) rest);
}

/**
 * si_export_file_name:
 * @title: (nullable): an idea's title
 *
 * Returns: (transfer full): a file name (without extension) made from @title: no path
 *   separators, no characters that Windows or macOS refuse, no control characters, no leading
 *   dot, at most 80 characters; "Untitled" (in the user's language) when nothing is left
 */
char *
si_export_file_name (const char *title)
{
  g_autoptr(GString) name = g_string_new (NULL);
  guint n_chars = 0;
  gboolean space = FALSE;

  if (title == NULL || !g_utf8_validate (title, -1, NULL))
    title = "";

  for (const char *p = title; *p && n_chars < FILE_NAME_MAX_CHARS; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
        {
          space = name->len > 0;
          continue;
        }
      if (c < 0x80 && strchr ("/\\:*?\"<>|", (int) c) != NULL)
        c = '-';
      if (space)
        {
          g_string_append_c (name, ' ');
          n_chars++;
          space = FALSE;
        }
      if (name->len + 6 > FILE_NAME_MAX_BYTES)
        break;
      g_string_append_unichar (name, c);
      n_chars++;
    }

  /* No hidden files, and nothing Windows would strip at the end. */
  while (name->len > 0 && (name->str[0] == '.' || name->str[0] == ' '))
    g_string_erase (name, 0, 1);
  while (name->len > 0 && (name->str[name->len - 1] == '.' || name->str[name->len - 1] == ' '))
    g_string_truncate (name, name->len - 1);

  if (name->len == 0)
    /* Translators: the file name of an exported idea that has no title (.md is added). */
    g_string_assign (name, C_("file name", "Untitled"));
  return g_string_free (g_steal_pointer (&name), FALSE);
}

/* A read snapshot of the whole database: ideas and tags as they were when the export began. */
static gboolean
snapshot_begin (SiStore *store)
{
  sqlite3 *db = _si_store_get_db (store);

  if (!sqlite3_get_autocommit (db))
    return FALSE;   /* the caller is inside a transaction already: that is the snapshot */
  return sqlite3_exec (db, "BEGIN DEFERRED", NULL, NULL, NULL) == SQLITE_OK;
}

static void
snapshot_end (SiStore  *store,
              gboolean  began)
{
  if (began)
    sqlite3_exec (_si_store_get_db (store), "ROLLBACK", NULL, NULL, NULL);
}

static GPtrArray *
load_ideas (SiStore       *store,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GPtrArray) ideas = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) keys = si_store_query_ideas (store, NULL, error);

  if (keys == NULL)
    return NULL;
  for (guint i = 0; i < keys->len; i++)
    {
      SiIdea *idea;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (!(idea = si_store_get_idea (store, g_array_index (keys, SiIdeaKey, i).id, error)))
        return NULL;
      g_ptr_array_add (ideas, idea);
    }
  return g_steal_pointer (&ideas);
}

static gboolean
ensure_folder (GFile         *folder,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = g_file_get_parse_name (folder);

  if (g_file_make_directory_with_parents (folder, cancellable, &local_error))
    return TRUE;
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS) &&
      g_file_query_file_type (folder, G_FILE_QUERY_INFO_NONE, cancellable) == G_FILE_TYPE_DIRECTORY)
    return TRUE;
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    g_set_error (error, SI_EXPORT_ERROR, SI_EXPORT_ERROR_WRITE,
                 /* Translators: %s is the folder to export to. */
                 _("%s exists and is not a folder."), name);
  else
    g_set_error (error, SI_EXPORT_ERROR, SI_EXPORT_ERROR_WRITE,
                 /* Translators: the folder, then why it could not be made. */
                 _("Cannot create the folder %s: %s"), name, local_error->message);
  return FALSE;
}

static gboolean
write_file (GFile         *file,
            const char    *data,
            gsize          length,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  if (g_file_replace_contents (file, data, length, NULL, FALSE, G_FILE_CREATE_NONE, NULL,
                               cancellable, &local_error))
    return TRUE;
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, g_steal_pointer (&local_error));
  else
    {
      g_autofree char *name = g_file_get_parse_name (file);
      g_set_error (error, SI_EXPORT_ERROR, SI_EXPORT_ERROR_WRITE,
                   /* Translators: the file, then why it could not be written. */
                   _("Cannot write %s: %s"), name, local_error->message);
    }
  return FALSE;
}

/* Markdown ---------------------------------------------------------------------------------- */

/* A double-quoted string with JSON escapes: valid YAML and valid JSON. */
static void
append_quoted (GString    *out,
               const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
    }
  g_string_append_c (out, '"');
}

/**
 * si_export_idea_markdown:
 * @idea: an idea, with its tag names
 * @length: (out) (optional): the length of the text in bytes
 *
 * The one owner of an idea's Markdown: what si_export_markdown() writes into its file, and what
 * the app's Export as Markdown and Copy as Markdown give out. si-import.c reads it back.
 *
 * Returns: (transfer full): the front matter, a blank line and the body
 */
char *
si_export_idea_markdown (SiIdea *idea,
                         gsize  *length)
{
  GString *out;
  const char * const *tags;
  g_autofree char *created = NULL;
  g_autofree char *updated = NULL;

  g_return_val_if_fail (SI_IS_IDEA (idea), NULL);

  out = g_string_new ("---\ntitle: ");
  tags = si_idea_get_tag_names (idea);
  created = si_export_format_time (si_idea_get_created_at (idea));
  updated = si_export_format_time (si_idea_get_updated_at (idea));
  append_quoted (out, si_idea_get_title (idea));
  g_string_append (out, "\ntags: [");
  for (guint i = 0; tags && tags[i]; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      append_quoted (out, tags[i]);
    }
  g_string_append_printf (out, "]\npinned: %s\ncreated: %s\nupdated: %s\nuid: %s\n---\n\n",
                          si_idea_get_pinned (idea) ? "true" : "false", created, updated,
                          si_idea_get_uid (idea));
  g_string_append (out, si_idea_get_body (idea));
  if (length)
    *length = out->len;
  return g_string_free (out, FALSE);
}

/* TRUE when @file is an earlier export of the idea @uid, so writing over it loses nothing. */
static gboolean
file_is_export_of (GFile        *file,
                   const char   *uid,
                   GCancellable *cancellable)
{
  g_autoptr(GFileInputStream) stream = g_file_read (file, cancellable, NULL);
  g_autofree char *needle = g_strdup_printf ("\nuid: %s\n", uid);
  char buffer[UID_PROBE_BYTES + 1];
  gsize n = 0;
  char *end;

  if (stream == NULL ||
      !g_input_stream_read_all (G_INPUT_STREAM (stream), buffer, UID_PROBE_BYTES, &n, cancellable, NULL))
    return FALSE;
  buffer[n] = '\0';
  if (!g_str_has_prefix (buffer, "---\n"))
    return FALSE;
  /* Only inside the front matter. */
  if ((end = strstr (buffer + 3, "\n---")) != NULL)
    end[1] = '\0';
  return strstr (buffer + 3, needle) != NULL;
}

/* The file for @idea in @folder: named after its title, not used by another idea of this export,
 * and not an unrelated file that is there already. */
static GFile *
choose_file (GFile        *folder,
             GHashTable   *used,
             SiIdea       *idea,
             GCancellable *cancellable)
{
  g_autofree char *title = si_idea_dup_display_title (idea);
  g_autofree char *base = si_export_file_name (title);

  for (guint n = 1; ; n++)
    {
      g_autofree char *name = n == 1 ? g_strdup_printf ("%s.md", base)
                                     : g_strdup_printf ("%s (%u).md", base, n);
      g_autofree char *key = g_utf8_casefold (name, -1);
      g_autoptr(GFile) file = NULL;

      if (g_hash_table_contains (used, key))
        continue;
      file = g_file_get_child (folder, name);
      if (g_file_query_exists (file, cancellable) &&
          !file_is_export_of (file, si_idea_get_uid (idea), cancellable))
        continue;
      g_hash_table_add (used, g_steal_pointer (&key));
      return g_steal_pointer (&file);
    }
}

/**
 * si_export_markdown:
 * @folder: the folder to write to; made when missing
 * @n_ideas: (out) (optional): how many ideas were written
 *
 * Writes every idea of @store as a Markdown file in @folder. Files of an earlier export of the
 * same ideas are overwritten; no other file is.
 */
gboolean
si_export_markdown (SiStore       *store,
                    GFile         *folder,
                    guint         *n_ideas,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GHashTable) used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) ideas = NULL;
  gboolean began;

  g_return_val_if_fail (SI_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_FILE (folder), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_ideas)
    *n_ideas = 0;
  if (!ensure_folder (folder, cancellable, error))
    return FALSE;

  began = snapshot_begin (store);
  ideas = load_ideas (store, cancellable, error);
  snapshot_end (store, began);
  if (ideas == NULL)
    return FALSE;

  for (guint i = 0; i < ideas->len; i++)
    {
      SiIdea *idea = g_ptr_array_index (ideas, i);
      g_autoptr(GFile) file = NULL;
      g_autofree char *text = NULL;
      gsize length;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      file = choose_file (folder, used, idea, cancellable);
      text = si_export_idea_markdown (idea, &length);
      if (!write_file (file, text, length, cancellable, error))
        return FALSE;
      if (n_ideas)
        (*n_ideas)++;
    }
  g_debug ("Exported %u ideas as Markdown", ideas->len);
  return TRUE;
}

/* JSON --------------------------------------------------------------------------------------- */

static void
add_time (JsonBuilder *builder,
          const char  *member,
          gint64       usec)
{
  g_autofree char *text = si_export_format_time (usec);

  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, text);
}

static void
add_string (JsonBuilder *builder,
            const char  *member,
            const char  *value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, value ? value : "");
}

/**
 * si_export_json:
 * @file: the file to write, replaced when it exists
 * @n_ideas: (out) (optional): how many ideas were written
 *
 * Writes every tag and idea of @store to one JSON file.
 */
gboolean
si_export_json (SiStore       *store,
                GFile         *file,
                guint         *n_ideas,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) ideas = NULL;
  g_autoptr(GPtrArray) tags = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;
  gboolean began;

  g_return_val_if_fail (SI_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_ideas)
    *n_ideas = 0;

  began = snapshot_begin (store);
  tags = si_store_list_tags (store, error);
  if (tags != NULL)
    ideas = load_ideas (store, cancellable, error);
  snapshot_end (store, began);
  if (tags == NULL || ideas == NULL)
    return FALSE;

  json_builder_begin_object (builder);
  add_string (builder, "format", SI_EXPORT_JSON_FORMAT);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, SI_EXPORT_JSON_VERSION);
  add_time (builder, "exported", g_get_real_time ());

  json_builder_set_member_name (builder, "tags");
  json_builder_begin_array (builder);
  for (guint i = 0; i < tags->len; i++)
    {
      SiTag *tag = g_ptr_array_index (tags, i);

      json_builder_begin_object (builder);
      add_string (builder, "uid", si_tag_get_uid (tag));
      add_string (builder, "name", si_tag_get_name (tag));
      add_string (builder, "colour", si_tag_get_colour (tag));
      add_time (builder, "created", si_tag_get_created_at (tag));
      add_time (builder, "updated", si_tag_get_updated_at (tag));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "ideas");
  json_builder_begin_array (builder);
  for (guint i = 0; i < ideas->len; i++)
    {
      SiIdea *idea = g_ptr_array_index (ideas, i);
      const char * const *names = si_idea_get_tag_names (idea);

      json_builder_begin_object (builder);
      add_string (builder, "uid", si_idea_get_uid (idea));
      add_string (builder, "title", si_idea_get_title (idea));
      add_string (builder, "body", si_idea_get_body (idea));
      json_builder_set_member_name (builder, "tags");
      json_builder_begin_array (builder);
      for (guint j = 0; names && names[j]; j++)
        json_builder_add_string_value (builder, names[j]);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "pinned");
      json_builder_add_boolean_value (builder, si_idea_get_pinned (idea));
      add_time (builder, "created", si_idea_get_created_at (idea));
      add_time (builder, "updated", si_idea_get_updated_at (idea));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);
  data = json_generator_to_data (generator, &length);
  if (!write_file (file, data, length, cancellable, error))
    return FALSE;
  if (n_ideas)
    *n_ideas = ideas->len;
  g_debug ("Exported %u ideas and %u tags as JSON", ideas->len, tags->len);
  return TRUE;
}

/**
 * si_export:
 * @format: Markdown files, or one JSON file
 * @folder: the folder to write to; made when missing. A JSON export is
 *   SI_EXPORT_JSON_FILE_NAME in it.
 * @n_ideas: (out) (optional): how many ideas were written
 */
gboolean
si_export (SiStore         *store,
           SiExportFormat   format,
           GFile           *folder,
           guint           *n_ideas,
           GCancellable    *cancellable,
           GError         **error)
{
  g_autoptr(GFile) file = NULL;

  g_return_val_if_fail (SI_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_FILE (folder), FALSE);

  if (format == SI_EXPORT_FORMAT_MARKDOWN)
    return si_export_markdown (store, folder, n_ideas, cancellable, error);

  if (!ensure_folder (folder, cancellable, error))
    return FALSE;
  file = g_file_get_child (folder, SI_EXPORT_JSON_FILE_NAME);
  return si_export_json (store, file, n_ideas, cancellable, error);
}
