/* si-sync-engine.c — pull, push, incremental and full sync with a saveidea-server.
 *
 * A sync is a chain of libsoup requests on the main loop; each response is applied to the store
 * in one transaction (a page and its cursor together; a batch's results together). Pulled pages
 * are decoded and applied on a thread, to a connection of the pull's own
 * (si-sync-engine-pull.c). Nothing is
 * marked clean before the server said it has it, so an error at any point loses nothing.
 *
 * A pull reads GET /changes (both collections, one cursor) and checks the server's instance id
 * in each answer's header; a push notes what it sends before sending it, so that a sync that
 * never got the answer recognises its own write in the next one (si-store-sync.c).
 *
 * The pieces: the pull in si-sync-engine-pull.c, the push in si-sync-engine-push.c; what they
 * share (the engine, a run, sending a request) is in si-sync-engine-private.h.
 */
#define G_LOG_DOMAIN "saveidea-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "si-collection.h"
#include "si-device.h"
#include "si-http-private.h"
#include "si-store-private.h"
#include "si-sync-engine-private.h"
#include "si-sync-engine.h"
#include "si-wire.h"
#include "si-wire-history.h"

#define API "/api/v1/"
#define BATCH_CHUNK 1000
#define REQUEST_TIMEOUT_S 60

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

void
_si_sync_engine_push_op_free (PushOp *op)
{
  g_clear_pointer (&op->record, si_wire_record_free);
  g_free (op);
}

static void
run_free (Run *run)
{
  g_clear_pointer (&run->seen, g_ptr_array_unref);
  g_clear_pointer (&run->outbox, g_array_unref);
  g_clear_pointer (&run->only, g_hash_table_unref);
  g_clear_pointer (&run->retry, g_hash_table_unref);
  g_clear_pointer (&run->ops, g_ptr_array_unref);
  g_clear_pointer (&run->next_ops, g_ptr_array_unref);
  g_clear_pointer (&run->parked_answer, g_bytes_unref);
  _si_sync_engine_push_unrecorded_clear (run);
  if (run->next_body != NULL)
    g_string_free (run->next_body, TRUE);
  g_clear_error (&run->deferred);
  g_free (run);
}

static gboolean check_instance (SiSyncEngine *self, const char *instance_id, GError **error);

void
_si_sync_engine_set_progress (SiSyncEngine *self,
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

void
_si_sync_engine_run_finish (GTask  *task,
                            GError *error)
{
  SiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  if (run->applying && error != NULL)
    {
      /* A page is being applied on the pull's thread: the run ends when it is in (the pull's
       * connection is never used by two runs). The first reason is the one given. */
      if (run->deferred == NULL)
        run->deferred = error;
      else
        g_error_free (error);
      return;
    }
  /* The answers of the upload not recorded yet are recorded; the next batch is not taken ahead
   * any more (si-sync-engine-push.c). */
  _si_sync_engine_push_run_ends (task);
  run->ended = TRUE;
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

/* A run cancelled between two requests: its task has returned already. */
void
_si_sync_engine_run_cancelled (SiSyncEngine *self)
{
  self->running = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

GError *
_si_sync_engine_store_error (GError *error)
{
  GError *wrapped = g_error_new (SI_SYNC_ERROR, SI_SYNC_ERROR_STORE, "%s", error->message);
  g_error_free (error);
  return wrapped;
}

/* HTTP ------------------------------------------------------------------------------------------ */

typedef struct {
  GTask        *task;
  SoupMessage  *msg;
  ResponseFunc  func;
  RawResponseFunc raw_func;  /* for a 200 answer, when set: its body unparsed */
} Request;

static void
request_free (Request *req)
{
  g_clear_object (&req->task);
  g_clear_object (&req->msg);
  g_free (req);
}

/* Checks an answer of the server's to @msg: its instance id (and what it takes), a refused
 * login, a failed server, a body that is not JSON. FALSE with the error that ends the request;
 * else *@out_json is the body (NULL when empty, as a 204's). */
static gboolean
read_answer (SiSyncEngine  *self,
             SoupMessage   *msg,
             GBytes        *bytes,
             gboolean       raw,
             JsonNode     **out_json,
             GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) json = NULL;
  guint status = soup_message_get_status (msg);
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);
  const char *instance_id = soup_message_headers_get_one (headers, SI_WIRE_INSTANCE_HEADER);

  g_debug ("%s %s -> %u (%" G_GSIZE_FORMAT " bytes)", soup_message_get_method (msg),
           g_uri_get_path (soup_message_get_uri (msg)), status, g_bytes_get_size (bytes));
  if (instance_id != NULL)
    {
      /* A Saveidea server's answer: what it takes is in the same answer. */
      const char *features = soup_message_headers_get_list (headers, SI_WIRE_FEATURES_HEADER);

      self->server_takes_device = features != NULL && soup_header_contains (features, SI_WIRE_FEATURE_DEVICE);
      self->server_reports_changes = features != NULL && soup_header_contains (features, SI_WIRE_FEATURE_CHANGES);
      if (!check_instance (self, instance_id, error))
        return FALSE;
    }

  if (status == SOUP_STATUS_UNAUTHORIZED)
    g_set_error_literal (error, SI_SYNC_ERROR, SI_SYNC_ERROR_NEEDS_LOGIN,
                         _("The server no longer accepts this login. Log in again."));
  else if (status >= 500 || status == 429 || status == 408)
    g_set_error (error, SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER,
                 /* Translators: %u is the HTTP status code, such as 503. */
                 _("The server had a problem (HTTP %u). Changes are kept and will be sent later."),
                 status);
  else if (raw && status == SOUP_STATUS_OK)
    /* The caller parses it (a page of changes: on the pull's thread). */
    return TRUE;
  else if (g_bytes_get_size (bytes) > 0 &&
           (json = si_wire_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &local_error)) == NULL)
    g_set_error (error, SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER,
                 /* Translators: the HTTP status code, then what is wrong with the answer. */
                 _("The server sent an answer that is not valid (HTTP %u: %s)."),
                 status, local_error->message);
  else if (json == NULL && status != SOUP_STATUS_NO_CONTENT)
    g_set_error (error, SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER,
                 /* Translators: %u is the HTTP status code, such as 200. */
                 _("The server sent an empty answer (HTTP %u)."), status);
  else
    {
      *out_json = g_steal_pointer (&json);
      return TRUE;
    }
  return FALSE;
}

static GError *
network_error (const GError *error)
{
  return g_error_new (SI_SYNC_ERROR, SI_SYNC_ERROR_NETWORK,
                      /* Translators: %s says why (from GLib or libsoup). */
                      _("The server could not be reached: %s"), error->message);
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

  bytes = _si_http_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (run->ended)
    {
      /* A page asked for ahead while the run ended. */
      request_free (req);
      return;
    }
  run->us_waiting += g_get_monotonic_time () - run->sent_at;
  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _si_sync_engine_run_finish (task, g_steal_pointer (&error));
      else
        _si_sync_engine_run_finish (task, network_error (error));
      request_free (req);
      return;
    }
  if (g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error))
    {
      _si_sync_engine_run_finish (task, g_steal_pointer (&error));
      request_free (req);
      return;
    }

  parse_start = g_get_monotonic_time ();
  if (!read_answer (SI_SYNC_ENGINE (g_task_get_source_object (task)), req->msg, bytes,
                    req->raw_func != NULL, &json, &error))
    _si_sync_engine_run_finish (task, g_steal_pointer (&error));
  else if (req->raw_func != NULL && soup_message_get_status (req->msg) == SOUP_STATUS_OK)
    /* Parsed where it is used (a page of changes: on the pull's thread). */
    req->raw_func (task, bytes);
  else
    {
      run->us_parsing += g_get_monotonic_time () - parse_start;
      req->func (task, soup_message_get_status (req->msg), json);
    }
  request_free (req);
}

/* A request to the server's API at @path, with the token; NULL with an error for a bad
 * address. */
static SoupMessage *
new_message (SiSyncEngine  *self,
             const char    *method,
             const char    *path,
             GBytes        *body,
             gint64         if_match,
             const char    *prefer,
             GError       **error)
{
  g_autofree char *url = g_strconcat (self->server_url, API, path, NULL);
  g_autofree char *auth = g_strconcat ("Bearer ", self->token ? self->token : "", NULL);
  SoupMessage *msg = soup_message_new (method, url);

  if (msg == NULL)
    {
      g_set_error (error, SI_SYNC_ERROR, SI_SYNC_ERROR_NOT_SAVEIDEA,
                   _("“%s” is not a valid server address."), self->server_url);
      return NULL;
    }
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept", "application/json");
  if (if_match >= 0)
    {
      g_autofree char *etag = si_wire_etag_format (if_match);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "If-Match", etag);
    }
  if (prefer != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), SI_WIRE_PREFER_HEADER, prefer);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/json", body);
  return msg;
}
static SoupMessage *send_request (GTask *task, const char *method, const char *path, GBytes *body,
                                  gint64 if_match, const char *prefer, ResponseFunc func,
                                  RawResponseFunc raw_func);

void
_si_sync_engine_send_request (GTask        *task,
                              const char   *method,
                              const char   *path,
                              JsonNode     *body,
                              gint64        if_match,
                              ResponseFunc  func)
{
  g_autoptr(GBytes) bytes = NULL;

  if (body != NULL)
    {
      gsize length = 0;
      char *text = si_wire_to_string (body, &length);

      bytes = g_bytes_new_take (text, length);
    }
  send_request (task, method, path, bytes, if_match, NULL, func, NULL);
}

void
_si_sync_engine_send_request_text (GTask        *task,
                                   const char   *method,
                                   const char   *path,
                                   GString      *body,
                                   gint64        if_match,
                                   ResponseFunc  func)
{
  g_autoptr(GBytes) bytes = g_string_free_to_bytes (body);

  send_request (task, method, path, bytes, if_match, NULL, func, NULL);
}

void
_si_sync_engine_send_request_raw (GTask           *task,
                                  const char      *path,
                                  ResponseFunc     func,
                                  RawResponseFunc  raw_func)
{
  send_request (task, SOUP_METHOD_GET, path, NULL, -1, NULL, func, raw_func);
}

SoupMessage *
_si_sync_engine_send_request_read (GTask           *task,
                                   const char      *method,
                                   const char      *path,
                                   GString         *body,
                                   const char      *prefer,
                                   ResponseFunc     func,
                                   RawResponseFunc  raw_func)
{
  g_autoptr(GBytes) bytes = g_string_free_to_bytes (body);

  return send_request (task, method, path, bytes, -1, prefer, func, raw_func);
}

/* The message sent (the request holds it until its answer is in), NULL when none could be made
 * (the run has ended). */
static SoupMessage *
send_request (GTask           *task,
              const char      *method,
              const char      *path,
              GBytes          *body,
              gint64           if_match,
              const char      *prefer,
              ResponseFunc     func,
              RawResponseFunc  raw_func)
{
  SiSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;
  Request *req;

  req = g_new0 (Request, 1);
  req->task = g_object_ref (task);
  req->func = func;
  req->raw_func = raw_func;
  req->msg = new_message (self, method, path, body, if_match, prefer, &error);
  if (req->msg == NULL)
    {
      _si_sync_engine_run_finish (task, error);
      request_free (req);
      return NULL;
    }
  run->report.requests++;
  run->sent_at = g_get_monotonic_time ();
  _si_http_send_and_read_async (self->session, req->msg, SI_WIRE_MAX_BYTES,
                                g_task_get_cancellable (task), request_done, req);
  return req->msg;
}

/* One request outside a sync (si-history.c) ----------------------------------------------------- */

typedef struct {
  SoupMessage *msg;
  guint        status;
  gboolean     has_history;
} Call;

static void
call_free (Call *call)
{
  g_clear_object (&call->msg);
  g_free (call);
}

static void
call_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SiSyncEngine *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  JsonNode *json = NULL;
  const char *features;

  bytes = _si_http_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_error (task, network_error (error));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  call->status = soup_message_get_status (call->msg);
  features = soup_message_headers_get_list (soup_message_get_response_headers (call->msg), SI_WIRE_FEATURES_HEADER);
  call->has_history = features != NULL && soup_header_contains (features, SI_WIRE_FEATURE_HISTORY);
  if (!read_answer (self, call->msg, bytes, FALSE, &json, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, json, json ? (GDestroyNotify) json_node_unref : NULL);
}

void
_si_sync_engine_call_async (SiSyncEngine        *self,
                            const char          *method,
                            const char          *path,
                            gint64               if_match,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;
  Call *call = g_new0 (Call, 1);

  g_task_set_source_tag (task, _si_sync_engine_call_async);
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  if (self->token == NULL || *self->token == '\0')
    {
      g_task_return_new_error (task, SI_SYNC_ERROR, SI_SYNC_ERROR_NEEDS_LOGIN, "%s", _("Log in to sync."));
      return;
    }
  if (!(call->msg = new_message (self, method, path, NULL, if_match, NULL, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  _si_http_send_and_read_async (self->session, call->msg, SI_WIRE_MAX_BYTES, cancellable,
                                call_done, g_steal_pointer (&task));
}

JsonNode *
_si_sync_engine_call_finish (SiSyncEngine  *self,
                             GAsyncResult  *result,
                             guint         *out_status,
                             gboolean      *out_has_history,
                             GError       **error)
{
  Call *call;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  call = g_task_get_task_data (G_TASK (result));
  if (out_status)
    *out_status = call->status;
  if (out_has_history)
    *out_has_history = call->has_history;
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The server answered @status to a request for changes or a batch: the sync ends with its
 * reason. */
void
_si_sync_engine_unexpected (GTask       *task,
                            guint        status,
                            JsonNode    *json,
                            RequestKind  kind)
{
  g_autoptr(SiWireProblem) problem = json ? si_wire_problem_from_json (json, SI_WIRE_COLLECTION_IDEAS, NULL) : NULL;
  /* Translators: stands for the server's reason (in English) in the next two messages. */
  const char *reason = problem && problem->message ? problem->message : _("no reason given");

  if (kind == REQUEST_BATCH)
    _si_sync_engine_run_finish (task, g_error_new (SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER,
                                                   /* Translators: the HTTP status code, then the server's reason (in
                                                    * English) or “no reason given”. */
                                                   _("The server refused a batch of changes (HTTP %u: %s)."), status, reason));
  else
    _si_sync_engine_run_finish (task, g_error_new (SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER,
                                                   /* Translators: the HTTP status code, then the server's reason (in
                                                    * English) or “no reason given”. */
                                                   _("The server refused to list the changes (HTTP %u: %s)."), status, reason));
}

/* The server's answer to a change or a batch cannot be read (@error says why, when known): the
 * sync ends. */
void
_si_sync_engine_answer_not_valid (GTask        *task,
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
  _si_sync_engine_run_finish (task, g_error_new_literal (SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER, message));
}

/* Start: the server's identity --------------------------------------------------------------- */

static void
after_info (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  if (run->mode == SI_SYNC_MODE_PUSH)
    _si_sync_engine_push_round (task);
  else
    _si_sync_engine_pull_next (task);
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
          g_propagate_error (error, _si_sync_engine_store_error (g_steal_pointer (&local_error)));
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

void
_si_sync_engine_on_info (GTask    *task,
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
      _si_sync_engine_run_finish (task, g_error_new (SI_SYNC_ERROR, SI_SYNC_ERROR_NOT_SAVEIDEA,
                                                     /* Translators: the server's address, then the version of the
                                                      * protocol this Saveidea speaks. */
                                                     _("%s does not answer like a Saveidea server (protocol %d)."),
                                                     self->server_url, SI_WIRE_PROTOCOL_VERSION));
      return;
    }
  if (!check_instance (self, instance_id, &error))
    {
      _si_sync_engine_run_finish (task, error);
      return;
    }
  after_info (task);
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
  run->ops = g_ptr_array_new_with_free_func ((GDestroyNotify) _si_sync_engine_push_op_free);
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
  _si_sync_engine_set_progress (self, 0, 0);
  g_free (self->device_name);
  self->device_name = si_device_dup_name (self->store);

  /* A pull checks the server's instance id on the first answer (its Saveidea-Instance
   * header) before it changes anything; a push must know it before it sends anything. */
  if (!self->instance_checked && mode == SI_SYNC_MODE_PUSH)
    _si_sync_engine_send_request (task, SOUP_METHOD_GET, "info", NULL, -1, _si_sync_engine_on_info);
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
  g_clear_object (&self->pull_store);
  g_clear_object (&self->push_store);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (si_sync_engine_parent_class)->dispose (object);
}

static void
si_sync_engine_finalize (GObject *object)
{
  SiSyncEngine *self = SI_SYNC_ENGINE (object);

  g_clear_pointer (&self->collections, g_ptr_array_unref);
  g_free (self->server_url);
  g_free (self->device_name);
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
