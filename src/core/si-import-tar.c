/* si-import-tar.c — a small, bounded reader of tar archives (ustar, as Joplin's JEX export is).
 *
 * Only what an import needs: the regular files of the archive, in order, the content of those
 * the caller wants (up to a size), the others skipped without being kept. Anything that could
 * make an import write, follow or hold what it should not is refused, naming the archive:
 * absolute names and names with a ".." part, links (hard and symbolic), devices and FIFOs,
 * sizes that are negative, in base-256 or larger than the archive could be, a header whose
 * checksum is wrong. Directories and pax/GNU extended headers are skipped.
 */
#define G_LOG_DOMAIN "saveidea-import"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "si-import.h"
#include "si-import-private.h"

#define BLOCK 512
/* More entries than this is not an export but an attack on the memory. */
#define TAR_MAX_ENTRIES 1000000
/* pax and GNU extended headers are skipped; real ones are a few hundred bytes. */
#define TAR_MAX_EXTENDED ((goffset) 1024 * 1024)

/* Reads exactly @count bytes; FALSE with *@eof when the stream ends before the first one. */
static gboolean
read_exactly (GInputStream  *stream,
              guint8        *buffer,
              gsize          count,
              gboolean      *eof,
              GCancellable  *cancellable,
              GError       **error)
{
  gsize got = 0;

  *eof = FALSE;
  if (!g_input_stream_read_all (stream, buffer, count, &got, cancellable, error))
    return FALSE;
  if (got != count)
    {
      *eof = got == 0;
      return FALSE;
    }
  return TRUE;
}

static gboolean
skip_exactly (GInputStream  *stream,
              goffset        count,
              GCancellable  *cancellable,
              GError       **error)
{
  while (count > 0)
    {
      gssize n = g_input_stream_skip (stream, (gsize) MIN (count, (goffset) 1024 * 1024), cancellable, error);

      if (n < 0)
        return FALSE;
      if (n == 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT, "");
          return FALSE;
        }
      count -= n;
    }
  return TRUE;
}

/* An octal number field of a header (NUL- or space-terminated). -1 when it is not one. */
static gint64
octal_field (const guint8 *field,
             gsize         length)
{
  gint64 value = 0;
  gsize i = 0;

  while (i < length && field[i] == ' ')
    i++;
  if (i == length || field[i] < '0' || field[i] > '7')
    return -1;
  for (; i < length && field[i] >= '0' && field[i] <= '7'; i++)
    {
      if (value > G_MAXINT64 / 8)
        return -1;
      value = value * 8 + (field[i] - '0');
    }
  for (; i < length; i++)
    if (field[i] != ' ' && field[i] != '\0')
      return -1;
  return value;
}

/* The header's checksum: its bytes summed with the checksum field read as spaces. */
static gboolean
checksum_ok (const guint8 *header)
{
  gint64 stored = octal_field (header + 148, 8);
  gint64 sum = 0;

  for (guint i = 0; i < BLOCK; i++)
    sum += (i >= 148 && i < 156) ? ' ' : header[i];
  return stored >= 0 && stored == sum;
}

/**
 * _si_import_tar_probe:
 * @data: the first bytes of a file
 *
 * Returns: whether @data starts with a ustar header (magic and checksum).
 */
gboolean
_si_import_tar_probe (const guint8 *data,
                      gsize         length)
{
  return length >= BLOCK && memcmp (data + 257, "ustar", 5) == 0 && checksum_ok (data);
}

/* Whether @name (a path inside the archive) stays inside: not absolute, no ".." part, no
 * backslash (a separator elsewhere), valid UTF-8. */
static gboolean
safe_name (const char *name)
{
  g_auto(GStrv) parts = NULL;

  if (name[0] == '\0' || name[0] == '/' || strchr (name, '\\') != NULL || !g_utf8_validate (name, -1, NULL))
    return FALSE;
  parts = g_strsplit (name, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (g_str_equal (parts[i], ".."))
      return FALSE;
  return TRUE;
}

/**
 * _si_import_tar_read:
 * @stream: the archive
 * @source: the archive's name, for messages
 * @want: (nullable): which entries' content @func gets; NULL for none
 * @max_entry: the largest content @func gets; a wanted entry larger than that is an error
 * @func: called for every regular file, with its content (NUL-terminated) when @want said so,
 *   NULL otherwise
 *
 * Returns: FALSE with SI_IMPORT_ERROR_INVALID naming @source when the archive is broken or holds
 *   what is refused (see the top of this file), or with @func's error
 */
gboolean
_si_import_tar_read (GInputStream     *stream,
                     const char       *source,
                     SiTarWantFunc     want,
                     gsize             max_entry,
                     SiTarEntryFunc    func,
                     gpointer          user_data,
                     GCancellable     *cancellable,
                     GError          **error)
{
  guint8 header[BLOCK];
  guint n_entries = 0, n_zero = 0;

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *name = NULL;
      char prefix[156], base[101];
      gboolean eof = FALSE, all_zero = TRUE;
      gint64 size;
      goffset padded;
      char type;

      if (!read_exactly (stream, header, BLOCK, &eof, cancellable, &local_error))
        {
          if (local_error == NULL && eof && n_entries > 0)
            return TRUE;   /* no end-of-archive blocks: tolerated, as tar does */
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            return (g_propagate_error (error, g_steal_pointer (&local_error)), FALSE);
          if (local_error != NULL)
            /* Translators: the archive, then why it cannot be read. */
            return _si_import_invalid (error, source, 0, _("cannot read the archive: %s"), local_error->message);
          /* Translators: a tar archive (a Joplin JEX file) that ends in the middle. */
          return _si_import_invalid (error, source, 0, _("the archive is cut short."));
        }
      for (guint i = 0; i < BLOCK && all_zero; i++)
        all_zero = header[i] == 0;
      if (all_zero)
        {
          if (++n_zero == 2 || n_entries > 0)
            return n_entries > 0 ? TRUE
                                 /* Translators: a tar archive (a Joplin JEX file) with nothing in it. */
                                 : _si_import_invalid (error, source, 0, _("the archive is empty."));
          continue;
        }
      if (!checksum_ok (header) || memcmp (header + 257, "ustar", 5) != 0)
        /* Translators: %u counts the entries of a tar archive from 1. */
        return _si_import_invalid (error, source, 0, _("entry %u of the archive has a broken header; "
                                                       "this is not a tar archive or it is damaged."), n_entries + 1);
      if (++n_entries > TAR_MAX_ENTRIES)
        return _si_import_invalid (error, source, 0, _("the archive has too many entries."));

      memcpy (prefix, header + 345, 155);
      prefix[155] = '\0';
      memcpy (base, header, 100);
      base[100] = '\0';
      name = prefix[0] ? g_strconcat (prefix, "/", base, NULL) : g_strdup (base);
      /* "./notes.md", as `tar -C dir .` writes names, is "notes.md". */
      while (name[0] == '.' && name[1] == '/')
        memmove (name, name + 2, strlen (name + 2) + 1);
      type = (char) header[156];
      size = octal_field (header + 124, 12);
      if (size < 0 || size > G_MAXINT64 - BLOCK)
        /* Translators: the entry's name in a tar archive. */
        return _si_import_invalid (error, source, 0, _("the entry “%.100s” has no valid size."), name);
      padded = (size + BLOCK - 1) / BLOCK * BLOCK;

      switch (type)
        {
        case '0': case '\0': case '7':
          break;
        case '5':   /* a directory */
        case 'x': case 'g':   /* pax extended headers: what they change is not needed */
        case 'L': case 'K':   /* GNU long names */
          if (type != '5' && size > TAR_MAX_EXTENDED)
            return _si_import_invalid (error, source, 0, _("the entry “%.100s” has no valid size."), name);
          if (!skip_exactly (stream, padded, cancellable, &local_error))
            goto cut;
          continue;
        case '1': case '2':
          /* Translators: the entry's name in a tar archive; links are refused. */
          return _si_import_invalid (error, source, 0, _("the entry “%.100s” is a link; archives with links are "
                                                         "not imported."), name);
        default:
          /* Translators: the entry's name in a tar archive. */
          return _si_import_invalid (error, source, 0, _("the entry “%.100s” is not a regular file; it is refused."),
                                     name);
        }

      if (!safe_name (name))
        /* Translators: the entry's name in a tar archive. */
        return _si_import_invalid (error, source, 0, _("the entry “%.100s” points outside the archive; it is refused."),
                                   name);

      if (want != NULL && want (name, user_data))
        {
          g_autofree char *data = NULL;

          if ((guint64) size > max_entry)
            /* Translators: the entry's name in a tar archive. */
            return _si_import_invalid (error, source, 0, _("the entry “%.100s” is too large to import."), name);
          data = g_malloc ((gsize) size + 1);
          if (!read_exactly (stream, (guint8 *) data, (gsize) size, &eof, cancellable, &local_error) && size > 0)
            goto cut;
          data[size] = '\0';
          if (!skip_exactly (stream, padded - size, cancellable, &local_error))
            goto cut;
          if (!func (name, data, (gsize) size, user_data, error))
            return FALSE;
        }
      else
        {
          if (!skip_exactly (stream, padded, cancellable, &local_error))
            goto cut;
          if (!func (name, NULL, (gsize) size, user_data, error))
            return FALSE;
        }
      continue;

    cut:
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return (g_propagate_error (error, g_steal_pointer (&local_error)), FALSE);
      return _si_import_invalid (error, source, 0, _("the archive is cut short."));
    }
}
