/* si-server-listener.h — saveidea-server's connections: accepting them, capping them, timing
 * them out, and handing them to a SoupServer.
 *
 * libsoup's own listener stops accepting for good after one failed accept() (EMFILE), and
 * never times out an idle or slow client. This one accepts on its own GSocket source: after
 * a failed accept() it pauses briefly and tries again; beyond a cap it answers 503 and closes;
 * and each connection runs one deadline (idle, headers, body) that shuts its socket down when
 * it passes.
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define SI_SERVER_DEFAULT_MAX_CONNECTIONS 1000
#define SI_SERVER_DEFAULT_IDLE_TIMEOUT    60
#define SI_SERVER_DEFAULT_HEADER_TIMEOUT  20
#define SI_SERVER_DEFAULT_BODY_TIMEOUT    60
/* After the body timeout, a body must keep arriving at this average rate (bytes per second). */
#define SI_SERVER_MIN_BODY_RATE           1024

typedef struct {
  guint max_connections; /* 0: SI_SERVER_DEFAULT_MAX_CONNECTIONS, at most 3/4 of RLIMIT_NOFILE */
  guint idle_timeout;    /* seconds without a request in progress (after accept, between requests) */
  guint header_timeout;  /* seconds from a request's first byte to its last header (and TLS handshake) */
  guint body_timeout;    /* seconds for a body, plus one per SI_SERVER_MIN_BODY_RATE bytes received */
} SiServerLimits;

/* The defaults above. */
void               si_server_limits_init_default   (SiServerLimits        *limits);
/* What max_connections = 0 stands for with the current RLIMIT_NOFILE. */
guint              si_server_limits_auto_max_connections (void);

#define SI_TYPE_SERVER_LISTENER (si_server_listener_get_type ())
G_DECLARE_FINAL_TYPE (SiServerListener, si_server_listener, SI, SERVER_LISTENER, GObject)

/* Hands the connections it accepts to @soup (soup_server_accept_iostream()), which must have
 * no listening socket of its own. */
SiServerListener  *si_server_listener_new          (SoupServer            *soup,
                                                    const SiServerLimits  *limits);
/* Binds and listens on @address (port 0: a free port), serving HTTPS with @certificate.
 * Returns the address listened on. */
GSocketAddress    *si_server_listener_listen       (SiServerListener      *self,
                                                    GSocketAddress        *address,
                                                    GTlsCertificate       *certificate,
                                                    GError               **error);
/* Closes the listening sockets (open connections stay, for the SoupServer to close). */
void               si_server_listener_stop         (SiServerListener      *self);

G_END_DECLS
