/* si-application.c — the application: one instance per session (D-Bus activatable), opening the
 * offline store, the sync account and manager, and the main window.
 *
 * The app works without any server: the notebook is on disk first, and syncing starts only once
 * an account is set up in the preferences. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "si-application.h"
#include "si-background.h"
#include "si-capture-window.h"
#include "si-preferences-window.h"
#include "si-search-provider.h"
#include "si-window.h"
#include "si-worker.h"

struct _SiApplication
{
  AdwApplication  parent_instance;

  SiStore        *store;
  SiAccount      *account;
  SiSyncManager  *manager;
  SiBackground   *background;
  GSettings      *settings;
  char           *db_path;
  gboolean        capture_only;  /* `saveidea --new` started this instance */
  SiSearchProvider *search_provider;
  /* SAVEIDEA_BENCH_FIRST_SYNC: the longest gap between the ticks of a high-priority timeout
   * since the first sync's first page came (µs over the tick's interval). */
  guint           bench_tick_id;
  gint64          bench_last_tick;
  gint64          bench_last_cpu;   /* the main thread's CPU time at the last tick */
  gint64          bench_busy_us;    /* the most of it spent between two ticks */
  gint64          bench_stall_us;
  guint           bench_gaps[4];    /* gaps over 10, 15, 20 and 50 ms */
  guint           bench_ticks;
  /* The same gaps less the main thread's wait for a core in them (a busy machine's part):
   * /proc/thread-self/schedstat's run delay, read through bench_schedstat_fd (-1: none). */
  int             bench_schedstat_fd;
  gint64          bench_last_wait;
  gint64          bench_own_stall_us;
  guint           bench_own_gaps_over_20;
  /* SAVEIDEA_BENCH_FIRST_SYNC: when (monotonic µs) the window was built and presented, and the
   * first request to the server was written (0 until then). */
  gint64          bench_window_built;
  gint64          bench_presented;
  FILE           *bench_gap_log;   /* SAVEIDEA_BENCH_GAP_LOG: each gap over 8 ms, to profile */
};

/* The first request's headers written to the server (SAVEIDEA_BENCH_FIRST_SYNC), and the main
 * thread's CPU time (µs) until then. */
static gint64 bench_first_request;
static gint64 bench_first_request_cpu;

G_DEFINE_FINAL_TYPE (SiApplication, si_application, ADW_TYPE_APPLICATION)

static void
show_fatal_error (SiApplication *self,
                  const char    *message)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (NULL, _("Your Notebook Could Not Be Opened"), message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

static GSettings *
settings_if_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source)
    schema = g_settings_schema_source_lookup (source, BASE_APP_ID, TRUE);
  return schema ? g_settings_new (BASE_APP_ID) : NULL;
}

static gboolean
minutes_to_seconds (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  g_value_set_uint (value, g_variant_get_uint32 (variant) * 60);
  return TRUE;
}

static GVariant *
seconds_to_minutes (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  return g_variant_new_uint32 (MAX (1, g_value_get_uint (value) / 60));
}

static gboolean
open_notebook (SiApplication  *self,
               GError        **error)
{
  if (self->manager)
    return TRUE;
  if (!self->store && !(self->store = si_store_new (self->db_path, error)))
    return FALSE;

  self->account = si_account_new (self->store);
  self->manager = si_sync_manager_new (self->store, self->account);
  if (self->settings)
    {
      g_settings_bind_with_mapping (self->settings, "sync-interval", self->manager, "interval",
                                    G_SETTINGS_BIND_GET, minutes_to_seconds, seconds_to_minutes, NULL, NULL);
      g_settings_bind (self->settings, "auto-push", self->manager, "auto-push", G_SETTINGS_BIND_GET);
    }
  self->background = si_background_new (GTK_APPLICATION (self), self->manager, self->settings);
  si_sync_manager_start (self->manager);
  return TRUE;
}

/* Milliseconds since this process started (the kernel's start time, in clock ticks). */
static double
ms_since_process_start (void)
{
  g_autofree char *stat = NULL;
  const char *fields;
  guint64 start_ticks = 0;
  struct timespec now;

  if (!g_file_get_contents ("/proc/self/stat", &stat, NULL, NULL) ||
      !(fields = strrchr (stat, ')')) ||
      /* the 22nd field, after state, 5 ids, 7 counters and 6 more numbers */
      sscanf (fields + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d"
                          " %" G_GUINT64_FORMAT, &start_ticks) != 1 ||
      clock_gettime (CLOCK_BOOTTIME, &now) != 0)
    return -1.0;
  return now.tv_sec * 1000.0 + now.tv_nsec / 1e6 - start_ticks * 1000.0 / sysconf (_SC_CLK_TCK);
}

/* SAVEIDEA_BENCH_FIRST_FRAME=1 (bench/bench-first-frame.c): once the main window has painted its
 * first frame, print when, then quit. The monotonic time lets a benchmark that started this
 * process measure to the microsecond; the kernel's start time is only precise to a tick. */
static void
first_frame_painted (GdkFrameClock *clock,
                     SiApplication *self)
{
  g_signal_handlers_disconnect_by_func (clock, first_frame_painted, self);
  g_print ("first-frame %.1f ms after the process started, monotonic %" G_GINT64_FORMAT " us\n",
           ms_since_process_start (), g_get_monotonic_time ());
  g_application_quit (G_APPLICATION (self));
}

#define BENCH_TICK_MS 2

/* This thread's CPU time (µs). */
static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* How long this thread has waited for a core while runnable (µs), from its schedstat open as
 * @fd; 0 where the kernel does not say. */
static gint64
thread_wait_us (int fd)
{
  char buf[128];
  ssize_t n = fd >= 0 ? pread (fd, buf, sizeof buf - 1, 0) : -1;
  unsigned long long cpu_ns, wait_ns;

  if (n <= 0)
    return 0;
  buf[n] = '\0';
  if (sscanf (buf, "%llu %llu", &cpu_ns, &wait_ns) != 2)
    return 0;
  return (gint64) (wait_ns / 1000);
}

static void
bench_close_schedstat (SiApplication *self)
{
  if (self->bench_schedstat_fd >= 0)
    close (self->bench_schedstat_fd);
  self->bench_schedstat_fd = -1;
}

/* The first SoupMessage of the process whose request headers went out: the sync's first. */
static gboolean
first_request_written (GSignalInvocationHint *hint,
                       guint                  n_params,
                       const GValue          *params,
                       gpointer               user_data)
{
  bench_first_request = g_get_monotonic_time ();
  bench_first_request_cpu = thread_cpu_us ();
  return FALSE;
}

static gboolean
bench_tick (gpointer user_data)
{
  SiApplication *self = user_data;
  gint64 now = g_get_monotonic_time ();

  gint64 cpu = thread_cpu_us ();
  gint64 wait = thread_wait_us (self->bench_schedstat_fd);
  gint64 gap = now - self->bench_last_tick - BENCH_TICK_MS * 1000;
  gint64 own = gap - (wait - self->bench_last_wait);
  static const gint64 bounds[G_N_ELEMENTS (self->bench_gaps)] = { 10000, 15000, 20000, 50000 };

  if (gap > 15000)
    g_debug ("The main loop stalled for %.1f ms (%.1f ms of its CPU)", gap / 1000.0,
             (cpu - self->bench_last_cpu) / 1000.0);
  self->bench_stall_us = MAX (self->bench_stall_us, gap);
  /* How many gaps are long, not only the longest: on a shared machine one gap is noise. */
  self->bench_ticks++;
  for (guint i = 0; i < G_N_ELEMENTS (bounds); i++)
    if (gap > bounds[i])
      self->bench_gaps[i]++;
  /* What the main thread itself spent in the gap: a gap of a busy machine (the main thread
   * waiting for a core) spends little of it. */
  self->bench_busy_us = MAX (self->bench_busy_us, cpu - self->bench_last_cpu);
  self->bench_own_stall_us = MAX (self->bench_own_stall_us, own);
  if (own > 20000)
    self->bench_own_gaps_over_20++;
  /* Its monotonic start and end (perf record -k mono's clock) and CPU, in µs. */
  if (self->bench_gap_log != NULL && gap > 8000)
    fprintf (self->bench_gap_log, "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n",
             self->bench_last_tick, now, cpu - self->bench_last_cpu, wait - self->bench_last_wait);
  self->bench_last_cpu = cpu;
  self->bench_last_wait = wait;
  self->bench_last_tick = now;
  return G_SOURCE_CONTINUE;
}

/* The first sync's first page has come: from now on, how long the main loop goes without
 * running a high-priority timeout (what a person sees as the window freezing). */
static void
first_sync_progress (SiSyncManager *manager,
                     GParamSpec    *pspec,
                     SiApplication *self)
{
  g_signal_handlers_disconnect_by_func (manager, first_sync_progress, self);
  if (g_getenv ("SAVEIDEA_BENCH_GAP_LOG") != NULL)
    self->bench_gap_log = fopen (g_getenv ("SAVEIDEA_BENCH_GAP_LOG"), "w");
  self->bench_last_tick = g_get_monotonic_time ();
  self->bench_last_cpu = thread_cpu_us ();
  self->bench_schedstat_fd = open ("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
  self->bench_last_wait = thread_wait_us (self->bench_schedstat_fd);
  self->bench_tick_id = g_timeout_add_full (G_PRIORITY_HIGH, BENCH_TICK_MS, bench_tick, self, NULL);
}

/* SAVEIDEA_BENCH_FIRST_SYNC=1 (bench/bench-cli-sync.c): once the first sync has succeeded,
 * with the window and its list live the whole time, print when and the longest stall of the
 * main loop meanwhile, then quit. */
static void
first_sync_done (SiSyncManager *manager,
                 GParamSpec    *pspec,
                 SiApplication *self)
{
  if (si_sync_manager_get_last_sync_time (manager) == 0)
    return;
  g_signal_handlers_disconnect_by_func (manager, first_sync_done, self);
  g_signal_handlers_disconnect_by_func (manager, first_sync_progress, self);
  g_clear_handle_id (&self->bench_tick_id, g_source_remove);
  g_clear_pointer (&self->bench_gap_log, fclose);
  bench_close_schedstat (self);
  g_print ("first-sync done, monotonic %" G_GINT64_FORMAT " us, longest stall %" G_GINT64_FORMAT
           " us, busiest %" G_GINT64_FORMAT " us, ticks %u, gaps over 10 15 20 50 ms %u %u %u %u\n",
           g_get_monotonic_time (), self->bench_stall_us, self->bench_busy_us, self->bench_ticks,
           self->bench_gaps[0], self->bench_gaps[1], self->bench_gaps[2], self->bench_gaps[3]);
  g_print ("first-sync gaps less the wait for a core: longest %" G_GINT64_FORMAT " us, over 20 ms %u\n",
           self->bench_own_stall_us, self->bench_own_gaps_over_20);
  g_print ("first-sync start-up, monotonic us: window built %" G_GINT64_FORMAT ", presented %" G_GINT64_FORMAT
           ", first request %" G_GINT64_FORMAT " (main thread CPU %" G_GINT64_FORMAT " us)\n",
           self->bench_window_built, self->bench_presented, bench_first_request, bench_first_request_cpu);
  {
    /* The CPU the whole sync cost: the main thread's, and the process's with its workers. */
    struct rusage usage;

    getrusage (RUSAGE_SELF, &usage);
    g_print ("first-sync CPU us: main thread %" G_GINT64_FORMAT ", process %" G_GINT64_FORMAT "\n", thread_cpu_us (),
             (gint64) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * G_USEC_PER_SEC +
             usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
  }
  g_application_quit (G_APPLICATION (self));
}

static void
si_application_activate (GApplication *app)
{
  SiApplication *self = SI_APPLICATION (app);
  GdkFrameClock *clock;
  GtkWindow *window;
  gboolean bench_first_sync = g_strcmp0 (g_getenv ("SAVEIDEA_BENCH_FIRST_SYNC"), "1") == 0;

  /* `saveidea --new` starting the app opens only the quick capture window. */
  if (self->capture_only)
    {
      self->capture_only = FALSE;
      g_action_group_activate_action (G_ACTION_GROUP (app), "new-idea", NULL);
      return;
    }

  window = si_application_get_main_window (self);
  if (window == NULL)
    {
      g_autoptr(GError) error = NULL;

      if (bench_first_sync)
        {
          /* The class, so that its signals exist. */
          GTypeClass *message_class = g_type_class_ref (SOUP_TYPE_MESSAGE);

          g_signal_add_emission_hook (g_signal_lookup ("wrote-headers", SOUP_TYPE_MESSAGE), 0,
                                      first_request_written, NULL, NULL);
          g_type_class_unref (message_class);
        }
      if (!open_notebook (self, &error))
        {
          g_warning ("%s", error->message);
          show_fatal_error (self, error->message);
          return;
        }
      window = GTK_WINDOW (si_window_new (self, self->store, self->manager));
      self->bench_window_built = g_get_monotonic_time ();
    }
  gtk_window_present (window);
  if (self->bench_presented == 0)
    self->bench_presented = g_get_monotonic_time ();

  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  if (clock != NULL && g_strcmp0 (g_getenv ("SAVEIDEA_BENCH_FIRST_FRAME"), "1") == 0)
    g_signal_connect (clock, "after-paint", G_CALLBACK (first_frame_painted), self);
  if (self->manager != NULL && bench_first_sync)
    {
      g_signal_connect (self->manager, "notify::last-sync-time", G_CALLBACK (first_sync_done), self);
      g_signal_connect (self->manager, "notify::progress-done", G_CALLBACK (first_sync_progress), self);
    }
}

static void
si_application_startup (GApplication *app)
{
  static const char *new_accels[] = { "<Control>n", NULL };
  static const char *delete_accels[] = { "<Control>d", NULL };
  static const char *pin_accels[] = { "<Control>p", NULL };
  static const char *history_accels[] = { "<Control><Shift>h", NULL };
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  static const char *sync_accels[] = { "<Control>r", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };
  static const char *help_accels[] = { "<Control>question", NULL };
  SiApplication *self = SI_APPLICATION (app);

  G_APPLICATION_CLASS (si_application_parent_class)->startup (app);

  /* A sync's pages and the search fill wait for a core rather than the window's frames. */
  si_worker_set_nice (SI_WORKER_NICE_BACKGROUND);

  self->settings = settings_if_installed ();
  if (self->settings == NULL)
    g_debug ("The GSettings schema %s is not installed; preferences are not kept", BASE_APP_ID);

  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "window.close", close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.sync-now", sync_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", prefs_accels);
  /* GTK's own, which it sets only for a resource's gtk/help-overlay.ui: the window builds its
   * shortcuts window when first shown (_si_window_ensure_help_overlay()). */
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay", help_accels);
  /* Shown in menus; the window's own binding does the same where there is no application. */
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "idea.new", new_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "idea.delete", delete_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "idea.pin", pin_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "idea.history", history_accels);
}

static void
si_application_shutdown (GApplication *app)
{
  SiApplication *self = SI_APPLICATION (app);

  if (self->manager)
    si_sync_manager_stop (self->manager);

  G_APPLICATION_CLASS (si_application_parent_class)->shutdown (app);
}

/* The Shell's search provider, beside the application's own object. */
static gboolean
si_application_dbus_register (GApplication     *app,
                              GDBusConnection  *connection,
                              const char       *object_path,
                              GError          **error)
{
  SiApplication *self = SI_APPLICATION (app);

  if (!G_APPLICATION_CLASS (si_application_parent_class)->dbus_register (app, connection, object_path, error))
    return FALSE;
  if (self->search_provider == NULL)
    self->search_provider = si_search_provider_new (self);
  return si_search_provider_export (self->search_provider, connection, object_path, error);
}

static void
si_application_dbus_unregister (GApplication    *app,
                                GDBusConnection *connection,
                                const char      *object_path)
{
  SiApplication *self = SI_APPLICATION (app);

  if (self->search_provider)
    si_search_provider_unexport (self->search_provider);
  G_APPLICATION_CLASS (si_application_parent_class)->dbus_unregister (app, connection, object_path);
}

static gint
si_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  SiApplication *self = SI_APPLICATION (app);
  const char *path = NULL;

  if (g_variant_dict_lookup (options, "db", "^&ay", &path))
    self->db_path = g_canonicalize_filename (path, NULL);
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("saveidea %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (g_variant_dict_contains (options, "new"))
    {
      g_autoptr(GError) error = NULL;

      /* A running instance opens the capture window itself, on the notebook it has open. */
      if (!g_application_register (app, NULL, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      if (g_application_get_is_remote (app))
        {
          g_action_group_activate_action (G_ACTION_GROUP (app), "new-idea", NULL);
          return 0;
        }
      self->capture_only = TRUE;
    }
  return -1;
}

static void
si_application_dispose (GObject *object)
{
  SiApplication *self = SI_APPLICATION (object);

  if (self->manager)
    si_sync_manager_stop (self->manager);
  g_clear_handle_id (&self->bench_tick_id, g_source_remove);
  g_clear_pointer (&self->bench_gap_log, fclose);
  bench_close_schedstat (self);
  g_clear_object (&self->background);
  g_clear_object (&self->search_provider);
  g_clear_object (&self->manager);
  g_clear_object (&self->account);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (si_application_parent_class)->dispose (object);
}

static void
si_application_finalize (GObject *object)
{
  SiApplication *self = SI_APPLICATION (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->db_path, g_free);

  G_OBJECT_CLASS (si_application_parent_class)->finalize (object);
}

static void
si_application_class_init (SiApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = si_application_dispose;
  object_class->finalize = si_application_finalize;
  app_class->activate = si_application_activate;
  app_class->startup = si_application_startup;
  app_class->shutdown = si_application_shutdown;
  app_class->handle_local_options = si_application_handle_local_options;
  app_class->dbus_register = si_application_dbus_register;
  app_class->dbus_unregister = si_application_dbus_unregister;
}

/* Actions ------------------------------------------------------------------------------------- */

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  SiApplication *self = SI_APPLICATION (user_data);
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Pushes what waits first (a few seconds at most); closes the windows itself. */
  if (self->background)
    {
      si_background_quit (self->background);
      return;
    }

  /* Through close-request, so each window saves what was typed last. */
  g_autoptr(GList) copy = g_list_copy (windows);

  for (GList *iter = copy; iter; iter = iter->next)
    gtk_window_close (iter->data);
  g_application_quit (G_APPLICATION (self));
}

/* A notification's action: the window (opened if there is none) on one idea. */
static void
open_idea_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  SiApplication *self = SI_APPLICATION (user_data);
  GtkWindow *window;

  g_application_activate (G_APPLICATION (self));
  /* The main window, which activate opened if there was none (not a quick capture window). */
  window = si_application_get_main_window (self);
  if (SI_IS_WINDOW (window))
    si_window_open_idea (SI_WINDOW (window), g_variant_get_int64 (parameter));
}

/* Quick capture: `saveidea --new`, the desktop file's New Idea action, `gapplication action`. */
static void
new_idea_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  SiApplication *self = SI_APPLICATION (user_data);
  g_autoptr(GError) error = NULL;

  if (!open_notebook (self, &error))
    {
      g_warning ("%s", error->message);
      show_fatal_error (self, error->message);
      return;
    }
  /* The shortcut pressed twice: the blank capture window again, not a second one. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (SI_IS_CAPTURE_WINDOW (l->data) && si_capture_window_is_blank (l->data))
      {
        gtk_window_present (l->data);
        return;
      }
  gtk_window_present (GTK_WINDOW (si_capture_window_new (GTK_APPLICATION (self), self->store)));
}

static void
sync_now_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  SiApplication *self = SI_APPLICATION (user_data);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (SI_IS_WINDOW (window))
    si_window_save_now (SI_WINDOW (window));
  if (self->manager)
    si_sync_manager_sync_now (self->manager);
}

/* Opens the sync indicator's popover: for a notification, or `gapplication action`. */
static void
show_sync_status_activated (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  SiApplication *self = SI_APPLICATION (user_data);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (SI_IS_WINDOW (window))
    {
      gtk_window_present (window);
      si_window_show_sync_status (SI_WINDOW (window));
    }
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  SiApplication *self = SI_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  SiPreferencesWindow *prefs = si_preferences_window_new (parent, self->manager, self->settings);

  gtk_window_present (GTK_WINDOW (prefs));
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  SiApplication *self = SI_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  static const char *developers[] = { "The Saveidea developers", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "application-name", _("Saveidea"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Saveidea developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Write an idea down the moment you have it, with or without a network. It is saved on your computer at once and synced through a server you host yourself."),
                        "website", "https://github.com/saveidea/saveidea",
                        "issue-url", "https://github.com/saveidea/saveidea/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        /* Translators: your name and address, one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
si_application_init (SiApplication *self)
{
  static const GActionEntry actions[] = {
    { .name = "quit", .activate = quit_activated },
    { .name = "new-idea", .activate = new_idea_activated },
    { .name = "sync-now", .activate = sync_now_activated },
    { .name = "preferences", .activate = preferences_activated },
    { .name = "show-sync-status", .activate = show_sync_status_activated },
    { .name = "about", .activate = about_activated },
    { .name = "open-idea", .activate = open_idea_activated, .parameter_type = "x" },
  };
  static const GOptionEntry options[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_("Use the notebook database at PATH"), N_("PATH") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and exit"), NULL },
    { "new", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Write down a new idea in a small window"), NULL },
    { NULL }
  };

  self->bench_schedstat_fd = -1;
  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

SiApplication *
si_application_new (void)
{
  return g_object_new (SI_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/saveidea/Saveidea",
                       NULL);
}

SiStore *
si_application_get_store (SiApplication *self)
{
  g_return_val_if_fail (SI_IS_APPLICATION (self), NULL);
  return self->store;
}

/**
 * si_application_ensure_store:
 *
 * The notebook, opened if no window has opened it yet: the search provider may be asked before
 * there is a window, or with none at all. Syncing starts with the first window.
 *
 * Returns: (transfer none) (nullable): the store, or NULL with @error
 */
SiStore *
si_application_ensure_store (SiApplication  *self,
                             GError        **error)
{
  g_return_val_if_fail (SI_IS_APPLICATION (self), NULL);

  if (!self->store && !(self->store = si_store_new (self->db_path, error)))
    return NULL;
  return self->store;
}

SiSyncManager *
si_application_get_sync_manager (SiApplication *self)
{
  g_return_val_if_fail (SI_IS_APPLICATION (self), NULL);
  return self->manager;
}

GSettings *
si_application_get_settings (SiApplication *self)
{
  g_return_val_if_fail (SI_IS_APPLICATION (self), NULL);
  return self->settings;
}

SiBackground *
_si_application_get_background (SiApplication *self)
{
  g_return_val_if_fail (SI_IS_APPLICATION (self), NULL);
  return self->background;
}

/* The main window, if one is open (the active window may be a quick capture window). */
GtkWindow *
si_application_get_main_window (SiApplication *self)
{
  g_return_val_if_fail (SI_IS_APPLICATION (self), NULL);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (SI_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}
