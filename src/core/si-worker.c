/* si-worker.c — the threads that do a notebook's bulk work off the main loop: a pulled page's
 * decoding and applying (si-sync-engine-pull.c) and the search index's fill
 * (si-store-search-index.c).
 *
 * They are this process's own threads (an exclusive GThreadPool, started at the first job),
 * not GLib's shared pool, so that the app can give them a lower priority than its main thread
 * without lowering everything else GIO runs on GLib's threads: si_worker_set_nice(), which the
 * app calls at startup. On a machine whose cores are all busy, a worker then waits for a core
 * rather than the main thread, whose frames are a few milliseconds each; when a core is free,
 * a worker runs as fast as before. Where the kernel refuses, the workers run at the process's
 * own priority. */
#define G_LOG_DOMAIN "saveidea-store"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#include "si-worker.h"

/* Enough for a pull's decode and apply side by side and a search fill, of two notebooks. */
#define N_WORKERS 4

typedef struct {
  GTask           *task;
  GTaskThreadFunc  func;
} Job;

static int nice_increment;   /* read by each worker at its first job */
static int jobs_run;         /* atomic */

/**
 * si_worker_set_nice:
 * @increment: how much lower (0–19) than the process the workers run
 *
 * Sets the priority of the workers (nice(2): the process's nice value plus @increment, at most
 * 19), which each takes before its next job. Only ever raise it: an unprivileged process cannot
 * give a thread back a priority it lowered.
 */
void
si_worker_set_nice (int increment)
{
  g_return_if_fail (increment >= 0 && increment <= 19);

  g_atomic_int_set (&nice_increment, increment);
}

/* The nice increment set by si_worker_set_nice(), 0 unless a process asked for one. */
int
si_worker_get_nice (void)
{
  return g_atomic_int_get (&nice_increment);
}

/* This thread's id for setpriority(2), which takes a thread's id on Linux; 0 (the process)
 * elsewhere, where nothing is changed. */
static int
this_thread_id (void)
{
#ifdef __linux__
  return (int) syscall (SYS_gettid);
#else
  return 0;
#endif
}

/* Lowers this thread's priority by @by (nice(2) values, at most to 19). A failure changes
 * nothing: the worker runs at the priority it had. */
static void
lower_this_thread (int by)
{
  int tid = this_thread_id ();
  int current;

  if (by <= 0 || tid == 0)
    return;
  errno = 0;
  current = getpriority (PRIO_PROCESS, tid);
  if (current == -1 && errno != 0)
    return;
  if (setpriority (PRIO_PROCESS, tid, MIN (current + by, 19)) != 0)
    g_debug ("A worker keeps its priority: %s", g_strerror (errno));
}

static void
run_job (gpointer data,
         gpointer user_data)
{
  /* The increment this worker has taken, plus one; 0 before its first job. */
  static GPrivate taken;
  int done = GPOINTER_TO_INT (g_private_get (&taken));
  int wanted = g_atomic_int_get (&nice_increment);
  Job *job = data;
  GTask *task = job->task;

  if (done == 0)
    {
#ifdef __linux__
      /* Its name for ps, top and perf. */
      prctl (PR_SET_NAME, "saveidea-worker", 0, 0, 0);
#endif
      done = 1;
    }
  /* Checked at each job: a worker started before si_worker_set_nice() takes it too. */
  if (wanted + 1 > done)
    {
      lower_this_thread (wanted + 1 - done);
      done = wanted + 1;
    }
  g_private_set (&taken, GINT_TO_POINTER (done));
  /* As g_task_run_in_thread() does; a g_task_return_*() here completes the task on its own
   * main context. */
  job->func (task, g_task_get_source_object (task), g_task_get_task_data (task), g_task_get_cancellable (task));
  g_atomic_int_inc (&jobs_run);
  g_object_unref (task);
  g_free (job);
}

/* The workers, started at the first call; NULL when the threads could not be started. */
static GThreadPool *
get_pool (void)
{
  static gsize once;
  static GThreadPool *pool;

  if (g_once_init_enter (&once))
    {
      g_autoptr(GError) error = NULL;

      /* Exclusive: its threads stay its own, never lent to GLib's other pools at a lower
       * priority. */
      pool = g_thread_pool_new (run_job, NULL, N_WORKERS, TRUE, &error);
      if (pool == NULL)
        g_warning ("Could not start the worker threads (%s): GLib's run their jobs", error->message);
      g_once_init_leave (&once, 1);
    }
  return pool;
}

/**
 * si_worker_run_in_thread:
 * @task: a #GTask
 * @func: what runs on a worker
 *
 * Runs @func on one of the workers, as g_task_run_in_thread() does on GLib's pool (and there,
 * when the workers could not be started): @func gets the task's source object, data and
 * cancellable, and returns the task's result with a g_task_return_*(); the task's callback
 * runs on the main context the task was made in.
 */
void
si_worker_run_in_thread (GTask           *task,
                         GTaskThreadFunc  func)
{
  GThreadPool *pool;
  Job *job;

  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (func != NULL);

  pool = get_pool ();
  if (pool == NULL)
    {
      g_task_run_in_thread (task, func);
      return;
    }
  job = g_new0 (Job, 1);
  job->task = g_object_ref (task);
  job->func = func;
  /* An exclusive pool's threads are all running: a push starts none and cannot fail. */
  g_thread_pool_push (pool, job, NULL);
}

/* How many jobs the workers have finished (for the tests). */
guint
_si_worker_get_jobs_run (void)
{
  return (guint) g_atomic_int_get (&jobs_run);
}
