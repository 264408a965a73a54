/* si-i18n.c — how a Saveidea program finds its translations, and numbers in the user's locale.
 *
 * The app, saveidea-cli and the core's messages (the errors both show) share one gettext
 * domain, GETTEXT_PACKAGE. Installed, its catalogues are in LOCALEDIR. A program run from a
 * meson build tree (<build>/src/<part>/<program>) uses the catalogues built there, in
 * <build>/po/<lang>/LC_MESSAGES/: a translator sees a change without installing, and the tests
 * of the build tree see its translations.
 */
#define G_LOG_DOMAIN "saveidea-i18n"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <limits.h>
#include <locale.h>
#include <string.h>

#include "si-i18n.h"

/* <build>/po when the running program is <build>/src/<part>/<program> and <build> is a meson
 * build tree (it has build.ninja); NULL otherwise. */
static char *
build_tree_localedir (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *part_dir = NULL;
  g_autofree char *src_dir = NULL;
  g_autofree char *src_name = NULL;
  g_autofree char *build_root = NULL;
  g_autofree char *ninja = NULL;

  if (exe == NULL)
    return NULL;
  part_dir = g_path_get_dirname (exe);
  src_dir = g_path_get_dirname (part_dir);
  src_name = g_path_get_basename (src_dir);
  build_root = g_path_get_dirname (src_dir);
  ninja = g_build_filename (build_root, "build.ninja", NULL);
  if (!g_str_equal (src_name, "src") || !g_file_test (ninja, G_FILE_TEST_IS_REGULAR))
    return NULL;
  g_debug ("run from the build tree %s: its translations are used", build_root);
  return g_build_filename (build_root, "po", NULL);
}

/**
 * si_i18n_init:
 *
 * Sets the locale from the environment and binds GETTEXT_PACKAGE (in UTF-8) to its catalogues:
 * the build tree's when the program runs from one, else LOCALEDIR's. A program calls it first
 * thing in main().
 */
void
si_i18n_init (void)
{
  g_autofree char *localedir = build_tree_localedir ();

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

/**
 * si_format_count:
 *
 * Returns: (transfer full): @n with the locale's thousands separator ("1,200" in English; a
 *   comma where the locale has none, as in C)
 */
char *
si_format_count (guint n)
{
  g_autofree char *digits = g_strdup_printf ("%u", n);
  const struct lconv *conv = localeconv ();
  const char *sep = conv->thousands_sep;
  const char *grouping = conv->grouping;
  g_autoptr(GString) out = g_string_new (NULL);
  gsize len = strlen (digits);
  gboolean *breaks = g_newa (gboolean, len + 1);
  gsize group = 3, at = len;

  /* Where the separators go, from the right: the locale's group sizes ("100,000", and
   * "1,00,000" in India), the last repeated; groups of three where the locale has none. */
  if (sep == NULL || sep[0] == '\0')
    sep = ",";
  if (grouping == NULL || grouping[0] == '\0' || grouping[0] == CHAR_MAX || grouping[0] <= 0)
    grouping = "\3";
  memset (breaks, 0, (len + 1) * sizeof (gboolean));
  for (;;)
    {
      if (*grouping == CHAR_MAX)
        break;
      if (*grouping > 0)
        group = (gsize) *grouping;
      if (grouping[1] != '\0')
        grouping++;
      if (at <= group)
        break;
      at -= group;
      breaks[at] = TRUE;
    }
  for (gsize i = 0; i < len; i++)
    {
      if (breaks[i])
        g_string_append (out, sep);
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * si_format_sync_progress:
 *
 * Returns: (transfer full): "Syncing 1,200 of 5,000", as the app's header bar and
 *   `saveidea-cli sync` say it
 */
char *
si_format_sync_progress (guint done,
                         guint total)
{
  g_autofree char *d = si_format_count (MIN (done, total));
  g_autofree char *t = si_format_count (total);

  /* Translators: "Syncing 1,200 of 5,000" */
  return g_strdup_printf (_("Syncing %s of %s"), d, t);
}

/**
 * si_format_idea_count:
 * @shown: the ideas a list shows
 * @matches: the ideas its filter matched (more than @shown when a search kept the best)
 *
 * Returns: (transfer full): "1,200 ideas", or "500 of 2,345 ideas" when the list shows only
 *   the best of its matches
 */
char *
si_format_idea_count (guint shown,
                      guint matches)
{
  g_autofree char *s = si_format_count (shown);
  g_autofree char *m = NULL;

  if (matches <= shown)
    /* Translators: %s is a number with the locale's grouping: "1,200 ideas". */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s idea", "%s ideas", shown), s);
  m = si_format_count (matches);
  /* Translators: a search shows the best of its matches: "500 of 2,345 ideas". */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s of %s idea", "%s of %s ideas", matches), s, m);
}
