/* test-sync-ahead.c — a first upload whose next batch is read, noted and written out while the
 * previous one is on the server, and sent as soon as that one's answer is in (before it is
 * recorded): one batch on the server at a time, the answers recorded in the order sent.
 *
 * A proxy in front of the real saveidea-server holds the first batch for a moment (long enough
 * for the client to take the next one), loses the second batch's answer after the server
 * applied it, or cuts the second batch's connection before the server sees it. Nothing is lost
 * or duplicated, and the cursor moves only over the device's own contiguous writes. */
#include "config.h"

#include <string.h>

#include "si-store-private.h"
#include "si-sync-engine.h"
#include "si-test-fake-server.h"
#include "si-test-server.h"
#include "si-test-sync.h"

/* The proxy -------------------------------------------------------------------------------- */

typedef enum {
  AHEAD_PLAIN,   /* forwards everything */
  AHEAD_LOSE,    /* the second batch reaches the server; its answer is lost (502) */
  AHEAD_CUT,     /* the second batch's connection is cut before it reaches the server */
} AheadMode;

typedef struct {
  SoupServer  *soup;
  SoupSession *session;
  char        *upstream;
  char        *url;
  AheadMode    mode;
  SiStore     *client;         /* the uploading device's store, looked at between batches */
  guint        batches;        /* batch requests seen */
  guint        in_flight;      /* batch requests not answered yet */
  guint        max_in_flight;
  guint        hold_first_ms;  /* how long the first batch stays on the server */
  GCancellable *cancel_at_first; /* cancelled when the first batch is answered */
  gint64       notes_at_first; /* the client's push notes when the first batch is answered */
  gint64       notes_at_second; /* … when the second batch has come in whole */
} Proxy;

/* One batch request on its way: which it is (1, 2, ...; 0 for another request). */
typedef struct {
  Proxy *proxy;
  guint  number;
} Forward;

static gint64
count_notes (SiStore *store)
{
  return _si_store_query_id (store, "SELECT count (*) FROM sync_meta WHERE key LIKE 'pushed:%'", -1);
}

static gboolean
answer_in (SoupMessage *upstream, GBytes *answer, gpointer user_data)
{
  Forward *f = user_data;

  if (f->number > 0)
    f->proxy->in_flight--;
  if (f->number == 1 && f->proxy->client != NULL)
    f->proxy->notes_at_first = count_notes (f->proxy->client);
  if (f->number == 1 && f->proxy->cancel_at_first != NULL)
    g_cancellable_cancel (f->proxy->cancel_at_first);
  return !(f->proxy->mode == AHEAD_LOSE && f->number == 2);
}

static void
proxy_handle (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer user_data)
{
  Proxy *proxy = user_data;
  Forward *f;

  f = g_new0 (Forward, 1);
  f->proxy = proxy;
  if (g_str_equal (path, "/api/v1/batch"))
    {
      f->number = ++proxy->batches;
      if (f->number == 2 && proxy->client != NULL)
        proxy->notes_at_second = count_notes (proxy->client);
      proxy->in_flight++;
      proxy->max_in_flight = MAX (proxy->max_in_flight, proxy->in_flight);
      if (proxy->mode == AHEAD_CUT && f->number == 2)
        {
          GIOStream *stream = soup_server_message_steal_connection (msg);

          proxy->in_flight--;
          g_io_stream_close (stream, NULL, NULL);
          g_object_unref (stream);
          g_free (f);
          return;
        }
    }
  /* The first batch stays "on the server" for a moment: the client's main loop is idle. */
  si_test_forward_async (proxy->session, msg, si_test_forward_request (msg, proxy->upstream, NULL),
                         f->number == 1 ? proxy->hold_first_ms : 0, NULL, answer_in, f, g_free);
}

static Proxy *
proxy_new (const char *upstream, AheadMode mode, SiStore *client)
{
  Proxy *proxy = g_new0 (Proxy, 1);

  proxy->mode = mode;
  proxy->client = client;
  proxy->notes_at_first = -1;
  proxy->notes_at_second = -1;
  proxy->hold_first_ms = 300;
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

/* What the tests look at --------------------------------------------------------------------- */

/* The account's current change number. */
static gint64
server_seq (Server *s)
{
  gint64 since = 0;
  gboolean more = TRUE;

  while (more)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/changes?since=%" G_GINT64_FORMAT "&limit=1000", since);
      g_autoptr(SiTestResponse) r = si_test_server_request (s->server, "GET", path, s->token, NULL, NULL);

      g_assert_cmpuint (r->status, ==, 200);
      since = si_test_response_get_int (r, "cursor");
      more = json_object_get_boolean_member (si_test_response_object (r), "more");
    }
  return since;
}

/* Every idea of @a once on the server, and as another device sees them. */
static void
assert_exactly_once (Server *s, SiStore *a, guint ideas)
{
  g_autoptr(SiStore) b = open_store ("b");
  g_autoptr(SiSyncEngine) eb = engine_for (s, b);
  g_autofree char *da = NULL, *db = NULL;

  g_assert_cmpuint (si_store_count_pending (a, NULL), ==, 0);
  g_assert_cmpuint (server_count (s, "ideas", FALSE), ==, ideas);
  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  da = dump (a);
  db = dump (b);
  g_assert_cmpstr (da, ==, db);
}

/* Tests -------------------------------------------------------------------------------------- */

#define BATCH 1000   /* BATCH_CHUNK, si-sync-engine.c */
#define IDEAS (2 * BATCH + BATCH / 5)   /* three batches */

/* After an upload of every idea with no other device writing: no note left, the cursor over
 * every change (all the device's own), a next sync that brings and sends nothing, every idea
 * once. */
static void
assert_upload_whole (Server *s, SiStore *a, SiSyncEngine *ea)
{
  SiSyncReport report;

  g_assert_cmpint (count_notes (a), ==, 0);
  g_assert_cmpint (_si_store_sync_get_cursor (a, "changes"), ==, server_seq (s));
  report = sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.pulled, ==, 0);
  g_assert_cmpuint (report.pushed, ==, 0);
  assert_exactly_once (s, a, IDEAS);
}

/* While the first batch is on the server, the second is read and noted as sent (its notes are
 * in the store before the first answer comes), and sent before the first answer is recorded;
 * one batch on the server at a time; every change
 * on the server is the device's own, so the cursor moves over all of them and the next sync
 * brings nothing. */
static void
test_ahead (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(Proxy) proxy = proxy_new (si_test_server_get_url (s->server), AHEAD_PLAIN, a);
  g_autoptr(SiSyncEngine) ea = si_sync_engine_new (a, proxy->url, s->token);
  SiSyncReport report;

  add_many (a, IDEAS, "Ahead");
  report = sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.pushed, ==, IDEAS);
  g_assert_cmpuint (proxy->batches, ==, 3);
  g_assert_cmpuint (proxy->max_in_flight, ==, 1);
  /* The first batch's notes and the second's. */
  g_assert_cmpint (proxy->notes_at_first, ==, 2 * BATCH);
  /* The second request went out before the first answer was recorded (which forgets the first
   * batch's notes): the server works on it while the client records. */
  g_assert_cmpint (proxy->notes_at_second, >=, 2 * BATCH);
  assert_upload_whole (s, a, ea);
}

/* The next batch is read on a worker slower than the server (SAVEIDEA_SYNC_TEST_READ_AHEAD_DELAY_MS):
 * each answer comes while the next batch is still being read, waits for it, and goes on once
 * it is noted and sent. Every idea once, one batch on the server at a time. */
static void
test_answer_waits_for_reader (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(Proxy) proxy = proxy_new (si_test_server_get_url (s->server), AHEAD_PLAIN, a);
  g_autoptr(SiSyncEngine) ea = si_sync_engine_new (a, proxy->url, s->token);
  SiSyncReport report;

  proxy->hold_first_ms = 0;
  g_setenv ("SAVEIDEA_SYNC_TEST_READ_AHEAD_DELAY_MS", "300", TRUE);
  add_many (a, IDEAS, "Ahead");
  report = sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  g_unsetenv ("SAVEIDEA_SYNC_TEST_READ_AHEAD_DELAY_MS");
  g_assert_cmpuint (report.pushed, ==, IDEAS);
  g_assert_cmpuint (proxy->batches, ==, 3);
  g_assert_cmpuint (proxy->max_in_flight, ==, 1);
  /* The first answer came before the second batch was noted: it waited. */
  g_assert_cmpint (proxy->notes_at_first, ==, BATCH);
  assert_upload_whole (s, a, ea);
}

/* The sync is cancelled as the first answer comes, while the second batch is being read: the
 * second batch is neither noted nor sent, the reader ends after the run (which the next sync
 * starts meanwhile), and the next sync sends the rest, every idea once. */
static void
test_cancel_while_reading (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(Proxy) proxy = proxy_new (si_test_server_get_url (s->server), AHEAD_PLAIN, a);
  g_autoptr(SiSyncEngine) ea = si_sync_engine_new (a, proxy->url, s->token);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  proxy->hold_first_ms = 0;
  proxy->cancel_at_first = cancellable;
  g_setenv ("SAVEIDEA_SYNC_TEST_READ_AHEAD_DELAY_MS", "300", TRUE);
  add_many (a, IDEAS, "Ahead");
  g_assert_false (run_sync (ea, SI_SYNC_MODE_INCREMENTAL, cancellable, NULL, &error));
  g_unsetenv ("SAVEIDEA_SYNC_TEST_READ_AHEAD_DELAY_MS");
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (proxy->batches, ==, 1);
  /* The first answer, cut by the cancellation on its way, is not recorded: its batch's notes
   * let the next sync recognise it. */
  g_assert_cmpuint (si_store_count_pending (a, NULL), ==, IDEAS);
  g_assert_cmpint (count_notes (a), ==, BATCH);
  proxy->cancel_at_first = NULL;
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (proxy->batches, ==, 3);   /* the first batch came back with the pull: the rest */
  g_assert_cmpint (count_notes (a), ==, 0);
  assert_exactly_once (s, a, IDEAS);
}

/* The second batch's answer is lost after the server applied it (the third batch taken ahead
 * meanwhile): the sync fails, the next one finishes the upload, every idea once. */
static void
test_lost_second_answer (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(Proxy) proxy = proxy_new (si_test_server_get_url (s->server), AHEAD_LOSE, a);
  g_autoptr(SiSyncEngine) ea = si_sync_engine_new (a, proxy->url, s->token);
  g_autoptr(GError) error = NULL;
  SiSyncReport report;

  add_many (a, IDEAS, "Ahead");
  g_assert_false (run_sync (ea, SI_SYNC_MODE_INCREMENTAL, NULL, NULL, &error));
  g_assert_true (si_sync_error_is_retryable (error));
  g_assert_cmpuint (proxy->batches, ==, 2);
  g_assert_cmpuint (si_store_count_pending (a, NULL), ==, IDEAS - BATCH);
  proxy->mode = AHEAD_PLAIN;
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  assert_exactly_once (s, a, IDEAS);
  report = sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.pushed, ==, 0);
}

/* The second batch never reaches the server (gone after the first answer): the sync fails, the
 * next one sends the rest, every idea once. */
static void
test_cut_second (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(Proxy) proxy = proxy_new (si_test_server_get_url (s->server), AHEAD_CUT, a);
  g_autoptr(SiSyncEngine) ea = si_sync_engine_new (a, proxy->url, s->token);
  g_autoptr(GError) error = NULL;

  add_many (a, IDEAS, "Ahead");
  g_assert_false (run_sync (ea, SI_SYNC_MODE_INCREMENTAL, NULL, NULL, &error));
  g_assert_true (si_sync_error_is_retryable (error));
  g_assert_cmpuint (proxy->batches, ==, 2);
  /* The first batch's answer was recorded although the second was on its way. */
  g_assert_cmpuint (si_store_count_pending (a, NULL), ==, IDEAS - BATCH);
  g_assert_cmpuint (server_count (s, "ideas", FALSE), ==, BATCH);
  proxy->mode = AHEAD_PLAIN;
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  assert_exactly_once (s, a, IDEAS);
  g_assert_cmpint (_si_store_sync_get_cursor (a, "changes"), <=, server_seq (s));
}

/* Batches too big for the server (413) with the next one taken ahead: that one goes back to
 * the outbox, smaller batches from the refused one's first entry on, every idea once, none
 * refused, and the next sync brings nothing back. */
static void
test_too_big (void)
{
  g_autoptr(Server) s = g_new0 (Server, 1);
  g_autoptr(SiStore) a = open_store ("a");
  g_autoptr(SiSyncEngine) ea = NULL;
  SiSyncReport report;

  s->server = si_test_server_new (NULL);
  si_test_server_add_user (s->server, "alice", "correct horse battery");
  si_test_server_set_args (s->server, (const char *[]) { "--max-body-bytes", "40000", NULL });
  si_test_server_start (s->server);
  s->token = si_test_server_login (s->server, "alice", "correct horse battery");
  ea = engine_for (s, a);

  add_many (a, IDEAS, "Ahead");
  report = sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.pushed, ==, IDEAS);
  g_assert_cmpuint (report.rejected, ==, 0);
  report = sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.pushed, ==, 0);
  g_assert_cmpuint (report.pulled, ==, 0);
  assert_exactly_once (s, a, IDEAS);
}

int
main (int argc, char **argv)
{
  /* Only 127.0.0.1: no proxy (the GNOME resolver would want the desktop's GSettings schemas). */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/sync-ahead/ahead", test_ahead);
  g_test_add_func ("/sync-ahead/answer-waits-for-reader", test_answer_waits_for_reader);
  g_test_add_func ("/sync-ahead/cancel-while-reading", test_cancel_while_reading);
  g_test_add_func ("/sync-ahead/lost-second-answer", test_lost_second_answer);
  g_test_add_func ("/sync-ahead/cut-second", test_cut_second);
  g_test_add_func ("/sync-ahead/too-big", test_too_big);
  return g_test_run ();
}
