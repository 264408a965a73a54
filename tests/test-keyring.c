/* test-keyring.c — login keeps the token in a real gnome-keyring, and in no file.
 *
 * Starts its own D-Bus session bus and gnome-keyring-daemon (secrets only) inside the test's
 * temporary HOME, so it never touches the user's keyring.
 */
#define _GNU_SOURCE
#include "config.h"

#include <libsecret/secret.h>
#include <string.h>

#include "si-account.h"
#include "si-sync-manager.h"
#include "si-sync-engine.h"
#include "si-test-keyring.h"
#include "si-test-server.h"

#define PASSWORD "correct horse battery"

static void
got_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

/* Whether @needle is in any file under @dir. */
static gboolean
found_in_files (const char *dir, const char *needle)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *data = NULL;
      gsize len;

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          if (found_in_files (path, needle))
            return TRUE;
        }
      else if (g_file_get_contents (path, &data, &len, NULL) &&
               memmem (data, len, needle, strlen (needle)) != NULL)
        {
          g_test_message ("The token is in %s", path);
          return TRUE;
        }
    }
  return FALSE;
}

static const SecretSchema schema = {
  BASE_APP_ID, SECRET_SCHEMA_NONE,
  { { "server", SECRET_SCHEMA_ATTRIBUTE_STRING }, { "username", SECRET_SCHEMA_ATTRIBUTE_STRING }, { NULL, 0 } },
  0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

static void
test_login_keyring (void)
{
  g_autoptr(SiTestServer) server = NULL;
  g_autoptr(SiStore) store = NULL;
  g_autoptr(SiAccount) account = NULL;
  g_autoptr(SiAccount) reopened = NULL;
  g_autoptr(GAsyncResult) r1 = NULL, r2 = NULL, r3 = NULL, r4 = NULL, r5 = NULL, r6 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SiTestResponse) check = NULL;
  g_autoptr(SiIdea) idea = NULL;
  g_autofree char *db = NULL, *token = NULL, *url = NULL, *again = NULL;
  const char *dirs[] = { g_get_home_dir (), g_get_user_data_dir (), g_get_user_config_dir (),
                         g_get_user_cache_dir (), g_get_user_state_dir (), g_get_user_runtime_dir () };

  if (!si_test_keyring_start ())
    {
      si_test_keyring_stop ();
      g_test_skip ("gnome-keyring-daemon or dbus-daemon could not be started");
      return;
    }

  server = si_test_server_new (NULL);
  si_test_server_add_user (server, "alice", PASSWORD);
  si_test_server_start (server);
  url = g_strdup (si_test_server_get_url (server));

  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  db = g_build_filename (g_get_user_data_dir (), "notebook.db", NULL);
  store = si_store_new (db, &error);
  g_assert_no_error (error);
  account = si_account_new (store);

  /* a wrong password: an error the user can act on, nothing stored */
  si_account_login_async (account, url, "alice", "wrong password", NULL, got_result, &r1);
  g_assert_false (si_account_login_finish (account, wait_for (&r1), &error));
  g_assert_error (error, SI_SYNC_ERROR, SI_SYNC_ERROR_WRONG_PASSWORD);
  g_assert_false (si_account_get_configured (account));
  g_clear_error (&error);

  /* a name no account can have: refused before the password, said as such */
  {
    GAsyncResult *r = NULL;

    si_account_login_async (account, url, "alice smith", PASSWORD, NULL, got_result, &r);
    g_assert_false (si_account_login_finish (account, wait_for (&r), &error));
    g_assert_error (error, SI_SYNC_ERROR, SI_SYNC_ERROR_WRONG_PASSWORD);
    g_assert_nonnull (strstr (error->message, "alice smith"));
    g_assert_false (si_account_get_configured (account));
    g_clear_error (&error);
    g_clear_object (&r);
  }

  si_account_login_async (account, url, "alice", PASSWORD, NULL, got_result, &r2);
  g_assert_true (si_account_login_finish (account, wait_for (&r2), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (si_account_get_server_url (account), ==, url);
  g_assert_cmpstr (si_account_get_username (account), ==, "alice");

  /* the token is in the keyring, under the app's schema */
  token = secret_password_lookup_sync (&schema, NULL, &error, "server", url, "username", "alice", NULL);
  g_assert_no_error (error);
  g_assert_nonnull (token);
  check = si_test_server_request (server, "GET", "/api/v1/ideas", token, NULL, NULL);
  g_assert_cmpuint (check->status, ==, 200);

  /* a fresh account object of the same notebook finds it */
  reopened = si_account_new (store);
  g_assert_cmpstr (si_account_get_username (reopened), ==, "alice");
  si_account_lookup_token_async (reopened, NULL, got_result, &r3);
  again = si_account_lookup_token_finish (reopened, wait_for (&r3), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again, ==, token);

  /* ... and in no file: not the notebook, not anywhere in HOME or the XDG folders */
  g_clear_object (&store);
  g_clear_object (&account);
  g_clear_object (&reopened);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    g_assert_false (found_in_files (dirs[i], token));

  /* logout refuses while a change waits, then with force revokes the token and clears it */
  store = si_store_new (db, &error);
  account = si_account_new (store);
  idea = si_idea_new ("Unsynced", "");
  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
  si_account_logout_async (account, FALSE, NULL, got_result, &r4);
  g_assert_false (si_account_logout_finish (account, wait_for (&r4), &error));
  g_assert_error (error, SI_SYNC_ERROR, SI_SYNC_ERROR_UNSYNCED_CHANGES);
  g_clear_error (&error);
  g_assert_true (si_account_get_configured (account));
  si_account_logout_async (account, TRUE, NULL, got_result, &r5);
  g_assert_true (si_account_logout_finish (account, wait_for (&r5), &error));
  g_assert_no_error (error);
  g_assert_false (si_account_get_configured (account));
  g_assert_cmpuint (si_store_count_pending (store, NULL), ==, 1);
  {
    g_autofree char *gone = secret_password_lookup_sync (&schema, NULL, NULL, "server", url, "username", "alice", NULL);
    g_autoptr(SiTestResponse) revoked = si_test_server_request (server, "GET", "/api/v1/ideas", token, NULL, NULL);
    g_assert_null (gone);
    g_assert_cmpuint (revoked->status, ==, 401);
  }

  /* not a Saveidea server */
  {
    g_autofree char *bogus = g_strconcat (url, "/nothing-here", NULL);
    si_account_login_async (account, bogus, "alice", PASSWORD, NULL, got_result, &r6);
    g_assert_false (si_account_login_finish (account, wait_for (&r6), &error));
    g_assert_error (error, SI_SYNC_ERROR, SI_SYNC_ERROR_NOT_SAVEIDEA);
  }
  si_test_keyring_stop ();
}

/* Waits for @cond with the main loop running; fails the test after 20 s. */
#define WAIT_UNTIL(cond) \
  G_STMT_START { \
    gint64 until_ = g_get_monotonic_time () + 20 * G_USEC_PER_SEC; \
    while (!(cond)) \
      { \
        if (g_get_monotonic_time () > until_) \
          g_error ("Timed out waiting for %s", #cond); \
        g_main_context_iteration (NULL, FALSE); \
        g_usleep (1000); \
      } \
  } G_STMT_END

static void
count_finished (SiSyncManager *manager, const SiSyncReport *report, const GError *error, guint *count)
{
  (*count)++;
}

static gboolean
keyring_has_token (const char *url)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = secret_password_lookup_sync (&schema, NULL, &error, "server", url, "username", "alice", NULL);

  g_assert_no_error (error);
  return token != NULL;
}

static guint
server_ideas (SiTestServer *server, const char *token)
{
  g_autoptr(SiTestResponse) r = si_test_server_request (server, "GET", "/api/v1/ideas?since=0&limit=1000", token, NULL, NULL);

  g_assert_cmpuint (r->status, ==, 200);
  return json_array_get_length (json_object_get_array_member (si_test_response_object (r), "records"));
}

/* The password is changed on the server (which logs out every device): the next sync puts the
 * account into "needs login" — the server and user stay, the refused token leaves the keyring,
 * nothing is retried, nothing is lost — and a login with the new password sends what waited. */
static void
test_relogin (void)
{
  g_autoptr(SiTestServer) server = NULL;
  g_autoptr(SiStore) store = NULL;
  g_autoptr(SiAccount) account = NULL;
  g_autoptr(SiAccount) reopened = NULL;
  g_autoptr(SiSyncManager) manager = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL, *url = NULL, *new_token = NULL;
  guint finished = 0, finished_before;

  /* A process gets one session bus (GDBus keeps it): the keyring of /keyring/login is gone. */
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  if (!si_test_keyring_start ())
    {
      si_test_keyring_stop ();
      g_test_skip ("gnome-keyring-daemon or dbus-daemon could not be started");
      return;
    }

  server = si_test_server_new (NULL);
  si_test_server_add_user (server, "alice", PASSWORD);
  si_test_server_add_user (server, "bob", PASSWORD);
  si_test_server_start (server);
  url = g_strdup (si_test_server_get_url (server));

  db = g_build_filename (g_get_user_data_dir (), "notebook.db", NULL);
  store = si_store_new (db, &error);
  g_assert_no_error (error);
  account = si_account_new (store);
  {
    g_autoptr(GAsyncResult) r = NULL;
    si_account_login_async (account, url, "alice", PASSWORD, NULL, got_result, &r);
    g_assert_true (si_account_login_finish (account, wait_for (&r), &error));
    g_assert_no_error (error);
  }

  manager = si_sync_manager_new (store, account);
  si_sync_manager_set_backoff (manager, 100, 400);
  si_sync_manager_set_interval (manager, 1);
  si_sync_manager_set_auto_push_delay (manager, 1);
  g_signal_connect (manager, "sync-finished", G_CALLBACK (count_finished), &finished);
  si_sync_manager_start (manager);
  WAIT_UNTIL (finished >= 1 && si_sync_manager_get_state (manager) == SI_SYNC_MANAGER_STATE_IDLE);

  /* The administrator changes alice's password: every token of hers is revoked. */
  g_assert_cmpint (si_test_server_run (server, "new password 456\n", NULL, NULL, "user", "passwd", "alice", NULL), ==, 0);
  {
    g_autoptr(SiIdea) one = si_idea_new ("Written after the change", "");
    g_autoptr(SiIdea) two = si_idea_new ("And another", "");
    g_assert_true (si_store_save_idea (store, one, SI_SAVE_LOCAL, &error));
    g_assert_true (si_store_save_idea (store, two, SI_SAVE_LOCAL, &error));
  }
  si_sync_manager_sync_now (manager);
  WAIT_UNTIL (si_sync_manager_get_state (manager) == SI_SYNC_MANAGER_STATE_NEEDS_LOGIN);

  /* needs login: the account is still alice's on this server, the changes wait */
  g_assert_true (si_account_get_needs_login (account));
  g_assert_true (si_account_get_configured (account));
  g_assert_cmpstr (si_account_get_server_url (account), ==, url);
  g_assert_cmpstr (si_account_get_username (account), ==, "alice");
  g_assert_cmpuint (si_store_count_pending (store, NULL), ==, 2);
  g_assert_cmpint (si_sync_manager_get_next_retry_time (manager), ==, 0);
  /* the refused token leaves the keyring */
  WAIT_UNTIL (!keyring_has_token (url));
  /* the notebook remembers the state: the next start (and saveidea-cli status) know it */
  reopened = si_account_new (store);
  g_assert_true (si_account_get_needs_login (reopened));
  g_assert_cmpstr (si_account_get_username (reopened), ==, "alice");

  /* nothing is tried until a login: not the periodic sync (every second here), not an edit's
   * auto-push, not Sync Now */
  finished_before = finished;
  {
    g_autoptr(SiIdea) three = si_idea_new ("Still writing", "");
    g_assert_true (si_store_save_idea (store, three, SI_SAVE_LOCAL, &error));
  }
  si_sync_manager_sync_now (manager);
  {
    gint64 until = g_get_monotonic_time () + 2500 * G_TIME_SPAN_MILLISECOND;
    while (g_get_monotonic_time () < until)
      {
        g_main_context_iteration (NULL, FALSE);
        g_usleep (1000);
      }
  }
  g_assert_cmpuint (finished, ==, finished_before);
  g_assert_cmpint (si_sync_manager_get_state (manager), ==, SI_SYNC_MANAGER_STATE_NEEDS_LOGIN);
  g_assert_cmpuint (si_store_count_pending (store, NULL), ==, 3);

  /* another user on the same notebook still takes the safe path: refused while changes wait */
  {
    g_autoptr(GAsyncResult) r = NULL;
    si_account_login_async (account, url, "bob", PASSWORD, NULL, got_result, &r);
    g_assert_false (si_account_login_finish (account, wait_for (&r), &error));
    g_assert_error (error, SI_SYNC_ERROR, SI_SYNC_ERROR_UNSYNCED_CHANGES);
    g_clear_error (&error);
    g_assert_cmpstr (si_account_get_username (account), ==, "alice");
    g_assert_true (si_account_get_needs_login (account));
  }
  /* the old password no longer works, and changes nothing */
  {
    g_autoptr(GAsyncResult) r = NULL;
    si_account_login_async (account, url, "alice", PASSWORD, NULL, got_result, &r);
    g_assert_false (si_account_login_finish (account, wait_for (&r), &error));
    g_assert_error (error, SI_SYNC_ERROR, SI_SYNC_ERROR_WRONG_PASSWORD);
    g_clear_error (&error);
    g_assert_true (si_account_get_needs_login (account));
  }

  /* alice logs in again with the new password — from another process on the same notebook,
   * as `saveidea-cli login` does: the app's manager sees it at its next periodic try, the state
   * clears and what waited is sent (the app's own dialog: test-app-relogin.c) */
  {
    g_autoptr(GAsyncResult) r = NULL;
    si_account_login_async (reopened, url, "alice", "new password 456", NULL, got_result, &r);
    g_assert_true (si_account_login_finish (reopened, wait_for (&r), &error));
    g_assert_no_error (error);
  }
  g_assert_false (si_account_get_needs_login (reopened));
  WAIT_UNTIL (!si_account_get_needs_login (account));
  g_assert_true (keyring_has_token (url));
  WAIT_UNTIL (si_store_count_pending (store, NULL) == 0 &&
              si_sync_manager_get_state (manager) == SI_SYNC_MANAGER_STATE_IDLE);
  g_assert_null (si_sync_manager_get_last_error (manager));
  new_token = si_test_server_login (server, "alice", "new password 456");
  g_assert_cmpuint (server_ideas (server, new_token), ==, 3);
  {
    g_autoptr(SiAccount) later = si_account_new (store);
    g_assert_false (si_account_get_needs_login (later));
  }

  si_sync_manager_stop (manager);
  g_clear_object (&manager);
  si_test_keyring_stop ();
}

int
main (int argc, char **argv)
{
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/keyring/login", test_login_keyring);
  g_test_add_func ("/keyring/relogin", test_relogin);
  return g_test_run ();
}
