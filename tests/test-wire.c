/* test-wire.c — the JSON codec: its guard against hostile text (si_wire_check_text,
 * si_wire_parse), the bound on what the client reads of a server's answer, and its small
 * values: whole numbers in URLs and If-Match, and tag names (si_wire_int64_parse,
 * si_wire_if_match_parse, si_wire_tag_name_normalize, and a tag record's name in a request
 * and in a response). */
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

/* ---------------------------------------------------------------------------------------- */
/* small values */

static void
assert_int64 (const char *text,
              gint64      min,
              gint64      max,
              gboolean    ok,
              gint64      expected)
{
  gint64 value = -42;
  gboolean parsed = si_wire_int64_parse (text, -1, min, max, &value);

  g_autofree char *shown = g_strescape (text, NULL);

  g_test_message ("“%s” in [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT "]", shown, min, max);
  g_assert_cmpint (parsed, ==, ok);
  /* Refused: the value is left alone. */
  g_assert_cmpint (value, ==, ok ? expected : -42);
}

static void
test_int64_range (void)
{
  char text[32];

  assert_int64 ("0", 0, G_MAXINT64, TRUE, 0);
  assert_int64 ("0", 1, G_MAXINT64, FALSE, 0);
  assert_int64 ("1", 1, G_MAXINT64, TRUE, 1);
  assert_int64 ("12", 0, G_MAXINT64, TRUE, 12);
  assert_int64 ("999999999999999999", 1, G_MAXINT64, TRUE, G_GINT64_CONSTANT (999999999999999999));
  assert_int64 ("1000000000000000000", 1, G_MAXINT64, TRUE, G_GINT64_CONSTANT (1000000000000000000));
  assert_int64 ("9223372036854775806", 1, G_MAXINT64, TRUE, G_MAXINT64 - 1);
  assert_int64 ("9223372036854775807", 0, G_MAXINT64, TRUE, G_MAXINT64);
  assert_int64 ("9223372036854775807", 1, G_MAXINT64, TRUE, G_MAXINT64);
  assert_int64 ("9223372036854775808", 0, G_MAXINT64, FALSE, 0);
  assert_int64 ("9999999999999999999", 0, G_MAXINT64, FALSE, 0);
  assert_int64 ("10000000000000000000", 0, G_MAXINT64, FALSE, 0);
  assert_int64 ("18446744073709551615", 0, G_MAXINT64, FALSE, 0);
  assert_int64 ("18446744073709551617", 0, G_MAXINT64, FALSE, 0);   /* 2^64 + 1: no wrap to 1 */
  assert_int64 ("123456789012345678901234567890", 0, G_MAXINT64, FALSE, 0);

  /* Every power of ten and every 2^k - 1 that fits, and the next value up. */
  for (guint k = 1; k <= 63; k++)
    {
      guint64 v = (G_GUINT64_CONSTANT (1) << k) - 1;

      g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, v);
      assert_int64 (text, 0, G_MAXINT64, TRUE, (gint64) v);
      g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, v + 1);
      assert_int64 (text, 0, G_MAXINT64, k < 63, (gint64) (k < 63 ? v + 1 : 0));
    }
  for (guint64 p = 1, k = 0; k <= 18; k++, p *= 10)
    {
      g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, p);
      assert_int64 (text, 1, G_MAXINT64, TRUE, (gint64) p);
    }

  /* The caller's range. */
  assert_int64 ("1000", 1, 1000, TRUE, 1000);
  assert_int64 ("1001", 1, 1000, FALSE, 0);
  assert_int64 ("0", 1, 1000, FALSE, 0);
}

static void
test_int64_form (void)
{
  const char *refused[] = {
    "", "+1", "-1", "-0", "+0", " 1", "1 ", "\t1", "1\n", "01", "00", "007", "0x10", "1e3", "1.0",
    "1,000", "1_000", "١٢", /* Arabic-Indic digits */ "１２", /* full-width */ "12a", "a12",
    "0009223372036854775807", "-9223372036854775808", "+9223372036854775807",
  };
  gint64 value = -42;

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    assert_int64 (refused[i], 0, G_MAXINT64, FALSE, 0);
  g_assert_false (si_wire_int64_parse (NULL, -1, 0, G_MAXINT64, &value));

  /* With a length: exactly those bytes, no more, and a NUL inside is refused. */
  g_assert_true (si_wire_int64_parse ("123\"", 3, 0, G_MAXINT64, &value));
  g_assert_cmpint (value, ==, 123);
  g_assert_true (si_wire_int64_parse ("9223372036854775807999", 19, 0, G_MAXINT64, &value));
  g_assert_cmpint (value, ==, G_MAXINT64);
  g_assert_false (si_wire_int64_parse ("12\0" "3", 4, 0, G_MAXINT64, &value));
  g_assert_false (si_wire_int64_parse ("12", 0, 0, G_MAXINT64, &value));
  g_assert_cmpint (value, ==, G_MAXINT64);
}

static void
assert_if_match (const char *header,
                 gboolean    ok,
                 gint64      expected)
{
  gint64 version = -42;

  g_autofree char *shown = g_strescape (header, NULL);

  g_test_message ("If-Match: %s", shown);
  g_assert_cmpint (si_wire_if_match_parse (header, &version), ==, ok);
  if (ok)
    g_assert_cmpint (version, ==, expected);
}

static void
test_if_match (void)
{
  const char *refused[] = {
    "", " ", "*", "\"\"", "W/\"\"", "W/12", "w/\"12\"", "\"12", "12\"", "\"12\"x", "\"12\" \"13\"",
    "\"+12\"", "\"-12\"", "+12", "-12", "\" 12\"", "\"12 \"", "\"012\"", "012", "W/\"012\"",
    "\"9223372036854775808\"", "9223372036854775808", "W/\"9223372036854775808\"",
    "\"99999999999999999999\"", "\"18446744073709551617\"", "\"1e3\"", "12,13", "\"12\",\"13\"",
  };

  assert_if_match ("12", TRUE, 12);
  assert_if_match ("\"12\"", TRUE, 12);
  assert_if_match ("W/\"12\"", TRUE, 12);
  assert_if_match (" \t\"12\" \t", TRUE, 12);
  assert_if_match ("0", TRUE, 0);
  assert_if_match ("\"9223372036854775807\"", TRUE, G_MAXINT64);
  assert_if_match ("9223372036854775807", TRUE, G_MAXINT64);
  assert_if_match ("W/\"9223372036854775807\"", TRUE, G_MAXINT64);
  assert_if_match ("\"1000000000000000000\"", TRUE, G_GINT64_CONSTANT (1000000000000000000));
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    assert_if_match (refused[i], FALSE, 0);
  {
    gint64 version = 5;
    g_assert_false (si_wire_if_match_parse (NULL, &version));
  }

  /* What si_wire_etag_format() writes reads back. */
  {
    gint64 values[] = { 1, 12, G_GINT64_CONSTANT (999999999999999999), G_MAXINT64 };

    for (guint i = 0; i < G_N_ELEMENTS (values); i++)
      {
        g_autofree char *etag = si_wire_etag_format (values[i]);
        assert_if_match (etag, TRUE, values[i]);
      }
  }
}

static void
assert_json_fits (const char *json,
                  gboolean    fits)
{
  g_autoptr(GError) error = NULL;

  g_test_message ("JSON %s", json);
  g_assert_cmpint (si_wire_check_text (json, strlen (json), &error), ==, fits);
  if (fits)
    g_assert_no_error (error);
  else
    g_assert_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON);
}

static void
test_json_integers (void)
{
  const char *fit[] = {
    "{}", "{\"id\":1}", "{\"id\":0}", "{\"id\":-1}", "[1,2,3]",
    "{\"id\":9223372036854775807}", "{\"id\":-9223372036854775808}",
    "{\"version\":999999999999999999,\"x\":1000000000000000000}",
    /* doubles are not integers */
    "{\"x\":18446744073709551617.5}", "{\"x\":1e400}", "{\"x\":-99999999999999999999E-3}",
    "{\"x\":99999999999999999999.0e+2}",
    /* inside strings, numbers are text; escapes do not end a string */
    "{\"99999999999999999999\":\"18446744073709551617\"}", "{\"a\":\"\\\"99999999999999999999\"}",
    "{\"a\":\"\\\\\",\"b\":12}",
    "",
  };
  const char *too_big[] = {
    "{\"id\":9223372036854775808}", "{\"id\":-9223372036854775809}",
    "{\"id\":18446744073709551617}", "{\"id\":99999999999999999999}",
    "{\"operations\":[{\"method\":\"DELETE\",\"collection\":\"ideas\",\"id\":1,\"if_match\":18446744073709551621}]}",
    "[1,2,100000000000000000000]", "{\"a\":\"\\\\\",\"b\":9223372036854775808}",
    "{\"a\":\"x\",\"b\":[-18446744073709551615]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (fit); i++)
    assert_json_fits (fit[i], TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (too_big); i++)
    assert_json_fits (too_big[i], FALSE);

  /* What the checker stands for: json-glib 1.6 reads -(2^64 - 1) as 1, a valid id. */
  {
    g_autoptr(JsonParser) parser = json_parser_new ();

    g_assert_true (json_parser_load_from_data (parser, "{\"id\":-18446744073709551615}", -1, NULL));
    g_test_message ("json-glib reads -18446744073709551615 as %" G_GINT64_FORMAT,
                    json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)), "id"));
  }
}

static void
assert_tag_name (const char           *name,
                 SiWireTagNameProblem  problem,
                 const char           *expected)
{
  g_autofree char *out = (char *) 0x1;
  g_autofree char *again = NULL;

  g_autofree char *shown = g_strescape (name, NULL);

  if (strlen (shown) > 80)
    shown[80] = '\0';
  g_test_message ("tag name “%s”", shown);
  g_assert_cmpint (si_wire_tag_name_normalize (name, &out), ==, problem);
  g_assert_cmpstr (out, ==, expected);
  if (out != NULL)
    {
      /* Normalising twice changes nothing. */
      g_assert_cmpint (si_wire_tag_name_normalize (out, &again), ==, SI_WIRE_TAG_NAME_OK);
      g_assert_cmpstr (again, ==, out);
    }
}

static void
test_tag_name_normalize (void)
{
  g_autoptr(GString) long_name = g_string_new (NULL);

  assert_tag_name ("Work", SI_WIRE_TAG_NAME_OK, "Work");
  assert_tag_name ("  Work  ", SI_WIRE_TAG_NAME_OK, "Work");
  assert_tag_name ("two  words", SI_WIRE_TAG_NAME_OK, "two words");
  assert_tag_name ("two\t\n words", SI_WIRE_TAG_NAME_OK, "two words");
  /* Unicode spaces: NO-BREAK SPACE, EM SPACE, IDEOGRAPHIC SPACE, LINE SEPARATOR, NEL, VT. */
  assert_tag_name ("\u00a0x\u2003y\u3000", SI_WIRE_TAG_NAME_OK, "x y");
  assert_tag_name ("x\u2028y\xc2\x85z\vw", SI_WIRE_TAG_NAME_OK, "x y z w");
  /* Zero-width characters go, wherever they are. */
  assert_tag_name ("x\u200b", SI_WIRE_TAG_NAME_OK, "x");
  assert_tag_name ("\ufeffx", SI_WIRE_TAG_NAME_OK, "x");
  assert_tag_name ("a\u200cb\u200dc\u2060d", SI_WIRE_TAG_NAME_OK, "abcd");
  assert_tag_name (" \u200b x \u200b ", SI_WIRE_TAG_NAME_OK, "x");
  assert_tag_name ("a \u200b b", SI_WIRE_TAG_NAME_OK, "a b");
  /* NFC: e + COMBINING ACUTE is é. */
  assert_tag_name ("cafe\u0301", SI_WIRE_TAG_NAME_OK, "caf\u00e9");
  assert_tag_name ("caf\u00e9", SI_WIRE_TAG_NAME_OK, "caf\u00e9");
  /* Not touched: case, punctuation, other scripts, emoji. */
  assert_tag_name ("C++ / Rust", SI_WIRE_TAG_NAME_OK, "C++ / Rust");
  assert_tag_name ("日本語", SI_WIRE_TAG_NAME_OK, "日本語");
  assert_tag_name ("🚀", SI_WIRE_TAG_NAME_OK, "🚀");

  /* Nothing left. */
  assert_tag_name ("", SI_WIRE_TAG_NAME_EMPTY, NULL);
  assert_tag_name (" ", SI_WIRE_TAG_NAME_EMPTY, NULL);
  assert_tag_name ("\t\r\n", SI_WIRE_TAG_NAME_EMPTY, NULL);
  assert_tag_name ("\u200b", SI_WIRE_TAG_NAME_EMPTY, NULL);
  assert_tag_name ("\u00a0\u200b\u3000\ufeff", SI_WIRE_TAG_NAME_EMPTY, NULL);

  /* Control characters. */
  assert_tag_name ("a\x01" "b", SI_WIRE_TAG_NAME_CONTROL, NULL);
  assert_tag_name ("\x1b[31mred", SI_WIRE_TAG_NAME_CONTROL, NULL);
  assert_tag_name ("a\x7f", SI_WIRE_TAG_NAME_CONTROL, NULL);
  assert_tag_name ("a\xc2\x9b" "b", SI_WIRE_TAG_NAME_CONTROL, NULL);   /* U+009B CSI */

  /* Not UTF-8. */
  assert_tag_name ("bad \xc3\x28", SI_WIRE_TAG_NAME_NOT_UTF8, NULL);
  assert_tag_name ("\xff", SI_WIRE_TAG_NAME_NOT_UTF8, NULL);

  /* The limit counts what is left. */
  for (guint i = 0; i < SI_TAG_NAME_MAX_CHARS; i++)
    g_string_append (long_name, "é");
  g_string_append (long_name, "\u200b\u200b   ");
  g_string_prepend (long_name, "   \u200b");
  {
    g_autofree char *out = NULL;

    g_assert_cmpint (si_wire_tag_name_normalize (long_name->str, &out), ==, SI_WIRE_TAG_NAME_OK);
    g_assert_cmpint (g_utf8_strlen (out, -1), ==, SI_TAG_NAME_MAX_CHARS);
  }
  g_string_append (long_name, "x");
  assert_tag_name (long_name->str, SI_WIRE_TAG_NAME_TOO_LONG, NULL);
  /* Decomposed: 2 × 100 code points, 100 characters once composed. */
  g_string_truncate (long_name, 0);
  for (guint i = 0; i < SI_TAG_NAME_MAX_CHARS; i++)
    g_string_append (long_name, "e\u0301");
  {
    g_autofree char *out = NULL;

    g_assert_cmpint (si_wire_tag_name_normalize (long_name->str, &out), ==, SI_WIRE_TAG_NAME_OK);
    g_assert_cmpint (g_utf8_strlen (out, -1), ==, SI_TAG_NAME_MAX_CHARS);
  }
  /* A megabyte of letters is refused without normalising it all. */
  g_string_truncate (long_name, 0);
  for (guint i = 0; i < 1024 * 1024; i++)
    g_string_append_c (long_name, 'a');
  assert_tag_name (long_name->str, SI_WIRE_TAG_NAME_TOO_LONG, NULL);
}

static void
test_tag_name_key (void)
{
  g_autofree char *a = si_wire_tag_name_key ("Café");
  g_autofree char *b = si_wire_tag_name_key ("CAFE\u0301");
  g_autofree char *c = si_wire_tag_name_key ("x");
  g_autofree char *d = si_wire_tag_name_key ("x\u200b");

  g_assert_cmpstr (a, ==, b);
  /* The key itself keeps zero-width characters: a name stored before normalisation keeps its
   * own key, so a server holding "x" and "x\u200b" still has two distinct tags. */
  g_assert_cmpstr (c, !=, d);
}

static JsonNode *
tag_node (const char *name)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "uid");
  json_builder_add_string_value (builder, "6f2a0e8e-1b7c-4d8e-9a53-0c4d1e2f3a4b");
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, 3);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 7);
  json_builder_set_member_name (builder, "deleted");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_set_member_name (builder, "created_at");
  json_builder_add_string_value (builder, "2026-11-28T04:08:50.123Z");
  json_builder_set_member_name (builder, "updated_at");
  json_builder_add_string_value (builder, "2026-11-28T04:08:50.123Z");
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "colour");
  json_builder_add_string_value (builder, "");
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
test_tag_record_name (void)
{
  /* In a request (what the server reads), the name is normalised or refused. */
  {
    g_autoptr(JsonNode) node = tag_node ("  x\u200b ");
    g_autoptr(GError) error = NULL;
    g_autoptr(SiWireRecord) record = si_wire_record_from_json (node, SI_WIRE_COLLECTION_TAGS,
                                                               SI_WIRE_MODE_REQUEST, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (record->name, ==, "x");
  }
  {
    const char *refused[] = { " ", "\u200b", "\u3000\u200d", "a\x02" };

    for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
      {
        g_autoptr(JsonNode) node = tag_node (refused[i]);
        g_autoptr(GError) error = NULL;
        g_autoptr(SiWireRecord) record = si_wire_record_from_json (node, SI_WIRE_COLLECTION_TAGS,
                                                                   SI_WIRE_MODE_REQUEST, &error);

        g_assert_null (record);
        g_assert_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD);
        g_assert_nonnull (strstr (error->message, "“name”"));
      }
  }

  /* In a response (what a client reads), a name the server stored before the rule comes as
   * it is: refusing it would stop the client's sync at that page. */
  {
    const char *kept[] = { " ", "x\u200b", " padded " };

    for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
      {
        g_autoptr(JsonNode) node = tag_node (kept[i]);
        g_autoptr(GError) error = NULL;
        g_autoptr(SiWireRecord) record = si_wire_record_from_json (node, SI_WIRE_COLLECTION_TAGS,
                                                                   SI_WIRE_MODE_RESPONSE, &error);

        g_assert_no_error (error);
        g_assert_cmpstr (record->name, ==, kept[i]);
      }
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
  g_test_add_func ("/wire/values/int64-range", test_int64_range);
  g_test_add_func ("/wire/values/int64-form", test_int64_form);
  g_test_add_func ("/wire/values/if-match", test_if_match);
  g_test_add_func ("/wire/values/json-integers", test_json_integers);
  g_test_add_func ("/wire/values/tag-name-normalize", test_tag_name_normalize);
  g_test_add_func ("/wire/values/tag-name-key", test_tag_name_key);
  g_test_add_func ("/wire/values/tag-record-name", test_tag_record_name);
  return g_test_run ();
}
