/* si-version-text.c — one version of an idea in a read-only GtkTextView: its title, its tags
 * and its text, and the words another version has not highlighted (si_diff_words()). The
 * Compare window shows two versions side by side with it, the History window a past version
 * against the current text, the Trash a deleted idea. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <glib/gi18n.h>

#include "si-diff.h"
#include "si-version-text.h"

/**
 * si_version_text_setup:
 *
 * Gives @view's buffer the tags the other functions use.
 */
void
si_version_text_setup (GtkTextView *view)
{
  GtkTextBuffer *buffer;

  g_return_if_fail (GTK_IS_TEXT_VIEW (view));

  buffer = gtk_text_view_get_buffer (view);
  gtk_text_buffer_create_tag (buffer, "title", "weight", PANGO_WEIGHT_BOLD, "scale", 1.3, NULL);
  gtk_text_buffer_create_tag (buffer, "tags", "foreground", "#1c71d8", NULL);
  /* What this version has that the other has not: libadwaita's blue, light enough to read
   * dark or light text through. */
  gtk_text_buffer_create_tag (buffer, "changed", "background-rgba", &(GdkRGBA) { 0.21, 0.52, 0.89, 0.3 }, NULL);
  /* An inline diff (si_version_text_show_inline()): libadwaita's green for what this version
   * brings, its red and a line through for what it takes away. */
  gtk_text_buffer_create_tag (buffer, "added", "background-rgba", &(GdkRGBA) { 0.2, 0.82, 0.48, 0.3 }, NULL);
  gtk_text_buffer_create_tag (buffer, "removed", "background-rgba", &(GdkRGBA) { 0.88, 0.11, 0.14, 0.25 },
                              "strikethrough", TRUE, NULL);
  /* The space put between what goes and what comes at the same place, so that they do not
   * read as one word: in neither text, so tagged apart, and drawn as a plain space. */
  gtk_text_buffer_create_tag (buffer, "gap", NULL);
}

/**
 * si_version_text_show:
 * @title: the version's title ("" for none)
 * @tags: (nullable): its tag names
 * @body: its text
 *
 * Replaces what @view shows: the title in bold, the tags, a blank line, the text.
 */
void
si_version_text_show (GtkTextView        *view,
                      const char         *title,
                      const char * const *tags,
                      const char         *body)
{
  GtkTextBuffer *buffer;
  GtkTextIter iter;

  g_return_if_fail (GTK_IS_TEXT_VIEW (view));

  buffer = gtk_text_view_get_buffer (view);
  gtk_text_buffer_set_text (buffer, "", 0);
  gtk_text_buffer_get_end_iter (buffer, &iter);
  if (title && title[0])
    {
      gtk_text_buffer_insert_with_tags_by_name (buffer, &iter, title, -1, "title", NULL);
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
  gtk_text_buffer_insert (buffer, &iter, body ? body : "", -1);
}

void
si_version_text_show_idea (GtkTextView *view,
                           SiIdea      *idea)
{
  g_return_if_fail (SI_IS_IDEA (idea));
  si_version_text_show (view, si_idea_get_title (idea), si_idea_get_tag_names (idea), si_idea_get_body (idea));
}

/**
 * si_version_text_dup:
 *
 * Returns: (transfer full): all that @view shows, as text
 */
char *
si_version_text_dup (GtkTextView *view)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (GTK_IS_TEXT_VIEW (view), NULL);

  buffer = gtk_text_view_get_buffer (view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
}

/**
 * si_version_text_highlight:
 * @text: what @view shows (si_version_text_dup())
 * @spans: #SiDiffSpan<!-- -->s of @text, in order
 *
 * Tags the @spans as "changed".
 */
void
si_version_text_highlight (GtkTextView *view,
                           const char  *text,
                           GArray      *spans)
{
  GtkTextBuffer *buffer;
  glong chars = 0;
  gsize bytes = 0;

  g_return_if_fail (GTK_IS_TEXT_VIEW (view));
  g_return_if_fail (text != NULL && spans != NULL);

  buffer = gtk_text_view_get_buffer (view);
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

/**
 * si_version_text_show_inline:
 * @current: (nullable): the text to compare with, as si_version_text_dup() gives it
 *
 * Shows a version as si_version_text_show() does, then the difference to @current inline:
 * what the version has and @current has not tagged "added", and what @current has and the
 * version has not put in at its place, tagged "removed" (si_diff_words_inline()), with a space
 * tagged "gap" between it and what the version has there. The text without the "removed" and
 * "gap" parts is the version's.
 *
 * Returns: whether anything differs
 */
gboolean
si_version_text_show_inline (GtkTextView        *view,
                             const char         *title,
                             const char * const *tags,
                             const char         *body,
                             const char         *current)
{
  GtkTextBuffer *buffer;
  g_autofree char *text = NULL;
  g_autoptr(GArray) pieces = NULL;
  gboolean differs = FALSE;
  int offset = 0;

  g_return_val_if_fail (GTK_IS_TEXT_VIEW (view), FALSE);

  si_version_text_show (view, title, tags, body);
  buffer = gtk_text_view_get_buffer (view);
  text = si_version_text_dup (view);
  pieces = si_diff_words_inline (text, current ? current : "");
  for (guint i = 0; i < pieces->len; i++)
    {
      const SiDiffPiece *piece = &g_array_index (pieces, SiDiffPiece, i);
      const char *from = piece->kind == SI_DIFF_ONLY_B ? current : text;
      int chars = (int) g_utf8_strlen (from + piece->start, piece->end - piece->start);
      GtkTextIter start, end;

      gtk_text_buffer_get_iter_at_offset (buffer, &start, offset);
      if (piece->kind == SI_DIFF_ONLY_B)
        {
          gtk_text_buffer_insert_with_tags_by_name (buffer, &start, from + piece->start,
                                                    (int) (piece->end - piece->start), "removed", NULL);
          if (i + 1 < pieces->len && g_array_index (pieces, SiDiffPiece, i + 1).kind == SI_DIFF_ONLY_A &&
              !g_ascii_isspace (current[piece->end - 1]))
            {
              gtk_text_buffer_insert_with_tags_by_name (buffer, &start, " ", 1, "gap", NULL);
              chars++;
            }
        }
      else if (piece->kind == SI_DIFF_ONLY_A)
        {
          gtk_text_buffer_get_iter_at_offset (buffer, &end, offset + chars);
          gtk_text_buffer_apply_tag_by_name (buffer, "added", &start, &end);
        }
      differs |= piece->kind != SI_DIFF_SAME;
      offset += chars;
    }
  return differs;
}

/**
 * si_version_text_compare:
 * @other: (nullable): the view of the version to compare with, highlighted too
 *
 * Highlights what @view shows that @other does not, and, when @other's buffer has the tags
 * (si_version_text_setup()), the other way round.
 */
void
si_version_text_compare (GtkTextView *view,
                         GtkTextView *other)
{
  g_autofree char *text = si_version_text_dup (view);
  g_autofree char *other_text = si_version_text_dup (other);
  g_autoptr(GArray) spans = NULL;
  g_autoptr(GArray) other_spans = NULL;
  GtkTextTagTable *other_tags = gtk_text_buffer_get_tag_table (gtk_text_view_get_buffer (other));

  si_diff_words (text, other_text, &spans, &other_spans);
  si_version_text_highlight (view, text, spans);
  if (gtk_text_tag_table_lookup (other_tags, "changed"))
    si_version_text_highlight (other, other_text, other_spans);
}

/**
 * si_version_text_format_time:
 * @when_usec: when a version was written, in microseconds since 1970 (UTC)
 *
 * Returns: (transfer full) (nullable): "Today, 14:03", "Yesterday, 09:12",
 *   "5 December 2026, 14:03"; %NULL for no time
 */
char *
si_version_text_format_time (gint64 when_usec)
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
