/* test-server-limits.c — suite `server`: the real saveidea-server over HTTP on 127.0.0.1:
 * long writes in bounded steps, large values, bad and hostile input. */
#define G_LOG_DOMAIN "saveidea-test"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "si-test-server-api.h"
#include "si-types.h"
#include "si-wire.h"

/* ---------------------------------------------------------------------------------------- */
/* long writes in bounded steps */

/* One request on its own thread and connection, so that the test can look at the server (or
 * kill it) while the request runs. */
typedef struct {
  char   *url;
  char   *method;
  char   *token;
  char   *body;
  char   *if_match;
  guint   status;   /* 0: no answer (the server died) */
  GBytes *answer;
} Background;

static gpointer
background_run (gpointer data)
{
  Background *bg = data;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 120, "proxy-resolver", NULL, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (bg->method, bg->url);
  g_autofree char *auth = g_strconcat ("Bearer ", bg->token, NULL);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  soup_message_headers_replace (headers, "Authorization", auth);
  if (bg->if_match != NULL)
    soup_message_headers_replace (headers, "If-Match", bg->if_match);
  if (bg->body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (bg->body, strlen (bg->body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  bg->answer = soup_session_send_and_read (session, msg, NULL, NULL);
  bg->status = bg->answer != NULL ? soup_message_get_status (msg) : 0;
  return NULL;
}

static GThread *
background_start (Background   *bg,
                  SiTestServer *server,
                  const char   *method,
                  const char   *path,
                  const char   *token,
                  const char   *body,
                  const char   *if_match)
{
  bg->url = si_test_server_url_for (server, path);
  bg->method = g_strdup (method);
  bg->token = g_strdup (token);
  bg->body = g_strdup (body);
  bg->if_match = g_strdup (if_match);
  return g_thread_new ("background-request", background_run, bg);
}

static void
background_clear (Background *bg)
{
  g_free (bg->url);
  g_free (bg->method);
  g_free (bg->token);
  g_free (bg->body);
  g_free (bg->if_match);
  g_clear_pointer (&bg->answer, g_bytes_unref);
}

/* Waits until the account's ideas feed after @since holds at least one record (the first step
 * of a long write committed; the server then waits at its test gate); returns the feed. */
static SiTestResponse *
wait_first_step (SiTestServer *server,
                 const char   *token,
                 gint64        since)
{
  for (guint i = 0; i < 3000; i++)
    {
      SiTestResponse *feed = get (server, token, "/api/v1/ideas?since=%" G_GINT64_FORMAT, since);

      g_assert_cmpuint (feed->status, ==, 200);
      if (json_array_get_length (page_records (feed)) > 0)
        return feed;
      si_test_response_free (feed);
      g_usleep (10 * 1000);
    }
  g_assert_not_reached ();
}

/* The ideas feed after @since: @n ideas, versions increasing, none with tag @gone; the
 * highest version in *@out_last. */
static void
assert_untagged (SiTestServer *server,
                 const char   *token,
                 gint64        since,
                 guint         n,
                 gint64        gone,
                 gint64       *out_last)
{
  g_autoptr(SiTestResponse) feed = get (server, token, "/api/v1/ideas?since=%" G_GINT64_FORMAT, since);
  JsonArray *records = page_records (feed);
  gint64 last = since;

  g_assert_cmpuint (json_array_get_length (records), ==, n);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *idea = record_at (records, i);

      g_assert_cmpint (json_object_get_int_member (idea, "version"), >, last);
      last = json_object_get_int_member (idea, "version");
      g_assert_false (array_has (json_object_get_array_member (idea, "tags"), gone));
    }
  if (out_last)
    *out_last = last;
}

/* A tag on more ideas than one transaction may change is deleted in steps; between them other
 * accounts (and the same one) write, a kill -9 leaves a consistent state, and the retried
 * delete finishes the job with every change in the feed. */
static void
test_tag_delete_steps (void)
{
  g_autoptr(SiTestServer) server = si_test_server_new (NULL);
  g_autofree char *gate = g_build_filename (si_test_server_get_data_dir (server), "gate", NULL);
  g_autofree char *token = NULL;
  g_autofree char *bob = NULL;
  g_autofree char *tags = NULL;
  g_autofree char *path = NULL;
  g_autofree char *v = NULL;
  Background bg = { 0 };
  GThread *thread;
  gint64 tag, tag_version, cursor = 0, last = 0;

  si_test_server_add_user (server, "alice", PASSWORD);
  si_test_server_add_user (server, "bob", PASSWORD);
  g_setenv ("SAVEIDEA_SERVER_TEST_TX_ROWS", "4", TRUE);
  g_setenv ("SAVEIDEA_SERVER_TEST_GATE", gate, TRUE);
  si_test_server_start (server);
  g_unsetenv ("SAVEIDEA_SERVER_TEST_GATE");
  token = si_test_server_login (server, "alice", PASSWORD);
  bob = si_test_server_login (server, "bob", PASSWORD);

  tag = create_tag (server, token, "Everywhere", &tag_version);
  tags = g_strdup_printf ("[%" G_GINT64_FORMAT "]", tag);
  for (guint i = 0; i < 10; i++)
    create_idea (server, token, "Tagged", tags, &cursor);

  path = g_strdup_printf ("/api/v1/tags/%" G_GINT64_FORMAT, tag);
  v = version_header (tag_version);
  thread = background_start (&bg, server, "DELETE", path, token, NULL, v);

  /* The first step committed: 4 ideas lost the tag, which is still live. */
  {
    g_autoptr(SiTestResponse) feed = wait_first_step (server, token, cursor);
    g_autoptr(SiTestResponse) t = get (server, token, "%s", path);

    g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 4);
    g_assert_cmpstr (si_test_response_get_string (t, "name"), ==, "Everywhere");
    assert_untagged (server, token, cursor, 4, tag, NULL);
  }
  /* Nobody waits for the rest: not another account, not the same one. */
  create_idea (server, bob, "Bob writes meanwhile", NULL, NULL);
  create_idea (server, token, "Alice writes meanwhile", NULL, NULL);

  /* A crash in the middle; the retried delete (same If-Match) finishes the job. */
  g_assert_cmpint (si_test_server_stop (server, SIGKILL), ==, 128 + SIGKILL);
  g_thread_join (thread);
  g_assert_cmpuint (bg.status, ==, 0);
  si_test_server_start (server);
  g_unsetenv ("SAVEIDEA_SERVER_TEST_TX_ROWS");
  {
    g_autoptr(SiTestResponse) del = si_test_server_request (server, "DELETE", path, token, NULL, "If-Match", v, NULL);
    g_autoptr(SiTestResponse) changes = NULL;
    JsonArray *records;
    guint tombstones = 0;

    g_assert_cmpuint (del->status, ==, 200);
    g_assert_true (json_object_get_boolean_member (si_test_response_object (del), "deleted"));
    /* The 10 ideas and Alice's new one, versions increasing: an incremental pull sees them all,
     * and the tag's tombstone (taken in the last step, before its last ideas). */
    assert_untagged (server, token, cursor, 11, tag, &last);
    g_assert_cmpint (si_test_response_get_int (del, "version"), >, cursor);
    changes = get (server, token, "/api/v1/changes?since=%" G_GINT64_FORMAT, cursor);
    records = page_records (changes);
    g_assert_cmpuint (json_array_get_length (records), ==, 12);
    for (guint i = 0; i < 12; i++)
      if (json_object_get_int_member (record_at (records, i), "id") == tag &&
          json_object_get_boolean_member_with_default (record_at (records, i), "deleted", FALSE))
        tombstones++;
    g_assert_cmpuint (tombstones, ==, 1);
    g_assert_cmpint (si_test_response_get_int (changes, "cursor"), ==, last);
  }
  background_clear (&bg);
}

/* The tag changes between two steps of its delete: the delete stops with 412 and the tag as it
 * is now; the ideas of the first step stay without it, the others keep it. */
static void
test_tag_delete_steps_conflict (void)
{
  g_autoptr(SiTestServer) server = si_test_server_new (NULL);
  g_autofree char *gate = g_build_filename (si_test_server_get_data_dir (server), "gate", NULL);
  g_autofree char *token = NULL;
  g_autofree char *tags = NULL;
  g_autofree char *path = NULL;
  g_autofree char *v = NULL;
  g_autoptr(JsonNode) answer = NULL;
  Background bg = { 0 };
  GThread *thread;
  gint64 tag, tag_version, cursor = 0, new_version;
  guint with_tag = 0;

  si_test_server_add_user (server, "alice", PASSWORD);
  g_setenv ("SAVEIDEA_SERVER_TEST_TX_ROWS", "4", TRUE);
  g_setenv ("SAVEIDEA_SERVER_TEST_GATE", gate, TRUE);
  si_test_server_start (server);
  g_unsetenv ("SAVEIDEA_SERVER_TEST_GATE");
  g_unsetenv ("SAVEIDEA_SERVER_TEST_TX_ROWS");
  token = si_test_server_login (server, "alice", PASSWORD);

  tag = create_tag (server, token, "Contested", &tag_version);
  tags = g_strdup_printf ("[%" G_GINT64_FORMAT "]", tag);
  for (guint i = 0; i < 10; i++)
    create_idea (server, token, "Tagged", tags, &cursor);

  path = g_strdup_printf ("/api/v1/tags/%" G_GINT64_FORMAT, tag);
  v = version_header (tag_version);
  thread = background_start (&bg, server, "DELETE", path, token, NULL, v);
  {
    g_autoptr(SiTestResponse) feed = wait_first_step (server, token, cursor);
    g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 4);
  }
  /* Another client renames the tag meanwhile. */
  {
    g_autoptr(SiTestResponse) t = get (server, token, "%s", path);
    g_autofree char *body = g_strdup_printf ("{\"uid\":\"%s\",\"name\":\"Renamed\",\"colour\":\"\","
                                             "\"created_at\":\"" T0 "\",\"updated_at\":\"" T1 "\"}",
                                             si_test_response_get_string (t, "uid"));
    g_autoptr(SiTestResponse) put = si_test_server_request (server, "PUT", path, token, body, "If-Match", v, NULL);

    g_assert_cmpuint (put->status, ==, 200);
    new_version = si_test_response_get_int (put, "version");
  }
  g_assert_true (g_file_set_contents (gate, "", 0, NULL));
  g_thread_join (thread);
  g_assert_cmpuint (bg.status, ==, 412);
  answer = json_from_string (g_bytes_get_data (bg.answer, NULL), NULL);
  g_assert_nonnull (answer);
  {
    JsonObject *current = json_object_get_object_member (json_node_get_object (answer), "current");

    g_assert_cmpint (json_object_get_int_member (current, "version"), ==, new_version);
    g_assert_cmpstr (json_object_get_string_member (current, "name"), ==, "Renamed");
  }
  {
    g_autoptr(SiTestResponse) feed = get (server, token, "/api/v1/ideas?since=0");
    JsonArray *records = page_records (feed);

    g_assert_cmpuint (json_array_get_length (records), ==, 10);
    for (guint i = 0; i < 10; i++)
      with_tag += array_has (json_object_get_array_member (record_at (records, i), "tags"), tag);
    g_assert_cmpuint (with_tag, ==, 6);
  }
  background_clear (&bg);
}

/* A batch that deletes tags on many ideas, with small steps: another account writes while it
 * runs, and the results are each operation's own. */
static void
test_batch_steps (void)
{
  g_autoptr(SiTestServer) server = si_test_server_new (NULL);
  g_autofree char *gate = g_build_filename (si_test_server_get_data_dir (server), "gate", NULL);
  g_autofree char *token = NULL;
  g_autofree char *bob = NULL;
  g_autofree char *tags = NULL;
  g_autofree char *body = NULL;
  g_autofree char *fresh = idea_json (NULL, "Fresh", NULL);
  g_autoptr(JsonNode) answer = NULL;
  Background bg = { 0 };
  GThread *thread;
  gint64 a, av, b, bv, c, cv, cursor = 0;
  JsonArray *results;
  const guint expected[] = { 200, 200, 201, 200, 200 };  /* the last: A again, already deleted */

  si_test_server_add_user (server, "alice", PASSWORD);
  si_test_server_add_user (server, "bob", PASSWORD);
  g_setenv ("SAVEIDEA_SERVER_TEST_TX_ROWS", "4", TRUE);
  g_setenv ("SAVEIDEA_SERVER_TEST_GATE", gate, TRUE);
  si_test_server_start (server);
  g_unsetenv ("SAVEIDEA_SERVER_TEST_GATE");
  g_unsetenv ("SAVEIDEA_SERVER_TEST_TX_ROWS");
  token = si_test_server_login (server, "alice", PASSWORD);
  bob = si_test_server_login (server, "bob", PASSWORD);

  a = create_tag (server, token, "A", &av);
  b = create_tag (server, token, "B", &bv);
  c = create_tag (server, token, "C", &cv);
  tags = g_strdup_printf ("[%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT "]", a, b, c);
  for (guint i = 0; i < 6; i++)
    create_idea (server, token, "Tagged", tags, &cursor);

  body = g_strdup_printf (
    "{\"operations\":["
    "{\"method\":\"DELETE\",\"collection\":\"tags\",\"id\":%" G_GINT64_FORMAT ",\"if_match\":%" G_GINT64_FORMAT "},"
    "{\"method\":\"DELETE\",\"collection\":\"tags\",\"id\":%" G_GINT64_FORMAT ",\"if_match\":%" G_GINT64_FORMAT "},"
    "{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":%s},"
    "{\"method\":\"DELETE\",\"collection\":\"tags\",\"id\":%" G_GINT64_FORMAT ",\"if_match\":%" G_GINT64_FORMAT "},"
    "{\"method\":\"DELETE\",\"collection\":\"tags\",\"id\":%" G_GINT64_FORMAT ",\"if_match\":%" G_GINT64_FORMAT "}"
    "]}",
    a, av, b, bv, fresh, c, cv, a, av);
  thread = background_start (&bg, server, "POST", "/api/v1/batch", token, body, NULL);

  {
    g_autoptr(SiTestResponse) feed = wait_first_step (server, token, cursor);
    g_autoptr(SiTestResponse) t = get (server, token, "/api/v1/tags/%" G_GINT64_FORMAT, a);

    g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 4);
    g_assert_cmpstr (si_test_response_get_string (t, "name"), ==, "A");
  }
  create_idea (server, bob, "Bob writes meanwhile", NULL, NULL);

  g_assert_true (g_file_set_contents (gate, "", 0, NULL));
  g_thread_join (thread);
  g_assert_cmpuint (bg.status, ==, 200);
  answer = json_from_string (g_bytes_get_data (bg.answer, NULL), NULL);
  g_assert_nonnull (answer);
  results = json_object_get_array_member (json_node_get_object (answer), "results");
  g_assert_cmpuint (json_array_get_length (results), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (results, i), "status"), ==, expected[i]);

  /* Each idea lost all three tags, the last change of each is in the feed once. */
  {
    g_autoptr(SiTestResponse) feed = get (server, token, "/api/v1/ideas?since=%" G_GINT64_FORMAT, cursor);
    JsonArray *records = page_records (feed);

    g_assert_cmpuint (json_array_get_length (records), ==, 7);
    for (guint i = 0; i < 7; i++)
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (record_at (records, i), "tags")), ==, 0);
  }
  background_clear (&bg);
}

/* The change numbers of a batch written in steps: operations that fail or change nothing give
 * theirs back, a tag delete numbers its ideas in between, and the account's sequence holds the
 * last one at each commit: no number twice, none lost, the next write goes on from there. */
static void
test_batch_numbers (void)
{
  g_autoptr(SiTestServer) server = si_test_server_new (NULL);
  g_autofree char *token = NULL;
  g_autofree char *uid = g_uuid_string_random ();
  g_autofree char *existing = idea_json (uid, "Existing", NULL);
  g_autofree char *edit = idea_json (uid, "Edited", NULL);
  g_autofree char *fresh1 = idea_json (NULL, "Fresh 1", NULL);
  g_autofree char *fresh2 = idea_json (NULL, "Fresh 2", NULL);
  g_autofree char *fresh3 = idea_json (NULL, "Fresh 3", NULL);
  g_autofree char *unknown = idea_json (NULL, "Unknown tag", "[987654]");
  g_autofree char *tags = NULL;
  g_autofree char *body = NULL;
  g_autoptr(SiTestResponse) r = NULL;
  g_autoptr(SiTestResponse) e = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  const guint expected[] = { 201, 200, 412, 400, 200, 200, 201, 201, 200 };
  gint64 tag, tag_version, id, version, cursor = 0, v[G_N_ELEMENTS (expected)];
  JsonArray *results;

  si_test_server_add_user (server, "alice", PASSWORD);
  g_setenv ("SAVEIDEA_SERVER_TEST_TX_ROWS", "4", TRUE);
  si_test_server_start (server);
  g_unsetenv ("SAVEIDEA_SERVER_TEST_TX_ROWS");
  token = si_test_server_login (server, "alice", PASSWORD);

  tag = create_tag (server, token, "Everywhere", &tag_version);
  tags = g_strdup_printf ("[%" G_GINT64_FORMAT "]", tag);
  for (guint i = 0; i < 6; i++)
    create_idea (server, token, "Tagged", tags, NULL);
  e = post (server, token, "ideas", existing, 201);
  id = si_test_response_get_int (e, "id");
  version = cursor = si_test_response_get_int (e, "version");

  body = g_strdup_printf (
    "{\"operations\":["
    "{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":%s},"
    "{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":%s},"
    "{\"method\":\"PUT\",\"collection\":\"ideas\",\"id\":%" G_GINT64_FORMAT ",\"if_match\":%" G_GINT64_FORMAT ",\"record\":%s},"
    "{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":%s},"
    "{\"method\":\"PUT\",\"collection\":\"ideas\",\"id\":%" G_GINT64_FORMAT ",\"if_match\":%" G_GINT64_FORMAT ",\"record\":%s},"
    "{\"method\":\"DELETE\",\"collection\":\"tags\",\"id\":%" G_GINT64_FORMAT ",\"if_match\":%" G_GINT64_FORMAT "},"
    "{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":%s},"
    "{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":%s},"
    "{\"method\":\"DELETE\",\"collection\":\"ideas\",\"id\":%" G_GINT64_FORMAT ",\"if_match\":%" G_GINT64_FORMAT "}"
    "]}",
    fresh1, existing, id, version + 100, edit, unknown, id, version, edit, tag, tag_version, fresh2, fresh3,
    id, version + 2);
  r = si_test_server_request (server, "POST", "/api/v1/batch", token, body, NULL);
  g_assert_cmpuint (r->status, ==, 200);
  results = json_object_get_array_member (si_test_response_object (r), "results");
  g_assert_cmpuint (json_array_get_length (results), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      JsonObject *result = record_at (results, i);

      g_test_message ("operation %u", i);
      g_assert_cmpint (json_object_get_int_member (result, "status"), ==, expected[i]);
      v[i] = expected[i] < 300 ? json_object_get_int_member (json_object_get_object_member (result, "record"), "version") : 0;
    }

  /* The repeated create, the stale update and the unknown tag took no number; the tag delete
   * took one for each of its 6 ideas and one for itself, in two steps. */
  g_assert_cmpint (v[0], ==, cursor + 1);
  g_assert_cmpint (v[1], ==, version);
  g_assert_cmpint (v[4], ==, cursor + 2);
  g_assert_cmpint (v[5], >, v[4]);
  g_assert_cmpint (v[6], ==, cursor + 10);
  g_assert_cmpint (v[7], ==, cursor + 11);
  g_assert_cmpint (v[8], ==, cursor + 12);

  /* The next write goes on from the last; every record is in the feed once, each with a number
   * of its own, and the feed's cursor is the last number. */
  g_assert_cmpint (create_idea (server, token, "After", NULL, &version), >, 0);
  g_assert_cmpint (version, ==, cursor + 13);
  {
    g_autoptr(SiTestResponse) feed = get (server, token, "/api/v1/changes?since=%" G_GINT64_FORMAT, cursor);
    JsonArray *records = page_records (feed);

    /* Fresh 1–3, the existing idea's tombstone, the 6 ideas, the tag's tombstone, After. */
    g_assert_cmpuint (json_array_get_length (records), ==, 12);
    for (guint i = 0; i < json_array_get_length (records); i++)
      {
        gint64 n = json_object_get_int_member (record_at (records, i), "version");

        g_assert_cmpint (n, >, cursor);
        g_assert_cmpint (n, <=, cursor + 13);
        g_assert_false (g_hash_table_contains (seen, &n));
        g_hash_table_add (seen, g_memdup2 (&n, sizeof n));
      }
    g_assert_cmpint (si_test_response_get_int (feed, "cursor"), ==, cursor + 13);
  }
}

/* A repeated create of an idea with tags gives back the first create's record whatever tags it
 * names now: a tag deleted since, or one that never was the account's. */
static void
test_idempotent_create_tags (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *uid = g_uuid_string_random ();
  g_autofree char *tags = NULL;
  g_autofree char *body = NULL;
  g_autofree char *unknown = idea_json (uid, "Unknown tag", "[987654]");
  g_autofree char *path = NULL;
  g_autofree char *v = NULL;
  g_autoptr(SiTestResponse) first = NULL;
  g_autoptr(SiTestResponse) again = NULL;
  g_autoptr(SiTestResponse) other = NULL;
  gint64 tag, tag_version;

  tag = create_tag (server, token, "Soon gone", &tag_version);
  tags = g_strdup_printf ("[%" G_GINT64_FORMAT "]", tag);
  body = idea_json (uid, "Once", tags);
  first = post (server, token, "ideas", body, 201);

  path = g_strdup_printf ("/api/v1/tags/%" G_GINT64_FORMAT, tag);
  v = version_header (tag_version);
  {
    g_autoptr(SiTestResponse) del = si_test_server_request (server, "DELETE", path, token, NULL, "If-Match", v, NULL);
    g_assert_cmpuint (del->status, ==, 200);
  }
  again = post (server, token, "ideas", body, 200);
  other = post (server, token, "ideas", unknown, 200);
  g_assert_cmpint (si_test_response_get_int (again, "id"), ==, si_test_response_get_int (first, "id"));
  g_assert_cmpint (si_test_response_get_int (other, "id"), ==, si_test_response_get_int (first, "id"));
  g_assert_cmpstr (si_test_response_get_string (other, "title"), ==, "Once");

  /* A new uid with a tag that never was the account's is refused. */
  {
    g_autofree char *fresh = idea_json (NULL, "Unknown tag", "[987654]");
    g_autoptr(SiTestResponse) r = post (server, token, "ideas", fresh, 400);
  }
}

static void
test_name_taken (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", "bob", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *bob = si_test_server_login (server, "bob", PASSWORD);
  g_autofree char *uid = g_uuid_string_random ();
  g_autofree char *path = NULL;
  g_autofree char *v = NULL;
  gint64 work, work_version, other, other_version;

  work = create_tag (server, token, "Work", &work_version);
  other = create_tag (server, token, "Other", &other_version);

  /* Same name, any case: 409 with the existing tag to adopt. */
  {
    g_autofree char *body = tag_json (uid, "WORK");
    g_autoptr(SiTestResponse) r = post (server, token, "tags", body, 409);
    JsonObject *current;

    assert_error (r, 409, "name_taken");
    current = json_object_get_object_member (si_test_response_object (r), "current");
    g_assert_cmpint (json_object_get_int_member (current, "id"), ==, work);
    g_assert_cmpstr (json_object_get_string_member (current, "name"), ==, "Work");
  }
  /* Renaming another tag to it, too. */
  path = g_strdup_printf ("/api/v1/tags/%" G_GINT64_FORMAT, other);
  v = version_header (other_version);
  {
    g_autofree char *body = tag_json (NULL, "work");
    g_autoptr(SiTestResponse) r = NULL;
    g_autoptr(SiTestResponse) still = NULL;

    /* (a PUT body without uid is fine) */
    g_free (body);
    body = g_strdup ("{\"name\":\"work\",\"colour\":\"\",\"created_at\":\"" T0 "\",\"updated_at\":\"" T1 "\"}");
    r = si_test_server_request (server, "PUT", path, token, body, "If-Match", v, NULL);
    assert_error (r, 409, "name_taken");
    still = get (server, token, "%s", path);
    g_assert_cmpstr (si_test_response_get_string (still, "name"), ==, "Other");
  }
  /* Renaming a tag to its own name in another case is fine. */
  {
    g_autofree char *body = g_strdup ("{\"name\":\"OTHER\",\"colour\":\"\",\"created_at\":\"" T0 "\",\"updated_at\":\"" T1 "\"}");
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "PUT", path, token, body, "If-Match", v, NULL);
    g_assert_cmpuint (r->status, ==, 200);
  }
  /* Another account may have the same name. */
  create_tag (server, bob, "Work", NULL);
  /* Once "Work" is deleted, the name is free again (the same uid would be idempotent, so a new one). */
  {
    g_autofree char *wpath = g_strdup_printf ("/api/v1/tags/%" G_GINT64_FORMAT, work);
    g_autofree char *wv = version_header (work_version);
    g_autoptr(SiTestResponse) del = si_test_server_request (server, "DELETE", wpath, token, NULL, "If-Match", wv, NULL);
    g_autofree char *body = tag_json (uid, "work");
    g_autoptr(SiTestResponse) r = NULL;

    g_assert_cmpuint (del->status, ==, 200);
    r = post (server, token, "tags", body, 201);
  }
}

/* Ids, `since` and If-Match take every value up to 2^63-1, in plain decimal, and nothing else. */
static void
test_large_values (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *uid = g_uuid_string_random ();
  g_autofree char *path = NULL;
  g_autofree char *edit = idea_json (uid, "Edited", NULL);
  gint64 id, version;

  {
    g_autofree char *body = idea_json (uid, "Original", NULL);
    g_autoptr(SiTestResponse) r = post (server, token, "ideas", body, 201);

    id = si_test_response_get_int (r, "id");
    version = si_test_response_get_int (r, "version");
  }
  path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, id);

  /* since: 0 to 2^63-1. */
  {
    const char *feeds[] = { "ideas", "tags", "changes" };

    for (guint i = 0; i < G_N_ELEMENTS (feeds); i++)
      {
        g_autoptr(SiTestResponse) top = get (server, token, "/api/v1/%s?since=9223372036854775807", feeds[i]);
        g_autoptr(SiTestResponse) zero = get (server, token, "/api/v1/%s?since=0", feeds[i]);
        JsonObject *object;

        g_test_message ("feed %s", feeds[i]);
        g_assert_cmpuint (top->status, ==, 200);
        object = si_test_response_object (top);
        g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "records")), ==, 0);
        g_assert_false (json_object_get_boolean_member (object, "more"));
        g_assert_cmpuint (zero->status, ==, 200);
      }
  }
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas?since=999999999999999999");

    g_assert_cmpuint (r->status, ==, 200);
  }
  {
    /* (a "+" in a query is a space) */
    const char *queries[] = {
      "since=9223372036854775808", "since=9999999999999999999", "since=10000000000000000000",
      "since=18446744073709551617", "since=99999999999999999999999999", "since=%2B1", "since=+1",
      "since=%201", "since=1%20", "since=01", "since=00", "since=-0", "since=0x10", "since=1.0",
      "limit=01", "limit=%2B5", "limit=9223372036854775808",
    };

    for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
      {
        g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/changes?%s", queries[i]);

        g_test_message ("query %s", queries[i]);
        assert_error (r, 400, "invalid_parameter");
      }
  }

  /* An id of 19 digits is an id: the record is not there (404 after the token check, 405 for
   * a wrong method) rather than a path that cannot exist. */
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas/9223372036854775807");
    g_autoptr(SiTestResponse) anonymous = get (server, NULL, "/api/v1/ideas/9223372036854775807");
    g_autoptr(SiTestResponse) patch = si_test_server_request (server, "PATCH", "/api/v1/ideas/9223372036854775807",
                                                              token, NULL, NULL);
    g_autoptr(SiTestResponse) put = si_test_server_request (server, "PUT", "/api/v1/ideas/1000000000000000000",
                                                            token, edit, "If-Match", "1", NULL);

    assert_error (r, 404, "not_found");
    g_assert_cmpuint (anonymous->status, ==, 401);
    assert_error (patch, 405, "method_not_allowed");
    assert_error (put, 404, "not_found");
  }
  /* Anything else is no id: a path with nothing at it, before the token is looked at. */
  {
    const char *ids[] = {
      "9223372036854775808", "9999999999999999999", "10000000000000000000", "18446744073709551617",
      "01", "%2B1", "+1", "-1", "0", "%201", "1%20",
    };

    for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
      {
        g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas/%s", ids[i]);
        g_autoptr(SiTestResponse) anonymous = get (server, NULL, "/api/v1/ideas/%s", ids[i]);

        g_test_message ("id %s", ids[i]);
        assert_error (r, 404, "not_found");
        assert_error (anonymous, 404, "not_found");
      }
  }

  /* If-Match: any version up to 2^63-1 is a version (here a stale one). */
  {
    const char *stale[] = {
      "\"9223372036854775807\"", "9223372036854775807", "W/\"9223372036854775807\"", "\"1000000000000000000\"",
      " \"9223372036854775806\" ",
    };

    for (guint i = 0; i < G_N_ELEMENTS (stale); i++)
      {
        g_autoptr(SiTestResponse) put = si_test_server_request (server, "PUT", path, token, edit, "If-Match", stale[i], NULL);
        g_autoptr(SiTestResponse) del = si_test_server_request (server, "DELETE", path, token, NULL, "If-Match", stale[i], NULL);

        g_test_message ("If-Match: %s", stale[i]);
        assert_error (put, 412, "precondition_failed");
        assert_error (del, 412, "precondition_failed");
        g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (si_test_response_object (put), "current"),
                                                     "version"), ==, version);
      }
  }
  {
    const char *malformed[] = {
      "\"9223372036854775808\"", "9223372036854775808", "W/\"9223372036854775808\"", "\"10000000000000000000\"",
      "\"18446744073709551617\"", "\"+1\"", "\"-1\"", "+1", "-1", "\"01\"", "\" 1\"", "\"1 \"",
    };

    for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
      {
        g_autoptr(SiTestResponse) put = si_test_server_request (server, "PUT", path, token, edit, "If-Match", malformed[i], NULL);

        g_test_message ("If-Match: %s", malformed[i]);
        assert_error (put, 400, "invalid_header");
      }
  }
  /* The record was never touched. */
  {
    g_autoptr(SiTestResponse) r = get (server, token, "%s", path);

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpint (si_test_response_get_int (r, "version"), ==, version);
    g_assert_cmpstr (si_test_response_get_string (r, "title"), ==, "Original");
  }
  /* In a batch, ids and versions are JSON numbers: the largest works there too. */
  {
    g_autofree char *body = g_strdup_printf (
      "{\"operations\":["
      "{\"method\":\"DELETE\",\"collection\":\"ideas\",\"id\":9223372036854775807,\"if_match\":1},"
      "{\"method\":\"DELETE\",\"collection\":\"ideas\",\"id\":%" G_GINT64_FORMAT ",\"if_match\":9223372036854775807}"
      "]}", id);
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "POST", "/api/v1/batch", token, body, NULL);
    JsonArray *results;

    g_assert_cmpuint (r->status, ==, 200);
    results = json_object_get_array_member (si_test_response_object (r), "results");
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (results, 0), "status"), ==, 404);
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (results, 1), "status"), ==, 412);
  }
}

/* Tag names are normalised before the uniqueness check: white space and zero-width characters
 * make no new name; a name of nothing but those is refused. */
static void
test_tag_names (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *path = NULL;
  g_autofree char *v = NULL;
  gint64 x, x_version, other, other_version;

  /* Nothing but white space or zero-width characters, or a control character: 400. */
  {
    const char *refused[] = {
      " ", "   ", "\\t", "\\u200b", "\\u00a0\\u200b\\u3000", "\\ufeff", "\\u2060 \\u200d", "a\\u0001b", "\\u001b[1m",
    };

    for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
      {
        g_autofree char *body = tag_json (NULL, refused[i]);
        g_autoptr(SiTestResponse) r = post (server, token, "tags", body, 400);

        g_test_message ("name \"%s\"", refused[i]);
        assert_error (r, 400, "invalid_field");
        g_assert_nonnull (strstr (si_test_response_get_string (r, "message"), "“name”"));
      }
  }

  x = create_tag (server, token, "x", &x_version);
  other = create_tag (server, token, "Other", &other_version);

  /* "x" with a zero-width space, a no-break space, padding: the same name, 409 with "x". */
  {
    const char *same[] = { "x\\u200b", "\\u200bx", "x\\u00a0", "  X  ", "\\ufeffx\\u2060", "x\\u200d\\u200c" };

    for (guint i = 0; i < G_N_ELEMENTS (same); i++)
      {
        g_autofree char *body = tag_json (NULL, same[i]);
        g_autoptr(SiTestResponse) r = post (server, token, "tags", body, 409);
        JsonObject *current;

        g_test_message ("name \"%s\"", same[i]);
        assert_error (r, 409, "name_taken");
        current = json_object_get_object_member (si_test_response_object (r), "current");
        g_assert_cmpint (json_object_get_int_member (current, "id"), ==, x);
      }
  }
  /* Renaming another tag to it, too; and to nothing. */
  path = g_strdup_printf ("/api/v1/tags/%" G_GINT64_FORMAT, other);
  v = version_header (other_version);
  {
    g_autoptr(SiTestResponse) taken = si_test_server_request (server, "PUT", path, token,
      "{\"name\":\"x\\u200b\",\"colour\":\"\",\"created_at\":\"" T0 "\",\"updated_at\":\"" T1 "\"}",
      "If-Match", v, NULL);
    g_autoptr(SiTestResponse) empty = si_test_server_request (server, "PUT", path, token,
      "{\"name\":\"\\u3000\\u200b\",\"colour\":\"\",\"created_at\":\"" T0 "\",\"updated_at\":\"" T1 "\"}",
      "If-Match", v, NULL);
    g_autoptr(SiTestResponse) still = get (server, token, "%s", path);

    assert_error (taken, 409, "name_taken");
    assert_error (empty, 400, "invalid_field");
    g_assert_cmpstr (si_test_response_get_string (still, "name"), ==, "Other");
  }
  /* What is stored is the normalised name: trimmed, runs of white space as one space, without
   * zero-width characters, NFC. */
  {
    g_autofree char *body = tag_json (NULL, " \\u200bTwo \\t\\u00a0words\\u200b ");
    g_autoptr(SiTestResponse) r = post (server, token, "tags", body, 201);
    g_autoptr(SiTestResponse) again = NULL;
    g_autofree char *again_body = tag_json (NULL, "two words");

    g_assert_cmpstr (si_test_response_get_string (r, "name"), ==, "Two words");
    again = post (server, token, "tags", again_body, 409);
  }
  {
    g_autofree char *body = tag_json (NULL, "cafe\\u0301");
    g_autoptr(SiTestResponse) r = post (server, token, "tags", body, 201);
    g_autofree char *composed = tag_json (NULL, "caf\\u00e9");
    g_autoptr(SiTestResponse) again = post (server, token, "tags", composed, 409);

    g_assert_cmpstr (si_test_response_get_string (r, "name"), ==, "caf\u00e9");
  }
  /* In a batch: that operation alone fails. */
  {
    g_autofree char *ok = tag_json (NULL, "Fine");
    g_autofree char *blank = tag_json (NULL, " \\u200b ");
    g_autofree char *body = g_strdup_printf ("{\"operations\":["
                                             "{\"method\":\"POST\",\"collection\":\"tags\",\"record\":%s},"
                                             "{\"method\":\"POST\",\"collection\":\"tags\",\"record\":%s}]}",
                                             blank, ok);
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "POST", "/api/v1/batch", token, body, NULL);
    JsonArray *results;

    g_assert_cmpuint (r->status, ==, 200);
    results = json_object_get_array_member (si_test_response_object (r), "results");
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (results, 0), "status"), ==, 400);
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (results, 1), "status"), ==, 201);
  }
  /* The feed has x, Other, "Two words", café and Fine: nothing else was stored. */
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/tags?since=0");

    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (si_test_response_object (r), "records")), ==, 5);
  }
}

static void
test_batch (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *existing_uid = g_uuid_string_random ();
  g_autofree char *existing_body = idea_json (existing_uid, "Existing", NULL);
  g_autofree char *fresh = idea_json (NULL, "Fresh", NULL);
  g_autofree char *edit = idea_json (existing_uid, "Edited in batch", NULL);
  g_autofree char *tag = tag_json (NULL, "Batch tag");
  g_autofree char *body = NULL;
  g_autoptr(SiTestResponse) existing = post (server, token, "ideas", existing_body, 201);
  g_autoptr(SiTestResponse) r = NULL;
  gint64 id = si_test_response_get_int (existing, "id");
  gint64 version = si_test_response_get_int (existing, "version");
  gint64 doomed, doomed_version;
  JsonArray *results;
  const guint expected[] = { 201, 200, 412, 200, 404, 400, 400, 201, 200, 428 };

  doomed = create_idea (server, token, "Doomed", NULL, &doomed_version);

  body = g_strdup_printf (
    "{\"operations\":["
    "{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":%s},"                                   /* 201 */
    "{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":%s},"                                   /* 200 same uid */
    "{\"method\":\"PUT\",\"collection\":\"ideas\",\"id\":%" G_GINT64_FORMAT ",\"if_match\":%" G_GINT64_FORMAT ",\"record\":%s}," /* 412 */
    "{\"method\":\"PUT\",\"collection\":\"ideas\",\"id\":%" G_GINT64_FORMAT ",\"if_match\":%" G_GINT64_FORMAT ",\"record\":%s}," /* 200 */
    "{\"method\":\"DELETE\",\"collection\":\"ideas\",\"id\":777777,\"if_match\":1},"                 /* 404 */
    "{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":{\"uid\":\"x\"}},"                      /* 400 */
    "{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":{\"title\":5}},"                        /* 400 */
    "{\"method\":\"POST\",\"collection\":\"tags\",\"record\":%s},"                                    /* 201 */
    "{\"method\":\"DELETE\",\"collection\":\"ideas\",\"id\":%" G_GINT64_FORMAT ",\"if_match\":%" G_GINT64_FORMAT "}," /* 200 */
    "{\"method\":\"PUT\",\"collection\":\"ideas\",\"id\":%" G_GINT64_FORMAT ",\"record\":%s}"        /* 428 */
    "]}",
    fresh, existing_body,
    id, version + 100, edit,
    id, version, edit,
    tag,
    doomed, doomed_version,
    id, edit);

  r = si_test_server_request (server, "POST", "/api/v1/batch", token, body, NULL);
  g_assert_cmpuint (r->status, ==, 200);
  results = json_object_get_array_member (si_test_response_object (r), "results");
  g_assert_cmpuint (json_array_get_length (results), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      JsonObject *result = record_at (results, i);

      g_test_message ("operation %u", i);
      g_assert_cmpint (json_object_get_int_member (result, "status"), ==, expected[i]);
      if (expected[i] < 300)
        g_assert_true (json_object_has_member (result, "record"));
      else
        g_assert_true (json_object_has_member (result, "error"));
    }
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (record_at (results, 1), "record"), "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (record_at (results, 2), "error"), ==, "precondition_failed");
  g_assert_true (json_object_has_member (record_at (results, 2), "current"));
  g_assert_cmpstr (json_object_get_string_member (record_at (results, 5), "error"), ==, "invalid_field");

  /* The failures undid nothing of the others. */
  {
    g_autoptr(SiTestResponse) edited = get (server, token, "/api/v1/ideas/%" G_GINT64_FORMAT, id);
    g_autoptr(SiTestResponse) gone = get (server, token, "/api/v1/ideas/%" G_GINT64_FORMAT, doomed);
    g_autoptr(SiTestResponse) feed = get (server, token, "/api/v1/ideas?since=0");
    g_autoptr(SiTestResponse) tags = get (server, token, "/api/v1/tags?since=0");

    g_assert_cmpstr (si_test_response_get_string (edited, "title"), ==, "Edited in batch");
    g_assert_true (json_object_get_boolean_member (si_test_response_object (gone), "deleted"));
    g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 3);
    g_assert_cmpuint (json_array_get_length (page_records (tags)), ==, 1);
  }

  /* A malformed envelope fails the whole request, and applies nothing. */
  {
    const char *bad[] = {
      "{\"ops\":[]}",
      "{\"operations\":{}}",
      "{\"operations\":[{\"method\":\"PATCH\",\"collection\":\"ideas\"}]}",
      "{\"operations\":[{\"method\":\"POST\",\"collection\":\"notes\",\"record\":{}}]}",
      "{\"operations\":[{\"method\":\"DELETE\",\"collection\":\"ideas\"}]}",
      "{\"operations\":[5]}",
    };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(SiTestResponse) e = si_test_server_request (server, "POST", "/api/v1/batch", token, bad[i], NULL);
        g_assert_cmpuint (e->status, ==, 400);
      }
  }
  {
    g_autofree char *bad_then_good = g_strdup_printf (
      "{\"operations\":[{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":%s},{\"method\":\"NOPE\"}]}", fresh);
    g_autoptr(SiTestResponse) e = si_test_server_request (server, "POST", "/api/v1/batch", token, bad_then_good, NULL);
    g_autoptr(SiTestResponse) feed = get (server, token, "/api/v1/ideas?since=0");

    g_assert_cmpuint (e->status, ==, 400);
    g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 3);
  }
  /* More than 1000 operations: 413. */
  {
    GString *many = g_string_new ("{\"operations\":[");
    g_autoptr(SiTestResponse) e = NULL;

    for (guint i = 0; i < 1001; i++)
      g_string_append_printf (many, "%s{\"method\":\"DELETE\",\"collection\":\"ideas\",\"id\":1,\"if_match\":1}", i ? "," : "");
    g_string_append (many, "]}");
    e = si_test_server_request (server, "POST", "/api/v1/batch", token, many->str, NULL);
    g_string_free (many, TRUE);
    assert_error (e, 413, "too_many_operations");
  }
}

/* ---------------------------------------------------------------------------------------- */
/* bad input */

static void
assert_post_fails (SiTestServer *server,
                   const char   *token,
                   const char   *collection,
                   const char   *content_type,
                   const char   *data,
                   gsize         length,
                   guint         status,
                   const char   *code,
                   const char   *in_message)
{
  g_autofree char *path = g_strconcat ("/api/v1/", collection, NULL);
  g_autoptr(SiTestResponse) r = si_test_server_request_raw (server, "POST", path, token, content_type,
                                                            data, length, NULL);

  {
    g_autofree char *head = g_strndup (data, MIN (length, 120));
    g_autofree char *shown = g_strescape (head, NULL);
    g_test_message ("body %s", shown);
  }
  assert_error (r, status, code);
  if (in_message != NULL)
    g_assert_nonnull (strstr (si_test_response_get_string (r, "message"), in_message));
}

static void
test_bad_input (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *uid = g_uuid_string_random ();
  g_autofree char *long_title = NULL;
  g_autofree char *long_name = NULL;
  const char *json = "application/json";
  struct {
    const char *collection;
    const char *body;
    const char *code;
    const char *field;
  } cases[] = {
    { "ideas", "{\"uid\":", "invalid_json", NULL },
    { "ideas", "[1,2,3]", "invalid_json", NULL },
    { "ideas", "", "invalid_json", NULL },
    { "ideas", "{\"uid\":\"%s\",\"title\":5,\"body\":\"\",\"pinned\":false,\"tags\":[],\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}", "invalid_field", "title" },
    { "ideas", "{\"uid\":\"%s\",\"title\":\"t\",\"body\":\"\",\"pinned\":\"yes\",\"tags\":[],\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}", "invalid_field", "pinned" },
    { "ideas", "{\"uid\":\"%s\",\"title\":\"t\",\"body\":\"\",\"pinned\":false,\"tags\":[\"a\"],\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}", "invalid_field", "tags" },
    { "ideas", "{\"uid\":\"%s\",\"title\":\"t\",\"body\":\"\",\"pinned\":false,\"tags\":[1.5],\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}", "invalid_field", "tags" },
    { "ideas", "{\"uid\":\"%s\",\"title\":\"t\",\"body\":\"\",\"pinned\":false,\"tags\":[],\"created_at\":\"yesterday\",\"updated_at\":\"" T0 "\"}", "invalid_field", "created_at" },
    { "ideas", "{\"uid\":\"%s\",\"title\":\"t\",\"body\":\"\",\"pinned\":false,\"tags\":[],\"created_at\":\"2026-02-30T00:00:00.000Z\",\"updated_at\":\"" T0 "\"}", "invalid_field", "created_at" },
    { "ideas", "{\"uid\":\"%s\",\"title\":\"t\",\"body\":\"\",\"pinned\":false,\"tags\":[],\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\",\"colour\":\"#fff\"}", "invalid_field", "colour" },
    { "ideas", "{\"uid\":\"%s\",\"title\":\"t\",\"body\":\"\",\"pinned\":false,\"tags\":[],\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\",\"secret\":1}", "invalid_field", "secret" },
    { "ideas", "{\"uid\":\"%s\",\"title\":\"t\",\"pinned\":false,\"tags\":[],\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}", "invalid_field", "body" },
    { "ideas", "{\"title\":\"t\",\"body\":\"\",\"pinned\":false,\"tags\":[],\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}", "invalid_field", "uid" },
    { "ideas", "{\"uid\":\"not-a-uuid\",\"title\":\"t\",\"body\":\"\",\"pinned\":false,\"tags\":[],\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}", "invalid_field", "uid" },
    { "tags", "{\"uid\":\"%s\",\"name\":\"\",\"colour\":\"\",\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}", "invalid_field", "name" },
    { "tags", "{\"uid\":\"%s\",\"name\":\"n\",\"colour\":\"blue\",\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}", "invalid_field", "colour" },
    { "tags", "{\"uid\":\"%s\",\"name\":null,\"colour\":\"\",\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}", "invalid_field", "name" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GStrv) halves = g_strsplit (cases[i].body, "%s", 2);
      g_autofree char *body = g_strjoinv (uid, halves);
      assert_post_fails (server, token, cases[i].collection, json, body, strlen (body), 400,
                         cases[i].code, cases[i].field);
    }

  /* Too long: a title of 1001 characters (multi-byte), a tag name of 101. */
  {
    GString *s = g_string_new (NULL);
    g_autofree char *body = NULL;

    for (guint i = 0; i < SI_TITLE_MAX_CHARS + 1; i++)
      g_string_append (s, "é");
    long_title = g_string_free (s, FALSE);
    body = idea_json (NULL, long_title, NULL);
    assert_post_fails (server, token, "ideas", json, body, strlen (body), 400, "invalid_field", "title");
  }
  {
    g_autofree char *body = NULL;

    long_name = g_strnfill (101, 'n');
    body = tag_json (NULL, long_name);
    assert_post_fails (server, token, "tags", json, body, strlen (body), 400, "invalid_field", "name");
  }

  /* Invalid UTF-8 bytes, raw and inside a string. */
  {
    const char raw[] = "{\"uid\":\"\xff\xfe\",\"title\":\"t\"}";
    assert_post_fails (server, token, "ideas", json, raw, sizeof raw - 1, 400, "invalid_json", "UTF-8");
  }
  {
    g_autofree char *body = idea_json (NULL, "bad \xc3\x28 bytes", NULL);
    assert_post_fails (server, token, "ideas", json, body, strlen (body), 400, "invalid_json", "UTF-8");
  }

  /* Wrong content type. */
  {
    g_autofree char *body = idea_json (NULL, "t", NULL);
    assert_post_fails (server, token, "ideas", "text/plain", body, strlen (body), 415,
                       "unsupported_media_type", NULL);
    assert_post_fails (server, token, "ideas", "application/x-www-form-urlencoded", "a=b", 3, 415,
                       "unsupported_media_type", NULL);
  }

  /* Query parameters. */
  {
    const char *queries[] = {
      "limit=0", "limit=1001", "limit=abc", "since=-1", "since=1e3", "limit=", "since=99999999999999999999",
    };
    for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
      {
        g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas?%s", queries[i]);
        g_test_message ("query %s", queries[i]);
        assert_error (r, 400, "invalid_parameter");
      }
  }
  {
    g_autoptr(SiTestResponse) r1 = get (server, token, "/api/v1/ideas?limit=1");
    g_autoptr(SiTestResponse) r2 = get (server, token, "/api/v1/ideas?limit=1000");
    g_assert_cmpuint (r1->status, ==, 200);
    g_assert_cmpuint (r2->status, ==, 200);
  }

  /* Unknown paths and ids: 404; wrong methods: 405 with Allow. */
  {
    const char *paths[] = {
      "/", "/api/v1/", "/api/v1/notes", "/api/v1/ideas/abc", "/api/v1/ideas/0", "/api/v1/ideas/1/x",
      "/api/v2/ideas", "/api/v1/ideas/-1",
    };
    for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
      {
        g_autoptr(SiTestResponse) r = get (server, token, "%s", paths[i]);
        g_test_message ("path %s", paths[i]);
        assert_error (r, 404, "not_found");
      }
  }
  {
    const char *cases405[][3] = {
      { "DELETE", "/api/v1/ideas", "GET, POST" },
      { "POST", "/api/v1/ideas/1", "GET, PUT, DELETE" },
      { "GET", "/api/v1/login", "POST" },
      { "GET", "/api/v1/batch", "POST" },
      { "POST", "/api/v1/info", "GET" },
      { "PATCH", "/api/v1/tags/1", "GET, PUT, DELETE" },
    };
    for (guint i = 0; i < G_N_ELEMENTS (cases405); i++)
      {
        g_autoptr(SiTestResponse) r = si_test_server_request (server, cases405[i][0], cases405[i][1], token,
                                                              NULL, NULL);
        assert_error (r, 405, "method_not_allowed");
        g_assert_cmpstr (soup_message_headers_get_one (r->headers, "Allow"), ==, cases405[i][2]);
      }
  }

  /* Login bodies are checked as strictly. */
  {
    g_autoptr(SiTestResponse) r1 = si_test_server_request (server, "POST", "/api/v1/login", NULL, "{\"username\":\"alice\"}", NULL);
    g_autoptr(SiTestResponse) r2 = si_test_server_request (server, "POST", "/api/v1/login", NULL, "{\"username\":1,\"password\":\"x\"}", NULL);
    assert_error (r1, 400, "invalid_field");
    assert_error (r2, 400, "invalid_field");
  }

  /* Nothing of all that was stored. */
  {
    g_autoptr(SiTestResponse) ideas = get (server, token, "/api/v1/ideas?since=0");
    g_autoptr(SiTestResponse) tags = get (server, token, "/api/v1/tags?since=0");
    g_assert_cmpuint (json_array_get_length (page_records (ideas)), ==, 0);
    g_assert_cmpuint (json_array_get_length (page_records (tags)), ==, 0);
    g_assert_cmpint (si_test_response_get_int (ideas, "cursor"), ==, 0);
  }
}

/* Sends raw bytes on a new connection and returns the status line's code. */
static guint
raw_http (SiTestServer *server,
          const char   *request)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = g_uri_parse (si_test_server_get_url (server), G_URI_FLAGS_NONE, NULL);
  char buffer[512] = { 0 };
  gssize n;
  guint status = 0;

  g_socket_client_set_enable_proxy (client, FALSE);
  connection = g_socket_client_connect_to_host (client, g_uri_get_host (uri), (guint16) g_uri_get_port (uri),
                                                NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             request, strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);
  n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                           buffer, sizeof buffer - 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, >, 12);
  g_assert_true (sscanf (buffer, "HTTP/1.%*d %u", &status) == 1);
  return status;
}

static void
test_body_limit (void)
{
  const char *args[] = { "--max-body-bytes", "2048", NULL };
  g_autoptr(SiTestServer) server = si_test_server_new (NULL);
  g_autofree char *token = NULL;
  g_autofree char *small = NULL;
  g_autofree char *big = NULL;
  g_autofree char *filler = g_strnfill (4000, 'x');

  si_test_server_add_user (server, "alice", PASSWORD);
  si_test_server_set_args (server, args);
  si_test_server_start (server);
  token = si_test_server_login (server, "alice", PASSWORD);

  big = idea_json (NULL, filler, NULL);
  {
    g_autoptr(SiTestResponse) r = post (server, token, "ideas", big, 413);
    assert_error (r, 413, "payload_too_large");
  }
  /* The server still works, and a body under the limit goes through. */
  small = idea_json (NULL, "small", NULL);
  {
    g_autoptr(SiTestResponse) r = post (server, token, "ideas", small, 201);
    g_autoptr(SiTestResponse) feed = get (server, token, "/api/v1/ideas?since=0");
    g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 1);
  }

  /* A body without a length (chunked) is refused with 411 and not stored. */
  {
    g_autofree char *request = g_strdup_printf (
      "POST /api/v1/ideas HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\n", token);
    g_assert_cmpuint (raw_http (server, request), ==, 411);
  }
}

/* "[[[…]]]" @depth deep, or the same inside an idea's title when @in_record. */
static char *
deep_json (guint    depth,
           gboolean in_record)
{
  GString *text = g_string_new (in_record ? "{\"uid\":\"" : "");

  if (in_record)
    g_string_append (text, "7d3c8cde-5b8f-4a5e-9f3c-2b1a0e6d4c21\",\"title\":");
  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, '[');
  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, ']');
  if (in_record)
    g_string_append (text, ",\"body\":\"\",\"pinned\":false,\"tags\":[],"
                           "\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}");
  return g_string_free (text, FALSE);
}

/* Nesting 100,000 deep made json-glib recurse until the stack ran out: the server died on a
 * login request from anyone. Every JSON body now passes the codec's guard first. */
static void
test_deep_json (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *deep = deep_json (100000, FALSE);
  g_autofree char *deep_record = deep_json (100000, TRUE);
  g_autofree char *deep_batch = NULL;
  g_autofree char *if_match = NULL;
  g_autofree char *put_path = NULL;
  gint64 version;
  gint64 id = create_idea (server, token, "Survivor", NULL, &version);

  if_match = version_header (version);
  put_path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, id);
  deep_batch = g_strdup_printf ("{\"operations\":[{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":%s}]}",
                                deep_record);
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "POST", "/api/v1/login", NULL, deep, NULL);
    assert_error (r, 400, "invalid_json");
    g_assert_nonnull (strstr (si_test_response_get_string (r, "message"), "nested deeper than 64"));
  }
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "POST", "/api/v1/ideas", token, deep, NULL);
    assert_error (r, 400, "invalid_json");
  }
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "POST", "/api/v1/ideas", token, deep_record, NULL);
    assert_error (r, 400, "invalid_json");
  }
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "PUT", put_path, token, deep_record,
                                                          "If-Match", if_match, NULL);
    assert_error (r, 400, "invalid_json");
  }
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "POST", "/api/v1/batch", token, deep, NULL);
    assert_error (r, 400, "invalid_json");
  }
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "POST", "/api/v1/batch", token, deep_batch, NULL);
    assert_error (r, 400, "invalid_json");
  }

  /* The server still answers, and nothing was stored. */
  g_assert_true (si_test_server_is_running (server));
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas?since=0");
    JsonArray *records;

    g_assert_cmpuint (r->status, ==, 200);
    records = page_records (r);
    g_assert_cmpuint (json_array_get_length (records), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (record_at (records, 0), "title"), ==, "Survivor");
  }
  {
    g_autofree char *again = si_test_server_login (server, "alice", PASSWORD);
    g_assert_nonnull (again);
  }
}

/* A NUL in a string cut it short: "a\u0000b" was stored as "a" with a 201. */
static void
test_nul_in_strings (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  const char *json = "application/json";
  g_autofree char *title = idea_json (NULL, "a\\u0000b", NULL);
  g_autofree char *body = g_strdup_printf ("{\"uid\":\"%s\",\"title\":\"t\",\"body\":\"line\\u0000rest\",\"pinned\":false,"
                                           "\"tags\":[],\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}",
                                           "0b0e7a4c-9d1f-4c55-8e2b-6a3f1c7d9e02");
  g_autofree char *tag = tag_json (NULL, "x\\u0000y");
  g_autofree char *batch = g_strdup_printf ("{\"operations\":[{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":%s}]}",
                                            title);
  gint64 version;
  gint64 id = create_idea (server, token, "Kept", NULL, &version);
  g_autofree char *if_match = version_header (version);
  g_autofree char *put_path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, id);
  g_autofree char *edit = idea_json (NULL, "Kept\\u0000tail", NULL);

  assert_post_fails (server, token, "ideas", json, title, strlen (title), 400, "invalid_json", "NUL");
  assert_post_fails (server, token, "ideas", json, body, strlen (body), 400, "invalid_json", "NUL");
  assert_post_fails (server, token, "tags", json, tag, strlen (tag), 400, "invalid_json", "NUL");
  assert_post_fails (server, token, "batch", json, batch, strlen (batch), 400, "invalid_json", "NUL");
  /* A raw NUL byte. */
  {
    g_autofree char *raw = idea_json (NULL, "a_b", NULL);
    char *underscore = strstr (raw, "a_b");

    underscore[1] = '\0';
    assert_post_fails (server, token, "ideas", json, raw, strlen (underscore + 2) + (gsize) (underscore + 2 - raw),
                       400, "invalid_json", "NUL");
  }
  /* Escaped backslashes before "u0000" are text, not a NUL: stored as they are. */
  {
    g_autofree char *fine = idea_json (NULL, "a\\\\u0000b", NULL);
    g_autoptr(SiTestResponse) r = post (server, token, "ideas", fine, 201);
    g_assert_cmpstr (si_test_response_get_string (r, "title"), ==, "a\\u0000b");
  }
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "PUT", put_path, token, edit,
                                                          "If-Match", if_match, NULL);
    assert_error (r, 400, "invalid_json");
  }
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas?since=0");
    JsonArray *records = page_records (r);

    g_assert_cmpuint (json_array_get_length (records), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (record_at (records, 0), "title"), ==, "Kept");
  }
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/tags?since=0");
    g_assert_cmpuint (json_array_get_length (page_records (r)), ==, 0);
  }
}

/* json-glib 1.6 wraps a whole number outside gint64 without a word: a tag id of 2^64 + X read
 * as X would attach tag X. The codec refuses such numbers before parsing. */
static void
test_json_integer_wrap (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  gint64 tag = create_tag (server, token, "work", NULL);
  guint64 low = 551616 + (guint64) tag;   /* 2^64 = 18446744073709 * 10^6 + 551616 */
  g_autofree char *wrapped = g_strdup_printf ("%" G_GUINT64_FORMAT "%06" G_GUINT64_FORMAT,
                                              (guint64) 18446744073709 + low / 1000000, low % 1000000);
  g_autofree char *negative = g_strdup_printf ("-%s", wrapped);
  const char *numbers[] = { wrapped, negative };

  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      g_autofree char *tags = g_strdup_printf ("[%s]", numbers[i]);
      g_autofree char *body = idea_json (NULL, "Wrapped", tags);

      assert_post_fails (server, token, "ideas", "application/json", body, strlen (body), 400,
                         "invalid_json", "out of range");
    }
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas?since=0");
    g_assert_cmpuint (json_array_get_length (page_records (r)), ==, 0);
  }
}

/* A batch body is read by the strict reader (si-wire-read.c): what json-glib would take
 * beyond RFC 8259 is refused as a whole, and nothing of it is stored. */
static void
test_batch_strict_json (void)
{
  g_autoptr(SiTestServer) server = start_server ("alice", NULL);
  g_autofree char *token = si_test_server_login (server, "alice", PASSWORD);
  g_autofree char *idea = idea_json (NULL, "Strict", "[]");
  g_autofree char *op = g_strdup_printf ("{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":%s}", idea);
  g_autofree char *trailing = g_strdup_printf ("{\"operations\":[%s]}{}", op);
  g_autofree char *comment = g_strdup_printf ("{\"operations\":[%s] /* one */}", op);
  g_autofree char *zero = g_strdup_printf ("{\"operations\":[%s,{\"method\":\"DELETE\",\"collection\":\"ideas\",\"id\":01}]}", op);
  g_autofree char *fine = g_strdup_printf ("{\"operations\":[%s]}", op);
  const char *bodies[] = { trailing, comment, zero };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    assert_post_fails (server, token, "batch", "application/json", bodies[i], strlen (bodies[i]), 400,
                       "invalid_json", "not valid JSON");
  {
    g_autoptr(SiTestResponse) r = get (server, token, "/api/v1/ideas?since=0");
    g_assert_cmpuint (json_array_get_length (page_records (r)), ==, 0);
  }
  {
    g_autoptr(SiTestResponse) r = si_test_server_request (server, "POST", "/api/v1/batch", token, fine, NULL);
    g_assert_cmpuint (r->status, ==, 200);
  }
}

static void
test_connections_closed (void)
{
  g_autoptr(SiTestServer) server = start_server (NULL);
  guint before, after;

  /* Warm up (the first request opens what stays open: the database, the WAL). */
  g_assert_cmpuint (raw_http (server, "GET /api/v1/info HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), ==, 200);
  before = si_test_server_count_open_files (server);

  /* Clients that close their kept-alive connection after a request must not leave a
   * descriptor behind (libsoup 3.2 did, for ever). */
  for (guint i = 0; i < 50; i++)
    g_assert_cmpuint (raw_http (server, "GET /api/v1/info HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), ==, 200);
  g_usleep (300 * 1000);
  {
    g_autoptr(SiTestResponse) r = get (server, NULL, "/api/v1/info");  /* let the server run its loop */
    g_assert_cmpuint (r->status, ==, 200);
  }
  after = si_test_server_count_open_files (server);
  g_test_message ("open files: %u before, %u after", before, after);
  g_assert_cmpuint (after, <=, before + 2);
}

static void
test_tls (void)
{
  g_autofree char *cert = g_test_build_filename (G_TEST_DIST, "server-tls-cert.pem", NULL);
  g_autofree char *key = g_test_build_filename (G_TEST_DIST, "server-tls-key.pem", NULL);
  const char *args[] = { "--tls-cert", cert, "--tls-key", key, NULL };
  g_autoptr(SiTestServer) server = si_test_server_new (NULL);
  g_autoptr(GTlsDatabase) trust = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  si_test_server_add_user (server, "alice", PASSWORD);
  si_test_server_set_args (server, args);
  si_test_server_start (server);
  g_assert_true (g_str_has_prefix (si_test_server_get_url (server), "https://127.0.0.1:"));

  /* The client trusts exactly this certificate: the handshake is verified, not skipped. */
  trust = g_tls_file_database_new (cert, &error);
  g_assert_no_error (error);
  g_object_set (si_test_server_get_session (server), "tls-database", trust, NULL);

  token = si_test_server_login (server, "alice", PASSWORD);
  create_idea (server, token, "Over TLS", NULL, NULL);
  {
    g_autoptr(SiTestResponse) feed = get (server, token, "/api/v1/ideas?since=0");
    g_assert_cmpuint (json_array_get_length (page_records (feed)), ==, 1);
  }

  /* A key that does not match, or a missing file: a clear error and exit status 1. */
  {
    g_autofree char *err = NULL;
    int status = si_test_server_run (server, NULL, NULL, &err, "--listen", "127.0.0.1:0",
                                     "--tls-cert", cert, "--tls-key", "/nonexistent/key.pem", NULL);
    g_assert_cmpint (status, ==, 1);
    g_assert_nonnull (strstr (err, "TLS"));
    g_assert_cmpint (si_test_server_run (server, NULL, NULL, NULL, "--listen", "127.0.0.1:0",
                                         "--tls-cert", cert, NULL), ==, 2);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/server/tag-delete-steps", test_tag_delete_steps);
  g_test_add_func ("/server/tag-delete-steps-conflict", test_tag_delete_steps_conflict);
  g_test_add_func ("/server/batch-steps", test_batch_steps);
  g_test_add_func ("/server/batch-numbers", test_batch_numbers);
  g_test_add_func ("/server/idempotent-create-tags", test_idempotent_create_tags);
  g_test_add_func ("/server/name-taken", test_name_taken);
  g_test_add_func ("/server/batch", test_batch);
  g_test_add_func ("/server/large-values", test_large_values);
  g_test_add_func ("/server/tag-names", test_tag_names);
  g_test_add_func ("/server/bad-input", test_bad_input);
  g_test_add_func ("/server/body-limit", test_body_limit);
  g_test_add_func ("/server/deep-json", test_deep_json);
  g_test_add_func ("/server/json-integer-wrap", test_json_integer_wrap);
  g_test_add_func ("/server/batch-strict-json", test_batch_strict_json);
  g_test_add_func ("/server/nul-in-strings", test_nul_in_strings);
  g_test_add_func ("/server/connections-closed", test_connections_closed);
  g_test_add_func ("/server/tls", test_tls);

  return g_test_run ();
}
