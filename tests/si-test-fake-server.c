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
