/* si-sync-engine.c — pull, push, incremental and full sync with a saveidea-server.
 *
 * A sync is a chain of libsoup requests on the main loop; each response is applied to the store
 * in one transaction (a page and its cursor together; a batch's results together). Nothing is
 * marked clean before the server said it has it, so an error at any point loses nothing.
 *
 * A pull reads GET /changes (both collections, one cursor) and checks the server's instance id
 * in each answer's header; a push notes what it sends before sending it, so that a sync that
 * never got the answer recognises its own write in the next one (si-store-sync.c).
 */
#define G_LOG_DOMAIN "saveidea-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>
#include <time.h>

#include "si-collection.h"
#include "si-http-private.h"
#include "si-store-private.h"
#include "si-sync-engine.h"
#include "si-wire.h"

#define API "/api/v1/"
#define MAX_PUSH_ROUNDS 3
#define BATCH_CHUNK 500
#define REQUEST_TIMEOUT_S 60
#define BULK_PAGE 100   /* records in a page from which the search index is filled per page */
/* A pull must end, whatever the server says. Each page that says more follow must move the
 * cursor forward, and one feed takes at most twice the pages its first page announced (its
 * `remaining`, at that page's size), plus PULL_SLACK_PAGES for what other devices write
 * meanwhile, and never more than PULL_MAX_PAGES: 20,000,000 records at the server's page of
 * 1000, twenty times a 1,000,000-idea notebook. The cursor is kept page by page, so the next
 * sync goes on from where this one stopped. */
#define PULL_SLACK_PAGES 100
#define PULL_MAX_PAGES 20000

G_DEFINE_QUARK (si-sync-error-quark, si_sync_error)

gboolean
si_sync_error_is_retryable (const GError *error)
{
  return error != NULL && error->domain == SI_SYNC_ERROR &&
         (error->code == SI_SYNC_ERROR_NETWORK || error->code == SI_SYNC_ERROR_SERVER);
}

SiSyncReport *
si_sync_report_copy (const SiSyncReport *report)
{
  return g_memdup2 (report, sizeof *report);
}

void
si_sync_report_free (SiSyncReport *report)
{
  g_free (report);
}

G_DEFINE_BOXED_TYPE (SiSyncReport, si_sync_report, si_sync_report_copy, si_sync_report_free)

struct _SiSyncEngine {
  GObject      parent_instance;

  SiStore     *store;
  char        *server_url;
  char        *token;
  SoupSession *session;
  GPtrArray   *collections;
  guint        page_size;
  guint        batch_threshold;
  gboolean     running;
  gboolean     instance_checked;
  guint        progress_done;
  guint        progress_total;
};

G_DEFINE_FINAL_TYPE (SiSyncEngine, si_sync_engine, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SERVER_URL,
  PROP_RUNNING,
  PROP_PROGRESS_DONE,
  PROP_PROGRESS_TOTAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* One running sync ---------------------------------------------------------------------------- */

typedef struct {
  SiCollection *collection;
  gint64        id;
  gint64        generation;
  SiWireMethod  method;
  gint64        sid;
  gint64        if_match;
  SiWireRecord *record;      /* POST/PUT: as sent */
} PushOp;

static void
push_op_free (PushOp *op)
{
  g_clear_pointer (&op->record, si_wire_record_free);
  g_free (op);
}

typedef struct {
  SiSyncMode    mode;
  SiSyncReport  report;
  /* pull */
  gboolean      legacy;        /* the server has no GET /changes: one feed per collection */
  guint         coll;          /* legacy: the collection being pulled */
  gint64        cursor;
  guint         pages;         /* pages of this feed so far */
  guint         max_pages;     /* at most this many (0: not known yet) */
  GPtrArray    *seen;          /* full: per collection, the server ids listed (GHashTable) */
  /* push */
  guint         round;
  GArray       *outbox;
  guint         pos;
  guint         batch_chunk;
  GHashTable   *only;          /* "table:id" to push this round (NULL: everything) */
  GHashTable   *retry;         /* "table:id" to push again next round */
  GPtrArray    *ops;           /* in flight */
  gboolean      server_failed; /* an operation of a batch failed with a 5xx */
  /* where the time goes (µs), for the debug output */
  gint64        sent_at;
  gint64        us_waiting;
  gint64        us_parsing;
  gint64        us_applying;
  gint64        us_applying_cpu;
  guint         bulk_pages;    /* pages whose search index was filled per page */
} Run;

static void
run_free (Run *run)
{
  g_clear_pointer (&run->seen, g_ptr_array_unref);
  g_clear_pointer (&run->outbox, g_array_unref);
  g_clear_pointer (&run->only, g_hash_table_unref);
  g_clear_pointer (&run->retry, g_hash_table_unref);
  g_clear_pointer (&run->ops, g_ptr_array_unref);
  g_free (run);
}

static void pull_next (GTask *task);
static gboolean check_instance (SiSyncEngine *self, const char *instance_id, GError **error);
static void push_round (GTask *task);
static void push_next (GTask *task);

static void
set_progress (SiSyncEngine *self,
              guint         done,
              guint         total)
{
  /* Both change before either is announced: a reader never sees a new done with an old total. */
  g_object_freeze_notify (G_OBJECT (self));
  if (self->progress_done != done)
    {
      self->progress_done = done;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS_DONE]);
    }
  if (self->progress_total != total)
    {
      self->progress_total = total;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS_TOTAL]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
run_finish (GTask  *task,
            GError *error)
{
  SiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  self->running = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  if (error != NULL)
    {
      /* After a failure the server may be another one when it comes back. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        self->instance_checked = FALSE;
      g_debug ("Sync failed: %s", error->message);
      g_task_return_error (task, error);
    }
  else
    {
      g_autofree char *now = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time ());

      if (!_si_store_set_meta (self->store, "last_sync_time", now, NULL))
        g_debug ("Could not note the time of the sync");
      g_debug ("Sync done: pulled %u, pushed %u, merged %u, conflicts %u, rejected %u, %u requests; "
               "%.0f ms waiting for the server, %.0f ms parsing, %.0f ms applying pages (%.0f ms of CPU)",
               run->report.pulled, run->report.pushed, run->report.merged, run->report.conflicts,
               run->report.rejected, run->report.requests, run->us_waiting / 1000.0,
               run->us_parsing / 1000.0, run->us_applying / 1000.0, run->us_applying_cpu / 1000.0);
      g_task_return_boolean (task, TRUE);
    }
}

static GError *
store_error (GError *error)
{
  GError *wrapped = g_error_new (SI_SYNC_ERROR, SI_SYNC_ERROR_STORE, "%s", error->message);
  g_error_free (error);
  return wrapped;
}

/* HTTP ------------------------------------------------------------------------------------------ */

typedef void (*ResponseFunc) (GTask    *task,
                              guint     status,
                              JsonNode *json);

typedef struct {
  GTask        *task;
  SoupMessage  *msg;
  ResponseFunc  func;
} Request;

static void
request_free (Request *req)
{
  g_clear_object (&req->task);
  g_clear_object (&req->msg);
  g_free (req);
}

static void
request_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Request *req = user_data;
  GTask *task = req->task;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gint64 parse_start;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) json = NULL;
  GError *instance_error = NULL;
  const char *instance_id;
  guint status;

  bytes = _si_http_send_and_read_finish (SOUP_SESSION (source), result, &error);
  run->us_waiting += g_get_monotonic_time () - run->sent_at;
  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        run_finish (task, g_steal_pointer (&error));
      else
        run_finish (task, g_error_new (SI_SYNC_ERROR, SI_SYNC_ERROR_NETWORK,
                                       /* Translators: %s says why (from GLib or libsoup). */
                                       _("The server could not be reached: %s"), error->message));
      request_free (req);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    {
      SiSyncEngine *self = g_task_get_source_object (task);
      self->running = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
      request_free (req);
      return;
    }

  status = soup_message_get_status (req->msg);
  g_debug ("%s %s -> %u (%" G_GSIZE_FORMAT " bytes)", soup_message_get_method (req->msg),
           g_uri_get_path (soup_message_get_uri (req->msg)), status, g_bytes_get_size (bytes));
  instance_id = soup_message_headers_get_one (soup_message_get_response_headers (req->msg),
                                              SI_WIRE_INSTANCE_HEADER);
  parse_start = g_get_monotonic_time ();

  if (instance_id != NULL && !check_instance (SI_SYNC_ENGINE (g_task_get_source_object (task)),
                                              instance_id, &instance_error))
    run_finish (task, g_steal_pointer (&instance_error));
  else if (status == SOUP_STATUS_UNAUTHORIZED)
    run_finish (task, g_error_new_literal (SI_SYNC_ERROR, SI_SYNC_ERROR_NEEDS_LOGIN,
                                           _("The server no longer accepts this login. Log in again.")));
  else if (status >= 500 || status == 429 || status == 408)
    run_finish (task, g_error_new (SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER,
                                   /* Translators: %u is the HTTP status code, such as 503. */
                                   _("The server had a problem (HTTP %u). Changes are kept and will be sent later."),
                                   status));
  else if (g_bytes_get_size (bytes) > 0 &&
           (json = si_wire_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error)) == NULL)
    run_finish (task, g_error_new (SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER,
                                   /* Translators: the HTTP status code, then what is wrong with the answer. */
                                   _("The server sent an answer that is not valid (HTTP %u: %s)."),
                                   status, error->message));
  else if (json == NULL && status != SOUP_STATUS_NO_CONTENT)
    run_finish (task, g_error_new (SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER,
                                   /* Translators: %u is the HTTP status code, such as 200. */
                                   _("The server sent an empty answer (HTTP %u)."), status));
  else
    {
      run->us_parsing += g_get_monotonic_time () - parse_start;
      req->func (task, status, json);
    }
  request_free (req);
}

static void
send_request (GTask        *task,
              const char   *method,
              const char   *path,
              JsonNode     *body,
              gint64        if_match,
              ResponseFunc  func)
{
  SiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autofree char *url = g_strconcat (self->server_url, API, path, NULL);
  g_autofree char *auth = g_strconcat ("Bearer ", self->token ? self->token : "", NULL);
  Request *req;

  req = g_new0 (Request, 1);
  req->task = g_object_ref (task);
  req->func = func;
  req->msg = soup_message_new (method, url);
  if (req->msg == NULL)
    {
      run_finish (task, g_error_new (SI_SYNC_ERROR, SI_SYNC_ERROR_NOT_SAVEIDEA,
                                     _("“%s” is not a valid server address."), self->server_url));
      request_free (req);
      return;
    }
  soup_message_headers_replace (soup_message_get_request_headers (req->msg), "Authorization", auth);
  soup_message_headers_replace (soup_message_get_request_headers (req->msg), "Accept", "application/json");
  if (if_match >= 0)
    {
      g_autofree char *etag = si_wire_etag_format (if_match);
      soup_message_headers_replace (soup_message_get_request_headers (req->msg), "If-Match", etag);
    }
  if (body != NULL)
    {
      gsize length = 0;
      char *text = si_wire_to_string (body, &length);
      g_autoptr(GBytes) bytes = g_bytes_new_take (text, length);

      soup_message_set_request_body_from_bytes (req->msg, "application/json", bytes);
    }
  run->report.requests++;
  run->sent_at = g_get_monotonic_time ();
  _si_http_send_and_read_async (self->session, req->msg, SI_WIRE_MAX_BYTES,
                                g_task_get_cancellable (task), request_done, req);
}

/* What a request asked the server for; each has messages of its own, for translators. */
typedef enum {
  REQUEST_CHANGES,   /* a page of the changes */
  REQUEST_CHANGE,    /* one change */
  REQUEST_BATCH,     /* a batch of changes */
} RequestKind;

/* The server answered @status to a request for changes or a batch: the sync ends with its
 * reason. */
static void
unexpected (GTask       *task,
            guint        status,
            JsonNode    *json,
            RequestKind  kind)
{
  g_autoptr(SiWireProblem) problem = json ? si_wire_problem_from_json (json, SI_WIRE_COLLECTION_IDEAS, NULL) : NULL;
  /* Translators: stands for the server's reason (in English) in the next two messages. */
  const char *reason = problem && problem->message ? problem->message : _("no reason given");

  if (kind == REQUEST_BATCH)
    run_finish (task, g_error_new (SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER,
                                   /* Translators: the HTTP status code, then the server's reason (in
                                    * English) or “no reason given”. */
                                   _("The server refused a batch of changes (HTTP %u: %s)."), status, reason));
  else
    run_finish (task, g_error_new (SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER,
                                   /* Translators: the HTTP status code, then the server's reason (in
                                    * English) or “no reason given”. */
                                   _("The server refused to list the changes (HTTP %u: %s)."), status, reason));
}

/* The server's answer to a change or a batch cannot be read (@error says why, when known): the
 * sync ends. */
static void
answer_not_valid (GTask        *task,
                  RequestKind   kind,
                  const GError *error)
{
  g_autofree char *message = NULL;

  if (kind == REQUEST_BATCH)
    /* Translators: %s says what is wrong with the answer, in English. */
    message = error ? g_strdup_printf (_("The server's answer to a batch is not valid: %s"), error->message)
                    : g_strdup (_("The server's answer to a batch is not valid."));
  else
    /* Translators: %s says what is wrong with the answer, in English. */
    message = error ? g_strdup_printf (_("The server's answer to a change is not valid: %s"), error->message)
                    : g_strdup (_("The server's answer to a change is not valid."));
  run_finish (task, g_error_new_literal (SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER, message));
}

/* Start: the server's identity --------------------------------------------------------------- */

static void
after_info (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  if (run->mode == SI_SYNC_MODE_PUSH)
    push_round (task);
  else
    pull_next (task);
}

/* The server says it is @instance_id: the one this notebook synced with (or the first). */
static gboolean
check_instance (SiSyncEngine  *self,
                const char    *instance_id,
                GError       **error)
{
  g_autofree char *remembered = NULL;
  g_autoptr(GError) local_error = NULL;

  remembered = _si_store_sync_dup_instance_id (self->store);
  if (remembered == NULL)
    {
      if (!_si_store_sync_set_instance_id (self->store, instance_id, &local_error))
        {
          g_propagate_error (error, store_error (g_steal_pointer (&local_error)));
          return FALSE;
        }
    }
  else if (!g_str_equal (remembered, instance_id))
    {
      g_set_error (error, SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER_REPLACED,
                   /* Translators: %s is the server's address. */
                   _("The server at %s is not the one this notebook was synced with: it "
                     "was reset or replaced. Nothing was changed. Sync with it as a new "
                     "server only if you meant to."), self->server_url);
      return FALSE;
    }
  self->instance_checked = TRUE;
  return TRUE;
}

static void
on_info (GTask    *task,
         guint     status,
         JsonNode *json)
{
  SiSyncEngine *self = g_task_get_source_object (task);
  GError *error = NULL;
  JsonObject *object = json ? json_node_get_object (json) : NULL;
  const char *instance_id;

  if (status != SOUP_STATUS_OK || object == NULL ||
      !json_object_has_member (object, "instance_id") ||
      json_object_get_int_member_with_default (object, "protocol", 0) != SI_WIRE_PROTOCOL_VERSION ||
      !(instance_id = json_object_get_string_member_with_default (object, "instance_id", NULL)))
    {
      run_finish (task, g_error_new (SI_SYNC_ERROR, SI_SYNC_ERROR_NOT_SAVEIDEA,
                                     /* Translators: the server's address, then the version of the
                                      * protocol this Saveidea speaks. */
                                     _("%s does not answer like a Saveidea server (protocol %d)."),
                                     self->server_url, SI_WIRE_PROTOCOL_VERSION));
      return;
    }
  if (!check_instance (self, instance_id, &error))
    {
      run_finish (task, error);
      return;
    }
  after_info (task);
}

/* Pull ------------------------------------------------------------------------------------------ */

#define CHANGES_FEED "changes"   /* the cursor of GET /changes, account-wide */

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
    set_progress (self, done, done + (guint) MIN (page->remaining, (gint64) (G_MAXUINT - done)));
  else
    /* An older server does not say: the total grows with what came. */
    set_progress (self, done, self->progress_total + page->records->len);
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
      run_finish (task, store_error (g_steal_pointer (&error)));
      return;
    }
  if (run->mode == SI_SYNC_MODE_PULL)
    run_finish (task, NULL);
  else
    push_round (task);
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
      unexpected (task, status, json, REQUEST_CHANGES);
      return;
    }
  page = si_wire_page_from_json (json, si_collection_get_wire (collection), &error);
  if (page == NULL)
    {
      run_finish (task, g_error_new (SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER,
                                     /* Translators: %s says what is wrong with the page, in English. */
                                     _("The server sent a page that is not valid: %s"), error->message));
      return;
    }
  if (!check_page_progress (run, page, &error))
    {
      run_finish (task, g_steal_pointer (&error));
      return;
    }
  if (!apply_page (self, run, page, si_collection_get_name (collection), &error) ||
      (!page->more && run->seen != NULL && !prune (self, run, run->coll, &error)))
    {
      run_finish (task, store_error (g_steal_pointer (&error)));
      return;
    }
  if (!page->more)
    {
      run->coll++;
      run->cursor = -1;
      run->pages = 0;
      run->max_pages = 0;
    }
  pull_next (task);
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
        pull_next (task);
      else
        send_request (task, SOUP_METHOD_GET, "info", NULL, -1, on_info);
      return;
    }
  if (status != SOUP_STATUS_OK)
    {
      unexpected (task, status, json, REQUEST_CHANGES);
      return;
    }
  if (!self->instance_checked)
    {
      /* No Saveidea-Instance header (a proxy that drops it): ask who it is, then this page
       * again. */
      send_request (task, SOUP_METHOD_GET, "info", NULL, -1, on_info);
      return;
    }
  start = g_get_monotonic_time ();
  page = si_wire_changes_from_json (json, &error);
  if (page == NULL)
    {
      run_finish (task, g_error_new (SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER,
                                     /* Translators: %s says what is wrong with the page, in English. */
                                     _("The server sent a page that is not valid: %s"), error->message));
      return;
    }
  run->us_parsing += g_get_monotonic_time () - start;
  if (!check_page_progress (run, page, &error))
    {
      run_finish (task, g_steal_pointer (&error));
      return;
    }
  start = g_get_monotonic_time ();
  cpu_start = thread_cpu_us ();
  if (!apply_page (self, run, page, CHANGES_FEED, &error))
    {
      run_finish (task, store_error (g_steal_pointer (&error)));
      return;
    }
  run->us_applying += g_get_monotonic_time () - start;
  run->us_applying_cpu += thread_cpu_us () - cpu_start;
  if (page->more)
    {
      pull_next (task);
      return;
    }
  for (guint c = 0; run->seen != NULL && c < self->collections->len; c++)
    if (!prune (self, run, c, &error))
      {
        run_finish (task, store_error (g_steal_pointer (&error)));
        return;
      }
  if (run->bulk_pages > 1 && !_si_store_sync_optimize_index (self->store, &error))
    {
      run_finish (task, store_error (g_steal_pointer (&error)));
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

static void
pull_next (GTask *task)
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
      send_request (task, SOUP_METHOD_GET, path, NULL, -1, on_changes);
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
  send_request (task, SOUP_METHOD_GET, path, NULL, -1, on_page);
}

/* Push ------------------------------------------------------------------------------------------ */

static SiCollection *
collection_by_name (SiSyncEngine *self,
                    const char   *name)
{
  for (guint i = 0; i < self->collections->len; i++)
    if (g_str_equal (si_collection_get_name (g_ptr_array_index (self->collections, i)), name))
      return g_ptr_array_index (self->collections, i);
  return NULL;
}

static char *
entry_key (const char *table,
           gint64      id)
{
  return g_strdup_printf ("%s:%" G_GINT64_FORMAT, table, id);
}

static void
push_finish (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  if (run->server_failed)
    run_finish (task, g_error_new_literal (SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER,
                                           _("The server could not take some changes. They are kept and will be sent later.")));
  else
    run_finish (task, NULL);
}

static void
push_round (GTask *task)
{
  SiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) outbox = si_store_get_outbox (self->store, &error);
  GArray *kept;

  if (outbox == NULL)
    {
      run_finish (task, store_error (g_steal_pointer (&error)));
      return;
    }
  kept = g_array_new (FALSE, FALSE, sizeof (SiOutboxEntry));
  g_array_set_clear_func (kept, _si_outbox_entry_clear);
  for (guint i = 0; i < outbox->len; i++)
    {
      SiOutboxEntry *entry = &g_array_index (outbox, SiOutboxEntry, i);
      g_autofree char *key = entry_key (entry->collection, entry->id);

      if (collection_by_name (self, entry->collection) == NULL)
        continue;
      if (run->only == NULL || g_hash_table_contains (run->only, key))
        {
          g_array_append_val (kept, *entry);
          entry->uid = NULL;   /* moved */
        }
    }
  g_clear_pointer (&run->outbox, g_array_unref);
  run->outbox = kept;
  run->pos = 0;
  if (run->round == 0)
    set_progress (self, 0, kept->len);
  g_debug ("Push round %u: %u records", run->round, kept->len);
  push_next (task);
}

/* Builds the operation for an outbox entry from the record as it is now; NULL to skip it. */
static PushOp *
build_op (SiSyncEngine  *self,
          SiOutboxEntry *entry,
          GError       **error)
{
  SiCollection *collection = collection_by_name (self, entry->collection);
  g_auto(SiSyncRow) row = { 0, };
  g_autoptr(GError) local_error = NULL;
  PushOp *op;

  if (!_si_store_sync_get_row (self->store, entry->collection, entry->id, &row, error))
    return NULL;
  if (row.id == 0 || row.state == SI_SYNC_STATE_SYNCED || row.sync_error != NULL)
    return NULL;

  op = g_new0 (PushOp, 1);
  op->collection = collection;
  op->id = row.id;
  op->generation = row.generation;
  op->sid = row.sid;
  op->if_match = row.version;
  if (row.state == SI_SYNC_STATE_DELETED)
    {
      op->method = SI_WIRE_METHOD_DELETE;
      if (row.sid == 0)
        {
          push_op_free (op);
          return NULL;
        }
      return op;
    }
  op->method = row.sid == 0 ? SI_WIRE_METHOD_POST : SI_WIRE_METHOD_PUT;
  if (op->method == SI_WIRE_METHOD_POST)
    op->if_match = -1;
  op->record = _si_store_sync_read_for_server (self->store, self->collections, collection, row.id, &local_error);
  if (op->record == NULL)
    {
      push_op_free (op);
      if (!g_error_matches (local_error, SI_STORE_ERROR, SI_STORE_ERROR_NOT_FOUND))
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  g_free (op->record->uid);
  op->record->uid = g_strdup (row.uid);
  return op;
}

static void
add_retry (Run    *run,
           PushOp *op)
{
  g_hash_table_add (run->retry, entry_key (si_collection_get_name (op->collection), op->id));
}

/* Applies the server's current version of a record we tried to push; a merged result is
 * pushed again. */
static gboolean
take_current (SiSyncEngine  *self,
              Run           *run,
              PushOp        *op,
              SiWireRecord  *current,
              GError       **error)
{
  SiSyncApplied applied = SI_SYNC_APPLIED_NOTHING;

  if (!_si_store_sync_apply (self->store, self->collections, op->collection, current, &applied, error))
    return FALSE;
  switch (applied)
    {
    case SI_SYNC_APPLIED_MERGED:
      run->report.merged++;
      add_retry (run, op);
      break;
    case SI_SYNC_APPLIED_KEPT_LOCAL:
    case SI_SYNC_APPLIED_RECREATED:
      add_retry (run, op);
      break;
    case SI_SYNC_APPLIED_CONFLICT:
      run->report.conflicts++;
      break;
    case SI_SYNC_APPLIED_ADOPTED:
      /* It was ours: pushed after all; edits made since go in the next round. */
      run->report.pushed++;
      add_retry (run, op);
      break;
    case SI_SYNC_APPLIED_NOTHING:
    case SI_SYNC_APPLIED_TAKEN:
    case SI_SYNC_APPLIED_DELETED:
    default:
      break;
    }
  return TRUE;
}

static gboolean
handle_result (SiSyncEngine   *self,
               Run            *run,
               PushOp         *op,
               guint           status,
               SiWireRecord   *record,
               SiWireProblem  *problem,
               GError        **error)
{
  const char *table = si_collection_get_name (op->collection);
  const char *code = problem && problem->error ? problem->error : "";

  if (status >= 200 && status < 300 && record != NULL)
    {
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *base = NULL;

      if (op->method == SI_WIRE_METHOD_POST && record->deleted)
        {
          /* This uid was created and deleted on the server before: a new record, new uid. */
          if (!_si_store_sync_recreate (self->store, table, op->id, error))
            return FALSE;
          add_retry (run, op);
          return TRUE;
        }
      if (op->method == SI_WIRE_METHOD_POST && status == SOUP_STATUS_OK &&
          !si_wire_record_content_equal (record, op->record))
        /* The create had happened already (a lost response) and the record changed since. */
        return take_current (self, run, op, record, error);

      node = si_wire_record_to_json (record, SI_WIRE_MODE_RESPONSE);
      base = si_wire_to_string (node, NULL);
      if (!_si_store_sync_mark_pushed (self->store, table, op->id, op->generation, record->id,
                                       record->version, record->deleted ? NULL : base, NULL, error))
        return FALSE;
      run->report.pushed++;
      return TRUE;
    }

  if (status == SOUP_STATUS_PRECONDITION_FAILED && problem && problem->current)
    {
      if (op->method == SI_WIRE_METHOD_PUT && !problem->current->deleted &&
          problem->current->id == op->sid && si_wire_record_content_equal (problem->current, op->record))
        {
          /* The server has what we send (our earlier push of it, its answer lost): done. */
          g_autoptr(JsonNode) node = si_wire_record_to_json (problem->current, SI_WIRE_MODE_RESPONSE);
          g_autofree char *base = si_wire_to_string (node, NULL);

          if (!_si_store_sync_mark_pushed (self->store, table, op->id, op->generation, op->sid,
                                           problem->current->version, base, NULL, error))
            return FALSE;
          run->report.pushed++;
          return TRUE;
        }
      return take_current (self, run, op, problem->current, error);
    }

  if (status == SOUP_STATUS_CONFLICT && g_str_equal (code, "name_taken") && problem->current &&
      op->method == SI_WIRE_METHOD_POST)
    return take_current (self, run, op, problem->current, error);   /* adopt the server's */

  if ((status == SOUP_STATUS_CONFLICT && g_str_equal (code, "deleted")) || status == SOUP_STATUS_NOT_FOUND)
    {
      if (op->method == SI_WIRE_METHOD_DELETE)
        return _si_store_sync_mark_pushed (self->store, table, op->id, op->generation, op->sid,
                                           op->if_match, NULL, NULL, error);
      /* Edited here, deleted there: the edit lives on as a new record. */
      if (!_si_store_sync_recreate (self->store, table, op->id, error))
        return FALSE;
      add_retry (run, op);
      return TRUE;
    }

  if (status >= 500 || status == 429 || status == 408)
    {
      run->server_failed = TRUE;
      return TRUE;
    }

  /* Refused for good: keep the reason, do not try again until the record is edited. */
  g_debug ("The server refused %s:%" G_GINT64_FORMAT ": %u %s", table, op->id, status, code);
  if (!_si_store_sync_set_rejected (self->store, table, op->id, op->generation,
                                    problem ? problem->message : NULL,
                                    error))
    return FALSE;
  run->report.rejected++;
  return TRUE;
}

static void
ops_done (GTask *task)
{
  SiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  set_progress (self, self->progress_done + run->ops->len, self->progress_total);
  g_ptr_array_set_size (run->ops, 0);
  push_next (task);
}

static void
on_single (GTask    *task,
           guint     status,
           JsonNode *json)
{
  SiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  PushOp *op = g_ptr_array_index (run->ops, 0);
  SiWireCollection wire = si_collection_get_wire (op->collection);
  g_autoptr(SiWireRecord) record = NULL;
  g_autoptr(SiWireProblem) problem = NULL;
  g_autoptr(GError) error = NULL;

  if (status >= 200 && status < 300)
    {
      record = json ? si_wire_record_from_json (json, wire, SI_WIRE_MODE_RESPONSE, &error) : NULL;
      if (record == NULL)
        {
          answer_not_valid (task, REQUEST_CHANGE, error);
          return;
        }
    }
  else if (json != NULL)
    problem = si_wire_problem_from_json (json, wire, NULL);

  if (!_si_store_begin (self->store, &error))
    {
      run_finish (task, store_error (g_steal_pointer (&error)));
      return;
    }
  if (!handle_result (self, run, op, status, record, problem, &error) ||
      !_si_store_commit (self->store, &error))
    {
      _si_store_rollback (self->store);
      run_finish (task, store_error (g_steal_pointer (&error)));
      return;
    }
  ops_done (task);
}

static void
on_batch (GTask    *task,
          guint     status,
          JsonNode *json)
{
  SiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GArray) collections = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;

  if (status == SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE && run->ops->len > 1)
    {
      /* Too big for this server: smaller batches. */
      run->batch_chunk = MAX (1, run->ops->len / 2);
      run->pos -= run->ops->len;
      g_ptr_array_set_size (run->ops, 0);
      push_next (task);
      return;
    }
  if (status != SOUP_STATUS_OK)
    {
      unexpected (task, status, json, REQUEST_BATCH);
      return;
    }
  for (guint i = 0; i < run->ops->len; i++)
    {
      PushOp *op = g_ptr_array_index (run->ops, i);
      int wire = si_collection_get_wire (op->collection);
      g_array_append_val (collections, wire);
    }
  results = si_wire_batch_response_from_json (json, collections, &error);
  if (results == NULL || results->len != run->ops->len)
    {
      answer_not_valid (task, REQUEST_BATCH, error);
      return;
    }

  if (!_si_store_begin (self->store, &error))
    {
      run_finish (task, store_error (g_steal_pointer (&error)));
      return;
    }
  for (guint i = 0; i < results->len; i++)
    {
      SiWireBatchResult *result = g_ptr_array_index (results, i);

      if (!handle_result (self, run, g_ptr_array_index (run->ops, i), result->status,
                          result->record, result->problem, &error))
        {
          _si_store_rollback (self->store);
          run_finish (task, store_error (g_steal_pointer (&error)));
          return;
        }
    }
  if (!_si_store_commit (self->store, &error))
    {
      run_finish (task, store_error (g_steal_pointer (&error)));
      return;
    }
  ops_done (task);
}

static JsonNode *
op_record_json (PushOp *op)
{
  return op->record ? si_wire_record_to_json (op->record, SI_WIRE_MODE_REQUEST) : NULL;
}

/* Notes what @ops send, in one transaction. */
static gboolean
note_pushing (SiSyncEngine  *self,
              GPtrArray     *ops,
              GError       **error)
{
  if (!_si_store_begin (self->store, error))
    return FALSE;
  for (guint i = 0; i < ops->len; i++)
    {
      PushOp *op = g_ptr_array_index (ops, i);

      if (op->record != NULL &&
          !_si_store_sync_note_pushing (self->store, op->collection, op->record->uid, op->generation,
                                        op->record, error))
        {
          _si_store_rollback (self->store);
          return FALSE;
        }
    }
  return _si_store_commit (self->store, error);
}

static void
push_next (GTask *task)
{
  SiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  const char *group;
  guint end, take = 0;

  if (g_task_return_error_if_cancelled (task))
    {
      self->running = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
      return;
    }

  while (run->pos < run->outbox->len)
    {
      /* A group: the following entries of one collection; relations of a later group point
       * at records of an earlier one, pushed (and given server ids) by then. */
      group = g_array_index (run->outbox, SiOutboxEntry, run->pos).collection;
      for (end = run->pos; end < run->outbox->len &&
           g_array_index (run->outbox, SiOutboxEntry, end).collection == group; end++)
        ;
      take = 1;
      if (self->batch_threshold > 0 && end - run->pos >= self->batch_threshold)
        take = MIN (end - run->pos, run->batch_chunk);

      for (guint i = 0; i < take; i++)
        {
          PushOp *op = build_op (self, &g_array_index (run->outbox, SiOutboxEntry, run->pos + i), &error);

          if (error != NULL)
            {
              run_finish (task, store_error (g_steal_pointer (&error)));
              return;
            }
          if (op != NULL)
            g_ptr_array_add (run->ops, op);
        }
      run->pos += take;
      if (run->ops->len > 0)
        break;
    }

  if (run->ops->len == 0)
    {
      /* End of a round: push again what was merged, a few times at most. */
      if (g_hash_table_size (run->retry) > 0 && run->round + 1 < MAX_PUSH_ROUNDS)
        {
          g_clear_pointer (&run->only, g_hash_table_unref);
          run->only = g_steal_pointer (&run->retry);
          run->retry = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          run->round++;
          push_round (task);
        }
      else
        push_finish (task);
      return;
    }

  /* What is sent is noted first: if the answer is lost, the next sync knows its own write. */
  if (!note_pushing (self, run->ops, &error))
    {
      run_finish (task, store_error (g_steal_pointer (&error)));
      return;
    }

  if (take > 1 || (self->batch_threshold > 0 && run->ops->len > 1))
    {
      g_autoptr(GPtrArray) wire_ops = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_batch_op_free);
      g_autoptr(JsonNode) body = NULL;

      for (guint i = 0; i < run->ops->len; i++)
        {
          PushOp *op = g_ptr_array_index (run->ops, i);
          g_ptr_array_add (wire_ops, si_wire_batch_op_new (op->method, si_collection_get_wire (op->collection),
                                                           op->sid, op->if_match, op->record));
        }
      body = si_wire_batch_request_to_json (wire_ops);
      send_request (task, SOUP_METHOD_POST, "batch", body, -1, on_batch);
    }
  else
    {
      PushOp *op = g_ptr_array_index (run->ops, 0);
      const char *path = si_collection_get_path (op->collection);
      g_autoptr(JsonNode) body = op_record_json (op);
      g_autofree char *record_path = g_strdup_printf ("%s/%" G_GINT64_FORMAT, path, op->sid);

      switch (op->method)
        {
        case SI_WIRE_METHOD_POST:
          send_request (task, SOUP_METHOD_POST, path, body, -1, on_single);
          break;
        case SI_WIRE_METHOD_PUT:
          send_request (task, SOUP_METHOD_PUT, record_path, body, op->if_match, on_single);
          break;
        case SI_WIRE_METHOD_DELETE:
        default:
          send_request (task, SOUP_METHOD_DELETE, record_path, NULL, op->if_match, on_single);
          break;
        }
    }
}

/* Public ---------------------------------------------------------------------------------------- */

void
si_sync_engine_sync_async (SiSyncEngine        *self,
                           SiSyncMode           mode,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Run *run;

  g_return_if_fail (SI_IS_SYNC_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, si_sync_engine_sync_async);
  run = g_new0 (Run, 1);
  run->mode = mode;
  run->cursor = -1;
  run->batch_chunk = BATCH_CHUNK;
  run->retry = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run->ops = g_ptr_array_new_with_free_func ((GDestroyNotify) push_op_free);
  if (mode == SI_SYNC_MODE_FULL)
    {
      run->seen = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
      for (guint i = 0; i < self->collections->len; i++)
        g_ptr_array_add (run->seen, g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL));
    }
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);

  if (self->running)
    {
      g_task_return_new_error (task, SI_SYNC_ERROR, SI_SYNC_ERROR_BUSY, "%s", _("A sync is already running."));
      return;
    }
  if (self->token == NULL || *self->token == '\0')
    {
      g_task_return_new_error (task, SI_SYNC_ERROR, SI_SYNC_ERROR_NEEDS_LOGIN, "%s", _("Log in to sync."));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  self->running = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  set_progress (self, 0, 0);

  /* A pull checks the server's instance id on the first answer (its Saveidea-Instance
   * header) before it changes anything; a push must know it before it sends anything. */
  if (!self->instance_checked && mode == SI_SYNC_MODE_PUSH)
    send_request (task, SOUP_METHOD_GET, "info", NULL, -1, on_info);
  else
    after_info (task);
}

gboolean
si_sync_engine_sync_finish (SiSyncEngine  *self,
                            GAsyncResult  *result,
                            SiSyncReport  *out_report,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (out_report)
    {
      Run *run = g_task_get_task_data (G_TASK (result));
      *out_report = run->report;
    }
  return g_task_propagate_boolean (G_TASK (result), error);
}

void si_sync_engine_full_async (SiSyncEngine *self, GCancellable *c, GAsyncReadyCallback cb, gpointer d)
{ si_sync_engine_sync_async (self, SI_SYNC_MODE_FULL, c, cb, d); }
void si_sync_engine_pull_async (SiSyncEngine *self, GCancellable *c, GAsyncReadyCallback cb, gpointer d)
{ si_sync_engine_sync_async (self, SI_SYNC_MODE_PULL, c, cb, d); }
void si_sync_engine_push_async (SiSyncEngine *self, GCancellable *c, GAsyncReadyCallback cb, gpointer d)
{ si_sync_engine_sync_async (self, SI_SYNC_MODE_PUSH, c, cb, d); }
void si_sync_engine_incremental_async (SiSyncEngine *self, GCancellable *c, GAsyncReadyCallback cb, gpointer d)
{ si_sync_engine_sync_async (self, SI_SYNC_MODE_INCREMENTAL, c, cb, d); }

gboolean
si_sync_engine_forget_server (SiStore  *store,
                              GError  **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (SI_IS_STORE (store), FALSE);

  if (!_si_store_sync_forget_server (store, &local_error))
    {
      g_set_error (error, SI_SYNC_ERROR, SI_SYNC_ERROR_STORE, "%s", local_error->message);
      return FALSE;
    }
  return TRUE;
}

gint64
si_sync_engine_get_last_sync_time (SiStore *store)
{
  g_autofree char *value = NULL;

  g_return_val_if_fail (SI_IS_STORE (store), 0);
  value = _si_store_get_meta (store, "last_sync_time");
  return value ? g_ascii_strtoll (value, NULL, 10) : 0;
}

SiSyncEngine *
si_sync_engine_new (SiStore    *store,
                    const char *server_url,
                    const char *token)
{
  SiSyncEngine *self;

  g_return_val_if_fail (SI_IS_STORE (store), NULL);
  g_return_val_if_fail (server_url != NULL, NULL);

  self = g_object_new (SI_TYPE_SYNC_ENGINE, "store", store, "server-url", server_url, NULL);
  si_sync_engine_set_token (self, token);
  return self;
}

SiStore *si_sync_engine_get_store (SiSyncEngine *self) { g_return_val_if_fail (SI_IS_SYNC_ENGINE (self), NULL); return self->store; }
const char *si_sync_engine_get_server_url (SiSyncEngine *self) { g_return_val_if_fail (SI_IS_SYNC_ENGINE (self), NULL); return self->server_url; }
gboolean si_sync_engine_get_running (SiSyncEngine *self) { g_return_val_if_fail (SI_IS_SYNC_ENGINE (self), FALSE); return self->running; }
guint si_sync_engine_get_progress_done (SiSyncEngine *self) { g_return_val_if_fail (SI_IS_SYNC_ENGINE (self), 0); return self->progress_done; }
guint si_sync_engine_get_progress_total (SiSyncEngine *self) { g_return_val_if_fail (SI_IS_SYNC_ENGINE (self), 0); return self->progress_total; }

void
si_sync_engine_set_token (SiSyncEngine *self,
                          const char   *token)
{
  g_return_if_fail (SI_IS_SYNC_ENGINE (self));
  g_free (self->token);
  self->token = g_strdup (token);
}

void
si_sync_engine_set_page_size (SiSyncEngine *self,
                              guint         page_size)
{
  g_return_if_fail (SI_IS_SYNC_ENGINE (self));
  self->page_size = CLAMP (page_size, 1, SI_WIRE_PAGE_MAX_LIMIT);
}

void
si_sync_engine_set_batch_threshold (SiSyncEngine *self,
                                    guint         threshold)
{
  g_return_if_fail (SI_IS_SYNC_ENGINE (self));
  self->batch_threshold = threshold;
}

static void
si_sync_engine_dispose (GObject *object)
{
  SiSyncEngine *self = SI_SYNC_ENGINE (object);

  if (self->session)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (si_sync_engine_parent_class)->dispose (object);
}

static void
si_sync_engine_finalize (GObject *object)
{
  SiSyncEngine *self = SI_SYNC_ENGINE (object);

  g_clear_pointer (&self->collections, g_ptr_array_unref);
  g_free (self->server_url);
  if (self->token)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  G_OBJECT_CLASS (si_sync_engine_parent_class)->finalize (object);
}

static void
si_sync_engine_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SiSyncEngine *self = SI_SYNC_ENGINE (object);

  switch (prop_id)
    {
    case PROP_STORE: g_value_set_object (value, self->store); break;
    case PROP_SERVER_URL: g_value_set_string (value, self->server_url); break;
    case PROP_RUNNING: g_value_set_boolean (value, self->running); break;
    case PROP_PROGRESS_DONE: g_value_set_uint (value, self->progress_done); break;
    case PROP_PROGRESS_TOTAL: g_value_set_uint (value, self->progress_total); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_sync_engine_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  SiSyncEngine *self = SI_SYNC_ENGINE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_SERVER_URL:
      {
        g_autofree char *url = g_value_dup_string (value);
        /* "https://host/" and "https://host" are one server. */
        while (url && g_str_has_suffix (url, "/"))
          url[strlen (url) - 1] = '\0';
        self->server_url = g_steal_pointer (&url);
      }
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_sync_engine_class_init (SiSyncEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = si_sync_engine_dispose;
  object_class->finalize = si_sync_engine_finalize;
  object_class->get_property = si_sync_engine_get_property;
  object_class->set_property = si_sync_engine_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, SI_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERVER_URL] =
    g_param_spec_string ("server-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROGRESS_DONE] =
    g_param_spec_uint ("progress-done", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROGRESS_TOTAL] =
    g_param_spec_uint ("progress-total", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
si_sync_engine_init (SiSyncEngine *self)
{
  g_autofree char *agent = g_strdup_printf ("saveidea/%s", PACKAGE_VERSION);

  self->session = soup_session_new_with_options ("timeout", REQUEST_TIMEOUT_S, "idle-timeout", 60,
                                                 "user-agent", agent, NULL);
  self->collections = si_collection_get_defaults ();
  self->page_size = SI_WIRE_PAGE_MAX_LIMIT;
  self->batch_threshold = 8;
}
