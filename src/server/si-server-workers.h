/* si-server-workers.h — saveidea-server's worker threads and the hand-over of jobs between them
 * and the main loop.
 *
 *   workers = si_server_workers_new (context, run, done, data);
 *   si_server_workers_add_thread (workers);     one per database connection
 *   si_server_workers_push (workers, job);      main loop: run (job, data) in a worker, then
 *                                               done (job, data) back on @context
 *   si_server_workers_free (workers);           runs what is queued, then joins the threads
 *
 * Unlike a GThreadPool, which wakes an idle thread at every push, the main loop wakes one
 * worker per iteration, for all the jobs it pushed, just before it polls; a worker that takes a
 * job while more wait wakes the next one. So the requests read in one main-loop iteration cost
 * the main loop one wake-up, not one each (a futex wake was 11 % of the main loop's time at
 * 9,000 no-op requests a second). Finished jobs come back through one GSource, which a worker
 * wakes only when it finds none waiting, instead of a new GSource for each job.
 *
 * Jobs are pushed from @context's thread, while it iterates @context.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SiServerWorkers SiServerWorkers;

typedef void (*SiServerWorkFunc) (gpointer job,
                                  gpointer user_data);

SiServerWorkers *si_server_workers_new        (GMainContext     *context,
                                               SiServerWorkFunc  run,
                                               SiServerWorkFunc  done,
                                               gpointer          user_data);
void             si_server_workers_add_thread (SiServerWorkers  *self);
void             si_server_workers_push       (SiServerWorkers  *self,
                                               gpointer          job);
void             si_server_workers_free       (SiServerWorkers  *self);

G_END_DECLS
