/* test-sync-slim.c — slim batch answers (`Prefer: return=minimal`, docs/protocol.md).
 *
 * A client asks for them on every batch; a server that honours them leaves out the records it
 * stored as sent, and the client rebuilds them: the notebook must come out byte for byte as
 * with full answers. Older servers (full answers) and older clients (never ask) keep working,
 * and a slim answer the client did not ask for is refused with nothing recorded. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "si-store-private.h"
#include "si-sync-engine.h"
#include "si-test-fake-server.h"
#include "si-test-server.h"
#include "si-test-sync.h"
#include "si-wire.h"

#define PASSWORD "correct horse battery"
#define FULL_ANSWERS "SAVEIDEA_SYNC_TEST_FULL_ANSWERS"

/* A server with alice, started with the environment variable @name set to @value for it only. */
static Server *
server_with_env (const char *name,
                 const char *value)
{
  Server *s = g_new0 (Server, 1);

  s->server = si_test_server_new (NULL);
  si_test_server_add_user (s->server, "alice", PASSWORD);
  if (name != NULL)
    g_setenv (name, value, TRUE);
  si_test_server_start (s->server);
  if (name != NULL)
    g_unsetenv (name);
  s->token = si_test_server_login (s->server, "alice", PASSWORD);
  return s;
}

/* Every record's sync bookkeeping and base text, as one text. */
static char *
notebook_state (SiStore *store)
{
  sqlite3 *db = _si_store_get_db (store);
  sqlite3_stmt *stmt = NULL;
  GString *out = g_string_new (NULL);
  guint bases = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT 't', uid, sid, version, state, sync_error, base FROM tags"
                                       " UNION ALL SELECT 'i', uid, sid, version, state, sync_error, base FROM ideas"
                                       " ORDER BY 1, 2", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      for (int c = 0; c < 7; c++)
        g_string_append_printf (out, "%s|", sqlite3_column_type (stmt, c) == SQLITE_NULL ? "NULL"
                                            : (const char *) sqlite3_column_text (stmt, c));
      g_string_append_c (out, '\n');
      bases += sqlite3_column_type (stmt, 6) != SQLITE_NULL;
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (bases, >, 0);
  return g_string_free (out, FALSE);
}

/* @store's notebook copied to @name.db, opened. */
static SiStore *
copy_store (SiStore    *store,
            const char *name)
{
  g_autofree char *file = g_strconcat (name, ".db", NULL);
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), file, NULL);
  g_autofree char *sql = g_strdup_printf ("VACUUM INTO '%s'", path);

  g_unlink (path);
  g_assert_cmpint (sqlite3_exec (_si_store_get_db (store), sql, NULL, NULL, NULL), ==, SQLITE_OK);
  return open_store (name);
}

static guint
count_unsynced (SiStore *store)
{
  sqlite3_stmt *stmt = NULL;
  guint n;

  g_assert_cmpint (sqlite3_prepare_v2 (_si_store_get_db (store),
                                       "SELECT (SELECT count(*) FROM ideas WHERE sid IS NULL OR base IS NULL)"
                                       " + (SELECT count(*) FROM tags WHERE sid IS NULL OR base IS NULL)",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = (guint) sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

/* A notebook with tags, ideas with tags, text that needs escapes, and a uid in capitals (the
 * server stores it in lower case: a full answer says so, a slim one must be rebuilt so). */
static SiStore *
make_notebook (void)
{
  static const char * const two[] = { "home", "Work", NULL };
  static const char * const one[] = { "home", NULL };
  SiStore *store = open_store ("x");
  g_autoptr(SiIdea) a = add_idea (store, "Tea \"green\" \u00e9", "line\none\t\\ \x1f \u2028 end", two);
  g_autoptr(SiIdea) b = add_idea (store, "", "", one);
  g_autoptr(SiIdea) c = add_idea (store, "Only a title", "", NULL);

  add_many (store, 40, "Note");
  g_assert_cmpint (sqlite3_exec (_si_store_get_db (store),
                                 "UPDATE ideas SET uid = upper(uid) WHERE id = (SELECT max(id) FROM ideas)",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  return store;
}

/* A proxy in front of a real server: counts the batches that ask for slim answers and those
 * answered slim, and (@add_prefer) asks for them itself, as a hostile server would answer. */
typedef struct {
  const char *target;
  gboolean    add_prefer;
  int         asked;
  int         applied;
} Proxy;

static void
proxy_handle (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  Proxy *p = user_data;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) out = si_test_forward_request (msg, p->target, NULL);
  SoupMessageHeaders *in = soup_server_message_get_request_headers (msg);
  gboolean batch = g_str_has_suffix (path, "/batch");
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;

  if (batch && si_wire_prefer_return_minimal (soup_message_headers_get_list (in, SI_WIRE_PREFER_HEADER)))
    g_atomic_int_inc (&p->asked);
  if (batch && p->add_prefer)
    soup_message_headers_replace (soup_message_get_request_headers (out), SI_WIRE_PREFER_HEADER, SI_WIRE_PREFER_MINIMAL);
  /* This handler runs in the fake server's own thread, which may wait. */
  answer = soup_session_send_and_read (session, out, NULL, &error);
  g_assert_no_error (error);
  if (batch && g_strcmp0 (soup_message_headers_get_one (soup_message_get_response_headers (out),
                                                        SI_WIRE_PREFERENCE_APPLIED_HEADER), SI_WIRE_PREFER_MINIMAL) == 0)
    g_atomic_int_inc (&p->applied);
  si_test_forward_answer (msg, out, answer, NULL);
}

/* A counting proxy in front of @s, and its url. */
typedef struct {
  Proxy             proxy;
  SiTestFakeServer *fake;
  Server           *s;
} Front;

static Front *
front_new (Server *s)
{
  Front *front = g_new0 (Front, 1);

  front->s = s;
  front->proxy.target = si_test_server_get_url (s->server);
  front->fake = si_test_fake_server_start (proxy_handle, &front->proxy);
  return front;
}

static void
front_free (Front *front)
{
  si_test_fake_server_stop (front->fake);
  g_free (front);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Front, front_free)

/* Pushes @store through @front (@full: without asking for slim answers); the batches that
 * asked and those answered slim. */
static void
push_counted (Front    *front,
              SiStore  *store,
              gboolean  full,
              int      *out_asked,
              int      *out_applied)
{
  g_autoptr(SiSyncEngine) engine = si_sync_engine_new (store, si_test_fake_server_get_url (front->fake), front->s->token);
  g_autoptr(GError) error = NULL;
  SiSyncReport report;

  g_atomic_int_set (&front->proxy.asked, 0);
  g_atomic_int_set (&front->proxy.applied, 0);
  if (full)
    g_setenv (FULL_ANSWERS, "1", TRUE);
  run_sync (engine, SI_SYNC_MODE_PUSH, NULL, &report, &error);
  g_unsetenv (FULL_ANSWERS);
  g_assert_no_error (error);
  *out_asked = g_atomic_int_get (&front->proxy.asked);
  *out_applied = g_atomic_int_get (&front->proxy.applied);
}

/* The same upload, and then the same edits, answered slim and in full: the same notebook. */
static void
test_same_notebooks (void)
{
  g_autoptr(Server) slim_server = server_new ();
  g_autoptr(Server) full_server = server_new ();
  g_autoptr(Front) slim_front = front_new (slim_server);
  g_autoptr(Front) full_front = front_new (full_server);
  g_autoptr(SiStore) x = make_notebook ();
  g_autoptr(SiStore) slim = copy_store (x, "slim");
  g_autoptr(SiStore) full = copy_store (x, "full");
  g_autoptr(SiStore) full_again = NULL;
  g_autofree char *slim_state = NULL;
  g_autofree char *full_state = NULL;
  g_autoptr(GError) error = NULL;
  int asked = 0, applied = 0;

  push_counted (slim_front, slim, FALSE, &asked, &applied);
  g_assert_cmpint (asked, >=, 2);            /* the tags, then the ideas */
  g_assert_cmpint (applied, ==, asked);
  push_counted (full_front, full, TRUE, &asked, &applied);
  g_assert_cmpint (asked, ==, 0);
  g_assert_cmpint (applied, ==, 0);
  g_assert_cmpuint (count_unsynced (slim), ==, 0);
  slim_state = notebook_state (slim);
  full_state = notebook_state (full);
  g_assert_cmpstr (slim_state, ==, full_state);
  /* Taken as sent, slim or not: every record its own base (SI_SYNC_OWN_BASE), no base text. */
  g_assert_null (strstr (slim_state, "\"uid\":\""));

  /* Updates (PUT): edited once, the edited notebook copied for the full side (both servers
   * hold the same records under the same ids). */
  for (guint i = 0; i < 40; i += 3)
    {
      g_autofree char *title = g_strdup_printf ("Note %u", i);
      g_autofree char *edited = g_strdup_printf ("Note %u (edited)", i);
      g_autoptr(SiIdea) idea = find_by_title (slim, title);

      g_assert_nonnull (idea);
      si_idea_set_title (idea, edited);
      si_idea_set_body (idea, "new \"body\"\n");
      si_idea_set_pinned (idea, TRUE);
      save (slim, idea);
    }
  full_again = copy_store (slim, "full-again");
  {
    g_autofree char *instance = _si_store_sync_dup_instance_id (full);

    g_assert_true (_si_store_sync_set_instance_id (full_again, instance, &error));
    g_assert_no_error (error);
  }
  push_counted (slim_front, slim, FALSE, &asked, &applied);
  g_assert_cmpint (applied, >=, 1);
  push_counted (full_front, full_again, TRUE, &asked, &applied);
  g_clear_pointer (&slim_state, g_free);
  g_clear_pointer (&full_state, g_free);
  g_assert_cmpuint (count_unsynced (slim), ==, 0);
  slim_state = notebook_state (slim);
  full_state = notebook_state (full_again);
  g_assert_cmpstr (slim_state, ==, full_state);
  /* The edits taken as sent too: their own bases again. */
  g_assert_null (strstr (slim_state, "\"uid\":\""));
  g_assert_cmpuint (server_count (slim_server, "ideas", TRUE), ==, 43);
}

/* The server's side: slim only when asked, and only for ideas stored as sent. */
static void
test_server_answers (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(Server) old = server_with_env ("SAVEIDEA_SERVER_TEST_NO_MINIMAL", "1");
  const char *batch =
    "{\"operations\":["
    "{\"method\":\"POST\",\"collection\":\"tags\",\"record\":{\"uid\":\"0190c0de-0000-7000-8000-000000000001\","
    "\"name\":\"home\",\"colour\":\"\",\"created_at\":\"2024-01-01T00:00:00.000Z\",\"updated_at\":\"2024-01-01T00:00:00.000Z\"}},"
    "{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":{\"uid\":\"0190c0de-0000-7000-8000-000000000002\","
    "\"title\":\"a\",\"body\":\"b\",\"pinned\":false,\"tags\":[],\"created_at\":\"2024-01-01T00:00:00.000Z\","
    "\"updated_at\":\"2024-01-01T00:00:00.000Z\",\"device\":\"laptop\"}},"
    "{\"method\":\"POST\",\"collection\":\"ideas\",\"record\":{\"uid\":\"0190C0DE-0000-7000-8000-000000000003\","
    "\"title\":\"c\",\"body\":\"\",\"pinned\":true,\"tags\":[],\"created_at\":\"2024-01-01T00:00:00.000Z\","
    "\"updated_at\":\"2024-01-01T00:00:00.000Z\"}},"
    "{\"method\":\"DELETE\",\"collection\":\"ideas\",\"id\":999,\"if_match\":1}"
    "]}";
  g_autoptr(SiTestResponse) asked = si_test_server_request (s->server, "POST", "/api/v1/batch", s->token, batch,
                                                            "Prefer", "respond-async, return=minimal", NULL);
  g_autoptr(SiTestResponse) again = si_test_server_request (s->server, "POST", "/api/v1/batch", s->token, batch,
                                                            "Prefer", "return=minimal", NULL);
  g_autoptr(SiTestResponse) plain = si_test_server_request (old->server, "POST", "/api/v1/batch", old->token,
                                                            batch, NULL);
  g_autoptr(SiTestResponse) ignored = si_test_server_request (old->server, "POST", "/api/v1/batch", old->token,
                                                              batch, "Prefer", "return=minimal", NULL);
  g_autofree char *asked_text = g_strndup (g_bytes_get_data (asked->body, NULL), g_bytes_get_size (asked->body));
  g_autofree char *again_text = g_strndup (g_bytes_get_data (again->body, NULL), g_bytes_get_size (again->body));
  g_autofree char *plain_text = g_strndup (g_bytes_get_data (plain->body, NULL), g_bytes_get_size (plain->body));
  g_autofree char *ignored_text = g_strndup (g_bytes_get_data (ignored->body, NULL), g_bytes_get_size (ignored->body));

  g_assert_cmpuint (asked->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_one (asked->headers, SI_WIRE_PREFERENCE_APPLIED_HEADER), ==,
                   SI_WIRE_PREFER_MINIMAL);
  /* The tag in full (its name could have been normalised), the ideas slim (the one with a uid
   * in capitals too: read in lower case, as the client rebuilds it), the failure as ever. */
  g_assert_true (g_str_has_prefix (asked_text, "{\"results\":[{\"status\":201,\"record\":{\"id\":1,"));
  g_assert_nonnull (strstr (asked_text, "{\"status\":201,\"id\":2,\"version\":2},"
                                        "{\"status\":201,\"id\":3,\"version\":3},"));
  g_assert_nonnull (strstr (asked_text, "{\"status\":404,\"error\":\"not_found\""));
  /* A repeated create stored as sent: slim too. */
  g_assert_nonnull (strstr (again_text, "{\"status\":200,\"id\":2,\"version\":2}"));

  /* An old client (no Prefer) and an old server: in full, no Preference-Applied. */
  g_assert_cmpuint (plain->status, ==, 200);
  g_assert_null (soup_message_headers_get_one (plain->headers, SI_WIRE_PREFERENCE_APPLIED_HEADER));
  g_assert_null (soup_message_headers_get_one (ignored->headers, SI_WIRE_PREFERENCE_APPLIED_HEADER));
  g_assert_nonnull (strstr (plain_text, "{\"status\":201,\"record\":{\"id\":2,"));
  g_assert_nonnull (strstr (ignored_text, "{\"status\":200,\"record\":{\"id\":2,"));
  g_assert_null (strstr (plain_text, "\"status\":201,\"id\""));
  g_assert_null (strstr (ignored_text, "\"status\":200,\"id\""));
}

/* A server that ignores the header (from before slim answers): full answers, the same notebook. */
static void
test_old_server (void)
{
  g_autoptr(Server) old = server_with_env ("SAVEIDEA_SERVER_TEST_NO_MINIMAL", "1");
  g_autoptr(Server) s = server_new ();
  g_autoptr(Front) old_front = front_new (old);
  g_autoptr(Front) front = front_new (s);
  g_autoptr(SiStore) x = make_notebook ();
  g_autoptr(SiStore) a = copy_store (x, "a");
  g_autoptr(SiStore) b = copy_store (x, "b");
  g_autofree char *old_state = NULL;
  g_autofree char *new_state = NULL;
  int asked = 0, applied = 0;

  push_counted (old_front, a, FALSE, &asked, &applied);
  g_assert_cmpint (asked, >=, 2);
  g_assert_cmpint (applied, ==, 0);
  push_counted (front, b, FALSE, &asked, &applied);
  g_assert_cmpint (applied, >=, 2);
  g_assert_cmpuint (count_unsynced (a), ==, 0);
  old_state = notebook_state (a);
  new_state = notebook_state (b);
  g_assert_cmpstr (old_state, ==, new_state);
}

/* Slim answers the client did not ask for: refused, nothing recorded; the next sync, answered
 * as asked, finishes the job without a second copy of anything. */
static void
test_not_asked (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) store = make_notebook ();
  g_autofree char *before = NULL;
  Proxy proxy = { si_test_server_get_url (s->server), TRUE, 0, 0 };
  g_autoptr(SiTestFakeServer) fake = si_test_fake_server_start (proxy_handle, &proxy);
  g_autoptr(SiSyncEngine) hostile = si_sync_engine_new (store, si_test_fake_server_get_url (fake), s->token);
  g_autoptr(SiSyncEngine) engine = engine_for (s, store);
  g_autoptr(GError) error = NULL;
  SiSyncReport report;

  g_setenv (FULL_ANSWERS, "1", TRUE);
  g_assert_false (run_sync (hostile, SI_SYNC_MODE_PUSH, NULL, &report, &error));
  g_unsetenv (FULL_ANSWERS);
  g_assert_error (error, SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER);
  g_assert_nonnull (strstr (error->message, "leaves its record out, which was not asked for"));
  g_assert_cmpint (g_atomic_int_get (&proxy.asked), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&proxy.applied), >=, 1);
  /* The tags' batch (answered in full) is recorded; no idea is. */
  g_assert_cmpuint (count_unsynced (store), ==, 43);
  g_clear_pointer (&fake, si_test_fake_server_stop);

  sync_ok (engine, SI_SYNC_MODE_PUSH);
  g_assert_cmpuint (count_unsynced (store), ==, 0);
  g_assert_cmpuint (server_count (s, "ideas", TRUE), ==, 43);
  before = notebook_state (store);
  g_assert_nonnull (before);
}

int
main (int argc, char **argv)
{
  /* Only 127.0.0.1: no proxy (the GNOME resolver would want the desktop's GSettings schemas). */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/sync-slim/same-notebooks", test_same_notebooks);
  g_test_add_func ("/sync-slim/server-answers", test_server_answers);
  g_test_add_func ("/sync-slim/old-server", test_old_server);
  g_test_add_func ("/sync-slim/not-asked", test_not_asked);
  return g_test_run ();
}
