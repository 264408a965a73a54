/* si-server-routes.c — the early checks, reading requests and routing them (main loop). */
#define G_LOG_DOMAIN "saveidea-server"

#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "si-server-private.h"

#define API_PREFIX "/api/v1/"

/* ---------------------------------------------------------------------------------------- */
/* reading requests (main loop) */

/* Checks a JSON request body's type and size; returns it, or NULL after a 415/413. */
GBytes *
_si_server_read_body (SiServer          *self,
                      SoupServerMessage *msg,
                      Reply             *reply)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);
  g_autoptr(GBytes) body = NULL;

  if (content_type == NULL || g_ascii_strcasecmp (content_type, "application/json") != 0)
    {
      _si_server_respond_problem (reply, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", NULL,
                                  "The body must be JSON with Content-Type: application/json (got %s)",
                                  content_type ? content_type : "none");
      return NULL;
    }

  body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  if (g_bytes_get_size (body) > self->max_body_bytes)
    {
      _si_server_respond_problem (reply, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "payload_too_large", NULL,
                                  "The body is larger than %" G_GSIZE_FORMAT " bytes", self->max_body_bytes);
      return NULL;
    }
  return g_steal_pointer (&body);
}

/* Parses a JSON object body (any thread), or answers 400 and returns NULL. */
JsonNode *
_si_server_parse_body (GBytes *body,
                       Reply  *reply)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  node = si_wire_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  if (node == NULL)
    _si_server_respond_error (reply, error, NULL, NULL);
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
      _si_server_respond_problem (reply, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", NULL,
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
      _si_server_respond_problem (reply, SOUP_STATUS_BAD_REQUEST, "invalid_header", NULL,
                                  "If-Match must be the version the change is based on, such as \"12\"");
      return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* routing (main loop) */

static void
respond_method_not_allowed (Reply      *reply,
                            const char *method,
                            const char *allow)
{
  _si_server_reply_set_header (reply, "Allow", allow);
  _si_server_respond_problem (reply, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed", NULL,
                              "%s is not allowed here; allowed: %s", method, allow);
}

static void
respond_not_found (Reply      *reply,
                   const char *path)
{
  _si_server_respond_problem (reply, SOUP_STATUS_NOT_FOUND, "not_found", NULL, "There is nothing at %s", path);
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
  _si_server_respond_json (reply, SOUP_STATUS_OK, node);
}

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
    {
      soup_message_headers_replace (headers, SI_WIRE_INSTANCE_HEADER,
                                    si_server_storage_get_instance_id (self->storage));
      soup_message_headers_replace (headers, SI_WIRE_FEATURES_HEADER,
                                    _si_server_reports_changes ()
                                    ? SI_WIRE_FEATURE_DEVICE ", " SI_WIRE_FEATURE_HISTORY ", " SI_WIRE_FEATURE_CHANGES
                                    : SI_WIRE_FEATURE_DEVICE ", " SI_WIRE_FEATURE_HISTORY);
    }
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
        _si_server_handle_login (self, msg, reply);
      return;
    }

  if (g_str_equal (rest, "logout") || g_str_equal (rest, "batch"))
    {
      if (method != SOUP_METHOD_POST)
        {
          respond_method_not_allowed (reply, method, "POST");
          return;
        }
      request = _si_server_request_new (self, msg, rest[0] == 'b' ? KIND_BATCH : KIND_LOGOUT);
    }
  else if (g_str_equal (rest, "changes") || g_str_equal (rest, "trash"))
    {
      if (method != SOUP_METHOD_GET)
        {
          respond_method_not_allowed (reply, method, "GET");
          return;
        }
      request = _si_server_request_new (self, msg, rest[0] == 'c' ? KIND_LIST : KIND_TRASH);
    }
  else
    {
      parts = g_strsplit (rest, "/", 3);
      n = g_strv_length (parts);
      if (n == 0 || !si_wire_collection_from_string (parts[0], &collection) ||
          (n >= 2 && !parse_id (parts[1], &id)) ||
          (n == 3 && (collection != SI_WIRE_COLLECTION_IDEAS ||
                      !g_strv_contains ((const char * const[]) { "history", "undelete", "purge", NULL }, parts[2]))))
        {
          respond_not_found (reply, g_uri_get_path (soup_server_message_get_uri (msg)));
          return;
        }
      if (n == 3)
        {
          const char *allowed = parts[2][0] == 'h' ? "GET" : "POST";

          if (!g_str_equal (method, allowed))
            {
              respond_method_not_allowed (reply, method, allowed);
              return;
            }
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
        request = _si_server_request_new (self, msg, method == SOUP_METHOD_GET ? KIND_LIST : KIND_CREATE);
      else if (n == 3)
        request = _si_server_request_new (self, msg, parts[2][0] == 'h' ? KIND_HISTORY :
                                                     parts[2][0] == 'u' ? KIND_UNDELETE : KIND_PURGE);
      else
        request = _si_server_request_new (self, msg, method == SOUP_METHOD_GET ? KIND_GET :
                                                     method == SOUP_METHOD_PUT ? KIND_UPDATE : KIND_DELETE);
    }

  request->collection = collection;
  request->id = id;
  request->token = _si_server_read_bearer_token (msg);

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
        case KIND_HISTORY:
        case KIND_TRASH:
          if (parse_query_int (query, "before", 0, 1, G_MAXINT64, &request->before, pending))
            parse_query_int (query, "limit", SI_WIRE_HISTORY_DEFAULT_LIMIT, 1, SI_WIRE_HISTORY_MAX_LIMIT,
                             &request->limit, pending);
          break;
        case KIND_UPDATE:
        case KIND_DELETE:
        case KIND_UNDELETE:
          read_if_match (msg, &request->if_match, pending);
          break;
        case KIND_BATCH:
          request->prefer_minimal = si_wire_prefer_return_minimal (
            soup_message_headers_get_list (soup_server_message_get_request_headers (msg), SI_WIRE_PREFER_HEADER));
          break;
        case KIND_GET:
        case KIND_CREATE:
        case KIND_PURGE:
        case KIND_LOGOUT:
        case KIND_LOGIN:
        default:
          break;
        }
      if (pending->status == 0 &&
          (request->kind == KIND_CREATE || request->kind == KIND_UPDATE || request->kind == KIND_BATCH))
        request->body = _si_server_read_body (self, msg, pending);
    }

  _si_server_request_dispatch (g_steal_pointer (&request), _si_server_api_run, NULL, TRUE);
}

void
_si_server_handle_request (SoupServer        *soup,
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
      _si_server_respond_problem (&reply, SOUP_STATUS_SERVICE_UNAVAILABLE, "shutting_down", NULL,
                                  "The server is shutting down; try again in a moment");
    }
  else if (!g_str_has_prefix (path, API_PREFIX))
    respond_not_found (&reply, g_uri_get_path (soup_server_message_get_uri (msg)));
  else
    route (self, msg, path + strlen (API_PREFIX), query, &reply);

  if (reply.status != 0)
    _si_server_reply_send (&reply, msg);
  _si_server_reply_clear (&reply);
}

/* Runs when the headers are in, before the body is read: refuses what must not be read. */
void
_si_server_handle_early (SoupServer        *soup,
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
      _si_server_respond_problem (&reply, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "payload_too_large", NULL,
                                  "The body is larger than %" G_GSIZE_FORMAT " bytes", self->max_body_bytes);
    }
  else if (encoding == SOUP_ENCODING_CHUNKED || encoding == SOUP_ENCODING_EOF ||
           ((method == SOUP_METHOD_POST || method == SOUP_METHOD_PUT) &&
            encoding != SOUP_ENCODING_CONTENT_LENGTH))
    {
      _si_server_respond_problem (&reply, SOUP_STATUS_LENGTH_REQUIRED, "length_required", NULL,
                                  "A request body needs a Content-Length header");
    }

  if (reply.status != 0)
    {
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      set_common_headers (self, msg, path);
      soup_message_headers_replace (response_headers, "Connection", "close");
      _si_server_reply_send (&reply, msg);
    }
  _si_server_reply_clear (&reply);
}
