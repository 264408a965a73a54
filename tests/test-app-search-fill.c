/* test-app-search-fill.c — the sidebar says so while the search index is filled with what a big
 * pull brought, and the ideas waiting for it are found meanwhile. */
#include "config.h"

#include "si-test-app.h"

/* @n ideas written as a pulled page of many records writes them: waiting for the index. */
static void
add_as_pulled_page (SiStore *store,
                    guint    n)
{
  g_autoptr(GError) error = NULL;
  g_auto(SiSyncPage) page = { 0 };

  g_assert_true (_si_store_begin (store, &error));
  g_assert_true (_si_store_sync_begin_page (store, &page, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *uid = g_uuid_string_random ();
      g_autofree char *body = g_strdup_printf ("quince %u", i);
      SiStoreNewIdea row = { .uid = uid, .sid = i + 1, .version = 1, .state = SI_SYNC_STATE_SYNCED,
                             .title = "Orchard", .body = body, .created_at = i + 1, .updated_at = i + 1 };

      g_assert_cmpint (_si_store_insert_idea (store, &row, "test", &error), >, 0);
    }
  g_assert_true (_si_store_sync_end_page (store, &page, &error));
  g_assert_true (_si_store_commit (store, &error));
  g_assert_no_error (error);
}

static void
test_status_while_filling (Fixture       *f,
                           gconstpointer  data)
{
  GtkSearchEntry *entry;

  add_as_pulled_page (f->store, 300);
  open_window (f, NULL);
  g_assert_cmpuint (si_store_get_search_pending (f->store), ==, 300);
  g_assert_false (gtk_widget_get_visible (f->window->search_fill_status));

  /* Found while they wait. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "list.search", NULL));
  entry = _si_window_get_search_entry (f->window);
  gtk_editable_set_text (GTK_EDITABLE (entry), "quince");
  WAIT_FOR (g_strcmp0 (adw_window_title_get_subtitle (f->window->list_title), "300 ideas") == 0);

  si_store_fill_search_in_background (f->store);
  g_assert_true (si_store_get_search_filling (f->store));
  g_assert_true (gtk_widget_get_visible (f->window->search_fill_status));
  g_assert_true (gtk_widget_get_visible (f->window->sidebar_pane));
  WAIT_FOR (!si_store_get_search_filling (f->store));
  g_assert_false (gtk_widget_get_visible (f->window->search_fill_status));
  g_assert_cmpuint (si_store_get_search_pending (f->store), ==, 0);

  /* And found the same once indexed. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "orch");
  WAIT_FOR (g_strcmp0 (adw_window_title_get_subtitle (f->window->list_title), "300 ideas") == 0);
}

int
main (int   argc,
      char *argv[])
{
  si_test_app_init (&argc, &argv);
  g_test_add ("/app-search-fill/status", Fixture, NULL, fixture_setup, test_status_while_filling, fixture_teardown);
  return g_test_run ();
}
