/* si-title-view.c — an idea's title in the editor: a GtkTextView that wraps a long title onto as
 * many lines as it needs (a GtkText scrolls it sideways, out of sight, and with large text most
 * titles were cut), yet behaves as the one-line entry the editor and the tests use: a
 * GtkEditable, no line breaks (Enter emits ::activate; pasted ones become spaces), a maximum
 * length and a placeholder. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <string.h>

#include "si-title-view.h"

struct _SiTitleView
{
  GtkTextView  parent_instance;

  GtkWidget   *placeholder;
  char        *text;         /* what get_text() returned last; kept until the next call */
  int          max_length;   /* in characters, 0 for none */
  guint        fixing : 1;
};

static void si_title_view_editable_init (GtkEditableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SiTitleView, si_title_view, GTK_TYPE_TEXT_VIEW,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_EDITABLE, si_title_view_editable_init))

enum {
  PROP_0,
  PROP_PLACEHOLDER_TEXT,
  PROP_MAX_LENGTH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  ACTIVATE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GtkTextBuffer *
buffer (SiTitleView *self)
{
  return gtk_text_view_get_buffer (GTK_TEXT_VIEW (self));
}

static int
n_chars (SiTitleView *self)
{
  return gtk_text_buffer_get_char_count (buffer (self));
}

/* GtkEditable ---------------------------------------------------------------------------------- */

static const char *
si_title_view_get_text (GtkEditable *editable)
{
  SiTitleView *self = SI_TITLE_VIEW (editable);
  GtkTextIter start, end;

  g_free (self->text);
  gtk_text_buffer_get_bounds (buffer (self), &start, &end);
  self->text = gtk_text_buffer_get_text (buffer (self), &start, &end, FALSE);
  return self->text;
}

static void
si_title_view_insert_text (GtkEditable *editable,
                           const char  *text,
                           int          length,
                           int         *position)
{
  SiTitleView *self = SI_TITLE_VIEW (editable);
  GtkTextIter iter;
  int before = n_chars (self);

  gtk_text_buffer_get_iter_at_offset (buffer (self), &iter, CLAMP (*position, 0, before));
  gtk_text_buffer_insert (buffer (self), &iter, text, length);
  /* The buffer's insert-text handler below may have shortened or changed what went in. */
  *position = CLAMP (*position, 0, before) + (n_chars (self) - before);
}

static void
si_title_view_delete_text (GtkEditable *editable,
                           int          start_pos,
                           int          end_pos)
{
  SiTitleView *self = SI_TITLE_VIEW (editable);
  GtkTextIter start, end;
  int n = n_chars (self);

  if (end_pos < 0 || end_pos > n)
    end_pos = n;
  start_pos = CLAMP (start_pos, 0, end_pos);
  gtk_text_buffer_get_iter_at_offset (buffer (self), &start, start_pos);
  gtk_text_buffer_get_iter_at_offset (buffer (self), &end, end_pos);
  gtk_text_buffer_delete (buffer (self), &start, &end);
}

static gboolean
si_title_view_get_selection_bounds (GtkEditable *editable,
                                    int         *start_pos,
                                    int         *end_pos)
{
  GtkTextIter start, end;
  gboolean selected = gtk_text_buffer_get_selection_bounds (buffer (SI_TITLE_VIEW (editable)), &start, &end);

  *start_pos = gtk_text_iter_get_offset (&start);
  *end_pos = gtk_text_iter_get_offset (&end);
  return selected;
}

static void
si_title_view_set_selection_bounds (GtkEditable *editable,
                                    int          start_pos,
                                    int          end_pos)
{
  SiTitleView *self = SI_TITLE_VIEW (editable);
  GtkTextIter start, end;
  int n = n_chars (self);

  if (start_pos < 0 || start_pos > n)
    start_pos = n;
  if (end_pos < 0 || end_pos > n)
    end_pos = n;
  gtk_text_buffer_get_iter_at_offset (buffer (self), &start, start_pos);
  gtk_text_buffer_get_iter_at_offset (buffer (self), &end, end_pos);
  gtk_text_buffer_select_range (buffer (self), &end, &start);
}

static void
si_title_view_editable_init (GtkEditableInterface *iface)
{
  iface->get_text = si_title_view_get_text;
  iface->insert_text = si_title_view_insert_text;
  iface->delete_text = si_title_view_delete_text;
  iface->get_selection_bounds = si_title_view_get_selection_bounds;
  iface->set_selection_bounds = si_title_view_set_selection_bounds;
}

/* One line of text, at most max_length ------------------------------------------------------------ */

/* After any insertion (typed, pasted, dropped, set): line breaks become spaces and what is past
 * the maximum length goes. */
static void
buffer_inserted_cb (GtkTextBuffer *text_buffer,
                    GtkTextIter   *location,
                    const char    *text,
                    int            length,
                    SiTitleView   *self)
{
  int end_offset = gtk_text_iter_get_offset (location);
  int start_offset = end_offset - (int) g_utf8_strlen (text, length);
  int new_end = end_offset;
  gboolean changed = FALSE;
  GtkTextIter start, end;

  if (self->fixing)
    return;
  self->fixing = TRUE;

  if (strpbrk (text, "\r\n") != NULL)
    {
      g_autofree char *flat = g_strndup (text, length);

      g_strdelimit (flat, "\r\n", ' ');
      gtk_text_buffer_get_iter_at_offset (text_buffer, &start, start_offset);
      gtk_text_buffer_get_iter_at_offset (text_buffer, &end, end_offset);
      gtk_text_buffer_delete (text_buffer, &start, &end);
      gtk_text_buffer_insert (text_buffer, &start, flat, -1);
      changed = TRUE;
    }
  if (self->max_length > 0 && gtk_text_buffer_get_char_count (text_buffer) > self->max_length)
    {
      int excess = gtk_text_buffer_get_char_count (text_buffer) - self->max_length;

      new_end = MAX (start_offset, end_offset - excess);
      gtk_text_buffer_get_iter_at_offset (text_buffer, &start, new_end);
      gtk_text_buffer_get_iter_at_offset (text_buffer, &end, end_offset);
      gtk_text_buffer_delete (text_buffer, &start, &end);
      changed = TRUE;
    }

  /* The handler's caller goes on with @location: point it where the insertion ends now. */
  if (changed)
    gtk_text_buffer_get_iter_at_offset (text_buffer, location, new_end);
  self->fixing = FALSE;
}

static void
buffer_changed_cb (SiTitleView *self)
{
  gtk_widget_set_visible (self->placeholder, n_chars (self) == 0);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_signal_emit_by_name (self, "changed");
  g_object_notify (G_OBJECT (self), "text");
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                SiTitleView           *self)
{
  if (keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter || keyval == GDK_KEY_ISO_Enter)
    {
      g_signal_emit (self, signals[ACTIVATE], 0);
      return GDK_EVENT_STOP;
    }
  return GDK_EVENT_PROPAGATE;
}

/* Size ---------------------------------------------------------------------------------------- */

/* A GtkTextView learns its height by laying its lines out in idle time, and only the lines on
 * screen at first: on its own, with no space given to it, it stays 0 px high. The title asks
 * for the height its text takes at the width it is offered instead. */
static GtkSizeRequestMode
si_title_view_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
si_title_view_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  GtkTextView *view = GTK_TEXT_VIEW (widget);
  g_autoptr(PangoLayout) layout = NULL;
  const char *text;
  int width, height;

  GTK_WIDGET_CLASS (si_title_view_parent_class)->measure (widget, orientation, for_size, minimum, natural,
                                                           minimum_baseline, natural_baseline);
  if (orientation != GTK_ORIENTATION_VERTICAL)
    return;

  width = (for_size > 0 ? for_size : gtk_widget_get_width (widget)) -
          gtk_text_view_get_left_margin (view) - gtk_text_view_get_right_margin (view);
  text = gtk_editable_get_text (GTK_EDITABLE (widget));
  /* Empty, it is as high as one line of the placeholder. */
  layout = gtk_widget_create_pango_layout (widget, text[0] ? text : "Xg");
  if (width > 0)
    {
      pango_layout_set_width (layout, width * PANGO_SCALE);
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
    }
  pango_layout_get_pixel_size (layout, NULL, &height);
  height += gtk_text_view_get_top_margin (view) + gtk_text_view_get_bottom_margin (view);
  *minimum = MAX (*minimum, height);
  *natural = MAX (*natural, height);
}

/* GObject ---------------------------------------------------------------------------------------- */

const char *
si_title_view_get_placeholder_text (SiTitleView *self)
{
  g_return_val_if_fail (SI_IS_TITLE_VIEW (self), NULL);
  return gtk_label_get_label (GTK_LABEL (self->placeholder));
}

void
si_title_view_set_placeholder_text (SiTitleView *self,
                                    const char  *text)
{
  g_return_if_fail (SI_IS_TITLE_VIEW (self));

  if (g_strcmp0 (text, si_title_view_get_placeholder_text (self)) == 0)
    return;
  gtk_label_set_label (GTK_LABEL (self->placeholder), text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_PLACEHOLDER, text, -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLACEHOLDER_TEXT]);
}

int
si_title_view_get_max_length (SiTitleView *self)
{
  g_return_val_if_fail (SI_IS_TITLE_VIEW (self), 0);
  return self->max_length;
}

void
si_title_view_set_max_length (SiTitleView *self,
                              int          max_length)
{
  g_return_if_fail (SI_IS_TITLE_VIEW (self));

  max_length = MAX (max_length, 0);
  if (self->max_length == max_length)
    return;
  self->max_length = max_length;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_LENGTH]);
}

static void
si_title_view_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SiTitleView *self = SI_TITLE_VIEW (object);
  int start, end;

  switch (prop_id)
    {
    case PROP_PLACEHOLDER_TEXT: g_value_set_string (value, si_title_view_get_placeholder_text (self)); return;
    case PROP_MAX_LENGTH: g_value_set_int (value, self->max_length); return;
    default: break;
    }

  switch (prop_id - N_PROPS)
    {
    case GTK_EDITABLE_PROP_TEXT:
      g_value_set_string (value, gtk_editable_get_text (GTK_EDITABLE (self)));
      break;
    case GTK_EDITABLE_PROP_CURSOR_POSITION:
      si_title_view_get_selection_bounds (GTK_EDITABLE (self), &start, &end);
      g_value_set_int (value, end);
      break;
    case GTK_EDITABLE_PROP_SELECTION_BOUND:
      si_title_view_get_selection_bounds (GTK_EDITABLE (self), &start, &end);
      g_value_set_int (value, start);
      break;
    case GTK_EDITABLE_PROP_EDITABLE:
      g_value_set_boolean (value, gtk_text_view_get_editable (GTK_TEXT_VIEW (self)));
      break;
    case GTK_EDITABLE_PROP_ENABLE_UNDO:
      g_value_set_boolean (value, gtk_text_buffer_get_enable_undo (buffer (self)));
      break;
    case GTK_EDITABLE_PROP_WIDTH_CHARS:
    case GTK_EDITABLE_PROP_MAX_WIDTH_CHARS:
      g_value_set_int (value, -1);
      break;
    case GTK_EDITABLE_PROP_XALIGN:
      g_value_set_float (value, 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_title_view_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  SiTitleView *self = SI_TITLE_VIEW (object);

  switch (prop_id)
    {
    case PROP_PLACEHOLDER_TEXT: si_title_view_set_placeholder_text (self, g_value_get_string (value)); return;
    case PROP_MAX_LENGTH: si_title_view_set_max_length (self, g_value_get_int (value)); return;
    default: break;
    }

  switch (prop_id - N_PROPS)
    {
    case GTK_EDITABLE_PROP_TEXT:
      gtk_editable_set_text (GTK_EDITABLE (self), g_value_get_string (value));
      break;
    case GTK_EDITABLE_PROP_EDITABLE:
      gtk_text_view_set_editable (GTK_TEXT_VIEW (self), g_value_get_boolean (value));
      break;
    case GTK_EDITABLE_PROP_ENABLE_UNDO:
      gtk_text_buffer_set_enable_undo (buffer (self), g_value_get_boolean (value));
      break;
    case GTK_EDITABLE_PROP_WIDTH_CHARS:
    case GTK_EDITABLE_PROP_MAX_WIDTH_CHARS:
    case GTK_EDITABLE_PROP_XALIGN:
      /* The view wraps to the width it gets. */
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_title_view_finalize (GObject *object)
{
  SiTitleView *self = SI_TITLE_VIEW (object);

  g_free (self->text);

  G_OBJECT_CLASS (si_title_view_parent_class)->finalize (object);
}

static void
si_title_view_class_init (SiTitleViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = si_title_view_get_property;
  object_class->set_property = si_title_view_set_property;
  object_class->finalize = si_title_view_finalize;
  widget_class->get_request_mode = si_title_view_get_request_mode;
  widget_class->measure = si_title_view_measure;

  properties[PROP_PLACEHOLDER_TEXT] =
    g_param_spec_string ("placeholder-text", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_MAX_LENGTH] =
    g_param_spec_int ("max-length", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_editable_install_properties (object_class, N_PROPS);

  /**
   * SiTitleView::activate:
   *
   * Enter was pressed: the title is done.
   */
  signals[ACTIVATE] = g_signal_new ("activate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
si_title_view_init (SiTitleView *self)
{
  GtkEventController *keys = gtk_event_controller_key_new ();

  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (self), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (self), FALSE);

  self->placeholder = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->placeholder, "dim-label");
  gtk_widget_set_can_target (self->placeholder, FALSE);
  gtk_text_view_add_overlay (GTK_TEXT_VIEW (self), self->placeholder, 0, 0);

  g_signal_connect_object (buffer (self), "insert-text", G_CALLBACK (buffer_inserted_cb), self, G_CONNECT_AFTER);
  g_signal_connect_object (buffer (self), "changed", G_CALLBACK (buffer_changed_cb), self, G_CONNECT_SWAPPED);

  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
}

GtkWidget *
si_title_view_new (void)
{
  return g_object_new (SI_TYPE_TITLE_VIEW, NULL);
}
