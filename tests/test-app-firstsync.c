/* test-app-firstsync.c — the app's first sync, as fast as the window lets it be (issue 21).
 *
 * The early pull: before the app builds its window (about 0.2 s of its main thread), the sync
 * manager pulls on a thread of its own (si_sync_manager_start_early()), with a real
 * saveidea-server (si-test-server.c); si_sync_manager_start() then stops it at its page and
 * the usual sync goes on from there. And the window's list, at each page of a sync: the ideas
 * its rows hold are read again right after the store's announcement, not inside it, where the
 * next page's apply waited for them. */
#include "config.h"

#include "si-sync-engine.h"
#include "si-test-app.h"
#include "si-test-server.h"

#define PASSWORD "correct horse battery"
#define N_IDEAS 2500

typedef struct {
  SiTestServer *server;
  char         *token;
  char         *path;
  SiStore      *store;
  SiStore      *other;     /* a second connection to the notebook, to count without the loop */
  SiSyncManager *manager;
} Early;

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* N_IDEAS ideas on alice's account, written by another device and pushed. */
static void
fill_account (Early *e)
{
  static guint n;
  g_autofree char *name = g_strdup_printf ("other-device-%u.db", n++);
  g_autofree char *other_path = g_build_filename (g_get_user_data_dir (), name, NULL);
  g_autoptr(SiStore) other = NULL;
  g_autoptr(SiSyncEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  SiSyncReport report = { 0, };

  other = si_store_new (other_path, &error);
  g_assert_no_error (error);
  g_assert_true (_si_store_begin (other, &error));
  for (guint i = 0; i < N_IDEAS; i++)
    {
      g_autofree char *title = g_strdup_printf ("Idea %u from the other device", i);
      g_autoptr(SiIdea) idea = si_idea_new (title, "Written elsewhere");

      g_assert_true (si_store_save_idea (other, idea, SI_SAVE_LOCAL, &error));
      g_assert_no_error (error);
    }
  g_assert_true (_si_store_commit (other, &error));
  engine = si_sync_engine_new (other, si_test_server_get_url (e->server), e->token);
  si_sync_engine_sync_async (engine, SI_SYNC_MODE_PUSH, NULL, got_result, &result);
  WAIT_FOR (result != NULL);
  g_assert_true (si_sync_engine_sync_finish (engine, result, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.pushed, ==, N_IDEAS);
}

/* A fresh notebook set up for alice (the token from SAVEIDEA_TOKEN, as the keyring would give
 * it), and its manager, not started. */
static void
early_setup (Early *e)
{
  g_autoptr(SiAccount) account = NULL;
  g_autoptr(GNetworkMonitor) monitor = test_network_monitor_new (TRUE);
  g_autoptr(GError) error = NULL;
  static guint n;
  g_autofree char *name = g_strdup_printf ("notebook-%u.db", n++);

  e->server = si_test_server_new (NULL);
  si_test_server_add_user (e->server, "alice", PASSWORD);
  si_test_server_start (e->server);
  e->token = si_test_server_login (e->server, "alice", PASSWORD);
  g_setenv ("SAVEIDEA_TOKEN", e->token, TRUE);
  fill_account (e);

  e->path = g_build_filename (g_get_user_data_dir (), name, NULL);
  e->store = si_store_new (e->path, &error);
  g_assert_no_error (error);
  e->other = si_store_new (e->path, &error);
  g_assert_no_error (error);
  account = si_account_new (e->store);
  g_assert_true (si_account_set_for_testing (account, si_test_server_get_url (e->server), "alice", NULL, &error));
  g_assert_no_error (error);
  e->manager = g_object_new (SI_TYPE_SYNC_MANAGER, "store", e->store, "account", account,
                             "network-monitor", monitor, NULL);
}

static void
early_teardown (Early *e)
{
  si_sync_manager_stop (e->manager);
  /* The early pull's thread hands itself back through the main loop. */
  spin (200);
  g_clear_object (&e->manager);
  g_clear_object (&e->other);
  g_clear_object (&e->store);
  g_clear_pointer (&e->server, si_test_server_free);
  g_unsetenv ("SAVEIDEA_TOKEN");
  g_free (e->token);
  g_free (e->path);
}

/* The main thread busy (no main-loop iteration, as while the app builds its window) for up to
 * 10 s, until the notebook has ideas. Returns how many it has. */
static guint
busy_until_ideas_come (Early *e)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint n;

  while ((n = count_in_store (e->other)) == 0 && g_get_monotonic_time () < end)
    g_usleep (5000);
  return n;
}

/* Before the window: the server's ideas come in while the main loop does not run, and the
 * manager says it syncs. Once started, the usual sync finishes the job: every idea, once, and
 * the sync's time and state as after any sync. */
static void
test_pulls_before_the_window (void)
{
  Early e = { 0 };
  guint early_n;

  early_setup (&e);
  si_sync_manager_start_early (e.manager);
  g_assert_cmpint (si_sync_manager_get_state (e.manager), ==, SI_SYNC_MANAGER_STATE_SYNCING);
  early_n = busy_until_ideas_come (&e);
  g_test_message ("%u of %u ideas in before the main loop ran", early_n, N_IDEAS);
  g_assert_cmpuint (early_n, >, 0);
  g_assert_cmpint (si_sync_manager_get_last_sync_time (e.manager), ==, 0);

  si_sync_manager_start (e.manager);
  WAIT_FOR (si_sync_manager_get_last_sync_time (e.manager) > 0 &&
            si_sync_manager_get_state (e.manager) == SI_SYNC_MANAGER_STATE_IDLE);
  g_assert_null (si_sync_manager_get_last_error (e.manager));
  g_assert_cmpuint (count_in_store (e.store), ==, N_IDEAS);
  g_assert_cmpuint (si_sync_manager_get_pending_changes (e.manager), ==, 0);
  early_teardown (&e);
}

/* Cancelled before the window: the manager rests, and nothing is synced until it is started;
 * then the sync goes on from what came. */
static void
test_cancel_before_the_window (void)
{
  Early e = { 0 };

  early_setup (&e);
  si_sync_manager_start_early (e.manager);
  g_assert_cmpuint (busy_until_ideas_come (&e), >, 0);
  si_sync_manager_cancel (e.manager);
  WAIT_FOR (si_sync_manager_get_state (e.manager) != SI_SYNC_MANAGER_STATE_SYNCING);
  g_assert_cmpint (si_sync_manager_get_state (e.manager), ==, SI_SYNC_MANAGER_STATE_IDLE);
  spin (300);
  g_assert_cmpint (si_sync_manager_get_last_sync_time (e.manager), ==, 0);

  si_sync_manager_start (e.manager);
  WAIT_FOR (si_sync_manager_get_last_sync_time (e.manager) > 0 &&
            si_sync_manager_get_state (e.manager) == SI_SYNC_MANAGER_STATE_IDLE);
  g_assert_cmpuint (count_in_store (e.store), ==, N_IDEAS);
  early_teardown (&e);
}

/* Cancelled right after the window took over (the early pull still finishing its page): no
 * sync goes on after it, as with any cancelled sync. */
static void
test_cancel_after_the_window (void)
{
  Early e = { 0 };

  early_setup (&e);
  si_sync_manager_start_early (e.manager);
  g_assert_cmpuint (busy_until_ideas_come (&e), >, 0);
  si_sync_manager_start (e.manager);
  si_sync_manager_cancel (e.manager);
  WAIT_FOR (si_sync_manager_get_state (e.manager) != SI_SYNC_MANAGER_STATE_SYNCING);
  spin (500);
  g_assert_cmpint (si_sync_manager_get_state (e.manager), ==, SI_SYNC_MANAGER_STATE_IDLE);
  g_assert_cmpint (si_sync_manager_get_last_sync_time (e.manager), ==, 0);
  early_teardown (&e);
}

/* The window's list when a page of a sync lands (the store says anything may have changed):
 * the ideas its rows hold are read again right after that announcement's handlers, not within
 * them (the sync's next page is applied only after those), and the rows show the new text. */
static void
test_list_rereads_after_the_page (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(SiStore) other = NULL;
  g_autoptr(SiIdea) held = NULL;
  g_autoptr(SiIdea) edited = NULL;
  g_autoptr(GError) error = NULL;
  SiIdeaList *list;

  g_assert_true (_si_store_begin (f->store, &error));
  for (guint i = 0; i < 600; i++)
    {
      g_autofree char *title = g_strdup_printf ("Old %u", i);
      g_autoptr(SiIdea) idea = add_idea (f->store, title, "A body.");
    }
  g_assert_true (_si_store_commit (f->store, &error));
  open_window (f, NULL);
  list = si_window_get_idea_list (f->window);
  WAIT_FOR (n_rows_shown (f->window) > 3);
  held = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_nonnull (find_row (f->window, si_idea_get_title (held)));

  /* Another connection (a sync's page) changes the first idea and adds 300. */
  other = si_store_new (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (_si_store_begin (other, &error));
  edited = si_store_get_idea (other, si_idea_get_id (held), &error);
  g_assert_no_error (error);
  si_idea_set_title (edited, "Changed by the page");
  g_assert_true (si_store_save_idea (other, edited, SI_SAVE_LOCAL, &error));
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *title = g_strdup_printf ("New %u", i);
      g_autoptr(SiIdea) idea = add_idea (other, title, "A body.");
    }
  g_assert_true (_si_store_commit (other, &error));

  si_store_check_changes (f->store);
  /* The count at once, as before; the row's idea not read yet. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 900);
  g_assert_cmpstr (si_idea_get_title (held), !=, "Changed by the page");
  WAIT_FOR (g_strcmp0 (si_idea_get_title (held), "Changed by the page") == 0);
  WAIT_FOR (find_row (f->window, "Changed by the page") != NULL);
}

int
main (int   argc,
      char *argv[])
{
  si_test_app_init (&argc, &argv);

  g_test_add_func ("/app-firstsync/pulls-before-the-window", test_pulls_before_the_window);
  g_test_add_func ("/app-firstsync/cancel-before-the-window", test_cancel_before_the_window);
  g_test_add_func ("/app-firstsync/cancel-after-the-window", test_cancel_after_the_window);
  g_test_add ("/app-firstsync/list-rereads-after-the-page", Fixture, NULL, fixture_setup,
              test_list_rereads_after_the_page, fixture_teardown);
  return g_test_run ();
}
