/* si-compare-window.c — shows both versions of a conflicted idea and lets a person choose.
 *
 * Each version says where and when it was written, and the words it has that the other has
 * not are highlighted (si-version-text.c). Emits "chosen" with "this", "other" or "both"; the
 * editor does the work, so the banner's buttons and this window's buttons behave the same. The
 * window closes with its close button or Escape, choosing nothing. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <glib/gi18n.h>

#include "si-compare-window.h"
#include "si-version-text.h"

struct _SiCompareWindow
{
  AdwWindow    parent_instance;

  GtkTextView *this_view;
  GtkTextView *other_view;
  GtkLabel    *this_written;
  GtkLabel    *other_written;
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

/* "On this device (laptop) · Today, 14:03", "On desktop · Yesterday, 09:12". */
static void
show_written (GtkLabel *label,
              SiIdea   *idea,
              gboolean  here)
{
  const char *device = si_idea_get_device (idea);
  g_autofree char *time = si_version_text_format_time (si_idea_get_updated_at (idea));
  g_autofree char *where = NULL;

  if (here && device)
    /* Translators: where the conflicted copy was written: "On this device (laptop)" */
    where = g_strdup_printf (_("On this device (%s)"), device);
  else if (here)
    where = g_strdup (_("On this device"));
  else if (device)
    /* Translators: where the other version was written: "On desktop" */
    where = g_strdup_printf (_("On %s"), device);
  else
    where = g_strdup (_("On another device"));

  if (time)
    {
      /* Translators: "On desktop · Today, 14:03": where and when a version was written */
      g_autofree char *text = g_strdup_printf (_("%s · %s"), where, time);
      gtk_label_set_label (label, text);
    }
  else
    gtk_label_set_label (label, where);
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
  gtk_widget_class_bind_template_child (widget_class, SiCompareWindow, this_written);
  gtk_widget_class_bind_template_child (widget_class, SiCompareWindow, other_written);
  gtk_widget_class_install_action (widget_class, "compare.choose", "s", choose_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
si_compare_window_init (SiCompareWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  si_version_text_setup (self->this_view);
  si_version_text_setup (self->other_view);
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
  si_version_text_show_idea (self->this_view, this_copy);
  si_version_text_show_idea (self->other_view, other);
  show_written (self->this_written, this_copy, TRUE);
  show_written (self->other_written, other, FALSE);
  si_version_text_compare (self->this_view, self->other_view);
  return self;
}

GtkTextView *
_si_compare_window_get_view (SiCompareWindow *self,
                             gboolean         other)
{
  g_return_val_if_fail (SI_IS_COMPARE_WINDOW (self), NULL);
  return other ? self->other_view : self->this_view;
}

GtkLabel *
_si_compare_window_get_written_label (SiCompareWindow *self,
                                      gboolean         other)
{
  g_return_val_if_fail (SI_IS_COMPARE_WINDOW (self), NULL);
  return other ? self->other_written : self->this_written;
}
