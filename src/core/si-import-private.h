/* si-import-private.h — what the parts of the importer share (si-import.c, si-import-markdown.c,
 * si-import-json.c, si-import-write.c): the plain records a file is read into, the checks, and
 * reading a file with a bound. Nothing outside them includes it.
 */
#pragma once

#include <gio/gio.h>

#include "si-import.h"

G_BEGIN_DECLS

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

/* si-import.c */
Record       *_si_import_record_new           (const char    *source);
void          _si_import_record_add_tag       (Record        *record,
                                               const char    *name);
/* An entry of a folder that is left out: @error (SI_IMPORT_ERROR_NOT_REGULAR) names it. */
void          _si_import_batch_skip           (Batch         *batch,
                                               GError        *error);
const char   *_si_import_batch_add_source     (Batch         *batch,
                                               GFile         *file);
/* Sets SI_IMPORT_ERROR_INVALID naming @source (and @line, when not 0); returns FALSE. */
gboolean      _si_import_invalid              (GError       **error,
                                               const char    *source,
                                               guint          line,
                                               const char    *format,
                                               ...) G_GNUC_PRINTF (4, 5);
gboolean      _si_import_check_utf8           (const char    *source,
                                               const char    *data,
                                               gsize          length,
                                               GError       **error);
gboolean      _si_import_check_record         (Record        *record,
                                               guint          line,
                                               GError       **error);
GError       *_si_import_not_regular_error    (const char    *source);
gboolean      _si_import_load_file            (GFile         *file,
                                               const char    *source,
                                               goffset        max_bytes,
                                               char         **data,
                                               gsize         *length,
                                               GCancellable  *cancellable,
                                               GError       **error);
gint64        _si_import_file_mtime           (GFileInfo     *info);

/* si-import-markdown.c */
gboolean      _si_import_read_markdown_file   (Batch         *batch,
                                               GFile         *file,
                                               GFileInfo     *info,
                                               GCancellable  *cancellable,
                                               GError       **error);
gboolean      _si_import_read_markdown_text   (Batch         *batch,
                                               const char    *source,
                                               const char    *text,
                                               gsize          length,
                                               GError       **error);
gboolean      _si_import_collect_markdown_files (GFile        *folder,
                                                 GPtrArray    *files,
                                                 GPtrArray    *infos,
                                                 Batch        *batch,
                                                 guint         depth,
                                                 GCancellable *cancellable,
                                                 GError      **error);

/* si-import-json.c */
gboolean      _si_import_read_json_file       (Batch         *batch,
                                               GFile         *file,
                                               GCancellable  *cancellable,
                                               GError       **error);

/* si-import-write.c */
gboolean      _si_import_write_batch          (SiStore       *store,
                                               Batch         *batch,
                                               SiImportStats *stats,
                                               GCancellable  *cancellable,
                                               GError       **error);

G_END_DECLS
