/* si-password.h — password hashing (Argon2id) and bearer tokens for saveidea-server. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Prepares libsodium; call once before anything else. FALSE if it cannot work. */
gboolean  si_password_init          (void);
/* Waits for running verifications and frees the worker threads. */
void      si_password_shutdown      (void);

/* An Argon2id hash string (crypto_pwhash_str, interactive limits). Slow (~0.1 s): never on the
 * main loop of a serving process. */
char     *si_password_hash          (const char  *password,
                                     GError     **error);
gboolean  si_password_verify        (const char  *hash,
                                     const char  *password);

/* Verifies in a worker thread (at most a few at once, so that a burst of logins cannot take
 * all memory: each Argon2id run uses 64 MiB). A %NULL @hash (no such user) does the same work
 * and fails, so that a response's timing does not tell whether a user exists. */
void      si_password_verify_async  (const char          *hash,
                                     const char          *password,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
gboolean  si_password_verify_finish (GAsyncResult        *result,
                                     GError             **error);

/* A new token: 64 hex characters (256 random bits). */
char     *si_token_new              (void);
/* What is stored and cached instead of the token: SHA-256 hex. */
char     *si_token_hash             (const char  *token);

G_END_DECLS
