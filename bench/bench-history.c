/* bench-history.c — what keeping earlier versions of ideas costs the server (issue 19).
 *
 * Usage: bench-history SERVER_BINARY [N_IDEAS] [EDITS] [BASELINE_SERVER_BINARY]
 * (default 100000 and 10). For history on (the defaults: --history-days 30) and off
 * (--history-days 0), and with a BASELINE server (one from before history, run without those
 * options) when given, starts
 * saveidea-server on SQLite with a fresh data folder, creates N ideas in batches of 1000 (as a
 * client's first upload does), then edits each of them EDITS times, again in batches of 1000
 * (each round changes every idea's body once), and reports the write throughput of the
 * uploads and of the edits, then, after a graceful stop, the database's size and how many
 * versions it keeps.
 */
#define G_LOG_DOMAIN "saveidea-bench"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "si-bench-data.h"
#include "si-wire.h"

#define BATCH 1000

typedef struct {
  SoupSession *session;
  char        *url;
  char        *token;
  GArray      *ids;       /* gint64 */
  GArray      *versions;  /* gint64 */
  GPtrArray   *records;   /* SiWireRecord, as last sent */
} Account;

static char *
login (SoupSession *session,
       const char  *url)
{
  g_autofree char *login_url = g_strconcat (url, "/api/v1/login", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", login_url);
  static const char body[] = "{\"username\":\"bench\",\"password\":\"bench-password\"}";
  g_autoptr(GBytes) request = g_bytes_new_static (body, strlen (body));
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

/* Sends one batch of @ops and stores each result's id and version at @first onwards. */
static void
send_batch (Account   *account,
            GPtrArray *ops,
            guint      first)
{
  g_autofree char *url = g_strconcat (account->url, "/api/v1/batch", NULL);
  g_autofree char *auth = g_strconcat ("Bearer ", account->token, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(JsonNode) request = si_wire_batch_request_to_json (ops);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GArray) collections = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GPtrArray) results = NULL;
  gsize length = 0;
  char *text = si_wire_to_string (request, &length);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  soup_message_set_request_body_from_bytes (msg, "application/json", g_bytes_new_take (text, length));
  response = soup_session_send_and_read (account->session, msg, NULL, &error);
  g_assert_no_error (error);
  if (soup_message_get_status (msg) != 200)
    g_error ("batch: HTTP %u: %.*s", soup_message_get_status (msg), (int) g_bytes_get_size (response),
             (const char *) g_bytes_get_data (response, NULL));
  node = si_wire_parse (g_bytes_get_data (response, NULL), g_bytes_get_size (response), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < ops->len; i++)
    {
      int collection = SI_WIRE_COLLECTION_IDEAS;
      g_array_append_val (collections, collection);
    }
  results = si_wire_batch_response_from_json (node, collections, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < results->len; i++)
    {
      SiWireBatchResult *result = g_ptr_array_index (results, i);

      if (result->record == NULL)
        g_error ("operation %u: %u %s", i, result->status, result->problem ? result->problem->message : "");
      g_array_index (account->ids, gint64, first + i) = result->record->id;
      g_array_index (account->versions, gint64, first + i) = result->record->version;
    }
}

static double
upload (Account *account,
        guint    n_ideas)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  double start = si_bench_now_ms ();

  g_array_set_size (account->ids, n_ideas);
  g_array_set_size (account->versions, n_ideas);
  for (guint i = 0; i < n_ideas; i++)
    {
      SiWireRecord *record = si_wire_record_new (SI_WIRE_COLLECTION_IDEAS);

      record->uid = g_uuid_string_random ();
      record->created_at = record->updated_at = G_GINT64_CONSTANT (1796083200000) + i;
      g_free (record->title);
      record->title = si_bench_make_title (rand);
      g_free (record->body);
      record->body = si_bench_make_body (rand);
      record->device = g_strdup ("bench laptop");
      g_ptr_array_add (account->records, record);
    }
  for (guint first = 0; first < n_ideas; first += BATCH)
    {
      g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_batch_op_free);

      for (guint i = first; i < MIN (first + BATCH, n_ideas); i++)
        g_ptr_array_add (ops, si_wire_batch_op_new (SI_WIRE_METHOD_POST, SI_WIRE_COLLECTION_IDEAS, 0, -1,
                                                    g_ptr_array_index (account->records, i)));
      send_batch (account, ops, first);
    }
  return si_bench_now_ms () - start;
}

/* Every idea edited once (a line added to its body), in batches. */
static double
edit_round (Account *account,
            guint    round)
{
  double start = si_bench_now_ms ();
  guint n = account->ids->len;

  for (guint first = 0; first < n; first += BATCH)
    {
      g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_batch_op_free);

      for (guint i = first; i < MIN (first + BATCH, n); i++)
        {
          SiWireRecord *record = g_ptr_array_index (account->records, i);
          char *body = g_strdup_printf ("%s\nEdit %u of idea %u.", record->body, round, i);

          g_free (record->body);
          record->body = body;
          record->updated_at += 60000;
          g_ptr_array_add (ops, si_wire_batch_op_new (SI_WIRE_METHOD_PUT, SI_WIRE_COLLECTION_IDEAS,
                                                      g_array_index (account->ids, gint64, i),
                                                      g_array_index (account->versions, gint64, i), record));
        }
      send_batch (account, ops, first);
    }
  return si_bench_now_ms () - start;
}

static double
file_mib (const char *dir,
          const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GStatBuf st;

  return g_stat (path, &st) == 0 ? st.st_size / 1048576.0 : 0;
}

static gint64
count_rows (const char *dir,
            const char *sql)
{
  g_autofree char *path = g_build_filename (dir, "server.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;
  gint64 n = -1;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step (s) == SQLITE_ROW)
    n = sqlite3_column_int64 (s, 0);
  sqlite3_finalize (s);
  sqlite3_close (db);
  return n;
}

/* @mode: "on", "off" or "baseline" (no history option at all). */
static void
run (const char *server_binary,
     const char *mode,
     guint       n_ideas,
     guint       edits)
{
  gboolean baseline = g_str_equal (mode, "baseline");
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = g_dir_make_tmp ("saveidea-bench-history-XXXXXX", &error);
  g_autoptr(GSubprocess) server = NULL;
  Account account = { 0 };
  double upload_ms, edit_ms = 0, worst_round = 0;

  g_assert_no_error (error);
  si_bench_server_add_user (server_binary, data_dir, "bench", "bench-password");
  {
    const char *argv[] = { server_binary, "--data", data_dir, "--listen", "127.0.0.1:0",
                           baseline ? NULL : "--history-days", g_str_equal (mode, "on") ? "30" : "0", NULL };

    server = si_bench_server_start (argv, &account.url);
  }
  account.session = soup_session_new_with_options ("timeout", 600, NULL);
  account.token = login (account.session, account.url);
  account.ids = g_array_new (FALSE, TRUE, sizeof (gint64));
  account.versions = g_array_new (FALSE, TRUE, sizeof (gint64));
  account.records = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_record_free);

  upload_ms = upload (&account, n_ideas);
  for (guint r = 1; r <= edits; r++)
    {
      double ms = edit_round (&account, r);

      edit_ms += ms;
      worst_round = MAX (worst_round, ms);
    }

  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);

  {
    g_autofree char *upload_name = g_strdup_printf ("history_%s_upload_ideas_per_s", mode);
    g_autofree char *edit_name = g_strdup_printf ("history_%s_edits_per_s", mode);
    g_autofree char *round_name = g_strdup_printf ("history_%s_slowest_round_s", mode);
    g_autofree char *size_name = g_strdup_printf ("history_%s_db_mib", mode);
    g_autofree char *wal_name = g_strdup_printf ("history_%s_wal_mib", mode);
    g_autofree char *rows_name = g_strdup_printf ("history_%s_kept_versions", mode);

    si_bench_report (upload_name, n_ideas / (upload_ms / 1000.0), "ideas/s", "");
    si_bench_report (edit_name, (double) n_ideas * edits / (edit_ms / 1000.0), "edits/s", "");
    si_bench_report (round_name, worst_round / 1000.0, "s", "");
    si_bench_report (size_name, file_mib (data_dir, "server.db"), "MiB", "");
    si_bench_report (wal_name, file_mib (data_dir, "server.db-wal"), "MiB", "");
    if (!baseline)
      si_bench_report (rows_name, (double) count_rows (data_dir, "SELECT count(*) FROM idea_history"), "versions", "");
  }

  g_free (account.url);
  g_free (account.token);
  g_array_unref (account.ids);
  g_array_unref (account.versions);
  g_ptr_array_unref (account.records);
  g_object_unref (account.session);
  si_bench_remove_tree (data_dir);
}

int
main (int   argc,
      char *argv[])
{
  guint n_ideas = argc > 2 ? (guint) atoi (argv[2]) : 100000;
  guint edits = argc > 3 ? (guint) atoi (argv[3]) : 10;

  if (argc < 2 || n_ideas == 0)
    g_error ("usage: bench-history SERVER_BINARY [N_IDEAS] [EDITS]");
  printf ("# saveidea-server on SQLite, %u ideas uploaded in batches of %d, then each edited %u times\n",
          n_ideas, BATCH, edits);
  run (argv[1], "on", n_ideas, edits);
  run (argv[1], "off", n_ideas, edits);
  if (argc > 4)
    run (argv[4], "baseline", n_ideas, edits);
  si_bench_print_json ();
  return 0;
}
