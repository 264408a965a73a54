/* test-sync-thread.c — suite sync: a pull applies its pages off the main loop.
 *
 *  - the main loop runs while a page is applied (a high-priority idle added when a page is
 *    announced runs before the page's progress arrives), and the engine's store announces each
 *    page's changes as the page lands, not at its next look at the file;
 *  - a sync cancelled while a page is being applied stops at that page's end: every page it
 *    applied is whole, with its cursor, and the next sync brings the rest exactly once;
 *  - the server dying while a page is applied and the next is asked for ends the run after
 *    that page, with whole pages only;
 *  - the search finds what a pull brought.
 */
#define G_LOG_DOMAIN "saveidea-test"

#include "config.h"

#include <signal.h>

#include "si-store.h"
#include "si-sync-engine.h"
#include "si-test-sync.h"

#define IDEAS 300
#define PAGE 50

typedef struct {
  SiSyncEngine *engine;
  SiStore      *store;
  GCancellable *cancellable;
  guint         announced;      /* pages announced (save-pending of their first record) */
  guint         applied;        /* pages whose progress arrived */
  guint         ticks_applying; /* pages during whose apply the high-priority idle ran */
  guint         changed;        /* the store's changed signals */
  guint         changed_at_progress[64]; /* ... counted at each page's progress */
  guint         cancel_at;      /* cancel during the apply of this page (1-based; 0: never) */
  SiTestServer *kill_at_server; /* ...or kill this server then */
  guint         kill_at;
  guint         ideas_at_cancel;
  gboolean      applying;
  guint         idle_id;
} Watch;

static gboolean
tick_cb (gpointer user_data)
{
  Watch *w = user_data;

  w->idle_id = 0;
  if (w->applying)
    {
      w->ticks_applying++;
      if (w->cancel_at == w->announced)
        g_cancellable_cancel (w->cancellable);
      if (w->kill_at == w->announced)
        si_test_server_signal (w->kill_at_server, SIGKILL);
    }
  return G_SOURCE_REMOVE;
}

static void
on_save_pending (SiStore    *store,
                 const char *collection,
                 const char *uid,
                 gint64      version,
                 Watch      *w)
{
  if (w->applying)
    return;   /* the same page's next record */
  w->applying = TRUE;
  w->announced++;
  /* Runs at the main loop's next iteration: during the apply if the apply leaves the main loop
   * free, after it otherwise. */
  g_assert_cmpuint (w->idle_id, ==, 0);
  w->idle_id = g_idle_add_full (G_PRIORITY_HIGH, tick_cb, w, NULL);
}

static void
on_progress (SiSyncEngine *engine,
             GParamSpec   *pspec,
             Watch        *w)
{
  if (!w->applying)
    return;
  w->applying = FALSE;
  if (w->applied < G_N_ELEMENTS (w->changed_at_progress))
    w->changed_at_progress[w->applied] = w->changed;
  w->applied++;
}

static void
on_changed (SiStore    *store,
            const char *collection,
            gint64      id,
            Watch      *w)
{
  w->changed++;
}

static void
watch_init (Watch        *w,
            SiSyncEngine *engine,
            SiStore      *store)
{
  *w = (Watch) { .engine = engine, .store = store, .cancellable = g_cancellable_new () };
  g_signal_connect (store, "save-pending::" SI_COLLECTION_IDEAS, G_CALLBACK (on_save_pending), w);
  g_signal_connect (store, "changed::" SI_COLLECTION_IDEAS, G_CALLBACK (on_changed), w);
  g_signal_connect (engine, "notify::progress-done", G_CALLBACK (on_progress), w);
}

static void
watch_clear (Watch *w)
{
  g_signal_handlers_disconnect_by_data (w->store, w);
  g_signal_handlers_disconnect_by_data (w->engine, w);
  g_clear_handle_id (&w->idle_id, g_source_remove);
  g_clear_object (&w->cancellable);
}

static guint
count_ideas (SiStore *store)
{
  g_autoptr(GError) error = NULL;
  guint n = si_store_count_ideas (store, &(SiIdeaFilter) { 0, }, &error);

  g_assert_no_error (error);
  return n;
}

/* A notebook with IDEAS ideas on the server, and a second notebook that pulls PAGE a page. */
static void
setup (Server        *s,
       SiStore      **out_store,
       SiSyncEngine **out_engine,
       const char    *name)
{
  g_autofree char *first = g_strconcat (name, "-first", NULL);
  g_autoptr(SiStore) a = open_store (first);
  g_autoptr(SiSyncEngine) ea = engine_for (s, a);

  add_many (a, IDEAS, "Thread idea");
  sync_ok (ea, SI_SYNC_MODE_INCREMENTAL);
  *out_store = open_store (name);
  *out_engine = engine_for (s, *out_store);
  si_sync_engine_set_page_size (*out_engine, PAGE);
}

static void
test_main_loop_runs (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) b = NULL;
  g_autoptr(SiSyncEngine) eb = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GError) error = NULL;
  Watch w;

  setup (s, &b, &eb, "ticks");
  watch_init (&w, eb, b);
  sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (count_ideas (b), ==, IDEAS);
  g_assert_cmpuint (w.announced, ==, IDEAS / PAGE);
  g_assert_cmpuint (w.applied, ==, IDEAS / PAGE);
  /* Every page left the main loop free while it was applied. */
  g_assert_cmpuint (w.ticks_applying, ==, IDEAS / PAGE);
  /* Each page's changes were announced by the time its progress was. */
  for (guint i = 0; i < w.applied; i++)
    g_assert_cmpuint (w.changed_at_progress[i], >, i == 0 ? 0 : w.changed_at_progress[i - 1]);

  /* The search finds what came (the index was filled with the pages). */
  found = si_store_search (b, "Thread idea 123", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, >=, 1);
  watch_clear (&w);
}

static void
test_cancel_mid_page (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) b = NULL;
  g_autoptr(SiSyncEngine) eb = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  SiSyncReport report = { 0, };
  Watch w;

  setup (s, &b, &eb, "cancel");
  watch_init (&w, eb, b);
  w.cancel_at = 3;
  g_assert_false (run_sync (eb, SI_SYNC_MODE_INCREMENTAL, w.cancellable, &report, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  /* The page being applied when the sync was cancelled landed whole, and no other after it. */
  g_assert_cmpuint (w.announced, ==, 3);
  g_assert_cmpuint (count_ideas (b), ==, 3 * PAGE);
  g_assert_false (si_sync_engine_get_running (eb));
  watch_clear (&w);

  /* The next sync goes on from that page's cursor: each idea exactly once. */
  report = sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.pulled, ==, IDEAS - 3 * PAGE);
  g_assert_cmpuint (count_ideas (b), ==, IDEAS);
  after = dump (b);
  {
    g_autoptr(SiStore) c = open_store ("cancel-check");
    g_autoptr(SiSyncEngine) ec = engine_for (s, c);
    g_autofree char *whole = NULL;

    sync_ok (ec, SI_SYNC_MODE_INCREMENTAL);
    whole = dump (c);
    g_assert_cmpstr (after, ==, whole);
  }
}

/* The server dies while a page is applied and the next one is asked for: the run ends with
 * the network error once the page is in, and what came stays, whole pages only. */
static void
test_server_dies_mid_page (void)
{
  g_autoptr(Server) s = server_new ();
  g_autoptr(SiStore) b = NULL;
  g_autoptr(SiSyncEngine) eb = NULL;
  g_autoptr(GError) error = NULL;
  SiSyncReport report = { 0, };
  guint kept;
  Watch w;

  setup (s, &b, &eb, "killed");
  watch_init (&w, eb, b);
  w.kill_at = 3;
  w.kill_at_server = s->server;
  g_assert_false (run_sync (eb, SI_SYNC_MODE_INCREMENTAL, NULL, &report, &error));
  g_assert_error (error, SI_SYNC_ERROR, SI_SYNC_ERROR_NETWORK);
  g_clear_error (&error);
  g_assert_false (si_sync_engine_get_running (eb));
  /* Page 3 landed (the next may have been answered before the server died), whole pages. */
  kept = count_ideas (b);
  g_assert_cmpuint (w.applied, >=, 3);
  g_assert_cmpuint (kept, ==, w.applied * PAGE);
  watch_clear (&w);

  si_test_server_wait (s->server);
  si_test_server_start (s->server);
  /* (on another port) */
  g_clear_object (&eb);
  eb = engine_for (s, b);
  report = sync_ok (eb, SI_SYNC_MODE_INCREMENTAL);
  g_assert_cmpuint (report.pulled, ==, IDEAS - kept);
  g_assert_cmpuint (count_ideas (b), ==, IDEAS);
}

int
main (int argc, char **argv)
{
  /* Only 127.0.0.1: no proxy (the GNOME resolver would want the desktop's GSettings schemas). */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/sync-thread/main-loop-runs", test_main_loop_runs);
  g_test_add_func ("/sync-thread/cancel-mid-page", test_cancel_mid_page);
  g_test_add_func ("/sync-thread/server-dies-mid-page", test_server_dies_mid_page);
  return g_test_run ();
}
