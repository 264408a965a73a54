/* si-import-private.h — what the parts of the importer share (si-import.c, si-import-markdown.c,
 * si-import-json.c, si-import-write.c): the plain records a file is read into, the checks, and
 * reading a file with a bound. Nothing outside them includes it.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

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
  gboolean    archived;    /* another app's archive or trash: SiImportOptions.archived says */
  gboolean    trashed;     /*   whether it is tagged or left out */
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
  const SiImportOptions *options;  /* never NULL while reading */
  guint      n_left_out;  /* archived or trashed records left out */
  guint      n_attachments;
  GPtrArray *attachments; /* char *: “note — file” for the first SI_IMPORT_ATTACHMENTS_MAX */
  GHashTable *uids;       /* the uids of _si_import_batch_add_record()'s records so far */
} Batch;

/* What a reader may look at to say whether a file or a folder is its app's export, without
 * reading all of it. */
typedef struct {
  GFile       *file;
  const char  *source;      /* display name */
  const char  *name;        /* base name, ASCII lower case */
  gboolean     is_folder;
  /* A file: its first bytes (at most PROBE_HEAD_BYTES), NUL-terminated. */
  const char  *head;
  gsize        head_length;
  /* A folder: the names of the first PROBE_ENTRIES_MAX entries directly inside it, folders
   * with a '/' at the end, sorted. */
  GPtrArray   *entries;
} Probe;

#define PROBE_HEAD_BYTES (64 * 1024)
#define PROBE_ENTRIES_MAX 4096

typedef struct {
  const char *app;    /* for the log */
  /* TRUE when @probe looks like this reader's. NULL: never (files or folders). */
  gboolean (*probe_file)   (const Probe *probe);
  gboolean (*probe_folder) (const Probe *probe);
  /* Reads everything into @batch (records through _si_import_batch_add_record()). */
  gboolean (*read)         (Batch         *batch,
                            GFile         *file,
                            GCancellable  *cancellable,
                            GError       **error);
} Reader;

/* The table of readers lives in si-import.c; these helpers are for probes. */
gboolean      _si_import_probe_has_key        (const Probe   *probe,
                                               const char    *key);
gboolean      _si_import_probe_has_entry      (const Probe   *probe,
                                               const char    *name);
guint         _si_import_probe_count_suffix   (const Probe   *probe,
                                               const char    *suffix);
/* TRUE when @probe's folder has a folder @name that passes @probe_folder (listed as a probe). */
gboolean      _si_import_probe_subfolder      (const Probe   *probe,
                                               const char    *name,
                                               gboolean     (*probe_folder) (const Probe *probe));
/* TRUE when the first entry of @probe's folder whose name ends in @suffix (ASCII case
 * ignored), probed as a file (its head), passes @probe_file. */
gboolean      _si_import_probe_first_child    (const Probe   *probe,
                                               const char    *suffix,
                                               gboolean     (*probe_file) (const Probe *probe));

/* si-import.c */
Record       *_si_import_record_new           (const char    *source);
void          _si_import_record_free          (Record        *record);
/* Takes @record: applies the options (archived, trashed), checks it (_si_import_check_record)
 * and adds it to @batch, or frees it (left out, or FALSE with @error set). */
gboolean      _si_import_batch_add_record     (Batch         *batch,
                                               Record        *record,
                                               GError       **error);
/* TRUE when the options leave @record out (archived or trashed, SI_IMPORT_ARCHIVED_SKIP). */
gboolean      _si_import_batch_leaves_out     (Batch         *batch,
                                               const Record  *record);
/* An attachment or image of the note @title that is not imported: listed in the stats. */
void          _si_import_batch_add_attachment (Batch         *batch,
                                               const char    *title,
                                               const char    *file_name);
/* A uid in the store's format (a UUID, name-based as in RFC 4122 version 5) that is the same
 * each time for @app's note @id, so that a second import updates it. */
char         *_si_import_uid_from_id          (const char    *app,
                                               const char    *id);
/* The same for a note without an id: from its text and creation time. */
char         *_si_import_uid_from_content     (const char    *app,
                                               const char    *title,
                                               const char    *body,
                                               gint64         created_at);
/* The title a note without one gets: its first non-empty line, cut to SI_TITLE_MAX_CHARS. */
char         *_si_import_title_from_body      (const char    *body);
/* For apps whose first line is the title: that line (without a heading's '#') and the rest. */
void          _si_import_split_title          (const char    *text,
                                               char         **title,
                                               char         **body);
/* @text with "\r\n" and "\r" made "\n". */
char         *_si_import_normalize_newlines   (const char    *text);
void          _si_import_record_add_tag       (Record        *record,
                                               const char    *name);
/* An entry of a folder that is left out: @error (SI_IMPORT_ERROR_NOT_REGULAR) names it. */
void          _si_import_batch_skip           (Batch         *batch,
                                               GError        *error);
/* A folder's file that could not be read (@file_error, taken): left out when it is not a
 * regular file (TRUE: go on), else propagated (FALSE). */
gboolean      _si_import_batch_skip_or_fail   (Batch         *batch,
                                               GError        *file_error,
                                               GError       **error);
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

/* Markdown in the flavour of an Obsidian vault (_si_import_parse_markdown()). */
#define MARKDOWN_OBSIDIAN (1 << 0)
gboolean      _si_import_parse_markdown       (Record        *record,
                                               const char    *text,
                                               guint          flags,
                                               GPtrArray     *aliases,
                                               GError       **error);

/* si-import-json.c: Saveidea's JSON export, and reading JSON for the other readers */
/* Loads and parses a JSON file, with the bounds of JSON_MAX_BYTES and si_wire_check_text(). */
JsonParser   *_si_import_parse_json_file      (GFile         *file,
                                               const char    *source,
                                               GCancellable  *cancellable,
                                               GError       **error);
/* A member of @object (which may be NULL) of that type, or NULL / FALSE. */
const char   *_si_import_json_string          (JsonObject    *object,
                                               const char    *member);
gboolean      _si_import_json_bool            (JsonObject    *object,
                                               const char    *member);
JsonObject   *_si_import_json_object          (JsonObject    *object,
                                               const char    *member);
JsonArray    *_si_import_json_array           (JsonObject    *object,
                                               const char    *member);
gboolean      _si_import_read_json_file       (Batch         *batch,
                                               GFile         *file,
                                               GCancellable  *cancellable,
                                               GError       **error);

/* Readers of other apps' exports, one file each (si-import-<app>.c). */
/* si-import-simplenote.c */
gboolean      _si_import_simplenote_probe_file   (const Probe *probe);
gboolean      _si_import_simplenote_probe_folder (const Probe *probe);
gboolean      _si_import_simplenote_read         (Batch         *batch,
                                                  GFile         *file,
                                                  GCancellable  *cancellable,
                                                  GError       **error);
/* si-import-keep.c */
gboolean      _si_import_keep_probe_file      (const Probe   *probe);
gboolean      _si_import_keep_probe_folder    (const Probe   *probe);
gboolean      _si_import_keep_read            (Batch         *batch,
                                               GFile         *file,
                                               GCancellable  *cancellable,
                                               GError       **error);
/* si-import-standardnotes.c */
gboolean      _si_import_standardnotes_probe_file (const Probe   *probe);
gboolean      _si_import_standardnotes_read       (Batch         *batch,
                                                   GFile         *file,
                                                   GCancellable  *cancellable,
                                                   GError       **error);

/* si-import-joplin.c: a RAW export folder, or a JEX file */
gboolean      _si_import_joplin_probe_file    (const Probe   *probe);
gboolean      _si_import_joplin_probe_folder  (const Probe   *probe);
gboolean      _si_import_joplin_read          (Batch         *batch,
                                               GFile         *file,
                                               GCancellable  *cancellable,
                                               GError       **error);
/* si-import-enex.c: Evernote */
gboolean      _si_import_enex_probe_file      (const Probe   *probe);
gboolean      _si_import_enex_read            (Batch         *batch,
                                               GFile         *file,
                                               GCancellable  *cancellable,
                                               GError       **error);
/* si-import-obsidian.c: a vault */
gboolean      _si_import_obsidian_probe_folder (const Probe  *probe);
gboolean      _si_import_obsidian_read        (Batch         *batch,
                                               GFile         *vault,
                                               GCancellable  *cancellable,
                                               GError       **error);

/* si-import-write.c */
gboolean      _si_import_write_batch          (SiStore       *store,
                                               Batch         *batch,
                                               SiImportStats *stats,
                                               GCancellable  *cancellable,
                                               GError       **error);

/* si-import-tar.c: a bounded tar (ustar) reader */
typedef gboolean (*SiTarWantFunc)  (const char    *name,
                                    gpointer       user_data);
typedef gboolean (*SiTarEntryFunc) (const char    *name,
                                    const char    *data,
                                    gsize          length,
                                    gpointer       user_data,
                                    GError       **error);
gboolean      _si_import_tar_probe            (const guint8  *data,
                                               gsize          length);
gboolean      _si_import_tar_read             (GInputStream  *stream,
                                               const char    *source,
                                               SiTarWantFunc  want,
                                               gsize          max_entry,
                                               SiTarEntryFunc func,
                                               gpointer       user_data,
                                               GCancellable  *cancellable,
                                               GError       **error);

/* si-import-enml.c: Evernote's ENML (XHTML) to Markdown */
char         *_si_import_enml_to_markdown     (const char    *enml,
                                               gsize          length,
                                               GPtrArray     *media,
                                               GError       **error);
/* The UTF-8 of an HTML named entity (without & and ;), or NULL. */
const char   *_si_import_html_entity          (const char    *name,
                                               gsize          length,
                                               char           buffer[8]);

G_END_DECLS
