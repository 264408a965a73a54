/* si-export.h — a notebook written out as Markdown files or as one JSON file.
 *
 * Both formats carry everything si-import.h needs to bring the ideas back exactly: titles,
 * bodies, tags, the pin, the creation and change times and each idea's uid (so importing an
 * export again creates no duplicates). The functions are synchronous and take a GCancellable:
 * the app runs them in a thread (g_task_run_in_thread) with its own SiStore.
 */
#pragma once

#include <gio/gio.h>

#include "si-store.h"

G_BEGIN_DECLS

#define SI_EXPORT_ERROR (si_export_error_quark ())

/**
 * SiExportError:
 * @SI_EXPORT_ERROR_WRITE: the folder or a file in it could not be written; the message says which
 *
 * Errors of the exporters. Errors of the store (SI_STORE_ERROR) and cancellation
 * (G_IO_ERROR_CANCELLED) are passed on as they are.
 */
typedef enum {
  SI_EXPORT_ERROR_WRITE,
} SiExportError;

/**
 * SiExportFormat:
 * @SI_EXPORT_FORMAT_MARKDOWN: one `.md` file per idea, with a front matter
 * @SI_EXPORT_FORMAT_JSON: one `saveidea.json` file
 */
typedef enum {
  SI_EXPORT_FORMAT_MARKDOWN,
  SI_EXPORT_FORMAT_JSON,
} SiExportFormat;

/* The file name of a JSON export inside the folder it is written to. */
#define SI_EXPORT_JSON_FILE_NAME "saveidea.json"
/* The "format" and "version" members of a JSON export. */
#define SI_EXPORT_JSON_FORMAT "saveidea"
#define SI_EXPORT_JSON_VERSION 1

GQuark      si_export_error_quark    (void);

gboolean    si_export                (SiStore         *store,
                                      SiExportFormat   format,
                                      GFile           *folder,
                                      guint           *n_ideas,
                                      GCancellable    *cancellable,
                                      GError         **error);
gboolean    si_export_markdown       (SiStore         *store,
                                      GFile           *folder,
                                      guint           *n_ideas,
                                      GCancellable    *cancellable,
                                      GError         **error);
gboolean    si_export_json           (SiStore         *store,
                                      GFile           *file,
                                      guint           *n_ideas,
                                      GCancellable    *cancellable,
                                      GError         **error);

char       *si_export_idea_markdown  (SiIdea          *idea,
                                      gsize           *length);

char       *si_export_format_time    (gint64           usec);
char       *si_export_file_name      (const char      *title);

G_END_DECLS
