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
 * a new idea unless one with the same title and body exists (looked for after every record with
 * a uid is written, so importing the same files twice never creates anything the second time).
 *
 * This file holds what the readers share (records, checks, reading a file with a bound) and the
 * public functions; the readers are si-import-markdown.c and si-import-json.c, the writing
 * si-import-write.c.
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
#include "si-import-private.h"
#include "si-record-private.h"
#include "si-store-private.h"

G_DEFINE_QUARK (si-import-error-quark, si_import_error)

void
_si_import_record_free (Record *record)
{
  if (record == NULL)
    return;
  g_free (record->uid);
  g_free (record->title);
  g_free (record->body);
  g_clear_pointer (&record->tags, g_ptr_array_unref);
  g_free (record);
}

static void
record_free (gpointer data)
{
  _si_import_record_free (data);
}

Record *
_si_import_record_new (const char *source)
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
  g_clear_pointer (&batch->attachments, g_ptr_array_unref);
  g_clear_pointer (&batch->uids, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Batch, batch_clear)

static const SiImportOptions default_options = { 0 };

static void
batch_init (Batch *batch)
{
  batch->options = &default_options;
  batch->sources = g_ptr_array_new_with_free_func (g_free);
  batch->tags = g_ptr_array_new_with_free_func (tag_record_free);
  batch->records = g_ptr_array_new_with_free_func (record_free);
}

/* An entry of a folder that is left out: @error (SI_IMPORT_ERROR_NOT_REGULAR) names it. */
void
_si_import_batch_skip (Batch  *batch,
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

/* After a file of a folder could not be read (@file_error, taken): one that is not a regular
 * file (made a FIFO or a link to a device since the folder was listed) is left out, its source
 * forgotten, and the folder goes on (TRUE); any other error is the import's (FALSE). */
gboolean
_si_import_batch_skip_or_fail (Batch   *batch,
                               GError  *file_error,
                               GError **error)
{
  if (g_error_matches (file_error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_NOT_REGULAR))
    {
      g_ptr_array_remove_index (batch->sources, batch->sources->len - 1);
      _si_import_batch_skip (batch, file_error);
      return TRUE;
    }
  g_propagate_error (error, file_error);
  return FALSE;
}

gboolean
_si_import_batch_leaves_out (Batch        *batch,
                             const Record *record)
{
  return (record->archived || record->trashed) && batch->options->archived == SI_IMPORT_ARCHIVED_SKIP;
}

gboolean
_si_import_batch_add_record (Batch   *batch,
                             Record  *record,
                             GError **error)
{
  if (_si_import_batch_leaves_out (batch, record))
    {
      batch->n_left_out++;
      _si_import_record_free (record);
      return TRUE;
    }
  /* Other apps allow longer titles: the title is cut, and the body starts with all of it. */
  if (g_utf8_validate (record->title, -1, NULL) && g_utf8_strlen (record->title, -1) > SI_TITLE_MAX_CHARS)
    {
      char *body = g_strconcat (record->title, "\n\n", record->body, NULL);
      char *title = _si_import_title_from_body (record->title);

      g_free (record->body);
      g_free (record->title);
      record->body = body;
      record->title = title;
    }
  /* Two notes of one export with one id (a copied file, a hand-made export): the second gets
   * a uid of its own, the same at each import, rather than overwrite the first. */
  if (record->uid != NULL)
    {
      if (batch->uids == NULL)
        batch->uids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      /* Derived from the note's place among its namesakes, not its times, which may be the
       * time now when the export has none. */
      for (gint64 n = 1; g_hash_table_contains (batch->uids, record->uid); n++)
        {
          char *uid = _si_import_uid_from_content (record->uid, record->title, record->body, n);

          g_free (record->uid);
          record->uid = uid;
        }
      g_hash_table_add (batch->uids, g_strdup (record->uid));
    }
  if (record->trashed)
    _si_import_record_add_tag (record, SI_IMPORT_TAG_TRASH);
  else if (record->archived)
    _si_import_record_add_tag (record, SI_IMPORT_TAG_ARCHIVED);
  g_ptr_array_add (batch->records, record);
  return _si_import_check_record (record, 0, error);
}

void
_si_import_batch_add_attachment (Batch      *batch,
                                 const char *title,
                                 const char *file_name)
{
  if (batch->n_attachments++ >= SI_IMPORT_ATTACHMENTS_MAX)
    return;
  if (batch->attachments == NULL)
    batch->attachments = g_ptr_array_new_with_free_func (g_free);
  /* Translators: a note's title, then the name of a file attached to it that was not imported. */
  g_ptr_array_add (batch->attachments, g_strdup_printf (_("%s — %s"), title && *title ? title : _("(untitled)"), file_name));
}

/* A name-based UUID (RFC 4122, version 5: SHA-1) of @data. */
static char *
uid_from_bytes (const char *app,
                const char *data,
                gsize       length)
{
  g_autoptr(GChecksum) sha = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize n = sizeof digest;

  g_checksum_update (sha, (const guchar *) "saveidea-import:", 16);
  g_checksum_update (sha, (const guchar *) app, (gssize) strlen (app) + 1);
  g_checksum_update (sha, (const guchar *) data, (gssize) length);
  g_checksum_get_digest (sha, digest, &n);
  digest[6] = (digest[6] & 0x0f) | 0x50;
  digest[8] = (digest[8] & 0x3f) | 0x80;
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
                          digest[8], digest[9], digest[10], digest[11], digest[12], digest[13], digest[14], digest[15]);
}

char *
_si_import_uid_from_id (const char *app,
                        const char *id)
{
  return uid_from_bytes (app, id, strlen (id));
}

char *
_si_import_uid_from_content (const char *app,
                             const char *title,
                             const char *body,
                             gint64      created_at)
{
  g_autoptr(GString) data = g_string_new (NULL);

  g_string_append_printf (data, "%" G_GINT64_FORMAT, created_at);
  g_string_append_len (data, "", 1);
  g_string_append (data, title);
  g_string_append_len (data, "", 1);
  g_string_append (data, body);
  return uid_from_bytes (app, data->str, data->len);
}

char *
_si_import_title_from_body (const char *body)
{
  const char *p = body;

  for (;;)
    {
      const char *end = strchr (p, '\n');
      g_autofree char *line = g_strndup (p, end ? (gsize) (end - p) : strlen (p));

      g_strstrip (line);
      if (*line != '\0')
        {
          if (g_utf8_validate (line, -1, NULL) && g_utf8_strlen (line, -1) > SI_TITLE_MAX_CHARS)
            {
              const char *cut = g_utf8_offset_to_pointer (line, SI_TITLE_MAX_CHARS - 1);
              g_autofree char *start = g_strndup (line, cut - line);

              return g_strconcat (start, "…", NULL);
            }
          return g_steal_pointer (&line);
        }
      if (end == NULL)
        return g_strdup ("");
      p = end + 1;
    }
}

char *
_si_import_normalize_newlines (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p; p++)
    {
      if (*p == '\r')
        {
          g_string_append_c (out, '\n');
          if (p[1] == '\n')
            p++;
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* Splits @text (a note whose first line is its title, as Simplenote keeps them) into its first
 * non-empty line, without a heading's '#'s, and the rest, without the blank lines between. */
void
_si_import_split_title (const char  *text,
                        char       **title,
                        char       **body)
{
  const char *p = text, *end;
  g_autofree char *line = NULL;
  char *h;

  while (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')
    p++;
  end = strchr (p, '\n');
  if (end == NULL)
    end = p + strlen (p);
  line = g_strstrip (g_strndup (p, end - p));
  for (h = line; *h == '#'; h++)
    ;
  if (h != line && h - line <= 6 && (*h == ' ' || *h == '\0'))
    memmove (line, h, strlen (h) + 1);
  g_strstrip (line);
  p = end;
  while (*p == '\n' || *p == '\r')
    p++;
  *title = _si_import_title_from_body (line);
  *body = g_strdup (p);
}

const char *
_si_import_batch_add_source (Batch *batch,
                             GFile *file)
{
  char *name = g_file_get_parse_name (file);

  g_ptr_array_add (batch->sources, name);
  return name;
}

gboolean
_si_import_invalid (GError     **error,
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

gboolean
_si_import_check_utf8 (const char  *source,
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
    return _si_import_invalid (error, source, line, _("the file contains a NUL byte; it is not a text file."));
  /* Translators: %zu is the position of the first wrong byte in the file. */
  return _si_import_invalid (error, source, line, _("the file is not valid UTF-8 text (at byte %zu)."),
                             (size_t) (end - data));
}

gboolean
_si_import_check_record (Record     *record,
                         guint       line,
                         GError    **error)
{
  /* Translators: names the idea in a JSON export, before what is wrong with it (“idea 3: the
   * title is too long…”); %u counts from 1. */
  g_autofree char *where = record->index ? g_strdup_printf (_("idea %u: "), record->index) : g_strdup ("");

  if (!g_utf8_validate (record->title, -1, NULL) || !g_utf8_validate (record->body, -1, NULL))
    /* Translators: in this message and the next ones, the first %s is empty or names the idea
     * of a JSON export (“idea 3: ”). */
    return _si_import_invalid (error, record->source, line, _("%sthe text is not valid UTF-8."), where);
  if (g_utf8_strlen (record->title, -1) > SI_TITLE_MAX_CHARS)
    return _si_import_invalid (error, record->source, line,
                               /* Translators: %s is empty or names the idea (“idea 3: ”). */
                               g_dngettext (GETTEXT_PACKAGE, "%sthe title is too long: at most %d character.",
                                            "%sthe title is too long: at most %d characters.", SI_TITLE_MAX_CHARS),
                               where, SI_TITLE_MAX_CHARS);
  if (strlen (record->body) > SI_BODY_MAX_BYTES)
    /* Translators: %s is empty or names the idea (“idea 3: ”); KiB are 1024 bytes. */
    return _si_import_invalid (error, record->source, line, _("%sthe text is too long: at most %d KiB."),
                               where, SI_BODY_MAX_BYTES / 1024);
  if (record->tags->len > SI_TAGS_PER_IDEA_MAX)
    return _si_import_invalid (error, record->source, line,
                               /* Translators: %s is empty or names the idea (“idea 3: ”). */
                               g_dngettext (GETTEXT_PACKAGE, "%san idea can have at most %d tag.",
                                            "%san idea can have at most %d tags.", SI_TAGS_PER_IDEA_MAX),
                               where, SI_TAGS_PER_IDEA_MAX);
  for (guint i = 0; i < record->tags->len; i++)
    {
      const char *name = g_ptr_array_index (record->tags, i);

      if (!g_utf8_validate (name, -1, NULL))
        /* Translators: %s is empty or names the idea (“idea 3: ”). */
        return _si_import_invalid (error, record->source, line, _("%sa tag name is not valid UTF-8."), where);
      if (g_utf8_strlen (name, -1) > SI_TAG_NAME_MAX_CHARS)
        return _si_import_invalid (error, record->source, line,
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
        return _si_import_invalid (error, record->source, line, _("%s“%.40s” is not a uid."), where, record->uid);
    }
  return TRUE;
}

/* Adds @name to @record's tags: stripped, without a leading '#', ignoring empty ones. */
void
_si_import_record_add_tag (Record     *record,
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

GError *
_si_import_not_regular_error (const char *source)
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
gboolean
_si_import_load_file (GFile         *file,
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
    g_propagate_error (error, _si_import_not_regular_error (source));
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

gint64
_si_import_file_mtime (GFileInfo *info)
{
  g_autoptr(GDateTime) dt = info ? g_file_info_get_modification_date_time (info) : NULL;

  if (dt == NULL)
    return g_get_real_time ();
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
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
  if (!_si_import_read_markdown_file (&batch, file, NULL, cancellable, error))
    return FALSE;
  return _si_import_write_batch (store, &batch, stats, cancellable, error);
}

/**
 * si_import_markdown_text:
 * @text: Markdown, with or without a front matter (not NUL-terminated: @length counts)
 * @source: what to call it in messages, e.g. "Dropped text"
 * @stats: (inout) (optional): what the import did is added to it
 *
 * Imports @text as si_import_markdown_file() imports a file with that content: without a
 * front matter, its first heading or line is the title and the rest the body.
 */
gboolean
si_import_markdown_text (SiStore        *store,
                         const char     *text,
                         gsize           length,
                         const char     *source,
                         SiImportStats  *stats,
                         GError        **error)
{
  g_auto(Batch) batch = { 0 };

  g_return_val_if_fail (SI_IS_STORE (store), FALSE);
  g_return_val_if_fail (text != NULL || length == 0, FALSE);
  g_return_val_if_fail (source != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  batch_init (&batch);
  g_ptr_array_add (batch.sources, g_strdup (source));
  if (!_si_import_read_markdown_text (&batch, g_ptr_array_index (batch.sources, 0),
                                      text ? text : "", length, error))
    return FALSE;
  return _si_import_write_batch (store, &batch, stats, NULL, error);
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
  if (!_si_import_collect_markdown_files (folder, files, infos, &batch, 0, cancellable, error))
    return FALSE;
  return import_markdown_files (store, &batch, files, infos, stats, cancellable, error);
}

/* Reads the Markdown @files of a folder (_si_import_collect_markdown_files(), which noted in
 * @batch what it left out). */
static gboolean
read_markdown_files (Batch          *batch,
                     GPtrArray      *files,
                     GPtrArray      *infos,
                     GCancellable   *cancellable,
                     GError        **error)
{
  for (guint i = 0; i < files->len; i++)
    {
      g_autoptr(GError) local_error = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!_si_import_read_markdown_file (batch, g_ptr_array_index (files, i), g_ptr_array_index (infos, i),
                                          cancellable, &local_error))
        {
          if (_si_import_batch_skip_or_fail (batch, g_steal_pointer (&local_error), error))
            continue;
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
import_markdown_files (SiStore        *store,
                       Batch          *batch,
                       GPtrArray      *files,
                       GPtrArray      *infos,
                       SiImportStats  *stats,
                       GCancellable   *cancellable,
                       GError        **error)
{
  return read_markdown_files (batch, files, infos, cancellable, error) &&
         _si_import_write_batch (store, batch, stats, cancellable, error);
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
  if (!_si_import_read_json_file (&batch, file, cancellable, error))
    return FALSE;
  return _si_import_write_batch (store, &batch, stats, cancellable, error);
}

/* Detection ------------------------------------------------------------------------------------ */

/* Saveidea's own formats, as readers. */
static gboolean
saveidea_json_probe_file (const Probe *probe)
{
  return g_str_has_suffix (probe->name, ".json");
}

/* A Saveidea export says so first ({"format": "saveidea", …}): whatever its ideas hold, no
 * other reader's probe is asked. */
static gboolean
saveidea_export_probe_file (const Probe *probe)
{
  const char *p = probe->head;

  if (p == NULL)
    return FALSE;
  if (g_str_has_prefix (p, "\xef\xbb\xbf"))
    p += 3;
  while (g_ascii_isspace (*p))
    p++;
  if (*p++ != '{')
    return FALSE;
  while (g_ascii_isspace (*p))
    p++;
  if (!g_str_has_prefix (p, "\"format\""))
    return FALSE;
  p += strlen ("\"format\"");
  while (g_ascii_isspace (*p))
    p++;
  if (*p++ != ':')
    return FALSE;
  while (g_ascii_isspace (*p))
    p++;
  return g_str_has_prefix (p, "\"" SI_EXPORT_JSON_FORMAT "\"");
}

static gboolean
saveidea_json_read (Batch         *batch,
                    GFile         *file,
                    GCancellable  *cancellable,
                    GError       **error)
{
  return _si_import_read_json_file (batch, file, cancellable, error);
}

/* A text file: Markdown (or plain text, which is Markdown too). Whatever has another name and
 * is not text is nobody's. */
static gboolean
markdown_probe_file (const Probe *probe)
{
  const char *end = NULL;

  if (g_str_has_suffix (probe->name, ".md") || g_str_has_suffix (probe->name, ".markdown") ||
      g_str_has_suffix (probe->name, ".txt"))
    return TRUE;
  if (g_utf8_validate_len (probe->head, probe->head_length, &end))
    return TRUE;
  /* The head may end inside a character. */
  return probe->head_length == PROBE_HEAD_BYTES && *end != '\0' &&
         probe->head_length - (gsize) (end - probe->head) < 4;
}

static gboolean
markdown_read (Batch         *batch,
               GFile         *file,
               GCancellable  *cancellable,
               GError       **error)
{
  return _si_import_read_markdown_file (batch, file, NULL, cancellable, error);
}

/* A folder of Markdown files, or one holding a JSON export and no Markdown: the last reader of
 * folders, which also says what is wrong with a folder nobody recognises. */
static gboolean
markdown_folder_probe (const Probe *probe)
{
  return TRUE;
}

static gboolean
markdown_folder_read (Batch         *batch,
                      GFile         *folder,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func (g_object_unref);

  if (!_si_import_collect_markdown_files (folder, files, infos, batch, 0, cancellable, error))
    return FALSE;
  if (files->len == 0)
    {
      g_autoptr(GFile) json = g_file_get_child (folder, SI_EXPORT_JSON_FILE_NAME);
      g_autofree char *source = NULL;

      if (g_file_query_exists (json, cancellable))
        return _si_import_read_json_file (batch, json, cancellable, error);
      source = g_file_get_parse_name (folder);
      g_set_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_INVALID,
                   /* Translators: the folder, then the name of a JSON export's file. */
                   _("%s: the folder has no Markdown files (.md) and no %s to import."),
                   source, SI_EXPORT_JSON_FILE_NAME);
      return FALSE;
    }
  return read_markdown_files (batch, files, infos, cancellable, error);
}

/* Tried in order; the first whose probe says yes reads. Saveidea's own formats come last, so
 * that another app's .json or Markdown folder is not taken for Saveidea's. */
static const Reader readers[] = {
  { "Saveidea export", saveidea_export_probe_file, NULL, saveidea_json_read },
  { "Simplenote", _si_import_simplenote_probe_file, _si_import_simplenote_probe_folder, _si_import_simplenote_read },
  { "Google Keep", _si_import_keep_probe_file, _si_import_keep_probe_folder, _si_import_keep_read },
  { "Standard Notes", _si_import_standardnotes_probe_file, NULL, _si_import_standardnotes_read },
  { "Joplin", _si_import_joplin_probe_file, _si_import_joplin_probe_folder, _si_import_joplin_read },
  { "Evernote", _si_import_enex_probe_file, NULL, _si_import_enex_read },
  { "Obsidian", NULL, _si_import_obsidian_probe_folder, _si_import_obsidian_read },
  { "Saveidea JSON", saveidea_json_probe_file, NULL, saveidea_json_read },
  { "Markdown", markdown_probe_file, NULL, markdown_read },
  { "Markdown folder", NULL, markdown_folder_probe, markdown_folder_read },
};

gboolean
_si_import_probe_has_key (const Probe *probe,
                          const char  *key)
{
  g_autofree char *quoted = g_strdup_printf ("\"%s\"", key);
  const char *p = probe->head;

  if (probe->head == NULL)
    return FALSE;
  while ((p = strstr (p, quoted)) != NULL)
    {
      p += strlen (quoted);
      while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
      if (*p == ':')
        return TRUE;
    }
  return FALSE;
}

gboolean
_si_import_probe_has_entry (const Probe *probe,
                            const char  *name)
{
  for (guint i = 0; probe->entries != NULL && i < probe->entries->len; i++)
    if (g_str_equal (g_ptr_array_index (probe->entries, i), name))
      return TRUE;
  return FALSE;
}

static gboolean
has_suffix_nocase (const char *name,
                   const char *suffix)
{
  gsize n = strlen (name), m = strlen (suffix);

  return n >= m && g_ascii_strcasecmp (name + n - m, suffix) == 0;
}

guint
_si_import_probe_count_suffix (const Probe *probe,
                               const char  *suffix)
{
  guint count = 0;

  for (guint i = 0; probe->entries != NULL && i < probe->entries->len; i++)
    count += has_suffix_nocase (g_ptr_array_index (probe->entries, i), suffix);
  return count;
}

/* Fills @probe's head with the first bytes of its file. A local file is opened as
 * _si_import_load_file() does (O_NONBLOCK, then fstat()): a FIFO put in its place is not waited
 * on. Returns FALSE when nothing could be read. */
static gboolean
probe_read_head (Probe        *probe,
                 char        **head,
                 GCancellable *cancellable)
{
  g_autofree char *path = g_file_get_path (probe->file);
  gsize n = 0;

  *head = g_malloc (PROBE_HEAD_BYTES + 1);
  if (path != NULL)
    {
      struct stat st;
      int fd = g_open (path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0);

      if (fd >= 0 && fstat (fd, &st) == 0 && S_ISREG (st.st_mode))
        while (n < PROBE_HEAD_BYTES && !g_cancellable_is_cancelled (cancellable))
          {
            gssize got = read (fd, *head + n, PROBE_HEAD_BYTES - n);

            if (got < 0 && errno == EINTR)
              continue;
            if (got <= 0)
              break;
            n += (gsize) got;
          }
      if (fd >= 0)
        g_close (fd, NULL);
    }
  else
    {
      g_autoptr(GFileInputStream) stream = g_file_read (probe->file, cancellable, NULL);

      if (stream == NULL ||
          !g_input_stream_read_all (G_INPUT_STREAM (stream), *head, PROBE_HEAD_BYTES, &n, cancellable, NULL))
        n = 0;
    }
  (*head)[n] = '\0';
  probe->head = *head;
  probe->head_length = n;
  return n > 0;
}

static gboolean probe_list_folder (Probe         *probe,
                                   GCancellable  *cancellable,
                                   GError       **error);

gboolean
_si_import_probe_subfolder (const Probe  *probe,
                            const char   *name,
                            gboolean    (*probe_folder) (const Probe *probe))
{
  g_autofree char *entry = g_strconcat (name, "/", NULL);
  g_autofree char *lower = g_ascii_strdown (name, -1);
  g_autoptr(GFile) child = NULL;
  g_autofree char *source = NULL;
  Probe sub = { 0 };
  gboolean yes;

  if (!_si_import_probe_has_entry (probe, entry))
    return FALSE;
  child = g_file_get_child (probe->file, name);
  source = g_file_get_parse_name (child);
  sub.file = child;
  sub.source = source;
  sub.name = lower;
  sub.is_folder = TRUE;
  yes = probe_list_folder (&sub, NULL, NULL) && probe_folder (&sub);
  g_clear_pointer (&sub.entries, g_ptr_array_unref);
  return yes;
}

gboolean
_si_import_probe_first_child (const Probe  *probe,
                              const char   *suffix,
                              gboolean    (*probe_file) (const Probe *probe))
{
  for (guint i = 0; probe->entries != NULL && i < probe->entries->len; i++)
    {
      const char *name = g_ptr_array_index (probe->entries, i);
      g_autoptr(GFile) child = NULL;
      g_autofree char *lower = NULL;
      g_autofree char *head = NULL;
      Probe sub = { 0 };

      if (!has_suffix_nocase (name, suffix) || g_str_has_suffix (name, "/"))
        continue;
      child = g_file_get_child (probe->file, name);
      lower = g_ascii_strdown (name, -1);
      sub.file = child;
      sub.source = name;
      sub.name = lower;
      if (!probe_read_head (&sub, &head, NULL))
        continue;   /* not a regular file, or empty */
      return probe_file (&sub);
    }
  return FALSE;
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The first entries of @probe's folder, for the probes. */
static gboolean
probe_list_folder (Probe         *probe,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(GFileEnumerator) enumerator = NULL;
  g_autoptr(GError) local_error = NULL;

  probe->entries = g_ptr_array_new_with_free_func (g_free);
  enumerator = g_file_enumerate_children (probe->file, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                          G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, cancellable, &local_error);
  if (enumerator == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        /* Translators: the folder, then why it cannot be read. */
        g_set_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_READ, _("%s: cannot read the folder: %s"),
                     probe->source, local_error->message);
      return FALSE;
    }
  while (probe->entries->len < PROBE_ENTRIES_MAX)
    {
      GFileInfo *info = NULL;

      if (!g_file_enumerator_iterate (enumerator, &info, NULL, cancellable, error))
        return FALSE;
      if (info == NULL)
        break;
      g_ptr_array_add (probe->entries, g_strconcat (g_file_info_get_name (info),
                                                    g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY ? "/" : "",
                                                    NULL));
    }
  g_ptr_array_sort (probe->entries, compare_names);
  return TRUE;
}

static const Reader *
find_reader (Probe *probe)
{
  for (gsize i = 0; i < G_N_ELEMENTS (readers); i++)
    {
      const Reader *reader = &readers[i];

      if (probe->is_folder ? reader->probe_folder && reader->probe_folder (probe)
                           : reader->probe_file && reader->probe_file (probe))
        return reader;
    }
  return NULL;
}

/**
 * si_import_with_options:
 * @file: what to import: see si_import()
 * @options: (nullable): how; NULL is the default (`{ 0 }`)
 * @stats: (inout) (optional): what the import did is added to it
 *
 * si_import() with options.
 */
gboolean
si_import_with_options (SiStore                *store,
                        GFile                  *file,
                        const SiImportOptions  *options,
                        SiImportStats          *stats,
                        GCancellable           *cancellable,
                        GError                **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *source = NULL;
  g_autofree char *base = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *head = NULL;
  g_auto(Batch) batch = { 0 };
  const Reader *reader;
  Probe probe = { 0 };

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

  base = g_file_get_basename (file);
  lower = g_ascii_strdown (base ? base : "", -1);
  probe.file = file;
  probe.source = source;
  probe.name = lower;
  if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    {
      probe.is_folder = TRUE;
      if (!probe_list_folder (&probe, cancellable, error))
        {
          g_clear_pointer (&probe.entries, g_ptr_array_unref);
          return FALSE;
        }
      entries = probe.entries;
    }
  else if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      /* Not opened: a FIFO would make the probe wait. */
      g_propagate_error (error, _si_import_not_regular_error (source));
      return FALSE;
    }
  else
    probe_read_head (&probe, &head, cancellable);

  reader = find_reader (&probe);
  if (reader == NULL)
    {
      g_set_error (error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_UNSUPPORTED,
                   /* Translators: %s is the file. */
                   _("%s: Saveidea does not know this kind of file. It imports Markdown, its own JSON "
                     "export, and the exports of Simplenote, Google Keep, Standard Notes, Joplin, "
                     "Evernote and Obsidian."), source);
      return FALSE;
    }
  g_debug ("%s: read as %s", source, reader->app);

  batch_init (&batch);
  if (options != NULL)
    batch.options = options;
  if (!reader->read (&batch, file, cancellable, error))
    return FALSE;
  return _si_import_write_batch (store, &batch, stats, cancellable, error);
}

/**
 * si_import:
 * @file: a `.json` export, a Markdown file, a folder (of Markdown files, or holding a JSON
 *   export, SI_EXPORT_JSON_FILE_NAME, and no Markdown), or another app's export: Simplenote's
 *   notes.json or folder of .txt files, Google Keep's folder from Takeout, a decrypted Standard
 *   Notes backup, Joplin's RAW folder or JEX file, Evernote's ENEX file, an Obsidian vault
 * @stats: (inout) (optional): what the import did is added to it
 *
 * Imports whatever @file is, recognised by its content, with the default options (archived
 * and trashed notes are tagged).
 */
gboolean
si_import (SiStore        *store,
           GFile          *file,
           SiImportStats  *stats,
           GCancellable   *cancellable,
           GError        **error)
{
  return si_import_with_options (store, file, NULL, stats, cancellable, error);
}
