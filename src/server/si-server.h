/* si-server.h — the HTTP side of saveidea-server: SoupServer, routing, handlers. */
#pragma once

#include <gio/gio.h>

#include "si-server-listener.h"
#include "si-server-storage.h"

G_BEGIN_DECLS

#define SI_SERVER_VERSION_STRING "0.1.0"
#define SI_SERVER_DEFAULT_MAX_BODY_BYTES (8 * 1024 * 1024)

#define SI_TYPE_SERVER (si_server_get_type ())
G_DECLARE_FINAL_TYPE (SiServer, si_server, SI, SERVER, GObject)

/* @storage: the first database connection. Requests run on worker threads, one per
 * connection; add more with si_server_add_connection(). */
SiServer *si_server_new             (SiServerStorage      *storage,
                                     gsize                 max_body_bytes);
/* Peers (IP addresses, e.g. "127.0.0.1") that are reverse proxies: for them the client's
 * address, which login throttling counts, is the last one in X-Forwarded-For. */
void      si_server_set_trusted_proxies (SiServer           *self,
                                         const char * const *addresses);
/* Another connection to the same database (same instance id), and one more worker thread. */
void      si_server_add_connection  (SiServer             *self,
                                     SiServerStorage      *storage);

/* The connection cap and timeouts (si-server-listener.h); before the first si_server_listen(). */
void      si_server_set_limits      (SiServer             *self,
                                     const SiServerLimits *limits);
/* @address: "HOST:PORT" with an IP address as HOST ("127.0.0.1:8080", "[::1]:0",
 * "0.0.0.0:8080"); "localhost" means 127.0.0.1. Port 0 picks a free port. With @certificate,
 * serves HTTPS. Returns the URL listened on, e.g. "http://127.0.0.1:41234". */
char     *si_server_listen          (SiServer             *self,
                                     const char           *address,
                                     GTlsCertificate      *certificate,
                                     GError              **error);

/* Graceful shutdown: new requests get 503, requests in flight finish (at most @timeout_seconds),
 * then the listening sockets and connections close. */
void      si_server_shutdown_async  (SiServer             *self,
                                     guint                 timeout_seconds,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data);
gboolean  si_server_shutdown_finish (SiServer             *self,
                                     GAsyncResult         *result,
                                     GError              **error);

G_END_DECLS
