/* test-app-history.c — issue 19 in the app: an idea's History window (its versions in order,
 * newest first, with the devices that wrote them, "this device only", the difference to the
 * current text, Restore as a new edit that waits to be synced, the line that says older
 * versions need a connection) and the Trash in the sidebar (a deleted idea listed, Restore
 * bringing it back to the list, Delete Forever removing it after a confirmation, the empty
 * state). All of it goes through the core's si-history.h. */
#include "config.h"

#include <glib/gi18n.h>

#include "si-history-window.h"
#include "si-store-private.h"
#include "si-test-app.h"
#include "si-test-server.h"

/* Makes @id look as a sync leaves it: version @version on the server, written by @device at
 * @updated_at (µs), nothing waiting. */
static void
mark_synced (SiStore    *store,
             gint64      id,
             gint64      version,
             const char *device,
             gint64      updated_at)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = _si_store_prepare (store,
                                          "UPDATE ideas SET state = " SI_SQL_SYNCED ", sid = ?1, version = ?2,"
                                          " device = ?3, updated_at = ?4 WHERE id = ?1", &error);

  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, version);
  sqlite3_bind_text (stmt, 3, device, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, updated_at);
  g_assert_true (_si_store_step_done (store, stmt, "marking an idea synced", &error));
  g_assert_no_error (error);
}

static void
edit_body (SiStore    *store,
           gint64      id,
           const char *body)
{
  g_autoptr(SiIdea) idea = si_store_get_idea (store, id, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (idea);
  si_idea_set_body (idea, body);
  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
}

/* An idea with two versions on the server, from two devices, and a third text typed here. */
static gint64
idea_with_history (SiStore *store)
{
  g_autoptr(SiIdea) idea = add_idea (store, "Garden", "Plant tomatoes in May");
  gint64 id = si_idea_get_id (idea);
  gint64 now = g_get_real_time ();
  g_autoptr(GDateTime) local = g_date_time_new_from_unix_local (now / G_USEC_PER_SEC);
  /* Both versions were written earlier today, up to two hours ago: an hour before now is
   * yesterday for a run in the first hour after midnight. */
  gint64 since_midnight = ((gint64) g_date_time_get_hour (local) * 3600 +
                           g_date_time_get_minute (local) * 60 +
                           g_date_time_get_second (local)) * G_USEC_PER_SEC;
  gint64 step = MIN ((gint64) 3600 * G_USEC_PER_SEC, since_midnight / 3);

  /* Device names come from other devices: never read as markup. */
  mark_synced (store, id, 1, "desk<top> & co", now - 2 * step);
  edit_body (store, id, "Plant tomatoes and beans in May");
  mark_synced (store, id, 2, "laptop", now - step);
  edit_body (store, id, "Plant beans in June");
  return id;
}

static SiHistoryWindow *
find_history_window (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l; l = l->next)
    if (SI_IS_HISTORY_WINDOW (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static GtkWidget *
nth_row (GtkListBox *list,
         guint       n)
{
  return GTK_WIDGET (gtk_list_box_get_row_at_index (list, (int) n));
}

static guint
count_rows (GtkListBox *list)
{
  guint n = 0;

  while (gtk_list_box_get_row_at_index (list, (int) n))
    n++;
  return n;
}

static char *
view_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* The text of @view with (@with) or without (!@with) the tag @name, a '|' between stretches. */
static char *
tagged_text (GtkTextView *view,
             const char  *name,
             gboolean     with)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), name);
  GString *out = g_string_new (NULL);
  GtkTextIter iter;
  gboolean in = FALSE;

  g_assert_nonnull (tag);
  gtk_text_buffer_get_start_iter (buffer, &iter);
  while (!gtk_text_iter_is_end (&iter))
    {
      gboolean has = gtk_text_iter_has_tag (&iter, tag);

      if (has == with)
        {
          if (with && !in && out->len > 0)
            g_string_append_c (out, '|');
          g_string_append_unichar (out, gtk_text_iter_get_char (&iter));
        }
      in = has == with;
      gtk_text_iter_forward_char (&iter);
    }
  return g_string_free (out, FALSE);
}

/* The version's own text, as @view shows it: without what only the current text has. */
static char *
version_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (buffer);
  GtkTextTag *removed = gtk_text_tag_table_lookup (table, "removed");
  GtkTextTag *gap = gtk_text_tag_table_lookup (table, "gap");
  GString *out = g_string_new (NULL);
  GtkTextIter iter;

  gtk_text_buffer_get_start_iter (buffer, &iter);
  for (; !gtk_text_iter_is_end (&iter); gtk_text_iter_forward_char (&iter))
    if (!gtk_text_iter_has_tag (&iter, removed) && !gtk_text_iter_has_tag (&iter, gap))
      g_string_append_unichar (out, gtk_text_iter_get_char (&iter));
  return g_string_free (out, FALSE);
}

static SiHistoryWindow *
open_history (Fixture *f,
              gint64   id)
{
  SiHistoryWindow *history;

  si_window_open_idea (f->window, id);
  WAIT_FOR (si_window_get_current_id (f->window) == id);
  g_assert_null (find_history_window ());
  /* As the idea menu's History… and Ctrl+Shift+H do. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "idea.history", NULL));
  WAIT_FOR ((history = find_history_window ()) && gtk_widget_get_mapped (GTK_WIDGET (history)));
  WAIT_FOR (!_si_history_window_is_loading (history));
  return history;
}

/* The versions newest first, each with its device; the chosen one's text with what the current
 * text lacks highlighted; Restore makes it the idea's text as an edit that waits for a sync, and
 * the text it replaced is kept as a version of this device only. */
static void
test_history_lists_and_restores (Fixture       *f,
                                 gconstpointer  data)
{
  gint64 id = idea_with_history (f->store);
  SiHistoryWindow *history;
  GtkListBox *list;
  g_autoptr(SiIdea) after = NULL;
  g_autofree char *text = NULL;
  g_autofree char *added = NULL;
  g_autofree char *removed = NULL;
  g_autofree char *body = NULL;

  open_window (f, NULL);
  history = open_history (f, id);
  list = _si_history_window_get_list (history);

  for (guint i = 0; i < count_rows (list); i++)
    g_test_message ("row %u: %s / %s", i, adw_preferences_row_get_title (ADW_PREFERENCES_ROW (nth_row (list, i))),
                    adw_action_row_get_subtitle (ADW_ACTION_ROW (nth_row (list, i))));
  g_assert_cmpuint (count_rows (list), ==, 3);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (nth_row (list, 0))), ==, "Current Version");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (nth_row (list, 1))), "laptop"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (nth_row (list, 2))), "desk<top> & co"));
  g_assert_null (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (nth_row (list, 2))), "this device only"));
  g_assert_true (g_str_has_prefix (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (nth_row (list, 1))), "Today, "));
  /* The newest earlier version is chosen at first. */
  g_assert_true (GTK_LIST_BOX_ROW (nth_row (list, 1)) == gtk_list_box_get_selected_row (list));

  /* The oldest against the current text: what Restore brings back (added) and takes out
   * (removed, shown struck through where it stands). */
  gtk_list_box_select_row (list, GTK_LIST_BOX_ROW (nth_row (list, 2)));
  text = version_text (_si_history_window_get_text_view (history));
  g_assert_cmpstr (text, ==, "Garden\n\nPlant tomatoes in May");
  added = tagged_text (_si_history_window_get_text_view (history), "added", TRUE);
  g_assert_cmpstr (added, ==, "tomatoes|May");
  removed = tagged_text (_si_history_window_get_text_view (history), "removed", TRUE);
  g_assert_cmpstr (removed, ==, "beans|June");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (history), "history.restore", NULL));
  WAIT_FOR (find_history_window () == NULL);
  after = si_store_get_idea (f->store, id, NULL);
  g_assert_cmpstr (si_idea_get_body (after), ==, "Plant tomatoes in May");
  g_assert_cmpint (si_idea_get_sync_state (after), ==, SI_SYNC_STATE_MODIFIED);
  g_assert_cmpuint (si_store_count_pending (f->store, NULL), ==, 1);
  /* The editor shows the restored text. */
  WAIT_FOR (body_is (_si_window_get_editor (f->window), "Plant tomatoes in May"));

  /* The text typed here and replaced is a version of this device only now. */
  history = open_history (f, id);
  list = _si_history_window_get_list (history);
  g_assert_cmpuint (count_rows (list), ==, 4);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (nth_row (list, 1))), "this device only"));
  gtk_list_box_select_row (list, GTK_LIST_BOX_ROW (nth_row (list, 1)));
  body = version_text (_si_history_window_get_text_view (history));
  g_assert_nonnull (strstr (body, "Plant beans in June"));
  /* The current version cannot be restored onto itself. */
  gtk_list_box_select_row (list, GTK_LIST_BOX_ROW (nth_row (list, 0)));
  spin (20);
  g_assert_false (gtk_widget_is_sensitive (_si_history_window_get_restore_button (history)));
  gtk_window_close (GTK_WINDOW (history));
  WAIT_FOR (find_history_window () == NULL);
}

/* Offline, the window shows this device's versions and says the older ones need a connection;
 * an idea never edited says it has no history yet. */
static void
test_history_offline (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GNetworkMonitor) monitor = test_network_monitor_new (FALSE);
  g_autoptr(SiSyncManager) manager = make_manager (f->store, "http://127.0.0.1:9/", monitor);
  gint64 id = idea_with_history (f->store);
  g_autoptr(SiIdea) fresh = add_idea (f->store, "Fresh", "Never edited");
  SiHistoryWindow *history;
  GtkLabel *status;

  si_sync_manager_start (manager);
  WAIT_FOR (si_sync_manager_get_state (manager) == SI_SYNC_MANAGER_STATE_OFFLINE);
  open_window (f, manager);
  history = open_history (f, id);
  status = _si_history_window_get_status (history);
  g_assert_cmpuint (count_rows (_si_history_window_get_list (history)), ==, 3);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (status)));
  g_assert_cmpstr (gtk_label_get_label (status), ==, "Older versions need a connection to the server");
  gtk_window_close (GTK_WINDOW (history));
  WAIT_FOR (find_history_window () == NULL);

  history = open_history (f, si_idea_get_id (fresh));
  g_assert_cmpuint (count_rows (_si_history_window_get_list (history)), ==, 1);
  gtk_window_close (GTK_WINDOW (history));
  WAIT_FOR (find_history_window () == NULL);
}


/* While the server is asked, the window says so and shows this notebook's versions; a server
 * that answers with an error is said in the window, and the versions stay; closing the window
 * while the server has not answered stops the request, and nothing happens after. */
static void
test_history_server_states (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GNetworkMonitor) monitor = test_network_monitor_new (TRUE);
  FaultServer *hanging = fault_server_new (TRUE);
  FaultServer *failing = fault_server_new (FALSE);
  gint64 id = idea_with_history (f->store);
  SiHistoryWindow *history;
  GtkLabel *status;

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(SiSyncManager) manager = make_manager (f->store, round == 0 ? hanging->url : failing->url, monitor);

      open_window (f, manager);
      si_window_open_idea (f->window, id);
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "idea.history", NULL));
      WAIT_FOR ((history = find_history_window ()) && gtk_widget_get_mapped (GTK_WIDGET (history)));
      status = _si_history_window_get_status (history);
      g_assert_cmpuint (count_rows (_si_history_window_get_list (history)), ==, 3);
      if (round == 0)
        {
          WAIT_FOR (hanging->paused->len > 0);
          g_assert_true (_si_history_window_is_loading (history));
          g_assert_cmpstr (gtk_label_get_label (status), ==, "Looking for older versions on the server…");
          gtk_window_close (GTK_WINDOW (history));
          WAIT_FOR (find_history_window () == NULL);
          spin (200);
        }
      else
        {
          WAIT_FOR (!_si_history_window_is_loading (history));
          g_assert_true (gtk_widget_get_visible (GTK_WIDGET (status)));
          g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (status), "error"));
          g_assert_true (g_str_has_prefix (gtk_label_get_label (status), "Older versions could not be loaded: "));
          g_assert_cmpuint (count_rows (_si_history_window_get_list (history)), ==, 3);
          gtk_window_close (GTK_WINDOW (history));
          WAIT_FOR (find_history_window () == NULL);
        }
      gtk_window_destroy (GTK_WINDOW (f->window));
      f->window = NULL;
      spin (50);
    }
  fault_server_free (hanging);
  fault_server_free (failing);
}

/* The Trash ---------------------------------------------------------------------------------- */

static void
show_trash (Fixture *f)
{
  GtkWidget *row = _si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_TRASH, 0);

  g_assert_nonnull (row);
  gtk_list_box_select_row (_si_window_get_sidebar (f->window), GTK_LIST_BOX_ROW (row));
  WAIT_FOR (g_strcmp0 (gtk_stack_get_visible_child_name (_si_window_get_list_stack (f->window)), "trash") == 0);
}

static void
show_all (Fixture *f)
{
  GtkWidget *row = _si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_ALL, 0);

  gtk_list_box_select_row (_si_window_get_sidebar (f->window), GTK_LIST_BOX_ROW (row));
  WAIT_FOR (g_strcmp0 (gtk_stack_get_visible_child_name (_si_window_get_list_stack (f->window)), "trash") != 0);
}

static const char *
trash_page (Fixture *f)
{
  return gtk_stack_get_visible_child_name (_si_window_get_trash_list_stack (f->window));
}

/* Deletes @title's idea as the idea menu does, and shows the Trash with it chosen. */
static void
delete_and_choose (Fixture    *f,
                   const char *title)
{
  g_autoptr(SiIdea) idea = add_idea (f->store, title, "Bread, milk and a lemon");
  GtkListBox *trash = _si_window_get_trash_list (f->window);
  g_autofree char *text = NULL;

  show_all (f);
  WAIT_FOR (find_row (f->window, title) != NULL);
  si_window_open_idea (f->window, si_idea_get_id (idea));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "idea.delete", NULL));
  WAIT_FOR (find_row (f->window, title) == NULL);
  {
    g_autoptr(GPtrArray) local = si_trash_list_local (f->store, NULL);
    g_test_message ("trash has %u", local->len);
  }

  show_trash (f);
  WAIT_FOR (count_rows (trash) == 1);
  g_assert_cmpstr (trash_page (f), ==, "list");
  gtk_list_box_select_row (trash, GTK_LIST_BOX_ROW (nth_row (trash, 0)));
  text = view_text (_si_window_get_trash_view (f->window));
  g_assert_nonnull (strstr (text, title));
  g_assert_nonnull (strstr (text, "Bread, milk and a lemon"));
}

static void
test_trash_restore (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) local = NULL;

  open_window (f, NULL);
  show_trash (f);
  /* Nothing deleted yet: the empty state. */
  g_assert_cmpstr (trash_page (f), ==, "empty");

  /* A title that is not markup, in the toast that says it is back. */
  delete_and_choose (f, "Shopping <list> & more");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "trash.restore", NULL));
  WAIT_FOR (count_rows (_si_window_get_trash_list (f->window)) == 0);
  g_assert_cmpstr (trash_page (f), ==, "empty");
  local = si_trash_list_local (f->store, NULL);
  g_assert_cmpuint (local->len, ==, 0);

  show_all (f);
  WAIT_FOR (find_row (f->window, "Shopping <list> & more") != NULL);
}

static AdwMessageDialog *
find_message_dialog (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);
      if (found)
        return found;
    }
  return NULL;
}

/* Clicks the dialog's button of @label, as a person does. */
static void
click (AdwMessageDialog *dialog,
       const char       *label)
{
  GtkWidget *button = find_button (GTK_WIDGET (dialog), label);

  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
}

static void
test_trash_delete_forever (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) local = NULL;
  AdwMessageDialog *dialog;
  guint before;

  open_window (f, NULL);
  delete_and_choose (f, "Shopping");
  before = count_in_store (f->store);

  /* Cancel keeps it. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "trash.delete-forever", NULL));
  WAIT_FOR ((dialog = find_message_dialog ()) != NULL);
  g_assert_true (adw_message_dialog_get_response_appearance (dialog, "delete") == ADW_RESPONSE_DESTRUCTIVE);
  click (dialog, "_Cancel");
  WAIT_FOR (find_message_dialog () == NULL);
  spin (50);
  g_assert_cmpuint (count_rows (_si_window_get_trash_list (f->window)), ==, 1);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "trash.delete-forever", NULL));
  WAIT_FOR ((dialog = find_message_dialog ()) != NULL);
  click (dialog, "_Delete Forever");
  WAIT_FOR (find_message_dialog () == NULL);
  WAIT_FOR (count_rows (_si_window_get_trash_list (f->window)) == 0);
  g_assert_cmpstr (trash_page (f), ==, "empty");
  local = si_trash_list_local (f->store, NULL);
  g_assert_cmpuint (local->len, ==, 0);
  g_assert_cmpuint (count_in_store (f->store), <=, before);

  show_all (f);
  spin (100);
  g_assert_null (find_row (f->window, "Shopping"));
}


/* With a real server ------------------------------------------------------------------------ */

#define PASSWORD "correct horse battery"

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
sync_store (SiStore    *store,
            const char *url,
            const char *token)
{
  g_autoptr(SiSyncEngine) engine = si_sync_engine_new (store, url, token);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  si_sync_engine_sync_async (engine, SI_SYNC_MODE_INCREMENTAL, NULL, got_result, &result);
  WAIT_FOR (result != NULL);
  g_assert_true (si_sync_engine_sync_finish (engine, result, NULL, &error));
  g_assert_no_error (error);
}

/* Whether the server has the idea at @path, not deleted. */
static gboolean
live_on_server (SiTestServer *server,
                const char   *token,
                const char   *path)
{
  SiTestResponse *r = si_test_server_request (server, "GET", path, token, NULL, NULL);
  gboolean live = r->status == 200 && r->json &&
                  !json_object_get_boolean_member_with_default (si_test_response_object (r), "deleted", FALSE);

  si_test_response_free (r);
  return live;
}

static guint
server_status (SiTestServer *server,
               const char   *token,
               const char   *path,
               char        **body)
{
  SiTestResponse *r = si_test_server_request (server, "GET", path, token, NULL, NULL);
  guint status = r->status;

  if (body)
    *body = g_strndup (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body));
  si_test_response_free (r);
  return status;
}

/* A deletion the server has: Restore undoes it on the server, so every device gets the idea
 * back; Delete Forever purges it there, so no device and no request can read it again. */
static void
test_trash_with_server (Fixture       *f,
                        gconstpointer  data)
{
  SiTestServer *server = si_test_server_new (NULL);
  g_autofree char *token = NULL;
  g_autoptr(SiAccount) account = si_account_new (f->store);
  g_autoptr(GNetworkMonitor) monitor = test_network_monitor_new (TRUE);
  g_autoptr(SiSyncManager) manager = NULL;
  g_autoptr(SiIdea) idea = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *history_path = NULL;
  g_autofree char *trash = NULL;
  const char *url;
  AdwMessageDialog *dialog;

  si_test_server_add_user (server, "alice", PASSWORD);
  si_test_server_start (server);
  token = si_test_server_login (server, "alice", PASSWORD);
  url = si_test_server_get_url (server);
  g_assert_true (si_account_set_for_testing (account, url, "alice", token, &error));
  g_assert_no_error (error);
  manager = g_object_new (SI_TYPE_SYNC_MANAGER, "store", f->store, "account", account,
                          "network-monitor", monitor, NULL);

  idea = add_idea (f->store, "Shopping", "Bread, milk and a lemon");
  sync_store (f->store, url, token);
  {
    g_autoptr(SiIdea) fresh = si_store_get_idea (f->store, si_idea_get_id (idea), NULL);
    g_assert_nonnull (fresh);
    g_assert_cmpint (si_idea_get_sid (fresh), >, 0);
    path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, si_idea_get_sid (fresh));
    history_path = g_strdup_printf ("%s/history", path);
  }
  g_assert_true (live_on_server (server, token, path));

  open_window (f, manager);
  /* Deleted here and synced: the server has the deletion. */
  si_window_open_idea (f->window, si_idea_get_id (idea));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "idea.delete", NULL));
  sync_store (f->store, url, token);
  g_assert_false (live_on_server (server, token, path));

  show_trash (f);
  WAIT_FOR (count_rows (_si_window_get_trash_list (f->window)) == 1 &&
            !gtk_widget_get_visible (GTK_WIDGET (_si_window_get_trash_status (f->window))));
  gtk_list_box_select_row (_si_window_get_trash_list (f->window),
                           GTK_LIST_BOX_ROW (nth_row (_si_window_get_trash_list (f->window), 0)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "trash.restore", NULL));
  WAIT_FOR (count_rows (_si_window_get_trash_list (f->window)) == 0);
  /* Back on the server, for every device. */
  g_assert_true (live_on_server (server, token, path));
  show_all (f);
  WAIT_FOR (find_row (f->window, "Shopping") != NULL);

  /* Deleted again, then forever. */
  si_window_open_idea (f->window, si_idea_list_get_id_at (si_window_get_idea_list (f->window), 0));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "idea.delete", NULL));
  sync_store (f->store, url, token);
  show_trash (f);
  WAIT_FOR (count_rows (_si_window_get_trash_list (f->window)) == 1 &&
            !gtk_widget_get_visible (GTK_WIDGET (_si_window_get_trash_status (f->window))));
  gtk_list_box_select_row (_si_window_get_trash_list (f->window),
                           GTK_LIST_BOX_ROW (nth_row (_si_window_get_trash_list (f->window), 0)));
  {
    g_autofree char *before = NULL;

    g_assert_cmpuint (server_status (server, token, "/api/v1/trash", &before), ==, 200);
    g_assert_nonnull (strstr (before, "Bread"));
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "trash.delete-forever", NULL));
  WAIT_FOR ((dialog = find_message_dialog ()) != NULL);
  click (dialog, "_Delete Forever");
  WAIT_FOR (count_rows (_si_window_get_trash_list (f->window)) == 0);
  g_assert_cmpstr (trash_page (f), ==, "empty");
  /* Gone from the server: its Trash does not list it, its history cannot be read. */
  g_assert_cmpuint (server_status (server, token, "/api/v1/trash", &trash), ==, 200);
  g_assert_null (strstr (trash, "Shopping"));
  g_assert_null (strstr (trash, "Bread"));
  {
    g_autofree char *history = NULL;
    guint status = server_status (server, token, history_path, &history);

    g_test_message ("the history after the purge: %u %s", status, history);
    g_assert_null (strstr (history, "Bread"));
  }

  gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = NULL;
  spin (50);
  si_test_server_free (server);
}


/* Screenshots ------------------------------------------------------------------------------- */

/* Writes @widget's window, as drawn, to SI_SCREENSHOT_DIR/@name.png. */
static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  const char *dir = g_getenv ("SI_SCREENSHOT_DIR");
  GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (widget));
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (root);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_strdup_printf ("%s/%s.png", dir, name);
  int w = 0, h = 0;

  for (guint tries = 0; node == NULL && tries < 50; tries++)
    {
      GtkSnapshot *snapshot;

      /* Large text takes a few frames to lay out: never a snapshot of a widget not laid out. */
      spin (400);
      snapshot = gtk_snapshot_new ();
      w = gtk_widget_get_width (root);
      h = gtk_widget_get_height (root);
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), w, h);
      node = gtk_snapshot_free_to_node (snapshot);
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (root)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("wrote %s (%d x %d)", path, w, h);
}

/* With SI_SCREENSHOT_DIR set: the History window and the Trash at 360, 760 and 1280 px, as
 * PNG files to look at (SI_SCREENSHOT_FONT, e.g. "Sans 15", for large text; the language and
 * the style come from the environment: LANGUAGE=de, ADW_DEBUG_COLOR_SCHEME=prefer-dark). */
static void
test_screenshots (Fixture       *f,
                  gconstpointer  data)
{
  static const int widths[] = { 360, 760, 1280 };
  const char *dir = g_getenv ("SI_SCREENSHOT_DIR");
  const char *font = g_getenv ("SI_SCREENSHOT_FONT");
  const char *prefix = g_getenv ("SI_SCREENSHOT_PREFIX");
  gint64 id;

  if (dir == NULL)
    {
      g_test_skip ("Set SI_SCREENSHOT_DIR to take screenshots");
      return;
    }
  if (font)
    g_object_set (gtk_settings_get_default (), "gtk-font-name", font, NULL);
  /* The build tree's catalogues, for LANGUAGE=de (a test program is not where si_i18n_init()
   * looks for them). */
  {
    g_autofree char *localedir = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "..", "po", NULL);

    bindtextdomain (GETTEXT_PACKAGE, localedir);
    bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
    textdomain (GETTEXT_PACKAGE);
  }
  id = idea_with_history (f->store);
  {
    g_autoptr(SiIdea) a = add_idea (f->store, "Old packing list", "Tent, stove, two gas cans, the blue tarp.\nRain jackets for everyone.");
    g_autoptr(SiIdea) b = add_idea (f->store, "Gift for Amir", "He mentioned wanting to learn the ukulele. Small soprano one, plus a chord book.");
    g_autoptr(SiIdea) c = add_idea (f->store, "Balcony herb garden", "Basil and thyme in the south box, mint in its own pot.");

    g_assert_true (si_store_delete_idea (f->store, si_idea_get_id (a), SI_SAVE_LOCAL, NULL));
    g_assert_true (si_store_delete_idea (f->store, si_idea_get_id (b), SI_SAVE_LOCAL, NULL));
  }

  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      g_autofree char *name = NULL;
      SiHistoryWindow *history;
      GtkListBox *trash;

      f->window = si_window_new (NULL, f->store, NULL);
      gtk_window_set_default_size (GTK_WINDOW (f->window), widths[i], 640);
      gtk_window_present (GTK_WINDOW (f->window));
      WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (f->window)));
      spin (200);

      history = open_history (f, id);
      gtk_window_set_default_size (GTK_WINDOW (history), widths[i], 600);
      gtk_list_box_select_row (_si_history_window_get_list (history),
                               gtk_list_box_get_row_at_index (_si_history_window_get_list (history), 2));
      spin (300);
      name = g_strdup_printf ("%s%d-history", prefix ? prefix : "", widths[i]);
      screenshot (GTK_WIDGET (history), name);
      if (adw_leaflet_get_folded (_si_history_window_get_leaflet (history)))
        {
          g_free (name);
          adw_leaflet_set_visible_child_name (_si_history_window_get_leaflet (history), "version");
          spin (300);
          name = g_strdup_printf ("%s%d-history-version", prefix ? prefix : "", widths[i]);
          screenshot (GTK_WIDGET (history), name);
        }
      gtk_window_destroy (GTK_WINDOW (history));
      spin (100);

      show_trash (f);
      trash = _si_window_get_trash_list (f->window);
      WAIT_FOR (count_rows (trash) == 2);
      spin (200);
      g_free (name);
      name = g_strdup_printf ("%s%d-trash", prefix ? prefix : "", widths[i]);
      screenshot (GTK_WIDGET (f->window), name);
      gtk_list_box_select_row (trash, gtk_list_box_get_row_at_index (trash, 1));
      g_signal_emit_by_name (trash, "row-activated", gtk_list_box_get_row_at_index (trash, 1));
      spin (300);
      g_free (name);
      name = g_strdup_printf ("%s%d-trash-idea", prefix ? prefix : "", widths[i]);
      screenshot (GTK_WIDGET (f->window), name);
      gtk_widget_activate_action (GTK_WIDGET (f->window), "trash.delete-forever", NULL);
      spin (300);
      {
        AdwMessageDialog *dialog = find_message_dialog ();

        g_assert_nonnull (dialog);
        g_free (name);
        name = g_strdup_printf ("%s%d-trash-confirm", prefix ? prefix : "", widths[i]);
        screenshot (GTK_WIDGET (dialog), name);
        /* Its labels are translated here: closed as Escape closes it. */
        gtk_window_close (GTK_WINDOW (dialog));
        WAIT_FOR (find_message_dialog () == NULL);
      }
      gtk_window_destroy (GTK_WINDOW (f->window));
      f->window = NULL;
      spin (100);
    }
}

int
main (int    argc,
      char **argv)
{
  si_test_app_init (&argc, &argv);

  g_test_add ("/app-history/lists-and-restores", Fixture, NULL, fixture_setup, test_history_lists_and_restores, fixture_teardown);
  g_test_add ("/app-history/offline", Fixture, NULL, fixture_setup, test_history_offline, fixture_teardown);
  g_test_add ("/app-history/server-states", Fixture, NULL, fixture_setup, test_history_server_states, fixture_teardown);
  g_test_add ("/app-history/trash-restore", Fixture, NULL, fixture_setup, test_trash_restore, fixture_teardown);
  g_test_add ("/app-history/trash-delete-forever", Fixture, NULL, fixture_setup, test_trash_delete_forever, fixture_teardown);
  g_test_add ("/app-history/trash-with-server", Fixture, NULL, fixture_setup, test_trash_with_server, fixture_teardown);
  /* Last: in another language, it leaves the catalogues bound for the rest of the program. */
  g_test_add ("/app-history/screenshots", Fixture, NULL, fixture_setup, test_screenshots, fixture_teardown);
  return g_test_run ();
}
