/* test-server-history.c — suite `server` (and `server-history-pg` on PostgreSQL): issue 19's
 * kept versions of ideas, the trash, undelete and purge, over HTTP against the real
 * saveidea-server, and the pruning rules through the server's storage code with a set clock. */
#define _GNU_SOURCE 1  /* memmem() */
#define G_LOG_DOMAIN "saveidea-test"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>

#include "si-test-server-api.h"
#include "si-test-sync.h"
#include "si-server-storage.h"
#include "si-server-storage-private.h"
#include "si-types.h"
#include "si-wire-history.h"

#define DAY_MS G_GINT64_CONSTANT (86400000)

/* ---------------------------------------------------------------------------------------- */
/* helpers */

static char *
idea_body (const char *uid,
           const char *title,
           const char *body,
           const char *tags,
           const char *device)
{
  g_autofree char *device_member = device ? g_strdup_printf (",\"device\":\"%s\"", device) : g_strdup ("");

  return g_strdup_printf ("{\"uid\":\"%s\",\"title\":\"%s\",\"body\":\"%s\",\"pinned\":false,"
                          "\"tags\":%s,\"created_at\":\"" T0 "\",\"updated_at\":\"" T1 "\"%s}",
                          uid, title, body, tags ? tags : "[]", device_member);
}

/* PUTs the idea and returns its new version. */
static gint64
update_idea (SiTestServer *server,
             const char   *token,
             gint64        id,
             gint64        version,
             const char   *uid,
             const char   *title,
             const char   *body,
             const char   *device)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, id);
  g_autofree char *json = idea_body (uid, title, body, NULL, device);
  g_autofree char *v = version_header (version);
  g_autoptr(SiTestResponse) r = si_test_server_request (server, "PUT", path, token, json, "If-Match", v, NULL);

  g_assert_cmpuint (r->status, ==, 200);
  return si_test_response_get_int (r, "version");
}

static gint64
delete_idea (SiTestServer *server,
             const char   *token,
             gint64        id,
             gint64        version)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, id);
  g_autofree char *v = version_header (version);
  g_autoptr(SiTestResponse) r = si_test_server_request (server, "DELETE", path, token, NULL, "If-Match", v, NULL);

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_true (json_object_get_boolean_member (si_test_response_object (r), "deleted"));
  return si_test_response_get_int (r, "version");
}

static SiWireHistoryPage *
history (SiTestServer *server,
         const char   *token,
         gint64        id,
         const char   *query)
{
  g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas/%" G_GINT64_FORMAT "/history%s", id,
                                     query ? query : "");
  g_autoptr(GError) error = NULL;
  SiWireHistoryPage *page;

  g_assert_cmpuint (r->status, ==, 200);
  page = si_wire_history_page_from_json (r->json, &error);
  g_assert_no_error (error);
  return page;
}

static SiWireTrashPage *
trash (SiTestServer *server,
       const char   *token,
       const char   *query)
{
  g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/trash%s", query ? query : "");
  g_autoptr(GError) error = NULL;
  SiWireTrashPage *page;

  g_assert_cmpuint (r->status, ==, 200);
  page = si_wire_trash_page_from_json (r->json, &error);
  g_assert_no_error (error);
  return page;
}

static SiWireRecord *
version_at (SiWireHistoryPage *page,
            guint              i)
{
  g_assert_cmpuint (i, <, page->versions->len);
  return g_ptr_array_index (page->versions, i);
}

static SiTestResponse *
post_action (SiTestServer *server,
             const char   *token,
             gint64        id,
             const char   *action,
             gint64        if_match)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT "/%s", id, action);
  g_autofree char *v = if_match >= 0 ? version_header (if_match) : NULL;

  if (v != NULL)
    return si_test_server_request_raw (server, "POST", path, token, NULL, NULL, 0, "If-Match", v, NULL);
  return si_test_server_request_raw (server, "POST", path, token, NULL, NULL, 0, NULL);
}

/* The record of @id in the change feed after @since, or NULL. */
static JsonObject *
feed_find (SiTestResponse *feed,
           gint64          id)
{
  JsonArray *records = page_records (feed);

  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);

      if (json_object_get_int_member (record, "id") == id &&
          g_strcmp0 (json_object_get_string_member (record, "collection"), "ideas") == 0)
        return record;
    }
  return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* versions */

/* Two devices edit one idea: every version is listed newest first with the device that wrote
 * it, the live one first; the server says it has the feature. */
static void
test_versions_two_devices (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *laptop = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *phone = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *uid = g_uuid_string_random ();
  g_autofree char *first = idea_body (uid, "One", "first", NULL, "Ada’s laptop");
  g_autoptr(SiTestResponse) created = post (server, laptop, "ideas", first, 201);
  g_autoptr(SiWireHistoryPage) page = NULL;
  gint64 id = si_test_response_get_int (created, "id");
  gint64 v1 = si_test_response_get_int (created, "version");
  gint64 v2, v3, v4;
  const char *features;

  features = soup_message_headers_get_one (created->headers, "Saveidea-Features");
  g_assert_nonnull (features);
  g_assert_nonnull (strstr (features, "history"));
  g_assert_nonnull (strstr (features, "device"));

  v2 = update_idea (server, phone, id, v1, uid, "Two", "second", "phone");
  v3 = update_idea (server, laptop, id, v2, uid, "Three", "third", "Ada’s laptop");
  v4 = update_idea (server, phone, id, v3, uid, "Four", "fourth", NULL);

  page = history (server, laptop, id, NULL);
  g_assert_cmpuint (page->versions->len, ==, 4);
  g_assert_false (page->more);
  g_assert_cmpint (version_at (page, 0)->version, ==, v4);
  g_assert_cmpstr (version_at (page, 0)->title, ==, "Four");
  g_assert_null (version_at (page, 0)->device);
  g_assert_cmpint (version_at (page, 1)->version, ==, v3);
  g_assert_cmpstr (version_at (page, 1)->title, ==, "Three");
  g_assert_cmpstr (version_at (page, 1)->body, ==, "third");
  g_assert_cmpstr (version_at (page, 1)->device, ==, "Ada’s laptop");
  g_assert_cmpint (version_at (page, 2)->version, ==, v2);
  g_assert_cmpstr (version_at (page, 2)->device, ==, "phone");
  g_assert_cmpstr (version_at (page, 2)->title, ==, "Two");
  g_assert_cmpint (version_at (page, 3)->version, ==, v1);
  g_assert_cmpstr (version_at (page, 3)->device, ==, "Ada’s laptop");
  g_assert_cmpstr (version_at (page, 3)->body, ==, "first");
}

/* Tags as stored at each version, including a tag deleted since. */
static void
test_versions_tags (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *uid = g_uuid_string_random ();
  gint64 tag_version = 0;
  gint64 tag = create_tag (server, token, "Doomed", &tag_version);
  g_autofree char *tags = g_strdup_printf ("[%" G_GINT64_FORMAT "]", tag);
  g_autofree char *json = idea_body (uid, "Tagged", "b", tags, NULL);
  g_autoptr(SiTestResponse) created = post (server, token, "ideas", json, 201);
  g_autoptr(SiWireHistoryPage) page = NULL;
  gint64 id = si_test_response_get_int (created, "id");
  gint64 v1 = si_test_response_get_int (created, "version");

  update_idea (server, token, id, v1, uid, "Untagged", "b", NULL);
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/tags/%" G_GINT64_FORMAT, tag);
    g_autofree char *v = version_header (tag_version);
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "DELETE", path, token, NULL, "If-Match", v, NULL);

    g_assert_cmpuint (r->status, ==, 200);
  }
  page = history (server, token, id, NULL);
  g_assert_cmpuint (page->versions->len, ==, 2);
  g_assert_cmpuint (version_at (page, 0)->tags->len, ==, 0);
  g_assert_cmpuint (version_at (page, 1)->tags->len, ==, 1);
  g_assert_cmpint (g_array_index (version_at (page, 1)->tags, gint64, 0), ==, tag);
}

/* before/limit page through every version once, newest first. */
static void
test_versions_paging (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *uid = g_uuid_string_random ();
  g_autofree char *json = idea_body (uid, "v0", "b", NULL, NULL);
  g_autoptr(SiTestResponse) created = post (server, token, "ideas", json, 201);
  g_autoptr(GArray) versions = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 id = si_test_response_get_int (created, "id");
  gint64 version = si_test_response_get_int (created, "version");
  gint64 before = 0;
  guint pages = 0;

  g_array_append_val (versions, version);
  for (int i = 1; i < 8; i++)
    {
      g_autofree char *title = g_strdup_printf ("v%d", i);

      version = update_idea (server, token, id, version, uid, title, "b", NULL);
      g_array_append_val (versions, version);
    }

  for (;;)
    {
      g_autofree char *query = before ? g_strdup_printf ("?limit=3&before=%" G_GINT64_FORMAT, before)
                                      : g_strdup ("?limit=3");
      g_autoptr(SiWireHistoryPage) page = history (server, token, id, query);

      pages++;
      g_assert_cmpuint (page->versions->len, <=, 3);
      for (guint i = 0; i < page->versions->len; i++)
        g_array_append_val (seen, version_at (page, i)->version);
      if (!page->more)
        break;
      g_assert_cmpuint (page->versions->len, ==, 3);
      g_assert_cmpint (page->cursor, ==, version_at (page, 2)->version);
      before = page->cursor;
    }
  g_assert_cmpuint (pages, ==, 3);
  g_assert_cmpuint (seen->len, ==, 8);
  for (guint i = 0; i < 8; i++)
    g_assert_cmpint (g_array_index (seen, gint64, i), ==, g_array_index (versions, gint64, 7 - i));

  /* before inside the list; before below everything */
  {
    g_autofree char *query = g_strdup_printf ("?before=%" G_GINT64_FORMAT, g_array_index (versions, gint64, 5));
    g_autoptr(SiWireHistoryPage) page = history (server, token, id, query);
    g_autoptr(SiWireHistoryPage) none = history (server, token, id, "?before=1");

    g_assert_cmpuint (page->versions->len, ==, 5);
    g_assert_cmpint (version_at (page, 0)->version, ==, g_array_index (versions, gint64, 4));
    g_assert_cmpuint (none->versions->len, ==, 0);
    g_assert_false (none->more);
  }
}

/* Large versions: a page stops at about 8 MiB of text, whatever its limit, and the paging
 * still lists every version once. */
static void
test_versions_large (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *uid = g_uuid_string_random ();
  g_autofree char *big = g_malloc (SI_BODY_MAX_BYTES + 1);
  g_autofree char *json = idea_body (uid, "big", "small", NULL, NULL);
  g_autoptr(SiTestResponse) created = post (server, token, "ideas", json, 201);
  gint64 id = si_test_response_get_int (created, "id");
  gint64 version = si_test_response_get_int (created, "version");
  gint64 before = 0;
  guint total = 0, pages = 0;

  memset (big, 'x', SI_BODY_MAX_BYTES);
  big[SI_BODY_MAX_BYTES] = '\0';
  for (int i = 0; i < 10; i++)
    version = update_idea (server, token, id, version, uid, "big", big, NULL);

  for (;;)
    {
      g_autofree char *query = before ? g_strdup_printf ("?before=%" G_GINT64_FORMAT, before) : g_strdup ("");
      g_autoptr(SiWireHistoryPage) page = history (server, token, id, query);

      pages++;
      total += page->versions->len;
      g_assert_cmpuint (page->versions->len, <=, 8);
      if (!page->more)
        break;
      before = page->cursor;
    }
  g_assert_cmpuint (total, ==, 11);
  g_assert_cmpuint (pages, ==, 2);
}

/* Bad parameters, ids that are not the account's ideas, methods. */
static void
test_errors (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", "bob", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *bob = si_test_server_login (server, "bob", PASSWORD);
  gint64 version = 0;
  gint64 id = create_idea (server, token, "Mine", NULL, &version);
  gint64 tag = create_tag (server, token, "A tag", NULL);
  static const char * const bad[] = {
    "?before=0", "?before=-1", "?before=abc", "?before=01", "?before=99999999999999999999", "?before=",
    "?limit=0", "?limit=101", "?limit=x", "?limit=-5", "?limit=1e2", NULL
  };

  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr(SiTestResponse) h = get (server, token, "/api/v1/ideas/%" G_GINT64_FORMAT "/history%s", id, bad[i]);
      g_autoptr(SiTestResponse) t = get (server, token, "/api/v1/trash%s", bad[i]);

      g_test_message ("%s", bad[i]);
      assert_error (h, 400, "invalid_parameter");
      assert_error (t, 400, "invalid_parameter");
    }
  {
    g_autoptr(SiTestResponse) ok = get (server, token, "/api/v1/ideas/%" G_GINT64_FORMAT "/history?limit=100&before=9223372036854775807", id);

    g_assert_cmpuint (ok->status, ==, 200);
  }

  /* 404: a tag id, an unknown id, another account's idea, tags' history, unknown actions */
  {
    g_autoptr(SiTestResponse) as_tag = get (server, token, "/api/v1/ideas/%" G_GINT64_FORMAT "/history", tag);
    g_autoptr(SiTestResponse) unknown = get (server, token, "/api/v1/ideas/999999/history");
    g_autoptr(SiTestResponse) other = get (server, bob, "/api/v1/ideas/%" G_GINT64_FORMAT "/history", id);
    g_autoptr(SiTestResponse) tags = get (server, token, "/api/v1/tags/%" G_GINT64_FORMAT "/history", tag);
    g_autoptr(SiTestResponse) action = get (server, token, "/api/v1/ideas/%" G_GINT64_FORMAT "/versions", id);
    g_autoptr(SiTestResponse) zero = get (server, token, "/api/v1/ideas/0/history");
    g_autoptr(SiTestResponse) undelete_other = post_action (server, bob, id, "undelete", version);
    g_autoptr(SiTestResponse) purge_other = post_action (server, bob, id, "purge", -1);
    g_autoptr(SiTestResponse) purge_tag = post_action (server, token, tag, "purge", -1);

    assert_error (as_tag, 404, "not_found");
    assert_error (unknown, 404, "not_found");
    assert_error (other, 404, "not_found");
    assert_error (tags, 404, "not_found");
    assert_error (action, 404, "not_found");
    assert_error (zero, 404, "not_found");
    assert_error (undelete_other, 404, "not_found");
    assert_error (purge_other, 404, "not_found");
    assert_error (purge_tag, 404, "not_found");
  }

  /* Methods */
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT "/history", id);
    g_autofree char *undelete = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT "/undelete", id);
    g_autoptr(SiTestResponse) post_history = si_test_server_request_raw (server, "POST", path, token, NULL, NULL, 0, NULL);
    g_autoptr(SiTestResponse) get_undelete = si_test_server_request (server, "GET", undelete, token, NULL, NULL);
    g_autoptr(SiTestResponse) post_trash = si_test_server_request_raw (server, "POST", "/api/v1/trash", token, NULL, NULL, 0, NULL);

    assert_error (post_history, 405, "method_not_allowed");
    assert_error (get_undelete, 405, "method_not_allowed");
    assert_error (post_trash, 405, "method_not_allowed");
  }

  /* Without a token: 401 before anything else. */
  {
    g_autoptr(SiTestResponse) h = get (server, NULL, "/api/v1/ideas/%" G_GINT64_FORMAT "/history?limit=0", id);
    g_autoptr(SiTestResponse) u = post_action (server, NULL, id, "undelete", version);

    g_assert_cmpuint (h->status, ==, 401);
    g_assert_cmpuint (u->status, ==, 401);
  }

  /* undelete and purge of a live idea: 409 not_deleted with the record */
  {
    g_autoptr(SiTestResponse) u = post_action (server, token, id, "undelete", version);
    g_autoptr(SiTestResponse) p = post_action (server, token, id, "purge", -1);

    assert_error (u, 409, "not_deleted");
    assert_error (p, 409, "not_deleted");
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (si_test_response_object (u), "current"),
                                                 "version"), ==, version);
    g_assert_true (json_object_has_member (si_test_response_object (p), "current"));
  }
}

/* ---------------------------------------------------------------------------------------- */
/* trash and undelete */

static void
test_trash_undelete (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *other = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *uid = g_uuid_string_random ();
  g_autofree char *json = idea_body (uid, "Keep me", "first body", NULL, "laptop");
  g_autoptr(SiTestResponse) created = post (server, token, "ideas", json, 201);
  g_autoptr(SiTestResponse) other_feed = NULL;
  gint64 id = si_test_response_get_int (created, "id");
  gint64 v1 = si_test_response_get_int (created, "version");
  gint64 v2, tombstone, cursor;

  v2 = update_idea (server, token, id, v1, uid, "Keep me", "last body", "phone");

  /* The other device is up to date, then sees the deletion. */
  other_feed = get (server, other, "/api/v1/changes?since=0");
  cursor = si_test_response_get_int (other_feed, "cursor");
  tombstone = delete_idea (server, token, id, v2);
  {
    g_autoptr(SiTestResponse) feed = get (server, other, "/api/v1/changes?since=%" G_GINT64_FORMAT, cursor);
    JsonObject *record = feed_find (feed, id);

    g_assert_nonnull (record);
    g_assert_true (json_object_get_boolean_member (record, "deleted"));
    g_assert_false (json_object_has_member (record, "title"));
    cursor = si_test_response_get_int (feed, "cursor");
  }

  /* In the trash with the last live content; the history lists the versions, no tombstone. */
  {
    g_autoptr(SiWireTrashPage) t = trash (server, token, NULL);
    g_autoptr(SiWireHistoryPage) h = history (server, token, id, NULL);
    SiWireTrashEntry *entry;

    g_assert_cmpuint (t->entries->len, ==, 1);
    entry = g_ptr_array_index (t->entries, 0);
    g_assert_cmpint (entry->record->id, ==, id);
    g_assert_cmpstr (entry->record->uid, ==, uid);
    g_assert_cmpint (entry->record->version, ==, tombstone);
    g_assert_cmpstr (entry->record->title, ==, "Keep me");
    g_assert_cmpstr (entry->record->body, ==, "last body");
    g_assert_cmpstr (entry->record->device, ==, "phone");
    g_assert_cmpint (entry->deleted_at, >, 0);
    g_assert_cmpint (ABS (entry->deleted_at - g_get_real_time () / 1000), <, 60000);

    g_assert_cmpuint (h->versions->len, ==, 2);
    g_assert_cmpint (version_at (h, 0)->version, ==, v2);
    g_assert_cmpint (version_at (h, 1)->version, ==, v1);
  }

  /* 428 without If-Match, 412 with a stale one (and the tombstone as current) */
  {
    g_autoptr(SiTestResponse) none = post_action (server, token, id, "undelete", -1);
    g_autoptr(SiTestResponse) stale = post_action (server, token, id, "undelete", v2);

    assert_error (none, 428, "precondition_required");
    assert_error (stale, 412, "precondition_failed");
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (si_test_response_object (stale), "current"),
                                                 "version"), ==, tombstone);
  }

  /* Undelete: a new live version with the last content, in everyone's feed. */
  {
    g_autoptr(SiTestResponse) r = post_action (server, token, id, "undelete", tombstone);
    g_autoptr(SiTestResponse) feed = NULL;
    g_autoptr(SiWireTrashPage) t = NULL;
    g_autofree char *etag = NULL;
    JsonObject *record;
    gint64 revived;

    g_assert_cmpuint (r->status, ==, 200);
    revived = si_test_response_get_int (r, "version");
    g_assert_cmpint (revived, >, tombstone);
    etag = si_wire_etag_format (revived);
    g_assert_cmpstr (soup_message_headers_get_one (r->headers, "ETag"), ==, etag);
    g_assert_false (json_object_get_boolean_member (si_test_response_object (r), "deleted"));
    g_assert_cmpstr (si_test_response_get_string (r, "title"), ==, "Keep me");
    g_assert_cmpstr (si_test_response_get_string (r, "body"), ==, "last body");
    g_assert_cmpstr (si_test_response_get_string (r, "uid"), ==, uid);

    feed = get (server, other, "/api/v1/changes?since=%" G_GINT64_FORMAT, cursor);
    record = feed_find (feed, id);
    g_assert_nonnull (record);
    g_assert_false (json_object_get_boolean_member (record, "deleted"));
    g_assert_cmpint (json_object_get_int_member (record, "version"), ==, revived);
    g_assert_cmpstr (json_object_get_string_member (record, "body"), ==, "last body");

    t = trash (server, token, NULL);
    g_assert_cmpuint (t->entries->len, ==, 0);

    /* Undeleting again: it is live. */
    {
      g_autoptr(SiTestResponse) again = post_action (server, token, id, "undelete", tombstone);

      assert_error (again, 409, "not_deleted");
    }
    /* It edits on as any idea. */
    update_idea (server, other, id, revived, uid, "Edited after", "x", NULL);
  }
}

/* The trash pages newest deletion first. */
static void
test_trash_paging (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autoptr(GArray) tombstones = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 before = 0;

  for (int i = 0; i < 5; i++)
    {
      g_autofree char *title = g_strdup_printf ("Idea %d", i);
      gint64 version = 0;
      gint64 id = create_idea (server, token, title, NULL, &version);
      gint64 t = delete_idea (server, token, id, version);

      g_array_append_val (tombstones, t);
    }
  create_idea (server, token, "Alive", NULL, NULL);

  for (;;)
    {
      g_autofree char *query = before ? g_strdup_printf ("?limit=2&before=%" G_GINT64_FORMAT, before) : g_strdup ("?limit=2");
      g_autoptr(SiWireTrashPage) page = trash (server, token, query);

      for (guint i = 0; i < page->entries->len; i++)
        g_array_append_val (seen, ((SiWireTrashEntry *) g_ptr_array_index (page->entries, i))->record->version);
      if (!page->more)
        break;
      before = page->cursor;
    }
  g_assert_cmpuint (seen->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpint (g_array_index (seen, gint64, i), ==, g_array_index (tombstones, gint64, 4 - i));
}

/* ---------------------------------------------------------------------------------------- */
/* purge */

static gboolean
bytes_contain (const char *path,
               const char *marker)
{
  g_autofree char *data = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &data, &length, NULL))
    return FALSE;  /* no such file: nothing in it */
  return memmem (data, length, marker, strlen (marker)) != NULL;
}

/* PostgreSQL: rows of the database holding @marker in any text column of records or
 * idea_history. */
static gint64
pg_rows_with (const char *uri,
              const char *marker)
{
  PGconn *conn = PQconnectdb (uri);
  const char *params[1] = { marker };
  PGresult *res;
  gint64 n;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  res = PQexecParams (conn,
                      "SELECT (SELECT count(*) FROM records WHERE strpos(coalesce(title, '') || coalesce(body, ''), $1) > 0)"
                      " + (SELECT count(*) FROM idea_history WHERE strpos(title || body, $1) > 0)",
                      1, NULL, params, NULL, NULL, 0);
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  n = g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
  PQclear (res);
  PQfinish (conn);
  return n;
}

static gboolean
server_holds (SiTestServer *server,
              const char   *marker)
{
  const char *database = si_test_server_get_database (server);
  g_autofree char *db = NULL;
  g_autofree char *wal = NULL;

  if (database != NULL)
    return pg_rows_with (database, marker) > 0;
  db = g_build_filename (si_test_server_get_data_dir (server), "server.db", NULL);
  wal = g_build_filename (si_test_server_get_data_dir (server), "server.db-wal", NULL);
  return bytes_contain (db, marker) || bytes_contain (wal, marker);
}

/* A purged idea's title and body are in no version the API gives, nor in the database's
 * files (SQLite: server.db and its WAL; PostgreSQL: no row holds them). */
static void
test_purge (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *uid = g_uuid_string_random ();
  g_autofree char *marker = g_strdup_printf ("TitleMarker%08x", g_random_int ());
  g_autofree char *body_marker = g_strdup_printf ("BodyMarker%08x", g_random_int ());
  g_autofree char *kept_marker = g_strdup_printf ("KeptMarker%08x", g_random_int ());
  g_autofree char *big_body = NULL;
  g_autofree char *json = NULL;
  g_autoptr(SiTestResponse) created = NULL;
  g_autoptr(GString) big = g_string_new (NULL);
  gint64 id, version, tombstone;

  /* A body of several pages too (overflow pages in SQLite). */
  while (big->len < 20000)
    g_string_append_printf (big, "%s ", body_marker);
  big_body = g_string_free (g_steal_pointer (&big), FALSE);
  json = idea_body (uid, marker, body_marker, NULL, NULL);
  created = post (server, token, "ideas", json, 201);
  id = si_test_response_get_int (created, "id");
  version = si_test_response_get_int (created, "version");
  version = update_idea (server, token, id, version, uid, marker, big_body, "laptop");
  version = update_idea (server, token, id, version, uid, marker, body_marker, "phone");

  /* Another idea that stays, to see that the check can find what is there. */
  {
    gint64 kept = create_idea (server, token, kept_marker, NULL, NULL);

    g_assert_cmpint (kept, >, 0);
  }

  tombstone = delete_idea (server, token, id, version);
  g_assert_true (server_holds (server, kept_marker));

  {
    g_autoptr(SiTestResponse) p = post_action (server, token, id, "purge", -1);
    g_autoptr(SiTestResponse) again = post_action (server, token, id, "purge", -1);
    g_autoptr(SiTestResponse) undelete = post_action (server, token, id, "undelete", tombstone);
    g_autoptr(SiWireHistoryPage) h = history (server, token, id, NULL);
    g_autoptr(SiWireTrashPage) t = trash (server, token, NULL);
    g_autoptr(SiTestResponse) record = get (server, token, "/api/v1/ideas/%" G_GINT64_FORMAT, id);

    g_assert_cmpuint (p->status, ==, 204);
    g_assert_cmpuint (again->status, ==, 204);
    assert_error (undelete, 410, "gone");
    g_assert_cmpuint (h->versions->len, ==, 0);
    g_assert_cmpuint (t->entries->len, ==, 0);
    /* The tombstone stays: clients need it. */
    g_assert_cmpuint (record->status, ==, 200);
    g_assert_true (json_object_get_boolean_member (si_test_response_object (record), "deleted"));
    g_assert_cmpint (si_test_response_get_int (record, "version"), ==, tombstone);
  }

  g_assert_false (server_holds (server, marker));
  g_assert_false (server_holds (server, body_marker));
  g_assert_true (server_holds (server, kept_marker));

  /* Still so after a restart (nothing comes back from a log). */
  g_assert_cmpint (si_test_server_stop (server, SIGTERM), ==, 0);
  g_assert_false (server_holds (server, marker));
  g_assert_false (server_holds (server, body_marker));
}

/* --trash-days 0: a delete keeps nothing; --history-days 0: an update keeps nothing. */
static void
test_no_history (void)
{
  g_autoptr(SiTestServer) server = si_test_server_new (NULL);
  g_autofree char *token = NULL;
  g_autofree char *uid = g_uuid_string_random ();
  g_autofree char *json = idea_body (uid, "Once", "b", NULL, NULL);
  g_autoptr(SiTestResponse) created = NULL;
  g_autoptr(SiWireHistoryPage) h = NULL;
  g_autoptr(SiWireTrashPage) t = NULL;
  gint64 id, version, tombstone;

  si_test_server_set_args (server, (const char * const[]) { "--history-days", "0", "--trash-days", "0", NULL });
  si_test_server_add_user (server, "alice", PASSWORD);
  si_test_server_start (server);
  token = si_test_server_login (server, "alice", PASSWORD);
  created = post (server, token, "ideas", json, 201);
  id = si_test_response_get_int (created, "id");
  version = update_idea (server, token, id, si_test_response_get_int (created, "version"), uid, "Twice", "b", NULL);
  h = history (server, token, id, NULL);
  g_assert_cmpuint (h->versions->len, ==, 1);
  g_assert_cmpint (version_at (h, 0)->version, ==, version);

  tombstone = delete_idea (server, token, id, version);
  t = trash (server, token, NULL);
  g_assert_cmpuint (t->entries->len, ==, 0);
  {
    g_autoptr(SiTestResponse) u = post_action (server, token, id, "undelete", tombstone);

    assert_error (u, 410, "gone");
  }
}

/* The server's background job applies the cap (SAVEIDEA_SERVER_TEST_PRUNE_SECONDS makes it
 * run every second): three kept versions of 512 KiB are more than --history-max-mib 1, so the
 * oldest go until the rest fit; the live version is not a kept one. */
static void
test_pruner_runs (void)
{
  g_autoptr(SiTestServer) server = si_test_server_new (NULL);
  g_autofree char *token = NULL;
  g_autofree char *uid = g_uuid_string_random ();
  g_autofree char *big = g_malloc (512 * 1024 + 1);
  g_autofree char *json = idea_body (uid, "v0", "small", NULL, NULL);
  g_autoptr(SiTestResponse) created = NULL;
  g_autoptr(GArray) versions = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 id, version;
  guint listed = 0;

  memset (big, 'y', 512 * 1024);
  big[512 * 1024] = '\0';
  si_test_server_set_args (server, (const char * const[]) { "--history-max-mib", "1", NULL });
  si_test_server_add_user (server, "alice", PASSWORD);
  g_setenv ("SAVEIDEA_SERVER_TEST_PRUNE_SECONDS", "1", TRUE);
  si_test_server_start (server);
  g_unsetenv ("SAVEIDEA_SERVER_TEST_PRUNE_SECONDS");
  token = si_test_server_login (server, "alice", PASSWORD);
  created = post (server, token, "ideas", json, 201);
  id = si_test_response_get_int (created, "id");
  version = si_test_response_get_int (created, "version");
  for (int i = 1; i <= 3; i++)
    {
      g_autofree char *title = g_strdup_printf ("v%d", i);

      g_array_append_val (versions, version);
      version = update_idea (server, token, id, version, uid, title, big, NULL);
    }

  /* v0 (small), v1 and v2 (512 KiB each) are kept, v3 is live: v0 and v1 go (oldest first),
   * v2 fits. */
  for (int tries = 0; tries < 200; tries++)
    {
      g_autoptr(SiWireHistoryPage) page = history (server, token, id, NULL);

      listed = page->versions->len;
      if (listed <= 2)
        {
          g_assert_cmpuint (listed, ==, 2);
          g_assert_cmpint (version_at (page, 0)->version, ==, version);
          g_assert_cmpint (version_at (page, 1)->version, ==, g_array_index (versions, gint64, 2));
          break;
        }
      g_usleep (100 * 1000);
    }
  g_assert_cmpuint (listed, ==, 2);
}

/* Options out of range are refused. */
static void
test_options (void)
{
  g_autoptr(SiTestServer) server = si_test_server_new (NULL);
  static const char * const bad[][3] = {
    { "--history-days", "-1" }, { "--history-days", "36501" }, { "--trash-days", "-2" },
    { "--history-max-mib", "-1" }, { "--history-max-mib", "1073741825" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *err = NULL;

      g_assert_cmpint (si_test_server_run (server, NULL, NULL, &err, bad[i][0], bad[i][1], "user", "list", NULL), ==, 2);
      g_assert_nonnull (strstr (err, bad[i][0]));
    }
}

/* A client that knows nothing of history: records, tombstones and the feed look as before. */
static void
test_old_client (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *uid = g_uuid_string_random ();
  g_autofree char *json = idea_body (uid, "Plain", "b", NULL, NULL);
  g_autoptr(SiTestResponse) created = post (server, token, "ideas", json, 201);
  static const char * const members[] = {
    "id", "uid", "version", "created_at", "updated_at", "deleted", "title", "body", "pinned", "tags", NULL
  };
  gint64 id = si_test_response_get_int (created, "id");
  gint64 version = si_test_response_get_int (created, "version");
  gint64 tombstone;

  for (int i = 0; i < 3; i++)
    version = update_idea (server, token, id, version, uid, "Plain", i == 2 ? "last" : "middle", NULL);
  {
    g_autoptr(SiTestResponse) one = get (server, token, "/api/v1/ideas/%" G_GINT64_FORMAT, id);
    g_autoptr(SiTestResponse) feed = get (server, token, "/api/v1/changes?since=0");
    g_autoptr(SiTestResponse) list = get (server, token, "/api/v1/ideas?since=0");
    JsonObject *object = si_test_response_object (one);

    g_assert_cmpuint (json_object_get_size (object), ==, g_strv_length ((char **) members));
    for (guint i = 0; members[i] != NULL; i++)
      g_assert_true (json_object_has_member (object, members[i]));
    g_assert_cmpint (si_test_response_get_int (one, "version"), ==, version);
    /* One record per idea, at its latest version: no history in the feeds. */
    g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 1);
    g_assert_cmpuint (json_array_get_length (page_records (list)), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (record_at (page_records (list), 0), "body"), ==, "last");
    g_assert_cmpint (si_test_response_get_int (feed, "cursor"), ==, version);
  }
  tombstone = delete_idea (server, token, id, version);
  {
    g_autoptr(SiTestResponse) one = get (server, token, "/api/v1/ideas/%" G_GINT64_FORMAT, id);
    g_autoptr(SiTestResponse) feed = get (server, token, "/api/v1/changes?since=%" G_GINT64_FORMAT, version);
    JsonObject *object = si_test_response_object (one);

    g_assert_cmpint (si_test_response_get_int (one, "version"), ==, tombstone);
    g_assert_false (json_object_has_member (object, "title"));
    g_assert_false (json_object_has_member (object, "body"));
    g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 1);
    /* Updating a deleted idea is still 409 deleted, as before. */
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, id);
      g_autofree char *v = version_header (tombstone);
      g_autofree char *body = idea_body (uid, "Back?", "b", NULL, NULL);
      g_autoptr(SiTestResponse) put = si_test_server_request (server, "PUT", path, token, body, "If-Match", v, NULL);

      assert_error (put, 409, "deleted");
    }
  }
}

/* The real client of this release, which knows nothing of history (its store and sync engine):
 * it removes an idea deleted elsewhere, and after an undelete on the server its next sync
 * brings the idea back, as any new record in the feed. */
static void
test_old_client_sync (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiStore) b = open_store ("b");
  g_autoptr(SiSyncEngine) engine_a = engine_for (s, a);
  g_autoptr(SiSyncEngine) engine_b = engine_for (s, b);
  g_autoptr(SiIdea) idea = add_idea (a, "Back from the trash", "its body", NULL);
  g_autoptr(SiIdea) seen = NULL;
  g_autoptr(SiIdea) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uid = g_strdup (si_idea_get_uid (idea));
  gint64 sid, tombstone;

  sync_ok (engine_a, SI_SYNC_MODE_FULL);
  sync_ok (engine_b, SI_SYNC_MODE_FULL);
  seen = find_by_title (b, "Back from the trash");
  g_assert_nonnull (seen);

  g_assert_true (si_store_delete_idea (a, si_idea_get_id (idea), SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  sync_ok (engine_a, SI_SYNC_MODE_INCREMENTAL);
  sync_ok (engine_b, SI_SYNC_MODE_INCREMENTAL);
  g_assert_null (find_by_title (b, "Back from the trash"));

  /* Undelete on the server, by its id and tombstone version. */
  {
    g_autoptr(SiWireTrashPage) t = trash (s->server, s->token, NULL);
    SiWireTrashEntry *entry;

    g_assert_cmpuint (t->entries->len, ==, 1);
    entry = g_ptr_array_index (t->entries, 0);
    g_assert_cmpstr (entry->record->uid, ==, uid);
    sid = entry->record->id;
    tombstone = entry->record->version;
  }
  {
    g_autoptr(SiTestResponse) r = post_action (s->server, s->token, sid, "undelete", tombstone);

    g_assert_cmpuint (r->status, ==, 200);
  }

  sync_ok (engine_b, SI_SYNC_MODE_INCREMENTAL);
  sync_ok (engine_a, SI_SYNC_MODE_INCREMENTAL);
  back = find_by_title (b, "Back from the trash");
  g_assert_nonnull (back);
  g_assert_cmpstr (si_idea_get_uid (back), ==, uid);
  g_clear_object (&back);
  back = find_by_title (a, "Back from the trash");
  g_assert_nonnull (back);
  g_assert_cmpuint (server_count (s, "ideas", TRUE), ==, 1);
}

/* ---------------------------------------------------------------------------------------- */
/* pruning, through the storage with a set clock */

typedef struct {
  SiServerStorage *storage;
  char            *dir;
  gint64           account;
} Store;

static void
store_free (Store *store)
{
  g_clear_object (&store->storage);
  if (store->dir != NULL)
    {
      g_autofree char *db = g_build_filename (store->dir, "server.db", NULL);
      g_autofree char *wal = g_strconcat (db, "-wal", NULL);
      g_autofree char *shm = g_strconcat (db, "-shm", NULL);

      g_remove (db);
      g_remove (wal);
      g_remove (shm);
      g_rmdir (store->dir);
    }
  g_free (store->dir);
  g_free (store);
  _si_server_storage_set_now_for_tests (0);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Store, store_free)

static Store *
store_open (guint   history_days,
            guint   trash_days,
            guint64 max_bytes)
{
  Store *store = g_new0 (Store, 1);
  SiServerHistoryPolicy policy = { history_days, trash_days, max_bytes };
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;

  if (si_test_server_pg_admin_uri () != NULL)
    {
      g_autofree char *uri = si_test_server_pg_new_database ();

      store->storage = si_server_storage_pg_open (uri, &error);
    }
  else
    {
      store->dir = g_dir_make_tmp ("history-prune-XXXXXX", &error);
      g_assert_no_error (error);
      store->storage = si_server_storage_sqlite_open (store->dir, &error);
    }
  g_assert_no_error (error);
  si_server_storage_set_history_policy (&policy);
  g_assert_true (si_server_storage_account_add (store->storage, "alice", "x", &error));
  hash = si_server_storage_account_lookup (store->storage, "alice", &store->account, &error);
  g_assert_no_error (error);
  return store;
}

static SiWireRecord *
store_create (Store      *store,
              const char *title,
              gint64      now)
{
  g_autoptr(SiWireRecord) record = si_wire_record_new (SI_WIRE_COLLECTION_IDEAS);
  g_autoptr(GError) error = NULL;
  gboolean created = FALSE;
  SiWireRecord *stored;

  _si_server_storage_set_now_for_tests (now);
  record->uid = g_uuid_string_random ();
  record->created_at = record->updated_at = now;
  g_free (record->title);
  record->title = g_strdup (title);
  stored = si_server_storage_record_create (store->storage, store->account, record, &created, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (created);
  return stored;
}

/* Updates @record in place to @title at @now. */
static void
store_update (Store        *store,
              SiWireRecord *record,
              const char   *title,
              gint64        now)
{
  g_autoptr(GError) error = NULL;
  SiWireRecord *stored;

  _si_server_storage_set_now_for_tests (now);
  g_free (record->title);
  record->title = g_strdup (title);
  record->updated_at = now;
  stored = si_server_storage_record_update (store->storage, store->account, record->id, record->version, record,
                                            NULL, &error);
  g_assert_no_error (error);
  record->version = stored->version;
  si_wire_record_free (stored);
}

static void
store_delete (Store        *store,
              SiWireRecord *record,
              gint64        now)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SiWireRecord) stored = NULL;
  gboolean changed = FALSE;

  _si_server_storage_set_now_for_tests (now);
  stored = si_server_storage_record_delete (store->storage, store->account, SI_WIRE_COLLECTION_IDEAS, record->id,
                                            record->version, &changed, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (changed);
  record->version = stored->version;
}

/* The titles of the idea's versions, newest first, joined with spaces. */
static char *
store_titles (Store  *store,
              gint64  id)
{
  g_autoptr(GString) titles = g_string_new (NULL);
  gint64 before = 0;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SiWireHistoryPage) page = si_server_storage_history_list (store->storage, store->account, id, before,
                                                                          SI_WIRE_HISTORY_MAX_LIMIT, &error);

      g_assert_no_error (error);
      for (guint i = 0; i < page->versions->len; i++)
        g_string_append_printf (titles, "%s%s", titles->len ? " " : "",
                                ((SiWireRecord *) g_ptr_array_index (page->versions, i))->title);
      if (!page->more)
        break;
      before = page->cursor;
    }
  return g_string_free (g_steal_pointer (&titles), FALSE);
}

static guint64
store_prune (Store  *store,
             gint64  now)
{
  g_autoptr(GError) error = NULL;
  guint64 dropped = 0;

  _si_server_storage_set_now_for_tests (now);
  g_assert_true (si_server_storage_history_prune (store->storage, store->account, now, &dropped, &error));
  g_assert_no_error (error);
  return dropped;
}

/* A midnight (UTC), far from the edges of days. */
#define NOW G_GINT64_CONSTANT (1796083200000) /* 2026-12-01T00:00:00Z */

/* Every version within --history-days; the newest of each UTC day after, up to a year; none
 * older. Versions named dD.N: written D days ago (plus N hours). */
static void
test_prune_ages (void)
{
  g_autoptr(Store) store = store_open (30, 30, 0);
  g_autoptr(SiWireRecord) idea = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *again = NULL;
  static const struct { int days_ago; int hour; } writes[] = {
    { 400, 1 }, { 400, 5 }, { 366, 2 },               /* older than a year: all go */
    { 200, 1 }, { 200, 3 }, { 200, 9 },               /* one a day: d200.9 stays */
    { 100, 4 },                                        /* alone that day: stays */
    { 31, 1 }, { 31, 23 },                             /* d31.23 stays */
    { 29, 1 }, { 29, 2 }, { 29, 3 },                   /* within 30 days: all stay */
    { 1, 1 }, { 1, 2 },
    { 0, 1 },                                          /* the live version */
  };
  guint64 dropped;

  for (guint i = 0; i < G_N_ELEMENTS (writes); i++)
    {
      g_autofree char *title = g_strdup_printf ("d%d.%d", writes[i].days_ago, writes[i].hour);
      gint64 when = NOW - writes[i].days_ago * DAY_MS + writes[i].hour * 3600000;

      if (i == 0)
        idea = store_create (store, title, when);
      else
        store_update (store, idea, title, when);
    }
  before = store_titles (store, idea->id);
  g_assert_cmpstr (before, ==, "d0.1 d1.2 d1.1 d29.3 d29.2 d29.1 d31.23 d31.1 d100.4 d200.9 d200.3 d200.1 d366.2 d400.5 d400.1");

  dropped = store_prune (store, NOW + 2 * 3600000);
  after = store_titles (store, idea->id);
  g_assert_cmpstr (after, ==, "d0.1 d1.2 d1.1 d29.3 d29.2 d29.1 d31.23 d100.4 d200.9");
  g_assert_cmpuint (dropped, ==, 6);

  /* Pruning again changes nothing; two days later, d29's versions are past 30 days. */
  g_assert_cmpuint (store_prune (store, NOW + 2 * 3600000), ==, 0);
  store_prune (store, NOW + 2 * DAY_MS);
  again = store_titles (store, idea->id);
  g_assert_cmpstr (again, ==, "d0.1 d1.2 d1.1 d29.3 d31.23 d100.4 d200.9");
}

/* A deleted idea's content stays for the trash period, then goes with its history; undelete
 * says gone after the period even before pruning. */
static void
test_prune_trash (void)
{
  g_autoptr(Store) store = store_open (30, 30, 0);
  g_autoptr(SiWireRecord) recent = store_create (store, "recent v1", NOW - 40 * DAY_MS);
  g_autoptr(SiWireRecord) old = store_create (store, "old v1", NOW - 40 * DAY_MS);
  g_autoptr(GError) error = NULL;
  g_autoptr(SiWireRecord) undeleted = NULL;
  g_autofree char *recent_titles = NULL;
  g_autofree char *old_titles = NULL;

  store_update (store, recent, "recent v2", NOW - 39 * DAY_MS);
  store_update (store, recent, "recent v3", NOW - 39 * DAY_MS + 1000);
  store_delete (store, recent, NOW - 29 * DAY_MS);
  store_update (store, old, "old v2", NOW - 35 * DAY_MS);
  store_delete (store, old, NOW - 31 * DAY_MS);

  /* Undelete of the old one: past the trash period. */
  _si_server_storage_set_now_for_tests (NOW);
  undeleted = si_server_storage_record_undelete (store->storage, store->account, old->id, old->version, NULL, &error);
  g_assert_error (error, SI_SERVER_STORAGE_ERROR, SI_SERVER_STORAGE_ERROR_GONE);
  g_assert_null (undeleted);
  g_clear_error (&error);

  store_prune (store, NOW);
  recent_titles = store_titles (store, recent->id);
  old_titles = store_titles (store, old->id);
  /* recent v3 is the trash's content (and the newest of its day); v2 is not the newest of its
   * day, v1 is. */
  g_assert_cmpstr (recent_titles, ==, "recent v3 recent v1");
  g_assert_cmpstr (old_titles, ==, "");

  /* The recent one comes back with its last content. */
  undeleted = si_server_storage_record_undelete (store->storage, store->account, recent->id, recent->version, NULL,
                                                 &error);
  g_assert_no_error (error);
  g_assert_cmpstr (undeleted->title, ==, "recent v3");
  g_assert_false (undeleted->deleted);
  g_assert_cmpint (undeleted->version, >, recent->version);
}

/* Above the cap the oldest versions go first, the trash's content last. */
static void
test_prune_cap (void)
{
  g_autoptr(Store) store = store_open (30, 30, 0);
  g_autoptr(SiWireRecord) deleted = store_create (store, "trash content", NOW - 20 * DAY_MS);
  g_autoptr(SiWireRecord) idea = store_create (store, "v00", NOW - 19 * DAY_MS);
  SiServerHistoryPolicy policy;
  g_autofree char *titles = NULL;
  g_autofree char *trash_titles = NULL;
  g_autofree char *squeezed = NULL;
  guint64 row;

  store_delete (store, deleted, NOW - 18 * DAY_MS);
  for (int i = 1; i <= 10; i++)
    {
      g_autofree char *title = g_strdup_printf ("v%02d", i);

      store_update (store, idea, title, NOW - 18 * DAY_MS + i * 3600000);
    }
  /* Kept: "trash content" and v00..v09 (v10 is live). Each version counts its title, its body
   * (""), its tags ("") and SI_SERVER_HISTORY_ROW_OVERHEAD. */
  row = SI_SERVER_HISTORY_ROW_OVERHEAD + 3;
  si_server_storage_get_history_policy (&policy);
  policy.max_bytes = (SI_SERVER_HISTORY_ROW_OVERHEAD + strlen ("trash content")) + 4 * row;
  si_server_storage_set_history_policy (&policy);

  g_assert_cmpuint (store_prune (store, NOW), ==, 6);
  titles = store_titles (store, idea->id);
  trash_titles = store_titles (store, deleted->id);
  g_assert_cmpstr (titles, ==, "v10 v09 v08 v07 v06");
  g_assert_cmpstr (trash_titles, ==, "trash content");

  /* Room for the trash's content alone: every other kept version goes first. */
  policy.max_bytes = SI_SERVER_HISTORY_ROW_OVERHEAD + strlen ("trash content");
  si_server_storage_set_history_policy (&policy);
  g_assert_cmpuint (store_prune (store, NOW), ==, 4);
  g_clear_pointer (&titles, g_free);
  g_clear_pointer (&trash_titles, g_free);
  titles = store_titles (store, idea->id);
  trash_titles = store_titles (store, deleted->id);
  g_assert_cmpstr (titles, ==, "v10");
  g_assert_cmpstr (trash_titles, ==, "trash content");

  /* A cap below even that: it goes too, when nothing else is left. */
  policy.max_bytes = 1;
  si_server_storage_set_history_policy (&policy);
  g_assert_cmpuint (store_prune (store, NOW), ==, 1);
  squeezed = store_titles (store, deleted->id);
  g_assert_cmpstr (squeezed, ==, "");
}

/* --history-days 0: no version is kept by an update, the trash's content is. */
static void
test_prune_no_history (void)
{
  g_autoptr(Store) store = store_open (0, 30, 0);
  g_autoptr(SiWireRecord) idea = store_create (store, "a", NOW - DAY_MS);
  g_autoptr(SiWireRecord) deleted = store_create (store, "gone soon", NOW - DAY_MS);
  g_autofree char *titles = NULL;
  g_autofree char *trash_titles = NULL;

  store_update (store, idea, "b", NOW - DAY_MS + 1);
  store_update (store, deleted, "last", NOW - DAY_MS + 2);
  store_delete (store, deleted, NOW - DAY_MS + 3);
  store_prune (store, NOW);
  titles = store_titles (store, idea->id);
  trash_titles = store_titles (store, deleted->id);
  g_assert_cmpstr (titles, ==, "b");
  g_assert_cmpstr (trash_titles, ==, "last");
}

int
main (int   argc,
      char *argv[])
{
  /* Only 127.0.0.1: no proxy (the GNOME resolver would want the desktop's GSettings schemas). */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/server-history/versions/two-devices", test_versions_two_devices);
  g_test_add_func ("/server-history/versions/tags", test_versions_tags);
  g_test_add_func ("/server-history/versions/paging", test_versions_paging);
  g_test_add_func ("/server-history/versions/large", test_versions_large);
  g_test_add_func ("/server-history/errors", test_errors);
  g_test_add_func ("/server-history/trash/undelete", test_trash_undelete);
  g_test_add_func ("/server-history/trash/paging", test_trash_paging);
  g_test_add_func ("/server-history/purge", test_purge);
  g_test_add_func ("/server-history/no-history", test_no_history);
  g_test_add_func ("/server-history/options", test_options);
  g_test_add_func ("/server-history/pruner-runs", test_pruner_runs);
  g_test_add_func ("/server-history/old-client", test_old_client);
  g_test_add_func ("/server-history/old-client-sync", test_old_client_sync);
  g_test_add_func ("/server-history/prune/ages", test_prune_ages);
  g_test_add_func ("/server-history/prune/trash", test_prune_trash);
  g_test_add_func ("/server-history/prune/cap", test_prune_cap);
  g_test_add_func ("/server-history/prune/no-history", test_prune_no_history);

  return g_test_run ();
}
