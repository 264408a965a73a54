/* si-window-trash.c — the Trash: the sidebar's Trash row shows the deleted ideas in the list
 * pane (the newest deletion first: title, when, a preview), the one chosen read-only in the
 * editor pane, with Restore and Delete Forever (after a confirmation) as trash.restore and
 * trash.delete-forever.
 *
 * Everything goes through si-history.h: this notebook's Trash is shown at once, offline too
 * (si_trash_list_local()), and merged with the server's when an account is set up and the
 * network is there (si_trash_list_async()). Restoring a deletion the server has undoes it there,
 * so every device gets the idea back; Delete Forever removes the content from the server. A
 * failure is said in a toast, and the entry stays. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <glib/gi18n.h>

#include "si-history.h"
#include "si-version-text.h"
#include "si-window-private.h"

#define PREVIEW_CHARS 120

static SiTrashEntry *
selected_entry (SiWindow *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->trash_list);

  return row ? g_object_get_data (G_OBJECT (row), "entry") : NULL;
}

static char *
entry_title (SiTrashEntry *entry)
{
  g_autoptr(SiIdea) idea = si_idea_new (si_trash_entry_get_title (entry), si_trash_entry_get_body (entry));
  char *title = si_idea_dup_display_title (idea);

  if (title[0] == '\0')
    {
      g_free (title);
      return g_strdup (_("Untitled Idea"));
    }
  return title;
}

/* "Deleted today, 14:03". */
static char *
deleted_when (SiTrashEntry *entry)
{
  g_autofree char *time = si_version_text_format_time (si_trash_entry_get_deleted_at (entry));

  if (time == NULL)
    return g_strdup (_("Deleted"));
  /* Translators: when an idea was deleted: "Deleted: Today, 14:03" */
  return g_strdup_printf (_("Deleted: %s"), time);
}

static GtkWidget *
make_row (SiTrashEntry *entry)
{
  g_autoptr(SiIdea) idea = si_idea_new (si_trash_entry_get_title (entry), si_trash_entry_get_body (entry));
  g_autofree char *title = entry_title (entry);
  g_autofree char *preview = si_idea_dup_snippet (idea, PREVIEW_CHARS);
  g_autofree char *when = deleted_when (entry);
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *label;

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  label = gtk_label_new (title);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (box), label);
  if (preview[0])
    {
      label = gtk_label_new (preview);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (GTK_BOX (box), label);
    }
  label = gtk_label_new (when);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (box), label);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data_full (G_OBJECT (row), "entry", g_object_ref (entry), g_object_unref);
  return row;
}

static void
update_actions (SiWindow *self)
{
  gboolean can = self->view == SI_COLLECTION_VIEW_TRASH && selected_entry (self) != NULL && !self->trash_busy;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "trash.restore", can);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "trash.delete-forever", can);
}

static void
show_selected (SiWindow *self)
{
  SiTrashEntry *entry = selected_entry (self);
  g_autofree char *when = NULL;
  g_autofree char *written = NULL;
  g_autofree char *expires = NULL;
  g_autofree char *expires_text = NULL;
  const char *device;

  update_actions (self);
  if (entry == NULL)
    {
      gtk_stack_set_visible_child_name (self->trash_detail_stack, "none");
      return;
    }
  when = deleted_when (entry);
  gtk_label_set_label (self->trash_deleted_label, when);
  /* The device wrote its last version; which one deleted it, the Trash does not know. */
  device = si_trash_entry_get_device (entry);
  if (device && device[0])
    /* Translators: the device that wrote the deleted idea's last version */
    written = g_strdup_printf (_("Last changed on %s"), device);
  expires = si_version_text_format_time (si_trash_entry_get_expires_at (entry));
  if (expires)
    {
      /* Translators: when the Trash lets go of the idea; %s is a date and time: "5 January 2027, 14:03" */
      g_autofree char *kept = g_strdup_printf (_("Kept until %s"), expires);

      if (written)
        /* Translators: "Last changed on laptop · Kept until 5 January 2027, 14:03" */
        expires_text = g_strdup_printf (_("%s · %s"), written, kept);
      else
        expires_text = g_steal_pointer (&kept);
    }
  else
    expires_text = g_steal_pointer (&written);
  gtk_label_set_label (self->trash_expires_label, expires_text ? expires_text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->trash_expires_label), expires_text != NULL);
  si_version_text_show (self->trash_view, si_trash_entry_get_title (entry),
                        si_trash_entry_get_tags (entry), si_trash_entry_get_body (entry));
  gtk_stack_set_visible_child_name (self->trash_detail_stack, "entry");
}

static void
trash_row_selected_cb (SiWindow *self)
{
  /* The list lets go of its rows as the window goes. */
  if (self->trash_list == NULL || gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;
  show_selected (self);
}

static void
trash_row_activated_cb (SiWindow *self)
{
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, "editor");
}

/* Shows @entries (taken), keeping the selection on the same entry. */
static void
set_entries (SiWindow  *self,
             GPtrArray *entries)
{
  SiTrashEntry *was = selected_entry (self);
  g_autofree char *was_uid = was ? g_strdup (si_trash_entry_get_uid (was)) : NULL;
  GtkWidget *row, *select = NULL;

  g_clear_pointer (&self->trash_entries, g_ptr_array_unref);
  self->trash_entries = entries;
  while ((row = gtk_widget_get_first_child (GTK_WIDGET (self->trash_list))))
    gtk_list_box_remove (self->trash_list, row);
  for (guint i = 0; i < entries->len; i++)
    {
      SiTrashEntry *entry = g_ptr_array_index (entries, i);

      row = make_row (entry);
      gtk_list_box_append (self->trash_list, row);
      if (was_uid && g_strcmp0 (was_uid, si_trash_entry_get_uid (entry)) == 0)
        select = row;
    }
  if (select)
    gtk_list_box_select_row (self->trash_list, GTK_LIST_BOX_ROW (select));
  show_selected (self);
  gtk_stack_set_visible_child_name (self->trash_list_stack, entries->len > 0 ? "list" : "empty");
  _si_window_update_list_state (self);
}

static void
show_status (SiWindow   *self,
             const char *text,
             gboolean    error)
{
  gtk_label_set_label (self->trash_status, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->trash_status), text != NULL && self->view == SI_COLLECTION_VIEW_TRASH);
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (self->trash_status), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->trash_status), "error");
}

/**
 * _si_window_trash_refresh_local:
 *
 * Shows this notebook's Trash again (after an idea was deleted, or restored elsewhere).
 */
void
_si_window_trash_refresh_local (SiWindow *self)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *entries = si_trash_list_local (self->store, &error);

  if (entries == NULL)
    {
      g_warning ("Could not list the Trash: %s", error->message);
      show_status (self, error->message, TRUE);
      entries = g_ptr_array_new ();
    }
  set_entries (self, entries);
}

static void
list_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SiWindow) self = user_data;
  g_autoptr(GError) server_error = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *entries = si_trash_list_finish (SI_STORE (source), result, &server_error, &error);

  if (g_cancellable_is_cancelled (self->trash_cancellable) || self->store == NULL)
    {
      g_clear_pointer (&entries, g_ptr_array_unref);
      return;
    }
  if (entries == NULL)
    {
      show_status (self, error->message, TRUE);
      return;
    }
  set_entries (self, entries);
  if (server_error == NULL)
    show_status (self, NULL, FALSE);
  else if (g_error_matches (server_error, SI_SYNC_ERROR, SI_SYNC_ERROR_NETWORK))
    show_status (self, _("Ideas deleted on other devices show here when the server can be reached"), FALSE);
  else if (g_error_matches (server_error, SI_HISTORY_ERROR, SI_HISTORY_ERROR_UNSUPPORTED))
    show_status (self, _("The server keeps no Trash: only ideas deleted on this device are shown"), FALSE);
  else
    {
      /* Translators: the server's Trash could not be listed; %s says why */
      g_autofree char *text = g_strdup_printf (_("The server’s Trash could not be loaded: %s"), server_error->message);
      show_status (self, text, TRUE);
    }
}

static SiAccount *
usable_account (SiWindow *self)
{
  SiAccount *account = self->manager ? si_sync_manager_get_account (self->manager) : NULL;

  return account && si_account_get_configured (account) ? account : NULL;
}

static void
list_engine_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SiWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SiSyncEngine) engine = si_history_engine_new_finish (SI_ACCOUNT (source), result, &error);

  if (g_cancellable_is_cancelled (self->trash_cancellable) || self->store == NULL)
    return;
  if (engine == NULL)
    {
      show_status (self, error->message, TRUE);
      return;
    }
  si_trash_list_async (self->store, engine, self->trash_cancellable, list_done_cb, g_object_ref (self));
}

/**
 * _si_window_trash_show:
 *
 * Fills the Trash when it is shown: this notebook's at once, then the server's.
 */
void
_si_window_trash_show (SiWindow *self)
{
  SiAccount *account = usable_account (self);

  g_cancellable_cancel (self->trash_cancellable);
  g_clear_object (&self->trash_cancellable);
  self->trash_cancellable = g_cancellable_new ();
  show_status (self, NULL, FALSE);
  gtk_list_box_unselect_all (self->trash_list);
  _si_window_trash_refresh_local (self);
  if (account == NULL)
    return;
  if (si_sync_manager_get_state (self->manager) == SI_SYNC_MANAGER_STATE_OFFLINE)
    {
      show_status (self, _("Ideas deleted on other devices show here when the server can be reached"), FALSE);
      return;
    }
  show_status (self, _("Looking for deleted ideas on the server…"), FALSE);
  si_history_engine_new_async (account, self->trash_cancellable, list_engine_cb, g_object_ref (self));
}

/* Restore and Delete Forever ------------------------------------------------------------------ */

typedef struct {
  SiWindow     *window;
  SiTrashEntry *entry;
  gboolean      purge;
} Operation;

static void
operation_free (Operation *op)
{
  g_clear_object (&op->window);
  g_clear_object (&op->entry);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Operation, operation_free)

static void
operation_done (Operation *op,
                gboolean   ok,
                GError    *error)
{
  SiWindow *self = op->window;
  g_autofree char *plain_title = entry_title (op->entry);
  /* A toast's title is Pango markup: the idea's title and the reason are text. */
  g_autofree char *title = g_markup_escape_text (plain_title, -1);
  g_autofree char *reason = error ? g_markup_escape_text (error->message, -1) : NULL;
  g_autofree char *message = NULL;

  self->trash_busy = FALSE;
  if (self->store == NULL)
    return;
  if (!ok)
    {
      if (op->purge)
        /* Translators: "“Shopping” could not be deleted forever: <why>" */
        message = g_strdup_printf (_("“%s” could not be deleted forever: %s"), title, reason);
      else
        /* Translators: "“Shopping” could not be restored: <why>" */
        message = g_strdup_printf (_("“%s” could not be restored: %s"), title, reason);
    }
  else if (op->purge)
    /* Translators: a toast after deleting an idea forever; %s is its title */
    message = g_strdup_printf (_("“%s” deleted forever"), title);
  else
    /* Translators: a toast after restoring an idea from the Trash; %s is its title */
    message = g_strdup_printf (_("“%s” restored"), title);
  si_window_show_toast (self, message);
  if (self->view == SI_COLLECTION_VIEW_TRASH)
    {
      if (ok)
        {
          gtk_list_box_unselect_all (self->trash_list);
          if (adw_leaflet_get_folded (self->leaflet))
            adw_leaflet_set_visible_child_name (self->leaflet, "list");
        }
      _si_window_trash_refresh_local (self);
    }
  _si_window_refresh_sidebar (self);
}

static void
undelete_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(Operation) op = user_data;
  g_autoptr(GError) error = NULL;
  gint64 id = si_trash_undelete_finish (SI_STORE (source), result, &error);

  operation_done (op, id != 0, error);
}

static void
purge_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(Operation) op = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = si_trash_purge_finish (SI_STORE (source), result, &error);

  operation_done (op, ok, error);
}

static void
run_operation (Operation    *op,
               SiSyncEngine *engine)
{
  SiWindow *self = op->window;

  if (op->purge)
    si_trash_purge_async (self->store, engine, op->entry, self->cancellable, purge_cb, op);
  else
    si_trash_undelete_async (self->store, engine, op->entry, self->cancellable, undelete_cb, op);
}

static void
operation_engine_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Operation *op = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SiSyncEngine) engine = si_history_engine_new_finish (SI_ACCOUNT (source), result, &error);

  if (op->window->store == NULL)
    {
      operation_free (op);
      return;
    }
  /* Without a token, the notebook's part still works; what needs the server says so. */
  if (engine == NULL)
    g_debug ("No server for the Trash: %s", error->message);
  run_operation (op, engine);
}

/* Starts restoring or deleting forever the entry chosen. The server is needed only when it has
 * the deletion. */
static void
start_operation (SiWindow     *self,
                 SiTrashEntry *entry,
                 gboolean      purge)
{
  Operation *op = g_new0 (Operation, 1);
  SiAccount *account = usable_account (self);

  op->window = g_object_ref (self);
  op->entry = g_object_ref (entry);
  op->purge = purge;
  self->trash_busy = TRUE;
  update_actions (self);
  if (account && si_trash_entry_get_on_server (entry))
    si_history_engine_new_async (account, self->cancellable, operation_engine_cb, op);
  else
    run_operation (op, NULL);
}

static void
restore_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SiWindow *self = SI_WINDOW (widget);
  SiTrashEntry *entry = selected_entry (self);

  if (entry && !self->trash_busy)
    start_operation (self, entry, FALSE);
}

static void
delete_forever_response_cb (AdwMessageDialog *dialog,
                            const char       *response,
                            SiWindow         *self)
{
  SiTrashEntry *entry = g_object_get_data (G_OBJECT (dialog), "entry");

  if (g_strcmp0 (response, "delete") == 0 && entry && !self->trash_busy)
    start_operation (self, entry, TRUE);
}

static void
delete_forever_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  SiWindow *self = SI_WINDOW (widget);
  SiTrashEntry *entry = selected_entry (self);
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (entry == NULL || self->trash_busy)
    return;
  title = entry_title (entry);
  /* Translators: %s is the idea's title */
  body = g_strdup_printf (_("“%s” will be deleted from this device and from the server, with all its earlier versions. This cannot be undone."), title);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Delete Forever?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete Forever"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "entry", g_object_ref (entry), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_forever_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_si_window_class_trash_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, SiWindow, trash_list_stack);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, trash_list);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, trash_status);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, trash_detail_stack);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, trash_deleted_label);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, trash_expires_label);
  gtk_widget_class_bind_template_child (widget_class, SiWindow, trash_view);
  gtk_widget_class_bind_template_callback_full (widget_class, "_si_window_trash_row_selected_cb",
                                                G_CALLBACK (trash_row_selected_cb));
  gtk_widget_class_bind_template_callback_full (widget_class, "_si_window_trash_row_activated_cb",
                                                G_CALLBACK (trash_row_activated_cb));
  gtk_widget_class_install_action (widget_class, "trash.restore", NULL, restore_action);
  gtk_widget_class_install_action (widget_class, "trash.delete-forever", NULL, delete_forever_action);
}

void
_si_window_trash_init (SiWindow *self)
{
  si_version_text_setup (self->trash_view);
  update_actions (self);
}

void
_si_window_trash_dispose (SiWindow *self)
{
  g_cancellable_cancel (self->trash_cancellable);
  g_clear_object (&self->trash_cancellable);
  g_clear_pointer (&self->trash_entries, g_ptr_array_unref);
}

/* For the tests */
GtkListBox *_si_window_get_trash_list (SiWindow *self) { return self->trash_list; }
GtkStack *_si_window_get_trash_list_stack (SiWindow *self) { return self->trash_list_stack; }
GtkTextView *_si_window_get_trash_view (SiWindow *self) { return self->trash_view; }
GtkLabel *_si_window_get_trash_status (SiWindow *self) { return self->trash_status; }
