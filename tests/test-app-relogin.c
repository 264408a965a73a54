/* test-app-relogin.c — the day the server logs this device out (its password was changed):
 * the sync indicator and the preferences say "Log in again" and offer a Log In dialog with the
 * server and the user already filled in; after the login the waiting changes are sent.
 *
 * A real saveidea-server (si-test-server.c) and, for the login itself, a real
 * gnome-keyring-daemon on a private bus (si-test-keyring.c). */
#include "config.h"

#include "si-login-dialog.h"
#include "si-preferences-window.h"
#include "si-test-app.h"
#include "si-test-keyring.h"
#include "si-test-server.h"

#define PASSWORD "correct horse battery"
#define NEW_PASSWORD "new password 456"

typedef struct {
  Fixture         f;
  SiTestServer   *server;
  GNetworkMonitor *monitor;
  SiSyncManager  *manager;
  SiAccount      *account;
} Relogin;

/* A notebook synced with a real server as alice; then the administrator changes her password
 * (every token of hers is revoked) while a change waits, and a sync runs into it. */
static void
relogin_setup (Relogin *r)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autoptr(SiIdea) idea = NULL;

  fixture_setup (&r->f, NULL);
  r->server = si_test_server_new (NULL);
  si_test_server_add_user (r->server, "alice", PASSWORD);
  si_test_server_start (r->server);
  token = si_test_server_login (r->server, "alice", PASSWORD);

  r->monitor = test_network_monitor_new (TRUE);
  r->account = si_account_new (r->f.store);
  g_assert_true (si_account_set_for_testing (r->account, si_test_server_get_url (r->server), "alice", token, &error));
  g_assert_no_error (error);
  r->manager = g_object_new (SI_TYPE_SYNC_MANAGER, "store", r->f.store, "account", r->account,
                             "network-monitor", r->monitor, NULL);
  si_sync_manager_set_interval (r->manager, 0);
  si_sync_manager_set_auto_push (r->manager, FALSE);
  si_sync_manager_start (r->manager);
  WAIT_FOR (si_sync_manager_get_state (r->manager) == SI_SYNC_MANAGER_STATE_IDLE &&
            si_sync_manager_get_last_sync_time (r->manager) > 0);
  open_window (&r->f, r->manager);

  g_assert_cmpint (si_test_server_run (r->server, NEW_PASSWORD "\n", NULL, NULL, "user", "passwd", "alice", NULL), ==, 0);
  idea = add_idea (r->f.store, "Written before the login", "kept");
  si_sync_manager_sync_now (r->manager);
  WAIT_FOR (si_sync_manager_get_state (r->manager) == SI_SYNC_MANAGER_STATE_NEEDS_LOGIN);
  g_assert_cmpuint (si_store_count_pending (r->f.store, NULL), ==, 1);
}

static void
relogin_teardown (Relogin *r)
{
  si_sync_manager_stop (r->manager);
  fixture_teardown (&r->f, NULL);
  g_clear_object (&r->manager);
  g_clear_object (&r->account);
  g_clear_object (&r->monitor);
  g_clear_pointer (&r->server, si_test_server_free);
}

static SiLoginDialog *
find_login_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (SI_IS_LOGIN_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return SI_LOGIN_DIALOG (window);
    }
  return NULL;
}

/* The dialog asks only for the password: the server and the user are the notebook's, and the
 * password field has the focus. */
static void
assert_prefilled (Relogin *r, SiLoginDialog *dialog)
{
  GtkWidget *focus;

  g_assert_cmpstr (_si_login_dialog_get_server (dialog), ==, si_test_server_get_url (r->server));
  g_assert_cmpstr (_si_login_dialog_get_username (dialog), ==, "alice");
  g_assert_cmpstr (gtk_editable_get_text (_si_login_dialog_get_password (dialog)), ==, "");
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  focus = gtk_root_get_focus (GTK_ROOT (dialog));
  g_assert_nonnull (focus);
  g_assert_true (focus == GTK_WIDGET (_si_login_dialog_get_password (dialog)) ||
                 gtk_widget_is_ancestor (focus, GTK_WIDGET (_si_login_dialog_get_password (dialog))));
}

/* No destructive dialog on the way: no other window than the main one and the Log In dialog. */
static void
assert_no_alert (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);
      g_assert_false (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)));
    }
}

/* The header says "Log in again"; the popover's button is "Log In…" and opens the dialog,
 * prefilled; a wrong password says so and keeps the dialog; the new one logs in, the dialog
 * closes, the change that waited reaches the server and the header is back to normal. */
static void
test_indicator_relogin (void)
{
  Relogin r = { 0 };
  SiSyncIndicator *indicator;
  SiLoginDialog *dialog;
  GtkWidget *button;

  /* libsecret talks to the process's one session bus connection (GDBus keeps it): a process of
   * its own, whose first connection is to the private bus with the test keyring. */
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 150 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  if (!si_test_keyring_start ())
    {
      si_test_keyring_stop ();
      g_test_skip ("gnome-keyring-daemon or dbus-daemon could not be started");
      return;
    }
  relogin_setup (&r);
  indicator = _si_window_get_sync_indicator (r.f.window);
  g_assert_cmpstr (si_sync_indicator_get_text (indicator), ==, "Log in again");

  si_sync_indicator_popup (indicator);
  spin (50);
  button = _si_sync_indicator_get_account_button (indicator);
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "Log _In…");
  g_assert_true (gtk_widget_has_css_class (button, "suggested-action"));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_null (find_login_dialog ());
  g_signal_emit_by_name (button, "clicked");
  WAIT_FOR (find_login_dialog () != NULL);
  dialog = find_login_dialog ();
  assert_prefilled (&r, dialog);
  assert_no_alert ();

  /* the old password: refused, said under the field, the dialog stays */
  gtk_editable_set_text (_si_login_dialog_get_password (dialog), PASSWORD);
  _si_login_dialog_log_in (dialog);
  WAIT_FOR (_si_login_dialog_get_error (dialog) != NULL);
  g_assert_nonnull (strstr (_si_login_dialog_get_error (dialog), "refused the password for alice"));
  g_assert_true (find_login_dialog () == dialog);
  g_assert_cmpint (si_sync_manager_get_state (r.manager), ==, SI_SYNC_MANAGER_STATE_NEEDS_LOGIN);

  /* the new one: the dialog closes, the waiting change is sent */
  gtk_editable_set_text (_si_login_dialog_get_password (dialog), NEW_PASSWORD);
  _si_login_dialog_log_in (dialog);
  WAIT_FOR (find_login_dialog () == NULL || _si_login_dialog_get_error (dialog) != NULL);
  g_assert_cmpstr (find_login_dialog () ? _si_login_dialog_get_error (dialog) : NULL, ==, NULL);
  WAIT_FOR (si_sync_manager_get_state (r.manager) == SI_SYNC_MANAGER_STATE_IDLE &&
            si_sync_manager_get_pending_changes (r.manager) == 0);
  g_assert_false (si_account_get_needs_login (r.account));
  g_assert_true (g_str_has_prefix (si_sync_indicator_get_text (indicator), "All changes synced"));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "_Account…");
  {
    g_autofree char *token = si_test_server_login (r.server, "alice", NEW_PASSWORD);
    g_autoptr(SiTestResponse) ideas = si_test_server_request (r.server, "GET", "/api/v1/ideas?since=0", token, NULL, NULL);
    JsonArray *records = json_object_get_array_member (si_test_response_object (ideas), "records");

    g_assert_cmpuint (json_array_get_length (records), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (records, 0), "title"), ==,
                     "Written before the login");
  }
  assert_no_alert ();

  relogin_teardown (&r);
  si_test_keyring_stop ();
}

/* Preferences show the state — not "Logged in as alice" with only a red Log Out — and a
 * Log In button that opens the same prefilled dialog. */
static void
test_preferences_relogin (void)
{
  Relogin r = { 0 };
  SiPreferencesWindow *prefs;
  GtkWidget *button;
  SiLoginDialog *dialog;

  relogin_setup (&r);
  prefs = si_preferences_window_new (GTK_WINDOW (r.f.window), r.manager, NULL);
  gtk_window_present (GTK_WINDOW (prefs));
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (prefs)));

  g_assert_cmpstr (_si_preferences_window_get_account_title (prefs), ==, "Log in again as alice");
  button = _si_preferences_window_get_relogin_button (prefs);
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_true (gtk_widget_has_css_class (button, "suggested-action"));
  g_signal_emit_by_name (button, "clicked");
  WAIT_FOR (find_login_dialog () != NULL);
  dialog = find_login_dialog ();
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (prefs));
  assert_prefilled (&r, dialog);
  assert_no_alert ();

  /* Escape closes it; nothing changed */
  gtk_window_close (GTK_WINDOW (dialog));
  WAIT_FOR (find_login_dialog () == NULL);
  g_assert_true (si_account_get_needs_login (r.account));
  g_assert_cmpuint (si_store_count_pending (r.f.store, NULL), ==, 1);

  gtk_window_destroy (GTK_WINDOW (prefs));
  relogin_teardown (&r);
}

int
main (int argc, char **argv)
{
  /* libadwaita asks the settings portal on the session bus at start: that would be the bus a
   * later keyring lookup uses, not the test's private one. */
  g_setenv ("ADW_DISABLE_PORTAL", "1", TRUE);
  si_test_app_init (&argc, &argv);
  if (g_getenv ("SAVEIDEA_SERVER") == NULL)
    {
      g_autofree char *server = g_test_build_filename (G_TEST_BUILT, "..", "src", "server", "saveidea-server", NULL);
      g_setenv ("SAVEIDEA_SERVER", server, TRUE);
    }
  g_test_add_func ("/app-relogin/preferences", test_preferences_relogin);
  g_test_add_func ("/app-relogin/indicator", test_indicator_relogin);
  return g_test_run ();
}
