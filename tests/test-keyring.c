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
#include "si-sync-engine.h"
#include "si-test-server.h"

#define PASSWORD "correct horse battery"

static GSubprocess *bus;
static GSubprocess *keyring;

static gboolean
start_keyring (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *address = NULL;
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocessLauncher) bus_launcher = NULL;

  /* Both daemons live in the test's temporary folders. */
  g_mkdir_with_parents (g_get_user_runtime_dir (), 0700);
  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  g_setenv ("HOME", g_get_home_dir (), TRUE);
  g_setenv ("XDG_RUNTIME_DIR", g_get_user_runtime_dir (), TRUE);
  g_setenv ("XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_setenv ("XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_setenv ("XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  bus_launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  bus = g_subprocess_launcher_spawn (bus_launcher, &error,
                                     "dbus-daemon", "--session", "--nofork", "--print-address=1", NULL);
  if (bus == NULL)
    return FALSE;
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (bus));
  address = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  if (address == NULL)
    return FALSE;
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", g_strstrip (address), TRUE);

  /* The login keyring gets a password (fed on stdin) so that its file is encrypted: with an
   * empty one, gnome-keyring may keep the secrets readable on disk. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  keyring = g_subprocess_launcher_spawn (launcher, &error, "gnome-keyring-daemon", "--foreground",
                                         "--unlock", "--components=secrets", NULL);
  if (keyring == NULL)
    return FALSE;
  g_output_stream_write_all (g_subprocess_get_stdin_pipe (keyring), "keyring-test-pw", 15, NULL, NULL, NULL);
  g_output_stream_close (g_subprocess_get_stdin_pipe (keyring), NULL, NULL);

  /* Wait until the Secret Service answers. */
  for (int i = 0; i < 100; i++)
    {
      g_autoptr(GDBusConnection) connection = g_dbus_connection_new_for_address_sync (
        address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
        NULL, NULL, NULL);
      g_autoptr(GVariant) reply = NULL;

      if (connection)
        reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                             "org.freedesktop.DBus", "NameHasOwner",
                                             g_variant_new ("(s)", "org.freedesktop.secrets"),
                                             G_VARIANT_TYPE ("(b)"), 0, 1000, NULL, NULL);
      if (reply)
        {
          gboolean has;
          g_variant_get (reply, "(b)", &has);
          if (has)
            return TRUE;
        }
      g_usleep (100 * 1000);
    }
  return FALSE;
}

static void
stop_keyring (void)
{
  g_autoptr(GDBusConnection) session = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);

  /* The bus goes away with the test: that must not end the test process. */
  if (session)
    g_dbus_connection_set_exit_on_close (session, FALSE);
  secret_service_disconnect ();
  if (keyring)
    {
      g_subprocess_force_exit (keyring);
      g_subprocess_wait (keyring, NULL, NULL);
    }
  if (bus)
    {
      g_subprocess_force_exit (bus);
      g_subprocess_wait (bus, NULL, NULL);
    }
  g_clear_object (&keyring);
  g_clear_object (&bus);
}

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

  if (!start_keyring ())
    {
      stop_keyring ();
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
  stop_keyring ();
}

int
main (int argc, char **argv)
{
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/keyring/login", test_login_keyring);
  return g_test_run ();
}
