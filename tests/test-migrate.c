/* test-migrate.c — suite `server` (postgresql): `saveidea-server --data DIR copy-to URI` moves
 * a SQLite server to PostgreSQL without its clients noticing.
 *
 * A SQLite server is filled through the HTTP API, copied, and a server started on the
 * PostgreSQL copy must answer as the old one did: the same instance id, the same records at
 * the same versions, the same cursor, the old tokens and passwords, and new ids and versions
 * above the old ones. Needs SAVEIDEA_TEST_POSTGRESQL=1 (tests/meson.build sets it).
 */
#define G_LOG_DOMAIN "saveidea-test"

#include "config.h"

#include <signal.h>
#include <string.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "si-store.h"
#include "si-sync-engine.h"
#include "si-test-server.h"

#define PASSWORD "correct horse battery"
#define T0 "2026-11-28T04:08:50.123Z"
#define T1 "2026-11-28T05:00:00.000Z"

/* Text with everything COPY's text format escapes, and more than ASCII. */
#define TRICKY_BODY "tab\there\nnew line\r\nback\\slash \\N not null; crème brûlée ☕"

/* ---------------------------------------------------------------------------------------- */
/* helpers */

/* A SQLite server (also in the PostgreSQL variant of the tests) with alice and bob. */
static SiTestServer *
sqlite_server_new (void)
{
  SiTestServer *server = si_test_server_new (NULL);

  si_test_server_set_database (server, NULL);
  si_test_server_add_user (server, "alice", PASSWORD);
  si_test_server_add_user (server, "bob", PASSWORD);
  return server;
}

/* A server on a fresh, empty PostgreSQL database (not started). */
static SiTestServer *
pg_server_new (void)
{
  SiTestServer *server = si_test_server_new (NULL);

  g_assert_nonnull (si_test_server_get_database (server));
  return server;
}

/* `saveidea-server --data SOURCE-DIR copy-to URI`; returns the exit status. */
static int
copy_to (SiTestServer  *source,
         const char    *uri,
         char         **out_stdout,
         char         **out_stderr)
{
  return si_test_server_run (source, NULL, out_stdout, out_stderr, "copy-to", uri, NULL);
}

/* Tables in the database's current schema, sorted, comma-separated ("" for none). */
static char *
pg_tables (const char *uri)
{
  PGconn *conn = PQconnectdb (uri);
  PGresult *res;
  GString *names = g_string_new (NULL);

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  res = PQexec (conn, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1");
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  for (int i = 0; i < PQntuples (res); i++)
    g_string_append_printf (names, "%s%s", i ? ", " : "", PQgetvalue (res, i, 0));
  PQclear (res);
  PQfinish (conn);
  return g_string_free (names, FALSE);
}

static char *
instance_of (SiTestServer *server)
{
  g_autoptr(SiTestResponse) r = si_test_server_request (server, "GET", "/api/v1/info", NULL, NULL, NULL);
  const char *header;

  g_assert_cmpuint (r->status, ==, 200);
  header = soup_message_headers_get_one (r->headers, "Saveidea-Instance");
  g_assert_nonnull (header);
  g_assert_cmpstr (si_test_response_get_string (r, "instance_id"), ==, header);
  return g_strdup (header);
}

/* POST /api/v1/@collection: asserts 201; returns the record's id, its version in *out_version. */
static gint64
create (SiTestServer *server,
        const char   *token,
        const char   *collection,
        const char   *body,
        gint64       *out_version)
{
  g_autofree char *path = g_strconcat ("/api/v1/", collection, NULL);
  g_autoptr(SiTestResponse) r = si_test_server_request (server, "POST", path, token, body, NULL);

  g_assert_cmpuint (r->status, ==, 201);
  if (out_version != NULL)
    *out_version = si_test_response_get_int (r, "version");
  return si_test_response_get_int (r, "id");
}

static char *
tag_json (const char *name)
{
  g_autofree char *uid = g_uuid_string_random ();

  return g_strdup_printf ("{\"uid\":\"%s\",\"name\":\"%s\",\"colour\":\"#3584e4\","
                          "\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}", uid, name);
}

/* @tags: "[1,2]"; @uid NULL for a new one. */
static char *
idea_json (const char *uid,
           const char *title,
           const char *body,
           gboolean    pinned,
           const char *tags)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) tag_ids = json_from_string (tags, NULL);
  g_autofree char *new_uid = uid ? NULL : g_uuid_string_random ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "uid");
  json_builder_add_string_value (builder, uid ? uid : new_uid);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, title);
  json_builder_set_member_name (builder, "body");
  json_builder_add_string_value (builder, body);
  json_builder_set_member_name (builder, "pinned");
  json_builder_add_boolean_value (builder, pinned);
  json_builder_set_member_name (builder, "tags");
  json_builder_add_value (builder, g_steal_pointer (&tag_ids));
  json_builder_set_member_name (builder, "created_at");
  json_builder_add_string_value (builder, T0);
  json_builder_set_member_name (builder, "updated_at");
  json_builder_add_string_value (builder, T1);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  return json_to_string (node, FALSE);
}

/* PUT or DELETE with If-Match; returns the response. */
static SiTestResponse *
change (SiTestServer *server,
        const char   *method,
        const char   *token,
        const char   *collection,
        gint64        id,
        gint64        if_match,
        const char   *body)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/%s/%" G_GINT64_FORMAT, collection, id);
  g_autofree char *etag = g_strdup_printf ("\"%" G_GINT64_FORMAT "\"", if_match);

  return si_test_server_request (server, method, path, token, body, "If-Match", etag, NULL);
}

/* GET /api/v1/changes?since=@since: every record, one JSON text each, and the cursor. */
typedef struct {
  GPtrArray *records;   /* char * */
  GPtrArray *nodes;     /* JsonObject * */
  gint64     cursor;
} Feed;

static void
feed_free (Feed *feed)
{
  g_ptr_array_unref (feed->records);
  g_ptr_array_unref (feed->nodes);
  g_free (feed);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Feed, feed_free)

static Feed *
read_feed (SiTestServer *server,
           const char   *token,
           gint64        since)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/changes?since=%" G_GINT64_FORMAT "&limit=1000", since);
  g_autoptr(SiTestResponse) r = si_test_server_request (server, "GET", path, token, NULL, NULL);
  Feed *feed = g_new0 (Feed, 1);
  JsonArray *records;

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_false (json_object_get_boolean_member (si_test_response_object (r), "more"));
  feed->cursor = si_test_response_get_int (r, "cursor");
  feed->records = g_ptr_array_new_with_free_func (g_free);
  feed->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  records = json_object_get_array_member (si_test_response_object (r), "records");
  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonNode *node = json_array_get_element (records, i);

      g_ptr_array_add (feed->records, json_to_string (node, FALSE));
      g_ptr_array_add (feed->nodes, json_object_ref (json_node_get_object (node)));
    }
  return feed;
}

static JsonObject *
feed_find (Feed   *feed,
           gint64  id,
           const char *collection)
{
  for (guint i = 0; i < feed->nodes->len; i++)
    {
      JsonObject *o = g_ptr_array_index (feed->nodes, i);

      if (json_object_get_int_member (o, "id") == id &&
          g_str_equal (json_object_get_string_member (o, "collection"), collection))
        return o;
    }
  g_assert_not_reached ();
}

static void
assert_same_feed (Feed *before,
                  Feed *after)
{
  g_assert_cmpint (after->cursor, ==, before->cursor);
  g_assert_cmpuint (after->records->len, ==, before->records->len);
  for (guint i = 0; i < before->records->len; i++)
    g_assert_cmpstr (g_ptr_array_index (after->records, i), ==, g_ptr_array_index (before->records, i));
}

static gint64
max_id (Feed *feed)
{
  gint64 max = 0;

  for (guint i = 0; i < feed->nodes->len; i++)
    max = MAX (max, json_object_get_int_member ((JsonObject *) g_ptr_array_index (feed->nodes, i), "id"));
  return max;
}

/* @json (an object) with "device": @device first. */
static char *
with_device (const char *json,
             const char *device)
{
  return g_strdup_printf ("{\"device\":\"%s\",%s", device, json + 1);
}

/* What alice and bob wrote to the source. */
typedef struct {
  char   *alice_token, *alice_token2, *bob_token;
  gint64  work, home, gone, kettle, pinned, deleted, empty;
  gint64  bob_work;
} Filled;

static void
filled_clear (Filled *f)
{
  g_free (f->alice_token);
  g_free (f->alice_token2);
  g_free (f->bob_token);
}

/* Tags, ideas with tags, edits, deletions (a tombstone of each collection), two accounts,
 * three tokens — all through the HTTP API of the running @server. */
static void
fill (SiTestServer *server,
      Filled       *f)
{
  g_autofree char *work = tag_json ("Work");
  g_autofree char *home = tag_json ("Home");
  g_autofree char *gone = tag_json ("Gone");
  g_autofree char *bob_work = tag_json ("work");
  g_autofree char *kettle_tags = NULL;
  g_autofree char *pinned_tags = NULL;
  g_autofree char *kettle = NULL;
  g_autofree char *kettle_edit = NULL;
  g_autofree char *pinned = NULL;
  g_autofree char *deleted = NULL;
  g_autofree char *empty = NULL;
  g_autofree char *bob_idea = NULL;
  g_autofree char *bob_tags = NULL;
  g_autofree char *kettle_uid = g_uuid_string_random ();
  gint64 version, bob_idea_id;

  f->alice_token = si_test_server_login (server, "alice", PASSWORD);
  f->alice_token2 = si_test_server_login (server, "alice", PASSWORD);
  f->bob_token = si_test_server_login (server, "bob", PASSWORD);

  f->work = create (server, f->alice_token, "tags", work, NULL);
  f->home = create (server, f->alice_token, "tags", home, NULL);
  f->gone = create (server, f->alice_token, "tags", gone, &version);

  kettle_tags = g_strdup_printf ("[%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT "]", f->work, f->home);
  kettle = idea_json (kettle_uid, "Solar kettle", "first", FALSE, kettle_tags);
  f->kettle = create (server, f->alice_token, "ideas", kettle, NULL);
  pinned_tags = g_strdup_printf ("[%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT "]", f->gone, f->home);
  {
    g_autofree char *plain = idea_json (NULL, "Pinned", "", TRUE, pinned_tags);
    pinned = with_device (plain, "desk");
  }
  f->pinned = create (server, f->alice_token2, "ideas", pinned, NULL);
  deleted = idea_json (NULL, "To delete", "x", FALSE, "[]");
  f->deleted = create (server, f->alice_token, "ideas", deleted, NULL);
  empty = idea_json (NULL, "", "", FALSE, "[]");
  f->empty = create (server, f->alice_token, "ideas", empty, NULL);

  /* An edit: the kettle keeps only Home, and gets the tricky body. */
  {
    g_autoptr(Feed) now = read_feed (server, f->alice_token, 0);
    g_autofree char *home_only = g_strdup_printf ("[%" G_GINT64_FORMAT "]", f->home);
    g_autoptr(SiTestResponse) r = NULL;

    {
      g_autofree char *plain = idea_json (kettle_uid, "Solar kettle, v2", TRICKY_BODY, FALSE, home_only);
      kettle_edit = with_device (plain, "Ada’s laptop\\\\ \\\\N\\\\t");
    }
    r = change (server, "PUT", f->alice_token, "ideas", f->kettle,
                json_object_get_int_member (feed_find (now, f->kettle, "ideas"), "version"), kettle_edit);
    g_assert_cmpuint (r->status, ==, 200);
  }
  /* Deletions: an idea, and a tag that an idea uses (the idea gets a new version). */
  {
    g_autoptr(Feed) now = read_feed (server, f->alice_token, 0);
    g_autoptr(SiTestResponse) r1 = change (server, "DELETE", f->alice_token, "ideas", f->deleted,
                                           json_object_get_int_member (feed_find (now, f->deleted, "ideas"), "version"), NULL);
    g_autoptr(SiTestResponse) r2 = change (server, "DELETE", f->alice_token, "tags", f->gone, version, NULL);

    g_assert_cmpuint (r1->status, ==, 200);
    g_assert_cmpuint (r2->status, ==, 200);
  }

  /* Bob: a tag named as alice's, an idea with it, deleted. */
  f->bob_work = create (server, f->bob_token, "tags", bob_work, NULL);
  bob_tags = g_strdup_printf ("[%" G_GINT64_FORMAT "]", f->bob_work);
  bob_idea = idea_json (NULL, "Bob's", "b", TRUE, bob_tags);
  bob_idea_id = create (server, f->bob_token, "ideas", bob_idea, &version);
  {
    g_autoptr(SiTestResponse) r = change (server, "DELETE", f->bob_token, "ideas", bob_idea_id, version, NULL);
    g_assert_cmpuint (r->status, ==, 200);
  }
  {
    g_autofree char *live = idea_json (NULL, "Bob's live one", "", FALSE, bob_tags);
    create (server, f->bob_token, "ideas", live, NULL);
  }
}

/* ---------------------------------------------------------------------------------------- */
/* tests */

/* Everything a client holds means the same on the copy. */
static void
test_copy_keeps_everything (void)
{
  g_autoptr(SiTestServer) source = sqlite_server_new ();
  g_autoptr(SiTestServer) target = pg_server_new ();
  const char *uri = si_test_server_get_database (target);
  g_autoptr(Feed) alice_before = NULL;
  g_autoptr(Feed) bob_before = NULL;
  g_autofree char *instance = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *tables = NULL;
  Filled f = { 0 };

  si_test_server_start (source);
  fill (source, &f);
  instance = instance_of (source);
  alice_before = read_feed (source, f.alice_token, 0);
  bob_before = read_feed (source, f.bob_token, 0);
  g_assert_cmpuint (alice_before->records->len, ==, 7);
  g_assert_cmpuint (bob_before->records->len, ==, 3);

  /* While the source's server runs, the copy is refused and the target stays empty. */
  g_assert_cmpint (copy_to (source, uri, NULL, &err), ==, 6);
  g_assert_nonnull (strstr (err, "in use"));
  tables = pg_tables (uri);
  g_assert_cmpstr (tables, ==, "");

  g_assert_cmpint (si_test_server_stop (source, SIGTERM), ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (copy_to (source, uri, &out, &err), ==, 0);
  g_test_message ("copy-to: %s%s", out, err);
  {
    g_autofree char *summary = g_strdup_printf ("Copied:\n"
                                                "  instance   %s\n"
                                                "  accounts   2\n"
                                                "  tokens     3\n"
                                                "  records    10 (6 ideas, 4 tags; 3 deleted)\n", instance);
    g_assert_true (g_str_has_prefix (out, summary));
  }

  /* The source is not served again: its clients go on with the copy. */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (si_test_server_run (source, NULL, NULL, &err, "user", "list", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "copied to PostgreSQL"));

  si_test_server_start (target);

  /* The same server, for the clients. */
  {
    g_autofree char *after = instance_of (target);
    g_assert_cmpstr (after, ==, instance);
  }
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(Feed) alice_after = read_feed (target, i == 0 ? f.alice_token : f.alice_token2, 0);
      g_autoptr(Feed) alice_nothing = read_feed (target, f.alice_token, alice_before->cursor);

      assert_same_feed (alice_before, alice_after);
      /* Who wrote each version came along, COPY's escapes and all. */
      g_assert_cmpstr (json_object_get_string_member (feed_find (alice_after, f.kettle, "ideas"), "device"), ==,
                       "Ada’s laptop\\ \\N\\t");
      g_assert_cmpstr (json_object_get_string_member (feed_find (alice_after, f.pinned, "ideas"), "device"), ==, "desk");
      g_assert_false (json_object_has_member (feed_find (alice_after, f.empty, "ideas"), "device"));
      g_assert_cmpuint (alice_nothing->records->len, ==, 0);
      g_assert_cmpint (alice_nothing->cursor, ==, alice_before->cursor);
    }
  {
    g_autoptr(Feed) bob_after = read_feed (target, f.bob_token, 0);
    assert_same_feed (bob_before, bob_after);
  }
  {
    g_autofree char *token = si_test_server_login (target, "bob", PASSWORD);
    g_autoptr(SiTestResponse) wrong = si_test_server_request (target, "POST", "/api/v1/login", NULL,
                                                              "{\"username\":\"alice\",\"password\":\"not the one\"}", NULL);
    g_assert_cmpuint (wrong->status, ==, 401);
  }

  /* New writes: ids past every copied one, versions past the old cursor. */
  {
    g_autofree char *body = idea_json (NULL, "After the move", "", FALSE, "[]");
    gint64 old_max = MAX (max_id (alice_before), max_id (bob_before));
    gint64 version = 0;
    gint64 id = create (target, f.alice_token, "ideas", body, &version);

    g_assert_cmpint (id, >, old_max);
    g_assert_cmpint (version, ==, alice_before->cursor + 1);
  }
  /* If-Match with the versions the clients hold. */
  {
    JsonObject *kettle = feed_find (alice_before, f.kettle, "ideas");
    g_autofree char *home_only = g_strdup_printf ("[%" G_GINT64_FORMAT "]", f.home);
    g_autofree char *edit = idea_json (json_object_get_string_member (kettle, "uid"), "Solar kettle, v3",
                                       TRICKY_BODY, TRUE, home_only);
    g_autoptr(SiTestResponse) stale = change (target, "PUT", f.alice_token, "ideas", f.kettle,
                                              json_object_get_int_member (kettle, "version") - 1, edit);
    g_autoptr(SiTestResponse) ok = change (target, "PUT", f.alice_token, "ideas", f.kettle,
                                           json_object_get_int_member (kettle, "version"), edit);

    g_assert_cmpuint (stale->status, ==, 412);
    g_assert_cmpuint (ok->status, ==, 200);
    g_assert_cmpint (si_test_response_get_int (ok, "version"), ==, alice_before->cursor + 2);
    g_assert_cmpstr (si_test_response_get_string (ok, "body"), ==, TRICKY_BODY);
  }
  /* The idea ↔ tag links came along: deleting Home takes it off the pinned idea. */
  {
    JsonObject *home = feed_find (alice_before, f.home, "tags");
    g_autoptr(SiTestResponse) r = change (target, "DELETE", f.alice_token, "tags", f.home,
                                          json_object_get_int_member (home, "version"), NULL);
    g_autoptr(Feed) news = NULL;
    JsonObject *pinned;

    g_assert_cmpuint (r->status, ==, 200);
    news = read_feed (target, f.alice_token, alice_before->cursor + 2);
    pinned = feed_find (news, f.pinned, "ideas");
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (pinned, "tags")), ==, 0);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (feed_find (news, f.kettle, "ideas"), "tags")), ==, 0);
  }
  /* Tag names stay unique per account (their keys came along). */
  {
    g_autofree char *again = tag_json ("WORK");
    g_autoptr(SiTestResponse) r = si_test_server_request (target, "POST", "/api/v1/tags", f.bob_token, again, NULL);
    g_assert_cmpuint (r->status, ==, 409);
  }
  /* A new account gets an id of its own. */
  {
    g_autofree char *token = NULL;
    g_autofree char *tag = tag_json ("Work");
    g_autoptr(Feed) carol = NULL;

    si_test_server_add_user (target, "carol", PASSWORD);
    token = si_test_server_login (target, "carol", PASSWORD);
    create (target, token, "tags", tag, NULL);
    carol = read_feed (target, token, 0);
    g_assert_cmpuint (carol->records->len, ==, 1);
    g_assert_cmpint (carol->cursor, ==, 1);
  }
  filled_clear (&f);
}

/* A target with data is refused, and keeps what it had. */
static void
test_refuses_non_empty (void)
{
  g_autoptr(SiTestServer) source = sqlite_server_new ();
  g_autoptr(SiTestServer) target = pg_server_new ();
  g_autoptr(SiTestServer) copied = pg_server_new ();
  g_autofree char *other = si_test_server_pg_new_database ();
  g_autofree char *instance = NULL;
  g_autofree char *token = NULL;
  g_autofree char *err = NULL;
  g_autofree char *tables = NULL;
  g_autoptr(Feed) before = NULL;
  g_autoptr(Feed) copied_before = NULL;
  Filled f = { 0 };

  si_test_server_start (source);
  fill (source, &f);
  g_assert_cmpint (si_test_server_stop (source, SIGTERM), ==, 0);

  /* A database that another saveidea-server uses. */
  si_test_server_add_user (target, "zed", PASSWORD);
  si_test_server_start (target);
  token = si_test_server_login (target, "zed", PASSWORD);
  {
    g_autofree char *tag = tag_json ("Mine");
    create (target, token, "tags", tag, NULL);
  }
  instance = instance_of (target);
  before = read_feed (target, token, 0);
  g_assert_cmpint (si_test_server_stop (target, SIGTERM), ==, 0);

  g_assert_cmpint (copy_to (source, si_test_server_get_database (target), NULL, &err), ==, 5);
  g_assert_nonnull (strstr (err, "already holds"));
  si_test_server_start (target);
  {
    g_autofree char *after_instance = instance_of (target);
    g_autoptr(Feed) after = read_feed (target, token, 0);
    g_autoptr(SiTestResponse) alice = si_test_server_request (target, "POST", "/api/v1/login", NULL,
                                                              "{\"username\":\"alice\",\"password\":\"" PASSWORD "\"}", NULL);

    g_assert_cmpstr (after_instance, ==, instance);
    assert_same_feed (before, after);
    g_assert_cmpuint (alice->status, ==, 401);
  }

  /* A database with a table of something else. */
  si_test_server_pg_exec (other, "CREATE TABLE notes (id int PRIMARY KEY, text text)");
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (copy_to (source, other, NULL, &err), ==, 5);
  g_assert_nonnull (strstr (err, "notes"));
  tables = pg_tables (other);
  g_assert_cmpstr (tables, ==, "notes");

  /* A second copy onto a first one. */
  g_assert_cmpint (copy_to (source, si_test_server_get_database (copied), NULL, NULL), ==, 0);
  si_test_server_start (copied);
  copied_before = read_feed (copied, f.alice_token, 0);
  g_assert_cmpint (si_test_server_stop (copied, SIGTERM), ==, 0);
  g_assert_cmpint (copy_to (source, si_test_server_get_database (copied), NULL, NULL), ==, 5);
  si_test_server_start (copied);
  {
    g_autoptr(Feed) copied_after = read_feed (copied, f.alice_token, 0);
    assert_same_feed (copied_before, copied_after);
  }
  filled_clear (&f);
}

/* A copy that fails half-way leaves the target as it was: empty, and usable for the next. */
static void
test_failure_leaves_target_empty (void)
{
  g_autoptr(SiTestServer) source = sqlite_server_new ();
  g_autoptr(SiTestServer) target = pg_server_new ();
  const char *uri = si_test_server_get_database (target);
  g_autofree char *path = g_build_filename (si_test_server_get_data_dir (source), "server.db", NULL);
  g_autofree char *err = NULL;
  g_autofree char *tables = NULL;
  g_autofree char *instance = NULL;
  g_autoptr(Feed) before = NULL;
  sqlite3 *db = NULL;
  Filled f = { 0 };

  si_test_server_start (source);
  fill (source, &f);
  instance = instance_of (source);
  before = read_feed (source, f.alice_token, 0);
  g_assert_cmpint (si_test_server_stop (source, SIGTERM), ==, 0);

  /* A link to records that do not exist: PostgreSQL's foreign key refuses it in the last
   * table, after everything else was copied. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO idea_tags (tag_id, idea_id) VALUES (999999, 999998)",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  /* Any open connection makes the source "in use", this one too. */
  g_assert_cmpint (copy_to (source, uri, NULL, NULL), ==, 6);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
  g_assert_cmpint (copy_to (source, uri, NULL, &err), ==, 1);
  g_test_message ("copy-to: %s", err);
  g_assert_nonnull (strstr (err, "idea_tags"));
  tables = pg_tables (uri);
  g_assert_cmpstr (tables, ==, "");

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DELETE FROM idea_tags WHERE tag_id = 999999", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
  g_assert_cmpint (copy_to (source, uri, NULL, NULL), ==, 0);
  si_test_server_start (target);
  {
    g_autofree char *after_instance = instance_of (target);
    g_autoptr(Feed) after = read_feed (target, f.alice_token, 0);

    g_assert_cmpstr (after_instance, ==, instance);
    assert_same_feed (before, after);
  }
  filled_clear (&f);
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static SiSyncReport
sync_ok (SiSyncEngine *engine)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  SiSyncReport report = { 0, };

  si_sync_engine_sync_async (engine, SI_SYNC_MODE_INCREMENTAL, NULL, got_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (si_sync_engine_sync_finish (engine, result, &report, &error));
  g_assert_no_error (error);
  return report;
}

/* Databases of the schemas before device names (SQLite 2, PostgreSQL 1; without the kept
 * versions of schema 4 / 3 either) gain the column when a
 * server opens them: their records say no device, new writes store one, and copy-to takes an
 * old SQLite database too. */
static void
downgrade_sqlite (SiTestServer *server)
{
  g_autofree char *path = g_build_filename (si_test_server_get_data_dir (server), "server.db", NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TABLE idea_history; ALTER TABLE records DROP COLUMN written_at;"
                                 " ALTER TABLE records DROP COLUMN device; PRAGMA user_version = 2",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static void
downgrade_pg (const char *uri)
{
  PGconn *conn = PQconnectdb (uri);
  PGresult *res;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  res = PQexec (conn, "DROP TABLE idea_history; ALTER TABLE records DROP COLUMN written_at;"
                      "ALTER TABLE records DROP COLUMN device;"
                      "UPDATE meta SET value = '1' WHERE key = 'schema_version'");
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_COMMAND_OK);
  PQclear (res);
  PQfinish (conn);
}

/* On a started @server: alice's idea @id says no device; a new one stores its device. */
static void
assert_device_after_upgrade (SiTestServer *server,
                             const char   *token,
                             gint64        id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, id);
  g_autoptr(SiTestResponse) old = si_test_server_request (server, "GET", path, token, NULL, NULL);
  g_autofree char *plain = idea_json (NULL, "After the upgrade", "", FALSE, "[]");
  g_autofree char *body = with_device (plain, "laptop");
  g_autoptr(SiTestResponse) created = si_test_server_request (server, "POST", "/api/v1/ideas", token, body, NULL);
  g_autoptr(Feed) feed = read_feed (server, token, 0);

  g_assert_cmpuint (old->status, ==, 200);
  g_assert_false (json_object_has_member (si_test_response_object (old), "device"));
  g_assert_cmpuint (created->status, ==, 201);
  g_assert_cmpstr (si_test_response_get_string (created, "device"), ==, "laptop");
  g_assert_cmpstr (json_object_get_string_member (feed_find (feed, si_test_response_get_int (created, "id"), "ideas"),
                                                  "device"), ==, "laptop");
}

static void
test_device_column_added (void)
{
  g_autoptr(SiTestServer) sqlite_server = sqlite_server_new ();
  g_autoptr(SiTestServer) pg_server = pg_server_new ();
  g_autoptr(SiTestServer) target = pg_server_new ();
  g_autofree char *sqlite_token = NULL;
  g_autofree char *pg_token = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *plain = idea_json (NULL, "Before the upgrade", "", FALSE, "[]");
  gint64 sqlite_id, pg_id;

  si_test_server_add_user (pg_server, "alice", PASSWORD);

  si_test_server_start (sqlite_server);
  sqlite_token = si_test_server_login (sqlite_server, "alice", PASSWORD);
  sqlite_id = create (sqlite_server, sqlite_token, "ideas", plain, NULL);
  g_assert_cmpint (si_test_server_stop (sqlite_server, SIGTERM), ==, 0);
  downgrade_sqlite (sqlite_server);

  si_test_server_start (pg_server);
  pg_token = si_test_server_login (pg_server, "alice", PASSWORD);
  pg_id = create (pg_server, pg_token, "ideas", plain, NULL);
  g_assert_cmpint (si_test_server_stop (pg_server, SIGTERM), ==, 0);
  downgrade_pg (si_test_server_get_database (pg_server));

  /* An old SQLite database copies as it is upgraded. */
  g_assert_cmpint (copy_to (sqlite_server, si_test_server_get_database (target), &out, &err), ==, 0);
  si_test_server_start (target);
  assert_device_after_upgrade (target, sqlite_token, sqlite_id);

  si_test_server_start (pg_server);
  assert_device_after_upgrade (pg_server, pg_token, pg_id);
}

/* A notebook synced with the SQLite server goes on syncing incrementally with the copy. */
static void
test_client_keeps_syncing (void)
{
  g_autoptr(SiTestServer) source = sqlite_server_new ();
  g_autoptr(SiTestServer) target = pg_server_new ();
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "notebook.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SiStore) store = NULL;
  g_autoptr(SiSyncEngine) before = NULL;
  g_autoptr(SiSyncEngine) after = NULL;
  g_autoptr(SiIdea) kept = NULL;
  g_autoptr(SiIdea) dropped = NULL;
  g_autofree char *token = NULL;
  SiSyncReport report;

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  store = si_store_new (path, &error);
  g_assert_no_error (error);

  si_test_server_start (source);
  token = si_test_server_login (source, "alice", PASSWORD);
  before = si_sync_engine_new (store, si_test_server_get_url (source), token);
  {
    g_autoptr(SiTag) tag = si_store_ensure_tag (store, "Work", &error);

    g_assert_no_error (error);
    kept = si_idea_new ("Kept", "body");
    si_idea_add_tag (kept, si_tag_get_id (tag));
    dropped = si_idea_new ("Dropped", "");
    g_assert_true (si_store_save_idea (store, kept, SI_SAVE_LOCAL, &error));
    g_assert_true (si_store_save_idea (store, dropped, SI_SAVE_LOCAL, &error));
  }
  sync_ok (before);
  g_assert_true (si_store_delete_idea (store, si_idea_get_id (dropped), SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  si_idea_set_body (kept, "edited before the move");
  g_assert_true (si_store_save_idea (store, kept, SI_SAVE_LOCAL, &error));
  report = sync_ok (before);
  g_assert_cmpuint (report.pushed, ==, 2);
  g_assert_cmpuint (si_store_count_pending (store, NULL), ==, 0);

  /* A server that crashed leaves its last changes in the WAL file: they are copied too. */
  g_assert_cmpint (si_test_server_stop (source, SIGKILL), ==, 128 + SIGKILL);
  g_assert_cmpint (copy_to (source, si_test_server_get_database (target), NULL, NULL), ==, 0);
  si_test_server_start (target);

  /* Another address, the same server: a no-op sync is one request. */
  after = si_sync_engine_new (store, si_test_server_get_url (target), token);
  report = sync_ok (after);
  g_assert_cmpuint (report.requests, ==, 1);
  g_assert_cmpuint (report.pulled + report.pushed + report.conflicts + report.rejected, ==, 0);

  /* And an edit goes up as an edit, not as a new idea. */
  si_idea_set_body (kept, "edited after the move");
  g_assert_true (si_store_save_idea (store, kept, SI_SAVE_LOCAL, &error));
  report = sync_ok (after);
  g_assert_cmpuint (report.pushed, ==, 1);
  g_assert_cmpuint (report.conflicts, ==, 0);
  {
    g_autoptr(Feed) feed = read_feed (target, token, 0);
    guint live = 0;

    for (guint i = 0; i < feed->nodes->len; i++)
      {
        JsonObject *o = g_ptr_array_index (feed->nodes, i);

        if (g_str_equal (json_object_get_string_member (o, "collection"), "ideas") &&
            !json_object_get_boolean_member (o, "deleted"))
          {
            live++;
            g_assert_cmpstr (json_object_get_string_member (o, "body"), ==, "edited after the move");
          }
      }
    g_assert_cmpuint (live, ==, 1);
  }
}

int
main (int   argc,
      char *argv[])
{
  /* Only 127.0.0.1: no proxy (the GNOME resolver would want the desktop's GSettings schemas). */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  if (si_test_server_pg_admin_uri () == NULL)
    g_error ("test-migrate needs PostgreSQL: run it with SAVEIDEA_TEST_POSTGRESQL=1 (meson test does)");

  g_test_add_func ("/migrate/copy-keeps-everything", test_copy_keeps_everything);
  g_test_add_func ("/migrate/refuses-non-empty", test_refuses_non_empty);
  g_test_add_func ("/migrate/failure-leaves-target-empty", test_failure_leaves_target_empty);
  g_test_add_func ("/migrate/client-keeps-syncing", test_client_keeps_syncing);
  g_test_add_func ("/migrate/device-column-added", test_device_column_added);

  return g_test_run ();
}
