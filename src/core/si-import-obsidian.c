/* si-import-obsidian.c — an Obsidian vault: a folder with `.obsidian/` (its settings) and
 * Markdown files in nested folders.
 *
 * The shape, from Obsidian's help (“Properties”, “Tags”, “Internal links”, “Embed files”) and a
 * vault made with Obsidian 1.5: a note is `Folder/Sub/Title.md`; its title is the file's name;
 * the front matter's `tags` (a list, or a text split at commas and spaces; `tag` too) and inline
 * `#tags` (not in code, not headings, nested as `#a/b`) become tags, and so does the folder it
 * is in, as one nested tag (`Folder/Sub`); `aliases` are kept at the end of the text (Saveidea
 * has no aliases: “Aliases: …”). `[[wikilinks]]` stay as they are written. Embedded files
 * (`![[image.png]]`, `![](pictures/a.png)`) are not imported: each is listed in the report. The
 * times are the file's. `.obsidian/` is left out; `.trash/` (Obsidian's own trash) is imported
 * as trashed notes, tagged or left out as the options say. A note's uid comes from its path in
 * the vault, so that importing the vault again updates what changed.
 */
#define G_LOG_DOMAIN "saveidea-import"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "si-import.h"
#include "si-import-private.h"

#define EMBED_MAX_BYTES 4096

gboolean
_si_import_obsidian_probe_folder (const Probe *probe)
{
  return _si_import_probe_has_entry (probe, ".obsidian/");
}

/* Adds a folder's path as a tag, cut to the bound of a tag name from the top down. */
static void
add_folder_tag (Record     *record,
                const char *path)
{
  g_autofree char *tag = g_strdup (path);
  char *p = tag;

  while (g_utf8_strlen (p, -1) > SI_TAG_NAME_MAX_CHARS && strchr (p, '/'))
    p = strchr (p, '/') + 1;
  if (g_utf8_strlen (p, -1) > SI_TAG_NAME_MAX_CHARS)
    *g_utf8_offset_to_pointer (p, SI_TAG_NAME_MAX_CHARS) = '\0';
  _si_import_record_add_tag (record, p);
}

static gboolean
is_tag_char (gunichar c)
{
  return g_unichar_isalnum (c) || c == '_' || c == '-' || c == '/';
}

/* The inline #tags of @body, outside code: `#tag` after a blank or at a line's start, made of
 * letters, digits, _ - and /, with at least one that is not a digit. */
static void
add_inline_tags (Record     *record,
                 const char *body)
{
  gboolean fence = FALSE;
  char fence_char = 0;

  for (const char *line = body; line != NULL && *line; )
    {
      const char *end = strchr (line, '\n');
      const char *stop = end ? end : line + strlen (line);
      const char *p = line;
      guint ticks = 0;

      while (p < stop && *p == ' ' && p - line < 3)
        p++;
      if (stop - p >= 3 && (strncmp (p, "```", 3) == 0 || strncmp (p, "~~~", 3) == 0) &&
          (!fence || *p == fence_char))
        {
          fence = !fence;
          fence_char = *p;
        }
      else if (!fence)
        for (p = line; p < stop; p = g_utf8_next_char (p))
          {
            if (*p == '`')
              {
                /* A code span: up to the same number of backticks, or the line's end. */
                const char *q = p;

                for (ticks = 0; q < stop && *q == '`'; q++)
                  ticks++;
                for (; q < stop; q++)
                  {
                    guint n = 0;

                    while (q + n < stop && q[n] == '`')
                      n++;
                    if (n == ticks)
                      break;
                    q += n ? n - 1 : 0;
                  }
                p = q < stop ? q + ticks - 1 : stop - 1;
                continue;
              }
            if (*p == '#' && (p == line || p[-1] == ' ' || p[-1] == '\t'))
              {
                const char *q = p + 1;
                gboolean letter = FALSE;

                while (q < stop && is_tag_char (g_utf8_get_char_validated (q, stop - q)))
                  {
                    if (!g_ascii_isdigit (*q))
                      letter = TRUE;
                    q = g_utf8_next_char (q);
                  }
                if (q > p + 1 && letter)
                  {
                    g_autofree char *tag = g_strndup (p + 1, q - p - 1);
                    gsize n = strlen (tag);

                    while (n > 0 && tag[n - 1] == '/')
                      tag[--n] = '\0';
                    if (n > 0 && g_utf8_strlen (tag, -1) <= SI_TAG_NAME_MAX_CHARS)
                      _si_import_record_add_tag (record, tag);
                  }
                p = q - 1;
              }
          }
      line = end ? end + 1 : NULL;
    }
}

/* The first @needle in [@from, @stop), or NULL; @cache keeps the last answer for the line, so
 * that many openings without a closing one do not search the line again each (quadratic). */
static const char *
find_in_line (const char  *from,
              const char  *stop,
              const char  *needle,
              const char **cache,
              gboolean    *none)
{
  if (*none)
    return NULL;
  if (*cache != NULL && *cache >= from)
    return *cache;
  *cache = g_strstr_len (from, stop - from, needle);
  *none = *cache == NULL;
  return *cache;
}

/* Embedded files: `![[name.ext]]` (not a note: `![[Other note]]` shows a note in a note) and
 * `![alt](path)` that is not a web address. */
static void
report_embeds (Batch      *batch,
               const char *title,
               const char *body)
{
  for (const char *line = body; line != NULL && *line; )
    {
      const char *nl = strchr (line, '\n');
      const char *stop = nl ? nl : line + strlen (line);
      const char *wiki_close = NULL, *link_open = NULL, *link_close = NULL;
      gboolean no_wiki_close = FALSE, no_link_open = FALSE, no_link_close = FALSE;

      for (const char *p = g_strstr_len (line, stop - line, "!["); p != NULL;
           p = g_strstr_len (p + 2, stop - (p + 2), "!["))
        {
          g_autofree char *name = NULL;

          if (p[2] == '[')
            {
              const char *end = find_in_line (p + 3, stop, "]]", &wiki_close, &no_wiki_close);
              const char *dot;

              /* No file's name is that long: also keeps this loop linear. */
              if (end == NULL || end - p > EMBED_MAX_BYTES)
                continue;
              name = g_strndup (p + 3, end - p - 3);
              name[strcspn (name, "|#")] = '\0';   /* ![[a.png|300]], ![[b.pdf#page=2]] */
              dot = strrchr (name, '.');
              if (dot == NULL || strchr (dot, '/') || g_ascii_strcasecmp (dot, ".md") == 0)
                continue;
            }
          else
            {
              const char *open = find_in_line (p + 2, stop, "](", &link_open, &no_link_open);
              const char *end = open ? find_in_line (open + 2, stop, ")", &link_close, &no_link_close) : NULL;

              if (open == NULL || end == NULL || end - p > EMBED_MAX_BYTES)
                continue;
              name = g_strndup (open + 2, end - open - 2);
              if (strstr (name, "://") != NULL || g_str_has_prefix (name, "data:"))
                continue;
            }
          g_strstrip (name);
          if (*name != '\0')
            _si_import_batch_add_attachment (batch, title, name);
        }
      line = nl ? nl + 1 : NULL;
    }
}

static gboolean
read_note (Batch         *batch,
           GFile         *vault,
           GFile         *file,
           GFileInfo     *info,
           gboolean       trashed,
           GCancellable  *cancellable,
           GError       **error)
{
  const char *source = _si_import_batch_add_source (batch, file);
  g_autoptr(GPtrArray) aliases = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *data = NULL;
  g_autofree char *path = g_file_get_relative_path (vault, file);
  g_autofree char *folder = NULL;
  g_autofree char *base = g_file_get_basename (file);
  g_autoptr(GDateTime) born = NULL;
  g_autoptr(GError) local_error = NULL;
  char *dot;
  Record *record;
  gsize length = 0;

  if (!_si_import_load_file (file, source, MARKDOWN_MAX_BYTES, &data, &length, cancellable, &local_error))
    /* Made a FIFO or a link to a device since the folder was listed: left out (TRUE). */
    return _si_import_batch_skip_or_fail (batch, g_steal_pointer (&local_error), error);
  if (!_si_import_check_utf8 (source, data, length, error))
    return FALSE;

  record = _si_import_record_new (source);
  if (!_si_import_parse_markdown (record, data, MARKDOWN_OBSIDIAN, aliases, error))
    {
      _si_import_record_free (record);
      return FALSE;
    }
  if ((dot = strrchr (base, '.')) != NULL && dot != base)
    *dot = '\0';
  g_free (record->title);
  record->title = g_strdup (base);
  if (path == NULL)
    path = g_strdup (base);
  record->uid = _si_import_uid_from_id ("obsidian", path);

  folder = g_path_get_dirname (path);
  if (trashed && g_str_has_prefix (folder, ".trash"))
    {
      /* The folder inside .trash/ is where the note was. */
      char *rest = g_strdup (folder[6] == '/' ? folder + 7 : "");
      g_free (folder);
      folder = rest;
    }
  if (*folder != '\0' && !g_str_equal (folder, "."))
    add_folder_tag (record, folder);
  add_inline_tags (record, record->body);
  report_embeds (batch, record->title, record->body);
  if (aliases->len > 0)
    {
      g_autoptr(GString) body = g_string_new (record->body);

      while (body->len > 0 && body->str[body->len - 1] == '\n')
        g_string_truncate (body, body->len - 1);
      /* Translators: a line at the end of a note imported from Obsidian, before its aliases. */
      g_string_append_printf (body, "%s%s ", body->len > 0 ? "\n\n" : "", _("Aliases:"));
      for (guint i = 0; i < aliases->len; i++)
        g_string_append_printf (body, "%s%s", i ? ", " : "", (char *) g_ptr_array_index (aliases, i));
      g_string_append_c (body, '\n');
      g_free (record->body);
      record->body = g_string_free (g_steal_pointer (&body), FALSE);
    }

  record->updated_at = _si_import_file_mtime (info);
  born = info && g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_TIME_CREATED)
           ? g_file_info_get_creation_date_time (info) : NULL;
  record->created_at = born ? MIN (g_date_time_to_unix (born) * G_USEC_PER_SEC, record->updated_at)
                            : record->updated_at;
  record->trashed = trashed;
  return _si_import_batch_add_record (batch, record, error);
}

gboolean
_si_import_obsidian_read (Batch         *batch,
                          GFile         *vault,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GFile) trash = g_file_get_child (vault, ".trash");
  guint n_live;

  /* Hidden folders (.obsidian, .git, .trash) are left out by the collector; the trash is read
   * on its own. */
  if (!_si_import_collect_markdown_files (vault, files, infos, batch, 0, cancellable, error))
    return FALSE;
  n_live = files->len;
  if (g_file_query_file_type (trash, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, cancellable) == G_FILE_TYPE_DIRECTORY &&
      !_si_import_collect_markdown_files (trash, files, infos, batch, 1, cancellable, error))
    return FALSE;

  for (guint i = 0; i < files->len; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!read_note (batch, vault, g_ptr_array_index (files, i), g_ptr_array_index (infos, i), i >= n_live,
                      cancellable, error))
        return FALSE;
    }
  if (files->len == 0)
    {
      g_autofree char *source = g_file_get_parse_name (vault);

      return _si_import_invalid (error, source, 0, _("the Obsidian vault has no notes (.md files)."));
    }
  return TRUE;
}
