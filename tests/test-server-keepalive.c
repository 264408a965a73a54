/* test-server-keepalive.c — suite `server`: connections kept alive between requests (issue 21):
 * several requests on one connection, pipelined ones, and the limits that still hold (the idle
 * timeout, the cap, a client's "Connection: close", a client that closes while idle). */
#define G_LOG_DOMAIN "saveidea-test"

#include "config.h"

#include <signal.h>
#include <string.h>

#include "si-test-server.h"

#define PASSWORD "correct horse battery"
/* Generous: the server closes after 1 s timeouts; a loaded machine may take longer. */
#define WAIT_SECONDS 30

static gboolean
accept_any_certificate (GTlsConnection       *connection,
                        GTlsCertificate      *certificate,
                        GTlsCertificateFlags  errors,
                        gpointer              user_data)
{
  return TRUE;
}

static void
on_client_event (GSocketClient      *client,
                 GSocketClientEvent  event,
                 GSocketConnectable *connectable,
                 GIOStream          *connection,
                 gpointer            user_data)
{
  /* The tests' self-signed certificate. */
  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING)
    g_signal_connect (connection, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);
}

/* A connection to @server: plain TCP, or TLS to an https URL. */
static GIOStream *
connect_to (SiTestServer *server)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_set_tls (client, g_str_has_prefix (si_test_server_get_url (server), "https://"));
  g_signal_connect (client, "event", G_CALLBACK (on_client_event), NULL);
  connection = g_socket_client_connect_to_uri (client, si_test_server_get_url (server), 80, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (g_socket_connection_get_socket (connection), WAIT_SECONDS);
  return G_IO_STREAM (connection);
}

static void
send_text (GIOStream  *stream,
           const char *text)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (stream), text, strlen (text), NULL, NULL, &error);
  g_assert_no_error (error);
}

/* Reads one whole response (headers and a Content-Length body) from @stream, which may hold
 * the start of the next one in @pending; NULL if the connection ends first. */
static char *
read_response (GIOStream *stream,
               GString   *pending)
{
  for (;;)
    {
      const char *end = strstr (pending->str, "\r\n\r\n");
      char buffer[4096];
      gssize got;

      if (end != NULL)
        {
          gsize head = (gsize) (end - pending->str) + 4;
          g_autofree char *headers = g_ascii_strdown (pending->str, (gssize) head);
          const char *length = strstr (headers, "\r\ncontent-length:");
          gsize body = length ? (gsize) g_ascii_strtoull (length + strlen ("\r\ncontent-length:"), NULL, 10) : 0;

          if (pending->len >= head + body)
            {
              char *response = g_strndup (pending->str, head + body);

              g_string_erase (pending, 0, (gssize) (head + body));
              return response;
            }
        }
      got = g_input_stream_read (g_io_stream_get_input_stream (stream), buffer, sizeof buffer, NULL, NULL);
      if (got <= 0)
        return NULL;
      g_string_append_len (pending, buffer, got);
    }
}

/* TRUE once the server has closed @stream (EOF or a reset), FALSE if it is open after @seconds. */
static gboolean
wait_closed (GIOStream *stream,
             guint      seconds)
{
  GSocket *socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream));
  gint64 end = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < end)
    {
      g_autoptr(GError) error = NULL;
      char buffer[256];
      gssize got;

      if (!g_socket_condition_timed_wait (socket, G_IO_IN, 200 * 1000, NULL, NULL))
        continue;
      got = g_socket_receive_with_blocking (socket, buffer, sizeof buffer, FALSE, NULL, &error);
      if (got == 0 || (got < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)))
        return TRUE;
    }
  return FALSE;
}

static SiTestServer *
start (const char * const *args)
{
  SiTestServer *server = si_test_server_new (NULL);

  si_test_server_add_user (server, "alice", PASSWORD);
  if (args != NULL)
    si_test_server_set_args (server, args);
  si_test_server_start (server);
  return server;
}

#define INFO "GET /api/v1/info HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

/* ---------------------------------------------------------------------------------------- */

/* Requests one after the other on one connection, with and without a body: each is answered,
 * none says "Connection: close", and a no-op sync with a bearer token works on it too. */
static void
test_several_requests (void)
{
  g_autoptr(SiTestServer) server = start (NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autoptr(GIOStream) socket = connect_to (server);
  g_autoptr(GString) pending = g_string_new (NULL);
  g_autofree char *login = g_strdup_printf ("{\"username\":\"alice\",\"password\":\"%s\"}", PASSWORD);
  g_autofree char *post = g_strdup_printf ("POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                           "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                                           strlen (login), login);
  g_autofree char *changes = g_strdup_printf ("GET /api/v1/changes?since=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                              "Authorization: Bearer %s\r\n\r\n", token);

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *info = NULL;
      g_autofree char *logged_in = NULL;
      g_autofree char *synced = NULL;

      send_text (socket, INFO);
      info = read_response (socket, pending);
      g_assert_nonnull (info);
      g_assert_true (g_str_has_prefix (info, "HTTP/1.1 200 "));
      g_assert_null (strstr (info, "Connection: close"));

      send_text (socket, post);
      logged_in = read_response (socket, pending);
      g_assert_nonnull (logged_in);
      g_assert_true (g_str_has_prefix (logged_in, "HTTP/1.1 200 "));
      g_assert_nonnull (strstr (logged_in, "\"token\""));

      send_text (socket, changes);
      synced = read_response (socket, pending);
      g_assert_nonnull (synced);
      g_assert_true (g_str_has_prefix (synced, "HTTP/1.1 200 "));
      g_assert_nonnull (strstr (synced, "{\"records\":[],\"cursor\":0,\"more\":false}"));
    }
  g_assert_cmpuint (pending->len, ==, 0);
}

/* Requests sent at once, without waiting for the answers (pipelining), the second with a
 * body: each is answered, in order; nothing read ahead for the first is lost. */
static void
test_pipelined (void)
{
  g_autoptr(SiTestServer) server = start (NULL);
  g_autoptr(GIOStream) socket = connect_to (server);
  g_autoptr(GString) pending = g_string_new (NULL);
  g_autofree char *login = g_strdup_printf ("{\"username\":\"alice\",\"password\":\"%s\"}", PASSWORD);
  g_autofree char *all = g_strdup_printf (INFO
                                          "POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                          "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s"
                                          "GET /api/v1/nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                                          INFO, strlen (login), login);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;
  g_autofree char *fourth = NULL;

  send_text (socket, all);
  first = read_response (socket, pending);
  second = read_response (socket, pending);
  third = read_response (socket, pending);
  fourth = read_response (socket, pending);
  g_assert_nonnull (first);
  g_assert_nonnull (second);
  g_assert_nonnull (third);
  g_assert_nonnull (fourth);
  g_assert_true (g_str_has_prefix (first, "HTTP/1.1 200 "));
  g_assert_nonnull (strstr (first, "\"version\""));
  g_assert_true (g_str_has_prefix (second, "HTTP/1.1 200 "));
  g_assert_nonnull (strstr (second, "\"token\""));
  g_assert_true (g_str_has_prefix (third, "HTTP/1.1 404 "));
  g_assert_true (g_str_has_prefix (fourth, "HTTP/1.1 200 "));
}

/* "Connection: close" from the client: the answer, then the end of the connection. */
static void
test_client_says_close (void)
{
  g_autoptr(SiTestServer) server = start (NULL);
  g_autoptr(GIOStream) socket = connect_to (server);
  g_autoptr(GString) pending = g_string_new (NULL);
  g_autofree char *info = NULL;

  send_text (socket, "GET /api/v1/info HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  info = read_response (socket, pending);
  g_assert_nonnull (info);
  g_assert_true (g_str_has_prefix (info, "HTTP/1.1 200 "));
  g_assert_true (wait_closed (socket, WAIT_SECONDS));
}

/* A kept connection that starts no other request is closed after the idle timeout. */
static void
test_idle_timeout (void)
{
  const char *args[] = { "--idle-timeout", "1", NULL };
  g_autoptr(SiTestServer) server = start (args);
  g_autoptr(GIOStream) socket = connect_to (server);
  g_autoptr(GString) pending = g_string_new (NULL);
  g_autofree char *info = NULL;

  send_text (socket, INFO);
  info = read_response (socket, pending);
  g_assert_nonnull (info);
  g_assert_true (wait_closed (socket, WAIT_SECONDS));
}

/* Clients that close their kept connections while idle: the server lets their descriptors go
 * (libsoup 3.2 itself would keep each in CLOSE-WAIT for ever). */
static void
test_closed_while_idle (void)
{
  g_autoptr(SiTestServer) server = start (NULL);
  guint before, after = 0;
  gint64 end;

  {
    g_autoptr(SiTestResponse) info = si_test_server_request (server, "GET", "/api/v1/info", NULL, NULL, NULL);
    g_assert_cmpuint (info->status, ==, 200);
  }
  g_usleep (200 * 1000);
  before = si_test_server_count_open_files (server);
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(GIOStream) socket = connect_to (server);
      g_autoptr(GString) pending = g_string_new (NULL);
      g_autofree char *info = NULL;

      send_text (socket, INFO);
      info = read_response (socket, pending);
      g_assert_nonnull (info);
      g_io_stream_close (socket, NULL, NULL);
    }
  end = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end && (after = si_test_server_count_open_files (server)) > before + 2)
    g_usleep (100 * 1000);
  g_test_message ("%u descriptors before, %u after", before, after);
  g_assert_cmpuint (after, <=, before + 2);
}

/* Kept connections count against --max-connections: with two kept alive, a third gets 503. */
static void
test_cap (void)
{
  const char *args[] = { "--max-connections", "2", "--idle-timeout", "600", NULL };
  g_autoptr(SiTestServer) server = start (args);
  g_autoptr(GIOStream) one = connect_to (server);
  g_autoptr(GIOStream) two = connect_to (server);
  g_autoptr(GIOStream) three = NULL;
  g_autoptr(GString) pending = g_string_new (NULL);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autofree char *again = NULL;

  send_text (one, INFO);
  a = read_response (one, pending);
  g_assert_nonnull (a);
  send_text (two, INFO);
  b = read_response (two, pending);
  g_assert_nonnull (b);

  three = connect_to (server);
  send_text (three, INFO);
  c = read_response (three, pending);
  g_assert_nonnull (c);
  g_assert_true (g_str_has_prefix (c, "HTTP/1.1 503 "));

  /* The kept ones still serve. */
  send_text (one, INFO);
  again = read_response (one, pending);
  g_assert_nonnull (again);
  g_assert_true (g_str_has_prefix (again, "HTTP/1.1 200 "));
}

/* Over TLS too: requests one after the other and pipelined on one connection. */
static void
test_tls (void)
{
  g_autofree char *cert = g_test_build_filename (G_TEST_DIST, "server-tls-cert.pem", NULL);
  g_autofree char *key = g_test_build_filename (G_TEST_DIST, "server-tls-key.pem", NULL);
  const char *args[] = { "--tls-cert", cert, "--tls-key", key, NULL };
  g_autoptr(SiTestServer) server = start (args);
  g_autoptr(GIOStream) socket = NULL;
  g_autoptr(GString) pending = g_string_new (NULL);

  g_assert_true (g_str_has_prefix (si_test_server_get_url (server), "https://"));
  socket = connect_to (server);
  /* GSocketClient wraps the TLS connection in a GTcpWrapperConnection. */
  g_assert_true (G_IS_TCP_WRAPPER_CONNECTION (socket));
  g_assert_true (G_IS_TLS_CONNECTION (g_tcp_wrapper_connection_get_base_io_stream (G_TCP_WRAPPER_CONNECTION (socket))));
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *info = NULL;

      send_text (socket, INFO);
      info = read_response (socket, pending);
      g_assert_nonnull (info);
      g_assert_true (g_str_has_prefix (info, "HTTP/1.1 200 "));
    }
  send_text (socket, INFO "GET /api/v1/nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  {
    g_autofree char *first = read_response (socket, pending);
    g_autofree char *second = read_response (socket, pending);

    g_assert_nonnull (first);
    g_assert_nonnull (second);
    g_assert_true (g_str_has_prefix (first, "HTTP/1.1 200 "));
    g_assert_true (g_str_has_prefix (second, "HTTP/1.1 404 "));
  }
}

/* SIGTERM with kept connections open between requests: a prompt graceful exit that closes them. */
static void
test_shutdown (void)
{
  const char *args[] = { "--idle-timeout", "600", NULL };
  g_autoptr(SiTestServer) server = start (args);
  g_autoptr(GIOStream) socket = connect_to (server);
  g_autoptr(GString) pending = g_string_new (NULL);
  g_autofree char *info = NULL;

  send_text (socket, INFO);
  info = read_response (socket, pending);
  g_assert_nonnull (info);
  g_assert_cmpint (si_test_server_stop (server, SIGTERM), ==, 0);
  g_assert_true (wait_closed (socket, WAIT_SECONDS));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/server-keepalive/several-requests", test_several_requests);
  g_test_add_func ("/server-keepalive/pipelined", test_pipelined);
  g_test_add_func ("/server-keepalive/client-says-close", test_client_says_close);
  g_test_add_func ("/server-keepalive/idle-timeout", test_idle_timeout);
  g_test_add_func ("/server-keepalive/closed-while-idle", test_closed_while_idle);
  g_test_add_func ("/server-keepalive/cap", test_cap);
  g_test_add_func ("/server-keepalive/tls", test_tls);
  g_test_add_func ("/server-keepalive/shutdown", test_shutdown);

  return g_test_run ();
}
