/* test-server-connections.c — suite `server`: what clients can hold of saveidea-server's
 * connections (descriptors, the cap, idle and slow clients) and signals at start-up. */
#define G_LOG_DOMAIN "saveidea-test"

#include "config.h"

#include <signal.h>
#include <string.h>

#include "si-test-server.h"

#define PASSWORD "correct horse battery"
/* Generous: the server closes after 1 s timeouts; a loaded machine may take longer. */
#define CLOSE_WAIT_SECONDS 30

/* ---------------------------------------------------------------------------------------- */
/* helpers */

static GSocketConnection *
connect_raw (SiTestServer *server)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  /* Plain TCP even to an https URL: the tests speak bytes. No proxy (it wants GSettings). */
  g_socket_client_set_enable_proxy (client, FALSE);
  connection = g_socket_client_connect_to_uri (client, si_test_server_get_url (server), 80, NULL, &error);
  g_assert_no_error (error);
  return connection;
}

static void
send_text (GSocket    *socket,
           const char *text)
{
  g_autoptr(GError) error = NULL;
  gssize sent = g_socket_send (socket, text, strlen (text), NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (sent, ==, (gssize) strlen (text));
}

/* TRUE once the server has closed @socket (EOF or a reset), reading and dropping whatever it
 * sends first; FALSE if it is still open after @seconds. With @dribble, sends one byte of it
 * every 200 ms meanwhile (it is repeated as needed). */
static gboolean
wait_closed (GSocket    *socket,
             guint       seconds,
             const char *dribble)
{
  gint64 end = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  gsize next = 0;

  g_socket_set_blocking (socket, FALSE);
  while (g_get_monotonic_time () < end)
    {
      g_autoptr(GError) error = NULL;
      char buffer[4096];
      gssize got;

      if (dribble != NULL)
        {
          gssize sent = g_socket_send (socket, dribble + next, 1, NULL, &error);

          if (sent < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            return TRUE;  /* EPIPE, ECONNRESET: closed */
          g_clear_error (&error);
          next = dribble[next + 1] != '\0' ? next + 1 : 0;
        }

      if (!g_socket_condition_timed_wait (socket, G_IO_IN, 200 * 1000, NULL, NULL))
        continue;
      got = g_socket_receive (socket, buffer, sizeof buffer, NULL, &error);
      if (got == 0 || (got < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)))
        return TRUE;
    }
  return FALSE;
}

static void
assert_serves (SiTestServer *server)
{
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autoptr(SiTestResponse) created = NULL;
  g_autoptr(SiTestResponse) listed = NULL;

  created = si_test_server_request (server, "POST", "/api/v1/ideas", token,
                                    "{\"uid\":\"7d4f3c1e-0b8a-4c1d-9e2f-123456789abc\","
                                    "\"title\":\"After the flood\",\"body\":\"\",\"pinned\":false,"
                                    "\"tags\":[],\"created_at\":\"2026-11-28T04:08:50.123Z\","
                                    "\"updated_at\":\"2026-11-28T04:08:50.123Z\"}", NULL);
  g_assert_cmpuint (created->status, ==, 201);
  listed = si_test_server_request (server, "GET", "/api/v1/ideas", token, NULL, NULL);
  g_assert_cmpuint (listed->status, ==, 200);
  g_assert_nonnull (strstr (g_bytes_get_data (listed->body, NULL), "After the flood"));
}

/* ---------------------------------------------------------------------------------------- */
/* descriptors and the cap */

#define FD_LIMIT 256
#define N_CLIENTS 300

/* More connections than the server has descriptors: accept() fails with EMFILE. Once they
 * are closed, the server must accept again (libsoup's own listener stopped for good). */
static void
test_out_of_descriptors (void)
{
  g_autoptr(SiTestServer) server = si_test_server_new (NULL);
  const char *args[] = { "--max-connections", "100000", NULL };
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 end;

  si_test_server_add_user (server, "alice", PASSWORD);
  si_test_server_set_args (server, args);
  si_test_server_set_fd_limit (server, FD_LIMIT);
  si_test_server_start (server);

  for (guint i = 0; i < N_CLIENTS; i++)
    g_ptr_array_add (clients, connect_raw (server));
  /* The server took descriptors until it had none left. */
  end = g_get_monotonic_time () + CLOSE_WAIT_SECONDS * G_USEC_PER_SEC;
  while (si_test_server_count_open_files (server) < FD_LIMIT && g_get_monotonic_time () < end)
    g_usleep (20 * 1000);
  g_assert_cmpuint (si_test_server_count_open_files (server), ==, FD_LIMIT);

  g_ptr_array_set_size (clients, 0);
  assert_serves (server);
  g_assert_cmpint (si_test_server_stop (server, SIGTERM), ==, 0);
}

/* By default the cap stays below the descriptor limit: the connections beyond it get 503
 * and are closed, and the server never runs out of descriptors. */
static void
test_connection_cap (void)
{
  g_autoptr(SiTestServer) server = si_test_server_new (NULL);
  const char *args[] = { "--idle-timeout", "600", NULL };
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func (g_object_unref);
  GSocket *last;
  char buffer[64] = "";
  gint64 end;

  si_test_server_add_user (server, "alice", PASSWORD);
  si_test_server_set_args (server, args);
  si_test_server_set_fd_limit (server, FD_LIMIT);
  si_test_server_start (server);

  for (guint i = 0; i < N_CLIENTS; i++)
    g_ptr_array_add (clients, connect_raw (server));

  /* The last one is beyond the cap: an answer, then the end. */
  last = g_socket_connection_get_socket (g_ptr_array_index (clients, N_CLIENTS - 1));
  g_socket_set_timeout (last, CLOSE_WAIT_SECONDS);
  g_assert_cmpint (g_socket_receive (last, buffer, sizeof buffer - 1, NULL, NULL), >, 0);
  g_assert_true (g_str_has_prefix (buffer, "HTTP/1.1 503 "));
  g_assert_true (wait_closed (last, CLOSE_WAIT_SECONDS, NULL));
  g_assert_cmpuint (si_test_server_count_open_files (server), <, FD_LIMIT);

  /* The server notices the closes a moment later; until then it still answers 503. */
  g_ptr_array_set_size (clients, 0);
  end = g_get_monotonic_time () + CLOSE_WAIT_SECONDS * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end)
    {
      g_autoptr(SiTestResponse) info = si_test_server_request (server, "GET", "/api/v1/info", NULL, NULL, NULL);

      if (info->status != SOUP_STATUS_SERVICE_UNAVAILABLE)
        break;
      g_usleep (100 * 1000);
    }
  assert_serves (server);
  g_assert_cmpint (si_test_server_stop (server, SIGTERM), ==, 0);
}

/* ---------------------------------------------------------------------------------------- */
/* idle and slow clients */

static SiTestServer *
start_with_timeouts (const char *idle,
                     const char *header,
                     const char *body)
{
  SiTestServer *server = si_test_server_new (NULL);
  const char *args[] = { "--idle-timeout", idle, "--header-timeout", header, "--body-timeout", body, NULL };

  si_test_server_add_user (server, "alice", PASSWORD);
  si_test_server_set_args (server, args);
  si_test_server_start (server);
  return server;
}

/* A connection that never sends a request is closed after the idle timeout. */
static void
test_idle_connection (void)
{
  g_autoptr(SiTestServer) server = start_with_timeouts ("1", "600", "600");
  g_autoptr(GSocketConnection) idle = connect_raw (server);

  g_assert_true (wait_closed (g_socket_connection_get_socket (idle), CLOSE_WAIT_SECONDS, NULL));
  assert_serves (server);
}

/* Slowloris: the headers come one byte at a time, each well within the idle timeout; the
 * header timeout ends it. */
static void
test_slow_headers (void)
{
  g_autoptr(SiTestServer) server = start_with_timeouts ("600", "1", "600");
  g_autoptr(GSocketConnection) slow = connect_raw (server);
  GSocket *socket = g_socket_connection_get_socket (slow);

  send_text (socket, "GET /api/v1/info HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  g_assert_true (wait_closed (socket, CLOSE_WAIT_SECONDS, "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"));
  assert_serves (server);
}

/* A body sent a byte at a time is cut off after the body timeout. */
static void
test_slow_body (void)
{
  g_autoptr(SiTestServer) server = start_with_timeouts ("600", "600", "1");
  g_autoptr(GSocketConnection) slow = connect_raw (server);
  GSocket *socket = g_socket_connection_get_socket (slow);

  send_text (socket, "POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n");
  g_assert_true (wait_closed (socket, CLOSE_WAIT_SECONDS, "{\"name\":\"alice\",          "));
  assert_serves (server);
}

/* The TLS handshake is timed too: a client that connects and says nothing is closed. */
static void
test_tls_silent_client (void)
{
  g_autofree char *cert = g_test_build_filename (G_TEST_DIST, "server-tls-cert.pem", NULL);
  g_autofree char *key = g_test_build_filename (G_TEST_DIST, "server-tls-key.pem", NULL);
  const char *args[] = { "--tls-cert", cert, "--tls-key", key, "--idle-timeout", "600",
                         "--header-timeout", "1", NULL };
  const char *default_args[] = { "--tls-cert", cert, "--tls-key", key, NULL };
  g_autoptr(SiTestServer) server = si_test_server_new (NULL);
  g_autoptr(GSocketConnection) silent = NULL;
  g_autoptr(GTlsDatabase) trust = NULL;
  g_autoptr(SiTestResponse) info = NULL;
  g_autoptr(GError) error = NULL;

  si_test_server_set_args (server, args);
  si_test_server_start (server);
  g_assert_true (g_str_has_prefix (si_test_server_get_url (server), "https://"));

  silent = connect_raw (server);
  g_assert_true (wait_closed (g_socket_connection_get_socket (silent), CLOSE_WAIT_SECONDS, NULL));

  /* And HTTPS still works (with the default timeouts: a handshake may take over 1 s under
   * ASan on a loaded machine). */
  g_assert_cmpint (si_test_server_stop (server, SIGTERM), ==, 0);
  si_test_server_set_args (server, default_args);
  si_test_server_start (server);
  trust = g_tls_file_database_new (cert, &error);
  g_assert_no_error (error);
  g_object_set (si_test_server_get_session (server), "tls-database", trust, NULL);
  info = si_test_server_request (server, "GET", "/api/v1/info", NULL, NULL, NULL);
  g_assert_cmpuint (info->status, ==, 200);
}

/* ---------------------------------------------------------------------------------------- */
/* start-up */

/* A SIGTERM right after the URL is printed is a graceful shutdown (exit 0), never the
 * default action of the signal. */
static void
test_sigterm_at_start (void)
{
  g_autoptr(SiTestServer) server = si_test_server_new (NULL);

  for (guint i = 0; i < 20; i++)
    {
      si_test_server_start (server);
      g_assert_cmpint (si_test_server_stop (server, SIGTERM), ==, 0);
    }
}

/* Listening on IPv6 loopback prints a bracketed URL that works. */
static void
test_ipv6 (void)
{
  g_autoptr(SiTestServer) server = si_test_server_new (NULL);
  g_autoptr(GSocket) probe = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *info = NULL;

  if (probe == NULL || !g_socket_bind (probe, address, TRUE, NULL))
    {
      g_test_skip ("No IPv6 loopback here");
      return;
    }

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, g_getenv ("SAVEIDEA_SERVER"),
                              "--data", si_test_server_get_data_dir (server), "--listen", "[::1]:0", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  url = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (url);
  g_assert_true (g_str_has_prefix (url, "http://[::1]:"));

  info = g_strconcat (url, "/api/v1/info", NULL);
  msg = soup_message_new ("GET", info);
  body = soup_session_send_and_read (si_test_server_get_session (server), msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/server-connections/out-of-descriptors", test_out_of_descriptors);
  g_test_add_func ("/server-connections/cap", test_connection_cap);
  g_test_add_func ("/server-connections/idle", test_idle_connection);
  g_test_add_func ("/server-connections/slow-headers", test_slow_headers);
  g_test_add_func ("/server-connections/slow-body", test_slow_body);
  g_test_add_func ("/server-connections/tls-silent-client", test_tls_silent_client);
  g_test_add_func ("/server-connections/sigterm-at-start", test_sigterm_at_start);
  g_test_add_func ("/server-connections/ipv6", test_ipv6);

  return g_test_run ();
}
