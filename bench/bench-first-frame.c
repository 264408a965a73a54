/* bench-first-frame.c — the app's time from start to its first frame, empty and with a big notebook.
 *
 * Usage: bench-first-frame APP [N_IDEAS] (default 100000), with a display (bench/run starts it
 * under xvfb-run and dbus-run-session). Runs APP with SAVEIDEA_BENCH_FIRST_FRAME=1 in a private
 * HOME whose notebook ($XDG_DATA_HOME/saveidea/saveidea.db) is empty, then holds N_IDEAS ideas
 * (a copy of SAVEIDEA_BENCH_DB when it names an existing file, else made by the generator and
 * left there). The time is from just before the process is spawned to the monotonic time the app
 * prints after its first frame: loading the binary and its libraries included.
 *
 * GSK_RENDERER defaults to cairo: Xvfb has only software OpenGL (llvmpipe), whose shader
 * compilation adds about 700 ms that a machine with a GPU does not spend. Set GSK_RENDERER to
 * measure another renderer.
 */
#define G_LOG_DOMAIN "saveidea-bench"

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

#include "si-bench-data.h"

#define RUNS 7

/* One run: milliseconds from spawning @app to its first frame, or a negative number. */
static double
first_frame_ms (const char  *app,
                char       **envp)
{
  const char *argv[] = { app, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *mark;
  gint64 start = g_get_monotonic_time (), painted;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error))
    g_error ("Could not run %s: %s", app, error->message);
  mark = out ? strstr (out, "monotonic ") : NULL;
  if (mark == NULL || sscanf (mark, "monotonic %" G_GINT64_FORMAT, &painted) != 1)
    {
      g_printerr ("%s printed no first frame (status %d):\n%s%s", app, status, out ? out : "", err ? err : "");
      return -1.0;
    }
  return (painted - start) / 1000.0;
}

/* The median of RUNS runs after one to warm the page cache; reported under @name. */
static void
measure (const char *name,
         const char *app,
         char      **envp)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));

  first_frame_ms (app, envp);
  for (int i = 0; i < RUNS; i++)
    {
      double ms = first_frame_ms (app, envp);
      if (ms >= 0)
        g_array_append_val (samples, ms);
    }
  if (samples->len == 0)
    g_error ("The app never showed a frame");
  si_bench_report (name, si_bench_percentile (samples, 50), "ms", "");
}

int
main (int   argc,
      char *argv[])
{
  const char *app = argc > 1 ? argv[1] : NULL;
  guint n_ideas = argc > 2 ? (guint) atoi (argv[2]) : 100000;
  g_autoptr(GError) error = NULL;
  g_autofree char *home = NULL;
  g_autofree char *data = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *path = NULL;
  g_auto(GStrv) envp = g_get_environ ();

  if (app == NULL)
    {
      g_printerr ("usage: bench-first-frame APP [N_IDEAS]\n");
      return 2;
    }
  if (!g_getenv ("DISPLAY") && !g_getenv ("WAYLAND_DISPLAY"))
    {
      g_printerr ("bench-first-frame needs a display: run it under xvfb-run\n");
      return 2;
    }

  home = g_dir_make_tmp ("saveidea-bench-frame-XXXXXX", &error);
  g_assert_no_error (error);
  data = g_build_filename (home, "data", NULL);
  folder = g_build_filename (data, "saveidea", NULL);
  path = g_build_filename (folder, "saveidea.db", NULL);
  g_mkdir_with_parents (folder, 0700);

  envp = g_environ_setenv (envp, "HOME", home, TRUE);
  envp = g_environ_setenv (envp, "XDG_DATA_HOME", data, TRUE);
  envp = g_environ_setenv (envp, "XDG_CONFIG_HOME", home, TRUE);
  envp = g_environ_setenv (envp, "XDG_CACHE_HOME", home, TRUE);
  envp = g_environ_setenv (envp, "XDG_STATE_HOME", home, TRUE);
  envp = g_environ_setenv (envp, "GSETTINGS_BACKEND", "memory", TRUE);
  envp = g_environ_setenv (envp, "GSK_RENDERER", "cairo", FALSE);
  envp = g_environ_setenv (envp, "SAVEIDEA_BENCH_FIRST_FRAME", "1", TRUE);

  printf ("# app start to first frame: an empty notebook, then %u ideas; median of %d runs, GSK_RENDERER=%s\n",
          n_ideas, RUNS, g_environ_getenv (envp, "GSK_RENDERER"));
  measure ("app_first_frame_empty_ms_p50", app, envp);
  si_bench_remove_tree (folder);   /* the notebook, with its -wal and -shm */
  g_mkdir_with_parents (folder, 0700);

  if (!si_bench_make_notebook (path, n_ideas, &error))
    g_error ("%s", error->message);
  measure ("app_first_frame_ms_p50", app, envp);
  si_bench_print_json ();

  si_bench_remove_tree (home);
  return 0;
}
