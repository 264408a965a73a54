/* test-wire-history.c — the wire codec's history and trash pages (si-wire-history.h): round
 * trips, what a server may add, and every refusal of a hostile or broken page, each checked to
 * be SI_WIRE_ERROR_INVALID_FIELD (or _INVALID_JSON for a top level that is not an object)
 * with the field's name in the message. */
#include "config.h"

#include <string.h>

#include "si-test-wire.h"
#include "si-wire-history.h"

/* ---------------------------------------------------------------------------------------- */
/* helpers */

static void
assert_same_content (const SiWireRecord *a,
                     const SiWireRecord *b)
{
  g_assert_cmpint (a->collection, ==, SI_WIRE_COLLECTION_IDEAS);
  g_assert_cmpint (b->collection, ==, SI_WIRE_COLLECTION_IDEAS);
  g_assert_cmpint (a->version, ==, b->version);
  g_assert_cmpint (a->updated_at, ==, b->updated_at);
  g_assert_cmpstr (a->device, ==, b->device);
  g_assert_cmpstr (a->title, ==, b->title);
  g_assert_cmpstr (a->body, ==, b->body);
  g_assert_cmpint (!!a->pinned, ==, !!b->pinned);
  assert_same_tags_in_order (a, b);
}

/* A history version as the server lists it: no id, uid or created_at. */
static SiWireRecord *
make_version (gint64      version,
              const char *device,
              const char *title)
{
  SiWireRecord *record = si_wire_record_new (SI_WIRE_COLLECTION_IDEAS);

  record->version = version;
  record->updated_at = T_UPDATED + version;
  record->device = g_strdup (device);
  g_free (record->title);
  record->title = g_strdup (title);
  g_free (record->body);
  record->body = g_strdup ("line 1\nline 2\t\"quoted\" \\ ünïcödé 🎉");
  record->pinned = version % 2 == 0;
  si_wire_record_add_tag (record, 7);
  si_wire_record_add_tag (record, 3);
  return record;
}

static SiWireHistoryPage *
make_history_page (void)
{
  SiWireHistoryPage *page = si_wire_history_page_new ();

  g_ptr_array_add (page->versions, make_version (12, "Ada’s laptop", "Twelve"));
  g_ptr_array_add (page->versions, make_version (10, NULL, "Ten"));
  g_ptr_array_add (page->versions, make_version (9, "phone", ""));
  page->more = TRUE;
  page->cursor = 9;
  return page;
}

static SiWireHistoryPage *
history_round_trip (const SiWireHistoryPage *page)
{
  g_autoptr(JsonNode) node = si_wire_history_page_to_json (page);
  g_autoptr(JsonNode) parsed = via_text (node);
  g_autoptr(GError) error = NULL;
  SiWireHistoryPage *back = si_wire_history_page_from_json (parsed, &error);

  g_assert_no_error (error);
  g_assert_nonnull (back);
  return back;
}

/* The history page's JSON with versions[@index].@member set to @value (taken), removed when
 * @value is NULL; @index -1 changes the envelope. */
static JsonNode *
history_json_with (int         index,
                   const char *member,
                   JsonNode   *value)
{
  g_autoptr(SiWireHistoryPage) page = make_history_page ();
  g_autoptr(JsonNode) built = si_wire_history_page_to_json (page);
  JsonNode *node = via_text (built);
  JsonObject *object = json_node_get_object (node);

  if (index >= 0)
    object = json_array_get_object_element (json_object_get_array_member (object, "versions"), index);
  if (value != NULL)
    json_object_set_member (object, member, value);
  else
    json_object_remove_member (object, member);
  return node;
}

static void
expect_history_error (int         index,
                      const char *member,
                      JsonNode   *value,
                      const char *field)
{
  g_autoptr(JsonNode) node = history_json_with (index, member, value);
  g_autoptr(GError) error = NULL;
  g_autoptr(SiWireHistoryPage) page = NULL;
  g_autofree char *text = shown_json (node);

  g_test_message ("history: %s", text);
  page = si_wire_history_page_from_json (node, &error);
  g_assert_null (page);
  assert_field_error (error, field);
}

static SiWireTrashPage *
make_trash_page (void)
{
  SiWireTrashPage *page = si_wire_trash_page_new ();
  SiWireRecord *a = make_version (1240, "Ada’s laptop", "Deleted last");
  SiWireRecord *b = make_version (1100, NULL, "Deleted first");

  a->id = 42;
  a->uid = g_strdup (UID);
  a->created_at = T_CREATED;
  a->deleted = TRUE;
  b->id = 7;
  b->uid = g_strdup (UID2);
  b->created_at = T_CREATED - 1000;
  b->deleted = TRUE;
  g_ptr_array_add (page->entries, si_wire_trash_entry_new (a, T_UPDATED + 5000));
  g_ptr_array_add (page->entries, si_wire_trash_entry_new (b, T_UPDATED + 3000));
  page->more = TRUE;
  page->cursor = 1100;
  return page;
}

static SiWireTrashPage *
trash_from_node (JsonNode *node)
{
  g_autoptr(GError) error = NULL;
  SiWireTrashPage *back = si_wire_trash_page_from_json (node, &error);

  g_assert_no_error (error);
  g_assert_nonnull (back);
  return back;
}

static JsonNode *
trash_json_with (int         index,
                 const char *member,
                 JsonNode   *value)
{
  g_autoptr(SiWireTrashPage) page = make_trash_page ();
  g_autoptr(JsonNode) built = si_wire_trash_page_to_json (page);
  JsonNode *node = via_text (built);
  JsonObject *object = json_node_get_object (node);

  if (index >= 0)
    object = json_array_get_object_element (json_object_get_array_member (object, "records"), index);
  if (value != NULL)
    json_object_set_member (object, member, value);
  else
    json_object_remove_member (object, member);
  return node;
}

static void
expect_trash_error (int         index,
                    const char *member,
                    JsonNode   *value,
                    const char *field)
{
  g_autoptr(JsonNode) node = trash_json_with (index, member, value);
  g_autoptr(GError) error = NULL;
  g_autoptr(SiWireTrashPage) page = NULL;
  g_autofree char *text = shown_json (node);

  g_test_message ("trash: %s", text);
  page = si_wire_trash_page_from_json (node, &error);
  g_assert_null (page);
  assert_field_error (error, field);
}

/* ---------------------------------------------------------------------------------------- */
/* history */

static void
test_history_round_trip (void)
{
  g_autoptr(SiWireHistoryPage) page = make_history_page ();
  g_autoptr(SiWireHistoryPage) back = history_round_trip (page);
  g_autoptr(JsonNode) node = si_wire_history_page_to_json (page);
  JsonObject *object = json_node_get_object (node);
  JsonArray *versions = json_object_get_array_member (object, "versions");

  g_assert_cmpuint (back->versions->len, ==, 3);
  for (guint i = 0; i < page->versions->len; i++)
    {
      SiWireRecord *b = g_ptr_array_index (back->versions, i);

      assert_same_content (g_ptr_array_index (page->versions, i), b);
      g_assert_cmpint (b->id, ==, 0);
      g_assert_null (b->uid);
      g_assert_false (b->deleted);
    }
  g_assert_true (back->more);
  g_assert_cmpint (back->cursor, ==, 9);

  /* The shape of the protocol: the members a version has, no more; `device` only when known. */
  {
    JsonObject *first = json_array_get_object_element (versions, 0);
    JsonObject *second = json_array_get_object_element (versions, 1);
    static const char * const members[] = {
      "version", "updated_at", "device", "title", "body", "pinned", "tags", NULL
    };

    g_assert_cmpuint (json_object_get_size (first), ==, g_strv_length ((char **) members));
    for (guint i = 0; members[i] != NULL; i++)
      g_assert_true (json_object_has_member (first, members[i]));
    g_assert_false (json_object_has_member (second, "device"));
    g_assert_cmpstr (json_object_get_string_member (first, "updated_at"), ==, "2026-11-28T09:38:50.468Z");
    g_assert_cmpint (json_object_get_int_member (object, "cursor"), ==, 9);
  }

  /* The last page: no cursor written; none read. */
  page->more = FALSE;
  {
    g_autoptr(JsonNode) last = si_wire_history_page_to_json (page);
    g_autoptr(SiWireHistoryPage) last_back = history_round_trip (page);

    g_assert_false (json_object_has_member (json_node_get_object (last), "cursor"));
    g_assert_false (last_back->more);
    g_assert_cmpint (last_back->cursor, ==, 0);
  }

  /* An empty page: an idea that only ever was a tombstone, or `before` below everything. */
  g_ptr_array_set_size (page->versions, 0);
  {
    g_autoptr(SiWireHistoryPage) empty = history_round_trip (page);

    g_assert_cmpuint (empty->versions->len, ==, 0);
    g_assert_false (empty->more);
  }
}

/* A server may add members (an answer's unknown members are ignored); a `device` of null
 * says "not known" as leaving it out does; a cursor on the last page is read. */
static void
test_history_tolerant (void)
{
  {
    g_autoptr(JsonNode) node = history_json_with (0, "colour", jv ("\"#ffffff\""));
    g_autoptr(GError) error = NULL;
    g_autoptr(SiWireHistoryPage) page = si_wire_history_page_from_json (node, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (page->versions->len, ==, 3);
  }
  {
    g_autoptr(JsonNode) node = history_json_with (-1, "future", jv ("{\"x\": [1]}"));
    g_autoptr(GError) error = NULL;
    g_autoptr(SiWireHistoryPage) page = si_wire_history_page_from_json (node, &error);

    g_assert_no_error (error);
  }
  {
    g_autoptr(JsonNode) node = history_json_with (0, "device", jv ("null"));
    g_autoptr(GError) error = NULL;
    g_autoptr(SiWireHistoryPage) page = si_wire_history_page_from_json (node, &error);
    SiWireRecord *first;

    g_assert_no_error (error);
    first = g_ptr_array_index (page->versions, 0);
    g_assert_null (first->device);
  }
  {
    g_autoptr(JsonNode) node = parse_text ("{\"versions\": [], \"more\": false, \"cursor\": 4}");
    g_autoptr(GError) error = NULL;
    g_autoptr(SiWireHistoryPage) page = si_wire_history_page_from_json (node, &error);

    g_assert_no_error (error);
    g_assert_false (page->more);
  }
  /* Duplicate tag ids collapse, as in a record. */
  {
    g_autoptr(JsonNode) node = history_json_with (1, "tags", jv ("[5, 5, 2]"));
    g_autoptr(GError) error = NULL;
    g_autoptr(SiWireHistoryPage) page = si_wire_history_page_from_json (node, &error);
    SiWireRecord *second;

    g_assert_no_error (error);
    second = g_ptr_array_index (page->versions, 1);
    g_assert_cmpuint (second->tags->len, ==, 2);
  }
}

static void
test_history_errors (void)
{
  /* Not an object at the top: INVALID_JSON. */
  {
    g_autoptr(JsonNode) node = jv ("[1, 2]");
    g_autoptr(GError) error = NULL;

    g_assert_null (si_wire_history_page_from_json (node, &error));
    g_assert_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON);
  }

  /* The envelope */
  expect_history_error (-1, "versions", NULL, "versions");
  expect_history_error (-1, "versions", jv ("{}"), "versions");
  expect_history_error (-1, "versions", jv ("null"), "versions");
  expect_history_error (-1, "more", NULL, "more");
  expect_history_error (-1, "more", jv ("1"), "more");
  expect_history_error (-1, "cursor", NULL, "cursor");  /* more is true */
  expect_history_error (-1, "cursor", jv ("0"), "cursor");
  expect_history_error (-1, "cursor", jv ("-3"), "cursor");
  expect_history_error (-1, "cursor", jv ("\"9\""), "cursor");
  expect_history_error (-1, "cursor", jv ("9.5"), "cursor");
  /* A cursor above the last listed version would not move a client's paging on. */
  expect_history_error (-1, "cursor", jv ("10"), "cursor");
  expect_history_error (-1, "cursor", jv ("12"), "cursor");
  expect_history_error (-1, "cursor", jv ("9223372036854775807"), "cursor");
  /* "more" with nothing listed */
  {
    g_autoptr(JsonNode) node = parse_text ("{\"versions\": [], \"more\": true, \"cursor\": 4}");
    g_autoptr(GError) error = NULL;

    g_assert_null (si_wire_history_page_from_json (node, &error));
    assert_field_error (error, "versions");
  }

  /* The order: strictly newest first */
  expect_history_error (1, "version", jv ("12"), "versions");
  expect_history_error (1, "version", jv ("13"), "versions");
  expect_history_error (2, "version", jv ("11"), "versions");
}

static void
test_history_version_errors (void)
{
  g_autoptr(GString) long_title = g_string_new (NULL);
  g_autoptr(GString) long_device = g_string_new (NULL);
  g_autofree char *long_body = g_malloc (SI_BODY_MAX_BYTES + 2);

  for (int i = 0; i <= SI_TITLE_MAX_CHARS; i++)
    g_string_append (long_title, "é");
  for (int i = 0; i <= SI_DEVICE_NAME_MAX_CHARS; i++)
    g_string_append_c (long_device, 'd');
  memset (long_body, 'b', SI_BODY_MAX_BYTES + 1);
  long_body[SI_BODY_MAX_BYTES + 1] = '\0';

  /* An element that is not an object */
  {
    g_autoptr(JsonNode) node = parse_text ("{\"versions\": [3], \"more\": false}");
    g_autoptr(GError) error = NULL;

    g_assert_null (si_wire_history_page_from_json (node, &error));
    g_assert_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD);
    g_assert_nonnull (strstr (error->message, "Version 0"));
  }

  expect_history_error (0, "version", NULL, "version");
  expect_history_error (0, "version", jv ("0"), "version");
  expect_history_error (0, "version", jv ("-12"), "version");
  expect_history_error (0, "version", jv ("\"12\""), "version");
  expect_history_error (0, "version", jv ("true"), "version");
  expect_history_error (0, "updated_at", NULL, "updated_at");
  expect_history_error (0, "updated_at", jv ("1795858730456"), "updated_at");
  expect_history_error (0, "updated_at", jv ("\"yesterday\""), "updated_at");
  expect_history_error (0, "device", jv ("3"), "device");
  expect_history_error (0, "device", jv ("\"\""), "device");
  expect_history_error (0, "device", jv ("\"   \""), "device");
  expect_history_error (0, "device", jv ("\"a\\nb\""), "device");
  expect_history_error (0, "device", jstr (long_device->str), "device");
  expect_history_error (0, "device", jstr ("\xff\xfe"), "device");
  expect_history_error (0, "title", NULL, "title");
  expect_history_error (0, "title", jv ("null"), "title");
  expect_history_error (0, "title", jstr ("\xc3"), "title");
  expect_history_error (0, "title", jstr (long_title->str), "title");
  expect_history_error (0, "body", NULL, "body");
  expect_history_error (0, "body", jv ("[]"), "body");
  expect_history_error (0, "body", jstr (long_body), "body");
  expect_history_error (0, "pinned", NULL, "pinned");
  expect_history_error (0, "pinned", jv ("\"true\""), "pinned");
  expect_history_error (0, "tags", NULL, "tags");
  expect_history_error (0, "tags", jv ("{}"), "tags");
  expect_history_error (0, "tags", jv ("[0]"), "tags");
  expect_history_error (0, "tags", jv ("[-1]"), "tags");
  expect_history_error (0, "tags", jv ("[\"3\"]"), "tags");
  expect_history_error (0, "tags", jv ("[1.5]"), "tags");
  {
    g_autoptr(GString) many = g_string_new ("[");

    for (int i = 1; i <= SI_TAGS_PER_IDEA_MAX + 1; i++)
      g_string_append_printf (many, "%s%d", i > 1 ? "," : "", i);
    g_string_append_c (many, ']');
    expect_history_error (0, "tags", jv (many->str), "tags");
  }
}

/* The guard in front of the codec (si_wire_parse()) refuses what json-glib would mangle; a
 * page through it still parses. */
static void
test_history_from_text (void)
{
  static const char *text =
    "{\"versions\":[{\"version\":12,\"updated_at\":\"2026-12-01T10:00:00.000Z\",\"device\":\"Ada’s laptop\","
    "\"title\":\"T\",\"body\":\"B\",\"pinned\":false,\"tags\":[3,7]},"
    "{\"version\":4,\"updated_at\":\"2026-11-30T10:00:00Z\",\"title\":\"\",\"body\":\"\",\"pinned\":true,\"tags\":[]}],"
    "\"more\":true,\"cursor\":4}";
  g_autoptr(JsonNode) node = parse_text (text);
  g_autoptr(GError) error = NULL;
  g_autoptr(SiWireHistoryPage) page = si_wire_history_page_from_json (node, &error);
  SiWireRecord *first, *second;

  g_assert_no_error (error);
  g_assert_cmpuint (page->versions->len, ==, 2);
  first = g_ptr_array_index (page->versions, 0);
  second = g_ptr_array_index (page->versions, 1);
  g_assert_cmpint (first->version, ==, 12);
  g_assert_cmpstr (first->device, ==, "Ada’s laptop");
  g_assert_cmpuint (first->tags->len, ==, 2);
  g_assert_cmpint (g_array_index (first->tags, gint64, 1), ==, 7);
  g_assert_cmpint (second->version, ==, 4);
  g_assert_null (second->device);
  g_assert_true (second->pinned);
  g_assert_true (page->more);
  g_assert_cmpint (page->cursor, ==, 4);
}

/* ---------------------------------------------------------------------------------------- */
/* trash */

static void
test_trash_round_trip (void)
{
  g_autoptr(SiWireTrashPage) page = make_trash_page ();
  g_autoptr(JsonNode) node = si_wire_trash_page_to_json (page);
  g_autoptr(JsonNode) parsed = via_text (node);
  g_autoptr(SiWireTrashPage) back = trash_from_node (parsed);
  JsonObject *object = json_node_get_object (node);
  JsonObject *first = json_array_get_object_element (json_object_get_array_member (object, "records"), 0);
  static const char * const members[] = {
    "id", "uid", "version", "deleted_at", "created_at", "updated_at", "device",
    "title", "body", "pinned", "tags", NULL
  };

  g_assert_cmpuint (back->entries->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      SiWireTrashEntry *a = g_ptr_array_index (page->entries, i);
      SiWireTrashEntry *b = g_ptr_array_index (back->entries, i);

      assert_same_content (a->record, b->record);
      g_assert_cmpint (a->record->id, ==, b->record->id);
      g_assert_cmpstr (a->record->uid, ==, b->record->uid);
      g_assert_cmpint (a->record->created_at, ==, b->record->created_at);
      g_assert_true (b->record->deleted);
      g_assert_cmpint (a->deleted_at, ==, b->deleted_at);
    }
  g_assert_true (back->more);
  g_assert_cmpint (back->cursor, ==, 1100);

  g_assert_cmpuint (json_object_get_size (first), ==, g_strv_length ((char **) members));
  for (guint i = 0; members[i] != NULL; i++)
    g_assert_true (json_object_has_member (first, members[i]));
  /* No "deleted" member: every record of the trash is deleted. */
  g_assert_false (json_object_has_member (first, "deleted"));

  /* The last page */
  page->more = FALSE;
  {
    g_autoptr(JsonNode) last = si_wire_trash_page_to_json (page);
    g_autoptr(SiWireTrashPage) last_back = trash_from_node (last);

    g_assert_false (json_object_has_member (json_node_get_object (last), "cursor"));
    g_assert_false (last_back->more);
  }
}

/* The protocol's example has no cursor: with "more", the last listed tombstone version is the
 * next `before`. Upper-case uids are read in lower case, as a record's. */
static void
test_trash_tolerant (void)
{
  {
    g_autoptr(JsonNode) node = trash_json_with (-1, "cursor", NULL);
    g_autoptr(SiWireTrashPage) page = trash_from_node (node);

    g_assert_true (page->more);
    g_assert_cmpint (page->cursor, ==, 1100);
  }
  {
    g_autofree char *upper = g_ascii_strup (UID, -1);
    g_autoptr(JsonNode) node = trash_json_with (0, "uid", jstr (upper));
    g_autoptr(SiWireTrashPage) page = trash_from_node (node);
    SiWireTrashEntry *entry = g_ptr_array_index (page->entries, 0);

    g_assert_cmpstr (entry->record->uid, ==, UID);
  }
  {
    g_autoptr(JsonNode) node = trash_json_with (1, "deleted", jv ("true"));
    g_autoptr(SiWireTrashPage) page = trash_from_node (node);

    g_assert_cmpuint (page->entries->len, ==, 2);
  }
  {
    g_autoptr(JsonNode) node = parse_text ("{\"records\": [], \"more\": false}");
    g_autoptr(SiWireTrashPage) page = trash_from_node (node);

    g_assert_cmpuint (page->entries->len, ==, 0);
  }
}

static void
test_trash_errors (void)
{
  {
    g_autoptr(JsonNode) node = jv ("\"trash\"");
    g_autoptr(GError) error = NULL;

    g_assert_null (si_wire_trash_page_from_json (node, &error));
    g_assert_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_JSON);
  }
  {
    g_autoptr(JsonNode) node = parse_text ("{\"records\": [], \"more\": true}");
    g_autoptr(GError) error = NULL;

    g_assert_null (si_wire_trash_page_from_json (node, &error));
    assert_field_error (error, "records");
  }
  {
    g_autoptr(JsonNode) node = parse_text ("{\"records\": [null], \"more\": false}");
    g_autoptr(GError) error = NULL;

    g_assert_null (si_wire_trash_page_from_json (node, &error));
    g_assert_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD);
    g_assert_nonnull (strstr (error->message, "Record 0"));
  }
  expect_trash_error (-1, "records", NULL, "records");
  expect_trash_error (-1, "records", jv ("7"), "records");
  expect_trash_error (-1, "more", NULL, "more");
  expect_trash_error (-1, "cursor", jv ("1240"), "cursor");
  expect_trash_error (-1, "cursor", jv ("0"), "cursor");
  expect_trash_error (1, "version", jv ("1240"), "records");
  expect_trash_error (1, "version", jv ("99999"), "records");

  expect_trash_error (0, "id", NULL, "id");
  expect_trash_error (0, "id", jv ("0"), "id");
  expect_trash_error (0, "id", jv ("\"42\""), "id");
  expect_trash_error (0, "uid", NULL, "uid");
  expect_trash_error (0, "uid", jv ("\"not-a-uuid\""), "uid");
  expect_trash_error (0, "uid", jv ("42"), "uid");
  expect_trash_error (0, "version", NULL, "version");
  expect_trash_error (0, "version", jv ("0"), "version");
  expect_trash_error (0, "deleted_at", NULL, "deleted_at");
  expect_trash_error (0, "deleted_at", jv ("\"2026-13-01T00:00:00Z\""), "deleted_at");
  expect_trash_error (0, "created_at", NULL, "created_at");
  expect_trash_error (0, "updated_at", jv ("false"), "updated_at");
  expect_trash_error (0, "device", jv ("\"\\u0007\""), "device");
  expect_trash_error (0, "title", NULL, "title");
  expect_trash_error (0, "body", jv ("1"), "body");
  expect_trash_error (0, "pinned", NULL, "pinned");
  expect_trash_error (0, "tags", jv ("[1, \"x\"]"), "tags");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire/history/page/round-trip", test_history_round_trip);
  g_test_add_func ("/wire/history/page/tolerant", test_history_tolerant);
  g_test_add_func ("/wire/history/page/errors", test_history_errors);
  g_test_add_func ("/wire/history/page/version-errors", test_history_version_errors);
  g_test_add_func ("/wire/history/page/from-text", test_history_from_text);
  g_test_add_func ("/wire/history/trash/round-trip", test_trash_round_trip);
  g_test_add_func ("/wire/history/trash/tolerant", test_trash_tolerant);
  g_test_add_func ("/wire/history/trash/errors", test_trash_errors);

  return g_test_run ();
}
