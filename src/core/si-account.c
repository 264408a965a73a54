/* si-account.c — the notebook's server account; the token lives in the keyring only. */
#define G_LOG_DOMAIN "saveidea-account"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>
#include <libsoup/soup.h>
#include <string.h>

#include "si-account.h"
#include "si-http-private.h"
#include "si-store-private.h"
#include "si-sync-engine.h"
#include "si-wire.h"

#define META_SERVER_URL "account:server_url"
#define META_USERNAME "account:username"
#define META_NEEDS_LOGIN "account:needs_login"

struct _SiAccount {
  GObject      parent_instance;
  SiStore     *store;
  char        *server_url;
  char        *username;
  char        *token;        /* in memory only: set_for_testing, or just logged in */
  gboolean     needs_login;
  gboolean     token_for_testing; /* the token is set_for_testing's: the keyring is not ours */
  SoupSession *session;
};

G_DEFINE_FINAL_TYPE (SiAccount, si_account, G_TYPE_OBJECT)

enum { PROP_0, PROP_STORE, PROP_SERVER_URL, PROP_USERNAME, PROP_CONFIGURED, PROP_NEEDS_LOGIN, N_PROPS };
static GParamSpec *properties[N_PROPS];

static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    BASE_APP_ID, SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "username", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };
  return &schema;
}

static char *
normalise_url (const char *url)
{
  char *copy = g_strstrip (g_strdup (url));
  gsize len = strlen (copy);

  while (len > 0 && copy[len - 1] == '/')
    copy[--len] = '\0';
  return copy;
}

static void
set_needs_login (SiAccount *self,
                 gboolean   needs_login)
{
  if (self->needs_login == needs_login)
    return;
  self->needs_login = needs_login;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEEDS_LOGIN]);
}

/* A login, a logout and set_for_testing all start afresh: "needs-login" goes with them. */
static void
set_account (SiAccount  *self,
             const char *server_url,
             const char *username)
{
  g_object_freeze_notify (G_OBJECT (self));
  set_needs_login (self, FALSE);
  if (g_strcmp0 (self->server_url, server_url) != 0)
    {
      g_free (self->server_url);
      self->server_url = g_strdup (server_url);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_URL]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFIGURED]);
    }
  if (g_strcmp0 (self->username, username) != 0)
    {
      g_free (self->username);
      self->username = g_strdup (username);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USERNAME]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFIGURED]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static gboolean
save_account (SiAccount   *self,
              const char  *server_url,
              const char  *username,
              GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!_si_store_begin (self->store, &local_error))
    {
      g_set_error (error, SI_SYNC_ERROR, SI_SYNC_ERROR_STORE, "%s", local_error->message);
      return FALSE;
    }
  if (!_si_store_set_meta (self->store, META_SERVER_URL, server_url, &local_error) ||
      !_si_store_set_meta (self->store, META_USERNAME, username, &local_error) ||
      !_si_store_set_meta (self->store, META_NEEDS_LOGIN, NULL, &local_error))
    {
      _si_store_rollback (self->store);
      g_set_error (error, SI_SYNC_ERROR, SI_SYNC_ERROR_STORE, "%s", local_error->message);
      return FALSE;
    }
  if (!_si_store_commit (self->store, &local_error))
    {
      g_set_error (error, SI_SYNC_ERROR, SI_SYNC_ERROR_STORE, "%s", local_error->message);
      return FALSE;
    }
  set_account (self, server_url, username);
  return TRUE;
}

/* Login ------------------------------------------------------------------------------------ */

typedef struct {
  char *server_url;
  char *username;
  char *password;
  char *token;
  SoupMessage *msg;
} Login;

static void
login_free (Login *login)
{
  g_free (login->server_url);
  g_free (login->username);
  if (login->password)
    memset (login->password, 0, strlen (login->password));
  g_free (login->password);
  g_free (login->token);
  g_clear_object (&login->msg);
  g_free (login);
}

static void
login_stored (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SiAccount *self = g_task_get_source_object (task);
  Login *login = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    {
      g_task_return_new_error (task, SI_SYNC_ERROR, SI_SYNC_ERROR_KEYRING,
                               /* Translators: %s is the keyring's error. */
                               _("The login worked, but the keyring could not keep it: %s"), error->message);
      return;
    }
  if (!save_account (self, login->server_url, login->username, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_free (self->token);
  self->token = g_strdup (login->token);
  self->token_for_testing = FALSE;
  g_task_return_boolean (task, TRUE);
}

static void
login_answered (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Login *login = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = _si_http_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *label = NULL;
  guint status;
  const char *token;

  if (bytes == NULL)
    {
      g_task_return_new_error (task, SI_SYNC_ERROR, SI_SYNC_ERROR_NETWORK,
                               /* Translators: the server's address, then the network's error. */
                               _("The server at %s could not be reached: %s"), login->server_url, error->message);
      return;
    }
  status = soup_message_get_status (login->msg);
  if (status == SOUP_STATUS_UNAUTHORIZED || status == 429)
    {
      g_task_return_new_error (task, SI_SYNC_ERROR, SI_SYNC_ERROR_WRONG_PASSWORD,
                               /* Translators: %s is the user name. */
                               status == 429 ? _("Too many failed logins for %s; wait a minute and try again.")
                                             /* Translators: %s is the user name. */
                                             : _("The server refused the password for %s."), login->username);
      return;
    }
  if (status == SOUP_STATUS_BAD_REQUEST)
    {
      /* The server refuses a name no account can have (too long, spaces, "/" or ":") before
       * it looks at the password. */
      g_task_return_new_error (task, SI_SYNC_ERROR, SI_SYNC_ERROR_WRONG_PASSWORD,
                               /* Translators: %s is the user name. */
                               _("The server has no account named “%s”, and cannot have one: "
                                 "check the user name."), login->username);
      return;
    }
  json = status == SOUP_STATUS_OK ? si_wire_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL) : NULL;
  token = json ? json_object_get_string_member_with_default (json_node_get_object (json), "token", NULL) : NULL;
  if (token == NULL)
    {
      g_task_return_new_error (task, SI_SYNC_ERROR, status >= 500 ? SI_SYNC_ERROR_SERVER : SI_SYNC_ERROR_NOT_SAVEIDEA,
                               /* Translators: %s is the server's address, %u an HTTP status code. */
                               _("The server at %s did not log you in (HTTP %u)."), login->server_url, status);
      return;
    }
  login->token = g_strdup (token);
  /* Translators: the name of the login in the keyring (Passwords and Keys shows it): the user
   * name, then the server's address. */
  label = g_strdup_printf (_("Saveidea: %s on %s"), login->username, login->server_url);
  secret_password_store (token_schema (), SECRET_COLLECTION_DEFAULT, label, login->token,
                         g_task_get_cancellable (task), login_stored, g_object_ref (task),
                         "server", login->server_url, "username", login->username, NULL);
}

static void
login_info (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SiAccount *self = g_task_get_source_object (task);
  Login *login = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = _si_http_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) body_node = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *url = NULL;
  JsonObject *object;
  char *text;
  gsize length;

  if (bytes == NULL)
    {
      g_task_return_new_error (task, SI_SYNC_ERROR, SI_SYNC_ERROR_NETWORK,
                               /* Translators: the server's address, then the network's error. */
                               _("The server at %s could not be reached: %s"), login->server_url, error->message);
      return;
    }
  if (soup_message_get_status (login->msg) == SOUP_STATUS_OK)
    json = si_wire_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL);
  object = json ? json_node_get_object (json) : NULL;
  if (object == NULL || !json_object_get_string_member_with_default (object, "instance_id", NULL) ||
      json_object_get_int_member_with_default (object, "protocol", 0) != SI_WIRE_PROTOCOL_VERSION)
    {
      g_task_return_new_error (task, SI_SYNC_ERROR, SI_SYNC_ERROR_NOT_SAVEIDEA,
                               /* Translators: %s is the server's address. */
                               _("%s is not a Saveidea server (or speaks another version of the protocol)."),
                               login->server_url);
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, login->username);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, login->password);
  json_builder_end_object (builder);
  body_node = json_builder_get_root (builder);
  text = si_wire_to_string (body_node, &length);
  body = g_bytes_new_take (text, length);

  url = g_strconcat (login->server_url, "/api/v1/login", NULL);
  g_clear_object (&login->msg);
  login->msg = soup_message_new (SOUP_METHOD_POST, url);
  soup_message_set_request_body_from_bytes (login->msg, "application/json", body);
  _si_http_send_and_read_async (self->session, login->msg, SI_WIRE_MAX_BYTES,
                                g_task_get_cancellable (task), login_answered, g_object_ref (task));
}

void
si_account_login_async (SiAccount           *self,
                        const char          *server_url,
                        const char          *username,
                        const char          *password,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *url = NULL;
  Login *login;

  g_return_if_fail (SI_IS_ACCOUNT (self));
  g_return_if_fail (server_url && username && password);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, si_account_login_async);
  login = g_new0 (Login, 1);
  login->server_url = normalise_url (server_url);
  login->username = g_strdup (username);
  login->password = g_strdup (password);
  g_task_set_task_data (task, login, (GDestroyNotify) login_free);

  if (self->server_url != NULL &&
      (g_strcmp0 (self->server_url, login->server_url) != 0 || g_strcmp0 (self->username, username) != 0) &&
      si_store_count_pending (self->store, NULL) > 0)
    {
      g_task_return_new_error (task, SI_SYNC_ERROR, SI_SYNC_ERROR_UNSYNCED_CHANGES,
                               /* Translators: %s is the address of the server the notebook syncs with. */
                               _("This notebook has changes not yet sent to %s. Sync them or log out first."),
                               self->server_url);
      return;
    }

  url = g_strconcat (login->server_url, "/api/v1/info", NULL);
  login->msg = soup_message_new (SOUP_METHOD_GET, url);
  if (login->msg == NULL || !(g_str_has_prefix (login->server_url, "http://") || g_str_has_prefix (login->server_url, "https://")))
    {
      g_task_return_new_error (task, SI_SYNC_ERROR, SI_SYNC_ERROR_NOT_SAVEIDEA,
                               /* Translators: %s is what was given as the server's address. */
                               _("“%s” is not a server address (it should start with https://)."), server_url);
      return;
    }
  _si_http_send_and_read_async (self->session, login->msg, SI_WIRE_MAX_BYTES, cancellable,
                                login_info, g_steal_pointer (&task));
}

gboolean
si_account_login_finish (SiAccount     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Token ------------------------------------------------------------------------------------ */

static void
token_looked_up (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *token = secret_password_lookup_finish (result, &error);

  if (error != NULL)
    g_task_return_new_error (task, SI_SYNC_ERROR, SI_SYNC_ERROR_KEYRING,
                             /* Translators: %s is the keyring's error. */
                             _("The keyring could not be read: %s"), error->message);
  else if (token == NULL)
    g_task_return_new_error (task, SI_SYNC_ERROR, SI_SYNC_ERROR_NEEDS_LOGIN, _("Log in again to sync."));
  else
    {
      char *copy = g_strdup (token);
      secret_password_free (token);
      g_task_return_pointer (task, copy, g_free);
    }
}

void
si_account_lookup_token_async (SiAccount           *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const char *env = g_getenv ("SAVEIDEA_TOKEN");

  g_return_if_fail (SI_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, si_account_lookup_token_async);
  if (self->server_url == NULL || self->username == NULL)
    g_task_return_new_error (task, SI_SYNC_ERROR, SI_SYNC_ERROR_NOT_CONFIGURED,
                             _("No server account is set up for this notebook."));
  else if (env != NULL && *env != '\0')
    g_task_return_pointer (task, g_strdup (env), g_free);
  else if (self->token != NULL)
    g_task_return_pointer (task, g_strdup (self->token), g_free);
  else
    secret_password_lookup (token_schema (), cancellable, token_looked_up, g_steal_pointer (&task),
                            "server", self->server_url, "username", self->username, NULL);
}

char *
si_account_lookup_token_finish (SiAccount     *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Needs login ------------------------------------------------------------------------------ */

void
si_account_reload (SiAccount *self)
{
  g_autofree char *url = NULL, *user = NULL, *needs_login = NULL;

  g_return_if_fail (SI_IS_ACCOUNT (self));

  url = _si_store_get_meta (self->store, META_SERVER_URL);
  user = _si_store_get_meta (self->store, META_USERNAME);
  needs_login = _si_store_get_meta (self->store, META_NEEDS_LOGIN);
  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (url, self->server_url) != 0 || g_strcmp0 (user, self->username) != 0)
    set_account (self, url, user);
  set_needs_login (self, g_strcmp0 (needs_login, "1") == 0);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
forget_cleared (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* A keyring that cannot be reached keeps a token the server refuses anyway: the state in
   * the notebook is what counts, so this is not an error for the caller. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_debug ("Could not clear the refused token from the keyring: %s", error->message);
  g_task_return_boolean (task, TRUE);
}

void
si_account_forget_token_async (SiAccount           *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  const char *env = g_getenv ("SAVEIDEA_TOKEN");

  g_return_if_fail (SI_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, si_account_forget_token_async);
  if (!si_account_get_configured (self))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->token)
    memset (self->token, 0, strlen (self->token));
  g_clear_pointer (&self->token, g_free);
  if (!self->needs_login)
    {
      if (!_si_store_set_meta (self->store, META_NEEDS_LOGIN, "1", &error))
        {
          g_task_return_new_error (task, SI_SYNC_ERROR, SI_SYNC_ERROR_STORE, "%s", error->message);
          return;
        }
      set_needs_login (self, TRUE);
    }
  if ((env != NULL && *env != '\0') || self->token_for_testing)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  secret_password_clear (token_schema (), cancellable, forget_cleared, g_steal_pointer (&task),
                         "server", self->server_url, "username", self->username, NULL);
}

gboolean
si_account_forget_token_finish (SiAccount     *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Logout ----------------------------------------------------------------------------------- */

static void
logout_cleared (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SiAccount *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_debug ("Could not clear the keyring: %s", error->message);
  g_clear_pointer (&self->token, g_free);
  if (!save_account (self, NULL, NULL, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
logout_revoked (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SiAccount *self = g_task_get_source_object (task);
  g_autoptr(GBytes) bytes = result ? _si_http_send_and_read_finish (SOUP_SESSION (source), result, NULL) : NULL;

  if (bytes == NULL)
    g_debug ("The server was not reached; the token was not revoked there");
  secret_password_clear (token_schema (), NULL, logout_cleared, g_steal_pointer (&task),
                         "server", self->server_url, "username", self->username, NULL);
}

static void
logout_token (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SiAccount *self = g_task_get_source_object (task);
  g_autofree char *token = si_account_lookup_token_finish (self, result, NULL);
  g_autofree char *url = g_strconcat (self->server_url, "/api/v1/logout", NULL);
  g_autofree char *auth = NULL;
  SoupMessage *msg;

  if (token == NULL)
    {
      logout_revoked (NULL, NULL, g_steal_pointer (&task));
      return;
    }
  msg = soup_message_new (SOUP_METHOD_POST, url);
  auth = g_strconcat ("Bearer ", token, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  g_task_set_task_data (task, msg, g_object_unref);
  _si_http_send_and_read_async (self->session, msg, SI_WIRE_MAX_BYTES, NULL,
                                logout_revoked, g_steal_pointer (&task));
}

void
si_account_logout_async (SiAccount           *self,
                         gboolean             force,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  guint pending;

  g_return_if_fail (SI_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, si_account_logout_async);
  if (self->server_url == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  pending = si_store_count_pending (self->store, NULL);
  if (pending > 0 && !force)
    {
      g_task_return_new_error (task, SI_SYNC_ERROR, SI_SYNC_ERROR_UNSYNCED_CHANGES,
                               g_dngettext (GETTEXT_PACKAGE,
                                            "%u change is not synced yet. Sync first, or log out anyway: "
                                            "it stays in this notebook.",
                                            "%u changes are not synced yet. Sync first, or log out anyway: "
                                            "they stay in this notebook.", pending), pending);
      return;
    }
  si_account_lookup_token_async (self, cancellable, logout_token, g_steal_pointer (&task));
}

gboolean
si_account_logout_finish (SiAccount     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
si_account_set_for_testing (SiAccount   *self,
                            const char  *server_url,
                            const char  *username,
                            const char  *token,
                            GError     **error)
{
  g_autofree char *url = server_url ? normalise_url (server_url) : NULL;

  g_return_val_if_fail (SI_IS_ACCOUNT (self), FALSE);
  if (!save_account (self, url, username, error))
    return FALSE;
  g_free (self->token);
  self->token = g_strdup (token);
  self->token_for_testing = token != NULL;
  return TRUE;
}

/* GObject ---------------------------------------------------------------------------------- */

SiAccount *
si_account_new (SiStore *store)
{
  g_return_val_if_fail (SI_IS_STORE (store), NULL);
  return g_object_new (SI_TYPE_ACCOUNT, "store", store, NULL);
}

SiStore *si_account_get_store (SiAccount *self) { g_return_val_if_fail (SI_IS_ACCOUNT (self), NULL); return self->store; }
const char *si_account_get_server_url (SiAccount *self) { g_return_val_if_fail (SI_IS_ACCOUNT (self), NULL); return self->server_url; }
const char *si_account_get_username (SiAccount *self) { g_return_val_if_fail (SI_IS_ACCOUNT (self), NULL); return self->username; }
gboolean si_account_get_configured (SiAccount *self) { g_return_val_if_fail (SI_IS_ACCOUNT (self), FALSE); return self->server_url && self->username; }
gboolean si_account_get_needs_login (SiAccount *self) { g_return_val_if_fail (SI_IS_ACCOUNT (self), FALSE); return self->needs_login && si_account_get_configured (self); }

static void
si_account_constructed (GObject *object)
{
  SiAccount *self = SI_ACCOUNT (object);
  g_autofree char *url = NULL, *user = NULL, *needs_login = NULL;

  G_OBJECT_CLASS (si_account_parent_class)->constructed (object);
  url = _si_store_get_meta (self->store, META_SERVER_URL);
  user = _si_store_get_meta (self->store, META_USERNAME);
  needs_login = _si_store_get_meta (self->store, META_NEEDS_LOGIN);
  self->needs_login = g_strcmp0 (needs_login, "1") == 0;
  self->server_url = g_steal_pointer (&url);
  self->username = g_steal_pointer (&user);
}

static void
si_account_finalize (GObject *object)
{
  SiAccount *self = SI_ACCOUNT (object);

  g_clear_object (&self->store);
  g_clear_object (&self->session);
  g_free (self->server_url);
  g_free (self->username);
  if (self->token)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  G_OBJECT_CLASS (si_account_parent_class)->finalize (object);
}

static void
si_account_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SiAccount *self = SI_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_STORE: g_value_set_object (value, self->store); break;
    case PROP_SERVER_URL: g_value_set_string (value, self->server_url); break;
    case PROP_USERNAME: g_value_set_string (value, self->username); break;
    case PROP_CONFIGURED: g_value_set_boolean (value, si_account_get_configured (self)); break;
    case PROP_NEEDS_LOGIN: g_value_set_boolean (value, si_account_get_needs_login (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_account_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  SiAccount *self = SI_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_STORE: self->store = g_value_dup_object (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
si_account_class_init (SiAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = si_account_constructed;
  object_class->finalize = si_account_finalize;
  object_class->get_property = si_account_get_property;
  object_class->set_property = si_account_set_property;

  properties[PROP_STORE] = g_param_spec_object ("store", NULL, NULL, SI_TYPE_STORE,
                                                G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERVER_URL] = g_param_spec_string ("server-url", NULL, NULL, NULL,
                                                     G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USERNAME] = g_param_spec_string ("username", NULL, NULL, NULL,
                                                   G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONFIGURED] = g_param_spec_boolean ("configured", NULL, NULL, FALSE,
                                                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NEEDS_LOGIN] = g_param_spec_boolean ("needs-login", NULL, NULL, FALSE,
                                                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
si_account_init (SiAccount *self)
{
  self->session = soup_session_new_with_options ("timeout", 30, NULL);
}
