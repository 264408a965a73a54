/* si-test-wire.c — what the wire codec's unit tests share (si-test-wire.h). */
#include "config.h"

#include <string.h>

#include "si-test-wire.h"

/* A JSON value from its text: "1", "\"x\"", "[1,2]", "null", "{}". */
JsonNode *
jv (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

/* A JSON string holding @s as it is (not checked: used for invalid UTF-8 and long strings). */
JsonNode *
jstr (const char *s)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, s);
  return node;
}

JsonNode *
parse_text (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = si_wire_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  return node;
}

/* Through the text and back, as it crosses the wire. */
JsonNode *
via_text (JsonNode *node)
{
  gsize length = 0;
  g_autofree char *text = si_wire_to_string (node, &length);

  g_assert_cmpuint (length, ==, strlen (text));
  return parse_text (text);
}

/* @node as text for a test message: valid UTF-8 (TAP readers refuse anything else), cut at
 * 200 characters. */
char *
shown_json (JsonNode *node)
{
  g_autofree char *text = si_wire_to_string (node, NULL);
  g_autofree char *valid = g_utf8_make_valid (text, -1);

  return g_utf8_substring (valid, 0, MIN (g_utf8_strlen (valid, -1), 200));
}

void
assert_field_error (const GError *error,
                    const char   *field)
{
  g_autofree char *quoted = g_strdup_printf ("“%s”", field);

  g_assert_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD);
  if (strstr (error->message, quoted) == NULL)
    g_error ("The message “%s” does not name the field %s", error->message, quoted);
}

SiWireRecord *
make_idea (void)
{
  SiWireRecord *record = si_wire_record_new (SI_WIRE_COLLECTION_IDEAS);

  record->id = 42;
  record->uid = g_strdup (UID);
  record->version = 7;
  record->created_at = T_CREATED;
  record->updated_at = T_UPDATED;
  g_free (record->title);
  record->title = g_strdup ("Héllo “wire” ✓");
  g_free (record->body);
  record->body = g_strdup ("line 1\nline 2\t\"quoted\" \\ back / ünïcödé 🎉");
  record->pinned = TRUE;
  si_wire_record_add_tag (record, 3);
  si_wire_record_add_tag (record, 1);
  si_wire_record_add_tag (record, 2);
  return record;
}

SiWireRecord *
make_tag (void)
{
  SiWireRecord *record = si_wire_record_new (SI_WIRE_COLLECTION_TAGS);

  record->id = 5;
  record->uid = g_strdup (UID2);
  record->version = 9;
  record->created_at = T_CREATED;
  record->updated_at = T_UPDATED;
  g_free (record->name);
  record->name = g_strdup ("Wörk");
  g_free (record->colour);
  record->colour = g_strdup ("#3584e4");
  return record;
}

SiWireRecord *
make_record (SiWireCollection collection)
{
  return collection == SI_WIRE_COLLECTION_IDEAS ? make_idea () : make_tag ();
}

void
assert_same_tags_in_order (const SiWireRecord *a,
                           const SiWireRecord *b)
{
  guint na = a->tags ? a->tags->len : 0;
  guint nb = b->tags ? b->tags->len : 0;

  g_assert_cmpuint (na, ==, nb);
  for (guint i = 0; i < na; i++)
    g_assert_cmpint (g_array_index (a->tags, gint64, i), ==, g_array_index (b->tags, gint64, i));
}

/* @server_fields: compare id and version too (a response). */
void
assert_same_record (const SiWireRecord *a,
                    const SiWireRecord *b,
                    gboolean            server_fields)
{
  g_assert_cmpint (a->collection, ==, b->collection);
  g_assert_true (si_wire_record_content_equal (a, b));
  g_assert_true (si_wire_record_content_equal (b, a));
  g_assert_cmpstr (a->uid, ==, b->uid);
  g_assert_cmpint (a->created_at, ==, b->created_at);
  g_assert_cmpint (a->updated_at, ==, b->updated_at);
  g_assert_cmpint (!!a->deleted, ==, !!b->deleted);
  if (server_fields)
    {
      g_assert_cmpint (a->id, ==, b->id);
      g_assert_cmpint (a->version, ==, b->version);
    }
  if (a->collection == SI_WIRE_COLLECTION_IDEAS && !a->deleted)
    assert_same_tags_in_order (a, b);
}

/* A fresh JSON object of make_record(@collection) in @mode, with @member set to @value (taken)
 * or removed when @value is NULL. (Fresh each time: json_node_copy() shares the object.) */
JsonNode *
record_json_with (SiWireCollection collection,
                  SiWireMode       mode,
                  const char      *member,
                  JsonNode        *value)
{
  g_autoptr(SiWireRecord) record = make_record (collection);
  JsonNode *node = si_wire_record_to_json (record, mode);
  JsonObject *object = json_node_get_object (node);

  if (member == NULL)
    g_assert_null (value);
  else if (value != NULL)
    json_object_set_member (object, member, value);
  else
    {
      g_assert_true (json_object_has_member (object, member));
      json_object_remove_member (object, member);
    }
  return node;
}

const char *
mode_name (SiWireMode mode)
{
  return mode == SI_WIRE_MODE_REQUEST ? "request" : "response";
}

void
expect_record_error (SiWireCollection collection,
                     SiWireMode       mode,
                     const char      *member,
                     JsonNode        *value,
                     const char      *field)
{
  g_autoptr(JsonNode) node = record_json_with (collection, mode, member, value);
  g_autoptr(GError) error = NULL;
  g_autoptr(SiWireRecord) record = NULL;
  g_autofree char *text = shown_json (node);

  g_test_message ("%s %s: %s", si_wire_collection_to_string (collection), mode_name (mode),
                  text);
  record = si_wire_record_from_json (node, collection, mode, &error);
  g_assert_null (record);
  assert_field_error (error, field);
}

SiWireRecord *
expect_record_ok (SiWireCollection collection,
                  SiWireMode       mode,
                  const char      *member,
                  JsonNode        *value)
{
  g_autoptr(JsonNode) node = record_json_with (collection, mode, member, value);
  g_autoptr(GError) error = NULL;
  SiWireRecord *record;

  record = si_wire_record_from_json (node, collection, mode, &error);
  g_assert_no_error (error);
  g_assert_nonnull (record);
  return record;
}
