/* si-server.c — saveidea-server's HTTP API (docs/protocol.md) on a SoupServer.
 *
 * The main loop reads requests, checks what needs no database (routing, methods, headers, body
 * size and type), then pauses the message and hands the rest to a pool of worker threads. Each
 * worker takes one storage connection from the pool (si_server_add_connection(), one per
 * thread), does the database work and builds the reply (a Reply: status, headers, body), and
 * the main loop sends it and unpauses the message. SoupServerMessage is only ever touched on
 * the main loop. Argon2id runs in GLib's own worker threads (si_password_verify_async()).
 *
 * The pieces: si-server-routes.c (the early checks, reading and routing requests),
 * si-server-auth.c (bearer tokens, the client's address), si-server-login.c (POST /login) and
 * si-server-records.c (the record requests, on a worker); what they share is in
 * si-server-private.h.
 */
#define G_LOG_DOMAIN "saveidea-server"

#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "si-server-private.h"

#define IN_FLIGHT_KEY "si-server-in-flight"

G_DEFINE_FINAL_TYPE (SiServer, si_server, G_TYPE_OBJECT)

/* ---------------------------------------------------------------------------------------- */
/* replies: what a worker thread builds and the main loop sends */

void
_si_server_reply_clear (Reply *reply)
{
  g_clear_pointer (&reply->body, g_free);
  g_clear_pointer (&reply->headers, g_ptr_array_unref);
  reply->status = 0;
}

void
_si_server_reply_set_header (Reply      *reply,
                             const char *name,
                             const char *value)
{
  if (reply->headers == NULL)
    reply->headers = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (reply->headers, g_strdup (name));
  g_ptr_array_add (reply->headers, g_strdup (value));
}

/* On the main loop. */
void
_si_server_reply_send (Reply             *reply,
                       SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  g_assert (reply->status != 0);
  for (guint i = 0; reply->headers != NULL && i + 1 < reply->headers->len; i += 2)
    soup_message_headers_replace (headers, g_ptr_array_index (reply->headers, i),
                                  g_ptr_array_index (reply->headers, i + 1));
  soup_server_message_set_status (msg, reply->status, NULL);
  if (reply->body != NULL)
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                      g_steal_pointer (&reply->body), reply->length);
  _si_server_reply_clear (reply);
}

void
_si_server_respond_json (Reply    *reply,
                         guint     status,
                         JsonNode *node)
{
  g_free (reply->body);
  reply->body = si_wire_to_string (node, &reply->length);
  reply->status = status;
}

void
_si_server_respond_text (Reply   *reply,
                         guint    status,
                         GString *text)
{
  g_free (reply->body);
  reply->length = text->len;
  reply->body = g_string_free (text, FALSE);
  reply->status = status;
}

void
_si_server_respond_problem (Reply              *reply,
                            guint               status,
                            const char         *code,
                            const SiWireRecord *current,
                            const char         *format,
                            ...)
{
  g_autoptr(SiWireProblem) problem = NULL;
  g_autofree char *message = NULL;
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  /* The path and headers quoted in a message may be any bytes; the JSON must be UTF-8. */
  message = g_utf8_make_valid (text, -1);

  problem = si_wire_problem_new (code, message, current);
  _si_server_respond_text (reply, status, si_wire_problem_to_text (problem));
}

void
_si_server_respond_record (Reply              *reply,
                           guint               status,
                           const SiWireRecord *record)
{
  g_autofree char *etag = si_wire_etag_format (record->version);
  GString *text = g_string_sized_new (512);

  si_wire_record_write (record, SI_WIRE_MODE_RESPONSE, text);
  _si_server_reply_set_header (reply, "ETag", etag);
  _si_server_respond_text (reply, status, text);
}

/* Maps a storage error to a status and an error body. Never returns NULL. */
SiWireProblem *
_si_server_problem_from_error (const GError       *error,
                               const SiWireRecord *current,
                               guint              *out_status)
{
  const char *code = "internal_error";
  const char *message = error->message;
  guint status = SOUP_STATUS_INTERNAL_SERVER_ERROR;

  if (error->domain == SI_WIRE_ERROR)
    {
      status = SOUP_STATUS_BAD_REQUEST;
      code = error->code == SI_WIRE_ERROR_INVALID_JSON ? "invalid_json" : "invalid_field";
    }
  else if (error->domain == SI_SERVER_STORAGE_ERROR)
    {
      switch ((SiServerStorageError) error->code)
        {
        case SI_SERVER_STORAGE_ERROR_NOT_FOUND:
          status = SOUP_STATUS_NOT_FOUND;
          code = "not_found";
          break;
        case SI_SERVER_STORAGE_ERROR_PRECONDITION_REQUIRED:
          status = 428;
          code = "precondition_required";
          break;
        case SI_SERVER_STORAGE_ERROR_PRECONDITION_FAILED:
          status = SOUP_STATUS_PRECONDITION_FAILED;
          code = "precondition_failed";
          break;
        case SI_SERVER_STORAGE_ERROR_DELETED:
          status = SOUP_STATUS_CONFLICT;
          code = "deleted";
          break;
        case SI_SERVER_STORAGE_ERROR_NAME_TAKEN:
          status = SOUP_STATUS_CONFLICT;
          code = "name_taken";
          break;
        case SI_SERVER_STORAGE_ERROR_UNKNOWN_TAG:
          status = SOUP_STATUS_BAD_REQUEST;
          code = "unknown_tag";
          break;
        case SI_SERVER_STORAGE_ERROR_INVALID:
          status = SOUP_STATUS_BAD_REQUEST;
          code = "invalid_field";
          break;
        case SI_SERVER_STORAGE_ERROR_NOT_DELETED:
          status = SOUP_STATUS_CONFLICT;
          code = "not_deleted";
          break;
        case SI_SERVER_STORAGE_ERROR_GONE:
          status = SOUP_STATUS_GONE;
          code = "gone";
          break;
        case SI_SERVER_STORAGE_ERROR_UNAVAILABLE:
          g_debug ("Database unavailable: %s", error->message);
          status = SOUP_STATUS_SERVICE_UNAVAILABLE;
          code = "unavailable";
          message = "The server cannot reach its database right now; nothing was changed; try again later";
          break;
        case SI_SERVER_STORAGE_ERROR_EXISTS:
        case SI_SERVER_STORAGE_ERROR_FAILED:
        case SI_SERVER_STORAGE_ERROR_NEWER_SCHEMA:
        case SI_SERVER_STORAGE_ERROR_IN_USE:
        case SI_SERVER_STORAGE_ERROR_NOT_EMPTY:
        default:
          break;
        }
    }

  if (status == SOUP_STATUS_INTERNAL_SERVER_ERROR)
    {
      g_warning ("Request failed: %s", error->message);
      message = "The server could not complete the request; it is logged on the server";
    }

  *out_status = status;
  return si_wire_problem_new (code, message, current);
}

/* A 503 says when to come back: when @storage tries its database again. */
void
_si_server_reply_set_retry_after (Reply           *reply,
                                  SiServerStorage *storage)
{
  g_autofree char *seconds = g_strdup_printf ("%u", si_server_storage_get_retry_after (storage));

  _si_server_reply_set_header (reply, "Retry-After", seconds);
}

/* @storage: the connection that failed (for Retry-After), or NULL. */
void
_si_server_respond_error (Reply              *reply,
                          const GError       *error,
                          const SiWireRecord *current,
                          SiServerStorage    *storage)
{
  g_autoptr(SiWireProblem) problem = NULL;
  guint status;

  problem = _si_server_problem_from_error (error, current, &status);
  if (status == SOUP_STATUS_SERVICE_UNAVAILABLE && storage != NULL)
    _si_server_reply_set_retry_after (reply, storage);
  _si_server_respond_text (reply, status, si_wire_problem_to_text (problem));
}

/* ---------------------------------------------------------------------------------------- */
/* requests: what the main loop parsed, handed to a worker */

static void
request_msg_finished (SoupServerMessage *msg,
                      Request           *request)
{
  request->finished = TRUE;
}

Request *
_si_server_request_new (SiServer          *self,
                        SoupServerMessage *msg,
                        Kind               kind)
{
  Request *request = g_new0 (Request, 1);

  request->self = g_object_ref (self);
  request->msg = g_object_ref (msg);
  request->kind = kind;
  request->if_match = -1;
  request->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (request_msg_finished), request);
  return request;
}

void
_si_server_request_free (Request *request)
{
  g_clear_signal_handler (&request->finished_id, request->msg);
  g_clear_object (&request->msg);
  g_clear_object (&request->self);
  g_free (request->token);
  g_clear_pointer (&request->body, g_bytes_unref);
  if (request->data_free != NULL)
    g_clear_pointer (&request->data, request->data_free);
  _si_server_reply_clear (&request->pending);
  _si_server_reply_clear (&request->reply);
  g_free (request);
}

/* The default end of a request: send its reply. */
void
_si_server_request_send_reply (Request *request)
{
  if (!request->finished)
    {
      _si_server_reply_send (&request->reply, request->msg);
      soup_server_unpause_message (request->self->soup, request->msg);
    }
  _si_server_request_free (request);
}

/* Back on the main loop. */
static void
request_complete (gpointer data,
                  gpointer user_data)
{
  Request *request = data;

  request->done (request);
}

/* A worker thread: one request on one connection of the pool. */
static void
worker_run (gpointer data,
            gpointer user_data)
{
  Request *request = data;
  SiServer *self = user_data;
  SiServerStorage *storage = g_async_queue_pop (self->connections);

  request->run (request, storage);
  /* Back at the front: the next request takes the connection used last, whose page cache
   * (SQLite's, valid while no other connection wrote) a client's next request finds warm. */
  g_async_queue_push_front (self->connections, storage);
}

/* Pauses the message (if not already paused) and queues the request for a worker. */
void
_si_server_request_dispatch (Request  *request,
                             void    (*run) (Request *request, SiServerStorage *storage),
                             void    (*done) (Request *request),
                             gboolean  pause)
{
  SiServer *self = request->self;

  request->run = run;
  request->done = done ? done : _si_server_request_send_reply;
  if (pause)
    soup_server_pause_message (self->soup, request->msg);
  si_server_workers_push (self->workers, request);
}

/* ---------------------------------------------------------------------------------------- */
/* in-flight requests and shutdown */

static void
finish_shutdown (SiServer *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->shutdown_task);

  g_clear_handle_id (&self->shutdown_timeout_id, g_source_remove);
  if (self->listener != NULL)
    si_server_listener_stop (self->listener);
  soup_server_disconnect (self->soup);
  if (task != NULL)
    g_task_return_boolean (task, TRUE);
}

static void
request_read (SoupServer        *soup,
              SoupServerMessage *msg,
              SiServer          *self)
{
  g_object_set_data (G_OBJECT (msg), IN_FLIGHT_KEY, GINT_TO_POINTER (1));
  self->in_flight++;
}

static void
request_done (SoupServer        *soup,
              SoupServerMessage *msg,
              SiServer          *self)
{
  if (g_object_get_data (G_OBJECT (msg), IN_FLIGHT_KEY) == NULL)
    return;
  g_object_set_data (G_OBJECT (msg), IN_FLIGHT_KEY, NULL);
  g_assert (self->in_flight > 0);
  self->in_flight--;
  if (self->in_flight == 0 && self->shutdown_task != NULL)
    finish_shutdown (self);
}

static gboolean
shutdown_timed_out (gpointer user_data)
{
  SiServer *self = user_data;

  self->shutdown_timeout_id = 0;
  g_warning ("%u requests still running after the shutdown timeout; closing anyway", self->in_flight);
  finish_shutdown (self);
  return G_SOURCE_REMOVE;
}

static gboolean
shutdown_now (gpointer user_data)
{
  SiServer *self = user_data;

  if (self->shutdown_task != NULL && self->in_flight == 0)
    finish_shutdown (self);
  return G_SOURCE_REMOVE;
}

void
si_server_shutdown_async (SiServer            *self,
                          guint                timeout_seconds,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SI_IS_SERVER (self));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, si_server_shutdown_async);

  if (self->shutdown_task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "Already shutting down");
      return;
    }

  self->shutting_down = TRUE;
  self->shutdown_task = g_steal_pointer (&task);
  g_debug ("Shutting down with %u requests in flight", self->in_flight);
  self->shutdown_timeout_id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, MAX (timeout_seconds, 1),
                                                          shutdown_timed_out, self, NULL);
  g_idle_add_full (G_PRIORITY_DEFAULT, shutdown_now, g_object_ref (self), g_object_unref);
}

gboolean
si_server_shutdown_finish (SiServer      *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---------------------------------------------------------------------------------------- */
/* listening */

static GSocketAddress *
parse_address (const char  *text,
               GError     **error)
{
  g_autofree char *host = NULL;
  g_autoptr(GInetAddress) inet = NULL;
  const char *colon;
  guint64 port = 0;

  if (text[0] == '[')
    {
      const char *end = strchr (text, ']');

      if (end == NULL || end[1] != ':')
        goto bad;
      host = g_strndup (text + 1, (gsize) (end - text - 1));
      colon = end + 1;
    }
  else
    {
      colon = strrchr (text, ':');
      if (colon == NULL)
        goto bad;
      host = g_strndup (text, (gsize) (colon - text));
    }

  if (!g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &port, NULL))
    goto bad;

  if (host[0] == '\0')
    inet = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  else if (g_str_equal (host, "localhost"))
    inet = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else
    inet = g_inet_address_new_from_string (host);
  if (inet == NULL)
    goto bad;

  return g_inet_socket_address_new (inet, (guint16) port);

bad:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "Cannot listen on “%s”: give an IP address and a port, such as 127.0.0.1:8080 or [::1]:8080",
               text);
  return NULL;
}

void
si_server_set_limits (SiServer             *self,
                      const SiServerLimits *limits)
{
  g_return_if_fail (SI_IS_SERVER (self));
  g_return_if_fail (limits != NULL);
  g_return_if_fail (self->listener == NULL);

  self->limits = *limits;
}

char *
si_server_listen (SiServer         *self,
                  const char       *address,
                  GTlsCertificate  *certificate,
                  GError          **error)
{
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autofree char *host = NULL;
  GInetAddress *inet;
  guint16 port;

  g_return_val_if_fail (SI_IS_SERVER (self), NULL);
  g_return_val_if_fail (address != NULL, NULL);

  socket_address = parse_address (address, error);
  if (socket_address == NULL)
    return NULL;

  /* Our own accept loop, never soup_server_listen*(): libsoup's stops for good after one
   * failed accept() (EMFILE), and times out no connection (si-server-listener.c). */
  if (self->listener == NULL)
    self->listener = si_server_listener_new (self->soup, &self->limits);
  local = si_server_listener_listen (self->listener, socket_address, certificate, error);
  if (local == NULL)
    return NULL;

  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local));
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  host = g_inet_address_to_string (inet);
  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("%s://[%s]:%u", certificate ? "https" : "http", host, port);
  return g_strdup_printf ("%s://%s:%u", certificate ? "https" : "http", host, port);
}

/* ---------------------------------------------------------------------------------------- */
/* object */

static void
si_server_dispose (GObject *object)
{
  SiServer *self = SI_SERVER (object);

  g_clear_handle_id (&self->shutdown_timeout_id, g_source_remove);
  g_clear_object (&self->listener);
  if (self->soup != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->soup, self);
      soup_server_disconnect (self->soup);
    }
  g_clear_object (&self->soup);
  g_clear_object (&self->shutdown_task);
  /* Every request holds a reference: no job is left in the pool by now. */
  g_clear_pointer (&self->workers, si_server_workers_free);
  g_clear_pointer (&self->connections, g_async_queue_unref);
  g_clear_object (&self->storage);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (si_server_parent_class)->dispose (object);
}

static void
si_server_finalize (GObject *object)
{
  SiServer *self = SI_SERVER (object);

  g_clear_object (&self->throttle);
  g_clear_pointer (&self->trusted_proxies, g_ptr_array_unref);

  G_OBJECT_CLASS (si_server_parent_class)->finalize (object);
}

static void
si_server_class_init (SiServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = si_server_dispose;
  object_class->finalize = si_server_finalize;
}

static void
si_server_init (SiServer *self)
{
  si_server_limits_init_default (&self->limits);
  self->throttle = si_server_throttle_new ();
  self->trusted_proxies = g_ptr_array_new_with_free_func (g_object_unref);
}

SiServer *
si_server_new (SiServerStorage *storage,
               gsize            max_body_bytes)
{
  SiServer *self;

  g_return_val_if_fail (SI_IS_SERVER_STORAGE (storage), NULL);
  g_return_val_if_fail (max_body_bytes > 0, NULL);

  self = g_object_new (SI_TYPE_SERVER, NULL);
  self->storage = g_object_ref (storage);
  self->max_body_bytes = max_body_bytes;
  self->context = g_main_context_ref_thread_default ();
  self->connections = g_async_queue_new_full (g_object_unref);
  self->workers = si_server_workers_new (self->context, worker_run, request_complete, self);
  si_server_add_connection (self, storage);
  self->soup = soup_server_new ("server-header", "saveidea-server/" SI_SERVER_VERSION_STRING " ",
                                NULL);

  /* Connections are kept alive between requests by si-server-listener.c, which lends libsoup
   * each request as a connection of its own (si-server-keep-stream.c): libsoup keeps none
   * alive itself without a listening socket of its own, and libsoup before 3.3.0 never closes
   * a kept-alive connection that its client closed while it was idle. */
  self->close_connections = FALSE;

  soup_server_add_early_handler (self->soup, NULL, _si_server_handle_early, self, NULL);
  soup_server_add_handler (self->soup, NULL, _si_server_handle_request, self, NULL);
  g_signal_connect (self->soup, "request-read", G_CALLBACK (request_read), self);
  g_signal_connect (self->soup, "request-finished", G_CALLBACK (request_done), self);
  g_signal_connect (self->soup, "request-aborted", G_CALLBACK (request_done), self);
  return self;
}

void
si_server_set_trusted_proxies (SiServer           *self,
                               const char * const *addresses)
{
  g_return_if_fail (SI_IS_SERVER (self));

  g_ptr_array_set_size (self->trusted_proxies, 0);
  for (guint i = 0; addresses != NULL && addresses[i] != NULL; i++)
    {
      GInetAddress *address = g_inet_address_new_from_string (addresses[i]);

      g_return_if_fail (address != NULL);
      g_ptr_array_add (self->trusted_proxies, address);
    }
}

void
si_server_add_connection (SiServer        *self,
                          SiServerStorage *storage)
{
  g_return_if_fail (SI_IS_SERVER (self));
  g_return_if_fail (SI_IS_SERVER_STORAGE (storage));
  g_return_if_fail (g_strcmp0 (si_server_storage_get_instance_id (storage),
                               si_server_storage_get_instance_id (self->storage)) == 0);

  g_async_queue_push (self->connections, g_object_ref (storage));
  self->n_connections++;
  si_server_workers_add_thread (self->workers);
}
