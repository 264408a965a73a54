/* si-window-actions.c — what the window can do, as actions with keyboard shortcuts:
 * idea.new (Ctrl+N), idea.delete (Delete in the list, Ctrl+D anywhere), idea.undo-delete,
 * idea.pin (Ctrl+P), idea.history (Ctrl+Shift+H), list.search (Ctrl+F), list.back (Alt+Left), notebook.import,
 * notebook.export, notebook.cancel-import and notebook.import-report. Import and export run in
 * a thread on their own SiStore, so the window stays responsive with a big notebook; imports
 * one at a time, with a bar that shows how far the one under way is and can cancel it. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "si-export.h"
#include "si-file-chooser.h"
#include "si-history-window.h"
#include "si-i18n.h"
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
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "idea.history", has_idea);
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
  else if (self->view == SI_COLLECTION_VIEW_CONFLICTS || self->view == SI_COLLECTION_VIEW_TRASH)
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
  g_autofree char *display_title = NULL;
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
  /* A toast's title is Pango markup: the idea's title is text. */
  display_title = si_idea_dup_display_title (idea);
  title = g_markup_escape_text (display_title, -1);
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

/* idea.history ---------------------------------------------------------------------------- */

static void
history_restored_cb (SiWindow *self)
{
  si_window_show_toast (self, _("Version restored"));
}

static void
history_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SiWindow *self = SI_WINDOW (widget);
  gint64 id = si_window_get_current_id (self);
  SiHistoryWindow *window;

  /* What was typed is a version too: on disk first, so the history compares with it. */
  if (id == 0 || !si_editor_save_now (self->editor))
    return;
  window = si_history_window_new (GTK_WINDOW (self), self->store, self->manager, id);
  g_signal_connect_object (window, "restored", G_CALLBACK (history_restored_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (window));
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

#define JOB_IS_IMPORT(job) ((job)->kind <= JOB_IMPORT_TEXT)

typedef struct {
  JobKind          kind;
  char            *db_path;
  GPtrArray       *files;       /* GFile: one, or what was dropped on the window */
  char            *text;        /* JOB_IMPORT_TEXT */
  SiImportOptions  options;
  SiImportStats    stats;
  guint            n_exported;
  /* How far the writing is: set in the worker, read in the main loop. */
  gint             done;
  gint             total;
  gint             progress_queued;
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

static void
report_free (gpointer data)
{
  si_import_stats_clear (data);
  g_free (data);
}

/* For the tests: the worker waits in its progress report while the import is held. */
static GMutex hold_mutex;
static GCond hold_cond;
static gboolean hold_import;

/**
 * _si_window_hold_import:
 * @hold: whether an import's worker stops at its next progress report (after the first few
 *   hundred notes were written, before the last) until it is let go
 *
 * For the tests, to cancel an import in the middle of its writing.
 */
void
_si_window_hold_import (gboolean hold)
{
  g_mutex_lock (&hold_mutex);
  hold_import = hold;
  g_cond_broadcast (&hold_cond);
  g_mutex_unlock (&hold_mutex);
}

static void
update_import_bar (SiWindow *self,
                   Job      *job)
{
  guint done = g_atomic_int_get (&job->done);
  guint total = g_atomic_int_get (&job->total);
  g_autofree char *text = NULL;

  if (self->import_bar == NULL)
    return;
  if (total == 0)
    {
      /* Reading the files, before the writing is counted. */
      text = g_strdup (_("Reading what to import…"));
      gtk_progress_bar_set_fraction (self->import_progress, 0.0);
    }
  else
    {
      g_autofree char *done_text = si_format_count (done);
      g_autofree char *total_text = si_format_count (total);

      /* Translators: in the bar of an import under way: ideas written so far, of all; the
       * numbers come formatted for the locale. */
      text = g_strdup_printf (_("Importing %s of %s ideas…"), done_text, total_text);
      gtk_progress_bar_set_fraction (self->import_progress, MIN (1.0, (double) done / total));
    }
  gtk_label_set_text (self->import_label, text);
  gtk_revealer_set_reveal_child (self->import_bar, TRUE);
}

static gboolean
job_progress_idle (gpointer user_data)
{
  GTask *task = user_data;
  Job *job = g_task_get_task_data (task);
  SiWindow *self = g_task_get_source_object (task);

  g_atomic_int_set (&job->progress_queued, FALSE);
  if (self->import_job == job)
    update_import_bar (self, job);
  return G_SOURCE_REMOVE;
}

/* In the worker: passes the numbers to the main loop, at most one report waiting at a time. */
static void
job_progress (guint    done,
              guint    total,
              gpointer user_data)
{
  GTask *task = user_data;
  Job *job = g_task_get_task_data (task);

  g_atomic_int_set (&job->done, done);
  g_atomic_int_set (&job->total, total);
  if (g_atomic_int_compare_and_exchange (&job->progress_queued, FALSE, TRUE))
    {
      /* Not g_main_context_invoke(): in a thread without a context of its own, it could run
       * the function here, in the worker. */
      g_autoptr(GSource) source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, job_progress_idle, g_object_ref (task), g_object_unref);
      g_source_set_static_name (source, "[saveidea] import progress");
      g_source_attach (source, NULL);
    }

  if (done > 0 && done < total)
    {
      g_mutex_lock (&hold_mutex);
      while (hold_import)
        g_cond_wait (&hold_cond, &hold_mutex);
      g_mutex_unlock (&hold_mutex);
    }
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
      job->options.progress = job_progress;
      job->options.user_data = task;
      for (guint i = 0; ok && i < job->files->len; i++)
        ok = si_import_with_options (store, g_ptr_array_index (job->files, i), &job->options,
                                     &job->stats, cancellable, &error);
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

static gboolean
stats_have_report (const SiImportStats *stats)
{
  return stats->n_attachments > 0 || stats->n_skipped > 0 || stats->n_left_out > 0;
}

static void run_next_import (SiWindow *self);

/* The toast after an import: how many ideas, and the report when something was left out. */
static void
show_import_toast (SiWindow      *self,
                   SiImportStats *stats)
{
  guint n = stats->n_created + stats->n_updated;
  g_autofree char *message = NULL;
  AdwToast *toast;

  if (n == 0)
    message = g_strdup (_("Nothing new to import"));
  else
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Imported %u idea", "Imported %u ideas", n), n);
  toast = adw_toast_new (message);
  g_clear_pointer (&self->import_report, report_free);
  if (stats_have_report (stats))
    {
      SiImportStats *report = g_new0 (SiImportStats, 1);

      *report = *stats;
      memset (stats, 0, sizeof *stats);
      self->import_report = report;
      adw_toast_set_button_label (toast, _("_Details"));
      adw_toast_set_action_name (toast, "notebook.import-report");
      /* Long enough to read and reach the button. */
      adw_toast_set_timeout (toast, 10);
      adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "notebook.import-report", self->import_report != NULL);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
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
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  if (JOB_IS_IMPORT (job) && self->import_job == job)
    self->import_job = NULL;
  /* The window went away. */
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (JOB_IS_IMPORT (job))
    {
      gtk_revealer_set_reveal_child (self->import_bar, FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "notebook.cancel-import", FALSE);
      /* Our own connection learns about the other one's writes now, not at the next watch. */
      si_store_check_changes (self->store);
    }

  if (!ok)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          if (JOB_IS_IMPORT (job))
            {
              guint n = job->stats.n_created + job->stats.n_updated;

              if (n == 0)
                message = g_strdup (_("Import cancelled, nothing was imported"));
              else
                /* Translators: a toast; what was dropped before the file that was being imported. */
                message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                        "Import cancelled, %u idea from the files before was imported",
                                                        "Import cancelled, %u ideas from the files before were imported", n), n);
              si_window_show_toast (self, message);
              run_next_import (self);
            }
          return;
        }
      g_warning ("%s", error->message);
      message = g_strdup_printf (JOB_IS_IMPORT (job) ? _("Could not import: %s") : _("Could not export: %s"),
                                 error->message);
      si_window_show_toast (self, message);
    }
  else if (JOB_IS_IMPORT (job))
    show_import_toast (self, &job->stats);
  else
    {
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Exported %u idea", "Exported %u ideas",
                                              job->n_exported), job->n_exported);
      si_window_show_toast (self, message);
    }
  if (JOB_IS_IMPORT (job))
    run_next_import (self);
}

static void
run_in_thread (SiWindow     *self,
               Job          *job,
               GCancellable *cancellable)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, job_done_cb, NULL);

  job->db_path = g_strdup (si_store_get_path (self->store));
  g_task_set_source_tag (task, run_in_thread);
  g_task_set_task_data (task, job, job_free);
  g_task_run_in_thread (task, job_thread);
}

/* Imports run one at a time, in the order they were asked for, so the bar shows one. */
static void
run_next_import (SiWindow *self)
{
  Job *job;

  if (self->import_job != NULL || (job = g_queue_pop_head (&self->import_queue)) == NULL)
    return;
  g_clear_object (&self->import_cancellable);
  self->import_cancellable = g_cancellable_new ();
  self->import_job = job;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "notebook.cancel-import", TRUE);
  update_import_bar (self, job);
  run_in_thread (self, job, self->import_cancellable);
}

static void
start_job (SiWindow *self,
           Job      *job)
{
  si_editor_save_now (self->editor);
  if (JOB_IS_IMPORT (job))
    {
      job->options.archived = self->settings && !g_settings_get_boolean (self->settings, "import-archived")
                                ? SI_IMPORT_ARCHIVED_SKIP : SI_IMPORT_ARCHIVED_TAG;
      g_queue_push_tail (&self->import_queue, job);
      run_next_import (self);
    }
  else
    run_in_thread (self, job, self->cancellable);
}

static void
cancel_import_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  SiWindow *self = SI_WINDOW (widget);

  /* What waits is dropped; what runs stops and rolls back its transaction. */
  g_queue_clear_full (&self->import_queue, job_free);
  g_cancellable_cancel (self->import_cancellable);
}

/* notebook.import-report: what the last import could not bring, in a dialog. */

static void
add_report_section (GString   *text,
                    const char *heading,
                    GPtrArray  *lines,
                    guint       n)
{
  g_string_append_printf (text, "%s%s\n", text->len ? "\n" : "", heading);
  for (guint i = 0; lines && i < lines->len; i++)
    g_string_append_printf (text, "• %s\n", (const char *) g_ptr_array_index (lines, i));
  if (lines && n > lines->len)
    {
      g_autofree char *more = si_format_count (n - lines->len);

      /* Translators: after a bounded list; %s is how many more there were (formatted). */
      g_string_append_printf (text, _("…and %s more"), more);
      g_string_append_c (text, '\n');
    }
}

/**
 * _si_window_import_report_text:
 *
 * Returns: (transfer full) (nullable): the last import's report as its dialog shows it: the
 *   attachments that were not brought, the entries left out, the notes not imported
 */
char *
_si_window_import_report_text (SiWindow *self)
{
  SiImportStats *stats = self->import_report;
  g_autoptr(GString) text = NULL;

  if (stats == NULL)
    return NULL;
  text = g_string_new (NULL);
  if (stats->n_attachments > 0)
    {
      g_autofree char *heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                               "%u attachment was not imported: Saveidea does not store files yet.",
                                                               "%u attachments were not imported: Saveidea does not store files yet.",
                                                               stats->n_attachments), stats->n_attachments);
      add_report_section (text, heading, stats->attachments, stats->n_attachments);
    }
  if (stats->n_skipped > 0)
    {
      g_autofree char *heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                               "%u entry was left out:",
                                                               "%u entries were left out:",
                                                               stats->n_skipped), stats->n_skipped);
      add_report_section (text, heading, stats->skipped, stats->n_skipped);
    }
  if (stats->n_left_out > 0)
    {
      g_autofree char *heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                               "%u archived or deleted note was not imported, as Preferences ask.",
                                                               "%u archived or deleted notes were not imported, as Preferences ask.",
                                                               stats->n_left_out), stats->n_left_out);
      add_report_section (text, heading, NULL, stats->n_left_out);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (const char *p = text; *p; p++)
    n += *p == '\n';
  return n;
}

static void
import_report_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  SiWindow *self = SI_WINDOW (widget);
  g_autofree char *text = _si_window_import_report_text (self);
  GtkWidget *dialog, *scrolled, *label;

  if (text == NULL)
    return;
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Not Everything Was Imported"), NULL);
  label = gtk_label_new (text);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_yalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  if (count_lines (text) <= 10)
    adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), label);
  else
    {
      /* A long list scrolls, in a height of its own: a scrolled window measures a wrapping
       * label's natural height for one line. */
      scrolled = gtk_scrolled_window_new ();
      gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
      gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 280);
      gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), label);
      adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), scrolled);
    }
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/**
 * _si_window_ensure_help_overlay:
 *
 * The window's shortcuts window, built the first time it is asked for. GtkApplication builds a
 * resource's gtk/help-overlay.ui for every window it gets, 10-20 ms of the start-up before the
 * first frame here, for a window most starts never open: ours is not at that path, and
 * win.show-help-overlay builds it on its first use.
 */
GtkWindow *
_si_window_ensure_help_overlay (SiWindow *self)
{
  GtkApplicationWindow *window = GTK_APPLICATION_WINDOW (self);
  GtkShortcutsWindow *overlay = gtk_application_window_get_help_overlay (window);

  if (overlay == NULL)
    {
      g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource ("/io/github/saveidea/Saveidea/si-shortcuts-window.ui");

      overlay = GTK_SHORTCUTS_WINDOW (gtk_builder_get_object (builder, "help_overlay"));
      /* Modal, kept when closed, and transient for this window: GTK's own set-up. */
      gtk_application_window_set_help_overlay (window, overlay);
    }
  return GTK_WINDOW (overlay);
}

static void
show_help_overlay (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  /* Shown as GTK's own action shows it. */
  gtk_widget_set_visible (GTK_WIDGET (_si_window_ensure_help_overlay (SI_WINDOW (user_data))), TRUE);
}

/**
 * _si_window_actions_init:
 *
 * Nothing to cancel and no report yet; the shortcuts window's action, which builds it.
 */
void
_si_window_actions_init (SiWindow *self)
{
  g_autoptr(GSimpleAction) help = g_simple_action_new ("show-help-overlay", NULL);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "notebook.cancel-import", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "notebook.import-report", FALSE);
  /* In the window's "win" group, where GtkApplicationWindow would put its own: with this one
   * there, gtk_application_window_set_help_overlay() adds none. */
  g_signal_connect_object (help, "activate", G_CALLBACK (show_help_overlay), self, 0);
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (help));
}

/**
 * _si_window_actions_dispose:
 *
 * Stops the import under way and drops those waiting, when the window goes.
 */
void
_si_window_actions_dispose (SiWindow *self)
{
  g_queue_clear_full (&self->import_queue, job_free);
  g_cancellable_cancel (self->import_cancellable);
  g_clear_object (&self->import_cancellable);
  g_clear_pointer (&self->import_report, report_free);
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
 * Imports them in a thread, with the import bar, and says what it did in a toast, as Import
 * does.
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

/* The suffixes of every export si_import() reads: Markdown (Saveidea's, Obsidian's, Joplin's),
 * JSON (Saveidea's, Simplenote's notes.json, Google Keep's notes, a Standard Notes backup), text
 * (Simplenote's notes, a Standard Notes backup), ENEX (Evernote) and JEX (Joplin). */
static const char * const import_suffixes[] = { "md", "markdown", "json", "txt", "enex", "jex" };

/**
 * _si_window_get_import_filters:
 *
 * Returns: (transfer full): the filters Import's file chooser offers, the first shown first
 */
GListModel *
_si_window_get_import_filters (SiWindow *self)
{
  GListStore *filters = g_list_store_new (GTK_TYPE_FILE_FILTER);
  g_autoptr(GtkFileFilter) supported = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  gtk_file_filter_set_name (supported, _("All Supported Exports"));
  for (guint i = 0; i < G_N_ELEMENTS (import_suffixes); i++)
    gtk_file_filter_add_suffix (supported, import_suffixes[i]);
  gtk_file_filter_add_mime_type (supported, "text/markdown");
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  g_list_store_append (filters, supported);
  g_list_store_append (filters, all);
  return G_LIST_MODEL (filters);
}

static void
choose (SiWindow          *self,
        JobKind            kind,
        const char        *title,
        SiFileChooserMode  mode,
        const char        *accept)
{
  g_autoptr(GListModel) filters = NULL;

  _si_window_new_chooser (self);
  if (kind == JOB_IMPORT && mode == SI_FILE_CHOOSER_OPEN)
    filters = _si_window_get_import_filters (self);

  si_file_chooser_choose (GTK_WINDOW (self), mode, title, accept,
                          kind == JOB_EXPORT_JSON ? SI_EXPORT_JSON_FILE_NAME : NULL,
                          filters, self->chooser_cancellable, chosen_cb,
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

  /* Some exports are a file (notes.json, an ENEX or JEX file, a backup), others a folder (Google
   * Keep's from Takeout, Joplin's RAW export, an Obsidian vault, Simplenote's .txt files). */
  if (g_str_equal (what, "folder"))
    choose (SI_WINDOW (widget), JOB_IMPORT, _("Import a Folder"),
            SI_FILE_CHOOSER_FOLDER, _("_Import"));
  else
    choose (SI_WINDOW (widget), JOB_IMPORT, _("Import a File"),
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
  gtk_widget_class_install_action (widget_class, "idea.history", NULL, history_action);
  gtk_widget_class_install_action (widget_class, "list.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "list.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "notebook.import", "s", import_action);
  gtk_widget_class_install_action (widget_class, "notebook.export", "s", export_action);
  gtk_widget_class_install_action (widget_class, "notebook.cancel-import", NULL, cancel_import_action);
  gtk_widget_class_install_action (widget_class, "notebook.import-report", NULL, import_report_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "idea.new", NULL);
  /* Not Ctrl+Delete: in the title and the body, GTK's text widgets take it (delete a word), and
   * a shortcut must not mean two things depending on the focus. No GTK text widget binds Ctrl+D;
   * the application also lists it for the menu, where it is shown (si-application.c). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK, "idea.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "idea.pin", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "list.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_h, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "idea.history", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "list.back", NULL);
}
