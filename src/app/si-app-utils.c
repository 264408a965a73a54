/* si-app-utils.c — relative times ("2 min ago") and a clock that ticks every half minute, so
 * rows and the sync indicator can say how long ago something happened without each keeping a
 * timer of its own. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "si-app-utils.h"

/* The local time zone, looked up again once a minute (a laptop on a train changes zones):
 * GLib's own lookup reads /etc/localtime each time, and rows format their times at each bind. */
static GTimeZone *
local_zone (gint64 now_usec)
{
  static GTimeZone *zone;
  static gint64 looked_up;

  if (zone == NULL || now_usec - looked_up > 60 * G_USEC_PER_SEC || now_usec < looked_up)
    {
      g_clear_pointer (&zone, g_time_zone_unref);
      zone = g_time_zone_new_local ();
      looked_up = now_usec;
    }
  return zone;
}

/**
 * si_format_relative_time:
 * @when_usec: a wall-clock time (g_get_real_time())
 * @now_usec: the current time
 *
 * Returns: (transfer full): "just now", "2 min ago", "3 h ago", "yesterday", or a date
 */
char *
si_format_relative_time (gint64 when_usec,
                         gint64 now_usec)
{
  GTimeZone *zone;
  gint64 seconds = (now_usec - when_usec) / G_USEC_PER_SEC;
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GDateTime) now = NULL;
  int days;

  if (when_usec <= 0)
    return g_strdup (_("never"));
  if (seconds < 60)
    return g_strdup (_("just now"));
  if (seconds < 60 * 60)
    {
      int minutes = (int) (seconds / 60);
      /* Translators: a short relative time, "5 min ago" */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d min ago", "%d min ago", minutes), minutes);
    }

  zone = local_zone (now_usec);
  when = g_date_time_new_from_unix_utc (when_usec / G_USEC_PER_SEC);
  now = g_date_time_new_from_unix_utc (now_usec / G_USEC_PER_SEC);
  if (when != NULL && now != NULL)
    {
      GDateTime *local_when = g_date_time_to_timezone (when, zone);
      GDateTime *local_now = g_date_time_to_timezone (now, zone);

      g_date_time_unref (when);
      g_date_time_unref (now);
      when = local_when;
      now = local_now;
    }
  if (when == NULL || now == NULL)
    return g_strdup ("");

  days = g_date_time_get_day_of_year (now) - g_date_time_get_day_of_year (when);
  if (g_date_time_get_year (now) != g_date_time_get_year (when))
    days = (int) (seconds / (24 * 60 * 60)) + 1;

  if (days == 0)
    {
      int hours = (int) (seconds / (60 * 60));
      /* Translators: a short relative time, "3 h ago" */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d h ago", "%d h ago", hours), hours);
    }
  if (days == 1)
    return g_strdup (_("yesterday"));
  if (g_date_time_get_year (now) == g_date_time_get_year (when))
    /* Translators: a date in this year, see the strftime manual: "14 Mar" */
    return g_date_time_format (when, _("%e %b"));
  /* Translators: a date in another year, see the strftime manual: "14 Mar 2021" */
  return g_date_time_format (when, _("%e %b %Y"));
}

/* A private type: only "tick" matters. */
#define SI_TYPE_MINUTE_CLOCK (si_minute_clock_get_type ())
G_DECLARE_FINAL_TYPE (SiMinuteClock, si_minute_clock, SI, MINUTE_CLOCK, GObject)

struct _SiMinuteClock
{
  GObject parent_instance;
};

G_DEFINE_FINAL_TYPE (SiMinuteClock, si_minute_clock, G_TYPE_OBJECT)

static guint tick_signal;

static void
si_minute_clock_class_init (SiMinuteClockClass *klass)
{
  tick_signal = g_signal_new ("tick", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                              0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
si_minute_clock_init (SiMinuteClock *self)
{
}

static gboolean
tick (gpointer user_data)
{
  g_signal_emit (user_data, tick_signal, 0);
  return G_SOURCE_CONTINUE;
}

/**
 * si_minute_clock_get:
 *
 * Returns: (transfer none): an object that emits "tick" every 30 seconds, for as long as the
 *   process runs
 */
GObject *
si_minute_clock_get (void)
{
  static GObject *clock;

  if (g_once_init_enter (&clock))
    {
      GObject *object = g_object_new (SI_TYPE_MINUTE_CLOCK, NULL);

      g_timeout_add_seconds_full (G_PRIORITY_LOW, 30, tick, object, NULL);
      g_once_init_leave (&clock, object);
    }
  return clock;
}

static gboolean
is_unspaced_script (gunichar u)
{
  GUnicodeScript script = g_unichar_get_script (u);

  return script == G_UNICODE_SCRIPT_HAN || script == G_UNICODE_SCRIPT_HIRAGANA ||
         script == G_UNICODE_SCRIPT_KATAKANA;
}

/**
 * si_count_words:
 * @text: UTF-8 text
 * @len: its length in bytes, or -1 when it ends with a NUL
 *
 * Words as a writer counts them: each run of characters between spaces that holds a letter or
 * a digit ("don't", "e-mail" and "**bold**" are one word; "-", "#" and "[ ]" none), and each
 * Chinese or Japanese character on its own, as those scripts put no spaces between words.
 *
 * Returns: how many words @text holds
 */
guint
si_count_words (const char *text,
                gssize      len)
{
  const char *p = text, *end;
  gboolean counted = FALSE;   /* the run of characters since the last space is counted */
  guint n = 0;

  g_return_val_if_fail (text != NULL || len == 0, 0);
  end = len < 0 ? text + strlen (text) : text + len;
  while (p < end)
    {
      guchar c = (guchar) *p;

      if (c < 0x80)
        {
          /* Most text is ASCII: no decoding. */
          if (g_ascii_isspace (c))
            counted = FALSE;
          else if (!counted && g_ascii_isalnum (c))
            {
              n++;
              counted = TRUE;
            }
          p++;
        }
      else
        {
          gunichar u = g_utf8_get_char_validated (p, end - p);

          if (u == (gunichar) -1 || u == (gunichar) -2)
            {
              p++;
              continue;
            }
          if (g_unichar_isspace (u))
            counted = FALSE;
          else if (g_unichar_isalnum (u) && is_unspaced_script (u))
            {
              n++;
              counted = FALSE;
            }
          else if (!counted && g_unichar_isalnum (u))
            {
              n++;
              counted = TRUE;
            }
          p = g_utf8_next_char (p);
        }
    }
  return n;
}

static gboolean
is_whitespace (const char *text)
{
  for (; text && *text; text = g_utf8_next_char (text))
    if (!g_unichar_isspace (g_utf8_get_char (text)))
      return FALSE;
  return TRUE;
}

/**
 * si_idea_is_blank_new:
 *
 * A new idea without a word or a tag in it is not worth keeping: one not saved yet is never
 * written, and one saved here but never synced (nor a conflicted copy) is dropped when its
 * editor lets go of it.
 */
gboolean
si_idea_is_blank_new (SiIdea *idea)
{
  guint n_tags = 0;

  g_return_val_if_fail (SI_IS_IDEA (idea), FALSE);

  si_idea_get_tag_ids (idea, &n_tags);
  return (si_idea_get_id (idea) == 0 ||
          (si_idea_get_sync_state (idea) == SI_SYNC_STATE_CREATED &&
           si_idea_get_conflict_of (idea) == 0)) &&
         n_tags == 0 &&
         is_whitespace (si_idea_get_title (idea)) &&
         is_whitespace (si_idea_get_body (idea));
}

/**
 * si_tag_name_from_input:
 * @text: a tag's name as typed: "#idea", " idea "
 *
 * Returns: (transfer full): the name without the spaces around it and one leading '#'; the
 *   store checks the rest when the tag is made
 */
char *
si_tag_name_from_input (const char *text)
{
  char *name = g_strstrip (g_strdup (text ? text : ""));

  if (name[0] == '#')
    memmove (name, name + 1, strlen (name));
  return name;
}

/**
 * si_text_scale:
 * @widget: a widget, for its display's settings
 *
 * The text scale the desktop asks for (Accessibility → Large Text is 1.25; GNOME Tweaks
 * goes to 3), from GtkSettings:gtk-xft-dpi: 1.0 at 96 dpi. Sizes in pixels that hold text
 * (a sidebar's width, a dialog's) grow by it, as libadwaita's later "sp" units do.
 *
 * Returns: the scale, at least 1.0
 */
double
si_text_scale (GtkWidget *widget)
{
  int dpi = 0;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), 1.0);

  g_object_get (gtk_widget_get_settings (widget), "gtk-xft-dpi", &dpi, NULL);
  return dpi > 96 * 1024 ? dpi / (96.0 * 1024) : 1.0;
}

/**
 * si_widget_font_changed:
 * @widget: a widget that keeps a layout of its text
 * @font: (nullable): the font the layout was made with, NULL when none was
 *
 * For a widget's css_changed: a selected or hovered row changes only colours, and a layout kept
 * through that is still right; another font (a style class, the text scale) is not.
 *
 * Returns: whether @widget's font is no longer @font (FALSE without a @font)
 */
gboolean
si_widget_font_changed (GtkWidget                  *widget,
                        const PangoFontDescription *font)
{
  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);

  return font != NULL &&
         !pango_font_description_equal (font, pango_context_get_font_description (gtk_widget_get_pango_context (widget)));
}
