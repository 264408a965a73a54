/* test-app-workers.c — the app's worker threads (si-worker.c) in its first sync: the pulled
 * pages are decoded and applied on them, and they run at a lower priority than the main
 * thread (its nice value plus SI_WORKER_NICE_BACKGROUND), so that on a machine whose cores are
 * busy they wait for a core rather than the window's frames; GLib's own thread pool, which GIO
 * uses for everything else, keeps the process's priority.
 *
 * The real SiApplication (g_application_run, non-unique on the test's session bus) on a
 * notebook synced as alice with a real saveidea-server (si-test-server.c), in a process of its
 * own: the workers' priority, once lowered, stays so for the process. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "si-sync-engine.h"
#include "si-test-app.h"
#include "si-test-server.h"
#include "si-worker.h"

#define PASSWORD "correct horse battery"
#define N_IDEAS 300

typedef struct {
  SiTestServer  *server;
  char          *token;
  char          *path;
  SiApplication *app;
  guint          jobs_before;
  guint          jobs_after;
  int            main_nice;
  int            pool_nice;      /* a thread of GLib's own pool */
  guint          n_workers;
  int            worker_nice[16];
} Workers;

/* The nice value of thread @tid of this process (/proc/self/task/TID/stat, field 19), and its
 * name in @name when not NULL. */
static int
thread_nice (const char  *tid,
             char       **name)
{
  g_autofree char *path = g_build_filename ("/proc/self/task", tid, "stat", NULL);
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *open, *close;

  g_assert_true (g_file_get_contents (path, &stat, NULL, NULL));
  open = strchr (stat, '(');
  close = strrchr (stat, ')');
  g_assert_nonnull (open);
  g_assert_nonnull (close);
  if (name)
    *name = g_strndup (open + 1, close - open - 1);
  /* After the name: state (field 3) … nice (field 19). */
  fields = g_strsplit (close + 2, " ", 0);
  g_assert_cmpuint (g_strv_length (fields), >, 16);
  return atoi (fields[16]);
}

static int
this_thread_nice (void)
{
  g_autofree char *tid = g_strdup_printf ("%ld", (long) syscall (SYS_gettid));

  return thread_nice (tid, NULL);
}

static void
pool_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  g_task_return_int (task, this_thread_nice ());
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* The nice value of a thread of GLib's pool (g_task_run_in_thread()). */
static int
glib_pool_nice (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GTask) task = g_task_new (NULL, NULL, got_result, &result);
  g_autoptr(GError) error = NULL;
  int nice;

  g_task_run_in_thread (task, pool_thread);
  WAIT_FOR (result != NULL);
  nice = (int) g_task_propagate_int (G_TASK (result), &error);
  g_assert_no_error (error);
  return nice;
}

/* Every thread named saveidea-worker, and its nice value. */
static void
read_workers (Workers *w)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;

  g_assert_nonnull (dir);
  w->n_workers = 0;
  while ((tid = g_dir_read_name (dir)))
    {
      g_autofree char *name = NULL;
      int nice = thread_nice (tid, &name);

      if (g_str_equal (name, "saveidea-worker") && w->n_workers < G_N_ELEMENTS (w->worker_nice))
        w->worker_nice[w->n_workers++] = nice;
    }
}

/* Once the first sync is done: what ran where, then quit. */
static gboolean
look_after_first_sync (gpointer user_data)
{
  Workers *w = user_data;
  SiSyncManager *manager = si_application_get_sync_manager (w->app);

  g_assert_nonnull (manager);
  WAIT_FOR (si_sync_manager_get_last_sync_time (manager) > 0 &&
            si_sync_manager_get_state (manager) == SI_SYNC_MANAGER_STATE_IDLE);
  w->jobs_after = _si_worker_get_jobs_run ();
  w->main_nice = this_thread_nice ();
  w->pool_nice = glib_pool_nice ();
  read_workers (w);
  g_application_quit (G_APPLICATION (w->app));
  return G_SOURCE_REMOVE;
}

static void
when_activated (GApplication *app,
                Workers      *w)
{
  static gboolean once;

  if (!once)
    g_idle_add (look_after_first_sync, w);
  once = TRUE;
}

/* N_IDEAS ideas on alice's account, written by another device and pushed (only: no worker of
 * this process has run a job before the app's). */
static void
fill_account (Workers *w)
{
  g_autofree char *other_path = g_build_filename (g_get_user_data_dir (), "other-device.db", NULL);
  g_autoptr(SiStore) other = NULL;
  g_autoptr(SiSyncEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  SiSyncReport report = { 0, };

  other = si_store_new (other_path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < N_IDEAS; i++)
    {
      g_autofree char *title = g_strdup_printf ("Idea %u from the other device", i);
      g_autoptr(SiIdea) idea = si_idea_new (title, "Written elsewhere");

      g_assert_true (si_store_save_idea (other, idea, SI_SAVE_LOCAL, &error));
      g_assert_no_error (error);
    }
  engine = si_sync_engine_new (other, si_test_server_get_url (w->server), w->token);
  si_sync_engine_sync_async (engine, SI_SYNC_MODE_PUSH, NULL, got_result, &result);
  WAIT_FOR (result != NULL);
  g_assert_true (si_sync_engine_sync_finish (engine, result, &report, &error));
  g_assert_no_error (error);
}

/* The app's first sync: its pages went through the workers, which run below the main thread's
 * priority; GLib's pool and the main thread keep the process's. */
static void
test_first_sync (void)
{
  Workers w = { 0 };
  g_autoptr(SiStore) store = NULL;
  g_autoptr(SiAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  char *argv[] = { (char *) "saveidea", (char *) "--db", NULL, NULL };
  int process_nice;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("No session bus (run under dbus-run-session)");
      return;
    }
  process_nice = this_thread_nice ();
  w.server = si_test_server_new (NULL);
  si_test_server_add_user (w.server, "alice", PASSWORD);
  si_test_server_start (w.server);
  w.token = si_test_server_login (w.server, "alice", PASSWORD);
  g_setenv ("SAVEIDEA_TOKEN", w.token, TRUE);
  fill_account (&w);

  w.path = g_build_filename (g_get_user_data_dir (), "notebook.db", NULL);
  store = si_store_new (w.path, &error);
  g_assert_no_error (error);
  account = si_account_new (store);
  g_assert_true (si_account_set_for_testing (account, si_test_server_get_url (w.server), "alice", NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&account);
  g_clear_object (&store);

  w.jobs_before = _si_worker_get_jobs_run ();
  w.app = si_application_new ();
  g_application_set_flags (G_APPLICATION (w.app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (w.app, "activate", G_CALLBACK (when_activated), &w);
  argv[2] = w.path;
  g_assert_cmpint (g_application_run (G_APPLICATION (w.app), 3, argv), ==, 0);

  /* The page was decoded and applied on the workers. */
  g_assert_cmpuint (w.jobs_after, >=, w.jobs_before + 2);
  g_assert_cmpuint (w.n_workers, >, 0);
  for (guint i = 0; i < w.n_workers; i++)
    g_assert_cmpint (w.worker_nice[i], ==, MIN (process_nice + SI_WORKER_NICE_BACKGROUND, 19));
  g_assert_cmpint (w.main_nice, ==, process_nice);
  g_assert_cmpint (w.pool_nice, ==, process_nice);

  g_clear_object (&w.app);
  g_clear_pointer (&w.server, si_test_server_free);
  g_free (w.token);
  g_free (w.path);
}

int
main (int   argc,
      char *argv[])
{
  /* GLib's base monitor: the network is always there (the test's server is local). */
  g_setenv ("GIO_USE_NETWORK_MONITOR", "base", TRUE);
  si_test_app_init (&argc, &argv);

  g_test_add_func ("/app/workers/first-sync", test_first_sync);
  return g_test_run ();
}
