/* si-background.c — the application after its last window: a bounded push of what waits before
 * it quits, or, with "Keep syncing when the window is closed", a hold that keeps it running
 * (announced to the Background portal where there is one), and conflict notifications. */
#define G_LOG_DOMAIN "saveidea-app"

#include "config.h"

#include <glib/gi18n.h>

#include "si-background.h"

#define CONFLICT_NOTIFICATION "sync-conflict"

struct _SiBackground
{
  GObject         parent_instance;

  GtkApplication *app;             /* weak: the application owns this object */
  SiSyncManager  *manager;
  GSettings      *settings;

  gboolean        held;            /* the keep-syncing hold */
  gboolean        flushing;        /* a hold while the waiting changes go out */
  gboolean        quit_after_flush;
  gboolean        quitting;
  guint           flush_timeout_id;
  guint           flush_again_id;
  gulong          finished_handler;

  guint           conflicts;
  gint64          notified_id;
};

G_DEFINE_FINAL_TYPE (SiBackground, si_background, G_TYPE_OBJECT)

/* Flushing on close ---------------------------------------------------------------------------- */

static gboolean
can_sync (SiBackground *self)
{
  SiSyncManagerState state = si_sync_manager_get_state (self->manager);

  return si_account_get_configured (si_sync_manager_get_account (self->manager)) &&
         state != SI_SYNC_MANAGER_STATE_DISABLED && state != SI_SYNC_MANAGER_STATE_NEEDS_LOGIN;
}

/* From the notebook itself: the manager's count follows the store's "changed" signal. */
static guint
waiting_changes (SiBackground *self)
{
  return si_store_count_pending (si_sync_manager_get_store (self->manager), NULL);
}

static void
end_flush (SiBackground *self,
           gboolean      timed_out)
{
  gboolean quit = self->quit_after_flush;

  g_clear_signal_handler (&self->finished_handler, self->manager);
  g_clear_handle_id (&self->flush_timeout_id, g_source_remove);
  g_clear_handle_id (&self->flush_again_id, g_source_remove);
  self->flushing = FALSE;
  self->quit_after_flush = FALSE;
  if (timed_out)
    {
      /* The changes stay in the notebook and go out at the next start. */
      g_message ("The server did not answer within %u ms; quitting with %u changes waiting",
                 SI_BACKGROUND_FLUSH_TIMEOUT_MS, waiting_changes (self));
      si_sync_manager_cancel (self->manager);
    }
  g_application_release (G_APPLICATION (self->app));
  if (quit)
    g_application_quit (G_APPLICATION (self->app));
}

static gboolean
flush_timed_out (gpointer user_data)
{
  SiBackground *self = user_data;

  self->flush_timeout_id = 0;
  end_flush (self, TRUE);
  return G_SOURCE_REMOVE;
}

/* Changes made during the sync that just ended: one more, unless the manager runs it already. */
static gboolean
flush_again (gpointer user_data)
{
  SiBackground *self = user_data;

  self->flush_again_id = 0;
  if (si_sync_manager_get_state (self->manager) != SI_SYNC_MANAGER_STATE_SYNCING)
    si_sync_manager_sync_now (self->manager);
  if (si_sync_manager_get_state (self->manager) != SI_SYNC_MANAGER_STATE_SYNCING)
    end_flush (self, FALSE);
  return G_SOURCE_REMOVE;
}

static void
flush_sync_finished (SiSyncManager      *manager,
                     const SiSyncReport *report,
                     const GError       *error,
                     SiBackground       *self)
{
  if (error != NULL || waiting_changes (self) == 0)
    end_flush (self, FALSE);
  else if (self->flush_again_id == 0)
    self->flush_again_id = g_idle_add (flush_again, self);
}

/* Holds the application until what waits is on the server, or SI_BACKGROUND_FLUSH_TIMEOUT_MS. */
static void
flush (SiBackground *self,
       gboolean      quit_after)
{
  if (self->flushing)
    {
      self->quit_after_flush |= quit_after;
      return;
    }
  if (!can_sync (self) ||
      (waiting_changes (self) == 0 &&
       si_sync_manager_get_state (self->manager) != SI_SYNC_MANAGER_STATE_SYNCING))
    {
      if (quit_after)
        g_application_quit (G_APPLICATION (self->app));
      return;
    }

  g_debug ("Pushing %u waiting changes before quitting", waiting_changes (self));
  self->flushing = TRUE;
  self->quit_after_flush = quit_after;
  g_application_hold (G_APPLICATION (self->app));
  self->finished_handler = g_signal_connect (self->manager, "sync-finished", G_CALLBACK (flush_sync_finished), self);
  self->flush_timeout_id = g_timeout_add (SI_BACKGROUND_FLUSH_TIMEOUT_MS, flush_timed_out, self);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->flush_timeout_id),
                            "[saveidea] push before quitting");
  si_sync_manager_sync_now (self->manager);
  /* Offline, or nothing to do after all: no sync started, nothing to wait for. */
  if (si_sync_manager_get_state (self->manager) != SI_SYNC_MANAGER_STATE_SYNCING)
    end_flush (self, FALSE);
}

/* Keeping on in the background ----------------------------------------------------------------- */

static void
portal_replied (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  /* No portal (a desktop without one, a test): the hold alone keeps the application running. */
  if (reply == NULL)
    g_debug ("The Background portal is not available: %s", error->message);
}

/* Tells the desktop that the application runs on purpose with no window: in the Flatpak this is
 * what allows it, and GNOME lists it among the background apps (where it can be ended). */
static void
request_background (SiBackground *self)
{
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (self->app));
  GVariantBuilder options;
  gboolean sandboxed = g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);

  if (bus == NULL)
    return;
  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "reason",
                         g_variant_new_string (_("Keeps your notebook synced while its window is closed")));
  g_variant_builder_add (&options, "{sv}", "autostart", g_variant_new_boolean (FALSE));
  /* Outside the Flatpak a portal that does not run already is not started for this. */
  g_dbus_connection_call (bus, "org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop",
                          "org.freedesktop.portal.Background", "RequestBackground",
                          g_variant_new ("(sa{sv})", "", &options), G_VARIANT_TYPE ("(o)"),
                          sandboxed ? G_DBUS_CALL_FLAGS_NONE : G_DBUS_CALL_FLAGS_NO_AUTO_START,
                          -1, NULL, portal_replied, NULL);
}

static gboolean
keep_syncing (SiBackground *self)
{
  return self->settings != NULL && g_settings_get_boolean (self->settings, "run-in-background") &&
         si_account_get_configured (si_sync_manager_get_account (self->manager));
}

static void
window_removed (GtkApplication *app,
                GtkWindow      *window,
                SiBackground   *self)
{
  if (gtk_application_get_windows (app) != NULL || self->quitting)
    return;
  if (keep_syncing (self))
    {
      if (!self->held)
        {
          g_debug ("The window is closed; syncing goes on in the background");
          self->held = TRUE;
          g_application_hold (G_APPLICATION (app));
          request_background (self);
        }
      return;
    }
  if (self->held)
    {
      /* Turned off since: this close is the last one. */
      self->held = FALSE;
      g_application_release (G_APPLICATION (app));
    }
  flush (self, FALSE);
}

/* Conflicts ------------------------------------------------------------------------------------ */

static gboolean
window_in_front (SiBackground *self)
{
  for (GList *iter = gtk_application_get_windows (self->app); iter; iter = iter->next)
    if (gtk_widget_get_visible (iter->data) && gtk_window_is_active (iter->data))
      return TRUE;
  return FALSE;
}

static void
notify_conflict (SiBackground *self)
{
  SiStore *store = si_sync_manager_get_store (self->manager);
  SiIdeaFilter filter = { .conflicts_only = TRUE };
  g_autoptr(GArray) keys = si_store_query_ideas (store, &filter, NULL);
  g_autoptr(SiIdea) idea = NULL;
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *body = NULL;
  const char *title;
  gint64 id;

  if (keys == NULL || keys->len == 0)
    return;
  /* The newest copy: the one this sync made. */
  id = g_array_index (keys, SiIdeaKey, 0).id;
  if ((idea = si_store_get_idea (store, id, NULL)) == NULL)
    return;
  title = si_idea_get_title (idea);
  if (title != NULL && *title != '\0')
    /* Translators: %s is an idea's title */
    body = g_strdup_printf (_("“%s” was changed on two devices. Both versions are kept: choose the one to keep."), title);
  else
    body = g_strdup (_("An idea was changed on two devices. Both versions are kept: choose the one to keep."));

  notification = g_notification_new (_("Sync Conflict"));
  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.open-idea", "x", id);
  g_application_send_notification (G_APPLICATION (self->app), CONFLICT_NOTIFICATION, notification);
  self->notified_id = id;
}

static void
conflicts_changed (SiBackground *self)
{
  guint conflicts = si_sync_manager_get_conflicts (self->manager);

  if (conflicts > self->conflicts && !window_in_front (self))
    notify_conflict (self);
  else if (conflicts == 0 && self->notified_id != 0)
    {
      g_application_withdraw_notification (G_APPLICATION (self->app), CONFLICT_NOTIFICATION);
      self->notified_id = 0;
    }
  self->conflicts = conflicts;
}

/* Public --------------------------------------------------------------------------------------- */

SiBackground *
si_background_new (GtkApplication *app,
                   SiSyncManager  *manager,
                   GSettings      *settings)
{
  SiBackground *self;

  g_return_val_if_fail (GTK_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (SI_IS_SYNC_MANAGER (manager), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (SI_TYPE_BACKGROUND, NULL);
  self->app = app;
  self->manager = g_object_ref (manager);
  self->settings = settings ? g_object_ref (settings) : NULL;
  self->conflicts = si_sync_manager_get_conflicts (manager);
  g_signal_connect_object (app, "window-removed", G_CALLBACK (window_removed), self, 0);
  g_signal_connect_object (manager, "notify::conflicts", G_CALLBACK (conflicts_changed), self,
                           G_CONNECT_SWAPPED);
  return self;
}

void
si_background_quit (SiBackground *self)
{
  GApplication *app;
  g_autoptr(GList) windows = NULL;

  g_return_if_fail (SI_IS_BACKGROUND (self));
  app = G_APPLICATION (self->app);

  if (self->quitting || self->flushing)
    {
      /* Asked twice: no more waiting for the server; what waits goes out at the next start. */
      g_application_quit (app);
      return;
    }
  self->quitting = TRUE;
  /* Through close-request, so each window saves what was typed last. */
  windows = g_list_copy (gtk_application_get_windows (self->app));
  for (GList *iter = windows; iter; iter = iter->next)
    gtk_window_close (iter->data);
  if (self->held)
    {
      self->held = FALSE;
      g_application_release (app);
    }
  flush (self, TRUE);
}

gint64
_si_background_get_notified_idea (SiBackground *self)
{
  g_return_val_if_fail (SI_IS_BACKGROUND (self), 0);
  return self->notified_id;
}

static void
si_background_dispose (GObject *object)
{
  SiBackground *self = SI_BACKGROUND (object);

  if (self->manager)
    g_clear_signal_handler (&self->finished_handler, self->manager);
  g_clear_handle_id (&self->flush_timeout_id, g_source_remove);
  g_clear_handle_id (&self->flush_again_id, g_source_remove);
  g_clear_object (&self->manager);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (si_background_parent_class)->dispose (object);
}

static void
si_background_class_init (SiBackgroundClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = si_background_dispose;
}

static void
si_background_init (SiBackground *self)
{
}
