/* test-wire-values.c — the codec's small values: whole numbers in URLs and If-Match, and tag
 * names (si_wire_int64_parse, si_wire_if_match_parse, si_wire_tag_name_normalize, and a tag
 * record's name in a request and in a response). */
#include "config.h"

#include <string.h>

#include "si-wire.h"

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
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire-values/int64-range", test_int64_range);
  g_test_add_func ("/wire-values/int64-form", test_int64_form);
  g_test_add_func ("/wire-values/if-match", test_if_match);
  g_test_add_func ("/wire-values/json-integers", test_json_integers);
  g_test_add_func ("/wire-values/tag-name-normalize", test_tag_name_normalize);
  g_test_add_func ("/wire-values/tag-name-key", test_tag_name_key);
  g_test_add_func ("/wire-values/tag-record-name", test_tag_record_name);

  return g_test_run ();
}
