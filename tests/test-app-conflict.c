/* test-app-conflict.c — the conflict moment as a person meets it: the banner's actions at every
 * width, the sync status that names the conflict, the Compare window's highlights, times and
 * devices, and the title Keep Both gives the copy.
 *
 * With SI_SCREENSHOT_DIR set, the tests also write what they check as PNG files there. */
#include "config.h"

#include <glib/gi18n.h>

#include "si-compare-window.h"
#include "si-test-app.h"

/* Writes @widget's window, as drawn, to SI_SCREENSHOT_DIR/@name.png (when that is set). */
static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  const char *dir = g_getenv ("SI_SCREENSHOT_DIR");
  GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (widget));
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  int w = 0, h = 0;

  if (dir == NULL)
    return;
  paintable = gtk_widget_paintable_new (root);
  /* A window just mapped may not have drawn itself yet. */
  for (guint tries = 0; node == NULL && tries < 50; tries++)
    {
      spin (100);
      w = gtk_widget_get_width (root);
      h = gtk_widget_get_height (root);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), w, h);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (root)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  path = g_strdup_printf ("%s/%s.png", dir, name);
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

/* A window @width px wide, on the conflicted copy @copy_id. */
static SiEditor *
open_at_width (Fixture *f,
               int      width,
               gint64   copy_id)
{
  SiEditor *editor;

  if (f->window)
    gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = si_window_new (NULL, f->store, NULL);
  gtk_window_set_default_size (GTK_WINDOW (f->window), width, 640);
  gtk_window_present (GTK_WINDOW (f->window));
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (f->window)));
  editor = _si_window_get_editor (f->window);
  si_window_open_idea (f->window, copy_id);
  WAIT_FOR (gtk_widget_get_mapped (_si_editor_get_conflict_banner (editor)));
  spin (100);
  g_test_message ("asked for %d px, got %d", width, gtk_widget_get_width (GTK_WIDGET (f->window)));
  return editor;
}

static void
collect_buttons (GtkWidget *widget,
                 GPtrArray *buttons)
{
  if (GTK_IS_BUTTON (widget))
    g_ptr_array_add (buttons, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    collect_buttons (child, buttons);
}

/* Every action of the banner is drawn whole inside the banner, with room for its label. */
static void
assert_banner_shows_all (SiEditor *editor)
{
  GtkWidget *banner = _si_editor_get_conflict_banner (editor);
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
  const char *expected[] = { "editor.compare", "editor.keep-this", "editor.keep-other", "editor.keep-both" };
  int banner_w = gtk_widget_get_width (banner), banner_h = gtk_widget_get_height (banner);

  collect_buttons (banner, buttons);
  g_assert_cmpuint (buttons->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = buttons->pdata[i];
      graphene_rect_t bounds;
      int min_w, min_h;

      g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, expected[i]);
      g_assert_true (gtk_widget_get_mapped (button));
      g_assert_true (gtk_widget_is_sensitive (button));
      /* Tab goes from button to button, not through a wrapper around each. */
      g_assert_true (gtk_widget_get_focusable (button));
      g_assert_false (gtk_widget_get_focusable (gtk_widget_get_parent (button)));
      g_assert_true (gtk_widget_compute_bounds (button, banner, &bounds));
      gtk_widget_measure (button, GTK_ORIENTATION_HORIZONTAL, -1, &min_w, NULL, NULL, NULL);
      gtk_widget_measure (button, GTK_ORIENTATION_VERTICAL, -1, &min_h, NULL, NULL, NULL);
      g_test_message ("%s at %.0f,%.0f %.0fx%.0f in %dx%d", expected[i], bounds.origin.x, bounds.origin.y,
                      bounds.size.width, bounds.size.height, banner_w, banner_h);
      g_assert_cmpfloat (bounds.size.width, >=, min_w);
      g_assert_cmpfloat (bounds.size.height, >=, min_h);
      g_assert_cmpfloat (bounds.origin.x, >=, 0);
      g_assert_cmpfloat (bounds.origin.y, >=, 0);
      g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, banner_w);
      g_assert_cmpfloat (bounds.origin.y + bounds.size.height, <=, banner_h);
    }
  /* The safe choice, which loses nothing, is the suggested one, and the only one. */
  for (guint i = 0; i < buttons->len; i++)
    g_assert_cmpint (gtk_widget_has_css_class (buttons->pdata[i], "suggested-action"), ==, i == 3);
}

static void
test_banner_actions (Fixture       *f,
                     gconstpointer  data)
{
  static const int widths[] = { 360, 600, 760, 1000, 1280 };
  g_autoptr(SiIdea) original = add_idea (f->store, "Trip plan", "Day 1: museum\nDay 2: beach");
  g_autoptr(SiIdea) copy = add_idea (f->store, "Trip plan", "Day 1: hike\nDay 2: beach");

  mark_conflicted_copy (f->store, si_idea_get_id (copy), si_idea_get_id (original));
  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      g_autofree char *name = g_strdup_printf ("banner-%d", widths[i]);
      SiEditor *editor = open_at_width (f, widths[i], si_idea_get_id (copy));

      screenshot (GTK_WIDGET (f->window), name);
      assert_banner_shows_all (editor);
    }
}

/* The sync status ------------------------------------------------------------------------------- */

/* Everything is on the server, but a conflicted copy waits: the header says so, not "All
 * changes synced". */
static void
test_status_names_conflicts (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GNetworkMonitor) monitor = test_network_monitor_new (TRUE);
  g_autoptr(SiSyncManager) manager = NULL;
  g_autoptr(SiIdea) original = add_idea (f->store, "Poem", "roses");
  g_autoptr(SiIdea) copy = add_idea (f->store, "Poem", "violets");
  g_autoptr(SiIdea) original2 = add_idea (f->store, "Song", "la");
  g_autoptr(SiIdea) copy2 = add_idea (f->store, "Song", "la la");
  SiSyncIndicator *indicator;

  mark_all_synced (f->store);
  manager = make_manager (f->store, "http://127.0.0.1:9", monitor);
  open_window (f, manager);
  indicator = _si_window_get_sync_indicator (f->window);
  g_assert_cmpuint (si_sync_manager_get_state (manager), ==, SI_SYNC_MANAGER_STATE_IDLE);
  g_assert_cmpstr (si_sync_indicator_get_text (indicator), ==, "All changes synced");

  mark_conflicted_copy (f->store, si_idea_get_id (copy), si_idea_get_id (original));
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&manager);
  manager = make_manager (f->store, "http://127.0.0.1:9", monitor);
  open_window (f, manager);
  indicator = _si_window_get_sync_indicator (f->window);
  g_assert_cmpuint (si_sync_manager_get_conflicts (manager), ==, 1);
  g_assert_cmpstr (si_sync_indicator_get_text (indicator), ==, "1 conflict");
  si_sync_indicator_popup (indicator);
  screenshot (GTK_WIDGET (f->window), "status-conflict");
  si_sync_indicator_popdown (indicator);

  mark_conflicted_copy (f->store, si_idea_get_id (copy2), si_idea_get_id (original2));
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&manager);
  manager = make_manager (f->store, "http://127.0.0.1:9", monitor);
  open_window (f, manager);
  indicator = _si_window_get_sync_indicator (f->window);
  g_assert_cmpstr (si_sync_indicator_get_text (indicator), ==, "2 conflicts");
}

/* The Compare window ------------------------------------------------------------------------------ */

static void
set_device (SiStore    *store,
            gint64      id,
            const char *device)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = _si_store_prepare (store, "UPDATE ideas SET device = ?2 WHERE id = ?1", &error);

  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, device, -1, SQLITE_TRANSIENT);
  g_assert_true (_si_store_step_done (store, stmt, "setting the device", &error));
  g_assert_no_error (error);
}

/* The text of every stretch tagged "changed", joined with "|". */
static char *
highlighted (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), "changed");
  GString *out = g_string_new (NULL);
  GtkTextIter iter;

  g_assert_nonnull (tag);
  gtk_text_buffer_get_start_iter (buffer, &iter);
  while (gtk_text_iter_starts_tag (&iter, tag) || gtk_text_iter_forward_to_tag_toggle (&iter, tag))
    {
      GtkTextIter end = iter;
      g_autofree char *text = NULL;

      if (gtk_text_iter_is_end (&iter))
        break;
      gtk_text_iter_forward_to_tag_toggle (&end, tag);
      text = gtk_text_iter_get_text (&iter, &end);
      g_string_append_printf (out, "%s%s", out->len ? "|" : "", text);
      iter = end;
    }
  return g_string_free (out, FALSE);
}

static SiCompareWindow *
find_compare_window (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);
      if (SI_IS_COMPARE_WINDOW (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return SI_COMPARE_WINDOW (window);
    }
  return NULL;
}

static void
test_compare_window (Fixture       *f,
                     gconstpointer  data)
{
  static const int widths[] = { 360, 600, 860, 1280 };
  g_autoptr(SiIdea) original = add_idea (f->store, "Trip plan", "Day 1: museum\nDay 2: beach and a boat");
  g_autoptr(SiIdea) copy = add_idea (f->store, "Trip plan", "Day 1: hike\nDay 2: beach");
  g_autoptr(SiIdea) this_copy = NULL;
  g_autoptr(SiIdea) other = NULL;
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
  g_autoptr(GDateTime) written = NULL;
  g_autofree char *hhmm = NULL;
  g_autofree char *want_this = NULL;
  g_autofree char *want_other = NULL;
  g_autofree char *this_marks = NULL;
  g_autofree char *other_marks = NULL;
  SiCompareWindow *compare;

  set_device (f->store, si_idea_get_id (original), "desktop");
  set_device (f->store, si_idea_get_id (copy), "laptop");
  mark_conflicted_copy (f->store, si_idea_get_id (copy), si_idea_get_id (original));
  this_copy = si_store_get_idea (f->store, si_idea_get_id (copy), NULL);
  other = si_store_get_idea (f->store, si_idea_get_id (original), NULL);
  open_window (f, NULL);
  si_window_open_idea (f->window, si_idea_get_id (copy));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (_si_window_get_editor (f->window)), "editor.compare", NULL));
  WAIT_FOR ((compare = find_compare_window ()) != NULL && gtk_widget_get_mapped (GTK_WIDGET (compare)));

  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      g_autofree char *name = g_strdup_printf ("compare-%d", widths[i]);
      SiCompareWindow *shown;

      if (g_getenv ("SI_SCREENSHOT_DIR") == NULL)
        break;
      shown = si_compare_window_new (GTK_WINDOW (f->window), this_copy, other);
      gtk_window_set_default_size (GTK_WINDOW (shown), widths[i], 520);
      gtk_window_present (GTK_WINDOW (shown));
      WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (shown)));
      screenshot (GTK_WIDGET (shown), name);
      gtk_window_destroy (GTK_WINDOW (shown));
    }

  /* The words each version has that the other has not, and nothing else. */
  this_marks = highlighted (_si_compare_window_get_view (compare, FALSE));
  other_marks = highlighted (_si_compare_window_get_view (compare, TRUE));
  g_assert_cmpstr (this_marks, ==, "hike");
  g_assert_cmpstr (other_marks, ==, "museum|and a boat");

  /* Where and when each was written. */
  written = g_date_time_new_from_unix_local (si_idea_get_updated_at (this_copy) / G_USEC_PER_SEC);
  hhmm = g_date_time_format (written, "%H:%M");
  want_this = g_strdup_printf ("On this device (laptop) · Today, %s", hhmm);
  g_assert_cmpstr (gtk_label_get_label (_si_compare_window_get_written_label (compare, FALSE)), ==, want_this);
  g_clear_pointer (&written, g_date_time_unref);
  g_clear_pointer (&hhmm, g_free);
  written = g_date_time_new_from_unix_local (si_idea_get_updated_at (other) / G_USEC_PER_SEC);
  hhmm = g_date_time_format (written, "%H:%M");
  want_other = g_strdup_printf ("On desktop · Today, %s", hhmm);
  g_assert_cmpstr (gtk_label_get_label (_si_compare_window_get_written_label (compare, TRUE)), ==, want_other);

  /* One way to close: the window's close button (and Escape); no Cancel beside it. */
  collect_buttons (GTK_WIDGET (compare), buttons);
  {
    guint closers = 0;

    for (guint i = 0; i < buttons->len; i++)
      if (g_strcmp0 (gtk_actionable_get_action_name (buttons->pdata[i]), "window.close") == 0)
        {
          g_assert_nonnull (gtk_widget_get_ancestor (buttons->pdata[i], GTK_TYPE_WINDOW_CONTROLS));
          closers++;
        }
    g_assert_cmpuint (closers, ==, 1);
  }

  /* Keep Both from here: two ideas that can be told apart. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (compare), "compare.choose", "s", "both"));
  WAIT_FOR (find_compare_window () == NULL);
  g_clear_object (&this_copy);
  g_clear_object (&other);
  this_copy = si_store_get_idea (f->store, si_idea_get_id (copy), NULL);
  other = si_store_get_idea (f->store, si_idea_get_id (original), NULL);
  g_assert_cmpint (si_idea_get_conflict_of (this_copy), ==, 0);
  g_assert_cmpstr (si_idea_get_title (other), ==, "Trip plan");
  g_assert_true (g_str_has_prefix (si_idea_get_title (this_copy), "Trip plan (copy from laptop, "));
  WAIT_FOR (find_row (f->window, si_idea_get_title (this_copy)) != NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkCssProvider) css = NULL;

  si_test_app_init (&argc, &argv);
  /* Screenshots in the language of LANGUAGE, from the build tree's catalogues. */
  if (g_getenv ("SI_SCREENSHOT_DIR") && g_getenv ("G_TEST_BUILDDIR"))
    {
      g_autofree char *build_root = g_path_get_dirname (g_getenv ("G_TEST_BUILDDIR"));
      g_autofree char *localedir = g_build_filename (build_root, "po", NULL);

      bindtextdomain (GETTEXT_PACKAGE, localedir);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }
  /* Large text, as the Accessibility settings' text scale sets it. */
  if (g_getenv ("SI_TEST_TEXT_SCALE"))
    g_object_set (gtk_settings_get_default (), "gtk-xft-dpi",
                  (int) (96 * 1024 * g_ascii_strtod (g_getenv ("SI_TEST_TEXT_SCALE"), NULL)), NULL);
  /* The app's style sheet (AdwApplication loads it; these tests have no application). */
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/io/github/saveidea/Saveidea/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  if (g_getenv ("SI_TEST_DARK"))
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);

#define ADD(path, fn) g_test_add ("/app/conflict/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("banner-actions", test_banner_actions);
  ADD ("status-names-conflicts", test_status_names_conflicts);
  ADD ("compare-window", test_compare_window);
#undef ADD

  return g_test_run ();
}
