/* test-wire.c — the JSON codec's guard against hostile text (si_wire_check_text, si_wire_parse)
 * and the bound on what the client reads of a server's answer. */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "si-http-private.h"
#include "si-test-fake-server.h"
#include "si-wire.h"

/* {"a": [[…]]} with arrays and objects @depth levels deep in all (the object counts). */
static char *
nested (guint    depth,
        gboolean objects)
{
  GString *text = g_string_new ("{\"a\":");

  for (guint i = 1; i < depth; i++)
    g_string_append (text, objects ? "{\"a\":" : "[");
  g_string_append (text, "1");
  for (guint i = 1; i < depth; i++)
    g_string_append (text, objects ? "}" : "]");
  g_string_append (text, "}");
  return g_string_free (text, FALSE);
}

/* [[…[1]…]] @depth arrays deep. */
static char *
arrays (guint depth)
{
  g_autofree char *open = g_strnfill (depth, '[');
  g_autofree char *close = g_strnfill (depth, ']');

  return g_strconcat (open, "1", close, NULL);
}

static JsonNode *
parse (const char  *text,
       GError     **error)
{
  return si_wire_parse (text, strlen (text), error);
}

static void
assert_refused (const char *text,
                gsize       length,
                const char *in_message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = si_wire_parse (text, length, &error);

  g_assert_null (node);
  g_assert_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, in_message));
}

static void
test_depth (void)
{
  for (guint objects = 0; objects < 2; objects++)
    {
      g_autofree char *at = nested (SI_WIRE_MAX_DEPTH, objects);
      g_autofree char *above = nested (SI_WIRE_MAX_DEPTH + 1, objects);
      g_autofree char *far = nested (100000, objects);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = parse (at, &error);

      g_assert_no_error (error);
      g_assert_nonnull (node);
      assert_refused (above, strlen (above), "nested deeper than 64 levels");
      assert_refused (far, strlen (far), "nested deeper than 64 levels");
    }

  /* Closing brackets give depth back: many shallow siblings are fine. */
  {
    GString *wide = g_string_new ("{\"a\":[");

    for (guint i = 0; i < 10000; i++)
      g_string_append (wide, i ? ",[[1]]" : "[[1]]");
    g_string_append (wide, "]}");
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = parse (wide->str, &error);
      g_assert_no_error (error);
    }
    g_string_free (wide, TRUE);
  }

  /* 100,000 '[' alone, as a hostile client sends them: refused before json-glib runs. */
  {
    g_autofree char *brackets = g_strnfill (100000, '[');
    assert_refused (brackets, 100000, "nested deeper");
  }
}

static void
test_brackets_in_strings (void)
{
  g_autofree char *deep_text = g_strnfill (1000, '[');
  g_autofree char *closers = g_strnfill (1000, ']');
  g_autofree char *in_string = g_strdup_printf ("{\"a\":\"%s\",\"%s\":1}", deep_text, closers);
  g_autofree char *at = arrays (SI_WIRE_MAX_DEPTH - 1);      /* inside the top-level object */
  g_autofree char *above = arrays (SI_WIRE_MAX_DEPTH);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = parse (in_string, &error);

  /* "[[[" inside a string is text, not nesting. */
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "a"), ==, deep_text);

  /* "]]]" inside a string does not give depth back either. */
  {
    g_autofree char *text = g_strdup_printf ("{\"x\":\"%s\",\"y\":%s}", closers, above);
    assert_refused (text, strlen (text), "nested deeper");
  }

  /* An escaped quote does not end the string: the brackets after it are still text. */
  {
    g_autofree char *text = g_strdup_printf ("{\"a\":\"say \\\"%s\\\" twice\"}", deep_text);
    g_autoptr(JsonNode) ok = parse (text, &error);
    g_assert_no_error (error);
  }
  /* An escaped backslash does end it: the quote after it closes the string. */
  {
    g_autofree char *text = g_strdup_printf ("{\"a\":\"back\\\\\",\"b\":%s}", above);
    assert_refused (text, strlen (text), "nested deeper");
  }
  {
    g_autofree char *text = g_strdup_printf ("{\"a\":\"back\\\\\",\"b\":%s}", at);
    g_autoptr(JsonNode) ok = parse (text, &error);
    g_assert_no_error (error);
  }
  /* A text that ends inside a string or an escape is not JSON, and not a crash. */
  assert_refused ("{\"a\":\"[[[", 9, "not valid JSON");
  assert_refused ("{\"a\":\"\\", 7, "not valid JSON");
}

static void
test_nul (void)
{
  const char *refused[] = {
    "{\"title\":\"a\\u0000b\"}",
    "{\"title\":\"\\u0000\"}",
    "{\"title\":\"a\\u00000\"}",
    "{\"a\\u0000\":\"b\"}",
    "{\"a\":[\"x\",\"\\\\\\u0000\"]}",   /* an escaped backslash, then the escape */
  };
  const char *accepted[][2] = {
    { "{\"title\":\"a\\\\u0000b\"}", "a\\u0000b" },  /* an escaped backslash, then text */
    { "{\"title\":\"a\\u000ab\"}", "a\nb" },
    { "{\"title\":\"a\\u000Ab\"}", "a\nb" },
    { "{\"title\":\"a\\u0100b\"}", "a\xc4\x80" "b" },
    { "{\"title\":\"u0000\"}", "u0000" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    assert_refused (refused[i], strlen (refused[i]), "NUL");
  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = parse (accepted[i][0], &error);

      g_assert_no_error (error);
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "title"), ==, accepted[i][1]);
    }

  /* Raw NUL bytes, inside a string and outside. */
  {
    const char raw[] = "{\"title\":\"a\0b\"}";
    const char outside[] = "{\"title\":\"ab\"}\0";
    assert_refused (raw, sizeof raw - 1, "NUL byte");
    assert_refused (outside, sizeof outside - 1, "NUL byte");
  }
  /* Escapes JSON has not, which json-glib would take: "\0" and "\000" (octal) are a NUL. */
  {
    const char *escapes[] = {
      "{\"title\":\"a\\0b\"}",
      "{\"title\":\"a\\000b\"}",
      "{\"title\":\"a\\U0000b\"}",
      "{\"title\":\"a\\x00b\"}",
      "{\"title\":\"a\\qb\"}",
    };
    for (guint i = 0; i < G_N_ELEMENTS (escapes); i++)
      assert_refused (escapes[i], strlen (escapes[i]), "escape that is not JSON");
  }
  /* Every escape JSON has is fine. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = parse ("{\"title\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\"}", &error);

    g_assert_no_error (error);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "title"), ==, "\"\\/\b\f\n\r\tA");
  }
}

static void
test_check_text (void)
{
  g_autoptr(GError) error = NULL;

  /* The guard alone, as the importer uses it: any JSON value, even a top-level array. */
  g_assert_true (si_wire_check_text ("[[1],[2]]", 9, &error));
  g_assert_no_error (error);
  g_assert_true (si_wire_check_text ("", 0, &error));
  g_assert_no_error (error);
  g_assert_false (si_wire_check_text ("[\"\\u0000\"]", 10, &error));
  g_assert_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON);
  g_clear_error (&error);

  /* The size is checked before a byte is read: a text over the limit needs no 1 GiB here. */
  g_assert_false (si_wire_check_text ("{}", SI_WIRE_MAX_BYTES + 1, &error));
  g_assert_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON);
  g_assert_nonnull (strstr (error->message, "larger than"));
}

/* ---------------------------------------------------------------------------------------- */
/* the bound on a server's answer */

#define ANSWER_CHUNK (16 * 1024)

static void
write_more (SoupServerMessage *msg,
            gpointer           user_data)
{
  static const char chunk[ANSWER_CHUNK] = { ' ' };

  soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_STATIC,
                            chunk, sizeof chunk);
}

static void
handle (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  if (g_str_equal (path, "/endless"))
    {
      /* A body that never ends: one more chunk each time one is written. */
      soup_message_headers_set_encoding (soup_server_message_get_response_headers (msg), SOUP_ENCODING_CHUNKED);
      g_signal_connect (msg, "wrote-chunk", G_CALLBACK (write_more), user_data);
      write_more (msg, user_data);
    }
  else
    {
      gsize size = g_ascii_strtoull (path + 1, NULL, 10);
      char *data = g_strnfill (size, 'x');

      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_TAKE, data, size);
    }
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GBytes *
read_answer (SoupSession       *session,
             SiTestFakeServer  *fake,
             const char        *path,
             gsize              max_bytes,
             GError           **error)
{
  g_autofree char *url = g_strconcat (si_test_fake_server_get_url (fake), path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GAsyncResult) result = NULL;

  _si_http_send_and_read_async (session, msg, max_bytes, NULL, got_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return _si_http_send_and_read_finish (session, result, error);
}

static void
test_answer_limit (void)
{
  g_autoptr(SiTestFakeServer) fake = si_test_fake_server_start (handle, NULL);
  g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);

  /* Up to the limit: read whole, as soup_session_send_and_read would. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) bytes = read_answer (session, fake, "/100000", 100000, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (g_bytes_get_size (bytes), ==, 100000);
    g_assert_cmpint (((const char *) g_bytes_get_data (bytes, NULL))[99999], ==, 'x');
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) bytes = read_answer (session, fake, "/0", 10, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (g_bytes_get_size (bytes), ==, 0);
  }
  /* One byte more: refused. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) bytes = read_answer (session, fake, "/100001", 100000, &error);

    g_assert_null (bytes);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  }
  /* A body that never ends: refused once the limit is passed, and not read on to its end
   * (there is none). The session still works afterwards. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) bytes = read_answer (session, fake, "/endless", 1024 * 1024, &error);

    g_assert_null (bytes);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) bytes = read_answer (session, fake, "/5", 10, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (g_bytes_get_size (bytes), ==, 5);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/wire/depth", test_depth);
  g_test_add_func ("/wire/brackets-in-strings", test_brackets_in_strings);
  g_test_add_func ("/wire/nul", test_nul);
  g_test_add_func ("/wire/check-text", test_check_text);
  g_test_add_func ("/wire/answer-limit", test_answer_limit);
  return g_test_run ();
}
