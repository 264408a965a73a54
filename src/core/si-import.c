/* si-import.c — ideas brought in from Markdown files, a folder of them, or a JSON export.
 *
 * An import happens in two steps. First every file is read and checked completely (UTF-8, the
 * front matter or the JSON, the limits of si-types.h) into plain records, without touching the
 * notebook: a bad file is an error that names it, and nothing was written. Then all records are
 * written in one transaction, so a failure there (a full disk, cancellation) also leaves the
 * notebook as it was.
 *
 * Records are matched to the notebook by uid: a new uid is a new idea (keeping the uid and the
 * times), a known uid is updated when its content differs — unless the notebook's copy was
 * changed after the imported one, which then stays as it is. A Markdown file without a uid is
 * a new idea unless one with the same title and body exists.
 */
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
#include "si-record-private.h"
#include "si-store-private.h"

G_DEFINE_QUARK (si-import-error-quark, si_import_error)

#define UID_MAX_BYTES 100
#define JSON_MAX_BYTES ((goffset) 1024 * 1024 * 1024)
#define MARKDOWN_MAX_BYTES ((goffset) SI_BODY_MAX_BYTES + 64 * 1024)

typedef struct {
  const char *source;      /* the file's display name, owned by the batch */
  guint       index;       /* the idea's position in a JSON file, from 1; 0 in Markdown */
  char       *uid;         /* NULL: none */
  char       *title;
  char       *body;
  GPtrArray  *tags;        /* names */
  gboolean    pinned;
  gint64      created_at;  /* 0: unknown */
  gint64      updated_at;
} Record;

typedef struct {
  char   *uid;
  char   *name;
  char   *colour;
  gint64  created_at;
} TagRecord;

typedef struct {
  GPtrArray *sources;     /* char *: display names of the files read */
  GPtrArray *tags;        /* TagRecord * */
  GPtrArray *records;     /* Record * */
  guint      n_skipped;   /* entries of a folder that are not regular files, left out */
  GPtrArray *skipped;     /* char *: a message for each of the first SI_IMPORT_SKIPPED_MAX */
} Batch;

static void
record_free (gpointer data)
{
  Record *record = data;

  g_free (record->uid);
  g_free (record->title);
  g_free (record->body);
  g_clear_pointer (&record->tags, g_ptr_array_unref);
  g_free (record);
}

static Record *
record_new (const char *source)
{
  Record *record = g_new0 (Record, 1);

  record->source = source;
  record->title = g_strdup ("");
  record->body = g_strdup ("");
  record->tags = g_ptr_array_new_with_free_func (g_free);
  return record;
}

static void
tag_record_free (gpointer data)
{
  TagRecord *tag = data;

  g_free (tag->uid);
  g_free (tag->name);
  g_free (tag->colour);
  g_free (tag);
}

static void
batch_clear (Batch *batch)
{
  g_clear_pointer (&batch->records, g_ptr_array_unref);
  g_clear_pointer (&batch->tags, g_ptr_array_unref);
  g_clear_pointer (&batch->sources, g_ptr_array_unref);
  g_clear_pointer (&batch->skipped, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Batch, batch_clear)

static void
batch_init (Batch *batch)
{
  batch->sources = g_ptr_array_new_with_free_func (g_free);
  batch->tags = g_ptr_array_new_with_free_func (tag_record_free);
  batch->records = g_ptr_array_new_with_free_func (record_free);
}

/* An entry of a folder that is left out: @error (SI_IMPORT_ERROR_NOT_REGULAR) names it. */
static void
batch_skip (Batch  *batch,
            GError *error)
{
  g_debug ("%s", error->message);
  if (batch != NULL && batch->n_skipped++ < SI_IMPORT_SKIPPED_MAX)
    {
      if (batch->skipped == NULL)
        batch->skipped = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (batch->skipped, g_strdup (error->message));
    }
  g_error_free (error);
}

static const char *
batch_add_source (Batch *batch,
                  GFile *file)
{
  char *name = g_file_get_parse_name (file);

  g_ptr_array_add (batch->sources, name);
  return name;
}

static gboolean G_GNUC_PRINTF (4, 5)
invalid (GError     **error,
         const char  *source,
         guint        line,
         const char  *format,
         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (line > 0)
    /* Translators: the file, the line number in it, then what is wrong there. */
    g_set_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_INVALID, _("%s, line %u: %s"), source, line, message);
  else
    g_set_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_INVALID, "%s: %s", source, message);
  return FALSE;
}

/* Times ----------------------------------------------------------------------------------- */

/**
 * si_import_parse_time:
 * @text: an ISO 8601 date and time (UTC when it has no zone), or a date alone (midnight UTC)
 * @usec: (out): microseconds since the epoch
 *
 * Reads the times si_export_format_time() writes, exactly to the microsecond.
 *
 * Returns: TRUE when @text is a time
 */
gboolean
si_import_parse_time (const char *text,
                      gint64     *usec)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *with_time = NULL;
  const char *t, *p;
  gint64 fraction = 0;

  g_return_val_if_fail (usec != NULL, FALSE);

  if (text == NULL)
    return FALSE;
  /* A date alone, as hand-written front matter often has it. */
  if (strlen (text) == 10 && text[4] == '-' && text[7] == '-')
    text = with_time = g_strconcat (text, "T00:00:00Z", NULL);

  if (!(dt = g_date_time_new_from_iso8601 (text, utc)))
    return FALSE;

  /* GDateTime keeps seconds as a double while parsing: take the fraction from the text. */
  t = strpbrk (text, "Tt ");
  p = t ? strpbrk (t, ".,") : NULL;
  if (p != NULL)
    {
      guint digits = 0;

      for (p++; g_ascii_isdigit (*p); p++)
        if (digits < 6)
          {
            fraction = fraction * 10 + (*p - '0');
            digits++;
          }
      for (; digits < 6; digits++)
        fraction *= 10;
    }
  *usec = g_date_time_to_unix (dt) * G_USEC_PER_SEC + fraction;
  return TRUE;
}

/* Checks ----------------------------------------------------------------------------------- */

static gboolean
check_utf8 (const char  *source,
            const char  *data,
            gsize        length,
            GError     **error)
{
  const char *end = NULL;
  guint line = 1;

  if (g_utf8_validate_len (data, length, &end))
    return TRUE;
  for (const char *p = data; p < end; p++)
    if (*p == '\n')
      line++;
  if (end != NULL && (gsize) (end - data) < length && *end == '\0')
    return invalid (error, source, line, _("the file contains a NUL byte; it is not a text file."));
  /* Translators: %zu is the position of the first wrong byte in the file. */
  return invalid (error, source, line, _("the file is not valid UTF-8 text (at byte %zu)."),
                  (size_t) (end - data));
}

static gboolean
check_record (Record     *record,
              guint       line,
              GError    **error)
{
  /* Translators: names the idea in a JSON export, before what is wrong with it (“idea 3: the
   * title is too long…”); %u counts from 1. */
  g_autofree char *where = record->index ? g_strdup_printf (_("idea %u: "), record->index) : g_strdup ("");

  if (!g_utf8_validate (record->title, -1, NULL) || !g_utf8_validate (record->body, -1, NULL))
    /* Translators: in this message and the next ones, the first %s is empty or names the idea
     * of a JSON export (“idea 3: ”). */
    return invalid (error, record->source, line, _("%sthe text is not valid UTF-8."), where);
  if (g_utf8_strlen (record->title, -1) > SI_TITLE_MAX_CHARS)
    return invalid (error, record->source, line,
                    /* Translators: %s is empty or names the idea (“idea 3: ”). */
                    g_dngettext (GETTEXT_PACKAGE, "%sthe title is too long: at most %d character.",
                                 "%sthe title is too long: at most %d characters.", SI_TITLE_MAX_CHARS),
                    where, SI_TITLE_MAX_CHARS);
  if (strlen (record->body) > SI_BODY_MAX_BYTES)
    /* Translators: %s is empty or names the idea (“idea 3: ”); KiB are 1024 bytes. */
    return invalid (error, record->source, line, _("%sthe text is too long: at most %d KiB."),
                    where, SI_BODY_MAX_BYTES / 1024);
  if (record->tags->len > SI_TAGS_PER_IDEA_MAX)
    return invalid (error, record->source, line,
                    /* Translators: %s is empty or names the idea (“idea 3: ”). */
                    g_dngettext (GETTEXT_PACKAGE, "%san idea can have at most %d tag.",
                                 "%san idea can have at most %d tags.", SI_TAGS_PER_IDEA_MAX),
                    where, SI_TAGS_PER_IDEA_MAX);
  for (guint i = 0; i < record->tags->len; i++)
    {
      const char *name = g_ptr_array_index (record->tags, i);

      if (!g_utf8_validate (name, -1, NULL))
        /* Translators: %s is empty or names the idea (“idea 3: ”). */
        return invalid (error, record->source, line, _("%sa tag name is not valid UTF-8."), where);
      if (g_utf8_strlen (name, -1) > SI_TAG_NAME_MAX_CHARS)
        return invalid (error, record->source, line,
                        /* Translators: the first %s is empty or names the idea (“idea 3: ”), the
                         * second is the beginning of the tag's name. */
                        g_dngettext (GETTEXT_PACKAGE, "%sthe tag name “%.40s…” is too long: at most %d character.",
                                     "%sthe tag name “%.40s…” is too long: at most %d characters.",
                                     SI_TAG_NAME_MAX_CHARS),
                        where, name, SI_TAG_NAME_MAX_CHARS);
    }
  if (record->uid != NULL)
    {
      gboolean ok = record->uid[0] != '\0' && strlen (record->uid) <= UID_MAX_BYTES;

      for (const char *p = record->uid; ok && *p; p++)
        ok = g_ascii_isgraph (*p);
      if (!ok)
        /* Translators: the first %s is empty or names the idea (“idea 3: ”), the second is the
         * beginning of what the file has as the idea's uid. */
        return invalid (error, record->source, line, _("%s“%.40s” is not a uid."), where, record->uid);
    }
  return TRUE;
}

/* Adds @name to @record's tags: stripped, without a leading '#', ignoring empty ones. */
static void
record_add_tag (Record     *record,
                const char *name)
{
  g_autofree char *clean = g_strstrip (g_strdup (name));
  const char *p = clean;

  while (*p == '#')
    p++;
  if (*p == '\0')
    return;
  for (guint i = 0; i < record->tags->len; i++)
    if (g_str_equal (g_ptr_array_index (record->tags, i), p))
      return;
  g_ptr_array_add (record->tags, g_strdup (p));
}

/* Reading files ------------------------------------------------------------------------------ */

static GError *
not_regular_error (const char *source)
{
  return g_error_new (SI_IMPORT_ERROR, SI_IMPORT_ERROR_NOT_REGULAR,
                      /* Translators: %s is the file. */
                      _("%s: not a regular file (a FIFO, a device, a folder, or a link to one or to "
                        "nothing); it was not read."), source);
}

/* Reads what @read gives, expecting about @expected bytes and never keeping more than
 * @max_bytes + 1 (one more says the file is too large: it grew since it was checked). */
typedef gssize (*ReadFunc) (gpointer       from,
                            void          *buffer,
                            gsize          count,
                            GCancellable  *cancellable,
                            GError       **error);

static char *
read_capped (ReadFunc       read_func,
             gpointer       from,
             goffset        expected,
             goffset        max_bytes,
             gsize         *length,
             GCancellable  *cancellable,
             GError       **error)
{
  gsize size = (gsize) CLAMP (expected, 0, max_bytes) + 1, got = 0;
  g_autofree char *buffer = g_malloc (size + 1);

  for (;;)
    {
      gssize n;

      if (got == size)
        {
          if (size > (gsize) max_bytes)
            break;
          size = (gsize) MIN (MAX ((goffset) size * 2, 4096), max_bytes + 1);
          buffer = g_realloc (buffer, size + 1);
        }
      if ((n = read_func (from, buffer + got, size - got, cancellable, error)) < 0)
        return NULL;
      if (n == 0)
        break;
      got += (gsize) n;
    }
  buffer[got] = '\0';
  *length = got;
  return g_steal_pointer (&buffer);
}

static gssize
read_fd (gpointer       from,
         void          *buffer,
         gsize          count,
         GCancellable  *cancellable,
         GError       **error)
{
  int fd = GPOINTER_TO_INT (from);

  for (;;)
    {
      gssize n;
      int errsv;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return -1;
      n = read (fd, buffer, count);
      if (n >= 0)
        return n;
      errsv = errno;
      if (errsv != EINTR)
        {
          g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (errsv), g_strerror (errsv));
          return -1;
        }
    }
}

static gssize
read_stream (gpointer       from,
             void          *buffer,
             gsize          count,
             GCancellable  *cancellable,
             GError       **error)
{
  return g_input_stream_read (from, buffer, count, cancellable, error);
}

static void
set_errno_error (GError **error,
                 int      errsv)
{
  g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (errsv), g_strerror (errsv));
}

/* A local file is opened without waiting (O_NONBLOCK: a FIFO put in its place does not hang the
 * open) and checked again with fstat(), so that what is read is the regular file checked. Sets
 * *@what to what it found when that is not a regular file of at most @max_bytes. */
typedef enum { FOUND_FILE, FOUND_NOT_REGULAR, FOUND_TOO_LARGE } Found;

static char *
load_local_file (const char    *path,
                 goffset        max_bytes,
                 gsize         *length,
                 Found         *what,
                 GCancellable  *cancellable,
                 GError       **error)
{
  struct stat st;
  char *data;
  int fd;

  if (g_stat (path, &st) != 0)
    {
      set_errno_error (error, errno);
      return NULL;
    }
  if (!S_ISREG (st.st_mode) || st.st_size > max_bytes)
    {
      *what = S_ISREG (st.st_mode) ? FOUND_TOO_LARGE : FOUND_NOT_REGULAR;
      return NULL;
    }
  if ((fd = g_open (path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0)) < 0)
    {
      set_errno_error (error, errno);
      return NULL;
    }
  if (fstat (fd, &st) != 0)
    {
      set_errno_error (error, errno);
      g_close (fd, NULL);
      return NULL;
    }
  if (!S_ISREG (st.st_mode) || st.st_size > max_bytes)
    {
      *what = S_ISREG (st.st_mode) ? FOUND_TOO_LARGE : FOUND_NOT_REGULAR;
      g_close (fd, NULL);
      return NULL;
    }
  data = read_capped (read_fd, GINT_TO_POINTER (fd), st.st_size, max_bytes, length, cancellable, error);
  g_close (fd, NULL);
  return data;
}

/* Not a local file (a GVfs location): the same checks through GIO. */
static char *
load_gio_file (GFile         *file,
               goffset        max_bytes,
               gsize         *length,
               Found         *what,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GFileInputStream) stream = NULL;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE "," G_FILE_ATTRIBUTE_STANDARD_SIZE,
                            G_FILE_QUERY_INFO_NONE, cancellable, error);
  if (info == NULL)
    return NULL;
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR || g_file_info_get_size (info) > max_bytes)
    {
      *what = g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR ? FOUND_TOO_LARGE : FOUND_NOT_REGULAR;
      return NULL;
    }
  if (!(stream = g_file_read (file, cancellable, error)))
    return NULL;
  return read_capped (read_stream, stream, g_file_info_get_size (info), max_bytes, length, cancellable, error);
}

/* Reads @file, a regular file of at most @max_bytes. Anything else is refused before it is read:
 * a FIFO, a device, a folder or a link to one (SI_IMPORT_ERROR_NOT_REGULAR), a file too large
 * (SI_IMPORT_ERROR_INVALID), so that an import neither hangs nor fills the memory. */
static gboolean
load_file (GFile         *file,
           const char    *source,
           goffset        max_bytes,
           char         **data,
           gsize         *length,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = g_file_get_path (file);
  Found what = FOUND_FILE;

  if (path != NULL)
    *data = load_local_file (path, max_bytes, length, &what, cancellable, &local_error);
  else
    *data = load_gio_file (file, max_bytes, length, &what, cancellable, &local_error);
  if (*data != NULL && *length > (gsize) max_bytes)
    {
      g_clear_pointer (data, g_free);
      what = FOUND_TOO_LARGE;
    }
  if (*data != NULL)
    return TRUE;

  if (what == FOUND_NOT_REGULAR)
    g_propagate_error (error, not_regular_error (source));
  else if (what == FOUND_TOO_LARGE)
    g_set_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_INVALID,
                 /* Translators: %s is the file. */
                 _("%s: the file is too large to import."), source);
  else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, g_steal_pointer (&local_error));
  else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    /* Translators: %s is the file. */
    g_set_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_NOT_FOUND, _("%s: there is no such file."), source);
  else
    /* Translators: the file, then why it cannot be read. */
    g_set_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_READ, _("%s: cannot read the file: %s"),
                 source, local_error->message);
  return FALSE;
}

static gint64
file_mtime (GFileInfo *info)
{
  g_autoptr(GDateTime) dt = info ? g_file_info_get_modification_date_time (info) : NULL;

  if (dt == NULL)
    return g_get_real_time ();
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
}

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

static gboolean
parse_tags_value (Record      *record,
                  const char  *value,
                  guint        line,
                  GError     **error)
{
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
            return invalid (error, record->source, line, "tags: %s.", message);
          record_add_tag (record, name);
          while (*p == ' ' || *p == '\t')
            p++;
          if (*p == ',')
            p++;
          else if (!only_comment (p))
            /* Translators: “tags” is the name of the key in a Markdown file; keep it. */
            return invalid (error, record->source, line, _("tags: a comma is missing."));
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
        return invalid (error, record->source, line, "tags: %s.", message);
      record_add_tag (record, name);
      while (*p == ' ' || *p == '\t')
        p++;
      if (*p == ',')
        p++;
      else if (*p != ']')
        /* Translators: “tags” is the name of the key in a Markdown file; keep it. */
        return invalid (error, record->source, line, _("tags: the list has no closing “]”."));
    }
  if (!only_comment (p + 1))
    /* Translators: “tags” is the name of the key in a Markdown file; keep it. */
    return invalid (error, record->source, line, _("tags: unexpected text after the list."));
  return TRUE;
}

static gboolean
parse_front_matter_line (Record      *record,
                         const char  *key,
                         const char  *value,
                         guint        line,
                         gboolean    *in_tag_list,
                         GError     **error)
{
  g_autofree char *text = NULL;
  const char *end = NULL, *message = NULL;
  gint64 usec;

  if (g_ascii_strcasecmp (key, "tags") == 0)
    {
      if (only_comment (value))
        {
          *in_tag_list = TRUE;
          return TRUE;
        }
      return parse_tags_value (record, value, line, error);
    }

  if (g_ascii_strcasecmp (key, "title") != 0 && g_ascii_strcasecmp (key, "pinned") != 0 &&
      g_ascii_strcasecmp (key, "created") != 0 && g_ascii_strcasecmp (key, "updated") != 0 &&
      g_ascii_strcasecmp (key, "uid") != 0)
    return TRUE;   /* other programs' keys: not ours to judge */

  if (!(text = parse_scalar (value, NULL, &end, &message)))
    return invalid (error, record->source, line, "%s: %s.", key, message);
  if (!only_comment (end))
    /* Translators: %s is a key of a Markdown file's front matter (title, uid, created…). */
    return invalid (error, record->source, line, _("%s: unexpected text after the value."), key);

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
        return invalid (error, record->source, line, _("pinned: “%s” is neither true nor false."), text);
    }
  else if (*text != '\0')
    {
      if (!si_import_parse_time (text, &usec) || usec <= 0)
        /* Translators: the key (created or updated), then its value. */
        return invalid (error, record->source, line, _("%s: “%s” is not a date and time (use ISO 8601, "
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

/* Parses a Markdown file's text (NUL-terminated, checked UTF-8) into @record. */
static gboolean
parse_markdown (Record      *record,
                const char  *text,
                GError     **error)
{
  const char *p = text, *end, *body = NULL;
  gboolean in_tag_list = FALSE;
  guint line = 1;

  if (g_str_has_prefix (p, "\xef\xbb\xbf"))
    p += 3;

  end = line_end (p);
  if (*end == '\0' || !is_delimiter (p, end) || strncmp (p, "---", 3) != 0)
    {
      title_from_text (record, p);
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
      title_from_text (record, p);
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

      if (in_tag_list)
        {
          if (key[0] == '-' && (key[1] == ' ' || key[1] == '\0'))
            {
              const char *message = NULL, *rest = NULL;
              g_autofree char *name = parse_scalar (key + 1, NULL, &rest, &message);

              if (name == NULL)
                return invalid (error, record->source, line, "tags: %s.", message);
              record_add_tag (record, name);
              continue;
            }
          in_tag_list = FALSE;
        }
      if (key != text_line)
        continue;   /* an indented line of something that is not ours */

      if ((colon = strchr (key, ':')) == NULL)
        continue;   /* not a key: value line; YAML we do not read */
      key[colon - key] = '\0';
      g_strchomp (key);
      if (!parse_front_matter_line (record, key, colon + 1, line, &in_tag_list, error))
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

static gboolean
read_markdown_file (Batch         *batch,
                    GFile         *file,
                    GFileInfo     *info,
                    GCancellable  *cancellable,
                    GError       **error)
{
  const char *source = batch_add_source (batch, file);
  g_autoptr(GFileInfo) own_info = NULL;
  g_autofree char *data = NULL;
  Record *record;
  gsize length = 0;
  gint64 mtime;

  if (!load_file (file, source, MARKDOWN_MAX_BYTES, &data, &length, cancellable, error) ||
      !check_utf8 (source, data, length, error))
    return FALSE;
  if (info == NULL)
    info = own_info = g_file_query_info (file, G_FILE_ATTRIBUTE_TIME_MODIFIED "," G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC,
                                         G_FILE_QUERY_INFO_NONE, cancellable, NULL);
  mtime = file_mtime (info);

  record = record_new (source);
  g_ptr_array_add (batch->records, record);
  if (!parse_markdown (record, data, error))
    return FALSE;
  if (record->created_at == 0)
    record->created_at = record->updated_at ? record->updated_at : mtime;
  if (record->updated_at == 0)
    record->updated_at = MAX (mtime, record->created_at);
  return check_record (record, 0, error);
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
static gboolean
collect_markdown_files (GFile         *folder,
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
          if (!collect_markdown_files (child, files, infos, batch, depth + 1, cancellable, error))
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
                                           G_FILE_ATTRIBUTE_TIME_MODIFIED "," G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC,
                                           G_FILE_QUERY_INFO_NONE, cancellable, NULL);

      /* A FIFO, a device, a link to something that is not a file (or to nothing) is left out,
       * and said so. */
      if (info == NULL || g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
        {
          g_autofree char *source = g_file_get_parse_name (file);

          batch_skip (batch, not_regular_error (source));
          g_clear_object (&info);
          continue;
        }
      g_ptr_array_add (files, g_object_ref (file));
      g_ptr_array_add (infos, info);
    }
  return TRUE;
}

/* JSON ---------------------------------------------------------------------------------------- */

static gboolean
json_string_member (JsonObject   *object,
                    const char   *member,
                    const char  **value,
                    gboolean     *wrong_type)
{
  JsonNode *node = json_object_get_member (object, member);

  *value = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      *wrong_type = TRUE;
      return FALSE;
    }
  *value = json_node_get_string (node);
  return TRUE;
}

/* A time member: an ISO 8601 string, or an integer of microseconds. 0 when absent. */
static gboolean
json_time_member (JsonObject *object,
                  const char *member,
                  gint64     *usec)
{
  JsonNode *node = json_object_get_member (object, member);

  *usec = 0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *usec = json_node_get_int (node);
      return *usec > 0;
    }
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return si_import_parse_time (json_node_get_string (node), usec) && *usec > 0;
  return FALSE;
}

static gboolean
read_json_tag (Batch       *batch,
               const char  *source,
               guint        index,
               JsonNode    *node,
               GError     **error)
{
  JsonObject *object;
  const char *name = NULL, *uid = NULL, *colour = NULL;
  gboolean wrong = FALSE;
  TagRecord *tag;
  gint64 created = 0;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    /* Translators: %u counts the tags of a JSON export from 1. */
    return invalid (error, source, 0, _("tag %u is not an object."), index);
  object = json_node_get_object (node);
  if (!json_string_member (object, "name", &name, &wrong))
    return invalid (error, source, 0, _("tag %u has no name."), index);
  json_string_member (object, "uid", &uid, &wrong);
  json_string_member (object, "colour", &colour, &wrong);
  if (wrong)
    /* Translators: “uid” and “colour” are member names of the JSON file; keep them. */
    return invalid (error, source, 0, _("tag %u: “uid” and “colour” must be strings."), index);
  if (!json_time_member (object, "created", &created))
    /* Translators: “created” is a member name of the JSON file; keep it. */
    return invalid (error, source, 0, _("tag %u: “created” is not a date and time."), index);
  if (!g_utf8_validate (name, -1, NULL) || g_utf8_strlen (name, -1) > SI_TAG_NAME_MAX_CHARS)
    return invalid (error, source, 0,
                    /* Translators: %u counts the tags of a JSON export from 1. */
                    g_dngettext (GETTEXT_PACKAGE, "tag %u: the name is not valid or too long (at most %d character).",
                                 "tag %u: the name is not valid or too long (at most %d characters).",
                                 SI_TAG_NAME_MAX_CHARS),
                    index, SI_TAG_NAME_MAX_CHARS);

  tag = g_new0 (TagRecord, 1);
  tag->name = g_strdup (name);
  tag->uid = uid && *uid && strlen (uid) <= UID_MAX_BYTES ? g_strdup (uid) : NULL;
  tag->colour = g_strdup (colour);
  tag->created_at = created;
  g_ptr_array_add (batch->tags, tag);
  return TRUE;
}

static gboolean
read_json_idea (Batch       *batch,
                const char  *source,
                guint        index,
                JsonNode    *node,
                GError     **error)
{
  /* Translators: names an idea of a JSON export in the messages below (%s); %u counts from 1. */
  g_autofree char *where = g_strdup_printf (_("idea %u"), index);
  JsonObject *object;
  JsonNode *member;
  const char *value = NULL;
  gboolean wrong = FALSE;
  Record *record;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    /* Translators: %s names the idea (“idea 3”). */
    return invalid (error, source, 0, _("%s is not an object."), where);
  object = json_node_get_object (node);
  record = record_new (source);
  record->index = index;
  g_ptr_array_add (batch->records, record);

  if (json_string_member (object, "uid", &value, &wrong))
    record->uid = g_strdup (value);
  if (json_string_member (object, "title", &value, &wrong))
    {
      g_free (record->title);
      record->title = g_strdup (value);
    }
  if (json_string_member (object, "body", &value, &wrong))
    {
      g_free (record->body);
      record->body = g_strdup (value);
    }
  if (wrong)
    /* Translators: %s names the idea (“idea 3”); the quoted words are member names of the JSON
     * file, keep them. */
    return invalid (error, source, 0, _("%s: “uid”, “title” and “body” must be strings."), where);

  if ((member = json_object_get_member (object, "pinned")) != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      if (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_BOOLEAN)
        /* Translators: %s names the idea (“idea 3”); keep “pinned”, true and false. */
        return invalid (error, source, 0, _("%s: “pinned” must be true or false."), where);
      record->pinned = json_node_get_boolean (member);
    }

  if ((member = json_object_get_member (object, "tags")) != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (member))
        /* Translators: %s names the idea (“idea 3”); keep “tags”. */
        return invalid (error, source, 0, _("%s: “tags” must be a list of names."), where);
      array = json_node_get_array (member);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *tag = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_VALUE (tag) || json_node_get_value_type (tag) != G_TYPE_STRING)
            /* Translators: %s names the idea (“idea 3”); keep “tags”. */
            return invalid (error, source, 0, _("%s: “tags” must be a list of names."), where);
          record_add_tag (record, json_node_get_string (tag));
        }
    }

  if (!json_time_member (object, "created", &record->created_at))
    /* Translators: %s names the idea (“idea 3”); keep “created”. */
    return invalid (error, source, 0, _("%s: “created” is not a date and time."), where);
  if (!json_time_member (object, "updated", &record->updated_at))
    /* Translators: %s names the idea (“idea 3”); keep “updated”. */
    return invalid (error, source, 0, _("%s: “updated” is not a date and time."), where);
  if (record->created_at == 0)
    record->created_at = record->updated_at ? record->updated_at : g_get_real_time ();
  if (record->updated_at == 0)
    record->updated_at = record->created_at;
  return check_record (record, 0, error);
}

static gboolean
read_json_file (Batch         *batch,
                GFile         *file,
                GCancellable  *cancellable,
                GError       **error)
{
  const char *source = batch_add_source (batch, file);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  JsonObject *root;
  JsonNode *node, *format, *version;
  JsonArray *array;
  gsize length = 0;

  if (!load_file (file, source, JSON_MAX_BYTES, &data, &length, cancellable, error) ||
      !check_utf8 (source, data, length, error))
    return FALSE;
  /* The codec's guard first: json-glib recurses per level of nesting. */
  if (!si_wire_check_text (data, length, &local_error) ||
      !json_parser_load_from_data (parser, data, length, &local_error))
    /* Translators: %s is the JSON parser's message. */
    return invalid (error, source, 0, _("the file is not valid JSON: %s"), local_error->message);

  node = json_parser_get_root (parser);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node) ||
      !(format = json_object_get_member (root = json_node_get_object (node), "format")) ||
      !JSON_NODE_HOLDS_VALUE (format) || json_node_get_value_type (format) != G_TYPE_STRING ||
      g_strcmp0 (json_node_get_string (format), SI_EXPORT_JSON_FORMAT) != 0)
    {
      g_set_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_UNSUPPORTED,
                   /* Translators: %s is the file; keep "format": "saveidea" as it is. */
                   _("%s: this is not a Saveidea export (it has no \"format\": \"saveidea\")."), source);
      return FALSE;
    }
  version = json_object_get_member (root, "version");
  if (version == NULL || !JSON_NODE_HOLDS_VALUE (version) || json_node_get_value_type (version) != G_TYPE_INT64 ||
      json_node_get_int (version) < 1)
    /* Translators: keep “version”, a member name of the JSON file. */
    return invalid (error, source, 0, _("the export has no valid “version”."));
  if (json_node_get_int (version) > SI_EXPORT_JSON_VERSION)
    {
      g_set_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_UNSUPPORTED,
                   /* Translators: the file, then the version of the export format it has. */
                   _("%s: this export was written by a newer Saveidea (format version %lld); "
                     "update Saveidea to import it."), source, (long long) json_node_get_int (version));
      return FALSE;
    }

  if ((node = json_object_get_member (root, "tags")) != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!JSON_NODE_HOLDS_ARRAY (node))
        /* Translators: keep “tags”, a member name of the JSON file. */
        return invalid (error, source, 0, _("“tags” must be a list."));
      array = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        if (!read_json_tag (batch, source, i + 1, json_array_get_element (array, i), error))
          return FALSE;
    }

  node = json_object_get_member (root, "ideas");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    /* Translators: keep “ideas”, a member name of the JSON file. */
    return invalid (error, source, 0, _("“ideas” must be a list."));
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      if (i % 256 == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!read_json_idea (batch, source, i + 1, json_array_get_element (array, i), error))
        return FALSE;
    }
  return TRUE;
}

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
}

static gboolean
write_batch (SiStore        *store,
             Batch          *batch,
             SiImportStats  *stats,
             GCancellable   *cancellable,
             GError        **error)
{
  g_autoptr(GHashTable) tag_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) tag_info = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Writer writer = { store, tag_ids, tag_info, NULL, { 0 } };

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

  for (guint i = 0; i < batch->records->len; i++)
    {
      Record *record = g_ptr_array_index (batch->records, i);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto fail;
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

/* Public -------------------------------------------------------------------------------------- */

/**
 * si_import_markdown_file:
 * @file: a Markdown file, with or without a front matter
 * @stats: (inout) (optional): what the import did is added to it
 */
gboolean
si_import_markdown_file (SiStore        *store,
                         GFile          *file,
                         SiImportStats  *stats,
                         GCancellable   *cancellable,
                         GError        **error)
{
  g_auto(Batch) batch = { 0 };

  g_return_val_if_fail (SI_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  batch_init (&batch);
  if (!read_markdown_file (&batch, file, NULL, cancellable, error))
    return FALSE;
  return write_batch (store, &batch, stats, cancellable, error);
}

static gboolean import_markdown_files (SiStore        *store,
                                       Batch          *batch,
                                       GPtrArray      *files,
                                       GPtrArray      *infos,
                                       SiImportStats  *stats,
                                       GCancellable   *cancellable,
                                       GError        **error);

/**
 * si_import_markdown_folder:
 * @folder: a folder of Markdown files (`.md`, `.markdown`), also in subfolders; hidden files
 *   and folders are left out
 * @stats: (inout) (optional): what the import did is added to it
 *
 * Imports every file in one transaction: if one is bad, none is imported. Entries that are not
 * regular files (FIFOs, devices, links to them or to nothing) are never opened: they are left
 * out, each with a message in @stats, and the rest is imported.
 */
gboolean
si_import_markdown_folder (SiStore        *store,
                           GFile          *folder,
                           SiImportStats  *stats,
                           GCancellable   *cancellable,
                           GError        **error)
{
  g_auto(Batch) batch = { 0 };
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (SI_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_FILE (folder), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  batch_init (&batch);
  if (!collect_markdown_files (folder, files, infos, &batch, 0, cancellable, error))
    return FALSE;
  return import_markdown_files (store, &batch, files, infos, stats, cancellable, error);
}

/* Reads and writes the Markdown @files of a folder (collect_markdown_files(), which noted in
 * @batch what it left out). */
static gboolean
import_markdown_files (SiStore        *store,
                       Batch          *batch,
                       GPtrArray      *files,
                       GPtrArray      *infos,
                       SiImportStats  *stats,
                       GCancellable   *cancellable,
                       GError        **error)
{
  for (guint i = 0; i < files->len; i++)
    {
      g_autoptr(GError) local_error = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!read_markdown_file (batch, g_ptr_array_index (files, i), g_ptr_array_index (infos, i),
                               cancellable, &local_error))
        {
          /* Made a FIFO or a link to a device since the folder was listed: left out too. */
          if (g_error_matches (local_error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_NOT_REGULAR))
            {
              g_ptr_array_remove_index (batch->sources, batch->sources->len - 1);
              batch_skip (batch, g_steal_pointer (&local_error));
              continue;
            }
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  return write_batch (store, batch, stats, cancellable, error);
}

/**
 * si_import_json_file:
 * @file: a JSON export (si_export_json())
 * @stats: (inout) (optional): what the import did is added to it
 */
gboolean
si_import_json_file (SiStore        *store,
                     GFile          *file,
                     SiImportStats  *stats,
                     GCancellable   *cancellable,
                     GError        **error)
{
  g_auto(Batch) batch = { 0 };

  g_return_val_if_fail (SI_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  batch_init (&batch);
  if (!read_json_file (&batch, file, cancellable, error))
    return FALSE;
  return write_batch (store, &batch, stats, cancellable, error);
}

/**
 * si_import:
 * @file: a `.json` export, a Markdown file, or a folder: of Markdown files, or holding a JSON
 *   export (SI_EXPORT_JSON_FILE_NAME) and no Markdown
 * @stats: (inout) (optional): what the import did is added to it
 *
 * Imports whatever @file is.
 */
gboolean
si_import (SiStore        *store,
           GFile          *file,
           SiImportStats  *stats,
           GCancellable   *cancellable,
           GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autofree char *source = NULL;
  g_autofree char *base = NULL;
  g_autofree char *lower = NULL;

  g_return_val_if_fail (SI_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  source = g_file_get_parse_name (file);
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE,
                            cancellable, &local_error);
  if (info == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        /* Translators: %s is what was to be imported. */
        g_set_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_NOT_FOUND, _("%s: there is no such file or folder."), source);
      else
        g_set_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_READ, "%s: %s", source, local_error->message);
      return FALSE;
    }

  if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    {
      g_autoptr(GFile) json = g_file_get_child (file, SI_EXPORT_JSON_FILE_NAME);
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func (g_object_unref);
      g_auto(Batch) batch = { 0 };

      batch_init (&batch);
      if (!collect_markdown_files (file, files, infos, &batch, 0, cancellable, error))
        return FALSE;
      if (files->len == 0)
        {
          if (g_file_query_exists (json, cancellable))
            return si_import_json_file (store, json, stats, cancellable, error);
          g_set_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_INVALID,
                       /* Translators: the folder, then the name of a JSON export's file. */
                       _("%s: the folder has no Markdown files (.md) and no %s to import."),
                       source, SI_EXPORT_JSON_FILE_NAME);
          return FALSE;
        }
      /* The folder is listed once: a second listing cost 8 % of an import of 20,000 files. */
      return import_markdown_files (store, &batch, files, infos, stats, cancellable, error);
    }

  base = g_file_get_basename (file);
  lower = g_ascii_strdown (base ? base : "", -1);
  if (g_str_has_suffix (lower, ".json"))
    return si_import_json_file (store, file, stats, cancellable, error);
  return si_import_markdown_file (store, file, stats, cancellable, error);
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
