/* si-history-window.c — an idea's history: its versions, newest first, each with when and on
 * which device it was written ("this device only" for one that never reached the server), the
 * chosen one's text with the difference to the current text inline (si-version-text.c: what
 * Restore brings back highlighted, what it takes out struck through),
 * and Restore, which makes that version the idea's content again as a new edit
 * (si_history_restore()): it syncs like any other edit.
 *
 * The versions this notebook keeps are shown at once, offline too; the server's are asked for
 * (si_history_list_async()) when an account is set up and the network is there, and the list is
 * filled again with what comes back. Why the server's are missing (offline, an older server, an
 * error) is said in a line under the list, never in a crash. Narrow, the list and the text are
 * one page at a time (an AdwLeaflet), as in the main window. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <glib/gi18n.h>

#include "si-history-window.h"
#include "si-version-text.h"

struct _SiHistoryWindow
{
  AdwWindow       parent_instance;

  SiStore        *store;
  SiSyncManager  *manager;
  gint64          idea_id;
  GPtrArray      *entries;      /* SiHistoryEntry, newest first: the rows' */
  char           *current_text; /* the current version as the text view shows it */
  GCancellable   *cancellable;
  guint           buttons_id;
  guint           loading : 1;

  AdwWindowTitle *window_title;
  GtkWidget      *back_button;
  GtkWidget      *restore_button;
  AdwLeaflet     *leaflet;
  GtkStack       *list_stack;
  GtkSpinner     *spinner;
  GtkListBox     *version_list;
  GtkLabel       *status_label;
  GtkLabel       *written_label;
  GtkLabel       *legend_label;
  GtkTextView    *text_view;
};

G_DEFINE_FINAL_TYPE (SiHistoryWindow, si_history_window, ADW_TYPE_WINDOW)

enum {
  RESTORED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static SiHistoryEntry *
selected_entry (SiHistoryWindow *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->version_list);

  return row ? g_object_get_data (G_OBJECT (row), "entry") : NULL;
}

static void
apply_back_button (SiHistoryWindow *self)
{
  gboolean on_version = adw_leaflet_get_folded (self->leaflet) &&
                        g_strcmp0 (adw_leaflet_get_visible_child_name (self->leaflet), "version") == 0;

  gtk_widget_set_visible (self->back_button, on_version);
}

static gboolean
back_button_idle_cb (gpointer user_data)
{
  SiHistoryWindow *self = user_data;

  self->buttons_id = 0;
  apply_back_button (self);
  return G_SOURCE_REMOVE;
}

/* The leaflet folds while it is being laid out: the header's buttons change after that. */
static void
update_back_button (SiHistoryWindow *self)
{
  if (self->buttons_id == 0)
    self->buttons_id = g_idle_add (back_button_idle_cb, self);
}

static void
show_status (SiHistoryWindow *self,
             const char      *text,
             gboolean         error)
{
  gtk_label_set_label (self->status_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), text != NULL);
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
}

/* "laptop", "laptop · this device only", "Unknown device". */
static char *
where_written (SiHistoryEntry *entry)
{
  const char *device = si_history_entry_get_device (entry);
  const char *where = device && device[0] ? device : _("Unknown device");

  if (si_history_entry_get_local_only (entry))
    /* Translators: a version of an idea that never reached the server: "laptop · this device only" */
    return g_strdup_printf (_("%s · this device only"), where);
  return g_strdup (where);
}

static GtkWidget *
make_row (SiHistoryEntry *entry)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *time = si_version_text_format_time (si_history_entry_get_updated_at (entry));
  g_autofree char *where = where_written (entry);

  /* Device names come from other devices: plain text, set before any of it. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (si_history_entry_get_current (entry))
    {
      g_autofree char *subtitle = time ? g_strdup_printf (_("%s · %s"), time, where) : g_strdup (where);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Current Version"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
    }
  else
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), time ? time : _("Unknown time"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), where);
    }
  g_object_set_data_full (G_OBJECT (row), "entry", g_object_ref (entry), g_object_unref);
  return row;
}

/* Two entries are the same version: the same server version, or the same one kept here. */
static gboolean
same_entry (SiHistoryEntry *a,
            SiHistoryEntry *b)
{
  if (si_history_entry_get_current (a) || si_history_entry_get_current (b))
    return si_history_entry_get_current (a) && si_history_entry_get_current (b);
  if (si_history_entry_get_version (a) != 0 && si_history_entry_get_version (a) == si_history_entry_get_version (b))
    return TRUE;
  return si_history_entry_get_local_id (a) != 0 &&
         si_history_entry_get_local_id (a) == si_history_entry_get_local_id (b);
}

static void
show_selected (SiHistoryWindow *self)
{
  SiHistoryEntry *entry = selected_entry (self);
  g_autofree char *time = NULL;
  g_autofree char *where = NULL;
  g_autofree char *heading = NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "history.restore",
                                 entry != NULL && !si_history_entry_get_current (entry));
  if (entry == NULL)
    {
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), "", 0);
      gtk_label_set_label (self->written_label, "");
      gtk_label_set_label (self->legend_label, "");
      return;
    }

  time = si_version_text_format_time (si_history_entry_get_updated_at (entry));
  where = where_written (entry);
  /* Translators: "Today, 14:03 · laptop": when and where a version was written */
  heading = time ? g_strdup_printf (_("%s · %s"), time, where) : g_strdup (where);
  gtk_label_set_label (self->written_label, heading);

  if (si_history_entry_get_current (entry))
    {
      si_version_text_show (self->text_view, si_history_entry_get_title (entry),
                            si_history_entry_get_tags (entry), si_history_entry_get_body (entry));
      gtk_label_set_label (self->legend_label, _("The idea as it is now"));
      return;
    }
  if (si_version_text_show_inline (self->text_view, si_history_entry_get_title (entry),
                                   si_history_entry_get_tags (entry), si_history_entry_get_body (entry),
                                   self->current_text))
    gtk_label_set_label (self->legend_label, _("Restoring brings back what is highlighted and takes out what is struck through"));
  else
    gtk_label_set_label (self->legend_label, _("The same as the current version"));
}

static void
row_selected_cb (SiHistoryWindow *self)
{
  /* The list lets go of its rows as the window goes. */
  if (self->version_list == NULL || gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;
  show_selected (self);
}

static void
row_activated_cb (SiHistoryWindow *self)
{
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, "version");
}

/* Shows @entries (taken), keeping the selection on the same version; the first earlier version
 * is chosen when nothing was. */
static void
set_entries (SiHistoryWindow *self,
             GPtrArray       *entries)
{
  g_autoptr(SiHistoryEntry) was = selected_entry (self) ? g_object_ref (selected_entry (self)) : NULL;
  GtkWidget *row, *select = NULL;

  g_clear_pointer (&self->entries, g_ptr_array_unref);
  self->entries = entries;
  while ((row = gtk_widget_get_first_child (GTK_WIDGET (self->version_list))))
    gtk_list_box_remove (self->version_list, row);

  g_clear_pointer (&self->current_text, g_free);
  for (guint i = 0; i < entries->len; i++)
    {
      SiHistoryEntry *entry = g_ptr_array_index (entries, i);

      row = make_row (entry);
      gtk_list_box_append (self->version_list, row);
      if (si_history_entry_get_current (entry) && self->current_text == NULL)
        {
          /* The current text as the view shows a version, so the two compare alike. */
          si_version_text_show (self->text_view, si_history_entry_get_title (entry),
                                si_history_entry_get_tags (entry), si_history_entry_get_body (entry));
          self->current_text = si_version_text_dup (self->text_view);
        }
      if (was ? same_entry (was, entry) : (select == NULL && !si_history_entry_get_current (entry)))
        select = row;
    }
  if (select == NULL)
    select = gtk_widget_get_first_child (GTK_WIDGET (self->version_list));
  gtk_list_box_select_row (self->version_list, GTK_LIST_BOX_ROW (select));
  show_selected (self);

  if (entries->len > 1)
    gtk_stack_set_visible_child_name (self->list_stack, "list");
  else if (self->loading)
    gtk_stack_set_visible_child_name (self->list_stack, "loading");
  else
    gtk_stack_set_visible_child_name (self->list_stack, "empty");
}

static void
set_loading (SiHistoryWindow *self,
             gboolean         loading)
{
  self->loading = loading;
  gtk_spinner_set_spinning (self->spinner, loading);
  if (loading)
    show_status (self, _("Looking for older versions on the server…"), FALSE);
}

static void
list_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SiHistoryWindow) self = user_data;
  g_autoptr(GError) server_error = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *entries = si_history_list_finish (SI_STORE (source), result, &server_error, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (server_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_cancellable_is_cancelled (self->cancellable))
    {
      g_clear_pointer (&entries, g_ptr_array_unref);
      return;
    }
  set_loading (self, FALSE);
  if (entries == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not read the history: %s"), error->message);
      show_status (self, text, TRUE);
      set_entries (self, self->entries ? g_ptr_array_ref (self->entries) : g_ptr_array_new ());
      return;
    }
  set_entries (self, entries);
  if (server_error == NULL)
    show_status (self, NULL, FALSE);
  else if (g_error_matches (server_error, SI_SYNC_ERROR, SI_SYNC_ERROR_NETWORK))
    show_status (self, _("Older versions need a connection to the server"), FALSE);
  else if (g_error_matches (server_error, SI_HISTORY_ERROR, SI_HISTORY_ERROR_UNSUPPORTED))
    show_status (self, _("The server keeps no history: only the versions this device has seen are shown"), FALSE);
  else
    {
      /* Translators: the server's versions could not be listed; %s says why */
      g_autofree char *text = g_strdup_printf (_("Older versions could not be loaded: %s"), server_error->message);
      show_status (self, text, TRUE);
    }
}

static void
engine_ready_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SiHistoryWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SiSyncEngine) engine = si_history_engine_new_finish (SI_ACCOUNT (source), result, &error);

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (engine == NULL)
    {
      g_autofree char *text = NULL;

      set_loading (self, FALSE);
      set_entries (self, g_ptr_array_ref (self->entries));
      if (g_error_matches (error, SI_SYNC_ERROR, SI_SYNC_ERROR_NEEDS_LOGIN))
        text = g_strdup (_("Log in again to see older versions"));
      else
        /* Translators: the server's versions could not be listed; %s says why */
        text = g_strdup_printf (_("Older versions could not be loaded: %s"), error->message);
      show_status (self, text, TRUE);
      return;
    }
  si_history_list_async (self->store, engine, self->idea_id, self->cancellable, list_done_cb, g_object_ref (self));
}

static void
load (SiHistoryWindow *self)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *local = si_history_list_local (self->store, self->idea_id, &error);
  SiAccount *account = self->manager ? si_sync_manager_get_account (self->manager) : NULL;

  if (local == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not read the history: %s"), error->message);
      show_status (self, text, TRUE);
      local = g_ptr_array_new ();
    }
  if (account == NULL || !si_account_get_configured (account))
    {
      set_entries (self, local);
      return;
    }
  if (si_sync_manager_get_state (self->manager) == SI_SYNC_MANAGER_STATE_OFFLINE)
    {
      set_entries (self, local);
      show_status (self, _("Older versions need a connection to the server"), FALSE);
      return;
    }
  set_loading (self, TRUE);
  set_entries (self, local);
  si_history_engine_new_async (account, self->cancellable, engine_ready_cb, g_object_ref (self));
}

static void
restore_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SiHistoryWindow *self = SI_HISTORY_WINDOW (widget);
  SiHistoryEntry *entry = selected_entry (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkWidget) hold = NULL;

  if (entry == NULL || si_history_entry_get_current (entry))
    return;
  if (!si_history_restore (self->store, self->idea_id, entry, &error))
    {
      /* Translators: %s says why a version could not be restored */
      g_autofree char *text = g_strdup_printf (_("Could not restore the version: %s"), error->message);
      show_status (self, text, TRUE);
      return;
    }
  hold = g_object_ref (widget);
  g_signal_emit (self, signals[RESTORED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SiHistoryWindow *self = SI_HISTORY_WINDOW (widget);

  adw_leaflet_set_visible_child_name (self->leaflet, "versions");
}

static gboolean
si_history_window_close_request (GtkWindow *window)
{
  SiHistoryWindow *self = SI_HISTORY_WINDOW (window);

  g_cancellable_cancel (self->cancellable);
  return GTK_WINDOW_CLASS (si_history_window_parent_class)->close_request (window);
}

static void
si_history_window_dispose (GObject *object)
{
  SiHistoryWindow *self = SI_HISTORY_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->buttons_id, g_source_remove);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_object (&self->store);
  g_clear_object (&self->manager);
  gtk_widget_dispose_template (GTK_WIDGET (self), SI_TYPE_HISTORY_WINDOW);

  G_OBJECT_CLASS (si_history_window_parent_class)->dispose (object);
}

static void
si_history_window_finalize (GObject *object)
{
  SiHistoryWindow *self = SI_HISTORY_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_free (self->current_text);

  G_OBJECT_CLASS (si_history_window_parent_class)->finalize (object);
}

static void
si_history_window_class_init (SiHistoryWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = si_history_window_dispose;
  object_class->finalize = si_history_window_finalize;
  window_class->close_request = si_history_window_close_request;

  /**
   * SiHistoryWindow::restored:
   *
   * A version was made the idea's content again; the window closes.
   */
  signals[RESTORED] = g_signal_new ("restored", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/saveidea/Saveidea/si-history-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SiHistoryWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, SiHistoryWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, SiHistoryWindow, restore_button);
  gtk_widget_class_bind_template_child (widget_class, SiHistoryWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, SiHistoryWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, SiHistoryWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, SiHistoryWindow, version_list);
  gtk_widget_class_bind_template_child (widget_class, SiHistoryWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, SiHistoryWindow, written_label);
  gtk_widget_class_bind_template_child (widget_class, SiHistoryWindow, legend_label);
  gtk_widget_class_bind_template_child (widget_class, SiHistoryWindow, text_view);
  gtk_widget_class_bind_template_callback (widget_class, update_back_button);
  gtk_widget_class_bind_template_callback (widget_class, row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_install_action (widget_class, "history.restore", NULL, restore_action);
  gtk_widget_class_install_action (widget_class, "history.back", NULL, back_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
si_history_window_init (SiHistoryWindow *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  si_version_text_setup (self->text_view);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "history.restore", FALSE);
}

/**
 * si_history_window_new:
 * @manager: (nullable): the notebook's sync manager, to reach the server's versions
 * @idea_id: a live idea, saved (the editor's text on disk)
 *
 * Returns: (transfer none): the window, not shown yet
 */
SiHistoryWindow *
si_history_window_new (GtkWindow     *parent,
                       SiStore       *store,
                       SiSyncManager *manager,
                       gint64         idea_id)
{
  SiHistoryWindow *self;
  g_autoptr(SiIdea) idea = NULL;

  g_return_val_if_fail (SI_IS_STORE (store), NULL);
  g_return_val_if_fail (manager == NULL || SI_IS_SYNC_MANAGER (manager), NULL);

  self = g_object_new (SI_TYPE_HISTORY_WINDOW, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  self->manager = manager ? g_object_ref (manager) : NULL;
  self->idea_id = idea_id;
  if ((idea = si_store_get_idea (store, idea_id, NULL)))
    {
      g_autofree char *title = si_idea_dup_display_title (idea);
      adw_window_title_set_subtitle (self->window_title, title);
    }
  load (self);
  return self;
}

GtkListBox *_si_history_window_get_list (SiHistoryWindow *self) { return self->version_list; }
GtkTextView *_si_history_window_get_text_view (SiHistoryWindow *self) { return self->text_view; }
GtkLabel *_si_history_window_get_status (SiHistoryWindow *self) { return self->status_label; }
gboolean _si_history_window_is_loading (SiHistoryWindow *self) { return self->loading; }
GtkWidget *_si_history_window_get_restore_button (SiHistoryWindow *self) { return self->restore_button; }
AdwLeaflet *_si_history_window_get_leaflet (SiHistoryWindow *self) { return self->leaflet; }
