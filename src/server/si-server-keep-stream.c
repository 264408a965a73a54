/* si-server-keep-stream.c — one request's view of a connection that is kept alive.
 *
 * libsoup 3.2 keeps a connection alive only when the SoupServer has a listening socket of its
 * own (ours has none: si-server-listener.c accepts), and even then it never closes a
 * kept-alive connection that its client closes while idle (CLOSE-WAIT and a descriptor each,
 * for ever; fixed in libsoup 3.3.0). So the listener hands libsoup each request of a connection
 * as a connection of its own: a SiServerKeepStream over the real stream. libsoup closes it after
 * the response as it closes any connection; that closes nothing real, and tells the listener,
 * which lends the real stream again for the next request, or closes it. Between two requests no
 * libsoup object holds the connection: the listener alone watches and times it out.
 *
 * libsoup reads request headers in blocks (8 KiB), and what it read past them would be lost
 * with its connection: a second request sent without waiting for the first answer
 * (pipelining). The input stream therefore never gives more than up to the next end of a
 * header block — a line feed after an empty line, "\n\n" or "\n\r\n", the ends libsoup itself
 * looks for — and keeps the rest in the carry, for the next request. A request body is read
 * with counts that never pass its Content-Length, so nothing past it is read either (chunked
 * bodies are refused, and their connection closed: si-server-routes.c).
 */
#define G_LOG_DOMAIN "saveidea-server"

#include "config.h"

#include <string.h>

#include "si-server-keep-stream.h"

/* How much one read takes from the real stream at most. */
#define READ_CHUNK 8192

struct _SiServerKeepCarry
{
  GInputStream *base;    /* pollable */
  GByteArray   *unread;  /* read from base, not given to a request yet */
  char          tail[2]; /* the last two bytes given (0 before any) */
};

SiServerKeepCarry *
si_server_keep_carry_new (GIOStream *base)
{
  SiServerKeepCarry *carry = g_rc_box_new0 (SiServerKeepCarry);

  carry->base = g_object_ref (g_io_stream_get_input_stream (base));
  carry->unread = g_byte_array_new ();
  return carry;
}

static void
carry_clear (SiServerKeepCarry *carry)
{
  g_clear_object (&carry->base);
  g_clear_pointer (&carry->unread, g_byte_array_unref);
}

SiServerKeepCarry *
si_server_keep_carry_ref (SiServerKeepCarry *carry)
{
  return g_rc_box_acquire (carry);
}

void
si_server_keep_carry_unref (SiServerKeepCarry *carry)
{
  g_rc_box_release_full (carry, (GDestroyNotify) carry_clear);
}

gboolean
si_server_keep_carry_has_data (SiServerKeepCarry *carry)
{
  return carry->unread->len > 0;
}

/* How many of the unread bytes go up to and including the first end of a header block. */
static gsize
carry_limit (SiServerKeepCarry *carry)
{
  const guint8 *data = carry->unread->data;
  gsize len = carry->unread->len;

  for (gsize i = 0; i < len; i++)
    {
      char before = i >= 1 ? (char) data[i - 1] : carry->tail[1];
      char before2 = i >= 2 ? (char) data[i - 2] : (i == 1 ? carry->tail[1] : carry->tail[0]);

      if (data[i] == '\n' && (before == '\n' || (before == '\r' && before2 == '\n')))
        return i + 1;
    }
  return len;
}

/* Gives up to @count unread bytes into @buffer. */
static gssize
carry_give (SiServerKeepCarry *carry,
            void              *buffer,
            gsize              count)
{
  gsize n = MIN (count, carry_limit (carry));

  memcpy (buffer, carry->unread->data, n);
  if (n >= 2)
    memcpy (carry->tail, carry->unread->data + n - 2, 2);
  else if (n == 1)
    {
      carry->tail[0] = carry->tail[1];
      carry->tail[1] = (char) carry->unread->data[0];
    }
  g_byte_array_remove_range (carry->unread, 0, (guint) n);
  return (gssize) n;
}

/* Reads more from the real stream into the carry: the bytes read, 0 at its end, -1 on an error
 * (G_IO_ERROR_WOULD_BLOCK when not @blocking and nothing is there). */
static gssize
carry_fill (SiServerKeepCarry  *carry,
            gboolean            blocking,
            GCancellable       *cancellable,
            GError            **error)
{
  guint8 chunk[READ_CHUNK];
  gssize got;

  if (blocking)
    got = g_input_stream_read (carry->base, chunk, sizeof chunk, cancellable, error);
  else
    got = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (carry->base), chunk,
                                                    sizeof chunk, cancellable, error);
  if (got > 0)
    g_byte_array_append (carry->unread, chunk, (guint) got);
  return got;
}

/* ---------------------------------------------------------------------------------------- */
/* the input stream */

#define SI_TYPE_SERVER_KEEP_INPUT (si_server_keep_input_get_type ())
G_DECLARE_FINAL_TYPE (SiServerKeepInput, si_server_keep_input, SI, SERVER_KEEP_INPUT, GInputStream)

struct _SiServerKeepInput
{
  GInputStream       parent_instance;
  SiServerKeepCarry *carry;
};

static void keep_input_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SiServerKeepInput, si_server_keep_input, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM, keep_input_pollable_init))

static gssize
keep_input_read (GInputStream  *stream,
                 void          *buffer,
                 gsize          count,
                 GCancellable  *cancellable,
                 GError       **error)
{
  SiServerKeepInput *self = SI_SERVER_KEEP_INPUT (stream);
  gssize got;

  if (count == 0)
    return 0;
  if (self->carry->unread->len == 0 && (got = carry_fill (self->carry, TRUE, cancellable, error)) <= 0)
    return got;
  return carry_give (self->carry, buffer, count);
}

static gboolean
keep_input_close (GInputStream  *stream,
                  GCancellable  *cancellable,
                  GError       **error)
{
  /* The real stream stays open for the next request. */
  return TRUE;
}

static gboolean
keep_input_can_poll (GPollableInputStream *stream)
{
  return TRUE;
}

static gboolean
keep_input_is_readable (GPollableInputStream *stream)
{
  SiServerKeepInput *self = SI_SERVER_KEEP_INPUT (stream);

  return self->carry->unread->len > 0 ||
         g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (self->carry->base));
}

static GSource *
keep_input_create_source (GPollableInputStream *stream,
                          GCancellable         *cancellable)
{
  SiServerKeepInput *self = SI_SERVER_KEEP_INPUT (stream);
  g_autoptr(GSource) base_source = NULL;

  if (self->carry->unread->len > 0)
    base_source = g_timeout_source_new (0);
  else
    base_source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (self->carry->base), NULL);
  return g_pollable_source_new_full (stream, base_source, cancellable);
}

static gssize
keep_input_read_nonblocking (GPollableInputStream  *stream,
                             void                  *buffer,
                             gsize                  count,
                             GError               **error)
{
  SiServerKeepInput *self = SI_SERVER_KEEP_INPUT (stream);
  gssize got;

  if (count == 0)
    return 0;
  if (self->carry->unread->len == 0 && (got = carry_fill (self->carry, FALSE, NULL, error)) <= 0)
    return got;
  return carry_give (self->carry, buffer, count);
}

static void
si_server_keep_input_finalize (GObject *object)
{
  SiServerKeepInput *self = SI_SERVER_KEEP_INPUT (object);

  g_clear_pointer (&self->carry, si_server_keep_carry_unref);
  G_OBJECT_CLASS (si_server_keep_input_parent_class)->finalize (object);
}

static void
si_server_keep_input_class_init (SiServerKeepInputClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *input_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = si_server_keep_input_finalize;
  input_class->read_fn = keep_input_read;
  input_class->close_fn = keep_input_close;
}

static void
keep_input_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = keep_input_can_poll;
  iface->is_readable = keep_input_is_readable;
  iface->create_source = keep_input_create_source;
  iface->read_nonblocking = keep_input_read_nonblocking;
}

static void
si_server_keep_input_init (SiServerKeepInput *self)
{
}

/* ---------------------------------------------------------------------------------------- */
/* the stream */

struct _SiServerKeepStream
{
  GIOStream             parent_instance;
  GIOStream            *base;
  GInputStream         *input;
  SiServerKeepReleased  released;
  gpointer              user_data;
  gboolean              owned;     /* closing tells the owner */
  gboolean              disowned;  /* closing closes the real stream */
};

G_DEFINE_FINAL_TYPE (SiServerKeepStream, si_server_keep_stream, G_TYPE_IO_STREAM)

static GInputStream *
keep_stream_get_input_stream (GIOStream *stream)
{
  return SI_SERVER_KEEP_STREAM (stream)->input;
}

/* The real output stream itself: nothing closes it but the real stream's own close. */
static GOutputStream *
keep_stream_get_output_stream (GIOStream *stream)
{
  return g_io_stream_get_output_stream (SI_SERVER_KEEP_STREAM (stream)->base);
}

static gboolean
keep_stream_close (GIOStream     *stream,
                   GCancellable  *cancellable,
                   GError       **error)
{
  SiServerKeepStream *self = SI_SERVER_KEEP_STREAM (stream);

  if (self->owned)
    {
      SiServerKeepReleased released = self->released;

      self->owned = FALSE;
      self->released = NULL;
      released (self->user_data);
      return TRUE;
    }
  if (self->disowned && self->base != NULL && !g_io_stream_is_closed (self->base))
    {
      /* Nobody else will close the real stream. */
      self->disowned = FALSE;
      return g_io_stream_close (self->base, cancellable, error);
    }
  return TRUE;
}

static void
si_server_keep_stream_dispose (GObject *object)
{
  SiServerKeepStream *self = SI_SERVER_KEEP_STREAM (object);

  /* GIOStream's dispose closes a stream not closed yet, which tells the owner. */
  G_OBJECT_CLASS (si_server_keep_stream_parent_class)->dispose (object);
  g_clear_object (&self->input);
  g_clear_object (&self->base);
}

static void
si_server_keep_stream_class_init (SiServerKeepStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);

  object_class->dispose = si_server_keep_stream_dispose;
  stream_class->get_input_stream = keep_stream_get_input_stream;
  stream_class->get_output_stream = keep_stream_get_output_stream;
  stream_class->close_fn = keep_stream_close;
}

static void
si_server_keep_stream_init (SiServerKeepStream *self)
{
}

SiServerKeepStream *
si_server_keep_stream_new (GIOStream            *base,
                           SiServerKeepCarry    *carry,
                           SiServerKeepReleased  released,
                           gpointer              user_data)
{
  SiServerKeepStream *self;
  SiServerKeepInput *input;

  g_return_val_if_fail (G_IS_IO_STREAM (base), NULL);
  g_return_val_if_fail (G_IS_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (base)), NULL);
  g_return_val_if_fail (carry != NULL && released != NULL, NULL);

  self = g_object_new (SI_TYPE_SERVER_KEEP_STREAM, NULL);
  self->base = g_object_ref (base);
  input = g_object_new (SI_TYPE_SERVER_KEEP_INPUT, NULL);
  input->carry = si_server_keep_carry_ref (carry);
  self->input = G_INPUT_STREAM (input);
  self->released = released;
  self->user_data = user_data;
  self->owned = TRUE;
  return self;
}

void
si_server_keep_stream_disown (SiServerKeepStream *self)
{
  g_return_if_fail (SI_IS_SERVER_KEEP_STREAM (self));

  if (!self->owned)
    return;
  self->owned = FALSE;
  self->released = NULL;
  self->disowned = TRUE;
}
