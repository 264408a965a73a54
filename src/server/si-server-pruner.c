/* si-server-pruner.c — the background pruning of kept versions (see si-server-pruner.h).
 *
 * It never blocks a request for long: it has its own connection, and the storage prunes in
 * transactions of at most _si_server_storage_tx_rows() rows, taking its turn among the writers
 * like any request. */
#define G_LOG_DOMAIN "saveidea-server"

#include "config.h"

#include "si-server-pruner.h"

#define FIRST_PASS_SECONDS 5

struct _SiServerPruner
{
  char         *database;
  char         *data_dir;
  guint         first_delay;
  guint         interval;
  GThread      *thread;
  GMutex        mutex;
  GCond         cond;
  gboolean      stopping;
  GCancellable *cancellable;
};

/* Waits @seconds or until stopped; TRUE when stopped. */
static gboolean
wait_or_stop (SiServerPruner *self,
              guint           seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_TIME_SPAN_SECOND;
  gboolean stopping;

  g_mutex_lock (&self->mutex);
  while (!self->stopping && g_cond_wait_until (&self->cond, &self->mutex, deadline))
    ;
  stopping = self->stopping;
  g_mutex_unlock (&self->mutex);
  return stopping;
}

static gpointer
pruner_thread (gpointer user_data)
{
  SiServerPruner *self = user_data;
  g_autoptr(SiServerStorage) storage = NULL;
  guint delay = self->first_delay;

  while (!wait_or_stop (self, delay))
    {
      g_autoptr(GError) error = NULL;

      delay = self->interval;
      if (storage == NULL)
        storage = si_server_storage_open (self->database, self->data_dir, &error);
      if (storage == NULL ||
          !si_server_storage_history_prune_all (storage, g_get_real_time () / 1000, self->cancellable, &error))
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_warning ("Pruning kept versions failed (tried again in %u s): %s", delay, error->message);
          if (g_error_matches (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_UNAVAILABLE))
            g_clear_object (&storage);
        }
    }
  return NULL;
}

SiServerPruner *
si_server_pruner_start (const char *database,
                        const char *data_dir,
                        guint       interval_seconds)
{
  SiServerPruner *self = g_new0 (SiServerPruner, 1);
  const char *test = g_getenv ("SAVEIDEA_SERVER_TEST_PRUNE_SECONDS");
  gint64 seconds = 0;

  g_return_val_if_fail (database != NULL || data_dir != NULL, NULL);

  self->database = g_strdup (database);
  self->data_dir = g_strdup (data_dir);
  self->interval = MAX (interval_seconds, 1);
  self->first_delay = FIRST_PASS_SECONDS;
  if (test != NULL && si_wire_int64_parse (test, -1, 1, 86400, &seconds))
    self->interval = self->first_delay = (guint) seconds;
  self->cancellable = g_cancellable_new ();
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->thread = g_thread_new ("pruner", pruner_thread, self);
  return self;
}

void
si_server_pruner_stop (SiServerPruner *self)
{
  if (self == NULL)
    return;
  g_mutex_lock (&self->mutex);
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
  g_cancellable_cancel (self->cancellable);
  g_thread_join (self->thread);

  g_clear_object (&self->cancellable);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_free (self->database);
  g_free (self->data_dir);
  g_free (self);
}
