/* si-import-markdown.c — Markdown files (front matter and text), and folders of them. */
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

/* Markdown ----------------------------------------------------------------------------------- */

/* Reads one YAML scalar from @p: "double-quoted" (JSON escapes), 'single-quoted', or plain up
 * to @stop or a " #" comment. Sets *end after it. Returns NULL with @message set when broken. */
static char *
parse_scalar (const char  *p,
              const char  *stop,
              const char **end,
              const char **message)
{
  g_autoptr(GString) out = g_string_new (NULL);

  while (*p == ' ' || *p == '\t')
    p++;

  if (*p == '"')
    {
      for (p++; *p != '"'; p++)
        {
          if (*p == '\0')
            /* Translators: this and the next messages say what is wrong with a quoted value in
             * a Markdown file's front matter; they follow the key (“title: ”). */
            return (*message = _("a quoted text has no closing quote"), NULL);
          if (*p != '\\')
            {
              g_string_append_c (out, *p);
              continue;
            }
          p++;
          switch (*p)
            {
            case 'n': g_string_append_c (out, '\n'); break;
            case 'r': g_string_append_c (out, '\r'); break;
            case 't': g_string_append_c (out, '\t'); break;
            case 'b': g_string_append_c (out, '\b'); break;
            case 'f': g_string_append_c (out, '\f'); break;
            case '"': case '\\': case '/': case '\'': case ' ':
              g_string_append_c (out, *p);
              break;
            case 'u': case 'U': case 'x':
              {
                guint n = *p == 'u' ? 4 : *p == 'U' ? 8 : 2;
                gunichar c = 0;

                for (guint i = 0; i < n; i++)
                  {
                    if (!g_ascii_isxdigit (p[1]))
                      /* Translators: \u starts an escape such as \u00e9; keep it. */
                      return (*message = _("a \\u escape needs hexadecimal digits"), NULL);
                    c = c * 16 + g_ascii_xdigit_value (*++p);
                  }
                /* A surrogate pair, as JSON writes characters beyond the BMP. */
                if (c >= 0xd800 && c < 0xdc00 && p[1] == '\\' && p[2] == 'u')
                  {
                    gunichar low = 0;
                    guint i;

                    for (i = 0; i < 4 && g_ascii_isxdigit (p[3 + i]); i++)
                      low = low * 16 + g_ascii_xdigit_value (p[3 + i]);
                    if (i == 4 && low >= 0xdc00 && low < 0xe000)
                      {
                        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
                        p += 6;
                      }
                  }
                if (c == 0 || !g_unichar_validate (c))
                  return (*message = _("an escape stands for no valid character"), NULL);
                g_string_append_unichar (out, c);
              }
              break;
            default:
              return (*message = _("a quoted text has an unknown escape"), NULL);
            }
        }
      *end = p + 1;
    }
  else if (*p == '\'')
    {
      for (p++; ; p++)
        {
          if (*p == '\0')
            return (*message = _("a quoted text has no closing quote"), NULL);
          if (*p == '\'')
            {
              if (p[1] != '\'')
                break;
              p++;
            }
          g_string_append_c (out, *p);
        }
      *end = p + 1;
    }
  else
    {
      const char *q = p;

      while (*q && (stop == NULL || strchr (stop, *q) == NULL) && !(*q == '#' && q > p && (q[-1] == ' ' || q[-1] == '\t')))
        q++;
      g_string_append_len (out, p, q - p);
      g_strchomp (out->str);
      g_string_set_size (out, strlen (out->str));
      *end = q;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Nothing but blanks or a comment after a value. */
static gboolean
only_comment (const char *p)
{
  while (*p == ' ' || *p == '\t')
    p++;
  return *p == '\0' || *p == '#';
}

/* Where the items of a list in the front matter go: the record's tags, or @into (aliases). */
typedef struct {
  Record     *record;
  GPtrArray  *into;     /* NULL: the record's tags */
  const char *key;      /* for messages */
  gboolean    spaces;   /* Obsidian: "tags: a b" is two tags */
} ListTarget;

static void
list_add (ListTarget *target,
          const char *item)
{
  if (target->into == NULL && target->spaces)
    {
      g_auto(GStrv) words = g_strsplit_set (item, " \t", -1);

      for (guint i = 0; words[i] != NULL; i++)
        _si_import_record_add_tag (target->record, words[i]);
    }
  else if (target->into == NULL)
    _si_import_record_add_tag (target->record, item);
  else if (*g_strstrip ((char *) item) != '\0')
    g_ptr_array_add (target->into, g_strdup (item));
}

static gboolean
parse_list_value (ListTarget  *target,
                  const char  *value,
                  guint        line,
                  GError     **error)
{
  Record *record = target->record;
  const char *p = value, *message = NULL;

  while (*p == ' ' || *p == '\t')
    p++;

  if (*p != '[')
    {
      /* tags: a, b   or a single tag */
      while (*p)
        {
          g_autofree char *name = parse_scalar (p, ",", &p, &message);

          if (name == NULL)
            return _si_import_invalid (error, record->source, line, "%s: %s.", target->key, message);
          list_add (target, name);
          while (*p == ' ' || *p == '\t')
            p++;
          if (*p == ',')
            p++;
          else if (!only_comment (p))
            /* Translators: %s is the key in a Markdown file (tags, aliases); keep it. */
            return _si_import_invalid (error, record->source, line, _("%s: a comma is missing."), target->key);
          else
            break;
        }
      return TRUE;
    }

  for (p++; ; )
    {
      g_autofree char *name = NULL;

      while (*p == ' ' || *p == '\t')
        p++;
      if (*p == ']')
        break;
      if (!(name = parse_scalar (p, ",]", &p, &message)))
        return _si_import_invalid (error, record->source, line, "%s: %s.", target->key, message);
      list_add (target, name);
      while (*p == ' ' || *p == '\t')
        p++;
      if (*p == ',')
        p++;
      else if (*p != ']')
        /* Translators: %s is the key in a Markdown file (tags, aliases); keep it. */
        return _si_import_invalid (error, record->source, line, _("%s: the list has no closing “]”."), target->key);
    }
  if (!only_comment (p + 1))
    /* Translators: %s is the key in a Markdown file (tags, aliases); keep it. */
    return _si_import_invalid (error, record->source, line, _("%s: unexpected text after the list."), target->key);
  return TRUE;
}

static gboolean
parse_front_matter_line (Record      *record,
                         const char  *key,
                         const char  *value,
                         guint        line,
                         ListTarget  *list,
                         guint        flags,
                         GPtrArray   *aliases,
                         GError     **error)
{
  g_autofree char *text = NULL;
  const char *end = NULL, *message = NULL;
  gboolean obsidian = (flags & MARKDOWN_OBSIDIAN) != 0;
  gint64 usec;

  if (g_ascii_strcasecmp (key, "tags") == 0 || (obsidian && g_ascii_strcasecmp (key, "tag") == 0) ||
      (obsidian && aliases != NULL && (g_ascii_strcasecmp (key, "aliases") == 0 || g_ascii_strcasecmp (key, "alias") == 0)))
    {
      gboolean is_alias = g_ascii_strncasecmp (key, "alias", 5) == 0;

      list->record = record;
      list->into = is_alias ? aliases : NULL;
      list->key = is_alias ? "aliases" : "tags";
      list->spaces = obsidian;
      if (only_comment (value))
        return TRUE;   /* a list follows, one "- item" a line */
      list->record = NULL;
      {
        ListTarget target = { record, is_alias ? aliases : NULL, is_alias ? "aliases" : "tags", obsidian };
        return parse_list_value (&target, value, line, error);
      }
    }
  if (obsidian)
    return TRUE;   /* the rest of a vault's front matter is its plugins': not ours to judge */

  if (g_ascii_strcasecmp (key, "title") != 0 && g_ascii_strcasecmp (key, "pinned") != 0 &&
      g_ascii_strcasecmp (key, "created") != 0 && g_ascii_strcasecmp (key, "updated") != 0 &&
      g_ascii_strcasecmp (key, "uid") != 0)
    return TRUE;   /* other programs' keys: not ours to judge */

  if (!(text = parse_scalar (value, NULL, &end, &message)))
    return _si_import_invalid (error, record->source, line, "%s: %s.", key, message);
  if (!only_comment (end))
    /* Translators: %s is a key of a Markdown file's front matter (title, uid, created…). */
    return _si_import_invalid (error, record->source, line, _("%s: unexpected text after the value."), key);

  if (g_ascii_strcasecmp (key, "title") == 0)
    {
      g_free (record->title);
      record->title = g_steal_pointer (&text);
    }
  else if (g_ascii_strcasecmp (key, "uid") == 0)
    {
      g_free (record->uid);
      record->uid = *text ? g_steal_pointer (&text) : NULL;
    }
  else if (g_ascii_strcasecmp (key, "pinned") == 0)
    {
      if (g_ascii_strcasecmp (text, "true") == 0 || g_ascii_strcasecmp (text, "yes") == 0 ||
          g_ascii_strcasecmp (text, "on") == 0 || g_str_equal (text, "1"))
        record->pinned = TRUE;
      else if (g_ascii_strcasecmp (text, "false") == 0 || g_ascii_strcasecmp (text, "no") == 0 ||
               g_ascii_strcasecmp (text, "off") == 0 || g_str_equal (text, "0") || *text == '\0')
        record->pinned = FALSE;
      else
        /* Translators: “pinned” is the name of the key in a Markdown file; keep it. %s is its value. */
        return _si_import_invalid (error, record->source, line, _("pinned: “%s” is neither true nor false."), text);
    }
  else if (*text != '\0')
    {
      if (!si_import_parse_time (text, &usec) || usec <= 0)
        /* Translators: the key (created or updated), then its value. */
        return _si_import_invalid (error, record->source, line, _("%s: “%s” is not a date and time (use ISO 8601, "
                                                                   "e.g. 2024-05-01T09:30:00Z)."), key, text);
      if (g_ascii_strcasecmp (key, "created") == 0)
        record->created_at = usec;
      else
        record->updated_at = usec;
    }
  return TRUE;
}

/* The end of the line that starts at @p (its '\n' or NUL). */
static const char *
line_end (const char *p)
{
  const char *nl = strchr (p, '\n');
  return nl ? nl : p + strlen (p);
}

static gboolean
is_delimiter (const char *line,
              const char *end)
{
  gsize n = end - line;

  if (n > 0 && line[n - 1] == '\r')
    n--;
  return (n == 3 && (strncmp (line, "---", 3) == 0 || strncmp (line, "...", 3) == 0));
}

/* Title and body of a file without front matter: its first heading, or its first line. */
static void
title_from_text (Record     *record,
                 const char *text)
{
  const char *p = text, *end;
  g_autofree char *line = NULL;

  while (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')
    p++;
  end = line_end (p);
  line = g_strstrip (g_strndup (p, end - p));

  if (line[0] == '#')
    {
      char *h = line;
      guint level = 0;

      while (*h == '#')
        h++, level++;
      if (level <= 6 && (*h == ' ' || *h == '\t' || *h == '\0'))
        {
          char *q;

          g_strstrip (h);
          /* "# Title ##": closing hashes go */
          q = h + strlen (h);
          while (q > h && q[-1] == '#')
            q--;
          if (q == h || q[-1] == ' ' || q[-1] == '\t')
            *q = '\0';
          g_strstrip (h);
          memmove (line, h, strlen (h) + 1);
        }
    }

  p = *end ? end + 1 : end;
  while (*p == '\n' || (*p == '\r' && p[1] == '\n'))
    p += *p == '\r' ? 2 : 1;

  g_free (record->title);
  g_free (record->body);
  if (g_utf8_strlen (line, -1) > SI_TITLE_MAX_CHARS)
    {
      /* A long first paragraph: the title is its beginning, the body keeps all of it. */
      const char *cut = g_utf8_offset_to_pointer (line, SI_TITLE_MAX_CHARS - 1);
      g_autofree char *start = g_strndup (line, cut - line);

      record->title = g_strconcat (start, "…", NULL);
      record->body = g_strdup (text);
      return;
    }
  record->title = g_steal_pointer (&line);
  record->body = g_strdup (p);
}

/* The text of a file without front matter: its title is its first line, unless @flags say that
 * the caller names it (Obsidian: the file's name), and then the body is all of it. */
static void
text_without_front_matter (Record     *record,
                           const char *text,
                           guint       flags)
{
  if (flags & MARKDOWN_OBSIDIAN)
    {
      g_free (record->body);
      record->body = g_strdup (text);
    }
  else
    title_from_text (record, text);
}

/**
 * _si_import_parse_markdown:
 * @text: a Markdown file's text (NUL-terminated, checked UTF-8)
 * @flags: MARKDOWN_OBSIDIAN for a vault's note: `tags` also split at spaces (and `tag`), `aliases`
 *   read into @aliases, other keys ignored, the title left to the caller, the body all the text
 *   after the front matter
 * @aliases: (element-type utf8) (nullable): gets the aliases
 *
 * Reads a Markdown file's front matter and text into @record.
 */
gboolean
_si_import_parse_markdown (Record      *record,
                           const char  *text,
                           guint        flags,
                           GPtrArray   *aliases,
                           GError     **error)
{
  const char *p = text, *end, *body = NULL;
  ListTarget list = { 0 };
  guint line = 1;

  if (g_str_has_prefix (p, "\xef\xbb\xbf"))
    p += 3;

  end = line_end (p);
  if (*end == '\0' || !is_delimiter (p, end) || strncmp (p, "---", 3) != 0)
    {
      text_without_front_matter (record, p, flags);
      return TRUE;
    }

  /* Find the closing delimiter first: without one, the "---" was a rule, not front matter. */
  for (const char *q = end + 1; *q; q = *end ? end + 1 : end)
    {
      end = line_end (q);
      if (is_delimiter (q, end))
        {
          body = *end ? end + 1 : end;
          break;
        }
    }
  if (body == NULL)
    {
      text_without_front_matter (record, p, flags);
      return TRUE;
    }

  for (p = line_end (p) + 1, line = 2; p < body; p = end + 1, line++)
    {
      g_autofree char *text_line = NULL;
      const char *colon;
      char *key;

      end = line_end (p);
      if (is_delimiter (p, end))
        break;
      text_line = g_strndup (p, end - p);
      g_strchomp (text_line);
      key = text_line;
      while (*key == ' ' || *key == '\t')
        key++;
      if (*key == '\0' || *key == '#')
        continue;

      if (list.record != NULL)
        {
          if (key[0] == '-' && (key[1] == ' ' || key[1] == '\0'))
            {
              const char *message = NULL, *rest = NULL;
              g_autofree char *name = parse_scalar (key + 1, NULL, &rest, &message);

              if (name == NULL)
                return _si_import_invalid (error, record->source, line, "%s: %s.", list.key, message);
              list_add (&list, name);
              continue;
            }
          list.record = NULL;
        }
      if (key != text_line)
        continue;   /* an indented line of something that is not ours */

      if ((colon = strchr (key, ':')) == NULL)
        continue;   /* not a key: value line; YAML we do not read */
      key[colon - key] = '\0';
      g_strchomp (key);
      if (!parse_front_matter_line (record, key, colon + 1, line, &list, flags, aliases, error))
        return FALSE;
    }

  /* The exporter writes one blank line after the front matter. */
  if (*body == '\n')
    body++;
  else if (body[0] == '\r' && body[1] == '\n')
    body += 2;
  g_free (record->body);
  record->body = g_strdup (body);
  return TRUE;
}

gboolean
_si_import_read_markdown_file (Batch         *batch,
                               GFile         *file,
                               GFileInfo     *info,
                               GCancellable  *cancellable,
                               GError       **error)
{
  const char *source = _si_import_batch_add_source (batch, file);
  g_autoptr(GFileInfo) own_info = NULL;
  g_autofree char *data = NULL;
  Record *record;
  gsize length = 0;
  gint64 mtime;

  if (!_si_import_load_file (file, source, MARKDOWN_MAX_BYTES, &data, &length, cancellable, error) ||
      !_si_import_check_utf8 (source, data, length, error))
    return FALSE;
  if (info == NULL)
    info = own_info = g_file_query_info (file, G_FILE_ATTRIBUTE_TIME_MODIFIED "," G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC,
                                         G_FILE_QUERY_INFO_NONE, cancellable, NULL);
  mtime = _si_import_file_mtime (info);

  record = _si_import_record_new (source);
  g_ptr_array_add (batch->records, record);
  if (!_si_import_parse_markdown (record, data, 0, NULL, error))
    return FALSE;
  if (record->created_at == 0)
    record->created_at = record->updated_at ? record->updated_at : mtime;
  if (record->updated_at == 0)
    record->updated_at = MAX (mtime, record->created_at);
  return _si_import_check_record (record, 0, error);
}

/* Text that did not come from a file (dropped on the app's window): read as a Markdown file's
 * text is, with the same checks; its times are now. */
gboolean
_si_import_read_markdown_text (Batch       *batch,
                               const char  *source,
                               const char  *text,
                               gsize        length,
                               GError     **error)
{
  g_autofree char *data = NULL;
  Record *record;

  if (length > (gsize) MARKDOWN_MAX_BYTES)
    return _si_import_invalid (error, source, 0, _("The text is too long to import."));
  if (!_si_import_check_utf8 (source, text, length, error))
    return FALSE;
  data = g_strndup (text, length);
  record = _si_import_record_new (source);
  g_ptr_array_add (batch->records, record);
  if (!_si_import_parse_markdown (record, data, 0, NULL, error))
    return FALSE;
  if (record->created_at == 0)
    record->created_at = record->updated_at ? record->updated_at : g_get_real_time ();
  if (record->updated_at == 0)
    record->updated_at = MAX (g_get_real_time (), record->created_at);
  return _si_import_check_record (record, 0, error);
}

static gboolean
is_markdown_name (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  return g_str_has_suffix (lower, ".md") || g_str_has_suffix (lower, ".markdown");
}

static gint
compare_paths (gconstpointer a,
               gconstpointer b)
{
  GFile *x = *(GFile * const *) a, *y = *(GFile * const *) b;
  g_autofree char *px = g_file_get_path (x);
  g_autofree char *py = g_file_get_path (y);

  return g_strcmp0 (px, py);
}

/* Every Markdown file under @folder, in subfolders too, but not in hidden ones (.obsidian, .git)
 * and not through links to folders. */
gboolean
_si_import_collect_markdown_files (GFile         *folder,
                                   GPtrArray     *files,
                                   GPtrArray     *infos,
                                   Batch         *batch,
                                   guint          depth,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  g_autoptr(GFileEnumerator) enumerator = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_object_unref);

  enumerator = g_file_enumerate_children (folder,
                                          G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                          G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                          G_FILE_ATTRIBUTE_STANDARD_IS_HIDDEN,
                                          G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, cancellable, &local_error);
  if (enumerator == NULL)
    {
      g_autofree char *source = g_file_get_parse_name (folder);

      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        /* Translators: %s is the folder. */
        g_set_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_NOT_FOUND, _("%s: there is no such folder."), source);
      else
        /* Translators: the folder, then why it cannot be read. */
        g_set_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_READ, _("%s: cannot read the folder: %s"),
                     source, local_error->message);
      return FALSE;
    }

  for (;;)
    {
      GFileInfo *info = NULL;
      GFile *child = NULL;
      GFileType type;
      const char *name;

      if (!g_file_enumerator_iterate (enumerator, &info, &child, cancellable, error))
        return FALSE;
      if (info == NULL)
        break;
      name = g_file_info_get_name (info);
      type = g_file_info_get_file_type (info);
      if (name[0] == '.' || g_file_info_get_is_hidden (info))
        continue;
      if (type == G_FILE_TYPE_DIRECTORY && depth < 32)
        {
          if (!_si_import_collect_markdown_files (child, files, infos, batch, depth + 1, cancellable, error))
            return FALSE;
        }
      else if (type != G_FILE_TYPE_DIRECTORY && is_markdown_name (name))
        g_ptr_array_add (found, g_object_ref (child));
    }

  g_ptr_array_sort (found, compare_paths);
  for (guint i = 0; i < found->len; i++)
    {
      GFile *file = g_ptr_array_index (found, i);
      GFileInfo *info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                           G_FILE_ATTRIBUTE_TIME_MODIFIED "," G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC ","
                                           G_FILE_ATTRIBUTE_TIME_CREATED,
                                           G_FILE_QUERY_INFO_NONE, cancellable, NULL);

      /* A FIFO, a device, a link to something that is not a file (or to nothing) is left out,
       * and said so. */
      if (info == NULL || g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
        {
          g_autofree char *source = g_file_get_parse_name (file);

          _si_import_batch_skip (batch, _si_import_not_regular_error (source));
          g_clear_object (&info);
          continue;
        }
      g_ptr_array_add (files, g_object_ref (file));
      g_ptr_array_add (infos, info);
    }
  return TRUE;
}
