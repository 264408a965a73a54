/* test-app-pace.c — the window's list while many ideas arrive at once (a page of a sync): the
 * first rows change a few at a time over several main-loop iterations, so that no frame lays
 * out every row the window shows, and the list ends exactly as the store orders the ideas. */
#include "config.h"

#include <string.h>

#include "si-test-app.h"

/* SiIdeaList's PACE_BUDGET: rows (and changes) per step. */
#define BUDGET 4
/* SiIdeaList's PACE_BUDGET_FILLING (a run of new rows counts one, and each row one more): one
 * new row per step while a list fills up from empty, up to PACED_ROWS rows. */
#define ROWS_PER_STEP_FILLING 1
#define PACED_ROWS 40
/* SiIdeaList's REFRESH_INTERVAL_MS: pages announced closer together wait for it. */
#define REFRESH_INTERVAL_MS 1000
/* SiIdeaList's REFRESH_INTERVAL_LONG_MS: after a refresh that waited, the next interval. */
#define REFRESH_INTERVAL_LONG_MS 2000

/* Adds @n ideas titled "@prefix i" in one transaction, as a page of a sync does: past 200, the
 * store announces them as one "anything may have changed", below idea by idea. */
static void
add_many (SiStore    *store,
          guint       n,
          const char *prefix)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (_si_store_begin (store, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *title = g_strdup_printf ("%s %u", prefix, i);
      g_autoptr(SiIdea) idea = add_idea (store, title, "A body to show under the title.");
    }
  g_assert_true (_si_store_commit (store, &error));
  g_assert_no_error (error);
}

static gboolean
has_prefix (SiIdeaList *list,
            guint       position,
            const char *prefix)
{
  g_autoptr(SiIdea) idea = g_list_model_get_item (G_LIST_MODEL (list), position);

  return idea != NULL && g_str_has_prefix (si_idea_get_title (idea), prefix);
}

/* How many of the first @n rows are ideas titled "@prefix …". */
static guint
count_first (SiIdeaList *list,
             guint       n,
             const char *prefix)
{
  guint count = 0;

  for (guint i = 0; i < n && i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    if (has_prefix (list, i, prefix))
      count++;
  return count;
}

/* Whether the list's first @n rows are the store's first @n ideas, in the store's order. */
static gboolean
first_rows_match_store (SiIdeaList *list,
                        SiStore    *store,
                        guint       n)
{
  SiIdeaFilter all = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) keys = si_store_query_ideas_after (store, &all, NULL, n, &error);

  g_assert_no_error (error);
  if (keys->len != MIN (n, g_list_model_get_n_items (G_LIST_MODEL (list))))
    return FALSE;
  for (guint i = 0; i < keys->len; i++)
    if (si_idea_list_get_id_at (list, i) != g_array_index (keys, SiIdeaKey, i).id)
      return FALSE;
  return TRUE;
}

/* The list's whole order, row by row, is the store's. */
static void
assert_list_is_store (SiIdeaList *list,
                      SiStore    *store)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

  g_assert_cmpuint (n, ==, count_in_store (store));
  g_assert_true (first_rows_match_store (list, store, n));
}

/* Many new ideas at once (announced as one change): the rows the window shows change at most a
 * step's worth right away, the count is right at once, and the rest follows within moments. */
static void
test_page_reaches_first_rows_in_steps (Fixture       *f,
                                       gconstpointer  data)
{
  SiIdeaList *list;
  guint shown;

  add_many (f->store, 600, "Old");
  open_window (f, NULL);
  list = si_window_get_idea_list (f->window);
  WAIT_FOR (n_rows_shown (f->window) > 3);
  shown = n_rows_shown (f->window);
  g_usleep (2000);   /* newer than every old idea */

  add_many (f->store, 300, "New");
  /* Right after the store's signal: the count already, the first rows not yet (a row changed
   * inside the announcement is laid out in its main-loop iteration, that of a sync's page). */
  g_test_message ("%u new ideas among the first 40 rows at once", count_first (list, 40, "New"));
  g_assert_cmpuint (count_first (list, 40, "New"), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 900);
  /* Then a step's worth at a time. */
  WAIT_FOR (count_first (list, 40, "New") > 0);
  g_assert_cmpuint (count_first (list, 40, "New"), <=, BUDGET);

  /* Steps up to the rows the window's list builds (PACED_ROWS), then the rows past them at
   * once: they have no widget, and a step of theirs laid the window out for nothing. */
  {
    guint last = count_first (list, 100, "New"), steps = 1;
    gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (last < 100)
      {
        guint now;

        g_assert_cmpint (g_get_monotonic_time (), <, end);
        if (!g_main_context_iteration (NULL, FALSE))
          g_usleep (1000);
        now = count_first (list, 100, "New");
        if (now != last)
          steps++;
        last = now;
      }
    g_test_message ("the first 100 rows changed in %u steps", steps);
    /* A step adds a run of BUDGET - 1 rows (the run itself counts one). */
    g_assert_cmpuint (steps, <=, PACED_ROWS / (BUDGET - 1) + 2);
  }

  /* Then the rows the window shows are the newest, and the whole list is the store's order. */
  WAIT_FOR (count_first (list, 40, "New") == 40);
  WAIT_FOR (first_rows_match_store (list, f->store, 500));
  assert_list_is_store (list, f->store);
  /* The window stayed at the top and shows rows there. */
  WAIT_FOR (n_rows_shown (f->window) >= MIN (shown, 40));
  g_assert_nonnull (find_row (f->window, "New 299"));
}

/* A first sync's first page into an empty notebook: the view makes each row new, so the rows
 * come one per step, not three, until the list has the rows a window shows; then the count
 * at once, and the list is the store's. */
static void
test_empty_list_fills_a_row_per_step (Fixture       *f,
                                         gconstpointer  data)
{
  SiIdeaList *list;
  guint n = 0, steps = 0;
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  open_window (f, NULL);
  list = si_window_get_idea_list (f->window);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);

  add_many (f->store, 300, "New");
  /* Each main-loop iteration adds at most a step's rows while the list fills. */
  while (n < PACED_ROWS)
    {
      guint now;

      g_assert_cmpint (g_get_monotonic_time (), <, end);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
      now = g_list_model_get_n_items (G_LIST_MODEL (list));
      if (now < PACED_ROWS)
        g_assert_cmpuint (now - n, <=, ROWS_PER_STEP_FILLING);
      /* The header counts what is coming, not the rows filled so far. */
      if (now > 0)
        g_assert_cmpstr (adw_window_title_get_subtitle (f->window->list_title), ==, "300 ideas");
      if (now != n)
        steps++;
      n = now;
    }
  g_test_message ("the list filled in %u steps", steps);
  g_assert_cmpuint (steps, >=, PACED_ROWS / ROWS_PER_STEP_FILLING);
  g_assert_cmpuint (n, ==, 300);
  WAIT_FOR (first_rows_match_store (list, f->store, 300));
  assert_list_is_store (list, f->store);
  WAIT_FOR (find_row (f->window, "New 299") != NULL);
}

/* A page of a few dozen ideas is announced idea by idea: the list takes the first few one by
 * one, then the rest in one refresh after the burst, not a change (and a frame's rebinding
 * of every row shown) per idea. */
static void
test_burst_of_single_changes_is_one_refresh (Fixture       *f,
                                             gconstpointer  data)
{
  SiIdeaList *list;
  guint changes;

  add_many (f->store, 600, "Old");
  open_window (f, NULL);
  list = si_window_get_idea_list (f->window);
  WAIT_FOR (n_rows_shown (f->window) > 3);
  g_usleep (2000);

  {
    g_autoptr(GError) error = NULL;

    g_assert_true (_si_store_begin (f->store, &error));
    for (guint i = 0; i < 50; i++)
      {
        g_autofree char *title = g_strdup_printf ("New %u", i);
        g_autoptr(SiIdea) idea = add_idea (f->store, title, "A body.");
      }
    g_assert_true (_si_store_commit (f->store, &error));
  }
  changes = count_first (list, 60, "New");
  g_test_message ("%u of 50 new ideas in the list right after the burst", changes);
  g_assert_cmpuint (changes, <=, BUDGET);

  WAIT_FOR (count_first (list, 50, "New") == 50);
  WAIT_FOR (first_rows_match_store (list, f->store, 500));
  assert_list_is_store (list, f->store);
}

/* One idea created or edited by itself still reaches the list at once: the editor selects
 * and scrolls to it right away. */
static void
test_one_change_is_at_once (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(SiIdea) fresh = NULL;
  SiIdeaList *list;
  guint position = 0;

  add_many (f->store, 600, "Old");
  open_window (f, NULL);
  list = si_window_get_idea_list (f->window);
  WAIT_FOR (n_rows_shown (f->window) > 3);
  g_usleep (2000);

  fresh = add_idea (f->store, "Fresh", "Written just now.");
  g_assert_true (si_idea_list_find (list, si_idea_get_id (fresh), &position));
  g_assert_cmpuint (position, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 601);
}

/* An edit while a paced change is under way finishes it first: the list is the store's order
 * right after the edit. A search started meanwhile shows exactly its matches. */
static void
test_edit_and_search_during_steps (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(SiIdea) old = NULL;
  g_autoptr(GError) error = NULL;
  SiIdeaList *list;
  guint position = 0;

  add_many (f->store, 600, "Old");
  open_window (f, NULL);
  list = si_window_get_idea_list (f->window);
  WAIT_FOR (n_rows_shown (f->window) > 3);
  g_usleep (2000);

  add_many (f->store, 300, "New");
  g_assert_cmpuint (count_first (list, 40, "New"), <, 40);
  g_usleep (2000);
  old = si_store_get_idea (f->store, 1, &error);
  g_assert_no_error (error);
  si_idea_set_body (old, "Edited while the page came in.");
  g_assert_true (si_store_save_idea (f->store, old, SI_SAVE_LOCAL, &error));
  g_assert_true (first_rows_match_store (list, f->store, 500));
  g_assert_true (si_idea_list_find (list, si_idea_get_id (old), &position));
  g_assert_cmpuint (position, ==, 0);

  add_many (f->store, 300, "Newer");
  si_idea_list_set_search (list, "newer 12");
  /* "Newer 12" and "Newer 120" to "Newer 129" */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 11);
  spin (100);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 11);
  si_idea_list_set_search (list, NULL);
  WAIT_FOR (first_rows_match_store (list, f->store, 500));
  assert_list_is_store (list, f->store);
}

/* Pages of a sync one right after the other (40 a second in a first sync): the list refreshes
 * for the first at once and for the next when REFRESH_INTERVAL_MS have passed, with all that
 * came meanwhile, rather than the window laying out its first rows again at every page. */
/* A window on 600 ideas, its rows shown: where the refresh tests' pages arrive. */
static SiIdeaList *
open_on_old_ideas (Fixture *f)
{
  add_many (f->store, 600, "Old");
  open_window (f, NULL);
  WAIT_FOR (n_rows_shown (f->window) > 3);
  g_usleep (2000);
  return si_window_get_idea_list (f->window);
}

static void
test_pages_refresh_at_most_every_interval (Fixture       *f,
                                           gconstpointer  data)
{
  SiIdeaList *list = open_on_old_ideas (f);
  gint64 start, elapsed_ms;

  start = g_get_monotonic_time ();
  add_many (f->store, 300, "First");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 900);
  add_many (f->store, 300, "Second");
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_test_message ("the second page %" G_GINT64_FORMAT " ms after the first", elapsed_ms);
  /* A machine so slow that the interval was over gives the test nothing to check here. */
  if (elapsed_ms < REFRESH_INTERVAL_MS - 250)
    {
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 900);
      /* Until shortly before the interval is over: still the first page alone. */
      spin (REFRESH_INTERVAL_MS - 200 - (guint) elapsed_ms);
      if ((g_get_monotonic_time () - start) / 1000 < REFRESH_INTERVAL_MS - 50)
        {
          g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 900);
          g_assert_cmpuint (count_first (list, 40, "Second"), ==, 0);
        }
    }
  /* Then the second page comes too, and the list is the store's. */
  WAIT_FOR (g_list_model_get_n_items (G_LIST_MODEL (list)) == 1200);
  WAIT_FOR (count_first (list, 40, "Second") == 40);
  WAIT_FOR (first_rows_match_store (list, f->store, 500));
  assert_list_is_store (list, f->store);
}

/* Pages that go on coming through an interval (a long sync) are shown two seconds apart, not
 * one; after a quiet interval, a page is shown at once again. */
static void
test_steady_pages_refresh_every_long_interval (Fixture       *f,
                                               gconstpointer  data)
{
  SiIdeaList *list = open_on_old_ideas (f);
  gint64 shown, elapsed_ms;

  /* The first page at once; the second waits for the interval, which was busy through. */
  add_many (f->store, 300, "First");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 900);
  add_many (f->store, 300, "Second");
  WAIT_FOR (g_list_model_get_n_items (G_LIST_MODEL (list)) == 1200);
  shown = g_get_monotonic_time ();

  /* The third page right after: it waits for the long interval. */
  add_many (f->store, 300, "Third");
  elapsed_ms = (g_get_monotonic_time () - shown) / 1000;
  g_test_message ("the third page %" G_GINT64_FORMAT " ms after the second was shown", elapsed_ms);
  if (elapsed_ms < REFRESH_INTERVAL_MS)
    {
      spin (REFRESH_INTERVAL_MS + 300 - (guint) elapsed_ms);
      /* Past the short interval, short of the long one: still the second page alone. */
      if ((g_get_monotonic_time () - shown) / 1000 < REFRESH_INTERVAL_LONG_MS - 300)
        g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1200);
    }
  WAIT_FOR (g_list_model_get_n_items (G_LIST_MODEL (list)) == 1500);
  g_test_message ("the third page shown %" G_GINT64_FORMAT " ms after the second",
                  (g_get_monotonic_time () - shown) / 1000);
  WAIT_FOR (first_rows_match_store (list, f->store, 500));

  /* A quiet interval, then a page: at once, and the interval is short again. */
  spin (REFRESH_INTERVAL_LONG_MS + 200);
  add_many (f->store, 300, "Fourth");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1800);
  add_many (f->store, 300, "Fifth");
  WAIT_FOR (g_list_model_get_n_items (G_LIST_MODEL (list)) == 2100);
  WAIT_FOR (first_rows_match_store (list, f->store, 500));
  assert_list_is_store (list, f->store);
}

static const char *
editor_page (Fixture *f)
{
  return gtk_stack_get_visible_child_name (f->window->editor_stack);
}

/* The editor pane's "pick an idea" comes once the list has filled up, in a frame of its own:
 * shown with the list's first rows, its status page's first layout made that frame the
 * longest main-loop iteration of a first sync. It goes again when the list has nothing to
 * pick. */
static void
test_editor_empty_state_after_fill (Fixture       *f,
                                    gconstpointer  data)
{
  SiIdeaList *list;
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  gboolean saw_pacing = FALSE;

  open_window (f, NULL);
  list = si_window_get_idea_list (f->window);
  WAIT_FOR (g_strcmp0 (editor_page (f), "blank") == 0);

  add_many (f->store, 300, "New");
  while (g_list_model_get_n_items (G_LIST_MODEL (list)) < 300 || si_idea_list_is_pacing (list))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
      if (si_idea_list_is_pacing (list) && g_list_model_get_n_items (G_LIST_MODEL (list)) > 0)
        {
          saw_pacing = TRUE;
          g_assert_cmpstr (editor_page (f), ==, "blank");
        }
    }
  g_assert_true (saw_pacing);
  WAIT_FOR (g_strcmp0 (editor_page (f), "none") == 0);

  si_idea_list_set_search (list, "nothing matches this");
  WAIT_FOR (g_strcmp0 (gtk_stack_get_visible_child_name (f->window->list_stack), "no-results") == 0);
  WAIT_FOR (g_strcmp0 (editor_page (f), "blank") == 0);
}

int
main (int   argc,
      char *argv[])
{
  si_test_app_init (&argc, &argv);

  g_test_add ("/app-pace/page-reaches-first-rows-in-steps", Fixture, NULL, fixture_setup,
              test_page_reaches_first_rows_in_steps, fixture_teardown);
  g_test_add ("/app-pace/empty-list-fills-a-row-per-step", Fixture, NULL, fixture_setup,
              test_empty_list_fills_a_row_per_step, fixture_teardown);
  g_test_add ("/app-pace/burst-of-single-changes-is-one-refresh", Fixture, NULL, fixture_setup,
              test_burst_of_single_changes_is_one_refresh, fixture_teardown);
  g_test_add ("/app-pace/one-change-is-at-once", Fixture, NULL, fixture_setup,
              test_one_change_is_at_once, fixture_teardown);
  g_test_add ("/app-pace/edit-and-search-during-steps", Fixture, NULL, fixture_setup,
              test_edit_and_search_during_steps, fixture_teardown);
  g_test_add ("/app-pace/pages-refresh-at-most-every-interval", Fixture, NULL, fixture_setup,
              test_pages_refresh_at_most_every_interval, fixture_teardown);
  g_test_add ("/app-pace/steady-pages-refresh-every-long-interval", Fixture, NULL, fixture_setup,
              test_steady_pages_refresh_every_long_interval, fixture_teardown);
  g_test_add ("/app-pace/editor-empty-state-after-fill", Fixture, NULL, fixture_setup,
              test_editor_empty_state_after_fill, fixture_teardown);

  return g_test_run ();
}
