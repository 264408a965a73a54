/* si-test-keyring.c — a private D-Bus session bus and gnome-keyring-daemon for tests. */
#include "config.h"

#include <gio/gio.h>
#include <libsecret/secret.h>
#include <signal.h>
#include <sys/prctl.h>

#include "si-test-keyring.h"

static GSubprocess *bus;
static GSubprocess *keyring;

/* A test that fails aborts without stopping the daemons: they go with it, and do not keep the
 * test runner waiting on their output. */
static void
die_with_test (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

gboolean
si_test_keyring_start (void)
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
  g_subprocess_launcher_set_child_setup (bus_launcher, die_with_test, NULL, NULL);
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
  g_subprocess_launcher_set_child_setup (launcher, die_with_test, NULL, NULL);
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

void
si_test_keyring_stop (void)
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

