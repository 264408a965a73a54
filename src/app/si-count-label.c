/* si-count-label.c — a count beside a name, which changes without laying the window out again
 * while it keeps its width.
 *
 * A GtkLabel whose text changes asks GTK to lay the whole window out again, whatever the new
 * text: GTK measures the ancestors and siblings of the label anew (in the sidebar, each row's
 * wrapping name), and on X11 each such layout asks the X server for the window's monitor and
 * work area. During a first sync the sidebar's counts change every second, and each change was
 * the longest main-loop iteration of its second (docs/performance.md).
 *
 * SiCountLabel asks for the width of its text with every digit a zero, drawn with tabular
 * figures (every digit as wide as the others): "62,950" and "63,950" are as wide, so a change
 * within as many digits only draws the label again. A count that gains or loses a digit, a font
 * or a text scale that changes, lays the window out as a label would. It draws in the label's
 * CSS node name, so the theme's label styles and the row's classes (dim-label, numeric) apply. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <string.h>

#include "si-app-utils.h"
#include "si-count-label.h"

struct _SiCountLabel
{
  GtkWidget    parent_instance;

  char        *text;     /* never NULL */
  PangoLayout *layout;   /* NULL until measured or drawn; holds text when there */
  /* The font the layout was made with, and the width to ask for in pixels (-1: not known). */
  PangoFontDescription *font;
  int          width;
  guint        n_measures;
};

G_DEFINE_FINAL_TYPE (SiCountLabel, si_count_label, GTK_TYPE_WIDGET)

static PangoLayout *
ensure_layout (SiCountLabel *self)
{
  PangoAttrList *attrs;

  if (self->layout)
    return self->layout;
  self->font = pango_font_description_copy (pango_context_get_font_description (gtk_widget_get_pango_context (GTK_WIDGET (self))));
  self->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), self->text);
  /* Tabular figures, as the "numeric" style class asks of a GtkLabel. */
  attrs = pango_attr_list_new ();
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum"));
  pango_layout_set_attributes (self->layout, attrs);
  pango_attr_list_unref (attrs);
  return self->layout;
}

/* The width to ask for: the text's, or wider its shape with every digit a zero (a font without
 * tabular figures may draw some digits narrower). */
static int
measure_width (SiCountLabel *self)
{
  PangoLayout *layout = ensure_layout (self);
  g_autofree char *shape = g_strdup (self->text);
  int text_width, shape_width;

  for (char *c = shape; *c; c++)
    if (g_ascii_isdigit (*c))
      *c = '0';
  pango_layout_get_pixel_size (layout, &text_width, NULL);
  pango_layout_set_text (layout, shape, -1);
  pango_layout_get_pixel_size (layout, &shape_width, NULL);
  pango_layout_set_text (layout, self->text, -1);
  return MAX (text_width, shape_width);
}

/* Measures again at the next layout: a new font, text scale or direction. */
static void
forget_layout (SiCountLabel *self)
{
  g_clear_object (&self->layout);
  g_clear_pointer (&self->font, pango_font_description_free);
  self->width = -1;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static void
si_count_label_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  SiCountLabel *self = SI_COUNT_LABEL (widget);

  self->n_measures++;
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      if (self->width < 0)
        self->width = measure_width (self);
      *minimum = *natural = self->width;
    }
  else
    {
      PangoLayout *layout = ensure_layout (self);
      int height;

      pango_layout_get_pixel_size (layout, NULL, &height);
      *minimum = *natural = height;
      *minimum_baseline = *natural_baseline = pango_layout_get_baseline (layout) / PANGO_SCALE;
    }
}

static void
si_count_label_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  SiCountLabel *self = SI_COUNT_LABEL (widget);
  PangoLayout *layout;
  int text_width, text_height, x;

  if (self->text[0] == '\0')
    return;
  layout = ensure_layout (self);
  pango_layout_get_pixel_size (layout, &text_width, &text_height);
  /* At the end of its width, where the digits of the counts above and below end. */
  x = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL ? 0 : gtk_widget_get_width (widget) - text_width;
  gtk_snapshot_render_layout (snapshot, gtk_widget_get_style_context (widget), x,
                              (gtk_widget_get_height (widget) - text_height) / 2, layout);
}

static void
si_count_label_css_changed (GtkWidget         *widget,
                            GtkCssStyleChange *change)
{
  SiCountLabel *self = SI_COUNT_LABEL (widget);

  GTK_WIDGET_CLASS (si_count_label_parent_class)->css_changed (widget, change);
  if (si_widget_font_changed (widget, self->font))
    forget_layout (self);
}

static void
si_count_label_system_setting_changed (GtkWidget        *widget,
                                       GtkSystemSetting  setting)
{
  GTK_WIDGET_CLASS (si_count_label_parent_class)->system_setting_changed (widget, setting);
  forget_layout (SI_COUNT_LABEL (widget));
}

static void
si_count_label_direction_changed (GtkWidget        *widget,
                                  GtkTextDirection  previous)
{
  GTK_WIDGET_CLASS (si_count_label_parent_class)->direction_changed (widget, previous);
  forget_layout (SI_COUNT_LABEL (widget));
}

const char *
si_count_label_get_text (SiCountLabel *self)
{
  g_return_val_if_fail (SI_IS_COUNT_LABEL (self), NULL);
  return self->text;
}

void
si_count_label_set_text (SiCountLabel *self,
                         const char   *text)
{
  int width;

  g_return_if_fail (SI_IS_COUNT_LABEL (self));

  if (text == NULL)
    text = "";
  if (strcmp (self->text, text) == 0)
    return;
  g_free (self->text);
  self->text = g_strdup (text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, self->text, -1);
  if (self->layout == NULL)
    {
      gtk_widget_queue_resize (GTK_WIDGET (self));
      return;
    }
  /* The layout, made by a measure or a draw, is the one drawn: it takes the text at once. */
  pango_layout_set_text (self->layout, self->text, -1);
  width = measure_width (self);
  if (width == self->width)
    {
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }
  self->width = width;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/* How many times GTK measured the label: only a layout that asked for its size again does. */
guint
_si_count_label_get_n_measures (SiCountLabel *self)
{
  g_return_val_if_fail (SI_IS_COUNT_LABEL (self), 0);
  return self->n_measures;
}

static void
si_count_label_finalize (GObject *object)
{
  SiCountLabel *self = SI_COUNT_LABEL (object);

  g_clear_object (&self->layout);
  g_clear_pointer (&self->font, pango_font_description_free);
  g_free (self->text);
  G_OBJECT_CLASS (si_count_label_parent_class)->finalize (object);
}

static void
si_count_label_class_init (SiCountLabelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = si_count_label_finalize;
  widget_class->measure = si_count_label_measure;
  widget_class->snapshot = si_count_label_snapshot;
  widget_class->css_changed = si_count_label_css_changed;
  widget_class->system_setting_changed = si_count_label_system_setting_changed;
  widget_class->direction_changed = si_count_label_direction_changed;
  gtk_widget_class_set_css_name (widget_class, "label");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
si_count_label_init (SiCountLabel *self)
{
  self->text = g_strdup ("");
  self->width = -1;
}

GtkWidget *
si_count_label_new (void)
{
  return g_object_new (SI_TYPE_COUNT_LABEL, NULL);
}
