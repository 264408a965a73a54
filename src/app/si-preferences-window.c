/* si-preferences-window.c — the preferences: log in to a Saveidea server (errors are shown
 * right under the fields: a wrong password, a server that cannot be reached, an address that
 * is not a Saveidea server), log out, the sync interval and auto-push, and the notebook's
 * location on disk. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <glib/gi18n.h>

#include "si-login-dialog.h"
#include "si-preferences-window.h"
#include "si-device.h"

struct _SiPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  SiSyncManager        *manager;
  SiAccount            *account;
  GSettings            *settings;
  GCancellable         *cancellable;

  AdwActionRow         *logged_in_row;
  AdwEntryRow          *server_row;
  AdwEntryRow          *username_row;
  AdwPasswordEntryRow  *password_row;
  GtkRevealer          *account_error_revealer;
  GtkLabel             *account_error;
  GtkWidget            *login_box;
  GtkSpinner           *spinner;
  GtkWidget            *login_button;
  GtkWidget            *logout_button;
  GtkWidget            *relogin_button;
  GtkSpinButton        *interval_spin;
  GtkSwitch            *auto_push_switch;
  GtkSwitch            *background_switch;
  GtkSwitch            *import_archived_switch;
  AdwEntryRow          *device_name_row;
  AdwActionRow         *db_row;
};

G_DEFINE_FINAL_TYPE (SiPreferencesWindow, si_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
show_error (SiPreferencesWindow *self,
            const char          *message)
{
  gtk_label_set_label (self->account_error, message ? message : "");
  gtk_revealer_set_reveal_child (self->account_error_revealer, message != NULL);
}

static void
set_busy (SiPreferencesWindow *self,
          gboolean             busy)
{
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->server_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->username_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->password_row), !busy);
  gtk_widget_set_sensitive (self->logout_button, !busy);
}

static void
update_login_button (SiPreferencesWindow *self)
{
  gboolean filled = gtk_editable_get_text (GTK_EDITABLE (self->server_row))[0] &&
                    gtk_editable_get_text (GTK_EDITABLE (self->username_row))[0] &&
                    gtk_editable_get_text (GTK_EDITABLE (self->password_row))[0];

  gtk_widget_set_sensitive (self->login_button, filled && !gtk_spinner_get_spinning (self->spinner));
}

static void
update_account (SiPreferencesWindow *self)
{
  gboolean configured = self->account && si_account_get_configured (self->account);
  gboolean needs_login = configured && si_account_get_needs_login (self->account);

  gtk_widget_set_visible (GTK_WIDGET (self->logged_in_row), configured);
  gtk_widget_set_visible (GTK_WIDGET (self->server_row), !configured);
  gtk_widget_set_visible (GTK_WIDGET (self->username_row), !configured);
  gtk_widget_set_visible (GTK_WIDGET (self->password_row), !configured);
  /* Needs login: the Log In… button (which opens the dialog) takes the place of the form's. */
  gtk_widget_set_visible (self->login_box, !configured || needs_login);
  gtk_widget_set_visible (self->login_button, !configured);
  gtk_widget_set_visible (self->relogin_button, needs_login);
  /* Needs login: Log In… is what to do; Log Out (to another account) stays, as a quiet icon. */
  if (needs_login)
    {
      gtk_button_set_icon_name (GTK_BUTTON (self->logout_button), "system-log-out-symbolic");
      gtk_widget_set_tooltip_text (self->logout_button, _("Log Out"));
      gtk_widget_remove_css_class (self->logout_button, "destructive-action");
      gtk_widget_add_css_class (self->logout_button, "flat");
    }
  else
    {
      gtk_button_set_label (GTK_BUTTON (self->logout_button), _("_Log Out"));
      gtk_widget_set_tooltip_text (self->logout_button, NULL);
      gtk_widget_remove_css_class (self->logout_button, "flat");
      gtk_widget_add_css_class (self->logout_button, "destructive-action");
    }
  if (configured)
    {
      /* A changed password or a revoked login: say so, and offer to log in again (the server
       * and user are kept) before anything else. */
      g_autofree char *title = needs_login ? g_strdup_printf (_("Log in again as %s"), si_account_get_username (self->account))
                                           : g_strdup_printf (_("Logged in as %s"), si_account_get_username (self->account));
      g_autofree char *subtitle = needs_login ? g_strdup_printf ("%s\n%s", si_account_get_server_url (self->account),
                                                                 _("The server no longer accepts this device’s login."))
                                              : g_strdup (si_account_get_server_url (self->account));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->logged_in_row), title);
      adw_action_row_set_subtitle (self->logged_in_row, subtitle);
      adw_action_row_set_icon_name (self->logged_in_row, needs_login ? "dialog-warning-symbolic" : "avatar-default-symbolic");
    }
  update_login_button (self);
}

static void
login_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SiPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!si_account_login_finish (SI_ACCOUNT (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *message = si_describe_login_error (error, gtk_editable_get_text (GTK_EDITABLE (self->username_row)));
          set_busy (self, FALSE);
          show_error (self, message);
          update_login_button (self);
        }
      return;
    }
  set_busy (self, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  show_error (self, NULL);
  update_account (self);
  if (self->manager)
    si_sync_manager_sync_now (self->manager);
}

static void
login_clicked_cb (SiPreferencesWindow *self)
{
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_row))));

  if (self->account == NULL || !gtk_widget_get_sensitive (self->login_button))
    return;
  /* People type "ideas.example.org"; the server wants a scheme. */
  if (!g_str_has_prefix (url, "http://") && !g_str_has_prefix (url, "https://"))
    {
      char *with_scheme = g_strconcat ("https://", url, NULL);
      g_free (url);
      url = with_scheme;
    }
  show_error (self, NULL);
  set_busy (self, TRUE);
  update_login_button (self);
  si_account_login_async (self->account, url,
                          gtk_editable_get_text (GTK_EDITABLE (self->username_row)),
                          gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                          self->cancellable, login_cb, g_object_ref (self));
}

static void
entry_activated_cb (SiPreferencesWindow *self)
{
  if (gtk_widget_get_sensitive (self->login_button))
    login_clicked_cb (self);
}

static void
fields_changed_cb (SiPreferencesWindow *self)
{
  update_login_button (self);
}

static void logout (SiPreferencesWindow *self, gboolean force);

static void
force_logout_response_cb (AdwMessageDialog    *dialog,
                          const char          *response,
                          SiPreferencesWindow *self)
{
  if (g_str_equal (response, "logout"))
    logout (self, TRUE);
}

static void
logout_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SiPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  set_busy (self, FALSE);
  if (!si_account_logout_finish (SI_ACCOUNT (object), result, &error))
    {
      if (g_error_matches (error, SI_SYNC_ERROR, SI_SYNC_ERROR_UNSYNCED_CHANGES))
        {
          GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Log Out With Changes Not Synced?"),
                                                      _("Some changes have not reached the server yet. They stay on this computer, but will not be synced unless you log in to the same account again."));
          adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                            "cancel", _("_Cancel"),
                                            "logout", _("_Log Out"),
                                            NULL);
          adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "logout", ADW_RESPONSE_DESTRUCTIVE);
          g_signal_connect_object (dialog, "response", G_CALLBACK (force_logout_response_cb), self, 0);
          gtk_window_present (GTK_WINDOW (dialog));
          return;
        }
      show_error (self, error->message);
      return;
    }
  show_error (self, NULL);
  update_account (self);
}

static void
logout (SiPreferencesWindow *self,
        gboolean             force)
{
  set_busy (self, TRUE);
  si_account_logout_async (self->account, force, self->cancellable, logout_cb, g_object_ref (self));
}

static void
relogin_clicked_cb (SiPreferencesWindow *self)
{
  if (self->account && si_account_get_configured (self->account))
    gtk_window_present (GTK_WINDOW (si_login_dialog_new (GTK_WINDOW (self), self->account)));
}

static void
logout_clicked_cb (SiPreferencesWindow *self)
{
  if (self->account)
    logout (self, FALSE);
}

GtkWidget *
_si_preferences_window_get_relogin_button (SiPreferencesWindow *self)
{
  return self->relogin_button;
}

GtkSwitch *
_si_preferences_window_get_import_archived_switch (SiPreferencesWindow *self)
{
  return self->import_archived_switch;
}

const char *
_si_preferences_window_get_account_title (SiPreferencesWindow *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->logged_in_row))
           ? adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->logged_in_row)) : NULL;
}

const char *
_si_preferences_window_get_error (SiPreferencesWindow *self)
{
  return gtk_revealer_get_reveal_child (self->account_error_revealer) ? gtk_label_get_label (self->account_error) : NULL;
}

/* Device name: this notebook's (si-device.h), in a group of its own ------------------------------ */

/* Shows the notebook's device name: the one set, or the computer's (shown, not stored). */
static void
load_device_name (SiPreferencesWindow *self)
{
  g_autofree char *name = si_device_dup_name (si_sync_manager_get_store (self->manager));

  /* Only when it differs (trimmed, or the default again): setting the text while it is being
   * edited brings the apply button back. */
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->device_name_row)), name) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->device_name_row), name);
  gtk_widget_remove_css_class (GTK_WIDGET (self->device_name_row), "error");
}

static void
device_name_changed_cb (SiPreferencesWindow *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->device_name_row), "error");
}

static void
device_name_apply_cb (SiPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (self->manager == NULL)
    return;
  /* Empty: the computer's name again. */
  if (!si_device_set_name (si_sync_manager_get_store (self->manager),
                           gtk_editable_get_text (GTK_EDITABLE (self->device_name_row)), &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->device_name_row), "error");
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (error->message));
      return;
    }
  load_device_name (self);
}

static void
si_preferences_window_dispose (GObject *object)
{
  SiPreferencesWindow *self = SI_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  g_clear_object (&self->account);
  g_clear_object (&self->manager);
  gtk_widget_dispose_template (GTK_WIDGET (self), SI_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (si_preferences_window_parent_class)->dispose (object);
}

static void
si_preferences_window_class_init (SiPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = si_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/saveidea/Saveidea/si-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SiPreferencesWindow, logged_in_row);
  gtk_widget_class_bind_template_child (widget_class, SiPreferencesWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, SiPreferencesWindow, username_row);
  gtk_widget_class_bind_template_child (widget_class, SiPreferencesWindow, password_row);
  gtk_widget_class_bind_template_child (widget_class, SiPreferencesWindow, account_error_revealer);
  gtk_widget_class_bind_template_child (widget_class, SiPreferencesWindow, account_error);
  gtk_widget_class_bind_template_child (widget_class, SiPreferencesWindow, login_box);
  gtk_widget_class_bind_template_child (widget_class, SiPreferencesWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, SiPreferencesWindow, login_button);
  gtk_widget_class_bind_template_child (widget_class, SiPreferencesWindow, logout_button);
  gtk_widget_class_bind_template_child (widget_class, SiPreferencesWindow, relogin_button);
  gtk_widget_class_bind_template_child (widget_class, SiPreferencesWindow, interval_spin);
  gtk_widget_class_bind_template_child (widget_class, SiPreferencesWindow, auto_push_switch);
  gtk_widget_class_bind_template_child (widget_class, SiPreferencesWindow, background_switch);
  gtk_widget_class_bind_template_child (widget_class, SiPreferencesWindow, import_archived_switch);
  gtk_widget_class_bind_template_child (widget_class, SiPreferencesWindow, device_name_row);
  gtk_widget_class_bind_template_child (widget_class, SiPreferencesWindow, db_row);
  gtk_widget_class_bind_template_callback (widget_class, device_name_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, device_name_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, login_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, logout_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, relogin_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, fields_changed_cb);
}

static void
si_preferences_window_init (SiPreferencesWindow *self)
{
  GtkEditable *delegate;

  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  /* No longer than a device name may be. */
  delegate = gtk_editable_get_delegate (GTK_EDITABLE (self->device_name_row));
  if (GTK_IS_TEXT (delegate))
    gtk_text_set_max_length (GTK_TEXT (delegate), SI_DEVICE_NAME_MAX_CHARS);
}

static gboolean
seconds_to_minutes (GBinding     *binding,
                    const GValue *from,
                    GValue       *to,
                    gpointer      user_data)
{
  g_value_set_double (to, MAX (1, g_value_get_uint (from) / 60));
  return TRUE;
}

static gboolean
minutes_to_seconds (GBinding     *binding,
                    const GValue *from,
                    GValue       *to,
                    gpointer      user_data)
{
  g_value_set_uint (to, (guint) g_value_get_double (from) * 60);
  return TRUE;
}

/**
 * si_preferences_window_new:
 * @manager: (nullable): the sync manager, with the notebook's store and account
 * @settings: (nullable): the application's settings; without them the manager is set directly
 */
SiPreferencesWindow *
si_preferences_window_new (GtkWindow     *parent,
                           SiSyncManager *manager,
                           GSettings     *settings)
{
  SiPreferencesWindow *self = g_object_new (SI_TYPE_PREFERENCES_WINDOW, "transient-for", parent, NULL);

  if (manager)
    {
      SiStore *store = si_sync_manager_get_store (manager);

      self->manager = g_object_ref (manager);
      self->account = g_object_ref (si_sync_manager_get_account (manager));
      g_signal_connect_object (self->account, "notify", G_CALLBACK (update_account), self, G_CONNECT_SWAPPED);
      adw_action_row_set_subtitle (self->db_row, si_store_get_path (store));
      load_device_name (self);
    }
  else
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->server_row), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->device_name_row), FALSE);
    }

  if (settings)
    {
      self->settings = g_object_ref (settings);
      g_settings_bind (settings, "sync-interval", gtk_spin_button_get_adjustment (self->interval_spin), "value",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "auto-push", self->auto_push_switch, "active", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "run-in-background", self->background_switch, "active", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "import-archived", self->import_archived_switch, "active", G_SETTINGS_BIND_DEFAULT);
    }
  else if (manager)
    {
      g_object_bind_property_full (manager, "interval", gtk_spin_button_get_adjustment (self->interval_spin), "value",
                                   G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                                   seconds_to_minutes, minutes_to_seconds, NULL, NULL);
      g_object_bind_property (manager, "auto-push", self->auto_push_switch, "active",
                              G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
      /* Kept nowhere: the application quits with its window. */
      gtk_widget_set_sensitive (GTK_WIDGET (self->background_switch), FALSE);
    }
  update_account (self);
  return self;
}
