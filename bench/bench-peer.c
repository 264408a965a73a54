/* bench-peer.c — Saveidea's half of the comparison with PouchDB (bench/peer/run runs both).
 *
 * Usage: bench-peer SERVER_BINARY CLI_BINARY N_NOTES WORK_DIR
 * Makes N notes of a title and a body of exactly 200 characters (seed 42, the generator's
 * words), as a notebook written offline (WORK_DIR/device-a.db) and as WORK_DIR/notes.json
 * ([{"title": …, "body": …}, …], the same notes for PouchDB). Starts saveidea-server on
 * 127.0.0.1:0 with its data in WORK_DIR/server and one account, then times whole
 * `saveidea-cli sync` processes (start-up included): device A's first sync (the upload),
 * a fresh notebook's first sync (device B's download, checked to hold N ideas), device A's
 * next sync, and one more (a no-op). Prints peer_N_saveidea_* lines and a JSON line.
 * Everything it makes stays in WORK_DIR, which the caller removes.
 */
#define G_LOG_DOMAIN "saveidea-bench"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <json-glib/json-glib.h>

#include "si-bench-data.h"
#include "si-record-private.h"
#include "si-store-private.h"

#define PASSWORD "bench-password"
#define BODY_CHARS 200

/* Words from the generator's vocabulary up to exactly BODY_CHARS characters. */
static char *
make_body (GRand *rand)
{
  GString *body = g_string_new (NULL);

  while (g_utf8_strlen (body->str, -1) < BODY_CHARS)
    g_string_append_printf (body, "%s%s", body->len ? " " : "", si_bench_word (rand));
  g_string_truncate (body, g_utf8_offset_to_pointer (body->str, BODY_CHARS) - body->str);
  return g_string_free (body, FALSE);
}

/* The notebook at @path and @json_path with the same @n notes. */
static void
make_notes (const char *path,
            const char *json_path,
            guint       n)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GError) error = NULL;
  g_autoptr(SiStore) store = si_store_new (path, &error);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  gint64 start = 1700000000LL * G_USEC_PER_SEC;

  if (store == NULL || !_si_store_begin (store, &error))
    g_error ("%s: %s", path, error->message);
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *title = si_bench_make_title (rand);
      g_autofree char *body = make_body (rand);
      g_autoptr(SiIdea) idea = si_idea_new (title, body);
      gint64 when = start + (gint64) i * 60 * G_USEC_PER_SEC;

      _si_idea_set_timestamps (idea, when, when);
      if (!si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error))
        g_error ("%s: %s", path, error->message);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "title");
      json_builder_add_string_value (builder, title);
      json_builder_set_member_name (builder, "body");
      json_builder_add_string_value (builder, body);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  if (!_si_store_commit (store, &error))
    g_error ("%s: %s", path, error->message);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  if (!json_generator_to_file (generator, json_path, &error))
    g_error ("%s: %s", json_path, error->message);
}

/* One whole `saveidea-cli --db @path sync` process, start-up included: its wall time in ms. */
static double
time_cli_sync (const char  *cli,
               const char  *path,
               char       **envp)
{
  const char *argv[] = { cli, "--db", path, "sync", NULL };
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  double start = si_bench_now_ms ();
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                     &status, &error))
    g_error ("Could not run %s: %s", cli, error->message);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("saveidea-cli --db %s sync failed: %s\n%s", path, error->message, err ? err : "");
  return si_bench_now_ms () - start;
}

static guint
count_ideas (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SiStore) store = si_store_new (path, &error);
  guint n;

  if (store == NULL)
    g_error ("%s: %s", path, error->message);
  n = si_store_count_ideas (store, NULL, &error);
  if (error != NULL)
    g_error ("%s: %s", path, error->message);
  return n;
}

static void
report (guint       n,
        const char *step,
        double      ms)
{
  g_autofree char *name = g_strdup_printf ("peer_%u_saveidea_%s_ms", n, step);

  si_bench_report (name, ms, "ms", "");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *server_dir = NULL;
  g_autofree char *device_a = NULL;
  g_autofree char *device_b = NULL;
  g_autofree char *json_path = NULL;
  g_autofree char *url = NULL;
  g_autofree char *token = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  const char *server_binary, *cli, *work;
  guint n, got;

  if (argc != 5 || (n = (guint) atoi (argv[3])) == 0)
    {
      g_printerr ("usage: bench-peer SERVER_BINARY CLI_BINARY N_NOTES WORK_DIR\n");
      return 2;
    }
  server_binary = argv[1];
  cli = argv[2];
  work = argv[4];
  server_dir = g_build_filename (work, "server", NULL);
  device_a = g_build_filename (work, "device-a.db", NULL);
  device_b = g_build_filename (work, "device-b.db", NULL);
  json_path = g_build_filename (work, "notes.json", NULL);
  if (g_mkdir_with_parents (server_dir, 0700) != 0)
    g_error ("Could not make %s", server_dir);

  make_notes (device_a, json_path, n);

  si_bench_server_add_user (server_binary, server_dir, "bench", PASSWORD);
  {
    const char *server_argv[] = { server_binary, "--data", server_dir, "--listen", "127.0.0.1:0", NULL };

    server = si_bench_server_start (server_argv, &url);
  }
  token = si_bench_server_log_in (url, "bench", PASSWORD);
  envp = g_environ_setenv (envp, "SAVEIDEA_TOKEN", token, TRUE);
  envp = g_environ_setenv (envp, "HOME", work, TRUE);
  envp = g_environ_setenv (envp, "XDG_DATA_HOME", work, TRUE);
  envp = g_environ_setenv (envp, "XDG_CONFIG_HOME", work, TRUE);
  envp = g_environ_setenv (envp, "XDG_CACHE_HOME", work, TRUE);
  printf ("# Saveidea: saveidea-server %s, whole saveidea-cli sync processes, %u notes\n", url, n);
  fflush (stdout);

  si_bench_notebook_set_account (device_a, url, "bench");
  report (n, "upload", time_cli_sync (cli, device_a, envp));
  si_bench_notebook_set_account (device_b, url, "bench");
  report (n, "download", time_cli_sync (cli, device_b, envp));
  if ((got = count_ideas (device_b)) != n)
    g_error ("device B holds %u ideas after its first sync, not %u", got, n);
  report (n, "next_sync", time_cli_sync (cli, device_a, envp));
  report (n, "noop_sync", time_cli_sync (cli, device_a, envp));
  si_bench_print_json ();

  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);
  return 0;
}
