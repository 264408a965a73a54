/* bench-store.c — the offline store with a big notebook: open, first screen, edits, search.
 *
 * Usage: bench-store [N_IDEAS] (default 100000). Builds the notebook once in a temporary folder
 * (or reuses SAVEIDEA_BENCH_DB if it names an existing file), then measures.
 */
#define G_LOG_DOMAIN "saveidea-bench"

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <time.h>

#include "si-bench-data.h"
#include "si-idea-list.h"
#include "si-store-private.h"

#define EDITS 2000
/* The same edits with a pause before each save, as when someone types: the app saves 500 ms
 * after the last key press; 150 ms is more than the store's checkpoint thread waits for. */
#define PAUSED_EDITS 200
#define PAUSE_MS 150
#define SEARCHES 500

static void
measure_open (const char *path)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));

  for (int round = 0; round < 5; round++)
    {
      g_autoptr(GError) error = NULL;
      double start = si_bench_now_ms (), elapsed;
      g_autoptr(SiStore) store = si_store_new (path, &error);
      g_autoptr(SiIdeaList) list = NULL;

      if (store == NULL)
        g_error ("%s", error->message);
      list = si_idea_list_new (store);
      for (guint i = 0; i < 50 && i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
        g_object_unref (g_list_model_get_item (G_LIST_MODEL (list), i));
      elapsed = si_bench_now_ms () - start;
      g_array_append_val (samples, elapsed);
    }
  si_bench_report ("store_open_first_50_rows_ms_p50", si_bench_percentile (samples, 50), "ms", "<= 50");
}

/* The CPU time of this thread, in ms: what a save costs without its waits for the disk and
 * for a CPU (7 processes share 2 cores on the machine where the numbers were taken). */
static double
thread_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* One save, taken apart (_si_store_last_write_times ()): what made a slow one slow. */
typedef struct {
  double total, wait, work, commit;
  int    log_before, log_after;     /* the log's pages before and after the save */
  gboolean restarted;               /* the save started the log again (and synced its header) */
  guint  checkpoints, merges;       /* the store's thread's, in the pause before the save */
  gboolean others_wrote;            /* another connection (the thread's) committed meanwhile */
} SaveSample;

static gint64
data_version (SiStore *store)
{
  sqlite3_stmt *stmt = NULL;
  gint64 version = -1;

  if (sqlite3_prepare_v2 (_si_store_get_db (store), "PRAGMA data_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return version;
}

/* The log's first salt (its header's bytes 16–19): it changes whenever a writer starts the
 * log again from its beginning. */
static guint32
log_sequence (SiStore *store)
{
  g_autofree char *wal = g_strconcat (si_store_get_path (store), "-wal", NULL);
  guint8 header[20] = { 0 };
  int fd = open (wal, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return 0;
  if (pread (fd, header, sizeof header, 0) != sizeof header)
    memset (header, 0, sizeof header);
  close (fd);
  return (guint32) header[16] << 24 | header[17] << 16 | header[18] << 8 | header[19];
}

static GArray *
save_edits (SiStore *store,
            guint    n_ideas,
            guint    n_edits,
            guint    pause_ms,
            guint32  seed,
            GArray  *cpu,
            GArray  *pages,
            GArray  *parts)
{
  GArray *samples = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  for (guint i = 0; i < n_edits; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SiIdea) idea = si_store_get_idea (store, g_rand_int_range (rand, 1, n_ideas + 1), &error);
      g_autofree char *body = NULL;
      double start, elapsed, cpu_start, cpu_elapsed, written;
      int log_before, log_after;
      guint checkpoints, merges;
      gint64 version;
      guint32 sequence;
      SaveSample part;

      if (idea == NULL)
        continue;
      checkpoints = _si_store_count_checkpoints (store);
      merges = _si_store_count_search_merges (store);
      version = data_version (store);
      body = g_strdup_printf ("%s %u", si_idea_get_body (idea), i);
      si_idea_set_body (idea, body);
      if (pause_ms > 0)
        g_usleep (pause_ms * 1000);
      part.others_wrote = data_version (store) != version;
      sequence = log_sequence (store);
      log_before = _si_store_log_pages (store);
      cpu_start = thread_cpu_ms ();
      start = si_bench_now_ms ();
      if (!si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error))
        g_error ("%s", error->message);
      elapsed = si_bench_now_ms () - start;
      cpu_elapsed = thread_cpu_ms () - cpu_start;
      g_array_append_val (samples, elapsed);
      g_array_append_val (cpu, cpu_elapsed);
      /* The pages the save wrote to the log (a log started again counts from 0). */
      log_after = _si_store_log_pages (store);
      written = log_after >= log_before ? log_after - log_before : log_after;
      g_array_append_val (pages, written);
      part.total = elapsed;
      _si_store_last_write_times (store, &part.wait, &part.work, &part.commit);
      part.log_before = log_before;
      part.log_after = log_after;
      part.restarted = log_sequence (store) != sequence;
      part.checkpoints = _si_store_count_checkpoints (store) - checkpoints;
      part.merges = _si_store_count_search_merges (store) - merges;
      g_array_append_val (parts, part);
    }
  return samples;
}

static int
by_total_desc (gconstpointer a,
               gconstpointer b)
{
  const SaveSample *x = a, *y = b;

  return x->total < y->total ? 1 : x->total > y->total ? -1 : 0;
}

/* Where the saves' time went: the p99 of each part, how many saves started the log again (each
 * one syncs the log's header before its frames: two fdatasyncs instead of one), and
 * the slowest saves one by one (SAVEIDEA_BENCH_SLOWEST: how many, default 5). */
static void
report_parts (const char *name,
              GArray     *parts)
{
  g_autoptr(GArray) wait = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) work = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) commit = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) sorted = g_array_copy (parts);
  guint restarts = 0, others = 0, slowest = g_getenv ("SAVEIDEA_BENCH_SLOWEST") ? (guint) atoi (g_getenv ("SAVEIDEA_BENCH_SLOWEST")) : 5;
  g_autofree char *wait_name = g_strdup_printf ("%s_lock_wait_ms_p99", name);
  g_autofree char *work_name = g_strdup_printf ("%s_statements_ms_p99", name);
  g_autofree char *commit_name = g_strdup_printf ("%s_commit_ms_p99", name);
  g_autofree char *restart_name = g_strdup_printf ("%s_log_restarts", name);
  g_autofree char *others_name = g_strdup_printf ("%s_after_others_wrote", name);

  for (guint i = 0; i < parts->len; i++)
    {
      SaveSample *p = &g_array_index (parts, SaveSample, i);

      g_array_append_val (wait, p->wait);
      g_array_append_val (work, p->work);
      g_array_append_val (commit, p->commit);
      restarts += p->restarted;
      others += p->others_wrote;
    }
  si_bench_report (wait_name, si_bench_percentile (wait, 99), "ms", "");
  si_bench_report (work_name, si_bench_percentile (work, 99), "ms", "");
  si_bench_report (commit_name, si_bench_percentile (commit, 99), "ms", "");
  si_bench_report (restart_name, restarts, "saves", "");
  si_bench_report (others_name, others, "saves", "");
  g_array_sort (sorted, by_total_desc);
  for (guint i = 0; i < slowest && i < sorted->len; i++)
    {
      SaveSample *p = &g_array_index (sorted, SaveSample, i);

      printf ("# %s slowest %u: %.2f ms = lock wait %.2f + statements %.2f + commit %.2f;"
              " log %d -> %d pages%s; before it the thread ran %u checkpoints, %u merge steps%s\n",
              name, i + 1, p->total, p->wait, p->work, p->commit, p->log_before, p->log_after,
              p->restarted ? " (started again)" : "",
              p->checkpoints, p->merges, p->others_wrote ? ", another connection wrote" : "");
    }
}

static void
measure_edits (SiStore *store,
               guint    n_ideas)
{
  g_autoptr(GArray) cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) paused_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) pages = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) paused_pages = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) parts = g_array_new (FALSE, FALSE, sizeof (SaveSample));
  g_autoptr(GArray) paused_parts = g_array_new (FALSE, FALSE, sizeof (SaveSample));
  g_autoptr(GArray) samples = save_edits (store, n_ideas, EDITS, 0, 7, cpu, pages, parts);
  g_autoptr(GArray) paused = NULL;
  double total = 0;

  /* Back to back: the hard case (the store's thread never sees a pause). */
  si_bench_report ("saved_edit_ms_p50", si_bench_percentile (samples, 50), "ms", "");
  si_bench_report ("saved_edit_ms_p99", si_bench_percentile (samples, 99), "ms", "<= 2");
  /* The saving thread's own work: the wall time less the waits for fsync and for a CPU. */
  si_bench_report ("saved_edit_cpu_ms_p50", si_bench_percentile (cpu, 50), "ms", "");
  si_bench_report ("saved_edit_cpu_ms_p99", si_bench_percentile (cpu, 99), "ms", "");
  for (guint i = 0; i < pages->len; i++)
    total += g_array_index (pages, double, i);
  si_bench_report ("saved_edit_log_pages_mean", total / MAX (pages->len, 1), "pages", "");
  si_bench_report ("saved_edit_log_pages_p50", si_bench_percentile (pages, 50), "pages", "");
  si_bench_report ("saved_edit_log_pages_p99", si_bench_percentile (pages, 99), "pages", "");
  report_parts ("saved_edit", parts);
  /* A search right after the burst, while its edits may still wait for the index. */
  {
    g_autoptr(GArray) searches = g_array_new (FALSE, FALSE, sizeof (double));
    static const char *const words[] = { "ide", "pla", "mee", "gar", "tri" };

    for (guint i = 0; i < G_N_ELEMENTS (words); i++)
      {
        SiIdeaFilter filter = { .search = words[i] };
        g_autoptr(GError) error = NULL;
        g_autoptr(GArray) keys = NULL;
        double start = si_bench_now_ms (), elapsed;

        if (!(keys = si_store_query_ideas (store, &filter, &error)))
          g_error ("%s", error->message);
        elapsed = si_bench_now_ms () - start;
        g_array_append_val (searches, elapsed);
      }
    si_bench_report ("search_after_burst_ms_p50", si_bench_percentile (searches, 50), "ms", "");
    si_bench_report ("search_waiting_ideas", si_store_get_search_pending (store), "ideas", "");
  }
  /* Someone typing leaves a few ideas at a time for the store's thread to index in the pauses
   * (it leaves a backlog of more than 256 to the fill after a sync): the paused saves meet
   * that fill, as the app's do. The burst's backlog is filled first, as the app's first
   * search or sync after it would. */
  {
    g_autoptr(GError) error = NULL;
    double start = si_bench_now_ms ();

    if (!si_store_fill_search (store, NULL, &error))
      g_error ("%s", error->message);
    si_bench_report ("search_fill_after_burst_ms", si_bench_now_ms () - start, "ms", "");
    _si_store_wait_checkpoints (store);
  }
  paused = save_edits (store, n_ideas, PAUSED_EDITS, PAUSE_MS, 8, paused_cpu, paused_pages, paused_parts);
  si_bench_report ("search_waiting_after_pauses", si_store_get_search_pending (store), "ideas", "");
  si_bench_report ("saved_edit_paused_ms_p50", si_bench_percentile (paused, 50), "ms", "");
  si_bench_report ("saved_edit_paused_ms_p99", si_bench_percentile (paused, 99), "ms", "");
  si_bench_report ("saved_edit_paused_cpu_ms_p99", si_bench_percentile (paused_cpu, 99), "ms", "");
  {
    guint yielded = 0, overrun = 0;

    _si_store_checkpointer_steps (_si_store_get_checkpointer (store), &yielded, &overrun);
    /* The store's thread's fill and merge steps that a save found under way: ended at once
     * for it, or waited for to their end. */
    si_bench_report ("thread_steps_yielded", yielded, "steps", "");
    si_bench_report ("thread_steps_waited_for", overrun, "steps", "");
  }
  report_parts ("saved_edit_paused", paused_parts);
}

/* Prefixes of 2 to 6 letters of words drawn as they appear in the notes; the p50 of each
 * length too, since short prefixes match many more ideas. */
static void
measure_search (SiStore *store)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  GArray *by_length[7] = { NULL };
  guint done = 0;
  /* SAVEIDEA_BENCH_SEARCHES: fewer, for runs about the saves. */
  guint n_searches = g_getenv ("SAVEIDEA_BENCH_SEARCHES") ? (guint) atoi (g_getenv ("SAVEIDEA_BENCH_SEARCHES")) : SEARCHES;

  for (guint len = 2; len <= 6; len++)
    by_length[len] = g_array_new (FALSE, FALSE, sizeof (double));

  while (done < MAX (n_searches, 5))
    {
      const char *w = si_bench_word (rand);
      guint len = 2 + done % 5;
      g_autofree char *prefix = NULL;
      SiIdeaFilter filter = { 0 };
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) keys = NULL;
      double start, elapsed;

      if ((guint) g_utf8_strlen (w, -1) < len)
        continue;
      prefix = g_utf8_substring (w, 0, len);
      filter.search = prefix;
      start = si_bench_now_ms ();
      keys = si_store_query_ideas (store, &filter, &error);
      if (keys == NULL)
        g_error ("%s", error->message);
      elapsed = si_bench_now_ms () - start;
      g_array_append_val (samples, elapsed);
      g_array_append_val (by_length[len], elapsed);
      done++;
    }
  /* The same prefixes inside one tag (the sidebar's tag, then a search). */
  {
    g_autoptr(GArray) in_tag = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(GRand) again = g_rand_new_with_seed (11);

    for (guint i = 0; i < 100;)
      {
        const char *w = si_bench_word (again);
        g_autofree char *prefix = NULL;
        SiIdeaFilter filter = { .tag_id = 1 };
        g_autoptr(GError) error = NULL;
        g_autoptr(GArray) keys = NULL;
        double start, elapsed;

        if (g_utf8_strlen (w, -1) < 3)
          continue;
        prefix = g_utf8_substring (w, 0, 2 + i % 3);
        filter.search = prefix;
        start = si_bench_now_ms ();
        if (!(keys = si_store_query_ideas (store, &filter, &error)))
          g_error ("%s", error->message);
        elapsed = si_bench_now_ms () - start;
        g_array_append_val (in_tag, elapsed);
        i++;
      }
    si_bench_report ("search_in_tag_ms_p50", si_bench_percentile (in_tag, 50), "ms", "");
    si_bench_report ("search_in_tag_ms_p99", si_bench_percentile (in_tag, 99), "ms", "");
  }
  si_bench_report ("search_prefix_2_6_ms_p50", si_bench_percentile (samples, 50), "ms", "<= 5");
  si_bench_report ("search_prefix_2_6_ms_p99", si_bench_percentile (samples, 99), "ms", "");
  for (guint len = 2; len <= 6; len++)
    {
      g_autofree char *name = g_strdup_printf ("search_prefix_%u_ms_p50", len);
      si_bench_report (name, si_bench_percentile (by_length[len], 50), "ms", "");
      g_array_unref (by_length[len]);
    }
}

int
main (int   argc,
      char *argv[])
{
  guint n_ideas = argc > 1 ? (guint) atoi (argv[1]) : 100000;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SiStore) store = NULL;
  const char *reuse = g_getenv ("SAVEIDEA_BENCH_DB");

  if (reuse && g_file_test (reuse, G_FILE_TEST_EXISTS))
    path = g_strdup (reuse);
  else
    {
      double start;

      dir = g_dir_make_tmp ("saveidea-bench-XXXXXX", &error);
      g_assert_no_error (error);
      path = g_build_filename (dir, "bench.db", NULL);
      store = si_store_new (path, &error);
      g_assert_no_error (error);
      start = si_bench_now_ms ();
      if (!si_bench_fill_store (store, n_ideas, 42, &error))
        g_error ("%s", error->message);
      si_bench_report ("generate_ideas_per_s", n_ideas / ((si_bench_now_ms () - start) / 1000.0), "ideas/s", "");
      g_clear_object (&store);
      if (reuse)
        {
          g_autoptr(GFile) from = g_file_new_for_path (path);
          g_autoptr(GFile) to = g_file_new_for_path (reuse);
          g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, NULL);
        }
    }

  printf ("# %u ideas in %s\n", n_ideas, path);
  measure_open (path);
  store = si_store_new (path, &error);
  g_assert_no_error (error);
  measure_search (store);
  measure_edits (store, n_ideas);
  si_bench_print_json ();

  if (dir)
    {
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (path, "-shm", NULL);
      g_clear_object (&store);
      g_unlink (path);
      g_unlink (wal);
      g_unlink (shm);
      g_rmdir (dir);
    }
  return 0;
}
