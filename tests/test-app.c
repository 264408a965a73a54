/* test-app.c — the application's real widgets under Xvfb: what a person does and sees.
 *
 * Each test opens a window on a fresh notebook (G_TEST_OPTION_ISOLATE_DIRS gives it its own
 * HOME and XDG folders), drives it through its actions and widgets, and checks the list on
 * screen and the store on disk. */
#include "config.h"

#include "si-test-app.h"

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
  /* No sync account: nothing is "not synced yet" (test-app-chrome.c has the account's side). */
  g_assert_false (si_idea_row_shows_pending (find_row (f->window, "New idea")));

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
  /* The chip comes first, before the Add Tag button's place. */
  g_assert_true (gtk_widget_get_first_child (_si_editor_get_tag_box (editor)) !=
                 gtk_widget_get_parent (_si_editor_get_add_tag_button (editor)));
  si_window_open_idea (f->window, si_idea_get_id (b));
  g_assert_true (si_editor_add_tag (editor, "#Cooking", &error));   /* the same tag */
  g_assert_no_error (error);

  tag = si_store_find_tag (f->store, "cooking", NULL);
  g_assert_nonnull (tag);
  stored = si_store_get_idea (f->store, si_idea_get_id (b), NULL);
  g_assert_true (si_idea_has_tag (stored, si_tag_get_id (tag)));

  /* The sidebar gets the tag with its count; choosing it filters the list. */
  WAIT_FOR ((row = _si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_TAG, si_tag_get_id (tag))) != NULL);
  WAIT_FOR (g_str_equal (si_count_label_get_text (g_object_get_data (G_OBJECT (row), "count-label")), "2"));
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

  /* The countdown steps when its number does, timed from the retry's own time: after each turn of
   * the main loop the label shows the seconds left at some moment since that turn began (5 ms of
   * slack for the timer's whole milliseconds). Ticks of their own, a second apart, showed a
   * number up to a second stale, and two indicators of one manager could differ by a second (a
   * flaky app-layout). */
  {
    gint64 retry = si_sync_manager_get_next_retry_time (manager);
    gint64 end = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
    guint samples = 0, steps = 0;
    g_autofree char *last = g_strdup (si_sync_indicator_get_text (indicator));

    g_assert_cmpint (retry, >, g_get_real_time () + 10 * G_USEC_PER_SEC);
    while (g_get_monotonic_time () < end)
      {
        gint64 before = g_get_real_time ();
        gint64 left;
        g_autofree char *now_in = NULL;
        g_autofree char *then_in = NULL;
        g_autofree char *now_text = NULL;
        g_autofree char *then_text = NULL;

        g_main_context_iteration (NULL, FALSE);
        text = si_sync_indicator_get_text (indicator);
        left = retry - g_get_real_time ();
        now_in = si_format_duration (left);
        then_in = si_format_duration (retry - (before - 5000));
        now_text = g_strdup_printf (" · retrying in %s", now_in);
        then_text = g_strdup_printf (" · retrying in %s", then_in);
        if (!g_str_has_suffix (text, now_text) && !g_str_has_suffix (text, then_text))
          g_error ("%.3f s before the retry the indicator says \"%s\"", left / 1e6, text);
        samples++;
        if (g_strcmp0 (text, last) != 0)
          {
            steps++;
            g_free (last);
            last = g_strdup (text);
          }
        g_usleep (2000);
      }
    g_test_message ("countdown: %u samples, %u steps", samples, steps);
    g_assert_cmpuint (steps, >=, 2);
  }

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
  g_autoptr(GNetworkMonitor) monitor = test_network_monitor_new (TRUE);
  g_autoptr(SiSyncManager) manager = NULL;
  FaultServer *fault = fault_server_new (TRUE);
  SiSyncIndicator *indicator;

  fault->first_page = fault_page_two_of_5000;
  manager = make_manager (f->store, fault->url, monitor);
  open_window (f, manager);
  indicator = _si_window_get_sync_indicator (f->window);
  si_sync_manager_start (manager);

  WAIT_FOR (si_sync_manager_get_progress_done (manager) == 2);
  /* The progress is shown within a quarter of a second (test-app-stall.c). */
  WAIT_FOR (g_strcmp0 (si_sync_indicator_get_text (indicator), "Syncing 2 of 5,000") == 0);
  g_assert_cmpuint (si_sync_manager_get_state (manager), ==, SI_SYNC_MANAGER_STATE_SYNCING);
  g_assert_cmpuint (si_sync_manager_get_progress_total (manager), ==, 5000);
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


int
main (int   argc,
      char *argv[])
{
  si_test_app_init (&argc, &argv);

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
