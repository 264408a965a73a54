/* si-import.h — ideas brought in from Markdown files, a folder of them, a JSON export, or the
 * export of another notes app (si_import() recognises each by its content).
 *
 * Importing is idempotent on the ideas' uids: importing the same export twice creates nothing
 * the second time, and an idea whose uid is already in the notebook is updated only when its
 * content differs. A Markdown file without a uid is matched on its exact title and body.
 * Missing tags are created; creation and change times are kept. Everything a call imports is
 * written in one transaction, after every file was read and checked: a bad file changes nothing.
 *
 * The functions are synchronous and take a GCancellable: the app runs them in a thread
 * (g_task_run_in_thread) with its own SiStore.
 */
#pragma once

#include <gio/gio.h>

#include "si-store.h"

G_BEGIN_DECLS

#define SI_IMPORT_ERROR (si_import_error_quark ())

/**
 * SiImportError:
 * @SI_IMPORT_ERROR_NOT_FOUND: the file or folder does not exist
 * @SI_IMPORT_ERROR_READ: the file or folder could not be read
 * @SI_IMPORT_ERROR_INVALID: the content is not what it should be (not UTF-8, broken JSON, a
 *   title that is too long, …); the message names the file and what is wrong
 * @SI_IMPORT_ERROR_UNSUPPORTED: a file or folder no importer recognises, a JSON file of
 *   another program, of a newer Saveidea, or an encrypted backup
 * @SI_IMPORT_ERROR_NOT_REGULAR: not a regular file (a FIFO, a device, a folder, or a link to
 *   one): it was not read. In a folder such an entry is left out (SiImportStats.skipped) and
 *   the rest is imported.
 *
 * Errors of the importers. Every message starts with the file's name. Errors of the store
 * (SI_STORE_ERROR) and cancellation (G_IO_ERROR_CANCELLED) are passed on with the file's name
 * prefixed. Whatever the error, the notebook is left as it was.
 */
typedef enum {
  SI_IMPORT_ERROR_NOT_FOUND,
  SI_IMPORT_ERROR_READ,
  SI_IMPORT_ERROR_INVALID,
  SI_IMPORT_ERROR_UNSUPPORTED,
  SI_IMPORT_ERROR_NOT_REGULAR,
} SiImportError;

/**
 * SiImportStats:
 * @n_files: files read
 * @n_created: ideas added to the notebook
 * @n_updated: ideas already in the notebook (by uid) that were changed
 * @n_unchanged: ideas already in the notebook exactly as imported
 * @n_tags_created: tags that were made
 * @n_skipped: entries of a folder left out because they are not regular files (FIFOs,
 *   devices, links to them or to nothing)
 * @skipped: (element-type utf8) (nullable): for the first SI_IMPORT_SKIPPED_MAX of them, a
 *   message that names the file; free it with si_import_stats_clear()
 * @n_left_out: archived or trashed notes of another app not imported (SI_IMPORT_ARCHIVED_SKIP)
 * @n_attachments: attachments and images of the imported notes that were not brought in
 *   (Saveidea does not store files)
 * @attachments: (element-type utf8) (nullable): for the first SI_IMPORT_ATTACHMENTS_MAX of them,
 *   “note — file name”
 *
 * What an import did. Start from `{ 0 }` and clear it with si_import_stats_clear().
 */
typedef struct {
  guint n_files;
  guint n_created;
  guint n_updated;
  guint n_unchanged;
  guint n_tags_created;
  guint n_skipped;
  GPtrArray *skipped;
  guint n_left_out;
  guint n_attachments;
  GPtrArray *attachments;
} SiImportStats;

#define SI_IMPORT_SKIPPED_MAX 100
#define SI_IMPORT_ATTACHMENTS_MAX 100

/**
 * SiImportArchived:
 * @SI_IMPORT_ARCHIVED_TAG: archived and trashed notes are imported with the tag
 *   SI_IMPORT_TAG_ARCHIVED or SI_IMPORT_TAG_TRASH
 * @SI_IMPORT_ARCHIVED_SKIP: they are left out (counted in SiImportStats.n_left_out)
 *
 * What becomes of the notes another app keeps archived or in its trash.
 */
typedef enum {
  SI_IMPORT_ARCHIVED_TAG,
  SI_IMPORT_ARCHIVED_SKIP,
} SiImportArchived;

#define SI_IMPORT_TAG_ARCHIVED "archived"
#define SI_IMPORT_TAG_TRASH "trash"

/**
 * SiImportProgress:
 * @done: notes written so far
 * @total: notes to write
 * @user_data: SiImportOptions.user_data
 *
 * Called while the notes are written (in the importing thread), every few hundred notes and
 * once at the end; reading the files before that is not counted.
 */
typedef void (*SiImportProgress) (guint    done,
                                  guint    total,
                                  gpointer user_data);

/**
 * SiImportOptions:
 * @archived: archived and trashed notes: tagged (the default) or left out
 * @progress: (nullable): told how far the writing is
 * @user_data: for @progress
 *
 * How to import. `{ 0 }` is the default, what si_import() does.
 */
typedef struct {
  SiImportArchived archived;
  SiImportProgress progress;
  gpointer         user_data;
} SiImportOptions;

GQuark    si_import_error_quark     (void);
void      si_import_stats_clear     (SiImportStats        *stats);

gboolean  si_import                 (SiStore              *store,
                                     GFile                *file,
                                     SiImportStats        *stats,
                                     GCancellable         *cancellable,
                                     GError              **error);
gboolean  si_import_with_options    (SiStore              *store,
                                     GFile                *file,
                                     const SiImportOptions *options,
                                     SiImportStats        *stats,
                                     GCancellable         *cancellable,
                                     GError              **error);
gboolean  si_import_markdown_file   (SiStore              *store,
                                     GFile                *file,
                                     SiImportStats        *stats,
                                     GCancellable         *cancellable,
                                     GError              **error);
gboolean  si_import_markdown_text   (SiStore              *store,
                                     const char           *text,
                                     gsize                 length,
                                     const char           *source,
                                     SiImportStats        *stats,
                                     GError              **error);
gboolean  si_import_markdown_folder (SiStore              *store,
                                     GFile                *folder,
                                     SiImportStats        *stats,
                                     GCancellable         *cancellable,
                                     GError              **error);
gboolean  si_import_json_file       (SiStore              *store,
                                     GFile                *file,
                                     SiImportStats        *stats,
                                     GCancellable         *cancellable,
                                     GError              **error);

gboolean  si_import_parse_time      (const char           *text,
                                     gint64               *usec);
gboolean  si_import_save_idea       (SiStore              *store,
                                     SiIdea               *idea,
                                     const char * const   *tag_names,
                                     GError              **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SiImportStats, si_import_stats_clear)

G_END_DECLS
