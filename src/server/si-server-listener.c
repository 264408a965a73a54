/* si-server-listener.c — accepting, capping and timing out saveidea-server's connections.
 *
 * Each accepted connection is a Conn, keyed by the remote GSocketAddress handed to
 * soup_server_accept_iostream(): libsoup gives that very object back from
 * soup_server_message_get_remote_address(), which is how a SoupServer signal finds its Conn
 * (soup_server_message_get_socket() is NULL for streams handed in this way). A Conn lives as
 * long as its GSocket (a weak reference): when the socket is finalized its descriptor is
 * released, and the count the cap checks goes down.
 *
 * One deadline per connection, which moves with the connection's state; a timer checks them
 * all once a second while there are connections (a GSource per connection would wake the main
 * loop at every change of its ready time, several times per request):
 *   HANDSHAKE  TLS handshake                          header timeout
 *   IDLE       no request in progress                 idle timeout; the first byte -> HEADERS
 *   HEADERS    request line and headers               header timeout from the first byte
 *   BODY       request body                           body timeout + 1 s per MIN_BODY_RATE bytes
 *   HANDLING   the handler runs, the response is sent none
 * When it passes, the socket is shut down: libsoup reads EOF and closes the connection.
 *
 * Connections are kept alive between requests (HTTP/1.1, unless either side says "Connection:
 * close"): libsoup is lent each request as a connection of its own (si-server-keep-stream.c
 * says why), and between two requests the connection is the listener's alone, IDLE, until the
 * next request's first byte comes (then libsoup is lent it again) or the idle timeout closes it.
 * A kept connection counts against the cap like any other.
 */
#define G_LOG_DOMAIN "saveidea-server"

#include "config.h"

#include <sys/resource.h>
#include <gio/gnetworking.h>
#include <glib-unix.h>

#include "si-server-keep-stream.h"
#include "si-server-listener.h"

/* GLib's default listen backlog (10) drops connections when a few hundred clients connect at
 * once, and they come back only after SYN retransmits (1 s, 3 s, ...). */
#define LISTEN_BACKLOG      1024
/* After a failed accept() (EMFILE, ENFILE, ENOBUFS, ENOMEM...), wait this long before the next. */
#define ACCEPT_PAUSE_MS     100
#define ACCEPTS_PER_WAKEUP  64
#define NO_DEADLINE         G_MAXINT64

static const char refusal[] =
  "HTTP/1.1 503 Service Unavailable\r\n"
  "Content-Type: application/json\r\n"
  "Retry-After: 1\r\n"
  "Connection: close\r\n"
  "Content-Length: 80\r\n"
  "\r\n"
  "{\"error\":\"unavailable\",\"message\":\"Too many connections; try again in a moment\"}\n";

typedef enum {
  CONN_HANDSHAKE,
  CONN_IDLE,
  CONN_HEADERS,
  CONN_BODY,
  CONN_HANDLING,
  CONN_CLOSING,
} ConnState;

typedef struct {
  SiServerListener  *listener;
  GSocket           *socket;       /* weak: finalized when the descriptor is released */
  GSocketAddress    *remote;       /* the key in listener->conns */
  GSocketAddress    *local;
  GIOStream         *handshaking;  /* the GTlsServerConnection until its handshake is over */
  GCancellable      *cancellable;  /* the handshake's */
  gint64             deadline;     /* monotonic µs, or NO_DEADLINE */
  GSource           *readable;     /* while IDLE: the next request's first byte */
  SoupServerMessage *msg;          /* weak: the request being read */
  gulong             got_headers_id;
  gulong             got_chunk_id;
  ConnState          state;
  gint64             body_start;   /* monotonic µs */
  guint64            body_bytes;
  GIOStream         *stream;       /* the real stream (TCP or TLS) once handed over, or NULL */
  SiServerKeepCarry *carry;        /* what was read of it and not given to a request yet */
  SiServerKeepStream *lent;        /* weak: the stream libsoup serves the current request on */
  GSource           *next;         /* the next request waits in the carry */
  gboolean           keep;         /* the request on @lent ended so that another may follow */
} Conn;

typedef struct {
  GSocket *socket;
  GSource *source;
} Listening;

struct _SiServerListener
{
  GObject          parent_instance;

  SoupServer      *soup;
  GTlsCertificate *certificate;
  SiServerLimits   limits;
  guint            max_connections;  /* limits.max_connections, or the automatic one */

  GPtrArray       *listening;        /* Listening */
  guint            pause_id;
  guint            accept_failures;  /* in the current run of failed accept() calls */
  gboolean         at_cap;
  gboolean         stopping;         /* keep no connection alive any more */

  GHashTable      *conns;            /* GSocketAddress (remote) -> Conn */
  guint            n_connections;
  guint            sweep_id;         /* checks the deadlines while there are connections */

  gulong           started_id;
  gulong           read_id;
  gulong           finished_id;
  gulong           aborted_id;
};

G_DEFINE_FINAL_TYPE (SiServerListener, si_server_listener, G_TYPE_OBJECT)

static GQuark conn_quark;

/* ---------------------------------------------------------------------------------------- */
/* limits */

void
si_server_limits_init_default (SiServerLimits *limits)
{
  g_return_if_fail (limits != NULL);

  limits->max_connections = 0;
  limits->idle_timeout = SI_SERVER_DEFAULT_IDLE_TIMEOUT;
  limits->header_timeout = SI_SERVER_DEFAULT_HEADER_TIMEOUT;
  limits->body_timeout = SI_SERVER_DEFAULT_BODY_TIMEOUT;
}

/* Connections the open-files limit leaves room for: a quarter of the descriptors stay for the
 * database, the log and the main loop's own. */
static guint
descriptor_budget (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return G_MAXUINT;
  return (guint) MIN (limit.rlim_cur - limit.rlim_cur / 4, G_MAXUINT);
}

guint
si_server_limits_auto_max_connections (void)
{
  return CLAMP (descriptor_budget (), 1, SI_SERVER_DEFAULT_MAX_CONNECTIONS);
}

/* ---------------------------------------------------------------------------------------- */
/* one connection */

static void
conn_set_deadline (Conn  *conn,
                   guint  seconds)
{
  conn->deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
}

static void
conn_forget_msg (Conn *conn)
{
  if (conn->msg == NULL)
    return;
  g_clear_signal_handler (&conn->got_headers_id, conn->msg);
  g_clear_signal_handler (&conn->got_chunk_id, conn->msg);
  g_object_remove_weak_pointer (G_OBJECT (conn->msg), (gpointer *) &conn->msg);
  conn->msg = NULL;
}

static void
conn_unlend (Conn *conn)
{
  if (conn->lent == NULL)
    return;
  g_object_remove_weak_pointer (G_OBJECT (conn->lent), (gpointer *) &conn->lent);
  conn->lent = NULL;
}

static void
conn_stop_waiting (Conn *conn)
{
  if (conn->readable != NULL)
    g_source_destroy (conn->readable);
  g_clear_pointer (&conn->readable, g_source_unref);
  if (conn->next != NULL)
    g_source_destroy (conn->next);
  g_clear_pointer (&conn->next, g_source_unref);
}

static void
conn_free (Conn *conn)
{
  conn_forget_msg (conn);
  conn_stop_waiting (conn);
  if (conn->lent != NULL)
    {
      /* libsoup still serves a request on it: closing it now closes the real stream. */
      si_server_keep_stream_disown (conn->lent);
      conn_unlend (conn);
    }
  g_clear_pointer (&conn->carry, si_server_keep_carry_unref);
  g_clear_object (&conn->stream);
  g_clear_object (&conn->cancellable);
  g_clear_object (&conn->handshaking);
  g_clear_object (&conn->remote);
  g_clear_object (&conn->local);
  g_free (conn);
}

static void conn_socket_gone (gpointer  user_data,
                              GObject  *where_the_socket_was);

/* Forgets @conn (its socket stays as it is). */
static void
conn_detach (Conn *conn)
{
  SiServerListener *self = conn->listener;

  g_object_weak_unref (G_OBJECT (conn->socket), conn_socket_gone, conn);
  g_object_set_qdata (G_OBJECT (conn->socket), conn_quark, NULL);
  g_hash_table_remove (self->conns, conn->remote);
  g_assert (self->n_connections > 0);
  self->n_connections--;
  conn_free (conn);
}

static void
listener_connection_closed (SiServerListener *self)
{
  if (self->at_cap && self->n_connections < self->max_connections)
    {
      self->at_cap = FALSE;
      g_message ("Below %u connections again: accepting new ones", self->max_connections);
    }
}

/* The socket is being finalized: its descriptor is released. */
static void
conn_socket_gone (gpointer  user_data,
                  GObject  *where_the_socket_was)
{
  Conn *conn = user_data;
  SiServerListener *self = conn->listener;

  g_hash_table_remove (self->conns, conn->remote);
  g_assert (self->n_connections > 0);
  self->n_connections--;
  conn_free (conn);
  listener_connection_closed (self);
}

/* Closes the real stream and lets it go: @conn may be gone when this returns. */
static void
conn_shut (Conn *conn)
{
  g_autoptr(GIOStream) stream = g_steal_pointer (&conn->stream);

  conn->state = CONN_CLOSING;
  conn->deadline = NO_DEADLINE;
  conn_stop_waiting (conn);
  g_clear_pointer (&conn->carry, si_server_keep_carry_unref);
  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
}

/* Closes @conn for the reason @why: @conn may be gone when this returns. */
static void
conn_close (Conn       *conn,
            const char *why)
{
  g_autofree char *peer = NULL;

  if (G_IS_INET_SOCKET_ADDRESS (conn->remote))
    peer = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (conn->remote)));
  g_debug ("Closing the connection from %s: %s", peer ? peer : "?", why);

  conn->state = CONN_CLOSING;
  conn->deadline = NO_DEADLINE;
  conn_stop_waiting (conn);
  if (conn->cancellable != NULL)
    g_cancellable_cancel (conn->cancellable);
  /* libsoup (or the handshake) reads EOF and closes the connection; a kept connection between
   * two requests is nobody's but ours. */
  g_socket_shutdown (conn->socket, TRUE, TRUE, NULL);
  if (conn->lent == NULL && conn->stream != NULL)
    conn_shut (conn);
}

static void
conn_deadline_passed (Conn *conn)
{
  switch (conn->state)
    {
    case CONN_HANDSHAKE:
      conn_close (conn, "no TLS handshake within the header timeout");
      break;
    case CONN_IDLE:
      conn_close (conn, "idle for the idle timeout");
      break;
    case CONN_HEADERS:
      conn_close (conn, "the request headers took longer than the header timeout");
      break;
    case CONN_BODY:
      conn_close (conn, "the request body came too slowly");
      break;
    case CONN_HANDLING:
    case CONN_CLOSING:
    default:
      conn->deadline = NO_DEADLINE;
      break;
    }
}

static gboolean
sweep (gpointer user_data)
{
  SiServerListener *self = user_data;
  gint64 now = g_get_monotonic_time ();
  g_autoptr(GPtrArray) passed = NULL;
  GHashTableIter iter;
  Conn *conn;

  if (g_hash_table_size (self->conns) == 0)
    {
      self->sweep_id = 0;
      return G_SOURCE_REMOVE;
    }
  /* Closing a kept connection forgets it: the table changes. Each closes only itself. */
  g_hash_table_iter_init (&iter, self->conns);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &conn))
    if (conn->deadline <= now)
      {
        if (passed == NULL)
          passed = g_ptr_array_new ();
        g_ptr_array_add (passed, conn);
      }
  for (guint i = 0; passed != NULL && i < passed->len; i++)
    conn_deadline_passed (g_ptr_array_index (passed, i));
  return G_SOURCE_CONTINUE;
}

static void
conn_enter_headers (Conn *conn)
{
  if (conn->state != CONN_IDLE)
    return;
  conn->state = CONN_HEADERS;
  conn_set_deadline (conn, conn->listener->limits.header_timeout);
}

static void conn_lend (Conn *conn);

static gboolean
conn_readable (int          fd,
               GIOCondition condition,
               gpointer     user_data)
{
  Conn *conn = user_data;

  /* Also when libsoup has closed the socket (G_IO_NVAL): the watch is over either way. */
  g_clear_pointer (&conn->readable, g_source_unref);
  if (g_socket_is_closed (conn->socket))
    return G_SOURCE_REMOVE;
  conn_enter_headers (conn);
  /* A kept connection: its next request (or its end, which libsoup reads and closes). */
  if (conn->lent == NULL && conn->stream != NULL && conn->state == CONN_HEADERS)
    conn_lend (conn);
  return G_SOURCE_REMOVE;
}

static void
conn_enter_idle (Conn *conn)
{
  if (conn->state == CONN_CLOSING)
    return;
  conn->state = CONN_IDLE;
  conn_set_deadline (conn, conn->listener->limits.idle_timeout);
  if (conn->readable == NULL && !g_socket_is_closed (conn->socket))
    {
      /* A descriptor watch, not g_socket_create_source(): that would hold the socket. */
      conn->readable = g_unix_fd_source_new (g_socket_get_fd (conn->socket), G_IO_IN);
      g_source_set_callback (conn->readable, G_SOURCE_FUNC (conn_readable), conn, NULL);
      g_source_attach (conn->readable, g_main_context_get_thread_default ());
    }
}

/* ---------------------------------------------------------------------------------------- */
/* what libsoup says about requests */

static Conn *
conn_for_msg (SiServerListener  *self,
              SoupServerMessage *msg)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);

  return remote != NULL ? g_hash_table_lookup (self->conns, remote) : NULL;
}

static void
msg_got_headers (SoupServerMessage *msg,
                 gpointer           user_data)
{
  Conn *conn = user_data;

  if (conn->state == CONN_CLOSING)
    return;
  conn->state = CONN_BODY;
  conn->body_start = g_get_monotonic_time ();
  conn->body_bytes = 0;
  conn_set_deadline (conn, conn->listener->limits.body_timeout);
}

static void
msg_got_chunk (SoupServerMessage *msg,
               GBytes            *chunk,
               gpointer           user_data)
{
  Conn *conn = user_data;

  if (conn->state != CONN_BODY)
    return;
  /* Progress buys time: the body may take body_timeout plus a second per MIN_BODY_RATE bytes. */
  conn->body_bytes += g_bytes_get_size (chunk);
  conn->deadline = conn->body_start + (gint64) conn->listener->limits.body_timeout * G_USEC_PER_SEC +
                   (gint64) (conn->body_bytes * G_USEC_PER_SEC / SI_SERVER_MIN_BODY_RATE);
}

static void
request_started (SoupServer        *soup,
                 SoupServerMessage *msg,
                 SiServerListener  *self)
{
  Conn *conn = conn_for_msg (self, msg);

  if (conn == NULL)
    return;
  conn_forget_msg (conn);
  conn->msg = msg;
  g_object_add_weak_pointer (G_OBJECT (msg), (gpointer *) &conn->msg);
  conn->got_headers_id = g_signal_connect (msg, "got-headers", G_CALLBACK (msg_got_headers), conn);
  conn->got_chunk_id = g_signal_connect (msg, "got-chunk", G_CALLBACK (msg_got_chunk), conn);
}

static void
request_read (SoupServer        *soup,
              SoupServerMessage *msg,
              SiServerListener  *self)
{
  Conn *conn = conn_for_msg (self, msg);

  if (conn == NULL || conn->state == CONN_CLOSING)
    return;
  conn->state = CONN_HANDLING;
  conn->deadline = NO_DEADLINE;
}

static void
request_done (SoupServer        *soup,
              SoupServerMessage *msg,
              SiServerListener  *self)
{
  Conn *conn = conn_for_msg (self, msg);

  if (conn == NULL)
    return;
  conn_forget_msg (conn);
  conn_enter_idle (conn);
}

/* What libsoup's soup_server_message_is_keepalive() says (not public in libsoup 3.2), for a
 * response whose end the client can tell without the connection closing. */
static gboolean
message_keeps_alive (SoupServerMessage *msg)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);

  return soup_server_message_get_http_version (msg) == SOUP_HTTP_1_1 &&
         !soup_message_headers_header_contains (request, "Connection", "close") &&
         !soup_message_headers_header_contains (response, "Connection", "close") &&
         soup_message_headers_get_encoding (response) == SOUP_ENCODING_CONTENT_LENGTH;
}

/* The response was sent whole: libsoup closes the request's stream next (conn_released()). */
static void
request_finished (SoupServer        *soup,
                  SoupServerMessage *msg,
                  SiServerListener  *self)
{
  Conn *conn = conn_for_msg (self, msg);

  if (conn != NULL && conn->lent != NULL && conn->state != CONN_CLOSING && !self->stopping &&
      message_keeps_alive (msg))
    conn->keep = TRUE;
  request_done (soup, msg, self);
}

/* ---------------------------------------------------------------------------------------- */
/* lending requests to libsoup */

static gboolean
conn_next (gpointer user_data)
{
  Conn *conn = user_data;

  g_clear_pointer (&conn->next, g_source_unref);
  conn_enter_headers (conn);
  conn_lend (conn);
  return G_SOURCE_REMOVE;
}

/* libsoup closed the request's stream (the real one is open): keep the connection for the
 * next request, or close it. Runs inside libsoup: it only waits for the next request, on the
 * main loop. */
static void
conn_released (gpointer user_data)
{
  Conn *conn = user_data;

  conn_unlend (conn);
  if (!conn->keep || conn->state == CONN_CLOSING || conn->listener->stopping || conn->stream == NULL)
    {
      conn_shut (conn);
      return;
    }
  conn->keep = FALSE;
  conn_enter_idle (conn);
  if (si_server_keep_carry_has_data (conn->carry))
    {
      /* The client sent it without waiting for the answer (pipelining). */
      conn->next = g_timeout_source_new (0);
      g_source_set_callback (conn->next, conn_next, conn, NULL);
      g_source_attach (conn->next, g_main_context_get_thread_default ());
    }
}

/* Lends libsoup the connection for one request. @conn may be gone when this returns. */
static void
conn_lend (Conn *conn)
{
  SiServerListener *self = conn->listener;
  g_autoptr(SiServerKeepStream) lent = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (conn->lent == NULL && conn->stream != NULL);
  /* The descriptor watch stays: it moves a first request from IDLE to HEADERS. */
  if (conn->next != NULL)
    g_source_destroy (conn->next);
  g_clear_pointer (&conn->next, g_source_unref);
  lent = si_server_keep_stream_new (conn->stream, conn->carry, conn_released, conn);
  conn->keep = FALSE;
  conn->lent = lent;
  g_object_add_weak_pointer (G_OBJECT (lent), (gpointer *) &conn->lent);
  /* Emits request-started for the connection's message: the Conn is in the table. */
  if (!soup_server_accept_iostream (self->soup, G_IO_STREAM (lent), conn->local, conn->remote, &error))
    {
      g_warning ("Cannot serve a connection: %s", error->message);
      conn_unlend (conn);
      si_server_keep_stream_disown (lent);
      conn_shut (conn);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* accepting */

static void
conn_hand_over (Conn      *conn,
                GIOStream *stream)
{
  conn->stream = g_object_ref (stream);
  conn->carry = si_server_keep_carry_new (stream);
  conn_enter_idle (conn);
  conn_lend (conn);
}

static void
handshake_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTlsConnection *tls = G_TLS_CONNECTION (source);
  GSocket *socket = user_data;
  Conn *conn = g_object_get_qdata (G_OBJECT (socket), conn_quark);
  g_autoptr(GError) error = NULL;

  if (!g_tls_connection_handshake_finish (tls, result, &error))
    {
      g_debug ("TLS handshake failed: %s", error->message);
      /* Forget the connection here, on the main loop: the last reference to it may be dropped
       * in one of glib-networking's threads. */
      if (conn != NULL)
        {
          SiServerListener *self = conn->listener;

          conn_detach (conn);
          listener_connection_closed (self);
        }
      g_socket_close (socket, NULL);
    }
  else if (conn != NULL)
    {
      g_autoptr(GIOStream) stream = g_steal_pointer (&conn->handshaking);

      g_clear_object (&conn->cancellable);
      if (conn->state == CONN_CLOSING)
        g_socket_close (socket, NULL);
      else
        conn_hand_over (conn, stream);
    }
  else
    g_socket_close (socket, NULL);
  g_object_unref (socket);
}

static void
refuse (SiServerListener *self,
        GSocket          *socket)
{
  if (!self->at_cap)
    {
      self->at_cap = TRUE;
      g_warning ("%u connections open (--max-connections): refusing new ones until some close",
                 self->n_connections);
    }
  /* Best effort: a plain HTTP client reads why; a TLS client sees the connection close. What
   * the client sent already is read first: closing with unread data would send a reset, and
   * the client could lose the answer. */
  g_socket_set_blocking (socket, FALSE);
  if (self->certificate == NULL)
    {
      char scratch[4096];

      for (guint i = 0; i < 4 && g_socket_receive (socket, scratch, sizeof scratch, NULL, NULL) > 0; i++)
        ;
      g_socket_send (socket, refusal, sizeof refusal - 1, NULL, NULL);
    }
  g_socket_shutdown (socket, FALSE, TRUE, NULL);
  g_socket_close (socket, NULL);
}

static void
accepted (SiServerListener *self,
          GSocket          *socket)
{
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  Conn *conn;

  if (self->n_connections >= self->max_connections)
    {
      refuse (self, socket);
      return;
    }

  remote = g_socket_get_remote_address (socket, &error);
  if (remote != NULL)
    local = g_socket_get_local_address (socket, &error);
  if (local == NULL)
    {
      /* The client is gone already (ENOTCONN). */
      g_debug ("Dropping a new connection: %s", error->message);
      g_socket_close (socket, NULL);
      return;
    }
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);

  conn = g_new0 (Conn, 1);
  conn->listener = self;
  conn->socket = socket;
  conn->remote = g_steal_pointer (&remote);
  conn->local = g_steal_pointer (&local);
  conn->deadline = NO_DEADLINE;
  g_object_weak_ref (G_OBJECT (socket), conn_socket_gone, conn);
  g_object_set_qdata (G_OBJECT (socket), conn_quark, conn);
  g_hash_table_insert (self->conns, conn->remote, conn);
  self->n_connections++;
  if (self->sweep_id == 0)
    self->sweep_id = g_timeout_add_seconds (1, sweep, self);

  stream = G_IO_STREAM (g_socket_connection_factory_create_connection (socket));

  if (self->certificate != NULL)
    {
      const char * const protocols[] = { "http/1.1", "http/1.0", NULL };
      GIOStream *tls = g_tls_server_connection_new (stream, self->certificate, &error);

      if (tls == NULL)
        {
          g_warning ("Cannot start TLS on a new connection: %s", error->message);
          conn_detach (conn);
          g_socket_close (socket, NULL);
          return;
        }
      g_tls_connection_set_require_close_notify (G_TLS_CONNECTION (tls), FALSE);
      g_tls_connection_set_advertised_protocols (G_TLS_CONNECTION (tls), protocols);
      conn->handshaking = tls;
      conn->cancellable = g_cancellable_new ();
      conn->state = CONN_HANDSHAKE;
      conn_set_deadline (conn, self->limits.header_timeout);
      g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, conn->cancellable,
                                        handshake_done, g_object_ref (socket));
      return;
    }

  conn_hand_over (conn, stream);
}

static gboolean accept_ready (GSocket      *socket,
                              GIOCondition  condition,
                              gpointer      user_data);

static void
listening_watch (SiServerListener *self,
                 Listening        *listening)
{
  listening->source = g_socket_create_source (listening->socket, G_IO_IN, NULL);
  g_source_set_callback (listening->source, G_SOURCE_FUNC (accept_ready), self, NULL);
  g_source_attach (listening->source, g_main_context_get_thread_default ());
}

static void
listening_unwatch (Listening *listening)
{
  if (listening->source != NULL)
    g_source_destroy (listening->source);
  g_clear_pointer (&listening->source, g_source_unref);
}

static gboolean
accept_resume (gpointer user_data)
{
  SiServerListener *self = user_data;

  self->pause_id = 0;
  for (guint i = 0; i < self->listening->len; i++)
    listening_watch (self, g_ptr_array_index (self->listening, i));
  return G_SOURCE_REMOVE;
}

static gboolean
accept_ready (GSocket      *socket,
              GIOCondition  condition,
              gpointer      user_data)
{
  SiServerListener *self = user_data;

  for (guint i = 0; i < ACCEPTS_PER_WAKEUP; i++)
    {
      g_autoptr(GError) error = NULL;
      GSocket *client = g_socket_accept (socket, NULL, &error);

      if (client == NULL)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            return G_SOURCE_CONTINUE;

          /* EMFILE, ENFILE, ENOBUFS, ENOMEM: descriptors or memory come back as connections
           * close. Never give up listening: pause all sockets briefly, then try again. */
          if (self->accept_failures++ == 0)
            g_warning ("Cannot accept connections (%s), %u open: trying again every %d ms",
                       error->message, self->n_connections, ACCEPT_PAUSE_MS);
          for (guint j = 0; j < self->listening->len; j++)
            listening_unwatch (g_ptr_array_index (self->listening, j));
          self->pause_id = g_timeout_add (ACCEPT_PAUSE_MS, accept_resume, self);
          /* This source was destroyed with the others. */
          return G_SOURCE_REMOVE;
        }

      if (self->accept_failures > 0)
        {
          g_message ("Accepting connections again after %u failed attempts", self->accept_failures);
          self->accept_failures = 0;
        }
      accepted (self, client);
      g_object_unref (client);
    }
  return G_SOURCE_CONTINUE;
}

GSocketAddress *
si_server_listener_listen (SiServerListener  *self,
                           GSocketAddress    *address,
                           GTlsCertificate   *certificate,
                           GError           **error)
{
  g_autoptr(GSocket) socket = NULL;
  GSocketAddress *local;
  Listening *listening;

  g_return_val_if_fail (SI_IS_SERVER_LISTENER (self), NULL);
  g_return_val_if_fail (G_IS_SOCKET_ADDRESS (address), NULL);
  g_return_val_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate), NULL);

  socket = g_socket_new (g_socket_address_get_family (address), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;
  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  g_socket_set_blocking (socket, FALSE);
  if (!g_socket_bind (socket, address, TRUE, error) ||
      !g_socket_listen (socket, error) ||
      (local = g_socket_get_local_address (socket, error)) == NULL)
    {
      g_socket_close (socket, NULL);
      return NULL;
    }

  g_set_object (&self->certificate, certificate);
  listening = g_new0 (Listening, 1);
  listening->socket = g_steal_pointer (&socket);
  g_ptr_array_add (self->listening, listening);
  if (self->pause_id == 0)
    listening_watch (self, listening);
  return local;
}

static void
listening_free (Listening *listening)
{
  listening_unwatch (listening);
  g_socket_close (listening->socket, NULL);
  g_object_unref (listening->socket);
  g_free (listening);
}

void
si_server_listener_stop (SiServerListener *self)
{
  g_autoptr(GPtrArray) idle = NULL;
  GHashTableIter iter;
  Conn *conn;

  g_return_if_fail (SI_IS_SERVER_LISTENER (self));

  g_clear_handle_id (&self->pause_id, g_source_remove);
  g_ptr_array_set_size (self->listening, 0);

  /* Requests in progress end with their connection; those between two requests end now. */
  self->stopping = TRUE;
  idle = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, self->conns);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &conn))
    if (conn->lent == NULL && conn->stream != NULL)
      g_ptr_array_add (idle, conn);
  for (guint i = 0; i < idle->len; i++)
    conn_close (g_ptr_array_index (idle, i), "the server stops");
}

/* ---------------------------------------------------------------------------------------- */
/* object */

static void
si_server_listener_dispose (GObject *object)
{
  SiServerListener *self = SI_SERVER_LISTENER (object);
  GHashTableIter iter;
  Conn *conn;

  if (self->listening != NULL)
    si_server_listener_stop (self);
  if (self->soup != NULL)
    {
      g_clear_signal_handler (&self->started_id, self->soup);
      g_clear_signal_handler (&self->read_id, self->soup);
      g_clear_signal_handler (&self->finished_id, self->soup);
      g_clear_signal_handler (&self->aborted_id, self->soup);
    }
  /* The connections still open are the SoupServer's to close. */
  g_hash_table_iter_init (&iter, self->conns);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &conn))
    {
      g_hash_table_iter_steal (&iter);
      g_object_weak_unref (G_OBJECT (conn->socket), conn_socket_gone, conn);
      g_object_set_qdata (G_OBJECT (conn->socket), conn_quark, NULL);
      if (conn->state == CONN_HANDSHAKE)
        {
          g_cancellable_cancel (conn->cancellable);
          g_socket_close (conn->socket, NULL);
        }
      else if (conn->lent == NULL && conn->stream != NULL)
        g_io_stream_close (conn->stream, NULL, NULL);
      conn_free (conn);
    }
  self->n_connections = 0;
  g_clear_handle_id (&self->sweep_id, g_source_remove);
  g_clear_object (&self->soup);
  g_clear_object (&self->certificate);

  G_OBJECT_CLASS (si_server_listener_parent_class)->dispose (object);
}

static void
si_server_listener_finalize (GObject *object)
{
  SiServerListener *self = SI_SERVER_LISTENER (object);

  g_clear_pointer (&self->listening, g_ptr_array_unref);
  g_clear_pointer (&self->conns, g_hash_table_unref);

  G_OBJECT_CLASS (si_server_listener_parent_class)->finalize (object);
}

static void
si_server_listener_class_init (SiServerListenerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = si_server_listener_dispose;
  object_class->finalize = si_server_listener_finalize;

  conn_quark = g_quark_from_static_string ("si-server-listener-conn");
}

static void
si_server_listener_init (SiServerListener *self)
{
  self->listening = g_ptr_array_new_with_free_func ((GDestroyNotify) listening_free);
  self->conns = g_hash_table_new (g_direct_hash, g_direct_equal);
}

SiServerListener *
si_server_listener_new (SoupServer           *soup,
                        const SiServerLimits *limits)
{
  SiServerListener *self;

  g_return_val_if_fail (SOUP_IS_SERVER (soup), NULL);
  g_return_val_if_fail (limits != NULL, NULL);
  g_return_val_if_fail (limits->idle_timeout > 0 && limits->header_timeout > 0 && limits->body_timeout > 0, NULL);

  self = g_object_new (SI_TYPE_SERVER_LISTENER, NULL);
  self->soup = g_object_ref (soup);
  self->limits = *limits;
  self->max_connections = limits->max_connections > 0 ? limits->max_connections
                                                      : si_server_limits_auto_max_connections ();
  if (self->max_connections > descriptor_budget ())
    g_message ("At most %u connections, more than 3/4 of the open-files limit (RLIMIT_NOFILE) allows:"
               " when descriptors run out, accepting pauses until connections close",
               self->max_connections);
  self->started_id = g_signal_connect (soup, "request-started", G_CALLBACK (request_started), self);
  self->read_id = g_signal_connect (soup, "request-read", G_CALLBACK (request_read), self);
  self->finished_id = g_signal_connect (soup, "request-finished", G_CALLBACK (request_finished), self);
  self->aborted_id = g_signal_connect (soup, "request-aborted", G_CALLBACK (request_done), self);
  return self;
}
