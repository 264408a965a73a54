/* si-server-workers.c — saveidea-server's worker threads (si-server-workers.h says why they
 * are not a GThreadPool).
 *
 * One lock guards the jobs to run and the threads' states; another the finished jobs. The
 * rule that keeps a queued job from waiting while a thread sleeps: whenever a job is queued
 * and some thread sleeps, a wake-up is on its way (wake_pending), sent by the main loop before
 * it polls next or by the thread that took the job before it; the thread it wakes clears it.
 *
 * The main loop's wake-up is sent from the finished jobs' GSource's prepare(), which GLib calls
 * at every iteration before polling unless a source of a higher priority is ready: none of the
 * server's sources has one (they are all G_PRIORITY_DEFAULT or lower, as this one is).
 */
#define G_LOG_DOMAIN "saveidea-server"

#include "config.h"

#include "si-server-workers.h"

typedef struct {
  GSource          source;
  SiServerWorkers *workers;
} DoneSource;

struct _SiServerWorkers
{
  SiServerWorkFunc  run;
  SiServerWorkFunc  done;
  gpointer          user_data;

  GMutex            lock;
  GCond             wake;
  GQueue            jobs;          /* to run */
  GPtrArray        *threads;
  guint             n_sleeping;
  gboolean          wake_pending;  /* a sleeping thread was woken and has not run yet */
  gboolean          wake_owed;     /* jobs were pushed in this main-loop iteration */
  gboolean          stopping;

  GMutex            done_lock;
  GQueue            finished;      /* run, for done() on the main loop */
  GSource          *done_source;
  GMainContext     *context;
};

/* ---------------------------------------------------------------------------------------- */
/* finished jobs, back on the main loop */

static gboolean
done_ready (SiServerWorkers *self)
{
  gboolean ready;

  g_mutex_lock (&self->done_lock);
  ready = self->finished.length > 0;
  g_mutex_unlock (&self->done_lock);
  return ready;
}

static void wake_for_pushed (SiServerWorkers *self);

/* Before the main loop polls, that is once the iteration that pushed jobs has dispatched all
 * it had to: wake a worker for all of them. */
static gboolean
done_source_prepare (GSource *source,
                     int     *timeout)
{
  SiServerWorkers *self = ((DoneSource *) source)->workers;

  *timeout = -1;
  wake_for_pushed (self);
  return done_ready (self);
}

static gboolean
done_source_check (GSource *source)
{
  return done_ready (((DoneSource *) source)->workers);
}

static gboolean
done_source_dispatch (GSource     *source,
                      GSourceFunc  callback,
                      gpointer     user_data)
{
  SiServerWorkers *self = ((DoneSource *) source)->workers;
  GQueue finished = G_QUEUE_INIT;
  gpointer job;

  /* All of them at once: a worker that finishes meanwhile finds the queue empty and wakes the
   * main loop again. */
  g_mutex_lock (&self->done_lock);
  finished = self->finished;
  g_queue_init (&self->finished);
  g_mutex_unlock (&self->done_lock);

  while ((job = g_queue_pop_head (&finished)) != NULL)
    self->done (job, self->user_data);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs done_source_funcs = {
  .prepare = done_source_prepare,
  .check = done_source_check,
  .dispatch = done_source_dispatch,
};

static void
job_finished (SiServerWorkers *self,
              gpointer         job)
{
  gboolean was_empty;

  g_mutex_lock (&self->done_lock);
  was_empty = self->finished.length == 0;
  g_queue_push_tail (&self->finished, job);
  g_mutex_unlock (&self->done_lock);
  /* Not empty: the main loop was woken for the first, and takes this one with it. */
  if (was_empty)
    g_main_context_wakeup (self->context);
}

/* ---------------------------------------------------------------------------------------- */
/* the threads */

/* With the lock held: a job waits and a thread sleeps, and no wake-up is on its way. */
static void
wake_one_locked (SiServerWorkers *self)
{
  if (self->jobs.length > 0 && self->n_sleeping > 0 && !self->wake_pending)
    {
      self->wake_pending = TRUE;
      g_cond_signal (&self->wake);
    }
}

/* Main loop: one wake-up for the jobs pushed since the last. */
static void
wake_for_pushed (SiServerWorkers *self)
{
  if (!self->wake_owed)
    return;
  g_mutex_lock (&self->lock);
  self->wake_owed = FALSE;
  wake_one_locked (self);
  g_mutex_unlock (&self->lock);
}

static gpointer
worker_thread (gpointer data)
{
  SiServerWorkers *self = data;

  g_mutex_lock (&self->lock);
  for (;;)
    {
      gpointer job = g_queue_pop_head (&self->jobs);

      if (job != NULL)
        {
          wake_one_locked (self);
          g_mutex_unlock (&self->lock);
          self->run (job, self->user_data);
          job_finished (self, job);
          g_mutex_lock (&self->lock);
          continue;
        }
      if (self->stopping)
        break;
      self->n_sleeping++;
      g_cond_wait (&self->wake, &self->lock);
      self->n_sleeping--;
      self->wake_pending = FALSE;
    }
  g_mutex_unlock (&self->lock);
  return NULL;
}

SiServerWorkers *
si_server_workers_new (GMainContext     *context,
                       SiServerWorkFunc  run,
                       SiServerWorkFunc  done,
                       gpointer          user_data)
{
  SiServerWorkers *self = g_new0 (SiServerWorkers, 1);

  g_return_val_if_fail (context != NULL && run != NULL && done != NULL, NULL);

  self->run = run;
  self->done = done;
  self->user_data = user_data;
  g_mutex_init (&self->lock);
  g_cond_init (&self->wake);
  g_queue_init (&self->jobs);
  self->threads = g_ptr_array_new ();
  g_mutex_init (&self->done_lock);
  g_queue_init (&self->finished);
  self->context = g_main_context_ref (context);
  self->done_source = g_source_new (&done_source_funcs, sizeof (DoneSource));
  ((DoneSource *) self->done_source)->workers = self;
  g_source_set_static_name (self->done_source, "saveidea-server finished jobs");
  g_source_attach (self->done_source, context);
  return self;
}

void
si_server_workers_add_thread (SiServerWorkers *self)
{
  g_autoptr(GError) error = NULL;
  GThread *thread;

  g_return_if_fail (self != NULL);

  thread = g_thread_try_new ("worker", worker_thread, self, &error);
  if (thread == NULL)
    {
      g_warning ("Could not start worker thread %u: %s", self->threads->len + 1, error->message);
      return;
    }
  g_ptr_array_add (self->threads, thread);
}

void
si_server_workers_push (SiServerWorkers *self,
                        gpointer         job)
{
  g_return_if_fail (self != NULL && job != NULL);
  g_return_if_fail (self->threads->len > 0);

  g_mutex_lock (&self->lock);
  g_queue_push_tail (&self->jobs, job);
  g_mutex_unlock (&self->lock);
  self->wake_owed = TRUE;
}

/* Main loop, once every job pushed has come back through done(). */
void
si_server_workers_free (SiServerWorkers *self)
{
  g_return_if_fail (self != NULL);
  g_warn_if_fail (self->jobs.length == 0);

  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_cond_broadcast (&self->wake);
  g_mutex_unlock (&self->lock);
  for (guint i = 0; i < self->threads->len; i++)
    g_thread_join (g_ptr_array_index (self->threads, i));
  g_ptr_array_unref (self->threads);

  g_warn_if_fail (self->finished.length == 0);
  g_source_destroy (self->done_source);
  g_source_unref (self->done_source);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->wake);
  g_mutex_clear (&self->done_lock);
  g_free (self);
}
