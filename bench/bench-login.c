/* bench-login.c — one client's burst of wrong passwords against everyone else's logins.
 *
 * Usage: bench-login SERVER_BINARY [N_WRONG] (default 600).
 * Starts saveidea-server on 127.0.0.1:0 with a fresh data folder, the accounts alice and bob,
 * and --trusted-proxy 127.0.0.1, so that X-Forwarded-For gives each request the client
 * address it names. Times bob's correct login on the idle server; then sends N_WRONG wrong
 * passwords for alice at once, each on a connection of its own, all from 203.0.113.7, and
 * meanwhile, from another thread, logs bob in again and again, one after another, each time
 * from another address, from when the burst is sent until its last answer. Prints bob's login
 * latency during the burst (the first, sent with the burst; the median; the worst), how many of the burst were checked (401) and
 * refused (429), and how long the burst took to be answered.
 */
#define G_LOG_DOMAIN "saveidea-bench"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gio/gio.h>
#include <libsoup/soup.h>

#include "si-bench-data.h"

#define PASSWORD "bench-password"

static const char *server_binary;
static char *data_dir;
static GSubprocess *server;
static char *server_url;

static SoupMessage *
login_message (const char *name,
               const char *password,
               const char *client)
{
  g_autofree char *url = g_strconcat (server_url, "/api/v1/login", NULL);
  g_autofree char *body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"%s\"}", name, password);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  SoupMessage *msg = soup_message_new ("POST", url);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Forwarded-For", client);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  return msg;
}

typedef struct {
  guint   pending;
  guint   unauthorized;
  guint   too_many;
  guint   other;
  double  last_answer_ms;
} Burst;

static void
burst_answered (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Burst *burst = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  switch ((guint) soup_message_get_status (msg))
    {
    case SOUP_STATUS_UNAUTHORIZED:
      burst->unauthorized++;
      break;
    case 429:
      burst->too_many++;
      break;
    default:
      burst->other++;
      break;
    }
  burst->pending--;
  burst->last_answer_ms = si_bench_now_ms ();
}

typedef struct {
  gboolean done;
  guint    status;
} Login;

static void
login_answered (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Login *login = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  login->status = soup_message_get_status (msg);
  login->done = TRUE;
}

/* bob's correct login from @client, on its own connection; its latency in ms. */
static double
time_login (SoupSession *session,
            const char  *client)
{
  g_autoptr(SoupMessage) msg = login_message ("bob", PASSWORD, client);
  Login login = { FALSE, 0 };
  double start = si_bench_now_ms ();

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, login_answered, &login);
  while (!login.done)
    g_main_context_iteration (NULL, TRUE);
  if (login.status != SOUP_STATUS_OK)
    g_error ("bob's correct login got %u", login.status);
  return si_bench_now_ms () - start;
}

/* bob's side: another client, on a thread and main context of its own, so that the burst's
 * 600 connections on the main thread do not hold its requests back. Logs in one after
 * another, each time from another address and on a new connection (as a client that logs in
 * does), from when the burst is sent until it is all answered. */
typedef struct {
  gint    burst_pending;  /* atomic */
  GArray *latencies_ms;
  guint   failed;         /* answered other than 200, or not at all */
} Bob;

static gpointer
bob_run (gpointer data)
{
  Bob *bob = data;
  g_autoptr(GMainContext) context = g_main_context_new ();

  g_main_context_push_thread_default (context);
  for (guint i = 0; g_atomic_int_get (&bob->burst_pending) > 0 || bob->latencies_ms->len == 0; i++)
    {
      g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL,
                                                                      "timeout", 600, NULL);
      g_autofree char *client = g_strdup_printf ("198.51.100.%u", 2 + i % 250);
      g_autoptr(SoupMessage) msg = login_message ("bob", PASSWORD, client);
      Login login = { FALSE, 0 };
      double start = si_bench_now_ms (), ms;

      soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, login_answered, &login);
      while (!login.done)
        g_main_context_iteration (context, TRUE);
      if (login.status != SOUP_STATUS_OK)
        bob->failed++;
      ms = si_bench_now_ms () - start;
      g_array_append_val (bob->latencies_ms, ms);
    }
  g_main_context_pop_thread_default (context);
  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupSession) burst_session = NULL;
  g_autoptr(GArray) during = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_object_unref);
  Burst burst = { 0 };
  Bob bob = { 0, during, 0 };
  GThread *thread;
  guint n_wrong;
  double idle_ms, start_ms, first_ms, first_login_ms;

  if (argc < 2)
    {
      g_printerr ("usage: bench-login SERVER_BINARY [N_WRONG]\n");
      return 2;
    }
  server_binary = argv[1];
  n_wrong = argc > 2 ? (guint) atoi (argv[2]) : 600;
  if (n_wrong < 1 || n_wrong > 5000)
    g_error ("N_WRONG must be 1 to 5000");

  data_dir = g_dir_make_tmp ("bench-login-XXXXXX", &error);
  g_assert_no_error (error);
  si_bench_server_add_user (server_binary, data_dir, "alice", PASSWORD);
  si_bench_server_add_user (server_binary, data_dir, "bob", PASSWORD);
  {
    const char *command[] = { server_binary, "--data", data_dir, "--listen", "127.0.0.1:0",
                              "--trusted-proxy", "127.0.0.1", NULL };

    server = si_bench_server_start (command, &server_url);
  }

  printf ("# bench-login: %u wrong passwords for alice at once from one address; bob's correct "
          "login from others meanwhile\n", n_wrong);

  {
    g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);

    time_login (session, "198.51.100.1");  /* the first one opens the database, warms up */
    idle_ms = time_login (session, "198.51.100.1");
  }

  /* Every message on a connection of its own: as many clients as messages. */
  burst_session = soup_session_new_with_options ("max-conns", (int) n_wrong + 1,
                                                 "max-conns-per-host", (int) n_wrong + 1,
                                                 "proxy-resolver", NULL, "timeout", 600, NULL);
  burst.pending = n_wrong;
  g_atomic_int_set (&bob.burst_pending, (gint) n_wrong);
  start_ms = si_bench_now_ms ();
  for (guint i = 0; i < n_wrong; i++)
    {
      SoupMessage *msg = login_message ("alice", "wrong password", "203.0.113.7");

      g_ptr_array_add (messages, msg);
      soup_session_send_and_read_async (burst_session, msg, G_PRIORITY_DEFAULT, NULL,
                                        burst_answered, &burst);
    }
  thread = g_thread_new ("bob", bob_run, &bob);
  while (burst.pending == n_wrong)
    g_main_context_iteration (NULL, TRUE);
  first_ms = si_bench_now_ms () - start_ms;
  while (burst.pending > 0)
    g_main_context_iteration (NULL, TRUE);
  g_atomic_int_set (&bob.burst_pending, 0);
  g_thread_join (thread);

  first_login_ms = g_array_index (during, double, 0);  /* before the percentiles sort them */
  si_bench_report ("login: bob's login, idle server", idle_ms, "ms", "");
  si_bench_report ("login: bob's first login, sent with the burst", first_login_ms, "ms", "<= 1000");
  si_bench_report ("login: bob's login during the burst, p50", si_bench_percentile (during, 50), "ms", "");
  si_bench_report ("login: bob's login during the burst, max", si_bench_percentile (during, 100),
                   "ms", "<= 1000");
  si_bench_report ("login: bob's logins during the burst", during->len, "logins", "");
  si_bench_report ("login: bob's logins that failed", bob.failed, "logins", "0");
  si_bench_report ("login: burst answered 401 (checked)", burst.unauthorized, "requests", "<= 30");
  si_bench_report ("login: burst answered 429", burst.too_many, "requests", "");
  si_bench_report ("login: burst answered otherwise", burst.other, "requests", "0");
  si_bench_report ("login: burst's first answer", first_ms, "ms", "");
  si_bench_report ("login: burst all answered", burst.last_answer_ms - start_ms, "ms", "");
  si_bench_print_json ();

  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);
  si_bench_remove_tree (data_dir);
  return burst.other == 0 && bob.failed == 0 ? 0 : 1;
}
