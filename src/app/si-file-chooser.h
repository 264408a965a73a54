/* si-file-chooser.h — the one way the app asks the user for a file or a folder.
 *
 * Through the file chooser portal where there is one: GtkFileDialog on GTK 4.10 and newer,
 * GtkFileChooserNative on GTK 4.8 (deprecated from 4.10, so never compiled there).
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/**
 * SiFileChooserMode:
 * @SI_FILE_CHOOSER_OPEN: an existing file to read
 * @SI_FILE_CHOOSER_SAVE: a file to write (the user confirms replacing one)
 * @SI_FILE_CHOOSER_FOLDER: a folder
 */
typedef enum {
  SI_FILE_CHOOSER_OPEN,
  SI_FILE_CHOOSER_SAVE,
  SI_FILE_CHOOSER_FOLDER,
} SiFileChooserMode;

void   si_file_chooser_choose        (GtkWindow           *parent,
                                      SiFileChooserMode    mode,
                                      const char          *title,
                                      const char          *accept_label,
                                      const char          *initial_name,
                                      GListModel          *filters,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
GFile *si_file_chooser_choose_finish (GAsyncResult        *result,
                                      GError             **error);

/* For the tests */
void        _si_file_chooser_set_test_file         (GFile *file);
const char *_si_file_chooser_get_test_initial_name (void);
GListModel *_si_file_chooser_get_test_filters      (SiFileChooserMode *mode);

G_END_DECLS
