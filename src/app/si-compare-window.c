/* si-compare-window.c — shows both versions of a conflicted idea and lets a person choose.
 *
 * Each version says where and when it was written, and the words it has that the other has
 * not are highlighted (si_diff_words()). Emits "chosen" with "this", "other" or "both"; the
 * editor does the work, so the banner's buttons and this window's buttons behave the same. The
 * window closes with its close button or Escape, choosing nothing. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <glib/gi18n.h>

#include "si-compare-window.h"
#include "si-diff.h"

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

/* "Today, 14:03", "Yesterday, 09:12", "5 December 2026, 14:03": when a version was written. */
static char *
format_written_time (gint64 when_usec)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (when_usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) yesterday = now ? g_date_time_add_days (now, -1) : NULL;
  const char *format;

  if (when_usec <= 0 || when == NULL || now == NULL || yesterday == NULL)
    return NULL;
  if (g_date_time_get_year (when) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (when) == g_date_time_get_day_of_year (now))
    /* Translators: when a version of an idea was written, today; see the strftime manual */
    format = C_("written", "Today, %H:%M");
  else if (g_date_time_get_year (when) == g_date_time_get_year (yesterday) &&
           g_date_time_get_day_of_year (when) == g_date_time_get_day_of_year (yesterday))
    /* Translators: when a version of an idea was written, yesterday; see the strftime manual */
    format = C_("written", "Yesterday, %H:%M");
  else
    /* Translators: when a version of an idea was written; see the strftime manual */
    format = C_("written", "%-d %B %Y, %H:%M");
  return g_date_time_format (when, format);
}

/* "On this device (laptop) · Today, 14:03", "On desktop · Yesterday, 09:12". */
static void
show_written (GtkLabel *label,
              SiIdea   *idea,
              gboolean  here)
{
  const char *device = si_idea_get_device (idea);
  g_autofree char *time = format_written_time (si_idea_get_updated_at (idea));
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

static char *
dup_buffer_text (GtkTextBuffer *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
}

/* Tags the @spans (byte offsets into @text, the buffer's text) as "changed". */
static void
highlight (GtkTextBuffer *buffer,
           const char    *text,
           GArray        *spans)
{
  glong chars = 0;
  gsize bytes = 0;

  for (guint i = 0; i < spans->len; i++)
    {
      const SiDiffSpan *span = &g_array_index (spans, SiDiffSpan, i);
      GtkTextIter start, end;
      glong start_chars;

      /* The spans are in order: count characters from the previous one only. */
      chars += g_utf8_strlen (text + bytes, span->start - bytes);
      start_chars = chars;
      chars += g_utf8_strlen (text + span->start, span->end - span->start);
      bytes = span->end;
      gtk_text_buffer_get_iter_at_offset (buffer, &start, (int) start_chars);
      gtk_text_buffer_get_iter_at_offset (buffer, &end, (int) chars);
      gtk_text_buffer_apply_tag_by_name (buffer, "changed", &start, &end);
    }
}

static void
highlight_differences (SiCompareWindow *self)
{
  GtkTextBuffer *this_buffer = gtk_text_view_get_buffer (self->this_view);
  GtkTextBuffer *other_buffer = gtk_text_view_get_buffer (self->other_view);
  g_autofree char *this_text = dup_buffer_text (this_buffer);
  g_autofree char *other_text = dup_buffer_text (other_buffer);
  g_autoptr(GArray) this_spans = NULL;
  g_autoptr(GArray) other_spans = NULL;

  si_diff_words (this_text, other_text, &this_spans, &other_spans);
  highlight (this_buffer, this_text, this_spans);
  highlight (other_buffer, other_text, other_spans);
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

  for (guint i = 0; i < 2; i++)
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (i ? self->other_view : self->this_view);
      gtk_text_buffer_create_tag (buffer, "title", "weight", PANGO_WEIGHT_BOLD, "scale", 1.3, NULL);
      gtk_text_buffer_create_tag (buffer, "tags", "foreground", "#1c71d8", NULL);
      /* What this version has that the other has not: libadwaita's blue, light enough to read
       * dark or light text through. */
      gtk_text_buffer_create_tag (buffer, "changed", "background-rgba", &(GdkRGBA) { 0.21, 0.52, 0.89, 0.3 }, NULL);
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
  show_written (self->this_written, this_copy, TRUE);
  show_written (self->other_written, other, FALSE);
  highlight_differences (self);
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
