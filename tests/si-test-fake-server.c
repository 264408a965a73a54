/* si-test-fake-server.c — an in-process SoupServer in a thread of its own (see
 * si-test-fake-server.h). */
#define G_LOG_DOMAIN "saveidea-test"

#include "config.h"

#include <string.h>

#include "si-test-fake-server.h"

struct _SiTestFakeServer
{
  GMainContext *context;   /* the server's, run by thread */
  GMainLoop    *loop;
  GThread      *thread;
  SoupServer   *server;
  char         *url;
};

static gpointer
fake_server_thread (gpointer user_data)
{
  SiTestFakeServer *self = user_data;

  g_main_context_push_thread_default (self->context);
  g_main_loop_run (self->loop);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

SiTestFakeServer *
si_test_fake_server_start (SoupServerCallback handler,
                           gpointer           user_data)
{
  SiTestFakeServer *self = g_new0 (SiTestFakeServer, 1);

  g_assert_nonnull (handler);

  /* The server is made and listens here, before its thread exists, and is closed in
   * si_test_fake_server_stop once the thread has ended: only the thread touches it between. */
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  g_main_context_push_thread_default (self->context);
  self->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (self->server, NULL, handler, user_data, NULL);
  self->url = si_test_listen_local (self->server);
  g_main_context_pop_thread_default (self->context);

  self->thread = g_thread_new ("fake-server", fake_server_thread, self);
  return self;
}

char *
si_test_listen_local (SoupServer *server)
{
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;
  char *url;

  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  g_assert_nonnull (uris);
  url = g_uri_to_string (uris->data);
  if (g_str_has_suffix (url, "/"))
    url[strlen (url) - 1] = '\0';
  return url;
}

const char *
si_test_fake_server_get_url (SiTestFakeServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->url;
}

static gboolean
quit_loop (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

void
si_test_fake_server_stop (SiTestFakeServer *self)
{
  g_autoptr(GSource) quit = NULL;

  g_return_if_fail (self != NULL);

  /* Quit from inside the loop: a g_main_loop_quit() before the thread has entered
   * g_main_loop_run() would be lost, and the join would wait for ever. */
  quit = g_idle_source_new ();
  g_source_set_callback (quit, quit_loop, self->loop, NULL);
  g_source_attach (quit, self->context);
  g_thread_join (self->thread);

  g_main_context_push_thread_default (self->context);
  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);

  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_free (self->url);
  g_free (self);
}

/* Forwarding -------------------------------------------------------------------------------- */

/* Headers a proxy never passes on: Host (the session writes the upstream's), the hop-by-hop
 * ones (RFC 9110, 7.6.1), and those of the body's framing and encodings, which the proxy's
 * session and server write for the bytes they send (the session decodes what it receives). */
static const char * const not_forwarded[] = {
  "Host", "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Upgrade",
  "Transfer-Encoding", "Content-Length", "Content-Type", "Content-Encoding", "Accept-Encoding",
};

typedef struct {
  SoupMessageHeaders *to;
  const char * const *names;
} CopyHeaders;

/* Whether @name is among @names: the first @n_names, or up to the NULL for @n_names 0. */
static gboolean
name_in (const char         *name,
         const char * const *names,
         gsize               n_names)
{
  for (gsize i = 0; (n_names == 0 || i < n_names) && names[i] != NULL; i++)
    if (g_ascii_strcasecmp (name, names[i]) == 0)
      return TRUE;
  return FALSE;
}

static void
copy_header (const char *name,
             const char *value,
             gpointer    user_data)
{
  CopyHeaders *copy = user_data;

  if (copy->names != NULL ? !name_in (name, copy->names, 0)
                          : name_in (name, not_forwarded, G_N_ELEMENTS (not_forwarded)))
    return;
  soup_message_headers_append (copy->to, name, value);
}

static void
copy_headers (SoupMessageHeaders *from,
              SoupMessageHeaders *to,
              const char * const *names)
{
  CopyHeaders copy = { to, names };

  soup_message_headers_foreach (from, copy_header, &copy);
}

SoupMessage *
si_test_forward_request (SoupServerMessage  *msg,
                         const char         *upstream,
                         const char * const *headers)
{
  GUri *uri = soup_server_message_get_uri (msg);
  SoupMessageHeaders *in = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  const char *query = g_uri_get_query (uri);
  g_autofree char *target = g_strdup_printf ("%s%s%s%s", upstream, g_uri_get_path (uri),
                                             query ? "?" : "", query ? query : "");
  SoupMessage *out = soup_message_new (soup_server_message_get_method (msg), target);

  g_assert_nonnull (out);
  copy_headers (in, soup_message_get_request_headers (out), headers);
  if (body->length > 0)
    {
      g_autoptr(GBytes) bytes = soup_message_body_flatten (body);

      soup_message_set_request_body_from_bytes (out, soup_message_headers_get_content_type (in, NULL), bytes);
    }
  return out;
}

void
si_test_forward_answer (SoupServerMessage  *msg,
                        SoupMessage        *upstream,
                        GBytes             *answer,
                        const char * const *headers)
{
  SoupMessageHeaders *from = soup_message_get_response_headers (upstream);
  const char *content_type;

  if (answer == NULL)
    {
      soup_server_message_set_status (msg, 502, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{}", 2);
      return;
    }
  content_type = soup_message_headers_get_content_type (from, NULL);
  soup_server_message_set_status (msg, soup_message_get_status (upstream), NULL);
  copy_headers (from, soup_server_message_get_response_headers (msg), headers);
  soup_server_message_set_response (msg, content_type ? content_type : "application/json", SOUP_MEMORY_COPY,
                                    g_bytes_get_data (answer, NULL), g_bytes_get_size (answer));
}

typedef struct {
  SoupSession        *session;   /* the caller's: it outlives the forwarding */
  SoupServerMessage  *msg;
  SoupMessage        *upstream;
  const char * const *headers;
  SiTestForwardFunc   func;
  gpointer            user_data;
  GDestroyNotify      destroy;
} Forward;

static void
forward_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Forward *f = user_data;
  g_autoptr(GBytes) answer = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  if (f->func != NULL && !f->func (f->upstream, answer, f->user_data))
    g_clear_pointer (&answer, g_bytes_unref);
  si_test_forward_answer (f->msg, f->upstream, answer, f->headers);
  soup_server_message_unpause (f->msg);
  if (f->destroy != NULL)
    f->destroy (f->user_data);
  g_object_unref (f->msg);
  g_object_unref (f->upstream);
  g_free (f);
}

static gboolean
forward_send (gpointer user_data)
{
  Forward *f = user_data;

  soup_session_send_and_read_async (f->session, f->upstream, G_PRIORITY_DEFAULT, NULL, forward_done, f);
  return G_SOURCE_REMOVE;
}

void
si_test_forward_async (SoupSession        *session,
                       SoupServerMessage  *msg,
                       SoupMessage        *upstream,
                       guint               delay_ms,
                       const char * const *headers,
                       SiTestForwardFunc   func,
                       gpointer            user_data,
                       GDestroyNotify      destroy)
{
  Forward *f = g_new0 (Forward, 1);

  f->session = session;
  f->msg = g_object_ref (msg);
  f->upstream = upstream;
  f->headers = headers;
  f->func = func;
  f->user_data = user_data;
  f->destroy = destroy;
  soup_server_message_pause (msg);
  if (delay_ms > 0)
    {
      g_autoptr(GSource) later = g_timeout_source_new (delay_ms);
      g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

      g_source_set_callback (later, forward_send, f, NULL);
      g_source_attach (later, context);
    }
  else
    forward_send (f);
}
