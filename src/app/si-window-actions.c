/* si-window-actions.c — what the window can do, as actions with keyboard shortcuts:
 * idea.new (Ctrl+N), idea.delete (Delete in the list, Ctrl+D anywhere), idea.undo-delete,
 * idea.pin (Ctrl+P), list.search (Ctrl+F), list.back (Alt+Left), notebook.import and
 * notebook.export. Import and export run in a thread on their own SiStore, so the window
 * stays responsive with a big notebook. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "si-export.h"
#include "si-file-chooser.h"
#include "si-import.h"
#include "si-window-private.h"

void
_si_window_actions_update (SiWindow *self)
{
  gboolean has_idea = si_editor_get_idea (self->editor) != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "idea.delete", has_idea);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "idea.pin", has_idea);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "idea.export-markdown", has_idea);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "idea.copy-markdown", has_idea);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "idea.print", has_idea);
}

/* idea.new --------------------------------------------------------------------------------- */

static void
new_idea_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  SiWindow *self = SI_WINDOW (widget);
  g_autoptr(SiIdea) idea = si_idea_new (NULL, NULL);
  g_autoptr(GError) error = NULL;

  /* Saved before anything else, so the previous idea's last keystrokes are safe. */
  si_editor_save_now (self->editor);

  /* A new idea belongs to the collection on screen. */
  if (self->view == SI_COLLECTION_VIEW_TAG)
    si_idea_add_tag (idea, self->view_tag_id);
  else if (self->view == SI_COLLECTION_VIEW_PINNED)
    si_idea_set_pinned (idea, TRUE);
  else if (self->view == SI_COLLECTION_VIEW_CONFLICTS)
    _si_window_show_view (self, SI_COLLECTION_VIEW_ALL, 0);

  if (!si_store_save_idea (self->store, idea, SI_SAVE_LOCAL, &error))
    {
      g_warning ("Could not make a new idea: %s", error->message);
      si_window_show_toast (self, error->message);
      return;
    }
  if (gtk_search_bar_get_search_mode (self->search_bar))
    gtk_search_bar_set_search_mode (self->search_bar, FALSE);

  si_window_open_idea (self, si_idea_get_id (idea));
  _si_window_scroll_to_idea (self, si_idea_get_id (idea));
  if (adw_flap_get_folded (self->flap))
    adw_flap_set_reveal_flap (self->flap, FALSE);
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, "editor");
  si_editor_focus_title (self->editor);
}

/* idea.delete and idea.undo-delete ------------------------------------------------------------ */

static void
delete_toast_dismissed_cb (AdwToast *toast,
                           SiWindow *self)
{
  if (self->delete_toast == toast)
    self->delete_toast = NULL;
}

/**
 * _si_window_delete_idea:
 * @id: the idea to delete
 *
 * Deletes it, with a toast that can undo it; the list moves on to the next idea.
 */
void
_si_window_delete_idea (SiWindow *self,
                        gint64    id)
{
  g_autoptr(SiIdea) idea = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  g_autofree char *message = NULL;
  guint position = GTK_INVALID_LIST_POSITION;
  gboolean was_open = si_window_get_current_id (self) == id;
  AdwToast *toast;

  if (was_open)
    si_editor_save_now (self->editor);
  if (!(idea = si_store_get_idea (self->store, id, &error)))
    {
      g_debug ("Nothing to delete: %s", error->message);
      return;
    }
  si_idea_list_find (self->ideas, id, &position);
  if (was_open)
    si_editor_set_idea (self->editor, NULL);

  if (!si_store_delete_idea (self->store, id, SI_SAVE_LOCAL, &error))
    {
      /* A blank new idea goes by itself when the editor lets go of it. */
      if (!g_error_matches (error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND))
        {
          g_warning ("Could not delete the idea: %s", error->message);
          si_window_show_toast (self, error->message);
        }
      return;
    }

  g_set_object (&self->deleted, idea);
  title = si_idea_dup_display_title (idea);
  if (title[0])
    /* Translators: a toast after deleting an idea; %s is its title */
    message = g_strdup_printf (_("“%s” deleted"), title);
  else
    message = g_strdup (_("Idea deleted"));

  if (self->delete_toast)
    adw_toast_dismiss (self->delete_toast);
  toast = adw_toast_new (message);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "idea.undo-delete");
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (delete_toast_dismissed_cb), self, 0);
  self->delete_toast = toast;
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "idea.undo-delete", TRUE);

  /* The next idea takes the deleted one's place in the editor. */
  if (was_open && position != GTK_INVALID_LIST_POSITION &&
      g_list_model_get_n_items (G_LIST_MODEL (self->ideas)) > 0 &&
      !adw_leaflet_get_folded (self->leaflet))
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->ideas));
      si_window_open_idea (self, si_idea_list_get_id_at (self->ideas, MIN (position, n - 1)));
    }
}

static void
delete_idea_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  SiWindow *self = SI_WINDOW (widget);
  gint64 id = si_window_get_current_id (self);

  if (id != 0)
    _si_window_delete_idea (self, id);
}

static void
undo_delete_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  SiWindow *self = SI_WINDOW (widget);
  g_autoptr(SiIdea) idea = g_steal_pointer (&self->deleted);
  g_autoptr(GError) error = NULL;

  gtk_widget_action_set_enabled (widget, "idea.undo-delete", FALSE);
  if (self->delete_toast)
    adw_toast_dismiss (self->delete_toast);
  if (idea == NULL)
    return;
  if (!si_store_restore_idea (self->store, idea, &error))
    {
      g_warning ("Could not restore the idea: %s", error->message);
      si_window_show_toast (self, error->message);
      return;
    }
  si_window_open_idea (self, si_idea_get_id (idea));
}

/* list.* ------------------------------------------------------------------------------------ */

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SiWindow *self = SI_WINDOW (widget);

  if (adw_flap_get_folded (self->flap))
    adw_flap_set_reveal_flap (self->flap, FALSE);
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, "list");
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SiWindow *self = SI_WINDOW (widget);

  si_editor_save_now (self->editor);
  /* From the editor back to the list; from the list, to the sidebar over it. */
  if (adw_leaflet_get_folded (self->leaflet) &&
      g_strcmp0 (adw_leaflet_get_visible_child_name (self->leaflet), "editor") == 0)
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
  else if (adw_flap_get_folded (self->flap))
    {
      GtkListBoxRow *row = gtk_list_box_get_selected_row (self->sidebar);

      adw_flap_set_reveal_flap (self->flap, TRUE);
      /* The keyboard goes with it: arrows choose, Enter shows, Escape closes. */
      if (row)
        gtk_widget_grab_focus (GTK_WIDGET (row));
    }
}

/* notebook.import and notebook.export ---------------------------------------------------------- */

typedef enum {
  JOB_IMPORT,
  JOB_IMPORT_TEXT,
  JOB_EXPORT_MARKDOWN,
  JOB_EXPORT_JSON,
} JobKind;

typedef struct {
  JobKind        kind;
  char          *db_path;
  GPtrArray     *files;       /* GFile: one, or what was dropped on the window */
  char          *text;        /* JOB_IMPORT_TEXT */
  SiImportStats  stats;
  guint          n_exported;
} Job;

static void
job_free (gpointer data)
{
  Job *job = data;

  g_free (job->db_path);
  g_clear_pointer (&job->files, g_ptr_array_unref);
  g_free (job->text);
  si_import_stats_clear (&job->stats);
  g_free (job);
}

/* In a worker thread, with a connection of its own: the main loop never waits on the disk. */
static void
job_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(SiStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  if (!(store = si_store_new (job->db_path, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  switch (job->kind)
    {
    case JOB_IMPORT:
      /* Each file (or folder) in its own transaction, as importing them one by one would. */
      ok = TRUE;
      for (guint i = 0; ok && i < job->files->len; i++)
        ok = si_import (store, g_ptr_array_index (job->files, i), &job->stats, cancellable, &error);
      break;
    case JOB_IMPORT_TEXT:
      /* Translators: the name of text dropped on the window, in messages about importing it. */
      ok = si_import_markdown_text (store, job->text, strlen (job->text), _("Dropped text"),
                                    &job->stats, &error);
      break;
    case JOB_EXPORT_MARKDOWN:
      ok = si_export_markdown (store, g_ptr_array_index (job->files, 0), &job->n_exported, cancellable, &error);
      break;
    case JOB_EXPORT_JSON:
      ok = si_export_json (store, g_ptr_array_index (job->files, 0), &job->n_exported, cancellable, &error);
      break;
    default:
      g_assert_not_reached ();
    }
  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
job_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  SiWindow *self = SI_WINDOW (object);
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("%s", error->message);
      message = g_strdup_printf (job->kind <= JOB_IMPORT_TEXT ? _("Could not import: %s") : _("Could not export: %s"),
                                 error->message);
    }
  else if (job->kind <= JOB_IMPORT_TEXT)
    {
      guint n = job->stats.n_created + job->stats.n_updated;

      /* Our own connection learns about the other one's writes now, not at the next watch. */
      si_store_check_changes (self->store);
      if (n == 0)
        message = g_strdup (_("Nothing new to import"));
      else
        message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Imported %u idea", "Imported %u ideas", n), n);
    }
  else
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Exported %u idea", "Exported %u ideas",
                                            job->n_exported), job->n_exported);
  si_window_show_toast (self, message);
}

static void
start_job (SiWindow *self,
           Job      *job)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, job_done_cb, NULL);

  si_editor_save_now (self->editor);
  job->db_path = g_strdup (si_store_get_path (self->store));
  g_task_set_source_tag (task, start_job);
  g_task_set_task_data (task, job, job_free);
  g_task_run_in_thread (task, job_thread);
}

static void
run_job (SiWindow *self,
         JobKind   kind,
         GFile    *file)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->files = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (job->files, g_object_ref (file));
  start_job (self, job);
}

/**
 * _si_window_import_files:
 * @files: (element-type GFile): files and folders, each imported as Import would
 *
 * Imports them in a thread and says what it did in a toast, as Import does.
 */
void
_si_window_import_files (SiWindow  *self,
                         GPtrArray *files)
{
  Job *job;

  g_return_if_fail (files != NULL && files->len > 0);

  job = g_new0 (Job, 1);
  job->kind = JOB_IMPORT;
  job->files = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < files->len; i++)
    g_ptr_array_add (job->files, g_object_ref (g_ptr_array_index (files, i)));
  start_job (self, job);
}

/**
 * _si_window_import_text:
 * @text: Markdown; without a front matter its first heading or line becomes the title
 *
 * Makes an idea of @text through the importer, in a thread, with Import's toast.
 */
void
_si_window_import_text (SiWindow   *self,
                        const char *text)
{
  Job *job = g_new0 (Job, 1);

  job->kind = JOB_IMPORT_TEXT;
  job->text = g_strdup (text);
  start_job (self, job);
}

static void
chosen_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  SiWindow *self = SI_WINDOW (object);
  JobKind kind = GPOINTER_TO_INT (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = si_file_chooser_choose_finish (result, &error);

  if (file)
    run_job (self, kind, file);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    si_window_show_toast (self, error->message);
}

static void
choose (SiWindow          *self,
        JobKind            kind,
        const char        *title,
        SiFileChooserMode  mode,
        const char        *accept)
{
  g_autoptr(GListStore) filters = NULL;

  _si_window_new_chooser (self);
  if (kind == JOB_IMPORT && mode == SI_FILE_CHOOSER_OPEN)
    {
      g_autoptr(GtkFileFilter) any = gtk_file_filter_new ();
      g_autoptr(GtkFileFilter) markdown = gtk_file_filter_new ();
      g_autoptr(GtkFileFilter) json = gtk_file_filter_new ();

      gtk_file_filter_set_name (any, _("Markdown and JSON Files"));
      gtk_file_filter_add_suffix (any, "md");
      gtk_file_filter_add_suffix (any, "markdown");
      gtk_file_filter_add_suffix (any, "json");
      gtk_file_filter_set_name (markdown, _("Markdown Files"));
      gtk_file_filter_add_suffix (markdown, "md");
      gtk_file_filter_add_suffix (markdown, "markdown");
      gtk_file_filter_add_mime_type (markdown, "text/markdown");
      gtk_file_filter_set_name (json, _("Saveidea JSON Exports"));
      gtk_file_filter_add_suffix (json, "json");
      gtk_file_filter_add_mime_type (json, "application/json");
      filters = g_list_store_new (GTK_TYPE_FILE_FILTER);
      g_list_store_append (filters, any);
      g_list_store_append (filters, markdown);
      g_list_store_append (filters, json);
    }

  si_file_chooser_choose (GTK_WINDOW (self), mode, title, accept,
                          kind == JOB_EXPORT_JSON ? SI_EXPORT_JSON_FILE_NAME : NULL,
                          G_LIST_MODEL (filters), self->chooser_cancellable, chosen_cb,
                          GINT_TO_POINTER (kind));
}

/**
 * _si_window_new_chooser:
 *
 * Closes a file chooser the window has open, if any, before it opens another: the window's
 * choosers share self->chooser_cancellable, which the window's dispose cancels too.
 */
void
_si_window_new_chooser (SiWindow *self)
{
  g_cancellable_cancel (self->chooser_cancellable);
  g_set_object (&self->chooser_cancellable, NULL);
  self->chooser_cancellable = g_cancellable_new ();
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  const char *what = g_variant_get_string (parameter, NULL);

  if (g_str_equal (what, "folder"))
    choose (SI_WINDOW (widget), JOB_IMPORT, _("Import a Folder of Markdown Files"),
            SI_FILE_CHOOSER_FOLDER, _("_Import"));
  else
    choose (SI_WINDOW (widget), JOB_IMPORT, _("Import Ideas"),
            SI_FILE_CHOOSER_OPEN, _("_Import"));
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  const char *format = g_variant_get_string (parameter, NULL);

  if (g_str_equal (format, "json"))
    choose (SI_WINDOW (widget), JOB_EXPORT_JSON, _("Export as JSON"),
            SI_FILE_CHOOSER_SAVE, _("_Export"));
  else
    choose (SI_WINDOW (widget), JOB_EXPORT_MARKDOWN, _("Export to a Folder of Markdown Files"),
            SI_FILE_CHOOSER_FOLDER, _("_Export"));
}

void
_si_window_class_actions_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "idea.new", NULL, new_idea_action);
  gtk_widget_class_install_action (widget_class, "idea.delete", NULL, delete_idea_action);
  gtk_widget_class_install_action (widget_class, "idea.undo-delete", NULL, undo_delete_action);
  gtk_widget_class_install_property_action (widget_class, "idea.pin", "pinned");
  gtk_widget_class_install_action (widget_class, "list.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "list.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "notebook.import", "s", import_action);
  gtk_widget_class_install_action (widget_class, "notebook.export", "s", export_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "idea.new", NULL);
  /* Not Ctrl+Delete: in the title and the body, GTK's text widgets take it (delete a word), and
   * a shortcut must not mean two things depending on the focus. No GTK text widget binds Ctrl+D;
   * the application also lists it for the menu, where it is shown (si-application.c). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK, "idea.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "idea.pin", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "list.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "list.back", NULL);
}
