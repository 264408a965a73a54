/* test-app.c — the application's real widgets under Xvfb: what a person does and sees.
 *
 * Each test opens a window on a fresh notebook (G_TEST_OPTION_ISOLATE_DIRS gives it its own
 * HOME and XDG folders), drives it through its actions and widgets, and checks the list on
 * screen and the store on disk. */
#include "config.h"

#include <gtk/gtk.h>
#include <libsoup/soup.h>

#include "si-app-utils.h"
#include "si-i18n.h"
#include "si-application.h"
#include "si-idea-row.h"
#include "si-store-private.h"
#include "si-sync-indicator.h"
#include "si-window-private.h"

#define WAIT_FOR(cond) \
  G_STMT_START { \
    gint64 wait_end_ = g_get_monotonic_time () + 10 * G_USEC_PER_SEC; \
    while (!(cond)) \
      { \
        if (g_get_monotonic_time () > wait_end_) \
          g_error ("Timed out waiting for %s", #cond); \
        if (!g_main_context_iteration (NULL, FALSE)) \
          g_usleep (2000); \
      } \
  } G_STMT_END

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

typedef struct {
  char     *path;
  SiStore  *store;
  SiWindow *window;
} Fixture;

static SiIdea *
add_idea (SiStore    *store,
          const char *title,
          const char *body)
{
  SiIdea *idea = si_idea_new (title, body);
  g_autoptr(GError) error = NULL;

  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  return idea;
}

static void
open_window (Fixture       *f,
             SiSyncManager *manager)
{
  f->window = si_window_new (NULL, f->store, manager);
  gtk_window_present (GTK_WINDOW (f->window));
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (f->window)));
  spin (50);
  g_test_message ("window %d x %d, folded %d", gtk_widget_get_width (GTK_WIDGET (f->window)),
                  gtk_widget_get_height (GTK_WIDGET (f->window)),
                  adw_leaflet_get_folded (_si_window_get_leaflet (f->window)));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->path = g_build_filename (g_get_user_data_dir (), "notebook.db", NULL);
  f->store = si_store_new (f->path, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->window)
    gtk_window_destroy (GTK_WINDOW (f->window));
  spin (20);
  g_clear_object (&f->store);
  g_free (f->path);
}

/* Every SiIdeaRow the list shows, in the order of the widget tree. */
static void
collect_rows (GtkWidget *widget,
              GPtrArray *rows)
{
  if (SI_IS_IDEA_ROW (widget))
    {
      if (gtk_widget_get_mapped (widget) && si_idea_row_get_idea (SI_IDEA_ROW (widget)))
        g_ptr_array_add (rows, widget);
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    collect_rows (child, rows);
}

static SiIdeaRow *
find_row (SiWindow   *window,
          const char *title)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  collect_rows (GTK_WIDGET (_si_window_get_list_view (window)), rows);
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (si_idea_row_get_title_text (rows->pdata[i]), title) == 0)
      return rows->pdata[i];
  return NULL;
}

static guint
n_rows_shown (SiWindow *window)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  if (g_strcmp0 (gtk_stack_get_visible_child_name (_si_window_get_list_stack (window)), "list") != 0)
    return 0;
  collect_rows (GTK_WIDGET (_si_window_get_list_view (window)), rows);
  return rows->len;
}

static guint
count_in_store (SiStore *store)
{
  SiIdeaFilter all = { 0 };
  return si_store_count_ideas (store, &all, NULL);
}

static char *
body_text (SiEditor *editor)
{
  GtkTextBuffer *buffer = _si_editor_get_body_buffer (editor);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static gboolean
body_is (SiEditor   *editor,
         const char *text)
{
  g_autofree char *shown = body_text (editor);
  return g_strcmp0 (shown, text) == 0;
}

/* Creating ------------------------------------------------------------------------------------- */

static void
test_new_idea (Fixture       *f,
               gconstpointer  data)
{
  SiEditor *editor;
  g_autoptr(SiIdea) stored = NULL;
  gint64 id;

  open_window (f, NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (_si_window_get_list_stack (f->window)), ==, "empty");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "idea.new", NULL));
  editor = _si_window_get_editor (f->window);
  g_assert_nonnull (si_editor_get_idea (editor));
  id = si_idea_get_id (si_editor_get_idea (editor));
  g_assert_cmpint (id, >, 0);

  /* In the store at once, and in the list, selected. */
  g_assert_cmpuint (count_in_store (f->store), ==, 1);
  WAIT_FOR (n_rows_shown (f->window) == 1);
  g_assert_cmpint (si_idea_list_get_id_at (si_window_get_idea_list (f->window), 0), ==, id);
  g_assert_nonnull (find_row (f->window, "New idea"));
  g_assert_true (si_idea_row_shows_pending (find_row (f->window, "New idea")));

  /* Typing a title: the row follows once the edit is saved. */
  gtk_editable_set_text (_si_editor_get_title_editable (editor), "Bike to the lake");
  WAIT_FOR (find_row (f->window, "Bike to the lake") != NULL);
  stored = si_store_get_idea (f->store, id, NULL);
  g_assert_cmpstr (si_idea_get_title (stored), ==, "Bike to the lake");
  g_assert_cmpstr (si_idea_row_get_time_text (find_row (f->window, "Bike to the lake")), ==, "just now");
}

static void
test_blank_new_idea_is_dropped (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(SiIdea) kept = add_idea (f->store, "Kept", "");

  open_window (f, NULL);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "idea.new", NULL);
  g_assert_cmpuint (count_in_store (f->store), ==, 2);
  /* Opening another idea without writing anything drops the blank one. */
  si_window_open_idea (f->window, si_idea_get_id (kept));
  g_assert_cmpuint (count_in_store (f->store), ==, 1);
  WAIT_FOR (n_rows_shown (f->window) == 1);
}

/* Editing -------------------------------------------------------------------------------------- */

static void
test_edit_saved_after_pause (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(SiIdea) idea = add_idea (f->store, "Garden", "Tomatoes");
  g_autoptr(SiIdea) stored = NULL;
  SiEditor *editor;
  gint64 start;

  open_window (f, NULL);
  si_window_open_idea (f->window, si_idea_get_id (idea));
  editor = _si_window_get_editor (f->window);
  g_assert_cmpstr (gtk_editable_get_text (_si_editor_get_title_editable (editor)), ==, "Garden");

  gtk_text_buffer_set_text (_si_editor_get_body_buffer (editor), "Tomatoes and beans", -1);
  start = g_get_monotonic_time ();
  /* Not written on every keystroke... */
  stored = si_store_get_idea (f->store, si_idea_get_id (idea), NULL);
  g_assert_cmpstr (si_idea_get_body (stored), ==, "Tomatoes");
  g_assert_true (si_editor_has_pending (editor));
  /* ...but once typing pauses. */
  WAIT_FOR (!si_editor_has_pending (editor));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, (SI_EDITOR_SAVE_DELAY_MS - 50) * 1000);
  g_clear_object (&stored);
  stored = si_store_get_idea (f->store, si_idea_get_id (idea), NULL);
  g_assert_cmpstr (si_idea_get_body (stored), ==, "Tomatoes and beans");
  g_assert_true (si_idea_is_dirty (stored));
}

static void
test_edit_then_close (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(SiIdea) idea = add_idea (f->store, "Letter", "Dear");
  g_autoptr(SiIdea) stored = NULL;
  SiEditor *editor;

  open_window (f, NULL);
  si_window_open_idea (f->window, si_idea_get_id (idea));
  editor = _si_window_get_editor (f->window);
  gtk_text_buffer_set_text (_si_editor_get_body_buffer (editor), "Dear Ada, the last words", -1);
  gtk_editable_set_text (_si_editor_get_title_editable (editor), "Letter to Ada");

  /* Closed straight after the last keystroke, well inside the save delay. */
  gtk_window_close (GTK_WINDOW (f->window));
  f->window = NULL;
  stored = si_store_get_idea (f->store, si_idea_get_id (idea), NULL);
  g_assert_cmpstr (si_idea_get_title (stored), ==, "Letter to Ada");
  g_assert_cmpstr (si_idea_get_body (stored), ==, "Dear Ada, the last words");
}

static void
test_edit_then_switch (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SiIdea) a = add_idea (f->store, "A", "first");
  g_autoptr(SiIdea) b = add_idea (f->store, "B", "second");
  g_autoptr(SiIdea) stored = NULL;
  SiEditor *editor;

  open_window (f, NULL);
  si_window_open_idea (f->window, si_idea_get_id (a));
  editor = _si_window_get_editor (f->window);
  gtk_text_buffer_set_text (_si_editor_get_body_buffer (editor), "first, changed", -1);
  si_window_open_idea (f->window, si_idea_get_id (b));
  stored = si_store_get_idea (f->store, si_idea_get_id (a), NULL);
  g_assert_cmpstr (si_idea_get_body (stored), ==, "first, changed");
  g_autofree char *shown = body_text (editor);
  g_assert_cmpstr (shown, ==, "second");
}

static void
test_other_process_edit_appears (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(SiStore) other = NULL;
  g_autoptr(SiIdea) idea = add_idea (f->store, "Mine", "text");
  g_autoptr(SiIdea) theirs = NULL;
  g_autoptr(GError) error = NULL;
  SiEditor *editor;

  open_window (f, NULL);
  si_window_open_idea (f->window, si_idea_get_id (idea));
  editor = _si_window_get_editor (f->window);

  /* Another connection to the same file, as saveidea-cli would have. */
  other = si_store_new (f->path, &error);
  g_assert_no_error (error);
  theirs = add_idea (other, "From the terminal", "captured with saveidea-cli");
  WAIT_FOR (find_row (f->window, "From the terminal") != NULL);

  /* An edit elsewhere of the idea open here, with nothing typed here: the editor shows it. */
  {
    g_autoptr(SiIdea) copy = si_store_get_idea (other, si_idea_get_id (idea), NULL);
    si_idea_set_body (copy, "text, edited elsewhere");
    g_assert_true (si_store_save_idea (other, copy, SI_SAVE_LOCAL, NULL));
  }
  WAIT_FOR (body_is (editor, "text, edited elsewhere"));
  g_assert_cmpstr (gtk_editable_get_text (_si_editor_get_title_editable (editor)), ==, "Mine");
}

/* Tags and pins -------------------------------------------------------------------------------- */

static void
test_tags_and_filter (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(SiIdea) a = add_idea (f->store, "Sourdough", "starter");
  g_autoptr(SiIdea) b = add_idea (f->store, "Ramen", "broth");
  g_autoptr(SiIdea) c = add_idea (f->store, "Taxes", "forms");
  g_autoptr(SiIdea) stored = NULL;
  g_autoptr(SiTag) tag = NULL;
  g_autoptr(GError) error = NULL;
  SiEditor *editor;
  GtkWidget *row;

  open_window (f, NULL);
  WAIT_FOR (n_rows_shown (f->window) == 3);
  editor = _si_window_get_editor (f->window);

  /* A tag that does not exist yet is made, and the chip appears. */
  si_window_open_idea (f->window, si_idea_get_id (a));
  g_assert_true (si_editor_add_tag (editor, "cooking", &error));
  g_assert_no_error (error);
  g_assert_nonnull (gtk_widget_get_first_child (_si_editor_get_tag_box (editor)));
  si_window_open_idea (f->window, si_idea_get_id (b));
  g_assert_true (si_editor_add_tag (editor, "#Cooking", &error));   /* the same tag */
  g_assert_no_error (error);

  tag = si_store_find_tag (f->store, "cooking", NULL);
  g_assert_nonnull (tag);
  stored = si_store_get_idea (f->store, si_idea_get_id (b), NULL);
  g_assert_true (si_idea_has_tag (stored, si_tag_get_id (tag)));

  /* The sidebar gets the tag with its count; choosing it filters the list. */
  WAIT_FOR ((row = _si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_TAG, si_tag_get_id (tag))) != NULL);
  WAIT_FOR (g_str_equal (gtk_label_get_label (g_object_get_data (G_OBJECT (row), "count-label")), "2"));
  gtk_list_box_select_row (_si_window_get_sidebar (f->window), GTK_LIST_BOX_ROW (row));
  WAIT_FOR (n_rows_shown (f->window) == 2);
  g_assert_nonnull (find_row (f->window, "Sourdough"));
  g_assert_nonnull (find_row (f->window, "Ramen"));
  g_assert_null (find_row (f->window, "Taxes"));
  g_assert_nonnull (find_row (f->window, "Ramen"));

  /* Removing the tag in the editor takes the idea out of the filtered list. */
  si_editor_remove_tag (editor, si_tag_get_id (tag));
  WAIT_FOR (n_rows_shown (f->window) == 1);
  g_assert_null (find_row (f->window, "Ramen"));

  /* Back to everything. */
  gtk_list_box_select_row (_si_window_get_sidebar (f->window),
                           GTK_LIST_BOX_ROW (_si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_ALL, 0)));
  WAIT_FOR (n_rows_shown (f->window) == 3);
  (void) c;
}

static void
test_pin (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(SiIdea) old = add_idea (f->store, "Old one", "");
  g_autoptr(SiIdea) newer = add_idea (f->store, "Newer one", "");
  g_autoptr(SiIdea) stored = NULL;
  SiIdeaList *list;

  open_window (f, NULL);
  list = si_window_get_idea_list (f->window);
  g_assert_cmpint (si_idea_list_get_id_at (list, 0), ==, si_idea_get_id (newer));

  si_window_open_idea (f->window, si_idea_get_id (old));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "idea.pin", NULL));
  stored = si_store_get_idea (f->store, si_idea_get_id (old), NULL);
  g_assert_true (si_idea_get_pinned (stored));
  g_assert_cmpint (si_idea_list_get_id_at (list, 0), ==, si_idea_get_id (old));

  gtk_list_box_select_row (_si_window_get_sidebar (f->window),
                           GTK_LIST_BOX_ROW (_si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_PINNED, 0)));
  WAIT_FOR (n_rows_shown (f->window) == 1);
  g_assert_nonnull (find_row (f->window, "Old one"));
}

/* Searching ------------------------------------------------------------------------------------ */

static void
test_search (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(SiIdea) a = add_idea (f->store, "Kiwi smoothie", "with banana");
  g_autoptr(SiIdea) b = add_idea (f->store, "Crème brûlée", "torch the sugar");
  g_autoptr(SiIdea) c = add_idea (f->store, "Bike repair", "new chain");
  GtkSearchEntry *entry;

  open_window (f, NULL);
  WAIT_FOR (n_rows_shown (f->window) == 3);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "list.search", NULL));
  g_assert_true (gtk_search_bar_get_search_mode (_si_window_get_search_bar (f->window)));
  entry = _si_window_get_search_entry (f->window);

  gtk_editable_set_text (GTK_EDITABLE (entry), "kiw");
  WAIT_FOR (n_rows_shown (f->window) == 1);
  g_assert_nonnull (find_row (f->window, "Kiwi smoothie"));

  /* Accents folded, body text searched. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "creme");
  WAIT_FOR (find_row (f->window, "Crème brûlée") != NULL && n_rows_shown (f->window) == 1);
  gtk_editable_set_text (GTK_EDITABLE (entry), "chain");
  WAIT_FOR (find_row (f->window, "Bike repair") != NULL && n_rows_shown (f->window) == 1);

  gtk_editable_set_text (GTK_EDITABLE (entry), "zeppelin");
  WAIT_FOR (g_strcmp0 (gtk_stack_get_visible_child_name (_si_window_get_list_stack (f->window)), "no-results") == 0);

  /* Leaving the search shows everything again. */
  gtk_search_bar_set_search_mode (_si_window_get_search_bar (f->window), FALSE);
  WAIT_FOR (n_rows_shown (f->window) == 3);
  (void) a; (void) b; (void) c;
}

/* Deleting ------------------------------------------------------------------------------------- */

static void
test_delete_and_undo (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(SiIdea) keep = add_idea (f->store, "Keep me", "");
  g_autoptr(SiIdea) idea = add_idea (f->store, "Delete me", "but not for ever");
  g_autoptr(SiIdea) restored = NULL;
  SiIdeaList *list;
  const char *uid = si_idea_get_uid (idea);

  open_window (f, NULL);
  list = si_window_get_idea_list (f->window);
  si_window_open_idea (f->window, si_idea_get_id (idea));
  WAIT_FOR (find_row (f->window, "Delete me") != NULL);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "idea.delete", NULL));
  g_assert_cmpuint (count_in_store (f->store), ==, 1);
  WAIT_FOR (find_row (f->window, "Delete me") == NULL && n_rows_shown (f->window) == 1);
  g_assert_false (si_idea_list_find (list, si_idea_get_id (idea), NULL));
  /* The next idea is open now. */
  g_assert_cmpint (si_window_get_current_id (f->window), ==, si_idea_get_id (keep));

  /* The toast's Undo. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "idea.undo-delete", NULL));
  g_assert_cmpuint (count_in_store (f->store), ==, 2);
  WAIT_FOR (find_row (f->window, "Delete me") != NULL);
  restored = si_store_get_idea (f->store, si_window_get_current_id (f->window), NULL);
  g_assert_cmpstr (si_idea_get_uid (restored), ==, uid);
  g_assert_cmpstr (si_idea_get_body (restored), ==, "but not for ever");

  /* Undo is used up: a second one brings nothing back twice. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "idea.undo-delete", NULL);
  g_assert_cmpuint (count_in_store (f->store), ==, 2);
}

/* Conflicts ------------------------------------------------------------------------------------ */

/* The sync engine makes conflicted copies; the test marks one the same way on disk. */
static void
mark_conflicted_copy (SiStore *store,
                      gint64   copy_id,
                      gint64   original_id)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = _si_store_prepare (store, "UPDATE ideas SET conflict_of = ?2 WHERE id = ?1", &error);

  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, copy_id);
  sqlite3_bind_int64 (stmt, 2, original_id);
  g_assert_true (_si_store_step_done (store, stmt, "marking a conflicted copy", &error));
  g_assert_no_error (error);
}

static void
test_conflict_banner (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(SiIdea) original = add_idea (f->store, "Trip plan", "Day 1: museum\nDay 2: beach");
  g_autoptr(SiIdea) copy = add_idea (f->store, "Trip plan", "Day 1: hike\nDay 2: beach");
  g_autoptr(SiIdea) stored = NULL;
  SiEditor *editor;
  GtkWidget *row;

  mark_conflicted_copy (f->store, si_idea_get_id (copy), si_idea_get_id (original));
  open_window (f, NULL);
  editor = _si_window_get_editor (f->window);

  /* The sidebar offers the conflicts, the list marks the copy. */
  row = _si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_CONFLICTS, 0);
  g_assert_true (gtk_widget_get_visible (row));
  gtk_list_box_select_row (_si_window_get_sidebar (f->window), GTK_LIST_BOX_ROW (row));
  WAIT_FOR (n_rows_shown (f->window) == 1);
  g_assert_true (si_idea_row_shows_conflict (find_row (f->window, "Trip plan")));

  /* An ordinary idea has no banner... */
  si_window_open_idea (f->window, si_idea_get_id (original));
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (_si_editor_get_conflict_banner (editor))));
  /* ...the conflicted copy opens with one. */
  si_window_open_idea (f->window, si_idea_get_id (copy));
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (_si_editor_get_conflict_banner (editor))));
  WAIT_FOR (gtk_widget_get_mapped (_si_editor_get_conflict_banner (editor)));

  /* Keep this one: the other version takes this copy's text, and the copy goes. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.keep-this", NULL));
  g_assert_null (si_store_get_idea (f->store, si_idea_get_id (copy), NULL));
  stored = si_store_get_idea (f->store, si_idea_get_id (original), NULL);
  g_assert_cmpstr (si_idea_get_body (stored), ==, "Day 1: hike\nDay 2: beach");
  g_assert_cmpint (si_window_get_current_id (f->window), ==, si_idea_get_id (original));
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (_si_editor_get_conflict_banner (editor))));
  WAIT_FOR (!gtk_widget_get_visible (_si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_CONFLICTS, 0)) ||
            n_rows_shown (f->window) == 0);
}

static void
test_conflict_keep_both (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(SiIdea) original = add_idea (f->store, "Poem", "roses");
  g_autoptr(SiIdea) copy = add_idea (f->store, "Poem", "violets");
  g_autoptr(SiIdea) kept = NULL;
  g_autoptr(SiIdea) stored = NULL;
  SiIdeaFilter conflicts = { .conflicts_only = TRUE };

  mark_conflicted_copy (f->store, si_idea_get_id (copy), si_idea_get_id (original));
  open_window (f, NULL);
  si_window_open_idea (f->window, si_idea_get_id (copy));
  si_editor_resolve (_si_window_get_editor (f->window), "both");

  g_assert_cmpuint (si_store_count_ideas (f->store, &conflicts, NULL), ==, 0);
  g_assert_cmpuint (count_in_store (f->store), ==, 2);
  stored = si_store_get_idea (f->store, si_idea_get_id (original), NULL);
  g_assert_cmpstr (si_idea_get_body (stored), ==, "roses");
  kept = si_store_get_idea (f->store, si_window_get_current_id (f->window), NULL);
  g_assert_cmpstr (si_idea_get_body (kept), ==, "violets");
  g_assert_cmpint (si_idea_get_conflict_of (kept), ==, 0);
}

/* The sync indicator ---------------------------------------------------------------------------- */

/* A network monitor that says what the test wants. */
#define TEST_TYPE_NETWORK_MONITOR (test_network_monitor_get_type ())
G_DECLARE_FINAL_TYPE (TestNetworkMonitor, test_network_monitor, TEST, NETWORK_MONITOR, GObject)

struct _TestNetworkMonitor
{
  GObject  parent_instance;
  gboolean available;
};

enum {
  MON_PROP_0,
  MON_PROP_AVAILABLE,
  MON_PROP_METERED,
  MON_PROP_CONNECTIVITY,
};

static void test_network_monitor_iface_init (GNetworkMonitorInterface *iface);
static void test_network_monitor_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestNetworkMonitor, test_network_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, test_network_monitor_initable_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR, test_network_monitor_iface_init))

static gboolean
test_network_monitor_initable_init_fn (GInitable *initable, GCancellable *cancellable, GError **error)
{
  return TRUE;
}

static void
test_network_monitor_initable_init (GInitableIface *iface)
{
  iface->init = test_network_monitor_initable_init_fn;
}

static gboolean
test_network_monitor_can_reach (GNetworkMonitor *monitor, GSocketConnectable *connectable,
                                GCancellable *cancellable, GError **error)
{
  if (TEST_NETWORK_MONITOR (monitor)->available)
    return TRUE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE, "Network unreachable");
  return FALSE;
}

static void
test_network_monitor_can_reach_async (GNetworkMonitor *monitor, GSocketConnectable *connectable,
                                      GCancellable *cancellable, GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (monitor, cancellable, callback, user_data);
  GError *error = NULL;

  if (test_network_monitor_can_reach (monitor, connectable, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static gboolean
test_network_monitor_can_reach_finish (GNetworkMonitor *monitor, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
test_network_monitor_iface_init (GNetworkMonitorInterface *iface)
{
  iface->can_reach = test_network_monitor_can_reach;
  iface->can_reach_async = test_network_monitor_can_reach_async;
  iface->can_reach_finish = test_network_monitor_can_reach_finish;
}

static void
test_network_monitor_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TestNetworkMonitor *self = TEST_NETWORK_MONITOR (object);

  switch (prop_id)
    {
    case MON_PROP_AVAILABLE: g_value_set_boolean (value, self->available); break;
    case MON_PROP_METERED: g_value_set_boolean (value, FALSE); break;
    case MON_PROP_CONNECTIVITY:
      g_value_set_enum (value, self->available ? G_NETWORK_CONNECTIVITY_FULL : G_NETWORK_CONNECTIVITY_LOCAL);
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_network_monitor_class_init (TestNetworkMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_network_monitor_get_property;
  g_object_class_override_property (object_class, MON_PROP_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, MON_PROP_METERED, "network-metered");
  g_object_class_override_property (object_class, MON_PROP_CONNECTIVITY, "connectivity");
}

static void
test_network_monitor_init (TestNetworkMonitor *self)
{
}

static GNetworkMonitor *
test_network_monitor_new (gboolean available)
{
  TestNetworkMonitor *self = g_object_new (TEST_TYPE_NETWORK_MONITOR, NULL);
  self->available = available;
  return G_NETWORK_MONITOR (self);
}

/* A server that answers every request with a 503, or never answers at all; with @first_page,
 * it answers the first page of the change feed with it, then never answers again. */
typedef struct {
  SoupServer *server;
  char       *url;
  gboolean    hang;
  const char *first_page;
  GPtrArray  *paused;
} FaultServer;

static void
fault_handler (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  FaultServer *fault = user_data;

  if (fault->first_page && g_str_equal (path, "/api/v1/changes") &&
      g_strcmp0 (query ? g_hash_table_lookup (query, "since") : NULL, "0") == 0)
    {
      soup_message_headers_append (soup_server_message_get_response_headers (msg),
                                   "Saveidea-Instance", "543f3af9-1fc8-491c-bd00-85ffd97d9354");
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        fault->first_page, strlen (fault->first_page));
      return;
    }
  if (fault->hang)
    {
      soup_server_message_pause (msg);
      g_ptr_array_add (fault->paused, g_object_ref (msg));
      return;
    }
  soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                    "{\"error\":\"maintenance\",\"message\":\"Down for maintenance\"}", 57);
}

static FaultServer *
fault_server_new (gboolean hang)
{
  FaultServer *fault = g_new0 (FaultServer, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  fault->hang = hang;
  fault->paused = g_ptr_array_new_with_free_func (g_object_unref);
  fault->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fault->server, NULL, fault_handler, fault, NULL);
  g_assert_true (soup_server_listen_local (fault->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (fault->server);
  fault->url = g_uri_to_string (uris->data);
  if (g_str_has_suffix (fault->url, "/"))
    fault->url[strlen (fault->url) - 1] = '\0';
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return fault;
}

static void
fault_server_free (FaultServer *fault)
{
  for (guint i = 0; i < fault->paused->len; i++)
    {
      soup_server_message_set_status (fault->paused->pdata[i], SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      soup_server_message_unpause (fault->paused->pdata[i]);
    }
  g_ptr_array_unref (fault->paused);
  soup_server_disconnect (fault->server);
  g_object_unref (fault->server);
  g_free (fault->url);
  g_free (fault);
}

static SiSyncManager *
make_manager (SiStore         *store,
              const char      *url,
              GNetworkMonitor *monitor)
{
  g_autoptr(SiAccount) account = si_account_new (store);
  g_autoptr(GError) error = NULL;

  if (url)
    {
      g_assert_true (si_account_set_for_testing (account, url, "alice", "test-token", &error));
      g_assert_no_error (error);
    }
  return g_object_new (SI_TYPE_SYNC_MANAGER,
                       "store", store,
                       "account", account,
                       "network-monitor", monitor,
                       NULL);
}

static void
test_sync_indicator_offline (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GNetworkMonitor) monitor = test_network_monitor_new (FALSE);
  g_autoptr(SiSyncManager) manager = NULL;
  g_autoptr(SiIdea) a = add_idea (f->store, "One", "");
  g_autoptr(SiIdea) b = add_idea (f->store, "Two", "");
  g_autoptr(SiIdea) c = add_idea (f->store, "Three", "");
  SiSyncIndicator *indicator;

  manager = make_manager (f->store, "http://127.0.0.1:9", monitor);
  open_window (f, manager);
  indicator = _si_window_get_sync_indicator (f->window);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (indicator)));
  si_sync_manager_start (manager);

  WAIT_FOR (si_sync_manager_get_state (manager) == SI_SYNC_MANAGER_STATE_OFFLINE &&
            si_sync_manager_get_pending_changes (manager) == 3);
  spin (20);
  g_assert_cmpstr (si_sync_indicator_get_text (indicator), ==, "Offline — 3 changes waiting");
  g_assert_false (si_sync_indicator_get_progress_visible (indicator));

  /* The popover lists what waits. */
  si_sync_indicator_popup (indicator);
  spin (50);
  si_sync_indicator_popdown (indicator);
  si_sync_manager_stop (manager);
  (void) a; (void) b; (void) c;
}

static void
test_sync_indicator_error (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GNetworkMonitor) monitor = test_network_monitor_new (TRUE);
  g_autoptr(SiSyncManager) manager = NULL;
  g_autoptr(SiIdea) a = add_idea (f->store, "Waiting", "");
  FaultServer *fault = fault_server_new (FALSE);
  SiSyncIndicator *indicator;
  const char *text;

  manager = make_manager (f->store, fault->url, monitor);
  si_sync_manager_set_backoff (manager, 30000, 60000);
  open_window (f, manager);
  indicator = _si_window_get_sync_indicator (f->window);
  si_sync_manager_start (manager);

  WAIT_FOR (si_sync_manager_get_state (manager) == SI_SYNC_MANAGER_STATE_ERROR);
  spin (20);
  text = si_sync_indicator_get_text (indicator);
  g_test_message ("error state: %s", text);
  g_assert_true (g_str_has_prefix (text, "Sync failed: "));
  g_assert_nonnull (strstr (text, " · retrying in "));
  g_assert_true (g_str_has_suffix (text, " s"));

  si_sync_manager_stop (manager);
  fault_server_free (fault);
  (void) a;
}

static void
test_sync_indicator_syncing (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GNetworkMonitor) monitor = test_network_monitor_new (TRUE);
  g_autoptr(SiSyncManager) manager = NULL;
  FaultServer *fault = fault_server_new (TRUE);
  SiSyncIndicator *indicator;

  manager = make_manager (f->store, fault->url, monitor);
  open_window (f, manager);
  indicator = _si_window_get_sync_indicator (f->window);
  si_sync_manager_start (manager);

  WAIT_FOR (si_sync_manager_get_state (manager) == SI_SYNC_MANAGER_STATE_SYNCING);
  spin (20);
  g_test_message ("syncing state: %s", si_sync_indicator_get_text (indicator));
  g_assert_true (g_str_has_prefix (si_sync_indicator_get_text (indicator), "Syncing"));

  si_sync_manager_cancel (manager);
  si_sync_manager_stop (manager);
  fault_server_free (fault);
}

/* A long first sync: the server says how many follow its first page, and the header bar
 * counts against that total from the start. */
static void
test_sync_indicator_progress (Fixture       *f,
                              gconstpointer  data)
{
  static const char page[] =
    "{\"records\":["
    "{\"collection\":\"ideas\",\"id\":1,\"uid\":\"6f2a0e8e-1b7c-4d8e-9a53-0c4d1e2f3a4b\",\"version\":1,"
    "\"created_at\":\"2026-11-28T09:00:00Z\",\"updated_at\":\"2026-11-28T09:00:00Z\",\"deleted\":false,"
    "\"title\":\"From the server\",\"body\":\"first\",\"pinned\":false,\"tags\":[]},"
    "{\"collection\":\"ideas\",\"id\":2,\"uid\":\"0c1d9a53-1b7c-4d8e-9a53-0c4d1e2f3a4c\",\"version\":7,"
    "\"created_at\":\"2026-11-28T09:00:00Z\",\"updated_at\":\"2026-11-28T09:05:00Z\",\"deleted\":false,"
    "\"title\":\"Also from the server\",\"body\":\"second\",\"pinned\":false,\"tags\":[]}"
    "],\"cursor\":7,\"more\":true,\"remaining\":4998}";
  g_autoptr(GNetworkMonitor) monitor = test_network_monitor_new (TRUE);
  g_autoptr(SiSyncManager) manager = NULL;
  FaultServer *fault = fault_server_new (TRUE);
  SiSyncIndicator *indicator;

  fault->first_page = page;
  manager = make_manager (f->store, fault->url, monitor);
  open_window (f, manager);
  indicator = _si_window_get_sync_indicator (f->window);
  si_sync_manager_start (manager);

  WAIT_FOR (si_sync_manager_get_progress_done (manager) == 2);
  spin (20);
  g_assert_cmpuint (si_sync_manager_get_state (manager), ==, SI_SYNC_MANAGER_STATE_SYNCING);
  g_assert_cmpuint (si_sync_manager_get_progress_total (manager), ==, 5000);
  g_assert_cmpstr (si_sync_indicator_get_text (indicator), ==, "Syncing 2 of 5,000");
  g_assert_true (si_sync_indicator_get_progress_visible (indicator));
  g_assert_cmpfloat_with_epsilon (si_sync_indicator_get_fraction (indicator), 2.0 / 5000, 1e-9);
  /* What came is already in the notebook while the rest is on its way. */
  g_assert_cmpuint (si_store_count_ideas (f->store, &(SiIdeaFilter) { 0, }, NULL), ==, 2);

  si_sync_manager_cancel (manager);
  si_sync_manager_stop (manager);
  fault_server_free (fault);
}

static void
test_sync_indicator_texts (void)
{
  g_autofree char *a = si_format_count (1200);
  g_autofree char *b = si_format_count (5000);
  g_autofree char *c = si_format_count (999);
  g_autofree char *d = si_format_count (100000);
  g_autofree char *e = si_format_duration (29500000);
  g_autofree char *g = si_format_duration (125 * G_USEC_PER_SEC);

  g_assert_cmpstr (a, ==, "1,200");
  g_assert_cmpstr (b, ==, "5,000");
  g_assert_cmpstr (c, ==, "999");
  g_assert_cmpstr (d, ==, "100,000");
  g_assert_cmpstr (e, ==, "30 s");
  g_assert_cmpstr (g, ==, "2 min");

  /* Relative times, read in the local zone (looked up once a minute, not at each row). */
  {
    /* 2026-11-28 12:00 UTC, and 2023-11-14 12:00 UTC: the same date in any zone within 11 h. */
    const gint64 now = G_GINT64_CONSTANT (1795867200) * G_USEC_PER_SEC;
    const gint64 old = G_GINT64_CONSTANT (1699963200) * G_USEC_PER_SEC;
    g_autofree char *just = si_format_relative_time (now - 30 * G_USEC_PER_SEC, now);
    g_autofree char *minutes = si_format_relative_time (now - 5 * 60 * G_USEC_PER_SEC, now);
    g_autofree char *yesterday = si_format_relative_time (now - G_GINT64_CONSTANT (24) * 3600 * G_USEC_PER_SEC, now);
    g_autofree char *long_ago = si_format_relative_time (old, now);
    g_autofree char *again = si_format_relative_time (old, now);

    g_assert_cmpstr (just, ==, "just now");
    g_assert_cmpstr (minutes, ==, "5 min ago");
    g_assert_cmpstr (yesterday, ==, "yesterday");
    g_assert_true (g_str_has_suffix (long_ago, " Nov 2023"));
    g_assert_cmpstr (again, ==, long_ago);
  }
}

/* The application -------------------------------------------------------------------------------- */

static void
test_application_accels (void)
{
  g_autoptr(SiApplication) app = si_application_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) sync = NULL;
  g_auto(GStrv) quit = NULL;

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  sync = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.sync-now");
  quit = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.quit");
  g_assert_cmpstr (sync[0], ==, "<Control>r");
  g_assert_cmpstr (quit[0], ==, "<Control>q");
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "preferences"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "about"));
}

/* GTK 4.8 warns when a squeezed container hands a child less than its margins for one frame
 * (seen with a loaded CPU, never in the same place twice). That is GTK's layout noise, not ours:
 * it is printed, and every other warning still aborts the test. */
static GLogWriterOutput
log_writer (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  const char *domain = NULL, *message = NULL;
  GLogWriterOutput out;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }
  out = g_log_writer_default (log_level, fields, n_fields, user_data);
  if ((log_level & G_LOG_LEVEL_WARNING) &&
      !(g_strcmp0 (domain, "Gtk") == 0 && message &&
        g_str_has_prefix (message, "gtk_widget_size_allocate(): attempt to allocate")))
    g_error ("Unexpected warning: %s", message ? message : "");
  return out;
}

int
main (int   argc,
      char *argv[])
{
  /* The isolated XDG folders hide the system's MIME database and icon themes, which GTK needs
   * to load icons: point it at the real ones (nothing is written there). */
  static const char * const mime_dirs[] = { "/usr/local/share/mime", "/usr/share/mime", NULL };
  static const char * const icon_dirs[] = { "/usr/local/share/icons", "/usr/share/icons", "/usr/share/pixmaps", NULL };

  g_content_type_set_mime_dirs (mime_dirs);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_log_set_writer_func (log_writer, NULL, NULL);
  gtk_init ();
  adw_init ();
  gtk_icon_theme_set_search_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()), icon_dirs);
  /* Transitions only make the tests wait (and a revealer mid-slide can be allocated less than
   * its padding on a loaded machine). */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                    "/io/github/saveidea/Saveidea/icons");

#define ADD(path, fn) g_test_add ("/app/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("new-idea", test_new_idea);
  ADD ("blank-new-idea-is-dropped", test_blank_new_idea_is_dropped);
  ADD ("edit/saved-after-pause", test_edit_saved_after_pause);
  ADD ("edit/then-close", test_edit_then_close);
  ADD ("edit/then-switch", test_edit_then_switch);
  ADD ("other-process", test_other_process_edit_appears);
  ADD ("tags-and-filter", test_tags_and_filter);
  ADD ("pin", test_pin);
  ADD ("search", test_search);
  ADD ("delete-and-undo", test_delete_and_undo);
  ADD ("conflict/banner-and-keep-this", test_conflict_banner);
  ADD ("conflict/keep-both", test_conflict_keep_both);
  ADD ("sync-indicator/offline", test_sync_indicator_offline);
  ADD ("sync-indicator/error", test_sync_indicator_error);
  ADD ("sync-indicator/syncing", test_sync_indicator_syncing);
  ADD ("sync-indicator/progress", test_sync_indicator_progress);
#undef ADD
  g_test_add_func ("/app/sync-indicator/numbers", test_sync_indicator_texts);
  g_test_add_func ("/app/application/accels", test_application_accels);

  return g_test_run ();
}
