/* bench-noop-sync.c — no-op sync requests against saveidea-server, driven by wrk (issue 21).
 *
 * Usage: bench-noop-sync SERVER_BINARY [CONNECTIONS [SECONDS [RUNS]]] [-- SERVER_ARGS...]
 * (defaults 32 connections, 5 s, 5 runs). Starts saveidea-server on 127.0.0.1:0 with a fresh
 * data folder (SQLite), or with SERVER_ARGS in place of `--data DIR` (e.g. `--database URI` of
 * an empty PostgreSQL database), adds an account, logs in, creates 20 tags, then runs
 * `wrk --latency` RUNS times against GET /api/v1/changes?since=<the current cursor> (the answer
 * `{"records":[],"cursor":20,"more":false}`: what every client sends when nothing changed).
 * Prints the best and the median requests/s, the p50/p99 latency of the median run, failed
 * requests, and whether the server kept the connection alive (when it does not, every request
 * of wrk opens a new TCP connection).
 */
#define G_LOG_DOMAIN "saveidea-bench"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libsoup/soup.h>

#include "si-bench-data.h"
#include "si-wire.h"

#define PASSWORD "bench-password"
#define N_TAGS 20

typedef struct {
  double per_s;
  double p50_ms;
  double p99_ms;
  guint64 failed;
} Run;

/* "2.82ms", "812.00us", "1.02s" -> milliseconds. */
static double
parse_duration_ms (const char *text)
{
  char *end = NULL;
  double value = g_ascii_strtod (text, &end);

  if (g_str_has_prefix (end, "us"))
    return value / 1000.0;
  if (g_str_has_prefix (end, "ms"))
    return value;
  if (g_str_has_prefix (end, "s"))
    return value * 1000.0;
  if (g_str_has_prefix (end, "m"))
    return value * 60000.0;
  return value;
}

static double
latency_at (const char *out,
            const char *mark)
{
  const char *line = strstr (out, "Latency Distribution");

  if (line == NULL || (line = strstr (line, mark)) == NULL)
    return -1;
  line += strlen (mark);
  while (*line == ' ')
    line++;
  return parse_duration_ms (line);
}

static Run
run_wrk (const char *wrk,
         const char *url,
         const char *token,
         const char *connections,
         const char *seconds)
{
  g_autofree char *header = g_strdup_printf ("Authorization: Bearer %s", token);
  g_autofree char *duration = g_strdup_printf ("%ss", seconds);
  const char *argv[] = { wrk, "-t", "1", "-c", connections, "-d", duration, "--latency",
                         "-H", header, url, NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  const char *line;
  Run run = { 0 };

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, NULL, &error))
    g_error ("Could not run wrk: %s", error->message);
  if ((line = strstr (out, "Requests/sec:")))
    run.per_s = g_ascii_strtod (line + strlen ("Requests/sec:"), NULL);
  run.p50_ms = latency_at (out, "50%");
  run.p99_ms = latency_at (out, "99%");
  if ((line = strstr (out, "Non-2xx or 3xx responses:")))
    run.failed += g_ascii_strtoull (line + strlen ("Non-2xx or 3xx responses:"), NULL, 10);
  if ((line = strstr (out, "Socket errors:")))
    {
      const char *fields[] = { "connect ", "read ", "write ", "timeout " };
      guint64 n;

      for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
        if ((line = strstr (line, fields[i])) && sscanf (line + strlen (fields[i]), "%" G_GUINT64_FORMAT, &n) == 1)
          run.failed += n;
    }
  return run;
}

static int
compare_runs (gconstpointer a,
              gconstpointer b)
{
  double x = ((const Run *) a)->per_s, y = ((const Run *) b)->per_s;

  return (x > y) - (x < y);
}

/* Sends @method @path (with @json as the body when not NULL) and returns the parsed answer;
 * *@out_connection gets the answer's Connection header. */
static JsonNode *
call (SoupSession *session,
      const char  *base,
      const char  *method,
      const char  *path,
      const char  *token,
      const char  *json,
      char       **out_connection)
{
  g_autofree char *endpoint = g_strconcat (base, path, NULL);
  g_autoptr(SoupMessage) message = soup_message_new (method, endpoint);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  if (token != NULL)
    {
      g_autofree char *bearer = g_strdup_printf ("Bearer %s", token);

      soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization", bearer);
    }
  if (json != NULL)
    soup_message_set_request_body_from_bytes (message, "application/json",
                                              g_bytes_new_take (g_strdup (json), strlen (json)));
  if (!(answer = soup_session_send_and_read (session, message, NULL, &error)) ||
      !SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (message)) ||
      !(root = si_wire_parse (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), &error)))
    g_error ("%s %s failed (%u)%s%s", method, path, soup_message_get_status (message),
             error ? ": " : "", error ? error->message : "");
  if (out_connection)
    *out_connection = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                               "Connection"));
  return root;
}

static void
add_user (const char * const *base_argv,
          const char         *name)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *input = g_strconcat (PASSWORD, "\n", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; base_argv[i]; i++)
    g_ptr_array_add (argv, (gpointer) base_argv[i]);
  g_ptr_array_add (argv, "user");
  g_ptr_array_add (argv, "add");
  g_ptr_array_add (argv, (gpointer) name);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                               G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  if (process == NULL || !g_subprocess_communicate_utf8 (process, input, NULL, NULL, NULL, &error) ||
      !g_subprocess_get_successful (process))
    g_error ("saveidea-server user add %s failed%s%s", name, error ? ": " : "", error ? error->message : "");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *wrk = g_find_program_in_path ("wrk");
  g_autoptr(GPtrArray) base = g_ptr_array_new ();
  g_autoptr(GPtrArray) serve = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(JsonNode) login = NULL;
  g_autoptr(JsonNode) page = NULL;
  g_autoptr(GArray) runs = g_array_new (FALSE, FALSE, sizeof (Run));
  g_autoptr(GSubprocess) server = NULL;
  g_autofree char *url = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *token = NULL;
  g_autofree char *noop = NULL;
  g_autofree char *connection = NULL;
  g_autofree char *login_json = NULL;
  const char *connections = "32", *seconds = "5";
  guint n_runs = 5, positional = 0;
  gint64 cursor;
  int i;
  Run median;

  if (argc < 2)
    {
      g_printerr ("usage: bench-noop-sync SERVER_BINARY [CONNECTIONS [SECONDS [RUNS]]] [-- SERVER_ARGS...]\n");
      return 2;
    }
  if (wrk == NULL)
    {
      printf ("# wrk is not installed (apt-get install wrk): nothing measured\n");
      return 0;
    }
  g_ptr_array_add (base, argv[1]);
  for (i = 2; i < argc && !g_str_equal (argv[i], "--"); i++, positional++)
    {
      if (positional == 0)
        connections = argv[i];
      else if (positional == 1)
        seconds = argv[i];
      else if (positional == 2)
        n_runs = MAX (1, (guint) atoi (argv[i]));
    }
  if (i < argc)
    for (i++; i < argc; i++)
      g_ptr_array_add (base, argv[i]);
  else
    {
      dir = g_dir_make_tmp ("saveidea-bench-noop-XXXXXX", &error);
      g_assert_no_error (error);
      g_ptr_array_add (base, "--data");
      g_ptr_array_add (base, dir);
    }
  g_ptr_array_add (base, NULL);

  add_user ((const char * const *) base->pdata, "bench");
  serve = g_ptr_array_new ();
  for (guint j = 0; j + 1 < base->len; j++)
    g_ptr_array_add (serve, g_ptr_array_index (base, j));
  g_ptr_array_add (serve, "--listen");
  g_ptr_array_add (serve, "127.0.0.1:0");
  g_ptr_array_add (serve, NULL);
  server = si_bench_server_start ((const char * const *) serve->pdata, &url);

  login_json = g_strdup_printf ("{\"username\":\"bench\",\"password\":\"" PASSWORD "\"}");
  login = call (session, url, "POST", "/api/v1/login", NULL, login_json, NULL);
  token = g_strdup (json_object_get_string_member (json_node_get_object (login), "token"));
  for (guint t = 0; t < N_TAGS; t++)
    {
      g_autofree char *uid = g_uuid_string_random ();
      g_autofree char *json = g_strdup_printf ("{\"uid\":\"%s\",\"name\":\"Tag %u\",\"colour\":\"\","
                                               "\"created_at\":\"2026-12-06T09:00:00.000Z\","
                                               "\"updated_at\":\"2026-12-06T09:00:00.000Z\"}", uid, t);
      g_autoptr(JsonNode) created = call (session, url, "POST", "/api/v1/tags", token, json, NULL);
    }
  page = call (session, url, "GET", "/api/v1/changes?since=0", token, NULL, NULL);
  cursor = json_object_get_int_member (json_node_get_object (page), "cursor");
  noop = g_strdup_printf ("%s/api/v1/changes?since=%" G_GINT64_FORMAT, url, cursor);
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/changes?since=%" G_GINT64_FORMAT, cursor);
    g_autoptr(JsonNode) answer = call (session, url, "GET", path, token, NULL, &connection);
    g_autofree char *text = json_to_string (answer, FALSE);

    printf ("# %s answers %s\n", path, text);
  }
  printf ("# %s, %s connections, %s s x %u runs; the server %s\n", url, connections, seconds, n_runs,
          connection && g_ascii_strcasecmp (connection, "close") == 0
            ? "closes every connection (Connection: close): one TCP connection per request"
            : "keeps connections alive");

  for (guint r = 0; r < n_runs; r++)
    {
      Run run = run_wrk (wrk, noop, token, connections, seconds);

      printf ("# run %u: %.0f req/s, p50 %.2f ms, p99 %.2f ms, %" G_GUINT64_FORMAT " failed\n",
              r + 1, run.per_s, run.p50_ms, run.p99_ms, run.failed);
      g_array_append_val (runs, run);
    }
  g_array_sort (runs, compare_runs);
  median = g_array_index (runs, Run, runs->len / 2);
  si_bench_report ("server_noop_sync_req_per_s_best", g_array_index (runs, Run, runs->len - 1).per_s, "req/s", ">= 10000");
  si_bench_report ("server_noop_sync_req_per_s_median", median.per_s, "req/s", ">= 10000");
  si_bench_report ("server_noop_sync_ms_p50", median.p50_ms, "ms", "");
  si_bench_report ("server_noop_sync_ms_p99", median.p99_ms, "ms", "");
  {
    guint64 failed = 0;

    for (guint r = 0; r < runs->len; r++)
      failed += g_array_index (runs, Run, r).failed;
    si_bench_report ("server_noop_sync_failed", failed, "requests", "0");
  }
  si_bench_report ("server_noop_sync_keep_alive",
                   connection && g_ascii_strcasecmp (connection, "close") == 0 ? 0 : 1, "", "");
  si_bench_print_json ();

  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);
  if (dir != NULL)
    si_bench_remove_tree (dir);
  return 0;
}
