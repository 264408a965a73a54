/* test-sync-echo.c — a device's own uploads do not come back in its next pull.
 *
 * A server with the `changes` feature says which change numbers a batch's own writes took; the
 * client moves its cursor past them when it stood right before them, in the transaction that
 * records the answer. Another device's write in between, the ideas a tag delete changed, and a
 * server without the feature all still reach the client. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "si-store-private.h"
#include "si-sync-engine.h"
#include "si-test-server.h"
#include "si-test-sync.h"
#include "si-wire.h"

#define PASSWORD "correct horse battery"

/* A server with alice, started with the environment variables @env (NAME, VALUE, ..., NULL)
 * set for it only. */
static Server *
server_with_env (const char *first, ...)
{
  Server *s = g_new0 (Server, 1);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  va_list args;

  s->server = si_test_server_new (NULL);
  si_test_server_add_user (s->server, "alice", PASSWORD);
  va_start (args, first);
  for (const char *name = first; name != NULL; name = va_arg (args, const char *))
    {
      g_setenv (name, va_arg (args, const char *), TRUE);
      g_ptr_array_add (names, (gpointer) name);
    }
  va_end (args);
  si_test_server_start (s->server);
  for (guint i = 0; i < names->len; i++)
    g_unsetenv (g_ptr_array_index (names, i));
  s->token = si_test_server_login (s->server, "alice", PASSWORD);
  return s;
}

static gint64
cursor_of (SiStore *store)
{
  return _si_store_sync_get_cursor (store, "changes");
}

/* How many changes the server has after @since (what a pull from there brings). */
static guint
changes_after (Server *s,
               gint64  since)
{
  guint count = 0;
  gboolean more = TRUE;

  while (more)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/changes?since=%" G_GINT64_FORMAT "&limit=1000", since);
      g_autoptr(SiTestResponse) r = si_test_server_request (s->server, "GET", path, s->token, NULL, NULL);

      g_assert_cmpuint (r->status, ==, 200);
      count += json_array_get_length (json_object_get_array_member (si_test_response_object (r), "records"));
      since = si_test_response_get_int (r, "cursor");
      more = json_object_get_boolean_member (si_test_response_object (r), "more");
    }
  return count;
}

/* The account's current change number. */
static gint64
server_seq (Server *s)
{
  g_autoptr(SiTestResponse) r = si_test_server_request (s->server, "GET", "/api/v1/changes?since=0&limit=1",
                                                        s->token, NULL, NULL);
  gint64 cursor = si_test_response_get_int (r, "cursor");
  gboolean more = json_object_get_boolean_member (si_test_response_object (r), "more");
  g_autofree char *path = NULL;
  g_autoptr(SiTestResponse) last = NULL;

  if (!more)
    return cursor;
  path = g_strdup_printf ("/api/v1/changes?since=%" G_GINT64_FORMAT "&limit=1000", cursor);
  while (TRUE)
    {
      g_clear_pointer (&last, si_test_response_free);
      last = si_test_server_request (s->server, "GET", path, s->token, NULL, NULL);
      cursor = si_test_response_get_int (last, "cursor");
      if (!json_object_get_boolean_member (si_test_response_object (last), "more"))
        return cursor;
      g_free (path);
      path = g_strdup_printf ("/api/v1/changes?since=%" G_GINT64_FORMAT "&limit=1000", cursor);
    }
}

/* Ideas written offline, then one sync: the next pull has nothing to bring, and the next sync
 * is a no-op of one request. Another device gets everything. */
static void
test_first_upload (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiStore) b = open_store ("b");
  g_autoptr(SiSyncEngine) ea = engine_for (s, a);
  g_autoptr(SiSyncEngine) eb = engine_for (s, b);
  g_autoptr(SiIdea) tagged = add_idea (a, "Tagged", "with two tags", (const char *[]) { "red", "blue", NULL });
  g_autofree char *dump_a = NULL;
  g_autofree char *dump_b = NULL;
  SiSyncReport report;

  /* More than a batch (1000 operations) and than a server step (500 rows). */
  add_many (a, 1200, "Offline");
  report = sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.pushed, ==, 1203);
  g_assert_cmpuint (server_count (s, "ideas", TRUE), ==, 1201);

  g_assert_cmpint (cursor_of (a), ==, server_seq (s));
  g_assert_cmpuint (changes_after (s, cursor_of (a)), ==, 0);
  report = sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.pulled, ==, 0);
  g_assert_cmpuint (report.pushed, ==, 0);
  g_assert_cmpuint (report.requests, ==, 1);

  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  dump_a = dump (a);
  dump_b = dump (b);
  g_assert_cmpstr (dump_a, ==, dump_b);

  /* An edit of b's comes to a, whose cursor is where it should be. */
  {
    g_autoptr(SiIdea) idea = find_by_title (b, "Offline 7");

    si_idea_set_body (idea, "edited on b");
    save (b, idea);
    sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
    report = sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
    g_assert_cmpuint (report.pulled, ==, 1);
    g_clear_object (&idea);
    idea = find_by_title (a, "Offline 7");
    g_assert_cmpstr (si_idea_get_body (idea), ==, "edited on b");
  }
}

/* Another device writes after a's cursor and before a's upload: a's cursor stays before that
 * write, and a's next sync brings it. */
static void
test_other_writer_before (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiStore) b = open_store ("b");
  g_autoptr(SiSyncEngine) ea = engine_for (s, a);
  g_autoptr(SiSyncEngine) eb = engine_for (s, b);
  g_autoptr(SiIdea) first = add_idea (a, "First", "", NULL);
  g_autoptr(SiIdea) from_b = NULL;
  g_autoptr(SiIdea) got = NULL;
  gint64 cursor;

  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  cursor = cursor_of (a);
  g_assert_cmpint (cursor, ==, server_seq (s));

  add_many (a, 20, "Offline");
  sync_ok (ea, SI_SYNC_MODE_PULL);
  from_b = add_idea (b, "Written on b", "", NULL);
  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpint (server_seq (s), ==, cursor + 1);

  sync_ok (ea, SI_SYNC_MODE_PUSH);
  g_assert_cmpuint (server_count (s, "ideas", TRUE), ==, 22);
  /* b's idea is after a's cursor and before a's 20: the cursor does not jump over it. */
  g_assert_cmpint (cursor_of (a), ==, cursor);
  g_assert_cmpuint (changes_after (s, cursor_of (a)), ==, 21);
  g_assert_null (find_by_title (a, "Written on b"));

  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  got = find_by_title (a, "Written on b");
  g_assert_nonnull (got);
  g_assert_cmpint (cursor_of (a), ==, server_seq (s));
}

/* Another device writes between two steps of a's batch (a step of 10 rows here): a's cursor
 * stops at the end of the first step; the next sync brings b's write. */
static void
test_other_writer_between_steps (void)
{
  g_autofree char *dir = g_dir_make_tmp ("echo-gate-XXXXXX", NULL);
  g_autofree char *gate = g_build_filename (dir, "gate", NULL);
  g_autoptr(Server) s = server_with_env ("SAVEIDEA_SERVER_TEST_TX_ROWS", "10",
                                         "SAVEIDEA_SERVER_TEST_GATE", gate, NULL);
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiSyncEngine) ea = engine_for (s, a);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SiIdea) got = NULL;
  g_autoptr(SiTestResponse) created = NULL;
  gint64 other_version;
  static const char other[] =
    "{\"uid\":\"0b6f9f7c-5a55-4cf4-8a55-9ae0f41a3f3e\",\"title\":\"Between the steps\",\"body\":\"\","
    "\"pinned\":false,\"tags\":[],\"created_at\":\"2026-12-01T10:00:00.000Z\",\"updated_at\":\"2026-12-01T10:00:00.000Z\"}";

  add_many (a, 25, "Offline");
  si_sync_engine_sync_async (ea, SI_SYNC_MODE_INCREMENTAL, NULL, got_result, &result);
  /* The first step (10 ideas) committed; the server waits at the gate. */
  while (server_count (s, "ideas", FALSE) < 10)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * 1000);
    }
  created = si_test_server_request (s->server, "POST", "/api/v1/ideas", s->token, other, NULL);
  g_assert_cmpuint (created->status, ==, 201);
  other_version = si_test_response_get_int (created, "version");
  g_assert_cmpint (other_version, ==, 11);
  g_assert_true (g_file_set_contents (gate, "", 0, NULL));
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (si_sync_engine_sync_finish (ea, result, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (server_count (s, "ideas", TRUE), ==, 26);

  g_assert_cmpint (cursor_of (a), ==, other_version - 1);
  g_assert_null (find_by_title (a, "Between the steps"));
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  got = find_by_title (a, "Between the steps");
  g_assert_nonnull (got);
  g_assert_cmpint (cursor_of (a), ==, server_seq (s));
  g_unlink (gate);
  g_rmdir (dir);
}

/* a deletes its tags, and the idea that had one: both arrive everywhere, and a's cursor
 * ends where the server's sequence does. */
static void
test_tag_delete (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiStore) b = open_store ("b");
  g_autoptr(SiSyncEngine) ea = engine_for (s, a);
  g_autoptr(SiSyncEngine) eb = engine_for (s, b);
  g_autoptr(SiIdea) tagged = add_idea (a, "Tagged", "", (const char *[]) { "t0", NULL });
  g_autoptr(SiIdea) on_b = NULL;
  g_autofree char *dump_a = NULL;
  g_autofree char *dump_b = NULL;
  gint64 cursor;

  for (guint i = 1; i < 10; i++)
    {
      g_autofree char *name = g_strdup_printf ("t%u", i);
      g_autoptr(SiTag) tag = si_store_ensure_tag (a, name, NULL);
      g_assert_nonnull (tag);
    }
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  cursor = cursor_of (a);
  g_assert_cmpint (cursor, ==, server_seq (s));

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *name = g_strdup_printf ("t%u", i);
      g_autoptr(SiTag) tag = si_store_find_tag (a, name, NULL);
      g_autoptr(GError) error = NULL;

      g_assert_nonnull (tag);
      g_assert_true (si_store_delete_tag (a, si_tag_get_id (tag), SI_SAVE_LOCAL, &error));
      g_assert_no_error (error);
    }
  sync_ok (ea, SI_SYNC_MODE_PUSH);
  g_assert_cmpint (cursor_of (a), ==, server_seq (s));
  g_assert_cmpint (cursor_of (a), ==, cursor + 11);

  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  on_b = find_by_title (b, "Tagged");
  {
    guint n_tags = 99;

    si_idea_get_tag_ids (on_b, &n_tags);
    g_assert_cmpuint (n_tags, ==, 0);
  }
  dump_a = dump (a);
  dump_b = dump (b);
  g_assert_cmpstr (dump_a, ==, dump_b);
}

static gint64
post (Server     *s,
      const char *path,
      const char *body)
{
  g_autoptr(SiTestResponse) r = si_test_server_request (s->server, "POST", path, s->token, body, NULL);

  g_assert_cmpuint (r->status, ==, 201);
  return si_test_response_get_int (r, "id");
}

#define IDEA(uid, tags) \
  "{\"uid\":\"" uid "\",\"title\":\"t\",\"body\":\"\",\"pinned\":false,\"tags\":" tags "," \
  "\"created_at\":\"2026-12-01T10:00:00.000Z\",\"updated_at\":\"2026-12-01T10:00:00.000Z\"}"
#define UID(n) "00000000-0000-4000-8000-00000000000" n

/* The server's `changes`: the numbers of the batch's own writes, not the ideas a tag delete
 * changed, not a repeated create, not a tombstone that was there already. */
static void
test_server_changes (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiTestResponse) r = NULL;
  g_autofree char *tags = NULL;
  g_autofree char *batch = NULL;
  gint64 tag, seq;
  JsonArray *changes;

  tag = post (s, "/api/v1/tags", "{\"uid\":\"" UID ("1") "\",\"name\":\"T\",\"colour\":\"\","
                                  "\"created_at\":\"2026-12-01T10:00:00.000Z\",\"updated_at\":\"2026-12-01T10:00:00.000Z\"}");
  tags = g_strdup_printf ("[%" G_GINT64_FORMAT "]", tag);
  post (s, "/api/v1/ideas", IDEA (UID ("2"), "[]"));
  {
    g_autofree char *one = g_strdup_printf (IDEA (UID ("3"), "%s"), tags);
    g_autofree char *two = g_strdup_printf (IDEA (UID ("4"), "%s"), tags);
    post (s, "/api/v1/ideas", one);
    post (s, "/api/v1/ideas", two);
  }
  seq = server_seq (s);
  g_assert_cmpint (seq, ==, 4);

  /* 5: a new idea; 6: the tag's tombstone; 7, 8: the two ideas that had it; the repeated
   * create of idea 2 takes nothing; 9: another new idea; deleting the tag again takes nothing. */
  batch = g_strdup_printf ("{\"operations\":["
                           "{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":" IDEA (UID ("5"), "[]") "},"
                           "{\"method\":\"DELETE\",\"collection\":\"tags\",\"id\":%" G_GINT64_FORMAT ",\"if_match\":1},"
                           "{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":" IDEA (UID ("2"), "[]") "},"
                           "{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":" IDEA (UID ("6"), "[]") "},"
                           "{\"method\":\"DELETE\",\"collection\":\"tags\",\"id\":%" G_GINT64_FORMAT ",\"if_match\":1}"
                           "]}", tag, tag);
  r = si_test_server_request (s->server, "POST", "/api/v1/batch", s->token, batch, NULL);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_nonnull (strstr (soup_message_headers_get_one (r->headers, SI_WIRE_FEATURES_HEADER), SI_WIRE_FEATURE_CHANGES));
  g_assert_cmpint (server_seq (s), ==, 9);
  changes = json_object_get_array_member (si_test_response_object (r), "changes");
  g_assert_cmpuint (json_array_get_length (changes), ==, 2);
  g_assert_cmpint (json_array_get_int_element (json_array_get_array_element (changes, 0), 0), ==, 5);
  g_assert_cmpint (json_array_get_int_element (json_array_get_array_element (changes, 0), 1), ==, 6);
  g_assert_cmpint (json_array_get_int_element (json_array_get_array_element (changes, 1), 0), ==, 9);
  g_assert_cmpint (json_array_get_int_element (json_array_get_array_element (changes, 1), 1), ==, 9);
}

/* A server from before the feature: no `changes`, and the client pulls its own uploads back
 * as before. */
static void
test_old_server (void)
{
  g_autoptr(Server) s = server_with_env ("SAVEIDEA_SERVER_TEST_NO_CHANGES", "1", NULL);
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiStore) b = open_store ("b");
  g_autoptr(SiSyncEngine) ea = engine_for (s, a);
  g_autoptr(SiSyncEngine) eb = engine_for (s, b);
  g_autoptr(SiTestResponse) info = si_test_server_request (s->server, "GET", "/api/v1/ideas?since=0", s->token, NULL, NULL);
  const char *features = soup_message_headers_get_one (info->headers, SI_WIRE_FEATURES_HEADER);
  g_autofree char *dump_a = NULL;
  g_autofree char *dump_b = NULL;
  gint64 cursor;

  g_assert_nonnull (features);
  g_assert_null (strstr (features, SI_WIRE_FEATURE_CHANGES));

  add_many (a, 30, "Offline");
  sync_ok (ea, SI_SYNC_MODE_PULL);
  cursor = cursor_of (a);
  sync_ok (ea, SI_SYNC_MODE_PUSH);
  g_assert_cmpint (cursor_of (a), ==, cursor);
  g_assert_cmpuint (changes_after (s, cursor_of (a)), ==, 30);
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpint (cursor_of (a), ==, server_seq (s));

  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  dump_a = dump (a);
  dump_b = dump (b);
  g_assert_cmpstr (dump_a, ==, dump_b);
}

/* A record too big for the server's body limit is refused on its own, also when it goes in a
 * batch (alone, after smaller batches): the others are uploaded and the sync goes on. */
static void
test_too_big (void)
{
  g_autoptr(Server) s = g_new0 (Server, 1);
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiSyncEngine) ea = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(SiIdea) big = NULL;
  SiSyncReport report;

  s->server = si_test_server_new (NULL);
  si_test_server_add_user (s->server, "alice", PASSWORD);
  si_test_server_set_args (s->server, (const char *[]) { "--max-body-bytes", "4096", NULL });
  si_test_server_start (s->server);
  s->token = si_test_server_login (s->server, "alice", PASSWORD);
  ea = engine_for (s, a);

  add_many (a, 10, "Small");
  while (body->len < 8000)
    g_string_append (body, "far too long ");
  big = add_idea (a, "Big", body->str, NULL);
  report = sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.pushed, ==, 10);
  g_assert_cmpuint (report.rejected, ==, 1);
  g_assert_cmpuint (server_count (s, "ideas", TRUE), ==, 10);
}

/* A server that takes less than a full batch of 1000 small ideas in one body (a lower
 * --max-body-bytes): the batch that gets 413 is halved until it fits, and every idea arrives
 * once. */
static void
test_batch_too_big_halved (void)
{
  g_autoptr(Server) s = g_new0 (Server, 1);
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiSyncEngine) ea = NULL;
  SiSyncReport report;

  s->server = si_test_server_new (NULL);
  si_test_server_add_user (s->server, "alice", PASSWORD);
  si_test_server_set_args (s->server, (const char *[]) { "--max-body-bytes", "120000", NULL });
  si_test_server_start (s->server);
  s->token = si_test_server_login (s->server, "alice", PASSWORD);
  ea = engine_for (s, a);

  add_many (a, 1200, "Small");
  report = sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.pushed, ==, 1200);
  /* More than the page of changes and two batches: at least one was refused and halved. */
  g_assert_cmpuint (report.requests, >, 3);
  g_assert_cmpuint (report.rejected, ==, 0);
  g_assert_cmpuint (server_count (s, "ideas", TRUE), ==, 1200);
  g_assert_cmpuint (si_store_count_pending (a, NULL), ==, 0);
}

/* The codec of `changes`: runs of numbers, and what a client refuses. */
static void
test_codec (void)
{
  gint64 values[] = { 9, 3, 4, 5, 12, 4, 10, 1 };
  g_autoptr(GArray) versions = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) ranges = NULL;
  g_autoptr(GArray) back = NULL;
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) si_wire_batch_result_free);
  g_autoptr(GArray) collections = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GPtrArray) parsed = NULL;
  g_autoptr(GError) error = NULL;
  static const char * const bad[] = {
    "{\"results\":[],\"changes\":{}}",
    "{\"results\":[],\"changes\":[[1]]}",
    "{\"results\":[],\"changes\":[[1,2,3]]}",
    "{\"results\":[],\"changes\":[[0,2]]}",
    "{\"results\":[],\"changes\":[[3,2]]}",
    "{\"results\":[],\"changes\":[[1,2],[2,3]]}",
    "{\"results\":[],\"changes\":[[5,6],[1,2]]}",
    "{\"results\":[],\"changes\":[[1.5,2]]}",
    "{\"results\":[],\"changes\":[[\"1\",2]]}",
    "{\"results\":[],\"changes\":[[1,2],[4,5],[7,8]]}",   /* more than 2 */
  };
  int wire = SI_WIRE_COLLECTION_IDEAS;

  g_array_append_vals (versions, values, G_N_ELEMENTS (values));
  ranges = si_wire_change_ranges_from_versions (versions);
  g_assert_cmpuint (ranges->len, ==, 4);
  g_assert_cmpint (g_array_index (ranges, SiWireChangeRange, 0).from, ==, 1);
  g_assert_cmpint (g_array_index (ranges, SiWireChangeRange, 0).to, ==, 1);
  g_assert_cmpint (g_array_index (ranges, SiWireChangeRange, 1).from, ==, 3);
  g_assert_cmpint (g_array_index (ranges, SiWireChangeRange, 1).to, ==, 5);
  g_assert_cmpint (g_array_index (ranges, SiWireChangeRange, 2).from, ==, 9);
  g_assert_cmpint (g_array_index (ranges, SiWireChangeRange, 2).to, ==, 10);
  g_assert_cmpint (g_array_index (ranges, SiWireChangeRange, 3).from, ==, 12);

  /* An older client reads the results and ignores the member. */
  g_ptr_array_add (results, si_wire_batch_result_new (404, NULL, NULL));
  g_array_append_val (collections, wire);
  node = si_wire_batch_response_to_json_with_changes (results, ranges);
  parsed = si_wire_batch_response_from_json (node, collections, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (parsed->len, ==, 1);
  back = si_wire_batch_response_changes_from_json (node, 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, 4);
  g_assert_cmpmem (back->data, back->len * sizeof (SiWireChangeRange), ranges->data, ranges->len * sizeof (SiWireChangeRange));
  g_clear_pointer (&back, g_array_unref);
  g_clear_pointer (&node, json_node_unref);
  node = si_wire_batch_response_to_json (results);
  back = si_wire_batch_response_changes_from_json (node, 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) text = si_wire_parse (bad[i], strlen (bad[i]), NULL);
      g_autoptr(GArray) none = si_wire_batch_response_changes_from_json (text, 2, &error);

      g_assert_null (none);
      g_assert_error (error, SI_WIRE_ERROR, SI_WIRE_ERROR_INVALID_FIELD);
      g_clear_error (&error);
    }
}

/* The cursor moves over numbers that are both in a range and recorded, from cursor + 1 on. */
static void
test_skip_rule (void)
{
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(GArray) ranges = g_array_new (FALSE, FALSE, sizeof (SiWireChangeRange));
  g_autoptr(GArray) applied = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  SiWireChangeRange r1 = { 11, 15 }, r2 = { 16, 20 }, r3 = { 22, 30 }, huge = { 31, G_MAXINT64 };
  gint64 have[] = { 20, 12, 11, 13, 14, 15, 16, 17, 18, 19, 22, 23, 31 };

  g_array_append_val (ranges, r1);
  g_array_append_val (ranges, r2);
  g_array_append_val (ranges, r3);
  g_array_append_vals (applied, have, G_N_ELEMENTS (have));

  /* Not right before the first range: nothing moves. */
  g_assert_true (_si_store_sync_set_cursor (a, "changes", 9, &error));
  g_assert_true (_si_store_sync_skip_own_changes (a, "changes", ranges, applied, &error));
  g_assert_cmpint (cursor_of (a), ==, 9);
  /* Right before: over both adjacent ranges, up to the gap at 21. */
  g_assert_true (_si_store_sync_set_cursor (a, "changes", 10, &error));
  g_assert_true (_si_store_sync_skip_own_changes (a, "changes", ranges, applied, &error));
  g_assert_cmpint (cursor_of (a), ==, 20);
  /* A number the server names but the store did not record (24) stops it. */
  g_assert_true (_si_store_sync_set_cursor (a, "changes", 21, &error));
  g_assert_true (_si_store_sync_skip_own_changes (a, "changes", ranges, applied, &error));
  g_assert_cmpint (cursor_of (a), ==, 23);
  /* A range that claims far more than was recorded. */
  g_array_set_size (ranges, 0);
  g_array_append_val (ranges, huge);
  g_assert_true (_si_store_sync_set_cursor (a, "changes", 30, &error));
  g_assert_true (_si_store_sync_skip_own_changes (a, "changes", ranges, applied, &error));
  g_assert_cmpint (cursor_of (a), ==, 31);
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  /* Only 127.0.0.1: no proxy (the GNOME resolver would want the desktop's GSettings schemas). */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/sync-echo/codec", test_codec);
  g_test_add_func ("/sync-echo/skip-rule", test_skip_rule);
  g_test_add_func ("/sync-echo/first-upload", test_first_upload);
  g_test_add_func ("/sync-echo/other-writer-before", test_other_writer_before);
  g_test_add_func ("/sync-echo/other-writer-between-steps", test_other_writer_between_steps);
  g_test_add_func ("/sync-echo/tag-delete", test_tag_delete);
  g_test_add_func ("/sync-echo/server-changes", test_server_changes);
  g_test_add_func ("/sync-echo/old-server", test_old_server);
  g_test_add_func ("/sync-echo/too-big", test_too_big);
  g_test_add_func ("/sync-echo/batch-too-big-halved", test_batch_too_big_halved);
  return g_test_run ();
}
