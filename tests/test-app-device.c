/* test-app-device.c — the device name in Preferences: shown, changed, refused, reset. */
#define G_LOG_DOMAIN "saveidea-test"

#include "config.h"

#include "si-device.h"
#include "si-preferences-window.h"
#include "si-test-app.h"

/* The AdwEntryRow titled @title under @widget, or NULL. */
static AdwEntryRow *
find_entry_row (GtkWidget  *widget,
                const char *title)
{
  if (ADW_IS_ENTRY_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return ADW_ENTRY_ROW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      AdwEntryRow *found = find_entry_row (child, title);
      if (found)
        return found;
    }
  return NULL;
}

/* Types @text into @row as a person does (the row focused, the text replaced) and presses
 * Enter, which applies it. */
static void
type_and_apply (AdwEntryRow *row,
                const char  *text)
{
  GtkEditable *delegate = gtk_editable_get_delegate (GTK_EDITABLE (row));

  gtk_widget_grab_focus (GTK_WIDGET (row));
  WAIT_FOR (gtk_widget_has_focus (GTK_WIDGET (delegate)));
  gtk_editable_delete_text (delegate, 0, -1);
  gtk_editable_insert_text (delegate, text, -1, &(int) { 0 });
  spin (20);
  g_signal_emit_by_name (delegate, "activate");
  spin (20);
}

static void
test_device_name_row (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GNetworkMonitor) monitor = test_network_monitor_new (FALSE);
  g_autoptr(SiSyncManager) manager = make_manager (f->store, NULL, monitor);
  g_autofree char *fallback = si_device_dup_default_name ();
  g_autofree char *too_long = g_strnfill (80, 'y');
  g_autoptr(SiIdea) idea = NULL;
  SiPreferencesWindow *prefs;
  AdwEntryRow *row;
  char *name;

  open_window (f, manager);
  prefs = si_preferences_window_new (GTK_WINDOW (f->window), manager, NULL);
  gtk_window_present (GTK_WINDOW (prefs));
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (prefs)));
  row = find_entry_row (GTK_WIDGET (prefs), "Device Name");
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (row)));

  /* The computer's name until one is set. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, fallback);

  /* A new name, white space trimmed: stored, and the next edit carries it. */
  type_and_apply (row, "  Studio Mac ");
  name = si_device_dup_name (f->store);
  g_assert_cmpstr (name, ==, "Studio Mac");
  g_free (name);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "Studio Mac");
  idea = add_idea (f->store, "Written in the studio", "");
  g_assert_cmpstr (si_idea_get_device (idea), ==, "Studio Mac");

  /* No more than a name may hold can be typed. */
  type_and_apply (row, too_long);
  g_assert_cmpint (g_utf8_strlen (gtk_editable_get_text (GTK_EDITABLE (row)), -1), ==, SI_DEVICE_NAME_MAX_CHARS);
  name = si_device_dup_name (f->store);
  g_assert_cmpint (g_utf8_strlen (name, -1), ==, SI_DEVICE_NAME_MAX_CHARS);
  g_free (name);

  /* A control character is refused: the row says so, the name stays. */
  type_and_apply (row, "Studio Mac");
  type_and_apply (row, "bell\x07");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));
  name = si_device_dup_name (f->store);
  g_assert_cmpstr (name, ==, "Studio Mac");
  g_free (name);

  /* Emptied: the computer's name again, shown in the row. */
  type_and_apply (row, "");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));
  g_assert_null (si_device_dup_custom_name (f->store));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, fallback);

  gtk_window_destroy (GTK_WINDOW (prefs));
  spin (20);
}

int
main (int   argc,
      char *argv[])
{
  si_test_app_init (&argc, &argv);

  g_test_add ("/app/device/name-row", Fixture, NULL, fixture_setup, test_device_name_row, fixture_teardown);
  return g_test_run ();
}
