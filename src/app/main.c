/* main.c — starts Saveidea. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "si-application.h"

/* Run from a meson build tree (./build/src/app/saveidea), the translations are the ones built
 * there, in <build>/po/<lang>/LC_MESSAGES/: a translator sees a change without installing. */
static char *
build_tree_localedir (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *app_dir = NULL;
  g_autofree char *build_root = NULL;
  g_autofree char *ninja = NULL;

  if (exe == NULL)
    return NULL;
  app_dir = g_path_get_dirname (exe);
  build_root = g_canonicalize_filename ("../..", app_dir);
  ninja = g_build_filename (build_root, "build.ninja", NULL);
  if (!g_str_has_suffix (app_dir, G_DIR_SEPARATOR_S "src" G_DIR_SEPARATOR_S "app") ||
      !g_file_test (ninja, G_FILE_TEST_IS_REGULAR))
    return NULL;
  return g_build_filename (build_root, "po", NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SiApplication) app = NULL;
  g_autofree char *localedir = build_tree_localedir ();

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = si_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
