/* test-sync-faults.c — syncing through faults: a killed server, a misbehaving proxy in front of
 * the real saveidea-server (errors, cut connections, lost answers, an old server) and a fake
 * server whose change feed never ends. Nothing lost, nothing duplicated, no endless loop. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "si-account.h"
#include "si-store-private.h"
#include "si-sync-engine.h"
#include "si-sync-manager.h"
#include "si-test-fake-server.h"
#include "si-test-server.h"
#include "si-test-sync.h"

/* Tests ----------------------------------------------------------------------------------- */

static void
kill_after (SiSyncEngine *engine, GParamSpec *pspec, Server *s)
{
  if (si_sync_engine_get_progress_done (engine) >= 120 && si_test_server_is_running (s->server))
    si_test_server_signal (s->server, SIGKILL);
}

static void
test_killed_server (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiSyncEngine) ea = engine_for (s, a);
  g_autoptr(SiSyncEngine) again = NULL;
  g_autoptr(GError) error = NULL;
  SiSyncReport report;
  gulong id;

  add_many (a, 500, "Idea");
  si_sync_engine_set_batch_threshold (ea, 0);
  id = g_signal_connect (ea, "notify::progress-done", G_CALLBACK (kill_after), s);
  g_assert_false (run_sync (ea, SI_SYNC_MODE_INCREMENTAL, NULL, &report, &error));
  g_assert_error (error, SI_SYNC_ERROR, SI_SYNC_ERROR_NETWORK);
  g_assert_true (si_sync_error_is_retryable (error));
  g_signal_handler_disconnect (ea, id);
  si_test_server_wait (s->server);
  g_assert_cmpuint (report.pushed, >=, 120);
  g_assert_cmpuint (report.pushed, <, 500);
  g_assert_cmpuint (si_store_count_pending (a, NULL), ==, 500 - report.pushed);

  si_test_server_start (s->server);
  again = engine_for (s, a);
  report = sync_ok (again, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (si_store_count_pending (a, NULL), ==, 0);
  g_assert_cmpuint (server_count (s, "ideas", FALSE), ==, 500);
  g_assert_cmpuint (si_store_count_ideas (a, &(SiIdeaFilter) { 0, }, NULL), ==, 500);
}

/* A proxy in front of the real server that can misbehave -------------------------------- */

/* FAULT_LOSE_ANSWER: a write reaches the server, which applies it, but its answer is lost
 * (502): as when the client is killed or the connection drops at that moment.
 * FAULT_DROP_WRITES: reads go through, a write's connection is cut before it reaches the
 * server. */
typedef enum { FAULT_NONE, FAULT_500, FAULT_DROP, FAULT_MALFORMED, FAULT_SLOW, FAULT_LOSE_ANSWER,
               FAULT_DROP_WRITES } Fault;

typedef struct {
  SoupServer  *soup;
  SoupSession *session;
  char        *upstream;
  char        *url;
  Fault        fault;
  guint        requests;
  gboolean     old_server;   /* no GET /api/v1/changes, as before protocol additions */
  gboolean     no_device;    /* refuses a record's "device", as servers before it did */
  guint        with_device;  /* requests that carried one */
} Proxy;

/* The headers this proxy passes on, both ways: those of a server from before the protocol's
 * additions (no Saveidea-Features, no slim answers). */
static const char * const old_headers[] = { "Authorization", "If-Match", "ETag", NULL };

static gboolean
answer_in (SoupMessage *upstream, GBytes *answer, gpointer user_data)
{
  Proxy *proxy = user_data;

  return !(proxy->fault == FAULT_LOSE_ANSWER && !g_str_equal (soup_message_get_method (upstream), "GET"));
}

static void
proxy_handle (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer user_data)
{
  Proxy *proxy = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  proxy->requests++;
  if (proxy->old_server && g_str_equal (path, "/api/v1/changes"))
    {
      soup_server_message_set_status (msg, 404, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        "{\"error\":\"not_found\"}", 21);
      return;
    }
  if (proxy->no_device && body->length > 0)
    {
      g_autoptr(GBytes) sent = soup_message_body_flatten (body);

      if (g_strstr_len (g_bytes_get_data (sent, NULL), g_bytes_get_size (sent), "\"device\"") != NULL)
        {
          static const char refusal[] = "{\"error\":\"invalid_field\",\"message\":\"device is unknown\"}";

          proxy->with_device++;
          soup_server_message_set_status (msg, 400, NULL);
          soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, refusal, strlen (refusal));
          return;
        }
    }
  switch (proxy->fault)
    {
    case FAULT_500:
      soup_server_message_set_status (msg, 500, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{}", 2);
      return;
    case FAULT_MALFORMED:
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{\"records\": [tr", 15);
      return;
    case FAULT_DROP_WRITES:
      if (g_str_equal (soup_server_message_get_method (msg), "GET"))
        break;
      G_GNUC_FALLTHROUGH;
    case FAULT_DROP:
      {
        GIOStream *stream = soup_server_message_steal_connection (msg);
        g_io_stream_close (stream, NULL, NULL);
        g_object_unref (stream);
        return;
      }
    case FAULT_NONE:
    case FAULT_SLOW:
    case FAULT_LOSE_ANSWER:
    default:
      break;
    }

  si_test_forward_async (proxy->session, msg, si_test_forward_request (msg, proxy->upstream, old_headers),
                         proxy->fault == FAULT_SLOW ? 300 : 0, old_headers, answer_in, proxy, NULL);
}

static Proxy *
proxy_new (const char *upstream)
{
  Proxy *proxy = g_new0 (Proxy, 1);

  proxy->soup = soup_server_new (NULL, NULL);
  proxy->session = soup_session_new ();
  proxy->upstream = g_strdup (upstream);
  soup_server_add_handler (proxy->soup, NULL, proxy_handle, proxy, NULL);
  proxy->url = si_test_listen_local (proxy->soup);
  return proxy;
}

static void
proxy_free (Proxy *proxy)
{
  soup_server_disconnect (proxy->soup);
  g_object_unref (proxy->soup);
  g_object_unref (proxy->session);
  g_free (proxy->upstream);
  g_free (proxy->url);
  g_free (proxy);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Proxy, proxy_free)

static void
test_faults (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(Proxy) proxy = proxy_new (si_test_server_get_url (s->server));
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiStore) b = open_store ("b");
  g_autoptr(SiSyncEngine) ea = si_sync_engine_new (a, proxy->url, s->token);
  g_autoptr(SiSyncEngine) eb = engine_for (s, b);
  static const Fault faults[] = { FAULT_500, FAULT_DROP, FAULT_MALFORMED };
  SiSyncReport report;

  add_many (a, 20, "Idea");
  for (guint i = 0; i < G_N_ELEMENTS (faults); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SiIdea) extra = NULL;
      g_autofree char *title = g_strdup_printf ("Written during fault %u", i);

      proxy->fault = faults[i];
      g_assert_false (run_sync (ea, SI_SYNC_MODE_INCREMENTAL, NULL, NULL, &error));
      g_assert_true (si_sync_error_is_retryable (error));
      extra = add_idea (a, title, "", NULL);
      g_assert_cmpuint (si_store_count_pending (a, NULL), ==, 21 + i);
    }
  proxy->fault = FAULT_SLOW;
  report = sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.pushed, ==, 23);
  g_assert_cmpuint (si_store_count_pending (a, NULL), ==, 0);
  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  {
    g_autofree char *da = dump (a), *db = dump (b);
    g_assert_cmpstr (da, ==, db);
  }
  g_assert_cmpuint (server_count (s, "ideas", TRUE), ==, 23);
}

/* A server without GET /changes (and without the instance header, through this proxy): the
 * engine pulls collection by collection and asks GET /info who it is, as it did before. */
static void
test_old_server (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(Proxy) proxy = proxy_new (si_test_server_get_url (s->server));
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiStore) b = open_store ("b");
  g_autoptr(SiSyncEngine) ea = engine_for (s, a);
  g_autoptr(SiSyncEngine) eb = si_sync_engine_new (b, proxy->url, s->token);
  g_autoptr(SiIdea) idea = add_idea (a, "Old", "server", (const char *[]) { "legacy", NULL });
  g_autofree char *da = NULL, *db = NULL;
  SiSyncReport report;

  proxy->old_server = TRUE;
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  report = sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  /* changes (404), info, the tags feed, the ideas feed */
  g_assert_cmpuint (report.requests, ==, 4);
  g_assert_cmpuint (report.pulled, ==, 2);
  da = dump (a);
  db = dump (b);
  g_assert_cmpstr (da, ==, db);
}

/* A server from before device names refuses the field, and does not list it in
 * Saveidea-Features (this proxy passes no such header): a client never sends it there, one
 * change or a batch, and the other notebook sees no device. */
static void
test_old_server_device (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(Proxy) proxy = proxy_new (si_test_server_get_url (s->server));
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiStore) b = open_store ("b");
  g_autoptr(SiSyncEngine) ea = si_sync_engine_new (a, proxy->url, s->token);
  g_autoptr(SiSyncEngine) eb = engine_for (s, b);
  g_autoptr(SiIdea) one = add_idea (a, "Alone", "pushed by itself", NULL);
  g_autoptr(SiIdea) got = NULL;
  g_autofree char *da = NULL, *db = NULL;
  SiSyncReport report;

  proxy->no_device = TRUE;
  report = sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.rejected, ==, 0);
  add_many (a, 20, "Batch");
  report = sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.rejected, ==, 0);
  g_assert_cmpuint (proxy->with_device, ==, 0);
  g_assert_cmpuint (si_store_count_pending (a, NULL), ==, 0);
  g_assert_cmpuint (server_count (s, "ideas", TRUE), ==, 21);

  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  got = find_by_title (b, "Alone");
  g_assert_nonnull (got);
  g_assert_null (si_idea_get_device (got));
  da = dump (a);
  db = dump (b);
  g_assert_cmpstr (da, ==, db);
}

/* A server whose change feed never ends ------------------------------------------------- */

/* FEED_STUCK: after the first page, every page says more follow and gives back the cursor it
 * was asked with. FEED_BACKWARDS: the cursor goes back by one. FEED_CREEPING: the cursor moves
 * on by one a page, with one new idea each, for ever, while saying 3 records remain. */
typedef enum { FEED_STUCK, FEED_BACKWARDS, FEED_CREEPING } FeedFault;

typedef struct {
  SiTestFakeServer *server;      /* answers from a thread of its own, so that a saveidea-cli */
  const char       *url;         /* run while this process waits is answered too */
  FeedFault         fault;
  int               requests;    /* atomic */
} Feed;

static char *
feed_idea_json (gint64 n)
{
  return g_strdup_printf ("{\"collection\":\"ideas\",\"id\":%" G_GINT64_FORMAT ","
                          "\"uid\":\"00000000-0000-4000-8000-%012" G_GINT64_FORMAT "\","
                          "\"version\":%" G_GINT64_FORMAT ",\"created_at\":\"2026-01-01T00:00:00.000Z\","
                          "\"updated_at\":\"2026-01-01T00:00:00.000Z\",\"deleted\":false,"
                          "\"title\":\"Feed %" G_GINT64_FORMAT "\",\"body\":\"\",\"pinned\":false,\"tags\":[]}",
                          n, n, n, n);
}

static void
feed_handle (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer user_data)
{
  Feed *feed = user_data;
  const char *since_text = query ? g_hash_table_lookup (query, "since") : NULL;
  gint64 since = since_text ? g_ascii_strtoll (since_text, NULL, 10) : 0;
  g_autofree char *first = NULL, *second = NULL, *next = NULL;
  char *page;

  /* A client that never stops gets a 503 in the end, so that the test fails rather than hangs. */
  if (g_atomic_int_add (&feed->requests, 1) >= 1000)
    {
      soup_server_message_set_status (msg, 503, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{}", 2);
      return;
    }
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), SI_WIRE_INSTANCE_HEADER,
                                "7d9e8a52-31b4-4c0e-9f57-2b1f3c4d5e6f");
  if (!g_str_equal (path, "/api/v1/changes"))
    {
      soup_server_message_set_status (msg, 404, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        "{\"error\":\"not_found\"}", 21);
      return;
    }
  if (since == 0)
    {
      /* A first page as any server sends it: two ideas, and the promise of ten more. */
      first = feed_idea_json (1);
      second = feed_idea_json (2);
      page = g_strdup_printf ("{\"records\":[%s,%s],\"cursor\":2,\"more\":true,\"remaining\":10}", first, second);
    }
  else
    {
      next = feed_idea_json (since + 1);
      page = g_strdup_printf ("{\"records\":[%s],\"cursor\":%" G_GINT64_FORMAT ",\"more\":true,\"remaining\":%d}",
                              next,
                              feed->fault == FEED_STUCK ? since : feed->fault == FEED_BACKWARDS ? since - 1 : since + 1,
                              feed->fault == FEED_CREEPING ? 3 : 10);
    }
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, page, strlen (page));
}

static Feed *
feed_new (FeedFault fault)
{
  Feed *feed = g_new0 (Feed, 1);

  feed->fault = fault;
  feed->server = si_test_fake_server_start (feed_handle, feed);
  feed->url = si_test_fake_server_get_url (feed->server);
  return feed;
}

static void
feed_free (Feed *feed)
{
  si_test_fake_server_stop (feed->server);
  g_free (feed);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Feed, feed_free)

/* The pull ends with an error the user can read, in a bounded number of requests, and keeps
 * what it got before the feed went wrong. */
static void
test_endless_feed (gconstpointer data)
{
  FeedFault fault = GPOINTER_TO_INT (data);
  g_autoptr(Feed) feed = feed_new (fault);
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiSyncEngine) engine = si_sync_engine_new (a, feed->url, "token");
  g_autoptr(GError) error = NULL;
  g_autoptr(SiIdea) kept = NULL;
  SiSyncReport report = { 0, };

  g_assert_false (run_sync (engine, SI_SYNC_MODE_INCREMENTAL, NULL, &report, &error));
  g_assert_error (error, SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER);
  g_test_message ("%u requests: %s", report.requests, error->message);
  g_assert_cmpuint (report.requests, ==, (guint) g_atomic_int_get (&feed->requests));
  if (fault == FEED_CREEPING)
    {
      /* 1 + 10 announced: twice that, plus the slack for other devices' writes */
      g_assert_nonnull (strstr (error->message, "does not end"));
      g_assert_cmpuint (report.requests, >, 12);
      g_assert_cmpuint (report.requests, <=, 200);
    }
  else
    {
      /* the first page, then the one that does not move on */
      g_assert_nonnull (strstr (error->message, "does not move forward"));
      g_assert_cmpuint (report.requests, ==, 2);
    }
  /* what came before is kept, and the next sync starts after it */
  kept = find_by_title (a, "Feed 2");
  g_assert_nonnull (kept);
  g_assert_cmpint (_si_store_sync_get_cursor (a, "changes"), >=, 2);
}

/* Lost answers: the server applied a push, the client never heard of it ------------------ */

typedef struct {
  Server       *s;
  Proxy        *proxy;
  SiStore      *a;          /* syncs through the proxy */
  SiStore      *b;          /* another device, direct */
  SiSyncEngine *ea;
  SiSyncEngine *eb;
} Lost;

static void
lost_setup (Lost *l)
{
  l->s = server_new ();
  l->proxy = proxy_new (si_test_server_get_url (l->s->server));
  l->a = open_store ("a");
  l->b = open_store ("b");
  l->ea = si_sync_engine_new (l->a, l->proxy->url, l->s->token);
  l->eb = engine_for (l->s, l->b);
}

static void
lost_clear (Lost *l)
{
  g_clear_object (&l->ea);
  g_clear_object (&l->eb);
  g_clear_object (&l->a);
  g_clear_object (&l->b);
  g_clear_pointer (&l->proxy, proxy_free);
  g_clear_pointer (&l->s, server_free);
}

/* A sync of A whose every answer is lost: it fails, and the server has A's first push. */
static void
lost_sync (Lost *l, SiSyncMode mode)
{
  g_autoptr(GError) error = NULL;
  guint before = l->proxy->requests;

  l->proxy->fault = FAULT_LOSE_ANSWER;
  g_assert_false (run_sync (l->ea, mode, NULL, NULL, &error));
  g_assert_error (error, SI_SYNC_ERROR, SI_SYNC_ERROR_SERVER);
  g_assert_cmpuint (l->proxy->requests, >, before);
  l->proxy->fault = FAULT_NONE;
}

/* Both notebooks synced to the end show the same ideas, none twice, no conflicted copy. */
static void
lost_assert_converged (Lost *l, guint n_ideas)
{
  g_autofree char *da = NULL, *db = NULL;

  sync_ok (l->ea, SI_SYNC_MODE_INCREMENTAL);
  sync_ok (l->eb, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (si_store_count_pending (l->a, NULL), ==, 0);
  g_assert_cmpuint (si_store_count_pending (l->b, NULL), ==, 0);
  g_assert_cmpuint (_si_store_sync_count_conflicts (l->a), ==, 0);
  g_assert_cmpuint (_si_store_sync_count_conflicts (l->b), ==, 0);
  g_assert_cmpuint (server_count (l->s, "ideas", TRUE), ==, n_ideas);
  g_assert_cmpuint (si_store_count_ideas (l->a, &(SiIdeaFilter) { 0, }, NULL), ==, n_ideas);
  da = dump (l->a);
  db = dump (l->b);
  g_assert_cmpstr (da, ==, db);
}

/* Created, the answer lost, edited again: the server's record is A's own create, the edit goes
 * on top of it (no conflicted copy, no duplicate). Both when the next sync pulls first and when
 * it only pushes (a repeated create answered 200 with the first content). */
static void
test_lost_create (gconstpointer data)
{
  SiSyncMode mode = GPOINTER_TO_INT (data);
  Lost l = { 0, };
  g_autoptr(SiIdea) idea = NULL;
  g_autoptr(SiIdea) got = NULL;

  lost_setup (&l);
  si_sync_engine_set_batch_threshold (l.ea, 0);
  idea = add_idea (l.a, "Lost", "one\n", NULL);
  lost_sync (&l, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (server_count (l.s, "ideas", TRUE), ==, 1);
  si_idea_set_body (idea, "one\ntwo\n");
  save (l.a, idea);

  sync_ok (l.ea, mode);
  lost_assert_converged (&l, 1);
  got = find_by_title (l.b, "Lost");
  g_assert_cmpstr (si_idea_get_body (got), ==, "one\ntwo\n");
  lost_clear (&l);
}

/* Updated, the answer lost, edited again: the server's current content is A's own push. The
 * 412 of the stale If-Match (push only) or the pulled version (incremental) is adopted. */
static void
test_lost_update (gconstpointer data)
{
  SiSyncMode mode = GPOINTER_TO_INT (data);
  Lost l = { 0, };
  g_autoptr(SiIdea) idea = NULL;
  g_autoptr(SiIdea) got = NULL;
  SiSyncReport report;

  lost_setup (&l);
  idea = add_idea (l.a, "Lost", "a\nb\n", (const char *[]) { "t", NULL });
  sync_ok (l.ea, SI_SYNC_MODE_INCREMENTAL);
  sync_ok (l.eb, SI_SYNC_MODE_INCREMENTAL);
  si_idea_set_body (idea, "a\nb\nc\n");
  save (l.a, idea);
  lost_sync (&l, SI_SYNC_MODE_PUSH);
  si_idea_set_body (idea, "a\nb\nc\nd\n");
  save (l.a, idea);

  report = sync_ok (l.ea, mode);
  g_assert_cmpuint (report.conflicts, ==, 0);
  lost_assert_converged (&l, 1);
  got = find_by_title (l.b, "Lost");
  g_assert_cmpstr (si_idea_get_body (got), ==, "a\nb\nc\nd\n");
  g_clear_object (&got);

  /* The same content pushed again after a lost answer: the 412 that comes back is ours. */
  si_idea_set_body (idea, "x\n");
  save (l.a, idea);
  lost_sync (&l, SI_SYNC_MODE_PUSH);
  si_sync_engine_set_batch_threshold (l.ea, 0);
  report = sync_ok (l.ea, SI_SYNC_MODE_PUSH);
  g_assert_cmpuint (report.pushed, ==, 1);
  g_assert_cmpuint (report.merged, ==, 0);
  g_assert_cmpuint (report.requests, ==, 2);   /* info (after a failure), the PUT */
  lost_assert_converged (&l, 1);
  lost_clear (&l);
}

/* Updated, the answer lost, then deleted here: the deletion reaches the server (a 412 whose
 * current is our own push is retried with its version); the idea does not come back. */
static void
test_lost_update_then_delete (gconstpointer data)
{
  SiSyncMode mode = GPOINTER_TO_INT (data);
  Lost l = { 0, };
  g_autoptr(SiIdea) idea = NULL;
  g_autoptr(SiIdea) keep = NULL;
  g_autoptr(GError) error = NULL;

  lost_setup (&l);
  idea = add_idea (l.a, "Doomed", "a\n", NULL);
  keep = add_idea (l.a, "Kept", "k\n", NULL);
  sync_ok (l.ea, SI_SYNC_MODE_INCREMENTAL);
  sync_ok (l.eb, SI_SYNC_MODE_INCREMENTAL);
  si_idea_set_body (idea, "a\nb\n");
  save (l.a, idea);
  lost_sync (&l, SI_SYNC_MODE_PUSH);
  g_assert_true (si_store_delete_idea (l.a, si_idea_get_id (idea), SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);

  sync_ok (l.ea, mode);
  lost_assert_converged (&l, 1);
  g_assert_null (find_by_title (l.a, "Doomed"));
  g_assert_cmpuint (server_count (l.s, "ideas", FALSE), ==, 2);
  lost_clear (&l);
}

/* Created, the answer lost, deleted here before the next sync (a never-synced idea leaves no
 * tombstone): the next sync deletes it on the server instead of bringing it back. */
static void
test_lost_create_then_delete (void)
{
  Lost l = { 0, };
  g_autoptr(SiIdea) idea = NULL;
  g_autoptr(GError) error = NULL;

  lost_setup (&l);
  idea = add_idea (l.a, "Gone", "a\n", NULL);
  lost_sync (&l, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (server_count (l.s, "ideas", TRUE), ==, 1);
  g_assert_true (si_store_delete_idea (l.a, si_idea_get_id (idea), SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);

  sync_ok (l.ea, SI_SYNC_MODE_INCREMENTAL);
  lost_assert_converged (&l, 0);
  g_assert_null (find_by_title (l.a, "Gone"));
  lost_clear (&l);
}

/* A push noted by an earlier version (the digest of the record's JSON text, without the mark
 * of today's notes), its answer lost, then deleted here: the next sync still knows it as its
 * own and deletes it on the server instead of bringing it back. */
static void
test_lost_create_legacy_note (void)
{
  Lost l = { 0, };
  g_autoptr(SiIdea) idea = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) collections = si_collection_get_defaults ();
  g_autoptr(SiWireRecord) record = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *key = NULL;
  g_autofree char *note = NULL;
  g_autofree char *text = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *legacy = NULL;
  gsize length = 0;

  lost_setup (&l);
  idea = add_idea (l.a, "Gone", "a\n", NULL);
  lost_sync (&l, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (server_count (l.s, "ideas", TRUE), ==, 1);

  /* The note as an earlier version wrote it. */
  key = g_strconcat ("pushed:ideas:", si_idea_get_uid (idea), NULL);
  note = _si_store_get_meta (l.a, key);
  g_assert_nonnull (strstr (note, " c:"));
  record = _si_store_sync_read_for_server (l.a, collections, g_ptr_array_index (collections, 1),
                                           si_idea_get_id (idea), &error);
  g_assert_no_error (error);
  g_clear_pointer (&record->uid, g_free);
  g_clear_pointer (&record->device, g_free);
  record->created_at = record->updated_at = 0;
  node = si_wire_record_to_json (record, SI_WIRE_MODE_REQUEST);
  text = si_wire_to_string (node, &length);
  digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) text, length);
  legacy = g_strdup_printf ("%" G_GINT64_FORMAT " %s\n", si_idea_get_generation (idea), digest);
  g_assert_true (_si_store_set_meta (l.a, key, legacy, &error));
  g_assert_no_error (error);

  g_assert_true (si_store_delete_idea (l.a, si_idea_get_id (idea), SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
  sync_ok (l.ea, SI_SYNC_MODE_INCREMENTAL);
  lost_assert_converged (&l, 0);
  g_assert_null (find_by_title (l.a, "Gone"));
  lost_clear (&l);
}

/* A create sent but cut before it reached the server, then deleted here: the note of that push
 * is forgotten once a complete pull shows the server never got it (it used to stay for ever). */
static void
test_lost_request_then_delete (void)
{
  Lost l = { 0, };
  g_autoptr(SiIdea) idea = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *note = NULL;
  g_autofree char *left = NULL;

  lost_setup (&l);
  idea = add_idea (l.a, "Never sent", "", NULL);
  key = g_strconcat ("pushed:ideas:", si_idea_get_uid (idea), NULL);
  l.proxy->fault = FAULT_DROP_WRITES;
  g_assert_false (run_sync (l.ea, SI_SYNC_MODE_INCREMENTAL, NULL, NULL, &error));
  g_clear_error (&error);
  note = _si_store_get_meta (l.a, key);
  g_assert_nonnull (note);
  g_assert_cmpuint (server_count (l.s, "ideas", TRUE), ==, 0);
  g_assert_true (si_store_delete_idea (l.a, si_idea_get_id (idea), SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);

  l.proxy->fault = FAULT_NONE;
  sync_ok (l.ea, SI_SYNC_MODE_INCREMENTAL);
  left = _si_store_get_meta (l.a, key);
  g_assert_null (left);
  lost_assert_converged (&l, 0);
  lost_clear (&l);
}

/* A tag created in a batch whose answer was lost, renamed here: the rename is not undone by
 * the server's copy of the first name, and there is one tag. */
static void
test_lost_tag (void)
{
  Lost l = { 0, };
  g_autoptr(GError) error = NULL;
  g_autoptr(SiTag) tag = NULL;
  g_autoptr(GPtrArray) tags = NULL;
  g_autoptr(SiIdea) got = NULL;

  lost_setup (&l);
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *title = g_strdup_printf ("Idea %u", i);
      g_autoptr(SiIdea) idea = add_idea (l.a, title, "", (const char *[]) { "work", NULL });
    }
  lost_sync (&l, SI_SYNC_MODE_PUSH);
  g_assert_cmpuint (server_count (l.s, "tags", TRUE), ==, 1);
  tag = si_store_find_tag (l.a, "work", &error);
  g_assert_no_error (error);
  si_tag_set_name (tag, "job");
  g_assert_true (si_store_save_tag (l.a, tag, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);

  sync_ok (l.ea, SI_SYNC_MODE_INCREMENTAL);
  lost_assert_converged (&l, 10);
  g_assert_cmpuint (server_count (l.s, "tags", TRUE), ==, 1);
  tags = si_store_list_tags (l.b, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tags->len, ==, 1);
  g_assert_cmpstr (si_tag_get_name (g_ptr_array_index (tags, 0)), ==, "job");
  got = find_by_title (l.b, "Idea 3");
  g_assert_cmpstr (si_idea_get_tag_names (got)[0], ==, "job");
  lost_clear (&l);
}

/* A lost answer does not hide another device's real edit made after it: it is merged as
 * before (here cleanly, different lines), or kept as a conflicted copy when it overlaps. */
static void
test_lost_then_real_edit (void)
{
  Lost l = { 0, };
  g_autoptr(SiIdea) idea = NULL;
  g_autoptr(SiIdea) other = NULL;
  g_autoptr(SiIdea) got = NULL;
  SiSyncReport report;

  lost_setup (&l);
  idea = add_idea (l.a, "Shared", "a\nb\nc\nd\ne\n", NULL);
  sync_ok (l.ea, SI_SYNC_MODE_INCREMENTAL);
  sync_ok (l.eb, SI_SYNC_MODE_INCREMENTAL);
  si_idea_set_body (idea, "A\nb\nc\nd\ne\n");
  save (l.a, idea);
  lost_sync (&l, SI_SYNC_MODE_PUSH);
  /* B sees A's edit and changes the last line. */
  sync_ok (l.eb, SI_SYNC_MODE_INCREMENTAL);
  other = find_by_title (l.b, "Shared");
  g_assert_cmpstr (si_idea_get_body (other), ==, "A\nb\nc\nd\ne\n");
  si_idea_set_body (other, "A\nb\nc\nd\nE\n");
  save (l.b, other);
  sync_ok (l.eb, SI_SYNC_MODE_INCREMENTAL);
  /* A changed the middle line meanwhile: different lines, a clean merge. */
  si_idea_set_body (idea, "A\nb\nC\nd\ne\n");
  save (l.a, idea);
  report = sync_ok (l.ea, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.conflicts, ==, 0);
  g_assert_cmpuint (report.merged, ==, 1);
  lost_assert_converged (&l, 1);
  got = find_by_title (l.a, "Shared");
  g_assert_cmpstr (si_idea_get_body (got), ==, "A\nb\nC\nd\nE\n");
  g_clear_object (&got);

  /* Lost again, then B rewrites the same line as A: a conflict, as without the lost answer. */
  si_idea_set_title (idea, "Shared by A");
  save (l.a, idea);
  lost_sync (&l, SI_SYNC_MODE_PUSH);
  g_clear_object (&other);
  sync_ok (l.eb, SI_SYNC_MODE_INCREMENTAL);
  other = find_by_title (l.b, "Shared by A");
  g_assert_nonnull (other);
  si_idea_set_title (other, "Shared by B");
  save (l.b, other);
  sync_ok (l.eb, SI_SYNC_MODE_INCREMENTAL);
  g_clear_object (&idea);
  idea = find_by_title (l.a, "Shared by A");
  si_idea_set_title (idea, "Shared by A, again");
  save (l.a, idea);
  report = sync_ok (l.ea, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.conflicts, ==, 1);
  g_assert_cmpuint (_si_store_sync_count_conflicts (l.a), ==, 1);
  got = find_by_title (l.a, "Shared by B");
  g_assert_nonnull (got);
  lost_clear (&l);
}

static void
note_retry (SiSyncManager *manager, GParamSpec *pspec, GArray *retries)
{
  gint64 next = si_sync_manager_get_next_retry_time (manager);
  if (next > 0)
    {
      gint64 delay = next - g_get_real_time ();
      g_array_append_val (retries, delay);
    }
}

static void
test_manager_backoff (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(Proxy) proxy = proxy_new (si_test_server_get_url (s->server));
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiAccount) account = si_account_new (a);
  g_autoptr(SiSyncManager) manager = NULL;
  g_autoptr(GArray) retries = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  g_autoptr(SiIdea) idea = add_idea (a, "Waiting", "", NULL);
  gint64 deadline;

  g_assert_true (si_account_set_for_testing (account, proxy->url, "alice", s->token, &error));
  g_assert_no_error (error);
  manager = si_sync_manager_new (a, account);
  si_sync_manager_set_backoff (manager, 100, 1600);
  si_sync_manager_set_interval (manager, 0);
  g_signal_connect (manager, "notify::next-retry-time", G_CALLBACK (note_retry), retries);
  proxy->fault = FAULT_500;
  si_sync_manager_start (manager);

  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (retries->len < 5 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (retries->len, >=, 5);
  g_assert_cmpint (si_sync_manager_get_state (manager), ==, SI_SYNC_MANAGER_STATE_ERROR);
  g_assert_nonnull (si_sync_manager_get_last_error (manager));
  g_assert_cmpuint (si_sync_manager_get_pending_changes (manager), ==, 1);
  /* exponential: each delay longer than the last (jitter is ±20 %), capped */
  for (guint i = 1; i < 4; i++)
    g_assert_cmpint (g_array_index (retries, gint64, i), >, g_array_index (retries, gint64, i - 1));
  for (guint i = 0; i < retries->len; i++)
    g_assert_cmpint (g_array_index (retries, gint64, i), <=, 1600 * 1000 * 12 / 10 + 1000);

  /* The server recovers: the next retry converges and resets the backoff. */
  proxy->fault = FAULT_NONE;
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (si_sync_manager_get_state (manager) != SI_SYNC_MANAGER_STATE_IDLE && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (si_sync_manager_get_state (manager), ==, SI_SYNC_MANAGER_STATE_IDLE);
  g_assert_cmpuint (si_sync_manager_get_pending_changes (manager), ==, 0);
  g_assert_cmpint (si_sync_manager_get_next_retry_time (manager), ==, 0);
  g_assert_cmpint (si_sync_manager_get_last_sync_time (manager), >, 0);
  g_assert_cmpuint (server_count (s, "ideas", TRUE), ==, 1);

  /* auto-push: an edit is synced a moment later without asking */
  si_sync_manager_set_auto_push_delay (manager, 1);
  {
    g_autoptr(SiIdea) more = add_idea (a, "Auto", "", NULL);
    deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    while ((si_store_count_pending (a, NULL) > 0 || si_sync_manager_get_state (manager) != SI_SYNC_MANAGER_STATE_IDLE) &&
           g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
  }
  g_assert_cmpuint (server_count (s, "ideas", TRUE), ==, 2);
  si_sync_manager_stop (manager);
}

/* The app's sync manager shows the error, keeps what came, and retries later (each retry as
 * bounded as the first try). */
static void
test_endless_feed_manager (void)
{
  g_autoptr(Feed) feed = feed_new (FEED_STUCK);
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiAccount) account = si_account_new (a);
  g_autoptr(SiSyncManager) manager = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SiIdea) kept = NULL;
  gint64 deadline;

  g_assert_true (si_account_set_for_testing (account, feed->url, "alice", "token", &error));
  g_assert_no_error (error);
  manager = si_sync_manager_new (a, account);
  si_sync_manager_set_backoff (manager, 60000, 60000);
  si_sync_manager_set_interval (manager, 0);
  si_sync_manager_start (manager);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (si_sync_manager_get_state (manager) != SI_SYNC_MANAGER_STATE_ERROR && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (si_sync_manager_get_state (manager), ==, SI_SYNC_MANAGER_STATE_ERROR);
  g_assert_nonnull (strstr (si_sync_manager_get_last_error (manager), "does not move forward"));
  g_assert_cmpint (si_sync_manager_get_next_retry_time (manager), >, 0);
  g_assert_cmpint (g_atomic_int_get (&feed->requests), ==, 2);
  kept = find_by_title (a, "Feed 2");
  g_assert_nonnull (kept);
  si_sync_manager_stop (manager);
}

/* saveidea-cli says why and exits with its server error code (5), promptly. */
static void
test_endless_feed_cli (void)
{
  g_autoptr(Feed) feed = feed_new (FEED_STUCK);
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiAccount) account = si_account_new (a);
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_strdup (si_store_get_path (a));
  g_autofree char *out = NULL, *err = NULL;

  if (g_getenv ("SAVEIDEA_CLI") == NULL || !g_file_test (g_getenv ("SAVEIDEA_CLI"), G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no saveidea-cli");
      return;
    }
  g_assert_true (si_account_set_for_testing (account, feed->url, "alice", NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&account);
  g_clear_object (&a);
  g_assert_cmpint (run_cli (db, "token", &out, &err, "sync", NULL), ==, 5);
  g_assert_nonnull (strstr (err, "does not move forward"));
  g_assert_cmpint (g_atomic_int_get (&feed->requests), ==, 2);
}

int
main (int argc, char **argv)
{
  /* Only 127.0.0.1: no proxy (the GNOME resolver would want the desktop's GSettings schemas). */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/sync/killed-server", test_killed_server);
  g_test_add_func ("/sync/faults", test_faults);
  g_test_add_func ("/sync/old-server", test_old_server);
  g_test_add_func ("/sync/old-server-device", test_old_server_device);
  g_test_add_data_func ("/sync/lost-answer/create/incremental", GINT_TO_POINTER (SI_SYNC_MODE_INCREMENTAL), test_lost_create);
  g_test_add_data_func ("/sync/lost-answer/create/push", GINT_TO_POINTER (SI_SYNC_MODE_PUSH), test_lost_create);
  g_test_add_data_func ("/sync/lost-answer/update/incremental", GINT_TO_POINTER (SI_SYNC_MODE_INCREMENTAL), test_lost_update);
  g_test_add_data_func ("/sync/lost-answer/update/push", GINT_TO_POINTER (SI_SYNC_MODE_PUSH), test_lost_update);
  g_test_add_data_func ("/sync/lost-answer/update-then-delete/incremental", GINT_TO_POINTER (SI_SYNC_MODE_INCREMENTAL),
                        test_lost_update_then_delete);
  g_test_add_data_func ("/sync/lost-answer/update-then-delete/push", GINT_TO_POINTER (SI_SYNC_MODE_PUSH),
                        test_lost_update_then_delete);
  g_test_add_func ("/sync/lost-answer/create-then-delete", test_lost_create_then_delete);
  g_test_add_func ("/sync/lost-answer/create-legacy-note", test_lost_create_legacy_note);
  g_test_add_func ("/sync/lost-answer/tag", test_lost_tag);
  g_test_add_func ("/sync/lost-answer/request-then-delete", test_lost_request_then_delete);
  g_test_add_func ("/sync/lost-answer/then-real-edit", test_lost_then_real_edit);
  g_test_add_func ("/sync/manager-backoff", test_manager_backoff);
  g_test_add_data_func ("/sync/endless-feed/stuck", GINT_TO_POINTER (FEED_STUCK), test_endless_feed);
  g_test_add_data_func ("/sync/endless-feed/backwards", GINT_TO_POINTER (FEED_BACKWARDS), test_endless_feed);
  g_test_add_data_func ("/sync/endless-feed/creeping", GINT_TO_POINTER (FEED_CREEPING), test_endless_feed);
  g_test_add_func ("/sync/endless-feed/cli", test_endless_feed_cli);
  g_test_add_func ("/sync/endless-feed/manager", test_endless_feed_manager);
  return g_test_run ();
}
