/* bench-spell.c — spell checking a 1 MiB body while typing (needs a display: bench/run starts
 * one under xvfb-run).
 *
 * Usage: bench-spell. A GtkTextView in a window, checked by SiSpellChecker in en_US, is given
 * a 1 MiB body of prose with one misspelt word in twenty. Prints: how long setting the text
 * takes (the checker's part is tagging it unchecked), the longest single main-loop iteration
 * while the whole body is checked in the background (what typing could wait for at most; in
 * CPU time of the main thread, which includes GTK's own layout work), how long the whole check
 * takes (wall clock), and for 200 keystrokes in the middle, the longest time one keystroke's
 * insertion and the longest iteration of its re-check take.
 */
#define G_LOG_DOMAIN "saveidea-bench"

#include "config.h"

#include <adwaita.h>
#include <stdio.h>
#include <time.h>

#include "si-spell-checker.h"

#define BODY_BYTES (1024 * 1024)

static const char *words[] = {
  "the", "garden", "needs", "water", "before", "summer", "and", "tomatoes", "grow", "slowly",
  "in", "the", "shade", "of", "an", "old", "pear", "tree", "near", "fence",
};

static char *
make_body (void)
{
  GString *text = g_string_sized_new (BODY_BYTES + 64);
  guint i = 0;

  while (text->len < BODY_BYTES)
    {
      g_string_append (text, i % 20 == 7 ? "tomatos" : words[i % G_N_ELEMENTS (words)]);
      g_string_append_c (text, ++i % 12 == 0 ? '\n' : ' ');
    }
  return g_string_free (text, FALSE);
}

static gint64
cpu_usec (void)
{
  struct timespec now;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
  return now.tv_sec * G_USEC_PER_SEC + now.tv_nsec / 1000;
}

/* Iterates the main loop until the checker is done; the longest iteration, in ms of the main
 * thread's CPU time (on a loaded machine, wall-clock time also counts other processes). */
static double
run_until_checked (SiSpellChecker *checker,
                   guint          *iterations)
{
  gint64 longest = 0;

  *iterations = 0;
  while (!_si_spell_checker_is_idle (checker))
    {
      gint64 start = cpu_usec ();

      g_main_context_iteration (NULL, FALSE);
      longest = MAX (longest, cpu_usec () - start);
      (*iterations)++;
    }
  return longest / 1000.0;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *body = make_body ();
  g_autoptr(SiSpellChecker) checker = NULL;
  GtkWidget *window, *scroller, *view;
  GtkTextBuffer *buffer;
  GtkTextIter iter;
  gint64 start;
  double set_ms, longest_ms, total_ms, key_ms = 0, key_check_ms = 0;
  guint iterations, key_iterations;

  g_setenv ("LANGUAGE", "en_US", TRUE);
  gtk_init ();
  adw_init ();

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  scroller = gtk_scrolled_window_new ();
  view = gtk_text_view_new ();
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_window_set_child (GTK_WINDOW (window), scroller);
  checker = si_spell_checker_new (GTK_TEXT_VIEW (view));
  si_spell_checker_set_language (checker, "en_US");
  if (si_spell_checker_get_active_language (checker) == NULL)
    {
      printf ("# no en_US dictionary: spell checking is not measured\n");
      return 0;
    }
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (view))
    g_main_context_iteration (NULL, TRUE);
  run_until_checked (checker, &iterations);

  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  start = g_get_monotonic_time ();
  gtk_text_buffer_set_text (buffer, body, -1);
  set_ms = (g_get_monotonic_time () - start) / 1000.0;

  start = g_get_monotonic_time ();
  longest_ms = run_until_checked (checker, &iterations);
  total_ms = (g_get_monotonic_time () - start) / 1000.0;

  /* Keystrokes in the middle of the body, each checked before the next. */
  gtk_text_buffer_get_iter_at_offset (buffer, &iter, gtk_text_buffer_get_char_count (buffer) / 2);
  gtk_text_buffer_place_cursor (buffer, &iter);
  for (guint i = 0; i < 200; i++)
    {
      const char *key = i % 8 == 7 ? " " : "x";
      double ms;

      gtk_text_buffer_get_iter_at_mark (buffer, &iter, gtk_text_buffer_get_insert (buffer));
      start = g_get_monotonic_time ();
      gtk_text_buffer_insert_interactive (buffer, &iter, key, -1, TRUE);
      key_ms = MAX (key_ms, (g_get_monotonic_time () - start) / 1000.0);
      ms = run_until_checked (checker, &key_iterations);
      key_check_ms = MAX (key_check_ms, ms);
    }

  printf ("spell checking a %d KiB body (en_US, 1 word in 20 misspelt)\n", BODY_BYTES / 1024);
  printf ("%-52s %8.2f ms\n", "set the text (tagging it unchecked)", set_ms);
  printf ("%-52s %8.2f ms\n", "longest main-loop iteration while checking (CPU)", longest_ms);
  printf ("%-52s %8.2f ms  (%u iterations)\n", "the whole body checked in the background", total_ms, iterations);
  printf ("%-52s %8.2f ms\n", "longest keystroke insertion (200 keys)", key_ms);
  printf ("%-52s %8.2f ms\n", "longest iteration re-checking a keystroke (CPU)", key_check_ms);
  printf ("JSON {\"spell_set_text_ms\": %.2f, \"spell_longest_iteration_ms\": %.2f, "
          "\"spell_full_check_ms\": %.2f, \"spell_keystroke_ms\": %.2f, \"spell_keystroke_check_ms\": %.2f}\n",
          set_ms, longest_ms, total_ms, key_ms, key_check_ms);

  g_clear_object (&checker);
  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
