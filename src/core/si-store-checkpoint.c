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
 * The search indexes' merging moved too, for saves that pause: FTS5 adds a small segment to an
 * index with every save and merges them as it goes (automerge), now and then inside a save
 * (about 3 ms, one save in 90). Once the notebook has been quiet for QUIET_MS, the thread does
 * that merging itself, in steps of MERGE_PAGES pages (one short transaction each, and it
 * stops at the next save), so that the saves after a pause find nothing to merge. Writes
 * that never pause still merge as they go, as before.
 *
 * Since store schema 9 a save does not write the search indexes at all: its idea waits in
 * search_pending (si-store-schema.c; a search reads its text meanwhile), and the thread indexes
 * the waiting ideas in the same quiet moments, FILL_IDEAS to a transaction, before it merges.
 * A burst that never pauses leaves them waiting until it ends; a process that ends first
 * leaves them for the next quiet moment of any process (or saveidea-cli's first search). More
 * than FILL_MAX_WAITING waiting are a pull's or an import's: left to the fill after it
 * (si_store_fill_search_in_background(), which the app's sync manager starts after a sync).
 *
 * A save after a pause finds the thread's work out of its way: the thread copies the log
 * before it fills (its own first commit then starts the log again and syncs the log's new
 * header, which the next save did before, a second fdatasync), and a save that waits for the
 * write lock ends the thread's fill or merge step at once (a progress handler: the step is
 * rolled back and done again in a later pause), where it used to wait for the step's end and
 * then for SQLite's busy handler's next try, 1–5 ms later.
 *
 * A save still waits for the fsync of its own commit (synchronous = FULL: an acknowledged idea
 * survives a power cut); only the copying and the merging moved. The thread starts with a
 * store's first commit (its connection only once it has work: a short `saveidea-cli add` ends
 * before) and ends with the store; the last connection to close the notebook checkpoints what
 * is left, as SQLite always does.
 */
#define G_LOG_DOMAIN "saveidea-store"

#include "config.h"

#include "si-store-private.h"

/* SQLite's default for the automatic checkpoint (SQLITE_DEFAULT_WAL_AUTOCHECKPOINT). */
#define CHECKPOINT_PAGES 1000
/* How long the notebook must be quiet before the thread copies the log. */
#define QUIET_MS 100
/* Pages a merge step of the thread's writes into a search index (FTS5 'merge'). */
#define MERGE_PAGES 32
/* Past this, a commit checkpoints itself (about 16 MiB of log with 4 KiB pages). */
#define CAP_PAGES 4000
/* Waiting ideas the thread indexes in one transaction: a save that comes meanwhile waits
 * for it. One, as a save used to index its idea: with FTS5's merging, 32 took 50–300 ms at
 * 100,000 ideas (bench-store), which a save would have waited for. */
#define FILL_IDEAS 1
/* More waiting than this are a pull's or an import's, left to the fill after it
 * (si_store_fill_search_in_background(), saveidea-cli's sync and first search): a few
 * saves' ideas are the thread's. */
#define FILL_MAX_WAITING 256
/* Writes that do not pause: past BURST_PAGES, the thread copies the log without waiting for a
 * quiet moment, once for every BURST_STEP pages the log grew, so that the commit at CAP_PAGES
 * has only the last few hundred pages left to copy (not 4,000: 20–46 ms). */
#define BURST_PAGES 1500
#define BURST_STEP 500
/* The thread's own commits (the fill, the merges) do not copy the log, as SQLite's automatic
 * checkpoint would at 1,000 pages: a log copied whole is started again by the next commit,
 * which would be the next save's. The next pause's copy takes them; only past this many pages
 * after its pass (a fill of a few hundred ideas, not someone typing) the thread copies at
 * once, lest the next saves meet the cap (CAP_PAGES) and copy the log themselves. */
#define THREAD_COPY_PAGES 3000

struct _SiStoreCheckpointer {
  char    *path;
  GThread *thread;
  GMutex   mutex;
  GCond    cond;
  gboolean pending;   /* a checkpoint was asked for and has not started */
  gboolean merge_due; /* the store wrote since the thread last merged the search indexes */
  gboolean running;
  gboolean quit;
  gint64   last_commit;  /* monotonic time of the store's last commit */
  int      log_pages;    /* the log's size after the store's last commit */
  int      copied_at;    /* the log's size when the thread's last copy started */
  guint    done;         /* checkpoints the thread has run */
  guint    merges;       /* merge steps that merged something */
  guint    filled;       /* ideas the thread indexed */
  guint    yielded;      /* fill and merge steps abandoned for a waiting save */
  guint    overrun;      /* fill and merge steps a waiting save waited for to the end */
  gint     writers;      /* the store's transactions waiting to begin (atomic) */
  /* For the tests: called on the thread inside each fill step, with the write lock held. */
  void   (*step_hook) (gpointer data);
  gpointer step_hook_data;
};

/* The WAL hook of the thread's connection: notes the log's size, and copies nothing. */
static int
thread_wal_hook (void       *data,
                 sqlite3    *db,
                 const char *name,
                 int         pages)
{
  *(int *) data = pages;
  return SQLITE_OK;
}

static sqlite3 *
open_connection (const char *path,
                 int        *log_pages)
{
  sqlite3 *db = NULL;
  int rc;

  rc = _si_store_open_connection (path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL, &db);
  if (rc == SQLITE_OK)
    {
      sqlite3_busy_timeout (db, 1000);
      /* NORMAL: the thread's own commits (the fill and the merges below) change nothing a
       * person wrote, and a power cut that loses one loses all of it (an idea filled stays
       * in search_pending with it); the next save's fsync of the log takes them to the disk.
       * A checkpoint still fsyncs the log before the copy and the database file after it,
       * before the log may be reused (SQLite does so at NORMAL as at FULL). */
      rc = sqlite3_exec (db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
      if (rc == SQLITE_OK)
        /* Replaces the automatic checkpoint (see THREAD_COPY_PAGES). */
        sqlite3_wal_hook (db, thread_wal_hook, log_pages);
    }
  if (rc != SQLITE_OK)
    {
      g_debug ("No checkpoint connection to %s: %s", path, db ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
      sqlite3_close (db);
      return NULL;
    }
  return db;
}

/* Whether the store wrote since @since, or the thread must end. */
static gboolean
interrupted (SiStoreCheckpointer *self,
             gint64               since)
{
  gboolean stop;

  /* A save waiting for the write lock: SQLite's lock is not fair (the waiting side polls),
   * so the thread gives way between its transactions, or it could keep the lock for as
   * long as it has work. */
  if (g_atomic_int_get (&self->writers) > 0)
    return TRUE;
  g_mutex_lock (&self->mutex);
  stop = self->quit || self->last_commit != since;
  g_mutex_unlock (&self->mutex);
  return stop;
}

/* SQLite calls this every STEP_CHECK_OPS virtual machine instructions of the thread's fill and
 * merge steps: a save that waits for the write lock ends the step at once (the statement fails
 * with SQLITE_INTERRUPT, the step's transaction is rolled back, and the lock is free in
 * microseconds, where the step would have held it for milliseconds). What it did is done
 * again in the next pause: a step is one transaction, so an idea is indexed whole or not. */
#define STEP_CHECK_OPS 16

static int
step_progress (void *data)
{
  SiStoreCheckpointer *self = data;

  return g_atomic_int_get (&self->writers) > 0;
}

/* A fill or merge step begins (the progress handler watches for waiting saves) or ends. */
static void
step_begin (SiStoreCheckpointer *self,
            sqlite3             *db)
{
  sqlite3_progress_handler (db, STEP_CHECK_OPS, step_progress, self);
}

static void
step_end (SiStoreCheckpointer *self,
          sqlite3             *db,
          int                  rc)
{
  sqlite3_progress_handler (db, 0, NULL, NULL);
  g_mutex_lock (&self->mutex);
  if ((rc & 0xff) == SQLITE_INTERRUPT)
    self->yielded++;
  else if (g_atomic_int_get (&self->writers) > 0)
    self->overrun++;
  g_mutex_unlock (&self->mutex);
}

/* Syncs the log's pages the thread wrote (its commits are at synchronous = NORMAL), holding no
 * lock: otherwise the next save's fdatasync of the log would write them out too, in the save's
 * time (they used to be synced by the copy that followed every fill). */
static void
sync_log (SiStoreCheckpointer *self,
          sqlite3             *db)
{
  sqlite3_file *log = NULL;
  int rc;

  rc = sqlite3_file_control (db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &log);
  if (rc == SQLITE_OK && log != NULL && log->pMethods != NULL)
    rc = log->pMethods->xSync (log, SQLITE_SYNC_NORMAL);
  if (rc != SQLITE_OK)
    g_debug ("Syncing the log of %s: %s", self->path, sqlite3_errstr (rc));
}

/* Whether another connection (another SiStore of this process, such as a pull's, or another
 * process) committed since @data_version was read on @db, which it updates: the thread's
 * steps end then too, or they could keep the write lock from a writer it does not hear of. */
static gboolean
others_wrote (sqlite3 *db,
              gint64  *data_version)
{
  sqlite3_stmt *stmt = NULL;
  gint64 now = -1;

  if (sqlite3_prepare_v2 (db, "PRAGMA data_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    now = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  if (now == *data_version)
    return FALSE;
  *data_version = now;
  return TRUE;
}

/* Indexes the ideas that wait for the search indexes (the store's saves leave them in
 * search_pending: si-store-schema.c), FILL_IDEAS to a short transaction, until none wait or
 * the store writes again. Called without the mutex. */
static void
fill_search_indexes (SiStoreCheckpointer *self,
                     sqlite3             *db)
{
  sqlite3_stmt *stmt = NULL;
  gint64 since, data_version = -1;
  gboolean few = FALSE;
  guint total = 0;

  /* Many waiting are a pull's (its pages index nothing) or an import's: the fill after it
   * takes them, in bigger transactions. */
  if (sqlite3_prepare_v2 (db, "SELECT count (*) <= " G_STRINGIFY (FILL_MAX_WAITING) " FROM"
                              " (SELECT 1 FROM search_pending LIMIT " G_STRINGIFY (FILL_MAX_WAITING) " + 1)",
                          -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    few = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  if (!few)
    return;
  g_mutex_lock (&self->mutex);
  since = self->last_commit;
  g_mutex_unlock (&self->mutex);
  others_wrote (db, &data_version);
  /* At most the few it found: what others add meanwhile is theirs to fill. */
  while (total < FILL_MAX_WAITING && !interrupted (self, since) && !others_wrote (db, &data_version))
    {
      guint filled = 0;
      int rc;
      void (*hook) (gpointer data);
      gpointer hook_data;

      g_mutex_lock (&self->mutex);
      hook = self->step_hook;
      hook_data = self->step_hook_data;
      g_mutex_unlock (&self->mutex);
      step_begin (self, db);
      rc = sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
      if (rc == SQLITE_OK && hook != NULL)
        hook (hook_data);
      if (rc == SQLITE_OK)
        rc = _si_store_search_fill_db (db, FILL_IDEAS, &filled);
      if (rc == SQLITE_OK)
        rc = sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
      if (rc != SQLITE_OK)
        {
          /* Busy: another writer; interrupted: a save waits. The ideas wait for the next
           * pause. */
          g_debug ("Filling the search index of %s: %s", self->path, sqlite3_errmsg (db));
          /* (The rollback itself with no progress handler: it must not be interrupted.) */
          step_end (self, db, rc);
          if (!sqlite3_get_autocommit (db))
            sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          return;
        }
      step_end (self, db, rc);
      if (filled == 0)
        return;
      total += filled;
      g_mutex_lock (&self->mutex);
      self->filled += filled;
      g_mutex_unlock (&self->mutex);
    }
}

/* Merges the search indexes' segments as automerge would, a step at a time, until there is
 * nothing left to merge, or the store writes again. Called without the mutex. */
static void
merge_search_indexes (SiStoreCheckpointer *self,
                      sqlite3             *db)
{
  static const char *const steps[] = {
    "INSERT INTO ideas_fts (ideas_fts, rank) VALUES ('merge', " G_STRINGIFY (MERGE_PAGES) ")",
    "INSERT INTO ideas_cjk (ideas_cjk, rank) VALUES ('merge', " G_STRINGIFY (MERGE_PAGES) ")",
  };
  gint64 since, data_version = -1;

  g_mutex_lock (&self->mutex);
  since = self->last_commit;
  g_mutex_unlock (&self->mutex);
  others_wrote (db, &data_version);
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    for (;;)
      {
        int before = sqlite3_total_changes (db);
        int rc;

        if (interrupted (self, since) || others_wrote (db, &data_version))
          return;
        /* The command counts as one change; a step that merged something makes more (the
         * FTS5 documentation's test). */
        step_begin (self, db);
        rc = sqlite3_exec (db, steps[i], NULL, NULL, NULL);
        step_end (self, db, rc);
        if (rc != SQLITE_OK)
          {
            /* Busy or interrupted: the store writes; it is merged at the next pause. */
            g_debug ("Merging the search index of %s: %s", self->path, sqlite3_errmsg (db));
            return;
          }
        if (sqlite3_total_changes (db) - before < 2)
          break;
        g_mutex_lock (&self->mutex);
        self->merges++;
        g_mutex_unlock (&self->mutex);
      }
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
  int thread_log_pages = 0;

  g_mutex_lock (&self->mutex);
  for (;;)
    {
      int rc, log_pages = -1, copied = -1;
      gboolean merge, copy;

      while (!self->pending && !self->merge_due && !self->quit)
        g_cond_wait (&self->cond, &self->mutex);
      /* Each commit moves the quiet moment further, unless the writes do not pause. A copy
       * while the store writes does not block it (PASSIVE), but it cannot end with the whole
       * log copied, so the log is not started again: only a copy in a pause, or the commit
       * at CAP_PAGES, does that. */
      while (!self->quit && !(self->pending && burst_copy_due (self)) &&
             g_get_monotonic_time () < self->last_commit + QUIET_MS * 1000)
        g_cond_wait_until (&self->cond, &self->mutex, self->last_commit + QUIET_MS * 1000);
      if (self->quit)
        break;
      /* Merging takes the write lock: only in a pause. */
      merge = self->merge_due && g_get_monotonic_time () >= self->last_commit + QUIET_MS * 1000;
      copy = self->pending;
      if (merge)
        self->merge_due = FALSE;
      if (copy)
        {
          self->pending = FALSE;
          self->copied_at = self->log_pages;
        }
      self->running = TRUE;
      g_mutex_unlock (&self->mutex);

      if (db == NULL)
        db = open_connection (self->path, &thread_log_pages);
      /* The copy first, then the fill: a log copied whole is started again by the next
       * commit, which writes the log's header and syncs it before its own pages (two
       * fdatasyncs where a commit has one). The fill's first commit is that commit, here,
       * rather than the next save's. The fill's and merges' pages wait in the log for the
       * copy of a later pause (once the log has CHECKPOINT_PAGES): copying them at once
       * started the log again after every pause, and every save after a pause paid for it. */
      if (db != NULL && copy)
        {
          rc = sqlite3_wal_checkpoint_v2 (db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_pages, &copied);
          if (rc != SQLITE_OK)
            g_debug ("Checkpoint of %s: %s", self->path, sqlite3_errmsg (db));
          else
            g_debug ("Checkpoint of %s: %d of %d pages copied", self->path, copied, log_pages);
        }
      if (db != NULL && merge)
        {
          /* The saves' waiting ideas first: what they add to the indexes is merged next. */
          thread_log_pages = 0;
          fill_search_indexes (self, db);
          merge_search_indexes (self, db);
          if (thread_log_pages > 0 && thread_log_pages < THREAD_COPY_PAGES)
            sync_log (self, db);
          if (thread_log_pages >= THREAD_COPY_PAGES)
            {
              copy = TRUE;
              rc = sqlite3_wal_checkpoint_v2 (db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_pages, &copied);
              g_debug ("Checkpoint of %s after the fill (%d pages): %s", self->path, thread_log_pages,
                       rc == SQLITE_OK ? "done" : sqlite3_errmsg (db));
            }
        }

      g_mutex_lock (&self->mutex);
      self->running = FALSE;
      if (copy)
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
  gboolean wake = FALSE;

  if (pages >= CAP_PAGES)
    {
      /* Writes that do not pause: this commit copies the log, as SQLite's own would. */
      int rc = sqlite3_wal_checkpoint_v2 (db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

      if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        g_debug ("Checkpoint of %s at %d pages: %s", self->path, pages, sqlite3_errstr (rc));
    }
  g_mutex_lock (&self->mutex);
  self->last_commit = g_get_monotonic_time ();
  self->log_pages = pages;
  /* Any commit may have added segments to the search indexes. */
  if (!self->merge_due)
    {
      self->merge_due = TRUE;
      wake = TRUE;
    }
  if (pages >= CHECKPOINT_PAGES && pages < CAP_PAGES)
    {
      if (!self->pending)
        {
          self->pending = TRUE;
          wake = TRUE;
        }
      else if (burst_copy_due (self))
        wake = TRUE;
    }
  if (wake)
    {
      if (self->thread == NULL)
        self->thread = g_thread_new ("saveidea-checkpoint", checkpoint_thread, self);
      g_cond_broadcast (&self->cond);
    }
  g_mutex_unlock (&self->mutex);
  return SQLITE_OK;
}

/* The store is about to begin (@waiting) or has begun a transaction: the thread ends its
 * fill and merge steps at the next one. */
void
_si_store_checkpointer_want_write (SiStoreCheckpointer *self,
                                   gboolean             waiting)
{
  g_atomic_int_add (&self->writers, waiting ? 1 : -1);
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

/* Waits for the thread's checkpoint and merging asked for or running to end; returns how many
 * checkpoints it ran. */
guint
_si_store_checkpointer_wait (SiStoreCheckpointer *self)
{
  guint done;

  g_mutex_lock (&self->mutex);
  while ((self->pending || self->merge_due || self->running) && self->thread != NULL)
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

/* How many merge steps that merged something the thread has run so far. */
guint
_si_store_checkpointer_merges (SiStoreCheckpointer *self)
{
  guint merges;

  g_mutex_lock (&self->mutex);
  merges = self->merges;
  g_mutex_unlock (&self->mutex);
  return merges;
}

/* The log's size in pages after the store's last commit (for the benchmarks). */
int
_si_store_checkpointer_log_pages (SiStoreCheckpointer *self)
{
  int pages;

  g_mutex_lock (&self->mutex);
  pages = self->log_pages;
  g_mutex_unlock (&self->mutex);
  return pages;
}

/* How many waiting ideas the thread has indexed so far. */
guint
_si_store_checkpointer_filled (SiStoreCheckpointer *self)
{
  guint filled;

  g_mutex_lock (&self->mutex);
  filled = self->filled;
  g_mutex_unlock (&self->mutex);
  return filled;
}

/* For the tests: fill and merge steps abandoned because a save waited (@yielded), and steps a
 * waiting save had to wait for to their end (@overrun). */
void
_si_store_checkpointer_steps (SiStoreCheckpointer *self,
                              guint               *yielded,
                              guint               *overrun)
{
  g_mutex_lock (&self->mutex);
  *yielded = self->yielded;
  *overrun = self->overrun;
  g_mutex_unlock (&self->mutex);
}

/* For the tests: whether a transaction of the store waits to begin. */
gboolean
_si_store_checkpointer_writer_waits (SiStoreCheckpointer *self)
{
  return g_atomic_int_get (&self->writers) > 0;
}

/* For the tests: @hook runs on the thread inside each fill step, holding the write lock. Set it
 * before the thread's first fill. */
void
_si_store_checkpointer_set_step_hook (SiStoreCheckpointer *self,
                                      void               (*hook) (gpointer data),
                                      gpointer             data)
{
  g_mutex_lock (&self->mutex);
  self->step_hook = hook;
  self->step_hook_data = data;
  g_mutex_unlock (&self->mutex);
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
