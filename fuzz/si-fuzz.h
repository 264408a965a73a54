/* si-fuzz.h — shared by the fuzz targets. */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <glib.h>

/* g_error() and fatal criticals end with SIGTRAP, which libFuzzer does not catch (no crash
 * file is written): print and abort() instead. Criticals (a g_return_if_fail that failed) are
 * bugs too. */
static inline void
si_fuzz_log_handler (const char     *domain,
                     GLogLevelFlags  level,
                     const char     *message,
                     gpointer        user_data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_FLAG_FATAL))
    {
      fprintf (stderr, "%s: %s\n", domain ? domain : "fuzz", message);
      fflush (stderr);
      abort ();
    }
  if (level & G_LOG_LEVEL_WARNING && g_getenv ("SAVEIDEA_FUZZ_VERBOSE"))
    fprintf (stderr, "%s-WARNING: %s\n", domain ? domain : "fuzz", message);
}

static inline void
si_fuzz_init_logging (void)
{
  g_log_set_default_handler (si_fuzz_log_handler, NULL);
}
