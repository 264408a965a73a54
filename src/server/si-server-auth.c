/* si-server-auth.c — bearer tokens, and the address a request comes from. */
#define G_LOG_DOMAIN "saveidea-server"

#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "si-password.h"
#include "si-server-private.h"

/* ---------------------------------------------------------------------------------------- */
/* bearer tokens (main loop) */

static gboolean
token_is_well_formed (const char *token)
{
  if (strlen (token) != 64)
    return FALSE;
  for (guint i = 0; i < 64; i++)
    if (!g_ascii_isxdigit (token[i]) || g_ascii_isupper (token[i]))
      return FALSE;
  return TRUE;
}

/* The request's bearer token if it is well formed, else NULL (a 401 later). */
char *
_si_server_read_bearer_token (SoupServerMessage *msg)
{
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                     "Authorization");
  const char *token;

  if (header == NULL || g_ascii_strncasecmp (header, "Bearer ", 7) != 0)
    return NULL;
  token = header + 7;
  while (*token == ' ')
    token++;
  return token_is_well_formed (token) ? g_strdup (token) : NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* authentication (worker) */

/* The account id of the request's bearer token, or 0 after answering 401 (or 503). Tokens are
 * looked up on every request, not cached: a token revoked by `user passwd` or by another
 * instance stops working at once. */
gint64
_si_server_authenticate (Request         *request,
                         SiServerStorage *storage,
                         char           **out_token_hash)
{
  g_autofree char *hash = NULL;
  g_autoptr(GError) error = NULL;
  gint64 account_id = 0;

  if (request->token != NULL)
    {
      hash = si_token_hash (request->token);
      account_id = si_server_storage_token_lookup (storage, hash, &error);
      if (error != NULL)
        {
          _si_server_respond_error (&request->reply, error, NULL, storage);
          return 0;
        }
    }

  if (account_id <= 0)
    {
      _si_server_reply_set_header (&request->reply, "WWW-Authenticate", "Bearer realm=\"saveidea\"");
      _si_server_respond_problem (&request->reply, SOUP_STATUS_UNAUTHORIZED, "unauthorized", NULL,
                                  "This needs a valid bearer token; log in again");
      return 0;
    }
  if (out_token_hash)
    *out_token_hash = g_steal_pointer (&hash);
  return account_id;
}

/* ---------------------------------------------------------------------------------------- */
/* the client's address (for login throttling) */

/* The client a request comes from: its peer, or, when the peer is a trusted reverse proxy, the
 * address that proxy appended to X-Forwarded-For (the last one: those before it are the
 * client's to write). Behind a proxy every peer is the proxy, and one client's failed logins
 * would lock every client out. */
char *
_si_server_client_address (SiServer          *self,
                           SoupServerMessage *msg)
{
  GSocketAddress *peer = soup_server_message_get_remote_address (msg);
  GInetAddress *peer_inet = G_IS_INET_SOCKET_ADDRESS (peer)
                            ? g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (peer)) : NULL;
  const char *forwarded;

  if (peer_inet == NULL)
    return g_strdup (soup_server_message_get_remote_host (msg));
  for (guint i = 0; i < self->trusted_proxies->len; i++)
    if (g_inet_address_equal (peer_inet, g_ptr_array_index (self->trusted_proxies, i)))
      {
        forwarded = soup_message_headers_get_list (soup_server_message_get_request_headers (msg),
                                                   "X-Forwarded-For");
        if (forwarded != NULL)
          {
            const char *last = strrchr (forwarded, ',');
            g_autofree char *text = g_strstrip (g_strdup (last ? last + 1 : forwarded));
            g_autoptr(GInetAddress) client = g_inet_address_new_from_string (text);

            if (client != NULL)
              return g_inet_address_to_string (client);
          }
        break;
      }
  return g_inet_address_to_string (peer_inet);
}
