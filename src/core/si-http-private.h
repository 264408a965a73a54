/* si-http-private.h — how the client reads a server's answer (si-sync-engine.c, si-account.c). */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Like soup_session_send_and_read_async(), but reads at most @max_bytes of the body (the
 * callers pass %SI_WIRE_MAX_BYTES): a longer answer fails with G_IO_ERROR_MESSAGE_TOO_LARGE as
 * soon as it passes the limit, and the connection is dropped rather than read to its end, so
 * a hostile server cannot make the client hold more. */
void    _si_http_send_and_read_async  (SoupSession          *session,
                                       SoupMessage          *msg,
                                       gsize                 max_bytes,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
GBytes *_si_http_send_and_read_finish (SoupSession          *session,
                                       GAsyncResult         *result,
                                       GError              **error);

G_END_DECLS
