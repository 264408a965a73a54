/* si-worker.h — the threads that do a notebook's bulk work off the main loop. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A process that draws a window asks for its workers to yield to its main thread. */
#define SI_WORKER_NICE_BACKGROUND 10

void     si_worker_set_nice      (int              increment);
int      si_worker_get_nice      (void);
void     si_worker_run_in_thread (GTask           *task,
                                  GTaskThreadFunc  func);
guint    _si_worker_get_jobs_run (void);

G_END_DECLS
