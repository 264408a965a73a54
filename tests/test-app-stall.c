/* test-app-stall.c — what the window does during a big sync stays out of the main loop's long
 * iterations: the sidebar's counts are read on a worker, and the sync indicator's status reaches
 * its tooltip without a round trip to the display server at each change. (The list's rows of a
 * page come after the store's announcement: test-app-pace.c.) */
#include "config.h"

#include <string.h>

#include "si-test-app.h"
#include "si-worker.h"

static const char *
row_count (GtkWidget *row)
{
  return row ? si_count_label_get_text (g_object_get_data (G_OBJECT (row), "count-label")) : NULL;
}

static void
add_tagged (SiStore    *store,
            const char *title,
            SiTag      *tag)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SiIdea) idea = si_idea_new (title, "");

  si_idea_add_tag (idea, si_tag_get_id (tag));
  g_assert_true (si_store_save_idea (store, idea, SI_SAVE_LOCAL, &error));
  g_assert_no_error (error);
}

/* After the store changed, the sidebar's counts are right, and they were read by a worker (on
 * a connection of its own), not by the main loop: counting 50 tags' ideas among 100,000 took
 * up to 12 ms of a first sync's main thread, every 250 ms. Changes during a count are counted
 * again after it. */
static void
test_sidebar_counted_on_worker (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SiTag) work = si_store_ensure_tag (f->store, "work", &error);
  gint64 work_id = si_tag_get_id (work);
  guint jobs;

  g_assert_no_error (error);
  add_tagged (f->store, "A", work);
  open_window (f, NULL);
  WAIT_FOR (g_strcmp0 (row_count (_si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_TAG, work_id)), "1") == 0);
  spin (400);   /* nothing left to count */

  jobs = _si_worker_get_jobs_run ();
  add_tagged (f->store, "B", work);
  WAIT_FOR (g_strcmp0 (row_count (_si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_TAG, work_id)), "2") == 0);
  g_assert_cmpstr (row_count (_si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_ALL, 0)), ==, "2");
  g_test_message ("%u worker jobs for the sidebar's refresh", _si_worker_get_jobs_run () - jobs);
  g_assert_cmpuint (_si_worker_get_jobs_run (), >, jobs);

  /* A burst of changes, some during a count: the counts end right. */
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *title = g_strdup_printf ("C %u", i);

      add_tagged (f->store, title, work);
      spin (30);
    }
  WAIT_FOR (g_strcmp0 (row_count (_si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_TAG, work_id)), "22") == 0);
  spin (600);
  g_assert_cmpstr (row_count (_si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_TAG, work_id)), ==, "22");
  g_assert_cmpstr (row_count (_si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_ALL, 0)), ==, "22");
}

/* A sync's pages change the store several times a second: the sidebar counts at most once a
 * SI_SIDEBAR_REFRESH_GAP_MS (each count's refresh lays the sidebar out again, in a frame of its
 * own; it counted every 250 ms), still counts while the changes go on, and shows the last
 * change's counts once they stop. */
static void
test_sidebar_counts_at_most_every_gap (Fixture       *f,
                                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SiTag) work = si_store_ensure_tag (f->store, "work", &error);
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *expected = NULL;
  gint64 work_id = si_tag_get_id (work);
  gint64 end, next_change = 0;
  guint n_ideas = 1;

  g_assert_no_error (error);
  add_tagged (f->store, "A", work);
  open_window (f, NULL);
  WAIT_FOR (g_strcmp0 (row_count (_si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_TAG, work_id)), "1") == 0);
  spin (400);

  /* An idea every 50 ms for 3 s; each count's start, as it happens. */
  end = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end)
    {
      gint64 started = f->window->sidebar_counted_at;

      if (g_get_monotonic_time () >= next_change)
        {
          g_autofree char *title = g_strdup_printf ("B %u", n_ideas);

          add_tagged (f->store, title, work);
          n_ideas++;
          next_change = g_get_monotonic_time () + 50 * 1000;
        }
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
      if (f->window->sidebar_counted_at != started)
        g_array_append_val (starts, f->window->sidebar_counted_at);
    }

  g_test_message ("%u ideas added, %u counts started", n_ideas - 1, starts->len);
  g_assert_cmpuint (starts->len, >=, 2);
  for (guint i = 1; i < starts->len; i++)
    {
      gint64 gap_ms = (g_array_index (starts, gint64, i) - g_array_index (starts, gint64, i - 1)) / 1000;

      g_test_message ("count %u after %" G_GINT64_FORMAT " ms", i, gap_ms);
      g_assert_cmpint (gap_ms, >=, SI_SIDEBAR_REFRESH_GAP_MS);
    }
  expected = g_strdup_printf ("%u", n_ideas);
  WAIT_FOR (g_strcmp0 (row_count (_si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_TAG, work_id)), expected) == 0);
  g_assert_cmpstr (row_count (_si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_ALL, 0)), ==, expected);
}

static guint
n_tag_rows (SiWindow *window,
            GPtrArray *tags)
{
  guint n = 0;

  for (guint i = 0; i < tags->len; i++)
    if (_si_window_get_sidebar_row (window, SI_COLLECTION_VIEW_TAG, si_tag_get_id (g_ptr_array_index (tags, i))))
      n++;
  return n;
}

/* Fifty tags arriving at once (a first sync's first page brings every tag): their rows come
 * a few per step, not all in one main-loop iteration (10 ms of layout), and all of them within
 * moments, with their counts. */
static void
test_new_tag_rows_in_steps (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) tags = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  guint at_once;

  open_window (f, NULL);
  spin (400);
  g_assert_true (_si_store_begin (f->store, &error));
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *name = g_strdup_printf ("tag%02u", i);
      SiTag *tag = si_store_ensure_tag (f->store, name, &error);

      g_assert_no_error (error);
      g_ptr_array_add (tags, tag);
      add_tagged (f->store, name, tag);
    }
  g_assert_true (_si_store_commit (f->store, &error));
  g_assert_no_error (error);

  WAIT_FOR (n_tag_rows (f->window, tags) > 0);
  at_once = n_tag_rows (f->window, tags);
  g_test_message ("%u of 50 tag rows in the first step", at_once);
  g_assert_cmpuint (at_once, <, 50);
  WAIT_FOR (n_tag_rows (f->window, tags) == 50);
  for (guint i = 0; i < tags->len; i++)
    g_assert_cmpstr (row_count (_si_window_get_sidebar_row (f->window, SI_COLLECTION_VIEW_TAG,
                                                            si_tag_get_id (g_ptr_array_index (tags, i)))), ==, "1");
}

/* The indicator's status changes (once or twice per page of a sync) leave the button's
 * tooltip text alone: setting it asked the X server where the pointer is, each time. The
 * tooltip still shows the whole status, asked for when it is shown. */
static void
test_indicator_status_without_tooltip_text (Fixture       *f,
                                            gconstpointer  data)
{
  g_autoptr(GNetworkMonitor) offline = test_network_monitor_new (FALSE);
  g_autoptr(SiSyncManager) manager = make_manager (f->store, NULL, offline);
  SiSyncIndicator *indicator;
  GtkWidget *button;
  const char *before;
  gboolean handled = FALSE;

  open_window (f, manager);
  indicator = _si_window_get_sync_indicator (f->window);
  button = find_descendant (GTK_WIDGET (indicator), GTK_TYPE_MENU_BUTTON);
  g_assert_nonnull (button);
  before = si_sync_indicator_get_text (indicator);
  g_assert_nonnull (before);
  g_assert_cmpstr (before, !=, "");

  g_assert_true (gtk_widget_get_has_tooltip (button));
  /* Not the status, which changes: the template's fallback. */
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), !=, before);

  /* The tooltip asks for the text when it is shown: the status, whole. */
  {
    g_autoptr(GtkTooltip) tooltip = g_object_new (GTK_TYPE_TOOLTIP, NULL);

    if (tooltip != NULL)
      g_signal_emit_by_name (button, "query-tooltip", 1, 1, FALSE, tooltip, &handled);
  }
  g_assert_true (handled);
}

/* A sync of many small pages: the first N_QUICK_PAGES pages of the change feed, one idea
 * each, each answered QUICK_PAGE_MS after it was asked for (40 pages a second, as in a first
 * sync), then no answer (the sync goes on). */
#define N_QUICK_PAGES 40
#define QUICK_PAGE_MS 25
/* SiSyncIndicator's PROGRESS_INTERVAL_MS. */
#define PROGRESS_INTERVAL_MS 250

static gboolean
answer_later_cb (gpointer msg)
{
  soup_server_message_unpause (msg);
  return G_SOURCE_REMOVE;
}

static void
quick_pages_handler (SoupServer        *server,
                     SoupServerMessage *msg,
                     const char        *path,
                     GHashTable        *query,
                     gpointer           user_data)
{
  GPtrArray *paused = user_data;
  const char *since = query ? g_hash_table_lookup (query, "since") : NULL;
  guint64 k = since ? g_ascii_strtoull (since, NULL, 10) : 0;
  g_autofree char *page = NULL;

  if (!g_str_equal (path, "/api/v1/changes") || k >= N_QUICK_PAGES)
    {
      soup_server_message_pause (msg);
      g_ptr_array_add (paused, g_object_ref (msg));
      return;
    }
  page = g_strdup_printf ("{\"records\":[{\"collection\":\"ideas\",\"id\":%" G_GUINT64_FORMAT ","
                          "\"uid\":\"6f2a0e8e-1b7c-4d8e-9a53-0c4d1e2f%04" G_GUINT64_FORMAT "\",\"version\":%" G_GUINT64_FORMAT ","
                          "\"created_at\":\"2026-11-28T09:00:00Z\",\"updated_at\":\"2026-11-28T09:00:00Z\","
                          "\"deleted\":false,\"title\":\"Quick %" G_GUINT64_FORMAT "\",\"body\":\"\",\"pinned\":false,"
                          "\"tags\":[]}],\"cursor\":%" G_GUINT64_FORMAT ",\"more\":true,\"remaining\":%" G_GUINT64_FORMAT "}",
                          k + 1, k + 1, k + 1, k + 1, k + 1, (guint64) 1000 - k - 1);
  soup_message_headers_append (soup_server_message_get_response_headers (msg),
                               "Saveidea-Instance", "543f3af9-1fc8-491c-bd00-85ffd97d9354");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, page, strlen (page));
  page = NULL;
  soup_server_message_pause (msg);
  g_timeout_add_full (G_PRIORITY_DEFAULT, QUICK_PAGE_MS, answer_later_cb, g_object_ref (msg), g_object_unref);
}

typedef struct {
  char   *last;
  GArray *times;   /* monotonic µs of each new progress text */
} TextLog;

static void
indicator_text_cb (SiSyncIndicator *indicator,
                   GParamSpec      *pspec,
                   TextLog         *log)
{
  const char *text = si_sync_indicator_get_text (indicator);
  gint64 now = g_get_monotonic_time ();

  if (g_strcmp0 (text, log->last) == 0 || !g_str_has_prefix (text, "Syncing "))
    return;
  g_free (log->last);
  log->last = g_strdup (text);
  g_array_append_val (log->times, now);
}

/* A sync's pages, dozens a second, move the header's progress at most every
 * PROGRESS_INTERVAL_MS: each change of its texts had GTK lay out the whole window again. The
 * last page's count is shown when its turn comes. */
static void
test_indicator_progress_at_most_every_interval (Fixture       *f,
                                                gconstpointer  data)
{
  g_autoptr(GNetworkMonitor) monitor = test_network_monitor_new (TRUE);
  g_autoptr(SiSyncManager) manager = NULL;
  g_autoptr(GPtrArray) paused = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autofree char *url = NULL;
  g_autofree char *final = NULL;
  TextLog log = { NULL, g_array_new (FALSE, FALSE, sizeof (gint64)) };
  SiSyncIndicator *indicator;
  gint64 start;

  soup_server_add_handler (server, NULL, quick_pages_handler, paused, NULL);
  url = si_test_listen_local (server);

  manager = make_manager (f->store, url, monitor);
  open_window (f, manager);
  indicator = _si_window_get_sync_indicator (f->window);
  g_signal_connect (indicator, "notify::text", G_CALLBACK (indicator_text_cb), &log);
  start = g_get_monotonic_time ();
  si_sync_manager_start (manager);

  WAIT_FOR (si_sync_manager_get_progress_done (manager) == N_QUICK_PAGES);
  g_test_message ("%u pages in %" G_GINT64_FORMAT " ms, %u progress texts", N_QUICK_PAGES,
                  (g_get_monotonic_time () - start) / 1000, log.times->len);
  /* The last page's count comes too, within the interval. */
  final = g_strdup_printf ("Syncing %u of 1,000", N_QUICK_PAGES);
  WAIT_FOR (g_strcmp0 (si_sync_indicator_get_text (indicator), final) == 0);
  g_assert_cmpuint (si_sync_manager_get_state (manager), ==, SI_SYNC_MANAGER_STATE_SYNCING);
  g_assert_cmpuint (log.times->len, >=, 2);
  for (guint i = 1; i < log.times->len; i++)
    {
      gint64 gap_ms = (g_array_index (log.times, gint64, i) - g_array_index (log.times, gint64, i - 1)) / 1000;

      g_test_message ("progress text %u after %" G_GINT64_FORMAT " ms", i, gap_ms);
      g_assert_cmpint (gap_ms, >=, PROGRESS_INTERVAL_MS - 10);
    }

  g_signal_handlers_disconnect_by_func (indicator, indicator_text_cb, &log);
  si_sync_manager_cancel (manager);
  si_sync_manager_stop (manager);
  for (guint i = 0; i < paused->len; i++)
    {
      soup_server_message_set_status (paused->pdata[i], SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      soup_server_message_unpause (paused->pdata[i]);
    }
  soup_server_disconnect (server);
  g_array_unref (log.times);
  g_free (log.last);
}

int
main (int   argc,
      char *argv[])
{
  si_test_app_init (&argc, &argv);

  g_test_add ("/app-stall/sidebar-counted-on-worker", Fixture, NULL, fixture_setup,
              test_sidebar_counted_on_worker, fixture_teardown);
  g_test_add ("/app-stall/sidebar-counts-at-most-every-gap", Fixture, NULL, fixture_setup,
              test_sidebar_counts_at_most_every_gap, fixture_teardown);
  g_test_add ("/app-stall/new-tag-rows-in-steps", Fixture, NULL, fixture_setup,
              test_new_tag_rows_in_steps, fixture_teardown);
  g_test_add ("/app-stall/indicator-status-without-tooltip-text", Fixture, NULL, fixture_setup,
              test_indicator_status_without_tooltip_text, fixture_teardown);
  g_test_add ("/app-stall/indicator-progress-at-most-every-interval", Fixture, NULL, fixture_setup,
              test_indicator_progress_at_most_every_interval, fixture_teardown);

  return g_test_run ();
}
