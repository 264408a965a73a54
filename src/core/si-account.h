/* si-account.h — the server account a notebook syncs with.
 *
 * The account belongs to the notebook: the server URL and the user name live in the notebook's
 * own database (so `saveidea-cli --db X` and the app each use the account of the notebook they
 * open). The token lives only in the keyring, through libsecret (schema
 * "io.github.saveidea.Saveidea", attributes "server" and "username"), never in a file.
 *
 * For scripts and tests, a token in the environment variable SAVEIDEA_TOKEN is used instead of
 * the keyring's when it is set (nothing is written then).
 */
#pragma once

#include <gio/gio.h>

#include "si-store.h"

G_BEGIN_DECLS

#define SI_TYPE_ACCOUNT (si_account_get_type ())
G_DECLARE_FINAL_TYPE (SiAccount, si_account, SI, ACCOUNT, GObject)

/* The account of @store's notebook (may be not configured yet). */
SiAccount  *si_account_new             (SiStore             *store);
SiStore    *si_account_get_store       (SiAccount           *self);
/* Properties "server-url" and "username": NULL when no account is configured. */
const char *si_account_get_server_url  (SiAccount           *self);
const char *si_account_get_username    (SiAccount           *self);
/* Property "configured": a server and a user are set (the token may still be missing). */
gboolean    si_account_get_configured  (SiAccount           *self);
/* Property "needs-login": the server refused this device's token (its password was changed,
 * or the login was revoked), or the keyring has none. The server and the user name stay; the
 * state is kept in the notebook, so that the next start (and `saveidea-cli status`) knows it.
 * A login as the same user on the same server clears it and keeps every waiting change; so do
 * a logout and si_account_set_for_testing(). */
gboolean    si_account_get_needs_login (SiAccount           *self);
/* Reads the account from the notebook again: another process (saveidea-cli login) may have
 * logged in again, or out, since. */
void        si_account_reload          (SiAccount           *self);
/* Puts the account into "needs-login" (a sync saw SI_SYNC_ERROR_NEEDS_LOGIN): forgets the
 * token in memory and removes it from the keyring (not when it came from SAVEIDEA_TOKEN or
 * si_account_set_for_testing(), which never touch the keyring).
 * Nothing happens without an account. @callback may be NULL; the keyring is cleared by the
 * time it runs. */
void        si_account_forget_token_async  (SiAccount           *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean    si_account_forget_token_finish (SiAccount           *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* Checks GET /api/v1/info (SI_SYNC_ERROR_NOT_SAVEIDEA, SI_SYNC_ERROR_NETWORK), logs in
 * (SI_SYNC_ERROR_WRONG_PASSWORD), stores the token in the keyring (SI_SYNC_ERROR_KEYRING),
 * then saves the URL and the user name in the notebook and clears "needs-login". Logging in
 * to another server or as another user than before is refused with
 * SI_SYNC_ERROR_UNSYNCED_CHANGES while changes wait to be pushed; logging in again as the same
 * user keeps them, and they are sent by the next sync. */
void        si_account_login_async     (SiAccount           *self,
                                        const char          *server_url,
                                        const char          *username,
                                        const char          *password,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean    si_account_login_finish    (SiAccount           *self,
                                        GAsyncResult        *result,
                                        GError             **error);

/* Refuses with SI_SYNC_ERROR_UNSYNCED_CHANGES while local changes wait, unless @force.
 * Revokes the token on the server (best effort: an unreachable server does not stop the
 * logout), removes it from the keyring and forgets the URL and user name. Local ideas stay. */
void        si_account_logout_async    (SiAccount           *self,
                                        gboolean             force,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean    si_account_logout_finish   (SiAccount           *self,
                                        GAsyncResult        *result,
                                        GError             **error);

/* The token from the keyring (or SAVEIDEA_TOKEN); SI_SYNC_ERROR_NOT_CONFIGURED without an
 * account, SI_SYNC_ERROR_NEEDS_LOGIN when the keyring has none. */
void        si_account_lookup_token_async  (SiAccount           *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
char       *si_account_lookup_token_finish (SiAccount           *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* Sets the account without logging in (tests, and a token obtained elsewhere): @token is
 * kept in memory only, never stored. */
gboolean    si_account_set_for_testing (SiAccount           *self,
                                        const char          *server_url,
                                        const char          *username,
                                        const char          *token,
                                        GError             **error);

G_END_DECLS
