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

/* Reads and writes the Markdown @files of a folder (_si_import_collect_markdown_files(), which noted in
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
      if (!_si_import_read_markdown_file (batch, g_ptr_array_index (files, i), g_ptr_array_index (infos, i),
                                          cancellable, &local_error))
        {
          /* Made a FIFO or a link to a device since the folder was listed: left out too. */
          if (g_error_matches (local_error, SI_IMPORT_ERROR, SI_IMPORT_ERROR_NOT_REGULAR))
            {
              g_ptr_array_remove_index (batch->sources, batch->sources->len - 1);
              _si_import_batch_skip (batch, g_steal_pointer (&local_error));
              continue;
            }
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  return _si_import_write_batch (store, batch, stats, cancellable, error);
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
      if (!_si_import_collect_markdown_files (file, files, infos, &batch, 0, cancellable, error))
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
