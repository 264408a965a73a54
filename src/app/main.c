/* main.c — starts Saveidea. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include "si-application.h"
#include "si-i18n.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SiApplication) app = NULL;

  /* The locale, and the build tree's translations when run from ./build/src/app/saveidea. */
  si_i18n_init ();
  app = si_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
