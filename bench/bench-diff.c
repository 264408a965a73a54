/* bench-diff.c — the word diff the Compare window highlights with, at its worst.
 *
 * Usage: bench-diff. Times si_diff_words() on: two 1 MiB bodies that differ on every line
 * (past both bounds: one span), a 1 MiB body with one word changed, two texts that fill the
 * word matching's bound exactly (every word different), and two that fill the line
 * fallback's. Prints the median of 5 runs of each, in milliseconds.
 */
#define G_LOG_DOMAIN "saveidea-bench"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "si-diff.h"

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static void
measure (const char *name,
         const char *a,
         const char *b)
{
  double runs[5];
  guint spans = 0;

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      g_autoptr(GArray) sa = NULL;
      g_autoptr(GArray) sb = NULL;
      gint64 start = g_get_monotonic_time ();

      si_diff_words (a, b, &sa, &sb);
      runs[i] = (g_get_monotonic_time () - start) / 1000.0;
      spans = sa->len + sb->len;
    }
  qsort (runs, G_N_ELEMENTS (runs), sizeof runs[0], compare_doubles);
  printf ("%-44s %8zu + %8zu bytes  %6u spans  %8.2f ms\n", name, strlen (a), strlen (b), spans, runs[2]);
}

/* @n lines of @words words each, every word unique to @side. */
static char *
make_text (guint       n,
           guint       words,
           const char *side)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      for (guint w = 0; w < words; w++)
        g_string_append_printf (text, "%s%s%u", w ? " " : "", side, i * words + w);
      g_string_append_c (text, '\n');
    }
  return g_string_free (text, FALSE);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *mib_a = NULL;
  g_autofree char *mib_b = NULL;
  g_autofree char *one_word = NULL;
  g_autofree char *words_a = make_text (1, 720, "a");   /* 1,440 tokens: ~2 Mi cells */
  g_autofree char *words_b = make_text (1, 720, "b");
  g_autofree char *lines_a = make_text (1440, 20, "a"); /* 1,440 lines: ~2 Mi cells */
  g_autofree char *lines_b = make_text (1440, 20, "b");
  GString *a = g_string_new (NULL);
  GString *b = g_string_new (NULL);
  char *middle;

  for (guint i = 0; a->len < 1024 * 1024; i++)
    {
      g_string_append_printf (a, "line %u of the first version\n", i);
      g_string_append_printf (b, "line %u of the second version\n", i);
    }
  mib_a = g_string_free (a, FALSE);
  mib_b = g_string_free (b, FALSE);
  one_word = g_strdup (mib_a);
  middle = strstr (one_word + strlen (one_word) / 2, "first");
  memcpy (middle, "FIRST", 5);

  printf ("si_diff_words, median of 5 runs\n");
  measure ("1 MiB, every line different", mib_a, mib_b);
  measure ("1 MiB, one word different", mib_a, one_word);
  measure ("1,440 words, all different (word bound)", words_a, words_b);
  measure ("1,440 lines, all different (line bound)", lines_a, lines_b);
  return 0;
}
