/* test-app-list.c — the list of a notebook bigger than a screen: how many rows the window keeps
 * alive, and how many ideas it reads from disk when a search ends or a burst of changes arrives
 * (the numbers behind bench/bench-ui.c, counted rather than timed). */
#include "config.h"

#include <string.h>

#include "si-test-app.h"

static void count_reads (SiStore *store, guint *reads);

/* Adds @n ideas titled "@prefix i" in one transaction, as an import or a page of a sync does;
 * with @reads, counts the ideas read from the commit on (the app's reaction, not the saves). */
static void
add_many_counted (SiStore    *store,
                  guint       n,
                  const char *prefix,
                  guint      *reads)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (_si_store_begin (store, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *title = g_strdup_printf ("%s %u", prefix, i);
      g_autoptr(SiIdea) idea = add_idea (store, title, "A body to show under the title.");
    }
  if (reads)
    count_reads (store, reads);
  g_assert_true (_si_store_commit (store, &error));
  g_assert_no_error (error);
}

static void
add_many (SiStore    *store,
          guint       n,
          const char *prefix)
{
  add_many_counted (store, n, prefix, NULL);
}

static guint
count_row_widgets (GtkWidget *widget)
{
  guint n = SI_IS_IDEA_ROW (widget) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    n += count_row_widgets (child);
  return n;
}

/* Counts the statements that read one idea, si_store_get_idea()'s, on the store's connection. */
static int
count_idea_reads (unsigned  type,
                  void     *data,
                  void     *stmt,
                  void     *x)
{
  const char *sql = sqlite3_sql (stmt);

  if (sql && strstr (sql, "FROM ideas i WHERE i.id = ?1"))
    (*(guint *) data)++;
  return 0;
}

static void
count_reads (SiStore *store,
             guint   *reads)
{
  sqlite3 *db = _si_store_get_db (store);

  if (reads == NULL)
    {
      sqlite3_trace_v2 (db, 0, NULL, NULL);
      return;
    }
  sqlite3_trace_v2 (db, SQLITE_TRACE_STMT, count_idea_reads, reads);
  /* The probe itself: one idea read is one count. */
  *reads = 0;
  {
    g_autoptr(SiIdea) idea = si_store_get_idea (store, 1, NULL);
    g_assert_nonnull (idea);
  }
  g_assert_cmpuint (*reads, ==, 1);
  *reads = 0;
}

static guint
selected (SiWindow *window)
{
  g_autoptr(GtkSelectionModel) model = NULL;

  g_object_get (_si_window_get_list_view (window), "model", &model, NULL);
  return gtk_single_selection_get_selected (GTK_SINGLE_SELECTION (model));
}

/* A GtkListView keeps 200 rows alive around what it shows, and makes, binds and measures them
 * all again for each search or tag: the list keeps about a screenful. */
static void
test_keeps_a_screenful (Fixture       *f,
                        gconstpointer  data)
{
  guint n;

  add_many (f->store, 300, "Row");
  open_window (f, NULL);
  WAIT_FOR (n_rows_shown (f->window) > 3);

  n = count_row_widgets (GTK_WIDGET (_si_window_get_list_view (f->window)));
  g_test_message ("%u rows alive, %u shown", n, n_rows_shown (f->window));
  g_assert_cmpuint (n, >=, n_rows_shown (f->window));
  g_assert_cmpuint (n, <=, 64);
}

/* Each search replaces the rows: the window takes rows it put aside instead of building new
 * ones from the template. And the search entry waits only a moment for the next letter. */
static void
test_search_reuses_rows (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) before = g_ptr_array_new ();
  g_autoptr(GPtrArray) after = g_ptr_array_new ();
  SiIdeaList *list;
  guint reused = 0;

  add_many (f->store, 300, "Row");
  open_window (f, NULL);
  list = si_window_get_idea_list (f->window);
  WAIT_FOR (n_rows_shown (f->window) > 3);
  /* Marked, rather than compared by address: a new row can take a destroyed one's memory. */
  collect_rows (GTK_WIDGET (_si_window_get_list_view (f->window)), before);
  for (guint i = 0; i < before->len; i++)
    g_object_set_data (before->pdata[i], "seen-before", GINT_TO_POINTER (1));

  gtk_search_bar_set_search_mode (_si_window_get_search_bar (f->window), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (_si_window_get_search_entry (f->window)), "row 1");
  WAIT_FOR (g_strcmp0 (si_idea_list_get_search (list), "row 1") == 0);
  WAIT_FOR (n_rows_shown (f->window) > 3);
  collect_rows (GTK_WIDGET (_si_window_get_list_view (f->window)), after);

  for (guint i = 0; i < after->len; i++)
    if (g_object_get_data (after->pdata[i], "seen-before"))
      reused++;
  g_test_message ("%u of %u rows reused", reused, after->len);
  g_assert_cmpuint (reused, >=, MIN (before->len, after->len) / 2);
  g_assert_cmpuint (gtk_search_entry_get_search_delay (_si_window_get_search_entry (f->window)), <=, 50);
}

static void
count_switch (guint *switches)
{
  (*switches)++;
}

/* A new search empties the list, then fills it: the page for no results is not shown (and the
 * list unmapped and mapped again) in between. */
static void
test_search_keeps_the_list_page (Fixture       *f,
                                 gconstpointer  data)
{
  GtkStack *stack;
  SiIdeaList *list;
  guint switches = 0;

  add_many (f->store, 300, "Row");
  open_window (f, NULL);
  list = si_window_get_idea_list (f->window);
  stack = _si_window_get_list_stack (f->window);
  WAIT_FOR (n_rows_shown (f->window) > 3);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "list");

  g_signal_connect_swapped (stack, "notify::visible-child", G_CALLBACK (count_switch), &switches);
  gtk_search_bar_set_search_mode (_si_window_get_search_bar (f->window), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (_si_window_get_search_entry (f->window)), "row 2");
  WAIT_FOR (g_strcmp0 (si_idea_list_get_search (list), "row 2") == 0);
  spin (50);
  g_signal_handlers_disconnect_by_data (stack, &switches);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), >, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "list");
  g_assert_cmpuint (switches, ==, 0);
}

/* Ending a search over a big notebook reads the rows it shows, not every idea: GTK looks for the
 * selected row among all the rows a change adds. */
static void
test_ending_search_reads_what_it_shows (Fixture       *f,
                                        gconstpointer  data)
{
  GtkEditable *entry;
  SiIdeaList *list;
  guint reads = 0;

  add_many (f->store, 1200, "Idea");
  open_window (f, NULL);
  list = si_window_get_idea_list (f->window);
  entry = GTK_EDITABLE (_si_window_get_search_entry (f->window));
  WAIT_FOR (si_window_get_current_id (f->window) != 0 && selected (f->window) == 0);

  gtk_search_bar_set_search_mode (_si_window_get_search_bar (f->window), TRUE);
  gtk_editable_set_text (entry, "idea");
  WAIT_FOR (g_strcmp0 (si_idea_list_get_search (list), "idea") == 0);
  spin (50);
  /* The open idea is among the results, and selected there. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 500);
  g_assert_cmpuint (selected (f->window), !=, GTK_INVALID_LIST_POSITION);

  count_reads (f->store, &reads);
  gtk_editable_set_text (entry, "");
  WAIT_FOR (si_idea_list_get_search (list) == NULL);
  spin (100);
  count_reads (f->store, NULL);

  g_test_message ("%u ideas read", reads);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1200);
  g_assert_cmpuint (reads, <=, 100);
  g_assert_cmpuint (selected (f->window), ==, 0);
}

/* A burst of changes (a page of a sync) moves the selected row: the window reads the rows it
 * shows, not the 500 rows the list has loaded. */
static void
test_burst_reads_what_it_shows (Fixture       *f,
                                gconstpointer  data)
{
  SiIdeaList *list;
  gint64 open_id;
  guint reads = 0, position = 0;

  add_many (f->store, 1200, "Old");
  open_window (f, NULL);
  list = si_window_get_idea_list (f->window);
  WAIT_FOR (si_window_get_current_id (f->window) != 0 && selected (f->window) == 0);
  open_id = si_window_get_current_id (f->window);

  add_many_counted (f->store, 300, "New", &reads);
  /* The window's list reaches its first rows a few at a time (test-app-pace.c). */
  WAIT_FOR (si_idea_list_find (list, open_id, &position) && position == 300);
  spin (100);
  count_reads (f->store, NULL);

  g_test_message ("%u ideas read", reads);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1500);
  g_assert_true (si_idea_list_find (list, open_id, &position));
  g_assert_cmpuint (position, ==, 300);
  g_assert_cmpuint (selected (f->window), ==, 300);
  g_assert_cmpuint (reads, <=, 150);
}

int
main (int   argc,
      char *argv[])
{
  si_test_app_init (&argc, &argv);

#define ADD(path, fn) g_test_add ("/app-list/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("keeps-a-screenful", test_keeps_a_screenful);
  ADD ("search-reuses-rows", test_search_reuses_rows);
  ADD ("search-keeps-the-list-page", test_search_keeps_the_list_page);
  ADD ("ending-search-reads-what-it-shows", test_ending_search_reads_what_it_shows);
  ADD ("burst-reads-what-it-shows", test_burst_reads_what_it_shows);
#undef ADD

  return g_test_run ();
}
