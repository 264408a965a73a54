/* si-find-bar.c — find and replace inside the idea being edited.
 *
 * A bar over the text (Ctrl+F in the editor; the list has its own search): what is typed is
 * looked for as you type, from the cursor on, every match highlighted by a GtkSourceSearchContext,
 * "3 of 12" beside it. Enter and Ctrl+G go to the next match, Shift+Enter and Ctrl+Shift+G to the
 * previous one, wrapping around; Replace changes the match selected and goes on to the next,
 * Replace All changes every match as one step to undo. Escape closes the bar and gives the
 * focus back to the text. The search context counts in the background, a chunk at a time, so
 * a long text never holds up typing. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <glib/gi18n.h>

#include "si-find-bar.h"
#include "si-i18n.h"

struct _SiFindBar
{
  GtkWidget                parent_instance;

  GtkSourceView           *view;
  GtkSourceSearchSettings *settings;
  GtkSourceSearchContext  *context;

  GtkRevealer             *revealer;
  GtkWidget               *bar;
  GtkSearchEntry          *search_entry;
  GtkLabel                *count_label;
  GtkToggleButton         *replace_toggle;
  GtkEntry                *replace_entry;
};

G_DEFINE_FINAL_TYPE (SiFindBar, si_find_bar, GTK_TYPE_WIDGET)

static GtkTextBuffer *
buffer (SiFindBar *self)
{
  return gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->view));
}

static void
update_count (SiFindBar *self)
{
  const char *text = self->settings ? gtk_source_search_settings_get_search_text (self->settings) : NULL;
  g_autofree char *label = NULL;
  int count = -1;

  if (text != NULL && self->context != NULL)
    count = gtk_source_search_context_get_occurrences_count (self->context);

  if (count == 0)
    label = g_strdup (_("No matches"));
  else if (count > 0)
    {
      g_autofree char *total = si_format_count ((guint) count);
      GtkTextIter start, end;
      int position;

      gtk_text_buffer_get_selection_bounds (buffer (self), &start, &end);
      position = gtk_source_search_context_get_occurrence_position (self->context, &start, &end);
      if (position > 0)
        {
          g_autofree char *at = si_format_count ((guint) position);
          /* Translators: the match selected and how many there are in the idea, as "3 of 12" */
          label = g_strdup_printf (C_("find", "%s of %s"), at, total);
        }
      else
        label = g_strdup_printf (ngettext ("%s match", "%s matches", (gulong) count), total);
    }
  /* Still counting (-1), or nothing to find: no number yet. */
  gtk_label_set_label (self->count_label, label ? label : "");
  if (count == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->search_entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->search_entry), "error");
}

/* The text view is not scrollable itself (the editor scrolls title, tags and text as one): the
 * scrolled window around it is moved until @iter is in sight. */
static void
scroll_to_iter (SiFindBar   *self,
                GtkTextIter *iter)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (self->view), GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment;
  GdkRectangle rect;
  graphene_point_t in_view, in_scroller;
  double page, margin, value;

  if (scroller == NULL)
    {
      gtk_text_view_scroll_to_iter (GTK_TEXT_VIEW (self->view), iter, 0.2, FALSE, 0, 0);
      return;
    }
  gtk_text_view_get_iter_location (GTK_TEXT_VIEW (self->view), iter, &rect);
  gtk_text_view_buffer_to_window_coords (GTK_TEXT_VIEW (self->view), GTK_TEXT_WINDOW_WIDGET,
                                         rect.x, rect.y, &rect.x, &rect.y);
  in_view = GRAPHENE_POINT_INIT (rect.x, rect.y);
  if (!gtk_widget_compute_point (GTK_WIDGET (self->view), scroller, &in_view, &in_scroller))
    return;
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  page = gtk_adjustment_get_page_size (adjustment);
  margin = MIN (page / 4, 48);
  value = gtk_adjustment_get_value (adjustment);
  if (in_scroller.y < margin)
    gtk_adjustment_set_value (adjustment, value + in_scroller.y - margin);
  else if (in_scroller.y + rect.height > page - margin)
    gtk_adjustment_set_value (adjustment, value + in_scroller.y + rect.height - (page - margin));
}

static void
select_match (SiFindBar   *self,
              GtkTextIter *start,
              GtkTextIter *end)
{
  gtk_text_buffer_select_range (buffer (self), start, end);
  scroll_to_iter (self, start);
  update_count (self);
}

/* The first match at @from or after it (wrapping around). */
static gboolean
find_forward (SiFindBar         *self,
              const GtkTextIter *from)
{
  GtkTextIter start, end;
  gboolean wrapped;

  if (self->context == NULL || gtk_source_search_settings_get_search_text (self->settings) == NULL)
    return FALSE;
  if (!gtk_source_search_context_forward (self->context, from, &start, &end, &wrapped))
    return FALSE;
  select_match (self, &start, &end);
  return TRUE;
}

/**
 * si_find_bar_next:
 *
 * Selects the next match after the selection, wrapping around at the end.
 *
 * Returns: FALSE when there is none
 */
gboolean
si_find_bar_next (SiFindBar *self)
{
  GtkTextIter start, end;

  g_return_val_if_fail (SI_IS_FIND_BAR (self), FALSE);
  if (self->view == NULL)
    return FALSE;
  gtk_text_buffer_get_selection_bounds (buffer (self), &start, &end);
  return find_forward (self, &end);
}

/**
 * si_find_bar_previous:
 *
 * Selects the match before the selection, wrapping around at the start.
 *
 * Returns: FALSE when there is none
 */
gboolean
si_find_bar_previous (SiFindBar *self)
{
  GtkTextIter sel_start, sel_end, start, end;
  gboolean wrapped;

  g_return_val_if_fail (SI_IS_FIND_BAR (self), FALSE);
  if (self->context == NULL || gtk_source_search_settings_get_search_text (self->settings) == NULL)
    return FALSE;
  gtk_text_buffer_get_selection_bounds (buffer (self), &sel_start, &sel_end);
  if (!gtk_source_search_context_backward (self->context, &sel_start, &start, &end, &wrapped))
    return FALSE;
  select_match (self, &start, &end);
  return TRUE;
}

/**
 * si_find_bar_replace:
 *
 * Replaces the match selected (if the selection is one) with the replacement's text, then
 * selects the next match.
 *
 * Returns: FALSE when no match is left to select
 */
gboolean
si_find_bar_replace (SiFindBar *self)
{
  const char *with;
  GtkTextIter start, end;

  g_return_val_if_fail (SI_IS_FIND_BAR (self), FALSE);
  if (self->context == NULL || gtk_source_search_settings_get_search_text (self->settings) == NULL)
    return FALSE;

  with = gtk_editable_get_text (GTK_EDITABLE (self->replace_entry));
  gtk_text_buffer_get_selection_bounds (buffer (self), &start, &end);
  if (gtk_source_search_context_get_occurrence_position (self->context, &start, &end) > 0)
    {
      g_autoptr(GError) error = NULL;

      if (!gtk_source_search_context_replace (self->context, &start, &end, with, -1, &error))
        g_debug ("Could not replace the match: %s", error->message);
      else
        gtk_text_buffer_select_range (buffer (self), &end, &end);
    }
  return si_find_bar_next (self);
}

/**
 * si_find_bar_replace_all:
 *
 * Replaces every match, as one step to undo.
 *
 * Returns: how many were replaced
 */
guint
si_find_bar_replace_all (SiFindBar *self)
{
  g_autoptr(GError) error = NULL;
  guint n;

  g_return_val_if_fail (SI_IS_FIND_BAR (self), 0);
  if (self->context == NULL || gtk_source_search_settings_get_search_text (self->settings) == NULL)
    return 0;
  n = gtk_source_search_context_replace_all (self->context, gtk_editable_get_text (GTK_EDITABLE (self->replace_entry)),
                                             -1, &error);
  if (error != NULL)
    g_debug ("Could not replace every match: %s", error->message);
  update_count (self);
  return n;
}

/* Opening and closing --------------------------------------------------------------------------- */

gboolean
si_find_bar_is_open (SiFindBar *self)
{
  g_return_val_if_fail (SI_IS_FIND_BAR (self), FALSE);
  return gtk_revealer_get_reveal_child (self->revealer);
}

/**
 * si_find_bar_open:
 * @replace: show the replacement too
 *
 * Shows the bar with the focus in its search entry; a short selection on one line becomes
 * what is looked for.
 */
void
si_find_bar_open (SiFindBar *self,
                  gboolean   replace)
{
  GtkTextIter start, end;

  g_return_if_fail (SI_IS_FIND_BAR (self));
  if (self->view == NULL)
    return;

  if (gtk_text_buffer_get_selection_bounds (buffer (self), &start, &end) &&
      gtk_text_iter_get_line (&start) == gtk_text_iter_get_line (&end) &&
      gtk_text_iter_get_offset (&end) - gtk_text_iter_get_offset (&start) <= 200)
    {
      g_autofree char *selected = gtk_text_iter_get_slice (&start, &end);
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), selected);
    }
  if (replace)
    gtk_toggle_button_set_active (self->replace_toggle, TRUE);
  gtk_widget_set_visible (self->bar, TRUE);
  gtk_revealer_set_reveal_child (self->revealer, TRUE);
  gtk_source_search_context_set_highlight (self->context, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
  update_count (self);
}

/**
 * si_find_bar_close:
 *
 * Hides the bar and its highlights; the focus goes back to the text, the match found stays
 * selected.
 */
void
si_find_bar_close (SiFindBar *self)
{
  g_return_if_fail (SI_IS_FIND_BAR (self));
  gtk_revealer_set_reveal_child (self->revealer, FALSE);
  if (!gtk_revealer_get_child_revealed (self->revealer))
    gtk_widget_set_visible (self->bar, FALSE);
  if (self->context)
    gtk_source_search_context_set_highlight (self->context, FALSE);
  if (self->view)
    gtk_widget_grab_focus (GTK_WIDGET (self->view));
}

/* Callbacks ------------------------------------------------------------------------------------- */

static void
search_changed_cb (SiFindBar *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  GtkTextIter start, end;

  if (self->settings == NULL)
    return;
  gtk_source_search_settings_set_search_text (self->settings, text[0] ? text : NULL);
  /* As you type: the first match from where the selection starts. */
  gtk_text_buffer_get_selection_bounds (buffer (self), &start, &end);
  if (!find_forward (self, &start))
    update_count (self);
}

static void
search_activate_cb (SiFindBar *self)
{
  si_find_bar_next (self);
}

static void
previous_cb (SiFindBar *self)
{
  si_find_bar_previous (self);
}

static void
replace_cb (SiFindBar *self)
{
  si_find_bar_replace (self);
}

static void
replace_all_cb (SiFindBar *self)
{
  si_find_bar_replace_all (self);
}

static void
mark_set_cb (GtkTextBuffer *text_buffer,
             GtkTextIter   *location,
             GtkTextMark   *mark,
             SiFindBar     *self)
{
  if (si_find_bar_is_open (self) &&
      (mark == gtk_text_buffer_get_insert (text_buffer) || mark == gtk_text_buffer_get_selection_bound (text_buffer)))
    update_count (self);
}

/* Closed and slid away: out of the layout. */
static void
child_revealed_cb (SiFindBar *self)
{
  if (!gtk_revealer_get_reveal_child (self->revealer) && !gtk_revealer_get_child_revealed (self->revealer))
    gtk_widget_set_visible (self->bar, FALSE);
}

static gboolean
previous_shortcut_cb (GtkWidget *widget,
                      GVariant  *args,
                      gpointer   user_data)
{
  si_find_bar_previous (SI_FIND_BAR (user_data));
  return TRUE;
}

static gboolean
close_shortcut_cb (GtkWidget *widget,
                   GVariant  *args,
                   gpointer   user_data)
{
  si_find_bar_close (SI_FIND_BAR (user_data));
  return TRUE;
}

/**
 * si_find_bar_set_view:
 * @view: the text to find in; its buffer stays the same for the bar's life
 */
void
si_find_bar_set_view (SiFindBar     *self,
                      GtkSourceView *view)
{
  GtkSourceBuffer *source_buffer;

  g_return_if_fail (SI_IS_FIND_BAR (self));
  g_return_if_fail (GTK_SOURCE_IS_VIEW (view));
  g_return_if_fail (self->view == NULL);

  self->view = g_object_ref (view);
  source_buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)));
  self->settings = gtk_source_search_settings_new ();
  gtk_source_search_settings_set_wrap_around (self->settings, TRUE);
  self->context = gtk_source_search_context_new (source_buffer, self->settings);
  gtk_source_search_context_set_highlight (self->context, FALSE);
  g_signal_connect_object (self->context, "notify::occurrences-count", G_CALLBACK (update_count), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (source_buffer, "mark-set", G_CALLBACK (mark_set_cb), self, 0);
}

/* Test accessors */
GtkEditable *
_si_find_bar_get_search_entry (SiFindBar *self)
{
  return GTK_EDITABLE (self->search_entry);
}

GtkEditable *
_si_find_bar_get_replace_entry (SiFindBar *self)
{
  return GTK_EDITABLE (self->replace_entry);
}

const char *
_si_find_bar_get_count_text (SiFindBar *self)
{
  return gtk_label_get_label (self->count_label);
}

GtkSourceSearchContext *
_si_find_bar_get_context (SiFindBar *self)
{
  return self->context;
}

/* GObject --------------------------------------------------------------------------------------- */

static void
si_find_bar_dispose (GObject *object)
{
  SiFindBar *self = SI_FIND_BAR (object);

  g_clear_object (&self->context);
  g_clear_object (&self->settings);
  g_clear_object (&self->view);
  gtk_widget_dispose_template (GTK_WIDGET (self), SI_TYPE_FIND_BAR);

  G_OBJECT_CLASS (si_find_bar_parent_class)->dispose (object);
}

static void
si_find_bar_class_init (SiFindBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = si_find_bar_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/saveidea/Saveidea/si-find-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, SiFindBar, revealer);
  gtk_widget_class_bind_template_child (widget_class, SiFindBar, bar);
  gtk_widget_class_bind_template_child (widget_class, SiFindBar, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SiFindBar, count_label);
  gtk_widget_class_bind_template_child (widget_class, SiFindBar, replace_toggle);
  gtk_widget_class_bind_template_child (widget_class, SiFindBar, replace_entry);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, previous_cb);
  gtk_widget_class_bind_template_callback (widget_class, replace_cb);
  gtk_widget_class_bind_template_callback (widget_class, replace_all_cb);
  gtk_widget_class_bind_template_callback (widget_class, si_find_bar_close);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "findbar");
}

static void
si_find_bar_init (SiFindBar *self)
{
  GtkEventController *controller;

  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (self->revealer, "notify::child-revealed", G_CALLBACK (child_revealed_cb), self,
                           G_CONNECT_SWAPPED);

  /* Shift+Enter in the search entry: before the entry takes Enter as "next". */
  controller = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Return, GDK_SHIFT_MASK),
                                                                                       gtk_keyval_trigger_new (GDK_KEY_KP_Enter, GDK_SHIFT_MASK)),
                                                          gtk_callback_action_new (previous_shortcut_cb, self, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self->search_entry), controller);

  /* Escape anywhere in the bar (the search entry says so itself: stop-search). */
  controller = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                          gtk_callback_action_new (close_shortcut_cb, self, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}
