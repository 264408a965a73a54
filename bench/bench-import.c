/* bench-import.c — importing a folder of Markdown files, as a person moving from another app.
 *
 * Usage: bench-import [N_FILES...] (default 10000 100000). For each N, writes N Markdown files
 * (a `# title` line and a body of 50–2,000 characters, from the same generator as the
 * notebooks of bench-store) into folders of 1,000 in a temporary folder, then measures
 * `si_import()` of that folder into an empty notebook, and again into the same notebook: the
 * second import finds every file already there by its title and body, and adds nothing.
 */
#define G_LOG_DOMAIN "saveidea-bench"

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "si-bench-data.h"
#include "si-import.h"

#define FILES_PER_FOLDER 1000

static void
write_files (const char *folder,
             guint       n_files)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  for (guint i = 0; i < n_files; i++)
    {
      g_autofree char *sub = g_strdup_printf ("%s/%03u", folder, i / FILES_PER_FOLDER);
      g_autofree char *title = si_bench_make_title (rand);
      g_autofree char *body = si_bench_make_body (rand);
      g_autofree char *text = g_strdup_printf ("# %s\n\n%s\n", title, body);
      g_autofree char *path = NULL;
      g_autoptr(GError) error = NULL;

      if (i % FILES_PER_FOLDER == 0 && g_mkdir_with_parents (sub, 0700) != 0)
        g_error ("Cannot make %s", sub);
      path = g_strdup_printf ("%s/note-%06u.md", sub, i);
      if (!g_file_set_contents (path, text, -1, &error))
        g_error ("%s", error->message);
    }
}

/* This process's CPU time (s): what the import costs on a machine shared with others. */
static double
cpu_s (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
    return 0;
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Imports @folder into @store: the time it took (s), and in *@cpu the CPU time. */
static double
import_s (SiStore    *store,
          const char *folder,
          guint       n_files,
          guint       n_created,
          double     *cpu)
{
  g_autoptr(GFile) file = g_file_new_for_path (folder);
  g_autoptr(GError) error = NULL;
  g_auto(SiImportStats) stats = { 0 };
  double start = si_bench_now_ms (), cpu_start = cpu_s ();

  if (!si_import (store, file, &stats, NULL, &error))
    g_error ("%s", error->message);
  if (stats.n_files != n_files || stats.n_created != n_created)
    g_error ("Imported %u files, %u new: expected %u and %u", stats.n_files, stats.n_created, n_files, n_created);
  *cpu = cpu_s () - cpu_start;
  return (si_bench_now_ms () - start) / 1000.0;
}

static void
measure (guint n_files)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("saveidea-bench-import-XXXXXX", &error);
  g_autofree char *folder = NULL;
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  g_autoptr(SiStore) store = NULL;
  double first, again, cpu;

  g_assert_no_error (error);
  folder = g_build_filename (dir, "notes", NULL);
  path = g_build_filename (dir, "notebook.db", NULL);
  write_files (folder, n_files);
  store = si_store_new (path, &error);
  g_assert_no_error (error);

  first = import_s (store, folder, n_files, n_files, &cpu);
  name = g_strdup_printf ("import_markdown_%u_s", n_files);
  si_bench_report (name, first, "s", "");
  g_free (name);
  name = g_strdup_printf ("import_markdown_%u_cpu_s", n_files);
  si_bench_report (name, cpu, "s", "");
  g_free (name);
  name = g_strdup_printf ("import_markdown_%u_files_per_s", n_files);
  si_bench_report (name, n_files / first, "files/s", "");
  g_free (name);

  again = import_s (store, folder, n_files, 0, &cpu);
  name = g_strdup_printf ("reimport_markdown_%u_s", n_files);
  si_bench_report (name, again, "s", "");

  g_clear_object (&store);
  si_bench_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  if (argc < 2)
    {
      measure (10000);
      measure (100000);
    }
  for (int i = 1; i < argc; i++)
    measure ((guint) atoi (argv[i]));
  si_bench_print_json ();
  return 0;
}
