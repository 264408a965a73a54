/* si-compare-window.c — shows both versions of a conflicted idea and lets a person choose.
 *
 * Emits "chosen" with "this", "other" or "both"; the editor does the work, so the banner's
 * buttons and this window's buttons behave the same. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <glib/gi18n.h>

#include "si-compare-window.h"

struct _SiCompareWindow
{
  AdwWindow    parent_instance;

  GtkTextView *this_view;
  GtkTextView *other_view;
};

G_DEFINE_FINAL_TYPE (SiCompareWindow, si_compare_window, ADW_TYPE_WINDOW)

enum {
  CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
choose_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  g_autoptr(GtkWidget) hold = g_object_ref (widget);

  g_signal_emit (widget, signals[CHOSEN], 0, g_variant_get_string (parameter, NULL));
  gtk_window_destroy (GTK_WINDOW (widget));
}

static void
show_idea (GtkTextView *view,
           SiIdea      *idea)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  const char * const *tags = si_idea_get_tag_names (idea);
  GtkTextIter iter;

  gtk_text_buffer_set_text (buffer, "", 0);
  gtk_text_buffer_get_end_iter (buffer, &iter);
  if (si_idea_get_title (idea)[0])
    {
      gtk_text_buffer_insert_with_tags_by_name (buffer, &iter, si_idea_get_title (idea), -1, "title", NULL);
      gtk_text_buffer_insert (buffer, &iter, "\n", 1);
    }
  if (tags && tags[0])
    {
      g_autoptr(GString) line = g_string_new (NULL);
      for (guint i = 0; tags[i]; i++)
        g_string_append_printf (line, "%s#%s", i ? "  " : "", tags[i]);
      g_string_append_c (line, '\n');
      gtk_text_buffer_insert_with_tags_by_name (buffer, &iter, line->str, -1, "tags", NULL);
    }
  gtk_text_buffer_insert (buffer, &iter, "\n", 1);
  gtk_text_buffer_insert (buffer, &iter, si_idea_get_body (idea), -1);
}

static void
si_compare_window_class_init (SiCompareWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  /**
   * SiCompareWindow::chosen:
   * @choice: "this", "other" or "both"
   */
  signals[CHOSEN] = g_signal_new ("chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/saveidea/Saveidea/si-compare-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SiCompareWindow, this_view);
  gtk_widget_class_bind_template_child (widget_class, SiCompareWindow, other_view);
  gtk_widget_class_install_action (widget_class, "compare.choose", "s", choose_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
si_compare_window_init (SiCompareWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < 2; i++)
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (i ? self->other_view : self->this_view);
      gtk_text_buffer_create_tag (buffer, "title", "weight", PANGO_WEIGHT_BOLD, "scale", 1.3, NULL);
      gtk_text_buffer_create_tag (buffer, "tags", "foreground", "#1c71d8", NULL);
    }
}

SiCompareWindow *
si_compare_window_new (GtkWindow *parent,
                       SiIdea    *this_copy,
                       SiIdea    *other)
{
  SiCompareWindow *self;

  g_return_val_if_fail (SI_IS_IDEA (this_copy), NULL);
  g_return_val_if_fail (SI_IS_IDEA (other), NULL);

  self = g_object_new (SI_TYPE_COMPARE_WINDOW, "transient-for", parent, NULL);
  show_idea (self->this_view, this_copy);
  show_idea (self->other_view, other);
  return self;
}
