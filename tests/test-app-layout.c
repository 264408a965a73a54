/* test-app-layout.c — the window at the widths and text sizes people use: which panes are on
 * screen, that titles wrap, where the list is scrolled, and how many empty states show.
 *
 * The checks go by what is drawn (a widget mapped, inside the window, not stretched), not by
 * which container holds it, so they say the same thing whatever the layout is built from. */
#include "config.h"

#include "si-test-app.h"

#define DPI_1_0 (96 * 1024)
#define DPI_1_5 (144 * 1024)

static void
set_text_scale (int xft_dpi)
{
  g_object_set (gtk_settings_get_default (), "gtk-xft-dpi", xft_dpi, NULL);
}

/* A window @width px wide on the fixture's notebook, laid out. */
static void
open_window_with (Fixture       *f,
                  SiSyncManager *manager,
                  int            width)
{
  if (f->window)
    gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = si_window_new (NULL, f->store, manager);
  gtk_window_set_default_size (GTK_WINDOW (f->window), width, 700);
  gtk_window_present (GTK_WINDOW (f->window));
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (f->window)));
  spin (100);
  /* The default size counts the window's frame: the inside is a few pixels narrower. */
  g_assert_cmpint (ABS (gtk_widget_get_width (GTK_WIDGET (f->window)) - width), <=, 12);
}

static void
open_window_at (Fixture *f,
                int      width)
{
  open_window_with (f, NULL, width);
}

/* Whether @widget is on screen: mapped, with a size, and inside the window. Returns its width. */
static int
shown_width (SiWindow  *window,
             GtkWidget *widget)
{
  graphene_rect_t bounds;
  int window_width = gtk_widget_get_width (GTK_WIDGET (window));

  if (!gtk_widget_get_mapped (widget) || !gtk_widget_get_child_visible (widget) ||
      !gtk_widget_compute_bounds (widget, GTK_WIDGET (window), &bounds))
    return 0;
  for (GtkWidget *w = widget; w; w = gtk_widget_get_parent (w))
    if (!gtk_widget_get_child_visible (w) || !gtk_widget_get_visible (w))
      return 0;
  /* Off to one side (a page slid away, a flap hidden) is not shown. */
  if (bounds.origin.x >= window_width || bounds.origin.x + bounds.size.width <= 0 ||
      bounds.size.width < 1)
    return 0;
  return (int) bounds.size.width;
}

static int
sidebar_width (SiWindow *window)
{
  return shown_width (window, GTK_WIDGET (_si_window_get_sidebar (window)));
}

static int
list_width (SiWindow *window)
{
  return shown_width (window, GTK_WIDGET (_si_window_get_list_view (window)));
}

static int
editor_width (SiWindow *window)
{
  return shown_width (window, GTK_WIDGET (_si_window_get_editor (window)));
}

static void
add_sample_ideas (Fixture *f,
                  guint    n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *title = g_strdup_printf ("Reading list for the summer %u", i);
      g_autoptr(SiIdea) idea = add_idea (f->store, title, "An idea to come back to, with a body.");
    }
}

/* A window that is not folded opens the newest idea in an idle after its first frame, and the
 * editor is laid out a frame later: on a busy machine both can come after open_window_at()'s
 * spin, so measure only once the window has settled either way. */
static void
wait_for_first_idea (Fixture *f)
{
  AdwLeaflet *leaflet = _si_window_get_leaflet (f->window);

  WAIT_FOR (adw_leaflet_get_folded (leaflet) ||
            (si_editor_get_idea (_si_window_get_editor (f->window)) != NULL &&
             editor_width (f->window) > 0));
}

/* Which panes show, at every width the issue names, at text scale 1.0 and 1.5. */
static void
check_panes_at (Fixture *f,
                int      width,
                gboolean large_text)
{
  int sidebar, list, editor, inside;
  gboolean over_list;

  open_window_at (f, width);
  wait_for_first_idea (f);
  inside = gtk_widget_get_width (GTK_WIDGET (f->window));
  sidebar = sidebar_width (f->window);
  list = list_width (f->window);
  editor = editor_width (f->window);
  g_test_message ("%d px%s: sidebar %d, list %d, editor %d", width, large_text ? " (1.5)" : "",
                  sidebar, list, editor);

  /* Never a pane wider than the window, never the sidebar alone. */
  g_assert_cmpint (sidebar, <=, inside);
  g_assert_cmpint (list, <=, inside);
  g_assert_cmpint (editor, <=, inside);
  g_assert_true (list > 0 || editor > 0);
  if (sidebar > 0)
    {
      g_assert_cmpint (list, >, 0);
      g_assert_cmpint (sidebar, <, inside / 2);
    }

  if (width < 580)
    /* One pane at a time. */
    g_assert_true ((list > 0) != (editor > 0));
  else if (width >= 600 && !large_text)
    {
      /* List and editor side by side from about 600 px... */
      g_assert_cmpint (list, >, 0);
      g_assert_cmpint (editor, >, 0);
      /* ...and the sidebar beside them when there is room. */
      if (width >= 1000)
        g_assert_cmpint (sidebar, >, 0);
    }
  else if (width >= 880)
    {
      g_assert_cmpint (list, >, 0);
      g_assert_cmpint (editor, >, 0);
    }

  /* The sidebar is always in reach: Back (Alt+Left) from wherever the window is. */
  over_list = sidebar_width (f->window) == 0;
  for (int i = 0; i < 2 && sidebar_width (f->window) == 0; i++)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "list.back", NULL));
      spin (50);
    }
  sidebar = sidebar_width (f->window);
  g_assert_cmpint (sidebar, >, 0);
  g_assert_cmpint (sidebar, <, inside);
  /* Brought over the list, with the keyboard there too. */
  if (over_list)
    g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (f->window)),
                                           GTK_WIDGET (_si_window_get_sidebar (f->window))));

  /* Choosing a collection shows its list. */
  g_signal_emit_by_name (_si_window_get_sidebar (f->window), "row-activated",
                         _si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_ALL, 0));
  spin (50);
  g_assert_cmpint (list_width (f->window), >, 0);
  if (over_list)
    g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (f->window)),
                                           GTK_WIDGET (_si_window_get_list_view (f->window))) ||
                   gtk_window_get_focus (GTK_WINDOW (f->window)) == GTK_WIDGET (_si_window_get_list_view (f->window)));
  /* A sidebar still on screen is beside the list, not over it. */
  if (sidebar_width (f->window) > 0)
    {
      graphene_rect_t sidebar_bounds, list_bounds;

      g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (_si_window_get_sidebar (f->window)),
                                                GTK_WIDGET (f->window), &sidebar_bounds));
      g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (_si_window_get_list_view (f->window)),
                                                GTK_WIDGET (f->window), &list_bounds));
      g_assert_cmpfloat (sidebar_bounds.origin.x + sidebar_bounds.size.width, <=, list_bounds.origin.x);
    }
}

static void
test_panes_at_widths (Fixture       *f,
                      gconstpointer  data)
{
  static const int widths[] = { 360, 600, 760, 880, 1000, 1280 };

  add_sample_ideas (f, 3);
  for (guint scale = 0; scale < 2; scale++)
    {
      set_text_scale (scale ? DPI_1_5 : DPI_1_0);
      for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
        check_panes_at (f, widths[i], scale == 1);
    }
  set_text_scale (DPI_1_0);
}

/* Titles ----------------------------------------------------------------------------------------- */

/* Asserts that @text has the room its lines are drawn in: the snippet below does not run over a
 * title's second line. */
static void
assert_room_for_lines (SiRowText *text)
{
  int drawn;

  pango_layout_get_pixel_size (si_row_text_get_layout (text), NULL, &drawn);
  g_test_message ("\"%s\": %d lines, %d px high, drawn %d px", si_row_text_get_text (text),
                  pango_layout_get_line_count (si_row_text_get_layout (text)),
                  gtk_widget_get_height (GTK_WIDGET (text)), drawn);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (text)), >=, drawn);
}

/* At 1.5x text a list title wraps onto a second line instead of shrinking to "Reading l…";
 * two lines at most. */
static void
test_row_titles_wrap (Fixture       *f,
                      gconstpointer  data)
{
  static const char *title = "Reading list for the summer";
  static const char *long_title = "Talk idea: offline first, and why local-first apps feel faster "
                                  "than the ones that wait for the network every time";
  g_autoptr(SiIdea) a = add_idea (f->store, title, "Piranesi");
  g_autoptr(SiIdea) b = add_idea (f->store, long_title, "No spinner");
  SiIdeaRow *row;
  SiRowText *text;

  set_text_scale (DPI_1_5);
  open_window_at (f, 1000);
  WAIT_FOR ((row = find_row (f->window, title)) != NULL);
  text = find_row_text (GTK_WIDGET (row), title);
  g_assert_nonnull (text);
  g_assert_cmpint (si_row_text_get_lines (text), ==, 2);
  g_assert_false (pango_layout_is_ellipsized (si_row_text_get_layout (text)));
  assert_room_for_lines (text);

  /* A title too long for two lines ends in an ellipsis on the second. */
  WAIT_FOR ((row = find_row (f->window, long_title)) != NULL);
  text = find_row_text (GTK_WIDGET (row), long_title);
  g_assert_nonnull (text);
  g_assert_cmpint (pango_layout_get_line_count (si_row_text_get_layout (text)), ==, 2);
  g_assert_true (pango_layout_is_ellipsized (si_row_text_get_layout (text)));
  assert_room_for_lines (text);
  set_text_scale (DPI_1_0);
}

/* Every title and snippet the list shows under @widget: @texts. */
static void
collect_row_texts (GtkWidget *widget,
                   GPtrArray *texts)
{
  if (SI_IS_ROW_TEXT (widget))
    {
      if (gtk_widget_get_mapped (widget))
        g_ptr_array_add (texts, widget);
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    collect_row_texts (child, texts);
}

/* Every row's title and snippet has the room it is drawn in, at every width and both text
 * scales, also where a title fits its row's widest line but wraps at the width it gets ("Ideas
 * for the app's conflict dialog" at 360 px). */
static void
test_row_texts_have_room (Fixture       *f,
                          gconstpointer  data)
{
  static const char *titles[] = {
    "Milk", "Reading list for the summer", "Ideas for the app's conflict dialog",
    "Fahrradtour zum See am Wochenende mit allen Kindern und dem Hund",
    "Donaudampfschifffahrtsgesellschaftskapitänsmütze", "שלום עולם — a title in Hebrew",
  };
  static const int widths[] = { 360, 480, 760, 1000, 1280 };
  guint n_wrapped = 0;

  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    g_object_unref (add_idea (f->store, titles[i], i % 2 ? "A snippet that runs on for long enough to need a second line in a narrow list, and then some more words" : "short"));
  for (int scale = 0; scale < 2; scale++)
    {
      set_text_scale (scale ? DPI_1_5 : DPI_1_0);
      for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
        {
          g_autoptr(GPtrArray) texts = g_ptr_array_new ();

          open_window_at (f, widths[w]);
          WAIT_FOR (find_row (f->window, titles[0]) != NULL);
          collect_row_texts (GTK_WIDGET (_si_window_get_list_view (f->window)), texts);
          g_assert_cmpuint (texts->len, >=, G_N_ELEMENTS (titles));
          for (guint i = 0; i < texts->len; i++)
            {
              assert_room_for_lines (texts->pdata[i]);
              if (pango_layout_get_line_count (si_row_text_get_layout (texts->pdata[i])) > 1)
                n_wrapped++;
            }
        }
    }
  /* The text scale changed under an open window: every text is measured again in the new size. */
  {
    g_autoptr(GPtrArray) texts = g_ptr_array_new ();
    SiRowText *first = find_row_text (GTK_WIDGET (find_row (f->window, titles[0])), titles[0]);
    int before, after;

    gtk_widget_measure (GTK_WIDGET (first), GTK_ORIENTATION_HORIZONTAL, -1, &before, NULL, NULL, NULL);
    set_text_scale (DPI_1_0);
    spin (200);
    gtk_widget_measure (GTK_WIDGET (first), GTK_ORIENTATION_HORIZONTAL, -1, &after, NULL, NULL, NULL);
    g_test_message ("the first title's least width: %d px at 1.5x, %d px at 1x", before, after);
    g_assert_cmpint (after * 4, <, before * 3);
    collect_row_texts (GTK_WIDGET (_si_window_get_list_view (f->window)), texts);
    for (guint i = 0; i < texts->len; i++)
      assert_room_for_lines (texts->pdata[i]);
  }
  /* In a right-to-left interface (Hebrew, Arabic) the text starts at the right, as a label's. */
  {
    SiRowText *first = find_row_text (GTK_WIDGET (find_row (f->window, titles[0])), titles[0]);

    g_assert_cmpint (pango_layout_get_alignment (si_row_text_get_layout (first)), ==, PANGO_ALIGN_LEFT);
    gtk_widget_set_direction (GTK_WIDGET (first), GTK_TEXT_DIR_RTL);
    g_assert_cmpint (pango_layout_get_alignment (si_row_text_get_layout (first)), ==, PANGO_ALIGN_RIGHT);
    gtk_widget_set_direction (GTK_WIDGET (first), GTK_TEXT_DIR_NONE);
  }
  /* Not a test of one-line texts only. */
  g_assert_cmpuint (n_wrapped, >=, 10);
}

/* Whether the whole of @title's text is inside it: wrapped onto lines, not scrolled sideways. */
static gboolean
shows_all_text (GtkWidget *title)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (title));

  if (GTK_IS_TEXT_VIEW (title))
    {
      GtkTextBuffer *text_buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (title));
      GdkRectangle visible, last;
      GtkTextIter end;

      gtk_text_buffer_get_end_iter (text_buffer, &end);
      gtk_text_view_get_visible_rect (GTK_TEXT_VIEW (title), &visible);
      gtk_text_view_get_iter_location (GTK_TEXT_VIEW (title), &end, &last);
      return last.x <= visible.x + visible.width && last.y + last.height <= visible.y + visible.height;
    }
  else
    {
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (title, text);
      int width;

      pango_layout_get_pixel_size (layout, &width, NULL);
      return width <= gtk_widget_get_width (title);
    }
}

/* The editor's title wraps onto as many lines as it needs, at 1.5x text in a medium window. */
static void
test_editor_title_wraps (Fixture       *f,
                         gconstpointer  data)
{
  static const char *long_title = "Talk idea: offline first, and why local-first apps feel faster "
                                  "than the ones that wait for the network every time";
  g_autoptr(SiIdea) idea = add_idea (f->store, long_title, "No spinner");
  GtkWidget *title;

  set_text_scale (DPI_1_5);
  open_window_at (f, 880);
  si_window_open_idea (f->window, si_idea_get_id (idea));
  if (adw_leaflet_get_folded (_si_window_get_leaflet (f->window)))
    adw_leaflet_set_visible_child_name (_si_window_get_leaflet (f->window), "editor");
  spin (100);
  title = GTK_WIDGET (_si_editor_get_title_editable (_si_window_get_editor (f->window)));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (title)), ==, long_title);
  g_assert_cmpint (shown_width (f->window, title), >, 0);
  /* The text view lays its lines out in idle time: its height grows to them. */
  WAIT_FOR (shows_all_text (title));

  /* Still one line of text: Enter moves on to the body, a pasted line break is a space. */
  gtk_editable_set_text (GTK_EDITABLE (title), "Two\nlines");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (title)), ==, "Two lines");
  set_text_scale (DPI_1_0);
}

/* Scrolling ----------------------------------------------------------------------------------- */

static GtkAdjustment *
list_adjustment (SiWindow *window)
{
  return gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (_si_window_get_list_view (window)));
}

static void
scroll_list_to_bottom (SiWindow *window)
{
  GtkAdjustment *adj = list_adjustment (window);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (si_window_get_idea_list (window)));

  WAIT_FOR (gtk_adjustment_get_upper (adj) > 2 * gtk_adjustment_get_page_size (adj));
  /* Through the list's own action, as a person's keyboard does: GTK 4.8 warns ("failed to
   * scroll to given position") when the adjustment is set to a value past the rows it has
   * laid out so far, which a busy machine (ASan, other tests) gets to see. */
  gtk_widget_activate_action (GTK_WIDGET (_si_window_get_list_view (window)), "list.scroll-to-item", "u", n - 1);
  WAIT_FOR (gtk_adjustment_get_value (adj) > gtk_adjustment_get_page_size (adj));
}

/* Whether @row is inside the part of the list on screen. */
static gboolean
row_in_view (SiWindow  *window,
             SiIdeaRow *row)
{
  GtkWidget *view = GTK_WIDGET (_si_window_get_list_view (window));
  graphene_rect_t bounds;

  if (row == NULL || !gtk_widget_compute_bounds (GTK_WIDGET (row), view, &bounds))
    return FALSE;
  return bounds.origin.y >= 0 && bounds.origin.y + bounds.size.height <= gtk_widget_get_height (view);
}

static void
test_search_scrolls_to_top (Fixture       *f,
                            gconstpointer  data)
{
  GtkAdjustment *adj;

  add_sample_ideas (f, 60);
  open_window_at (f, 1000);
  adj = list_adjustment (f->window);
  scroll_list_to_bottom (f->window);

  /* Every idea matches: the list keeps its length, and starts again at the top. */
  gtk_search_bar_set_search_mode (_si_window_get_search_bar (f->window), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (_si_window_get_search_entry (f->window)), "reading");
  g_signal_emit_by_name (_si_window_get_search_entry (f->window), "search-changed");
  /* The new results come after the search delay and a query: on a busy machine (ASan, other
   * builds) that can take longer than a fixed pause, so wait for the list to be back on top. */
  WAIT_FOR (gtk_adjustment_get_value (adj) == gtk_adjustment_get_lower (adj));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (si_window_get_idea_list (f->window))), ==, 60);
  {
    SiIdeaList *list = si_window_get_idea_list (f->window);
    g_autoptr(SiIdea) first = si_store_get_idea (f->store, si_idea_list_get_id_at (list, 0), NULL);

    g_assert_true (row_in_view (f->window, find_row (f->window, si_idea_get_title (first))));
  }

  /* A tag chosen in the sidebar is new results too. */
  gtk_search_bar_set_search_mode (_si_window_get_search_bar (f->window), FALSE);
  spin (50);
  scroll_list_to_bottom (f->window);
  gtk_list_box_select_row (_si_window_get_sidebar (f->window),
                           GTK_LIST_BOX_ROW (_si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_PINNED, 0)));
  gtk_list_box_select_row (_si_window_get_sidebar (f->window),
                           GTK_LIST_BOX_ROW (_si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_ALL, 0)));
  WAIT_FOR (gtk_adjustment_get_value (adj) == gtk_adjustment_get_lower (adj));
}

/* Ctrl+N with the list scrolled away: the new idea's row comes into view, selected, and the
 * editor's title has the focus. */
static void
test_new_idea_scrolled_into_view (Fixture       *f,
                                  gconstpointer  data)
{
  GtkWidget *title;

  add_sample_ideas (f, 60);
  open_window_at (f, 1000);
  scroll_list_to_bottom (f->window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "idea.new", NULL));
  /* Laid out first: a row just made sits at 0, 0 until it is allocated. */
  spin (200);
  g_assert_true (row_in_view (f->window, find_row (f->window, "New idea")));
  g_assert_cmpuint (gtk_single_selection_get_selected (
                      GTK_SINGLE_SELECTION (gtk_grid_view_get_model (_si_window_get_list_view (f->window)))),
                    ==, 0);
  title = GTK_WIDGET (_si_editor_get_title_editable (_si_window_get_editor (f->window)));
  WAIT_FOR (gtk_window_get_focus (GTK_WINDOW (f->window)) != NULL &&
            (gtk_window_get_focus (GTK_WINDOW (f->window)) == title ||
             gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (f->window)), title)));
}

/* Empty states ---------------------------------------------------------------------------------- */

static void
count_status_pages (SiWindow  *window,
                    GtkWidget *widget,
                    guint     *n)
{
  if (ADW_IS_STATUS_PAGE (widget) && shown_width (window, widget) > 0)
    (*n)++;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    count_status_pages (window, child, n);
}

/* First start: one empty state ("No Ideas Yet" with its button), not two side by side. */
static void
test_one_empty_state (Fixture       *f,
                      gconstpointer  data)
{
  guint n = 0;

  open_window_at (f, 1000);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (_si_window_get_list_stack (f->window)), ==, "empty");
  count_status_pages (f->window, GTK_WIDGET (f->window), &n);
  g_assert_cmpuint (n, ==, 1);

  /* With ideas to pick, the editor says so. */
  {
    g_autoptr(SiIdea) idea = add_idea (f->store, "Something", NULL);
  }
  WAIT_FOR (n_rows_shown (f->window) == 1);
  si_window_open_idea (f->window, 0);
  spin (50);
  n = 0;
  count_status_pages (f->window, GTK_WIDGET (f->window), &n);
  g_assert_cmpuint (n, ==, 1);
}

/* The header's sync status --------------------------------------------------------------------- */

static void
check_labels_whole (SiWindow  *window,
                    GtkWidget *widget,
                    guint     *n_shown)
{
  if (GTK_IS_LABEL (widget) && shown_width (window, widget) > 0 &&
      gtk_label_get_label (GTK_LABEL (widget))[0] != '\0')
    {
      g_test_message ("status shows “%s”", gtk_label_get_label (GTK_LABEL (widget)));
      /* Cut, if at all, only past a width that still says something. */
      if (pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (widget))))
        g_assert_cmpint (shown_width (window, widget), >=, 100);
      (*n_shown)++;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    check_labels_whole (window, child, n_shown);
}

/* A manager whose sync failed against @fault (a server that answers 503) and waits 30 s or
 * more before it tries again. */
static SiSyncManager *
start_failed_sync (Fixture         *f,
                   GNetworkMonitor *monitor,
                   FaultServer     *fault)
{
  SiSyncManager *manager = make_manager (f->store, fault->url, monitor);

  si_sync_manager_set_backoff (manager, 30000, 60000);
  si_sync_manager_start (manager);
  WAIT_FOR (si_sync_manager_get_state (manager) == SI_SYNC_MANAGER_STATE_ERROR);
  return manager;
}

/* A manager whose first sync has its first page from @fault, 2 of 5,000 ideas, and waits for
 * the next, which never comes. */
static SiSyncManager *
start_hung_first_sync (Fixture         *f,
                       GNetworkMonitor *monitor,
                       FaultServer     *fault)
{
  SiSyncManager *manager;

  fault->first_page = fault_page_two_of_5000;
  manager = make_manager (f->store, fault->url, monitor);
  si_sync_manager_start (manager);
  WAIT_FOR (si_sync_manager_get_progress_done (manager) == 2);
  return manager;
}

/* The status is whole, cut only past a minimum width, or not there (an icon, with the text in
 * the tooltip): never "Sy…".
 * A failed sync says the most: "Sync failed: <reason> · retrying in 30 s". */
static void
test_sync_status_fits (Fixture       *f,
                       gconstpointer  data)
{
  static const int widths[] = { 360, 600, 1000 };
  g_autoptr(GNetworkMonitor) monitor = test_network_monitor_new (TRUE);
  g_autoptr(SiSyncManager) manager = NULL;
  g_autoptr(SiIdea) idea = add_idea (f->store, "Something", NULL);
  FaultServer *fault = fault_server_new (FALSE);

  manager = start_failed_sync (f, monitor, fault);

  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      GtkWidget *indicator;
      guint n_shown = 0;

      open_window_with (f, manager, widths[i]);
      si_window_open_idea (f->window, si_idea_get_id (idea));
      if (adw_leaflet_get_folded (_si_window_get_leaflet (f->window)))
        adw_leaflet_set_visible_child_name (_si_window_get_leaflet (f->window), "editor");
      spin (50);
      indicator = GTK_WIDGET (_si_window_get_sync_indicator (f->window));
      g_test_message ("%d px: %s", widths[i], si_sync_indicator_get_text (SI_SYNC_INDICATOR (indicator)));
      g_assert_cmpint (shown_width (f->window, indicator), >, 0);
      check_labels_whole (f->window, indicator, &n_shown);
      /* At the default width, in words. */
      if (widths[i] >= 1000)
        g_assert_cmpuint (n_shown, ==, 1);
    }
  gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = NULL;
  si_sync_manager_stop (manager);
  fault_server_free (fault);
}

/* Opens a window of @width px on @manager, folded on the list, and asserts that the list's header
 * shows the sync status, the same as the editor's, in words that are whole. */
static SiSyncIndicator *
assert_list_shows_status (Fixture       *f,
                          SiSyncManager *manager,
                          int            width)
{
  SiSyncIndicator *in_list;
  guint n_shown = 0;

  open_window_with (f, manager, width);
  WAIT_FOR (adw_leaflet_get_folded (_si_window_get_leaflet (f->window)));
  spin (50);
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (_si_window_get_leaflet (f->window)), ==, "list");
  in_list = _si_window_get_list_sync_indicator (f->window);
  g_assert_cmpint (shown_width (f->window, GTK_WIDGET (in_list)), >, 0);
  /* The same words as the editor's. A retry's countdown steps both at the same moment, but each
   * on its own timer: one may be a turn of the main loop ahead. */
  WAIT_FOR (g_strcmp0 (si_sync_indicator_get_text (in_list),
                       si_sync_indicator_get_text (_si_window_get_sync_indicator (f->window))) == 0);
  check_labels_whole (f->window, GTK_WIDGET (in_list), &n_shown);
  g_test_message ("%d px, the list's header: %s (%u labels shown)", width, si_sync_indicator_get_text (in_list), n_shown);
  return in_list;
}

/* A folded window (half a laptop's screen, a phone) shows the list without the editor's header:
 * the list's header says how syncing is, and Sync Status opens its popover there, on the list.
 * A wide window shows the status once, in the editor's header. */
static void
test_sync_status_folded (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GNetworkMonitor) monitor = test_network_monitor_new (TRUE);
  g_autoptr(SiSyncManager) manager = NULL;
  g_autoptr(SiIdea) idea = add_idea (f->store, "Something", NULL);
  FaultServer *fault = fault_server_new (FALSE);
  SiSyncIndicator *in_list;
  GtkWidget *popover;

  manager = start_failed_sync (f, monitor, fault);

  in_list = assert_list_shows_status (f, manager, 360);
  si_window_show_sync_status (f->window);
  popover = find_descendant (GTK_WIDGET (in_list), GTK_TYPE_POPOVER);
  g_assert_nonnull (popover);
  WAIT_FOR (gtk_widget_get_mapped (popover));
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (_si_window_get_leaflet (f->window)), ==, "list");
  gtk_popover_popdown (GTK_POPOVER (popover));

  /* Wide: the editor's header alone, and the list's follows no manager. */
  open_window_with (f, manager, 1000);
  spin (50);
  g_assert_false (adw_leaflet_get_folded (_si_window_get_leaflet (f->window)));
  in_list = _si_window_get_list_sync_indicator (f->window);
  g_assert_cmpint (shown_width (f->window, GTK_WIDGET (in_list)), ==, 0);
  g_assert_null (si_sync_indicator_get_manager (in_list));
  g_assert_cmpint (shown_width (f->window, GTK_WIDGET (_si_window_get_sync_indicator (f->window))), >, 0);

  gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = NULL;
  si_sync_manager_stop (manager);
  fault_server_free (fault);
}

/* A sync under way, at text scale 1.5: the window is still 360 px wide (a progress bar of a
 * fixed minimum width in either header made it 450), and its list's header shows the sync. */
static void
test_sync_status_folded_syncing (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GNetworkMonitor) monitor = test_network_monitor_new (TRUE);
  g_autoptr(SiSyncManager) manager = NULL;
  FaultServer *fault = fault_server_new (TRUE);

  manager = start_hung_first_sync (f, monitor, fault);
  set_text_scale (DPI_1_5);
  assert_list_shows_status (f, manager, 360);
  g_assert_true (si_sync_indicator_get_progress_visible (_si_window_get_list_sync_indicator (f->window)));
  set_text_scale (DPI_1_0);
  g_assert_cmpuint (si_sync_manager_get_state (manager), ==, SI_SYNC_MANAGER_STATE_SYNCING);
  gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = NULL;
  si_sync_manager_cancel (manager);
  si_sync_manager_stop (manager);
  fault_server_free (fault);
}

/* The label of @indicator's status that is on screen, or NULL (the icon alone). */
static GtkLabel *
shown_status (SiWindow  *window,
              GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && shown_width (window, widget) > 0 &&
      gtk_label_get_label (GTK_LABEL (widget))[0] != '\0')
    return GTK_LABEL (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = shown_status (window, child);
      if (found)
        return found;
    }
  return NULL;
}

/* Narrows the window from 1,200 px, text scale 1.5, the editor's pane shown (with the idea
 * @id open when not 0), until the sync indicator no longer shows @whole, its status; then
 * asserts that it shows @word there, whole, rather than @whole cut or the icon alone. Fails
 * when every width down to 600 px showed @whole: the test would say nothing. */
static void
assert_status_word_where_narrow (Fixture       *f,
                                 SiSyncManager *manager,
                                 gint64         id,
                                 const char    *whole,
                                 const char    *word)
{
  gboolean narrow_seen = FALSE;

  set_text_scale (DPI_1_5);
  for (int width = 1200; width >= 600 && !narrow_seen; width -= 40)
    {
      SiSyncIndicator *indicator;
      GtkLabel *shown;

      open_window_with (f, manager, width);
      if (id != 0)
        si_window_open_idea (f->window, id);
      if (adw_leaflet_get_folded (_si_window_get_leaflet (f->window)))
        adw_leaflet_set_visible_child_name (_si_window_get_leaflet (f->window), "editor");
      spin (50);
      indicator = _si_window_get_sync_indicator (f->window);
      g_assert_cmpstr (si_sync_indicator_get_text (indicator), ==, whole);
      shown = shown_status (f->window, GTK_WIDGET (indicator));
      g_test_message ("%d px: %s", width, shown ? gtk_label_get_label (shown) : "(the icon)");
      if (shown != NULL && g_str_equal (gtk_label_get_label (shown), whole))
        continue;
      narrow_seen = TRUE;
      g_assert_nonnull (shown);
      g_assert_cmpstr (gtk_label_get_label (shown), ==, word);
      g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (shown)));
    }
  set_text_scale (DPI_1_0);
  g_assert_true (narrow_seen);
  gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = NULL;
}

/* Synced, with large text in a pane too narrow for "All changes synced" (German's "Alle
 * Änderungen synchronisiert" is wider still): the header says "Synced", whole, rather than
 * "All changes…" or an icon alone. */
static void
test_sync_status_word (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GNetworkMonitor) monitor = test_network_monitor_new (TRUE);
  g_autoptr(SiSyncManager) manager = NULL;
  g_autoptr(SiIdea) idea = add_idea (f->store, "Something", NULL);

  mark_all_synced (f->store);
  manager = make_manager (f->store, "http://127.0.0.1:9", monitor);
  assert_status_word_where_narrow (f, manager, si_idea_get_id (idea), "All changes synced", "Synced");
}

/* A long first sync, with large text in a pane too narrow for "Syncing 2 of 5,000": the header
 * says "Syncing" beside its progress bar rather than showing the icon alone. */
static void
test_sync_status_word_syncing (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GNetworkMonitor) monitor = test_network_monitor_new (TRUE);
  g_autoptr(SiSyncManager) manager = NULL;
  FaultServer *fault = fault_server_new (TRUE);

  manager = start_hung_first_sync (f, monitor, fault);
  assert_status_word_where_narrow (f, manager, 0, "Syncing 2 of 5,000", "Syncing");
  g_assert_cmpuint (si_sync_manager_get_state (manager), ==, SI_SYNC_MANAGER_STATE_SYNCING);
  si_sync_manager_cancel (manager);
  si_sync_manager_stop (manager);
  fault_server_free (fault);
}

/* A narrow window opens on the list, as a phone-sized GNOME app does; a wide one opens the
 * newest idea beside it. */
static void
test_narrow_starts_on_the_list (Fixture       *f,
                                gconstpointer  data)
{
  add_sample_ideas (f, 3);

  open_window_at (f, 360);
  WAIT_FOR (list_width (f->window) > 0);
  spin (100);
  g_assert_cmpint (list_width (f->window), >, 0);
  g_assert_cmpint (editor_width (f->window), ==, 0);
  g_assert_null (si_editor_get_idea (_si_window_get_editor (f->window)));

  open_window_at (f, 1000);
  WAIT_FOR (si_editor_get_idea (_si_window_get_editor (f->window)) != NULL);
  WAIT_FOR (editor_width (f->window) > 0);
  g_assert_cmpint (list_width (f->window), >, 0);
}

int
main (int   argc,
      char *argv[])
{
  si_test_app_init (&argc, &argv);

#define ADD(path, fn) g_test_add ("/app-layout/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("panes-at-widths", test_panes_at_widths);
  ADD ("row-titles-wrap", test_row_titles_wrap);
  ADD ("row-texts-have-room", test_row_texts_have_room);
  ADD ("editor-title-wraps", test_editor_title_wraps);
  ADD ("search-scrolls-to-top", test_search_scrolls_to_top);
  ADD ("new-idea-scrolled-into-view", test_new_idea_scrolled_into_view);
  ADD ("one-empty-state", test_one_empty_state);
  ADD ("sync-status-fits", test_sync_status_fits);
  ADD ("sync-status-word", test_sync_status_word);
  ADD ("sync-status-word-syncing", test_sync_status_word_syncing);
  ADD ("sync-status-folded", test_sync_status_folded);
  ADD ("sync-status-folded-syncing", test_sync_status_folded_syncing);
  ADD ("narrow-starts-on-the-list", test_narrow_starts_on_the_list);
#undef ADD

  return g_test_run ();
}
