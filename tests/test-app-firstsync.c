/* test-app-firstsync.c — the window during the app's first sync (issue 21): at each page of a
 * sync, the ideas the list's rows hold are read again right after the store's announcement,
 * not inside it, where the next page's apply waited for them. */
#include "config.h"

#include "si-test-app.h"

/* The window's list when a page of a sync lands (the store says anything may have changed):
 * the ideas its rows hold are read again right after that announcement's handlers, not within
 * them (the sync's next page is applied only after those), and the rows show the new text. */
static void
test_list_rereads_after_the_page (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(SiStore) other = NULL;
  g_autoptr(SiIdea) held = NULL;
  g_autoptr(SiIdea) edited = NULL;
  g_autoptr(GError) error = NULL;
  SiIdeaList *list;

  g_assert_true (_si_store_begin (f->store, &error));
  for (guint i = 0; i < 600; i++)
    {
      g_autofree char *title = g_strdup_printf ("Old %u", i);
      g_autoptr(SiIdea) idea = add_idea (f->store, title, "A body.");
    }
  g_assert_true (_si_store_commit (f->store, &error));
  open_window (f, NULL);
  list = si_window_get_idea_list (f->window);
  WAIT_FOR (n_rows_shown (f->window) > 3);
  held = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_nonnull (find_row (f->window, si_idea_get_title (held)));

  /* Another connection (a sync's page) changes the first idea and adds 300. */
  other = si_store_new (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (_si_store_begin (other, &error));
  edited = si_store_get_idea (other, si_idea_get_id (held), &error);
  g_assert_no_error (error);
  si_idea_set_title (edited, "Changed by the page");
  g_assert_true (si_store_save_idea (other, edited, SI_SAVE_LOCAL, &error));
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *title = g_strdup_printf ("New %u", i);
      g_autoptr(SiIdea) idea = add_idea (other, title, "A body.");
    }
  g_assert_true (_si_store_commit (other, &error));

  si_store_check_changes (f->store);
  /* The count at once, as before; the row's idea not read yet. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 900);
  g_assert_cmpstr (si_idea_get_title (held), !=, "Changed by the page");
  WAIT_FOR (g_strcmp0 (si_idea_get_title (held), "Changed by the page") == 0);
  WAIT_FOR (find_row (f->window, "Changed by the page") != NULL);
}

int
main (int   argc,
      char *argv[])
{
  si_test_app_init (&argc, &argv);

  g_test_add ("/app-firstsync/list-rereads-after-the-page", Fixture, NULL, fixture_setup,
              test_list_rereads_after_the_page, fixture_teardown);
  return g_test_run ();
}
