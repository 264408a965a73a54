/* si-sync-engine-pull.c — a sync's pull: GET /changes (or a feed per collection), each page
 * applied with its cursor in one transaction, and after a full pull what the server no
 * longer has goes. */
#define G_LOG_DOMAIN "saveidea-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <time.h>

#include "si-sync-engine-private.h"

#define BULK_PAGE 100   /* records in a page from which the search index is filled per page */
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
 * (stored under @feed) — in one transaction. */
static gboolean
apply_page (SiSyncEngine  *self,
            Run           *run,
            SiWirePage    *page,
            const char    *feed,
            GError       **error)
{

  g_auto(SiSyncPage) bulk = { 0, };
  g_auto(SiSyncDurability) durability = { NULL, -1 };
  gint64 stored;
  guint done;

  /* Edits of these records waiting to be saved are merged with the page, not overwritten by it. */
  _si_store_save_pending (self->store, page->records);
  /* A page lost to a power cut is pulled again (its cursor goes with it): no need to wait
   * for the disk at each page. */
  _si_store_sync_relax_durability (self->store, &durability);
  if (!_si_store_begin (self->store, error))
    return FALSE;
  /* Many records: the search index is filled once for the page. */
  if (page->records->len >= BULK_PAGE)
    {
      if (!_si_store_sync_begin_page (self->store, &bulk, error))
        {
          _si_store_rollback (self->store);
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
          if (!_si_store_sync_apply (self->store, self->collections, collection, record, &applied, &local_error))
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
              _si_store_rollback (self->store);
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
  stored = _si_store_sync_get_cursor (self->store, feed);
  if ((page->cursor > stored && !_si_store_sync_set_cursor (self->store, feed, page->cursor, error)) ||
      !_si_store_sync_end_page (self->store, &bulk, error) ||
      !_si_store_commit (self->store, error))
    {
      _si_store_rollback (self->store);
      return FALSE;
    }
  run->cursor = page->cursor;
  done = self->progress_done + page->records->len;
  if (page->remaining >= 0)
    /* The server counted what follows: "Syncing 1,200 of 5,000" from the first page on. */
    _si_sync_engine_set_progress (self, done, done + (guint) MIN (page->remaining, (gint64) (G_MAXUINT - done)));
  else
    /* An older server does not say: the total grows with what came. */
    _si_sync_engine_set_progress (self, done, self->progress_total + page->records->len);
  return TRUE;
}

/* After a full pull of @collection: what the server no longer has goes. */
static gboolean
prune (SiSyncEngine  *self,
       Run           *run,
       guint          c,
       GError       **error)
{
  GHashTable *seen = g_ptr_array_index (run->seen, c);
  guint removed = 0;

  if (!_si_store_begin (self->store, error))
    return FALSE;
  if (!_si_store_sync_prune (self->store, g_ptr_array_index (self->collections, c), seen, &removed, error) ||
      !_si_store_commit (self->store, error))
    {
      _si_store_rollback (self->store);
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

/* A page of one collection's feed (servers without GET /changes). */
static void
on_page (GTask    *task,
         guint     status,
         JsonNode *json)
{
  SiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  SiCollection *collection = g_ptr_array_index (self->collections, run->coll);
  g_autoptr(SiWirePage) page = NULL;
  g_autoptr(GError) error = NULL;

  if (status != SOUP_STATUS_OK)
    {
      _si_sync_engine_unexpected (task, status, json, REQUEST_CHANGES);
      return;
    }
  page = si_wire_page_from_json (json, si_collection_get_wire (collection), &error);
  if (page == NULL)
    {
      _si_sync_engine_run_finish (task, g_error_new (SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER,
                                                     /* Translators: %s says what is wrong with the page, in English. */
                                                     _("The server sent a page that is not valid: %s"), error->message));
      return;
    }
  if (!check_page_progress (run, page, &error))
    {
      _si_sync_engine_run_finish (task, g_steal_pointer (&error));
      return;
    }
  if (!apply_page (self, run, page, si_collection_get_name (collection), &error) ||
      (!page->more && run->seen != NULL && !prune (self, run, run->coll, &error)))
    {
      _si_sync_engine_run_finish (task, _si_sync_engine_store_error (g_steal_pointer (&error)));
      return;
    }
  if (!page->more)
    {
      run->coll++;
      run->cursor = -1;
      run->pages = 0;
      run->max_pages = 0;
    }
  _si_sync_engine_pull_next (task);
}

/* A page of GET /changes: both collections, one cursor. */
static void
on_changes (GTask    *task,
            guint     status,
            JsonNode *json)
{
  SiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(SiWirePage) page = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start, cpu_start;

  if (status == SOUP_STATUS_NOT_FOUND)
    {
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
  if (status != SOUP_STATUS_OK)
    {
      _si_sync_engine_unexpected (task, status, json, REQUEST_CHANGES);
      return;
    }
  if (!self->instance_checked)
    {
      /* No Saveidea-Instance header (a proxy that drops it): ask who it is, then this page
       * again. */
      _si_sync_engine_send_request (task, SOUP_METHOD_GET, "info", NULL, -1, _si_sync_engine_on_info);
      return;
    }
  start = g_get_monotonic_time ();
  page = si_wire_changes_from_json (json, &error);
  if (page == NULL)
    {
      _si_sync_engine_run_finish (task, g_error_new (SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER,
                                                     /* Translators: %s says what is wrong with the page, in English. */
                                                     _("The server sent a page that is not valid: %s"), error->message));
      return;
    }
  run->us_parsing += g_get_monotonic_time () - start;
  if (!check_page_progress (run, page, &error))
    {
      _si_sync_engine_run_finish (task, g_steal_pointer (&error));
      return;
    }
  start = g_get_monotonic_time ();
  cpu_start = thread_cpu_us ();
  if (!apply_page (self, run, page, CHANGES_FEED, &error))
    {
      _si_sync_engine_run_finish (task, _si_sync_engine_store_error (g_steal_pointer (&error)));
      return;
    }
  run->us_applying += g_get_monotonic_time () - start;
  run->us_applying_cpu += thread_cpu_us () - cpu_start;
  if (page->more)
    {
      _si_sync_engine_pull_next (task);
      return;
    }
  for (guint c = 0; run->seen != NULL && c < self->collections->len; c++)
    if (!prune (self, run, c, &error))
      {
        _si_sync_engine_run_finish (task, _si_sync_engine_store_error (g_steal_pointer (&error)));
        return;
      }
  if (run->bulk_pages > 1 && !_si_store_sync_optimize_index (self->store, &error))
    {
      _si_sync_engine_run_finish (task, _si_sync_engine_store_error (g_steal_pointer (&error)));
      return;
    }
  pull_done (task);
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
      _si_sync_engine_send_request (task, SOUP_METHOD_GET, path, NULL, -1, on_changes);
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
  _si_sync_engine_send_request (task, SOUP_METHOD_GET, path, NULL, -1, on_page);
}
