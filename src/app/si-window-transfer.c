/* si-window-transfer.c — one idea out, and things dropped in.
 *
 * Out, from the idea menu: idea.export-markdown (a file chosen through the portal, named after
 * the title), idea.copy-markdown (the clipboard), idea.print (GtkPrintOperation, si-idea-print.c).
 * The Markdown is the notebook export's, si_export_idea_markdown(), so it imports back as the
 * same idea.
 *
 * In: a GtkDropTarget on the window. Files and folders go to the importer as Import sends them
 * (si_import(), in a thread, with its toast); text becomes an idea by the importer's rule for a
 * Markdown file (its first heading or line is the title). The target is on the window and runs
 * in the bubble phase, so the title and the body, text views with targets of their own, take
 * text dropped on them as GTK does.
 */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <glib/gi18n.h>

#include "si-export.h"
#include "si-file-chooser.h"
#include "si-idea-print.h"
#include "si-window-private.h"

/* The current idea as the store has it, after the editor saved what waits. */
static SiIdea *
current_idea (SiWindow *self)
{
  gint64 id = si_window_get_current_id (self);
  g_autoptr(GError) error = NULL;
  SiIdea *idea;

  if (id == 0)
    return NULL;
  si_editor_save_now (self->editor);
  if (!(idea = si_store_get_idea (self->store, id, &error)))
    {
      g_warning ("Could not read the idea: %s", error->message);
      si_window_show_toast (self, error->message);
    }
  return idea;
}

/* idea.export-markdown ------------------------------------------------------------------------ */

static void
written_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SiWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    {
      g_autofree char *name = g_file_get_parse_name (G_FILE (object));

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("Could not write %s: %s", name, error->message);
      /* Translators: the file, then why it could not be written. */
      message = g_strdup_printf (_("Could not export to %s: %s"), name, error->message);
    }
  else
    {
      g_autofree char *name = g_file_get_basename (G_FILE (object));

      /* Translators: a toast; %s is the file's name. */
      message = g_strdup_printf (_("Exported as “%s”"), name);
    }
  si_window_show_toast (self, message);
}

/**
 * _si_window_export_idea:
 * @id: the idea to write
 * @file: the file to write it to, replaced if it exists
 *
 * Writes the idea's Markdown to @file without blocking; a toast says how it went.
 */
void
_si_window_export_idea (SiWindow *self,
                        gint64    id,
                        GFile    *file)
{
  g_autoptr(SiIdea) idea = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  char *text;
  gsize length;

  if (si_window_get_current_id (self) == id)
    si_editor_save_now (self->editor);
  if (!(idea = si_store_get_idea (self->store, id, &error)))
    {
      si_window_show_toast (self, error->message);
      return;
    }
  text = si_export_idea_markdown (idea, &length);
  bytes = g_bytes_new_take (text, length);
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_NONE,
                                       self->cancellable, written_cb, g_object_ref (self));
}

static void
export_chosen_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SiWindow *self = SI_WINDOW (object);
  gint64 id = *(gint64 *) user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = si_file_chooser_choose_finish (result, &error);

  g_free (user_data);
  if (file)
    _si_window_export_idea (self, id, file);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    si_window_show_toast (self, error->message);
}

static void
export_markdown_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  SiWindow *self = SI_WINDOW (widget);
  g_autoptr(SiIdea) idea = current_idea (self);
  g_autoptr(GListStore) filters = NULL;
  g_autoptr(GtkFileFilter) markdown = NULL;
  g_autofree char *title = NULL;
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;

  if (idea == NULL)
    return;
  title = si_idea_dup_display_title (idea);
  base = si_export_file_name (title);
  name = g_strconcat (base, ".md", NULL);

  markdown = gtk_file_filter_new ();
  gtk_file_filter_set_name (markdown, _("Markdown Files"));
  gtk_file_filter_add_suffix (markdown, "md");
  gtk_file_filter_add_suffix (markdown, "markdown");
  gtk_file_filter_add_mime_type (markdown, "text/markdown");
  filters = g_list_store_new (GTK_TYPE_FILE_FILTER);
  g_list_store_append (filters, markdown);

  _si_window_new_chooser (self);
  si_file_chooser_choose (GTK_WINDOW (self), SI_FILE_CHOOSER_SAVE, _("Export Idea as Markdown"),
                          _("_Export"), name, G_LIST_MODEL (filters), self->chooser_cancellable,
                          export_chosen_cb, g_memdup2 (&(gint64) { si_idea_get_id (idea) }, sizeof (gint64)));
}

/* idea.copy-markdown ------------------------------------------------------------------------- */

static void
copy_markdown_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  SiWindow *self = SI_WINDOW (widget);
  g_autoptr(SiIdea) idea = current_idea (self);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkContentProvider) provider = NULL;
  GdkContentProvider *providers[2];
  char *text;
  gsize length;

  if (idea == NULL)
    return;
  text = si_export_idea_markdown (idea, &length);
  /* text/plain for every program, text/markdown for those that know it. */
  providers[0] = gdk_content_provider_new_typed (G_TYPE_STRING, text);
  bytes = g_bytes_new_take (text, length);
  providers[1] = gdk_content_provider_new_for_bytes ("text/markdown", bytes);
  provider = gdk_content_provider_new_union (providers, G_N_ELEMENTS (providers));
  gdk_clipboard_set_content (gtk_widget_get_clipboard (widget), provider);
  si_window_show_toast (self, _("Copied as Markdown"));
}

/* idea.print ---------------------------------------------------------------------------------- */

static void
print_done_cb (GtkPrintOperation       *operation,
               GtkPrintOperationResult  result,
               SiWindow                *self)
{
  g_autoptr(GError) error = NULL;

  if (result != GTK_PRINT_OPERATION_RESULT_ERROR)
    return;
  gtk_print_operation_get_error (operation, &error);
  if (error)
    {
      g_autofree char *message = NULL;

      g_warning ("Could not print: %s", error->message);
      message = g_strdup_printf (_("Could not print: %s"), error->message);
      si_window_show_toast (self, message);
    }
}

static void
print_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  SiWindow *self = SI_WINDOW (widget);
  g_autoptr(SiIdea) idea = current_idea (self);
  g_autoptr(GtkPrintOperation) operation = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;

  if (idea == NULL)
    return;
  title = si_idea_dup_display_title (idea);
  operation = si_idea_print_new (title, si_idea_get_body (idea));
  gtk_print_operation_set_allow_async (operation, TRUE);
  g_signal_connect_object (operation, "done", G_CALLBACK (print_done_cb), self, 0);
  if (gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, GTK_WINDOW (self),
                               &error) == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      g_autofree char *message = g_strdup_printf (_("Could not print: %s"), error->message);

      g_warning ("Could not print: %s", error->message);
      si_window_show_toast (self, message);
    }
}

/* Drops ---------------------------------------------------------------------------------------- */

/**
 * _si_window_drop:
 * @value: a GdkFileList, or a string
 *
 * What a drop on the window does: files and folders are imported, text becomes an idea.
 *
 * Returns: whether @value was taken
 */
gboolean
_si_window_drop (SiWindow     *self,
                 const GValue *value)
{
  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GdkFileList *list = g_value_get_boxed (value);
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(GSList) items = list ? gdk_file_list_get_files (list) : NULL;

      for (GSList *l = items; l; l = l->next)
        g_ptr_array_add (files, g_object_ref (l->data));
      if (files->len == 0)
        return FALSE;
      _si_window_import_files (self, files);
      return TRUE;
    }
  if (G_VALUE_HOLDS_STRING (value))
    {
      const char *text = g_value_get_string (value);
      const char *p = text;

      while (p && g_ascii_isspace (*p))
        p++;
      if (p == NULL || *p == '\0')
        return FALSE;
      _si_window_import_text (self, text);
      return TRUE;
    }
  return FALSE;
}

/* Text dragged out of our own title or body and let go beside them is a slip, not a new idea
 * (and taking it would delete it where it came from, for a move): drags from this app are not
 * for the window. The rest is GtkDropTarget's own test. */
static gboolean
accept_cb (GtkDropTarget *target,
           GdkDrop       *drop,
           SiWindow      *self)
{
  if (gdk_drop_get_drag (drop) != NULL)
    return FALSE;
  return (gdk_drop_get_actions (drop) & gtk_drop_target_get_actions (target)) != 0 &&
         gdk_content_formats_match (gtk_drop_target_get_formats (target), gdk_drop_get_formats (drop));
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         SiWindow      *self)
{
  return _si_window_drop (self, value);
}

/* A file chooser's task holds the window until the user answers: close the chooser when the
 * window goes (gtk_window_destroy() unrealizes it), or each would keep the other. */
static void
unrealize_cb (GtkWidget *widget,
              gpointer   user_data)
{
  g_cancellable_cancel (SI_WINDOW (widget)->chooser_cancellable);
}

void
_si_window_transfer_init (SiWindow *self)
{
  GtkDropTarget *target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  GType types[] = { GDK_TYPE_FILE_LIST, G_TYPE_STRING };

  gtk_drop_target_set_gtypes (target, types, G_N_ELEMENTS (types));
  g_signal_connect (target, "accept", G_CALLBACK (accept_cb), self);
  g_signal_connect (target, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
  g_signal_connect (self, "unrealize", G_CALLBACK (unrealize_cb), NULL);
}

void
_si_window_class_transfer_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "idea.export-markdown", NULL, export_markdown_action);
  gtk_widget_class_install_action (widget_class, "idea.copy-markdown", NULL, copy_markdown_action);
  gtk_widget_class_install_action (widget_class, "idea.print", NULL, print_action);
}
