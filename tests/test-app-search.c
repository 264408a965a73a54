/* test-app-search.c — what the window says about a search and its counts: "500 of 510 ideas"
 * when a search keeps the best, counts with the locale's grouping, Japanese words found inside
 * text, tags in natural order in the sidebar. */
#include "config.h"

#include "si-test-app.h"

/* @n ideas whose body is "@word <number>", in one transaction. */
static void
add_many (SiStore    *store,
          const char *word,
          guint       n)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (_si_store_begin (store, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *uid = g_uuid_string_random ();
      g_autofree char *body = g_strdup_printf ("%s %u", word, i);
      SiStoreNewIdea row = { .uid = uid, .state = SI_SYNC_STATE_CREATED, .title = "Fruit", .body = body,
                             .created_at = i, .updated_at = i };

      g_assert_cmpint (_si_store_insert_idea (store, &row, "test", &error), >, 0);
    }
  g_assert_true (_si_store_commit (store, &error));
  g_assert_no_error (error);
}

static const char *
sidebar_count (SiWindow         *window,
               SiCollectionView  view,
               gint64            tag_id)
{
  GtkWidget *row = _si_window_get_sidebar_row (window, view, tag_id);

  return row ? si_count_label_get_text (g_object_get_data (G_OBJECT (row), "count-label")) : NULL;
}

static void
test_count_of_best (Fixture       *f,
                    gconstpointer  data)
{
  GtkSearchEntry *entry;

  add_many (f->store, "pear", SI_SEARCH_MAX_RESULTS + 10);
  add_many (f->store, "apple", 500);
  open_window (f, NULL);
  WAIT_FOR (g_strcmp0 (adw_window_title_get_subtitle (f->window->list_title), "1,010 ideas") == 0);
  WAIT_FOR (g_strcmp0 (sidebar_count (f->window, SI_COLLECTION_VIEW_ALL, 0), "1,010") == 0);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "list.search", NULL));
  entry = _si_window_get_search_entry (f->window);
  gtk_editable_set_text (GTK_EDITABLE (entry), "pear");
  WAIT_FOR (g_strcmp0 (adw_window_title_get_subtitle (f->window->list_title), "500 of 510 ideas") == 0);
  gtk_editable_set_text (GTK_EDITABLE (entry), "apple");
  WAIT_FOR (g_strcmp0 (adw_window_title_get_subtitle (f->window->list_title), "500 ideas") == 0);
}

static void
test_japanese_inside_text (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(SiIdea) memo = add_idea (f->store, "Memo", "東京の旅行メモ");
  g_autoptr(SiIdea) other = add_idea (f->store, "Other", "nothing here");

  open_window (f, NULL);
  WAIT_FOR (n_rows_shown (f->window) == 2);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "list.search", NULL));
  gtk_editable_set_text (GTK_EDITABLE (_si_window_get_search_entry (f->window)), "旅行");
  WAIT_FOR (n_rows_shown (f->window) == 1 && find_row (f->window, "Memo") != NULL);
  (void) memo;
  (void) other;
}

/* The names of the sidebar's tags, in its order: "a b c". */
static char *
sidebar_tags (SiWindow *window)
{
  GString *names = g_string_new (NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (_si_window_get_sidebar (window))); row;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkLabel *name = g_object_get_data (G_OBJECT (row), "name-label");

      if (GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "view")) != SI_COLLECTION_VIEW_TAG || name == NULL)
        continue;
      g_string_append_printf (names, "%s%s", names->len ? " " : "", gtk_label_get_label (name));
    }
  return g_string_free (names, FALSE);
}

static gboolean
sidebar_tags_are (SiWindow   *window,
                  const char *expected)
{
  g_autofree char *names = sidebar_tags (window);

  return g_strcmp0 (names, expected) == 0;
}

static void
test_tags_natural_order (Fixture       *f,
                         gconstpointer  data)
{
  const char *names[] = { "t10", "t2", "T1", "b" };

  for (guint n = 0; n < G_N_ELEMENTS (names); n++)
    {
      g_autoptr(SiTag) tag = si_store_ensure_tag (f->store, names[n], NULL);
      g_assert_nonnull (tag);
    }
  open_window (f, NULL);
  WAIT_FOR (sidebar_tags_are (f->window, "b T1 t2 t10"));
}

int
main (int   argc,
      char *argv[])
{
  si_test_app_init (&argc, &argv);

#define ADD(path, fn) g_test_add ("/app-search/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("count-of-best", test_count_of_best);
  ADD ("japanese-inside-text", test_japanese_inside_text);
  ADD ("tags-natural-order", test_tags_natural_order);
#undef ADD
  return g_test_run ();
}
