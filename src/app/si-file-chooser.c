/* si-file-chooser.c — the one way the app asks the user for a file or a folder.
 *
 * GTK 4.10 replaced GtkFileChooserNative (deprecated there) with GtkFileDialog. The app builds
 * on Debian 12's GTK 4.8 and on the GNOME runtime's current GTK, warning-free on both, so this
 * file alone picks one at compile time; everything else calls si_file_chooser_choose(). Both
 * go through the file chooser portal in a sandbox.
 */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

/* The build pins GDK_VERSION_MAX_ALLOWED to 4.8 so that nothing newer slips in by accident.
 * Here the newer API is used on purpose, only under GTK_CHECK_VERSION (4, 10, 0): lift the pin
 * for this file (GTK then allows what the headers it is built against have). */
#undef GDK_VERSION_MAX_ALLOWED

#include <glib/gi18n.h>

#include "si-file-chooser.h"

#if GTK_CHECK_VERSION (4, 10, 0)

static void
dialog_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GtkFileDialog *dialog = GTK_FILE_DIALOG (object);
  SiFileChooserMode mode = GPOINTER_TO_INT (g_task_get_task_data (task));
  g_autoptr(GError) error = NULL;
  GFile *file = NULL;

  switch (mode)
    {
    case SI_FILE_CHOOSER_OPEN:
      file = gtk_file_dialog_open_finish (dialog, result, &error);
      break;
    case SI_FILE_CHOOSER_SAVE:
      file = gtk_file_dialog_save_finish (dialog, result, &error);
      break;
    case SI_FILE_CHOOSER_FOLDER:
      file = gtk_file_dialog_select_folder_finish (dialog, result, &error);
      break;
    default:
      g_assert_not_reached ();
    }

  if (file != NULL)
    g_task_return_pointer (task, file, g_object_unref);
  else if (error == NULL || g_error_matches (error, GTK_DIALOG_ERROR, GTK_DIALOG_ERROR_DISMISSED) ||
           g_error_matches (error, GTK_DIALOG_ERROR, GTK_DIALOG_ERROR_CANCELLED))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "No file was chosen");
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
choose (GTask             *task,
        GtkWindow         *parent,
        SiFileChooserMode  mode,
        const char        *title,
        const char        *accept_label,
        const char        *initial_name,
        GListModel        *filters,
        GCancellable      *cancellable)
{
  g_autoptr(GtkFileDialog) dialog = gtk_file_dialog_new ();

  gtk_file_dialog_set_title (dialog, title);
  gtk_file_dialog_set_modal (dialog, TRUE);
  if (accept_label)
    gtk_file_dialog_set_accept_label (dialog, accept_label);
  if (initial_name)
    gtk_file_dialog_set_initial_name (dialog, initial_name);
  if (filters)
    gtk_file_dialog_set_filters (dialog, filters);

  switch (mode)
    {
    case SI_FILE_CHOOSER_OPEN:
      gtk_file_dialog_open (dialog, parent, cancellable, dialog_done_cb, task);
      break;
    case SI_FILE_CHOOSER_SAVE:
      gtk_file_dialog_save (dialog, parent, cancellable, dialog_done_cb, task);
      break;
    case SI_FILE_CHOOSER_FOLDER:
      gtk_file_dialog_select_folder (dialog, parent, cancellable, dialog_done_cb, task);
      break;
    default:
      g_assert_not_reached ();
    }
}

#else /* GTK 4.8 */

typedef struct {
  GtkFileChooserNative *chooser;
  GCancellable         *cancellable;
  gulong                cancelled_id;
  gboolean              done;
} Chooser;

static void
chooser_free (gpointer data)
{
  Chooser *c = data;

  if (c->chooser)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (c->chooser));
  g_clear_object (&c->chooser);
  g_clear_object (&c->cancellable);
  g_free (c);
}

/* Ends @task once, with @file or as cancelled; drops the reference the dialog held. */
static void
finish (GTask *task,
        GFile *file)
{
  Chooser *c = g_task_get_task_data (task);

  if (c->done)
    return;
  c->done = TRUE;
  /* Not g_cancellable_disconnect(): this may run inside the cancelled handler itself. */
  if (c->cancellable && c->cancelled_id)
    g_signal_handler_disconnect (c->cancellable, c->cancelled_id);
  c->cancelled_id = 0;
  g_signal_handlers_disconnect_by_data (c->chooser, task);
  if (file != NULL)
    g_task_return_pointer (task, g_object_ref (file), g_object_unref);
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "No file was chosen");
  g_object_unref (task);
}

static void
response_cb (GtkNativeDialog *dialog,
             int              response,
             GTask           *task)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  finish (task, file);
}

static void
cancelled_cb (GCancellable *cancellable,
              GTask        *task)
{
  finish (task, NULL);
}

static void
choose (GTask             *task,
        GtkWindow         *parent,
        SiFileChooserMode  mode,
        const char        *title,
        const char        *accept_label,
        const char        *initial_name,
        GListModel        *filters,
        GCancellable      *cancellable)
{
  static const GtkFileChooserAction actions[] = {
    [SI_FILE_CHOOSER_OPEN] = GTK_FILE_CHOOSER_ACTION_OPEN,
    [SI_FILE_CHOOSER_SAVE] = GTK_FILE_CHOOSER_ACTION_SAVE,
    [SI_FILE_CHOOSER_FOLDER] = GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
  };
  Chooser *c = g_new0 (Chooser, 1);

  g_return_if_fail (mode < G_N_ELEMENTS (actions));

  c->chooser = gtk_file_chooser_native_new (title, parent, actions[mode], accept_label, _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (c->chooser), TRUE);
  if (initial_name)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (c->chooser), initial_name);
  for (guint i = 0; filters && i < g_list_model_get_n_items (filters); i++)
    {
      g_autoptr(GtkFileFilter) filter = g_list_model_get_item (filters, i);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (c->chooser), filter);
    }
  g_task_set_task_data (task, c, chooser_free);

  /* The dialog holds a reference on the task until finish(). */
  g_signal_connect (c->chooser, "response", G_CALLBACK (response_cb), task);
  if (cancellable)
    {
      c->cancellable = g_object_ref (cancellable);
      c->cancelled_id = g_signal_connect (cancellable, "cancelled", G_CALLBACK (cancelled_cb), task);
      if (g_cancellable_is_cancelled (cancellable))
        {
          finish (task, NULL);
          return;
        }
    }
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (c->chooser));
}

#endif

static GFile *test_file;
static char *test_initial_name;
static GListModel *test_filters;
static SiFileChooserMode test_mode;

/**
 * _si_file_chooser_set_test_file:
 * @file: (nullable): what every chooser answers from now on, without showing a dialog; NULL
 *   shows dialogs again
 *
 * For the tests, which drive the real actions.
 */
void
_si_file_chooser_set_test_file (GFile *file)
{
  g_set_object (&test_file, file);
  g_clear_pointer (&test_initial_name, g_free);
  g_clear_object (&test_filters);
}

/* For the tests: the name the last chooser suggested, if it was answered by the test file. */
const char *
_si_file_chooser_get_test_initial_name (void)
{
  return test_initial_name;
}

/**
 * _si_file_chooser_get_test_filters:
 * @mode: (out) (optional): what the last chooser answered by the test file was asked for
 *
 * Returns: (transfer none) (nullable): the filters it was given
 */
GListModel *
_si_file_chooser_get_test_filters (SiFileChooserMode *mode)
{
  if (mode)
    *mode = test_mode;
  return test_filters;
}

/**
 * si_file_chooser_choose:
 * @parent: (nullable): the window the dialog is modal to
 * @mode: open a file, save one, or choose a folder
 * @title: the dialog's title
 * @accept_label: (nullable): the accept button's label, with a mnemonic
 * @initial_name: (nullable): the file name suggested when saving
 * @filters: (nullable): a GListModel of GtkFileFilter, the first shown first
 * @cancellable: (nullable): cancelling it closes the dialog
 *
 * Asks for a file or a folder; @callback calls si_file_chooser_choose_finish().
 */
void
si_file_chooser_choose (GtkWindow           *parent,
                        SiFileChooserMode    mode,
                        const char          *title,
                        const char          *accept_label,
                        const char          *initial_name,
                        GListModel          *filters,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (title != NULL);
  g_return_if_fail (filters == NULL || G_IS_LIST_MODEL (filters));

  task = g_task_new (parent, cancellable, callback, user_data);
  g_task_set_source_tag (task, si_file_chooser_choose);
  /* GtkFileDialog's callback and the native chooser's finish() own this reference. */
  if (test_file != NULL)
    {
      g_free (test_initial_name);
      test_initial_name = g_strdup (initial_name);
      g_set_object (&test_filters, filters);
      test_mode = mode;
      g_task_return_pointer (task, g_object_ref (test_file), g_object_unref);
      g_object_unref (task);
      return;
    }
#if GTK_CHECK_VERSION (4, 10, 0)
  g_task_set_task_data (task, GINT_TO_POINTER (mode), NULL);
#endif
  choose (task, parent, mode, title, accept_label, initial_name, filters, cancellable);
}

/**
 * si_file_chooser_choose_finish:
 *
 * Returns: (transfer full) (nullable): what the user chose; NULL with G_IO_ERROR_CANCELLED
 *   when they chose nothing (or @cancellable was cancelled), or another error from the portal
 */
GFile *
si_file_chooser_choose_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == si_file_chooser_choose, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
