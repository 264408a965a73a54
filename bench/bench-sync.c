/* bench-sync.c — sync with a real saveidea-server over loopback.
 *
 * Usage: bench-sync SERVER_BINARY [N_IDEAS] (default 100000).
 * Starts saveidea-server on 127.0.0.1:0 with a fresh data folder, in a network namespace of
 * its own so that loopback's counters are the bytes of the syncs. Measures: the push of 10,000 ideas written offline;
 * filling the account with N ideas (a push too); the first full sync of N ideas into an empty
 * notebook (records/s, the client's peak RSS); incremental syncs with 0, 1 and 100 changes
 * on the server (requests, bytes both ways, ms); no-op sync requests/s with 1 and 32
 * concurrent clients (libsoup, keep-alive).
 */
#define G_LOG_DOMAIN "saveidea-bench"
#define _GNU_SOURCE 1  /* unshare() */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <sys/resource.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "si-bench-data.h"
#include "si-sync-engine.h"
#include "si-wire.h"

static const char *server_binary;
static char *data_dir;
static GSubprocess *server;
static char *server_url;
static char *token;

/* ---------------------------------------------------------------------------------------- */
/* bytes: the benchmark runs in a network namespace of its own, where only it uses loopback,
 * so lo's counters are exactly its traffic (HTTP plus TCP/IP headers). */

static guint16 server_port;

static gboolean
enter_network_namespace (void)
{
  struct ifreq ifr = { 0 };
  int fd;

  if (geteuid () != 0)
    {
      g_autofree char *uid_map = g_strdup_printf ("0 %u 1", (guint) geteuid ());
      g_autofree char *gid_map = g_strdup_printf ("0 %u 1", (guint) getegid ());
      if (unshare (CLONE_NEWUSER | CLONE_NEWNET) != 0)
        return FALSE;
      g_file_set_contents ("/proc/self/setgroups", "deny", -1, NULL);
      g_file_set_contents ("/proc/self/uid_map", uid_map, -1, NULL);
      g_file_set_contents ("/proc/self/gid_map", gid_map, -1, NULL);
    }
  else if (unshare (CLONE_NEWNET) != 0)
    return FALSE;
  fd = socket (AF_INET, SOCK_DGRAM, 0);
  g_strlcpy (ifr.ifr_name, "lo", IFNAMSIZ);
  ifr.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
  if (fd < 0 || ioctl (fd, SIOCSIFFLAGS, &ifr) != 0)
    g_error ("cannot bring up lo in the benchmark's network namespace");
  close (fd);
  return TRUE;
}

static gint64
loopback_bytes (void)
{
  g_autofree char *text = NULL;
  const char *line;

  /* /proc/self/net is this process's namespace (/sys/class/net is the one sysfs was mounted in). */
  if (!g_file_get_contents ("/proc/self/net/dev", &text, NULL, NULL) || !(line = strstr (text, "lo:")))
    return 0;
  return g_ascii_strtoll (line + 3, NULL, 10);  /* received = sent on loopback */
}

/* ---------------------------------------------------------------------------------------- */
/* the server */

static void
start_server (void)
{
  const char *argv[] = { server_binary, "--data", data_dir, "--listen", "127.0.0.1:0", NULL };

  server = si_bench_server_start (argv, &server_url);
  server_port = (guint16) atoi (strrchr (server_url, ':') + 1);
}

static char *
login (const char *name)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (server_url, "/api/v1/login", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autofree char *body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"bench-password\"}", name);
  g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  soup_message_set_request_body_from_bytes (msg, "application/json", request);
  response = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  node = si_wire_parse (g_bytes_get_data (response, NULL), g_bytes_get_size (response), &error);
  g_assert_no_error (error);
  return g_strdup (json_object_get_string_member (json_node_get_object (node), "token"));
}

/* ---------------------------------------------------------------------------------------- */
/* syncs */

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

typedef struct {
  double       ms;
  guint        requests;
  gint64       bytes;
  SiSyncReport report;
} SyncRun;

static SyncRun
run_sync (SiStore    *store,
          const char *auth,
          SiSyncMode  mode)
{
  g_autoptr(SiSyncEngine) engine = si_sync_engine_new (store, server_url, auth);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  SyncRun run = { 0 };
  gint64 before = loopback_bytes ();
  double start = si_bench_now_ms ();

  si_sync_engine_sync_async (engine, mode, NULL, got_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (!si_sync_engine_sync_finish (engine, result, &run.report, &error))
    g_error ("sync failed: %s", error->message);
  run.ms = si_bench_now_ms () - start;
  run.requests = run.report.requests;
  run.bytes = loopback_bytes () - before;
  return run;
}

static SiStore *
new_store (const char *name)
{
  g_autofree char *path = g_build_filename (data_dir, name, NULL);
  g_autoptr(GError) error = NULL;
  SiStore *store = si_store_new (path, &error);

  g_assert_no_error (error);
  return store;
}

/* Peak RSS since the last reset (Linux: writing 5 to clear_refs resets VmHWM), in MiB. */
static void
reset_peak_rss (void)
{
  g_file_set_contents ("/proc/self/clear_refs", "5", 1, NULL);
}

static double
peak_rss_mib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL) && (line = strstr (status, "VmHWM:")))
    return g_ascii_strtod (line + 6, NULL) / 1024.0;
  {
    struct rusage usage;
    getrusage (RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024.0;
  }
}

static void
edit_ideas (SiStore *store,
            guint    count,
            guint    round)
{
  for (guint i = 1; i <= count; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SiIdea) idea = si_store_get_idea (store, (gint64) (i * 37 + round), &error);
      g_autofree char *body = NULL;

      if (idea == NULL)
        continue;
      body = g_strdup_printf ("%s\nedit %u", si_idea_get_body (idea), round);
      si_idea_set_body (idea, body);
      if (!si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error))
        g_error ("%s", error->message);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* no-op sync requests: the request a client makes when nothing changed */

typedef struct {
  SoupSession *session;
  char        *url;
  char        *auth;
  gint64       deadline;
  guint        done;
  guint        errors;
  guint        in_flight;
} Load;

static void send_one (Load *load);

static void
load_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Load *load = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);

  load->in_flight--;
  if (body == NULL || soup_message_get_status (msg) != SOUP_STATUS_OK)
    load->errors++;
  else
    load->done++;
  if (g_get_monotonic_time () < load->deadline)
    send_one (load);
}

static void
send_one (Load *load)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", load->url);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", load->auth);
  load->in_flight++;
  soup_session_send_and_read_async (load->session, msg, G_PRIORITY_DEFAULT, NULL, load_done, load);
}

static void
measure_noop_requests (guint       clients,
                       gint64      cursor,
                       const char *name)
{
  Load load = { 0 };
  double start, seconds;

  load.session = soup_session_new_with_options ("max-conns", clients + 4, "max-conns-per-host", clients, NULL);
  load.url = g_strdup_printf ("%s/api/v1/ideas?since=%" G_GINT64_FORMAT, server_url, cursor);
  load.auth = g_strconcat ("Bearer ", token, NULL);
  /* warm up the connections */
  load.deadline = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
  for (guint i = 0; i < clients; i++)
    send_one (&load);
  while (load.in_flight > 0)
    g_main_context_iteration (NULL, TRUE);
  load.done = load.errors = 0;
  start = si_bench_now_ms ();
  load.deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  for (guint i = 0; i < clients; i++)
    send_one (&load);
  while (load.in_flight > 0)
    g_main_context_iteration (NULL, TRUE);
  seconds = (si_bench_now_ms () - start) / 1000.0;
  /* No target here: the server's (10,000 no-op requests/s at 32 connections) is
   * bench-noop-sync's, whose load (wrk) is not what limits it. This one's is libsoup in one
   * thread of this process, which is. */
  si_bench_report (name, load.done / seconds, "req/s", "");
  if (load.errors)
    si_bench_report ("noop_errors", load.errors, "requests", "0");
  g_object_unref (load.session);
  g_free (load.url);
  g_free (load.auth);
}

int
main (int   argc,
      char *argv[])
{
  guint n_ideas = argc > 2 ? (guint) atoi (argv[2]) : 100000;
  guint n_offline = MIN (10000u, n_ideas);
  g_autoptr(GError) error = NULL;
  g_autoptr(SiStore) offline = NULL;
  g_autoptr(SiStore) source = NULL;
  g_autoptr(SiStore) fresh = NULL;
  g_autofree char *offline_token = NULL;
  SyncRun run;
  double start;

  if (argc < 2)
    g_error ("usage: bench-sync SERVER_BINARY [N_IDEAS]");
  server_binary = argv[1];
  data_dir = g_dir_make_tmp ("saveidea-bench-sync-XXXXXX", &error);
  g_assert_no_error (error);
  si_bench_server_add_user (server_binary, data_dir, "bench", "bench-password");
  si_bench_server_add_user (server_binary, data_dir, "offline", "bench-password");
  if (!enter_network_namespace ())
    g_error ("no network namespace (run as root, or allow unprivileged user namespaces)");
  start_server ();
  token = login ("bench");
  offline_token = login ("offline");
  printf ("# sync with %s (private network namespace; bytes include TCP/IP headers), %u ideas\n", server_url, n_ideas);

  /* 10,000 ideas written offline, then one push. */
  offline = new_store ("offline.db");
  if (!si_bench_fill_store (offline, n_offline, 7, &error))
    g_error ("%s", error->message);
  run = run_sync (offline, offline_token, SI_SYNC_MODE_PUSH);
  si_bench_report ("push_10000_offline_records_per_s", run.report.pushed / (run.ms / 1000.0), "records/s", "");
  g_clear_object (&offline);

  /* The account with N ideas (pushed from another notebook). */
  source = new_store ("source.db");
  start = si_bench_now_ms ();
  if (!si_bench_fill_store (source, n_ideas, 42, &error))
    g_error ("%s", error->message);
  printf ("# generated %u ideas in %.1f s\n", n_ideas, (si_bench_now_ms () - start) / 1000.0);
  run = run_sync (source, token, SI_SYNC_MODE_PUSH);
  si_bench_report ("push_n_records_per_s", run.report.pushed / (run.ms / 1000.0), "records/s", "");

  /* First full sync into an empty notebook. The source notebook is closed meanwhile, so that
   * the peak RSS is the syncing client's (its pages mapped from the source database were most
   * of it). */
  g_clear_object (&source);
  fresh = new_store ("fresh.db");
  reset_peak_rss ();
  run = run_sync (fresh, token, SI_SYNC_MODE_FULL);
  /* No target here: the first sync's (20,000 records/s) is saveidea-cli's, in bench-cli-sync.
   * This is the engine in the benchmark's own process, for the bytes and requests below. */
  si_bench_report ("first_sync_records_per_s", run.report.pulled / (run.ms / 1000.0), "records/s", "");
  si_bench_report ("first_sync_s", run.ms / 1000.0, "s", "");
  si_bench_report ("first_sync_requests", run.requests, "requests", "");
  si_bench_report ("first_sync_mib", run.bytes / 1048576.0, "MiB", "");
  si_bench_report ("first_sync_client_peak_rss_mib", peak_rss_mib (), "MiB", "");
  source = new_store ("source.db");

  /* Incremental syncs with 0, 1 and 100 changes on the server. */
  {
    const guint changes[] = { 0, 1, 100 };
    for (guint i = 0; i < G_N_ELEMENTS (changes); i++)
      {
        g_autofree char *n_req = g_strdup_printf ("incremental_%u_changes_requests", changes[i]);
        g_autofree char *n_bytes = g_strdup_printf ("incremental_%u_changes_bytes", changes[i]);
        g_autofree char *n_ms = g_strdup_printf ("incremental_%u_changes_ms", changes[i]);

        if (changes[i] > 0)
          {
            edit_ideas (source, changes[i], i);
            run_sync (source, token, SI_SYNC_MODE_PUSH);
          }
        run = run_sync (fresh, token, SI_SYNC_MODE_INCREMENTAL);
        if (run.report.pulled != changes[i])
          g_warning ("pulled %u, expected %u", run.report.pulled, changes[i]);
        si_bench_report (n_req, run.requests, "requests", changes[i] == 0 ? "1" : "");
        si_bench_report (n_bytes, (double) run.bytes, "bytes", "");
        si_bench_report (n_ms, run.ms, "ms", "");
      }
  }

  /* No-op sync requests: a client up to date asks for the feed after its cursor (any cursor
   * at or past the account's last change gets an empty page). */
  measure_noop_requests (1, G_MAXINT32, "server_noop_req_per_s_1_client");
  measure_noop_requests (32, G_MAXINT32, "server_noop_req_per_s_32_clients");

  si_bench_print_json ();
  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);
  /* The data folder (a few hundred MB at N = 100,000) goes with the process's temp dir. */
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", data_dir);
    if (system (cmd) != 0)
      g_warning ("could not remove %s", data_dir);
  }
  return 0;
}
