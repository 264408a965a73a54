/* test-idea-list.c — the list the app shows: order, filters, and precise items-changed. */
#include "config.h"

#include <glib/gstdio.h>

#include "si-idea-list.h"
#include "si-record-private.h"
#include "si-store-private.h"

typedef struct {
  guint position, removed, added;
} Change;

typedef struct {
  SiStore    *store;
  SiIdeaList *list;
  GArray     *changes;
} Fixture;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Fixture    *fixture)
{
  Change change = { position, removed, added };
  g_array_append_val (fixture->changes, change);
}

static SiStore *
open_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  SiStore *store;

  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  path = g_build_filename (g_get_user_data_dir (), "list.db", NULL);
  store = si_store_new (path, &error);
  g_assert_no_error (error);
  return store;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->store = open_store ();
  fixture->list = si_idea_list_new (fixture->store);
  fixture->changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_signal_connect (fixture->list, "items-changed", G_CALLBACK (on_items_changed), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->list);
  g_clear_object (&fixture->store);
  g_clear_pointer (&fixture->changes, g_array_unref);
}

static SiIdea *
add (Fixture    *fixture,
     const char *title)
{
  g_autoptr(GError) error = NULL;
  SiIdea *idea = si_idea_new (title, "");

  g_assert_true (si_store_save_idea (fixture->store, idea, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  return idea;
}

static void
save (Fixture *fixture,
      SiIdea  *idea)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (si_store_save_idea (fixture->store, idea, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
}

static void
assert_titles (Fixture    *fixture,
               const char *expected)
{
  g_autoptr(GString) titles = g_string_new (NULL);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (fixture->list));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SiIdea) idea = g_list_model_get_item (G_LIST_MODEL (fixture->list), i);
      g_string_append_printf (titles, "%s%s", i ? "," : "", si_idea_get_title (idea));
    }
  g_assert_cmpstr (titles->str, ==, expected);
}

static void
assert_changes (Fixture     *fixture,
                const Change *expected,
                guint         n_expected)
{
  g_assert_cmpuint (fixture->changes->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    {
      Change *c = &g_array_index (fixture->changes, Change, i);
      g_assert_cmpuint (c->position, ==, expected[i].position);
      g_assert_cmpuint (c->removed, ==, expected[i].removed);
      g_assert_cmpuint (c->added, ==, expected[i].added);
    }
  g_array_set_size (fixture->changes, 0);
}

static void
test_order_and_changes (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(SiIdea) a = add (fixture, "a");
  g_autoptr(SiIdea) b = add (fixture, "b");
  g_autoptr(SiIdea) c = add (fixture, "c");
  g_autoptr(GError) error = NULL;

  /* Each new idea goes on top, one row at a time. */
  assert_changes (fixture, (Change[]) { { 0, 0, 1 }, { 0, 0, 1 }, { 0, 0, 1 } }, 3);
  assert_titles (fixture, "c,b,a");

  /* Editing the last idea moves it to the top: one removal, one insertion. */
  si_idea_set_body (a, "edited");
  save (fixture, a);
  assert_changes (fixture, (Change[]) { { 2, 1, 0 }, { 0, 0, 1 } }, 2);
  assert_titles (fixture, "a,c,b");

  /* Editing the top idea keeps it in place: one row changed. */
  si_idea_set_body (a, "edited again");
  save (fixture, a);
  assert_changes (fixture, (Change[]) { { 0, 1, 1 } }, 1);

  /* Pinned ideas come first, whatever their age. */
  si_idea_set_pinned (b, TRUE);
  save (fixture, b);
  assert_changes (fixture, (Change[]) { { 2, 1, 0 }, { 0, 0, 1 } }, 2);
  assert_titles (fixture, "b,a,c");

  /* Deleting removes exactly that row. */
  g_assert_true (si_store_delete_idea (fixture->store, si_idea_get_id (a), SI_SAVE_LOCAL, &error));
  assert_changes (fixture, (Change[]) { { 1, 1, 0 } }, 1);
  assert_titles (fixture, "b,c");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 2);
}

static void
test_loaded_idea_updates_in_place (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(SiIdea) idea = add (fixture, "before");
  g_autoptr(SiIdea) row = g_list_model_get_item (G_LIST_MODEL (fixture->list), 0);
  g_autoptr(SiIdea) copy = NULL;
  g_autoptr(GError) error = NULL;
  guint notified = 0;

  g_signal_connect_swapped (row, "notify::title", G_CALLBACK (g_atomic_int_inc), &notified);

  /* Another SiIdea for the same record, edited and saved elsewhere in the app. */
  copy = si_store_get_idea (fixture->store, si_idea_get_id (idea), &error);
  si_idea_set_title (copy, "after");
  save (fixture, copy);

  g_assert_cmpstr (si_idea_get_title (row), ==, "after");
  g_assert_cmpuint (notified, ==, 1);
}

static void
test_filters (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SiTag) travel = si_store_ensure_tag (fixture->store, "travel", &error);
  g_autoptr(SiIdea) train = add (fixture, "Night train");
  g_autoptr(SiIdea) soup = add (fixture, "Pumpkin soup");
  g_autoptr(SiIdea) ferry = add (fixture, "Ferry to Hvar");

  si_idea_add_tag (train, si_tag_get_id (travel));
  save (fixture, train);
  si_idea_add_tag (ferry, si_tag_get_id (travel));
  save (fixture, ferry);

  si_idea_list_set_tag_id (fixture->list, si_tag_get_id (travel));
  assert_titles (fixture, "Ferry to Hvar,Night train");

  /* A new idea with the tag appears in the filtered list; one without does not. */
  g_array_set_size (fixture->changes, 0);
  {
    g_autoptr(SiIdea) plane = si_idea_new ("Plane", "");
    g_autoptr(SiIdea) cake = add (fixture, "Cake");

    si_idea_add_tag (plane, si_tag_get_id (travel));
    save (fixture, plane);
  }
  assert_changes (fixture, (Change[]) { { 0, 0, 1 } }, 1);
  assert_titles (fixture, "Plane,Ferry to Hvar,Night train");

  /* Taking the tag off removes the row. */
  si_idea_remove_tag (train, si_tag_get_id (travel));
  save (fixture, train);
  assert_changes (fixture, (Change[]) { { 2, 1, 0 } }, 1);

  si_idea_list_set_tag_id (fixture->list, 0);
  si_idea_list_set_search (fixture->list, "soup");
  assert_titles (fixture, "Pumpkin soup");
  /* Ranked: a title and tag match beats a tag match alone. */
  si_idea_list_set_search (fixture->list, "tra");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 3);
  {
    g_autoptr(SiIdea) best = g_list_model_get_item (G_LIST_MODEL (fixture->list), 0);
    g_assert_cmpstr (si_idea_get_title (best), ==, "Night train");
  }

  /* Search results follow edits too. */
  g_array_set_size (fixture->changes, 0);
  si_idea_set_title (soup, "Train snacks");
  save (fixture, soup);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 4);
  g_assert_cmpuint (fixture->changes->len, ==, 1);

  si_idea_list_set_search (fixture->list, NULL);
  si_idea_list_set_pinned_only (fixture->list, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 0);
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
on_n_items (GObject    *object,
            GParamSpec *pspec,
            GMainLoop  *loop)
{
  g_main_loop_quit (loop);
}

/* Another process (saveidea-cli) adds an idea: the list shows it without being asked. */
static void
test_other_process (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SiStore) other = open_store ();
  g_autoptr(SiIdea) idea = si_idea_new ("From the terminal", "");
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  guint timeout;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 0);
  g_assert_true (si_store_save_idea (other, idea, SI_SAVE_LOCAL, &error));

  g_signal_connect (fixture->list, "notify::n-items", G_CALLBACK (on_n_items), loop);
  timeout = g_timeout_add_seconds (10, quit_loop, loop);
  g_main_loop_run (loop);
  g_source_remove (timeout);

  assert_changes (fixture, (Change[]) { { 0, 0, 1 } }, 1);
  assert_titles (fixture, "From the terminal");
}

/* During each items-changed, the list holds exactly what the signals so far announced: a
 * GtkListView (or a handler asking where an idea is) never sees a row before its insertion. */
typedef struct {
  guint n_seen;
  guint mismatches;
} Consistency;

static void
check_consistency (GListModel  *model,
                   guint        position,
                   guint        removed,
                   guint        added,
                   Consistency *c)
{
  c->n_seen = c->n_seen - removed + added;
  if (g_list_model_get_n_items (model) != c->n_seen)
    c->mismatches++;
}

static void
test_consistent_during_changes (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(SiIdea) a = add (fixture, "a");
  g_autoptr(SiIdea) b = add (fixture, "b");
  g_autoptr(SiIdea) c = add (fixture, "c");
  Consistency consistency = { g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), 0 };

  g_signal_connect (fixture->list, "items-changed", G_CALLBACK (check_consistency), &consistency);
  /* a moves from the bottom to the top: a removal, then an insertion. */
  si_idea_set_body (a, "edited");
  save (fixture, a);
  si_idea_set_pinned (b, TRUE);
  save (fixture, b);
  g_assert_cmpuint (consistency.mismatches, ==, 0);
  g_assert_cmpuint (consistency.n_seen, ==, 3);
  assert_titles (fixture, "b,a,c");
  g_signal_handlers_disconnect_by_func (fixture->list, check_consistency, &consistency);
  (void) c;
}

/* A list longer than what it reads at once: rows past the loaded ones come when asked for, and
 * changes keep the count and the order right, loaded or not. */
static void
count_store_changes (SiStore *store, const char *collection, gint64 id, GArray *ids)
{
  g_array_append_val (ids, id);
}

static void
add_in_one_commit (Fixture *fixture, guint n, const char *prefix)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (_si_store_begin (fixture->store, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *title = g_strdup_printf ("%s %u", prefix, i);
      g_autoptr(SiIdea) idea = add (fixture, title);
    }
  g_assert_true (_si_store_commit (fixture->store, &error));
  g_assert_no_error (error);
}

/* A few changes in one commit move rows one by one; a burst (a page of a sync, an import) is
 * one "anything may have changed" and one reload of the list, not hundreds of row moves that
 * each rebind the rows on screen (the app pulled 300 ideas/s that way). */
static void
test_burst_is_one_change (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_signal_connect (fixture->store, "changed::ideas", G_CALLBACK (count_store_changes), ids);

  add_in_one_commit (fixture, 20, "Few");
  g_assert_cmpuint (ids->len, ==, 20);
  g_assert_cmpuint (fixture->changes->len, ==, 20);
  for (guint i = 0; i < 20; i++)
    g_assert_cmpuint (g_array_index (fixture->changes, Change, i).added, ==, 1);
  g_array_set_size (fixture->changes, 0);
  g_array_set_size (ids, 0);

  /* The 300 newer ideas go on top: the 20 rows already there stay as they are. */
  add_in_one_commit (fixture, 300, "Many");
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpint (g_array_index (ids, gint64, 0), ==, 0);
  assert_changes (fixture, (Change[]) { { 0, 0, 300 } }, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 320);
  g_signal_handlers_disconnect_by_data (fixture->store, ids);
}

/* What a GtkListView does during items-changed: it checks the count, asks for the rows added
 * (up to a screenful and more) and for rows further on. */
static void
read_like_a_view (GListModel  *model,
                  guint        position,
                  guint        removed,
                  guint        added,
                  Consistency *c)
{
  guint n = g_list_model_get_n_items (model);

  c->n_seen = c->n_seen - removed + added;
  if (n != c->n_seen)
    c->mismatches++;
  for (guint i = position; i < position + MIN (added, 600u) && i < n; i++)
    {
      g_autoptr(SiIdea) idea = g_list_model_get_item (model, i);
      if (idea == NULL)
        c->mismatches++;
    }
  if (n > 0)
    {
      g_autoptr(SiIdea) last = g_list_model_get_item (model, n - 1);
      if (last == NULL)
        c->mismatches++;
    }
}

/* The same burst in a list that has loaded only its first rows: the change covers the loaded
 * rows and then the tail's new length, never every row (GTK would ask for each added row to
 * find the ones it shows: the whole notebook loaded at each page of a sync). */
static void
test_burst_in_big_list (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(SiIdea) first = NULL;

  add_in_one_commit (fixture, 1200, "Old");
  g_array_set_size (fixture->changes, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 1200);
  first = g_list_model_get_item (G_LIST_MODEL (fixture->list), 0);

  add_in_one_commit (fixture, 300, "New");
  /* 500 rows loaded: the 300 new ones on top are one insertion, and the loaded rows stay (a
   * replacement of the 500 made GTK look for the rows it tracks among them, reading each). */
  assert_changes (fixture, (Change[]) { { 0, 0, 300 } }, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 1500);

  {
    g_autoptr(SiIdea) top = g_list_model_get_item (G_LIST_MODEL (fixture->list), 0);
    g_autoptr(SiIdea) moved = g_list_model_get_item (G_LIST_MODEL (fixture->list), 300);
    g_autoptr(SiIdea) last = g_list_model_get_item (G_LIST_MODEL (fixture->list), 1499);

    g_assert_true (g_str_has_prefix (si_idea_get_title (top), "New "));
    g_assert_cmpint (si_idea_get_id (moved), ==, si_idea_get_id (first));
    g_assert_true (g_str_has_prefix (si_idea_get_title (last), "Old "));
  }

  /* With a reader that reads on during the first change (into the tail), and a burst of
   * deletions that leaves a list shorter than a page, every change stays consistent. */
  {
    Consistency consistency = { 1500, 0 };
    g_autoptr(GError) error = NULL;
    guint n;

    /* A new list: 500 rows loaded, 1,000 in the tail, which the reader reads into. */
    g_clear_object (&fixture->list);
    fixture->list = si_idea_list_new (fixture->store);
    g_signal_connect (fixture->list, "items-changed", G_CALLBACK (read_like_a_view), &consistency);
    add_in_one_commit (fixture, 300, "Newer");
    g_assert_cmpuint (consistency.mismatches, ==, 0);
    g_assert_cmpuint (consistency.n_seen, ==, 1800);

    g_assert_true (_si_store_begin (fixture->store, &error));
    n = g_list_model_get_n_items (G_LIST_MODEL (fixture->list));
    for (guint i = 0; i < n - 100; i++)
      {
        g_autoptr(SiIdea) idea = g_list_model_get_item (G_LIST_MODEL (fixture->list), i);
        g_assert_true (si_store_delete_idea (fixture->store, si_idea_get_id (idea), SI_SAVE_LOCAL, &error));
      }
    g_assert_true (_si_store_commit (fixture->store, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (consistency.mismatches, ==, 0);
    g_assert_cmpuint (consistency.n_seen, ==, 100);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 100);
    g_signal_handlers_disconnect_by_func (fixture->list, read_like_a_view, &consistency);
    g_array_set_size (fixture->changes, 0);
  }
}

/* Ideas written with the dates a sync brings: @n of them, the k-th at base + k * step + offset. */
static void
add_dated_in_one_commit (Fixture    *fixture,
                         guint       n,
                         const char *prefix,
                         gint64      step,
                         gint64      offset)
{
  g_autoptr(GError) error = NULL;
  const gint64 base = G_GINT64_CONSTANT (1764302930000000);

  g_assert_true (_si_store_begin (fixture->store, &error));
  for (guint k = 0; k < n; k++)
    {
      g_autofree char *title = g_strdup_printf ("%s %u", prefix, k);
      g_autoptr(SiIdea) idea = si_idea_new (title, "");

      _si_record_set_timestamps (SI_RECORD (idea), base, base + k * step + offset);
      g_assert_true (si_store_save_idea (fixture->store, idea, SI_SAVE_FROM_SERVER, &error));
    }
  g_assert_true (_si_store_commit (fixture->store, &error));
  g_assert_no_error (error);
}

/* Every row in display order (newest first), and none twice. */
static void
assert_in_order (GListModel *model,
                 guint       n_expected)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) ideas = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 previous = G_MAXINT64;

  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    {
      SiIdea *idea = g_list_model_get_item (model, i);

      g_assert_nonnull (idea);
      g_ptr_array_add (ideas, idea);
      g_assert_cmpint (si_idea_get_updated_at (idea), <=, previous);
      previous = si_idea_get_updated_at (idea);
      g_assert_true (g_hash_table_add (seen, GSIZE_TO_POINTER ((gsize) si_idea_get_id (idea))));
    }
}

/* A page of a first sync brings ideas of every date: they land between the rows already
 * loaded, not on top. Each run of new rows is its own insertion and no row that stays is
 * removed (one change from the first new row to the last replaced nearly every loaded row:
 * GTK bound, measured and shaped all the rows it shows again, at each page). */
static void
test_burst_between_rows (Fixture       *fixture,
                         gconstpointer  data)
{
  guint removed = 0, added = 0;
  g_autoptr(SiIdea) top = NULL;

  /* 100 ideas a second apart... */
  add_dated_in_one_commit (fixture, 100, "Old", G_USEC_PER_SEC, 0);
  assert_in_order (G_LIST_MODEL (fixture->list), 100);
  top = g_list_model_get_item (G_LIST_MODEL (fixture->list), 0);
  g_array_set_size (fixture->changes, 0);

  /* ...and 250 in 5 runs of 50 between them: every 20 seconds, 50 in the same second. */
  {
    g_autoptr(GError) error = NULL;
    const gint64 base = G_GINT64_CONSTANT (1764302930000000);

    g_assert_true (_si_store_begin (fixture->store, &error));
    for (guint k = 0; k < 250; k++)
      {
        g_autofree char *title = g_strdup_printf ("New %u", k);
        g_autoptr(SiIdea) idea = si_idea_new (title, "");

        _si_record_set_timestamps (SI_RECORD (idea), base, base + (k / 50) * 20 * G_USEC_PER_SEC + 1 + k % 50);
        g_assert_true (si_store_save_idea (fixture->store, idea, SI_SAVE_FROM_SERVER, &error));
      }
    g_assert_true (_si_store_commit (fixture->store, &error));
    g_assert_no_error (error);
  }
  for (guint i = 0; i < fixture->changes->len; i++)
    {
      removed += g_array_index (fixture->changes, Change, i).removed;
      added += g_array_index (fixture->changes, Change, i).added;
    }
  g_assert_cmpuint (removed, ==, 0);
  g_assert_cmpuint (added, ==, 250);
  g_assert_cmpuint (fixture->changes->len, ==, 5);
  assert_in_order (G_LIST_MODEL (fixture->list), 350);
  {
    g_autoptr(SiIdea) still_top = g_list_model_get_item (G_LIST_MODEL (fixture->list), 0);
    g_assert_true (still_top == top);
  }
  g_array_set_size (fixture->changes, 0);

  /* Ideas between nearly every row: many runs are one change, and the list is still right. */
  add_dated_in_one_commit (fixture, 210, "Spread", G_USEC_PER_SEC, G_USEC_PER_SEC / 2);
  /* The loaded rows, then the tail past the 500 read. */
  g_assert_cmpuint (fixture->changes->len, ==, 2);
  assert_in_order (G_LIST_MODEL (fixture->list), 560);
  g_array_set_size (fixture->changes, 0);

  /* A list that loaded only its first rows, read like a view during each change. */
  {
    Consistency consistency = { 0, 0 };

    add_dated_in_one_commit (fixture, 600, "Older", G_USEC_PER_SEC, -G_GINT64_CONSTANT (1000) * G_USEC_PER_SEC);
    g_clear_object (&fixture->list);
    fixture->list = si_idea_list_new (fixture->store);
    consistency.n_seen = g_list_model_get_n_items (G_LIST_MODEL (fixture->list));
    g_assert_cmpuint (consistency.n_seen, ==, 1160);
    g_signal_connect (fixture->list, "items-changed", G_CALLBACK (read_like_a_view), &consistency);
    add_dated_in_one_commit (fixture, 250, "Between", 80 * G_USEC_PER_SEC, G_USEC_PER_SEC / 4);
    g_assert_cmpuint (consistency.mismatches, ==, 0);
    g_assert_cmpuint (consistency.n_seen, ==, 1410);
    assert_in_order (G_LIST_MODEL (fixture->list), 1410);
    g_signal_handlers_disconnect_by_func (fixture->list, read_like_a_view, &consistency);
  }
}

static void
test_big_list_loads_lazily (Fixture       *fixture,
                            gconstpointer  data)
{
  const guint n = 1200;
  g_autoptr(GError) error = NULL;
  g_autoptr(SiIdeaList) list = NULL;
  g_autoptr(SiIdea) oldest = NULL;
  g_autoptr(SiIdea) fresh = NULL;
  g_autoptr(SiIdea) last = NULL;
  Consistency consistency;
  guint position = 0;
  gint64 second_oldest = 0, fifth_oldest = 0;

  g_clear_object (&fixture->list);   /* this test makes its own, once the ideas are there */
  g_assert_true (_si_store_begin (fixture->store, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *title = g_strdup_printf ("idea %u", i);
      g_autoptr(SiIdea) idea = add (fixture, title);

      if (i == 0)
        oldest = g_object_ref (idea);
      if (i == 1)
        second_oldest = si_idea_get_id (idea);
      if (i == 5)
        fifth_oldest = si_idea_get_id (idea);
    }
  g_assert_true (_si_store_commit (fixture->store, &error));

  list = si_idea_list_new (fixture->store);
  consistency = (Consistency) { g_list_model_get_n_items (G_LIST_MODEL (list)), 0 };
  g_assert_cmpuint (consistency.n_seen, ==, n);
  g_signal_connect (list, "items-changed", G_CALLBACK (check_consistency), &consistency);
  g_array_set_size (fixture->changes, 0);
  g_signal_connect (list, "items-changed", G_CALLBACK (on_items_changed), fixture);

  /* The oldest idea, never loaded, is edited: it comes on top; the unloaded rows are one fewer. */
  si_idea_set_body (oldest, "edited");
  save (fixture, oldest);
  g_assert_cmpuint (fixture->changes->len, ==, 2);
  g_assert_cmpuint (g_array_index (fixture->changes, Change, 0).position, ==, 0);
  g_assert_cmpuint (g_array_index (fixture->changes, Change, 0).added, ==, 1);
  g_assert_cmpuint (g_array_index (fixture->changes, Change, 1).removed, ==,
                    g_array_index (fixture->changes, Change, 1).added + 1);
  g_array_set_size (fixture->changes, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n);

  /* Deleting a row nobody loaded shortens the list; a new idea is one insertion on top. */
  g_assert_true (si_store_delete_idea (fixture->store, second_oldest, SI_SAVE_LOCAL, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n - 1);
  g_array_set_size (fixture->changes, 0);
  fresh = add (fixture, "fresh");
  g_assert_cmpuint (fixture->changes->len, ==, 1);
  g_assert_cmpuint (g_array_index (fixture->changes, Change, 0).position, ==, 0);
  g_assert_cmpuint (g_array_index (fixture->changes, Change, 0).added, ==, 1);
  g_assert_cmpuint (consistency.mismatches, ==, 0);
  g_assert_cmpuint (consistency.n_seen, ==, n);

  /* Finding an idea deep in the list loads it: fresh, idea 0, idea 1199, ..., idea 2. */
  g_assert_true (si_idea_list_find (list, fifth_oldest, &position));
  g_assert_cmpuint (position, ==, n - 1 - 3);
  last = g_list_model_get_item (G_LIST_MODEL (list), n - 1);
  g_assert_cmpstr (si_idea_get_title (last), ==, "idea 2");
  for (guint i = 2; i < n; i++)
    {
      g_autoptr(SiIdea) idea = g_list_model_get_item (G_LIST_MODEL (list), i);
      g_autofree char *expected = g_strdup_printf ("idea %u", n + 1 - i);
      g_assert_cmpstr (si_idea_get_title (idea), ==, expected);
    }
  g_signal_handlers_disconnect_by_data (list, fixture);
  g_signal_handlers_disconnect_by_data (list, &consistency);
}

/* What GtkSingleSelection, and GtkListView for its focus, do in items-changed: when the change
 * removed the row they track, they look for it among every row the change adds, one get_item()
 * each. */
typedef struct {
  guint tracked;
  guint looked_at;
} Tracker;

static void
track_like_gtk (GListModel *model,
                guint       position,
                guint       removed,
                guint       added,
                Tracker    *t)
{
  if (t->tracked < position || t->tracked - position >= removed)
    return;
  for (guint i = 0; i < added; i++)
    {
      g_autoptr(SiIdea) idea = g_list_model_get_item (model, position + i);
      t->looked_at++;
    }
  t->tracked = 0;   /* found at the top, as the view's anchor is */
}

/* A new filter or search is two changes, every row out and then the new ones in: in a single
 * change, GTK looked for its tracked row among every row added, and ending a search read the
 * whole notebook (100,000 ideas) from disk, one idea at a time. */
static void
test_new_filter_replaces_in_two_changes (Fixture       *fixture,
                                         gconstpointer  data)
{
  Tracker tracker = { 0, 0 };

  add_in_one_commit (fixture, 1200, "idea");
  g_clear_object (&fixture->list);
  fixture->list = si_idea_list_new (fixture->store);
  g_signal_connect (fixture->list, "items-changed", G_CALLBACK (on_items_changed), fixture);
  g_signal_connect (fixture->list, "items-changed", G_CALLBACK (track_like_gtk), &tracker);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 1200);
  g_array_set_size (fixture->changes, 0);

  si_idea_list_set_search (fixture->list, "idea");
  assert_changes (fixture, (Change[]) { { 0, 1200, 0 }, { 0, 0, 500 } }, 2);
  si_idea_list_set_search (fixture->list, NULL);
  assert_changes (fixture, (Change[]) { { 0, 500, 0 }, { 0, 0, 1200 } }, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 1200);
  g_assert_cmpuint (tracker.looked_at, ==, 0);

  si_idea_list_set_pinned_only (fixture->list, TRUE);
  assert_changes (fixture, (Change[]) { { 0, 1200, 0 } }, 1);
  si_idea_list_set_pinned_only (fixture->list, FALSE);
  assert_changes (fixture, (Change[]) { { 0, 0, 1200 } }, 1);
  g_signal_handlers_disconnect_by_data (fixture->list, &tracker);
}

static void
note_notify (GObject    *object,
             GParamSpec *pspec,
             GString    *seen)
{
  g_string_append_printf (seen, "%s ", pspec->name);
}

static int
compare_names (const void *a,
               const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* The names in @seen sorted: GLib emits what a thaw releases in an order of its own. */
static char *
sorted (GString *seen)
{
  g_auto(GStrv) names = g_strsplit (seen->str, " ", -1);

  qsort (names, g_strv_length (names), sizeof (char *), compare_names);
  return g_strstrip (g_strjoinv (" ", names));
}

/* What the store writes into an idea or a tag: each changed field notified once, nothing when
 * nothing changed, a NULL uid keeps the uid; the typed getters and the properties agree. */
static void
check_bookkeeping (SiRecord *record)
{
  g_autoptr(GString) seen = g_string_new (NULL);
  SiRecordMeta meta = { 5, "uid-1", 7, 2, 3, SI_SYNC_STATE_SYNCED, 100, 200 };
  g_autofree char *uid = NULL;
  g_autofree char *names = NULL;
  gint64 sid = 0;
  SiSyncState state = SI_SYNC_STATE_CREATED;

  g_assert_cmpint (si_record_get_sync_state (record), ==, SI_SYNC_STATE_CREATED);
  g_signal_connect (record, "notify", G_CALLBACK (note_notify), seen);

  _si_record_set_meta (record, &meta);
  names = sorted (seen);
  g_assert_cmpstr (names, ==, "created-at generation id sid sync-state uid updated-at version");

  g_string_truncate (seen, 0);
  _si_record_set_meta (record, &meta);
  g_assert_cmpstr (seen->str, ==, "");

  meta.uid = NULL;
  meta.version = 4;
  _si_record_set_meta (record, &meta);
  g_assert_cmpstr (seen->str, ==, "version ");
  g_assert_cmpstr (si_record_get_uid (record), ==, "uid-1");

  g_string_truncate (seen, 0);
  _si_record_set_timestamps (record, 100, 300);
  g_assert_cmpstr (seen->str, ==, "updated-at ");

  g_object_get (record, "uid", &uid, "sid", &sid, "sync-state", &state, NULL);
  g_assert_cmpstr (uid, ==, "uid-1");
  g_assert_cmpint (sid, ==, 7);
  g_assert_cmpint (state, ==, SI_SYNC_STATE_SYNCED);
  g_signal_handlers_disconnect_by_data (record, seen);
}

static void
test_record_bookkeeping (void)
{
  g_autoptr(SiIdea) idea = si_idea_new ("title", "body");
  g_autoptr(SiIdea) copy = si_idea_new (NULL, NULL);
  g_autoptr(SiTag) tag = si_tag_new ("tag");
  SiRecordMeta meta = { 9, "tag-uid", 11, 1, 1, SI_SYNC_STATE_MODIFIED, 10, 20 };

  check_bookkeeping (SI_RECORD (idea));
  check_bookkeeping (SI_RECORD (tag));

  g_assert_cmpint (si_idea_get_id (idea), ==, 5);
  g_assert_cmpint (si_idea_get_version (idea), ==, 4);
  g_assert_cmpint (si_idea_get_updated_at (idea), ==, 300);
  g_assert_false (si_idea_is_dirty (idea));
  _si_idea_update_from (copy, idea);
  g_assert_cmpstr (si_idea_get_uid (copy), ==, "uid-1");
  g_assert_cmpint (si_idea_get_generation (copy), ==, 3);
  g_assert_cmpstr (si_idea_get_title (copy), ==, "title");

  _si_tag_set_meta (tag, &meta);
  g_assert_cmpstr (si_tag_get_uid (tag), ==, "tag-uid");
  g_assert_cmpint (si_tag_get_sid (tag), ==, 11);
  g_assert_cmpint (si_tag_get_sync_state (tag), ==, SI_SYNC_STATE_MODIFIED);
  g_assert_cmpint (si_tag_get_created_at (tag), ==, 10);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/idea-list/order-and-changes", test_order_and_changes);
  ADD ("/idea-list/loaded-idea-updates-in-place", test_loaded_idea_updates_in_place);
  ADD ("/idea-list/filters", test_filters);
  ADD ("/idea-list/other-process", test_other_process);
  ADD ("/idea-list/consistent-during-changes", test_consistent_during_changes);
  ADD ("/idea-list/big-list-loads-lazily", test_big_list_loads_lazily);
  ADD ("/idea-list/burst-is-one-change", test_burst_is_one_change);
  ADD ("/idea-list/burst-in-big-list", test_burst_in_big_list);
  ADD ("/idea-list/burst-between-rows", test_burst_between_rows);
  ADD ("/idea-list/new-filter-replaces-in-two-changes", test_new_filter_replaces_in_two_changes);
#undef ADD
  g_test_add_func ("/idea-list/record-bookkeeping", test_record_bookkeeping);

  return g_test_run ();
}
