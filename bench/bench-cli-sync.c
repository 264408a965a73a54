/* bench-cli-sync.c — saveidea-cli as a process of its own against a real server, and wrk.
 *
 * Usage: bench-cli-sync SERVER_BINARY CLI_BINARY [N_IDEAS [APP_BINARY]] (N_IDEAS default 100000).
 * Starts saveidea-server on 127.0.0.1:0 with a fresh data folder and two accounts. Measures,
 * each as a separate `saveidea-cli sync` whose peak RSS is the kernel's (wait4's ru_maxrss):
 * the push of N ideas written offline (a copy of SAVEIDEA_BENCH_DB when it names an existing
 * file, else made by the generator), then the first full sync of those N ideas into an empty
 * notebook; and the peak of its anonymous memory (RssAnon), without the mapped notebook. With
 * APP_BINARY and a display, the app's first sync of the same account into its own empty
 * notebook, its window and list live, and the longest stall of its main loop meanwhile (the
 * gap between two ticks of a high-priority timeout, and the most CPU the main thread spent in
 * one); the two first syncs alternate for SAVEIDEA_BENCH_ROUNDS rounds (3 with the app, else
 * 1), and their figures are the rounds' medians (measure_first_syncs()). Then, when wrk is installed (and SAVEIDEA_BENCH_NO_WRK is not set), the server's no-op sync
 * requests/s (GET /api/v1/changes?since=0 of an empty account) with 1, 32 and 200 connections.
 *
 * With SAVEIDEA_BENCH_UPLOAD_ONLY=1, only the first upload of N notes of a title and a
 * 200-character body (no tags), written offline, as issue 21 measured it against PouchDB;
 * then the uploading device's next sync, and one more (a no-op): cli_upload_ms,
 * cli_upload_next_sync_ms, cli_noop_sync_ms; then a fresh notebook's download of them,
 * cli_download_ms (with the CPU of both processes).
 */
#define G_LOG_DOMAIN "saveidea-bench"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "si-account.h"
#include "si-store-private.h"
#include "si-bench-data.h"

#define PASSWORD "bench-password"
#define WRK_SECONDS "5"

typedef struct {
  const char  *server_binary;
  char        *dir;
  GSubprocess *server;
  char        *url;
} Bench;

/* Starts the server; its first line of output is the URL it listens on. */
static void
start_server (Bench *bench)
{
  const char *argv[] = { bench->server_binary, "--data", bench->dir, "--listen", "127.0.0.1:0", NULL };

  bench->server = si_bench_server_start (argv, &bench->url);
}

typedef struct {
  double ms;
  double cpu_ms;          /* user + system time of the process */
  double peak_rss_mib;    /* the kernel's high-water mark: the notebook's mapped pages included */
  double peak_anon_mib;   /* the largest RssAnon seen: the process's own memory */
} Run;

/* RssAnon of @pid in MiB, or 0. */
static double
anon_rss_mib (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents (path, &status, NULL, NULL) || !(line = strstr (status, "RssAnon:")))
    return 0;
  return g_ascii_strtoull (line + strlen ("RssAnon:"), NULL, 10) / 1024.0;
}

/* Runs @argv to its end; its wall time, the kernel's peak RSS of it, and its peak anonymous
 * memory (sampled every 10 ms). The store maps up to 256 MiB of the notebook file (mmap_size):
 * those pages count in RSS but are the page cache, shared and given back under pressure. */
static Run
run_measured (const char * const *argv,
              char              **envp)
{
  g_autoptr(GError) error = NULL;
  struct rusage usage = { 0 };
  gint64 start = g_get_monotonic_time ();
  double peak_anon = 0;
  int status = 0;
  pid_t done;
  GPid pid;

  if (!g_spawn_async (NULL, (char **) argv, envp, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                      NULL, NULL, &pid, &error))
    g_error ("Could not run %s: %s", argv[0], error->message);
  while ((done = wait4 (pid, &status, WNOHANG, &usage)) == 0)
    {
      peak_anon = MAX (peak_anon, anon_rss_mib (pid));
      g_usleep (10000);
    }
  if (done != pid || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_error ("%s %s failed (status %d)", argv[0], argv[1], status);
  g_spawn_close_pid (pid);
  return (Run) { (g_get_monotonic_time () - start) / 1000.0,
                 (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0 +
                 (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0,
                 usage.ru_maxrss / 1024.0, peak_anon };
}

static double server_cpu_ms (Bench *bench);
static void note (GHashTable *rounds,
                  const char *name,
                  double      value);

/* One `saveidea-cli --db @path sync` of @n_records, noted in @rounds: NAME_records_per_s,
 * NAME_peak_rss_mib and NAME_peak_anon_mib; its CPU, NAME_cli_cpu_ms; and the server's CPU
 * meanwhile, NAME_server_cpu_ms (a download's cost in the server, less noisy than the wall
 * time on a shared machine). */
static Run
measure_cli_sync (Bench       *bench,
                  const char  *cli,
                  const char  *path,
                  char       **envp,
                  guint        n_records,
                  const char  *name,
                  GHashTable  *rounds)
{
  const char *argv[] = { cli, "--db", path, "sync", NULL };
  double server_before = server_cpu_ms (bench);
  Run run = run_measured (argv, envp);
  double rate = n_records / (run.ms / 1000.0);
  const struct { const char *suffix; double value; } figures[] = {
    { "_records_per_s", rate },
    { "_server_cpu_ms", server_cpu_ms (bench) - server_before },
    /* saveidea-cli's own CPU (user + system, all its threads): steadier than the rate. */
    { "_cli_cpu_ms", run.cpu_ms },
    { "_peak_rss_mib", run.peak_rss_mib },
    { "_peak_anon_mib", run.peak_anon_mib },
  };

  for (guint i = 0; i < G_N_ELEMENTS (figures); i++)
    {
      g_autofree char *figure = g_strconcat (name, figures[i].suffix, NULL);

      note (rounds, figure, figures[i].value);
    }
  return run;
}

/* A notebook at @path with @n notes of a title and a 200-character body, no tags, written
 * offline (one transaction). */
static void
make_plain_notebook (const char *path,
                     guint       n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SiStore) store = si_store_new (path, &error);
  g_autoptr(GRand) rand = g_rand_new_with_seed (21);

  if (store == NULL || !_si_store_begin (store, &error))
    g_error ("%s", error->message);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *title = g_strdup_printf ("Note %u", i);
      g_autoptr(GString) body = g_string_new (NULL);
      g_autoptr(SiIdea) idea = NULL;

      g_autofree char *text = NULL;

      while (g_utf8_strlen (body->str, -1) < 200)
        {
          g_string_append (body, si_bench_word (rand));
          g_string_append_c (body, ' ');
        }
      text = g_utf8_substring (body->str, 0, 200);
      idea = si_idea_new (title, text);
      if (!si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error))
        g_error ("%s", error->message);
    }
  if (!_si_store_commit (store, &error))
    g_error ("%s", error->message);
}

/* CPU time (user + system, ms) the server process has used so far, from /proc; 0 if unknown. */
static double
server_cpu_ms (Bench *bench)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", g_subprocess_get_identifier (bench->server));
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || !(after = strrchr (stat, ')')))
    return 0;
  fields = g_strsplit (after + 2, " ", 0);
  if (g_strv_length (fields) < 13)
    return 0;
  /* utime and stime: fields 14 and 15 of the line, 12 and 13 after the name. */
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) * 1000.0 / sysconf (_SC_CLK_TCK);
}

/* The first upload of @n plain notes, the next sync, and a no-op sync, each a process; the
 * wall time, and the CPU time of saveidea-cli and of the server (less sensitive to a busy
 * machine than the wall time). */
static void
measure_upload (Bench       *bench,
                const char  *cli,
                char       **envp,
                guint        n)
{
  g_autofree char *path = g_build_filename (bench->dir, "upload.db", NULL);
  const char *argv[] = { cli, "--db", path, "sync", NULL };
  Run run;

  make_plain_notebook (path, n);
  si_bench_notebook_set_account (path, bench->url, "bench");
  double server_before = server_cpu_ms (bench);

  run = run_measured (argv, envp);
  si_bench_report ("cli_upload_ms", run.ms, "ms", "");
  si_bench_report ("cli_upload_cli_cpu_ms", run.cpu_ms, "ms", "");
  si_bench_report ("cli_upload_server_cpu_ms", server_cpu_ms (bench) - server_before, "ms", "");
  si_bench_report ("cli_upload_peak_rss_mib", run.peak_rss_mib, "MiB", "");
  server_before = server_cpu_ms (bench);
  run = run_measured (argv, envp);
  si_bench_report ("cli_upload_next_sync_ms", run.ms, "ms", "");
  si_bench_report ("cli_upload_next_sync_cli_cpu_ms", run.cpu_ms, "ms", "");
  si_bench_report ("cli_upload_next_sync_server_cpu_ms", server_cpu_ms (bench) - server_before, "ms", "");
  run = run_measured (argv, envp);
  si_bench_report ("cli_noop_sync_ms", run.ms, "ms", "");
}

/* After measure_upload(): a fresh notebook's first sync of those notes (a second device's
 * download), its wall time and the CPU of saveidea-cli and of the server. */
static void
measure_download (Bench       *bench,
                  const char  *cli,
                  char       **envp)
{
  g_autofree char *path = g_build_filename (bench->dir, "download.db", NULL);
  const char *argv[] = { cli, "--db", path, "sync", NULL };
  double server_before;
  Run run;

  si_bench_notebook_set_account (path, bench->url, "bench");
  server_before = server_cpu_ms (bench);
  run = run_measured (argv, envp);
  si_bench_report ("cli_download_ms", run.ms, "ms", "");
  si_bench_report ("cli_download_cli_cpu_ms", run.cpu_ms, "ms", "");
  si_bench_report ("cli_download_server_cpu_ms", server_cpu_ms (bench) - server_before, "ms", "");
}

/* What one run of the app printed (SAVEIDEA_BENCH_FIRST_SYNC=1), in monotonic µs. */
typedef struct {
  gint64 start;          /* spawned */
  gint64 done;           /* its first sync succeeded */
  gint64 stall, busy;    /* the longest gap between ticks; the most main-thread CPU in one */
  gint64 built, presented, request, request_cpu;
  gint64 main_cpu, process_cpu;
  guint  ticks, gaps[4];
  gint64 own_stall;      /* the longest gap less the main thread's wait for a core in it */
  guint  own_gaps;       /* such gaps over 20 ms */
  gboolean has_own;
} AppRun;

/* The app's first sync into the empty notebook under @data_home, window and list live: from
 * spawning it to the moment it prints after its first successful sync
 * (SAVEIDEA_BENCH_FIRST_SYNC=1). Needs a display. */
static AppRun
run_app (const char  *app,
         char       **envp,
         const char  *data_home)
{
  const char *argv[] = { app, NULL };
  g_auto(GStrv) app_envp = g_environ_setenv (g_strdupv (envp), "SAVEIDEA_BENCH_FIRST_SYNC", "1", TRUE);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  AppRun run = { 0 };
  const char *mark;
  int status = 0;

  app_envp = g_environ_setenv (app_envp, "XDG_DATA_HOME", data_home, TRUE);
  app_envp = g_environ_setenv (app_envp, "GSETTINGS_BACKEND", "memory", TRUE);
  /* As in bench-first-frame.c: Xvfb has only software OpenGL (llvmpipe), whose threads would
   * take the cores a machine with a GPU leaves to the sync. Set GSK_RENDERER to measure another. */
  app_envp = g_environ_setenv (app_envp, "GSK_RENDERER", "cairo", FALSE);
  run.start = g_get_monotonic_time ();
  if (!g_spawn_sync (NULL, (char **) argv, app_envp, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error))
    g_error ("Could not run %s: %s", app, error->message);
  mark = out ? strstr (out, "monotonic ") : NULL;
  if (mark == NULL || sscanf (mark, "monotonic %" G_GINT64_FORMAT " us, longest stall %" G_GINT64_FORMAT
                              " us, busiest %" G_GINT64_FORMAT, &run.done, &run.stall, &run.busy) != 3)
    g_error ("%s printed no first sync (status %d):\n%s%s", app, status, out ? out : "", err ? err : "");
  if ((mark = strstr (mark, ", ticks ")))
    sscanf (mark, ", ticks %u, gaps over 10 15 20 50 ms %u %u %u %u", &run.ticks, &run.gaps[0], &run.gaps[1],
            &run.gaps[2], &run.gaps[3]);
  if ((mark = strstr (out, "first-sync start-up, monotonic us: ")))
    sscanf (mark, "first-sync start-up, monotonic us: window built %" G_GINT64_FORMAT ", presented %"
            G_GINT64_FORMAT ", first request %" G_GINT64_FORMAT " (main thread CPU %" G_GINT64_FORMAT,
            &run.built, &run.presented, &run.request, &run.request_cpu);
  if ((mark = strstr (out, "first-sync CPU us: ")))
    sscanf (mark, "first-sync CPU us: main thread %" G_GINT64_FORMAT ", process %" G_GINT64_FORMAT,
            &run.main_cpu, &run.process_cpu);
  if ((mark = strstr (out, "first-sync gaps less the wait for a core: ")))
    run.has_own = sscanf (mark, "first-sync gaps less the wait for a core: longest %" G_GINT64_FORMAT
                          " us, over 20 ms %u", &run.own_stall, &run.own_gaps) == 2;
  return run;
}

/* Figures by name, one value per round. */
static void
note (GHashTable *rounds,
      const char *name,
      double      value)
{
  GArray *values = g_hash_table_lookup (rounds, name);

  if (values == NULL)
    {
      values = g_array_new (FALSE, FALSE, sizeof (double));
      g_hash_table_insert (rounds, g_strdup (name), values);
    }
  g_array_append_val (values, value);
}

/* The rounds' figure @name: its median (MEDIAN), or for what must hold in every round the
 * largest (LARGEST). */
#define MEDIAN 50
#define LARGEST 100

static void
report_rounds (GHashTable *rounds,
               const char *name,
               double      percentile,
               const char *unit,
               const char *target)
{
  GArray *values = g_hash_table_lookup (rounds, name);

  if (values != NULL)
    si_bench_report (name, si_bench_percentile (values, percentile), unit, target);
}

static void
note_app_run (GHashTable   *rounds,
              const AppRun *run,
              guint         n_records)
{
  /* From spawning the app: its window built and presented, and its first request written. */
  if (run->built > 0 && run->presented > 0 && run->request > 0)
    {
      note (rounds, "app_start_window_built", (run->built - run->start) / 1000.0);
      note (rounds, "app_start_presented", (run->presented - run->start) / 1000.0);
      note (rounds, "app_start_first_request", (run->request - run->start) / 1000.0);
      /* The same in the app's main thread's CPU time: far less noisy on a shared machine. */
      note (rounds, "app_start_first_request_cpu", run->request_cpu / 1000.0);
    }
  note (rounds, "app_first_sync_records_per_s", n_records / ((run->done - run->start) / 1e6));
  /* What the app's first sync cost in CPU, from its start: its main thread's (the window's
   * part), and the whole process's, beside cli_first_sync_cli_cpu_ms. */
  if (run->process_cpu > 0)
    {
      note (rounds, "app_first_sync_main_thread_cpu_ms", run->main_cpu / 1000.0);
      note (rounds, "app_first_sync_process_cpu_ms", run->process_cpu / 1000.0);
    }
  note (rounds, "app_first_sync_longest_stall", run->stall / 1000.0);
  note (rounds, "app_first_sync_busiest_iteration", run->busy / 1000.0);
  note (rounds, "app_first_sync_ticks", run->ticks);
  note (rounds, "app_first_sync_gaps_over_10ms", run->gaps[0]);
  note (rounds, "app_first_sync_gaps_over_15ms", run->gaps[1]);
  note (rounds, "app_first_sync_gaps_over_20ms", run->gaps[2]);
  note (rounds, "app_first_sync_gaps_over_50ms", run->gaps[3]);
  if (run->has_own)
    {
      note (rounds, "app_first_sync_longest_stall_less_core_wait", run->own_stall / 1000.0);
      note (rounds, "app_first_sync_gaps_over_20ms_less_core_wait", run->own_gaps);
    }
}

/* The first full sync of @n_records into an empty notebook by saveidea-cli and, with @app, by
 * the app (window and list live), the two alternating for @n_rounds rounds, each into a
 * notebook of its own. On a shared machine a run now and then takes a third longer than its
 * neighbours: the figures are the medians of the rounds (the peak memory and the main loop's
 * stalls the largest of any round), and the app's share is the median app rate over the
 * median saveidea-cli rate. Each round's pair is printed as well. */
static void
measure_first_syncs (Bench       *bench,
                     const char  *cli,
                     const char  *app,
                     char       **envp,
                     guint        n_records,
                     guint        n_rounds)
{
  g_autoptr(GHashTable) rounds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) g_array_unref);
  double lowest_share = G_MAXDOUBLE;

  for (guint i = 0; i < n_rounds; i++)
    {
      g_autofree char *name = g_strdup_printf ("fresh-%u.db", i);
      g_autofree char *path = g_build_filename (bench->dir, name, NULL);
      Run run;
      double cli_rate;

      si_bench_notebook_set_account (path, bench->url, "bench");
      run = measure_cli_sync (bench, cli, path, envp, n_records, "cli_first_sync", rounds);
      cli_rate = n_records / (run.ms / 1000.0);
      si_bench_remove_tree (path);

      if (app != NULL)
        {
          g_autofree char *home = g_strdup_printf ("%s/app-%u", bench->dir, i);
          /* The app's own notebook under its XDG_DATA_HOME. */
          g_autofree char *own = g_build_filename (home, "saveidea", "saveidea.db", NULL);
          AppRun app_run;
          double app_rate;

          si_bench_notebook_set_account (own, bench->url, "bench");
          app_run = run_app (app, envp, home);
          note_app_run (rounds, &app_run, n_records);
          app_rate = n_records / ((app_run.done - app_run.start) / 1e6);
          printf ("# round %u: saveidea-cli %.0f records/s (CPU %.0f ms), the app %.0f records/s (CPU %.0f ms, "
                  "main thread %.0f ms): %.1f %%\n", i + 1, cli_rate, run.cpu_ms, app_rate,
                  app_run.process_cpu / 1000.0, app_run.main_cpu / 1000.0, 100.0 * app_rate / cli_rate);
          lowest_share = MIN (lowest_share, 100.0 * app_rate / cli_rate);
          si_bench_remove_tree (home);
        }
    }

  printf ("# first syncs: the median of %u round%s\n", n_rounds, n_rounds == 1 ? "" : "s");
  report_rounds (rounds, "cli_first_sync_records_per_s", MEDIAN, "records/s", ">= 20000");
  report_rounds (rounds, "cli_first_sync_server_cpu_ms", MEDIAN, "ms", "");
  report_rounds (rounds, "cli_first_sync_cli_cpu_ms", MEDIAN, "ms", "");
  report_rounds (rounds, "cli_first_sync_peak_rss_mib", LARGEST, "MiB", "");
  report_rounds (rounds, "cli_first_sync_peak_anon_mib", LARGEST, "MiB", "");
  if (app == NULL)
    return;
  printf ("# the app's first sync: GSK_RENDERER=%s\n", g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "cairo");
  report_rounds (rounds, "app_start_window_built", MEDIAN, "ms", "");
  report_rounds (rounds, "app_start_presented", MEDIAN, "ms", "");
  report_rounds (rounds, "app_start_first_request", MEDIAN, "ms", "");
  report_rounds (rounds, "app_start_first_request_cpu", MEDIAN, "ms of CPU", "");
  report_rounds (rounds, "app_first_sync_records_per_s", MEDIAN, "records/s", "");
  /* The target: the app's first sync at least 80 % as fast as saveidea-cli's. */
  si_bench_report ("app_first_sync_share",
                   100.0 * si_bench_percentile (g_hash_table_lookup (rounds, "app_first_sync_records_per_s"), MEDIAN) /
                   si_bench_percentile (g_hash_table_lookup (rounds, "cli_first_sync_records_per_s"), MEDIAN),
                   "%", ">= 80");
  si_bench_report ("app_first_sync_share_lowest_round", lowest_share, "%", "");
  report_rounds (rounds, "app_first_sync_main_thread_cpu_ms", MEDIAN, "ms", "");
  report_rounds (rounds, "app_first_sync_process_cpu_ms", MEDIAN, "ms", "");
  /* The main loop's longest gap between two ticks of a high-priority 2 ms timeout, over its
   * interval, from the first page on: what a person sees as the window freezing. */
  report_rounds (rounds, "app_first_sync_longest_stall", LARGEST, "ms", "<= 20");
  /* The most CPU time the main thread spent in one such gap: the work of one main-loop
   * iteration, without the waits for a core of a busy machine. */
  report_rounds (rounds, "app_first_sync_busiest_iteration", LARGEST, "ms of CPU", "<= 20");
  /* How many of the gaps were long: on a shared machine the longest alone is mostly noise. */
  report_rounds (rounds, "app_first_sync_ticks", MEDIAN, "ticks", "");
  report_rounds (rounds, "app_first_sync_gaps_over_10ms", LARGEST, "gaps", "");
  report_rounds (rounds, "app_first_sync_gaps_over_15ms", LARGEST, "gaps", "");
  report_rounds (rounds, "app_first_sync_gaps_over_20ms", LARGEST, "gaps", "0");
  report_rounds (rounds, "app_first_sync_gaps_over_50ms", LARGEST, "gaps", "0");
  /* The same gaps less the time the main thread waited, runnable, for a core in them (its
   * schedstat run delay): what the app's own work and waits (X round trips, locks) made of
   * each gap, without the share of the cores the bench's server and a busy machine took. */
  report_rounds (rounds, "app_first_sync_longest_stall_less_core_wait", LARGEST, "ms", "");
  report_rounds (rounds, "app_first_sync_gaps_over_20ms_less_core_wait", LARGEST, "gaps", "");
}

/* wrk's requests/s and failed requests (errors and non-2xx answers) at @connections. */
static void
measure_wrk (const char *wrk,
             const char *url,
             const char *token,
             const char *connections)
{
  g_autofree char *header = g_strdup_printf ("Authorization: Bearer %s", token);
  const char *argv[] = { wrk, "-t", "1", "-c", connections, "-d", WRK_SECONDS "s", "-H", header, url, NULL };
  g_autofree char *out = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GError) error = NULL;
  double per_s = 0;
  guint64 failed = 0;
  const char *line;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, NULL, &error))
    g_error ("Could not run wrk: %s", error->message);
  if ((line = strstr (out, "Requests/sec:")))
    per_s = g_ascii_strtod (line + strlen ("Requests/sec:"), NULL);
  if ((line = strstr (out, "Non-2xx or 3xx responses:")))
    failed += g_ascii_strtoull (line + strlen ("Non-2xx or 3xx responses:"), NULL, 10);
  if ((line = strstr (out, "Socket errors:")))
    {
      guint64 n;
      const char *fields[] = { "connect ", "read ", "write ", "timeout " };

      for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
        if ((line = strstr (line, fields[i])) && sscanf (line + strlen (fields[i]), "%" G_GUINT64_FORMAT, &n) == 1)
          failed += n;
    }
  name = g_strdup_printf ("server_noop_wrk_%s_clients_req_per_s", connections);
  si_bench_report (name, per_s, "req/s", g_str_equal (connections, "1") ? "" : ">= 5000");
  g_free (name);
  name = g_strdup_printf ("server_noop_wrk_%s_clients_failed", connections);
  si_bench_report (name, failed, "requests", "0");
}

int
main (int   argc,
      char *argv[])
{
  Bench bench = { 0 };
  const char *cli = argc > 2 ? argv[2] : NULL;
  guint n_ideas = argc > 3 ? (guint) atoi (argv[3]) : 100000;
  const char *app = argc > 4 ? argv[4] : NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *source = NULL;
  guint rounds;
  /* SAVEIDEA_BENCH_NO_WRK=1: only the syncs. */
  g_autofree char *wrk = g_getenv ("SAVEIDEA_BENCH_NO_WRK") ? NULL : g_find_program_in_path ("wrk");
  g_auto(GStrv) envp = g_get_environ ();

  if (argc < 3)
    {
      g_printerr ("usage: bench-cli-sync SERVER_BINARY CLI_BINARY [N_IDEAS [APP_BINARY]]\n");
      return 2;
    }
  bench.server_binary = argv[1];
  bench.dir = g_dir_make_tmp ("saveidea-bench-cli-XXXXXX", &error);
  g_assert_no_error (error);
  si_bench_server_add_user (bench.server_binary, bench.dir, "bench", PASSWORD);
  si_bench_server_add_user (bench.server_binary, bench.dir, "idle", PASSWORD);
  start_server (&bench);
  token = si_bench_server_log_in (bench.url, "bench", PASSWORD);
  envp = g_environ_setenv (envp, "SAVEIDEA_TOKEN", token, TRUE);
  envp = g_environ_setenv (envp, "HOME", bench.dir, TRUE);
  envp = g_environ_setenv (envp, "XDG_DATA_HOME", bench.dir, TRUE);
  envp = g_environ_setenv (envp, "XDG_CONFIG_HOME", bench.dir, TRUE);
  printf ("# saveidea-cli sync as a process of its own, %u ideas, %s\n", n_ideas, bench.url);

  if (g_strcmp0 (g_getenv ("SAVEIDEA_BENCH_UPLOAD_ONLY"), "1") == 0)
    {
      measure_upload (&bench, cli, envp, n_ideas);
      measure_download (&bench, cli, envp);
      si_bench_print_json ();
      g_subprocess_send_signal (bench.server, SIGTERM);
      g_subprocess_wait (bench.server, NULL, NULL);
      g_clear_object (&bench.server);
      si_bench_remove_tree (bench.dir);
      g_free (bench.dir);
      g_free (bench.url);
      return 0;
    }

  source = g_build_filename (bench.dir, "offline.db", NULL);
  if (!si_bench_make_notebook (source, n_ideas, &error))
    g_error ("%s", error->message);
  si_bench_notebook_set_account (source, bench.url, "bench");
  {
    g_autoptr(GHashTable) push = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) g_array_unref);
    const char *figures[][2] = {
      { "cli_push_records_per_s", "records/s" }, { "cli_push_server_cpu_ms", "ms" },
      { "cli_push_cli_cpu_ms", "ms" }, { "cli_push_peak_rss_mib", "MiB" },
      { "cli_push_peak_anon_mib", "MiB" },
    };

    measure_cli_sync (&bench, cli, source, envp, n_ideas, "cli_push", push);
    for (guint i = 0; i < G_N_ELEMENTS (figures); i++)
      report_rounds (push, figures[i][0], MEDIAN, figures[i][1], "");
  }

  if (app != NULL && g_getenv ("DISPLAY") == NULL)
    app = NULL;
  if (app == NULL)
    printf ("# no app or no display: the app's first sync is not measured\n");
  /* SAVEIDEA_BENCH_ROUNDS: how many times each first sync runs (3 with the app, else 1). */
  if (g_getenv ("SAVEIDEA_BENCH_ROUNDS"))
    rounds = (guint) CLAMP (atoi (g_getenv ("SAVEIDEA_BENCH_ROUNDS")), 1, 99);
  else
    rounds = app != NULL ? 3 : 1;
  measure_first_syncs (&bench, cli, app, envp, n_ideas, rounds);

  if (wrk != NULL)
    {
      g_autofree char *idle_token = si_bench_server_log_in (bench.url, "idle", PASSWORD);
      g_autofree char *noop = g_strconcat (bench.url, "/api/v1/changes?since=0", NULL);
      const char *clients[] = { "1", "32", "200" };

      for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
        measure_wrk (wrk, noop, idle_token, clients[i]);
    }
  else if (g_getenv ("SAVEIDEA_BENCH_NO_WRK") != NULL)
    printf ("# SAVEIDEA_BENCH_NO_WRK is set: no server requests/s\n");
  else
    printf ("# wrk is not installed: no server requests/s\n");
  si_bench_print_json ();

  g_subprocess_send_signal (bench.server, SIGTERM);
  g_subprocess_wait (bench.server, NULL, NULL);
  g_clear_object (&bench.server);
  si_bench_remove_tree (bench.dir);
  g_free (bench.dir);
  g_free (bench.url);
  return 0;
}
