/* test-server.c — suite `server`: the real saveidea-server over HTTP on 127.0.0.1:
 * isolation between users, the feed, writes, durability and process life. */
#define G_LOG_DOMAIN "saveidea-test"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>

#include "si-test-server-api.h"
#include "si-types.h"
#include "si-wire.h"

/* ---------------------------------------------------------------------------------------- */
/* isolation */

static void
test_isolation (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", "bob", NULL);
  g_autofree char *alice = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *bob = si_test_server_login (server, "bob", PASSWORD);
  g_autofree char *bob_idea = NULL;
  g_autofree char *put_path = NULL;
  g_autofree char *tag_path = NULL;
  g_autofree char *tags = NULL;
  gint64 tag, idea, version;

  tag = create_tag (server, alice, "Secret", NULL);
  tags = g_strdup_printf ("[%" G_GINT64_FORMAT "]", tag);
  idea = create_idea (server, alice, "Alice's plan", tags, &version);

  /* Bob sees nothing of Alice's. */
  {
    g_autoptr(SiTestResponse) ideas = get (server, bob, "/api/v1/ideas?since=0");
    g_autoptr(SiTestResponse) tag_list = get (server, bob, "/api/v1/tags?since=0");
    g_autoptr(SiTestResponse) one = get (server, bob, "/api/v1/ideas/%" G_GINT64_FORMAT, idea);
    g_autoptr(SiTestResponse) one_tag = get (server, bob, "/api/v1/tags/%" G_GINT64_FORMAT, tag);
    g_autoptr(SiTestResponse) wrong_collection = get (server, alice, "/api/v1/tags/%" G_GINT64_FORMAT, idea);

    g_assert_cmpuint (ideas->status, ==, 200);
    g_assert_cmpuint (json_array_get_length (page_records (ideas)), ==, 0);
    g_assert_cmpuint (json_array_get_length (page_records (tag_list)), ==, 0);
    assert_error (one, 404, "not_found");
    assert_error (one_tag, 404, "not_found");
    assert_error (wrong_collection, 404, "not_found");
  }

  /* Bob cannot change or delete it by guessing ids, nor use Alice's tag. */
  put_path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, idea);
  tag_path = g_strdup_printf ("/api/v1/tags/%" G_GINT64_FORMAT, tag);
  bob_idea = idea_json (NULL, "Bob was here", NULL);
  {
    g_autofree char *v = version_header (version);
    g_autoptr(SiTestResponse) put = si_test_server_request (server, "PUT", put_path, bob, bob_idea,
                                                            "If-Match", v, NULL);
    g_autoptr(SiTestResponse) del = si_test_server_request (server, "DELETE", put_path, bob, NULL,
                                                            "If-Match", v, NULL);
    g_autoptr(SiTestResponse) del_tag = si_test_server_request (server, "DELETE", tag_path, bob, NULL,
                                                                "If-Match", "1", NULL);
    g_autofree char *uses_foreign = idea_json (NULL, "Bob's", tags);
    g_autoptr(SiTestResponse) foreign = post (server, bob, "ideas", uses_foreign, 400);

    assert_error (put, 404, "not_found");
    assert_error (del, 404, "not_found");
    assert_error (del_tag, 404, "not_found");
    assert_error (foreign, 400, "unknown_tag");
  }

  /* Alice's records are untouched. */
  {
    g_autoptr(SiTestResponse) mine = get (server, alice, "/api/v1/ideas/%" G_GINT64_FORMAT, idea);
    g_autoptr(SiTestResponse) my_tag = get (server, alice, "/api/v1/tags/%" G_GINT64_FORMAT, tag);

    g_assert_cmpuint (mine->status, ==, 200);
    g_assert_cmpstr (si_test_response_get_string (mine, "title"), ==, "Alice's plan");
    g_assert_cmpint (si_test_response_get_int (mine, "version"), ==, version);
    g_assert_false (json_object_get_boolean_member (si_test_response_object (my_tag), "deleted"));
  }
}

/* ---------------------------------------------------------------------------------------- */
/* the feed */

static void
batch_create_ideas (SiTestServer *server,
                    const char   *token,
                    guint         count,
                    guint         first)
{
  GString *body = g_string_new ("{\"operations\":[");
  g_autoptr(SiTestResponse) r = NULL;
  JsonArray *results;

  for (guint i = 0; i < count; i++)
    {
      g_autofree char *title = g_strdup_printf ("Idea %u", first + i);
      g_autofree char *record = idea_json (NULL, title, NULL);

      g_string_append_printf (body, "%s{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":%s}",
                              i ? "," : "", record);
    }
  g_string_append (body, "]}");

  r = si_test_server_request (server, "POST", "/api/v1/batch", token, body->str, NULL);
  g_string_free (body, TRUE);
  g_assert_cmpuint (r->status, ==, 200);
  results = json_object_get_array_member (si_test_response_object (r), "results");
  g_assert_cmpuint (json_array_get_length (results), ==, count);
  for (guint i = 0; i < count; i++)
    g_assert_cmpint (json_object_get_int_member (record_at (results, i), "status"), ==, 201);
}

static void
test_paging (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", "bob", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *bob = si_test_server_login (server, "bob", PASSWORD);
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  gint64 cursor = 0;
  gint64 last_version = 0;
  guint pages = 0;
  gboolean more = TRUE;

  batch_create_ideas (server, token, 1000, 0);
  batch_create_ideas (server, token, 1000, 1000);
  batch_create_ideas (server, token, 500, 2000);
  /* Another account's changes do not show up and do not disturb the cursor. */
  create_idea (server, bob, "Bob's", NULL, NULL);

  while (more)
    {
      g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas?since=%" G_GINT64_FORMAT "&limit=1000", cursor);
      JsonArray *records;
      guint n;

      g_assert_cmpuint (r->status, ==, 200);
      records = page_records (r);
      n = json_array_get_length (records);
      more = json_object_get_boolean_member (si_test_response_object (r), "more");
      pages++;

      for (guint i = 0; i < n; i++)
        {
          JsonObject *record = record_at (records, i);
          gint64 version = json_object_get_int_member (record, "version");
          gint64 id = json_object_get_int_member (record, "id");

          /* Version order, no gaps: only this account's creates made versions 1..2500. */
          g_assert_cmpint (version, ==, last_version + 1);
          last_version = version;
          g_assert_false (g_hash_table_contains (ids, &id));
          g_hash_table_add (ids, g_memdup2 (&id, sizeof id));
        }
      if (more)
        {
          g_assert_cmpuint (n, ==, 1000);
          g_assert_cmpint (si_test_response_get_int (r, "cursor"), ==, last_version);
          /* What follows is counted, so a client can show "1,000 of 2,500" from page one. */
          g_assert_cmpint (si_test_response_get_int (r, "remaining"), ==, 2500 - (gint64) g_hash_table_size (ids));
        }
      else
        {
          g_assert_cmpuint (n, ==, 500);
          g_assert_false (json_object_has_member (si_test_response_object (r), "remaining"));
        }
      cursor = si_test_response_get_int (r, "cursor");
    }
  g_assert_cmpuint (pages, ==, 3);
  g_assert_cmpuint (g_hash_table_size (ids), ==, 2500);
  g_assert_cmpint (cursor, ==, 2500);

  /* The next poll is empty and keeps the cursor. */
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas?since=%" G_GINT64_FORMAT, cursor);

    g_assert_cmpuint (json_array_get_length (page_records (r)), ==, 0);
    g_assert_cmpint (si_test_response_get_int (r, "cursor"), ==, cursor);
    g_assert_false (json_object_get_boolean_member (si_test_response_object (r), "more"));
  }

  /* A tag change moves the account's sequence: the ideas feed's cursor follows it. */
  create_tag (server, token, "Later", NULL);
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas?since=%" G_GINT64_FORMAT, cursor);

    g_assert_cmpuint (json_array_get_length (page_records (r)), ==, 0);
    g_assert_cmpint (si_test_response_get_int (r, "cursor"), ==, 2501);
  }
}

/* GET /api/v1/changes: both collections in one feed, in version order, paged like the
 * per-collection lists; each record names its collection. */
static void
test_changes (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", "bob", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *bob = si_test_server_login (server, "bob", PASSWORD);
  g_autofree char *tags = NULL;
  g_autofree char *tag_path = NULL;
  g_autoptr(SiWirePage) page = NULL;
  g_autoptr(GError) error = NULL;
  SiWireRecord *record;
  gint64 tag, tag_version, idea, plain;

  tag = create_tag (server, token, "Work", &tag_version);
  tags = g_strdup_printf ("[%" G_GINT64_FORMAT "]", tag);
  idea = create_idea (server, token, "Tagged", tags, NULL);        /* 2 */
  plain = create_idea (server, token, "Plain", NULL, NULL);        /* 3 */
  create_idea (server, bob, "Bob's", NULL, NULL);
  /* Deleting the tag: its tombstone (4), then the idea without it (5). */
  tag_path = g_strdup_printf ("/api/v1/tags/%" G_GINT64_FORMAT, tag);
  {
    g_autofree char *v = version_header (tag_version);
    g_autoptr(SiTestResponse) del = si_test_server_request (server, "DELETE", tag_path, token, NULL,
                                                            "If-Match", v, NULL);
    g_assert_cmpuint (del->status, ==, 200);
  }

  /* All of it in one page, through the shared codec. */
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/changes?since=0");

    g_assert_cmpuint (r->status, ==, 200);
    page = si_wire_changes_from_json (r->json, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpuint (page->records->len, ==, 3);
  g_assert_false (page->more);
  g_assert_cmpint (page->cursor, ==, 5);
  record = g_ptr_array_index (page->records, 0);
  g_assert_cmpint (record->collection, ==, SI_WIRE_COLLECTION_IDEAS);
  g_assert_cmpint (record->id, ==, plain);
  g_assert_cmpint (record->version, ==, 3);
  g_assert_cmpstr (record->title, ==, "Plain");
  record = g_ptr_array_index (page->records, 1);
  g_assert_cmpint (record->collection, ==, SI_WIRE_COLLECTION_TAGS);
  g_assert_cmpint (record->id, ==, tag);
  g_assert_cmpint (record->version, ==, 4);
  g_assert_true (record->deleted);
  record = g_ptr_array_index (page->records, 2);
  g_assert_cmpint (record->collection, ==, SI_WIRE_COLLECTION_IDEAS);
  g_assert_cmpint (record->id, ==, idea);
  g_assert_cmpint (record->version, ==, 5);
  g_assert_cmpuint (record->tags->len, ==, 0);

  /* Paged: the cursor is the last record's version while more follow. */
  {
    g_autoptr(SiTestResponse) first = get (server, token, "/api/v1/changes?since=0&limit=2");
    g_autoptr(SiTestResponse) second = NULL;
    JsonArray *records = page_records (first);

    g_assert_cmpuint (json_array_get_length (records), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (record_at (records, 0), "collection"), ==, "ideas");
    g_assert_cmpstr (json_object_get_string_member (record_at (records, 1), "collection"), ==, "tags");
    g_assert_true (json_object_get_boolean_member (si_test_response_object (first), "more"));
    g_assert_cmpint (si_test_response_get_int (first, "cursor"), ==, 4);
    /* One record follows: the idea at 5. */
    g_assert_cmpint (si_test_response_get_int (first, "remaining"), ==, 1);

    second = get (server, token, "/api/v1/changes?since=4&limit=2");
    records = page_records (second);
    g_assert_cmpuint (json_array_get_length (records), ==, 1);
    g_assert_cmpint (json_object_get_int_member (record_at (records, 0), "id"), ==, idea);
    g_assert_false (json_object_get_boolean_member (si_test_response_object (second), "more"));
    g_assert_cmpint (si_test_response_get_int (second, "cursor"), ==, 5);
  }

  /* Bob's feed has only his idea, at his own version 1. */
  {
    g_autoptr(SiTestResponse) r = get (server, bob, "/api/v1/changes?since=0");
    JsonArray *records = page_records (r);

    g_assert_cmpuint (json_array_get_length (records), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (record_at (records, 0), "title"), ==, "Bob's");
    g_assert_cmpint (si_test_response_get_int (r, "cursor"), ==, 1);
  }

  /* Nothing new: an empty page that keeps the cursor. */
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/changes?since=5");

    g_assert_cmpuint (json_array_get_length (page_records (r)), ==, 0);
    g_assert_cmpint (si_test_response_get_int (r, "cursor"), ==, 5);
  }

  /* Errors as for the per-collection lists. */
  {
    g_autoptr(SiTestResponse) no_token = get (server, NULL, "/api/v1/changes");
    g_autoptr(SiTestResponse) bad_limit = get (server, token, "/api/v1/changes?limit=0");
    g_autoptr(SiTestResponse) bad_since = get (server, token, "/api/v1/changes?since=-1");
    g_autoptr(SiTestResponse) post_it = si_test_server_request (server, "POST", "/api/v1/changes",
                                                                token, "{}", NULL);

    assert_error (no_token, 401, "unauthorized");
    assert_error (bad_limit, 400, "invalid_parameter");
    assert_error (bad_since, 400, "invalid_parameter");
    assert_error (post_it, 405, "method_not_allowed");
  }
}

/* Every /api/v1 response names the instance, errors included; it survives a restart. */
static void
test_instance_header (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *instance = NULL;
  const char *paths[] = {
    "/api/v1/info", "/api/v1/ideas", "/api/v1/tags?since=0", "/api/v1/changes",
    "/api/v1/ideas/999", "/api/v1/nothing-here",
  };

  {
    g_autoptr(SiTestResponse) info = get (server, NULL, "/api/v1/info");
    instance = g_strdup (si_test_response_get_string (info, "instance_id"));
  }
  g_assert_true (g_uuid_string_is_valid (instance));

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(SiTestResponse) with_token = get (server, token, "%s", paths[i]);
      g_autoptr(SiTestResponse) without = get (server, NULL, "%s", paths[i]);

      g_assert_cmpstr (soup_message_headers_get_one (with_token->headers, SI_WIRE_INSTANCE_HEADER), ==, instance);
      g_assert_cmpstr (soup_message_headers_get_one (without->headers, SI_WIRE_INSTANCE_HEADER), ==, instance);
    }
  {
    g_autoptr(SiTestResponse) login = si_test_server_request (server, "POST", "/api/v1/login", NULL,
                                                              "{\"username\":\"alice\",\"password\":\"wrong\"}", NULL);
    g_assert_cmpuint (login->status, ==, 401);
    g_assert_cmpstr (soup_message_headers_get_one (login->headers, SI_WIRE_INSTANCE_HEADER), ==, instance);
  }

  si_test_server_stop (server, SIGTERM);
  si_test_server_start (server);
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas");
    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpstr (soup_message_headers_get_one (r->headers, SI_WIRE_INSTANCE_HEADER), ==, instance);
  }
}

static void
test_tombstones (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *path = NULL;
  g_autofree char *v = NULL;
  gint64 keep, gone, version, deleted_version;

  keep = create_idea (server, token, "Keep", NULL, NULL);
  gone = create_idea (server, token, "Gone", NULL, &version);

  path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, gone);
  v = version_header (version);
  {
    g_autoptr(SiTestResponse) del = si_test_server_request (server, "DELETE", path, token, NULL, "If-Match", v, NULL);

    g_assert_cmpuint (del->status, ==, 200);
    g_assert_true (json_object_get_boolean_member (si_test_response_object (del), "deleted"));
    deleted_version = si_test_response_get_int (del, "version");
    g_assert_cmpint (deleted_version, >, version);
  }

  /* In the feed, in version order: the live one, then the tombstone without its content. */
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas?since=0");
    JsonArray *records = page_records (r);
    JsonObject *tombstone;

    g_assert_cmpuint (json_array_get_length (records), ==, 2);
    g_assert_cmpint (json_object_get_int_member (record_at (records, 0), "id"), ==, keep);
    tombstone = record_at (records, 1);
    g_assert_cmpint (json_object_get_int_member (tombstone, "id"), ==, gone);
    g_assert_true (json_object_get_boolean_member (tombstone, "deleted"));
    g_assert_cmpint (json_object_get_int_member (tombstone, "version"), ==, deleted_version);
    g_assert_false (json_object_has_member (tombstone, "title"));
    g_assert_false (json_object_has_member (tombstone, "body"));
  }

  /* A client that was at the version of the create sees only the deletion. */
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas?since=%" G_GINT64_FORMAT, version);
    JsonArray *records = page_records (r);

    g_assert_cmpuint (json_array_get_length (records), ==, 1);
    g_assert_true (json_object_get_boolean_member (record_at (records, 0), "deleted"));
  }

  /* GET returns the tombstone. */
  {
    g_autoptr(SiTestResponse) r = get (server, token, "%s", path);

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_true (json_object_get_boolean_member (si_test_response_object (r), "deleted"));
  }
}

/* ---------------------------------------------------------------------------------------- */
/* writes */

/* Each pushed change may say which device wrote it: stored with the record, returned in GETs,
 * pages and the change feed; a request without it (an older client) stores none; a bad one is
 * refused like any bad field. */
static char *
with_device (const char *json,
             const char *device_json)
{
  return g_strdup_printf ("{\"device\":%s,%s", device_json, json + 1);
}

static void
test_device (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *uid = g_uuid_string_random ();
  g_autofree char *plain = idea_json (uid, "Kettle", NULL);
  g_autofree char *from_laptop = with_device (plain, "\"Ada’s laptop\"");
  g_autofree char *from_desk = with_device (plain, "\"desk\"");
  g_autofree char *path = NULL;
  g_autofree char *too_long = g_strnfill (SI_DEVICE_NAME_MAX_CHARS + 1, 'x');
  g_autofree char *longest = g_strnfill (SI_DEVICE_NAME_MAX_CHARS, 'x');
  gint64 id, version;

  {
    g_autoptr(SiTestResponse) r = post (server, token, "ideas", from_laptop, 201);

    id = si_test_response_get_int (r, "id");
    version = si_test_response_get_int (r, "version");
    g_assert_cmpstr (si_test_response_get_string (r, "device"), ==, "Ada’s laptop");
    g_assert_true (soup_header_contains (soup_message_headers_get_list (r->headers, SI_WIRE_FEATURES_HEADER),
                                         SI_WIRE_FEATURE_DEVICE));
  }
  path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, id);
  {
    g_autoptr(SiTestResponse) one = get (server, token, "%s", path);
    g_autoptr(SiTestResponse) page = get (server, token, "/api/v1/ideas?since=0");
    g_autoptr(SiTestResponse) changes = get (server, token, "/api/v1/changes?since=0");

    g_assert_cmpstr (si_test_response_get_string (one, "device"), ==, "Ada’s laptop");
    g_assert_cmpstr (json_object_get_string_member (record_at (page_records (page), 0), "device"), ==, "Ada’s laptop");
    g_assert_cmpstr (json_object_get_string_member (record_at (page_records (changes), 0), "device"), ==, "Ada’s laptop");
  }

  /* Refused, and nothing changes: too long, a line break, a control character, blank, not a
   * string. */
  {
    g_autofree char *long_json = g_strdup_printf ("\"%s\"", too_long);
    const char *bad[] = { long_json, "\"two\\nlines\"", "\"bell\\u0007\"", "\"  \"", "\"\"", "42", "null", "[\"x\"]" };
    g_autofree char *v = version_header (version);

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autofree char *body = with_device (plain, bad[i]);
        g_autofree char *fresh = idea_json (NULL, "Fresh", NULL);
        g_autofree char *fresh_body = with_device (fresh, bad[i]);
        g_autoptr(SiTestResponse) put = si_test_server_request (server, "PUT", path, token, body, "If-Match", v, NULL);
        g_autoptr(SiTestResponse) created = si_test_server_request (server, "POST", "/api/v1/ideas", token, fresh_body, NULL);

        assert_error (put, 400, "invalid_field");
        g_assert_nonnull (strstr (si_test_response_get_string (put, "message"), "device"));
        assert_error (created, 400, "invalid_field");
      }
    {
      g_autoptr(SiTestResponse) one = get (server, token, "%s", path);
      g_autoptr(SiTestResponse) page = get (server, token, "/api/v1/ideas?since=0");

      g_assert_cmpint (si_test_response_get_int (one, "version"), ==, version);
      g_assert_cmpuint (json_array_get_length (page_records (page)), ==, 1);
    }
  }

  /* Another device's update, then an older client's, which says nothing. */
  {
    g_autofree char *v = version_header (version);
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "PUT", path, token, from_desk, "If-Match", v, NULL);

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpstr (si_test_response_get_string (r, "device"), ==, "desk");
    version = si_test_response_get_int (r, "version");
  }
  {
    g_autofree char *edited = idea_json (uid, "Kettle, from an old client", NULL);
    g_autofree char *v = version_header (version);
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "PUT", path, token, edited, "If-Match", v, NULL);
    g_autoptr(SiTestResponse) one = NULL;

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_false (json_object_has_member (si_test_response_object (r), "device"));
    version = si_test_response_get_int (r, "version");
    one = get (server, token, "%s", path);
    g_assert_false (json_object_has_member (si_test_response_object (one), "device"));
  }

  /* The longest name, in a batch, on a tag; and it survives a restart. */
  {
    g_autofree char *tag = tag_json (NULL, "Home");
    g_autofree char *device_json = g_strdup_printf ("\"%s\"", longest);
    g_autofree char *tag_body = with_device (tag, device_json);
    g_autofree char *batch = g_strdup_printf ("{\"operations\":[{\"method\":\"POST\",\"collection\":\"tags\",\"record\":%s}]}",
                                              tag_body);
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "POST", "/api/v1/batch", token, batch, NULL);
    JsonArray *results;
    JsonObject *record;
    gint64 tag_id;

    g_assert_cmpuint (r->status, ==, 200);
    results = json_object_get_array_member (si_test_response_object (r), "results");
    record = json_object_get_object_member (json_array_get_object_element (results, 0), "record");
    g_assert_cmpstr (json_object_get_string_member (record, "device"), ==, longest);
    tag_id = json_object_get_int_member (record, "id");

    si_test_server_stop (server, SIGTERM);
    si_test_server_start (server);
    {
      g_autoptr(SiTestResponse) t = get (server, token, "/api/v1/tags/%" G_GINT64_FORMAT, tag_id);
      g_assert_cmpstr (si_test_response_get_string (t, "device"), ==, longest);
    }
  }

  /* A deletion says no device: the tombstone carries none. */
  {
    g_autofree char *v = version_header (version);
    g_autoptr(SiTestResponse) del = si_test_server_request (server, "DELETE", path, token, NULL, "If-Match", v, NULL);

    g_assert_cmpuint (del->status, ==, 200);
    g_assert_false (json_object_has_member (si_test_response_object (del), "device"));
  }
}

static void
test_idempotent_create (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *uid = g_uuid_string_random ();
  g_autofree char *body = idea_json (uid, "Once", NULL);
  g_autofree char *retry = idea_json (uid, "Twice with other content", NULL);
  g_autofree char *upper_uid = g_ascii_strup (uid, -1);
  g_autofree char *retry_upper = idea_json (upper_uid, "Once", NULL);
  g_autoptr(SiTestResponse) first = post (server, token, "ideas", body, 201);
  g_autoptr(SiTestResponse) second = post (server, token, "ideas", retry, 200);
  g_autoptr(SiTestResponse) third = post (server, token, "ideas", retry_upper, 200);
  g_autoptr(SiTestResponse) feed = NULL;
  g_autoptr(SiTestResponse) after_delete = NULL;
  g_autofree char *path = NULL;
  g_autofree char *v = NULL;
  gint64 id = si_test_response_get_int (first, "id");

  g_assert_cmpint (si_test_response_get_int (second, "id"), ==, id);
  g_assert_cmpint (si_test_response_get_int (second, "version"), ==, si_test_response_get_int (first, "version"));
  g_assert_cmpstr (si_test_response_get_string (second, "title"), ==, "Once");
  g_assert_cmpint (si_test_response_get_int (third, "id"), ==, id);
  g_assert_cmpstr (soup_message_headers_get_one (first->headers, "ETag"), ==, "\"1\"");

  feed = get (server, token, "/api/v1/ideas?since=0");
  g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 1);

  /* Even after a delete, the same uid gives back that record (its tombstone). */
  path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, id);
  v = version_header (si_test_response_get_int (first, "version"));
  {
    g_autoptr(SiTestResponse) del = si_test_server_request (server, "DELETE", path, token, NULL, "If-Match", v, NULL);
    g_assert_cmpuint (del->status, ==, 200);
  }
  after_delete = post (server, token, "ideas", body, 200);
  g_assert_cmpint (si_test_response_get_int (after_delete, "id"), ==, id);
  g_assert_true (json_object_get_boolean_member (si_test_response_object (after_delete), "deleted"));

  /* The same uid in the other collection is another record. */
  {
    g_autofree char *tag = tag_json (uid, "Same uid");
    g_autoptr(SiTestResponse) r = post (server, token, "tags", tag, 201);
    g_assert_cmpint (si_test_response_get_int (r, "id"), !=, id);
  }
}

static void
test_conflicts (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *uid = g_uuid_string_random ();
  g_autofree char *path = NULL;
  g_autofree char *edit = idea_json (uid, "Edited", NULL);
  g_autofree char *edit2 = idea_json (uid, "Edited again", NULL);
  g_autofree char *v1 = NULL;
  g_autofree char *v2 = NULL;
  g_autofree char *quoted = NULL;
  gint64 id, version1, version2;

  {
    g_autofree char *body = idea_json (uid, "Original", NULL);
    g_autoptr(SiTestResponse) r = post (server, token, "ideas", body, 201);
    id = si_test_response_get_int (r, "id");
    version1 = si_test_response_get_int (r, "version");
  }
  path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, id);
  v1 = version_header (version1);

  /* No If-Match: 428, nothing changed. */
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "PUT", path, token, edit, NULL);
    assert_error (r, 428, "precondition_required");
  }
  /* A good If-Match, quoted as an ETag. */
  quoted = g_strdup_printf ("\"%" G_GINT64_FORMAT "\"", version1);
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "PUT", path, token, edit, "If-Match", quoted, NULL);
    g_assert_cmpuint (r->status, ==, 200);
    version2 = si_test_response_get_int (r, "version");
    g_assert_cmpint (version2, >, version1);
    g_assert_cmpstr (si_test_response_get_string (r, "title"), ==, "Edited");
  }
  /* The stale version: 412 with the current record; the edit is not applied. */
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "PUT", path, token, edit2, "If-Match", v1, NULL);
    JsonObject *current;

    assert_error (r, 412, "precondition_failed");
    current = json_object_get_object_member (si_test_response_object (r), "current");
    g_assert_nonnull (current);
    g_assert_cmpint (json_object_get_int_member (current, "version"), ==, version2);
    g_assert_cmpstr (json_object_get_string_member (current, "title"), ==, "Edited");
  }
  /* W/"N" is accepted too. */
  v2 = g_strdup_printf ("W/\"%" G_GINT64_FORMAT "\"", version2);
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "PUT", path, token, edit2, "If-Match", v2, NULL);
    g_assert_cmpuint (r->status, ==, 200);
    version2 = si_test_response_get_int (r, "version");
  }
  /* A malformed If-Match is a 400. */
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "PUT", path, token, edit2, "If-Match", "*", NULL);
    assert_error (r, 400, "invalid_header");
  }
  /* Another uid in the body of a PUT is refused. */
  {
    g_autofree char *other = idea_json (NULL, "Other", NULL);
    g_autofree char *v = version_header (version2);
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "PUT", path, token, other, "If-Match", v, NULL);
    assert_error (r, 400, "invalid_field");
  }
  /* PUT on a deleted record: stale -> 412 with the tombstone; current -> 409 deleted. */
  {
    g_autofree char *v = version_header (version2);
    g_autoptr(SiTestResponse) del = si_test_server_request (server, "DELETE", path, token, NULL, "If-Match", v, NULL);
    g_autofree char *dv = version_header (si_test_response_get_int (del, "version"));
    g_autoptr(SiTestResponse) stale = si_test_server_request (server, "PUT", path, token, edit, "If-Match", v, NULL);
    g_autoptr(SiTestResponse) current = si_test_server_request (server, "PUT", path, token, edit, "If-Match", dv, NULL);

    g_assert_cmpuint (del->status, ==, 200);
    assert_error (stale, 412, "precondition_failed");
    g_assert_true (json_object_get_boolean_member (json_object_get_object_member (si_test_response_object (stale), "current"),
                                                   "deleted"));
    assert_error (current, 409, "deleted");
  }
  /* Missing: 404. */
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "PUT", "/api/v1/ideas/999999", token, edit,
                                                          "If-Match", "1", NULL);
    assert_error (r, 404, "not_found");
  }
}

static void
test_delete_twice (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *path = NULL;
  g_autofree char *v = NULL;
  gint64 id, version, deleted_version;

  id = create_idea (server, token, "Twice", NULL, &version);
  path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, id);
  v = version_header (version);

  {
    g_autoptr(SiTestResponse) none = si_test_server_request (server, "DELETE", path, token, NULL, NULL);
    g_autoptr(SiTestResponse) stale = si_test_server_request (server, "DELETE", path, token, NULL, "If-Match", "999", NULL);

    assert_error (none, 428, "precondition_required");
    assert_error (stale, 412, "precondition_failed");
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (si_test_response_object (stale), "current"),
                                                 "version"), ==, version);
  }
  {
    g_autoptr(SiTestResponse) first = si_test_server_request (server, "DELETE", path, token, NULL, "If-Match", v, NULL);
    g_assert_cmpuint (first->status, ==, 200);
    deleted_version = si_test_response_get_int (first, "version");
    g_assert_cmpint (deleted_version, >, version);
  }
  /* Again (a retried request), with or without If-Match: the same tombstone, no new version. */
  {
    g_autoptr(SiTestResponse) again = si_test_server_request (server, "DELETE", path, token, NULL, "If-Match", v, NULL);
    g_autoptr(SiTestResponse) bare = si_test_server_request (server, "DELETE", path, token, NULL, NULL);
    g_autoptr(SiTestResponse) feed = get (server, token, "/api/v1/ideas?since=%" G_GINT64_FORMAT, deleted_version);

    g_assert_cmpuint (again->status, ==, 200);
    g_assert_cmpint (si_test_response_get_int (again, "version"), ==, deleted_version);
    g_assert_cmpuint (bare->status, ==, 200);
    g_assert_cmpint (si_test_response_get_int (bare, "version"), ==, deleted_version);
    g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 0);
  }
  {
    g_autoptr(SiTestResponse) missing = si_test_server_request (server, "DELETE", "/api/v1/ideas/424242", token, NULL,
                                                                "If-Match", "1", NULL);
    assert_error (missing, 404, "not_found");
  }
}

static void
test_tag_references (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", "bob", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *bob = si_test_server_login (server, "bob", PASSWORD);
  g_autofree char *tags = NULL;
  g_autofree char *tag_path = NULL;
  g_autofree char *idea_path = NULL;
  g_autofree char *v = NULL;
  gint64 work, home, dead, bobs, idea, idea_version, other_idea, work_version, dead_version, after;

  work = create_tag (server, token, "Work", &work_version);
  home = create_tag (server, token, "Home", NULL);
  dead = create_tag (server, token, "Dead", &dead_version);
  bobs = create_tag (server, bob, "Bob's tag", NULL);

  /* Delete "Dead" first: its id is then dropped silently from ideas that name it. */
  tag_path = g_strdup_printf ("/api/v1/tags/%" G_GINT64_FORMAT, dead);
  v = version_header (dead_version);
  {
    g_autoptr(SiTestResponse) del = si_test_server_request (server, "DELETE", tag_path, token, NULL, "If-Match", v, NULL);
    g_assert_cmpuint (del->status, ==, 200);
  }

  tags = g_strdup_printf ("[%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT "]", work, dead, home);
  {
    g_autofree char *body = idea_json (NULL, "Tagged", tags);
    g_autoptr(SiTestResponse) r = post (server, token, "ideas", body, 201);
    JsonArray *stored = json_object_get_array_member (si_test_response_object (r), "tags");

    g_assert_cmpuint (json_array_get_length (stored), ==, 2);
    g_assert_cmpint (json_array_get_int_element (stored, 0), ==, work);
    g_assert_cmpint (json_array_get_int_element (stored, 1), ==, home);
    idea = si_test_response_get_int (r, "id");
    idea_version = si_test_response_get_int (r, "version");
  }
  {
    g_autofree char *home_only = g_strdup_printf ("[%" G_GINT64_FORMAT "]", home);
    other_idea = create_idea (server, token, "Home only", home_only, NULL);
  }

  /* Someone else's tag, or an id that never existed: 400 unknown_tag, nothing stored. */
  {
    g_autofree char *foreign_tags = g_strdup_printf ("[%" G_GINT64_FORMAT "]", bobs);
    g_autofree char *foreign = idea_json (NULL, "Foreign", foreign_tags);
    g_autofree char *nowhere = idea_json (NULL, "Nowhere", "[987654]");
    g_autoptr(SiTestResponse) r1 = post (server, token, "ideas", foreign, 400);
    g_autoptr(SiTestResponse) r2 = post (server, token, "ideas", nowhere, 400);
    g_autoptr(SiTestResponse) feed = get (server, token, "/api/v1/ideas?since=0");

    assert_error (r1, 400, "unknown_tag");
    assert_error (r2, 400, "unknown_tag");
    g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 2);
  }

  /* Deleting "Work" takes it out of the idea, which gets a new version in the feed. */
  g_free (tag_path);
  tag_path = g_strdup_printf ("/api/v1/tags/%" G_GINT64_FORMAT, work);
  g_free (v);
  v = version_header (work_version);
  {
    g_autoptr(SiTestResponse) del = si_test_server_request (server, "DELETE", tag_path, token, NULL, "If-Match", v, NULL);
    g_autoptr(SiTestResponse) feed = NULL;
    JsonArray *records;
    JsonObject *changed;

    g_assert_cmpuint (del->status, ==, 200);
    after = si_test_response_get_int (del, "version");
    feed = get (server, token, "/api/v1/ideas?since=%" G_GINT64_FORMAT, idea_version);
    records = page_records (feed);
    g_assert_cmpuint (json_array_get_length (records), ==, 2);  /* "Home only" (created later) and the bumped idea */
    changed = record_at (records, 1);
    g_assert_cmpint (json_object_get_int_member (changed, "id"), ==, idea);
    g_assert_cmpint (json_object_get_int_member (changed, "version"), >, after);
    g_assert_false (array_has (json_object_get_array_member (changed, "tags"), work));
    g_assert_true (array_has (json_object_get_array_member (changed, "tags"), home));
    g_assert_cmpint (json_object_get_int_member (record_at (records, 0), "id"), ==, other_idea);
  }
  idea_path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, idea);
  {
    g_autoptr(SiTestResponse) r = get (server, token, "%s", idea_path);
    JsonArray *stored = json_object_get_array_member (si_test_response_object (r), "tags");

    g_assert_cmpuint (json_array_get_length (stored), ==, 1);
    g_assert_cmpint (json_array_get_int_element (stored, 0), ==, home);
  }
}

/* ---------------------------------------------------------------------------------------- */
/* durability and process life */

static void
test_restart (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *instance = NULL;
  gint64 idea, tag;

  {
    g_autoptr(SiTestResponse) info = get (server, NULL, "/api/v1/info");
    instance = g_strdup (si_test_response_get_string (info, "instance_id"));
  }
  tag = create_tag (server, token, "Kept", NULL);
  idea = create_idea (server, token, "Survives a restart", NULL, NULL);

  g_assert_cmpint (si_test_server_stop (server, SIGTERM), ==, 0);
  si_test_server_start (server);

  {
    g_autoptr(SiTestResponse) info = get (server, NULL, "/api/v1/info");
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas/%" G_GINT64_FORMAT, idea);
    g_autoptr(SiTestResponse) t = get (server, token, "/api/v1/tags/%" G_GINT64_FORMAT, tag);
    g_autoptr(SiTestResponse) feed = get (server, token, "/api/v1/ideas?since=0");

    /* Same instance; the token is still valid (stored hashed on disk). */
    g_assert_cmpstr (si_test_response_get_string (info, "instance_id"), ==, instance);
    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpstr (si_test_response_get_string (r, "title"), ==, "Survives a restart");
    g_assert_cmpstr (si_test_response_get_string (t, "name"), ==, "Kept");
    g_assert_cmpint (si_test_response_get_int (feed, "cursor"), ==, 2);
  }
  /* Versions continue after the restart. */
  {
    gint64 version = 0;
    create_idea (server, token, "After", NULL, &version);
    g_assert_cmpint (version, ==, 3);
  }

  /* A new data folder is a new instance. */
  {
    g_autoptr(SiTestServer) other = start_server (NULL);
    g_autoptr(SiTestResponse) info = get (other, NULL, "/api/v1/info");
    g_assert_cmpstr (si_test_response_get_string (info, "instance_id"), !=, instance);
  }
}

static void
test_kill9 (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *uid = g_uuid_string_random ();
  g_autofree char *body = idea_json (uid, "Acknowledged", NULL);
  gint64 id, tag;

  tag = create_tag (server, token, "Before the crash", NULL);
  {
    g_autoptr(SiTestResponse) r = post (server, token, "ideas", body, 201);
    id = si_test_response_get_int (r, "id");
  }
  /* Right after the 2xx, with no chance to flush anything more. */
  g_assert_cmpint (si_test_server_stop (server, SIGKILL), ==, 128 + SIGKILL);

  si_test_server_start (server);
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas/%" G_GINT64_FORMAT, id);
    g_autoptr(SiTestResponse) t = get (server, token, "/api/v1/tags/%" G_GINT64_FORMAT, tag);
    g_autoptr(SiTestResponse) again = post (server, token, "ideas", body, 200);

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpstr (si_test_response_get_string (r, "title"), ==, "Acknowledged");
    g_assert_cmpuint (t->status, ==, 200);
    g_assert_cmpint (si_test_response_get_int (again, "id"), ==, id);
  }
}

static void
test_user_commands (void)
{
  g_autoptr(SiTestServer) server = si_test_server_new (NULL);
  g_autofree char *out = NULL;
  g_autofree char *token = NULL;

  g_assert_cmpint (si_test_server_run (server, PASSWORD "\n", NULL, NULL, "user", "add", "alice", NULL), ==, 0);
  g_assert_cmpint (si_test_server_run (server, PASSWORD "\n", NULL, NULL, "user", "add", "bob", NULL), ==, 0);
  /* Exists already (in any case): 3. */
  g_assert_cmpint (si_test_server_run (server, PASSWORD "\n", NULL, NULL, "user", "add", "alice", NULL), ==, 3);
  g_assert_cmpint (si_test_server_run (server, PASSWORD "\n", NULL, NULL, "user", "add", "ALICE", NULL), ==, 3);
  /* Bad passwords: 4. */
  g_assert_cmpint (si_test_server_run (server, "", NULL, NULL, "user", "add", "carol", NULL), ==, 4);
  g_assert_cmpint (si_test_server_run (server, "short\n", NULL, NULL, "user", "add", "carol", NULL), ==, 4);
  /* Usage errors: 2. */
  g_assert_cmpint (si_test_server_run (server, NULL, NULL, NULL, "user", "add", NULL), ==, 2);
  g_assert_cmpint (si_test_server_run (server, NULL, NULL, NULL, "user", "frobnicate", "x", NULL), ==, 2);
  g_assert_cmpint (si_test_server_run (server, NULL, NULL, NULL, "dance", NULL), ==, 2);
  g_assert_cmpint (si_test_server_run (server, PASSWORD "\n", NULL, NULL, "user", "add", "has space", NULL), ==, 2);

  g_assert_cmpint (si_test_server_run (server, NULL, &out, NULL, "user", "list", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "alice\nbob\n");

  si_test_server_start (server);
  token = si_test_server_login (server, "alice", PASSWORD);
  create_idea (server, token, "Alice's", NULL, NULL);

  /* passwd: the old password and every token stop working, the new password works. While the
   * server runs: it notices the change made by another process. */
  g_assert_cmpint (si_test_server_run (server, "new password 123\n", NULL, NULL, "user", "passwd", "alice", NULL), ==, 0);
  g_assert_cmpint (si_test_server_run (server, "new password 123\n", NULL, NULL, "user", "passwd", "nobody", NULL), ==, 3);
  {
    g_autoptr(SiTestResponse) old_token = get (server, token, "/api/v1/ideas");
    g_autoptr(SiTestResponse) old_password = si_test_server_request (server, "POST", "/api/v1/login", NULL,
                                                                     "{\"username\":\"alice\",\"password\":\"" PASSWORD "\"}", NULL);
    g_autofree char *fresh = si_test_server_login (server, "alice", "new password 123");
    g_autoptr(SiTestResponse) feed = get (server, fresh, "/api/v1/ideas?since=0");

    assert_error (old_token, 401, "unauthorized");
    assert_error (old_password, 401, "unauthorized");
    g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 1);

    /* del: the account, its tokens and its data are gone. */
    g_assert_cmpint (si_test_server_run (server, NULL, NULL, NULL, "user", "del", "alice", NULL), ==, 0);
    g_assert_cmpint (si_test_server_run (server, NULL, NULL, NULL, "user", "del", "alice", NULL), ==, 3);
    {
      g_autoptr(SiTestResponse) after = get (server, fresh, "/api/v1/ideas");
      g_autoptr(SiTestResponse) login = si_test_server_request (server, "POST", "/api/v1/login", NULL,
                                                                "{\"username\":\"alice\",\"password\":\"new password 123\"}", NULL);
      assert_error (after, 401, "unauthorized");
      assert_error (login, 401, "unauthorized");
    }
  }
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (si_test_server_run (server, NULL, &out, NULL, "user", "list", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "bob\n");

  /* A name re-added later starts with nothing. */
  g_assert_cmpint (si_test_server_run (server, PASSWORD "\n", NULL, NULL, "user", "add", "alice", NULL), ==, 0);
  {
    g_autofree char *again = si_test_server_login (server, "alice", PASSWORD);
    g_autoptr(SiTestResponse) feed = get (server, again, "/api/v1/ideas?since=0");
    g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 0);
  }

  /* --help documents the exit codes. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (si_test_server_run (server, NULL, &out, NULL, "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Exit status"));
}

/* Server schema 5: a version 4 SQLite database loses its second index of the change feed
 * (records_changes) when the server opens it, and the feed of both collections still comes in
 * version order, paged, with the right count of what follows. */
static sqlite3 *
open_server_db (SiTestServer *server)
{
  g_autofree char *path = g_build_filename (si_test_server_get_data_dir (server), "server.db", NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  return db;
}

static gint64
db_int (sqlite3    *db,
        const char *sql)
{
  sqlite3_stmt *s = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &s, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (s), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (s, 0);
  sqlite3_finalize (s);
  return value;
}

/* A create of a batch that fails in the database (a trigger stands in for the failure) where
 * it has no savepoint of its own (an idea without tags, not the first of its step): the step
 * it was in is undone and the batch answered 503, nothing of it stored, and the same batch
 * retried once the database takes it again stores every operation once. */
static void
test_batch_failed_insert (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *first = idea_json (NULL, "First", NULL);
  g_autofree char *refused = idea_json (NULL, "Refused", NULL);
  g_autofree char *last = idea_json (NULL, "Last", NULL);
  g_autofree char *body = g_strdup_printf ("{\"operations\":["
                                           "{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":%s},"
                                           "{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":%s},"
                                           "{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":%s}]}",
                                           first, refused, last);
  const char *database = si_test_server_get_database (server);
  gint64 cursor = 0;

  create_idea (server, token, "Before", NULL, &cursor);
  if (database != NULL)
    {
      si_test_server_pg_exec (database,
                              "CREATE FUNCTION refuse () RETURNS trigger LANGUAGE plpgsql AS"
                              " $$ BEGIN IF NEW.title = 'Refused' THEN RAISE EXCEPTION 'refused by the test';"
                              " END IF; RETURN NEW; END $$");
      si_test_server_pg_exec (database, "CREATE TRIGGER refuse BEFORE INSERT ON records"
                                        " FOR EACH ROW EXECUTE FUNCTION refuse ()");
    }
  else
    {
      sqlite3 *db = open_server_db (server);

      g_assert_cmpint (sqlite3_exec (db, "CREATE TRIGGER refuse BEFORE INSERT ON records"
                                         " WHEN NEW.title = 'Refused'"
                                         " BEGIN SELECT RAISE (ABORT, 'refused by the test'); END",
                                     NULL, NULL, NULL), ==, SQLITE_OK);
      sqlite3_close (db);
    }

  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "POST", "/api/v1/batch", token, body, NULL);
    g_autoptr(SiTestResponse) feed = get (server, token, "/api/v1/ideas?since=%" G_GINT64_FORMAT, cursor);

    g_assert_cmpuint (r->status, ==, 503);
    g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 0);
  }

  if (database != NULL)
    si_test_server_pg_exec (database, "DROP TRIGGER refuse ON records");
  else
    {
      sqlite3 *db = open_server_db (server);

      g_assert_cmpint (sqlite3_exec (db, "DROP TRIGGER refuse", NULL, NULL, NULL), ==, SQLITE_OK);
      sqlite3_close (db);
    }

  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "POST", "/api/v1/batch", token, body, NULL);
    g_autoptr(SiTestResponse) feed = get (server, token, "/api/v1/ideas?since=%" G_GINT64_FORMAT, cursor);
    JsonArray *results;

    g_assert_cmpuint (r->status, ==, 200);
    results = json_object_get_array_member (si_test_response_object (r), "results");
    for (guint i = 0; i < 3; i++)
      g_assert_cmpint (json_object_get_int_member (record_at (results, i), "status"), ==, 201);
    g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 3);
    g_assert_cmpint (si_test_response_get_int (feed, "cursor"), ==, cursor + 3);
  }
}

static void
test_schema_5_feed_index (void)
{
  g_autoptr(SiTestServer) server = NULL;
  g_autofree char *token = NULL;
  sqlite3 *db;
  gint64 since = 0;
  guint seen = 0;

  server = start_server ("alice", NULL);
  if (si_test_server_get_database (server) != NULL)
    {
      g_test_skip ("a SQLite schema migration");
      return;
    }
  token = si_test_server_login (server, "alice", PASSWORD);
  /* Tags and ideas interleaved: versions 1 to 6. */
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("Tag %u", i);
      g_autofree char *title = g_strdup_printf ("Idea %u", i);

      create_tag (server, token, name, NULL);
      create_idea (server, token, title, NULL, NULL);
    }
  g_assert_cmpint (si_test_server_stop (server, SIGTERM), ==, 0);

  /* Back to version 4, as a server before this change left it. */
  db = open_server_db (server);
  g_assert_cmpint (sqlite3_exec (db, "CREATE INDEX IF NOT EXISTS records_changes ON records (account_id, version);"
                                 " PRAGMA user_version = 4", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  si_test_server_start (server);
  for (guint page = 0; page < 3; page++)
    {
      g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/changes?since=%" G_GINT64_FORMAT "&limit=2", since);
      JsonArray *records = page_records (r);

      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpuint (json_array_get_length (records), ==, 2);
      for (guint i = 0; i < 2; i++)
        {
          JsonObject *record = record_at (records, i);

          seen++;
          g_assert_cmpint (json_object_get_int_member (record, "version"), ==, seen);
          g_assert_cmpstr (json_object_get_string_member (record, "collection"), ==, seen % 2 ? "tags" : "ideas");
        }
      if (page < 2)
        g_assert_cmpint (si_test_response_get_int (r, "remaining"), ==, 4 - 2 * (gint64) page);
      else
        g_assert_false (json_object_get_boolean_member (si_test_response_object (r), "more"));
      since = si_test_response_get_int (r, "cursor");
    }
  g_assert_cmpuint (seen, ==, 6);

  db = open_server_db (server);
  g_assert_cmpint (db_int (db, "PRAGMA user_version"), ==, 5);
  g_assert_cmpint (db_int (db, "SELECT count(*) FROM sqlite_schema WHERE name = 'records_changes'"), ==, 0);
  g_assert_cmpint (db_int (db, "SELECT count(*) FROM sqlite_schema WHERE name = 'records_feed'"), ==, 1);
  sqlite3_close (db);
}

static void
test_graceful_shutdown (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *url = si_test_server_url_for (server, "/api/v1/login");
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) body = g_bytes_new_static ("{\"username\":\"alice\",\"password\":\"" PASSWORD "\"}",
                                               strlen ("{\"username\":\"alice\",\"password\":\"" PASSWORD "\"}"));
  AsyncLogin state = { 0 };
  gint64 deadline;

  /* Four failures: the next login waits 500 ms before its check, so it is surely in flight. */
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(SiTestResponse) fail = si_test_server_request (server, "POST", "/api/v1/login", NULL,
                                                               "{\"username\":\"alice\",\"password\":\"wrong one\"}", NULL);
      g_assert_cmpuint (fail->status, ==, 401);
    }

  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  soup_session_send_and_read_async (si_test_server_get_session (server), msg, G_PRIORITY_DEFAULT, NULL,
                                    login_sent, &state);
  deadline = g_get_monotonic_time () + 200 * 1000;
  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (state.done);

  si_test_server_signal (server, SIGTERM);
  while (!state.done)
    g_main_context_iteration (NULL, TRUE);

  /* The request in flight got its answer, then the server exited cleanly. */
  g_assert_no_error (state.error);
  g_assert_cmpuint (state.status, ==, 200);
  g_assert_cmpint (si_test_server_wait (server), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/server/isolation", test_isolation);
  g_test_add_func ("/server/paging", test_paging);
  g_test_add_func ("/server/changes", test_changes);
  g_test_add_func ("/server/instance-header", test_instance_header);
  g_test_add_func ("/server/tombstones", test_tombstones);
  g_test_add_func ("/server/idempotent-create", test_idempotent_create);
  g_test_add_func ("/server/conflicts", test_conflicts);
  g_test_add_func ("/server/device", test_device);
  g_test_add_func ("/server/delete-twice", test_delete_twice);
  g_test_add_func ("/server/tag-references", test_tag_references);
  g_test_add_func ("/server/restart", test_restart);
  g_test_add_func ("/server/schema-5-feed-index", test_schema_5_feed_index);
  g_test_add_func ("/server/batch-failed-insert", test_batch_failed_insert);
  g_test_add_func ("/server/kill9", test_kill9);
  g_test_add_func ("/server/user-commands", test_user_commands);
  g_test_add_func ("/server/graceful-shutdown", test_graceful_shutdown);

  return g_test_run ();
}
