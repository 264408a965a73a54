/* test-app-bgsync.c — the application after its last window is closed: what was typed just
 * before still reaches the server before it quits (bounded, also when the server hangs); with
 * "Keep syncing when the window is closed" it keeps running, pulls on its schedule, and a
 * conflict found meanwhile is notified, the notification opening the idea.
 *
 * The real SiApplication (g_application_run, non-unique on the test's session bus) on a notebook
 * synced as alice with a real saveidea-server (si-test-server.c); the token comes from
 * SAVEIDEA_TOKEN, the network from GLib's base monitor (always there). No Background portal is
 * needed: where there is none the application's own hold keeps it running. Each test runs in a
 * process of its own, as the application would. */
#include "config.h"

#include <string.h>

#include "si-background.h"
#include "si-preferences-window.h"
#include "si-sync-engine.h"
#include "si-test-app.h"
#include "si-test-server.h"

#define PASSWORD "correct horse battery"

typedef struct {
  SiTestServer   *server;
  char           *token;
  char           *path;
  SiStore        *other;       /* another device's notebook on the same account */
  SiApplication  *app;
  gboolean        ran_after_close;
  gboolean        script_done;
  gint64          closed_at;
} Bg;

/* A notebook with alice's account on a real server (or @url), synced once by nobody yet. */
static void
bg_setup (Bg         *b,
          const char *url)
{
  g_autofree char *other_path = g_build_filename (g_get_user_data_dir (), "other-device.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SiStore) store = NULL;
  g_autoptr(SiAccount) account = NULL;

  b->server = si_test_server_new (NULL);
  si_test_server_add_user (b->server, "alice", PASSWORD);
  si_test_server_start (b->server);
  b->token = si_test_server_login (b->server, "alice", PASSWORD);
  g_setenv ("SAVEIDEA_TOKEN", b->token, TRUE);

  b->path = g_build_filename (g_get_user_data_dir (), "notebook.db", NULL);
  store = si_store_new (b->path, &error);
  g_assert_no_error (error);
  account = si_account_new (store);
  g_assert_true (si_account_set_for_testing (account, url ? url : si_test_server_get_url (b->server),
                                             "alice", NULL, &error));
  g_assert_no_error (error);

  b->other = si_store_new (other_path, &error);
  g_assert_no_error (error);

  b->app = si_application_new ();
  g_application_set_flags (G_APPLICATION (b->app), G_APPLICATION_NON_UNIQUE);
}

static void
bg_teardown (Bg *b)
{
  g_clear_object (&b->app);
  g_clear_object (&b->other);
  g_clear_pointer (&b->server, si_test_server_free);
  g_free (b->token);
  g_free (b->path);
}

static int
run_app (Bg *b)
{
  char *argv[] = { (char *) "saveidea", (char *) "--db", b->path, NULL };

  return g_application_run (G_APPLICATION (b->app), 3, argv);
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* One sync of the other device's notebook by the real engine. */
static SiSyncReport
sync_other (Bg *b)
{
  g_autoptr(SiSyncEngine) engine = si_sync_engine_new (b->other, si_test_server_get_url (b->server), b->token);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  SiSyncReport report = { 0, };

  si_sync_engine_sync_async (engine, SI_SYNC_MODE_INCREMENTAL, NULL, got_result, &result);
  WAIT_FOR (result != NULL);
  g_assert_true (si_sync_engine_sync_finish (engine, result, &report, &error));
  g_assert_no_error (error);
  return report;
}

static SiIdea *
find_idea (SiStore    *store,
           const char *title)
{
  SiIdeaFilter all = { 0 };
  g_autoptr(GArray) keys = si_store_query_ideas (store, &all, NULL);

  for (guint i = 0; keys && i < keys->len; i++)
    {
      SiIdea *idea = si_store_get_idea (store, g_array_index (keys, SiIdeaKey, i).id, NULL);

      if (idea && g_strcmp0 (si_idea_get_title (idea), title) == 0)
        return idea;
      g_clear_object (&idea);
    }
  return NULL;
}

/* The application's window, its first sync done. */
static SiWindow *
wait_for_first_sync (Bg *b)
{
  SiSyncManager *manager = si_application_get_sync_manager (b->app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (b->app));

  g_assert_nonnull (manager);
  g_assert_true (SI_IS_WINDOW (window));
  WAIT_FOR (si_sync_manager_get_last_sync_time (manager) > 0 &&
            si_sync_manager_get_state (manager) == SI_SYNC_MANAGER_STATE_IDLE);
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (window)));
  return SI_WINDOW (window);
}

/* A new idea typed into the editor; then the window is closed at once. */
static void
type_and_close (Bg         *b,
                SiWindow   *window,
                const char *title)
{
  SiEditor *editor = _si_window_get_editor (window);
  GtkTextBuffer *buffer;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "idea.new", NULL));
  spin (20);
  gtk_editable_set_text (_si_editor_get_title_editable (editor), title);
  buffer = _si_editor_get_body_buffer (editor);
  gtk_text_buffer_insert_at_cursor (buffer, "The last words before closing", -1);
  b->closed_at = g_get_monotonic_time ();
  gtk_window_close (GTK_WINDOW (window));
}

static void
when_activated (GApplication *app,
                GSourceFunc   script)
{
  static gboolean once;

  if (!once)
    g_idle_add (script, g_object_get_data (G_OBJECT (app), "bg"));
  once = TRUE;
}

static void
start (Bg          *b,
       GSourceFunc  script)
{
  g_object_set_data (G_OBJECT (b->app), "bg", b);
  g_signal_connect_after (b->app, "activate", G_CALLBACK (when_activated), script);
}

static gboolean
skip_without_bus (void)
{
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("No session bus (run under dbus-run-session)");
      return TRUE;
    }
  return FALSE;
}

/* Closing right after typing ------------------------------------------------------------------- */

static gboolean
close_after_typing (gpointer user_data)
{
  Bg *b = user_data;
  SiWindow *window = wait_for_first_sync (b);

  /* The default: auto-push on, 3 s after the last keystroke, which the close does not wait for. */
  g_assert_false (g_settings_get_boolean (si_application_get_settings (b->app), "run-in-background"));
  type_and_close (b, window, "Typed just before closing");
  return G_SOURCE_REMOVE;
}

/* The window is closed right after typing: the application quits, but only once the new idea is
 * on the server (another device finds it there). */
static void
test_close_pushes (void)
{
  Bg b = { 0 };
  g_autoptr(SiIdea) there = NULL;
  gint64 took;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  if (skip_without_bus ())
    return;
  bg_setup (&b, NULL);
  start (&b, close_after_typing);

  g_assert_cmpint (run_app (&b), ==, 0);
  took = g_get_monotonic_time () - b.closed_at;
  g_test_message ("quit %" G_GINT64_FORMAT " ms after the window was closed", took / 1000);
  g_assert_cmpint (b.closed_at, >, 0);

  sync_other (&b);
  there = find_idea (b.other, "Typed just before closing");
  g_assert_nonnull (there);
  g_assert_cmpstr (si_idea_get_body (there), ==, "The last words before closing");
  bg_teardown (&b);
}

static gboolean
quit_after_typing (gpointer user_data)
{
  Bg *b = user_data;
  SiWindow *window = wait_for_first_sync (b);
  SiEditor *editor = _si_window_get_editor (window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "idea.new", NULL));
  spin (20);
  gtk_editable_set_text (_si_editor_get_title_editable (editor), "Typed just before Ctrl+Q");
  b->closed_at = g_get_monotonic_time ();
  g_action_group_activate_action (G_ACTION_GROUP (b->app), "quit", NULL);
  return G_SOURCE_REMOVE;
}

/* Quitting (Ctrl+Q, app.quit) right after typing: the window saves, the idea goes out, then
 * the application quits. */
static void
test_quit_pushes (void)
{
  Bg b = { 0 };
  g_autoptr(SiIdea) there = NULL;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  if (skip_without_bus ())
    return;
  bg_setup (&b, NULL);
  start (&b, quit_after_typing);
  g_assert_cmpint (run_app (&b), ==, 0);
  g_test_message ("quit %" G_GINT64_FORMAT " ms after app.quit", (g_get_monotonic_time () - b.closed_at) / 1000);
  g_assert_cmpint (b.closed_at, >, 0);

  sync_other (&b);
  there = find_idea (b.other, "Typed just before Ctrl+Q");
  g_assert_nonnull (there);
  bg_teardown (&b);
}

static gboolean
close_while_hanging (gpointer user_data)
{
  Bg *b = user_data;
  SiSyncManager *manager = si_application_get_sync_manager (b->app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (b->app));

  g_assert_true (SI_IS_WINDOW (window));
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (window)));
  WAIT_FOR (si_sync_manager_get_state (manager) == SI_SYNC_MANAGER_STATE_SYNCING);
  type_and_close (b, SI_WINDOW (window), "Typed while the server hangs");
  return G_SOURCE_REMOVE;
}

/* A server that never answers: closing still ends, within the bound, the change kept here. */
static void
test_close_bounded (void)
{
  Bg b = { 0 };
  FaultServer *hanging;
  g_autoptr(SiStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 took;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  if (skip_without_bus ())
    return;
  hanging = fault_server_new (TRUE);
  bg_setup (&b, hanging->url);
  start (&b, close_while_hanging);
  g_assert_cmpint (run_app (&b), ==, 0);
  took = g_get_monotonic_time () - b.closed_at;
  g_test_message ("quit %" G_GINT64_FORMAT " ms after the window was closed", took / 1000);
  g_assert_cmpint (b.closed_at, >, 0);

  store = si_store_new (b.path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (si_store_count_pending (store, NULL), ==, 1);
  g_clear_object (&store);
  bg_teardown (&b);
  fault_server_free (hanging);
}

/* A notification server on the test's session bus (org.freedesktop.Notifications, which GLib's
 * GNotification uses outside a sandbox): it keeps what it was asked to show. */
typedef struct {
  guint  owner_id;
  guint  object_id;
  guint  shown;
  guint  closed;
  char  *summary;
  char  *body;
} FakeNotifications;

static FakeNotifications notifications;

static const char notifications_xml[] =
  "<node><interface name='org.freedesktop.Notifications'>"
  "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "<arg type='u' direction='out'/></method>"
  "<method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "<method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "<method name='GetServerInformation'><arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "<arg type='s' direction='out'/><arg type='s' direction='out'/></method>"
  "</interface></node>";

static void
notifications_call (GDBusConnection       *connection,
                    const char            *sender,
                    const char            *path,
                    const char            *interface,
                    const char            *method,
                    GVariant              *parameters,
                    GDBusMethodInvocation *invocation,
                    gpointer               user_data)
{
  if (g_str_equal (method, "Notify"))
    {
      g_clear_pointer (&notifications.summary, g_free);
      g_clear_pointer (&notifications.body, g_free);
      g_variant_get (parameters, "(&su&sss@as@a{sv}i)", NULL, NULL, NULL,
                     &notifications.summary, &notifications.body, NULL, NULL, NULL);
      notifications.shown++;
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", notifications.shown));
    }
  else if (g_str_equal (method, "CloseNotification"))
    {
      notifications.closed++;
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method, "GetCapabilities"))
    {
      const char *caps[] = { "actions", "body", NULL };
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ssss)", "fake", "test", "1", "1.2"));
}

static void
fake_notifications_start (void)
{
  static const GDBusInterfaceVTable vtable = { notifications_call, NULL, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  gboolean owned = FALSE;

  g_assert_no_error (error);
  notifications.object_id = g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications",
                                                               info->interfaces[0], &vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  notifications.owner_id = g_bus_own_name_on_connection (bus, "org.freedesktop.Notifications",
                                                         G_BUS_NAME_OWNER_FLAGS_NONE, NULL, NULL, NULL, NULL);
  /* Owned once a round trip to the bus has been made. */
  g_dbus_connection_flush_sync (bus, NULL, NULL);
  for (int i = 0; i < 100 && !owned; i++)
    {
      g_autoptr(GVariant) reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                               "org.freedesktop.DBus", "NameHasOwner",
                                                               g_variant_new ("(s)", "org.freedesktop.Notifications"),
                                                               G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
      if (reply)
        g_variant_get (reply, "(b)", &owned);
      if (!owned)
        spin (20);
    }
  g_assert_true (owned);
  g_object_unref (bus);
}

/* Keeping on in the background ----------------------------------------------------------------- */

static gboolean
after_close (gpointer user_data)
{
  Bg *b = user_data;
  SiStore *store = si_application_get_store (b->app);
  SiSyncManager *manager = si_application_get_sync_manager (b->app);
  SiBackground *background = _si_application_get_background (b->app);
  g_autoptr(SiIdea) shopping = NULL;
  g_autoptr(SiIdea) there = NULL;
  g_autoptr(SiIdea) copy = NULL;
  g_autoptr(GError) error = NULL;
  GtkWindow *window;
  gint64 copy_id;

  b->ran_after_close = TRUE;
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (b->app)));

  /* Another device writes an idea: it arrives here on the schedule, with no window open. */
  g_clear_object (&there);
  there = add_idea (b->other, "Shopping", "Milk\nEggs\nBread\n");
  sync_other (b);
  WAIT_FOR ((shopping = find_idea (store, "Shopping")) != NULL || (spin (100), FALSE));
  g_assert_cmpint (_si_background_get_notified_idea (background), ==, 0);

  /* Both change the same line; this notebook's next scheduled sync finds the conflict. */
  si_sync_manager_set_interval (manager, 0);
  si_sync_manager_set_auto_push (manager, FALSE);
  si_idea_set_body (shopping, "Milk\nEggs\nBread and butter\n");
  g_assert_true (si_store_save_idea (store, shopping, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  g_clear_object (&there);
  there = si_store_get_idea_by_uid (b->other, si_idea_get_uid (shopping), NULL);
  g_assert_nonnull (there);
  si_idea_set_body (there, "Milk\nEggs\nRye bread\n");
  g_assert_true (si_store_save_idea (b->other, there, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  sync_other (b);
  si_sync_manager_set_interval (manager, 1);

  /* The notification (on the desktop's server) opens the conflicted copy. */
  WAIT_FOR (_si_background_get_notified_idea (background) != 0);
  WAIT_FOR (notifications.shown == 1);
  g_assert_cmpstr (notifications.summary, ==, "Sync Conflict");
  g_assert_nonnull (strstr (notifications.body, "“Shopping”"));
  copy_id = _si_background_get_notified_idea (background);
  copy = si_store_get_idea (store, copy_id, NULL);
  g_assert_nonnull (copy);
  g_assert_cmpint (si_idea_get_conflict_of (copy), ==, si_idea_get_id (shopping));
  g_action_group_activate_action (G_ACTION_GROUP (b->app), "open-idea", g_variant_new_int64 (copy_id));
  window = gtk_application_get_active_window (GTK_APPLICATION (b->app));
  g_assert_true (SI_IS_WINDOW (window));
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (window)));
  g_assert_cmpint (si_window_get_current_id (SI_WINDOW (window)), ==, copy_id);

  /* Settled: the notification is withdrawn. */
  g_assert_true (si_store_resolve_conflict (store, copy_id, SI_CONFLICT_KEEP_COPY, NULL, &error));
  g_assert_no_error (error);
  WAIT_FOR (_si_background_get_notified_idea (background) == 0);

  /* Quit still quits (the background hold goes). */
  b->script_done = TRUE;
  g_action_group_activate_action (G_ACTION_GROUP (b->app), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
close_keep_syncing (gpointer user_data)
{
  Bg *b = user_data;
  SiWindow *window = wait_for_first_sync (b);

  g_settings_set_boolean (si_application_get_settings (b->app), "run-in-background", TRUE);
  /* The schedule, shortened (the setting counts in minutes). */
  si_sync_manager_set_interval (si_application_get_sync_manager (b->app), 1);
  gtk_window_close (GTK_WINDOW (window));
  g_timeout_add (300, after_close, b);
  return G_SOURCE_REMOVE;
}

/* With "Keep syncing when the window is closed", closing the window leaves the application
 * running: it pulls on its schedule, notifies a conflict, and app.quit ends it. */
static void
test_keep_syncing (void)
{
  Bg b = { 0 };

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  if (skip_without_bus ())
    return;
  bg_setup (&b, NULL);
  fake_notifications_start ();
  start (&b, close_keep_syncing);
  g_assert_cmpint (run_app (&b), ==, 0);
  g_assert_true (b.ran_after_close);
  g_assert_true (b.script_done);
  g_assert_cmpuint (notifications.shown, ==, 1);
  bg_teardown (&b);
}

/* Preferences ---------------------------------------------------------------------------------- */

static GtkSwitch *
find_row_switch (GtkWidget  *widget,
                 const char *title)
{
  if (ADW_IS_ACTION_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    {
      GtkWidget *suffix = adw_action_row_get_activatable_widget (ADW_ACTION_ROW (widget));
      return GTK_IS_SWITCH (suffix) ? GTK_SWITCH (suffix) : NULL;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkSwitch *found = find_row_switch (child, title);
      if (found)
        return found;
    }
  return NULL;
}

/* The preference is a switch in Preferences, off by default, kept in the settings. */
static void
test_preference (void)
{
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  SiPreferencesWindow *prefs = si_preferences_window_new (NULL, NULL, settings);
  GtkSwitch *toggle;

  gtk_window_present (GTK_WINDOW (prefs));
  toggle = find_row_switch (GTK_WIDGET (prefs), "Keep Syncing When the Window Is Closed");
  g_assert_nonnull (toggle);
  g_assert_false (gtk_switch_get_active (toggle));
  g_assert_false (g_settings_get_boolean (settings, "run-in-background"));
  gtk_switch_set_active (toggle, TRUE);
  g_assert_true (g_settings_get_boolean (settings, "run-in-background"));
  gtk_window_destroy (GTK_WINDOW (prefs));
  spin (20);
}

int
main (int   argc,
      char *argv[])
{
  /* GLib's base monitor: the network is always there (the test's server is local). */
  g_setenv ("GIO_USE_NETWORK_MONITOR", "base", TRUE);
  si_test_app_init (&argc, &argv);

  g_test_add_func ("/app/bgsync/preference", test_preference);
  g_test_add_func ("/app/bgsync/close-pushes", test_close_pushes);
  g_test_add_func ("/app/bgsync/quit-pushes", test_quit_pushes);
  g_test_add_func ("/app/bgsync/close-bounded", test_close_bounded);
  g_test_add_func ("/app/bgsync/keep-syncing", test_keep_syncing);
  return g_test_run ();
}
