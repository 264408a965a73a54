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
  int w, h;

  if (dir == NULL)
    return;
  spin (100);
  w = gtk_widget_get_width (root);
  h = gtk_widget_get_height (root);
  paintable = gtk_widget_paintable_new (root);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), w, h);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    return;
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

static void
mark_all_synced (SiStore *store)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = _si_store_prepare (store, "UPDATE ideas SET state = " SI_SQL_SYNCED ", sid = id", &error);

  g_assert_no_error (error);
  g_assert_true (_si_store_step_done (store, stmt, "marking everything synced", &error));
  g_assert_no_error (error);
}

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

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkCssProvider) css = NULL;

  si_test_app_init (&argc, &argv);
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
#undef ADD

  return g_test_run ();
}
