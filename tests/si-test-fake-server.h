/* si-test-fake-server.h — an in-process SoupServer, in a thread of its own, for tests that
 * need a server which misbehaves on purpose (answers nested 100,000 deep, a feed that never
 * ends, a body that never ends).
 *
 * The server listens on 127.0.0.1 with port 0 and answers from its own thread and main
 * context, so the test's main context (or a saveidea-cli child the test waits for) can block
 * while it answers. @handler is called in that thread for every path: whatever it shares with
 * the test must be set before start or read with atomics.
 *
 *   g_autoptr(SiTestFakeServer) fake = si_test_fake_server_start (handle, data);
 *   run_client (si_test_fake_server_get_url (fake));
 *
 * A server whose handler must run on the test's own main context (one that waits for a
 * GSource of the test, or pauses messages the test unpauses) is no fit: use a plain
 * SoupServer there.
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _SiTestFakeServer SiTestFakeServer;

SiTestFakeServer *si_test_fake_server_start   (SoupServerCallback  handler,
                                               gpointer            user_data);
/* "http://127.0.0.1:PORT", without a trailing slash. */
const char       *si_test_fake_server_get_url (SiTestFakeServer   *self);
/* Stops the thread, closes every connection and frees @self. */
void              si_test_fake_server_stop    (SiTestFakeServer   *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SiTestFakeServer, si_test_fake_server_stop)

/* Makes @server (a plain SoupServer, with its handlers) listen on 127.0.0.1 at a free port, in
 * the thread-default main context, and returns its "http://127.0.0.1:PORT" without a trailing
 * slash. The fake server above uses it too. */
char             *si_test_listen_local        (SoupServer         *server);

/* Forwarding to a real server, as a proxy in front of saveidea-server does ------------------ *
 *
 * @headers names the headers passed on, both ways (NULL-terminated, any case): a proxy that
 * plays an older server passes only those it knew. NULL passes every end-to-end header: all
 * but Host, the hop-by-hop ones, the body's length and encodings (the proxy's session makes
 * its own). The body's content type always goes with the body. @headers and the session must
 * outlive the forwarding (a static array). */

/* The request @msg (method, path, query, body) made for @upstream ("http://127.0.0.1:PORT"). */
SoupMessage      *si_test_forward_request     (SoupServerMessage  *msg,
                                               const char         *upstream,
                                               const char * const *headers);
/* Answers @msg with the answer of @upstream: its status, headers and @answer's bytes; for a
 * NULL @answer, a 502 with "{}" (no answer came, or the test loses it). */
void              si_test_forward_answer      (SoupServerMessage  *msg,
                                               SoupMessage        *upstream,
                                               GBytes             *answer,
                                               const char * const *headers);

/* Sees the answer of a forwarded request (@answer NULL: none came) before it is passed on;
 * FALSE loses it (a 502 instead, as when the connection drops after the server applied the
 * request). */
typedef gboolean (*SiTestForwardFunc)         (SoupMessage        *upstream,
                                               GBytes             *answer,
                                               gpointer            user_data);

/* The whole forwarding of @msg, in the thread-default main context: @msg paused, @upstream
 * (si_test_forward_request()'s, taken) sent through @session @delay_ms later (0: now), its
 * answer shown to @func (nullable), passed on or lost, and @msg unpaused. @destroy (nullable)
 * frees @user_data after @func. */
void              si_test_forward_async       (SoupSession        *session,
                                               SoupServerMessage  *msg,
                                               SoupMessage        *upstream,
                                               guint               delay_ms,
                                               const char * const *headers,
                                               SiTestForwardFunc   func,
                                               gpointer            user_data,
                                               GDestroyNotify      destroy);

G_END_DECLS
