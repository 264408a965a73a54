/* si-row-text.c — a list row's wrapped, ellipsized text, sized by characters without laying it
 * out.
 *
 * A GtkLabel that wraps onto at most N lines, with width-chars and max-width-chars, lays its text
 * out three times to say how wide it wants to be, and shapes Pango's sample text for the width of
 * a character each time; then once more for its height at the width it gets, and again to draw.
 * A list binds its rows again at every scroll by a page, at Home and End, and while a first sync
 * fills the list: at 100,000 ideas that was most of each of those frames (docs/performance.md).
 *
 * SiRowText asks for what the row's design gives it: @width-chars characters at least,
 * @max-width-chars at most, where the width of a character comes from the font's metrics,
 * measured once per font and resolution. Its height for a width is one layout at that width,
 * which it keeps and draws when it gets that width. It shows the text as a GtkLabel with the
 * same wrap ("word-char"), ellipsis at the end and xalign 0 does, in the label's CSS node name,
 * so the theme's label styles apply. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <math.h>

#include "si-app-utils.h"
#include "si-row-text.h"

struct _SiRowText
{
  GtkWidget    parent_instance;

  char        *text;
  int          width_chars;
  int          max_width_chars;
  int          lines;

  PangoLayout *layout;
  /* The font the layout and the character width were taken for, and that width in Pango units
   * (0: not known yet). */
  PangoFontDescription *font;
  int          char_width;
};

G_DEFINE_FINAL_TYPE (SiRowText, si_row_text, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TEXT,
  PROP_WIDTH_CHARS,
  PROP_MAX_WIDTH_CHARS,
  PROP_LINES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The width of a character, by font and resolution: every row's title has the same, and Pango
 * shapes a sample text to find it. Emptied when the system's fonts change. */
static GHashTable *char_widths;

static int
char_width_for (PangoContext *context)
{
  const PangoFontDescription *desc = pango_context_get_font_description (context);
  g_autofree char *font = pango_font_description_to_string (desc);
  g_autofree char *key = g_strdup_printf ("%s@%g", font, pango_cairo_context_get_resolution (context));
  gpointer known;
  PangoFontMetrics *metrics;
  int width;

  if (char_widths == NULL)
    char_widths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (g_hash_table_lookup_extended (char_widths, key, NULL, &known))
    return GPOINTER_TO_INT (known);
  /* As GtkLabel reads width-chars: the wider of an average character and a digit. */
  metrics = pango_context_get_metrics (context, NULL, NULL);
  width = MAX (pango_font_metrics_get_approximate_char_width (metrics),
               pango_font_metrics_get_approximate_digit_width (metrics));
  pango_font_metrics_unref (metrics);
  g_hash_table_insert (char_widths, g_steal_pointer (&key), GINT_TO_POINTER (width));
  return width;
}

/* Forgets what was measured with the old font, direction or resolution. */
static void
forget_layout (SiRowText *self)
{
  g_clear_object (&self->layout);
  g_clear_pointer (&self->font, pango_font_description_free);
  self->char_width = 0;
}

/* Remembers the font that what it measures is measured in. */
static void
note_font (SiRowText *self)
{
  if (self->font == NULL)
    self->font = pango_font_description_copy (pango_context_get_font_description (gtk_widget_get_pango_context (GTK_WIDGET (self))));
}

static int
get_char_width (SiRowText *self)
{
  if (self->char_width == 0)
    {
      note_font (self);
      self->char_width = char_width_for (gtk_widget_get_pango_context (GTK_WIDGET (self)));
    }
  return self->char_width;
}

static PangoLayout *
ensure_layout (SiRowText *self)
{
  GtkWidget *widget = GTK_WIDGET (self);

  if (self->layout)
    return self->layout;
  note_font (self);
  self->layout = gtk_widget_create_pango_layout (widget, self->text);
  pango_layout_set_wrap (self->layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_END);
  if (self->lines > 0)
    pango_layout_set_height (self->layout, -self->lines);
  pango_layout_set_alignment (self->layout, gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL
                                            ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
  return self->layout;
}

/* Its height depends on the width it gets: the lines the text wraps onto. */
static GtkSizeRequestMode
si_row_text_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
si_row_text_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  SiRowText *self = SI_ROW_TEXT (widget);
  int char_width = get_char_width (self);
  int natural_width = PANGO_PIXELS_CEIL (char_width * MAX (self->width_chars, self->max_width_chars));

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = PANGO_PIXELS_CEIL (char_width * self->width_chars);
      *natural = natural_width;
    }
  else
    {
      PangoLayout *layout = ensure_layout (self);
      int height;

      pango_layout_set_width (layout, (for_size >= 0 ? for_size : natural_width) * PANGO_SCALE);
      pango_layout_get_size (layout, NULL, &height);
      *minimum = *natural = PANGO_PIXELS_CEIL (height);
    }
}

static void
si_row_text_size_allocate (GtkWidget *widget,
                           int        width,
                           int        height,
                           int        baseline)
{
  pango_layout_set_width (ensure_layout (SI_ROW_TEXT (widget)), width * PANGO_SCALE);
}

static void
si_row_text_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  SiRowText *self = SI_ROW_TEXT (widget);
  PangoLayout *layout;
  PangoRectangle logical;
  double xalign = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL ? 1 : 0;

  if (self->text == NULL || self->text[0] == '\0')
    return;
  layout = ensure_layout (self);
  /* Where GtkLabel draws its layout, with xalign 0 and yalign 0. */
  pango_layout_get_pixel_extents (layout, NULL, &logical);
  gtk_snapshot_render_layout (snapshot, gtk_widget_get_style_context (widget),
                              floor (xalign * (gtk_widget_get_width (widget) - logical.width) - logical.x), 0,
                              layout);
}

static void
si_row_text_css_changed (GtkWidget         *widget,
                         GtkCssStyleChange *change)
{
  SiRowText *self = SI_ROW_TEXT (widget);

  GTK_WIDGET_CLASS (si_row_text_parent_class)->css_changed (widget, change);
  if (si_widget_font_changed (widget, self->font))
    {
      forget_layout (self);
      gtk_widget_queue_resize (widget);
    }
}

static void
si_row_text_system_setting_changed (GtkWidget        *widget,
                                    GtkSystemSetting  setting)
{
  GTK_WIDGET_CLASS (si_row_text_parent_class)->system_setting_changed (widget, setting);
  if (setting == GTK_SYSTEM_SETTING_FONT_CONFIG && char_widths != NULL)
    g_hash_table_remove_all (char_widths);
  /* The text scale (the resolution), the font, its rendering: measure again. */
  forget_layout (SI_ROW_TEXT (widget));
  gtk_widget_queue_resize (widget);
}

static void
si_row_text_direction_changed (GtkWidget        *widget,
                               GtkTextDirection  previous)
{
  forget_layout (SI_ROW_TEXT (widget));
  GTK_WIDGET_CLASS (si_row_text_parent_class)->direction_changed (widget, previous);
}

const char *
si_row_text_get_text (SiRowText *self)
{
  g_return_val_if_fail (SI_IS_ROW_TEXT (self), NULL);
  return self->text ? self->text : "";
}

void
si_row_text_set_text (SiRowText  *self,
                      const char *text)
{
  g_return_if_fail (SI_IS_ROW_TEXT (self));

  if (text == NULL)
    text = "";
  if (g_strcmp0 (self->text, text) == 0)
    return;
  g_free (self->text);
  self->text = g_strdup (text);
  if (self->layout)
    pango_layout_set_text (self->layout, self->text, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, self->text, -1);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}

/* The most lines it wraps onto before it ends in an ellipsis (0: no limit). */
int
si_row_text_get_lines (SiRowText *self)
{
  g_return_val_if_fail (SI_IS_ROW_TEXT (self), 0);
  return self->lines;
}

/**
 * si_row_text_get_layout:
 *
 * Returns: (transfer none): the layout it draws, at the width it was given last
 */
PangoLayout *
si_row_text_get_layout (SiRowText *self)
{
  g_return_val_if_fail (SI_IS_ROW_TEXT (self), NULL);
  return ensure_layout (self);
}

static void
si_row_text_finalize (GObject *object)
{
  SiRowText *self = SI_ROW_TEXT (object);

  forget_layout (self);
  g_free (self->text);
  G_OBJECT_CLASS (si_row_text_parent_class)->finalize (object);
}

static void
si_row_text_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  SiRowText *self = SI_ROW_TEXT (object);

  switch (prop_id)
    {
    case PROP_TEXT: g_value_set_string (value, si_row_text_get_text (self)); break;
    case PROP_WIDTH_CHARS: g_value_set_int (value, self->width_chars); break;
    case PROP_MAX_WIDTH_CHARS: g_value_set_int (value, self->max_width_chars); break;
    case PROP_LINES: g_value_set_int (value, self->lines); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_row_text_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  SiRowText *self = SI_ROW_TEXT (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      si_row_text_set_text (self, g_value_get_string (value));
      return;
    case PROP_WIDTH_CHARS:
      self->width_chars = g_value_get_int (value);
      break;
    case PROP_MAX_WIDTH_CHARS:
      self->max_width_chars = g_value_get_int (value);
      break;
    case PROP_LINES:
      self->lines = g_value_get_int (value);
      g_clear_object (&self->layout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static void
si_row_text_class_init (SiRowTextClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = si_row_text_finalize;
  object_class->get_property = si_row_text_get_property;
  object_class->set_property = si_row_text_set_property;
  widget_class->get_request_mode = si_row_text_get_request_mode;
  widget_class->measure = si_row_text_measure;
  widget_class->size_allocate = si_row_text_size_allocate;
  widget_class->snapshot = si_row_text_snapshot;
  widget_class->css_changed = si_row_text_css_changed;
  widget_class->system_setting_changed = si_row_text_system_setting_changed;
  widget_class->direction_changed = si_row_text_direction_changed;

  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_WIDTH_CHARS] =
    g_param_spec_int ("width-chars", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_WIDTH_CHARS] =
    g_param_spec_int ("max-width-chars", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LINES] =
    g_param_spec_int ("lines", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "label");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
si_row_text_init (SiRowText *self)
{
}
