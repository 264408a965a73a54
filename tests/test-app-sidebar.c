/* test-app-sidebar.c — the sidebar's tag rows through a notebook's changes: counts that follow
 * the ideas, rows kept when only counts changed (made again at each refresh, they took more of
 * a first sync's main thread than the counting), and made again for a new or renamed tag; counts
 * that change without laying the window out. */
#include "config.h"

#include "si-test-app.h"

static const char *
row_count (GtkWidget *row)
{
  return si_count_label_get_text (g_object_get_data (G_OBJECT (row), "count-label"));
}

static const char *
row_name (GtkWidget *row)
{
  return gtk_label_get_label (g_object_get_data (G_OBJECT (row), "name-label"));
}

static SiIdea *
add_tagged (SiStore    *store,
            const char *title,
            SiTag      *tag)
{
  g_autoptr(GError) error = NULL;
  SiIdea *idea = si_idea_new (title, "");

  si_idea_add_tag (idea, si_tag_get_id (tag));
  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  return idea;
}

static void
test_rows_kept_when_counts_change (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SiTag) work = si_store_ensure_tag (f->store, "work", &error);
  g_autoptr(SiTag) home = si_store_ensure_tag (f->store, "home", &error);
  g_autoptr(SiIdea) a = add_tagged (f->store, "A", work);
  g_autoptr(SiIdea) b = NULL;
  g_autoptr(SiIdea) c = NULL;
  GtkWidget *row = NULL, *kept;
  gint64 work_id = si_tag_get_id (work);

  g_assert_no_error (error);
  open_window (f, NULL);
  WAIT_FOR ((row = _si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_TAG, work_id)) != NULL &&
            g_strcmp0 (row_count (row), "1") == 0);
  kept = row;
  g_object_add_weak_pointer (G_OBJECT (kept), (gpointer *) &kept);

  /* More ideas with the tag, one with the other: the same rows, new counts. */
  b = add_tagged (f->store, "B", work);
  c = add_tagged (f->store, "C", home);
  WAIT_FOR (g_strcmp0 (row_count (_si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_TAG, work_id)), "2") == 0);
  g_assert_true (kept == _si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_TAG, work_id));
  g_assert_cmpstr (row_count (_si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_TAG, si_tag_get_id (home))), ==, "1");

  /* An idea deleted and its deletion undone: the count follows, the row stays. */
  g_assert_true (si_store_delete_idea (f->store, si_idea_get_id (b), SI_SAVE_LOCAL, &error));
  WAIT_FOR (g_strcmp0 (row_count (_si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_TAG, work_id)), "1") == 0);
  g_assert_true (si_store_restore_idea (f->store, b, &error));
  g_assert_no_error (error);
  WAIT_FOR (g_strcmp0 (row_count (_si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_TAG, work_id)), "2") == 0);
  g_assert_true (kept == _si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_TAG, work_id));

  /* A renamed tag shows its new name; a deleted one goes. */
  si_tag_set_name (work, "job");
  g_assert_true (si_store_save_tag (f->store, work, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  WAIT_FOR (g_strcmp0 (row_name (_si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_TAG, work_id)), "job") == 0);
  g_assert_cmpstr (row_count (_si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_TAG, work_id)), ==, "2");
  g_assert_true (si_store_delete_tag (f->store, si_tag_get_id (home), SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  WAIT_FOR (_si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_TAG, si_tag_get_id (home)) == NULL);
  g_assert_nonnull (_si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_TAG, work_id));
  if (kept != NULL)
    g_object_remove_weak_pointer (G_OBJECT (kept), (gpointer *) &kept);
  (void) a;
  (void) c;
}

static void
count_paint_cb (GdkFrameClock *clock,
                guint         *n)
{
  (*n)++;
}

/* A count that keeps its number of digits is only drawn again: GTK does not measure it again,
 * so the window is not laid out for it (each layout measured the sidebar's wrapping names again
 * and, on X11, asked the X server for the window's monitor and work area; a first sync changes
 * the counts every second). One that gains digits is measured again and gets the room for them.
 * The label's measures are counted rather than the window's layouts, which a window just shown
 * on a busy machine may still make for reasons of its own. */
static void
test_count_change_without_layout (Fixture       *f,
                                  gconstpointer  data)
{
  GtkWidget *row;
  SiCountLabel *count;
  GdkFrameClock *clock;
  guint measures, paints = 0;
  int width;

  open_window (f, NULL);
  row = _si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_ALL, 0);
  count = g_object_get_data (G_OBJECT (row), "count-label");
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (count)) && g_strcmp0 (si_count_label_get_text (count), "0") == 0);
  si_count_label_set_text (count, "12");
  WAIT_FOR (gtk_widget_get_width (GTK_WIDGET (count)) > 0);
  spin (300);
  width = gtk_widget_get_width (GTK_WIDGET (count));
  measures = _si_count_label_get_n_measures (count);

  clock = gdk_surface_get_frame_clock (gtk_native_get_surface (GTK_NATIVE (f->window)));
  g_signal_connect (clock, "after-paint", G_CALLBACK (count_paint_cb), &paints);
  for (guint i = 3; i <= 9; i++)
    {
      g_autofree char *text = g_strdup_printf ("1%u", i);
      guint painted = paints;

      si_count_label_set_text (count, text);
      WAIT_FOR (paints > painted);
    }
  spin (100);
  g_assert_cmpuint (_si_count_label_get_n_measures (count), ==, measures);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (count)), ==, width);
  g_assert_cmpstr (si_count_label_get_text (count), ==, "19");

  si_count_label_set_text (count, "100,000");
  WAIT_FOR (_si_count_label_get_n_measures (count) > measures && gtk_widget_get_width (GTK_WIDGET (count)) > width);
  g_signal_handlers_disconnect_by_func (clock, count_paint_cb, &paints);
}

/* A tag's name wraps onto up to three lines; the row's box asks its width without a height
 * (its width for the row's height was a bisection of some sixteen Pango layouts at each of the
 * row's layouts in GTK 4.8), and it still wraps within the room it gets. */
static void
test_name_width_without_height (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SiTag) tag = si_store_ensure_tag (f->store, "Zusammenarbeit mit dem Nachbarverein", &error);
  g_autoptr(SiIdea) idea = add_tagged (f->store, "A", tag);
  GtkWidget *row = NULL, *name, *bin;
  int line_height, label_min, label_nat, bin_min, bin_nat, for_height_min, for_height_nat;

  g_assert_no_error (error);
  open_window (f, NULL);
  WAIT_FOR ((row = _si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_TAG, si_tag_get_id (tag))) != NULL &&
            gtk_widget_get_mapped (row) && gtk_widget_get_width (row) > 0);
  name = g_object_get_data (G_OBJECT (row), "name-label");
  bin = gtk_widget_get_parent (name);
  g_assert_true (SI_IS_WRAP_BIN (bin));
  g_assert_true (si_wrap_bin_get_child (SI_WRAP_BIN (bin)) == name);

  /* Asked for one line's height, the label alone wants the whole name on that line; the bin
   * answers with the label's width without a height: at most 14 characters. */
  gtk_widget_measure (name, GTK_ORIENTATION_VERTICAL, 10000, &line_height, NULL, NULL, NULL);
  gtk_widget_measure (name, GTK_ORIENTATION_HORIZONTAL, -1, &label_min, &label_nat, NULL, NULL);
  gtk_widget_measure (name, GTK_ORIENTATION_HORIZONTAL, line_height, &for_height_min, &for_height_nat, NULL, NULL);
  gtk_widget_measure (bin, GTK_ORIENTATION_HORIZONTAL, line_height, &bin_min, &bin_nat, NULL, NULL);
  g_assert_cmpint (for_height_nat, >, label_nat);
  g_assert_cmpint (bin_min, ==, label_min);
  g_assert_cmpint (bin_nat, ==, label_nat);
  g_assert_true (gtk_widget_compute_expand (bin, GTK_ORIENTATION_HORIZONTAL));

  /* In the row, the name wraps onto more than one line within its room. */
  g_assert_cmpint (gtk_widget_get_width (name), <, for_height_nat);
  g_assert_cmpint (gtk_widget_get_height (name), >, line_height);
  (void) idea;
}

int
main (int   argc,
      char *argv[])
{
  si_test_app_init (&argc, &argv);

#define ADD(path, fn) g_test_add ("/app-sidebar/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("rows-kept-when-counts-change", test_rows_kept_when_counts_change);
  ADD ("count-change-without-layout", test_count_change_without_layout);
  ADD ("name-width-without-height", test_name_width_without_height);
#undef ADD
  return g_test_run ();
}
