/* fuzz-server.c — whatever a client sends, saveidea-server answers with a JSON status, not a crash.
 *
 * The real SiServer (its early handler, router and every endpoint's handler) and its SQLite
 * storage run in this process on 127.0.0.1:0; each input becomes one raw HTTP/1.1 request sent
 * over one kept-alive loopback connection, so the path, the query parameters, the headers that
 * matter (Authorization, Content-Type, If-Match) and the JSON body all come from the fuzzer.
 *
 * Input: byte 0 picks the endpoint, byte 1 the flags, then up to three '\n'-separated parts:
 * the id or query string (percent-encoded when sent), the If-Match value, and the body.
 *
 * Checked for every answer: the status is never 5xx, and every body is a JSON object that the
 * client's codec (si-wire) decodes: a record for a 2xx on a record, a page for a list, a
 * problem for an error, a batch response for a batch.
 */
#define G_LOG_DOMAIN "saveidea-fuzz"
#define _GNU_SOURCE 1  /* memmem */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "si-password.h"
#include "si-server.h"
#include "si-wire.h"

#include "si-fuzz.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static SiServerStorage *storage;
static SiServer *server;
static GSocketAddress *address;
static GSocket *client;
static char *token;
static char *token_hash;
static gint64 account_id;

typedef enum {
  EP_INFO, EP_LOGIN, EP_LOGOUT, EP_BATCH,
  EP_LIST, EP_CREATE, EP_GET, EP_UPDATE, EP_DELETE,  /* tags; + 5 for ideas */
  EP_IDEAS_LIST = EP_LIST + 5, EP_IDEAS_CREATE, EP_IDEAS_GET, EP_IDEAS_UPDATE, EP_IDEAS_DELETE,
  EP_RAW,
  N_ENDPOINTS
} Endpoint;

enum {
  FLAG_NO_AUTH     = 1 << 0,
  FLAG_BAD_AUTH    = 1 << 1,
  FLAG_NO_TYPE     = 1 << 2,
  FLAG_OTHER_TYPE  = 1 << 3,
  FLAG_IF_MATCH    = 1 << 4,
  FLAG_METHOD_MASK = 3 << 5,  /* a wrong method for the endpoint */
};

static void
seed_records (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SiWireRecord) tag = si_wire_record_new (SI_WIRE_COLLECTION_TAGS);
  g_autoptr(SiWireRecord) idea = si_wire_record_new (SI_WIRE_COLLECTION_IDEAS);
  g_autoptr(SiWireRecord) stored_tag = NULL;
  g_autoptr(SiWireRecord) stored_idea = NULL;
  gboolean created;

  tag->uid = g_strdup ("00000000-0000-4000-8000-000000000001");
  g_free (tag->name);
  tag->name = g_strdup ("travel");
  stored_tag = si_server_storage_record_create (storage, account_id, tag, &created, NULL, &error);
  g_assert_no_error (error);
  idea->uid = g_strdup ("00000000-0000-4000-8000-000000000002");
  g_free (idea->title);
  idea->title = g_strdup ("Night train");
  g_free (idea->body);
  idea->body = g_strdup ("line one\nline two\n");
  si_wire_record_add_tag (idea, stored_tag->id);
  stored_idea = si_server_storage_record_create (storage, account_id, idea, &created, NULL, &error);
  g_assert_no_error (error);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("saveidea-fuzz-server-XXXXXX", &error);
  g_autofree char *hash = NULL;
  g_autofree char *url = NULL;
  g_autofree char *found = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  guint16 port;

  si_fuzz_init_logging ();
  g_assert_no_error (error);
  if (!si_password_init ())
    g_error ("libsodium does not work");
  storage = si_server_storage_sqlite_open (dir, &error);
  g_assert_no_error (error);
  hash = si_password_hash ("fuzz-password", &error);
  g_assert_no_error (error);
  si_server_storage_account_add (storage, "fuzz", hash, &error);
  g_assert_no_error (error);
  found = si_server_storage_account_lookup (storage, "fuzz", &account_id, &error);
  g_assert_no_error (error);
  token = si_token_new ();
  token_hash = si_token_hash (token);
  si_server_storage_token_add (storage, account_id, token_hash, &error);
  g_assert_no_error (error);
  seed_records ();

  /* A small body limit, so that 413 is reachable. */
  server = si_server_new (storage, 64 * 1024);
  url = si_server_listen (server, "127.0.0.1:0", NULL, &error);
  g_assert_no_error (error);
  port = (guint16) g_ascii_strtoull (strrchr (url, ':') + 1, NULL, 10);
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, port);
  /* The data folder stays until exit (a few MB); /tmp is cleaned by the system. */
  return 0;
}

static void
ensure_connected (void)
{
  g_autoptr(GError) error = NULL;

  if (client != NULL)
    return;
  client = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  /* The kernel completes a loopback connect from the listen backlog; the server accepts it
   * when its main loop runs. */
  if (!g_socket_connect (client, address, NULL, &error))
    g_error ("connect: %s", error->message);
  g_socket_set_blocking (client, FALSE);
}

static void
disconnect (void)
{
  if (client)
    g_socket_close (client, NULL);
  g_clear_object (&client);
}

/* Runs the server's main loop until @condition holds on the client socket. */
static void
wait_for (GIOCondition condition)
{
  g_autoptr(GSource) source = g_socket_create_source (client, condition | G_IO_HUP | G_IO_ERR, NULL);

  g_source_set_dummy_callback (source);
  g_source_attach (source, NULL);
  while (!(g_socket_condition_check (client, condition | G_IO_HUP | G_IO_ERR)))
    g_main_context_iteration (NULL, TRUE);
  g_source_destroy (source);
  /* Let the server finish what it does after writing (request-finished). */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
send_all (const char *data,
          gsize       length)
{
  while (length > 0)
    {
      g_autoptr(GError) error = NULL;
      gssize sent = g_socket_send (client, data, length, NULL, &error);

      if (sent < 0)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            {
              wait_for (G_IO_OUT);
              continue;
            }
          /* The server closed (it does after a 413/411 with Connection: close). */
          return;
        }
      data += sent;
      length -= (gsize) sent;
    }
}

/* What libsoup's server reads of a request's line and headers before it gives up. */
#define REQUEST_HEAD_MAX_BYTES (64 * 1024)

typedef struct {
  guint    status;
  gboolean close;
  GBytes  *body;
} Response;

static const char *
find_header (const char *headers,
             const char *name)
{
  gsize len = strlen (name);

  for (const char *line = strstr (headers, "\r\n"); line && line[2] != '\r'; line = strstr (line + 2, "\r\n"))
    if (g_ascii_strncasecmp (line + 2, name, len) == 0 && line[2 + len] == ':')
      {
        const char *value = line + 2 + len + 1;
        while (*value == ' ')
          value++;
        return value;
      }
  return NULL;
}

/* Reads one response; FALSE when the server closed the connection before answering. */
static gboolean
read_response (gboolean  head,
               Response *out)
{
  g_autoptr(GByteArray) buffer = g_byte_array_new ();
  gssize header_end = -1;
  gssize content_length = -1;
  gboolean eof = FALSE;

  for (;;)
    {
      guint8 chunk[16384];
      g_autoptr(GError) error = NULL;
      gssize got = g_socket_receive (client, (char *) chunk, sizeof chunk, NULL, &error);

      if (got < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          wait_for (G_IO_IN);
          continue;
        }
      if (got <= 0)
        eof = TRUE;
      else
        g_byte_array_append (buffer, chunk, (guint) got);

      if (header_end < 0)
        {
          const guint8 *end = buffer->len >= 4 ? memmem (buffer->data, buffer->len, "\r\n\r\n", 4) : NULL;

          if (end != NULL)
            {
              g_autofree char *headers = g_strndup ((const char *) buffer->data, (gsize) (end - buffer->data) + 2);
              const char *value;

              header_end = end - buffer->data + 4;
              if (sscanf (headers, "HTTP/1.%*d %u", &out->status) != 1)
                g_error ("not an HTTP response: %s", headers);
              value = find_header (headers, "Content-Length");
              if (head || out->status == 204 || out->status == 304 || out->status < 200)
                content_length = 0;  /* no body, whatever Content-Length says */
              else if (value)
                content_length = (gssize) g_ascii_strtoll (value, NULL, 10);
              value = find_header (headers, "Connection");
              out->close = value && g_ascii_strncasecmp (value, "close", 5) == 0;
            }
        }
      if (header_end >= 0 && content_length >= 0 &&
          (gssize) buffer->len >= header_end + content_length)
        {
          out->body = g_bytes_new (buffer->data + header_end, (gsize) content_length);
          return TRUE;
        }
      if (eof)
        {
          if (header_end < 0)
            return FALSE;
          out->close = TRUE;
          out->body = g_bytes_new (buffer->data + header_end, buffer->len - (gsize) header_end);
          return TRUE;
        }
    }
}

/* Percent-encodes everything but unreserved characters and the query's own separators. */
static char *
encode (const char *text,
        gsize       length,
        const char *keep)
{
  GString *out = g_string_new (NULL);

  for (gsize i = 0; i < length; i++)
    {
      guchar c = (guchar) text[i];
      if (g_ascii_isalnum (c) || strchr ("-._~", c) || (c && strchr (keep, c)))
        g_string_append_c (out, (char) c);
      else
        g_string_append_printf (out, "%%%02X", c);
    }
  return g_string_free (out, FALSE);
}

/* Header values: printable ASCII only (anything else is libsoup's parser, not ours). */
static char *
header_value (const char *text,
              gsize       length)
{
  char *out = g_strndup (text, MIN (length, 200));

  for (char *p = out; *p; p++)
    if (*p < 0x20 || *p > 0x7e)
      *p = '_';
  return out;
}

static void
check_body (Endpoint    endpoint,
            const char *method,
            Response   *response)
{
  gsize length;
  const char *data = g_bytes_get_data (response->body, &length);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  SiWireCollection collection = endpoint >= EP_IDEAS_LIST && endpoint <= EP_IDEAS_DELETE
                                ? SI_WIRE_COLLECTION_IDEAS : SI_WIRE_COLLECTION_TAGS;
  guint status = response->status;

  if (status >= 500)
    g_error ("%s answered %u: %.*s", method, status, (int) MIN (length, 2000), data);
  if (status == 204 || g_str_equal (method, "HEAD"))
    return;
  /* libsoup answers a request it cannot parse (e.g. a path with "%2F..%2F") with an empty
   * 400 before any handler runs: not the server's code. */
  if (status == 400 && length == 0)
    return;

  node = si_wire_parse (data, length, &error);
  if (node == NULL)
    g_error ("status %u with a body that is not a JSON object (%s): %.*s", status, error->message,
             (int) MIN (length, 2000), data);

  if (status >= 400)
    {
      g_autoptr(SiWireProblem) problem = si_wire_problem_from_json (node, collection, &error);
      if (problem == NULL && status != 412 && status != 409)
        g_error ("a %u the client cannot decode: %s: %.*s", status, error->message,
                 (int) MIN (length, 2000), data);
      return;
    }

  switch (endpoint)
    {
    case EP_LIST:
    case EP_IDEAS_LIST:
      if (g_str_equal (method, "GET"))
        {
          g_autoptr(SiWirePage) page = si_wire_page_from_json (node, collection, &error);
          if (page == NULL)
            g_error ("a page the client cannot decode: %s: %.*s", error->message, (int) MIN (length, 2000), data);
          break;
        }
      G_GNUC_FALLTHROUGH;
    case EP_CREATE:
    case EP_GET:
    case EP_UPDATE:
    case EP_DELETE:
    case EP_IDEAS_CREATE:
    case EP_IDEAS_GET:
    case EP_IDEAS_UPDATE:
    case EP_IDEAS_DELETE:
      {
        g_autoptr(SiWireRecord) record = si_wire_record_from_json (node, collection, SI_WIRE_MODE_RESPONSE, &error);
        if (record == NULL)
          g_error ("a record the client cannot decode: %s: %.*s", error->message, (int) MIN (length, 2000), data);
      }
      break;
    case EP_BATCH:
      {
        JsonArray *results;
        JsonNode *member = json_object_get_member (json_node_get_object (node), "results");

        if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
          g_error ("a batch answer without results: %.*s", (int) MIN (length, 2000), data);
        results = json_node_get_array (member);
        for (guint i = 0; i < json_array_get_length (results); i++)
          {
            JsonObject *result = json_array_get_object_element (results, i);
            if (result == NULL || json_object_get_int_member_with_default (result, "status", 0) >= 500)
              g_error ("batch result %u failed: %.*s", i, (int) MIN (length, 2000), data);
          }
      }
      break;
    case EP_INFO:
    case EP_LOGIN:
    case EP_LOGOUT:
    case EP_RAW:
    case N_ENDPOINTS:
    default:
      break;
    }
}

/* A login that would verify a password costs an Argon2id run (and failed ones add delays):
 * only the parsing of the body is fuzzed. */
static gboolean
login_would_verify (const char *body,
                    gsize       length)
{
  g_autoptr(JsonNode) node = si_wire_parse (body, length, NULL);
  JsonObject *object;

  if (node == NULL)
    return FALSE;
  object = json_node_get_object (node);
  return json_object_has_member (object, "username") && json_object_has_member (object, "password");
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static const char * const wrong_methods[] = { "PATCH", "HEAD", "OPTIONS" };
  const char *text = (const char *) data;
  const char *end = text + size;
  const char *parts[3] = { "", "", "" };
  gsize lengths[3] = { 0, 0, 0 };
  g_autofree char *path = NULL;
  g_autofree char *if_match = NULL;
  g_autoptr(GString) request = g_string_new (NULL);
  const char *method;
  const char *body;
  gsize body_length;
  gsize head_length;
  Endpoint endpoint;
  guint flags;
  Response response = { 0 };
  gboolean has_body;

  if (size < 2)
    return 0;
  endpoint = data[0] % N_ENDPOINTS;
  flags = data[1];
  text += 2;
  for (guint i = 0; i < 3 && text <= end; i++)
    {
      const char *nl = i < 2 ? memchr (text, '\n', (gsize) (end - text)) : NULL;
      parts[i] = text;
      lengths[i] = (gsize) ((nl ? nl : end) - text);
      if (nl == NULL)
        break;
      text = nl + 1;
    }
  body = parts[2];
  body_length = lengths[2];

  {
    g_autofree char *id = encode (parts[0], lengths[0], "");
    g_autofree char *query = encode (parts[0], lengths[0], "=&");
    const char *collection = endpoint >= EP_IDEAS_LIST && endpoint <= EP_IDEAS_DELETE ? "ideas" : "tags";
    guint kind = endpoint >= EP_LIST && endpoint <= EP_IDEAS_DELETE ? (endpoint - EP_LIST) % 5 : 99;

    switch (endpoint)
      {
      case EP_INFO:   method = "GET";  path = g_strdup ("/api/v1/info"); break;
      case EP_LOGIN:  method = "POST"; path = g_strdup ("/api/v1/login"); break;
      case EP_LOGOUT: method = "POST"; path = g_strdup ("/api/v1/logout"); break;
      case EP_BATCH:  method = "POST"; path = g_strdup ("/api/v1/batch"); break;
      case EP_RAW:
        method = ((data[0] / N_ENDPOINTS) & 1) ? "POST" : "GET";
        break;
      default:
        method = (const char *[]) { "GET", "POST", "GET", "PUT", "DELETE" }[kind];
        if (kind <= 1)
          path = g_strdup_printf ("/api/v1/%s%s%s", collection, lengths[0] ? "?" : "", query);
        else
          path = g_strdup_printf ("/api/v1/%s/%s", collection, lengths[0] ? id : "1");
        break;
      }
  }
  if (endpoint == EP_RAW)
    {
      g_autofree char *raw = encode (parts[0], lengths[0], "/?=&");
      path = g_strconcat ("/", raw, NULL);
    }
  if ((flags & FLAG_METHOD_MASK) == FLAG_METHOD_MASK)
    method = wrong_methods[data[0] % G_N_ELEMENTS (wrong_methods)];

  if (endpoint == EP_LOGIN && g_str_equal (method, "POST") && login_would_verify (body, body_length))
    return 0;

  has_body = g_str_equal (method, "POST") || g_str_equal (method, "PUT") || body_length > 0;
  g_string_append_printf (request, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n", method, path);
  if (!(flags & FLAG_NO_AUTH))
    g_string_append_printf (request, "Authorization: Bearer %s\r\n",
                            (flags & FLAG_BAD_AUTH) ? "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" : token);
  if (flags & FLAG_IF_MATCH)
    {
      if_match = header_value (parts[1], lengths[1]);
      g_string_append_printf (request, "If-Match: %s\r\n", if_match);
    }
  if (has_body)
    {
      if (!(flags & FLAG_NO_TYPE))
        g_string_append_printf (request, "Content-Type: %s\r\n",
                                (flags & FLAG_OTHER_TYPE) ? "text/plain" : "application/json");
      g_string_append_printf (request, "Content-Length: %" G_GSIZE_FORMAT "\r\n", body_length);
    }
  g_string_append (request, "\r\n");
  head_length = request->len;
  if (has_body)
    g_string_append_len (request, body, (gssize) body_length);

  ensure_connected ();
  send_all (request->str, request->len);
  if (!read_response (g_str_equal (method, "HEAD"), &response))
    {
      /* Closed without an answer: only acceptable if the connection was stale; retry once. */
      disconnect ();
      ensure_connected ();
      send_all (request->str, request->len);
      if (!read_response (g_str_equal (method, "HEAD"), &response))
        {
          /* libsoup drops a connection whose request line and headers pass 64 KiB without an
           * answer (a path or an If-Match that long comes only from a hostile client). */
          if (head_length > REQUEST_HEAD_MAX_BYTES)
            {
              disconnect ();
              return 0;
            }
          g_error ("the server closed the connection without answering %s %s", method, path);
        }
    }

  check_body (endpoint, method, &response);
  g_bytes_unref (response.body);
  if (response.close)
    disconnect ();

  /* A successful logout revoked the fuzzer's token: give it back. */
  if (endpoint == EP_LOGOUT && response.status == 204)
    {
      g_autoptr(GError) error = NULL;
      if (!si_server_storage_token_add (storage, account_id, token_hash, &error))
        g_error ("%s", error->message);
    }
  return 0;
}
