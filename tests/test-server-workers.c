/* test-server-workers.c — saveidea-server's worker threads (si-server-workers.c): every job
 * runs once in a worker and comes back once on the main loop, and a burst of jobs wakes as
 * many threads as it needs although the main loop wakes only one. */
#include "config.h"

#include <string.h>

#include "si-server-workers.h"

#define N_THREADS 4
#define WAIT_SECONDS 5

typedef struct {
  GMutex   lock;
  GCond    changed;
  guint    running;    /* jobs inside run() at once */
  guint    together;   /* how many of them met the others there */
  guint    done;
  GThread *main_thread;
  gboolean done_off_main;
  gboolean run_on_main;
  gboolean wait_for_all;
} Fixture;

typedef struct {
  Fixture *fixture;
  guint    runs;
  guint    dones;
} Job;

static void
job_run (gpointer data,
         gpointer user_data)
{
  Job *job = data;
  Fixture *fixture = user_data;
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

  g_mutex_lock (&fixture->lock);
  job->runs++;
  if (g_thread_self () == fixture->main_thread)
    fixture->run_on_main = TRUE;
  fixture->running++;
  g_cond_broadcast (&fixture->changed);
  /* Each job of a burst waits for all of them to run at once: one thread each. */
  while (fixture->wait_for_all && fixture->running < N_THREADS)
    if (!g_cond_wait_until (&fixture->changed, &fixture->lock, deadline))
      break;
  if (fixture->running == N_THREADS)
    fixture->together++;
  g_mutex_unlock (&fixture->lock);
}

static void
job_done (gpointer data,
          gpointer user_data)
{
  Job *job = data;
  Fixture *fixture = user_data;

  if (g_thread_self () != fixture->main_thread)
    fixture->done_off_main = TRUE;
  job->dones++;
  fixture->done++;
}

static void
fixture_init (Fixture *fixture)
{
  memset (fixture, 0, sizeof *fixture);
  g_mutex_init (&fixture->lock);
  g_cond_init (&fixture->changed);
  fixture->main_thread = g_thread_self ();
}

static void
fixture_clear (Fixture *fixture)
{
  g_mutex_clear (&fixture->lock);
  g_cond_clear (&fixture->changed);
}

static void
wait_for_done (Fixture *fixture,
               guint    n)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (fixture->done < n && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (fixture->done, ==, n);
}

/* Four jobs pushed at once, each waiting in run() until all four are there: they pass only if
 * the workers woke one another, since the main loop woke one thread. */
static void
test_burst_wakes_threads (void)
{
  Fixture fixture;
  Job jobs[N_THREADS] = { 0 };
  SiServerWorkers *workers;

  fixture_init (&fixture);
  fixture.wait_for_all = TRUE;
  workers = si_server_workers_new (g_main_context_default (), job_run, job_done, &fixture);
  for (guint i = 0; i < N_THREADS; i++)
    si_server_workers_add_thread (workers);
  /* Let the threads go to sleep first. */
  g_usleep (100 * 1000);

  for (guint i = 0; i < N_THREADS; i++)
    {
      jobs[i].fixture = &fixture;
      si_server_workers_push (workers, &jobs[i]);
    }
  wait_for_done (&fixture, N_THREADS);
  g_assert_cmpuint (fixture.together, ==, N_THREADS);
  for (guint i = 0; i < N_THREADS; i++)
    {
      g_assert_cmpuint (jobs[i].runs, ==, 1);
      g_assert_cmpuint (jobs[i].dones, ==, 1);
    }
  si_server_workers_free (workers);
  fixture_clear (&fixture);
}

/* Many jobs, in bursts and one by one while the threads sleep: each runs once off the main
 * loop and comes back once on it. */
static void
test_every_job_once (void)
{
  const guint n = 2000;
  Fixture fixture;
  g_autofree Job *jobs = g_new0 (Job, n);
  SiServerWorkers *workers;
  guint pushed = 0;

  fixture_init (&fixture);
  workers = si_server_workers_new (g_main_context_default (), job_run, job_done, &fixture);
  for (guint i = 0; i < N_THREADS; i++)
    si_server_workers_add_thread (workers);

  while (pushed < n)
    {
      guint burst = MIN (1 + pushed % 37, n - pushed);

      for (guint i = 0; i < burst; i++, pushed++)
        {
          jobs[pushed].fixture = &fixture;
          si_server_workers_push (workers, &jobs[pushed]);
        }
      /* Sometimes all come back and the threads sleep before the next burst. */
      if (pushed % 5 == 0)
        wait_for_done (&fixture, pushed);
      else
        g_main_context_iteration (NULL, FALSE);
    }
  wait_for_done (&fixture, n);
  g_assert_false (fixture.run_on_main);
  g_assert_false (fixture.done_off_main);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpuint (jobs[i].runs, ==, 1);
      g_assert_cmpuint (jobs[i].dones, ==, 1);
    }
  si_server_workers_free (workers);
  fixture_clear (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server-workers/burst-wakes-threads", test_burst_wakes_threads);
  g_test_add_func ("/server-workers/every-job-once", test_every_job_once);
  return g_test_run ();
}
