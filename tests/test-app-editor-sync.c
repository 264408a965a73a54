/* test-app-editor-sync.c — the editor while a sync (or another program) changes the idea it
 * shows: the text being typed is never replaced under the cursor.
 *
 * Two notebooks on one account of a real saveidea-server: the window's (the fixture's store,
 * synced by the real sync engine on that very store, as the app does) and another device's.
 * Each test types into the real editor with the cursor inside the text, lets the other device
 * change the idea, syncs, and checks what a person would: the words, the cursor, the selection,
 * Undo, and in a conflict the copy, the banner and the toast. */
#include "config.h"

#include "si-compare-window.h"
#include "si-sync-engine.h"
#include "si-test-app.h"
#include "si-test-server.h"

#define PASSWORD "correct horse battery"

typedef struct {
  Fixture       f;
  SiTestServer *server;
  char         *token;
  SiStore      *other;    /* the other device's notebook */
} SyncFixture;

static void
sync_fixture_setup (SyncFixture   *s,
                    gconstpointer  data)
{
  g_autofree char *other_path = g_build_filename (g_get_user_data_dir (), "other-device.db", NULL);
  g_autoptr(GError) error = NULL;

  fixture_setup (&s->f, data);
  s->server = si_test_server_new (NULL);
  si_test_server_add_user (s->server, "alice", PASSWORD);
  si_test_server_start (s->server);
  s->token = si_test_server_login (s->server, "alice", PASSWORD);
  s->other = si_store_new (other_path, &error);
  g_assert_no_error (error);
}

static void
sync_fixture_teardown (SyncFixture   *s,
                       gconstpointer  data)
{
  fixture_teardown (&s->f, data);
  g_clear_object (&s->other);
  si_test_server_free (s->server);
  g_free (s->token);
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* One sync of @store by the real engine, with the main loop (and so the window) running. */
static SiSyncReport
sync_store (SyncFixture *s,
            SiStore     *store)
{
  g_autoptr(SiSyncEngine) engine = si_sync_engine_new (store, si_test_server_get_url (s->server), s->token);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  SiSyncReport report = { 0, };

  si_sync_engine_sync_async (engine, SI_SYNC_MODE_INCREMENTAL, NULL, got_result, &result);
  WAIT_FOR (result != NULL);
  g_assert_true (si_sync_engine_sync_finish (engine, result, &report, &error));
  g_assert_no_error (error);
  return report;
}

/* The idea on both devices: made in the window's notebook, synced to the other. */
static SiIdea *
shared_idea (SyncFixture *s,
             const char  *title,
             const char  *body)
{
  SiIdea *idea = add_idea (s->f.store, title, body);

  sync_store (s, s->f.store);
  sync_store (s, s->other);
  return idea;
}

/* The other device edits the idea and syncs. */
static void
edit_on_other_device (SyncFixture *s,
                      SiIdea      *idea,
                      const char  *title,
                      const char  *body)
{
  g_autoptr(SiIdea) there = si_store_get_idea_by_uid (s->other, si_idea_get_uid (idea), NULL);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (there);
  si_idea_set_title (there, title);
  si_idea_set_body (there, body);
  g_assert_true (si_store_save_idea (s->other, there, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  sync_store (s, s->other);
}

static SiEditor *
open_in_editor (SyncFixture *s,
                SiIdea      *idea)
{
  SiEditor *editor;

  open_window (&s->f, NULL);
  si_window_open_idea (s->f.window, si_idea_get_id (idea));
  editor = _si_window_get_editor (s->f.window);
  g_assert_cmpint (si_idea_get_id (si_editor_get_idea (editor)), ==, si_idea_get_id (idea));
  return editor;
}

/* Types @text where the cursor is after @before (a keystroke's way: one user action). */
static void
type_after (SiEditor   *editor,
            const char *before,
            const char *text)
{
  GtkTextBuffer *buffer = _si_editor_get_body_buffer (editor);
  g_autofree char *shown = body_text (editor);
  const char *at = strstr (shown, before);
  GtkTextIter iter;

  g_assert_nonnull (at);
  gtk_text_buffer_get_iter_at_offset (buffer, &iter, (int) g_utf8_pointer_to_offset (shown, at + strlen (before)));
  gtk_text_buffer_place_cursor (buffer, &iter);
  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_insert_interactive_at_cursor (buffer, text, -1, TRUE);
  gtk_text_buffer_end_user_action (buffer);
}

#define assert_body(editor, text) \
  G_STMT_START { \
    g_autofree char *shown_ = body_text (editor); \
    g_assert_cmpstr (shown_, ==, text); \
  } G_STMT_END

/* Whether anyone (the editor) listens for SiStore::save-pending of ideas: only an editor with
 * typed text not yet saved does, so that a sync's pages are not announced record by record to
 * nobody. */
static gboolean
hears_save_pending (SiStore *store)
{
  return g_signal_has_handler_pending (store, g_signal_lookup ("save-pending", SI_TYPE_STORE),
                                       g_quark_from_static_string (SI_COLLECTION_IDEAS), FALSE);
}

/* The tests run twice: syncing while the typed words wait to be saved (data NULL), and after
 * they were saved (data non-NULL), as after a pause in the typing. */
static void
maybe_wait_for_save (SiEditor      *editor,
                     gconstpointer  data)
{
  g_assert_true (hears_save_pending (si_editor_get_store (editor)) == si_editor_has_pending (editor));
  if (data != NULL)
    {
      WAIT_FOR (!si_editor_has_pending (editor));
      g_assert_false (hears_save_pending (si_editor_get_store (editor)));
    }
  else
    {
      g_assert_true (si_editor_has_pending (editor));
      g_assert_true (hears_save_pending (si_editor_get_store (editor)));
    }
}

static int
cursor_offset (SiEditor *editor)
{
  GtkTextBuffer *buffer = _si_editor_get_body_buffer (editor);
  GtkTextIter iter;

  gtk_text_buffer_get_iter_at_mark (buffer, &iter, gtk_text_buffer_get_insert (buffer));
  return gtk_text_iter_get_offset (&iter);
}

static char *
stored_body (SiStore *store,
             gint64   id)
{
  g_autoptr(SiIdea) idea = si_store_get_idea (store, id, NULL);

  g_assert_nonnull (idea);
  return g_strdup (si_idea_get_body (idea));
}

/* Whether a widget under @widget is a label that says @text (a toast's title, its button). */
static gboolean
shows_label (GtkWidget  *widget,
             const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  if (GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    if (shows_label (child, text))
      return TRUE;
  return FALSE;
}

static GtkButton *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return GTK_BUTTON (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkButton *found = find_button (child, label);
      if (found)
        return found;
    }
  return NULL;
}

static SiCompareWindow *
find_compare_window (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);
      if (SI_IS_COMPARE_WINDOW (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return SI_COMPARE_WINDOW (window);
    }
  return NULL;
}

/* A clean merge ------------------------------------------------------------------------------- */

/* Typing at the end of the third line while the other device changed the first line and the
 * title: the merge lands in the editor around the cursor, which stays behind the typed words;
 * the title's cursor stays too, and Undo takes back the merge, then the typing. */
static void
test_clean_merge_keeps_cursor (SyncFixture   *s,
                               gconstpointer  data)
{
  g_autoptr(SiIdea) idea = shared_idea (s, "Shopping", "Milk\nEggs\nBread\n");
  GtkTextBuffer *buffer;
  GtkEditable *title;
  SiEditor *editor;
  g_autofree char *stored = NULL;
  SiSyncReport report;
  int cursor;

  edit_on_other_device (s, idea, "Shopping list", "Oat milk\nEggs\nBread\n");
  editor = open_in_editor (s, idea);
  buffer = _si_editor_get_body_buffer (editor);
  title = _si_editor_get_title_editable (editor);
  gtk_editable_set_position (title, 4);
  /* Nothing typed yet: nothing to save before a page is written. */
  g_assert_false (hears_save_pending (s->f.store));

  type_after (editor, "Bread", " and butter");
  cursor = cursor_offset (editor);
  g_assert_cmpint (cursor, ==, (int) strlen ("Milk\nEggs\nBread and butter"));
  maybe_wait_for_save (editor, data);

  report = sync_store (s, s->f.store);
  g_assert_cmpuint (report.conflicts, ==, 0);

  /* Both edits, the cursor behind the typed words (the first line grew by four letters). */
  assert_body (editor, "Oat milk\nEggs\nBread and butter\n");
  g_assert_cmpint (cursor_offset (editor), ==, cursor + 4);
  g_assert_false (gtk_text_buffer_get_has_selection (buffer));
  g_assert_cmpstr (gtk_editable_get_text (title), ==, "Shopping list");
  g_assert_cmpint (gtk_editable_get_position (title), ==, 4);
  /* The same idea, merged on disk, waiting to be pushed. */
  g_assert_cmpint (si_idea_get_id (si_editor_get_idea (editor)), ==, si_idea_get_id (idea));
  si_editor_save_now (editor);
  stored = stored_body (s->f.store, si_idea_get_id (idea));
  g_assert_cmpstr (stored, ==, "Oat milk\nEggs\nBread and butter\n");

  /* The undo history is kept: the merge is one step, the typing under it is still there. */
  g_assert_true (gtk_text_buffer_get_can_undo (buffer));
  gtk_text_buffer_undo (buffer);
  assert_body (editor, "Milk\nEggs\nBread and butter\n");
  g_assert_true (gtk_text_buffer_get_can_undo (buffer));
  gtk_text_buffer_undo (buffer);
  assert_body (editor, "Milk\nEggs\nBread\n");
}

/* A selection made before the sync covers the same word after it. */
static void
test_clean_merge_keeps_selection (SyncFixture   *s,
                                  gconstpointer  data)
{
  g_autoptr(SiIdea) idea = shared_idea (s, "Shopping", "Milk\nEggs\nBread\n");
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  SiEditor *editor;
  g_autofree char *selected = NULL;

  edit_on_other_device (s, idea, "Shopping", "Tea\nOat milk\nEggs\nBread\n");
  editor = open_in_editor (s, idea);
  buffer = _si_editor_get_body_buffer (editor);

  type_after (editor, "Bread", " and butter");
  maybe_wait_for_save (editor, data);
  gtk_text_buffer_get_iter_at_offset (buffer, &start, 5);
  gtk_text_buffer_get_iter_at_offset (buffer, &end, 9);
  gtk_text_buffer_select_range (buffer, &end, &start);

  sync_store (s, s->f.store);

  assert_body (editor, "Tea\nOat milk\nEggs\nBread and butter\n");
  g_assert_true (gtk_text_buffer_get_selection_bounds (buffer, &start, &end));
  selected = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_assert_cmpstr (selected, ==, "Eggs");
  /* The cursor is still at the end the person dragged to. */
  g_assert_cmpint (cursor_offset (editor), ==, gtk_text_iter_get_offset (&end));
}

/* A sync that brings nothing new for the idea (here: this device's own push coming back) leaves
 * the typing alone: it is saved when the typing pauses, not in the middle of a word. */
static void
test_sync_without_news_waits (SyncFixture   *s,
                              gconstpointer  data)
{
  g_autoptr(SiIdea) idea = shared_idea (s, "Shopping", "Milk\nEggs\nBread\n");
  SiEditor *editor;

  editor = open_in_editor (s, idea);
  type_after (editor, "Bread", " and b");
  g_assert_true (si_editor_has_pending (editor));
  sync_store (s, s->f.store);
  g_assert_true (si_editor_has_pending (editor));
  assert_body (editor, "Milk\nEggs\nBread and b\n");
}

/* Another program (saveidea-cli) changes the idea while an edit waits to be saved: the edit
 * merges with it instead of overwriting it. */
static void
test_other_program_while_typing (SyncFixture   *s,
                                 gconstpointer  data)
{
  g_autoptr(SiIdea) idea = add_idea (s->f.store, "Trip", "Train at 9\nHotel\nMuseum\n");
  g_autoptr(SiStore) cli = NULL;
  g_autoptr(SiIdea) there = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  SiEditor *editor;
  int cursor;

  editor = open_in_editor (s, idea);
  type_after (editor, "Museum", " on Sunday");
  cursor = cursor_offset (editor);

  cli = si_store_new (s->f.path, &error);
  g_assert_no_error (error);
  there = si_store_get_idea (cli, si_idea_get_id (idea), NULL);
  si_idea_set_body (there, "Train at 8\nHotel\nMuseum\n");
  g_assert_true (si_store_save_idea (cli, there, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);

  WAIT_FOR (!si_editor_has_pending (editor));
  assert_body (editor, "Train at 8\nHotel\nMuseum on Sunday\n");
  g_assert_cmpint (cursor_offset (editor), ==, cursor);
  stored = stored_body (s->f.store, si_idea_get_id (idea));
  g_assert_cmpstr (stored, ==, "Train at 8\nHotel\nMuseum on Sunday\n");
}

/* A true conflict ------------------------------------------------------------------------------ */

/* Both devices changed the same line: the words typed here stay in the editor, under the cursor,
 * now as the conflicted copy; the banner and a toast say so, and the toast's Compare opens the
 * two versions. */
static void
test_conflict_keeps_typed_text (SyncFixture   *s,
                                gconstpointer  data)
{
  g_autoptr(SiIdea) idea = shared_idea (s, "Shopping", "Milk\nEggs\nBread\n");
  GtkWidget *overlay;
  GtkButton *compare;
  SiEditor *editor;
  SiIdea *shown;
  gint64 copy_id;
  SiSyncReport report;
  g_autofree char *original = NULL;
  g_autofree char *copy = NULL;
  int cursor;

  edit_on_other_device (s, idea, "Shopping", "Milk\nEggs\nRye bread\n");
  editor = open_in_editor (s, idea);
  type_after (editor, "Bread", " and butter");
  cursor = cursor_offset (editor);
  maybe_wait_for_save (editor, data);

  report = sync_store (s, s->f.store);

  /* The typed words did not move. */
  assert_body (editor, "Milk\nEggs\nBread and butter\n");
  g_assert_cmpint (cursor_offset (editor), ==, cursor);
  g_assert_cmpuint (report.conflicts, ==, 1);
  /* The editor edits the conflicted copy that holds them; the other version is in place. */
  shown = si_editor_get_idea (editor);
  copy_id = si_idea_get_id (shown);
  g_assert_cmpint (copy_id, !=, si_idea_get_id (idea));
  g_assert_cmpint (si_idea_get_conflict_of (shown), ==, si_idea_get_id (idea));
  original = stored_body (s->f.store, si_idea_get_id (idea));
  g_assert_cmpstr (original, ==, "Milk\nEggs\nRye bread\n");
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (_si_editor_get_conflict_banner (editor))));

  /* "Changed on another device — Compare" */
  overlay = gtk_widget_get_ancestor (GTK_WIDGET (editor), ADW_TYPE_TOAST_OVERLAY);
  g_assert_nonnull (overlay);
  WAIT_FOR (shows_label (overlay, "Changed on another device"));
  compare = find_button (overlay, "_Compare");
  g_assert_nonnull (compare);
  g_assert_null (find_compare_window ());
  g_signal_emit_by_name (compare, "clicked");
  WAIT_FOR (find_compare_window () != NULL);
  gtk_window_destroy (GTK_WINDOW (find_compare_window ()));

  /* Typing goes on in the copy. */
  type_after (editor, "butter", "!");
  g_assert_true (si_editor_save_now (editor));
  copy = stored_body (s->f.store, copy_id);
  g_assert_cmpstr (copy, ==, "Milk\nEggs\nBread and butter!\n");
  g_clear_pointer (&original, g_free);
  original = stored_body (s->f.store, si_idea_get_id (idea));
  g_assert_cmpstr (original, ==, "Milk\nEggs\nRye bread\n");
}

/* Another program changes the very line being typed in, while the edit waits to be saved: the
 * typed words stay under the cursor as the conflicted copy, the other version stays in place. */
static void
test_other_program_conflict (SyncFixture   *s,
                             gconstpointer  data)
{
  g_autoptr(SiIdea) idea = add_idea (s->f.store, "Trip", "Train at 9\nHotel\nMuseum\n");
  g_autoptr(SiStore) cli = NULL;
  g_autoptr(SiIdea) there = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *original = NULL;
  g_autofree char *copy = NULL;
  GtkWidget *overlay;
  SiEditor *editor;
  SiIdea *shown;
  int cursor;

  editor = open_in_editor (s, idea);
  type_after (editor, "Museum", " on Sunday");
  cursor = cursor_offset (editor);

  cli = si_store_new (s->f.path, &error);
  g_assert_no_error (error);
  there = si_store_get_idea (cli, si_idea_get_id (idea), NULL);
  si_idea_set_body (there, "Train at 9\nHotel\nMuseum closed\n");
  g_assert_true (si_store_save_idea (cli, there, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);

  WAIT_FOR (!si_editor_has_pending (editor));
  assert_body (editor, "Train at 9\nHotel\nMuseum on Sunday\n");
  g_assert_cmpint (cursor_offset (editor), ==, cursor);
  shown = si_editor_get_idea (editor);
  g_assert_cmpint (si_idea_get_conflict_of (shown), ==, si_idea_get_id (idea));
  copy = stored_body (s->f.store, si_idea_get_id (shown));
  g_assert_cmpstr (copy, ==, "Train at 9\nHotel\nMuseum on Sunday\n");
  original = stored_body (s->f.store, si_idea_get_id (idea));
  g_assert_cmpstr (original, ==, "Train at 9\nHotel\nMuseum closed\n");
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (_si_editor_get_conflict_banner (editor))));
  overlay = gtk_widget_get_ancestor (GTK_WIDGET (editor), ADW_TYPE_TOAST_OVERLAY);
  WAIT_FOR (shows_label (overlay, "Changed on another device"));
}

int
main (int   argc,
      char *argv[])
{
  si_test_app_init (&argc, &argv);

#define ADD(path, func, saved) \
  g_test_add ("/app/editor-sync/" path, SyncFixture, (saved) ? "saved" : NULL, \
              sync_fixture_setup, func, sync_fixture_teardown)
  ADD ("clean-merge/cursor-and-undo", test_clean_merge_keeps_cursor, FALSE);
  ADD ("clean-merge/cursor-and-undo-saved", test_clean_merge_keeps_cursor, TRUE);
  ADD ("clean-merge/selection", test_clean_merge_keeps_selection, FALSE);
  ADD ("clean-merge/selection-saved", test_clean_merge_keeps_selection, TRUE);
  ADD ("clean-merge/other-program", test_other_program_while_typing, FALSE);
  ADD ("no-news", test_sync_without_news_waits, FALSE);
  ADD ("conflict/other-program", test_other_program_conflict, FALSE);
  ADD ("conflict/keeps-typed-text", test_conflict_keeps_typed_text, FALSE);
  ADD ("conflict/keeps-typed-text-saved", test_conflict_keeps_typed_text, TRUE);
#undef ADD

  return g_test_run ();
}
