/* si-login-dialog.c — log in again, asking only for the password. Errors are shown under the
 * field (a wrong password, an unreachable server) and the dialog stays open for another try. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <glib/gi18n.h>

#include "si-app-utils.h"
#include "si-login-dialog.h"
#include "si-sync-engine.h"

#define LOGIN_DIALOG_WIDTH 440

struct _SiLoginDialog
{
  AdwWindow            parent_instance;

  SiAccount           *account;
  GCancellable        *cancellable;

  AdwActionRow        *account_row;
  AdwPasswordEntryRow *password_row;
  GtkRevealer         *error_revealer;
  GtkLabel            *error_label;
  GtkSpinner          *spinner;
  GtkWidget           *login_button;
};

G_DEFINE_FINAL_TYPE (SiLoginDialog, si_login_dialog, ADW_TYPE_WINDOW)

char *
si_describe_login_error (const GError *error,
                         const char   *username)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (g_error_matches (error, SI_SYNC_ERROR, SI_SYNC_ERROR_WRONG_PASSWORD))
    return g_strdup_printf (_("The server refused the password for %s."), username);
  if (g_error_matches (error, SI_SYNC_ERROR, SI_SYNC_ERROR_NETWORK))
    return g_strdup_printf (_("The server could not be reached. Check the address and your connection. (%s)"), error->message);
  if (g_error_matches (error, SI_SYNC_ERROR, SI_SYNC_ERROR_NOT_SAVEIDEA))
    return g_strdup (_("This address does not answer like a Saveidea server."));
  if (g_error_matches (error, SI_SYNC_ERROR, SI_SYNC_ERROR_KEYRING))
    return g_strdup_printf (_("The password could not be kept in the keyring: %s"), error->message);
  return g_strdup (error->message);
}

static void
show_error (SiLoginDialog *self,
            const char    *message)
{
  gtk_label_set_label (self->error_label, message ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

static void
update_button (SiLoginDialog *self)
{
  gboolean busy = gtk_spinner_get_spinning (self->spinner);

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_widget_set_sensitive (self->login_button,
                            !busy && gtk_editable_get_text (GTK_EDITABLE (self->password_row))[0] != '\0');
  /* The field stays sensitive while the login runs: taking the focus from a GtkText that way
   * leaves its cursor blinking without focus (GTK 4.8). The button is what waits. */
  gtk_editable_set_editable (GTK_EDITABLE (self->password_row), !busy);
}

static void
login_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SiLoginDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!si_account_login_finish (SI_ACCOUNT (object), result, &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = si_describe_login_error (error, si_account_get_username (self->account));
      gtk_spinner_set_spinning (self->spinner, FALSE);
      update_button (self);
      show_error (self, message);
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }
  /* The account leaves "needs login" and the sync manager sends what waited. The focus leaves
   * the password field first, so that it stops its cursor before it goes. */
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

void
_si_login_dialog_log_in (SiLoginDialog *self)
{
  g_return_if_fail (SI_IS_LOGIN_DIALOG (self));

  if (!gtk_widget_get_sensitive (self->login_button))
    return;
  show_error (self, NULL);
  gtk_spinner_set_spinning (self->spinner, TRUE);
  update_button (self);
  si_account_login_async (self->account,
                          si_account_get_server_url (self->account),
                          si_account_get_username (self->account),
                          gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                          self->cancellable, login_cb, g_object_ref (self));
}

static void
login_clicked_cb (SiLoginDialog *self)
{
  _si_login_dialog_log_in (self);
}

static void
password_changed_cb (SiLoginDialog *self)
{
  update_button (self);
}

const char *
_si_login_dialog_get_server (SiLoginDialog *self)
{
  return adw_action_row_get_subtitle (self->account_row);
}

const char *
_si_login_dialog_get_username (SiLoginDialog *self)
{
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->account_row));
}

GtkEditable *
_si_login_dialog_get_password (SiLoginDialog *self)
{
  return GTK_EDITABLE (self->password_row);
}

const char *
_si_login_dialog_get_error (SiLoginDialog *self)
{
  return gtk_revealer_get_reveal_child (self->error_revealer) ? gtk_label_get_label (self->error_label) : NULL;
}

static void
si_login_dialog_dispose (GObject *object)
{
  SiLoginDialog *self = SI_LOGIN_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->account);
  gtk_widget_dispose_template (GTK_WIDGET (self), SI_TYPE_LOGIN_DIALOG);

  G_OBJECT_CLASS (si_login_dialog_parent_class)->dispose (object);
}

static void
si_login_dialog_class_init (SiLoginDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = si_login_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/saveidea/Saveidea/si-login-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SiLoginDialog, account_row);
  gtk_widget_class_bind_template_child (widget_class, SiLoginDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, SiLoginDialog, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, SiLoginDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, SiLoginDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, SiLoginDialog, login_button);
  gtk_widget_class_bind_template_callback (widget_class, login_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, password_changed_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
si_login_dialog_init (SiLoginDialog *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

SiLoginDialog *
si_login_dialog_new (GtkWindow *parent,
                     SiAccount *account)
{
  SiLoginDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (SI_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (si_account_get_configured (account), NULL);

  self = g_object_new (SI_TYPE_LOGIN_DIALOG, "transient-for", parent, NULL);
  /* 440 px at text scale 1: the title between Cancel and Log In whole, also in German
   * ("Erneut anmelden" was "Erneut …" at 1.5). */
  gtk_window_set_default_size (GTK_WINDOW (self), (int) (LOGIN_DIALOG_WIDTH * si_text_scale (GTK_WIDGET (self))), -1);
  self->account = g_object_ref (account);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->account_row), si_account_get_username (account));
  adw_action_row_set_subtitle (self->account_row, si_account_get_server_url (account));
  update_button (self);
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->password_row));
  return self;
}
