/* si-sync-engine-pull.c — a sync's pull: GET /changes (or a feed per collection), each page
 * applied with its cursor in one transaction, and after a full pull what the server no
 * longer has goes.
 *
 * Off the main loop: a page's answer is parsed and decoded on a thread, comes back to the main
 * loop to be checked (the endless-feed guard) and announced (SiStore::save-pending on the
 * engine's store, so that an editor saves what was typed first), and is then applied on a
 * thread to the engine's pull connection (an SiStore of its own on the same file). Back on the
 * main loop, the progress moves, the engine's store announces what the page changed, and the
 * next page is asked for, or the run stops there when it was cancelled. One step at a time:
 * the Run is only touched by whoever holds the step. */
#define G_LOG_DOMAIN "saveidea-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <time.h>

#include "si-sync-engine-private.h"
#include "si-wire-read.h"
#include "si-worker.h"

#define BULK_PAGE 100   /* records in a page from which its new ideas wait for the search index */
/* A pull must end, whatever the server says. Each page that says more follow must move the
 * cursor forward, and one feed takes at most twice the pages its first page announced (its
 * `remaining`, at that page's size), plus PULL_SLACK_PAGES for what other devices write
 * meanwhile, and never more than PULL_MAX_PAGES: 20,000,000 records at the server's page of
 * 1000, twenty times a 1,000,000-idea notebook. The cursor is kept page by page, so the next
 * sync goes on from where this one stopped. */
#define PULL_SLACK_PAGES 100
#define PULL_MAX_PAGES 20000

/* Pull ------------------------------------------------------------------------------------------ */

#define CHANGES_FEED SI_SYNC_CHANGES_FEED

/* This thread's CPU time (µs): what applying costs on a busy machine. */
static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* A page asked for with since=run->cursor: a feed that says more follow must move on, and
 * must end in about the pages it announced. Checked before the page is applied, so a feed that
 * loops stops with an error in bounded requests; what earlier pages brought stays. */
static gboolean
check_page_progress (Run           *run,
                     SiWirePage    *page,
                     GError       **error)
{
  run->pages++;
  if (!page->more)
    return TRUE;
  if (page->cursor <= run->cursor)
    {
      /* Numbers as text: a G_GINT64_FORMAT would cut the message short for xgettext. */
      g_autofree char *from = g_strdup_printf ("%" G_GINT64_FORMAT, run->cursor);
      g_autofree char *to = g_strdup_printf ("%" G_GINT64_FORMAT, page->cursor);

      g_set_error (error, SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER,
                   /* Translators: two change numbers: where the page began, where it says the
                    * next one begins. */
                   _("The server's list of changes does not move forward (after change %s it says "
                     "to go on from change %s). The sync stopped; what came before is kept."),
                   from, to);
      return FALSE;
    }
  if (run->max_pages == 0)
    {
      guint64 per_page = MAX (page->records->len, 1);
      guint64 announced = page->remaining >= 0 ? ((guint64) page->remaining + per_page - 1) / per_page
                                               : PULL_MAX_PAGES;

      run->max_pages = (guint) MIN ((guint64) run->pages + 2 * MIN (announced, PULL_MAX_PAGES) + PULL_SLACK_PAGES,
                                    PULL_MAX_PAGES);
    }
  if (run->pages >= run->max_pages)
    {
      g_set_error (error, SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER,
                   /* Translators: %u is a number of pages. */
                   _("The server's list of changes does not end: %u pages, and it still says more "
                     "follow. The sync stopped; what came is kept, and the next sync goes on from there."),
                   run->pages);
      return FALSE;
    }
  return TRUE;
}

/* Applies one page — its records, parents' collections first, and the cursor that covers it
 * (stored under @feed) — in one transaction on @store (the pull's own connection, on the
 * pull's thread). SiStore::save-pending was emitted before, on the main loop. */
static gboolean
apply_page (SiSyncEngine  *self,
            SiStore       *store,
            Run           *run,
            SiWirePage    *page,
            const char    *feed,
            GError       **error)
{
  g_auto(SiSyncPage) bulk = { 0, };
  g_auto(SiSyncDurability) durability = { NULL, -1 };
  gint64 stored;

  /* A page lost to a power cut is pulled again (its cursor goes with it): no need to wait
   * for the disk at each page. */
  _si_store_sync_relax_durability (store, &durability);
  if (!_si_store_begin (store, error))
    return FALSE;
  /* Many records: the page's new ideas wait for the search index (si-store-search-index.c). */
  if (page->records->len >= BULK_PAGE)
    {
      if (!_si_store_sync_begin_page (store, &bulk, error))
        {
          _si_store_rollback (store);
          return FALSE;
        }
      run->bulk_pages++;
    }
  for (guint c = 0; c < self->collections->len; c++)
    {
      SiCollection *collection = g_ptr_array_index (self->collections, c);
      SiWireCollection wire = si_collection_get_wire (collection);

      for (guint i = 0; i < page->records->len; i++)
        {
          SiWireRecord *record = g_ptr_array_index (page->records, i);
          SiSyncApplied applied = SI_SYNC_APPLIED_NOTHING;
          g_autoptr(GError) local_error = NULL;

          if (record->collection != wire)
            continue;
          if (run->seen != NULL && !record->deleted)
            g_hash_table_add (g_ptr_array_index (run->seen, c), g_memdup2 (&record->id, sizeof (gint64)));
          if (!_si_store_sync_apply (store, self->collections, collection, record, &applied, &local_error))
            {
              if (local_error->domain == SI_STORE_ERROR &&
                  (local_error->code == SI_STORE_ERROR_INVALID || local_error->code == SI_STORE_ERROR_EXISTS ||
                   local_error->code == SI_STORE_ERROR_NOT_FOUND))
                {
                  /* One record this store cannot take must not block every later one. */
                  g_warning ("Skipping %s record %" G_GINT64_FORMAT " from the server: %s",
                             si_collection_get_name (collection), record->id, local_error->message);
                  continue;
                }
              _si_store_rollback (store);
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          if (applied != SI_SYNC_APPLIED_NOTHING && applied != SI_SYNC_APPLIED_ADOPTED)
            run->report.pulled++;
          if (applied == SI_SYNC_APPLIED_MERGED)
            run->report.merged++;
          else if (applied == SI_SYNC_APPLIED_CONFLICT)
            run->report.conflicts++;
        }
    }
  stored = _si_store_sync_get_cursor (store, feed);
  if ((page->cursor > stored && !_si_store_sync_set_cursor (store, feed, page->cursor, error)) ||
      !_si_store_sync_end_page (store, &bulk, error) ||
      !_si_store_commit (store, error))
    {
      _si_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

/* After a full pull of @collection: what the server no longer has goes. */
static gboolean
prune (SiSyncEngine  *self,
       SiStore       *store,
       Run           *run,
       guint          c,
       GError       **error)
{
  GHashTable *seen = g_ptr_array_index (run->seen, c);
  guint removed = 0;

  if (!_si_store_begin (store, error))
    return FALSE;
  if (!_si_store_sync_prune (store, g_ptr_array_index (self->collections, c), seen, &removed, error) ||
      !_si_store_commit (store, error))
    {
      _si_store_rollback (store);
      return FALSE;
    }
  run->report.pulled += removed;
  g_hash_table_remove_all (seen);
  return TRUE;
}

static void
pull_done (GTask *task)
{
  SiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* Every write of ours the server applied has now come back and been recognised: the notes
   * of pushes whose record is gone here (created, sent without an answer, deleted before it
   * was known to have arrived) will never be needed. */
  if (!_si_store_sync_forget_stale_pushes (self->store, self->collections, &error))
    {
      _si_sync_engine_run_finish (task, _si_sync_engine_store_error (g_steal_pointer (&error)));
      return;
    }
  if (run->mode == SI_SYNC_MODE_PULL)
    _si_sync_engine_run_finish (task, NULL);
  else
    _si_sync_engine_push_round (task);
}

/* A page on its way: decoded on a thread, announced on the main loop, applied on a thread. */
typedef struct {
  GTask            *task;    /* the run's */
  GBytes           *body;    /* as it came */
  gboolean          legacy;  /* a collection's feed (else GET /changes) */
  guint             coll;    /* legacy: the collection */
  SiWireCollection  wire;    /* legacy: its wire name */
  char             *feed;    /* where its cursor is kept */
  SiWirePage       *page;    /* decoded; its records freed once applied */
  guint             n_records;
  gint64            us_parsing;
} PageJob;

static void
page_job_free (PageJob *job)
{
  g_clear_object (&job->task);
  g_clear_pointer (&job->body, g_bytes_unref);
  g_clear_pointer (&job->page, si_wire_page_free);
  g_free (job->feed);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PageJob, page_job_free)

/* Runs @func on a worker with @job; @done gets it back on the main loop (and owns it). */
static void
page_job_run (PageJob             *job,
              GTaskThreadFunc      func,
              GAsyncReadyCallback  done)
{
  g_autoptr(GTask) step = g_task_new (g_task_get_source_object (job->task), NULL, done, job);

  g_task_set_source_tag (step, page_job_run);
  g_task_set_task_data (step, job, NULL);
  si_worker_run_in_thread (step, func);
}

/* The pull's thread: the page parsed and decoded. */
static void
decode_thread (GTask        *step,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  PageJob *job = task_data;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  const char *data = g_bytes_get_data (job->body, NULL);
  gsize length = g_bytes_get_size (job->body);

  /* Straight from the text into the page (si-wire-read.c), without a JsonNode tree. */
  job->page = job->legacy ? si_wire_read_page (data, length, job->wire, &error) : si_wire_read_changes (data, length, &error);
  if (job->page == NULL && g_error_matches (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON))
    {
      g_task_return_new_error (step, SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER,
                               /* Translators: the HTTP status code, then what is wrong with the answer. */
                               _("The server sent an answer that is not valid (HTTP %u: %s)."),
                               SOUP_STATUS_OK, error->message);
      return;
    }
  if (job->page == NULL)
    {
      g_task_return_new_error (step, SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER,
                               /* Translators: %s says what is wrong with the page, in English. */
                               _("The server sent a page that is not valid: %s"), error->message);
      return;
    }
  g_clear_pointer (&job->body, g_bytes_unref);
  job->us_parsing = g_get_monotonic_time () - start;
  g_task_return_boolean (step, TRUE);
}

/* The pull's thread: the page applied to the pull's connection; after a feed's last page, what
 * the server no longer has goes (a full sync). */
static void
apply_thread (GTask        *step,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  SiSyncEngine *self = source_object;
  PageJob *job = task_data;
  Run *run = g_task_get_task_data (job->task);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time (), cpu_start = thread_cpu_us ();
  gboolean ok;

  /* Opened once, on the first page an engine applies; used by one step at a time. */
  if (self->pull_store == NULL)
    self->pull_store = si_store_new (si_store_get_path (self->store), &error);
  ok = self->pull_store != NULL && apply_page (self, self->pull_store, run, job->page, job->feed, &error);
  if (ok && !job->page->more && run->seen != NULL)
    {
      if (job->legacy)
        ok = prune (self, self->pull_store, run, job->coll, &error);
      for (guint c = 0; ok && !job->legacy && c < self->collections->len; c++)
        ok = prune (self, self->pull_store, run, c, &error);
    }
  /* The records are freed here rather than on the main loop, where a page of 1,000 took about
   * 0.4 ms between two pages' applies. */
  job->n_records = job->page->records->len;
  g_ptr_array_set_size (job->page->records, 0);
  run->us_applying += g_get_monotonic_time () - start;
  run->us_applying_cpu += thread_cpu_us () - cpu_start;
  if (!ok)
    g_task_return_error (step, _si_sync_engine_store_error (g_steal_pointer (&error)));
  else
    g_task_return_boolean (step, TRUE);
}

static void proceed (PageJob *job);

/* Ends the run from the main loop, after a step: the parked page, if any, is dropped. */
static void
end_run (GTask  *task,
         GError *error)
{
  Run *run = g_task_get_task_data (task);

  g_clear_pointer ((PageJob **) &run->parked, page_job_free);
  run->prefetching = FALSE;
  _si_sync_engine_run_finish (task, error);
}

/* Main loop: the page is applied. What the main loop does from here to the next page's apply
 * is the pull's critical path on the app's busy main thread: the store's announcement of the
 * page (which editors must see before the next page's SiStore::save-pending), the progress,
 * then the next page. */
static void
page_applied (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  SiSyncEngine *self = SI_SYNC_ENGINE (source);
  g_autoptr(PageJob) job = user_data;
  GTask *task = job->task;
  Run *run = g_task_get_task_data (task);
  SiWirePage *page = job->page;
  GError *error = NULL;
  gint64 start;
  guint done;

  run->applying = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      end_run (task, error);
      return;
    }
  /* Another connection wrote: the engine's store announces it now rather than at its next
   * look at the file, before the progress says the page is here and before the next page's
   * save-pending, so that an open editor has taken this page's version of its idea first. */
  start = g_get_monotonic_time ();
  si_store_check_changes (self->store);
  g_debug ("Page of %u records in; its changes announced in %.1f ms", job->n_records,
           (g_get_monotonic_time () - start) / 1000.0);
  done = self->progress_done + job->n_records;
  if (page->remaining >= 0)
    /* The server counted what follows: "Syncing 1,200 of 5,000" from the first page on. */
    _si_sync_engine_set_progress (self, done, done + (guint) MIN (page->remaining, (gint64) (G_MAXUINT - done)));
  else
    /* An older server does not say: the total grows with what came. */
    _si_sync_engine_set_progress (self, done, self->progress_total + job->n_records);
  /* What ended the run while the page was applied (the next page's answer, a cancellation). */
  if (run->deferred != NULL)
    {
      end_run (task, g_steal_pointer (&run->deferred));
      return;
    }
  if (g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error))
    {
      end_run (task, error);
      return;
    }
  if (page->more)
    {
      if (run->parked != NULL)
        proceed (g_steal_pointer ((PageJob **) &run->parked));
      else if (!run->prefetching)
        _si_sync_engine_pull_next (task);
      /* else the next page goes on when it is decoded */
      return;
    }
  if (!job->legacy)
    {
      pull_done (task);
      return;
    }
  run->coll++;
  run->cursor = -1;
  run->pages = 0;
  run->max_pages = 0;
  _si_sync_engine_pull_next (task);
}

/* Main loop, no page being applied: the decoded page @job goes on. If it moves the feed on,
 * those who edit its records save what they have (SiStore::save-pending) before it is applied;
 * meanwhile the page after it is asked for. */
static void
proceed (PageJob *job)
{
  SiSyncEngine *self = g_task_get_source_object (job->task);
  GTask *task = job->task;
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;
  gboolean more;

  run->prefetching = FALSE;
  if (g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error) ||
      !check_page_progress (run, job->page, &error))
    {
      end_run (task, error);
      page_job_free (job);   /* (it holds the run's task) */
      return;
    }
  /* Edits of these records waiting to be saved are merged with the page, not overwritten by it. */
  _si_store_save_pending (self->store, job->page->records);
  run->cursor = job->page->cursor;
  run->applying = TRUE;
  more = job->page->more;
  /* The apply first: asking for the next page takes the main loop a moment. */
  page_job_run (job, apply_thread, page_applied);
  if (more)
    {
      /* Same feed, from this page's cursor: the server prepares it while this one is applied. */
      run->prefetching = TRUE;
      _si_sync_engine_pull_next (task);
    }
}

/* Main loop: the page is decoded. */
static void
page_decoded (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  PageJob *job = user_data;
  GTask *task = job->task;
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;

  run->us_parsing += job->us_parsing;
  if (run->ended)
    {
      /* Asked for ahead; the run ended meanwhile. */
      page_job_free (job);
      return;
    }
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      end_run (task, error);   /* after the page being applied, if one is */
      page_job_free (job);     /* (it holds the run's task) */
      return;
    }
  if (run->applying)
    run->parked = job;
  else
    proceed (job);
}

static void
pull_page (GTask    *task,
           GBytes   *body,
           gboolean  legacy)
{
  SiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  PageJob *job = g_new0 (PageJob, 1);

  job->task = g_object_ref (task);
  job->body = g_bytes_ref (body);
  job->legacy = legacy;
  if (legacy)
    {
      SiCollection *collection = g_ptr_array_index (self->collections, run->coll);

      job->coll = run->coll;
      job->wire = si_collection_get_wire (collection);
      job->feed = g_strdup (si_collection_get_name (collection));
    }
  else
    job->feed = g_strdup (CHANGES_FEED);
  page_job_run (job, decode_thread, page_decoded);
}

/* A page of one collection's feed (servers without GET /changes). */
static void
on_page (GTask    *task,
         guint     status,
         JsonNode *json)
{
  _si_sync_engine_unexpected (task, status, json, REQUEST_CHANGES);
}

static void
on_page_body (GTask  *task,
              GBytes *body)
{
  pull_page (task, body, TRUE);
}

/* An answer of GET /changes other than a page. */
static void
on_changes (GTask    *task,
            guint     status,
            JsonNode *json)
{
  Run *run = g_task_get_task_data (task);

  if (status == SOUP_STATUS_NOT_FOUND)
    {
      SiSyncEngine *self = g_task_get_source_object (task);

      /* An older server: a feed per collection, and its identity from GET /info. */
      g_debug ("No GET /changes on this server: pulling collection by collection");
      run->legacy = TRUE;
      run->cursor = -1;
      if (self->instance_checked)
        _si_sync_engine_pull_next (task);
      else
        _si_sync_engine_send_request (task, SOUP_METHOD_GET, "info", NULL, -1, _si_sync_engine_on_info);
      return;
    }
  _si_sync_engine_unexpected (task, status, json, REQUEST_CHANGES);
}

/* A page of GET /changes: both collections, one cursor. */
static void
on_changes_body (GTask  *task,
                 GBytes *body)
{
  SiSyncEngine *self = g_task_get_source_object (task);

  if (!self->instance_checked)
    {
      /* No Saveidea-Instance header (a proxy that drops it): ask who it is, then this page
       * again. */
      _si_sync_engine_send_request (task, SOUP_METHOD_GET, "info", NULL, -1, _si_sync_engine_on_info);
      return;
    }
  pull_page (task, body, FALSE);
}

/* Where the feed of GET /changes starts: its own cursor, or, for a notebook that pulled
 * collection by collection so far, the lowest of theirs (re-applying a change is harmless). */
static gint64
changes_cursor (SiSyncEngine *self)
{
  gint64 cursor = _si_store_sync_get_cursor (self->store, CHANGES_FEED);

  if (cursor > 0)
    return cursor;
  for (guint i = 0; i < self->collections->len; i++)
    {
      gint64 own = _si_store_sync_get_cursor (self->store, si_collection_get_name (g_ptr_array_index (self->collections, i)));
      cursor = i == 0 ? own : MIN (cursor, own);
    }
  return cursor;
}

void
_si_sync_engine_pull_next (GTask *task)
{
  SiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  SiCollection *collection;
  g_autofree char *path = NULL;

  if (!run->legacy)
    {
      if (run->cursor < 0)
        run->cursor = run->mode == SI_SYNC_MODE_FULL ? 0 : changes_cursor (self);
      path = g_strdup_printf (CHANGES_FEED "?since=%" G_GINT64_FORMAT "&limit=%u", run->cursor, self->page_size);
      _si_sync_engine_send_request_raw (task, path, on_changes, on_changes_body);
      return;
    }
  if (run->coll >= self->collections->len)
    {
      pull_done (task);
      return;
    }
  collection = g_ptr_array_index (self->collections, run->coll);
  if (run->cursor < 0)
    run->cursor = run->mode == SI_SYNC_MODE_FULL ? 0 : _si_store_sync_get_cursor (self->store, si_collection_get_name (collection));
  path = g_strdup_printf ("%s?since=%" G_GINT64_FORMAT "&limit=%u", si_collection_get_path (collection),
                          run->cursor, self->page_size);
  _si_sync_engine_send_request_raw (task, path, on_page, on_page_body);
}
