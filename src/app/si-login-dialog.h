/* si-login-dialog.h — "Log In Again": the notebook's server and user already filled in, only
 * the password asked for. Shown when the server no longer accepts this device's login (a
 * changed password, a revoked login); the changes waiting stay and are synced after it. */
#pragma once

#include <adwaita.h>

#include "si-account.h"

G_BEGIN_DECLS

#define SI_TYPE_LOGIN_DIALOG (si_login_dialog_get_type ())
G_DECLARE_FINAL_TYPE (SiLoginDialog, si_login_dialog, SI, LOGIN_DIALOG, AdwWindow)

/* A modal window on @parent to log in again to @account's server as its user (the account
 * must be configured). It closes itself once the login worked. */
SiLoginDialog *si_login_dialog_new      (GtkWindow    *parent,
                                         SiAccount    *account);

/* What a failed login says to the user, for the login forms. */
char          *si_describe_login_error  (const GError *error,
                                         const char   *username);

/* For the tests */
const char    *_si_login_dialog_get_server   (SiLoginDialog *self);
const char    *_si_login_dialog_get_username (SiLoginDialog *self);
GtkEditable   *_si_login_dialog_get_password (SiLoginDialog *self);
const char    *_si_login_dialog_get_error    (SiLoginDialog *self);
void           _si_login_dialog_log_in       (SiLoginDialog *self);

G_END_DECLS
