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

G_END_DECLS
