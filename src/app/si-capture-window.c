/* si-capture-window.c — quick capture (`saveidea --new`, the "New Idea" desktop action): a small
 * window with a title, a text and optional tags that writes one new idea into the app's store as
 * you type, whether the main window is open or not; the main window's list shows it through the
 * store's changed signal.
 *
 * Saving follows the editor's rules: a pause in the typing of SI_EDITOR_SAVE_DELAY_MS writes the
 * idea, closing writes what waits; a capture without a word or tag in it writes nothing (and one
 * emptied again after a save is dropped, as the editor drops a blank new idea). Tags are typed
 * separated by commas and made when the window closes or Enter is pressed in their field, so
 * half-typed names never become tags. Escape and Ctrl+Enter close the window. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <glib/gi18n.h>

#include "si-app-utils.h"
#include "si-capture-window.h"
#include "si-editor.h"

struct _SiCaptureWindow
{
  AdwWindow        parent_instance;

  AdwToastOverlay *toast_overlay;
  GtkText         *title_text;
  GtkTextView     *body_view;
  GtkEntry        *tags_entry;

  SiStore         *store;
  SiIdea          *idea;     /* id 0 until the first save that has something in it */
  guint            save_id;
  guint            pending : 1;
  guint            closing : 1;
};

G_DEFINE_FINAL_TYPE (SiCaptureWindow, si_capture_window, ADW_TYPE_WINDOW)

static void
show_error (SiCaptureWindow *self,
            const char      *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static char *
dup_body_text (SiCaptureWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->body_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* Adds the tags typed so far to the idea (not yet saved); FALSE when the store refused a name. */
static gboolean
take_tags (SiCaptureWindow  *self,
           GError          **error)
{
  g_auto(GStrv) names = g_strsplit (gtk_editable_get_text (GTK_EDITABLE (self->tags_entry)), ",", -1);

  for (guint i = 0; names[i]; i++)
    {
      g_autofree char *name = si_tag_name_from_input (names[i]);
      g_autoptr(SiTag) tag = NULL;

      if (name[0] == '\0')
        continue;
      if (!(tag = si_store_ensure_tag (self->store, name, error)))
        {
          g_prefix_error (error, _("The tag “%s” could not be added: "), name);
          return FALSE;
        }
      if (!si_idea_has_tag (self->idea, si_tag_get_id (tag)))
        {
          si_idea_add_tag (self->idea, si_tag_get_id (tag));
          self->pending = TRUE;
        }
    }
  return TRUE;
}

/* Writes what the fields hold; with @with_tags, the typed tags too. FALSE (the edit kept
 * waiting, a toast saying why) when the store refused it. */
static gboolean
save (SiCaptureWindow *self,
      gboolean         with_tags)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) tag_error = NULL;
  g_autofree char *body = dup_body_text (self);
  gboolean ok = TRUE;

  g_clear_handle_id (&self->save_id, g_source_remove);
  if (self->store == NULL)
    return TRUE;

  si_idea_set_title (self->idea, gtk_editable_get_text (GTK_EDITABLE (self->title_text)));
  si_idea_set_body (self->idea, body);
  if (with_tags)
    take_tags (self, &tag_error);

  if (self->pending && (si_idea_get_id (self->idea) != 0 || !si_idea_is_blank_new (self->idea)))
    {
      g_debug ("Saving a captured idea (%" G_GINT64_FORMAT ")", si_idea_get_id (self->idea));
      ok = si_store_save_idea (self->store, self->idea, SI_SAVE_LOCAL, &error);
      if (!ok && g_error_matches (error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND) &&
          si_idea_get_id (self->idea) != 0)
        {
          /* Deleted in the main window while it was being captured: the typing wins. */
          g_clear_error (&error);
          ok = si_store_restore_idea (self->store, self->idea, &error);
        }
      if (!ok)
        {
          g_warning ("Could not save the captured idea: %s", error->message);
          show_error (self, error->message);
          return FALSE;
        }
    }
  self->pending = FALSE;  /* written, or nothing worth writing yet */
  if (tag_error != NULL)
    {
      show_error (self, tag_error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
save_timeout_cb (gpointer user_data)
{
  SiCaptureWindow *self = user_data;

  self->save_id = 0;
  save (self, FALSE);
  return G_SOURCE_REMOVE;
}

static void
edited (SiCaptureWindow *self)
{
  if (self->closing)
    return;
  self->pending = TRUE;
  g_clear_handle_id (&self->save_id, g_source_remove);
  self->save_id = g_timeout_add_full (G_PRIORITY_DEFAULT, SI_EDITOR_SAVE_DELAY_MS, save_timeout_cb, self, NULL);
}

/* The last keystrokes and the tags go to disk; a capture emptied after a save is dropped. */
static gboolean
flush (SiCaptureWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (!save (self, TRUE))
    return FALSE;
  if (si_idea_get_id (self->idea) != 0 && si_idea_is_blank_new (self->idea) &&
      !si_store_delete_idea (self->store, si_idea_get_id (self->idea), SI_SAVE_LOCAL, &error))
    g_debug ("Could not drop a blank captured idea: %s", error->message);
  return TRUE;
}

static gboolean
close_request_cb (SiCaptureWindow *self)
{
  /* Kept open when the store refused the text, so nothing typed is lost unseen. */
  if (!self->closing && !flush (self))
    return TRUE;
  self->closing = TRUE;
  return FALSE;
}

static void
title_activate_cb (SiCaptureWindow *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->body_view));
}

static void
tags_activate_cb (SiCaptureWindow *self)
{
  self->pending = TRUE;
  save (self, TRUE);
}

static void
body_changed_cb (GtkTextBuffer   *buffer,
                 SiCaptureWindow *self)
{
  edited (self);
}

/**
 * si_capture_window_save_now:
 *
 * Writes what waits for the typing to pause, and the typed tags.
 *
 * Returns: FALSE when the store refused it (the window shows why)
 */
gboolean
si_capture_window_save_now (SiCaptureWindow *self)
{
  g_return_val_if_fail (SI_IS_CAPTURE_WINDOW (self), FALSE);
  return save (self, TRUE);
}

/**
 * si_capture_window_is_blank:
 *
 * Returns: TRUE while nothing worth keeping was typed (the window may be reused for another
 *   capture rather than opening a second one beside it)
 */
gboolean
si_capture_window_is_blank (SiCaptureWindow *self)
{
  g_autoptr(SiIdea) typed = NULL;
  g_autofree char *body = NULL;
  g_autofree char *tags = NULL;

  g_return_val_if_fail (SI_IS_CAPTURE_WINDOW (self), FALSE);

  if (si_idea_get_id (self->idea) != 0)
    return FALSE;
  body = dup_body_text (self);
  typed = si_idea_new (gtk_editable_get_text (GTK_EDITABLE (self->title_text)), body);
  tags = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->tags_entry)));
  return si_idea_is_blank_new (typed) && g_strstrip (tags)[0] == '\0';
}

/* The idea's id in the store, or 0 while nothing was written. */
gint64
si_capture_window_get_idea_id (SiCaptureWindow *self)
{
  g_return_val_if_fail (SI_IS_CAPTURE_WINDOW (self), 0);
  return si_idea_get_id (self->idea);
}

GtkEditable *
_si_capture_window_get_title_editable (SiCaptureWindow *self)
{
  return GTK_EDITABLE (self->title_text);
}

GtkTextBuffer *
_si_capture_window_get_body_buffer (SiCaptureWindow *self)
{
  return gtk_text_view_get_buffer (self->body_view);
}

GtkEditable *
_si_capture_window_get_tags_editable (SiCaptureWindow *self)
{
  return GTK_EDITABLE (self->tags_entry);
}

static void
si_capture_window_dispose (GObject *object)
{
  SiCaptureWindow *self = SI_CAPTURE_WINDOW (object);

  /* Destroyed without a close request (the app quitting): what waits is still written. */
  if (!self->closing && self->store != NULL && self->idea != NULL)
    {
      self->closing = TRUE;
      flush (self);
    }
  g_clear_handle_id (&self->save_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), SI_TYPE_CAPTURE_WINDOW);
  g_clear_object (&self->idea);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (si_capture_window_parent_class)->dispose (object);
}

static void
si_capture_window_class_init (SiCaptureWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = si_capture_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/saveidea/Saveidea/si-capture-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SiCaptureWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SiCaptureWindow, title_text);
  gtk_widget_class_bind_template_child (widget_class, SiCaptureWindow, body_view);
  gtk_widget_class_bind_template_child (widget_class, SiCaptureWindow, tags_entry);
  gtk_widget_class_bind_template_callback (widget_class, close_request_cb);
  gtk_widget_class_bind_template_callback (widget_class, edited);
  gtk_widget_class_bind_template_callback (widget_class, title_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, tags_activate_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
si_capture_window_init (SiCaptureWindow *self)
{
  GtkEventController *controller;
  GtkShortcut *shortcut;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->idea = si_idea_new (NULL, NULL);
  g_signal_connect (gtk_text_view_get_buffer (self->body_view), "changed",
                    G_CALLBACK (body_changed_cb), self);

  /* Ctrl+Enter is done: caught before the text view makes it a new line. */
  controller = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  shortcut = gtk_shortcut_new (gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Return, GDK_CONTROL_MASK),
                                                            gtk_keyval_trigger_new (GDK_KEY_KP_Enter, GDK_CONTROL_MASK)),
                               gtk_named_action_new ("window.close"));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), shortcut);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

/**
 * si_capture_window_new:
 * @application: (nullable): the application the window belongs to
 * @store: the notebook the idea goes into
 */
SiCaptureWindow *
si_capture_window_new (GtkApplication *application,
                       SiStore        *store)
{
  SiCaptureWindow *self;

  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (SI_IS_STORE (store), NULL);

  self = g_object_new (SI_TYPE_CAPTURE_WINDOW, "application", application, NULL);
  self->store = g_object_ref (store);
  return self;
}
