/* bench-count.c — what the editor's word count costs on the longest text an idea may have.
 *
 * Usage: bench-count. The editor counts at most once per SI_EDITOR_COUNT_DELAY_MS while typing
 * (a keystroke itself counts nothing), and then copies the text out of the buffer and runs
 * si_count_words() over it. Times that on a 1 MiB Markdown body in a GtkTextBuffer, and the
 * count of a 64 KiB selection, and prints the median of 9 runs of each, in milliseconds. Needs
 * no display.
 */
#define G_LOG_DOMAIN "saveidea-bench"

#include "config.h"

#include <gtk/gtk.h>
#include <stdio.h>

#include "si-app-utils.h"
#include "si-editor.h"

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static void
measure (const char    *name,
         GtkTextBuffer *buffer,
         int            start_offset,
         int            end_offset)
{
  double runs[9];
  guint words = 0;

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      GtkTextIter start, end;
      g_autofree char *text = NULL;
      gint64 t0 = g_get_monotonic_time ();

      gtk_text_buffer_get_iter_at_offset (buffer, &start, start_offset);
      gtk_text_buffer_get_iter_at_offset (buffer, &end, end_offset);
      text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
      words = si_count_words (text, -1);
      runs[i] = (g_get_monotonic_time () - t0) / 1000.0;
    }
  qsort (runs, G_N_ELEMENTS (runs), sizeof runs[0], compare_doubles);
  printf ("%-28s %8u words  median %7.2f ms  max %7.2f ms\n", name, words, runs[G_N_ELEMENTS (runs) / 2],
          runs[G_N_ELEMENTS (runs) - 1]);
}

int
main (int   argc,
      char *argv[])
{
  static const char *lines[] = {
    "## A heading of a few words\n",
    "- [ ] a task to do, with *emphasis* and a [link](https://example.org/some/path)\n",
    "Ordinary prose: the quick brown fox jumps over the lazy dog, twice; don't stop.\n",
    "Größere Wörter über Straßen, und 日本語のテキスト too.\n",
    "\n",
  };
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(GtkTextBuffer) buffer = gtk_text_buffer_new (NULL);
  int chars;

  for (guint i = 0; body->len < 1024 * 1024; i++)
    g_string_append (body, lines[i % G_N_ELEMENTS (lines)]);
  gtk_text_buffer_set_text (buffer, body->str, (int) body->len);
  chars = gtk_text_buffer_get_char_count (buffer);

  printf ("A %zu byte body (%d characters); counted at most every %d ms while typing\n",
          body->len, chars, SI_EDITOR_COUNT_DELAY_MS);
  measure ("whole text (after an edit)", buffer, 0, chars);
  measure ("a 64 KiB selection", buffer, chars / 2, chars / 2 + 64 * 1024);
  return 0;
}
