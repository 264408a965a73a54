/* si-test-server-api.c — small helpers the test-server*.c programs share: users, records as
 * JSON, requests that assert their status, and reading answers (see si-test-server-api.h). */
#define G_LOG_DOMAIN "saveidea-test"

#include "config.h"

#include "si-test-server-api.h"

SiTestServer *
start_server (const char *first_user,
              ...)
{
  SiTestServer *server = si_test_server_new (NULL);
  va_list args;

  va_start (args, first_user);
  for (const char *name = first_user; name != NULL; name = va_arg (args, const char *))
    si_test_server_add_user (server, name, PASSWORD);
  va_end (args);
  si_test_server_start (server);
  return server;
}

char *
idea_json (const char *uid,
           const char *title,
           const char *tags)
{
  g_autofree char *fresh = uid ? NULL : g_uuid_string_random ();

  return g_strdup_printf ("{\"uid\":\"%s\",\"title\":\"%s\",\"body\":\"Body of %s\",\"pinned\":false,"
                          "\"tags\":%s,\"created_at\":\"" T0 "\",\"updated_at\":\"" T1 "\"}",
                          uid ? uid : fresh, title, title, tags ? tags : "[]");
}

char *
tag_json (const char *uid,
          const char *name)
{
  g_autofree char *fresh = uid ? NULL : g_uuid_string_random ();

  return g_strdup_printf ("{\"uid\":\"%s\",\"name\":\"%s\",\"colour\":\"#3584e4\","
                          "\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}",
                          uid ? uid : fresh, name);
}

/* POSTs and asserts @expected; returns the response. */
SiTestResponse *
post (SiTestServer *server,
      const char   *token,
      const char   *collection,
      const char   *body,
      guint         expected)
{
  g_autofree char *path = g_strconcat ("/api/v1/", collection, NULL);
  SiTestResponse *r = si_test_server_request (server, "POST", path, token, body, NULL);

  g_assert_cmpuint (r->status, ==, expected);
  return r;
}

gint64
create_idea (SiTestServer *server,
             const char   *token,
             const char   *title,
             const char   *tags,
             gint64       *out_version)
{
  g_autofree char *body = idea_json (NULL, title, tags);
  g_autoptr(SiTestResponse) r = post (server, token, "ideas", body, 201);

  if (out_version)
    *out_version = si_test_response_get_int (r, "version");
  return si_test_response_get_int (r, "id");
}

gint64
create_tag (SiTestServer *server,
            const char   *token,
            const char   *name,
            gint64       *out_version)
{
  g_autofree char *body = tag_json (NULL, name);
  g_autoptr(SiTestResponse) r = post (server, token, "tags", body, 201);

  if (out_version)
    *out_version = si_test_response_get_int (r, "version");
  return si_test_response_get_int (r, "id");
}

SiTestResponse *
get (SiTestServer *server,
     const char   *token,
     const char   *format,
     ...)
{
  g_autofree char *path = NULL;
  va_list args;

  va_start (args, format);
  path = g_strdup_vprintf (format, args);
  va_end (args);
  return si_test_server_request (server, "GET", path, token, NULL, NULL);
}

JsonArray *
page_records (SiTestResponse *r)
{
  JsonObject *object = si_test_response_object (r);

  g_assert_true (json_object_has_member (object, "records"));
  return json_object_get_array_member (object, "records");
}

JsonObject *
record_at (JsonArray *records,
           guint      i)
{
  return json_array_get_object_element (records, i);
}

void
assert_error (SiTestResponse *r,
              guint           status,
              const char     *code)
{
  g_assert_cmpuint (r->status, ==, status);
  g_assert_cmpstr (si_test_response_get_string (r, "error"), ==, code);
  g_assert_cmpstr (si_test_response_get_string (r, "message"), !=, "");
}

char *
version_header (gint64 version)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, version);
}

gboolean
array_has (JsonArray *array,
           gint64     value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (json_array_get_int_element (array, i) == value)
      return TRUE;
  return FALSE;
}

void
login_sent (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  AsyncLogin *state = user_data;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &state->error);

  state->status = soup_message_get_status (soup_session_get_async_result_message (SOUP_SESSION (source), result));
  state->done = TRUE;
}
