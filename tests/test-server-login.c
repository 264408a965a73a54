/* test-server-login.c — suite `server`: the real saveidea-server over HTTP on 127.0.0.1:
 * info, login and its throttling, authentication. */
#define G_LOG_DOMAIN "saveidea-test"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "si-test-server-api.h"
#include "si-types.h"
#include "si-wire.h"

/* ---------------------------------------------------------------------------------------- */
/* info, login, auth */

static void
test_info (void)
{
  g_autoptr(SiTestServer) server = start_server (NULL);
  g_autoptr(SiTestResponse) r = get (server, NULL, "/api/v1/info");

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (si_test_response_get_string (r, "server"), ==, "saveidea-server");
  g_assert_cmpstr (si_test_response_get_string (r, "version"), ==, "0.1.0");
  g_assert_cmpint (si_test_response_get_int (r, "protocol"), ==, 1);
  g_assert_true (g_uuid_string_is_valid (si_test_response_get_string (r, "instance_id")));
}

static void
test_login (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *token2 = si_test_server_login (server, "alice", PASSWORD);
  g_autoptr(SiTestResponse) bad = NULL;
  g_autoptr(SiTestResponse) unknown = NULL;
  g_autoptr(SiTestResponse) ok = NULL;
  g_autoptr(SiTestResponse) out = NULL;
  g_autoptr(SiTestResponse) after = NULL;
  g_autoptr(SiTestResponse) other = NULL;

  g_assert_cmpstr (token, !=, token2);
  for (guint i = 0; i < 64; i++)
    g_assert_true (g_ascii_isxdigit (token[i]));

  bad = si_test_server_request (server, "POST", "/api/v1/login", NULL,
                                "{\"username\":\"alice\",\"password\":\"wrong password\"}", NULL);
  assert_error (bad, 401, "unauthorized");
  unknown = si_test_server_request (server, "POST", "/api/v1/login", NULL,
                                    "{\"username\":\"nobody\",\"password\":\"" PASSWORD "\"}", NULL);
  assert_error (unknown, 401, "unauthorized");

  ok = get (server, token, "/api/v1/ideas");
  g_assert_cmpuint (ok->status, ==, 200);

  /* Logout revokes exactly that token. */
  out = si_test_server_request (server, "POST", "/api/v1/logout", token, NULL, NULL);
  g_assert_cmpuint (out->status, ==, 204);
  after = get (server, token, "/api/v1/ideas");
  assert_error (after, 401, "unauthorized");
  other = get (server, token2, "/api/v1/ideas");
  g_assert_cmpuint (other->status, ==, 200);
}

static void
test_login_throttle (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autoptr(SiTestResponse) r = NULL;
  const char *bad = "{\"username\":\"alice\",\"password\":\"wrong password\"}";
  gint64 start, elapsed_ms;

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(SiTestResponse) fail = si_test_server_request (server, "POST", "/api/v1/login", NULL, bad, NULL);
      assert_error (fail, 401, "unauthorized");
    }

  /* After 5 failures the next attempt waits at least 1 s before it is even checked. */
  start = g_get_monotonic_time ();
  r = si_test_server_request (server, "POST", "/api/v1/login", NULL,
                              "{\"username\":\"alice\",\"password\":\"" PASSWORD "\"}", NULL);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpint (elapsed_ms, >=, 1000);
}

typedef struct {
  guint pending;
  guint unauthorized;
  guint too_many;
  guint other;
} Volley;

static void
volley_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Volley *volley = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  if (soup_message_get_status (msg) == SOUP_STATUS_UNAUTHORIZED)
    volley->unauthorized++;
  else if (soup_message_get_status (msg) == 429 &&
           soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After") != NULL)
    volley->too_many++;
  else
    volley->other++;
  volley->pending--;
}

/* @n wrong passwords for @name sent at once, as if from @client through a proxy on
 * 127.0.0.1; under way when this returns, done when volley->pending is 0. */
static SoupSession *
volley_start (SiTestServer *server, const char *client, const char *name, guint n, Volley *volley)
{
  SoupSession *session = soup_session_new_with_options ("max-conns", (int) n + 1, "max-conns-per-host", (int) n + 1,
                                                        "proxy-resolver", NULL, "timeout", 120, NULL);
  g_autofree char *url = si_test_server_url_for (server, "/api/v1/login");
  g_autofree char *bad = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"wrong password\"}", name);

  *volley = (Volley) { n, 0, 0, 0 };
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
      g_autoptr(GBytes) bytes = g_bytes_new (bad, strlen (bad));

      soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Forwarded-For", client);
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
      soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, volley_done, volley);
    }
  return session;
}

/* @n wrong passwords for alice at once, all checked (one at a time, the growing delay would
 * take minutes). */
static void
fail_logins_from (SiTestServer *server, const char *client, guint n)
{
  Volley volley;
  g_autoptr(SoupSession) session = volley_start (server, client, "alice", n, &volley);

  while (volley.pending > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (volley.unauthorized, ==, n);
}

static guint
login_from (SiTestServer *server, const char *client, const char *name)
{
  g_autofree char *body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"" PASSWORD "\"}", name);
  g_autoptr(SiTestResponse) r = si_test_server_request (server, "POST", "/api/v1/login", NULL, body,
                                                        "X-Forwarded-For", client, NULL);
  return r->status;
}

/* Behind a reverse proxy (--trusted-proxy), failed logins count against the client the proxy
 * names, so one client cannot lock every other client out; without it the header is not
 * believed (a client could name anyone to escape its own limit). */
static void
test_login_throttle_behind_proxy (void)
{
  static const char * const trusted[] = { "--trusted-proxy", "127.0.0.1", NULL };
  g_autoptr(SiTestServer) proxied = si_test_server_new (NULL);
  g_autoptr(SiTestServer) direct = start_server ("alice", "bob", NULL);

  si_test_server_add_user (proxied, "alice", PASSWORD);
  si_test_server_add_user (proxied, "bob", PASSWORD);
  si_test_server_set_args (proxied, trusted);
  si_test_server_start (proxied);

  /* The last address is the one the proxy appended; what comes before is the client's word. */
  fail_logins_from (proxied, "192.0.2.9, 203.0.113.7", 30);
  g_assert_cmpuint (login_from (proxied, "203.0.113.7", "bob"), ==, 429);
  g_assert_cmpuint (login_from (proxied, "192.0.2.9, 203.0.113.7", "bob"), ==, 429);
  g_assert_cmpuint (login_from (proxied, "198.51.100.2", "bob"), ==, 200);
  g_assert_cmpuint (login_from (proxied, "203.0.113.7, 198.51.100.2", "bob"), ==, 200);

  fail_logins_from (direct, "203.0.113.7", 30);
  g_assert_cmpuint (login_from (direct, "198.51.100.2", "bob"), ==, 429);

  /* A proxy address that is not one is refused at start. */
  {
    g_autofree char *err = NULL;

    g_assert_cmpint (si_test_server_run (direct, NULL, NULL, &err, "--trusted-proxy", "proxy.example.org", NULL),
                     ==, 2);
    g_assert_nonnull (strstr (err, "not an IP address"));
  }
}

/* Attempts still running count like failures: 100 wrong passwords sent at once from one
 * address are 30 checks and 70 × 429, as if sent one after another. Meanwhile another
 * client's login goes through, and is not queued behind the burst's Argon2id work. */
static void
test_login_throttle_concurrent (void)
{
  static const char * const trusted[] = { "--trusted-proxy", "127.0.0.1", NULL };
  g_autoptr(SiTestServer) server = si_test_server_new (NULL);
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupSession) other = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("{\"username\":\"bob\",\"password\":\"" PASSWORD "\"}",
                                               strlen ("{\"username\":\"bob\",\"password\":\"" PASSWORD "\"}"));
  AsyncLogin bob = { 0 };
  Volley volley;
  guint answered_before_bob;

  si_test_server_add_user (server, "alice", PASSWORD);
  si_test_server_add_user (server, "bob", PASSWORD);
  si_test_server_set_args (server, trusted);
  si_test_server_start (server);

  session = volley_start (server, "203.0.113.7", "alice", 100, &volley);
  /* The first answers (the 429s) mean the burst has arrived. */
  while (volley.pending == 100)
    g_main_context_iteration (NULL, TRUE);

  url = si_test_server_url_for (server, "/api/v1/login");
  msg = soup_message_new ("POST", url);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Forwarded-For", "198.51.100.2");
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  soup_session_send_and_read_async (other, msg, G_PRIORITY_DEFAULT, NULL, login_sent, &bob);
  while (!bob.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (bob.error);
  g_assert_cmpuint (bob.status, ==, 200);
  answered_before_bob = 100 - volley.pending;
  g_test_message ("%u of the burst answered before bob's login", answered_before_bob);

  while (volley.pending > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (volley.other, ==, 0);
  g_assert_cmpuint (volley.unauthorized, <=, 30);
  g_assert_cmpuint (volley.unauthorized, >=, 1);
  g_assert_cmpuint (volley.too_many, ==, 100 - volley.unauthorized);
  /* bob did not wait for alice's checks: the growing delay keeps most of them waiting for
   * seconds, without a thread. */
  g_assert_cmpuint (answered_before_bob, <=, 90);

  /* And the address stays refused. */
  g_assert_cmpuint (login_from (server, "203.0.113.7", "bob"), ==, 429);
}

/* The count of a name is the count of its account: names match without regard to case.
 * Each failure comes from another address, so that only the name's count can delay. */
static void
test_login_throttle_case (void)
{
  static const char * const trusted[] = { "--trusted-proxy", "127.0.0.1", NULL };
  g_autoptr(SiTestServer) server = si_test_server_new (NULL);
  const char *names[] = { "alice", "ALICE", "Alice", "alice", "aLICE" };
  g_autoptr(SiTestResponse) r = NULL;
  gint64 start, elapsed_ms;

  si_test_server_add_user (server, "alice", PASSWORD);
  si_test_server_set_args (server, trusted);
  si_test_server_start (server);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *bad = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"wrong password\"}", names[i]);
      g_autofree char *client = g_strdup_printf ("192.0.2.%u", i + 1);
      g_autoptr(SiTestResponse) fail = si_test_server_request (server, "POST", "/api/v1/login", NULL, bad,
                                                               "X-Forwarded-For", client, NULL);
      assert_error (fail, 401, "unauthorized");
    }

  /* Five failures for that account: its next login waits at least 1 s, however it is spelt. */
  start = g_get_monotonic_time ();
  r = si_test_server_request (server, "POST", "/api/v1/login", NULL,
                              "{\"username\":\"ALICE\",\"password\":\"" PASSWORD "\"}",
                              "X-Forwarded-For", "198.51.100.2", NULL);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpint (elapsed_ms, >=, 1000);
}

static gsize
server_rss_kib (SiTestServer *server)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", si_test_server_get_pid (server));
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents (path, &status, NULL, NULL));
  line = strstr (status, "VmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10);
}

static char *
login_body_for_name (gsize length, char fill)
{
  g_autofree char *name = g_malloc (length + 1);

  memset (name, fill, length);
  name[length] = '\0';
  return g_strdup_printf ("{\"username\":\"%s\",\"password\":\"wrong password\"}", name);
}

/* A name longer than any account's is refused before any work, and not kept: a stream of
 * megabyte names from ever new addresses leaves the server's memory where it was. */
static void
test_login_long_name (void)
{
  static const char * const trusted[] = { "--trusted-proxy", "127.0.0.1", NULL };
  g_autoptr(SiTestServer) server = si_test_server_new (NULL);
  gsize before, after;

  si_test_server_add_user (server, "alice", PASSWORD);
  si_test_server_set_args (server, trusted);
#ifdef __SANITIZE_ADDRESS__
  {
    /* ASan keeps up to 256 MiB of freed memory out of use (its quarantine): RSS would grow
     * with every request however little the server keeps. */
    g_autofree char *saved = g_strdup (g_getenv ("ASAN_OPTIONS"));
    g_autofree char *small = g_strconcat (saved ? saved : "", saved ? ":" : "", "quarantine_size_mb=1", NULL);

    g_setenv ("ASAN_OPTIONS", small, TRUE);
    si_test_server_start (server);
    if (saved != NULL)
      g_setenv ("ASAN_OPTIONS", saved, TRUE);
    else
      g_unsetenv ("ASAN_OPTIONS");
  }
#else
  si_test_server_start (server);
#endif

  {
    g_autofree char *longest = login_body_for_name (64, 'a');
    g_autofree char *too_long = login_body_for_name (65, 'a');
    g_autofree char *huge = login_body_for_name (1024 * 1024, 'b');
    g_autoptr(SiTestResponse) r64 = si_test_server_request (server, "POST", "/api/v1/login", NULL, longest, NULL);
    g_autoptr(SiTestResponse) r65 = si_test_server_request (server, "POST", "/api/v1/login", NULL, too_long, NULL);
    g_autoptr(SiTestResponse) rhuge = si_test_server_request (server, "POST", "/api/v1/login", NULL, huge, NULL);

    assert_error (r64, 401, "unauthorized");
    assert_error (r65, 400, "invalid_field");
    assert_error (rhuge, 400, "invalid_field");
  }

  before = server_rss_kib (server);
  for (guint i = 0; i < 64; i++)
    {
      g_autofree char *body = login_body_for_name (1024 * 1024, 'c' + i % 20);
      g_autofree char *client = g_strdup_printf ("198.51.100.%u", i + 1);
      g_autoptr(SiTestResponse) r = NULL;

      body[14] = 'A' + i / 20;  /* each name differs */
      r = si_test_server_request (server, "POST", "/api/v1/login", NULL, body, "X-Forwarded-For", client, NULL);
      g_assert_cmpuint (r->status, !=, 200);
    }
  after = server_rss_kib (server);
  g_test_message ("server RSS %" G_GSIZE_FORMAT " KiB before 64 MiB of names, %" G_GSIZE_FORMAT " KiB after",
                  before, after);
  g_assert_cmpuint (after, <, before + 32 * 1024);
}

static void
test_unauthorized (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  const char *requests[][2] = {
    { "GET", "/api/v1/ideas" }, { "GET", "/api/v1/tags" }, { "GET", "/api/v1/ideas/1" },
    { "PUT", "/api/v1/ideas/1" }, { "DELETE", "/api/v1/tags/1" }, { "POST", "/api/v1/ideas" },
    { "POST", "/api/v1/batch" }, { "POST", "/api/v1/logout" },
  };
  const char *tokens[] = {
    NULL, "", "0000000000000000000000000000000000000000000000000000000000000000", "not-a-token",
  };

  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    for (guint j = 0; j < G_N_ELEMENTS (tokens); j++)
      {
        g_autofree char *body = idea_json (NULL, "x", NULL);
        g_autoptr(SiTestResponse) r = si_test_server_request (server, requests[i][0], requests[i][1],
                                                              tokens[j], body, "If-Match", "1", NULL);
        assert_error (r, 401, "unauthorized");
        g_assert_nonnull (soup_message_headers_get_one (r->headers, "WWW-Authenticate"));
      }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/server/info", test_info);
  g_test_add_func ("/server/login", test_login);
  g_test_add_func ("/server/login-throttle", test_login_throttle);
  g_test_add_func ("/server/login-throttle-behind-proxy", test_login_throttle_behind_proxy);
  g_test_add_func ("/server/login-throttle-concurrent", test_login_throttle_concurrent);
  g_test_add_func ("/server/login-throttle-case", test_login_throttle_case);
  g_test_add_func ("/server/login-long-name", test_login_long_name);
  g_test_add_func ("/server/unauthorized", test_unauthorized);

  return g_test_run ();
}
