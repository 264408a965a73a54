/* test-instances.c — suite `server` (postgresql): several saveidea-server instances on one
 * PostgreSQL database, and a database that goes away.
 *
 * Needs SAVEIDEA_TEST_POSTGRESQL=1 (tests/meson.build sets it): the servers get a fresh
 * database of the test cluster (see si-test-server.h).
 */
#define G_LOG_DOMAIN "saveidea-test"

#include "config.h"

#include <signal.h>
#include <string.h>

#include <libpq-fe.h>

#include "si-test-server.h"
#include "si-wire.h"

#define PASSWORD "correct horse battery"
#define T0 "2026-11-28T04:08:50.123Z"
#define SEED 20261128
#define N_WRITERS 4
#define OPS_PER_WRITER 120
#define SAME_CREATE_ROUNDS 20

/* ---------------------------------------------------------------------------------------- */
/* a small thread-safe HTTP client: one SoupSession per thread */

typedef struct {
  guint     status;
  JsonNode *json;
  char     *retry_after;
} Answer;

static void
answer_free (Answer *answer)
{
  g_clear_pointer (&answer->json, json_node_unref);
  g_free (answer->retry_after);
  g_free (answer);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Answer, answer_free)

static SoupSession *
new_session (void)
{
  return soup_session_new_with_options ("timeout", 60, "proxy-resolver", NULL, NULL);
}

static Answer *
http (SoupSession *session,
      const char  *base_url,
      const char  *method,
      const char  *path,
      const char  *token,
      const char  *body,
      gint64       if_match)
{
  g_autofree char *url = g_strconcat (base_url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  Answer *answer = g_new0 (Answer, 1);
  const char *retry_after;

  if (token != NULL)
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (headers, "Authorization", bearer);
    }
  if (if_match > 0)
    {
      g_autofree char *etag = si_wire_etag_format (if_match);
      soup_message_headers_replace (headers, "If-Match", etag);
    }
  if (body != NULL)
    {
      g_autoptr(GBytes) request_body = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", request_body);
    }
  bytes = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  answer->status = soup_message_get_status (msg);
  answer->json = si_wire_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL);
  retry_after = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After");
  answer->retry_after = g_strdup (retry_after);
  return answer;
}

static gint64
member_int (Answer     *answer,
            const char *name)
{
  g_assert_nonnull (answer->json);
  return json_object_get_int_member (json_node_get_object (answer->json), name);
}

static char *
idea_json (const char *uid,
           const char *title)
{
  return g_strdup_printf ("{\"uid\":\"%s\",\"title\":\"%s\",\"body\":\"\",\"pinned\":false,\"tags\":[],"
                          "\"created_at\":\"" T0 "\",\"updated_at\":\"" T0 "\"}", uid, title);
}

/* Reads the whole change feed from @since in pages of @limit: id -> SiWireRecord. Asserts
 * version order within and across pages. */
static GHashTable *
read_feed (SoupSession *session,
           const char  *url,
           const char  *token,
           guint        limit)
{
  GHashTable *records = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                               (GDestroyNotify) si_wire_record_free);
  gint64 cursor = 0, last = 0;
  gboolean more = TRUE;

  while (more)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/changes?since=%" G_GINT64_FORMAT "&limit=%u", cursor, limit);
      g_autoptr(Answer) page_answer = http (session, url, "GET", path, token, NULL, 0);
      g_autoptr(SiWirePage) page = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpuint (page_answer->status, ==, 200);
      page = si_wire_changes_from_json (page_answer->json, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < page->records->len; i++)
        {
          SiWireRecord *record = g_ptr_array_index (page->records, i);

          g_assert_cmpint (record->version, >, last);
          last = record->version;
          g_hash_table_replace (records, g_memdup2 (&record->id, sizeof record->id),
                                si_wire_record_copy (record));
        }
      g_assert_cmpint (page->cursor, >=, cursor);
      cursor = page->cursor;
      more = page->more;
    }
  return records;
}

static void
assert_same_records (GHashTable *a,
                     GHashTable *b)
{
  GHashTableIter iter;
  gpointer key, value;

  g_assert_cmpuint (g_hash_table_size (a), ==, g_hash_table_size (b));
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      SiWireRecord *left = value;
      SiWireRecord *right = g_hash_table_lookup (b, key);

      g_assert_nonnull (right);
      g_assert_cmpint (left->version, ==, right->version);
      g_assert_cmpstr (left->uid, ==, right->uid);
      g_assert_true (si_wire_record_content_equal (left, right));
    }
}

/* ---------------------------------------------------------------------------------------- */
/* two instances, concurrent clients */

typedef struct {
  const char *urls[2];
  const char *token;
  gint64      shared_id;    /* an idea every writer edits (If-Match races) */
  guint       index;
  GHashTable *expected;     /* uid -> title, or "" when deleted (this writer's records) */
  guint       conflicts;    /* 412s met */
  gboolean    done;
} Writer;

static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;
  g_autoptr(SoupSession) session = new_session ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (SEED + w->index);
  g_autoptr(GPtrArray) uids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) versions = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint op = 0; op < OPS_PER_WRITER; op++)
    {
      const char *url = w->urls[g_rand_int_range (rand, 0, 2)];
      gint32 choice = g_rand_int_range (rand, 0, 100);

      if (choice < 45 || ids->len == 0)
        {
          /* A create, sometimes sent again through the other instance (a retry). */
          g_autofree char *uid = g_uuid_string_random ();
          g_autofree char *title = g_strdup_printf ("w%u op%u", w->index, op);
          g_autofree char *body = idea_json (uid, title);
          g_autoptr(Answer) a = http (session, url, "POST", "/api/v1/ideas", w->token, body, 0);
          gint64 id, version;

          g_assert_cmpuint (a->status, ==, 201);
          id = member_int (a, "id");
          version = member_int (a, "version");
          if (g_rand_int_range (rand, 0, 4) == 0)
            {
              const char *other = url == w->urls[0] ? w->urls[1] : w->urls[0];
              g_autoptr(Answer) again = http (session, other, "POST", "/api/v1/ideas", w->token, body, 0);

              g_assert_cmpuint (again->status, ==, 200);
              g_assert_cmpint (member_int (again, "id"), ==, id);
              g_assert_cmpint (member_int (again, "version"), ==, version);
            }
          g_ptr_array_add (uids, g_strdup (uid));
          g_array_append_val (ids, id);
          g_array_append_val (versions, version);
          g_hash_table_replace (w->expected, g_strdup (uid), g_strdup (title));
        }
      else if (choice < 80)
        {
          /* An edit of one of its own ideas. */
          guint i = (guint) g_rand_int_range (rand, 0, (gint32) ids->len);
          const char *uid = g_ptr_array_index (uids, i);
          g_autofree char *title = g_strdup_printf ("w%u op%u edited", w->index, op);
          g_autofree char *body = idea_json (uid, title);
          g_autofree char *path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, g_array_index (ids, gint64, i));
          g_autoptr(Answer) a = NULL;

          if (g_str_equal (g_hash_table_lookup (w->expected, uid), ""))
            continue;  /* deleted */
          a = http (session, url, "PUT", path, w->token, body, g_array_index (versions, gint64, i));
          g_assert_cmpuint (a->status, ==, 200);
          g_array_index (versions, gint64, i) = member_int (a, "version");
          g_hash_table_replace (w->expected, g_strdup (uid), g_strdup (title));
        }
      else if (choice < 90)
        {
          /* The shared idea: a race on If-Match with the other writers; retry on 412 with the
           * current version, as a client does after merging. */
          g_autofree char *path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, w->shared_id);
          g_autoptr(Answer) current = http (session, url, "GET", path, w->token, NULL, 0);
          gint64 base = member_int (current, "version");
          const char *uid = json_object_get_string_member (json_node_get_object (current->json), "uid");
          g_autofree char *title = g_strdup_printf ("shared by w%u", w->index);
          g_autofree char *body = idea_json (uid, title);

          for (guint attempt = 0; attempt < 50; attempt++)
            {
              g_autoptr(Answer) a = http (session, w->urls[attempt % 2], "PUT", path, w->token, body, base);
              JsonObject *problem;

              if (a->status == 200)
                break;
              g_assert_cmpuint (a->status, ==, 412);
              w->conflicts++;
              problem = json_node_get_object (a->json);
              base = json_object_get_int_member (json_object_get_object_member (problem, "current"), "version");
            }
        }
      else
        {
          /* A delete of one of its own ideas. */
          guint i = (guint) g_rand_int_range (rand, 0, (gint32) ids->len);
          const char *uid = g_ptr_array_index (uids, i);
          g_autofree char *path = g_strdup_printf ("/api/v1/ideas/%" G_GINT64_FORMAT, g_array_index (ids, gint64, i));
          g_autoptr(Answer) a = http (session, url, "DELETE", path, w->token, NULL, g_array_index (versions, gint64, i));

          g_assert_cmpuint (a->status, ==, 200);
          g_array_index (versions, gint64, i) = member_int (a, "version");
          g_hash_table_replace (w->expected, g_strdup (uid), g_strdup (""));
        }
    }
  g_atomic_int_set (&w->done, TRUE);
  return NULL;
}

typedef struct {
  const char *urls[2];
  const char *token;
  Writer     *writers;
  GHashTable *seen;    /* id -> SiWireRecord, applied in feed order */
  guint       polls;
} Reader;

static gboolean
writers_done (Reader *r)
{
  for (guint i = 0; i < N_WRITERS; i++)
    if (!g_atomic_int_get (&r->writers[i].done))
      return FALSE;
  return TRUE;
}

/* Pages through /changes with since= while the writers write, through either instance, as an
 * incremental sync does: whatever it saw must end up equal to the final state. */
static gpointer
reader_thread (gpointer data)
{
  Reader *r = data;
  g_autoptr(SoupSession) session = new_session ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (SEED - 1);
  gint64 cursor = 0, last = 0;
  gboolean final = FALSE;

  while (TRUE)
    {
      gboolean more = TRUE;

      /* One last full drain after the writers are done. */
      final = writers_done (r);
      while (more)
        {
          g_autofree char *path = g_strdup_printf ("/api/v1/changes?since=%" G_GINT64_FORMAT "&limit=%d",
                                                   cursor, g_rand_int_range (rand, 1, 20));
          g_autoptr(Answer) a = http (session, r->urls[g_rand_int_range (rand, 0, 2)], "GET", path,
                                      r->token, NULL, 0);
          g_autoptr(SiWirePage) page = NULL;
          g_autoptr(GError) error = NULL;

          g_assert_cmpuint (a->status, ==, 200);
          page = si_wire_changes_from_json (a->json, &error);
          g_assert_no_error (error);
          for (guint i = 0; i < page->records->len; i++)
            {
              SiWireRecord *record = g_ptr_array_index (page->records, i);

              g_assert_cmpint (record->version, >, last);
              last = record->version;
              g_hash_table_replace (r->seen, g_memdup2 (&record->id, sizeof record->id),
                                    si_wire_record_copy (record));
            }
          cursor = page->cursor;
          more = page->more;
          r->polls++;
        }
      if (final)
        break;
    }
  return NULL;
}

static void
test_concurrent_clients (void)
{
  g_autoptr(SiTestServer) a = si_test_server_new (NULL);
  g_autoptr(SiTestServer) b = si_test_server_new (NULL);
  g_autoptr(SoupSession) session = new_session ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                      (GDestroyNotify) si_wire_record_free);
  g_autoptr(GHashTable) from_a = NULL;
  g_autoptr(GHashTable) from_b = NULL;
  g_autoptr(GHashTable) uids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *token = NULL;
  g_autofree char *shared_uid = g_uuid_string_random ();
  g_autofree char *shared_body = idea_json (shared_uid, "shared");
  Writer writers[N_WRITERS] = { 0 };
  GThread *threads[N_WRITERS];
  GThread *reader_id;
  Reader reader = { 0 };
  guint live = 0, expected_live = 0, conflicts = 0;
  const char *args[] = { "--pool-size", "3", NULL };

  g_assert_nonnull (si_test_server_get_database (a));
  si_test_server_set_database (b, si_test_server_get_database (a));
  si_test_server_add_user (a, "alice", PASSWORD);
  si_test_server_set_args (a, args);
  si_test_server_set_args (b, args);
  si_test_server_start (a);
  si_test_server_start (b);

  /* One database: one instance id, and a token made by one instance works on the other. */
  {
    g_autoptr(SiTestResponse) info_a = si_test_server_request (a, "GET", "/api/v1/info", NULL, NULL, NULL);
    g_autoptr(SiTestResponse) info_b = si_test_server_request (b, "GET", "/api/v1/info", NULL, NULL, NULL);

    g_assert_cmpstr (si_test_response_get_string (info_a, "instance_id"), ==,
                     si_test_response_get_string (info_b, "instance_id"));
  }
  token = si_test_server_login (b, "alice", PASSWORD);
  {
    g_autoptr(Answer) shared = http (session, si_test_server_get_url (a), "POST", "/api/v1/ideas", token,
                                     shared_body, 0);
    g_assert_cmpuint (shared->status, ==, 201);
    for (guint i = 0; i < N_WRITERS; i++)
      writers[i].shared_id = member_int (shared, "id");
  }

  reader.urls[0] = si_test_server_get_url (a);
  reader.urls[1] = si_test_server_get_url (b);
  reader.token = token;
  reader.writers = writers;
  reader.seen = seen;
  for (guint i = 0; i < N_WRITERS; i++)
    {
      writers[i].urls[0] = si_test_server_get_url (a);
      writers[i].urls[1] = si_test_server_get_url (b);
      writers[i].token = token;
      writers[i].index = i;
      writers[i].expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    }
  reader_id = g_thread_new ("reader", reader_thread, &reader);
  for (guint i = 0; i < N_WRITERS; i++)
    threads[i] = g_thread_new ("writer", writer_thread, &writers[i]);
  for (guint i = 0; i < N_WRITERS; i++)
    g_thread_join (threads[i]);
  g_thread_join (reader_id);

  /* Both instances give the same feed; the reader, paging while the writers wrote, saw exactly
   * that: nothing skipped, nothing stale. */
  from_a = read_feed (session, si_test_server_get_url (a), token, 1000);
  from_b = read_feed (session, si_test_server_get_url (b), token, 37);
  assert_same_records (from_a, from_b);
  assert_same_records (from_a, seen);
  g_test_message ("%u records, %u polls by the reader", g_hash_table_size (seen), reader.polls);

  /* Nothing lost, nothing duplicated: each writer's records are there once, as it left them. */
  {
    GHashTableIter iter;
    SiWireRecord *record;

    g_hash_table_iter_init (&iter, from_a);
    while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &record))
      {
        g_assert_false (g_hash_table_contains (uids, record->uid));
        g_hash_table_add (uids, record->uid);
        if (!record->deleted)
          live++;
      }
  }
  for (guint i = 0; i < N_WRITERS; i++)
    {
      GHashTableIter iter;
      const char *uid, *title;

      conflicts += writers[i].conflicts;
      g_hash_table_iter_init (&iter, writers[i].expected);
      while (g_hash_table_iter_next (&iter, (gpointer *) &uid, (gpointer *) &title))
        {
          SiWireRecord *record = NULL;
          GHashTableIter all;
          SiWireRecord *candidate;

          g_hash_table_iter_init (&all, from_a);
          while (g_hash_table_iter_next (&all, NULL, (gpointer *) &candidate))
            if (g_str_equal (candidate->uid, uid))
              record = candidate;
          g_assert_nonnull (record);
          if (title[0] == '\0')
            g_assert_true (record->deleted);
          else
            {
              g_assert_false (record->deleted);
              g_assert_cmpstr (record->title, ==, title);
              expected_live++;
            }
        }
      g_hash_table_unref (writers[i].expected);
    }
  g_assert_cmpuint (live, ==, expected_live + 1);  /* + the shared idea */
  g_test_message ("%u live ideas, %u If-Match conflicts resolved", live, conflicts);
}

/* The same create reaching both instances at the same moment: one record (the unique
 * constraint decides), 201 for one and 200 for the other, the same id. */
typedef struct {
  const char *url;
  const char *token;
  const char *body;
  GMutex     *mutex;
  GCond      *cond;
  gboolean   *go;
  guint       status;
  gint64      id;
} SameCreate;

static gpointer
same_create_thread (gpointer data)
{
  SameCreate *c = data;
  g_autoptr(SoupSession) session = new_session ();
  g_autoptr(Answer) warm = http (session, c->url, "GET", "/api/v1/info", NULL, NULL, 0);
  g_autoptr(Answer) a = NULL;

  g_mutex_lock (c->mutex);
  while (!*c->go)
    g_cond_wait (c->cond, c->mutex);
  g_mutex_unlock (c->mutex);
  a = http (session, c->url, "POST", "/api/v1/ideas", c->token, c->body, 0);
  c->status = a->status;
  c->id = a->status < 300 ? member_int (a, "id") : 0;
  return NULL;
}

static void
test_same_create (void)
{
  g_autoptr(SiTestServer) a = si_test_server_new (NULL);
  g_autoptr(SiTestServer) b = si_test_server_new (NULL);
  g_autoptr(SoupSession) session = new_session ();
  g_autoptr(GHashTable) all = NULL;
  g_autofree char *token = NULL;
  GMutex mutex;
  GCond cond;

  si_test_server_set_database (b, si_test_server_get_database (a));
  si_test_server_add_user (a, "alice", PASSWORD);
  si_test_server_start (a);
  si_test_server_start (b);
  token = si_test_server_login (a, "alice", PASSWORD);
  g_mutex_init (&mutex);
  g_cond_init (&cond);

  for (guint round = 0; round < SAME_CREATE_ROUNDS; round++)
    {
      g_autofree char *uid = g_uuid_string_random ();
      g_autofree char *body = idea_json (uid, "twice");
      gboolean go = FALSE;
      SameCreate c[2] = {
        { si_test_server_get_url (a), token, body, &mutex, &cond, &go, 0, 0 },
        { si_test_server_get_url (b), token, body, &mutex, &cond, &go, 0, 0 },
      };
      GThread *t0 = g_thread_new ("create-a", same_create_thread, &c[0]);
      GThread *t1 = g_thread_new ("create-b", same_create_thread, &c[1]);

      g_usleep (20 * 1000);
      g_mutex_lock (&mutex);
      go = TRUE;
      g_cond_broadcast (&cond);
      g_mutex_unlock (&mutex);
      g_thread_join (t0);
      g_thread_join (t1);

      g_assert_cmpint (c[0].id, >, 0);
      g_assert_cmpint (c[0].id, ==, c[1].id);
      g_assert_cmpuint (MIN (c[0].status, c[1].status), ==, 200);
      g_assert_cmpuint (MAX (c[0].status, c[1].status), ==, 201);
    }
  g_mutex_clear (&mutex);
  g_cond_clear (&cond);

  all = read_feed (session, si_test_server_get_url (b), token, 1000);
  g_assert_cmpuint (g_hash_table_size (all), ==, SAME_CREATE_ROUNDS);
}

/* ---------------------------------------------------------------------------------------- */
/* the database goes away */

static char *
database_name (const char *uri)
{
  PQconninfoOption *options = PQconninfoParse (uri, NULL);
  char *name = NULL;

  for (PQconninfoOption *o = options; o != NULL && o->keyword != NULL; o++)
    if (g_str_equal (o->keyword, "dbname"))
      name = g_strdup (o->val);
  PQconninfoFree (options);
  g_assert_nonnull (name);
  return name;
}

/* Ends the server's connections to @database, as a database restart or a network cut would. */
static void
terminate_backends (const char *database)
{
  g_autofree char *sql = NULL;
  g_autofree char *dbname = database_name (database);

  sql = g_strdup_printf ("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                         " WHERE datname = '%s' AND application_name = 'saveidea-server'", dbname);
  si_test_server_pg_exec (si_test_server_pg_admin_uri (), sql);
}

static void
allow_connections (const char *database,
                   gboolean    allow)
{
  g_autofree char *sql = NULL;
  g_autofree char *dbname = database_name (database);

  sql = g_strdup_printf ("ALTER DATABASE %s WITH ALLOW_CONNECTIONS %s", dbname, allow ? "true" : "false");
  si_test_server_pg_exec (si_test_server_pg_admin_uri (), sql);
}

typedef struct {
  const char *url;
  const char *token;
  char       *body;
  guint       status;
} BatchRun;

static gpointer
batch_thread (gpointer data)
{
  BatchRun *run = data;
  g_autoptr(SoupSession) session = new_session ();
  g_autoptr(Answer) a = http (session, run->url, "POST", "/api/v1/batch", run->token, run->body, 0);

  run->status = a->status;
  return NULL;
}

static char *
batch_of_creates (guint       count,
                  const char *prefix,
                  GPtrArray  *out_uids)
{
  GString *body = g_string_new ("{\"operations\":[");

  for (guint i = 0; i < count; i++)
    {
      g_autofree char *uid = g_uuid_string_random ();
      g_autofree char *title = g_strdup_printf ("%s %u", prefix, i);
      g_autofree char *record = idea_json (uid, title);

      g_string_append_printf (body, "%s{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":%s}",
                              i ? "," : "", record);
      g_ptr_array_add (out_uids, g_steal_pointer (&uid));
    }
  g_string_append (body, "]}");
  return g_string_free (body, FALSE);
}

static guint
count_uids (GHashTable *records,
            GPtrArray  *uids)
{
  g_autoptr(GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  SiWireRecord *record;
  guint found = 0;

  for (guint i = 0; i < uids->len; i++)
    g_hash_table_add (wanted, g_ptr_array_index (uids, i));
  g_hash_table_iter_init (&iter, records);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &record))
    if (g_hash_table_contains (wanted, record->uid))
      found++;
  return found;
}

static void
test_lost_connection (void)
{
  g_autoptr(SiTestServer) server = si_test_server_new (NULL);
  g_autoptr(SoupSession) session = new_session ();
  g_autofree char *token = NULL;
  const char *database;
  const char *args[] = { "--pool-size", "2", NULL };
  gint64 deadline;
  guint unavailable = 0;

  database = si_test_server_get_database (server);
  si_test_server_add_user (server, "alice", PASSWORD);
  si_test_server_set_args (server, args);
  si_test_server_start (server);
  token = si_test_server_login (server, "alice", PASSWORD);

  /* Connections cut while idle: the server notices and reconnects; the client sees nothing. */
  terminate_backends (database);
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(Answer) a = http (session, si_test_server_get_url (server), "GET", "/api/v1/changes",
                                  token, NULL, 0);
      g_assert_cmpuint (a->status, ==, 200);
    }

  /* The database refuses connections: 503 with Retry-After, never a crash. */
  allow_connections (database, FALSE);
  terminate_backends (database);
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *uid = g_uuid_string_random ();
      g_autofree char *body = idea_json (uid, "while down");
      g_autoptr(Answer) get = http (session, si_test_server_get_url (server), "GET", "/api/v1/ideas",
                                    token, NULL, 0);
      g_autoptr(Answer) post = http (session, si_test_server_get_url (server), "POST", "/api/v1/ideas",
                                     token, body, 0);

      g_assert_cmpuint (get->status, ==, 503);
      g_assert_cmpuint (post->status, ==, 503);
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (post->json), "error"), ==,
                       "unavailable");
      g_assert_nonnull (get->retry_after);
      g_assert_cmpint (g_ascii_strtoll (get->retry_after, NULL, 10), >=, 1);
      g_assert_cmpint (g_ascii_strtoll (post->retry_after, NULL, 10), <=, 10);
      unavailable += 2;
    }
  g_assert_true (si_test_server_is_running (server));

  /* Back: within the backoff (at most 10 s), everything works again. */
  allow_connections (database, TRUE);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (TRUE)
    {
      g_autoptr(Answer) a = http (session, si_test_server_get_url (server), "GET", "/api/v1/changes",
                                  token, NULL, 0);
      if (a->status == 200)
        break;
      g_assert_cmpuint (a->status, ==, 503);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (100 * 1000);
    }
  /* None of the creates refused with 503 was stored. */
  {
    g_autoptr(GHashTable) all = read_feed (session, si_test_server_get_url (server), token, 1000);
    g_assert_cmpuint (g_hash_table_size (all), ==, 0);
  }

  /* Connections cut in the middle of batches. A batch is committed in steps of at most
   * SI_SERVER_STORAGE_TX_ROWS (500) rows, one per create here: each step is all there or not at
   * all, and sending the same batch again stores the rest and nothing twice. */
  for (guint round = 0; round < 6; round++)
    {
      g_autoptr(GPtrArray) uids = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *prefix = g_strdup_printf ("round %u", round);
      BatchRun run = { si_test_server_get_url (server), token, batch_of_creates (1000, prefix, uids), 0 };
      g_autoptr(GHashTable) all = NULL;
      GThread *thread = g_thread_new ("batch", batch_thread, &run);
      guint found;

      g_usleep ((gulong) (20 + 40 * round) * 1000);
      terminate_backends (database);
      g_thread_join (thread);

      /* The next requests may meet the connections cut and get 503 until they are back. */
      deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
      while (TRUE)
        {
          g_autoptr(Answer) a = http (session, si_test_server_get_url (server), "GET", "/api/v1/info",
                                      NULL, NULL, 0);
          g_autoptr(Answer) b = http (session, si_test_server_get_url (server), "GET", "/api/v1/changes?limit=1",
                                      token, NULL, 0);
          if (a->status == 200 && b->status == 200)
            break;
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_usleep (100 * 1000);
        }
      all = read_feed (session, si_test_server_get_url (server), token, 1000);
      found = count_uids (all, uids);
      g_test_message ("batch %u: status %u, %u of 1000 stored", round, run.status, found);
      /* A 503 is whole steps too: a COMMIT may have landed just before the cut. */
      g_assert_true (run.status == 200 || run.status == 503);
      g_assert_true (found == 0 || found == 500 || found == 1000);
      if (run.status == 200)
        g_assert_cmpuint (found, ==, 1000);
      else
        {
          /* What the client does on its next sync: the same batch again. */
          g_autoptr(Answer) again = http (session, si_test_server_get_url (server), "POST", "/api/v1/batch",
                                          token, run.body, 0);
          g_autoptr(GHashTable) after = NULL;

          g_assert_cmpuint (again->status, ==, 200);
          after = read_feed (session, si_test_server_get_url (server), token, 1000);
          g_assert_cmpuint (count_uids (after, uids), ==, 1000);
        }
      g_free (run.body);
    }
  g_assert_true (si_test_server_is_running (server));
  g_assert_cmpint (si_test_server_stop (server, SIGTERM), ==, 0);
  g_test_message ("%u answers were 503 while the database was away", unavailable);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  if (si_test_server_pg_admin_uri () == NULL)
    g_error ("test-instances needs PostgreSQL: run it with SAVEIDEA_TEST_POSTGRESQL=1 (meson test does)");

  g_test_add_func ("/instances/concurrent-clients", test_concurrent_clients);
  g_test_add_func ("/instances/same-create", test_same_create);
  g_test_add_func ("/instances/lost-connection", test_lost_connection);

  return g_test_run ();
}
