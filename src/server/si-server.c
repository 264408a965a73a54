/* si-server.c — saveidea-server's HTTP API (docs/protocol.md) on a SoupServer.
 *
 * The main loop reads requests, checks what needs no database (routing, methods, headers, body
 * size and type), then pauses the message and hands the rest to a pool of worker threads. Each
 * worker takes one storage connection from the pool (si_server_add_connection(), one per
 * thread), does the database work and builds the reply (a Reply: status, headers, body), and
 * the main loop sends it and unpauses the message. SoupServerMessage is only ever touched on
 * the main loop. Argon2id runs in GLib's own worker threads (si_password_verify_async()).
 */
#define G_LOG_DOMAIN "saveidea-server"

#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "si-password.h"
#include "si-server.h"
#include "si-server-listener.h"
#include "si-server-throttle.h"
#include "si-wire.h"

#define API_PREFIX "/api/v1/"

#define IN_FLIGHT_KEY "si-server-in-flight"

struct _SiServer
{
  GObject          parent_instance;

  SiServerStorage *storage;           /* the first connection: the instance id */
  GAsyncQueue     *connections;       /* idle SiServerStorage connections */
  guint            n_connections;
  GThreadPool     *workers;           /* as many threads as connections */
  GMainContext    *context;           /* where replies are sent */
  SoupServer      *soup;
  SiServerListener *listener;         /* accepts the connections soup serves */
  SiServerLimits   limits;
  gsize            max_body_bytes;

  SiServerThrottle *throttle;         /* login attempts per client address and per name */
  GPtrArray       *trusted_proxies;   /* GInetAddress: peers whose X-Forwarded-For is believed */

  guint            in_flight;
  gboolean         close_connections; /* see si_server_new() */
  gboolean         shutting_down;
  GTask           *shutdown_task;
  guint            shutdown_timeout_id;
};

G_DEFINE_FINAL_TYPE (SiServer, si_server, G_TYPE_OBJECT)

/* ---------------------------------------------------------------------------------------- */
/* replies: what a worker thread builds and the main loop sends */

typedef struct {
  guint      status;
  char      *body;     /* JSON text, or NULL */
  gsize      length;
  GPtrArray *headers;  /* name, value, name, value, ... */
} Reply;

static void
reply_clear (Reply *reply)
{
  g_clear_pointer (&reply->body, g_free);
  g_clear_pointer (&reply->headers, g_ptr_array_unref);
  reply->status = 0;
}

static void
reply_set_header (Reply      *reply,
                  const char *name,
                  const char *value)
{
  if (reply->headers == NULL)
    reply->headers = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (reply->headers, g_strdup (name));
  g_ptr_array_add (reply->headers, g_strdup (value));
}

/* On the main loop. */
static void
reply_send (Reply             *reply,
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
  reply_clear (reply);
}

static void
respond_json (Reply    *reply,
              guint     status,
              JsonNode *node)
{
  g_free (reply->body);
  reply->body = si_wire_to_string (node, &reply->length);
  reply->status = status;
}

static void
respond_problem (Reply              *reply,
                 guint               status,
                 const char         *code,
                 const SiWireRecord *current,
                 const char         *format,
                 ...) G_GNUC_PRINTF (5, 6);

static void
respond_problem (Reply              *reply,
                 guint               status,
                 const char         *code,
                 const SiWireRecord *current,
                 const char         *format,
                 ...)
{
  g_autoptr(SiWireProblem) problem = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *message = NULL;
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  /* The path and headers quoted in a message may be any bytes; the JSON must be UTF-8. */
  message = g_utf8_make_valid (text, -1);

  problem = si_wire_problem_new (code, message, current);
  node = si_wire_problem_to_json (problem);
  respond_json (reply, status, node);
}

static void
respond_record (Reply              *reply,
                guint               status,
                const SiWireRecord *record)
{
  g_autoptr(JsonNode) node = si_wire_record_to_json (record, SI_WIRE_MODE_RESPONSE);
  g_autofree char *etag = si_wire_etag_format (record->version);

  reply_set_header (reply, "ETag", etag);
  respond_json (reply, status, node);
}

/* Maps a storage error to a status and an error body. Never returns NULL. */
static SiWireProblem *
problem_from_error (const GError       *error,
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
static void
reply_set_retry_after (Reply           *reply,
                       SiServerStorage *storage)
{
  g_autofree char *seconds = g_strdup_printf ("%u", si_server_storage_get_retry_after (storage));

  reply_set_header (reply, "Retry-After", seconds);
}

/* @storage: the connection that failed (for Retry-After), or NULL. */
static void
respond_error (Reply              *reply,
               const GError       *error,
               const SiWireRecord *current,
               SiServerStorage    *storage)
{
  g_autoptr(SiWireProblem) problem = NULL;
  g_autoptr(JsonNode) node = NULL;
  guint status;

  problem = problem_from_error (error, current, &status);
  if (status == SOUP_STATUS_SERVICE_UNAVAILABLE && storage != NULL)
    reply_set_retry_after (reply, storage);
  node = si_wire_problem_to_json (problem);
  respond_json (reply, status, node);
}

static void
respond_method_not_allowed (Reply      *reply,
                            const char *method,
                            const char *allow)
{
  reply_set_header (reply, "Allow", allow);
  respond_problem (reply, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed", NULL,
                   "%s is not allowed here; allowed: %s", method, allow);
}

static void
respond_not_found (Reply      *reply,
                   const char *path)
{
  respond_problem (reply, SOUP_STATUS_NOT_FOUND, "not_found", NULL, "There is nothing at %s", path);
}

/* ---------------------------------------------------------------------------------------- */
/* requests: what the main loop parsed, handed to a worker */

typedef enum {
  KIND_LIST,      /* GET /<collection> and GET /changes */
  KIND_GET,
  KIND_CREATE,
  KIND_UPDATE,
  KIND_DELETE,
  KIND_BATCH,
  KIND_LOGOUT,
  KIND_LOGIN,     /* see Login */
} Kind;

typedef struct _Request Request;

struct _Request
{
  SiServer          *self;
  SoupServerMessage *msg;
  gulong             finished_id;
  gboolean           finished;    /* the client went away: nothing to send */

  Kind               kind;
  SiWireCollection   collection;  /* SI_SERVER_STORAGE_ALL_COLLECTIONS for /changes */
  gint64             id;
  gint64             if_match;
  gint64             since;
  gint64             limit;
  char              *token;       /* the bearer token, if well formed */
  GBytes            *body;        /* a JSON request body, size and type checked */

  /* run on a worker thread with a connection; then done on the main loop */
  void             (*run)  (Request *request, SiServerStorage *storage);
  void             (*done) (Request *request);
  gpointer           data;
  GDestroyNotify     data_free;

  Reply              pending;     /* an error found before authentication, sent after it */
  Reply              reply;
};

static void
request_msg_finished (SoupServerMessage *msg,
                      Request           *request)
{
  request->finished = TRUE;
}

static Request *
request_new (SiServer          *self,
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

static void
request_free (Request *request)
{
  g_clear_signal_handler (&request->finished_id, request->msg);
  g_clear_object (&request->msg);
  g_clear_object (&request->self);
  g_free (request->token);
  g_clear_pointer (&request->body, g_bytes_unref);
  if (request->data_free != NULL)
    g_clear_pointer (&request->data, request->data_free);
  reply_clear (&request->pending);
  reply_clear (&request->reply);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

/* The default end of a request: send its reply. */
static void
request_send_reply (Request *request)
{
  if (!request->finished)
    {
      reply_send (&request->reply, request->msg);
      soup_server_unpause_message (request->self->soup, request->msg);
    }
  request_free (request);
}

static gboolean
request_complete (gpointer data)
{
  Request *request = data;

  request->done (request);
  return G_SOURCE_REMOVE;
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
  g_async_queue_push (self->connections, storage);
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, request_complete, request, NULL);
}

/* Pauses the message (if not already paused) and queues the request for a worker. */
static void
request_dispatch (Request  *request,
                  void    (*run) (Request *request, SiServerStorage *storage),
                  void    (*done) (Request *request),
                  gboolean  pause)
{
  SiServer *self = request->self;
  g_autoptr(GError) error = NULL;

  request->run = run;
  request->done = done ? done : request_send_reply;
  if (pause)
    soup_server_pause_message (self->soup, request->msg);
  if (!g_thread_pool_push (self->workers, request, &error))
    g_error ("Cannot queue a request: %s", error->message);
}

/* ---------------------------------------------------------------------------------------- */
/* reading requests (main loop) */

/* Checks a JSON request body's type and size; returns it, or NULL after a 415/413. */
static GBytes *
read_body (SiServer          *self,
           SoupServerMessage *msg,
           Reply             *reply)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);
  g_autoptr(GBytes) body = NULL;

  if (content_type == NULL || g_ascii_strcasecmp (content_type, "application/json") != 0)
    {
      respond_problem (reply, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", NULL,
                       "The body must be JSON with Content-Type: application/json (got %s)",
                       content_type ? content_type : "none");
      return NULL;
    }

  body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  if (g_bytes_get_size (body) > self->max_body_bytes)
    {
      respond_problem (reply, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "payload_too_large", NULL,
                       "The body is larger than %" G_GSIZE_FORMAT " bytes", self->max_body_bytes);
      return NULL;
    }
  return g_steal_pointer (&body);
}

/* Parses a JSON object body (any thread), or answers 400 and returns NULL. */
static JsonNode *
parse_body (GBytes *body,
            Reply  *reply)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  node = si_wire_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  if (node == NULL)
    respond_error (reply, error, NULL, NULL);
  return node;
}

/* Parses a decimal id (1 to 2^63-1) from a path segment. */
static gboolean
parse_id (const char *text,
          gint64     *out_id)
{
  return si_wire_int64_parse (text, -1, 1, G_MAXINT64, out_id);
}

static gboolean
parse_query_int (GHashTable *query,
                 const char *name,
                 gint64      fallback,
                 gint64      min,
                 gint64      max,
                 gint64     *out,
                 Reply      *reply)
{
  const char *text = query ? g_hash_table_lookup (query, name) : NULL;

  if (text == NULL)
    {
      *out = fallback;
      return TRUE;
    }
  if (!si_wire_int64_parse (text, -1, min, max, out))
    {
      respond_problem (reply, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", NULL,
                       "Parameter “%s” must be a whole number from %" G_GINT64_FORMAT " to %"
                       G_GINT64_FORMAT, name, min, max);
      return FALSE;
    }
  return TRUE;
}

/* -1 when absent; FALSE (after a 400) when malformed. */
static gboolean
read_if_match (SoupServerMessage *msg,
               gint64            *out_version,
               Reply             *reply)
{
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                     "If-Match");

  *out_version = -1;
  if (header == NULL)
    return TRUE;
  if (!si_wire_if_match_parse (header, out_version))
    {
      respond_problem (reply, SOUP_STATUS_BAD_REQUEST, "invalid_header", NULL,
                       "If-Match must be the version the change is based on, such as \"12\"");
      return FALSE;
    }
  return TRUE;
}

static gboolean
token_is_well_formed (const char *token)
{
  if (strlen (token) != 64)
    return FALSE;
  for (guint i = 0; i < 64; i++)
    if (!g_ascii_isxdigit (token[i]) || g_ascii_isupper (token[i]))
      return FALSE;
  return TRUE;
}

/* The request's bearer token if it is well formed, else NULL (a 401 later). */
static char *
read_bearer_token (SoupServerMessage *msg)
{
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                     "Authorization");
  const char *token;

  if (header == NULL || g_ascii_strncasecmp (header, "Bearer ", 7) != 0)
    return NULL;
  token = header + 7;
  while (*token == ' ')
    token++;
  return token_is_well_formed (token) ? g_strdup (token) : NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* authentication (worker) */

/* The account id of the request's bearer token, or 0 after answering 401 (or 503). Tokens are
 * looked up on every request, not cached: a token revoked by `user passwd` or by another
 * instance stops working at once. */
static gint64
authenticate (Request         *request,
              SiServerStorage *storage,
              char           **out_token_hash)
{
  g_autofree char *hash = NULL;
  g_autoptr(GError) error = NULL;
  gint64 account_id = 0;

  if (request->token != NULL)
    {
      hash = si_token_hash (request->token);
      account_id = si_server_storage_token_lookup (storage, hash, &error);
      if (error != NULL)
        {
          respond_error (&request->reply, error, NULL, storage);
          return 0;
        }
    }

  if (account_id <= 0)
    {
      reply_set_header (&request->reply, "WWW-Authenticate", "Bearer realm=\"saveidea\"");
      respond_problem (&request->reply, SOUP_STATUS_UNAUTHORIZED, "unauthorized", NULL,
                       "This needs a valid bearer token; log in again");
      return 0;
    }
  if (out_token_hash)
    *out_token_hash = g_steal_pointer (&hash);
  return account_id;
}

/* ---------------------------------------------------------------------------------------- */
/* login throttling */

/* The client a request comes from: its peer, or, when the peer is a trusted reverse proxy, the
 * address that proxy appended to X-Forwarded-For (the last one: those before it are the
 * client's to write). Behind a proxy every peer is the proxy, and one client's failed logins
 * would lock every client out. */
static char *
client_address (SiServer          *self,
                SoupServerMessage *msg)
{
  GSocketAddress *peer = soup_server_message_get_remote_address (msg);
  GInetAddress *peer_inet = G_IS_INET_SOCKET_ADDRESS (peer)
                            ? g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (peer)) : NULL;
  const char *forwarded;

  if (peer_inet == NULL)
    return g_strdup (soup_server_message_get_remote_host (msg));
  for (guint i = 0; i < self->trusted_proxies->len; i++)
    if (g_inet_address_equal (peer_inet, g_ptr_array_index (self->trusted_proxies, i)))
      {
        forwarded = soup_message_headers_get_list (soup_server_message_get_request_headers (msg),
                                                   "X-Forwarded-For");
        if (forwarded != NULL)
          {
            const char *last = strrchr (forwarded, ',');
            g_autofree char *text = g_strstrip (g_strdup (last ? last + 1 : forwarded));
            g_autoptr(GInetAddress) client = g_inet_address_new_from_string (text);

            if (client != NULL)
              return g_inet_address_to_string (client);
          }
        break;
      }
  return g_inet_address_to_string (peer_inet);
}


/* ---------------------------------------------------------------------------------------- */
/* login: count the attempt (si-server-throttle.c), look the account up (worker), verify the
 * password (Argon2id, after the throttling delay and its turn), store a new token (worker) */

typedef struct {
  char                 *username;
  char                 *password;
  char                 *password_hash;
  char                 *client;
  SiServerLoginAttempt *attempt;  /* until it is ended */
  gint64                account_id;
  char                 *token;
} Login;

static void
login_free (Login *login)
{
  /* Ended without a check (the database failed, the client went away): counts nothing. */
  if (login->attempt != NULL)
    si_server_login_attempt_end (g_steal_pointer (&login->attempt), SI_SERVER_LOGIN_ABANDONED);
  g_free (login->username);
  if (login->password != NULL)
    memset (login->password, 0, strlen (login->password));
  g_free (login->password);
  g_free (login->password_hash);
  g_free (login->client);
  g_free (login->token);
  g_free (login);
}

static void
login_store_token_run (Request         *request,
                       SiServerStorage *storage)
{
  Login *login = request->data;
  g_autofree char *hash = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  login->token = si_token_new ();
  hash = si_token_hash (login->token);
  if (!si_server_storage_token_add (storage, login->account_id, hash, &error))
    {
      respond_error (&request->reply, error, NULL, storage);
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, login->token);
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, login->username);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  respond_json (&request->reply, SOUP_STATUS_OK, node);
}

static void
login_verified (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(Request) request = user_data;
  Login *login = request->data;
  gboolean ok;

  /* Counted even if the client went away meanwhile: the password was checked. */
  ok = si_password_verify_finish (result, NULL) && login->account_id > 0;
  si_server_login_attempt_end (g_steal_pointer (&login->attempt),
                               ok ? SI_SERVER_LOGIN_SUCCEEDED : SI_SERVER_LOGIN_FAILED);

  if (request->finished)
    return;  /* the client went away */

  if (ok)
    {
      request_dispatch (g_steal_pointer (&request), login_store_token_run, NULL, FALSE);
      return;
    }

  g_debug ("Failed login for %s from %s", login->username, login->client);
  respond_problem (&request->reply, SOUP_STATUS_UNAUTHORIZED, "unauthorized", NULL,
                   "The user name or the password is wrong");
  request_send_reply (g_steal_pointer (&request));
}

static gboolean
login_start_verify (gpointer user_data)
{
  Request *request = user_data;
  Login *login = request->data;

  if (request->finished)
    {
      request_free (request);  /* ends the attempt unchecked */
      return G_SOURCE_REMOVE;
    }
  si_password_verify_async (login->password_hash, login->password, NULL, login_verified, request);
  return G_SOURCE_REMOVE;
}

static void
login_lookup_run (Request         *request,
                  SiServerStorage *storage)
{
  Login *login = request->data;
  g_autoptr(GError) error = NULL;

  /* An unknown name goes on to the same Argon2id work (with a NULL hash) and the same 401. */
  login->password_hash = si_server_storage_account_lookup (storage, login->username,
                                                           &login->account_id, &error);
  if (login->password_hash == NULL &&
      !g_error_matches (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_NOT_FOUND))
    respond_error (&request->reply, error, NULL, storage);
}

static void
login_looked_up (Request *request)
{
  Login *login = request->data;
  guint delay = si_server_login_attempt_get_delay (login->attempt);

  if (request->reply.status != 0 || request->finished)
    {
      request_send_reply (request);
      return;
    }

  if (delay > 0)
    g_debug ("Delaying a login for %s from %s by %u ms", login->username, login->client, delay);
  si_server_login_attempt_when_ready (login->attempt, login_start_verify, request);
}

static void
handle_login (SiServer          *self,
              SoupServerMessage *msg,
              Reply             *reply)
{
  static const char * const known[] = { "username", "password", NULL };
  g_autofree char *client = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  Request *request;
  Login *login;
  JsonObject *object;
  JsonObjectIter iter;
  const char *member;
  JsonNode *value;
  const char *username;
  const char *password;
  SiServerLoginAttempt *attempt;
  guint retry_after = 0;

  body = read_body (self, msg, reply);
  if (body == NULL)
    return;
  root = parse_body (body, reply);
  if (root == NULL)
    return;
  object = json_node_get_object (root);

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &member, &value))
    if (!g_strv_contains (known, member))
      {
        g_autofree char *shown = g_utf8_make_valid (member, -1);
        respond_problem (reply, SOUP_STATUS_BAD_REQUEST, "invalid_field", NULL,
                         "Field “%s” is unknown", shown);
        return;
      }
  for (guint i = 0; known[i]; i++)
    {
      value = json_object_get_member (object, known[i]);
      if (value == NULL || !JSON_NODE_HOLDS_VALUE (value) ||
          json_node_get_value_type (value) != G_TYPE_STRING)
        {
          respond_problem (reply, SOUP_STATUS_BAD_REQUEST, "invalid_field", NULL,
                           "Field “%s” %s", known[i], value ? "must be a string" : "is missing");
          return;
        }
    }
  username = json_object_get_string_member (object, "username");
  password = json_object_get_string_member (object, "password");
  if (!g_utf8_validate (username, -1, NULL) || !g_utf8_validate (password, -1, NULL))
    {
      respond_problem (reply, SOUP_STATUS_BAD_REQUEST, "invalid_json", NULL,
                       "The body is not valid UTF-8");
      return;
    }

  /* A name no account can have is refused before it is kept, counted, hashed or looked up
   * (it could be megabytes long). */
  if (!si_server_account_name_is_valid (username))
    {
      respond_problem (reply, SOUP_STATUS_BAD_REQUEST, "invalid_field", NULL,
                       "Field “username” cannot be an account name: 1 to %d characters "
                       "without spaces, “/” or “:”", SI_SERVER_ACCOUNT_NAME_MAX_CHARS);
      return;
    }

  client = client_address (self, msg);
  attempt = si_server_throttle_begin (self->throttle, client, username, &retry_after);
  if (attempt == NULL)
    {
      g_autofree char *retry = g_strdup_printf ("%u", retry_after);

      reply_set_header (reply, "Retry-After", retry);
      respond_problem (reply, 429, "too_many_requests", NULL,
                       "Too many logins from your address; try again in %s seconds", retry);
      return;
    }

  login = g_new0 (Login, 1);
  login->username = g_strdup (username);
  login->password = g_strdup (password);
  login->client = g_steal_pointer (&client);
  login->attempt = attempt;

  request = request_new (self, msg, KIND_LOGIN);
  request->data = login;
  request->data_free = (GDestroyNotify) login_free;
  request_dispatch (request, login_lookup_run, login_looked_up, TRUE);
}

static void
handle_info (SiServer *self,
             Reply    *reply)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "server");
  json_builder_add_string_value (builder, "saveidea-server");
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, SI_SERVER_VERSION_STRING);
  json_builder_set_member_name (builder, "protocol");
  json_builder_add_int_value (builder, SI_WIRE_PROTOCOL_VERSION);
  json_builder_set_member_name (builder, "instance_id");
  json_builder_add_string_value (builder, si_server_storage_get_instance_id (self->storage));
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  respond_json (reply, SOUP_STATUS_OK, node);
}

/* ---------------------------------------------------------------------------------------- */
/* records (worker) */

/* One create; returns the status and the record or the problem. Shared with the batch. */
static guint
do_create (SiServerStorage   *storage,
           gint64             account_id,
           SiWireCollection   collection,
           JsonNode          *node,
           SiWireRecord     **out_record,
           SiWireProblem    **out_problem)
{
  g_autoptr(SiWireRecord) record = NULL;
  g_autoptr(SiWireRecord) current = NULL;
  g_autoptr(GError) error = NULL;
  gboolean created = FALSE;
  guint status;

  record = si_wire_record_from_json (node, collection, SI_WIRE_MODE_REQUEST, &error);
  if (record != NULL && record->uid == NULL)
    g_set_error_literal (&error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD,
                         "Field “uid” is missing");
  if (error == NULL)
    *out_record = si_server_storage_record_create (storage, account_id, record, &created,
                                                   &current, &error);
  if (error != NULL)
    {
      *out_problem = problem_from_error (error, current, &status);
      return status;
    }
  return created ? SOUP_STATUS_CREATED : SOUP_STATUS_OK;
}

static guint
do_update (SiServerStorage   *storage,
           gint64             account_id,
           SiWireCollection   collection,
           gint64             id,
           gint64             if_match,
           JsonNode          *node,
           SiWireRecord     **out_record,
           SiWireProblem    **out_problem)
{
  g_autoptr(SiWireRecord) record = NULL;
  g_autoptr(SiWireRecord) current = NULL;
  g_autoptr(GError) error = NULL;
  guint status;

  record = si_wire_record_from_json (node, collection, SI_WIRE_MODE_REQUEST, &error);
  if (record != NULL)
    *out_record = si_server_storage_record_update (storage, account_id, id, if_match,
                                                   record, &current, &error);
  if (error != NULL)
    {
      *out_problem = problem_from_error (error, current, &status);
      return status;
    }
  return SOUP_STATUS_OK;
}

static guint
do_delete (SiServerStorage   *storage,
           gint64             account_id,
           SiWireCollection   collection,
           gint64             id,
           gint64             if_match,
           SiWireRecord     **out_record,
           SiWireProblem    **out_problem)
{
  g_autoptr(SiWireRecord) current = NULL;
  g_autoptr(GError) error = NULL;
  gboolean changed = FALSE;
  guint status;

  *out_record = si_server_storage_record_delete (storage, account_id, collection, id,
                                                 if_match, &changed, &current, &error);
  if (error != NULL)
    {
      *out_problem = problem_from_error (error, current, &status);
      return status;
    }
  return SOUP_STATUS_OK;
}

static void
respond_outcome (Reply           *reply,
                 guint            status,
                 SiWireRecord    *record,
                 SiWireProblem   *problem,
                 SiServerStorage *storage)
{
  g_autoptr(JsonNode) node = NULL;

  if (record != NULL)
    {
      respond_record (reply, status, record);
      return;
    }
  g_assert (problem != NULL);
  if (status == SOUP_STATUS_SERVICE_UNAVAILABLE)
    reply_set_retry_after (reply, storage);
  node = si_wire_problem_to_json (problem);
  respond_json (reply, status, node);
}

static void
list_run (Request         *request,
          gint64           account_id,
          SiServerStorage *storage)
{
  g_autoptr(SiWirePage) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  page = si_server_storage_records_list (storage, account_id, request->collection, request->since,
                                         (guint) request->limit, &error);
  if (page == NULL)
    {
      respond_error (&request->reply, error, NULL, storage);
      return;
    }
  if (request->collection == SI_SERVER_STORAGE_ALL_COLLECTIONS)
    node = si_wire_changes_to_json (page);
  else
    node = si_wire_page_to_json (page);
  respond_json (&request->reply, SOUP_STATUS_OK, node);
}

static void
batch_run (Request         *request,
           gint64           account_id,
           SiServerStorage *storage)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) ops = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  gboolean too_many = FALSE;

  root = parse_body (request->body, &request->reply);
  if (root == NULL)
    return;

  ops = si_wire_batch_request_from_json (root, SI_WIRE_BATCH_MAX_OPS, &too_many, &error);
  if (ops == NULL)
    {
      if (too_many)
        respond_problem (&request->reply, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_many_operations",
                         NULL, "%s", error->message);
      else
        respond_error (&request->reply, error, NULL, NULL);
      return;
    }

  /* A savepoint per operation: an operation that fails undoes only itself. The storage commits
   * the batch in bounded steps (docs/protocol.md); a lost database undoes the current step and
   * answers 503, and the client retries the batch, whose operations are safe to repeat. */
  if (!si_server_storage_begin (storage, &error))
    {
      respond_error (&request->reply, error, NULL, storage);
      return;
    }

  results = g_ptr_array_new_full (ops->len, (GDestroyNotify) si_wire_batch_result_free);
  for (guint i = 0; i < ops->len; i++)
    {
      SiWireBatchOp *op = g_ptr_array_index (ops, i);
      SiWireRecord *record = NULL;
      SiWireProblem *problem = NULL;
      guint status = 0;

      switch (op->method)
        {
        case SI_WIRE_METHOD_POST:
          status = do_create (storage, account_id, op->collection, op->record, &record, &problem);
          break;
        case SI_WIRE_METHOD_PUT:
          status = do_update (storage, account_id, op->collection, op->id, op->if_match, op->record,
                              &record, &problem);
          break;
        case SI_WIRE_METHOD_DELETE:
          status = do_delete (storage, account_id, op->collection, op->id, op->if_match, &record,
                              &problem);
          break;
        default:
          g_assert_not_reached ();
        }
      g_ptr_array_add (results, si_wire_batch_result_new (status, record, problem));
      if (status == SOUP_STATUS_SERVICE_UNAVAILABLE)
        {
          si_server_storage_rollback (storage);
          respond_outcome (&request->reply, status, NULL, problem, storage);
          return;
        }
    }

  if (!si_server_storage_commit (storage, &error))
    {
      respond_error (&request->reply, error, NULL, storage);
      return;
    }

  node = si_wire_batch_response_to_json (results);
  respond_json (&request->reply, SOUP_STATUS_OK, node);
}

/* Every authenticated request, on a worker thread. */
static void
api_run (Request         *request,
         SiServerStorage *storage)
{
  g_autoptr(SiWireRecord) record = NULL;
  g_autoptr(SiWireProblem) problem = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token_hash = NULL;
  gint64 account_id;
  guint status;

  account_id = authenticate (request, storage, request->kind == KIND_LOGOUT ? &token_hash : NULL);
  if (account_id == 0)
    return;
  if (request->pending.status != 0)
    {
      /* A bad parameter, header or body, found on the main loop. */
      request->reply = request->pending;
      memset (&request->pending, 0, sizeof request->pending);
      return;
    }

  switch (request->kind)
    {
    case KIND_LIST:
      list_run (request, account_id, storage);
      return;
    case KIND_BATCH:
      batch_run (request, account_id, storage);
      return;
    case KIND_LOGOUT:
      if (!si_server_storage_token_revoke (storage, token_hash, &error))
        respond_error (&request->reply, error, NULL, storage);
      else
        request->reply.status = SOUP_STATUS_NO_CONTENT;
      return;
    case KIND_GET:
      record = si_server_storage_record_get (storage, account_id, request->collection, request->id, &error);
      if (record == NULL)
        respond_error (&request->reply, error, NULL, storage);
      else
        respond_record (&request->reply, SOUP_STATUS_OK, record);
      return;
    case KIND_CREATE:
    case KIND_UPDATE:
      root = parse_body (request->body, &request->reply);
      if (root == NULL)
        return;
      if (request->kind == KIND_CREATE)
        status = do_create (storage, account_id, request->collection, root, &record, &problem);
      else
        status = do_update (storage, account_id, request->collection, request->id,
                            request->if_match, root, &record, &problem);
      break;
    case KIND_DELETE:
      status = do_delete (storage, account_id, request->collection, request->id,
                          request->if_match, &record, &problem);
      break;
    case KIND_LOGIN:
    default:
      g_assert_not_reached ();
    }
  respond_outcome (&request->reply, status, record, problem, storage);
}

/* ---------------------------------------------------------------------------------------- */
/* routing (main loop) */

/* Headers of every response; /api/v1 ones name the instance, so that a client notices a
 * replaced or reset server on any request. */
static void
set_common_headers (SiServer          *self,
                    SoupServerMessage *msg,
                    const char        *path)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  if (g_str_has_prefix (path, API_PREFIX))
    soup_message_headers_replace (headers, SI_WIRE_INSTANCE_HEADER,
                                  si_server_storage_get_instance_id (self->storage));
}

/* Routes an /api/v1 request: answers it in @reply, or hands it to a worker and returns. */
static void
route (SiServer          *self,
       SoupServerMessage *msg,
       const char        *rest,
       GHashTable        *query,
       Reply             *reply)
{
  const char *method = soup_server_message_get_method (msg);
  g_autoptr(Request) request = NULL;
  g_auto(GStrv) parts = NULL;
  SiWireCollection collection = SI_SERVER_STORAGE_ALL_COLLECTIONS;
  guint n;
  gint64 id = 0;

  if (g_str_equal (rest, "info"))
    {
      if (method != SOUP_METHOD_GET)
        respond_method_not_allowed (reply, method, "GET");
      else
        handle_info (self, reply);
      return;
    }
  if (g_str_equal (rest, "login"))
    {
      if (method != SOUP_METHOD_POST)
        respond_method_not_allowed (reply, method, "POST");
      else
        handle_login (self, msg, reply);
      return;
    }

  if (g_str_equal (rest, "logout") || g_str_equal (rest, "batch"))
    {
      if (method != SOUP_METHOD_POST)
        {
          respond_method_not_allowed (reply, method, "POST");
          return;
        }
      request = request_new (self, msg, rest[0] == 'b' ? KIND_BATCH : KIND_LOGOUT);
    }
  else if (g_str_equal (rest, "changes"))
    {
      if (method != SOUP_METHOD_GET)
        {
          respond_method_not_allowed (reply, method, "GET");
          return;
        }
      request = request_new (self, msg, KIND_LIST);
    }
  else
    {
      parts = g_strsplit (rest, "/", 3);
      n = g_strv_length (parts);
      if (n == 0 || n > 2 || !si_wire_collection_from_string (parts[0], &collection) ||
          (n == 2 && !parse_id (parts[1], &id)))
        {
          respond_not_found (reply, g_uri_get_path (soup_server_message_get_uri (msg)));
          return;
        }
      if (n == 1 && method != SOUP_METHOD_GET && method != SOUP_METHOD_POST)
        {
          respond_method_not_allowed (reply, method, "GET, POST");
          return;
        }
      if (n == 2 && method != SOUP_METHOD_GET && method != SOUP_METHOD_PUT && method != SOUP_METHOD_DELETE)
        {
          respond_method_not_allowed (reply, method, "GET, PUT, DELETE");
          return;
        }
      if (n == 1)
        request = request_new (self, msg, method == SOUP_METHOD_GET ? KIND_LIST : KIND_CREATE);
      else
        request = request_new (self, msg, method == SOUP_METHOD_GET ? KIND_GET :
                                          method == SOUP_METHOD_PUT ? KIND_UPDATE : KIND_DELETE);
    }

  request->collection = collection;
  request->id = id;
  request->token = read_bearer_token (msg);

  /* What needs no database is checked here, but answered only after the token (a 401
   * comes first). */
  if (request->token != NULL)
    {
      Reply *pending = &request->pending;

      switch (request->kind)
        {
        case KIND_LIST:
          if (parse_query_int (query, "since", 0, 0, G_MAXINT64, &request->since, pending))
            parse_query_int (query, "limit", SI_WIRE_PAGE_DEFAULT_LIMIT, 1, SI_WIRE_PAGE_MAX_LIMIT,
                             &request->limit, pending);
          break;
        case KIND_UPDATE:
        case KIND_DELETE:
          read_if_match (msg, &request->if_match, pending);
          break;
        case KIND_GET:
        case KIND_CREATE:
        case KIND_BATCH:
        case KIND_LOGOUT:
        case KIND_LOGIN:
        default:
          break;
        }
      if (pending->status == 0 &&
          (request->kind == KIND_CREATE || request->kind == KIND_UPDATE || request->kind == KIND_BATCH))
        request->body = read_body (self, msg, pending);
    }

  request_dispatch (g_steal_pointer (&request), api_run, NULL, TRUE);
}

static void
handle_request (SoupServer        *soup,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  SiServer *self = user_data;
  Reply reply = { 0 };

  set_common_headers (self, msg, path);
  if (self->close_connections)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  "Connection", "close");

  if (self->shutting_down)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
      respond_problem (&reply, SOUP_STATUS_SERVICE_UNAVAILABLE, "shutting_down", NULL,
                       "The server is shutting down; try again in a moment");
    }
  else if (!g_str_has_prefix (path, API_PREFIX))
    respond_not_found (&reply, g_uri_get_path (soup_server_message_get_uri (msg)));
  else
    route (self, msg, path + strlen (API_PREFIX), query, &reply);

  if (reply.status != 0)
    reply_send (&reply, msg);
  reply_clear (&reply);
}

/* Runs when the headers are in, before the body is read: refuses what must not be read. */
static void
handle_early (SoupServer        *soup,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  SiServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (msg);
  const char *method = soup_server_message_get_method (msg);
  SoupEncoding encoding = soup_message_headers_get_encoding (headers);
  Reply reply = { 0 };

  if (encoding == SOUP_ENCODING_CONTENT_LENGTH &&
      (guint64) soup_message_headers_get_content_length (headers) > (guint64) self->max_body_bytes)
    {
      /* libsoup still reads the body (unless the client asked for "Expect: 100-continue"):
       * let it drain without keeping it, and close the connection afterwards. */
      respond_problem (&reply, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "payload_too_large", NULL,
                       "The body is larger than %" G_GSIZE_FORMAT " bytes", self->max_body_bytes);
    }
  else if (encoding == SOUP_ENCODING_CHUNKED || encoding == SOUP_ENCODING_EOF ||
           ((method == SOUP_METHOD_POST || method == SOUP_METHOD_PUT) &&
            encoding != SOUP_ENCODING_CONTENT_LENGTH))
    {
      respond_problem (&reply, SOUP_STATUS_LENGTH_REQUIRED, "length_required", NULL,
                       "A request body needs a Content-Length header");
    }

  if (reply.status != 0)
    {
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      set_common_headers (self, msg, path);
      soup_message_headers_replace (response_headers, "Connection", "close");
      reply_send (&reply, msg);
    }
  reply_clear (&reply);
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
thread_pool_free_wait (GThreadPool *pool)
{
  g_thread_pool_free (pool, FALSE, TRUE);
}

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
  g_clear_pointer (&self->workers, thread_pool_free_wait);
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
  self->workers = g_thread_pool_new (worker_run, self, 1, FALSE, NULL);
  si_server_add_connection (self, storage);
  self->soup = soup_server_new ("server-header", "saveidea-server/" SI_SERVER_VERSION_STRING " ",
                                NULL);

  /* Every response closes its connection, and says so. libsoup keeps a connection alive only
   * when the SoupServer has a listening socket of its own (request_finished() in
   * soup-server.c), and ours has none: si-server-listener.c accepts.
   * (libsoup before 3.3.0 also never closes a kept-alive connection that its client closed
   * while it was idle: CLOSE-WAIT, a descriptor each, for ever; fixed by commit d20c6601.) */
  self->close_connections = TRUE;

  soup_server_add_early_handler (self->soup, NULL, handle_early, self, NULL);
  soup_server_add_handler (self->soup, NULL, handle_request, self, NULL);
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
  if (!g_thread_pool_set_max_threads (self->workers, (int) self->n_connections, NULL))
    g_warning ("Could not grow the pool of worker threads to %u", self->n_connections);
}
