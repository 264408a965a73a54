/* si-password.c — Argon2id password hashes and bearer tokens (libsodium). */
#define G_LOG_DOMAIN "saveidea-server"

#include "config.h"

#include <string.h>
#include <sodium.h>

#include "si-password.h"

/* Each verification needs crypto_pwhash_MEMLIMIT_INTERACTIVE (64 MiB): few at once. */
#define MAX_PARALLEL_VERIFICATIONS 4

static GThreadPool *verify_pool;

typedef struct {
  char *hash;
  char *password;
} VerifyData;

static void
verify_data_free (VerifyData *data)
{
  g_free (data->hash);
  if (data->password != NULL)
    {
      sodium_memzero (data->password, strlen (data->password));
      g_free (data->password);
    }
  g_free (data);
}

static void
verify_in_thread (gpointer job,
                  gpointer unused)
{
  g_autoptr(GTask) task = job;
  VerifyData *data = g_task_get_task_data (task);
  gboolean ok;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (data->hash != NULL)
    ok = si_password_verify (data->hash, data->password);
  else
    {
      /* No such user: spend the same time, then fail. */
      g_free (si_password_hash (data->password, NULL));
      ok = FALSE;
    }
  g_task_return_boolean (task, ok);
}

gboolean
si_password_init (void)
{
  if (sodium_init () < 0)
    return FALSE;
  if (verify_pool == NULL)
    verify_pool = g_thread_pool_new (verify_in_thread, NULL, MAX_PARALLEL_VERIFICATIONS, FALSE, NULL);
  return TRUE;
}

void
si_password_shutdown (void)
{
  if (verify_pool != NULL)
    g_thread_pool_free (g_steal_pointer (&verify_pool), FALSE, TRUE);
}

char *
si_password_hash (const char  *password,
                  GError     **error)
{
  char hash[crypto_pwhash_STRBYTES];

  g_return_val_if_fail (password != NULL, NULL);

  if (crypto_pwhash_str (hash, password, strlen (password),
                         crypto_pwhash_OPSLIMIT_INTERACTIVE,
                         crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                           "Not enough memory to hash the password");
      return NULL;
    }
  return g_strdup (hash);
}

gboolean
si_password_verify (const char *hash,
                    const char *password)
{
  g_return_val_if_fail (hash != NULL, FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  return crypto_pwhash_str_verify (hash, password, strlen (password)) == 0;
}

void
si_password_verify_async (const char          *hash,
                          const char          *password,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  VerifyData *data;

  g_return_if_fail (password != NULL);
  g_return_if_fail (verify_pool != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, si_password_verify_async);

  data = g_new0 (VerifyData, 1);
  data->hash = g_strdup (hash);
  data->password = g_strdup (password);
  g_task_set_task_data (task, data, (GDestroyNotify) verify_data_free);

  /* The pool owns a reference until the job ran; g_task_return_*() from the worker brings the
   * result back to this thread's main context. */
  if (!g_thread_pool_push (verify_pool, g_object_ref (task), &error))
    {
      g_object_unref (task);
      g_task_return_error (task, g_steal_pointer (&error));
    }
}

gboolean
si_password_verify_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

char *
si_token_new (void)
{
  guint8 bytes[32];
  char hex[sizeof bytes * 2 + 1];

  randombytes_buf (bytes, sizeof bytes);
  sodium_bin2hex (hex, sizeof hex, bytes, sizeof bytes);
  sodium_memzero (bytes, sizeof bytes);
  return g_strdup (hex);
}

char *
si_token_hash (const char *token)
{
  g_return_val_if_fail (token != NULL, NULL);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
}
