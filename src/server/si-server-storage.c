/* si-server-storage.c — the storage interface of saveidea-server (see si-server-storage.h). */
#define G_LOG_DOMAIN "saveidea-server"

#include "config.h"

#include "si-server-storage-private.h"

G_DEFINE_QUARK (si-server-storage-error-quark, si_server_storage_error)

G_DEFINE_INTERFACE (SiServerStorage, si_server_storage, G_TYPE_OBJECT)

static void
si_server_storage_default_init (SiServerStorageInterface *iface)
{
}

gboolean
si_server_account_name_is_valid (const char *name)
{
  gsize chars = 0;

  g_return_val_if_fail (name != NULL, FALSE);

  /* Stop at the limit: a hostile name may be megabytes long. */
  for (const char *p = name; *p; p = g_utf8_next_char (p))
    {
      gunichar c;

      if (++chars > SI_SERVER_ACCOUNT_NAME_MAX_CHARS)
        return FALSE;
      c = g_utf8_get_char_validated (p, -1);
      if (c == (gunichar) -1 || c == (gunichar) -2)
        return FALSE;
      if (g_unichar_isspace (c) || g_unichar_iscntrl (c) || c == '/' || c == ':')
        return FALSE;
    }
  return chars >= 1;
}

char *
si_server_account_name_fold (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  /* ASCII only, like the SQL: "É" and "é" are different accounts there too. */
  return g_ascii_strdown (name, -1);
}

const char *
si_server_storage_get_instance_id (SiServerStorage *self)
{
  g_return_val_if_fail (SI_IS_SERVER_STORAGE (self), NULL);

  return SI_SERVER_STORAGE_GET_IFACE (self)->get_instance_id (self);
}

guint
si_server_storage_get_retry_after (SiServerStorage *self)
{
  SiServerStorageInterface *iface;

  g_return_val_if_fail (SI_IS_SERVER_STORAGE (self), 1);

  iface = SI_SERVER_STORAGE_GET_IFACE (self);
  return iface->get_retry_after ? MAX (iface->get_retry_after (self), 1) : 1;
}

SiServerStorage *
si_server_storage_open (const char  *database,
                        const char  *data_dir,
                        GError     **error)
{
  g_return_val_if_fail (database != NULL || data_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (database != NULL)
    {
      if (!g_str_has_prefix (database, "postgresql://") && !g_str_has_prefix (database, "postgres://"))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "--database must be a PostgreSQL URI such as postgresql://saveidea@localhost/saveidea");
          return NULL;
        }
      return si_server_storage_pg_open (database, error);
    }
  return si_server_storage_sqlite_open (data_dir, error);
}

gboolean
si_server_storage_account_add (SiServerStorage *self,
                               const char *name,
                               const char *password_hash,
                               GError **error)
{
  g_return_val_if_fail (SI_IS_SERVER_STORAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return SI_SERVER_STORAGE_GET_IFACE (self)->account_add (self, name, password_hash, error);
}

char *
si_server_storage_account_lookup (SiServerStorage *self,
                                  const char *name,
                                  gint64 *out_account_id,
                                  GError **error)
{
  g_return_val_if_fail (SI_IS_SERVER_STORAGE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return SI_SERVER_STORAGE_GET_IFACE (self)->account_lookup (self, name, out_account_id, error);
}

char **
si_server_storage_account_list (SiServerStorage *self,
                                GError **error)
{
  g_return_val_if_fail (SI_IS_SERVER_STORAGE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return SI_SERVER_STORAGE_GET_IFACE (self)->account_list (self, error);
}

gboolean
si_server_storage_account_delete (SiServerStorage *self,
                                  const char *name,
                                  GError **error)
{
  g_return_val_if_fail (SI_IS_SERVER_STORAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return SI_SERVER_STORAGE_GET_IFACE (self)->account_delete (self, name, error);
}

gboolean
si_server_storage_account_set_password (SiServerStorage *self,
                                        const char *name,
                                        const char *password_hash,
                                        GError **error)
{
  g_return_val_if_fail (SI_IS_SERVER_STORAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return SI_SERVER_STORAGE_GET_IFACE (self)->account_set_password (self, name, password_hash, error);
}

gboolean
si_server_storage_token_add (SiServerStorage *self,
                             gint64 account_id,
                             const char *token_hash,
                             GError **error)
{
  g_return_val_if_fail (SI_IS_SERVER_STORAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return SI_SERVER_STORAGE_GET_IFACE (self)->token_add (self, account_id, token_hash, error);
}

gint64
si_server_storage_token_lookup (SiServerStorage *self,
                                const char *token_hash,
                                GError **error)
{
  g_return_val_if_fail (SI_IS_SERVER_STORAGE (self), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  return SI_SERVER_STORAGE_GET_IFACE (self)->token_lookup (self, token_hash, error);
}

gboolean
si_server_storage_token_revoke (SiServerStorage *self,
                                const char *token_hash,
                                GError **error)
{
  g_return_val_if_fail (SI_IS_SERVER_STORAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return SI_SERVER_STORAGE_GET_IFACE (self)->token_revoke (self, token_hash, error);
}

SiWirePage *
si_server_storage_records_list (SiServerStorage *self,
                                gint64 account_id,
                                SiWireCollection collection,
                                gint64 since,
                                guint limit,
                                GError **error)
{
  g_return_val_if_fail (SI_IS_SERVER_STORAGE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return SI_SERVER_STORAGE_GET_IFACE (self)->records_list (self, account_id, collection, since, limit, error);
}

/* ---------------------------------------------------------------------------------------- */
/* helpers of the backends (si-server-storage-private.h) */

static gint64 test_now_ms;

gint64
_si_server_storage_now_ms (void)
{
  /* Set only by tests, before they call the storage, in the same thread. */
  return test_now_ms != 0 ? test_now_ms : g_get_real_time () / 1000;
}

void
_si_server_storage_set_now_for_tests (gint64 now_ms)
{
  test_now_ms = now_ms;
}

char *
_si_server_storage_tags_to_text (GArray *tags)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; tags != NULL && i < tags->len; i++)
    g_string_append_printf (text, "%s%" G_GINT64_FORMAT, i ? "," : "", g_array_index (tags, gint64, i));
  return g_string_free (text, FALSE);
}

GArray *
_si_server_storage_tags_from_text (const char *text)
{
  GArray *tags = g_array_new (FALSE, FALSE, sizeof (gint64));
  const char *p = text;

  while (p != NULL && *p)
    {
      char *end = NULL;
      gint64 id = g_ascii_strtoll (p, &end, 10);

      if (end == p)
        break;
      g_array_append_val (tags, id);
      p = *end == ',' ? end + 1 : end;
    }
  return tags;
}

guint
_si_server_storage_tx_rows (void)
{
  static gsize rows = 0;

  if (g_once_init_enter (&rows))
    {
      const char *env = g_getenv ("SAVEIDEA_SERVER_TEST_TX_ROWS");
      guint64 value = SI_SERVER_STORAGE_TX_ROWS;

      if (env != NULL && !g_ascii_string_to_unsigned (env, 10, 1, 100000, &value, NULL))
        value = SI_SERVER_STORAGE_TX_ROWS;
      g_once_init_leave (&rows, (gsize) value);
    }
  return (guint) rows;
}

void
_si_server_storage_step_committed (void)
{
  const char *gate = g_getenv ("SAVEIDEA_SERVER_TEST_GATE");
  gint64 deadline;

  if (gate == NULL || *gate == '\0')
    return;
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (!g_file_test (gate, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);
}

gboolean
_si_server_storage_check_precondition (SiWireRecord **current,
                                       gint64         if_match,
                                       const char    *verb,
                                       SiWireRecord **out_current,
                                       GError       **error)
{
  if (if_match < 0)
    {
      g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_PRECONDITION_REQUIRED,
                   "%s needs the version it is based on in If-Match", verb);
      return FALSE;
    }
  if (if_match != (*current)->version)
    {
      g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_PRECONDITION_FAILED,
                   "The record changed since version %" G_GINT64_FORMAT "; it is now at version %"
                   G_GINT64_FORMAT, if_match, (*current)->version);
      if (out_current)
        *out_current = g_steal_pointer (current);
      return FALSE;
    }
  return TRUE;
}

gboolean
_si_server_storage_check_update (const SiWireRecord  *current,
                                 const SiWireRecord  *record,
                                 gint64               id,
                                 GError             **error)
{
  if (current->deleted)
    {
      g_set_error_literal (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_DELETED,
                           "The record was deleted");
      return FALSE;
    }
  if (record->uid != NULL && g_strcmp0 (record->uid, current->uid) != 0)
    {
      g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_INVALID,
                   "Field “uid” is %s, but record %" G_GINT64_FORMAT " has uid %s",
                   record->uid, id, current->uid);
      return FALSE;
    }
  return TRUE;
}

gboolean
_si_server_storage_check_fields (const SiServerStorageLookups  *lookups,
                                 gpointer                       backend,
                                 gint64                         account_id,
                                 gint64                         own_id,
                                 const SiWireRecord            *record,
                                 GArray                       **out_tags,
                                 char                         **out_name_key,
                                 SiWireRecord                 **out_current,
                                 GError                       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(SiWireRecord) other = NULL;

  if (record->collection == SI_WIRE_COLLECTION_IDEAS)
    {
      g_autoptr(GArray) kept = g_array_new (FALSE, FALSE, sizeof (gint64));

      for (guint i = 0; record->tags != NULL && i < record->tags->len; i++)
        {
          gint64 id = g_array_index (record->tags, gint64, i);
          gboolean found = FALSE, deleted = FALSE;

          if (!lookups->tag_state (backend, account_id, id, &found, &deleted, error))
            return FALSE;
          if (!found)
            {
              g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_UNKNOWN_TAG,
                           "Field “tags” names tag %" G_GINT64_FORMAT ", which is not one of your tags", id);
              return FALSE;
            }
          if (!deleted)
            g_array_append_val (kept, id);
        }
      *out_tags = g_steal_pointer (&kept);
      return TRUE;
    }

  *out_name_key = si_wire_tag_name_key (record->name);
  if (*out_name_key == NULL)
    {
      g_set_error_literal (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_INVALID,
                           "Field “name” is not valid UTF-8");
      return FALSE;
    }
  other = lookups->tag_by_name (backend, account_id, *out_name_key, own_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (other != NULL)
    {
      g_set_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_NAME_TAKEN,
                   "You already have a tag named “%s”", other->name);
      if (out_current)
        *out_current = g_steal_pointer (&other);
      return FALSE;
    }
  return TRUE;
}
