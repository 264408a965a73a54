/* test-app-import.c — Import in the app: what the file chooser offers, a folder export through
 * the action, the bar that shows how far an import is and cancels it (the notebook unchanged),
 * the Preferences option for archived and trashed notes, and the report of what was left out. */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "si-file-chooser.h"
#include "si-preferences-window.h"
#include "si-test-app.h"

/* Google Takeout's Keep folder in tests/data/import (see test-import-apps.c): three notes, one
 * archived, one trashed, three attachments. */
static GFile *
keep_fixture (void)
{
  g_autofree char *path = g_build_filename (g_test_get_dir (G_TEST_DIST), "data", "import", "keep",
                                            "Takeout", "Keep", NULL);

  return g_file_new_for_path (path);
}

static gboolean
filter_matches (GtkFileFilter *filter,
                const char    *name)
{
  g_autoptr(GFileInfo) info = g_file_info_new ();

  g_file_info_set_display_name (info, name);
  g_file_info_set_name (info, name);
  return gtk_filter_match (GTK_FILTER (filter), info);
}

/* The file chooser offers every export the importer reads, and everything. */
static void
test_filters (Fixture       *f,
              gconstpointer  data)
{
  static const char * const supported[] = {
    "notes.json", "My Evernote.enex", "Joplin Export.jex", "Standard Notes Backup - 2024.txt",
    "idea.md", "IDEA.MARKDOWN", "Simplenote note.txt",
  };
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "nothing.md", NULL);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GtkFileFilter) first = NULL;
  g_autoptr(GtkFileFilter) last = NULL;
  SiFileChooserMode mode = SI_FILE_CHOOSER_SAVE;
  GListModel *filters;

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "# Nothing\n", -1, NULL));
  file = g_file_new_for_path (path);
  open_window (f, NULL);
  _si_file_chooser_set_test_file (file);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "notebook.import", "s", "file"));
  WAIT_FOR (count_in_store (f->store) == 1);
  filters = _si_file_chooser_get_test_filters (&mode);
  g_assert_nonnull (filters);
  g_assert_cmpint (mode, ==, SI_FILE_CHOOSER_OPEN);
  g_assert_cmpuint (g_list_model_get_n_items (filters), >=, 2);

  /* The first, shown first, takes every format's files; nothing else. */
  first = g_list_model_get_item (filters, 0);
  for (guint i = 0; i < G_N_ELEMENTS (supported); i++)
    if (!filter_matches (first, supported[i]))
      g_error ("The first filter hides %s", supported[i]);
  g_assert_false (filter_matches (first, "photo.jpg"));
  /* The last shows all files. */
  last = g_list_model_get_item (filters, g_list_model_get_n_items (filters) - 1);
  g_assert_true (filter_matches (last, "photo.jpg"));
  g_assert_true (filter_matches (last, "Keep"));

  /* Import a Folder asks for a folder. */
  _si_file_chooser_set_test_file (file);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "notebook.import", "s", "folder"));
  WAIT_FOR (_si_file_chooser_get_test_filters (&mode) == NULL && mode == SI_FILE_CHOOSER_FOLDER);
  WAIT_FOR (f->window->import_job == NULL);
  _si_file_chooser_set_test_file (NULL);
}

/* The AdwMessageDialog the window has open, or NULL. */
static AdwMessageDialog *
find_dialog (SiWindow *window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_window_get_transient_for (w) == GTK_WINDOW (window) &&
          gtk_widget_get_visible (GTK_WIDGET (w)))
        return ADW_MESSAGE_DIALOG (w);
    }
  return NULL;
}

/* Keep's folder through Import a Folder: the option in Preferences chooses whether archived and
 * trashed notes come in; the report says what was left out, attachments by name. */
static void
test_archived_option_and_report (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GFile) keep = keep_fixture ();
  g_autofree char *report = NULL;
  AdwMessageDialog *dialog;
  SiPreferencesWindow *prefs;
  GtkSwitch *archived_switch;
  const char *shown;

  open_window (f, NULL);
  g_assert_nonnull (f->window->settings);
  g_assert_true (g_settings_get_boolean (f->window->settings, "import-archived"));

  /* Left out: the switch in Preferences. */
  prefs = si_preferences_window_new (GTK_WINDOW (f->window), NULL, f->window->settings);
  gtk_window_present (GTK_WINDOW (prefs));
  archived_switch = _si_preferences_window_get_import_archived_switch (prefs);
  g_assert_true (gtk_switch_get_active (archived_switch));
  gtk_switch_set_active (archived_switch, FALSE);
  g_assert_false (g_settings_get_boolean (f->window->settings, "import-archived"));
  gtk_window_destroy (GTK_WINDOW (prefs));
  _si_file_chooser_set_test_file (keep);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "notebook.import", "s", "folder"));
  WAIT_FOR (f->window->import_report != NULL);
  g_assert_null (f->window->import_job);
  g_assert_cmpuint (count_in_store (f->store), ==, 1);
  g_assert_nonnull (find_row (f->window, "Shopping"));

  report = _si_window_import_report_text (f->window);
  g_test_message ("%s", report);
  g_assert_nonnull (strstr (report, "1 attachment was not imported"));
  g_assert_nonnull (strstr (report, "Shopping — 1a2b3c4d.jpg"));
  g_assert_nonnull (strstr (report, "2 archived or deleted notes were not imported"));
  g_assert_nonnull (strstr (report, "Old note.html"));

  /* The toast's Details shows it. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "notebook.import-report", NULL));
  WAIT_FOR ((dialog = find_dialog (f->window)) != NULL);
  /* A short report is the label itself. */
  shown = gtk_label_get_text (GTK_LABEL (adw_message_dialog_get_extra_child (dialog)));
  g_assert_nonnull (strstr (shown, "Shopping — 1a2b3c4d.jpg"));
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_clear_pointer (&report, g_free);

  /* Tagged. */
  g_settings_set_boolean (f->window->settings, "import-archived", TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "notebook.import", "s", "folder"));
  WAIT_FOR (count_in_store (f->store) == 3);
  WAIT_FOR (f->window->import_job == NULL);
  report = _si_window_import_report_text (f->window);
  g_assert_nonnull (strstr (report, "3 attachments were not imported"));
  g_assert_null (strstr (report, "archived or deleted"));
  _si_file_chooser_set_test_file (NULL);
}

/* A Simplenote export of @n notes. */
static GFile *
write_simplenote (guint n)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "simplenote", NULL);
  g_autofree char *path = g_build_filename (dir, "notes.json", NULL);
  g_autoptr(GString) json = g_string_new ("{\"activeNotes\":[");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (json, "%s{\"id\":\"note%u\",\"content\":\"Note %u\\nIts text %u\","
                            "\"creationDate\":\"2020-01-01T00:00:00.000Z\","
                            "\"lastModified\":\"2020-01-02T00:00:00.000Z\",\"tags\":[\"t%u\"]}",
                            i ? "," : "", i, i, i, i % 7);
  g_string_append (json, "],\"trashedNotes\":[]}");
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, json->str, json->len, NULL));
  return g_file_new_for_path (path);
}

/* A large export: the bar shows how far the writing is; Cancel stops it and the notebook is as
 * it was; without Cancel, everything comes in and the bar goes. */
static void
test_progress_and_cancel (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GFile) export = write_simplenote (3000);
  g_autoptr(SiIdea) mine = add_idea (f->store, "Mine", "kept");
  GtkRevealer *bar;
  const char *label;

  open_window (f, NULL);
  bar = f->window->import_bar;
  g_assert_false (gtk_revealer_get_reveal_child (bar));

  /* Held in the middle of the writing, after a first progress report. */
  _si_window_hold_import (TRUE);
  _si_file_chooser_set_test_file (export);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "notebook.import", "s", "file"));
  WAIT_FOR (gtk_revealer_get_reveal_child (bar) &&
            gtk_progress_bar_get_fraction (f->window->import_progress) > 0.0);
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (f->window->import_progress), <, 1.0);
  label = gtk_label_get_text (f->window->import_label);
  g_test_message ("%s", label);
  g_assert_nonnull (strstr (label, "of 3,000 ideas"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "notebook.cancel-import", NULL));
  _si_window_hold_import (FALSE);
  WAIT_FOR (f->window->import_job == NULL);
  WAIT_FOR (!gtk_revealer_get_reveal_child (bar));
  spin (100);
  /* Nothing half-imported: only what was there. */
  g_assert_cmpuint (count_in_store (f->store), ==, 1);
  g_assert_null (find_row (f->window, "Note 0"));
  g_assert_nonnull (find_row (f->window, "Mine"));

  /* Again, to the end. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "notebook.import", "s", "file"));
  WAIT_FOR (count_in_store (f->store) == 3001);
  WAIT_FOR (f->window->import_job == NULL && !gtk_revealer_get_reveal_child (bar));
  _si_file_chooser_set_test_file (NULL);
}

int
main (int   argc,
      char *argv[])
{
  si_test_app_init (&argc, &argv);

  g_test_add ("/app/import/filters", Fixture, NULL, fixture_setup, test_filters, fixture_teardown);
  g_test_add ("/app/import/archived-option-and-report", Fixture, NULL, fixture_setup,
              test_archived_option_and_report, fixture_teardown);
  g_test_add ("/app/import/progress-and-cancel", Fixture, NULL, fixture_setup, test_progress_and_cancel,
              fixture_teardown);

  return g_test_run ();
}
