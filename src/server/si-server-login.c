/* si-server-login.c — POST /api/v1/login: the throttled password check and a new token. */
#define G_LOG_DOMAIN "saveidea-server"

#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "si-password.h"
#include "si-server-private.h"

/* ---------------------------------------------------------------------------------------- */
/* login: count the attempt (si-server-throttle.c), look the account up (worker), verify the
 * password (Argon2id, after the throttling delay and its turn), store a new token (worker) */

typedef struct {
  char                 *username;
  char                 *password;
  char                 *password_hash;
  char                 *client;
  SiServerLoginAttempt *attempt;  /* until it is ended */
  gint64                account_id;
  char                 *token;
} Login;

static void
login_free (Login *login)
{
  /* Ended without a check (the database failed, the client went away): counts nothing. */
  if (login->attempt != NULL)
    si_server_login_attempt_end (g_steal_pointer (&login->attempt), SI_SERVER_LOGIN_ABANDONED);
  g_free (login->username);
  if (login->password != NULL)
    memset (login->password, 0, strlen (login->password));
  g_free (login->password);
  g_free (login->password_hash);
  g_free (login->client);
  g_free (login->token);
  g_free (login);
}

static void
login_store_token_run (Request         *request,
                       SiServerStorage *storage)
{
  Login *login = request->data;
  g_autofree char *hash = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  login->token = si_token_new ();
  hash = si_token_hash (login->token);
  if (!si_server_storage_token_add (storage, login->account_id, hash, &error))
    {
      _si_server_respond_error (&request->reply, error, NULL, storage);
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, login->token);
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, login->username);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  _si_server_respond_json (&request->reply, SOUP_STATUS_OK, node);
}

static void
login_verified (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(Request) request = user_data;
  Login *login = request->data;
  gboolean ok;

  /* Counted even if the client went away meanwhile: the password was checked. */
  ok = si_password_verify_finish (result, NULL) && login->account_id > 0;
  si_server_login_attempt_end (g_steal_pointer (&login->attempt),
                               ok ? SI_SERVER_LOGIN_SUCCEEDED : SI_SERVER_LOGIN_FAILED);

  if (request->finished)
    return;  /* the client went away */

  if (ok)
    {
      _si_server_request_dispatch (g_steal_pointer (&request), login_store_token_run, NULL, FALSE);
      return;
    }

  g_debug ("Failed login for %s from %s", login->username, login->client);
  _si_server_respond_problem (&request->reply, SOUP_STATUS_UNAUTHORIZED, "unauthorized", NULL,
                              "The user name or the password is wrong");
  _si_server_request_send_reply (g_steal_pointer (&request));
}

static gboolean
login_start_verify (gpointer user_data)
{
  Request *request = user_data;
  Login *login = request->data;

  if (request->finished)
    {
      _si_server_request_free (request);  /* ends the attempt unchecked */
      return G_SOURCE_REMOVE;
    }
  si_password_verify_async (login->password_hash, login->password, NULL, login_verified, request);
  return G_SOURCE_REMOVE;
}

static void
login_lookup_run (Request         *request,
                  SiServerStorage *storage)
{
  Login *login = request->data;
  g_autoptr(GError) error = NULL;

  /* An unknown name goes on to the same Argon2id work (with a NULL hash) and the same 401. */
  login->password_hash = si_server_storage_account_lookup (storage, login->username,
                                                           &login->account_id, &error);
  if (login->password_hash == NULL &&
      !g_error_matches (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_NOT_FOUND))
    _si_server_respond_error (&request->reply, error, NULL, storage);
}

static void
login_looked_up (Request *request)
{
  Login *login = request->data;
  guint delay = si_server_login_attempt_get_delay (login->attempt);

  if (request->reply.status != 0 || request->finished)
    {
      _si_server_request_send_reply (request);
      return;
    }

  if (delay > 0)
    g_debug ("Delaying a login for %s from %s by %u ms", login->username, login->client, delay);
  si_server_login_attempt_when_ready (login->attempt, login_start_verify, request);
}

void
_si_server_handle_login (SiServer          *self,
                         SoupServerMessage *msg,
                         Reply             *reply)
{
  static const char * const known[] = { "username", "password", NULL };
  g_autofree char *client = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  Request *request;
  Login *login;
  JsonObject *object;
  JsonObjectIter iter;
  const char *member;
  JsonNode *value;
  const char *username;
  const char *password;
  SiServerLoginAttempt *attempt;
  guint retry_after = 0;

  body = _si_server_read_body (self, msg, reply);
  if (body == NULL)
    return;
  root = _si_server_parse_body (body, reply);
  if (root == NULL)
    return;
  object = json_node_get_object (root);

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &member, &value))
    if (!g_strv_contains (known, member))
      {
        g_autofree char *shown = g_utf8_make_valid (member, -1);
        _si_server_respond_problem (reply, SOUP_STATUS_BAD_REQUEST, "invalid_field", NULL,
                                    "Field “%s” is unknown", shown);
        return;
      }
  for (guint i = 0; known[i]; i++)
    {
      value = json_object_get_member (object, known[i]);
      if (value == NULL || !JSON_NODE_HOLDS_VALUE (value) ||
          json_node_get_value_type (value) != G_TYPE_STRING)
        {
          _si_server_respond_problem (reply, SOUP_STATUS_BAD_REQUEST, "invalid_field", NULL,
                                      "Field “%s” %s", known[i], value ? "must be a string" : "is missing");
          return;
        }
    }
  username = json_object_get_string_member (object, "username");
  password = json_object_get_string_member (object, "password");
  if (!g_utf8_validate (username, -1, NULL) || !g_utf8_validate (password, -1, NULL))
    {
      _si_server_respond_problem (reply, SOUP_STATUS_BAD_REQUEST, "invalid_json", NULL,
                                  "The body is not valid UTF-8");
      return;
    }

  /* A name no account can have is refused before it is kept, counted, hashed or looked up
   * (it could be megabytes long). */
  if (!si_server_account_name_is_valid (username))
    {
      _si_server_respond_problem (reply, SOUP_STATUS_BAD_REQUEST, "invalid_field", NULL,
                                  "Field “username” cannot be an account name: 1 to %d characters "
                                  "without spaces, “/” or “:”", SI_SERVER_ACCOUNT_NAME_MAX_CHARS);
      return;
    }

  client = _si_server_client_address (self, msg);
  attempt = si_server_throttle_begin (self->throttle, client, username, &retry_after);
  if (attempt == NULL)
    {
      g_autofree char *retry = g_strdup_printf ("%u", retry_after);

      _si_server_reply_set_header (reply, "Retry-After", retry);
      _si_server_respond_problem (reply, 429, "too_many_requests", NULL,
                                  "Too many logins from your address; try again in %s seconds", retry);
      return;
    }

  login = g_new0 (Login, 1);
  login->username = g_strdup (username);
  login->password = g_strdup (password);
  login->client = g_steal_pointer (&client);
  login->attempt = attempt;

  request = _si_server_request_new (self, msg, KIND_LOGIN);
  request->data = login;
  request->data_free = (GDestroyNotify) login_free;
  _si_server_request_dispatch (request, login_lookup_run, login_looked_up, TRUE);
}
