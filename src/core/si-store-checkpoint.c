/* si-store-checkpoint.c — the notebook's write-ahead log copied into the database off the
 * save path.
 *
 * SQLite's automatic checkpoint runs inside the commit that takes the WAL past 1,000 pages:
 * that one save then also copies the log into the database file and waits for its fsync
 * (10–20 ms on this kind of disk), which made the p99 of a saved edit. The store replaces it
 * (sqlite3_wal_hook() reports the WAL's size after each commit): past 1,000 pages, a thread of
 * the store's, with a connection of its own, runs a PASSIVE checkpoint once the notebook has
 * been quiet for QUIET_MS — between two bursts of typing, not during one, so that it neither
 * delays a save nor races the writer (a log whose every page is copied while nobody writes is
 * started again from its beginning by the next save; one copied under a writer never is).
 * Under writes that never pause (an import, a long sync), the log would grow without end: at
 * CAP_PAGES the commit checkpoints itself, as SQLite would have, only less often.
 *
 * A save still waits for the fsync of its own commit (synchronous = FULL: an acknowledged idea
 * survives a power cut); only the copying moved. The thread starts with the first checkpoint a
 * store needs (a short `saveidea-cli add` never starts one) and ends with the store; the last
 * connection to close the notebook checkpoints what is left, as SQLite always does.
 */
#define G_LOG_DOMAIN "saveidea-store"

#include "config.h"

#include "si-store-private.h"

/* SQLite's default for the automatic checkpoint (SQLITE_DEFAULT_WAL_AUTOCHECKPOINT). */
#define CHECKPOINT_PAGES 1000
/* How long the notebook must be quiet before the thread copies the log. */
#define QUIET_MS 100
/* Past this, a commit checkpoints itself (about 16 MiB of log with 4 KiB pages). */
#define CAP_PAGES 4000
/* Writes that do not pause: past BURST_PAGES, the thread copies the log without waiting for a
 * quiet moment, once for every BURST_STEP pages the log grew, so that the commit at CAP_PAGES
 * has only the last few hundred pages left to copy (not 4,000: 20–46 ms). */
#define BURST_PAGES 1500
#define BURST_STEP 500

struct _SiStoreCheckpointer {
  char    *path;
  GThread *thread;
  GMutex   mutex;
  GCond    cond;
  gboolean pending;   /* a checkpoint was asked for and has not started */
  gboolean running;
  gboolean quit;
  gint64   last_commit;  /* monotonic time of the store's last commit */
  int      log_pages;    /* the log's size after the store's last commit */
  int      copied_at;    /* the log's size when the thread's last copy started */
  guint    done;         /* checkpoints the thread has run */
};

static sqlite3 *
open_connection (const char *path)
{
  sqlite3 *db = NULL;
  int rc;

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_busy_timeout (db, 1000);
      /* The database file is fsynced after the copy, before the log may be reused. */
      rc = sqlite3_exec (db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
    }
  if (rc != SQLITE_OK)
    {
      g_debug ("No checkpoint connection to %s: %s", path, db ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
      sqlite3_close (db);
      return NULL;
    }
  return db;
}

/* Whether the log grew enough during a burst of writes to copy it without a pause. */
static gboolean
burst_copy_due (SiStoreCheckpointer *self)
{
  /* The log was started again since the last copy: its size counts from 0. */
  if (self->log_pages < self->copied_at)
    self->copied_at = 0;
  return self->log_pages >= BURST_PAGES && self->log_pages >= self->copied_at + BURST_STEP;
}

static gpointer
checkpoint_thread (gpointer data)
{
  SiStoreCheckpointer *self = data;
  sqlite3 *db = NULL;

  g_mutex_lock (&self->mutex);
  for (;;)
    {
      int rc, log_pages = -1, copied = -1;

      while (!self->pending && !self->quit)
        g_cond_wait (&self->cond, &self->mutex);
      /* Each commit moves the quiet moment further, unless the writes do not pause. A copy
       * while the store writes does not block it (PASSIVE), but it cannot end with the whole
       * log copied, so the log is not started again: only a copy in a pause, or the commit
       * at CAP_PAGES, does that. */
      while (!self->quit && !burst_copy_due (self) &&
             g_get_monotonic_time () < self->last_commit + QUIET_MS * 1000)
        g_cond_wait_until (&self->cond, &self->mutex, self->last_commit + QUIET_MS * 1000);
      if (self->quit)
        break;
      self->pending = FALSE;
      self->copied_at = self->log_pages;
      self->running = TRUE;
      g_mutex_unlock (&self->mutex);

      if (db == NULL)
        db = open_connection (self->path);
      if (db != NULL)
        {
          rc = sqlite3_wal_checkpoint_v2 (db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_pages, &copied);
          if (rc != SQLITE_OK)
            g_debug ("Checkpoint of %s: %s", self->path, sqlite3_errmsg (db));
          else
            g_debug ("Checkpoint of %s: %d of %d pages copied", self->path, copied, log_pages);
        }

      g_mutex_lock (&self->mutex);
      self->running = FALSE;
      self->done++;
      g_cond_broadcast (&self->cond);
    }
  g_mutex_unlock (&self->mutex);
  sqlite3_close (db);
  return NULL;
}

static int
wal_hook (void       *data,
          sqlite3    *db,
          const char *name,
          int         pages)
{
  SiStoreCheckpointer *self = data;

  if (pages < CHECKPOINT_PAGES)
    return SQLITE_OK;
  if (pages >= CAP_PAGES)
    {
      /* Writes that do not pause: this commit copies the log, as SQLite's own would. */
      int rc = sqlite3_wal_checkpoint_v2 (db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

      if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        g_debug ("Checkpoint of %s at %d pages: %s", self->path, pages, sqlite3_errstr (rc));
      return SQLITE_OK;
    }
  g_mutex_lock (&self->mutex);
  self->last_commit = g_get_monotonic_time ();
  self->log_pages = pages;
  if (!self->pending)
    {
      self->pending = TRUE;
      if (self->thread == NULL)
        self->thread = g_thread_new ("saveidea-checkpoint", checkpoint_thread, self);
      g_cond_broadcast (&self->cond);
    }
  else if (burst_copy_due (self))
    g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
  return SQLITE_OK;
}

/* Takes over the checkpoints of @db, the connection of the notebook at @path. */
SiStoreCheckpointer *
_si_store_checkpointer_new (sqlite3    *db,
                            const char *path)
{
  SiStoreCheckpointer *self = g_new0 (SiStoreCheckpointer, 1);

  self->path = g_strdup (path);
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  /* Replaces SQLite's automatic checkpoint, which is a WAL hook too. */
  sqlite3_wal_hook (db, wal_hook, self);
  return self;
}

/* Waits for the thread's checkpoint asked for or running to end; returns how many it ran. */
guint
_si_store_checkpointer_wait (SiStoreCheckpointer *self)
{
  guint done;

  g_mutex_lock (&self->mutex);
  while (self->pending || self->running)
    g_cond_wait (&self->cond, &self->mutex);
  done = self->done;
  g_mutex_unlock (&self->mutex);
  return done;
}

/* How many checkpoints the thread has run so far (it does not wait for one). */
guint
_si_store_checkpointer_count (SiStoreCheckpointer *self)
{
  guint done;

  g_mutex_lock (&self->mutex);
  done = self->done;
  g_mutex_unlock (&self->mutex);
  return done;
}

/* Call after the store's connection is closed (or its WAL hook removed). */
void
_si_store_checkpointer_free (SiStoreCheckpointer *self)
{
  if (self == NULL)
    return;
  g_mutex_lock (&self->mutex);
  self->quit = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
  if (self->thread != NULL)
    g_thread_join (self->thread);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_free (self->path);
  g_free (self);
}
