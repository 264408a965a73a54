/* test-server.c — suite `server`: the real saveidea-server over HTTP on 127.0.0.1. */
#define G_LOG_DOMAIN "saveidea-test"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "si-test-server.h"
#include "si-types.h"
#include "si-wire.h"

#define PASSWORD "correct horse battery"
#define T0 "2026-11-28T04:08:50.123Z"
#define T1 "2026-11-28T05:00:00.000Z"

/* ---------------------------------------------------------------------------------------- */
/* helpers */

static SiTestServer *
start_server (const char *first_user,
              ...)
{
  SiTestServer *server = si_test_server_new (NULL);
  va_list args;

  va_start (args, first_user);
  for (const char *name = first_user; name != NULL; name = va_arg (args, const char *))
    si_test_server_add_user (server, name, PASSWORD);
  va_end (args);
  si_test_server_start (server);
  return server;
}

static char *
idea_json (const char *uid,
           const char *title,
           const char *tags)
{
  g_autofree char *fresh = uid ? NULL : g_uuid_string_random ();

  return g_strdup_printf ("{\"uid\":\"%s\",\"title\":\"%s\",\"body\":\"Body of %s\",\"pinned\":false,"
                          "\"tags\":%s,\"created_at\":\"" T0 "\",\"updated_at\":\"" T1 "\"}",
                          uid ? uid : fresh, title, title, tags ? tags : "[]");
}

static char *
tag_json (const char *uid,
          const char *name)
{
  g_autofree char *fresh = uid ? NULL : g_uuid_string_random ();

  return g_strdup_printf ("{\"uid\":\"%s\",\"name\":\"%s\",\"colour\":\"#3584e4\","
                          "\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}",
                          uid ? uid : fresh, name);
}

/* POSTs and asserts @expected; returns the response. */
static SiTestResponse *
post (SiTestServer *server,
      const char   *token,
      const char   *collection,
      const char   *body,
      guint         expected)
{
  g_autofree char *path = g_strconcat ("/api/v1/", collection, NULL);
  SiTestResponse *r = si_test_server_request (server, "POST", path, token, body, NULL);

  g_assert_cmpuint (r->status, ==, expected);
  return r;
}

static gint64
create_idea (SiTestServer *server,
             const char   *token,
             const char   *title,
             const char   *tags,
             gint64       *out_version)
{
  g_autofree char *body = idea_json (NULL, title, tags);
  g_autoptr(SiTestResponse) r = post (server, token, "ideas", body, 201);

  if (out_version)
    *out_version = si_test_response_get_int (r, "version");
  return si_test_response_get_int (r, "id");
}

static gint64
create_tag (SiTestServer *server,
            const char   *token,
            const char   *name,
            gint64       *out_version)
{
  g_autofree char *body = tag_json (NULL, name);
  g_autoptr(SiTestResponse) r = post (server, token, "tags", body, 201);

  if (out_version)
    *out_version = si_test_response_get_int (r, "version");
  return si_test_response_get_int (r, "id");
}

static SiTestResponse *
get (SiTestServer *server,
     const char   *token,
     const char   *format,
     ...) G_GNUC_PRINTF (3, 4);

static SiTestResponse *
get (SiTestServer *server,
     const char   *token,
     const char   *format,
     ...)
{
  g_autofree char *path = NULL;
  va_list args;

  va_start (args, format);
  path = g_strdup_vprintf (format, args);
  va_end (args);
  return si_test_server_request (server, "GET", path, token, NULL, NULL);
}

static JsonArray *
page_records (SiTestResponse *r)
{
  JsonObject *object = si_test_response_object (r);

  g_assert_true (json_object_has_member (object, "records"));
  return json_object_get_array_member (object, "records");
}

static JsonObject *
record_at (JsonArray *records,
           guint      i)
{
  return json_array_get_object_element (records, i);
}

static void
assert_error (SiTestResponse *r,
              guint           status,
              const char     *code)
{
  g_assert_cmpuint (r->status, ==, status);
  g_assert_cmpstr (si_test_response_get_string (r, "error"), ==, code);
  g_assert_cmpstr (si_test_response_get_string (r, "message"), !=, "");
}

static char *
version_header (gint64 version)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, version);
}

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
  gboolean  done;
  guint     status;
  GError   *error;
} AsyncLogin;

static void
login_sent (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  AsyncLogin *state = user_data;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &state->error);

  state->status = soup_message_get_status (soup_session_get_async_result_message (SOUP_SESSION (source), result));
  state->done = TRUE;
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

/* ---------------------------------------------------------------------------------------- */
/* isolation */

static void
test_isolation (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", "bob", NULL);
  g_autofree char *alice = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *bob = si_test_server_login (server, "bob", PASSWORD);
  g_autofree char *bob_idea = NULL;
  g_autofree char *put_path = NULL;
  g_autofree char *tag_path = NULL;
  g_autofree char *tags = NULL;
  gint64 tag, idea, version;

  tag = create_tag (server, alice, "Secret", NULL);
  tags = g_strdup_printf ("[%" G_GINT64_FORMAT "]", tag);
  idea = create_idea (server, alice, "Alice's plan", tags, &version);

  /* Bob sees nothing of Alice's. */
  {
    g_autoptr(SiTestResponse) ideas = get (server, bob, "/api/v1/ideas?since=0");
    g_autoptr(SiTestResponse) tag_list = get (server, bob, "/api/v1/tags?since=0");
    g_autoptr(SiTestResponse) one = get (server, bob, "/api/v1/ideas/%" G_GINT64_FORMAT, idea);
    g_autoptr(SiTestResponse) one_tag = get (server, bob, "/api/v1/tags/%" G_GINT64_FORMAT, tag);
    g_autoptr(SiTestResponse) wrong_collection = get (server, alice, "/api/v1/tags/%" G_GINT64_FORMAT, idea);

    g_assert_cmpuint (ideas->status, ==, 200);
    g_assert_cmpuint (json_array_get_length (page_records (ideas)), ==, 0);
    g_assert_cmpuint (json_array_get_length (page_records (tag_list)), ==, 0);
    assert_error (one, 404, "not_found");
    assert_error (one_tag, 404, "not_found");
    assert_error (wrong_collection, 404, "not_found");
  }

  /* Bob cannot change or delete it by guessing ids, nor use Alice's tag. */
  put_path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, idea);
  tag_path = g_strdup_printf ("/api/v1/tags/%" G_GINT64_FORMAT, tag);
  bob_idea = idea_json (NULL, "Bob was here", NULL);
  {
    g_autofree char *v = version_header (version);
    g_autoptr(SiTestResponse) put = si_test_server_request (server, "PUT", put_path, bob, bob_idea,
                                                            "If-Match", v, NULL);
    g_autoptr(SiTestResponse) del = si_test_server_request (server, "DELETE", put_path, bob, NULL,
                                                            "If-Match", v, NULL);
    g_autoptr(SiTestResponse) del_tag = si_test_server_request (server, "DELETE", tag_path, bob, NULL,
                                                                "If-Match", "1", NULL);
    g_autofree char *uses_foreign = idea_json (NULL, "Bob's", tags);
    g_autoptr(SiTestResponse) foreign = post (server, bob, "ideas", uses_foreign, 400);

    assert_error (put, 404, "not_found");
    assert_error (del, 404, "not_found");
    assert_error (del_tag, 404, "not_found");
    assert_error (foreign, 400, "unknown_tag");
  }

  /* Alice's records are untouched. */
  {
    g_autoptr(SiTestResponse) mine = get (server, alice, "/api/v1/ideas/%" G_GINT64_FORMAT, idea);
    g_autoptr(SiTestResponse) my_tag = get (server, alice, "/api/v1/tags/%" G_GINT64_FORMAT, tag);

    g_assert_cmpuint (mine->status, ==, 200);
    g_assert_cmpstr (si_test_response_get_string (mine, "title"), ==, "Alice's plan");
    g_assert_cmpint (si_test_response_get_int (mine, "version"), ==, version);
    g_assert_false (json_object_get_boolean_member (si_test_response_object (my_tag), "deleted"));
  }
}

/* ---------------------------------------------------------------------------------------- */
/* the feed */

static void
batch_create_ideas (SiTestServer *server,
                    const char   *token,
                    guint         count,
                    guint         first)
{
  GString *body = g_string_new ("{\"operations\":[");
  g_autoptr(SiTestResponse) r = NULL;
  JsonArray *results;

  for (guint i = 0; i < count; i++)
    {
      g_autofree char *title = g_strdup_printf ("Idea %u", first + i);
      g_autofree char *record = idea_json (NULL, title, NULL);

      g_string_append_printf (body, "%s{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":%s}",
                              i ? "," : "", record);
    }
  g_string_append (body, "]}");

  r = si_test_server_request (server, "POST", "/api/v1/batch", token, body->str, NULL);
  g_string_free (body, TRUE);
  g_assert_cmpuint (r->status, ==, 200);
  results = json_object_get_array_member (si_test_response_object (r), "results");
  g_assert_cmpuint (json_array_get_length (results), ==, count);
  for (guint i = 0; i < count; i++)
    g_assert_cmpint (json_object_get_int_member (record_at (results, i), "status"), ==, 201);
}

static void
test_paging (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", "bob", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *bob = si_test_server_login (server, "bob", PASSWORD);
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  gint64 cursor = 0;
  gint64 last_version = 0;
  guint pages = 0;
  gboolean more = TRUE;

  batch_create_ideas (server, token, 1000, 0);
  batch_create_ideas (server, token, 1000, 1000);
  batch_create_ideas (server, token, 500, 2000);
  /* Another account's changes do not show up and do not disturb the cursor. */
  create_idea (server, bob, "Bob's", NULL, NULL);

  while (more)
    {
      g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas?since=%" G_GINT64_FORMAT "&limit=1000", cursor);
      JsonArray *records;
      guint n;

      g_assert_cmpuint (r->status, ==, 200);
      records = page_records (r);
      n = json_array_get_length (records);
      more = json_object_get_boolean_member (si_test_response_object (r), "more");
      pages++;

      for (guint i = 0; i < n; i++)
        {
          JsonObject *record = record_at (records, i);
          gint64 version = json_object_get_int_member (record, "version");
          gint64 id = json_object_get_int_member (record, "id");

          /* Version order, no gaps: only this account's creates made versions 1..2500. */
          g_assert_cmpint (version, ==, last_version + 1);
          last_version = version;
          g_assert_false (g_hash_table_contains (ids, &id));
          g_hash_table_add (ids, g_memdup2 (&id, sizeof id));
        }
      if (more)
        {
          g_assert_cmpuint (n, ==, 1000);
          g_assert_cmpint (si_test_response_get_int (r, "cursor"), ==, last_version);
          /* What follows is counted, so a client can show "1,000 of 2,500" from page one. */
          g_assert_cmpint (si_test_response_get_int (r, "remaining"), ==, 2500 - (gint64) g_hash_table_size (ids));
        }
      else
        {
          g_assert_cmpuint (n, ==, 500);
          g_assert_false (json_object_has_member (si_test_response_object (r), "remaining"));
        }
      cursor = si_test_response_get_int (r, "cursor");
    }
  g_assert_cmpuint (pages, ==, 3);
  g_assert_cmpuint (g_hash_table_size (ids), ==, 2500);
  g_assert_cmpint (cursor, ==, 2500);

  /* The next poll is empty and keeps the cursor. */
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas?since=%" G_GINT64_FORMAT, cursor);

    g_assert_cmpuint (json_array_get_length (page_records (r)), ==, 0);
    g_assert_cmpint (si_test_response_get_int (r, "cursor"), ==, cursor);
    g_assert_false (json_object_get_boolean_member (si_test_response_object (r), "more"));
  }

  /* A tag change moves the account's sequence: the ideas feed's cursor follows it. */
  create_tag (server, token, "Later", NULL);
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas?since=%" G_GINT64_FORMAT, cursor);

    g_assert_cmpuint (json_array_get_length (page_records (r)), ==, 0);
    g_assert_cmpint (si_test_response_get_int (r, "cursor"), ==, 2501);
  }
}

/* GET /api/v1/changes: both collections in one feed, in version order, paged like the
 * per-collection lists; each record names its collection. */
static void
test_changes (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", "bob", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *bob = si_test_server_login (server, "bob", PASSWORD);
  g_autofree char *tags = NULL;
  g_autofree char *tag_path = NULL;
  g_autoptr(SiWirePage) page = NULL;
  g_autoptr(GError) error = NULL;
  SiWireRecord *record;
  gint64 tag, tag_version, idea, plain;

  tag = create_tag (server, token, "Work", &tag_version);
  tags = g_strdup_printf ("[%" G_GINT64_FORMAT "]", tag);
  idea = create_idea (server, token, "Tagged", tags, NULL);        /* 2 */
  plain = create_idea (server, token, "Plain", NULL, NULL);        /* 3 */
  create_idea (server, bob, "Bob's", NULL, NULL);
  /* Deleting the tag: its tombstone (4), then the idea without it (5). */
  tag_path = g_strdup_printf ("/api/v1/tags/%" G_GINT64_FORMAT, tag);
  {
    g_autofree char *v = version_header (tag_version);
    g_autoptr(SiTestResponse) del = si_test_server_request (server, "DELETE", tag_path, token, NULL,
                                                            "If-Match", v, NULL);
    g_assert_cmpuint (del->status, ==, 200);
  }

  /* All of it in one page, through the shared codec. */
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/changes?since=0");

    g_assert_cmpuint (r->status, ==, 200);
    page = si_wire_changes_from_json (r->json, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpuint (page->records->len, ==, 3);
  g_assert_false (page->more);
  g_assert_cmpint (page->cursor, ==, 5);
  record = g_ptr_array_index (page->records, 0);
  g_assert_cmpint (record->collection, ==, SI_WIRE_COLLECTION_IDEAS);
  g_assert_cmpint (record->id, ==, plain);
  g_assert_cmpint (record->version, ==, 3);
  g_assert_cmpstr (record->title, ==, "Plain");
  record = g_ptr_array_index (page->records, 1);
  g_assert_cmpint (record->collection, ==, SI_WIRE_COLLECTION_TAGS);
  g_assert_cmpint (record->id, ==, tag);
  g_assert_cmpint (record->version, ==, 4);
  g_assert_true (record->deleted);
  record = g_ptr_array_index (page->records, 2);
  g_assert_cmpint (record->collection, ==, SI_WIRE_COLLECTION_IDEAS);
  g_assert_cmpint (record->id, ==, idea);
  g_assert_cmpint (record->version, ==, 5);
  g_assert_cmpuint (record->tags->len, ==, 0);

  /* Paged: the cursor is the last record's version while more follow. */
  {
    g_autoptr(SiTestResponse) first = get (server, token, "/api/v1/changes?since=0&limit=2");
    g_autoptr(SiTestResponse) second = NULL;
    JsonArray *records = page_records (first);

    g_assert_cmpuint (json_array_get_length (records), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (record_at (records, 0), "collection"), ==, "ideas");
    g_assert_cmpstr (json_object_get_string_member (record_at (records, 1), "collection"), ==, "tags");
    g_assert_true (json_object_get_boolean_member (si_test_response_object (first), "more"));
    g_assert_cmpint (si_test_response_get_int (first, "cursor"), ==, 4);
    /* One record follows: the idea at 5. */
    g_assert_cmpint (si_test_response_get_int (first, "remaining"), ==, 1);

    second = get (server, token, "/api/v1/changes?since=4&limit=2");
    records = page_records (second);
    g_assert_cmpuint (json_array_get_length (records), ==, 1);
    g_assert_cmpint (json_object_get_int_member (record_at (records, 0), "id"), ==, idea);
    g_assert_false (json_object_get_boolean_member (si_test_response_object (second), "more"));
    g_assert_cmpint (si_test_response_get_int (second, "cursor"), ==, 5);
  }

  /* Bob's feed has only his idea, at his own version 1. */
  {
    g_autoptr(SiTestResponse) r = get (server, bob, "/api/v1/changes?since=0");
    JsonArray *records = page_records (r);

    g_assert_cmpuint (json_array_get_length (records), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (record_at (records, 0), "title"), ==, "Bob's");
    g_assert_cmpint (si_test_response_get_int (r, "cursor"), ==, 1);
  }

  /* Nothing new: an empty page that keeps the cursor. */
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/changes?since=5");

    g_assert_cmpuint (json_array_get_length (page_records (r)), ==, 0);
    g_assert_cmpint (si_test_response_get_int (r, "cursor"), ==, 5);
  }

  /* Errors as for the per-collection lists. */
  {
    g_autoptr(SiTestResponse) no_token = get (server, NULL, "/api/v1/changes");
    g_autoptr(SiTestResponse) bad_limit = get (server, token, "/api/v1/changes?limit=0");
    g_autoptr(SiTestResponse) bad_since = get (server, token, "/api/v1/changes?since=-1");
    g_autoptr(SiTestResponse) post_it = si_test_server_request (server, "POST", "/api/v1/changes",
                                                                token, "{}", NULL);

    assert_error (no_token, 401, "unauthorized");
    assert_error (bad_limit, 400, "invalid_parameter");
    assert_error (bad_since, 400, "invalid_parameter");
    assert_error (post_it, 405, "method_not_allowed");
  }
}

/* Every /api/v1 response names the instance, errors included; it survives a restart. */
static void
test_instance_header (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *instance = NULL;
  const char *paths[] = {
    "/api/v1/info", "/api/v1/ideas", "/api/v1/tags?since=0", "/api/v1/changes",
    "/api/v1/ideas/999", "/api/v1/nothing-here",
  };

  {
    g_autoptr(SiTestResponse) info = get (server, NULL, "/api/v1/info");
    instance = g_strdup (si_test_response_get_string (info, "instance_id"));
  }
  g_assert_true (g_uuid_string_is_valid (instance));

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(SiTestResponse) with_token = get (server, token, "%s", paths[i]);
      g_autoptr(SiTestResponse) without = get (server, NULL, "%s", paths[i]);

      g_assert_cmpstr (soup_message_headers_get_one (with_token->headers, SI_WIRE_INSTANCE_HEADER), ==, instance);
      g_assert_cmpstr (soup_message_headers_get_one (without->headers, SI_WIRE_INSTANCE_HEADER), ==, instance);
    }
  {
    g_autoptr(SiTestResponse) login = si_test_server_request (server, "POST", "/api/v1/login", NULL,
                                                              "{\"username\":\"alice\",\"password\":\"wrong\"}", NULL);
    g_assert_cmpuint (login->status, ==, 401);
    g_assert_cmpstr (soup_message_headers_get_one (login->headers, SI_WIRE_INSTANCE_HEADER), ==, instance);
  }

  si_test_server_stop (server, SIGTERM);
  si_test_server_start (server);
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas");
    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpstr (soup_message_headers_get_one (r->headers, SI_WIRE_INSTANCE_HEADER), ==, instance);
  }
}

static void
test_tombstones (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *path = NULL;
  g_autofree char *v = NULL;
  gint64 keep, gone, version, deleted_version;

  keep = create_idea (server, token, "Keep", NULL, NULL);
  gone = create_idea (server, token, "Gone", NULL, &version);

  path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, gone);
  v = version_header (version);
  {
    g_autoptr(SiTestResponse) del = si_test_server_request (server, "DELETE", path, token, NULL, "If-Match", v, NULL);

    g_assert_cmpuint (del->status, ==, 200);
    g_assert_true (json_object_get_boolean_member (si_test_response_object (del), "deleted"));
    deleted_version = si_test_response_get_int (del, "version");
    g_assert_cmpint (deleted_version, >, version);
  }

  /* In the feed, in version order: the live one, then the tombstone without its content. */
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas?since=0");
    JsonArray *records = page_records (r);
    JsonObject *tombstone;

    g_assert_cmpuint (json_array_get_length (records), ==, 2);
    g_assert_cmpint (json_object_get_int_member (record_at (records, 0), "id"), ==, keep);
    tombstone = record_at (records, 1);
    g_assert_cmpint (json_object_get_int_member (tombstone, "id"), ==, gone);
    g_assert_true (json_object_get_boolean_member (tombstone, "deleted"));
    g_assert_cmpint (json_object_get_int_member (tombstone, "version"), ==, deleted_version);
    g_assert_false (json_object_has_member (tombstone, "title"));
    g_assert_false (json_object_has_member (tombstone, "body"));
  }

  /* A client that was at the version of the create sees only the deletion. */
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas?since=%" G_GINT64_FORMAT, version);
    JsonArray *records = page_records (r);

    g_assert_cmpuint (json_array_get_length (records), ==, 1);
    g_assert_true (json_object_get_boolean_member (record_at (records, 0), "deleted"));
  }

  /* GET returns the tombstone. */
  {
    g_autoptr(SiTestResponse) r = get (server, token, "%s", path);

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_true (json_object_get_boolean_member (si_test_response_object (r), "deleted"));
  }
}

/* ---------------------------------------------------------------------------------------- */
/* writes */

static void
test_idempotent_create (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *uid = g_uuid_string_random ();
  g_autofree char *body = idea_json (uid, "Once", NULL);
  g_autofree char *retry = idea_json (uid, "Twice with other content", NULL);
  g_autofree char *upper_uid = g_ascii_strup (uid, -1);
  g_autofree char *retry_upper = idea_json (upper_uid, "Once", NULL);
  g_autoptr(SiTestResponse) first = post (server, token, "ideas", body, 201);
  g_autoptr(SiTestResponse) second = post (server, token, "ideas", retry, 200);
  g_autoptr(SiTestResponse) third = post (server, token, "ideas", retry_upper, 200);
  g_autoptr(SiTestResponse) feed = NULL;
  g_autoptr(SiTestResponse) after_delete = NULL;
  g_autofree char *path = NULL;
  g_autofree char *v = NULL;
  gint64 id = si_test_response_get_int (first, "id");

  g_assert_cmpint (si_test_response_get_int (second, "id"), ==, id);
  g_assert_cmpint (si_test_response_get_int (second, "version"), ==, si_test_response_get_int (first, "version"));
  g_assert_cmpstr (si_test_response_get_string (second, "title"), ==, "Once");
  g_assert_cmpint (si_test_response_get_int (third, "id"), ==, id);
  g_assert_cmpstr (soup_message_headers_get_one (first->headers, "ETag"), ==, "\"1\"");

  feed = get (server, token, "/api/v1/ideas?since=0");
  g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 1);

  /* Even after a delete, the same uid gives back that record (its tombstone). */
  path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, id);
  v = version_header (si_test_response_get_int (first, "version"));
  {
    g_autoptr(SiTestResponse) del = si_test_server_request (server, "DELETE", path, token, NULL, "If-Match", v, NULL);
    g_assert_cmpuint (del->status, ==, 200);
  }
  after_delete = post (server, token, "ideas", body, 200);
  g_assert_cmpint (si_test_response_get_int (after_delete, "id"), ==, id);
  g_assert_true (json_object_get_boolean_member (si_test_response_object (after_delete), "deleted"));

  /* The same uid in the other collection is another record. */
  {
    g_autofree char *tag = tag_json (uid, "Same uid");
    g_autoptr(SiTestResponse) r = post (server, token, "tags", tag, 201);
    g_assert_cmpint (si_test_response_get_int (r, "id"), !=, id);
  }
}

static void
test_conflicts (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *uid = g_uuid_string_random ();
  g_autofree char *path = NULL;
  g_autofree char *edit = idea_json (uid, "Edited", NULL);
  g_autofree char *edit2 = idea_json (uid, "Edited again", NULL);
  g_autofree char *v1 = NULL;
  g_autofree char *v2 = NULL;
  g_autofree char *quoted = NULL;
  gint64 id, version1, version2;

  {
    g_autofree char *body = idea_json (uid, "Original", NULL);
    g_autoptr(SiTestResponse) r = post (server, token, "ideas", body, 201);
    id = si_test_response_get_int (r, "id");
    version1 = si_test_response_get_int (r, "version");
  }
  path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, id);
  v1 = version_header (version1);

  /* No If-Match: 428, nothing changed. */
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "PUT", path, token, edit, NULL);
    assert_error (r, 428, "precondition_required");
  }
  /* A good If-Match, quoted as an ETag. */
  quoted = g_strdup_printf ("\"%" G_GINT64_FORMAT "\"", version1);
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "PUT", path, token, edit, "If-Match", quoted, NULL);
    g_assert_cmpuint (r->status, ==, 200);
    version2 = si_test_response_get_int (r, "version");
    g_assert_cmpint (version2, >, version1);
    g_assert_cmpstr (si_test_response_get_string (r, "title"), ==, "Edited");
  }
  /* The stale version: 412 with the current record; the edit is not applied. */
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "PUT", path, token, edit2, "If-Match", v1, NULL);
    JsonObject *current;

    assert_error (r, 412, "precondition_failed");
    current = json_object_get_object_member (si_test_response_object (r), "current");
    g_assert_nonnull (current);
    g_assert_cmpint (json_object_get_int_member (current, "version"), ==, version2);
    g_assert_cmpstr (json_object_get_string_member (current, "title"), ==, "Edited");
  }
  /* W/"N" is accepted too. */
  v2 = g_strdup_printf ("W/\"%" G_GINT64_FORMAT "\"", version2);
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "PUT", path, token, edit2, "If-Match", v2, NULL);
    g_assert_cmpuint (r->status, ==, 200);
    version2 = si_test_response_get_int (r, "version");
  }
  /* A malformed If-Match is a 400. */
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "PUT", path, token, edit2, "If-Match", "*", NULL);
    assert_error (r, 400, "invalid_header");
  }
  /* Another uid in the body of a PUT is refused. */
  {
    g_autofree char *other = idea_json (NULL, "Other", NULL);
    g_autofree char *v = version_header (version2);
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "PUT", path, token, other, "If-Match", v, NULL);
    assert_error (r, 400, "invalid_field");
  }
  /* PUT on a deleted record: stale -> 412 with the tombstone; current -> 409 deleted. */
  {
    g_autofree char *v = version_header (version2);
    g_autoptr(SiTestResponse) del = si_test_server_request (server, "DELETE", path, token, NULL, "If-Match", v, NULL);
    g_autofree char *dv = version_header (si_test_response_get_int (del, "version"));
    g_autoptr(SiTestResponse) stale = si_test_server_request (server, "PUT", path, token, edit, "If-Match", v, NULL);
    g_autoptr(SiTestResponse) current = si_test_server_request (server, "PUT", path, token, edit, "If-Match", dv, NULL);

    g_assert_cmpuint (del->status, ==, 200);
    assert_error (stale, 412, "precondition_failed");
    g_assert_true (json_object_get_boolean_member (json_object_get_object_member (si_test_response_object (stale), "current"),
                                                   "deleted"));
    assert_error (current, 409, "deleted");
  }
  /* Missing: 404. */
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "PUT", "/api/v1/ideas/999999", token, edit,
                                                          "If-Match", "1", NULL);
    assert_error (r, 404, "not_found");
  }
}

static void
test_delete_twice (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *path = NULL;
  g_autofree char *v = NULL;
  gint64 id, version, deleted_version;

  id = create_idea (server, token, "Twice", NULL, &version);
  path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, id);
  v = version_header (version);

  {
    g_autoptr(SiTestResponse) none = si_test_server_request (server, "DELETE", path, token, NULL, NULL);
    g_autoptr(SiTestResponse) stale = si_test_server_request (server, "DELETE", path, token, NULL, "If-Match", "999", NULL);

    assert_error (none, 428, "precondition_required");
    assert_error (stale, 412, "precondition_failed");
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (si_test_response_object (stale), "current"),
                                                 "version"), ==, version);
  }
  {
    g_autoptr(SiTestResponse) first = si_test_server_request (server, "DELETE", path, token, NULL, "If-Match", v, NULL);
    g_assert_cmpuint (first->status, ==, 200);
    deleted_version = si_test_response_get_int (first, "version");
    g_assert_cmpint (deleted_version, >, version);
  }
  /* Again (a retried request), with or without If-Match: the same tombstone, no new version. */
  {
    g_autoptr(SiTestResponse) again = si_test_server_request (server, "DELETE", path, token, NULL, "If-Match", v, NULL);
    g_autoptr(SiTestResponse) bare = si_test_server_request (server, "DELETE", path, token, NULL, NULL);
    g_autoptr(SiTestResponse) feed = get (server, token, "/api/v1/ideas?since=%" G_GINT64_FORMAT, deleted_version);

    g_assert_cmpuint (again->status, ==, 200);
    g_assert_cmpint (si_test_response_get_int (again, "version"), ==, deleted_version);
    g_assert_cmpuint (bare->status, ==, 200);
    g_assert_cmpint (si_test_response_get_int (bare, "version"), ==, deleted_version);
    g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 0);
  }
  {
    g_autoptr(SiTestResponse) missing = si_test_server_request (server, "DELETE", "/api/v1/ideas/424242", token, NULL,
                                                                "If-Match", "1", NULL);
    assert_error (missing, 404, "not_found");
  }
}

static gboolean
array_has (JsonArray *array,
           gint64     value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (json_array_get_int_element (array, i) == value)
      return TRUE;
  return FALSE;
}

static void
test_tag_references (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", "bob", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *bob = si_test_server_login (server, "bob", PASSWORD);
  g_autofree char *tags = NULL;
  g_autofree char *tag_path = NULL;
  g_autofree char *idea_path = NULL;
  g_autofree char *v = NULL;
  gint64 work, home, dead, bobs, idea, idea_version, other_idea, work_version, dead_version, after;

  work = create_tag (server, token, "Work", &work_version);
  home = create_tag (server, token, "Home", NULL);
  dead = create_tag (server, token, "Dead", &dead_version);
  bobs = create_tag (server, bob, "Bob's tag", NULL);

  /* Delete "Dead" first: its id is then dropped silently from ideas that name it. */
  tag_path = g_strdup_printf ("/api/v1/tags/%" G_GINT64_FORMAT, dead);
  v = version_header (dead_version);
  {
    g_autoptr(SiTestResponse) del = si_test_server_request (server, "DELETE", tag_path, token, NULL, "If-Match", v, NULL);
    g_assert_cmpuint (del->status, ==, 200);
  }

  tags = g_strdup_printf ("[%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT "]", work, dead, home);
  {
    g_autofree char *body = idea_json (NULL, "Tagged", tags);
    g_autoptr(SiTestResponse) r = post (server, token, "ideas", body, 201);
    JsonArray *stored = json_object_get_array_member (si_test_response_object (r), "tags");

    g_assert_cmpuint (json_array_get_length (stored), ==, 2);
    g_assert_cmpint (json_array_get_int_element (stored, 0), ==, work);
    g_assert_cmpint (json_array_get_int_element (stored, 1), ==, home);
    idea = si_test_response_get_int (r, "id");
    idea_version = si_test_response_get_int (r, "version");
  }
  {
    g_autofree char *home_only = g_strdup_printf ("[%" G_GINT64_FORMAT "]", home);
    other_idea = create_idea (server, token, "Home only", home_only, NULL);
  }

  /* Someone else's tag, or an id that never existed: 400 unknown_tag, nothing stored. */
  {
    g_autofree char *foreign_tags = g_strdup_printf ("[%" G_GINT64_FORMAT "]", bobs);
    g_autofree char *foreign = idea_json (NULL, "Foreign", foreign_tags);
    g_autofree char *nowhere = idea_json (NULL, "Nowhere", "[987654]");
    g_autoptr(SiTestResponse) r1 = post (server, token, "ideas", foreign, 400);
    g_autoptr(SiTestResponse) r2 = post (server, token, "ideas", nowhere, 400);
    g_autoptr(SiTestResponse) feed = get (server, token, "/api/v1/ideas?since=0");

    assert_error (r1, 400, "unknown_tag");
    assert_error (r2, 400, "unknown_tag");
    g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 2);
  }

  /* Deleting "Work" takes it out of the idea, which gets a new version in the feed. */
  g_free (tag_path);
  tag_path = g_strdup_printf ("/api/v1/tags/%" G_GINT64_FORMAT, work);
  g_free (v);
  v = version_header (work_version);
  {
    g_autoptr(SiTestResponse) del = si_test_server_request (server, "DELETE", tag_path, token, NULL, "If-Match", v, NULL);
    g_autoptr(SiTestResponse) feed = NULL;
    JsonArray *records;
    JsonObject *changed;

    g_assert_cmpuint (del->status, ==, 200);
    after = si_test_response_get_int (del, "version");
    feed = get (server, token, "/api/v1/ideas?since=%" G_GINT64_FORMAT, idea_version);
    records = page_records (feed);
    g_assert_cmpuint (json_array_get_length (records), ==, 2);  /* "Home only" (created later) and the bumped idea */
    changed = record_at (records, 1);
    g_assert_cmpint (json_object_get_int_member (changed, "id"), ==, idea);
    g_assert_cmpint (json_object_get_int_member (changed, "version"), >, after);
    g_assert_false (array_has (json_object_get_array_member (changed, "tags"), work));
    g_assert_true (array_has (json_object_get_array_member (changed, "tags"), home));
    g_assert_cmpint (json_object_get_int_member (record_at (records, 0), "id"), ==, other_idea);
  }
  idea_path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, idea);
  {
    g_autoptr(SiTestResponse) r = get (server, token, "%s", idea_path);
    JsonArray *stored = json_object_get_array_member (si_test_response_object (r), "tags");

    g_assert_cmpuint (json_array_get_length (stored), ==, 1);
    g_assert_cmpint (json_array_get_int_element (stored, 0), ==, home);
  }
}

/* ---------------------------------------------------------------------------------------- */
/* long writes in bounded steps */

/* One request on its own thread and connection, so that the test can look at the server (or
 * kill it) while the request runs. */
typedef struct {
  char   *url;
  char   *method;
  char   *token;
  char   *body;
  char   *if_match;
  guint   status;   /* 0: no answer (the server died) */
  GBytes *answer;
} Background;

static gpointer
background_run (gpointer data)
{
  Background *bg = data;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 120, "proxy-resolver", NULL, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (bg->method, bg->url);
  g_autofree char *auth = g_strconcat ("Bearer ", bg->token, NULL);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  soup_message_headers_replace (headers, "Authorization", auth);
  if (bg->if_match != NULL)
    soup_message_headers_replace (headers, "If-Match", bg->if_match);
  if (bg->body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (bg->body, strlen (bg->body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  bg->answer = soup_session_send_and_read (session, msg, NULL, NULL);
  bg->status = bg->answer != NULL ? soup_message_get_status (msg) : 0;
  return NULL;
}

static GThread *
background_start (Background   *bg,
                  SiTestServer *server,
                  const char   *method,
                  const char   *path,
                  const char   *token,
                  const char   *body,
                  const char   *if_match)
{
  bg->url = si_test_server_url_for (server, path);
  bg->method = g_strdup (method);
  bg->token = g_strdup (token);
  bg->body = g_strdup (body);
  bg->if_match = g_strdup (if_match);
  return g_thread_new ("background-request", background_run, bg);
}

static void
background_clear (Background *bg)
{
  g_free (bg->url);
  g_free (bg->method);
  g_free (bg->token);
  g_free (bg->body);
  g_free (bg->if_match);
  g_clear_pointer (&bg->answer, g_bytes_unref);
}

/* Waits until the account's ideas feed after @since holds at least one record (the first step
 * of a long write committed; the server then waits at its test gate); returns the feed. */
static SiTestResponse *
wait_first_step (SiTestServer *server,
                 const char   *token,
                 gint64        since)
{
  for (guint i = 0; i < 3000; i++)
    {
      SiTestResponse *feed = get (server, token, "/api/v1/ideas?since=%" G_GINT64_FORMAT, since);

      g_assert_cmpuint (feed->status, ==, 200);
      if (json_array_get_length (page_records (feed)) > 0)
        return feed;
      si_test_response_free (feed);
      g_usleep (10 * 1000);
    }
  g_assert_not_reached ();
}

/* The ideas feed after @since: @n ideas, versions increasing, none with tag @gone; the
 * highest version in *@out_last. */
static void
assert_untagged (SiTestServer *server,
                 const char   *token,
                 gint64        since,
                 guint         n,
                 gint64        gone,
                 gint64       *out_last)
{
  g_autoptr(SiTestResponse) feed = get (server, token, "/api/v1/ideas?since=%" G_GINT64_FORMAT, since);
  JsonArray *records = page_records (feed);
  gint64 last = since;

  g_assert_cmpuint (json_array_get_length (records), ==, n);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *idea = record_at (records, i);

      g_assert_cmpint (json_object_get_int_member (idea, "version"), >, last);
      last = json_object_get_int_member (idea, "version");
      g_assert_false (array_has (json_object_get_array_member (idea, "tags"), gone));
    }
  if (out_last)
    *out_last = last;
}

/* A tag on more ideas than one transaction may change is deleted in steps; between them other
 * accounts (and the same one) write, a kill -9 leaves a consistent state, and the retried
 * delete finishes the job with every change in the feed. */
static void
test_tag_delete_steps (void)
{
  g_autoptr(SiTestServer) server = si_test_server_new (NULL);
  g_autofree char *gate = g_build_filename (si_test_server_get_data_dir (server), "gate", NULL);
  g_autofree char *token = NULL;
  g_autofree char *bob = NULL;
  g_autofree char *tags = NULL;
  g_autofree char *path = NULL;
  g_autofree char *v = NULL;
  Background bg = { 0 };
  GThread *thread;
  gint64 tag, tag_version, cursor = 0, last = 0;

  si_test_server_add_user (server, "alice", PASSWORD);
  si_test_server_add_user (server, "bob", PASSWORD);
  g_setenv ("SAVEIDEA_SERVER_TEST_TX_ROWS", "4", TRUE);
  g_setenv ("SAVEIDEA_SERVER_TEST_GATE", gate, TRUE);
  si_test_server_start (server);
  g_unsetenv ("SAVEIDEA_SERVER_TEST_GATE");
  token = si_test_server_login (server, "alice", PASSWORD);
  bob = si_test_server_login (server, "bob", PASSWORD);

  tag = create_tag (server, token, "Everywhere", &tag_version);
  tags = g_strdup_printf ("[%" G_GINT64_FORMAT "]", tag);
  for (guint i = 0; i < 10; i++)
    create_idea (server, token, "Tagged", tags, &cursor);

  path = g_strdup_printf ("/api/v1/tags/%" G_GINT64_FORMAT, tag);
  v = version_header (tag_version);
  thread = background_start (&bg, server, "DELETE", path, token, NULL, v);

  /* The first step committed: 4 ideas lost the tag, which is still live. */
  {
    g_autoptr(SiTestResponse) feed = wait_first_step (server, token, cursor);
    g_autoptr(SiTestResponse) t = get (server, token, "%s", path);

    g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 4);
    g_assert_cmpstr (si_test_response_get_string (t, "name"), ==, "Everywhere");
    assert_untagged (server, token, cursor, 4, tag, NULL);
  }
  /* Nobody waits for the rest: not another account, not the same one. */
  create_idea (server, bob, "Bob writes meanwhile", NULL, NULL);
  create_idea (server, token, "Alice writes meanwhile", NULL, NULL);

  /* A crash in the middle; the retried delete (same If-Match) finishes the job. */
  g_assert_cmpint (si_test_server_stop (server, SIGKILL), ==, 128 + SIGKILL);
  g_thread_join (thread);
  g_assert_cmpuint (bg.status, ==, 0);
  si_test_server_start (server);
  g_unsetenv ("SAVEIDEA_SERVER_TEST_TX_ROWS");
  {
    g_autoptr(SiTestResponse) del = si_test_server_request (server, "DELETE", path, token, NULL, "If-Match", v, NULL);
    g_autoptr(SiTestResponse) changes = NULL;
    JsonArray *records;
    guint tombstones = 0;

    g_assert_cmpuint (del->status, ==, 200);
    g_assert_true (json_object_get_boolean_member (si_test_response_object (del), "deleted"));
    /* The 10 ideas and Alice's new one, versions increasing: an incremental pull sees them all,
     * and the tag's tombstone (taken in the last step, before its last ideas). */
    assert_untagged (server, token, cursor, 11, tag, &last);
    g_assert_cmpint (si_test_response_get_int (del, "version"), >, cursor);
    changes = get (server, token, "/api/v1/changes?since=%" G_GINT64_FORMAT, cursor);
    records = page_records (changes);
    g_assert_cmpuint (json_array_get_length (records), ==, 12);
    for (guint i = 0; i < 12; i++)
      if (json_object_get_int_member (record_at (records, i), "id") == tag &&
          json_object_get_boolean_member_with_default (record_at (records, i), "deleted", FALSE))
        tombstones++;
    g_assert_cmpuint (tombstones, ==, 1);
    g_assert_cmpint (si_test_response_get_int (changes, "cursor"), ==, last);
  }
  background_clear (&bg);
}

/* The tag changes between two steps of its delete: the delete stops with 412 and the tag as it
 * is now; the ideas of the first step stay without it, the others keep it. */
static void
test_tag_delete_steps_conflict (void)
{
  g_autoptr(SiTestServer) server = si_test_server_new (NULL);
  g_autofree char *gate = g_build_filename (si_test_server_get_data_dir (server), "gate", NULL);
  g_autofree char *token = NULL;
  g_autofree char *tags = NULL;
  g_autofree char *path = NULL;
  g_autofree char *v = NULL;
  g_autoptr(JsonNode) answer = NULL;
  Background bg = { 0 };
  GThread *thread;
  gint64 tag, tag_version, cursor = 0, new_version;
  guint with_tag = 0;

  si_test_server_add_user (server, "alice", PASSWORD);
  g_setenv ("SAVEIDEA_SERVER_TEST_TX_ROWS", "4", TRUE);
  g_setenv ("SAVEIDEA_SERVER_TEST_GATE", gate, TRUE);
  si_test_server_start (server);
  g_unsetenv ("SAVEIDEA_SERVER_TEST_GATE");
  g_unsetenv ("SAVEIDEA_SERVER_TEST_TX_ROWS");
  token = si_test_server_login (server, "alice", PASSWORD);

  tag = create_tag (server, token, "Contested", &tag_version);
  tags = g_strdup_printf ("[%" G_GINT64_FORMAT "]", tag);
  for (guint i = 0; i < 10; i++)
    create_idea (server, token, "Tagged", tags, &cursor);

  path = g_strdup_printf ("/api/v1/tags/%" G_GINT64_FORMAT, tag);
  v = version_header (tag_version);
  thread = background_start (&bg, server, "DELETE", path, token, NULL, v);
  {
    g_autoptr(SiTestResponse) feed = wait_first_step (server, token, cursor);
    g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 4);
  }
  /* Another client renames the tag meanwhile. */
  {
    g_autoptr(SiTestResponse) t = get (server, token, "%s", path);
    g_autofree char *body = g_strdup_printf ("{\"uid\":\"%s\",\"name\":\"Renamed\",\"colour\":\"\","
                                             "\"created_at\":\"" T0 "\",\"updated_at\":\"" T1 "\"}",
                                             si_test_response_get_string (t, "uid"));
    g_autoptr(SiTestResponse) put = si_test_server_request (server, "PUT", path, token, body, "If-Match", v, NULL);

    g_assert_cmpuint (put->status, ==, 200);
    new_version = si_test_response_get_int (put, "version");
  }
  g_assert_true (g_file_set_contents (gate, "", 0, NULL));
  g_thread_join (thread);
  g_assert_cmpuint (bg.status, ==, 412);
  answer = json_from_string (g_bytes_get_data (bg.answer, NULL), NULL);
  g_assert_nonnull (answer);
  {
    JsonObject *current = json_object_get_object_member (json_node_get_object (answer), "current");

    g_assert_cmpint (json_object_get_int_member (current, "version"), ==, new_version);
    g_assert_cmpstr (json_object_get_string_member (current, "name"), ==, "Renamed");
  }
  {
    g_autoptr(SiTestResponse) feed = get (server, token, "/api/v1/ideas?since=0");
    JsonArray *records = page_records (feed);

    g_assert_cmpuint (json_array_get_length (records), ==, 10);
    for (guint i = 0; i < 10; i++)
      with_tag += array_has (json_object_get_array_member (record_at (records, i), "tags"), tag);
    g_assert_cmpuint (with_tag, ==, 6);
  }
  background_clear (&bg);
}

/* A batch that deletes tags on many ideas, with small steps: another account writes while it
 * runs, and the results are each operation's own. */
static void
test_batch_steps (void)
{
  g_autoptr(SiTestServer) server = si_test_server_new (NULL);
  g_autofree char *gate = g_build_filename (si_test_server_get_data_dir (server), "gate", NULL);
  g_autofree char *token = NULL;
  g_autofree char *bob = NULL;
  g_autofree char *tags = NULL;
  g_autofree char *body = NULL;
  g_autofree char *fresh = idea_json (NULL, "Fresh", NULL);
  g_autoptr(JsonNode) answer = NULL;
  Background bg = { 0 };
  GThread *thread;
  gint64 a, av, b, bv, c, cv, cursor = 0;
  JsonArray *results;
  const guint expected[] = { 200, 200, 201, 200, 200 };  /* the last: A again, already deleted */

  si_test_server_add_user (server, "alice", PASSWORD);
  si_test_server_add_user (server, "bob", PASSWORD);
  g_setenv ("SAVEIDEA_SERVER_TEST_TX_ROWS", "4", TRUE);
  g_setenv ("SAVEIDEA_SERVER_TEST_GATE", gate, TRUE);
  si_test_server_start (server);
  g_unsetenv ("SAVEIDEA_SERVER_TEST_GATE");
  g_unsetenv ("SAVEIDEA_SERVER_TEST_TX_ROWS");
  token = si_test_server_login (server, "alice", PASSWORD);
  bob = si_test_server_login (server, "bob", PASSWORD);

  a = create_tag (server, token, "A", &av);
  b = create_tag (server, token, "B", &bv);
  c = create_tag (server, token, "C", &cv);
  tags = g_strdup_printf ("[%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT "]", a, b, c);
  for (guint i = 0; i < 6; i++)
    create_idea (server, token, "Tagged", tags, &cursor);

  body = g_strdup_printf (
    "{\"operations\":["
    "{\"method\":\"DELETE\",\"collection\":\"tags\",\"id\":%" G_GINT64_FORMAT ",\"if_match\":%" G_GINT64_FORMAT "},"
    "{\"method\":\"DELETE\",\"collection\":\"tags\",\"id\":%" G_GINT64_FORMAT ",\"if_match\":%" G_GINT64_FORMAT "},"
    "{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":%s},"
    "{\"method\":\"DELETE\",\"collection\":\"tags\",\"id\":%" G_GINT64_FORMAT ",\"if_match\":%" G_GINT64_FORMAT "},"
    "{\"method\":\"DELETE\",\"collection\":\"tags\",\"id\":%" G_GINT64_FORMAT ",\"if_match\":%" G_GINT64_FORMAT "}"
    "]}",
    a, av, b, bv, fresh, c, cv, a, av);
  thread = background_start (&bg, server, "POST", "/api/v1/batch", token, body, NULL);

  {
    g_autoptr(SiTestResponse) feed = wait_first_step (server, token, cursor);
    g_autoptr(SiTestResponse) t = get (server, token, "/api/v1/tags/%" G_GINT64_FORMAT, a);

    g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 4);
    g_assert_cmpstr (si_test_response_get_string (t, "name"), ==, "A");
  }
  create_idea (server, bob, "Bob writes meanwhile", NULL, NULL);

  g_assert_true (g_file_set_contents (gate, "", 0, NULL));
  g_thread_join (thread);
  g_assert_cmpuint (bg.status, ==, 200);
  answer = json_from_string (g_bytes_get_data (bg.answer, NULL), NULL);
  g_assert_nonnull (answer);
  results = json_object_get_array_member (json_node_get_object (answer), "results");
  g_assert_cmpuint (json_array_get_length (results), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (results, i), "status"), ==, expected[i]);

  /* Each idea lost all three tags, the last change of each is in the feed once. */
  {
    g_autoptr(SiTestResponse) feed = get (server, token, "/api/v1/ideas?since=%" G_GINT64_FORMAT, cursor);
    JsonArray *records = page_records (feed);

    g_assert_cmpuint (json_array_get_length (records), ==, 7);
    for (guint i = 0; i < 7; i++)
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (record_at (records, i), "tags")), ==, 0);
  }
  background_clear (&bg);
}

static void
test_name_taken (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", "bob", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *bob = si_test_server_login (server, "bob", PASSWORD);
  g_autofree char *uid = g_uuid_string_random ();
  g_autofree char *path = NULL;
  g_autofree char *v = NULL;
  gint64 work, work_version, other, other_version;

  work = create_tag (server, token, "Work", &work_version);
  other = create_tag (server, token, "Other", &other_version);

  /* Same name, any case: 409 with the existing tag to adopt. */
  {
    g_autofree char *body = tag_json (uid, "WORK");
    g_autoptr(SiTestResponse) r = post (server, token, "tags", body, 409);
    JsonObject *current;

    assert_error (r, 409, "name_taken");
    current = json_object_get_object_member (si_test_response_object (r), "current");
    g_assert_cmpint (json_object_get_int_member (current, "id"), ==, work);
    g_assert_cmpstr (json_object_get_string_member (current, "name"), ==, "Work");
  }
  /* Renaming another tag to it, too. */
  path = g_strdup_printf ("/api/v1/tags/%" G_GINT64_FORMAT, other);
  v = version_header (other_version);
  {
    g_autofree char *body = tag_json (NULL, "work");
    g_autoptr(SiTestResponse) r = NULL;
    g_autoptr(SiTestResponse) still = NULL;

    /* (a PUT body without uid is fine) */
    g_free (body);
    body = g_strdup ("{\"name\":\"work\",\"colour\":\"\",\"created_at\":\"" T0 "\",\"updated_at\":\"" T1 "\"}");
    r = si_test_server_request (server, "PUT", path, token, body, "If-Match", v, NULL);
    assert_error (r, 409, "name_taken");
    still = get (server, token, "%s", path);
    g_assert_cmpstr (si_test_response_get_string (still, "name"), ==, "Other");
  }
  /* Renaming a tag to its own name in another case is fine. */
  {
    g_autofree char *body = g_strdup ("{\"name\":\"OTHER\",\"colour\":\"\",\"created_at\":\"" T0 "\",\"updated_at\":\"" T1 "\"}");
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "PUT", path, token, body, "If-Match", v, NULL);
    g_assert_cmpuint (r->status, ==, 200);
  }
  /* Another account may have the same name. */
  create_tag (server, bob, "Work", NULL);
  /* Once "Work" is deleted, the name is free again (the same uid would be idempotent, so a new one). */
  {
    g_autofree char *wpath = g_strdup_printf ("/api/v1/tags/%" G_GINT64_FORMAT, work);
    g_autofree char *wv = version_header (work_version);
    g_autoptr(SiTestResponse) del = si_test_server_request (server, "DELETE", wpath, token, NULL, "If-Match", wv, NULL);
    g_autofree char *body = tag_json (uid, "work");
    g_autoptr(SiTestResponse) r = NULL;

    g_assert_cmpuint (del->status, ==, 200);
    r = post (server, token, "tags", body, 201);
  }
}

/* Ids, `since` and If-Match take every value up to 2^63-1, in plain decimal, and nothing else. */
static void
test_large_values (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *uid = g_uuid_string_random ();
  g_autofree char *path = NULL;
  g_autofree char *edit = idea_json (uid, "Edited", NULL);
  gint64 id, version;

  {
    g_autofree char *body = idea_json (uid, "Original", NULL);
    g_autoptr(SiTestResponse) r = post (server, token, "ideas", body, 201);

    id = si_test_response_get_int (r, "id");
    version = si_test_response_get_int (r, "version");
  }
  path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, id);

  /* since: 0 to 2^63-1. */
  {
    const char *feeds[] = { "ideas", "tags", "changes" };

    for (guint i = 0; i < G_N_ELEMENTS (feeds); i++)
      {
        g_autoptr(SiTestResponse) top = get (server, token, "/api/v1/%s?since=9223372036854775807", feeds[i]);
        g_autoptr(SiTestResponse) zero = get (server, token, "/api/v1/%s?since=0", feeds[i]);
        JsonObject *object;

        g_test_message ("feed %s", feeds[i]);
        g_assert_cmpuint (top->status, ==, 200);
        object = si_test_response_object (top);
        g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "records")), ==, 0);
        g_assert_false (json_object_get_boolean_member (object, "more"));
        g_assert_cmpuint (zero->status, ==, 200);
      }
  }
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas?since=999999999999999999");

    g_assert_cmpuint (r->status, ==, 200);
  }
  {
    /* (a "+" in a query is a space) */
    const char *queries[] = {
      "since=9223372036854775808", "since=9999999999999999999", "since=10000000000000000000",
      "since=18446744073709551617", "since=99999999999999999999999999", "since=%2B1", "since=+1",
      "since=%201", "since=1%20", "since=01", "since=00", "since=-0", "since=0x10", "since=1.0",
      "limit=01", "limit=%2B5", "limit=9223372036854775808",
    };

    for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
      {
        g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/changes?%s", queries[i]);

        g_test_message ("query %s", queries[i]);
        assert_error (r, 400, "invalid_parameter");
      }
  }

  /* An id of 19 digits is an id: the record is not there (404 after the token check, 405 for
   * a wrong method) rather than a path that cannot exist. */
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas/9223372036854775807");
    g_autoptr(SiTestResponse) anonymous = get (server, NULL, "/api/v1/ideas/9223372036854775807");
    g_autoptr(SiTestResponse) patch = si_test_server_request (server, "PATCH", "/api/v1/ideas/9223372036854775807",
                                                              token, NULL, NULL);
    g_autoptr(SiTestResponse) put = si_test_server_request (server, "PUT", "/api/v1/ideas/1000000000000000000",
                                                            token, edit, "If-Match", "1", NULL);

    assert_error (r, 404, "not_found");
    g_assert_cmpuint (anonymous->status, ==, 401);
    assert_error (patch, 405, "method_not_allowed");
    assert_error (put, 404, "not_found");
  }
  /* Anything else is no id: a path with nothing at it, before the token is looked at. */
  {
    const char *ids[] = {
      "9223372036854775808", "9999999999999999999", "10000000000000000000", "18446744073709551617",
      "01", "%2B1", "+1", "-1", "0", "%201", "1%20",
    };

    for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
      {
        g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas/%s", ids[i]);
        g_autoptr(SiTestResponse) anonymous = get (server, NULL, "/api/v1/ideas/%s", ids[i]);

        g_test_message ("id %s", ids[i]);
        assert_error (r, 404, "not_found");
        assert_error (anonymous, 404, "not_found");
      }
  }

  /* If-Match: any version up to 2^63-1 is a version (here a stale one). */
  {
    const char *stale[] = {
      "\"9223372036854775807\"", "9223372036854775807", "W/\"9223372036854775807\"", "\"1000000000000000000\"",
      " \"9223372036854775806\" ",
    };

    for (guint i = 0; i < G_N_ELEMENTS (stale); i++)
      {
        g_autoptr(SiTestResponse) put = si_test_server_request (server, "PUT", path, token, edit, "If-Match", stale[i], NULL);
        g_autoptr(SiTestResponse) del = si_test_server_request (server, "DELETE", path, token, NULL, "If-Match", stale[i], NULL);

        g_test_message ("If-Match: %s", stale[i]);
        assert_error (put, 412, "precondition_failed");
        assert_error (del, 412, "precondition_failed");
        g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (si_test_response_object (put), "current"),
                                                     "version"), ==, version);
      }
  }
  {
    const char *malformed[] = {
      "\"9223372036854775808\"", "9223372036854775808", "W/\"9223372036854775808\"", "\"10000000000000000000\"",
      "\"18446744073709551617\"", "\"+1\"", "\"-1\"", "+1", "-1", "\"01\"", "\" 1\"", "\"1 \"",
    };

    for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
      {
        g_autoptr(SiTestResponse) put = si_test_server_request (server, "PUT", path, token, edit, "If-Match", malformed[i], NULL);

        g_test_message ("If-Match: %s", malformed[i]);
        assert_error (put, 400, "invalid_header");
      }
  }
  /* The record was never touched. */
  {
    g_autoptr(SiTestResponse) r = get (server, token, "%s", path);

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpint (si_test_response_get_int (r, "version"), ==, version);
    g_assert_cmpstr (si_test_response_get_string (r, "title"), ==, "Original");
  }
  /* In a batch, ids and versions are JSON numbers: the largest works there too. */
  {
    g_autofree char *body = g_strdup_printf (
      "{\"operations\":["
      "{\"method\":\"DELETE\",\"collection\":\"ideas\",\"id\":9223372036854775807,\"if_match\":1},"
      "{\"method\":\"DELETE\",\"collection\":\"ideas\",\"id\":%" G_GINT64_FORMAT ",\"if_match\":9223372036854775807}"
      "]}", id);
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "POST", "/api/v1/batch", token, body, NULL);
    JsonArray *results;

    g_assert_cmpuint (r->status, ==, 200);
    results = json_object_get_array_member (si_test_response_object (r), "results");
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (results, 0), "status"), ==, 404);
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (results, 1), "status"), ==, 412);
  }
}

/* Tag names are normalised before the uniqueness check: white space and zero-width characters
 * make no new name; a name of nothing but those is refused. */
static void
test_tag_names (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *path = NULL;
  g_autofree char *v = NULL;
  gint64 x, x_version, other, other_version;

  /* Nothing but white space or zero-width characters, or a control character: 400. */
  {
    const char *refused[] = {
      " ", "   ", "\\t", "\\u200b", "\\u00a0\\u200b\\u3000", "\\ufeff", "\\u2060 \\u200d", "a\\u0001b", "\\u001b[1m",
    };

    for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
      {
        g_autofree char *body = tag_json (NULL, refused[i]);
        g_autoptr(SiTestResponse) r = post (server, token, "tags", body, 400);

        g_test_message ("name \"%s\"", refused[i]);
        assert_error (r, 400, "invalid_field");
        g_assert_nonnull (strstr (si_test_response_get_string (r, "message"), "“name”"));
      }
  }

  x = create_tag (server, token, "x", &x_version);
  other = create_tag (server, token, "Other", &other_version);

  /* "x" with a zero-width space, a no-break space, padding: the same name, 409 with "x". */
  {
    const char *same[] = { "x\\u200b", "\\u200bx", "x\\u00a0", "  X  ", "\\ufeffx\\u2060", "x\\u200d\\u200c" };

    for (guint i = 0; i < G_N_ELEMENTS (same); i++)
      {
        g_autofree char *body = tag_json (NULL, same[i]);
        g_autoptr(SiTestResponse) r = post (server, token, "tags", body, 409);
        JsonObject *current;

        g_test_message ("name \"%s\"", same[i]);
        assert_error (r, 409, "name_taken");
        current = json_object_get_object_member (si_test_response_object (r), "current");
        g_assert_cmpint (json_object_get_int_member (current, "id"), ==, x);
      }
  }
  /* Renaming another tag to it, too; and to nothing. */
  path = g_strdup_printf ("/api/v1/tags/%" G_GINT64_FORMAT, other);
  v = version_header (other_version);
  {
    g_autoptr(SiTestResponse) taken = si_test_server_request (server, "PUT", path, token,
      "{\"name\":\"x\\u200b\",\"colour\":\"\",\"created_at\":\"" T0 "\",\"updated_at\":\"" T1 "\"}",
      "If-Match", v, NULL);
    g_autoptr(SiTestResponse) empty = si_test_server_request (server, "PUT", path, token,
      "{\"name\":\"\\u3000\\u200b\",\"colour\":\"\",\"created_at\":\"" T0 "\",\"updated_at\":\"" T1 "\"}",
      "If-Match", v, NULL);
    g_autoptr(SiTestResponse) still = get (server, token, "%s", path);

    assert_error (taken, 409, "name_taken");
    assert_error (empty, 400, "invalid_field");
    g_assert_cmpstr (si_test_response_get_string (still, "name"), ==, "Other");
  }
  /* What is stored is the normalised name: trimmed, runs of white space as one space, without
   * zero-width characters, NFC. */
  {
    g_autofree char *body = tag_json (NULL, " \\u200bTwo \\t\\u00a0words\\u200b ");
    g_autoptr(SiTestResponse) r = post (server, token, "tags", body, 201);
    g_autoptr(SiTestResponse) again = NULL;
    g_autofree char *again_body = tag_json (NULL, "two words");

    g_assert_cmpstr (si_test_response_get_string (r, "name"), ==, "Two words");
    again = post (server, token, "tags", again_body, 409);
  }
  {
    g_autofree char *body = tag_json (NULL, "cafe\\u0301");
    g_autoptr(SiTestResponse) r = post (server, token, "tags", body, 201);
    g_autofree char *composed = tag_json (NULL, "caf\\u00e9");
    g_autoptr(SiTestResponse) again = post (server, token, "tags", composed, 409);

    g_assert_cmpstr (si_test_response_get_string (r, "name"), ==, "caf\u00e9");
  }
  /* In a batch: that operation alone fails. */
  {
    g_autofree char *ok = tag_json (NULL, "Fine");
    g_autofree char *blank = tag_json (NULL, " \\u200b ");
    g_autofree char *body = g_strdup_printf ("{\"operations\":["
                                             "{\"method\":\"POST\",\"collection\":\"tags\",\"record\":%s},"
                                             "{\"method\":\"POST\",\"collection\":\"tags\",\"record\":%s}]}",
                                             blank, ok);
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "POST", "/api/v1/batch", token, body, NULL);
    JsonArray *results;

    g_assert_cmpuint (r->status, ==, 200);
    results = json_object_get_array_member (si_test_response_object (r), "results");
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (results, 0), "status"), ==, 400);
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (results, 1), "status"), ==, 201);
  }
  /* The feed has x, Other, "Two words", café and Fine: nothing else was stored. */
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/tags?since=0");

    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (si_test_response_object (r), "records")), ==, 5);
  }
}

static void
test_batch (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *existing_uid = g_uuid_string_random ();
  g_autofree char *existing_body = idea_json (existing_uid, "Existing", NULL);
  g_autofree char *fresh = idea_json (NULL, "Fresh", NULL);
  g_autofree char *edit = idea_json (existing_uid, "Edited in batch", NULL);
  g_autofree char *tag = tag_json (NULL, "Batch tag");
  g_autofree char *body = NULL;
  g_autoptr(SiTestResponse) existing = post (server, token, "ideas", existing_body, 201);
  g_autoptr(SiTestResponse) r = NULL;
  gint64 id = si_test_response_get_int (existing, "id");
  gint64 version = si_test_response_get_int (existing, "version");
  gint64 doomed, doomed_version;
  JsonArray *results;
  const guint expected[] = { 201, 200, 412, 200, 404, 400, 400, 201, 200, 428 };

  doomed = create_idea (server, token, "Doomed", NULL, &doomed_version);

  body = g_strdup_printf (
    "{\"operations\":["
    "{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":%s},"                                   /* 201 */
    "{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":%s},"                                   /* 200 same uid */
    "{\"method\":\"PUT\",\"collection\":\"ideas\",\"id\":%" G_GINT64_FORMAT ",\"if_match\":%" G_GINT64_FORMAT ",\"record\":%s}," /* 412 */
    "{\"method\":\"PUT\",\"collection\":\"ideas\",\"id\":%" G_GINT64_FORMAT ",\"if_match\":%" G_GINT64_FORMAT ",\"record\":%s}," /* 200 */
    "{\"method\":\"DELETE\",\"collection\":\"ideas\",\"id\":777777,\"if_match\":1},"                 /* 404 */
    "{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":{\"uid\":\"x\"}},"                      /* 400 */
    "{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":{\"title\":5}},"                        /* 400 */
    "{\"method\":\"POST\",\"collection\":\"tags\",\"record\":%s},"                                    /* 201 */
    "{\"method\":\"DELETE\",\"collection\":\"ideas\",\"id\":%" G_GINT64_FORMAT ",\"if_match\":%" G_GINT64_FORMAT "}," /* 200 */
    "{\"method\":\"PUT\",\"collection\":\"ideas\",\"id\":%" G_GINT64_FORMAT ",\"record\":%s}"        /* 428 */
    "]}",
    fresh, existing_body,
    id, version + 100, edit,
    id, version, edit,
    tag,
    doomed, doomed_version,
    id, edit);

  r = si_test_server_request (server, "POST", "/api/v1/batch", token, body, NULL);
  g_assert_cmpuint (r->status, ==, 200);
  results = json_object_get_array_member (si_test_response_object (r), "results");
  g_assert_cmpuint (json_array_get_length (results), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      JsonObject *result = record_at (results, i);

      g_test_message ("operation %u", i);
      g_assert_cmpint (json_object_get_int_member (result, "status"), ==, expected[i]);
      if (expected[i] < 300)
        g_assert_true (json_object_has_member (result, "record"));
      else
        g_assert_true (json_object_has_member (result, "error"));
    }
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (record_at (results, 1), "record"), "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (record_at (results, 2), "error"), ==, "precondition_failed");
  g_assert_true (json_object_has_member (record_at (results, 2), "current"));
  g_assert_cmpstr (json_object_get_string_member (record_at (results, 5), "error"), ==, "invalid_field");

  /* The failures undid nothing of the others. */
  {
    g_autoptr(SiTestResponse) edited = get (server, token, "/api/v1/ideas/%" G_GINT64_FORMAT, id);
    g_autoptr(SiTestResponse) gone = get (server, token, "/api/v1/ideas/%" G_GINT64_FORMAT, doomed);
    g_autoptr(SiTestResponse) feed = get (server, token, "/api/v1/ideas?since=0");
    g_autoptr(SiTestResponse) tags = get (server, token, "/api/v1/tags?since=0");

    g_assert_cmpstr (si_test_response_get_string (edited, "title"), ==, "Edited in batch");
    g_assert_true (json_object_get_boolean_member (si_test_response_object (gone), "deleted"));
    g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 3);
    g_assert_cmpuint (json_array_get_length (page_records (tags)), ==, 1);
  }

  /* A malformed envelope fails the whole request, and applies nothing. */
  {
    const char *bad[] = {
      "{\"ops\":[]}",
      "{\"operations\":{}}",
      "{\"operations\":[{\"method\":\"PATCH\",\"collection\":\"ideas\"}]}",
      "{\"operations\":[{\"method\":\"POST\",\"collection\":\"notes\",\"record\":{}}]}",
      "{\"operations\":[{\"method\":\"DELETE\",\"collection\":\"ideas\"}]}",
      "{\"operations\":[5]}",
    };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(SiTestResponse) e = si_test_server_request (server, "POST", "/api/v1/batch", token, bad[i], NULL);
        g_assert_cmpuint (e->status, ==, 400);
      }
  }
  {
    g_autofree char *bad_then_good = g_strdup_printf (
      "{\"operations\":[{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":%s},{\"method\":\"NOPE\"}]}", fresh);
    g_autoptr(SiTestResponse) e = si_test_server_request (server, "POST", "/api/v1/batch", token, bad_then_good, NULL);
    g_autoptr(SiTestResponse) feed = get (server, token, "/api/v1/ideas?since=0");

    g_assert_cmpuint (e->status, ==, 400);
    g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 3);
  }
  /* More than 1000 operations: 413. */
  {
    GString *many = g_string_new ("{\"operations\":[");
    g_autoptr(SiTestResponse) e = NULL;

    for (guint i = 0; i < 1001; i++)
      g_string_append_printf (many, "%s{\"method\":\"DELETE\",\"collection\":\"ideas\",\"id\":1,\"if_match\":1}", i ? "," : "");
    g_string_append (many, "]}");
    e = si_test_server_request (server, "POST", "/api/v1/batch", token, many->str, NULL);
    g_string_free (many, TRUE);
    assert_error (e, 413, "too_many_operations");
  }
}

/* ---------------------------------------------------------------------------------------- */
/* bad input */

static void
assert_post_fails (SiTestServer *server,
                   const char   *token,
                   const char   *collection,
                   const char   *content_type,
                   const char   *data,
                   gsize         length,
                   guint         status,
                   const char   *code,
                   const char   *in_message)
{
  g_autofree char *path = g_strconcat ("/api/v1/", collection, NULL);
  g_autoptr(SiTestResponse) r = si_test_server_request_raw (server, "POST", path, token, content_type,
                                                            data, length, NULL);

  {
    g_autofree char *head = g_strndup (data, MIN (length, 120));
    g_autofree char *shown = g_strescape (head, NULL);
    g_test_message ("body %s", shown);
  }
  assert_error (r, status, code);
  if (in_message != NULL)
    g_assert_nonnull (strstr (si_test_response_get_string (r, "message"), in_message));
}

static void
test_bad_input (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *uid = g_uuid_string_random ();
  g_autofree char *long_title = NULL;
  g_autofree char *long_name = NULL;
  const char *json = "application/json";
  struct {
    const char *collection;
    const char *body;
    const char *code;
    const char *field;
  } cases[] = {
    { "ideas", "{\"uid\":", "invalid_json", NULL },
    { "ideas", "[1,2,3]", "invalid_json", NULL },
    { "ideas", "", "invalid_json", NULL },
    { "ideas", "{\"uid\":\"%s\",\"title\":5,\"body\":\"\",\"pinned\":false,\"tags\":[],\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}", "invalid_field", "title" },
    { "ideas", "{\"uid\":\"%s\",\"title\":\"t\",\"body\":\"\",\"pinned\":\"yes\",\"tags\":[],\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}", "invalid_field", "pinned" },
    { "ideas", "{\"uid\":\"%s\",\"title\":\"t\",\"body\":\"\",\"pinned\":false,\"tags\":[\"a\"],\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}", "invalid_field", "tags" },
    { "ideas", "{\"uid\":\"%s\",\"title\":\"t\",\"body\":\"\",\"pinned\":false,\"tags\":[1.5],\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}", "invalid_field", "tags" },
    { "ideas", "{\"uid\":\"%s\",\"title\":\"t\",\"body\":\"\",\"pinned\":false,\"tags\":[],\"created_at\":\"yesterday\",\"updated_at\":\"" T0 "\"}", "invalid_field", "created_at" },
    { "ideas", "{\"uid\":\"%s\",\"title\":\"t\",\"body\":\"\",\"pinned\":false,\"tags\":[],\"created_at\":\"2026-02-30T00:00:00.000Z\",\"updated_at\":\"" T0 "\"}", "invalid_field", "created_at" },
    { "ideas", "{\"uid\":\"%s\",\"title\":\"t\",\"body\":\"\",\"pinned\":false,\"tags\":[],\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\",\"colour\":\"#fff\"}", "invalid_field", "colour" },
    { "ideas", "{\"uid\":\"%s\",\"title\":\"t\",\"body\":\"\",\"pinned\":false,\"tags\":[],\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\",\"secret\":1}", "invalid_field", "secret" },
    { "ideas", "{\"uid\":\"%s\",\"title\":\"t\",\"pinned\":false,\"tags\":[],\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}", "invalid_field", "body" },
    { "ideas", "{\"title\":\"t\",\"body\":\"\",\"pinned\":false,\"tags\":[],\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}", "invalid_field", "uid" },
    { "ideas", "{\"uid\":\"not-a-uuid\",\"title\":\"t\",\"body\":\"\",\"pinned\":false,\"tags\":[],\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}", "invalid_field", "uid" },
    { "tags", "{\"uid\":\"%s\",\"name\":\"\",\"colour\":\"\",\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}", "invalid_field", "name" },
    { "tags", "{\"uid\":\"%s\",\"name\":\"n\",\"colour\":\"blue\",\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}", "invalid_field", "colour" },
    { "tags", "{\"uid\":\"%s\",\"name\":null,\"colour\":\"\",\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}", "invalid_field", "name" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GStrv) halves = g_strsplit (cases[i].body, "%s", 2);
      g_autofree char *body = g_strjoinv (uid, halves);
      assert_post_fails (server, token, cases[i].collection, json, body, strlen (body), 400,
                         cases[i].code, cases[i].field);
    }

  /* Too long: a title of 1001 characters (multi-byte), a tag name of 101. */
  {
    GString *s = g_string_new (NULL);
    g_autofree char *body = NULL;

    for (guint i = 0; i < SI_TITLE_MAX_CHARS + 1; i++)
      g_string_append (s, "é");
    long_title = g_string_free (s, FALSE);
    body = idea_json (NULL, long_title, NULL);
    assert_post_fails (server, token, "ideas", json, body, strlen (body), 400, "invalid_field", "title");
  }
  {
    g_autofree char *body = NULL;

    long_name = g_strnfill (101, 'n');
    body = tag_json (NULL, long_name);
    assert_post_fails (server, token, "tags", json, body, strlen (body), 400, "invalid_field", "name");
  }

  /* Invalid UTF-8 bytes, raw and inside a string. */
  {
    const char raw[] = "{\"uid\":\"\xff\xfe\",\"title\":\"t\"}";
    assert_post_fails (server, token, "ideas", json, raw, sizeof raw - 1, 400, "invalid_json", "UTF-8");
  }
  {
    g_autofree char *body = idea_json (NULL, "bad \xc3\x28 bytes", NULL);
    assert_post_fails (server, token, "ideas", json, body, strlen (body), 400, "invalid_json", "UTF-8");
  }

  /* Wrong content type. */
  {
    g_autofree char *body = idea_json (NULL, "t", NULL);
    assert_post_fails (server, token, "ideas", "text/plain", body, strlen (body), 415,
                       "unsupported_media_type", NULL);
    assert_post_fails (server, token, "ideas", "application/x-www-form-urlencoded", "a=b", 3, 415,
                       "unsupported_media_type", NULL);
  }

  /* Query parameters. */
  {
    const char *queries[] = {
      "limit=0", "limit=1001", "limit=abc", "since=-1", "since=1e3", "limit=", "since=99999999999999999999",
    };
    for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
      {
        g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas?%s", queries[i]);
        g_test_message ("query %s", queries[i]);
        assert_error (r, 400, "invalid_parameter");
      }
  }
  {
    g_autoptr(SiTestResponse) r1 = get (server, token, "/api/v1/ideas?limit=1");
    g_autoptr(SiTestResponse) r2 = get (server, token, "/api/v1/ideas?limit=1000");
    g_assert_cmpuint (r1->status, ==, 200);
    g_assert_cmpuint (r2->status, ==, 200);
  }

  /* Unknown paths and ids: 404; wrong methods: 405 with Allow. */
  {
    const char *paths[] = {
      "/", "/api/v1/", "/api/v1/notes", "/api/v1/ideas/abc", "/api/v1/ideas/0", "/api/v1/ideas/1/x",
      "/api/v2/ideas", "/api/v1/ideas/-1",
    };
    for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
      {
        g_autoptr(SiTestResponse) r = get (server, token, "%s", paths[i]);
        g_test_message ("path %s", paths[i]);
        assert_error (r, 404, "not_found");
      }
  }
  {
    const char *cases405[][3] = {
      { "DELETE", "/api/v1/ideas", "GET, POST" },
      { "POST", "/api/v1/ideas/1", "GET, PUT, DELETE" },
      { "GET", "/api/v1/login", "POST" },
      { "GET", "/api/v1/batch", "POST" },
      { "POST", "/api/v1/info", "GET" },
      { "PATCH", "/api/v1/tags/1", "GET, PUT, DELETE" },
    };
    for (guint i = 0; i < G_N_ELEMENTS (cases405); i++)
      {
        g_autoptr(SiTestResponse) r = si_test_server_request (server, cases405[i][0], cases405[i][1], token,
                                                              NULL, NULL);
        assert_error (r, 405, "method_not_allowed");
        g_assert_cmpstr (soup_message_headers_get_one (r->headers, "Allow"), ==, cases405[i][2]);
      }
  }

  /* Login bodies are checked as strictly. */
  {
    g_autoptr(SiTestResponse) r1 = si_test_server_request (server, "POST", "/api/v1/login", NULL, "{\"username\":\"alice\"}", NULL);
    g_autoptr(SiTestResponse) r2 = si_test_server_request (server, "POST", "/api/v1/login", NULL, "{\"username\":1,\"password\":\"x\"}", NULL);
    assert_error (r1, 400, "invalid_field");
    assert_error (r2, 400, "invalid_field");
  }

  /* Nothing of all that was stored. */
  {
    g_autoptr(SiTestResponse) ideas = get (server, token, "/api/v1/ideas?since=0");
    g_autoptr(SiTestResponse) tags = get (server, token, "/api/v1/tags?since=0");
    g_assert_cmpuint (json_array_get_length (page_records (ideas)), ==, 0);
    g_assert_cmpuint (json_array_get_length (page_records (tags)), ==, 0);
    g_assert_cmpint (si_test_response_get_int (ideas, "cursor"), ==, 0);
  }
}

/* Sends raw bytes on a new connection and returns the status line's code. */
static guint
raw_http (SiTestServer *server,
          const char   *request)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = g_uri_parse (si_test_server_get_url (server), G_URI_FLAGS_NONE, NULL);
  char buffer[512] = { 0 };
  gssize n;
  guint status = 0;

  g_socket_client_set_enable_proxy (client, FALSE);
  connection = g_socket_client_connect_to_host (client, g_uri_get_host (uri), (guint16) g_uri_get_port (uri),
                                                NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             request, strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);
  n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                           buffer, sizeof buffer - 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, >, 12);
  g_assert_true (sscanf (buffer, "HTTP/1.%*d %u", &status) == 1);
  return status;
}

static void
test_body_limit (void)
{
  const char *args[] = { "--max-body-bytes", "2048", NULL };
  g_autoptr(SiTestServer) server = si_test_server_new (NULL);
  g_autofree char *token = NULL;
  g_autofree char *small = NULL;
  g_autofree char *big = NULL;
  g_autofree char *filler = g_strnfill (4000, 'x');

  si_test_server_add_user (server, "alice", PASSWORD);
  si_test_server_set_args (server, args);
  si_test_server_start (server);
  token = si_test_server_login (server, "alice", PASSWORD);

  big = idea_json (NULL, filler, NULL);
  {
    g_autoptr(SiTestResponse) r = post (server, token, "ideas", big, 413);
    assert_error (r, 413, "payload_too_large");
  }
  /* The server still works, and a body under the limit goes through. */
  small = idea_json (NULL, "small", NULL);
  {
    g_autoptr(SiTestResponse) r = post (server, token, "ideas", small, 201);
    g_autoptr(SiTestResponse) feed = get (server, token, "/api/v1/ideas?since=0");
    g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 1);
  }

  /* A body without a length (chunked) is refused with 411 and not stored. */
  {
    g_autofree char *request = g_strdup_printf (
      "POST /api/v1/ideas HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\n", token);
    g_assert_cmpuint (raw_http (server, request), ==, 411);
  }
}

/* "[[[…]]]" @depth deep, or the same inside an idea's title when @in_record. */
static char *
deep_json (guint    depth,
           gboolean in_record)
{
  GString *text = g_string_new (in_record ? "{\"uid\":\"" : "");

  if (in_record)
    g_string_append (text, "7d3c8cde-5b8f-4a5e-9f3c-2b1a0e6d4c21\",\"title\":");
  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, '[');
  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, ']');
  if (in_record)
    g_string_append (text, ",\"body\":\"\",\"pinned\":false,\"tags\":[],"
                           "\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}");
  return g_string_free (text, FALSE);
}

/* Nesting 100,000 deep made json-glib recurse until the stack ran out: the server died on a
 * login request from anyone. Every JSON body now passes the codec's guard first. */
static void
test_deep_json (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *deep = deep_json (100000, FALSE);
  g_autofree char *deep_record = deep_json (100000, TRUE);
  g_autofree char *deep_batch = NULL;
  g_autofree char *if_match = NULL;
  g_autofree char *put_path = NULL;
  gint64 version;
  gint64 id = create_idea (server, token, "Survivor", NULL, &version);

  if_match = version_header (version);
  put_path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, id);
  deep_batch = g_strdup_printf ("{\"operations\":[{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":%s}]}",
                                deep_record);
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "POST", "/api/v1/login", NULL, deep, NULL);
    assert_error (r, 400, "invalid_json");
    g_assert_nonnull (strstr (si_test_response_get_string (r, "message"), "nested deeper than 64"));
  }
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "POST", "/api/v1/ideas", token, deep, NULL);
    assert_error (r, 400, "invalid_json");
  }
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "POST", "/api/v1/ideas", token, deep_record, NULL);
    assert_error (r, 400, "invalid_json");
  }
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "PUT", put_path, token, deep_record,
                                                          "If-Match", if_match, NULL);
    assert_error (r, 400, "invalid_json");
  }
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "POST", "/api/v1/batch", token, deep, NULL);
    assert_error (r, 400, "invalid_json");
  }
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "POST", "/api/v1/batch", token, deep_batch, NULL);
    assert_error (r, 400, "invalid_json");
  }

  /* The server still answers, and nothing was stored. */
  g_assert_true (si_test_server_is_running (server));
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas?since=0");
    JsonArray *records;

    g_assert_cmpuint (r->status, ==, 200);
    records = page_records (r);
    g_assert_cmpuint (json_array_get_length (records), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (record_at (records, 0), "title"), ==, "Survivor");
  }
  {
    g_autofree char *again = si_test_server_login (server, "alice", PASSWORD);
    g_assert_nonnull (again);
  }
}

/* A NUL in a string cut it short: "a\u0000b" was stored as "a" with a 201. */
static void
test_nul_in_strings (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  const char *json = "application/json";
  g_autofree char *title = idea_json (NULL, "a\\u0000b", NULL);
  g_autofree char *body = g_strdup_printf ("{\"uid\":\"%s\",\"title\":\"t\",\"body\":\"line\\u0000rest\",\"pinned\":false,"
                                           "\"tags\":[],\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}",
                                           "0b0e7a4c-9d1f-4c55-8e2b-6a3f1c7d9e02");
  g_autofree char *tag = tag_json (NULL, "x\\u0000y");
  g_autofree char *batch = g_strdup_printf ("{\"operations\":[{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":%s}]}",
                                            title);
  gint64 version;
  gint64 id = create_idea (server, token, "Kept", NULL, &version);
  g_autofree char *if_match = version_header (version);
  g_autofree char *put_path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, id);
  g_autofree char *edit = idea_json (NULL, "Kept\\u0000tail", NULL);

  assert_post_fails (server, token, "ideas", json, title, strlen (title), 400, "invalid_json", "NUL");
  assert_post_fails (server, token, "ideas", json, body, strlen (body), 400, "invalid_json", "NUL");
  assert_post_fails (server, token, "tags", json, tag, strlen (tag), 400, "invalid_json", "NUL");
  assert_post_fails (server, token, "batch", json, batch, strlen (batch), 400, "invalid_json", "NUL");
  /* A raw NUL byte. */
  {
    g_autofree char *raw = idea_json (NULL, "a_b", NULL);
    char *underscore = strstr (raw, "a_b");

    underscore[1] = '\0';
    assert_post_fails (server, token, "ideas", json, raw, strlen (underscore + 2) + (gsize) (underscore + 2 - raw),
                       400, "invalid_json", "NUL");
  }
  /* Escaped backslashes before "u0000" are text, not a NUL: stored as they are. */
  {
    g_autofree char *fine = idea_json (NULL, "a\\\\u0000b", NULL);
    g_autoptr(SiTestResponse) r = post (server, token, "ideas", fine, 201);
    g_assert_cmpstr (si_test_response_get_string (r, "title"), ==, "a\\u0000b");
  }
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "PUT", put_path, token, edit,
                                                          "If-Match", if_match, NULL);
    assert_error (r, 400, "invalid_json");
  }
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas?since=0");
    JsonArray *records = page_records (r);

    g_assert_cmpuint (json_array_get_length (records), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (record_at (records, 0), "title"), ==, "Kept");
  }
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/tags?since=0");
    g_assert_cmpuint (json_array_get_length (page_records (r)), ==, 0);
  }
}

/* json-glib 1.6 wraps a whole number outside gint64 without a word: a tag id of 2^64 + X read
 * as X would attach tag X. The codec refuses such numbers before parsing. */
static void
test_json_integer_wrap (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  gint64 tag = create_tag (server, token, "work", NULL);
  guint64 low = 551616 + (guint64) tag;   /* 2^64 = 18446744073709 * 10^6 + 551616 */
  g_autofree char *wrapped = g_strdup_printf ("%" G_GUINT64_FORMAT "%06" G_GUINT64_FORMAT,
                                              (guint64) 18446744073709 + low / 1000000, low % 1000000);
  g_autofree char *negative = g_strdup_printf ("-%s", wrapped);
  const char *numbers[] = { wrapped, negative };

  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      g_autofree char *tags = g_strdup_printf ("[%s]", numbers[i]);
      g_autofree char *body = idea_json (NULL, "Wrapped", tags);

      assert_post_fails (server, token, "ideas", "application/json", body, strlen (body), 400,
                         "invalid_json", "out of range");
    }
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas?since=0");
    g_assert_cmpuint (json_array_get_length (page_records (r)), ==, 0);
  }
}

static void
test_connections_closed (void)
{
  g_autoptr(SiTestServer) server = start_server (NULL);
  guint before, after;

  /* Warm up (the first request opens what stays open: the database, the WAL). */
  g_assert_cmpuint (raw_http (server, "GET /api/v1/info HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), ==, 200);
  before = si_test_server_count_open_files (server);

  /* Clients that close their kept-alive connection after a request must not leave a
   * descriptor behind (libsoup 3.2 did, for ever). */
  for (guint i = 0; i < 50; i++)
    g_assert_cmpuint (raw_http (server, "GET /api/v1/info HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), ==, 200);
  g_usleep (300 * 1000);
  {
    g_autoptr(SiTestResponse) r = get (server, NULL, "/api/v1/info");  /* let the server run its loop */
    g_assert_cmpuint (r->status, ==, 200);
  }
  after = si_test_server_count_open_files (server);
  g_test_message ("open files: %u before, %u after", before, after);
  g_assert_cmpuint (after, <=, before + 2);
}

static void
test_tls (void)
{
  g_autofree char *cert = g_test_build_filename (G_TEST_DIST, "server-tls-cert.pem", NULL);
  g_autofree char *key = g_test_build_filename (G_TEST_DIST, "server-tls-key.pem", NULL);
  const char *args[] = { "--tls-cert", cert, "--tls-key", key, NULL };
  g_autoptr(SiTestServer) server = si_test_server_new (NULL);
  g_autoptr(GTlsDatabase) trust = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  si_test_server_add_user (server, "alice", PASSWORD);
  si_test_server_set_args (server, args);
  si_test_server_start (server);
  g_assert_true (g_str_has_prefix (si_test_server_get_url (server), "https://127.0.0.1:"));

  /* The client trusts exactly this certificate: the handshake is verified, not skipped. */
  trust = g_tls_file_database_new (cert, &error);
  g_assert_no_error (error);
  g_object_set (si_test_server_get_session (server), "tls-database", trust, NULL);

  token = si_test_server_login (server, "alice", PASSWORD);
  create_idea (server, token, "Over TLS", NULL, NULL);
  {
    g_autoptr(SiTestResponse) feed = get (server, token, "/api/v1/ideas?since=0");
    g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 1);
  }

  /* A key that does not match, or a missing file: a clear error and exit status 1. */
  {
    g_autofree char *err = NULL;
    int status = si_test_server_run (server, NULL, NULL, &err, "--listen", "127.0.0.1:0",
                                     "--tls-cert", cert, "--tls-key", "/nonexistent/key.pem", NULL);
    g_assert_cmpint (status, ==, 1);
    g_assert_nonnull (strstr (err, "TLS"));
    g_assert_cmpint (si_test_server_run (server, NULL, NULL, NULL, "--listen", "127.0.0.1:0",
                                         "--tls-cert", cert, NULL), ==, 2);
  }
}

/* ---------------------------------------------------------------------------------------- */
/* durability and process life */

static void
test_restart (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *instance = NULL;
  gint64 idea, tag;

  {
    g_autoptr(SiTestResponse) info = get (server, NULL, "/api/v1/info");
    instance = g_strdup (si_test_response_get_string (info, "instance_id"));
  }
  tag = create_tag (server, token, "Kept", NULL);
  idea = create_idea (server, token, "Survives a restart", NULL, NULL);

  g_assert_cmpint (si_test_server_stop (server, SIGTERM), ==, 0);
  si_test_server_start (server);

  {
    g_autoptr(SiTestResponse) info = get (server, NULL, "/api/v1/info");
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas/%" G_GINT64_FORMAT, idea);
    g_autoptr(SiTestResponse) t = get (server, token, "/api/v1/tags/%" G_GINT64_FORMAT, tag);
    g_autoptr(SiTestResponse) feed = get (server, token, "/api/v1/ideas?since=0");

    /* Same instance; the token is still valid (stored hashed on disk). */
    g_assert_cmpstr (si_test_response_get_string (info, "instance_id"), ==, instance);
    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpstr (si_test_response_get_string (r, "title"), ==, "Survives a restart");
    g_assert_cmpstr (si_test_response_get_string (t, "name"), ==, "Kept");
    g_assert_cmpint (si_test_response_get_int (feed, "cursor"), ==, 2);
  }
  /* Versions continue after the restart. */
  {
    gint64 version = 0;
    create_idea (server, token, "After", NULL, &version);
    g_assert_cmpint (version, ==, 3);
  }

  /* A new data folder is a new instance. */
  {
    g_autoptr(SiTestServer) other = start_server (NULL);
    g_autoptr(SiTestResponse) info = get (other, NULL, "/api/v1/info");
    g_assert_cmpstr (si_test_response_get_string (info, "instance_id"), !=, instance);
  }
}

static void
test_kill9 (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *uid = g_uuid_string_random ();
  g_autofree char *body = idea_json (uid, "Acknowledged", NULL);
  gint64 id, tag;

  tag = create_tag (server, token, "Before the crash", NULL);
  {
    g_autoptr(SiTestResponse) r = post (server, token, "ideas", body, 201);
    id = si_test_response_get_int (r, "id");
  }
  /* Right after the 2xx, with no chance to flush anything more. */
  g_assert_cmpint (si_test_server_stop (server, SIGKILL), ==, 128 + SIGKILL);

  si_test_server_start (server);
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas/%" G_GINT64_FORMAT, id);
    g_autoptr(SiTestResponse) t = get (server, token, "/api/v1/tags/%" G_GINT64_FORMAT, tag);
    g_autoptr(SiTestResponse) again = post (server, token, "ideas", body, 200);

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpstr (si_test_response_get_string (r, "title"), ==, "Acknowledged");
    g_assert_cmpuint (t->status, ==, 200);
    g_assert_cmpint (si_test_response_get_int (again, "id"), ==, id);
  }
}

static void
test_user_commands (void)
{
  g_autoptr(SiTestServer) server = si_test_server_new (NULL);
  g_autofree char *out = NULL;
  g_autofree char *token = NULL;

  g_assert_cmpint (si_test_server_run (server, PASSWORD "\n", NULL, NULL, "user", "add", "alice", NULL), ==, 0);
  g_assert_cmpint (si_test_server_run (server, PASSWORD "\n", NULL, NULL, "user", "add", "bob", NULL), ==, 0);
  /* Exists already (in any case): 3. */
  g_assert_cmpint (si_test_server_run (server, PASSWORD "\n", NULL, NULL, "user", "add", "alice", NULL), ==, 3);
  g_assert_cmpint (si_test_server_run (server, PASSWORD "\n", NULL, NULL, "user", "add", "ALICE", NULL), ==, 3);
  /* Bad passwords: 4. */
  g_assert_cmpint (si_test_server_run (server, "", NULL, NULL, "user", "add", "carol", NULL), ==, 4);
  g_assert_cmpint (si_test_server_run (server, "short\n", NULL, NULL, "user", "add", "carol", NULL), ==, 4);
  /* Usage errors: 2. */
  g_assert_cmpint (si_test_server_run (server, NULL, NULL, NULL, "user", "add", NULL), ==, 2);
  g_assert_cmpint (si_test_server_run (server, NULL, NULL, NULL, "user", "frobnicate", "x", NULL), ==, 2);
  g_assert_cmpint (si_test_server_run (server, NULL, NULL, NULL, "dance", NULL), ==, 2);
  g_assert_cmpint (si_test_server_run (server, PASSWORD "\n", NULL, NULL, "user", "add", "has space", NULL), ==, 2);

  g_assert_cmpint (si_test_server_run (server, NULL, &out, NULL, "user", "list", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "alice\nbob\n");

  si_test_server_start (server);
  token = si_test_server_login (server, "alice", PASSWORD);
  create_idea (server, token, "Alice's", NULL, NULL);

  /* passwd: the old password and every token stop working, the new password works. While the
   * server runs: it notices the change made by another process. */
  g_assert_cmpint (si_test_server_run (server, "new password 123\n", NULL, NULL, "user", "passwd", "alice", NULL), ==, 0);
  g_assert_cmpint (si_test_server_run (server, "new password 123\n", NULL, NULL, "user", "passwd", "nobody", NULL), ==, 3);
  {
    g_autoptr(SiTestResponse) old_token = get (server, token, "/api/v1/ideas");
    g_autoptr(SiTestResponse) old_password = si_test_server_request (server, "POST", "/api/v1/login", NULL,
                                                                     "{\"username\":\"alice\",\"password\":\"" PASSWORD "\"}", NULL);
    g_autofree char *fresh = si_test_server_login (server, "alice", "new password 123");
    g_autoptr(SiTestResponse) feed = get (server, fresh, "/api/v1/ideas?since=0");

    assert_error (old_token, 401, "unauthorized");
    assert_error (old_password, 401, "unauthorized");
    g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 1);

    /* del: the account, its tokens and its data are gone. */
    g_assert_cmpint (si_test_server_run (server, NULL, NULL, NULL, "user", "del", "alice", NULL), ==, 0);
    g_assert_cmpint (si_test_server_run (server, NULL, NULL, NULL, "user", "del", "alice", NULL), ==, 3);
    {
      g_autoptr(SiTestResponse) after = get (server, fresh, "/api/v1/ideas");
      g_autoptr(SiTestResponse) login = si_test_server_request (server, "POST", "/api/v1/login", NULL,
                                                                "{\"username\":\"alice\",\"password\":\"new password 123\"}", NULL);
      assert_error (after, 401, "unauthorized");
      assert_error (login, 401, "unauthorized");
    }
  }
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (si_test_server_run (server, NULL, &out, NULL, "user", "list", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "bob\n");

  /* A name re-added later starts with nothing. */
  g_assert_cmpint (si_test_server_run (server, PASSWORD "\n", NULL, NULL, "user", "add", "alice", NULL), ==, 0);
  {
    g_autofree char *again = si_test_server_login (server, "alice", PASSWORD);
    g_autoptr(SiTestResponse) feed = get (server, again, "/api/v1/ideas?since=0");
    g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 0);
  }

  /* --help documents the exit codes. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (si_test_server_run (server, NULL, &out, NULL, "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Exit status"));
}

static void
test_graceful_shutdown (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *url = si_test_server_url_for (server, "/api/v1/login");
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) body = g_bytes_new_static ("{\"username\":\"alice\",\"password\":\"" PASSWORD "\"}",
                                               strlen ("{\"username\":\"alice\",\"password\":\"" PASSWORD "\"}"));
  AsyncLogin state = { 0 };
  gint64 deadline;

  /* Four failures: the next login waits 500 ms before its check, so it is surely in flight. */
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(SiTestResponse) fail = si_test_server_request (server, "POST", "/api/v1/login", NULL,
                                                               "{\"username\":\"alice\",\"password\":\"wrong one\"}", NULL);
      g_assert_cmpuint (fail->status, ==, 401);
    }

  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  soup_session_send_and_read_async (si_test_server_get_session (server), msg, G_PRIORITY_DEFAULT, NULL,
                                    login_sent, &state);
  deadline = g_get_monotonic_time () + 200 * 1000;
  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (state.done);

  si_test_server_signal (server, SIGTERM);
  while (!state.done)
    g_main_context_iteration (NULL, TRUE);

  /* The request in flight got its answer, then the server exited cleanly. */
  g_assert_no_error (state.error);
  g_assert_cmpuint (state.status, ==, 200);
  g_assert_cmpint (si_test_server_wait (server), ==, 0);
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
  g_test_add_func ("/server/isolation", test_isolation);
  g_test_add_func ("/server/paging", test_paging);
  g_test_add_func ("/server/changes", test_changes);
  g_test_add_func ("/server/instance-header", test_instance_header);
  g_test_add_func ("/server/tombstones", test_tombstones);
  g_test_add_func ("/server/idempotent-create", test_idempotent_create);
  g_test_add_func ("/server/conflicts", test_conflicts);
  g_test_add_func ("/server/delete-twice", test_delete_twice);
  g_test_add_func ("/server/tag-references", test_tag_references);
  g_test_add_func ("/server/tag-delete-steps", test_tag_delete_steps);
  g_test_add_func ("/server/tag-delete-steps-conflict", test_tag_delete_steps_conflict);
  g_test_add_func ("/server/batch-steps", test_batch_steps);
  g_test_add_func ("/server/name-taken", test_name_taken);
  g_test_add_func ("/server/batch", test_batch);
  g_test_add_func ("/server/large-values", test_large_values);
  g_test_add_func ("/server/tag-names", test_tag_names);
  g_test_add_func ("/server/bad-input", test_bad_input);
  g_test_add_func ("/server/body-limit", test_body_limit);
  g_test_add_func ("/server/deep-json", test_deep_json);
  g_test_add_func ("/server/json-integer-wrap", test_json_integer_wrap);
  g_test_add_func ("/server/nul-in-strings", test_nul_in_strings);
  g_test_add_func ("/server/connections-closed", test_connections_closed);
  g_test_add_func ("/server/tls", test_tls);
  g_test_add_func ("/server/restart", test_restart);
  g_test_add_func ("/server/kill9", test_kill9);
  g_test_add_func ("/server/user-commands", test_user_commands);
  g_test_add_func ("/server/graceful-shutdown", test_graceful_shutdown);

  return g_test_run ();
}
