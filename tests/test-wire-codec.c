/* test-wire-codec.c — the wire codec itself (si-wire.h): records of both collections in both
 * modes, and the small values (collections, timestamps, colours, ETags); pages, error bodies and
 * batches are in test-wire-batch.c. Every refusal is checked to be SI_WIRE_ERROR_INVALID_FIELD
 * with the field's name in the message. */
#include "config.h"

#include <string.h>

#include "si-test-wire.h"

/* ---------------------------------------------------------------------------------------- */
/* small values */

static void
test_collection_names (void)
{
  SiWireCollection collection = SI_WIRE_COLLECTION_IDEAS;
  const char *bad[] = { "Tags", "IDEAS", "tag", "idea", "", " tags", "tags ", "notes", NULL };

  g_assert_cmpstr (si_wire_collection_to_string (SI_WIRE_COLLECTION_TAGS), ==, "tags");
  g_assert_cmpstr (si_wire_collection_to_string (SI_WIRE_COLLECTION_IDEAS), ==, "ideas");
  /* The numbers are stored on disk by the server. */
  g_assert_cmpint (SI_WIRE_COLLECTION_TAGS, ==, 1);
  g_assert_cmpint (SI_WIRE_COLLECTION_IDEAS, ==, 2);

  g_assert_true (si_wire_collection_from_string ("tags", &collection));
  g_assert_cmpint (collection, ==, SI_WIRE_COLLECTION_TAGS);
  g_assert_true (si_wire_collection_from_string ("ideas", &collection));
  g_assert_cmpint (collection, ==, SI_WIRE_COLLECTION_IDEAS);

  /* Unknown names: FALSE, and the collection is left alone. */
  for (guint i = 0; bad[i] != NULL; i++)
    {
      collection = SI_WIRE_COLLECTION_TAGS;
      g_assert_false (si_wire_collection_from_string (bad[i], &collection));
      g_assert_cmpint (collection, ==, SI_WIRE_COLLECTION_TAGS);
    }
  collection = SI_WIRE_COLLECTION_IDEAS;
  g_assert_false (si_wire_collection_from_string (NULL, &collection));
  g_assert_cmpint (collection, ==, SI_WIRE_COLLECTION_IDEAS);
}

static void
assert_time (const char *text,
             gint64      expected)
{
  gint64 ms = -42;

  g_test_message ("time %s", text);
  if (!si_wire_timestamp_parse (text, &ms))
    g_error ("“%s” was refused", text);
  g_assert_cmpint (ms, ==, expected);
}

static void
assert_time_refused (const char *text)
{
  gint64 ms = -42;

  g_test_message ("time %s (refused)", text);
  if (si_wire_timestamp_parse (text, &ms))
    g_error ("“%s” was accepted as %" G_GINT64_FORMAT, text, ms);
}

static void
test_timestamp_parse (void)
{
  const gint64 s = G_GINT64_CONSTANT (1795838930);   /* 2026-11-28T04:08:50Z */
  const char *refused[] = {
    "",
    "2026-11-28",
    "2026-11-28T04:08:50",              /* no zone */
    "2026-11-28T04:08",
    "2026-11-28 04:08:50Z",             /* RFC 3339 allows a space; the codec does not */
    "2026-11-28X04:08:50Z",
    "26-11-28T04:08:50Z",
    "+2026-11-28T04:08:50Z",
    "-2026-11-28T04:08:50Z",
    " 2026-11-28T04:08:50Z",
    "2026-11-28T04:08:50Z ",
    "2026-11-28T04:08:50Zx",
    "2026-11-28T04:08:50.Z",            /* a point without digits */
    "2026-11-28T04:08:50,123Z",
    "2026-1-28T04:08:50Z",
    "2026-11-28T4:08:50Z",
    "2026/11/28T04:08:50Z",
    "2026-11-28T04:08:50+0200",
    "2026-11-28T04:08:50+02",
    "2026-11-28T04:08:50+24:00",
    "2026-11-28T04:08:50+02:60",
    "2026-11-28T04:08:50 +02:00",
    "2026-00-28T04:08:50Z",
    "2026-13-28T04:08:50Z",
    "2026-11-00T04:08:50Z",
    "2026-11-31T04:08:50Z",
    "2026-04-31T04:08:50Z",
    "2026-11-28T24:00:00Z",
    "2026-11-28T04:60:50Z",
    "2026-11-28T04:08:60Z",             /* no leap seconds */
    "2016-12-31T23:59:60Z",             /* not even a real one */
    "2023-02-29T00:00:00Z",             /* not a leap year */
    "2100-02-29T00:00:00Z",             /* a century: not a leap year */
    "1969-12-31T23:59:59Z",             /* before 1970 */
    "1969-12-31T23:59:59.999Z",
    "0000-01-01T00:00:00Z",
    "1970-01-01T00:30:00+01:00",        /* 1969 in UTC */
    "1969-12-31T23:30:00-01:00",        /* 1970 in UTC, but the year written is 1969 */
    "２026-11-28T04:08:50Z",             /* a non-ASCII digit */
    NULL
  };

  assert_time ("2026-11-28T04:08:50.123Z", s * 1000 + 123);
  assert_time ("2026-11-28T04:08:50Z", s * 1000);
  assert_time ("2026-11-28t04:08:50z", s * 1000);
  assert_time ("2026-11-28T04:08:50.000Z", s * 1000);
  /* Fractions: fewer digits are tenths and hundredths; beyond milliseconds is truncated. */
  assert_time ("2026-11-28T04:08:50.1Z", s * 1000 + 100);
  assert_time ("2026-11-28T04:08:50.12Z", s * 1000 + 120);
  assert_time ("2026-11-28T04:08:50.1239Z", s * 1000 + 123);
  assert_time ("2026-11-28T04:08:50.999999999Z", s * 1000 + 999);
  /* Offsets: the local time minus the offset. */
  assert_time ("2026-11-28T06:08:50.123+02:00", s * 1000 + 123);
  assert_time ("2026-11-28T04:08:50+00:00", s * 1000);
  assert_time ("2026-11-28T04:08:50-00:00", s * 1000);
  assert_time ("2026-11-27T22:38:50-05:30", s * 1000);
  assert_time ("2026-11-28T13:53:50+09:45", s * 1000);
  assert_time ("2026-11-29T04:07:50+23:59", s * 1000);   /* across the date */
  assert_time ("2026-11-27T04:09:50-23:59", s * 1000);
  assert_time ("2027-01-01T00:00:00+01:00", G_GINT64_CONSTANT (1798758000000));  /* across the year */
  /* Leap years as the calendar has them; the edges of the range. */
  assert_time ("2024-02-29T12:00:00Z", G_GINT64_CONSTANT (1709208000000));
  assert_time ("2000-02-29T00:00:00Z", G_GINT64_CONSTANT (951782400000));
  assert_time ("1970-01-01T00:00:00Z", 0);
  assert_time ("1970-01-01T00:00:00.001Z", 1);
  assert_time ("1970-01-01T01:00:00+01:00", 0);
  assert_time ("9999-12-31T23:59:59.999Z", G_GINT64_CONSTANT (253402300799999));

  for (guint i = 0; refused[i] != NULL; i++)
    assert_time_refused (refused[i]);
  assert_time_refused (NULL);
}

static void
test_timestamp_format (void)
{
  struct { gint64 ms; const char *text; } cases[] = {
    { 0, "1970-01-01T00:00:00.000Z" },
    { 1, "1970-01-01T00:00:00.001Z" },
    { 999, "1970-01-01T00:00:00.999Z" },
    { 1000, "1970-01-01T00:00:01.000Z" },
    { G_GINT64_CONSTANT (1795838930123), "2026-11-28T04:08:50.123Z" },
    { G_GINT64_CONSTANT (1709208000000), "2024-02-29T12:00:00.000Z" },
    { G_GINT64_CONSTANT (951782400000), "2000-02-29T00:00:00.000Z" },
    { G_GINT64_CONSTANT (253402300799999), "9999-12-31T23:59:59.999Z" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = si_wire_timestamp_format (cases[i].ms);
      gint64 back = -1;

      g_assert_cmpstr (text, ==, cases[i].text);
      g_assert_true (si_wire_timestamp_parse (text, &back));
      g_assert_cmpint (back, ==, cases[i].ms);
    }

  /* Before the epoch: written as the epoch (the codec never writes a time it would refuse). */
  {
    g_autofree char *text = si_wire_timestamp_format (-1);
    g_autofree char *text2 = si_wire_timestamp_format (G_MININT64);

    g_assert_cmpstr (text, ==, "1970-01-01T00:00:00.000Z");
    g_assert_cmpstr (text2, ==, "1970-01-01T00:00:00.000Z");
  }
  /* Beyond year 9999: not promised either way, but what is written must be a time the codec
   * reads back. */
  {
    g_autofree char *text = si_wire_timestamp_format (G_MAXINT64);
    gint64 back = -1;

    g_assert_true (si_wire_timestamp_parse (text, &back));
  }
}

/* Whatever si_wire_timestamp_parse() accepts, si_wire_timestamp_format() writes back as the
 * same instant: the server stores the parsed milliseconds and answers with the formatted text. */
static void
test_timestamp_round_trip (void)
{
  const char *accepted[] = {
    "2026-11-28T04:08:50.123Z",
    "2026-11-28T06:08:50.123+02:00",
    "1970-01-01T00:00:00Z",
    "2024-02-29T23:59:59.999-00:30",
    "9999-12-31T23:59:59.999Z",
    "9999-12-31T23:59:59.999+23:59",
    NULL
  };
  const char *beyond = "9999-12-31T23:59:59-01:00";   /* 10000-01-01T00:59:59Z */
  gint64 ms = 0;

  for (guint i = 0; accepted[i] != NULL; i++)
    {
      g_autofree char *text = NULL;
      gint64 back = -1;

      g_assert_true (si_wire_timestamp_parse (accepted[i], &ms));
      text = si_wire_timestamp_format (ms);
      g_assert_true (si_wire_timestamp_parse (text, &back));
      g_assert_cmpint (back, ==, ms);
    }

  /* The year is checked as written, but with its offset a time must still lie in 1970..9999
   * UTC: si_wire_timestamp_format() could not write one after 9999 back (it used to come back
   * from the server dated 1970). */
  g_assert_false (si_wire_timestamp_parse (beyond, &ms));
}

/* RFC 3339 allows any number of digits in the fraction; those beyond the milliseconds are
 * dropped (si-wire.h, docs/protocol.md). */
static void
test_timestamp_long_fraction (void)
{
  const gint64 expected = G_GINT64_CONSTANT (1795838930123);
  const char *texts[] = {
    "2026-11-28T04:08:50.1234567890Z",
    "2026-11-28T04:08:50.123456789012345678901234567890Z",
    NULL
  };

  for (guint i = 0; texts[i] != NULL; i++)
    {
      gint64 ms = -1;

      g_test_message ("%s", texts[i]);
      g_assert_true (si_wire_timestamp_parse (texts[i], &ms));
      g_assert_cmpint (ms, ==, expected);
    }
}

/* Every date the parser knows, held against GDateTime (which checked the dates before the
 * parser computed them itself): each day of each month, with the days a month does not have
 * (the 29th of February outside leap years, the 31st of a 30-day month) refused. */
static void
test_timestamp_calendar (void)
{
  const int years[] = { 1970, 1971, 1972, 1999, 2000, 2001, 2024, 2026, 2100, 2400, 2999, 9999 };

  for (guint y = 0; y < G_N_ELEMENTS (years); y++)
    for (int month = 0; month <= 13; month++)
      for (int day = 0; day <= 32; day++)
        {
          g_autoptr(GDateTime) dt = g_date_time_new_utc (years[y], month, day, 23, 59, 58);
          g_autofree char *text = g_strdup_printf ("%04d-%02d-%02dT23:59:58.250Z", years[y], month, day);

          if (dt == NULL)
            assert_time_refused (text);
          else
            assert_time (text, g_date_time_to_unix (dt) * 1000 + 250);
        }
  /* Each day from 1970 to 2100 at noon, with an offset that moves it to the day before. */
  for (gint64 days = 0; days < 47847; days++)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (days * 86400 + 43200);
      g_autofree char *text = g_strdup_printf ("%04d-%02d-%02dT12:00:00-13:30", g_date_time_get_year (dt),
                                               g_date_time_get_month (dt), g_date_time_get_day_of_month (dt));
      gint64 ms = -1;

      g_assert_true (si_wire_timestamp_parse (text, &ms));
      g_assert_cmpint (ms, ==, (days * 86400 + 43200 + 13 * 3600 + 30 * 60) * 1000);
    }
}

static void
test_colour (void)
{
  const char *valid[] = { "", "#3584e4", "#ABCDEF", "#000000", "#ffffff", "#aBc123", NULL };
  const char *invalid[] = {
    "#", "#12345", "#1234567", "3584e4", "#3584e", "#3584eg", "#GGGGGG", "red", " #3584e4",
    "#3584e4 ", "##3584e", "#35 84e", "#３584e4", "rgb(1,2,3)", "#-12345", NULL
  };

  for (guint i = 0; valid[i] != NULL; i++)
    g_assert_true (si_wire_colour_is_valid (valid[i]));
  for (guint i = 0; invalid[i] != NULL; i++)
    {
      g_test_message ("colour “%s”", invalid[i]);
      g_assert_false (si_wire_colour_is_valid (invalid[i]));
    }
  g_assert_false (si_wire_colour_is_valid (NULL));
}

static void
test_etag_format (void)
{
  gint64 versions[] = { 0, 1, 12, 1795838930123, G_MAXINT64 };
  const char *texts[] = { "\"0\"", "\"1\"", "\"12\"", "\"1795838930123\"", "\"9223372036854775807\"" };

  for (guint i = 0; i < G_N_ELEMENTS (versions); i++)
    {
      g_autofree char *etag = si_wire_etag_format (versions[i]);
      g_autofree char *weak = g_strdup_printf ("W/%s", etag);
      gint64 back = -1;

      g_assert_cmpstr (etag, ==, texts[i]);
      /* What the server writes in ETag, a client sends back in If-Match. */
      g_assert_true (si_wire_if_match_parse (etag, &back));
      g_assert_cmpint (back, ==, versions[i]);
      back = -1;
      g_assert_true (si_wire_if_match_parse (weak, &back));
      g_assert_cmpint (back, ==, versions[i]);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* records */

static void
test_record_round_trip (void)
{
  SiWireCollection collections[] = { SI_WIRE_COLLECTION_IDEAS, SI_WIRE_COLLECTION_TAGS };

  for (guint c = 0; c < G_N_ELEMENTS (collections); c++)
    {
      g_autoptr(SiWireRecord) record = make_record (collections[c]);

      /* A response carries everything. */
      {
        g_autoptr(JsonNode) node = si_wire_record_to_json (record, SI_WIRE_MODE_RESPONSE);
        g_autoptr(JsonNode) parsed = via_text (node);
        g_autoptr(GError) error = NULL;
        g_autoptr(SiWireRecord) back = NULL;
        JsonObject *object = json_node_get_object (node);

        g_assert_true (json_object_has_member (object, "id"));
        g_assert_true (json_object_has_member (object, "version"));
        g_assert_true (json_object_has_member (object, "deleted"));
        g_assert_cmpstr (json_object_get_string_member (object, "created_at"), ==,
                         "2026-11-28T04:08:50.123Z");
        g_assert_cmpstr (json_object_get_string_member (object, "updated_at"), ==,
                         "2026-11-28T09:38:50.456Z");

        back = si_wire_record_from_json (parsed, collections[c], SI_WIRE_MODE_RESPONSE, &error);
        g_assert_no_error (error);
        assert_same_record (record, back, TRUE);
      }

      /* A request carries no id, version or deleted; parsing one leaves them unset. */
      {
        g_autoptr(JsonNode) node = si_wire_record_to_json (record, SI_WIRE_MODE_REQUEST);
        g_autoptr(JsonNode) parsed = via_text (node);
        g_autoptr(GError) error = NULL;
        g_autoptr(SiWireRecord) back = NULL;
        JsonObject *object = json_node_get_object (node);

        g_assert_false (json_object_has_member (object, "id"));
        g_assert_false (json_object_has_member (object, "version"));
        g_assert_false (json_object_has_member (object, "deleted"));
        g_assert_cmpstr (json_object_get_string_member (object, "uid"), ==, record->uid);

        back = si_wire_record_from_json (parsed, collections[c], SI_WIRE_MODE_REQUEST, &error);
        g_assert_no_error (error);
        assert_same_record (record, back, FALSE);
        g_assert_cmpint (back->id, ==, 0);
        g_assert_cmpint (back->version, ==, 0);
        g_assert_false (back->deleted);
      }
    }
}

/* An empty idea (no tags, empty strings, not pinned) and a tag without colour survive too. */
static void
test_record_round_trip_empty (void)
{
  g_autoptr(SiWireRecord) idea = si_wire_record_new (SI_WIRE_COLLECTION_IDEAS);
  g_autoptr(SiWireRecord) tag = make_tag ();
  g_autoptr(JsonNode) idea_node = NULL;
  g_autoptr(JsonNode) tag_node = NULL;
  g_autoptr(SiWireRecord) idea_back = NULL;
  g_autoptr(SiWireRecord) tag_back = NULL;
  g_autoptr(GError) error = NULL;

  idea->id = 1;
  idea->version = 1;
  idea->uid = g_strdup (UID);
  g_free (tag->colour);
  tag->colour = g_strdup ("");

  idea_node = si_wire_record_to_json (idea, SI_WIRE_MODE_RESPONSE);
  idea_back = si_wire_record_from_json (idea_node, SI_WIRE_COLLECTION_IDEAS,
                                        SI_WIRE_MODE_RESPONSE, &error);
  g_assert_no_error (error);
  assert_same_record (idea, idea_back, TRUE);
  g_assert_cmpstr (idea_back->title, ==, "");
  g_assert_nonnull (idea_back->tags);
  g_assert_cmpuint (idea_back->tags->len, ==, 0);

  tag_node = si_wire_record_to_json (tag, SI_WIRE_MODE_REQUEST);
  tag_back = si_wire_record_from_json (tag_node, SI_WIRE_COLLECTION_TAGS,
                                       SI_WIRE_MODE_REQUEST, &error);
  g_assert_no_error (error);
  assert_same_record (tag, tag_back, FALSE);
  g_assert_cmpstr (tag_back->colour, ==, "");
}

/* si_wire_record_build() writes the same object as si_wire_record_to_json(), into a builder
 * that expects a value (here inside an array and as an object member). */
static void
test_record_build (void)
{
  g_autoptr(SiWireRecord) idea = make_idea ();
  g_autoptr(SiWireRecord) tag = make_tag ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) alone = NULL;
  g_autofree char *alone_text = NULL;
  g_autofree char *built_text = NULL;
  JsonArray *array;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "list");
  json_builder_begin_array (builder);
  si_wire_record_build (idea, SI_WIRE_MODE_RESPONSE, builder);
  si_wire_record_build (tag, SI_WIRE_MODE_REQUEST, builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "one");
  si_wire_record_build (idea, SI_WIRE_MODE_REQUEST, builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  array = json_object_get_array_member (json_node_get_object (root), "list");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);

  alone = si_wire_record_to_json (idea, SI_WIRE_MODE_RESPONSE);
  alone_text = si_wire_to_string (alone, NULL);
  built_text = si_wire_to_string (json_array_get_element (array, 0), NULL);
  g_assert_cmpstr (built_text, ==, alone_text);

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(SiWireRecord) tag_back =
      si_wire_record_from_json (json_array_get_element (array, 1), SI_WIRE_COLLECTION_TAGS,
                                SI_WIRE_MODE_REQUEST, &error);
    g_autoptr(SiWireRecord) idea_back =
      si_wire_record_from_json (json_object_get_member (json_node_get_object (root), "one"),
                                SI_WIRE_COLLECTION_IDEAS, SI_WIRE_MODE_REQUEST, &error);

    g_assert_no_error (error);
    assert_same_record (tag, tag_back, FALSE);
    assert_same_record (idea, idea_back, FALSE);
  }
}

/* A tombstone from the server carries no collection fields; one is written without them. */
static void
test_record_tombstone (void)
{
  SiWireCollection collections[] = { SI_WIRE_COLLECTION_IDEAS, SI_WIRE_COLLECTION_TAGS };
  const char *fields[] = { "title", "body", "pinned", "tags", "name", "colour", NULL };

  for (guint c = 0; c < G_N_ELEMENTS (collections); c++)
    {
      g_autoptr(SiWireRecord) record = make_record (collections[c]);
      g_autoptr(SiWireRecord) live = make_record (collections[c]);
      g_autoptr(SiWireRecord) other = si_wire_record_new (collections[c]);
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(JsonNode) parsed = NULL;
      g_autoptr(SiWireRecord) back = NULL;
      g_autoptr(GError) error = NULL;
      JsonObject *object;

      record->deleted = TRUE;
      other->deleted = TRUE;
      node = si_wire_record_to_json (record, SI_WIRE_MODE_RESPONSE);
      object = json_node_get_object (node);
      g_assert_true (json_object_get_boolean_member (object, "deleted"));
      for (guint i = 0; fields[i] != NULL; i++)
        g_assert_false (json_object_has_member (object, fields[i]));

      parsed = via_text (node);
      back = si_wire_record_from_json (parsed, collections[c], SI_WIRE_MODE_RESPONSE, &error);
      g_assert_no_error (error);
      g_assert_true (back->deleted);
      assert_same_record (record, back, TRUE);
      /* Two tombstones are equal whatever their fields held; a tombstone is not the live one. */
      g_assert_true (si_wire_record_content_equal (back, other));
      g_assert_false (si_wire_record_content_equal (back, live));
    }

  /* A tombstone in the documented shape, as text. */
  {
    g_autoptr(JsonNode) node = parse_text (
      "{\"id\":5,\"uid\":\"" UID "\",\"version\":6,\"created_at\":\"2026-11-28T04:08:50.123Z\","
      "\"updated_at\":\"2026-11-28T04:08:50.123Z\",\"deleted\":true}");
    g_autoptr(GError) error = NULL;
    g_autoptr(SiWireRecord) back = si_wire_record_from_json (node, SI_WIRE_COLLECTION_IDEAS,
                                                             SI_WIRE_MODE_RESPONSE, &error);

    g_assert_no_error (error);
    g_assert_true (back->deleted);
    g_assert_cmpint (back->id, ==, 5);
    g_assert_cmpint (back->version, ==, 6);
  }

  /* A tombstone still needs what every record has, and its fields (if sent) their types. */
  {
    const char *needed[] = { "id", "uid", "version", "created_at", "updated_at", NULL };

    for (guint i = 0; needed[i] != NULL; i++)
      {
        g_autoptr(SiWireRecord) record = make_idea ();
        g_autoptr(JsonNode) node = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(SiWireRecord) back = NULL;

        record->deleted = TRUE;
        node = si_wire_record_to_json (record, SI_WIRE_MODE_RESPONSE);
        json_object_remove_member (json_node_get_object (node), needed[i]);
        back = si_wire_record_from_json (node, SI_WIRE_COLLECTION_IDEAS,
                                         SI_WIRE_MODE_RESPONSE, &error);
        g_assert_null (back);
        assert_field_error (error, needed[i]);
      }
  }
  {
    g_autoptr(SiWireRecord) record = make_tag ();
    g_autoptr(JsonNode) node = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(SiWireRecord) back = NULL;

    record->deleted = TRUE;
    node = si_wire_record_to_json (record, SI_WIRE_MODE_RESPONSE);
    json_object_set_int_member (json_node_get_object (node), "name", 3);
    back = si_wire_record_from_json (node, SI_WIRE_COLLECTION_TAGS, SI_WIRE_MODE_RESPONSE, &error);
    g_assert_null (back);
    assert_field_error (error, "name");
  }

  /* In a request "deleted" is ignored: a record without its fields is refused. */
  {
    g_autoptr(SiWireRecord) record = make_idea ();
    g_autoptr(JsonNode) node = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(SiWireRecord) back = NULL;

    record->deleted = TRUE;
    node = si_wire_record_to_json (record, SI_WIRE_MODE_RESPONSE);
    json_object_remove_member (json_node_get_object (node), "id");
    json_object_remove_member (json_node_get_object (node), "version");
    back = si_wire_record_from_json (node, SI_WIRE_COLLECTION_IDEAS, SI_WIRE_MODE_REQUEST, &error);
    g_assert_null (back);
    assert_field_error (error, "title");
  }
}

static void
test_record_uid (void)
{
  SiWireCollection collections[] = { SI_WIRE_COLLECTION_IDEAS, SI_WIRE_COLLECTION_TAGS };
  const char *bad[] = {
    "", "not-a-uuid", "6f2a0e8e1b7c4d8e9a530c4d1e2f3a4b", "{" UID "}", UID "0",
    "6f2a0e8e-1b7c-4d8e-9a53-0c4d1e2f3a4", "6f2a0e8e-1b7c-4d8e-9a53-0c4d1e2f3a4g",
    " " UID, "6f2a0e8e_1b7c_4d8e_9a53_0c4d1e2f3a4b", NULL
  };

  for (guint c = 0; c < G_N_ELEMENTS (collections); c++)
    {
      /* A request without uid (an update): uid NULL, and none written back. */
      {
        g_autoptr(SiWireRecord) record = expect_record_ok (collections[c], SI_WIRE_MODE_REQUEST,
                                                           "uid", NULL);
        g_autoptr(JsonNode) node = NULL;

        g_assert_null (record->uid);
        node = si_wire_record_to_json (record, SI_WIRE_MODE_REQUEST);
        g_assert_false (json_object_has_member (json_node_get_object (node), "uid"));
      }
      /* A response always has one. */
      expect_record_error (collections[c], SI_WIRE_MODE_RESPONSE, "uid", NULL, "uid");

      /* Sent back in lower case. */
      for (guint m = SI_WIRE_MODE_REQUEST; m <= SI_WIRE_MODE_RESPONSE; m++)
        {
          g_autoptr(SiWireRecord) record =
            expect_record_ok (collections[c], m, "uid", jstr ("6F2A0E8E-1B7C-4D8E-9A53-0C4D1E2F3A4B"));

          g_assert_cmpstr (record->uid, ==, UID);

          for (guint i = 0; bad[i] != NULL; i++)
            expect_record_error (collections[c], m, "uid", jstr (bad[i]), "uid");
          expect_record_error (collections[c], m, "uid", jv ("12"), "uid");
          expect_record_error (collections[c], m, "uid", jv ("null"), "uid");
          expect_record_error (collections[c], m, "uid", jv ("[\"" UID "\"]"), "uid");
        }
    }

  /* One character of a uid changed at each place, one left off and one added: accepted
   * exactly when GLib takes it for a UUID, and then in lower case. */
  for (guint at = 0; at <= 36; at++)
    for (const char *with = "-0aF_g:G\x7f"; *with != '\0'; with++)
      for (guint how = 0; how < 3; how++)
        {
          g_autoptr(GString) uid = g_string_new ("6F2A0E8E-1B7C-4D8E-9A53-0C4D1E2F3A4B");

          if (how == 0 && at < 36)
            uid->str[at] = *with;
          else if (how == 1 && at < 36)
            g_string_erase (uid, at, 1);
          else if (how == 2)
            g_string_insert_c (uid, at, *with);
          if (g_uuid_string_is_valid (uid->str))
            {
              g_autoptr(SiWireRecord) record = expect_record_ok (SI_WIRE_COLLECTION_IDEAS, SI_WIRE_MODE_REQUEST,
                                                                 "uid", jstr (uid->str));
              g_autofree char *lower = g_ascii_strdown (uid->str, -1);

              g_assert_cmpstr (record->uid, ==, lower);
            }
          else
            expect_record_error (SI_WIRE_COLLECTION_IDEAS, SI_WIRE_MODE_REQUEST, "uid", jstr (uid->str), "uid");
        }
}

static void
test_record_unknown_fields (void)
{
  struct { SiWireCollection collection; const char *member; } cases[] = {
    { SI_WIRE_COLLECTION_IDEAS, "extra" },
    { SI_WIRE_COLLECTION_IDEAS, "colour" },       /* a field of the other collection */
    { SI_WIRE_COLLECTION_IDEAS, "collection" },
    { SI_WIRE_COLLECTION_IDEAS, "Title" },
    { SI_WIRE_COLLECTION_TAGS, "title" },
    { SI_WIRE_COLLECTION_TAGS, "color" },
    { SI_WIRE_COLLECTION_TAGS, "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SiWireRecord) record = NULL;

      /* Refused in a request, naming the field ... */
      expect_record_error (cases[i].collection, SI_WIRE_MODE_REQUEST, cases[i].member,
                           jv ("1"), cases[i].member);
      /* ... ignored in a response (a newer server may add fields). */
      record = expect_record_ok (cases[i].collection, SI_WIRE_MODE_RESPONSE, cases[i].member,
                                 jv ("{\"x\":[1,2]}"));
      {
        g_autoptr(SiWireRecord) expected = make_record (cases[i].collection);

        assert_same_record (expected, record, TRUE);
      }
    }

  /* An unknown name that is not UTF-8 is named readably (made valid), not passed on raw. */
  {
    g_autoptr(JsonNode) node = record_json_with (SI_WIRE_COLLECTION_TAGS, SI_WIRE_MODE_REQUEST,
                                                 "bad\xff", jv ("1"));
    g_autoptr(GError) error = NULL;
    g_autoptr(SiWireRecord) record = si_wire_record_from_json (node, SI_WIRE_COLLECTION_TAGS,
                                                               SI_WIRE_MODE_REQUEST, &error);

    g_assert_null (record);
    g_assert_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD);
    g_assert_true (g_utf8_validate (error->message, -1, NULL));
    g_assert_nonnull (strstr (error->message, "“bad"));
  }

  /* id, version and deleted are known in a request and ignored, whatever they hold. */
  {
    const char *members[] = { "id", "version", "deleted", NULL };

    for (guint i = 0; members[i] != NULL; i++)
      {
        g_autoptr(SiWireRecord) record = expect_record_ok (SI_WIRE_COLLECTION_IDEAS,
                                                           SI_WIRE_MODE_REQUEST, members[i],
                                                           jv ("\"whatever\""));

        g_assert_cmpint (record->id, ==, 0);
        g_assert_cmpint (record->version, ==, 0);
        g_assert_false (record->deleted);
      }
  }
}

/* Every field with a value of the wrong JSON type. */
static void
test_record_wrong_types (void)
{
  struct { SiWireCollection collection; const char *member; const char *value; gboolean response_only; } cases[] = {
    { SI_WIRE_COLLECTION_IDEAS, "created_at", "1795838930123", FALSE },
    { SI_WIRE_COLLECTION_IDEAS, "created_at", "null", FALSE },
    { SI_WIRE_COLLECTION_IDEAS, "updated_at", "true", FALSE },
    { SI_WIRE_COLLECTION_IDEAS, "updated_at", "{}", FALSE },
    { SI_WIRE_COLLECTION_IDEAS, "title", "1", FALSE },
    { SI_WIRE_COLLECTION_IDEAS, "title", "null", FALSE },
    { SI_WIRE_COLLECTION_IDEAS, "title", "[\"x\"]", FALSE },
    { SI_WIRE_COLLECTION_IDEAS, "body", "false", FALSE },
    { SI_WIRE_COLLECTION_IDEAS, "body", "null", FALSE },
    { SI_WIRE_COLLECTION_IDEAS, "pinned", "\"true\"", FALSE },
    { SI_WIRE_COLLECTION_IDEAS, "pinned", "1", FALSE },
    { SI_WIRE_COLLECTION_IDEAS, "pinned", "null", FALSE },
    { SI_WIRE_COLLECTION_IDEAS, "tags", "\"1\"", FALSE },
    { SI_WIRE_COLLECTION_IDEAS, "tags", "1", FALSE },
    { SI_WIRE_COLLECTION_IDEAS, "tags", "{}", FALSE },
    { SI_WIRE_COLLECTION_IDEAS, "tags", "null", FALSE },
    { SI_WIRE_COLLECTION_IDEAS, "tags", "[1,\"2\"]", FALSE },
    { SI_WIRE_COLLECTION_IDEAS, "tags", "[1.5]", FALSE },
    { SI_WIRE_COLLECTION_IDEAS, "tags", "[1.0]", FALSE },
    { SI_WIRE_COLLECTION_IDEAS, "tags", "[true]", FALSE },
    { SI_WIRE_COLLECTION_IDEAS, "tags", "[null]", FALSE },
    { SI_WIRE_COLLECTION_IDEAS, "tags", "[[1]]", FALSE },
    { SI_WIRE_COLLECTION_IDEAS, "tags", "[{\"id\":1}]", FALSE },
    { SI_WIRE_COLLECTION_IDEAS, "id", "\"42\"", TRUE },
    { SI_WIRE_COLLECTION_IDEAS, "id", "42.5", TRUE },
    { SI_WIRE_COLLECTION_IDEAS, "id", "null", TRUE },
    { SI_WIRE_COLLECTION_IDEAS, "version", "true", TRUE },
    { SI_WIRE_COLLECTION_IDEAS, "version", "7.0", TRUE },
    { SI_WIRE_COLLECTION_IDEAS, "deleted", "\"false\"", TRUE },
    { SI_WIRE_COLLECTION_IDEAS, "deleted", "0", TRUE },
    { SI_WIRE_COLLECTION_IDEAS, "deleted", "null", TRUE },
    { SI_WIRE_COLLECTION_TAGS, "name", "1", FALSE },
    { SI_WIRE_COLLECTION_TAGS, "name", "null", FALSE },
    { SI_WIRE_COLLECTION_TAGS, "name", "[\"Work\"]", FALSE },
    { SI_WIRE_COLLECTION_TAGS, "colour", "3507428", FALSE },
    { SI_WIRE_COLLECTION_TAGS, "colour", "null", FALSE },
    { SI_WIRE_COLLECTION_TAGS, "created_at", "0", FALSE },
    { SI_WIRE_COLLECTION_TAGS, "id", "\"5\"", TRUE },
    { SI_WIRE_COLLECTION_TAGS, "version", "{}", TRUE },
    { SI_WIRE_COLLECTION_TAGS, "deleted", "\"true\"", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      expect_record_error (cases[i].collection, SI_WIRE_MODE_RESPONSE, cases[i].member,
                           jv (cases[i].value), cases[i].member);
      if (!cases[i].response_only)
        expect_record_error (cases[i].collection, SI_WIRE_MODE_REQUEST, cases[i].member,
                             jv (cases[i].value), cases[i].member);
    }

  /* A string that is not UTF-8 (json-glib does not check when a node is built by hand). */
  {
    const char *idea_members[] = { "title", "body", "created_at", "uid", NULL };

    for (guint i = 0; idea_members[i] != NULL; i++)
      for (guint m = SI_WIRE_MODE_REQUEST; m <= SI_WIRE_MODE_RESPONSE; m++)
        expect_record_error (SI_WIRE_COLLECTION_IDEAS, m, idea_members[i], jstr ("ab\xc3\x28"),
                             idea_members[i]);
    for (guint m = SI_WIRE_MODE_REQUEST; m <= SI_WIRE_MODE_RESPONSE; m++)
      {
        expect_record_error (SI_WIRE_COLLECTION_TAGS, m, "name", jstr ("W\xffrk"), "name");
        expect_record_error (SI_WIRE_COLLECTION_TAGS, m, "colour", jstr ("#35\x84" "e4"), "colour");
      }
  }

  /* Not an object at all. */
  {
    const char *values[] = { "[]", "1", "\"record\"", "null", "true", NULL };

    for (guint i = 0; values[i] != NULL; i++)
      for (guint m = SI_WIRE_MODE_REQUEST; m <= SI_WIRE_MODE_RESPONSE; m++)
        {
          g_autoptr(JsonNode) node = jv (values[i]);
          g_autoptr(GError) error = NULL;
          g_autoptr(SiWireRecord) record = si_wire_record_from_json (node, SI_WIRE_COLLECTION_IDEAS,
                                                                     m, &error);

          g_assert_null (record);
          g_assert_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD);
        }
  }
}

/* Every required field left out. */
static void
test_record_missing (void)
{
  const char *idea_fields[] = { "created_at", "updated_at", "title", "body", "pinned", "tags", NULL };
  const char *tag_fields[] = { "created_at", "updated_at", "name", "colour", NULL };
  const char *response_fields[] = { "id", "uid", "version", "deleted", NULL };

  for (guint m = SI_WIRE_MODE_REQUEST; m <= SI_WIRE_MODE_RESPONSE; m++)
    {
      for (guint i = 0; idea_fields[i] != NULL; i++)
        expect_record_error (SI_WIRE_COLLECTION_IDEAS, m, idea_fields[i], NULL, idea_fields[i]);
      for (guint i = 0; tag_fields[i] != NULL; i++)
        expect_record_error (SI_WIRE_COLLECTION_TAGS, m, tag_fields[i], NULL, tag_fields[i]);
    }
  for (guint i = 0; response_fields[i] != NULL; i++)
    {
      expect_record_error (SI_WIRE_COLLECTION_IDEAS, SI_WIRE_MODE_RESPONSE, response_fields[i],
                           NULL, response_fields[i]);
      expect_record_error (SI_WIRE_COLLECTION_TAGS, SI_WIRE_MODE_RESPONSE, response_fields[i],
                           NULL, response_fields[i]);
    }

  /* The empty object. */
  for (guint m = SI_WIRE_MODE_REQUEST; m <= SI_WIRE_MODE_RESPONSE; m++)
    {
      g_autoptr(JsonNode) node = jv ("{}");
      g_autoptr(GError) error = NULL;
      g_autoptr(SiWireRecord) record = si_wire_record_from_json (node, SI_WIRE_COLLECTION_TAGS, m,
                                                                 &error);

      g_assert_null (record);
      g_assert_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD);
      g_assert_nonnull (strstr (error->message, "is missing"));
    }
}

static char *
repeat (const char *unit,
        guint       n)
{
  GString *text = g_string_sized_new (strlen (unit) * n + 1);

  for (guint i = 0; i < n; i++)
    g_string_append (text, unit);
  return g_string_free (text, FALSE);
}

static JsonNode *
tag_ids (guint  n,
         gint64 first)
{
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < n; i++)
    json_array_add_int_element (array, first + i);
  json_node_take_array (node, array);
  return node;
}

/* Every value out of range, and the values just inside the limits. */
static void
test_record_out_of_range (void)
{
  for (guint m = SI_WIRE_MODE_REQUEST; m <= SI_WIRE_MODE_RESPONSE; m++)
    {
      /* title: characters, not bytes. */
      {
        g_autofree char *ascii = repeat ("t", SI_TITLE_MAX_CHARS);
        g_autofree char *wide = repeat ("é", SI_TITLE_MAX_CHARS);
        g_autofree char *over = repeat ("t", SI_TITLE_MAX_CHARS + 1);
        g_autofree char *wide_over = repeat ("✓", SI_TITLE_MAX_CHARS + 1);
        g_autoptr(SiWireRecord) a = expect_record_ok (SI_WIRE_COLLECTION_IDEAS, m, "title", jstr (ascii));
        g_autoptr(SiWireRecord) b = expect_record_ok (SI_WIRE_COLLECTION_IDEAS, m, "title", jstr (wide));

        g_assert_cmpstr (a->title, ==, ascii);
        g_assert_cmpstr (b->title, ==, wide);
        expect_record_error (SI_WIRE_COLLECTION_IDEAS, m, "title", jstr (over), "title");
        expect_record_error (SI_WIRE_COLLECTION_IDEAS, m, "title", jstr (wide_over), "title");
      }
      /* body: bytes. */
      {
        g_autofree char *full = repeat ("b", SI_BODY_MAX_BYTES);
        g_autofree char *over = repeat ("b", SI_BODY_MAX_BYTES + 1);
        g_autofree char *wide_over = repeat ("é", SI_BODY_MAX_BYTES / 2 + 1);
        g_autoptr(SiWireRecord) a = expect_record_ok (SI_WIRE_COLLECTION_IDEAS, m, "body", jstr (full));

        g_assert_cmpuint (strlen (a->body), ==, SI_BODY_MAX_BYTES);
        expect_record_error (SI_WIRE_COLLECTION_IDEAS, m, "body", jstr (over), "body");
        expect_record_error (SI_WIRE_COLLECTION_IDEAS, m, "body", jstr (wide_over), "body");
      }
      /* tags: how many, which ids, duplicates. */
      {
        g_autoptr(SiWireRecord) a = expect_record_ok (SI_WIRE_COLLECTION_IDEAS, m, "tags",
                                                      tag_ids (SI_TAGS_PER_IDEA_MAX, 1));
        g_autoptr(SiWireRecord) big = expect_record_ok (SI_WIRE_COLLECTION_IDEAS, m, "tags",
                                                        jv ("[9223372036854775807]"));

        g_assert_cmpuint (a->tags->len, ==, SI_TAGS_PER_IDEA_MAX);
        g_assert_cmpint (g_array_index (a->tags, gint64, SI_TAGS_PER_IDEA_MAX - 1), ==,
                         SI_TAGS_PER_IDEA_MAX);
        g_assert_cmpint (g_array_index (big->tags, gint64, 0), ==, G_MAXINT64);
        expect_record_error (SI_WIRE_COLLECTION_IDEAS, m, "tags",
                             tag_ids (SI_TAGS_PER_IDEA_MAX + 1, 1), "tags");
        expect_record_error (SI_WIRE_COLLECTION_IDEAS, m, "tags", jv ("[1,0]"), "tags");
        expect_record_error (SI_WIRE_COLLECTION_IDEAS, m, "tags", jv ("[-1]"), "tags");
        expect_record_error (SI_WIRE_COLLECTION_IDEAS, m, "tags",
                             jv ("[-9223372036854775808]"), "tags");
      }
      /* Duplicates: docs/protocol.md says they collapse, keeping the order of first
       * appearance (si-wire.h: the record's tags hold no duplicates). */
      {
        g_autoptr(SiWireRecord) a = expect_record_ok (SI_WIRE_COLLECTION_IDEAS, m, "tags",
                                                      jv ("[3,1,3,2,1,3]"));

        g_assert_cmpuint (a->tags->len, ==, 3);
        g_assert_cmpint (g_array_index (a->tags, gint64, 0), ==, 3);
        g_assert_cmpint (g_array_index (a->tags, gint64, 1), ==, 1);
        g_assert_cmpint (g_array_index (a->tags, gint64, 2), ==, 2);
      }
      /* The count is of what is sent, before duplicates collapse. */
      {
        g_autoptr(JsonNode) many = json_node_new (JSON_NODE_ARRAY);
        JsonArray *array = json_array_new ();

        for (guint i = 0; i < SI_TAGS_PER_IDEA_MAX + 1; i++)
          json_array_add_int_element (array, 1);
        json_node_take_array (many, array);
        expect_record_error (SI_WIRE_COLLECTION_IDEAS, m, "tags", json_node_ref (many), "tags");
      }

      /* colour */
      {
        const char *bad[] = { "red", "#12345", "#1234567", "#GGGGGG", "3584e4", " ", "#3584e4 ", NULL };
        g_autoptr(SiWireRecord) upper = expect_record_ok (SI_WIRE_COLLECTION_TAGS, m, "colour",
                                                          jstr ("#ABCDEF"));

        g_assert_cmpstr (upper->colour, ==, "#ABCDEF");
        for (guint i = 0; bad[i] != NULL; i++)
          expect_record_error (SI_WIRE_COLLECTION_TAGS, m, "colour", jstr (bad[i]), "colour");
      }

      /* name: 1 to SI_TAG_NAME_MAX_CHARS characters. */
      {
        g_autofree char *longest = repeat ("ñ", SI_TAG_NAME_MAX_CHARS);
        g_autofree char *over = repeat ("n", SI_TAG_NAME_MAX_CHARS + 1);
        g_autoptr(SiWireRecord) a = expect_record_ok (SI_WIRE_COLLECTION_TAGS, m, "name",
                                                      jstr (longest));

        g_assert_cmpstr (a->name, ==, longest);
        expect_record_error (SI_WIRE_COLLECTION_TAGS, m, "name", jstr (""), "name");
        expect_record_error (SI_WIRE_COLLECTION_TAGS, m, "name", jstr (over), "name");
      }

      /* timestamps */
      {
        const char *bad[] = {
          "", "yesterday", "2026-11-28", "2026-11-28T04:08:50", "1969-12-31T23:59:59Z",
          "2026-02-30T00:00:00Z", "2026-11-28T04:08:60Z", NULL
        };

        for (guint i = 0; bad[i] != NULL; i++)
          {
            expect_record_error (SI_WIRE_COLLECTION_IDEAS, m, "created_at", jstr (bad[i]), "created_at");
            expect_record_error (SI_WIRE_COLLECTION_TAGS, m, "updated_at", jstr (bad[i]), "updated_at");
          }
        {
          g_autoptr(SiWireRecord) a = expect_record_ok (SI_WIRE_COLLECTION_IDEAS, m, "created_at",
                                                        jstr ("2026-11-28T06:08:50.123+02:00"));

          g_assert_cmpint (a->created_at, ==, T_CREATED);
        }
      }
    }

  /* A request's tag name is normalised; a response's is taken as stored. */
  {
    g_autoptr(SiWireRecord) request = expect_record_ok (SI_WIRE_COLLECTION_TAGS, SI_WIRE_MODE_REQUEST,
                                                        "name", jstr ("  Home\t \xe2\x80\x8bwork  "));
    g_autoptr(SiWireRecord) response = expect_record_ok (SI_WIRE_COLLECTION_TAGS,
                                                         SI_WIRE_MODE_RESPONSE, "name",
                                                         jstr ("  Home\t \xe2\x80\x8bwork  "));
    g_autoptr(SiWireRecord) blank = expect_record_ok (SI_WIRE_COLLECTION_TAGS, SI_WIRE_MODE_RESPONSE,
                                                      "name", jstr (" "));

    g_assert_cmpstr (request->name, ==, "Home work");
    g_assert_cmpstr (response->name, ==, "  Home\t \xe2\x80\x8bwork  ");
    g_assert_cmpstr (blank->name, ==, " ");
    expect_record_error (SI_WIRE_COLLECTION_TAGS, SI_WIRE_MODE_REQUEST, "name",
                         jstr (" \xe2\x80\x8b\t "), "name");
    expect_record_error (SI_WIRE_COLLECTION_TAGS, SI_WIRE_MODE_REQUEST, "name",
                         jstr ("a\x01" "b"), "name");
  }

  /* Server ids and versions start at 1. */
  {
    const char *members[] = { "id", "version", NULL };

    for (guint i = 0; members[i] != NULL; i++)
      {
        g_autoptr(SiWireRecord) a = expect_record_ok (SI_WIRE_COLLECTION_IDEAS,
                                                      SI_WIRE_MODE_RESPONSE, members[i],
                                                      jv ("9223372036854775807"));

        g_assert_cmpint (i == 0 ? a->id : a->version, ==, G_MAXINT64);
        expect_record_error (SI_WIRE_COLLECTION_IDEAS, SI_WIRE_MODE_RESPONSE, members[i],
                             jv ("0"), members[i]);
        expect_record_error (SI_WIRE_COLLECTION_TAGS, SI_WIRE_MODE_RESPONSE, members[i],
                             jv ("-5"), members[i]);
      }
  }
}

/* The optional `device`: written only when set, read back in both modes, left out by older
 * peers; a bad one is refused naming the field; it is no content. */
static void
test_record_device (void)
{
  SiWireCollection collections[] = { SI_WIRE_COLLECTION_IDEAS, SI_WIRE_COLLECTION_TAGS };
  SiWireMode modes[] = { SI_WIRE_MODE_REQUEST, SI_WIRE_MODE_RESPONSE };
  g_autofree char *longest = g_strnfill (SI_DEVICE_NAME_MAX_CHARS, 'x');
  g_autofree char *too_long = g_strnfill (SI_DEVICE_NAME_MAX_CHARS + 1, 'x');
  /* 64 characters of two bytes each: the limit counts characters. */
  g_autoptr(GString) wide = g_string_new (NULL);

  for (guint i = 0; i < SI_DEVICE_NAME_MAX_CHARS; i++)
    g_string_append (wide, "é");

  for (guint c = 0; c < G_N_ELEMENTS (collections); c++)
    for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
      {
        SiWireCollection collection = collections[c];
        SiWireMode mode = modes[m];
        const char *good[] = { "laptop", "Ada’s MacBook Pro", " spaced ", longest, wide->str };
        JsonNode *bad[] = { jstr (too_long), jstr (""), jstr ("   "), jstr ("two\nlines"), jstr ("tab\there"),
                            jstr ("nul\x7f"), jstr ("line\xe2\x80\xa8sep"), jv ("42"), jv ("true"),
                            jv ("[\"laptop\"]"), jv ("{}") };

        /* Absent: NULL, and not written back. */
        {
          g_autoptr(SiWireRecord) record = expect_record_ok (collection, mode, NULL, NULL);
          g_autoptr(JsonNode) node = NULL;

          g_assert_null (record->device);
          node = si_wire_record_to_json (record, mode);
          g_assert_false (json_object_has_member (json_node_get_object (node), "device"));
        }

        for (guint i = 0; i < G_N_ELEMENTS (good); i++)
          {
            g_autoptr(SiWireRecord) record = expect_record_ok (collection, mode, "device", jstr (good[i]));
            g_autoptr(JsonNode) node = NULL;
            g_autoptr(JsonNode) parsed = NULL;
            g_autoptr(SiWireRecord) back = NULL;
            g_autoptr(SiWireRecord) copy = NULL;
            g_autoptr(SiWireRecord) other = make_record (collection);
            g_autoptr(GError) error = NULL;

            g_assert_cmpstr (record->device, ==, good[i]);
            node = si_wire_record_to_json (record, mode);
            g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "device"), ==, good[i]);
            parsed = via_text (node);
            back = si_wire_record_from_json (parsed, collection, mode, &error);
            g_assert_no_error (error);
            g_assert_cmpstr (back->device, ==, good[i]);
            copy = si_wire_record_copy (back);
            g_assert_cmpstr (copy->device, ==, good[i]);
            g_assert_true (copy->device != back->device);

            /* Who wrote it is no content. */
            g_assert_null (other->device);
            g_assert_true (si_wire_record_content_equal (back, other));
          }

        for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
          expect_record_error (collection, mode, "device", bad[i], "device");

        /* null: "not known" from a server; a request names a device or leaves it out. */
        if (mode == SI_WIRE_MODE_RESPONSE)
          {
            g_autoptr(SiWireRecord) record = expect_record_ok (collection, mode, "device", jv ("null"));
            g_assert_null (record->device);
          }
        else
          expect_record_error (collection, mode, "device", jv ("null"), "device");
      }

  /* A tombstone from the server may say who deleted it. */
  {
    g_autoptr(SiWireRecord) record = make_idea ();
    g_autoptr(JsonNode) node = NULL;
    g_autoptr(SiWireRecord) back = NULL;
    g_autoptr(GError) error = NULL;

    record->deleted = TRUE;
    record->device = g_strdup ("laptop");
    node = si_wire_record_to_json (record, SI_WIRE_MODE_RESPONSE);
    back = si_wire_record_from_json (node, SI_WIRE_COLLECTION_IDEAS, SI_WIRE_MODE_RESPONSE, &error);
    g_assert_no_error (error);
    g_assert_true (back->deleted);
    g_assert_cmpstr (back->device, ==, "laptop");
  }

  g_assert_false (si_wire_device_name_is_valid (NULL));
  g_assert_false (si_wire_device_name_is_valid ("caf\xe9"));
}

static void
test_record_content_equal (void)
{
  g_autoptr(SiWireRecord) a = make_idea ();
  g_autoptr(SiWireRecord) b = si_wire_record_copy (a);
  g_autoptr(SiWireRecord) t = make_tag ();
  g_autoptr(SiWireRecord) u = si_wire_record_copy (t);

  g_assert_true (si_wire_record_content_equal (a, b));
  /* Ids, versions, uids and times do not count. */
  b->id = 1;
  b->version = 2;
  g_free (b->uid);
  b->uid = NULL;
  b->created_at = 0;
  b->updated_at = 5;
  g_assert_true (si_wire_record_content_equal (a, b));
  /* Tags are a set. */
  g_array_set_size (b->tags, 0);
  si_wire_record_add_tag (b, 2);
  si_wire_record_add_tag (b, 3);
  si_wire_record_add_tag (b, 1);
  g_assert_true (si_wire_record_content_equal (a, b));
  si_wire_record_add_tag (b, 4);
  g_assert_false (si_wire_record_content_equal (a, b));
  g_array_set_size (b->tags, 3);
  b->pinned = FALSE;
  g_assert_false (si_wire_record_content_equal (a, b));
  b->pinned = TRUE;
  g_free (b->body);
  b->body = g_strdup ("other");
  g_assert_false (si_wire_record_content_equal (a, b));

  g_assert_true (si_wire_record_content_equal (t, u));
  g_free (u->colour);
  u->colour = g_strdup ("");
  g_assert_false (si_wire_record_content_equal (t, u));
  g_assert_false (si_wire_record_content_equal (a, t));
}

/* ---------------------------------------------------------------------------------------- */

/* The digest of a record's content: equal content has one digest (ids, uid, times, device
 * and the order of tags aside), and each field of the content changes it. */
static void
test_content_digest (void)
{
  g_autoptr(SiWireRecord) idea = si_wire_record_new (SI_WIRE_COLLECTION_IDEAS);
  g_autoptr(SiWireRecord) same = NULL;
  g_autoptr(SiWireRecord) tag = si_wire_record_new (SI_WIRE_COLLECTION_TAGS);
  g_autoptr(SiWireRecord) tag2 = NULL;
  g_autoptr(GPtrArray) digests = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *digest = NULL;

  g_free (idea->title);
  idea->title = g_strdup ("ab");
  g_free (idea->body);
  idea->body = g_strdup ("c");
  si_wire_record_add_tag (idea, 7);
  si_wire_record_add_tag (idea, 3);
  digest = si_wire_record_content_digest (idea);
  g_assert_cmpuint (strlen (digest), ==, 64);
  /* The SHA-256 of these bytes, as GLib computes it: what earlier versions wrote in their
   * notes of a push (si-store-sync.c), which must still match. */
  {
    g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
    const gint64 ints[][2] = { { SI_WIRE_COLLECTION_IDEAS, 0 }, { 2, 1 }, { 0, 2 }, { 3, 7 } };

    for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
      for (guint k = 0; k < 2; k++)
        {
          guint64 bits = (guint64) ints[i][k];
          guchar bytes[8];

          for (guint b = 0; b < sizeof bytes; b++)
            bytes[b] = (bits >> (8 * b)) & 0xff;
          g_checksum_update (checksum, bytes, sizeof bytes);
          /* The title after its length, the body after its length. */
          if (i == 1 && k == 0)
            g_checksum_update (checksum, (const guchar *) "ab", 2);
          if (i == 1 && k == 1)
            g_checksum_update (checksum, (const guchar *) "c", 1);
        }
    g_assert_cmpstr (digest, ==, g_checksum_get_string (checksum));
  }

  /* What is no content. */
  same = si_wire_record_copy (idea);
  same->id = 12;
  same->version = 4;
  g_free (same->uid);
  same->uid = g_strdup (UID);
  same->created_at = same->updated_at = 1764302930123;
  same->device = g_strdup ("Laptop");
  g_array_set_size (same->tags, 0);
  si_wire_record_add_tag (same, 3);
  si_wire_record_add_tag (same, 7);
  g_assert_true (si_wire_record_content_equal (idea, same));
  g_ptr_array_add (digests, si_wire_record_content_digest (same));
  g_assert_cmpstr (g_ptr_array_index (digests, 0), ==, digest);
  g_ptr_array_set_size (digests, 0);

  /* Each change of content: a digest of its own. */
  g_free (same->title);
  same->title = g_strdup ("a");
  g_free (same->body);
  same->body = g_strdup ("bc");   /* the same characters, cut elsewhere */
  g_ptr_array_add (digests, si_wire_record_content_digest (same));
  g_clear_pointer (&same, si_wire_record_free);
  same = si_wire_record_copy (idea);
  same->pinned = TRUE;
  g_ptr_array_add (digests, si_wire_record_content_digest (same));
  same->pinned = FALSE;
  si_wire_record_add_tag (same, 9);
  g_ptr_array_add (digests, si_wire_record_content_digest (same));
  g_array_set_size (same->tags, 0);
  g_ptr_array_add (digests, si_wire_record_content_digest (same));
  same->deleted = TRUE;
  g_ptr_array_add (digests, si_wire_record_content_digest (same));
  g_free (tag->name);
  tag->name = g_strdup ("ab");
  g_ptr_array_add (digests, si_wire_record_content_digest (tag));
  tag2 = si_wire_record_copy (tag);
  g_free (tag2->colour);
  tag2->colour = g_strdup ("#ff0000");
  g_ptr_array_add (digests, si_wire_record_content_digest (tag2));
  for (guint i = 0; i < digests->len; i++)
    {
      g_assert_cmpstr (g_ptr_array_index (digests, i), !=, digest);
      for (guint j = 0; j < i; j++)
        g_assert_cmpstr (g_ptr_array_index (digests, i), !=, g_ptr_array_index (digests, j));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire/codec/collection", test_collection_names);
  g_test_add_func ("/wire/codec/content-digest", test_content_digest);
  g_test_add_func ("/wire/codec/timestamp/parse", test_timestamp_parse);
  g_test_add_func ("/wire/codec/timestamp/format", test_timestamp_format);
  g_test_add_func ("/wire/codec/timestamp/round-trip", test_timestamp_round_trip);
  g_test_add_func ("/wire/codec/timestamp/long-fraction", test_timestamp_long_fraction);
  g_test_add_func ("/wire/codec/timestamp/calendar", test_timestamp_calendar);
  g_test_add_func ("/wire/codec/colour", test_colour);
  g_test_add_func ("/wire/codec/etag", test_etag_format);
  g_test_add_func ("/wire/codec/record/round-trip", test_record_round_trip);
  g_test_add_func ("/wire/codec/record/round-trip-empty", test_record_round_trip_empty);
  g_test_add_func ("/wire/codec/record/build", test_record_build);
  g_test_add_func ("/wire/codec/record/tombstone", test_record_tombstone);
  g_test_add_func ("/wire/codec/record/uid", test_record_uid);
  g_test_add_func ("/wire/codec/record/device", test_record_device);
  g_test_add_func ("/wire/codec/record/unknown-fields", test_record_unknown_fields);
  g_test_add_func ("/wire/codec/record/wrong-types", test_record_wrong_types);
  g_test_add_func ("/wire/codec/record/missing", test_record_missing);
  g_test_add_func ("/wire/codec/record/out-of-range", test_record_out_of_range);
  g_test_add_func ("/wire/codec/record/content-equal", test_record_content_equal);

  return g_test_run ();
}
