/* si-http.c — reading a server's answer with a bound (see si-http-private.h). */
#define G_LOG_DOMAIN "saveidea-sync"

#include "config.h"

#include "si-http-private.h"

#define CHUNK_BYTES (64 * 1024)

typedef struct {
  GInputStream *stream;
  GByteArray   *data;
  gsize         max_bytes;
} Read;

static void
read_free (Read *read)
{
  g_clear_object (&read->stream);
  g_clear_pointer (&read->data, g_byte_array_unref);
  g_free (read);
}

/* Ends the read with @error. The rest of the body is not read: closing the stream with a
 * cancelled cancellable makes libsoup drop the connection instead of draining it. */
static void
read_fail (GTask  *task,
           GError *error)
{
  Read *read = g_task_get_task_data (task);
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();

  g_cancellable_cancel (cancelled);
  if (read->stream != NULL)
    g_input_stream_close (read->stream, cancelled, NULL);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void read_next (GTask *task);

static void
got_chunk (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  Read *read = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GBytes) chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  gsize size;

  if (chunk == NULL)
    {
      read_fail (task, error);
      return;
    }
  size = g_bytes_get_size (chunk);
  if (size == 0)
    {
      g_input_stream_close (read->stream, NULL, NULL);
      g_task_return_pointer (task, g_byte_array_free_to_bytes (g_steal_pointer (&read->data)),
                             (GDestroyNotify) g_bytes_unref);
      g_object_unref (task);
      return;
    }
  if (size > read->max_bytes - read->data->len)
    {
      read_fail (task, g_error_new (G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                                    "the answer is larger than %" G_GSIZE_FORMAT " bytes", read->max_bytes));
      return;
    }
  g_byte_array_append (read->data, g_bytes_get_data (chunk, NULL), (guint) size);
  read_next (task);
}

static void
read_next (GTask *task)
{
  Read *read = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (read->stream, CHUNK_BYTES, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), got_chunk, task);
}

static void
sent (GObject      *source,
      GAsyncResult *result,
      gpointer      user_data)
{
  GTask *task = user_data;
  Read *read = g_task_get_task_data (task);
  GError *error = NULL;

  read->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (read->stream == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  read_next (task);
}

void
_si_http_send_and_read_async (SoupSession         *session,
                              SoupMessage         *msg,
                              gsize                max_bytes,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;
  Read *read;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (SOUP_IS_MESSAGE (msg));
  g_return_if_fail (max_bytes > 0 && max_bytes <= G_MAXUINT);

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, _si_http_send_and_read_async);
  read = g_new0 (Read, 1);
  read->data = g_byte_array_new ();
  read->max_bytes = max_bytes;
  g_task_set_task_data (task, read, (GDestroyNotify) read_free);
  soup_session_send_async (session, msg, G_PRIORITY_DEFAULT, cancellable, sent, task);
}

GBytes *
_si_http_send_and_read_finish (SoupSession   *session,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, session), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
